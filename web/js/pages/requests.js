// Data requests (staff): #/yeu-cau — residents' requests about their data (see, correct,
// restrict, delete), overdue ones first and highlighted, hours left to the 72-hour limit, and an
// answer form (done, or refused with a reason). Filters (status, overdue only) in the address.
import { h, uid } from '../h.js';
import { api, hasRoute } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, field, form, empty, banner, fmtDateTime, fmtNum, setFlash, FieldError, confirmDialog } from '../ui.js';
import { requestKindLabel, requestStatusBadge, hoursLeftText, isOverdue } from './people-common.js';

const STATUSES = [
  { value: 'open', label: 'Đang chờ xử lý' },
  { value: 'answered', label: 'Đã trả lời' },
  { value: 'all', label: 'Tất cả' },
];

function filterForm(ctx) {
  const status = ctx.query.status || 'open';
  const overdueId = uid('overdue');
  const overdue = h('input', { type: 'checkbox', id: overdueId, name: 'overdue', value: '1', checked: ctx.query.overdue === '1' });
  const el = h('form', { class: 'form filter-form', novalidate: true, role: 'search', 'aria-label': 'Lọc yêu cầu' },
    h('div', { class: 'filter-grid' },
      field({ label: 'Trạng thái', name: 'status', type: 'select', value: status, options: STATUSES, optionalMark: false }),
      h('div', { class: 'field' }, h('label', { for: overdueId, class: 'choice' }, overdue,
        h('span', { class: 'choice-text' }, h('span', { class: 'choice-title' }, 'Chỉ các yêu cầu quá hạn'))))),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, icon('search'), h('span', null, 'Lọc'))));
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(el);
    ctx.setQuery({ status: data.get('status') === 'open' ? '' : data.get('status'), overdue: data.get('overdue') ? '1' : '' });
  });
  return el;
}

// What "done" does to the record, said before it is done (the server applies it with the answer).
const EFFECTS = {
  delete: 'Trả lời “Đã thực hiện” sẽ xóa hồ sơ của người này khỏi sổ dân cư (có thể khôi phục ở trang “Hồ sơ đã xóa” trong thời hạn lưu giữ; sau đó hồ sơ bị xóa hẳn).',
  restrict: 'Trả lời “Đã thực hiện” sẽ hạn chế xử lý dữ liệu của người này: họ không còn có trong các tệp xuất danh sách.',
};

function answerForm(ctx, r) {
  const outcomeName = uid('outcome');
  const radios = [['done', 'Đã thực hiện'], ['refused', 'Từ chối (ghi rõ lý do)']].map(([value, label], i) => {
    const id = uid('oc');
    const radio = h('input', { type: 'radio', id, name: 'outcome', value, checked: i === 0 });
    return h('li', null, h('label', { for: id, class: 'choice' }, radio, h('span', { class: 'choice-text' }, h('span', { class: 'choice-title' }, label))));
  });
  return form({
    submitLabel: 'Gửi trả lời',
    busyLabel: 'Đang gửi…',
    attrs: { 'aria-label': `Trả lời yêu cầu của ${r.person_name || r.full_name || ''}` },
    onSubmit: async (values) => {
      const answer = values.answer.trim();
      if (values.outcome === 'refused' && !answer) throw new FieldError('answer', 'Khi từ chối, vui lòng ghi rõ lý do cho người dân.');
      if (values.outcome === 'done' && EFFECTS[r.kind]) {
        const yes = await confirmDialog({
          title: r.kind === 'delete' ? 'Xóa hồ sơ theo yêu cầu?' : 'Hạn chế xử lý dữ liệu?',
          message: EFFECTS[r.kind], okLabel: r.kind === 'delete' ? 'Xóa hồ sơ' : 'Hạn chế', danger: r.kind === 'delete',
        });
        if (!yes) return undefined;
      }
      const body = { outcome: values.outcome };
      if (answer) body.answer = answer;
      await api.post(`/requests/${encodeURIComponent(r.id)}/answer`, body);
      setFlash('Đã gửi trả lời. Người dân sẽ thấy ở trang “Dữ liệu của tôi”.');
      ctx.refresh();
      ctx.refreshOverdue();
    },
  },
  h('fieldset', { class: 'field' },
    h('legend', { class: 'field-label', id: outcomeName }, 'Kết quả'),
    EFFECTS[r.kind] ? h('p', { class: 'field-hint' }, EFFECTS[r.kind]) : null,
    r.kind === 'correct' && r.person_id ? h('p', { class: 'field-hint' }, 'Sửa hồ sơ trước, rồi trả lời: ',
      h('a', { href: `#/dan-cu/${encodeURIComponent(r.person_id)}?sua=1` }, 'mở hồ sơ để sửa'), '.') : null,
    h('ul', { class: 'choice-list radio-list' }, radios)),
  field({ label: 'Trả lời người dân', name: 'answer', type: 'textarea', optionalMark: false, hint: 'Viết dễ hiểu: đã làm gì, hoặc vì sao không thể làm (bắt buộc khi từ chối).' }));
}

function requestItem(ctx, r) {
  const overdue = r.status === 'open' && isOverdue(r);
  const who = [r.person_name || 'Người dân', r.unit_name].filter(Boolean).join(', ');
  return h('li', { class: ['request-item', overdue ? 'is-overdue' : ''], dataset: { id: String(r.id) } },
    h('p', { class: 'request-head' },
      h('strong', null, requestKindLabel(r.kind)), requestStatusBadge(r),
      r.status === 'open' ? h('span', { class: overdue ? 'hours-left is-overdue' : 'hours-left' }, icon('clock'), ' ', hoursLeftText(r)) : null),
    h('p', { class: 'item-meta' },
      r.person_id ? h('a', { href: `#/dan-cu/${encodeURIComponent(r.person_id)}` }, who) : who,
      ` · gửi lúc ${fmtDateTime(r.created_at)}`, r.due_at ? ` · hạn ${fmtDateTime(r.due_at)}` : ''),
    r.message ? h('p', { class: 'request-message' }, r.message) : null,
    r.person_restricted ? h('p', { class: 'muted' }, 'Dữ liệu của người này đang bị hạn chế xử lý (không có trong tệp xuất).') : null,
    r.person_deleted ? h('p', { class: 'muted' }, 'Hồ sơ của người này đã bị xóa.') : null,
    r.answer ? h('div', { class: 'explain' },
      h('p', null, h('strong', null, `Đã trả lời${r.answered_at ? ` lúc ${fmtDateTime(r.answered_at)}` : ''}${r.answered_by ? ` (${r.answered_by})` : ''}:`)),
      h('p', { class: 'request-message' }, r.answer)) : null,
    r.status === 'open' ? h('details', { class: 'disclosure', open: overdue },
      h('summary', { class: 'disclosure-summary' }, icon('edit'), h('span', null, 'Trả lời')),
      h('div', { class: 'disclosure-body' }, answerForm(ctx, r))) : null);
}

export async function render(ctx) {
  if (!(await hasRoute('/requests'))) {
    return h('div', { class: 'page' }, pageHeader('Yêu cầu về dữ liệu', null),
      banner('warning', 'Máy chủ chưa có chức năng nhận yêu cầu về dữ liệu cá nhân. Chức năng này sẽ dùng được sau khi hệ thống được cập nhật.'));
  }
  const status = ctx.query.status || 'open';
  const query = { status, per_page: 100 };
  if (ctx.query.overdue === '1') query.overdue = 1;
  const [data, summary] = await Promise.all([api.get('/requests', query), ctx.refreshOverdue()]);
  const items = [...((data && (data.items || data)) || [])];
  // Overdue first, then the nearest limit.
  items.sort((a, b) => Number(isOverdue(b) && b.status === 'open') - Number(isOverdue(a) && a.status === 'open')
    || String(a.due_at || '').localeCompare(String(b.due_at || '')));
  const overdueCount = summary ? Number(summary.overdue) || 0 : items.filter((r) => r.status === 'open' && isOverdue(r)).length;
  return h('div', { class: 'page' },
    pageHeader('Yêu cầu về dữ liệu', 'Người dân yêu cầu xem, sửa, hạn chế hoặc xóa dữ liệu của mình. Mỗi yêu cầu phải được trả lời trong 72 giờ.'),
    overdueCount ? banner('error', `Có ${fmtNum(overdueCount)} yêu cầu đã quá hạn 72 giờ. Hãy trả lời ngay.`) : null,
    summary && typeof summary.open === 'number' ? h('p', { class: 'result-count' }, `Đang chờ xử lý: ${fmtNum(summary.open)}`) : null,
    h('section', { class: 'card', 'aria-label': 'Bộ lọc' }, filterForm(ctx)),
    section('Danh sách yêu cầu',
      items.length ? h('ul', { class: 'request-list' }, items.map((r) => requestItem(ctx, r)))
        : empty(status === 'open' ? 'Không có yêu cầu nào đang chờ. Khi người dân gửi yêu cầu, nó sẽ hiện ở đây.' : 'Không có yêu cầu nào khớp bộ lọc.')));
}

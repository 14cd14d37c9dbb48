// My data: #/du-lieu-cua-toi — a resident's own record (for an account linked to a person), a
// request about it (see, correct, restrict, delete) with a message, their past requests with
// status and answer, and what the 72-hour answer time means, in plain words.
import { h, uid } from '../h.js';
import { api, ApiError, hasRoute } from '../api.js';
import { pageHeader, section, field, form, empty, banner, fmtDateTime, setFlash, FieldError } from '../ui.js';
import { recordFacts, membershipList } from './residents.js';
import { REQUEST_KINDS, requestKindLabel, requestStatusBadge, hoursLeftText, isOverdue } from './people-common.js';

function explain() {
  return h('div', { class: 'explain' },
    h('p', null, 'Theo quy định về bảo vệ dữ liệu cá nhân, bạn có quyền xem, yêu cầu sửa, hạn chế xử lý hoặc xóa thông tin của mình trong sổ của phường.'),
    h('p', null, h('strong', null, 'Phường sẽ trả lời trong vòng 72 giờ (3 ngày)'), ' kể từ lúc bạn gửi yêu cầu. Câu trả lời hiện ngay ở cuối trang này, trong mục “Yêu cầu đã gửi”.'),
    h('p', null, 'Nếu quá 72 giờ chưa có trả lời, bạn có thể đến Bộ phận một cửa của phường hoặc gọi cán bộ tổ dân phố.'));
}

function kindFieldset() {
  const legendId = uid('kind');
  return h('fieldset', { class: 'field', 'aria-describedby': `${legendId}-error` },
    h('legend', { class: 'field-label', id: legendId }, 'Bạn muốn'),
    h('ul', { class: 'choice-list radio-list' }, REQUEST_KINDS.map((k, i) => {
      const id = uid('kind-opt');
      const radio = h('input', { type: 'radio', id, name: 'kind', value: k.value });
      if (i === 0) {
        radio.dataset.required = 'true';
        radio.dataset.label = 'việc bạn muốn';
        radio.dataset.verb = 'chọn';
      }
      return h('li', null, h('label', { for: id, class: 'choice' }, radio,
        h('span', { class: 'choice-text' },
          h('span', { class: 'choice-title' }, k.label),
          h('span', { class: 'choice-meta' }, k.hint))));
    })),
    h('p', { class: 'field-error', id: `${legendId}-error`, hidden: true }));
}

function requestForm(ctx) {
  return form({
    submitLabel: 'Gửi yêu cầu',
    busyLabel: 'Đang gửi…',
    attrs: { 'aria-label': 'Gửi yêu cầu về dữ liệu của tôi' },
    onSubmit: async (values) => {
      const message = values.message.trim();
      if (values.kind === 'correct' && !message) throw new FieldError('message', 'Vui lòng ghi rõ thông tin nào sai và thông tin đúng là gì.');
      await api.post('/me/requests', { kind: values.kind, message });
      setFlash('Đã gửi yêu cầu. Phường sẽ trả lời trong vòng 72 giờ.');
      ctx.refresh();
    },
  },
  kindFieldset(),
  field({
    label: 'Lời nhắn', name: 'message', type: 'textarea',
    hint: 'Bắt buộc khi yêu cầu sửa. Ví dụ: “Ngày sinh của tôi là 12/05/1958, không phải 1968.”',
  }));
}

function requestList(items) {
  return h('ul', { class: 'request-list' }, items.map((r) => h('li', { class: 'request-item' },
    h('p', { class: 'request-head' },
      h('strong', null, requestKindLabel(r.kind)), requestStatusBadge(r)),
    r.message ? h('p', { class: 'request-message' }, r.message) : null,
    h('p', { class: 'item-meta' }, `Gửi lúc ${fmtDateTime(r.created_at)}`,
      r.status === 'open' && !isOverdue(r) ? ` · Hạn trả lời: ${fmtDateTime(r.due_at)} (${hoursLeftText(r)})` : ''),
    r.status === 'answered' ? h('div', { class: 'explain' },
      h('p', null, h('strong', null, `Phường trả lời${r.answered_at ? ` lúc ${fmtDateTime(r.answered_at)}` : ''}:`)),
      h('p', { class: 'request-message' }, r.answer || (r.outcome === 'done' ? 'Đã thực hiện theo yêu cầu của bạn.' : ''))) : null)));
}

export async function render(ctx) {
  let person = null;
  let notLinked = false;
  try {
    person = await api.get('/me/person');
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    notLinked = true;
  }
  const ready = await hasRoute('/me/requests');
  let requests = null;
  if (ready && !notLinked) requests = await api.get('/me/requests');
  const items = (requests && (requests.items || requests)) || [];
  const meta = await ctx.meta().catch(() => null);
  return h('div', { class: 'page' },
    pageHeader('Dữ liệu của tôi', 'Thông tin về bạn mà phường đang lưu, và quyền của bạn với thông tin đó.'),
    notLinked
      ? banner('info', 'Tài khoản của bạn chưa được gắn với hồ sơ người dân nào, nên chưa có thông tin để hiện. Nếu bạn sống, làm việc hoặc học tại phường, hãy nhờ cán bộ tổ dân phố gắn tài khoản với hồ sơ của bạn.')
      : h('section', { class: 'card', 'aria-labelledby': 'my-record' },
        h('h2', { id: 'my-record', class: 'card-title' }, person.full_name),
        recordFacts(person, meta, { linkHousehold: false }),
        h('h3', null, 'Nơi làm việc, học tập'),
        membershipList(person)),
    section('Quyền của bạn', explain()),
    notLinked ? null : section('Gửi yêu cầu',
      ready ? requestForm(ctx) : banner('warning', 'Máy chủ chưa nhận yêu cầu qua mạng. Trong lúc chờ, hãy đến Bộ phận một cửa của phường.')),
    notLinked || !ready ? null : section('Yêu cầu đã gửi', items.length ? requestList(items) : empty('Bạn chưa gửi yêu cầu nào.')));
}

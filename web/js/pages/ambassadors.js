// Đại sứ số: #/dai-su-so — the digital ambassadors of the caller's scope: the plan's rules (each
// mentor guides at least 5 people, each service centre has a helper) as the server counts them, the
// mentors with their shortfall, the helpers at the public administration service centre; and
// #/dai-su-so/{id} — one ambassador: the people they guide (assign one, end an assignment, log a
// guidance session) or, for a helper at the centre, the residents they helped.
// Never computes a figure the server owns (shortfalls, counts) and never decides who may do what:
// the server refuses, and its message is shown.
import { h, replace } from '../h.js';
import { api, request, ApiError, hasRoute } from '../api.js';
import { icon } from '../icons.js';
import {
  pageHeader, section, field, form, pager, empty, disclosure, setFlash, parsePage, fmtNum, fmtDate, banner, errorBanner,
  confirmDialog, dateField, parseDayMonthYear, dateProblem, isoToDayMonthYear, badge, FieldError, searchForm,
} from '../ui.js';
import { personPicker } from '../person-picker.js';

const PER_PAGE = 50;
const MENTOR = 'mentor';
const HELPER = 'service_helper';

const dayText = (iso) => isoToDayMonthYear(iso) || iso;
function todayText() {
  const d = new Date(Date.now() + 7 * 3600 * 1000); // the date in Vietnam
  return isoToDayMonthYear(d.toISOString().slice(0, 10));
}

/* ---------- the list page ---------- */

function rulesCard(s) {
  const item = (label, n, warn) => h('li', { class: warn ? 'stat-warn' : null },
    h('span', { class: 'stat-value' }, fmtNum(n)), h('span', { class: 'stat-label' }, label));
  const flags = [];
  if (s.mentors_short) flags.push(banner('warning', `${fmtNum(s.mentors_short)} đại sứ số chưa hướng dẫn đủ ${s.min_mentees} người theo quy định.`));
  if (s.no_centre) flags.push(banner('warning', 'Phường chưa có Trung tâm phục vụ hành chính công trong danh mục đơn vị.'));
  for (const c of s.centres || []) {
    if (!c.helpers) flags.push(banner('warning', `${c.name} chưa có người hỗ trợ. Kế hoạch yêu cầu ít nhất một người.`));
  }
  return h('section', { class: 'card', 'aria-label': 'Quy định của kế hoạch' },
    h('ul', { class: 'stat-list ambassador-counts' },
      item('đại sứ số hướng dẫn', s.mentors),
      item(`chưa đủ ${s.min_mentees} người`, s.mentors_short, s.mentors_short > 0),
      item('người đang được hướng dẫn', s.mentees),
      item('buổi hướng dẫn đã ghi', s.sessions)),
    ...flags);
}

function centresCard(ctx, s) {
  if (!(s.centres || []).length) return null;
  return section('Hỗ trợ tại Trung tâm phục vụ hành chính công',
    h('ul', { class: 'request-list centre-list' }, s.centres.map((c) => h('li', { class: 'centre-item', dataset: { id: String(c.unit_id) } },
      h('p', { class: 'request-head' }, h('strong', null, c.name), ' ',
        c.helpers ? badge(`${fmtNum(c.helpers)} người hỗ trợ`, 'success') : badge('Chưa có người hỗ trợ', 'warning')),
      h('p', { class: 'item-meta' }, `${fmtNum(c.helps)} lượt hỗ trợ người dân đã ghi`),
      ctx.can('field.write') ? disclosure('Thêm người hỗ trợ', personPicker({
        label: 'Tìm người trong sổ dân cư',
        actionLabel: 'Giao hỗ trợ tại trung tâm',
        act: async (p) => {
          const a = await api.post('/ambassadors', { person_id: p.id, unit_id: c.unit_id, kind: HELPER });
          setFlash(`Đã giao ${a.full_name} hỗ trợ tại ${c.name}.`);
          ctx.go(`#/dai-su-so/${encodeURIComponent(a.id)}`);
        },
      })) : null))));
}

function listTable(items) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards ambassadors-table' },
      h('caption', { class: 'visually-hidden' }, 'Đại sứ số'),
      h('thead', null, h('tr', null, ['Họ và tên', 'Nhiệm vụ', 'Đơn vị', 'Đang hướng dẫn', 'Theo quy định'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((a) => h('tr', { dataset: { id: String(a.id) } },
        h('td', { class: 'cell-title', dataset: { label: 'Họ và tên' } }, h('a', { href: `#/dai-su-so/${encodeURIComponent(a.id)}`, class: 'row-name' }, a.full_name)),
        cell('Nhiệm vụ', a.kind === MENTOR ? 'Hướng dẫn' : 'Hỗ trợ tại trung tâm', a.ended_at ? ' (đã kết thúc)' : ''),
        cell('Đơn vị', a.unit_name),
        cell('Đang hướng dẫn', a.kind === MENTOR ? `${fmtNum(a.active_mentees)} người` : `${fmtNum(a.helps)} lượt hỗ trợ`),
        cell('Theo quy định', a.kind !== MENTOR || a.ended_at ? '—' : a.short ? badge(`Thiếu ${fmtNum(a.shortfall)} người`, 'warning') : badge('Đủ', 'success')))))));
}

function filterForm(ctx) {
  const el = h('form', { class: 'form filter-form', novalidate: true, role: 'search', 'aria-label': 'Lọc đại sứ số' },
    field({ label: 'Nhiệm vụ', name: 'kind', type: 'select', value: ctx.query.kind || '', optionalMark: false,
      options: [{ value: '', label: 'Tất cả' }, { value: MENTOR, label: 'Hướng dẫn' }, { value: HELPER, label: 'Hỗ trợ tại trung tâm' }] }),
    field({ label: 'Chỉ người chưa đủ 5 người được hướng dẫn', name: 'short_only', type: 'select', value: ctx.query.short_only || '', optionalMark: false,
      options: [{ value: '', label: 'Không' }, { value: 'true', label: 'Có' }] }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, icon('search'), h('span', null, 'Lọc'))));
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    const f = new FormData(el);
    ctx.setQuery({ kind: f.get('kind') || '', short_only: f.get('short_only') || '', page: '' });
  });
  return el;
}

async function listPage(ctx) {
  const page = parsePage(ctx.query.page);
  const query = { page, per_page: PER_PAGE };
  if (ctx.query.kind) query.kind = ctx.query.kind;
  if (ctx.query.short_only === 'true') query.short_only = 'true';
  const [data, summary] = await Promise.all([api.get('/ambassadors', query), api.get('/ambassadors/summary')]);
  const items = data.items || [];
  return h('div', { class: 'page' },
    pageHeader('Đại sứ số', `Mỗi đại sứ số hướng dẫn ít nhất ${summary.min_mentees} người; Trung tâm phục vụ hành chính công có người hỗ trợ người dân làm thủ tục trực tuyến.`),
    rulesCard(summary),
    ctx.can('field.write') ? section('Thêm đại sứ số hướng dẫn', personPicker({
      label: 'Tìm người trong sổ dân cư',
      hint: 'Người dân hoặc cán bộ; đại sứ số làm nhiệm vụ tại đơn vị nơi người đó đăng ký.',
      actionLabel: 'Giao làm đại sứ số',
      act: async (p) => {
        const a = await api.post('/ambassadors', { person_id: p.id, unit_id: p.unit_id, kind: MENTOR });
        setFlash(`Đã giao ${a.full_name} làm đại sứ số.`);
        ctx.go(`#/dai-su-so/${encodeURIComponent(a.id)}`);
      },
    })) : null,
    centresCard(ctx, summary),
    h('section', { class: 'card', 'aria-label': 'Bộ lọc' }, filterForm(ctx)),
    section('Danh sách đại sứ số',
      items.length ? listTable(items) : empty('Chưa có đại sứ số nào trong phạm vi của bạn.'),
      pager(data, (n) => ctx.setQuery({ page: n > 1 ? String(n) : '' }), 'đại sứ số')));
}

/* ---------- one ambassador ---------- */

function sessionForm(ctx, m) {
  return form({
    submitLabel: 'Ghi buổi hướng dẫn',
    busyLabel: 'Đang ghi…',
    className: 'session-form',
    attrs: { 'aria-label': `Ghi buổi hướng dẫn ${m.full_name}` },
    onSubmit: async (values) => {
      const problem = dateProblem(values.held_on);
      if (problem) throw new FieldError('held_on', problem);
      const iso = parseDayMonthYear(values.held_on);
      if (!iso) throw new FieldError('held_on', 'Vui lòng nhập ngày hướng dẫn.');
      await api.post(`/mentorships/${encodeURIComponent(m.mentorship_id)}/sessions`, { held_on: iso, topic: values.topic });
      setFlash('Đã ghi buổi hướng dẫn.');
      ctx.refresh();
      return undefined;
    },
  },
  dateField({ label: 'Ngày hướng dẫn', name: 'held_on', required: true, value: todayText() }),
  field({ label: 'Nội dung đã hướng dẫn', name: 'topic', type: 'textarea', required: true, maxlength: 500,
    hint: 'Ví dụ: kích hoạt VNeID mức 2, thanh toán không dùng tiền mặt, nhận biết lừa đảo trên mạng.' }));
}

function endButton(ctx, m, slot) {
  const button = h('button', {
    type: 'button', class: 'btn btn-danger-outline btn-small', 'aria-label': `Kết thúc hướng dẫn ${m.full_name}`,
    onclick: async () => {
      const yes = await confirmDialog({
        title: 'Kết thúc hướng dẫn?',
        message: `${m.full_name} sẽ không còn được đại sứ số này hướng dẫn (lịch sử vẫn được giữ) và có thể được giao cho người khác.`,
        okLabel: 'Kết thúc',
      });
      if (!yes) return;
      button.disabled = true;
      try {
        await request('POST', `/mentorships/${encodeURIComponent(m.mentorship_id)}/end`);
        setFlash(`Đã kết thúc hướng dẫn ${m.full_name}.`);
        ctx.refresh();
      } catch (err) {
        button.disabled = false;
        if (err instanceof ApiError && err.status === 401) throw err;
        replace(slot, errorBanner(err));
      }
    },
  }, h('span', null, 'Kết thúc'));
  return button;
}

function menteeItem(ctx, m, canWrite) {
  const slot = h('div');
  return h('li', { class: 'mentee-item', dataset: { id: String(m.person_id), active: String(m.active) } },
    h('p', { class: 'request-head' }, h('a', { href: `#/dan-cu/${encodeURIComponent(m.person_id)}` }, h('strong', null, m.full_name)), ' ',
      m.active ? null : badge('Đã kết thúc', 'neutral')),
    h('p', { class: 'item-meta' }, `${m.unit_name} · từ ${fmtDate(m.started_at)}`, m.ended_at ? ` đến ${fmtDate(m.ended_at)}` : '',
      ` · ${fmtNum(m.sessions)} buổi hướng dẫn`),
    canWrite && m.active ? disclosure('Ghi buổi hướng dẫn', sessionForm(ctx, m)) : null,
    canWrite && m.active ? endButton(ctx, m, slot) : null, slot);
}

function helpForm(ctx, a) {
  let chosen = null;
  const who = h('p', { class: 'chosen-person', 'aria-live': 'polite' }, 'Chưa chọn người dân.');
  const picker = personPicker({
    label: 'Tìm người dân được hỗ trợ',
    actionLabel: 'Chọn',
    act: async (p) => {
      chosen = p;
      replace(who, 'Người được hỗ trợ: ', h('strong', null, p.full_name));
    },
  });
  const f = form({
    submitLabel: 'Ghi lượt hỗ trợ',
    busyLabel: 'Đang ghi…',
    className: 'help-form',
    attrs: { 'aria-label': 'Ghi lượt hỗ trợ tại trung tâm' },
    onSubmit: async (values) => {
      if (!chosen) throw new FieldError('person_id', 'Hãy tìm và chọn người dân được hỗ trợ.');
      const problem = dateProblem(values.helped_on);
      if (problem) throw new FieldError('helped_on', problem);
      const iso = parseDayMonthYear(values.helped_on);
      if (!iso) throw new FieldError('helped_on', 'Vui lòng nhập ngày hỗ trợ.');
      await api.post(`/ambassadors/${encodeURIComponent(a.id)}/helps`, { person_id: chosen.id, helped_on: iso, what: values.what });
      setFlash('Đã ghi lượt hỗ trợ.');
      ctx.refresh();
      return undefined;
    },
  },
  dateField({ label: 'Ngày hỗ trợ', name: 'helped_on', required: true, value: todayText() }),
  field({ label: 'Việc đã hỗ trợ', name: 'what', type: 'textarea', required: true, maxlength: 500,
    hint: 'Ví dụ: nộp hồ sơ trực tuyến trên Cổng dịch vụ công, thanh toán lệ phí bằng mã QR.' }));
  return h('div', null, picker, who, f);
}

async function detailPage(ctx, id) {
  const a = await api.get(`/ambassadors/${encodeURIComponent(id)}`);
  const canWrite = ctx.can('field.write') && !a.ended_at;
  const mentor = a.kind === MENTOR;
  const active = (a.mentees || []).filter((m) => m.active);
  const past = (a.mentees || []).filter((m) => !m.active);
  const endSlot = h('div');
  const endAmbassador = canWrite ? h('button', {
    type: 'button', class: 'btn btn-danger-outline',
    onclick: async () => {
      const yes = await confirmDialog({
        title: 'Kết thúc nhiệm vụ đại sứ số?',
        message: mentor ? 'Các phân công hướng dẫn đang mở cũng kết thúc; lịch sử được giữ.' : 'Người này sẽ không còn hỗ trợ tại trung tâm; lịch sử được giữ.',
        okLabel: 'Kết thúc nhiệm vụ',
      });
      if (!yes) return;
      try {
        await request('POST', `/ambassadors/${encodeURIComponent(a.id)}/end`);
        setFlash('Đã kết thúc nhiệm vụ.');
        ctx.refresh();
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) throw err;
        replace(endSlot, errorBanner(err));
      }
    },
  }, 'Kết thúc nhiệm vụ') : null;
  const status = a.ended_at ? badge(`Đã kết thúc ngày ${fmtDate(a.ended_at)}`, 'neutral')
    : !mentor ? badge('Đang hỗ trợ', 'success')
      : a.short ? badge(`Thiếu ${fmtNum(a.shortfall)} người so với quy định ${a.min_mentees} người`, 'warning')
        : badge(`Đủ ${a.min_mentees} người theo quy định`, 'success');
  return h('div', { class: 'page' },
    pageHeader(a.full_name, `${mentor ? 'Đại sứ số hướng dẫn' : 'Hỗ trợ tại Trung tâm phục vụ hành chính công'} · ${a.unit_name} · từ ${fmtDate(a.started_at)}`),
    h('p', { class: 'badge-row ambassador-status' }, status),
    mentor ? section(`Đang hướng dẫn (${fmtNum(active.length)})`,
      active.length ? h('ul', { class: 'request-list mentee-list' }, active.map((m) => menteeItem(ctx, m, canWrite)))
        : empty('Chưa hướng dẫn ai.'),
      canWrite ? disclosure('Thêm người được hướng dẫn', personPicker({
        label: 'Tìm người cần hướng dẫn',
        hint: 'Mỗi người chỉ có một đại sứ số hướng dẫn tại một thời điểm.',
        actionLabel: 'Giao cho đại sứ số này',
        act: async (p) => {
          await api.post('/mentorships', { mentee_id: p.id, mentor_id: a.id });
          setFlash(`Đã giao ${p.full_name} cho ${a.full_name} hướng dẫn.`);
          ctx.refresh();
        },
      }), { open: active.length === 0 }) : null) : null,
    mentor && past.length ? section('Đã hướng dẫn trước đây', h('ul', { class: 'request-list mentee-list past' }, past.map((m) => menteeItem(ctx, m, false)))) : null,
    mentor ? section('Các buổi hướng dẫn gần đây',
      (a.session_log || []).length ? h('ul', { class: 'request-list session-list' }, a.session_log.map((s) => h('li', null,
        h('p', { class: 'request-head' }, h('strong', null, dayText(s.held_on)), ` · ${s.mentee_name}`),
        h('p', null, s.topic),
        h('p', { class: 'item-meta' }, s.recorded_by ? `Ghi bởi ${s.recorded_by}` : 'Ghi từ hệ thống'))))
        : empty('Chưa ghi buổi hướng dẫn nào.')) : null,
    !mentor ? section('Người dân đã được hỗ trợ',
      (a.help_log || []).length ? h('ul', { class: 'request-list help-list' }, a.help_log.map((x) => h('li', null,
        h('p', { class: 'request-head' }, h('strong', null, dayText(x.helped_on)), ` · ${x.full_name}`),
        h('p', null, x.what),
        h('p', { class: 'item-meta' }, x.recorded_by ? `Ghi bởi ${x.recorded_by}` : 'Ghi từ hệ thống'))))
        : empty('Chưa ghi lượt hỗ trợ nào.'),
      canWrite ? disclosure('Ghi lượt hỗ trợ', helpForm(ctx, a)) : null) : null,
    endAmbassador ? h('section', { class: 'card' }, endAmbassador, endSlot) : null,
    h('p', null, h('a', { href: '#/dai-su-so', class: 'btn btn-secondary' }, icon('back'), h('span', null, 'Danh sách đại sứ số'))));
}

export async function render(ctx) {
  if (!(await hasRoute('/ambassadors'))) {
    return h('div', { class: 'page' }, pageHeader('Đại sứ số', null),
      banner('warning', 'Máy chủ chưa có chức năng này. Chức năng sẽ dùng được sau khi hệ thống được cập nhật.'));
  }
  if (ctx.params.id) return detailPage(ctx, ctx.params.id);
  return listPage(ctx);
}

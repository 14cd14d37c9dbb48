// Sự kiện (#/su-kien, #/su-kien/{id}): events such as Ngày hội toàn dân học tập số on 10/10 — the
// events organised in the caller's scope with their attendance; recording one (people.write on a
// unit); one event: its activities (add one), the head count of people not registered (change it),
// the registered residents who took part (add someone found by name). The totals are the server's.
import { h } from '../h.js';
import { api, ApiError, hasRoute } from '../api.js';
import { icon } from '../icons.js';
import {
  pageHeader, section, field, form, pager, empty, disclosure, setFlash, parsePage, fmtNum, banner,
  dateField, parseDayMonthYear, dateProblem, isoToDayMonthYear, FieldError, badge,
} from '../ui.js';

const PER_PAGE = 50;

// Vietnam's date today (yyyy-mm-dd): before an event's day a resident is signed up (ghi danh), from
// that day on recorded as attended (the server refuses "attended" ahead, and says why).
function todayIso() {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

async function recordParticipant(ctx, ev, p, status, slot) {
  try {
    await api.post(`/events/${encodeURIComponent(ev.id)}/participants`, { participant_id: p.id ?? p.person_id, status });
    setFlash(status === 'registered' ? `Đã ghi danh ${p.full_name}.` : `Đã ghi nhận ${p.full_name} tham dự.`);
    ctx.refresh();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    slot.replaceChildren(banner('error', err.message));
  }
}

function day(iso) {
  return isoToDayMonthYear(iso) || iso || '';
}

function headCount(values) {
  const text = String(values.head_count || '').trim();
  if (!text) return undefined;
  if (!/^\d{1,7}$/.test(text) || Number(text) > 1000000) throw new FieldError('head_count', 'Nhập một số từ 0 đến 1.000.000.');
  return Number(text);
}

/* ---------- the list ---------- */

function createForm(ctx, units) {
  return form({
    submitLabel: 'Lưu sự kiện',
    busyLabel: 'Đang lưu…',
    className: 'event-create-form',
    attrs: { 'aria-label': 'Ghi nhận sự kiện' },
    onSubmit: async (values) => {
      const problem = dateProblem(values.held_on);
      if (problem) throw new FieldError('held_on', problem);
      const iso = parseDayMonthYear(values.held_on);
      if (!iso) throw new FieldError('held_on', 'Vui lòng nhập ngày tổ chức.');
      const body = { title: values.title, held_on: iso, place: values.place, unit_id: Number(values.unit_id) };
      const n = headCount(values);
      if (n !== undefined) body.head_count = n;
      const ev = await api.post('/events', body);
      setFlash('Đã ghi nhận sự kiện. Thêm các hoạt động và người tham dự.');
      ctx.go(`#/su-kien/${encodeURIComponent(ev.id)}`);
      return undefined;
    },
  },
  field({ label: 'Tên sự kiện', name: 'title', required: true, maxlength: 200, value: 'Ngày hội toàn dân học tập số' }),
  dateField({ label: 'Ngày tổ chức', name: 'held_on', required: true }),
  field({ label: 'Địa điểm', name: 'place', required: true, maxlength: 200 }),
  field({ label: 'Đơn vị tổ chức', name: 'unit_id', type: 'select', optionalMark: false, value: units[0] ? units[0].unit_id : '',
    options: units.map((g) => ({ value: String(g.unit_id), label: g.unit_name })) }),
  field({ label: 'Số người tham dự chưa đăng ký', name: 'head_count', inputmode: 'numeric', maxlength: 7, hint: 'Người đến dự nhưng không có trong sổ dân cư (đếm đầu người).' }));
}

function listTable(items) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards events-table' },
      h('caption', { class: 'visually-hidden' }, 'Sự kiện'),
      h('thead', null, h('tr', null, ['Sự kiện', 'Ngày', 'Đơn vị tổ chức', 'Có trong sổ dân cư', 'Chưa đăng ký', 'Tổng số'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((ev) => h('tr', { dataset: { id: String(ev.id) } },
        h('td', { class: 'cell-title', dataset: { label: 'Sự kiện' } }, h('a', { href: `#/su-kien/${encodeURIComponent(ev.id)}`, class: 'row-name' }, ev.title)),
        cell('Ngày', `${day(ev.held_on)} · ${ev.place}`),
        cell('Đơn vị tổ chức', ev.unit_name),
        cell('Có trong sổ dân cư', fmtNum(ev.registered)),
        cell('Chưa đăng ký', fmtNum(ev.head_count)),
        cell('Tổng số', fmtNum(ev.total)))))));
}

async function listPage(ctx) {
  const page = parsePage(ctx.query.page);
  const data = await api.get('/events', { page, per_page: PER_PAGE });
  const items = data.items || [];
  // The units of the caller's grants (the server checks people.write on the one chosen).
  const units = (ctx.me.roles || []).filter((g, i, all) => all.findIndex((x) => x.unit_id === g.unit_id) === i);
  return h('div', { class: 'page' },
    pageHeader('Sự kiện', 'Ngày hội toàn dân học tập số (10/10) và các sự kiện khác: hoạt động, người dân tham dự và số người chưa đăng ký.'),
    ctx.can('people.write') && units.length ? section('Sự kiện mới', disclosure('Ghi nhận sự kiện', createForm(ctx, units))) : null,
    section('Các sự kiện',
      items.length ? listTable(items) : empty('Chưa có sự kiện nào trong phạm vi của bạn.'),
      pager(data, (n) => ctx.setQuery({ page: n > 1 ? String(n) : '' }), 'sự kiện')));
}

/* ---------- one event ---------- */

function activityForm(ctx, ev) {
  return form({
    submitLabel: 'Thêm hoạt động',
    busyLabel: 'Đang lưu…',
    className: 'event-activity-form',
    attrs: { 'aria-label': 'Thêm hoạt động' },
    onSubmit: async (values) => {
      await api.post(`/events/${encodeURIComponent(ev.id)}/activities`, { title: values.title });
      setFlash('Đã thêm hoạt động.');
      ctx.refresh();
      return undefined;
    },
  }, field({ label: 'Tên hoạt động', name: 'title', required: true, maxlength: 200 }));
}

function headCountForm(ctx, ev) {
  return form({
    submitLabel: 'Lưu số người',
    busyLabel: 'Đang lưu…',
    className: 'event-heads-form',
    attrs: { 'aria-label': 'Số người tham dự chưa đăng ký' },
    onSubmit: async (values) => {
      const n = headCount(values);
      if (n === undefined) throw new FieldError('head_count', 'Nhập một số từ 0 đến 1.000.000.');
      await api.patch(`/events/${encodeURIComponent(ev.id)}`, { head_count: n });
      setFlash('Đã lưu số người tham dự chưa đăng ký.');
      ctx.refresh();
      return undefined;
    },
  }, field({ label: 'Số người tham dự chưa đăng ký', name: 'head_count', inputmode: 'numeric', maxlength: 7, value: String(ev.head_count), optionalMark: false }));
}

function participantSearch(ctx, ev) {
  const results = h('ul', { class: 'request-list enrol-results', 'aria-live': 'polite' });
  const input = h('input', { id: 'su-kien-tim-nguoi', type: 'search', name: 'q', autocomplete: 'off', placeholder: 'Ví dụ: nguyen van an' });
  const el = h('form', { class: 'form enrol-search', novalidate: true, role: 'search', 'aria-label': 'Tìm người tham dự' },
    h('div', { class: 'field' }, h('label', { for: 'su-kien-tim-nguoi', class: 'field-label' }, 'Tìm theo họ tên (gõ không dấu cũng được)'), input),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, icon('search'), h('span', null, 'Tìm'))),
    results);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    results.replaceChildren(h('li', { class: 'loading' }, 'Đang tìm…'));
    try {
      const found = await api.get('/residents', { q, per_page: 10 });
      const here = new Map(ev.participants.map((p) => [p.person_id, p.status]));
      const ahead = ev.held_on > todayIso();
      results.replaceChildren(...(found.items || []).map((p) => {
        const status = here.get(p.id);
        let action;
        if (status === 'attended' || (status === 'registered' && ahead)) {
          action = badge(status === 'attended' ? 'Đã tham dự' : 'Đã ghi danh', 'neutral');
        } else {
          const want = ahead ? 'registered' : 'attended';
          action = h('button', {
            type: 'button', class: 'btn btn-primary btn-small',
            'aria-label': ahead ? `Ghi danh ${p.full_name}` : `Ghi nhận ${p.full_name} tham dự`,
            onclick: async (ev2) => {
              ev2.currentTarget.disabled = true;
              await recordParticipant(ctx, ev, p, want, results);
            },
          }, ahead ? 'Ghi danh' : 'Tham dự');
        }
        return h('li', { class: 'enrol-result', dataset: { id: String(p.id) } }, h('span', null, `${p.full_name} · ${p.unit_name}`), ' ', action);
      }));
      if (!(found.items || []).length) results.replaceChildren(h('li', { class: 'muted' }, 'Không tìm thấy ai trong phạm vi của bạn.'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err;
      results.replaceChildren(banner('error', err.message));
    }
  });
  return el;
}

function countsCard(ev) {
  const item = (label, n, key) => h('li', { dataset: { count: key } }, h('span', { class: 'stat-value' }, fmtNum(n)), h('span', { class: 'stat-label' }, label));
  return h('section', { class: 'card', 'aria-label': 'Số người tham dự' },
    h('ul', { class: 'stat-list event-counts' },
      item('người có trong sổ dân cư', ev.registered, 'registered'),
      ev.signed_up ? item('người đã ghi danh trước', ev.signed_up, 'signed_up') : null,
      item('người chưa đăng ký', ev.head_count, 'head_count'),
      item('người tham dự', ev.total, 'total')));
}

async function eventPage(ctx) {
  const ev = await api.get(`/events/${encodeURIComponent(ctx.params.id)}`);
  ctx.setTitle(ev.title);
  const canWrite = ctx.can('people.write');
  return h('div', { class: 'page' },
    h('p', null, h('a', { href: '#/su-kien', class: 'back-link' }, icon('back'), h('span', null, 'Các sự kiện'))),
    pageHeader(ev.title, `${day(ev.held_on)} · ${ev.place} · ${ev.unit_name}`),
    countsCard(ev),
    canWrite ? disclosure('Sửa số người chưa đăng ký', headCountForm(ctx, ev), { iconName: 'edit' }) : null,
    section('Hoạt động',
      ev.activities.length ? h('ul', { class: 'request-list event-activities' }, ev.activities.map((a) => h('li', { dataset: { id: String(a.id) } }, a.title)))
        : empty('Chưa có hoạt động nào.'),
      canWrite ? disclosure('Thêm hoạt động', activityForm(ctx, ev)) : null),
    section(`Người tham dự có trong sổ dân cư (${fmtNum(ev.registered)})${ev.signed_up ? `, đã ghi danh trước (${fmtNum(ev.signed_up)})` : ''}`,
      ev.participants.length ? h('ul', { class: 'request-list event-participants' }, ev.participants.map((p) => {
        const slot = h('div');
        const signed = p.status === 'registered';
        // From the event's day on, one tap turns a sign-up into attendance.
        const come = signed && canWrite && ev.held_on <= todayIso() ? h('button', {
          type: 'button', class: 'btn btn-secondary btn-small', 'aria-label': `Ghi nhận ${p.full_name} đã tham dự`,
          onclick: async (e2) => {
            e2.currentTarget.disabled = true;
            await recordParticipant(ctx, ev, p, 'attended', slot);
          },
        }, 'Đã tham dự') : null;
        return h('li', { dataset: { id: String(p.person_id), status: p.status } },
          h('a', { href: `#/dan-cu/${encodeURIComponent(p.person_id)}`, class: 'row-name' }, p.full_name), ` · ${p.unit_name}`,
          signed ? [' ', badge('Đã ghi danh', 'neutral')] : null, come ? [' ', come] : null, slot);
      }))
        : empty('Chưa ghi nhận người dân nào.'),
      ev.registered + (ev.signed_up || 0) > ev.participants.length ? h('p', { class: 'muted' }, `Hiển thị ${fmtNum(ev.participants.length)} người đầu tiên theo tên.`) : null,
      canWrite ? disclosure(ev.held_on > todayIso() ? 'Ghi danh người tham dự' : 'Ghi nhận người tham dự', participantSearch(ctx, ev)) : null));
}

export async function render(ctx) {
  if (!(await hasRoute('/events'))) {
    return h('div', { class: 'page' }, pageHeader('Sự kiện', null),
      banner('warning', 'Máy chủ chưa có chức năng này. Chức năng sẽ dùng được sau khi hệ thống được cập nhật.'));
  }
  return ctx.params.id ? eventPage(ctx) : listPage(ctx);
}

// Lớp bồi dưỡng, tập huấn (#/lop-hoc, #/lop-hoc/{id}): the classes organised in the caller's scope
// with their sessions, enrolled and completed counts; opening a class (people.write on a unit); one
// class: its sessions (add one), its participants (enrol someone found by name), attendance of a
// session held (tick who was there), and each participant's outcome. Everything shown is the server's.
import { h } from '../h.js';
import { api, ApiError, hasRoute } from '../api.js';
import { icon } from '../icons.js';
import {
  pageHeader, section, field, form, pager, empty, disclosure, setFlash, parsePage, fmtNum, banner,
  dateField, parseDayMonthYear, dateProblem, isoToDayMonthYear, FieldError, badge,
} from '../ui.js';

const PER_PAGE = 50;
const OUTCOMES = [
  { value: '', label: 'Chưa có kết quả' },
  { value: 'completed', label: 'Hoàn thành' },
  { value: 'not_completed', label: 'Chưa hoàn thành' },
];

function day(iso) {
  return isoToDayMonthYear(iso) || iso || '';
}

function isoOf(values, name, label) {
  const problem = dateProblem(values[name]);
  if (problem) throw new FieldError(name, problem);
  const iso = parseDayMonthYear(values[name]);
  if (!iso) throw new FieldError(name, `Vui lòng nhập ${label}.`);
  return iso;
}

/* ---------- the list ---------- */

function createForm(ctx, units) {
  return form({
    submitLabel: 'Mở lớp',
    busyLabel: 'Đang lưu…',
    className: 'class-create-form',
    attrs: { 'aria-label': 'Mở lớp bồi dưỡng, tập huấn' },
    onSubmit: async (values) => {
      const body = { title: values.title, unit_id: Number(values.unit_id) };
      if (values.topic.trim()) body.topic = values.topic.trim();
      const k = await api.post('/classes', body);
      setFlash('Đã mở lớp. Thêm các buổi học và ghi danh người học.');
      ctx.go(`#/lop-hoc/${encodeURIComponent(k.id)}`);
      return undefined;
    },
  },
  field({ label: 'Tên lớp', name: 'title', required: true, maxlength: 200 }),
  field({ label: 'Đơn vị tổ chức', name: 'unit_id', type: 'select', optionalMark: false, value: units[0] ? units[0].unit_id : '',
    options: units.map((g) => ({ value: String(g.unit_id), label: g.unit_name })) }),
  field({ label: 'Chủ đề, nội dung', name: 'topic', type: 'textarea', maxlength: 500 }));
}

function listTable(items) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards classes-table' },
      h('caption', { class: 'visually-hidden' }, 'Lớp bồi dưỡng, tập huấn'),
      h('thead', null, h('tr', null, ['Tên lớp', 'Đơn vị tổ chức', 'Thời gian', 'Người học', 'Hoàn thành'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((k) => h('tr', { dataset: { id: String(k.id) } },
        h('td', { class: 'cell-title', dataset: { label: 'Tên lớp' } }, h('a', { href: `#/lop-hoc/${encodeURIComponent(k.id)}`, class: 'row-name' }, k.title)),
        cell('Đơn vị tổ chức', k.unit_name),
        cell('Thời gian', k.sessions ? `${fmtNum(k.sessions)} buổi, ${day(k.first_on)}${k.last_on !== k.first_on ? ` – ${day(k.last_on)}` : ''}` : 'Chưa có buổi học'),
        cell('Người học', fmtNum(k.enrolled)),
        cell('Hoàn thành', fmtNum(k.completed)))))));
}

async function listPage(ctx) {
  const page = parsePage(ctx.query.page);
  const data = await api.get('/classes', { page, per_page: PER_PAGE });
  const items = data.items || [];
  // The units of the caller's grants (the server checks people.write on the one chosen).
  const units = (ctx.me.roles || []).filter((g, i, all) => all.findIndex((x) => x.unit_id === g.unit_id) === i);
  return h('div', { class: 'page' },
    pageHeader('Lớp bồi dưỡng, tập huấn', 'Lớp bồi dưỡng kỹ năng số cho cán bộ, công chức và người dân: buổi học, điểm danh, kết quả. Cán bộ, công chức hoàn thành lớp được tính vào chỉ tiêu 1 của kế hoạch.'),
    ctx.can('people.write') && units.length ? section('Mở lớp mới', disclosure('Mở lớp bồi dưỡng, tập huấn', createForm(ctx, units))) : null,
    section('Các lớp',
      items.length ? listTable(items) : empty('Chưa có lớp nào trong phạm vi của bạn.'),
      pager(data, (n) => ctx.setQuery({ page: n > 1 ? String(n) : '' }), 'lớp')));
}

/* ---------- one class ---------- */

function sessionForm(ctx, k) {
  return form({
    submitLabel: 'Thêm buổi học',
    busyLabel: 'Đang lưu…',
    className: 'class-session-form',
    attrs: { 'aria-label': 'Thêm buổi học' },
    onSubmit: async (values) => {
      const iso = isoOf(values, 'held_on', 'ngày học');
      await api.post(`/classes/${encodeURIComponent(k.id)}/sessions`, { held_on: iso, place: values.place });
      setFlash('Đã thêm buổi học.');
      ctx.refresh();
      return undefined;
    },
  },
  dateField({ label: 'Ngày học', name: 'held_on', required: true }),
  field({ label: 'Địa điểm', name: 'place', required: true, maxlength: 200 }));
}

function enrolBlock(ctx, k) {
  const results = h('ul', { class: 'request-list enrol-results', 'aria-live': 'polite' });
  const input = h('input', { id: 'lop-tim-nguoi', type: 'search', name: 'q', autocomplete: 'off', placeholder: 'Ví dụ: nguyen van an' });
  const el = h('form', { class: 'form enrol-search', novalidate: true, role: 'search', 'aria-label': 'Tìm người để ghi danh' },
    h('div', { class: 'field' }, h('label', { for: 'lop-tim-nguoi', class: 'field-label' }, 'Tìm theo họ tên (gõ không dấu cũng được)'), input),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-secondary' }, icon('search'), h('span', null, 'Tìm'))),
    results);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    results.replaceChildren(h('li', { class: 'loading' }, 'Đang tìm…'));
    try {
      const found = await api.get('/residents', { q, per_page: 10 });
      const enrolled = new Set(k.participants.map((p) => p.person_id));
      results.replaceChildren(...(found.items || []).map((p) => h('li', { class: 'enrol-result', dataset: { id: String(p.id) } },
        h('span', null, `${p.full_name} · ${p.unit_name}`), ' ',
        enrolled.has(p.id) ? badge('Đã ghi danh', 'neutral') : h('button', {
          type: 'button', class: 'btn btn-primary btn-small', 'aria-label': `Ghi danh ${p.full_name}`,
          onclick: async (ev) => {
            ev.currentTarget.disabled = true;
            try {
              await api.post(`/classes/${encodeURIComponent(k.id)}/enrolments`, { participant_id: p.id });
              setFlash(`Đã ghi danh ${p.full_name}.`);
              ctx.refresh();
            } catch (err) {
              if (err instanceof ApiError && err.status === 401) throw err;
              results.replaceChildren(banner('error', err.message));
            }
          },
        }, 'Ghi danh'))));
      if (!(found.items || []).length) results.replaceChildren(h('li', { class: 'muted' }, 'Không tìm thấy ai trong phạm vi của bạn.'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err;
      results.replaceChildren(banner('error', err.message));
    }
  });
  return el;
}

function attendanceForm(ctx, k, s) {
  const boxes = k.participants.map((p) => {
    const id = `diem-danh-${s.id}-${p.person_id}`;
    return h('li', null, h('input', { type: 'checkbox', id, name: 'present', value: String(p.person_id), checked: p.attended.includes(s.id) }),
      ' ', h('label', { for: id }, p.full_name));
  });
  return form({
    submitLabel: 'Lưu điểm danh',
    busyLabel: 'Đang lưu…',
    className: 'class-attendance-form',
    attrs: { 'aria-label': `Điểm danh buổi ${day(s.held_on)}` },
    onSubmit: async (values, el) => {
      const ids = [...el.querySelectorAll('input[name=present]:checked')].map((b) => Number(b.value));
      await api.put(`/classes/${encodeURIComponent(k.id)}/attendance`, { session_id: s.id, participant_ids: ids });
      setFlash(`Đã lưu điểm danh buổi ${day(s.held_on)}.`);
      ctx.refresh();
      return undefined;
    },
  }, h('ul', { class: 'checklist' }, boxes));
}

function sessionsBlock(ctx, k, canWrite) {
  const today = new Date().toISOString().slice(0, 10);
  return section('Buổi học',
    k.sessions.length ? h('ul', { class: 'request-list class-sessions' }, k.sessions.map((s) => h('li', { class: 'class-session', dataset: { id: String(s.id) } },
      h('p', { class: 'request-head' }, h('strong', null, `${day(s.held_on)} · ${s.place}`)),
      h('p', { class: 'item-meta' }, s.held_on > today ? 'Sắp diễn ra' : `${fmtNum(s.attended)}/${fmtNum(k.participants.length)} người có mặt`),
      canWrite && s.held_on <= today && k.participants.length ? disclosure('Điểm danh', attendanceForm(ctx, k, s), { iconName: 'check' }) : null)))
      : empty('Chưa có buổi học nào.'),
    canWrite ? disclosure('Thêm buổi học', sessionForm(ctx, k)) : null);
}

function outcomeForm(ctx, k, p) {
  return form({
    submitLabel: 'Lưu kết quả',
    busyLabel: 'Đang lưu…',
    className: 'class-outcome-form',
    attrs: { 'aria-label': `Kết quả của ${p.full_name}` },
    onSubmit: async (values) => {
      const body = { participant_id: p.person_id, outcome: values.outcome };
      if (values.outcome && values.outcome_on.trim()) body.outcome_on = isoOf(values, 'outcome_on', 'ngày có kết quả');
      await api.post(`/classes/${encodeURIComponent(k.id)}/outcomes`, body);
      setFlash(`Đã lưu kết quả của ${p.full_name}.`);
      ctx.refresh();
      return undefined;
    },
  },
  field({ label: 'Kết quả', name: 'outcome', type: 'select', value: p.outcome || '', optionalMark: false, options: OUTCOMES }),
  dateField({ label: 'Ngày có kết quả', name: 'outcome_on', value: p.outcome_on || '', hint: 'Để trống: hôm nay.' }));
}

function participantsBlock(ctx, k, canWrite) {
  const held = k.sessions.filter((s) => s.held_on <= new Date().toISOString().slice(0, 10)).length;
  const label = (o) => (OUTCOMES.find((x) => x.value === (o || '')) || OUTCOMES[0]).label;
  return section(`Người học (${fmtNum(k.participants.length)})`,
    k.participants.length ? h('ul', { class: 'request-list class-participants' }, k.participants.map((p) => h('li', { class: 'class-participant', dataset: { id: String(p.person_id) } },
      h('p', { class: 'request-head' }, h('a', { href: `#/dan-cu/${encodeURIComponent(p.person_id)}`, class: 'row-name' }, p.full_name), ' ',
        badge(label(p.outcome), p.outcome === 'completed' ? 'success' : 'neutral')),
      h('p', { class: 'item-meta' }, `${p.unit_name} · có mặt ${fmtNum(p.attended.length)}/${fmtNum(held)} buổi${p.outcome_on ? ` · kết quả ngày ${day(p.outcome_on)}` : ''}`),
      canWrite ? disclosure('Ghi kết quả', outcomeForm(ctx, k, p), { iconName: 'edit' }) : null)))
      : empty('Chưa ai ghi danh.'),
    canWrite ? disclosure('Ghi danh người học', enrolBlock(ctx, k)) : null);
}

async function classPage(ctx) {
  const k = await api.get(`/classes/${encodeURIComponent(ctx.params.id)}`);
  ctx.setTitle(k.title);
  const canWrite = ctx.can('people.write');
  return h('div', { class: 'page' },
    h('p', null, h('a', { href: '#/lop-hoc', class: 'back-link' }, icon('back'), h('span', null, 'Các lớp'))),
    pageHeader(k.title, `${k.unit_name}${k.topic ? ` · ${k.topic}` : ''}`),
    k.competences.length ? h('p', { class: 'muted' }, `Năng lực số: ${k.competences.map((c) => `${c.code} ${c.name}`).join('; ')}`) : null,
    sessionsBlock(ctx, k, canWrite),
    participantsBlock(ctx, k, canWrite));
}

export async function render(ctx) {
  if (!(await hasRoute('/classes'))) {
    return h('div', { class: 'page' }, pageHeader('Lớp bồi dưỡng, tập huấn', null),
      banner('warning', 'Máy chủ chưa có chức năng này. Chức năng sẽ dùng được sau khi hệ thống được cập nhật.'));
  }
  return ctx.params.id ? classPage(ctx) : listPage(ctx);
}

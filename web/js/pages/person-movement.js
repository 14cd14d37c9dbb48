// The movement block of a resident's page (issue 9): the door-to-door visits they were present at,
// who guides them, the ambassador roles they hold, their 4T steps, classes and events
// (GET /api/v1/residents/{id}/movement, audited as a read of the record).
import { h } from '../h.js';
import { api, ApiError, hasRoute } from '../api.js';
import { section, empty, errorBanner, fmtDate, isoToDayMonthYear } from '../ui.js';

const KIND = { mentor: 'Đại sứ số hướng dẫn', service_helper: 'Hỗ trợ tại Trung tâm phục vụ hành chính công' };
const OUTCOME = { completed: 'Hoàn thành', not_completed: 'Chưa hoàn thành' };

const day = (iso) => isoToDayMonthYear(iso) || iso;

function list(items, render) {
  return h('ul', { class: 'request-list movement-list' }, items.map((x) => h('li', null, render(x))));
}

export async function personMovement(ctx, p) {
  if (!(await hasRoute('/residents/{id}/movement'))) return null;
  let m;
  try {
    m = await api.get(`/residents/${encodeURIComponent(p.id)}/movement`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    return section('Tham gia phong trào', errorBanner(err));
  }
  const nothing = !m.visits.length && !m.mentor && !m.ambassador.length && !m.trade_steps.length && !m.classes.length &&
    !m.events.length;
  if (nothing) return section('Tham gia phong trào', empty(`Chưa có lượt hỗ trợ, lớp học hay sự kiện nào của ${p.full_name}.`));
  const parts = [];
  if (m.mentor || m.ambassador.length) {
    parts.push(h('dl', { class: 'facts' },
      m.mentor ? [h('dt', null, 'Người hướng dẫn (Đại sứ số)'), h('dd', null, m.mentor.name)] : null,
      m.ambassador.map((a) => [h('dt', null, 'Vai trò'), h('dd', null, `${KIND[a.kind] || a.kind} từ ${fmtDate(a.started_at)}`)])));
  }
  if (m.visits.length) {
    parts.push(h('h3', { class: 'subsection-title' }, `Lượt đến hộ (${m.visits.length})`),
      list(m.visits, (v) => [
        h('p', { class: 'item-title' }, `${day(v.visited_on)}${v.by ? ` · ${v.by}` : ''}`),
        v.topics.length ? h('p', { class: 'muted' }, `Hướng dẫn: ${v.topics.join(', ')}`) : null,
        v.outcomes.length ? h('p', null, `Kết quả: ${v.outcomes.join(', ')}`) : null,
      ]));
  }
  if (m.trade_steps.length) {
    parts.push(h('h3', { class: 'subsection-title' }, 'Các bước 4T đã làm'),
      list(m.trade_steps, (s) => `${s.label} (${day(s.done_on)})`));
  }
  if (m.classes.length) {
    parts.push(h('h3', { class: 'subsection-title' }, 'Lớp bồi dưỡng, tập huấn'),
      list(m.classes, (c) => [h('a', { href: `#/lop-hoc/${c.id}` }, c.title),
        h('span', { class: 'muted' }, c.outcome ? ` · ${OUTCOME[c.outcome] || c.outcome}${c.outcome_on ? ` (${day(c.outcome_on)})` : ''}` : ' · đang học')]));
  }
  if (m.events.length) {
    parts.push(h('h3', { class: 'subsection-title' }, 'Sự kiện đã tham gia'),
      list(m.events, (e) => [h('a', { href: `#/su-kien/${e.id}` }, e.title), h('span', { class: 'muted' }, ` · ${day(e.held_on)}`)]));
  }
  return section('Tham gia phong trào', ...parts);
}

// Change in digital competence (issue 8 part 6) and assisted learning (part 7), in the browser.
// - mySection(): "Năng lực số của tôi" on the learning page: per competence, before (the first
//   placement check) and after (the latest measure), as two labelled bars with the numbers written
//   out, large enough for a 360 px phone; and the placement check to take (first, or again at the end).
// - #/nang-luc-so: officers' report (reports.read): per competence, by child unit, by learner group.
// - #/hoc-cung and #/hoc-cung/:id: a field helper (field.write) picks a resident, sees their
//   profile, and starts a quiz with them (the attempt is the resident's, run on the helper's phone).
// Never computes a score: every number is the server's.
import { h, replace } from '../h.js';
import { api, request } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, empty, banner, badge, errorBanner, fmtNum, searchForm } from '../ui.js';

const pct = (v) => `${fmtNum(Math.round(v * 10) / 10)}%`;
const signed = (v) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${fmtNum(Math.abs(Math.round(v * 10) / 10))} điểm`;

function bar(label, value, kind) {
  const w = Math.max(0, Math.min(100, value));
  return h('div', { class: `cbar cbar-${kind}` },
    h('span', { class: 'cbar-label' }, label),
    h('progress', { class: 'cbar-track', max: '100', value: String(w), 'aria-hidden': 'true' }),
    h('span', { class: 'cbar-value' }, pct(value)));
}

/** One learner's profile as a list of competences, each with before/after bars. */
export function profileList(p) {
  if (!p.competencies.length) return null;
  return h('ul', { class: 'competence-list' }, p.competencies.map((c) => h('li', { class: 'competence-item', dataset: { code: c.code } },
    h('h3', { class: 'competence-name' }, h('span', { class: 'competence-code' }, c.code), ' ', c.name),
    h('p', { class: 'row-sub' }, c.domain_name),
    bar('Trước', c.before, 'before'),
    c.after === null ? h('p', { class: 'competence-wait' }, 'Chưa đo lại: làm lại bài kiểm tra đầu vào khi học xong.')
      : bar('Sau', c.after, 'after'),
    c.change === null ? null : h('p', { class: `competence-change ${c.change > 0 ? 'is-up' : c.change < 0 ? 'is-down' : ''}` }, signed(c.change)))));
}

function startPlacement(z, label) {
  const slot = h('div');
  const b = h('button', {
    type: 'button', class: 'btn btn-primary btn-large',
    onclick: async () => {
      b.disabled = true;
      try {
        const a = await request('POST', `/quizzes/${encodeURIComponent(z.id)}/attempts`);
        location.hash = `#/bai-lam/${a.id}`;
      } catch (err) {
        b.disabled = false;
        replace(slot, errorBanner(err));
      }
    },
  }, icon('chevron'), h('span', null, label));
  return h('div', { class: 'quiz-actions' }, b, slot);
}

/** The learner's section on the learning page; `quizzes` is the list the page already read. */
export async function mySection(quizzes) {
  const p = await api.get('/me/competence');
  const placement = quizzes.find((z) => z.purpose === 'placement');
  let action = null;
  if (placement) {
    const left = !placement.max_attempts || placement.mine.attempts < placement.max_attempts || placement.mine.open_attempt;
    if (placement.mine.open_attempt) action = startPlacement(placement, 'Làm tiếp bài kiểm tra đầu vào');
    else if (!p.measured) action = startPlacement(placement, 'Làm bài kiểm tra đầu vào');
    else if (left && p.measured_again < p.measured) action = startPlacement(placement, 'Học xong rồi? Đo lại năng lực');
  }
  const intro = p.measured
    ? 'Mỗi năng lực số: kết quả lần đầu (trước khi học) và lần đo gần nhất (sau khi học).'
    : 'Làm bài kiểm tra đầu vào ngắn để biết mình đang ở đâu với từng năng lực số. Học xong, làm lại để thấy mình tiến bộ.';
  return h('section', { class: 'card my-competence', 'aria-labelledby': 'nang-luc-cua-toi' },
    h('h2', { id: 'nang-luc-cua-toi', class: 'card-title' }, 'Năng lực số của tôi'),
    h('p', null, intro), action, profileList(p));
}

/* ---------- officers: the change by unit and group ---------- */

function changeCell(v) {
  return h('td', { class: `num ${v > 0 ? 'is-up' : v < 0 ? 'is-down' : ''}` }, signed(v));
}

function table(caption, head, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table competence-table' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', null, h('tr', null, head.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows)));
}

const NUM_HEAD = ['Người học', 'Trước', 'Sau', 'Thay đổi'];
const nums = (t) => [h('td', { class: 'num' }, fmtNum(t.learners)), h('td', { class: 'num' }, pct(t.before)), h('td', { class: 'num' }, pct(t.after)), changeCell(t.change)];

async function reportView(ctx) {
  const query = {};
  if (ctx.query.unit) query.unit = ctx.query.unit;
  if (ctx.query.group) query.group = ctx.query.group;
  const r = await api.get('/reports/competence-change', query);
  const unit = await api.get(`/units/${encodeURIComponent(r.unit_id)}`).catch(() => null);
  const go = (q) => ctx.setQuery({ unit: ctx.query.unit, group: ctx.query.group, ...q });
  const groupName = r.group ? (r.by_group.find((g) => g.group === r.group) || { label: r.group }).label : null;
  return h('div', { class: 'page' },
    pageHeader('Thay đổi năng lực số',
      `${unit ? unit.name : ''}${groupName ? ` · ${groupName}` : ''}: người học đã làm bài kiểm tra đầu vào và được đo lại.`,
      r.group ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => go({ group: undefined }) }, 'Mọi nhóm đối tượng') : null,
      unit && unit.parent_id && ctx.query.unit ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => go({ unit: String(unit.parent_id) }) }, icon('back'), h('span', null, 'Đơn vị cấp trên')) : null),
    r.total.learners ? banner('info', `${fmtNum(r.total.learners)} người học được đo hai lần: trung bình ${pct(r.total.before)} lúc đầu, ${pct(r.total.after)} lần sau (${signed(r.total.change)}).`)
      : banner('info', 'Chưa có người học nào được đo hai lần trong phạm vi này.'),
    section('Theo năng lực số', r.competencies.length ? table('Theo năng lực số', ['Năng lực'].concat(NUM_HEAD),
      r.competencies.map((c) => h('tr', null, h('th', { scope: 'row' }, `${c.code} · ${c.name}`), ...nums(c)))) : empty('Chưa có số liệu.')),
    section('Theo đơn vị', r.by_unit.length ? table('Theo đơn vị', ['Đơn vị'].concat(NUM_HEAD),
      r.by_unit.map((u) => h('tr', null, h('th', { scope: 'row' }, u.unit_id === r.unit_id ? u.name
        : h('button', { type: 'button', class: 'btn-link', onclick: () => go({ unit: String(u.unit_id) }) }, u.name)), ...nums(u)))) : empty('Chưa có số liệu.')),
    section('Theo nhóm đối tượng', r.by_group.length ? table('Theo nhóm đối tượng', ['Nhóm'].concat(NUM_HEAD),
      r.by_group.map((g) => h('tr', null, h('th', { scope: 'row' },
        h('button', { type: 'button', class: 'btn-link', onclick: () => go({ group: g.group }) }, g.label)), ...nums(g)))) : empty('Chưa có số liệu.')));
}

/* ---------- field helpers: a quiz with a resident ---------- */

async function pickView(ctx) {
  const q = ctx.query.q || '';
  const list = q ? await api.get('/residents', { q, per_page: 20 }) : null;
  return h('div', { class: 'page' },
    pageHeader('Học cùng người dân', 'Với người dân không có điện thoại: tìm người đó, rồi cùng làm bài kiểm tra trên máy của bạn. Bài làm được tính cho người dân và ghi tên bạn là người hỗ trợ.'),
    section('Tìm người dân', searchForm({ label: 'Họ tên, số điện thoại hoặc CCCD', value: q, onSearch: (v) => ctx.setQuery({ q: v || undefined }) }),
      list ? (list.items.length ? h('ul', { class: 'card-list helper-people' }, list.items.map((p) => h('li', { class: 'card' },
        h('a', { href: `#/hoc-cung/${p.id}`, class: 'helper-person' }, h('strong', null, p.full_name),
          h('span', { class: 'row-sub' }, [p.birth_year ? `sinh năm ${p.birth_year}` : null, p.unit_name].filter(Boolean).join(' · ')))))) : empty('Không tìm thấy ai.')) : null));
}

async function helperView(ctx) {
  const id = ctx.params.id;
  const [p, profile, quizzes] = await Promise.all([
    api.get(`/residents/${encodeURIComponent(id)}`),
    api.get(`/residents/${encodeURIComponent(id)}/competence`),
    api.get('/quizzes', { per_page: 50 }),
  ]);
  const slot = h('div', { 'aria-live': 'polite' });
  const start = (z) => {
    const b = h('button', {
      type: 'button', class: 'btn btn-primary btn-large', 'aria-label': `Làm cùng ${p.full_name}: ${z.title}`,
      onclick: async () => {
        b.disabled = true;
        try {
          const a = await request('POST', `/residents/${encodeURIComponent(id)}/attempts`, { body: { quiz_id: z.id } });
          location.hash = `#/bai-lam/${a.id}`;
        } catch (err) {
          b.disabled = false;
          replace(slot, errorBanner(err));
        }
      },
    }, icon('chevron'), h('span', null, 'Làm cùng'));
    return b;
  };
  const items = (quizzes.items || []).slice().sort((a, b) => (b.purpose === 'placement') - (a.purpose === 'placement'));
  return h('div', { class: 'page' },
    pageHeader(`Học cùng ${p.full_name}`, p.unit_name || '',
      h('a', { href: '#/hoc-cung', class: 'btn btn-secondary' }, icon('back'), h('span', null, 'Chọn người khác'))),
    banner('info', `Người dân có mặt cùng bạn. Đưa máy cho ${p.full_name} tự chọn, hoặc đọc to từng câu và chọn theo lời họ.`),
    slot,
    section('Chọn bài kiểm tra', items.length ? h('ul', { class: 'card-list quiz-list' }, items.map((z) => h('li', { class: 'card quiz-card', dataset: { id: String(z.id) } },
      h('h3', { class: 'card-title' }, z.title),
      z.purpose === 'placement' ? h('p', null, badge('Kiểm tra đầu vào', 'success')) : null,
      h('p', { class: 'row-sub' }, `${fmtNum(z.question_count)} câu · đạt từ ${z.pass_percent}%${z.max_attempts ? ` · tối đa ${z.max_attempts} lần` : ''}`),
      start(z)))) : empty('Chưa có bài kiểm tra nào.')),
    section(`Năng lực số của ${p.full_name}`, profileList(profile) || empty('Chưa làm bài kiểm tra đầu vào.')));
}

export async function render(ctx) {
  if (ctx.path.startsWith('/nang-luc-so')) return reportView(ctx);
  if (ctx.params && ctx.params.id) return helperView(ctx);
  return pickView(ctx);
}

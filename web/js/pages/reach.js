// Phổ cập số overview for officers: #/tong-quan-so — Đại sứ số (the plan's rules and their flags),
// Gia đình số (households counted per tổ dân phố, by the server's one rule) and, for the police and
// those with identity.read, VNeID coverage per tổ; and the teams' worklists: #/gia-dinh-so (the
// households where nobody has learned yet) and #/dinh-danh (adults without VNeID level 2), each
// paginated, a field helper's limited to their tổ by the server.
// Never computes a figure itself (every count and percentage is the server's) and never decides
// who is an adult or what counts as a digital family.
import { h } from '../h.js';
import { api, hasRoute } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, pager, empty, parsePage, fmtNum, banner, badge, setFlash } from '../ui.js';

const PER_PAGE = 50;
const LEVELS = ['Chưa có', 'Mức 1', 'Mức 2'];

function table(caption, cls, head, rows) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: `table table-cards ${cls}` },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows)));
}
const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
const unitLink = (base, id, name) => h('a', { href: `${base}?unit_id=${encodeURIComponent(id)}`, class: 'row-name' }, name);

/* ---------- the overview ---------- */

function ambassadorsCard(s) {
  const flags = [];
  if (s.mentors_short) flags.push(banner('warning', `${fmtNum(s.mentors_short)}/${fmtNum(s.mentors)} đại sứ số chưa hướng dẫn đủ ${s.min_mentees} người.`));
  if (s.no_centre) flags.push(banner('warning', 'Chưa có Trung tâm phục vụ hành chính công trong danh mục đơn vị.'));
  for (const c of s.centres || []) if (!c.helpers) flags.push(banner('warning', `${c.name} chưa có người hỗ trợ.`));
  return section('Đại sứ số',
    h('ul', { class: 'stat-list reach-ambassadors' },
      h('li', null, h('span', { class: 'stat-value' }, fmtNum(s.mentors)), h('span', { class: 'stat-label' }, 'đại sứ số hướng dẫn')),
      h('li', null, h('span', { class: 'stat-value' }, fmtNum(s.mentees)), h('span', { class: 'stat-label' }, 'người đang được hướng dẫn')),
      h('li', null, h('span', { class: 'stat-value' }, fmtNum((s.centres || []).reduce((t, c) => t + c.helpers, 0))), h('span', { class: 'stat-label' }, 'người hỗ trợ tại trung tâm'))),
    ...flags,
    h('p', null, h('a', { href: '#/dai-su-so', class: 'btn btn-secondary' }, h('span', null, 'Xem đại sứ số'), icon('chevron'))));
}

function familiesCard(f) {
  return section('Gia đình số',
    h('p', { class: 'muted' }, f.rule),
    h('ul', { class: 'stat-list reach-families' },
      h('li', null, h('span', { class: 'stat-value' }, `${fmtNum(f.percent)}%`), h('span', { class: 'stat-label' }, `${fmtNum(f.counted)}/${fmtNum(f.households)} hộ là gia đình số`)),
      h('li', { class: f.not_counted ? 'stat-warn' : null }, h('span', { class: 'stat-value' }, fmtNum(f.not_counted)), h('span', { class: 'stat-label' }, 'hộ chưa có ai học'))),
    f.by_unit.length ? table('Gia đình số theo tổ dân phố', 'families-table', ['Tổ dân phố', 'Số hộ', 'Gia đình số', 'Chưa có ai học'],
      f.by_unit.map((r) => h('tr', { dataset: { id: String(r.unit_id) } },
        h('td', { class: 'cell-title', dataset: { label: 'Tổ dân phố' } }, unitLink('#/gia-dinh-so', r.unit_id, r.name)),
        cell('Số hộ', fmtNum(r.households)),
        cell('Gia đình số', `${fmtNum(r.counted)} (${fmtNum(r.percent)}%)`),
        cell('Chưa có ai học', r.not_counted ? badge(fmtNum(r.not_counted), 'warning') : '0'))))
      : empty('Chưa có hộ gia đình nào trong phạm vi của bạn.'),
    h('p', null, h('a', { href: '#/gia-dinh-so', class: 'btn btn-secondary' }, h('span', null, 'Danh sách hộ chưa có ai học'), icon('chevron'))));
}

/** The day the VNeID figures are of: each person's level on that day (today by default). */
function vneidDateForm(ctx, v) {
  // no day after today in Vietnam (the server refuses one); the answer carries no "today"
  const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  const input = h('input', { type: 'date', name: 'date', value: v.date, id: 'vneid-date', class: 'input', max: today });
  const go = (e) => {
    e.preventDefault();
    ctx.setQuery({ date: input.value || '' });
  };
  return h('form', { class: 'ind-date-form', onsubmit: go },
    h('label', { for: 'vneid-date' }, 'Mức định danh vào ngày'),
    input,
    h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Xem'));
}

function vneidCard(ctx, v) {
  const pct = (a, b) => (b ? Math.round((a * 1000) / b) / 10 : 0);
  return section('Định danh điện tử VNeID',
    vneidDateForm(ctx, v),
    h('ul', { class: 'stat-list reach-vneid' },
      h('li', null, h('span', { class: 'stat-value' }, fmtNum(v.level2)), h('span', { class: 'stat-label' }, `/${fmtNum(v.residents)} người dân có mức 2`)),
      h('li', { class: v.adults_without_level2 ? 'stat-warn' : null }, h('span', { class: 'stat-value' }, fmtNum(v.adults_without_level2)), h('span', { class: 'stat-label' }, 'người từ 18 tuổi chưa có mức 2'))),
    v.by_unit.length ? table('Mức định danh theo tổ dân phố', 'vneid-table', ['Tổ dân phố', 'Chưa có', 'Mức 1', 'Mức 2', 'Từ 18 tuổi chưa có mức 2'],
      v.by_unit.map((r) => h('tr', { dataset: { id: String(r.unit_id) } },
        h('td', { class: 'cell-title', dataset: { label: 'Tổ dân phố' } }, unitLink('#/dinh-danh', r.unit_id, r.name)),
        cell('Chưa có', fmtNum(r.level0)),
        cell('Mức 1', fmtNum(r.level1)),
        cell('Mức 2', `${fmtNum(r.level2)} (${fmtNum(pct(r.level2, r.residents))}%)`),
        cell('Từ 18 tuổi chưa có mức 2', r.adults_without_level2 ? badge(fmtNum(r.adults_without_level2), 'warning') : '0'))))
      : empty('Không có tổ dân phố nào trong phạm vi của bạn. Tài khoản công an cần được giao vai trò trên phường để xem toàn phường.'),
    h('p', null, h('a', { href: '#/dinh-danh', class: 'btn btn-secondary' }, h('span', null, 'Danh sách người chưa có mức 2'), icon('chevron'))));
}

async function overview(ctx) {
  const q = ctx.query.unit_id ? { unit_id: ctx.query.unit_id } : {};
  const [amb, fam, vn] = await Promise.all([
    api.get('/ambassadors/summary'),
    api.get('/families', q),
    ctx.can('identity.read') ? api.get('/vneid/coverage', ctx.query.date ? { ...q, date: ctx.query.date } : q) : Promise.resolve(null),
  ]);
  return h('div', { class: 'page' },
    pageHeader('Tổng quan phổ cập số', 'Đại sứ số, gia đình số và định danh điện tử trong phạm vi của bạn, theo tổ dân phố.'),
    ambassadorsCard(amb),
    familiesCard(fam),
    vn ? vneidCard(ctx, vn) : section('Định danh điện tử VNeID',
      h('p', null, 'Số liệu theo mức định danh dành cho công an phường. Tổ của bạn có danh sách người từ 18 tuổi chưa có mức 2.'),
      h('p', null, h('a', { href: '#/dinh-danh', class: 'btn btn-secondary' }, h('span', null, 'Danh sách người chưa có mức 2'), icon('chevron')))));
}

/* ---------- the worklists ---------- */

async function familiesLeft(ctx) {
  const page = parsePage(ctx.query.page);
  const query = { page, per_page: PER_PAGE };
  if (ctx.query.unit_id) query.unit_id = ctx.query.unit_id;
  const data = await api.get('/families/left', query);
  const items = data.items || [];
  return h('div', { class: 'page' },
    pageHeader('Hộ chưa có ai học', 'Các hộ chưa có thành viên nào có chứng nhận hoặc xác nhận học tập, theo tổ dân phố rồi địa chỉ: danh sách việc của tổ công nghệ số.'),
    section('Danh sách hộ',
      items.length ? table('Hộ chưa có ai học', 'families-left-table', ['Địa chỉ', 'Tổ dân phố', 'Số người'],
        items.map((x) => h('tr', { dataset: { id: String(x.id) } },
          h('td', { class: 'cell-title', dataset: { label: 'Địa chỉ' } }, h('a', { href: `#/ho/${encodeURIComponent(x.id)}`, class: 'row-name' }, x.address || x.code || `Hộ ${x.id}`)),
          cell('Tổ dân phố', x.unit_name),
          cell('Số người', fmtNum(x.members)))))
        : empty('Mọi hộ trong phạm vi đã có người học.'),
      pager(data, (n) => ctx.setQuery({ page: n > 1 ? String(n) : '' }), 'hộ')),
    h('p', null, h('a', { href: '#/tong-quan-so', class: 'btn btn-secondary' }, icon('back'), h('span', null, 'Tổng quan phổ cập số'))));
}

/** The police's action on a row (identity.write): level 2 reached today, or on the day picked. */
function level2Form(ctx, x) {
  const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  const day = h('input', { type: 'date', name: 'vneid_since', class: 'input', max: today, 'aria-label': `Ngày ${x.full_name} đạt mức 2 (để trống: hôm nay)` });
  const status = h('span', { class: 'field-error', role: 'alert' });
  const go = async (e) => {
    e.preventDefault();
    status.textContent = '';
    const body = { vneid_level: 2 };
    if (day.value) body.vneid_since = day.value;
    try {
      await api.put(`/residents/${encodeURIComponent(x.id)}/vneid`, body);
    } catch (err) {
      status.textContent = err.message || 'Không ghi được.';
      return;
    }
    setFlash(`Đã ghi mức 2 cho ${x.full_name}.`);
    ctx.refresh();
  };
  return h('form', { class: 'vneid-set-form', onsubmit: go, 'aria-label': `Ghi mức 2 cho ${x.full_name}` },
    day, h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Đã đạt mức 2'), status);
}

async function vneidWorklist(ctx) {
  const page = parsePage(ctx.query.page);
  const query = { page, per_page: PER_PAGE };
  if (ctx.query.unit_id) query.unit_id = ctx.query.unit_id;
  const data = await api.get('/vneid/worklist', query);
  const items = data.items || [];
  const canSet = ctx.can('identity.write');
  const heads = ['Họ và tên', 'Năm sinh', 'Tổ dân phố', 'Mức hiện tại', 'Địa chỉ', ...(canSet ? ['Ghi mức'] : [])];
  return h('div', { class: 'page' },
    pageHeader('Người chưa có định danh mức 2', 'Người từ 18 tuổi đang cư trú chưa có tài khoản định danh điện tử VNeID mức 2, theo tổ dân phố rồi họ tên.'),
    section('Danh sách người',
      items.length ? table('Người chưa có định danh mức 2', 'vneid-worklist-table', heads,
        items.map((x) => h('tr', { dataset: { id: String(x.id) } },
          h('td', { class: 'cell-title', dataset: { label: 'Họ và tên' } }, h('a', { href: `#/dan-cu/${encodeURIComponent(x.id)}`, class: 'row-name' }, x.full_name)),
          cell('Năm sinh', x.birth_year ? String(x.birth_year) : ''),
          cell('Tổ dân phố', x.unit_name),
          cell('Mức hiện tại', LEVELS[x.vneid_level] || String(x.vneid_level)),
          cell('Địa chỉ', x.address || ''),
          canSet ? h('td', { dataset: { label: 'Ghi mức' } }, level2Form(ctx, x)) : null)))
        : empty('Mọi người từ 18 tuổi trong phạm vi đã có định danh mức 2.'),
      pager(data, (n) => ctx.setQuery({ page: n > 1 ? String(n) : '' }), 'người')),
    h('p', null, h('a', { href: '#/tong-quan-so', class: 'btn btn-secondary' }, icon('back'), h('span', null, 'Tổng quan phổ cập số'))));
}

export async function render(ctx) {
  if (!(await hasRoute('/families'))) {
    return h('div', { class: 'page' }, pageHeader('Tổng quan phổ cập số', null),
      banner('warning', 'Máy chủ chưa có chức năng này. Chức năng sẽ dùng được sau khi hệ thống được cập nhật.'));
  }
  if (ctx.path === '/gia-dinh-so') return familiesLeft(ctx);
  if (ctx.path === '/dinh-danh') return vneidWorklist(ctx);
  return overview(ctx);
}

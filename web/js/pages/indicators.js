// Chỉ tiêu (the movement's dashboard): #/chi-tieu?unit=ID&date=YYYY-MM-DD — every target of the plan
// and every model rule for a unit and its whole subtree on a date: value, the year's target, the gap,
// as a bar; the units below it to drill down into. The home page shows the same list for the
// officer's own unit (indicatorList). #/chi-tieu/chua-dat?code=&unit=&date= lists those an indicator
// over people or households leaves behind, with the team's worklist as a CSV file.
// Never computes a figure: numerator, denominator, percent, target and gap are the server's.
import { h } from '../h.js';
import { api } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, empty, fmtNum, badge, pager, parsePage } from '../ui.js';
import { groupLabel } from './people-common.js';

// The worklists of those an indicator leaves behind, for the teams (pages/reach.js).
const LEFT = {
  M3: { href: '#/gia-dinh-so', label: 'Hộ chưa có ai học' },
  M4: { href: '#/dinh-danh', label: 'Người chưa có định danh mức 2' },
};

const BASES = {
  people: 'người', students: 'học sinh', households: 'hộ', schools: 'trường', mentors: 'đại sứ số', centres: 'trung tâm',
};

function bar(it) {
  const pct = it.percent === null ? 0 : Math.max(0, Math.min(100, it.percent));
  const label = it.percent === null ? 'Chưa có ai trong mẫu số' : `${fmtNum(it.percent)}%`;
  // Widths through the CSSOM: the page's CSP allows no inline style attribute.
  const fill = h('span', { class: `ind-fill${it.met ? ' ind-met' : ''}` });
  fill.style.width = `${pct}%`;
  const mark = it.target === null ? null : h('span', { class: 'ind-target' });
  if (mark) mark.style.left = `${Math.min(100, it.target)}%`;
  return h('div', { class: 'ind-bar', role: 'img', 'aria-label': it.target === null ? label : `${label}, chỉ tiêu ${it.target}%` },
    fill, mark);
}

function status(it) {
  if (it.percent === null) return badge('Chưa có số liệu', 'neutral');
  if (it.target === null) return badge('Theo dõi', 'neutral');
  return it.met ? badge('Đạt', 'success') : badge(`Còn thiếu ${fmtNum(it.gap)} điểm %`, 'warning');
}

/* Whether the indicator counts people or households and somebody is still missing from it. */
function hasLeftBehind(it) {
  return (it.base === 'people' || it.base === 'households') && it.met !== true && it.numerator < it.denominator;
}

/* The page of those left behind, for the same unit and date. */
function leftHref(it, data) {
  const q = new URLSearchParams({ code: it.code, unit: String(data.unit.id) });
  if (data.date) q.set('date', data.date);
  return `#/chi-tieu/chua-dat?${q}`;
}

/** The list of indicators of one answer of GET /indicators; `rankHref(it)`, when given, links each
 * to the ranking of the units below (and, when somebody is left behind, to their list). */
export function indicatorList(data, rankHref = null) {
  if (!data.items.length) return empty('Chưa có chỉ tiêu nào.');
  return h('ul', { class: 'ind-list' },
    data.items.map((it) => h('li', { class: 'ind-item', dataset: { code: it.code } },
      h('div', { class: 'ind-head' },
        h('span', { class: 'ind-code' }, it.code),
        h('span', { class: 'ind-name' }, it.name)),
      bar(it),
      h('div', { class: 'ind-figures' },
        h('span', { class: 'ind-value' }, it.percent === null ? '—' : `${fmtNum(it.percent)}%`),
        h('span', { class: 'ind-count' }, `${fmtNum(it.numerator)}/${fmtNum(it.denominator)} ${BASES[it.base] || ''}`),
        h('span', { class: 'ind-goal' }, it.target === null ? 'không có chỉ tiêu năm' : `chỉ tiêu ${fmtNum(it.target)}%`),
        status(it)),
      rankHref ? h('div', { class: 'ind-links' },
        h('a', { href: rankHref(it), class: 'ind-rank-link' }, 'Xếp hạng đơn vị trực thuộc'),
        h('a', { href: rankHref(it).replace('/xep-hang?', '/theo-quy?'), class: 'ind-rank-link' }, 'Theo quý'),
        hasLeftBehind(it) ? h('a', { href: leftHref(it, data), class: 'ind-rank-link ind-left-link' }, 'Danh sách chưa đạt') : null,
        LEFT[it.code] ? h('a', { href: `${LEFT[it.code].href}?unit_id=${encodeURIComponent(data.unit.id)}`, class: 'ind-rank-link' }, LEFT[it.code].label) : null) : null)));
}

/* ---------- #/chi-tieu/theo-quy?code=&unit= : the quarters kept, and today, as a chart ---------- */

// Chart.js (npm, pinned in package-lock.json; scripts/install-deps.sh copies its browser build into
// web/vendor, served by the binary like every other file): loaded on this page only.
let chartLib = null;
function loadChart() {
  if (!chartLib) chartLib = import('../../vendor/chart.umd.min.js').then(() => globalThis.Chart);
  return chartLib;
}

async function trend(ctx) {
  const code = ctx.query.code || 'T3';
  const query = { code };
  if (ctx.query.unit) query.unit = ctx.query.unit;
  const [hist, now] = await Promise.all([
    api.get('/indicators/history', query),
    api.get('/indicators', ctx.query.unit ? { unit: ctx.query.unit } : {}),
  ]);
  const today = now.items.find((x) => x.code === code);
  const points = hist.items.map((x) => ({ label: x.quarter.replace('-', ' '), percent: x.percent, target: x.target, num: x.numerator, den: x.denominator }));
  if (today) points.push({ label: 'Hôm nay', percent: today.percent, target: today.target, num: today.numerator, den: today.denominator });
  const canvas = h('canvas', { id: 'ind-trend-chart', role: 'img', 'aria-label': `Tỷ lệ ${hist.indicator.name} theo quý` });
  const table = h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards ind-trend' },
      h('caption', { class: 'visually-hidden' }, `${hist.indicator.name} theo quý`),
      h('thead', null, h('tr', null, ['Quý', 'Tỷ lệ', 'Số đạt', 'Chỉ tiêu'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, points.map((p) => h('tr', null,
        h('td', { class: 'cell-title', dataset: { label: 'Quý' } }, p.label),
        h('td', { dataset: { label: 'Tỷ lệ' } }, p.percent === null ? '—' : `${fmtNum(p.percent)}%`),
        h('td', { dataset: { label: 'Số đạt' } }, `${fmtNum(p.num)}/${fmtNum(p.den)}`),
        h('td', { dataset: { label: 'Chỉ tiêu' } }, p.target === null ? '—' : `${fmtNum(p.target)}%`))))));
  const page = h('div', { class: 'page page-indicators' },
    pageHeader(`Theo quý: ${code} ${hist.indicator.name}`, `${hist.unit.name}: số liệu cuối mỗi quý (giữ nguyên như đã báo cáo) và hôm nay.`),
    points.length > 1 ? h('div', { class: 'ind-chart' }, canvas) : null,
    points.length ? table : empty('Chưa có số liệu quý nào được lưu.'),
    h('p', null, h('a', { href: `#/chi-tieu?unit=${encodeURIComponent(hist.unit.id)}`, class: 'btn btn-secondary' }, 'Về các chỉ tiêu')));
  if (points.length > 1) {
    loadChart().then((Chart) => {
      const chart = new Chart(canvas, {
        type: 'line',
        data: {
          labels: points.map((p) => p.label),
          datasets: [
            { label: 'Tỷ lệ (%)', data: points.map((p) => p.percent), borderColor: '#1b4f8a', backgroundColor: '#1b4f8a', tension: 0.2 },
            { label: 'Chỉ tiêu (%)', data: points.map((p) => p.target), borderColor: '#7a4f00', borderDash: [6, 4], pointRadius: 0, stepped: true },
          ],
        },
        options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { min: 0, max: 100 } } },
      });
      canvas.dataset.ready = String(chart.data.labels.length);
    }, () => canvas.replaceWith(empty('Không tải được biểu đồ; bảng bên dưới có đủ số liệu.')));
  }
  return page;
}

/* ---------- #/chi-tieu/xep-hang?code=&unit=&date= : the units below, ranked ---------- */

async function ranking(ctx) {
  const query = { code: ctx.query.code || 'T3' };
  if (ctx.query.unit) query.unit = ctx.query.unit;
  if (ctx.query.date) query.date = ctx.query.date;
  const data = await api.get('/indicators/ranking', query);
  const ind = data.indicator;
  const rows = data.items.map((x) => h('tr', { dataset: { id: String(x.unit_id) } },
    h('td', { dataset: { label: 'Hạng' }, class: 'ind-rank' }, x.rank === null ? '—' : String(x.rank)),
    h('td', { class: 'cell-title', dataset: { label: 'Đơn vị' } },
      h('a', { href: `#/chi-tieu?unit=${encodeURIComponent(x.unit_id)}&date=${encodeURIComponent(data.date)}`, class: 'row-name' }, x.name)),
    h('td', { dataset: { label: 'Tỷ lệ' } }, bar({ ...x, target: ind.target }), x.percent === null ? '—' : `${fmtNum(x.percent)}%`),
    h('td', { dataset: { label: 'Số đạt' }, class: 'ind-count' }, `${fmtNum(x.numerator)}/${fmtNum(x.denominator)}`)));
  return h('div', { class: 'page page-indicators' },
    pageHeader(`Xếp hạng: ${ind.code} ${ind.name}`,
      `Các đơn vị trực thuộc ${data.unit.name}, tính đến hết ngày ${data.date.split('-').reverse().join('/')}` +
      (ind.target === null ? '.' : `; chỉ tiêu năm ${fmtNum(ind.target)}%.`)),
    data.items.length ? h('div', { class: 'table-wrap' },
      h('table', { class: 'table table-cards ind-ranking' },
        h('caption', { class: 'visually-hidden' }, `Xếp hạng theo ${ind.name}`),
        h('thead', null, h('tr', null, ['Hạng', 'Đơn vị', 'Tỷ lệ', 'Số đạt'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, rows)))
      : empty('Đơn vị này không có đơn vị trực thuộc.'),
    h('p', null, h('a', { href: `#/chi-tieu?unit=${encodeURIComponent(data.unit.id)}&date=${encodeURIComponent(data.date)}`, class: 'btn btn-secondary' }, 'Về các chỉ tiêu')));
}

/* ---------- #/chi-tieu/chua-dat?code=&unit=&date=&page= : those left behind, and the worklist ---------- */

const LEFT_PER_PAGE = 50;

function leftTable(data) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  if (data.indicator.base === 'households') {
    return h('table', { class: 'table table-cards ind-left-table' },
      h('caption', { class: 'visually-hidden' }, `Hộ chưa đạt: ${data.indicator.name}`),
      h('thead', null, h('tr', null, ['Địa chỉ', 'Mã hộ', 'Tổ dân phố', 'Số người'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, data.items.map((x) => h('tr', { dataset: { id: String(x.id) } },
        h('td', { class: 'cell-title', dataset: { label: 'Địa chỉ' } },
          h('a', { href: `#/ho/${encodeURIComponent(x.id)}`, class: 'row-name' }, x.address || x.code || `Hộ ${x.id}`)),
        cell('Mã hộ', x.code || '—'),
        cell('Tổ dân phố', x.unit_name || '—'),
        cell('Số người', fmtNum(x.members))))));
  }
  return h('table', { class: 'table table-cards ind-left-table' },
    h('caption', { class: 'visually-hidden' }, `Người chưa đạt: ${data.indicator.name}`),
    h('thead', null, h('tr', null, ['Họ và tên', 'Năm sinh', 'Tổ dân phố', 'Địa chỉ', 'Điện thoại', 'Nhóm đối tượng'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, data.items.map((x) => h('tr', { dataset: { id: String(x.id) } },
      h('td', { class: 'cell-title', dataset: { label: 'Họ và tên' } },
        h('a', { href: `#/dan-cu/${encodeURIComponent(x.id)}`, class: 'row-name' }, x.full_name),
        x.restricted ? [' ', badge('Hạn chế xử lý: không có trong tệp', 'neutral')] : null),
      cell('Năm sinh', x.birth_year === null ? '—' : String(x.birth_year)),
      cell('Tổ dân phố', x.unit_name || '—'),
      cell('Địa chỉ', x.address || '—'),
      cell('Điện thoại', x.phone ? h('a', { href: `tel:${x.phone}` }, x.phone) : '—'),
      cell('Nhóm đối tượng', x.groups.length ? x.groups.map((g) => groupLabel(g)).join('; ') : '—')))));
}

async function leftBehind(ctx) {
  const page = parsePage(ctx.query.page);
  const query = { code: ctx.query.code || 'T3', page, per_page: LEFT_PER_PAGE };
  if (ctx.query.unit) query.unit = ctx.query.unit;
  if (ctx.query.date) query.date = ctx.query.date;
  const data = await api.get('/indicators/left-behind', query);
  const ind = data.indicator;
  const people = ind.base === 'people';
  const file = new URLSearchParams({ code: ind.code, unit: String(data.unit.id), date: data.date });
  const back = `#/chi-tieu?unit=${encodeURIComponent(data.unit.id)}&date=${encodeURIComponent(data.date)}`;
  return h('div', { class: 'page page-indicators' },
    pageHeader(`Chưa đạt: ${ind.code} ${ind.name}`,
      `${data.unit.name} và mọi đơn vị trực thuộc, tính đến hết ngày ${data.date.split('-').reverse().join('/')}: ` +
      (people ? 'những người trong mẫu số chưa đạt, theo tổ dân phố rồi họ tên.' : 'những hộ trong mẫu số chưa đạt, theo tổ dân phố rồi địa chỉ.')),
    h('p', { class: 'ind-links' },
      h('a', { href: `/api/v1/indicators/left-behind.csv?${file}`, class: 'btn btn-primary ind-left-csv', download: '' }, 'Tải danh sách (CSV)'),
      h('a', { href: back, class: 'btn btn-secondary' }, icon('back'), h('span', null, 'Về các chỉ tiêu'))),
    h('p', { class: 'muted' }, 'Tệp CSV là danh sách việc của tổ: mở được bằng Excel, có cột ghi chú để đánh dấu người, hộ đã được hỗ trợ. Mỗi lần xem và tải danh sách đều được ghi vào nhật ký truy cập.'),
    section(people ? 'Danh sách người chưa đạt' : 'Danh sách hộ chưa đạt',
      data.items.length ? h('div', { class: 'table-wrap' }, leftTable(data))
        : empty(people ? 'Mọi người trong mẫu số đã đạt chỉ tiêu này.' : 'Mọi hộ trong mẫu số đã đạt chỉ tiêu này.'),
      pager(data, (n) => ctx.setQuery({ page: n > 1 ? String(n) : '' }), people ? 'người' : 'hộ')));
}

/* The quarters that have ended (the last four) and the last year, for the reports. */
function periods(todayIso) {
  let y = Number(todayIso.slice(0, 4));
  let q = Math.floor((Number(todayIso.slice(5, 7)) - 1) / 3);
  const out = [];
  const roman = ['I', 'II', 'III', 'IV'];
  for (let k = 0; k < 4; k++) {
    if (q === 0) { y -= 1; q = 4; }
    out.push({ value: `${y}-Q${q}`, label: `Quý ${roman[q - 1]} năm ${y}` });
    q -= 1;
  }
  const year = Number(todayIso.slice(0, 4)) - 1;
  out.push({ value: String(year), label: `Cả năm ${year}` });
  return out;
}

function reportsSection(unit, todayIso) {
  const choices = periods(todayIso);
  const select = h('select', { id: 'report-period', name: 'period', class: 'input' },
    choices.map((c) => h('option', { value: c.value }, c.label)));
  const pdf = h('a', { class: 'btn btn-primary', download: '' }, 'Tải báo cáo PDF');
  const xlsx = h('a', { class: 'btn btn-secondary', download: '' }, 'Tải báo cáo Excel');
  const update = () => {
    const q = new URLSearchParams({ unit: String(unit), period: select.value });
    pdf.href = `/api/v1/reports/pdf?${q}`;
    xlsx.href = `/api/v1/reports/report.xlsx?${q}`;
  };
  select.addEventListener('change', update);
  update();
  return section('Báo cáo quý, năm',
    h('p', { class: 'muted' }, 'Báo cáo kết quả thực hiện Phong trào “Bình dân học vụ số” theo thể thức Nghị định 30/2020/NĐ-CP, với số liệu cuối quý đã lưu.'),
    h('div', { class: 'ind-date-form' }, h('label', { for: 'report-period' }, 'Kỳ báo cáo'), select),
    h('p', { class: 'ind-links' }, pdf, xlsx));
}

function dateForm(ctx, unit, date) {
  const input = h('input', { type: 'date', name: 'date', value: date, id: 'ind-date', class: 'input' });
  const go = (e) => {
    e.preventDefault();
    const q = new URLSearchParams({ unit: String(unit) });
    if (input.value) q.set('date', input.value);
    location.hash = `#/chi-tieu?${q}`;
  };
  return h('form', { class: 'ind-date-form', onsubmit: go },
    h('label', { for: 'ind-date' }, 'Ngày tham chiếu'),
    input,
    h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Xem'));
}

export async function render(ctx) {
  if (ctx.params && ctx.params.view === 'xep-hang') return ranking(ctx);
  if (ctx.params && ctx.params.view === 'theo-quy') return trend(ctx);
  if (ctx.params && ctx.params.view === 'chua-dat') return leftBehind(ctx);
  const query = {};
  if (ctx.query.unit) query.unit = ctx.query.unit;
  if (ctx.query.date) query.date = ctx.query.date;
  const data = await api.get('/indicators', query);
  const children = ctx.can('units.read') ? await api.get('/units', { parent_id: data.unit.id, per_page: 100 }).catch(() => null) : null;
  const honours = await api.get('/commendations', { unit: data.unit.id, date: data.date }).catch(() => null);
  const honoursSection = honours && honours.rules.length
    ? section('Thi đua, khen thưởng: đơn vị đủ điều kiện',
      h('ul', { class: 'ind-honours' }, honours.rules.map((rl) => h('li', { dataset: { rule: String(rl.id) } },
        h('strong', null, rl.name),
        rl.candidates.length
          ? h('ul', null, rl.candidates.map((c) => h('li', { dataset: { unit: String(c.unit_id) } },
            h('a', { href: `#/chi-tieu?unit=${encodeURIComponent(c.unit_id)}&date=${encodeURIComponent(data.date)}` }, c.name), ` — ${c.why}`)))
          : h('p', { class: 'muted' }, 'Chưa có đơn vị nào.')))))
    : null;
  const below = children && children.items && children.items.length
    ? section('Đơn vị trực thuộc',
      h('ul', { class: 'ind-units' }, children.items.map((u) => h('li', null,
        h('a', { href: `#/chi-tieu?unit=${encodeURIComponent(u.id)}&date=${encodeURIComponent(data.date)}`, class: 'quick-link' },
          h('span', { class: 'quick-body' }, h('span', { class: 'quick-title' }, u.name)),
          icon('chevron', 'quick-chevron'))))))
    : null;
  return h('div', { class: 'page page-indicators' },
    pageHeader(`Chỉ tiêu: ${data.unit.name}`, `Số liệu tính đến hết ngày ${data.date.split('-').reverse().join('/')}, cho đơn vị này và mọi đơn vị trực thuộc.${data.counted === 'live' ? (data.pending ? ` Đang cập nhật ${data.pending.toLocaleString('vi-VN')} hồ sơ vừa thay đổi; số liệu sẽ đủ sau ít phút.` : ' Cập nhật ngay khi hồ sơ thay đổi.') : ''}`),
    dateForm(ctx, data.unit.id, data.date),
    reportsSection(data.unit.id, new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10)),
    section('Chỉ tiêu của kế hoạch và các mô hình', indicatorList(data, (it) =>
      `#/chi-tieu/xep-hang?code=${encodeURIComponent(it.code)}&unit=${encodeURIComponent(data.unit.id)}&date=${encodeURIComponent(data.date)}`)),
    honoursSection,
    below);
}

// Confirmations from outside (xác nhận bên ngoài): #/xac-nhan — the confirmations of the people in
// the officer's scope (VNeID, the national platform binhdanhocvuso.gov.vn, courses elsewhere), the
// people counted by kind, and the import of a CSV or Excel list with its per-row report; and, on a
// resident's page, the block "Xác nhận từ nền tảng quốc gia" (list, add, remove).
// Never shows a CCCD (the server never sends one here) and never counts anything itself: the counts
// are the server's.
import { h, replace } from '../h.js';
import { api, request, ApiError, hasRoute } from '../api.js';
import { icon } from '../icons.js';
import {
  pageHeader, section, field, form, pager, empty, disclosure, setFlash, parsePage, fmtNum, banner, errorBanner,
  confirmDialog, dateField, parseDayMonthYear, dateProblem, isoToDayMonthYear, badge, FieldError,
} from '../ui.js';

const PER_PAGE = 50;
const MAX_BYTES = 16 * 1024 * 1024;
export const KINDS = [
  { value: 'vneid', label: 'VNeID', hint: 'Đạt chuẩn phổ cập kỹ năng số, xác nhận trên ứng dụng VNeID' },
  { value: 'national_platform', label: 'Nền tảng Bình dân học vụ số', hint: 'Hoàn thành trên binhdanhocvuso.gov.vn' },
  { value: 'course_elsewhere', label: 'Khóa học khác', hint: 'Hoàn thành một khóa học ở đơn vị khác (ghi tên đơn vị)' },
];
const kindLabel = (k) => (KINDS.find((x) => x.value === k) || {}).label || k;

function whenText(c) {
  return isoToDayMonthYear(c.confirmed_on) || c.confirmed_on;
}

/* ---------- one person's confirmations (on the resident's page) ---------- */

function addForm(ctx, p) {
  return form({
    submitLabel: 'Ghi nhận',
    busyLabel: 'Đang ghi…',
    className: 'confirmation-form',
    attrs: { 'aria-label': 'Ghi nhận xác nhận từ bên ngoài' },
    onSubmit: async (values) => {
      const problem = dateProblem(values.confirmed_on);
      if (problem) throw new FieldError('confirmed_on', problem);
      const iso = parseDayMonthYear(values.confirmed_on);
      if (!iso) throw new FieldError('confirmed_on', 'Vui lòng nhập ngày xác nhận.');
      const body = { kind: values.kind, confirmed_on: iso };
      if (values.source.trim()) body.source = values.source.trim();
      if (values.reference.trim()) body.reference = values.reference.trim();
      await api.post(`/residents/${encodeURIComponent(p.id)}/confirmations`, body);
      setFlash('Đã ghi nhận xác nhận.'); // recorded before (200): the same record, nothing twice
      ctx.refresh();
      return undefined;
    },
  },
  field({ label: 'Loại xác nhận', name: 'kind', type: 'select', value: 'vneid', options: KINDS, optionalMark: false }),
  field({ label: 'Nguồn', name: 'source', maxlength: 200, hint: 'Để trống với VNeID và nền tảng Bình dân học vụ số; với khóa học khác, ghi đơn vị tổ chức.' }),
  dateField({ label: 'Ngày xác nhận', name: 'confirmed_on', required: true }),
  field({ label: 'Số hiệu chứng nhận', name: 'reference', maxlength: 100 }));
}

function removeButton(ctx, c, slot) {
  const button = h('button', {
    type: 'button', class: 'btn btn-danger-outline btn-small', 'aria-label': `Xóa xác nhận ${kindLabel(c.kind)} ngày ${whenText(c)}`,
    onclick: async () => {
      const yes = await confirmDialog({
        title: 'Xóa xác nhận ghi nhầm?',
        message: `Xóa xác nhận “${kindLabel(c.kind)}” ngày ${whenText(c)} (${c.source}). Việc xóa được ghi vào nhật ký.`,
        okLabel: 'Xóa', danger: true,
      });
      if (!yes) return;
      button.disabled = true;
      try {
        await api.del(`/confirmations/${encodeURIComponent(c.id)}`);
        setFlash('Đã xóa xác nhận.');
        ctx.refresh();
      } catch (err) {
        button.disabled = false;
        if (err instanceof ApiError && err.status === 401) throw err;
        replace(slot, errorBanner(err));
      }
    },
  }, icon('close'), h('span', null, 'Xóa'));
  return button;
}

function itemOf(ctx, c, canWrite) {
  const slot = h('div');
  return h('li', { class: 'confirmation-item', dataset: { id: String(c.id), kind: c.kind } },
    h('p', { class: 'request-head' },
      h('strong', null, kindLabel(c.kind)), ' ',
      c.via_import ? badge('Nhập từ danh sách', 'neutral') : null),
    h('p', { class: 'item-meta' }, `Ngày ${whenText(c)} · ${c.source}`, c.reference ? ` · số hiệu ${c.reference}` : '',
      c.recorded_by ? ` · ghi bởi ${c.recorded_by}` : ''),
    canWrite ? removeButton(ctx, c, slot) : null, slot);
}

/** The block on a resident's page; null when the server has no such route yet. */
export async function personConfirmations(ctx, p, canWrite) {
  if (!(await hasRoute('/residents/{id}/confirmations'))) return null;
  let items;
  try {
    items = (await api.get(`/residents/${encodeURIComponent(p.id)}/confirmations`)).items || [];
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    return section('Xác nhận từ nền tảng quốc gia', errorBanner(err));
  }
  return section('Xác nhận từ nền tảng quốc gia',
    h('p', { class: 'muted' }, 'Xác nhận đạt chuẩn phổ cập kỹ năng số trên VNeID, hoàn thành trên nền tảng Bình dân học vụ số, hoặc khóa học ở nơi khác.'),
    items.length ? h('ul', { class: 'request-list confirmation-list' }, items.map((c) => itemOf(ctx, c, canWrite)))
      : empty(`Chưa có xác nhận nào của ${p.full_name}.`),
    canWrite ? disclosure('Ghi nhận xác nhận', addForm(ctx, p)) : null);
}

/* ---------- the import ---------- */

function reportTable(caption, rows, cols) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards problems-table' },
      h('caption', null, caption),
      h('thead', null, h('tr', null, cols.map(([t]) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows.map((r) => h('tr', null, cols.map(([t, f]) => h('td', { dataset: { label: t } }, f(r))))))));
}

const FIELD_LABELS = { cccd: 'Số CCCD', kind: 'Loại xác nhận', source: 'Nguồn', confirmed_on: 'Ngày xác nhận', reference: 'Số hiệu' };

export function importReport(r) {
  const head = `Đã ghi nhận ${fmtNum(r.recorded)} xác nhận${r.unchanged ? `; ${fmtNum(r.unchanged)} xác nhận đã có từ trước nên giữ nguyên` : ''}.`;
  const problems = (r.unmatched_count || 0) + (r.rejected_count || 0);
  return h('div', { class: 'import-result', role: 'status' },
    banner(problems ? 'warning' : 'success', head),
    r.unmatched_count ? h('p', null, `${fmtNum(r.unmatched_count)} dòng không ghép được với người dân nào trong phạm vi của bạn.`) : null,
    r.unmatched && r.unmatched.length ? reportTable('Các dòng không ghép được', r.unmatched, [['Dòng', (x) => String(x.line)], ['Lý do', (x) => x.reason]]) : null,
    r.rejected_count ? h('p', null, `${fmtNum(r.rejected_count)} dòng sai. Sửa các dòng này trong tệp rồi nhập lại: các dòng đã ghi nhận sẽ không bị ghi lần nữa.`) : null,
    r.rejected && r.rejected.length ? reportTable('Các dòng sai', r.rejected, [['Dòng', (x) => String(x.line)], ['Cột', (x) => FIELD_LABELS[x.field] || x.field], ['Lý do', (x) => x.reason]]) : null);
}

function importForm(ctx) {
  const input = h('input', { id: 'xac-nhan-tep', type: 'file', name: 'file', class: 'file-input', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const slot = h('div', { class: 'import-slot', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('upload'), h('span', null, 'Nhập danh sách'));
  const el = h('form', { class: 'form import-confirmations', novalidate: true },
    h('div', { class: 'field' },
      h('label', { for: 'xac-nhan-tep', class: 'field-label' }, 'Tệp danh sách xác nhận'),
      h('p', { class: 'field-hint' }, 'CSV UTF-8 hoặc Excel (.xlsx), tối đa 16 MB. Dòng đầu là tiêu đề: Số CCCD, Loại xác nhận (VNeID, Nền tảng Bình dân học vụ số, Khóa học khác), Nguồn, Ngày xác nhận (dd/mm/yyyy), Số hiệu. Mỗi dòng được ghép với người dân trong phạm vi của bạn theo số CCCD.'),
      input),
    h('div', { class: 'form-actions' }, button), slot);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = input.files && input.files[0];
    if (!file) return replace(slot, banner('error', 'Vui lòng chọn tệp danh sách.'));
    if (file.size > MAX_BYTES) return replace(slot, banner('error', 'Tệp lớn hơn 16 MB. Hãy chia thành nhiều tệp nhỏ hơn.'));
    button.disabled = true;
    replace(slot, h('p', { class: 'loading' }, 'Đang đọc và ghép danh sách…'));
    try {
      const r = await request('POST', '/confirmations/import', { query: { name: file.name.slice(0, 200) }, raw: file });
      replace(slot, importReport(r), h('p', null, h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => ctx.refresh() },
        icon('back'), h('span', null, 'Xem danh sách xác nhận'))));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err;
      replace(slot, errorBanner(err));
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

/* ---------- the page ---------- */

function countsCard(people) {
  if (!people) return null;
  const item = (label, n) => h('li', null, h('span', { class: 'stat-value' }, fmtNum(n)), h('span', { class: 'stat-label' }, label));
  return h('section', { class: 'card', 'aria-label': 'Số người đã được xác nhận' },
    h('ul', { class: 'stat-list confirmation-counts' },
      item('người đạt chuẩn trên VNeID', people.vneid),
      item('người hoàn thành trên nền tảng Bình dân học vụ số', people.national_platform),
      item('người hoàn thành khóa học khác', people.course_elsewhere),
      item('người có ít nhất một xác nhận', people.any)));
}

function listTable(items) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards confirmations-table' },
      h('caption', { class: 'visually-hidden' }, 'Xác nhận từ bên ngoài'),
      h('thead', null, h('tr', null, ['Họ và tên', 'Đơn vị', 'Loại', 'Nguồn', 'Ngày'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((c) => h('tr', { dataset: { id: String(c.id) } },
        h('td', { class: 'cell-title', dataset: { label: 'Họ và tên' } }, h('a', { href: `#/dan-cu/${encodeURIComponent(c.person_id)}`, class: 'row-name' }, c.full_name)),
        cell('Đơn vị', c.unit_name),
        cell('Loại', kindLabel(c.kind)),
        cell('Nguồn', c.source),
        cell('Ngày', whenText(c)))))));
}

function filterForm(ctx) {
  const el = h('form', { class: 'form filter-form', novalidate: true, role: 'search', 'aria-label': 'Lọc xác nhận' },
    field({ label: 'Loại xác nhận', name: 'kind', type: 'select', value: ctx.query.kind || '', optionalMark: false,
      options: [{ value: '', label: 'Tất cả' }].concat(KINDS) }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, icon('search'), h('span', null, 'Lọc'))));
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.setQuery({ kind: new FormData(el).get('kind') || '', page: '' });
  });
  return el;
}

export async function render(ctx) {
  if (!(await hasRoute('/confirmations'))) {
    return h('div', { class: 'page' }, pageHeader('Xác nhận bên ngoài', null),
      banner('warning', 'Máy chủ chưa có chức năng này. Chức năng sẽ dùng được sau khi hệ thống được cập nhật.'));
  }
  const page = parsePage(ctx.query.page);
  const query = { page, per_page: PER_PAGE };
  if (ctx.query.kind) query.kind = ctx.query.kind;
  if (ctx.query.unit_id) query.unit_id = ctx.query.unit_id;
  const data = await api.get('/confirmations', query);
  const items = data.items || [];
  return h('div', { class: 'page' },
    pageHeader('Xác nhận bên ngoài', 'Người dân đã được xác nhận trên VNeID, trên nền tảng Bình dân học vụ số (binhdanhocvuso.gov.vn) hoặc đã học ở nơi khác. Các xác nhận này được tính riêng với chứng nhận của hệ thống.'),
    countsCard(data.people),
    ctx.can('people.write') ? section('Nhập danh sách xác nhận', importForm(ctx)) : null,
    h('section', { class: 'card', 'aria-label': 'Bộ lọc' }, filterForm(ctx)),
    section('Danh sách xác nhận',
      items.length ? listTable(items) : empty(ctx.query.kind ? 'Không có xác nhận nào khớp bộ lọc.' : 'Chưa có xác nhận nào. Nhập danh sách từ nền tảng quốc gia, hoặc ghi nhận từ trang hồ sơ của từng người.'),
      pager(data, (n) => ctx.setQuery({ page: n > 1 ? String(n) : '' }), 'xác nhận')));
}

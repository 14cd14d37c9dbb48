// Audit log: #/nhat-ky with filters name, actor, action, entity, since, until (dates typed as
// dd/mm/yyyy, kept ISO in the address); newest first, paged by keyset (before/after cursors).
import { h, uid } from '../h.js';
import { api } from '../api.js';
import { icon } from '../icons.js';
import {
  pageHeader, section, field, keysetPager, empty, fmtDateTime, disclosure, dateField, parseDayMonthYear, dateProblem,
} from '../ui.js';

const PER_PAGE = 50;
const FILTERS = ['name', 'actor', 'action', 'entity', 'since', 'until'];
const CURSORS = ['before', 'after'];

// Vietnamese names for what the server records; codes it may add later are shown as they are.
const ACTIONS = [
  { group: 'session.', label: 'Đăng nhập, đăng xuất', items: [
    ['session.login', 'Đăng nhập'],
    ['session.login_failed', 'Đăng nhập sai'],
    ['session.login_refused', 'Đăng nhập bị từ chối'],
    ['session.logout', 'Đăng xuất'],
  ] },
  { group: 'user.', label: 'Tài khoản', items: [
    ['user.create', 'Tạo tài khoản'],
    ['user.update', 'Sửa tài khoản'],
    ['user.disable', 'Khóa tài khoản'],
    ['user.enable', 'Mở khóa tài khoản'],
    ['user.password_reset', 'Đặt lại mật khẩu'],
    ['user.password_change', 'Tự đổi mật khẩu'],
    ['user.link_person', 'Gắn tài khoản với hồ sơ người dân'],
  ] },
  { group: 'role.', label: 'Vai trò', items: [
    ['role.grant', 'Cấp vai trò'],
    ['role.revoke', 'Thu hồi vai trò'],
  ] },
  { group: 'unit.', label: 'Đơn vị', items: [
    ['unit.create', 'Thêm đơn vị'],
    ['unit.update', 'Sửa đơn vị'],
    ['unit.move', 'Chuyển đơn vị'],
    ['unit.delete', 'Xóa đơn vị'],
  ] },
  { group: 'person.', label: 'Hồ sơ người dân', items: [
    ['person.create', 'Thêm hồ sơ'],
    ['person.read', 'Xem hồ sơ'],
    ['person.read_self', 'Tự xem hồ sơ của mình'],
    ['person.update', 'Sửa hồ sơ'],
    ['person.vneid', 'Ghi mức định danh điện tử'],
    ['person.delete', 'Xóa hồ sơ'],
    ['person.restore', 'Khôi phục hồ sơ đã xóa'],
    ['person.purge', 'Xóa hẳn hồ sơ (hết thời hạn lưu giữ)'],
    ['person.membership_add', 'Thêm nơi làm việc, học tập'],
    ['person.search', 'Tìm theo số CCCD'],
    ['person.export', 'Xuất danh sách'],
  ] },
  { group: 'household.', label: 'Hộ gia đình', items: [
    ['household.create', 'Thêm hộ'],
    ['household.read', 'Xem hộ'],
    ['household.update', 'Sửa hộ'],
  ] },
  { group: 'import.', label: 'Nhập danh sách', items: [
    ['import.upload', 'Tải danh sách lên'],
    ['import.start', 'Bắt đầu nhập danh sách'],
    ['import.errors_read', 'Tải báo cáo lỗi nhập danh sách'],
  ] },
  { group: 'request.', label: 'Yêu cầu về dữ liệu', items: [
    ['request.create', 'Gửi yêu cầu về dữ liệu'],
    ['request.read', 'Xem yêu cầu về dữ liệu'],
    ['request.answer', 'Trả lời yêu cầu về dữ liệu'],
  ] },
  { group: 'demo.', label: 'Hệ thống', items: [
    ['demo.load', 'Nạp dữ liệu mẫu'],
  ] },
];
const ACTION_LABELS = Object.fromEntries(ACTIONS.flatMap((g) => g.items));
const ENTITY_LABELS = {
  user: 'Tài khoản', session: 'Phiên đăng nhập', unit: 'Đơn vị', person: 'Người dân', household: 'Hộ gia đình',
  import: 'Lượt nhập danh sách',
};
const DETAIL_KEYS = {
  username: 'Tên đăng nhập',
  display_name: 'Họ và tên',
  role: 'Vai trò',
  grant_id: 'Mã cấp quyền',
  name: 'Tên',
  kind: 'Loại',
  code: 'Mã',
  parent_id: 'Đơn vị cấp trên',
  from_parent_id: 'Đơn vị cấp trên cũ',
  from_parent: 'Đơn vị cấp trên cũ',
  parent: 'Đơn vị cấp trên',
  reason: 'Lý do',
  disabled: 'Khóa',
  fields: 'Các trường',
  retention_days: 'Số ngày lưu giữ',
  person_id: 'Hồ sơ người dân',
  request_id: 'Mã yêu cầu',
  outcome: 'Kết quả',
  format: 'Định dạng',
  bytes: 'Dung lượng (byte)',
  by: 'Tìm theo',
  found: 'Số kết quả',
};
const REASONS = { disabled: 'tài khoản đang bị khóa' };

function typedName(e) {
  return e.detail && typeof e.detail === 'object' && typeof e.detail.username === 'string' ? e.detail.username : '';
}

/** Who did it: the name the account had then, with its user name; a failed log-in by the name typed. */
function actorCell(e) {
  if (!e.actor_id && e.actor_username === 'cli') return 'Dòng lệnh máy chủ (cli)';
  if (!e.actor_id && !e.actor_username) {
    const typed = typedName(e);
    if (typed) return h('span', null, h('span', { class: 'audit-name' }, typed), h('span', { class: 'audit-sub' }, 'tên đăng nhập đã gõ'));
    return 'Hệ thống';
  }
  const name = e.actor_name || e.actor_username || 'Tài khoản đã xóa';
  return h('span', null, h('span', { class: 'audit-name' }, name),
    e.actor_username && e.actor_username !== name ? h('span', { class: 'audit-sub' }, e.actor_username) : null);
}

function actionText(code) {
  return ACTION_LABELS[code] || String(code ?? '');
}

function entityCell(e) {
  const kind = e.entity ? (ENTITY_LABELS[e.entity] || e.entity) : '';
  if (!kind) return '—';
  let name = e.entity_name;
  if (!name && e.entity === 'user' && typedName(e)) name = typedName(e);
  if (!name && e.entity === 'session') return kind;
  if (!name) return e.entity_id ? `${kind} (không còn tên)` : kind;
  return h('span', null, h('span', { class: 'audit-sub' }, kind), h('span', { class: 'audit-name' }, name));
}

function unitText(e) {
  return e.unit_name || '—';
}

function detailValue(key, value, meta) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'có' : 'không';
  if (key === 'role' && meta) {
    const role = (meta.roles || []).find((r) => r.code === value);
    if (role) return role.label;
  }
  if (key === 'kind' && meta) {
    const kind = (meta.unit_kinds || []).find((k) => k.code === value);
    if (kind) return kind.label;
  }
  if (key === 'reason' && REASONS[value]) return REASONS[value];
  if (key.endsWith('_id') && typeof value === 'number') return `#${value}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// Ids a reader cannot use; the names beside them say the same.
const HIDDEN_DETAIL = new Set(['grant_id', 'from_parent_id']);

function detailText(e, meta) {
  const { detail } = e;
  const parts = [];
  if (detail && typeof detail === 'object') {
    for (const [k, v] of Object.entries(detail)) {
      if (HIDDEN_DETAIL.has(k)) continue;
      if (k === 'parent_id' && 'parent' in detail) continue;
      if (k === 'username' && e.action && e.action.startsWith('session.login')) continue; // shown as the actor
      let text = `${DETAIL_KEYS[k] || k}: ${detailValue(k, v, meta)}`;
      // A role is granted on a unit: say which.
      if (k === 'role' && e.action && e.action.startsWith('role.') && e.unit_name) text += ` trên ${e.unit_name}`;
      parts.push(text);
    }
  } else if (detail !== null && detail !== undefined && detail !== '') {
    parts.push(String(detail));
  }
  return parts.length ? parts.join('; ') : '—';
}

function actionOptions(current) {
  const known = new Set(['', ...ACTIONS.flatMap((g) => [g.group, ...g.items.map(([code]) => code)])]);
  return [
    h('option', { value: '', selected: !current }, 'Tất cả thao tác'),
    current && !known.has(current) ? h('option', { value: current, selected: true }, current) : null,
    ...ACTIONS.map((g) => h('optgroup', { label: g.label },
      h('option', { value: g.group, selected: current === g.group }, `${g.label}: tất cả`),
      g.items.map(([code, label]) => h('option', { value: code, selected: current === code }, label)))),
  ];
}

function entityOptions(current) {
  return [
    h('option', { value: '', selected: !current }, 'Tất cả đối tượng'),
    current && !ENTITY_LABELS[current] ? h('option', { value: current, selected: true }, current) : null,
    ...Object.entries(ENTITY_LABELS).map(([code, label]) => h('option', { value: code, selected: current === code }, label)),
  ];
}

function selectField(label, name, options) {
  const id = uid(name);
  return h('div', { class: 'field' },
    h('label', { for: id, class: 'field-label' }, label),
    h('select', { id, name }, options));
}

function filterForm(ctx) {
  const q = ctx.query;
  const el = h('form', { class: 'form filter-form', novalidate: true, role: 'search', 'aria-label': 'Lọc nhật ký' },
    h('div', { class: 'form-alert banner banner-error', role: 'alert', hidden: true }),
    h('div', { class: 'filter-grid' },
      field({ label: 'Tên', name: 'name', value: q.name || '', optionalMark: false, autocomplete: 'off', spellcheck: false, placeholder: 'Một phần tên người, đối tượng hoặc đơn vị', hint: 'Gõ có dấu hay không dấu đều được.' }),
      field({ label: 'Người thực hiện', name: 'actor', value: q.actor || '', optionalMark: false, autocomplete: 'off', autocapitalize: 'none', spellcheck: false, placeholder: 'Tên đăng nhập' }),
      selectField('Thao tác', 'action', actionOptions(q.action || '')),
      selectField('Đối tượng', 'entity', entityOptions(q.entity || '')),
      dateField({ label: 'Từ ngày', name: 'since', value: q.since || '', optionalMark: false }),
      dateField({ label: 'Đến ngày', name: 'until', value: q.until || '', optionalMark: false, hint: 'Gồm cả ngày này.' })),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, icon('search'), h('span', null, 'Lọc')),
      FILTERS.some((k) => q[k]) ? h('a', { href: '#/nhat-ky', class: 'btn btn-secondary' }, 'Xóa bộ lọc') : null));
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(el);
    const next = { before: undefined, after: undefined };
    const problems = [];
    for (const key of FILTERS) next[key] = String(data.get(key) || '').trim();
    for (const key of ['since', 'until']) {
      const input = el.querySelector(`input[name="${key}"]`);
      const error = input.closest('.field').querySelector('.field-error');
      const problem = dateProblem(next[key]);
      input.toggleAttribute('aria-invalid', Boolean(problem));
      error.hidden = !problem;
      error.textContent = problem || '';
      if (problem) problems.push(input);
      else next[key] = next[key] ? parseDayMonthYear(next[key]) : '';
    }
    const alert = el.querySelector('.form-alert');
    if (!problems.length && next.since && next.until && next.until < next.since) {
      alert.textContent = '“Đến ngày” phải bằng hoặc sau “Từ ngày”.';
      alert.hidden = false;
      el.querySelector('input[name="until"]').focus();
      return;
    }
    alert.hidden = true;
    if (problems.length) {
      problems[0].focus();
      return;
    }
    ctx.setQuery(next);
  });
  return el;
}

/** A Vietnamese day (UTC+7) as the instant it starts, for the API: "2026-12-25" → "2026-12-24T17:00:00Z". */
function dayStart(iso, plusDays = 0) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + plusDays) - 7 * 3600 * 1000).toISOString().replace('.000Z', 'Z');
}

function auditTable(items, meta) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards' },
      h('caption', { class: 'visually-hidden' }, 'Nhật ký thao tác, mới nhất trước'),
      h('thead', null, h('tr', null,
        ['Thời gian', 'Người thực hiện', 'Thao tác', 'Đối tượng', 'Đơn vị', 'Địa chỉ IP', 'Chi tiết'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((e) => h('tr', null,
        cell('Thời gian', h('time', { datetime: e.at }, fmtDateTime(e.at))),
        cell('Người thực hiện', actorCell(e)),
        cell('Thao tác', actionText(e.action)),
        cell('Đối tượng', entityCell(e)),
        cell('Đơn vị', unitText(e)),
        cell('Địa chỉ IP', e.ip || '—'),
        cell('Chi tiết', h('span', { class: 'detail-text' }, detailText(e, meta))))))));
}

export async function render(ctx) {
  const query = { per_page: PER_PAGE };
  for (const key of FILTERS) if (ctx.query[key]) query[key] = ctx.query[key];
  for (const key of CURSORS) if (/^\d+$/.test(ctx.query[key] || '')) query[key] = ctx.query[key];
  // The address keeps whole days (ISO); the API gets the instants a Vietnamese day starts and ends.
  if (/^\d{4}-\d{2}-\d{2}$/.test(query.since || '')) query.since = dayStart(query.since);
  else delete query.since;
  if (/^\d{4}-\d{2}-\d{2}$/.test(query.until || '')) query.until = dayStart(query.until, 1);
  else delete query.until;
  const [data, meta] = await Promise.all([api.get('/audit', query), ctx.meta().catch(() => null)]);
  const items = data.items || [];
  const filtered = FILTERS.some((k) => ctx.query[k]);
  return h('div', { class: 'page' },
    pageHeader('Nhật ký', 'Mọi thao tác trên hệ thống, mới nhất ở trên cùng.'),
    h('section', { class: 'card', 'aria-label': 'Bộ lọc' },
      disclosure(filtered ? 'Bộ lọc (đang áp dụng)' : 'Bộ lọc', filterForm(ctx), {
        open: filtered || window.matchMedia('(min-width: 760px)').matches, iconName: 'search',
      })),
    section(filtered ? 'Kết quả lọc' : 'Các thao tác gần đây',
      items.length ? auditTable(items, meta) : empty(filtered ? 'Không có thao tác nào khớp bộ lọc.' : 'Chưa có thao tác nào.'),
      keysetPager(data, (next) => ctx.setQuery(next), 'mục')));
}

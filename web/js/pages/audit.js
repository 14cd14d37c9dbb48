// Audit log: #/nhat-ky with filters actor, action, entity, since, until; newest first.
import { h, uid } from '../h.js';
import { api } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, field, pager, empty, parsePage, fmtDateTime, disclosure } from '../ui.js';

const PER_PAGE = 50;
const FILTERS = ['actor', 'action', 'entity', 'since', 'until'];

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
  ] },
  { group: 'role.', label: 'Vai trò', items: [
    ['role.grant', 'Cấp vai trò'],
    ['role.revoke', 'Thu hồi vai trò'],
  ] },
  { group: 'unit.', label: 'Đơn vị', items: [
    ['unit.create', 'Thêm đơn vị'],
    ['unit.update', 'Sửa đơn vị'],
  ] },
  { group: 'demo.', label: 'Hệ thống', items: [
    ['demo.load', 'Nạp dữ liệu mẫu'],
  ] },
];
const ACTION_LABELS = Object.fromEntries(ACTIONS.flatMap((g) => g.items));
const ENTITY_LABELS = { user: 'Tài khoản', session: 'Phiên đăng nhập', unit: 'Đơn vị' };
const DETAIL_KEYS = {
  username: 'Tên đăng nhập',
  display_name: 'Họ và tên',
  role: 'Vai trò',
  grant_id: 'Mã cấp quyền',
  name: 'Tên',
  kind: 'Loại',
  code: 'Mã',
  parent_id: 'Đơn vị cấp trên',
  reason: 'Lý do',
  disabled: 'Khóa',
};
const REASONS = { disabled: 'tài khoản đang bị khóa' };

function actorText(e) {
  if (!e.actor_id && e.actor_username === 'cli') return 'Dòng lệnh máy chủ (cli)';
  return e.actor_username || (e.actor_id ? `#${e.actor_id}` : 'Hệ thống');
}

function actionText(code) {
  return ACTION_LABELS[code] || String(code ?? '');
}

function entityText(e) {
  const name = e.entity ? (ENTITY_LABELS[e.entity] || e.entity) : '';
  if (!name) return '—';
  return e.entity_id !== null && e.entity_id !== undefined && e.entity_id !== '' && e.entity_id !== 0
    ? `${name} #${e.entity_id}` : name;
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

function detailText(detail, meta) {
  if (detail === null || detail === undefined || detail === '') return '—';
  if (typeof detail !== 'object') return String(detail);
  const entries = Object.entries(detail);
  if (entries.length === 0) return '—';
  return entries.map(([k, v]) => `${DETAIL_KEYS[k] || k}: ${detailValue(k, v, meta)}`).join('; ');
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
    h('div', { class: 'filter-grid' },
      field({ label: 'Người thực hiện', name: 'actor', value: q.actor || '', optionalMark: false, autocomplete: 'off', autocapitalize: 'none', spellcheck: false, placeholder: 'Tên đăng nhập' }),
      selectField('Thao tác', 'action', actionOptions(q.action || '')),
      selectField('Đối tượng', 'entity', entityOptions(q.entity || '')),
      field({ label: 'Từ ngày', name: 'since', type: 'date', value: q.since || '', optionalMark: false }),
      field({ label: 'Đến ngày', name: 'until', type: 'date', value: q.until || '', optionalMark: false, hint: 'Gồm cả ngày này.' })),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, icon('search'), h('span', null, 'Lọc')),
      FILTERS.some((k) => q[k]) ? h('a', { href: '#/nhat-ky', class: 'btn btn-secondary' }, 'Xóa bộ lọc') : null));
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = { page: undefined };
    const data = new FormData(el);
    for (const key of FILTERS) next[key] = String(data.get(key) || '').trim();
    ctx.setQuery(next);
  });
  return el;
}

function auditTable(items, meta) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards' },
      h('caption', { class: 'visually-hidden' }, 'Nhật ký thao tác, mới nhất trước'),
      h('thead', null, h('tr', null,
        ['Thời gian', 'Người thực hiện', 'Thao tác', 'Đối tượng', 'Địa chỉ IP', 'Chi tiết'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((e) => h('tr', null,
        cell('Thời gian', h('time', { datetime: e.at }, fmtDateTime(e.at))),
        cell('Người thực hiện', actorText(e)),
        cell('Thao tác', actionText(e.action)),
        cell('Đối tượng', entityText(e)),
        cell('Địa chỉ IP', e.ip || '—'),
        cell('Chi tiết', h('span', { class: 'detail-text' }, detailText(e.detail, meta))))))));
}

export async function render(ctx) {
  const page = parsePage(ctx.query.page);
  const query = { page, per_page: PER_PAGE };
  for (const key of FILTERS) if (ctx.query[key]) query[key] = ctx.query[key];
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
      pager(data, (p) => ctx.setQuery({ page: p }), 'mục')));
}

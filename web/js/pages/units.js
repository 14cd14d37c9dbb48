// Units: #/don-vi (scope roots or search) and #/don-vi/:id (one unit and its children).
import { h, replace } from '../h.js';
import { api, ApiError } from '../api.js';
import { icon } from '../icons.js';
import {
  pageHeader, section, field, form, pager, empty, searchForm, disclosure, setFlash, parsePage, fmtNum,
  confirmDialog, errorBanner, banner,
} from '../ui.js';

const PER_PAGE = 20;

function unitMeta(u) {
  const parts = [u.kind_label || u.kind];
  if (u.code) parts.push(`Mã: ${u.code}`);
  return parts.filter(Boolean).join(' · ');
}

function childrenText(n) {
  if (typeof n !== 'number') return '';
  return n === 0 ? 'Chưa có đơn vị trực thuộc' : `${fmtNum(n)} đơn vị trực thuộc`;
}

export function unitList(items) {
  return h('ul', { class: 'item-list' },
    items.map((u) => h('li', null,
      h('a', { href: `#/don-vi/${encodeURIComponent(u.id)}`, class: 'item-link' },
        h('span', { class: 'item-main' },
          h('span', { class: 'item-title' }, u.name),
          h('span', { class: 'item-meta' }, unitMeta(u)),
          h('span', { class: 'item-meta item-count' }, childrenText(u.children_count))),
        icon('chevron', 'item-chevron')))));
}

/** The kinds that may sit under a unit of `parentKind` (all of them when it is unknown). */
function kindsUnder(meta, parentKind) {
  const kinds = (meta && meta.unit_kinds) || [];
  if (!parentKind) return kinds;
  return kinds.filter((k) => !Array.isArray(k.parents) || k.parents.includes(parentKind));
}

function kindOptions(meta, placeholder, current, parentKind) {
  const kinds = kindsUnder(meta, parentKind);
  const options = kinds.map((k) => ({ value: k.code, label: k.label }));
  // A kind the list does not know (yet) stays selectable, so saving a name never changes the kind.
  if (current && !options.some((o) => o.value === current.kind)) {
    options.unshift({ value: current.kind, label: current.kind_label || current.kind });
  }
  return placeholder ? [{ value: '', label: '— Chọn loại đơn vị —' }, ...options] : options;
}

async function renderList(ctx) {
  const q = ctx.query.q || '';
  const page = parsePage(ctx.query.page);
  const data = await api.get('/units', { q, page, per_page: PER_PAGE });
  const items = data.items || [];
  return h('div', { class: 'page' },
    pageHeader('Đơn vị', 'Các đơn vị trong phạm vi bạn phụ trách. Chọn một đơn vị để xem các đơn vị trực thuộc.'),
    h('div', { class: 'card' },
      searchForm({
        label: 'Tìm đơn vị theo tên, chữ viết tắt hoặc mã (gõ có dấu hay không dấu đều được)',
        value: q,
        placeholder: 'Ví dụ: TDP 1, THCS, Tổ dân phố số 1',
        onSearch: (text) => ctx.setQuery({ q: text, page: undefined }),
      })),
    section(q ? `Kết quả tìm kiếm “${q}”` : 'Đơn vị của bạn',
      items.length ? unitList(items) : empty(q ? 'Không tìm thấy đơn vị nào phù hợp.' : 'Bạn chưa phụ trách đơn vị nào.'),
      pager(data, (p) => ctx.setQuery({ page: p }), 'đơn vị')));
}

/**
 * Ancestors above the caller's own units (e.g. the city above a ward admin's ward) are outside
 * their scope: they are shown as plain text, not as links that would only be refused.
 */
function ancestorsInScope(ctx, unit, meta) {
  const ancestors = Array.isArray(unit.ancestors) ? unit.ancestors : [];
  const roles = (ctx.me && ctx.me.roles) || [];
  const metaRoles = (meta && meta.roles) || [];
  const readable = (r) => {
    const info = metaRoles.find((m) => m.code === r.role);
    return !info || !Array.isArray(info.capabilities) || info.capabilities.includes('units.read');
  };
  const roots = new Set(roles.filter(readable).map((r) => String(r.unit_id)));
  const first = ancestors.findIndex((a) => roots.has(String(a.id)));
  return ancestors.map((a, i) => ({ ...a, linkable: first >= 0 && i >= first }));
}

function breadcrumb(ancestors, unit) {
  return h('nav', { class: 'breadcrumb', 'aria-label': 'Đường dẫn' },
    h('ol', null,
      h('li', null, h('a', { href: '#/don-vi' }, 'Đơn vị')),
      ancestors.map((a) => h('li', null, a.linkable
        ? h('a', { href: `#/don-vi/${encodeURIComponent(a.id)}` }, a.name)
        : h('span', { class: 'crumb-outside' }, a.name))),
      h('li', null, h('span', { 'aria-current': 'page' }, unit.name))));
}

function addChildForm(ctx, unit, meta) {
  return form({
    submitLabel: 'Thêm đơn vị',
    busyLabel: 'Đang thêm…',
    onSubmit: async (values) => {
      const body = { parent_id: unit.id, kind: values.kind, name: values.name.trim() };
      if (values.code.trim()) body.code = values.code.trim();
      const created = await api.post('/units', body);
      setFlash(`Đã thêm đơn vị “${created && created.name ? created.name : body.name}”.`);
      ctx.refresh();
    },
  },
  field({
    label: 'Loại đơn vị', name: 'kind', type: 'select', required: true, options: kindOptions(meta, true, null, unit.kind),
    hint: `Chỉ gồm các loại được đặt trực thuộc ${unit.kind_label || 'đơn vị này'}.`,
  }),
  field({ label: 'Tên đơn vị', name: 'name', required: true, autocomplete: 'off', placeholder: 'Ví dụ: Tổ dân phố số 52' }),
  field({ label: 'Mã đơn vị', name: 'code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: false, hint: 'Mã ngắn dùng khi nhập, xuất dữ liệu.' }));
}

function editForm(ctx, unit, meta, parentKind) {
  return form({
    submitLabel: 'Lưu thay đổi',
    busyLabel: 'Đang lưu…',
    onSubmit: async (values) => {
      const body = {};
      const name = values.name.trim();
      const code = values.code.trim();
      if (name !== unit.name) body.name = name;
      if (values.kind !== unit.kind) body.kind = values.kind;
      if (code !== (unit.code || '')) body.code = code;
      if (Object.keys(body).length === 0) return 'Không có thay đổi nào để lưu.';
      await api.patch(`/units/${encodeURIComponent(unit.id)}`, body);
      setFlash('Đã lưu thông tin đơn vị.');
      ctx.refresh();
      return undefined;
    },
  },
  field({ label: 'Tên đơn vị', name: 'name', required: true, value: unit.name, autocomplete: 'off' }),
  field({ label: 'Loại đơn vị', name: 'kind', type: 'select', required: true, value: unit.kind, options: kindOptions(meta, false, unit, parentKind) }),
  field({ label: 'Mã đơn vị', name: 'code', value: unit.code || '', autocomplete: 'off', spellcheck: false }));
}

/** Moving a unit: find the new parent by name or code, pick it, confirm. */
function moveForm(ctx, unit, meta) {
  const results = h('div', { 'aria-live': 'polite' });
  const fits = (parent) => {
    const kind = ((meta && meta.unit_kinds) || []).find((k) => k.code === unit.kind);
    return !kind || !Array.isArray(kind.parents) || kind.parents.includes(parent.kind);
  };
  const show = async (text) => {
    if (!text) {
      replace(results);
      return;
    }
    try {
      const data = await api.get('/units', { q: text, per_page: 10 });
      // Not itself, not where it already is, not a kind it may not sit under (the server refuses a
      // move under its own subtree too, with a message).
      const ok = (data.items || []).filter((p) => p.id !== unit.id && p.id !== unit.parent_id && fits(p));
      replace(results, ok.length
        ? h('ul', { class: 'move-results' }, ok.map((p) => h('li', null,
          h('span', null, h('span', { class: 'item-title' }, p.name), h('span', { class: 'item-meta' }, unitMeta(p))),
          h('button', {
            type: 'button', class: 'btn btn-secondary',
            onclick: async () => {
              const yes = await confirmDialog({
                title: 'Chuyển đơn vị?',
                message: `“${unit.name}” và toàn bộ đơn vị trực thuộc sẽ chuyển vào “${p.name}”.`,
                okLabel: 'Chuyển',
              });
              if (!yes) return;
              try {
                await api.post(`/units/${encodeURIComponent(unit.id)}/move`, { parent_id: p.id });
                setFlash(`Đã chuyển “${unit.name}” vào “${p.name}”.`);
                ctx.refresh();
              } catch (err) {
                replace(results, errorBanner(err));
              }
            },
          }, `Chuyển vào đây`, h('span', { class: 'visually-hidden' }, `: ${p.name}`)))))
        : empty('Không tìm thấy đơn vị cấp trên phù hợp. Chỉ hiện các đơn vị mà loại đơn vị này được đặt trực thuộc.'));
    } catch (err) {
      replace(results, errorBanner(err));
    }
  };
  return h('div', null,
    h('p', { class: 'field-hint' }, 'Đơn vị và mọi đơn vị trực thuộc sẽ chuyển theo. Bạn cần quyền sửa đơn vị ở cả nơi đi và nơi đến.'),
    searchForm({ label: 'Tìm đơn vị cấp trên mới (tên, chữ viết tắt hoặc mã)', placeholder: 'Ví dụ: TDP 5', onSearch: show, name: 'move_q' }),
    results);
}

function deleteButton(ctx, unit, parentLink) {
  const slot = h('div');
  const button = h('button', {
    type: 'button', class: 'btn btn-danger-outline',
    onclick: async () => {
      const yes = await confirmDialog({
        title: 'Xóa đơn vị?',
        message: `“${unit.name}” sẽ bị xóa. Nhật ký vẫn giữ tên đơn vị này.`,
        okLabel: 'Xóa đơn vị', danger: true,
      });
      if (!yes) return;
      button.disabled = true;
      try {
        await api.del(`/units/${encodeURIComponent(unit.id)}`);
        setFlash(`Đã xóa đơn vị “${unit.name}”.`);
        ctx.go(parentLink ? `#/don-vi/${encodeURIComponent(parentLink.id)}` : '#/don-vi');
      } catch (err) {
        button.disabled = false;
        replace(slot, errorBanner(err));
      }
    },
  }, icon('close'), h('span', null, 'Xóa đơn vị'));
  return h('div', null, button, slot);
}

/** A unit that is not there (deleted, or a wrong address) or out of reach: say so, and offer a way back. */
function missingUnit(ctx, err) {
  const forbidden = err instanceof ApiError && err.status === 403;
  ctx.setTitle(forbidden ? 'Không có quyền xem đơn vị' : 'Không tìm thấy đơn vị');
  return h('div', { class: 'page' },
    h('h1', { tabindex: '-1', class: 'page-title' }, forbidden ? 'Không có quyền xem đơn vị' : 'Không tìm thấy đơn vị'),
    banner('warning', forbidden
      ? 'Đơn vị này nằm ngoài phạm vi bạn phụ trách.'
      : 'Đơn vị này không có trong hệ thống: có thể nó đã bị xóa, hoặc địa chỉ không đúng.'),
    h('p', { class: 'back-row' },
      h('a', { href: '#/don-vi', class: 'btn btn-primary' }, icon('back'), h('span', null, 'Về danh sách đơn vị')),
      ' ',
      h('a', { href: '#/', class: 'btn btn-secondary' }, 'Về trang chủ')));
}

async function renderDetail(ctx) {
  const id = ctx.params.id;
  const q = ctx.query.q || '';
  const page = parsePage(ctx.query.page);
  const canWrite = ctx.can('units.write');
  if (!/^[1-9][0-9]{0,17}$/.test(String(id))) return missingUnit(ctx, new ApiError(404, 'not_found', ''));
  let unit;
  let children;
  let meta;
  try {
    [unit, children, meta] = await Promise.all([
      api.get(`/units/${encodeURIComponent(id)}`),
      api.get('/units', { parent_id: id, q, page, per_page: PER_PAGE }),
      ctx.meta().catch(() => null),
    ]);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return missingUnit(ctx, err);
    throw err;
  }
  const ancestors = ancestorsInScope(ctx, unit, meta);
  ctx.setTitle(unit.name);
  const items = children.items || [];

  const facts = h('dl', { class: 'facts' },
    h('div', null, h('dt', null, 'Loại đơn vị'), h('dd', null, unit.kind_label || unit.kind || '')),
    h('div', null, h('dt', null, 'Mã đơn vị'), h('dd', null, unit.code || 'Chưa có')),
    h('div', null, h('dt', null, 'Đơn vị trực thuộc'), h('dd', null, fmtNum(unit.children_count ?? 0))));

  const actions = [];
  if (ctx.can('users.read')) {
    actions.push(h('a', { href: ctx.hashFor('/tai-khoan', { unit_id: unit.id }), class: 'btn btn-secondary' },
      icon('users'), h('span', null, 'Tài khoản của đơn vị')));
  }

  const parent = ancestors.length ? ancestors[ancestors.length - 1] : null;
  const parentLink = parent && parent.linkable ? parent : null;
  // The parent's kind decides which kinds this unit may take; only the parent's name and id are
  // in `ancestors`, so it is read when the person may edit.
  let parentKind = null;
  if (canWrite && parentLink) {
    parentKind = await api.get(`/units/${encodeURIComponent(parentLink.id)}`).then((p) => p.kind, () => null);
  }

  return h('div', { class: 'page' },
    breadcrumb(ancestors, unit),
    pageHeader(unit.name, unit.kind_label || '', ...actions),
    h('section', { class: 'card', 'aria-label': 'Thông tin đơn vị' }, facts,
      canWrite ? disclosure('Sửa thông tin đơn vị', editForm(ctx, unit, meta, parentKind), { iconName: 'edit' }) : null,
      canWrite && parentLink ? disclosure('Chuyển sang đơn vị cấp trên khác', moveForm(ctx, unit, meta), { iconName: 'units' }) : null,
      canWrite && parentLink && unit.children_count === 0 ? deleteButton(ctx, unit, parentLink) : null),
    section('Đơn vị trực thuộc',
      canWrite ? disclosure('Thêm đơn vị trực thuộc', addChildForm(ctx, unit, meta)) : null,
      (unit.children_count > 0 || q) ? searchForm({
        label: 'Tìm trong các đơn vị trực thuộc',
        value: q,
        placeholder: 'Tên đơn vị',
        onSearch: (text) => ctx.setQuery({ q: text, page: undefined }),
      }) : null,
      items.length ? unitList(items)
        : empty(q ? 'Không tìm thấy đơn vị trực thuộc nào phù hợp.' : 'Đơn vị này chưa có đơn vị trực thuộc.'),
      pager(children, (p) => ctx.setQuery({ page: p }), 'đơn vị')),
    h('p', { class: 'back-row' },
      h('a', { href: parentLink ? `#/don-vi/${encodeURIComponent(parentLink.id)}` : '#/don-vi', class: 'btn-link' },
        icon('back'), h('span', null, parentLink ? `Về ${parentLink.name}` : 'Về danh sách đơn vị'))));
}

export async function render(ctx) {
  return ctx.params.id ? renderDetail(ctx) : renderList(ctx);
}

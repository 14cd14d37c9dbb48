// Accounts: #/tai-khoan (list, search, create) and #/tai-khoan/:id (roles, lock, password).
import { h, uid, replace } from '../h.js';
import { api, ApiError } from '../api.js';
import { icon } from '../icons.js';
import {
  pageHeader, section, field, passwordField, form, pager, empty, searchForm, disclosure, setFlash,
  parsePage, fmtDateTime, badge, banner, confirmDialog, errorBanner, FieldError,
} from '../ui.js';
import { strengthHint, showAllErrors } from './password-help.js';

const PER_PAGE = 20;

function rolesSummary(roles) {
  if (!roles || roles.length === 0) return 'Chưa có vai trò';
  return roles.map((r) => (r.unit_name ? `${r.role_label || r.role} – ${r.unit_name}` : (r.role_label || r.role))).join('; ');
}

function userList(items) {
  return h('ul', { class: 'item-list' },
    items.map((u) => h('li', null,
      h('a', { href: `#/tai-khoan/${encodeURIComponent(u.id)}`, class: 'item-link' },
        h('span', { class: 'item-main' },
          h('span', { class: 'item-title' }, u.display_name || u.username,
            u.disabled ? badge('Đã khóa', 'danger') : null),
          h('span', { class: 'item-meta' }, `Tên đăng nhập: ${u.username}`),
          h('span', { class: 'item-meta' }, rolesSummary(u.roles))),
        icon('chevron', 'item-chevron')))));
}

function createUserForm(ctx) {
  const el = form({
    submitLabel: 'Tạo tài khoản',
    busyLabel: 'Đang tạo…',
    onSubmit: async (values, formEl) => {
      let created;
      try {
        created = await api.post('/users', {
          username: values.username.trim(),
          display_name: values.display_name.trim(),
          password: values.password,
        });
      } catch (err) {
        showAllErrors(formEl, err); // every field at fault, not one per try
        throw err;
      }
      setFlash(`Đã tạo tài khoản “${created.username}”. Hãy cấp vai trò cho tài khoản này.`);
      ctx.go(`#/tai-khoan/${encodeURIComponent(created.id)}`);
    },
  },
  field({
    label: 'Tên đăng nhập', name: 'username', required: true, autocomplete: 'off', autocapitalize: 'none',
    spellcheck: false, hint: 'Từ 3 đến 32 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.',
  }),
  field({ label: 'Họ và tên', name: 'display_name', required: true, autocomplete: 'off', placeholder: 'Ví dụ: Nguyễn Thị Lan' }),
  passwordField({ label: 'Mật khẩu ban đầu', name: 'password', required: true, autocomplete: 'new-password', hint: 'Ít nhất 8 ký tự, khó đoán (không dùng 12345678, matkhau, tên kèm năm sinh…). Người dùng sẽ phải tự đặt mật khẩu mới ở lần đăng nhập đầu tiên.' }));
  strengthHint(el, 'password');
  return el;
}

async function unitName(id) {
  try {
    const unit = await api.get(`/units/${encodeURIComponent(id)}`);
    return unit.name;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) throw err;
    return `#${id}`;
  }
}

async function renderList(ctx) {
  const q = ctx.query.q || '';
  const unitId = ctx.query.unit_id || '';
  const page = parsePage(ctx.query.page);
  const [data, filterUnitName] = await Promise.all([
    api.get('/users', { q, unit_id: unitId, page, per_page: PER_PAGE }),
    unitId ? unitName(unitId) : Promise.resolve(null),
  ]);
  const items = data.items || [];
  return h('div', { class: 'page' },
    pageHeader('Tài khoản', 'Tài khoản của cán bộ, tình nguyện viên và người học trong phạm vi bạn phụ trách.'),
    ctx.can('users.write') ? h('div', { class: 'card' },
      disclosure('Tạo tài khoản mới', createUserForm(ctx))) : null,
    h('div', { class: 'card' },
      searchForm({
        label: 'Tìm theo tên đăng nhập hoặc họ tên',
        value: q,
        placeholder: 'Ví dụ: Nguyễn',
        onSearch: (text) => ctx.setQuery({ q: text, page: undefined }),
      }),
      unitId ? h('p', { class: 'filter-chip' },
        h('span', null, `Đơn vị: ${filterUnitName}`),
        h('a', { href: ctx.hashFor('/tai-khoan', { q }), class: 'btn-link' }, 'Bỏ lọc')) : null),
    section(q ? `Kết quả tìm kiếm “${q}”` : 'Danh sách tài khoản',
      items.length ? userList(items) : empty(q ? 'Không tìm thấy tài khoản nào phù hợp.' : 'Chưa có tài khoản nào.'),
      pager(data, (p) => ctx.setQuery({ page: p }), 'tài khoản')));
}

/* ---------- unit picker: search GET /units?q= and choose one ---------- */

function unitPicker() {
  const searchId = uid('unit-search');
  const hidden = h('input', { type: 'hidden', name: 'unit_id', value: '' });
  hidden.dataset.required = 'true';
  hidden.dataset.label = 'Đơn vị';
  hidden.dataset.verb = 'chọn';
  let picked = null;
  let timer = null;
  let seq = 0;
  const input = h('input', {
    id: searchId, type: 'search', autocomplete: 'off', spellcheck: 'false', enterkeyhint: 'search',
    placeholder: 'Gõ tên đơn vị',
  });
  const results = h('div', { class: 'picker-results', 'aria-live': 'polite' });
  const chosen = h('p', { class: 'picker-chosen', hidden: true });

  const choose = (unit) => {
    picked = unit;
    hidden.value = String(unit.id);
    chosen.replaceChildren(icon('check'), h('span', null, `Đã chọn: ${unit.name}`));
    chosen.hidden = false;
  };

  const search = async () => {
    const mine = ++seq;
    const text = input.value.trim();
    replace(results, h('p', { class: 'loading small' }, 'Đang tìm…'));
    try {
      const data = await api.get('/units', { q: text, per_page: 10 });
      if (mine !== seq) return;
      const items = data.items || [];
      if (items.length === 0) {
        replace(results, empty('Không tìm thấy đơn vị nào phù hợp.'));
        return;
      }
      const groupName = uid('unit-choice');
      replace(results,
        h('ul', { class: 'choice-list', 'aria-label': 'Kết quả tìm đơn vị' },
          items.map((u) => {
            const id = uid('unit-opt');
            const radio = h('input', { type: 'radio', id, name: groupName, value: String(u.id), checked: picked && String(picked.id) === String(u.id) });
            radio.addEventListener('change', () => { if (radio.checked) choose(u); });
            return h('li', null,
              h('label', { for: id, class: 'choice' }, radio,
                h('span', { class: 'choice-text' },
                  h('span', { class: 'choice-title' }, u.name),
                  h('span', { class: 'choice-meta' }, [u.kind_label, u.code ? `Mã: ${u.code}` : ''].filter(Boolean).join(' · ')))));
          })),
        data.total > items.length ? h('p', { class: 'field-hint' }, 'Chỉ hiện một phần kết quả. Hãy gõ cụ thể hơn.') : null);
    } catch (err) {
      if (mine === seq) replace(results, errorBanner(err));
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 300);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      clearTimeout(timer);
      search();
    }
  });

  const el = h('div', { class: 'field picker' },
    h('label', { for: searchId, class: 'field-label' }, 'Đơn vị'),
    h('p', { class: 'field-hint' }, 'Tìm rồi chọn đơn vị nơi vai trò có hiệu lực (gồm cả các đơn vị trực thuộc).'),
    h('div', { class: 'search-row' }, input,
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { clearTimeout(timer); search(); } },
        icon('search'), h('span', null, 'Tìm'))),
    hidden,
    chosen,
    results,
    h('p', { class: 'field-error', hidden: true }));
  search();
  return { el, picked: () => picked };
}

function grantForm(ctx, user, meta) {
  const roles = (meta && meta.roles) || [];
  const picker = unitPicker();
  return form({
    submitLabel: 'Cấp vai trò',
    busyLabel: 'Đang cấp…',
    onSubmit: async (values) => {
      const unit = picker.picked();
      if (!unit) throw new FieldError('unit_id', 'Vui lòng chọn đơn vị.');
      await api.post(`/users/${encodeURIComponent(user.id)}/roles`, { role: values.role, unit_id: unit.id });
      const label = (roles.find((r) => r.code === values.role) || {}).label || values.role;
      setFlash(`Đã cấp vai trò “${label}” tại ${unit.name}.`);
      ctx.refresh();
    },
  },
  field({
    label: 'Vai trò', name: 'role', type: 'select', required: true,
    options: [{ value: '', label: '— Chọn vai trò —' }, ...roles.map((r) => ({ value: r.code, label: r.label }))],
  }),
  picker.el);
}

function rolesSection(ctx, user) {
  const canWrite = ctx.can('users.write');
  const roles = user.roles || [];
  if (roles.length === 0) return empty('Tài khoản này chưa có vai trò nào.');
  const alertSlot = h('div');
  return h('div', null, alertSlot,
    h('ul', { class: 'role-list' },
      roles.map((r) => h('li', { class: 'role-item' },
        h('span', { class: 'role-text' },
          h('span', { class: 'role-label' }, r.role_label || r.role),
          h('span', { class: 'role-unit' }, r.unit_name || '')),
        canWrite ? h('button', {
          type: 'button', class: 'btn btn-danger-outline btn-small',
          'aria-label': `Thu hồi vai trò ${r.role_label || r.role} tại ${r.unit_name || ''}`,
          onclick: async (event) => {
            const ok = await confirmDialog({
              title: 'Thu hồi vai trò?',
              message: `Thu hồi vai trò “${r.role_label || r.role}” tại ${r.unit_name || 'đơn vị này'} của ${user.display_name || user.username}.`,
              okLabel: 'Thu hồi', danger: true,
            });
            if (!ok) return;
            const button = event.target.closest('button');
            button.disabled = true;
            try {
              await api.del(`/users/${encodeURIComponent(user.id)}/roles/${encodeURIComponent(r.id)}`);
              setFlash(`Đã thu hồi vai trò “${r.role_label || r.role}”.`);
              ctx.refresh();
            } catch (err) {
              button.disabled = false;
              replace(alertSlot, errorBanner(err));
            }
          },
        }, 'Thu hồi') : null))));
}

function accountSection(ctx, user) {
  const isSelf = ctx.me && String(ctx.me.id) === String(user.id);
  const nameForm = form({
    submitLabel: 'Lưu họ tên',
    busyLabel: 'Đang lưu…',
    submitClass: 'btn-secondary',
    onSubmit: async (values) => {
      const name = values.display_name.trim();
      if (name === user.display_name) return 'Không có thay đổi nào để lưu.';
      await api.patch(`/users/${encodeURIComponent(user.id)}`, { display_name: name });
      setFlash('Đã lưu họ tên.');
      if (isSelf) await ctx.reloadMe();
      ctx.refresh();
      return undefined;
    },
  }, field({ label: 'Họ và tên', name: 'display_name', required: true, value: user.display_name || '', autocomplete: 'off' }));

  const passwordForm = form({
    submitLabel: 'Đặt lại mật khẩu',
    busyLabel: 'Đang đặt lại…',
    submitClass: 'btn-secondary',
    onSubmit: async (values, el) => {
      await api.put(`/users/${encodeURIComponent(user.id)}/password`, { new_password: values.new_password });
      el.reset();
      return 'Đã đặt lại mật khẩu. Hãy báo mật khẩu mới cho người dùng; các phiên đăng nhập cũ của họ đã kết thúc và họ sẽ phải tự đặt mật khẩu mới khi đăng nhập.';
    },
  }, passwordField({ label: 'Mật khẩu mới', name: 'new_password', required: true, autocomplete: 'new-password', hint: 'Ít nhất 8 ký tự, khó đoán. Người dùng sẽ phải tự đặt mật khẩu mới ở lần đăng nhập tiếp theo.' }));
  strengthHint(passwordForm, 'new_password');

  const lockSlot = h('div');
  const lockButton = isSelf ? null : h('button', {
    type: 'button',
    class: user.disabled ? 'btn btn-primary' : 'btn btn-danger',
    onclick: async () => {
      const disabling = !user.disabled;
      const ok = await confirmDialog(disabling ? {
        title: 'Khóa tài khoản?',
        message: `${user.display_name || user.username} sẽ không đăng nhập được nữa và mọi phiên đang mở sẽ kết thúc ngay.`,
        okLabel: 'Khóa tài khoản', danger: true,
      } : {
        title: 'Mở khóa tài khoản?',
        message: `${user.display_name || user.username} sẽ đăng nhập lại được.`,
        okLabel: 'Mở khóa',
      });
      if (!ok) return;
      lockButton.disabled = true;
      try {
        await api.patch(`/users/${encodeURIComponent(user.id)}`, { disabled: disabling });
        setFlash(disabling ? 'Đã khóa tài khoản.' : 'Đã mở khóa tài khoản.');
        ctx.refresh();
      } catch (err) {
        lockButton.disabled = false;
        replace(lockSlot, errorBanner(err));
      }
    },
  }, icon('lock'), h('span', null, user.disabled ? 'Mở khóa' : 'Khóa tài khoản'));

  return section('Quản lý tài khoản',
    h('div', { class: 'subsection' }, h('h3', null, 'Sửa họ tên'), nameForm),
    isSelf
      // One's own password changes only with the current one, on one's own profile.
      ? h('div', { class: 'subsection' }, h('h3', null, 'Mật khẩu'),
        h('p', { class: 'muted' }, 'Để đổi mật khẩu của chính mình, hãy vào ',
          h('a', { href: '#/ho-so' }, 'Hồ sơ của tôi'), ' và nhập mật khẩu hiện tại.'))
      : h('div', { class: 'subsection' }, h('h3', null, 'Đặt lại mật khẩu'), passwordForm),
    lockButton ? h('div', { class: 'subsection' },
      h('h3', null, user.disabled ? 'Mở khóa tài khoản' : 'Khóa tài khoản'),
      h('p', { class: 'muted' }, user.disabled
        ? 'Tài khoản đang bị khóa: người dùng không đăng nhập được.'
        : 'Khóa khi người dùng không còn làm nhiệm vụ hoặc nghi bị lộ mật khẩu.'),
      lockSlot, lockButton) : null);
}

async function renderDetail(ctx) {
  const id = ctx.params.id;
  const canWrite = ctx.can('users.write');
  const [user, meta] = await Promise.all([
    api.get(`/users/${encodeURIComponent(id)}`),
    canWrite ? ctx.meta() : Promise.resolve(null),
  ]);
  ctx.setTitle(user.display_name || user.username);
  return h('div', { class: 'page' },
    h('nav', { class: 'breadcrumb', 'aria-label': 'Đường dẫn' },
      h('ol', null,
        h('li', null, h('a', { href: '#/tai-khoan' }, 'Tài khoản')),
        h('li', null, h('span', { 'aria-current': 'page' }, user.display_name || user.username)))),
    pageHeader(user.display_name || user.username, `Tên đăng nhập: ${user.username}`),
    user.disabled ? banner('warning', 'Tài khoản này đang bị khóa.') : null,
    h('section', { class: 'card', 'aria-label': 'Thông tin tài khoản' },
      h('dl', { class: 'facts' },
        h('div', null, h('dt', null, 'Trạng thái'), h('dd', null,
          user.disabled ? badge('Đã khóa', 'danger') : badge('Đang hoạt động', 'success'))),
        h('div', null, h('dt', null, 'Ngày tạo'), h('dd', null, fmtDateTime(user.created_at))))),
    section('Vai trò', rolesSection(ctx, user)),
    canWrite ? section('Cấp vai trò', grantForm(ctx, user, meta)) : null,
    canWrite ? accountSection(ctx, user) : null,
    h('p', { class: 'back-row' },
      h('a', { href: '#/tai-khoan', class: 'btn-link' }, icon('back'), h('span', null, 'Về danh sách tài khoản'))));
}

export async function render(ctx) {
  return ctx.params.id ? renderDetail(ctx) : renderList(ctx);
}

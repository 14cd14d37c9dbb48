// My profile: #/ho-so — my roles and a change-password form.
import { h } from '../h.js';
import { api } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, passwordField, form, FieldError } from '../ui.js';
import { rolesList } from './home.js';
import { strengthHint, showAllErrors } from './password-help.js';

export async function render(ctx) {
  const me = await ctx.reloadMe();
  const pwForm = form({
    submitLabel: 'Đổi mật khẩu',
    busyLabel: 'Đang đổi…',
    onSubmit: async (values, el) => {
      if (values.new_password !== values.repeat_password) {
        throw new FieldError('repeat_password', 'Mật khẩu nhập lại không khớp với mật khẩu mới.');
      }
      try {
        await api.put('/me/password', {
          current_password: values.current_password,
          new_password: values.new_password,
        });
      } catch (err) {
        showAllErrors(el, err);
        throw err;
      }
      el.reset();
      return 'Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn (trên máy khác) đã kết thúc.';
    },
  },
  passwordField({ label: 'Mật khẩu hiện tại', name: 'current_password', required: true, autocomplete: 'current-password' }),
  passwordField({ label: 'Mật khẩu mới', name: 'new_password', required: true, autocomplete: 'new-password', hint: 'Ít nhất 8 ký tự, dễ nhớ với bạn nhưng khó đoán với người khác (không dùng 12345678, matkhau, tên kèm năm sinh…).' }),
  passwordField({ label: 'Nhập lại mật khẩu mới', name: 'repeat_password', required: true, autocomplete: 'new-password' }));

  strengthHint(pwForm, 'new_password');
  return h('div', { class: 'page' },
    pageHeader('Hồ sơ của tôi', null),
    h('section', { class: 'card profile-card', 'aria-label': 'Thông tin tài khoản' },
      h('span', { class: 'avatar' }, icon('profile')),
      h('div', null,
        h('p', { class: 'profile-name' }, me.display_name || me.username),
        h('p', { class: 'muted' }, `Tên đăng nhập: ${me.username}`))),
    section('Vai trò của tôi', rolesList(me.roles)),
    section('Đổi mật khẩu', pwForm),
    h('section', { class: 'card', 'aria-label': 'Đăng xuất' },
      h('p', { class: 'muted' }, 'Dùng máy chung hoặc máy của người khác? Hãy đăng xuất khi xong việc.'),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => ctx.logout() },
        icon('logout'), h('span', null, 'Đăng xuất'))));
}

// New password: #/doi-mat-khau — an account made or reset by someone else must choose its own
// password before anything else (must_change_password). Only this form is shown; then the
// person continues where they were going.
import { h } from '../h.js';
import { api } from '../api.js';
import { passwordField, form, FieldError, banner } from '../ui.js';
import { strengthHint, showAllErrors } from './password-help.js';

export async function render(ctx) {
  const me = ctx.me;
  const pwForm = form({
    submitLabel: 'Lưu mật khẩu mới',
    busyLabel: 'Đang lưu…',
    className: 'login-form',
    submitClass: 'btn-primary btn-block btn-large',
    secondary: h('button', { type: 'button', class: 'btn btn-secondary btn-block', onclick: () => ctx.logout() }, 'Đăng xuất'),
    onSubmit: async (values, el) => {
      if (values.new_password !== values.repeat_password) {
        throw new FieldError('repeat_password', 'Mật khẩu nhập lại không khớp với mật khẩu mới.');
      }
      try {
        await api.put('/me/password', { current_password: values.current_password, new_password: values.new_password });
      } catch (err) {
        showAllErrors(el, err);
        throw err;
      }
      await ctx.passwordChanged();
    },
  },
  passwordField({ label: 'Mật khẩu được cấp', name: 'current_password', required: true, autocomplete: 'current-password', hint: 'Mật khẩu bạn vừa dùng để đăng nhập.' }),
  passwordField({ label: 'Mật khẩu mới', name: 'new_password', required: true, autocomplete: 'new-password', hint: 'Ít nhất 8 ký tự, chỉ bạn biết. Đừng dùng 12345678, matkhau, tên kèm năm sinh…' }),
  passwordField({ label: 'Nhập lại mật khẩu mới', name: 'repeat_password', required: true, autocomplete: 'new-password' }));
  strengthHint(pwForm, 'new_password');

  return h('div', { class: 'login-page' },
    h('div', { class: 'login-card' },
      h('div', { class: 'login-brand' },
        h('h1', { class: 'login-title', tabindex: '-1' }, 'Đặt mật khẩu mới'),
        h('p', { class: 'login-subtitle' }, `Xin chào ${me ? (me.display_name || me.username) : ''}`)),
      banner('info', 'Tài khoản của bạn do người khác tạo hoặc đặt lại mật khẩu. Để bảo vệ tài khoản, hãy đặt mật khẩu của riêng bạn trước khi tiếp tục.'),
      pwForm));
}

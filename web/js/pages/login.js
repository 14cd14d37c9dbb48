// Log-in page: #/dang-nhap
import { h } from '../h.js';
import { api } from '../api.js';
import { field, passwordField, form } from '../ui.js';

export async function render(ctx) {
  const loginForm = form({
    submitLabel: 'Đăng nhập',
    busyLabel: 'Đang đăng nhập…',
    className: 'login-form',
    submitClass: 'btn-primary btn-block btn-large',
    onSubmit: async (values) => {
      const answer = await api.post('/session', {
        username: values.username.trim(),
        password: values.password,
      });
      ctx.loggedIn(answer);
    },
  },
  field({
    label: 'Tên đăng nhập', name: 'username', required: true, autocomplete: 'username',
    autocapitalize: 'none', spellcheck: false,
  }),
  passwordField({ label: 'Mật khẩu', name: 'password', required: true, autocomplete: 'current-password' }));

  // The ward's name, from a public endpoint; the form does not wait for it.
  const ward = h('p', { class: 'login-ward', 'aria-live': 'polite' });
  api.get('/instance').then((info) => {
    if (info && info.name) ward.textContent = info.name;
  }, () => {});

  return h('div', { class: 'login-page' },
    h('div', { class: 'login-card' },
      h('div', { class: 'login-brand' },
        h('img', { src: new URL('../../favicon.svg', import.meta.url).pathname, alt: '', width: '72', height: '72', class: 'login-logo' }),
        h('h1', { class: 'login-title', tabindex: '-1' }, 'Bình dân học vụ số'),
        h('p', { class: 'login-subtitle' }, 'Hệ thống quản lý phong trào'),
        ward),
      loginForm,
      h('p', { class: 'login-help' },
        'Quên mật khẩu hoặc chưa có tài khoản? Hãy liên hệ cán bộ phụ trách của tổ dân phố hoặc Phòng Văn hóa - Xã hội của phường.')),
    h('p', { class: 'login-footer' }, '“Không ai bị bỏ lại phía sau”'));
}

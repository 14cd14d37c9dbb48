// Log-in page: #/dang-nhap
// The page itself is in index.html, so that a slow phone shows it and takes typing at first
// paint; this module gives it its behaviour. A later visit (after logging out) gets a fresh copy
// of the same markup, taken before anyone typed into it.
import { api } from '../api.js';
import { bindForm, bindReveal } from '../ui.js';

const first = document.querySelector('[data-login-page]');
const pristine = first ? first.cloneNode(true) : null;
let firstUsed = false;

export async function render(ctx) {
  let page;
  if (first && !firstUsed && first.isConnected) {
    page = first; // keeps what was typed and where the cursor is
  } else {
    page = pristine.cloneNode(true);
    page.querySelector('form').reset(); // a clone keeps what was typed into its original
  }
  firstUsed = true;
  const form = page.querySelector('form');
  bindReveal(form.querySelector('.btn-reveal'), form.elements.namedItem('password'));
  bindForm(form, {
    submitLabel: 'Đăng nhập',
    busyLabel: 'Đang đăng nhập…',
    onSubmit: async (values) => {
      const answer = await api.post('/session', {
        username: values.username.trim(),
        password: values.password,
      });
      ctx.loggedIn(answer);
    },
  });

  // The ward's name, from a public endpoint; the form does not wait for it.
  const ward = page.querySelector('.login-ward');
  api.get('/instance').then((info) => {
    if (info && info.name) ward.textContent = info.name;
  }, () => {});
  return page;
}

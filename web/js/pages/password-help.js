// password-help.js: what the password forms share: a live strength hint (a rough guide; the
// server decides, with libzxcvbn and a list of passwords common in Vietnam) and every field
// error of an answer shown beside its field at once.
import { h } from '../h.js';

const COMMON = ['123456', '12345678', '123456789', 'matkhau', 'anhyeuem', 'emyeuanh', 'iloveyou', 'password',
  'qwerty', 'abc123', '111111', '000000', 'admin', 'vietnam', 'hanoi', 'saigon'];

function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** 0 (empty) … 4 (strong): length and variety, and nothing from the common list. */
export function roughStrength(pw) {
  if (!pw) return 0;
  const f = fold(pw);
  if (pw.length < 8 || COMMON.some((c) => f.startsWith(c) && /^\d*$/.test(f.slice(c.length))) || /^[a-z]{1,12}(19|20)\d\d$/.test(f)) return 1;
  let kinds = 0;
  for (const re of [/[a-zà-ỹ]/, /[A-ZÀ-Ỹ]/, /\d/, /[^\p{L}\p{N}]/u]) if (re.test(pw)) kinds++;
  const score = (pw.length >= 12 ? 2 : pw.length >= 10 ? 1 : 0) + (kinds >= 3 ? 2 : kinds === 2 ? 1 : 0);
  return Math.max(1, Math.min(4, score));
}

const LABELS = ['', 'Yếu: rất dễ bị đoán', 'Trung bình: nên dài hơn', 'Khá', 'Mạnh'];

/** A line under a password input that follows what is typed. */
export function strengthHint(form, name) {
  const out = h('p', { class: 'field-hint password-strength', 'aria-live': 'polite', dataset: { strength: '0' } });
  const input = form.elements.namedItem(name);
  if (!input) return out;
  const update = () => {
    const s = roughStrength(input.value);
    out.dataset.strength = String(s);
    out.textContent = s ? `Độ mạnh: ${LABELS[s]}.` : '';
  };
  input.addEventListener('input', update);
  input.closest('.field').append(out);
  return out;
}

/** Shows every error of an answer ({errors:[{field, message}]}) beside its field. */
export function showAllErrors(form, err) {
  const list = err && Array.isArray(err.errors) ? err.errors : [];
  for (const e of list) {
    const control = e.field ? form.elements.namedItem(e.field) : null;
    const slot = control && control.closest && control.closest('.field') ? control.closest('.field').querySelector(':scope > .field-error') : null;
    if (!slot) continue;
    slot.textContent = e.message;
    slot.hidden = false;
    control.setAttribute('aria-invalid', 'true');
  }
}

// ui.js: shared pieces — form fields with error slots, banners, pager, confirm dialog, formatting.
import { h, uid } from './h.js';
import { ApiError } from './api.js';
import { icon } from './icons.js';

/* ---------- formatting (display only; figures come from the server) ---------- */

const numberFormat = new Intl.NumberFormat('vi-VN');
const dateTimeFormat = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric',
  hour: '2-digit', minute: '2-digit', hour12: false,
});
const dateFormat = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric',
});

export function fmtNum(n) {
  return typeof n === 'number' && Number.isFinite(n) ? numberFormat.format(n) : String(n ?? '');
}

/** 25/11/2026 18:08 (Vietnam time). */
export function fmtDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const parts = Object.fromEntries(dateTimeFormat.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

export function fmtDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const parts = Object.fromEntries(dateFormat.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year}`;
}

/* ---------- dates typed as dd/mm/yyyy, whatever the browser's language ---------- */

const DATE_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** "25/12/2026" → "2026-12-25"; null when it is not a real day. */
export function parseDayMonthYear(text) {
  const m = DATE_RE.exec(String(text || '').trim());
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return `${m[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** "2026-12-25" → "25/12/2026" ("" for anything else). */
export function isoToDayMonthYear(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso || ''));
  return m ? `${m[3]}/${m[2]}/${m[1]}` : '';
}

/** Why `text` is not a date, in Vietnamese; null when it is one (or empty). */
export function dateProblem(text) {
  const t = String(text || '').trim();
  if (!t) return null;
  if (!DATE_RE.test(t)) return 'Nhập ngày theo dạng ngày/tháng/năm, ví dụ 25/12/2026.';
  if (!parseDayMonthYear(t)) return 'Ngày này không có trên lịch. Hãy kiểm tra lại ngày và tháng.';
  return null;
}

/**
 * A date field shown and typed as dd/mm/yyyy (a text input with a mask: the slashes come by
 * themselves), whatever the browser's language; `value` and the form's value stay ISO-free:
 * callers convert with parseDayMonthYear.
 */
export function dateField(opts) {
  const f = field({
    ...opts, type: 'text', inputmode: 'numeric', maxlength: 10, autocomplete: 'off',
    placeholder: 'dd/mm/yyyy', value: isoToDayMonthYear(opts.value) || opts.value || '',
    hint: opts.hint ? `${opts.hint} Dạng ngày/tháng/năm.` : 'Dạng ngày/tháng/năm, ví dụ 25/12/2026.',
  });
  const input = f.querySelector('input');
  input.classList.add('input-date');
  input.addEventListener('input', (event) => {
    if (event.inputType && event.inputType.startsWith('delete')) return;
    const v = input.value;
    if (/^\d{2}$/.test(v) || /^\d{1,2}\/\d{2}$/.test(v)) input.value = `${v}/`;
    else if (/^\d{5,8}$/.test(v)) input.value = `${v.slice(0, 2)}/${v.slice(2, 4)}/${v.slice(4)}`;
  });
  input.addEventListener('blur', () => {
    const problem = dateProblem(input.value);
    const error = f.querySelector('.field-error');
    if (problem) {
      input.setAttribute('aria-invalid', 'true');
      error.textContent = problem;
      error.hidden = false;
    } else {
      input.removeAttribute('aria-invalid');
      error.hidden = true;
      error.textContent = '';
    }
  });
  return f;
}

/* ---------- flash message carried to the next rendered page ---------- */

let flashText = null;
export function setFlash(text) {
  flashText = text;
}
export function takeFlash() {
  const text = flashText;
  flashText = null;
  return text ? banner('success', text) : null;
}

/* ---------- banners, empty states, headings ---------- */

export function banner(kind, text, ...extra) {
  const role = kind === 'error' ? 'alert' : 'status';
  return h('div', { class: `banner banner-${kind}`, role }, h('p', null, text), ...extra);
}

export function errorBanner(err, retry) {
  const message = err instanceof ApiError ? err.message : 'Đã có lỗi không mong muốn. Vui lòng tải lại trang.';
  return banner('error', message,
    retry ? h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: retry }, 'Thử lại') : null);
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

export function pageHeader(title, subtitle, ...actions) {
  return h('header', { class: 'page-header' },
    h('div', { class: 'page-header-text' },
      h('h1', { tabindex: '-1', class: 'page-title' }, title),
      subtitle ? h('p', { class: 'page-subtitle' }, subtitle) : null),
    actions.length ? h('div', { class: 'page-actions' }, ...actions) : null);
}

export function section(title, ...children) {
  const id = uid('sec');
  return h('section', { class: 'card', 'aria-labelledby': id },
    h('h2', { id, class: 'card-title' }, title), ...children);
}

export function badge(text, kind = 'neutral') {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/* ---------- form fields ---------- */

/**
 * field({label, name, type, value, required, autocomplete, hint, options:[{value,label}]})
 * → <div class="field"> with <label for>, the control, a hint and an error slot.
 */
export function field(opts) {
  const {
    label, name, type = 'text', value = '', required = false, autocomplete, hint, options,
    placeholder, inputmode, maxlength, minlength, autocapitalize, spellcheck, control: customControl,
  } = opts;
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  let control;
  if (customControl) {
    control = customControl;
  } else if (type === 'select') {
    control = h('select', { id, name, 'aria-describedby': describedBy },
      (options || []).map((o) => h('option', { value: o.value, selected: String(o.value) === String(value) }, o.label)));
  } else if (type === 'textarea') {
    control = h('textarea', { id, name, rows: '3', 'aria-describedby': describedBy });
    control.value = value ?? '';
  } else {
    control = h('input', {
      id, name, type, autocomplete, placeholder, inputmode, maxlength, minlength, autocapitalize,
      spellcheck: spellcheck === undefined ? undefined : String(spellcheck),
      'aria-describedby': describedBy,
    });
    control.value = value ?? '';
  }
  if (required) {
    control.dataset.required = 'true';
    control.setAttribute('aria-required', 'true');
  }
  control.dataset.label = label;
  const labelEl = h('label', { for: control.id || id, class: 'field-label' }, label,
    required || opts.optionalMark === false ? null : h('span', { class: 'optional' }, ' (không bắt buộc)'));
  return h('div', { class: 'field' },
    labelEl,
    hint ? h('p', { class: 'field-hint', id: hintId }, hint) : null,
    opts.wrap ? opts.wrap(control) : control,
    h('p', { class: 'field-error', id: errorId, hidden: true }));
}

/** Gives a "Hiện"/"Ẩn" button the power to show or hide the password of `input`. */
export function bindReveal(toggle, input) {
  toggle.addEventListener('click', () => {
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    toggle.setAttribute('aria-pressed', String(show));
    toggle.replaceChildren(icon(show ? 'eyeOff' : 'eye'), h('span', null, show ? 'Ẩn' : 'Hiện'));
    toggle.setAttribute('aria-label', show ? 'Ẩn mật khẩu' : 'Hiện mật khẩu');
  });
}

/** A password field with a "Hiện"/"Ẩn" toggle button. */
export function passwordField(opts) {
  const toggle = h('button', { type: 'button', class: 'btn-reveal', 'aria-pressed': 'false' }, icon('eye'), h('span', null, 'Hiện'));
  toggle.setAttribute('aria-label', 'Hiện mật khẩu');
  return field({
    ...opts,
    type: 'password',
    autocapitalize: 'none',
    spellcheck: false,
    wrap: (control) => {
      bindReveal(toggle, control);
      toggle.setAttribute('aria-controls', control.id);
      return h('div', { class: 'password-wrap' }, control, toggle);
    },
  });
}

export class FieldError extends ApiError {
  constructor(field, message) {
    super(0, 'client', message, field);
  }
}

function controlFor(form, name) {
  if (!name) return null;
  const el = form.elements.namedItem(name);
  if (!el) return null;
  if (el instanceof RadioNodeList) return el[0] || null;
  return el;
}

function errorSlotFor(control) {
  const wrapper = control && control.closest('.field');
  return wrapper ? wrapper.querySelector(':scope > .field-error') : null;
}

export function clearFormErrors(form) {
  for (const slot of form.querySelectorAll('.field-error')) {
    slot.textContent = '';
    slot.hidden = true;
  }
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  const alert = form.querySelector(':scope > .form-alert');
  if (alert) {
    alert.replaceChildren();
    alert.hidden = true;
  }
}

/** Shows an error next to its field when the form has it, else in the form's banner. */
export function showFormError(form, err) {
  const message = err instanceof ApiError ? err.message : 'Đã có lỗi không mong muốn. Vui lòng thử lại.';
  const control = err instanceof ApiError ? controlFor(form, err.field) : null;
  const slot = errorSlotFor(control);
  if (control && slot) {
    slot.textContent = message;
    slot.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    control.focus();
    return;
  }
  const alert = form.querySelector(':scope > .form-alert');
  alert.replaceChildren(h('p', null, message));
  alert.hidden = false;
  alert.scrollIntoView({ block: 'nearest' });
}

export function showFormSuccess(form, text) {
  const ok = form.querySelector(':scope > .form-success');
  ok.replaceChildren(h('p', null, text));
  ok.hidden = false;
}

function checkRequired(form) {
  for (const el of form.querySelectorAll('[data-required="true"]')) {
    if (el.disabled) continue;
    let empty;
    if (el.type === 'radio') {
      empty = !form.querySelector(`input[type="radio"][name="${CSS.escape(el.name)}"]:checked`);
    } else {
      empty = String(el.value || '').trim() === '';
    }
    if (empty) {
      const verb = el.dataset.verb || (el.tagName === 'SELECT' || el.type === 'radio' ? 'chọn' : 'nhập');
      throw new FieldError(el.name, `Vui lòng ${verb} ${String(el.dataset.label || '').toLowerCase()}.`);
    }
  }
}

/**
 * form({submitLabel, busyLabel, onSubmit(values, form)}, ...children)
 * onSubmit may throw ApiError/FieldError; they are displayed next to the field or in a banner.
 * Returning a string shows it as a success message in the form.
 */
export function form(opts, ...children) {
  const { submitLabel, className = '', secondary, submitClass = 'btn-primary' } = opts;
  const submit = h('button', { type: 'submit', class: `btn ${submitClass}` }, submitLabel);
  const el = h('form', { class: `form ${className}`.trim(), novalidate: true, ...(opts.attrs || {}) },
    h('div', { class: 'form-alert banner banner-error', role: 'alert', hidden: true }),
    h('div', { class: 'form-success banner banner-success', role: 'status', hidden: true }),
    ...children,
    h('div', { class: 'form-actions' }, submit, secondary || null));
  return bindForm(el, opts);
}

/**
 * Gives a form of that shape its behaviour (form() builds one; index.html holds the log-in form).
 * A submit pressed before this ran (data-pending, set by index.html's script) is sent now.
 */
export function bindForm(el, opts) {
  const { submitLabel, busyLabel = 'Đang xử lý…', onSubmit } = opts;
  const submit = el.querySelector(':scope > .form-actions > button[type="submit"]');
  let busy = false;
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    clearFormErrors(el);
    const ok = el.querySelector(':scope > .form-success');
    ok.hidden = true;
    const values = {};
    for (const [key, value] of new FormData(el).entries()) values[key] = typeof value === 'string' ? value : '';
    busy = true;
    submit.disabled = true;
    submit.textContent = busyLabel;
    el.setAttribute('aria-busy', 'true');
    try {
      checkRequired(el);
      const result = await onSubmit(values, el);
      if (typeof result === 'string') showFormSuccess(el, result);
    } catch (err) {
      if (!(err instanceof ApiError)) console.warn(err);
      if (el.isConnected) showFormError(el, err);
    } finally {
      busy = false;
      submit.disabled = false;
      submit.textContent = submitLabel;
      el.removeAttribute('aria-busy');
    }
  });
  el.setAttribute('data-bound', '');
  if (el.hasAttribute('data-pending')) {
    el.removeAttribute('data-pending');
    submit.disabled = false;
    submit.textContent = submitLabel;
    queueMicrotask(() => el.requestSubmit());
  }
  return el;
}

/* ---------- pager ---------- */

/**
 * pager({page, per_page, total, items}, go(page)). With `capped`, a total of null means "more than
 * 1,000" (a list too long to count): then there is a next page while this one is full.
 */
export function pager(data, go, noun = 'kết quả', { capped = false } = {}) {
  const page = Number(data.page) || 1;
  const perPage = Number(data.per_page) || 50;
  const counted = !capped || typeof data.total === 'number';
  const total = counted ? Number(data.total) || 0 : 0;
  const full = (data.items || []).length >= perPage;
  const pages = counted ? Math.max(1, Math.ceil(total / perPage)) : page + (full ? 1 : 0);
  let text;
  if (!counted) text = `Trang ${fmtNum(page)} · hơn ${fmtNum(1000)} ${noun}`;
  else text = pages > 1 ? `Trang ${fmtNum(page)}/${fmtNum(pages)} · ${fmtNum(total)} ${noun}` : `${fmtNum(total)} ${noun}`;
  const summary = h('p', { class: 'pager-summary' }, text);
  if (pages <= 1 && page <= 1) return h('nav', { class: 'pager', 'aria-label': 'Phân trang' }, summary);
  return h('nav', { class: 'pager', 'aria-label': 'Phân trang' },
    h('button', {
      type: 'button', class: 'btn btn-secondary', disabled: page <= 1, onclick: () => go(page - 1),
    }, icon('back'), h('span', null, 'Trang trước')),
    summary,
    h('button', {
      type: 'button', class: 'btn btn-secondary', disabled: page >= pages, onclick: () => go(page + 1),
    }, h('span', null, 'Trang sau'), icon('chevron')));
}

/**
 * Pager for keyset lists ("Mới hơn" / "Cũ hơn"): `data` has `newer` and `older` cursors and a
 * `total` that is null when the list is too long to count.
 */
export function keysetPager(data, go, noun = 'mục') {
  const total = typeof data.total === 'number' ? data.total : null;
  const summary = h('p', { class: 'pager-summary' },
    total === null ? `Hơn ${fmtNum(1000)} ${noun}` : `${fmtNum(total)} ${noun}`);
  if (!data.newer && !data.older) return h('nav', { class: 'pager', 'aria-label': 'Phân trang' }, summary);
  return h('nav', { class: 'pager', 'aria-label': 'Phân trang' },
    h('button', {
      type: 'button', class: 'btn btn-secondary', disabled: !data.newer, onclick: () => go({ after: data.newer, before: undefined }),
    }, icon('back'), h('span', null, 'Mới hơn')),
    summary,
    h('button', {
      type: 'button', class: 'btn btn-secondary', disabled: !data.older, onclick: () => go({ before: data.older, after: undefined }),
    }, h('span', null, 'Cũ hơn'), icon('chevron')));
}

/* ---------- confirm dialog ---------- */

export function confirmDialog({ title, message, okLabel = 'Đồng ý', cancelLabel = 'Hủy', danger = false }) {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    let answered = false;
    const finish = (value) => {
      if (answered) return;
      answered = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      resolve(value);
    };
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId },
      h('h2', { id: titleId, class: 'dialog-title' }, title),
      message ? h('p', null, message) : null,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => finish(false) }, cancelLabel),
        h('button', { type: 'button', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, onclick: () => finish(true) }, okLabel)));
    dialog.addEventListener('close', () => finish(false));
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}

/* ---------- small helpers ---------- */

export function parsePage(value) {
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

export function loading(text = 'Đang tải…') {
  return h('p', { class: 'loading', role: 'status' }, text);
}

/* ---------- search box ---------- */

/** A labelled search box; onSearch(text) on submit; a clear button when there is a query. */
export function searchForm({ label, value = '', placeholder, onSearch, name = 'q' }) {
  const id = uid('search');
  const input = h('input', {
    id, name, type: 'search', placeholder, autocomplete: 'off', enterkeyhint: 'search', spellcheck: 'false',
  });
  input.value = value || '';
  const el = h('form', { class: 'search-form', role: 'search', novalidate: true },
    h('label', { for: id, class: 'field-label' }, label),
    h('div', { class: 'search-row' },
      input,
      h('button', { type: 'submit', class: 'btn btn-primary' }, icon('search'), h('span', null, 'Tìm'))),
    value ? h('button', {
      type: 'button', class: 'btn-link', onclick: () => onSearch(''),
    }, 'Xóa tìm kiếm') : null);
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    onSearch(input.value.trim());
  });
  return el;
}

/** <details> disclosure used for forms that are not needed all the time. */
export function disclosure(summary, body, { open = false, iconName = 'plus' } = {}) {
  return h('details', { class: 'disclosure', open },
    h('summary', { class: 'disclosure-summary' }, icon(iconName, iconName === 'plus' ? 'turns' : ''), h('span', null, summary)),
    h('div', { class: 'disclosure-body' }, body));
}

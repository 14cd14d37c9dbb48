// Chợ số – Siêu thị số, mô hình 4T (#/cho-so): the markets of the caller's scope with how many of
// their traders did each 4T step, the traders (by market, or still without a step: a worklist), and,
// for the community digital team (field.write), recording a step in a few taps: the step, the day
// (today by default), who guided (the caller by default, a member of the caller's team in one tap, or
// anyone of the registry found by name). The steps come from the server's list, never from here.
// Never counts anything itself: the counts are the server's.
import { h } from '../h.js';
import { api, ApiError, hasRoute } from '../api.js';
import { icon } from '../icons.js';
import {
  pageHeader, section, field, form, pager, empty, disclosure, setFlash, parsePage, fmtNum, banner,
  dateField, parseDayMonthYear, dateProblem, isoToDayMonthYear, FieldError, confirmDialog, errorBanner,
} from '../ui.js';
import { personPicker } from '../person-picker.js';

const PER_PAGE = 50;

function todayText() {
  const d = new Date();
  return `${String(d.getDate()).padStart(2, '0')}/${String(d.getMonth() + 1).padStart(2, '0')}/${d.getFullYear()}`;
}

/* ---------- the markets ---------- */

function marketCard(ctx, m, steps) {
  const chosen = String(ctx.query.market_id || '') === String(m.id);
  return h('li', { class: `market-item${chosen ? ' is-current' : ''}`, dataset: { id: String(m.id) } },
    h('p', { class: 'request-head' },
      h('a', { href: ctx.hashFor(ctx.path, { market_id: String(m.id) }), class: 'row-name' }, m.name), ' ',
      h('span', { class: 'muted' }, `${fmtNum(m.traders)} tiểu thương`)),
    h('ul', { class: 'step-counts' }, steps.map((s) => {
      const n = (m.steps && m.steps[s.code]) || 0;
      return h('li', { dataset: { step: s.code } },
        h('span', { class: 'step-count' }, `${fmtNum(n)}/${fmtNum(m.traders)}`), ' ',
        h('span', { class: 'step-label' }, s.label));
    })));
}

/* ---------- one trader ---------- */

// Who guided: the caller (value ''), a member of the caller's team, or a person picked from the registry.
function helperChoice(value, label, checked) {
  return h('li', null, h('label', { class: 'choice choice-small' },
    h('input', { type: 'radio', name: 'helper', value, checked }), h('span', null, label)));
}

function recordForm(ctx, t, steps, team) {
  const left = steps.filter((s) => !t.steps.some((d) => d.step === s.code));
  if (!left.length) return null;
  const choices = h('ul', { class: 'choice-list radio-list trade-helpers', 'aria-labelledby': `helper-${t.person_id}` },
    helperChoice('', 'Tôi (người ghi nhận)', true),
    (team || []).filter((m) => m.person_id !== t.person_id).map((m) => helperChoice(String(m.person_id), m.full_name, false)));
  const pick = personPicker({
    label: 'Tìm người hướng dẫn khác trong sổ dân cư',
    actionLabel: 'Chọn',
    act: async (p) => {
      let box = choices.querySelector(`input[value="${p.id}"]`);
      if (!box) {
        const li = helperChoice(String(p.id), p.full_name, false);
        choices.appendChild(li);
        box = li.querySelector('input');
      }
      box.checked = true;
      box.focus();
    },
  });
  const f = form({
    submitLabel: 'Ghi nhận',
    busyLabel: 'Đang ghi…',
    className: 'trade-step-form',
    attrs: { 'aria-label': `Ghi nhận bước 4T của ${t.full_name}` },
    onSubmit: async (values) => {
      const problem = dateProblem(values.done_on);
      if (problem) throw new FieldError('done_on', problem);
      const iso = parseDayMonthYear(values.done_on);
      if (!iso) throw new FieldError('done_on', 'Vui lòng nhập ngày thực hiện.');
      const body = { step: values.step, done_on: iso };
      if (values.helper) body.helper_id = Number(values.helper);
      await api.post(`/residents/${encodeURIComponent(t.person_id)}/trade-steps`, body);
      setFlash(`Đã ghi nhận bước 4T của ${t.full_name}.`); // recorded before (200): the first record stands
      ctx.refresh();
      return undefined;
    },
  },
  field({ label: 'Bước đã thực hiện', name: 'step', type: 'select', value: left[0].code, optionalMark: false,
    options: left.map((s) => ({ value: s.code, label: s.label })) }),
  dateField({ label: 'Ngày thực hiện', name: 'done_on', required: true, value: todayText() }),
  h('div', { class: 'field' }, h('p', { class: 'field-label', id: `helper-${t.person_id}` }, 'Người hướng dẫn'), choices));
  // The search sits outside the form (a form holds no other form), under the choices it adds to.
  return disclosure('Ghi nhận bước 4T', h('div', null, f, pick));
}

function removeButton(ctx, t, s, d, slot) {
  const button = h('button', {
    type: 'button', class: 'btn-icon step-remove', 'aria-label': `Xóa bước “${s.label}” của ${t.full_name}`,
    onclick: async () => {
      const yes = await confirmDialog({
        title: 'Xóa bước ghi nhầm?',
        message: `Xóa bước “${s.label}” ngày ${isoToDayMonthYear(d.done_on)} của ${t.full_name}. Việc xóa được ghi vào nhật ký.`,
        okLabel: 'Xóa', danger: true,
      });
      if (!yes) return;
      button.disabled = true;
      try {
        await api.del(`/residents/${encodeURIComponent(t.person_id)}/trade-steps?step=${encodeURIComponent(s.code)}`);
        setFlash(`Đã xóa bước “${s.label}” của ${t.full_name}.`);
        ctx.refresh();
      } catch (err) {
        button.disabled = false;
        if (err instanceof ApiError && err.status === 401) throw err;
        slot.replaceChildren(errorBanner(err));
      }
    },
  }, icon('close'));
  return button;
}

function traderItem(ctx, t, steps, canWrite, team) {
  const slot = h('div');
  return h('li', { class: 'trader-item', dataset: { id: String(t.person_id), market: String(t.market_id) } },
    h('p', { class: 'request-head' },
      h('a', { href: `#/dan-cu/${encodeURIComponent(t.person_id)}`, class: 'row-name' }, t.full_name)),
    h('p', { class: 'item-meta' }, `${t.market_name} · ${t.unit_name}`),
    h('ul', { class: 'step-chips', 'aria-label': 'Các bước 4T' }, steps.map((s) => {
      const d = t.steps.find((x) => x.step === s.code);
      return h('li', { class: `step-chip ${d ? 'is-done' : 'is-todo'}`, dataset: { step: s.code } },
        d ? icon('check') : null,
        h('span', null, d ? `${s.label}: ${isoToDayMonthYear(d.done_on)}${d.helper_name ? ` (${d.helper_name})` : ''}` : `${s.label}: chưa`),
        d && canWrite ? removeButton(ctx, t, s, d, slot) : null);
    })),
    slot,
    canWrite ? recordForm(ctx, t, steps, team) : null);
}

function filterForm(ctx, markets, steps) {
  const el = h('form', { class: 'form filter-form', novalidate: true, role: 'search', 'aria-label': 'Lọc tiểu thương' },
    field({ label: 'Chợ', name: 'market_id', type: 'select', value: ctx.query.market_id || '', optionalMark: false,
      options: [{ value: '', label: 'Tất cả các chợ' }].concat(markets.map((m) => ({ value: String(m.id), label: m.name }))) }),
    field({ label: 'Chưa thực hiện bước', name: 'without_step', type: 'select', value: ctx.query.without_step || '', optionalMark: false,
      options: [{ value: '', label: 'Không lọc' }].concat(steps.map((s) => ({ value: s.code, label: s.label }))) }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'btn btn-primary' }, icon('search'), h('span', null, 'Lọc'))));
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    const f = new FormData(el);
    ctx.setQuery({ market_id: f.get('market_id') || '', without_step: f.get('without_step') || '', page: '' });
  });
  return el;
}

export async function render(ctx) {
  const title = 'Chợ số – Mô hình 4T';
  if (!(await hasRoute('/markets'))) {
    return h('div', { class: 'page' }, pageHeader(title, null),
      banner('warning', 'Máy chủ chưa có chức năng này. Chức năng sẽ dùng được sau khi hệ thống được cập nhật.'));
  }
  const page = parsePage(ctx.query.page);
  const query = { page, per_page: PER_PAGE };
  if (ctx.query.market_id) query.market_id = ctx.query.market_id;
  if (ctx.query.without_step) query.without_step = ctx.query.without_step;
  let markets;
  let list;
  try {
    [markets, list] = await Promise.all([api.get('/markets'), api.get('/traders', query)]);
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) {
      ctx.setQuery({ market_id: '', without_step: '', page: '' });
      return h('div', { class: 'page' });
    }
    throw err;
  }
  const steps = markets.steps || [];
  const items = list.items || [];
  const canWrite = ctx.can('field.write');
  // A helper of one team picks a fellow member in one tap; others search the registry.
  let team = null;
  if (canWrite && items.length && ctx.can('people.read')) {
    const teams = await api.get('/field/teams', { per_page: 2 });
    if (teams && teams.total === 1) team = (await api.get(`/field/teams/${encodeURIComponent(teams.items[0].id)}`)).members;
  }
  const filtered = ctx.query.market_id || ctx.query.without_step;
  return h('div', { class: 'page' },
    pageHeader(title, 'Tiểu thương – Thương mại điện tử – Thanh toán không dùng tiền mặt – Tiết kiệm số: hướng dẫn tiểu thương từng bước và ghi nhận ngày, người hướng dẫn.'),
    section('Các chợ',
      markets.items && markets.items.length
        ? h('ul', { class: 'request-list market-list' }, markets.items.map((m) => marketCard(ctx, m, steps)))
        : empty('Chưa có chợ nào trong phạm vi của bạn. Tiểu thương được ghi bằng quan hệ “tiểu thương” với một chợ trên hồ sơ người dân.')),
    h('section', { class: 'card', 'aria-label': 'Bộ lọc' }, filterForm(ctx, markets.items || [], steps)),
    section('Tiểu thương',
      items.length ? h('ul', { class: 'request-list trader-list' }, items.map((t) => traderItem(ctx, t, steps, canWrite, team)))
        : empty(filtered ? 'Không có tiểu thương nào khớp bộ lọc.' : 'Chưa có tiểu thương nào trong phạm vi của bạn.'),
      pager(list, (n) => ctx.setQuery({ page: n > 1 ? String(n) : '' }), 'tiểu thương')));
}

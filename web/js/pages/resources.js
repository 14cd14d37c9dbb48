// Resources (nguồn lực): #/nguon-luc — what organisations, businesses and individuals contributed
// (money, devices, facilities, people) to the units in the officer's scope, with totals by kind and
// by source; the form to record one (for a unit of one's own, to a household of it if any, for a
// plan task); and each plan task's budget beside what was mobilised for it.
// Never adds anything up itself: the totals are the server's.
import { h } from '../h.js';
import { api, hasRoute } from '../api.js';
import { pageHeader, section, field, form, empty, setFlash, banner, pager, parsePage, fmtNum, FieldError, disclosure } from '../ui.js';

const PER_PAGE = 50;
export const SOURCES = [
  { value: 'organisation', label: 'Tổ chức' },
  { value: 'business', label: 'Doanh nghiệp' },
  { value: 'individual', label: 'Cá nhân' },
];
export const KINDS = [
  { value: 'money', label: 'Tiền' },
  { value: 'devices', label: 'Thiết bị' },
  { value: 'facilities', label: 'Cơ sở vật chất' },
  { value: 'people', label: 'Nhân lực' },
];
const vnd = (n) => `${fmtNum(n)} đ`;

function totalsCard(t) {
  const item = (label, b) => h('li', null, h('span', { class: 'stat-value' }, vnd(b.value_vnd)), h('span', { class: 'stat-label' }, `${label} (${fmtNum(b.count)})`));
  return h('section', { class: 'card', 'aria-label': 'Tổng hợp đóng góp' },
    h('p', null, h('strong', null, `Tổng giá trị: ${vnd(t.value_vnd)}`), ` · ${fmtNum(t.count)} đóng góp`),
    h('ul', { class: 'stat-list resource-kinds' }, KINDS.map((k) => item(k.label, t.by_kind[k.value]))),
    h('ul', { class: 'stat-list resource-sources' }, SOURCES.map((s) => item(s.label, t.by_source[s.value]))));
}

function listTable(items) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  const where = (c) => [c.unit_name, c.recipient_unit_name, c.recipient_household ? `hộ ${c.recipient_household.code || ''} ${c.recipient_household.address || ''}`.trim() : null].filter(Boolean).join(' → ');
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards resources-table' },
      h('caption', { class: 'visually-hidden' }, 'Các đóng góp'),
      h('thead', null, h('tr', null, ['Nguồn', 'Loại', 'Nội dung', 'Giá trị', 'Nơi nhận', 'Nhiệm vụ', 'Ngày'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((c) => h('tr', { dataset: { id: String(c.id) } },
        h('td', { class: 'cell-title', dataset: { label: 'Nguồn' } }, h('strong', null, c.source_name), ` (${c.source_label})`),
        cell('Loại', c.kind_label),
        cell('Nội dung', c.description, c.quantity ? ` · ${fmtNum(c.quantity)}` : ''),
        cell('Giá trị', vnd(c.value_vnd)),
        cell('Nơi nhận', where(c)),
        cell('Nhiệm vụ', c.task_code || '—'),
        cell('Ngày', c.received_on.split('-').reverse().join('/')))))));
}

function addForm(ctx, tasks) {
  const units = (ctx.me.roles || []).map((g) => ({ value: String(g.unit_id), label: g.unit_name }))
    .filter((u, i, all) => all.findIndex((x) => x.value === u.value) === i);
  const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
  return form({
    submitLabel: 'Ghi đóng góp',
    busyLabel: 'Đang ghi…',
    className: 'resource-form',
    onSubmit: async (values) => {
      const value = Number((values.value_vnd || '').replace(/[.\s]/g, ''));
      if (!Number.isInteger(value) || value < 0) throw new FieldError('value_vnd', 'Giá trị là số đồng, không âm.');
      const body = {
        unit_id: Number(values.unit_id), source_kind: values.source_kind, source_name: values.source_name.trim(), kind: values.kind,
        description: values.description.trim(), value_vnd: value, received_on: values.received_on,
      };
      if (values.quantity.trim()) {
        if (!/^\d+$/.test(values.quantity.trim()) || Number(values.quantity) < 1) throw new FieldError('quantity', 'Số lượng là số nguyên dương.');
        body.quantity = Number(values.quantity);
      }
      if (values.recipient_household_id.trim()) {
        if (!/^\d+$/.test(values.recipient_household_id.trim())) throw new FieldError('recipient_household_id', 'Số hiệu hộ là một số.');
        body.recipient_household_id = Number(values.recipient_household_id);
      }
      if (values.task_id) body.task_id = Number(values.task_id);
      await api.post('/contributions', body);
      setFlash('Đã ghi đóng góp.');
      ctx.refresh();
      return undefined;
    },
  },
  field({ label: 'Đơn vị tiếp nhận', name: 'unit_id', type: 'select', value: units[0] ? units[0].value : '', options: units, optionalMark: false }),
  field({ label: 'Nguồn', name: 'source_kind', type: 'select', value: 'business', options: SOURCES, optionalMark: false }),
  field({ label: 'Tên tổ chức, doanh nghiệp hoặc người đóng góp', name: 'source_name', required: true, maxlength: 200 }),
  field({ label: 'Loại đóng góp', name: 'kind', type: 'select', value: 'devices', options: KINDS, optionalMark: false }),
  field({ label: 'Nội dung', name: 'description', required: true, maxlength: 1000, placeholder: 'ví dụ: Tặng điện thoại thông minh cho hộ khó khăn' }),
  field({ label: 'Số lượng', name: 'quantity', inputmode: 'numeric', maxlength: 7 }),
  field({ label: 'Giá trị (đồng)', name: 'value_vnd', required: true, inputmode: 'numeric', maxlength: 20, hint: 'Với thiết bị, cơ sở vật chất, nhân lực: giá trị ước tính (có thể ghi 0).' }),
  field({ label: 'Hộ được nhận (số hiệu hộ)', name: 'recipient_household_id', inputmode: 'numeric', maxlength: 19, hint: 'Hộ thuộc đơn vị tiếp nhận, ví dụ hộ được tặng điện thoại.' }),
  field({ label: 'Nhiệm vụ của kế hoạch', name: 'task_id', type: 'select', value: '', options: [{ value: '', label: 'Không gắn nhiệm vụ' }].concat(tasks.map((t) => ({ value: String(t.id), label: `${t.code}. ${t.title.slice(0, 70)}${t.title.length > 70 ? '…' : ''}` }))) }),
  field({ label: 'Ngày tiếp nhận', name: 'received_on', type: 'date', value: today, required: true }));
}

function budgetTable(b) {
  const rows = b.items.filter((t) => t.budget_vnd || t.mobilised_vnd);
  return h('div', null,
    h('p', null, `Kinh phí đã bố trí: ${vnd(b.totals.budget_vnd)} · Đã huy động: ${vnd(b.totals.mobilised_vnd)}`),
    rows.length ? h('div', { class: 'table-wrap' },
      h('table', { class: 'table table-cards budgets-table' },
        h('caption', { class: 'visually-hidden' }, 'Kinh phí theo nhiệm vụ'),
        h('thead', null, h('tr', null, ['Nhiệm vụ', 'Kinh phí', 'Đã huy động'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, rows.map((t) => h('tr', { dataset: { code: t.code } },
          h('td', { class: 'cell-title', dataset: { label: 'Nhiệm vụ' } }, h('a', { href: `#/ke-hoach/${encodeURIComponent(t.task_id)}` }, t.code)),
          h('td', { dataset: { label: 'Kinh phí' } }, vnd(t.budget_vnd),
            t.budgets.length ? h('span', { class: 'item-meta' }, ` (${t.budgets.map((x) => `${x.year}, ${x.source === 'state_budget' ? 'ngân sách' : 'nguồn khác'}: ${vnd(x.amount_vnd)}`).join('; ')})`) : null),
          h('td', { dataset: { label: 'Đã huy động' } }, vnd(t.mobilised_vnd))))))) : empty('Chưa có kinh phí hay đóng góp nào gắn với nhiệm vụ.'));
}

function budgetForm(ctx, tasks) {
  return form({
    submitLabel: 'Ghi kinh phí',
    busyLabel: 'Đang ghi…',
    className: 'budget-form',
    onSubmit: async (values) => {
      const amount = Number((values.amount_vnd || '').replace(/[.\s]/g, ''));
      if (!Number.isInteger(amount) || amount < 0) throw new FieldError('amount_vnd', 'Kinh phí là số đồng, không âm.');
      await api.put(`/plan/tasks/${encodeURIComponent(values.task)}/budget`, { year: Number(values.year), source: values.source, amount_vnd: amount });
      setFlash('Đã ghi kinh phí.');
      ctx.refresh();
      return undefined;
    },
  },
  field({ label: 'Nhiệm vụ', name: 'task', type: 'select', value: tasks[0] ? String(tasks[0].id) : '', options: tasks.map((t) => ({ value: String(t.id), label: t.code })), optionalMark: false }),
  field({ label: 'Năm', name: 'year', inputmode: 'numeric', value: String(new Date().getFullYear()), maxlength: 4, optionalMark: false }),
  field({ label: 'Nguồn kinh phí', name: 'source', type: 'select', value: 'state_budget', options: [{ value: 'state_budget', label: 'Ngân sách nhà nước' }, { value: 'other', label: 'Nguồn hợp pháp khác' }], optionalMark: false }),
  field({ label: 'Kinh phí (đồng)', name: 'amount_vnd', inputmode: 'numeric', required: true, maxlength: 20 }));
}

export async function render(ctx) {
  if (!(await hasRoute('/contributions'))) {
    return h('div', { class: 'page' }, pageHeader('Nguồn lực', null),
      banner('warning', 'Máy chủ chưa có chức năng này. Chức năng sẽ dùng được sau khi hệ thống được cập nhật.'));
  }
  const page = parsePage(ctx.query.page);
  const query = { page, per_page: PER_PAGE };
  for (const k of ['kind', 'source_kind', 'unit_id']) if (ctx.query[k]) query[k] = ctx.query[k];
  const [data, budgets, plan] = await Promise.all([api.get('/contributions', query), api.get('/plan/budgets'), api.get('/plan/tasks')]);
  const tasks = plan.items || [];
  return h('div', { class: 'page' },
    pageHeader('Nguồn lực', 'Đóng góp của tổ chức, doanh nghiệp, cá nhân (tiền, thiết bị, cơ sở vật chất, nhân lực) và kinh phí của các nhiệm vụ trong kế hoạch.'),
    totalsCard(data.totals),
    ctx.can('plan.write') ? section('Ghi đóng góp', disclosure('Ghi một đóng góp mới', addForm(ctx, tasks))) : null,
    section('Các đóng góp', data.items.length ? listTable(data.items) : empty('Chưa có đóng góp nào.'),
      pager(data, (n) => ctx.setQuery({ page: n > 1 ? String(n) : '' }), 'đóng góp')),
    section('Kinh phí theo nhiệm vụ', budgetTable(budgets),
      ctx.can('plan.write') ? disclosure('Ghi kinh phí của một nhiệm vụ', budgetForm(ctx, tasks)) : null));
}

// The plan's tasks (kế hoạch, mục IV): #/ke-hoach — the tasks as a board by status (chưa bắt đầu,
// đúng tiến độ, chậm tiến độ, hoàn thành), each with its lead unit and timeframe as the plan writes
// them; #/ke-hoach/:id — one task: the ward's units that answer for it, its progress updates
// (figures, attachments) and, for an account of a responsible unit, the form to post one.
// Never works out a status itself: the server's rule decides (docs/PLAN.md).
import { h } from '../h.js';
import { api, request, ApiError, hasRoute } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, field, form, empty, setFlash, banner, badge, fmtDateTime, fmtNum, FieldError } from '../ui.js';

const MAX_BYTES = 10 * 1024 * 1024;
const FIGURE_ROWS = 2;
export const STATUSES = [
  { value: 'late', label: 'Chậm tiến độ', kind: 'danger' },
  { value: 'not_started', label: 'Chưa bắt đầu', kind: 'neutral' },
  { value: 'on_track', label: 'Đúng tiến độ', kind: 'warning' },
  { value: 'done', label: 'Hoàn thành', kind: 'success' },
];
const statusOf = (v) => STATUSES.find((s) => s.value === v) || { label: v, kind: 'neutral' };
const statusBadge = (v) => badge(statusOf(v).label, statusOf(v).kind);

// The plan's text is long: a card shows its first sentence (the whole text is on the task's page).
function shortTitle(t) {
  const first = t.split(/(?<=[.;:])\s/)[0];
  return first.length > 160 ? `${first.slice(0, 157)}…` : first;
}

/* ---------- the board ---------- */

function taskCard(t) {
  return h('li', { class: 'plan-card', dataset: { code: t.code, status: t.status } },
    h('a', { href: `#/ke-hoach/${encodeURIComponent(t.id)}`, class: 'plan-card-link' },
      h('span', { class: 'plan-code' }, t.code), ' ', h('span', { class: 'plan-card-title' }, shortTitle(t.title))),
    h('p', { class: 'item-meta' }, `Chủ trì: ${t.lead_unit}`),
    h('p', { class: 'item-meta' }, `Thời gian: ${t.timeframe}`,
      t.updates_count ? ` · ${fmtNum(t.updates_count)} báo cáo, mới nhất ${fmtDateTime(t.last_update_at)}` : ' · chưa có báo cáo'));
}

function board(items) {
  return h('div', { class: 'plan-board' },
    STATUSES.map((s) => {
      const list = items.filter((t) => t.status === s.value);
      return h('section', { class: `card plan-column plan-${s.value}`, 'aria-label': `${s.label}: ${list.length} nhiệm vụ` },
        h('h2', { class: 'card-title' }, s.label, ' ', badge(String(list.length), s.kind)),
        list.length ? h('ul', { class: 'plan-list' }, list.map(taskCard)) : empty('Không có nhiệm vụ nào.'));
    }));
}

async function renderBoard() {
  const data = await api.get('/plan/tasks');
  const items = data.items || [];
  return h('div', { class: 'page' },
    pageHeader('Nhiệm vụ của kế hoạch',
      'Mục IV của Kế hoạch triển khai Phong trào “Bình dân học vụ số”: mỗi nhiệm vụ với đơn vị chủ trì, thời gian thực hiện và tình trạng, tính từ thời gian và các báo cáo tiến độ của các đơn vị.'),
    items.length ? board(items) : banner('info', 'Chưa nạp kế hoạch. Người quản trị chạy lệnh nạp kế hoạch (hocvuso import plan) để có các nhiệm vụ.'));
}

/* ---------- one task ---------- */

function unitsBlock(t) {
  const row = (u) => h('li', null, h('strong', null, u.role === 'lead' ? 'Chủ trì: ' : 'Phối hợp: '), u.name,
    u.units.length ? h('span', { class: 'item-meta' }, ` — ${u.units.map((x) => x.name).join(', ')}`)
      : h('span', { class: 'item-meta' }, ' — chưa gắn với đơn vị nào của phường'));
  return section('Đơn vị thực hiện',
    h('ul', { class: 'plan-units' }, t.units.map(row)),
    h('p', { class: 'muted' }, `Thời gian thực hiện: ${t.timeframe}`));
}

function figuresList(figs) {
  if (!figs || !figs.length) return null;
  return h('ul', { class: 'plan-figures' }, figs.map((f) => h('li', null,
    h('span', { class: 'stat-label' }, `${f.label}: `), h('strong', { class: 'plan-figure-value' }, fmtNum(f.value)), f.unit ? ` ${f.unit}` : '')));
}

function updateItem(u) {
  return h('li', { class: 'plan-update', dataset: { id: String(u.id) } },
    h('p', { class: 'request-head' }, h('strong', null, u.unit_name || 'Phường'), ' ', u.done ? badge('Báo cáo hoàn thành', 'success') : null),
    h('p', { class: 'plan-update-body' }, u.body),
    figuresList(u.figures),
    u.attachments.length ? h('ul', { class: 'plan-files' }, u.attachments.map((a) => h('li', null,
      h('a', { href: a.url, download: a.filename }, icon('upload'), h('span', null, a.filename)),
      h('span', { class: 'item-meta' }, ` (${Math.max(1, Math.round(a.size / 1024))} KB)`)))) : null,
    h('p', { class: 'item-meta' }, `${u.created_by_name || 'Hệ thống'} · ${fmtDateTime(u.created_at)}`));
}

// The units the account may report for: its own units that answer for the task, else its units
// (a ward admin reports for the ward). The server checks either way.
function unitOptions(ctx, t) {
  const grants = (ctx.me.roles || []).map((g) => ({ value: String(g.unit_id), label: g.unit_name }));
  const named = new Set(t.units.flatMap((u) => u.units.map((x) => String(x.id))));
  const mine = grants.filter((g) => named.has(g.value));
  const list = mine.length ? mine : grants;
  return list.filter((g, i) => list.findIndex((x) => x.value === g.value) === i);
}

function figureInputs() {
  const rows = [];
  for (let i = 0; i < FIGURE_ROWS; i++) {
    rows.push(h('div', { class: 'plan-figure-row' },
      field({ label: `Số liệu ${i + 1}: nội dung`, name: `fig_label_${i}`, maxlength: 100, placeholder: 'ví dụ: Hộ được hướng dẫn', optionalMark: false }),
      field({ label: 'Giá trị', name: `fig_value_${i}`, inputmode: 'decimal', maxlength: 20, optionalMark: false }),
      field({ label: 'Đơn vị tính', name: `fig_unit_${i}`, maxlength: 30, placeholder: 'hộ, người, buổi…', optionalMark: false })));
  }
  return rows;
}

function updateForm(ctx, t) {
  const options = unitOptions(ctx, t);
  const fileInput = h('input', { id: 'ke-hoach-tep', type: 'file', name: 'file', class: 'file-input', accept: '.pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/png,image/jpeg,image/webp' });
  return form({
    submitLabel: 'Gửi báo cáo',
    busyLabel: 'Đang gửi…',
    className: 'plan-update-form',
    attrs: { 'aria-label': 'Báo cáo tiến độ' },
    onSubmit: async (values) => {
      const figures = [];
      for (let i = 0; i < FIGURE_ROWS; i++) {
        const label = (values[`fig_label_${i}`] || '').trim();
        const raw = (values[`fig_value_${i}`] || '').trim();
        if (!label && !raw) continue;
        const value = Number(raw.replace(/\./g, '').replace(',', '.'));
        if (!label) throw new FieldError(`fig_label_${i}`, 'Ghi nội dung của số liệu.');
        if (!raw || !Number.isFinite(value)) throw new FieldError(`fig_value_${i}`, 'Giá trị phải là một số.');
        const f = { label, value };
        if ((values[`fig_unit_${i}`] || '').trim()) f.unit = values[`fig_unit_${i}`].trim();
        figures.push(f);
      }
      const unitId = Number(values.unit_id);
      const body = { unit_id: unitId, body: values.body.trim(), figures, done: values.done === '1' };
      const file = fileInput.files && fileInput.files[0];
      if (file) {
        if (file.size > MAX_BYTES) throw new FieldError('file', 'Tệp lớn hơn 10 MB.');
        try {
          const a = await request('POST', `/plan/tasks/${encodeURIComponent(t.id)}/attachments`, {
            query: { unit_id: unitId, name: file.name.slice(0, 200) }, raw: file,
          });
          body.attachment_ids = [a.id];
        } catch (err) {
          if (err instanceof ApiError && err.field === 'file') throw new FieldError('file', err.message);
          throw err;
        }
      }
      await api.post(`/plan/tasks/${encodeURIComponent(t.id)}/updates`, body);
      setFlash('Đã gửi báo cáo tiến độ.');
      ctx.refresh();
      return undefined;
    },
  },
  field({ label: 'Báo cáo thay cho đơn vị', name: 'unit_id', type: 'select', value: options[0] ? options[0].value : '', options, optionalMark: false }),
  field({ label: 'Nội dung đã thực hiện', name: 'body', type: 'textarea', required: true, maxlength: 4000 }),
  h('fieldset', { class: 'field plan-figure-set' }, h('legend', { class: 'field-label' }, 'Số liệu (không bắt buộc)'), ...figureInputs()),
  field({ label: 'Tệp đính kèm', name: 'file', hint: 'PDF hoặc ảnh (PNG, JPEG, WebP), tối đa 10 MB.', control: fileInput }),
  h('div', { class: 'choice' },
    h('input', { type: 'checkbox', id: `xong-${t.id}`, name: 'done', value: '1' }),
    h('label', { for: `xong-${t.id}` }, 'Nhiệm vụ đã hoàn thành (việc hằng năm: hoàn thành năm nay)')));
}

async function renderTask(ctx, id) {
  let t;
  try {
    t = await api.get(`/plan/tasks/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      return h('div', { class: 'page' }, pageHeader('Nhiệm vụ', null), banner('error', 'Không có nhiệm vụ này trong kế hoạch.'));
    }
    throw err;
  }
  return h('div', { class: 'page' },
    h('p', null, h('a', { href: '#/ke-hoach', class: 'back-link' }, icon('back'), h('span', null, 'Tất cả nhiệm vụ'))),
    pageHeader(`Nhiệm vụ ${t.code}`, t.section),
    h('section', { class: 'card', 'aria-label': 'Nội dung nhiệm vụ' },
      h('p', { class: 'plan-title' }, t.title),
      h('p', null, statusBadge(t.status), ' ', h('span', { class: 'plan-reason' }, t.status_reason))),
    unitsBlock(t),
    ctx.can('plan.write') ? section('Báo cáo tiến độ', updateForm(ctx, t)) : null,
    section('Các báo cáo tiến độ',
      t.updates.length ? h('ol', { class: 'request-list plan-updates' }, t.updates.map(updateItem)) : empty('Chưa có báo cáo tiến độ nào.')));
}

export async function render(ctx) {
  if (!(await hasRoute('/plan/tasks'))) {
    return h('div', { class: 'page' }, pageHeader('Nhiệm vụ của kế hoạch', null),
      banner('warning', 'Máy chủ chưa có chức năng này. Chức năng sẽ dùng được sau khi hệ thống được cập nhật.'));
  }
  if (ctx.params && ctx.params.id) return renderTask(ctx, ctx.params.id);
  return renderBoard();
}

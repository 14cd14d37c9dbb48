// Deleted records (hồ sơ đã xóa): #/dan-cu/da-xoa lists the residents deleted within the caller's
// people.write scope, newest deletion first, each with the day it will be deleted for good and a
// "Khôi phục" button (cards on a phone, a table on a desktop).
// Never decides who may restore what, nor when a record is purged: the server's answers say so.
import { h, uid, replace } from '../h.js';
import { api, request, ApiError } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, pager, empty, setFlash, parsePage, fmtNum, fmtDate, errorBanner } from '../ui.js';

const PER_PAGE = 20;

function restoreButton(ctx, p, slot) {
  const button = h('button', {
    type: 'button', class: 'btn btn-secondary btn-small',
    'aria-label': `Khôi phục hồ sơ của ${p.full_name}`,
    onclick: async () => {
      button.disabled = true;
      replace(slot);
      try {
        await request('POST', `/residents/${encodeURIComponent(p.id)}/restore`); // no body
      } catch (err) {
        button.disabled = false;
        // Gone meanwhile (restored by someone else, or purged): the list is out of date.
        if (err instanceof ApiError && err.status === 404) {
          setFlash(`Hồ sơ của ${p.full_name} không còn trong danh sách đã xóa (có thể đã được người khác khôi phục hoặc đã bị xóa hẳn).`);
          ctx.refresh();
          return;
        }
        replace(slot, errorBanner(err));
        return;
      }
      setFlash(`Đã khôi phục hồ sơ của ${p.full_name}. Hồ sơ đã có lại trong danh sách dân cư.`);
      ctx.refresh();
    },
  }, icon('back'), h('span', null, 'Khôi phục'));
  return button;
}

function deletedTable(ctx, items) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards deleted-table' },
      h('caption', { class: 'visually-hidden' }, 'Hồ sơ đã xóa'),
      h('thead', null, h('tr', null,
        ['Họ và tên', 'Năm sinh', 'Đơn vị', 'Ngày xóa', 'Lưu giữ', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((p) => {
        const slot = h('div', { class: 'row-error' });
        return h('tr', { dataset: { id: String(p.id) } },
          h('td', { class: 'cell-title', dataset: { label: 'Họ và tên' } }, h('strong', { class: 'row-name' }, p.full_name)),
          cell('Năm sinh', p.birth_year ? String(p.birth_year) : '—'),
          cell('Đơn vị', p.unit_name || '—'),
          cell('Ngày xóa', fmtDate(p.deleted_at)),
          cell('Lưu giữ', p.purge_after ? `Xóa hẳn sau ngày ${fmtDate(p.purge_after)}` : '—'),
          h('td', { class: 'cell-actions' }, restoreButton(ctx, p, slot), slot));
      }))));
}

export async function render(ctx) {
  const page = parsePage(ctx.query.page);
  const data = await api.get('/residents/deleted', { page, per_page: PER_PAGE });
  const items = data.items || [];
  const total = typeof data.total === 'number' ? data.total : items.length;
  const hintId = uid('hint');
  return h('div', { class: 'page' },
    pageHeader('Hồ sơ đã xóa',
      'Hồ sơ người dân đã xóa trong phạm vi bạn phụ trách. Trước ngày xóa hẳn, bạn có thể khôi phục hồ sơ; sau ngày đó hồ sơ bị xóa vĩnh viễn.',
      h('a', { href: '#/dan-cu', class: 'btn btn-secondary' }, icon('back'), h('span', null, 'Về danh sách dân cư'))),
    section('Danh sách hồ sơ đã xóa',
      h('p', { class: 'result-count', role: 'status' }, total ? `Có ${fmtNum(total)} hồ sơ đã xóa` : 'Không có hồ sơ nào'),
      h('p', { class: 'field-hint', id: hintId },
        'Khôi phục đưa hồ sơ trở lại sổ dân cư như trước khi xóa. Liên kết với tài khoản đăng nhập (nếu có) đã được gỡ khi xóa và không được khôi phục: hãy gắn lại ở trang “Tài khoản” nếu cần.'),
      items.length ? deletedTable(ctx, items) : empty('Không có hồ sơ nào đã xóa trong phạm vi của bạn.'),
      pager(data, (p) => ctx.setQuery({ page: p }), 'hồ sơ')));
}

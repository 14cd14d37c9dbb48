// A household: #/ho/:id — address, code, tổ dân phố, members with their relation to the head
// (the head first), each linked to their record; address and code editable by those who may.
import { h } from '../h.js';
import { api, ApiError } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, field, form, empty, disclosure, setFlash, banner, fmtNum } from '../ui.js';
import { sexLabel, fact } from './people-common.js';

function isHead(m) {
  return /^ch[uủ] h[oộ]$/i.test(String(m.relation || '').trim());
}

function memberList(members) {
  const sorted = [...members].sort((a, b) => Number(isHead(b)) - Number(isHead(a)));
  return h('ul', { class: 'item-list' }, sorted.map((m) => h('li', null,
    h('a', { href: `#/dan-cu/${encodeURIComponent(m.id)}`, class: 'item-link' },
      h('span', { class: 'item-main' },
        h('span', { class: 'item-title' }, m.full_name),
        h('span', { class: 'item-meta' }, [
          m.relation ? `Quan hệ với chủ hộ: ${m.relation}` : 'Chưa ghi quan hệ với chủ hộ',
          m.birth_year ? `sinh năm ${m.birth_year}` : '',
          sexLabel(m.sex),
        ].filter(Boolean).join(' · '))),
      icon('chevron', 'item-chevron')))));
}

function editForm(ctx, hh) {
  return form({
    submitLabel: 'Lưu thay đổi',
    busyLabel: 'Đang lưu…',
    onSubmit: async (values) => {
      const body = {};
      if (values.address.trim() !== (hh.address || '')) body.address = values.address.trim();
      if (values.code.trim() !== (hh.code || '')) body.code = values.code.trim();
      if (!Object.keys(body).length) return 'Không có thay đổi nào để lưu.';
      await api.patch(`/households/${encodeURIComponent(hh.id)}`, body);
      setFlash('Đã lưu thông tin hộ.');
      ctx.refresh();
      return undefined;
    },
  },
  field({ label: 'Địa chỉ', name: 'address', value: hh.address || '', autocomplete: 'off' }),
  field({ label: 'Mã hộ', name: 'code', value: hh.code || '', autocomplete: 'off', spellcheck: false, hint: 'Duy nhất trong tổ dân phố.' }));
}

export async function render(ctx) {
  const id = ctx.params.id;
  let hh;
  try {
    if (!/^[1-9][0-9]{0,17}$/.test(String(id))) throw new ApiError(404, 'not_found', '');
    hh = await api.get(`/households/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 404 && err.status !== 403)) throw err;
    const title = err.status === 403 ? 'Không có quyền xem hộ này' : 'Không tìm thấy hộ gia đình';
    ctx.setTitle(title);
    return h('div', { class: 'page' },
      h('h1', { tabindex: '-1', class: 'page-title' }, title),
      banner('warning', err.status === 403 ? 'Hộ này nằm ngoài phạm vi bạn phụ trách.' : 'Hộ này không có trong sổ, hoặc địa chỉ không đúng.'),
      h('p', { class: 'back-row' }, h('a', { href: '#/dan-cu', class: 'btn btn-primary' }, icon('back'), h('span', null, 'Về danh sách dân cư'))));
  }
  const members = hh.members || [];
  const head = members.find(isHead);
  const title = head ? `Hộ ông/bà ${head.full_name}` : (hh.code ? `Hộ ${hh.code}` : 'Hộ gia đình');
  ctx.setTitle(title);
  return h('div', { class: 'page' },
    h('nav', { class: 'breadcrumb', 'aria-label': 'Đường dẫn' },
      h('ol', null,
        h('li', null, h('a', { href: '#/dan-cu' }, 'Dân cư')),
        h('li', null, h('span', { 'aria-current': 'page' }, title)))),
    pageHeader(title, hh.address || ''),
    h('section', { class: 'card', 'aria-label': 'Thông tin hộ' },
      h('dl', { class: 'facts' },
        fact('Địa chỉ', hh.address || 'Chưa ghi'),
        fact('Mã hộ', hh.code || 'Chưa có'),
        fact('Tổ dân phố', hh.unit_name || '—'),
        fact('Số thành viên', fmtNum(members.length))),
      ctx.can('people.write') ? disclosure('Sửa địa chỉ, mã hộ', editForm(ctx, hh), { iconName: 'edit' }) : null),
    section('Thành viên', members.length ? memberList(members) : empty('Hộ này chưa có thành viên nào trong sổ.')),
    h('p', { class: 'back-row' },
      h('a', { href: ctx.hashFor('/dan-cu', { household_id: undefined }), class: 'btn-link' }, icon('back'), h('span', null, 'Về danh sách dân cư'))));
}

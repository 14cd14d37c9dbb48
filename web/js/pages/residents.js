// Residents (sổ dân cư): #/dan-cu (search and filters kept in the address, cards on a phone and a
// table on a desktop, export links), #/dan-cu/moi (add a person) and #/dan-cu/:id (one record:
// facts, memberships, household, edit with per-field errors, soft delete, its audit trail).
// Never decides who is in a group or who may see what: the server's answers say so.
import { h, uid, replace } from '../h.js';
import { api, ApiError } from '../api.js';
import { icon } from '../icons.js';
import {
  pageHeader, section, field, form, pager, empty, disclosure, setFlash, parsePage, fmtNum, fmtDateTime,
  banner, confirmDialog, errorBanner, FieldError,
} from '../ui.js';
import { showAllErrors } from './password-help.js';
import { personConfirmations } from './confirmations.js';
import { personMovement } from './person-movement.js';
import { personChecks } from './certificates.js';
import {
  groupsOf, SEXES, sexLabel, VNEID_LEVELS, vneidLabel, membershipText, birthText, groupBadges, fact,
} from './people-common.js';

const PER_PAGE = 20;
/** What a restriction means for the staff who meet the record. */
const RESTRICTED_TEXT = 'Người này đã yêu cầu hạn chế xử lý dữ liệu và yêu cầu đã được chấp nhận: chỉ lưu giữ hồ sơ, không dùng để liên hệ hay báo cáo; hồ sơ không có trong các tệp xuất.';

export const FILTERS = ['q', 'unit_id', 'group', 'age_min', 'age_max', 'sex', 'vneid_level'];
const AGE_BANDS = [
  { min: '', max: '', label: 'Mọi độ tuổi' },
  { min: '0', max: '5', label: 'Dưới 6 tuổi' },
  { min: '6', max: '10', label: 'Từ 6 đến 10 tuổi' },
  { min: '11', max: '17', label: 'Từ 11 đến 17 tuổi' },
  { min: '18', max: '59', label: 'Từ 18 đến 59 tuổi' },
  { min: '60', max: '', label: 'Từ 60 tuổi' },
  { min: '18', max: '', label: 'Từ 18 tuổi' },
];

/** The filters of the address that the API takes, without empty ones. */
export function filtersOf(query) {
  const out = {};
  for (const k of FILTERS) if (query[k] !== undefined && query[k] !== '') out[k] = query[k];
  return out;
}

/* ---------- the caller's units, for the unit select ---------- */

/** The units the caller holds a role on, and their direct children: [{id, name, depth}]. */
export async function myUnits(ctx) {
  const roles = (ctx.me && ctx.me.roles) || [];
  const seen = new Set();
  const roots = [];
  for (const r of roles) {
    if (!r.unit_id || seen.has(String(r.unit_id))) continue;
    seen.add(String(r.unit_id));
    roots.push({ id: r.unit_id, name: r.unit_name, depth: 0 });
  }
  if (!ctx.can('units.read')) return roots;
  const out = [];
  const children = await Promise.all(roots.map((u) => api.get('/units', { parent_id: u.id, per_page: 200 })
    .then((d) => d.items || [], (err) => {
      if (err instanceof ApiError && err.status === 401) throw err;
      return [];
    })));
  roots.forEach((u, i) => {
    out.push(u);
    for (const c of children[i]) {
      if (seen.has(String(c.id))) continue;
      seen.add(String(c.id));
      out.push({ id: c.id, name: c.name, depth: 1, kind: c.kind });
    }
  });
  return out;
}

function unitOptions(units, current, first) {
  const options = [{ value: '', label: first }];
  for (const u of units) options.push({ value: String(u.id), label: u.depth ? `— ${u.name}` : u.name });
  if (current && !units.some((u) => String(u.id) === String(current))) {
    options.push({ value: String(current), label: `Đơn vị số ${current}` });
  }
  return options;
}

/* ---------- list ---------- */

function selectField(label, name, options, value) {
  return field({ label, name, type: 'select', value, options, optionalMark: false });
}

function ageValue(query) {
  return `${query.age_min || ''}-${query.age_max || ''}`;
}

function ageOptions(query) {
  const options = AGE_BANDS.map((b) => ({ value: `${b.min}-${b.max}`, label: b.label }));
  const current = ageValue(query);
  if (current !== '-' && !options.some((o) => o.value === current)) {
    const label = query.age_min && query.age_max ? `Từ ${query.age_min} đến ${query.age_max} tuổi`
      : query.age_min ? `Từ ${query.age_min} tuổi` : `Đến ${query.age_max} tuổi`;
    options.push({ value: current, label });
  }
  return options;
}

function filterForm(ctx, units, meta) {
  const q = ctx.query;
  const active = FILTERS.some((k) => k !== 'q' && q[k]);
  const searchId = uid('q');
  const input = h('input', {
    id: searchId, name: 'q', type: 'search', autocomplete: 'off', enterkeyhint: 'search', spellcheck: 'false',
    placeholder: 'Ví dụ: nguyen thi huong, 0912…', 'aria-describedby': `${searchId}-hint`,
  });
  input.value = q.q || '';
  const filters = h('div', { class: 'filter-grid' },
    selectField('Đơn vị', 'unit_id', unitOptions(units, q.unit_id, 'Mọi đơn vị của tôi'), q.unit_id || ''),
    selectField('Nhóm đối tượng', 'group',
      [{ value: '', label: 'Mọi nhóm' }, ...groupsOf(meta).map((g) => ({ value: g.code, label: g.label }))], q.group || ''),
    selectField('Độ tuổi', 'age', ageOptions(q), ageValue(q)),
    selectField('Giới tính', 'sex', [{ value: '', label: 'Cả nam và nữ' }, ...SEXES], q.sex || ''),
    selectField('Định danh điện tử (VNeID)', 'vneid_level', [{ value: '', label: 'Mọi mức' }, ...VNEID_LEVELS], q.vneid_level || ''));
  const el = h('form', { class: 'form filter-form', novalidate: true, role: 'search', 'aria-label': 'Tìm và lọc người dân' },
    h('div', { class: 'field' },
      h('label', { for: searchId, class: 'field-label' }, 'Tìm theo họ tên, số điện thoại hoặc số CCCD'),
      h('p', { class: 'field-hint', id: `${searchId}-hint` }, 'Gõ có dấu hay không dấu đều được; có thể chỉ gõ đầu mỗi chữ.'),
      h('div', { class: 'search-row' }, input,
        h('button', { type: 'submit', class: 'btn btn-primary' }, icon('search'), h('span', null, 'Tìm')))),
    disclosure(active ? 'Bộ lọc (đang áp dụng)' : 'Bộ lọc', filters, {
      open: active || window.matchMedia('(min-width: 760px)').matches, iconName: 'search',
    }),
    h('div', { class: 'form-actions' },
      active ? h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Áp dụng bộ lọc') : null,
      FILTERS.some((k) => q[k]) ? h('a', { href: '#/dan-cu', class: 'btn btn-secondary' }, 'Xóa tìm kiếm và bộ lọc') : null));
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(el);
    const [ageMin, ageMax] = String(data.get('age') || '-').split('-');
    ctx.setQuery({
      q: String(data.get('q') || '').trim(),
      unit_id: data.get('unit_id') || '',
      group: data.get('group') || '',
      age_min: ageMin || '',
      age_max: ageMax || '',
      sex: data.get('sex') || '',
      vneid_level: data.get('vneid_level') || '',
      page: undefined,
    });
  });
  return el;
}

function residentTable(items, meta) {
  const cell = (label, ...content) => h('td', { dataset: { label } }, ...content);
  const short = (label, text) => h('td', { class: 'nowrap', dataset: { label } }, text);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards resident-table' },
      h('caption', { class: 'visually-hidden' }, 'Danh sách người dân'),
      h('thead', null, h('tr', null,
        ['Họ và tên', 'Năm sinh', 'Giới tính', 'Đơn vị', 'Điện thoại', 'VNeID', 'Nhóm'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, items.map((p) => h('tr', null,
        h('td', { class: 'cell-title', dataset: { label: 'Họ và tên' } },
          h('a', { href: `#/dan-cu/${encodeURIComponent(p.id)}`, class: 'row-link' }, p.full_name),
          p.restricted ? h('span', { class: 'badge badge-warning', title: RESTRICTED_TEXT }, 'Hạn chế xử lý') : null),
        short('Năm sinh', birthText(p) || '—'),
        short('Giới tính', sexLabel(p.sex) || '—'),
        cell('Đơn vị', p.unit_name || '—'),
        short('Điện thoại', p.phone || '—'),
        cell('VNeID', p.vneid_level ? `Mức ${p.vneid_level}` : 'Chưa có'),
        cell('Nhóm', groupBadges(p.groups, meta) || '—'))))));
}

function exportLinks(query) {
  const link = (format, label) => {
    const params = new URLSearchParams({ format, ...filtersOf(query) });
    return h('a', { href: `/api/v1/residents/export?${params}`, class: 'btn btn-secondary', download: '' },
      h('span', null, label));
  };
  return h('div', { class: 'export-row' },
    link('csv', 'Xuất CSV'), link('xlsx', 'Xuất Excel'),
    h('p', { class: 'field-hint' }, 'Tệp gồm mọi người khớp tìm kiếm và bộ lọc hiện tại. Tệp chứa thông tin cá nhân: chỉ lưu trên máy của cơ quan.'));
}

async function renderList(ctx) {
  const page = parsePage(ctx.query.page);
  const query = { ...filtersOf(ctx.query), page, per_page: PER_PAGE };
  const [data, units, meta] = await Promise.all([
    api.get('/residents', query),
    myUnits(ctx),
    ctx.meta().catch(() => null),
  ]);
  const items = data.items || [];
  const filtered = FILTERS.some((k) => ctx.query[k]);
  const canWrite = ctx.can('people.write');
  const actions = canWrite ? [
    h('a', { href: '#/dan-cu/moi', class: 'btn btn-primary' }, icon('plus'), h('span', null, 'Thêm người')),
    h('a', { href: '#/nhap-du-lieu', class: 'btn btn-secondary' }, h('span', null, 'Nhập từ Excel/CSV')),
    h('a', { href: '#/dan-cu/da-xoa', class: 'btn btn-secondary' }, h('span', null, 'Hồ sơ đã xóa')),
  ] : [];
  const counted = typeof data.total === 'number'; // null: more than 1,000, not counted
  const total = counted ? data.total : items.length;
  let emptyText;
  if (filtered) emptyText = 'Không có ai khớp tìm kiếm và bộ lọc. Hãy gõ ít chữ hơn (chỉ tên, không cần họ), hoặc bỏ bớt bộ lọc.';
  else if (canWrite) emptyText = 'Sổ dân cư trong phạm vi của bạn chưa có ai. Hãy bấm “Thêm người” hoặc “Nhập từ Excel/CSV” để đưa danh sách vào.';
  else emptyText = 'Sổ dân cư trong phạm vi của bạn chưa có ai. Cán bộ phụ trách sẽ nhập danh sách.';
  return h('div', { class: 'page' },
    pageHeader('Dân cư', 'Người dân trong phạm vi bạn phụ trách: tìm, lọc, xem và cập nhật hồ sơ.', ...actions),
    h('section', { class: 'card', 'aria-label': 'Tìm và lọc' }, filterForm(ctx, units, meta)),
    section(filtered ? 'Kết quả' : 'Danh sách người dân',
      h('p', { class: 'result-count', role: 'status' },
        total ? `${filtered ? 'Tìm thấy' : 'Có'} ${counted ? '' : 'hơn '}${fmtNum(counted ? total : 1000)} người` : 'Không có ai'),
      items.length ? residentTable(items, meta) : empty(emptyText),
      pager(data, (p) => ctx.setQuery({ page: p }), 'người', { capped: true }),
      total && ctx.can('people.export') ? exportLinks(ctx.query) : null));
}

/* ---------- a record ---------- */

function householdName(x) {
  return [x.code ? `Hộ ${x.code}` : '', x.address].filter(Boolean).join(' – ') || `Hộ số ${x.id}`;
}

function personFields(p, units, { creating, households = null }) {
  const list = [
    field({ label: 'Họ và tên', name: 'full_name', required: true, value: p.full_name || '', autocomplete: 'off', placeholder: 'Ví dụ: Nguyễn Thị Hương' }),
  ];
  if (creating) {
    list.push(field({
      label: 'Đơn vị đăng ký', name: 'unit_id', type: 'select', required: true, value: p.unit_id || '',
      options: unitOptions(units, p.unit_id, '— Chọn đơn vị —'),
      hint: 'Tổ dân phố nơi cư trú; người không cư trú: nơi làm việc hoặc trường học.',
    }));
  }
  list.push(
    field({ label: 'Ngày sinh', name: 'birth_date', value: birthText(p), autocomplete: 'off', inputmode: 'numeric', placeholder: 'dd/mm/yyyy', hint: 'Dạng ngày/tháng/năm (25/12/1960), hoặc chỉ năm sinh (1960).' }),
    field({ label: 'Giới tính', name: 'sex', type: 'select', value: p.sex || '', options: [{ value: '', label: 'Chưa rõ' }, ...SEXES] }),
    field({ label: 'Số điện thoại', name: 'phone', type: 'tel', value: p.phone || '', autocomplete: 'off', inputmode: 'tel' }),
    field({
      label: 'Số CCCD', name: 'cccd', value: '', autocomplete: 'off', inputmode: 'numeric', maxlength: 12,
      hint: creating ? '12 chữ số.' : (p.cccd ? 'Để trống nếu không đổi. Gõ số mới (12 chữ số) để thay.' : '12 chữ số.'),
    }),
    field({ label: 'Định danh điện tử (VNeID)', name: 'vneid_level', type: 'select', value: String(p.vneid_level ?? '0'), options: VNEID_LEVELS }),
    field({
      label: 'Ngày đạt mức định danh', name: 'vneid_since', value: '', autocomplete: 'off', inputmode: 'numeric', placeholder: 'dd/mm/yyyy',
      hint: 'Ngày đạt mức chọn ở trên, nếu đã đạt từ trước hôm nay (ví dụ theo giấy xác nhận của công an); không đổi mức mà chỉ ghi ngày: sửa ngày đạt mức hiện có. Để trống: tính từ hôm nay.',
    }),
  );
  if (!creating && households) {
    const options = [{ value: '0', label: 'Không thuộc hộ nào' },
      ...households.map((x) => ({ value: String(x.id), label: householdName(x) }))];
    if (p.household && !households.some((x) => String(x.id) === String(p.household.id))) {
      options.push({ value: String(p.household.id), label: householdName(p.household) });
    }
    list.push(
      field({ label: 'Hộ gia đình', name: 'household_id', type: 'select', value: String(p.household ? p.household.id : 0), options, hint: 'Các hộ cùng tổ dân phố.' }),
      field({ label: 'Quan hệ với chủ hộ', name: 'relation', value: p.relation || '', autocomplete: 'off', placeholder: 'Ví dụ: Chủ hộ, Vợ, Con' }));
  }
  return list;
}

/** The body of a create or an update: only what changed (an update), trimmed. */
function personBody(values, p, creating) {
  const body = {};
  const put = (key, value, old) => {
    if (creating ? value !== '' : value !== (old ?? '')) body[key] = value;
  };
  put('full_name', values.full_name.trim(), p.full_name);
  put('birth_date', values.birth_date.trim(), birthText(p));
  put('sex', values.sex, p.sex);
  put('phone', values.phone.trim(), p.phone);
  if (values.cccd.trim()) body.cccd = values.cccd.trim();
  if (values.vneid_level !== String(p.vneid_level ?? '0')) body.vneid_level = Number(values.vneid_level);
  if (values.vneid_since && values.vneid_since.trim()) body.vneid_since = values.vneid_since.trim();
  if ('household_id' in values && values.household_id !== String(p.household ? p.household.id : 0)) {
    body.household_id = Number(values.household_id);
  }
  if ('relation' in values) put('relation', values.relation.trim(), p.relation);
  if (creating) body.unit_id = Number(values.unit_id);
  return body;
}

function editForm(ctx, p, households) {
  return form({
    submitLabel: 'Lưu thay đổi',
    busyLabel: 'Đang lưu…',
    attrs: { 'aria-label': 'Sửa hồ sơ' },
    onSubmit: async (values, el) => {
      const body = personBody(values, p, false);
      if (Object.keys(body).length === 0) return 'Không có thay đổi nào để lưu.';
      try {
        await api.patch(`/residents/${encodeURIComponent(p.id)}`, body);
      } catch (err) {
        showAllErrors(el, err);
        throw err;
      }
      setFlash('Đã lưu hồ sơ.');
      ctx.refresh();
      return undefined;
    },
  }, ...personFields(p, [], { creating: false, households }));
}

function deleteButton(ctx, p) {
  const slot = h('div');
  const button = h('button', {
    type: 'button', class: 'btn btn-danger-outline',
    onclick: async () => {
      const yes = await confirmDialog({
        title: 'Xóa hồ sơ này?',
        message: `Hồ sơ của ${p.full_name} sẽ bị ẩn ngay khỏi mọi danh sách. Trong thời hạn lưu giữ (thường là 30 ngày) cán bộ phụ trách vẫn có thể khôi phục ở trang “Hồ sơ đã xóa”; sau đó hồ sơ bị xóa hẳn. Tài khoản đăng nhập gắn với hồ sơ (nếu có) sẽ được gỡ liên kết và không tự gắn lại khi khôi phục.`,
        okLabel: 'Xóa hồ sơ', danger: true,
      });
      if (!yes) return;
      button.disabled = true;
      try {
        await api.del(`/residents/${encodeURIComponent(p.id)}`);
        setFlash(`Đã xóa hồ sơ của ${p.full_name}. Có thể khôi phục ở trang “Hồ sơ đã xóa” trong thời hạn lưu giữ.`);
        ctx.go('#/dan-cu');
      } catch (err) {
        button.disabled = false;
        replace(slot, errorBanner(err));
      }
    },
  }, icon('close'), h('span', null, 'Xóa hồ sơ'));
  const titleId = uid('del');
  return h('section', { class: 'card', 'aria-labelledby': titleId },
    h('h2', { id: titleId, class: 'card-title' }, 'Xóa hồ sơ'),
    h('p', { class: 'muted' }, 'Khi người này chuyển đi hẳn hoặc hồ sơ bị nhập trùng.'), slot, button);
}

const AUDIT_ACTIONS = {
  'person.create': 'Tạo hồ sơ',
  'person.read': 'Xem hồ sơ',
  'person.read_self': 'Tự xem hồ sơ',
  'person.update': 'Sửa hồ sơ',
  'person.vneid': 'Ghi mức định danh điện tử',
  'person.delete': 'Xóa hồ sơ',
  'person.membership_add': 'Thêm quan hệ với đơn vị',
  'person.export': 'Xuất danh sách',
  'person.search': 'Tìm theo số CCCD',
  'request.create': 'Gửi yêu cầu về dữ liệu',
  'request.read': 'Xem yêu cầu về dữ liệu',
  'request.answer': 'Trả lời yêu cầu về dữ liệu',
  'confirmation.create': 'Ghi nhận xác nhận từ bên ngoài',
  'confirmation.delete': 'Xóa xác nhận từ bên ngoài',
};
const FIELD_LABELS = {
  full_name: 'họ tên', birth_date: 'ngày sinh', sex: 'giới tính', cccd: 'CCCD', phone: 'điện thoại',
  household_id: 'hộ', relation: 'quan hệ với chủ hộ', vneid_level: 'VNeID', vneid_since: 'ngày đạt mức VNeID',
  unit_id: 'đơn vị',
};

/** The person's audit trail: the entries about this record, newest first. */
async function auditTrail(p) {
  const data = await api.get('/audit', { entity: 'person', entity_id: p.id, per_page: 200 });
  const items = data.items || [];
  if (!items.length) return empty('Chưa có thao tác nào được ghi lại.');
  return h('ul', { class: 'timeline' }, items.map((e) => {
    const fields = e.detail && Array.isArray(e.detail.fields) ? e.detail.fields.map((f) => FIELD_LABELS[f] || f) : [];
    return h('li', null,
      h('span', { class: 'item-title' }, AUDIT_ACTIONS[e.action] || e.action, fields.length ? `: ${fields.join(', ')}` : ''),
      h('span', { class: 'item-meta' }, h('time', { datetime: e.at }, fmtDateTime(e.at)), ' · ',
        e.actor_name || e.actor_username || 'Hệ thống'));
  }));
}

function missing(ctx, err) {
  const forbidden = err instanceof ApiError && err.status === 403;
  const title = forbidden ? 'Không có quyền xem hồ sơ' : 'Không tìm thấy hồ sơ';
  ctx.setTitle(title);
  return h('div', { class: 'page' },
    h('h1', { tabindex: '-1', class: 'page-title' }, title),
    banner('warning', forbidden ? 'Người này nằm ngoài phạm vi bạn phụ trách.'
      : 'Hồ sơ này không có trong sổ: có thể đã bị xóa, hoặc địa chỉ không đúng.'),
    h('p', { class: 'back-row' }, h('a', { href: '#/dan-cu', class: 'btn btn-primary' }, icon('back'), h('span', null, 'Về danh sách dân cư'))));
}

/** The record's facts; linkHousehold false for one's own record (the household page is staff's). */
export function recordFacts(p, meta, { linkHousehold = true } = {}) {
  let cccd = 'Chưa có';
  if (p.cccd) cccd = p.cccd_shown === 'masked' ? `${p.cccd} (đã che bớt)` : p.cccd;
  return h('dl', { class: 'facts' },
    fact('Ngày sinh', birthText(p) || 'Chưa có'),
    fact('Giới tính', sexLabel(p.sex) || 'Chưa rõ'),
    fact('Số điện thoại', p.phone || 'Chưa có'),
    fact('Số CCCD', cccd),
    fact('Đơn vị đăng ký', p.unit_name || '—'),
    fact('Hộ gia đình', p.household
      ? (linkHousehold
        ? h('a', { href: `#/ho/${encodeURIComponent(p.household.id)}` }, householdName(p.household))
        : householdName(p.household))
      : 'Không thuộc hộ nào'),
    p.household ? fact('Quan hệ với chủ hộ', p.relation || 'Chưa ghi') : null,
    fact('Định danh điện tử', vneidLabel(p.vneid_level) || 'Chưa có'),
    fact('Nhóm đối tượng', groupBadges(p.groups, meta) || 'Chưa thuộc nhóm nào'));
}

/** A new household in the person's tổ dân phố, with this person as its head. */
function newHouseholdForm(ctx, p) {
  return form({
    submitLabel: 'Tạo hộ',
    busyLabel: 'Đang tạo…',
    attrs: { 'aria-label': 'Tạo hộ mới' },
    onSubmit: async (values, el) => {
      let hh;
      try {
        const body = { unit_id: p.unit_id, address: values.address.trim() };
        if (values.code.trim()) body.code = values.code.trim();
        hh = await api.post('/households', body);
      } catch (err) {
        showAllErrors(el, err);
        throw err;
      }
      await api.patch(`/residents/${encodeURIComponent(p.id)}`, { household_id: hh.id, relation: 'Chủ hộ' });
      setFlash(`Đã tạo hộ, ${p.full_name} là chủ hộ.`);
      ctx.refresh();
    },
  },
  field({ label: 'Địa chỉ', name: 'address', required: true, autocomplete: 'off', placeholder: 'Ví dụ: Số 5 ngõ 12 phố Ngọc Châu' }),
  field({ label: 'Mã hộ', name: 'code', autocomplete: 'off', spellcheck: false, hint: 'Duy nhất trong tổ dân phố.' }));
}

const MEMBERSHIP_OPTIONS = [
  { value: 'staff', label: 'Cán bộ, nhân viên' },
  { value: 'student', label: 'Học sinh' },
  { value: 'worker', label: 'Người lao động' },
  { value: 'trader', label: 'Tiểu thương' },
];

/** A tie to a unit (workplace, school, market): the groups follow from it, on the server. */
function membershipForm(ctx, p, units) {
  return form({
    submitLabel: 'Thêm',
    busyLabel: 'Đang thêm…',
    attrs: { 'aria-label': 'Thêm nơi làm việc, học tập' },
    onSubmit: async (values, el) => {
      const body = { unit_id: Number(values.unit_id), kind: values.kind };
      if (values.grade.trim()) body.grade = Number(values.grade.trim());
      try {
        await api.post(`/residents/${encodeURIComponent(p.id)}/memberships`, body);
      } catch (err) {
        showAllErrors(el, err);
        throw err;
      }
      setFlash('Đã thêm nơi làm việc, học tập.');
      ctx.refresh();
    },
  },
  field({ label: 'Đơn vị', name: 'unit_id', type: 'select', required: true, options: unitOptions(units.filter((u) => u.depth), '', '— Chọn cơ quan, trường, chợ —') }),
  field({ label: 'Là', name: 'kind', type: 'select', required: true, options: MEMBERSHIP_OPTIONS }),
  field({ label: 'Lớp', name: 'grade', inputmode: 'numeric', maxlength: 2, autocomplete: 'off', hint: 'Chỉ với học sinh: từ 1 đến 12.' }));
}

export function membershipList(p) {
  const ms = p.memberships || [];
  if (!ms.length) return empty('Chưa có quan hệ với cơ quan, trường học hay doanh nghiệp nào.');
  return h('ul', { class: 'role-list' }, ms.map((m) => h('li', { class: 'role-item' },
    h('span', { class: 'role-label' }, m.unit_name), h('span', { class: 'role-unit' }, membershipText(m)))));
}

async function renderDetail(ctx) {
  const id = ctx.params.id;
  if (!/^[1-9][0-9]{0,17}$/.test(String(id))) return missing(ctx, new ApiError(404, 'not_found', ''));
  let p;
  let meta;
  try {
    [p, meta] = await Promise.all([api.get(`/residents/${encodeURIComponent(id)}`), ctx.meta().catch(() => null)]);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return missing(ctx, err);
    throw err;
  }
  ctx.setTitle(p.full_name);
  const canWrite = ctx.can('people.write');
  const units = canWrite ? await myUnits(ctx) : [];
  // The households of the person's tổ dân phố, to choose from when editing.
  const households = canWrite ? await api.get('/households', { unit_id: p.unit_id, per_page: 200 })
    .then((d) => d.items || [], (err) => {
      if (err instanceof ApiError && err.status === 401) throw err;
      return [];
    }) : null;
  const confirmations = await personConfirmations(ctx, p, canWrite);
  const movement = await personMovement(ctx, p);
  const checks = await personChecks(ctx, p).catch((err) => {
    if (err instanceof ApiError && err.status === 401) throw err;
    return null;
  });
  let trail = null;
  if (ctx.can('audit.read')) {
    trail = await auditTrail(p).catch((err) => {
      if (err instanceof ApiError && err.status === 401) throw err;
      return errorBanner(err);
    });
  }
  return h('div', { class: 'page' },
    h('nav', { class: 'breadcrumb', 'aria-label': 'Đường dẫn' },
      h('ol', null,
        h('li', null, h('a', { href: '#/dan-cu' }, 'Dân cư')),
        h('li', null, h('span', { 'aria-current': 'page' }, p.full_name)))),
    pageHeader(p.full_name, p.unit_name || '',
      ctx.can('field.write') ? h('a', { href: `#/hoc-cung/${p.id}`, class: 'btn btn-secondary' }, icon('check'), h('span', null, 'Học cùng người dân')) : null),
    p.restricted ? banner('warning', RESTRICTED_TEXT) : null,
    h('section', { class: 'card', 'aria-label': 'Thông tin hồ sơ' }, recordFacts(p, meta),
      canWrite ? disclosure('Sửa hồ sơ', editForm(ctx, p, households), { iconName: 'edit', open: ctx.query.sua === '1' }) : null),
    section('Nơi làm việc, học tập', membershipList(p),
      canWrite ? disclosure('Thêm nơi làm việc, học tập', membershipForm(ctx, p, units)) : null),
    canWrite && !p.household ? section('Hộ gia đình', h('p', { class: 'muted' }, `${p.full_name} chưa thuộc hộ nào. Chọn hộ trong “Sửa hồ sơ”, hoặc tạo hộ mới với người này là chủ hộ.`),
      disclosure('Tạo hộ mới', newHouseholdForm(ctx, p))) : null,
    confirmations,
    movement,
    checks,
    trail ? section('Lịch sử truy cập và thay đổi', h('p', { class: 'muted' }, 'Ai đã xem, sửa hồ sơ này và khi nào (mới nhất trước).'), trail) : null,
    canWrite ? deleteButton(ctx, p) : null,
    h('p', { class: 'back-row' },
      h('a', { href: '#/dan-cu', class: 'btn-link' }, icon('back'), h('span', null, 'Về danh sách dân cư'))));
}

/* ---------- a new record ---------- */

async function renderNew(ctx) {
  if (!ctx.can('people.write')) {
    return h('div', { class: 'page' }, pageHeader('Thêm người', null),
      banner('warning', 'Bạn không có quyền thêm hồ sơ người dân.'));
  }
  ctx.setTitle('Thêm người');
  const units = await myUnits(ctx);
  const el = form({
    submitLabel: 'Thêm vào sổ',
    busyLabel: 'Đang lưu…',
    onSubmit: async (values, formEl) => {
      if (!values.unit_id) throw new FieldError('unit_id', 'Vui lòng chọn đơn vị đăng ký.');
      let created;
      try {
        created = await api.post('/residents', personBody(values, {}, true));
      } catch (err) {
        showAllErrors(formEl, err);
        throw err;
      }
      setFlash(`Đã thêm ${created.full_name} vào sổ dân cư.`);
      ctx.go(`#/dan-cu/${encodeURIComponent(created.id)}`);
    },
  }, ...personFields({}, units, { creating: true }));
  return h('div', { class: 'page' },
    h('nav', { class: 'breadcrumb', 'aria-label': 'Đường dẫn' },
      h('ol', null,
        h('li', null, h('a', { href: '#/dan-cu' }, 'Dân cư')),
        h('li', null, h('span', { 'aria-current': 'page' }, 'Thêm người')))),
    pageHeader('Thêm người', 'Chỉ họ tên và đơn vị là bắt buộc; các thông tin khác có thể bổ sung sau.'),
    h('section', { class: 'card', 'aria-label': 'Hồ sơ mới' }, el),
    h('p', { class: 'back-row' },
      h('a', { href: '#/nhap-du-lieu', class: 'btn-link' }, h('span', null, 'Nhiều người? Nhập cả danh sách từ Excel/CSV'))));
}

export async function render(ctx) {
  if (ctx.params.id === 'moi') return renderNew(ctx);
  return ctx.params.id ? renderDetail(ctx) : renderList(ctx);
}


// people-common.js: what the registry's pages share — Vietnamese names of the codes the people
// API answers (target groups, sex, VNeID level, membership kinds, request kinds and states) and
// small display helpers. Display only: who belongs to a group is the server's to decide.
import { h } from '../h.js';
import { badge } from '../ui.js';

// The codes of src/domain/groups.c with their labels; /api/v1/meta does not list them (yet), so a
// `groups` array there, when it comes, takes precedence (see groupsOf).
const GROUPS = [
  { code: 'public_staff', label: 'Cán bộ, công chức, viên chức' },
  { code: 'students_primary', label: 'Học sinh tiểu học' },
  { code: 'students_secondary', label: 'Học sinh trung học' },
  { code: 'adults', label: 'Người dân từ 18 tuổi' },
  { code: 'elderly', label: 'Người cao tuổi (từ 60 tuổi)' },
  { code: 'workers', label: 'Người lao động tại doanh nghiệp, hợp tác xã' },
  { code: 'traders', label: 'Tiểu thương tại chợ' },
];

export function groupsOf(meta) {
  return meta && Array.isArray(meta.groups) && meta.groups.length ? meta.groups : GROUPS;
}

export function groupLabel(code, meta) {
  const g = groupsOf(meta).find((x) => x.code === code);
  return g ? g.label : String(code);
}

export const SEXES = [{ value: 'M', label: 'Nam' }, { value: 'F', label: 'Nữ' }];

export function sexLabel(code) {
  if (code === 'M') return 'Nam';
  if (code === 'F') return 'Nữ';
  return '';
}

export const VNEID_LEVELS = [
  { value: '0', label: 'Chưa có tài khoản định danh' },
  { value: '1', label: 'Định danh mức 1' },
  { value: '2', label: 'Định danh mức 2' },
];

export function vneidLabel(level) {
  const l = VNEID_LEVELS.find((x) => x.value === String(level));
  return l ? l.label : '';
}

const MEMBERSHIP_KINDS = { staff: 'Cán bộ, nhân viên', student: 'Học sinh', worker: 'Người lao động', trader: 'Tiểu thương' };

export function membershipText(m) {
  const kind = MEMBERSHIP_KINDS[m.kind] || m.kind;
  return m.grade ? `${kind}, lớp ${m.grade}` : kind;
}

/** "12/05/1950" when the day is known, else the year alone. */
export function birthText(p) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(p.birth_date || '');
  if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  return p.birth_year ? String(p.birth_year) : '';
}

export function groupBadges(codes, meta) {
  if (!Array.isArray(codes) || codes.length === 0) return null;
  return h('span', { class: 'badge-row' }, codes.map((c) => badge(groupLabel(c, meta), 'neutral')));
}

/* ---------- data-protection requests (Nghị định 13/2023: quyền của chủ thể dữ liệu) ---------- */

export const REQUEST_KINDS = [
  { value: 'access', label: 'Xem dữ liệu của tôi', hint: 'Nhận bản sao những thông tin hệ thống đang lưu về bạn.' },
  { value: 'correct', label: 'Sửa thông tin sai', hint: 'Ghi rõ thông tin nào sai và thông tin đúng là gì.' },
  { value: 'restrict', label: 'Hạn chế xử lý', hint: 'Tạm ngừng dùng dữ liệu của bạn trong khi chờ làm rõ.' },
  { value: 'delete', label: 'Xóa dữ liệu của tôi', hint: 'Xóa hồ sơ của bạn khỏi sổ của phường.' },
];

export function requestKindLabel(code) {
  const k = REQUEST_KINDS.find((x) => x.value === code);
  return k ? k.label : String(code ?? '');
}

// A request is open, or answered with an outcome: done or refused.
const REQUEST_STATUS = {
  open: ['Đang chờ xử lý', 'warning'],
  done: ['Đã thực hiện', 'success'],
  refused: ['Đã từ chối', 'danger'],
};

export function requestStatusBadge(r) {
  if (r.status === 'open' && isOverdue(r)) return badge('Quá hạn', 'danger');
  const key = r.status === 'answered' ? r.outcome : r.status;
  const [label, kind] = REQUEST_STATUS[key] || [String(key ?? ''), 'neutral'];
  return badge(label, kind);
}

export function isOverdue(r) {
  if (typeof r.overdue === 'boolean') return r.overdue;
  if (r.status && r.status !== 'open') return false;
  const due = Date.parse(r.due_at || '');
  return Number.isFinite(due) && due < Date.now();
}

/** "Còn 5 giờ", "Quá hạn 3 giờ": from the server's hours_left when it gives one, else from due_at. */
export function hoursLeftText(r) {
  let hours = typeof r.hours_left === 'number' ? r.hours_left : null;
  if (hours === null) {
    const due = Date.parse(r.due_at || '');
    if (!Number.isFinite(due)) return '';
    hours = Math.floor((due - Date.now()) / 3600000);
  }
  if (hours < 0) return `Quá hạn ${-hours} giờ`;
  if (hours === 0) return 'Còn dưới 1 giờ';
  return `Còn ${hours} giờ`;
}

/** A named fact for a <dl class="facts">. */
export function fact(term, ...value) {
  return h('div', null, h('dt', null, term), h('dd', null, ...value));
}

// Home page: #/
import { h, replace } from '../h.js';
import { icon } from '../icons.js';
import { section, empty, banner, fmtNum, loading } from '../ui.js';
import { api } from '../api.js';
import { indicatorList } from './indicators.js';

// Stands for the capabilities that answer residents' data requests (app.js: REQUESTS_CAP).
const ANSWERS_REQUESTS = 'requests:answer';

// Each card promises only what the capabilities in /me allow: the first variant whose
// capability the person holds is shown; a card with no variant held is not shown at all.
const CARDS = [
  // The phone user's work first: a field helper's team, a learner's lessons.
  { href: '#/to-cong-nghe-so', icon: 'home', title: 'Tổ công nghệ số', variants: [
    { cap: 'field.write', text: 'Hộ chưa đến, người còn bị bỏ lại, yêu cầu hỗ trợ; ghi lượt đến hộ trong vài chạm.' },
    { cap: 'people.write', text: 'Các tổ công nghệ số cộng đồng, lượt đến hộ và độ bao phủ theo tổ dân phố.' },
  ] },
  { href: '#/hoc-tap', icon: 'check', title: 'Học tập', variants: [
    { cap: 'learn', text: 'Bài học kỹ năng số cho người mới dùng điện thoại; làm bài kiểm tra để nhận chứng nhận.' },
  ] },
  { href: '#/tong-quan-so', icon: 'audit', title: 'Tổng quan phổ cập số', variants: [
    { cap: 'people.read', text: 'Đại sứ số, Gia đình số và định danh điện tử VNeID theo tổ dân phố.' },
  ] },
  { href: '#/ke-hoach', icon: 'check', title: 'Kế hoạch', variants: [
    { cap: 'plan.write', text: 'Các nhiệm vụ của kế hoạch theo tình trạng; báo cáo tiến độ của đơn vị bạn.' },
    { cap: 'units.read', text: 'Các nhiệm vụ của kế hoạch theo tình trạng và tiến độ đã báo cáo.' },
  ] },
  { href: '#/don-vi', icon: 'units', title: 'Đơn vị', variants: [
    { cap: 'units.write', text: 'Xem cơ cấu đơn vị; thêm, sửa, chuyển hoặc xóa đơn vị trực thuộc.' },
    { cap: 'units.read', text: 'Xem cơ cấu phường, tổ dân phố, cơ quan, trường học trong phạm vi của bạn.' },
  ] },
  { href: '#/tai-khoan', icon: 'users', title: 'Tài khoản', variants: [
    { cap: 'users.write', text: 'Tạo tài khoản, cấp và thu hồi vai trò.' },
    { cap: 'users.read', text: 'Xem tài khoản và vai trò của người dùng trong đơn vị bạn phụ trách.' },
  ] },
  { href: '#/dan-cu', icon: 'people', title: 'Dân cư', variants: [
    { cap: 'people.write', text: 'Tìm, xem, thêm và sửa hồ sơ người dân; nhập danh sách từ Excel.' },
    { cap: 'people.read', text: 'Tìm và xem hồ sơ người dân trong phạm vi của bạn.' },
  ] },
  { href: '#/yeu-cau', icon: 'inbox', title: 'Yêu cầu về dữ liệu', variants: [
    { cap: ANSWERS_REQUESTS, text: 'Trả lời yêu cầu xem, sửa, xóa dữ liệu của người dân trong 72 giờ.' },
  ] },
  { href: '#/nhat-ky', icon: 'audit', title: 'Nhật ký', variants: [
    { cap: 'audit.read', text: 'Xem ai đã làm gì, khi nào trên hệ thống.' },
  ] },
  { href: '#/du-lieu-cua-toi', icon: 'shield', title: 'Dữ liệu của tôi', variants: [
    { cap: null, text: 'Thông tin phường lưu về bạn; yêu cầu xem, sửa hoặc xóa.' },
  ] },
  { href: '#/ho-so', icon: 'profile', title: 'Hồ sơ của tôi', variants: [
    { cap: null, text: 'Vai trò của bạn và đổi mật khẩu.' },
  ] },
];

export function cardsFor(can) {
  return CARDS.map((c) => {
    const v = c.variants.find((x) => !x.cap || can(x.cap));
    return v ? { href: c.href, icon: c.icon, title: c.title, text: v.text } : null;
  }).filter(Boolean);
}

function greeting() {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hour12: false, timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date()));
  if (hour < 11) return 'Chào buổi sáng';
  if (hour < 14) return 'Chào buổi trưa';
  if (hour < 18) return 'Chào buổi chiều';
  return 'Chào buổi tối';
}

export function rolesList(roles) {
  if (!roles || roles.length === 0) {
    return empty('Bạn chưa được cấp vai trò nào. Hãy liên hệ cán bộ quản trị của phường.');
  }
  return h('ul', { class: 'role-list' },
    roles.map((r) => h('li', { class: 'role-item' },
      h('span', { class: 'role-label' }, r.role_label || r.role),
      h('span', { class: 'role-unit' }, r.unit_name || ''))));
}

export async function render(ctx) {
  const { me } = ctx;
  const can = (cap) => (cap === ANSWERS_REQUESTS ? ctx.can(ctx.requestsCap) : ctx.can(cap));
  const links = cardsFor(can);
  const summary = ctx.can(ctx.requestsCap) ? await ctx.refreshOverdue() : null;
  const overdue = summary ? Number(summary.overdue) || 0 : 0;
  // For officers the movement's figures come first: their own unit's indicators (the dashboard),
  // filled in when the server has counted them; the rest of the page does not wait.
  let figures = null;
  if (ctx.can('reports.read')) {
    const title = h('h2', { class: 'card-title', id: 'home-figures-title' }, 'Chỉ tiêu của phong trào');
    const body = h('div', null, loading('Đang tính các chỉ tiêu…'));
    figures = h('section', { class: 'card home-figures', 'aria-labelledby': 'home-figures-title', 'aria-busy': 'true' }, title, body);
    api.get('/indicators').then((data) => {
      title.textContent = `Chỉ tiêu: ${data.unit.name}`;
      replace(body, indicatorList(data),
        h('p', null, h('a', { href: '#/chi-tieu', class: 'btn btn-secondary' }, h('span', null, 'Xem theo đơn vị, theo ngày'), icon('chevron'))));
    }, () => replace(body, empty('Chưa tải được các chỉ tiêu. Hãy tải lại trang sau ít phút.'))).finally(() => figures.removeAttribute('aria-busy'));
  }
  return h('div', { class: 'page page-home' },
    h('header', { class: 'hero' },
      h('p', { class: 'hero-greeting' }, `${greeting()},`),
      h('h1', { class: 'hero-name', tabindex: '-1' }, me.display_name || me.username),
      h('p', { class: 'hero-text' }, 'Cùng phường thực hiện phong trào Bình dân học vụ số: không ai bị bỏ lại phía sau.')),
    overdue ? banner('error', `Có ${fmtNum(overdue)} yêu cầu về dữ liệu của người dân đã quá hạn 72 giờ.`,
      h('a', { href: '#/yeu-cau?overdue=1', class: 'btn btn-danger btn-small' }, 'Trả lời ngay')) : null,
    figures,
    section('Vai trò của bạn', rolesList(me.roles)),
    h('section', { class: 'quick', 'aria-labelledby': 'quick-title' },
      h('h2', { id: 'quick-title', class: 'section-title' }, 'Truy cập nhanh'),
      h('ul', { class: 'quick-grid' },
        links.map((l) => h('li', null,
          h('a', { href: l.href, class: 'quick-link' },
            h('span', { class: 'quick-icon' }, icon(l.icon)),
            h('span', { class: 'quick-body' },
              h('span', { class: 'quick-title' }, l.title),
              h('span', { class: 'quick-text' }, l.text)),
            icon('chevron', 'quick-chevron')))))));
}

// app.js: session, layout and the hash router of Bình dân học vụ số.
import { h, replace } from './h.js';
import { api, ApiError, onUnauthenticated, setCsrfToken, hasRoute, NETWORK_MESSAGE } from './api.js';
import { icon } from './icons.js';
import { banner, errorBanner, setFlash, takeFlash, loading } from './ui.js';
import * as loginPage from './pages/login.js';

// Pages other than the log-in page load on first use (and are warmed once the first page is
// shown), so that a cold visit fetches only what the log-in page needs.
const LAZY = [];
function lazy(load) {
  let promise = null;
  const get = () => {
    if (!promise) promise = load().catch((err) => { promise = null; throw err; });
    return promise;
  };
  LAZY.push(get);
  return { render: async (ctx) => (await get()).render(ctx) };
}
const homePage = lazy(() => import('./pages/home.js'));
const indicatorsPage = lazy(() => import('./pages/indicators.js'));
const boardPage = lazy(() => import('./pages/board.js'));
const unitsPage = lazy(() => import('./pages/units.js'));
const usersPage = lazy(() => import('./pages/users.js'));
const auditPage = lazy(() => import('./pages/audit.js'));
const profilePage = lazy(() => import('./pages/profile.js'));
const residentsPage = lazy(() => import('./pages/residents.js'));
const householdPage = lazy(() => import('./pages/households.js'));
const importPage = lazy(() => import('./pages/import.js'));
const myDataPage = lazy(() => import('./pages/my-data.js'));
const requestsPage = lazy(() => import('./pages/requests.js'));
const deletedPage = lazy(() => import('./pages/deleted.js'));
const questionsPage = lazy(() => import('./pages/questions.js'));
const confirmationsPage = lazy(() => import('./pages/confirmations.js'));
const tradePage = lazy(() => import('./pages/trade.js'));
const classesPage = lazy(() => import('./pages/classes.js'));
const eventsPage = lazy(() => import('./pages/events.js'));
const learnPage = lazy(() => import('./pages/learn.js'));
const competencePage = lazy(() => import('./pages/competence.js'));
const certificatesPage = lazy(() => import('./pages/certificates.js'));
const programmesPage = lazy(() => import('./pages/programmes.js'));
const planPage = lazy(() => import('./pages/plan.js'));
const schoolsPage = lazy(() => import('./pages/schools.js'));
const resourcesPage = lazy(() => import('./pages/resources.js'));
const newPasswordPage = lazy(() => import('./pages/new-password.js'));
const ambassadorsPage = lazy(() => import('./pages/ambassadors.js'));
const reachPage = lazy(() => import('./pages/reach.js'));
const fieldPage = lazy(() => import('./pages/field.js'));
function warmPages() {
  setTimeout(() => LAZY.forEach((get) => get().catch(() => {})), 1500);
}

export const APP_NAME = 'Bình dân học vụ số';
const LOGIN_HASH = '#/dang-nhap';
const NEW_PASSWORD_HASH = '#/doi-mat-khau';

// Who answers residents' data requests: those who may change records (the routes' capability),
// each for the people registered in their units.
const REQUESTS_CAP = 'people.write';

const NAV = [
  { key: 'home', href: '#/', label: 'Trang chủ', icon: 'home' },
  { key: 'units', href: '#/don-vi', label: 'Đơn vị', icon: 'units', cap: 'units.read', group: 'Người dân, đơn vị' },
  { key: 'users', href: '#/tai-khoan', label: 'Tài khoản', icon: 'users', cap: 'users.read', group: 'Người dân, đơn vị' },
  { key: 'residents', href: '#/dan-cu', label: 'Dân cư', icon: 'people', cap: 'people.read', group: 'Người dân, đơn vị' },
  { key: 'import', href: '#/nhap-du-lieu', label: 'Nhập danh sách', icon: 'upload', cap: 'people.write', group: 'Người dân, đơn vị' },
  { key: 'confirmations', href: '#/xac-nhan', label: 'Xác nhận bên ngoài', icon: 'shield', cap: 'people.read', group: 'Người dân, đơn vị' },
  { key: 'indicators', href: '#/chi-tieu', label: 'Chỉ tiêu', icon: 'check', cap: 'reports.read', group: 'Phong trào' },
  { key: 'reach', href: '#/tong-quan-so', label: 'Tổng quan phổ cập số', icon: 'audit', cap: 'people.read', group: 'Phong trào' },
  { key: 'field', href: '#/to-cong-nghe-so', label: 'Tổ công nghệ số', icon: 'home', cap: ['field.write', 'people.write'], group: 'Phong trào' },
  { key: 'ambassadors', href: '#/dai-su-so', label: 'Đại sứ số', icon: 'people', cap: 'people.read', group: 'Phong trào' },
  { key: 'trade', href: '#/cho-so', label: 'Chợ số – 4T', icon: 'units', cap: 'people.read', group: 'Phong trào' },
  { key: 'classes', href: '#/lop-hoc', label: 'Lớp bồi dưỡng', icon: 'people', cap: 'people.read', group: 'Phong trào' },
  { key: 'events', href: '#/su-kien', label: 'Sự kiện', icon: 'clock', cap: 'people.read', group: 'Phong trào' },
  { key: 'schools', href: '#/truong-hoc', label: 'Trường học', icon: 'units', cap: 'school.read', group: 'Phong trào' },
  { key: 'plan', href: '#/ke-hoach', label: 'Kế hoạch', icon: 'check', cap: 'units.read', group: 'Phong trào' },
  { key: 'resources', href: '#/nguon-luc', label: 'Nguồn lực', icon: 'inbox', cap: 'reports.read', group: 'Phong trào' },
  { key: 'learn', href: '#/hoc-tap', label: 'Học tập', icon: 'check', cap: 'learn', group: 'Học tập, chứng nhận' },
  { key: 'assist', href: '#/hoc-cung', label: 'Học cùng người dân', icon: 'people', cap: 'field.write', group: 'Học tập, chứng nhận' },
  { key: 'competence', href: '#/nang-luc-so', label: 'Năng lực số', icon: 'audit', cap: 'reports.read', group: 'Học tập, chứng nhận' },
  { key: 'certificates', href: '#/chung-nhan', label: 'Chứng nhận', icon: 'shield', group: 'Học tập, chứng nhận' },
  { key: 'programmes', href: '#/chuong-trinh', label: 'Điều kiện cấp chứng nhận', icon: 'key', cap: 'certificates.manage', group: 'Học tập, chứng nhận' },
  { key: 'questions', href: '#/cau-hoi', label: 'Ngân hàng câu hỏi', icon: 'edit', cap: 'content.write', group: 'Học tập, chứng nhận' },
  { key: 'requests', href: '#/yeu-cau', label: 'Yêu cầu về dữ liệu', icon: 'inbox', cap: REQUESTS_CAP, badge: 'overdue', group: 'Dữ liệu, nhật ký' },
  { key: 'audit', href: '#/nhat-ky', label: 'Nhật ký', icon: 'audit', cap: 'audit.read', group: 'Dữ liệu, nhật ký' },
  { key: 'my-data', href: '#/du-lieu-cua-toi', label: 'Dữ liệu của tôi', icon: 'shield', group: 'Cá nhân' },
  { key: 'profile', href: '#/ho-so', label: 'Hồ sơ của tôi', icon: 'profile', group: 'Cá nhân' },
];

const ROUTES = [
  { re: /^\/dang-nhap$/, page: loginPage, title: 'Đăng nhập', public: true },
  // Shown alone (no menu) while the account must choose its own password.
  { re: /^\/doi-mat-khau$/, page: newPasswordPage, title: 'Đặt mật khẩu mới', bare: true },
  { re: /^\/$/, page: homePage, title: 'Trang chủ', nav: 'home' },
  { re: /^\/don-vi$/, page: unitsPage, title: 'Đơn vị', nav: 'units', cap: 'units.read' },
  { re: /^\/don-vi\/([^/]+)$/, keys: ['id'], page: unitsPage, title: 'Đơn vị', nav: 'units', cap: 'units.read' },
  { re: /^\/tai-khoan$/, page: usersPage, title: 'Tài khoản', nav: 'users', cap: 'users.read' },
  { re: /^\/tai-khoan\/([^/]+)$/, keys: ['id'], page: usersPage, title: 'Tài khoản', nav: 'users', cap: 'users.read' },
  { re: /^\/dan-cu$/, page: residentsPage, title: 'Dân cư', nav: 'residents', cap: 'people.read' },
  { re: /^\/dan-cu\/da-xoa$/, page: deletedPage, title: 'Hồ sơ đã xóa', nav: 'residents', cap: 'people.write' },
  { re: /^\/dan-cu\/([^/]+)$/, keys: ['id'], page: residentsPage, title: 'Hồ sơ người dân', nav: 'residents', cap: 'people.read' },
  { re: /^\/ho\/([^/]+)$/, keys: ['id'], page: householdPage, title: 'Hộ gia đình', nav: 'residents', cap: 'people.read' },
  { re: /^\/nhap-du-lieu$/, page: importPage, title: 'Nhập danh sách', nav: 'import', cap: 'people.write' },
  { re: /^\/nhap-du-lieu\/([^/]+)$/, keys: ['id'], page: importPage, title: 'Nhập danh sách', nav: 'import', cap: 'people.write' },
  { re: /^\/xac-nhan$/, page: confirmationsPage, title: 'Xác nhận bên ngoài', nav: 'confirmations', cap: 'people.read' },
  { re: /^\/cho-so$/, page: tradePage, title: 'Chợ số – Mô hình 4T', nav: 'trade', cap: 'people.read' },
  { re: /^\/lop-hoc$/, page: classesPage, title: 'Lớp bồi dưỡng, tập huấn', nav: 'classes', cap: 'people.read' },
  { re: /^\/lop-hoc\/([^/]+)$/, keys: ['id'], page: classesPage, title: 'Lớp bồi dưỡng, tập huấn', nav: 'classes', cap: 'people.read' },
  { re: /^\/su-kien$/, page: eventsPage, title: 'Sự kiện', nav: 'events', cap: 'people.read' },
  { re: /^\/su-kien\/([^/]+)$/, keys: ['id'], page: eventsPage, title: 'Sự kiện', nav: 'events', cap: 'people.read' },
  { re: /^\/hoc-tap$/, page: learnPage, title: 'Học tập', nav: 'learn', cap: 'learn' },
  { re: /^\/bai-lam\/([^/]+)$/, keys: ['id'], page: learnPage, title: 'Bài làm', nav: 'learn', cap: 'learn' },
  { re: /^\/bai-hoc\/([^/]+)$/, keys: ['id'], page: learnPage, title: 'Bài học', nav: 'learn', cap: 'learn' },
  { re: /^\/chi-tieu$/, page: indicatorsPage, title: 'Chỉ tiêu', nav: 'indicators', cap: 'reports.read' },
  { re: /^\/chi-tieu\/(xep-hang)$/, keys: ['view'], page: indicatorsPage, title: 'Xếp hạng theo chỉ tiêu', nav: 'indicators', cap: 'reports.read' },
  { re: /^\/chi-tieu\/(theo-quy)$/, keys: ['view'], page: indicatorsPage, title: 'Chỉ tiêu theo quý', nav: 'indicators', cap: 'reports.read' },
  { re: /^\/chi-tieu\/(chua-dat)$/, keys: ['view'], page: indicatorsPage, title: 'Danh sách chưa đạt', nav: 'indicators', cap: 'reports.read' },
  { re: /^\/tong-quan-so$/, page: reachPage, title: 'Tổng quan phổ cập số', nav: 'reach', cap: 'people.read' },
  { re: /^\/gia-dinh-so$/, page: reachPage, title: 'Hộ chưa có ai học', nav: 'reach', cap: 'people.read' },
  { re: /^\/dinh-danh$/, page: reachPage, title: 'Người chưa có định danh mức 2', nav: 'reach', cap: 'people.read' },
  { re: /^\/dai-su-so$/, page: ambassadorsPage, title: 'Đại sứ số', nav: 'ambassadors', cap: 'people.read' },
  { re: /^\/dai-su-so\/([^/]+)$/, keys: ['id'], page: ambassadorsPage, title: 'Đại sứ số', nav: 'ambassadors', cap: 'people.read' },
  { re: /^\/hoc-cung$/, page: competencePage, title: 'Học cùng người dân', nav: 'assist', cap: 'field.write' },
  { re: /^\/hoc-cung\/([^/]+)$/, keys: ['id'], page: competencePage, title: 'Học cùng người dân', nav: 'assist', cap: 'field.write' },
  { re: /^\/ke-hoach$/, page: planPage, title: 'Nhiệm vụ của kế hoạch', nav: 'plan', cap: 'units.read' },
  { re: /^\/ke-hoach\/([^/]+)$/, keys: ['id'], page: planPage, title: 'Nhiệm vụ của kế hoạch', nav: 'plan', cap: 'units.read' },
  { re: /^\/nguon-luc$/, page: resourcesPage, title: 'Nguồn lực', nav: 'resources', cap: 'reports.read' },
  { re: /^\/truong-hoc$/, page: schoolsPage, title: 'Trường học', nav: 'schools', cap: 'school.read' },
  { re: /^\/truong-hoc\/([^/]+)$/, keys: ['id'], page: schoolsPage, title: 'Trường học', nav: 'schools', cap: 'school.read' },
  { re: /^\/to-cong-nghe-so$/, page: fieldPage, title: 'Tổ công nghệ số', nav: 'field', cap: ['field.write', 'people.write'] },
  { re: /^\/to-cong-nghe-so\/([^/]+)$/, keys: ['id'], page: fieldPage, title: 'Tổ công nghệ số', nav: 'field', cap: ['field.write', 'people.write'] },
  { re: /^\/to-cong-nghe-so\/([^/]+)\/(bao-cao)$/, keys: ['id', 'report'], page: fieldPage, title: 'Báo cáo hoạt động', nav: 'field', cap: ['field.write', 'people.write'] },
  { re: /^\/to-cong-nghe-so\/([^/]+)\/ho\/([^/]+)$/, keys: ['id', 'hh'], page: fieldPage, title: 'Ghi lượt đến hộ', nav: 'field', cap: ['field.write', 'people.write'] },
  { re: /^\/nang-luc-so$/, page: competencePage, title: 'Thay đổi năng lực số', nav: 'competence', cap: 'reports.read' },
  { re: /^\/chung-nhan$/, page: certificatesPage, title: 'Chứng nhận', nav: 'certificates' },
  { re: /^\/chung-nhan\/([^/]+)$/, keys: ['id'], page: certificatesPage, title: 'Chứng nhận', nav: 'certificates' },
  { re: /^\/chuong-trinh$/, page: programmesPage, title: 'Điều kiện cấp chứng nhận', nav: 'programmes', cap: 'certificates.manage' },
  // Open to anyone, logged in or not: a stranger checks a certificate (its QR code opens this page).
  { re: /^\/bang-tin$/, page: boardPage, title: 'Bảng tin phong trào', public: true },
  { re: /^\/xac-minh$/, page: certificatesPage, title: 'Kiểm tra chứng nhận', open: true },
  { re: /^\/(yeu-cau-ho-tro)$/, keys: ['form'], page: fieldPage, title: 'Yêu cầu hỗ trợ', open: true },
  { re: /^\/xac-minh\/([^/]+)$/, keys: ['id'], page: certificatesPage, title: 'Kiểm tra chứng nhận', open: true },
  { re: /^\/cau-hoi$/, page: questionsPage, title: 'Ngân hàng câu hỏi', nav: 'questions', cap: 'content.write' },
  { re: /^\/cau-hoi\/([^/]+)$/, keys: ['id'], page: questionsPage, title: 'Câu hỏi', nav: 'questions', cap: 'content.write' },
  { re: /^\/yeu-cau$/, page: requestsPage, title: 'Yêu cầu về dữ liệu', nav: 'requests', cap: REQUESTS_CAP },
  { re: /^\/du-lieu-cua-toi$/, page: myDataPage, title: 'Dữ liệu của tôi', nav: 'my-data' },
  { re: /^\/nhat-ky$/, page: auditPage, title: 'Nhật ký', nav: 'audit', cap: 'audit.read' },
  { re: /^\/ho-so$/, page: profilePage, title: 'Hồ sơ của tôi', nav: 'profile' },
];

const state = {
  me: null,
  meta: null,
  metaPromise: null,
  returnTo: null,
  seq: 0,
  shell: null,
};

/* ---------- session ---------- */

/** cap: a capability; or a list of alternatives, each a capability or a list that must all be held. */
function can(cap) {
  if (Array.isArray(cap)) return cap.some((alt) => (Array.isArray(alt) ? alt.every((c) => can(c)) : can(alt)));
  return Boolean(state.me && Array.isArray(state.me.capabilities) && state.me.capabilities.includes(cap));
}

function setMe(me, token) {
  state.me = me;
  setCsrfToken(token || (me && me.csrf_token) || null);
}

function clearSession() {
  state.me = null;
  state.meta = null;
  state.metaPromise = null;
  setCsrfToken(null);
  if (state.shell) {
    state.shell.root.remove();
    state.shell = null;
  }
}

function loadMeta() {
  if (state.meta) return Promise.resolve(state.meta);
  if (!state.metaPromise) {
    state.metaPromise = api.get('/meta').then((meta) => {
      state.meta = meta;
      return meta;
    }, (err) => {
      state.metaPromise = null;
      throw err;
    });
  }
  return state.metaPromise;
}

async function reloadMe() {
  const me = await api.get('/me');
  setMe(me, me.csrf_token);
  if (state.shell) updateShell();
  return me;
}

onUnauthenticated(() => {
  if (!state.booted) return; // boot() itself sends the visitor to the log-in page
  const wasLoggedIn = Boolean(state.me);
  clearSession();
  const current = location.hash;
  if (!current.startsWith(LOGIN_HASH)) {
    state.returnTo = current;
    if (wasLoggedIn) setFlash('Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.');
    location.replace(LOGIN_HASH);
  }
});

async function logout() {
  try {
    await api.del('/session');
  } catch (err) {
    if (err instanceof ApiError && err.code === 'network') {
      showShellAlert(err.message);
      return;
    }
    // Any other answer (e.g. the session had already ended) still logs the person out here.
  }
  clearSession();
  state.returnTo = null;
  setFlash('Bạn đã đăng xuất.');
  location.hash = LOGIN_HASH;
}

/* ---------- routing ---------- */

function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  const qIndex = raw.indexOf('?');
  const path = qIndex >= 0 ? raw.slice(0, qIndex) : raw;
  const query = Object.fromEntries(new URLSearchParams(qIndex >= 0 ? raw.slice(qIndex + 1) : ''));
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, query };
}

function matchRoute(path) {
  for (const route of ROUTES) {
    const m = route.re.exec(path);
    if (m) {
      const params = {};
      (route.keys || []).forEach((key, i) => { params[key] = decodeURIComponent(m[i + 1]); });
      return { route, params };
    }
  }
  return null;
}

export function hashFor(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

function go(hash) {
  if (location.hash === hash) render({ refresh: true });
  else location.hash = hash;
}

/* ---------- layout ---------- */

/** The visible links, each group's heading before its first visible link (a long list on a phone). */
function navWithGroups(items) {
  const out = [];
  let group = null;
  for (const item of items) {
    if (item.group && item.group !== group) out.push(h('li', { class: 'nav-group', role: 'presentation' }, item.group));
    group = item.group || null;
    out.push(navLink(item));
  }
  return out;
}

function navLink(item) {
  return h('li', null,
    h('a', { href: item.href, class: 'nav-link', dataset: { nav: item.key } },
      icon(item.icon), h('span', null, item.label),
      item.badge ? h('span', { class: 'nav-badge', dataset: { badge: item.badge }, hidden: true }) : null));
}

/**
 * The number of overdue data requests beside "Yêu cầu về dữ liệu" (the ward admin's reminder);
 * answers the summary ({open, overdue}) or null when the caller does not answer requests.
 */
async function refreshOverdue() {
  if (!state.me || !can(REQUESTS_CAP) || !(await hasRoute('/requests/summary'))) return null;
  let summary = null;
  try {
    summary = await api.get('/requests/summary');
  } catch {
    return null;
  }
  const n = Number(summary && summary.overdue) || 0;
  if (state.shell) {
    for (const el of state.shell.list.querySelectorAll('[data-badge="overdue"]')) {
      el.textContent = n ? `${n} quá hạn` : '';
      el.hidden = !n;
    }
  }
  return summary;
}

function buildShell() {
  const nameEl = h('span', { class: 'topbar-user-name' });
  const navName = h('p', { class: 'nav-user-name' });
  const navUsername = h('p', { class: 'nav-user-login' });
  const list = h('ul', { class: 'nav-list' });
  const toggle = h('button', {
    type: 'button', class: 'menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'dieu-huong',
  }, icon('menu'), h('span', null, 'Danh mục'));
  const nav = h('nav', { id: 'dieu-huong', class: 'sidebar', 'aria-label': 'Điều hướng chính' },
    h('div', { class: 'nav-user' }, icon('profile', 'nav-user-icon'), h('div', null, navName, navUsername)),
    list,
    h('button', { type: 'button', class: 'nav-link nav-logout', onclick: logout }, icon('logout'), h('span', null, 'Đăng xuất')));
  const backdrop = h('div', { class: 'nav-backdrop', hidden: true });
  const alertSlot = h('div', { class: 'shell-alert' });
  const main = h('main', { id: 'noi-dung', class: 'main', tabindex: '-1' });
  const root = h('div', { class: 'shell' },
    h('header', { class: 'topbar' },
      h('a', { href: '#/', class: 'brand' },
        h('img', { src: new URL('../favicon.svg', import.meta.url).pathname, alt: '', width: '36', height: '36', class: 'brand-logo' }),
        h('span', { class: 'brand-text' },
          h('span', { class: 'brand-name' }, APP_NAME),
          h('span', { class: 'brand-sub' }, 'Hệ thống quản lý phong trào'))),
      h('div', { class: 'topbar-user' }, icon('profile', 'topbar-user-icon'), h('span', { class: 'visually-hidden' }, 'Người dùng: '), nameEl),
      toggle),
    h('div', { class: 'shell-body' }, nav, backdrop, h('div', { class: 'content' }, alertSlot, main)));

  const setOpen = (open) => {
    nav.classList.toggle('is-open', open);
    backdrop.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.replaceChildren(icon(open ? 'close' : 'menu'), h('span', null, open ? 'Đóng' : 'Danh mục'));
    document.body.classList.toggle('nav-open', open);
  };
  toggle.addEventListener('click', () => {
    const open = !nav.classList.contains('is-open');
    setOpen(open);
    if (open) {
      const first = nav.querySelector('a.nav-link');
      if (first) first.focus();
    }
  });
  backdrop.addEventListener('click', () => setOpen(false));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && nav.classList.contains('is-open')) {
      setOpen(false);
      toggle.focus();
    }
  });
  state.shell = { root, main, nav, list, nameEl, navName, navUsername, alertSlot, setOpen };
  return state.shell;
}

function updateShell() {
  const { me } = state;
  const shell = state.shell;
  shell.nameEl.textContent = me.display_name || me.username;
  shell.navName.textContent = me.display_name || me.username;
  shell.navUsername.textContent = `Tên đăng nhập: ${me.username}`;
  replace(shell.list, navWithGroups(NAV.filter((item) => !item.cap || can(item.cap))));
  refreshOverdue();
}

function showShellAlert(text) {
  if (!state.shell) return;
  replace(state.shell.alertSlot, banner('error', text));
}

function ensureShell() {
  const app = document.getElementById('app');
  if (!state.shell) {
    buildShell();
    updateShell();
  }
  if (!state.shell.root.isConnected) replace(app, state.shell.root);
  return state.shell;
}

function setActiveNav(key) {
  for (const a of state.shell.list.querySelectorAll('a.nav-link')) {
    if (a.dataset.nav === key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function setTitle(text) {
  document.title = text && text !== APP_NAME ? `${text} · ${APP_NAME}` : APP_NAME;
}

/* ---------- rendering ---------- */

async function render({ refresh = false } = {}) {
  const seq = ++state.seq;
  const { path, query } = parseHash();
  const matched = matchRoute(path);

  if (!state.me && !(matched && (matched.route.public || matched.route.open))) {
    state.returnTo = location.hash && location.hash !== '#' ? location.hash : null;
    location.replace(LOGIN_HASH);
    return;
  }
  if (state.me && matched && matched.route.public) {
    location.replace('#/');
    return;
  }
  const forced = Boolean(state.me && state.me.must_change_password);
  if (forced && !(matched && (matched.route.bare || matched.route.open))) {
    // Nothing else answers until the account has its own password: keep where it was going.
    if (!state.returnTo && location.hash && location.hash !== '#' && location.hash !== NEW_PASSWORD_HASH) state.returnTo = location.hash;
    location.replace(NEW_PASSWORD_HASH);
    return;
  }
  if (!forced && matched && matched.route.bare) {
    location.replace('#/');
    return;
  }

  let main;
  const boot = document.querySelector('main[data-boot]');
  if (matched && matched.route.page === loginPage && boot && boot.dataset.boot === 'login') {
    // index.html's own log-in page, perhaps already typed into: keep it, give it behaviour.
    main = boot;
    delete main.dataset.boot;
    const waiting = main.querySelector(':scope > .boot-loading');
    if (waiting) waiting.remove();
  } else if (matched && (matched.route.public || matched.route.bare || (matched.route.open && !state.me))) {
    if (state.shell) state.shell.root.remove();
    main = h('main', { id: 'noi-dung', class: 'main-public', tabindex: '-1' });
    replace(document.getElementById('app'), main);
  } else {
    const shell = ensureShell();
    shell.setOpen(false);
    replace(shell.alertSlot);
    setActiveNav(matched ? matched.route.nav : null);
    main = shell.main;
  }

  const isCurrent = () => seq === state.seq;
  const ctx = {
    params: matched ? matched.params : {},
    query,
    path,
    me: state.me,
    can,
    meta: loadMeta,
    go,
    hashFor,
    setQuery: (next) => go(hashFor(path, { ...query, ...next })),
    refresh: () => { if (isCurrent()) render({ refresh: true }); },
    setTitle,
    reloadMe,
    logout,
    requestsCap: REQUESTS_CAP,
    refreshOverdue,
    loggedIn: (answer) => {
      setMe(answer.user, answer.csrf_token);
      if (answer.user && answer.user.must_change_password) {
        location.replace(NEW_PASSWORD_HASH);
        return;
      }
      const target = state.returnTo && state.returnTo.startsWith('#/') && !state.returnTo.startsWith(LOGIN_HASH)
        ? state.returnTo : '#/';
      state.returnTo = null;
      location.replace(target);
    },
    passwordChanged: async () => {
      await reloadMe();
      const target = state.returnTo && state.returnTo.startsWith('#/') && !state.returnTo.startsWith(LOGIN_HASH) &&
        state.returnTo !== NEW_PASSWORD_HASH ? state.returnTo : '#/';
      state.returnTo = null;
      setFlash('Đã lưu mật khẩu mới. Từ nay hãy đăng nhập bằng mật khẩu này.');
      location.replace(target);
    },
    isCurrent,
  };

  if (!matched) {
    setTitle('Không tìm thấy trang');
    replace(main, h('div', { class: 'page' },
      h('h1', { tabindex: '-1', class: 'page-title' }, 'Không tìm thấy trang'),
      h('p', null, 'Địa chỉ này không có trong hệ thống.'),
      h('p', null, h('a', { href: '#/', class: 'btn btn-primary' }, 'Về trang chủ'))));
    main.dataset.route = location.hash;
    focusMain(main, refresh);
    return;
  }
  const { route } = matched;
  setTitle(route.title);
  if (route.cap && !can(route.cap)) {
    replace(main, h('div', { class: 'page' },
      h('h1', { tabindex: '-1', class: 'page-title' }, route.title),
      banner('warning', 'Bạn không có quyền xem mục này. Nếu cần, hãy liên hệ cán bộ quản trị của phường.'),
      h('p', null, h('a', { href: '#/', class: 'btn btn-primary' }, 'Về trang chủ'))));
    main.dataset.route = location.hash;
    focusMain(main, refresh);
    return;
  }

  const flash = takeFlash();
  const slow = setTimeout(() => {
    if (isCurrent() && !refresh) replace(main, loading());
  }, 250);
  main.setAttribute('aria-busy', 'true');
  let node;
  try {
    node = await route.page.render(ctx);
  } catch (err) {
    if (!isCurrent()) return;
    if (err instanceof ApiError && err.status === 401 && err.code !== 'invalid_credentials') return;
    if (!(err instanceof ApiError)) console.warn(err);
    node = h('div', { class: 'page' },
      h('h1', { tabindex: '-1', class: 'page-title' }, route.title),
      errorBanner(err, () => render()));
  } finally {
    clearTimeout(slow);
  }
  if (!isCurrent()) return;
  main.removeAttribute('aria-busy');
  if (flash) {
    flash.setAttribute('tabindex', '-1');
    flash.classList.add('flash');
    if (node.firstChild && node.firstChild.classList && node.firstChild.classList.contains('page-header')) {
      node.firstChild.after(flash);
    } else {
      node.prepend(flash);
    }
  }
  if (node.parentNode !== main) replace(main, node);
  main.dataset.route = location.hash;
  if (flash && refresh) flash.focus({ preventScroll: false });
  else focusMain(main, refresh);
}

function focusMain(main, refresh) {
  if (refresh) return;
  window.scrollTo(0, 0);
  const heading = main.querySelector('h1');
  if (heading && document.activeElement !== heading) {
    // Only move focus after an in-app navigation, not on the first paint of the log-in page.
    if (state.navigated) heading.focus({ preventScroll: true });
  }
  state.navigated = true;
}

/* ---------- start ---------- */

async function boot() {
  const app = document.getElementById('app');
  document.getElementById('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    const main = document.getElementById('noi-dung');
    if (main) main.focus();
  });
  try {
    const me = await api.get('/me');
    setMe(me, me.csrf_token);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) {
      const message = err instanceof ApiError ? err.message : NETWORK_MESSAGE;
      replace(app, h('main', { id: 'noi-dung', class: 'main-public', tabindex: '-1' },
        h('div', { class: 'login-card' },
          h('h1', { class: 'login-title' }, APP_NAME),
          banner('error', message),
          h('button', { type: 'button', class: 'btn btn-primary btn-block', onclick: () => location.reload() }, 'Thử lại'))));
      return;
    }
  }
  state.booted = true;
  window.addEventListener('hashchange', () => render());
  render();
  warmPages();
}

boot();

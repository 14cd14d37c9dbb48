// Log-in, navigation by capability, log-out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, newPage, login, navLabels, openNav, waitReady, apiFromPage, hashOf, assertNoProblems,
} from './lib/browser.mjs';

const ADMIN_NAV = ['Trang chủ', 'Đơn vị', 'Tài khoản', 'Dân cư', 'Nhập danh sách', 'Xác nhận bên ngoài', 'Chỉ tiêu', 'Tổng quan phổ cập số', 'Tổ công nghệ số', 'Đại sứ số', 'Chợ số – 4T', 'Lớp bồi dưỡng', 'Sự kiện', 'Trường học', 'Kế hoạch', 'Nguồn lực', 'Học tập', 'Học cùng người dân', 'Năng lực số', 'Chứng nhận', 'Điều kiện cấp chứng nhận', 'Ngân hàng câu hỏi', 'Yêu cầu về dữ liệu', 'Nhật ký',
  'Dữ liệu của tôi', 'Hồ sơ của tôi', 'Đăng xuất'];
let srv;
let browser;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('admin logs in and sees the home page with his name, roles and navigation', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url);
  await page.goto('/');
  // A visitor is sent to the log-in page once GET /api/v1/me has answered 401.
  await page.waitForFunction(() => location.hash === '#/dang-nhap');
  await assert.doesNotReject(page.getByRole('heading', { name: 'Bình dân học vụ số' }).waitFor());
  const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  assert.ok(fontSize >= 16, `base font is ${fontSize}px`);

  await login(page, 'admin', srv.password);
  assert.equal(await hashOf(page), '#/');
  const me = await apiFromPage(page, 'GET', '/me');
  assert.equal(me.status, 200);
  const name = me.body.display_name;
  assert.ok(name, 'the server gives the admin a display name');

  assert.equal((await page.locator('main h1').textContent()).trim(), name);
  assert.equal((await page.locator('.topbar-user-name').textContent()).trim(), name, 'the header shows the name');
  assert.deepEqual(await navLabels(page), ADMIN_NAV);
  const nav = await openNav(page);
  assert.equal(await nav.getByRole('link', { name: 'Trang chủ' }).getAttribute('aria-current'), 'page');

  const roles = page.locator('main .role-item');
  assert.equal(await roles.count(), me.body.roles.length);
  const roleText = await roles.first().textContent();
  assert.ok(roleText.includes(me.body.roles[0].role_label), `role label shown: ${roleText}`);
  assert.ok(roleText.includes('Phường Hải Dương'), `role unit shown: ${roleText}`);
  for (const label of ['Đơn vị', 'Tài khoản', 'Nhật ký', 'Hồ sơ của tôi']) {
    assert.equal(await page.locator('main .quick-title', { hasText: label }).count(), 1, `quick link ${label}`);
  }
  assertNoProblems(problems, 'admin home');
  await context.close();
});

test('a wrong password is refused with the server\'s Vietnamese message', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url);
  await page.goto('/#/dang-nhap');
  await page.getByLabel('Tên đăng nhập').fill('admin');
  await page.getByLabel('Mật khẩu', { exact: true }).fill('sai-mat-khau-roi');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  const response = await answer;
  assert.equal(response.status(), 401);
  const body = await response.json();
  assert.equal(body.error.code, 'invalid_credentials');
  const message = body.error.message;
  assert.match(message, /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i, 'message is Vietnamese');

  const shown = page.getByText(message, { exact: true });
  await shown.waitFor();
  assert.ok(await shown.isVisible());
  assert.equal(await hashOf(page), '#/dang-nhap', 'stays on the log-in page');
  assert.equal(await page.getByRole('button', { name: 'Đăng nhập' }).isVisible(), true);
  assert.equal(await page.locator('nav#dieu-huong').count(), 0, 'no navigation before log-in');

  // Show-password toggle works and the typed password is kept for a correction.
  const pw = page.getByLabel('Mật khẩu', { exact: true });
  assert.equal(await pw.getAttribute('type'), 'password');
  await page.getByRole('button', { name: 'Hiện mật khẩu' }).click();
  assert.equal(await pw.getAttribute('type'), 'text');
  assertNoProblems(problems, 'wrong password');
  await context.close();
});

test('the learner\'s navigation lacks the sections he may not use', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url);
  await login(page, 'hocvien', srv.password);
  const labels = await navLabels(page);
  for (const missing of ['Đơn vị', 'Tài khoản', 'Nhật ký', 'Ngân hàng câu hỏi', 'Điều kiện cấp chứng nhận', 'Học cùng người dân']) {
    assert.ok(!labels.includes(missing), `learner nav has no ${missing}: ${labels}`);
  }
  for (const present of ['Trang chủ', 'Học tập', 'Chứng nhận', 'Hồ sơ của tôi', 'Đăng xuất']) {
    assert.ok(labels.includes(present), `learner nav has ${present}: ${labels}`);
  }
  assert.equal(await page.locator('main .quick-title', { hasText: 'Đơn vị' }).count(), 0);
  // Typing the address does not open the page either.
  await page.goto('/#/tai-khoan');
  await waitReady(page);
  await page.getByText('Bạn không có quyền xem mục này', { exact: false }).waitFor();
  assertNoProblems(problems, 'learner');
  await context.close();

  const admin = await newPage(browser, srv.url);
  await login(admin.page, 'admin', srv.password);
  assert.deepEqual(await navLabels(admin.page), ADMIN_NAV);
  await admin.context.close();
});

test('after log-out, reloading shows the log-in page', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url);
  await login(page, 'vanhoa', srv.password);
  const nav = await openNav(page);
  await nav.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.waitForFunction(() => location.hash === '#/dang-nhap');
  await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
  await page.getByText('Bạn đã đăng xuất.').waitFor();

  await page.reload();
  await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
  assert.equal(await hashOf(page), '#/dang-nhap');
  assert.equal(await page.locator('nav#dieu-huong').count(), 0);
  const me = await apiFromPage(page, 'GET', '/me');
  assert.equal(me.status, 401, 'the server ended the session');

  // Going straight to a page goes to log-in, and after log-in back to that page.
  await page.goto('/#/don-vi');
  await page.waitForFunction(() => location.hash === '#/dang-nhap');
  await page.getByLabel('Tên đăng nhập').fill('vanhoa');
  await page.getByLabel('Mật khẩu', { exact: true }).fill(srv.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForFunction(() => location.hash === '#/don-vi');
  await waitReady(page);
  assertNoProblems(problems, 'log-out');
  await context.close();
});

test('the home page puts each person\'s own work first: the field helper\'s team, the learner\'s lessons', { timeout: 90_000 }, async () => {
  for (const [user, first, absent, to] of [
    ['tinhnguyen', 'Tổ công nghệ số', 'Tài khoản', '#/to-cong-nghe-so'],
    ['hocvien', 'Học tập', 'Tổ công nghệ số', '#/hoc-tap'],
  ]) {
    const { page, problems, context } = await newPage(browser, srv.url);
    await login(page, user, srv.password);
    const cards = (await page.locator('.quick-link .quick-title').allTextContents()).map((t) => t.trim());
    assert.equal(cards[0], first, `${user}: ${JSON.stringify(cards)}`);
    assert.ok(!cards.includes(absent), `${user} is offered ${absent}: ${JSON.stringify(cards)}`);
    await page.locator('.quick-link').first().click();
    await page.waitForFunction((h) => location.hash.startsWith(h), to);
    await waitReady(page);
    assertNoProblems(problems, `${user} home`);
    await context.close();
  }
});

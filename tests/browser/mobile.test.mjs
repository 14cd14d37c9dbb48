// Phones: 360 × 740, no horizontal scrolling, navigation behind the menu button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, newPage, login, openNav, waitReady, hashOf, assertNoHorizontalOverflow, assertNoProblems, PHONE,
} from './lib/browser.mjs';

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

test('at 360 px the pages fit the screen and the navigation is reachable', { timeout: 90_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await page.goto('/#/dang-nhap');
  await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'log-in page');
  const box = await page.getByRole('button', { name: 'Đăng nhập' }).boundingBox();
  assert.ok(box.height >= 44, `log-in button is ${box.height}px tall`);

  await login(page, 'admin', srv.password);
  await assertNoHorizontalOverflow(page, PHONE.width, 'home page');

  const nav = page.getByRole('navigation', { name: 'Điều hướng chính' });
  assert.equal(await nav.isVisible(), false, 'on a phone the navigation starts closed');
  const toggle = page.getByRole('button', { name: 'Danh mục' });
  assert.ok(await toggle.isVisible(), 'the menu button is visible');
  await openNav(page);
  assert.equal(await toggle.count(), 0, 'the open menu button now reads "Đóng"');
  assert.equal(await page.getByRole('button', { name: 'Đóng' }).getAttribute('aria-expanded'), 'true');
  for (const label of ['Trang chủ', 'Đơn vị', 'Tài khoản', 'Nhật ký', 'Hồ sơ của tôi']) {
    const link = nav.getByRole('link', { name: label, exact: true });
    assert.ok(await link.isVisible(), `${label} is visible in the open menu`);
    const b = await link.boundingBox();
    assert.ok(b.height >= 44 && b.x >= 0 && b.x + b.width <= PHONE.width, `${label} is a large tap target on screen`);
  }
  await assertNoHorizontalOverflow(page, PHONE.width, 'home page with the menu open');
  await nav.getByRole('link', { name: 'Đơn vị', exact: true }).click();
  await page.waitForFunction(() => location.hash === '#/don-vi');
  await waitReady(page);
  assert.equal(await nav.isVisible(), false, 'choosing a page closes the menu');
  await assertNoHorizontalOverflow(page, PHONE.width, 'units page');

  await page.locator('main a.item-link', { hasText: 'Phường Hải Dương' }).first().click();
  await page.waitForFunction(() => /^#\/don-vi\/[^/]+$/.test(location.hash));
  await waitReady(page);
  await page.getByRole('heading', { name: 'Phường Hải Dương', level: 1 }).waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'ward unit page');
  await page.locator('summary', { hasText: 'Thêm đơn vị trực thuộc' }).click();
  await assertNoHorizontalOverflow(page, PHONE.width, 'ward unit page with the add form open');

  for (const [label, hash] of [['Tài khoản', '#/tai-khoan'], ['Nhật ký', '#/nhat-ky'], ['Hồ sơ của tôi', '#/ho-so']]) {
    const opened = await openNav(page);
    await opened.getByRole('link', { name: label, exact: true }).click();
    await page.waitForFunction((h) => location.hash === h, hash);
    await waitReady(page);
    await assertNoHorizontalOverflow(page, PHONE.width, `${label} page`);
  }
  await page.goto('/#/tai-khoan');
  await waitReady(page);
  await page.locator('main a.item-link').first().click();
  await page.waitForFunction(() => /^#\/tai-khoan\/[^/]+$/.test(location.hash));
  await waitReady(page);
  await assertNoHorizontalOverflow(page, PHONE.width, 'account page');

  // Escape closes the menu and gives the focus back to its button.
  await openNav(page);
  await page.keyboard.press('Escape');
  assert.equal(await page.getByRole('navigation', { name: 'Điều hướng chính' }).isVisible(), false);
  assert.ok((await hashOf(page)).startsWith('#/tai-khoan/'));
  assertNoProblems(problems, 'phone tour');
  await context.close();
});

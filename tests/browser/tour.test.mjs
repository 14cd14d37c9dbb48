// A tour of every page: no console errors (CSP violations would show there), no failed requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, newPage, login, navTo, waitReady, hashOf, assertNoProblems, PHONE, DESKTOP,
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

async function tour(viewport, where) {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport });
  const failed = [];
  page.on('response', (r) => {
    if (r.status() >= 400 && !(r.status() === 401 && /\/api\/v1\/me$/.test(r.url()))) failed.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => failed.push(`failed ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  await login(page, 'admin', srv.password);

  await navTo(page, 'Đơn vị');
  await waitReady(page);
  await page.locator('main a.item-link').first().click();
  await page.waitForFunction(() => /^#\/don-vi\/[^/]+$/.test(location.hash));
  await waitReady(page);
  await page.locator('summary', { hasText: 'Sửa thông tin đơn vị' }).click();
  await page.locator('summary', { hasText: 'Thêm đơn vị trực thuộc' }).click();
  const next = page.getByRole('button', { name: 'Trang sau' });
  if (await next.count() && await next.isEnabled()) {
    await next.click();
    await page.waitForFunction(() => location.hash.includes('page=2'));
    await waitReady(page);
  }
  await page.locator('main a.item-link').first().click();
  await waitReady(page);

  await navTo(page, 'Tài khoản');
  await waitReady(page);
  await page.locator('summary', { hasText: 'Tạo tài khoản mới' }).click();
  await page.getByLabel('Tìm theo tên đăng nhập hoặc họ tên').fill('tdp01');
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await page.waitForFunction(() => location.hash.includes('q=tdp01'));
  await waitReady(page);
  await page.locator('main a.item-link').first().click();
  await page.waitForFunction(() => /^#\/tai-khoan\/[^/?]+$/.test(location.hash));
  await waitReady(page);
  await page.locator('.picker-results label.choice').first().waitFor();
  await page.getByRole('button', { name: 'Hiện mật khẩu' }).first().click();

  await navTo(page, 'Nhật ký');
  await waitReady(page);
  await page.locator('main tbody tr').first().waitFor();
  const summary = page.locator('summary', { hasText: 'Bộ lọc' });
  if (!(await page.getByLabel('Người thực hiện').isVisible())) await summary.click();
  await page.getByLabel('Người thực hiện').fill('admin');
  await page.getByRole('button', { name: 'Lọc' }).click();
  await page.waitForFunction(() => location.hash.includes('actor=admin'));
  await waitReady(page);
  await page.locator('main tbody tr').first().waitFor();

  await navTo(page, 'Hồ sơ của tôi');
  await waitReady(page);
  await navTo(page, 'Trang chủ');
  await waitReady(page);
  await page.goto('/#/khong-co-trang-nay');
  await page.getByRole('heading', { name: 'Không tìm thấy trang' }).waitFor();
  assert.equal(await hashOf(page), '#/khong-co-trang-nay');

  assertNoProblems(problems, where);
  assert.deepEqual(failed, [], `${where}: failed requests`);
  await context.close();
}

test('admin tours every page on a computer without console errors', { timeout: 90_000 }, async () => {
  await tour(DESKTOP, 'desktop tour');
});

test('admin tours every page on a phone without console errors', { timeout: 90_000 }, async () => {
  await tour(PHONE, 'phone tour');
});

test('the learner tours his pages without console errors', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await navTo(page, 'Hồ sơ của tôi');
  await waitReady(page);
  await navTo(page, 'Trang chủ');
  await waitReady(page);
  assertNoProblems(problems, 'learner tour');
  await context.close();
});

test('a unit officer (read-only units and accounts) tours his pages without console errors', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tdp01', srv.password);
  await navTo(page, 'Đơn vị');
  await page.locator('main a.item-link', { hasText: 'Tổ dân phố số 1' }).first().click();
  await page.getByRole('heading', { name: 'Tổ dân phố số 1', level: 1 }).waitFor();
  await waitReady(page);
  assert.equal(await page.locator('summary', { hasText: 'Thêm đơn vị trực thuộc' }).count(), 0, 'no add form without units.write');
  assert.equal(await page.locator('summary', { hasText: 'Sửa thông tin đơn vị' }).count(), 0, 'no edit form without units.write');
  await page.getByRole('link', { name: 'Tài khoản của đơn vị' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/tai-khoan?unit_id='));
  await waitReady(page);
  await page.getByText('Đơn vị: Tổ dân phố số 1').waitFor();
  assert.equal(await page.locator('summary', { hasText: 'Tạo tài khoản mới' }).count(), 0, 'no create form without users.write');
  await page.locator('main a.item-link').first().click();
  await page.waitForFunction(() => /^#\/tai-khoan\/[^/?]+$/.test(location.hash));
  await waitReady(page);
  assert.equal(await page.getByRole('button', { name: 'Cấp vai trò' }).count(), 0, 'no grant form without users.write');
  await navTo(page, 'Hồ sơ của tôi');
  assertNoProblems(problems, 'unit officer tour');
  await context.close();
});

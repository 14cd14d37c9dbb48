// Deleted records in a real Chromium against a real server: on a 360 px phone, a resident deleted
// from their record shows up on "Hồ sơ đã xóa" (reached from the residents page) with the day it
// will be deleted for good; "Khôi phục" brings it back: a flash message, gone from that list, in the
// residents list again. Those without people.write see neither the link nor the page.
// Owns: its server, its browser and the people it makes through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, newPage, login, waitReady, hashOf, assertNoProblems, assertNoHorizontalOverflow, PHONE,
} from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
let person;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const api = await apiSession(srv.url, 'admin', srv.password);
  const tdp1 = await unitId(api, 'Tổ dân phố số 1');
  person = await api.ok('POST', '/residents', { full_name: 'Hồ Văn Khôi', unit_id: tdp1, birth_date: '1966', sex: 'M' });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const names = (page) => page.locator('main .resident-table a.row-link').allTextContents();
const deletedNames = (page) => page.locator('main .deleted-table .row-name').allTextContents();

/** dd/mm/yyyy of an ISO instant, in Vietnam's time (UTC+7), as the page writes it. */
function vnDate(iso) {
  const d = new Date(Date.parse(iso) + 7 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

test('phone 360 px: delete a resident, find it on "Hồ sơ đã xóa", restore it, see it back in the list', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tdp01', srv.password);
  await page.goto(`/#/dan-cu/${person.id}`);
  await waitReady(page);
  await page.getByRole('button', { name: 'Xóa hồ sơ' }).click();
  const dialog = page.getByRole('dialog', { name: 'Xóa hồ sơ này?' });
  await dialog.getByText(/khôi phục ở trang “Hồ sơ đã xóa”/).waitFor();
  await dialog.getByRole('button', { name: 'Xóa hồ sơ' }).click();
  await page.waitForFunction(() => location.hash === '#/dan-cu');
  await waitReady(page);
  await page.getByText(/Đã xóa hồ sơ của Hồ Văn Khôi/).waitFor();

  // The link on the residents page leads to the deleted records.
  await page.getByRole('link', { name: 'Hồ sơ đã xóa' }).click();
  await page.getByRole('heading', { level: 1, name: 'Hồ sơ đã xóa' }).waitFor();
  await waitReady(page);
  assert.equal(await hashOf(page), '#/dan-cu/da-xoa');
  await assertNoHorizontalOverflow(page, PHONE.width, 'deleted records');
  const listed = await deletedNames(page);
  assert.equal(listed[0], 'Hồ Văn Khôi', `newest deletion first: ${listed}`);
  const [item] = (await (await page.request.get(`${srv.url}/api/v1/residents/deleted?per_page=1`)).json()).items;
  assert.equal(item.id, person.id);
  const row = page.locator(`main .deleted-table tr[data-id="${person.id}"]`);
  await row.getByText(`Xóa hẳn sau ngày ${vnDate(item.purge_after)}`).waitFor();
  const button = row.getByRole('button', { name: 'Khôi phục hồ sơ của Hồ Văn Khôi' });
  const box = await button.boundingBox();
  assert.ok(box.height >= 44, `the button is a tap target of ${box.height}px`);

  await button.click();
  await page.getByText(/Đã khôi phục hồ sơ của Hồ Văn Khôi/).waitFor();
  await waitReady(page);
  assert.ok(!(await deletedNames(page)).includes('Hồ Văn Khôi'), 'gone from the deleted records');

  await page.getByRole('link', { name: 'Về danh sách dân cư' }).click();
  await page.waitForFunction(() => location.hash === '#/dan-cu');
  await waitReady(page);
  const box2 = page.getByLabel('Tìm theo họ tên, số điện thoại hoặc số CCCD');
  await box2.fill('ho van khoi');
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await page.waitForFunction(() => new URLSearchParams(location.hash.split('?')[1] || '').get('q') === 'ho van khoi');
  await waitReady(page);
  assert.deepEqual(await names(page), ['Hồ Văn Khôi']);
  assertNoProblems(problems, 'restore');
  await context.close();
});

test('the demo ward shows its deleted records to the ward admin; a field helper sees no link and no page', { timeout: 60_000 }, async () => {
  const admin = await newPage(browser, srv.url, { viewport: PHONE });
  await login(admin.page, 'admin', srv.password);
  await admin.page.goto('/#/dan-cu/da-xoa');
  await admin.page.getByRole('heading', { level: 1, name: 'Hồ sơ đã xóa' }).waitFor();
  await waitReady(admin.page);
  const listed = await deletedNames(admin.page);
  assert.ok(listed.includes('Nguyễn Văn Phúc') && listed.includes('Trần Thị Vân'), `the demo's deleted records: ${listed}`);
  assertNoProblems(admin.problems, 'admin');
  await admin.context.close();

  const helper = await newPage(browser, srv.url, { viewport: PHONE });
  await login(helper.page, 'tinhnguyen', srv.password);
  await helper.page.goto('/#/dan-cu');
  await waitReady(helper.page);
  assert.equal(await helper.page.getByRole('link', { name: 'Hồ sơ đã xóa' }).count(), 0);
  await helper.page.goto('/#/dan-cu/da-xoa');
  await waitReady(helper.page);
  await helper.page.getByText(/Bạn không có quyền xem mục này/).waitFor();
  assertNoProblems(helper.problems, 'field helper');
  await helper.context.close();
});

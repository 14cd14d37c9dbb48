// Confirmations from outside in a real Chromium against a real server: on a 360 px phone the tổ 1
// officer opens "Xác nhận bên ngoài", imports a CSV list (a resident of tổ 1 confirmed on VNeID, one
// of tổ 2 out of scope, a number nobody has, a bad row), reads the per-row report (what was recorded,
// the lines not matched, the line that is wrong and why), sees the people counted; then opens the
// resident's page, finds the block "Xác nhận từ nền tảng quốc gia" with the imported confirmation,
// adds one by hand and removes it. No CCCD appears on any page. A learner has no menu entry.
// Owns: its server, its browser and the synthetic people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
let dir;
let pa;
const t = tag().replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
const cccdA = `00108${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
const cccdB = `00108${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'hv-xn-'));
  const admin = await apiSession(srv.url, 'admin', srv.password);
  const tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  const tdp2 = await unitId(admin, 'Tổ dân phố số 2');
  pa = await admin.ok('POST', '/residents', { full_name: `Nguyễn Thị Xác ${t}`, unit_id: tdp1, cccd: cccdA });
  await admin.ok('POST', '/residents', { full_name: `Trần Văn Nhận ${t}`, unit_id: tdp2, cccd: cccdB });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('phone 360 px: import a confirmations list, read the report, see the block on the resident\'s page', { timeout: 120_000 }, async () => {
  const file = join(dir, 'xac-nhan.csv');
  writeFileSync(file, [
    'Số CCCD,Loại xác nhận,Nguồn,Ngày xác nhận,Số hiệu',
    `${cccdA},VNeID,,15/03/2026,VN-01`,
    `${cccdB},VNeID,,15/03/2026,`,
    '001099999999,Nền tảng Bình dân học vụ số,,16/03/2026,',
    `${cccdA},Giấy khen,,15/03/2026,`,
  ].join('\r\n'));
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  // The course without its provider is refused on purpose (400, naming the field).
  allow(/status of 400 .*\/api\/v1\/residents\/\d+\/confirmations/);
  await login(page, 'tdp01', srv.password);
  await waitReady(page);
  await page.goto('/#/xac-nhan');
  await page.getByRole('heading', { level: 1, name: 'Xác nhận bên ngoài' }).waitFor();
  await waitReady(page);
  await page.getByLabel('Tệp danh sách xác nhận').setInputFiles(file);
  await page.getByRole('button', { name: 'Nhập danh sách' }).click();
  await page.getByText('Đã ghi nhận 1 xác nhận.').waitFor();
  await page.getByText('2 dòng không ghép được với người dân nào trong phạm vi của bạn.').waitFor();
  const unmatched = page.locator('main table', { has: page.locator('caption', { hasText: 'Các dòng không ghép được' }) }).locator('tbody tr');
  assert.equal(await unmatched.count(), 2);
  assert.deepEqual((await unmatched.locator('td:first-child').allTextContents()).map((x) => x.trim()), ['3', '4']);
  const rejected = page.locator('main table', { has: page.locator('caption', { hasText: 'Các dòng sai' }) }).locator('tbody tr');
  assert.equal(await rejected.count(), 1);
  const cells = (await rejected.locator('td').allTextContents()).map((x) => x.trim());
  assert.deepEqual(cells.slice(0, 2), ['5', 'Loại xác nhận']);
  await assertNoHorizontalOverflow(page, PHONE.width, 'import report');
  let text = await page.locator('main').innerText();
  assert.ok(!text.includes(cccdA) && !text.includes(cccdB), 'a CCCD on the page');

  // The list and the counts are the server's.
  await page.getByRole('button', { name: 'Xem danh sách xác nhận' }).click();
  await waitReady(page);
  const data = await (await page.request.get(`${srv.url}/api/v1/confirmations`)).json();
  assert.ok(data.people.vneid >= 1);
  await page.locator('main .confirmation-counts li').first().locator('.stat-value').getByText(String(data.people.vneid), { exact: true }).waitFor();
  await page.locator('main .confirmations-table').getByRole('link', { name: pa.full_name }).click();

  // The resident's page: the block with the imported confirmation; add one, remove it.
  await page.getByRole('heading', { level: 1, name: pa.full_name }).waitFor();
  await waitReady(page);
  const block = page.locator('main section', { has: page.getByRole('heading', { name: 'Xác nhận từ nền tảng quốc gia' }) });
  await block.getByText('Ngày 15/03/2026 · VNeID · số hiệu VN-01', { exact: false }).waitFor();
  await block.getByText('Nhập từ danh sách').waitFor();
  await block.getByText('Ghi nhận xác nhận').click();
  await block.getByLabel('Loại xác nhận').selectOption('course_elsewhere');
  await block.getByLabel('Ngày xác nhận').fill('02/01/2026');
  await block.getByRole('button', { name: 'Ghi nhận' }).click();
  await block.getByText('Khóa học khác cần ghi nguồn', { exact: false }).waitFor();
  await block.getByLabel('Nguồn').fill('Trung tâm GDNN-GDTX');
  await block.getByRole('button', { name: 'Ghi nhận' }).click();
  await page.getByText('Đã ghi nhận xác nhận.').waitFor();
  await waitReady(page);
  const block2 = page.locator('main section', { has: page.getByRole('heading', { name: 'Xác nhận từ nền tảng quốc gia' }) });
  await block2.getByText('Ngày 02/01/2026 · Trung tâm GDNN-GDTX', { exact: false }).waitFor();
  assert.equal(await block2.locator('.confirmation-item').count(), 2);
  await block2.getByRole('button', { name: 'Xóa xác nhận Khóa học khác ngày 02/01/2026' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Xóa' }).click();
  await page.getByText('Đã xóa xác nhận.').waitFor();
  await waitReady(page);
  const block3 = page.locator('main section', { has: page.getByRole('heading', { name: 'Xác nhận từ nền tảng quốc gia' }) });
  assert.equal(await block3.locator('.confirmation-item').count(), 1);
  await assertNoHorizontalOverflow(page, PHONE.width, "resident's page");
  text = await page.locator('main').innerText();
  assert.ok(!text.includes(cccdA), 'a CCCD on the page');
  assertNoProblems(problems);
  await context.close();
});

test('a learner has neither the menu entry nor the page', { timeout: 60_000 }, async () => {
  const { page, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await waitReady(page);
  assert.equal(await page.locator('[data-nav="confirmations"]').count(), 0);
  await page.goto('/#/xac-nhan');
  await waitReady(page);
  await page.getByText('Bạn không có quyền xem mục này.').waitFor();
  assert.equal(await page.locator('main input[type=file]').count(), 0);
  await context.close();
});

// Sự kiện in a real Chromium against a real server: on a 360 px phone the ward admin records
// Ngày hội toàn dân học tập số (10/10) with a head count, adds an activity, records a resident found by
// a name typed without diacritics as a participant, changes the head count, and sees the totals in
// the event and in the list. A learner has no menu entry.
// Owns: its server, its browser and the synthetic person and event it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
let pa;
const t = tag().replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
const title = `Ngày hội toàn dân học tập số ${t}`;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const admin = await apiSession(srv.url, 'admin', srv.password);
  const tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  pa = await admin.ok('POST', '/residents', { full_name: `Nguyễn Thị Hội ${t}`, unit_id: tdp1 });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const count = (page, key) => page.locator(`main .event-counts [data-count="${key}"] .stat-value`).innerText();

test('phone 360 px: record Ngày hội with a head count, an activity and a registered participant', { timeout: 150_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await waitReady(page);
  await page.goto('/#/su-kien');
  await page.getByRole('heading', { level: 1, name: 'Sự kiện' }).waitFor();
  await waitReady(page);
  await page.getByText('Ghi nhận sự kiện').click();
  await page.getByLabel('Tên sự kiện').fill(title);
  await page.getByLabel('Ngày tổ chức').fill('10/10/2025');
  await page.getByLabel('Địa điểm').fill('Trung tâm Văn hóa phường');
  await page.getByLabel('Số người tham dự chưa đăng ký').fill('abc');
  await page.getByRole('button', { name: 'Lưu sự kiện' }).click();
  await page.getByText('Nhập một số từ 0 đến 1.000.000.').waitFor();
  await page.getByLabel('Số người tham dự chưa đăng ký').fill('200');
  await page.getByRole('button', { name: 'Lưu sự kiện' }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await waitReady(page);
  assert.equal((await count(page, 'head_count')).trim(), '200');
  assert.equal((await count(page, 'total')).trim(), '200');
  // An activity.
  await page.getByText('Thêm hoạt động').first().click();
  await page.getByLabel('Tên hoạt động').fill('Hướng dẫn kích hoạt VNeID mức 2');
  await page.getByRole('button', { name: 'Thêm hoạt động' }).click();
  await page.getByText('Đã thêm hoạt động.').waitFor();
  await waitReady(page);
  await page.locator('main .event-activities').getByText('Hướng dẫn kích hoạt VNeID mức 2').waitFor();
  // A registered participant, found without diacritics.
  await page.getByText('Ghi nhận người tham dự').click();
  await page.getByLabel('Tìm theo họ tên').fill(`nguyen thi hoi ${t}`);
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await page.getByRole('button', { name: `Ghi nhận ${pa.full_name} tham dự` }).click();
  await page.getByText(`Đã ghi nhận ${pa.full_name} tham dự.`).waitFor();
  await waitReady(page);
  await page.locator('main .event-participants').getByRole('link', { name: pa.full_name }).waitFor();
  assert.equal((await count(page, 'registered')).trim(), '1');
  assert.equal((await count(page, 'total')).trim(), '201');
  // The head count changes.
  await page.getByText('Sửa số người chưa đăng ký').click();
  await page.locator('main .event-heads-form').getByLabel('Số người tham dự chưa đăng ký').fill('250');
  await page.getByRole('button', { name: 'Lưu số người' }).click();
  await page.getByText('Đã lưu số người tham dự chưa đăng ký.').waitFor();
  await waitReady(page);
  assert.equal((await count(page, 'total')).trim(), '251');
  await assertNoHorizontalOverflow(page, PHONE.width, 'an event');
  // The list.
  await page.getByRole('link', { name: 'Các sự kiện' }).click();
  await waitReady(page);
  const row = page.locator('main .events-table tbody tr', { has: page.getByRole('link', { name: title }) });
  assert.equal((await row.locator('td[data-label="Tổng số"]').innerText()).trim(), '251');
  assert.equal((await row.locator('td[data-label="Có trong sổ dân cư"]').innerText()).trim(), '1');
  await assertNoHorizontalOverflow(page, PHONE.width, 'the events');
  assertNoProblems(problems);
  await context.close();
});

test('a learner has neither the menu entry nor the page', { timeout: 60_000 }, async () => {
  const { page, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await waitReady(page);
  assert.equal(await page.locator('[data-nav="events"]').count(), 0);
  await page.goto('/#/su-kien');
  await waitReady(page);
  await page.getByText('Bạn không có quyền xem mục này.').waitFor();
  await context.close();
});

// Schools in a real Chromium against a real server: on a 360 px phone the demo teacher opens
// "Trường học", finds her school, records its students covered in grade 9 and a "lớp học số sáng
// tạo", and sees both on the school's page; the ward admin sees every school and the share of
// general-education schools teaching the programme, and no form to change them.
// Owns: its server and its browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, navTo } from './lib/browser.mjs';

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

test('phone 360 px: the teacher records grade 9 and a creative class for her school', { timeout: 120_000 }, async () => {
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  allow(/status of 400 .*\/api\/v1\/schools\/\d+\/programme/); // the wrong count, refused on purpose
  await login(page, 'giaovien', srv.password);
  await waitReady(page);
  await navTo(page, 'Trường học');
  await page.getByRole('heading', { level: 1, name: 'Trường học' }).waitFor();
  const rows = page.locator('main .schools-table tbody tr');
  assert.equal(await rows.count(), 1, 'the teacher sees her school only');
  await rows.getByRole('link', { name: 'Trường THCS Trần Hưng Đạo' }).click();
  await page.getByRole('heading', { level: 1, name: 'Trường THCS Trần Hưng Đạo' }).waitFor();
  await waitReady(page);
  await page.getByText('Học sinh được học: 852/912 học sinh (93%)').waitFor();
  const f = page.locator('main form.school-programme-form');
  await f.getByLabel('Khối 9: số được học').fill('212');
  await f.getByRole('button', { name: 'Lưu' }).click();
  await page.getByText('Đã lưu chương trình kỹ năng số của trường.').waitFor();
  await waitReady(page);
  await page.getByText('Học sinh được học: 884/912 học sinh (97%)').waitFor();
  // A covered count above the grade's students: refused beside nothing written.
  const f2 = page.locator('main form.school-programme-form');
  await f2.getByLabel('Khối 6: số được học').fill('999');
  await f2.getByRole('button', { name: 'Lưu' }).click();
  await f2.getByText('số học sinh được học nhiều hơn số học sinh của khối', { exact: false }).waitFor();
  // A designation.
  const d = page.locator('main form.school-designation-form');
  await d.getByLabel('Danh hiệu').selectOption('creative_class');
  await d.getByLabel('Tên lớp hoặc giáo viên').fill('Lớp 9A1');
  await d.getByLabel('Năm học').fill('2026-2027');
  await d.getByRole('button', { name: 'Ghi danh hiệu' }).click();
  await page.getByText('Đã ghi danh hiệu.').waitFor();
  await waitReady(page);
  await page.locator('main .school-designations').getByText('Lớp 9A1').waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, "the school's page");
  assertNoProblems(problems);
  await context.close();
});

test('the ward admin sees every school and the share teaching the programme, without forms', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await waitReady(page);
  await navTo(page, 'Trường học');
  await page.locator('main .school-totals').getByText('5/6').waitFor();
  assert.equal(await page.locator('main .schools-table tbody tr').count(), 8);
  await page.locator('main .schools-table').getByRole('link', { name: 'Trường Tiểu học Quang Trung' }).click();
  await page.getByRole('heading', { level: 1, name: 'Trường Tiểu học Quang Trung' }).waitFor();
  await waitReady(page);
  await page.getByText('Chưa dạy chương trình').waitFor();
  assert.equal(await page.locator('main form').count(), 0);
  assertNoProblems(problems);
  await context.close();
});

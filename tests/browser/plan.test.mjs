// The plan's tasks in a real Chromium against a real server: on a 360 px phone the officer of the
// Phòng Văn hóa - Xã hội opens "Kế hoạch", sees the tasks as a board by status (task 2.4 late: the
// demo has no report on it), opens 2.4, posts a progress update for her unit with a figure and a PDF
// attached, and sees it on the task's page with its file, the status now "Đúng tiến độ", and the task
// moved on the board. A file that is not what its name says is refused beside the file field. A
// learner has no menu entry.
// Owns: its server, its browser and the file it writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, navTo } from './lib/browser.mjs';

let srv;
let browser;
let dir;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'hv-kh-'));
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function column(page, label) {
  return page.locator('main .plan-column', { has: page.getByRole('heading', { name: label }) });
}

test('phone 360 px: the board by status, then a progress update with a figure and a PDF on task 2.4', { timeout: 120_000 }, async () => {
  const pdf = join(dir, 'Báo cáo tình nguyện.pdf');
  writeFileSync(pdf, '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  const fake = join(dir, 'gia-mao.pdf');
  // A photo renamed to .pdf: its bytes say PNG.
  writeFileSync(fake, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]));
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  allow(/status of 415 .*\/api\/v1\/plan\/tasks\/\d+\/attachments/); // the lying file, refused on purpose
  await login(page, 'vanhoa', srv.password);
  await waitReady(page);
  await navTo(page, 'Kế hoạch');
  await page.getByRole('heading', { level: 1, name: 'Nhiệm vụ của kế hoạch' }).waitFor();
  await waitReady(page);
  // The board: four columns, fourteen tasks, 2.4 among the late ones.
  for (const label of ['Chậm tiến độ', 'Chưa bắt đầu', 'Đúng tiến độ', 'Hoàn thành']) await column(page, label).waitFor();
  assert.equal(await page.locator('main .plan-card').count(), 14);
  assert.equal(await column(page, 'Chậm tiến độ').locator('.plan-card[data-code="2.4"]').count(), 1);
  assert.equal(await column(page, 'Hoàn thành').locator('.plan-card[data-code="1.3"]').count(), 1);
  await assertNoHorizontalOverflow(page, PHONE.width, 'the board');

  await page.locator('main .plan-card[data-code="2.4"] a').click();
  await page.getByRole('heading', { level: 1, name: 'Nhiệm vụ 2.4' }).waitFor();
  await waitReady(page);
  await page.getByText('Chủ trì: Các trường Trung học cơ sở, Tiểu học trên địa bàn', { exact: false }).first().waitFor();
  const form = page.locator('main form.plan-update-form');
  assert.equal(await form.getByLabel('Báo cáo thay cho đơn vị').inputValue() !== '', true);
  assert.equal(await form.getByLabel('Báo cáo thay cho đơn vị').locator('option:checked').textContent(), 'Phòng Văn hóa - Xã hội');
  // A file whose bytes are not a PDF: refused, the message beside the file field, nothing posted.
  await form.getByLabel('Nội dung đã thực hiện').fill('Học sinh THCS hướng dẫn ông bà cài VNeID.');
  await form.getByLabel('Tệp đính kèm').setInputFiles(fake);
  await form.getByRole('button', { name: 'Gửi báo cáo' }).click();
  await form.getByText('Nội dung tệp không đúng loại', { exact: false }).waitFor();
  assert.equal(await page.locator('main .plan-update').count(), 0);
  // The real report: a figure and a PDF.
  await form.getByLabel('Số liệu 1: nội dung').fill('Học sinh tình nguyện');
  await form.getByLabel('Giá trị').first().fill('120');
  await form.getByLabel('Đơn vị tính').first().fill('em');
  await form.getByLabel('Tệp đính kèm').setInputFiles(pdf);
  await form.getByRole('button', { name: 'Gửi báo cáo' }).click();
  await page.getByText('Đã gửi báo cáo tiến độ.').waitFor();
  await waitReady(page);
  const update = page.locator('main .plan-update').first();
  await update.getByText('Học sinh THCS hướng dẫn ông bà cài VNeID.').waitFor();
  await update.getByText('Học sinh tình nguyện').waitFor();
  await update.getByText('Nguyễn Thị Hoa', { exact: false }).waitFor();
  const link = update.getByRole('link', { name: 'Báo cáo tình nguyện.pdf' });
  await link.waitFor();
  const href = await link.getAttribute('href');
  const file = await page.request.get(`${srv.url}${href}`);
  assert.equal(file.status(), 200);
  assert.equal(file.headers()['content-type'], 'application/pdf');
  assert.match(file.headers()['content-disposition'], /^attachment; /);
  await page.locator('main').getByText('Đúng tiến độ').first().waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, "the task's page");

  // Back on the board, 2.4 has moved.
  await page.getByRole('link', { name: 'Tất cả nhiệm vụ' }).click();
  await page.getByRole('heading', { level: 1, name: 'Nhiệm vụ của kế hoạch' }).waitFor();
  await waitReady(page);
  assert.equal(await column(page, 'Đúng tiến độ').locator('.plan-card[data-code="2.4"]').count(), 1);
  assertNoProblems(problems);
  await context.close();
});

test('a learner has neither the menu entry nor the page', { timeout: 60_000 }, async () => {
  const { page, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await waitReady(page);
  assert.equal(await page.locator('[data-nav="plan"]').count(), 0);
  await page.goto('/#/ke-hoach');
  await waitReady(page);
  await page.getByText('Bạn không có quyền xem mục này.').waitFor();
  await context.close();
});

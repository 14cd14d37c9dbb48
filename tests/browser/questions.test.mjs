// The question bank in a real Chromium against a real server: on a 360 px phone the ward admin
// imports Moodle's own GIFT test file with a default competence and level, sees how many questions
// were added and the one that was not (its line, its title, why), finds the questions listed with
// their competence, filters them by type, and opens one to read its answers and explanation; the
// numbers on the page are the API's. A tổ officer (no content.write) has no menu entry, and the
// page tells them they may not see it.
// Owns: its server and its browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, REPO_ROOT } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE } from './lib/browser.mjs';

const GIFT = join(REPO_ROOT, '..', 'shared', 'data', 'moodle-question-fixtures', 'questions.gift.txt');
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

test('phone 360 px: import a GIFT file, see what was kept and what was not, list, filter and open a question', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await page.goto('/#/cau-hoi');
  await page.getByRole('heading', { level: 1, name: 'Ngân hàng câu hỏi' }).waitFor();
  await waitReady(page);
  await page.getByLabel('Tệp câu hỏi').setInputFiles(GIFT);
  await page.getByLabel('Năng lực số mặc định').selectOption('1.1');
  await page.getByLabel('Bậc mặc định').selectOption('1');
  await page.getByRole('button', { name: 'Nhập câu hỏi' }).click();
  await page.getByText(/Đã thêm 7 câu hỏi vào ngân hàng; 1 câu đã có sẵn nên giữ nguyên\./).waitFor();
  const row = page.locator('main .problems-table tbody tr');
  assert.equal(await row.count(), 1);
  assert.deepEqual((await row.locator('td').allTextContents()).map((t) => t.trim()).slice(0, 2), ['2', 'Q8']);
  await row.getByText(/tự luận/).waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'import result');

  await page.getByRole('button', { name: 'Xem danh sách câu hỏi' }).click();
  await waitReady(page);
  const api = await (await page.request.get(`${srv.url}/api/v1/questions?per_page=50`)).json();
  await page.getByText(`Có ${api.total} câu hỏi`).waitFor();
  const names = await page.locator('main .questions-table a.row-name').allTextContents();
  assert.deepEqual(names, api.items.slice(0, 20).map((q) => q.name));

  await page.getByLabel('Loại câu hỏi').selectOption('truefalse');
  await page.waitForFunction(() => location.hash.includes('type=truefalse'));
  await waitReady(page);
  const tf = await (await page.request.get(`${srv.url}/api/v1/questions?per_page=50&type=truefalse`)).json();
  await page.getByText(`Có ${tf.total} câu hỏi`).waitFor();
  await page.getByRole('link', { name: 'Q1' }).click();
  await page.getByRole('heading', { level: 1, name: 'Q1' }).waitFor();
  await waitReady(page);
  await page.getByText('Hitchiker\'s Guide to the Galaxy', { exact: false }).waitFor();
  await page.locator('main .answer-right').getByText('Sai').waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'question');
  assertNoProblems(problems);
  await context.close();
});

test('a tổ officer has neither the menu entry nor the page', { timeout: 60_000 }, async () => {
  const { page, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tdp01', srv.password);
  await waitReady(page);
  assert.equal(await page.locator('[data-nav="questions"]').count(), 0);
  await page.goto('/#/cau-hoi');
  await waitReady(page);
  await page.getByText('Bạn không có quyền xem mục này.').waitFor();
  assert.equal(await page.locator('main input[type=file]').count(), 0);
  await context.close();
});

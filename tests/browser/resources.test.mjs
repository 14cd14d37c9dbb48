// Resources in a real Chromium against a real server: on a 360 px phone the officer of the Phòng
// Văn hóa - Xã hội opens "Nguồn lực", sees the demo's contributions with totals by kind and source
// and the plan tasks' budgets, records a business's gift of money for task 1.4, and finds it in the
// list with the money total grown by its value. A learner has no menu entry.
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

const moneyTotal = (page) => page.locator('main .resource-kinds li').first().locator('.stat-value').textContent();

test('phone 360 px: totals, budgets, and a contribution recorded for task 1.4', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'vanhoa', srv.password);
  await waitReady(page);
  await navTo(page, 'Nguồn lực');
  await page.getByRole('heading', { level: 1, name: 'Nguồn lực' }).waitFor();
  const before = await moneyTotal(page);
  await page.locator('main .budgets-table tr[data-code="3.4"]').waitFor();
  await page.getByText('Ghi một đóng góp mới').click();
  const f = page.locator('main form.resource-form');
  await f.getByLabel('Nguồn', { exact: true }).selectOption('business');
  await f.getByLabel('Tên tổ chức, doanh nghiệp hoặc người đóng góp').fill('Công ty Cổ phần Sách Hải Dương');
  await f.getByLabel('Loại đóng góp').selectOption('money');
  await f.getByLabel('Nội dung').fill('Giải thưởng cho cuộc thi kỹ năng số ngày 10/10');
  await f.getByLabel('Giá trị (đồng)').fill('5.000.000');
  const task = f.getByLabel('Nhiệm vụ của kế hoạch');
  const label = (await task.locator('option').allTextContents()).find((t) => t.startsWith('1.4.'));
  await task.selectOption({ label });
  await f.getByRole('button', { name: 'Ghi đóng góp' }).click();
  await page.getByText('Đã ghi đóng góp.').waitFor();
  await waitReady(page);
  const row = page.locator('main .resources-table tbody tr', { hasText: 'Công ty Cổ phần Sách Hải Dương' });
  await row.waitFor();
  assert.match(await row.textContent(), /5\.000\.000 đ/);
  assert.match(await row.textContent(), /1\.4/);
  const after = await moneyTotal(page);
  const num = (s) => Number(s.replace(/[^\d]/g, ''));
  assert.equal(num(after) - num(before), 5000000);
  await assertNoHorizontalOverflow(page, PHONE.width, 'the resources page');
  assertNoProblems(problems);
  await context.close();
});

test('a learner has neither the menu entry nor the page', { timeout: 60_000 }, async () => {
  const { page, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await waitReady(page);
  assert.equal(await page.locator('[data-nav="resources"]').count(), 0);
  await page.goto('/#/nguon-luc');
  await waitReady(page);
  await page.getByText('Bạn không có quyền xem mục này.').waitFor();
  await context.close();
});

// Chợ số – Mô hình 4T in a real Chromium against a real server: on a 360 px phone the field helper
// of tổ 1 opens "Chợ số – 4T", sees the market of a trader of tổ 1 with its counts per step, filters
// to the traders still without "cashless payment and QR", records that step for a trader (today by
// default) and sees it counted and shown as done with the day and who guided, then removes it as a
// mistake; a trader of tổ 2 at the same market is not listed. A learner has neither the menu entry nor the page.
// Owns: its server, its browser and the synthetic market and people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
let market;
let ta;
let tb;
const t = tag().replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const admin = await apiSession(srv.url, 'admin', srv.password);
  const ward = await unitId(admin, 'Phường Hải Dương');
  const tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  const tdp2 = await unitId(admin, 'Tổ dân phố số 2');
  market = await admin.ok('POST', '/units', { parent_id: ward, kind: 'market', name: `Chợ Thử ${t}` });
  ta = await admin.ok('POST', '/residents', { full_name: `Nguyễn Thị Bán ${t}`, unit_id: tdp1 });
  tb = await admin.ok('POST', '/residents', { full_name: `Trần Văn Hàng ${t}`, unit_id: tdp2 });
  for (const p of [ta, tb]) await admin.ok('POST', `/residents/${p.id}/memberships`, { unit_id: market.id, kind: 'trader' });
  await admin.ok('POST', `/residents/${ta.id}/trade-steps`, { step: 'payment_account', done_on: '2026-01-05' });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('phone 360 px: a field helper finds a trader without QR payment and records the step', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tinhnguyen', srv.password);
  await waitReady(page);
  await page.goto('/#/cho-so');
  await page.getByRole('heading', { level: 1, name: 'Chợ số – Mô hình 4T' }).waitFor();
  await waitReady(page);
  // The market, seen through its trader of tổ 1: one trader, one of them with an account.
  const card = page.locator(`main .market-item[data-id="${market.id}"]`);
  await card.getByText('1 tiểu thương').waitFor();
  assert.equal((await card.locator('[data-step="payment_account"] .step-count').innerText()).trim(), '1/1');
  assert.equal((await card.locator('[data-step="cashless_qr"] .step-count').innerText()).trim(), '0/1');
  // The worklist: traders still without QR payment.
  await page.getByLabel('Chưa thực hiện bước').selectOption('cashless_qr');
  await page.getByRole('button', { name: 'Lọc' }).click();
  await waitReady(page);
  const item = page.locator(`main .trader-item[data-id="${ta.id}"]`);
  await item.waitFor();
  assert.equal(await page.locator(`main .trader-item[data-id="${tb.id}"]`).count(), 0, 'a trader of tổ 2 is out of scope');
  await item.locator('[data-step="payment_account"]').getByText('05/01/2026').waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'traders');
  // Record: open, choose the step (the first one left is preselected), today by default, save.
  await item.getByText('Ghi nhận bước 4T').click();
  await item.getByLabel('Bước đã thực hiện').selectOption('cashless_qr');
  const day = await item.getByLabel('Ngày thực hiện').inputValue();
  assert.match(day, /^\d{2}\/\d{2}\/\d{4}$/);
  await item.getByRole('button', { name: 'Ghi nhận' }).click();
  await page.getByText(`Đã ghi nhận bước 4T của ${ta.full_name}.`).waitFor();
  await waitReady(page);
  // Done: the trader leaves the worklist, the market counts the step.
  assert.equal(await page.locator(`main .trader-item[data-id="${ta.id}"]`).count(), 0);
  assert.equal((await card.locator('[data-step="cashless_qr"] .step-count').innerText()).trim(), '1/1');
  await page.getByLabel('Chưa thực hiện bước').selectOption('');
  await page.getByRole('button', { name: 'Lọc' }).click();
  await waitReady(page);
  const chip = page.locator(`main .trader-item[data-id="${ta.id}"] [data-step="cashless_qr"]`);
  await chip.getByText(`${day} (Lê Minh Châu)`, { exact: false }).waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'traders after recording');
  // A step recorded by mistake is removed, after a confirmation.
  await chip.getByRole('button', { name: `Xóa bước “Nhận thanh toán không dùng tiền mặt, mã QR” của ${ta.full_name}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Xóa' }).click();
  await page.getByText(`Đã xóa bước “Nhận thanh toán không dùng tiền mặt, mã QR” của ${ta.full_name}.`).waitFor();
  await waitReady(page);
  await page.locator(`main .trader-item[data-id="${ta.id}"] [data-step="cashless_qr"]`).getByText('chưa', { exact: false }).waitFor();
  assert.equal((await card.locator('[data-step="cashless_qr"] .step-count').innerText()).trim(), '0/1');
  assertNoProblems(problems);
  await context.close();
});

test('a learner has neither the menu entry nor the page', { timeout: 60_000 }, async () => {
  const { page, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await waitReady(page);
  assert.equal(await page.locator('[data-nav="trade"]').count(), 0);
  await page.goto('/#/cho-so');
  await waitReady(page);
  await page.getByText('Bạn không có quyền xem mục này.').waitFor();
  await context.close();
});

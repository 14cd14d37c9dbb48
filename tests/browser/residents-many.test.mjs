// residents-many.test.mjs: a ward of more than 1,000 residents (`hocvuso demo --residents 1100`):
// the residents page says "hơn 1.000" rather than a count it did not make, and its pager still goes
// to the next page while pages are full.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, run, binaryPath } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, PHONE } from './lib/browser.mjs';

let srv;
let browser;
before(async () => {
  srv = await startServer();
  await run(binaryPath(), ['demo', '--data', srv.dataDir, ...srv.dbArgs, '--residents', '1100', '--seed', '5'],
    { env: { HOCVUSO_ADMIN_PASSWORD: srv.password }, timeout: 170_000 });
  browser = await launchBrowser();
}, { timeout: 180_000 });
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('more than 1,000 people: "hơn 1.000", and the next page is there while pages are full', { timeout: 90_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await page.goto('/#/dan-cu');
  await waitReady(page);
  await page.getByRole('status').filter({ hasText: 'Có hơn 1.000 người' }).waitFor();
  await page.getByText('Trang 1 · hơn 1.000 người').waitFor();
  await page.getByRole('button', { name: 'Trang sau' }).click();
  await page.waitForFunction(() => location.hash.includes('page=2'));
  await waitReady(page);
  await page.getByText('Trang 2 · hơn 1.000 người').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Trang trước' }).isDisabled(), false);
  assertNoProblems(problems, 'residents, more than 1,000');
  await context.close();
});

// The public progress board in a real Chromium against a real server (issue 10, part 6; plan
// IV.1.1): no log-in; the ward's figures as the API gives them, one indicator at a time in large
// figures, rotating by itself; the whole list below; fits a phone and a 1920 × 1080 LED screen.
// Owns: its server and its browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE } from './lib/browser.mjs';

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

for (const [label, viewport] of [['phone 360 px', PHONE], ['an LED screen of 1920 × 1080', { width: 1920, height: 1080 }]]) {
  test(`${label}: the board without log-in, its figures the API's, rotating by itself`, { timeout: 120_000 }, async () => {
    const { page, problems } = await newPage(browser, srv.url, { viewport });
    await page.goto('/#/bang-tin?giay=2');
    await page.getByRole('heading', { level: 1, name: /Bình dân học vụ số/ }).waitFor();
    await waitReady(page);
    const api = await (await page.request.get(`${srv.url}/api/v1/board`)).json();
    const items = page.locator('main .board-list li');
    assert.equal(await items.count(), api.items.length);
    for (const [k, it] of api.items.entries()) {
      const shown = (await items.nth(k).locator('.board-item-value').innerText()).trim();
      assert.equal(shown, it.percent === null ? '—' : `${it.percent.toLocaleString('vi-VN')}%`, it.code);
    }
    const first = await page.locator('main .board-now').getAttribute('data-code');
    assert.equal(first, api.items[0].code);
    await page.waitForFunction((c) => document.querySelector('main .board-now')?.dataset.code !== c, first, { timeout: 10_000 });
    assert.equal(await page.locator('main .board-now').getAttribute('data-code'), api.items[1].code, 'the next one');
    assert.equal(await page.locator('nav').count(), 0, 'no menu: a public screen');
    await assertNoHorizontalOverflow(page, viewport.width, 'the board');
    assertNoProblems(problems);
  });
}

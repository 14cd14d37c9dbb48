// Speed on a slow phone, by construction rather than by the clock (timings live in
// bench/web_login_speed.mjs and BENCHMARKS.md): the log-in page is in index.html itself, with its
// style sheet inline, so it shows and takes typing before any module or other file arrives; a
// "Đăng nhập" pressed that early waits for the modules and then logs in; a browser with a session
// sees "Đang tải…" rather than a form it does not need; a second visit revalidates nothing but
// index.html (every other file is content-addressed and immutable).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, assertNoProblems, waitReady, PHONE } from './lib/browser.mjs';

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

/** Holds back every file but index.html and the API until release() is called. */
async function holdFiles(page) {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const held = [];
  await page.route((url) => url.pathname !== '/' && !url.pathname.startsWith('/api/'), async (route) => {
    held.push(new URL(route.request().url()).pathname);
    await gate;
    await route.continue();
  });
  return { held, release };
}

test('the log-in page shows and takes typing before any module arrives; an early "Đăng nhập" logs in once they do', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  const requests = [];
  page.on('request', (req) => requests.push(`${req.method()} ${new URL(req.url()).pathname}${new URL(req.url()).search}`));
  const { held, release } = await holdFiles(page);
  await page.goto('/', { waitUntil: 'commit' });

  // Nothing but index.html has arrived, yet the page is the log-in page, styled and usable.
  const user = page.getByLabel('Tên đăng nhập');
  await user.waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => location.hash), '#/dang-nhap');
  assert.ok(held.some((p) => p.endsWith('/js/app.js')), `the modules are still held: ${held}`);
  const box = await page.getByRole('button', { name: 'Đăng nhập' }).boundingBox();
  assert.ok(box && box.height >= 44 && box.width >= 200, `the button has its style sheet: ${JSON.stringify(box)}`);
  assert.equal(await page.getByText('Đang tải…').isVisible(), false, 'no "Đang tải…" before a form that is already there');

  await user.fill('admin');
  await page.getByLabel('Mật khẩu', { exact: true }).fill(srv.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  // Pressed before the modules: it waits, says so, and sends nothing anywhere.
  const waiting = page.getByRole('button', { name: 'Đang đăng nhập…' });
  await waiting.waitFor();
  assert.equal(await waiting.isDisabled(), true);
  assert.equal(await page.evaluate(() => location.pathname + location.search), '/', 'the form was not sent by the browser itself');
  assert.ok(!requests.some((r) => r.startsWith('POST') || r.includes('password')), `nothing was sent: ${requests}`);

  release();
  await page.waitForFunction(() => location.hash === '#/');
  await waitReady(page);
  await page.getByRole('heading', { level: 1 }).waitFor();
  assert.equal(requests.filter((r) => r === 'POST /api/v1/session').length, 1, 'logged in exactly once');
  assert.equal(await page.locator('[data-login-page]').count(), 0, 'the log-in page is gone');
  assertNoProblems(problems, 'early log-in');
  await context.close();
});

test('what was typed before the modules arrived stays, and the log-in page works again after logging out', { timeout: 60_000 }, async () => {
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  allow(/status of 401/);
  const { release } = await holdFiles(page);
  await page.goto('/', { waitUntil: 'commit' });
  await page.getByLabel('Tên đăng nhập').fill('admin');
  await page.getByLabel('Mật khẩu', { exact: true }).fill('sai-mat-khau');
  await page.getByLabel('Tên đăng nhập').focus();
  release();
  await page.waitForFunction(() => document.getElementById('login-form')?.hasAttribute('data-bound'));
  assert.equal(await page.getByLabel('Tên đăng nhập').inputValue(), 'admin');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'dn-username', 'the cursor stayed where it was');
  // The modules' behaviour is on the page's own form: the reveal button and the server's message.
  await page.getByRole('button', { name: 'Hiện mật khẩu' }).click();
  assert.equal(await page.getByLabel('Mật khẩu', { exact: true }).getAttribute('type'), 'text');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('alert').filter({ hasText: /mật khẩu/i }).waitFor();

  await page.getByLabel('Mật khẩu', { exact: true }).fill(srv.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForFunction(() => location.hash === '#/');
  await waitReady(page);
  // Log out: a fresh copy of the page, empty, that logs in again.
  await page.evaluate(() => { location.hash = '#/'; });
  const menu = page.getByRole('button', { name: 'Danh mục' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.getByText('Bạn đã đăng xuất.').waitFor();
  assert.equal(await page.getByLabel('Tên đăng nhập').inputValue(), '');
  assert.equal(await page.locator('#dn-username').count(), 1, 'one log-in form, not two');
  await page.getByLabel('Tên đăng nhập').fill('admin');
  await page.getByLabel('Mật khẩu', { exact: true }).fill(srv.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForFunction(() => location.hash === '#/');
  await waitReady(page);
  assertNoProblems(problems, 'log-in, log-out, log-in');
  await context.close();
});

test('a browser with a session sees "Đang tải…", not the log-in form, until the modules decide', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await page.goto('/');
  await page.getByLabel('Tên đăng nhập').fill('admin');
  await page.getByLabel('Mật khẩu', { exact: true }).fill(srv.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForFunction(() => location.hash === '#/');
  await waitReady(page);

  const { release } = await holdFiles(page);
  await page.reload({ waitUntil: 'commit' });
  await page.getByText('Đang tải…').waitFor({ state: 'visible' });
  assert.equal(await page.getByLabel('Tên đăng nhập').isVisible(), false, 'no log-in form for someone logged in');
  release();
  await waitReady(page);
  assert.equal(await page.evaluate(() => location.hash), '#/');
  assertNoProblems(problems, 'reload with a session');
  await context.close();
});

test('a second visit revalidates nothing but index.html; inline code runs only by its hash', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await page.goto('/');
  await page.getByLabel('Tên đăng nhập').waitFor();
  await page.waitForFunction(() => document.getElementById('login-form')?.hasAttribute('data-bound'));
  await page.waitForTimeout(2000); // the other pages are warmed after the first one is shown
  await page.goto('about:blank');
  // A new visit, as when the person comes back tomorrow (same cache).
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const network = [];
  cdp.on('Network.responseReceived', (e) => {
    network.push({ url: new URL(e.response.url).pathname, status: e.response.status, fromDiskCache: e.response.fromDiskCache });
  });
  await page.goto('/', { waitUntil: 'load' });
  await page.waitForFunction(() => document.getElementById('login-form')?.hasAttribute('data-bound'));
  await page.waitForTimeout(300);
  const statics = network.filter((n) => !n.url.startsWith('/api/'));
  const revalidated = statics.filter((n) => !n.fromDiskCache).map((n) => `${n.url} ${n.status}`);
  assert.deepEqual(revalidated, ['/ 200'], 'only index.html goes to the server again');
  assert.ok(statics.filter((n) => n.fromDiskCache && n.url.endsWith('.js')).length >= 6, `the modules come from the cache: ${JSON.stringify(statics)}`);

  // Immutable, hashed names; index.html itself is no-cache, one variant per session state.
  const index = await page.request.get('/');
  assert.match(index.headers()['cache-control'] || '', /no-cache/);
  assert.match(index.headers().vary || '', /Cookie/);
  const html = await index.text();
  assert.match(html, /<style>[\s\S]*\.login-card[\s\S]*<\/style>/, 'the style sheet is inline');
  assert.doesNotMatch(html, /<link rel="stylesheet"/, 'no style sheet to wait for');
  // The inline script and style run because their hashes are in this answer's CSP, nothing else.
  const csp = index.headers()['content-security-policy'] || '';
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const crypto = await import('node:crypto');
  const sha = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  const script = html.match(/<script>([\s\S]*?)<\/script>/)[1];
  const style = html.match(/<style>([\s\S]*?)<\/style>/)[1];
  assert.ok(csp.includes(`script-src 'self' ${sha(script)}`), csp);
  assert.ok(csp.includes(`style-src 'self' ${sha(style)}`), csp);
  const api = await page.request.get('/api/v1/instance');
  assert.doesNotMatch(api.headers()['content-security-policy'] || '', /sha256/, 'other answers allow no inline code');

  const assets = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.some((a) => a.endsWith('/js/app.js')), html);
  for (const a of assets) {
    const r = await page.request.get(a);
    assert.equal(r.status(), 200, a);
    assert.match(r.headers()['cache-control'] || '', /max-age=31536000.*immutable|immutable.*max-age=31536000/, a);
  }
  // A stale address (another tree's hash) is not served as if it were current.
  const stale = await page.request.get(assets.find((a) => a.endsWith('/js/app.js')).replace(/\/assets\/[0-9a-f]+\//, '/assets/0000000000000000/'));
  assert.equal(stale.status(), 404);
  // Every module the log-in page loads at start is announced up front.
  const preloaded = new Set([...html.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)].map((m) => m[1]));
  for (const m of ['h.js', 'api.js', 'icons.js', 'ui.js', 'pages/login.js', 'app.js']) {
    assert.ok([...preloaded].some((p) => p.endsWith(`/js/${m}`)), `${m} is announced with modulepreload: ${[...preloaded]}`);
  }
  assertNoProblems(problems, 'second visit');
  await context.close();
});

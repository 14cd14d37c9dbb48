// browser.mjs: Debian's chromium through playwright-core, plus helpers shared by the browser tests.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 860 };

/**
 * A fresh context and page. Every console error or warning, uncaught exception, CSP violation and
 * failed request of the page is collected in `problems`.
 */
export async function newPage(browser, baseURL, { viewport = DESKTOP } = {}) {
  const context = await browser.newContext({ baseURL, viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = [];
  const allowed = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      const text = msg.text();
      const where = msg.location() && msg.location().url ? msg.location().url : '';
      // Chromium logs every 4xx answer as a failed resource load. A 401 from GET /api/v1/me (not
      // logged in yet) or POST /api/v1/session (wrong password) is the API's expected answer.
      if (/Failed to load resource: the server responded with a status of 401/.test(text)
        && /\/api\/v1\/(me|session)(\?|$)/.test(where)) return;
      if (allowed.some((re) => re.test(`${text} ${where}`))) return;
      problems.push(`console.${msg.type()}: ${text}${where ? ` (${where})` : ''}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  // allow(/regex/): a console message the test provokes on purpose (e.g. a 400 answer it expects).
  return { context, page, problems, allow: (re) => allowed.push(re) };
}

export async function login(page, username, password) {
  await page.goto('/#/dang-nhap');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/') && !location.hash.startsWith('#/dang-nhap'));
  await waitReady(page);
}

/** Opens the main navigation when it is behind the menu button (phones), then returns it. */
export async function openNav(page) {
  const nav = page.getByRole('navigation', { name: 'Điều hướng chính' });
  const toggle = page.getByRole('button', { name: 'Danh mục' });
  if (!(await nav.isVisible()) && (await toggle.isVisible())) await toggle.click();
  await nav.waitFor({ state: 'visible' });
  return nav;
}

/** Chooses a page in the main navigation and waits until it has rendered. */
export async function navTo(page, label) {
  const nav = await openNav(page);
  const link = nav.getByRole('link', { name: label, exact: true });
  const href = await link.getAttribute('href');
  await link.click();
  await page.waitForFunction((h) => location.hash === h || (h === '#/' && location.hash === ''), href);
  await waitReady(page);
}

export async function navLabels(page) {
  const nav = page.getByRole('navigation', { name: 'Điều hướng chính' });
  return (await nav.locator('a.nav-link, button.nav-link').allTextContents()).map((t) => t.trim());
}

export async function assertNoHorizontalOverflow(page, width, where) {
  const sizes = await page.evaluate(() => ({
    scroll: document.scrollingElement.scrollWidth,
    client: document.scrollingElement.clientWidth,
  }));
  assert.ok(sizes.scroll <= width, `${where}: page is ${sizes.scroll}px wide at a ${width}px viewport`);
}

export function assertNoProblems(problems, where) {
  assert.deepEqual(problems, [], `${where}: console errors or page errors`);
}

/**
 * Waits until the current address has rendered: the app marks <main> with data-route = the hash
 * it finished rendering, and drops aria-busy.
 */
export async function waitReady(page) {
  await page.waitForFunction(() => {
    const main = document.querySelector('main');
    return main && !main.hasAttribute('aria-busy') && main.dataset.route === location.hash && main.querySelector('h1');
  });
}

/** Calls the API from inside the page (same cookie), returning {status, body}. */
export function apiFromPage(page, method, path) {
  return page.evaluate(async ([m, p]) => {
    const res = await fetch(`/api/v1${p}`, { method: m, credentials: 'same-origin' });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }, [method, path]);
}

export function hashOf(page) {
  return page.evaluate(() => location.hash);
}

/** A short random tag for names that must be unique. */
export function tag() {
  return Math.random().toString(36).slice(2, 8);
}

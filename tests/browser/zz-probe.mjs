import { startServer } from '/work/main/tests/browser/lib/server.mjs';
import { launchBrowser, newPage, PHONE } from '/work/main/tests/browser/lib/browser.mjs';
export const SLOW_PHONE = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1000 * 1000) / 8,
  uploadThroughput: (0.75 * 1000 * 1000) / 8,
};
export const CPU_SLOWDOWN = 4;
/** Navigates to the log-in page under the slow profile; answers ms until it is usable. */
export async function timeLoginPage(page, url) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_PHONE);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => {
    const user = document.querySelector('input[name="username"]');
    const submit = document.querySelector('form button[type="submit"]');
    return user && !user.disabled && submit && location.hash === '#/dang-nhap';
  }, null, { polling: 'raf', timeout: 20_000 });
  const ms = Date.now() - t0;
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await cdp.detach();
  return ms;
}

const srv = await startServer();
const browser = await launchBrowser();
for (let i = 0; i < 3; i++) {
  const { page, context } = await newPage(browser, srv.url, { viewport: PHONE });
  const ms = await timeLoginPage(page, `${srv.url}/`);
  const t = await page.evaluate(() => ({
    nav: performance.getEntriesByType('navigation').map((n) => ({ rs: n.requestStart, re: n.responseEnd, dcl: n.domContentLoadedEventEnd })),
    paint: performance.getEntriesByType('paint').map((p) => [p.name, Math.round(p.startTime)]),
    res: performance.getEntriesByType('resource').map((r) => [new URL(r.name).pathname.replace(/\/assets\/[0-9a-f]+/, ''), Math.round(r.startTime), Math.round(r.responseEnd)]),
  }));
  console.log(ms, JSON.stringify(t));
  await context.close();
}
await browser.close(); await srv.stop();

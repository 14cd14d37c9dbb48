// web_login_speed.mjs: how long the log-in page takes to become usable on a slow phone, for this
// checkout and for a reference (another build and web tree), in the same run, alternating.
// Profile: 150 ms latency, 1.6 Mbps down / 0.75 Mbps up, CPU slowed 4× (CDP), cold cache.
// Usage: REF_BIN=/path/to/old/hocvuso REF_WEB=/path/to/old/web [RUNS=7] [CPU=4] node bench/web_login_speed.mjs
// Prints the median of each and their ratio (this / reference). Needs Debian's chromium.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { launchBrowser, newPage, PHONE } from '../tests/browser/lib/browser.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS || 7);
const CPU = Number(process.env.CPU || 4); // CPU slowdown; CPU=1 isolates the network's share
const SLOW_PHONE = { offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 93_750 };

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function start(bin, web) {
  const data = mkdtempSync(path.join(os.tmpdir(), 'hv-bench-web-'));
  execFileSync(bin, ['demo', '--data', data], { env: { ...process.env, HOCVUSO_ADMIN_PASSWORD: 'Bench-mat-khau-1' } });
  const port = await freePort();
  const child = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data', data], { env: { ...process.env, HOCVUSO_WEB: web }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: () => { child.kill('SIGTERM'); rmSync(data, { recursive: true, force: true }); } };
}

async function once(browser, url) {
  const { page, context } = await newPage(browser, url, { viewport: PHONE });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_PHONE);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU });
  // In the page too: the first frame in which the form is there and the address is the log-in
  // page, in ms since the navigation started (no test-driver round trips in this one).
  await page.addInitScript(() => {
    const check = () => {
      const u = document.querySelector('input[name="username"]');
      if (u && !u.disabled && document.querySelector('form button[type="submit"]') && location.hash === '#/dang-nhap') {
        window.__usableAt = performance.now();
      } else {
        requestAnimationFrame(check);
      }
    };
    requestAnimationFrame(check);
  });
  const t0 = Date.now();
  await page.goto(`${url}/`, { waitUntil: 'commit' });
  await page.waitForFunction(() => {
    const u = document.querySelector('input[name="username"]');
    return u && !u.disabled && document.querySelector('form button[type="submit"]') && location.hash === '#/dang-nhap';
  }, null, { polling: 'raf', timeout: 30_000 });
  const ms = Date.now() - t0;
  const inPage = await page.evaluate(() => Math.round(window.__usableAt));
  await context.close();
  return { ms, inPage };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ref = await start(process.env.REF_BIN, process.env.REF_WEB);
const cur = await start(process.env.HOCVUSO_BIN || path.join(ROOT, 'build', 'hocvuso'), path.join(ROOT, 'web'));
const browser = await launchBrowser();
const t = { ref: [], cur: [], refIn: [], curIn: [] };
for (let i = 0; i < RUNS; i++) {
  const a = await once(browser, ref.url);
  const b = await once(browser, cur.url);
  t.ref.push(a.ms); t.refIn.push(a.inPage);
  t.cur.push(b.ms); t.curIn.push(b.inPage);
}
await browser.close();
ref.stop();
cur.stop();
const [mr, mc] = [median(t.ref), median(t.cur)];
const [mri, mci] = [median(t.refIn), median(t.curIn)];
console.log(`reference: ${t.ref.join(' ')} ms, median ${mr} (in the page: ${t.refIn.join(' ')}, median ${mri})`);
console.log(`this:      ${t.cur.join(' ')} ms, median ${mc} (in the page: ${t.curIn.join(' ')}, median ${mci})`);
console.log(`ratio this/reference: ${(mc / mr).toFixed(2)} (in the page ${(mci / mri).toFixed(2)}); load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);

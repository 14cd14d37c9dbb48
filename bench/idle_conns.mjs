// idle_conns.mjs: holds many idle keep-alive HTTP connections open against a local server and
// reports the server's memory (VmRSS) while they are open. Loopback only; bounded in time.
// Each connection sends one `GET /api/v1/hello` with keep-alive, reads the whole answer, then idles.
//
// Usage: node bench/idle_conns.mjs --port PORT [--conns 1000] [--hold 10] [--pid SERVER_PID]
//                                   [--path /api/v1/hello] [--timeout 60]
// Prints one JSON line: {conns, connected, responded, open_at_sample, closed_early, errors,
//                        rss_before_kb, rss_open_kb, rss_end_kb, hwm_kb, ready_ms}
// Exit status 0 when every connection got its answer and was still open at the sample, else 1.
import net from 'node:net';
import fs from 'node:fs';

function args(argv) {
  const o = { port: 0, conns: 1000, hold: 10, pid: 0, path: '/api/v1/hello', timeout: 60, batch: 100 };
  for (let i = 2; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in o) || argv[i + 1] === undefined) {
      console.error(`idle_conns: unknown or incomplete option ${argv[i]}`);
      process.exit(2);
    }
    o[k] = k === 'path' ? argv[i + 1] : Number(argv[i + 1]);
  }
  if (!o.port) {
    console.error('idle_conns: --port is required');
    process.exit(2);
  }
  return o;
}

function status(pid) {
  if (!pid) return null;
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k) => Number((s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm')) || [])[1] || 0);
    return { rss: get('VmRSS'), hwm: get('VmHWM') };
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const o = args(process.argv);
const req = `GET ${o.path} HTTP/1.1\r\nHost: 127.0.0.1:${o.port}\r\nConnection: keep-alive\r\n\r\n`;
const socks = [];
let connected = 0, responded = 0, closedEarly = 0, errors = 0, closing = false;
const errorKinds = {};

// Resolves when the first full answer (headers + Content-Length body) arrived on the socket.
function open() {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: o.port });
    let buf = Buffer.alloc(0), done = false, open = true;
    const finish = (ok) => { if (!done) { done = true; resolve(ok); } };
    s.setNoDelay(true);
    s.on('connect', () => { connected++; s.write(req); });
    s.on('data', (d) => {
      if (done) return;
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const m = head.match(/^content-length:\s*(\d+)/im);
      const len = m ? Number(m[1]) : 0;
      if (buf.length - end - 4 >= len) {
        if (/^HTTP\/1\.1 200/.test(head)) responded++;
        finish(true);
      }
    });
    s.on('error', (e) => { errors++; errorKinds[e.code || e.message] = (errorKinds[e.code || e.message] || 0) + 1; finish(false); });
    s.on('close', () => { if (open && !closing) closedEarly++; open = false; finish(false); });
    s.isOpen = () => open;
    socks.push(s);
  });
}

const before = status(o.pid);
const t0 = Date.now();
const deadline = setTimeout(() => {
  console.error(`idle_conns: not every connection was answered within ${o.timeout} s`);
}, o.timeout * 1000);
// Open in batches so the listen backlog is not flooded (dropped SYNs retry after a second).
for (let i = 0; i < o.conns; i += o.batch) {
  const n = Math.min(o.batch, o.conns - i);
  await Promise.race([
    Promise.all(Array.from({ length: n }, open)),
    sleep(o.timeout * 1000),
  ]);
}
clearTimeout(deadline);
const readyMs = Date.now() - t0;
await sleep(1000); // let the server settle (its own buffers, thread stacks)
const openAtSample = socks.filter((s) => s.isOpen()).length;
const during = status(o.pid);
await sleep(Math.max(0, o.hold * 1000 - 1000));
const end = status(o.pid);
const openAtEnd = socks.filter((s) => s.isOpen()).length;
closing = true;
for (const s of socks) s.destroy();

const out = {
  conns: o.conns, connected, responded, open_at_sample: openAtSample, open_at_end: openAtEnd,
  closed_early: closedEarly, errors, error_kinds: errorKinds,
  rss_before_kb: before?.rss ?? null, rss_open_kb: during?.rss ?? null, rss_end_kb: end?.rss ?? null,
  hwm_kb: end?.hwm ?? null, ready_ms: readyMs, hold_s: o.hold,
};
console.log(JSON.stringify(out));
process.exit(responded === o.conns && openAtSample === o.conns ? 0 : 1);

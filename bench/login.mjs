// login.mjs: log-in benchmark of hocvuso (see BENCHMARKS.md, "Log-in and the writer").
// Loopback only, bounded in time (about 2 minutes per backend). Builds nothing: uses build/hocvuso
// or $HOCVUSO_BIN. Starts its own server (demo ward, --trusted-proxy 127.0.0.1 so that each
// simulated learner has its own X-Forwarded-For address), through tests/api/lib/server.mjs;
// PostgreSQL when HOCVUSO_TEST_PG_DIR names a tests/pg-server.sh cluster.
//
//   (1) log-ins per second: CONC clients log in as fast as they can for DURATION seconds, each
//       attempt from its own address (the throttle is not what is measured), with the configured
//       argon2id parameters (src/domain/users.c). From it: how long 20,000 learners take.
//   (2) the latency of an unrelated write (PATCH /api/v1/units/{id}, a rename, as admin, one every
//       WRITE_EVERY ms) with no log-ins (the reference) and during a burst of BURST (24)
//       simultaneous log-ins kept in flight the whole time; ROUNDS rounds, interleaved; medians.
// Prints Markdown; raw numbers as JSON on stderr.
//
// Settings (environment): HOCVUSO_BIN, HOCVUSO_TEST_PG_DIR, DURATION (10), CONC (16), BURST (24),
// WRITE_EVERY (60), PHASE (8 seconds per write phase), ROUNDS (3).
import { startServer } from '../tests/api/lib/server.mjs';
import http from 'node:http';

const DURATION = Number(process.env.DURATION || 10);
const CONC = Number(process.env.CONC || 16);
const BURST = Number(process.env.BURST || 24);
const WRITE_EVERY = Number(process.env.WRITE_EVERY || 60);
const PHASE = Number(process.env.PHASE || 8);
const ROUNDS = Number(process.env.ROUNDS || 3);

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let port = 0;

function req(method, path, { body, cookie, csrf, ip } = {}) {
  const payload = body ? Buffer.from(JSON.stringify(body)) : null;
  const headers = {};
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  if (ip) headers['x-forwarded-for'] = ip;
  const t0 = process.hrtime.bigint();
  return new Promise((res, rej) => {
    const r = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (resp) => {
      const chunks = [];
      resp.on('data', (c) => chunks.push(c));
      resp.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const text = Buffer.concat(chunks).toString('utf8');
        res({ status: resp.statusCode, headers: resp.headers, text, ms });
      });
    });
    r.setTimeout(30000, () => r.destroy(new Error('timeout')));
    r.on('error', rej);
    r.end(payload);
  });
}

let ipSeq = 0;
function nextIp() {
  ipSeq++;
  return `10.${(ipSeq >> 16) & 255}.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
}

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const median = (xs) => pct(xs, 50);

async function loginOnce(password) {
  return req('POST', '/api/v1/session', { body: { username: 'hocvien', password }, ip: nextIp() });
}

/** Runs `n` clients logging in until `stop()` is true; answers {ok, other, ms[]}. */
function loginLoad(n, password, stop) {
  const out = { ok: 0, other: {}, ms: [] };
  const one = async () => {
    while (!stop()) {
      const r = await loginOnce(password);
      if (r.status === 200) {
        out.ok++;
        out.ms.push(r.ms);
      } else out.other[r.status] = (out.other[r.status] || 0) + 1;
    }
  };
  return Promise.all(Array.from({ length: n }, one)).then(() => out);
}

async function writes(admin, unitId, seconds) {
  const ms = [];
  const bad = {};
  const end = Date.now() + seconds * 1000;
  let k = 0;
  while (Date.now() < end) {
    const t = Date.now();
    const r = await req('PATCH', `/api/v1/units/${unitId}`, { body: { name: `Tổ dân phố số 2 (đo ${k++ % 2})` }, cookie: admin.cookie, csrf: admin.csrf });
    if (r.status === 200) ms.push(r.ms);
    else bad[r.status] = (bad[r.status] || 0) + 1;
    const wait = WRITE_EVERY - (Date.now() - t);
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  }
  return { ms, bad };
}

async function main() {
  const srv = await startServer({ tag: 'bench-login', args: ['--trusted-proxy', '127.0.0.1'] });
  port = srv.port;
  const backend = srv.dbUri ? 'postgresql' : 'sqlite';
  try {
    const a = await req('POST', '/api/v1/session', { body: { username: 'admin', password: srv.password }, ip: '192.0.2.1' });
    if (a.status !== 200) throw new Error(`admin log-in: ${a.status} ${a.text}`);
    const admin = { cookie: [].concat(a.headers['set-cookie'])[0].split(';')[0], csrf: JSON.parse(a.text).csrf_token };
    const units = JSON.parse((await req('GET', `/api/v1/units?q=${encodeURIComponent('Tổ dân phố số 2')}`, { cookie: admin.cookie })).text);
    const unitId = units.items.find((u) => u.name === 'Tổ dân phố số 2').id;

    // Warm-up.
    await Promise.all(Array.from({ length: 8 }, () => loginOnce(srv.password)));

    // (1) throughput.
    const t0 = Date.now();
    let stopped = false;
    const load = loginLoad(CONC, srv.password, () => stopped);
    await new Promise((res) => setTimeout(res, DURATION * 1000));
    stopped = true;
    const thr = await load;
    const secs = (Date.now() - t0) / 1000;
    const rate = thr.ok / secs;

    // (2) write latency, reference and under a burst, interleaved.
    const ref = [];
    const burst = [];
    const raw = { ref: [], burst: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const w0 = await writes(admin, unitId, PHASE);
      ref.push({ p50: median(w0.ms), p99: pct(w0.ms, 99), n: w0.ms.length, bad: w0.bad });
      raw.ref.push(w0.ms);
      let stop = false;
      const bl = loginLoad(BURST, srv.password, () => stop);
      await new Promise((res) => setTimeout(res, 300)); // the burst is in flight
      const w1 = await writes(admin, unitId, PHASE);
      stop = true;
      const done = await bl;
      burst.push({ p50: median(w1.ms), p99: pct(w1.ms, 99), n: w1.ms.length, bad: w1.bad, logins: done.ok, loginP50: median(done.ms) });
      raw.burst.push(w1.ms);
    }
    const m = (xs, k) => median(xs.map((x) => x[k]));
    const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
    const result = {
      backend, rate, secs, conc: CONC, logins: thr.ok, other: thr.other, loginP50: median(thr.ms), loginP99: pct(thr.ms, 99),
      ref, burst,
    };
    console.error(JSON.stringify(result));
    console.log(`### ${backend} (${process.env.HOCVUSO_BIN || 'build/hocvuso'})`);
    console.log('');
    console.log(`Log-ins: ${thr.ok} in ${secs.toFixed(1)} s with ${CONC} clients = **${rate.toFixed(1)} log-ins/s** ` +
      `(p50 ${f(median(thr.ms))} ms, p99 ${f(pct(thr.ms, 99))} ms; other answers: ${JSON.stringify(thr.other)}); ` +
      `20,000 learners: **${(20000 / rate / 60).toFixed(1)} min**.`);
    console.log('');
    console.log('| unrelated write (PATCH unit) | p50 ms | p99 ms | writes | refused |');
    console.log('|---|---|---|---|---|');
    console.log(`| reference, no log-ins | ${f(m(ref, 'p50'))} | ${f(m(ref, 'p99'))} | ${ref.map((r) => r.n).join('+')} | ${JSON.stringify(ref.map((r) => r.bad))} |`);
    console.log(`| during ${BURST} simultaneous log-ins | ${f(m(burst, 'p50'))} | ${f(m(burst, 'p99'))} | ${burst.map((r) => r.n).join('+')} | ${JSON.stringify(burst.map((r) => r.bad))} |`);
    console.log('');
    console.log(`Medians of ${ROUNDS} rounds of ${PHASE} s, interleaved; p99 burst/reference = ${(m(burst, 'p99') / m(ref, 'p99')).toFixed(1)}; ` +
      `log-ins completed during the bursts: ${burst.map((b) => b.logins).join(', ')} (p50 ${burst.map((b) => f(b.loginP50)).join(', ')} ms).`);
  } finally {
    agent.destroy();
    await srv.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

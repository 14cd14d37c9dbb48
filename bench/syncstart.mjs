// syncstart.mjs: the synchronised start of issue 8 (see BENCHMARKS.md, "Synchronised start"):
// LEARNERS learners, logged in beforehand, start the same quiz within SPREAD_MS (1 s); how long
// until every one has their questions, the p50/p99 of a start, the failures by status.
// Loopback only, bounded in time. Builds nothing: uses build/hocvuso or $HOCVUSO_BIN. Starts its own
// server (tests/api/lib/server.mjs: the demo ward) and loads the starter curriculum; PostgreSQL when
// HOCVUSO_TEST_PG_DIR names a tests/pg-server.sh cluster.
//
// The accounts and their sessions are written straight into the database (sqlite3 / psql, one
// transaction): 20,000 log-ins through the API take 6-16 minutes here (argon2id, see "Log-in and
// the writer"), and what is measured is the start, not the log-in. Every account is a learner of
// Tổ dân phố số 1 with the demo learner's password hash; each session is what sessions_create
// writes, and its CSRF token what sessions_csrf makes (keyed BLAKE2b of the token, and of "csrf\0"
// and the token, with the server's session key from secrets.json: python3's hashlib, python3 being
// meson's own). Nothing in the server is changed or relaxed for it.
//
// In one run: (a) GET /api/v1/hello with wrk (64 connections, HELLO_S seconds), the reference;
// (h) LEARNERS GET /api/v1/hello sent on the same schedule and connections as the starts, the same
// client's reference; (s) LEARNERS POST /api/v1/quizzes/{id}/attempts, learner i's request sent at
// t0 + i·SPREAD_MS/LEARNERS over CONNS keep-alive connections opened beforehand (class Pool). A start's time is
// from its scheduled moment to the last byte of its answer (client-side queueing included).
// Prints Markdown; raw numbers as JSON on stderr.
//
// Settings (environment): HOCVUSO_BIN, HOCVUSO_TEST_PG_DIR, LEARNERS (20000), CONNS (1000),
// SPREAD_MS (1000), HELLO_S (5), THREADS (the server's worker threads; default: the server's own),
// PERF_OUT (a file: `perf record` of the server during the start), PERF_ARGS (its options; -g).
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, hocvuso, storeArgs, run, REPO_ROOT } from '../tests/api/lib/server.mjs';

const LEARNERS = Number(process.env.LEARNERS || 20000);
const CONNS = Number(process.env.CONNS || 1000);
const SPREAD_MS = Number(process.env.SPREAD_MS || 1000);
const HELLO_S = Number(process.env.HELLO_S || 5);
const THREADS = process.env.THREADS ? ['--threads', String(process.env.THREADS)] : [];
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
let port = 0;

// Set-up requests (node:http; few).
function req(method, path, { body, cookie, csrf } = {}) {
  const payload = body ? Buffer.from(JSON.stringify(body)) : null;
  const headers = {};
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  return new Promise((res) => {
    const r = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (resp) => {
      const chunks = [];
      resp.on('data', (c) => chunks.push(c));
      resp.on('end', () => res({ status: resp.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      resp.on('error', (e) => res({ status: `error ${e.code || e.message}`, text: '' }));
    });
    r.setTimeout(60000, () => r.destroy(new Error('timeout')));
    r.on('error', (e) => res({ status: `error ${e.code || e.message}`, text: '' }));
    r.end(payload);
  });
}

// The burst's client: CONNS keep-alive HTTP/1.1 connections of node:net, one request in flight on
// each, requests waiting in one queue for the first free connection. node:http's client tops out
// near 2,000 requests a second here (measured: a burst of 20,000 hellos took 9.4-10.4 s while wrk
// answered 16,600/s), which would measure the client, not the server; this one only reads the
// status line, Content-Length and the body. The server answers with Content-Length (MHD).
class Pool {
  constructor(n) {
    this.free = [];
    this.queue = [];
    this.head = 0;
    this.n = n;
  }
  async open() {
    await Promise.all(Array.from({ length: this.n }, () => new Promise((res, rej) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.setNoDelay(true);
        s.hv = { buf: Buffer.alloc(0), cb: null };
        s.on('data', (d) => this.onData(s, d));
        s.on('error', (e) => this.onDead(s, `error ${e.code || e.message}`));
        s.on('close', () => this.onDead(s, 'closed'));
        this.free.push(s);
        res();
      });
      s.once('error', rej);
    })));
  }
  // One request as raw bytes; resolves {status, text}.
  send(bytes) {
    return new Promise((res) => {
      this.queue.push({ bytes, res });
      this.kick();
    });
  }
  kick() {
    while (this.free.length && this.head < this.queue.length) {
      const job = this.queue[this.head];
      this.queue[this.head++] = undefined;
      const s = this.free.pop();
      s.hv.cb = job.res;
      s.write(job.bytes);
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
  onData(s, d) {
    const h = s.hv;
    h.buf = h.buf.length ? Buffer.concat([h.buf, d]) : d;
    const end = h.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = h.buf.subarray(0, end).toString('latin1');
    const m = /content-length:\s*(\d+)/i.exec(head);
    const len = m ? Number(m[1]) : 0;
    if (h.buf.length < end + 4 + len) return;
    const status = Number(head.slice(9, 12));
    const text = h.buf.subarray(end + 4, end + 4 + len).toString('utf8');
    h.buf = h.buf.subarray(end + 4 + len);
    const cb = h.cb;
    h.cb = null;
    this.free.push(s);
    this.kick();
    cb({ status, text });
  }
  onDead(s, why) {
    if (s.hv.dead) return;
    s.hv.dead = true;
    const i = this.free.indexOf(s);
    if (i >= 0) this.free.splice(i, 1);
    if (s.hv.cb) s.hv.cb({ status: why, text: '' });
  }
  close() {
    for (const s of this.free) s.destroy();
  }
}

function raw(method, path, { cookie, csrf } = {}) {
  return Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    (cookie ? `Cookie: ${cookie}\r\n` : '') + (csrf ? `X-CSRF-Token: ${csrf}\r\n` : '') +
    (method === 'POST' ? 'Content-Length: 0\r\n' : '') + '\r\n', 'latin1');
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

// Sends one(i) for i in [0, n) at t0 + i·SPREAD_MS/n; answers each one's time from its scheduled
// moment, the whole burst's time (t0 to the last answer) and the failures by status.
async function burst(n, one) {
  const t0 = performance.now() + 100;
  const lat = new Array(n);
  const fails = {};
  let next = 0;
  let done = 0;
  let last = 0;
  await new Promise((resolve) => {
    const pump = () => {
      const now = performance.now();
      while (next < n && t0 + (next * SPREAD_MS) / n <= now) {
        const i = next++;
        const at = t0 + (i * SPREAD_MS) / n;
        one(i).then((r) => {
          const end = performance.now();
          lat[i] = end - at;
          last = Math.max(last, end);
          if (!r.ok) fails[r.status] = (fails[r.status] || 0) + 1;
          if (++done === n) resolve();
        });
      }
      if (next < n) setTimeout(pump, 1);
    };
    setTimeout(pump, Math.max(0, t0 - performance.now()));
  });
  return { total_ms: last - t0, p50_ms: pct(lat, 50), p99_ms: pct(lat, 99), max_ms: pct(lat, 100), failures: fails,
    failed: Object.values(fails).reduce((a, b) => a + b, 0) };
}

const sqlText = (s) => `'${String(s).replace(/'/g, "''")}'`;

const srv = await startServer({ args: THREADS });
port = srv.port;
const work = join(tmpdir(), `hv-syncstart-${process.pid}`);
try {
  const args = storeArgs(srv.dataDir, srv.dbUri);
  const cur = await hocvuso(['import', 'curriculum', ...args, join(REPO_ROOT, 'content', 'curriculum')]);
  if (cur.code !== 0) throw new Error(cur.stderr);
  const admin = await srv.login('admin');
  const quiz = await req('POST', '/api/v1/quizzes', { ...admin, body: { title: 'Khởi động đồng loạt', category: 'KNS-CB/M06', question_count: 10, pass_percent: 70 } });
  if (quiz.status !== 201) throw new Error(quiz.text);
  const quizId = JSON.parse(quiz.text).id;

  // The learners and their sessions, in one transaction.
  const seedT0 = performance.now();
  const key = JSON.parse(readFileSync(join(srv.dataDir, 'secrets.json'), 'utf8')).session_key;
  const tokens = Array.from({ length: LEARNERS }, () => randomBytes(32).toString('base64url'));
  const py = `import sys, hashlib
k = bytes.fromhex(sys.argv[1])
for t in sys.stdin.read().split():
    b = t.encode()
    print(hashlib.blake2b(b, digest_size=32, key=k).hexdigest(), hashlib.blake2b(b"csrf\\0" + b, digest_size=32, key=k).hexdigest())`;
  const hashed = await run('python3', ['-c', py, key], { input: tokens.join('\n') + '\n', timeout: 120000 });
  if (hashed.code !== 0) throw new Error(hashed.stderr);
  const pairs = hashed.stdout.trim().split('\n').map((l) => l.split(' '));
  if (pairs.length !== LEARNERS) throw new Error(`python3 hashed ${pairs.length} tokens of ${LEARNERS}`);
  const now = Math.floor(Date.now() / 1000);
  const sql = ['BEGIN;',
    `INSERT INTO users (username, display_name, name_fold, password_hash, unit_id, created_at, updated_at)
     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${LEARNERS})
     SELECT 'hv.dong.' || i, 'Học viên đồng loạt ' || i, 'hoc vien dong loat ' || i,
            (SELECT password_hash FROM users WHERE username = 'hocvien'), (SELECT id FROM units WHERE code = 'HD-TDP01'), ${now}, ${now}
     FROM n;`,
    `INSERT INTO user_roles (user_id, role, unit_id, granted_at)
     SELECT id, 'learner', unit_id, ${now} FROM users WHERE username LIKE 'hv.dong.%';`];
  for (let i = 0; i < LEARNERS; i += 500) {
    const rows = [];
    for (let k = i; k < Math.min(LEARNERS, i + 500); k++) {
      rows.push(`(${sqlText(pairs[k][0])}, (SELECT id FROM users WHERE username = 'hv.dong.${k + 1}'), ${now}, ${now}, ${now + 12 * 3600}, '127.0.0.1', 'syncstart')`);
    }
    sql.push(`INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at, ip, user_agent) VALUES\n${rows.join(',\n')};`);
  }
  sql.push('COMMIT;');
  writeFileSync(`${work}.sql`, sql.join('\n'));
  const seeded = srv.dbUri
    ? await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-f', `${work}.sql`], { timeout: 300000 })
    : await run('sqlite3', ['-bail', '-cmd', '.timeout 20000', join(srv.dataDir, 'hocvuso.db'), `.read ${work}.sql`], { timeout: 300000 });
  if (seeded.code !== 0) throw new Error(`seeding failed: ${seeded.stderr}`);
  const learners = tokens.map((t, i) => ({ cookie: `hocvuso_session=${t}`, csrf: pairs[i][1] }));
  const seedMs = performance.now() - seedT0;
  // One seeded session used through the API, to be sure the seeding is what a log-in makes.
  const me = await req('GET', '/api/v1/me', learners[LEARNERS - 1]);
  if (me.status !== 200) throw new Error(`a seeded session is refused: ${me.status} ${me.text}`);

  // (a) hello with wrk: the server's reference.
  const lua = join(tmpdir(), `hv-syncstart-${process.pid}.lua`);
  writeFileSync(lua, 'wrk.method = "GET"\n');
  const { stdout: wtext } = await promisify(execFile)('wrk', ['-t2', '-c64', `-d${HELLO_S}s`, '--latency', '-s', lua, `http://127.0.0.1:${port}/api/v1/hello`]);
  rmSync(lua, { force: true });
  const helloRps = Number(/Requests\/sec:\s+([\d.]+)/.exec(wtext)[1]);

  // CONNS keep-alive connections, opened before the moment (and each used once).
  const pool = new Pool(CONNS);
  await pool.open();
  const helloReq = raw('GET', '/api/v1/hello');
  await Promise.all(Array.from({ length: CONNS }, () => pool.send(helloReq)));
  const sockets = pool.free.length;

  // (h) the same burst of hellos: this client's reference.
  const hello = await burst(LEARNERS, async () => {
    const r = await pool.send(helloReq);
    return { ok: r.status === 200, status: r.status };
  });
  // (s) the synchronised start (with perf on the server when PERF_OUT names a file).
  const startReqs = learners.map((l) => raw('POST', `/api/v1/quizzes/${quizId}/attempts`, l));
  const perf = process.env.PERF_OUT
    ? spawn('perf', ['record', ...(process.env.PERF_ARGS || '-g').split(' '), '-o', process.env.PERF_OUT, '-p', String(srv.proc.pid)], { stdio: 'ignore' }) : null;
  if (perf) await new Promise((r) => setTimeout(r, 500));
  const starts = await burst(LEARNERS, async (i) => {
    const r = await pool.send(startReqs[i]);
    if (r.status !== 201) return { ok: false, status: `${r.status} ${r.text.slice(0, 60)}` };
    let q = null;
    try {
      q = JSON.parse(r.text).questions;
    } catch {
      return { ok: false, status: '201 unreadable' };
    }
    return q && q.length === 10 ? { ok: true } : { ok: false, status: `201 with ${q ? q.length : 'no'} questions` };
  });
  if (perf) {
    perf.kill('SIGINT');
    await new Promise((r) => perf.on('exit', r));
  }
  pool.close();

  const out = { backend: srv.dbUri ? 'postgresql' : 'sqlite', learners: LEARNERS, conns: CONNS, sockets_open: sockets,
    spread_ms: SPREAD_MS, seed_ms: Math.round(seedMs), hello_wrk_rps: helloRps, hello_burst: hello, start: starts };
  console.error(JSON.stringify(out));
  const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  console.log('| backend | learners | connections | all served in | start p50 | start p99 | failed | hello burst: all served in | hello burst p99 | start / hello burst | hello (wrk) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  console.log(`| ${out.backend} | ${LEARNERS} | ${sockets} | ${f(starts.total_ms)} ms | ${f(starts.p50_ms)} ms | ${f(starts.p99_ms)} ms | ${starts.failed ? JSON.stringify(starts.failures) : 0} | ${f(hello.total_ms)} ms | ${f(hello.p99_ms)} ms | ${(starts.total_ms / hello.total_ms).toFixed(1)} | ${helloRps.toFixed(0)}/s |`);
} finally {
  rmSync(`${work}.sql`, { force: true });
  agent.destroy();
  await srv.stop();
}

// server.mjs: starts a real `hocvuso serve` (demo ward loaded) for one test file and talks to it.
// Owns: a fresh temp data dir per server (and a fresh PostgreSQL database when
// HOCVUSO_TEST_PG_DIR is set), the child process, and a minimal HTTP client; with
// HOCVUSO_TEST_TEMPLATE_DIR set (scripts/test.sh sets it per suite), a demo ward made once per
// binary, backend and password, that every server gets its own fresh copy of.
// Never: hard-codes ids or results; every expectation comes from the contract (docs/API.md).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readdirSync, statSync, readFileSync, writeFileSync, renameSync, mkdirSync, cpSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import http from 'node:http';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = process.env.HOCVUSO_BIN
  ? resolve(process.env.HOCVUSO_BIN)
  : join(REPO_ROOT, 'build', 'hocvuso');
export const PG_DIR = process.env.HOCVUSO_TEST_PG_DIR ? resolve(process.env.HOCVUSO_TEST_PG_DIR) : '';
export const ON_PG = PG_DIR !== '';
export const DEMO_PASSWORD = 'Demo-mat-khau-2026';

// The demo accounts that `hocvuso demo` loads, with their role and unit (by name, never by id).
export const ACCOUNTS = {
  admin: { role: 'ward_admin', unit: 'Phường Hải Dương' },
  vanhoa: { role: 'unit_officer', unit: 'Phòng Văn hóa - Xã hội' },
  tdp01: { role: 'unit_officer', unit: 'Tổ dân phố số 1' },
  tinhnguyen: { role: 'field_helper', unit: 'Tổ dân phố số 1' },
  congan: { role: 'police', unit: 'Công an phường Hải Dương' },
  giaovien: { role: 'teacher', unit: 'Trường THCS Trần Hưng Đạo' },
  hocvien: { role: 'learner', unit: 'Tổ dân phố số 1' },
};
export const WARD_NAME = 'Phường Hải Dương';
export const CITY_NAME = 'Thành phố Hải Phòng';

let dbCounter = 0;

// The environment of a child: the caller's, minus every HOCVUSO_* setting (a developer's
// HOCVUSO_DATABASE_URL or HOCVUSO_TRUSTED_PROXY must not leak into a test), plus `extra`.
export function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HOCVUSO_')) env[k] = v;
  return { ...env, ...extra };
}

function assertBinary() {
  if (!existsSync(BIN)) {
    throw new Error(`hocvuso binary not found at ${BIN}: build it (ninja -C build) or set HOCVUSO_BIN`);
  }
}

/** Runs a program; resolves {code, signal, stdout, stderr} (never rejects on a non-zero exit). */
export function run(cmd, args, { env = {}, input, timeout = 60000, cwd = tmpdir() } = {}) {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, {
      cwd,
      env: childEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`${cmd} ${args.join(' ')} timed out after ${timeout} ms\nstderr: ${stderr}`));
    }, timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the program may exit before reading its input
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Runs the hocvuso binary. */
export function hocvuso(args, opts = {}) {
  assertBinary();
  return run(BIN, args, opts);
}

/** Drops a database made by freshDatabase (best effort; the cluster is a throw-away one). */
export async function dropDatabase(uri, pgDir = PG_DIR) {
  if (!ON_PG || !uri) return;
  const name = /^postgres(?:ql)?:\/\/[^/]*\/([a-z0-9_]+)/.exec(uri)?.[1];
  if (!name || !name.startsWith('hv_')) return;
  const admin = await run('bash', [join(REPO_ROOT, 'tests', 'pg-server.sh'), 'uri', pgDir, 'postgres']);
  if (admin.code !== 0) return;
  const r = await run('psql', ['-X', '-q', admin.stdout.trim(), '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
  if (r.code !== 0) console.error(`note: could not drop the test database ${name}: ${r.stderr.trim()}`);
}

/**
 * The end of a test file's server: no 5xx ever appeared in its access log, it stops on SIGTERM
 * with exit status 0, and its data goes away.
 */
export async function finish(srv, assert) {
  if (!srv) return;
  const fivexx = srv.accessLog().filter((l) => statusOf(l) >= 500);
  const exit = await srv.stop();
  assert.deepEqual(fivexx, [], 'a 5xx answer appears in the access log');
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, `exit on SIGTERM; stderr tail:\n${srv.stderr.split('\n').slice(-80).join('\n')}`);
}

export function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/**
 * A fresh PostgreSQL database (when the suite runs on PostgreSQL): its URI, else null. pgDir: the
 * cluster (pg-server.sh DIR), by default the suite's shared one.
 */
export async function freshDatabase(tag = 'db', pgDir = PG_DIR) {
  if (!ON_PG) return null;
  const name = `hv_${tag}_${process.pid}_${++dbCounter}`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
  const r = await run('bash', [join(REPO_ROOT, 'tests', 'pg-server.sh'), 'createdb', pgDir, name], { timeout: 60000 });
  if (r.code !== 0) throw new Error(`pg-server.sh createdb ${name} failed (exit ${r.code}): ${r.stderr}`);
  const uri = r.stdout.trim().split('\n').pop().trim();
  if (!/^postgres(ql)?:\/\//.test(uri)) throw new Error(`pg-server.sh createdb printed no URI: ${r.stdout}`);
  return uri;
}

export function tempDir(tag = 'hv') {
  return mkdtempSync(join(tmpdir(), `hocvuso-${tag}-`));
}

/** The arguments that select the store: `--data DIR [--database URI]`. */
export function storeArgs(dataDir, dbUri) {
  return dbUri ? ['--data', dataDir, '--database', dbUri] : ['--data', dataDir];
}

/**
 * Starts a server with the demo ward loaded. Options:
 *   demo (default true): run `hocvuso demo` first; password: the demo password;
 *   env: extra environment for `serve`; args: extra `serve` arguments; pgDir: the PostgreSQL
 *   cluster to use (a suite that stops its cluster must not share the others' one).
 */
export async function startServer({ demo = true, password = DEMO_PASSWORD, env = {}, args = [], tag, pgDir = PG_DIR } = {}) {
  assertBinary();
  tag = tag || basename(process.argv[1] || 'suite').replace(/\.test\.mjs$/, '');
  const dataDir = tempDir(tag);
  const tpl = demo ? await demoTemplate(password, pgDir) : null;
  let dbUri = null;
  let demoOut = null;
  if (tpl) {
    // The demo ward, made once: this server's own copy of its database (and of its data directory,
    // but for secrets.json: the server makes fresh keys of its own, as after a real `hocvuso demo`).
    dbUri = tpl.db ? await cloneDatabase(tag, pgDir, tpl.db) : null;
    for (const f of readdirSync(tpl.dataDir)) {
      if (f !== 'secrets.json') cpSync(join(tpl.dataDir, f), join(dataDir, f), { recursive: true }); /* attachments/ too */
    }
    demoOut = tpl.demoOut;
  } else {
    dbUri = await freshDatabase(tag, pgDir);
    if (demo) demoOut = await runDemo(dataDir, dbUri, password);
  }
  const srv = new Server({ dataDir, dbUri, password, demoOut, pgDir });
  try {
    await srv.spawn({ env, args });
  } catch (e) {
    await srv.stop(); // removes the data directory (and the database)
    throw e;
  }
  return srv;
}

async function runDemo(dataDir, dbUri, password) {
  const out = await run(BIN, ['demo', ...storeArgs(dataDir, dbUri)], {
    env: { HOCVUSO_ADMIN_PASSWORD: password },
    timeout: 120000,
  });
  if (out.code !== 0) {
    throw new Error(`hocvuso demo failed (exit ${out.code})\nstdout: ${out.stdout}\nstderr: ${out.stderr}`);
  }
  return out;
}

// Demo templates (HOCVUSO_TEST_TEMPLATE_DIR): DIR/KEY/ready.json once `hocvuso demo` has run into
// DIR/KEY/data (and, on PostgreSQL, into database hv_tpl_KEY, which nobody connects to afterwards).
// KEY names the binary (path, size, mtime), the cluster and the password. The first process to
// take DIR/KEY.lock makes it; the others wait for ready.json. Answers null without the setting.
const templates = new Map();
function demoTemplate(password, pgDir) {
  const root = process.env.HOCVUSO_TEST_TEMPLATE_DIR;
  if (!root) return Promise.resolve(null);
  const st = statSync(BIN);
  const key = createHash('sha256')
    .update(JSON.stringify([BIN, st.size, st.mtimeMs, ON_PG ? resolve(pgDir) : '', password]))
    .digest('hex').slice(0, 16);
  if (!templates.has(key)) templates.set(key, makeTemplate(resolve(root), key, password, pgDir));
  return templates.get(key);
}

async function makeTemplate(root, key, password, pgDir) {
  const dir = join(root, key);
  const ready = join(dir, 'ready.json');
  const load = () => {
    const t = JSON.parse(readFileSync(ready, 'utf8'));
    return { ...t, dataDir: join(dir, 'data') };
  };
  if (existsSync(ready)) return load();
  mkdirSync(root, { recursive: true });
  try {
    mkdirSync(`${dir}.lock`);
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    // Another test process makes it: wait for it (a failed maker leaves no ready.json: run demo).
    for (const deadline = Date.now() + 180000; Date.now() < deadline; ) {
      if (existsSync(ready)) return load();
      if (existsSync(`${dir}.failed`)) return null;
      await sleep(50);
    }
    return null;
  }
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'data'), { recursive: true });
    let db = null;
    if (ON_PG) {
      const name = `hv_tpl_${key}`;
      const r = await run('bash', [join(REPO_ROOT, 'tests', 'pg-server.sh'), 'createdb', pgDir, name], { timeout: 60000 });
      if (r.code !== 0) throw new Error(`pg-server.sh createdb ${name} failed (exit ${r.code}): ${r.stderr}`);
      db = name;
    }
    const uri = db ? await adminUri(pgDir, db) : null;
    const demoOut = await runDemo(join(dir, 'data'), uri, password);
    writeFileSync(`${ready}.tmp`, JSON.stringify({ db, demoOut }));
    renameSync(`${ready}.tmp`, ready);
    return load();
  } catch (e) {
    writeFileSync(`${dir}.failed`, String(e && e.message));
    throw e;
  }
}

// The URI of database `name` of a cluster (pg-server.sh uri), cached per cluster.
const uriBase = new Map();
async function adminUri(pgDir, name) {
  if (!uriBase.has(pgDir)) {
    const r = await run('bash', [join(REPO_ROOT, 'tests', 'pg-server.sh'), 'uri', pgDir, 'postgres']);
    if (r.code !== 0) throw new Error(`pg-server.sh uri failed: ${r.stderr}`);
    uriBase.set(pgDir, r.stdout.trim());
  }
  const base = uriBase.get(pgDir);
  const m = /^(postgres(?:ql)?:\/\/[^/]*\/)postgres(\?.*)?$/.exec(base);
  if (!m) throw new Error(`unexpected URI from pg-server.sh: ${base}`);
  return `${m[1]}${name}${m[2] || ''}`;
}

// A fresh database copied from `template` (CREATE DATABASE … TEMPLATE): its URI.
async function cloneDatabase(tag, pgDir, template) {
  const name = `hv_${tag}_${process.pid}_${++dbCounter}`.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 63);
  const admin = await adminUri(pgDir, 'postgres');
  const r = await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', admin,
    '-c', 'SET client_min_messages = warning', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`,
    '-c', `CREATE DATABASE ${name} TEMPLATE ${template}`], { timeout: 60000 });
  if (r.code !== 0) throw new Error(`CREATE DATABASE ${name} TEMPLATE ${template} failed (exit ${r.code}): ${r.stderr}`);
  return adminUri(pgDir, name);
}

export class Server {
  constructor({ dataDir, dbUri, password, demoOut, pgDir = PG_DIR }) {
    this.pgDir = pgDir;
    this.dataDir = dataDir;
    this.dbUri = dbUri;
    this.password = password;
    this.demoOut = demoOut;
    this.stderr = '';
    this.stdout = '';
    this.proc = null;
    this.exit = null; // {code, signal} once exited
    this.ids = {}; // cache: unit name -> id, username -> user id
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async spawn({ env = {}, args = [] } = {}) {
    this.port = await freePort();
    const argv = ['serve', '--listen', `127.0.0.1:${this.port}`, ...storeArgs(this.dataDir, this.dbUri), ...args];
    const proc = spawn(BIN, argv, { cwd: tmpdir(), env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.exit = null;
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (d) => (this.stdout += d));
    // The log is kept whole for the tests (they look through it), but a benchmark's millions of
    // access-log lines would pass Node's longest string: past 64 MB the oldest half goes.
    proc.stderr.on('data', (d) => {
      this.stderr += d;
      if (this.stderr.length > 64 * 1024 * 1024) this.stderr = this.stderr.slice(-32 * 1024 * 1024);
    });
    this.exited = new Promise((res) => {
      proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        res(this.exit);
      });
    });
    proc.on('error', (e) => {
      this.exit = { code: -1, signal: null, error: e };
    });
    const deadline = Date.now() + 20000;
    let last = '';
    while (Date.now() < deadline) {
      if (this.exit) {
        throw new Error(`hocvuso serve exited early (${JSON.stringify(this.exit)}) before /healthz answered\nargs: ${argv.join(' ')}\nstderr:\n${this.stderr}`);
      }
      try {
        const r = await this.request('GET', '/healthz', { timeout: 2000 });
        if (r.status === 200) return;
        last = `status ${r.status}: ${r.text}`;
      } catch (e) {
        last = e.message;
      }
      await sleep(100);
    }
    proc.kill('SIGKILL');
    throw new Error(`hocvuso serve did not answer GET /healthz with 200 within 20 s (last: ${last})\nstderr:\n${this.stderr}`);
  }

  /** SIGTERM, then waits for the exit (SIGKILL after `timeout`). Returns {code, signal}. */
  async stop({ timeout = 15000, cleanup = true } = {}) {
    if (this.proc && !this.exit) {
      this.proc.kill('SIGTERM');
      // A timer that goes with the exit: a pending one would keep the test's process alive.
      let timer;
      const t = new Promise((res) => (timer = setTimeout(() => res('timeout'), timeout)));
      const r = await Promise.race([this.exited, t]);
      clearTimeout(timer);
      if (r === 'timeout') {
        this.proc.kill('SIGKILL');
        await this.exited;
        this.exit.timedOut = true;
      }
    }
    if (cleanup) {
      rmSync(this.dataDir, { recursive: true, force: true });
      await dropDatabase(this.dbUri, this.pgDir);
    }
    return this.exit;
  }

  /** The access log: every stderr line that parses as a JSON object. */
  logLines() {
    const out = [];
    for (const line of this.stderr.split('\n')) {
      const s = line.trim();
      if (!s.startsWith('{')) continue;
      try {
        out.push(JSON.parse(s));
      } catch {
        /* not JSON */
      }
    }
    return out;
  }

  /** Access-log entries: JSON lines that carry an HTTP status. */
  accessLog() {
    return this.logLines().filter((o) => statusOf(o) !== undefined);
  }

  /**
   * One HTTP request. opts: body (JSON-encoded), rawBody (string/Buffer, sent as is),
   * session ({cookie, csrf}) or cookie / csrf, headers, agent, timeout.
   * Answers {status, headers, body (Buffer, as received), text, json}.
   */
  request(method, path, opts = {}) {
    return httpRequest(this.port, method, path, opts);
  }

  /**
   * Logs in. An account made or reset by someone else must set its own password first
   * (must_change_password): unless `opts.forced` is true, this does it the way its owner
   * would, through PUT /api/v1/me/password, to a temporary password and back to `password`,
   * so that callers keep the password they know. tests/api/login.test.mjs tests the flow itself.
   * Throws unless 200. Answers {cookie, csrf, user, setCookie}.
   */
  async login(username, password = this.password, opts = {}) {
    const { forced = false, ...reqOpts } = opts;
    const r = await this.request('POST', '/api/v1/session', { body: { username, password }, ...reqOpts });
    if (r.status !== 200) {
      throw new Error(`log-in of ${username} failed: ${r.status} ${r.text}`);
    }
    const s = sessionOf(r);
    if (!forced && r.json.user && r.json.user.must_change_password) {
      const tmp = `${password}-tam-thoi-9`;
      for (const [current_password, new_password] of [[password, tmp], [tmp, password]]) {
        const c = await this.request('PUT', '/api/v1/me/password', { session: s, body: { current_password, new_password }, ...reqOpts });
        if (c.status !== 204) throw new Error(`forced password change of ${username} failed: ${c.status} ${c.text}`);
      }
      s.user = { ...s.user, must_change_password: false };
    }
    return s;
  }

  /** GET as a session; throws unless the status is 200. Answers the JSON. */
  async getJSON(session, path) {
    const r = await this.request('GET', path, { session });
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
    return r.json;
  }

  /** The id of the unit with exactly this name, found through GET /api/v1/units?q= (cached). */
  async unitId(session, name) {
    if (this.ids['unit:' + name]) return this.ids['unit:' + name];
    const unit = await this.findUnit(session, name);
    if (!unit) throw new Error(`unit "${name}" not found through GET /api/v1/units?q=`);
    this.ids['unit:' + name] = unit.id;
    return unit.id;
  }

  async findUnit(session, name) {
    const j = await this.getJSON(session, `/api/v1/units?q=${encodeURIComponent(name)}&per_page=200`);
    return j.items.find((u) => u.name === name) || null;
  }

  /** The id of a user by username, through GET /api/v1/users?q= as `session`. */
  async userId(session, username) {
    if (this.ids['user:' + username]) return this.ids['user:' + username];
    const j = await this.getJSON(session, `/api/v1/users?q=${encodeURIComponent(username)}&per_page=200`);
    const u = j.items.find((x) => x.username === username);
    if (!u) throw new Error(`user "${username}" not found through GET /api/v1/users?q=`);
    this.ids['user:' + username] = u.id;
    return u.id;
  }
}

export function sessionOf(r) {
  const sc = [].concat(r.headers['set-cookie'] || []);
  const line = sc.find((c) => c.startsWith('hocvuso_session='));
  if (!line) throw new Error(`no hocvuso_session cookie in ${JSON.stringify(sc)}`);
  const cookie = line.split(';')[0];
  return { cookie, csrf: r.json && r.json.csrf_token, user: r.json && r.json.user, setCookie: line };
}

export function statusOf(o) {
  for (const k of ['status', 'status_code', 'code']) {
    if (typeof o[k] === 'number' && o[k] >= 100 && o[k] < 600) return o[k];
  }
  return undefined;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function httpRequest(port, method, path, opts = {}) {
  const { body, rawBody, session, headers = {}, agent = false, timeout = 30000 } = opts;
  const cookie = opts.cookie !== undefined ? opts.cookie : session && session.cookie;
  const csrf = opts.csrf !== undefined ? opts.csrf : session && session.csrf;
  const h = {};
  let payload = null;
  if (rawBody !== undefined) {
    payload = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8');
    h['content-type'] = 'application/json';
  } else if (body !== undefined) {
    payload = Buffer.from(JSON.stringify(body), 'utf8');
    h['content-type'] = 'application/json';
  }
  if (payload) h['content-length'] = String(payload.length);
  if (cookie) h.cookie = cookie;
  if (csrf) h['x-csrf-token'] = csrf;
  for (const [k, v] of Object.entries(headers)) {
    if (v === null || v === undefined) delete h[k.toLowerCase()];
    else h[k.toLowerCase()] = v;
  }
  return new Promise((res, rej) => {
    let settled = false;
    let gotResponse = false;
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: h, agent }, (resp) => {
      gotResponse = true;
      const chunks = [];
      resp.on('data', (c) => chunks.push(c));
      resp.on('error', (e) => {
        if (!settled) {
          settled = true;
          rej(e);
        }
      });
      resp.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString('utf8');
        let json;
        if (/json/.test(resp.headers['content-type'] || '') && !resp.headers['content-encoding']) {
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
        }
        settled = true;
        res({ status: resp.statusCode, headers: resp.headers, body: buf, text, json, reusedSocket: req.reusedSocket, socket: req.socket });
      });
    });
    if (opts.onRequest) opts.onRequest(req);
    req.setTimeout(timeout, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeout} ms`)));
    req.on('error', (e) => {
      // A server may answer (e.g. 413) and close before the whole body went out: keep the answer.
      if (gotResponse || settled) return;
      setTimeout(() => {
        if (!settled && !gotResponse) {
          settled = true;
          rej(e);
        }
      }, 200);
    });
    if (payload) req.end(payload);
    else req.end();
  });
}

// The error codes of the contract (docs/API.md, "Codes:").
export const CONTRACT_CODES = (() => {
  const md = readFileSync(join(REPO_ROOT, 'docs', 'API.md'), 'utf8');
  const part = md.slice(md.indexOf('Codes:'), md.indexOf('- Undeclared'));
  return new Set([...part.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]));
})();

/** Asserts the error shape of the contract; answers the error object. */
export function expectError(assert, r, status, code, field) {
  const what = `answer ${r.status} ${r.text.slice(0, 300)}`;
  assert.equal(r.status, status, `expected status ${status}; ${what}`);
  assert.match(r.headers['content-type'] || '', /^application\/json/, `error must be JSON; ${what}`);
  assert.ok(r.json && typeof r.json.error === 'object' && r.json.error, `no error object; ${what}`);
  const e = r.json.error;
  assert.ok(CONTRACT_CODES.has(e.code), `error.code "${e.code}" is not one of the contract's codes; ${what}`);
  if (code !== undefined) assert.equal(e.code, code, `error.code; ${what}`);
  if (field !== undefined) assert.equal(e.field, field, `error.field; ${what}`);
  assert.ok('field' in e, `error.field must be present (null when none); ${what}`);
  assert.equal(typeof e.message, 'string', `error.message must be a string; ${what}`);
  assertVietnamese(assert, e.message, what);
  return e;
}

// Vietnamese-looking: non-empty and has at least one letter with a Vietnamese diacritic.
const VI_CHARS = /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i;
export function assertVietnamese(assert, msg, what = '') {
  assert.ok(typeof msg === 'string' && msg.trim().length > 0, `message must be non-empty; ${what}`);
  assert.match(msg, VI_CHARS, `message should be Vietnamese text: "${msg}"; ${what}`);
}

/** Lists every page of a list endpoint (per_page 200). */
export async function listAll(srv, session, path) {
  const items = [];
  const sep = path.includes('?') ? '&' : '?';
  if (path.startsWith('/api/v1/audit')) {
    // The audit log pages by keyset: follow `older` until there is none.
    let cursor = '';
    for (let n = 0; n < 1000; n++) {
      const j = await srv.getJSON(session, `${path}${sep}per_page=200${cursor}`);
      items.push(...j.items);
      if (!j.older) return { items, total: j.total ?? items.length };
      cursor = `&before=${j.older}`;
    }
    throw new Error(`too many pages for ${path}`);
  }
  for (let page = 1; page < 1000; page++) {
    const j = await srv.getJSON(session, `${path}${sep}page=${page}&per_page=200`);
    items.push(...j.items);
    if (items.length >= j.total || j.items.length === 0) return { items, total: j.total };
  }
  throw new Error(`too many pages for ${path}`);
}

/** Ids of a unit and all its descendants, walked through GET /api/v1/units?parent_id=. */
export async function subtreeIds(srv, session, rootId) {
  const ids = new Set([rootId]);
  const queue = [rootId];
  while (queue.length) {
    const id = queue.shift();
    const { items } = await listAll(srv, session, `/api/v1/units?parent_id=${id}`);
    for (const u of items) {
      if (!ids.has(u.id)) {
        ids.add(u.id);
        queue.push(u.id);
      }
    }
  }
  return ids;
}

/** Creates a user with one role through the API (as `session`); answers its session. */
export async function userWithRole(srv, session, { username, role, unitId, password = 'Mat-khau-phu-1' }) {
  const u = await srv.request('POST', '/api/v1/users', { session, body: { username, display_name: `Người dùng ${username}`, password } });
  if (u.status !== 201) throw new Error(`create ${username}: ${u.status} ${u.text}`);
  const g = await srv.request('POST', `/api/v1/users/${u.json.id}/roles`, { session, body: { role, unit_id: unitId } });
  if (g.status !== 201) throw new Error(`grant ${role} to ${username}: ${g.status} ${g.text}`);
  const s = await srv.login(username, password);
  return { ...s, userId: u.json.id, grantId: g.json.id };
}

/** The kind of Tổ dân phố số 1: a sensible kind for new units under the ward. */
export async function groupKind(srv, session) {
  const id = await srv.unitId(session, 'Tổ dân phố số 1');
  return (await srv.getJSON(session, `/api/v1/units/${id}`)).kind;
}

/** Capabilities of each role per GET /api/v1/meta. */
export async function roleCaps(srv, session) {
  const meta = await srv.getJSON(session, '/api/v1/meta');
  const m = {};
  for (const r of meta.roles) m[r.code] = new Set(r.capabilities);
  return m;
}

export function uniq(prefix = 'x') {
  return `${prefix}${Date.now().toString(36).slice(-4)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export function filesIn(dir) {
  try {
    return readdirSync(dir).map((f) => ({ name: f, path: join(dir, f), stat: statSync(join(dir, f)) }));
  } catch {
    return [];
  }
}


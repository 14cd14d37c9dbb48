// reaper.test.mjs: the header deadline never cuts a request that has arrived whole. While the only
// worker is parked on a database wait, complete requests wait in the kernel's buffer past
// --header-timeout: each is answered (2xx or 503), and a write is done exactly when it was answered 201.
// Owns: its server and the outside lock holder (sqlite3 with BEGIN IMMEDIATE on SQLite, psql with
// LOCK TABLE units on PostgreSQL). Never: times anything for performance; the clocks here are
// generous deadlines that only keep a broken build from hanging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer, groupKind, WARD_NAME, ON_PG, sleep, uniq, statusOf } from './lib/server.mjs';

/** Opens a raw socket; resolves it once connected. */
function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Collects what comes back on `s` until the server closes or `wait` ms pass: {closed, status, raw}. */
function collect(s, wait) {
  return new Promise((resolve) => {
    let raw = Buffer.alloc(0);
    let done = false;
    const finishUp = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(raw.toString('latin1'));
      resolve({ closed, status: m ? Number(m[1]) : undefined, raw: raw.toString('utf8') });
    };
    const timer = setTimeout(() => finishUp(false), wait);
    s.on('data', (d) => (raw = Buffer.concat([raw, d])));
    s.on('error', () => finishUp(true));
    s.on('close', () => finishUp(true));
  });
}

function rawRequest(method, path, session, body) {
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), 'utf8');
  const head = [`${method} ${path} HTTP/1.1`, 'Host: x', 'Connection: close'];
  if (session) head.push(`Cookie: ${session.cookie}`, `X-CSRF-Token: ${session.csrf}`);
  if (body !== undefined) head.push('Content-Type: application/json', `Content-Length: ${payload.length}`);
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), payload]);
}

/** Another process takes the database's write lock; resolves a function that releases it. */
async function holdWriteLock(srv) {
  const holder = ON_PG
    ? spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', srv.dbUri], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn('sqlite3', [join(srv.dataDir, 'hocvuso.db')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  holder.stdout.on('data', (d) => (out += d));
  holder.stderr.on('data', (d) => (out += d));
  const exited = new Promise((res) => holder.on('close', res));
  holder.stdin.write(
    ON_PG ? "BEGIN;\nLOCK TABLE units IN EXCLUSIVE MODE;\nSELECT 'locked';\n" : ".timeout 5000\nBEGIN IMMEDIATE;\nSELECT 'locked';\n",
  );
  const until = Date.now() + 10000;
  while (!out.includes('locked') && Date.now() < until) await sleep(20);
  assert.ok(out.includes('locked'), `the lock holder did not start: ${out}`);
  return async () => {
    holder.stdin.end(ON_PG ? 'COMMIT;\n\\q\n' : 'COMMIT;\n.quit\n');
    await exited;
  };
}

/** The open HTTP connections per GET /metrics (this request's own included). */
async function openConnections(srv) {
  const r = await srv.request('GET', '/metrics');
  assert.equal(r.status, 200, r.text);
  return Number(/^hocvuso_http_connections (\d+)$/m.exec(r.text)[1]);
}

test('complete requests held up behind a database wait outlive the header deadline: all answered, a write done only when answered', { timeout: 120000 }, async () => {
  // One worker: every connection waits for it. Header deadline 2 s; a writer may wait 6 s.
  const srv = await startServer({ args: ['--threads', '1', '--header-timeout', '2', '--db-wait-ms', '6000', '--timeout', '30'] });
  let release = null;
  try {
    const admin = await srv.login('admin');
    const wardId = await srv.unitId(admin, WARD_NAME);
    const kind = await groupKind(srv, admin);
    release = await holdWriteLock(srv);

    // The connections are accepted (their header deadlines run) while the worker is free.
    const N = 9;
    const sockets = [];
    for (let i = 0; i < N; i++) sockets.push(await connect(srv.port));
    const until = Date.now() + 10000;
    while ((await openConnections(srv)) < N + 1 && Date.now() < until) await sleep(20);
    const answers = sockets.map((s) => collect(s, 60000));

    // The first write parks the worker on the lock; the others arrive whole behind it.
    const names = [];
    const sent = [];
    for (let i = 0; i < N; i++) {
      if (i >= 7) {
        sent.push({ what: 'GET /api/v1/hello' });
        sockets[i].write(rawRequest('GET', '/api/v1/hello'));
      } else {
        const name = uniq(`Tổ chờ khóa ${i} `);
        names.push(name);
        sent.push({ what: `POST /api/v1/units (${name})`, name });
        sockets[i].write(rawRequest('POST', '/api/v1/units', admin, { parent_id: wardId, kind, name }));
      }
      if (i === 0) await sleep(300);
    }
    // Held for more than two header deadlines.
    await sleep(5000);
    await release();
    release = null;
    const got = await Promise.all(answers);

    for (let i = 0; i < N; i++) {
      assert.ok(got[i].status !== undefined, `${sent[i].what}: cut without an answer (closed: ${got[i].closed})`);
      if (sent[i].name) assert.ok(got[i].status === 201 || got[i].status === 503, `${sent[i].what}: ${got[i].raw}`);
      else assert.equal(got[i].status, 200, `${sent[i].what}: ${got[i].raw}`);
    }
    // A unit exists exactly when its create was answered 201.
    for (let i = 0; i < N; i++) {
      if (!sent[i].name) continue;
      const unit = await srv.findUnit(admin, sent[i].name);
      assert.equal(Boolean(unit), got[i].status === 201, `${sent[i].what} answered ${got[i].status}; the unit ${unit ? 'exists' : 'does not exist'}`);
    }
    assert.doesNotMatch(srv.stderr, /socket is no longer available/, 'an answer was lost');
    const fivexx = srv.accessLog().filter((l) => statusOf(l) >= 500 && statusOf(l) !== 503);
    assert.deepEqual(fivexx, [], 'no 5xx other than 503');
  } finally {
    if (release) await release();
    const exit = await srv.stop();
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
  }
});

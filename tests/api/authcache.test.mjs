// The per-process session cache (src/domain/authcache.c) stays true: a change to who may do what,
// made through one app server, holds on every app server at once (PostgreSQL: two `hocvuso serve`
// processes on one database, kept true by LISTEN/NOTIFY; SQLite: two processes on one file, kept
// true by the notifications table that stands in for it, which also carries a change made by
// `hocvuso user` from the command line).
// Owns: its servers (a second one shares the first one's database and data directory).
// Never: times anything for performance; waits longer than NOTIFY_WAIT_MS for a change to show.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Server, expectError, finish, run, sleep, ON_PG, hocvuso, storeArgs } from './lib/server.mjs';

// NOTIFY is asynchronous: the listener of server 1 sees a commit of server 2 a moment later.
const NOTIFY_WAIT_MS = 2000;

let s1, s2, admin1, admin2, tdpId, wardId;

/** Requests `path` as `session` on `srv` until the status is `want` (at most NOTIFY_WAIT_MS). */
async function until(srv, session, path, want) {
  const deadline = Date.now() + NOTIFY_WAIT_MS;
  let r;
  for (;;) {
    r = await srv.request('GET', path, { session });
    if (r.status === want || Date.now() >= deadline) return r;
    await sleep(25);
  }
}

/** Logs in as a new user holding `role` on `unitId` (made through server `via`), and warms its
 * session on `srv` (the second read is answered from the cache). */
async function newUser(via, viaAdmin, srv, role, unitId) {
  const username = `cache.${role}.${Math.random().toString(36).slice(2, 8)}`;
  const password = 'Mat-khau-dem-1';
  const c = await via.request('POST', '/api/v1/users', {
    session: viaAdmin,
    body: { username, display_name: 'Người Dùng Đệm', password, unit_id: unitId },
  });
  assert.equal(c.status, 201, c.text);
  const g = await via.request('POST', `/api/v1/users/${c.json.id}/roles`, { session: viaAdmin, body: { role, unit_id: unitId } });
  assert.equal(g.status, 201, g.text);
  const session = await srv.login(username, password);
  for (let i = 0; i < 2; i++) assert.equal((await srv.request('GET', `/api/v1/units/${unitId}`, { session })).status, 200);
  return { id: c.json.id, grantId: g.json.id, username, password, session };
}

before(async () => {
  s1 = await startServer();
  admin1 = await s1.login('admin');
  tdpId = await s1.unitId(admin1, 'Tổ dân phố số 1');
  wardId = (await s1.getJSON(admin1, `/api/v1/units/${tdpId}`)).parent_id;
  // Server 2: the same database (and data directory, for its secrets: one deployment).
  s2 = new Server({ dataDir: s1.dataDir, dbUri: s1.dbUri, password: s1.password });
  await s2.spawn();
  admin2 = await s2.login('admin');
});
after(async () => {
  if (s2) {
    const exit = await s2.stop({ cleanup: false });
    assert.equal(exit.code, 0, `server 2 exit ${JSON.stringify(exit)}\n${s2.stderr}`);
  }
  await finish(s1, assert);
});

describe('one server', () => {
  test('disabling an account ends its sessions at once, also while they are cached', async () => {
    const u = await newUser(s1, admin1, s1, 'unit_officer', tdpId);
    const r = await s1.request('PATCH', `/api/v1/users/${u.id}`, { session: admin1, body: { disabled: true } });
    assert.equal(r.status, 200, r.text);
    expectError(assert, await s1.request('GET', `/api/v1/units/${tdpId}`, { session: u.session }), 401, 'unauthenticated');
    expectError(assert, await s1.request('GET', '/api/v1/me', { session: u.session }), 401, 'unauthenticated');
  });

  test('a revoked grant, a reset password and a log-out take effect on the next request', async () => {
    const u = await newUser(s1, admin1, s1, 'unit_officer', tdpId);
    let r = await s1.request('DELETE', `/api/v1/users/${u.id}/roles/${u.grantId}`, { session: admin1 });
    assert.equal(r.status, 204, r.text);
    expectError(assert, await s1.request('GET', `/api/v1/units/${tdpId}`, { session: u.session }), 403, 'forbidden');
    r = await s1.request('POST', `/api/v1/users/${u.id}/roles`, { session: admin1, body: { role: 'unit_officer', unit_id: tdpId } });
    assert.equal(r.status, 201, r.text);
    assert.equal((await s1.request('GET', `/api/v1/units/${tdpId}`, { session: u.session })).status, 200);
    const other = await s1.login(u.username, u.password);
    r = await s1.request('DELETE', '/api/v1/session', { session: other });
    assert.ok(r.status === 200 || r.status === 204, r.text);
    expectError(assert, await s1.request('GET', '/api/v1/me', { session: other }), 401, 'unauthenticated');
    assert.equal((await s1.request('GET', '/api/v1/me', { session: u.session })).status, 200);
    r = await s1.request('PUT', `/api/v1/users/${u.id}/password`, { session: admin1, body: { new_password: 'Mat-khau-moi-22' } });
    assert.ok(r.status === 200 || r.status === 204, r.text);
    expectError(assert, await s1.request('GET', '/api/v1/me', { session: u.session }), 401, 'unauthenticated');
  });
});

describe('a change made by another process', () => {
  test('`hocvuso user revoke`, `grant` and `passwd` from the command line hold on the running server', async () => {
    const u = await newUser(s1, admin1, s1, 'unit_officer', tdpId);
    const args = storeArgs(s1.dataDir, s1.dbUri);
    let r = await hocvuso(['user', 'revoke', u.username, 'unit_officer', 'HD-TDP01', ...args]);
    assert.equal(r.code, 0, r.stderr);
    expectError(assert, await until(s1, u.session, `/api/v1/units/${tdpId}`, 403), 403, 'forbidden');
    r = await hocvuso(['user', 'grant', u.username, 'unit_officer', 'HD-TDP01', ...args]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await until(s1, u.session, `/api/v1/units/${tdpId}`, 200)).status, 200);
    r = await hocvuso(['user', 'passwd', u.username, '--password-stdin', ...args], { input: 'Mat-khau-moi-44\n' });
    assert.equal(r.code, 0, r.stderr);
    expectError(assert, await until(s1, u.session, '/api/v1/me', 401), 401, 'unauthenticated');
  });
});

describe('two servers on one database', () => {
  test('an account disabled through server 2 is refused by server 1 (401)', async () => {
    const u = await newUser(s2, admin2, s1, 'unit_officer', tdpId);
    const t0 = Date.now();
    const r = await s2.request('PATCH', `/api/v1/users/${u.id}`, { session: admin2, body: { disabled: true } });
    assert.equal(r.status, 200, r.text);
    const seen = await until(s1, u.session, `/api/v1/units/${tdpId}`, 401);
    expectError(assert, seen, 401, 'unauthenticated');
    assert.ok(Date.now() - t0 <= NOTIFY_WAIT_MS + 1000, `seen after ${Date.now() - t0} ms`);
    expectError(assert, await s1.request('GET', '/api/v1/me', { session: u.session }), 401, 'unauthenticated');
  });

  test('a grant revoked or given through server 2 holds on server 1', async () => {
    const u = await newUser(s2, admin2, s1, 'unit_officer', tdpId);
    let r = await s2.request('DELETE', `/api/v1/users/${u.id}/roles/${u.grantId}`, { session: admin2 });
    assert.equal(r.status, 204, r.text);
    expectError(assert, await until(s1, u.session, `/api/v1/units/${tdpId}`, 403), 403, 'forbidden');
    // A wider grant: the ward becomes readable on server 1.
    expectError(assert, await s1.request('GET', `/api/v1/units/${wardId}`, { session: u.session }), 403, 'forbidden');
    r = await s2.request('POST', `/api/v1/users/${u.id}/roles`, { session: admin2, body: { role: 'unit_officer', unit_id: wardId } });
    assert.equal(r.status, 201, r.text);
    assert.equal((await until(s1, u.session, `/api/v1/units/${wardId}`, 200)).status, 200);
  });

  test('a password reset and a log-out through server 2 end the sessions on server 1', async () => {
    const u = await newUser(s2, admin2, s1, 'unit_officer', tdpId);
    // The cookie of a session works on every server: log it out through server 2.
    const other = await s1.login(u.username, u.password);
    assert.equal((await s1.request('GET', '/api/v1/me', { session: other })).status, 200);
    let r = await s2.request('DELETE', '/api/v1/session', { session: other });
    assert.ok(r.status === 200 || r.status === 204, r.text);
    expectError(assert, await until(s1, other, '/api/v1/me', 401), 401, 'unauthenticated');
    assert.equal((await s1.request('GET', '/api/v1/me', { session: u.session })).status, 200);
    r = await s2.request('PUT', `/api/v1/users/${u.id}/password`, { session: admin2, body: { new_password: 'Mat-khau-moi-33' } });
    assert.ok(r.status === 200 || r.status === 204, r.text);
    expectError(assert, await until(s1, u.session, '/api/v1/me', 401), 401, 'unauthenticated');
  });

  test('when the listener loses its connection, the cache is dropped (a change it missed is seen)', { skip: !ON_PG && 'PostgreSQL only (HOCVUSO_TEST_PG_DIR)' }, async () => {
    const u = await newUser(s2, admin2, s1, 'unit_officer', tdpId);
    // End every listener's connection, then change the account behind the servers' backs (no
    // notification): the cache that could not hear about it must not answer for it.
    const kill = await run('psql', ['-X', '-q', '-At', s1.dbUri, '-c',
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database()" +
      " AND pid <> pg_backend_pid() AND (query LIKE 'LISTEN %' OR query = 'SELECT 1')"]);
    assert.equal(kill.code, 0, kill.stderr);
    assert.ok(Number(kill.stdout.trim()) >= 2, `listeners ended: ${kill.stdout}`); // one per server
    const upd = await run('psql', ['-X', '-q', s1.dbUri, '-c', `UPDATE users SET disabled = 1 WHERE id = ${u.id}`]);
    assert.equal(upd.code, 0, upd.stderr);
    expectError(assert, await until(s1, u.session, '/api/v1/me', 401), 401, 'unauthenticated');
    // The listener comes back (the servers keep answering meanwhile).
    assert.equal((await s1.request('GET', '/api/v1/me', { session: admin1 })).status, 200);
    await sleep(1500);
    assert.match(s1.stderr, /listening for changes again|lost the connection/);
  });
});

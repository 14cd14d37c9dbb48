// login.test.mjs: log-in throttling that nobody can turn into a lock-out, a class behind one NAT,
// the forced password change, field errors at once, password strength, the refusal counter,
// and "last seen" written off the request path.
// Owns: its own servers (started with --trusted-proxy 127.0.0.1, so that X-Forwarded-For
// stands for the caller's address).
// Never: times anything; every expectation is a status, a field or a record.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  startServer, finish, expectError, hocvuso, storeArgs, run, filesIn, ON_PG, childEnv, sleep,
} from './lib/server.mjs';

const A = '198.51.100.7';
const B = '203.0.113.9';
const from = (ip) => ({ headers: { 'x-forwarded-for': ip } });

function login(srv, username, password, ip) {
  return srv.request('POST', '/api/v1/session', { body: { username, password }, ...(ip ? from(ip) : {}) });
}

async function metric(srv, name) {
  const r = await srv.request('GET', '/metrics');
  assert.equal(r.status, 200);
  let total = 0;
  for (const line of r.text.split('\n')) if (line.startsWith(name)) total += Number(line.split(' ').pop());
  return { total, text: r.text };
}

/** Runs SQL on the server's database (sqlite3 or psql); answers stdout. */
async function sql(srv, text) {
  let r;
  if (srv.dbUri) {
    r = await run('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-c', text]);
  } else {
    const db = filesIn(srv.dataDir).find((f) => f.stat.isFile() && readFileSync(f.path).subarray(0, 15).toString('latin1') === 'SQLite format 3');
    assert.ok(db, 'an SQLite database in the data directory');
    r = await run('sqlite3', ['-cmd', '.timeout 20000', db.path, text]);
  }
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

describe('nobody can lock an account', () => {
  let srv;
  before(async () => {
    srv = await startServer({ tag: 'login-lock', args: ['--trusted-proxy', '127.0.0.1'] });
  });
  after(async () => finish(srv, assert));

  test('10 wrong passwords for admin from A: A is refused (429 + Retry-After), the owner from B gets in at once', async () => {
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(srv, 'admin', `sai-mat-khau-${i}`, A)).status);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(statuses.slice(5).every((s) => s === 429), `attempts 6-10 refused: ${statuses}`);
    const fromB = await login(srv, 'admin', srv.password, B);
    assert.equal(fromB.status, 200, fromB.text);
    assert.equal(fromB.json.user.username, 'admin');
    const fromA = await login(srv, 'admin', srv.password, A);
    expectError(assert, fromA, 429, 'rate_limited');
    assert.match(fromA.headers['retry-after'] || '', /^[1-9]\d*$/);
    // IPv6: another address of the same /64 is the same address for the throttle.
    for (let i = 0; i < 5; i++) assert.equal((await login(srv, 'vanhoa', `sai-${i}-mat-khau`, '2001:db8:5:6::1')).status, 401);
    expectError(assert, await login(srv, 'vanhoa', srv.password, '2001:db8:5:6:abcd::99'), 429, 'rate_limited');
    assert.equal((await login(srv, 'vanhoa', srv.password, '2001:db8:5:7::1')).status, 200);
  });

  test('refused attempts are counted in /metrics, which promtool accepts', async () => {
    const before = (await metric(srv, 'hocvuso_login_refused_total')).total;
    expectError(assert, await login(srv, 'admin', 'sai-nua-roi-1', A), 429, 'rate_limited');
    const { total, text } = await metric(srv, 'hocvuso_login_refused_total');
    assert.equal(total, before + 1);
    const p = spawn('promtool', ['check', 'metrics'], { env: childEnv() });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.stdin.end(text);
    const code = await new Promise((res) => p.on('close', res));
    assert.equal(code, 0, out);
  });

  test('failed log-ins of unknown user names are recorded with the typed name and no unit', async () => {
    const name = 'khong-ton-tai-123';
    assert.equal((await login(srv, name, 'sai-mat-khau-x', B)).status, 401);
    const row = await sql(srv, `SELECT action || '|' || coalesce(unit_id, 0) || '|' || detail FROM audit_log WHERE action = 'session.login_failed' AND detail LIKE '%${name}%'`);
    assert.match(row, /^session\.login_failed\|0\|/);
    assert.equal(JSON.parse(row.split('|').slice(2).join('|')).username, name);
  });

  test('a wrong current password on PUT /me/password counts as a failed log-in: audited, then 429', async () => {
    const s = await srv.login('tdp01', srv.password, from(B));
    const codes = [];
    for (let i = 0; i < 6; i++) {
      const r = await srv.request('PUT', '/api/v1/me/password', { session: s, body: { current_password: `sai-mat-khau-${i}`, new_password: 'Mot-mat-khau-moi-7' }, ...from(B) });
      codes.push(r.status === 400 ? r.json.error.field : r.status);
    }
    assert.deepEqual(codes.slice(0, 5), Array(5).fill('current_password'));
    assert.equal(codes[5], 429);
    const n = await sql(srv, "SELECT count(*) FROM audit_log WHERE action = 'user.password_change_failed'");
    assert.equal(Number(n), 5);
    // The right password from this address is refused too now; nothing changed.
    expectError(assert, await srv.request('PUT', '/api/v1/me/password', { session: s, body: { current_password: srv.password, new_password: 'Mot-mat-khau-moi-7' }, ...from(B) }), 429, 'rate_limited');
    assert.equal((await login(srv, 'tdp01', srv.password, A)).status, 200);
  });
});

describe('a class behind one NAT', () => {
  let srv;
  const N = 40;
  const PW = 'Lop-hoc-so-9a!';
  before(async () => {
    srv = await startServer({ tag: 'login-nat', args: ['--trusted-proxy', '127.0.0.1'] });
    for (let i = 0; i < N; i++) {
      const name = `hs${String(i).padStart(2, '0')}`;
      const add = await hocvuso(['user', 'add', name, '--name', `Học sinh ${i}`, '--unit', 'HD-TDP01', '--password-stdin', ...storeArgs(srv.dataDir, srv.dbUri)], { input: PW + '\n' });
      assert.equal(add.code, 0, add.stderr);
      const g = await hocvuso(['user', 'grant', name, 'ward_admin', 'HD-TDP01', ...storeArgs(srv.dataDir, srv.dbUri)]);
      assert.equal(g.code, 0, g.stderr);
    }
  });
  after(async () => finish(srv, assert));

  test('40 accounts log in together from one address: all 200; then each writes 8 times: all 200', async () => {
    const nat = '192.0.2.44';
    const names = Array.from({ length: N }, (_, i) => `hs${String(i).padStart(2, '0')}`);
    const answers = await Promise.all(names.map((n) => login(srv, n, PW, nat)));
    assert.deepEqual(answers.map((r) => r.status), Array(N).fill(200), answers.map((r) => r.text).filter((t) => !t.includes('"user"')).join('\n'));
    assert.ok(answers.every((r) => r.json.user.must_change_password === false), 'CLI accounts with --password-stdin are not forced');
    const sessions = answers.map((r) => {
      const cookie = [].concat(r.headers['set-cookie'])[0].split(';')[0];
      return { cookie, csrf: r.json.csrf_token };
    });
    const me = await srv.getJSON(sessions[0], '/api/v1/me');
    const unit = me.roles[0].unit_id;
    const writes = [];
    for (let k = 0; k < 8; k++) {
      for (const [i, s] of sessions.entries()) {
        writes.push(srv.request('PATCH', `/api/v1/units/${unit}`, { session: s, body: { name: `Tổ dân phố số 1 (${i}-${k})` }, ...from(nat) }));
      }
    }
    const done = await Promise.all(writes);
    const bad = done.filter((r) => r.status !== 200);
    assert.equal(bad.length, 0, `${bad.length} of ${done.length} writes refused: ${bad.slice(0, 3).map((r) => `${r.status} ${r.text}`).join('\n')}`);
  });
});

describe('forced password change', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer({ tag: 'login-forced' });
    admin = await srv.login('admin');
  });
  after(async () => finish(srv, assert));

  test('an account created through the API must set its own password before anything else', async () => {
    const created = await srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'moi.tao', display_name: 'Người Mới Tạo', password: 'Mat-khau-tam-1' } });
    assert.equal(created.status, 201, created.text);
    const s = await srv.login('moi.tao', 'Mat-khau-tam-1', { forced: true });
    assert.equal(s.user.must_change_password, true);
    const me = await srv.getJSON(s, '/api/v1/me');
    assert.equal(me.must_change_password, true);
    expectError(assert, await srv.request('GET', '/api/v1/meta', { session: s }), 403, 'password_change_required');
    expectError(assert, await srv.request('GET', '/api/v1/units', { session: s }), 403, 'password_change_required');
    // A weak new password is refused, with a Vietnamese message.
    expectError(assert, await srv.request('PUT', '/api/v1/me/password', { session: s, body: { current_password: 'Mat-khau-tam-1', new_password: 'matkhau123' } }), 400, 'weak_password', 'new_password');
    const ch = await srv.request('PUT', '/api/v1/me/password', { session: s, body: { current_password: 'Mat-khau-tam-1', new_password: 'Cua-rieng-toi-8' } });
    assert.equal(ch.status, 204, ch.text);
    assert.equal((await srv.getJSON(s, '/api/v1/me')).must_change_password, false);
    assert.equal((await srv.request('GET', '/api/v1/meta', { session: s })).status, 200);
    // Log-out stays possible while forced, and the demo accounts are not forced.
    assert.equal((await srv.getJSON(admin, '/api/v1/me')).must_change_password, false);
  });

  test('a reset by someone else forces a change; log-out works meanwhile', async () => {
    const u = await srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'bi.dat.lai', display_name: 'Bị Đặt Lại', password: 'Mat-khau-tam-2' } });
    assert.equal(u.status, 201, u.text);
    await srv.login('bi.dat.lai', 'Mat-khau-tam-2'); // clears the first forced change
    const reset = await srv.request('PUT', `/api/v1/users/${u.json.id}/password`, { session: admin, body: { new_password: 'Mat-khau-tam-3' } });
    assert.equal(reset.status, 204, reset.text);
    const s = await srv.login('bi.dat.lai', 'Mat-khau-tam-3', { forced: true });
    assert.equal(s.user.must_change_password, true);
    assert.equal((await srv.request('DELETE', '/api/v1/session', { session: s })).status, 204);
  });

  test('CLI: --password-stdin is not forced, --temporary is', async () => {
    for (const [name, extra, want] of [['cli.thuong', [], false], ['cli.tam', ['--temporary'], true]]) {
      const add = await hocvuso(['user', 'add', name, '--name', 'Qua Dòng Lệnh', '--password-stdin', ...extra, ...storeArgs(srv.dataDir, srv.dbUri)], { input: 'Dong-lenh-99x\n' });
      assert.equal(add.code, 0, add.stderr);
      const s = await srv.login(name, 'Dong-lenh-99x', { forced: true });
      assert.equal(s.user.must_change_password, want, name);
    }
  });

  test('every field error comes back at once, beside its field', async () => {
    const r = await srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'AB', display_name: 'X', password: '123456789' } });
    const e = expectError(assert, r, 400, undefined, 'username');
    assert.ok(Array.isArray(e.errors), r.text);
    assert.deepEqual(e.errors.map((x) => x.field), ['username', 'display_name', 'password']);
    for (const x of e.errors) assert.match(x.message, /[ăâđêôơưàáạảãèéẹẻẽìíịỉĩòóọỏõùúụủũỳýỵỷỹ]/i);
    // One field wrong: no list needed, the single error as before.
    const one = await srv.request('POST', '/api/v1/users', { session: admin, body: { username: 'hop.le', display_name: 'Hợp Lệ', password: 'anhyeuem' } });
    const e1 = expectError(assert, one, 400, 'weak_password', 'password');
    assert.equal(e1.errors, undefined);
  });
});

describe('last seen, off the request path', () => {
  let srv;
  before(async () => {
    srv = await startServer({ tag: 'login-seen' });
  });
  after(async () => finish(srv, assert));

  test('a read with a stale last_seen answers while another holds the write lock; last_seen is written later', async () => {
    const s = await srv.login('hocvien');
    await sql(srv, 'UPDATE sessions SET last_seen = last_seen - 3600');
    const stale = Number(await sql(srv, 'SELECT max(last_seen) FROM sessions'));
    // Hold the database's write lock from outside for 4 seconds.
    let holder;
    if (ON_PG) {
      holder = spawn('psql', ['-X', '-q', srv.dbUri, '-c', 'BEGIN; LOCK TABLE sessions IN EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;'], { env: childEnv() });
    } else {
      const db = filesIn(srv.dataDir).find((f) => f.stat.isFile() && readFileSync(f.path).subarray(0, 15).toString('latin1') === 'SQLite format 3');
      holder = spawn('sqlite3', [db.path], { env: childEnv() });
      holder.stdin.end('BEGIN IMMEDIATE;\n.shell sleep 4\nCOMMIT;\n');
    }
    let holderDone = false;
    const exited = new Promise((res) => holder.on('close', () => {
      holderDone = true;
      res();
    }));
    await sleep(500); // the lock is taken
    const r = await srv.request('GET', '/api/v1/me', { session: s });
    assert.equal(r.status, 200, r.text);
    assert.equal(holderDone, false, 'the read waited for the write lock');
    await exited;
    // Written by the background flush within a few seconds.
    let seen = stale;
    for (let i = 0; i < 40 && seen <= stale; i++) {
      await sleep(250);
      seen = Number(await sql(srv, 'SELECT max(last_seen) FROM sessions'));
    }
    assert.ok(seen > stale + 3000, `last_seen written: ${stale} → ${seen}`);
  });
});

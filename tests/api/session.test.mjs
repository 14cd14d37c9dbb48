// Session: log-in, cookie, /me, log-out, forged cookies, log-in limits, password change.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectError, roleCaps, ACCOUNTS, WARD_NAME, sessionOf, finish } from './lib/server.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  await finish(srv, assert);
});

test('log-in sets a HttpOnly, SameSite=Lax, Path=/ session cookie (no Secure over plain HTTP) and answers the csrf token', async () => {
  const r = await srv.request('POST', '/api/v1/session', { body: { username: 'admin', password: srv.password } });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['content-type'], /^application\/json/);
  const s = sessionOf(r);
  const attrs = s.setCookie.split(';').map((a) => a.trim());
  const lower = attrs.map((a) => a.toLowerCase());
  assert.ok(s.cookie.length > 'hocvuso_session='.length + 15, `session value looks too short: ${s.cookie}`);
  assert.ok(lower.includes('httponly'), `HttpOnly missing: ${s.setCookie}`);
  assert.ok(lower.includes('samesite=lax'), `SameSite=Lax missing: ${s.setCookie}`);
  assert.ok(lower.includes('path=/'), `Path=/ missing: ${s.setCookie}`);
  assert.ok(!lower.includes('secure'), `Secure must not be set over plain HTTP: ${s.setCookie}`);
  assert.equal(typeof r.json.csrf_token, 'string');
  assert.ok(r.json.csrf_token.length >= 16, 'csrf token too short');
  assert.equal(r.json.user.username, 'admin');
  // The token is not the session cookie's value.
  assert.notEqual(r.json.csrf_token, s.cookie.split('=')[1]);
});

test('each log-in gets its own session and csrf token', async () => {
  const a = await srv.login('vanhoa');
  const b = await srv.login('vanhoa');
  assert.notEqual(a.cookie, b.cookie);
  assert.notEqual(a.csrf, b.csrf);
});

test('/me shows the roles, their units and the capabilities of every demo account', async () => {
  const admin = await srv.login('admin');
  const caps = await roleCaps(srv, admin);
  for (const [username, acc] of Object.entries(ACCOUNTS)) {
    const s = await srv.login(username);
    const r = await srv.request('GET', '/api/v1/me', { session: s });
    assert.equal(r.status, 200, r.text);
    const me = r.json;
    assert.equal(me.username, username);
    assert.equal(typeof me.id, 'number');
    assert.equal(typeof me.display_name, 'string');
    assert.ok(me.display_name.length > 0);
    assert.equal(me.csrf_token, s.csrf, 'GET /me answers the csrf token of this session');
    assert.equal(me.roles.length, 1, `${username} has one role: ${JSON.stringify(me.roles)}`);
    const role = me.roles[0];
    assert.equal(role.role, acc.role);
    assert.equal(role.unit_name, acc.unit);
    assert.equal(typeof role.unit_id, 'number');
    assert.equal(typeof role.id, 'number');
    assert.equal(typeof role.role_label, 'string');
    assert.ok(role.role_label.length > 0);
    assert.deepEqual([...me.capabilities].sort(), [...caps[acc.role]].sort(), `capabilities of ${username}`);
    // The log-in answer carries the same <me>.
    assert.equal(s.user.username, username);
    assert.deepEqual(s.user.roles, me.roles);
  }
  // The sanity of the role model itself.
  assert.ok(caps.ward_admin.has('units.write') && caps.ward_admin.has('users.write') && caps.ward_admin.has('audit.read'));
  assert.ok(caps.learner.has('learn'));
  assert.ok(!caps.learner.has('units.read') && !caps.learner.has('audit.read') && !caps.learner.has('users.read'));
  const me = await srv.getJSON(admin, '/api/v1/me');
  assert.equal(me.roles[0].unit_name, WARD_NAME);
});

test('wrong password → 401 invalid_credentials, no cookie', async () => {
  const r = await srv.request('POST', '/api/v1/session', { body: { username: 'vanhoa', password: 'khong-dung-123' } });
  expectError(assert, r, 401, 'invalid_credentials');
  assert.ok(![].concat(r.headers['set-cookie'] || []).some((c) => /^hocvuso_session=[^;]+/.test(c) && !/max-age=0|expires=thu, 01 jan 1970/i.test(c)));
});

test('an unknown user gets the same 401 invalid_credentials as a wrong password', async () => {
  const r = await srv.request('POST', '/api/v1/session', { body: { username: 'khongtontai', password: 'khong-dung-123' } });
  expectError(assert, r, 401, 'invalid_credentials');
});

test('log-in validates its body', async () => {
  expectError(assert, await srv.request('POST', '/api/v1/session', { body: { username: 'admin' } }), 400, 'missing_field', 'password');
  expectError(assert, await srv.request('POST', '/api/v1/session', { body: { username: 'admin', password: 12345678 } }), 400, 'wrong_type', 'password');
  expectError(assert, await srv.request('POST', '/api/v1/session', { body: { username: 'admin', password: srv.password, remember: true } }), 400, 'unknown_field', 'remember');
});

test('/me without a session → 401 unauthenticated', async () => {
  expectError(assert, await srv.request('GET', '/api/v1/me'), 401, 'unauthenticated');
  expectError(assert, await srv.request('GET', '/api/v1/meta'), 401, 'unauthenticated');
  expectError(assert, await srv.request('GET', '/api/v1/units'), 401, 'unauthenticated');
});

test('log-out answers 204, clears the cookie, and the session is gone', async () => {
  const s = await srv.login('congan');
  assert.equal((await srv.request('GET', '/api/v1/me', { session: s })).status, 200);
  const r = await srv.request('DELETE', '/api/v1/session', { session: s });
  assert.equal(r.status, 204, r.text);
  assert.equal(r.body.length, 0);
  const sc = [].concat(r.headers['set-cookie'] || []).find((c) => c.startsWith('hocvuso_session='));
  assert.ok(sc, 'log-out must clear the cookie');
  assert.match(sc, /max-age=0|expires=[^;]*19(70|69)/i, `cookie not cleared: ${sc}`);
  expectError(assert, await srv.request('GET', '/api/v1/me', { session: s }), 401, 'unauthenticated');
  // Logging out again with the dead session is refused too.
  const again = await srv.request('DELETE', '/api/v1/session', { session: s });
  assert.equal(again.status, 401, again.text);
});

test('log-out needs the csrf token', async () => {
  const s = await srv.login('congan');
  expectError(assert, await srv.request('DELETE', '/api/v1/session', { cookie: s.cookie }), 403, 'csrf_failed');
  assert.equal((await srv.request('GET', '/api/v1/me', { session: s })).status, 200, 'the session survives a refused log-out');
});

test('forged, garbage and expired-looking cookies → 401', async () => {
  const s = await srv.login('giaovien');
  const value = s.cookie.slice('hocvuso_session='.length);
  const flip = (ch) => (ch === 'A' ? 'B' : 'A');
  const forged = [
    value.slice(0, -1) + flip(value.slice(-1)),
    flip(value[0]) + value.slice(1),
    value.slice(0, Math.floor(value.length / 2)),
    value + 'A',
    'x'.repeat(value.length),
    '0'.repeat(64),
    '',
    'garbage;;==%%%',
    'A'.repeat(4000),
    Buffer.from('{"user":1,"exp":1}').toString('base64'),
  ];
  for (const v of forged) {
    const r = await srv.request('GET', '/api/v1/me', { cookie: `hocvuso_session=${v}`, csrf: s.csrf });
    expectError(assert, r, 401, 'unauthenticated');
  }
  // A cookie of a session that was logged out (expired-looking: valid shape, no longer known).
  const dead = await srv.login('giaovien');
  assert.equal((await srv.request('DELETE', '/api/v1/session', { session: dead })).status, 204);
  expectError(assert, await srv.request('GET', '/api/v1/me', { session: dead }), 401, 'unauthenticated');
  // Another cookie name does not count.
  expectError(assert, await srv.request('GET', '/api/v1/me', { cookie: `session=${value}` }), 401, 'unauthenticated');
  // The real one still works.
  assert.equal((await srv.request('GET', '/api/v1/me', { session: s })).status, 200);
});

test('5 wrong passwords for an account → 429 rate_limited with Retry-After; then even the right password is refused', async () => {
  for (let i = 1; i <= 5; i++) {
    const r = await srv.request('POST', '/api/v1/session', { body: { username: 'tinhnguyen', password: `sai-mat-khau-${i}` } });
    expectError(assert, r, 401, 'invalid_credentials');
  }
  const limited = await srv.request('POST', '/api/v1/session', { body: { username: 'tinhnguyen', password: 'sai-mat-khau-6' } });
  expectError(assert, limited, 429, 'rate_limited');
  const ra = limited.headers['retry-after'];
  assert.ok(ra !== undefined, 'Retry-After header missing');
  assert.match(ra, /^\d+$/, `Retry-After must be delta-seconds: ${ra}`);
  const right = await srv.request('POST', '/api/v1/session', { body: { username: 'tinhnguyen', password: srv.password } });
  expectError(assert, right, 429, 'rate_limited');
  assert.ok(right.headers['retry-after']);
  assert.ok(![].concat(right.headers['set-cookie'] || []).some((c) => /^hocvuso_session=[^;]+;/.test(c) && !/max-age=0/i.test(c)));
  // Other accounts are not affected.
  await srv.login('hocvien');
  // The failures are "within 15 minutes": the wait cannot be longer than that.
  assert.ok(Number(ra) > 0 && Number(ra) <= 15 * 60, `Retry-After within 15 minutes: ${ra}`);
});

describe('password change', () => {
  test('wrong current password → 4xx naming current_password, nothing changes', async () => {
    const s = await srv.login('vanhoa');
    const r = await srv.request('PUT', '/api/v1/me/password', {
      session: s,
      body: { current_password: 'khong-phai-mat-khau', new_password: 'mat-khau-moi-1' },
    });
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    expectError(assert, r, r.status, undefined, 'current_password');
    await srv.login('vanhoa'); // old password still works
    assert.equal((await srv.request('GET', '/api/v1/me', { session: s })).status, 200);
  });

  test('short new password → 400 invalid_value naming new_password', async () => {
    const s = await srv.login('vanhoa');
    const r = await srv.request('PUT', '/api/v1/me/password', {
      session: s,
      body: { current_password: srv.password, new_password: 'ngan7ch' },
    });
    expectError(assert, r, 400, 'invalid_value', 'new_password');
    await srv.login('vanhoa');
  });

  test('missing fields, unknown fields and missing csrf are refused', async () => {
    const s = await srv.login('vanhoa');
    expectError(assert, await srv.request('PUT', '/api/v1/me/password', { session: s, body: { current_password: srv.password } }), 400, 'missing_field', 'new_password');
    expectError(assert, await srv.request('PUT', '/api/v1/me/password', { session: s, body: { current_password: srv.password, new_password: 'mat-khau-moi-1', x: 1 } }), 400, 'unknown_field', 'x');
    expectError(assert, await srv.request('PUT', '/api/v1/me/password', { cookie: s.cookie, body: { current_password: srv.password, new_password: 'mat-khau-moi-1' } }), 403, 'csrf_failed');
    expectError(assert, await srv.request('PUT', '/api/v1/me/password', { body: { current_password: srv.password, new_password: 'mat-khau-moi-1' } }), 401, 'unauthenticated');
    await srv.login('vanhoa');
  });

  test('success → 204; old password fails, new works; the other session ends, this one stays', async () => {
    const mine = await srv.login('giaovien');
    const other = await srv.login('giaovien');
    const bystander = await srv.login('congan');
    const newPw = 'Mat-khau-moi-2026';
    const r = await srv.request('PUT', '/api/v1/me/password', {
      session: mine,
      body: { current_password: srv.password, new_password: newPw },
    });
    assert.equal(r.status, 204, r.text);
    expectError(assert, await srv.request('GET', '/api/v1/me', { session: other }), 401, 'unauthenticated');
    assert.equal((await srv.request('GET', '/api/v1/me', { session: mine })).status, 200, 'the caller keeps its session');
    assert.equal((await srv.request('GET', '/api/v1/me', { session: bystander })).status, 200, 'other users keep theirs');
    const old = await srv.request('POST', '/api/v1/session', { body: { username: 'giaovien', password: srv.password } });
    expectError(assert, old, 401, 'invalid_credentials');
    const fresh = await srv.login('giaovien', newPw);
    assert.equal(fresh.user.username, 'giaovien');
  });
});

test('the password never appears in the server log', async () => {
  await srv.login('admin');
  assert.ok(srv.stderr.length > 0, 'the server writes an access log to stderr');
  assert.ok(!srv.stderr.includes(srv.password), 'a password appears in the server log');
  assert.ok(!srv.stderr.includes('Mat-khau-moi-2026'));
});

describe('log-in limit per address', () => {
  let fresh;
  before(async () => {
    fresh = await startServer({ tag: 'session-addr' });
  });
  after(async () => {
    await finish(fresh, assert);
  });

  // A school behind one NAT must get through (tests/api/login.test.mjs): the limit per address
  // is 100 failures in 15 minutes (no (account, address) pair reaching its own 5).
  test('100 failures from one address (no pair reaching 5) → 429 for every account, even with the right password', async () => {
    for (let i = 0; i < 100; i++) {
      const username = `khong-co-${i % 25}`;
      const r = await fresh.request('POST', '/api/v1/session', { body: { username, password: `sai-${i}-mat-khau` } });
      expectError(assert, r, 401, 'invalid_credentials');
    }
    const r = await fresh.request('POST', '/api/v1/session', { body: { username: 'admin', password: fresh.password } });
    expectError(assert, r, 429, 'rate_limited');
    assert.match(r.headers['retry-after'] || '', /^\d+$/);
  });
});

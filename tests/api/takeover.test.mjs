// takeover.test.mjs: the take-over by grant (issue 6, §1), as its own regression test.
// The chain that worked before: an administrator of one tổ dân phố grants the ward admin a
// `learner` role on its own tổ, which puts the ward admin "in scope"; then it resets the ward
// admin's password, logs in as the ward admin, or disables the account. A write on an account
// now needs the account's home unit and EVERY one of its grants inside the caller's scope.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectError, finish, userWithRole } from './lib/server.mjs';

let srv, admin, tdpId, teamId, qt;

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdpId = await srv.unitId(admin, 'Tổ dân phố số 1');
  teamId = await srv.unitId(admin, 'Tổ công nghệ số cộng đồng, tổ dân phố số 1');
  // The ward admin makes an administrator of Tổ dân phố số 1 (users.write on that subtree only).
  qt = await userWithRole(srv, admin, { username: 'qt.tdp.mot', role: 'ward_admin', unitId: tdpId });
});
after(async () => {
  await finish(srv, assert);
});

async function adminState() {
  return srv.getJSON(admin, `/api/v1/users/${admin.user.id}`);
}

test('step 1: the tổ admin cannot give the ward admin a grant on its tổ', async () => {
  const before = await adminState();
  const r = await srv.request('POST', `/api/v1/users/${admin.user.id}/roles`, {
    session: qt,
    body: { role: 'learner', unit_id: tdpId },
  });
  expectError(assert, r, 403, 'forbidden', 'id');
  assert.deepEqual(await adminState(), before, 'the ward admin gained no role');
});

test('step 2: even with a grant on the tổ, the ward admin stays out of the tổ admin\'s reach', async () => {
  // The state the attacker wanted: the ward admin holds a grant inside the tổ (it gives it to
  // itself, which it may: it holds every capability of `learner` there).
  const g = await srv.request('POST', `/api/v1/users/${admin.user.id}/roles`, { session: admin, body: { role: 'learner', unit_id: tdpId } });
  assert.equal(g.status, 201, g.text);
  const before = await adminState();
  assert.equal(before.roles.length, 2);

  // Visible now (a grant lies in the tổ), but only the roles inside the reader's scope show.
  const seen = await srv.getJSON(qt, `/api/v1/users/${admin.user.id}`);
  assert.deepEqual(seen.roles.map((x) => [x.role, x.unit_id]), [['learner', tdpId]]);

  // Every write on the account is refused.
  for (const [method, path, body] of [
    ['PUT', `/api/v1/users/${admin.user.id}/password`, { new_password: 'Mat-khau-chiem-quyen-1' }],
    ['PATCH', `/api/v1/users/${admin.user.id}`, { disabled: true }],
    ['PATCH', `/api/v1/users/${admin.user.id}`, { display_name: 'Bị chiếm quyền' }],
    ['POST', `/api/v1/users/${admin.user.id}/roles`, { role: 'learner', unit_id: teamId }],
    ['DELETE', `/api/v1/users/${admin.user.id}/roles/${g.json.id}`, undefined],
  ]) {
    const r = await srv.request(method, path, { session: qt, body });
    expectError(assert, r, 403, 'forbidden', 'id');
  }
  assert.deepEqual(await adminState(), before, 'the ward admin\'s account is unchanged');

  // The ward admin's password and sessions survived: the old session works, and so does a log-in.
  assert.equal((await srv.request('GET', '/api/v1/me', { session: admin })).status, 200);
  const again = await srv.login('admin');
  assert.equal(again.user.id, admin.user.id);
  expectError(assert, await srv.request('POST', '/api/v1/session', { body: { username: 'admin', password: 'Mat-khau-chiem-quyen-1' } }), 401, 'invalid_credentials');
});

test('the tổ admin still manages the accounts that lie wholly in its tổ', async () => {
  const hvId = await srv.userId(admin, 'hocvien');
  const r = await srv.request('PATCH', `/api/v1/users/${hvId}`, { session: qt, body: { display_name: 'Vũ Thị Lan' } });
  assert.equal(r.status, 200, r.text);
  const reset = await srv.request('PUT', `/api/v1/users/${hvId}/password`, { session: qt, body: { new_password: 'Mat-khau-moi-cua-lan-1' } });
  assert.equal(reset.status, 204, reset.text);
  await srv.login('hocvien', 'Mat-khau-moi-cua-lan-1');
});

// review-fixes.test.mjs: what a hostile review of issue 6 found, each as a regression test.
// - Concurrent moves of units never leave the tree inconsistent (a cycle, or a path that disagrees
//   with its parent): on PostgreSQL, READ COMMITTED let two moves each read the tree before the
//   other's change; the tree's changes now take one lock.
// - A new password set by a reset, or by its owner, must not be made of the account's own names.
// - Entries of the audit log without a unit are for the ward admins of the instance, not for an
//   admin of one tổ dân phố.
// Never: hard-codes ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, finish, uniq, groupKind, WARD_NAME, userWithRole, expectError, ON_PG, sleep } from './lib/server.mjs';

let srv;
let admin;
let wardId;
let kind;

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  wardId = await srv.unitId(admin, WARD_NAME);
  kind = await groupKind(srv, admin);
});
after(async () => finish(srv, assert));

async function makeUnit(parentId, k, name) {
  const r = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: parentId, kind: k, name } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

// Every unit of the subtree agrees with its parent: its ancestors end with its parent.
async function assertConsistent(ids) {
  for (const id of ids) {
    const u = await srv.getJSON(admin, `/api/v1/units/${id}`);
    const last = u.ancestors[u.ancestors.length - 1];
    assert.equal(last.id, u.parent_id, `unit ${id}: parent ${u.parent_id}, ancestors ${JSON.stringify(u.ancestors)}`);
    assert.ok(!u.ancestors.some((a) => a.id === u.id), `unit ${id} is its own ancestor`);
  }
}

test('two units moved under each other at the same moment: one move wins, the tree stays a tree', async () => {
  for (let round = 0; round < 8; round++) {
    const x = await makeUnit(wardId, 'team', `Tổ X ${uniq()}`);
    const y = await makeUnit(wardId, 'team', `Tổ Y ${uniq()}`);
    const [a, b] = await Promise.all([
      srv.request('POST', `/api/v1/units/${x}/move`, { session: admin, body: { parent_id: y } }),
      srv.request('POST', `/api/v1/units/${y}/move`, { session: admin, body: { parent_id: x } }),
    ]);
    assert.ok(a.status < 500 && b.status < 500, `${a.status} ${a.text} / ${b.status} ${b.text}`);
    assert.ok(!(a.status === 200 && b.status === 200), `round ${round}: both moves succeeded (a cycle)`);
    await assertConsistent([x, y]);
  }
});

// PostgreSQL: make the interleaving certain. Another session holds both units' rows, so each move
// reads the tree and then waits to write it; without the tree lock both read the tree as it was
// before the other move, and both go through (a cycle). With it, the second move reads the tree
// only after the first committed, and is refused.
test('PostgreSQL: two moves that read the tree while its rows are held cannot both go through', { skip: !ON_PG && 'PostgreSQL row locks' }, async () => {
  const x = await makeUnit(wardId, 'team', `Tổ X khóa ${uniq()}`);
  const y = await makeUnit(wardId, 'team', `Tổ Y khóa ${uniq()}`);
  const holder = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', srv.dbUri], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  holder.stdout.on('data', (d) => (out += d));
  holder.stderr.on('data', (d) => (out += d));
  holder.stdin.write(`BEGIN;\nSELECT id FROM units WHERE id IN (${x}, ${y}) FOR UPDATE;\nSELECT 'held' AS state;\n`);
  const until = Date.now() + 10000;
  while (!out.includes('held') && Date.now() < until) await sleep(20);
  assert.ok(out.includes('held'), `the row holder did not start: ${out}`);
  const moves = Promise.all([
    srv.request('POST', `/api/v1/units/${x}/move`, { session: admin, body: { parent_id: y } }),
    srv.request('POST', `/api/v1/units/${y}/move`, { session: admin, body: { parent_id: x } }),
  ]);
  await sleep(1000); // both moves have read what they read, and wait
  holder.stdin.end('COMMIT;\n');
  const [a, b] = await moves;
  assert.ok(a.status < 500 && b.status < 500, `${a.status} ${a.text} / ${b.status} ${b.text}`);
  assert.ok(!(a.status === 200 && b.status === 200), 'both moves went through: a cycle');
  await assertConsistent([x, y]);
});

test('a subtree moved while a child is created under it: every path agrees with its parent', async () => {
  for (let round = 0; round < 6; round++) {
    const p = await makeUnit(wardId, 'team', `Tổ P ${uniq()}`);
    const d = await makeUnit(wardId, 'team', `Tổ D ${uniq()}`);
    const [mv, mk] = await Promise.all([
      srv.request('POST', `/api/v1/units/${p}/move`, { session: admin, body: { parent_id: d } }),
      srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: p, kind: 'team', name: `Tổ con ${uniq()}` } }),
    ]);
    assert.equal(mv.status, 200, mv.text);
    assert.equal(mk.status, 201, mk.text);
    await assertConsistent([p, d, mk.json.id]);
  }
});

test('a reset or an own change to a password made of the account\'s names is refused', async () => {
  const username = uniq('tennguoi').slice(0, 20);
  const tdp = await srv.unitId(admin, 'Tổ dân phố số 1');
  const u = await userWithRole(srv, admin, { username, role: 'learner', unitId: tdp });
  const weak = `${username}.${username}`;
  const reset = await srv.request('PUT', `/api/v1/users/${u.userId}/password`, { session: admin, body: { new_password: weak } });
  assert.equal(reset.status, 400, reset.text);
  assert.equal(reset.json.error.field, 'new_password');
  const own = await srv.request('PUT', '/api/v1/me/password', {
    session: u,
    body: { current_password: 'Mat-khau-phu-1', new_password: weak },
  });
  assert.equal(own.status, 400, own.text);
  assert.equal(own.json.error.field, 'new_password');
  // A strong password that has nothing to do with the names still goes through.
  const ok = await srv.request('PUT', `/api/v1/users/${u.userId}/password`, { session: admin, body: { new_password: 'Cau-vong-Hai-Duong-71' } });
  assert.equal(ok.status, 204, ok.text);
});

test('entries without a unit are for the ward admins, not for the admin of one tổ dân phố', async () => {
  const typed = uniq('khong-ai-co-ten-nay');
  const r = await srv.request('POST', '/api/v1/session', { body: { username: typed, password: 'sai-mat-khau-1' } });
  expectError(assert, r, 401, 'invalid_credentials');
  const tdp = await srv.unitId(admin, 'Tổ dân phố số 1');
  const tdpAdmin = await userWithRole(srv, admin, { username: uniq('qtto').slice(0, 20), role: 'ward_admin', unitId: tdp });
  const seenBy = async (s) => {
    const a = await srv.getJSON(s, `/api/v1/audit?action=session.login_failed&per_page=200`);
    return a.items.some((e) => e.detail && e.detail.username === typed);
  };
  assert.equal(await seenBy(admin), true, 'the ward admin sees a failed log-in for an unknown name');
  assert.equal(await seenBy(tdpAdmin), false, 'an admin of one tổ dân phố does not');
});

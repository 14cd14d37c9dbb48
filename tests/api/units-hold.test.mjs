// units-hold.test.mjs: a unit that the registry still needs is not deleted, and the answer says
// why in the registry's words (people registered, deleted records in their retention period);
// once nothing holds it, it goes. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic units and people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError, groupKind, WARD_NAME } from './lib/server.mjs';

let srv, admin, wardId, kind;
before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  wardId = await srv.unitId(admin, WARD_NAME);
  kind = await groupKind(srv, admin);
});
after(async () => finish(srv, assert));

test('people, then deleted records, keep a unit; the answer names them', async () => {
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind, name: uniq('Tổ giữ ') } });
  assert.equal(u.status, 201, u.text);
  const p = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: 'Hoàng Thị Giữ', unit_id: u.json.id } });
  assert.equal(p.status, 201, p.text);
  const live = expectError(assert, await srv.request('DELETE', `/api/v1/units/${u.json.id}`, { session: admin }), 409, 'conflict', 'id');
  assert.match(live.message, /người dân đăng ký/);
  assert.equal((await srv.request('DELETE', `/api/v1/residents/${p.json.id}`, { session: admin })).status, 204);
  const kept = expectError(assert, await srv.request('DELETE', `/api/v1/units/${u.json.id}`, { session: admin }), 409, 'conflict', 'id');
  assert.match(kept.message, /thời hạn lưu giữ/);
  // Nothing was written by the refusals: the unit is still there, and no unit.delete entry.
  assert.equal((await srv.request('GET', `/api/v1/units/${u.json.id}`, { session: admin })).status, 200);
  const audit = await srv.getJSON(admin, `/api/v1/audit?action=unit.delete&entity=unit&entity_id=${u.json.id}`);
  assert.equal(audit.items.length, 0);
  // An empty unit goes.
  const empty = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: wardId, kind, name: uniq('Tổ trống ') } });
  assert.equal((await srv.request('DELETE', `/api/v1/units/${empty.json.id}`, { session: admin })).status, 204);
});

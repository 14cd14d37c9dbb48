// helpreq.test.mjs: help requests (yêu cầu hỗ trợ) over real HTTP (issue 9, part 11): a resident asks
// through the public form (no account; the answer is the request's number alone), staff enter one
// taken by phone; the request goes to the team of its tổ dân phố; a member takes it (another is told
// it is taken), closes it with the visit that recorded its outcome (a visit of another tổ or from
// before the request is refused); officers count open requests by tổ; the team's report counts the
// closed one; a helper sees and acts in their own tổ only; the public form is rate-limited per address.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic requests, households and visits it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError } from './lib/server.mjs';

let srv, admin, tdp01, helper;
let tdp1, tdp2, team1, hh1, hh2, person1;
const tag = uniq('y').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
let publicId, phoneId;

function isoDay(offsetDays = 0) {
  // Vietnam's date (UTC+7), as the server dates visits.
  return new Date(Date.now() + 7 * 3600000 + offsetDays * 86400000).toISOString().slice(0, 10);
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  helper = await srv.login('tinhnguyen');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  team1 = (await srv.getJSON(admin, `/api/v1/field/teams?unit_id=${tdp1}`)).items[0].id;
  const h = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: tdp1, address: `Số 4 ngõ Yêu Cầu ${tag}` } });
  hh1 = h.json.id;
  const h2 = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: tdp2, address: `Số 6 ngõ Khác ${tag}` } });
  hh2 = h2.json.id;
  person1 = (await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `Bùi Thị Mẹ ${tag}`, unit_id: tdp1, household_id: hh1, birth_date: '1950' } })).json.id;
});
after(async () => finish(srv, assert));

test('the public form: the tổ to choose from, a request with nothing but its number in the answer', async () => {
  const units = (await srv.request('GET', '/api/v1/help-requests/units')).json.items;
  assert.ok(units.some((u) => u.id === tdp1 && u.name === 'Tổ dân phố số 1'));
  assert.ok(units.every((u) => /^Tổ dân phố/.test(u.name)), 'tổ dân phố only');
  const r = await srv.request('POST', '/api/v1/help-requests/public', {
    body: { unit_id: tdp1, relation: 'relative', requester_name: `Bùi Văn Con ${tag}`, phone: '0912 345 678', resident_name: `Bùi Thị Mẹ ${tag}`, address: `Số 4 ngõ Yêu Cầu ${tag}`, topic: 'vneid', description: 'Nhờ kích hoạt VNeID mức 2 cho mẹ tôi.' },
  });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ['id', 'message']);
  publicId = r.json.id;
  const got = await srv.getJSON(helper, `/api/v1/help-requests/${publicId}`);
  assert.equal(got.unit_id, tdp1);
  assert.equal(got.channel, 'web');
  assert.equal(got.phone, '0912345678');
  assert.equal(got.topic, 'vneid');
  assert.equal(got.status, 'open');
  assert.equal(got.created_by, null);
  assert.equal(got.overdue, false);
  assert.ok(Date.parse(got.due_at) - Date.parse(got.created_at) === 3 * 86400000);
  // Bad input names its field; nothing is answered about anyone.
  expectError(assert, await srv.request('POST', '/api/v1/help-requests/public', { body: { unit_id: tdp1, requester_name: 'Ai Đó', description: 'Giúp tôi' } }), 400, 'invalid_value', 'phone');
});

test('staff enter a request taken by phone for their tổ; not for another tổ; an officer without field.write may not', async () => {
  const r = await srv.request('POST', '/api/v1/help-requests', {
    session: helper, body: { unit_id: tdp1, channel: 'phone', requester_name: `Đinh Văn Gọi ${tag}`, phone: '0987654321', topic: 'cashless', description: 'Cài ứng dụng ngân hàng để bán hàng bằng mã QR.' },
  });
  assert.equal(r.status, 201, r.text);
  phoneId = r.json.id;
  assert.equal(r.json.created_by, 'Lê Minh Châu');
  assert.equal(r.json.channel_label, 'Qua điện thoại');
  expectError(assert, await srv.request('POST', '/api/v1/help-requests', { session: helper, body: { unit_id: tdp2, requester_name: 'Ai Đó', description: 'x' } }), 403, 'forbidden', 'unit_id');
  expectError(assert, await srv.request('POST', '/api/v1/help-requests', { session: tdp01, body: { unit_id: tdp1, requester_name: 'Ai Đó', description: 'x' } }), 403, 'forbidden');
  expectError(assert, await srv.request('POST', '/api/v1/help-requests', { session: helper, body: { unit_id: tdp1, channel: 'web', requester_name: 'Ai Đó', description: 'x' } }), 400, 'invalid_value', 'channel');
  expectError(assert, await srv.request('POST', '/api/v1/help-requests', { session: helper, body: { unit_id: tdp1, requester_name: 'Ai Đó', description: 'x', topic: 'bay' } }), 400, 'invalid_value', 'topic');
  // One in tổ 2, entered by the admin: out of the helper's sight.
  const other = await srv.request('POST', '/api/v1/help-requests', { session: admin, body: { unit_id: tdp2, channel: 'desk', relation: 'desk', requester_name: `Hồ Thị Quầy ${tag}`, description: 'Hướng dẫn nộp hồ sơ trực tuyến.' } });
  assert.equal(other.status, 201, other.text);
  expectError(assert, await srv.request('GET', `/api/v1/help-requests/${other.json.id}`, { session: helper }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('POST', `/api/v1/help-requests/${other.json.id}/take`, { session: helper }), 403, 'forbidden', 'id');
  const mine = await srv.getJSON(helper, '/api/v1/help-requests?status=open');
  assert.ok(mine.items.every((x) => x.unit_id === tdp1));
  assert.deepEqual(mine.items.map((x) => x.id).sort(), [publicId, phoneId].sort());
});

test('a member takes a request, another is told it is taken; it is closed with the visit that recorded its outcome', async () => {
  const t = await srv.request('POST', `/api/v1/help-requests/${publicId}/take`, { session: helper });
  assert.equal(t.status, 200, t.text);
  assert.equal(t.json.status, 'taken');
  assert.equal(t.json.taken_by, 'Lê Minh Châu');
  assert.equal((await srv.request('POST', `/api/v1/help-requests/${publicId}/take`, { session: helper })).status, 200, 'taking one\'s own again changes nothing');
  expectError(assert, await srv.request('POST', `/api/v1/help-requests/${publicId}/take`, { session: admin }), 409, 'conflict', 'id');
  // A visit of another tổ, or one from before the request, does not close it.
  const vOut = await srv.request('POST', `/api/v1/households/${hh2}/visits`, { session: admin, body: { topics: ['vneid'] } });
  expectError(assert, await srv.request('POST', `/api/v1/help-requests/${publicId}/done`, { session: helper, body: { visit_id: vOut.json.id } }), 400, 'invalid_value', 'visit_id');
  const vOld = await srv.request('POST', `/api/v1/households/${hh1}/visits`, { session: helper, body: { visited_on: isoDay(-5), topics: ['vneid'] } });
  expectError(assert, await srv.request('POST', `/api/v1/help-requests/${publicId}/done`, { session: helper, body: { visit_id: vOld.json.id } }), 400, 'invalid_value', 'visit_id');
  const v = await srv.request('POST', `/api/v1/households/${hh1}/visits`, { session: helper, body: { topics: ['vneid'], present: [{ person_id: person1, outcomes: ['vneid_level2'] }] } });
  assert.equal(v.status, 201, v.text);
  const d = await srv.request('POST', `/api/v1/help-requests/${publicId}/done`, { session: helper, body: { visit_id: v.json.id } });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.status, 'done');
  assert.equal(d.json.visit_id, v.json.id);
  assert.equal(d.json.done_by, 'Lê Minh Châu');
  expectError(assert, await srv.request('POST', `/api/v1/help-requests/${publicId}/done`, { session: helper, body: { visit_id: v.json.id } }), 409, 'conflict', 'id');
  expectError(assert, await srv.request('POST', `/api/v1/help-requests/${publicId}/take`, { session: helper }), 409, 'conflict', 'id');
  // The team's report of this month counts it.
  const rep = await srv.getJSON(helper, `/api/v1/field/teams/${team1}/report?period=month`);
  assert.equal(rep.requests_closed, 1);
  // Logged: the take, the close and the reads.
  const audit = await srv.getJSON(admin, `/api/v1/audit?entity=help_request&entity_id=${publicId}`);
  const actions = audit.items.map((a) => a.action);
  for (const a of ['help_request.create', 'help_request.take', 'help_request.done', 'help_request.read']) assert.ok(actions.includes(a), a);
});

test('officers see open and overdue requests by tổ dân phố, within their scope', async () => {
  const all = await srv.getJSON(admin, '/api/v1/help-requests/summary');
  const row1 = all.items.find((x) => x.unit_id === tdp1);
  const row2 = all.items.find((x) => x.unit_id === tdp2);
  assert.deepEqual([row1.open, row1.overdue, row1.done], [1, 0, 1]);
  assert.deepEqual([row2.open, row2.overdue, row2.done], [1, 0, 0]);
  assert.equal(all.open, 2);
  const mine = await srv.getJSON(tdp01, '/api/v1/help-requests/summary');
  assert.deepEqual(mine.items.map((x) => x.unit_id), [tdp1]);
  const done = await srv.getJSON(admin, `/api/v1/help-requests?status=done&unit_id=${tdp1}`);
  assert.deepEqual(done.items.map((x) => x.id), [publicId]);
  expectError(assert, await srv.request('GET', '/api/v1/help-requests?status=lost', { session: admin }), 400, 'invalid_value', 'status');
});

test('the public form is rate-limited per address: a burst, then 429 with Retry-After, nothing more stored', async () => {
  const before1 = (await srv.getJSON(admin, `/api/v1/help-requests?unit_id=${tdp1}&per_page=200`)).total;
  let limited = null;
  let made = 0;
  for (let i = 0; i < 8 && !limited; i++) {
    const r = await srv.request('POST', '/api/v1/help-requests/public', { body: { unit_id: tdp1, requester_name: `Người Gửi ${tag}`, phone: '0912000111', description: `Yêu cầu thứ ${i}` } });
    if (r.status === 429) limited = r;
    else {
      assert.equal(r.status, 201, r.text);
      made++;
    }
  }
  assert.ok(limited, 'a 429 within 8 requests');
  expectError(assert, limited, 429, 'rate_limited');
  assert.ok(Number(limited.headers['retry-after']) >= 1);
  assert.equal((await srv.getJSON(admin, `/api/v1/help-requests?unit_id=${tdp1}&per_page=200`)).total, before1 + made);
  // Logging in from the same address is not affected (a class of its own).
  await srv.login('hocvien');
});

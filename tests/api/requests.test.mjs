// requests.test.mjs: a data subject's requests over real HTTP (issue 7; Luật Bảo vệ dữ liệu cá
// nhân 91/2025/QH15): a resident with an account linked to their record files a request to see,
// correct, restrict or delete their data and follows its answer; staff with people.write on the
// person's registering unit list, read and answer it within the 72-hour clock. Scope (an officer of
// tổ 1 neither sees nor answers tổ 2's requests; a resident sees only their own and answers none),
// a refusal needs its reason, restrict and delete take effect, every request and answer is audited
// without its words. The clock itself (overdue, due within 24 h) is tested without waiting in
// tests/unit/test_requests.c. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic people and accounts it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError, listAll } from './lib/server.mjs';

let srv, admin, tdp01, hocvien;
let tdp1, tdp2;
let p1, p2; // people: in tổ 1 and tổ 2
let r1, r2; // their residents' sessions
const tag = uniq('r').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
const SECRET_WORDS = `Số nhà tôi ghi sai ${tag}`;

async function resident(unit, name, username) {
  const p = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: name, unit_id: unit } });
  assert.equal(p.status, 201, p.text);
  const u = await srv.request('POST', '/api/v1/users', { session: admin, body: { username, display_name: name, password: 'Mat-khau-cu-dan-1', unit_id: unit } });
  assert.equal(u.status, 201, u.text);
  const l = await srv.request('PUT', `/api/v1/users/${u.json.id}/person`, { session: admin, body: { person_id: p.json.id } });
  assert.equal(l.status, 200, l.text);
  return { person: p.json, session: await srv.login(username, 'Mat-khau-cu-dan-1') };
}
async function file(session, body) {
  return srv.request('POST', '/api/v1/me/requests', { session, body });
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  hocvien = await srv.login('hocvien');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  ({ person: p1, session: r1 } = await resident(tdp1, `Trần Thị Lan ${tag}`, `cudan.a.${tag}`));
  ({ person: p2, session: r2 } = await resident(tdp2, `Lê Văn Nam ${tag}`, `cudan.b.${tag}`));
});
after(async () => finish(srv, assert));

test('a resident files a request: open, due 72 hours later; bad kinds and missing words refused', async () => {
  const r = await file(r1, { kind: 'access' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'open');
  assert.equal(r.json.kind, 'access');
  assert.equal(r.json.person_id, p1.id);
  assert.equal(Date.parse(r.json.due_at) - Date.parse(r.json.created_at), 72 * 3600 * 1000);
  assert.equal(r.json.overdue, false);
  assert.ok(r.json.hours_left === 71 || r.json.hours_left === 72, `hours_left ${r.json.hours_left}`);
  expectError(assert, await file(r1, { kind: 'correct' }), 400, 'missing_field', 'message');
  expectError(assert, await file(r1, { kind: 'correct', message: '   ' }), 400, 'missing_field', 'message');
  expectError(assert, await file(r1, { kind: 'forget' }), 400, 'invalid_value', 'kind');
  const long = await file(r1, { kind: 'access', message: 'ô'.repeat(2001) });
  assert.equal(long.status, 400, long.text);
  assert.equal(long.json.error.field, 'message');
  // An account linked to no record has nothing to ask about.
  expectError(assert, await file(hocvien, { kind: 'access' }), 404, 'not_found');
  const own = await srv.getJSON(r1, '/api/v1/me/requests');
  assert.ok(own.items.some((x) => x.id === r.json.id));
  assert.ok(own.items.every((x) => x.person_id === p1.id));
});

test('scope: the officer of tổ 1 sees and answers tổ 1\'s requests only; residents answer none', async () => {
  const a = (await file(r1, { kind: 'correct', message: SECRET_WORDS })).json;
  const b = (await file(r2, { kind: 'access' })).json;
  assert.ok(a.id && b.id);
  const mine = await listAll(srv, tdp01, '/api/v1/requests?status=all');
  assert.ok(mine.items.some((x) => x.id === a.id), 'tổ 1 sees its resident\'s request');
  assert.ok(!mine.items.some((x) => x.id === b.id), 'tổ 2\'s request is out of tdp01\'s scope');
  const seen = mine.items.find((x) => x.id === a.id);
  assert.equal(seen.person_name, p1.full_name);
  assert.equal(seen.message, SECRET_WORDS);
  assert.equal(typeof seen.hours_left, 'number');
  expectError(assert, await srv.request('GET', `/api/v1/requests/${b.id}`, { session: tdp01 }), 403, 'forbidden');
  expectError(assert, await srv.request('POST', `/api/v1/requests/${b.id}/answer`, { session: tdp01, body: { outcome: 'done' } }), 403, 'forbidden');
  // A unit filter out of the caller's scope is refused by the dispatcher.
  expectError(assert, await srv.request('GET', `/api/v1/requests?unit_id=${tdp2}`, { session: tdp01 }), 403, 'forbidden');
  // The ward admin sees both.
  const all = await listAll(srv, admin, '/api/v1/requests?status=all');
  assert.ok(all.items.some((x) => x.id === a.id) && all.items.some((x) => x.id === b.id));
  const byUnit = await listAll(srv, admin, `/api/v1/requests?status=all&unit_id=${tdp2}`);
  assert.ok(byUnit.items.every((x) => x.unit_id === tdp2) && byUnit.items.some((x) => x.id === b.id));
  // Residents: neither the staff list nor someone's request nor an answer.
  for (const s of [r1, r2]) {
    expectError(assert, await srv.request('GET', '/api/v1/requests', { session: s }), 403, 'forbidden');
    expectError(assert, await srv.request('GET', `/api/v1/requests/${a.id}`, { session: s }), 403, 'forbidden');
    expectError(assert, await srv.request('POST', `/api/v1/requests/${a.id}/answer`, { session: s, body: { outcome: 'done' } }), 403, 'forbidden');
  }
  assert.ok(!(await srv.getJSON(r2, '/api/v1/me/requests')).items.some((x) => x.id === a.id), 'a resident lists only their own');
  expectError(assert, await srv.request('GET', '/api/v1/requests/2147480001', { session: admin }), 404, 'not_found');
  // The summary counts what the caller may answer.
  const sumAdmin = await srv.getJSON(admin, '/api/v1/requests/summary');
  const sumTdp = await srv.getJSON(tdp01, '/api/v1/requests/summary');
  assert.ok(sumAdmin.open > sumTdp.open, `${JSON.stringify(sumAdmin)} vs ${JSON.stringify(sumTdp)}`);
  assert.equal(sumAdmin.overdue, 0);
  assert.equal(sumAdmin.due_within_24h, 0);
  assert.deepEqual((await srv.getJSON(admin, '/api/v1/requests?overdue=1')).items, []);
  expectError(assert, await srv.request('GET', '/api/v1/requests?status=later', { session: admin }), 400, 'invalid_value', 'status');
});

test('answers: a refusal needs its reason; the resident sees the answer; a second answer is 409', async () => {
  const q = (await file(r1, { kind: 'correct', message: 'Ngày sinh đúng là 02/03/1990' })).json;
  expectError(assert, await srv.request('POST', `/api/v1/requests/${q.id}/answer`, { session: tdp01, body: { outcome: 'refused' } }), 400, 'missing_field', 'answer');
  expectError(assert, await srv.request('POST', `/api/v1/requests/${q.id}/answer`, { session: tdp01, body: { outcome: 'maybe', answer: 'x' } }), 400, 'invalid_value', 'outcome');
  const reason = 'Giấy khai sinh ghi ngày 03/02/1990: hồ sơ giữ theo giấy tờ gốc.';
  const ans = await srv.request('POST', `/api/v1/requests/${q.id}/answer`, { session: tdp01, body: { outcome: 'refused', answer: reason } });
  assert.equal(ans.status, 200, ans.text);
  assert.equal(ans.json.status, 'answered');
  assert.equal(ans.json.outcome, 'refused');
  assert.equal(ans.json.hours_left, null);
  assert.ok(ans.json.answered_at && ans.json.answered_by);
  const own = (await srv.getJSON(r1, '/api/v1/me/requests')).items.find((x) => x.id === q.id);
  assert.equal(own.answer, reason);
  assert.equal(own.outcome, 'refused');
  expectError(assert, await srv.request('POST', `/api/v1/requests/${q.id}/answer`, { session: admin, body: { outcome: 'done' } }), 409, 'conflict');
  const answered = await listAll(srv, tdp01, '/api/v1/requests?status=answered');
  assert.ok(answered.items.some((x) => x.id === q.id));
  assert.ok(!(await listAll(srv, tdp01, '/api/v1/requests')).items.some((x) => x.id === q.id), 'the default list holds open requests');
});

test('restrict done: the person leaves every export; delete done: the record is gone, the answer stays', async () => {
  const before = await srv.request('GET', `/api/v1/residents/export?format=csv&q=${encodeURIComponent(tag)}`, { session: admin });
  assert.equal(before.status, 200, before.text);
  assert.ok(before.text.includes(p1.full_name));
  const rq = (await file(r1, { kind: 'restrict', message: 'Không đồng ý dùng số điện thoại để liên hệ.' })).json;
  const done = await srv.request('POST', `/api/v1/requests/${rq.id}/answer`, { session: tdp01, body: { outcome: 'done', answer: 'Đã hạn chế xử lý.' } });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.person_restricted, true);
  const after = await srv.request('GET', `/api/v1/residents/export?format=csv&q=${encodeURIComponent(tag)}`, { session: admin });
  assert.equal(after.status, 200);
  assert.ok(!after.text.includes(p1.full_name), 'a restricted person is left out of the export');
  assert.ok(after.text.includes(p2.full_name));
  // Staff who open the list or the record see that it is restricted; the others are not.
  const record = await srv.getJSON(admin, `/api/v1/residents/${p1.id}`);
  assert.equal(record.restricted, true);
  const listed = await srv.getJSON(admin, `/api/v1/residents?q=${encodeURIComponent(tag)}`);
  assert.equal(listed.items.find((x) => x.id === p1.id)?.restricted, true);
  assert.equal(listed.items.find((x) => x.id === p2.id)?.restricted, false);
  assert.equal((await srv.getJSON(admin, `/api/v1/residents/${p2.id}`)).restricted, false);

  const del = (await file(r2, { kind: 'delete' })).json;
  const gone = await srv.request('POST', `/api/v1/requests/${del.id}/answer`, { session: admin, body: { outcome: 'done' } });
  assert.equal(gone.status, 200, gone.text);
  assert.equal(gone.json.person_deleted, true);
  expectError(assert, await srv.request('GET', `/api/v1/residents/${p2.id}`, { session: admin }), 404, 'not_found');
  expectError(assert, await srv.request('GET', '/api/v1/me/person', { session: r2 }), 404, 'not_found');
  const own = (await srv.getJSON(r2, '/api/v1/me/requests')).items.find((x) => x.id === del.id);
  assert.equal(own.outcome, 'done', 'the filer still sees the answer after the record went');
  // The answered request can still be read by staff (the trail of a legal duty).
  assert.equal((await srv.request('GET', `/api/v1/requests/${del.id}`, { session: admin })).status, 200);
});

test('every request and answer is audited with its kind, never its words', async () => {
  const created = (await listAll(srv, admin, '/api/v1/audit?action=request.create')).items;
  const answered = (await listAll(srv, admin, '/api/v1/audit?action=request.answer')).items;
  const reads = (await listAll(srv, admin, '/api/v1/audit?action=request.read')).items;
  assert.ok(created.length >= 6, `created ${created.length}`);
  assert.ok(answered.length >= 3, `answered ${answered.length}`);
  assert.ok(reads.length >= 1);
  const one = created.find((x) => x.entity_id === p1.id);
  assert.ok(one, JSON.stringify(created.slice(0, 2)));
  assert.ok(['access', 'correct', 'restrict', 'delete'].includes(one.detail.kind));
  const all = JSON.stringify([...created, ...answered, ...reads]);
  assert.ok(!all.includes(SECRET_WORDS), 'a request\'s message is not copied into the audit log');
  assert.ok(!all.includes('Giấy khai sinh'), 'an answer is not copied into the audit log');
  assert.ok(answered.some((x) => x.detail.outcome === 'refused') && answered.some((x) => x.detail.person_deleted === true));
});

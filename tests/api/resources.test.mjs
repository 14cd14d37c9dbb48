// resources.test.mjs: resources over real HTTP (issue 9, part 9; plan IV "Kinh phí", V.8).
// Contributions from organisations, businesses and individuals — money, devices, facilities,
// people — are recorded by the unit that received them, to a unit or a household inside it (a
// household that received a phone), for a plan task; the list of a scope carries totals by kind and
// by source that add up; a tổ officer records and reads for their own tổ only; bad input is a 400
// naming the field and writes nothing; each plan task's budget by year and source is set by the
// ward and shown beside what was mobilised. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and what it records.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, expectError } from './lib/server.mjs';

let srv, admin, tdp01, vanhoa, tinhnguyen, hocvien;
let tdp1, tdp2, hh1, hh2, task32;

function add(session, body) {
  return srv.request('POST', '/api/v1/contributions', { session, body });
}
const phone = (unit, extra = {}) => ({
  unit_id: unit, source_kind: 'business', source_name: 'Cửa hàng Điện thoại Minh Anh', kind: 'devices',
  description: 'Tặng một điện thoại thông minh', quantity: 1, value_vnd: 2500000, received_on: '2026-03-02', ...extra,
});

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  vanhoa = await srv.login('vanhoa');
  tinhnguyen = await srv.login('tinhnguyen');
  hocvien = await srv.login('hocvien');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  for (const [u, name] of [[tdp1, 'hh1'], [tdp2, 'hh2']]) {
    const r = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: u, address: `Số 9 ngõ Nguồn Lực ${name}` } });
    assert.equal(r.status, 201, r.text);
    if (name === 'hh1') hh1 = r.json.id;
    else hh2 = r.json.id;
  }
  task32 = (await srv.getJSON(admin, '/api/v1/plan/tasks')).items.find((t) => t.code === '3.2').id;
});
after(async () => finish(srv, assert));

test('the demo ward shows resources under way; totals by kind and by source add up', async () => {
  const r = await srv.getJSON(admin, '/api/v1/contributions?per_page=200');
  assert.ok(r.total >= 6);
  const sum = (xs) => xs.reduce((n, c) => n + c.value_vnd, 0);
  assert.equal(r.totals.value_vnd, sum(r.items));
  for (const k of ['money', 'devices', 'facilities', 'people'])
    assert.deepEqual(r.totals.by_kind[k], { count: r.items.filter((c) => c.kind === k).length, value_vnd: sum(r.items.filter((c) => c.kind === k)) });
  for (const k of ['organisation', 'business', 'individual'])
    assert.deepEqual(r.totals.by_source[k], { count: r.items.filter((c) => c.source_kind === k).length, value_vnd: sum(r.items.filter((c) => c.source_kind === k)) });
  const f = await srv.getJSON(admin, '/api/v1/contributions?kind=money');
  assert.ok(f.items.every((c) => c.kind === 'money'));
  assert.equal(f.totals.by_kind.devices.count, 0);
});

test('a tổ officer records a phone given to a household of their tổ; who, when and where are kept', async () => {
  const r = await add(tdp01, phone(tdp1, { recipient_household_id: hh1, task_id: task32 }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.recipient_household.id, hh1);
  assert.match(r.json.recipient_household.address, /Nguồn Lực hh1/);
  assert.equal(r.json.task_code, '3.2');
  assert.equal(r.json.created_by_name, 'Trần Văn Bình');
  assert.equal(r.json.kind_label, 'Thiết bị');
  assert.equal(r.json.source_label, 'Doanh nghiệp');
  // The tổ officer's list: tổ 1's contributions only (the ward's are not theirs).
  const mine = await srv.getJSON(tdp01, '/api/v1/contributions');
  assert.ok(mine.items.length >= 1);
  assert.ok(mine.items.every((c) => c.unit_id === tdp1), JSON.stringify(mine.items.map((c) => c.unit_name)));
  // The task's budget line shows what was mobilised for it.
  const b = await srv.getJSON(admin, '/api/v1/plan/budgets');
  const t = b.items.find((x) => x.code === '3.2');
  assert.ok(t.mobilised_vnd >= 2500000);
  assert.equal(b.totals.mobilised_vnd, b.items.reduce((n, x) => n + x.mobilised_vnd, 0));
});

test('outside one\'s unit, or bad input: a clear 4xx naming the field, nothing written', async () => {
  const before = (await srv.getJSON(admin, '/api/v1/contributions')).total;
  expectError(assert, await add(tdp01, phone(tdp2)), 403, 'forbidden', 'unit_id');
  expectError(assert, await add(tdp01, phone(tdp1, { recipient_household_id: hh2 })), 400, 'invalid_value', 'recipient_household_id');
  expectError(assert, await add(tdp01, phone(tdp1, { recipient_unit_id: tdp2 })), 400, 'invalid_value', 'recipient_unit_id');
  expectError(assert, await add(tdp01, phone(tdp1, { recipient_household_id: 2147480001 })), 400, 'invalid_value', 'recipient_household_id');
  expectError(assert, await add(tdp01, phone(tdp1, { kind: 'vàng' })), 400, 'invalid_value', 'kind');
  expectError(assert, await add(tdp01, phone(tdp1, { source_kind: 'nhà nước' })), 400, 'invalid_value', 'source_kind');
  expectError(assert, await add(tdp01, phone(tdp1, { kind: 'money', value_vnd: 0 })), 400, 'invalid_value', 'value_vnd');
  expectError(assert, await add(tdp01, phone(tdp1, { value_vnd: -5 })), 400, 'invalid_value', 'value_vnd');
  expectError(assert, await add(tdp01, phone(tdp1, { received_on: '2999-01-01' })), 400, 'invalid_value', 'received_on');
  expectError(assert, await add(tdp01, phone(tdp1, { received_on: '02/03/2026' })), 400, 'invalid_value', 'received_on');
  expectError(assert, await add(tdp01, phone(tdp1, { task_id: 2147480001 })), 400, 'invalid_value', 'task_id');
  expectError(assert, await add(tdp01, phone(tdp1, { source_name: '  ' })), 400, 'invalid_value', 'source_name');
  // A field helper and a learner do not record resources.
  expectError(assert, await add(tinhnguyen, phone(tdp1)), 403, 'forbidden');
  expectError(assert, await add(hocvien, phone(tdp1)), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/contributions', { session: hocvien }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/contributions?kind=vang', { session: admin }), 400, 'invalid_value', 'kind');
  assert.equal((await srv.getJSON(admin, '/api/v1/contributions')).total, before, 'nothing written');
});

test('the ward sets a plan task\'s budget by year and source; others cannot', async () => {
  const put = (session, id, body) => srv.request('PUT', `/api/v1/plan/tasks/${id}/budget`, { session, body });
  const r = await put(admin, task32, { year: 2027, source: 'state_budget', amount_vnd: 35000000 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.budgets.find((x) => x.year === 2027), { year: 2027, source: 'state_budget', amount_vnd: 35000000 });
  const again = await put(admin, task32, { year: 2027, source: 'state_budget', amount_vnd: 36000000 });
  assert.equal(again.json.budgets.filter((x) => x.year === 2027).length, 1, 'replaced, not added');
  const o = await put(admin, task32, { year: 2027, source: 'other', amount_vnd: 4000000 });
  assert.equal(o.json.budget_vnd, 36000000 + 4000000 + o.json.budgets.filter((x) => x.year !== 2027).reduce((n, x) => n + x.amount_vnd, 0));
  expectError(assert, await put(vanhoa, task32, { year: 2027, source: 'other', amount_vnd: 1 }), 403, 'forbidden');
  expectError(assert, await put(admin, task32, { year: 2027, source: 'xin', amount_vnd: 1 }), 400, 'invalid_value', 'source');
  expectError(assert, await put(admin, task32, { year: 1999, source: 'other', amount_vnd: 1 }), 400, 'invalid_value', 'year');
  expectError(assert, await put(admin, 2147480001, { year: 2027, source: 'other', amount_vnd: 1 }), 404, 'not_found');
  const all = await srv.getJSON(vanhoa, '/api/v1/plan/budgets');
  assert.equal(all.totals.budget_vnd, all.items.reduce((n, x) => n + x.budget_vnd, 0));
});

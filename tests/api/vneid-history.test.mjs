// vneid-history.test.mjs: the VNeID level of past dates, over real HTTP (issue 10, the reference
// date). A resident's level raised today counts from today: the figures of an earlier date
// (GET /api/v1/indicators?date, M4 "adults with VNeID level 2"; GET /api/v1/vneid/coverage?date)
// keep the level that person had then. An officer may date the change after the fact
// (`vneid_since` with a new `vneid_level`, on PATCH and POST /api/v1/residents), or correct the day
// of the level held (`vneid_since` alone); a day in the future or unreadable, or for level 0 never
// changed, is a 400 naming `vneid_since` and changes nothing. The Gia đình số
// figure (M3) of a past date counts only what had been learned by then.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the residents it makes in Tổ dân phố số 3.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError } from './lib/server.mjs';

let srv, admin, tdp;
const tag = uniq('v').replace(/[^a-z]/g, '');

/** The day `n` days before today in Vietnam (UTC+7), YYYY-MM-DD. */
const daysAgo = (n) => new Date(Date.now() + 7 * 3600e3 - n * 86400e3).toISOString().slice(0, 10);
const dmy = (iso) => iso.split('-').reverse().join('/');

async function household(address) {
  const r = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: tdp, address: `${address} ${tag}` } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function resident(body) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { unit_id: tdp, ...body, full_name: `${body.full_name} ${tag}` } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function figure(code, date) {
  const o = await srv.getJSON(admin, `/api/v1/indicators?unit=${tdp}&date=${date}`);
  const it = o.items.find((x) => x.code === code);
  assert.ok(it, `no ${code}`);
  return it;
}
async function level2On(date) {
  const o = await srv.getJSON(admin, `/api/v1/vneid/coverage?unit_id=${tdp}&date=${date}`);
  return o.level2;
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp = await srv.unitId(admin, 'Tổ dân phố số 3');
});
after(async () => finish(srv, assert));

test('a level raised today counts from today; an earlier date keeps the level of that date', async () => {
  const h = await household('Số 7 ngõ Định Danh');
  const id = await resident({ full_name: 'Lương Văn Danh', birth_date: '1979-05-05', household_id: h });
  const [y, t] = [daysAgo(1), daysAgo(0)];
  const m4y = await figure('M4', y), m4t = await figure('M4', t), cy = await level2On(y), ct = await level2On(t);
  const r = await srv.request('PATCH', `/api/v1/residents/${id}`, { session: admin, body: { vneid_level: 2 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.vneid_level, 2);
  assert.equal((await figure('M4', t)).numerator, m4t.numerator + 1, 'today: level 2');
  assert.equal((await figure('M4', y)).numerator, m4y.numerator, 'yesterday: the level of yesterday');
  assert.equal((await figure('M4', y)).denominator, m4y.denominator, 'the same adults');
  assert.equal(await level2On(t), ct + 1);
  assert.equal(await level2On(y), cy);
});

test('a change dated after the fact counts from that day, on create and on edit', async () => {
  const h = await household('Số 9 ngõ Định Danh');
  const d10 = daysAgo(10), d11 = daysAgo(11), d5 = daysAgo(5), d6 = daysAgo(6);
  const before11 = (await figure('M4', d11)).numerator, before10 = (await figure('M4', d10)).numerator;
  const id = await resident({ full_name: 'Tạ Thị Mức', birth_date: '1980-02-02', household_id: h, vneid_level: 2, vneid_since: dmy(d10) });
  assert.equal((await figure('M4', d11)).numerator, before11, 'the day before: not yet level 2');
  assert.equal((await figure('M4', d10)).numerator, before10 + 1, 'from the day given: level 2');
  // the level lowered (a correction) five days ago: level 2 stays on the days before
  const at6 = (await figure('M4', d6)).numerator, at5 = (await figure('M4', d5)).numerator;
  const r = await srv.request('PATCH', `/api/v1/residents/${id}`, { session: admin, body: { vneid_level: 1, vneid_since: d5 } });
  assert.equal(r.status, 200, r.text);
  assert.equal((await figure('M4', d6)).numerator, at6);
  assert.equal((await figure('M4', d5)).numerator, at5 - 1);
  const p = await srv.getJSON(admin, `/api/v1/residents/${id}`);
  assert.equal(p.vneid_level, 1);
});

test('a date in the future or unreadable, or for a level never had: 400 naming vneid_since, nothing changed', async () => {
  const h = await household('Số 11 ngõ Định Danh');
  const id = await resident({ full_name: 'Kiều Văn Sai', birth_date: '1975-01-01', household_id: h, vneid_level: 1 });
  const bad = [
    { vneid_level: 2, vneid_since: new Date(Date.now() + 7 * 3600e3 + 3 * 86400e3).toISOString().slice(0, 10) },
    { vneid_level: 2, vneid_since: '31/02/2026' },
    { vneid_level: 2, vneid_since: 'hôm qua' },
  ];
  const m4 = await figure('M4', daysAgo(2));
  for (const body of bad) {
    const r = await srv.request('PATCH', `/api/v1/residents/${id}`, { session: admin, body });
    expectError(assert, r, 400, 'invalid_value', 'vneid_since');
    assert.match(r.json.error.message, /ngày|Ngày/);
  }
  const p = await srv.getJSON(admin, `/api/v1/residents/${id}`);
  assert.equal(p.vneid_level, 1, 'the level did not change');
  assert.deepEqual(await figure('M4', daysAgo(2)), m4);
  const c = await srv.request('POST', '/api/v1/residents', { session: admin, body: { unit_id: tdp, full_name: `Kiều Văn Tạo ${tag}`, vneid_level: 0, vneid_since: daysAgo(1) } });
  expectError(assert, c, 400, 'invalid_value', 'vneid_since');
  const none = await resident({ full_name: 'Kiều Văn Không', birth_date: '1976-01-01', household_id: h });
  expectError(assert, await srv.request('PATCH', `/api/v1/residents/${none}`, { session: admin, body: { vneid_since: daysAgo(2) } }), 400, 'invalid_value', 'vneid_since');
  const future = await srv.request('GET', `/api/v1/vneid/coverage?unit_id=${tdp}&date=2099-01-01`, { session: admin });
  expectError(assert, future, 400, 'invalid_value', 'date');
});

test('Gia đình số on a past date counts what had been learned by then', async () => {
  const h = await household('Số 13 ngõ Gia Đình');
  const id = await resident({ full_name: 'Mai Văn Học', birth_date: '1970-07-07', household_id: h });
  const d3 = daysAgo(3), d4 = daysAgo(4);
  const m3at4 = await figure('M3', d4), m3at3 = await figure('M3', d3);
  const r = await srv.request('POST', `/api/v1/residents/${id}/confirmations`, { session: admin, body: { kind: 'national_platform', confirmed_on: d3 } });
  assert.equal(r.status, 201, r.text);
  const a4 = await figure('M3', d4), a3 = await figure('M3', d3);
  assert.equal(a4.denominator, m3at4.denominator);
  assert.equal(a4.numerator, m3at4.numerator, 'the day before the confirmation: not yet');
  assert.equal(a3.numerator, m3at3.numerator + 1, 'from the confirmation day');
});

test('the ward police record a level (identity.write), with its day; nobody else through this route', async () => {
  const police = await srv.login('congan');
  const officer = await srv.login('tdp01');
  // the police account's role is on its own unit: a staff member registered there is in its scope,
  // a resident of a tổ dân phố is not
  const unit = await srv.unitId(admin, 'Công an phường Hải Dương');
  const r0 = await srv.request('POST', '/api/v1/residents', { session: admin, body: { unit_id: unit, full_name: `Đào Văn Định ${tag}`, birth_date: '1981-03-03' } });
  assert.equal(r0.status, 201, r0.text);
  const id = r0.json.id;
  const h = await household('Số 15 ngõ Công An');
  const outside = await resident({ full_name: 'Đào Thị Ngoài', birth_date: '1982-02-02', household_id: h });
  const r = await srv.request('PUT', `/api/v1/residents/${id}/vneid`, { session: police, body: { vneid_level: 2, vneid_since: dmy(daysAgo(4)) } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.vneid_level, 2);
  expectError(assert, await srv.request('PUT', `/api/v1/residents/${outside}/vneid`, { session: police, body: { vneid_level: 2 } }), 403, 'forbidden', 'id');
  // the police change nothing else of a record, and an officer without identity.write cannot use this route
  expectError(assert, await srv.request('PATCH', `/api/v1/residents/${id}`, { session: police, body: { phone: '0912345678' } }), 403, 'forbidden');
  expectError(assert, await srv.request('PUT', `/api/v1/residents/${outside}/vneid`, { session: officer, body: { vneid_level: 1 } }), 403, 'forbidden');
  expectError(assert, await srv.request('PUT', `/api/v1/residents/${id}/vneid`, { session: police, body: {} }), 400, undefined, 'vneid_level');
  expectError(assert, await srv.request('PUT', `/api/v1/residents/${id}/vneid`, { session: police, body: { vneid_level: 3 } }), 400, undefined, 'vneid_level');
  expectError(assert, await srv.request('PUT', `/api/v1/residents/${id}/vneid`, { session: police, body: { vneid_level: 1, vneid_since: '2099-01-01' } }), 400, 'invalid_value', 'vneid_since');
  assert.equal((await srv.getJSON(admin, `/api/v1/residents/${id}`)).vneid_level, 2, 'the refused requests changed nothing');
  assert.equal((await srv.getJSON(admin, `/api/v1/residents/${outside}`)).vneid_level, 0);
  // audited, with the day
  const audit = await srv.getJSON(admin, `/api/v1/audit?entity=person&entity_id=${id}`);
  const entry = audit.items.find((x) => x.action === 'person.vneid');
  assert.ok(entry, JSON.stringify(audit.items.map((x) => x.action)));
  assert.equal(entry.detail.vneid_level, 2);
  assert.equal(entry.detail.vneid_since, dmy(daysAgo(4)));
});

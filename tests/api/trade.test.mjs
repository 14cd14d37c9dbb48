// trade.test.mjs: the 4T model for small traders (Chợ số – Siêu thị số, issue 9 part 4) over real
// HTTP: traders are people of the registry with a "trader" membership of a market; a field helper
// records each 4T step (date, who guided, who recorded) for a trader registered in their tổ, a
// helper granted on a market for that market's traders; a step is recorded once (again: 200, the
// first record); bad input (unknown step, a day in the future, a non-trader, an unknown or deleted
// person, an unknown or unseen helper) is refused naming its field and writes nothing; the markets
// count their traders and each step over what the caller may see. SQLite, or PostgreSQL with
// HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic markets, people and accounts it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError, userWithRole } from './lib/server.mjs';

let srv, admin, tdp01, helper, hocvien, marketHelper;
let ward, tdp1, tdp2, m1, m2;
let ta, tb, tc, nt, guide, far, gone;
const tag = uniq('t').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

async function person(unit, name) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: name, unit_id: unit } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function trader(unit, market, name) {
  const id = await person(unit, name);
  const m = await srv.request('POST', `/api/v1/residents/${id}/memberships`, { session: admin, body: { unit_id: market, kind: 'trader' } });
  assert.equal(m.status, 201, m.text);
  return id;
}
async function market(name) {
  const r = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: 'market', name } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
function record(session, id, body) {
  return srv.request('POST', `/api/v1/residents/${id}/trade-steps`, { session, body });
}
async function markets(session, query = '') {
  const r = await srv.request('GET', `/api/v1/markets${query}`, { session });
  assert.equal(r.status, 200, r.text);
  return r.json;
}
async function traders(session, query = '') {
  const r = await srv.request('GET', `/api/v1/traders${query}`, { session });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  helper = await srv.login('tinhnguyen');
  hocvien = await srv.login('hocvien');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  m1 = await market(`Chợ Một ${tag}`);
  m2 = await market(`Chợ Hai ${tag}`);
  ta = await trader(tdp1, m1, `Nguyễn Thị Ánh ${tag}`);
  tb = await trader(tdp2, m1, `Trần Văn Bảo ${tag}`);
  tc = await trader(tdp2, m2, `Lê Thị Cúc ${tag}`);
  nt = await person(tdp1, `Phạm Văn Nam ${tag}`);
  guide = await person(tdp1, `Đỗ Thị Hướng ${tag}`);
  far = await person(tdp2, `Vũ Văn Xa ${tag}`);
  gone = await trader(tdp1, m1, `Hoàng Thị Gone ${tag}`);
  const del = await srv.request('DELETE', `/api/v1/residents/${gone}`, { session: admin });
  assert.equal(del.status, 204, del.text);
  // A member of the community digital team posted at market 1 (field_helper on the market).
  marketHelper = await userWithRole(srv, admin, { username: uniq('cho').toLowerCase().replace(/[^a-z0-9]/g, ''), role: 'field_helper', unitId: m1 });
});
after(async () => finish(srv, assert));

test('the 4T steps are a seeded list, in order', async () => {
  const { steps } = await markets(admin);
  assert.deepEqual(steps.map((s) => s.code), ['payment_account', 'cashless_qr', 'online_selling', 'digital_savings']);
  assert.ok(steps.every((s) => s.label && /[ạ-ỹđ]/i.test(s.label)), 'Vietnamese labels');
});

test('a field helper records a step of a trader of their tổ; the same step again records nothing (200, first record)', async () => {
  const r = await record(helper, ta, { step: 'cashless_qr', done_on: '15/03/2026' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.person_id, ta);
  assert.equal(r.json.step, 'cashless_qr');
  assert.equal(r.json.step_label, 'Nhận thanh toán không dùng tiền mặt, mã QR');
  assert.equal(r.json.done_on, '2026-03-15');
  assert.equal(r.json.helper_id, null);
  assert.equal(r.json.helper_name, 'Lê Minh Châu', 'left out, the helper is the recording account');
  assert.equal(r.json.recorded_by, 'Lê Minh Châu');
  const again = await record(helper, ta, { step: 'cashless_qr', done_on: '2026-04-01' });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, r.json.id);
  assert.equal(again.json.done_on, '2026-03-15', 'the first record stands');
  // Guided by another person of the registry.
  const g = await record(helper, ta, { step: 'online_selling', done_on: '2026-03-20', helper_id: guide });
  assert.equal(g.status, 201, g.text);
  assert.equal(g.json.helper_id, guide);
  assert.equal(g.json.helper_name, `Đỗ Thị Hướng ${tag}`);
  assert.equal(g.json.recorded_by, 'Lê Minh Châu');
  const audit = await srv.request('GET', `/api/v1/audit?entity=person&entity_id=${ta}&action=trade_step.`, { session: admin });
  assert.equal(audit.status, 200, audit.text);
  assert.equal(audit.json.items.filter((x) => x.action === 'trade_step.create').length, 2, 'one entry per record, none for the repeat');
});

test('two helpers recording the same step at once: one record, both answered with it', async () => {
  const t2 = await trader(tdp1, m2, `Đỗ Văn Đồng ${tag}`);
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => record(i % 2 ? helper : admin, t2, { step: 'digital_savings', done_on: '2026-02-0' + (1 + (i % 9)) })));
  for (const a of answers) assert.ok([200, 201].includes(a.status), a.text);
  assert.equal(answers.filter((a) => a.status === 201).length, 1, 'exactly one record made');
  assert.equal(new Set(answers.map((a) => a.json.id)).size, 1, 'all answered with the same record');
  const list = await traders(admin, `?market_id=${m2}`);
  assert.deepEqual(list.items.find((x) => x.person_id === t2).steps.map((s) => s.step), ['digital_savings']);
  const del = await srv.request('DELETE', `/api/v1/residents/${t2}`, { session: admin });
  assert.equal(del.status, 204, del.text);
});

test('bad input is refused naming its field, and nothing is written', async () => {
  expectError(assert, await record(helper, ta, { step: 'bitcoin', done_on: '15/03/2026' }), 400, 'invalid_value', 'step');
  expectError(assert, await record(helper, ta, { step: 'digital_savings', done_on: '01/01/2099' }), 400, 'invalid_value', 'done_on');
  expectError(assert, await record(helper, ta, { step: 'digital_savings', done_on: '31/02/2026' }), 400, 'invalid_value', 'done_on');
  expectError(assert, await record(helper, ta, { step: 'digital_savings', done_on: '2026' }), 400, 'invalid_value', 'done_on');
  expectError(assert, await record(helper, ta, { done_on: '01/01/2026' }), 400, 'missing_field', 'step');
  expectError(assert, await record(helper, ta, { step: 'digital_savings', done_on: '01/01/2026', note: 'x' }), 400, 'unknown_field', 'note');
  // A person who is not a trader, an unknown one, a deleted one.
  const e = expectError(assert, await record(helper, nt, { step: 'digital_savings', done_on: '01/01/2026' }), 409, 'conflict', 'id');
  assert.match(e.message, /tiểu thương/);
  expectError(assert, await record(helper, 2147480001, { step: 'digital_savings', done_on: '01/01/2026' }), 404, 'not_found', 'id');
  expectError(assert, await record(helper, gone, { step: 'digital_savings', done_on: '01/01/2026' }), 404, 'not_found', 'id');
  // An unknown helper; a helper the caller may not see.
  expectError(assert, await record(helper, ta, { step: 'digital_savings', done_on: '01/01/2026', helper_id: 2147480001 }), 404, 'not_found', 'helper_id');
  expectError(assert, await record(helper, ta, { step: 'digital_savings', done_on: '01/01/2026', helper_id: far }), 403, 'forbidden', 'helper_id');
  const list = await traders(admin, `?unit_id=${m1}`);
  const a = list.items.find((t) => t.person_id === ta);
  assert.deepEqual(a.steps.map((s) => s.step), ['cashless_qr', 'online_selling'], 'nothing more was written');
  assert.ok(!list.items.some((t) => t.person_id === gone), 'a deleted trader is not listed');
});

test('scope: the trader\'s tổ or market with field.write; an officer without it, a learner, another tổ are refused', async () => {
  expectError(assert, await record(helper, tb, { step: 'cashless_qr', done_on: '01/02/2026' }), 403, 'forbidden', 'id');
  expectError(assert, await record(tdp01, ta, { step: 'payment_account', done_on: '01/02/2026' }), 403, 'forbidden');
  expectError(assert, await record(hocvien, ta, { step: 'payment_account', done_on: '01/02/2026' }), 403, 'forbidden');
  // The helper of market 1 records for its traders, wherever they are registered, not for market 2's.
  const b = await record(marketHelper, tb, { step: 'payment_account', done_on: '01/02/2026' });
  assert.equal(b.status, 201, b.text);
  expectError(assert, await record(marketHelper, tc, { step: 'payment_account', done_on: '01/02/2026' }), 403, 'forbidden', 'id');
  const c = await record(admin, tc, { step: 'payment_account', done_on: '2026-02-03' });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.helper_name, 'Quản trị phường Hải Dương');
  // Lists need people.read: a learner has none.
  expectError(assert, await srv.request('GET', '/api/v1/markets', { session: hocvien }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/traders', { session: hocvien }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', `/api/v1/traders?unit_id=${tdp2}`, { session: tdp01 }), 403, 'forbidden', 'unit_id');
});

test('per market: its traders and how many did each step, over what the caller may see', async () => {
  const all = await markets(admin, `?unit_id=${ward}`);
  const one = all.items.find((m) => m.id === m1);
  const two = all.items.find((m) => m.id === m2);
  assert.ok(one && two, 'both markets listed');
  assert.equal(one.traders, 2, 'a deleted trader is not counted');
  assert.deepEqual(one.steps, { payment_account: 1, cashless_qr: 1, online_selling: 1, digital_savings: 0 });
  assert.equal(two.traders, 1);
  assert.deepEqual(two.steps, { payment_account: 1, cashless_qr: 0, online_selling: 0, digital_savings: 0 });
  // The field helper of tổ 1 sees market 1 through its trader of tổ 1, and counts that trader only.
  const mine = await markets(helper);
  assert.deepEqual(mine.items.filter((m) => m.id === m1 || m.id === m2).map((m) => [m.id, m.traders]), [[m1, 1]]);
  assert.deepEqual(mine.items.find((m) => m.id === m1).steps, { payment_account: 0, cashless_qr: 1, online_selling: 1, digital_savings: 0 });
  // The helper of market 1 sees its two traders.
  const post = await markets(marketHelper);
  assert.deepEqual(post.items.map((m) => [m.id, m.traders]), [[m1, 2]]);
});

test('the traders of a market, by name, with their steps; those still without a step', async () => {
  const list = await traders(admin, `?unit_id=${m1}&per_page=10`);
  assert.equal(list.total, 2);
  assert.equal(list.page, 1);
  assert.equal(list.per_page, 10);
  assert.deepEqual(list.items.map((t) => t.person_id), [ta, tb], 'by name');
  const a = list.items[0];
  assert.equal(a.market_id, m1);
  assert.equal(a.market_name, `Chợ Một ${tag}`);
  assert.equal(a.unit_name, 'Tổ dân phố số 1');
  assert.deepEqual(a.steps.map((s) => [s.step, s.done_on, s.helper_name, s.recorded_by]), [
    ['cashless_qr', '2026-03-15', 'Lê Minh Châu', 'Lê Minh Châu'],
    ['online_selling', '2026-03-20', `Đỗ Thị Hướng ${tag}`, 'Lê Minh Châu'],
  ]);
  const left = await traders(admin, `?unit_id=${m1}&without_step=cashless_qr`);
  assert.deepEqual(left.items.map((t) => t.person_id), [tb]);
  assert.equal(left.total, 1);
  expectError(assert, await srv.request('GET', '/api/v1/traders?without_step=bitcoin', { session: admin }), 400, 'invalid_value', 'without_step');
  // A field helper sees the traders registered in their tổ only (and may not filter by a market
  // outside their scope).
  const mine = await traders(helper);
  assert.deepEqual(mine.items.map((t) => t.person_id).filter((id) => [ta, tb, tc].includes(id)), [ta]);
  expectError(assert, await srv.request('GET', `/api/v1/traders?unit_id=${m1}`, { session: helper }), 403, 'forbidden', 'unit_id');
  // A market filter narrows what the caller sees, never widens it.
  assert.deepEqual((await traders(helper, `?market_id=${m1}`)).items.map((t) => t.person_id), [ta]);
  assert.deepEqual((await traders(helper, `?market_id=${m2}`)).items, []);
  assert.deepEqual((await traders(admin, `?market_id=${m2}`)).items.map((t) => t.person_id), [tc]);
});

test('a step recorded by mistake is removed with the same rights, audited; then it may be recorded again', async () => {
  const del = (session, id, step) => srv.request('DELETE', `/api/v1/residents/${id}/trade-steps${step ? `?step=${step}` : ''}`, { session });
  expectError(assert, await del(helper, tb, 'payment_account'), 403, 'forbidden', 'id');
  expectError(assert, await del(tdp01, ta, 'cashless_qr'), 403, 'forbidden');
  expectError(assert, await del(helper, ta, 'digital_savings'), 404, 'not_found', 'step');
  expectError(assert, await del(helper, ta, 'bitcoin'), 400, 'invalid_value', 'step');
  expectError(assert, await del(helper, ta), 400, 'missing_field', 'step');
  const r = await del(helper, ta, 'cashless_qr');
  assert.equal(r.status, 204, r.text);
  const a = (await traders(admin, `?market_id=${m1}`)).items.find((t) => t.person_id === ta);
  assert.deepEqual(a.steps.map((s) => s.step), ['online_selling']);
  const audit = await srv.request('GET', `/api/v1/audit?entity=person&entity_id=${ta}&action=trade_step.delete`, { session: admin });
  assert.equal(audit.json.items.length, 1);
  assert.equal(audit.json.items[0].detail.step, 'cashless_qr');
  const again = await record(helper, ta, { step: 'cashless_qr', done_on: '2026-03-16' });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.done_on, '2026-03-16');
});

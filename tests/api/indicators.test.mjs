// indicators.test.mjs: the plan's indicators over real HTTP (issue 10, part 1): GET
// /api/v1/indicators?unit=ID&date=YYYY-MM-DD answers every target and model rule with its numerator,
// denominator and the year's target; its figures agree with the registry's other counts (Gia đình
// số, the VNeID worklist); a confirmation dated after the reference date does not count; a unit out
// of scope, a missing unit, a date that is no date or lies in the future are clear 4xx; an account
// without reports.read is refused. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server, and the tổ dân phố, households and people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError, groupKind } from './lib/server.mjs';

let srv, admin, tdp01, helper, ward, tdp1, fresh;
const tag = uniq('i').replace(/[^a-z]/g, '');

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  helper = await srv.login('tinhnguyen');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: await groupKind(srv, admin), name: `Tổ chỉ tiêu ${tag}`, code: `CT-${tag}`.slice(0, 30) } });
  assert.equal(u.status, 201, u.text);
  fresh = u.json.id;
});
after(async () => finish(srv, assert));

const byCode = (o) => Object.fromEntries(o.items.map((x) => [x.code, x]));
const today = () => {
  const d = new Date(Date.now() + 7 * 3600 * 1000); // the date in Vietnam
  return d.toISOString().slice(0, 10);
};

test('every target and model rule, with its figures and the year\'s target', async () => {
  const o = await srv.getJSON(admin, `/api/v1/indicators?unit=${ward}`);
  assert.equal(o.unit.id, ward);
  assert.equal(o.date, today());
  const codes = o.items.map((x) => x.code);
  for (const c of ['T1', 'T2a', 'T2b', 'T3', 'T4', 'T5', 'T6', 'M1', 'M2', 'M3', 'M4', 'C1']) assert.ok(codes.includes(c), `${c} missing`);
  for (const it of o.items) {
    assert.ok(Number.isInteger(it.numerator) && Number.isInteger(it.denominator) && it.numerator <= it.denominator, JSON.stringify(it));
    if (it.denominator > 0) assert.equal(it.percent, Math.round((1000 * it.numerator) / it.denominator) / 10, it.code);
    else assert.equal(it.percent, null, it.code);
    if (it.target !== null && it.percent !== null) {
      assert.equal(it.met, it.percent >= it.target, it.code);
      assert.equal(it.gap, it.met ? 0 : Math.round(10 * (it.target - it.percent)) / 10, it.code);
    }
  }
  const year = Number(o.date.slice(0, 4));
  if (year >= 2026) assert.equal(byCode(o).T3.target, 100);
  // 2025 had its own targets.
  const o25 = await srv.getJSON(admin, `/api/v1/indicators?unit=${ward}&date=2025-12-31`);
  assert.equal(o25.date, '2025-12-31');
  assert.equal(byCode(o25).T3.target, 80);
  assert.equal(byCode(o25).T2b.target, null);
});

test('the figures agree with Gia đình số and the VNeID worklist of the same unit', async () => {
  const o = byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${tdp1}`));
  const fam = await srv.getJSON(admin, `/api/v1/families?unit_id=${tdp1}`);
  assert.deepEqual([o.M3.numerator, o.M3.denominator], [fam.counted, fam.households]);
  const wl = await srv.getJSON(admin, `/api/v1/vneid/worklist?unit_id=${tdp1}&per_page=1`);
  assert.equal(o.M4.denominator - o.M4.numerator, wl.total);
});

test('a new tổ: adults, a VNeID confirmation counted from its date, a tổ officer sees their own tổ by default', async () => {
  const hh = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: fresh, address: `Số 1 ngõ ${tag}` } });
  assert.equal(hh.status, 201, hh.text);
  const ids = [];
  for (const [name, birth] of [['Một', '1970-03-03'], ['Hai', '1985-04-04'], ['Ba', '1999-05-05'], ['Bé', '2018-06-06']]) {
    const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `Người Thử ${name} ${tag}`, unit_id: fresh, birth_date: birth, household_id: hh.json.id } });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  const c = await srv.request('POST', `/api/v1/residents/${ids[1]}/confirmations`, { session: admin, body: { kind: 'vneid', confirmed_on: '2026-01-05' } });
  assert.equal(c.status, 201, c.text);
  let o = byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${fresh}&date=2026-02-01`));
  assert.deepEqual([o.T3.numerator, o.T3.denominator], [1, 3]); // the child is no adult
  assert.deepEqual([o.T4.numerator, o.T4.denominator], [1, 3]);
  assert.deepEqual([o.M3.numerator, o.M3.denominator], [1, 1]);
  assert.deepEqual([o.T1.numerator, o.T1.denominator, o.T1.percent], [0, 0, null]);
  o = byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${fresh}&date=2026-01-04`));
  assert.deepEqual([o.T4.numerator, o.T4.denominator], [0, 3]);
  // The ward's figure holds the new tổ's.
  const w = byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${ward}&date=2026-02-01`));
  assert.ok(w.T4.numerator >= 1 && w.T3.denominator >= 3, JSON.stringify(w.T3));
  // tdp01's default unit is their tổ.
  const mine = await srv.getJSON(tdp01, '/api/v1/indicators');
  assert.equal(mine.unit.id, tdp1);
});

test('bad input and scope: a clear 4xx naming the field', async () => {
  expectError(assert, await srv.request('GET', `/api/v1/indicators?unit=${ward}&date=2026-02-30`, { session: admin }), 400, undefined, 'date');
  expectError(assert, await srv.request('GET', `/api/v1/indicators?unit=${ward}&date=2999-01-01`, { session: admin }), 400, 'invalid_value', 'date');
  expectError(assert, await srv.request('GET', `/api/v1/indicators?unit=${ward}&date=01/02/2026`, { session: admin }), 400, undefined, 'date');
  expectError(assert, await srv.request('GET', '/api/v1/indicators?unit=987654321', { session: admin }), 404);
  expectError(assert, await srv.request('GET', `/api/v1/indicators?unit=${ward}`, { session: tdp01 }), 403, undefined, 'unit');
  expectError(assert, await srv.request('GET', `/api/v1/indicators?unit=${tdp1}`, { session: helper }), 403);
  expectError(assert, await srv.request('GET', '/api/v1/indicators'), 401);
});

test('an admin defines an indicator from the building blocks; it is computed like the plan\'s, retired when no longer used', async () => {
  const body = { code: `CT${tag}`.slice(0, 20), name: 'Người cao tuổi đã học', definition: { base: 'people', population: { group: 'elderly' }, condition: { fact: 'learned' } }, targets: { 2026: 50 } };
  const r = await srv.request('POST', '/api/v1/indicators/definitions', { session: admin, body });
  assert.equal(r.status, 201, r.text);
  const list = await srv.getJSON(admin, '/api/v1/indicators/definitions?per_page=100');
  const mine = list.items.find((x) => x.code === body.code);
  assert.deepEqual([mine.id, mine.builtin, mine.active, mine.targets], [r.json.id, false, true, { 2026: 50 }]);
  assert.deepEqual(mine.definition, body.definition);
  assert.ok(list.items.find((x) => x.code === 'T3' && x.builtin && x.id === null));
  // An elderly resident of the new tổ, confirmed: counted.
  const hh = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: fresh, address: `Số 9 ngõ ${tag}` } });
  const p = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `Cụ Thử ${tag}`, unit_id: fresh, birth_date: '1950-01-01', household_id: hh.json.id } });
  assert.equal(p.status, 201, p.text);
  let o = byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${fresh}&date=2026-02-01`));
  const before = o[body.code];
  assert.equal(before.builtin, false);
  assert.equal(before.target, 50);
  assert.ok(before.denominator >= 1);
  const c = await srv.request('POST', `/api/v1/residents/${p.json.id}/confirmations`, { session: admin, body: { kind: 'national_platform', confirmed_on: '2026-01-20' } });
  assert.equal(c.status, 201, c.text);
  o = byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${fresh}&date=2026-02-01`));
  assert.deepEqual([o[body.code].numerator, o[body.code].denominator], [before.numerator + 1, before.denominator]);
  // Its target changed, then retired: no longer in the figures, still listed.
  const u = await srv.request('PUT', `/api/v1/indicators/definitions/${r.json.id}`, { session: admin, body: { targets: { 2026: 70 } } });
  assert.equal(u.status, 200, u.text);
  assert.equal(byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${fresh}`))[body.code].target, 70);
  const off = await srv.request('PUT', `/api/v1/indicators/definitions/${r.json.id}`, { session: admin, body: { active: false } });
  assert.equal(off.status, 200, off.text);
  assert.equal(byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${fresh}`))[body.code], undefined);
  assert.equal((await srv.getJSON(admin, '/api/v1/indicators/definitions?per_page=100')).items.find((x) => x.code === body.code).active, false);
});

test('a definition that refers to nothing, has an empty population or loops: 400 naming the field, nothing stored', async () => {
  const count = async () => (await srv.getJSON(admin, '/api/v1/indicators/definitions?per_page=100')).total;
  const n0 = await count();
  const post = (code, definition) => srv.request('POST', '/api/v1/indicators/definitions', { session: admin, body: { code, name: 'Thử', definition } });
  expectError(assert, await post('X1', { base: 'people', population: { group: 'pilots' }, condition: { fact: 'learned' } }), 400, 'invalid_value', 'definition.population');
  expectError(assert, await post('X1', { base: 'people', condition: { fact: 'flies' } }), 400, 'invalid_value', 'definition.condition');
  expectError(assert, await post('X1', { base: 'cats', condition: { fact: 'learned' } }), 400, 'invalid_value', 'definition.base');
  expectError(assert, await post('X1', { base: 'people', condition: { indicator: 'T99' } }), 400, 'invalid_value', 'definition.condition');
  let e = expectError(assert, await post('X1', { base: 'people', population: { all: [{ group: 'adults' }, { not: { group: 'adults' } }] }, condition: { fact: 'learned' } }), 400, 'invalid_value', 'definition.population');
  assert.match(e.message, /không thể có ai/);
  e = expectError(assert, await post('X1', { base: 'people', condition: { indicator: 'X1' } }), 400, 'invalid_value', 'definition.condition');
  assert.match(e.message, /vòng lặp/);
  expectError(assert, await post('T3', { base: 'people', condition: { fact: 'learned' } }), 409, 'conflict', 'code');
  expectError(assert, await post('1abc', { base: 'people', condition: { fact: 'learned' } }), 400, 'invalid_value', 'code');
  // A loop through two: A uses T3's learners, B uses A; then A changed to use B.
  const a = await post(`A${tag}`.slice(0, 20), { base: 'people', population: { indicator: 'T3' }, condition: { fact: 'vneid_level2' } });
  assert.equal(a.status, 201, a.text);
  const b = await post(`B${tag}`.slice(0, 20), { base: 'people', population: { indicator: `A${tag}`.slice(0, 20) }, condition: { fact: 'certified' } });
  assert.equal(b.status, 201, b.text);
  e = expectError(assert, await srv.request('PUT', `/api/v1/indicators/definitions/${a.json.id}`, { session: admin, body: { definition: { base: 'people', condition: { indicator: `B${tag}`.slice(0, 20) } } } }), 400, 'invalid_value', 'definition.condition');
  assert.match(e.message, /vòng lặp/);
  // A changed to another base would break B: refused too.
  expectError(assert, await srv.request('PUT', `/api/v1/indicators/definitions/${a.json.id}`, { session: admin, body: { definition: { base: 'households', condition: { fact: 'has_learner' } } } }), 400, 'invalid_value', 'definition');
  expectError(assert, await post(`A${tag}`.slice(0, 20), { base: 'people', condition: { fact: 'learned' } }), 409, 'conflict', 'code');
  expectError(assert, await srv.request('PUT', '/api/v1/indicators/definitions/987654321', { session: admin, body: { targets: { 2026: 1 } } }), 404);
  expectError(assert, await srv.request('PUT', `/api/v1/indicators/definitions/${a.json.id}`, { session: admin, body: { targets: { 1999: 50 } } }), 400, 'invalid_value', 'targets');
  expectError(assert, await srv.request('PUT', `/api/v1/indicators/definitions/${a.json.id}`, { session: admin, body: { targets: { 2026: 150 } } }), 400, 'invalid_value', 'targets');
  assert.equal(await count(), n0 + 2);
  // Only indicators.write defines one.
  expectError(assert, await srv.request('POST', '/api/v1/indicators/definitions', { session: tdp01, body: { code: 'Y1', name: 'Thử', definition: { base: 'people', condition: { fact: 'learned' } } } }), 403);
  assert.equal(await count(), n0 + 2);
});

test('ranking the units below by an indicator: best first, ties share a rank, nobody to count comes last unranked', async () => {
  const mk = async (name) => {
    const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: await groupKind(srv, admin), name: `${name} ${tag}` } });
    assert.equal(u.status, 201, u.text);
    return u.json.id;
  };
  const [a, b, c, d] = [await mk('Tổ xếp hạng A'), await mk('Tổ xếp hạng B'), await mk('Tổ xếp hạng C'), await mk('Tổ xếp hạng D')];
  const people = async (unit, n, confirmed) => {
    const hh = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: unit, address: `Số ${unit} ngõ Xếp Hạng` } });
    assert.equal(hh.status, 201, hh.text);
    for (let i = 0; i < n; i++) {
      const p = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `Người Xếp Hạng ${'ABCDEF'[i]} ${tag}`, unit_id: unit, birth_date: '1980-01-01', household_id: hh.json.id } });
      assert.equal(p.status, 201, p.text);
      if (i < confirmed) assert.equal((await srv.request('POST', `/api/v1/residents/${p.json.id}/confirmations`, { session: admin, body: { kind: 'vneid', confirmed_on: '2026-01-05' } })).status, 201);
    }
  };
  await people(a, 2, 1);
  await people(b, 2, 2);
  await people(c, 4, 2);
  const r = await srv.getJSON(admin, `/api/v1/indicators/ranking?code=T4&unit=${ward}&date=2026-02-01`);
  assert.equal(r.indicator.code, 'T4');
  assert.equal(r.indicator.target, 100);
  const at = (id) => r.items.findIndex((x) => x.unit_id === id);
  const row = (id) => r.items[at(id)];
  assert.deepEqual([row(a).numerator, row(a).denominator, row(a).percent], [1, 2, 50]);
  assert.deepEqual([row(b).numerator, row(b).denominator, row(b).percent, row(b).met, row(b).gap], [2, 2, 100, true, 0]);
  assert.deepEqual([row(c).numerator, row(c).denominator, row(c).percent, row(c).gap], [2, 4, 50, 50]);
  assert.ok(at(b) < at(c) && at(c) < at(a), 'best first; at the same percentage, more counted first');
  assert.ok(row(b).rank < row(c).rank);
  assert.equal(row(c).rank, row(a).rank, 'ties share a rank');
  assert.deepEqual([row(d).denominator, row(d).percent, row(d).rank], [0, null, null]);
  for (const x of r.items.slice(at(d))) assert.equal(x.rank, null, 'after the first unranked, none is ranked');
  // Ranks are 1-based positions of the first of each tie.
  r.items.forEach((x, i) => { if (x.rank !== null && (i === 0 || r.items[i - 1].percent !== x.percent)) assert.equal(x.rank, i + 1); });
  // Commendation candidates by criteria the ward sets, among the same units.
  const rule = async (name, r) => {
    const x = await srv.request('POST', '/api/v1/commendations/rules', { session: admin, body: { name, rule: r } });
    assert.equal(x.status, 201, x.text);
    return x.json.id;
  };
  const top = await rule('Đứng đầu về xác nhận VNeID', { kind: 'top', code: 'T4', count: 1 });
  const atLeast = await rule('Từ 50% được xác nhận', { kind: 'at_least', code: 'T4', percent: 50 });
  const allMet = await rule('Đạt chỉ tiêu VNeID', { kind: 'all_met', codes: ['T4'] });
  const cm = await srv.getJSON(admin, `/api/v1/commendations?unit=${ward}&date=2026-02-01`);
  const cands = (id) => cm.rules.find((x) => x.id === id).candidates.map((x) => x.unit_id);
  assert.ok(cands(top).includes(b) && !cands(top).includes(a) && !cands(top).includes(c) && !cands(top).includes(d), JSON.stringify(cm.rules));
  assert.ok([a, b, c].every((u) => cands(atLeast).includes(u)) && !cands(atLeast).includes(d));
  assert.ok(cands(allMet).includes(b) && !cands(allMet).includes(a) && !cands(allMet).includes(c) && !cands(allMet).includes(d));
  expectError(assert, await srv.request('POST', '/api/v1/commendations/rules', { session: admin, body: { name: 'Thử', rule: { kind: 'best' } } }), 400, 'invalid_value', 'rule.kind');
  expectError(assert, await srv.request('POST', '/api/v1/commendations/rules', { session: admin, body: { name: 'Thử', rule: { kind: 'top', code: 'T99', count: 1 } } }), 400, 'invalid_value', 'rule.code');
  expectError(assert, await srv.request('POST', '/api/v1/commendations/rules', { session: admin, body: { name: 'Thử', rule: { kind: 'top', code: 'T4', count: 0 } } }), 400, 'invalid_value', 'rule.count');
  expectError(assert, await srv.request('POST', '/api/v1/commendations/rules', { session: tdp01, body: { name: 'Thử', rule: { kind: 'top', code: 'T4', count: 1 } } }), 403);
  expectError(assert, await srv.request('GET', `/api/v1/indicators/ranking?code=T99&unit=${ward}`, { session: admin }), 404, 'not_found', 'code');
  // A unit with nothing below it: an empty ranking (the sanitizer build caught a sort of nothing).
  const none = await srv.getJSON(admin, `/api/v1/indicators/ranking?code=T4&unit=${d}`);
  assert.deepEqual(none.items, []);
  expectError(assert, await srv.request('GET', `/api/v1/indicators/ranking?code=T4&unit=${ward}`, { session: tdp01 }), 403, undefined, 'unit');
});

test('history: the server keeps the last quarter\'s figures as they were; trends by quarter', async () => {
  const now = new Date(Date.now() + 7 * 3600 * 1000);
  let y = now.getUTCFullYear(), q = Math.floor(now.getUTCMonth() / 3);
  if (q === 0) { y -= 1; q = 4; }
  const last = `${y}-Q${q}`;
  // The housekeeper takes it when the server starts: wait for it (bounded).
  let h;
  for (let i = 0; i < 50; i++) {
    h = await srv.getJSON(admin, `/api/v1/indicators/history?code=T3&unit=${ward}`);
    if (h.items.some((x) => x.quarter === last)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const kept = h.items.find((x) => x.quarter === last);
  assert.ok(kept, JSON.stringify(h));
  assert.equal(h.indicator.code, 'T3');
  assert.match(kept.date, /^\d{4}-(03-31|06-30|09-30|12-31)$/);
  // A new adult resident dated nothing: today's figure for that day moves, the quarter's does not.
  const hh = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: fresh, address: `Số 5 ngõ Lịch Sử ${tag}` } });
  const p = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `Người Sau Quý ${tag}`, unit_id: fresh, birth_date: '1970-01-01', household_id: hh.json.id } });
  assert.equal(p.status, 201, p.text);
  const live = byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${ward}&date=${kept.date}`));
  assert.ok(live.T3.denominator > kept.denominator, `live ${live.T3.denominator} vs kept ${kept.denominator}`);
  const again = (await srv.getJSON(admin, `/api/v1/indicators/history?code=T3&unit=${ward}`)).items.find((x) => x.quarter === last);
  assert.deepEqual(again, kept);
  expectError(assert, await srv.request('GET', `/api/v1/indicators/history?code=T99&unit=${ward}`, { session: admin }), 404, 'not_found', 'code');
  expectError(assert, await srv.request('GET', `/api/v1/indicators/history?code=T3&unit=${ward}`, { session: tdp01 }), 403, undefined, 'unit');
});

test('the public board: no log-in, the ward\'s figures only (no person, no tổ), kept for five minutes', async () => {
  const r = await srv.request('GET', '/api/v1/board');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['cache-control'], /public, max-age=60/);
  const b = r.json;
  assert.equal(b.unit.id, ward);
  for (const it of b.items) assert.deepEqual(Object.keys(it).sort(), ['code', 'denominator', 'met', 'name', 'numerator', 'percent', 'target']);
  const live = byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${ward}`));
  for (const it of b.items.filter((x) => x.code === 'T6' || x.code === 'M2')) // figures no test of this file changes
    assert.deepEqual([it.numerator, it.denominator], [live[it.code].numerator, live[it.code].denominator], it.code);
  assert.ok(b.items.every((x) => /^(T|M|C)/.test(x.code)), 'the plan\'s indicators only');
  const again = (await srv.request('GET', '/api/v1/board')).json;
  assert.equal(again.computed_at, b.computed_at, 'kept, not counted again');
  expectError(assert, await srv.request('GET', `/api/v1/board?unit=${tdp1}`), 404, 'not_found', 'unit');
  expectError(assert, await srv.request('GET', '/api/v1/board?unit=987654321'), 404, 'not_found', 'unit');
});

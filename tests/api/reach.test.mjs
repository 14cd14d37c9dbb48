// reach.test.mjs: Gia đình số and VNeID coverage over real HTTP (issue 9, parts 3 and 10). A household
// counts when a living member holds a valid certificate or a confirmation from outside: one whose only
// learner's certificate was revoked, or whose only learner was deleted, drops out of the count and onto
// the teams' list; counts per tổ dân phố and for the scope; the list is paginated and a field helper
// sees only their tổ. VNeID: residents by level per tổ for the police (identity.read), the adults
// (groups.h) without level 2 as a worklist; a field helper has the worklist of their tổ, not the
// figures; every unit out of scope is a 403 naming unit_id. SQLite, or PostgreSQL with
// HOCVUSO_TEST_PG_DIR.
// Owns: its server, the tổ dân phố, households, people and accounts it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, finish, uniq, expectError, groupKind, hocvuso, storeArgs, REPO_ROOT } from './lib/server.mjs';

let srv, admin, helper, tdp01, hocvien, congan;
let ward, tdp1, tdp2, fresh;
const tag = uniq('g').replace(/[^a-z]/g, '');
let n = 0;
const letters = () => { n++; return `${'abcdefghij'[n % 10]}${'klmnopqrst'[Math.floor(n / 10) % 10]}`; };

async function household(unit) {
  const r = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: unit, address: `Số ${n + 1} ngõ Thử ${tag}` } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function person(unit, hh, birth = '1970-01-01', extra = {}) {
  const body = { full_name: `Người Thử ${letters()} ${tag}`, unit_id: unit, birth_date: birth, ...extra };
  if (hh) body.household_id = hh;
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function confirm(id) {
  const r = await srv.request('POST', `/api/v1/residents/${id}/confirmations`, { session: admin, body: { kind: 'vneid', confirmed_on: '2026-01-05' } });
  assert.equal(r.status, 201, r.text);
}
function row(summary, unit) {
  return summary.by_unit.find((x) => x.unit_id === unit);
}
async function leftIds(session, query = '') {
  const out = [];
  for (let page = 1; ; page++) {
    const r = await srv.getJSON(session, `/api/v1/families/left?per_page=2&page=${page}${query}`);
    out.push(...r.items.map((x) => x.id));
    if (page * 2 >= r.total) return { ids: out, total: r.total };
  }
}

// A certificate of the person, earned through their own account: a one-question quiz of a module the
// programme asks for, passed.
async function certify(personId, unit) {
  const username = `gd.${tag}.${n}`.slice(0, 32);
  const u = await srv.request('POST', '/api/v1/users', { session: admin, body: { username, display_name: 'Người Học Thử', password: 'Mat-khau-gia-dinh-1', unit_id: unit } });
  assert.equal(u.status, 201, u.text);
  assert.equal((await srv.request('POST', `/api/v1/users/${u.json.id}/roles`, { session: admin, body: { role: 'learner', unit_id: unit } })).status, 201);
  const l = await srv.request('PUT', `/api/v1/users/${u.json.id}/person`, { session: admin, body: { person_id: personId } });
  assert.equal(l.status, 200, l.text);
  const s = await srv.login(username, 'Mat-khau-gia-dinh-1');
  const st = await srv.request('POST', `/api/v1/quizzes/${quizId}/attempts`, { session: s });
  assert.ok([200, 201].includes(st.status), st.text);
  const done = await srv.request('POST', `/api/v1/attempts/${st.json.id}/submit`, { session: s, body: { answers: [true] } });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.certificates.length, 1, done.text);
  return done.json.certificates[0].id;
}
let quizId;

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  helper = await srv.login('tinhnguyen');
  tdp01 = await srv.login('tdp01');
  hocvien = await srv.login('hocvien');
  congan = await srv.login('congan');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: await groupKind(srv, admin), name: `Tổ gia đình số ${tag}`, code: `GD-${tag}`.slice(0, 30) } });
  assert.equal(u.status, 201, u.text);
  fresh = u.json.id;
  // A programme whose one module a one-question quiz covers (the curriculum names the modules).
  const cur = await hocvuso(['import', 'curriculum', ...storeArgs(srv.dataDir, srv.dbUri), join(REPO_ROOT, 'content', 'curriculum')]);
  assert.equal(cur.code, 0, cur.stderr);
  const q = await srv.request('POST', '/api/v1/questions/import', { session: admin, rawBody: Buffer.from(`$CATEGORY: KNS-CB/M01/gia-dinh/1.1/1\n\n::Gia đình ${tag}::Câu hỏi gia đình số ${tag}?{T}\n`) });
  assert.equal(q.status, 200, q.text);
  const qz = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: `Gia đình số ${tag}`, category: 'KNS-CB/M01/gia-dinh', question_count: 1, pass_percent: 100 } });
  assert.equal(qz.status, 201, qz.text);
  quizId = qz.json.id;
  const pg = await srv.request('POST', '/api/v1/programmes', { session: admin, body: { code: `GD${tag}`.slice(0, 40).replace(/[^A-Za-z0-9]/g, ''), title: 'Gia đình số thử', requirements: { modules: ['KNS-CB/M01'] } } });
  assert.equal(pg.status, 201, pg.text);
});
after(async () => finish(srv, assert));

test('Gia đình số: a valid certificate or a confirmation counts; a revoked certificate, a deleted learner, nobody do not', async () => {
  const hCert = await household(fresh);
  const certified = await person(fresh, hCert);
  await person(fresh, hCert, '2016-05-05');
  const certId = await certify(certified, fresh);
  const hConf = await household(fresh);
  await confirm(await person(fresh, hConf, '1950-02-02'));
  const hNone = await household(fresh);
  await person(fresh, hNone);
  const hGone = await household(fresh);
  const gone = await person(fresh, hGone);
  await confirm(gone);
  await person(fresh, hGone);
  await household(fresh); // nobody lives there: in no figure

  let s = await srv.getJSON(admin, `/api/v1/families?unit_id=${fresh}`);
  assert.match(s.rule, /chứng nhận còn hiệu lực/);
  assert.deepEqual([s.households, s.counted, s.not_counted], [4, 3, 1]);
  assert.equal(s.percent, 75);
  assert.deepEqual(row(s, fresh), { unit_id: fresh, name: `Tổ gia đình số ${tag}`, households: 4, counted: 3, not_counted: 1, percent: 75 });
  assert.deepEqual((await leftIds(admin, `&unit_id=${fresh}`)).ids, [hNone]);

  // The only learner deleted: the household drops out of the count and onto the list.
  assert.equal((await srv.request('DELETE', `/api/v1/residents/${gone}`, { session: admin })).status, 204);
  // The only certificate revoked: the same.
  const rv = await srv.request('POST', `/api/v1/certificates/${certId}/revoke`, { session: admin, body: { reason: 'Cấp nhầm (kiểm thử)' } });
  assert.equal(rv.status, 200, rv.text);
  s = await srv.getJSON(admin, `/api/v1/families?unit_id=${fresh}`);
  assert.deepEqual([s.households, s.counted, s.not_counted], [4, 1, 3]);
  const left = await leftIds(admin, `&unit_id=${fresh}`);
  assert.equal(left.total, 3);
  assert.deepEqual([...left.ids].sort((a, b) => a - b), [hCert, hNone, hGone].sort((a, b) => a - b));
  const page = await srv.getJSON(admin, `/api/v1/families/left?unit_id=${fresh}&per_page=2`);
  assert.deepEqual([page.page, page.per_page, page.total, page.items.length], [1, 2, 3, 2]);
  const it = page.items[0];
  assert.deepEqual(Object.keys(it).sort(), ['address', 'code', 'id', 'members', 'unit_id', 'unit_name']);
  assert.equal(it.unit_id, fresh);
  // A confirmation brings a household back.
  await confirm(await person(fresh, hNone, '1990-03-03'));
  s = await srv.getJSON(admin, `/api/v1/families?unit_id=${fresh}`);
  assert.equal(s.counted, 2);
  // The ward's figure is the sum of its tổ.
  const w = await srv.getJSON(admin, '/api/v1/families');
  assert.equal(w.households, w.by_unit.reduce((t, x) => t + x.households, 0));
  assert.equal(w.counted, w.by_unit.reduce((t, x) => t + x.counted, 0));
});

test('Gia đình số: a field helper sees only their tổ; another tổ is a 403 naming unit_id; a learner nothing', async () => {
  const h1 = await household(tdp1);
  await person(tdp1, h1);
  const h2 = await household(tdp2);
  await person(tdp2, h2);
  const s = await srv.getJSON(helper, '/api/v1/families');
  assert.deepEqual(s.by_unit.map((x) => x.unit_id), [tdp1]);
  const left = await leftIds(helper);
  assert.ok(left.ids.includes(h1));
  assert.ok(!left.ids.includes(h2));
  expectError(assert, await srv.request('GET', `/api/v1/families?unit_id=${tdp2}`, { session: helper }), 403, 'forbidden', 'unit_id');
  expectError(assert, await srv.request('GET', `/api/v1/families/left?unit_id=${fresh}`, { session: helper }), 403, 'forbidden', 'unit_id');
  expectError(assert, await srv.request('GET', '/api/v1/families', { session: hocvien }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/families/left?per_page=500', { session: admin }), 400, undefined, 'per_page');
});

test('VNeID: residents by level per tổ for the police; the adults without level 2 are the worklist', async () => {
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: await groupKind(srv, admin), name: `Tổ định danh ${tag}`, code: `DD-${tag}`.slice(0, 30) } });
  assert.equal(u.status, 201, u.text);
  const t = u.json.id;
  const hh = await household(t);
  const today = new Date(Date.now() + 7 * 3600e3);
  const y = today.getUTCFullYear();
  const iso = (yy, m, d) => `${yy}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const a0 = await person(t, hh, '1960-01-01', { vneid_level: 0 });
  const a1 = await person(t, hh, '1985-06-01', { vneid_level: 1 });
  await person(t, hh, '1990-06-01', { vneid_level: 2 });
  // 18 on 1 January of this year; and 17 (turns 18 next year): only the first is an adult.
  const e18 = await person(t, hh, iso(y - 18, 1, 1), { vneid_level: 1 });
  await person(t, hh, iso(y - 17, 12, 31), { vneid_level: 0 });
  await person(t, 0, '1950-01-01', { vneid_level: 0 }); // no household: not a resident adult (groups.h)

  // The police, granted on the ward (by the operator: a ward admin holds no identity.write to give),
  // read the figures.
  const name = `ca.${tag}`.slice(0, 30);
  const add = await hocvuso(['user', 'add', name, '--name', 'Công An Thử', '--unit', 'HP-HD', '--password-stdin', ...storeArgs(srv.dataDir, srv.dbUri)], { input: 'Mat-khau-cong-an-1\n' });
  assert.equal(add.code, 0, add.stderr);
  const grant = await hocvuso(['user', 'grant', name, 'police', 'HP-HD', ...storeArgs(srv.dataDir, srv.dbUri)]);
  assert.equal(grant.code, 0, grant.stderr);
  const police = await srv.login(name, 'Mat-khau-cong-an-1');
  const c = await srv.getJSON(police, `/api/v1/vneid/coverage?unit_id=${t}`);
  assert.equal(c.by_unit.length, 1);
  const r = c.by_unit[0];
  assert.deepEqual([r.residents, r.level0, r.level1, r.level2, r.adults, r.adults_without_level2], [6, 3, 2, 1, 4, 3]);
  assert.deepEqual([c.residents, c.adults_without_level2], [6, 3]);
  const whole = await srv.getJSON(police, '/api/v1/vneid/coverage');
  assert.ok(whole.by_unit.some((x) => x.unit_id === t) && whole.by_unit.some((x) => x.unit_id === tdp1));
  assert.equal(whole.residents, whole.by_unit.reduce((s, x) => s + x.residents, 0));
  // The demo's police account is granted on the police unit alone: no tổ in its scope.
  assert.deepEqual((await srv.getJSON(congan, '/api/v1/vneid/coverage')).by_unit, []);

  const wl = await srv.getJSON(police, `/api/v1/vneid/worklist?unit_id=${t}&per_page=2`);
  assert.equal(wl.total, 3);
  assert.equal(wl.items.length, 2);
  const all = await srv.getJSON(police, `/api/v1/vneid/worklist?unit_id=${t}&per_page=50`);
  assert.deepEqual(all.items.map((x) => x.id).sort((a, b) => a - b), [a0, a1, e18].sort((a, b) => a - b));
  for (const x of all.items) {
    assert.ok(x.vneid_level < 2);
    assert.equal(x.unit_id, t);
    assert.equal(x.household_id, hh);
  }
  // Raised to level 2: off the list.
  assert.equal((await srv.request('PATCH', `/api/v1/residents/${a1}`, { session: admin, body: { vneid_level: 2 } })).status, 200);
  assert.equal((await srv.getJSON(police, `/api/v1/vneid/worklist?unit_id=${t}`)).total, 2);
});

test('VNeID: a field helper has the worklist of their tổ, not the figures; out of scope is a 403 naming unit_id', async () => {
  const hh = await household(tdp1);
  const mine = await person(tdp1, hh, '1975-01-01', { vneid_level: 1 });
  const h2 = await household(tdp2);
  const theirs = await person(tdp2, h2, '1975-01-01', { vneid_level: 0 });
  expectError(assert, await srv.request('GET', '/api/v1/vneid/coverage', { session: helper }), 403, 'forbidden');
  const ids = [];
  for (let page = 1; ; page++) {
    const r = await srv.getJSON(helper, `/api/v1/vneid/worklist?per_page=200&page=${page}`);
    ids.push(...r.items.map((x) => x.id));
    for (const x of r.items) assert.equal(x.unit_id, tdp1);
    if (page * 200 >= r.total) break;
  }
  assert.ok(ids.includes(mine));
  assert.ok(!ids.includes(theirs));
  expectError(assert, await srv.request('GET', `/api/v1/vneid/worklist?unit_id=${tdp2}`, { session: helper }), 403, 'forbidden', 'unit_id');
  expectError(assert, await srv.request('GET', `/api/v1/vneid/worklist?unit_id=${tdp2}`, { session: tdp01 }), 403, 'forbidden', 'unit_id');
  assert.ok((await srv.getJSON(tdp01, '/api/v1/vneid/worklist?per_page=200')).items.every((x) => x.unit_id === tdp1));
  expectError(assert, await srv.request('GET', '/api/v1/vneid/worklist', { session: hocvien }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/vneid/worklist?unit_id=987654321', { session: admin }), 404, 'not_found', 'unit_id');
});

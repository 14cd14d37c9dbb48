// field.test.mjs: Tổ công nghệ số cộng đồng over real HTTP (issue 9, part 1): the topic list an admin
// extends; a team per tổ dân phố with members from the registry; door-to-door visits (who was there,
// what was guided, each resident's outcome; who recorded it and when); the team's worklists (households
// not yet visited, residents left behind) and the coverage by tổ; finding a household by address or by a
// member's name typed without diacritics. Bad input: an unknown household, a visit dated in the future,
// an unknown topic, a person of another household, a helper writing outside their tổ (403, nothing
// stored); two helpers saving the same household at once both keep their visit.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic households, people, units and accounts it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError, groupKind } from './lib/server.mjs';

let srv, admin, tdp01, helper, helper2, hocvien;
let ward, tdp1, tdp2, team1, team2;
let hhA, hhB, hhOut; // two households of tổ 1, one of tổ 2
let adultA, childA, adultA2, adultB, adultOut;
const tag = uniq('f').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
const ADDR_A = `Số 12 ngõ Hòa Bình ${tag}`;

async function household(unit, address) {
  const r = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: unit, address } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function person(unit, hh, name, birth) {
  const r = await srv.request('POST', '/api/v1/residents', {
    session: admin, body: { full_name: name, unit_id: unit, household_id: hh, birth_date: birth },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
function visit(session, hh, body) {
  return srv.request('POST', `/api/v1/households/${hh}/visits`, { session, body });
}
async function visitsOf(hh) {
  return (await srv.getJSON(admin, `/api/v1/households/${hh}/visits`)).items;
}
async function worklist(session, team, list = 'households') {
  const all = [];
  for (let page = 1; ; page++) {
    const j = await srv.getJSON(session, `/api/v1/field/teams/${team}/worklist?list=${list}&per_page=200&page=${page}`);
    all.push(...j.items);
    if (all.length >= j.total || j.items.length === 0) return { total: j.total, items: all };
  }
}
function isoDay(offsetDays = 0) {
  return new Date(Date.now() + offsetDays * 86400000).toISOString().slice(0, 10);
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
  // A second field helper of tổ 1.
  const uname = `tnv${tag}`.slice(0, 30);
  const u = await srv.request('POST', '/api/v1/users', {
    session: admin, body: { username: uname, display_name: 'Đặng Thị Hòa', password: 'Mat-khau-tinh-nguyen-2', unit_id: tdp1 },
  });
  assert.equal(u.status, 201, u.text);
  const g = await srv.request('POST', `/api/v1/users/${u.json.id}/roles`, { session: admin, body: { role: 'field_helper', unit_id: tdp1 } });
  assert.equal(g.status, 201, g.text);
  helper2 = await srv.login(uname, 'Mat-khau-tinh-nguyen-2');
  hhA = await household(tdp1, ADDR_A);
  hhB = await household(tdp1, `Số 3 phố Quang Trung ${tag}`);
  hhOut = await household(tdp2, `Số 9 phố Ngọc Châu ${tag}`);
  adultA = await person(tdp1, hhA, `Nguyễn Thị Hương ${tag}`, '1958');
  childA = await person(tdp1, hhA, `Nguyễn Văn Tí ${tag}`, '2016');
  adultA2 = await person(tdp1, hhA, `Trần Văn Phúc ${tag}`, '1955');
  adultB = await person(tdp1, hhB, `Lê Văn Bảo ${tag}`, '1970');
  adultOut = await person(tdp2, hhOut, `Phạm Thị Ngọc ${tag}`, '1980');
  const teams = await srv.getJSON(admin, `/api/v1/field/teams?unit_id=${ward}&per_page=200`);
  team1 = teams.items.find((t) => t.unit_id === tdp1).id;
  team2 = teams.items.find((t) => t.unit_id === tdp2).id;
});
after(async () => finish(srv, assert));

test('topics: the seeded list with Vietnamese labels and the outcomes; an admin extends it, others may not', async () => {
  const j = await srv.getJSON(helper, '/api/v1/field/topics');
  const codes = j.items.map((t) => t.code);
  for (const c of ['smartphone', 'vneid', 'public_services', 'cashless', 'scam_awareness', 'ai', 'ecommerce']) assert.ok(codes.includes(c), c);
  assert.equal(j.items.find((t) => t.code === 'vneid').label, 'Kích hoạt định danh điện tử VNeID');
  assert.ok(j.outcomes.some((o) => o.code === 'vneid_level2' && o.label === 'Nâng định danh điện tử VNeID lên mức 2'));
  assert.ok(j.outcomes.some((o) => o.code === 'public_service_online'));
  const label = `Chữ ký số cá nhân ${tag}`;
  const r = await srv.request('POST', '/api/v1/field/topics', { session: admin, body: { label } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.label, label);
  assert.match(r.json.code, /^chu_ky_so_ca_nhan_/);
  const again = await srv.request('POST', '/api/v1/field/topics', { session: admin, body: { label } });
  expectError(assert, again, 409, 'conflict', 'label');
  expectError(assert, await srv.request('POST', '/api/v1/field/topics', { session: helper, body: { label: `Khác ${tag}` } }), 403, 'forbidden');
  expectError(assert, await srv.request('POST', '/api/v1/field/topics', { session: tdp01, body: { label: `Khác ${tag}` } }), 403, 'forbidden');
  const after2 = await srv.getJSON(helper, '/api/v1/field/topics');
  assert.ok(after2.items.some((t) => t.label === label));
});

test('teams: one per tổ dân phố (the demo made them); a helper sees only their own; a second team or a non-tổ is refused', async () => {
  const mine = await srv.getJSON(helper, '/api/v1/field/teams');
  assert.deepEqual(mine.items.map((t) => t.unit_id), [tdp1]);
  assert.equal(mine.total, 1);
  expectError(assert, await srv.request('GET', `/api/v1/field/teams/${team2}`, { session: helper }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('GET', '/api/v1/field/teams/2147480001', { session: helper }), 404, 'not_found', 'id');
  expectError(assert, await srv.request('POST', '/api/v1/field/teams', { session: admin, body: { unit_id: tdp1, name: 'Tổ thứ hai' } }), 409, 'conflict', 'unit_id');
  expectError(assert, await srv.request('POST', '/api/v1/field/teams', { session: admin, body: { unit_id: ward, name: 'Tổ của phường' } }), 400, 'invalid_value', 'unit_id');
  // A new tổ gets its team; the tổ 1 officer may not make one elsewhere.
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: await groupKind(srv, admin), name: `Tổ dân phố ${tag}` } });
  assert.equal(u.status, 201, u.text);
  expectError(assert, await srv.request('POST', '/api/v1/field/teams', { session: tdp01, body: { unit_id: u.json.id, name: 'Tổ mới' } }), 403, 'forbidden', 'unit_id');
  const t = await srv.request('POST', '/api/v1/field/teams', { session: admin, body: { unit_id: u.json.id, name: `Tổ công nghệ số ${tag}` } });
  assert.equal(t.status, 201, t.text);
  assert.equal(t.json.unit_id, u.json.id);
  assert.deepEqual(t.json.members, []);
  assert.equal(t.json.created_by, 'Quản trị phường Hải Dương');
});

test('members come from the registry: added by an officer of the tổ, a person out of scope refused, a helper may not add', async () => {
  const r = await srv.request('POST', `/api/v1/field/teams/${team1}/members`, { session: tdp01, body: { person_id: adultB, team_role: 'leader' } });
  assert.equal(r.status, 201, r.text);
  const m = r.json.members.find((x) => x.person_id === adultB);
  assert.equal(m.role, 'leader');
  assert.equal(m.full_name, `Lê Văn Bảo ${tag}`);
  assert.equal(m.username, null);
  const again = await srv.request('POST', `/api/v1/field/teams/${team1}/members`, { session: tdp01, body: { person_id: adultB, team_role: 'member' } });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.members.find((x) => x.person_id === adultB).role, 'member');
  expectError(assert, await srv.request('POST', `/api/v1/field/teams/${team1}/members`, { session: tdp01, body: { person_id: adultOut } }), 403, 'forbidden', 'person_id');
  expectError(assert, await srv.request('POST', `/api/v1/field/teams/${team2}/members`, { session: tdp01, body: { person_id: adultB } }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('POST', `/api/v1/field/teams/${team1}/members`, { session: helper, body: { person_id: adultB } }), 403, 'forbidden');
  expectError(assert, await srv.request('POST', `/api/v1/field/teams/${team1}/members`, { session: tdp01, body: { person_id: adultB, team_role: 'boss' } }), 400, 'invalid_value', 'team_role');
  expectError(assert, await srv.request('POST', `/api/v1/field/teams/${team1}/members`, { session: tdp01, body: { person_id: 2147480001 } }), 404, 'not_found', 'person_id');
  const team = await srv.getJSON(helper, `/api/v1/field/teams/${team1}`);
  assert.ok(team.members.some((x) => x.person_id === adultB));
  assert.equal(team.members_count, team.members.length);
});

test('a helper logs a visit: date, residents present with their outcomes, topics; who and when are recorded', async () => {
  const before1 = await worklist(helper, team1);
  assert.ok(before1.items.some((h) => h.id === hhA), 'the household is on the worklist before its visit');
  const item = before1.items.find((h) => h.id === hhA);
  assert.equal(item.address, ADDR_A);
  assert.equal(item.members_count, 3);
  const lb0 = await worklist(helper, team1, 'residents');
  assert.ok(lb0.items.some((p) => p.id === adultA), 'an adult with nothing is left behind');
  assert.ok(!lb0.items.some((p) => p.id === childA), 'a child is not counted');
  assert.ok(lb0.items.some((p) => p.id === adultA2));
  const r = await visit(helper, hhA, {
    visited_on: isoDay(-1),
    topics: ['vneid', 'public_services'],
    present: [{ person_id: adultA, outcomes: ['vneid_level2', 'public_service_online'] }, { person_id: adultA2, outcomes: ['declined'] }, { person_id: childA }],
    note: 'Bà Hương đã nâng VNeID mức 2 tại nhà.',
  });
  assert.equal(r.status, 201, r.text);
  const v = r.json;
  assert.equal(v.household_id, hhA);
  assert.equal(v.unit_id, tdp1);
  assert.equal(v.visited_on, isoDay(-1));
  assert.equal(v.created_by, 'Lê Minh Châu');
  assert.ok(Math.abs(Date.parse(v.created_at) - Date.now()) < 120000);
  assert.deepEqual(v.topics.map((t) => t.code), ['vneid', 'public_services']);
  const pa = v.present.find((p) => p.person_id === adultA);
  assert.deepEqual(pa.outcomes.map((o) => o.code).sort(), ['public_service_online', 'vneid_level2']);
  assert.ok(pa.outcomes.some((o) => o.label === 'Nâng định danh điện tử VNeID lên mức 2'));
  assert.deepEqual(v.present.find((p) => p.person_id === childA).outcomes, []);
  // The worklists move: the household is visited; the resident with an outcome is no longer left
  // behind, the one who declined still is.
  const after1 = await worklist(helper, team1);
  assert.ok(!after1.items.some((h) => h.id === hhA));
  assert.equal(after1.total, before1.total - 1);
  const lb1 = await worklist(helper, team1, 'residents');
  assert.ok(!lb1.items.some((p) => p.id === adultA));
  assert.ok(lb1.items.some((p) => p.id === adultA2), 'declined does not take a resident off the list');
  // The read of the household's visits names its residents: it is logged.
  const list = await visitsOf(hhA);
  assert.equal(list[0].id, v.id);
  const audit = await srv.getJSON(admin, `/api/v1/audit?action=field.visit.create&entity_id=${hhA}&entity=household`);
  assert.ok(audit.items.some((a) => a.actor_username === 'tinhnguyen' || a.actor === 'tinhnguyen'), JSON.stringify(audit.items[0]));
  // The entry's detail: the visit, its date and how many residents were present (three).
  const mine = audit.items.find((a) => a.detail && a.detail.visit_id === v.id);
  assert.ok(mine, JSON.stringify(audit.items));
  assert.deepEqual(mine.detail, { visit_id: v.id, visited_on: isoDay(-1), present: 3 });
  // The answer is what a read of the visit gives (the same fields, the same values).
  assert.deepEqual(list.find((x) => x.id === v.id), v);
});

test('bad input: unknown household 404, a date in the future, an unknown topic or outcome, a person of another household: 400 and nothing stored', async () => {
  const n0 = (await visitsOf(hhB)).length;
  expectError(assert, await visit(helper, 2147480001, { topics: ['vneid'] }), 404, 'not_found', 'id');
  expectError(assert, await visit(helper, hhB, { visited_on: isoDay(2), topics: ['vneid'] }), 400, 'invalid_value', 'visited_on');
  expectError(assert, await visit(helper, hhB, { visited_on: '31/02/2026', topics: ['vneid'] }), 400, 'invalid_value', 'visited_on');
  expectError(assert, await visit(helper, hhB, { topics: ['khong_co'] }), 400, 'invalid_value', 'topics');
  expectError(assert, await visit(helper, hhB, { topics: [] }), 400, undefined, 'topics');
  expectError(assert, await visit(helper, hhB, { topics: ['vneid'], present: [{ person_id: adultA }] }), 400, 'invalid_value', 'present');
  expectError(assert, await visit(helper, hhB, { topics: ['vneid'], present: [{ person_id: adultB, outcomes: ['bay_len_troi'] }] }), 400, 'invalid_value', 'present');
  expectError(assert, await visit(helper, hhB, { topics: ['vneid'], present: [{ person_id: adultB }, { person_id: adultB }] }), 400, 'invalid_value', 'present');
  expectError(assert, await visit(helper, hhB, { topics: ['vneid'], present: [{ person_id: adultB, x: 1 }] }), 400, 'unknown_field', 'present');
  expectError(assert, await visit(helper, hhB, { topics: ['vneid'], extra: 1 }), 400, 'unknown_field', 'extra');
  assert.equal((await visitsOf(hhB)).length, n0);
});

test('a helper writing outside their area gets 403 and nothing is stored; a learner or an officer without field.write too', async () => {
  const n0 = (await visitsOf(hhOut)).length;
  expectError(assert, await visit(helper, hhOut, { topics: ['vneid'], present: [{ person_id: adultOut, outcomes: ['vneid_level2'] }] }), 403, 'forbidden', 'id');
  expectError(assert, await visit(hocvien, hhA, { topics: ['vneid'] }), 403, 'forbidden');
  expectError(assert, await visit(tdp01, hhA, { topics: ['vneid'] }), 403, 'forbidden');
  assert.equal((await visitsOf(hhOut)).length, n0);
  expectError(assert, await srv.request('GET', `/api/v1/households/${hhOut}/visits`, { session: helper }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('GET', `/api/v1/field/teams/${team2}/worklist`, { session: helper }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('GET', `/api/v1/field/households?unit_id=${tdp2}&q=ngoc`, { session: helper }), 403, 'forbidden', 'unit_id');
  // The admin's own visit out there works (field.write on the ward).
  const ok = await visit(admin, hhOut, { topics: ['cashless'], present: [{ person_id: adultOut, outcomes: ['cashless_setup'] }] });
  assert.equal(ok.status, 201, ok.text);
  assert.equal((await visitsOf(hhOut)).length, n0 + 1);
});

test('two helpers saving the same household on the same day at once: both visits kept, nothing lost', async () => {
  const n0 = (await visitsOf(hhB)).length;
  const day = isoDay(0);
  const [a, b] = await Promise.all([
    visit(helper, hhB, { visited_on: day, topics: ['smartphone'], present: [{ person_id: adultB, outcomes: ['smartphone_basics'] }] }),
    visit(helper2, hhB, { visited_on: day, topics: ['scam_awareness'], present: [{ person_id: adultB, outcomes: ['scam_aware'] }] }),
  ]);
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  assert.notEqual(a.json.id, b.json.id);
  const list = await visitsOf(hhB);
  assert.equal(list.length, n0 + 2);
  const mine = list.filter((v) => v.visited_on === day);
  assert.deepEqual(mine.map((v) => v.created_by).sort(), ['Lê Minh Châu', 'Đặng Thị Hòa'].sort());
  assert.deepEqual(mine.flatMap((v) => v.topics.map((t) => t.code)).sort(), ['scam_awareness', 'smartphone']);
});

test('many visits at once (the writer busy: queued and saved by its holder): each 201 with its own id and kept; one out of area 403, one bad 400, neither stored', async () => {
  const nB = (await visitsOf(hhB)).length, nA = (await visitsOf(hhA)).length, nOut = (await visitsOf(hhOut)).length;
  const day = isoDay(0);
  const good = [];
  for (let k = 0; k < 12; k++)
    for (const [who, hh, pid] of [[helper, hhB, adultB], [helper2, hhA, adultA], [admin, hhB, adultB]])
      good.push(visit(who, hh, { visited_on: day, note: `lượt ${k}`, topics: ['vneid', 'cashless'], present: [{ person_id: pid, outcomes: ['cashless_setup'] }] }));
  const out = visit(helper, hhOut, { topics: ['vneid'], present: [{ person_id: adultOut }] });
  const bad = visit(helper2, hhA, { topics: ['khong_co'] });
  const answers = await Promise.all(good);
  for (const a of answers) assert.equal(a.status, 201, a.text);
  assert.equal(new Set(answers.map((a) => a.json.id)).size, answers.length);
  expectError(assert, await out, 403, 'forbidden', 'id');
  expectError(assert, await bad, 400, 'invalid_value', 'topics');
  const listB = await visitsOf(hhB), listA = await visitsOf(hhA);
  assert.equal(listB.length, nB + 24);
  assert.equal(listA.length, nA + 12);
  assert.equal((await visitsOf(hhOut)).length, nOut);
  // Each answer is what a read of that visit gives.
  for (const a of answers) assert.deepEqual([...listA, ...listB].find((x) => x.id === a.json.id), a.json);
});

test('coverage by tổ dân phố: households visited over households, within the caller\'s scope', async () => {
  const all = await srv.getJSON(admin, `/api/v1/field/coverage?unit_id=${ward}`);
  const row = all.items.find((x) => x.unit_id === tdp1);
  assert.ok(row.households >= 2);
  assert.ok(row.visited >= 2, JSON.stringify(row));
  assert.equal(row.team_id, team1);
  assert.ok(Math.abs(row.share - row.visited / row.households) < 1e-9);
  assert.equal(all.households, all.items.reduce((s, x) => s + x.households, 0));
  const w = await worklist(admin, team1);
  assert.equal(w.total, row.households - row.visited, 'the worklist holds exactly the households not visited');
  const mine = await srv.getJSON(helper, '/api/v1/field/coverage');
  assert.deepEqual(mine.items.map((x) => x.unit_id), [tdp1]);
  expectError(assert, await srv.request('GET', `/api/v1/field/coverage?unit_id=${tdp2}`, { session: helper }), 403, 'forbidden', 'unit_id');
});

test('find a household by address or by a member\'s name typed without diacritics', async () => {
  const byAddr = await srv.getJSON(helper, `/api/v1/field/households?unit_id=${tdp1}&q=${encodeURIComponent(`hoa binh ${tag}`)}`);
  assert.deepEqual(byAddr.items.map((h) => h.id), [hhA]);
  const byName = await srv.getJSON(helper, `/api/v1/field/households?unit_id=${tdp1}&q=${encodeURIComponent(`huong ${tag}`)}`);
  assert.deepEqual(byName.items.map((h) => h.id), [hhA]);
  const byFull = await srv.getJSON(helper, `/api/v1/field/households?unit_id=${tdp1}&q=${encodeURIComponent(`NGUYEN THI HUONG ${tag}`)}`);
  assert.deepEqual(byFull.items.map((h) => h.id), [hhA]);
  const byStart = await srv.getJSON(helper, `/api/v1/field/households?unit_id=${tdp1}&q=${encodeURIComponent(`le van ba`)}`);
  assert.ok(byStart.items.some((h) => h.id === hhB));
  const none = await srv.getJSON(helper, `/api/v1/field/households?unit_id=${tdp1}&q=${encodeURIComponent(`ngoc ${tag}`)}`);
  assert.deepEqual(none.items, [], 'a household of tổ 2 is not found from tổ 1');
  expectError(assert, await srv.request('GET', `/api/v1/field/households?unit_id=${tdp1}`, { session: helper }), 400, undefined, 'q');
});

// Last: it stops the server. Visits in flight when SIGTERM comes (queued for the writes' combiner on
// SQLite) are all saved and answered, and the server exits cleanly: none is left in a queue.
test('visits in flight at SIGTERM: each answered 201 and kept, the server exits with 0', async () => {
  const nB = (await visitsOf(hhB)).length;
  const sent = [], written = [];
  const track = (req) => written.push(new Promise((r) => req.on('finish', r)));
  for (let k = 0; k < 30; k++)
    sent.push(srv.request('POST', `/api/v1/households/${hhB}/visits`, {
      session: k % 2 ? helper : admin, onRequest: track,
      body: { note: `tắt máy ${k}`, topics: ['vneid'], present: [{ person_id: adultB, outcomes: ['cashless_setup'] }] },
    }));
  await Promise.all(written); // every request is on its connection (accepted) before the signal
  await new Promise((res) => setTimeout(res, 20));
  srv.proc.kill('SIGTERM');
  const answers = await Promise.allSettled(sent);
  const bad = answers.map((a, i) => (a.status === 'fulfilled' ? (a.value.status === 201 ? null : `#${i}: ${a.value.status} ${a.value.text.slice(0, 120)}`) : `#${i}: ${a.reason.message}`)).filter(Boolean);
  assert.deepEqual(bad, [], 'every visit sent before SIGTERM is saved');
  const exit = await srv.exited;
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, srv.stderr.split('\n').slice(-40).join('\n'));
  await srv.spawn();
  assert.equal((await visitsOf(hhB)).length, nB + 30);
});

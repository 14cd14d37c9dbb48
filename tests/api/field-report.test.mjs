// field-report.test.mjs: a community digital team's report over real HTTP (issue 9, part 12): the
// activity of tổ 1's team in a week, a month and a quarter (visits, households, residents guided by
// topic, outcomes, who recorded), counted from visits made through the API on known dates; the same
// as an Excel workbook, read back (unzip, the sheet's XML) and its numbers checked against the JSON;
// a helper reads their own team's report and not another's; bad periods and dates named.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic households, people and visits it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, finish, uniq, expectError, run, tempDir, listAll } from './lib/server.mjs';

let srv, admin, helper;
let tdp1, tdp2, team1, team2;
const tag = uniq('r').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

async function household(unit, address) {
  const r = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: unit, address } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function person(unit, hh, name) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: name, unit_id: unit, household_id: hh, birth_date: '1960' } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function visit(session, hh, day, topics, present) {
  const r = await srv.request('POST', `/api/v1/households/${hh}/visits`, { session, body: { visited_on: day, topics, present } });
  assert.equal(r.status, 201, r.text);
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  helper = await srv.login('tinhnguyen');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  const teams = (await srv.getJSON(admin, '/api/v1/field/teams?per_page=200')).items;
  team1 = teams.find((t) => t.unit_id === tdp1).id;
  team2 = teams.find((t) => t.unit_id === tdp2).id;
  const h1 = await household(tdp1, `Số 1 ngõ Báo Cáo ${tag}`);
  const h2 = await household(tdp1, `Số 2 ngõ Báo Cáo ${tag}`);
  await household(tdp1, `Số 3 ngõ Báo Cáo ${tag}`); // never visited
  const a = await person(tdp1, h1, `Nguyễn Văn Báo ${tag}`);
  const b = await person(tdp1, h1, `Nguyễn Thị Cáo ${tag}`);
  const c = await person(tdp1, h2, `Trần Văn Kỳ ${tag}`);
  // October 2026: three visits (two by the helper, one by the admin), two households, three residents.
  await visit(helper, h1, '2026-10-05', ['vneid', 'smartphone'], [{ person_id: a, outcomes: ['vneid_level2'] }, { person_id: b, outcomes: ['declined'] }]);
  await visit(helper, h1, '2026-10-12', ['vneid'], [{ person_id: a, outcomes: ['public_service_online', 'vneid_level2'] }]);
  await visit(admin, h2, '2026-10-14', ['cashless'], [{ person_id: c, outcomes: ['cashless_setup'] }]);
  // Outside October: 30 September and 1 July (the third quarter), and a visit of tổ 2.
  await visit(helper, h2, '2026-09-30', ['scam_awareness'], [{ person_id: c, outcomes: ['scam_aware'] }]);
  await visit(helper, h2, '2026-07-01', ['ai'], []);
  const hOut = await household(tdp2, `Số 9 ngõ Khác ${tag}`);
  await visit(admin, hOut, '2026-10-06', ['vneid'], []);
});
after(async () => finish(srv, assert));

const byCode = (list) => Object.fromEntries(list.map((x) => [x.code, x]));

test('a month: visits, households, residents guided by topic, outcomes, who recorded; coverage at its end', async () => {
  const r = await srv.getJSON(helper, `/api/v1/field/teams/${team1}/report?period=month&date=2026-10-20`);
  assert.equal(r.label, 'Tháng 10/2026');
  assert.equal(r.from, '2026-10-01');
  assert.equal(r.to, '2026-10-31');
  assert.equal(r.team.unit_id, tdp1);
  assert.equal(r.visits, 3);
  assert.equal(r.households_visited, 2);
  assert.equal(r.residents_guided, 3);
  const t = byCode(r.by_topic);
  assert.deepEqual([t.vneid.visits, t.vneid.residents], [2, 2]);
  assert.deepEqual([t.smartphone.visits, t.smartphone.residents], [1, 2]);
  assert.deepEqual([t.cashless.visits, t.cashless.residents], [1, 1]);
  assert.equal(t.scam_awareness, undefined, 'September is not in October');
  const o = byCode(r.by_outcome);
  assert.equal(o.vneid_level2.residents, 1, 'one resident, counted once over two visits');
  assert.equal(o.public_service_online.residents, 1);
  assert.equal(o.cashless_setup.residents, 1);
  assert.equal(o.declined.residents, 1);
  assert.equal(o.scam_aware.residents, 0);
  assert.equal(o.vneid_level2.label, 'Nâng định danh điện tử VNeID lên mức 2');
  const helpers = Object.fromEntries(r.by_helper.map((x) => [x.name, x.visits]));
  assert.deepEqual(helpers, { 'Lê Minh Châu': 2, 'Quản trị phường Hải Dương': 1 });
  assert.deepEqual(r.coverage, { households: 3, visited: 2 });
  assert.equal(r.requests_closed, 0);
});

test('a week runs Monday to Sunday; a quarter is three months', async () => {
  const w = await srv.getJSON(helper, `/api/v1/field/teams/${team1}/report?period=week&date=2026-10-14`);
  assert.equal(w.from, '2026-10-12');
  assert.equal(w.to, '2026-10-18');
  assert.equal(new Date(`${w.from}T00:00:00Z`).getUTCDay(), 1, 'a Monday');
  assert.equal(w.label, 'Tuần 12/10–18/10/2026');
  assert.equal(w.visits, 2);
  const q = await srv.getJSON(helper, `/api/v1/field/teams/${team1}/report?period=quarter&date=2026-08-15`);
  assert.deepEqual([q.from, q.to, q.label], ['2026-07-01', '2026-09-30', 'Quý III/2026']);
  assert.equal(q.visits, 2);
  assert.deepEqual(q.coverage, { households: 3, visited: 1 }, 'coverage up to the quarter\'s end');
  const q4 = await srv.getJSON(helper, `/api/v1/field/teams/${team1}/report?period=quarter&date=2026-10-01`);
  assert.equal(q4.to, '2026-12-31');
  assert.ok(q4.visits >= 3);
});

test('the workbook holds the same numbers as the report', async () => {
  const q = 'period=month&date=2026-10-20';
  const json = await srv.getJSON(helper, `/api/v1/field/teams/${team1}/report?${q}`);
  const r = await srv.request('GET', `/api/v1/field/teams/${team1}/report.xlsx?${q}`, { session: helper });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(r.headers['content-disposition'], /^attachment; filename="bao-cao-to-cong-nghe-so-\d+-2026-10-01\.xlsx"; filename\*=UTF-8''B%C3%A1o%20c%C3%A1o/);
  const dir = tempDir('xlsx');
  const file = join(dir, 'r.xlsx');
  writeFileSync(file, r.body);
  assert.equal((await run('unzip', ['-t', file])).code, 0);
  const sheet = (await run('unzip', ['-p', file, 'xl/worksheets/sheet1.xml'])).stdout;
  // Rows: the first cell's text, then the numbers of the row.
  const rows = [...sheet.matchAll(/<row [^>]*>([\s\S]*?)<\/row>/g)].map((m) => {
    const cells = [...m[1].matchAll(/<c r="([A-Z]+)\d+"[^>]*>([\s\S]*?)<\/c>/g)].map((c) => {
      const t = /<t[^>]*>([\s\S]*?)<\/t>/.exec(c[2]);
      const v = /<v>([\s\S]*?)<\/v>/.exec(c[2]);
      return { col: c[1], text: t ? t[1] : null, num: v && !t ? Number(v[1]) : null };
    });
    return cells;
  });
  const first = (label) => rows.find((cs) => cs[0] && cs[0].text === label);
  const nums = (label) => {
    const row = first(label);
    assert.ok(row, `a row "${label}" in the sheet`);
    return row.slice(1).map((c) => c.num);
  };
  assert.equal(first('Kỳ báo cáo')[1].text, 'Tháng 10/2026');
  assert.deepEqual(nums('Lượt đến hộ'), [json.visits]);
  assert.deepEqual(nums('Số hộ được đến'), [json.households_visited]);
  assert.deepEqual(nums('Số người được hướng dẫn'), [json.residents_guided]);
  assert.deepEqual(nums('Số hộ của tổ dân phố'), [json.coverage.households]);
  assert.deepEqual(nums('Số hộ đã được đến (lũy kế đến cuối kỳ)'), [json.coverage.visited]);
  for (const t of json.by_topic) assert.deepEqual(nums(t.label), [t.visits, t.residents], t.label);
  for (const o of json.by_outcome) assert.deepEqual(nums(o.label), [o.residents], o.label);
  for (const h of json.by_helper) assert.deepEqual(nums(h.name), [h.visits], h.name);
  // Logged; nothing left in the data directory.
  const audit = await listAll(srv, admin, `/api/v1/audit?action=field.report.export`);
  assert.ok(audit.items.some((a) => a.entity_id === team1), JSON.stringify(audit.items[0]));
  const left = (await run('ls', [srv.dataDir])).stdout.split('\n').filter((n) => /report|xlsx/i.test(n));
  assert.deepEqual(left, []);
});

test('a helper reads their own team\'s report only; bad periods and dates are named', async () => {
  expectError(assert, await srv.request('GET', `/api/v1/field/teams/${team2}/report`, { session: helper }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('GET', `/api/v1/field/teams/${team2}/report.xlsx`, { session: helper }), 403, 'forbidden', 'id');
  expectError(assert, await srv.request('GET', '/api/v1/field/teams/2147480001/report', { session: admin }), 404, 'not_found', 'id');
  expectError(assert, await srv.request('GET', `/api/v1/field/teams/${team1}/report?period=year`, { session: helper }), 400, 'invalid_value', 'period');
  expectError(assert, await srv.request('GET', `/api/v1/field/teams/${team1}/report?date=20-10-2026`, { session: helper }), 400, undefined, 'date');
  const other = await srv.getJSON(admin, `/api/v1/field/teams/${team2}/report?date=2026-10-06`);
  assert.equal(other.visits, 1);
});

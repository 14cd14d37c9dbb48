// review-session17.test.mjs: an adversarial review of session 17's VNeID level history, over real
// HTTP: `vneid_since` on POST/PATCH /api/v1/residents and GET /api/v1/vneid/coverage?date. Each test
// works in a tổ dân phố of its own, so that the coverage's counts are exactly the people it made: the
// level of each past day after every kind of change (two the same day, a change back, a backdate
// before an older change, twice), the edge dates (2000-01-01, 29 February, today), the scope (an
// officer of another tổ neither dates nor reads), bad input (a 400 naming the field, never a 5xx),
// the audit entry, delete/restore/purge of a person with a history, an import that changes levels;
// and the live counts equal a full recount (`hocvuso indicators --verify`) at the end.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server, its tổ dân phố, households and people.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, finish, uniq, expectError, groupKind, hocvuso, storeArgs, run, sleep, ON_PG } from './lib/server.mjs';

let srv, admin, tdp01, ward, kind, nunit = 0;
// A name holds no digits.
const tag = uniq('q').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

/** The day `n` days before today in Vietnam (UTC+7), YYYY-MM-DD. */
const daysAgo = (n) => new Date(Date.now() + 7 * 3600e3 - n * 86400e3).toISOString().slice(0, 10);
const dmy = (iso) => iso.split('-').reverse().join('/');

async function sql(text) {
  const r = ON_PG ? await run('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-c', text])
    : await run('sqlite3', ['-cmd', '.timeout 10000', join(srv.dataDir, 'hocvuso.db'), text]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}
/** A new tổ dân phố of the ward, with one household: {unit, hh}. */
async function tdp() {
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind, name: `Tổ rà soát ${tag} ${'abcdefghijklmnop'[nunit]}`, code: `RV${tag}${nunit++}`.slice(0, 30) } });
  assert.equal(u.status, 201, u.text);
  const h = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: u.json.id, address: `Số ${nunit} ngõ Rà Soát ${tag}` } });
  assert.equal(h.status, 201, h.text);
  return { unit: u.json.id, hh: h.json.id };
}
async function resident(t, body) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { unit_id: t.unit, household_id: t.hh, birth_date: '1980-04-04', ...body, full_name: `${body.full_name} ${tag}` } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function patch(id, body, session = admin) {
  return srv.request('PATCH', `/api/v1/residents/${id}`, { session, body });
}
async function patchOk(id, body) {
  const r = await patch(id, body);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.vneid_level, body.vneid_level);
}
/** The tổ's coverage on `date`: [level0, level1, level2]. */
async function levels(t, date) {
  const o = await srv.getJSON(admin, `/api/v1/vneid/coverage?unit_id=${t.unit}&date=${date}`);
  return [o.level0, o.level1, o.level2];
}
/** The level of the tổ's only resident on each day of `days` (it must have exactly one). */
async function levelOf(t, days) {
  const out = [];
  for (const d of days) {
    const l = await levels(t, d);
    assert.equal(l[0] + l[1] + l[2], 1, `${d}: one resident`);
    out.push(l.indexOf(1));
  }
  return out;
}
async function verify() {
  const r = await hocvuso(['indicators', '--verify', ...storeArgs(srv.dataDir, srv.dbUri)], { timeout: 120000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /0 difference\(s\)/);
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  kind = await groupKind(srv, admin);
});
after(async () => finish(srv, assert));

test('two changes the same day: the days before keep the level of the day before', async () => {
  const t = await tdp();
  const id = await resident(t, { full_name: 'Người Hai Lần' });
  await patchOk(id, { vneid_level: 1 });
  await patchOk(id, { vneid_level: 2 });
  assert.deepEqual(await levelOf(t, [daysAgo(1), daysAgo(0)]), [0, 2]);
  // and back down the same day: every day the level 0
  await patchOk(id, { vneid_level: 0 });
  assert.deepEqual(await levelOf(t, [daysAgo(1), daysAgo(0)]), [0, 0]);
  // then dated after the fact: 0 until the day given, 2 from it
  await patchOk(id, { vneid_level: 2, vneid_since: daysAgo(5) });
  assert.deepEqual(await levelOf(t, [daysAgo(6), daysAgo(5), daysAgo(1), daysAgo(0)]), [0, 2, 2, 2]);
});

test('a backdate before an older change forgets the level between; a second backdate moves the day', async () => {
  const t = await tdp();
  const id = await resident(t, { full_name: 'Người Lùi Ngày', vneid_level: 1, vneid_since: daysAgo(20) });
  assert.deepEqual(await levelOf(t, [daysAgo(31), daysAgo(21), daysAgo(20), daysAgo(0)]), [0, 0, 1, 1]);
  await patchOk(id, { vneid_level: 2, vneid_since: daysAgo(30) });
  assert.deepEqual(await levelOf(t, [daysAgo(31), daysAgo(30), daysAgo(20), daysAgo(0)]), [0, 2, 2, 2]);
  // the officer corrects it: level 1 from 30 days back, level 2 from 10 days back
  await patchOk(id, { vneid_level: 1, vneid_since: daysAgo(30) });
  await patchOk(id, { vneid_level: 2, vneid_since: daysAgo(10) });
  assert.deepEqual(await levelOf(t, [daysAgo(31), daysAgo(30), daysAgo(11), daysAgo(10), daysAgo(0)]), [0, 1, 1, 2, 2]);
  // the day of an older change itself
  await patchOk(id, { vneid_level: 0, vneid_since: daysAgo(10) });
  assert.deepEqual(await levelOf(t, [daysAgo(31), daysAgo(30), daysAgo(11), daysAgo(10), daysAgo(0)]), [0, 1, 1, 0, 0]);
});

test('edge dates: 2000-01-01, 29 February of a leap year (2000 too), today; not 1999, not 29/02 of 2025', async () => {
  const t = await tdp();
  const id = await resident(t, { full_name: 'Người Năm Hai Nghìn', vneid_level: 2, vneid_since: '01/01/2000' });
  assert.deepEqual(await levelOf(t, ['1999-12-31', '2000-01-01', daysAgo(0)]), [0, 2, 2]);
  await patchOk(id, { vneid_level: 1, vneid_since: '2000-02-29' });
  assert.deepEqual(await levelOf(t, ['2000-02-28', '2000-02-29', '2024-02-29']), [2, 1, 1]);
  await patchOk(id, { vneid_level: 2, vneid_since: '29/02/2024' });
  assert.deepEqual(await levelOf(t, ['2024-02-28', '2024-02-29']), [1, 2]);
  // today: what a change without a date keeps
  await patchOk(id, { vneid_level: 0, vneid_since: dmy(daysAgo(0)) });
  assert.deepEqual(await levelOf(t, [daysAgo(1), daysAgo(0)]), [2, 0]);
  for (const bad of ['31/12/1999', '1999-12-31', '29/02/2025', '2025-02-29', '2026-00-10', '00/01/2026', '2026', '12/2026', ' ']) {
    const r = await patch(id, { vneid_level: 1, vneid_since: bad });
    expectError(assert, r, 400, 'invalid_value', 'vneid_since');
  }
  assert.deepEqual(await levelOf(t, [daysAgo(1), daysAgo(0)]), [2, 0], 'nothing changed');
  // the coverage's own date: a real day, not in the future (and not before 1970: a 400 too)
  for (const bad of ['2025-02-29', '2026-13-01', '31/12/2025', 'x', '2026-1-1', '1900-01-01'])
    expectError(assert, await srv.request('GET', `/api/v1/vneid/coverage?unit_id=${t.unit}&date=${encodeURIComponent(bad)}`, { session: admin }), 400, undefined, 'date');
  assert.deepEqual(await levelOf(t, ['1970-01-01']), [0]);
});

test('bad input is a 400 naming the field, never a 5xx', async () => {
  const t = await tdp();
  const id = await resident(t, { full_name: 'Người Sai Kiểu' });
  for (const v of [20260101, true, ['2026-01-01'], { d: 1 }]) {
    const r = await patch(id, { vneid_level: 2, vneid_since: v });
    expectError(assert, r, 400, undefined, 'vneid_since');
  }
  expectError(assert, await patch(id, { vneid_level: 2, vneid_since: '2026-01-01T00' }), 400, undefined, 'vneid_since');
  expectError(assert, await patch(id, { vneid_level: 3, vneid_since: daysAgo(2) }), 400, undefined, 'vneid_level');
  const c = await srv.request('POST', '/api/v1/residents', { session: admin, body: { unit_id: t.unit, full_name: `Người Không Mức ${tag}`, vneid_since: daysAgo(2) } });
  expectError(assert, c, 400, 'invalid_value', 'vneid_since');
  // null: as if not given
  const n = await patch(id, { vneid_level: 1, vneid_since: null });
  assert.ok(n.status === 200 || n.status === 400, n.text);
  assert.deepEqual(await levelOf(t, [daysAgo(0)]), [n.status === 200 ? 1 : 0]);
});

test('scope: an officer of another tổ neither dates a level nor reads the coverage there', async () => {
  const t = await tdp();
  const id = await resident(t, { full_name: 'Người Tổ Khác' });
  const r = await patch(id, { vneid_level: 2, vneid_since: daysAgo(3) }, tdp01);
  assert.ok(r.status === 403 || r.status === 404, `${r.status} ${r.text}`);
  assert.deepEqual(await levelOf(t, [daysAgo(3), daysAgo(0)]), [0, 0], 'nothing changed');
  const c = await srv.request('GET', `/api/v1/vneid/coverage?unit_id=${t.unit}&date=${daysAgo(3)}`, { session: tdp01 });
  assert.ok(c.status === 403 || c.status === 404, `${c.status} ${c.text}`);
  // the officer's own coverage of a past day: its own tổ only
  const own = await srv.request('GET', `/api/v1/vneid/coverage?date=${daysAgo(3)}`, { session: tdp01 });
  if (own.status === 200) assert.ok(own.json.by_unit.every((u) => u.unit_id !== t.unit), 'another tổ in the officer\'s coverage');
  else assert.equal(own.status, 403, own.text);
});

test('the audit entry of a dated change names vneid_since', async () => {
  const t = await tdp();
  const id = await resident(t, { full_name: 'Người Nhật Ký' });
  await patchOk(id, { vneid_level: 2, vneid_since: daysAgo(4) });
  const items = (await srv.getJSON(admin, '/api/v1/audit?action=person.update&per_page=200')).items.filter((x) => x.entity_id === id);
  assert.equal(items.length, 1);
  const fields = items[0].detail?.fields ?? items[0].details?.fields;
  assert.ok(Array.isArray(fields) && fields.includes('vneid_since') && fields.includes('vneid_level'), JSON.stringify(items[0]));
});

test('delete, restore and purge of a person with a history: the rows go with the person, on both backends', async () => {
  const t = await tdp();
  const id = await resident(t, { full_name: 'Người Bị Xóa', vneid_level: 1, vneid_since: daysAgo(8) });
  await patchOk(id, { vneid_level: 2, vneid_since: daysAgo(4) });
  assert.equal(await sql(`SELECT COUNT(*) FROM vneid_past WHERE person_id = ${id}`), '2');
  const d = await srv.request('DELETE', `/api/v1/residents/${id}`, { session: admin });
  assert.ok(d.status === 200 || d.status === 204, d.text);
  assert.deepEqual(await levels(t, daysAgo(6)), [0, 0, 0], 'a deleted record counts on no date');
  const r = await srv.request('POST', `/api/v1/residents/${id}/restore`, { session: admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(await levelOf(t, [daysAgo(9), daysAgo(6), daysAgo(4)]), [0, 1, 2], 'restored with its history');
  assert.equal((await srv.request('DELETE', `/api/v1/residents/${id}`, { session: admin })).status >= 200, true);
  await sql(`UPDATE people SET purge_after = deleted_at - 1 WHERE id = ${id}`);
  const out = await hocvuso(['purge', ...storeArgs(srv.dataDir, srv.dbUri)]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).purged, 1);
  assert.equal(await sql(`SELECT COUNT(*) FROM vneid_past WHERE person_id = ${id}`), '0');
  // a new person never inherits the rows (an id reused on SQLite would)
  const again = await resident(t, { full_name: 'Người Sau Xóa' });
  assert.equal(await sql(`SELECT COUNT(*) FROM vneid_past WHERE person_id = ${again}`), '0');
  assert.deepEqual(await levelOf(t, [daysAgo(9), daysAgo(0)]), [0, 0]);
});

test('an import that changes levels: dated today by the trigger, the days before keep the old level', async () => {
  const t = await tdp();
  const name = (await srv.getJSON(admin, `/api/v1/units/${t.unit}`)).name;
  const serial = String(100000 + Math.floor(Math.random() * 800000));
  const cccd = `030085${serial}`;
  const file = (level) => Buffer.from(['STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Tổ dân phố,Mức định danh',
    `1,Người Nhập Tệp ${tag},1985,Nam,${cccd},${name},${level}`].join('\r\n') + '\r\n', 'utf8');
  async function importFile(body) {
    const u = await srv.request('POST', '/api/v1/imports?name=ds.csv', { session: admin, rawBody: body, headers: { 'content-type': 'text/csv' } });
    assert.equal(u.status, 201, u.text);
    const s = await srv.request('POST', `/api/v1/imports/${u.json.id}/start`, { session: admin });
    assert.equal(s.status, 200, s.text);
    const end = Date.now() + 60000;
    for (;;) {
      const j = await srv.getJSON(admin, `/api/v1/imports/${u.json.id}`);
      if (j.status === 'done' || j.status === 'failed') return j;
      if (Date.now() > end) throw new Error('import still running');
      await sleep(100);
    }
  }
  let j = await importFile(file(1));
  assert.equal(j.status, 'done', JSON.stringify(j));
  assert.deepEqual(await levelOf(t, [daysAgo(1), daysAgo(0)]), [1, 1], 'a record made with a level has it on every day');
  j = await importFile(file(2));
  assert.equal(j.status, 'done', JSON.stringify(j));
  assert.deepEqual(await levelOf(t, [daysAgo(1), daysAgo(0)]), [1, 2]);
  await verify();
});


// Finding 2 of docs/REVIEW-SESSION-17.md, resolved by the lead: `vneid_since` without a new level
// re-dates the level the record holds, later or earlier.
test('a level dated too early is dated later (and earlier again) with the same level', async () => {
  const t = await tdp();
  const id = await resident(t, { full_name: 'Người Sửa Ngày Sau', vneid_level: 2, vneid_since: daysAgo(30) });
  const r = await patch(id, { vneid_level: 2, vneid_since: daysAgo(10) });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(await levelOf(t, [daysAgo(31), daysAgo(30), daysAgo(11), daysAgo(10)]), [0, 0, 0, 2]);
  await patchOk(id, { vneid_level: 2, vneid_since: daysAgo(20) });
  assert.deepEqual(await levelOf(t, [daysAgo(21), daysAgo(20), daysAgo(0)]), [0, 2, 2]);
  // a level reached through another: 0, then 1 from 15 days back, then 2 from 5; the 2 re-dated to 8
  const t2 = await tdp();
  const id2 = await resident(t2, { full_name: 'Người Hai Bước', vneid_level: 1, vneid_since: daysAgo(15) });
  await patchOk(id2, { vneid_level: 2, vneid_since: daysAgo(5) });
  assert.deepEqual(await levelOf(t2, [daysAgo(16), daysAgo(15), daysAgo(6), daysAgo(5)]), [0, 1, 1, 2]);
  const r8 = await patch(id2, { vneid_since: daysAgo(8) }); // the level not given: the one held
  assert.equal(r8.status, 200, r8.text);
  assert.equal(r8.json.vneid_level, 2);
  assert.deepEqual(await levelOf(t2, [daysAgo(16), daysAgo(15), daysAgo(9), daysAgo(8), daysAgo(0)]), [0, 1, 1, 2, 2]);
  await patchOk(id2, { vneid_level: 2, vneid_since: daysAgo(3) }); // later than the change: level 1 until then
  assert.deepEqual(await levelOf(t2, [daysAgo(15), daysAgo(4), daysAgo(3)]), [1, 1, 2]);
});

test('the live counts equal a full recount after all of it', async () => verify());

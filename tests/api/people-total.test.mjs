// people-total.test.mjs: the total of a tổ officer's page of residents follows every write that
// changes who lives in the tổ — a person created, soft-deleted, restored, moved to another tổ and
// back, imported from a list (and the same list again), purged — and always equals the people the
// pages list. On SQLite the total is read from the unit's stored number of live people
// (unit_people, migration 25, kept by triggers on people); after each step every unit's stored
// number is checked against a count of its live people (the consistency check). PostgreSQL counts
// from the index and the same totals must hold. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// A page of one tổ kept in memory (SQLite: under its unit's and the registry's revisions, which
// the same triggers raise) never outlives a change: an edit, a membership and its unit's kind, a
// unit renamed, a restriction, writes by another process (sqlite3, `hocvuso import residents`), and
// two officers of two tổ each get their own tổ's page.
// Owns: its server and the synthetic people it makes. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startServer, finish, uniq, hocvuso, storeArgs, run, sleep, userWithRole, ON_PG } from './lib/server.mjs';

let srv, admin, tdp01, tdp1, tdp2;
// Letters only in names (a name holds no digits).
const tag = uniq('t').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

async function sql(text) {
  const r = ON_PG ? await run('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-c', text])
    : await run('sqlite3', ['-cmd', '.timeout 10000', join(srv.dataDir, 'hocvuso.db'), text]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

// Every unit's stored number of live people equals a count of them (SQLite: the table the
// triggers keep; PostgreSQL stores none).
async function countsConsistent(step) {
  if (ON_PG) return;
  const wrong = await sql('SELECT u.id || \':\' || COALESCE((SELECT live FROM unit_people WHERE unit_id = u.id), 0)'
    + ' || \'<>\' || (SELECT COUNT(*) FROM people p WHERE p.unit_id = u.id AND p.deleted_at IS NULL) FROM units u'
    + ' WHERE COALESCE((SELECT live FROM unit_people WHERE unit_id = u.id), 0)'
    + ' <> (SELECT COUNT(*) FROM people p WHERE p.unit_id = u.id AND p.deleted_at IS NULL)');
  assert.equal(wrong, '', `after ${step}: stored counts differ (unit:stored<>counted) ${wrong}`);
}

// The officer's whole list, page by page: the total of page 1 and every item; the pages and the
// total must agree (the pages are read from the index, the total is not).
async function listAll(session, query = '', per = 50) {
  const first = await srv.getJSON(session, `/api/v1/residents?per_page=${per}${query}`);
  assert.equal(typeof first.total, 'number', JSON.stringify({ total: first.total }));
  const items = [...first.items];
  for (let p = 2; items.length < first.total; p++) {
    const next = await srv.getJSON(session, `/api/v1/residents?per_page=${per}&page=${p}${query}`);
    assert.ok(next.items.length > 0, `page ${p} is empty while the total is ${first.total}`);
    items.push(...next.items);
  }
  const past = await srv.getJSON(session, `/api/v1/residents?per_page=${per}&page=${Math.floor(first.total / per) + 2}${query}`);
  assert.equal(past.items.length, 0, 'no page past the total');
  assert.equal(items.length, first.total, 'the pages hold exactly the total');
  return { ids: items.map((p) => p.id), items, total: first.total };
}

async function create(name, unit, extra = {}) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `${name} ${tag}`, unit_id: unit, ...extra } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function importCsv(rows) {
  const header = 'STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Tổ dân phố,Địa chỉ';
  const body = Buffer.from([header, ...rows].join('\r\n') + '\r\n', 'utf8');
  const u = await srv.request('POST', '/api/v1/imports?name=ds.csv', { session: admin, rawBody: body, headers: { 'content-type': 'text/csv' } });
  assert.equal(u.status, 201, u.text);
  const s = await srv.request('POST', `/api/v1/imports/${u.json.id}/start`, { session: admin });
  assert.equal(s.status, 200, s.text);
  const end = Date.now() + 120000;
  for (;;) {
    const j = await srv.getJSON(admin, `/api/v1/imports/${u.json.id}`);
    if (j.status === 'done' || j.status === 'failed') return j;
    assert.ok(Date.now() < end, `import still ${j.status}`);
    await sleep(100);
  }
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
});
after(async () => finish(srv, assert));

test('the total follows create, delete, restore, moves, import and purge, and equals the listed people', async () => {
  await countsConsistent('the demo');
  const t0 = await listAll(tdp01);
  const o0 = await listAll(admin, `&unit_id=${tdp2}`);

  const a = await create('Trương Thị An', tdp1, { birth_date: '1950-02-03', sex: 'F' });
  const b = await create('Trương Văn Bình', tdp1);
  const c = await create('Trương Văn Cường', tdp1);
  let t = await listAll(tdp01);
  assert.equal(t.total, t0.total + 3);
  assert.ok([a, b, c].every((id) => t.ids.includes(id)));
  await countsConsistent('three created');

  let r = await srv.request('DELETE', `/api/v1/residents/${b}`, { session: admin });
  assert.equal(r.status, 204, r.text);
  t = await listAll(tdp01);
  assert.equal(t.total, t0.total + 2);
  assert.ok(!t.ids.includes(b));
  await countsConsistent('a deletion');

  r = await srv.request('POST', `/api/v1/residents/${b}/restore`, { session: admin });
  assert.equal(r.status, 200, r.text);
  t = await listAll(tdp01);
  assert.equal(t.total, t0.total + 3);
  assert.ok(t.ids.includes(b));
  await countsConsistent('a restore');

  // Moved to Tổ 2: Tổ 1 loses one, Tổ 2 gains one; and back.
  r = await srv.request('PATCH', `/api/v1/residents/${c}`, { session: admin, body: { unit_id: tdp2 } });
  assert.equal(r.status, 200, r.text);
  t = await listAll(tdp01);
  let o = await listAll(admin, `&unit_id=${tdp2}`);
  assert.equal(t.total, t0.total + 2);
  assert.equal(o.total, o0.total + 1);
  assert.ok(o.ids.includes(c) && !t.ids.includes(c));
  await countsConsistent('a move');
  // An edit that leaves the unit as it was changes nothing.
  r = await srv.request('PATCH', `/api/v1/residents/${a}`, { session: admin, body: { unit_id: tdp1, phone: '0912000111' } });
  assert.equal(r.status, 200, r.text);
  r = await srv.request('PATCH', `/api/v1/residents/${c}`, { session: admin, body: { unit_id: tdp1 } });
  assert.equal(r.status, 200, r.text);
  t = await listAll(tdp01);
  o = await listAll(admin, `&unit_id=${tdp2}`);
  assert.equal(t.total, t0.total + 3);
  assert.equal(o.total, o0.total);
  await countsConsistent('a move back');

  // A list import: four people into Tổ 1, one into Tổ 2; the same list again changes nothing.
  const rows = [
    `1,Lương Văn Đức ${tag},1980,Nam,,,Tổ dân phố số 1,Số 1 ${tag}`,
    `2,Lương Thị Hoa ${tag},1982,Nữ,,,Tổ dân phố số 1,Số 1 ${tag}`,
    `3,Lương Văn Khải ${tag},2010,Nam,,,Tổ dân phố số 1,Số 1 ${tag}`,
    `4,Lương Thị Lan ${tag},1955,Nữ,,,Tổ dân phố số 1,Số 3 ${tag}`,
    `5,Lương Văn Minh ${tag},1990,Nam,,,Tổ dân phố số 2,Số 5 ${tag}`,
  ];
  let j = await importCsv(rows);
  assert.equal(j.status, 'done', JSON.stringify(j));
  t = await listAll(tdp01);
  o = await listAll(admin, `&unit_id=${tdp2}`);
  assert.equal(t.total, t0.total + 7);
  assert.equal(o.total, o0.total + 1);
  await countsConsistent('an import');
  j = await importCsv(rows);
  assert.equal(j.status, 'done', JSON.stringify(j));
  t = await listAll(tdp01);
  assert.equal(t.total, t0.total + 7);
  await countsConsistent('the same import again');

  // Purge: a deleted person past the retention period goes for good; the live count is unchanged
  // by the purge (they had left the list when deleted), and a live person is never purged.
  r = await srv.request('DELETE', `/api/v1/residents/${a}`, { session: admin });
  assert.equal(r.status, 204, r.text);
  await sql(`UPDATE people SET purge_after = deleted_at - 1 WHERE id = ${a}`);
  const out = await hocvuso(['purge', ...storeArgs(srv.dataDir, srv.dbUri)]);
  assert.equal(out.code, 0, out.stderr);
  assert.ok(JSON.parse(out.stdout).purged >= 1, out.stdout);
  assert.equal(await sql(`SELECT COUNT(*) FROM people WHERE id = ${a}`), '0');
  t = await listAll(tdp01);
  assert.equal(t.total, t0.total + 6);
  assert.ok(!t.ids.includes(a));
  await countsConsistent('a purge');
});

test('a unit\'s first person: counted from zero, in a new tổ', async () => {
  const kind = (await srv.getJSON(admin, `/api/v1/units/${tdp1}`)).kind;
  const ward = (await srv.getJSON(admin, `/api/v1/units/${tdp1}`)).parent_id;
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind, name: `Tổ mới ${tag}` } });
  assert.equal(u.status, 201, u.text);
  assert.equal((await listAll(admin, `&unit_id=${u.json.id}`)).total, 0);
  const id = await create('Mạc Thị Yến', u.json.id);
  const one = await listAll(admin, `&unit_id=${u.json.id}`);
  assert.equal(one.total, 1);
  assert.deepEqual(one.ids, [id]);
  await countsConsistent('a new unit');
});

test('a page kept in memory never outlives a change, whoever writes, and is never another tổ\'s', async () => {
  // Pages of 10, read twice each (the second read may come from memory).
  const read = async (session = tdp01, query = '') => { await listAll(session, query, 10); return listAll(session, query, 10); };
  const itemOf = async (id) => {
    const all = await read();
    const it = all.items.find((p) => p.id === id);
    assert.ok(it, `person ${id} is listed`);
    return it;
  };
  const x = await create('Hứa Thị Xuân', tdp1, { birth_date: '1990-05-06', sex: 'F' });
  assert.deepEqual((await itemOf(x)).groups, []);

  // An edit through the API.
  let r = await srv.request('PATCH', `/api/v1/residents/${x}`, { session: admin, body: { phone: '0912000222', vneid_level: 2 } });
  assert.equal(r.status, 200, r.text);
  let it = await itemOf(x);
  assert.equal(it.phone, '0912000222');
  assert.equal(it.vneid_level, 2);

  // A membership: a worker of an enterprise is in the workers' group; the enterprise becoming an
  // office (its kind, on another unit than the page's) takes the group away.
  const ward = (await srv.getJSON(admin, `/api/v1/units/${tdp1}`)).parent_id;
  const ent = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: 'enterprise', name: `Công ty ${tag}` } });
  assert.equal(ent.status, 201, ent.text);
  r = await srv.request('POST', `/api/v1/residents/${x}/memberships`, { session: admin, body: { unit_id: ent.json.id, kind: 'worker' } });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual((await itemOf(x)).groups, ['workers']);
  r = await srv.request('PATCH', `/api/v1/units/${ent.json.id}`, { session: admin, body: { kind: 'office' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual((await itemOf(x)).groups, []);

  // The tổ renamed: every row of its page carries the new name.
  const oldName = (await srv.getJSON(admin, `/api/v1/units/${tdp1}`)).name;
  r = await srv.request('PATCH', `/api/v1/units/${tdp1}`, { session: admin, body: { name: `${oldName} mới` } });
  assert.equal(r.status, 200, r.text);
  assert.ok((await read()).items.every((p) => p.unit_name === `${oldName} mới`));
  r = await srv.request('PATCH', `/api/v1/units/${tdp1}`, { session: admin, body: { name: oldName } });
  assert.equal(r.status, 200, r.text);
  assert.ok((await read()).items.every((p) => p.unit_name === oldName));

  // Another process: a restriction answered and a name changed with the database's own client.
  await sql(`INSERT INTO data_requests (person_id, kind, message, status, created_at, due_at, outcome, answer, answered_at)`
    + ` VALUES (${x}, 'restrict', '', 'answered', 1, 2, 'done', 'Đã hạn chế', 2)`);
  assert.equal((await itemOf(x)).restricted, true);
  await sql(`UPDATE people SET full_name = 'Hứa Thị Xuân Mai ${tag}' WHERE id = ${x}`);
  assert.equal((await itemOf(x)).full_name, `Hứa Thị Xuân Mai ${tag}`);
  const coop = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: 'cooperative', name: `Hợp tác xã ${tag}` } });
  assert.equal(coop.status, 201, coop.text);
  assert.deepEqual((await itemOf(x)).groups, []); // read (and kept) after the unit was made
  await sql(`INSERT INTO memberships (person_id, unit_id, kind) VALUES (${x}, ${coop.json.id}, 'worker')`);
  assert.deepEqual((await itemOf(x)).groups, ['workers']);

  // Another process: `hocvuso import residents` adds a person to the tổ.
  const before = (await read()).total;
  const file = join(srv.dataDir, `ds-${tag}.csv`);
  writeFileSync(file, 'STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Tổ dân phố,Địa chỉ\r\n'
    + `1,Khổng Văn Yên ${tag},1970,Nam,,,Tổ dân phố số 1,Số 9 ${tag}\r\n`);
  const imp = await hocvuso(['import', 'residents', ...storeArgs(srv.dataDir, srv.dbUri), file]);
  assert.equal(imp.code, 0, imp.stderr);
  assert.equal(JSON.parse(imp.stdout).imported, 1, imp.stdout);
  const after = await read();
  assert.equal(after.total, before + 1);
  assert.ok(after.items.some((p) => p.full_name === `Khổng Văn Yên ${tag}`));

  // Two officers of two tổ, each read after the other: each sees their own tổ's people only.
  const other = await userWithRole(srv, admin, { username: uniq('hai').replace(/[^a-z0-9]/g, ''), role: 'unit_officer', unitId: tdp2 });
  for (let round = 0; round < 2; round++) {
    const one = await read(tdp01);
    const two = await read(other);
    assert.ok(one.items.every((p) => p.unit_id === tdp1), 'tổ 1 officer: only tổ 1');
    assert.ok(two.items.every((p) => p.unit_id === tdp2), 'tổ 2 officer: only tổ 2');
    assert.ok(two.total > 0 && one.total > 0);
  }
  await countsConsistent('the page changes');
});

// people-page.test.mjs: the page of residents an officer opens most, written straight into the
// reply (no JSON tree) and, for a scope of one subtree with one unit of people, read from that
// unit's index without testing each person: it lists exactly the live people of the officer's
// units, in name order, counted exactly, with the same fields as the record; it follows deletions
// and moves at once; an officer of two tổ sees both; a unit whose name needs escaping stays valid
// JSON. SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server, the accounts and the synthetic people it makes. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, userWithRole } from './lib/server.mjs';

let srv, admin, tdp01, tdp1, tdp2;

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  // Synthetic people: 25 in Tổ 1 (more than a page of 20), 5 in Tổ 2; some of Tổ 1 are students.
  const school = await srv.unitId(admin, 'Trường THCS Trần Hưng Đạo');
  const family = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Đặng', 'Bùi'];
  const given = ['Hương', 'An', 'Bình', 'Chi', 'Dũng', 'Giang', 'Hà', 'Khánh'];
  for (let i = 0; i < 30; i++) {
    const unit = i < 25 ? tdp1 : tdp2;
    const body = { full_name: `${family[i % 7]} Thị ${given[(i * 3) % 8]}`, unit_id: unit, sex: i % 2 ? 'M' : 'F' };
    if (i % 3) body.birth_date = `${1940 + i * 2}-0${1 + (i % 9)}-1${i % 10}`;
    if (i % 4 === 0) body.phone = `09${String(12345670 + i).padStart(8, '0')}`;
    const id = await create(body);
    if (i % 5 === 0) {
      const m = await srv.request('POST', `/api/v1/residents/${id}/memberships`,
        { session: admin, body: { unit_id: school, kind: 'student', grade: 7 } });
      assert.equal(m.status, 201, m.text);
    }
  }
});
after(async () => finish(srv, assert));

// Every item of a list, page by page, and the total the first page gave.
async function listAll(session, query = '') {
  const first = await srv.getJSON(session, `/api/v1/residents?per_page=20${query}`);
  const items = [...first.items];
  for (let p = 2; items.length < first.total; p++) {
    const next = await srv.getJSON(session, `/api/v1/residents?per_page=20&page=${p}${query}`);
    assert.ok(next.items.length > 0, `page ${p} is not empty while the total is ${first.total}`);
    items.push(...next.items);
  }
  return { items, total: first.total };
}

async function create(body) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

const collator = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();

test('a tổ officer\'s page: the live people of its tổ, in name order, counted, with the record\'s fields', async () => {
  const mine = await listAll(tdp01);
  assert.equal(typeof mine.total, 'number');
  assert.ok(mine.total >= 5, `the demo tổ has people (${mine.total})`);
  assert.equal(mine.items.length, mine.total);
  assert.ok(mine.items.every((p) => p.unit_id === tdp1), 'only people of Tổ dân phố số 1');
  // The same people as the ward admin's list filtered to the tổ, in the same order.
  const filtered = await listAll(admin, `&unit_id=${tdp1}`);
  assert.deepEqual(mine.items.map((p) => p.id), filtered.items.map((p) => p.id));
  // In name order (folded, then id).
  const keys = mine.items.map((p) => `${fold(p.full_name)}\u0000${String(p.id).padStart(12, '0')}`);
  assert.deepEqual(keys, [...keys].sort(collator));
  // Each summary is the record's own: the same fields, the same values.
  const fields = ['id', 'full_name', 'birth_year', 'birth_date', 'sex', 'phone', 'unit_id', 'unit_name',
    'household_id', 'vneid_level', 'groups', 'restricted'];
  for (const item of mine.items.slice(0, 8)) {
    assert.deepEqual(Object.keys(item).sort(), [...fields].sort());
    const rec = await srv.getJSON(admin, `/api/v1/residents/${item.id}`);
    for (const f of fields) assert.deepEqual(item[f], rec[f], `${f} of ${item.id}`);
  }
  assert.ok(mine.items.some((p) => p.groups.length > 0), 'some people are in a target group');
});

test('a new person appears at once; one moved to another tổ or deleted leaves, and the count follows', async () => {
  const before = await listAll(tdp01);
  const tag = uniq('p').replace(/[^a-z]/g, '');
  const a = await create({ full_name: `Aa Trang ${tag}`, unit_id: tdp1, birth_date: '1950-02-03', sex: 'F' });
  const b = await create({ full_name: `Ab Trang ${tag}`, unit_id: tdp1 });
  const more = await listAll(tdp01);
  assert.equal(more.total, before.total + 2);
  const item = more.items.find((p) => p.id === a);
  assert.ok(item, 'the new person is listed');
  assert.equal(item.birth_date, '1950-02-03');
  assert.equal(item.sex, 'F');
  // Moved to Tổ 2: no longer in Tổ 1's list.
  let r = await srv.request('PATCH', `/api/v1/residents/${a}`, { session: admin, body: { unit_id: tdp2 } });
  assert.equal(r.status, 200, r.text);
  r = await srv.request('DELETE', `/api/v1/residents/${b}`, { session: admin });
  assert.ok(r.status === 200 || r.status === 204, r.text);
  const after = await listAll(tdp01);
  assert.equal(after.total, before.total);
  assert.ok(!after.items.some((p) => p.id === a || p.id === b));
});

test('an officer of two tổ sees the people of both', async () => {
  const name = uniq('hai').replace(/[^a-z0-9]/g, '');
  const two = await userWithRole(srv, admin, { username: name, role: 'unit_officer', unitId: tdp1 });
  const g = await srv.request('POST', `/api/v1/users/${two.userId}/roles`, { session: admin, body: { role: 'unit_officer', unit_id: tdp2 } });
  assert.equal(g.status, 201, g.text);
  const session = await srv.login(name, 'Mat-khau-phu-1');
  const both = await listAll(session);
  const one = await listAll(admin, `&unit_id=${tdp1}`);
  const other = await listAll(admin, `&unit_id=${tdp2}`);
  assert.equal(both.total, one.total + other.total);
  assert.deepEqual(new Set(both.items.map((p) => p.id)), new Set([...one.items, ...other.items].map((p) => p.id)));
});

test('a unit whose name needs escaping: the page is still valid JSON with the name intact', async () => {
  const uname = `Tổ "Sao Mai" \\ số ${1000 + Math.floor(Math.random() * 9000)}`;
  const kind = (await srv.getJSON(admin, `/api/v1/units/${tdp1}`)).kind;
  const ward = (await srv.getJSON(admin, `/api/v1/units/${tdp1}`)).parent_id;
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind, name: uname } });
  assert.equal(u.status, 201, u.text);
  const id = await create({ full_name: 'Lò Thị Én', unit_id: u.json.id });
  const page = await srv.request('GET', `/api/v1/residents?per_page=50&unit_id=${u.json.id}`, { session: admin });
  assert.equal(page.status, 200, page.text);
  assert.match(page.headers['content-type'], /^application\/json/);
  const parsed = JSON.parse(page.text);
  assert.equal(parsed.total, 1);
  assert.equal(parsed.items[0].id, id);
  assert.equal(parsed.items[0].unit_name, uname);
});

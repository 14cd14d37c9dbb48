// indicators-left.test.mjs: those an indicator leaves behind, over real HTTP (issue 10, item 4):
// GET /api/v1/indicators/left-behind?code&unit lists, for an indicator over people or households,
// exactly denominator − numerator records of GET /api/v1/indicators for the same unit and date (the
// plan's and an admin's own), agrees with the older worklists (Gia đình số, VNeID), and
// …/left-behind.csv is the same list as a worklist file (UTF-8 with BOM, Vietnamese headings).
// Scope as the dashboard's (reports.read on the unit); reads audited; bad codes a clear 4xx.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the indicator definition it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, expectError } from './lib/server.mjs';

let srv, admin, tdp01, helper, ward, tdp1, tdp2;
const tag = uniq('l').replace(/[^a-z]/g, '');

// The demo ward has no residents of its own (`hocvuso demo` without --residents): each tổ gets a
// few here, some having learned (confirmed on VNeID, or on the national platform), some not.
async function resident(unit, household, name, birth, phone) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `${name} ${tag}`, unit_id: unit, birth_date: birth, household_id: household, ...(phone ? { phone } : {}) } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function household(unit, address) {
  const r = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: unit, address: `${address} ${tag}` } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function confirm(person, kind) {
  const r = await srv.request('POST', `/api/v1/residents/${person}/confirmations`, { session: admin, body: { kind, confirmed_on: '2026-01-05' } });
  assert.equal(r.status, 201, r.text);
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  helper = await srv.login('tinhnguyen');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  const enterprise = (await srv.getJSON(admin, '/api/v1/units?q=HD-DN-MAY')).items[0].id;
  const h1 = await household(tdp1, 'Số 1 ngõ Lẻ');
  const h2 = await household(tdp1, 'Số 2 ngõ Lẻ');
  const h3 = await household(tdp1, 'Số 3 ngõ Lẻ');
  await confirm(await resident(tdp1, h1, 'Nguyễn Văn An', '1970-03-03', '0901111111'), 'vneid');
  await resident(tdp1, h1, 'Trần Thị Bích', '1985-04-04', '0902222222');
  await resident(tdp1, h1, 'Nguyễn Bé Con', '2015-06-06');
  await confirm(await resident(tdp1, h2, 'Lê Văn Dũng', '1960-01-01', '0903333333'), 'national_platform');
  const worker = await resident(tdp1, h2, 'Phạm Thị Em', '1992-02-02', '0904444444');
  const m = await srv.request('POST', `/api/v1/residents/${worker}/memberships`, { session: admin, body: { unit_id: enterprise, kind: 'worker' } });
  assert.equal(m.status, 201, m.text);
  await resident(tdp1, h3, 'Hoàng Văn Phú', '1975-07-07');
  const h4 = await household(tdp2, 'Số 4 ngõ Chẵn');
  await resident(tdp2, h4, 'Vũ Văn Giang', '1988-08-08', '0905555555');
  await confirm(await resident(tdp2, h4, 'Đỗ Thị Hà', '1990-09-09'), 'vneid');
});
after(async () => finish(srv, assert));

const byCode = (o) => Object.fromEntries(o.items.map((x) => [x.code, x]));

/** Every page of the list, concatenated. */
async function allLeft(session, code, unit) {
  const items = [];
  let first = null;
  for (let page = 1; ; page++) {
    const o = await srv.getJSON(session, `/api/v1/indicators/left-behind?code=${encodeURIComponent(code)}&unit=${unit}&page=${page}&per_page=200`);
    first ??= o;
    assert.equal(o.total, first.total, 'the total does not move between pages');
    items.push(...o.items);
    if (o.items.length < 200) break;
  }
  return { ...first, items };
}

/** RFC 4180 rows of a CSV text (quoted fields, doubled quotes, CRLF). */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

test('for every indicator over people or households, the list holds exactly denominator − numerator, each once', async () => {
  for (const unit of [tdp1, tdp2]) {
    const figures = await srv.getJSON(admin, `/api/v1/indicators?unit=${unit}`);
    const over = figures.items.filter((x) => x.base === 'people' || x.base === 'households');
    assert.ok(over.some((x) => x.code === 'T3') && over.some((x) => x.code === 'M3'));
    for (const it of over) {
      const o = await allLeft(admin, it.code, unit);
      assert.equal(o.total, it.denominator - it.numerator, `${it.code} at ${unit}`);
      assert.equal(o.items.length, o.total, it.code);
      assert.equal(new Set(o.items.map((x) => x.id)).size, o.items.length, `${it.code}: somebody listed twice`);
      assert.deepEqual([o.indicator.code, o.indicator.base, o.unit.id, o.date, o.page], [it.code, it.base, unit, figures.date, 1]);
      for (const x of o.items) {
        if (it.base === 'people') {
          assert.equal(typeof x.full_name, 'string');
          assert.ok(Array.isArray(x.groups));
        } else {
          assert.ok(x.members >= 1, JSON.stringify(x));
        }
      }
    }
    // T3 is not met in either tổ: somebody is left behind, an adult.
    const t3 = await allLeft(admin, 'T3', unit);
    assert.ok(t3.total > 0);
    assert.ok(t3.items.every((x) => x.groups.includes('adults')), 'T3 counts adults only');
  }
  // The ward's figure too (totals only).
  const w = byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${ward}`));
  for (const code of ['T3', 'T4', 'M3']) {
    const o = await srv.getJSON(admin, `/api/v1/indicators/left-behind?code=${code}&unit=${ward}&per_page=1`);
    assert.equal(o.total, w[code].denominator - w[code].numerator, code);
    assert.equal(o.items.length, Math.min(1, o.total));
  }
});

test('it agrees with the older worklists: Gia đình số (M3) and the VNeID worklist (M4)', async () => {
  const m3 = await allLeft(admin, 'M3', tdp1);
  const fam = await srv.getJSON(admin, `/api/v1/families/left?unit_id=${tdp1}&per_page=200`);
  assert.equal(m3.total, fam.total);
  assert.deepEqual(m3.items.map((x) => x.id).sort((a, b) => a - b), fam.items.map((x) => x.id).sort((a, b) => a - b));
  const m4 = await srv.getJSON(admin, `/api/v1/indicators/left-behind?code=M4&unit=${tdp1}&per_page=1`);
  const vn = await srv.getJSON(admin, `/api/v1/vneid/worklist?unit_id=${tdp1}&per_page=1`);
  assert.equal(m4.total, vn.total);
});

test('pages: ordered by tổ then name, the same records page after page', async () => {
  const all = await allLeft(admin, 'T3', ward);
  const p1 = await srv.getJSON(admin, `/api/v1/indicators/left-behind?code=T3&unit=${ward}&page=1&per_page=7`);
  const p2 = await srv.getJSON(admin, `/api/v1/indicators/left-behind?code=T3&unit=${ward}&page=2&per_page=7`);
  assert.deepEqual([p1.page, p1.per_page, p2.page], [1, 7, 2]);
  assert.deepEqual([...p1.items, ...p2.items].map((x) => x.id), all.items.slice(0, 14).map((x) => x.id));
  for (let i = 1; i < all.items.length; i++) assert.ok(all.items[i - 1].unit_id <= all.items[i].unit_id, 'by tổ first');
});

test('the worklist file: UTF-8 with BOM, Vietnamese headings, the same rows as the list', async () => {
  for (const [code, unit] of [['T3', tdp1], ['M3', tdp1], ['T4', tdp2]]) {
    const r = await srv.request('GET', `/api/v1/indicators/left-behind.csv?code=${code}&unit=${unit}`, { session: admin });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers['content-type'], /^text\/csv; charset=utf-8/);
    assert.match(r.headers['content-disposition'], new RegExp(`^attachment; filename="danh-sach-chua-dat-${code}-\\d{4}-\\d{2}-\\d{2}\\.csv"; filename\\*=UTF-8''Danh%20s%C3%A1ch%20ch%C6%B0a%20%C4%91%E1%BA%A1t`));
    assert.deepEqual([...r.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM first');
    const rows = parseCsv(r.text.replace(/^\uFEFF/, ''));
    const head = rows.shift();
    const list = await allLeft(admin, code, unit);
    if (code === 'M3') {
      assert.deepEqual(head, ['STT', 'Mã hộ', 'Địa chỉ', 'Tổ dân phố', 'Số thành viên', 'Đã hỗ trợ (ghi chú)']);
      assert.deepEqual(rows.map((x) => x[2]), list.items.map((x) => x.address ?? ''));
      assert.deepEqual(rows.map((x) => Number(x[4])), list.items.map((x) => x.members));
    } else {
      assert.deepEqual(head, ['STT', 'Họ và tên', 'Năm sinh', 'Tổ dân phố', 'Địa chỉ', 'Số điện thoại', 'Nhóm đối tượng', 'Đã hỗ trợ (ghi chú)']);
      const kept = list.items.filter((x) => !x.restricted); // a restricted person never leaves in a file
      assert.deepEqual(rows.map((x) => x[1]), kept.map((x) => x.full_name));
      assert.deepEqual(rows.map((x) => x[2]), kept.map((x) => (x.birth_year === null ? '' : String(x.birth_year))));
      assert.deepEqual(rows.map((x) => x[3]), kept.map((x) => x.unit_name ?? ''));
      assert.ok(rows.every((x) => x[6].includes('Người dân từ 18 tuổi')), 'the groups in Vietnamese');
    }
    assert.ok(rows.length > 0, `${code}: nobody left behind?`);
    assert.deepEqual(rows.map((x) => x[0]), rows.map((_, i) => String(i + 1)));
  }
  // From another site: refused (the cookie would ride along a navigation).
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind.csv?code=T3&unit=${tdp1}`, { session: admin, headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'forbidden');
});

test('an indicator the ward defined is listed by the same rule', async () => {
  const code = `LB${tag}`.slice(0, 20);
  const r = await srv.request('POST', '/api/v1/indicators/definitions', { session: admin, body: { code, name: 'Người cao tuổi có định danh mức 2', definition: { base: 'people', population: { group: 'elderly' }, condition: { fact: 'vneid_level2' } }, targets: { 2026: 90 } } });
  assert.equal(r.status, 201, r.text);
  const it = byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${tdp1}`))[code];
  const o = await allLeft(admin, code, tdp1);
  assert.equal(o.total, it.denominator - it.numerator);
  assert.equal(o.indicator.name, 'Người cao tuổi có định danh mức 2');
  assert.ok(o.items.every((x) => x.groups.includes('elderly')));
  // Retired: no longer listed.
  const off = await srv.request('PUT', `/api/v1/indicators/definitions/${r.json.id}`, { session: admin, body: { active: false } });
  assert.equal(off.status, 200, off.text);
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind?code=${code}&unit=${tdp1}`, { session: admin }), 404, 'not_found', 'code');
});

test('scope as the dashboard\'s: a tổ officer lists their own tổ only; reads are audited', async () => {
  const mine = await srv.getJSON(tdp01, '/api/v1/indicators/left-behind?code=T4');
  assert.equal(mine.unit.id, tdp1, 'by default, the caller\'s own unit');
  const same = await srv.getJSON(admin, `/api/v1/indicators/left-behind?code=T4&unit=${tdp1}`);
  assert.equal(mine.total, same.total);
  assert.ok(mine.items.some((x) => x.phone !== null), 'a tổ officer reads their people\'s phones (people.read), as in the registry');
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind?code=T3&unit=${tdp2}`, { session: tdp01 }), 403, 'forbidden', 'unit');
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind.csv?code=T3&unit=${tdp2}`, { session: tdp01 }), 403, 'forbidden', 'unit');
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind?code=T3&unit=${ward}`, { session: tdp01 }), 403, 'forbidden', 'unit');
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind?code=T3&unit=${tdp1}`, { session: helper }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind?code=T3&unit=${tdp1}`), 401);
  // The reads above left their trace: who, which indicator, which unit, which people.
  const a = await srv.getJSON(admin, '/api/v1/audit?action=person.list_left_behind&per_page=100');
  const e = a.items.find((x) => x.actor_username === 'tdp01' && x.unit_id === tdp1 && x.detail.code === 'T4');
  assert.ok(e, 'the tổ officer\'s read is in the audit log');
  assert.deepEqual([e.entity, e.entity_id, e.detail.format, e.detail.rows], ['unit', tdp1, 'json', mine.items.length]);
  assert.deepEqual(e.detail.ids, mine.items.map((x) => x.id));
  const csv = await srv.getJSON(admin, '/api/v1/audit?action=person.list_left_behind&per_page=100');
  assert.ok(csv.items.some((x) => x.detail.format === 'csv' && x.detail.code === 'T3'));
  const hh = await srv.getJSON(admin, '/api/v1/audit?action=household.list_left_behind&per_page=100');
  assert.ok(hh.items.some((x) => x.detail.code === 'M3'));
});

test('bad input: a clear 4xx naming the field, for an unknown code or one that counts no people or households', async () => {
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind?code=T99&unit=${tdp1}`, { session: admin }), 404, 'not_found', 'code');
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind.csv?code=T99&unit=${tdp1}`, { session: admin }), 404, 'not_found', 'code');
  for (const code of ['T6', 'T2a', 'M1', 'M2']) {
    const e = expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind?code=${code}&unit=${tdp1}`, { session: admin }), 400, 'invalid_value', 'code');
    assert.match(e.message, /người hay hộ gia đình/);
  }
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind?code=${'X'.repeat(21)}&unit=${tdp1}`, { session: admin }), 400, undefined, 'code');
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind?code=T3&unit=${tdp1}&date=2999-01-01`, { session: admin }), 400, 'invalid_value', 'date');
  expectError(assert, await srv.request('GET', `/api/v1/indicators/left-behind?code=T3&unit=${tdp1}&per_page=500`, { session: admin }), 400, undefined, 'per_page');
  expectError(assert, await srv.request('GET', '/api/v1/indicators/left-behind?code=T3&unit=987654321', { session: admin }), 404, undefined, 'unit');
});

test('on a date: a person confirmed on VNeID leaves the T4 list from that day, not before', async () => {
  const hh = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: tdp1, address: `Số 5 ngõ ${tag}` } });
  assert.equal(hh.status, 201, hh.text);
  const p = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `Người Chưa Đạt ${tag}`, unit_id: tdp1, birth_date: '1980-02-02', household_id: hh.json.id, phone: '0912345678' } });
  assert.equal(p.status, 201, p.text);
  const c = await srv.request('POST', `/api/v1/residents/${p.json.id}/confirmations`, { session: admin, body: { kind: 'vneid', confirmed_on: '2026-02-10' } });
  assert.equal(c.status, 201, c.text);
  const listed = async (date) => {
    const items = [];
    for (let page = 1; ; page++) {
      const o = await srv.getJSON(admin, `/api/v1/indicators/left-behind?code=T4&unit=${tdp1}&date=${date}&page=${page}&per_page=200`);
      items.push(...o.items);
      if (o.items.length < 200) return { o, items };
    }
  };
  const before = await listed('2026-02-09');
  const me = before.items.find((x) => x.id === p.json.id);
  assert.ok(me, 'the day before the confirmation: still to be helped');
  assert.deepEqual([me.full_name, me.birth_year, me.unit_id, me.address, me.phone, me.household_id], [`Người Chưa Đạt ${tag}`, 1980, tdp1, `Số 5 ngõ ${tag}`, '0912345678', hh.json.id]);
  const fig = byCode(await srv.getJSON(admin, `/api/v1/indicators?unit=${tdp1}&date=2026-02-09`)).T4;
  assert.equal(before.o.total, fig.denominator - fig.numerator);
  const after = await listed('2026-02-10');
  assert.ok(!after.items.some((x) => x.id === p.json.id), 'confirmed that day: off the list');
  assert.equal(after.o.total, before.o.total - 1);
  // T3 too: a VNeID confirmation counts as having learned.
  assert.ok(!(await allLeft(admin, 'T3', tdp1)).items.some((x) => x.id === p.json.id));
});

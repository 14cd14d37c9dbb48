// review2-search.test.mjs: name search under attack (review of issue 7's name search by terms):
// a name of many words is found by any two of its whole words, ward-wide as in a tổ and in the
// export; a name whose words are long (compatibility characters that fold to several letters) is
// saved and found; a long query word is read as a word's start on both backends.
// SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server and the synthetic people it makes. Never: times anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq } from './lib/server.mjs';

let srv, admin, tdp01, tdp1;
// A name holds no digits.
const tag = uniq('r').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
});
after(async () => finish(srv, assert));

async function person(name) {
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: name, unit_id: tdp1 } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function ids(session, q) {
  const r = await srv.request('GET', `/api/v1/residents?per_page=100&q=${encodeURIComponent(q)}`, { session });
  assert.equal(r.status, 200, r.text);
  return r.json.items.map((x) => x.id);
}
async function exportNames(session, q) {
  const r = await srv.request('GET', `/api/v1/residents/export?format=csv&q=${encodeURIComponent(q)}`, { session });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return r.text.replace(/^\uFEFF/, '').split('\r\n').slice(1).filter(Boolean).map((l) => l.split(',')[0]);
}

test('a name of more than eight words is found by any two of its whole words, ward-wide too', async () => {
  const name = `Ab Bc Cd De Ef Fg Gh Hi Ij ${tag}`;
  const id = await person(name);
  for (const q of [`ab ${tag}`, `${tag} hi`, `ij ab`, `ab cd`, tag]) {
    assert.deepEqual(await ids(admin, q), [id], `ward-wide: ${q}`);
    assert.deepEqual(await ids(tdp01, q), [id], `tổ: ${q}`);
    assert.deepEqual(await exportNames(admin, q), [name], `export: ${q}`);
  }
});

test('a name of more words than get pairs (the long-name mark) is found by any two whole words', async () => {
  const words = 'Ba Be Bi Bo Bu Ca Ce Ci Co Cu Da De Di Do Du Ga Ge Gi'.split(' ');
  const name = `${words.join(' ')} ${tag}`;
  const id = await person(name);
  const other = await person(`Ba Gi Xuân ${tag}`); // a short name with the same two words
  for (const q of [`ba ${tag}`, `${tag} gi`, `gi ba`, `ce du`]) {
    const want = q === 'ce du' ? [id] : [id, other].sort((x, y) => x - y);
    const got = (await ids(admin, q)).sort((x, y) => x - y);
    assert.deepEqual(got, want, `ward-wide: ${q}`);
    assert.deepEqual((await ids(tdp01, q)).sort((x, y) => x - y), want, `tổ: ${q}`);
    assert.equal((await exportNames(admin, q)).length, want.length, `export: ${q}`);
  }
});

test('a name of two long words (compatibility characters) is saved and found, not a 500', async () => {
  const a = '\u3307'.repeat(50), b = '\u3300'.repeat(49); // each folds to several katakana
  const name = `${a} ${b}`;
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: name, unit_id: tdp1 } });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(await ids(admin, name), [r.json.id]);
  assert.deepEqual(await ids(tdp01, name), [r.json.id]);
});

test('a query word cut to its longest stored length still matches as a word\'s start', async () => {
  // Word bytes after folding: 1 or 2 ASCII letters then 3-byte katakana, so that the cut query
  // word ends 157, 158 or 159 bytes in (the prefix range's upper bound must still fit).
  const made = [];
  for (const lead of ['a', 'ab', 'abc']) {
    const id = await person(`${lead}${'\u3307'.repeat(90)}`);
    made.push([lead, id]);
  }
  for (const [lead, id] of made) {
    const q = `${lead}${'\u3307'.repeat(60)}`;
    assert.deepEqual(await ids(admin, q), [id], `ward-wide, lead ${lead}`);
    assert.deepEqual(await ids(tdp01, q), [id], `tổ, lead ${lead}`);
  }
});

test('a deleted record\'s name does not change what a search finds', async () => {
  const live = await person(`Trần Văn Qu${tag}z`);
  assert.deepEqual(await ids(tdp01, `qu${tag}`), [live], 'a word\'s start');
  const gone = await person(`Lê Qu${tag}`);
  assert.deepEqual(await ids(admin, `qu${tag}`), [gone], 'a whole word of a live name matches exactly');
  const d = await srv.request('DELETE', `/api/v1/residents/${gone}`, { session: admin });
  assert.equal(d.status, 204, d.text);
  assert.deepEqual(await ids(tdp01, `qu${tag}`), [live], 'tổ, after the namesake is deleted');
  assert.deepEqual(await ids(admin, `qu${tag}`), [live], 'ward-wide, after the namesake is deleted');
  assert.deepEqual(await exportNames(admin, `qu${tag}`), [`Trần Văn Qu${tag}z`], 'export');
});

test('what a tổ officer finds does not depend on names outside their scope', async () => {
  // Whether a query word is a whole word is judged among the names the caller may see: else a
  // namesake in tổ 2 hides tổ 1's "Quo…" from tổ 1's officer, and tells them the namesake exists.
  const mine = await person(`Trần Văn Vy${tag}x`);
  const before = await ids(tdp01, `vy${tag}`);
  assert.deepEqual(before, [mine]);
  const tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `Lê Vy${tag}`, unit_id: tdp2 } });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(await ids(tdp01, `vy${tag}`), before, 'tổ 1 finds the same');
  assert.deepEqual(await exportNames(tdp01, `vy${tag}`), [`Trần Văn Vy${tag}x`], 'tổ 1 exports the same');
  assert.deepEqual(await ids(admin, `vy${tag}`), [r.json.id], 'the ward admin sees the whole word');
});

test('LIKE\'s wildcards and escape in names and queries are plain characters', async () => {
  const id = await person(`Lê A%b_c\\d${tag}`);
  const plain = await person(`Lê Axbyc\\d${tag}`);
  for (const s of [admin, tdp01]) {
    assert.deepEqual(await ids(s, `a%b_c\\d${tag}`), [id], 'the whole word');
    assert.deepEqual(await ids(s, `a%b_`), [id], 'a word\'s start');
    assert.deepEqual(await ids(s, `a_b`), [], '_ is no wildcard');
    assert.deepEqual(await ids(s, `a%c`), [], '% is no wildcard');
    assert.deepEqual(await ids(s, `axbyc\\d${tag}`), [plain]);
  }
});

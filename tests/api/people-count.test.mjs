// people-count.test.mjs: a list of residents counts its matches up to 1,000 and past that says
// "more than" (total null) instead of walking every person of the ward; a search still finds
// its people, the page is still full, and a small scope is still counted exactly. The people are
// a synthetic ward of 1,100 residents (`hocvuso demo --residents`). SQLite, or PostgreSQL with
// HOCVUSO_TEST_PG_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, hocvuso, storeArgs } from './lib/server.mjs';

let srv, admin, tdp01;

before(async () => {
  srv = await startServer();
  const r = await hocvuso(['demo', ...storeArgs(srv.dataDir, srv.dbUri), '--residents', '1100', '--seed', '3'],
    { env: { HOCVUSO_ADMIN_PASSWORD: srv.password }, timeout: 170_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Synthetic residents: \d+ imported, 0 unchanged, 0 rejected/, r.stdout);
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
}, { timeout: 180_000 });
after(async () => {
  await finish(srv, assert);
});

test('the whole ward: a full page and total null (more than 1,000), not a count of everyone', async () => {
  const page = await srv.getJSON(admin, '/api/v1/residents?per_page=50');
  assert.equal(page.items.length, 50);
  assert.equal(page.total, null, JSON.stringify({ total: page.total }));
  // Page 2 is other people.
  const next = await srv.getJSON(admin, '/api/v1/residents?per_page=50&page=2');
  assert.equal(next.items.length, 50);
  const first = new Set(page.items.map((p) => p.id));
  assert.ok(next.items.every((p) => !first.has(p.id)), 'pages do not overlap');
});

test('a tổ officer\'s list and a narrow search are counted exactly', async () => {
  const mine = await srv.getJSON(tdp01, '/api/v1/residents?per_page=50');
  assert.equal(typeof mine.total, 'number', 'a tổ has fewer than 1,000 people');
  assert.ok(mine.total > 0);
  // Every one of them, page by page, is what the total said.
  let seen = 0;
  for (let p = 1; p <= Math.ceil(mine.total / 50); p++) {
    seen += (await srv.getJSON(tdp01, `/api/v1/residents?per_page=50&page=${p}`)).items.length;
  }
  assert.equal(seen, mine.total);
  // A full name typed without accents, its words in any order, is found and counted.
  const someone = mine.items[0];
  const folded = someone.full_name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
  const words = folded.split(' ');
  for (const q of [folded, [...words].reverse().join(' ')]) {
    const found = await srv.getJSON(admin, `/api/v1/residents?per_page=50&q=${encodeURIComponent(q)}`);
    assert.equal(typeof found.total, 'number', q);
    assert.ok(found.items.some((p) => p.id === someone.id), `${q} finds ${someone.full_name}`);
    assert.equal(found.total, found.items.length < 50 ? found.items.length : found.total);
  }
});

test('a common family name alone: a page of matches only, counted while under 1,000', async () => {
  const page = await srv.getJSON(admin, `/api/v1/residents?per_page=50&q=${encodeURIComponent('nguyen')}`);
  assert.equal(page.items.length, 50);
  for (const p of page.items) assert.match(p.full_name.normalize('NFD').replace(/[\u0300-\u036f]/g, ''), /(^| )Nguyen/i);
  // About 38% of 1,100 people are Nguyễn: fewer than 1,000, so counted.
  assert.equal(typeof page.total, 'number');
  assert.ok(page.total > 300 && page.total < 1000, String(page.total));
});

// review-session16.test.mjs: an adversarial review of issue 10's lists of those left behind, over
// real HTTP: the team's worklist (…/left-behind.csv) never hands a spreadsheet a formula, whatever an
// address starts with (= + - @, a tab), for the people's list and the households'. The live counts
// stay equal to a full recount (`hocvuso indicators --verify`) after those writes. SQLite, or PostgreSQL with
// HOCVUSO_TEST_PG_DIR. Owns: its server, the tổ dân phố, households and people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, finish, uniq, groupKind, hocvuso, storeArgs } from './lib/server.mjs';

let srv, admin, ward, tdp;
const tag = uniq('r').replace(/[^a-z]/g, '');
const nasty = ['=HYPERLINK("http://example.invalid/x","bấm")', '+1+1', '-2+3', '@SUM(1;2)', '\t=1+1'];

// RFC 4180 cells of one CSV text (quoted cells may hold commas, quotes and line breaks).
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') q = false; else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: await groupKind(srv, admin), name: `Tổ rà soát ${tag}`, code: `RV-${tag}`.slice(0, 30) } });
  assert.equal(u.status, 201, u.text);
  tdp = u.json.id;
  let k = 0;
  for (const address of nasty) {
    const hh = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: tdp, address } });
    assert.equal(hh.status, 201, `${JSON.stringify(address)}: ${hh.text}`);
    const names = ['An', 'Bình', 'Cường', 'Dung', 'Giang'];
    const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: `Người Rà Soát ${names[k++]} ${tag}`, unit_id: tdp, birth_date: '1980-05-05', household_id: hh.json.id, phone: '0912345678' } });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => finish(srv, assert));

test('the worklists never start a cell with what a spreadsheet would run', async () => {
  for (const code of ['T3', 'M3']) {
    const page = await srv.getJSON(admin, `/api/v1/indicators/left-behind?code=${code}&unit=${tdp}&per_page=100`);
    assert.equal(page.total, nasty.length, `${code}: one left behind per household`);
    const r = await srv.request('GET', `/api/v1/indicators/left-behind.csv?code=${code}&unit=${tdp}`, { session: admin });
    assert.equal(r.status, 200, r.text);
    const rows = parseCsv(r.text.replace(/^\uFEFF/, ''));
    assert.equal(rows.length, 1 + nasty.length, `${code}: headings and one row each`);
    for (const row of rows.slice(1))
      for (const cell of row) assert.ok(!/^[=+\-@\t\r]/.test(cell), `${code}: a cell a spreadsheet would run: ${JSON.stringify(cell)}`);
    // the addresses are all there, kept as text
    const text = rows.slice(1).map((x) => x.join('|')).join('\n');
    for (const address of nasty) assert.ok(text.includes(`'${address.trim()}`), `${code}: ${JSON.stringify(address)} kept as text`); // a leading tab is trimmed on input
  }
});

test('the live counts equal a full recount after those writes', async () => {
  const r = await hocvuso(['indicators', '--verify', ...storeArgs(srv.dataDir, srv.dbUri)], { timeout: 120000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /0 difference\(s\)/);
});

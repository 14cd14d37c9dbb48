// export.test.mjs: the streamed export of residents (issue 7) over real HTTP: CSV (BOM, CRLF,
// RFC 4180 quoting of a comma, a quote and a line break; a cell that a spreadsheet would run as a
// formula comes out neutralised), the list's filters, scope (an officer exports only their units'
// people), CCCD masked without identity.read, who may export at all, XLSX that opens (sheet1.xml
// holds the values as strings and no formula), one audit entry per export with the filter and the
// row count, and bounded server memory while 100,000 people stream out (VmHWM of the server
// before and after, CSV and XLSX). SQLite, or PostgreSQL with HOCVUSO_TEST_PG_DIR.
// Owns: its server, the synthetic people it makes, the temporary files it unzips.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { startServer, finish, uniq, expectError, listAll, run, tempDir, ON_PG } from './lib/server.mjs';

let srv, admin, tdp01, congan, tinhnguyen;
let tdp1, tdp2, hh1;
const tag = uniq('x').replace(/[^a-z0-9]/g, '').replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
const rnd6 = () => String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
const CCCD = `0301${'85'}${rnd6()}`; // province 030, female born in the 1900s, year 85
const FORMULA = '=HYPERLINK("http://x.vn","Bấm")';
const NAME_COMMA = `Nguyễn "Tý", Văn ${tag}`;

/** RFC 4180 records of a CSV text. */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', i = 0, quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"' && cell === '') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 2; continue; }
    assert.ok(ch !== '\n' && ch !== '\r', `a bare line break outside quotes at ${i}`);
    cell += ch; i++;
  }
  assert.equal(cell, '', 'the last record ends with CRLF');
  assert.equal(row.length, 0);
  return rows;
}
async function exportCsv(session, query = '') {
  const r = await srv.request('GET', `/api/v1/residents/export?format=csv${query}`, { session, timeout: 300000 });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  return r;
}
function rowsOf(r) {
  assert.deepEqual([...r.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const recs = parseCsv(r.text.replace(/^\uFEFF/, ''));
  const head = recs.shift();
  return { head, recs, by: (name) => recs.find((x) => x[0] === name) };
}
async function vmHWM() {
  const s = readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(s)[1]) * 1024;
}

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  congan = await srv.login('congan');
  tinhnguyen = await srv.login('tinhnguyen');
  tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  const h = await srv.request('POST', '/api/v1/households', { session: admin, body: { unit_id: tdp1, code: `-HO-${tag}`, address: 'Số 5, ngõ "Hoa Sữa"\nphố Trần Hưng Đạo' } });
  assert.equal(h.status, 201, h.text);
  hh1 = h.json;
  const people = [
    { full_name: NAME_COMMA, unit_id: tdp1, household_id: hh1.id, relation: 'Chủ hộ', birth_date: '15/03/1985', sex: 'Nữ', phone: '0912345678', cccd: CCCD, vneid_level: 2 },
    { full_name: `Phạm Văn Hùng ${tag}`, unit_id: tdp1, household_id: hh1.id, relation: FORMULA, birth_date: '1950', sex: 'M' },
    { full_name: `Đỗ Thị Mai ${tag}`, unit_id: tdp2, birth_date: '2001-07-09', sex: 'F', relation: '+84 "con"\nnuôi' },
  ];
  for (const p of people) {
    const r = await srv.request('POST', '/api/v1/residents', { session: admin, body: p });
    assert.equal(r.status, 201, r.text);
  }
  // The registry cleans line breaks out of what it stores; one written before that rule (or by an
  // import of old files) must still come out as one quoted cell.
  await sql(`UPDATE people SET relation = '+84 "con"' || ${ON_PG ? 'chr(10)' : 'char(10)'} || 'nuôi' WHERE full_name = 'Đỗ Thị Mai ${tag}'`);
});
async function sql(text) {
  const r = ON_PG ? await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', srv.dbUri, '-c', text], { timeout: 300000 })
    : await run('sqlite3', ['-cmd', '.timeout 10000', join(srv.dataDir, 'hocvuso.db'), text], { timeout: 300000 });
  assert.equal(r.code, 0, r.stderr);
}
after(async () => finish(srv, assert));

test('CSV: BOM, headings, CRLF, quoting, neutralised formulas, masked CCCD without identity.read', async () => {
  const r = await exportCsv(admin, `&q=${encodeURIComponent(tag)}`);
  assert.match(r.headers['content-type'], /^text\/csv; charset=utf-8/);
  const cd = r.headers['content-disposition'];
  assert.match(cd, /^attachment; filename="danh-sach-nguoi-dan-\d{4}-\d{2}-\d{2}\.csv"; filename\*=UTF-8''Danh%20s%C3%A1ch%20ng%C6%B0%E1%BB%9Di%20d%C3%A2n%20\d{4}-\d{2}-\d{2}\.csv$/);
  assert.equal(r.headers['transfer-encoding'], 'chunked', 'streamed, not measured first');
  const { head, recs, by } = rowsOf(r);
  assert.deepEqual(head, ['Họ và tên', 'Ngày sinh', 'Giới tính', 'Số CCCD', 'Số điện thoại', 'Tổ dân phố', 'Địa chỉ', 'Mã hộ', 'Quan hệ với chủ hộ', 'Mức định danh', 'Nhóm đối tượng']);
  assert.equal(recs.length, 3);
  const lan = by(NAME_COMMA);
  assert.ok(lan, 'the name with a comma and quotes comes back whole');
  assert.equal(lan[1], '15/03/1985');
  assert.equal(lan[2], 'Nữ');
  assert.equal(lan[3], CCCD, 'the ward admin holds identity.read: in clear');
  assert.equal(lan[4], '0912345678');
  assert.equal(lan[5], 'Tổ dân phố số 1');
  assert.equal(lan[6], 'Số 5, ngõ "Hoa Sữa" phố Trần Hưng Đạo', 'a comma and quotes inside a quoted cell');
  assert.equal(lan[7], `'-HO-${tag}`, 'a code starting with - is neutralised');
  assert.equal(lan[9], 'Mức 2');
  assert.match(lan[10], /Người dân từ 18 tuổi/);
  const hung = by(`Phạm Văn Hùng ${tag}`);
  assert.equal(hung[1], '1950');
  assert.equal(hung[8], `'${FORMULA}`, 'a formula becomes text');
  assert.match(hung[10], /Người cao tuổi/);
  assert.equal(by(`Đỗ Thị Mai ${tag}`)[8], `'+84 "con"\nnuôi`, 'a line break inside a quoted cell, neutralised too');
  assert.ok(!r.text.includes(`,${FORMULA}`) && !r.text.includes(`"${FORMULA.replace(/"/g, '""')}`), 'no cell starts with =');
  // tdp01 (unit officer, no identity.read): only tổ 1, CCCD masked.
  const mine = rowsOf(await exportCsv(tdp01, `&q=${encodeURIComponent(tag)}`));
  assert.deepEqual(mine.recs.map((x) => x[0]).sort(), [NAME_COMMA, `Phạm Văn Hùng ${tag}`].sort());
  assert.equal(mine.by(NAME_COMMA)[3], `${CCCD.slice(0, 4)}*****${CCCD.slice(9)}`);
  assert.ok(!mine.recs.some((x) => x[3] === CCCD));
  // HEAD: the headers alone (the cursor is opened and dropped unread).
  const onlyHead = await srv.request('HEAD', `/api/v1/residents/export?q=${encodeURIComponent(tag)}`, { session: admin });
  assert.equal(onlyHead.status, 200);
  assert.equal(onlyHead.body.length, 0);
  assert.match(onlyHead.headers['content-type'], /^text\/csv/);
});

test('the filters are the list\'s; the scope is the caller\'s; export needs people.export', async () => {
  for (const [session, q] of [[admin, `&q=${encodeURIComponent(tag)}&sex=F`], [admin, `&unit_id=${tdp2}&q=${tag}`], [admin, `&household_id=${hh1.id}`],
    [admin, `&age_min=70&q=${tag}`], [admin, `&group=adults&unit_id=${tdp1}`], [tdp01, ''], [admin, `&unit_id=${tdp1}&vneid_level=2`]]) {
    const list = await listAll(srv, session, `/api/v1/residents?${q.slice(1) || 'page=1'}`);
    const ex = rowsOf(await exportCsv(session, q));
    assert.equal(ex.recs.length, list.items.length, `export and list agree on ${q || '(no filter)'}`);
    assert.deepEqual(ex.recs.map((x) => x[0]).sort(), list.items.map((x) => x.full_name).sort());
  }
  const f = rowsOf(await exportCsv(admin, `&q=${encodeURIComponent(tag)}&sex=F`));
  assert.deepEqual(f.recs.map((x) => x[2]), ['Nữ', 'Nữ']);
  // Out of scope, or without people.export (police, field helper), or a bad filter.
  expectError(assert, await srv.request('GET', `/api/v1/residents/export?unit_id=${tdp2}`, { session: tdp01 }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/residents/export', { session: congan }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/residents/export', { session: tinhnguyen }), 403, 'forbidden');
  expectError(assert, await srv.request('GET', '/api/v1/residents/export?format=pdf', { session: admin }), 400, 'invalid_value', 'format');
  expectError(assert, await srv.request('GET', '/api/v1/residents/export?group=aliens', { session: admin }), 400, 'invalid_value', 'group');
  expectError(assert, await srv.request('GET', '/api/v1/residents/export'), 401, 'unauthenticated');
});

test('XLSX opens: sheet1.xml holds the values as strings, never a formula', async () => {
  const r = await srv.request('GET', `/api/v1/residents/export?format=xlsx&q=${encodeURIComponent(tag)}`, { session: admin, timeout: 120000 });
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  assert.match(r.headers['content-disposition'], /filename="danh-sach-nguoi-dan-[\d-]+\.xlsx"; filename\*=UTF-8''Danh%20s/);
  assert.equal(Number(r.headers['content-length']), r.body.length);
  const dir = tempDir('xlsx');
  const file = join(dir, 'x.xlsx');
  writeFileSync(file, r.body);
  const t = await run('unzip', ['-t', file]);
  assert.equal(t.code, 0, t.stdout + t.stderr);
  const sheet = (await run('unzip', ['-p', file, 'xl/worksheets/sheet1.xml'])).stdout;
  assert.ok(!/<f[ >]/.test(sheet), 'no formula element');
  assert.ok(sheet.includes('HYPERLINK'), 'the formula-looking value is there, as text');
  assert.ok(sheet.includes('Họ và tên') && sheet.includes(`Phạm Văn Hùng ${tag}`));
  assert.ok(sheet.includes(CCCD));
  const cells = [...sheet.matchAll(/<c [^>]*>/g)].map((m) => m[0]);
  assert.ok(cells.length >= 4 * 11 - 8);
  assert.ok(cells.every((c) => /t="(inlineStr|s|str)"/.test(c)), `every cell is a string: ${cells.find((c) => !/t="/.test(c))}`);
  // No temporary file stays in the data directory.
  const left = (await run('ls', [srv.dataDir])).stdout.split('\n').filter((n) => /export|\.tmp|xlsx/i.test(n));
  assert.deepEqual(left, []);
});

test('one audit entry per export, with the filter and the row count, never the rows', async () => {
  const before = (await listAll(srv, admin, '/api/v1/audit?action=person.export')).items.length;
  await exportCsv(admin, `&q=${encodeURIComponent(tag)}&unit_id=${tdp1}`);
  const entries = (await listAll(srv, admin, '/api/v1/audit?action=person.export')).items;
  assert.equal(entries.length, before + 1);
  const e = entries[0];
  assert.equal(e.detail.format, 'csv');
  assert.equal(e.detail.rows, 2);
  assert.deepEqual(e.detail.filter, { q: tag, unit_id: tdp1 });
  assert.ok(!JSON.stringify(e).includes('0912345678'));
  // A search by number is noted, not copied.
  await exportCsv(admin, `&q=${CCCD}`);
  const byNumber = (await listAll(srv, admin, '/api/v1/audit?action=person.export')).items[0];
  assert.equal(byNumber.detail.rows, 1);
  assert.ok(!JSON.stringify(byNumber).includes(CCCD), 'the CCCD searched for is not in the log');
});

test('100,000 people stream out with bounded server memory (CSV and XLSX)', { timeout: 900000 }, async () => {
  const N = 100000;
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: (await srv.getJSON(admin, `/api/v1/units/${tdp1}`)).parent_id, kind: 'residential_group', name: `Tổ tải ${tag}` } });
  assert.equal(u.status, 201, u.text);
  const unit = u.json.id;
  // Straight into the database: the API would take minutes for a hundred thousand records.
  const insert = ON_PG
    ? `INSERT INTO people (full_name, name_key, birth_year, sex, phone, vneid_level, unit_id, created_at, updated_at)
       SELECT 'Người Thử Tải ' || i, 'nguoi thu tai ' || i, 1950 + i % 60, CASE WHEN i % 2 = 0 THEN 'M' ELSE 'F' END,
       '09' || lpad(i::text, 8, '0'), i % 3, ${unit}, 0, 0 FROM generate_series(1, ${N}) i`
    : `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${N})
       INSERT INTO people (full_name, name_key, birth_year, sex, phone, vneid_level, unit_id, created_at, updated_at)
       SELECT 'Người Thử Tải ' || i, 'nguoi thu tai ' || i, 1950 + i % 60, CASE WHEN i % 2 = 0 THEN 'M' ELSE 'F' END,
       '09' || printf('%08d', i), i % 3, ${unit}, 0, 0 FROM n`;
  await sql(insert);
  // Warm up (statements prepared, pages cached), then measure the peak.
  await exportCsv(admin, `&unit_id=${unit}&age_min=150`);
  const hwm0 = await vmHWM();
  const t0 = Date.now();
  const r = await exportCsv(admin, `&unit_id=${unit}`);
  const csvMs = Date.now() - t0;
  const hwm1 = await vmHWM();
  const lines = r.text.split('\r\n').length - 2; // the heading and the empty tail
  assert.equal(lines, N);
  const t1 = Date.now();
  const x = await srv.request('GET', `/api/v1/residents/export?format=xlsx&unit_id=${unit}`, { session: admin, timeout: 600000 });
  const xlsxMs = Date.now() - t1;
  assert.equal(x.status, 200, x.text.slice(0, 200));
  const hwm2 = await vmHWM();
  const mb = (b) => (b / 1048576).toFixed(1);
  console.log(`# ${ON_PG ? 'postgresql' : 'sqlite'}: ${N} rows; VmHWM ${mb(hwm0)} MB → after CSV (${mb(r.body.length)} MB, ${csvMs} ms) ${mb(hwm1)} MB → after XLSX (${mb(x.body.length)} MB, ${xlsxMs} ms) ${mb(hwm2)} MB`);
  // Under AddressSanitizer the peak is the sanitizer's (freed blocks wait in its quarantine, up to
  // 256 MB, plus their shadow): the bound is asserted by the plain build's run of this suite.
  if (!process.env.ASAN_OPTIONS) {
    assert.ok(hwm1 - hwm0 < 50 * 1048576, `CSV: the server's peak grew by ${mb(hwm1 - hwm0)} MB`);
    assert.ok(hwm2 - hwm0 < 50 * 1048576, `XLSX: the server's peak grew by ${mb(hwm2 - hwm0)} MB`);
  }
  assert.ok(r.body.length > 5 * 1048576, 'the body is larger than what the server may have held');
  // Downloads given up half-way: the server drops the cursor (its connection goes back to the
  // pool, a PostgreSQL query is cancelled) and the next export is whole.
  for (let k = 0; k < 3; k++) {
    await new Promise((res, rej) => {
      const req = http.get({ host: '127.0.0.1', port: srv.port, path: `/api/v1/residents/export?unit_id=${unit}`, headers: { cookie: admin.cookie } }, (resp) => {
        assert.equal(resp.statusCode, 200);
        resp.once('data', () => {
          req.destroy();
          res();
        });
      });
      req.on('error', (e) => (e.code === 'ECONNRESET' ? res() : rej(e)));
    });
  }
  // At once, as a script would: a cancel that came too late for its query must not hit this one.
  const again = await exportCsv(admin, `&unit_id=${unit}`);
  assert.equal(again.text.split('\r\n').length - 2, N);
  assert.equal((await srv.request('GET', '/healthz')).status, 200);
});

// reports.test.mjs: the quarterly and yearly report of a unit over real HTTP (issue 10, part 6):
// its content comes from the quarter's snapshot (the history's figures, not today's); the PDF is
// an A4 document in the layout of Nghị định 30/2020 whose text (pdftotext) carries the header, the
// title and every indicator's figures, and which renders (pdftoppm); the workbook (unzip) holds
// the same figures; a unit made after the quarter gets its own snapshot on demand; a period that
// is none or has not ended, a unit out of scope: a clear 4xx. SQLite, or PostgreSQL with
// HOCVUSO_TEST_PG_DIR.
// Owns: its server and the units it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, finish, uniq, expectError, groupKind, run, tempDir } from './lib/server.mjs';

let srv, admin, tdp01, ward, last;
const tag = uniq('r').replace(/[^a-z]/g, '');

before(async () => {
  srv = await startServer();
  admin = await srv.login('admin');
  tdp01 = await srv.login('tdp01');
  ward = await srv.unitId(admin, 'Phường Hải Dương');
  const now = new Date(Date.now() + 7 * 3600 * 1000);
  let y = now.getUTCFullYear(), q = Math.floor(now.getUTCMonth() / 3);
  if (q === 0) { y -= 1; q = 4; }
  last = `${y}-Q${q}`;
});
after(async () => finish(srv, assert));

const ROMAN = ['I', 'II', 'III', 'IV'];
const fig = (x) => `${x.numerator}/${x.denominator}`;

test('the report of the quarter just ended: the snapshot\'s figures, the plan\'s tasks, in JSON, PDF and Excel', async () => {
  const rep = await srv.getJSON(admin, `/api/v1/reports?unit=${ward}&period=${last}`);
  assert.equal(rep.quarter, last);
  assert.equal(rep.label, `quý ${ROMAN[Number(last.slice(-1)) - 1]} năm ${last.slice(0, 4)}`);
  assert.deepEqual(rep.issuer, ['ỦY BAN NHÂN DÂN', 'PHƯỜNG HẢI DƯƠNG']);
  assert.equal(rep.place, 'Hải Dương');
  assert.ok(rep.targets.length >= 7 && rep.models.length >= 5, JSON.stringify(rep).slice(0, 300));
  assert.ok(rep.tasks.length >= 10, 'the ward\'s report carries the plan\'s tasks');
  // The same figures as the history kept for that quarter.
  for (const x of [...rep.targets, ...rep.models].filter((t) => /^(T|M|C)\d/.test(t.code))) {
    const h = await srv.getJSON(admin, `/api/v1/indicators/history?code=${x.code}&unit=${ward}`);
    const kept = h.items.find((i) => i.quarter === last);
    assert.deepEqual([x.numerator, x.denominator, x.target], [kept.numerator, kept.denominator, kept.target], x.code);
  }
  // The PDF.
  const dir = tempDir('report');
  const r = await srv.request('GET', `/api/v1/reports/pdf?unit=${ward}&period=${last}`, { session: admin });
  assert.equal(r.status, 200, r.text.slice(0, 200));
  assert.equal(r.headers['content-type'], 'application/pdf');
  assert.match(r.headers['content-disposition'], /^attachment; filename="bao-cao-bdhvs-\d+-\d{4}-Q\d\.pdf"/);
  const pdf = join(dir, 'r.pdf');
  writeFileSync(pdf, r.body);
  const info = (await run('pdfinfo', [pdf])).stdout;
  assert.match(info, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
  const text = (await run('pdftotext', ['-layout', pdf, '-'])).stdout;
  for (const s of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'ỦY BAN NHÂN DÂN', 'PHƯỜNG HẢI DƯƠNG',
    'BÁO CÁO', `quý ${ROMAN[Number(last.slice(-1)) - 1]} năm ${last.slice(0, 4)}`, '/BC-UBND', 'TM. ỦY BAN NHÂN DÂN', 'CHỦ TỊCH', 'Nơi nhận:'])
    assert.ok(text.includes(s), `the PDF says "${s}"`);
  for (const x of [...rep.targets, ...rep.models]) assert.ok(text.includes(fig(x)), `${x.code}: ${fig(x)} in the PDF`);
  assert.equal((await run('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', '-singlefile', pdf, join(dir, 'p1')])).code, 0);
  assert.ok(existsSync(join(dir, 'p1.png')) && statSync(join(dir, 'p1.png')).size > 5000, 'page 1 renders');
  // The workbook.
  const x = await srv.request('GET', `/api/v1/reports/report.xlsx?unit=${ward}&period=${last}`, { session: admin });
  assert.equal(x.status, 200, x.text.slice(0, 200));
  const xl = join(dir, 'r.xlsx');
  writeFileSync(xl, x.body);
  assert.equal((await run('unzip', ['-t', xl])).code, 0);
  const sheet = (await run('unzip', ['-p', xl, 'xl/worksheets/sheet1.xml'])).stdout;
  assert.ok(sheet.includes('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'));
  for (const t of [...rep.targets, ...rep.models]) assert.ok(sheet.includes(`<t>${fig(t)}</t>`), `${t.code}: ${fig(t)} in the workbook`);
});

test('a yearly report is its fourth quarter; a unit made after the quarter gets its snapshot on demand', async () => {
  const y = Number(last.slice(0, 4)) - (last.endsWith('Q4') ? 0 : 1);
  const rep = await srv.getJSON(admin, `/api/v1/reports?unit=${ward}&period=${y}`);
  assert.equal(rep.quarter, `${y}-Q4`);
  assert.equal(rep.label, `năm ${y}`);
  const u = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: ward, kind: await groupKind(srv, admin), name: `Tổ báo cáo ${tag}` } });
  assert.equal(u.status, 201, u.text);
  const t = await srv.getJSON(admin, `/api/v1/reports?unit=${u.json.id}&period=${last}`);
  assert.deepEqual(t.issuer, ['PHƯỜNG HẢI DƯƠNG', `TỔ BÁO CÁO ${tag.toUpperCase()}`]);
  assert.equal(t.tasks.length, 0, 'the plan\'s tasks are the ward\'s report');
  assert.ok(t.targets.every((x) => x.denominator === 0));
  const h = await srv.getJSON(admin, `/api/v1/indicators/history?code=T3&unit=${u.json.id}`);
  assert.ok(h.items.some((i) => i.quarter === last), 'kept now, like the others');
});

test('the resources mobilised up to the period\'s end: totals by kind and source in JSON, PDF and Excel', async () => {
  const qEnd = (() => {
    const y = Number(last.slice(0, 4)), q = Number(last.slice(-1));
    return new Date(Date.UTC(y, q * 3, 0)).toISOString().slice(0, 10); // the quarter's last day
  })();
  const tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  const add = (body) => srv.request('POST', '/api/v1/contributions', { session: admin, body: {
    source_kind: 'business', source_name: `Công ty Báo cáo ${tag}`, kind: 'money', description: 'Ủng hộ phong trào', value_vnd: 1234567, ...body } });
  // one inside the period (its last day), in the ward's tổ; one the day after: not counted
  const a = await add({ unit_id: tdp1, kind: 'devices', source_kind: 'individual', quantity: 2, value_vnd: 7654321, received_on: qEnd });
  assert.equal(a.status, 201, a.text);
  const next = new Date(Date.parse(qEnd) + 86400000).toISOString().slice(0, 10);
  const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
  if (next <= today) assert.equal((await add({ unit_id: ward, received_on: next })).status, 201);
  // what the report must say: every contribution of the ward's subtree received up to the end
  const all = (await srv.getJSON(admin, `/api/v1/contributions?unit_id=${ward}&per_page=200`)).items.filter((c) => c.received_on <= qEnd);
  const sum = (xs) => xs.reduce((n, c) => n + c.value_vnd, 0);
  const rep = await srv.getJSON(admin, `/api/v1/reports?unit=${ward}&period=${last}`);
  const res = rep.resources;
  assert.equal(res.count, all.length);
  assert.equal(res.value_vnd, sum(all));
  assert.deepEqual(res.by_kind.map((k) => k.code), ['money', 'devices', 'facilities', 'people']);
  for (const k of res.by_kind) assert.deepEqual([k.count, k.value_vnd], [all.filter((c) => c.kind === k.code).length, sum(all.filter((c) => c.kind === k.code))], k.code);
  for (const k of res.by_source) assert.deepEqual([k.count, k.value_vnd], [all.filter((c) => c.source_kind === k.code).length, sum(all.filter((c) => c.source_kind === k.code))], k.code);
  assert.equal(res.by_kind[1].label, 'Thiết bị');
  assert.ok(Number.isInteger(res.budget_vnd) && Number.isInteger(res.mobilised_for_tasks_vnd), 'the ward\'s report carries the plan\'s budget');
  // a tổ's report: its own contributions, no budget lines
  const t = await srv.getJSON(admin, `/api/v1/reports?unit=${tdp1}&period=${last}`);
  const mine = all.filter((c) => c.unit_id === tdp1);
  assert.deepEqual([t.resources.count, t.resources.value_vnd], [mine.length, sum(mine)]);
  assert.equal(t.resources.budget_vnd, undefined);
  // the PDF and the workbook say the same
  const dots = (v) => String(v).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const dir = tempDir('report-res');
  const r = await srv.request('GET', `/api/v1/reports/pdf?unit=${ward}&period=${last}`, { session: admin });
  assert.equal(r.status, 200);
  writeFileSync(join(dir, 'r.pdf'), r.body);
  const text = (await run('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'])).stdout;
  assert.ok(text.includes('IV. NGUỒN LỰC ĐÃ HUY ĐỘNG'), 'the PDF has the resources section after the tasks');
  assert.ok(text.includes(dots(res.value_vnd)), `the PDF's total ${dots(res.value_vnd)}`);
  assert.ok(text.includes('Thiết bị') && text.includes('Tổng cộng'));
  const x = await srv.request('GET', `/api/v1/reports/report.xlsx?unit=${ward}&period=${last}`, { session: admin });
  assert.equal(x.status, 200);
  writeFileSync(join(dir, 'r.xlsx'), x.body);
  const sheet = (await run('unzip', ['-p', join(dir, 'r.xlsx'), 'xl/worksheets/sheet1.xml'])).stdout;
  assert.ok(sheet.includes('IV. NGUỒN LỰC ĐÃ HUY ĐỘNG'));
  assert.ok(sheet.includes(`<v>${res.value_vnd}</v>`), 'the workbook\'s total is a number');
});

test('a period that is none or has not ended, a unit out of scope: 4xx naming the field', async () => {
  const future = `${Number(last.slice(0, 4)) + 1}-Q1`;
  expectError(assert, await srv.request('GET', `/api/v1/reports?unit=${ward}&period=${future}`, { session: admin }), 400, 'invalid_value', 'period');
  expectError(assert, await srv.request('GET', `/api/v1/reports/pdf?unit=${ward}&period=${future}`, { session: admin }), 400, 'invalid_value', 'period');
  expectError(assert, await srv.request('GET', `/api/v1/reports?unit=${ward}&period=2026-Q7`, { session: admin }), 400, 'invalid_value', 'period');
  expectError(assert, await srv.request('GET', `/api/v1/reports?unit=${ward}&period=quy3`, { session: admin }), 400, undefined, 'period');
  expectError(assert, await srv.request('GET', `/api/v1/reports?unit=${ward}&period=${last}`, { session: tdp01 }), 403, undefined, 'unit');
  expectError(assert, await srv.request('GET', `/api/v1/reports?unit=987654321&period=${last}`, { session: admin }), 404);
});

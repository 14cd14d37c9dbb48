// Those an indicator leaves behind, in a real Chromium against a real server (issue 10, item 4): on a
// 360 px phone a tổ officer goes from the dashboard (#/chi-tieu) to the list of the adults of their
// tổ who have not learned (T3: "Danh sách chưa đạt"), each row the API's, and downloads it as the
// team's CSV worklist (BOM, Vietnamese headings, the same people); the households of Gia đình số
// (M3) the same way; an indicator that counts neither people nor households has no such link.
// Owns: its server, its browser and the synthetic people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
let tdp1;
let admin;
const t = tag().replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  admin = await apiSession(srv.url, 'admin', srv.password);
  tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  const h1 = await admin.ok('POST', '/households', { unit_id: tdp1, address: `Số 7 ngõ Chưa Đạt ${t}` });
  const h2 = await admin.ok('POST', '/households', { unit_id: tdp1, address: `Số 9 ngõ Chưa Đạt ${t}` });
  const people = [
    ['Nguyễn Văn Đã Học', '1965-02-02', h1.id, 'vneid'],
    ['Trần Thị Chưa Học', '1990-03-03', h1.id, null, '0987654321'],
    ['Lê Văn Cũng Chưa', '1982-04-04', h2.id, null],
  ];
  for (const [name, birth, hh, kind, phone] of people) {
    const p = await admin.ok('POST', '/residents', { full_name: `${name} ${t}`, unit_id: tdp1, household_id: hh, birth_date: birth, ...(phone ? { phone } : {}) });
    if (kind) await admin.ok('POST', `/residents/${p.id}/confirmations`, { kind, confirmed_on: '2026-01-10' });
  }
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

/** The CSV file of a download, as rows of cells (RFC 4180), with its first bytes. */
function csvOf(path) {
  const bytes = readFileSync(path);
  const rows = [];
  let row = [], cell = '', quoted = false;
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  return { bytes, rows };
}

test('phone 360 px: a tổ officer goes from the dashboard to the adults who have not learned, and downloads the worklist', { timeout: 120_000 }, async () => {
  const { page, problems } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tdp01', srv.password);
  await page.goto('/#/chi-tieu');
  await page.getByRole('heading', { level: 1, name: 'Chỉ tiêu: Tổ dân phố số 1' }).waitFor();
  await waitReady(page);
  // Only indicators over people or households, not met, have the link: T6 (schools) never.
  assert.equal(await page.locator('main li.ind-item[data-code="T6"] .ind-left-link').count(), 0);
  const figures = await (await page.request.get(`${srv.url}/api/v1/indicators?unit=${tdp1}`)).json();
  const t3 = figures.items.find((x) => x.code === 'T3');
  assert.ok(t3.numerator < t3.denominator && t3.met === false, JSON.stringify(t3));
  await page.locator('main li.ind-item[data-code="T3"]').getByRole('link', { name: 'Danh sách chưa đạt' }).click();
  await page.getByRole('heading', { level: 1, name: /^Chưa đạt: T3 / }).waitFor();
  await waitReady(page);
  assert.match(page.url(), new RegExp(`code=T3&unit=${tdp1}`));
  // Each row the API's, in its order; the count is denominator − numerator.
  const api = await (await page.request.get(`${srv.url}/api/v1/indicators/left-behind?code=T3&unit=${tdp1}&per_page=50`)).json();
  assert.equal(api.total, t3.denominator - t3.numerator);
  const names = await page.locator('main table.ind-left-table tbody tr .row-name').allInnerTexts();
  assert.deepEqual(names, api.items.map((x) => x.full_name));
  assert.ok(names.includes(`Trần Thị Chưa Học ${t}`) && names.includes(`Lê Văn Cũng Chưa ${t}`));
  assert.ok(!names.includes(`Nguyễn Văn Đã Học ${t}`), 'who learned is not on the list');
  const row = page.locator('main table.ind-left-table tbody tr', { hasText: `Trần Thị Chưa Học ${t}` });
  assert.equal(await row.locator('td[data-label="Năm sinh"]').innerText(), '1990');
  assert.equal(await row.locator('td[data-label="Điện thoại"]').innerText(), '0987654321');
  assert.match(await row.locator('td[data-label="Nhóm đối tượng"]').innerText(), /Người dân từ 18 tuổi/);
  await page.getByText(`${api.total} người`, { exact: false }).first().waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'the list of those left behind');
  // The worklist file.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải danh sách (CSV)' }).click()]);
  assert.match(dl.suggestedFilename(), /^Danh sách chưa đạt T3 - Tổ dân phố số 1 - \d{4}-\d{2}-\d{2}\.csv$/);
  const { bytes, rows } = csvOf(await dl.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM, for Excel');
  assert.deepEqual(rows[0], ['STT', 'Họ và tên', 'Năm sinh', 'Tổ dân phố', 'Địa chỉ', 'Số điện thoại', 'Nhóm đối tượng', 'Đã hỗ trợ (ghi chú)']);
  assert.deepEqual(rows.slice(1).map((r) => r[1]), api.items.filter((x) => !x.restricted).map((x) => x.full_name));
  // Back to the dashboard, then the households of Gia đình số.
  await page.getByRole('link', { name: 'Về các chỉ tiêu' }).click();
  await page.getByRole('heading', { level: 1, name: 'Chỉ tiêu: Tổ dân phố số 1' }).waitFor();
  await waitReady(page);
  await page.locator('main li.ind-item[data-code="M3"]').getByRole('link', { name: 'Danh sách chưa đạt' }).click();
  await page.getByRole('heading', { level: 1, name: /^Chưa đạt: M3 / }).waitFor();
  await waitReady(page);
  const hh = await (await page.request.get(`${srv.url}/api/v1/indicators/left-behind?code=M3&unit=${tdp1}&per_page=50`)).json();
  const addresses = await page.locator('main table.ind-left-table tbody tr .row-name').allInnerTexts();
  assert.deepEqual(addresses, hh.items.map((x) => x.address || x.code || `Hộ ${x.id}`));
  assert.ok(addresses.includes(`Số 9 ngõ Chưa Đạt ${t}`), 'the household where nobody learned');
  assert.ok(!addresses.includes(`Số 7 ngõ Chưa Đạt ${t}`), 'a member of this one learned');
  await assertNoHorizontalOverflow(page, PHONE.width, 'the households left behind');
  assertNoProblems(problems);
});

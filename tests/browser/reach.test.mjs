// The officers' overview of Đại sứ số, Gia đình số and VNeID coverage in a real Chromium against a real
// server, on a 360 px phone: the ward admin sees the three sections with the server's figures per tổ
// dân phố and follows a tổ to its households where nobody has learned; the field helper of tổ 1 has no
// VNeID figures (police only) but the worklist of adults without level 2 of their own tổ. The admin
// records a level reached ten days ago on the person's record, and the overview's figures of a past
// day (its date form) are each person's level on that day.
// Owns: its server, its browser and the synthetic people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, binaryPath } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
let tdp1;
let hh;
let adult;
const t = tag().replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const admin = await apiSession(srv.url, 'admin', srv.password);
  tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  const tdp2 = await unitId(admin, 'Tổ dân phố số 2');
  hh = await admin.ok('POST', '/households', { unit_id: tdp1, address: `Số 7 ngõ Phổ Cập ${t}` });
  adult = await admin.ok('POST', '/residents', { full_name: `Trần Thị Định ${t}`, unit_id: tdp1, household_id: hh.id, birth_date: '1968', vneid_level: 1 });
  const hh2 = await admin.ok('POST', '/households', { unit_id: tdp2, address: `Số 9 ngõ Khác ${t}` });
  await admin.ok('POST', '/residents', { full_name: `Lê Văn Khác ${t}`, unit_id: tdp2, household_id: hh2.id, birth_date: '1970', vneid_level: 0 });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('phone 360 px: the ward admin reads the overview and follows a tổ to its households left behind', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await waitReady(page);
  await page.goto('/#/tong-quan-so');
  await page.getByRole('heading', { level: 1, name: 'Tổng quan phổ cập số' }).waitFor();
  await waitReady(page);
  for (const name of ['Đại sứ số', 'Gia đình số', 'Định danh điện tử VNeID']) await page.getByRole('heading', { level: 2, name }).waitFor();
  const fam = await (await page.request.get(`${srv.url}/api/v1/families`)).json();
  const r1 = fam.by_unit.find((x) => x.unit_id === tdp1);
  const famRow = page.locator(`main .families-table tr[data-id="${tdp1}"]`);
  assert.equal((await famRow.locator('td[data-label="Số hộ"]').innerText()).trim(), String(r1.households));
  const cov = await (await page.request.get(`${srv.url}/api/v1/vneid/coverage`)).json();
  const c1 = cov.by_unit.find((x) => x.unit_id === tdp1);
  assert.ok(c1.adults_without_level2 >= 1);
  assert.equal((await page.locator(`main .vneid-table tr[data-id="${tdp1}"] td[data-label="Từ 18 tuổi chưa có mức 2"]`).innerText()).trim(), String(c1.adults_without_level2));
  // The service centre has no helper yet: flagged.
  await page.getByText('chưa có người hỗ trợ', { exact: false }).first().waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'the overview');
  await famRow.getByRole('link', { name: 'Tổ dân phố số 1' }).click();
  await page.getByRole('heading', { level: 1, name: 'Hộ chưa có ai học' }).waitFor();
  await waitReady(page);
  await page.locator('main .families-left-table').getByRole('link', { name: hh.address }).waitFor();
  assert.equal(await page.locator('main .families-left-table').getByText(`Số 9 ngõ Khác ${t}`).count(), 0, 'only the tổ followed');
  await assertNoHorizontalOverflow(page, PHONE.width, 'the households left behind');
  assertNoProblems(problems);
  await context.close();
});

test('phone 360 px: the field helper has the worklist of their tổ, not the VNeID figures', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tinhnguyen', srv.password);
  await waitReady(page);
  await page.goto('/#/tong-quan-so');
  await page.getByRole('heading', { level: 1, name: 'Tổng quan phổ cập số' }).waitFor();
  await waitReady(page);
  assert.equal(await page.locator('main .vneid-table').count(), 0);
  await page.getByRole('link', { name: 'Danh sách người chưa có mức 2' }).click();
  await page.getByRole('heading', { level: 1, name: 'Người chưa có định danh mức 2' }).waitFor();
  await waitReady(page);
  const rowOf = page.locator(`main .vneid-worklist-table tr[data-id="${adult.id}"]`);
  await rowOf.getByText('Mức 1').waitFor();
  assert.equal(await page.locator('main .vneid-worklist-table').getByText(`Lê Văn Khác ${t}`).count(), 0, 'nobody of tổ 2');
  await assertNoHorizontalOverflow(page, PHONE.width, 'the worklist');
  assertNoProblems(problems);
  await context.close();
});

test('phone 360 px: a VNeID level dated ten days back on the record counts from that day in the overview', { timeout: 120_000 }, async () => {
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  allow(/status of 400 .*\/api\/v1\/residents\//); // the date without a new level, on purpose
  await login(page, 'admin', srv.password);
  await waitReady(page);
  const day = (n) => new Date(Date.now() + 7 * 3600e3 - n * 86400e3).toISOString().slice(0, 10);
  const [d10, d11] = [day(10), day(11)];
  const cov = async (d) => (await (await page.request.get(`${srv.url}/api/v1/vneid/coverage?date=${d}`)).json()).by_unit.find((x) => x.unit_id === tdp1);
  const before10 = await cov(d10), before11 = await cov(d11);
  await page.goto(`/#/dan-cu/${adult.id}`);
  await waitReady(page);
  await page.locator('summary', { hasText: 'Sửa hồ sơ' }).click();
  const edit = page.getByRole('form', { name: 'Sửa hồ sơ' });
  // a day that does not exist: refused beside the field, nothing saved
  await edit.getByLabel('Ngày đạt mức định danh').fill('31/02/2026');
  await edit.getByRole('button', { name: 'Lưu thay đổi' }).click();
  await edit.locator('.field', { has: page.getByLabel('Ngày đạt mức định danh') }).locator('.field-error').getByText(/Ngày đạt mức định danh không hợp lệ/).waitFor();
  await edit.getByLabel('Ngày đạt mức định danh').fill(d10.split('-').reverse().join('/'));
  await edit.getByLabel('Định danh điện tử (VNeID)').selectOption('2');
  await edit.getByRole('button', { name: 'Lưu thay đổi' }).click();
  await page.getByText('Đã lưu hồ sơ.').waitFor();
  await waitReady(page);
  const after10 = await cov(d10), after11 = await cov(d11);
  assert.equal(after10.level2, before10.level2 + 1, 'level 2 from the day given');
  assert.equal(after11.level2, before11.level2, 'not the day before');
  await page.goto(`/#/tong-quan-so?date=${d10}`);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan phổ cập số' }).waitFor();
  await waitReady(page);
  const cellOf = () => page.locator(`main .vneid-table tr[data-id="${tdp1}"] td[data-label="Mức 2"]`);
  assert.match((await cellOf().innerText()).trim(), new RegExp(`^${after10.level2} `));
  assert.equal(await page.getByLabel('Mức định danh vào ngày').getAttribute('max'), day(0), 'no day after today to pick (review 17)');
  await page.getByLabel('Mức định danh vào ngày').fill(d11);
  await page.getByRole('button', { name: 'Xem' }).click();
  await page.waitForFunction((d) => location.hash.includes(`date=${d}`), d11);
  await waitReady(page);
  assert.match((await cellOf().innerText()).trim(), new RegExp(`^${after11.level2} `));
  await assertNoHorizontalOverflow(page, PHONE.width, 'the overview of a past day');
  assertNoProblems(problems);
  await context.close();
});

test('phone 360 px: the ward police mark a resident of the worklist as level 2, and the row goes', { timeout: 120_000 }, async () => {
  // the police role on the ward, as an operator grants it (`hocvuso demo --residents` does the same)
  execFileSync(binaryPath(), ['user', 'grant', 'congan', 'police', 'HP-HD', '--data', srv.dataDir, ...srv.dbArgs]);
  const admin = await apiSession(srv.url, 'admin', srv.password);
  const who = await admin.ok('POST', '/residents', { full_name: `Ngô Văn Công ${t}`, unit_id: tdp1, household_id: hh.id, birth_date: '1972', vneid_level: 1 });
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'congan', srv.password);
  await waitReady(page);
  await page.goto(`/#/dinh-danh?unit_id=${tdp1}`);
  await page.getByRole('heading', { level: 1, name: 'Người chưa có định danh mức 2' }).waitFor();
  await waitReady(page);
  const row = page.locator(`main .vneid-worklist-table tr[data-id="${who.id}"]`);
  await row.getByText('Mức 1').waitFor();
  const mark = row.getByRole('form', { name: `Ghi mức 2 cho ${who.full_name}` });
  await assertNoHorizontalOverflow(page, PHONE.width, 'the worklist with the police action');
  const yesterday = new Date(Date.now() + 7 * 3600e3 - 86400e3).toISOString().slice(0, 10);
  await mark.getByLabel(`Ngày ${who.full_name} đạt mức 2 (để trống: hôm nay)`).fill(yesterday);
  await mark.getByRole('button', { name: 'Đã đạt mức 2' }).click();
  await page.getByText(`Đã ghi mức 2 cho ${who.full_name}.`).waitFor();
  await waitReady(page);
  assert.equal(await page.locator(`main .vneid-worklist-table tr[data-id="${who.id}"]`).count(), 0, 'no longer on the worklist');
  const rec = await (await page.request.get(`${srv.url}/api/v1/residents/${who.id}`)).json();
  assert.equal(rec.vneid_level, 2);
  assertNoProblems(problems);
  await context.close();
});

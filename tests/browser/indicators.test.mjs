// The movement's dashboard in a real Chromium against a real server (issue 10, part 4 begun): on a
// 360 px phone the ward admin's home page shows the indicators of their unit with the server's
// figures; the dashboard page follows the date (2025's targets) and drills down to a tổ dân phố,
// whose figures are again the API's; on a desktop the same page lays the indicators out in two
// columns. A field helper (no reports.read) sees no figures on the home page.
// Owns: its server, its browser and the synthetic people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
let tdp1;
const t = tag().replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const admin = await apiSession(srv.url, 'admin', srv.password);
  tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  const hh = await admin.ok('POST', '/households', { unit_id: tdp1, address: `Số 3 ngõ Chỉ Tiêu ${t}` });
  for (const [name, birth] of [['Nguyễn Văn Một', '1960-02-02'], ['Trần Thị Hai', '1990-03-03']]) {
    const p = await admin.ok('POST', '/residents', { full_name: `${name} ${t}`, unit_id: tdp1, household_id: hh.id, birth_date: birth });
    if (birth.startsWith('1990')) await admin.ok('POST', `/residents/${p.id}/confirmations`, { kind: 'vneid', confirmed_on: '2025-06-01' });
  }
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// Each indicator on the page against the API's answer for the same unit and date.
async function sameAsApi(page, query) {
  const api = await (await page.request.get(`${srv.url}/api/v1/indicators${query}`)).json();
  assert.ok(api.items.length >= 12);
  for (const it of api.items) {
    const li = page.locator(`main li.ind-item[data-code="${it.code}"]`).first();
    assert.equal((await li.locator('.ind-count').innerText()).split(' ')[0], `${it.numerator.toLocaleString('vi-VN')}/${it.denominator.toLocaleString('vi-VN')}`, it.code);
    const goal = (await li.locator('.ind-goal').innerText()).trim();
    assert.equal(goal, it.target === null ? 'không có chỉ tiêu năm' : `chỉ tiêu ${it.target}%`, it.code);
  }
  return api;
}

test('phone 360 px: the home page shows the unit\'s indicators; the dashboard follows the date and drills down to a tổ', { timeout: 120_000 }, async () => {
  const { page, problems } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await waitReady(page);
  await page.locator('main li.ind-item[data-code="T3"]').waitFor();
  await sameAsApi(page, '');
  await assertNoHorizontalOverflow(page, PHONE.width, 'the home page with its indicators');
  await page.getByRole('link', { name: 'Xem theo đơn vị, theo ngày' }).click();
  await page.getByRole('heading', { level: 1, name: /^Chỉ tiêu: / }).waitFor();
  await waitReady(page);
  await page.fill('#ind-date', '2025-12-31');
  await page.getByRole('button', { name: 'Xem' }).click();
  await page.getByText('tính đến hết ngày 31/12/2025', { exact: false }).waitFor();
  await waitReady(page);
  const a = await sameAsApi(page, `?unit=${new URL(page.url()).hash.match(/unit=(\d+)/)[1]}&date=2025-12-31`);
  assert.equal(a.items.find((x) => x.code === 'T3').target, 80);
  // Down to tổ dân phố số 1, on the same date.
  await page.locator('main .ind-units').getByRole('link', { name: 'Tổ dân phố số 1', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Chỉ tiêu: Tổ dân phố số 1' }).waitFor();
  await waitReady(page);
  const t1 = await sameAsApi(page, `?unit=${tdp1}&date=2025-12-31`);
  assert.ok(t1.items.find((x) => x.code === 'T4').numerator >= 1, 'the confirmation made in 2025 counts');
  await assertNoHorizontalOverflow(page, PHONE.width, 'the dashboard of a tổ');
  // Down to the households left behind (Gia đình số), the team's worklist of the same tổ.
  await page.locator('main li.ind-item[data-code="M3"]').getByRole('link', { name: 'Hộ chưa có ai học' }).click();
  await page.getByRole('heading', { level: 1, name: 'Hộ chưa có ai học' }).waitFor();
  assert.match(page.url(), new RegExp(`unit_id=${tdp1}`));
  assertNoProblems(problems);
});

test('phone 360 px: the ward\'s tổ dân phố ranked by an indicator, each row the API\'s, each a way down', { timeout: 120_000 }, async () => {
  const { page, problems } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await waitReady(page);
  await page.goto('/#/chi-tieu');
  await page.getByRole('heading', { level: 1, name: /^Chỉ tiêu: / }).waitFor();
  await waitReady(page);
  await page.locator('main li.ind-item[data-code="T4"]').getByRole('link', { name: 'Xếp hạng đơn vị trực thuộc' }).click();
  await page.getByRole('heading', { level: 1, name: /^Xếp hạng: T4 / }).waitFor();
  await waitReady(page);
  const q = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
  const api = await (await page.request.get(`${srv.url}/api/v1/indicators/ranking?${q}`)).json();
  const rows = page.locator('main .ind-ranking tbody tr');
  assert.equal(await rows.count(), api.items.length);
  for (const [i, x] of api.items.slice(0, 5).entries()) {
    const tr = rows.nth(i);
    assert.equal(await tr.getAttribute('data-id'), String(x.unit_id));
    assert.equal((await tr.locator('td[data-label="Hạng"]').innerText()).trim(), x.rank === null ? '—' : String(x.rank));
    assert.equal((await tr.locator('td[data-label="Số đạt"]').innerText()).trim(), `${x.numerator.toLocaleString('vi-VN')}/${x.denominator.toLocaleString('vi-VN')}`);
  }
  const t1 = api.items.find((x) => x.unit_id === tdp1);
  assert.ok(t1 && t1.numerator >= 1, 'tổ 1 holds the confirmation made for this test');
  await assertNoHorizontalOverflow(page, PHONE.width, 'the ranking');
  await page.locator(`main .ind-ranking tr[data-id="${tdp1}"]`).getByRole('link').click();
  await page.getByRole('heading', { level: 1, name: 'Chỉ tiêu: Tổ dân phố số 1' }).waitFor();
  // A commendation criterion the ward sets: its candidates on the dashboard are the API's.
  const admin = await apiSession(srv.url, 'admin', srv.password);
  const rule = await admin.ok('POST', '/commendations/rules', { name: 'Từ 1% được xác nhận VNeID', rule: { kind: 'at_least', code: 'T4', percent: 1 } });
  await page.goto(`/#/chi-tieu?unit=${q.get('unit')}&date=${q.get('date')}`);
  await page.getByRole('heading', { level: 2, name: /^Thi đua, khen thưởng/ }).waitFor();
  await waitReady(page);
  const cm = await (await page.request.get(`${srv.url}/api/v1/commendations?unit=${q.get('unit')}&date=${q.get('date')}`)).json();
  const mine = cm.rules.find((x) => x.id === rule.id);
  assert.ok(mine.candidates.some((c) => c.unit_id === tdp1));
  assert.equal(await page.locator(`main .ind-honours li[data-rule="${rule.id}"] li`).count(), mine.candidates.length);
  await page.locator(`main .ind-honours li[data-rule="${rule.id}"] li[data-unit="${tdp1}"]`).waitFor();
  assertNoProblems(problems);
});

test('phone 360 px: an indicator by quarter: the figures kept, today, and the chart drawn by the pinned chart library', { timeout: 120_000 }, async () => {
  const { page, problems } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await waitReady(page);
  await page.goto('/#/chi-tieu');
  await page.getByRole('heading', { level: 1, name: /^Chỉ tiêu: / }).waitFor();
  await waitReady(page);
  await page.locator('main li.ind-item[data-code="T3"]').getByRole('link', { name: 'Theo quý' }).click();
  await page.getByRole('heading', { level: 1, name: /^Theo quý: T3 / }).waitFor();
  await waitReady(page);
  const unit = new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('unit');
  const hist = await (await page.request.get(`${srv.url}/api/v1/indicators/history?code=T3&unit=${unit}`)).json();
  assert.ok(hist.items.length >= 4, 'the demo keeps its last four quarters');
  const rows = page.locator('main .ind-trend tbody tr');
  assert.equal(await rows.count(), hist.items.length + 1); // and today
  for (const [i, x] of hist.items.entries()) {
    assert.equal((await rows.nth(i).locator('td[data-label="Quý"]').innerText()).trim(), x.quarter.replace('-', ' '));
    assert.equal((await rows.nth(i).locator('td[data-label="Số đạt"]').innerText()).trim(), `${x.numerator.toLocaleString('vi-VN')}/${x.denominator.toLocaleString('vi-VN')}`);
  }
  await page.locator(`#ind-trend-chart[data-ready="${hist.items.length + 1}"]`).waitFor();
  const drawn = await page.locator('#ind-trend-chart').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
    return ink;
  });
  assert.ok(drawn > 1000, `the chart has ink (${drawn} pixels)`);
  await assertNoHorizontalOverflow(page, PHONE.width, 'the trend');
  assertNoProblems(problems);
});

test('desktop: the quarter\'s report downloaded as PDF and Excel from the dashboard', { timeout: 120_000 }, async () => {
  const { page, problems } = await newPage(browser, srv.url, { viewport: { width: 1280, height: 900 } });
  await login(page, 'admin', srv.password);
  await waitReady(page);
  await page.goto('/#/chi-tieu');
  await page.getByRole('heading', { level: 2, name: 'Báo cáo quý, năm' }).waitFor();
  await waitReady(page);
  const period = await page.locator('#report-period').inputValue();
  assert.match(period, /^\d{4}-Q[1-4]$/);
  for (const [name, ext] of [['Tải báo cáo PDF', 'pdf'], ['Tải báo cáo Excel', 'xlsx']]) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
    // the Vietnamese name of Content-Disposition's filename*
    assert.match(dl.suggestedFilename(), new RegExp(`^Báo cáo Bình dân học vụ số .+ quý [IV]+ năm ${period.slice(0, 4)}\\.${ext}$`));
    const path = await dl.path();
    const { statSync } = await import('node:fs');
    assert.ok(statSync(path).size > 3000, `${ext}: ${statSync(path).size} bytes`);
  }
  assertNoProblems(problems);
});

test('desktop: two columns of indicators; a field helper\'s home page has no figures', { timeout: 120_000 }, async () => {
  const { page, problems } = await newPage(browser, srv.url, { viewport: { width: 1280, height: 900 } });
  await login(page, 'admin', srv.password);
  await waitReady(page);
  await page.goto('/#/chi-tieu');
  await page.getByRole('heading', { level: 1, name: /^Chỉ tiêu: / }).waitFor();
  await waitReady(page);
  const boxes = await page.locator('main li.ind-item').evaluateAll((els) => els.slice(0, 2).map((e) => e.getBoundingClientRect().top));
  assert.equal(Math.round(boxes[0]), Math.round(boxes[1]), 'the first two indicators side by side');
  assertNoProblems(problems);
  const helper = await newPage(browser, srv.url, { viewport: PHONE });
  await login(helper.page, 'tinhnguyen', srv.password);
  await waitReady(helper.page);
  await helper.page.getByRole('heading', { level: 2, name: 'Truy cập nhanh' }).waitFor();
  assert.equal(await helper.page.locator('main li.ind-item').count(), 0);
  assertNoProblems(helper.problems);
});

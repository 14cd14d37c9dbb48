// Tổ công nghệ số cộng đồng in a real Chromium against a real server (issue 9, part 1): on a 360 px
// phone and a slow network (150 ms latency, 1.6 / 0.75 Mbps), the tổ 1 field helper opens "Tổ công
// nghệ số", lands on the team's worklist, and logs a visit in at most six taps from the worklist to a
// saved visit (the test counts every click and tap): the household, the resident present, a topic,
// the resident's outcome, "Lưu lượt hỗ trợ". The visit is then in the API with who made it; the
// household has left the worklist and the resident the left-behind list. A household is found by a
// member's name typed without diacritics; a date in the future is refused beside its field; the page
// never scrolls sideways. The tổ officer sees the coverage; a learner has no menu entry.
// Owns: its server, its browser and the synthetic households and people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, navLabels, openNav, PHONE, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
let admin;
let hhA, hhB, personA, personB;
const t = tag().replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  admin = await apiSession(srv.url, 'admin', srv.password);
  const tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  hhA = (await admin.ok('POST', '/households', { unit_id: tdp1, code: `A-${t}`, address: `Số 5 ngõ Văn Miếu ${t}` })).id;
  hhB = (await admin.ok('POST', '/households', { unit_id: tdp1, code: `B-${t}`, address: `Số 8 phố Hồng Quang ${t}` })).id;
  personA = (await admin.ok('POST', '/residents', { full_name: `Nguyễn Thị Hường ${t}`, unit_id: tdp1, household_id: hhA, birth_date: '1957', relation: 'Chủ hộ' })).id;
  await admin.ok('POST', '/residents', { full_name: `Nguyễn Văn Khải ${t}`, unit_id: tdp1, household_id: hhA, birth_date: '1955' });
  personB = (await admin.ok('POST', '/residents', { full_name: `Đặng Văn Lộc ${t}`, unit_id: tdp1, household_id: hhB, birth_date: '1968' })).id;
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function slowNetwork(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (0.75 * 1024 * 1024) / 8,
  });
}

test('phone 360 px, slow network: a visit logged in at most six taps from the worklist', { timeout: 180_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await slowNetwork(context, page);
  await login(page, 'tinhnguyen', srv.password);
  await page.goto('/#/to-cong-nghe-so');
  await waitReady(page);
  // A helper of one team lands on its worklist.
  await page.getByRole('heading', { level: 1, name: 'Tổ công nghệ số cộng đồng, Tổ dân phố số 1' }).waitFor();
  await page.getByRole('heading', { level: 2, name: /^Hộ chưa đến \(2\)$/ }).waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'worklist');

  let taps = 0;
  const tap = async (locator) => {
    taps++;
    await locator.click();
  };
  // 1: the household on the worklist.
  await tap(page.getByRole('link', { name: new RegExp(`Nguyễn Thị Hường ${t}`) }));
  await page.getByRole('heading', { level: 1, name: 'Ghi lượt đến hộ' }).waitFor();
  await waitReady(page);
  await assertNoHorizontalOverflow(page, PHONE.width, 'visit form');
  // 2: the resident present; 3: a topic; 4: the resident's outcome; 5: save.
  await tap(page.getByText(`Nguyễn Thị Hường ${t}`, { exact: true }));
  await tap(page.getByText('Kích hoạt định danh điện tử VNeID', { exact: true }));
  await tap(page.locator(`.field-outcomes[data-person="${personA}"]`).getByText('Nâng định danh điện tử VNeID lên mức 2', { exact: true }));
  await tap(page.getByRole('button', { name: 'Lưu lượt hỗ trợ' }));
  await page.getByText(/^Đã lưu lượt đến hộ ngày \d{2}\/\d{2}\/\d{4}\.$/).waitFor();
  await waitReady(page);
  assert.ok(taps <= 6, `${taps} taps from the worklist to a saved visit`);

  // Saved as chosen, with who made it; the household left the worklist.
  const visits = (await admin.ok('GET', `/households/${hhA}/visits`)).items;
  assert.equal(visits.length, 1);
  assert.equal(visits[0].created_by, 'Lê Minh Châu');
  assert.deepEqual(visits[0].topics.map((x) => x.code), ['vneid']);
  assert.deepEqual(visits[0].present.map((p) => [p.person_id, p.outcomes.map((o) => o.code)]), [[personA, ['vneid_level2']]]);
  await page.getByRole('heading', { level: 2, name: /^Hộ chưa đến \(1\)$/ }).waitFor();
  assert.equal(await page.getByRole('link', { name: new RegExp(`Nguyễn Thị Hường ${t}`) }).count(), 0);

  // The left-behind list: the resident with an outcome is gone, the other adult of the household not.
  await page.getByRole('link', { name: 'Người còn bị bỏ lại' }).click();
  await page.getByRole('heading', { level: 2, name: /^Người còn bị bỏ lại/ }).waitFor();
  await waitReady(page);
  assert.equal(await page.getByText(`Nguyễn Thị Hường ${t}`).count(), 0);
  await page.getByText(`Nguyễn Văn Khải ${t}`).waitFor();
  assert.ok(await page.getByText(`Đặng Văn Lộc ${t}`).count());
  assertNoProblems(problems, 'logging a visit');
  await context.close();
});

test('a household found by a member\'s name without diacritics; a visit dated in the future refused beside its field', { timeout: 120_000 }, async () => {
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  allow(/status of 400 .*\/api\/v1\/households\/\d+\/visits/);
  await login(page, 'tinhnguyen', srv.password);
  await page.goto('/#/to-cong-nghe-so');
  await waitReady(page);
  await page.getByLabel('Tìm hộ theo địa chỉ hoặc tên người trong hộ').fill(`dang van loc ${t}`);
  await page.getByRole('button', { name: 'Tìm' }).click();
  await page.getByRole('heading', { level: 2, name: new RegExp('^Kết quả tìm') }).waitFor();
  await waitReady(page);
  const found = page.locator('.field-worklist li');
  assert.equal(await found.count(), 1);
  assert.equal(await found.first().getAttribute('data-household'), String(hhB));
  await found.first().getByRole('link').click();
  await page.getByRole('heading', { level: 1, name: 'Ghi lượt đến hộ' }).waitFor();
  await waitReady(page);
  await page.getByText(`Đặng Văn Lộc ${t}`, { exact: true }).click();
  await page.getByText('Thanh toán không dùng tiền mặt', { exact: true }).click();
  const next = new Date(Date.now() + 3 * 86400000);
  const p = (n) => String(n).padStart(2, '0');
  await page.getByLabel('Ngày đến hộ').fill(`${p(next.getDate())}/${p(next.getMonth() + 1)}/${next.getFullYear()}`);
  await page.getByRole('button', { name: 'Lưu lượt hỗ trợ' }).click();
  const err = page.locator('.field-error:not([hidden])');
  await err.first().waitFor();
  assert.match(await err.first().textContent(), /tương lai/);
  assert.equal((await admin.ok('GET', `/households/${hhB}/visits`)).items.length, 0, 'nothing stored');
  // No topic chosen: said before anything is sent.
  await page.getByText('Thanh toán không dùng tiền mặt', { exact: true }).click();
  await page.getByLabel('Ngày đến hộ').fill('');
  await page.getByRole('button', { name: 'Lưu lượt hỗ trợ' }).click();
  await page.locator('.field-error:not([hidden])').first().waitFor();
  assertNoProblems(problems, 'search and a refused date');
  await context.close();
});

test('the team leader reads the month\'s report, changes to the quarter and downloads the Excel file', { timeout: 120_000 }, async () => {
  // A visit of this month to household A, with VNeID guided (the first test adds its own).
  await admin.ok('POST', `/households/${hhA}/visits`, { topics: ['vneid'], present: [{ person_id: personA, outcomes: ['course_enrolled'] }] });
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tinhnguyen', srv.password);
  await page.goto('/#/to-cong-nghe-so');
  await waitReady(page);
  await page.getByRole('link', { name: 'Báo cáo hoạt động của tổ' }).click();
  await page.getByRole('heading', { level: 1, name: /^Báo cáo hoạt động: Tháng \d+\/\d{4}$/ }).waitFor();
  await waitReady(page);
  await assertNoHorizontalOverflow(page, PHONE.width, 'report');
  const api = await admin.ok('GET', `/field/teams/${(await admin.ok('GET', '/field/teams?per_page=200')).items.find((x) => x.name.endsWith('Tổ dân phố số 1')).id}/report`);
  const stat = (label) => page.locator('.stat-list li', { hasText: label }).locator('.stat-value').textContent();
  assert.equal(await stat('lượt đến hộ'), String(api.visits));
  assert.equal(await stat('người được hướng dẫn'), String(api.residents_guided));
  await page.getByRole('cell', { name: 'Kích hoạt định danh điện tử VNeID' }).waitFor();
  await page.getByRole('combobox', { name: 'Kỳ báo cáo' }).selectOption('quarter');
  await page.getByRole('button', { name: 'Xem báo cáo' }).click();
  await page.getByRole('heading', { level: 1, name: /^Báo cáo hoạt động: Quý [IV]+\/\d{4}$/ }).waitFor();
  await waitReady(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải báo cáo Excel' }).click()]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  assertNoProblems(problems, 'report');
  await context.close();
});

test('a relative asks through the public form; the helper takes the request, finds the household and closes it with the visit', { timeout: 180_000 }, async () => {
  const pub = await newPage(browser, srv.url, { viewport: PHONE });
  await pub.page.goto('/#/yeu-cau-ho-tro');
  await pub.page.getByRole('heading', { level: 1, name: 'Yêu cầu hỗ trợ kỹ năng số' }).waitFor();
  await waitReady(pub.page);
  await pub.page.getByLabel('Tổ dân phố nơi cần hỗ trợ').selectOption({ label: 'Tổ dân phố số 1' });
  await pub.page.getByLabel('Ai yêu cầu').selectOption('relative');
  await pub.page.getByLabel('Họ và tên của bạn').fill(`Nguyễn Văn Con ${t}`);
  await pub.page.getByLabel('Số điện thoại để gọi lại').fill('0912 345 678');
  await pub.page.getByLabel('Họ tên người cần hỗ trợ').fill(`Đặng Văn Lộc ${t}`);
  await pub.page.getByLabel('Địa chỉ').fill(`Số 8 phố Hồng Quang ${t}`);
  await pub.page.getByLabel('Cần hỗ trợ việc gì').fill('Nhờ cài ứng dụng thanh toán bằng mã QR cho bố tôi.');
  await pub.page.getByRole('button', { name: 'Gửi yêu cầu' }).click();
  const ok = pub.page.getByText(/Số yêu cầu của bạn: \d+\./);
  await ok.waitFor();
  const id = Number(/Số yêu cầu của bạn: (\d+)/.exec(await ok.textContent())[1]);
  await assertNoHorizontalOverflow(pub.page, PHONE.width, 'public form');
  assertNoProblems(pub.problems, 'public form');
  await pub.context.close();

  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tinhnguyen', srv.password);
  await page.goto('/#/to-cong-nghe-so');
  await waitReady(page);
  const item = page.locator(`.field-help[data-request="${id}"]`);
  await item.waitFor();
  await item.getByRole('button', { name: 'Nhận yêu cầu' }).click();
  await page.getByText('Bạn đã nhận yêu cầu.', { exact: false }).waitFor();
  await waitReady(page);
  await page.locator(`.field-help[data-request="${id}"]`).getByRole('link', { name: 'Tìm hộ và ghi lượt' }).click();
  await page.getByRole('heading', { level: 2, name: /^Kết quả tìm/ }).waitFor();
  await waitReady(page);
  await page.locator(`.field-worklist li[data-household="${hhB}"]`).getByRole('link').click();
  await page.getByRole('heading', { level: 1, name: 'Ghi lượt đến hộ' }).waitFor();
  await waitReady(page);
  await page.getByText(`Đặng Văn Lộc ${t}`, { exact: true }).click();
  await page.getByText('Thanh toán không dùng tiền mặt', { exact: true }).click();
  await page.locator(`.field-outcomes[data-person="${personB}"]`).getByText('Cài đặt thanh toán không dùng tiền mặt', { exact: true }).click();
  await page.getByRole('button', { name: 'Lưu lượt hỗ trợ' }).click();
  await page.getByText(`và đóng yêu cầu hỗ trợ số ${id}.`, { exact: false }).waitFor();
  const req = await admin.ok('GET', `/help-requests/${id}`);
  assert.equal(req.status, 'done');
  assert.equal(req.done_by, 'Lê Minh Châu');
  const v = (await admin.ok('GET', `/households/${hhB}/visits`)).items.find((x) => x.id === req.visit_id);
  assert.ok(v, 'closed with the visit just saved');
  assertNoProblems(problems, 'taking and closing a request');
  await context.close();
});

test('the tổ officer sees the coverage of tổ 1; a learner has no menu entry', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tdp01', srv.password);
  await page.goto('/#/to-cong-nghe-so');
  await waitReady(page);
  // One team in scope: straight to it, with the coverage in its subtitle.
  await page.getByRole('heading', { level: 1, name: 'Tổ công nghệ số cộng đồng, Tổ dân phố số 1' }).waitFor();
  const team = (await admin.ok('GET', '/field/teams?per_page=200')).items.find((x) => x.name.endsWith('Tổ dân phố số 1'));
  const cov = await admin.ok('GET', `/field/coverage?unit_id=${team.unit_id}`);
  assert.equal(cov.households, 2);
  await page.getByText(`đã đến ${cov.visited}/2 hộ (${Math.round(cov.share * 100)}%)`).waitFor();
  assertNoProblems(problems, 'officer');
  await context.close();
  const l = await newPage(browser, srv.url, { viewport: PHONE });
  await login(l.page, 'hocvien', srv.password);
  await openNav(l.page);
  assert.ok(!(await navLabels(l.page)).includes('Tổ công nghệ số'));
  await l.context.close();
  // The ward admin sees every tổ, with links to their teams.
  const a = await newPage(browser, srv.url, { viewport: PHONE });
  await login(a.page, 'admin', srv.password);
  await a.page.goto('/#/to-cong-nghe-so');
  await waitReady(a.page);
  await a.page.getByRole('heading', { level: 1, name: 'Tổ công nghệ số cộng đồng' }).waitFor();
  assert.ok(await a.page.locator('.field-coverage tbody tr').count() >= 68);
  await assertNoHorizontalOverflow(a.page, PHONE.width, 'coverage');
  assertNoProblems(a.problems, 'admin coverage');
  await a.context.close();
});

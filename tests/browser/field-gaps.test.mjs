// The gaps of issue 9 in a real Chromium on a 360 px phone: the tổ officer adds a resident to the
// community digital team from the registry and lets a member leave it ("Rời tổ"), who then shows
// among the former members; the public help-request form offers the visit topics and the team sees
// the one chosen; a 4T step is recorded with a helper picked from the team or the registry.
// Owns: its server, its browser and the synthetic households and people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
let admin;
let tdp1, team1, member, trader, market, guide, other;
const t = tag().replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  admin = await apiSession(srv.url, 'admin', srv.password);
  tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  const hh = (await admin.ok('POST', '/households', { unit_id: tdp1, address: `Số 14 ngõ Gạo ${t}` })).id;
  member = (await admin.ok('POST', '/residents', { full_name: `Hoàng Văn Sơn ${t}`, unit_id: tdp1, household_id: hh, birth_date: '1975' })).id;
  team1 = (await admin.ok('GET', `/field/teams?unit_id=${tdp1}`)).items[0].id;
  // A trader of tổ 1 at a market; a member of tổ 1's team who guides traders; someone else of tổ 1.
  const ward = await unitId(admin, 'Phường Hải Dương');
  market = await admin.ok('POST', '/units', { parent_id: ward, kind: 'market', name: `Chợ Gạo ${t}` });
  trader = await admin.ok('POST', '/residents', { full_name: `Phan Thị Thu ${t}`, unit_id: tdp1 });
  await admin.ok('POST', `/residents/${trader.id}/memberships`, { unit_id: market.id, kind: 'trader' });
  guide = await admin.ok('POST', '/residents', { full_name: `Lý Văn Hướng ${t}`, unit_id: tdp1, household_id: hh, birth_date: '1990' });
  await admin.ok('POST', `/field/teams/${team1}/members`, { person_id: guide.id });
  other = await admin.ok('POST', '/residents', { full_name: `Mạc Thị Dẫn ${t}`, unit_id: tdp1, household_id: hh, birth_date: '1992' });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('the tổ officer adds a resident to the team from the registry, then lets them leave: kept as a former member', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tdp01', srv.password);
  await page.goto(`/#/to-cong-nghe-so/${team1}`);
  await waitReady(page);
  await page.getByText(/^Thành viên của tổ \(\d+\)$/).click();
  await page.getByLabel('Thêm thành viên từ sổ dân cư').fill(`hoang van son ${t}`);
  await page.locator('.person-picker').getByRole('button', { name: 'Tìm' }).click();
  await page.getByRole('button', { name: `Thêm vào tổ: Hoàng Văn Sơn ${t}` }).click();
  await page.getByText(`Đã thêm Hoàng Văn Sơn ${t} vào tổ.`).waitFor();
  await waitReady(page);
  assert.ok((await admin.ok('GET', `/field/teams/${team1}`)).members.some((m) => m.person_id === member));

  await page.getByText(/^Thành viên của tổ \(\d+\)$/).click();
  await assertNoHorizontalOverflow(page, PHONE.width, 'team members');
  await page.locator(`.field-members li[data-person="${member}"]`).getByRole('button', { name: `Rời tổ: Hoàng Văn Sơn ${t}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Rời tổ' }).click();
  await page.getByText(`Hoàng Văn Sơn ${t} đã rời tổ.`).waitFor();
  await waitReady(page);
  const team = await admin.ok('GET', `/field/teams/${team1}`);
  assert.ok(!team.members.some((m) => m.person_id === member), 'no longer a member');
  const officer = await apiSession(srv.url, 'tdp01', srv.password);
  assert.equal(team.former_members.find((m) => m.person_id === member).ended_by, officer.user.display_name);
  await page.getByText(/^Thành viên của tổ \(\d+\)$/).click();
  const former = page.locator(`.field-former li[data-person="${member}"]`);
  await former.waitFor();
  assert.match(await former.textContent(), /Rời tổ ngày \d{2}\/\d{2}\/\d{4}/);
  assertNoProblems(problems, 'team members');
  await context.close();
});

test('the public form offers the visit topics; the team sees the one chosen on its open requests', { timeout: 120_000 }, async () => {
  const pub = await newPage(browser, srv.url, { viewport: PHONE });
  await pub.page.goto('/#/yeu-cau-ho-tro');
  await pub.page.getByRole('heading', { level: 1, name: 'Yêu cầu hỗ trợ kỹ năng số' }).waitFor();
  await waitReady(pub.page);
  await pub.page.getByLabel('Tổ dân phố nơi cần hỗ trợ').selectOption({ label: 'Tổ dân phố số 1' });
  await pub.page.getByLabel('Họ và tên của bạn').fill(`Trần Thị Nga ${t}`);
  await pub.page.getByLabel('Số điện thoại để gọi lại').fill('0913 222 333');
  await pub.page.getByLabel('Cần hỗ trợ về nội dung nào').selectOption({ label: 'Thanh toán không dùng tiền mặt' });
  await pub.page.getByLabel('Cần hỗ trợ việc gì').fill('Nhờ cài mã QR nhận tiền ở sạp rau.');
  await pub.page.getByRole('button', { name: 'Gửi yêu cầu' }).click();
  const ok = pub.page.getByText(/Số yêu cầu của bạn: \d+\./);
  await ok.waitFor();
  const id = Number(/Số yêu cầu của bạn: (\d+)/.exec(await ok.textContent())[1]);
  await assertNoHorizontalOverflow(pub.page, PHONE.width, 'public form');
  assertNoProblems(pub.problems, 'public form');
  await pub.context.close();
  assert.equal((await admin.ok('GET', `/help-requests/${id}`)).topic, 'cashless');

  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tinhnguyen', srv.password);
  await page.goto('/#/to-cong-nghe-so');
  await waitReady(page);
  const item = page.locator(`.field-help[data-request="${id}"]`);
  await item.waitFor();
  assert.equal(await item.locator('.field-help-topic').textContent(), 'Nội dung: Thanh toán không dùng tiền mặt');
  assertNoProblems(problems, 'team page');
  await context.close();
});

test('a 4T step is recorded with its helper: a member of the team in one tap, or anyone found in the registry', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tinhnguyen', srv.password);
  await page.goto(`/#/cho-so?market_id=${market.id}`);
  await page.getByRole('heading', { level: 1, name: 'Chợ số – Mô hình 4T' }).waitFor();
  await waitReady(page);
  const item = page.locator(`main .trader-item[data-id="${trader.id}"]`);
  await item.getByText('Ghi nhận bước 4T').click();
  await item.getByLabel('Bước đã thực hiện').selectOption('cashless_qr');
  // The team's member, one tap; no id typed anywhere.
  assert.equal(await item.getByLabel('Tôi (người ghi nhận)').isChecked(), true, 'the caller by default');
  await item.getByRole('radio', { name: `Lý Văn Hướng ${t}` }).check();
  await assertNoHorizontalOverflow(page, PHONE.width, 'record a step');
  await item.getByRole('button', { name: 'Ghi nhận', exact: true }).click();
  await page.getByText(`Đã ghi nhận bước 4T của ${trader.full_name}.`).waitFor();
  await waitReady(page);
  let steps = (await admin.ok('GET', `/traders?market_id=${market.id}`)).items.find((x) => x.person_id === trader.id).steps;
  let qr = steps.find((x) => x.step === 'cashless_qr');
  assert.equal(qr.helper_name, `Lý Văn Hướng ${t}`);

  // Someone outside the team, found by name typed without diacritics.
  const again = page.locator(`main .trader-item[data-id="${trader.id}"]`);
  await again.getByText('Ghi nhận bước 4T').click();
  await again.getByLabel('Bước đã thực hiện').selectOption('online_selling');
  await again.getByLabel('Tìm người hướng dẫn khác trong sổ dân cư').fill(`mac thi dan ${t}`);
  await again.locator('.person-picker').getByRole('button', { name: 'Tìm' }).click();
  await again.getByRole('button', { name: `Chọn: Mạc Thị Dẫn ${t}` }).click();
  assert.equal(await again.getByRole('radio', { name: `Mạc Thị Dẫn ${t}` }).isChecked(), true);
  await again.getByRole('button', { name: 'Ghi nhận', exact: true }).click();
  await page.getByText(`Đã ghi nhận bước 4T của ${trader.full_name}.`).waitFor();
  await waitReady(page);
  steps = (await admin.ok('GET', `/traders?market_id=${market.id}`)).items.find((x) => x.person_id === trader.id).steps;
  assert.equal(steps.find((x) => x.step === 'online_selling').helper_name, `Mạc Thị Dẫn ${t}`);
  assertNoProblems(problems, '4T helper');
  await context.close();
});

test('an event ahead: residents are signed up ("Ghi danh"), not marked attended; on the day one tap records them as attended', { timeout: 120_000 }, async () => {
  const ahead = new Date(Date.now() + 7 * 3600e3 + 20 * 86400e3).toISOString().slice(0, 10);
  const ev = await admin.ok('POST', '/events', { title: `Ngày hội học tập số ${t}`, held_on: ahead, place: 'Nhà văn hóa', unit_id: tdp1 });
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tdp01', srv.password);
  await page.goto(`/#/su-kien/${ev.id}`);
  await waitReady(page);
  await page.getByText('Ghi danh người tham dự').click();
  await page.getByLabel('Tìm theo họ tên (gõ không dấu cũng được)').fill(`hoang van son ${t}`);
  await page.locator('.enrol-search').getByRole('button', { name: 'Tìm' }).click();
  assert.equal(await page.getByRole('button', { name: `Ghi nhận Hoàng Văn Sơn ${t} tham dự` }).count(), 0, 'no attendance ahead');
  await page.getByRole('button', { name: `Ghi danh Hoàng Văn Sơn ${t}` }).click();
  await page.getByText(`Đã ghi danh Hoàng Văn Sơn ${t}.`).waitFor();
  await waitReady(page);
  const row = page.locator(`.event-participants li[data-id="${member}"]`);
  assert.equal(await row.getAttribute('data-status'), 'registered');
  await row.getByText('Đã ghi danh').waitFor();
  assert.equal(await row.getByRole('button').count(), 0, 'not yet the day');
  await assertNoHorizontalOverflow(page, PHONE.width, 'event ahead');
  let got = await admin.ok('GET', `/events/${ev.id}`);
  assert.deepEqual([got.registered, got.signed_up], [0, 1]);
  // The day comes: one tap.
  const today = new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10);
  await admin.ok('PATCH', `/events/${ev.id}`, { held_on: today });
  await page.reload();
  await waitReady(page);
  await page.locator(`.event-participants li[data-id="${member}"]`).getByRole('button', { name: `Ghi nhận Hoàng Văn Sơn ${t} đã tham dự` }).click();
  await page.getByText(`Đã ghi nhận Hoàng Văn Sơn ${t} tham dự.`).waitFor();
  await waitReady(page);
  assert.equal(await page.locator(`.event-participants li[data-id="${member}"]`).getAttribute('data-status'), 'attended');
  got = await admin.ok('GET', `/events/${ev.id}`);
  assert.deepEqual([got.registered, got.signed_up], [1, 0]);
  assertNoProblems(problems, 'event ahead');
  await context.close();
});

// Đại sứ số in a real Chromium against a real server: on a 360 px phone the field helper of tổ 1 opens
// "Đại sứ số", sees the mentor who guides too few people flagged, opens the mentor, finds a resident by
// a name typed without diacritics, assigns them, sees the shortfall shrink; assigning a resident who
// already has a mentor shows the server's refusal naming that mentor; logs a guidance session and ends
// an assignment. A learner has no menu entry.
// Owns: its server, its browser and the synthetic people it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
let mentor;
let other;
let mentee;
let taken;
const t = tag().replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const admin = await apiSession(srv.url, 'admin', srv.password);
  const tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  const pm = await admin.ok('POST', '/residents', { full_name: `Phạm Thị Đại Sứ ${t}`, unit_id: tdp1 });
  const po = await admin.ok('POST', '/residents', { full_name: `Vũ Văn Hướng Dẫn ${t}`, unit_id: tdp1 });
  mentee = await admin.ok('POST', '/residents', { full_name: `Nguyễn Thị Hường ${t}`, unit_id: tdp1, birth_date: '1952' });
  taken = await admin.ok('POST', '/residents', { full_name: `Đỗ Văn Được ${t}`, unit_id: tdp1 });
  mentor = await admin.ok('POST', '/ambassadors', { person_id: pm.id, unit_id: tdp1, kind: 'mentor' });
  other = await admin.ok('POST', '/ambassadors', { person_id: po.id, unit_id: tdp1, kind: 'mentor' });
  await admin.ok('POST', '/mentorships', { mentee_id: taken.id, mentor_id: other.id });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('phone 360 px: a field helper assigns a mentee to a mentor, is refused one who has a mentor, logs a session', { timeout: 120_000 }, async () => {
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  // The resident who already has a mentor is refused on purpose (409, naming mentee_id).
  allow(/status of 409 .*\/api\/v1\/mentorships/);
  await login(page, 'tinhnguyen', srv.password);
  await waitReady(page);
  await page.goto('/#/dai-su-so');
  await page.getByRole('heading', { level: 1, name: 'Đại sứ số' }).waitFor();
  await waitReady(page);
  const row = page.locator('main .ambassadors-table tr', { has: page.getByRole('link', { name: mentor.full_name }) });
  await row.getByText('Thiếu 5 người').waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'the list');
  await row.getByRole('link', { name: mentor.full_name }).click();
  await page.getByRole('heading', { level: 1, name: mentor.full_name }).waitFor();
  await waitReady(page);
  await page.getByText('Thiếu 5 người so với quy định 5 người').waitFor();

  // Find the resident without diacritics and assign them.
  const section = page.locator('main section', { has: page.getByRole('heading', { name: /^Đang hướng dẫn/ }) });
  await section.getByLabel('Tìm người cần hướng dẫn').fill(`nguyen thi huong ${t}`);
  await section.getByRole('button', { name: 'Tìm' }).click();
  await section.getByRole('button', { name: `Giao cho đại sứ số này: ${mentee.full_name}` }).click();
  await page.getByText(`Đã giao ${mentee.full_name} cho ${mentor.full_name} hướng dẫn.`).waitFor();
  await waitReady(page);
  await page.getByText('Thiếu 4 người so với quy định 5 người').waitFor();
  const list = page.locator('main .mentee-list:not(.past) .mentee-item');
  assert.equal(await list.count(), 1);
  assert.equal(await list.first().getAttribute('data-id'), String(mentee.id));

  // One who already has a mentor: the server's refusal names that mentor; nothing changes.
  const section2 = page.locator('main section', { has: page.getByRole('heading', { name: /^Đang hướng dẫn/ }) });
  await section2.getByText('Thêm người được hướng dẫn').click();
  await section2.getByLabel('Tìm người cần hướng dẫn').fill(`do van duoc ${t}`);
  await section2.getByRole('button', { name: 'Tìm' }).click();
  await section2.getByRole('button', { name: `Giao cho đại sứ số này: ${taken.full_name}` }).click();
  await section2.getByText(`Người này đang được đại sứ số ${other.full_name} hướng dẫn`, { exact: false }).waitFor();
  const data = await (await page.request.get(`${srv.url}/api/v1/ambassadors/${mentor.id}`)).json();
  assert.equal(data.active_mentees, 1, 'nothing stored');

  // A guidance session, then the assignment ended (kept as history).
  const item = page.locator('main .mentee-item', { hasText: mentee.full_name });
  await item.getByText('Ghi buổi hướng dẫn').first().click();
  await item.getByLabel('Nội dung đã hướng dẫn').fill('Kích hoạt VNeID mức 2');
  await item.getByRole('button', { name: 'Ghi buổi hướng dẫn' }).click();
  await page.getByText('Đã ghi buổi hướng dẫn.').waitFor();
  await waitReady(page);
  await page.locator('main .session-list').getByText('Kích hoạt VNeID mức 2').waitFor();
  await page.getByRole('button', { name: `Kết thúc hướng dẫn ${mentee.full_name}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Kết thúc' }).click();
  await page.getByText(`Đã kết thúc hướng dẫn ${mentee.full_name}.`).waitFor();
  await waitReady(page);
  await page.locator('main .mentee-list.past').getByText(mentee.full_name).waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, "the mentor's page");
  assertNoProblems(problems);
  await context.close();
});

test('a learner has neither the menu entry nor the page', { timeout: 60_000 }, async () => {
  const { page, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await waitReady(page);
  assert.equal(await page.locator('[data-nav="ambassadors"]').count(), 0);
  await page.goto('/#/dai-su-so');
  await waitReady(page);
  await page.getByText('Bạn không có quyền xem mục này.').waitFor();
  await context.close();
});

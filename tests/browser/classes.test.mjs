// Lớp bồi dưỡng in a real Chromium against a real server: on a 360 px phone the ward admin opens a
// class, adds a session held last week, enrols two people found by a name typed without diacritics,
// ticks who was there, records one participant as completed, and sees the counts in the list of
// classes. A tổ officer does not see the ward's class; a learner has no menu entry.
// Owns: its server, its browser and the synthetic people and class it makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
let pa;
let pb;
const t = tag().replace(/[0-9]/g, (d) => 'abcdefghij'[d]);
const title = `Bồi dưỡng kỹ năng số ${t}`;

function lastWeek() {
  const d = new Date(Date.now() - 7 * 86400 * 1000);
  return `${String(d.getDate()).padStart(2, '0')}/${String(d.getMonth() + 1).padStart(2, '0')}/${d.getFullYear()}`;
}

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const admin = await apiSession(srv.url, 'admin', srv.password);
  const tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  pa = await admin.ok('POST', '/residents', { full_name: `Nguyễn Thị Học ${t}`, unit_id: tdp1 });
  pb = await admin.ok('POST', '/residents', { full_name: `Nguyễn Văn Hỏi ${t}`, unit_id: tdp1 });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('phone 360 px: open a class, add a session, enrol, take attendance, record an outcome', { timeout: 150_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await waitReady(page);
  await page.goto('/#/lop-hoc');
  await page.getByRole('heading', { level: 1, name: 'Lớp bồi dưỡng, tập huấn' }).waitFor();
  await waitReady(page);
  await page.getByText('Mở lớp bồi dưỡng, tập huấn').click();
  await page.getByLabel('Tên lớp').fill(title);
  await page.getByLabel('Chủ đề, nội dung').fill('Dịch vụ công trực tuyến');
  await page.getByRole('button', { name: 'Mở lớp' }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await waitReady(page);
  // A session held last week.
  const when = lastWeek();
  await page.getByText('Thêm buổi học').first().click();
  await page.getByLabel('Ngày học').fill(when);
  await page.getByLabel('Địa điểm').fill('Hội trường UBND phường');
  await page.getByRole('button', { name: 'Thêm buổi học' }).click();
  await page.getByText('Đã thêm buổi học.').waitFor();
  await waitReady(page);
  await page.locator('main .class-session').getByText(`${when} · Hội trường UBND phường`).waitFor();
  // Enrol two people found without diacritics.
  for (const p of [pa, pb]) {
    await page.getByText('Ghi danh người học').click();
    await page.getByLabel('Tìm theo họ tên').fill(`nguyen ${p === pa ? 'thi hoc' : 'van hoi'} ${t}`);
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await page.getByRole('button', { name: `Ghi danh ${p.full_name}` }).click();
    await page.getByText(`Đã ghi danh ${p.full_name}.`).waitFor();
    await waitReady(page);
  }
  assert.equal(await page.locator('main .class-participant').count(), 2);
  // Attendance: only the first was there.
  const session = page.locator('main .class-session').first();
  await session.getByText('Điểm danh', { exact: true }).click();
  await session.getByLabel(pa.full_name).check();
  await session.getByRole('button', { name: 'Lưu điểm danh' }).click();
  await page.getByText(`Đã lưu điểm danh buổi ${when}.`).waitFor();
  await waitReady(page);
  await page.locator('main .class-session').first().getByText('1/2 người có mặt').waitFor();
  // The outcome of the first.
  const first = page.locator(`main .class-participant[data-id="${pa.id}"]`);
  await first.getByText('có mặt 1/1 buổi').waitFor();
  await first.getByText('Ghi kết quả').click();
  await first.getByLabel('Kết quả', { exact: true }).selectOption('completed');
  await first.getByRole('button', { name: 'Lưu kết quả' }).click();
  await page.getByText(`Đã lưu kết quả của ${pa.full_name}.`).waitFor();
  await waitReady(page);
  await page.locator(`main .class-participant[data-id="${pa.id}"] .badge-success`).getByText('Hoàn thành', { exact: true }).waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'a class');
  // The list counts them.
  await page.getByRole('link', { name: 'Các lớp' }).click();
  await waitReady(page);
  const row = page.locator('main .classes-table tbody tr', { has: page.getByRole('link', { name: title }) });
  assert.equal((await row.locator('td[data-label="Người học"]').innerText()).trim(), '2');
  assert.equal((await row.locator('td[data-label="Hoàn thành"]').innerText()).trim(), '1');
  await assertNoHorizontalOverflow(page, PHONE.width, 'the classes');
  assertNoProblems(problems);
  await context.close();
});

test("a tổ officer does not see the ward's class; a learner has no menu entry", { timeout: 60_000 }, async () => {
  const { page, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tdp01', srv.password);
  await waitReady(page);
  await page.goto('/#/lop-hoc');
  await waitReady(page);
  await page.getByRole('heading', { level: 1, name: 'Lớp bồi dưỡng, tập huấn' }).waitFor();
  assert.equal(await page.locator('main').getByText(title).count(), 0);
  await context.close();
  const l = await newPage(browser, srv.url, { viewport: PHONE });
  await login(l.page, 'hocvien', srv.password);
  await waitReady(l.page);
  assert.equal(await l.page.locator('[data-nav="classes"]').count(), 0);
  await l.context.close();
});

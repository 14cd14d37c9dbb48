// movement.test.mjs: a resident's page shows their part in the movement (issue 9): the visit the
// tổ's field helper made with its topics and this person's outcome, their mentor, a class and an
// event; on a 360 px phone, without horizontal scrolling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv, browser, person;
const t = tag().replace(/[0-9]/g, (d) => 'abcdefghij'[d]);

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const admin = await apiSession(srv.url, 'admin', srv.password);
  const helper = await apiSession(srv.url, 'tinhnguyen', srv.password);
  const tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  const hh = await admin.ok('POST', '/households', { unit_id: tdp1, address: `Số 3 ngõ Giếng ${t}` });
  person = await admin.ok('POST', '/residents', { full_name: `Vũ Thị Mận ${t}`, unit_id: tdp1, household_id: hh.id, birth_date: '1955-04-04' });
  await helper.ok('POST', `/households/${hh.id}/visits`, { topics: ['public_services'], present: [{ person_id: person.id, outcomes: ['public_service_online'] }] });
  const mentorPerson = await admin.ok('POST', '/residents', { full_name: `Ngô Văn Bảo ${t}`, unit_id: tdp1 });
  const amb = await admin.ok('POST', '/ambassadors', { person_id: mentorPerson.id, unit_id: tdp1, kind: 'mentor' });
  await admin.ok('POST', '/mentorships', { mentee_id: person.id, mentor_id: amb.id });
  const klass = await admin.ok('POST', '/classes', { title: `Lớp dịch vụ công trực tuyến ${t}`, unit_id: tdp1 });
  await admin.ok('POST', `/classes/${klass.id}/enrolments`, { participant_id: person.id });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('phone 360 px: the field helper opens a resident and sees the visit, the mentor and the class', { timeout: 90_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tinhnguyen', srv.password);
  await page.goto(`/#/dan-cu/${person.id}`);
  await waitReady(page);
  const block = page.locator('section', { has: page.getByRole('heading', { name: 'Tham gia phong trào' }) });
  await block.waitFor();
  const text = await block.textContent();
  assert.match(text, /Lượt đến hộ \(1\)/);
  assert.match(text, /Dịch vụ công trực tuyến/);
  assert.match(text, /Lần đầu làm dịch vụ công trực tuyến/, 'the outcome');
  assert.match(text, /Lê Minh Châu/, 'who made the visit');
  assert.match(text, new RegExp(`Ngô Văn Bảo ${t}`), 'the mentor');
  assert.match(text, new RegExp(`Lớp dịch vụ công trực tuyến ${t}`));
  assert.match(text, /đang học/);
  await assertNoHorizontalOverflow(page, PHONE.width, 'resident page with the movement block');
  assertNoProblems(problems, 'movement block');
  await context.close();
});

// A resident's own data and their requests about it (issue 7): a learner whose account is linked
// to a person sees their record and the 72-hour promise, files a request and sees it waiting; the
// ward admin sees it open with the hours left and answers it; the resident then sees the answer.
// Overdue requests (which take 72 real hours to happen) are shown from a stubbed answer: the
// highlight, the order and the count beside the menu entry and on the home page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, newPage, login, navTo, openNav, waitReady, hashOf, assertNoProblems, assertNoHorizontalOverflow, PHONE, DESKTOP,
} from './lib/browser.mjs';
import { apiSession, unitId, hasRoute } from './lib/people.mjs';

let srv;
let browser;
let person;
let ready;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const api = await apiSession(srv.url, 'admin', srv.password);
  const tdp1 = await unitId(api, 'Tổ dân phố số 1');
  person = await api.ok('POST', '/residents', { full_name: 'Vũ Thị Lan', unit_id: tdp1, birth_date: '02/09/1968', sex: 'F', phone: '0904123456' });
  const users = await api.ok('GET', '/users?q=hocvien');
  const learner = users.items.find((u) => u.username === 'hocvien');
  await api.ok('PUT', `/users/${learner.id}/person`, { person_id: person.id });
  ready = await hasRoute(srv.url, '/api/v1/me/requests');
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('a resident files a request about their data; the admin answers it; the resident sees the answer', { timeout: 120_000 }, async (t) => {
  if (!ready) {
    t.skip('the server has no /api/v1/me/requests yet');
    return;
  }
  // The resident, on a phone.
  const resident = await newPage(browser, srv.url, { viewport: PHONE });
  resident.allow(/status of 400/);
  let page = resident.page;
  await login(page, 'hocvien', srv.password);
  await navTo(page, 'Dữ liệu của tôi');
  assert.equal(await hashOf(page), '#/du-lieu-cua-toi');
  const record = page.getByRole('region', { name: 'Vũ Thị Lan' });
  await record.getByText('02/09/1968').waitFor();
  await record.getByText('0904123456').waitFor();
  await page.getByText(/trả lời trong vòng 72 giờ/).waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'my data');

  const form = page.getByRole('form', { name: 'Gửi yêu cầu về dữ liệu của tôi' });
  await form.getByRole('button', { name: 'Gửi yêu cầu' }).click();
  await form.getByText('Vui lòng chọn việc bạn muốn.').waitFor();
  await form.getByLabel(/Sửa thông tin sai/).check();
  await form.getByRole('button', { name: 'Gửi yêu cầu' }).click();
  await form.locator('.field', { has: page.getByLabel('Lời nhắn') }).getByText(/ghi rõ thông tin nào sai/).waitFor();
  await form.getByLabel('Lời nhắn').fill('Số điện thoại của tôi là 0904123457, không phải 0904123456.');
  await form.getByRole('button', { name: 'Gửi yêu cầu' }).click();
  await page.getByText('Đã gửi yêu cầu. Phường sẽ trả lời trong vòng 72 giờ.').waitFor();
  await waitReady(page);
  const mine = page.getByRole('region', { name: 'Yêu cầu đã gửi' });
  await mine.getByText('Sửa thông tin sai').waitFor();
  await mine.getByText('Đang chờ xử lý').waitFor();
  await mine.getByText(/Còn (71|72) giờ/).waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'my requests');
  assertNoProblems(resident.problems, 'resident files');

  // The ward admin, on a desktop: the request is open, with its hours left; answered.
  const admin = await newPage(browser, srv.url, { viewport: DESKTOP });
  admin.allow(/status of 400/);
  page = admin.page;
  await login(page, 'admin', srv.password);
  await navTo(page, 'Yêu cầu về dữ liệu');
  const item = page.locator('li.request-item', { hasText: 'Vũ Thị Lan' });
  await item.getByText('Đang chờ xử lý').waitFor();
  await item.getByText(/Còn (71|72) giờ/).waitFor();
  await item.getByText(/0904123457/).waitFor();
  assert.equal(await item.evaluate((el) => el.classList.contains('is-overdue')), false);
  assert.equal(await item.getByRole('link', { name: /Vũ Thị Lan/ }).getAttribute('href'), `#/dan-cu/${person.id}`);
  await item.locator('summary', { hasText: 'Trả lời' }).click();
  const answer = item.getByRole('form', { name: /Trả lời yêu cầu/ });
  await answer.getByLabel('Từ chối (ghi rõ lý do)').check();
  await answer.getByRole('button', { name: 'Gửi trả lời' }).click();
  await answer.getByText('Khi từ chối, vui lòng ghi rõ lý do cho người dân.').waitFor();
  await answer.getByLabel('Đã thực hiện').check();
  await answer.getByLabel('Trả lời người dân').fill('Đã sửa số điện thoại trong sổ của phường.');
  await answer.getByRole('button', { name: 'Gửi trả lời' }).click();
  await page.getByText(/Đã gửi trả lời/).waitFor();
  await waitReady(page);
  assert.equal(await page.locator('li.request-item', { hasText: 'Vũ Thị Lan' }).count(), 0, 'no longer among the open ones');
  await page.getByLabel('Trạng thái').selectOption('answered');
  await page.getByRole('button', { name: 'Lọc' }).click();
  await page.waitForFunction(() => location.hash.includes('status=answered'));
  await waitReady(page);
  await page.locator('li.request-item', { hasText: 'Vũ Thị Lan' }).getByText('Đã thực hiện').waitFor();
  assertNoProblems(admin.problems, 'admin answers');
  await admin.context.close();

  // The resident sees the answer.
  page = resident.page;
  await page.reload();
  await waitReady(page);
  const answered = page.getByRole('region', { name: 'Yêu cầu đã gửi' });
  await answered.getByText('Đã thực hiện').waitFor();
  await answered.getByText('Đã sửa số điện thoại trong sổ của phường.').waitFor();
  assertNoProblems(resident.problems, 'resident reads the answer');
  await resident.context.close();
});

test('overdue requests are highlighted, first, and counted beside the menu entry and on the home page', { timeout: 60_000 }, async (t) => {
  if (!ready) {
    t.skip('the server has no /api/v1/requests yet');
    return;
  }
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  const hour = 3600 * 1000;
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const now = Date.now();
  const items = [
    { id: 901, person_id: person.id, person_name: 'Người Đúng Hạn', unit_name: 'Tổ dân phố số 1', kind: 'access', message: '', status: 'open', outcome: null, answer: null, created_at: iso(now - 2 * hour), due_at: iso(now + 70 * hour), answered_at: null, answered_by: null, overdue: false, hours_left: 69 },
    { id: 902, person_id: person.id, person_name: 'Người Quá Hạn', unit_name: 'Tổ dân phố số 1', kind: 'delete', message: 'Xin xóa hồ sơ.', status: 'open', outcome: null, answer: null, created_at: iso(now - 80 * hour), due_at: iso(now - 8 * hour), answered_at: null, answered_by: null, overdue: true, hours_left: -8 },
  ];
  await context.route('**/api/v1/requests/summary', (route) => route.fulfill({ json: { open: 2, overdue: 1, due_within_24h: 0 } }));
  await context.route(/\/api\/v1\/requests(\?.*)?$/, (route) => route.fulfill({ json: { items, page: 1, per_page: 100, total: 2 } }));
  await login(page, 'admin', srv.password);
  await page.getByRole('alert').getByText('Có 1 yêu cầu về dữ liệu của người dân đã quá hạn 72 giờ.').waitFor();
  const nav = await openNav(page);
  await nav.getByRole('link', { name: /Yêu cầu về dữ liệu\s*1 quá hạn/ }).click();
  await page.waitForFunction(() => location.hash === '#/yeu-cau');
  await waitReady(page);
  const cards = page.locator('li.request-item');
  assert.match(await cards.nth(0).textContent(), /Người Quá Hạn/, 'the overdue one first');
  assert.equal(await cards.nth(0).evaluate((el) => el.classList.contains('is-overdue')), true);
  await cards.nth(0).getByText('Quá hạn 8 giờ').waitFor();
  await cards.nth(0).getByText('Quá hạn', { exact: true }).waitFor();
  assert.equal(await cards.nth(1).evaluate((el) => el.classList.contains('is-overdue')), false);
  await cards.nth(1).getByText('Còn 69 giờ').waitFor();
  await page.getByText('Có 1 yêu cầu đã quá hạn 72 giờ. Hãy trả lời ngay.').waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'requests');
  assertNoProblems(problems, 'overdue');
  await context.close();
});

test('an account not linked to a person is told what to do; a learner has no requests page', { timeout: 60_000 }, async () => {
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  allow(/status of 404.*\/api\/v1\/me\/person/);
  await login(page, 'tdp01', srv.password);
  await page.goto('/#/du-lieu-cua-toi');
  await waitReady(page);
  await page.getByText(/chưa được gắn với hồ sơ người dân nào/).waitFor();
  await page.getByText(/trả lời trong vòng 72 giờ/).waitFor();
  await context.close();
  assertNoProblems(problems, 'not linked');

  const learner = await newPage(browser, srv.url, { viewport: PHONE });
  await login(learner.page, 'hocvien', srv.password);
  const nav = await openNav(learner.page);
  assert.equal(await nav.getByRole('link', { name: /Yêu cầu về dữ liệu/ }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Dân cư' }).count(), 0);
  await learner.page.goto('/#/yeu-cau');
  await waitReady(learner.page);
  await learner.page.getByText(/Bạn không có quyền xem mục này/).waitFor();
  assertNoProblems(learner.problems, 'learner');
  await learner.context.close();
});

test('a request to delete, answered done after the dialog that says so, takes the record out of the registry', { timeout: 90_000 }, async (t) => {
  if (!ready) {
    t.skip('the server has no /api/v1/me/requests yet');
    return;
  }
  const api = await apiSession(srv.url, 'admin', srv.password);
  const tdp1 = await unitId(api, 'Tổ dân phố số 1');
  const gone = await api.ok('POST', '/residents', { full_name: 'Lý Văn Xóa', unit_id: tdp1, birth_date: '1975' });
  const users = await api.ok('GET', '/users?q=tinhnguyen');
  await api.ok('PUT', `/users/${users.items.find((u) => u.username === 'tinhnguyen').id}/person`, { person_id: gone.id });
  const own = await apiSession(srv.url, 'tinhnguyen', srv.password);
  await own.ok('POST', '/me/requests', { kind: 'delete', message: 'Tôi đã chuyển đi nơi khác.' });

  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await page.goto('/#/yeu-cau');
  await waitReady(page);
  const item = page.locator('li.request-item', { hasText: 'Lý Văn Xóa' });
  await item.locator('summary', { hasText: 'Trả lời' }).click();
  await item.getByText(/sẽ xóa hồ sơ của người này/).waitFor();
  const answer = item.getByRole('form', { name: /Trả lời yêu cầu/ });
  await answer.getByLabel('Trả lời người dân').fill('Đã xóa hồ sơ theo yêu cầu của ông.');
  // Cancelled first: nothing happens.
  await answer.getByRole('button', { name: 'Gửi trả lời' }).click();
  const dialog = page.getByRole('dialog', { name: 'Xóa hồ sơ theo yêu cầu?' });
  await dialog.getByRole('button', { name: 'Hủy' }).click();
  assert.equal((await api.ok('GET', `/residents?q=${encodeURIComponent('ly van xoa')}`)).total, 1);
  await answer.getByRole('button', { name: 'Gửi trả lời' }).click();
  await dialog.getByRole('button', { name: 'Xóa hồ sơ' }).click();
  await page.getByText(/Đã gửi trả lời/).waitFor();
  await waitReady(page);
  await page.goto('/#/dan-cu?q=ly%20van%20xoa');
  await waitReady(page);
  await page.getByText(/Không có ai khớp tìm kiếm/).waitFor();
  assertNoProblems(problems, 'delete request');
  await context.close();
});

test('a restricted record is marked in the list and explained on the record', { timeout: 90_000 }, async (t) => {
  if (!ready) {
    t.skip('the server has no /api/v1/me/requests yet');
    return;
  }
  const api = await apiSession(srv.url, 'admin', srv.password);
  const tdp1 = await unitId(api, 'Tổ dân phố số 1');
  const held = await api.ok('POST', '/residents', { full_name: 'Đào Thị Hạn', unit_id: tdp1, birth_date: '1981' });
  const free = await api.ok('POST', '/residents', { full_name: 'Đào Thị Thoải', unit_id: tdp1, birth_date: '1982' });
  const users = await api.ok('GET', '/users?q=giaovien');
  await api.ok('PUT', `/users/${users.items.find((u) => u.username === 'giaovien').id}/person`, { person_id: held.id });
  const own = await apiSession(srv.url, 'giaovien', srv.password);
  const rq = await own.ok('POST', '/me/requests', { kind: 'restrict', message: 'Xin đừng dùng số của tôi để gọi điện.' });
  await api.ok('POST', `/requests/${rq.id}/answer`, { outcome: 'done', answer: 'Đã hạn chế xử lý.' });

  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await page.goto('/#/dan-cu?q=dao%20thi');
  await waitReady(page);
  const heldRow = page.locator('tr', { hasText: 'Đào Thị Hạn' });
  await heldRow.getByText('Hạn chế xử lý').waitFor();
  assert.equal(await page.locator('tr', { hasText: 'Đào Thị Thoải' }).getByText('Hạn chế xử lý').count(), 0, 'only the restricted one is marked');
  await assertNoHorizontalOverflow(page, PHONE.width, 'list with a restricted person');
  await heldRow.getByRole('link', { name: 'Đào Thị Hạn' }).click();
  await page.getByText(/đã yêu cầu hạn chế xử lý dữ liệu/).waitFor();
  await page.goto(`/#/dan-cu/${free.id}`);
  await waitReady(page);
  await page.getByRole('heading', { name: 'Đào Thị Thoải' }).waitFor();
  assert.equal(await page.getByText(/đã yêu cầu hạn chế xử lý dữ liệu/).count(), 0);
  assertNoProblems(problems, 'restricted record');
  await context.close();
});

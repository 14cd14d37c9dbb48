// The registry's pages (issue 7, "People and places") in a real Chromium against a real server:
// a name typed without diacritics on a 360 px phone finds the person; a record opened from the
// list, edited with the server's per-field errors shown beside the fields, then saved, its audit
// trail naming the change; a household listing its members; filters kept in the address through
// a reload and back; soft delete with its confirmation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, newPage, login, waitReady, hashOf, assertNoProblems, assertNoHorizontalOverflow, PHONE, DESKTOP,
} from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';

let srv;
let browser;
const people = {};
let household;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const api = await apiSession(srv.url, 'admin', srv.password);
  const tdp1 = await unitId(api, 'Tổ dân phố số 1');
  const tdp2 = await unitId(api, 'Tổ dân phố số 2');
  household = await api.ok('POST', '/households', { unit_id: tdp1, code: 'H-101', address: 'Số 5 ngõ 12 phố Ngọc Châu' });
  const add = (key, body) => api.ok('POST', '/residents', body).then((p) => { people[key] = p; });
  await add('huong', { full_name: 'Nguyễn Thị Hương', unit_id: tdp1, birth_date: '12/05/1958', sex: 'F', phone: '0912345678', household_id: household.id, relation: 'Chủ hộ' });
  await add('nam', { full_name: 'Trần Văn Nam', unit_id: tdp1, birth_date: '1985', sex: 'M', household_id: household.id, relation: 'Con' });
  await add('hoa', { full_name: 'Lê Thị Hoa', unit_id: tdp1, birth_date: '03/03/2012', sex: 'F', household_id: household.id, relation: 'Cháu' });
  await add('huongB', { full_name: 'Phạm Hương Giang', unit_id: tdp2, birth_date: '1990', sex: 'F' });
  await add('minh', { full_name: 'Đỗ Văn Minh', unit_id: tdp2, birth_date: '1950', sex: 'M', vneid_level: 2 });
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function search(page, text) {
  const box = page.getByLabel('Tìm theo họ tên, số điện thoại hoặc số CCCD');
  await box.fill(text);
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await page.waitForFunction((t) => new URLSearchParams(location.hash.split('?')[1] || '').get('q') === t, text);
  await waitReady(page);
}

const names = (page) => page.locator('main .resident-table a.row-link').allTextContents();

test('phone 360 px: a name typed without diacritics finds the person; the record is edited with errors beside the fields, then saved', { timeout: 120_000 }, async () => {
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  allow(/status of 400/);
  await login(page, 'admin', srv.password);
  await page.goto('/#/dan-cu');
  await waitReady(page);
  await assertNoHorizontalOverflow(page, PHONE.width, 'residents list');

  await search(page, 'nguyen thi huong');
  assert.deepEqual(await names(page), ['Nguyễn Thị Hương']);
  assert.match(await page.locator('main .result-count').textContent(), /Tìm thấy 1 người/);
  // On a phone each person is a card (the table's head is hidden), and nothing scrolls sideways.
  assert.equal(await page.locator('main .resident-table thead').evaluate((el) => el.getBoundingClientRect().height <= 1), true);
  await assertNoHorizontalOverflow(page, PHONE.width, 'search results');
  const link = page.getByRole('link', { name: 'Nguyễn Thị Hương' });
  const box = await link.boundingBox();
  assert.ok(box.height >= 44, `the name is a tap target of ${box.height}px`);

  // Word prefixes, the phone number, and nothing for a name that is not there.
  await search(page, 'huong');
  assert.deepEqual((await names(page)).sort(), ['Nguyễn Thị Hương', 'Phạm Hương Giang']);
  await search(page, '0912345678');
  assert.deepEqual(await names(page), ['Nguyễn Thị Hương']);
  await search(page, 'khong co ai ten nay');
  assert.equal((await names(page)).length, 0);
  await page.getByText(/Không có ai khớp tìm kiếm và bộ lọc/).waitFor();

  // Open the record from the list.
  await search(page, 'nguyen thi huong');
  await page.getByRole('link', { name: 'Nguyễn Thị Hương' }).click();
  await page.getByRole('heading', { level: 1, name: 'Nguyễn Thị Hương' }).waitFor();
  await waitReady(page);
  assert.equal(await hashOf(page), `#/dan-cu/${people.huong.id}`);
  const facts = page.getByRole('region', { name: 'Thông tin hồ sơ' });
  await facts.getByText('12/05/1958').waitFor();
  await facts.getByText('0912345678').waitFor();
  await facts.getByRole('link', { name: 'Hộ H-101 – Số 5 ngõ 12 phố Ngọc Châu' }).waitFor();
  await facts.getByText('Người cao tuổi (từ 60 tuổi)').waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'record');

  // Two wrong fields: each error beside its own field, nothing saved.
  await page.locator('summary', { hasText: 'Sửa hồ sơ' }).click();
  const edit = page.getByRole('form', { name: 'Sửa hồ sơ' });
  await edit.getByLabel('Số điện thoại').fill('12345');
  await edit.getByLabel('Ngày sinh').fill('31/02/1958');
  await edit.getByRole('button', { name: 'Lưu thay đổi' }).click();
  const phoneField = edit.locator('.field', { has: page.getByLabel('Số điện thoại') });
  await phoneField.locator('.field-error').getByText(/Số điện thoại không hợp lệ/).waitFor();
  await edit.locator('.field', { has: page.getByLabel('Ngày sinh') }).locator('.field-error').getByText(/Ngày sinh không hợp lệ/).waitFor();
  assert.equal(await edit.getByLabel('Số điện thoại').getAttribute('aria-invalid'), 'true');
  await assertNoHorizontalOverflow(page, PHONE.width, 'record with errors');

  // Fixed: saved, and the record shows it.
  await edit.getByLabel('Số điện thoại').fill('0987654321');
  await edit.getByLabel('Ngày sinh').fill('12/05/1958');
  await edit.getByRole('button', { name: 'Lưu thay đổi' }).click();
  await page.getByText('Đã lưu hồ sơ.').waitFor();
  await waitReady(page);
  await page.getByRole('region', { name: 'Thông tin hồ sơ' }).getByText('0987654321').waitFor();
  // The admin sees this person's trail: the change, by whom.
  const trail = page.getByRole('region', { name: 'Lịch sử truy cập và thay đổi' });
  await trail.getByText('Sửa hồ sơ: điện thoại').waitFor();
  await trail.getByText('Tạo hồ sơ').waitFor();
  assert.ok(await trail.getByText('Quản trị phường Hải Dương').count() > 0);
  assertNoProblems(problems, 'phone search and edit');
  await context.close();
});

test('a household lists its members with their relation to the head, each linked to the record', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await page.goto(`/#/dan-cu/${people.nam.id}`);
  await waitReady(page);
  await page.getByRole('region', { name: 'Thông tin hồ sơ' }).getByRole('link', { name: 'Hộ H-101 – Số 5 ngõ 12 phố Ngọc Châu' }).click();
  await page.getByRole('heading', { level: 1, name: 'Hộ ông/bà Nguyễn Thị Hương' }).waitFor();
  await waitReady(page);
  assert.equal(await hashOf(page), `#/ho/${household.id}`);
  const members = page.getByRole('region', { name: 'Thành viên' });
  const titles = await members.locator('.item-title').allTextContents();
  assert.deepEqual(titles, ['Nguyễn Thị Hương', 'Trần Văn Nam', 'Lê Thị Hoa'], 'the head first');
  await members.getByText(/Quan hệ với chủ hộ: Con/).waitFor();
  await page.getByText('H-101').waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'household');
  await members.getByRole('link', { name: /Lê Thị Hoa/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Lê Thị Hoa' }).waitFor();
  assertNoProblems(problems, 'household');
  await context.close();
});

test('desktop: filters live in the address — they survive a reload and back/forward, and the export links follow them', { timeout: 90_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: DESKTOP });
  await login(page, 'admin', srv.password);
  await page.goto('/#/dan-cu');
  await waitReady(page);
  assert.equal((await names(page)).length, 5);
  // On a desktop the list is a table with its column heads.
  assert.ok(await page.locator('main .resident-table thead th', { hasText: 'Năm sinh' }).isVisible());

  await page.getByLabel('Giới tính').selectOption({ label: 'Nữ' });
  await page.getByLabel('Đơn vị', { exact: true }).selectOption({ label: '— Tổ dân phố số 1' });
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await page.waitForFunction(() => location.hash.includes('sex=F'));
  await waitReady(page);
  const hash = await hashOf(page);
  assert.match(hash, /unit_id=\d+/);
  assert.deepEqual((await names(page)).sort(), ['Lê Thị Hoa', 'Nguyễn Thị Hương']);

  await page.reload();
  await waitReady(page);
  assert.equal(await hashOf(page), hash);
  assert.equal(await page.getByLabel('Giới tính').inputValue(), 'F');
  assert.deepEqual((await names(page)).sort(), ['Lê Thị Hoa', 'Nguyễn Thị Hương']);
  const csv = await page.getByRole('link', { name: 'Xuất CSV' }).getAttribute('href');
  assert.match(csv, /^\/api\/v1\/residents\/export\?format=csv&.*sex=F/);
  assert.match(await page.getByRole('link', { name: 'Xuất Excel' }).getAttribute('href'), /format=xlsx.*sex=F/);

  // An age band and a target group narrow further.
  await page.getByLabel('Độ tuổi').selectOption({ label: 'Từ 60 tuổi' });
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await page.waitForFunction(() => location.hash.includes('age_min=60'));
  await waitReady(page);
  assert.deepEqual(await names(page), ['Nguyễn Thị Hương']);
  await page.goBack();
  await waitReady(page);
  assert.equal(await hashOf(page), hash);
  assert.equal(await page.getByLabel('Độ tuổi').inputValue(), '-');
  assert.deepEqual((await names(page)).sort(), ['Lê Thị Hoa', 'Nguyễn Thị Hương']);

  // A shared address opens with its filter (adults: the household's grown-ups, not the child).
  await page.goto('/#/dan-cu?group=adults');
  await waitReady(page);
  assert.deepEqual((await names(page)).sort(), ['Nguyễn Thị Hương', 'Trần Văn Nam']);
  assert.equal(await page.getByLabel('Nhóm đối tượng').inputValue(), 'adults');
  assertNoProblems(problems, 'filters');
  await context.close();
});

test('a record deleted after its confirmation leaves the list; the dialog says it can be restored', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'admin', srv.password);
  await page.goto(`/#/dan-cu/${people.minh.id}`);
  await waitReady(page);
  await page.getByRole('button', { name: 'Xóa hồ sơ' }).click();
  const dialog = page.getByRole('dialog', { name: 'Xóa hồ sơ này?' });
  await dialog.getByText(/có thể khôi phục/).waitFor();
  await dialog.getByRole('button', { name: 'Xóa hồ sơ' }).click();
  await page.waitForFunction(() => location.hash === '#/dan-cu');
  await waitReady(page);
  await page.getByText(/Đã xóa hồ sơ của Đỗ Văn Minh/).waitFor();
  assert.ok(!(await names(page)).includes('Đỗ Văn Minh'));
  assertNoProblems(problems, 'delete');
  await context.close();
});

test('a learner has no residents page, and a tổ dân phố officer adds a person from the list', { timeout: 60_000 }, async () => {
  const learner = await newPage(browser, srv.url, { viewport: PHONE });
  await login(learner.page, 'hocvien', srv.password);
  await learner.page.goto('/#/dan-cu');
  await waitReady(learner.page);
  await learner.page.getByText(/Bạn không có quyền xem mục này/).waitFor();
  await learner.context.close();

  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tdp01', srv.password);
  await page.goto('/#/dan-cu');
  await waitReady(page);
  await page.getByRole('link', { name: 'Thêm người' }).click();
  await page.getByRole('heading', { level: 1, name: 'Thêm người' }).waitFor();
  await waitReady(page);
  await page.getByLabel('Họ và tên').fill('Vũ Văn Tâm');
  await page.getByLabel('Đơn vị đăng ký').selectOption({ label: 'Tổ dân phố số 1' });
  await page.getByLabel('Ngày sinh').fill('1970');
  await page.getByRole('button', { name: 'Thêm vào sổ' }).click();
  await page.getByRole('heading', { level: 1, name: 'Vũ Văn Tâm' }).waitFor();
  await page.getByText('Đã thêm Vũ Văn Tâm vào sổ dân cư.').waitFor();
  // No audit trail for an officer without audit.read.
  assert.equal(await page.getByRole('region', { name: 'Lịch sử truy cập và thay đổi' }).count(), 0);
  await assertNoHorizontalOverflow(page, PHONE.width, 'new record');
  assertNoProblems(problems, 'officer adds');
  await context.close();
});

/** What every page of the registry must hold: labelled controls, headings in order, tap targets. */
async function accessibilityProblems(page) {
  return page.evaluate(() => {
    const out = [];
    const main = document.querySelector('main');
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    for (const el of main.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!named) out.push(`no label: ${el.outerHTML.slice(0, 80)}`);
    }
    let last = 0;
    for (const hd of main.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
      const level = Number(hd.tagName[1]);
      if (last === 0 && level !== 1) out.push(`first heading is ${hd.tagName}`);
      if (last && level > last + 1) out.push(`heading ${hd.tagName} “${hd.textContent}” after h${last}`);
      last = level;
    }
    for (const el of main.querySelectorAll('.btn, button, .row-link, summary, label.choice, select, input:not([type=hidden]):not([type=radio]):not([type=checkbox])')) {
      if (!visible(el)) continue;
      const h = el.getBoundingClientRect().height;
      if (h < 44) out.push(`tap target ${Math.round(h)}px: ${(el.textContent || el.outerHTML).trim().slice(0, 60)}`);
    }
    return out;
  });
}

test('phone: the registry pages have labelled controls, headings in order, 44 px tap targets and a visible focus', { timeout: 120_000 }, async () => {
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  allow(/status of 404.*\/api\/v1\/me\/person/); // the admin's account is not linked to a person
  await login(page, 'admin', srv.password);
  for (const hash of ['#/dan-cu', '#/dan-cu?sex=F', `#/dan-cu/${people.huong.id}`, `#/ho/${household.id}`, '#/dan-cu/moi',
    '#/nhap-du-lieu', '#/yeu-cau', '#/du-lieu-cua-toi', '#/']) {
    await page.goto(`/${hash}`);
    await waitReady(page);
    const closed = page.locator('main details:not([open]) > summary');
    while (await closed.count()) await closed.first().click();
    assert.deepEqual(await accessibilityProblems(page), [], hash);
    await assertNoHorizontalOverflow(page, PHONE.width, hash);
  }
  // The record's edit form offers the households of the tổ dân phố.
  await page.goto(`/#/dan-cu/${people.nam.id}`);
  await waitReady(page);
  await page.locator('summary', { hasText: 'Sửa hồ sơ' }).click();
  const options = await page.getByLabel('Hộ gia đình').locator('option').allTextContents();
  assert.ok(options.includes('Hộ H-101 – Số 5 ngõ 12 phố Ngọc Châu') && options.includes('Không thuộc hộ nào'), JSON.stringify(options));
  // Keyboard focus is visible on the search button.
  await page.goto('/#/dan-cu');
  await waitReady(page);
  await page.getByLabel('Tìm theo họ tên, số điện thoại hoặc số CCCD').focus();
  await page.keyboard.press('Tab');
  const ring = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { text: document.activeElement.textContent.trim(), style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  assert.equal(ring.text, 'Tìm');
  assert.ok(ring.style !== 'none' && ring.width >= 2, JSON.stringify(ring));
  assertNoProblems(problems, 'accessibility sweep');
  await context.close();
});

test('from a record: a new household with the person as its head, and a school that puts a pupil in a target group', { timeout: 60_000 }, async () => {
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  allow(/status of 400/);
  await login(page, 'admin', srv.password);
  await page.goto(`/#/dan-cu/${people.huongB.id}`);
  await waitReady(page);
  await page.locator('summary', { hasText: 'Tạo hộ mới' }).click();
  const create = page.getByRole('form', { name: 'Tạo hộ mới' });
  await create.getByLabel('Địa chỉ').fill('Số 9 phố Nhị Châu');
  await create.getByRole('button', { name: 'Tạo hộ' }).click();
  await page.getByText('Đã tạo hộ, Phạm Hương Giang là chủ hộ.').waitFor();
  await waitReady(page);
  const facts = page.getByRole('region', { name: 'Thông tin hồ sơ' });
  await facts.getByRole('link', { name: 'Số 9 phố Nhị Châu' }).click();
  await page.getByRole('heading', { level: 1, name: 'Hộ ông/bà Phạm Hương Giang' }).waitFor();
  await waitReady(page);

  // A pupil of grade 7 at a lower secondary school: the server puts her in "Học sinh trung học".
  await page.goto(`/#/dan-cu/${people.hoa.id}`);
  await waitReady(page);
  await page.locator('summary', { hasText: 'Thêm nơi làm việc, học tập' }).click();
  const add = page.getByRole('form', { name: 'Thêm nơi làm việc, học tập' });
  await add.getByLabel('Đơn vị').selectOption({ label: '— Trường THCS Trần Hưng Đạo' });
  await add.getByLabel('Là').selectOption('student');
  await add.getByRole('button', { name: 'Thêm' }).click();
  await add.locator('.field', { has: page.getByLabel('Lớp') }).getByText(/lớp từ 1 đến 12/).waitFor();
  await add.getByLabel('Lớp').fill('7');
  await add.getByRole('button', { name: 'Thêm' }).click();
  await page.getByText('Đã thêm nơi làm việc, học tập.').waitFor();
  await waitReady(page);
  await page.getByRole('region', { name: 'Nơi làm việc, học tập' }).getByText('Học sinh, lớp 7').waitFor();
  await page.getByRole('region', { name: 'Thông tin hồ sơ' }).getByText('Học sinh trung học').waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'record with a membership');
  assertNoProblems(problems, 'household and membership');
  await context.close();
});

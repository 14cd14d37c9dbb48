// The ward admin's work: units, accounts and roles; anyone's own password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, newPage, login, navTo, openNav, waitReady, apiFromPage, hashOf, assertNoProblems, tag,
} from './lib/browser.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('admin adds a child unit under the ward and sees it listed', { timeout: 60_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url);
  await login(page, 'admin', srv.password);
  await navTo(page, 'Đơn vị');
  await waitReady(page);
  await page.locator('main a.item-link', { hasText: 'Phường Hải Dương' }).first().click();
  await page.getByRole('heading', { name: 'Phường Hải Dương', level: 1 }).waitFor();
  await waitReady(page);
  const wardHash = await hashOf(page);
  const before = Number((await page.locator('.facts dd').nth(2).textContent()).replace(/\D/g, ''));

  const name = `Tổ dân phố thử nghiệm ${tag()}`;
  await page.locator('summary', { hasText: 'Thêm đơn vị trực thuộc' }).click();
  const addForm = page.locator('form', { has: page.getByRole('button', { name: 'Thêm đơn vị' }) });
  const kind = addForm.getByLabel('Loại đơn vị');
  const options = await kind.locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, label: o.textContent })));
  assert.ok(options.length >= 2, 'unit kinds come from GET /api/v1/meta');
  const choice = options.find((o) => /tổ dân phố/i.test(o.label)) || options[options.length - 1];
  await kind.selectOption(choice.value);
  await addForm.getByLabel('Tên đơn vị').fill(name);
  await addForm.getByRole('button', { name: 'Thêm đơn vị' }).click();
  await page.getByText(`Đã thêm đơn vị “${name}”.`).waitFor();
  assert.equal(await hashOf(page), wardHash, 'stays on the ward');
  const after = Number((await page.locator('.facts dd').nth(2).textContent()).replace(/\D/g, ''));
  assert.equal(after, before + 1, 'the ward counts one more child');

  await page.getByLabel('Tìm trong các đơn vị trực thuộc').fill(name);
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await page.waitForFunction(() => location.hash.includes('q='));
  await waitReady(page);
  const item = page.locator('main a.item-link', { hasText: name });
  await item.waitFor();
  assert.equal(await item.count(), 1);
  assert.ok((await item.textContent()).includes(choice.label), 'the list shows the kind label');

  // The new unit opens, with the ward in its breadcrumb, and can be renamed.
  await item.click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  await waitReady(page);
  const crumbs = page.getByRole('navigation', { name: 'Đường dẫn' });
  assert.ok((await crumbs.textContent()).includes('Phường Hải Dương'));
  await page.locator('summary', { hasText: 'Sửa thông tin đơn vị' }).click();
  const editForm = page.locator('form', { has: page.getByRole('button', { name: 'Lưu thay đổi' }) });
  await editForm.getByLabel('Tên đơn vị').fill(`${name} (đã sửa)`);
  await editForm.getByRole('button', { name: 'Lưu thay đổi' }).click();
  await page.getByText('Đã lưu thông tin đơn vị.').waitFor();
  await page.getByRole('heading', { name: `${name} (đã sửa)`, level: 1 }).waitFor();
  assertNoProblems(problems, 'add unit');
  await context.close();
});

test('admin creates a user and grants a role; the new user can log in', { timeout: 90_000 }, async () => {
  const { page, problems, context, allow } = await newPage(browser, srv.url);
  allow(/status of 400 .*\/api\/v1\/users$/);
  await login(page, 'admin', srv.password);
  await navTo(page, 'Tài khoản');
  await waitReady(page);

  const username = `thu.${tag()}`;
  const displayName = 'Nguyễn Thị Thử';
  const password = 'MatKhau-Thu-2468';
  await page.locator('summary', { hasText: 'Tạo tài khoản mới' }).click();
  const createForm = page.locator('form', { has: page.getByRole('button', { name: 'Tạo tài khoản' }) });
  await createForm.getByLabel('Tên đăng nhập').fill(username);
  await createForm.getByLabel('Họ và tên').fill(displayName);
  // Too short a password: the server's message appears next to the field.
  await createForm.getByLabel('Mật khẩu ban đầu', { exact: true }).fill('ngan');
  await createForm.getByRole('button', { name: 'Tạo tài khoản' }).click();
  const fieldError = createForm.locator('.field', { has: page.getByLabel('Mật khẩu ban đầu', { exact: true }) }).locator('.field-error');
  await fieldError.waitFor();
  assert.ok((await fieldError.textContent()).trim().length > 0);
  await createForm.getByLabel('Mật khẩu ban đầu', { exact: true }).fill(password);
  await createForm.getByRole('button', { name: 'Tạo tài khoản' }).click();
  await page.waitForFunction(() => /^#\/tai-khoan\/[^/?]+$/.test(location.hash));
  await page.getByRole('heading', { name: displayName, level: 1 }).waitFor();
  await waitReady(page);
  await page.getByText(`Đã tạo tài khoản “${username}”`, { exact: false }).waitFor();
  const userId = decodeURIComponent((await hashOf(page)).split('/').pop());

  const grantForm = page.locator('form', { has: page.getByRole('button', { name: 'Cấp vai trò' }) });
  await grantForm.getByLabel('Vai trò').selectOption('unit_officer');
  await grantForm.getByLabel('Đơn vị', { exact: true }).fill('Tổ dân phố số 1');
  const choice = grantForm.locator('label.choice', { has: page.locator('.choice-title', { hasText: /^Tổ dân phố số 1$/ }) });
  await choice.click();
  await grantForm.getByText('Đã chọn: Tổ dân phố số 1').waitFor();
  await grantForm.getByRole('button', { name: 'Cấp vai trò' }).click();
  await page.getByText('Đã cấp vai trò', { exact: false }).waitFor();
  await waitReady(page);
  const roleItem = page.locator('main .role-item', { hasText: 'Tổ dân phố số 1' });
  await roleItem.waitFor();

  const user = await apiFromPage(page, 'GET', `/users/${userId}`);
  assert.equal(user.status, 200);
  assert.equal(user.body.username, username);
  const grant = user.body.roles.find((r) => r.role === 'unit_officer');
  assert.ok(grant, 'the server holds the new grant');
  assert.equal(grant.unit_name, 'Tổ dân phố số 1');
  assert.ok((await roleItem.textContent()).includes(grant.role_label));

  // The list finds the new user by name.
  await page.goto(`/#/tai-khoan?q=${encodeURIComponent(username)}`);
  await waitReady(page);
  await page.locator('main a.item-link', { hasText: displayName }).waitFor();

  // The new user logs in, must first choose its own password (forced-password.test.mjs tests
  // that page), then sees the role on the home page.
  const other = await newPage(browser, srv.url);
  await login(other.page, username, password);
  assert.equal(await hashOf(other.page), '#/doi-mat-khau');
  await other.page.getByLabel('Mật khẩu được cấp', { exact: true }).fill(password);
  await other.page.getByLabel('Mật khẩu mới', { exact: true }).fill('Rieng-cua-toi-2468');
  await other.page.getByLabel('Nhập lại mật khẩu mới', { exact: true }).fill('Rieng-cua-toi-2468');
  await other.page.getByRole('button', { name: 'Lưu mật khẩu mới' }).click();
  await other.page.waitForFunction(() => location.hash === '#/');
  await waitReady(other.page);
  assert.equal((await other.page.locator('main h1').textContent()).trim(), displayName);
  await other.page.locator('main .role-item', { hasText: 'Tổ dân phố số 1' }).waitFor();
  assertNoProblems(other.problems, 'new user');
  await other.context.close();

  // Revoking the role removes it from the list.
  await page.goto(`/#/tai-khoan/${encodeURIComponent(userId)}`);
  await waitReady(page);
  await page.locator('main .role-item', { hasText: 'Tổ dân phố số 1' }).getByRole('button', { name: /^Thu hồi/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Thu hồi' }).click();
  await page.getByText('Đã thu hồi vai trò', { exact: false }).waitFor();
  assert.equal(await page.locator('main .role-item', { hasText: 'Tổ dân phố số 1' }).count(), 0);
  assertNoProblems(problems, 'create user');
  await context.close();
});

test('admin locks an account; the locked user can no longer log in; unlocking restores it', { timeout: 90_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url);
  await login(page, 'admin', srv.password);
  await page.goto('/#/tai-khoan?q=tinhnguyen');
  await waitReady(page);
  await page.locator('main a.item-link', { hasText: 'tinhnguyen' }).click();
  await page.waitForFunction(() => /^#\/tai-khoan\/[^/?]+$/.test(location.hash));
  await waitReady(page);
  await page.getByRole('button', { name: 'Khóa tài khoản' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Khóa tài khoản' }).click();
  await page.getByText('Đã khóa tài khoản.').waitFor();
  await page.getByRole('button', { name: 'Mở khóa' }).waitFor();

  const locked = await newPage(browser, srv.url);
  await locked.page.goto('/#/dang-nhap');
  await locked.page.getByLabel('Tên đăng nhập').fill('tinhnguyen');
  await locked.page.getByLabel('Mật khẩu', { exact: true }).fill(srv.password);
  const answer = locked.page.waitForResponse((r) => r.url().endsWith('/api/v1/session'));
  await locked.page.getByRole('button', { name: 'Đăng nhập' }).click();
  const res = await answer;
  assert.equal(res.status(), 403);
  const body = await res.json();
  await locked.page.getByText(body.error.message, { exact: true }).waitFor();
  assert.equal(await hashOf(locked.page), '#/dang-nhap');
  await locked.context.close();

  await page.getByRole('button', { name: 'Mở khóa' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Mở khóa' }).click();
  await page.getByText('Đã mở khóa tài khoản.').waitFor();
  const again = await newPage(browser, srv.url);
  await login(again.page, 'tinhnguyen', srv.password);
  await again.context.close();
  assertNoProblems(problems, 'lock');
  await context.close();
});

test('changing one\'s own password; the new password logs in, the old one no longer', { timeout: 90_000 }, async () => {
  const { page, problems, context, allow } = await newPage(browser, srv.url);
  allow(/status of 4\d\d .*\/api\/v1\/me\/password$/);
  await login(page, 'giaovien', srv.password);
  await navTo(page, 'Hồ sơ của tôi');
  await waitReady(page);
  const newPassword = 'GiaoVien-Moi-1357';
  const pwForm = page.locator('form', { has: page.getByRole('button', { name: 'Đổi mật khẩu' }) });

  // A repeat that does not match is caught here, before anything is sent.
  let sent = 0;
  page.on('request', (r) => { if (r.url().endsWith('/api/v1/me/password')) sent += 1; });
  await pwForm.getByLabel('Mật khẩu hiện tại', { exact: true }).fill(srv.password);
  await pwForm.getByLabel('Mật khẩu mới', { exact: true }).fill(newPassword);
  await pwForm.getByLabel('Nhập lại mật khẩu mới', { exact: true }).fill(`${newPassword}x`);
  await pwForm.getByRole('button', { name: 'Đổi mật khẩu' }).click();
  await pwForm.getByText('Mật khẩu nhập lại không khớp với mật khẩu mới.').waitFor();
  assert.equal(sent, 0);
  assert.equal(await pwForm.getByLabel('Nhập lại mật khẩu mới', { exact: true }).getAttribute('aria-invalid'), 'true');

  // A wrong current password: the server refuses, the message is shown.
  await pwForm.getByLabel('Mật khẩu hiện tại', { exact: true }).fill('khong-dung-dau');
  await pwForm.getByLabel('Nhập lại mật khẩu mới', { exact: true }).fill(newPassword);
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/password'));
  await pwForm.getByRole('button', { name: 'Đổi mật khẩu' }).click();
  const refusal = await refused;
  assert.ok(refusal.status() >= 400 && refusal.status() < 500, `wrong current password answered ${refusal.status()}`);
  const refusalBody = await refusal.json();
  await pwForm.getByText(refusalBody.error.message, { exact: true }).waitFor();

  await pwForm.getByLabel('Mật khẩu hiện tại', { exact: true }).fill(srv.password);
  await pwForm.getByRole('button', { name: 'Đổi mật khẩu' }).click();
  await pwForm.getByText('Đã đổi mật khẩu.', { exact: false }).waitFor();
  assert.equal(await pwForm.getByLabel('Mật khẩu mới', { exact: true }).inputValue(), '', 'the form is cleared');

  const nav = await openNav(page);
  await nav.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.waitForFunction(() => location.hash === '#/dang-nhap');

  await page.getByLabel('Tên đăng nhập').fill('giaovien');
  await page.getByLabel('Mật khẩu', { exact: true }).fill(srv.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.locator('.form-alert').waitFor();
  assert.equal(await hashOf(page), '#/dang-nhap', 'the old password no longer works');

  await login(page, 'giaovien', newPassword);
  assert.equal(await hashOf(page), '#/');
  assertNoProblems(problems, 'change password');
  await context.close();
});

test('one\'s own account page offers no password reset, but the way to change it on the profile', { timeout: 60_000 }, async () => {
  const { page, problems } = await newPage(browser, srv.url);
  await login(page, 'admin', srv.password);
  await page.goto('/#/tai-khoan?q=admin');
  await waitReady(page);
  await page.locator('main a.item-link', { hasText: 'admin' }).first().click();
  await page.waitForFunction(() => /^#\/tai-khoan\/[^/?]+$/.test(location.hash));
  await waitReady(page);
  await page.getByRole('heading', { name: 'Sửa họ tên' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Đặt lại mật khẩu' }).count(), 0);
  await page.locator('main').getByRole('link', { name: 'Hồ sơ của tôi' }).click();
  await page.waitForFunction(() => location.hash === '#/ho-so');
  assertNoProblems(problems);
});

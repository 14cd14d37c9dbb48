// An account made by someone else: the accounts form shows every field error at once with a
// strength hint; at its first log-in the account sees only "Đặt mật khẩu mới", then continues.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, newPage, login, navTo, waitReady, apiFromPage, hashOf, assertNoProblems, tag,
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

test('field errors at once, then the forced password change at the first log-in', { timeout: 90_000 }, async () => {
  const admin = await newPage(browser, srv.url);
  admin.allow(/status of 400/);
  const { page } = admin;
  await login(page, 'admin', srv.password);
  await navTo(page, 'Tài khoản');
  await page.locator('summary', { hasText: 'Tạo tài khoản mới' }).click();
  const createForm = page.locator('form', { has: page.getByRole('button', { name: 'Tạo tài khoản' }) });
  const errorOf = (label) => createForm.locator('.field', { has: page.getByLabel(label, { exact: true }) }).locator('.field-error');

  // Three fields wrong: all three messages, each beside its field, after one submit.
  await createForm.getByLabel('Tên đăng nhập').fill('Sai Ten');
  await createForm.getByLabel('Họ và tên').fill('X');
  await createForm.getByLabel('Mật khẩu ban đầu', { exact: true }).fill('123456789');
  await createForm.locator('.password-strength', { hasText: 'Yếu' }).waitFor();
  await createForm.getByRole('button', { name: 'Tạo tài khoản' }).click();
  for (const label of ['Tên đăng nhập', 'Họ và tên', 'Mật khẩu ban đầu']) {
    const e = errorOf(label);
    await e.waitFor();
    assert.ok((await e.textContent()).trim().length > 0, `an error beside ${label}`);
  }
  assert.match(await errorOf('Mật khẩu ban đầu').textContent(), /phổ biến|dễ đoán/);

  const username = `moi.${tag()}`;
  const first = 'Cap-boi-quan-tri-31';
  await createForm.getByLabel('Tên đăng nhập').fill(username);
  await createForm.getByLabel('Họ và tên').fill('Trần Văn Mới');
  await createForm.getByLabel('Mật khẩu ban đầu', { exact: true }).fill(first);
  await createForm.locator('.password-strength', { hasText: /Khá|Mạnh/ }).waitFor();
  await createForm.getByRole('button', { name: 'Tạo tài khoản' }).click();
  await page.waitForFunction(() => /^#\/tai-khoan\/[^/?]+$/.test(location.hash));
  await waitReady(page);
  assertNoProblems(admin.problems, 'accounts page');

  // The new account logs in: only the new-password form, whatever address it asks for.
  const user = await newPage(browser, srv.url);
  user.allow(/status of 403/);
  await login(user.page, username, first);
  assert.equal(await hashOf(user.page), '#/doi-mat-khau');
  await user.page.getByRole('heading', { name: 'Đặt mật khẩu mới', level: 1 }).waitFor();
  assert.equal(await user.page.getByRole('navigation', { name: 'Điều hướng chính' }).count(), 0, 'no menu meanwhile');
  await user.page.goto('/#/ho-so');
  await user.page.waitForFunction(() => location.hash === '#/doi-mat-khau');
  const me = await apiFromPage(user.page, 'GET', '/me');
  assert.equal(me.body.must_change_password, true);
  assert.equal((await apiFromPage(user.page, 'GET', '/units')).status, 403);

  const mine = 'Cua-toi-that-su-77';
  await user.page.getByLabel('Mật khẩu được cấp', { exact: true }).fill(first);
  await user.page.getByLabel('Mật khẩu mới', { exact: true }).fill(mine);
  await user.page.getByLabel('Nhập lại mật khẩu mới', { exact: true }).fill(mine);
  await user.page.getByRole('button', { name: 'Lưu mật khẩu mới' }).click();
  // It continues where it was going (its profile), with the menu back.
  await user.page.waitForFunction(() => location.hash === '#/ho-so');
  await waitReady(user.page);
  await user.page.getByText('Đã lưu mật khẩu mới', { exact: false }).waitFor();
  await user.page.getByRole('navigation', { name: 'Điều hướng chính' }).waitFor({ state: 'attached' });
  assert.equal((await apiFromPage(user.page, 'GET', '/me')).body.must_change_password, false);
  assertNoProblems(user.problems, 'forced change');
  await user.context.close();
  await admin.context.close();
});

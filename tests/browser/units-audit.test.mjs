// What a ward official meets, at 360 px and on a desktop: unit kinds by parent, duplicate names,
// moving and deleting a unit, a missing unit's way back, search by abbreviation; the audit log
// naming people and units, filtered by name and by dd/mm/yyyy dates; home cards by capability;
// the ward's name on the log-in page; a visible focus ring.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import {
  launchBrowser, newPage, login, navTo, waitReady, hashOf, assertNoProblems, assertNoHorizontalOverflow, tag, PHONE, DESKTOP,
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

async function openUnit(page, name) {
  await page.goto('/#/don-vi');
  await waitReady(page);
  await page.getByLabel(/Tìm đơn vị theo tên/).fill(name);
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await page.waitForFunction(() => location.hash.includes('q='));
  await waitReady(page);
  await page.locator('main a.item-link', { hasText: name }).first().click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  await waitReady(page);
}

for (const [where, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
  test(`${where}: units — abbreviations, kinds by parent, duplicate name, move, delete, missing unit`, { timeout: 120_000 }, async () => {
    const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport });
    allow(/status of 409/);
    allow(/status of 404/);
    await login(page, 'admin', srv.password);

    // "tdp 1" finds Tổ dân phố số 1 first; "THCS" the lower secondary schools.
    await page.goto('/#/don-vi');
    await waitReady(page);
    await page.getByLabel(/Tìm đơn vị theo tên/).fill('tdp 1');
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await page.waitForFunction(() => location.hash.includes('q='));
    await waitReady(page);
    assert.equal((await page.locator('main a.item-link .item-title').first().textContent()).trim(), 'Tổ dân phố số 1');
    await page.getByLabel(/Tìm đơn vị theo tên/).fill('THCS');
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await page.waitForFunction(() => location.hash.includes('q=THCS'));
    await waitReady(page);
    const schools = await page.locator('main a.item-link .item-title').allTextContents();
    assert.ok(schools.includes('Trường THCS Trần Hưng Đạo'), JSON.stringify(schools));

    // Under a tổ dân phố, the kinds offered are only those that may sit there.
    await openUnit(page, 'Tổ dân phố số 1');
    await page.locator('summary', { hasText: 'Thêm đơn vị trực thuộc' }).click();
    const addForm = page.locator('form', { has: page.getByRole('button', { name: 'Thêm đơn vị' }) });
    const labels = await addForm.getByLabel('Loại đơn vị').locator('option').allTextContents();
    assert.ok(labels.includes('Tổ, đội'), JSON.stringify(labels));
    assert.ok(!labels.includes('Thành phố') && !labels.includes('Tổ dân phố'), `a city or a tổ dân phố under a tổ dân phố: ${labels}`);
    const teamName = `Đội thử chuyển ${tag()}`;
    await addForm.getByLabel('Loại đơn vị').selectOption({ label: 'Tổ, đội' });
    await addForm.getByLabel('Tên đơn vị').fill(teamName);
    await addForm.getByRole('button', { name: 'Thêm đơn vị' }).click();
    await page.getByText(`Đã thêm đơn vị “${teamName}”.`).waitFor();
    // The same name again (other case, no accents): refused with a clear message on the name.
    await page.locator('summary', { hasText: 'Thêm đơn vị trực thuộc' }).click().catch(() => {});
    const again = page.locator('form', { has: page.getByRole('button', { name: 'Thêm đơn vị' }) });
    if (!(await again.getByLabel('Tên đơn vị').isVisible())) await page.locator('summary', { hasText: 'Thêm đơn vị trực thuộc' }).click();
    await again.getByLabel('Loại đơn vị').selectOption({ label: 'Tổ, đội' });
    await again.getByLabel('Tên đơn vị').fill(teamName.toUpperCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/Đ/g, 'D'));
    await again.getByRole('button', { name: 'Thêm đơn vị' }).click();
    await page.getByText(/Tên đơn vị đã có trong cùng đơn vị cấp trên/).first().waitFor();
    assert.equal(await again.getByLabel('Tên đơn vị').getAttribute('aria-invalid'), 'true', 'the name field is marked');

    // Move the team to Tổ dân phố số 2.
    await openUnit(page, teamName);
    await page.locator('summary', { hasText: 'Chuyển sang đơn vị cấp trên khác' }).click();
    await page.getByLabel(/Tìm đơn vị cấp trên mới/).fill('tdp 2');
    await page.getByRole('button', { name: 'Tìm', exact: true }).last().click();
    const target = page.locator('.move-results li', { hasText: 'Tổ dân phố số 2' }).first();
    await target.waitFor();
    await target.getByRole('button', { name: /Chuyển vào đây/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Chuyển' }).click();
    await page.getByText(`Đã chuyển “${teamName}” vào “Tổ dân phố số 2”.`).waitFor();
    await waitReady(page);
    const crumbs = page.getByRole('navigation', { name: 'Đường dẫn' });
    assert.ok((await crumbs.textContent()).includes('Tổ dân phố số 2'), await crumbs.textContent());
    const movedHash = await hashOf(page);
    await assertNoHorizontalOverflow(page, viewport.width, `${where} unit page`);

    // Delete it (it is empty): back at its parent, and its address now says it is gone, with a way back.
    await page.getByRole('button', { name: 'Xóa đơn vị' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Xóa đơn vị' }).click();
    await page.getByText(`Đã xóa đơn vị “${teamName}”.`).waitFor();
    await page.getByRole('heading', { name: 'Tổ dân phố số 2', level: 1 }).waitFor();
    await page.goto(`/${movedHash}`);
    await page.getByRole('heading', { name: 'Không tìm thấy đơn vị', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Về danh sách đơn vị' }).click();
    await page.waitForFunction(() => location.hash === '#/don-vi');
    await waitReady(page);
    await page.goto('/#/don-vi/abc');
    await page.getByRole('heading', { name: 'Không tìm thấy đơn vị', level: 1 }).waitFor();

    // The audit log names who did it and on which unit, never raw ids.
    await page.goto(`/#/nhat-ky?name=${encodeURIComponent(teamName.split(' ').pop())}`);
    await waitReady(page);
    await page.locator('main tbody tr').first().waitFor();
    const text = await page.locator('main table').textContent();
    assert.ok(text.includes('Quản trị phường Hải Dương'), 'the actor by name');
    assert.ok(text.includes(teamName), 'the unit by name, even after it was deleted');
    for (const a of ['Thêm đơn vị', 'Chuyển đơn vị', 'Xóa đơn vị']) assert.ok(text.includes(a), `${a} in ${text}`);
    assert.ok(!/(Tài khoản|Đơn vị) #\d/.test(text), `raw ids: ${text}`);
    await assertNoHorizontalOverflow(page, viewport.width, `${where} audit page`);
    assertNoProblems(problems, `${where} units`);
    await context.close();
  });

  test(`${where}: audit — dates typed and shown as dd/mm/yyyy, name filter, failed log-in by the typed name`, { timeout: 90_000 }, async () => {
    const { page, problems, context } = await newPage(browser, srv.url, { viewport });
    // A failed log-in for a name nobody has.
    const bad = await page.request.post('/api/v1/session', { data: { username: 'nguoi.la.mat', password: 'sai-mat-khau-9' } });
    assert.equal(bad.status(), 401);
    await login(page, 'admin', srv.password);
    await navTo(page, 'Nhật ký');
    await page.locator('main tbody tr').first().waitFor();
    // Every time shown is dd/mm/yyyy hh:mm.
    for (const t of await page.locator('main tbody time').allTextContents()) assert.match(t.trim(), /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    const summary = page.locator('summary', { hasText: 'Bộ lọc' });
    if (!(await page.getByLabel('Từ ngày').isVisible())) await summary.click();
    const since = page.getByLabel('Từ ngày');
    assert.equal(await since.getAttribute('type'), 'text', 'not a locale-dependent date picker');
    assert.equal(await since.getAttribute('placeholder'), 'dd/mm/yyyy');
    // The mask puts the slashes in.
    await since.pressSequentially('31022026');
    assert.equal(await since.inputValue(), '31/02/2026');
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.getByText('Ngày này không có trên lịch. Hãy kiểm tra lại ngày và tháng.').waitFor();
    assert.ok(!(await hashOf(page)).includes('since='), 'nothing sent');
    await since.fill('2026/01/01');
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.getByText('Nhập ngày theo dạng ngày/tháng/năm, ví dụ 25/12/2026.').waitFor();
    // Today, in Việt Nam, as dd/mm/yyyy: the address keeps ISO, the field shows day first.
    const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date());
    const [d, m, y] = today.split('/');
    await since.fill(today);
    await page.getByLabel('Đến ngày').fill(today);
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.waitForFunction((iso) => location.hash.includes(`since=${iso}`) && location.hash.includes(`until=${iso}`), `${y}-${m}-${d}`);
    await waitReady(page);
    await page.locator('main tbody tr').first().waitFor();
    if (!(await page.getByLabel('Từ ngày').isVisible())) await page.locator('summary', { hasText: 'Bộ lọc' }).click();
    assert.equal(await page.getByLabel('Từ ngày').inputValue(), today);
    // Until before since: refused in Vietnamese.
    await page.getByLabel('Đến ngày').fill('01/01/2020');
    await page.getByRole('button', { name: 'Lọc' }).click();
    await page.getByText('“Đến ngày” phải bằng hoặc sau “Từ ngày”.').waitFor();
    // By part of a name, without accents: the failed log-in, attributed to the name typed.
    await page.goto('/#/nhat-ky?name=nguoi.la');
    await waitReady(page);
    const row = page.locator('main tbody tr', { hasText: 'Đăng nhập sai' }).first();
    await row.waitFor();
    assert.ok((await row.textContent()).includes('nguoi.la.mat'));
    assert.ok((await row.textContent()).includes('tên đăng nhập đã gõ'));
    // Few entries: no older page.
    const older = page.getByRole('button', { name: 'Cũ hơn' });
    if (await older.count()) assert.ok(await older.isDisabled());
    await assertNoHorizontalOverflow(page, viewport.width, `${where} audit`);
    assertNoProblems(problems, `${where} audit`);
    await context.close();
  });

  test(`${where}: audit — more than a page: “Cũ hơn” and “Mới hơn” walk the log by keyset`, { timeout: 90_000 }, async () => {
    const { page, problems, context } = await newPage(browser, srv.url, { viewport });
    await login(page, 'admin', srv.password);
    // Enough entries for two pages of 50: units created through the API, as the page itself would.
    const made = await page.evaluate(async (prefix) => {
      const me = await (await fetch('/api/v1/me')).json();
      const wards = await (await fetch('/api/v1/units')).json();
      const ward = wards.items[0].id;
      let ok = 0;
      for (let i = 0; i < 55; i++) {
        const r = await fetch('/api/v1/units', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
          body: JSON.stringify({ parent_id: ward, kind: 'team', name: `${prefix} ${i}` }),
        });
        if (r.status === 201) ok++;
      }
      return ok;
    }, `Đội trang ${tag()}`);
    assert.equal(made, 55);
    await navTo(page, 'Nhật ký');
    await page.locator('main tbody tr').first().waitFor();
    const first = await page.locator('main tbody tr').count();
    assert.equal(first, 50);
    const newest = await page.locator('main tbody time').first().getAttribute('datetime');
    assert.ok(await page.getByRole('button', { name: 'Mới hơn' }).isDisabled(), 'nothing newer on the first page');
    await page.getByRole('button', { name: 'Cũ hơn' }).click();
    await page.waitForFunction(() => /before=\d+/.test(location.hash));
    await waitReady(page);
    await page.locator('main tbody tr').first().waitFor();
    assert.ok(await page.getByRole('button', { name: 'Mới hơn' }).isEnabled());
    await page.getByRole('button', { name: 'Mới hơn' }).click();
    await page.waitForFunction(() => /after=\d+/.test(location.hash));
    await waitReady(page);
    assert.equal(await page.locator('main tbody tr').count(), 50);
    assert.equal(await page.locator('main tbody time').first().getAttribute('datetime'), newest, 'back to the newest entries');
    await assertNoHorizontalOverflow(page, viewport.width, `${where} audit pages`);
    assertNoProblems(problems, `${where} audit pages`);
    await context.close();
  });

  test(`${where}: log-in page names the ward; focus ring; home cards promise only what the role can do`, { timeout: 60_000 }, async () => {
    const { page, problems, context } = await newPage(browser, srv.url, { viewport });
    await page.goto('/#/dang-nhap');
    await page.locator('.login-ward', { hasText: 'Phường Hải Dương' }).waitFor();
    // A clearly visible focus ring on a text field (keyboard focus).
    await page.keyboard.press('Tab');
    const user = page.getByLabel('Tên đăng nhập');
    await user.focus();
    const ring = await user.evaluate((el) => {
      const s = getComputedStyle(el);
      return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor };
    });
    assert.notEqual(ring.style, 'none');
    assert.ok(ring.width >= 2, JSON.stringify(ring));
    assert.equal(ring.color, 'rgb(11, 61, 145)', 'the dark focus colour, not a pale halo');
    // A tổ dân phố officer can read accounts but not manage them: the card says so.
    await login(page, 'tdp01', srv.password);
    const cards = await page.locator('.quick-link').allTextContents();
    const accounts = cards.find((c) => c.includes('Tài khoản'));
    assert.ok(accounts, JSON.stringify(cards));
    assert.ok(!/Tạo tài khoản|cấp và thu hồi/.test(accounts), `promises account management: ${accounts}`);
    assert.ok(!cards.some((c) => c.includes('Nhật ký')));
    const units = cards.find((c) => c.includes('Đơn vị'));
    assert.ok(!/thêm, sửa/i.test(units), units);
    assertNoProblems(problems, `${where} home`);
    await context.close();
    // The admin's cards offer what the admin can do.
    const admin = await newPage(browser, srv.url, { viewport });
    await login(admin.page, 'admin', srv.password);
    const adminCards = await admin.page.locator('.quick-link').allTextContents();
    assert.ok(adminCards.some((c) => c.includes('Tạo tài khoản')));
    assert.ok(adminCards.some((c) => c.includes('Nhật ký')));
    assertNoProblems(admin.problems, `${where} admin home`);
    await admin.context.close();
  });
}

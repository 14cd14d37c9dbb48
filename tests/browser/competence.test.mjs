// The change in competence in a real Chromium against a real server (issue 8 part 6): on a 360 px
// phone the demo learner, who took the placement check before and after the course, sees "Năng lực
// số của tôi" with a "Trước" and a "Sau" bar and the change for each competence, the API's numbers;
// a new learner is offered the placement check, takes it, and then sees their "before" and the offer
// to measure again; an officer reads the change by competence, unit and group, as the API reports it.
// Owns: its server, its browser, the accounts, residents and quiz it makes through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, navTo, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';
import { placementQuiz, resident, measure } from './lib/competence.mjs';

let srv;
let browser;
let admin;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  admin = await apiSession(srv.url, 'admin', srv.password);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const fmt = (v) => `${String(Math.round(v * 10) / 10).replace('.', ',')}%`;

test('phone 360 px: the learner sees before and after for each competence, the numbers of the API', { timeout: 120_000 }, async () => {
  const { page, problems } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await page.goto('/#/hoc-tap');
  await waitReady(page);
  const mine = page.locator('main .my-competence');
  await mine.getByRole('heading', { name: 'Năng lực số của tôi' }).waitFor();
  const api = await (await page.request.get(`${srv.url}/api/v1/me/competence`)).json();
  assert.ok(api.measured >= 5 && api.measured_again === api.measured, `the demo learner was measured twice: ${JSON.stringify(api)}`);
  const items = mine.locator('.competence-item');
  assert.equal(await items.count(), api.measured);
  for (const c of api.competencies) {
    const it = mine.locator(`.competence-item[data-code="${c.code}"]`);
    assert.equal((await it.locator('.cbar-before .cbar-value').textContent()).trim(), fmt(c.before), c.code);
    assert.equal((await it.locator('.cbar-after .cbar-value').textContent()).trim(), fmt(c.after), c.code);
    assert.match(await it.locator('.competence-change').textContent(), /điểm$/);
    assert.equal(await it.locator('progress').count(), 2);
  }
  // Large, readable text: the bars' numbers at 18 px at least.
  const size = await mine.locator('.cbar-value').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(size >= 18, `font ${size}px`);
  await assertNoHorizontalOverflow(page, PHONE.width, 'my competence');
  assertNoProblems(problems, 'my competence');
});

test('a new learner takes the placement check, then sees their "before" and the offer to measure again', { timeout: 120_000 }, async () => {
  const username = `hv.${tag()}`;
  const u = await admin.ok('POST', '/users', { username, display_name: 'Học Viên Mới', password: 'Mat-khau-hoc-vien-1' });
  await admin.ok('POST', `/users/${u.id}/roles`, { role: 'learner', unit_id: await unitId(admin, 'Tổ dân phố số 1') });
  // A new account chooses its own password first.
  const self = await apiSession(srv.url, username, 'Mat-khau-hoc-vien-1');
  await self.ok('PUT', '/me/password', { current_password: 'Mat-khau-hoc-vien-1', new_password: 'Mat-khau-cua-toi-2' });
  const { page, problems } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, username, 'Mat-khau-cua-toi-2');
  await page.goto('/#/hoc-tap');
  await waitReady(page);
  const mine = page.locator('main .my-competence');
  await mine.getByRole('button', { name: 'Làm bài kiểm tra đầu vào' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/bai-lam/'));
  await waitReady(page);
  assert.equal(await page.locator('main fieldset.question').count(), 20);
  await page.getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByRole('dialog', { name: 'Nộp bài?' }).getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByText('Kết quả bài làm').waitFor();
  await page.goto('/#/hoc-tap');
  await waitReady(page);
  await mine.locator('.competence-item').first().waitFor();
  const api = await (await page.request.get(`${srv.url}/api/v1/me/competence`)).json();
  assert.ok(api.measured >= 10, `a placement check spreads over the competences: ${api.measured}`);
  assert.equal(await mine.locator('.cbar-before').count(), api.measured);
  assert.equal(await mine.locator('.cbar-after').count(), 0);
  assert.equal(await mine.getByText('Chưa đo lại: làm lại bài kiểm tra đầu vào khi học xong.').count(), api.measured);
  await mine.getByRole('button', { name: 'Học xong rồi? Đo lại năng lực' }).waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'after the placement check');
  assertNoProblems(problems, 'placement check');
});

test('an officer reads the change by competence, unit and group, as the API reports it', { timeout: 120_000 }, async () => {
  const quiz = await placementQuiz(admin, `Kiểm tra đầu vào thử ${tag()}`);
  const tdp1 = await unitId(admin, 'Tổ dân phố số 1');
  const helper = await apiSession(srv.url, 'tinhnguyen', srv.password);
  for (const name of ['Ngô Văn Một', 'Ngô Thị Hai']) {
    const p = await resident(admin, tdp1, name);
    await measure(helper, p, quiz, false);
    await measure(helper, p, quiz, true);
  }
  const { page, problems } = await newPage(browser, srv.url);
  await login(page, 'admin', srv.password);
  await navTo(page, 'Năng lực số');
  await page.getByRole('heading', { level: 1, name: 'Thay đổi năng lực số' }).waitFor();
  const r = await (await page.request.get(`${srv.url}/api/v1/reports/competence-change`)).json();
  assert.ok(r.total.learners >= 2);
  await page.getByText(`${r.total.learners} người học được đo hai lần`, { exact: false }).waitFor();
  const row = page.locator('main table').first().locator('tr', { hasText: '4.2 ·' });
  const cells = (await row.locator('td').allTextContents()).map((t) => t.trim());
  const c = r.competencies.find((x) => x.code === '4.2');
  assert.deepEqual(cells, [String(c.learners), fmt(c.before), fmt(c.after), `+${String(Math.round(c.change * 10) / 10).replace('.', ',')} điểm`]);
  // Down to Tổ dân phố số 1, then the elderly only (born 1958: 60 and over).
  await page.getByRole('button', { name: 'Tổ dân phố số 1' }).click();
  await page.waitForFunction(() => location.hash.includes('unit='));
  await waitReady(page);
  await page.getByRole('button', { name: 'Người cao tuổi (từ 60 tuổi)' }).click();
  await page.waitForFunction(() => location.hash.includes('group=elderly'));
  await waitReady(page);
  await page.getByText('2 người học được đo hai lần', { exact: false }).waitFor();
  assertNoProblems(problems, 'report');
});

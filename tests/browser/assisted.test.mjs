// Assisted learning in a real Chromium against a real server (issue 8 part 7): on a 360 px phone a
// field helper opens "Học cùng người dân", finds a resident who has no phone, picks a quiz, answers
// it together with them, submits, and sees the result marked "Làm cùng cán bộ hỗ trợ"; the attempt
// is the resident's (the API says so) and their profile shows the scores; from the resident's record
// the same page is one tap away.
// Owns: its server, its browser, the resident and quiz it makes through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE, navTo, tag } from './lib/browser.mjs';
import { apiSession, unitId } from './lib/people.mjs';
import { placementQuiz, resident, TRUTH } from './lib/competence.mjs';

let srv;
let browser;
let admin;
let quiz;
let quizTitle;
let person;
const name = 'Đàm Thị Nở';

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  admin = await apiSession(srv.url, 'admin', srv.password);
  quizTitle = `Kiểm tra đầu vào cùng người dân ${tag()}`;
  quiz = await placementQuiz(admin, quizTitle);
  person = await resident(admin, await unitId(admin, 'Tổ dân phố số 1'), name, '1950');
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('phone 360 px: a helper runs a quiz with a resident and sees the result', { timeout: 120_000 }, async () => {
  const { page, problems } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tinhnguyen', srv.password);
  await navTo(page, 'Học cùng người dân');
  await page.getByRole('heading', { level: 1, name: 'Học cùng người dân' }).waitFor();
  await page.getByLabel('Họ tên, số điện thoại hoặc CCCD').fill(name);
  await page.getByRole('button', { name: 'Tìm' }).click();
  await page.getByRole('link', { name: new RegExp(name) }).click();
  await page.waitForFunction((id) => location.hash === `#/hoc-cung/${id}`, person);
  await waitReady(page);
  await page.getByRole('heading', { level: 1, name: `Học cùng ${name}` }).waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'pick a quiz');
  await page.getByRole('button', { name: `Làm cùng ${name}: ${quizTitle}` }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/bai-lam/'));
  await waitReady(page);
  await page.getByText('Làm cùng cán bộ hỗ trợ: Lê Minh Châu').waitFor();
  const attemptId = (await page.evaluate(() => location.hash)).split('/').pop();
  // Answered together: every answer right.
  for (const fs of await page.locator('main fieldset.question').all()) {
    const text = (await fs.locator('.question-legend').textContent()).replace(/^Câu \d+\. /, '');
    assert.ok(text in TRUTH, text);
    await fs.getByText(TRUTH[text] ? 'Đúng' : 'Sai', { exact: true }).click();
  }
  await assertNoHorizontalOverflow(page, PHONE.width, 'assisted attempt');
  await page.getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByRole('dialog', { name: 'Nộp bài?' }).getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByText(/Chúc mừng! Bạn đạt 100%/).waitFor();
  await page.getByText('Làm cùng cán bộ hỗ trợ: Lê Minh Châu').waitFor();
  const a = await (await page.request.get(`${srv.url}/api/v1/attempts/${attemptId}`)).json();
  assert.equal(a.assisted.person_id, person);
  assert.equal(a.assisted.by_name, 'Lê Minh Châu');
  // Back to the resident: their profile has the scores ("before": the first placement check).
  await page.getByRole('link', { name: 'Về trang học cùng người dân' }).click();
  await page.waitForFunction((id) => location.hash === `#/hoc-cung/${id}`, person);
  await waitReady(page);
  const items = page.locator('main .competence-item');
  assert.equal(await items.count(), 2);
  assert.deepEqual((await page.locator('main .cbar-before .cbar-value').allTextContents()).map((t) => t.trim()), ['100%', '100%']);
  assertNoProblems(problems, 'assisted flow');
});

test("the resident's record leads to the same page; a learner has no such page", { timeout: 120_000 }, async () => {
  const { page } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'tinhnguyen', srv.password);
  await page.goto(`/#/dan-cu/${person}`);
  await waitReady(page);
  await page.getByRole('link', { name: 'Học cùng người dân' }).last().click();
  await page.waitForFunction((id) => location.hash === `#/hoc-cung/${id}`, person);
  await waitReady(page);
  const other = await newPage(browser, srv.url, { viewport: PHONE });
  await login(other.page, 'hocvien', srv.password);
  const nav = await other.page.locator('nav a.nav-link').allTextContents();
  assert.ok(!nav.some((t) => t.includes('Học cùng người dân')), nav.join());
  const r = await other.page.request.post(`${srv.url}/api/v1/residents/${person}/attempts`, { data: { quiz_id: quiz } });
  assert.equal(r.status(), 403);
});

// The open attempt's answers saved as they are given (learn.js autosave), where the network and the
// server do not simply say yes: an answer the server refuses (a number written in words) is said so,
// naming the question, and not sent again until it changes; a save that never gets an answer (a
// phone's network gone quiet) does not hold the submission back; a save still in flight when the
// learner submits is waited for and does not undo the submission; an attempt submitted elsewhere
// stops the saving and shows the result. On a 360 px phone, in a real Chromium.
// Owns: its server, its browser, the questions and the quizzes it makes through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, PHONE } from './lib/browser.mjs';
import { apiSession } from './lib/people.mjs';

const GIFT = `$CATEGORY: KNS-LUU/M98/4.2/1

::OTP::Ngân hàng có gọi điện hỏi mã OTP của bạn không?{F####Ngân hàng không bao giờ hỏi mã OTP.}

::Tiền::Kẻ gian đòi chuyển bao nhiêu đồng "phí nhận quà" (viết bằng số)?{#1000000:0####Một triệu đồng.}
`;
let srv;
let browser;
let api;
const quizzes = {};

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  api = await apiSession(srv.url, 'admin', srv.password);
  const imp = await api.raw('POST', '/questions/import?name=luu.gift', GIFT, { 'Content-Type': 'text/plain' });
  assert.equal(imp.status, 200, JSON.stringify(imp.body));
  for (const t of ['refused', 'hang', 'slow', 'elsewhere'])
    quizzes[t] = (await api.ok('POST', '/quizzes', { title: `Lưu tạm ${t}`, category: 'KNS-LUU/M98', question_count: 2, pass_percent: 50 })).id;
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

/* The learner on a phone, in an attempt of quiz `t` just started: the page, and every PUT of its answers. */
async function open(t) {
  const { page, problems, context, allow } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await page.goto('/#/hoc-tap');
  await waitReady(page);
  await page.locator(`main .quiz-card[data-id="${quizzes[t]}"]`).getByRole('button', { name: `Bắt đầu làm bài: Lưu tạm ${t}` }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/bai-lam/'));
  await waitReady(page);
  const attemptId = (await page.evaluate(() => location.hash)).split('/').pop();
  const puts = [];
  page.on('request', (req) => { if (req.method() === 'PUT' && req.url().endsWith('/answers')) puts.push(req); });
  const question = (text) => page.locator('main fieldset.question').filter({ hasText: text });
  return { page, problems, context, allow, attemptId, puts, question };
}

const status = (page) => page.locator('main .save-status');
const attempt = async (page, id) => (await page.request.get(`${srv.url}/api/v1/attempts/${id}`)).json();

test('an answer the server refuses is said so, naming the question, and not sent again until it changes', { timeout: 90_000 }, async () => {
  const { page, problems, context, allow, attemptId, puts, question } = await open('refused');
  allow(/status of 400/);
  await question('OTP').getByText('Sai', { exact: true }).click();
  await status(page).getByText(/Đã lưu tạm lúc/).waitFor();
  const n = await question('phí nhận quà').locator('.question-number').textContent();
  // Written in words: the server does not read it as a number ("1.000.000" it now reads: quiz-numbers).
  await question('phí nhận quà').getByRole('textbox').fill('một triệu');
  await status(page).getByText(new RegExp(`${n.trim().replace('.', '')}.*phải là một số`)).waitFor();
  const text = await status(page).textContent();
  assert.ok(!/mạng/.test(text), `the network is not to blame: ${text}`);
  const sent = puts.length;
  await page.waitForTimeout(6500); // past the retry delay: nothing sent again
  assert.equal(puts.length, sent, 'a refused sheet is not sent again unchanged');
  // Corrected: saved, with the answer given before.
  await question('phí nhận quà').getByRole('textbox').fill('1000000');
  await status(page).getByText(/Đã lưu tạm lúc/).waitFor();
  const a = await attempt(page, attemptId);
  assert.equal(a.saved_answers.filter((x) => x !== null).length, 2, JSON.stringify(a.saved_answers));
  assertNoProblems(problems);
  await context.close();
});

test('a save that never gets an answer does not hold the submission back', { timeout: 90_000 }, async () => {
  const { page, problems, context, attemptId, question } = await open('hang');
  await question('OTP').getByText('Sai', { exact: true }).click();
  await status(page).getByText(/Đã lưu tạm lúc/).waitFor();
  // The network goes quiet for the saves: the next one is sent and never answered.
  const held = [];
  await page.route('**/api/v1/attempts/*/answers', (route) => { held.push(route); });
  await question('phí nhận quà').getByRole('textbox').fill('1000000');
  await page.waitForFunction(() => /Đang lưu/.test(document.querySelector('main .save-status').textContent));
  for (const t0 = Date.now(); !held.length && Date.now() - t0 < 10_000;) await page.waitForTimeout(50); // the route sees it a moment later
  assert.equal(held.length, 1);
  await page.getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByRole('dialog', { name: 'Nộp bài?' }).getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByText(/Chúc mừng! Bạn đạt 100%/).waitFor({ timeout: 15_000 });
  const a = await attempt(page, attemptId);
  assert.equal(a.state, 'submitted');
  assert.equal(a.score_percent, 100);
  // The save comes through at last: refused (the attempt is closed), and the page stays on the result.
  const late = page.waitForResponse((r) => r.url().endsWith('/answers'));
  await held[0].continue();
  assert.equal((await late).status(), 409);
  await page.unroute('**/api/v1/attempts/*/answers');
  await page.waitForTimeout(500);
  await page.getByText(/Chúc mừng! Bạn đạt 100%/).waitFor();
  assert.equal(await page.locator('main .alert, main [role=alert]').count(), 0);
  assert.equal((await attempt(page, attemptId)).score_percent, 100);
  problems.splice(0, problems.length, ...problems.filter((p) => !/status of 409/.test(p)));
  assertNoProblems(problems);
  await context.close();
});

test('a save in flight when the learner submits is waited for, and the submission is what the page showed', { timeout: 90_000 }, async () => {
  const { page, problems, context, attemptId, question } = await open('slow');
  // Every save takes 1.5 s to arrive.
  await page.route('**/api/v1/attempts/*/answers', async (route) => { await new Promise((r) => setTimeout(r, 1500)); await route.continue(); });
  await question('OTP').getByText('Sai', { exact: true }).click();
  await page.waitForFunction(() => /Đang lưu/.test(document.querySelector('main .save-status').textContent));
  await question('phí nhận quà').getByRole('textbox').fill('1000000');
  await page.getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByRole('dialog', { name: 'Nộp bài?' }).getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByText(/Chúc mừng! Bạn đạt 100%/).waitFor({ timeout: 15_000 });
  await page.waitForTimeout(2500); // any save still scheduled would have come by now
  const a = await attempt(page, attemptId);
  assert.equal(a.score_percent, 100);
  assert.deepEqual(a.questions.map((q) => q.your_answer !== null), [true, true]);
  assertNoProblems(problems);
  await context.close();
});

test('an attempt submitted elsewhere stops the saving and shows its result', { timeout: 90_000 }, async () => {
  const { page, problems, context, allow, attemptId, puts, question } = await open('elsewhere');
  allow(/status of 409/);
  await question('OTP').getByText('Sai', { exact: true }).click();
  await status(page).getByText(/Đã lưu tạm lúc/).waitFor();
  // Another tab submits it (with the one answer saved).
  const done = await page.request.post(`${srv.url}/api/v1/attempts/${attemptId}/submit`, {
    data: {}, headers: { 'X-CSRF-Token': await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).csrf_token) },
  });
  assert.equal(done.status(), 200, await done.text());
  assert.equal((await done.json()).score_percent, 50);
  await question('phí nhận quà').getByRole('textbox').fill('1000000');
  await page.getByText(/Chúc mừng! Bạn đạt 50%/).waitFor({ timeout: 10_000 });
  const sent = puts.length;
  await page.waitForTimeout(1500);
  assert.equal(puts.length, sent);
  assert.equal((await attempt(page, attemptId)).score_percent, 50);
  assertNoProblems(problems);
  await context.close();
});

// Learning in a real Chromium against a real server: on a 360 px phone, a learner opens "Học tập",
// starts a quiz the ward admin made from the question bank, answers every question by tapping (and
// typing a short answer without accents), submits after the confirmation, and sees the score, the
// right answers and the explanations; the page's score is the API's. Reloading an open attempt
// brings back the same questions, and the answers given so far (saved as they are given). Nothing
// on the open attempt's page tells the answer.
// Owns: its server, its browser, the questions and the quiz it makes through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, run, binaryPath, REPO_ROOT } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE } from './lib/browser.mjs';
import { apiSession } from './lib/people.mjs';

const GIFT = `$CATEGORY: KNS-THU/M99/4.2/1

::OTP::Ngân hàng có gọi điện hỏi mã OTP của bạn không?{F####Ngân hàng không bao giờ hỏi mã OTP.}

::Mật khẩu::Mật khẩu nào mạnh nhất?{=Ntong7ccbt! ~123456 ~matkhau####Mật khẩu mạnh thì dài và khó đoán.}

::Lừa đảo::Dấu hiệu nào là lừa đảo?{~%50%Hối thúc chuyển tiền ~%50%Gửi đường dẫn lạ ~%-100%Thông báo trong ứng dụng chính thức####Kẻ gian hối thúc.}

::Cổng::Tên cổng nộp hồ sơ trực tuyến là Cổng ... quốc gia.{=Dịch vụ công####Cổng Dịch vụ công quốc gia.}
`;
let srv;
let browser;
let quizId;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const api = await apiSession(srv.url, 'admin', srv.password);
  const imp = await api.raw('POST', '/questions/import?name=thu.gift', GIFT, { 'Content-Type': 'text/plain' });
  assert.equal(imp.status, 200, JSON.stringify(imp.body));
  // The demo (run from the source tree) loaded the starter curriculum; loading it again changes nothing.
  const cur = await run(binaryPath(), ['import', 'curriculum', '--data', srv.dataDir, ...srv.dbArgs, join(REPO_ROOT, 'content', 'curriculum')]);
  assert.match(cur.stdout, /"lessons":19/);
  quizId = (await api.ok('POST', '/quizzes', { title: 'Kiểm tra an toàn trên mạng', category: 'KNS-THU/M99', question_count: 4, pass_percent: 75 })).id;
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('phone 360 px: take a quiz, submit it, read the score and the explanations', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await page.goto('/#/hoc-tap');
  await page.getByRole('heading', { level: 1, name: 'Học tập' }).waitFor();
  await waitReady(page);
  const card = page.locator(`main .quiz-card[data-id="${quizId}"]`);
  await card.getByText('Chưa làm').waitFor();
  await card.getByRole('button', { name: 'Bắt đầu làm bài: Kiểm tra an toàn trên mạng' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/bai-lam/'));
  await waitReady(page);
  const attemptId = (await page.evaluate(() => location.hash)).split('/').pop();
  const html = await page.locator('main').innerHTML();
  assert.ok(!/Ngân hàng không bao giờ hỏi|dài và khó đoán|Kẻ gian/.test(html), 'no explanation before the submission');
  await assertNoHorizontalOverflow(page, PHONE.width, 'open attempt');
  // Reloaded: the same questions, in the same order.
  const before = await page.locator('main .question-legend').allTextContents();
  await page.reload();
  await waitReady(page);
  assert.deepEqual(await page.locator('main .question-legend').allTextContents(), before);

  for (const fs of await page.locator('main fieldset.question').all()) {
    const text = await fs.locator('.question-legend').textContent();
    if (text.includes('OTP')) await fs.getByText('Sai', { exact: true }).click();
    else if (text.includes('Mật khẩu')) await fs.getByText('Ntong7ccbt!', { exact: true }).click();
    else if (text.includes('lừa đảo')) {
      await fs.getByText('Hối thúc chuyển tiền').click();
      await fs.getByText('Gửi đường dẫn lạ').click();
    } else await fs.getByRole('textbox').fill('dich vu cong');
  }
  // Each answer is saved as it is given: the page opened again (a lost network, a closed tab) has them.
  await page.locator('main .save-status').getByText(/Đã lưu tạm lúc/).waitFor();
  const saved = await (await page.request.get(`${srv.url}/api/v1/attempts/${attemptId}`)).json();
  assert.equal(saved.state, 'open');
  assert.equal(saved.saved_answers.filter((x) => x !== null).length, 4, JSON.stringify(saved.saved_answers));
  await page.reload();
  await waitReady(page);
  await page.locator('main .save-status').getByText('Các câu trả lời trước đã được khôi phục.').waitFor();
  assert.equal(await page.locator('main input[type=radio]:checked, main input[type=checkbox]:checked').count(), 4);
  assert.equal(await page.locator('main fieldset.question').getByRole('textbox').inputValue(), 'dich vu cong');
  await page.getByRole('button', { name: 'Nộp bài' }).click();
  const dialog = page.getByRole('dialog', { name: 'Nộp bài?' });
  await dialog.getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByText(/Chúc mừng! Bạn đạt 100%/).waitFor();
  const api = await (await page.request.get(`${srv.url}/api/v1/attempts/${attemptId}`)).json();
  assert.equal(api.score_percent, 100);
  assert.equal(api.state, 'submitted');
  assert.equal(await page.locator('main .review-right').count(), 4);
  await page.getByText('Giải thích: Cổng Dịch vụ công quốc gia.').waitFor();
  await assertNoHorizontalOverflow(page, PHONE.width, 'review');
  // Back on the list: passed, with the score.
  await page.getByRole('link', { name: 'Về danh sách bài' }).click();
  await waitReady(page);
  await page.locator(`main .quiz-card[data-id="${quizId}"]`).getByText('Đã đạt · 100%').waitFor();
  assertNoProblems(problems);
  await context.close();
});

test('phone 360 px: read a lesson (under 150 KB in all), mark it done, see it done in the course', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await page.goto('/#/hoc-tap');
  await waitReady(page);
  const m01 = page.locator('main .module-card[data-code="M01"]');
  await m01.getByText('0/2 bài đã học').waitFor();
  const first = m01.locator('a.lesson-link').first();
  const title = (await first.locator('span').first().textContent()).trim();
  // A cold load of the lesson page: everything it fetches, counted as transferred.
  // A fresh browser (empty cache) holding a session made through the API: the lesson is its first page.
  const { page: p2, context: cold } = await newPage(browser, srv.url, { viewport: PHONE });
  const res = await fetch(`${srv.url}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'hocvien', password: srv.password }),
  });
  const [name, value] = res.headers.get('set-cookie').split(';')[0].split('=');
  await cold.addCookies([{ name, value, url: srv.url }]);
  // Bytes as transferred (compressed where the server compresses), counted from here on.
  const bytes = { n: 0, pending: [] };
  p2.on('requestfinished', (req) => {
    bytes.pending.push(req.sizes().then((z) => { bytes.n += z.responseBodySize + z.responseHeadersSize; }).catch(() => {}));
  });
  const href = await first.getAttribute('href');
  await p2.goto(`/${href}`);
  await p2.getByRole('heading', { level: 1, name: title, exact: true }).waitFor();
  await p2.waitForLoadState('networkidle');
  await Promise.all(bytes.pending);
  assert.ok(bytes.n > 1000 && bytes.n < 150 * 1024, `the lesson page loaded ${bytes.n} bytes`);
  await cold.close();

  await first.click();
  await page.getByRole('heading', { level: 1, name: title, exact: true }).waitFor();
  await waitReady(page);
  assert.equal(await page.locator('main h1').count(), 1, 'one h1: the page title');
  assert.ok(await page.locator('main article.lesson-body h2').count() >= 1);
  assert.equal(await page.locator('main article.lesson-body script').count(), 0);
  await assertNoHorizontalOverflow(page, PHONE.width, 'lesson');
  await page.getByRole('button', { name: 'Đã hiểu, sang bài tiếp' }).click();
  await page.waitForFunction((h) => location.hash !== h, href);
  await waitReady(page);
  await page.getByRole('link', { name: 'Về danh sách bài' }).click();
  await waitReady(page);
  await m01.getByText('1/2 bài đã học').waitFor();
  assert.equal(await m01.locator('a.lesson-done').count(), 1);
  assertNoProblems(problems);
  await context.close();
});

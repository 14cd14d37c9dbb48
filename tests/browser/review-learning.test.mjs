// A question from a Moodle XML bank (format="html", as Moodle exports it: <p>, &amp;, &nbsp;, and
// here a script and an image with a handler) on a 360 px phone: the attempt, the review and the
// question bank page show its words as text, entities decoded (no "&nbsp;" in front of a learner),
// and never turn it into markup (no script runs, no image is made). Found by the review of issue 8.
// Owns: its server, its browser, the question and the quiz it makes through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { launchBrowser, newPage, login, waitReady, assertNoProblems, assertNoHorizontalOverflow, PHONE } from './lib/browser.mjs';
import { apiSession } from './lib/people.mjs';

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<question type="category"><category><text>$course$/top/KNS-RVL/M98/4.2/1</text></category></question>
<question type="multichoice">
  <name><text>Hai nhân vật</text></name>
  <questiontext format="html"><text><![CDATA[<p>Tom &amp; Jerry&nbsp;là <b>ai</b>?</p><script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">]]></text></questiontext>
  <generalfeedback format="html"><text><![CDATA[<p>Mèo &amp; chuột.</p>]]></text></generalfeedback>
  <single>true</single>
  <answer fraction="100" format="html"><text><![CDATA[<p>Mèo &amp; chuột</p>]]></text></answer>
  <answer fraction="0" format="html"><text><![CDATA[<p>Chó &lt;và&gt; mèo</p>]]></text></answer>
</question>
</quiz>`;
// A matching with long sides, as a phone must show them (no page wider than the screen).
const GIFT = `$CATEGORY: KNS-RVL/M98/4.2/1

::Ghép dài::Ghép mỗi việc với nơi làm.{=Đăng ký thường trú cho con mới sinh -> Cổng Dịch vụ công quốc gia hoặc ứng dụng VNeID (mức 2) =Xem lịch tiêm chủng của con -> Sổ sức khỏe điện tử trên ứng dụng VNeID}
`;
let srv;
let browser;
let attemptId;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const admin = await apiSession(srv.url, 'admin', srv.password);
  const imp = await admin.raw('POST', '/questions/import?name=moodle.xml', XML, { 'Content-Type': 'application/xml' });
  assert.equal(imp.status, 200, JSON.stringify(imp.body));
  assert.equal(imp.body.imported, 1, JSON.stringify(imp.body));
  const gift = await admin.raw('POST', '/questions/import?name=dai.gift', GIFT, { 'Content-Type': 'text/plain' });
  assert.equal(gift.status, 200, JSON.stringify(gift.body));
  const quiz = await admin.ok('POST', '/quizzes', { title: 'Bài HTML', category: 'KNS-RVL/M98', question_count: 2, pass_percent: 50 });
  const learner = await apiSession(srv.url, 'hocvien', srv.password);
  attemptId = (await learner.ok('POST', `/quizzes/${quiz.id}/attempts`)).id;
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function assertPlain(page, where, words) {
  const text = await page.locator('main').innerText();
  for (const w of words) assert.ok(text.includes(w), `${where}: "${w}" shown in ${text}`);
  assert.ok(!/&(amp|nbsp|lt|gt);/.test(text), `${where}: no entity left as is: ${text}`);
  assert.equal(await page.locator('main img, main script, main b, main p b').count(), 0, `${where}: no markup from the question`);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, `${where}: nothing ran`);
}

test('phone 360 px: an HTML question is shown as its words, in the attempt, the review and the bank', { timeout: 120_000 }, async () => {
  const { page, problems, context } = await newPage(browser, srv.url, { viewport: PHONE });
  await login(page, 'hocvien', srv.password);
  await page.goto(`/#/bai-lam/${attemptId}`);
  await waitReady(page);
  await page.locator('main fieldset.question').first().waitFor();
  await assertPlain(page, 'attempt', ['Tom & Jerry là ai?', 'Mèo & chuột', 'Chó <và> mèo']);
  await assertNoHorizontalOverflow(page, PHONE.width, 'attempt');
  await page.getByText('Mèo & chuột', { exact: true }).click();
  await page.getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByRole('dialog', { name: 'Nộp bài?' }).getByRole('button', { name: 'Nộp bài' }).click();
  await page.getByText(/Chúc mừng! Bạn đạt 50%/).waitFor();
  await assertPlain(page, 'review', ['Tom & Jerry là ai?', 'Đáp án đúng: Mèo & chuột', 'Giải thích: Mèo & chuột.']);
  // The matching left blank reads as blank, not as a list of arrows to nothing.
  assert.ok((await page.locator('main .review', { hasText: 'Ghép mỗi việc' }).innerText()).includes('Bạn trả lời: Bỏ trống'));
  await assertNoHorizontalOverflow(page, PHONE.width, 'review');
  assertNoProblems(problems);
  await context.close();

  const admin = await newPage(browser, srv.url, { viewport: PHONE });
  await login(admin.page, 'admin', srv.password);
  await admin.page.goto('/#/cau-hoi');
  await waitReady(admin.page);
  await admin.page.getByText('Tom & Jerry là ai?').first().waitFor();
  await assertPlain(admin.page, 'bank list', ['Tom & Jerry là ai?']);
  assertNoProblems(admin.problems);
  await admin.context.close();
});

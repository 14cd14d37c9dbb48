// competence-fixture.mjs: a controlled question bank for the competence and assisted-learning tests
// (issue 8 parts 6, 7): true/false questions of two competences (4.2, 6.1) whose answers the test
// knows, so that each attempt's score per competence is chosen exactly. Owns: nothing on the server
// but what its caller asks it to make. Never: answers a question it does not know.
import assert from 'node:assert/strict';
import { uniq } from './server.mjs';

export const COMP_A = '4.2';
export const COMP_B = '6.1';
// text -> [competence, truth]
export const BANK = {
  'Mã OTP chỉ dành cho chính mình, không đọc cho ai.': [COMP_A, true],
  'Có thể đọc mã OTP cho người xưng là nhân viên ngân hàng.': [COMP_A, false],
  'Nên cài ứng dụng từ kho ứng dụng chính thức.': [COMP_A, true],
  'Trợ lý trí tuệ nhân tạo có thể trả lời sai.': [COMP_B, true],
  'Mọi câu trả lời của trợ lý trí tuệ nhân tạo đều đúng.': [COMP_B, false],
  'Nên kiểm tra lại thông tin trợ lý trí tuệ nhân tạo đưa ra.': [COMP_B, true],
};

export function gift(cat) {
  let out = '';
  for (const comp of [COMP_A, COMP_B]) {
    out += `$CATEGORY: ${cat}/${comp}/1\n\n`;
    let i = 0;
    for (const [text, [c, truth]] of Object.entries(BANK)) {
      if (c !== comp) continue;
      out += `::${comp}-${++i}::${text}{${truth ? 'T' : 'F'}####Giải thích cho câu này.}\n\n`;
    }
  }
  return out;
}

/** Imports the bank under a fresh category and makes a placement quiz (4 questions: two of each
 * competence, the draw spreads them) and a practice quiz on it. */
export async function setup(srv, admin, { maxAttempts = 2 } = {}) {
  const cat = `KNS-PLC/${uniq('c').replace(/[^a-z0-9]/g, '')}`;
  const r = await srv.request('POST', '/api/v1/questions/import?name=nang-luc.gift', { session: admin, rawBody: Buffer.from(gift(cat)) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.imported, 6, r.text);
  const q = await srv.request('POST', '/api/v1/quizzes', {
    session: admin,
    body: { title: `Kiểm tra đầu vào ${uniq()}`, category: cat, question_count: 4, pass_percent: 50, max_attempts: maxAttempts, purpose: 'placement' },
  });
  assert.equal(q.status, 201, q.text);
  const p = await srv.request('POST', '/api/v1/quizzes', {
    session: admin,
    body: { title: `Luyện tập ${uniq()}`, category: cat, question_count: 4, pass_percent: 50, max_attempts: 0 },
  });
  assert.equal(p.status, 201, p.text);
  return { cat, placement: q.json.id, practice: p.json.id };
}

/** Answers an open attempt so that `right[comp]` of that competence's questions are right (in the
 * order drawn), the others wrong. */
export function answersFor(attempt, right) {
  const seen = {};
  return attempt.questions.map((q) => {
    const [comp, truth] = BANK[q.text] ?? assert.fail(`unknown question ${q.text}`);
    seen[comp] = (seen[comp] ?? 0) + 1;
    return seen[comp] <= (right[comp] ?? 0) ? truth : !truth;
  });
}

/** Per competence, how many questions an attempt drew. */
export function drawn(attempt) {
  const n = {};
  for (const q of attempt.questions) n[BANK[q.text][0]] = (n[BANK[q.text][0]] ?? 0) + 1;
  return n;
}

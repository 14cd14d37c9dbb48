// competence.mjs: a controlled bank for the browser tests of the change in competence and assisted
// learning: true/false questions of two competences whose answers the test knows, and a placement
// quiz drawn from them; and a placement attempt run with a resident through the API.
import assert from 'node:assert/strict';
import { tag } from './browser.mjs';

export const TRUTH = {
  'Mã OTP chỉ dành cho chính mình, không đọc cho ai.': true,
  'Có thể đọc mã OTP cho người xưng là nhân viên ngân hàng.': false,
  'Trợ lý trí tuệ nhân tạo có thể trả lời sai.': true,
  'Mọi câu trả lời của trợ lý trí tuệ nhân tạo đều đúng.': false,
};

/** Imports the bank (category KNS-TB-<tag>) and makes a placement quiz of its 4 questions. */
export async function placementQuiz(api, title) {
  const cat = `KNS-TB-${tag()}`;
  const q = Object.entries(TRUTH);
  const gift = `$CATEGORY: ${cat}/4.2/1\n\n::a::${q[0][0]}{T####Giải thích.}\n\n::b::${q[1][0]}{F####Giải thích.}\n\n`
    + `$CATEGORY: ${cat}/6.1/1\n\n::c::${q[2][0]}{T####Giải thích.}\n\n::d::${q[3][0]}{F####Giải thích.}\n`;
  const imp = await api.raw('POST', '/questions/import?name=nang-luc.gift', gift, { 'Content-Type': 'text/plain' });
  assert.equal(imp.status, 200, JSON.stringify(imp.body));
  return (await api.ok('POST', '/quizzes', { title, category: cat, question_count: 4, pass_percent: 50, max_attempts: 2, purpose: 'placement' })).id;
}

/** A resident of the unit, with a household (a resident of the ward) born in `birth`. */
export async function resident(api, unitId, name, birth = '1958') {
  const hh = await api.ok('POST', '/households', { unit_id: unitId, code: `H-${tag()}` });
  return (await api.ok('POST', '/residents', { full_name: name, unit_id: unitId, household_id: hh.id, birth_date: birth })).id;
}

/** One placement attempt run with the resident through the API, every answer right or every one wrong. */
export async function measure(api, person, quiz, right) {
  const a = await api.ok('POST', `/residents/${person}/attempts`, { quiz_id: quiz });
  const answers = a.questions.map((q) => (right ? TRUTH[q.text] : !TRUTH[q.text]));
  return api.ok('POST', `/attempts/${a.id}/submit`, { answers });
}

// openapi.test.mjs: the OpenAPI document is exact enough for a generated client. Every operation
// it lists is called (as the ward admin, with valid inputs found through the API) and so are a few
// of its error cases; every answer, error answers included, must validate against the document's
// schema for its status (JSON Schema 2020-12, Ajv), and every object schema lists its required
// members and admits no others.
// Never: hard-codes ids; an operation without a case below fails the test (add one).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import { join } from 'node:path';
import { startServer, finish, uniq, groupKind, hocvuso, storeArgs, REPO_ROOT } from './lib/server.mjs';

let srv;
let admin;
let doc;
let ajv;
const ROOT = 'urn:hocvuso:openapi';

before(async () => {
  // The test-only upload route is in the document only with HOCVUSO_TEST_ROUTES=1: cover it too.
  srv = await startServer({ env: { HOCVUSO_TEST_ROUTES: '1' } });
  admin = await srv.login('admin');
  doc = (await srv.request('GET', '/api/v1/openapi.json')).json;
  ajv = new Ajv2020({ strict: true, allErrors: true });
  // The formats the API promises (docs/API.md: times are ISO 8601 UTC, dates YYYY-MM-DD).
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addSchema({ $id: ROOT, $defs: rewriteRefs(doc.components.schemas) });
});
after(async () => finish(srv, assert));

function rewriteRefs(v) {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      o[k] = k === '$ref' && typeof x === 'string' ? x.replace('#/components/schemas/', `${ROOT}#/$defs/`) : rewriteRefs(x);
    }
    return o;
  }
  return v;
}

const validators = new Map();
/** Validates one answer against the operation's response for its status (or `default`). */
function check(method, path, r) {
  const op = doc.paths[path][method.toLowerCase()];
  const what = `${method} ${path} → ${r.status} ${r.text.slice(0, 300)}`;
  let resp = op.responses[String(r.status)];
  if (!resp) {
    assert.ok(r.status >= 400, `a success status the document does not list: ${what}`);
    resp = op.responses.default;
  }
  assert.ok(resp, `status not in the document and no default: ${what}`);
  if (!resp.content) {
    assert.equal(r.body.length, 0, `the document promises no body: ${what}`);
    return;
  }
  const [type, media] = Object.entries(resp.content)[0];
  assert.ok((r.headers['content-type'] || '').startsWith(type), `content type ${r.headers['content-type']}, document ${type}: ${what}`);
  const key = `${method} ${path} ${r.status} ${resp === op.responses.default ? 'default' : ''}`;
  if (!validators.has(key)) validators.set(key, ajv.compile(rewriteRefs(media.schema)));
  const validate = validators.get(key);
  const value = type === 'application/json' ? r.json : r.text;
  assert.ok(validate(value), `${what}\nschema errors: ${JSON.stringify(validate.errors, null, 1)}`);
}

test('every object schema lists its required members and admits no undocumented ones', () => {
  const problems = [];
  const walk = (s, where) => {
    if (!s || typeof s !== 'object') return;
    if (s.type === 'object' || (Array.isArray(s.type) && s.type.includes('object'))) {
      if (s.properties && s.additionalProperties !== false) problems.push(`${where}: additionalProperties is not false`);
      if (s.properties && !Array.isArray(s.required)) problems.push(`${where}: no required list`);
      for (const r of s.required || []) if (!s.properties || !(r in s.properties)) problems.push(`${where}: required ${r} is not a property`);
    }
    for (const [k, v] of Object.entries(s)) if (v && typeof v === 'object') walk(v, `${where}.${k}`);
  };
  walk(doc.components.schemas, 'components.schemas');
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      if (schema) walk(schema, `${m} ${p} requestBody`);
    }
  }
  assert.deepEqual(problems, []);
});

// Valid inputs for every operation, found through the API. Each case answers
// {path, body?, rawBody?, headers?, session?} for its call; `state` carries what earlier calls made.
const state = {};
const cases = {
  getHealth: () => ({ path: '/healthz' }),
  getMetrics: () => ({ path: '/metrics' }),
  getOpenApi: () => ({ path: '/api/v1/openapi.json' }),
  getHello: () => ({ path: '/api/v1/hello' }),
  getMeta: () => ({ path: '/api/v1/meta' }),
  login: () => ({ path: '/api/v1/session', body: { username: 'admin', password: srv.password }, session: null }),
  getMe: () => ({ path: '/api/v1/me' }),
  listUnits: () => ({ path: `/api/v1/units?parent_id=${state.wardId}&per_page=5` }),
  getUnit: () => ({ path: `/api/v1/units/${state.wardId}` }),
  createUnit: () => ({ path: '/api/v1/units', body: { parent_id: state.wardId, kind: state.kind, name: `Tổ kiểm thử ${uniq()}` } }),
  updateUnit: () => ({ path: `/api/v1/units/${state.unitId}`, body: { name: `Tổ đã đổi tên ${uniq()}` } }),
  listUsers: () => ({ path: '/api/v1/users?per_page=5' }),
  createUser: () => ({
    path: '/api/v1/users',
    body: { username: state.username, display_name: 'Người Kiểm Thử', password: 'Mat-khau-kiem-thu-1', unit_id: state.unitId },
  }),
  getUser: () => ({ path: `/api/v1/users/${state.userId}` }),
  updateUser: () => ({ path: `/api/v1/users/${state.userId}`, body: { display_name: 'Người Kiểm Thử Hai' } }),
  grantRole: () => ({ path: `/api/v1/users/${state.userId}/roles`, body: { role: 'learner', unit_id: state.unitId } }),
  revokeRole: () => ({ path: `/api/v1/users/${state.userId}/roles/${state.grantId}` }),
  resetUserPassword: () => ({ path: `/api/v1/users/${state.userId}/password`, body: { new_password: 'Mat-khau-moi-kiem-thu-2' } }),
  changeMyPassword: () => ({
    path: '/api/v1/me/password',
    body: { current_password: 'Mat-khau-moi-kiem-thu-2', new_password: 'Mat-khau-rieng-kiem-thu-3' },
    session: state.userSession,
  }),
  moveUnit: () => ({ path: `/api/v1/units/${state.unitId}/move`, body: { parent_id: state.wardId } }),
  deleteUnit: () => ({ path: `/api/v1/units/${state.spareUnitId}` }),
  getInstance: () => ({ path: '/api/v1/instance', session: null }),
  listAudit: () => ({ path: '/api/v1/audit?per_page=5' }),
  logout: () => ({ path: '/api/v1/session', session: state.spareSession }),
  createHousehold: () => ({ path: '/api/v1/households', body: { unit_id: state.tdp1, code: uniq('HO'), address: 'Số 1 phố Kiểm Thử' } }),
  updateHousehold: () => ({ path: `/api/v1/households/${state.householdId}`, body: { address: 'Số 2 phố Kiểm Thử' } }),
  listHouseholds: () => ({ path: `/api/v1/households?unit_id=${state.tdp1}&per_page=5` }),
  getHousehold: () => ({ path: `/api/v1/households/${state.householdId}` }),
  createResident: () => ({
    path: '/api/v1/residents',
    body: { full_name: 'Người Kiểm Thử', unit_id: state.tdp1, household_id: state.householdId, birth_date: '1980-05-06', sex: 'M', phone: '0901234567' },
  }),
  updateResident: () => ({ path: `/api/v1/residents/${state.personId}`, body: { relation: 'Chủ hộ', vneid_level: 2 } }),
  addMembership: () => ({ path: `/api/v1/residents/${state.personId}/memberships`, body: { unit_id: state.wardId, kind: 'staff' } }),
  listResidents: () => ({ path: '/api/v1/residents?q=kiem%20thu&per_page=5' }),
  getResident: () => ({ path: `/api/v1/residents/${state.personId}` }),
  linkUserPerson: () => ({ path: `/api/v1/users/${state.adminId}/person`, body: { person_id: state.personId } }),
  getMyPerson: () => ({ path: '/api/v1/me/person' }),
  deleteResident: () => ({ path: `/api/v1/residents/${state.sparePersonId}` }),
  listDeletedResidents: () => ({ path: '/api/v1/residents/deleted?per_page=5' }),
  restoreResident: () => ({ path: `/api/v1/residents/${state.sparePersonId}/restore` }),
  uploadImport: () => ({
    path: '/api/v1/imports?name=ds.csv',
    rawBody: Buffer.from('Họ và tên,Tổ dân phố\r\nNgười Nhập Thử,Tổ dân phố số 1\r\nNgười Nhập Lỗi,Tổ không có\r\n'),
    headers: { 'content-type': 'application/octet-stream' },
  }),
  setImportMapping: () => ({ path: `/api/v1/imports/${state.importId}/mapping`, body: { full_name: 0, unit: 1 } }),
  startImport: () => ({ path: `/api/v1/imports/${state.importId}/start` }),
  getImport: () => ({ path: `/api/v1/imports/${state.importId}` }),
  getImportErrors: () => ({ path: `/api/v1/imports/${state.importId}/errors.csv` }),
  listImports: () => ({ path: '/api/v1/imports?per_page=5' }),
  // The admin's account is linked to state.personId by linkUserPerson: it files a request of its own.
  createMyRequest: () => ({ path: '/api/v1/me/requests', body: { kind: 'correct', message: 'Số điện thoại của tôi đã đổi' } }),
  listMyRequests: () => ({ path: '/api/v1/me/requests' }),
  listRequests: () => ({ path: `/api/v1/requests?status=all&unit_id=${state.tdp1}&per_page=5` }),
  getRequestSummary: () => ({ path: '/api/v1/requests/summary' }),
  getRequest: () => ({ path: `/api/v1/requests/${state.requestId}` }),
  answerRequest: () => ({ path: `/api/v1/requests/${state.requestId}/answer`, body: { outcome: 'refused', answer: 'Cần giấy tờ chứng minh số mới.' } }),
  exportResidents: () => ({ path: `/api/v1/residents/export?format=csv&unit_id=${state.tdp1}` }),
  // The question bank: a small GIFT file, one usable question and one reported (no right answer).
  importQuestions: () => ({
    path: '/api/v1/questions/import?name=cau-hoi.gift&competency=4.2&level=1',
    rawBody: Buffer.from('$CATEGORY: KNS-CB/M09/openapi/4.2/1\n\n::OTP::Ngân hàng có hỏi mã OTP không?{F####Không bao giờ.}\n\n::Hỏng::Chọn {~a ~b}\n'),
    headers: { 'content-type': 'text/plain' },
  }),
  listQuestions: () => ({ path: '/api/v1/questions?per_page=5&competency=4.2' }),
  getQuestion: () => ({ path: `/api/v1/questions/${state.questionId}` }),
  listCompetencies: () => ({ path: '/api/v1/competencies?per_page=30' }),
  createCompetency: () => ({ path: '/api/v1/competencies', body: { framework: 'KHUNG-THU', code: '1.1', domain_code: '1', domain_name: 'Miền thử', name: 'Năng lực thử' } }),
  listCourses: () => ({ path: '/api/v1/courses?per_page=5' }),
  getLesson: () => ({ path: `/api/v1/lessons/${state.lessonId}` }),
  completeLesson: () => ({ path: `/api/v1/lessons/${state.lessonId}/complete` }),
  createQuiz: () => ({ path: '/api/v1/quizzes', body: { title: 'Kiểm tra an toàn', category: 'KNS-CB/M09/openapi', question_count: 1, pass_percent: 100, max_attempts: 3 } }),
  listQuizzes: () => ({ path: '/api/v1/quizzes?per_page=5' }),
  startAttempt: () => ({ path: `/api/v1/quizzes/${state.quizId}/attempts` }),
  getAttempt: () => ({ path: `/api/v1/attempts/${state.attemptId}` }),
  saveAttemptAnswers: () => ({ path: `/api/v1/attempts/${state.attemptId}/answers`, body: { answers: [true] } }),
  submitAttempt: () => ({ path: `/api/v1/attempts/${state.attemptId}/submit`, body: { answers: [false] } }),
  getMyCompetence: () => ({ path: '/api/v1/me/competence' }),
  setResidentVneid: () => ({ path: `/api/v1/residents/${state.policePerson}/vneid`, session: state.police, body: { vneid_level: 2, vneid_since: '05/01/2026' } }),
  startAssistedAttempt: () => ({ path: `/api/v1/residents/${state.personId}/attempts`, body: { quiz_id: state.quizId } }),
  getResidentCompetence: () => ({ path: `/api/v1/residents/${state.personId}/competence` }),
  getCompetenceChange: () => ({ path: `/api/v1/reports/competence-change?unit=${state.wardId}` }),
  // Certificates: the programme asks for module M09, whose part the quiz above is; the submission
  // (one right answer) issues the certificate.
  getCertificateKeys: () => ({ path: '/.well-known/hocvuso/certificate-keys.json', session: null }),
  createProgramme: () => ({ path: '/api/v1/programmes', body: { code: uniq('OA').replace(/[^A-Za-z0-9]/g, ''), title: 'Chương trình kiểm thử', requirements: { modules: ['KNS-CB/M09'] } } }),
  listProgrammes: () => ({ path: '/api/v1/programmes' }),
  listCertificates: () => ({ path: '/api/v1/certificates?per_page=5' }),
  getCertificate: () => ({ path: `/api/v1/certificates/${state.certId}` }),
  getCertificateQr: () => ({ path: `/api/v1/certificates/${state.certId}/qr.svg` }),
  getCertificatePdf: () => ({ path: `/api/v1/certificates/${state.certId}/pdf` }),
  verifyCertificate: () => ({ path: `/api/v1/certificates/${state.certId}/verify`, session: null }),
  verifySignedCertificate: () => ({ path: '/api/v1/certificates/verify', body: { payload: state.cert.payload, signature: state.cert.signature }, session: null }),
  revokeCertificate: () => ({ path: `/api/v1/certificates/${state.certId}/revoke`, body: { reason: 'Kiểm thử thu hồi' } }),
  updateProgramme: () => ({ path: `/api/v1/programmes/${state.programmeId}`, body: { in_person_check: true } }),
  checkPersonForProgramme: () => ({ path: `/api/v1/residents/${state.personId}/programme-checks`, body: { programme_id: state.programmeId } }),
  recordConfirmation: () => ({ path: `/api/v1/residents/${state.personId}/confirmations`, body: { kind: 'vneid', confirmed_on: '15/03/2026' } }),
  listPersonConfirmations: () => ({ path: `/api/v1/residents/${state.personId}/confirmations` }),
  listConfirmations: () => ({ path: `/api/v1/confirmations?unit_id=${state.tdp1}&per_page=5` }),
  importConfirmations: () => ({
    path: '/api/v1/confirmations/import?name=xac-nhan.csv',
    rawBody: Buffer.from('Số CCCD,Loại xác nhận,Ngày xác nhận\r\n001080000001,VNeID,01/02/2026\r\nabc,VNeID,01/02/2026\r\n'),
    headers: { 'content-type': 'text/csv' },
  }),
  deleteConfirmation: () => ({ path: `/api/v1/confirmations/${state.confirmationId}` }),
  recordTradeStep: () => ({ path: `/api/v1/residents/${state.traderId}/trade-steps`, body: { step: 'cashless_qr', done_on: '15/03/2026' } }),
  listMarkets: () => ({ path: `/api/v1/markets?unit_id=${state.wardId}` }),
  deleteTradeStep: () => ({ path: `/api/v1/residents/${state.traderId}/trade-steps?step=cashless_qr` }),
  listTraders: () => ({ path: `/api/v1/traders?unit_id=${state.marketId}&per_page=5` }),
  createEvent: () => ({ path: '/api/v1/events', body: { title: 'Ngày hội kiểm thử', held_on: '10/10/2025', place: 'Nhà văn hóa', unit_id: state.wardId, head_count: 120 } }),
  listEvents: () => ({ path: `/api/v1/events?unit_id=${state.wardId}&per_page=5` }),
  getEvent: () => ({ path: `/api/v1/events/${state.eventId}` }),
  updateEvent: () => ({ path: `/api/v1/events/${state.eventId}`, body: { head_count: 150 } }),
  addEventActivity: () => ({ path: `/api/v1/events/${state.eventId}/activities`, body: { title: 'Hướng dẫn VNeID' } }),
  addEventParticipant: () => ({ path: `/api/v1/events/${state.eventId}/participants`, body: { participant_id: state.traderId } }),
  createClass: () => ({ path: '/api/v1/classes', body: { title: 'Lớp kiểm thử', unit_id: state.wardId, topic: 'Kỹ năng số', competences: [] } }),
  listClasses: () => ({ path: `/api/v1/classes?unit_id=${state.wardId}&per_page=5` }),
  getClass: () => ({ path: `/api/v1/classes/${state.classId}` }),
  addClassSession: () => ({ path: `/api/v1/classes/${state.classId}/sessions`, body: { held_on: '2026-01-10', place: 'Hội trường' } }),
  enrolInClass: () => ({ path: `/api/v1/classes/${state.classId}/enrolments`, body: { participant_id: state.traderId } }),
  setClassAttendance: () => ({ path: `/api/v1/classes/${state.classId}/attendance`, body: { session_id: state.sessionId, participant_ids: [state.traderId] } }),
  setClassOutcome: () => ({ path: `/api/v1/classes/${state.classId}/outcomes`, body: { participant_id: state.traderId, outcome: 'completed', outcome_on: '2026-01-10' } }),
  // Đại sứ số (issue 9 part 2): a mentor of tổ 1, a mentee, a session; a helper at the service centre.
  createAmbassador: () => ({ path: '/api/v1/ambassadors', body: { person_id: state.personId, unit_id: state.tdp1, kind: 'mentor' } }),
  listAmbassadors: () => ({ path: `/api/v1/ambassadors?unit_id=${state.tdp1}&kind=mentor&per_page=5` }),
  getAmbassadorSummary: () => ({ path: '/api/v1/ambassadors/summary' }),
  assignMentee: () => ({ path: '/api/v1/mentorships', body: { mentee_id: state.menteeId, mentor_id: state.ambassadorId } }),
  logMentorSession: () => ({ path: `/api/v1/mentorships/${state.mentorshipId}/sessions`, body: { held_on: new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10), topic: 'Cài đặt VNeID' } }),
  endMentorship: () => ({ path: `/api/v1/mentorships/${state.mentorshipId}/end` }),
  getAmbassador: () => ({ path: `/api/v1/ambassadors/${state.ambassadorId}` }),
  logServiceHelp: () => ({ path: `/api/v1/ambassadors/${state.serviceHelperId}/helps`, body: { person_id: state.menteeId, helped_on: new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10), what: 'Nộp hồ sơ trực tuyến' } }),
  endAmbassador: () => ({ path: `/api/v1/ambassadors/${state.ambassadorId}/end` }),
  // Gia đình số and VNeID coverage (issue 9 parts 3, 10).
  getFamilySummary: () => ({ path: `/api/v1/families?unit_id=${state.tdp1}` }),
  listFamiliesLeft: () => ({ path: '/api/v1/families/left?per_page=5' }),
  getVneidCoverage: () => ({ path: '/api/v1/vneid/coverage' }),
  getPersonMovement: () => ({ path: `/api/v1/residents/${state.personId}/movement` }),
  listVneidWorklist: () => ({ path: `/api/v1/vneid/worklist?unit_id=${state.tdp1}&per_page=5` }),
  listIndicators: () => ({ path: `/api/v1/indicators?unit=${state.tdp1}` }),
  listIndicatorDefinitions: () => ({ path: '/api/v1/indicators/definitions' }),
  createCommendationRule: () => ({ path: '/api/v1/commendations/rules', body: { name: 'Đứng đầu về người trưởng thành đã học', rule: { kind: 'top', code: 'T3', count: 3 } } }),
  listCommendationCandidates: () => ({ path: `/api/v1/commendations?unit=${state.wardId}` }),
  getPublicBoard: () => ({ path: '/api/v1/board', session: null }),
  getReport: () => ({ path: `/api/v1/reports?unit=${state.wardId}&period=2026-Q1` }),
  getReportPdf: () => ({ path: `/api/v1/reports/pdf?unit=${state.wardId}&period=2026-Q1` }),
  getReportXlsx: () => ({ path: `/api/v1/reports/report.xlsx?unit=${state.wardId}&period=2025` }),
  getIndicatorHistory: () => ({ path: `/api/v1/indicators/history?code=T3&unit=${state.wardId}` }),
  rankIndicatorUnits: () => ({ path: `/api/v1/indicators/ranking?code=T3&unit=${state.wardId}` }),
  listIndicatorLeftBehind: () => ({ path: `/api/v1/indicators/left-behind?code=T3&unit=${state.wardId}&per_page=5` }),
  getIndicatorLeftBehindCsv: () => ({ path: `/api/v1/indicators/left-behind.csv?code=M3&unit=${state.wardId}` }),
  createIndicatorDefinition: () => ({ path: '/api/v1/indicators/definitions', body: { code: 'OA1', name: 'Người cao tuổi có định danh mức 2', definition: { base: 'people', population: { group: 'elderly' }, condition: { fact: 'vneid_level2' } }, targets: { 2026: 90 } } }),
  updateIndicatorDefinition: () => ({ path: `/api/v1/indicators/definitions/${state.indicatorDefId}`, body: { targets: { 2026: 95 } } }),
  // The plan's tasks (issue 9 part 8): 3.4 names the Phòng Văn hóa - Xã hội; the admin reports for the ward.
  listPlanTasks: () => ({ path: '/api/v1/plan/tasks', session: null }),
  getPlanTask: () => ({ path: `/api/v1/plan/tasks/${state.planTaskId}` }),
  uploadPlanAttachment: () => ({
    path: `/api/v1/plan/tasks/${state.planTaskId}/attachments?unit_id=${state.wardId}&name=bao-cao.pdf`,
    rawBody: Buffer.from('%PDF-1.4\n%%EOF\n'), headers: { 'content-type': 'application/pdf' },
  }),
  addPlanUpdate: () => ({
    path: `/api/v1/plan/tasks/${state.planTaskId}/updates`,
    body: { unit_id: state.wardId, body: 'Báo cáo kiểm thử.', figures: [{ label: 'Tổ hoạt động', value: 68, unit: 'tổ' }], attachment_ids: [state.planAttachmentId] },
  }),
  getAttachment: () => ({ path: `/api/v1/attachments/${state.planAttachmentId}` }),
  listPlanUnits: () => ({ path: '/api/v1/plan/units' }),
  setPlanUnits: () => ({ path: `/api/v1/plan/units/${state.planNameId}`, body: { unit_ids: [state.tdp1] } }),
  // Schools (issue 9 part 7): the demo teacher's school, written by the demo teacher.
  listSchools: () => ({ path: '/api/v1/schools' }),
  getSchool: () => ({ path: `/api/v1/schools/${state.schoolId}` }),
  setSchoolProgramme: () => ({
    path: `/api/v1/schools/${state.schoolId}/programme`, session: state.teacher,
    body: { runs_programme: true, since_on: '2025-09-05', evidence_url: 'https://truong.example.edu.vn/ke-hoach', grades: [{ grade: 6, students: 200, covered: 150 }] },
  }),
  addSchoolDesignation: () => ({ path: `/api/v1/schools/${state.schoolId}/designations`, session: state.teacher, body: { kind: 'creative_class', name: 'Lớp 6A1', school_year: '2025-2026' } }),
  uploadSchoolEvidence: () => ({
    path: `/api/v1/schools/${state.schoolId}/evidence?name=minh-chung.pdf`, session: state.teacher,
    rawBody: Buffer.from('%PDF-1.4\n%%EOF\n'), headers: { 'content-type': 'application/pdf' },
  }),
  // Resources (issue 9 part 9).
  addContribution: () => ({
    path: '/api/v1/contributions',
    body: { unit_id: state.wardId, source_kind: 'business', source_name: 'Công ty Kiểm Thử', kind: 'devices', description: 'Tặng 2 điện thoại', quantity: 2, value_vnd: 3000000, recipient_unit_id: state.tdp1, task_id: state.planTaskId, received_on: '2026-01-15' },
  }),
  listContributions: () => ({ path: `/api/v1/contributions?unit_id=${state.wardId}&per_page=5` }),
  setPlanBudget: () => ({ path: `/api/v1/plan/tasks/${state.planTaskId}/budget`, body: { year: 2026, source: 'state_budget', amount_vnd: 50000000 } }),
  listPlanBudgets: () => ({ path: '/api/v1/plan/budgets' }),
  // Tổ công nghệ số cộng đồng: the unit made above (a tổ) gets a team; the person made above joins
  // tổ 1's team; a visit to the household made above.
  listHelpRequestUnits: () => ({ path: '/api/v1/help-requests/units', session: null }),
  listHelpRequestTopics: () => ({ path: '/api/v1/help-requests/topics', session: null }),
  createPublicHelpRequest: () => ({ path: '/api/v1/help-requests/public', session: null, body: { unit_id: state.tdp1, requester_name: 'Người Gửi Kiểm Thử', phone: '0912345678', description: 'Nhờ hướng dẫn cài VNeID.' } }),
  createHelpRequest: () => ({ path: '/api/v1/help-requests', body: { unit_id: state.tdp1, channel: 'desk', relation: 'desk', requester_name: 'Cán Bộ Quầy', topic: 'vneid', description: 'Hướng dẫn kích hoạt VNeID.' } }),
  listHelpRequests: () => ({ path: '/api/v1/help-requests?status=open&per_page=5' }),
  getHelpRequestSummary: () => ({ path: `/api/v1/help-requests/summary?unit_id=${state.wardId}` }),
  getHelpRequest: () => ({ path: `/api/v1/help-requests/${state.helpId}` }),
  takeHelpRequest: () => ({ path: `/api/v1/help-requests/${state.helpId}/take` }),
  completeHelpRequest: () => ({ path: `/api/v1/help-requests/${state.helpId}/done`, body: { visit_id: state.visitId } }),
  listFieldTopics: () => ({ path: '/api/v1/field/topics' }),
  createFieldTopic: () => ({ path: '/api/v1/field/topics', body: { label: `Chủ đề kiểm thử ${uniq()}` } }),
  listFieldTeams: () => ({ path: `/api/v1/field/teams?unit_id=${state.tdp1}` }),
  createFieldTeam: () => ({ path: '/api/v1/field/teams', body: { unit_id: state.unitId, name: 'Tổ công nghệ số kiểm thử' } }),
  getFieldTeam: () => ({ path: `/api/v1/field/teams/${state.teamId}` }),
  addFieldTeamMember: () => ({ path: `/api/v1/field/teams/${state.teamId}/members`, body: { person_id: state.personId, team_role: 'leader' } }),
  removeFieldTeamMember: () => ({ path: `/api/v1/field/teams/${state.teamId}/members/${state.personId}` }),
  recordVisit: () => ({ path: `/api/v1/households/${state.householdId}/visits`, body: { topics: ['vneid', 'cashless'], note: 'Kiểm thử' } }),
  listHouseholdVisits: () => ({ path: `/api/v1/households/${state.householdId}/visits` }),
  getFieldWorklist: () => ({ path: `/api/v1/field/teams/${state.teamId}/worklist?list=residents&per_page=5` }),
  getFieldTeamReport: () => ({ path: `/api/v1/field/teams/${state.teamId}/report?period=week` }),
  getFieldTeamReportXlsx: () => ({ path: `/api/v1/field/teams/${state.teamId}/report.xlsx?period=quarter&date=2026-11-15` }),
  getFieldCoverage: () => ({ path: `/api/v1/field/coverage?unit_id=${state.wardId}` }),
  findFieldHouseholds: () => ({ path: `/api/v1/field/households?unit_id=${state.tdp1}&q=kiem%20thu` }),
  testBrokenError: () => ({ path: '/api/v1/test/broken-error', session: null, expectStatus: 400 }),
  testUpload: () => ({ path: '/api/v1/test/upload', rawBody: Buffer.from('một tệp nhỏ'), headers: { 'content-type': 'application/octet-stream' }, session: null }),
};
// The order in which operations that depend on each other run.
const ORDER = ['getHealth', 'getMetrics', 'getOpenApi', 'getHello', 'getInstance', 'getMeta', 'login', 'getMe', 'listUnits',
  'getUnit', 'createUnit', 'updateUnit', 'moveUnit', 'deleteUnit', 'listUsers', 'createUser', 'getUser', 'updateUser', 'grantRole', 'revokeRole',
  'resetUserPassword', 'changeMyPassword', 'createHousehold', 'updateHousehold', 'listHouseholds', 'getHousehold',
  'createResident', 'updateResident', 'setResidentVneid', 'addMembership', 'listResidents', 'getResident', 'linkUserPerson', 'getMyPerson',
  'createMyRequest', 'listMyRequests', 'listRequests', 'getRequestSummary', 'getRequest', 'answerRequest', 'exportResidents',
  'deleteResident', 'listDeletedResidents', 'restoreResident', 'uploadImport', 'setImportMapping', 'startImport', 'getImport', 'getImportErrors', 'listImports',
  'importQuestions', 'listQuestions', 'getQuestion', 'listCompetencies', 'createCompetency', 'listCourses', 'getLesson', 'completeLesson', 'createQuiz', 'listQuizzes', 'getCertificateKeys', 'createProgramme', 'listProgrammes', 'startAttempt',
  'getAttempt', 'saveAttemptAnswers', 'submitAttempt', 'getMyCompetence', 'startAssistedAttempt', 'getResidentCompetence', 'getCompetenceChange', 'listCertificates', 'getCertificate', 'getCertificateQr', 'getCertificatePdf', 'verifyCertificate', 'verifySignedCertificate',
  'revokeCertificate', 'updateProgramme', 'checkPersonForProgramme', 'recordConfirmation', 'listPersonConfirmations',
  'listConfirmations', 'importConfirmations', 'deleteConfirmation', 'recordTradeStep', 'listMarkets', 'listTraders', 'deleteTradeStep', 'createClass', 'listClasses', 'getClass', 'addClassSession', 'enrolInClass', 'setClassAttendance', 'setClassOutcome', 'createEvent', 'listEvents', 'getEvent', 'updateEvent', 'addEventActivity', 'addEventParticipant',
  'createAmbassador', 'listAmbassadors', 'getAmbassadorSummary', 'assignMentee', 'logMentorSession', 'endMentorship',
  'getAmbassador', 'logServiceHelp', 'endAmbassador', 'getFamilySummary', 'listFamiliesLeft', 'getVneidCoverage',
  'listVneidWorklist', 'listIndicators', 'listIndicatorDefinitions', 'rankIndicatorUnits', 'listIndicatorLeftBehind', 'getIndicatorLeftBehindCsv', 'getIndicatorHistory', 'createCommendationRule', 'listCommendationCandidates', 'getPublicBoard', 'getReport', 'getReportPdf', 'getReportXlsx', 'createIndicatorDefinition', 'updateIndicatorDefinition', 'listPlanTasks', 'getPlanTask', 'uploadPlanAttachment',
  'addPlanUpdate', 'getAttachment', 'listPlanUnits', 'setPlanUnits', 'listSchools', 'getSchool', 'setSchoolProgramme',
  'addSchoolDesignation', 'uploadSchoolEvidence', 'addContribution', 'listContributions', 'setPlanBudget', 'listPlanBudgets',
  'listFieldTopics', 'createFieldTopic', 'listFieldTeams',
  'createFieldTeam', 'getFieldTeam', 'addFieldTeamMember', 'removeFieldTeamMember', 'recordVisit', 'listHouseholdVisits', 'getFieldWorklist', 'getFieldTeamReport', 'getFieldTeamReportXlsx',
  'getFieldCoverage', 'findFieldHouseholds', 'listHelpRequestUnits', 'listHelpRequestTopics', 'createPublicHelpRequest', 'createHelpRequest',
  'listHelpRequests', 'getHelpRequestSummary', 'getHelpRequest', 'takeHelpRequest', 'completeHelpRequest', 'getPersonMovement', 'listAudit', 'logout', 'testUpload', 'testBrokenError'];

function operations() {
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) ops.push({ method: m.toUpperCase(), path, op });
  }
  return ops;
}

async function call(method, c) {
  const session = c.session === undefined ? admin : c.session;
  return srv.request(method, c.path, { session, body: c.body, rawBody: c.rawBody, headers: c.headers });
}

test('every operation answers valid input with its documented success, matching its schema', async () => {
  const ops = operations();
  const missing = ops.filter((o) => !cases[o.op.operationId] || !ORDER.includes(o.op.operationId)).map((o) => o.op.operationId);
  assert.deepEqual(missing, [], 'operations without a case in this test: add them to `cases` and ORDER');
  const cur = await hocvuso(['import', 'curriculum', ...storeArgs(srv.dataDir, srv.dbUri), join(REPO_ROOT, 'content', 'curriculum')]);
  assert.equal(cur.code, 0, cur.stderr);
  state.wardId = await srv.unitId(admin, 'Phường Hải Dương');
  state.kind = await groupKind(srv, admin);
  state.username = uniq('kt');
  state.spareSession = await srv.login('admin');
  const spare = await srv.request('POST', '/api/v1/units', {
    session: admin,
    body: { parent_id: state.wardId, kind: state.kind, name: `Tổ để xóa ${uniq()}` },
  });
  assert.equal(spare.status, 201, spare.text);
  state.spareUnitId = spare.json.id;
  state.tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  state.adminId = await srv.userId(admin, 'admin');
  state.schoolId = await srv.unitId(admin, 'Trường THCS Trần Hưng Đạo');
  state.teacher = await srv.login('giaovien');
  // the police record levels of people registered in their own unit (identity.write there)
  state.police = await srv.login('congan');
  const pp = await srv.request('POST', '/api/v1/residents', { session: admin, body: { unit_id: await srv.unitId(admin, 'Công an phường Hải Dương'), full_name: 'Cán Bộ Kiểm Thử', birth_date: '1985' } });
  assert.equal(pp.status, 201, pp.text);
  state.policePerson = pp.json.id;
  const sp = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: 'Người Để Xóa', unit_id: state.tdp1 } });
  assert.equal(sp.status, 201, sp.text);
  state.sparePersonId = sp.json.id;
  // A market and a trader of it (issue 9 part 4).
  const mk = await srv.request('POST', '/api/v1/units', { session: admin, body: { parent_id: state.wardId, kind: 'market', name: `Chợ kiểm thử ${uniq()}` } });
  assert.equal(mk.status, 201, mk.text);
  state.marketId = mk.json.id;
  const tp = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: 'Người Bán Hàng', unit_id: state.tdp1 } });
  assert.equal(tp.status, 201, tp.text);
  state.traderId = tp.json.id;
  const tm = await srv.request('POST', `/api/v1/residents/${state.traderId}/memberships`, { session: admin, body: { unit_id: state.marketId, kind: 'trader' } });
  assert.equal(tm.status, 201, tm.text);
  const mentee = await srv.request('POST', '/api/v1/residents', { session: admin, body: { full_name: 'Người Được Hướng Dẫn', unit_id: state.tdp1 } });
  assert.equal(mentee.status, 201, mentee.text);
  state.menteeId = mentee.json.id;
  const sh = await srv.request('POST', '/api/v1/ambassadors', {
    session: admin,
    body: { person_id: state.menteeId, unit_id: await srv.unitId(admin, 'Trung tâm phục vụ hành chính công phường'), kind: 'service_helper' },
  });
  assert.equal(sh.status, 201, sh.text);
  state.serviceHelperId = sh.json.id;
  const byId = Object.fromEntries(ops.map((o) => [o.op.operationId, o]));
  for (const id of ORDER) {
    const o = byId[id];
    if (!o) continue;
    const c = cases[id]();
    const r = await call(o.method, c);
    // A case may expect an error (the test route that fails on purpose): it must be documented too.
    const ok = Object.keys(o.op.responses).filter((s) => (c.expectStatus ? s === String(c.expectStatus) : /^2/.test(s)));
    assert.ok(ok.includes(String(r.status)), `${id}: ${r.status} ${r.text.slice(0, 300)}; documented ${ok}`);
    check(o.method, o.path, r);
    if (id === 'createUnit') state.unitId = r.json.id;
    if (id === 'createUser') state.userId = r.json.id;
    if (id === 'grantRole') state.grantId = r.json.id;
    if (id === 'createHousehold') state.householdId = r.json.id;
    if (id === 'createResident') state.personId = r.json.id;
    if (id === 'uploadImport') state.importId = r.json.id;
    if (id === 'listQuestions') state.questionId = r.json.items[0].id;
    if (id === 'createQuiz') state.quizId = r.json.id;
    if (id === 'listCourses') state.lessonId = r.json.items[0].modules[0].lessons[0].id;
    if (id === 'startAttempt') state.attemptId = r.json.id;
    if (id === 'createProgramme') state.programmeId = r.json.id;
    if (id === 'createIndicatorDefinition') state.indicatorDefId = r.json.id;
    if (id === 'submitAttempt') {
      assert.equal(r.json.certificates.length, 1, r.text);
      state.certId = r.json.certificates[0].id;
    }
    if (id === 'getCertificate') state.cert = r.json;
    if (id === 'createMyRequest') state.requestId = r.json.id;
    if (id === 'recordConfirmation') state.confirmationId = r.json.id;
    if (id === 'createClass') state.classId = r.json.id;
    if (id === 'createEvent') state.eventId = r.json.id;
    if (id === 'addClassSession') state.sessionId = r.json.sessions[0].id;
    if (id === 'createAmbassador') state.ambassadorId = r.json.id;
    if (id === 'assignMentee') state.mentorshipId = r.json.id;
    if (id === 'listPlanTasks') state.planTaskId = r.json.items.find((t) => t.code === '3.4').id;
    if (id === 'uploadPlanAttachment') state.planAttachmentId = r.json.id;
    if (id === 'listPlanUnits') state.planNameId = r.json.items.find((n) => n.name === 'Hội Phụ nữ phường').id;
    if (id === 'listFieldTeams') state.teamId = r.json.items[0].id;
    if (id === 'recordVisit') state.visitId = r.json.id;
    if (id === 'createHelpRequest') state.helpId = r.json.id;
    if (id === 'resetUserPassword') state.userSession = await srv.login(state.username, 'Mat-khau-moi-kiem-thu-2');
  }
});

test('error answers of every operation match the document too', async () => {
  let n = 0;
  for (const { method, path, op } of operations()) {
    const concrete = path.replace(/\{[^}]+\}/g, '1');
    const attempts = [
      // an undeclared query parameter
      { path: `${concrete}${concrete.includes('?') ? '&' : '?'}khong_co=1` },
    ];
    if (op.security?.length) attempts.push({ path: concrete, session: null }); // not logged in
    if (path.includes('{')) attempts.push({ path: path.replace(/\{[^}]+\}/g, '987654321') }); // no such object
    if (op.requestBody?.content?.['application/json']) {
      attempts.push({ path: concrete, rawBody: '{"bad json', headers: { 'content-type': 'application/json' } });
      attempts.push({ path: concrete, rawBody: '{}', headers: { 'content-type': 'text/plain' } });
      attempts.push({ path: concrete, body: { khong_co: 1 } });
    }
    for (const a of attempts) {
      const r = await call(method, a);
      if (r.status < 400) continue; // e.g. a public route that ignores the session
      assert.ok(r.status < 500, `${method} ${a.path}: ${r.status} ${r.text.slice(0, 200)}`);
      check(method, path, r);
      n++;
    }
  }
  assert.ok(n >= 40, `only ${n} error answers checked`);
});

test('answers that libmicrohttpd would give are JSON errors of the document too (405, 413, 431)', async () => {
  const r405 = await srv.request('DELETE', '/api/v1/hello');
  assert.equal(r405.status, 405);
  check('GET', '/api/v1/hello', r405); // validated against the path's default response
  const big = await srv.request('POST', '/api/v1/units', { session: admin, rawBody: 'x'.repeat(70 * 1024) });
  assert.equal(big.status, 413);
  check('POST', '/api/v1/units', big);
  const q = Array.from({ length: 200 }, (_, i) => `p${i}=1`).join('&');
  const r431 = await srv.request('GET', `/api/v1/hello?${q}`);
  assert.equal(r431.status, 431);
  check('GET', '/api/v1/hello', r431);
});

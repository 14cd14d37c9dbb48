// matrix.test.mjs: every route × every demo role × objects inside and outside the caller's
// scope, generated from the route table itself (`hocvuso routes --json`), so that a route added
// later is covered without writing a test for it.
// Two halves: (1) a policy over the table: which capability a route must ask for, given its
// method and resource, and that every object a route names is checked; a row with a wrong
// capability or scope fails here. (2) behaviour: for each case the answer must be what the
// table says (the dispatcher's rules in docs/API.md, "Access"): 401 without a session, 403 when
// the capability is missing or the object out of scope, 404 when the object does not exist,
// otherwise anything but a refusal (2xx, or a 4xx about the input).
// Owns: its server and the throw-away accounts, units and grants it makes (API and CLI).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, finish, hocvuso, storeArgs, ACCOUNTS, WARD_NAME, roleCaps, uniq, REPO_ROOT } from './lib/server.mjs';

let otherAttempt;
let planTaskId, planNameId, planAttachment, wardUnit, tdp1Unit, tdp2Unit; // the plan's objects (issue 9 part 8)
let teamA, teamB; // the demo's community digital teams of tổ 1 and tổ 2
let helpA, helpB; // help requests of tổ 1 and tổ 2
let srv, admin, table, meta, caps, cityId, cityCode, hhA, hhB, jobA, jobB, questionId, quizId, lessonId, programmeId, certQuizId, indicatorDefId;
const MISSING = 2147480001; // an id no object has
const acc = {}; // username -> {session, me, unit, objects}
const anc = new Map(); // unit id -> Set(ancestors and itself)

// ---- (1) the policy ------------------------------------------------------------------------
// Routes whose capability is not "<resource>.read|write": each exception is a decision, named here.
const CAP_EXCEPTIONS = {
  'GET /api/v1/meta': null, // any logged-in caller
  'DELETE /api/v1/session': null, // one's own session
  'GET /api/v1/me': null,
  'PUT /api/v1/me/password': null, // one's own password, with the current one
  'GET /api/v1/me/person': null, // one's own record (404 while the account is linked to none)
  // Import jobs are the tool of those who write the register: reading one's jobs, their progress and
  // their error reports needs people.write too (the report holds the rejected rows as uploaded).
  'GET /api/v1/imports': 'people.write',
  'GET /api/v1/imports/{id}': 'people.write',
  'GET /api/v1/imports/{id}/errors.csv': 'people.write',
  'POST /api/v1/me/requests': null, // a request about one's own record (404 while linked to none)
  'GET /api/v1/me/requests': null, // one's own requests
  // Data subjects' requests are answered by those who may change the record: people.write, reads too.
  'GET /api/v1/requests': 'people.write',
  'GET /api/v1/requests/summary': 'people.write',
  'GET /api/v1/requests/{id}': 'people.write',
  // A whole list leaving the system is its own capability (caps.c: ward admin and unit officers).
  'GET /api/v1/residents/export': 'people.export',
  // Deleted records are for those who may delete (and so undo a deletion): people.write.
  'GET /api/v1/residents/deleted': 'people.write',
  // The question bank holds the answers: reading it is for those who write it (content.write).
  'GET /api/v1/questions': 'content.write',
  'GET /api/v1/questions/{id}': 'content.write',
  // The competence frameworks are public knowledge: any logged-in caller.
  'GET /api/v1/competencies': null,
  // The framework is extended by content editors.
  'POST /api/v1/competencies': 'content.write',
  // Quizzes are taken by learners (learn); made by content editors (content.write).
  'POST /api/v1/quizzes': 'content.write',
  'GET /api/v1/quizzes': 'learn',
  'POST /api/v1/quizzes/{id}/attempts': 'learn',
  'GET /api/v1/attempts/{id}': 'learn',
  'POST /api/v1/attempts/{id}/submit': 'learn',
  'PUT /api/v1/attempts/{id}/answers': 'learn',
  // Courses and lessons are read, and one's progress marked, by those who learn.
  'GET /api/v1/courses': 'learn',
  'GET /api/v1/lessons/{id}': 'learn',
  'POST /api/v1/lessons/{id}/complete': 'learn',
  // One's own competence profile is read by those who learn.
  'GET /api/v1/me/competence': 'learn',
  // A quiz run with a resident who has no phone is the field helper's work (field.write), on a
  // person of their unit (issue 8 part 7).
  'POST /api/v1/residents/{id}/attempts': 'field.write',
  // Certificates: one's own are read by their holder, whoever they are; an officer reads those of the
  // people in scope (people.read, checked on the certificate's unit by SCOPE_CERT).
  'GET /api/v1/certificates': null,
  'GET /api/v1/certificates/{id}': null,
  'GET /api/v1/certificates/{id}/qr.svg': null,
  'GET /api/v1/certificates/{id}/pdf': null,
  // Revoking and the programmes' rules are the ward admin's (certificates.manage).
  'POST /api/v1/certificates/{id}/revoke': 'certificates.manage',
  'GET /api/v1/programmes': null, // what a certificate asks for is no secret
  'POST /api/v1/programmes': 'certificates.manage',
  'PATCH /api/v1/programmes/{id}': 'certificates.manage',
  // Checking a person in person is field work, on the person's unit.
  'POST /api/v1/residents/{id}/programme-checks': 'field.write',
  // A trader's 4T step is recorded by the community digital team (field.write) of the trader's tổ or
  // market (issue 9 part 4; SCOPE_TRADER).
  'POST /api/v1/residents/{id}/trade-steps': 'field.write',
  'DELETE /api/v1/residents/{id}/trade-steps': 'field.write',
  // Đại sứ số (issue 9 part 2): reading who mentors whom is reading people (people.read); naming an
  // ambassador, assigning a mentee, logging a session or a help at the service centre is field work
  // (field.write), each on the unit of every object it touches (SCOPE_UNIT_PERSON, SCOPE_AMBASSADOR,
  // SCOPE_MENTEE, SCOPE_MENTORSHIP in router.c).
  'GET /api/v1/ambassadors': 'people.read',
  'GET /api/v1/ambassadors/summary': 'people.read',
  'GET /api/v1/ambassadors/{id}': 'people.read',
  'POST /api/v1/ambassadors': 'field.write',
  'POST /api/v1/ambassadors/{id}/end': 'field.write',
  'POST /api/v1/ambassadors/{id}/helps': 'field.write',
  'POST /api/v1/mentorships': 'field.write',
  'POST /api/v1/mentorships/{id}/end': 'field.write',
  'POST /api/v1/mentorships/{id}/sessions': 'field.write',
  // Gia đình số and the VNeID worklist are lists of households and people: people.read; the VNeID
  // figures by level are the police's (identity.read).
  'GET /api/v1/families': 'people.read',
  'GET /api/v1/families/left': 'people.read',
  'GET /api/v1/vneid/coverage': 'identity.read',
  'GET /api/v1/vneid/worklist': 'people.read',
  // The police record a person's VNeID level (their one change of a record): identity.write.
  'PUT /api/v1/residents/{id}/vneid': 'identity.write',
  // The plan's indicators are figures, no one's personal data: reports.read on the unit asked for.
  'GET /api/v1/indicators': 'reports.read',
  'GET /api/v1/indicators/definitions': 'reports.read',
  'GET /api/v1/indicators/ranking': 'reports.read',
  'GET /api/v1/indicators/history': 'reports.read',
  // Those an indicator leaves behind are the dashboard's drill-down: the same reports.read on the unit
  // asked for (its holders, ward admins and unit officers, read the registry there too); audited.
  'GET /api/v1/indicators/left-behind': 'reports.read',
  'GET /api/v1/indicators/left-behind.csv': 'reports.read',
  'GET /api/v1/reports': 'reports.read',
  'GET /api/v1/commendations': 'reports.read',
  'POST /api/v1/commendations/rules': 'indicators.write',
  'GET /api/v1/reports/pdf': 'reports.read',
  'GET /api/v1/reports/report.xlsx': 'reports.read',
  // Defining an indicator is the ward's configuration of its reports: indicators.write (ward admins).
  'POST /api/v1/indicators/definitions': 'indicators.write',
  'PUT /api/v1/indicators/definitions/{id}': 'indicators.write',
  // The plan's tasks and their updates are the ward's work, no one's personal data: any staff
  // account (units.read) reads them; reports need plan.write on a unit that answers for the task.
  'GET /api/v1/plan/tasks/{id}': 'units.read',
  'GET /api/v1/plan/units': 'units.read',
  // Which ward unit a name of the plan stands for is the unit tree's business: units.write on the ward.
  'PUT /api/v1/plan/units/{id}': 'units.write',
  // Resources: read with the reports (reports.read); recorded by a unit that answers for the plan (plan.write).
  'GET /api/v1/contributions': 'reports.read',
  'POST /api/v1/contributions': 'plan.write',
  'GET /api/v1/plan/budgets': 'reports.read',
  // An attachment follows its owner's rule (SCOPE_ATTACHMENT), not a capability of its own.
  'GET /api/v1/attachments/{id}': null,
  // Tổ công nghệ số cộng đồng (issue 9 part 1): the topic list is the ward admin's (units.write); any
  // logged-in caller reads it. Teams, worklists, coverage and the household search read the registry
  // (people.read on the tổ); a team and its members are set up by those who write the registry
  // (people.write); a visit is field work (field.write on the household's tổ).
  'GET /api/v1/field/topics': null,
  'POST /api/v1/field/topics': 'units.write',
  'GET /api/v1/field/teams': 'people.read',
  'POST /api/v1/field/teams': 'people.write',
  'GET /api/v1/field/teams/{id}': 'people.read',
  'POST /api/v1/field/teams/{id}/members': 'people.write',
  // A member leaves as they were added: people.write on the team's tổ (the person named in the path
  // need not be in the caller's sight: someone who moved away still leaves the team).
  'DELETE /api/v1/field/teams/{id}/members/{person_id}': 'people.write',
  'GET /api/v1/field/teams/{id}/worklist': 'people.read',
  'GET /api/v1/field/teams/{id}/report': 'people.read',
  'GET /api/v1/field/teams/{id}/report.xlsx': 'people.read',
  'GET /api/v1/field/coverage': 'people.read',
  'GET /api/v1/field/households': 'people.read',
  'POST /api/v1/households/{id}/visits': 'field.write',
  // Help requests (issue 9 part 11): read with people.read on their tổ; entered, taken and closed as
  // field work (field.write). The public form and its list of tổ are public routes.
  'POST /api/v1/help-requests': 'field.write',
  'GET /api/v1/help-requests': 'people.read',
  'GET /api/v1/help-requests/summary': 'people.read',
  'GET /api/v1/help-requests/{id}': 'people.read',
  'POST /api/v1/help-requests/{id}/take': 'field.write',
  'POST /api/v1/help-requests/{id}/done': 'field.write',
};
// Routes about the caller's own record: 2xx when the account is linked to a person, 404 when not.
const OWN_ROUTES = new Set(['GET /api/v1/me/person', 'POST /api/v1/me/requests']);
// Resources whose capability is another resource's: the registry's people and households are both
// guarded by people.read / people.write.
const RESOURCE_CAPS = { residents: 'people', households: 'people', imports: 'people', requests: 'people', questions: 'content', confirmations: 'people', markets: 'people', traders: 'people', classes: 'people', events: 'people', schools: 'school' };
// Objects that belong to the whole instance, not to a unit: their routes have no unit scope, and
// the capability (anywhere) is the whole check. Each is a decision, named here with its picker.
const INSTANCE_OBJECTS = {
  'GET /api/v1/questions/{id}': () => questionId,
  'POST /api/v1/quizzes/{id}/attempts': () => quizId,
  'GET /api/v1/lessons/{id}': () => lessonId,
  'POST /api/v1/lessons/{id}/complete': () => lessonId,
  'PATCH /api/v1/programmes/{id}': () => programmeId,
  'PUT /api/v1/indicators/definitions/{id}': () => indicatorDefId,
  'GET /api/v1/plan/tasks/{id}': () => planTaskId,
};
// Body or query fields that name a unit: the route touches it, so its scope must be checked on it.
const UNIT_FIELDS = /^(unit_id|parent_id)$/;

function resourceOf(path) {
  const m = /^\/api\/v1\/([a-z_]+)/.exec(path);
  return m ? m[1] : null;
}

function key(rt) {
  return `${rt.method} ${rt.path}`;
}

function policyCap(rt) {
  if (key(rt) in CAP_EXCEPTIONS) return CAP_EXCEPTIONS[key(rt)];
  const res = RESOURCE_CAPS[resourceOf(rt.path)] ?? resourceOf(rt.path);
  return `${res}.${rt.method === 'GET' ? 'read' : 'write'}`;
}

// ---- helpers --------------------------------------------------------------------------------
function holds(a, cap, unitId) {
  const up = anc.get(unitId);
  if (!up) throw new Error(`no ancestors known for unit ${unitId}`);
  return a.me.roles.some((g) => caps[g.role].has(cap) && up.has(g.unit_id));
}
function topLevel(a, cap) {
  return a.me.roles.some((g) => caps[g.role].has(cap) && anc.get(g.unit_id)?.size === 1);
}
function visible(a, cap, t) {
  if (t.home && holds(a, cap, t.home)) return true;
  if (t.grants.some((g) => holds(a, cap, g.unit))) return true;
  return !t.home && t.grants.length === 0 && topLevel(a, cap);
}
function managed(a, cap, t) {
  if (t.home ? !holds(a, cap, t.home) : !topLevel(a, cap)) return false;
  return t.grants.every((g) => holds(a, cap, g.unit));
}
// A person: seen through the registering unit or a membership's unit, changed through the
// registering unit only.
function personVisible(a, cap, p) {
  return holds(a, cap, p.unit) || p.members.some((u) => holds(a, cap, u));
}
function personManaged(a, cap, p) {
  return holds(a, cap, p.unit);
}
function roleHeld(a, role, unitId) {
  return [...caps[role]].every((c) => holds(a, c, unitId));
}

async function cli(args, input) {
  const r = await hocvuso([...args, ...storeArgs(srv.dataDir, srv.dbUri)], { input });
  if (r.code !== 0) throw new Error(`hocvuso ${args.join(' ')}: ${r.code} ${r.stderr}`);
  return r;
}

async function learnUnit(id) {
  if (anc.has(id)) return;
  const u = await srv.getJSON(admin, `/api/v1/units/${id}`);
  anc.set(id, new Set([id, ...u.ancestors.map((x) => x.id)]));
}

async function apiUser(username, home) {
  const r = await srv.request('POST', '/api/v1/users', { session: admin, body: { username, display_name: `Thử ${username}`, password: 'Mat-khau-ma-tran-1', unit_id: home } });
  if (r.status !== 201) throw new Error(`create ${username}: ${r.status} ${r.text}`);
  return { id: r.json.id, username, home, grants: [] };
}
async function apiGrant(t, role, unit) {
  const r = await srv.request('POST', `/api/v1/users/${t.id}/roles`, { session: admin, body: { role, unit_id: unit } });
  if (r.status !== 201) throw new Error(`grant ${role} to ${t.username}: ${r.status} ${r.text}`);
  const g = { id: r.json.id, role, unit };
  t.grants.push(g);
  return g;
}
// People and households are made by the city's admin, who holds people.write everywhere.
async function apiPerson(full_name, unit, memberOf) {
  const s = await cliAdminSession();
  const r = await srv.request('POST', '/api/v1/residents', { session: s, body: { full_name, unit_id: unit } });
  if (r.status !== 201) throw new Error(`create person ${full_name}: ${r.status} ${r.text}`);
  const p = { id: r.json.id, unit, members: [] };
  if (memberOf) {
    const m = await srv.request('POST', `/api/v1/residents/${p.id}/memberships`, { session: s, body: { unit_id: memberOf, kind: 'staff' } });
    if (m.status !== 201) throw new Error(`membership of ${full_name}: ${m.status} ${m.text}`);
    p.members.push(memberOf);
  }
  return p;
}
async function apiHousehold(unit) {
  const s = await cliAdminSession();
  const r = await srv.request('POST', '/api/v1/households', { session: s, body: { unit_id: unit, address: `Số ${uniq('n')}` } });
  if (r.status !== 201) throw new Error(`create household: ${r.status} ${r.text}`);
  return { id: r.json.id, unit };
}
async function apiImport(username, unit) {
  const s = await srv.login(username);
  const r = await srv.request('POST', '/api/v1/imports', {
    session: s,
    rawBody: Buffer.from('Họ và tên,Tổ dân phố\r\nNgười Nhập Ma Trận,Tổ dân phố số 1\r\n'),
    headers: { 'content-type': 'text/csv' },
  });
  if (r.status !== 201) throw new Error(`upload by ${username}: ${r.status} ${r.text}`);
  return { id: r.json.id, by: username, unit };
}
// A data subject's request about a person registered in `unit`, filed through an account linked to
// that person (one per unit, shared by the accounts that test it).
const requestsByUnit = new Map();
async function apiRequest(unit) {
  if (requestsByUnit.has(unit)) return requestsByUnit.get(unit);
  const s = await cliAdminSession();
  const letters = [...String(requestsByUnit.size)].map((d) => 'abcdefghij'[d]).join(''); // a name holds no digits
  const p = await apiPerson(`Người yêu cầu ${letters}`, unit);
  const username = `mt.req.${requestsByUnit.size}`;
  const u = await srv.request('POST', '/api/v1/users', { session: s, body: { username, display_name: 'Người Yêu Cầu', password: 'Mat-khau-ma-tran-1', unit_id: unit } });
  if (u.status !== 201) throw new Error(`create ${username}: ${u.status} ${u.text}`);
  const l = await srv.request('PUT', `/api/v1/users/${u.json.id}/person`, { session: s, body: { person_id: p.id } });
  if (l.status !== 200) throw new Error(`link ${username}: ${l.status} ${l.text}`);
  const own = await srv.login(username, 'Mat-khau-ma-tran-1');
  const r = await srv.request('POST', '/api/v1/me/requests', { session: own, body: { kind: 'access' } });
  if (r.status !== 201) throw new Error(`request of ${username}: ${r.status} ${r.text}`);
  const q = { id: r.json.id, unit };
  requestsByUnit.set(unit, q);
  return q;
}
// A confirmation from outside of person p, recorded by the city's admin.
async function apiConfirmation(p, who) {
  const s = await cliAdminSession();
  const r = await srv.request('POST', `/api/v1/residents/${p.id}/confirmations`, { session: s, body: { kind: 'course_elsewhere', source: `Ma trận ${who}`, confirmed_on: '2026-01-02' } });
  if (r.status !== 201) throw new Error(`confirmation of ${p.id}: ${r.status} ${r.text}`);
  return { id: r.json.id, person: p };
}
// Đại sứ số: a mentor serving `unit` (their person registered there), and an assignment of a new
// person of `unit` to them, made by the city's admin.
async function apiMentor(unit, who) {
  const s = await cliAdminSession();
  const p = await apiPerson(`Đại sứ ${who}`, unit);
  const r = await srv.request('POST', '/api/v1/ambassadors', { session: s, body: { person_id: p.id, unit_id: unit, kind: 'mentor' } });
  if (r.status !== 201) throw new Error(`mentor in ${unit}: ${r.status} ${r.text}`);
  const mentee = await apiPerson(`Người được hướng dẫn ${who}`, unit);
  const m = await srv.request('POST', '/api/v1/mentorships', { session: s, body: { mentee_id: mentee.id, mentor_id: r.json.id } });
  if (m.status !== 201) throw new Error(`mentorship in ${unit}: ${m.status} ${m.text}`);
  return { id: r.json.id, unit, person: p, ms: { id: m.json.id, unit, mentee } };
}
// A certificate earned by the account of `session` (home unit `unit`): it passes the certificate quiz.
async function apiCertificate(session, unit) {
  const st = await srv.request('POST', `/api/v1/quizzes/${certQuizId}/attempts`, { session });
  if (st.status !== 201) throw new Error(`certificate attempt: ${st.status} ${st.text}`);
  const done = await srv.request('POST', `/api/v1/attempts/${st.json.id}/submit`, { session, body: { answers: [true] } });
  if (done.status !== 200 || done.json.certificates?.length !== 1) throw new Error(`certificate: ${done.status} ${done.text}`);
  return { id: done.json.certificates[0].id, unit };
}
async function cliUser(username, homeCode, homeId) {
  await cli(['user', 'add', username, '--name', `Ngoài ${username}`, ...(homeCode ? ['--unit', homeCode] : []), '--password-stdin'], 'Mat-khau-ma-tran-1\n');
  const id = (await srv.getJSON(await cliAdminSession(), `/api/v1/users?q=${username}`)).items.find((u) => u.username === username)?.id;
  if (!id) throw new Error(`${username} not visible to the city admin`);
  return { id, username, home: homeId, grants: [] };
}
async function cliGrant(t, role, unitCode, unitId) {
  await cli(['user', 'grant', t.username, role, unitCode]);
  const u = await srv.getJSON(await cliAdminSession(), `/api/v1/users/${t.id}`);
  const g = u.roles.find((x) => x.role === role && x.unit_id === unitId);
  if (!g) throw new Error(`grant ${role}@${unitCode} of ${t.username} not found`);
  const out = { id: g.id, role, unit: unitId };
  t.grants.push(out);
  return out;
}
// An operator account on the city (made through the CLI): it sees what the ward admin cannot.
let cityAdmin;
// An event organised by `unit` (issue 9 part 6), made by the city's admin.
async function apiEvent(unit, who) {
  const s = await cliAdminSession();
  const r = await srv.request('POST', '/api/v1/events', { session: s, body: { title: `Ngày hội ma trận ${who}`, held_on: '2025-10-10', place: 'Nhà văn hóa', unit_id: unit } });
  if (r.status !== 201) throw new Error(`event of ${who}: ${r.status} ${r.text}`);
  return { id: r.json.id, unit };
}
// A training class organised by `unit` (issue 9 part 5), made by the city's admin.
async function apiClass(unit, who) {
  const s = await cliAdminSession();
  const r = await srv.request('POST', '/api/v1/classes', { session: s, body: { title: `Lớp ma trận ${who}`, unit_id: unit } });
  if (r.status !== 201) throw new Error(`class of ${who}: ${r.status} ${r.text}`);
  return { id: r.json.id, unit };
}
async function cliAdminSession() {
  if (cityAdmin) return cityAdmin;
  await cli(['user', 'add', 'ma.tran.tp', '--name', 'Quản trị thành phố', '--unit', cityCode, '--password-stdin'], 'Mat-khau-ma-tran-1\n');
  await cli(['user', 'grant', 'ma.tran.tp', 'ward_admin', cityCode]);
  cityAdmin = await srv.login('ma.tran.tp', 'Mat-khau-ma-tran-1');
  return cityAdmin;
}

// A value for a declared field: within its bounds, so that the dispatcher's validation passes and
// what follows (capability, scope) decides. The handler may still refuse it (4xx), which is fine.
function valueFor(f, ctx) {
  if (f.name === ctx.scopeField && ctx.unit !== undefined) return ctx.unit;
  if (ctx.alsoField && f.name === ctx.alsoField && ctx.also !== undefined) return ctx.also;
  if (f.name === 'role') return ctx.role || 'learner';
  if (f.name === 'person_id' && ctx.person !== undefined) return ctx.person;
  if (f.name === 'participant_id' && ctx.participant !== undefined) return ctx.participant;
  if (f.name === 'mentee_id' && ctx.mentee !== undefined) return ctx.mentee;
  if (f.name === 'mentor_id' && ctx.mentor !== undefined) return ctx.mentor;
  if (f.name === 'quiz_id') return quizId;
  switch (f.type) {
    case 'integer':
      return Math.max(f.min, 1);
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'date':
      return '2026-01-01';
    default: {
      const n = Math.min(Math.max(f.min, 10), f.max || 10);
      return uniq('m').padEnd(n, 'x').slice(0, n);
    }
  }
}

function bodyFor(rt, ctx) {
  if (!rt.body) return undefined;
  const b = {};
  for (const f of rt.body) {
    if (f.name === ctx.scopeField && ctx.unit === null) continue; // left out on purpose
    const also = ctx.alsoField && f.name === ctx.alsoField && ctx.also !== undefined;
    if (f.required || f.name === ctx.scopeField || f.name === 'role' || also) b[f.name] = valueFor(f, ctx);
  }
  return b;
}

function pathFor(rt, params) {
  return rt.path.replace(/\{([a-z_]+)\}/g, (_, name) => {
    if (!(name in params)) throw new Error(`${key(rt)}: no object picker for {${name}}: teach matrix.test.mjs what it names`);
    return String(params[name]);
  });
}

// ---- setup ----------------------------------------------------------------------------------
before(async () => {
  const out = await hocvuso(['routes', '--json']);
  assert.equal(out.code, 0, out.stderr);
  table = JSON.parse(out.stdout).routes;
  srv = await startServer();
  admin = await srv.login('admin');
  meta = await srv.getJSON(admin, '/api/v1/meta');
  caps = await roleCaps(srv, admin);
  const wardId = await srv.unitId(admin, WARD_NAME);
  await learnUnit(wardId);
  const ward = await srv.getJSON(admin, `/api/v1/units/${wardId}`);
  cityId = ward.ancestors[0].id;
  anc.set(cityId, new Set([cityId]));
  cityCode = 'HP';
  await cliAdminSession();
  const tdp1 = await srv.unitId(admin, 'Tổ dân phố số 1');
  const tdp2 = await srv.unitId(admin, 'Tổ dân phố số 2');
  await learnUnit(tdp1);
  await learnUnit(tdp2);
  hhA = await apiHousehold(tdp1);
  hhB = await apiHousehold(tdp2);
  // The plan's task 3.2 (it names the tổ dân phố), a name of its units, and an attachment by the admin.
  wardUnit = wardId;
  tdp1Unit = tdp1;
  tdp2Unit = tdp2;
  planTaskId = (await srv.getJSON(admin, '/api/v1/plan/tasks')).items.find((t) => t.code === '3.2').id;
  planNameId = (await srv.getJSON(admin, '/api/v1/plan/units')).items.find((n) => n.name === 'Hội Phụ nữ phường').id;
  const pa = await srv.request('POST', `/api/v1/plan/tasks/${planTaskId}/attachments?unit_id=${wardId}&name=ma-tran.pdf`, {
    session: admin, rawBody: Buffer.from('%PDF-1.4\n%%EOF\n'), headers: { 'content-type': 'application/pdf' },
  });
  if (pa.status !== 201) throw new Error(`plan attachment: ${pa.status} ${pa.text}`);
  planAttachment = { id: pa.json.id, by: 'admin' };
  const teams = (await srv.getJSON(admin, `/api/v1/field/teams?unit_id=${wardId}&per_page=200`)).items;
  teamA = { id: teams.find((t) => t.unit_id === tdp1).id, unit: tdp1 };
  teamB = { id: teams.find((t) => t.unit_id === tdp2).id, unit: tdp2 };
  for (const [unit, set] of [[tdp1, (x) => (helpA = x)], [tdp2, (x) => (helpB = x)]]) {
    const r = await srv.request('POST', '/api/v1/help-requests', { session: admin, body: { unit_id: unit, requester_name: 'Người Hỏi Ma Trận', description: 'Ma trận' } });
    if (r.status !== 201) throw new Error(`help request: ${r.status} ${r.text}`);
    set({ id: r.json.id, unit });
  }
  // Import jobs: one uploaded by the ward admin (seen from the ward), one by tổ 1's officer.
  jobA = await apiImport('admin', wardId);
  jobB = await apiImport('tdp01', tdp1);
  // The starter curriculum's lessons (the instance's), loaded by the operator.
  await cli(['import', 'curriculum', join(REPO_ROOT, 'content', 'curriculum')]);
  lessonId = (await srv.getJSON(admin, '/api/v1/courses?per_page=1')).items[0].modules[0].lessons[0].id;
  // A question of the bank (the instance's): imported by the ward admin.
  const qi = await srv.request('POST', '/api/v1/questions/import?competency=1.1&level=1', {
    session: admin, rawBody: Buffer.from('::Ma trận::Câu hỏi thử của ma trận quyền?{T}\n'),
  });
  if (qi.status !== 200 || qi.json.imported !== 1) throw new Error(`question import: ${qi.status} ${qi.text}`);
  questionId = (await srv.getJSON(admin, '/api/v1/questions?per_page=1')).items[0].id;
  const qz = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: 'Ma trận', competency: '1.1', question_count: 1, pass_percent: 50 } });
  if (qz.status !== 201) throw new Error(`quiz: ${qz.status} ${qz.text}`);
  quizId = qz.json.id;
  // Certificates: a programme whose one module is passed by a one-question quiz of its own part.
  const cq = await srv.request('POST', '/api/v1/questions/import', {
    session: admin, rawBody: Buffer.from('$CATEGORY: KNS-CB/M01/ma-tran/1.1/1\n\n::Ma trận CN::Câu hỏi chứng nhận của ma trận?{T}\n'),
  });
  if (cq.status !== 200 || cq.json.imported !== 1) throw new Error(`certificate question: ${cq.status} ${cq.text}`);
  const cz = await srv.request('POST', '/api/v1/quizzes', { session: admin, body: { title: 'Ma trận chứng nhận', category: 'KNS-CB/M01/ma-tran', question_count: 1, pass_percent: 100 } });
  if (cz.status !== 201) throw new Error(`certificate quiz: ${cz.status} ${cz.text}`);
  certQuizId = cz.json.id;
  const pg = await srv.request('POST', '/api/v1/programmes', { session: admin, body: { code: 'MT', title: 'Ma trận', requirements: { modules: ['KNS-CB/M01'] } } });
  if (pg.status !== 201) throw new Error(`programme: ${pg.status} ${pg.text}`);
  programmeId = pg.json.id;
  const ind = await srv.request('POST', '/api/v1/indicators/definitions', { session: admin, body: { code: 'MT1', name: 'Người cao tuổi đã học', definition: { base: 'people', population: { group: 'elderly' }, condition: { fact: 'learned' } } } });
  if (ind.status !== 201) throw new Error(`indicator: ${ind.status} ${ind.text}`);
  indicatorDefId = ind.json.id;
  // Another learner's attempt, out of everyone's reach.
  const stranger = await cliUser('mt.hoc.vien', null, null);
  await cli(['user', 'grant', 'mt.hoc.vien', 'learner', 'HP']);
  const ss = await srv.login('mt.hoc.vien', 'Mat-khau-ma-tran-1');
  const oa = await srv.request('POST', `/api/v1/quizzes/${quizId}/attempts`, { session: ss });
  if (oa.status !== 201) throw new Error(`stranger's attempt: ${oa.status} ${oa.text} ${stranger.id}`);
  otherAttempt = { id: oa.json.id };
  for (const [username, a] of Object.entries(ACCOUNTS)) {
    const session = await srv.login(username);
    const me = await srv.getJSON(session, '/api/v1/me');
    for (const g of me.roles) await learnUnit(g.unit_id);
    const unit = me.roles[0].unit_id;
    assert.equal(me.roles[0].unit_name, a.unit);
    // Out of scope: the city for the ward admin, the ward for everyone below it.
    const outUnit = username === 'admin' ? cityId : wardId;
    const tag = username.replace(/[^a-z0-9]/g, '');
    const inUser = await apiUser(`mt.in.${tag}`, unit);
    const inGrant = await apiGrant(inUser, 'learner', unit);
    const copUser = await apiUser(`mt.cop.${tag}`, unit);
    const unitCode = (await srv.getJSON(admin, `/api/v1/units/${unit}`)).code;
    const copGrant = await cliGrant(copUser, 'police', unitCode, unit);
    const partUser = await apiUser(`mt.part.${tag}`, unit);
    await cliGrant(partUser, 'learner', cityCode, cityId);
    const outUser = await cliUser(`mt.out.${tag}`, cityCode, cityId);
    const outGrant = await cliGrant(outUser, 'learner', cityCode, cityId);
    // People: registered in the caller's unit, out of scope, out of scope but a member of the
    // caller's unit, and one more in scope for the delete case.
    const who = username.replace(/[^a-z]/g, ''); // a name holds no digits
    const inPerson = await apiPerson(`Người trong ${who}`, unit);
    const delPerson = await apiPerson(`Người để xóa ${who}`, unit);
    const outPerson = await apiPerson(`Người ngoài ${who}`, outUnit);
    const memberPerson = await apiPerson(`Người làm việc ${who}`, outUnit, unit);
    // Deleted people (for a restore): registered in the caller's unit, and out of scope.
    const delIn = await apiPerson(`Người đã xóa trong ${who}`, unit);
    const delOut = await apiPerson(`Người đã xóa ngoài ${who}`, outUnit);
    for (const p of [delIn, delOut]) {
      const d = await srv.request('DELETE', `/api/v1/residents/${p.id}`, { session: await cliAdminSession() });
      if (d.status !== 204) throw new Error(`delete person ${p.id}: ${d.status} ${d.text}`);
    }
    const inRequest = await apiRequest(unit);
    const outRequest = await apiRequest(outUnit);
    // Confirmations from outside: of a person registered in the caller's unit, out of scope, and of
    // one seen only through a membership (changed through the registering unit only).
    const inConf = await apiConfirmation(inPerson, who);
    const outConf = await apiConfirmation(outPerson, who);
    const memberConf = await apiConfirmation(memberPerson, who);
    const inClass = await apiClass(unit, `${who} trong`);
    const outClass = await apiClass(outUnit, `${who} ngoài`);
    const inEvent = await apiEvent(unit, `${who} trong`);
    const outEvent = await apiEvent(outUnit, `${who} ngoài`);
    const inMentor = await apiMentor(unit, `trong ${who}`);
    const outMentor = await apiMentor(outUnit, `ngoài ${who}`);
    // An attempt of one's own (for those who learn).
    let attempt = null;
    if (me.capabilities.includes('learn')) {
      const st = await srv.request('POST', `/api/v1/quizzes/${quizId}/attempts`, { session });
      if (st.status !== 201 && st.status !== 200) throw new Error(`attempt of ${username}: ${st.status} ${st.text}`);
      attempt = { id: st.json.id };
    }
    // Certificates: the caller's own (for those who learn), one of an account at home in the caller's
    // unit, one of an account at home in the city.
    const own = me.capabilities.includes('learn') ? await apiCertificate(session, unit) : null;
    const inCert = await apiCertificate(await srv.login(inUser.username, 'Mat-khau-ma-tran-1'), unit);
    const outCert = await apiCertificate(await srv.login(outUser.username, 'Mat-khau-ma-tran-1'), cityId);
    acc[username] = { own, inCert, outCert, attempt, session, me, unit, outUnit, inUser, inGrant, copUser, copGrant, partUser, outUser, outGrant, inPerson, delPerson, outPerson, memberPerson, delIn, delOut, inRequest, outRequest, inConf, outConf, memberConf, inClass, outClass, inEvent, outEvent, inMentor, outMentor };
  }
});
after(async () => {
  await finish(srv, assert);
});

// ---- (1) ------------------------------------------------------------------------------------
test('policy: every route asks for the capability its method and resource call for', () => {
  const codes = new Set(meta.capabilities.map((c) => c.code || c));
  const wrong = [];
  for (const rt of table) {
    if (rt.auth === 'public') {
      if (rt.capability !== null || rt.scope !== 'none') wrong.push(`${key(rt)}: public with a capability or scope`);
      continue;
    }
    const want = policyCap(rt);
    if (want !== null && !codes.has(want)) wrong.push(`${key(rt)}: no capability ${want} exists; add the route to CAP_EXCEPTIONS with a reason`);
    if (rt.capability !== want) wrong.push(`${key(rt)}: asks for ${rt.capability}, the policy says ${want}`);
    if (rt.method !== 'GET' && !rt.csrf) wrong.push(`${key(rt)}: changes state without CSRF`);
  }
  assert.deepEqual(wrong, []);
});

test('policy: every object a route names is checked (path ids, unit fields)', () => {
  const wrong = [];
  for (const rt of table) {
    if (rt.auth === 'public') continue;
    const params = [...rt.path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
    if (params.length && rt.scope === 'none' && !(key(rt) in INSTANCE_OBJECTS)) wrong.push(`${key(rt)}: path ids without a scope`);
    if (/\/users\/\{id\}/.test(rt.path) && !['user', 'grant', 'user_role', 'user_person'].includes(rt.scope)) wrong.push(`${key(rt)}: an account in the path, scope ${rt.scope}`);
    if (params.includes('grant_id') && rt.scope !== 'grant') wrong.push(`${key(rt)}: a grant in the path, scope ${rt.scope}`);
    if (rt.scope === 'unit' && rt.scope_from === 'path' && params[0] !== rt.scope_field) wrong.push(`${key(rt)}: scope field ${rt.scope_field} is not the path's id`);
    for (const f of [...(rt.body || []), ...(rt.query || [])]) {
      if (UNIT_FIELDS.test(f.name) && f.name !== rt.scope_field && f.name !== rt.also_unit) wrong.push(`${key(rt)}: field ${f.name} names a unit that is not checked`);
    }
    if (rt.body && rt.body.some((f) => f.name === 'role') && !['user_role'].includes(rt.scope)) wrong.push(`${key(rt)}: a role in the body, scope ${rt.scope}`);
    if (rt.body && rt.body.some((f) => f.name === 'person_id') && !['user_person', 'unit_person', 'ambassador', 'field_team_person'].includes(rt.scope)) wrong.push(`${key(rt)}: a person in the body, scope ${rt.scope}`);
    // A restore names a deleted person: found among the deleted ones, checked the same way.
    // A trader's 4T step names a trader: seen through the registering unit or a market (SCOPE_TRADER).
    const personScope = /\/restore$/.test(rt.path) ? 'person_deleted' : /\/trade-steps$/.test(rt.path) ? 'trader' : 'person';
    if (/^\/api\/v1\/residents\/\{id\}/.test(rt.path) && rt.scope !== personScope) wrong.push(`${key(rt)}: a person in the path, scope ${rt.scope}`);
    if (/^\/api\/v1\/households\/\{id\}/.test(rt.path) && rt.scope !== 'household') wrong.push(`${key(rt)}: a household in the path, scope ${rt.scope}`);
  }
  assert.deepEqual(wrong, []);
});

// ---- (2) ------------------------------------------------------------------------------------
// The cases of one route for one account: [{label, path, body, query, expect}], expect one of
// 'pass', 'deny' (403 forbidden), 'missing' (404), with `field` when the refusal names one.
function casesFor(rt, username) {
  const a = acc[username];
  const cap = rt.capability;
  const hasCap = cap === null || a.me.capabilities.includes(cap);
  const out = [];
  const add = (label, params, ctx, expect) => {
    const c = { label, path: pathFor(rt, params), ctx, expect: hasCap ? expect : 'deny' };
    c.body = bodyFor(rt, { scopeField: rt.scope_field, alsoField: rt.also_unit, ...ctx });
    if ((rt.scope === 'unit' || rt.scope === 'plan_task') && rt.scope_from === 'query' && ctx.unit) c.path += `?${rt.scope_field}=${ctx.unit}`;
    out.push(c);
  };
  const unitExpect = (u) => (u === MISSING ? 'missing' : holds(a, cap, u) ? 'pass' : 'deny');
  const userExpect = (t, write) => (t === null ? 'missing' : (write ? managed(a, cap, t) : visible(a, cap, t)) ? 'pass' : 'deny');
  switch (rt.scope) {
    case 'none':
      if (key(rt) in INSTANCE_OBJECTS) {
        add('an object of the instance', { id: INSTANCE_OBJECTS[key(rt)]() }, {}, 'pass');
        add('missing object', { id: MISSING }, {}, 'missing');
        break;
      }
      add('no object', {}, {}, OWN_ROUTES.has(key(rt)) ? 'own' : 'pass');
      break;
    case 'person': {
      const write = rt.csrf;
      const expectP = (p) => (p === null ? 'missing' : (write ? personManaged(a, cap, p) : personVisible(a, cap, p)) ? 'pass' : 'deny');
      // A delete acts on a person of its own, so that the other routes still find theirs.
      const inP = rt.method === 'DELETE' ? a.delPerson : a.inPerson;
      for (const [label, p] of [['person in scope', inP], ['person out of scope', a.outPerson], ['person seen through a membership', a.memberPerson], ['missing person', null]])
        add(label, { id: p ? p.id : MISSING }, { also: a.unit }, expectP(p));
      if (rt.also_unit) {
        for (const [label, u] of [['second unit out of scope', a.outUnit], ['second unit missing', MISSING]]) {
          const first = expectP(a.inPerson);
          add(label, { id: a.inPerson.id }, { also: u }, first === 'pass' ? unitExpect(u) : first);
        }
      }
      break;
    }
    case 'trader':
      // A trader is reached through the registering unit or a market they trade at; the matrix's
      // people trade at none (trade.test.mjs covers the market), so the registering unit decides and
      // a membership of another kind gives nothing.
      for (const [label, p] of [['person in scope', a.inPerson], ['person out of scope', a.outPerson], ['person seen through a membership', a.memberPerson], ['missing person', null]])
        add(label, { id: p ? p.id : MISSING }, {}, p === null ? 'missing' : personManaged(a, cap, p) ? 'pass' : 'deny');
      break;
    case 'class':
      // A class is reached through its organising unit; a participant in the body must be someone
      // the caller may see (the person registered in the caller's unit).
      for (const [label, k] of [['class of a unit in scope', a.inClass], ['class of a unit out of scope', a.outClass], ['missing class', null]])
        add(label, { id: k ? k.id : MISSING }, { participant: a.inPerson.id }, k === null ? 'missing' : holds(a, cap, k.unit) ? 'pass' : 'deny');
      break;
    case 'event':
      // An event is reached through its organising unit, like a class.
      for (const [label, k] of [['event of a unit in scope', a.inEvent], ['event of a unit out of scope', a.outEvent], ['missing event', null]])
        add(label, { id: k ? k.id : MISSING }, { participant: a.inPerson.id }, k === null ? 'missing' : holds(a, cap, k.unit) ? 'pass' : 'deny');
      break;
    case 'person_deleted':
      // A deleted person, changed through the registering unit; a live one is not found here.
      for (const [label, p] of [['deleted person in scope', a.delIn], ['deleted person out of scope', a.delOut], ['live person', null], ['missing person', null]])
        add(label, { id: p ? p.id : label === 'live person' ? a.inPerson.id : MISSING }, {}, p === null ? 'missing' : personManaged(a, cap, p) ? 'pass' : 'deny');
      break;
    case 'import':
      // A job is its creator's, and seen by whoever holds the capability over its unit.
      for (const [label, j] of [['job of the ward admin', jobA], ["job of tổ 1's officer", jobB], ['missing job', null]])
        add(label, { id: j ? j.id : MISSING }, {}, j === null ? 'missing' : j.by === username || holds(a, cap, j.unit) ? 'pass' : 'deny');
      break;
    case 'attempt':
      // An attempt is its learner's alone: one's own passes, another learner's is refused.
      for (const [label, t] of [['own attempt', a.attempt], ["another learner's attempt", otherAttempt], ['missing attempt', null]])
        add(label, { id: t ? t.id : MISSING }, {}, t === null ? 'missing' : t === a.attempt && t ? 'pass' : 'deny');
      break;
    case 'confirmation':
      // A confirmation is changed through its person's registering unit.
      for (const [label, x] of [['confirmation of a person in scope', a.inConf], ['confirmation of a person out of scope', a.outConf], ['confirmation of a person seen through a membership', a.memberConf], ['missing confirmation', null]])
        add(label, { id: x ? x.id : MISSING }, {}, x === null ? 'missing' : personManaged(a, cap, x.person) ? 'pass' : 'deny');
      break;
    case 'certificate': {
      // Read: the holder's own, or people.read on its unit; revoke: the route's capability on its unit.
      const certCap = cap ?? 'people.read';
      const expectC = (t) => (t === null ? 'missing' : !rt.csrf && t === a.own ? 'pass' : holds(a, certCap, t.unit) ? 'pass' : 'deny');
      const list = [['certificate of an account in scope', a.inCert], ['certificate of an account out of scope', a.outCert], ['missing certificate', null]];
      if (a.own) list.unshift(['own certificate', a.own]);
      for (const [label, t] of list) add(label, { id: t ? t.id : MISSING }, {}, expectC(t));
      break;
    }
    case 'request':
      for (const [label, q] of [['request of a person registered in scope', a.inRequest], ['request of a person out of scope', a.outRequest], ['missing request', null]])
        add(label, { id: q ? q.id : MISSING }, {}, q === null ? 'missing' : holds(a, cap, q.unit) ? 'pass' : 'deny');
      break;
    case 'field_team':
      // A community digital team is reached through its tổ dân phố.
      // A member named in the path ({person_id}: leaving the team) is the team's row, not checked apart.
      for (const [label, t] of [['team of tổ 1', teamA], ['team of tổ 2', teamB], ['missing team', null]])
        add(label, { id: t ? t.id : MISSING, person_id: a.inPerson.id }, {}, t === null ? 'missing' : holds(a, cap, t.unit) ? 'pass' : 'deny');
      break;
    case 'field_team_person': {
      // The team as above, then the person of the body: visible to the caller (people.read).
      const pairs = [
        ['team of tổ 1, person in scope', teamA, a.inPerson],
        ['team of tổ 1, person out of scope', teamA, a.outPerson],
        ['team of tổ 1, person seen through a membership', teamA, a.memberPerson],
        ['team of tổ 2', teamB, a.inPerson],
        ['missing team', null, a.inPerson],
        ['missing person', teamA, null],
      ];
      for (const [label, t, p] of pairs) {
        let expect = t === null ? 'missing' : holds(a, cap, t.unit) ? 'pass' : 'deny';
        if (expect === 'pass') expect = p === null ? 'missing' : personVisible(a, 'people.read', p) ? 'pass' : 'deny';
        add(label, { id: t ? t.id : MISSING }, { person: p ? p.id : MISSING }, expect);
      }
      break;
    }
    case 'help_request':
      // A help request is reached through its tổ dân phố.
      for (const [label, q] of [['request of tổ 1', helpA], ['request of tổ 2', helpB], ['missing request', null]])
        add(label, { id: q ? q.id : MISSING }, {}, q === null ? 'missing' : holds(a, cap, q.unit) ? 'pass' : 'deny');
      break;
    case 'household':
      for (const [label, h] of [['household of tổ 1', hhA], ['household of tổ 2', hhB], ['missing household', null]])
        add(label, { id: h ? h.id : MISSING }, {}, h === null ? 'missing' : holds(a, cap, h.unit) ? 'pass' : 'deny');
      break;
    case 'user_person': {
      const pairs = [
        ['an account and a person in scope', a.inUser, a.inPerson],
        ['a person out of scope', a.inUser, a.outPerson],
        ['a person seen only through a membership', a.inUser, a.memberPerson],
        ['an account out of scope', a.outUser, a.inPerson],
        ['a missing person', a.inUser, null],
        ['a missing account', null, a.inPerson],
      ];
      for (const [label, t, p] of pairs) {
        let expect = userExpect(t, true);
        if (expect === 'pass') expect = p === null ? 'missing' : personManaged(a, 'people.write', p) ? 'pass' : 'deny';
        add(label, { id: t ? t.id : MISSING }, { person: p ? p.id : MISSING }, expect);
      }
      break;
    }
    case 'unit': {
      const params = {};
      for (const [label, u] of [['unit in scope', a.unit], ['unit out of scope', a.outUnit], ['missing unit', MISSING]]) {
        if (rt.scope_from === 'path') params[rt.scope_field] = u;
        add(label, { ...params }, { unit: u, also: a.unit }, unitExpect(u));
      }
      if (rt.also_unit) {
        // The second unit the route names (a move's new parent) is checked like the first.
        if (rt.scope_from === 'path') params[rt.scope_field] = a.unit;
        for (const [label, u] of [['second unit out of scope', a.outUnit], ['second unit missing', MISSING]]) {
          const first = unitExpect(a.unit);
          add(label, { ...params }, { unit: a.unit, also: u }, first === 'pass' ? unitExpect(u) : first);
        }
      }
      const f = [...(rt.body || []), ...(rt.query || [])].find((x) => x.name === rt.scope_field);
      if (f && !f.required) add('unit left out', params, { unit: null }, 'pass');
      break;
    }
    case 'user': {
      const write = rt.csrf;
      for (const [label, t] of [['account in scope', a.inUser], ['account partly out of scope', a.partUser], ['account out of scope', a.outUser], ['missing account', null]])
        add(label, { id: t ? t.id : MISSING }, {}, userExpect(t, write));
      break;
    }
    case 'user_role': {
      const pairs = [
        ['learner on an account and unit in scope', a.inUser, a.unit, 'learner'],
        ['police on an account and unit in scope', a.inUser, a.unit, 'police'],
        ['a unit out of scope', a.inUser, a.outUnit, 'learner'],
        ['an account partly out of scope', a.partUser, a.unit, 'learner'],
        ['an account out of scope', a.outUser, a.unit, 'learner'],
        ['a missing unit', a.inUser, MISSING, 'learner'],
        ['a missing account', null, a.unit, 'learner'],
      ];
      for (const [label, t, u, role] of pairs) {
        let expect = userExpect(t, true);
        if (expect === 'pass') expect = unitExpect(u);
        if (expect === 'pass' && !roleHeld(a, role, u)) expect = 'deny';
        add(label, { id: t ? t.id : MISSING }, { unit: u, role }, expect);
      }
      break;
    }
    case 'grant': {
      const pairs = [
        ['a learner grant in scope', a.inUser, a.inGrant],
        ['a police grant in scope', a.copUser, a.copGrant],
        ['a grant out of scope', a.outUser, a.outGrant],
        ['a missing grant', a.inUser, null],
      ];
      for (const [label, t, g] of pairs) {
        let expect = userExpect(t, true);
        if (expect === 'pass') expect = g === null ? 'missing' : !holds(a, cap, g.unit) || !roleHeld(a, g.role, g.unit) ? 'deny' : 'pass';
        add(label, { id: t.id, grant_id: g ? g.id : MISSING }, {}, expect);
      }
      break;
    }
    // Đại sứ số (ambassadors.h): the unit and the person named; the ambassador's unit (and the
    // resident helped); the mentee (changed: the registering unit) and the mentor's person (seen);
    // an assignment's mentee.
    case 'unit_person':
      for (const [label, u, p] of [['unit and person in scope', a.unit, a.inPerson], ['unit out of scope', a.outUnit, a.inPerson], ['person out of scope', a.unit, a.outPerson], ['person seen through a membership', a.unit, a.memberPerson], ['missing unit', MISSING, a.inPerson], ['missing person', a.unit, null]]) {
        let expect = unitExpect(u);
        if (expect === 'pass') expect = p === null ? 'missing' : personVisible(a, 'people.read', p) ? 'pass' : 'deny';
        add(label, {}, { unit: u, person: p ? p.id : MISSING }, expect);
      }
      break;
    case 'ambassador': {
      const takesPerson = (rt.body || []).some((f) => f.name === 'person_id');
      const list = [['ambassador serving a unit in scope', a.inMentor, a.inPerson], ['ambassador out of scope', a.outMentor, a.inPerson], ['missing ambassador', null, a.inPerson]];
      if (takesPerson) list.push(['resident helped out of scope', a.inMentor, a.outPerson], ['resident helped missing', a.inMentor, null]);
      for (const [label, m, p] of list) {
        let expect = m === null ? 'missing' : holds(a, cap, m.unit) ? 'pass' : 'deny';
        if (expect === 'pass' && takesPerson) expect = p === null ? 'missing' : personVisible(a, 'people.read', p) ? 'pass' : 'deny';
        add(label, { id: m ? m.id : MISSING }, { person: p ? p.id : MISSING }, expect);
      }
      break;
    }
    case 'mentee':
      for (const [label, p, m] of [['mentee and mentor in scope', a.inPerson, a.inMentor], ['mentee out of scope', a.outPerson, a.inMentor], ['mentee seen only through a membership', a.memberPerson, a.inMentor], ['mentor out of scope', a.inPerson, a.outMentor], ['missing mentee', null, a.inMentor], ['missing mentor', a.inPerson, null]]) {
        let expect = p === null ? 'missing' : personManaged(a, cap, p) ? 'pass' : 'deny';
        if (expect === 'pass') expect = m === null ? 'missing' : personVisible(a, 'people.read', m.person) ? 'pass' : 'deny';
        add(label, {}, { mentee: p ? p.id : MISSING, mentor: m ? m.id : MISSING }, expect);
      }
      break;
    case 'mentorship':
      for (const [label, ms] of [['assignment of a mentee in scope', a.inMentor.ms], ['assignment of a mentee out of scope', a.outMentor.ms], ['missing assignment', null]])
        add(label, { id: ms ? ms.id : MISSING }, {}, ms === null ? 'missing' : personManaged(a, cap, ms.mentee) ? 'pass' : 'deny');
      break;
    case 'plan_task':
      // A report on task 3.2, which names "Các Tổ dân phố": for a tổ, with plan.write on that tổ.
      for (const [label, u] of [['a unit the task names (tổ 1)', tdp1Unit], ['a unit the task names (tổ 2)', tdp2Unit]])
        add(label, { id: planTaskId }, { unit: u }, holds(a, cap, u) ? 'pass' : 'deny');
      add('missing task', { id: MISSING }, { unit: tdp1Unit }, 'missing');
      break;
    case 'plan':
      // The plan as a whole: the capability on its ward (checked before the name is looked up).
      // Its object: a name of the plan's units, or a task (a budget).
      add("an object of the plan", { id: rt.path.startsWith('/api/v1/plan/tasks/') ? planTaskId : planNameId }, {}, holds(a, cap, wardUnit) ? 'pass' : 'deny');
      add('missing name', { id: MISSING }, {}, holds(a, cap, wardUnit) ? 'missing' : 'deny');
      break;
    case 'attachment':
      // A plan task's attachment: its uploader, or whoever reads the task (units.read anywhere).
      add("a plan task's attachment", { id: planAttachment.id }, {}, planAttachment.by === username || a.me.capabilities.includes('units.read') ? 'pass' : 'deny');
      add('missing attachment', { id: MISSING }, {}, 'missing');
      break;
    default:
      throw new Error(`${key(rt)}: scope kind "${rt.scope}" unknown to matrix.test.mjs: teach it`);
  }
  return out;
}

function judge(c, r) {
  const code = r.json?.error?.code;
  const what = `${c.label}: ${r.status} ${r.text.slice(0, 200)}`;
  assert.ok(r.status < 500, what);
  if (c.expect === 'own') assert.ok([200, 201, 404].includes(r.status), `expected one's own record or none; ${what}`);
  else if (c.expect === 'deny') assert.ok(r.status === 403 && code === 'forbidden', `expected 403 forbidden; ${what}`);
  else if (c.expect === 'missing') assert.ok(r.status === 404 && code === 'not_found', `expected 404; ${what}`);
  else {
    assert.ok(!(r.status === 403 && code === 'forbidden'), `expected no refusal; ${what}`);
    assert.ok(!(r.status === 401 && code === 'unauthenticated'), `expected no refusal; ${what}`);
    assert.notEqual(r.status, 404, `expected the object to be found; ${what}`);
  }
}

// Log-out last: it ends the session the other cases use.
const order = (rt) => (rt.method === 'DELETE' && rt.path === '/api/v1/session' ? 1 : 0);

test('every logged-in route refuses a caller without a session (401) and a write without CSRF (403)', async () => {
  for (const rt of table.filter((x) => x.auth === 'login')) {
    const cs = casesFor(rt, 'admin');
    const r = await srv.request(rt.method, cs[0].path, { body: cs[0].body });
    assert.equal(r.status, 401, `${key(rt)} without a session: ${r.status} ${r.text}`);
    if (rt.csrf) {
      const w = await srv.request(rt.method, cs[0].path, { body: cs[0].body, cookie: acc.admin.session.cookie, csrf: 'x'.repeat(64) });
      assert.equal(w.status, 403, `${key(rt)} with a wrong CSRF token: ${w.status} ${w.text}`);
      assert.equal(w.json.error.code, 'csrf_failed');
    }
  }
});

test('public routes never refuse for lack of rights', async () => {
  // A public route's object is anyone's to ask about: a certificate is verified by whoever holds its ID.
  const params = { id: acc.admin.inCert.id };
  for (const rt of table.filter((x) => x.auth === 'public')) {
    const r = await srv.request(rt.method, pathFor(rt, params), { body: bodyFor(rt, {}) });
    assert.ok(r.status < 500 && r.status !== 403, `${key(rt)}: ${r.status}`);
  }
});

for (const username of Object.keys(ACCOUNTS)) {
  test(`every route as ${username} (${ACCOUNTS[username].role})`, async () => {
    const routes = table.filter((x) => x.auth === 'login').sort((x, y) => order(x) - order(y));
    let n = 0;
    for (const rt of routes) {
      for (const c of casesFor(rt, username)) {
        // A case that ends the session gets a session of its own.
        const session = order(rt) ? await srv.login(username) : acc[username].session;
        const r = await srv.request(rt.method, c.path, { session, body: c.body });
        judge({ ...c, label: `${username} ${key(rt)} with ${c.label}` }, r);
        n++;
      }
    }
    assert.ok(n >= routes.length);
    // The caller's own session survived everything but its own log-out case.
    assert.equal((await srv.request('GET', '/api/v1/me', { session: acc[username].session })).status, 200);
  });
}

// Tổ công nghệ số cộng đồng: #/to-cong-nghe-so — for a field helper, their team's worklist on a
// phone (households not yet visited, residents left behind, find a household by address or by a
// name typed without diacritics); for an officer, the coverage by tổ dân phố with a link to each
// team. #/to-cong-nghe-so/{team}/ho/{household} logs a visit: who was there, what was guided, each
// resident's outcome. #/to-cong-nghe-so/{team}/bao-cao: the team's activity in a week, month or
// quarter, with its Excel file for the team leader to send up. From the worklist to a saved visit: the household, a resident present, a
// topic, the resident's outcome, "Lưu" — five taps (tests/browser/field.test.mjs counts them).
// Help requests (yêu cầu hỗ trợ): a team's open requests on its page (take one, then find the
// household and log the visit: saving it closes the request); the public form #/yeu-cau-ho-tro (no
// account: the topic chosen from the teams' list, GET /help-requests/topics) says only the request's number.
// Never counts anything itself: the counts, the worklists and the left-behind rule are the server's.
import { h } from '../h.js';
import { api, request, ApiError, hasRoute } from '../api.js';
import {
  pageHeader, section, field, form, pager, empty, setFlash, parsePage, fmtNum, banner, dateField,
  parseDayMonthYear, dateProblem, isoToDayMonthYear, searchForm, disclosure, FieldError, confirmDialog, errorBanner, fmtDate,
} from '../ui.js';
import { personPicker } from '../person-picker.js';

const PER_PAGE = 30;
const BASE = '#/to-cong-nghe-so';

// The topics and outcomes change rarely: read once per page load.
let topicsPromise = null;
function topics() {
  if (!topicsPromise) topicsPromise = api.get('/field/topics').catch((err) => { topicsPromise = null; throw err; });
  return topicsPromise;
}

function todayText() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
}

function pct(share) {
  return `${Math.round((share || 0) * 100)}%`;
}

/* ---------- officers: coverage by tổ dân phố ---------- */

function coverageTable(cov) {
  const cols = ['Tổ dân phố', 'Số hộ', 'Đã đến', 'Tỉ lệ', 'Yêu cầu chưa xong', 'Quá hạn'];
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards field-coverage' },
      h('caption', null, 'Độ phủ theo tổ dân phố: số hộ đã được tổ công nghệ số đến hướng dẫn'),
      h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, cov.items.map((r) => h('tr', { dataset: { unit: String(r.unit_id) } },
        h('td', { dataset: { label: cols[0] } },
          r.team_id ? h('a', { href: `${BASE}/${r.team_id}` }, r.unit_name) : r.unit_name),
        h('td', { dataset: { label: cols[1] } }, fmtNum(r.households)),
        h('td', { dataset: { label: cols[2] } }, fmtNum(r.visited)),
        h('td', { dataset: { label: cols[3] } }, pct(r.share)),
        h('td', { dataset: { label: cols[4] } }, fmtNum(r.help.open)),
        h('td', { dataset: { label: cols[5] }, class: r.help.overdue ? 'field-overdue' : null }, fmtNum(r.help.overdue)))))));
}

function stats(cov) {
  return h('ul', { class: 'stat-list', 'aria-label': 'Độ phủ' },
    h('li', null, h('span', { class: 'stat-value' }, fmtNum(cov.households)), h('span', { class: 'stat-label' }, 'hộ')),
    h('li', null, h('span', { class: 'stat-value' }, fmtNum(cov.visited)), h('span', { class: 'stat-label' }, 'hộ đã đến')),
    h('li', null, h('span', { class: 'stat-value' }, pct(cov.share)), h('span', { class: 'stat-label' }, 'độ phủ')));
}

async function overview(ctx) {
  const [teams, cov, help] = await Promise.all([api.get('/field/teams', { per_page: 200 }), api.get('/field/coverage'),
    api.get('/help-requests/summary')]);
  const byUnit = Object.fromEntries(help.items.map((x) => [x.unit_id, x]));
  for (const r of cov.items) r.help = byUnit[r.unit_id] || { open: 0, overdue: 0 };
  // A helper of one team goes straight to its worklist.
  if (teams.total === 1 && teams.items.length === 1) return teamPage(ctx, teams.items[0].id);
  return h('div', { class: 'page' },
    pageHeader('Tổ công nghệ số cộng đồng', 'Mỗi tổ dân phố một tổ công nghệ số; các thành viên đến từng hộ hướng dẫn người dân dùng điện thoại thông minh, VNeID, dịch vụ công trực tuyến, thanh toán không dùng tiền mặt.'),
    section('Độ phủ', stats(cov), h('p', { class: 'muted' }, `Yêu cầu hỗ trợ chưa xong: ${fmtNum(help.open)}, quá hạn: ${fmtNum(help.overdue)}.`),
      cov.items.length ? coverageTable(cov) : empty('Không có tổ dân phố nào trong phạm vi của bạn.')));
}

/* ---------- a team: worklists ---------- */

function householdItem(teamId, hh, yc) {
  const title = hh.code ? `Hộ ${hh.code}` : 'Hộ gia đình';
  return h('li', { dataset: { household: String(hh.id) } },
    h('a', { class: 'item-link field-household', href: `${BASE}/${teamId}/ho/${hh.id}${yc ? `?yc=${encodeURIComponent(yc)}` : ''}` },
      h('span', { class: 'choice-text' },
        h('span', { class: 'choice-title' }, hh.head_name ? `${hh.head_name} · ${title}` : title),
        h('span', { class: 'choice-meta' }, `${hh.address || 'Chưa có địa chỉ'} · ${hh.members_count} người`))));
}

function residentItem(teamId, p) {
  const meta = [p.birth_year ? `sinh ${p.birth_year}` : null, `VNeID mức ${p.vneid_level}`, p.address].filter(Boolean).join(' · ');
  const body = h('span', { class: 'choice-text' }, h('span', { class: 'choice-title' }, p.full_name), h('span', { class: 'choice-meta' }, meta));
  return h('li', { dataset: { person: String(p.id) } },
    p.household_id ? h('a', { class: 'item-link', href: `${BASE}/${teamId}/ho/${p.household_id}` }, body) : h('div', { class: 'item-link' }, body));
}

// A member leaves the team (people.write on the tổ): the server keeps them among the former members.
function leaveButton(ctx, team, m, slot) {
  const button = h('button', {
    type: 'button', class: 'btn btn-danger-outline btn-small field-leave', 'aria-label': `Rời tổ: ${m.full_name}`,
    onclick: async () => {
      const yes = await confirmDialog({
        title: 'Cho thành viên rời tổ?',
        message: `${m.full_name} sẽ không còn là thành viên của ${team.name}. Các lượt đến hộ đã ghi vẫn được giữ; việc rời tổ được ghi vào nhật ký.`,
        okLabel: 'Rời tổ', danger: true,
      });
      if (!yes) return;
      button.disabled = true;
      try {
        await api.del(`/field/teams/${encodeURIComponent(team.id)}/members/${encodeURIComponent(m.person_id)}`);
        setFlash(`${m.full_name} đã rời tổ.`);
        ctx.refresh();
      } catch (err) {
        button.disabled = false;
        if (err instanceof ApiError && err.status === 401) throw err;
        slot.replaceChildren(errorBanner(err));
      }
    },
  }, 'Rời tổ');
  return button;
}

function members(ctx, team) {
  const manage = ctx.can('people.write');
  const current = team.members.length ? h('ul', { class: 'item-list field-members' }, team.members.map((m) => {
    const slot = h('div');
    return h('li', { class: 'item-link', dataset: { person: String(m.person_id) } },
      h('span', { class: 'choice-text' },
        h('span', { class: 'choice-title' }, m.full_name, m.role === 'leader' ? ' (tổ trưởng)' : ''),
        h('span', { class: 'choice-meta' }, m.username ? `Tài khoản: ${m.username}` : 'Chưa có tài khoản')),
      manage ? leaveButton(ctx, team, m, slot) : null, slot);
  })) : empty('Tổ chưa có thành viên. Cán bộ tổ dân phố thêm thành viên từ sổ dân cư.');
  const former = (team.former_members || []).length ? h('div', { class: 'field-former' },
    h('h3', null, 'Đã rời tổ'),
    h('ul', { class: 'item-list' }, team.former_members.map((m) => h('li', { class: 'item-link', dataset: { person: String(m.person_id) } },
      h('span', { class: 'choice-text' },
        h('span', { class: 'choice-title' }, m.full_name, m.role === 'leader' ? ' (tổ trưởng)' : ''),
        h('span', { class: 'choice-meta' }, `Rời tổ ngày ${fmtDate(m.ended_at)}${m.ended_by ? `, ghi bởi ${m.ended_by}` : ''}`)))))) : null;
  const add = manage ? personPicker({
    label: 'Thêm thành viên từ sổ dân cư',
    actionLabel: 'Thêm vào tổ',
    act: async (p) => {
      await api.post(`/field/teams/${encodeURIComponent(team.id)}/members`, { person_id: p.id });
      setFlash(`Đã thêm ${p.full_name} vào tổ.`);
      ctx.refresh();
    },
  }) : null;
  return h('div', null, current, add, former);
}

function helpItem(ctx, teamId, q) {
  const me = ctx.me && ctx.me.display_name;
  const meta = [q.channel_label, q.phone, q.address, q.overdue ? 'quá hạn' : null].filter(Boolean).join(' · ');
  const slot = h('div');
  let action = null;
  if (ctx.can('field.write') && q.status === 'open') {
    action = h('button', {
      type: 'button', class: 'btn btn-secondary btn-small',
      onclick: async () => {
        action.disabled = true;
        try {
          await request('POST', `/help-requests/${encodeURIComponent(q.id)}/take`);
          setFlash('Bạn đã nhận yêu cầu. Tìm hộ và ghi lượt đến hộ để đóng yêu cầu.');
          ctx.refresh();
        } catch (err) {
          action.disabled = false;
          if (err instanceof ApiError && err.status === 401) throw err;
          slot.replaceChildren(banner('error', err.message));
        }
      },
    }, 'Nhận yêu cầu');
  } else if (ctx.can('field.write') && q.status === 'taken' && q.taken_by === me) {
    const key = q.address || q.resident_name || q.requester_name;
    action = h('a', { class: 'btn btn-primary btn-small', href: ctx.hashFor(`/to-cong-nghe-so/${teamId}`, { q: key, yc: q.id }) }, 'Tìm hộ và ghi lượt');
  }
  return h('li', { class: 'item-link field-help', dataset: { request: String(q.id) } },
    h('span', { class: 'choice-text' },
      h('span', { class: 'choice-title' }, `${q.resident_name || q.requester_name}: ${q.description}`),
      q.topic_label ? h('span', { class: 'choice-meta field-help-topic' }, `Nội dung: ${q.topic_label}`) : null,
      h('span', { class: 'choice-meta' }, meta),
      h('span', { class: 'choice-meta' }, q.status === 'taken' ? `Đã nhận: ${q.taken_by}` : 'Chưa ai nhận')),
    action, slot);
}

async function teamPage(ctx, teamId) {
  const list = ctx.query.list === 'residents' ? 'residents' : 'households';
  const page = parsePage(ctx.query.page);
  const q = (ctx.query.q || '').trim();
  const team = await api.get(`/field/teams/${encodeURIComponent(teamId)}`);
  const yc = /^\d+$/.test(ctx.query.yc || '') ? ctx.query.yc : null;
  const [work, cov, found, help] = await Promise.all([
    q ? null : api.get(`/field/teams/${encodeURIComponent(teamId)}/worklist`, { list, page, per_page: PER_PAGE }),
    api.get('/field/coverage', { unit_id: team.unit_id }),
    q ? api.get('/field/households', { unit_id: team.unit_id, q }) : null,
    api.get('/help-requests', { unit_id: team.unit_id, status: 'open', per_page: 50 }),
  ]);
  const here = `/to-cong-nghe-so/${teamId}`;
  const tab = (key, label) => h('a', {
    class: `btn ${list === key && !q ? 'btn-primary' : 'btn-secondary'} btn-small`, href: ctx.hashFor(here, key === 'households' ? {} : { list: key }),
    'aria-current': list === key && !q ? 'page' : null,
  }, label);
  let body;
  if (q) {
    body = section(`Kết quả tìm “${q}”`, found.items.length
      ? h('ul', { class: 'item-list field-worklist' }, found.items.map((x) => householdItem(teamId, x, yc)))
      : empty('Không tìm thấy hộ nào. Thử một phần địa chỉ, mã hộ hoặc tên một người trong hộ (gõ không dấu cũng được).'));
  } else if (list === 'households') {
    body = section(`Hộ chưa đến (${fmtNum(work.total)})`, work.items.length
      ? h('ul', { class: 'item-list field-worklist' }, work.items.map((x) => householdItem(teamId, x)))
      : empty('Tổ đã đến tất cả các hộ.'),
    pager(work, (n) => ctx.setQuery({ page: n > 1 ? String(n) : '' }), 'hộ'));
  } else {
    body = section(`Người còn bị bỏ lại (${fmtNum(work.total)})`,
      h('p', { class: 'muted' }, 'Người từ 18 tuổi chưa có chứng nhận, chưa có xác nhận từ bên ngoài và chưa có kết quả hỗ trợ nào (trừ “chưa muốn tham gia”, “cần hỗ trợ thêm”).'),
      work.items.length ? h('ul', { class: 'item-list field-worklist' }, work.items.map((x) => residentItem(teamId, x)))
        : empty('Không còn ai bị bỏ lại.'),
      pager(work, (n) => ctx.setQuery({ page: n > 1 ? String(n) : '' }), 'người'));
  }
  return h('div', { class: 'page field-page' },
    pageHeader(team.name, `${team.unit_name} · đã đến ${fmtNum(cov.visited)}/${fmtNum(cov.households)} hộ (${pct(cov.share)})`),
    h('nav', { class: 'field-tabs', 'aria-label': 'Danh sách việc' }, tab('households', 'Hộ chưa đến'), tab('residents', 'Người còn bị bỏ lại')),
    help.items.length ? section(`Yêu cầu hỗ trợ chưa xong (${fmtNum(help.total)})`,
      h('ul', { class: 'item-list field-help-list' }, help.items.map((x) => helpItem(ctx, teamId, x)))) : null,
    searchForm({
      label: 'Tìm hộ theo địa chỉ hoặc tên người trong hộ', value: q, placeholder: 'ví dụ: nguyen thi huong',
      onSearch: (v) => ctx.go(ctx.hashFor(here, v ? { q: v, yc: yc || '' } : {})),
    }),
    body,
    disclosure(`Thành viên của tổ (${team.members.length})`, members(ctx, team), { iconName: 'people' }),
    h('p', null, h('a', { class: 'btn btn-secondary', href: `#${here}/bao-cao` }, 'Báo cáo hoạt động của tổ')));
}

/* ---------- the team's report ---------- */

const PERIODS = [['week', 'Tuần'], ['month', 'Tháng'], ['quarter', 'Quý']];

function reportTable(caption, cols, rows) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table table-cards field-report-table' },
      h('caption', null, caption),
      h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows.map((r) => h('tr', null, r.map((v, i) => h('td', { dataset: { label: cols[i] } }, typeof v === 'number' ? fmtNum(v) : v)))))));
}

async function reportPage(ctx, teamId) {
  const period = PERIODS.some(([k]) => k === ctx.query.period) ? ctx.query.period : 'month';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(ctx.query.date || '') ? ctx.query.date : null;
  const query = { period };
  if (date) query.date = date;
  const rep = await api.get(`/field/teams/${encodeURIComponent(teamId)}/report`, query);
  const here = `/to-cong-nghe-so/${teamId}/bao-cao`;
  const xlsx = `/api/v1/field/teams/${encodeURIComponent(teamId)}/report.xlsx?${new URLSearchParams(query)}`;
  const pick = form({
    submitLabel: 'Xem báo cáo',
    className: 'field-report-form',
    attrs: { 'aria-label': 'Chọn kỳ báo cáo' },
    onSubmit: async (values) => {
      const problem = dateProblem(values.date);
      if (problem) throw new FieldError('date', problem);
      const iso = parseDayMonthYear(values.date);
      ctx.go(ctx.hashFor(here, { period: values.period, date: iso || '' }));
      return undefined;
    },
  },
  field({ label: 'Kỳ báo cáo', name: 'period', type: 'select', value: period, options: PERIODS.map(([value, label]) => ({ value, label })), optionalMark: false }),
  dateField({ label: 'Một ngày trong kỳ', name: 'date', value: date || '' }));
  return h('div', { class: 'page field-page' },
    pageHeader(`Báo cáo hoạt động: ${rep.label}`, `${rep.team.name} · từ ${isoToDayMonthYear(rep.from)} đến ${isoToDayMonthYear(rep.to)}`,
      h('a', { class: 'btn btn-secondary btn-small', href: `#/to-cong-nghe-so/${teamId}` }, 'Quay lại danh sách')),
    section('Chọn kỳ', pick),
    section('Tổng hợp',
      h('ul', { class: 'stat-list', 'aria-label': 'Tổng hợp' },
        h('li', null, h('span', { class: 'stat-value' }, fmtNum(rep.visits)), h('span', { class: 'stat-label' }, 'lượt đến hộ')),
        h('li', null, h('span', { class: 'stat-value' }, fmtNum(rep.households_visited)), h('span', { class: 'stat-label' }, 'hộ được đến')),
        h('li', null, h('span', { class: 'stat-value' }, fmtNum(rep.residents_guided)), h('span', { class: 'stat-label' }, 'người được hướng dẫn')),
        h('li', null, h('span', { class: 'stat-value' }, `${fmtNum(rep.coverage.visited)}/${fmtNum(rep.coverage.households)}`), h('span', { class: 'stat-label' }, 'hộ đã đến (lũy kế)'))),
      h('p', null, h('a', { class: 'btn btn-primary', href: xlsx, download: '' }, 'Tải báo cáo Excel'))),
    section('Theo nội dung hướng dẫn', rep.by_topic.length
      ? reportTable('Số lượt và số người được hướng dẫn theo nội dung', ['Nội dung', 'Số lượt', 'Số người'], rep.by_topic.map((t) => [t.label, t.visits, t.residents]))
      : empty('Chưa có lượt đến hộ nào trong kỳ.')),
    section('Theo kết quả', reportTable('Số người theo kết quả', ['Kết quả', 'Số người'], rep.by_outcome.map((o) => [o.label, o.residents]))),
    section('Theo người ghi', rep.by_helper.length
      ? reportTable('Số lượt theo người ghi', ['Người ghi', 'Số lượt'], rep.by_helper.map((x) => [x.name, x.visits]))
      : empty('Chưa có ai ghi lượt nào trong kỳ.')));
}

/* ---------- logging a visit ---------- */

function outcomeChoices(personId, outcomes) {
  return h('div', { class: 'choices field-outcomes', hidden: true, dataset: { person: String(personId) } },
    outcomes.map((o) => h('label', { class: 'choice choice-small' },
      h('input', { type: 'checkbox', name: `outcome_${personId}`, value: o.code }),
      h('span', null, o.label))));
}

async function visitPage(ctx, teamId, hhId) {
  const [hh, tp] = await Promise.all([api.get(`/households/${encodeURIComponent(hhId)}`), topics()]);
  const people = hh.members || [];
  const presentBlock = h('div', { class: 'field' },
    h('p', { class: 'field-label', id: 'present-label' }, 'Người có mặt và kết quả'),
    h('p', { class: 'field-hint' }, 'Chạm vào người có mặt, rồi chọn kết quả của người đó.'),
    people.length ? h('ul', { class: 'choice-list', 'aria-labelledby': 'present-label' }, people.map((p) => {
      const outs = outcomeChoices(p.id, tp.outcomes);
      const box = h('input', { type: 'checkbox', name: 'present', value: String(p.id) });
      box.addEventListener('change', () => { outs.hidden = !box.checked; });
      return h('li', null,
        h('label', { class: 'choice' }, box,
          h('span', { class: 'choice-text' }, h('span', { class: 'choice-title' }, p.full_name),
            h('span', { class: 'choice-meta' }, [p.relation, p.birth_year ? `sinh ${p.birth_year}` : null].filter(Boolean).join(' · ')))),
        outs);
    })) : empty('Hộ chưa có thành viên nào trong sổ dân cư.'),
    h('p', { class: 'field-error', hidden: true }));
  const topicBlock = h('div', { class: 'field' },
    h('p', { class: 'field-label', id: 'topics-label' }, 'Nội dung đã hướng dẫn'),
    h('div', { class: 'choices choices-row', role: 'group', 'aria-labelledby': 'topics-label' },
      tp.items.map((t) => h('label', { class: 'choice choice-small' },
        h('input', { type: 'checkbox', name: 'topics', value: t.code }), h('span', null, t.label)))),
    h('p', { class: 'field-error', hidden: true }));
  const back = `${BASE}/${teamId}`;
  const f = form({
    submitLabel: 'Lưu lượt hỗ trợ',
    busyLabel: 'Đang lưu…',
    className: 'field-visit-form',
    attrs: { 'aria-label': 'Ghi lượt đến hộ' },
    onSubmit: async (values, el) => {
      const problem = dateProblem(values.visited_on);
      if (problem) throw new FieldError('visited_on', problem);
      const day = parseDayMonthYear(values.visited_on);
      const chosen = [...el.querySelectorAll('input[name="topics"]:checked')].map((x) => x.value);
      if (!chosen.length) throw new FieldError('topics', 'Chọn ít nhất một nội dung đã hướng dẫn.');
      const present = [...el.querySelectorAll('input[name="present"]:checked')].map((x) => ({
        person_id: Number(x.value),
        outcomes: [...el.querySelectorAll(`input[name="outcome_${x.value}"]:checked`)].map((o) => o.value),
      }));
      const body = { topics: chosen, present };
      if (day) body.visited_on = day;
      if (values.note && values.note.trim()) body.note = values.note.trim();
      const v = await api.post(`/households/${encodeURIComponent(hhId)}/visits`, body);
      const yc = /^\d+$/.test(ctx.query.yc || '') ? ctx.query.yc : null;
      if (yc) {
        await api.post(`/help-requests/${encodeURIComponent(yc)}/done`, { visit_id: v.id });
        setFlash(`Đã lưu lượt đến hộ ngày ${isoToDayMonthYear(v.visited_on)} và đóng yêu cầu hỗ trợ số ${yc}.`);
      } else {
        setFlash(`Đã lưu lượt đến hộ ngày ${isoToDayMonthYear(v.visited_on)}.`);
      }
      ctx.go(back);
      return undefined;
    },
  },
  presentBlock,
  topicBlock,
  dateField({ label: 'Ngày đến hộ', name: 'visited_on', value: todayText(), required: true, optionalMark: false }),
  disclosure('Ghi chú', field({ label: 'Ghi chú', name: 'note', type: 'textarea', maxlength: 500 })));
  return h('div', { class: 'page field-page' },
    pageHeader('Ghi lượt đến hộ', `${hh.code ? `Hộ ${hh.code} · ` : ''}${hh.address || ''}`,
      h('a', { class: 'btn btn-secondary btn-small', href: back }, 'Quay lại danh sách')),
    section('Lượt hỗ trợ', f));
}

/* ---------- the public form (no account) ---------- */

async function publicForm(ctx) {
  const [units, topicList] = await Promise.all([api.get('/help-requests/units').then((x) => x.items),
    api.get('/help-requests/topics').then((x) => x.items)]);
  const result = h('div', { role: 'status' });
  const f = form({
    submitLabel: 'Gửi yêu cầu',
    busyLabel: 'Đang gửi…',
    className: 'help-public-form',
    attrs: { 'aria-label': 'Gửi yêu cầu hỗ trợ' },
    onSubmit: async (values, el) => {
      const body = { unit_id: Number(values.unit_id), relation: values.relation, requester_name: values.requester_name.trim(),
        phone: values.phone.trim(), description: values.description.trim() };
      if (values.resident_name.trim()) body.resident_name = values.resident_name.trim();
      if (values.address.trim()) body.address = values.address.trim();
      if (values.topic) body.topic = values.topic;
      const r = await api.post('/help-requests/public', body);
      el.reset();
      result.replaceChildren(banner('success', `${r.message} Số yêu cầu của bạn: ${r.id}.`));
      result.scrollIntoView({ block: 'nearest' });
      return undefined;
    },
  },
  field({ label: 'Tổ dân phố nơi cần hỗ trợ', name: 'unit_id', type: 'select', required: true, options: [{ value: '', label: 'Chọn tổ dân phố' }, ...units.map((u) => ({ value: String(u.id), label: u.name }))] }),
  field({ label: 'Ai yêu cầu', name: 'relation', type: 'select', value: 'self', optionalMark: false, options: [{ value: 'self', label: 'Tôi cần hỗ trợ' }, { value: 'relative', label: 'Tôi nhờ giúp người thân' }] }),
  field({ label: 'Họ và tên của bạn', name: 'requester_name', required: true, maxlength: 100, autocomplete: 'name' }),
  field({ label: 'Số điện thoại để gọi lại', name: 'phone', type: 'tel', required: true, inputmode: 'tel', autocomplete: 'tel', maxlength: 20 }),
  field({ label: 'Họ tên người cần hỗ trợ', name: 'resident_name', maxlength: 100, hint: 'Khi bạn nhờ giúp người thân.' }),
  field({ label: 'Địa chỉ', name: 'address', maxlength: 300 }),
  field({ label: 'Cần hỗ trợ về nội dung nào', name: 'topic', type: 'select', value: '', optionalMark: false,
    options: [{ value: '', label: 'Chưa rõ hoặc nội dung khác' }, ...topicList.map((x) => ({ value: x.code, label: x.label }))] }),
  field({ label: 'Cần hỗ trợ việc gì', name: 'description', type: 'textarea', required: true, maxlength: 1000, hint: 'Ví dụ: kích hoạt VNeID mức 2 cho mẹ tôi; cài thanh toán bằng mã QR ở sạp hàng.' }));
  return h('div', { class: 'page field-page' },
    pageHeader('Yêu cầu hỗ trợ kỹ năng số', 'Gửi yêu cầu đến tổ công nghệ số cộng đồng của tổ dân phố, không cần tài khoản. Tổ sẽ gọi lại và đến tận nhà hướng dẫn.'),
    result, section('Thông tin yêu cầu', f));
}

export async function render(ctx) {
  if (ctx.params.form) return publicForm(ctx);
  if (!(await hasRoute('/field/teams'))) {
    return h('div', { class: 'page' }, pageHeader('Tổ công nghệ số cộng đồng', null),
      banner('warning', 'Máy chủ chưa có chức năng này. Chức năng sẽ dùng được sau khi hệ thống được cập nhật.'));
  }
  const { id, hh, report } = ctx.params;
  try {
    if (id && report) return await reportPage(ctx, id);
    if (id && hh) return await visitPage(ctx, id, hh);
    if (id) return await teamPage(ctx, id);
    return await overview(ctx);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) {
      return h('div', { class: 'page' }, pageHeader('Tổ công nghệ số cộng đồng', null), banner('error', err.message));
    }
    throw err;
  }
}

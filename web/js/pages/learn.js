// Learning (học tập): #/hoc-tap shows the courses, their modules and lessons (done or not) and each
// module's quiz, then every quiz with the learner's own results and, for content editors, a form
// that makes a quiz from the question bank; #/bai-hoc/:id is one lesson to read (the server's HTML,
// rendered from Markdown without raw HTML), marked done with one tap; #/bai-lam/:id is one attempt: while
// open, its questions with big tap targets on a phone (and the time left); once submitted, the
// score, and each question with the learner's answer, the right one and its explanation.
// Never grades: the server draws, grades and reviews. Each answer is saved on the server as it is
// given (PUT …/answers, a moment after the last change), so that a lost network, a reload or a
// phone that runs out of battery loses nothing: the page opened again shows the saved answers.
import { h, uid, replace } from '../h.js';
import { api, request } from '../api.js';
import { icon } from '../icons.js';
import { pageHeader, section, empty, parsePage, pager, fmtNum, banner, badge, errorBanner, confirmDialog, form, field } from '../ui.js';
import { plain } from './questions.js';

const PER_PAGE = 20;
/* What to do, in the learner's words, for each type of question. */
const LEARNER_HINTS = {
  single: 'Chọn một đáp án.',
  multi: 'Chọn tất cả các đáp án đúng.',
  truefalse: 'Chọn Đúng hoặc Sai.',
  matching: 'Với mỗi mục, chọn điều phù hợp trong danh sách.',
  short: 'Gõ câu trả lời ngắn (gõ không dấu cũng được).',
  numerical: 'Gõ một con số.',
};

/* ---------- the list ---------- */

function status(z) {
  const m = z.mine;
  if (m.open_attempt) return badge('Đang làm dở', 'warning');
  if (m.passed) return badge(`Đã đạt · ${fmtNum(m.best_percent)}%`, 'success');
  if (m.attempts) return badge(`Chưa đạt · cao nhất ${fmtNum(m.best_percent)}%`, 'neutral');
  return badge('Chưa làm', 'neutral');
}

function startButton(z) {
  const used = z.max_attempts > 0 && z.mine.attempts >= z.max_attempts && !z.mine.open_attempt;
  const label = z.mine.open_attempt ? 'Làm tiếp' : z.mine.attempts ? 'Làm lại' : 'Bắt đầu làm bài';
  const slot = h('div', { class: 'row-error' });
  const button = h('button', {
    type: 'button', class: 'btn btn-primary', disabled: used,
    'aria-label': `${label}: ${z.title}`,
    onclick: async () => {
      button.disabled = true;
      try {
        const a = await request('POST', `/quizzes/${encodeURIComponent(z.id)}/attempts`);
        location.hash = `#/bai-lam/${a.id}`;
      } catch (err) {
        button.disabled = false;
        replace(slot, errorBanner(err));
      }
    },
  }, icon('chevron'), h('span', null, label));
  return h('div', { class: 'quiz-actions' }, used ? h('p', { class: 'field-hint' }, 'Bạn đã làm hết số lần cho phép.') : button, slot);
}

function quizCard(z) {
  const facts = [`${fmtNum(z.question_count)} câu`, `đạt từ ${z.pass_percent}%`,
    z.time_limit_min ? `${z.time_limit_min} phút` : 'không giới hạn thời gian',
    z.max_attempts ? `tối đa ${z.max_attempts} lần (đã làm ${z.mine.attempts})` : `đã làm ${z.mine.attempts} lần`];
  return h('li', { class: 'card quiz-card', dataset: { id: String(z.id) } },
    h('h3', { class: 'card-title' }, z.title),
    z.description ? h('p', null, z.description) : null,
    h('p', { class: 'row-sub' }, facts.join(' · ')),
    h('p', null, status(z)),
    startButton(z));
}

function quizForm(ctx, comps) {
  return form({
    submitLabel: 'Tạo bài kiểm tra',
    onSubmit: async (v) => {
      const body = { title: v.title, question_count: Number(v.question_count), pass_percent: Number(v.pass_percent) };
      if (v.description) body.description = v.description;
      if (v.category) body.category = v.category;
      if (v.competency) body.competency = v.competency;
      if (v.level) body.level = Number(v.level);
      if (v.time_limit_min) body.time_limit_min = Number(v.time_limit_min);
      if (v.max_attempts) body.max_attempts = Number(v.max_attempts);
      await api.post('/quizzes', body);
      ctx.refresh();
      return 'Đã tạo bài kiểm tra.';
    },
  },
  field({ label: 'Tên bài kiểm tra', name: 'title', required: true, maxlength: 200 }),
  field({ label: 'Giới thiệu', name: 'description', type: 'textarea' }),
  field({ label: 'Danh mục câu hỏi', name: 'category', hint: 'Ví dụ KNS-CB/M06: chỉ rút câu hỏi của học phần 6. Để trống: mọi danh mục.' }),
  field({ label: 'Năng lực số', name: 'competency', type: 'select', options: [{ value: '', label: 'Mọi năng lực' }].concat(comps.map((c) => ({ value: c.code, label: `${c.code} · ${c.name}` }))) }),
  field({ label: 'Bậc', name: 'level', type: 'select', options: [{ value: '', label: 'Mọi bậc' }].concat([1, 2, 3, 4, 5, 6, 7, 8].map((l) => ({ value: l, label: `Bậc ${l}` }))) }),
  field({ label: 'Số câu hỏi mỗi lượt', name: 'question_count', type: 'number', value: '10', required: true, inputmode: 'numeric' }),
  field({ label: 'Điểm đạt (%)', name: 'pass_percent', type: 'number', value: '70', required: true, inputmode: 'numeric' }),
  field({ label: 'Thời gian (phút, 0: không giới hạn)', name: 'time_limit_min', type: 'number', value: '15', inputmode: 'numeric' }),
  field({ label: 'Số lần làm tối đa (0: không giới hạn)', name: 'max_attempts', type: 'number', value: '3', inputmode: 'numeric' }));
}

function courseSection(course, quizzes) {
  const byId = new Map(quizzes.map((z) => [z.id, z]));
  return section(course.title,
    h('p', null, course.description),
    h('ol', { class: 'module-list' }, course.modules.map((m) => {
      const done = m.lessons.filter((l) => l.done).length;
      const quiz = m.quiz_id ? byId.get(m.quiz_id) : null;
      return h('li', { class: 'card module-card', dataset: { code: m.code } },
        h('h3', { class: 'card-title' }, `${m.code}. ${m.title}`),
        h('p', { class: 'row-sub' }, `${done}/${m.lessons.length} bài đã học · bậc ${m.level}`),
        h('ul', { class: 'lesson-list' }, m.lessons.map((l) => h('li', null,
          h('a', { href: `#/bai-hoc/${l.id}`, class: `lesson-link${l.done ? ' lesson-done' : ''}` },
            l.done ? icon('check') : null, h('span', null, l.title), h('span', { class: 'row-sub' }, ` · ${l.minutes} phút`),
            l.done ? h('span', { class: 'visually-hidden' }, ' (đã học)') : null)))),
        quiz ? h('div', null, h('p', null, status(quiz)), startButton(quiz)) : null);
    })));
}

async function listView(ctx) {
  const page = parsePage(ctx.query.page);
  const [data, courses] = await Promise.all([api.get('/quizzes', { page, per_page: PER_PAGE }), api.get('/courses', { per_page: 20 })]);
  const items = data.items || [];
  const editor = ctx.can('content.write');
  const comps = editor ? (await api.get('/competencies', { per_page: 200 })).items || [] : [];
  // "Năng lực số của tôi" (competence.js, loaded here only: a lesson page does not carry it).
  const mine = await import('./competence.js').then((m) => m.mySection(items)).catch((err) => errorBanner(err));
  return h('div', { class: 'page' },
    pageHeader('Học tập', 'Đọc từng bài, rồi làm bài kiểm tra để biết mình đã nắm kỹ năng số đến đâu. Hệ thống chấm điểm ngay khi bạn nộp bài và cho xem lời giải thích của từng câu.'),
    mine,
    (courses.items || []).map((c) => courseSection(c, items)),
    section('Tất cả bài kiểm tra',
      items.length ? h('ul', { class: 'card-list quiz-list' }, items.map(quizCard)) : empty('Chưa có bài kiểm tra nào.'),
      pager(data, (p) => ctx.setQuery({ page: p }), 'bài kiểm tra')),
    editor ? section('Tạo bài kiểm tra mới', quizForm(ctx, comps)) : null);
}

/* ---------- one lesson ---------- */

/* The lesson's HTML (the server's rendering of Markdown, raw HTML refused) rebuilt element by element:
 * only the elements Markdown makes are kept, with no attribute but a link's http(s)/mailto/anchor
 * target; anything else keeps its text only. Nothing is ever parsed into the live page. */
const LESSON_TAGS = new Set(['H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'P', 'UL', 'OL', 'LI', 'STRONG', 'EM', 'CODE', 'PRE',
  'BLOCKQUOTE', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'A', 'HR', 'BR', 'DEL']);
function rebuild(node, into) {
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      into.append(child.textContent);
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      if (!LESSON_TAGS.has(child.tagName)) {
        rebuild(child, into);
        continue;
      }
      // The page's title is the only h1: the lesson's own headings move one level down.
      const heading = /^H([1-6])$/.exec(child.tagName);
      const el = document.createElement(heading ? `h${Math.min(6, Number(heading[1]) + 1)}` : child.tagName.toLowerCase());
      const href = child.tagName === 'A' ? child.getAttribute('href') || '' : '';
      if (href && /^(https?:|mailto:|#)/i.test(href)) {
        el.setAttribute('href', href);
        if (/^https?:/i.test(href)) el.setAttribute('rel', 'noopener noreferrer');
      }
      rebuild(child, el);
      into.append(el);
    }
  }
}
function lessonBody(html) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const body = h('article', { class: 'lesson-body' });
  rebuild(doc.body, body);
  return body;
}

async function lessonView(ctx) {
  const l = await api.get(`/lessons/${encodeURIComponent(ctx.params.id)}`);
  const body = lessonBody(l.html);
  const slot = h('div', { 'aria-live': 'polite' });
  const doneButton = h('button', {
    type: 'button', class: 'btn btn-primary btn-large', disabled: l.done,
    onclick: async () => {
      doneButton.disabled = true;
      try {
        await request('POST', `/lessons/${encodeURIComponent(l.id)}/complete`);
        if (l.next) location.hash = `#/bai-hoc/${l.next}`;
        else location.hash = '#/hoc-tap';
      } catch (err) {
        doneButton.disabled = false;
        replace(slot, errorBanner(err));
      }
    },
  }, icon('check'), h('span', null, l.done ? 'Đã học xong bài này' : l.next ? 'Đã hiểu, sang bài tiếp' : 'Đã hiểu, xong học phần'));
  return h('div', { class: 'page' },
    pageHeader(l.title, `${l.module.code}. ${l.module.title} · khoảng ${l.minutes} phút`,
      h('a', { href: '#/hoc-tap', class: 'btn btn-secondary' }, icon('back'), h('span', null, 'Về danh sách bài'))),
    body,
    h('div', { class: 'lesson-actions' }, doneButton, slot,
      h('p', { class: 'lesson-nav' },
        l.previous ? h('a', { href: `#/bai-hoc/${l.previous}` }, '← Bài trước') : null,
        l.next ? h('a', { href: `#/bai-hoc/${l.next}` }, 'Bài sau →') : null)));
}

/* ---------- one attempt ---------- */

/* An attempt run by a field helper with a resident: who helped, and the way back to that resident. */
function assistedNote(a) {
  return a.assisted ? h('p', { class: 'assisted-note' }, badge(`Làm cùng cán bộ hỗ trợ: ${a.assisted.by_name}`, 'neutral')) : null;
}
function backLink(a) {
  return a.assisted && a.assisted.person_id
    ? h('a', { href: `#/hoc-cung/${a.assisted.person_id}`, class: 'btn btn-secondary' }, icon('back'), h('span', null, 'Về trang học cùng người dân'))
    : h('a', { href: '#/hoc-tap', class: 'btn btn-secondary' }, icon('back'), h('span', null, 'Về danh sách bài'));
}

function questionInput(q) {
  const name = `q${q.index}`;
  const legendId = uid('q');
  const legend = h('legend', { id: legendId, class: 'question-legend' },
    h('span', { class: 'question-number' }, `Câu ${q.index + 1}. `), plain(q.text, q.format));
  const hint = h('p', { class: 'field-hint' }, LEARNER_HINTS[q.type] || '');
  let body;
  if (q.type === 'single' || q.type === 'multi') {
    const type = q.type === 'single' ? 'radio' : 'checkbox';
    body = h('div', { class: 'choices' }, q.options.map((o, i) => {
      const id = uid('o');
      return h('div', { class: 'choice' },
        h('input', { type, id, name, value: String(i) }),
        h('label', { for: id }, plain(o, q.format)));
    }));
  } else if (q.type === 'truefalse') {
    body = h('div', { class: 'choices choices-row' }, [['true', 'Đúng'], ['false', 'Sai']].map(([v, label]) => {
      const id = uid('o');
      return h('div', { class: 'choice' }, h('input', { type: 'radio', id, name, value: v }), h('label', { for: id }, label));
    }));
  } else if (q.type === 'matching') {
    body = h('div', { class: 'match' }, q.items.map((item, i) => {
      const id = uid('m');
      return h('div', { class: 'field' },
        h('label', { for: id, class: 'field-label' }, plain(item, q.format)),
        h('select', { id, name: `${name}.${i}` },
          [h('option', { value: '' }, '— Chọn —')].concat(q.choices.map((c) => h('option', { value: c }, plain(c, q.format))))));
    }));
  } else {
    const id = uid('a');
    body = h('div', { class: 'field' },
      h('label', { for: id, class: 'field-label' }, q.type === 'numerical' ? 'Số bạn trả lời' : 'Câu trả lời của bạn'),
      h('input', { id, name, type: 'text', autocomplete: 'off', inputmode: q.type === 'numerical' ? 'decimal' : 'text' }));
  }
  return h('fieldset', { class: 'question', dataset: { index: String(q.index), type: q.type } }, legend, hint, body);
}

function collect(formEl, questions) {
  return questions.map((q) => {
    const name = `q${q.index}`;
    if (q.type === 'single') {
      const c = formEl.querySelector(`input[name="${name}"]:checked`);
      return c ? Number(c.value) : null;
    }
    if (q.type === 'multi') return [...formEl.querySelectorAll(`input[name="${name}"]:checked`)].map((c) => Number(c.value));
    if (q.type === 'truefalse') {
      const c = formEl.querySelector(`input[name="${name}"]:checked`);
      return c ? c.value === 'true' : null;
    }
    if (q.type === 'matching') return q.items.map((_, i) => formEl.querySelector(`select[name="${name}.${i}"]`).value || null);
    const v = formEl.querySelector(`input[name="${name}"]`).value.trim();
    return v === '' ? null : v;
  });
}

/* Puts saved answers (as collect() reads them) back into the form. */
function fill(formEl, questions, saved) {
  questions.forEach((q, i) => {
    const v = saved[i];
    if (v === null || v === undefined) return;
    const name = `q${q.index}`;
    if (q.type === 'single' || q.type === 'truefalse') {
      const c = formEl.querySelector(`input[name="${name}"][value="${String(v)}"]`);
      if (c) c.checked = true;
    } else if (q.type === 'multi') {
      for (const c of formEl.querySelectorAll(`input[name="${name}"]`)) c.checked = Array.isArray(v) && v.includes(Number(c.value));
    } else if (q.type === 'matching') {
      q.items.forEach((_, k) => {
        const sel = formEl.querySelector(`select[name="${name}.${k}"]`);
        if (sel && Array.isArray(v) && v[k] !== null && v[k] !== undefined) sel.value = v[k];
      });
    } else {
      const input = formEl.querySelector(`input[name="${name}"]`);
      if (input) input.value = String(v);
    }
  });
}

const SAVE_DELAY_MS = 700; // after the last change: one save for a word typed, not one per letter
const RETRY_MS = 5000;
// The submission carries every answer itself: a save still in flight is waited for only this long
// (a phone's network gone quiet leaves a request unanswered for minutes, not refused).
const FLUSH_MAX_MS = 3000;

/* Saves the form's answers a moment after each change, one save at a time; a save that did not
 * arrive is tried again (and says so); a sheet the server refuses (an answer of the wrong form, such
 * as a number it cannot read) is said so, naming the question, and sent again only once something
 * changes; an attempt closed elsewhere reloads the page. Once stopped (submitting), the answer of a
 * save still in flight changes nothing. Returns the status line and flush(): waits, a moment at most,
 * for what is pending (before submitting). */
function autosave(ctx, formEl, a) {
  const line = h('p', { class: 'save-status field-hint', role: 'status', 'aria-live': 'polite' },
    a.saved_answers ? 'Các câu trả lời trước đã được khôi phục.' : 'Câu trả lời được lưu tạm sau mỗi lần chọn.');
  let timerId = null, inFlight = null, dirty = false, stopped = false;
  const at = () => new Date().toLocaleTimeString('vi-VN', { hour: '2-digit', minute: '2-digit' });
  async function saveNow() {
    timerId = null;
    if (stopped) return;
    if (inFlight) { dirty = true; return; }
    dirty = false;
    line.textContent = 'Đang lưu…';
    inFlight = request('PUT', `/attempts/${encodeURIComponent(a.id)}/answers`, { body: { answers: collect(formEl, a.questions) } })
      .then(() => { line.textContent = `Đã lưu tạm lúc ${at()}.`; })
      .catch((err) => {
        if (stopped) return; // submitting: the submission carries the answers
        if (err && (err.status === 409 || err.status === 403 || err.status === 404)) {
          stopped = true;
          line.textContent = err.message;
          ctx.refresh();
          return;
        }
        if (err && (err.status === 400 || err.status === 413)) { // the same sheet would be refused again
          line.textContent = `Chưa lưu được: ${err.message} Sửa lại câu đó để lưu tiếp.`;
          return;
        }
        line.textContent = 'Chưa lưu được (mạng yếu?): sẽ thử lại. Đừng đóng trang.';
        dirty = true;
        if (!timerId) timerId = setTimeout(saveNow, RETRY_MS);
      })
      .finally(() => {
        inFlight = null;
        if (dirty && !timerId && !stopped) timerId = setTimeout(saveNow, SAVE_DELAY_MS);
      });
  }
  const changed = () => {
    if (stopped) return;
    if (timerId) clearTimeout(timerId);
    timerId = setTimeout(saveNow, SAVE_DELAY_MS);
  };
  formEl.addEventListener('change', changed);
  formEl.addEventListener('input', changed);
  return {
    line,
    stop() { stopped = true; if (timerId) clearTimeout(timerId); timerId = null; },
    resume() { stopped = false; },
    async flush() {
      if (!inFlight) return;
      let timeout = null;
      await Promise.race([inFlight.catch(() => {}), new Promise((done) => { timeout = setTimeout(done, FLUSH_MAX_MS); })]);
      clearTimeout(timeout);
    },
  };
}

function timer(deadline) {
  if (!deadline) return null;
  const el = h('p', { class: 'quiz-timer', role: 'timer', 'aria-live': 'off' });
  const tick = () => {
    const left = Math.max(0, Math.round((Date.parse(deadline) - Date.now()) / 1000));
    el.textContent = `Thời gian còn lại: ${Math.floor(left / 60)} phút ${String(left % 60).padStart(2, '0')} giây`;
    if (left > 0 && el.isConnected !== false) setTimeout(tick, 1000);
  };
  tick();
  return el;
}

function openView(ctx, a) {
  const slot = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large' }, icon('check'), h('span', null, 'Nộp bài'));
  const el = h('form', { class: 'form quiz-form', novalidate: true }, a.questions.map(questionInput), slot, h('div', { class: 'form-actions' }, submit));
  if (Array.isArray(a.saved_answers)) fill(el, a.questions, a.saved_answers);
  const saver = autosave(ctx, el, a);
  el.insertBefore(saver.line, slot);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    const answers = collect(el, a.questions);
    const blank = answers.filter((x) => x === null || (Array.isArray(x) && (!x.length || x.every((y) => y === null)))).length;
    const ok = await confirmDialog({
      title: 'Nộp bài?',
      message: blank ? `Bạn còn ${blank} câu chưa trả lời. Sau khi nộp, bạn không sửa được bài nữa.` : 'Sau khi nộp, bạn không sửa được bài nữa.',
      okLabel: 'Nộp bài',
    });
    if (!ok) return;
    submit.disabled = true;
    saver.stop();
    await saver.flush();
    try {
      await request('POST', `/attempts/${encodeURIComponent(a.id)}/submit`, { body: { answers: collect(el, a.questions) } });
      ctx.refresh();
    } catch (err) {
      submit.disabled = false;
      saver.resume();
      replace(slot, errorBanner(err));
    }
  });
  return h('div', { class: 'page' },
    pageHeader(a.title, `${a.questions.length} câu hỏi · đạt từ ${a.pass_percent}%`, backLink(a)),
    assistedNote(a), timer(a.deadline_at), el);
}

function answerText(q, v) {
  if (v === null || v === undefined || (Array.isArray(v) && v.every((x) => x === null))) return 'Bỏ trống';
  const t = (x) => plain(x, q.format);
  if (q.type === 'single') return q.options[v] === undefined ? '—' : t(q.options[v]);
  if (q.type === 'multi') return v.map((i) => t(q.options[i])).join('; ');
  if (q.type === 'truefalse') return v ? 'Đúng' : 'Sai';
  if (q.type === 'matching') return q.items.map((it, i) => `${t(it)} → ${v[i] ? t(v[i]) : '—'}`).join('; ');
  return String(v);
}

function rightText(q) {
  const t = (x) => plain(x, q.format);
  if (q.type === 'single' || q.type === 'multi') return q.options.filter((_, i) => q.shares[i] > 0).map(t).join('; ');
  if (q.type === 'truefalse') return q.right_answer ? 'Đúng' : 'Sai';
  if (q.type === 'matching') return q.items.map((it, i) => `${t(it)} → ${t(q.right_answer[i])}`).join('; ');
  return (q.right_answer || []).join(' hoặc ');
}

// The certificates this submission earned (issued in its own transaction): shown on its review.
function earnedBanner(a) {
  const list = a.certificates || [];
  if (!list.length) return null;
  return h('div', { class: 'banner banner-success cert-earned', role: 'status' },
    h('p', null, h('strong', null, 'Bạn vừa được cấp chứng nhận!')),
    list.map((c) => h('p', null, h('a', { href: `#/chung-nhan/${c.id}`, class: 'btn btn-primary' }, icon('shield'), h('span', null, `Xem chứng nhận: ${c.programme}`)))));
}

function reviewView(a) {
  // Time ran out: the server grades the saved answers (closed at the deadline) the next time it is read.
  const head = a.state === 'expired'
    ? banner('warning', 'Bài làm đã hết thời gian và đang được chấm theo các câu trả lời đã lưu. Hãy tải lại trang.')
    : banner(a.passed ? 'success' : 'warning', a.passed
      ? `Chúc mừng! Bạn đạt ${fmtNum(a.score_percent)}% (cần ${a.pass_percent}%).`
      : `Bạn được ${fmtNum(a.score_percent)}%, cần ${a.pass_percent}% để đạt. Hãy xem lời giải thích rồi làm lại.`);
  return h('div', { class: 'page' },
    pageHeader(a.title, 'Kết quả bài làm', backLink(a)),
    earnedBanner(a),
    head, a.state === 'submitted' && a.deadline_at && a.submitted_at === a.deadline_at
      ? banner('info', 'Hết thời gian làm bài: bài được chấm theo các câu trả lời đã lưu lúc hết giờ.') : null,
    assistedNote(a),
    a.state === 'submitted' ? h('ol', { class: 'review-list' }, a.questions.map((q) => h('li', { class: `review ${q.score >= 1 ? 'review-right' : q.score > 0 ? 'review-partial' : 'review-wrong'}` },
      h('p', { class: 'question-legend' }, plain(q.text, q.format)),
      h('p', null, h('strong', null, 'Bạn trả lời: '), answerText(q, q.your_answer)),
      h('p', null, h('strong', null, 'Đáp án đúng: '), rightText(q)),
      h('p', null, q.score >= 1 ? badge('Đúng', 'success') : q.score > 0 ? badge(`Đúng một phần (${Math.round(q.score * 100)}%)`, 'warning') : badge('Chưa đúng', 'neutral')),
      (q.feedback || []).map((f) => h('p', { class: 'row-sub' }, plain(f, q.format))),
      q.explanation ? h('p', { class: 'explanation' }, h('strong', null, 'Giải thích: '), plain(q.explanation, q.format)) : null))) : null);
}

async function attemptView(ctx) {
  const a = await api.get(`/attempts/${encodeURIComponent(ctx.params.id)}`);
  return a.state === 'open' ? openView(ctx, a) : reviewView(a);
}

export async function render(ctx) {
  if (ctx.params && ctx.params.id) return ctx.path.startsWith('/bai-hoc/') ? lessonView(ctx) : attemptView(ctx);
  return listView(ctx);
}

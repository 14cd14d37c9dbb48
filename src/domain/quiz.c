/* quiz.c: quizzes and attempts (see quiz.h). Only this file writes SQL about quizzes and
 * quiz_attempts; it reads the question bank's rows (qbank.c owns them) by id. */
#include "domain/quiz.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/competence.h"
#include "domain/certs.h"
#include "domain/qbank.h"
#include "util/clock.h"
#include "util/jsonx.h"
#include "util/rand.h"
#include "util/fold.h"
#include "util/utf8.h"

/* A late submission is accepted this long after the deadline (a slow phone's last request). */
#define QUIZ_GRACE_SECONDS 60
/* The most questions a draw considers. */
#define QUIZ_POOL_MAX 20000
/* The longest text kept as an answer (a short answer, a right side chosen in a matching). */
#define QUIZ_TEXT_MAX 1000

STORE_SQL(q_insert, "INSERT INTO quizzes (title, description, category, competency_id, level, question_count,"
                    " pass_percent, time_limit_min, max_attempts, created_by, created_at, purpose)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
#define POOL_WHERE                                                                                         \
  " FROM questions q WHERE q.retired_at IS NULL AND (CAST(? AS BIGINT) IS NULL OR q.competency_id = ?)"   \
  " AND (CAST(? AS BIGINT) IS NULL OR q.level = ?)"                                                        \
  " AND (CAST(? AS TEXT) IS NULL OR q.category = ? OR q.category LIKE ? ESCAPE '\\')"
STORE_SQL(q_pool, "SELECT q.id, q.competency_id" POOL_WHERE " ORDER BY q.id LIMIT ?");
STORE_SQL(q_pool_n, "SELECT COUNT(*) FROM (SELECT 1" POOL_WHERE " LIMIT 1) n_");
STORE_SQL(q_quiz, "SELECT id, title, description, category, competency_id, level, question_count, pass_percent,"
                  " time_limit_min, max_attempts, purpose, (SELECT revision FROM question_bank_state WHERE id = 1)"
                  " FROM quizzes WHERE id = ? AND retired_at IS NULL");
/* The learner's attempts: their own (not those they ran as a field helper for someone else), and
 * those a helper ran with them (their person). Binds the account, then the person (NULL: none). */
#define LEARNER_ATTEMPTS " AND ((a.assisted_by IS NULL AND a.user_id = ?) OR a.person_id = ?)"
STORE_SQL(q_list, "SELECT z.id, z.title, z.description, z.question_count, z.pass_percent, z.time_limit_min,"
                  " z.max_attempts, c.code, z.level, z.category,"
                  " (SELECT COUNT(*) FROM quiz_attempts a WHERE a.quiz_id = z.id" LEARNER_ATTEMPTS "),"
                  " (SELECT MAX(score_tenths) FROM quiz_attempts a WHERE a.quiz_id = z.id" LEARNER_ATTEMPTS "),"
                  " (SELECT MAX(a.id) FROM quiz_attempts a WHERE a.quiz_id = z.id AND a.user_id = ?"
                  " AND a.assisted_by IS NULL AND a.submitted_at IS NULL AND (a.deadline_at IS NULL OR a.deadline_at >= ?)),"
                  " z.purpose"
                  " FROM quizzes z LEFT JOIN competencies c ON c.id = z.competency_id WHERE z.retired_at IS NULL"
                  " ORDER BY z.id LIMIT ? OFFSET ?");
STORE_SQL(q_count, "SELECT COUNT(*) FROM quizzes WHERE retired_at IS NULL");
/* The attempt still open: one's own, or (assisted) the one this helper runs with this person. */
STORE_SQL(q_open, "SELECT id FROM quiz_attempts WHERE quiz_id = ? AND user_id = ? AND assisted_by IS NULL"
                  " AND submitted_at IS NULL AND (deadline_at IS NULL OR deadline_at >= ?) ORDER BY id DESC LIMIT 1");
STORE_SQL(q_open_assisted, "SELECT id FROM quiz_attempts WHERE quiz_id = ? AND user_id = ? AND person_id = ?"
                           " AND assisted_by IS NOT NULL AND submitted_at IS NULL"
                           " AND (deadline_at IS NULL OR deadline_at >= ?) ORDER BY id DESC LIMIT 1");
/* Attempts used count the learner's (LEARNER_ATTEMPTS): an assisted attempt is the resident's. */
STORE_SQL(q_used, "SELECT COUNT(*) FROM quiz_attempts a WHERE a.quiz_id = ?" LEARNER_ATTEMPTS);
STORE_SQL(q_attempt_insert, "INSERT INTO quiz_attempts (quiz_id, user_id, person_id, started_at, deadline_at, items,"
                            " assisted_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_owner, "SELECT user_id FROM quiz_attempts WHERE id = ?");
STORE_SQL(q_attempt, "SELECT a.id, a.quiz_id, z.title, z.pass_percent, a.started_at, a.deadline_at, a.submitted_at,"
                     " a.score_tenths, a.passed, a.items, a.answers, a.results, z.purpose, a.assisted_by,"
                     " h.display_name, a.person_id, a.user_id, z.category FROM quiz_attempts a"
                     " JOIN quizzes z ON z.id = a.quiz_id LEFT JOIN users h ON h.id = a.assisted_by WHERE a.id = ?");
STORE_SQL(q_close, "UPDATE quiz_attempts SET submitted_at = ?, score_tenths = ?, passed = ?, answers = ?, results = ?"
                   " WHERE id = ? AND submitted_at IS NULL");
STORE_SQL(q_question, "SELECT id, type, text, format, body, explanation, competency_id FROM questions WHERE id = ?");
/* Attempts whose time and grace ran out with nobody submitting them (index quiz_attempts_due,
 * migration 41), for the maintenance sweep. */
STORE_SQL(q_expired, "SELECT id FROM quiz_attempts WHERE submitted_at IS NULL AND deadline_at IS NOT NULL"
                     " AND deadline_at < ? ORDER BY deadline_at LIMIT ?");
/* An open attempt's questions (to check saved answers against) and the moments that close it. */
STORE_SQL(q_sheet, "SELECT items, submitted_at, deadline_at, user_id FROM quiz_attempts WHERE id = ?");
/* The saved answers of an attempt still open at `now` (its deadline and the grace past it). */
STORE_SQL(q_save_answers, "UPDATE quiz_attempts SET answers = ? WHERE id = ? AND user_id = ? AND submitted_at IS NULL"
                          " AND (deadline_at IS NULL OR deadline_at + ? >= ?)");
STORE_SQL(q_by_title, "SELECT id FROM quizzes WHERE title = ? AND retired_at IS NULL ORDER BY id LIMIT 1");

/* ---- quizzes ---- */

/* Binds POOL_WHERE's parameters from 1; the next index. `like` holds the prefix pattern. */
static int bind_pool(store_stmt *s, int64_t comp, int level, const char *category, char *like, size_t likelen) {
  int i = 1;
  store_bind_id(s, i++, comp);
  store_bind_id(s, i++, comp);
  store_bind_id(s, i++, level);
  store_bind_id(s, i++, level);
  if (category && *category) {
    size_t o = text_like_escape(category, like, likelen - 2);
    like[o++] = '/';
    like[o++] = '%';
    like[o] = 0;
    store_bind_text(s, i++, category);
    store_bind_text(s, i++, category);
    store_bind_text(s, i++, like);
  } else {
    for (int k = 0; k < 3; k++) store_bind_null(s, i++);
  }
  return i;
}

int quiz_create(store_conn *w, const quiz_def *d, int64_t user_id, int64_t *id, app_err *e) {
  int64_t comp = 0;
  if (d->purpose && *d->purpose && strcmp(d->purpose, "practice") != 0 && strcmp(d->purpose, "placement") != 0)
    return app_fail(e, 400, "invalid_value", "purpose", "Mục đích phải là practice (luyện tập) hoặc placement (kiểm tra đầu vào, đo lại khi kết thúc).");
  if (d->competency) {
    qbank_comps k;
    if (qbank_comps_load(w, &k) != 0) return APP_INTERNAL(e);
    comp = qbank_comp_id(&k, d->competency);
    if (!comp) return app_fail(e, 400, "invalid_value", "competency", "Không có năng lực số mang mã này.");
  }
  char like[520];
  store_stmt *n = store_prepare(w, &q_pool_n);
  if (!n) return APP_INTERNAL(e);
  bind_pool(n, comp, d->level, d->category, like, sizeof like);
  int rc = store_step(n);
  int64_t found = rc == STORE_ROW ? store_col_int(n, 0) : -1;
  store_reset(n);
  if (found < 0) return APP_INTERNAL(e);
  if (found == 0)
    return app_fail(e, 409, "conflict", "competency",
                    "Ngân hàng chưa có câu hỏi nào theo năng lực, bậc và danh mục đã chọn: hãy nhập câu hỏi trước.");
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) return APP_INTERNAL(e);
  store_bind_text(s, 1, d->title);
  store_bind_text(s, 2, d->description ? d->description : "");
  store_bind_text(s, 3, d->category && *d->category ? d->category : NULL);
  store_bind_id(s, 4, comp);
  store_bind_id(s, 5, d->level);
  store_bind_int(s, 6, d->question_count);
  store_bind_int(s, 7, d->pass_percent);
  store_bind_int(s, 8, d->time_limit_min);
  store_bind_int(s, 9, d->max_attempts);
  store_bind_id(s, 10, user_id);
  store_bind_int(s, 11, clock_now());
  store_bind_text(s, 12, d->purpose && *d->purpose ? d->purpose : "practice");
  return store_insert_id(s, id) == STORE_DONE ? 0 : APP_INTERNAL(e);
}

static json_t *text_or_null(store_stmt *s, int i) { return store_col_is_null(s, i) ? json_null() : json_string(store_col_text(s, i)); }

int quiz_list(store_conn *c, int64_t user_id, int64_t person_id, int page, int per_page, json_t **items_out, int64_t *total, app_err *e) {
  store_stmt *n = store_prepare(c, &q_count);
  if (!n) return APP_INTERNAL(e);
  int rc = store_step(n);
  *total = rc == STORE_ROW ? store_col_int(n, 0) : 0;
  store_reset(n);
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  store_stmt *s = store_prepare(c, &q_list);
  json_t *items = json_array();
  if (!s || !items) {
    json_decref(items);
    return APP_INTERNAL(e);
  }
  store_bind_int(s, 1, user_id);
  store_bind_id(s, 2, person_id);
  store_bind_int(s, 3, user_id);
  store_bind_id(s, 4, person_id);
  store_bind_int(s, 5, user_id);
  store_bind_int(s, 6, clock_now() - QUIZ_GRACE_SECONDS); /* open while it can be submitted (view_of) */
  store_bind_int(s, 7, per_page);
  store_bind_int(s, 8, (int64_t)(page - 1) * per_page);
  while ((rc = store_step(s)) == STORE_ROW) {
    int pass = (int)store_col_int(s, 4);
    bool scored = !store_col_is_null(s, 11);
    double best = scored ? (double)store_col_int(s, 11) / 10 : 0;
    json_array_append_new(
        items, json_pack("{s:I, s:s, s:s, s:i, s:i, s:i, s:i, s:o, s:o, s:o, s:s, s:{s:i, s:o, s:b, s:o}}", "id",
                         (json_int_t)store_col_int(s, 0), "title", store_col_text(s, 1), "description",
                         store_col_text(s, 2), "question_count", (int)store_col_int(s, 3), "pass_percent", pass,
                         "time_limit_min", (int)store_col_int(s, 5), "max_attempts", (int)store_col_int(s, 6),
                         "competency", text_or_null(s, 7),
                         "level", store_col_is_null(s, 8) ? json_null() : json_integer(store_col_int(s, 8)),
                         "category", text_or_null(s, 9), "purpose", store_col_text(s, 13), "mine", "attempts", (int)store_col_int(s, 10),
                         "best_percent", scored ? json_real(best) : json_null(), "passed", scored && best >= pass,
                         "open_attempt", store_col_is_null(s, 12) ? json_null() : json_integer(store_col_int(s, 12))));
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(items);
    return APP_INTERNAL(e);
  }
  *items_out = items;
  return 0;
}

/* ---- a question as stored, and as shown ---- */

typedef struct stored_q {
  int64_t id, comp; /* comp: its competence */
  char type[16];
  json_t *row; /* {text, format, explanation, body{answers, answer, feedback_*}} */
} stored_q;

/* Questions parsed once per process: a question's row never changes (an edited question is a new
 * row; qbank.c retires, never updates), so its parsed form is shared, read-only, by every attempt
 * that draws it (jansson's reference counts are atomic). A slot is taken over by a newer id that
 * hashes to it. */
#define QCACHE_SLOTS 4096
static struct qcache_slot {
  uint64_t db; /* store_conn_serial: the database the row was read from */
  int64_t id, comp;
  char type[16];
  json_t *row;
} qcache[QCACHE_SLOTS];
static pthread_mutex_t qcache_mu = PTHREAD_MUTEX_INITIALIZER;

static bool qcache_get(uint64_t db, int64_t id, stored_q *q) {
  struct qcache_slot *slot = &qcache[(uint64_t)id % QCACHE_SLOTS];
  pthread_mutex_lock(&qcache_mu);
  bool hit = slot->db == db && slot->id == id && slot->row;
  if (hit) {
    q->id = id;
    q->comp = slot->comp;
    memcpy(q->type, slot->type, sizeof q->type);
    q->row = json_incref(slot->row);
  }
  pthread_mutex_unlock(&qcache_mu);
  return hit;
}

static void qcache_put(uint64_t db, const stored_q *q) {
  struct qcache_slot *slot = &qcache[(uint64_t)q->id % QCACHE_SLOTS];
  pthread_mutex_lock(&qcache_mu);
  json_t *old = slot->row;
  slot->db = db;
  slot->id = q->id;
  slot->comp = q->comp;
  memcpy(slot->type, q->type, sizeof slot->type);
  slot->row = json_incref(q->row);
  pthread_mutex_unlock(&qcache_mu);
  json_decref(old);
}

static void put_json(buf *b, const json_t *v); /* below, with the answers written as text */
static void put_jstr(buf *b, const json_t *v);
static void put_real(buf *b, double v);

/* A piece of JSON text as a string node (the bytes the text answers copy). */
static json_t *rendered(const buf *b) { return b->oom ? NULL : json_stringn(b->data, b->len); }

/* What the text answers write of a question, written once when it is parsed and kept in its row
 * (read-only afterwards, like the rest of it): "_text", "_format", "_explanation" (absent when the
 * row has none), "_options" (each answer's text, by the answer's index) and "_shares" (each
 * answer's fraction), as put_jstr, put_json and put_real write them. */
static int prerender(json_t *row) {
  json_t *answers = json_object_get(json_object_get(row, "body"), "answers"), *a, *opts = json_array(),
         *shares = json_array();
  buf b;
  buf_init(&b);
  int rc = opts && shares ? 0 : -1;
  size_t i;
  static const char *const keys[] = {"text", "format", "explanation"};
  for (size_t k = 0; rc == 0 && k < 3; k++) {
    json_t *v = json_object_get(row, keys[k]);
    if (!v) continue;
    char key[16];
    snprintf(key, sizeof key, "_%s", keys[k]);
    buf_clear(&b);
    if (k < 2) put_jstr(&b, v);
    else put_json(&b, v);
    if (json_object_set_new(row, key, rendered(&b)) != 0) rc = -1;
  }
  json_array_foreach(answers, i, a) {
    buf_clear(&b);
    put_jstr(&b, json_object_get(a, "text"));
    if (json_array_append_new(opts, rendered(&b)) != 0) rc = -1;
    buf_clear(&b);
    put_real(&b, json_number_value(json_object_get(a, "fraction")));
    if (json_array_append_new(shares, rendered(&b)) != 0) rc = -1;
  }
  if (json_object_set_new(row, "_options", opts) != 0 || json_object_set_new(row, "_shares", shares) != 0) rc = -1;
  buf_free(&b);
  return rc;
}

/* Copies a piece prerender() wrote; `i` picks from a list (SIZE_MAX: the key itself). */
static void put_pre(buf *b, const stored_q *q, const char *key, size_t i) {
  json_t *v = json_object_get(q->row, key);
  if (i != SIZE_MAX) v = json_array_get(v, i);
  if (json_is_string(v)) buf_append(b, json_string_value(v), json_string_length(v));
  else buf_append(b, "null", 4); /* an index past the answers: as put_jstr of nothing */
}

static int load_question(store_conn *c, int64_t id, stored_q *q) {
  memset(q, 0, sizeof *q);
  if (qcache_get(store_conn_serial(c), id, q)) return 0;
  store_stmt *s = store_prepare(c, &q_question);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    q->id = id;
    q->comp = store_col_int(s, 6);
    snprintf(q->type, sizeof q->type, "%s", store_col_text(s, 1));
    json_t *body = json_loads(store_col_text(s, 4), 0, NULL);
    q->row = json_pack("{s:s, s:s, s:o, s:o}", "text", store_col_text(s, 2), "format", store_col_text(s, 3), "explanation",
                       text_or_null(s, 5), "body", body ? body : json_object());
    if (q->row && prerender(q->row) != 0) {
      json_decref(q->row);
      q->row = NULL;
    }
  }
  store_reset(s);
  if (rc == STORE_ROW && q->row) qcache_put(store_conn_serial(c), q);
  return rc == STORE_ROW && q->row ? 0 : -1;
}

/* An attempt's items (the questions drawn, their options' order) parsed once per text: the start
 * leaves what it drew, the submission (or a view, a save of answers) reads the row and finds the
 * same text. Compared
 * by text, never trusted by id alone (an insert rolled back gives its id to another attempt), so
 * there is nothing to invalidate. A slot is taken over by another attempt that hashes to it. */
#define ITEMS_SLOTS 4096
static struct items_slot {
  uint64_t db; /* store_conn_serial */
  int64_t attempt_id;
  char *text; /* owned */
  json_t *items;
} items_memo[ITEMS_SLOTS];
static pthread_mutex_t items_mu = PTHREAD_MUTEX_INITIALIZER;

static void items_put(uint64_t db, int64_t attempt_id, const char *text, json_t *items) {
  char *copy = strdup(text);
  if (!copy) return; /* not kept: parsed when read */
  struct items_slot *slot = &items_memo[(uint64_t)attempt_id % ITEMS_SLOTS];
  pthread_mutex_lock(&items_mu);
  char *old_text = slot->text;
  json_t *old = slot->items;
  *slot = (struct items_slot){db, attempt_id, copy, json_incref(items)};
  pthread_mutex_unlock(&items_mu);
  free(old_text);
  json_decref(old);
}

/* The items of the row read (its text), as kept or parsed (and then kept: an open attempt's
 * answers are saved again and again); NULL when the text is not JSON. */
static json_t *items_of(uint64_t db, int64_t attempt_id, const char *text) {
  struct items_slot *slot = &items_memo[(uint64_t)attempt_id % ITEMS_SLOTS];
  json_t *items = NULL;
  pthread_mutex_lock(&items_mu);
  if (slot->text && slot->db == db && slot->attempt_id == attempt_id && !strcmp(slot->text, text))
    items = json_incref(slot->items);
  pthread_mutex_unlock(&items_mu);
  if (items) return items;
  items = json_loads(text, 0, NULL);
  if (items) items_put(db, attempt_id, text, items);
  return items;
}

static json_t *answers_of(const stored_q *q) { return json_object_get(json_object_get(q->row, "body"), "answers"); }

/* n indices 0..n-1 in a random order. */
static json_t *shuffled(size_t n) {
  size_t *p = malloc(sizeof *p * (n ? n : 1));
  json_t *a = json_array();
  if (!p || !a) {
    free(p);
    json_decref(a);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) p[i] = i;
  for (size_t i = n; i > 1; i--) {
    size_t j = rand_uniform((uint32_t)i);
    size_t t = p[i - 1];
    p[i - 1] = p[j];
    p[j] = t;
  }
  for (size_t i = 0; i < n; i++) json_array_append_new(a, json_integer((json_int_t)p[i]));
  free(p);
  return a;
}

/* What the attempt keeps of a drawn question: its id and the order its options are shown in. */
static json_t *draw_item(const stored_q *q) {
  json_t *it = json_pack("{s:I}", "q", (json_int_t)q->id);
  json_t *answers = answers_of(q);
  if (!strcmp(q->type, "single") || !strcmp(q->type, "multi")) {
    json_object_set_new(it, "order", shuffled(json_array_size(answers)));
  } else if (!strcmp(q->type, "matching")) {
    /* The items to match (those with a left side), and the right sides offered (each once). */
    json_t *left = json_array(), *rights = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(answers, i, a) {
      const char *l = json_string_value(json_object_get(a, "text"));
      const char *m = json_string_value(json_object_get(a, "match"));
      if (l && *l) json_array_append_new(left, json_integer((json_int_t)i));
      bool seen = false;
      size_t k;
      json_t *r;
      json_array_foreach(rights, k, r) seen |= m && !strcmp(json_string_value(r), m);
      if (m && !seen) json_array_append_new(rights, json_string(m));
    }
    json_t *lo = shuffled(json_array_size(left)), *ro = shuffled(json_array_size(rights));
    json_t *left_shown = json_array(), *rights_shown = json_array();
    json_array_foreach(lo, i, a) json_array_append(left_shown, json_array_get(left, (size_t)json_integer_value(a)));
    json_array_foreach(ro, i, a) json_array_append(rights_shown, json_array_get(rights, (size_t)json_integer_value(a)));
    json_object_set_new(it, "order", left_shown);
    json_object_set_new(it, "choices", rights_shown);
    json_decref(left);
    json_decref(rights);
    json_decref(lo);
    json_decref(ro);
  }
  return it;
}

/* A question as the learner sees it: never an answer, a share or a feedback. */
static json_t *shown(const stored_q *q, const json_t *item, size_t index) {
  json_t *o = json_pack("{s:i, s:s, s:O, s:O}", "index", (int)index, "type", q->type, "text",
                        json_object_get(q->row, "text"), "format", json_object_get(q->row, "format"));
  json_t *answers = answers_of(q);
  json_t *order = json_object_get(item, "order");
  size_t i;
  json_t *v;
  if (!strcmp(q->type, "single") || !strcmp(q->type, "multi")) {
    json_t *opts = json_array();
    json_array_foreach(order, i, v) json_array_append(opts, json_object_get(json_array_get(answers, (size_t)json_integer_value(v)), "text"));
    json_object_set_new(o, "options", opts);
  } else if (!strcmp(q->type, "matching")) {
    json_t *items = json_array();
    json_array_foreach(order, i, v) json_array_append(items, json_object_get(json_array_get(answers, (size_t)json_integer_value(v)), "text"));
    json_object_set_new(o, "items", items);
    json_object_set(o, "choices", json_object_get(item, "choices"));
  }
  return o;
}

/* ---- grading ---- */

/* Trimmed, inner runs of spaces made one, folded (case and accents): a short answer's key. */
static char *answer_key(const char *s) {
  char *f = text_fold(s ? s : "");
  if (!f) return NULL;
  size_t o = 0;
  bool space = false;
  for (const char *p = f; *p; p++) {
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
      space = o > 0;
      continue;
    }
    if (space) f[o++] = ' ';
    space = false;
    f[o++] = *p;
  }
  f[o] = 0;
  return f;
}

/* '*' matches any run of characters. Greedy with one back-track point (the last star): at most
 * len(p) * len(t) steps, however many stars the teacher wrote (a recursive match is exponential). */
static bool glob(const char *p, const char *t) {
  const char *star = NULL, *mark = NULL;
  while (*t) {
    if (*p == '*') {
      star = ++p;
      mark = t;
    } else if (*p == *t) {
      p++;
      t++;
    } else if (star) {
      p = star;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (*p == '*') p++;
  return !*p;
}

int quiz_short_match(const char *pattern, const char *text) {
  char *p = answer_key(pattern), *t = answer_key(text);
  int ok = p && t && *t && glob(p, t);
  free(p);
  free(t);
  return ok;
}

#define NUMBER_NOT "phải là một số"
#define NUMBER_AMBIGUOUS "chưa rõ là số nghìn hay số thập phân: một nghìn viết 1000, một phẩy năm viết 1,5"

/* Whether digits[from, to) are thousands groups: 1-3 digits not starting with 0,
 * then groups of exactly three, each after one `mark`. */
static bool thousands(const char *d, size_t from, size_t to, char mark) {
  size_t first = 0, i = from;
  while (i < to && d[i] != mark) i++, first++;
  if (first < 1 || first > 3 || d[from] == '0') return false;
  while (i < to) {
    if (d[i] != mark || to - i < 4) return false;
    for (size_t k = 1; k <= 3; k++)
      if (d[i + k] < '0' || d[i + k] > '9') return false;
    i += 4;
  }
  return true;
}

bool quiz_parse_number(const char *text, double *out, const char **why) {
  char d[80]; /* the digits and marks, spaces gone */
  size_t n = 0;
  bool neg = false, sign_ok = true;
  *why = NUMBER_NOT;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (*p == ' ' || *p == '\t') continue;
    if (p[0] == 0xc2 && p[1] == 0xa0) { /* U+00A0 no-break space */
      p++;
      continue;
    }
    if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x89 || p[2] == 0xaf)) { /* U+2009 thin, U+202F narrow */
      p += 2;
      continue;
    }
    bool minus = *p == '-' || (p[0] == 0xe2 && p[1] == 0x88 && p[2] == 0x92); /* "-" or U+2212 "−" */
    if (minus || *p == '+') {
      if (n > 0 || !sign_ok) return false;
      sign_ok = false;
      neg = minus;
      if (*p == 0xe2) p += 2;
      continue;
    }
    if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == ',') || n + 1 >= sizeof d) return false;
    d[n++] = (char)*p;
  }
  d[n] = 0;
  size_t dots = 0, commas = 0, digits = 0, last = n; /* last: the last mark's index */
  for (size_t i = 0; i < n; i++) {
    if (d[i] == '.') dots++;
    else if (d[i] == ',') commas++;
    else digits++;
    if (d[i] == '.' || d[i] == ',') last = i;
  }
  if (digits == 0) return false;
  char decimal = 0, group = 0;
  if (dots && commas) {
    decimal = d[last];
    group = decimal == '.' ? ',' : '.';
    if ((decimal == '.' ? dots : commas) != 1) return false; /* "1.000,5.0" */
  } else if (dots + commas >= 2) {
    group = dots ? '.' : ',';
  } else if (dots + commas == 1) {
    decimal = d[last];
    size_t after = n - last - 1;
    if (after == 3 && thousands(d, 0, n, decimal)) {
      *why = NUMBER_AMBIGUOUS;
      return false;
    }
  }
  size_t int_end = decimal ? last : n;
  if (group && !thousands(d, 0, int_end, group)) return false;
  /* the C locale's form: the integer digits, ".", the decimals */
  char c[80];
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (d[i] == group) continue;
    c[o++] = d[i] == decimal ? '.' : d[i];
  }
  c[o] = 0;
  char *end;
  double x = strtod(c, &end);
  if (*end || !isfinite(x)) return false;
  *out = neg ? -x : x;
  return true;
}

static bool parse_number(const json_t *v, double *x, const char **why) {
  if (json_is_number(v)) {
    *x = json_number_value(v);
    return true;
  }
  const char *s = json_string_value(v);
  *why = NUMBER_NOT;
  if (!s || json_string_length(v) > 64) return false; /* kept as given: a number, not a page of spaces */
  return quiz_parse_number(s, x, why);
}

static double share(const json_t *answers, size_t i) {
  return json_number_value(json_object_get(json_array_get(answers, i), "fraction"));
}

/* One question's score 0..1 for the learner's answer; -1 with *why for a malformed answer. */
static double grade(const stored_q *q, const json_t *item, const json_t *ans, const char **why) {
  json_t *answers = answers_of(q);
  json_t *order = json_object_get(item, "order");
  if (json_is_null(ans) || !ans) return 0;
  if (!strcmp(q->type, "single")) {
    if (!json_is_integer(ans) || json_integer_value(ans) < 0 || (size_t)json_integer_value(ans) >= json_array_size(order)) {
      *why = "phải là số thứ tự của một phương án";
      return -1;
    }
    double f = share(answers, (size_t)json_integer_value(json_array_get(order, (size_t)json_integer_value(ans))));
    return f > 0 ? f : 0;
  }
  if (!strcmp(q->type, "multi")) {
    if (!json_is_array(ans)) {
      *why = "phải là danh sách số thứ tự các phương án đã chọn";
      return -1;
    }
    double sum = 0;
    bool seen[128] = {false};
    size_t i;
    json_t *v;
    json_array_foreach(ans, i, v) {
      if (!json_is_integer(v) || json_integer_value(v) < 0 || (size_t)json_integer_value(v) >= json_array_size(order) ||
          json_integer_value(v) >= 128) {
        *why = "phải là danh sách số thứ tự các phương án đã chọn";
        return -1;
      }
      if (seen[json_integer_value(v)]) continue;
      seen[json_integer_value(v)] = true;
      sum += share(answers, (size_t)json_integer_value(json_array_get(order, (size_t)json_integer_value(v))));
    }
    return sum < 0 ? 0 : sum > 1 ? 1 : sum;
  }
  if (!strcmp(q->type, "truefalse")) {
    if (!json_is_boolean(ans)) {
      *why = "phải là true (đúng) hoặc false (sai)";
      return -1;
    }
    return json_is_true(ans) == json_is_true(json_object_get(json_object_get(q->row, "body"), "answer")) ? 1 : 0;
  }
  if (!strcmp(q->type, "matching")) {
    if (!json_is_array(ans) || json_array_size(ans) > json_array_size(order)) {
      *why = "phải là danh sách vế phải đã chọn cho từng mục";
      return -1;
    }
    size_t right = 0, i;
    json_t *v;
    json_array_foreach(ans, i, v) {
      if (!json_is_null(v) && (!json_is_string(v) || json_string_length(v) > QUIZ_TEXT_MAX)) {
        *why = "phải là danh sách vế phải đã chọn cho từng mục";
        return -1;
      }
      const char *want = json_string_value(json_object_get(json_array_get(answers, (size_t)json_integer_value(json_array_get(order, i))), "match"));
      if (json_is_string(v) && want && !strcmp(json_string_value(v), want)) right++;
    }
    return json_array_size(order) ? (double)right / (double)json_array_size(order) : 0;
  }
  if (!strcmp(q->type, "short")) {
    if (!json_is_string(ans) || json_string_length(ans) > QUIZ_TEXT_MAX) {
      *why = "phải là một câu trả lời (tối đa 1000 ký tự)";
      return -1;
    }
    double best = 0;
    size_t i;
    json_t *a;
    json_array_foreach(answers, i, a) {
      double f = json_number_value(json_object_get(a, "fraction"));
      if (f > best && quiz_short_match(json_string_value(json_object_get(a, "text")), json_string_value(ans))) best = f;
    }
    return best;
  }
  if (!strcmp(q->type, "numerical")) {
    double x;
    if (!parse_number(ans, &x, why)) return -1;
    double best = 0;
    size_t i;
    json_t *a;
    json_array_foreach(answers, i, a) {
      const char *t = json_string_value(json_object_get(a, "text"));
      double f = json_number_value(json_object_get(a, "fraction")), target;
      if (!t || !strcmp(t, "*")) continue;
      target = strtod(t, NULL);
      if (f > best && fabs(x - target) <= json_number_value(json_object_get(a, "tolerance")) + 1e-9) best = f;
    }
    return best;
  }
  return 0;
}

/* What the review adds to a question once submitted: the learner's answer, the right one, the
 * feedback their choice earned, the explanation and the score. */
/* A short or numerical answer worth full marks, as the review shows it ("6 ± 0.5" for a number with
 * a tolerance), in out (160 bytes, cut as snprintf cuts); false for an answer worth less. Shared by
 * the tree (add_review) and the text (put_review) so that the two stay byte for byte the same. */
static bool full_mark_text(const stored_q *q, const json_t *a, char out[160]) {
  const char *t = json_string_value(json_object_get(a, "text"));
  if (!t || json_number_value(json_object_get(a, "fraction")) <= 0.999) return false;
  double tol = json_number_value(json_object_get(a, "tolerance"));
  if (!strcmp(q->type, "numerical") && tol > 0) snprintf(out, 160, "%s ± %g", t, tol);
  else snprintf(out, 160, "%s", t);
  return true;
}

static void add_review(json_t *o, const stored_q *q, const json_t *item, const json_t *ans, double score) {
  json_t *answers = answers_of(q);
  json_t *order = json_object_get(item, "order");
  json_t *body = json_object_get(q->row, "body");
  json_object_set_new(o, "your_answer", ans ? json_deep_copy(ans) : json_null());
  json_object_set_new(o, "score", json_real(round(score * 1000) / 1000));
  json_object_set(o, "explanation", json_object_get(q->row, "explanation"));
  json_t *feedback = json_array();
  size_t i;
  json_t *v;
  if (!strcmp(q->type, "single") || !strcmp(q->type, "multi")) {
    json_t *shares = json_array();
    json_array_foreach(order, i, v) {
      json_t *a = json_array_get(answers, (size_t)json_integer_value(v));
      json_array_append_new(shares, json_real(json_number_value(json_object_get(a, "fraction"))));
      bool chosen = (json_is_integer(ans) && (size_t)json_integer_value(ans) == i);
      size_t k;
      json_t *c;
      if (json_is_array(ans)) json_array_foreach(ans, k, c) chosen |= json_is_integer(c) && (size_t)json_integer_value(c) == i;
      const char *fb = json_string_value(json_object_get(a, "feedback"));
      if (chosen && fb) json_array_append_new(feedback, json_string(fb));
    }
    json_object_set_new(o, "shares", shares);
  } else if (!strcmp(q->type, "truefalse")) {
    bool right = json_is_true(json_object_get(body, "answer"));
    json_object_set_new(o, "right_answer", json_boolean(right));
    const char *fb = json_string_value(json_object_get(body, json_is_boolean(ans) && json_is_true(ans) == right ? "feedback_right" : "feedback_wrong"));
    if (fb && json_is_boolean(ans)) json_array_append_new(feedback, json_string(fb));
  } else if (!strcmp(q->type, "matching")) {
    json_t *right = json_array();
    json_array_foreach(order, i, v) json_array_append(right, json_object_get(json_array_get(answers, (size_t)json_integer_value(v)), "match"));
    json_object_set_new(o, "right_answer", right);
  } else {
    /* short / numerical: the answers worth full marks, and the feedback of the one that matched. */
    json_t *right = json_array();
    json_t *a;
    json_array_foreach(answers, i, a) {
      char shown_text[160];
      if (full_mark_text(q, a, shown_text)) json_array_append_new(right, json_string(shown_text));
    }
    json_object_set_new(o, "right_answer", right);
  }
  json_object_set_new(o, "feedback", feedback);
}

/* ---- attempts ---- */

static int attempt_view(store_conn *c, int64_t id, json_t **out, app_err *e);

/* A placement check measures every competence it can: its draw takes one question of each
 * competence in turn (in a random order), then a second of each, and so on; the pool is shuffled
 * whole first. pool[] holds n (id, competence) pairs; the first `take` become the draw. */
static int draw_spread(int64_t *pool, int64_t *comp_of, size_t n, size_t take) {
  for (size_t k = n; k > 1; k--) { /* Fisher–Yates over the whole pool */
    size_t j = rand_uniform((uint32_t)k);
    int64_t t = pool[k - 1], c = comp_of[k - 1];
    pool[k - 1] = pool[j];
    comp_of[k - 1] = comp_of[j];
    pool[j] = t;
    comp_of[j] = c;
  }
  int *rank = malloc(sizeof *rank * (n ? n : 1));
  int64_t *seen = malloc(sizeof *seen * (n ? n : 1));
  int *count = malloc(sizeof *count * (n ? n : 1));
  int64_t *out = malloc(sizeof *out * (n ? n : 1));
  int rc = -1;
  if (!rank || !seen || !count || !out) goto done;
  size_t nseen = 0, got = 0;
  int maxrank = 0;
  for (size_t k = 0; k < n; k++) { /* each question's rank among its competence's, in pool order */
    size_t c = 0;
    while (c < nseen && seen[c] != comp_of[k]) c++;
    if (c == nseen) {
      seen[nseen] = comp_of[k];
      count[nseen++] = 0;
    }
    rank[k] = count[c]++;
    if (rank[k] > maxrank) maxrank = rank[k];
  }
  for (int r = 0; r <= maxrank && got < take; r++)
    for (size_t k = 0; k < n && got < take; k++)
      if (rank[k] == r) out[got++] = pool[k];
  memcpy(pool, out, sizeof *pool * got);
  rc = 0;
done:
  free(rank);
  free(seen);
  free(count);
  free(out);
  return rc;
}

/* A quiz's pool kept per question bank revision (migration 34: every change of the bank raises
 * it in the changing transaction): a class starting together reads the pool once, not once a
 * learner. A slot is taken over by another quiz that hashes to it. The pool depends on the quiz's
 * competence, level and category, which a quiz never changes (a changed quiz is a new one). */
#define POOL_SLOTS 64
static struct pool_slot {
  uint64_t db; /* store_conn_serial */
  int64_t quiz_id, revision;
  size_t n;
  int64_t *ids, *comps; /* owned */
} pool_cache[POOL_SLOTS];
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;

/* Copies the pool kept for (db, quiz, revision) into ids/comps: true when there was one. */
static bool pool_get(uint64_t db, int64_t quiz_id, int64_t revision, int64_t *ids, int64_t *comps, size_t *n) {
  struct pool_slot *slot = &pool_cache[(uint64_t)quiz_id % POOL_SLOTS];
  pthread_mutex_lock(&pool_mu);
  bool hit = slot->ids && slot->db == db && slot->quiz_id == quiz_id && slot->revision == revision;
  if (hit) {
    memcpy(ids, slot->ids, sizeof *ids * slot->n);
    memcpy(comps, slot->comps, sizeof *comps * slot->n);
    *n = slot->n;
  }
  pthread_mutex_unlock(&pool_mu);
  return hit;
}

static void pool_put(uint64_t db, int64_t quiz_id, int64_t revision, const int64_t *ids, const int64_t *comps,
                     size_t n) {
  int64_t *i2 = malloc(sizeof *i2 * (n ? n : 1)), *c2 = malloc(sizeof *c2 * (n ? n : 1));
  if (!i2 || !c2) { /* not kept: the next start reads it again */
    free(i2);
    free(c2);
    return;
  }
  memcpy(i2, ids, sizeof *ids * n);
  memcpy(c2, comps, sizeof *comps * n);
  struct pool_slot *slot = &pool_cache[(uint64_t)quiz_id % POOL_SLOTS];
  pthread_mutex_lock(&pool_mu);
  int64_t *old_i = slot->ids, *old_c = slot->comps;
  *slot = (struct pool_slot){db, quiz_id, revision, n, i2, c2};
  pthread_mutex_unlock(&pool_mu);
  free(old_i);
  free(old_c);
}

/* What a start draws before it writes: the quiz as read, and its questions drawn (quiz.h). */
struct quiz_draw {
  int64_t quiz_id;
  char title[400], purpose[16];
  int pass, limit_min, max_attempts;
  json_t *items;    /* [{q, order?, choices?}] */
  char *items_text; /* the same, as stored */
};

void quiz_draw_free(quiz_draw *d) {
  if (!d) return;
  json_decref(d->items);
  free(d->items_text);
  free(d);
}

/* The quiz, its pool, and a random draw from it: reads only, on any connection. */
int quiz_draw_new(store_conn *c, int64_t quiz_id, quiz_draw **out, app_err *e) {
  *out = NULL;
  store_stmt *s = store_prepare(c, &q_quiz);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, quiz_id);
  int rc = store_step(s);
  if (rc != STORE_ROW) {
    store_reset(s);
    return rc == STORE_DONE ? app_fail(e, 404, "not_found", "id", "Không tìm thấy bài kiểm tra.") : APP_INTERNAL(e);
  }
  quiz_draw *d = calloc(1, sizeof *d);
  if (!d) {
    store_reset(s);
    return APP_INTERNAL(e);
  }
  d->quiz_id = quiz_id;
  snprintf(d->title, sizeof d->title, "%s", store_col_text(s, 1));
  char category[512];
  snprintf(category, sizeof category, "%s", store_col_is_null(s, 3) ? "" : store_col_text(s, 3));
  int64_t comp = store_col_is_null(s, 4) ? 0 : store_col_int(s, 4);
  int level = store_col_is_null(s, 5) ? 0 : (int)store_col_int(s, 5);
  int count = (int)store_col_int(s, 6);
  d->pass = (int)store_col_int(s, 7);
  d->limit_min = (int)store_col_int(s, 8);
  d->max_attempts = (int)store_col_int(s, 9);
  snprintf(d->purpose, sizeof d->purpose, "%s", store_col_text(s, 10));
  int64_t revision = store_col_is_null(s, 11) ? -1 : store_col_int(s, 11);
  bool placement = !strcmp(d->purpose, "placement");
  store_reset(s);
  /* The pool, then a random sample of it. */
  int ret = -1;
  int64_t *pool = malloc(sizeof *pool * QUIZ_POOL_MAX), *comp_of = malloc(sizeof *comp_of * QUIZ_POOL_MAX);
  size_t n = 0;
  if (!pool || !comp_of) {
    ret = APP_INTERNAL(e);
    goto done;
  }
  uint64_t db = store_conn_serial(c);
  if (revision < 0 || !store_sees_committed(c) || !pool_get(db, quiz_id, revision, pool, comp_of, &n)) {
    s = store_prepare(c, &q_pool);
    if (!s) {
      ret = APP_INTERNAL(e);
      goto done;
    }
    char like[520];
    int i = bind_pool(s, comp, level, category, like, sizeof like);
    store_bind_int(s, i, QUIZ_POOL_MAX);
    while ((rc = store_step(s)) == STORE_ROW) {
      pool[n] = store_col_int(s, 0);
      comp_of[n++] = store_col_int(s, 1);
    }
    store_reset(s);
    if (rc != STORE_DONE) {
      ret = APP_INTERNAL(e);
      goto done;
    }
    /* kept only when read from committed data: a writer's own change could still be rolled back
     * and its revision reached again by another */
    if (revision >= 0 && store_sees_committed(c)) pool_put(db, quiz_id, revision, pool, comp_of, n);
  }
  if (n == 0) {
    ret = app_fail(e, 409, "conflict", "id", "Ngân hàng chưa có câu hỏi nào cho bài kiểm tra này.");
    goto done;
  }
  size_t take = (size_t)count < n ? (size_t)count : n;
  if (placement) {
    if (draw_spread(pool, comp_of, n, take) != 0) {
      ret = APP_INTERNAL(e);
      goto done;
    }
  } else {
    for (size_t k2 = 0; k2 < take; k2++) { /* a partial Fisher–Yates shuffle */
      size_t j = k2 + rand_uniform((uint32_t)(n - k2));
      int64_t t = pool[k2];
      pool[k2] = pool[j];
      pool[j] = t;
    }
  }
  d->items = json_array();
  for (size_t k = 0; d->items && k < take; k++) {
    stored_q q;
    if (load_question(c, pool[k], &q) != 0 || json_array_append_new(d->items, draw_item(&q)) != 0) {
      json_decref(q.row);
      ret = APP_INTERNAL(e);
      goto done;
    }
    json_decref(q.row);
  }
  buf it; /* the items as stored, written as the answers are (no jansson dump) */
  buf_init(&it);
  if (d->items) put_json(&it, d->items);
  d->items_text = d->items && !it.oom ? buf_detach(&it, NULL) : NULL;
  buf_free(&it);
  if (!d->items_text) {
    ret = APP_INTERNAL(e);
    goto done;
  }
  *out = d;
  d = NULL;
  ret = 0;
done:
  free(pool);
  free(comp_of);
  quiz_draw_free(d);
  return ret;
}

int quiz_start_drawn(store_conn *w, const quiz_draw *d, int64_t user_id, int64_t person_id, int64_t assisted_by,
                     int64_t *id, int64_t *started, json_t **out, int *status, app_err *e) {
  int64_t now = clock_now();
  *id = 0;
  *out = NULL;
  /* Still there and not retired, as the transaction sees it. */
  store_stmt *s = store_prepare(w, &q_quiz);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, d->quiz_id);
  int rc = store_step(s);
  store_reset(s);
  if (rc != STORE_ROW)
    return rc == STORE_DONE ? app_fail(e, 404, "not_found", "id", "Không tìm thấy bài kiểm tra.") : APP_INTERNAL(e);
  /* An attempt still open is answered again (a page reloaded on a phone). */
  s = store_prepare(w, assisted_by ? &q_open_assisted : &q_open);
  if (!s) return APP_INTERNAL(e);
  int bi = 1;
  store_bind_int(s, bi++, d->quiz_id);
  store_bind_int(s, bi++, user_id);
  if (assisted_by) store_bind_int(s, bi++, person_id);
  store_bind_int(s, bi, now - QUIZ_GRACE_SECONDS); /* still submittable: the same attempt (view_of, quiz_submit) */
  rc = store_step(s);
  int64_t open = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) return APP_INTERNAL(e);
  if (open) {
    *status = 200;
    return attempt_view(w, open, out, e);
  }
  if (d->max_attempts > 0) {
    s = store_prepare(w, &q_used);
    if (!s) return APP_INTERNAL(e);
    store_bind_int(s, 1, d->quiz_id);
    store_bind_id(s, 2, assisted_by ? 0 : user_id); /* assisted: the resident's attempts alone */
    store_bind_id(s, 3, person_id);
    rc = store_step(s);
    int64_t used = rc == STORE_ROW ? store_col_int(s, 0) : -1;
    store_reset(s);
    if (used < 0) return APP_INTERNAL(e);
    if (used >= d->max_attempts) {
      static _Thread_local char msg[160]; /* app_err keeps the pointer until the answer is sent */
      snprintf(msg, sizeof msg, "%s đã làm đủ %d lần cho phép của bài kiểm tra này.", assisted_by ? "Người này" : "Bạn",
               d->max_attempts);
      return app_fail(e, 409, "conflict", "id", msg);
    }
  }
  s = store_prepare(w, &q_attempt_insert);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, d->quiz_id);
  store_bind_int(s, 2, user_id);
  store_bind_id(s, 3, person_id);
  store_bind_int(s, 4, now);
  store_bind_id(s, 5, d->limit_min > 0 ? now + (int64_t)d->limit_min * 60 : 0);
  store_bind_text(s, 6, d->items_text);
  store_bind_id(s, 7, assisted_by);
  if (store_insert_id(s, id) != STORE_DONE) return APP_INTERNAL(e);
  *started = now;
  *status = 201;
  return 0;
}

/* The whole start on the writer (the assisted start: rare, and the helper's own). */
static int start_attempt(store_conn *w, int64_t quiz_id, int64_t user_id, int64_t person_id, int64_t assisted_by,
                         json_t **out, int *status, app_err *e) {
  quiz_draw *d = NULL;
  if (quiz_draw_new(w, quiz_id, &d, e) != 0) return -1;
  int64_t id = 0, started = 0;
  int rc = quiz_start_drawn(w, d, user_id, person_id, assisted_by, &id, &started, out, status, e);
  if (rc == 0 && id) rc = attempt_view(w, id, out, e);
  quiz_draw_free(d);
  return rc;
}

int quiz_start(store_conn *w, int64_t quiz_id, int64_t user_id, int64_t person_id, json_t **out, int *status, app_err *e) {
  return start_attempt(w, quiz_id, user_id, person_id, 0, out, status, e);
}

int quiz_start_assisted(store_conn *w, int64_t quiz_id, int64_t helper_id, int64_t person_id, json_t **out, int *status,
                        app_err *e) {
  return start_attempt(w, quiz_id, helper_id, person_id, helper_id, out, status, e);
}

int quiz_attempt_owner(store_conn *c, int64_t attempt_id, int64_t *user_id, app_err *e) {
  store_stmt *s = store_prepare(c, &q_owner);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, attempt_id);
  int rc = store_step(s);
  if (rc == STORE_ROW) *user_id = store_col_int(s, 0);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy bài làm.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

typedef struct attempt_row {
  int64_t id, quiz_id, started, deadline, submitted, assisted_by, person_id, user_id;
  int pass;
  char title[400], purpose[16], helper[200], category[512];
  bool scored;
  double score;
  json_t *items, *answers, *results;
} attempt_row;

static void attempt_free(attempt_row *a) {
  json_decref(a->items);
  json_decref(a->answers);
  json_decref(a->results);
  a->items = a->answers = a->results = NULL;
}

static int attempt_load(store_conn *c, int64_t id, attempt_row *a, app_err *e) {
  memset(a, 0, sizeof *a);
  store_stmt *s = store_prepare(c, &q_attempt);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    a->id = store_col_int(s, 0);
    a->quiz_id = store_col_int(s, 1);
    snprintf(a->title, sizeof a->title, "%s", store_col_text(s, 2));
    a->pass = (int)store_col_int(s, 3);
    a->started = store_col_int(s, 4);
    a->deadline = store_col_is_null(s, 5) ? 0 : store_col_int(s, 5);
    a->submitted = store_col_is_null(s, 6) ? 0 : store_col_int(s, 6);
    a->scored = !store_col_is_null(s, 7);
    a->score = a->scored ? (double)store_col_int(s, 7) / 10 : 0;
    a->items = items_of(store_conn_serial(c), a->id, store_col_text(s, 9));
    a->answers = store_col_is_null(s, 10) ? NULL : json_loads(store_col_text(s, 10), 0, NULL);
    a->results = store_col_is_null(s, 11) ? NULL : json_loads(store_col_text(s, 11), 0, NULL);
    snprintf(a->purpose, sizeof a->purpose, "%s", store_col_text(s, 12));
    a->assisted_by = store_col_is_null(s, 13) ? 0 : store_col_int(s, 13);
    snprintf(a->helper, sizeof a->helper, "%s", store_col_is_null(s, 14) ? "" : store_col_text(s, 14));
    a->person_id = store_col_is_null(s, 15) ? 0 : store_col_int(s, 15);
    a->user_id = store_col_int(s, 16);
    snprintf(a->category, sizeof a->category, "%s", store_col_is_null(s, 17) ? "" : store_col_text(s, 17));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy bài làm.");
  if (rc != STORE_ROW || !a->items) {
    attempt_free(a);
    return APP_INTERNAL(e);
  }
  return 0;
}

static json_t *iso_or_null(int64_t t) {
  if (!t) return json_null();
  char at[32];
  clock_iso8601(t, at, sizeof at);
  return json_string(at);
}

static int view_of(store_conn *c, const attempt_row *a, json_t **out, app_err *e) {
  int64_t now = clock_now();
  const char *state = a->submitted ? "submitted" : (a->deadline && now > a->deadline + QUIZ_GRACE_SECONDS) ? "expired" : "open";
  json_t *qs = json_array();
  size_t i;
  json_t *item;
  json_array_foreach(a->items, i, item) {
    stored_q q;
    if (load_question(c, (int64_t)json_integer_value(json_object_get(item, "q")), &q) != 0) {
      json_decref(qs);
      return APP_INTERNAL(e);
    }
    json_t *o = shown(&q, item, i);
    if (a->submitted)
      add_review(o, &q, item, a->answers ? json_array_get(a->answers, i) : NULL,
                 json_number_value(json_array_get(a->results, i)));
    json_array_append_new(qs, o);
    json_decref(q.row);
  }
  *out = json_pack("{s:I, s:I, s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)a->id, "quiz_id",
                   (json_int_t)a->quiz_id, "title", a->title, "state", state, "pass_percent", a->pass, "started_at",
                   iso_or_null(a->started), "deadline_at", iso_or_null(a->deadline), "submitted_at",
                   iso_or_null(a->submitted), "score_percent", a->scored ? json_real(a->score) : json_null(), "passed",
                   a->scored ? json_boolean(a->score >= a->pass) : json_null(), "questions", qs);
  if (!*out) return APP_INTERNAL(e);
  /* While open: the answers saved so far (quiz_answers_save), for a page opened again. */
  json_object_set_new(*out, "saved_answers",
                      !a->submitted && json_is_array(a->answers) ? json_incref(a->answers) : json_null());
  /* Assisted: the helper's name (the review says "Làm cùng cán bộ hỗ trợ: …") and the resident. */
  json_object_set_new(*out, "purpose", json_string(a->purpose));
  json_object_set_new(*out, "assisted",
                      a->assisted_by ? json_pack("{s:I, s:s, s:o}", "by_user_id", (json_int_t)a->assisted_by, "by_name",
                                                 a->helper, "person_id",
                                                 a->person_id ? json_integer(a->person_id) : json_null())
                                     : json_null());
  return 0;
}

static int attempt_view(store_conn *c, int64_t id, json_t **out, app_err *e) {
  attempt_row a;
  if (attempt_load(c, id, &a, e) != 0) return -1;
  int rc = view_of(c, &a, out, e);
  /* The certificates this attempt earned: only a submitted one can have any. */
  json_t *certs = NULL;
  if (rc == 0 && a.submitted && certs_of_attempt(c, id, &certs, e) != 0) {
    json_decref(*out);
    *out = NULL;
    rc = -1;
  }
  if (rc == 0) json_object_set_new(*out, "certificates", certs ? certs : json_array());
  attempt_free(&a);
  return rc;
}

/* The attempt drawn, as the start answers it (never assisted: a class starting together). */
static void draw_row(const quiz_draw *d, int64_t id, int64_t started, attempt_row *a) {
  memset(a, 0, sizeof *a);
  a->id = id;
  a->quiz_id = d->quiz_id;
  a->pass = d->pass;
  a->started = started;
  a->deadline = d->limit_min > 0 ? started + (int64_t)d->limit_min * 60 : 0;
  snprintf(a->title, sizeof a->title, "%s", d->title);
  snprintf(a->purpose, sizeof a->purpose, "%s", d->purpose);
  a->items = d->items; /* borrowed: never attempt_free'd */
}

int quiz_draw_view(store_conn *c, const quiz_draw *d, int64_t id, int64_t started, json_t **out, app_err *e) {
  attempt_row a;
  draw_row(d, id, started, &a);
  if (view_of(c, &a, out, e) != 0) return -1;
  json_object_set_new(*out, "certificates", json_array());
  return 0;
}

/* ---- the start's answer, written straight into the reply ---- */

static void put_lit(buf *b, const char *s) { buf_append(b, s, strlen(s)); }

static void put_str(buf *b, const char *s) {
  if (s) jsonx_escape(b, s, strlen(s));
  else put_lit(b, "null");
}

/* A JSON string value of a jansson node (null when it is none). */
static void put_jstr(buf *b, const json_t *v) {
  if (json_is_string(v)) jsonx_escape(b, json_string_value(v), json_string_length(v));
  else put_lit(b, "null");
}

static void put_time(buf *b, int64_t t) {
  char at[32];
  if (!t) {
    put_lit(b, "null");
    return;
  }
  clock_iso8601(t, at, sizeof at);
  put_str(b, at);
}

/* A real as jansson writes one ("%.17g", and ".0" when that reads as an integer): the text and
 * the tree carry the same numbers. Integers in a real (most shares and scores) skip printf. */
static void put_real(buf *b, double v) {
  if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v && !(v == 0 && signbit(v))) {
    jsonx_put_int(b, (int64_t)v);
    put_lit(b, ".0");
    return;
  }
  char t[40];
  int n = snprintf(t, sizeof t, "%.17g", v);
  if (n <= 0 || (size_t)n >= sizeof t) {
    b->oom = true; /* cannot happen for a finite double; fail the answer rather than write a wrong one */
    return;
  }
  buf_append(b, t, (size_t)n);
  if (!strpbrk(t, ".eE")) put_lit(b, ".0");
}

/* Any JSON value, as given (a learner's answer, a stored one); NULL as null. */
static void put_json(buf *b, const json_t *v) {
  size_t i;
  json_t *x;
  const char *k;
  bool first = true;
  switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:
      buf_putc(b, '{');
      json_object_foreach((json_t *)v, k, x) {
        if (!first) buf_putc(b, ',');
        first = false;
        jsonx_escape(b, k, strlen(k));
        buf_putc(b, ':');
        put_json(b, x);
      }
      buf_putc(b, '}');
      break;
    case JSON_ARRAY:
      buf_putc(b, '[');
      json_array_foreach(v, i, x) {
        if (i) buf_putc(b, ',');
        put_json(b, x);
      }
      buf_putc(b, ']');
      break;
    case JSON_STRING: jsonx_escape(b, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: jsonx_put_int(b, (int64_t)json_integer_value(v)); break;
    case JSON_REAL: put_real(b, json_real_value(v)); break;
    case JSON_TRUE: put_lit(b, "true"); break;
    case JSON_FALSE: put_lit(b, "false"); break;
    case JSON_NULL: put_lit(b, "null"); break;
  }
}

/* shown() of a question, as text, without its closing brace (the review may follow). */
static void put_shown(buf *b, const stored_q *q, const json_t *item, size_t index) {
  put_lit(b, "{\"index\":");
  jsonx_put_int(b, (int64_t)index);
  put_lit(b, ",\"type\":");
  put_str(b, q->type);
  put_lit(b, ",\"text\":");
  put_pre(b, q, "_text", SIZE_MAX);
  put_lit(b, ",\"format\":");
  put_pre(b, q, "_format", SIZE_MAX);
  bool choice = !strcmp(q->type, "single") || !strcmp(q->type, "multi"), matching = !strcmp(q->type, "matching");
  if (choice || matching) {
    json_t *order = json_object_get(item, "order"), *v;
    size_t i;
    put_lit(b, choice ? ",\"options\":[" : ",\"items\":[");
    json_array_foreach(order, i, v) {
      if (i) buf_putc(b, ',');
      put_pre(b, q, "_options", (size_t)json_integer_value(v));
    }
    buf_putc(b, ']');
    if (matching) {
      put_lit(b, ",\"choices\":[");
      json_array_foreach(json_object_get(item, "choices"), i, v) {
        if (i) buf_putc(b, ',');
        put_jstr(b, v);
      }
      buf_putc(b, ']');
    }
  }
}

/* A string element of a list, with its separator. */
static void put_item(buf *b, bool *first, const char *s) {
  if (!*first) buf_putc(b, ',');
  *first = false;
  jsonx_escape(b, s, strlen(s));
}

/* add_review() of a question, as text: the same fields, the same values. */
static void put_review(buf *b, const stored_q *q, const json_t *item, const json_t *ans, double score) {
  json_t *answers = answers_of(q), *order = json_object_get(item, "order"), *body = json_object_get(q->row, "body");
  json_t *v, *expl = json_object_get(q->row, "explanation");
  size_t i;
  bool first = true;
  put_lit(b, ",\"your_answer\":");
  put_json(b, ans);
  put_lit(b, ",\"score\":");
  put_real(b, round(score * 1000) / 1000);
  if (expl) {
    put_lit(b, ",\"explanation\":");
    put_pre(b, q, "_explanation", SIZE_MAX);
  }
  if (!strcmp(q->type, "single") || !strcmp(q->type, "multi")) {
    put_lit(b, ",\"shares\":[");
    json_array_foreach(order, i, v) {
      if (i) buf_putc(b, ',');
      if ((size_t)json_integer_value(v) < json_array_size(answers)) put_pre(b, q, "_shares", (size_t)json_integer_value(v));
      else put_lit(b, "0.0"); /* the tree's share of nothing */
    }
    put_lit(b, "],\"feedback\":[");
    json_array_foreach(order, i, v) {
      json_t *a = json_array_get(answers, (size_t)json_integer_value(v));
      bool chosen = (json_is_integer(ans) && (size_t)json_integer_value(ans) == i);
      size_t k;
      json_t *c;
      if (json_is_array(ans)) json_array_foreach(ans, k, c) chosen |= json_is_integer(c) && (size_t)json_integer_value(c) == i;
      const char *fb = json_string_value(json_object_get(a, "feedback"));
      if (chosen && fb) put_item(b, &first, fb);
    }
    buf_putc(b, ']');
  } else if (!strcmp(q->type, "truefalse")) {
    bool right = json_is_true(json_object_get(body, "answer"));
    put_lit(b, right ? ",\"right_answer\":true,\"feedback\":[" : ",\"right_answer\":false,\"feedback\":[");
    const char *fb = json_string_value(json_object_get(body, json_is_boolean(ans) && json_is_true(ans) == right ? "feedback_right" : "feedback_wrong"));
    if (fb && json_is_boolean(ans)) put_item(b, &first, fb);
    buf_putc(b, ']');
  } else if (!strcmp(q->type, "matching")) {
    put_lit(b, ",\"right_answer\":[");
    json_array_foreach(order, i, v) {
      json_t *m = json_object_get(json_array_get(answers, (size_t)json_integer_value(v)), "match");
      if (!m) continue; /* the tree's append of nothing adds nothing */
      if (!first) buf_putc(b, ',');
      first = false;
      put_json(b, m);
    }
    put_lit(b, "],\"feedback\":[]");
  } else {
    /* short / numerical: the answers worth full marks (add_review's words, its 160 bytes, and, as
     * json_string would, nothing for a text cut inside a character). */
    json_t *a;
    put_lit(b, ",\"right_answer\":[");
    json_array_foreach(answers, i, a) {
      char shown_text[160];
      if (full_mark_text(q, a, shown_text) && utf8_valid(shown_text, strlen(shown_text))) put_item(b, &first, shown_text);
    }
    put_lit(b, "],\"feedback\":[]");
  }
}

/* view_of() as text, with the certificates (NULL: none): the attempt's answer written straight
 * into the reply. */
static int view_text(store_conn *c, const attempt_row *a, const json_t *certs, buf *b, app_err *e) {
  int64_t now = clock_now();
  buf_reserve(b, 1024 + json_array_size(a->items) * (a->submitted ? 1536 : 768)); /* a few doublings fewer */
  const char *state = a->submitted ? "submitted" : (a->deadline && now > a->deadline + QUIZ_GRACE_SECONDS) ? "expired" : "open";
  put_lit(b, "{\"id\":");
  jsonx_put_int(b, a->id);
  put_lit(b, ",\"quiz_id\":");
  jsonx_put_int(b, a->quiz_id);
  put_lit(b, ",\"title\":");
  put_str(b, a->title);
  put_lit(b, ",\"state\":");
  put_str(b, state);
  put_lit(b, ",\"pass_percent\":");
  jsonx_put_int(b, a->pass);
  put_lit(b, ",\"started_at\":");
  put_time(b, a->started);
  put_lit(b, ",\"deadline_at\":");
  put_time(b, a->deadline);
  put_lit(b, ",\"submitted_at\":");
  put_time(b, a->submitted);
  put_lit(b, ",\"score_percent\":");
  if (a->scored) put_real(b, a->score);
  else put_lit(b, "null");
  put_lit(b, !a->scored ? ",\"passed\":null" : a->score >= a->pass ? ",\"passed\":true" : ",\"passed\":false");
  put_lit(b, ",\"questions\":[");
  size_t i;
  json_t *item;
  json_array_foreach(a->items, i, item) {
    stored_q q;
    if (load_question(c, (int64_t)json_integer_value(json_object_get(item, "q")), &q) != 0) return APP_INTERNAL(e);
    if (i) buf_putc(b, ',');
    put_shown(b, &q, item, i);
    if (a->submitted)
      put_review(b, &q, item, a->answers ? json_array_get(a->answers, i) : NULL,
                 json_number_value(json_array_get(a->results, i)));
    buf_putc(b, '}');
    json_decref(q.row);
  }
  /* while open: the answers saved so far (quiz_answers_save), for a page opened again */
  put_lit(b, "],\"saved_answers\":");
  if (!a->submitted && json_is_array(a->answers)) put_json(b, a->answers);
  else put_lit(b, "null");
  put_lit(b, ",\"purpose\":");
  put_str(b, a->purpose);
  put_lit(b, ",\"assisted\":");
  if (a->assisted_by) {
    put_lit(b, "{\"by_user_id\":");
    jsonx_put_int(b, a->assisted_by);
    put_lit(b, ",\"by_name\":");
    put_str(b, a->helper);
    put_lit(b, ",\"person_id\":");
    if (a->person_id) jsonx_put_int(b, a->person_id);
    else put_lit(b, "null");
    buf_putc(b, '}');
  } else {
    put_lit(b, "null");
  }
  put_lit(b, ",\"certificates\":");
  if (certs) put_json(b, certs);
  else put_lit(b, "[]");
  buf_putc(b, '}');
  return b->oom ? APP_INTERNAL(e) : 0;
}

void quiz_draw_keep(store_conn *c, const quiz_draw *d, int64_t id) {
  items_put(store_conn_serial(c), id, d->items_text, d->items);
}

int quiz_draw_view_text(store_conn *c, const quiz_draw *d, int64_t id, int64_t started, buf *b, app_err *e) {
  attempt_row a;
  draw_row(d, id, started, &a);
  return view_text(c, &a, NULL, b, e);
}

int quiz_attempt_get(store_conn *c, int64_t attempt_id, json_t **out, app_err *e) {
  return attempt_view(c, attempt_id, out, e);
}

/* The submission, in the writer's transaction: the attempt read once, checked, graded and closed,
 * its scores per competence recorded and the certificates it completes issued. On success `a` is
 * the attempt as submitted (its answers the learner's, its results the scores) and *certs what
 * certs_of_attempt lists for it: the answer is built from these, nothing is read back.
 * `on_expiry`: the attempt's time (and grace) has run out and nobody submitted it: its saved sheet
 * (none: all blank) is graded as its submission would have been, closed at its deadline; an answer
 * of a shape its question refuses (the check let none be saved) scores 0 rather than refusing.
 * 409 when it is not expired, or was submitted meanwhile.
 * `again` (may be NULL): the same submission sent again — the attempt submitted already with these
 * answers (none given: the sheet as saved, which a submission keeps as graded) — is answered with
 * what it stored, *again set and nothing written (a retry after the answer was lost: the review is
 * written after the commit); other answers: 409 as before. */
/* Whether submitted attempt `a` was submitted with `given` (NULL: the saved sheet, which the
 * submission kept as the answers it graded). */
static bool same_submission(const attempt_row *a, const json_t *given) {
  return a->submitted && a->scored && a->results && (!given || (a->answers && json_equal(given, a->answers)));
}

static int submit(store_conn *w, const secrets *keys, int64_t attempt_id, const json_t *answers, bool on_expiry,
                  attempt_row *a, json_t **certs, bool *again, app_err *e) {
  const json_t *given = answers;
  *certs = NULL;
  if (attempt_load(w, attempt_id, a, e) != 0) return -1;
  int rc = -1;
  size_t n = json_array_size(a->items);
  json_t *results = NULL;
  int64_t *comps = malloc(sizeof *comps * (n ? n : 1));
  double *scores = malloc(sizeof *scores * (n ? n : 1));
  buf atext, rtext;
  buf_init(&atext);
  buf_init(&rtext);
  int64_t now = clock_now();
  if (!comps || !scores) {
    rc = APP_INTERNAL(e);
    goto done;
  }
  if (a->submitted) {
    if (again && !on_expiry && same_submission(a, given)) {
      *again = true;
      rc = certs_of_attempt(w, attempt_id, certs, e);
      goto done;
    }
    rc = app_fail(e, 409, "conflict", "id", "Bài làm này đã được nộp.");
    goto done;
  }
  bool expired = a->deadline && now > a->deadline + QUIZ_GRACE_SECONDS;
  if (expired && !on_expiry) {
    rc = app_fail(e, 409, "conflict", "id",
                  "Đã hết thời gian làm bài: bài làm được chấm theo các câu trả lời đã lưu trước khi hết giờ.");
    goto done;
  }
  if (on_expiry && !expired) {
    rc = app_fail(e, 409, "conflict", "id", "Bài làm này chưa hết thời gian.");
    goto done;
  }
  int64_t closed_at = on_expiry ? a->deadline : now;
  if (!answers || on_expiry) answers = a->answers; /* the answers saved last; none: all blank */
  if (json_array_size(answers) > n) {
    rc = app_fail(e, 400, "invalid_value", "answers", "Số câu trả lời nhiều hơn số câu hỏi của bài.");
    goto done;
  }
  results = json_array();
  double sum = 0;
  size_t i;
  json_t *item;
  buf_putc(&rtext, '[');
  json_array_foreach(a->items, i, item) {
    stored_q q;
    if (load_question(w, (int64_t)json_integer_value(json_object_get(item, "q")), &q) != 0) {
      rc = APP_INTERNAL(e);
      goto done;
    }
    const char *why = NULL;
    double score = grade(&q, item, json_array_get(answers, i), &why);
    comps[i] = q.comp;
    json_decref(q.row);
    if (score < 0 && on_expiry) score = 0;
    if (score < 0) {
      static _Thread_local char msg[256]; /* app_err keeps the pointer until the answer is sent */
      snprintf(msg, sizeof msg, "Câu %zu: câu trả lời %s.", i + 1, why ? why : "không hợp lệ");
      rc = app_fail(e, 400, "invalid_value", "answers", msg);
      goto done;
    }
    sum += score;
    scores[i] = score;
    json_array_append_new(results, json_real(score));
    if (i) buf_putc(&rtext, ',');
    put_real(&rtext, score);
  }
  buf_putc(&rtext, ']');
  if (answers) put_json(&atext, answers);
  else put_lit(&atext, "[]");
  int64_t tenths = n ? (int64_t)llround(sum / (double)n * 1000) : 0;
  double percent = (double)tenths / 10;
  bool passed = percent >= a->pass;
  store_stmt *s = store_prepare(w, &q_close);
  if (!s || !results || json_array_size(results) != n || atext.oom || rtext.oom) {
    rc = APP_INTERNAL(e);
    goto done;
  }
  store_bind_int(s, 1, closed_at);
  store_bind_int(s, 2, tenths);
  store_bind_int(s, 3, passed ? 1 : 0);
  store_bind_text(s, 4, atext.data);
  store_bind_text(s, 5, rtext.data);
  store_bind_int(s, 6, attempt_id);
  int src = store_step(s);
  int64_t changed = src == STORE_DONE ? store_changes(s) : 0;
  store_reset(s);
  if (src != STORE_DONE) {
    rc = APP_INTERNAL(e);
    goto done;
  }
  if (changed != 1) { /* submitted meanwhile (PostgreSQL: its commit now seen): the same one again? */
    if (again && !on_expiry) {
      attempt_free(a);
      if (attempt_load(w, attempt_id, a, e) != 0) goto done;
      if (same_submission(a, given)) {
        *again = true;
        rc = certs_of_attempt(w, attempt_id, certs, e);
        goto done;
      }
    }
    rc = app_fail(e, 409, "conflict", "id", "Bài làm này đã được nộp.");
    goto done;
  }
  /* the scores per competence, then the certificates: from what was read above */
  competence_attempt ca = {attempt_id, a->person_id, a->user_id, closed_at, !strcmp(a->purpose, "placement")};
  if (competence_record(w, &ca, comps, scores, n, e) != 0) goto done;
  certs_attempt ct = {attempt_id, a->user_id, a->person_id, tenths, passed, a->category};
  if (certs_after_attempt(w, keys, &ct, certs, e) != 0) goto done;
  a->submitted = closed_at;
  a->scored = true;
  a->score = percent;
  /* as the row now holds them (read only): the learner's, the saved ones, or none ("[]") */
  json_t *kept = answers ? json_incref((json_t *)answers) : json_array();
  json_decref(a->answers);
  a->answers = kept;
  a->results = results;
  results = NULL;
  rc = 0;
done:
  if (rc != 0) {
    json_decref(*certs);
    *certs = NULL;
  }
  buf_free(&atext);
  buf_free(&rtext);
  free(comps);
  free(scores);
  json_decref(results);
  return rc;
}

int quiz_submit(store_conn *w, const secrets *keys, int64_t attempt_id, const json_t *answers, json_t **out,
                app_err *e) {
  attempt_row a;
  json_t *certs = NULL;
  *out = NULL;
  int rc = submit(w, keys, attempt_id, answers, false, &a, &certs, NULL, e);
  if (rc == 0) rc = view_of(w, &a, out, e);
  if (rc == 0) {
    json_object_set_new(*out, "certificates", certs);
    certs = NULL;
  }
  json_decref(certs);
  attempt_free(&a);
  return rc;
}

/* An attempt as its submission closed it (quiz.h). */
struct quiz_closed {
  attempt_row a;
  json_t *certs;
};

void quiz_closed_free(quiz_closed *s) {
  if (!s) return;
  attempt_free(&s->a);
  json_decref(s->certs);
  free(s);
}

int quiz_submit_close(store_conn *w, const secrets *keys, int64_t attempt_id, const json_t *answers, quiz_closed **out,
                      quiz_submitted *done, app_err *e) {
  *out = NULL;
  memset(done, 0, sizeof *done);
  quiz_closed *s = calloc(1, sizeof *s);
  if (!s) return APP_INTERNAL(e);
  bool again = false;
  if (submit(w, keys, attempt_id, answers, false, &s->a, &s->certs, &again, e) != 0) {
    quiz_closed_free(s);
    return -1;
  }
  done->assisted_by = s->a.assisted_by;
  done->person_id = s->a.person_id;
  done->score_percent = s->a.score;
  done->again = again;
  *out = s;
  return 0;
}

int quiz_closed_text(store_conn *c, const quiz_closed *s, buf *b, app_err *e) {
  return view_text(c, &s->a, s->certs, b, e);
}

int quiz_submit_text(store_conn *w, const secrets *keys, int64_t attempt_id, const json_t *answers, buf *b,
                     quiz_submitted *done, app_err *e) {
  quiz_closed *s = NULL;
  int rc = quiz_submit_close(w, keys, attempt_id, answers, &s, done, e);
  if (rc == 0) rc = quiz_closed_text(w, s, b, e);
  quiz_closed_free(s);
  return rc;
}

int quiz_close_expired(store_conn *w, const secrets *keys, int64_t attempt_id, bool *closed, app_err *e) {
  attempt_row a;
  json_t *certs = NULL;
  app_err why = {0};
  *closed = false;
  int rc = submit(w, keys, attempt_id, NULL, true, &a, &certs, NULL, &why);
  if (rc == 0) *closed = true;
  else if (why.status == 409) rc = 0; /* not expired, or submitted meanwhile: nothing to do */
  else *e = why;
  attempt_free(&a);
  json_decref(certs);
  return rc;
}

int quiz_expired_list(store_conn *c, int64_t now, int max, int64_t *ids, int *n) {
  *n = 0;
  store_stmt *s = store_prepare(c, &q_expired);
  if (!s) return -1;
  store_bind_int(s, 1, now - QUIZ_GRACE_SECONDS);
  store_bind_int(s, 2, max);
  int rc = STORE_DONE;
  while (*n < max && (rc = store_step(s)) == STORE_ROW) ids[(*n)++] = store_col_int(s, 0);
  store_reset(s);
  return *n < max && rc != STORE_DONE ? -1 : 0;
}

int quiz_expire_sweep(store *st, const secrets *keys, int64_t now, int max, int *closed, char *err, size_t errlen) {
  int64_t ids[64];
  int n = 0, ret = 0;
  *closed = 0;
  if (max > 64) max = 64;
  store_conn *c = store_acquire(st, false);
  if (!c || quiz_expired_list(c, now, max, ids, &n) != 0) {
    snprintf(err, errlen, "cannot list the attempts whose time ran out%s%s", c ? ": " : "", c ? store_errmsg(c) : "");
    if (c) store_release(c);
    return -1;
  }
  store_release(c);
  for (int i = 0; i < n && ret == 0; i++) {
    store_conn *w = store_acquire(st, true);
    if (!w) {
      snprintf(err, errlen, "no database connection");
      return -1;
    }
    bool done = false;
    app_err e = {0};
    if (store_begin(w) != STORE_OK || quiz_close_expired(w, keys, ids[i], &done, &e) != 0 ||
        (done ? store_commit(w) : store_rollback(w)) != STORE_OK) {
      snprintf(err, errlen, "cannot grade attempt %lld whose time ran out: %s", (long long)ids[i],
               e.message ? e.message : store_errmsg(w));
      if (store_in_transaction(w)) store_rollback(w);
      ret = -1;
    } else if (done) {
      (*closed)++;
    }
    store_release(w);
  }
  return ret;
}

int64_t quiz_by_title(store_conn *c, const char *title) {
  store_stmt *s = store_prepare(c, &q_by_title);
  if (!s) return -1;
  store_bind_text(s, 1, title);
  int rc = store_step(s);
  int64_t id = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  return rc == STORE_ROW || rc == STORE_DONE ? id : -1;
}

/* A small deterministic generator (splitmix64) for sample answers. */
static uint64_t next_rand(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int quiz_sample_answers(store_conn *c, int64_t attempt_id, double right, uint64_t seed, json_t **answers_out, app_err *e) {
  attempt_row a;
  if (attempt_load(c, attempt_id, &a, e) != 0) return -1;
  json_t *out = json_array();
  size_t i;
  json_t *item;
  json_array_foreach(a.items, i, item) {
    stored_q q;
    if (load_question(c, (int64_t)json_integer_value(json_object_get(item, "q")), &q) != 0) {
      json_decref(out);
      attempt_free(&a);
      return APP_INTERNAL(e);
    }
    bool ok = (double)(next_rand(&seed) % 1000) < right * 1000;
    json_t *answers = answers_of(&q), *order = json_object_get(item, "order"), *v = json_null();
    size_t k;
    json_t *x;
    if (!strcmp(q.type, "single")) {
      json_array_foreach(order, k, x) if ((share(answers, (size_t)json_integer_value(x)) > 0.999) == ok) {
        v = json_integer((json_int_t)k);
        break;
      }
    } else if (!strcmp(q.type, "multi")) {
      v = json_array();
      json_array_foreach(order, k, x) if ((share(answers, (size_t)json_integer_value(x)) > 0) == ok) json_array_append_new(v, json_integer((json_int_t)k));
    } else if (!strcmp(q.type, "truefalse")) {
      bool truth = json_is_true(json_object_get(json_object_get(q.row, "body"), "answer"));
      v = json_boolean(ok ? truth : !truth);
    } else if (!strcmp(q.type, "matching")) {
      v = json_array();
      json_array_foreach(order, k, x) json_array_append(v, ok ? json_object_get(json_array_get(answers, (size_t)json_integer_value(x)), "match") : json_null());
    } else if (ok) {
      json_array_foreach(answers, k, x) if (json_number_value(json_object_get(x, "fraction")) > 0.999) {
        v = json_incref(json_object_get(x, "text"));
        break;
      }
    }
    json_array_append_new(out, v);
    json_decref(q.row);
  }
  attempt_free(&a);
  *answers_out = out;
  return 0;
}

/* ---- answers saved while the attempt is open ---- */

int quiz_answers_check(store_conn *c, int64_t attempt_id, int64_t user_id, const json_t *answers, app_err *e) {
  store_stmt *s = store_prepare(c, &q_sheet);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, attempt_id);
  int src = store_step(s);
  json_t *items = NULL;
  int64_t submitted = 0, deadline = 0, owner = 0;
  if (src == STORE_ROW) {
    items = items_of(store_conn_serial(c), attempt_id, store_col_text(s, 0)); /* kept from the start */
    submitted = store_col_is_null(s, 1) ? 0 : store_col_int(s, 1);
    deadline = store_col_is_null(s, 2) ? 0 : store_col_int(s, 2);
    owner = store_col_int(s, 3);
  }
  store_reset(s);
  if (src == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy bài làm.");
  if (src != STORE_ROW || !json_is_array(items)) {
    json_decref(items);
    return APP_INTERNAL(e);
  }
  int rc = 0;
  /* Someone else's attempt tells nothing of itself (the dispatcher refuses it too, on the writer). */
  if (owner != user_id) {
    rc = app_fail(e, 403, "forbidden", "id", "Bài làm này không phải của bạn.");
  } else if (submitted) {
    rc = app_fail(e, 409, "conflict", "id", "Bài làm này đã được nộp.");
  } else if (deadline && clock_now() > deadline + QUIZ_GRACE_SECONDS) {
    rc = app_fail(e, 409, "conflict", "id", "Đã hết thời gian làm bài: không lưu được nữa.");
  } else if (json_array_size(answers) > json_array_size(items)) {
    rc = app_fail(e, 400, "invalid_value", "answers", "Số câu trả lời nhiều hơn số câu hỏi của bài.");
  }
  size_t i;
  json_t *ans;
  json_array_foreach(answers, i, ans) {
    if (rc != 0) break;
    if (json_is_null(ans)) continue;
    json_t *item = json_array_get(items, i);
    stored_q q;
    if (load_question(c, (int64_t)json_integer_value(json_object_get(item, "q")), &q) != 0) {
      rc = APP_INTERNAL(e);
      break;
    }
    const char *why = NULL;
    if (grade(&q, item, ans, &why) < 0) { /* its form only: the score is not kept, nor told */
      static _Thread_local char msg[256]; /* app_err keeps the pointer until the answer is sent */
      snprintf(msg, sizeof msg, "Câu %zu: câu trả lời %s.", i + 1, why ? why : "không hợp lệ");
      rc = app_fail(e, 400, "invalid_value", "answers", msg);
    }
    json_decref(q.row);
  }
  json_decref(items);
  return rc;
}

int quiz_answers_save(store_conn *w, int64_t attempt_id, int64_t user_id, const json_t *answers, app_err *e) {
  char *text = json_dumps(answers, JSON_COMPACT);
  store_stmt *s = text ? store_prepare(w, &q_save_answers) : NULL;
  if (!s) {
    free(text);
    return APP_INTERNAL(e);
  }
  store_bind_text(s, 1, text);
  store_bind_int(s, 2, attempt_id);
  store_bind_int(s, 3, user_id);
  store_bind_int(s, 4, QUIZ_GRACE_SECONDS);
  store_bind_int(s, 5, clock_now());
  int rc = store_step(s);
  int64_t changed = rc == STORE_DONE ? store_changes(s) : 0;
  store_reset(s);
  free(text);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  if (changed != 1) return app_fail(e, 409, "conflict", "id", "Bài làm này đã được nộp hoặc đã hết thời gian làm bài.");
  return 0;
}

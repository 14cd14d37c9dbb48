/* qbank.c: the question bank and the competences (see qbank.h). Only this file writes SQL about
 * the tables competencies and questions. */
#include "domain/qbank.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/fold.h"
#include "util/table.h"

STORE_SQL(q_comps, "SELECT id, code FROM competencies ORDER BY id");
STORE_SQL(q_insert, "INSERT INTO questions (type, name, text, format, body, explanation, category, idnumber,"
                    " competency_id, level, content_hash, source, created_by, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (content_hash) DO NOTHING");
#define QB_COLS                                                                                           \
  "q.id, q.name, q.type, q.text, q.format, c.code, c.name, q.level, q.category, q.explanation IS NOT NULL," \
  " q.created_at"
#define QB_WHERE                                                                                           \
  " FROM questions q JOIN competencies c ON c.id = q.competency_id WHERE q.retired_at IS NULL"             \
  " AND (CAST(? AS TEXT) IS NULL OR c.code = ?) AND (CAST(? AS BIGINT) = 0 OR q.level = ?)"                 \
  " AND (CAST(? AS TEXT) IS NULL OR q.type = ?)"                                                            \
  " AND (CAST(? AS TEXT) IS NULL OR LOWER(q.name) LIKE ? ESCAPE '\\' OR LOWER(q.text) LIKE ? ESCAPE '\\')"
STORE_SQL(q_list, "SELECT " QB_COLS QB_WHERE " ORDER BY q.id DESC LIMIT ? OFFSET ?");
STORE_SQL(q_count, "SELECT COUNT(*)" QB_WHERE);
STORE_SQL(q_get, "SELECT " QB_COLS ", q.body, q.explanation, q.idnumber, q.source" " FROM questions q"
                 " JOIN competencies c ON c.id = q.competency_id WHERE q.id = ?");
STORE_SQL(q_comp_add, "INSERT INTO competencies (framework, code, domain_code, domain_name, name) VALUES (?, ?, ?, ?, ?)"
                      " ON CONFLICT (framework, code) DO NOTHING RETURNING id");
STORE_SQL(q_comp_list, "SELECT c.id, c.framework, c.code, c.domain_code, c.domain_name, c.name,"
                       " (SELECT COUNT(*) FROM questions q WHERE q.competency_id = c.id AND q.retired_at IS NULL)"
                       " FROM competencies c ORDER BY c.framework DESC, c.domain_code, c.id");

int qbank_comps_load(store_conn *c, qbank_comps *out) {
  memset(out, 0, sizeof *out);
  store_stmt *s = store_prepare(c, &q_comps);
  if (!s) return -1;
  int rc;
  while ((rc = store_step(s)) == STORE_ROW && out->n < QBANK_MAX_COMPETENCIES) {
    out->c[out->n].id = store_col_int(s, 0);
    snprintf(out->c[out->n].code, sizeof out->c[out->n].code, "%s", store_col_text(s, 1));
    out->n++;
  }
  store_reset(s);
  return rc == STORE_DONE || rc == STORE_ROW ? 0 : -1;
}

int64_t qbank_comp_id(const qbank_comps *k, const char *code) {
  for (int i = 0; code && i < k->n; i++)
    if (strcmp(k->c[i].code, code) == 0) return k->c[i].id;
  return 0;
}

int qbank_tags_of(const qbank_comps *k, const char *category, int64_t *competency_id, int *level) {
  *competency_id = 0;
  *level = 0;
  if (!category) return -1;
  char seg[8][64];
  int n = 0;
  for (const char *p = category; *p && n < 8;) {
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    while (len && p[len - 1] == ' ') len--;
    while (len && *p == ' ') p++, len--;
    snprintf(seg[n++], sizeof seg[0], "%.*s", (int)(len < 63 ? len : 63), p);
    if (!e) break;
    p = e + 1;
  }
  for (int i = n - 2; i >= 0; i--) {
    int64_t id = qbank_comp_id(k, seg[i]);
    char *end;
    long lv = strtol(seg[i + 1], &end, 10);
    if (id && !*end && seg[i + 1][0] && lv >= 1 && lv <= 8) {
      *competency_id = id;
      *level = (int)lv;
      return 0;
    }
  }
  return -1;
}

static const char *format_code(qf_format f) {
  switch (f) {
    case QF_HTML: return "html";
    case QF_PLAIN: return "plain";
    case QF_MARKDOWN: return "markdown";
    case QF_MOODLE: break;
  }
  return "moodle";
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* The answers and the true/false facts, as stored. */
static json_t *body_of(const q_item *q) {
  json_t *answers = json_array();
  for (int i = 0; answers && i < q->nanswers; i++) {
    const q_answer *a = &q->answers[i];
    json_t *o = json_pack("{s:s?, s:o}", "text", a->text, "fraction", json_real(a->fraction));
    if (!o) {
      json_decref(answers);
      return NULL;
    }
    if (q->type == QT_MATCHING) json_object_set_new(o, "match", str_or_null(a->match));
    if (q->type == QT_NUMERICAL) json_object_set_new(o, "tolerance", json_real(a->tolerance));
    if (a->feedback) json_object_set_new(o, "feedback", json_string(a->feedback));
    json_array_append_new(answers, o);
  }
  json_t *b = json_pack("{s:o}", "answers", answers ? answers : json_array());
  if (b && q->type == QT_TRUEFALSE) {
    json_object_set_new(b, "answer", json_boolean(q->answer_true));
    json_object_set_new(b, "feedback_right", str_or_null(q->feedback_right));
    json_object_set_new(b, "feedback_wrong", str_or_null(q->feedback_wrong));
  }
  return b;
}

int qbank_prepare(q_file *f, const qbank_comps *k, int64_t default_competency, int default_level, qbank_row **rows,
                  int *nrows) {
  *rows = calloc((size_t)(f->nitems ? f->nitems : 1), sizeof **rows);
  *nrows = 0;
  if (!*rows) return -1;
  for (int i = 0; i < f->nitems; i++) {
    const q_item *q = &f->items[i];
    qbank_row *r = &(*rows)[*nrows];
    if (qbank_tags_of(k, q->category, &r->competency_id, &r->level) != 0) {
      r->competency_id = default_competency;
      r->level = default_level;
    }
    if (!r->competency_id || r->level < 1 || r->level > 8) {
      qformat_problem(f, q->line, q->name,
                      "Câu hỏi chưa gắn năng lực số và bậc: chọn năng lực, bậc mặc định khi nhập tệp, hoặc ghi "
                      "trong danh mục ($CATEGORY: …/2.6/1).");
      continue;
    }
    json_t *b = body_of(q);
    r->body = b ? json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(b);
    if (!r->body) {
      qbank_rows_free(*rows, *nrows);
      *rows = NULL;
      return -1;
    }
    /* The content (never the tags or the file it came in) says whether the bank holds it. */
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    const char *parts[] = {qformat_type_code(q->type), format_code(q->format), q->text, r->body,
                           q->general_feedback ? q->general_feedback : ""};
    for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++)
      crypto_generichash_update(&st, (const unsigned char *)parts[p], strlen(parts[p]) + 1);
    unsigned char h[32];
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(r->hash, sizeof r->hash, h, sizeof h);
    r->q = q;
    (*nrows)++;
  }
  return 0;
}

void qbank_rows_free(qbank_row *rows, int nrows) {
  for (int i = 0; rows && i < nrows; i++) free(rows[i].body);
  free(rows);
}

int qbank_store(store_conn *w, const qbank_row *rows, int nrows, const char *source, int64_t user_id, int *imported,
                int *unchanged) {
  *imported = *unchanged = 0;
  int64_t now = clock_now();
  for (int i = 0; i < nrows; i++) {
    const qbank_row *r = &rows[i];
    store_stmt *s = store_prepare(w, &q_insert);
    if (!s) return -1;
    store_bind_text(s, 1, qformat_type_code(r->q->type));
    store_bind_text(s, 2, r->q->name);
    store_bind_text(s, 3, r->q->text);
    store_bind_text(s, 4, format_code(r->q->format));
    store_bind_text(s, 5, r->body);
    store_bind_text(s, 6, r->q->general_feedback);
    store_bind_text(s, 7, r->q->category);
    store_bind_text(s, 8, r->q->idnumber);
    store_bind_int(s, 9, r->competency_id);
    store_bind_int(s, 10, r->level);
    store_bind_text(s, 11, r->hash);
    store_bind_text(s, 12, source ? source : "");
    store_bind_id(s, 13, user_id);
    store_bind_int(s, 14, now);
    int rc = store_step(s);
    int64_t n = rc == STORE_DONE ? store_changes(s) : 0;
    store_reset(s);
    if (rc != STORE_DONE) return rc < 0 ? rc : -1;
    if (n > 0) (*imported)++;
    else (*unchanged)++;
  }
  return 0;
}

static int by_line(const void *a, const void *b) {
  const q_problem *x = a, *y = b;
  return (x->line > y->line) - (x->line < y->line);
}

json_t *qbank_problems_json(q_file *f) {
  if (f->nproblems > 1) qsort(f->problems, (size_t)f->nproblems, sizeof *f->problems, by_line);
  json_t *a = json_array();
  for (int i = 0; a && i < f->nproblems; i++)
    json_array_append_new(a, json_pack("{s:i, s:s?, s:s}", "line", f->problems[i].line, "name", f->problems[i].name,
                                       "reason", f->problems[i].reason));
  return a;
}

#define QBANK_FILE_MAX (8u * 1024 * 1024)

int qbank_import_file(store *st, const char *path, const char *competency, int level, const char *source,
                      json_t **out, char *err, size_t errlen) {
  int rc = -1;
  q_file f;
  q_file_init(&f);
  qbank_row *rows = NULL;
  int nrows = 0;
  char *data = NULL;
  store_conn *c = NULL;
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    snprintf(err, errlen, "Không mở được tệp %s.", path);
    goto done;
  }
  data = malloc(QBANK_FILE_MAX + 1);
  size_t len = data ? fread(data, 1, QBANK_FILE_MAX + 1, fp) : 0;
  bool bad = !data || ferror(fp);
  fclose(fp);
  if (bad || len > QBANK_FILE_MAX) {
    snprintf(err, errlen, bad ? "Không đọc được tệp %s." : "Tệp %s quá lớn (tối đa 8 MiB).", path);
    goto done;
  }
  if (qformat_read(&f, data, len) != 0) {
    snprintf(err, errlen, "%s", f.fatal ? f.fatal : "Không đọc được tệp.");
    goto done;
  }
  if (f.nitems + f.nproblems > QBANK_FILE_QUESTIONS_MAX) {
    snprintf(err, errlen, "%s: %s", path, QBANK_TOO_MANY_MSG);
    goto done;
  }
  qbank_comps k;
  c = store_acquire(st, false);
  if (!c || qbank_comps_load(c, &k) != 0) {
    snprintf(err, errlen, "Không đọc được cơ sở dữ liệu: %s", c ? store_errmsg(c) : "không có kết nối");
    goto done;
  }
  store_release(c);
  c = NULL;
  int64_t comp_id = competency ? qbank_comp_id(&k, competency) : 0;
  if (competency && !comp_id) {
    snprintf(err, errlen, "Không có năng lực số mang mã %s.", competency);
    goto done;
  }
  if (qbank_prepare(&f, &k, comp_id, level, &rows, &nrows) != 0) {
    snprintf(err, errlen, "Không đủ bộ nhớ.");
    goto done;
  }
  int imported = 0, unchanged = 0;
  c = store_acquire(st, true);
  if (!c || store_begin(c) != STORE_OK || qbank_store(c, rows, nrows, source, 0, &imported, &unchanged) != 0 ||
      store_commit(c) != STORE_OK) {
    snprintf(err, errlen, "Không ghi được vào cơ sở dữ liệu: %s", c ? store_errmsg(c) : "không có kết nối");
    if (c && store_in_transaction(c)) store_rollback(c);
    goto done;
  }
  *out = json_pack("{s:i, s:i, s:o}", "imported", imported, "unchanged", unchanged, "rejected", qbank_problems_json(&f));
  rc = *out ? 0 : -1;
done:
  if (c) store_release(c);
  qbank_rows_free(rows, nrows);
  q_file_free(&f);
  free(data);
  return rc;
}

static json_t *summary(store_stmt *s) {
  char at[32];
  clock_iso8601(store_col_int(s, 10), at, sizeof at);
  return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:b, s:s}", "id", (json_int_t)store_col_int(s, 0),
                   "name", store_col_text(s, 1), "type", store_col_text(s, 2), "text", store_col_text(s, 3), "format",
                   store_col_text(s, 4), "competency", store_col_text(s, 5), "competency_name", store_col_text(s, 6),
                   "level", (int)store_col_int(s, 7), "category",
                   store_col_is_null(s, 8) ? json_null() : json_string(store_col_text(s, 8)), "has_explanation",
                   store_col_int(s, 9) != 0, "created_at", at);
}

static int bind_query(store_stmt *s, const qbank_query *q, char *pat, size_t patlen) {
  int i = 1;
  store_bind_text(s, i++, q->competency);
  store_bind_text(s, i++, q->competency);
  store_bind_int(s, i++, q->level);
  store_bind_int(s, i++, q->level);
  store_bind_text(s, i++, q->type);
  store_bind_text(s, i++, q->type);
  if (q->q && *q->q) {
    pat[0] = '%';
    size_t o = 1 + text_like_escape(q->q, pat + 1, patlen - 2);
    for (size_t k = 1; k < o; k++)
      if (pat[k] >= 'A' && pat[k] <= 'Z') pat[k] = (char)(pat[k] + 32);
    pat[o++] = '%';
    pat[o] = 0;
    store_bind_text(s, i++, pat);
    store_bind_text(s, i++, pat);
    store_bind_text(s, i++, pat);
  } else {
    for (int k = 0; k < 3; k++) store_bind_null(s, i++);
  }
  return i;
}

int qbank_list(store_conn *c, const qbank_query *q, json_t **items_out, int64_t *total, app_err *e) {
  if (q->type) {
    bool known = false;
    for (int t = QT_SINGLE; t <= QT_NUMERICAL; t++) known |= strcmp(q->type, qformat_type_code((qt_type)t)) == 0;
    if (!known) return app_fail(e, 400, "invalid_value", "type", "Loại câu hỏi không hợp lệ.");
  }
  if (q->competency) {
    qbank_comps k;
    if (qbank_comps_load(c, &k) != 0) return APP_INTERNAL(e);
    if (!qbank_comp_id(&k, q->competency)) return app_fail(e, 400, "invalid_value", "competency", "Không có năng lực số mang mã này.");
  }
  char pat[600];
  store_stmt *n = store_prepare(c, &q_count);
  if (!n) return APP_INTERNAL(e);
  bind_query(n, q, pat, sizeof pat);
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
  int i = bind_query(s, q, pat, sizeof pat);
  store_bind_int(s, i++, q->per_page);
  store_bind_int(s, i++, (int64_t)(q->page - 1) * q->per_page);
  while ((rc = store_step(s)) == STORE_ROW) json_array_append_new(items, summary(s));
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(items);
    return APP_INTERNAL(e);
  }
  *items_out = items;
  return 0;
}

int qbank_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc != STORE_ROW) {
    store_reset(s);
    return rc == STORE_DONE ? app_fail(e, 404, "not_found", "id", "Không tìm thấy câu hỏi.") : APP_INTERNAL(e);
  }
  json_t *o = summary(s);
  json_t *body = json_loads(store_col_text(s, 11), 0, NULL);
  if (o && body) {
    json_object_update(o, body);
    json_object_set_new(o, "explanation", store_col_is_null(s, 12) ? json_null() : json_string(store_col_text(s, 12)));
    json_object_set_new(o, "idnumber", store_col_is_null(s, 13) ? json_null() : json_string(store_col_text(s, 13)));
    json_object_set_new(o, "source", json_string(store_col_text(s, 14)));
  }
  json_decref(body);
  store_reset(s);
  if (!o) return APP_INTERNAL(e);
  *out = o;
  return 0;
}

int qbank_competencies(store_conn *c, json_t **items_out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_comp_list);
  json_t *items = json_array();
  if (!s || !items) {
    json_decref(items);
    return APP_INTERNAL(e);
  }
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)store_col_int(s, 0),
                                           "framework", store_col_text(s, 1), "code", store_col_text(s, 2),
                                           "domain_code", store_col_text(s, 3), "domain_name", store_col_text(s, 4),
                                           "name", store_col_text(s, 5), "questions", (json_int_t)store_col_int(s, 6)));
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(items);
    return APP_INTERNAL(e);
  }
  *items_out = items;
  return 0;
}

/* A code of digits and dots ("2.6", "0.1", "1.3.2"). */
static bool code_ok(const char *s) {
  if (!s || !*s || strlen(s) > 15) return false;
  for (const char *p = s; *p; p++)
    if (!(*p >= '0' && *p <= '9') && *p != '.') return false;
  return s[0] != '.' && s[strlen(s) - 1] != '.';
}

int qbank_competency_add(store_conn *w, const qbank_comp_def *d, int64_t *id, app_err *e) {
  if (!code_ok(d->code)) return app_fail(e, 400, "invalid_value", "code", "Mã năng lực gồm chữ số và dấu chấm, ví dụ 2.6.");
  if (!code_ok(d->domain_code))
    return app_fail(e, 400, "invalid_value", "domain_code", "Mã miền năng lực gồm chữ số và dấu chấm, ví dụ 2.");
  store_stmt *s = store_prepare(w, &q_comp_add);
  if (!s) return APP_INTERNAL(e);
  store_bind_text(s, 1, d->framework);
  store_bind_text(s, 2, d->code);
  store_bind_text(s, 3, d->domain_code);
  store_bind_text(s, 4, d->domain_name);
  store_bind_text(s, 5, d->name);
  int rc = store_step(s);
  if (rc == STORE_ROW) *id = store_col_int(s, 0);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 409, "conflict", "code", "Khung năng lực này đã có mã năng lực đó.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

int qbank_competencies_load(store *st, const char *path, int *added, int *kept, char *err, size_t errlen) {
  *added = *kept = 0;
  table_limits lim;
  table_limits_default(&lim);
  table *t = table_open(path, &lim, err, errlen);
  if (!t) return -1;
  int rc = -1;
  store_conn *w = NULL;
  table_row row;
  int col[5] = {-1, -1, -1, -1, -1};
  static const char *const names[5] = {"framework", "domain_code", "domain_name", "competency_code", "competency_name"};
  if (table_next(t, &row, err, errlen) != 1) {
    if (!err[0]) snprintf(err, errlen, "Tệp trống: không có dòng tiêu đề.");
    goto done;
  }
  for (size_t i = 0; i < row.ncells; i++)
    for (int k = 0; k < 5; k++)
      if (!strcmp(row.cells[i], names[k])) col[k] = (int)i;
  for (int k = 0; k < 5; k++)
    if (col[k] < 0) {
      snprintf(err, errlen, "Thiếu cột “%s” (cần: framework, domain_code, domain_name, competency_code, competency_name).", names[k]);
      goto done;
    }
  w = store_acquire(st, true);
  if (!w || store_begin(w) != STORE_OK) {
    snprintf(err, errlen, "Không ghi được vào cơ sở dữ liệu.");
    goto done;
  }
  int r;
  while ((r = table_next(t, &row, err, errlen)) == 1) {
    const char *v[5];
    for (int k = 0; k < 5; k++) v[k] = (size_t)col[k] < row.ncells ? row.cells[col[k]] : "";
    qbank_comp_def d = {v[0], v[3], v[1], v[2], v[4]};
    app_err e = {0};
    int64_t id = 0;
    if (!*d.framework || !*d.name || !*d.domain_name) {
      snprintf(err, errlen, "Dòng %ld: thiếu khung, tên miền hoặc tên năng lực.", (long)row.line);
      store_rollback(w);
      goto done;
    }
    if (qbank_competency_add(w, &d, &id, &e) == 0) {
      (*added)++;
    } else if (e.status == 409) {
      (*kept)++;
    } else {
      snprintf(err, errlen, "Dòng %ld: %s", (long)row.line, e.message ? e.message : "không ghi được");
      store_rollback(w);
      goto done;
    }
  }
  if (r < 0 || store_commit(w) != STORE_OK) {
    if (store_in_transaction(w)) store_rollback(w);
    if (!err[0]) snprintf(err, errlen, "Không ghi được vào cơ sở dữ liệu.");
    goto done;
  }
  rc = 0;
done:
  if (w) store_release(w);
  table_close(t);
  return rc;
}

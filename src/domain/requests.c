/* requests.c: data subjects' requests and their 72-hour clock (see requests.h). Only this file
 * writes SQL about data_requests; a `delete` done goes through people_delete (people.c). */
#include "domain/requests.h"
#include "domain/scope.h"

#include <stdio.h>
#include <string.h>

#include "domain/people.h"
#include "util/clock.h"
#include "util/utf8.h"

/* ---- statements ---- */
STORE_SQL(q_insert, "INSERT INTO data_requests (person_id, user_id, kind, message, status, created_at, due_at)"
                    " VALUES (?, ?, ?, ?, 'open', ?, ?) RETURNING id");
/* Columns of one request, as every read returns them. */
#define REQ_COLS                                                                                             \
  "r.id, r.person_id, p.full_name, p.unit_id, u.name, r.kind, r.message, r.status, r.outcome, r.answer,"     \
  " r.created_at, r.due_at, r.answered_at, ab.display_name,"                                                \
  " CASE WHEN " REQUESTS_RESTRICTED_SQL("r.person_id") " THEN 1 ELSE 0 END,"      \
  " CASE WHEN p.deleted_at IS NULL THEN 0 ELSE 1 END"
#define REQ_FROM                                                                                             \
  " FROM data_requests r JOIN people p ON p.id = r.person_id JOIN units u ON u.id = p.unit_id"               \
  " LEFT JOIN users ab ON ab.id = r.answered_by"
STORE_SQL(q_get, "SELECT " REQ_COLS REQ_FROM " WHERE r.id = ?");
STORE_SQL(q_own, "SELECT " REQ_COLS REQ_FROM " WHERE r.user_id = ? ORDER BY r.id DESC LIMIT 200");
/* The list: the person's registering unit in the caller's scope; filters off when their parameter
 * is NULL. status: 'open' / 'answered' or NULL (all); overdue: due_at < now (bound) or NULL. */
#define LIST_WHERE                                                                                           \
  " WHERE " SCOPE_IN("u.path") " AND (CAST(? AS TEXT) IS NULL OR r.status = ?)"                              \
  " AND (CAST(? AS BIGINT) IS NULL OR (r.status = 'open' AND r.due_at < ?))"                                 \
  " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?))"
STORE_SQL(q_list, SCOPE_WITH "SELECT " REQ_COLS REQ_FROM LIST_WHERE
                             " ORDER BY CASE WHEN r.status = 'open' THEN 0 ELSE 1 END, r.due_at, r.id"
                             " LIMIT ? OFFSET ?");
STORE_SQL(q_count, SCOPE_WITH "SELECT COUNT(*)" REQ_FROM LIST_WHERE);
STORE_SQL(q_summary, SCOPE_WITH "SELECT COUNT(*), COALESCE(SUM(CASE WHEN r.due_at < ? THEN 1 ELSE 0 END), 0),"
                                " COALESCE(SUM(CASE WHEN r.due_at >= ? AND r.due_at < ? THEN 1 ELSE 0 END), 0)"
                                " FROM data_requests r JOIN people p ON p.id = r.person_id"
                                " JOIN units u ON u.id = p.unit_id WHERE r.status = 'open' AND " SCOPE_IN("u.path"));
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");
STORE_SQL(q_reach, "SELECT p.unit_id, u.path FROM data_requests r JOIN people p ON p.id = r.person_id"
                   " JOIN units u ON u.id = p.unit_id WHERE r.id = ?");
STORE_SQL(q_for_answer, "SELECT r.person_id, r.kind, r.status, p.unit_id, CASE WHEN p.deleted_at IS NULL THEN 0 ELSE 1 END"
                        " FROM data_requests r JOIN people p ON p.id = r.person_id WHERE r.id = ?");
STORE_SQL(q_answer, "UPDATE data_requests SET status = 'answered', outcome = ?, answer = ?, answered_by = ?,"
                    " answered_at = ? WHERE id = ? AND status = 'open'");

static const char *const kinds[] = {"access", "correct", "restrict", "delete"};

bool requests_kind_valid(const char *kind) {
  for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(kind, kinds[i]) == 0) return true;
  return false;
}

/* Has the text something besides white space? */
static bool has_text(const char *s) {
  for (; s && *s; s++)
    if (!strchr(" \t\r\n", *s)) return true;
  return false;
}

static bool too_long(const char *s) { return s && utf8_length(s, strlen(s)) > REQUESTS_TEXT_MAX; }

int requests_create(store_conn *w, int64_t person_id, int64_t user_id, const char *kind, const char *message,
                    int64_t now, int64_t *id, app_err *e) {
  if (!requests_kind_valid(kind))
    return app_fail(e, 400, "invalid_value", "kind",
                    "Loại yêu cầu phải là access (xem dữ liệu), correct (sửa), restrict (hạn chế xử lý) hoặc delete (xóa).");
  if (strcmp(kind, "correct") == 0 && !has_text(message))
    return app_fail(e, 400, "missing_field", "message", "Hãy ghi rõ thông tin nào cần sửa và sửa thành gì.");
  if (too_long(message))
    return app_fail(e, 400, "invalid_value", "message", "Nội dung yêu cầu dài tối đa 2000 ký tự.");
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  store_bind_id(s, 2, user_id);
  store_bind_text(s, 3, kind);
  store_bind_text(s, 4, message ? message : "");
  store_bind_int(s, 5, now);
  store_bind_int(s, 6, now + REQUESTS_DUE_SECONDS);
  int rc = store_insert_id(s, id);
  if (rc == STORE_CONSTRAINT) return app_fail(e, 404, "not_found", NULL, "Không tìm thấy hồ sơ người dân của bạn.");
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

static json_t *time_or_null(store_stmt *s, int i) {
  if (store_col_is_null(s, i)) return json_null();
  char iso[32];
  clock_iso8601(store_col_int(s, i), iso, sizeof iso);
  return json_string(iso);
}
static json_t *text_or_null(store_stmt *s, int i) {
  return store_col_is_null(s, i) ? json_null() : json_string(store_col_text(s, i));
}

/* Whole hours from now to `due`, rounded toward the past (negative once overdue). */
static int64_t hours_until(int64_t due, int64_t now) {
  int64_t d = due - now;
  return d >= 0 ? d / 3600 : -((-d + 3599) / 3600);
}

/* One request from the columns of REQ_COLS. */
static json_t *request_row(store_stmt *s, int64_t now) {
  bool open = strcmp(store_col_text(s, 7), "open") == 0;
  int64_t due = store_col_int(s, 11);
  json_t *o = json_object();
  if (!o) return NULL;
  int bad = 0;
  bad |= json_object_set_new(o, "id", json_integer(store_col_int(s, 0)));
  bad |= json_object_set_new(o, "person_id", json_integer(store_col_int(s, 1)));
  bad |= json_object_set_new(o, "person_name", json_string(store_col_text(s, 2)));
  bad |= json_object_set_new(o, "unit_id", json_integer(store_col_int(s, 3)));
  bad |= json_object_set_new(o, "unit_name", json_string(store_col_text(s, 4)));
  bad |= json_object_set_new(o, "kind", json_string(store_col_text(s, 5)));
  bad |= json_object_set_new(o, "message", json_string(store_col_text(s, 6)));
  bad |= json_object_set_new(o, "status", json_string(store_col_text(s, 7)));
  bad |= json_object_set_new(o, "outcome", text_or_null(s, 8));
  bad |= json_object_set_new(o, "answer", text_or_null(s, 9));
  bad |= json_object_set_new(o, "created_at", time_or_null(s, 10));
  bad |= json_object_set_new(o, "due_at", time_or_null(s, 11));
  bad |= json_object_set_new(o, "answered_at", time_or_null(s, 12));
  bad |= json_object_set_new(o, "answered_by", text_or_null(s, 13));
  bad |= json_object_set_new(o, "overdue", json_boolean(open && now > due));
  bad |= json_object_set_new(o, "hours_left", open ? json_integer(hours_until(due, now)) : json_null());
  bad |= json_object_set_new(o, "person_restricted", json_boolean(store_col_int(s, 14) != 0));
  bad |= json_object_set_new(o, "person_deleted", json_boolean(store_col_int(s, 15) != 0));
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

int requests_get(store_conn *c, int64_t id, int64_t now, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  json_t *o = rc == STORE_ROW ? request_row(s, now) : NULL;
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy yêu cầu này.");
  if (!o) return APP_INTERNAL(e);
  *out = o;
  return 0;
}

/* Steps a statement of REQ_COLS rows into a new array. */
static int rows_into(store_stmt *s, int64_t now, json_t **items, app_err *e) {
  json_t *a = json_array();
  int rc = STORE_ERROR;
  while (a && (rc = store_step(s)) == STORE_ROW) {
    json_t *o = request_row(s, now);
    if (!o || json_array_append_new(a, o) != 0) {
      rc = STORE_ERROR;
      break;
    }
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(a);
    return APP_INTERNAL(e);
  }
  *items = a;
  return 0;
}

int requests_list_own(store_conn *c, int64_t user_id, int64_t now, json_t **items, app_err *e) {
  store_stmt *s = store_prepare(c, &q_own);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, user_id);
  return rows_into(s, now, items, e);
}

typedef struct list_args {
  const char *status; /* NULL: all */
  bool overdue;
  char lo[512], hi[512];
  bool unit;
} list_args;

static int bind_list(store_stmt *s, const scope_sql *scope, const list_args *a, int64_t now) {
  int i = scope_bind(s, 1, scope);
  store_bind_text(s, i++, a->status);
  store_bind_text(s, i++, a->status);
  if (a->overdue) {
    store_bind_int(s, i++, 1);
    store_bind_int(s, i++, now);
  } else {
    store_bind_null(s, i++);
    store_bind_null(s, i++);
  }
  store_bind_text(s, i++, a->unit ? a->lo : NULL);
  store_bind_text(s, i++, a->unit ? a->lo : NULL);
  store_bind_text(s, i++, a->unit ? a->hi : NULL);
  return i;
}

int requests_list(store_conn *c, const scope_sql *scope, const request_query *q, int64_t now, json_t **items,
                  int64_t *total, app_err *e) {
  list_args a;
  memset(&a, 0, sizeof a);
  if (!q->status || strcmp(q->status, "open") == 0)
    a.status = "open";
  else if (strcmp(q->status, "answered") == 0)
    a.status = "answered";
  else if (strcmp(q->status, "all") != 0)
    return app_fail(e, 400, "invalid_value", "status", "Trạng thái phải là open (đang chờ), answered (đã trả lời) hoặc all.");
  a.overdue = q->overdue;
  if (q->unit_id) {
    store_stmt *u = store_prepare(c, &q_unit_path);
    if (!u) return APP_INTERNAL(e);
    store_bind_int(u, 1, q->unit_id);
    int rc = store_step(u);
    if (rc == STORE_ROW) snprintf(a.lo, sizeof a.lo, "%s", store_col_text(u, 0));
    store_reset(u);
    if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
    if (rc != STORE_ROW || !a.lo[0]) return APP_INTERNAL(e);
    snprintf(a.hi, sizeof a.hi, "%s", a.lo);
    a.hi[strlen(a.hi) - 1] = '0'; /* '/' + 1: the subtree's upper bound */
    a.unit = true;
  }
  store_stmt *n = store_prepare(c, &q_count);
  if (!n) return APP_INTERNAL(e);
  bind_list(n, scope, &a, now);
  int rc = store_step(n);
  *total = rc == STORE_ROW ? store_col_int(n, 0) : -1;
  store_reset(n);
  if (*total < 0) return APP_INTERNAL(e);
  store_stmt *s = store_prepare(c, &q_list);
  if (!s) return APP_INTERNAL(e);
  int i = bind_list(s, scope, &a, now);
  store_bind_int(s, i++, q->per_page);
  store_bind_int(s, i++, (int64_t)(q->page - 1) * q->per_page);
  return rows_into(s, now, items, e);
}

int requests_summary(store_conn *c, const scope_sql *scope, int64_t now, request_summary *out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_summary);
  if (!s) return APP_INTERNAL(e);
  int i = scope_bind(s, 1, scope);
  store_bind_int(s, i++, now);
  store_bind_int(s, i++, now);
  store_bind_int(s, i++, now + 24 * 3600);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    out->open = store_col_int(s, 0);
    out->overdue = store_col_int(s, 1);
    out->due_within_24h = store_col_int(s, 2);
  }
  store_reset(s);
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

int requests_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e) {
  return scope_reach(c, &q_reach, id, a, unit_id, path, "Không tìm thấy yêu cầu này.", e);
}

int requests_answer(store_conn *w, int64_t id, const char *outcome, const char *answer, int64_t by_user, int64_t now,
                    int retention_days, request_answered *out, app_err *e) {
  memset(out, 0, sizeof *out);
  bool done = outcome && strcmp(outcome, "done") == 0;
  if (!done && !(outcome && strcmp(outcome, "refused") == 0))
    return app_fail(e, 400, "invalid_value", "outcome", "Kết quả phải là done (đã thực hiện) hoặc refused (từ chối).");
  if (!done && !has_text(answer))
    return app_fail(e, 400, "missing_field", "answer",
                    "Từ chối phải nêu lý do (ví dụ: dữ liệu cần giữ để thực hiện nhiệm vụ theo quy định).");
  if (too_long(answer)) return app_fail(e, 400, "invalid_value", "answer", "Nội dung trả lời dài tối đa 2000 ký tự.");
  store_stmt *s = store_prepare(w, &q_for_answer);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  bool open = false, deleted = false;
  if (rc == STORE_ROW) {
    out->person_id = store_col_int(s, 0);
    snprintf(out->kind, sizeof out->kind, "%s", store_col_text(s, 1));
    open = strcmp(store_col_text(s, 2), "open") == 0;
    out->unit_id = store_col_int(s, 3);
    deleted = store_col_int(s, 4) != 0;
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy yêu cầu này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (!open) return app_fail(e, 409, "conflict", "id", "Yêu cầu này đã được trả lời.");
  store_stmt *u = store_prepare(w, &q_answer);
  if (!u) return APP_INTERNAL(e);
  store_bind_text(u, 1, done ? "done" : "refused");
  store_bind_text(u, 2, has_text(answer) ? answer : NULL);
  store_bind_id(u, 3, by_user);
  store_bind_int(u, 4, now);
  store_bind_int(u, 5, id);
  rc = store_step(u);
  int64_t changed = rc == STORE_DONE ? store_changes(u) : 0;
  store_reset(u);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  if (changed != 1) return app_fail(e, 409, "conflict", "id", "Yêu cầu này đã được trả lời.");
  out->done = done;
  if (done && strcmp(out->kind, "delete") == 0 && !deleted) {
    int64_t unit_id = 0;
    if (people_delete(w, out->person_id, retention_days, &unit_id, e) != 0) return -1;
    out->person_deleted = true;
  }
  out->restricted = done && strcmp(out->kind, "restrict") == 0;
  return 0;
}

/* helpreq.c: help requests (see helpreq.h). Owns the SQL of help_requests; reads units, field_topics
 * and field_visits; never writes them. */
#include "domain/helpreq.h"
#include "domain/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/groups.h"
#include "domain/person.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/utf8.h"

STORE_SQL(q_unit_kind, "SELECT kind FROM units WHERE id = ?");
STORE_SQL(q_topic, "SELECT id FROM field_topics WHERE code = ?");
STORE_SQL(q_insert, "INSERT INTO help_requests (unit_id, channel, requester_name, requester_phone, relation,"
                    " resident_name, address, topic_id, description, status, due_at, created_by, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id");
STORE_SQL(q_reach, "SELECT r.unit_id, u.path FROM help_requests r JOIN units u ON u.id = r.unit_id WHERE r.id = ?");
#define HR_COLS                                                                                             \
  "r.id, r.unit_id, u.name, r.channel, r.requester_name, r.requester_phone, r.relation, r.resident_name,"  \
  " r.address, ft.code, ft.label, r.description, r.status, r.due_at, tb.display_name, r.taken_at,"        \
  " db.display_name, r.done_at, r.visit_id, cb.display_name, r.created_at, r.created_by"
#define HR_FROM                                                                                             \
  " FROM help_requests r JOIN units u ON u.id = r.unit_id LEFT JOIN field_topics ft ON ft.id = r.topic_id" \
  " LEFT JOIN users tb ON tb.id = r.taken_by LEFT JOIN users db ON db.id = r.done_by"                       \
  " LEFT JOIN users cb ON cb.id = r.created_by"
STORE_SQL(q_get, "SELECT " HR_COLS HR_FROM " WHERE r.id = ?");
STORE_SQL(q_state, "SELECT status, taken_by, unit_id, created_at FROM help_requests WHERE id = ?");
STORE_SQL(q_take, "UPDATE help_requests SET status = 'taken', taken_by = ?, taken_at = ? WHERE id = ? AND status = 'open'");
STORE_SQL(q_visit, "SELECT unit_id, visited_on FROM field_visits WHERE id = ?");
STORE_SQL(q_done, "UPDATE help_requests SET status = 'done', done_by = ?, done_at = ?, visit_id = ?,"
                  " taken_by = COALESCE(taken_by, ?), taken_at = COALESCE(taken_at, ?) WHERE id = ? AND status <> 'done'");
/* Lists: the scope's units, then their requests. Status filter: 1 open (open or taken), 2 overdue,
 * 3 done, 0 all. */
#define HR_UNITS                                                                                            \
  SCOPE_WITH ", su_(id) AS MATERIALIZED (SELECT DISTINCT u.id FROM sc_ CROSS JOIN units u"                 \
             " WHERE u.path >= sc_.lo AND u.path < sc_.hi AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?))) "
#define HR_WHERE                                                                                            \
  " WHERE r.unit_id IN (SELECT id FROM su_) AND (? = 0 OR (? = 1 AND r.status <> 'done')"                  \
  " OR (? = 2 AND r.status <> 'done' AND r.due_at < ?) OR (? = 3 AND r.status = 'done'))"
STORE_SQL(q_list, HR_UNITS "SELECT " HR_COLS HR_FROM HR_WHERE
                  " ORDER BY CASE WHEN r.status = 'done' THEN 1 ELSE 0 END, r.due_at, r.id LIMIT ? OFFSET ?");
STORE_SQL(q_count, HR_UNITS "SELECT COUNT(*) FROM help_requests r" HR_WHERE);
STORE_SQL(q_summary, HR_UNITS "SELECT r.unit_id, u.name, SUM(CASE WHEN r.status <> 'done' THEN 1 ELSE 0 END),"
                     " SUM(CASE WHEN r.status <> 'done' AND r.due_at < ? THEN 1 ELSE 0 END),"
                     " SUM(CASE WHEN r.status = 'done' THEN 1 ELSE 0 END)"
                     " FROM help_requests r JOIN units u ON u.id = r.unit_id WHERE r.unit_id IN (SELECT id FROM su_)"
                     " GROUP BY r.unit_id, u.name ORDER BY r.unit_id");
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");
STORE_SQL(q_public_units, "SELECT u.id, u.name FROM units u JOIN units w ON w.id = u.parent_id"
                          " WHERE u.kind = 'residential_group' AND w.kind IN ('ward', 'commune') ORDER BY u.id LIMIT 2000");
STORE_SQL(q_closed, "SELECT COUNT(*) FROM help_requests WHERE unit_id = ? AND done_at >= ? AND done_at <= ?");

static const struct {
  const char *code, *label;
} CHANNELS[] = {{"phone", "Qua điện thoại"}, {"desk", "Tại Trung tâm phục vụ hành chính công"}, {"web", "Qua biểu mẫu trên mạng"}};
static const struct {
  const char *code, *label;
} RELATIONS[] = {{"self", "Người dân tự yêu cầu"}, {"relative", "Người thân yêu cầu giúp"}, {"desk", "Cán bộ tiếp nhận tại quầy"}};

static const char *label_of(const char *code, int which) {
  for (size_t i = 0; code && i < 3; i++) {
    if (which == 0 && strcmp(code, CHANNELS[i].code) == 0) return CHANNELS[i].label;
    if (which == 1 && strcmp(code, RELATIONS[i].code) == 0) return RELATIONS[i].label;
  }
  return NULL;
}

/* A cleaned text into *out (NULL when blank); -1 with e naming `field` when too long or hidden. */
static int text_in(const char *s, size_t max, const char *field, const char *too_long, char **out, app_err *e) {
  *out = NULL;
  if (!s) return 0;
  if (text_name_check(s) == TEXT_NAME_HIDDEN)
    return app_fail(e, 400, "invalid_value", field, "Có ký tự ẩn hoặc ký tự điều khiển.");
  char *c = text_clean(s);
  if (!c) return app_fail(e, 400, "invalid_value", field, "Văn bản không phải UTF-8 hợp lệ.");
  if (!*c) {
    free(c);
    return 0;
  }
  if (utf8_length(c, strlen(c)) > max) {
    free(c);
    return app_fail(e, 400, "invalid_value", field, too_long);
  }
  *out = c;
  return 0;
}

int helpreq_create(store_conn *w, const helpreq_input *in, int64_t by_user, int64_t now, int64_t *id, app_err *e) {
  char *name = NULL, *resident = NULL, *address = NULL, *desc = NULL, phone[16] = "";
  int ret = -1;
  if (!label_of(in->channel, 0)) return app_fail(e, 400, "invalid_value", "channel", "Kênh là phone, desk hoặc web.");
  if (!label_of(in->relation, 1))
    return app_fail(e, 400, "invalid_value", "relation", "Người yêu cầu là self (chính mình), relative (người thân) hoặc desk (cán bộ tại quầy).");
  if (text_in(in->requester_name, 100, "requester_name", "Họ tên dài tối đa 100 ký tự.", &name, e) != 0 ||
      text_in(in->resident_name, 100, "resident_name", "Họ tên dài tối đa 100 ký tự.", &resident, e) != 0 ||
      text_in(in->address, 300, "address", "Địa chỉ dài tối đa 300 ký tự.", &address, e) != 0 ||
      text_in(in->description, 1000, "description", "Nội dung dài tối đa 1000 ký tự.", &desc, e) != 0)
    goto out;
  if (!name) {
    app_fail(e, 400, "invalid_value", "requester_name", "Hãy ghi họ tên người yêu cầu.");
    goto out;
  }
  if (!desc) {
    app_fail(e, 400, "invalid_value", "description", "Hãy ghi cần hỗ trợ việc gì.");
    goto out;
  }
  if (in->phone && *in->phone && phone_normalise(in->phone, phone, sizeof phone) != 0) {
    app_fail(e, 400, "invalid_value", "phone", "Số điện thoại không hợp lệ (ví dụ 0912 345 678).");
    goto out;
  }
  if (!phone[0] && strcmp(in->channel, "web") == 0) {
    app_fail(e, 400, "invalid_value", "phone", "Hãy ghi số điện thoại để tổ công nghệ số gọi lại.");
    goto out;
  }
  store_stmt *s = store_prepare(w, &q_unit_kind);
  if (!s) goto internal;
  store_bind_int(s, 1, in->unit_id);
  int rc = store_step(s);
  bool group = rc == STORE_ROW && strcmp(store_col_text(s, 0), "residential_group") == 0;
  store_reset(s);
  if (rc == STORE_DONE) {
    app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy tổ dân phố.");
    goto out;
  }
  if (rc != STORE_ROW) goto internal;
  if (!group) {
    app_fail(e, 400, "invalid_value", "unit_id", "Hãy chọn tổ dân phố nơi cần hỗ trợ.");
    goto out;
  }
  int64_t topic = 0;
  if (in->topic && *in->topic) {
    if (!(s = store_prepare(w, &q_topic))) goto internal;
    store_bind_text(s, 1, in->topic);
    rc = store_step(s);
    if (rc == STORE_ROW) topic = store_col_int(s, 0);
    store_reset(s);
    if (rc == STORE_DONE) {
      app_fail(e, 400, "invalid_value", "topic", "Không có nội dung hỗ trợ này trong danh sách.");
      goto out;
    }
    if (rc != STORE_ROW) goto internal;
  }
  if (!(s = store_prepare(w, &q_insert))) goto internal;
  store_bind_int(s, 1, in->unit_id);
  store_bind_text(s, 2, in->channel);
  store_bind_text(s, 3, name);
  store_bind_text(s, 4, phone[0] ? phone : NULL);
  store_bind_text(s, 5, in->relation);
  store_bind_text(s, 6, resident);
  store_bind_text(s, 7, address);
  store_bind_id(s, 8, topic);
  store_bind_text(s, 9, desc);
  store_bind_int(s, 10, now + HELPREQ_DUE_SECONDS);
  store_bind_id(s, 11, by_user);
  store_bind_int(s, 12, now);
  if (store_insert_id(s, id) != STORE_DONE) goto internal;
  ret = 0;
  goto out;
internal:
  APP_INTERNAL(e);
out:
  free(name);
  free(resident);
  free(address);
  free(desc);
  return ret;
}

int helpreq_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e) {
  return scope_reach(c, &q_reach, id, a, unit_id, path, "Không tìm thấy yêu cầu hỗ trợ này.", e);
}

static json_t *opt_text(store_stmt *s, int i) { return store_col_is_null(s, i) ? json_null() : json_string(store_col_text(s, i)); }
static json_t *opt_time(store_stmt *s, int i) {
  if (store_col_is_null(s, i)) return json_null();
  char iso[32];
  clock_iso8601(store_col_int(s, i), iso, sizeof iso);
  return json_string(iso);
}

static json_t *row_json(store_stmt *s, int64_t now) {
  const char *status = store_col_text(s, 12);
  bool overdue = strcmp(status, "done") != 0 && store_col_int(s, 13) < now;
  return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:o, s:b, s:o, s:o,"
                   " s:o, s:o, s:o, s:o, s:o}",
                   "id", (json_int_t)store_col_int(s, 0), "unit_id", (json_int_t)store_col_int(s, 1), "unit_name",
                   store_col_text(s, 2), "channel", store_col_text(s, 3), "channel_label",
                   label_of(store_col_text(s, 3), 0), "requester_name", store_col_text(s, 4), "phone", opt_text(s, 5),
                   "relation", store_col_text(s, 6), "relation_label", label_of(store_col_text(s, 6), 1),
                   "resident_name", opt_text(s, 7), "address", opt_text(s, 8), "topic", opt_text(s, 9), "topic_label",
                   opt_text(s, 10), "description", store_col_text(s, 11), "status", status, "due_at", opt_time(s, 13),
                   "overdue", overdue, "taken_by", opt_text(s, 14), "taken_at", opt_time(s, 15), "done_by",
                   opt_text(s, 16), "done_at", opt_time(s, 17), "visit_id",
                   store_col_is_null(s, 18) ? json_null() : json_integer(store_col_int(s, 18)), "created_by",
                   store_col_is_null(s, 21) ? json_null() : json_string(store_col_text(s, 19)), "created_at",
                   opt_time(s, 20));
}

int helpreq_get(store_conn *c, int64_t id, int64_t now, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  *out = rc == STORE_ROW ? row_json(s, now) : NULL;
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy yêu cầu hỗ trợ này.");
  return *out ? 0 : APP_INTERNAL(e);
}

/* The request's status, taker, tổ and creation time. */
static int state_of(store_conn *w, int64_t id, char status[8], int64_t *taken_by, int64_t *unit_id, int64_t *created,
                    app_err *e) {
  store_stmt *s = store_prepare(w, &q_state);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    snprintf(status, 8, "%s", store_col_text(s, 0));
    *taken_by = store_col_is_null(s, 1) ? 0 : store_col_int(s, 1);
    *unit_id = store_col_int(s, 2);
    *created = store_col_int(s, 3);
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy yêu cầu hỗ trợ này.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

int helpreq_take(store_conn *w, int64_t id, int64_t by_user, int64_t now, app_err *e) {
  char status[8];
  int64_t taker = 0, unit = 0, created = 0;
  if (state_of(w, id, status, &taker, &unit, &created, e) != 0) return -1;
  if (strcmp(status, "done") == 0) return app_fail(e, 409, "conflict", "id", "Yêu cầu này đã xong.");
  if (strcmp(status, "taken") == 0)
    return taker == by_user ? 0 : app_fail(e, 409, "conflict", "id", "Yêu cầu này đã có người khác nhận.");
  store_stmt *s = store_prepare(w, &q_take);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, by_user);
  store_bind_int(s, 2, now);
  store_bind_int(s, 3, id);
  int rc = store_step(s);
  int64_t n = store_changes(s);
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  if (n == 1) return 0;
  /* Taken meanwhile (PostgreSQL writes at once: the UPDATE waited for the other's commit and found
   * the request no longer open). Read again, as committed now: the same helper's other tap (a double
   * tap, two devices) has it already, and that is theirs: 200, as a take repeated later is. */
  if (state_of(w, id, status, &taker, &unit, &created, e) != 0) return -1;
  if (strcmp(status, "done") == 0) return app_fail(e, 409, "conflict", "id", "Yêu cầu này đã xong.");
  return strcmp(status, "taken") == 0 && taker == by_user ? 0
                                                          : app_fail(e, 409, "conflict", "id", "Yêu cầu này đã có người khác nhận.");
}

int helpreq_done(store_conn *w, int64_t id, int64_t visit_id, int64_t by_user, int64_t now, app_err *e) {
  char status[8];
  int64_t taker = 0, unit = 0, created = 0;
  if (state_of(w, id, status, &taker, &unit, &created, e) != 0) return -1;
  if (strcmp(status, "done") == 0) return app_fail(e, 409, "conflict", "id", "Yêu cầu này đã xong.");
  store_stmt *s = store_prepare(w, &q_visit);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, visit_id);
  int rc = store_step(s);
  int64_t vunit = rc == STORE_ROW ? store_col_int(s, 0) : 0, vday = rc == STORE_ROW ? store_col_int(s, 1) : 0;
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) return APP_INTERNAL(e);
  if (rc == STORE_DONE || vunit != unit)
    return app_fail(e, 400, "invalid_value", "visit_id", "Lượt đến hộ này không thuộc tổ dân phố của yêu cầu.");
  if (vday < groups_date_key(created))
    return app_fail(e, 400, "invalid_value", "visit_id", "Lượt đến hộ này diễn ra trước khi có yêu cầu.");
  if (!(s = store_prepare(w, &q_done))) return APP_INTERNAL(e);
  store_bind_int(s, 1, by_user);
  store_bind_int(s, 2, now);
  store_bind_int(s, 3, visit_id);
  store_bind_int(s, 4, by_user);
  store_bind_int(s, 5, now);
  store_bind_int(s, 6, id);
  rc = store_step(s);
  int64_t n = store_changes(s);
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  return n == 1 ? 0 : app_fail(e, 409, "conflict", "id", "Yêu cầu này đã xong.");
}

static int bind_units(store_conn *c, store_stmt *s, int i, int64_t unit_id, arena *a, app_err *e) {
  if (!unit_id) {
    for (int k = 0; k < 3; k++) store_bind_null(s, i + k);
    return i + 3;
  }
  store_stmt *p = store_prepare(c, &q_unit_path);
  if (!p) return APP_INTERNAL(e);
  store_bind_int(p, 1, unit_id);
  int rc = store_step(p);
  const char *path = rc == STORE_ROW ? arena_strdup(a, store_col_text(p, 0)) : NULL;
  store_reset(p);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
  if (!path) return APP_INTERNAL(e);
  store_bind_text(s, i, path);
  store_bind_text(s, i + 1, path);
  store_bind_text(s, i + 2, scope_hi(a, path));
  return i + 3;
}

static int bind_status(store_stmt *s, int i, int st, int64_t now) {
  store_bind_int(s, i, st);
  store_bind_int(s, i + 1, st);
  store_bind_int(s, i + 2, st);
  store_bind_int(s, i + 3, now);
  store_bind_int(s, i + 4, st);
  return i + 5;
}

int helpreq_list(store_conn *c, const scope_sql *scope, const helpreq_query *q, int64_t now, json_t **items,
                 int64_t *total, app_err *e) {
  int st = 0;
  if (q->status) {
    if (strcmp(q->status, "open") == 0) st = 1;
    else if (strcmp(q->status, "overdue") == 0) st = 2;
    else if (strcmp(q->status, "done") == 0) st = 3;
    else return app_fail(e, 400, "invalid_value", "status", "Trạng thái là open, overdue hoặc done.");
  }
  arena a;
  arena_init(&a);
  int ret = -1;
  json_t *arr = json_array();
  store_stmt *s = store_prepare(c, &q_count);
  if (!s || !arr) {
    APP_INTERNAL(e);
    goto out;
  }
  int i = bind_units(c, s, scope_bind(s, 1, scope), q->unit_id, &a, e);
  if (i < 0) goto out;
  bind_status(s, i, st, now);
  int rc = store_step(s);
  *total = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW || !(s = store_prepare(c, &q_list))) {
    APP_INTERNAL(e);
    goto out;
  }
  i = bind_units(c, s, scope_bind(s, 1, scope), q->unit_id, &a, e);
  if (i < 0) goto out;
  i = bind_status(s, i, st, now);
  store_bind_int(s, i, q->per_page);
  store_bind_int(s, i + 1, (int64_t)(q->page - 1) * q->per_page);
  while ((rc = store_step(s)) == STORE_ROW) json_array_append_new(arr, row_json(s, now));
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto out;
  }
  *items = arr;
  arr = NULL;
  ret = 0;
out:
  json_decref(arr);
  arena_free(&a);
  return ret;
}

int helpreq_summary(store_conn *c, const scope_sql *scope, int64_t unit_id, int64_t now, json_t **items, app_err *e) {
  arena a;
  arena_init(&a);
  int ret = -1;
  json_t *arr = json_array();
  store_stmt *s = store_prepare(c, &q_summary);
  if (!s || !arr) {
    APP_INTERNAL(e);
    goto out;
  }
  int i = bind_units(c, s, scope_bind(s, 1, scope), unit_id, &a, e);
  if (i < 0) goto out;
  store_bind_int(s, i, now);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(arr, json_pack("{s:I, s:s, s:I, s:I, s:I}", "unit_id", (json_int_t)store_col_int(s, 0),
                                         "unit_name", store_col_text(s, 1), "open", (json_int_t)store_col_int(s, 2),
                                         "overdue", (json_int_t)store_col_int(s, 3), "done",
                                         (json_int_t)store_col_int(s, 4)));
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto out;
  }
  *items = arr;
  arr = NULL;
  ret = 0;
out:
  json_decref(arr);
  arena_free(&a);
  return ret;
}

int helpreq_public_units(store_conn *c, json_t **items, app_err *e) {
  store_stmt *s = store_prepare(c, &q_public_units);
  json_t *arr = json_array();
  if (!s || !arr) {
    json_decref(arr);
    return APP_INTERNAL(e);
  }
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(arr, json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(s, 0), "name", store_col_text(s, 1)));
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(arr);
    return APP_INTERNAL(e);
  }
  *items = arr;
  return 0;
}

int helpreq_closed_count(store_conn *c, int64_t unit_id, int64_t from, int64_t to, int64_t *n, app_err *e) {
  store_stmt *s = store_prepare(c, &q_closed);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, unit_id);
  store_bind_int(s, 2, from);
  store_bind_int(s, 3, to);
  int rc = store_step(s);
  *n = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

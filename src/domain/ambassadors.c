/* ambassadors.c: Đại sứ số (see ambassadors.h). Only this file writes SQL about ambassadors,
 * mentorships, mentor_sessions and service_helps; people and units are read, never changed here.
 * Never: writes half an assignment (every write is one statement, or the caller's transaction). */
#include "domain/ambassadors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/groups.h"
#include "domain/person.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/utf8.h"

/* ---- statements ---- */
STORE_SQL(q_person, "SELECT unit_id FROM people WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_unit_kind, "SELECT kind FROM units WHERE id = ?");
STORE_SQL(q_amb_insert, "INSERT INTO ambassadors (person_id, unit_id, kind, started_at, assigned_by, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id");
STORE_SQL(q_amb_row, "SELECT a.person_id, a.unit_id, a.kind, a.ended_at, a.started_at, p.full_name FROM ambassadors a"
                     " JOIN people p ON p.id = a.person_id WHERE a.id = ?");
/* The same row, locked on PostgreSQL for the rest of the transaction (writes run concurrently
 * there; SQLite's single writer serialises them). An assignment and an end both take it first: the
 * assignment sees an end committed before it (refused), and an end waits for an assignment under
 * way, then ends it with the other open ones. */
STORE_SQL2(q_amb_row_lock,
           "SELECT a.person_id, a.unit_id, a.kind, a.ended_at, a.started_at, p.full_name FROM ambassadors a"
           " JOIN people p ON p.id = a.person_id WHERE a.id = ?",
           "SELECT a.person_id, a.unit_id, a.kind, a.ended_at, a.started_at, p.full_name FROM ambassadors a"
           " JOIN people p ON p.id = a.person_id WHERE a.id = ? FOR NO KEY UPDATE OF a");
STORE_SQL(q_amb_end, "UPDATE ambassadors SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL");
STORE_SQL(q_amb_end_mentees, "UPDATE mentorships SET ended_at = ?, ended_by = ? WHERE ambassador_id = ?"
                             " AND ended_at IS NULL");
STORE_SQL(q_amb_reach, "SELECT a.person_id, u.path FROM ambassadors a JOIN units u ON u.id = a.unit_id"
                       " JOIN people p ON p.id = a.person_id WHERE a.id = ? AND p.deleted_at IS NULL");
/* How many mentees a mentor guides now, and how many sessions and helps they logged. */
#define AMB_NM "(SELECT COUNT(*) FROM mentorships m WHERE m.ambassador_id = a.id AND m.ended_at IS NULL)"
#define AMB_COUNTS                                                                                            \
  AMB_NM " AS nm,"                                                                                             \
  " (SELECT COUNT(*) FROM mentor_sessions s JOIN mentorships m ON m.id = s.mentorship_id"                    \
  " WHERE m.ambassador_id = a.id) AS ns, (SELECT COUNT(*) FROM service_helps h WHERE h.ambassador_id = a.id) AS nh"
#define AMB_COLS \
  "a.id, a.person_id, p.full_name, a.unit_id, u.name, a.kind, a.started_at, a.ended_at, " AMB_COUNTS
STORE_SQL(q_amb_get, "SELECT " AMB_COLS " FROM ambassadors a JOIN people p ON p.id = a.person_id"
                     " JOIN units u ON u.id = a.unit_id WHERE a.id = ?");
/* The people named in an ambassador's logs, each only when the reader may see them: registered in a
 * unit of the reader's scope (the counts above stay whole: they name nobody). */
STORE_SQL(q_amb_mentees, SCOPE_WITH "SELECT m.id, m.mentee_id, p.full_name, u.name, m.started_at, m.ended_at,"
                                    " (SELECT COUNT(*) FROM mentor_sessions s WHERE s.mentorship_id = m.id)"
                                    " FROM mentorships m JOIN people p ON p.id = m.mentee_id JOIN units u ON u.id = p.unit_id"
                                    " WHERE m.ambassador_id = ? AND p.deleted_at IS NULL AND " SCOPE_IN("u.path")
                                    " ORDER BY CASE WHEN m.ended_at IS NULL THEN 0 ELSE 1 END, p.name_key, m.id LIMIT 200");
STORE_SQL(q_amb_sessions, SCOPE_WITH "SELECT s.id, s.mentorship_id, p.full_name, s.held_on, s.topic, rb.display_name,"
                                     " s.created_at FROM mentor_sessions s JOIN mentorships m ON m.id = s.mentorship_id"
                                     " JOIN people p ON p.id = m.mentee_id JOIN units u ON u.id = p.unit_id"
                                     " LEFT JOIN users rb ON rb.id = s.recorded_by WHERE m.ambassador_id = ?"
                                     " AND p.deleted_at IS NULL AND " SCOPE_IN("u.path")
                                     " ORDER BY s.held_on DESC, s.id DESC LIMIT 100");
STORE_SQL(q_amb_helps, SCOPE_WITH "SELECT h.id, h.person_id, p.full_name, h.helped_on, h.what, rb.display_name, h.created_at"
                                  " FROM service_helps h JOIN people p ON p.id = h.person_id JOIN units u ON u.id = p.unit_id"
                                  " LEFT JOIN users rb ON rb.id = h.recorded_by WHERE h.ambassador_id = ?"
                                  " AND p.deleted_at IS NULL AND " SCOPE_IN("u.path")
                                  " ORDER BY h.helped_on DESC, h.id DESC LIMIT 100");
/* Lists: the ambassadors serving a unit of the scope (and of the filter's subtree when given). */
#define AMB_LIST_WHERE                                                                                        \
  " FROM ambassadors a JOIN people p ON p.id = a.person_id JOIN units u ON u.id = a.unit_id"                   \
  " WHERE p.deleted_at IS NULL AND " SCOPE_IN("u.path") " AND (CAST(? AS TEXT) IS NULL OR a.kind = ?)"          \
  " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?)) AND (? = 1 OR a.ended_at IS NULL)"            \
  " AND (? = 0 OR (a.kind = 'mentor' AND a.ended_at IS NULL AND (SELECT COUNT(*) FROM mentorships m"           \
  " WHERE m.ambassador_id = a.id AND m.ended_at IS NULL) < ?))"
STORE_SQL(q_amb_list, SCOPE_WITH "SELECT " AMB_COLS AMB_LIST_WHERE
                                 " ORDER BY CASE WHEN a.ended_at IS NULL THEN 0 ELSE 1 END, a.kind,"
                                 " CASE WHEN a.kind = 'mentor' THEN " AMB_NM " ELSE 0 END, p.name_key, a.id LIMIT ? OFFSET ?");
STORE_SQL(q_amb_count, SCOPE_WITH "SELECT COUNT(*)" AMB_LIST_WHERE);
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");
/* The rules over a scope. */
STORE_SQL(q_sum_mentors,
          SCOPE_WITH "SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.nm < ? THEN 1 ELSE 0 END), 0), COALESCE(SUM(t.nm), 0),"
                     " COALESCE(SUM(t.ns), 0) FROM (SELECT " AMB_COUNTS " FROM ambassadors a"
                     " JOIN people p ON p.id = a.person_id JOIN units u ON u.id = a.unit_id"
                     " WHERE a.kind = 'mentor' AND a.ended_at IS NULL AND p.deleted_at IS NULL AND " SCOPE_IN("u.path") ") t");
/* The mentees the reader may see (registered, live, in a unit of the scope, as q_amb_mentees shows
 * them) of the current mentors serving a unit of the scope, and their sessions. The rule's count
 * above (mentors_short) stays whole: it is the mentor's, whoever their mentees are, and names nobody. */
STORE_SQL(q_sum_mentees,
          SCOPE_WITH "SELECT COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM mentor_sessions s WHERE s.mentorship_id = m.id)), 0)"
                     " FROM mentorships m JOIN ambassadors a ON a.id = m.ambassador_id"
                     " JOIN people pa ON pa.id = a.person_id JOIN units au ON au.id = a.unit_id"
                     " JOIN people p ON p.id = m.mentee_id JOIN units u ON u.id = p.unit_id"
                     " WHERE m.ended_at IS NULL AND a.kind = 'mentor' AND a.ended_at IS NULL AND pa.deleted_at IS NULL"
                     " AND p.deleted_at IS NULL AND " SCOPE_IN("au.path") " AND " SCOPE_IN("u.path"));
STORE_SQL(q_sum_centres,
          SCOPE_WITH "SELECT u.id, u.name, (SELECT COUNT(*) FROM ambassadors a JOIN people p ON p.id = a.person_id"
                     " WHERE a.unit_id = u.id AND a.kind = 'service_helper' AND a.ended_at IS NULL"
                     " AND p.deleted_at IS NULL), (SELECT COUNT(*) FROM service_helps h JOIN ambassadors a"
                     " ON a.id = h.ambassador_id WHERE a.unit_id = u.id) FROM units u"
                     " WHERE u.kind = 'service_center' AND " SCOPE_IN("u.path") " ORDER BY u.name, u.id LIMIT 50");
STORE_SQL(q_sum_wards, SCOPE_WITH "SELECT COUNT(*) FROM units u WHERE u.kind IN ('ward', 'commune') AND "
                                  SCOPE_IN("u.path"));
/* Mentorships. */
STORE_SQL(q_ms_current, "SELECT m.id, p.full_name FROM mentorships m JOIN ambassadors a ON a.id = m.ambassador_id"
                        " JOIN people p ON p.id = a.person_id WHERE m.mentee_id = ? AND m.ended_at IS NULL");
STORE_SQL(q_ms_insert, "INSERT INTO mentorships (ambassador_id, mentee_id, started_at, assigned_by, created_at)"
                       " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id");
STORE_SQL(q_ms_row, "SELECT m.mentee_id, p.unit_id, m.ended_at, m.started_at FROM mentorships m"
                    " JOIN people p ON p.id = m.mentee_id WHERE m.id = ?");
STORE_SQL(q_ms_end, "UPDATE mentorships SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL");
STORE_SQL(q_ms_reach, "SELECT m.mentee_id, u.path FROM mentorships m JOIN people p ON p.id = m.mentee_id"
                      " JOIN units u ON u.id = p.unit_id WHERE m.id = ? AND p.deleted_at IS NULL");
STORE_SQL(q_ms_get, "SELECT m.id, m.ambassador_id, a.person_id, pa.full_name, m.mentee_id, pm.full_name, m.started_at,"
                    " m.ended_at, (SELECT COUNT(*) FROM mentor_sessions s WHERE s.mentorship_id = m.id)"
                    " FROM mentorships m JOIN ambassadors a ON a.id = m.ambassador_id"
                    " JOIN people pa ON pa.id = a.person_id JOIN people pm ON pm.id = m.mentee_id WHERE m.id = ?");
STORE_SQL(q_session_insert, "INSERT INTO mentor_sessions (mentorship_id, held_on, topic, recorded_by, created_at)"
                            " VALUES (?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_help_insert, "INSERT INTO service_helps (ambassador_id, person_id, helped_on, what, recorded_by, created_at)"
                         " VALUES (?, ?, ?, ?, ?, ?) RETURNING id");

/* ---- small helpers ---- */
static json_t *iso_or_null(store_stmt *s, int i) {
  if (store_col_is_null(s, i)) return json_null();
  char b[32];
  clock_iso8601(store_col_int(s, i), b, sizeof b);
  return json_string(b);
}
static json_t *date_of_key(int64_t k) {
  char b[16];
  snprintf(b, sizeof b, "%04d-%02d-%02d", (int)(k / 10000), (int)(k / 100 % 100), (int)(k % 100));
  return json_string(b);
}
static json_t *text_or_null(store_stmt *s, int i) {
  const char *t = store_col_text(s, i);
  return t ? json_string(t) : json_null();
}
static const char *kind_label(const char *kind) {
  if (kind && strcmp(kind, AMB_MENTOR) == 0) return "Đại sứ số hướng dẫn";
  if (kind && strcmp(kind, AMB_SERVICE_HELPER) == 0) return "Hỗ trợ tại Trung tâm phục vụ hành chính công";
  return NULL;
}
static bool blank(const char *s) {
  for (; s && *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') return false;
  return true;
}

int ambassadors_parse_date(const char *s, int64_t today_key, int64_t *key, const char **why) {
  pdate d;
  if (blank(s)) {
    *why = "Thiếu ngày (dd/mm/yyyy hoặc yyyy-mm-dd).";
    return -1;
  }
  if (pdate_parse(s, &d, NULL, 0) != 0 || d.month == 0 || d.day == 0) {
    *why = "Ngày không hợp lệ: ghi dd/mm/yyyy (ví dụ 15/03/2026) hoặc yyyy-mm-dd.";
    return -1;
  }
  int64_t k = (int64_t)d.year * 10000 + d.month * 100 + d.day;
  if (k > today_key) {
    *why = "Ngày ở tương lai: chỉ ghi những buổi đã diễn ra.";
    return -1;
  }
  if (d.year < 2000) {
    *why = "Ngày phải từ năm 2000.";
    return -1;
  }
  *key = k;
  return 0;
}

/* A cleaned text (1..AMB_TEXT_MAX characters) into *out (malloc), or 400 naming `field`. */
static int clean_text(const char *s, const char *field, char **out, app_err *e) {
  *out = NULL;
  if (blank(s)) return app_fail(e, 400, "missing_field", field, "Trường này không được để trống.");
  if (text_name_check(s) == TEXT_NAME_HIDDEN)
    return app_fail(e, 400, "invalid_value", field, "Văn bản có ký tự ẩn hoặc ký tự điều khiển.");
  char *c = text_clean(s);
  if (!c) return app_fail(e, 400, "invalid_value", field, "Văn bản không hợp lệ (không phải UTF-8).");
  if (utf8_length(c, strlen(c)) > AMB_TEXT_MAX) {
    free(c);
    return app_fail(e, 400, "invalid_value", field, "Văn bản dài quá 500 ký tự.");
  }
  *out = c;
  return 0;
}

/* 0 when the person is live; 404 naming `field`; -1 (500) on error. */
static int person_live(store_conn *c, int64_t id, const char *field, int64_t *unit_id, app_err *e) {
  store_stmt *s = store_prepare(c, &q_person);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW && unit_id) *unit_id = store_col_int(s, 0);
  store_reset(s);
  if (rc == STORE_DONE)
    return app_fail(e, 404, "not_found", field, "Không tìm thấy người này trong sổ dân cư (hoặc hồ sơ đã bị xóa).");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

/* Runs an INSERT … RETURNING id: 1 with *id, 0 when a conflict wrote nothing, -1 on error. */
static int insert_returning(store_stmt *s, int64_t *id) {
  int rc = store_step(s);
  if (rc == STORE_ROW) *id = store_col_int(s, 0);
  store_reset(s);
  return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

/* ---- ambassadors ---- */
int ambassadors_create(store_conn *w, int64_t person_id, int64_t unit_id, const char *kind, int64_t by, int64_t now,
                       int64_t *id, app_err *e) {
  if (!kind_label(kind))
    return app_fail(e, 400, "invalid_value", "kind", "Loại đại sứ số phải là mentor (hướng dẫn) hoặc service_helper "
                                                     "(hỗ trợ tại Trung tâm phục vụ hành chính công).");
  if (person_live(w, person_id, "person_id", NULL, e) != 0) return -1;
  store_stmt *s = store_prepare(w, &q_unit_kind);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, unit_id);
  int rc = store_step(s);
  bool centre = rc == STORE_ROW && strcmp(store_col_text(s, 0), "service_center") == 0;
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (strcmp(kind, AMB_SERVICE_HELPER) == 0 && !centre)
    return app_fail(e, 400, "invalid_value", "unit_id",
                    "Người hỗ trợ phải được phân công về Trung tâm phục vụ hành chính công (đơn vị loại trung tâm).");
  s = store_prepare(w, &q_amb_insert);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  store_bind_int(s, 2, unit_id);
  store_bind_text(s, 3, kind);
  store_bind_int(s, 4, now);
  store_bind_id(s, 5, by);
  store_bind_int(s, 6, now);
  rc = insert_returning(s, id);
  if (rc < 0) return APP_INTERNAL(e);
  if (rc == 0)
    return app_fail(e, 409, "conflict", "person_id",
                    strcmp(kind, AMB_MENTOR) == 0 ? "Người này đã là đại sứ số hướng dẫn."
                                                  : "Người này đang là người hỗ trợ tại Trung tâm phục vụ hành chính công.");
  return 0;
}

int ambassadors_end(store_conn *w, int64_t id, int64_t by, int64_t now, int64_t *person_id, int64_t *unit_id,
                    app_err *e) {
  /* Locked first (PostgreSQL): an assignment being made to this mentor commits before the open
   * assignments below are read, so that it is ended with the others. */
  store_stmt *s = store_prepare(w, &q_amb_row_lock);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  bool ended = rc == STORE_ROW && !store_col_is_null(s, 3);
  if (rc == STORE_ROW) {
    *person_id = store_col_int(s, 0);
    *unit_id = store_col_int(s, 1);
  }
  store_reset(s);
  if (rc == STORE_DONE) return APP_NOT_FOUND(e, "id");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (ended) return app_fail(e, 409, "conflict", "id", "Đại sứ số này đã kết thúc nhiệm vụ trước đó.");
  const store_sql *qs[] = {&q_amb_end_mentees, &q_amb_end};
  for (size_t i = 0; i < 2; i++) {
    s = store_prepare(w, qs[i]);
    if (!s) return APP_INTERNAL(e);
    store_bind_int(s, 1, now);
    store_bind_id(s, 2, by);
    store_bind_int(s, 3, id);
    rc = store_step(s);
    store_reset(s);
    if (rc != STORE_DONE) return APP_INTERNAL(e);
  }
  return 0;
}

int ambassadors_reach(store_conn *c, int64_t id, arena *a, int64_t *person_id, const char **path, app_err *e) {
  store_stmt *s = store_prepare(c, &q_amb_reach);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *person_id = store_col_int(s, 0);
    *path = arena_strdup(a, store_col_text(s, 1));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy đại sứ số này.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

/* One row of AMB_COLS as an object. */
static json_t *amb_json(store_stmt *s) {
  const char *kind = store_col_text(s, 5);
  int64_t nm = store_col_int(s, 8);
  bool mentor = strcmp(kind, AMB_MENTOR) == 0, active = store_col_is_null(s, 7);
  int64_t shortfall = mentor && active && nm < AMB_MIN_MENTEES ? AMB_MIN_MENTEES - nm : 0;
  return json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:I, s:b}", "id",
                   (json_int_t)store_col_int(s, 0), "person_id", (json_int_t)store_col_int(s, 1), "full_name",
                   store_col_text(s, 2), "unit_id", (json_int_t)store_col_int(s, 3), "unit_name", store_col_text(s, 4),
                   "kind", kind, "kind_label", kind_label(kind), "started_at", iso_or_null(s, 6), "ended_at",
                   iso_or_null(s, 7), "active_mentees", (json_int_t)nm, "sessions", (json_int_t)store_col_int(s, 9),
                   "helps", (json_int_t)store_col_int(s, 10), "shortfall", (json_int_t)shortfall, "short",
                   shortfall > 0);
}

/* Appends every row of a statement (the scope, then the id) to `arr`, through `row`. */
static int rows_of(store_conn *c, const store_sql *q, const scope_sql *scope, int64_t id, json_t *arr,
                   json_t *(*row)(store_stmt *)) {
  store_stmt *s = store_prepare(c, q);
  if (!s) return -1;
  store_bind_int(s, scope_bind(s, 1, scope), id);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    if (json_array_append_new(arr, row(s)) != 0) {
      rc = STORE_ERROR;
      break;
    }
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}
static json_t *mentee_row(store_stmt *s) {
  return json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:I, s:b}", "mentorship_id", (json_int_t)store_col_int(s, 0),
                   "person_id", (json_int_t)store_col_int(s, 1), "full_name", store_col_text(s, 2), "unit_name",
                   store_col_text(s, 3), "started_at", iso_or_null(s, 4), "ended_at", iso_or_null(s, 5), "sessions",
                   (json_int_t)store_col_int(s, 6), "active", store_col_is_null(s, 5));
}
static json_t *session_row(store_stmt *s) {
  return json_pack("{s:I, s:I, s:s, s:o, s:s, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0), "mentorship_id",
                   (json_int_t)store_col_int(s, 1), "mentee_name", store_col_text(s, 2), "held_on",
                   date_of_key(store_col_int(s, 3)), "topic", store_col_text(s, 4), "recorded_by", text_or_null(s, 5),
                   "created_at", iso_or_null(s, 6));
}
static json_t *help_row(store_stmt *s) {
  return json_pack("{s:I, s:I, s:s, s:o, s:s, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0), "person_id",
                   (json_int_t)store_col_int(s, 1), "full_name", store_col_text(s, 2), "helped_on",
                   date_of_key(store_col_int(s, 3)), "what", store_col_text(s, 4), "recorded_by", text_or_null(s, 5),
                   "created_at", iso_or_null(s, 6));
}

int ambassadors_get(store_conn *c, const scope_sql *scope, int64_t id, json_t **out, app_err *e) {
  *out = NULL;
  store_stmt *s = store_prepare(c, &q_amb_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  json_t *o = rc == STORE_ROW ? amb_json(s) : NULL;
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy đại sứ số này.");
  if (!o) return APP_INTERNAL(e);
  json_t *mentees = json_array(), *sessions = json_array(), *helps = json_array();
  json_object_set_new(o, "min_mentees", json_integer(AMB_MIN_MENTEES));
  json_object_set_new(o, "mentees", mentees);
  json_object_set_new(o, "session_log", sessions);
  json_object_set_new(o, "help_log", helps);
  if (!mentees || !sessions || !helps || rows_of(c, &q_amb_mentees, scope, id, mentees, mentee_row) != 0 ||
      rows_of(c, &q_amb_sessions, scope, id, sessions, session_row) != 0 ||
      rows_of(c, &q_amb_helps, scope, id, helps, help_row) != 0) {
    json_decref(o);
    return APP_INTERNAL(e);
  }
  *out = o;
  return 0;
}

/* Binds the unit filter (3 parameters: NULL, or the subtree's path, path, bound); -1 with e. */
static int bind_unit(store_conn *c, store_stmt *s, int i, int64_t unit_id, arena *a, app_err *e) {
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

static int bind_list(store_conn *c, store_stmt *s, const scope_sql *scope, const ambassador_query *q, arena *a,
                     app_err *e) {
  int i = scope_bind(s, 1, scope);
  store_bind_text(s, i, q->kind);
  store_bind_text(s, i + 1, q->kind);
  i = bind_unit(c, s, i + 2, q->unit_id, a, e);
  if (i < 0) return -1;
  store_bind_int(s, i, q->include_ended ? 1 : 0);
  store_bind_int(s, i + 1, q->short_only ? 1 : 0);
  store_bind_int(s, i + 2, AMB_MIN_MENTEES);
  return i + 3;
}

int ambassadors_list(store_conn *c, const scope_sql *scope, const ambassador_query *q, json_t **items, int64_t *total,
                     app_err *e) {
  *items = NULL;
  if (q->kind && !kind_label(q->kind))
    return app_fail(e, 400, "invalid_value", "kind", "Loại đại sứ số phải là mentor hoặc service_helper.");
  arena a;
  arena_init(&a);
  int ret = -1;
  store_stmt *s = store_prepare(c, &q_amb_count);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  if (bind_list(c, s, scope, q, &a, e) < 0) goto out;
  int rc = store_step(s);
  *total = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW) {
    APP_INTERNAL(e);
    goto out;
  }
  s = store_prepare(c, &q_amb_list);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  int i = bind_list(c, s, scope, q, &a, e);
  if (i < 0) goto out;
  store_bind_int(s, i, q->per_page);
  store_bind_int(s, i + 1, (int64_t)(q->page - 1) * q->per_page);
  json_t *arr = json_array();
  while (arr && (rc = store_step(s)) == STORE_ROW) json_array_append_new(arr, amb_json(s));
  store_reset(s);
  if (!arr || rc != STORE_DONE) {
    json_decref(arr);
    APP_INTERNAL(e);
    goto out;
  }
  *items = arr;
  ret = 0;
out:
  arena_free(&a);
  return ret;
}

int ambassadors_summary(store_conn *c, const scope_sql *scope, json_t **out, app_err *e) {
  *out = NULL;
  json_t *o = json_object(), *centres = json_array();
  if (!o || !centres) goto fail;
  json_object_set_new(o, "min_mentees", json_integer(AMB_MIN_MENTEES));
  store_stmt *s = store_prepare(c, &q_sum_mentors);
  if (!s) goto fail;
  store_bind_int(s, scope_bind(s, 1, scope), AMB_MIN_MENTEES);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    json_object_set_new(o, "mentors", json_integer(store_col_int(s, 0)));
    json_object_set_new(o, "mentors_short", json_integer(store_col_int(s, 1)));
  }
  store_reset(s);
  if (rc != STORE_ROW) goto fail;
  if (!(s = store_prepare(c, &q_sum_mentees))) goto fail;
  scope_bind(s, 1, scope);
  rc = store_step(s);
  if (rc == STORE_ROW) {
    json_object_set_new(o, "mentees", json_integer(store_col_int(s, 0)));
    json_object_set_new(o, "sessions", json_integer(store_col_int(s, 1)));
  }
  store_reset(s);
  if (rc != STORE_ROW) goto fail;
  s = store_prepare(c, &q_sum_centres);
  if (!s) goto fail;
  scope_bind(s, 1, scope);
  bool missing = false;
  while ((rc = store_step(s)) == STORE_ROW) {
    int64_t helpers = store_col_int(s, 2);
    if (helpers == 0) missing = true;
    json_array_append_new(centres, json_pack("{s:I, s:s, s:I, s:I}", "unit_id", (json_int_t)store_col_int(s, 0), "name",
                                             store_col_text(s, 1), "helpers", (json_int_t)helpers, "helps",
                                             (json_int_t)store_col_int(s, 3)));
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  s = store_prepare(c, &q_sum_wards);
  if (!s) goto fail;
  scope_bind(s, 1, scope);
  rc = store_step(s);
  int64_t wards = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW) goto fail;
  json_object_set_new(o, "centre_without_helper", json_boolean(missing));
  json_object_set_new(o, "no_centre", json_boolean(wards > 0 && json_array_size(centres) == 0));
  json_object_set_new(o, "centres", centres);
  *out = o;
  return 0;
fail:
  json_decref(o);
  json_decref(centres);
  return APP_INTERNAL(e);
}

/* ---- mentorships ---- */
int mentorships_create(store_conn *w, int64_t mentee_id, int64_t ambassador_id, int64_t by, int64_t now, int64_t *id,
                       int64_t *unit_id, app_err *e) {
  /* The message naming the current mentor outlives this call (app_err keeps the pointer). */
  static _Thread_local char msg[400];
  if (person_live(w, mentee_id, "mentee_id", unit_id, e) != 0) return -1;
  store_stmt *s = store_prepare(w, &q_amb_row_lock);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, ambassador_id);
  int rc = store_step(s);
  int64_t mentor_person = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  bool ok = rc == STORE_ROW && strcmp(store_col_text(s, 2), AMB_MENTOR) == 0 && store_col_is_null(s, 3);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "mentor_id", "Không tìm thấy đại sứ số này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (!ok)
    return app_fail(e, 400, "invalid_value", "mentor_id",
                    "Người này không phải đại sứ số hướng dẫn đang làm nhiệm vụ.");
  if (mentor_person == mentee_id)
    return app_fail(e, 400, "invalid_value", "mentee_id", "Đại sứ số không thể tự hướng dẫn chính mình.");
  s = store_prepare(w, &q_ms_current);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, mentee_id);
  rc = store_step(s);
  if (rc == STORE_ROW)
    snprintf(msg, sizeof msg,
             "Người này đang được đại sứ số %s hướng dẫn. Mỗi người chỉ có một người hướng dẫn tại một thời điểm: "
             "hãy kết thúc phân công đó trước.",
             store_col_text(s, 1));
  store_reset(s);
  if (rc == STORE_ROW) return app_fail(e, 409, "conflict", "mentee_id", msg);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  s = store_prepare(w, &q_ms_insert);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, ambassador_id);
  store_bind_int(s, 2, mentee_id);
  store_bind_int(s, 3, now);
  store_bind_id(s, 4, by);
  store_bind_int(s, 5, now);
  rc = insert_returning(s, id);
  if (rc < 0) return APP_INTERNAL(e);
  /* Another assignment of the same mentee committed between the check and the insert. */
  if (rc == 0)
    return app_fail(e, 409, "conflict", "mentee_id",
                    "Người này vừa được phân công cho một đại sứ số khác. Mỗi người chỉ có một người hướng dẫn.");
  return 0;
}

/* The assignment's mentee, unit, and whether it has ended; its start. */
static int ms_row(store_conn *c, int64_t id, int64_t *mentee, int64_t *unit_id, bool *ended, int64_t *started,
                  app_err *e) {
  store_stmt *s = store_prepare(c, &q_ms_row);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *mentee = store_col_int(s, 0);
    *unit_id = store_col_int(s, 1);
    *ended = !store_col_is_null(s, 2);
    *started = store_col_int(s, 3);
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy phân công hướng dẫn này.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

int mentorships_end(store_conn *w, int64_t id, int64_t by, int64_t now, int64_t *mentee_id, int64_t *unit_id,
                    app_err *e) {
  bool ended = false;
  int64_t started = 0;
  if (ms_row(w, id, mentee_id, unit_id, &ended, &started, e) != 0) return -1;
  if (ended) return app_fail(e, 409, "conflict", "id", "Phân công hướng dẫn này đã kết thúc trước đó.");
  store_stmt *s = store_prepare(w, &q_ms_end);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, now);
  store_bind_id(s, 2, by);
  store_bind_int(s, 3, id);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int mentorships_reach(store_conn *c, int64_t id, arena *a, int64_t *mentee_id, const char **path, app_err *e) {
  store_stmt *s = store_prepare(c, &q_ms_reach);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *mentee_id = store_col_int(s, 0);
    *path = arena_strdup(a, store_col_text(s, 1));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy phân công hướng dẫn này.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

int mentorships_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  *out = NULL;
  store_stmt *s = store_prepare(c, &q_ms_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW)
    *out = json_pack("{s:I, s:I, s:I, s:s, s:I, s:s, s:o, s:o, s:I, s:b}", "id", (json_int_t)store_col_int(s, 0),
                     "ambassador_id", (json_int_t)store_col_int(s, 1), "mentor_person_id",
                     (json_int_t)store_col_int(s, 2), "mentor_name", store_col_text(s, 3), "mentee_id",
                     (json_int_t)store_col_int(s, 4), "mentee_name", store_col_text(s, 5), "started_at",
                     iso_or_null(s, 6), "ended_at", iso_or_null(s, 7), "sessions", (json_int_t)store_col_int(s, 8),
                     "active", store_col_is_null(s, 7));
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy phân công hướng dẫn này.");
  return *out ? 0 : APP_INTERNAL(e);
}

int mentorships_log_session(store_conn *w, int64_t id, const char *held_on, const char *topic, int64_t by, int64_t now,
                            int64_t *session_id, int64_t *mentee_id, int64_t *unit_id, app_err *e) {
  int64_t mentee = 0, unit = 0, started = 0, key = 0;
  bool ended = false;
  const char *why = NULL;
  char *text = NULL;
  if (ms_row(w, id, &mentee, &unit, &ended, &started, e) != 0) return -1;
  if (mentee_id) *mentee_id = mentee;
  if (unit_id) *unit_id = unit;
  if (ended) return app_fail(e, 409, "conflict", "id", "Phân công hướng dẫn này đã kết thúc: không ghi thêm buổi hướng dẫn.");
  int bad = 0;
  if (ambassadors_parse_date(held_on, groups_date_key(now), &key, &why) != 0) bad = app_add(e, 400, "invalid_value", "held_on", why);
  else if (key < groups_date_key(started))
    bad = app_add(e, 400, "invalid_value", "held_on", "Ngày hướng dẫn trước ngày bắt đầu phân công.");
  app_err te = {0};
  if (clean_text(topic, "topic", &text, &te) != 0) bad = app_add(e, te.status, te.code, te.field, te.message);
  if (bad) {
    free(text);
    return -1;
  }
  store_stmt *s = store_prepare(w, &q_session_insert);
  int rc = -1;
  if (s) {
    store_bind_int(s, 1, id);
    store_bind_int(s, 2, key);
    store_bind_text(s, 3, text);
    store_bind_id(s, 4, by);
    store_bind_int(s, 5, now);
    rc = insert_returning(s, session_id);
  }
  free(text);
  return rc == 1 ? 0 : APP_INTERNAL(e);
}

int ambassadors_log_help(store_conn *w, int64_t id, int64_t person_id, const char *helped_on, const char *what,
                         int64_t by, int64_t now, int64_t *help_id, int64_t *unit_id, app_err *e) {
  store_stmt *s = store_prepare(w, &q_amb_row);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  bool ok = rc == STORE_ROW && strcmp(store_col_text(s, 2), AMB_SERVICE_HELPER) == 0 && store_col_is_null(s, 3);
  if (rc == STORE_ROW && unit_id) *unit_id = store_col_int(s, 1);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy đại sứ số này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (!ok)
    return app_fail(e, 409, "conflict", "id",
                    "Người này không phải người hỗ trợ đang làm nhiệm vụ tại Trung tâm phục vụ hành chính công.");
  if (person_live(w, person_id, "person_id", NULL, e) != 0) return -1;
  int64_t key = 0;
  const char *why = NULL;
  char *text = NULL;
  int bad = 0;
  if (ambassadors_parse_date(helped_on, groups_date_key(now), &key, &why) != 0)
    bad = app_add(e, 400, "invalid_value", "helped_on", why);
  app_err te = {0};
  if (clean_text(what, "what", &text, &te) != 0) bad = app_add(e, te.status, te.code, te.field, te.message);
  if (bad) {
    free(text);
    return -1;
  }
  s = store_prepare(w, &q_help_insert);
  rc = -1;
  if (s) {
    store_bind_int(s, 1, id);
    store_bind_int(s, 2, person_id);
    store_bind_int(s, 3, key);
    store_bind_text(s, 4, text);
    store_bind_id(s, 5, by);
    store_bind_int(s, 6, now);
    rc = insert_returning(s, help_id);
  }
  free(text);
  return rc == 1 ? 0 : APP_INTERNAL(e);
}

/* ---- one resident's part in Đại sứ số (the movement block of a resident's page) ---- */

STORE_SQL(q_person_roles, "SELECT id, kind, started_at FROM ambassadors WHERE person_id = ? AND ended_at IS NULL"
                          " ORDER BY id");

int ambassadors_of_person(store_conn *c, int64_t person_id, json_t **out, app_err *e) {
  json_t *o = json_pack("{s:n, s:[]}", "mentor", "ambassador");
  store_stmt *s = o ? store_prepare(c, &q_ms_current) : NULL;
  if (!s) goto fail;
  store_bind_int(s, 1, person_id);
  int rc = store_step(s);
  if (rc == STORE_ROW)
    json_object_set_new(o, "mentor", json_pack("{s:I, s:s}", "mentorship_id", (json_int_t)store_col_int(s, 0), "name",
                                               store_col_text(s, 1)));
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) goto fail;
  s = store_prepare(c, &q_person_roles);
  if (!s) goto fail;
  store_bind_int(s, 1, person_id);
  while ((rc = store_step(s)) == STORE_ROW) {
    char at[32];
    clock_iso8601(store_col_int(s, 2), at, sizeof at);
    json_array_append_new(json_object_get(o, "ambassador"), json_pack("{s:I, s:s, s:s}", "id", (json_int_t)store_col_int(s, 0),
                                                                      "kind", store_col_text(s, 1), "started_at", at));
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  *out = o;
  return 0;
fail:
  json_decref(o);
  return APP_INTERNAL(e);
}

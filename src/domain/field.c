/* field.c: Tổ công nghệ số cộng đồng — teams, topics, door-to-door visits, worklists and coverage
 * (see field.h). Owns the SQL of field_teams, field_team_members, field_topics, field_visits and
 * field_visit_{topics,people,outcomes}; reads people, households, units, certificates and
 * confirmations, never writes them. Never merges two visits into one. */
#include "domain/field.h"
#include "domain/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/person.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/jsonx.h"
#include "util/utf8.h"

/* ---- statements ---- */
STORE_SQL(q_topics, "SELECT id, code, label FROM field_topics ORDER BY position, id");
STORE_SQL(q_topic_by_code, "SELECT id, label, position FROM field_topics WHERE code = ?");
STORE_SQL(q_topic_taken, "SELECT 1 FROM field_topics WHERE code = ? OR label = ?");
STORE_SQL(q_topic_next, "SELECT COALESCE(MAX(position), 0) + 10 FROM field_topics");
STORE_SQL(q_topic_insert, "INSERT INTO field_topics (code, label, position, created_by, created_at)"
                          " VALUES (?, ?, ?, ?, ?) RETURNING id");

STORE_SQL(q_team_reach, "SELECT t.unit_id, u.path FROM field_teams t JOIN units u ON u.id = t.unit_id WHERE t.id = ?");
STORE_SQL(q_unit_kind, "SELECT kind FROM units WHERE id = ?");
STORE_SQL(q_team_insert, "INSERT INTO field_teams (unit_id, name, created_by, created_at) VALUES (?, ?, ?, ?)"
                         " ON CONFLICT DO NOTHING RETURNING id");
#define TEAM_COLS                                                                                           \
  "t.id, t.unit_id, u.name, t.name, t.created_at, cb.display_name,"                                       \
  " (SELECT COUNT(*) FROM field_team_members m JOIN people mp ON mp.id = m.person_id"                     \
  " WHERE m.team_id = t.id AND m.ended_at IS NULL AND mp.deleted_at IS NULL)"
#define TEAM_FROM " FROM field_teams t JOIN units u ON u.id = t.unit_id LEFT JOIN users cb ON cb.id = t.created_by"
STORE_SQL(q_team_get, "SELECT " TEAM_COLS TEAM_FROM " WHERE t.id = ?");
#define TEAM_FILTER " WHERE " SCOPE_IN("u.path") " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?))"
STORE_SQL(q_team_list, SCOPE_WITH "SELECT " TEAM_COLS TEAM_FROM TEAM_FILTER " ORDER BY t.unit_id LIMIT ? OFFSET ?");
STORE_SQL(q_team_count, SCOPE_WITH "SELECT COUNT(*)" TEAM_FROM TEAM_FILTER);
STORE_SQL(q_members, "SELECT m.id, m.person_id, p.full_name, m.role, p.household_id, hh.code, ua.username,"
                     " m.created_at FROM field_team_members m JOIN people p ON p.id = m.person_id"
                     " LEFT JOIN households hh ON hh.id = p.household_id LEFT JOIN users ua ON ua.person_id = p.id"
                     " WHERE m.team_id = ? AND m.ended_at IS NULL AND p.deleted_at IS NULL"
                     " ORDER BY CASE m.role WHEN 'leader' THEN 0 ELSE 1 END, p.name_key, p.id");
STORE_SQL(q_person_live, "SELECT 1 FROM people WHERE id = ? AND deleted_at IS NULL");
/* Those who left, newest first: the team's history (the audit log keeps every earlier period). */
STORE_SQL(q_former, "SELECT m.person_id, p.full_name, m.role, m.ended_at, eb.display_name FROM field_team_members m"
                    " JOIN people p ON p.id = m.person_id LEFT JOIN users eb ON eb.id = m.ended_by"
                    " WHERE m.team_id = ? AND m.ended_at IS NOT NULL AND p.deleted_at IS NULL"
                    " ORDER BY m.ended_at DESC, m.id DESC LIMIT 50");
STORE_SQL(q_member_role, "SELECT role, ended_at FROM field_team_members WHERE team_id = ? AND person_id = ?");
/* A member who left comes back: the row is current again, as of this addition. */
STORE_SQL(q_member_return, "UPDATE field_team_members SET role = ?, ended_at = NULL, ended_by = NULL, created_by = ?,"
                           " created_at = ? WHERE team_id = ? AND person_id = ? AND ended_at IS NOT NULL");
STORE_SQL(q_member_end, "UPDATE field_team_members SET ended_at = ?, ended_by = ?"
                        " WHERE team_id = ? AND person_id = ? AND ended_at IS NULL");
STORE_SQL(q_member_insert, "INSERT INTO field_team_members (team_id, person_id, role, created_by, created_at)"
                           " VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id, person_id) DO NOTHING");
STORE_SQL(q_member_update, "UPDATE field_team_members SET role = ? WHERE team_id = ? AND person_id = ?");
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");

/* Worklists. A household's head is its first live member by id. */
#define HH_ITEM_COLS                                                                                        \
  "h.id, h.code, h.address,"                                                                              \
  " (SELECT COUNT(*) FROM people hp WHERE hp.household_id = h.id AND hp.deleted_at IS NULL),"             \
  " (SELECT hp.full_name FROM people hp WHERE hp.household_id = h.id AND hp.deleted_at IS NULL"          \
  " ORDER BY hp.id LIMIT 1)"
#define NOT_VISITED                                                                                         \
  " FROM field_teams t JOIN households h ON h.unit_id = t.unit_id WHERE t.id = ? AND h.deleted_at IS NULL" \
  " AND NOT EXISTS (SELECT 1 FROM field_visits v WHERE v.household_id = h.id)"
/* By code, households without one first, walked in the order of households(unit_id, code): the page
 * stops after its 50 rows instead of sorting every household of the tổ (half the time at a million
 * people). */
STORE_SQL2(q_work_hh, "SELECT " HH_ITEM_COLS NOT_VISITED " ORDER BY h.code, h.id LIMIT ? OFFSET ?",
           "SELECT " HH_ITEM_COLS NOT_VISITED " ORDER BY h.code NULLS FIRST, h.id LIMIT ? OFFSET ?");
STORE_SQL(q_work_hh_count, "SELECT COUNT(*)" NOT_VISITED);
#define LEFT_BEHIND                                                                                         \
  " FROM field_teams t CROSS JOIN (SELECT CAST(? AS BIGINT) AS k) rk_ JOIN people p ON p.unit_id = t.unit_id" \
  " LEFT JOIN households h ON h.id = p.household_id WHERE t.id = ? AND p.deleted_at IS NULL AND "           \
  FIELD_LEFT_BEHIND_SQL
STORE_SQL(q_work_people, "SELECT p.id, p.full_name, p.birth_year, p.vneid_level, p.household_id, h.code, h.address"
                         LEFT_BEHIND " ORDER BY p.name_key, p.id LIMIT ? OFFSET ?");
STORE_SQL(q_work_people_count, "SELECT COUNT(*)" LEFT_BEHIND);
STORE_SQL(q_coverage, SCOPE_WITH
          "SELECT u.id, u.name,"
          " (SELECT COUNT(*) FROM households h WHERE h.unit_id = u.id AND h.deleted_at IS NULL),"
          " (SELECT COUNT(*) FROM households h WHERE h.unit_id = u.id AND h.deleted_at IS NULL"
          " AND EXISTS (SELECT 1 FROM field_visits v WHERE v.household_id = h.id)),"
          " (SELECT ft.id FROM field_teams ft WHERE ft.unit_id = u.id)"
          " FROM units u WHERE u.kind = 'residential_group' AND " SCOPE_IN("u.path")
          " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?)) ORDER BY u.id LIMIT 5000");
STORE_SQL(q_find_hh, "SELECT " HH_ITEM_COLS " FROM households h WHERE h.unit_id = ? AND h.deleted_at IS NULL"
                     " AND (h.address_key LIKE ? ESCAPE '\\' OR h.code LIKE ? ESCAPE '\\'"
                     " OR EXISTS (SELECT 1 FROM people fp WHERE fp.household_id = h.id AND fp.deleted_at IS NULL"
                     " AND (' ' || fp.name_key) LIKE ? ESCAPE '\\'))"
                     " ORDER BY COALESCE(h.code, ''), h.id LIMIT 50");

/* Visits. */
STORE_SQL(q_hh_live, "SELECT h.unit_id, h.code, h.address, u.name, u.path FROM households h JOIN units u ON u.id = h.unit_id"
                     " WHERE h.id = ? AND h.deleted_at IS NULL");
STORE_SQL(q_member_of_hh, "SELECT full_name FROM people WHERE id = ? AND household_id = ? AND deleted_at IS NULL");
#define VISIT_INSERT "INSERT INTO field_visits (household_id, unit_id, visited_on, note, created_by, created_at)" \
                     " VALUES (?, ?, ?, ?, ?, ?)"
STORE_SQL2(q_visit_insert, VISIT_INSERT, VISIT_INSERT " RETURNING id"); /* store_insert_id */
STORE_SQL(q_visit_topic, "INSERT INTO field_visit_topics (visit_id, topic_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
STORE_SQL(q_visit_person, "INSERT INTO field_visit_people (visit_id, person_id) VALUES (?, ?)");
STORE_SQL(q_visit_outcome, "INSERT INTO field_visit_outcomes (visit_id, person_id, outcome) VALUES (?, ?, ?)"
                           " ON CONFLICT DO NOTHING");
#define VISIT_COLS                                                                                          \
  "v.id, v.household_id, h.code, h.address, v.unit_id, u.name, v.visited_on, v.note, v.created_by,"       \
  " cb.display_name, v.created_at"
#define VISIT_FROM                                                                                          \
  " FROM field_visits v JOIN households h ON h.id = v.household_id JOIN units u ON u.id = v.unit_id"       \
  " LEFT JOIN users cb ON cb.id = v.created_by"
STORE_SQL(q_visit_get, "SELECT " VISIT_COLS VISIT_FROM " WHERE v.id = ?");
STORE_SQL(q_visit_topics, "SELECT ft.code, ft.label FROM field_visit_topics vt JOIN field_topics ft ON ft.id = vt.topic_id"
                          " WHERE vt.visit_id = ? ORDER BY ft.position, ft.id");
STORE_SQL(q_visit_people, "SELECT vp.person_id, p.full_name FROM field_visit_people vp JOIN people p ON p.id = vp.person_id"
                          " WHERE vp.visit_id = ? ORDER BY p.id");
STORE_SQL(q_visit_outcomes, "SELECT person_id, outcome FROM field_visit_outcomes WHERE visit_id = ?"
                            " ORDER BY person_id, outcome");
STORE_SQL(q_hh_visits, "SELECT v.id FROM field_visits v WHERE v.household_id = ?"
                       " ORDER BY v.visited_on DESC, v.id DESC LIMIT 100");

/* ---- outcomes ---- */
const field_outcome field_outcomes[] = {
    {"vneid_level2", "Nâng định danh điện tử VNeID lên mức 2"},
    {"vneid_activated", "Kích hoạt tài khoản VNeID"},
    {"public_service_online", "Lần đầu làm dịch vụ công trực tuyến"},
    {"course_enrolled", "Đăng ký khóa học Bình dân học vụ số"},
    {"cashless_setup", "Cài đặt thanh toán không dùng tiền mặt"},
    {"smartphone_basics", "Dùng được điện thoại thông minh"},
    {"scam_aware", "Nhận biết được lừa đảo trực tuyến"},
    {"ecommerce_started", "Bắt đầu bán hàng hoặc mua hàng trực tuyến"},
    {"needs_followup", "Cần hỗ trợ thêm lần sau"},
    {"declined", "Chưa muốn tham gia"},
};
const int field_outcomes_count = (int)(sizeof field_outcomes / sizeof field_outcomes[0]);

const char *field_outcome_label(const char *code) {
  for (int i = 0; code && i < field_outcomes_count; i++)
    if (strcmp(code, field_outcomes[i].code) == 0) return field_outcomes[i].label;
  return NULL;
}

/* Messages that name a value: app_err keeps the pointer. */
static _Thread_local char field_msg[512];

static json_t *date_json(int64_t key) {
  char d[16];
  snprintf(d, sizeof d, "%04d-%02d-%02d", (int)(key / 10000), (int)(key / 100 % 100), (int)(key % 100));
  return json_string(d);
}

static json_t *iso_json(int64_t t) {
  char iso[32];
  clock_iso8601(t, iso, sizeof iso);
  return json_string(iso);
}

static json_t *text_or_null(store_stmt *s, int i) {
  return store_col_is_null(s, i) ? json_null() : json_string(store_col_text(s, i));
}

/* ---- topics ---- */
int field_topics_list(store_conn *c, json_t **items, app_err *e) {
  store_stmt *s = store_prepare(c, &q_topics);
  json_t *a = json_array();
  if (!s || !a) {
    json_decref(a);
    return APP_INTERNAL(e);
  }
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(a, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)store_col_int(s, 0), "code",
                                       store_col_text(s, 1), "label", store_col_text(s, 2)));
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(a);
    return APP_INTERNAL(e);
  }
  *items = a;
  return 0;
}

/* A code from a label: folded, letters and digits, words joined by '_' (at most 40 bytes). */
static void code_of(const char *label, char out[41]) {
  char *f = text_fold(label);
  size_t n = 0;
  bool gap = false;
  for (const char *p = f ? f : ""; *p && n < 40; p++) {
    bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
    if (!alnum) {
      gap = n > 0;
      continue;
    }
    if (gap && n < 39) out[n++] = '_';
    gap = false;
    out[n++] = *p;
  }
  out[n] = '\0';
  free(f);
}

static bool code_ok(const char *code) {
  size_t n = strlen(code);
  if (n < 2 || n > 40) return false;
  for (size_t i = 0; i < n; i++)
    if (!((code[i] >= 'a' && code[i] <= 'z') || (code[i] >= '0' && code[i] <= '9') || code[i] == '_')) return false;
  return true;
}

int field_topics_create(store_conn *w, const char *code, const char *label, int64_t by_user, int64_t now, int64_t *id,
                        app_err *e) {
  if (!label || text_name_check(label) != TEXT_NAME_OK)
    return app_fail(e, 400, "invalid_value", "label", "Tên chủ đề không hợp lệ (trống hoặc có ký tự ẩn).");
  char *clean = text_clean(label);
  if (!clean) return app_fail(e, 400, "invalid_value", "label", "Tên chủ đề không phải UTF-8 hợp lệ.");
  int ret = -1;
  char derived[41];
  if (utf8_length(clean, strlen(clean)) > 120) {
    app_fail(e, 400, "invalid_value", "label", "Tên chủ đề dài tối đa 120 ký tự.");
    goto out;
  }
  if (!code || !*code) {
    code_of(clean, derived);
    code = derived;
  }
  if (!code_ok(code)) {
    app_fail(e, 400, "invalid_value", "code", "Mã chủ đề gồm 2–40 ký tự a-z, 0-9 và dấu gạch dưới.");
    goto out;
  }
  store_stmt *s = store_prepare(w, &q_topic_taken);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_text(s, 1, code);
  store_bind_text(s, 2, clean);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_ROW) {
    app_fail(e, 409, "conflict", "label", "Đã có chủ đề này (cùng mã hoặc cùng tên).");
    goto out;
  }
  if (rc != STORE_DONE || !(s = store_prepare(w, &q_topic_next))) {
    APP_INTERNAL(e);
    goto out;
  }
  rc = store_step(s);
  int64_t pos = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW || !(s = store_prepare(w, &q_topic_insert))) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_text(s, 1, code);
  store_bind_text(s, 2, clean);
  store_bind_int(s, 3, pos);
  store_bind_id(s, 4, by_user);
  store_bind_int(s, 5, now);
  rc = store_insert_id(s, id);
  if (rc == STORE_CONSTRAINT) app_fail(e, 409, "conflict", "label", "Đã có chủ đề này (cùng mã hoặc cùng tên).");
  else if (rc != STORE_DONE) APP_INTERNAL(e);
  else ret = 0;
out:
  free(clean);
  return ret;
}

/* ---- teams ---- */
int field_team_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e) {
  return scope_reach(c, &q_team_reach, id, a, unit_id, path, "Không tìm thấy tổ công nghệ số này.", e);
}

int field_teams_create(store_conn *w, int64_t unit_id, const char *name, int64_t by_user, int64_t now, int64_t *id,
                       app_err *e) {
  store_stmt *s = store_prepare(w, &q_unit_kind);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, unit_id);
  int rc = store_step(s);
  bool group = rc == STORE_ROW && strcmp(store_col_text(s, 0), "residential_group") == 0;
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (!group)
    return app_fail(e, 400, "invalid_value", "unit_id", "Tổ công nghệ số cộng đồng được lập cho một tổ dân phố.");
  if (!name || text_name_check(name) != TEXT_NAME_OK)
    return app_fail(e, 400, "invalid_value", "name", "Tên tổ không hợp lệ (trống hoặc có ký tự ẩn).");
  char *clean = text_clean(name);
  if (!clean) return app_fail(e, 400, "invalid_value", "name", "Tên tổ không phải UTF-8 hợp lệ.");
  int ret = -1;
  if (!(s = store_prepare(w, &q_team_insert))) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(s, 1, unit_id);
  store_bind_text(s, 2, clean);
  store_bind_id(s, 3, by_user);
  store_bind_int(s, 4, now);
  rc = store_step(s);
  if (rc == STORE_ROW) *id = store_col_int(s, 0);
  int rc2 = rc == STORE_ROW ? store_step(s) : rc;
  store_reset(s);
  if (rc == STORE_DONE) app_fail(e, 409, "conflict", "unit_id", "Tổ dân phố này đã có tổ công nghệ số cộng đồng.");
  else if (rc != STORE_ROW || rc2 != STORE_DONE) APP_INTERNAL(e);
  else ret = 0;
out:
  free(clean);
  return ret;
}

/* Binds the unit filter [path, hi) from index i (NULLs when unit_id is 0); the next index, or -1. */
static int bind_filter(store_conn *c, store_stmt *s, int i, int64_t unit_id, arena *a, app_err *e) {
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

static json_t *team_row_json(store_stmt *s) {
  return json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:I}", "id", (json_int_t)store_col_int(s, 0), "unit_id",
                   (json_int_t)store_col_int(s, 1), "unit_name", store_col_text(s, 2), "name", store_col_text(s, 3),
                   "created_at", iso_json(store_col_int(s, 4)), "created_by", text_or_null(s, 5), "members_count",
                   (json_int_t)store_col_int(s, 6));
}

int field_teams_list(store_conn *c, const scope_sql *scope, int64_t unit_id, int page, int per_page, json_t **items,
                     int64_t *total, app_err *e) {
  arena a;
  arena_init(&a);
  int ret = -1;
  json_t *arr = json_array();
  store_stmt *s = store_prepare(c, &q_team_count);
  if (!s || !arr) {
    APP_INTERNAL(e);
    goto out;
  }
  if (bind_filter(c, s, scope_bind(s, 1, scope), unit_id, &a, e) < 0) goto out;
  int rc = store_step(s);
  *total = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW || !(s = store_prepare(c, &q_team_list))) {
    APP_INTERNAL(e);
    goto out;
  }
  int i = bind_filter(c, s, scope_bind(s, 1, scope), unit_id, &a, e);
  if (i < 0) goto out;
  store_bind_int(s, i, per_page);
  store_bind_int(s, i + 1, (int64_t)(page - 1) * per_page);
  while ((rc = store_step(s)) == STORE_ROW) json_array_append_new(arr, team_row_json(s));
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

int field_team_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_team_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  json_t *o = rc == STORE_ROW ? team_row_json(s) : NULL;
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy tổ công nghệ số này.");
  json_t *members = json_array();
  if (!o || !members || !(s = store_prepare(c, &q_members))) goto fail;
  store_bind_int(s, 1, id);
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(
        members, json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0),
                           "person_id", (json_int_t)store_col_int(s, 1), "full_name", store_col_text(s, 2), "role",
                           store_col_text(s, 3), "household_id",
                           store_col_is_null(s, 4) ? json_null() : json_integer(store_col_int(s, 4)), "household_code",
                           text_or_null(s, 5), "username", text_or_null(s, 6), "created_at",
                           iso_json(store_col_int(s, 7))));
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  json_object_set_new(o, "members", members);
  members = NULL;
  json_t *former = json_array();
  if (!former || !(s = store_prepare(c, &q_former))) {
    json_decref(former);
    goto fail;
  }
  json_object_set_new(o, "former_members", former);
  store_bind_int(s, 1, id);
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(former, json_pack("{s:I, s:s, s:s, s:o, s:o}", "person_id", (json_int_t)store_col_int(s, 0),
                                            "full_name", store_col_text(s, 1), "role", store_col_text(s, 2), "ended_at",
                                            iso_json(store_col_int(s, 3)), "ended_by", text_or_null(s, 4)));
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  *out = o;
  return 0;
fail:
  json_decref(o);
  json_decref(members);
  return APP_INTERNAL(e);
}

int field_team_add_member(store_conn *w, int64_t team_id, int64_t person_id, const char *role, int64_t by_user,
                          int64_t now, bool *created, app_err *e) {
  if (!role || !*role) role = "member";
  if (strcmp(role, "leader") != 0 && strcmp(role, "member") != 0)
    return app_fail(e, 400, "invalid_value", "team_role", "Vai trò trong tổ là leader (tổ trưởng) hoặc member (thành viên).");
  store_stmt *s = store_prepare(w, &q_person_live);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "person_id", "Không tìm thấy hồ sơ người dân.");
  if (rc != STORE_ROW || !(s = store_prepare(w, &q_member_role))) return APP_INTERNAL(e);
  store_bind_int(s, 1, team_id);
  store_bind_int(s, 2, person_id);
  rc = store_step(s);
  bool ended = rc == STORE_ROW && !store_col_is_null(s, 1);
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) return APP_INTERNAL(e);
  *created = rc == STORE_DONE || ended;
  if (ended) {
    /* Another request may bring them back at once: then this one only sets the role. */
    if (!(s = store_prepare(w, &q_member_return))) return APP_INTERNAL(e);
    store_bind_text(s, 1, role);
    store_bind_id(s, 2, by_user);
    store_bind_int(s, 3, now);
    store_bind_int(s, 4, team_id);
    store_bind_int(s, 5, person_id);
    rc = store_step(s);
    int64_t n = rc == STORE_DONE ? store_changes(s) : 0;
    store_reset(s);
    if (rc != STORE_DONE) return APP_INTERNAL(e);
    if (n == 1) return 0;
    *created = false;
  } else if (*created) {
    /* Another request may add the same person at once (PostgreSQL writes concurrently): then
     * nothing is inserted here, and the role is set on the row the other one made. */
    if (!(s = store_prepare(w, &q_member_insert))) return APP_INTERNAL(e);
    store_bind_int(s, 1, team_id);
    store_bind_int(s, 2, person_id);
    store_bind_text(s, 3, role);
    store_bind_id(s, 4, by_user);
    store_bind_int(s, 5, now);
    rc = store_step(s);
    int64_t n = rc == STORE_DONE ? store_changes(s) : 0;
    store_reset(s);
    if (rc != STORE_DONE) return APP_INTERNAL(e);
    if (n == 1) return 0;
    *created = false;
  }
  if (!(s = store_prepare(w, &q_member_update))) return APP_INTERNAL(e);
  store_bind_text(s, 1, role);
  store_bind_int(s, 2, team_id);
  store_bind_int(s, 3, person_id);
  rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int field_team_remove_member(store_conn *w, int64_t team_id, int64_t person_id, int64_t by_user, int64_t now,
                             app_err *e) {
  store_stmt *s = store_prepare(w, &q_member_end);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, now);
  store_bind_id(s, 2, by_user);
  store_bind_int(s, 3, team_id);
  store_bind_int(s, 4, person_id);
  int rc = store_step(s);
  int64_t n = rc == STORE_DONE ? store_changes(s) : 0;
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  if (n == 0)
    return app_fail(e, 409, "conflict", "person_id", "Người này không phải thành viên hiện tại của tổ (có thể đã rời tổ).");
  return 0;
}

/* ---- worklists and coverage ---- */
static json_t *hh_item_json(store_stmt *s) {
  return json_pack("{s:I, s:o, s:s, s:I, s:o}", "id", (json_int_t)store_col_int(s, 0), "code", text_or_null(s, 1),
                   "address", store_col_text(s, 2), "members_count", (json_int_t)store_col_int(s, 3), "head_name",
                   text_or_null(s, 4));
}

/* Count then page of one team's list: count binds `nfirst` values before the team id (the
 * reference date of the left-behind list). */
static int team_page(store_conn *c, const store_sql *count_q, const store_sql *page_q, int64_t team_id,
                     const int64_t *first, int nfirst, int page, int per_page, json_t *(*row)(store_stmt *),
                     json_t **items, int64_t *total, app_err *e) {
  store_stmt *s = store_prepare(c, count_q);
  if (!s) return APP_INTERNAL(e);
  for (int k = 0; k < nfirst; k++) store_bind_int(s, k + 1, first[k]);
  store_bind_int(s, nfirst + 1, team_id);
  int rc = store_step(s);
  *total = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  json_t *arr = json_array();
  if (rc != STORE_ROW || !arr || !(s = store_prepare(c, page_q))) {
    json_decref(arr);
    return APP_INTERNAL(e);
  }
  for (int k = 0; k < nfirst; k++) store_bind_int(s, k + 1, first[k]);
  store_bind_int(s, nfirst + 1, team_id);
  store_bind_int(s, nfirst + 2, per_page);
  store_bind_int(s, nfirst + 3, (int64_t)(page - 1) * per_page);
  while ((rc = store_step(s)) == STORE_ROW) json_array_append_new(arr, row(s));
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(arr);
    return APP_INTERNAL(e);
  }
  *items = arr;
  return 0;
}

int field_worklist_households(store_conn *c, int64_t team_id, int page, int per_page, json_t **items, int64_t *total,
                              app_err *e) {
  return team_page(c, &q_work_hh_count, &q_work_hh, team_id, NULL, 0, page, per_page, hh_item_json, items, total, e);
}

static json_t *left_behind_json(store_stmt *s) {
  return json_pack("{s:I, s:s, s:o, s:I, s:o, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0), "full_name",
                   store_col_text(s, 1), "birth_year",
                   store_col_is_null(s, 2) ? json_null() : json_integer(store_col_int(s, 2)), "vneid_level",
                   (json_int_t)store_col_int(s, 3), "household_id",
                   store_col_is_null(s, 4) ? json_null() : json_integer(store_col_int(s, 4)), "household_code",
                   text_or_null(s, 5), "address", text_or_null(s, 6));
}

int field_worklist_residents(store_conn *c, int64_t team_id, int64_t today_key, int page, int per_page,
                             json_t **items, int64_t *total, app_err *e) {
  return team_page(c, &q_work_people_count, &q_work_people, team_id, &today_key, 1, page, per_page, left_behind_json,
                   items, total, e);
}

int field_coverage(store_conn *c, const scope_sql *scope, int64_t unit_id, json_t **items, app_err *e) {
  arena a;
  arena_init(&a);
  int ret = -1;
  json_t *arr = json_array();
  store_stmt *s = store_prepare(c, &q_coverage);
  if (!s || !arr) {
    APP_INTERNAL(e);
    goto out;
  }
  if (bind_filter(c, s, scope_bind(s, 1, scope), unit_id, &a, e) < 0) goto out;
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    int64_t hh = store_col_int(s, 2), visited = store_col_int(s, 3);
    json_array_append_new(
        arr, json_pack("{s:I, s:s, s:I, s:I, s:f, s:o}", "unit_id", (json_int_t)store_col_int(s, 0), "unit_name",
                       store_col_text(s, 1), "households", (json_int_t)hh, "visited", (json_int_t)visited, "share",
                       hh ? (double)visited / (double)hh : 0.0, "team_id",
                       store_col_is_null(s, 4) ? json_null() : json_integer(store_col_int(s, 4))));
  }
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

int field_households_find(store_conn *c, int64_t unit_id, const char *q, json_t **items, app_err *e) {
  char *clean = q ? text_clean(q) : NULL;
  char *key = clean ? text_fold(clean) : NULL;
  int ret = -1;
  json_t *arr = json_array();
  if (!clean || !key || !arr) {
    if (!arr) APP_INTERNAL(e);
    else app_fail(e, 400, "invalid_value", "q", "Từ khóa tìm kiếm không hợp lệ.");
    goto out;
  }
  if (strlen(key) < 1) {
    app_fail(e, 400, "invalid_value", "q", "Hãy nhập địa chỉ, mã hộ hoặc tên một người trong hộ.");
    goto out;
  }
  char esc[256], anywhere[300], start[300], word[300];
  text_like_escape(key, esc, sizeof esc);
  snprintf(anywhere, sizeof anywhere, "%%%s%%", esc);
  snprintf(word, sizeof word, "%% %s%%", esc);
  text_like_escape(clean, esc, sizeof esc);
  snprintf(start, sizeof start, "%s%%", esc);
  store_stmt *s = store_prepare(c, &q_find_hh);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(s, 1, unit_id);
  store_bind_text(s, 2, anywhere);
  store_bind_text(s, 3, start);
  store_bind_text(s, 4, word);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) json_array_append_new(arr, hh_item_json(s));
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
  free(clean);
  free(key);
  return ret;
}

/* ---- visits ---- */
static int parse_visit_date(const char *s, int64_t today, int64_t *key, app_err *e) {
  if (!s || !*s) {
    *key = today;
    return 0;
  }
  pdate d;
  if (pdate_parse(s, &d, NULL, 0) != 0 || d.month == 0)
    return app_fail(e, 400, "invalid_value", "visited_on", "Ngày hỗ trợ không hợp lệ: ghi dd/mm/yyyy hoặc yyyy-mm-dd.");
  int64_t k = (int64_t)d.year * 10000 + d.month * 100 + d.day;
  if (k > today) return app_fail(e, 400, "invalid_value", "visited_on", "Ngày hỗ trợ ở tương lai.");
  if (d.year < 2020) return app_fail(e, 400, "invalid_value", "visited_on", "Ngày hỗ trợ phải từ năm 2020.");
  *key = k;
  return 0;
}

typedef struct {
  int64_t id, position;
  const char *code; /* the input's string */
  char *label;
} visit_topic;

typedef struct {
  int64_t person_id;
  char *full_name;
  uint32_t outcomes; /* bit i: field_outcomes[i] */
} visit_person;

_Static_assert(sizeof(field_outcomes) / sizeof(field_outcomes[0]) <= 32, "outcomes as bits of a uint32_t");

static char *dup_text(const char *t) { return t ? strdup(t) : NULL; }

/* A text field or null; false when it is not UTF-8 (as json_dumps refuses it). */
static bool put_text_or_null(buf *b, const char *t) {
  if (!t) {
    buf_append(b, "null", 4);
    return true;
  }
  return jsonx_put_string(b, t, strlen(t));
}

int field_visit_record(store_conn *w, int64_t household_id, const field_visit_input *in, int64_t by_user,
                       const char *by_name, int64_t now, field_visit_saved *saved, buf *out, app_err *e) {
  int64_t day = 0;
  memset(saved, 0, sizeof *saved);
  if (parse_visit_date(in->visited_on, groups_date_key(now), &day, e) != 0) return -1;
  size_t ntopics = json_array_size(in->topics), npresent = json_array_size(in->present);
  if (!json_is_array(in->topics) || ntopics == 0)
    return app_fail(e, 400, "invalid_value", "topics", "Chọn ít nhất một nội dung đã hướng dẫn.");
  if (ntopics > FIELD_TOPICS_MAX) return app_fail(e, 400, "invalid_value", "topics", "Tối đa 20 nội dung mỗi lượt.");
  if (in->present && !json_is_array(in->present))
    return app_fail(e, 400, "invalid_value", "present", "Danh sách người có mặt phải là một mảng.");
  if (npresent > FIELD_PRESENT_MAX)
    return app_fail(e, 400, "invalid_value", "present", "Tối đa 30 người có mặt mỗi lượt.");
  char *note = NULL;
  if (in->note && *in->note) {
    if (text_name_check(in->note) == TEXT_NAME_HIDDEN)
      return app_fail(e, 400, "invalid_value", "note", "Ghi chú có ký tự ẩn hoặc ký tự điều khiển.");
    note = text_clean(in->note);
    if (!note) return app_fail(e, 400, "invalid_value", "note", "Ghi chú không phải UTF-8 hợp lệ.");
    if (utf8_length(note, strlen(note)) > FIELD_NOTE_MAX) {
      free(note);
      return app_fail(e, 400, "invalid_value", "note", "Ghi chú dài tối đa 500 ký tự.");
    }
  }
  int ret = -1;
  int64_t topic_ids[FIELD_TOPICS_MAX], unit_id = 0;
  visit_topic chosen[FIELD_TOPICS_MAX]; /* as answered: in the list's order (position, id), each once */
  visit_person present[FIELD_PRESENT_MAX];
  size_t nchosen = 0, nfound = 0;
  char *hh_code = NULL, *hh_address = NULL, *unit_name = NULL, *unit_path = NULL;
  /* the household, its tổ */
  store_stmt *s = store_prepare(w, &q_hh_live);
  if (!s) goto internal;
  store_bind_int(s, 1, household_id);
  int rc = store_step(s);
  bool copied = true;
  if (rc == STORE_ROW) {
    unit_id = store_col_int(s, 0);
    hh_code = store_col_is_null(s, 1) ? NULL : dup_text(store_col_text(s, 1));
    hh_address = dup_text(store_col_text(s, 2));
    unit_name = dup_text(store_col_text(s, 3));
    unit_path = dup_text(store_col_text(s, 4));
    copied = (store_col_is_null(s, 1) || hh_code) && hh_address && unit_name && unit_path;
  }
  store_reset(s);
  if (rc == STORE_DONE) {
    app_fail(e, 404, "not_found", "id", "Không tìm thấy hộ gia đình.");
    goto out;
  }
  if (rc != STORE_ROW || !copied) goto internal;
  /* the topics: each code looked up by its unique index (not the whole list read for a visit),
   * answered in the list's order */
  for (size_t i = 0; i < ntopics; i++) {
    const char *code = json_string_value(json_array_get(in->topics, i));
    if (!code) {
      app_fail(e, 400, "invalid_value", "topics", "Mỗi nội dung là một mã chủ đề (chuỗi).");
      goto out;
    }
    if (!(s = store_prepare(w, &q_topic_by_code))) goto internal;
    store_bind_text(s, 1, code);
    rc = store_step(s);
    topic_ids[i] = rc == STORE_ROW ? store_col_int(s, 0) : 0;
    bool seen = false;
    for (size_t k = 0; k < nchosen && !seen; k++) seen = chosen[k].id == topic_ids[i];
    if (rc == STORE_ROW && !seen) {
      chosen[nchosen].id = topic_ids[i];
      chosen[nchosen].position = store_col_int(s, 2);
      chosen[nchosen].code = code;
      chosen[nchosen].label = dup_text(store_col_text(s, 1));
      if (!chosen[nchosen++].label) rc = STORE_ERROR;
    }
    store_reset(s);
    if (rc == STORE_DONE) {
      snprintf(field_msg, sizeof field_msg, "Không có chủ đề “%.100s”.", code);
      app_fail(e, 400, "invalid_value", "topics", field_msg);
      goto out;
    }
    if (rc != STORE_ROW) goto internal;
  }
  for (size_t i = 1; i < nchosen; i++) /* a few: insertion sort by (position, id) */
    for (size_t j = i; j > 0 && (chosen[j - 1].position > chosen[j].position ||
                                 (chosen[j - 1].position == chosen[j].position && chosen[j - 1].id > chosen[j].id));
         j--) {
      visit_topic t = chosen[j - 1];
      chosen[j - 1] = chosen[j];
      chosen[j] = t;
    }
  /* the residents present: members of this household, each once, outcomes from the list */
  for (size_t i = 0; i < npresent; i++) {
    json_t *p = json_array_get(in->present, i), *pid = json_object_get(p, "person_id"),
           *outs = json_object_get(p, "outcomes");
    const char *k;
    json_t *v;
    json_object_foreach(p, k, v) {
      if (strcmp(k, "person_id") != 0 && strcmp(k, "outcomes") != 0) {
        snprintf(field_msg, sizeof field_msg, "Trường không được hỗ trợ trong present: “%.60s”.", k);
        app_fail(e, 400, "unknown_field", "present", field_msg);
        goto out;
      }
    }
    if (!json_is_object(p) || !json_is_integer(pid) || json_integer_value(pid) < 1 || (outs && !json_is_array(outs))) {
      app_fail(e, 400, "invalid_value", "present",
               "Mỗi người có mặt là {\"person_id\": số, \"outcomes\": [mã kết quả]}.");
      goto out;
    }
    for (size_t j = 0; j < i; j++)
      if (json_integer_value(json_object_get(json_array_get(in->present, j), "person_id")) == json_integer_value(pid)) {
        app_fail(e, 400, "invalid_value", "present", "Một người được ghi hai lần trong danh sách có mặt.");
        goto out;
      }
    if (json_array_size(outs) > (size_t)field_outcomes_count) {
      app_fail(e, 400, "invalid_value", "present", "Quá nhiều kết quả cho một người.");
      goto out;
    }
    uint32_t mask = 0;
    for (size_t j = 0; j < json_array_size(outs); j++) {
      const char *oc = json_string_value(json_array_get(outs, j));
      int found = -1;
      for (int o = 0; oc && o < field_outcomes_count && found < 0; o++)
        if (strcmp(oc, field_outcomes[o].code) == 0) found = o;
      if (found < 0) {
        snprintf(field_msg, sizeof field_msg, "Kết quả “%.60s” không có trong danh sách.", oc ? oc : "?");
        app_fail(e, 400, "invalid_value", "present", field_msg);
        goto out;
      }
      mask |= (uint32_t)1 << found;
    }
    if (!(s = store_prepare(w, &q_member_of_hh))) goto internal;
    store_bind_int(s, 1, json_integer_value(pid));
    store_bind_int(s, 2, household_id);
    rc = store_step(s);
    if (rc == STORE_ROW) {
      present[nfound] = (visit_person){.person_id = json_integer_value(pid),
                                       .full_name = dup_text(store_col_text(s, 0)),
                                       .outcomes = mask};
      if (!present[nfound++].full_name) rc = STORE_ERROR;
    }
    store_reset(s);
    if (rc == STORE_DONE) {
      snprintf(field_msg, sizeof field_msg, "Người có mã %lld không phải thành viên của hộ này.",
               (long long)json_integer_value(pid));
      app_fail(e, 400, "invalid_value", "present", field_msg);
      goto out;
    }
    if (rc != STORE_ROW) goto internal;
  }
  /* write */
  int64_t id = 0;
  if (!(s = store_prepare(w, &q_visit_insert))) goto internal;
  store_bind_int(s, 1, household_id);
  store_bind_int(s, 2, unit_id);
  store_bind_int(s, 3, day);
  store_bind_text(s, 4, note);
  store_bind_id(s, 5, by_user);
  store_bind_int(s, 6, now);
  if (store_insert_id(s, &id) != STORE_DONE) goto internal;
  for (size_t i = 0; i < ntopics; i++) {
    if (!(s = store_prepare(w, &q_visit_topic))) goto internal;
    store_bind_int(s, 1, id);
    store_bind_int(s, 2, topic_ids[i]);
    rc = store_step(s);
    store_reset(s);
    if (rc != STORE_DONE) goto internal;
  }
  for (size_t i = 0; i < npresent; i++) {
    json_t *p = json_array_get(in->present, i), *outs = json_object_get(p, "outcomes");
    int64_t pid = json_integer_value(json_object_get(p, "person_id"));
    if (!(s = store_prepare(w, &q_visit_person))) goto internal;
    store_bind_int(s, 1, id);
    store_bind_int(s, 2, pid);
    rc = store_step(s);
    store_reset(s);
    if (rc != STORE_DONE) goto internal;
    for (size_t j = 0; j < json_array_size(outs); j++) {
      if (!(s = store_prepare(w, &q_visit_outcome))) goto internal;
      store_bind_int(s, 1, id);
      store_bind_int(s, 2, pid);
      store_bind_text(s, 3, json_string_value(json_array_get(outs, j)));
      rc = store_step(s);
      store_reset(s);
      if (rc != STORE_DONE) goto internal;
    }
  }
  saved->id = id;
  saved->unit_id = unit_id;
  saved->visited_on = day;
  saved->present = (int)nfound;
  if (out) {
    /* the answer, as field_visit_get reads it (its keys in its order): topics in the list's order,
     * the residents by id, their outcomes by code; written as text, as jsonx_dump would write it */
    for (size_t i = 1; i < nfound; i++) /* at most 30: insertion sort by id */
      for (size_t j = i; j > 0 && present[j - 1].person_id > present[j].person_id; j--) {
        visit_person t = present[j - 1];
        present[j - 1] = present[j];
        present[j] = t;
      }
    int order[32], norder = 0; /* the outcomes by code */
    for (int o = 0; o < field_outcomes_count; o++) {
      int j = norder++;
      for (; j > 0 && strcmp(field_outcomes[order[j - 1]].code, field_outcomes[o].code) > 0; j--) order[j] = order[j - 1];
      order[j] = o;
    }
    char date[16], iso[32];
    snprintf(date, sizeof date, "%04d-%02d-%02d", (int)(day / 10000), (int)(day / 100 % 100), (int)(day % 100));
    clock_iso8601(now, iso, sizeof iso);
    bool ok = true;
    buf_puts(out, "{\"id\":");
    jsonx_put_int(out, id);
    buf_puts(out, ",\"household_id\":");
    jsonx_put_int(out, household_id);
    buf_puts(out, ",\"household_code\":");
    ok = ok && put_text_or_null(out, hh_code);
    buf_puts(out, ",\"address\":");
    ok = ok && put_text_or_null(out, hh_address);
    buf_puts(out, ",\"unit_id\":");
    jsonx_put_int(out, unit_id);
    buf_puts(out, ",\"unit_name\":");
    ok = ok && put_text_or_null(out, unit_name);
    buf_puts(out, ",\"visited_on\":");
    ok = ok && put_text_or_null(out, date);
    buf_puts(out, ",\"note\":");
    ok = ok && put_text_or_null(out, note);
    buf_puts(out, ",\"created_by_id\":");
    if (by_user)
      jsonx_put_int(out, by_user);
    else
      buf_puts(out, "null");
    buf_puts(out, ",\"created_by\":");
    ok = ok && put_text_or_null(out, by_name);
    buf_puts(out, ",\"created_at\":");
    ok = ok && put_text_or_null(out, iso);
    buf_puts(out, ",\"topics\":[");
    for (size_t k = 0; k < nchosen; k++) {
      if (k) buf_putc(out, ',');
      buf_puts(out, "{\"code\":");
      ok = ok && put_text_or_null(out, chosen[k].code);
      buf_puts(out, ",\"label\":");
      ok = ok && put_text_or_null(out, chosen[k].label);
      buf_putc(out, '}');
    }
    buf_puts(out, "],\"present\":[");
    for (size_t k = 0; k < nfound; k++) {
      if (k) buf_putc(out, ',');
      buf_puts(out, "{\"person_id\":");
      jsonx_put_int(out, present[k].person_id);
      buf_puts(out, ",\"full_name\":");
      ok = ok && put_text_or_null(out, present[k].full_name);
      buf_puts(out, ",\"outcomes\":[");
      bool first = true;
      for (int j = 0; j < norder; j++) {
        if (!(present[k].outcomes & ((uint32_t)1 << order[j]))) continue;
        if (!first) buf_putc(out, ',');
        first = false;
        buf_puts(out, "{\"code\":");
        ok = ok && put_text_or_null(out, field_outcomes[order[j]].code);
        buf_puts(out, ",\"label\":");
        ok = ok && put_text_or_null(out, field_outcomes[order[j]].label);
        buf_putc(out, '}');
      }
      buf_puts(out, "]}");
    }
    buf_puts(out, "]}");
    if (!ok || out->oom) goto internal;
  }
  saved->unit_name = unit_name, saved->unit_path = unit_path; /* the caller's from here */
  unit_name = unit_path = NULL;
  ret = 0;
  goto out;
internal:
  APP_INTERNAL(e);
out:
  for (size_t k = 0; k < nchosen; k++) free(chosen[k].label);
  for (size_t k = 0; k < nfound; k++) free(present[k].full_name);
  free(hh_code);
  free(hh_address);
  free(unit_name);
  free(unit_path);
  free(note);
  return ret;
}

void field_visit_saved_free(field_visit_saved *saved) {
  free(saved->unit_name);
  free(saved->unit_path);
  saved->unit_name = saved->unit_path = NULL;
}

int field_visit_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_visit_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  json_t *o = NULL;
  if (rc == STORE_ROW)
    o = json_pack("{s:I, s:I, s:o, s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0),
                  "household_id", (json_int_t)store_col_int(s, 1), "household_code", text_or_null(s, 2), "address",
                  store_col_text(s, 3), "unit_id", (json_int_t)store_col_int(s, 4), "unit_name", store_col_text(s, 5),
                  "visited_on", date_json(store_col_int(s, 6)), "note", text_or_null(s, 7), "created_by_id",
                  store_col_is_null(s, 8) ? json_null() : json_integer(store_col_int(s, 8)), "created_by",
                  text_or_null(s, 9), "created_at", iso_json(store_col_int(s, 10)));
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy lượt hỗ trợ này.");
  json_t *topics = json_array(), *present = json_array();
  if (!o || !topics || !present || !(s = store_prepare(c, &q_visit_topics))) goto fail;
  store_bind_int(s, 1, id);
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(topics, json_pack("{s:s, s:s}", "code", store_col_text(s, 0), "label", store_col_text(s, 1)));
  store_reset(s);
  if (rc != STORE_DONE || !(s = store_prepare(c, &q_visit_people))) goto fail;
  store_bind_int(s, 1, id);
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(present, json_pack("{s:I, s:s, s:[]}", "person_id", (json_int_t)store_col_int(s, 0),
                                             "full_name", store_col_text(s, 1), "outcomes"));
  store_reset(s);
  if (rc != STORE_DONE || !(s = store_prepare(c, &q_visit_outcomes))) goto fail;
  store_bind_int(s, 1, id);
  while ((rc = store_step(s)) == STORE_ROW) {
    int64_t pid = store_col_int(s, 0);
    const char *code = store_col_text(s, 1);
    size_t i;
    json_t *p;
    json_array_foreach(present, i, p) {
      if (json_integer_value(json_object_get(p, "person_id")) != pid) continue;
      const char *label = field_outcome_label(code);
      json_array_append_new(json_object_get(p, "outcomes"),
                            json_pack("{s:s, s:s}", "code", code, "label", label ? label : code));
    }
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  json_object_set_new(o, "topics", topics);
  json_object_set_new(o, "present", present);
  *out = o;
  return 0;
fail:
  json_decref(o);
  json_decref(topics);
  json_decref(present);
  return APP_INTERNAL(e);
}

int field_household_visits(store_conn *c, int64_t household_id, json_t **items, app_err *e) {
  store_stmt *s = store_prepare(c, &q_hh_visits);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, household_id);
  int64_t ids[100];
  int n = 0, rc;
  while (n < 100 && (rc = store_step(s)) == STORE_ROW) ids[n++] = store_col_int(s, 0);
  if (n == 100) rc = STORE_DONE;
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  json_t *arr = json_array();
  if (!arr) return APP_INTERNAL(e);
  for (int i = 0; i < n; i++) {
    json_t *v = NULL;
    if (field_visit_get(c, ids[i], &v, e) != 0) {
      json_decref(arr);
      return -1;
    }
    json_array_append_new(arr, v);
  }
  *items = arr;
  return 0;
}

/* ---- one resident's field work (the movement block of a resident's page) ---- */

STORE_SQL(q_person_visits, "SELECT v.id, v.household_id, v.visited_on, cu.display_name FROM field_visit_people vp"
                           " JOIN field_visits v ON v.id = vp.visit_id LEFT JOIN users cu ON cu.id = v.created_by"
                           " WHERE vp.person_id = ? ORDER BY v.visited_on DESC, v.id DESC LIMIT 50");
STORE_SQL(q_person_visit_topics, "SELECT vt.visit_id, t.label FROM field_visit_people vp"
                                 " JOIN field_visit_topics vt ON vt.visit_id = vp.visit_id"
                                 " JOIN field_topics t ON t.id = vt.topic_id WHERE vp.person_id = ? ORDER BY t.position");
/* Through the person's visits: outcomes have no index by person (migration 42). */
STORE_SQL(q_person_visit_outcomes, "SELECT o.visit_id, o.outcome FROM field_visit_people vp JOIN field_visit_outcomes o"
                                   " ON o.visit_id = vp.visit_id AND o.person_id = vp.person_id WHERE vp.person_id = ?");

/* Appends to the array of the visit `visit_id` in `visits` (by "id") the string `text` under `key`. */
static void visit_add(json_t *visits, int64_t visit_id, const char *key, const char *text) {
  size_t i;
  json_t *v;
  json_array_foreach(visits, i, v) {
    if (json_integer_value(json_object_get(v, "id")) == visit_id) {
      json_array_append_new(json_object_get(v, key), json_string(text));
      return;
    }
  }
}

int field_person_visits(store_conn *c, int64_t person_id, json_t **out, app_err *e) {
  json_t *visits = json_array();
  store_stmt *s = visits ? store_prepare(c, &q_person_visits) : NULL;
  int rc = STORE_ERROR;
  if (!s) goto fail;
  store_bind_int(s, 1, person_id);
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(visits, json_pack("{s:I, s:I, s:o, s:o, s:[], s:[]}", "id", (json_int_t)store_col_int(s, 0),
                                            "household_id", (json_int_t)store_col_int(s, 1), "visited_on",
                                            date_json(store_col_int(s, 2)), "by", text_or_null(s, 3), "topics",
                                            "outcomes"));
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  s = store_prepare(c, &q_person_visit_topics);
  if (!s) goto fail;
  store_bind_int(s, 1, person_id);
  while ((rc = store_step(s)) == STORE_ROW) visit_add(visits, store_col_int(s, 0), "topics", store_col_text(s, 1));
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  s = store_prepare(c, &q_person_visit_outcomes);
  if (!s) goto fail;
  store_bind_int(s, 1, person_id);
  while ((rc = store_step(s)) == STORE_ROW) {
    const char *label = field_outcome_label(store_col_text(s, 1));
    visit_add(visits, store_col_int(s, 0), "outcomes", label ? label : store_col_text(s, 1));
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  *out = visits;
  return 0;
fail:
  json_decref(visits);
  return APP_INTERNAL(e);
}

/* vneid.c: VNeID coverage (see vneid.h). The adults are the registry's target group
 * (GROUP_SQL_ADULTS, groups.h); writes nothing. */
#include "domain/vneid.h"

#include <string.h>

#include "domain/groups.h"
#include "util/arena.h"

/* The tổ dân phố of the scope (and of the filter's subtree when given), then the reference date. The
 * people are reached tổ by tổ through people(unit_id, deleted_at, …): CROSS JOIN keeps SQLite from
 * walking every person of the city in name order instead. */
#define VN_UNITS                                                                                           \
  SCOPE_WITH ", su_(id, name) AS MATERIALIZED (SELECT DISTINCT u.id, u.name FROM sc_ CROSS JOIN units u"  \
             " WHERE u.kind = 'residential_group' AND u.path >= sc_.lo AND u.path < sc_.hi"               \
             " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?))) "
/* Adults without level 2 on the day, the level read by `level`. The coverage reads the level
 * through VNEID_PAST_JOIN_SQL (vneid.h), once per person rather than once per column (four
 * correlated lookups per person made the whole ward's coverage 1.6-2.4x the cost of reading
 * people.vneid_level; the join, 1.2-1.8x); the worklist reads it once per person already. */
#define VN_ADULT_NO2(level) "(" level " < 2 AND " GROUP_SQL_ADULTS ")"
#define VN_LEVEL VNEID_LEVEL_JOINED_SQL
STORE_SQL(q_cov, VN_UNITS "SELECT su_.id, su_.name, COUNT(p.id),"
                          " SUM(CASE WHEN " VN_LEVEL " = 0 THEN 1 ELSE 0 END),"
                          " SUM(CASE WHEN " VN_LEVEL " = 1 THEN 1 ELSE 0 END),"
                          " SUM(CASE WHEN " VN_LEVEL " = 2 THEN 1 ELSE 0 END),"
                          " SUM(CASE WHEN " GROUP_SQL_ADULTS " THEN 1 ELSE 0 END),"
                          " SUM(CASE WHEN " VN_ADULT_NO2(VN_LEVEL) " THEN 1 ELSE 0 END)"
                          " FROM su_ CROSS JOIN (SELECT CAST(? AS BIGINT) AS k) rk_"
                          " LEFT JOIN people p ON p.unit_id = su_.id AND p.deleted_at IS NULL" VNEID_PAST_JOIN_SQL
                          " GROUP BY su_.id, su_.name ORDER BY su_.id");
#define VN_WORK_FROM                                                                                      \
  " FROM su_ CROSS JOIN (SELECT CAST(? AS BIGINT) AS k) rk_ CROSS JOIN people p"                            \
  " LEFT JOIN households h ON h.id = p.household_id WHERE p.unit_id = su_.id AND p.deleted_at IS NULL AND " \
  VN_ADULT_NO2(VNEID_LEVEL_ON_SQL)
STORE_SQL(q_work, VN_UNITS "SELECT p.id, p.full_name, p.birth_year, p.unit_id, su_.name, " VNEID_LEVEL_ON_SQL ", p.household_id,"
                           " h.address" VN_WORK_FROM " ORDER BY su_.id, p.name_key, p.id LIMIT ? OFFSET ?");
STORE_SQL(q_work_count, VN_UNITS "SELECT COUNT(*)" VN_WORK_FROM);
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");
/* vneid_past: the level kept for the first day after since_key, the rows after it, a row for it */
STORE_SQL(q_past_after, "SELECT level FROM vneid_past WHERE person_id = ? AND until_key > ? ORDER BY until_key LIMIT 1");
STORE_SQL(q_past_drop_after, "DELETE FROM vneid_past WHERE person_id = ? AND until_key > ?");
STORE_SQL(q_past_last, "SELECT until_key, level FROM vneid_past WHERE person_id = ? ORDER BY until_key DESC LIMIT 1");
STORE_SQL(q_past_drop_one, "DELETE FROM vneid_past WHERE person_id = ? AND until_key = ?");
STORE_SQL(q_past_keep,
          "INSERT INTO vneid_past (person_id, until_key, level) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
/* Only the row the trigger wrote today (the day of the change in Vietnam, as migration 32 dates it:
 * a person not raised keeps its history), only back in time, and only over no other change: a
 * person whose level changed on or after the day given keeps the change dated as it was (else the
 * history would go back and forth). */
STORE_SQL2(q_past_many,
           "UPDATE vneid_past SET until_key = CAST(json_extract(j.value, '$[1]') AS INTEGER) FROM json_each(?) j"
           " WHERE vneid_past.person_id = CAST(json_extract(j.value, '$[0]') AS INTEGER)"
           " AND vneid_past.until_key = (SELECT MAX(v2_.until_key) FROM vneid_past v2_"
           " WHERE v2_.person_id = vneid_past.person_id)"
           " AND vneid_past.until_key = CAST(strftime('%Y%m%d', 'now', '+7 hours') AS INTEGER)"
           " AND vneid_past.until_key > CAST(json_extract(j.value, '$[1]') AS INTEGER)"
           " AND NOT EXISTS (SELECT 1 FROM vneid_past v3_ WHERE v3_.person_id = vneid_past.person_id"
           " AND v3_.until_key >= CAST(json_extract(j.value, '$[1]') AS INTEGER) AND v3_.until_key < vneid_past.until_key)",
           "UPDATE vneid_past v SET until_key = CAST(j.e ->> 1 AS INTEGER)"
           " FROM json_array_elements(CAST(? AS json)) AS j(e)"
           " WHERE v.person_id = CAST(j.e ->> 0 AS BIGINT)"
           " AND v.until_key = (SELECT MAX(v2_.until_key) FROM vneid_past v2_ WHERE v2_.person_id = v.person_id)"
           " AND v.until_key = CAST(to_char(timezone('UTC', now()) + interval '7 hours', 'YYYYMMDD') AS INTEGER)"
           " AND v.until_key > CAST(j.e ->> 1 AS INTEGER)"
           " AND NOT EXISTS (SELECT 1 FROM vneid_past v3_ WHERE v3_.person_id = v.person_id"
           " AND v3_.until_key >= CAST(j.e ->> 1 AS INTEGER) AND v3_.until_key < v.until_key)");

/* Binds the scope, the unit filter and the date; the next index, or -1 with e. */
static int bind_all(store_conn *c, store_stmt *s, const scope_sql *scope, int64_t unit_id, int64_t date_key, arena *a,
                    app_err *e) {
  int i = scope_bind(s, 1, scope);
  if (!unit_id) {
    for (int k = 0; k < 3; k++) store_bind_null(s, i + k);
  } else {
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
  }
  store_bind_int(s, i + 3, date_key);
  return i + 4;
}

int vneid_coverage(store_conn *c, const scope_sql *scope, int64_t unit_id, int64_t date_key, json_t **out,
                   app_err *e) {
  *out = NULL;
  arena a;
  arena_init(&a);
  int ret = -1;
  json_t *rows = json_array();
  store_stmt *s = rows ? store_prepare(c, &q_cov) : NULL;
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  if (bind_all(c, s, scope, unit_id, date_key, &a, e) < 0) goto done;
  static const char *const keys[] = {"residents", "level0", "level1", "level2", "adults", "adults_without_level2"};
  int64_t sum[6] = {0};
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    json_t *r = json_pack("{s:I, s:s}", "unit_id", (json_int_t)store_col_int(s, 0), "name", store_col_text(s, 1));
    for (int k = 0; k < 6; k++) {
      int64_t v = store_col_is_null(s, 2 + k) ? 0 : store_col_int(s, 2 + k);
      sum[k] += v;
      json_object_set_new(r, keys[k], json_integer(v));
    }
    json_array_append_new(rows, r);
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto done;
  }
  char date[16];
  snprintf(date, sizeof date, "%04d-%02d-%02d", (int)(date_key / 10000), (int)(date_key / 100 % 100), (int)(date_key % 100));
  json_t *o = json_pack("{s:s, s:O}", "date", date, "by_unit", rows);
  for (int k = 0; o && k < 6; k++) json_object_set_new(o, keys[k], json_integer(sum[k]));
  *out = o;
  ret = o ? 0 : APP_INTERNAL(e);
done:
  json_decref(rows);
  arena_free(&a);
  return ret;
}

int vneid_worklist(store_conn *c, const scope_sql *scope, int64_t unit_id, int64_t date_key, int page, int per_page,
                   json_t **items, int64_t *total, app_err *e) {
  *items = NULL;
  arena a;
  arena_init(&a);
  int ret = -1;
  store_stmt *s = store_prepare(c, &q_work_count);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  if (bind_all(c, s, scope, unit_id, date_key, &a, e) < 0) goto done;
  int rc = store_step(s);
  *total = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW) {
    APP_INTERNAL(e);
    goto done;
  }
  s = store_prepare(c, &q_work);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  int i = bind_all(c, s, scope, unit_id, date_key, &a, e);
  if (i < 0) goto done;
  store_bind_int(s, i, per_page);
  store_bind_int(s, i + 1, (int64_t)(page - 1) * per_page);
  json_t *arr = json_array();
  while (arr && (rc = store_step(s)) == STORE_ROW) {
    json_array_append_new(
        arr, json_pack("{s:I, s:s, s:o, s:I, s:s, s:I, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0), "full_name",
                       store_col_text(s, 1), "birth_year",
                       store_col_is_null(s, 2) ? json_null() : json_integer(store_col_int(s, 2)), "unit_id",
                       (json_int_t)store_col_int(s, 3), "unit_name", store_col_text(s, 4), "vneid_level",
                       (json_int_t)store_col_int(s, 5), "household_id",
                       store_col_is_null(s, 6) ? json_null() : json_integer(store_col_int(s, 6)), "address",
                       store_col_is_null(s, 7) ? json_null() : json_string(store_col_text(s, 7))));
  }
  store_reset(s);
  if (!arr || rc != STORE_DONE) {
    json_decref(arr);
    APP_INTERNAL(e);
    goto done;
  }
  *items = arr;
  ret = 0;
done:
  arena_free(&a);
  return ret;
}

static int past_step(store_stmt *s) {
  int rc = store_step(s);
  store_reset(s);
  return rc;
}

/* Drops the person's rows `drop` names (bound: the person, drop_key), then keeps `before` until
 * since_key. */
static int replace_past(store_conn *w, const store_sql *drop, int64_t person_id, int64_t drop_key, int before,
                        int64_t since_key, app_err *e) {
  store_stmt *d = store_prepare(w, drop);
  if (!d) return APP_INTERNAL(e);
  store_bind_int(d, 1, person_id);
  store_bind_int(d, 2, drop_key);
  if (past_step(d) != STORE_DONE) return APP_INTERNAL(e);
  return vneid_keep_before(w, person_id, before, since_key, e);
}

int vneid_backdate(store_conn *w, int64_t person_id, int64_t since_key, app_err *e) {
  store_stmt *s = store_prepare(w, &q_past_after);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  store_bind_int(s, 2, since_key);
  int rc = store_step(s);
  int before = rc == STORE_ROW ? (int)store_col_int(s, 0) : -1;
  store_reset(s);
  if (rc == STORE_DONE) return 0; /* nothing changed after that day */
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  return replace_past(w, &q_past_drop_after, person_id, since_key, before, since_key, e);
}

int vneid_redate(store_conn *w, int64_t person_id, int level, int64_t since_key, app_err *e) {
  store_stmt *s = store_prepare(w, &q_past_last);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  int rc = store_step(s);
  int64_t last = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  int before = rc == STORE_ROW ? (int)store_col_int(s, 1) : 0;
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) return APP_INTERNAL(e);
  if (rc == STORE_DONE) {
    if (level == 0)
      return app_fail(e, 400, "invalid_value", "vneid_since",
                      "Người này chưa có mức định danh điện tử nào để ghi ngày đạt.");
    return vneid_keep_before(w, person_id, 0, since_key, e);
  }
  if (since_key == last) return 0;
  if (since_key < last) return vneid_backdate(w, person_id, since_key, e);
  /* later: the level before held until since_key */
  return replace_past(w, &q_past_drop_one, person_id, last, before, since_key, e);
}

int vneid_keep_before(store_conn *w, int64_t person_id, int before, int64_t since_key, app_err *e) {
  store_stmt *s = store_prepare(w, &q_past_keep);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  store_bind_int(s, 2, since_key);
  store_bind_int(s, 3, before);
  return past_step(s) == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int vneid_backdate_many(store_conn *w, const char *pairs, int64_t *changed) {
  *changed = 0;
  store_stmt *s = store_prepare(w, &q_past_many);
  if (!s) return -1;
  store_bind_text(s, 1, pairs);
  int rc = store_step(s);
  if (rc == STORE_DONE) *changed = store_changes(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

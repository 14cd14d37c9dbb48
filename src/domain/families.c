/* families.c: Gia đình số (see families.h). Reads households, people, certificates and
 * confirmations through the one rule FAMILY_LEARNED_SQL; writes nothing. */
#include "domain/families.h"

#include <stdio.h>
#include <string.h>

#include "util/arena.h"

const char families_rule_text[] =
    "Một hộ là gia đình số khi ít nhất một thành viên đang sinh sống đã học: có chứng nhận còn hiệu lực (không bị "
    "thu hồi) hoặc có xác nhận từ bên ngoài (VNeID, nền tảng Bình dân học vụ số, khóa học khác).";

/* The tổ dân phố of the scope (and of the filter's subtree [lo, hi) when its parameter is not NULL). */
#define FAM_UNITS                                                                                          \
  SCOPE_WITH ", su_(id, name) AS MATERIALIZED (SELECT DISTINCT u.id, u.name FROM sc_ CROSS JOIN units u"  \
             " WHERE u.kind = 'residential_group' AND u.path >= sc_.lo AND u.path < sc_.hi"               \
             " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?))) "
/* Households reached tổ by tổ (households(unit_id, …)); CROSS JOIN keeps that order on SQLite. */
#define FAM_HOUSEHOLDS                                                                     \
  " FROM su_ CROSS JOIN households h WHERE h.unit_id = su_.id AND h.deleted_at IS NULL AND " \
  FAMILY_LIVED_IN_SQL("h.id")

STORE_SQL(q_one, "SELECT CASE WHEN " FAMILY_LEARNED_SQL("h.id") " THEN 1 ELSE 0 END FROM households h WHERE h.id = ?");
STORE_SQL(q_by_unit, FAM_UNITS "SELECT su_.id, su_.name, COUNT(*), SUM(CASE WHEN " FAMILY_LEARNED_SQL("h.id")
                               " THEN 1 ELSE 0 END)" FAM_HOUSEHOLDS " GROUP BY su_.id, su_.name ORDER BY su_.id");
STORE_SQL(q_left, FAM_UNITS "SELECT h.id, h.code, h.address, h.unit_id, su_.name, (SELECT COUNT(*) FROM people c"
                            " WHERE c.household_id = h.id AND c.deleted_at IS NULL)" FAM_HOUSEHOLDS
                            " AND NOT " FAMILY_LEARNED_SQL("h.id") " ORDER BY su_.id, h.address_key, h.id LIMIT ? OFFSET ?");
STORE_SQL(q_left_count, FAM_UNITS "SELECT COUNT(*)" FAM_HOUSEHOLDS " AND NOT " FAMILY_LEARNED_SQL("h.id"));
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");

int families_household_counts(store_conn *c, int64_t household_id) {
  store_stmt *s = store_prepare(c, &q_one);
  if (!s) return -1;
  store_bind_int(s, 1, household_id);
  int rc = store_step(s);
  int out = rc == STORE_ROW ? (int)store_col_int(s, 0) : rc == STORE_DONE ? 0 : -1;
  store_reset(s);
  return out;
}

/* Binds the scope and the unit filter; the next index, or -1 with e. */
static int bind_scope(store_conn *c, store_stmt *s, const scope_sql *scope, int64_t unit_id, arena *a, app_err *e) {
  int i = scope_bind(s, 1, scope);
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

static double percent(int64_t part, int64_t whole) {
  return whole ? (double)(part * 1000 / whole) / 10.0 : 0.0;
}

int families_summary(store_conn *c, const scope_sql *scope, int64_t unit_id, json_t **out, app_err *e) {
  *out = NULL;
  arena a;
  arena_init(&a);
  int ret = -1;
  json_t *rows = json_array();
  store_stmt *s = rows ? store_prepare(c, &q_by_unit) : NULL;
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  if (bind_scope(c, s, scope, unit_id, &a, e) < 0) goto done;
  int64_t all = 0, counted = 0;
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    int64_t n = store_col_int(s, 2), k = store_col_int(s, 3);
    all += n;
    counted += k;
    json_array_append_new(rows, json_pack("{s:I, s:s, s:I, s:I, s:I, s:f}", "unit_id", (json_int_t)store_col_int(s, 0),
                                          "name", store_col_text(s, 1), "households", (json_int_t)n, "counted",
                                          (json_int_t)k, "not_counted", (json_int_t)(n - k), "percent", percent(k, n)));
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto done;
  }
  *out = json_pack("{s:s, s:I, s:I, s:I, s:f, s:O}", "rule", families_rule_text, "households", (json_int_t)all,
                   "counted", (json_int_t)counted, "not_counted", (json_int_t)(all - counted), "percent",
                   percent(counted, all), "by_unit", rows);
  ret = *out ? 0 : APP_INTERNAL(e);
done:
  json_decref(rows);
  arena_free(&a);
  return ret;
}

int families_left(store_conn *c, const scope_sql *scope, int64_t unit_id, int page, int per_page, json_t **items,
                  int64_t *total, app_err *e) {
  *items = NULL;
  arena a;
  arena_init(&a);
  int ret = -1;
  store_stmt *s = store_prepare(c, &q_left_count);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  if (bind_scope(c, s, scope, unit_id, &a, e) < 0) goto done;
  int rc = store_step(s);
  *total = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW) {
    APP_INTERNAL(e);
    goto done;
  }
  s = store_prepare(c, &q_left);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  int i = bind_scope(c, s, scope, unit_id, &a, e);
  if (i < 0) goto done;
  store_bind_int(s, i, per_page);
  store_bind_int(s, i + 1, (int64_t)(page - 1) * per_page);
  json_t *arr = json_array();
  while (arr && (rc = store_step(s)) == STORE_ROW) {
    const char *code = store_col_text(s, 1);
    json_array_append_new(arr, json_pack("{s:I, s:o, s:s, s:I, s:s, s:I}", "id", (json_int_t)store_col_int(s, 0), "code",
                                         code ? json_string(code) : json_null(), "address", store_col_text(s, 2),
                                         "unit_id", (json_int_t)store_col_int(s, 3), "unit_name", store_col_text(s, 4),
                                         "members", (json_int_t)store_col_int(s, 5)));
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

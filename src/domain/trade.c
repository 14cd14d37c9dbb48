/* trade.c: the 4T steps of small traders (see trade.h). Only this file writes SQL about
 * trade_steps and trader_steps; traders are read from memberships (kind "trader" in a unit of
 * kind "market"), never changed here. Never records a step for a deleted person or a non-trader. */
#include "domain/trade.h"

#include <stdio.h>
#include <string.h>

#include "domain/movement.h"
#include "util/clock.h"

/* ---- statements ---- */
STORE_SQL(q_steps, "SELECT code, label, hint, position FROM trade_steps ORDER BY position, code");
STORE_SQL(q_step_known, "SELECT 1 FROM trade_steps WHERE code = ?");
STORE_SQL(q_person, "SELECT p.unit_id, u.path FROM people p JOIN units u ON u.id = p.unit_id"
                    " WHERE p.id = ? AND p.deleted_at IS NULL");
STORE_SQL(q_markets_of, "SELECT u.path FROM memberships m JOIN units u ON u.id = m.unit_id"
                        " WHERE m.person_id = ? AND m.kind = 'trader' AND u.kind = 'market' ORDER BY u.path");
STORE_SQL(q_existing, "SELECT id FROM trader_steps WHERE person_id = ? AND step = ?");
STORE_SQL(q_of_step, "SELECT id, done_on FROM trader_steps WHERE person_id = ? AND step = ?");
STORE_SQL(q_delete, "DELETE FROM trader_steps WHERE id = ?");
STORE_SQL(q_insert, "INSERT INTO trader_steps (person_id, step, done_on, helper_person, helper_user, recorded_by,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id");
#define REC_COLS                                                                                           \
  "ts.id, ts.person_id, p.full_name, p.unit_id, ts.step, st.label, ts.done_on, ts.helper_person,"          \
  " COALESCE(hp.full_name, hu.display_name), rb.display_name, ts.created_at"
#define REC_FROM                                                                                           \
  " FROM trader_steps ts JOIN people p ON p.id = ts.person_id JOIN trade_steps st ON st.code = ts.step"     \
  " LEFT JOIN people hp ON hp.id = ts.helper_person LEFT JOIN users hu ON hu.id = ts.helper_user"           \
  " LEFT JOIN users rb ON rb.id = ts.recorded_by"
STORE_SQL(q_get, "SELECT " REC_COLS REC_FROM " WHERE ts.id = ?");
STORE_SQL(q_of_person, "SELECT " REC_COLS REC_FROM " WHERE ts.person_id = ? ORDER BY st.position, ts.id");
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");

/* The traders the caller may see: a membership of kind trader in a market, the person live, seen
 * through the market or the registering unit (as SCOPE_PERSON reads), within the filter's
 * subtree [lo, hi) by market or registering unit when its parameter is not NULL (5 parameters). */
/* The markets are read first (a few units), their traders through memberships(unit_id, …), then
 * each trader's row: CROSS JOIN fixes that order on SQLite, which would otherwise start at people
 * (every live person of the ward) and cost 10 times more at 50,000 residents. */
#define TRADERS_FROM " FROM units mu CROSS JOIN memberships m CROSS JOIN people p CROSS JOIN units pu"
#define TRADERS_WHERE                                                                                      \
  " WHERE m.unit_id = mu.id AND p.id = m.person_id AND pu.id = p.unit_id AND m.kind = 'trader'"            \
  " AND mu.kind = 'market' AND p.deleted_at IS NULL"                                                       \
  " AND (" SCOPE_IN("mu.path") " OR " SCOPE_IN("pu.path") ")"                                              \
  " AND (CAST(? AS TEXT) IS NULL OR (mu.path >= ? AND mu.path < ?) OR (pu.path >= ? AND pu.path < ?))"
#define TRADERS_CTE ", t_(person_id, market_id) AS MATERIALIZED (SELECT m.person_id, m.unit_id" TRADERS_FROM TRADERS_WHERE ") "
/* Markets: those in scope (and in the filter's subtree), and those of the visible traders. */
STORE_SQL(q_markets, SCOPE_WITH TRADERS_CTE
          "SELECT u.id, u.name, u.code, (SELECT COUNT(*) FROM t_ WHERE t_.market_id = u.id) FROM units u"
          " WHERE u.kind = 'market' AND ((" SCOPE_IN("u.path") " AND (CAST(? AS TEXT) IS NULL OR"
          " (u.path >= ? AND u.path < ?))) OR u.id IN (SELECT market_id FROM t_)) ORDER BY u.name, u.id");
STORE_SQL(q_market_steps, SCOPE_WITH TRADERS_CTE
          "SELECT t_.market_id, ts.step, COUNT(*) FROM t_ JOIN trader_steps ts ON ts.person_id = t_.person_id"
          " GROUP BY t_.market_id, ts.step");
#define WITHOUT_STEP \
  " AND (CAST(? AS BIGINT) IS NULL OR m.unit_id = ?)" \
  " AND (CAST(? AS TEXT) IS NULL OR NOT EXISTS (SELECT 1 FROM trader_steps wx_ WHERE wx_.person_id = p.id AND wx_.step = ?))"
STORE_SQL(q_traders, SCOPE_WITH "SELECT p.id, p.full_name, pu.name, mu.id, mu.name" TRADERS_FROM TRADERS_WHERE
                                WITHOUT_STEP " ORDER BY mu.name, mu.id, p.name_key, p.id LIMIT ? OFFSET ?");
STORE_SQL(q_traders_count, SCOPE_WITH "SELECT COUNT(*)" TRADERS_FROM TRADERS_WHERE WITHOUT_STEP);

static int step_done(store_stmt *s) {
  int rc = store_step(s);
  store_reset(s);
  return rc;
}

/* ---- the steps ---- */
int trade_steps_list(store_conn *c, json_t **items, app_err *e) {
  *items = NULL;
  store_stmt *s = store_prepare(c, &q_steps);
  json_t *arr = json_array();
  if (!s || !arr) goto fail;
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I}", "code", store_col_text(s, 0), "label",
                                         store_col_text(s, 1), "hint", store_col_text(s, 2), "position",
                                         (json_int_t)store_col_int(s, 3)));
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  *items = arr;
  return 0;
fail:
  json_decref(arr);
  return APP_INTERNAL(e);
}

static int step_check(store_conn *c, const char *step, const char *field, app_err *e) {
  if (!step) return 0;
  store_stmt *s = store_prepare(c, &q_step_known);
  if (!s) return APP_INTERNAL(e);
  store_bind_text(s, 1, step);
  int rc = step_done(s);
  if (rc == STORE_DONE)
    return app_fail(e, 400, "invalid_value", field, "Bước 4T không có trong danh mục (xem danh sách các bước).");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

/* ---- who the trader is ---- */
int trade_reach(store_conn *c, int64_t person_id, arena *a, person_reach *out, app_err *e) {
  memset(out, 0, sizeof *out);
  store_stmt *s = store_prepare(c, &q_person);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    out->unit_id = store_col_int(s, 0);
    out->unit_path = arena_strdup(a, store_col_text(s, 1));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy người này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  store_stmt *m = store_prepare(c, &q_markets_of);
  if (!m) return APP_INTERNAL(e);
  store_bind_int(m, 1, person_id);
  int cap = 0;
  while ((rc = store_step(m)) == STORE_ROW) {
    if (out->nmembers == cap) {
      int ncap = cap ? cap * 2 : 4;
      const char **np = arena_alloc(a, sizeof *np * (size_t)ncap);
      if (out->nmembers) memcpy(np, out->member_paths, sizeof *np * (size_t)out->nmembers);
      out->member_paths = np;
      cap = ncap;
    }
    out->member_paths[out->nmembers++] = arena_strdup(a, store_col_text(m, 0));
  }
  store_reset(m);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

/* ---- recording ---- */
int trade_record(store_conn *w, int64_t person_id, const trade_step_input *in, int64_t by_user, int64_t today_key,
                 int64_t now, int64_t *id, bool *created, app_err *e) {
  *created = false;
  *id = 0;
  if (!in->step || !*in->step) return app_fail(e, 400, "missing_field", "step", "Chọn bước 4T đã thực hiện.");
  if (step_check(w, in->step, "step", e) != 0) return -1;
  int64_t day = 0;
  const char *why = NULL;
  if (movement_date(in->done_on, today_key, false, &day, &why) != 0)
    return app_fail(e, 400, "invalid_value", "done_on", why);
  arena a;
  arena_init(&a);
  person_reach pr;
  int rc = trade_reach(w, person_id, &a, &pr, e);
  int n = pr.nmembers;
  arena_free(&a);
  if (rc != 0) return -1;
  if (n == 0)
    return app_fail(e, 409, "conflict", "id",
                    "Người này chưa được ghi là tiểu thương của chợ nào: thêm quan hệ “tiểu thương” với chợ trước.");
  if (in->helper_person) {
    if (movement_person_live(w, in->helper_person, e) != 0) {
      if (e->status == 404) e->field = "helper_id", e->message = "Không tìm thấy người hướng dẫn này.";
      return -1;
    }
  }
  store_stmt *x = store_prepare(w, &q_existing);
  if (!x) return APP_INTERNAL(e);
  store_bind_int(x, 1, person_id);
  store_bind_text(x, 2, in->step);
  rc = store_step(x);
  if (rc == STORE_ROW) *id = store_col_int(x, 0);
  store_reset(x);
  if (rc == STORE_ROW) return 0;
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  store_bind_text(s, 2, in->step);
  store_bind_int(s, 3, day);
  store_bind_id(s, 4, in->helper_person);
  store_bind_id(s, 5, in->helper_person ? 0 : by_user);
  store_bind_id(s, 6, by_user);
  store_bind_int(s, 7, now);
  if (store_insert_id(s, id) == STORE_DONE) {
    *created = true;
    return 0;
  }
  /* No row came back: recorded by someone else in between (PostgreSQL, READ COMMITTED: the
   * conflict waited for their commit), and the first record stands. A real failure finds nothing
   * (or cannot read: an aborted transaction) and stays one. */
  x = store_prepare(w, &q_existing);
  if (!x) return APP_INTERNAL(e);
  store_bind_int(x, 1, person_id);
  store_bind_text(x, 2, in->step);
  rc = store_step(x);
  if (rc == STORE_ROW) *id = store_col_int(x, 0);
  store_reset(x);
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

int trade_delete(store_conn *w, int64_t person_id, const char *step, int64_t *id, int64_t *done_on, app_err *e) {
  *id = *done_on = 0;
  if (!step || !*step) return app_fail(e, 400, "missing_field", "step", "Chọn bước 4T cần xóa.");
  if (step_check(w, step, "step", e) != 0) return -1;
  store_stmt *s = store_prepare(w, &q_of_step);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  store_bind_text(s, 2, step);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *id = store_col_int(s, 0);
    *done_on = store_col_int(s, 1);
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "step", "Tiểu thương này chưa được ghi nhận bước này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  s = store_prepare(w, &q_delete);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, *id);
  return step_done(s) == STORE_DONE ? 0 : APP_INTERNAL(e);
}

static json_t *record_json(store_stmt *s) {
  char day[11], iso[32];
  movement_date_iso(store_col_int(s, 6), day);
  clock_iso8601(store_col_int(s, 10), iso, sizeof iso);
  json_t *o = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "id", (json_int_t)store_col_int(s, 0),
                        "person_id", (json_int_t)store_col_int(s, 1), "full_name", store_col_text(s, 2), "unit_id",
                        (json_int_t)store_col_int(s, 3), "step", store_col_text(s, 4), "step_label",
                        store_col_text(s, 5), "done_on", day, "helper_id",
                        store_col_is_null(s, 7) ? json_null() : json_integer(store_col_int(s, 7)), "helper_name",
                        store_col_is_null(s, 8) ? json_null() : json_string(store_col_text(s, 8)), "recorded_by",
                        store_col_is_null(s, 9) ? json_null() : json_string(store_col_text(s, 9)), "created_at",
                        iso);
  return o;
}

int trade_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  *out = NULL;
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) *out = record_json(s);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy bản ghi này.");
  return rc == STORE_ROW && *out ? 0 : APP_INTERNAL(e);
}

/* ---- lists ---- */
/* Binds a subtree filter (lo, lo, hi when `pairs` is 1; lo, lo, hi, lo, hi when 2) from `i`. */
static int bind_filter(store_conn *c, store_stmt *s, int i, int64_t unit_id, int pairs, arena *a, app_err *e) {
  if (!unit_id) {
    for (int k = 0; k < 1 + 2 * pairs; k++) store_bind_null(s, i + k);
    return i + 1 + 2 * pairs;
  }
  store_stmt *p = store_prepare(c, &q_unit_path);
  if (!p) return APP_INTERNAL(e);
  store_bind_int(p, 1, unit_id);
  int rc = store_step(p);
  const char *path = rc == STORE_ROW ? arena_strdup(a, store_col_text(p, 0)) : NULL;
  store_reset(p);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
  if (!path) return APP_INTERNAL(e);
  const char *hi = scope_hi(a, path);
  store_bind_text(s, i++, path);
  for (int k = 0; k < pairs; k++) {
    store_bind_text(s, i++, path);
    store_bind_text(s, i++, hi);
  }
  return i;
}

int trade_markets(store_conn *c, const scope_sql *scope, int64_t unit_id, json_t **items, app_err *e) {
  *items = NULL;
  arena a;
  arena_init(&a);
  json_t *arr = json_array(), *byid = json_object();
  int ret = -1;
  store_stmt *s = arr && byid ? store_prepare(c, &q_markets) : NULL;
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  int i = bind_filter(c, s, scope_bind(s, 1, scope), unit_id, 2, &a, e);
  if (i < 0 || bind_filter(c, s, i, unit_id, 1, &a, e) < 0) goto out;
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    json_t *steps = json_object();
    json_t *m = json_pack("{s:I, s:s, s:s?, s:I, s:o}", "id", (json_int_t)store_col_int(s, 0), "name",
                          store_col_text(s, 1), "code", store_col_is_null(s, 2) ? NULL : store_col_text(s, 2),
                          "traders", (json_int_t)store_col_int(s, 3), "steps", steps ? steps : json_null());
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)store_col_int(s, 0));
    json_array_append(arr, m);
    json_object_set_new(byid, key, m);
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto out;
  }
  /* Every step at 0, then the counts. */
  json_t *steps = NULL;
  if (trade_steps_list(c, &steps, e) != 0) goto out;
  size_t k;
  json_t *m;
  json_array_foreach(arr, k, m) {
    size_t j;
    json_t *st;
    json_array_foreach(steps, j, st) json_object_set_new(json_object_get(m, "steps"),
                                                         json_string_value(json_object_get(st, "code")), json_integer(0));
  }
  json_decref(steps);
  s = store_prepare(c, &q_market_steps);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  if (bind_filter(c, s, scope_bind(s, 1, scope), unit_id, 2, &a, e) < 0) goto out;
  while ((rc = store_step(s)) == STORE_ROW) {
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)store_col_int(s, 0));
    json_t *mk = json_object_get(byid, key);
    if (mk) json_object_set_new(json_object_get(mk, "steps"), store_col_text(s, 1), json_integer(store_col_int(s, 2)));
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
  json_decref(byid);
  arena_free(&a);
  return ret;
}

static int person_steps(store_conn *c, int64_t person_id, json_t **out, app_err *e) {
  *out = NULL;
  store_stmt *s = store_prepare(c, &q_of_person);
  json_t *arr = json_array();
  if (!s || !arr) {
    json_decref(arr);
    return APP_INTERNAL(e);
  }
  store_bind_int(s, 1, person_id);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    char day[11];
    movement_date_iso(store_col_int(s, 6), day);
    json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0), "step",
                                         store_col_text(s, 4), "step_label", store_col_text(s, 5), "done_on", day,
                                         "helper_name",
                                         store_col_is_null(s, 8) ? json_null() : json_string(store_col_text(s, 8)),
                                         "recorded_by",
                                         store_col_is_null(s, 9) ? json_null() : json_string(store_col_text(s, 9))));
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(arr);
    return APP_INTERNAL(e);
  }
  *out = arr;
  return 0;
}

/* WITHOUT_STEP's parameters from `i`; returns the next. */
static int bind_market_step(store_stmt *s, int i, const trader_query *q) {
  store_bind_id(s, i, q->market_id);
  store_bind_id(s, i + 1, q->market_id);
  store_bind_text(s, i + 2, q->without_step);
  store_bind_text(s, i + 3, q->without_step);
  return i + 4;
}

int trade_traders(store_conn *c, const scope_sql *scope, const trader_query *q, json_t **items, int64_t *total,
                  app_err *e) {
  *items = NULL;
  *total = 0;
  if (step_check(c, q->without_step, "without_step", e) != 0) return -1;
  arena a;
  arena_init(&a);
  int ret = -1;
  json_t *arr = json_array();
  store_stmt *s = arr ? store_prepare(c, &q_traders_count) : NULL;
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  int i = bind_filter(c, s, scope_bind(s, 1, scope), q->unit_id, 2, &a, e);
  if (i < 0) goto out;
  i = bind_market_step(s, i, q);
  int rc = store_step(s);
  *total = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW) {
    APP_INTERNAL(e);
    goto out;
  }
  s = store_prepare(c, &q_traders);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  i = bind_filter(c, s, scope_bind(s, 1, scope), q->unit_id, 2, &a, e);
  if (i < 0) goto out;
  i = bind_market_step(s, i, q);
  store_bind_int(s, i, q->per_page);
  store_bind_int(s, i + 1, (int64_t)(q->page - 1) * q->per_page);
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:I, s:s}", "person_id", (json_int_t)store_col_int(s, 0),
                                         "full_name", store_col_text(s, 1), "unit_name", store_col_text(s, 2),
                                         "market_id", (json_int_t)store_col_int(s, 3), "market_name",
                                         store_col_text(s, 4)));
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto out;
  }
  size_t k;
  json_t *t;
  json_array_foreach(arr, k, t) {
    json_t *steps = NULL;
    if (person_steps(c, json_integer_value(json_object_get(t, "person_id")), &steps, e) != 0) goto out;
    json_object_set_new(t, "steps", steps);
  }
  *items = arr;
  arr = NULL;
  ret = 0;
out:
  json_decref(arr);
  arena_free(&a);
  return ret;
}

/* ---- demo ---- */
/* Each trader of a market gets the first (id % 5) steps in order, one month apart from October
 * 2025 to April 2026 (month index mi_ = id % 4 + position, 1..7), on a day chosen by id. */
#define DEMO_MI_ "((p.id % 4) + st.position)"
STORE_SQL(q_demo, "INSERT INTO trader_steps (person_id, step, done_on, helper_person, helper_user, recorded_by,"
                  " created_at) SELECT DISTINCT p.id, st.code,"
                  " (CASE WHEN " DEMO_MI_ " <= 3 THEN 20250900 + " DEMO_MI_ " * 100 ELSE 20259700 + " DEMO_MI_ " * 100 END)"
                  " + 1 + (p.id + st.position) % 27,"
                  " CAST(NULL AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT) FROM memberships m JOIN units mu ON mu.id = m.unit_id"
                  " JOIN people p ON p.id = m.person_id CROSS JOIN trade_steps st"
                  " WHERE m.kind = 'trader' AND mu.kind = 'market' AND p.deleted_at IS NULL"
                  " AND st.position <= p.id % 5 ON CONFLICT DO NOTHING");

int trade_demo(store_conn *w, int64_t helper, int64_t now, int64_t *added, app_err *e) {
  *added = 0;
  store_stmt *s = store_prepare(w, &q_demo);
  if (!s) return APP_INTERNAL(e);
  store_bind_id(s, 1, helper);
  store_bind_id(s, 2, helper);
  store_bind_int(s, 3, now);
  int rc = store_step(s);
  *added = rc == STORE_DONE ? store_changes(s) : 0;
  store_reset(s);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

/* ---- one trader's 4T steps (the movement block of a resident's page) ---- */

STORE_SQL(q_person_steps, "SELECT s.code, s.label, t.done_on FROM trader_steps t JOIN trade_steps s ON s.code = t.step"
                          " WHERE t.person_id = ? ORDER BY s.position");

static json_t *person_step_row(store_stmt *s) {
  char day[11];
  return json_pack("{s:s, s:s, s:s}", "step", store_col_text(s, 0), "label", store_col_text(s, 1), "done_on",
                   movement_date_iso(store_col_int(s, 2), day));
}

int trade_person_steps(store_conn *c, int64_t person_id, json_t **out, app_err *e) {
  if (movement_rows(c, &q_person_steps, person_id, person_step_row, out, e) == 0) return 0;
  json_decref(*out);
  *out = NULL;
  return -1;
}

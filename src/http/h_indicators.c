/* h_indicators.c: the indicators of a unit on a reference date (indicators.h).
 * Owns: reading the query (the unit, by default the caller's highest unit with reports.read; the
 * date, by default today, never in the future). The dispatcher has checked reports.read on a unit
 * named in the query.
 * Never: computes a figure itself (indicators.c does).
 */
#include <string.h>

#include "domain/groups.h"
#include "domain/indicators.h"
#include "http/handlers.h"
#include "util/clock.h"

/* The highest unit where the caller may read reports: the default of the dashboard. */
static int64_t reports_root(const principal *p) {
  int64_t best = 0;
  size_t best_len = 0;
  for (int i = 0; p && i < p->ngrants; i++) {
    const grant *g = &p->grants[i];
    if (!(g->caps & CAP_REPORTS_READ) || !g->unit_path) continue;
    size_t n = strlen(g->unit_path);
    if (!best || n < best_len) {
      best = g->unit_id;
      best_len = n;
    }
  }
  return best;
}

static int unit_and_date(req *r, int64_t *unit, int64_t *key);

int h_indicators_get(req *r) {
  int64_t unit = 0, key = 0;
  if (unit_and_date(r, &unit, &key) != 0) return -1;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (ind_compute(c, unit, key, &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

/* The query's unit (or the caller's highest) and date (or today; never later): 0, or -1 answered. */
static int unit_and_date(req *r, int64_t *unit, int64_t *key) {
  *unit = req_qint(r, "unit", 0);
  if (!*unit) *unit = reports_root(r->who);
  if (!*unit) return req_fail(r, 403, "forbidden", "unit", "Tài khoản này không được xem chỉ tiêu của đơn vị nào.");
  int64_t today = groups_date_key(clock_now());
  *key = today;
  const char *ds = req_qstr(r, "date");
  if (ds && *ds) {
    *key = ind_date_key(ds);
    if (*key < 0) return req_fail(r, 400, "invalid_value", "date", "Ngày tham chiếu phải là một ngày có thật, dạng YYYY-MM-DD.");
    if (*key > today) return req_fail(r, 400, "invalid_value", "date", "Ngày tham chiếu không được ở tương lai.");
  }
  return 0;
}

int h_indicators_ranking(req *r) {
  int64_t unit = 0, key = 0;
  if (unit_and_date(r, &unit, &key) != 0) return -1;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  const char *code = req_qstr(r, "code");
  if (ind_ranking(c, code && *code ? code : "T3", unit, key, &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_indicators_history(req *r) {
  int64_t unit = req_qint(r, "unit", 0);
  if (!unit) unit = reports_root(r->who);
  if (!unit) return req_fail(r, 403, "forbidden", "unit", "Tài khoản này không được xem chỉ tiêu của đơn vị nào.");
  const char *code = req_qstr(r, "code");
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (ind_history(c, unit, code && *code ? code : "T3", &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_indicator_defs_list(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (ind_defs_list(c, &items, &r->err) != 0) return -1;
  return req_page_all(r, items);
}

/* A validation error names the body's field: "definition.population", not "population". */
static void body_field(req *r) {
  static _Thread_local char field[64];
  const char *f = r->err.field;
  if (f && (strcmp(f, "base") == 0 || strcmp(f, "population") == 0 || strcmp(f, "condition") == 0)) {
    snprintf(field, sizeof field, "definition.%s", f);
    r->err.field = field;
  }
}

static int save(req *r, int64_t id) {
  const json_t *def = json_object_get(r->body, "definition");
  const json_t *targets = json_object_get(r->body, "targets");
  if (!id && !def) return req_fail(r, 400, "missing_field", "definition", "Cần định nghĩa chỉ tiêu (definition).");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  int64_t saved = 0;
  if (ind_def_save(req_dbw(r), id, req_str(r, "code"), req_str(r, "name"), def, targets, req_bool(r, "active", -1),
                   r->who->user_id, clock_now(), &saved, &r->err) != 0) {
    body_field(r);
    return -1;
  }
  const char *code = req_str(r, "code");
  if (req_audit(r, id ? "indicator.update" : "indicator.create", "indicator", saved, 0,
                json_pack("{s:s?}", "code", code)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, id ? 200 : 201, json_pack("{s:I}", "id", (json_int_t)saved));
}

int h_indicator_defs_create(req *r) { return save(r, 0); }
int h_indicator_defs_update(req *r) { return save(r, req_param(r, 0)); }

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

int h_indicators_get(req *r) {
  int64_t unit = req_qint(r, "unit", 0);
  if (!unit) unit = reports_root(r->who);
  if (!unit)
    return req_fail(r, 403, "forbidden", "unit", "Tài khoản này không được xem chỉ tiêu của đơn vị nào.");
  int64_t today = groups_date_key(clock_now()), key = today;
  const char *ds = req_qstr(r, "date");
  if (ds && *ds) {
    key = ind_date_key(ds);
    if (key < 0) return req_fail(r, 400, "invalid_value", "date", "Ngày tham chiếu phải là một ngày có thật, dạng YYYY-MM-DD.");
    if (key > today) return req_fail(r, 400, "invalid_value", "date", "Ngày tham chiếu không được ở tương lai.");
  }
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (ind_compute(c, unit, key, &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

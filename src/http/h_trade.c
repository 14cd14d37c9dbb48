/* h_trade.c: the 4T steps of small traders over HTTP (trade.h): the markets with their counts, the
 * traders of a scope, recording a step. A record is audited in its own transaction (entity
 * "person", the trader). Holds no SQL and no permission check (SCOPE_TRADER, router.c). */
#include "domain/groups.h"
#include "domain/trade.h"
#include "http/handlers.h"
#include "util/clock.h"

int h_markets_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL, *steps = NULL;
  if (trade_markets(c, &sc, req_qint(r, "unit_id", 0), &items, &r->err) != 0) return -1;
  if (trade_steps_list(c, &steps, &r->err) != 0) {
    json_decref(items);
    return -1;
  }
  return req_ok(r, 200, json_pack("{s:o, s:o}", "items", items, "steps", steps));
}

int h_traders_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  trader_query q = {.unit_id = req_qint(r, "unit_id", 0), .market_id = req_qint(r, "market_id", 0),
                    .without_step = req_qstr(r, "without_step")};
  req_paging(r, &q.page, &q.per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (trade_traders(c, &sc, &q, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_trade_step_delete(req *r) {
  int64_t pid = req_param(r, 0), id = 0, day = 0, unit_id = 0;
  const char *step = req_qstr(r, "step");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  person_reach pr;
  if (trade_reach(w, pid, &r->a, &pr, &r->err) != 0) return -1;
  unit_id = pr.unit_id;
  if (trade_delete(w, pid, step, &id, &day, &r->err) != 0) return -1; /* the dispatcher rolls back */
  if (req_audit(r, "trade_step.delete", "person", pid, unit_id,
                json_pack("{s:I, s:s, s:I}", "record_id", (json_int_t)id, "step", step, "done_on", (json_int_t)day)) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  r->status = 204;
  return 0;
}

int h_trade_step_record(req *r) {
  int64_t pid = req_param(r, 0), id = 0;
  trade_step_input in = {.step = req_str(r, "step"), .done_on = req_str(r, "done_on"),
                         .helper_person = req_int(r, "helper_id", 0)};
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  bool created = false;
  int64_t now = clock_now();
  if (trade_record(w, pid, &in, r->who->user_id, groups_date_key(now), now, &id, &created, &r->err) != 0)
    return -1; /* the dispatcher rolls back */
  json_t *o = NULL;
  if (trade_get(w, id, &o, &r->err) != 0) return -1;
  if (created) {
    json_t *detail = json_pack("{s:I, s:O, s:O}", "record_id", (json_int_t)id, "step", json_object_get(o, "step"),
                               "done_on", json_object_get(o, "done_on"));
    if (req_audit(r, "trade_step.create", "person", pid, json_integer_value(json_object_get(o, "unit_id")), detail) != 0) {
      json_decref(o);
      return APP_INTERNAL(&r->err);
    }
  }
  if (store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, created ? 201 : 200, o);
}

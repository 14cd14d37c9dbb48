/* h_resources.c: resources over HTTP (resources.h): contributions received by the caller's units
 * with their totals by kind and source, recording one, the plan tasks' budgets and what was
 * mobilised for them. Every change is audited in its own transaction. */
#include <string.h>

#include "domain/resources.h"
#include "http/handlers.h"
#include "util/clock.h"

int h_contributions_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_REPORTS_READ);
  contribution_query q = {.unit_id = req_qint(r, "unit_id", 0),
                          .source_kind = req_qstr(r, "source_kind"),
                          .kind = req_qstr(r, "kind"),
                          .task_id = req_qint(r, "task_id", 0)};
  req_paging(r, &q.page, &q.per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL, *totals = NULL;
  int64_t total = 0;
  if (resources_list(c, &sc, &q, &items, &total, &totals, &r->err) != 0) return -1;
  return req_ok(r, 200,
                json_pack("{s:o, s:i, s:i, s:I, s:o}", "items", items, "page", q.page, "per_page", q.per_page, "total",
                          (json_int_t)total, "totals", totals));
}

int h_contributions_add(req *r) {
  contribution_in in = {.unit_id = req_int(r, "unit_id", 0),
                        .source_kind = req_str(r, "source_kind"),
                        .source_name = req_str(r, "source_name"),
                        .kind = req_str(r, "kind"),
                        .description = req_str(r, "description"),
                        .quantity = req_int(r, "quantity", 0),
                        .value_vnd = req_int(r, "value_vnd", 0),
                        .recipient_unit_id = req_int(r, "recipient_unit_id", 0),
                        .recipient_household_id = req_int(r, "recipient_household_id", 0),
                        .task_id = req_int(r, "task_id", 0),
                        .received_on = req_str(r, "received_on")};
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  int64_t id = 0;
  if (resources_add(w, &in, r->who->user_id, clock_now(), &id, &r->err) != 0) return -1;
  json_t *o = NULL;
  if (resources_get(w, id, &o, &r->err) != 0) return -1;
  if (req_audit(r, "contribution.create", "unit", in.unit_id, in.unit_id,
                json_pack("{s:I, s:s, s:s, s:I}", "contribution_id", (json_int_t)id, "kind", in.kind, "source_kind",
                          in.source_kind, "value_vnd", (json_int_t)in.value_vnd)) != 0 ||
      store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 201, o);
}

int h_plan_budgets(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL, *totals = NULL;
  if (resources_budgets(c, &items, &totals, &r->err) != 0) return -1;
  return req_ok(r, 200, json_pack("{s:o, s:o}", "items", items, "totals", totals));
}

int h_plan_budget_set(req *r) {
  int64_t task = req_param(r, 0);
  int year = (int)req_int(r, "year", 0);
  const char *source = req_str(r, "source");
  int64_t amount = req_int(r, "amount_vnd", 0);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (resources_set_budget(w, task, year, source, amount, r->who->user_id, clock_now(), &r->err) != 0) return -1;
  json_t *items = NULL, *totals = NULL, *one = NULL;
  if (resources_budgets(w, &items, &totals, &r->err) != 0) return -1;
  size_t i;
  json_t *v;
  json_array_foreach(items, i, v) if (json_integer_value(json_object_get(v, "task_id")) == task) one = json_incref(v);
  json_decref(items);
  json_decref(totals);
  if (!one || req_audit(r, "plan.budget", "plan_task", task, 0,
                        json_pack("{s:i, s:s, s:I}", "year", year, "source", source, "amount_vnd", (json_int_t)amount)) != 0 ||
      store_commit(w) != STORE_OK) {
    json_decref(one);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, one);
}

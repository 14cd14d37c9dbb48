/* resources.h: nguồn lực (issue 9, part 9; plan IV "Kinh phí thực hiện" and V.8 "Nhiệm vụ chung":
 * organisations, businesses and individuals are mobilised to support the movement with money,
 * facilities and people). A contribution: its source (kind and name), what it is (money, devices,
 * facilities, people) with a description, a quantity and its value in VND (an estimate for what is
 * not money), the unit that received it and, inside that unit, what it went to (a unit such as a tổ
 * dân phố or a school, or a household that received a phone), and the plan task it serves. And
 * the budget of each plan task by year and source (state budget, other lawful sources), with what
 * was mobilised for it. Totals by kind and by source.
 * Owns: contributions and plan_budgets (migration 22).
 * Never: decides who may record (the dispatcher checks plan.write on the receiving unit); shows a
 * household's members (only its code and address).
 */
#ifndef HOCVUSO_RESOURCES_H
#define HOCVUSO_RESOURCES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"

const char *resources_source_label(const char *source_kind); /* NULL: unknown */
const char *resources_kind_label(const char *kind);          /* NULL: unknown */

typedef struct contribution_in {
  int64_t unit_id;                /* the receiving unit (checked by the dispatcher) */
  const char *source_kind;        /* organisation, business, individual */
  const char *source_name;
  const char *kind;               /* money, devices, facilities, people */
  const char *description;
  int64_t quantity;               /* 0: none */
  int64_t value_vnd;              /* >= 0 */
  int64_t recipient_unit_id;      /* 0: none; else inside unit_id's subtree */
  int64_t recipient_household_id; /* 0: none; else a household inside unit_id's subtree */
  int64_t task_id;                /* 0: none */
  const char *received_on;        /* YYYY-MM-DD, not in the future */
} contribution_in;
/* Records a contribution by `by_user`. 400 naming the field; 404 when the unit is absent. */
int resources_add(store_conn *w, const contribution_in *in, int64_t by_user, int64_t now, int64_t *id, app_err *e);
/* One contribution as the list has it. 404 when absent. */
int resources_get(store_conn *c, int64_t id, json_t **out, app_err *e);

typedef struct contribution_query {
  int64_t unit_id;         /* 0: the whole scope */
  const char *source_kind; /* NULL: all */
  const char *kind;        /* NULL: all */
  int64_t task_id;         /* 0: all */
  int page, per_page;
} contribution_query;
/* The contributions received by units of the scope (and of unit_id's subtree), newest first, and
 * over the same filter their totals: {count, value_vnd, by_kind: {money: {count, value_vnd}, …},
 * by_source: {organisation: {…}, …}}. */
int resources_list(store_conn *c, const scope_sql *sc, const contribution_query *q, json_t **items, int64_t *total,
                   json_t **totals, app_err *e);

/* Sets a plan task's budget for a year and source (replacing it). 400 naming the field; 404 when
 * the task is absent. */
int resources_set_budget(store_conn *w, int64_t task_id, int year, const char *source, int64_t amount_vnd,
                         int64_t by_user, int64_t now, app_err *e);
/* Every plan task with its budgets and what was mobilised for it: [{task_id, code, title,
 * budgets: [{year, source, amount_vnd}], budget_vnd, mobilised_vnd, contributions}], and the
 * totals {budget_vnd, mobilised_vnd}. */
int resources_budgets(store_conn *c, json_t **items, json_t **totals, app_err *e);
/* For the quarterly and yearly report (report.c): what unit_id's subtree received up to `until`
 * (YYYY-MM-DD, inclusive): {count, value_vnd, by_kind: [{code, label, count, value_vnd}] (money,
 * devices, facilities, people), by_source: [… organisation, business, individual]}; with_budget
 * (the ward's report) adds the plan tasks' budget_vnd and mobilised_for_tasks_vnd. */
int resources_report(store_conn *c, int64_t unit_id, const char *until, bool with_budget, json_t **out, app_err *e);

#endif

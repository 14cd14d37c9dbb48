/* trade.h: mô hình "Chợ số – Siêu thị số" (plan IV.3.3) — the 4T steps of small traders
 * (Tiểu thương – Thương mại điện tử – Thanh toán không dùng tiền mặt – Tiết kiệm số). A trader is
 * a person of the registry with a membership of kind "trader" in a unit of kind "market"
 * (memberships.c); each step of the seeded list trade_steps (data, migration 21: a new step is a
 * row) is recorded once per trader with its date, who guided (a person of the registry, or the
 * recording account itself) and who recorded it.
 * Owns: the tables trade_steps and trader_steps, the markets' counts and the traders' lists.
 * Never: changes a person or a membership; records a step for someone who is not a trader.
 *
 * Who: field.write on the trader's registering unit or on a market the person trades at records
 * (the dispatcher checks it through trade_reach: SCOPE_TRADER); people.read lists traders seen
 * through their market or their registering unit (as the registry does). */
#ifndef HOCVUSO_TRADE_H
#define HOCVUSO_TRADE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/people.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"

/* The 4T steps in their order: [{code, label, hint, position}]. */
int trade_steps_list(store_conn *c, json_t **items, app_err *e);

/* For the dispatcher: the live person {id} (404 when absent or deleted) with their registering
 * unit (unit_id, unit_path) and, as member_paths, the paths of the markets they trade at (none:
 * not a trader). */
int trade_reach(store_conn *c, int64_t person_id, arena *a, person_reach *out, app_err *e);

typedef struct trade_step_input {
  const char *step;      /* a code of trade_steps */
  const char *done_on;   /* dd/mm/yyyy or yyyy-mm-dd, not after today */
  int64_t helper_person; /* 0: the recording account guided */
} trade_step_input;

/* Records that the trader did a step, guided by in->helper_person (or by `by_user` when 0),
 * recorded by `by_user` at `now`; `today_key` (yyyymmdd) bounds the date. A step is done once:
 * recorded already, nothing is written, *created is false and *id is the first record's.
 * 400 naming the field (step, done_on); 404 (id) when the person is absent or deleted, 404
 * (helper_id) when the helper is; 409 conflict (id) when the person trades at no market. */
int trade_record(store_conn *w, int64_t person_id, const trade_step_input *in, int64_t by_user, int64_t today_key,
                 int64_t now, int64_t *id, bool *created, app_err *e);
/* Removes a step recorded by mistake; *id and *done_on say what it was (for the audit entry).
 * 400 (step) for an unknown step, 404 (step) when the trader has not done it. */
int trade_delete(store_conn *w, int64_t person_id, const char *step, int64_t *id, int64_t *done_on, app_err *e);
/* One record: {id, person_id, full_name, unit_id, step, step_label, done_on (yyyy-mm-dd),
 * helper_id (person or null), helper_name, recorded_by, created_at}. 404 when absent. */
int trade_get(store_conn *c, int64_t id, json_t **out, app_err *e);

/* The markets of the scope — those in it, and those where a trader registered in it trades —
 * within unit_id's subtree (0: all), each {id, name, code, traders, steps: {code: n}}: the live
 * traders the caller may see and how many of them did each step. */
int trade_markets(store_conn *c, const scope_sql *scope, int64_t unit_id, json_t **items, app_err *e);

typedef struct trader_query {
  int64_t unit_id;          /* 0: the whole scope; else market or registering unit in its subtree */
  int64_t market_id;        /* 0, or only this market's traders (among those of the scope) */
  const char *without_step; /* NULL, or only traders who have not done this step */
  int page, per_page;
} trader_query;
/* The traders of the scope (a person once per market), by market then name: {person_id,
 * full_name, unit_name (registering unit), market_id, market_name, steps: [{id, step, done_on,
 * helper_name, recorded_by}]}; *total counts them all. 400 (without_step) for an unknown step. */
int trade_traders(store_conn *c, const scope_sql *scope, const trader_query *q, json_t **items, int64_t *total,
                  app_err *e);

/* The demo: every trader of the ward's markets gets some of the steps, chosen and dated by
 * their id (the same each time), guided by `helper` (an account; 0: none of the demo's).
 * *added: rows written. */
int trade_demo(store_conn *w, int64_t helper, int64_t now, int64_t *added, app_err *e);

/* One person's 4T steps done, in the steps' order: [{step, label, done_on}] (empty: none, or not a
 * trader). The caller has checked the person. */
int trade_person_steps(store_conn *c, int64_t person_id, json_t **out, app_err *e);
#endif

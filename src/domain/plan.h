/* plan.h: the plan's tasks (kế hoạch, part IV: nhiệm vụ 1.1 to 3.6) — each with its lead unit,
 * coordinating units and timeframe exactly as the plan writes them (content/plan/tasks.json,
 * carried by the binary), the ward's units that each of the plan's unit names stands for (data an
 * admin edits), and the progress updates (báo cáo tiến độ: text, figures, attachments) that those
 * units post. A task's status follows from its schedule and its updates by one rule,
 * plan_status_of (below, and docs/PLAN.md).
 * Owns: plan_tasks, plan_unit_names, plan_unit_map, plan_task_units, plan_updates,
 * plan_update_attachments (migration 22).
 * Never: decides who may post (the dispatcher does, from plan_task_reach); stores a file (the
 * attachments module does); changes a task's plan text from a request (only a load does).
 */
#ifndef HOCVUSO_PLAN_H
#define HOCVUSO_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/err.h"
#include "store/store.h"
#include "util/arena.h"

/* ---- the status rule ----
 * Inputs: the schedule (first day, last day or none, whether the task recurs every year, and how
 * many days may pass between two progress reports) and the newest update (its day, whether it
 * reports the task done). In this order, the first that holds:
 *   1. done         the newest update reports the task done (a recurring task: this calendar year);
 *   2. not_started  today is before the first day;
 *   3. late         the last day has passed (and the task is not done);
 *   4. on_track     the newest update is at most report_days old;
 *   5. not_started  there is no update yet and the task began at most report_days ago;
 *   6. late         otherwise: no report for more than report_days.
 * Days are the ward's calendar days (UTC+7). */
typedef enum { PLAN_NOT_STARTED, PLAN_ON_TRACK, PLAN_LATE, PLAN_DONE } plan_status;
typedef struct plan_schedule {
  int64_t starts_day;  /* days since 1970-01-01 */
  int64_t ends_day;    /* < 0: no last day */
  bool recurring;
  int report_days;
} plan_schedule;
typedef struct plan_progress {
  int64_t last_day;    /* the newest update's day; < 0: none */
  bool last_done;      /* the newest update reports the task done */
} plan_progress;
/* The rule above; *why (may be NULL) gets a Vietnamese sentence saying which branch held. */
plan_status plan_status_of(const plan_schedule *s, const plan_progress *p, int64_t today, const char **why);
const char *plan_status_code(plan_status s);  /* "not_started", "on_track", "late", "done" */
const char *plan_status_label(plan_status s); /* "Chưa bắt đầu", "Đúng tiến độ", "Chậm tiến độ", "Hoàn thành" */
/* The ward's calendar day (UTC+7) of an epoch time, and of "YYYY-MM-DD" (-1 when not a date). */
int64_t plan_day_of(int64_t epoch);
int64_t plan_day_parse(const char *ymd);

/* The plan as the binary carries it (content/plan/tasks.json). */
extern const char plan_tasks_json[];
extern const size_t plan_tasks_json_len;

typedef struct plan_load_counts {
  int tasks_new, tasks_kept, names_new, units_mapped;
} plan_load_counts;
/* Loads a plan document (tasks.json's shape) for the ward `ward_id`: tasks by code (new ones
 * inserted, known ones given the document's text and schedule), the plan's unit names (new ones
 * with their default units: by code, or every unit of a kind inside the ward; names already known
 * keep the map an admin made) and which names each task has as lead and coordinating units. One
 * transaction of the caller's. 0, or -1 with err. */
int plan_load(store_conn *w, const char *doc, size_t len, int64_t ward_id, int64_t now, plan_load_counts *n, char *err,
              size_t errlen);

/* Every task in the plan's order: {id, code, section, title, lead_unit, coordinating_units[],
 * timeframe, status, status_label, status_reason, starts_on, ends_on, recurring, report_days,
 * updates_count, last_update_at}. */
int plan_tasks_list(store_conn *c, int64_t now, json_t **items, app_err *e);
/* One task as in the list, with `units` ({role, name_id, name, units: [{id, name}]}) and
 * `updates` (newest first, at most 100: {id, unit_id, unit_name, body, figures, done, created_by,
 * created_by_name, created_at, attachments[]}). 404 when absent. */
int plan_task_get(store_conn *c, int64_t id, int64_t now, json_t **out, app_err *e);

/* For the dispatcher: the task's ward and the ward's units that answer for it (the plan's lead and
 * coordinating names, mapped). 404 when the task is absent. */
typedef struct plan_reach {
  int64_t ward_id;
  const char *ward_path;
  int n;
  int64_t *unit_ids;   /* in the arena */
  const char **paths;  /* in the arena */
} plan_reach;
int plan_task_reach(store_conn *c, int64_t task_id, arena *a, plan_reach *out, app_err *e);
/* The ward the plan belongs to, and its path (in `a`). 404 when no plan is loaded. */
int plan_ward_reach(store_conn *c, arena *a, int64_t *ward_id, const char **path, app_err *e);

typedef struct plan_update_in {
  int64_t unit_id;        /* the unit the update speaks for (checked by the dispatcher) */
  const char *body;       /* what was done, 1..4000 characters */
  json_t *figures;        /* NULL, or [{label, value, unit?}] (at most 20) */
  bool done;              /* the unit reports the task done */
  json_t *attachment_ids; /* NULL, or ids of attachments uploaded to this task by the same account */
} plan_update_in;
#define PLAN_BODY_MAX 4000
#define PLAN_FIGURES_MAX 20
/* Records an update of the task by `by_user` at `now`. 400 naming the field (body, figures,
 * attachment_ids); 404 when the task is absent. */
int plan_update_add(store_conn *w, int64_t task_id, const plan_update_in *in, int64_t by_user, int64_t now, int64_t *id,
                    app_err *e);

/* The plan's unit names with the ward's units each stands for, and the tasks naming it:
 * [{id, name, units: [{id, name}], tasks: ["1.1", …]}]. */
int plan_units_list(store_conn *c, json_t **items, app_err *e);
/* Sets the units a plan name stands for (replacing them): each must be inside the plan's ward (400
 * naming unit_ids); 404 when the name is absent. */
int plan_units_set(store_conn *w, int64_t name_id, json_t *unit_ids, int64_t by_user, int64_t now, app_err *e);

#endif

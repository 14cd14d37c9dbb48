/* ambassadors.h: Đại sứ số — digital ambassadors (issue 9, part 2). A person of the registry (a
 * resident or a staff member) is named an ambassador of one of two kinds: a mentor (serving a unit,
 * usually their tổ dân phố) who guides mentees, or a helper at the public administration service
 * centre (trung tâm phục vụ hành chính công: a unit of kind service_center) who helps the residents
 * who come there. The plan's rules are made visible here: each mentor guides at least
 * AMB_MIN_MENTEES mentees (the shortfall is computed per mentor), and each service centre has at
 * least one helper (a centre without one is flagged).
 * Owns: the tables ambassadors, mentorships, mentor_sessions and service_helps (migration 20).
 * Never: lets a mentee have two mentors at once (checked here, and by the partial unique index
 * mentorships_active whatever the race); deletes history (an assignment ends, it is not removed);
 * accepts a session or a help dated in the future.
 *
 * Who (the dispatcher checks it from the route table, router.c): naming an ambassador needs
 * field.write on the unit they serve and people.read on the person (SCOPE_UNIT_PERSON); assigning a
 * mentee needs field.write on the mentee's registering unit and people.read on the mentor's person
 * (SCOPE_MENTEE); ending an assignment or logging a session needs field.write on the mentee's
 * registering unit (SCOPE_MENTORSHIP); ending an ambassador or logging a help at the centre needs
 * field.write on the ambassador's unit, and people.read on the resident helped (SCOPE_AMBASSADOR);
 * reading needs people.read on the ambassador's unit (lists take the caller's scope, scope.h).
 */
#ifndef HOCVUSO_AMBASSADORS_H
#define HOCVUSO_AMBASSADORS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"

/* The plan's rule: each mentor guides at least this many mentees at a time. */
#define AMB_MIN_MENTEES 5
#define AMB_MENTOR "mentor"
#define AMB_SERVICE_HELPER "service_helper"
#define AMB_TEXT_MAX 500 /* characters of a session's topic, of what was done at the centre */

/* Names the person an ambassador of `kind` serving `unit_id` (a service helper: a service_center
 * unit), from `now`. 400 naming kind/unit_id; 404 naming person_id; 409 naming person_id when the
 * person already is one of that kind. */
int ambassadors_create(store_conn *w, int64_t person_id, int64_t unit_id, const char *kind, int64_t by, int64_t now,
                       int64_t *id, app_err *e);
/* Ends an ambassador (and every mentorship of theirs still open: the mentees are free again).
 * *person_id and *unit_id say who it was, for the audit entry. 404; 409 when ended already. */
int ambassadors_end(store_conn *w, int64_t id, int64_t by, int64_t now, int64_t *person_id, int64_t *unit_id,
                    app_err *e);
/* For the dispatcher: the ambassador's person and the path of the unit they serve (in `a`). 404. */
int ambassadors_reach(store_conn *c, int64_t id, arena *a, int64_t *person_id, const char **path, app_err *e);
/* One ambassador: {id, person_id, full_name, unit_id, unit_name, kind, kind_label, started_at,
 * ended_at, active_mentees, min_mentees, shortfall, mentees: [{mentorship_id, person_id, full_name,
 * unit_name, started_at, ended_at, sessions}] (current first, then history), sessions: [{id,
 * mentorship_id, mentee_name, held_on, topic, recorded_by, created_at}], helps: [{id, person_id,
 * full_name, helped_on, what, recorded_by, created_at}]} (the latest 100 of each log). The people
 * named in mentees and the logs are those registered in `scope` (the reader's people.read: a mentor
 * of one tổ may guide someone of another, whom its officers do not see); the counts are whole. */
int ambassadors_get(store_conn *c, const scope_sql *scope, int64_t id, json_t **out, app_err *e);

typedef struct ambassador_query {
  const char *kind;   /* NULL: both */
  int64_t unit_id;    /* 0: the whole scope */
  bool include_ended; /* false: current ambassadors only */
  bool short_only;    /* mentors below the rule only */
  int page, per_page;
} ambassador_query;
/* The ambassadors serving a unit of the scope: {id, person_id, full_name, unit_id, unit_name, kind,
 * kind_label, started_at, ended_at, active_mentees, sessions, helps, shortfall}, current first, the
 * largest shortfall first, then by name. 400 naming kind. */
int ambassadors_list(store_conn *c, const scope_sql *scope, const ambassador_query *q, json_t **items, int64_t *total,
                     app_err *e);
/* The rules over the scope: {min_mentees, mentors, mentors_short (counted on each mentor's whole
 * list: the rule is the mentor's), mentees and sessions (only the mentees the reader may see:
 * registered in a unit of the scope), centres:
 * [{unit_id, name, helpers, helps}], centre_without_helper (a centre in scope has none),
 * no_centre (the scope holds a ward but no service centre)}. */
int ambassadors_summary(store_conn *c, const scope_sql *scope, json_t **out, app_err *e);

/* Assigns the mentee to the mentor (an ambassador's id) from `now`. 400 naming mentee_id (the
 * mentor themself) or mentor_id (not a current mentor); 404 naming either; 409 naming mentee_id
 * when the mentee already has a mentor (the message names them): nothing is written. *unit_id:
 * the mentee's registering unit. */
int mentorships_create(store_conn *w, int64_t mentee_id, int64_t ambassador_id, int64_t by, int64_t now, int64_t *id,
                       int64_t *unit_id, app_err *e);
/* Ends an assignment (kept as history). 404; 409 naming id when ended already. */
int mentorships_end(store_conn *w, int64_t id, int64_t by, int64_t now, int64_t *mentee_id, int64_t *unit_id,
                    app_err *e);
/* For the dispatcher: the mentee and their registering unit's path (in `a`). 404. */
int mentorships_reach(store_conn *c, int64_t id, arena *a, int64_t *mentee_id, const char **path, app_err *e);
/* One assignment: {id, ambassador_id, mentor_person_id, mentor_name, mentee_id, mentee_name,
 * started_at, ended_at, sessions}. 404. */
int mentorships_get(store_conn *c, int64_t id, json_t **out, app_err *e);
/* Logs a guidance session of an open assignment: the date (dd/mm/yyyy or yyyy-mm-dd, not after
 * today, not before the assignment began) and the topic. 400 naming held_on/topic; 409 naming id
 * when the assignment has ended. *mentee_id and *unit_id (the mentee's registering unit) say whom
 * it concerned, for the audit entry (either may be NULL). */
int mentorships_log_session(store_conn *w, int64_t id, const char *held_on, const char *topic, int64_t by, int64_t now,
                            int64_t *session_id, int64_t *mentee_id, int64_t *unit_id, app_err *e);
/* Logs that the service helper (an ambassador's id) helped the resident at the centre: date and
 * what was done. 400 naming helped_on/what; 409 naming id when the ambassador is not a current
 * service helper; 404 naming person_id. *unit_id (may be NULL): the centre, for the audit entry. */
int ambassadors_log_help(store_conn *w, int64_t id, int64_t person_id, const char *helped_on, const char *what,
                         int64_t by, int64_t now, int64_t *help_id, int64_t *unit_id, app_err *e);

/* A date as staff write it into the key yyyymmdd: not after `today_key`, not before 2000. 0, or -1
 * with *why (Vietnamese, static). */
int ambassadors_parse_date(const char *s, int64_t today_key, int64_t *key, const char **why);

/* The demo ward's ambassadors (demo_reach.c). */
/* One resident's part in Đại sứ số: {mentor: {mentorship_id, name} | null (who guides them now),
 * ambassador: [{id, kind, started_at}] (the roles they hold now)}. The caller has checked the person. */
int ambassadors_of_person(store_conn *c, int64_t person_id, json_t **out, app_err *e);
#endif

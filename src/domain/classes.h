/* classes.h: lớp bồi dưỡng, tập huấn — training classes for staff and others (plan IV.2.2): a class
 * of an organising unit (title, topic, competences of the framework, all but the title optional),
 * its sessions (day, place), the people of the registry enrolled, who attended each session, and
 * each participant's outcome (completed or not, with its day). Completions count toward target 1
 * (public-sector staff, BRIEF.md): classes_staff_completed is the one count the indicators use.
 * Owns: the tables classes, class_competences, class_sessions, class_enrolments, class_attendance.
 * Never: changes a person; counts a deleted person; records attendance of someone not enrolled or
 * at a session not yet held.
 *
 * Who: people.write on the organising unit creates a class and records sessions, enrolment,
 * attendance and outcomes; people.read there reads it (SCOPE_CLASS, router.c). A participant named
 * in a body must be visible to the caller (people.read), as the dispatcher checks. */
#ifndef HOCVUSO_CLASSES_H
#define HOCVUSO_CLASSES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"

#define CLASS_TITLE_MAX 200
#define CLASS_TOPIC_MAX 500
#define CLASS_PLACE_MAX 200
#define CLASS_COMPETENCES_MAX 20

/* Creates a class organised by `unit_id`; `competences` is NULL or a JSON array of competency ids
 * (each must exist: 400 competences). 400 naming title, topic; 404 unit_id. */
int classes_create(store_conn *w, const char *title, int64_t unit_id, const char *topic, const json_t *competences,
                   int64_t by_user, int64_t now, int64_t *id, app_err *e);
/* For the dispatcher: the class's organising unit and its path (in `a`). 404 when absent. */
int classes_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e);
/* The whole class: {id, title, unit_id, unit_name, topic, competences: [{id, framework, code, name}],
 * created_by, created_at, sessions: [{id, held_on, place, attended}], participants: [{person_id,
 * full_name, unit_name, outcome (null, "completed", "not_completed"), outcome_on, attended: [session
 * ids]}]} — participants by name. 404 when absent. */
int classes_get(store_conn *c, int64_t id, json_t **out, app_err *e);

typedef struct class_query {
  int64_t unit_id; /* 0: the whole scope; else classes organised in its subtree */
  int page, per_page;
} class_query;
/* Classes organised in the caller's scope, newest first: {id, title, unit_id, unit_name, topic,
 * sessions, first_on, last_on (null without sessions), enrolled, completed}. */
int classes_list(store_conn *c, const scope_sql *scope, const class_query *q, json_t **items, int64_t *total,
                 app_err *e);

/* Adds a session (a day, possibly planned ahead, and a place). 400 held_on, place. */
int classes_add_session(store_conn *w, int64_t class_id, const char *held_on, const char *place, int64_t by_user,
                        int64_t now, int64_t *session_id, app_err *e);
/* Enrols a live person; enrolled already: *created false, nothing written. 404 participant_id. */
int classes_enrol(store_conn *w, int64_t class_id, int64_t person_id, int64_t by_user, int64_t now, bool *created,
                  app_err *e);
/* Sets who attended a session of the class: exactly the people of `person_ids` (a JSON array of
 * ids, each enrolled: else 400 participant_ids, nothing changed). 400 session_id when the session
 * is not one of this class, or not held yet (its day after today_key). *present: how many. */
int classes_set_attendance(store_conn *w, int64_t class_id, int64_t session_id, const json_t *person_ids,
                           int64_t by_user, int64_t today_key, int64_t now, int64_t *present, app_err *e);
/* Records a participant's outcome ("completed" or "not_completed"; "" or NULL clears it) on
 * `outcome_on` (NULL: today; not in the future). 400 outcome, outcome_on; 400 participant_id
 * when the person is not enrolled. */
int classes_set_outcome(store_conn *w, int64_t class_id, int64_t person_id, const char *outcome,
                        const char *outcome_on, int64_t by_user, int64_t today_key, app_err *e);

/* Target 1 (public-sector staff): the live people who hold a staff membership of a public-sector
 * unit (groups.h, GROUP_STAFF_UNIT_KINDS) within unit_id's subtree and completed a class on or
 * before `ref_key` (yyyymmdd). 404 when the unit is absent. */
int classes_staff_completed(store_conn *c, int64_t unit_id, int64_t ref_key, int64_t *n, app_err *e);

/* The demo: two classes of the ward (staff training in digital skills) with sessions in 2025,
 * their participants the staff of the ward's offices (chosen by id), attendance and outcomes.
 * Adds nothing when the demo's classes exist. *added: classes made. */
int classes_demo(store_conn *w, int64_t ward_id, int64_t by_user, int64_t now, int64_t *added, app_err *e);

/* One person's classes, newest first (at most 50): [{id, title, outcome (completed, not_completed,
 * null), outcome_on}]. The caller has checked the person. */
int classes_of_person(store_conn *c, int64_t person_id, json_t **out, app_err *e);
#endif

/* events.h: sự kiện — events such as Ngày hội toàn dân học tập số on 10/10 (plan IV.1.4): an event
 * of an organising unit (title, day, place), its activities, the registered residents who took
 * part (people of the registry) and a head count of those not registered (a number).
 * Owns: the tables events, event_activities, event_participants.
 * Never: changes a person; counts a deleted person among the participants.
 *
 * Who: people.write on the organising unit creates and changes an event and records its
 * participants; people.read there reads it (SCOPE_EVENT, router.c). A participant named in a body
 * must be visible to the caller (people.read), as the dispatcher checks. */
#ifndef HOCVUSO_EVENTS_H
#define HOCVUSO_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"

#define EVENT_TITLE_MAX 200
#define EVENT_PLACE_MAX 200
#define EVENT_HEAD_COUNT_MAX 1000000
/* Participants listed by events_get (the count is always whole). */
#define EVENT_PARTICIPANTS_SHOWN 500

typedef struct event_input {
  const char *title;   /* NULL: unchanged (an update) */
  const char *held_on; /* dd/mm/yyyy or yyyy-mm-dd; may be ahead (an event planned) */
  const char *place;
  int64_t head_count;  /* -1: unchanged (an update) or 0 (a creation) */
} event_input;

/* Creates an event of `unit_id`. 400 naming title, held_on, place, head_count; 404 unit_id. */
int events_create(store_conn *w, int64_t unit_id, const event_input *in, int64_t by_user, int64_t now, int64_t *id,
                  app_err *e);
/* Changes the fields given. 400 naming the field. */
int events_update(store_conn *w, int64_t id, const event_input *in, int64_t now, app_err *e);
/* For the dispatcher: the event's organising unit and its path (in `a`). 404 when absent. */
int events_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e);
/* {id, title, held_on, place, unit_id, unit_name, head_count, registered, total (registered +
 * head_count), signed_up (registered residents signed up ahead, not yet attended), created_by,
 * created_at, activities: [{id, title}], participants: [{person_id, full_name, unit_name, status}]
 * (by name, at most EVENT_PARTICIPANTS_SHOWN)}. `registered` counts those who attended. 404 when absent. */
int events_get(store_conn *c, int64_t id, json_t **out, app_err *e);

typedef struct event_query {
  int64_t unit_id; /* 0: the whole scope; else events organised in its subtree */
  int page, per_page;
} event_query;
/* Events organised in the caller's scope, latest day first: {id, title, held_on, place, unit_id,
 * unit_name, head_count, registered, total, activities}. */
int events_list(store_conn *c, const scope_sql *scope, const event_query *q, json_t **items, int64_t *total,
                app_err *e);

/* Adds an activity. 400 title. */
int events_add_activity(store_conn *w, int64_t event_id, const char *title, int64_t by_user, int64_t now,
                        int64_t *activity_id, app_err *e);
typedef enum { EVENT_UNCHANGED, EVENT_ADDED, EVENT_ATTENDED } event_change;
/* Records a live person as signed up ahead ("registered") or as having taken part ("attended");
 * `status` NULL: signed up while the event's day (held_on) is after `today` (a date key, Vietnam's
 * day), attended from that day on. "attended" before the day: 400 naming status. Someone signed up
 * who is then recorded as attended: EVENT_ATTENDED; recorded already (or signed up again):
 * EVENT_UNCHANGED; never back from attended to signed up. 404 participant_id. */
int events_add_participant(store_conn *w, int64_t event_id, int64_t person_id, const char *status, int64_t today,
                           int64_t by_user, int64_t now, event_change *changed, app_err *e);

/* The demo: Ngày hội toàn dân học tập số of the ward on 10/10/2025 and 10/10/2026 with their
 * activities, a share of the ward's adults as participants (chosen by id) and a head count; and
 * an event 30 days ahead with a share of the adults signed up (none attended yet).
 * Adds nothing when they exist. *added: events made. */
int events_demo(store_conn *w, int64_t ward_id, int64_t by_user, int64_t now, int64_t *added, app_err *e);

/* The events a person took part in, newest first (at most 50): [{id, title, held_on}]. The caller
 * has checked the person. */
int events_of_person(store_conn *c, int64_t person_id, json_t **out, app_err *e);
#endif

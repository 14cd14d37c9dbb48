/* h_events.c: events over HTTP (events.h): the list of a scope, one event with its activities and
 * participants, creating and changing one, adding an activity or a participant. Every change is
 * audited in its own transaction and answers the whole event. Holds no SQL and no permission check
 * (SCOPE_UNIT on the organising unit, SCOPE_EVENT, router.c). */
#include "domain/events.h"
#include "domain/groups.h"
#include "http/handlers.h"
#include "util/clock.h"

int h_events_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  event_query q = {.unit_id = req_qint(r, "unit_id", 0)};
  req_paging(r, &q.page, &q.per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (events_list(c, &sc, &q, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_events_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (events_get(c, req_param(r, 0), &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

/* Audits the change (when `action`), commits and answers the event as it now is. */
static int done(req *r, int64_t id, const char *action, const char *entity, int64_t entity_id, json_t *detail,
                int status) {
  store_conn *w = req_dbw(r);
  json_t *o = NULL;
  if (events_get(w, id, &o, &r->err) != 0) {
    json_decref(detail);
    return -1;
  }
  if (action && req_audit(r, action, entity, entity_id, json_integer_value(json_object_get(o, "unit_id")), detail) != 0) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  if (!action) json_decref(detail);
  if (store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, status, o);
}

static event_input input_of(req *r) {
  return (event_input){.title = req_str(r, "title"), .held_on = req_str(r, "held_on"), .place = req_str(r, "place"),
                       .head_count = req_int(r, "head_count", -1)};
}

int h_events_create(req *r) {
  int64_t id = 0;
  event_input in = input_of(r);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (events_create(req_dbw(r), req_int(r, "unit_id", 0), &in, r->who->user_id, clock_now(), &id, &r->err) != 0) return -1;
  return done(r, id, "event.create", "event", id, json_pack("{s:s}", "title", in.title), 201);
}

int h_events_update(req *r) {
  int64_t id = req_param(r, 0);
  event_input in = input_of(r);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (events_update(req_dbw(r), id, &in, clock_now(), &r->err) != 0) return -1;
  return done(r, id, "event.update", "event", id, json_pack("{s:I}", "head_count", (json_int_t)in.head_count), 200);
}

int h_events_activity_add(req *r) {
  int64_t id = req_param(r, 0), aid = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (events_add_activity(req_dbw(r), id, req_str(r, "title"), r->who->user_id, clock_now(), &aid, &r->err) != 0)
    return -1;
  return done(r, id, "event.activity", "event", id, json_pack("{s:I}", "activity_id", (json_int_t)aid), 201);
}

int h_events_participant_add(req *r) {
  int64_t id = req_param(r, 0), pid = req_int(r, "participant_id", 0), now = clock_now();
  event_change changed = EVENT_UNCHANGED;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (events_add_participant(req_dbw(r), id, pid, req_str(r, "status"), groups_date_key(now), r->who->user_id, now,
                             &changed, &r->err) != 0)
    return -1;
  const char *action = changed == EVENT_ADDED ? "event.participant" : changed == EVENT_ATTENDED ? "event.attended" : NULL;
  return done(r, id, action, "person", pid, json_pack("{s:I, s:s?}", "event_id", (json_int_t)id, "status", req_str(r, "status")),
              changed == EVENT_ADDED ? 201 : 200);
}

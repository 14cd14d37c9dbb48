/* h_classes.c: training classes over HTTP (classes.h): the list of a scope, a class with its
 * sessions and participants, creating one, adding a session, enrolling, attendance, outcomes.
 * Every change is audited in its own transaction and answers the whole class. Holds no SQL and no
 * permission check (SCOPE_UNIT on the organising unit, SCOPE_CLASS, router.c). */
#include "domain/classes.h"
#include "domain/groups.h"
#include "http/handlers.h"
#include "util/clock.h"

int h_classes_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  class_query q = {.unit_id = req_qint(r, "unit_id", 0)};
  req_paging(r, &q.page, &q.per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (classes_list(c, &sc, &q, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_classes_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (classes_get(c, req_param(r, 0), &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

/* Audits the change, commits and answers the class as it now is. */
static int done(req *r, int64_t class_id, const char *action, const char *entity, int64_t entity_id, json_t *detail,
                int status) {
  store_conn *w = req_dbw(r);
  json_t *o = NULL;
  if (classes_get(w, class_id, &o, &r->err) != 0) {
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

int h_classes_create(req *r) {
  int64_t id = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (classes_create(req_dbw(r), req_str(r, "title"), req_int(r, "unit_id", 0), req_str(r, "topic"),
                     json_object_get(r->body, "competences"), r->who->user_id, clock_now(), &id, &r->err) != 0)
    return -1;
  return done(r, id, "class.create", "class", id, json_pack("{s:s}", "title", req_str(r, "title")), 201);
}

int h_classes_session_add(req *r) {
  int64_t id = req_param(r, 0), sid = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (classes_add_session(req_dbw(r), id, req_str(r, "held_on"), req_str(r, "place"), r->who->user_id, clock_now(), &sid,
                          &r->err) != 0)
    return -1;
  return done(r, id, "class.session", "class", id, json_pack("{s:I}", "session_id", (json_int_t)sid), 201);
}

int h_classes_enrol(req *r) {
  int64_t id = req_param(r, 0), pid = req_int(r, "participant_id", 0);
  bool created = false;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (classes_enrol(req_dbw(r), id, pid, r->who->user_id, clock_now(), &created, &r->err) != 0) return -1;
  return done(r, id, created ? "class.enrol" : NULL, "person", pid, json_pack("{s:I}", "class_id", (json_int_t)id),
              created ? 201 : 200);
}

int h_classes_attendance(req *r) {
  int64_t id = req_param(r, 0), sid = req_int(r, "session_id", 0), present = 0, now = clock_now();
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (classes_set_attendance(req_dbw(r), id, sid, json_object_get(r->body, "participant_ids"), r->who->user_id,
                             groups_date_key(now), now, &present, &r->err) != 0)
    return -1;
  return done(r, id, "class.attendance", "class", id,
              json_pack("{s:I, s:I}", "session_id", (json_int_t)sid, "present", (json_int_t)present), 200);
}

int h_classes_outcome(req *r) {
  int64_t id = req_param(r, 0), pid = req_int(r, "participant_id", 0);
  const char *outcome = req_str(r, "outcome");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (classes_set_outcome(req_dbw(r), id, pid, outcome, req_str(r, "outcome_on"), r->who->user_id,
                          groups_date_key(clock_now()), &r->err) != 0)
    return -1;
  return done(r, id, "class.outcome", "person", pid,
              json_pack("{s:I, s:s}", "class_id", (json_int_t)id, "outcome", outcome && *outcome ? outcome : "none"), 200);
}

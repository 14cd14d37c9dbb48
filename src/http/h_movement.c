/* h_movement.c: one resident's part in the movement, for their page (issue 9): the door-to-door
 * visits they were present at, who guides them and the ambassador roles they hold, their 4T steps,
 * classes and events. Each part is read by the module that owns its tables.
 * Never: reads a person outside the caller's scope (the route's SCOPE_PERSON), or without auditing. */
#include "domain/ambassadors.h"
#include "domain/classes.h"
#include "domain/events.h"
#include "domain/field.h"
#include "domain/people.h"
#include "domain/trade.h"
#include "http/handlers.h"

int h_person_movement(req *r) {
  int64_t id = req_param(r, 0);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *visits = NULL, *amb = NULL, *steps = NULL, *classes = NULL, *events = NULL, *out = NULL;
  person_reach pr;
  int rc = -1;
  if (field_person_visits(c, id, &visits, &r->err) != 0 || ambassadors_of_person(c, id, &amb, &r->err) != 0 ||
      trade_person_steps(c, id, &steps, &r->err) != 0 || classes_of_person(c, id, &classes, &r->err) != 0 ||
      events_of_person(c, id, &events, &r->err) != 0 || people_reach(c, id, &r->a, &pr, &r->err) != 0)
    goto done;
  out = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "visits", visits, "mentor", json_object_get(amb, "mentor"),
                  "ambassador", json_object_get(amb, "ambassador"), "trade_steps", steps, "classes", classes, "events",
                  events);
  if (!out) {
    rc = APP_INTERNAL(&r->err);
    goto done;
  }
  /* A staff read of a person's record: audited, as every part of it is. */
  if (req_begin(r) != 0 || req_audit(r, "person.read", "person", id, pr.unit_id, json_pack("{s:s}", "what", "movement")) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    rc = APP_INTERNAL(&r->err);
    goto done;
  }
  rc = req_ok(r, 200, out);
  out = NULL;
done:
  json_decref(visits);
  json_decref(amb);
  json_decref(steps);
  json_decref(classes);
  json_decref(events);
  json_decref(out);
  return rc;
}

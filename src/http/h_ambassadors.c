/* h_ambassadors.c: Đại sứ số over HTTP (ambassadors.h): naming and ending ambassadors, assigning
 * mentees and ending assignments, logging guidance sessions and helps at the service centre, the
 * lists and the plan's rules. Every change is audited in its own transaction; the dispatcher has
 * checked the scope of every object named (router.c). Holds no SQL and no rule. */
#include <string.h>

#include "domain/ambassadors.h"
#include "http/handlers.h"
#include "util/clock.h"

/* An ambassador as the caller may see it (the people named: within their people.read scope). */
static int ambassador_of(req *r, store_conn *c, int64_t id, json_t **out) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  return ambassadors_get(c, &sc, id, out, &r->err);
}

/* Commits, then answers `status` with the object read back on the writer, which saw it: an
 * ambassador (get NULL) or an assignment. */
static int commit_and_answer(req *r, int status, int (*get)(store_conn *, int64_t, json_t **, app_err *), int64_t id) {
  store_conn *w = req_dbw(r);
  json_t *o = NULL;
  if (get ? get(w, id, &o, &r->err) != 0 : ambassador_of(r, w, id, &o) != 0) return -1;
  if (store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, status, o);
}

int h_ambassadors_create(req *r) {
  int64_t person = req_int(r, "person_id", 0), unit = req_int(r, "unit_id", 0), id = 0;
  const char *kind = req_str(r, "kind");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (ambassadors_create(req_dbw(r), person, unit, kind, r->who->user_id, clock_now(), &id, &r->err) != 0) return -1;
  if (req_audit(r, "ambassador.create", "person", person, unit,
                json_pack("{s:I, s:s}", "ambassador_id", (json_int_t)id, "kind", kind)) != 0)
    return APP_INTERNAL(&r->err);
  return commit_and_answer(r, 201, NULL, id);
}

int h_ambassadors_end(req *r) {
  int64_t id = req_param(r, 0), person = 0, unit = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (ambassadors_end(req_dbw(r), id, r->who->user_id, clock_now(), &person, &unit, &r->err) != 0) return -1;
  if (req_audit(r, "ambassador.end", "person", person, unit, json_pack("{s:I}", "ambassador_id", (json_int_t)id)) != 0)
    return APP_INTERNAL(&r->err);
  return commit_and_answer(r, 200, NULL, id);
}

int h_ambassadors_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (ambassador_of(r, c, req_param(r, 0), &o) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_ambassadors_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  ambassador_query q = {.kind = req_qstr(r, "kind"),
                        .unit_id = req_qint(r, "unit_id", 0),
                        .include_ended = json_is_true(json_object_get(r->query, "include_ended")),
                        .short_only = json_is_true(json_object_get(r->query, "short_only"))};
  req_paging(r, &q.page, &q.per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (ambassadors_list(c, &sc, &q, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_ambassadors_summary(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (ambassadors_summary(c, &sc, &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_ambassadors_help(req *r) {
  int64_t id = req_param(r, 0), person = req_int(r, "person_id", 0), hid = 0, centre = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (ambassadors_log_help(w, id, person, req_str(r, "helped_on"), req_str(r, "what"), r->who->user_id, clock_now(),
                           &hid, &centre, &r->err) != 0)
    return -1;
  if (req_audit(r, "ambassador.help", "person", person, centre,
                json_pack("{s:I, s:I}", "ambassador_id", (json_int_t)id, "help_id", (json_int_t)hid)) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 201, json_pack("{s:I, s:I, s:I}", "id", (json_int_t)hid, "ambassador_id", (json_int_t)id,
                                  "person_id", (json_int_t)person));
}

int h_mentorships_create(req *r) {
  int64_t mentee = req_int(r, "mentee_id", 0), mentor = req_int(r, "mentor_id", 0), id = 0, unit = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (mentorships_create(req_dbw(r), mentee, mentor, r->who->user_id, clock_now(), &id, &unit, &r->err) != 0) return -1;
  if (req_audit(r, "mentorship.create", "person", mentee, unit,
                json_pack("{s:I, s:I}", "mentorship_id", (json_int_t)id, "ambassador_id", (json_int_t)mentor)) != 0)
    return APP_INTERNAL(&r->err);
  return commit_and_answer(r, 201, mentorships_get, id);
}

int h_mentorships_end(req *r) {
  int64_t id = req_param(r, 0), mentee = 0, unit = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (mentorships_end(req_dbw(r), id, r->who->user_id, clock_now(), &mentee, &unit, &r->err) != 0) return -1;
  if (req_audit(r, "mentorship.end", "person", mentee, unit, json_pack("{s:I}", "mentorship_id", (json_int_t)id)) != 0)
    return APP_INTERNAL(&r->err);
  return commit_and_answer(r, 200, mentorships_get, id);
}

int h_mentorships_session(req *r) {
  int64_t id = req_param(r, 0), sid = 0, mentee = 0, unit = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (mentorships_log_session(w, id, req_str(r, "held_on"), req_str(r, "topic"), r->who->user_id, clock_now(), &sid,
                              &mentee, &unit, &r->err) != 0)
    return -1;
  if (req_audit(r, "mentorship.session", "person", mentee, unit,
                json_pack("{s:I, s:I}", "mentorship_id", (json_int_t)id, "session_id", (json_int_t)sid)) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 201, json_pack("{s:I, s:I}", "id", (json_int_t)sid, "mentorship_id", (json_int_t)id));
}

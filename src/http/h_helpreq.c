/* h_helpreq.c: help requests over HTTP (helpreq.h): the public form (no account; rate-limited per
 * address by the route's RATE_FORM) and the tổ list it offers; staff entry (phone, desk); the lists
 * and counts by tổ dân phố; a member takes a request and closes it with a visit. Every change is
 * audited; reading one request (a requester's name and phone) is logged. Holds no SQL and no
 * permission check (the route table and SCOPE_HELP_REQUEST do). */
#include <string.h>

#include "domain/field.h"
#include "domain/helpreq.h"
#include "http/handlers.h"
#include "util/clock.h"

static helpreq_input input_of(req *r, const char *channel, const char *relation) {
  return (helpreq_input){.unit_id = req_int(r, "unit_id", 0),
                         .channel = channel,
                         .relation = relation,
                         .requester_name = req_str(r, "requester_name"),
                         .phone = req_str(r, "phone"),
                         .resident_name = req_str(r, "resident_name"),
                         .address = req_str(r, "address"),
                         .topic = req_str(r, "topic"),
                         .description = req_str(r, "description")};
}

int h_helpreq_public_units(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (helpreq_public_units(c, &items, &r->err) != 0) return -1;
  return req_ok(r, 200, json_pack("{s:o}", "items", items));
}

/* The visit topics, for the public form's "what do you need help with": the list is no secret (the
 * admin's labels of what the teams guide). */
int h_helpreq_public_topics(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (field_topics_list(c, &items, &r->err) != 0) return -1;
  return req_ok(r, 200, json_pack("{s:o}", "items", items));
}

int h_helpreq_public(req *r) {
  const char *rel = req_str(r, "relation");
  helpreq_input in = input_of(r, "web", rel ? rel : "self");
  if (in.relation && strcmp(in.relation, "desk") == 0)
    return req_fail(r, 400, "invalid_value", "relation", "Người yêu cầu là self (chính mình) hoặc relative (người thân).");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  int64_t id = 0;
  if (helpreq_create(w, &in, 0, clock_now(), &id, &r->err) != 0) return -1;
  if (req_audit(r, "help_request.create", "help_request", id, in.unit_id, json_pack("{s:s}", "channel", "web")) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  /* The public learns the request's number and nothing else. */
  return req_ok(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "message",
                                  "Đã nhận yêu cầu. Tổ công nghệ số cộng đồng của tổ dân phố sẽ gọi lại cho bạn."));
}

int h_helpreq_create(req *r) {
  const char *channel = req_str(r, "channel"), *rel = req_str(r, "relation");
  if (channel && strcmp(channel, "web") == 0)
    return req_fail(r, 400, "invalid_value", "channel", "Cán bộ ghi yêu cầu qua phone (điện thoại) hoặc desk (tại quầy).");
  helpreq_input in = input_of(r, channel ? channel : "phone", rel ? rel : "self");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  int64_t id = 0, now = clock_now();
  if (helpreq_create(w, &in, r->who->user_id, now, &id, &r->err) != 0) return -1;
  json_t *o = NULL;
  if (req_audit(r, "help_request.create", "help_request", id, in.unit_id, json_pack("{s:s}", "channel", in.channel)) != 0 ||
      helpreq_get(w, id, now, &o, &r->err) != 0 || store_commit(w) != STORE_OK) {
    json_decref(o);
    return r->err.status ? -1 : APP_INTERNAL(&r->err);
  }
  return req_ok(r, 201, o);
}

int h_helpreq_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  helpreq_query q = {.unit_id = req_qint(r, "unit_id", 0), .status = req_qstr(r, "status")};
  req_paging(r, &q.page, &q.per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (helpreq_list(c, &sc, &q, clock_now(), &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_helpreq_summary(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (helpreq_summary(c, &sc, req_qint(r, "unit_id", 0), clock_now(), &items, &r->err) != 0) return -1;
  int64_t open = 0, overdue = 0;
  size_t i;
  json_t *t;
  json_array_foreach(items, i, t) {
    open += json_integer_value(json_object_get(t, "open"));
    overdue += json_integer_value(json_object_get(t, "overdue"));
  }
  return req_ok(r, 200, json_pack("{s:o, s:I, s:I}", "items", items, "open", (json_int_t)open, "overdue", (json_int_t)overdue));
}

int h_helpreq_get(req *r) {
  int64_t id = req_param(r, 0);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (helpreq_get(c, id, clock_now(), &o, &r->err) != 0) return -1;
  int64_t unit = json_integer_value(json_object_get(o, "unit_id"));
  if (req_begin(r) != 0 || req_audit(r, "help_request.read", "help_request", id, unit, NULL) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

/* take (visit_id 0) or done; answers the request as it is then. */
static int change(req *r, bool done) {
  int64_t id = req_param(r, 0), visit = req_int(r, "visit_id", 0), now = clock_now();
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if ((done ? helpreq_done(w, id, visit, r->who->user_id, now, &r->err)
            : helpreq_take(w, id, r->who->user_id, now, &r->err)) != 0)
    return -1;
  json_t *o = NULL;
  if (helpreq_get(w, id, now, &o, &r->err) != 0) return -1;
  json_t *detail = done ? json_pack("{s:I}", "visit_id", (json_int_t)visit) : NULL;
  if (req_audit(r, done ? "help_request.done" : "help_request.take", "help_request", id,
                json_integer_value(json_object_get(o, "unit_id")), detail) != 0 ||
      store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

int h_helpreq_take(req *r) { return change(r, false); }
int h_helpreq_done(req *r) { return change(r, true); }

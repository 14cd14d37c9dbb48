/* h_requests.c: data subjects' requests over HTTP (requests.h): a resident files and follows their
 * own from "my data"; staff holding people.write on the person's registering unit list, read and
 * answer them. Every request filed, read by staff and answered is audited in the same transaction,
 * naming the person and the kind (and the outcome), never the message or the answer. */
#include "domain/people.h"
#include "domain/requests.h"
#include "http/handlers.h"
#include "util/clock.h"

int h_me_requests_create(req *r) {
  store_conn *c = req_dbw(r);
  if (!c) return req_unavailable(r);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  int64_t pid = people_of_user(c, r->who->user_id);
  if (pid < 0) return APP_INTERNAL(&r->err);
  if (pid == 0)
    return req_fail(r, 404, "not_found", NULL,
                    "Tài khoản của bạn chưa được gắn với hồ sơ người dân nào: hãy liên hệ cán bộ tổ dân phố.");
  const char *kind = req_str(r, "kind");
  int64_t id = 0, now = clock_now();
  if (requests_create(c, pid, r->who->user_id, kind, req_str(r, "message"), now, &id, &r->err) != 0) return -1;
  json_t *o = NULL;
  if (requests_get(c, id, now, &o, &r->err) != 0) return -1;
  int64_t unit_id = json_integer_value(json_object_get(o, "unit_id"));
  if (req_audit(r, "request.create", "person", pid, unit_id, json_pack("{s:I, s:s}", "request_id", (json_int_t)id, "kind", kind)) != 0 ||
      store_commit(c) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 201, o);
}

int h_me_requests_list(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (requests_list_own(c, r->who->user_id, clock_now(), &items, &r->err) != 0) return -1;
  return req_ok(r, 200, json_pack("{s:o}", "items", items));
}

int h_requests_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_WRITE);
  request_query q = {.status = req_qstr(r, "status"),
                     .overdue = req_qint(r, "overdue", 0) == 1,
                     .unit_id = req_qint(r, "unit_id", 0)};
  req_paging(r, &q.page, &q.per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (requests_list(c, &sc, &q, clock_now(), &items, &total, &r->err) != 0) return -1;
  /* The list carries each request's words (message, answer) as a read of one does — and it is
   * what the requests page shows: each request listed is logged as read, like GET /requests/{id}. */
  if (json_array_size(items) > 0) {
    int rc = req_begin(r);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
      if (rc != 0) break;
      rc = req_audit(r, "request.read", "person", json_integer_value(json_object_get(it, "person_id")),
                     json_integer_value(json_object_get(it, "unit_id")),
                     json_pack("{s:I, s:O, s:s}", "request_id", (json_int_t)json_integer_value(json_object_get(it, "id")),
                               "kind", json_object_get(it, "kind"), "via", "list"));
    }
    if (rc != 0 || store_commit(req_dbw(r)) != STORE_OK) {
      json_decref(items);
      return APP_INTERNAL(&r->err);
    }
  }
  return req_page(r, items, total);
}

int h_requests_summary(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_WRITE);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  request_summary s = {0};
  if (requests_summary(c, &sc, clock_now(), &s, &r->err) != 0) return -1;
  return req_ok(r, 200, json_pack("{s:I, s:I, s:I}", "open", (json_int_t)s.open, "overdue", (json_int_t)s.overdue,
                                  "due_within_24h", (json_int_t)s.due_within_24h));
}

int h_requests_get(req *r) {
  int64_t id = req_param(r, 0);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (requests_get(c, id, clock_now(), &o, &r->err) != 0) return -1;
  /* The request names the person and carries their words: a staff read is logged. */
  int64_t pid = json_integer_value(json_object_get(o, "person_id"));
  int64_t unit_id = json_integer_value(json_object_get(o, "unit_id"));
  if (req_begin(r) != 0 ||
      req_audit(r, "request.read", "person", pid, unit_id,
                json_pack("{s:I, s:O}", "request_id", (json_int_t)id, "kind", json_object_get(o, "kind"))) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

int h_requests_answer(req *r) {
  int64_t id = req_param(r, 0), now = clock_now();
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  request_answered done;
  if (requests_answer(w, id, req_str(r, "outcome"), req_str(r, "answer"), r->who->user_id, now,
                      r->app->cfg.retention_days, &done, &r->err) != 0)
    return -1; /* the dispatcher rolls back */
  json_t *detail = json_pack("{s:I, s:s, s:s}", "request_id", (json_int_t)id, "kind", done.kind, "outcome",
                             done.done ? "done" : "refused");
  if (detail && done.person_deleted) json_object_set_new(detail, "person_deleted", json_true());
  if (detail && done.restricted) json_object_set_new(detail, "person_restricted", json_true());
  if (req_audit(r, "request.answer", "person", done.person_id, done.unit_id, detail) != 0)
    return APP_INTERNAL(&r->err);
  if (done.person_deleted &&
      req_audit(r, "person.delete", "person", done.person_id, done.unit_id,
                json_pack("{s:i, s:I}", "retention_days", r->app->cfg.retention_days, "request_id", (json_int_t)id)) != 0)
    return APP_INTERNAL(&r->err);
  json_t *o = NULL;
  if (requests_get(w, id, now, &o, &r->err) != 0) return -1;
  if (store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

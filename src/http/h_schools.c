/* h_schools.c: schools over HTTP (schools.h): the list of the schools in scope with the totals, one
 * school, its programme and grades, a model designation, an evidence file (attachments.h). Every
 * change is audited in its own transaction; a file is read, hashed and stored with no connection
 * held. */
#include <string.h>

#include "domain/attachments.h"
#include "domain/schools.h"
#include "http/handlers.h"
#include "util/clock.h"

int h_schools_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_SCHOOL_READ);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL, *totals = NULL;
  if (schools_list(c, &sc, req_qint(r, "unit_id", 0), &items, &totals, &r->err) != 0) return -1;
  json_int_t n = (json_int_t)json_array_size(items);
  return req_ok(r, 200, json_pack("{s:o, s:I, s:o}", "items", items, "total", n, "totals", totals));
}

int h_schools_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (schools_get(c, req_param(r, 0), &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_schools_programme(req *r) {
  int64_t id = req_param(r, 0);
  school_programme_in in = {.runs_programme = req_bool(r, "runs_programme", 0) == 1,
                            .since_on = req_str(r, "since_on"),
                            .evidence_url = req_str(r, "evidence_url"),
                            .grades = json_object_get(r->body, "grades")};
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (schools_set_programme(w, id, &in, r->who->user_id, clock_now(), &r->err) != 0) return -1;
  json_t *o = NULL;
  if (schools_get(w, id, &o, &r->err) != 0) return -1;
  if (req_audit(r, "school.programme", "unit", id, id,
                json_pack("{s:b, s:O, s:O}", "runs_programme", in.runs_programme, "students",
                          json_object_get(o, "students"), "covered", json_object_get(o, "covered"))) != 0 ||
      store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

int h_schools_designation(req *r) {
  int64_t id = req_param(r, 0), did = 0;
  school_designation_in in = {.kind = req_str(r, "kind"),
                              .name = req_str(r, "name"),
                              .school_year = req_str(r, "school_year"),
                              .decision = req_str(r, "decision")};
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (schools_add_designation(w, id, &in, r->who->user_id, clock_now(), &did, &r->err) != 0) return -1;
  json_t *o = NULL;
  if (schools_get(w, id, &o, &r->err) != 0) return -1;
  if (req_audit(r, "school.designation", "unit", id, id,
                json_pack("{s:I, s:s, s:s}", "designation_id", (json_int_t)did, "kind", in.kind, "school_year",
                          in.school_year)) != 0 ||
      store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 201, o);
}

int h_schools_evidence(req *r) {
  int64_t id = req_param(r, 0), aid = 0;
  /* A school, before the file is read. */
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (schools_get(c, id, &o, &r->err) != 0) return -1;
  json_decref(o);
  o = NULL;
  /* The file is read, hashed and stored with nothing held (the route's tx_late: the dispatcher took
   * no writer); then its row in a short transaction (req_begin: the right checked again in it). */
  if (r->rconn) {
    store_release(r->rconn);
    r->rconn = NULL;
  }
  uint64_t len = 0;
  int fd = req_upload_fd(r, &len);
  const char *name = req_qstr(r, "name");
  attachment_file f;
  if (attachments_store_file(r->app->cfg.data, fd, len, name, r->content_type, &f, &r->err) != 0) return -1;
  if (req_begin(r) != 0) return r->err.status ? -1 : APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (attachments_insert(w, &f, name, ATTACH_OWNER_SCHOOL, id, r->who->user_id, clock_now(), &aid, &r->err) != 0 ||
      attachments_get(w, aid, &o, &r->err) != 0)
    return -1;
  if (req_audit(r, "attachment.create", "unit", id, id,
                json_pack("{s:I, s:s, s:I}", "attachment_id", (json_int_t)aid, "sha256", f.sha256, "size",
                          (json_int_t)f.size)) != 0 ||
      store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 201, o);
}

/* h_plan.c: the plan's tasks over HTTP (plan.h): the list with statuses, one task with its units and
 * updates, posting an update, uploading an attachment for one, the plan's unit map; and the
 * download of any attachment (attachments.h). Every write is audited in its own transaction; a
 * file is read, hashed and stored with no connection held. */
#include <string.h>
#include <unistd.h>

#include "domain/attachments.h"
#include "domain/plan.h"
#include "http/handlers.h"
#include "util/clock.h"

int h_plan_tasks_list(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (plan_tasks_list(c, clock_now(), &items, &r->err) != 0) return -1;
  json_int_t n = (json_int_t)json_array_size(items);
  return req_ok(r, 200, json_pack("{s:o, s:I}", "items", items, "total", n));
}

int h_plan_task_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (plan_task_get(c, req_param(r, 0), clock_now(), &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_plan_update_add(req *r) {
  int64_t task = req_param(r, 0), id = 0;
  plan_update_in in = {.unit_id = req_int(r, "unit_id", 0),
                       .body = req_str(r, "body"),
                       .figures = json_object_get(r->body, "figures"),
                       .done = req_bool(r, "done", 0) == 1,
                       .attachment_ids = json_object_get(r->body, "attachment_ids")};
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  int64_t now = clock_now();
  if (plan_update_add(w, task, &in, r->who->user_id, now, &id, &r->err) != 0) return -1;
  json_t *o = NULL;
  if (plan_task_get(w, task, now, &o, &r->err) != 0) return -1;
  json_t *detail = json_pack("{s:I, s:s, s:b}", "update_id", (json_int_t)id, "code",
                             json_string_value(json_object_get(o, "code")), "done", in.done);
  if (req_audit(r, "plan.update", "plan_task", task, in.unit_id, detail) != 0 || store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  json_object_set_new(o, "update_id", json_integer(id));
  return req_ok(r, 201, o);
}

int h_plan_attachment_upload(req *r) {
  /* The dispatcher checked the caller's right on a reader and took no writer (the route's tx_late):
   * the file is read, hashed and stored with nothing held, then its row written in a short
   * transaction (req_begin: the right checked again in it). The cap on unlinked files is read before
   * the bytes are stored (a refusal stores nothing), and again, locked, where the row is written
   * (uploads at once; bytes stored by a refused one are reaped later). */
  uint64_t len = 0;
  int fd = req_upload_fd(r, &len);
  store_conn *pre = req_db(r);
  if (!pre) return req_unavailable(r);
  if (attachments_unlinked_check(pre, r->who->user_id, len, false, &r->err) != 0) return -1;
  if (r->rconn) {
    store_release(r->rconn);
    r->rconn = NULL;
  }
  const char *name = req_qstr(r, "name");
  attachment_file f;
  if (attachments_store_file(r->app->cfg.data, fd, len, name, r->content_type, &f, &r->err) != 0) return -1;
  int64_t task = req_param(r, 0), id = 0, now = clock_now();
  if (req_begin(r) != 0) return r->err.status ? -1 : APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (attachments_unlinked_check(w, r->who->user_id, f.size, true, &r->err) != 0 ||
      attachments_insert(w, &f, name, ATTACH_OWNER_PLAN_TASK, task, r->who->user_id, now, &id, &r->err) != 0)
    return -1;
  json_t *o = NULL;
  if (attachments_get(w, id, &o, &r->err) != 0) return -1;
  if (req_audit(r, "attachment.create", "plan_task", task, req_qint(r, "unit_id", 0),
                json_pack("{s:I, s:s, s:I}", "attachment_id", (json_int_t)id, "sha256", f.sha256, "size",
                          (json_int_t)f.size)) != 0 ||
      store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 201, o);
}

int h_attachment_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  attachment_open f;
  if (attachments_open(c, r->app->cfg.data, req_param(r, 0), &f, &r->err) != 0) return -1;
  char disp[ATTACH_NAME_MAX * 16];
  attachments_disposition(f.filename, disp, sizeof disp);
  req_header(r, "Content-Disposition", disp);
  return req_send_file(r, arena_strdup(&r->a, f.type), f.fd, f.size);
}

int h_plan_units_list(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (plan_units_list(c, &items, &r->err) != 0) return -1;
  json_int_t n = (json_int_t)json_array_size(items);
  return req_ok(r, 200, json_pack("{s:o, s:I}", "items", items, "total", n));
}

int h_plan_units_set(req *r) {
  int64_t id = req_param(r, 0);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  json_t *ids = json_object_get(r->body, "unit_ids");
  if (plan_units_set(w, id, ids, r->who->user_id, clock_now(), &r->err) != 0) return -1;
  json_t *items = NULL;
  if (plan_units_list(w, &items, &r->err) != 0) return -1;
  json_t *one = NULL;
  size_t i;
  json_t *v;
  json_array_foreach(items, i, v) if (json_integer_value(json_object_get(v, "id")) == id) one = json_incref(v);
  json_decref(items);
  if (!one || req_audit(r, "plan.units", "plan_unit_name", id, 0, json_pack("{s:O}", "unit_ids", ids)) != 0 ||
      store_commit(w) != STORE_OK) {
    json_decref(one);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, one);
}

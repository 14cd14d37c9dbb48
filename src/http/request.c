/* request.c: what handlers use to read their input and write their answer (see http.h).
 * Owns: the request's lazily taken database connections and its audit helper.
 */
#include <stdio.h>
#include <string.h>

#include "http/http.h"
#include "util/log.h"

int req_ok(req *r, int status, json_t *out) {
  r->status = status;
  json_decref(r->out);
  r->out = out;
  return 0;
}

int req_fail(req *r, int status, const char *code, const char *field, const char *message) {
  app_fail(&r->err, status, code, field, message);
  r->status = status;
  return -1;
}

void req_header(req *r, const char *name, const char *value) {
  if (r->nhdr == REQ_MAX_HEADERS) return;
  r->hdr_name[r->nhdr] = name;
  r->hdr_value[r->nhdr] = arena_strdup(&r->a, value);
  r->nhdr++;
}

/* Once a request holds the writer, it reads through it too: a holder of the writer never
 * waits for a reader, so the two pools cannot deadlock. */
store_conn *req_db(req *r) {
  if (r->wconn) return r->wconn;
  if (!r->rconn) {
    r->rconn = store_acquire(r->app->st, false);
    if (r->rconn && store_read_snapshot(r->rconn) != STORE_OK) {
      store_release(r->rconn);
      r->rconn = NULL;
    }
  }
  return r->rconn;
}

store_conn *req_dbw(req *r) {
  if (!r->wconn) {
    if (r->rconn) {
      store_release(r->rconn);
      r->rconn = NULL;
    }
    r->wconn = store_acquire(r->app->st, true);
  }
  return r->wconn;
}

int req_upload_fd(req *r, uint64_t *len) {
  if (!r->in.to_file || r->in.too_large) return -1;
  if (len) *len = r->in.len;
  return sink_rewind(&r->in);
}

int64_t req_param(const req *r, int i) { return i < r->nparams ? r->params[i] : 0; }

const char *req_str(const req *r, const char *name) {
  json_t *v = json_object_get(r->body, name);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t req_int(const req *r, const char *name, int64_t dflt) {
  json_t *v = json_object_get(r->body, name);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

int req_bool(const req *r, const char *name, int dflt) {
  json_t *v = json_object_get(r->body, name);
  return json_is_boolean(v) ? json_is_true(v) : dflt;
}

const char *req_qstr(const req *r, const char *name) {
  json_t *v = json_object_get(r->query, name);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t req_qint(const req *r, const char *name, int64_t dflt) {
  json_t *v = json_object_get(r->query, name);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

int req_audit(req *r, const char *action, const char *entity, int64_t entity_id, int64_t unit_id, json_t *detail) {
  audit_entry a = {
      .actor_id = r->who ? r->who->user_id : 0,
      .actor_username = r->who ? r->who->username : NULL,
      .action = action,
      .entity = entity,
      .entity_id = entity_id,
      .unit_id = unit_id,
      .ip = r->ip,
      .detail = detail,
  };
  store_conn *w = req_dbw(r);
  int rc = w ? audit_append(w, &a) : -1;
  json_decref(detail);
  if (rc != 0) log_error("audit append failed for %s: %s", action, w ? store_errmsg(w) : "no connection");
  return rc;
}

void req_paging(const req *r, int *page, int *per_page) {
  *page = (int)req_qint(r, "page", 1);
  *per_page = (int)req_qint(r, "per_page", 50);
}

int req_page(req *r, json_t *items, int64_t total) {
  int page, per_page;
  req_paging(r, &page, &per_page);
  return req_ok(r, 200,
                json_pack("{s:o, s:i, s:i, s:I}", "items", items, "page", page, "per_page", per_page, "total",
                          (json_int_t)total));
}

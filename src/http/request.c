/* request.c: what handlers use to read their input and write their answer (see http.h).
 * Owns: the request's lazily taken database connections and its audit helper.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/users.h"
#include "http/http.h"
#include "util/log.h"

int req_ok(req *r, int status, json_t *out) {
  r->status = status;
  json_decref(r->out);
  r->out = out;
  return 0;
}

int req_ok_text(req *r, int status, buf *b) {
  size_t len = 0;
  char *text = b->oom ? NULL : buf_detach(b, &len);
  if (!text) {
    buf_free(b);
    return APP_INTERNAL(&r->err);
  }
  json_decref(r->out);
  r->out = NULL;
  free(r->raw);
  r->status = status;
  r->raw = text;
  r->raw_len = len;
  r->raw_type = "application/json; charset=utf-8";
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

/* A connection the store could not give within its deadline: the request fails fast; the
 * handler's error becomes 503 with Retry-After in req_db_settle (never a parked thread). */
static store_conn *db_missing(req *r, store_why why) {
  r->db_retry_after = why == STORE_WHY_BUSY ? 1 : 5;
  log_warn("%s %s: %s", r->method, r->path,
           why == STORE_WHY_BUSY ? "no database connection free before the deadline" : "the database cannot be reached");
  return NULL;
}

/* Once a request holds the writer, it reads through it too: a holder of the writer never
 * waits for a reader, so the two pools cannot deadlock. */
store_conn *req_db(req *r) {
  if (r->wconn) return r->wconn;
  if (!r->rconn) {
    store_why why = STORE_WHY_NONE;
    r->rconn = store_acquire_timed(r->app->st, false, -1, &why);
    if (!r->rconn) return db_missing(r, why);
    if (store_read_snapshot(r->rconn) != STORE_OK) {
      if (store_unavailable(r->rconn)) r->db_retry_after = 1;
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
    store_why why = STORE_WHY_NONE;
    /* grouped: the answer waits for the commit's number (server.c, answer) */
    r->wconn = store_acquire_grouped(r->app->st, -1, &why);
    if (!r->wconn) return db_missing(r, why);
  }
  return r->wconn;
}

int req_begin(req *r) {
  /* A route that reads before it writes (tx_late): the dispatcher's re-check, in the transaction,
   * now; a refusal is the caller's answer (r->err). */
  if (r->route && r->route->tx_late && !(r->wconn && store_in_transaction(r->wconn)) && router_recheck_in_tx(r) != 0)
    return -1;
  store_conn *w = req_dbw(r);
  if (!w) return -1;
  if (store_in_transaction(w)) return 0; /* the dispatcher's (router_recheck_in_tx) */
  return store_begin(w) == STORE_OK ? 0 : -1;
}

void req_writer_done(req *r) {
  if (!r->wconn || store_in_transaction(r->wconn)) return;
  uint64_t seq = store_release_pending(r->wconn);
  if (seq > r->durable_seq) r->durable_seq = seq;
  r->wconn = NULL;
}

void req_db_settle(req *r) {
  if (r->status && r->status < 500) return;
  if (!r->db_retry_after && (store_unavailable(r->wconn) || store_unavailable(r->rconn))) r->db_retry_after = 2;
  if (!r->db_retry_after) return;
  app_fail(&r->err, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được. Vui lòng thử lại sau ít giây.");
  r->err.retry_after = r->db_retry_after;
  r->status = 503;
}

int req_stream(req *r, const char *type, req_stream_fn fn, void (*done)(void *ctx), void *ctx) {
  if (r->stream_done) r->stream_done(r->stream_ctx); /* a second call replaces the first */
  r->stream_fn = fn;
  r->stream_done = done;
  r->stream_ctx = ctx;
  r->raw_type = type;
  r->status = 200;
  return 0;
}

int req_send_file(req *r, const char *type, int fd, uint64_t len) {
  if (r->has_fd) close(r->fd);
  r->has_fd = true;
  r->fd = fd;
  r->fd_len = len;
  r->raw_type = type;
  r->status = 200;
  return 0;
}

store_conn *req_db_detach(req *r) {
  if (r->wconn || !r->rconn) return NULL;
  store_conn *c = r->rconn;
  r->rconn = NULL;
  return c;
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
  return req_audit_named(r, action, entity, entity_id, unit_id, NULL, detail);
}

int req_audit_named(req *r, const char *action, const char *entity, int64_t entity_id, int64_t unit_id,
                    const audit_names *names, json_t *detail) {
  audit_entry a = {
      .actor_id = r->who ? r->who->user_id : 0,
      .actor_username = r->who ? r->who->username : NULL,
      .action = action,
      .entity = entity,
      .entity_id = entity_id,
      .unit_id = unit_id,
      .ip = r->ip,
      .detail = detail,
      .names = names,
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

int req_page_all(req *r, json_t *all) {
  int page, per_page;
  req_paging(r, &page, &per_page);
  json_t *items = json_array();
  size_t from = (size_t)(page - 1) * (size_t)per_page;
  for (size_t i = from; items && i < json_array_size(all) && i < from + (size_t)per_page; i++)
    json_array_append(items, json_array_get(all, i));
  int64_t total = (int64_t)json_array_size(all);
  json_decref(all);
  if (!items) return APP_INTERNAL(&r->err);
  return req_page(r, items, total);
}

int req_offload(req *r, bool verify, const char *hash, const char *pw, const char *new_pw) {
  r->job_verify = verify;
  r->job_hash = hash ? arena_strdup(&r->a, hash) : NULL;
  r->job_pw = pw;
  r->job_new = new_pw;
  if (new_pw && !r->job_out && !(r->job_out = arena_alloc(&r->a, PASSWORD_HASH_MAX))) return APP_INTERNAL(&r->err);
  r->job_verify_rc = -1;
  r->job_hash_rc = -1;
  r->offload = true;
  return 0;
}

void req_pw_work(void *arg) {
  req *r = arg;
  if (r->job_verify) r->job_verify_rc = users_verify_hash(r->job_hash, r->job_pw ? r->job_pw : "");
  if (r->job_new && r->job_out) {
    r->job_hash_rc = users_hash_password(r->job_new, r->job_out);
    if (r->job_hash_rc == 0) r->pw_hash = r->job_out;
  }
}

int req_same_origin(req *r) {
  if (r->fetch_site && (strcmp(r->fetch_site, "cross-site") == 0 || strcmp(r->fetch_site, "same-site") == 0))
    return req_fail(r, 403, "forbidden", NULL,
                    "Tệp này chỉ tải được từ chính trang của hệ thống: hãy mở trang và bấm nút tải về.");
  return 0;
}

int req_unavailable(req *r) {
  r->err.retry_after = 2;
  return req_fail(r, 503, "unavailable", NULL, "Hệ thống đang bận hoặc cơ sở dữ liệu tạm thời không truy cập được. Vui lòng thử lại sau giây lát.");
}

void req_attachment(req *r, const char *ascii_name, const char *utf8_name) {
  char enc[900], value[1200];
  size_t k = 0;
  for (const unsigned char *p = (const unsigned char *)utf8_name; *p && k + 4 < sizeof enc; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
      enc[k++] = (char)*p;
    else
      k += (size_t)snprintf(enc + k, sizeof enc - k, "%%%02X", *p);
  }
  enc[k] = '\0';
  snprintf(value, sizeof value, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii_name, enc);
  req_header(r, "Content-Disposition", value);
}

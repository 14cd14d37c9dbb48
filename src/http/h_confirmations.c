/* h_confirmations.c: confirmations from outside over HTTP (confirmations.h): a person's own list,
 * recording and removing one, the list and counts of a scope, the import of a CSV or Excel list.
 * Every record, removal and import chunk is audited in its own transaction; a person's list read
 * by staff is logged as a read of the record. Never answers or logs a CCCD. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/confirmations.h"
#include "domain/people.h"
#include "http/handlers.h"
#include "util/clock.h"

#define CONF_FILE_MAX (16u * 1024 * 1024)

int h_person_confirmations(req *r) {
  int64_t id = req_param(r, 0);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (confirmations_of_person(c, id, &items, &r->err) != 0) return -1;
  person_reach pr;
  if (people_reach(c, id, &r->a, &pr, &r->err) != 0) {
    json_decref(items);
    return -1;
  }
  if (req_begin(r) != 0 ||
      req_audit(r, "person.read", "person", id, pr.unit_id, json_pack("{s:s}", "what", "confirmations")) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(items);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, json_pack("{s:o}", "items", items));
}

int h_person_confirmations_add(req *r) {
  int64_t pid = req_param(r, 0), id = 0;
  confirmation_input in = {.kind = req_str(r, "kind"),
                           .source = req_str(r, "source"),
                           .reference = req_str(r, "reference"),
                           .confirmed_on = req_str(r, "confirmed_on")};
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  bool created = false;
  if (confirmations_record(w, pid, &in, r->who->user_id, clock_now(), &id, &created, &r->err) != 0)
    return -1; /* the dispatcher rolls back */
  json_t *o = NULL;
  if (confirmations_get(w, id, &o, &r->err) != 0) return -1;
  if (created) {
    json_t *detail = json_pack("{s:I, s:O, s:O}", "confirmation_id", (json_int_t)id, "kind", json_object_get(o, "kind"),
                               "confirmed_on", json_object_get(o, "confirmed_on"));
    if (req_audit(r, "confirmation.create", "person", pid, json_integer_value(json_object_get(o, "unit_id")), detail) != 0) {
      json_decref(o);
      return APP_INTERNAL(&r->err);
    }
  }
  if (store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, created ? 201 : 200, o);
}

int h_confirmations_delete(req *r) {
  int64_t id = req_param(r, 0), pid = 0, unit_id = 0;
  char kind[20];
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (confirmations_delete(w, id, &pid, &unit_id, kind, &r->err) != 0) return -1;
  if (req_audit(r, "confirmation.delete", "person", pid, unit_id,
                json_pack("{s:I, s:s}", "confirmation_id", (json_int_t)id, "kind", kind)) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  r->status = 204;
  return 0;
}

int h_confirmations_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  confirmation_query q = {.unit_id = req_qint(r, "unit_id", 0), .kind = req_qstr(r, "kind")};
  req_paging(r, &q.page, &q.per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (confirmations_list(c, &sc, &q, &items, &total, &r->err) != 0) return -1;
  /* The people counted by kind, over the same scope and unit (what the targets count). */
  static const char *const kinds[] = {CONF_VNEID, CONF_NATIONAL, CONF_COURSE, NULL};
  json_t *people = json_object();
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    int64_t n = 0;
    if (!people || confirmations_count(c, &sc, q.unit_id, kinds[i], &n, &r->err) != 0) {
      json_decref(items);
      json_decref(people);
      return people ? -1 : APP_INTERNAL(&r->err);
    }
    json_object_set_new(people, kinds[i] ? kinds[i] : "any", json_integer(n));
  }
  return req_ok(r, 200,
                json_pack("{s:o, s:i, s:i, s:I, s:o}", "items", items, "page", q.page, "per_page", q.per_page, "total",
                          (json_int_t)total, "people", people));
}

/* The upload's bytes (malloc); NULL with the answer set when empty or unreadable. */
static char *read_upload(req *r, size_t *len) {
  uint64_t n = 0;
  int fd = req_upload_fd(r, &n);
  if (fd < 0 || n == 0) {
    req_fail(r, 400, "invalid_value", "file", "Tệp gửi lên trống: hãy chọn một tệp CSV hoặc Excel (.xlsx).");
    return NULL;
  }
  if (n > CONF_FILE_MAX) {
    req_fail(r, 413, "too_large", "file", "Tệp quá lớn (tối đa 16 MiB).");
    return NULL;
  }
  char *data = malloc((size_t)n + 1);
  size_t got = 0;
  while (data && got < n) {
    ssize_t m = read(fd, data + got, (size_t)n - got);
    if (m <= 0) {
      free(data);
      data = NULL;
      break;
    }
    got += (size_t)m;
  }
  if (!data) {
    APP_INTERNAL(&r->err);
    return NULL;
  }
  data[got] = 0;
  *len = got;
  return data;
}

int h_confirmations_import(req *r) {
  /* The dispatcher checked the caller's rights on a reader and took no writer (the route's tx_late):
   * the file is read and parsed with nothing held, and the import takes the writer chunk by chunk
   * (confirmations_import), each chunk joining the caller's grants again in SQL, on the writer. */
  if (r->rconn) {
    store_release(r->rconn);
    r->rconn = NULL;
  }
  size_t len = 0;
  char *data = read_upload(r, &len);
  if (!data) return -1;
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_WRITE);
  conf_import_opts o = {.scope = &sc,
                        .unit_id = req_qint(r, "unit_id", 0),
                        .by_user = r->who->user_id,
                        .by_username = r->who->username,
                        .ip = r->ip,
                        .file_name = req_qstr(r, "name"),
                        .report_max = 1000};
  json_t *out = NULL;
  int rc = confirmations_import(r->app->st, &r->app->keys, NULL, data, len, &o, &out, &r->err);
  free(data);
  if (rc != 0) {
    if (r->err.status == 503) r->db_retry_after = 2;
    return -1;
  }
  return req_ok(r, 200, out);
}

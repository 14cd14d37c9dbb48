/* import_file.c: the operator's import of a resident list (see import_file.h). */
#include "domain/import_file.h"

#include <stdio.h>
#include <string.h>

#include "domain/importer.h"
#include "domain/jobs.h"

static int job_read(store *st, int64_t id, bool all, import_job *j, json_t **errors) {
  store_conn *c = store_acquire(st, false);
  if (!c) return -1;
  int rc = jobs_get(c, id, j) == 1 ? 0 : -1;
  if (rc == 0) rc = jobs_errors_json(c, id, all ? 0 : 100, errors);
  store_release(c);
  return rc;
}

/* Takes over one job whose owner is gone. 1 with *id, 0 when none, -1. */
static int claim_orphan(store *st, int64_t *id) {
  store_conn *w = store_acquire(st, true);
  if (!w) return -1;
  int rc = store_begin(w) == STORE_OK ? jobs_claim(w, jobs_me(), true, id) : -1;
  if (rc == 1 && store_commit(w) != STORE_OK) rc = -1;
  if (rc != 1 && store_in_transaction(w)) store_rollback(w);
  store_release(w);
  return rc;
}

int import_file_resume_orphans(store *st, const secrets *keys, atomic_bool *stop, import_resumed_fn cb, void *ctx,
                               int *resumed, char *err, size_t errlen) {
  *resumed = 0;
  for (;;) {
    int64_t id = 0;
    int rc = claim_orphan(st, &id);
    if (rc == 0) return 0;
    if (rc < 0) {
      snprintf(err, errlen, "cannot look for interrupted imports");
      return -1;
    }
    int r = importer_run(st, keys, id, stop, err, errlen);
    if (r < 0) return -1;
    import_job j = {0};
    store_conn *c = store_acquire(st, false);
    int got = c ? jobs_get(c, id, &j) : -1;
    if (c) store_release(c);
    if (got == 1 && cb) cb(ctx, id, j.status, j.error);
    import_job_clear(&j);
    (*resumed)++;
    if (r == 1) {
      snprintf(err, errlen, "đã dừng theo yêu cầu; lượt nhập #%lld sẽ được tiếp tục ở lần chạy sau", (long long)id);
      return -1;
    }
  }
}

int import_file_residents(store *st, const secrets *keys, const char *path, bool all_rejected, atomic_bool *stop,
                          json_t **result, char *err, size_t errlen) {
  json_t *inspect = NULL, *errors = NULL;
  int64_t estimate = 0;
  import_job j = {.scope_all = true}, done = {0};
  int rc = -1;
  *result = NULL;
  if (importer_inspect(path, &inspect, &estimate, err, errlen) != 0) return -1;
  const char *problem = json_string_value(json_object_get(inspect, "mapping_error"));
  if (problem) {
    snprintf(err, errlen, "%s", problem);
    goto out;
  }
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (strlen(path) >= sizeof j.file_path) {
    snprintf(err, errlen, "đường dẫn tệp quá dài");
    goto out;
  }
  j.rows_total = estimate;
  snprintf(j.kind, sizeof j.kind, "residents");
  snprintf(j.status, sizeof j.status, "running");
  memcpy(j.file_path, path, strlen(path) + 1);
  snprintf(j.file_name, sizeof j.file_name, "%.*s", (int)(sizeof j.file_name - 1), base);
  snprintf(j.format, sizeof j.format, "%s", json_string_value(json_object_get(inspect, "format")));
  store_conn *w = store_acquire(st, true);
  if (!w || store_begin(w) != STORE_OK || jobs_create(w, &j) != 0 || store_commit(w) != STORE_OK) {
    snprintf(err, errlen, "cannot record the import: %s", w ? store_errmsg(w) : "no connection");
    if (w) {
      store_rollback(w);
      store_release(w);
    }
    goto out;
  }
  store_release(w);
  int run = importer_run(st, keys, j.id, stop, err, errlen);
  if (run == 1)
    snprintf(err, errlen, "đã dừng theo yêu cầu; lượt nhập #%lld sẽ được tiếp tục ở lần chạy sau (máy chủ hoặc"
                          " lệnh nhập tiếp theo), không nhập trùng", (long long)j.id);
  if (run != 0) goto out;
  if (job_read(st, j.id, all_rejected, &done, &errors) != 0) {
    snprintf(err, errlen, "cannot read the result");
    goto out;
  }
  if (strcmp(done.status, "done") != 0) {
    snprintf(err, errlen, "%s", done.error[0] ? done.error : "không nhập được tệp");
    goto out;
  }
  *result = json_pack("{s:I, s:I, s:O}", "imported", (json_int_t)done.imported, "unchanged",
                      (json_int_t)done.unchanged, "rejected", errors);
  if (!*result) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  rc = 0;
out:
  json_decref(inspect);
  json_decref(errors);
  import_job_clear(&j);
  import_job_clear(&done);
  return rc;
}

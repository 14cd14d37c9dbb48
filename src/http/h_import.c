/* h_import.c: handlers of the list import (/api/v1/imports…): upload and the mapping step, start,
 * progress, the error report, the caller's jobs. The dispatcher has checked the capability and,
 * for a job in the path, that the caller made it or holds people.write on its unit.
 * Never: parses the file while holding the writer (the upload is inspected first), or runs the
 * import itself (the import worker does, import_worker.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/caps.h"
#include "domain/importer.h"
#include "domain/jobs.h"
#include "domain/scope.h"
#include "http/handlers.h"
#include "util/log.h"

/* Copies the uploaded body to `path` (created 0600). 0 or -1. */
static int save_upload(int in, const char *path) {
  int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0) return -1;
  char chunk[65536];
  int rc = 0;
  for (;;) {
    ssize_t n = read(in, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      rc = n < 0 ? -1 : 0;
      break;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t m = write(out, chunk + off, (size_t)(n - off));
      if (m < 0 && errno == EINTR) continue;
      if (m < 0) {
        rc = -1;
        break;
      }
      off += m;
    }
    if (rc) break;
  }
  if (fsync(out) != 0) rc = -1;
  if (close(out) != 0) rc = -1;
  if (rc) unlink(path);
  return rc;
}

/* The unit a job is seen from: the highest unit where the caller holds people.write. */
static int64_t scope_root(const principal *p) {
  int64_t best = 0;
  size_t best_len = 0;
  for (int i = 0; i < p->ngrants; i++) {
    const grant *g = &p->grants[i];
    if (!(g->caps & CAP_PEOPLE_WRITE) || !g->unit_path) continue;
    size_t n = strlen(g->unit_path);
    if (!best || n < best_len) {
      best = g->unit_id;
      best_len = n;
    }
  }
  return best;
}

int h_imports_upload(req *r) {
  uint64_t len = 0;
  int fd = req_upload_fd(r, &len);
  if (fd < 0 || len == 0) return req_fail(r, 400, "invalid_value", NULL, "Tệp gửi lên trống: hãy chọn một tệp CSV hoặc Excel (.xlsx).");
  char dir[1040], tmp[1080];
  snprintf(dir, sizeof dir, "%s/imports", r->app->cfg.data);
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    log_error("cannot make %s: %s", dir, strerror(errno));
    return APP_INTERNAL(&r->err);
  }
  unsigned char rnd[12];
  char hex[25];
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
  snprintf(tmp, sizeof tmp, "%s/upload-%s", dir, hex);
  if (save_upload(fd, tmp) != 0) {
    log_error("cannot save an upload to %s: %s", tmp, strerror(errno));
    return APP_INTERNAL(&r->err);
  }
  /* The file is read (encoding, format, header, preview) before the writer is taken. */
  char err[1024];
  json_t *o = NULL;
  int64_t estimate = 0;
  if (importer_inspect(tmp, &o, &estimate, err, sizeof err) != 0) {
    unlink(tmp);
    return req_fail(r, 400, "invalid_value", NULL, arena_strdup(&r->a, err));
  }
  import_job j = {.created_by = r->who->user_id, .unit_id = scope_root(r->who), .rows_total = estimate};
  snprintf(j.kind, sizeof j.kind, "residents");
  snprintf(j.status, sizeof j.status, "uploaded");
  snprintf(j.file_path, sizeof j.file_path, "%s", tmp);
  const char *name = req_qstr(r, "name");
  snprintf(j.file_name, sizeof j.file_name, "%s", name ? name : "");
  snprintf(j.format, sizeof j.format, "%s", json_string_value(json_object_get(o, "format")));
  j.mapping = json_dumps(json_object_get(o, "mapping"), JSON_COMPACT);
  char final[1080];
  int ret = -1;
  if (!j.mapping || req_begin(r) != 0 || jobs_create(req_dbw(r), &j) != 0) {
    APP_INTERNAL(&r->err);
    goto fail;
  }
  snprintf(final, sizeof final, "%s/job-%lld.%s", dir, (long long)j.id, strcmp(j.format, "XLSX") == 0 ? "xlsx" : "csv");
  if (rename(tmp, final) != 0 || jobs_set_file(req_dbw(r), j.id, final, estimate) != 0 ||
      req_audit(r, "import.upload", "import", j.id, j.unit_id,
                json_pack("{s:s, s:I}", "format", j.format, "bytes", (json_int_t)len)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    unlink(final);
    APP_INTERNAL(&r->err);
    goto fail;
  }
  json_object_set_new(o, "id", json_integer(j.id));
  json_object_set_new(o, "status", json_string("uploaded"));
  json_object_del(o, "mapping_error");
  import_job_clear(&j);
  return req_ok(r, 201, o);
fail:
  unlink(tmp);
  import_job_clear(&j);
  json_decref(o);
  return ret;
}

static int load_job(req *r, import_job *j) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  int rc = jobs_get(c, req_param(r, 0), j);
  if (rc == 0) return app_fail(&r->err, 404, "not_found", "id", "Không tìm thấy lượt nhập danh sách này.");
  return rc == 1 ? 0 : APP_INTERNAL(&r->err);
}

int h_imports_mapping(req *r) {
  import_job j = {0};
  if (load_job(r, &j) != 0) return -1;
  int ret = -1;
  char err[1024];
  if (strcmp(j.status, "uploaded") != 0) {
    ret = req_fail(r, 409, "conflict", NULL, "Lượt nhập này đã bắt đầu: không đổi được cách ghép cột nữa.");
    goto out;
  }
  /* The body's fields are the field codes with their column; they replace the detected ones. */
  json_t *mapping = json_loads(j.mapping, 0, NULL);
  if (!mapping) mapping = json_object();
  const char *k;
  json_t *v;
  json_object_foreach(r->body, k, v) {
    /* "role" alone would read as a role to grant (the route matrix's convention): the body says
     * membership_role for colmap's "role". */
    const char *code = strcmp(k, "membership_role") == 0 ? "role" : k;
    json_object_set(mapping, code, json_integer_value(v) < 0 ? json_null() : v);
  }
  if (importer_mapping_check(j.file_path, mapping, err, sizeof err) != 0) {
    json_decref(mapping);
    ret = req_fail(r, 400, "invalid_value", NULL, arena_strdup(&r->a, err));
    goto out;
  }
  char *text = json_dumps(mapping, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(mapping);
  if (!text || req_begin(r) != 0 || jobs_set_mapping(req_dbw(r), j.id, text) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    free(text);
    APP_INTERNAL(&r->err);
    goto out;
  }
  free(j.mapping);
  j.mapping = text;
  snprintf(j.status, sizeof j.status, "uploaded");
  ret = req_ok(r, 200, jobs_json(&j));
out:
  import_job_clear(&j);
  return ret;
}

int h_imports_start(req *r) {
  import_job j = {0};
  if (load_job(r, &j) != 0) return -1;
  int ret = -1;
  char err[1024];
  if (strcmp(j.status, "uploaded") != 0 && strcmp(j.status, "failed") != 0) {
    /* A finished job's file may be gone already: its state, not the file, answers. */
    ret = req_fail(r, 409, "conflict", NULL, "Lượt nhập này đang chạy hoặc đã xong.");
    goto out;
  }
  json_t *mapping = json_loads(j.mapping, 0, NULL);
  int ok = mapping ? importer_mapping_check(j.file_path, mapping, err, sizeof err) : -1;
  json_decref(mapping);
  if (ok != 0) {
    ret = req_fail(r, 400, "invalid_value", NULL, mapping ? arena_strdup(&r->a, err) : "Cách ghép cột không hợp lệ.");
    goto out;
  }
  if (req_begin(r) != 0) {
    APP_INTERNAL(&r->err);
    goto out;
  }
  int moved = jobs_queue(req_dbw(r), j.id);
  if (moved == 0) {
    ret = req_fail(r, 409, "conflict", NULL, "Lượt nhập này đang chạy hoặc đã xong.");
    goto out;
  }
  if (moved < 0 || req_audit(r, "import.start", "import", j.id, j.unit_id, json_pack("{s:s}", "kind", j.kind)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    APP_INTERNAL(&r->err);
    goto out;
  }
  importer_worker_wake();
  snprintf(j.status, sizeof j.status, "queued");
  j.error[0] = '\0';
  ret = req_ok(r, 200, jobs_json(&j));
out:
  import_job_clear(&j);
  return ret;
}

int h_imports_get(req *r) {
  import_job j = {0};
  if (load_job(r, &j) != 0) return -1;
  json_t *o = jobs_json(&j), *errors = NULL;
  import_job_clear(&j);
  if (!o || jobs_errors_json(req_db(r), req_param(r, 0), 100, &errors) != 0) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  json_object_set_new(o, "errors", errors);
  return req_ok(r, 200, o);
}

/* The report repeats the rejected rows as the file had them, CCCD included: in clear for the one
 * who sent the file or a reader holding identity.read on the job's unit, masked for any other
 * reader in scope (another officer of the same tổ). Each download is a read of people's data,
 * so it is logged (the job, never a row). */
int h_imports_errors(req *r) {
  if (req_same_origin(r) != 0) return -1;
  char *text = NULL, err[512];
  size_t len = 0;
  int64_t id = req_param(r, 0), by = 0;
  const char *path = NULL;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  if (jobs_reach(c, id, &r->a, &by, &path, &r->err) != 0) return -1;
  bool clear = by == r->who->user_id || (path[0] && scope_can(r->who, CAP_IDENTITY_READ, path));
  import_job j = {0};
  int got = jobs_get(c, id, &j);
  int64_t unit_id = j.unit_id;
  import_job_clear(&j);
  if (got != 1) return got == 0 ? app_fail(&r->err, 404, "not_found", "id", "Không tìm thấy lượt nhập danh sách này.")
                                 : APP_INTERNAL(&r->err);
  if (importer_error_report(r->app->st, id, !clear, &text, &len, err, sizeof err) != 0)
    return req_fail(r, 409, "conflict", NULL, arena_strdup(&r->a, err));
  if (req_begin(r) != 0 ||
      req_audit(r, "import.errors_read", "import", id, unit_id, json_pack("{s:s}", "cccd", clear ? "clear" : "masked")) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    free(text);
    return APP_INTERNAL(&r->err);
  }
  r->status = 200;
  r->raw = text;
  r->raw_len = len;
  r->raw_type = "text/csv; charset=utf-8";
  char disp[96];
  snprintf(disp, sizeof disp, "attachment; filename=\"loi-nhap-%lld.csv\"", (long long)req_param(r, 0));
  req_header(r, "Content-Disposition", disp);
  return 0;
}

int h_imports_list(req *r) {
  int page, per_page;
  req_paging(r, &page, &per_page);
  json_t *items = NULL;
  int64_t total = 0;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  if (jobs_list(c, r->who->user_id, page, per_page, &items, &total) != 0) return APP_INTERNAL(&r->err);
  return req_page(r, items, total);
}

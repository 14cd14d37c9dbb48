/* jobs.c: import jobs and their rejected lines (see jobs.h). Only this file writes SQL about
 * import_jobs and import_errors. */
#include "domain/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"

#define JOB_COLS                                                                                        \
  "id, kind, status, file_path, file_name, format, mapping, COALESCE(created_by, 0), COALESCE(unit_id, 0)," \
  " scope_all, rows_total, rows_done, imported, updated, unchanged, rejected, committed_line, error,"      \
  " created_at, updated_at, COALESCE(finished_at, 0)"
STORE_SQL(q_insert, "INSERT INTO import_jobs (kind, status, file_path, file_name, format, mapping, created_by,"
                    " unit_id, scope_all, rows_total, created_at, updated_at, owner_host, owner_pid, owner_start,"
                    " lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_get, "SELECT " JOB_COLS " FROM import_jobs WHERE id = ?");
STORE_SQL(q_set_file, "UPDATE import_jobs SET file_path = ?, rows_total = ?, updated_at = ? WHERE id = ?");
STORE_SQL(q_set_mapping, "UPDATE import_jobs SET mapping = ?, updated_at = ? WHERE id = ? AND status = 'uploaded'");
STORE_SQL(q_queue, "UPDATE import_jobs SET status = 'queued', error = NULL, updated_at = ?"
                   " WHERE id = ? AND status IN ('uploaded', 'failed')");
/* The candidates of a claim: running ones first (their owners judged in C: jobs_owner_gone), then
 * the queued; a page of them (more running jobs than this at once, all alive, is not a ward's). */
#define CLAIM_PAGE 64
STORE_SQL(q_next, "SELECT id, status, owner_host, owner_pid, owner_start, lease_until FROM import_jobs"
                  " WHERE status IN ('running', 'queued')"
                  " ORDER BY CASE WHEN status = 'running' THEN 0 ELSE 1 END, id LIMIT 64");
/* Compare-and-set: the job is taken only if its status and owner are still those read. */
STORE_SQL(q_take, "UPDATE import_jobs SET status = 'running', owner_host = ?, owner_pid = ?, owner_start = ?,"
                  " lease_until = ?, updated_at = ?"
                  " WHERE id = ? AND status = ? AND owner_host = ? AND owner_pid = ? AND owner_start = ?");
STORE_SQL(q_renew, "UPDATE import_jobs SET lease_until = ?"
                   " WHERE status = 'running' AND owner_host = ? AND owner_pid = ? AND owner_start = ?");
STORE_SQL(q_progress, "UPDATE import_jobs SET committed_line = ?, rows_done = rows_done + ?, imported = imported + ?,"
                      " updated = updated + ?, unchanged = unchanged + ?, rejected = rejected + ?, updated_at = ?"
                      " WHERE id = ? AND owner_host = ? AND owner_pid = ? AND owner_start = ?");
STORE_SQL(q_finish, "UPDATE import_jobs SET status = ?, error = ?, finished_at = ?, updated_at = ?,"
                    " rows_total = CASE WHEN ? = 1 THEN rows_done ELSE rows_total END WHERE id = ?");
STORE_SQL(q_error_add, "INSERT INTO import_errors (job_id, line, reason) VALUES (?, ?, ?)"
                       " ON CONFLICT (job_id, line) DO UPDATE SET reason = excluded.reason");
STORE_SQL(q_errors, "SELECT line, reason FROM import_errors WHERE job_id = ? ORDER BY line LIMIT ?");
STORE_SQL(q_reach, "SELECT COALESCE(j.created_by, 0), COALESCE(u.path, '') FROM import_jobs j"
                   " LEFT JOIN units u ON u.id = j.unit_id WHERE j.id = ?");
STORE_SQL(q_list, "SELECT " JOB_COLS " FROM import_jobs WHERE created_by = ? ORDER BY id DESC LIMIT ? OFFSET ?");
STORE_SQL(q_count, "SELECT COUNT(*) FROM import_jobs WHERE created_by = ?");
STORE_SQL(q_stale_files, "SELECT id, file_path FROM import_jobs WHERE file_path <> '' AND scope_all = 0"
                         " AND status NOT IN ('queued', 'running') AND updated_at < ? ORDER BY id LIMIT ?");
STORE_SQL(q_forget_file, "UPDATE import_jobs SET file_path = '' WHERE id = ? AND status NOT IN ('queued', 'running')");

void import_job_clear(import_job *j) {
  free(j->mapping);
  j->mapping = NULL;
}

static int done(store_stmt *s) {
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

int jobs_create(store_conn *w, import_job *j) {
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) return -1;
  int64_t now = clock_now();
  store_bind_text(s, 1, j->kind[0] ? j->kind : "residents");
  store_bind_text(s, 2, j->status[0] ? j->status : "uploaded");
  store_bind_text(s, 3, j->file_path);
  store_bind_text(s, 4, j->file_name);
  store_bind_text(s, 5, j->format);
  store_bind_text(s, 6, j->mapping ? j->mapping : "{}");
  store_bind_id(s, 7, j->created_by);
  store_bind_id(s, 8, j->unit_id);
  store_bind_int(s, 9, j->scope_all ? 1 : 0);
  store_bind_int(s, 10, j->rows_total);
  store_bind_int(s, 11, now);
  store_bind_int(s, 12, now);
  const job_owner *me = jobs_me();
  bool mine = !strcmp(j->status, "running");
  store_bind_text(s, 13, mine ? me->host : "");
  store_bind_int(s, 14, mine ? me->pid : 0);
  store_bind_int(s, 15, mine ? me->start : 0);
  store_bind_int(s, 16, mine ? now + JOBS_LEASE_SECONDS : 0);
  return store_insert_id(s, &j->id) == STORE_DONE ? 0 : -1;
}

static void copy(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src ? src : ""); }

static int read_job(store_stmt *s, import_job *j) {
  memset(j, 0, sizeof *j);
  j->id = store_col_int(s, 0);
  copy(j->kind, sizeof j->kind, store_col_text(s, 1));
  copy(j->status, sizeof j->status, store_col_text(s, 2));
  copy(j->file_path, sizeof j->file_path, store_col_text(s, 3));
  copy(j->file_name, sizeof j->file_name, store_col_text(s, 4));
  copy(j->format, sizeof j->format, store_col_text(s, 5));
  j->mapping = strdup(store_col_text(s, 6) ? store_col_text(s, 6) : "{}");
  if (!j->mapping) return -1;
  j->created_by = store_col_int(s, 7);
  j->unit_id = store_col_int(s, 8);
  j->scope_all = store_col_int(s, 9) != 0;
  j->rows_total = store_col_int(s, 10);
  j->rows_done = store_col_int(s, 11);
  j->imported = store_col_int(s, 12);
  j->updated = store_col_int(s, 13);
  j->unchanged = store_col_int(s, 14);
  j->rejected = store_col_int(s, 15);
  j->committed_line = store_col_int(s, 16);
  copy(j->error, sizeof j->error, store_col_text(s, 17));
  j->created_at = store_col_int(s, 18);
  j->updated_at = store_col_int(s, 19);
  j->finished_at = store_col_int(s, 20);
  return 0;
}

int jobs_get(store_conn *c, int64_t id, import_job *out) {
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  int rc = store_step(s), ret = rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
  if (ret == 1 && read_job(s, out) != 0) ret = -1;
  store_reset(s);
  return ret;
}

int jobs_set_file(store_conn *w, int64_t id, const char *path, int64_t rows_total) {
  store_stmt *s = store_prepare(w, &q_set_file);
  if (!s) return -1;
  store_bind_text(s, 1, path);
  store_bind_int(s, 2, rows_total);
  store_bind_int(s, 3, clock_now());
  store_bind_int(s, 4, id);
  return done(s);
}

int jobs_set_mapping(store_conn *w, int64_t id, const char *mapping_json) {
  store_stmt *s = store_prepare(w, &q_set_mapping);
  if (!s) return -1;
  store_bind_text(s, 1, mapping_json);
  store_bind_int(s, 2, clock_now());
  store_bind_int(s, 3, id);
  return done(s);
}

int jobs_queue(store_conn *w, int64_t id) {
  store_stmt *s = store_prepare(w, &q_queue);
  if (!s) return -1;
  store_bind_int(s, 1, clock_now());
  store_bind_int(s, 2, id);
  int rc = store_step(s);
  int64_t n = rc == STORE_DONE ? store_changes(s) : 0;
  store_reset(s);
  return rc == STORE_DONE ? (n > 0) : -1;
}

typedef struct claim_cand {
  int64_t id, lease_until;
  char status[16];
  job_owner owner;
} claim_cand;

int jobs_claim(store_conn *w, const job_owner *me, bool orphans_only, int64_t *id) {
  store_stmt *s = store_prepare(w, &q_next);
  if (!s) return -1;
  claim_cand *v = calloc(CLAIM_PAGE, sizeof *v);
  if (!v) {
    store_reset(s);
    return -1;
  }
  int n = 0, rc = STORE_DONE, ret = 0;
  while (n < CLAIM_PAGE && (rc = store_step(s)) == STORE_ROW) {
    claim_cand *c = &v[n++];
    c->id = store_col_int(s, 0);
    copy(c->status, sizeof c->status, store_col_text(s, 1));
    copy(c->owner.host, sizeof c->owner.host, store_col_text(s, 2));
    c->owner.pid = store_col_int(s, 3);
    c->owner.start = store_col_int(s, 4);
    c->lease_until = store_col_int(s, 5);
  }
  store_reset(s);
  if (n < CLAIM_PAGE && rc != STORE_DONE) ret = -1;
  int64_t now = clock_now();
  for (int i = 0; ret == 0 && i < n; i++) {
    claim_cand *c = &v[i];
    bool running = !strcmp(c->status, "running");
    if (running ? !jobs_owner_gone(&c->owner, c->lease_until, me, now) : orphans_only) continue;
    store_stmt *u = store_prepare(w, &q_take);
    if (!u) {
      ret = -1;
      break;
    }
    store_bind_text(u, 1, me->host);
    store_bind_int(u, 2, me->pid);
    store_bind_int(u, 3, me->start);
    store_bind_int(u, 4, now + JOBS_LEASE_SECONDS);
    store_bind_int(u, 5, now);
    store_bind_int(u, 6, c->id);
    store_bind_text(u, 7, c->status);
    store_bind_text(u, 8, c->owner.host);
    store_bind_int(u, 9, c->owner.pid);
    store_bind_int(u, 10, c->owner.start);
    rc = store_step(u);
    int64_t changed = rc == STORE_DONE ? store_changes(u) : 0;
    store_reset(u);
    if (rc != STORE_DONE) ret = -1;
    else if (changed > 0) { /* else another process took it first: the next one */
      *id = c->id;
      ret = 1;
    }
  }
  free(v);
  return ret;
}

int jobs_renew(store_conn *w, const job_owner *me, int64_t until) {
  store_stmt *s = store_prepare(w, &q_renew);
  if (!s) return -1;
  store_bind_int(s, 1, until);
  store_bind_text(s, 2, me->host);
  store_bind_int(s, 3, me->pid);
  store_bind_int(s, 4, me->start);
  return done(s);
}

int jobs_progress(store_conn *w, int64_t id, int64_t committed_line, const import_counts *c) {
  store_stmt *s = store_prepare(w, &q_progress);
  if (!s) return -1;
  store_bind_int(s, 1, committed_line);
  store_bind_int(s, 2, c->rows);
  store_bind_int(s, 3, c->imported);
  store_bind_int(s, 4, c->updated);
  store_bind_int(s, 5, c->unchanged);
  store_bind_int(s, 6, c->rejected);
  store_bind_int(s, 7, clock_now());
  store_bind_int(s, 8, id);
  const job_owner *me = jobs_me();
  store_bind_text(s, 9, me->host);
  store_bind_int(s, 10, me->pid);
  store_bind_int(s, 11, me->start);
  int rc = store_step(s);
  int64_t changed = rc == STORE_DONE ? store_changes(s) : 0;
  store_reset(s);
  return rc == STORE_DONE && changed == 1 ? 0 : -1; /* 0 rows: the job is another process's now */
}

int jobs_finish(store_conn *w, int64_t id, bool ok, const char *error) {
  store_stmt *s = store_prepare(w, &q_finish);
  if (!s) return -1;
  int64_t now = clock_now();
  store_bind_text(s, 1, ok ? "done" : "failed");
  store_bind_text(s, 2, error);
  store_bind_int(s, 3, now);
  store_bind_int(s, 4, now);
  store_bind_int(s, 5, ok ? 1 : 0);
  store_bind_int(s, 6, id);
  return done(s);
}

int jobs_add_error(store_conn *w, int64_t id, int64_t line, const char *reason) {
  store_stmt *s = store_prepare(w, &q_error_add);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  store_bind_int(s, 2, line);
  store_bind_text(s, 3, reason);
  return done(s);
}

int jobs_errors_each(store_conn *c, int64_t id, jobs_error_fn cb, void *ctx) {
  store_stmt *s = store_prepare(c, &q_errors);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  store_bind_int(s, 2, INT64_MAX);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    if (cb(ctx, store_col_int(s, 0), store_col_text(s, 1)) != 0) break;
  store_reset(s);
  return rc == STORE_ROW || rc == STORE_DONE ? 0 : -1;
}

typedef struct err_acc {
  json_t *arr;
  int limit, n;
} err_acc;

static int err_push(void *ctx, int64_t line, const char *reason) {
  err_acc *a = ctx;
  if (a->limit > 0 && a->n >= a->limit) return 1;
  a->n++;
  return json_array_append_new(a->arr, json_pack("{s:I, s:s}", "line", (json_int_t)line, "reason", reason));
}

int jobs_errors_json(store_conn *c, int64_t id, int limit, json_t **out) {
  err_acc a = {json_array(), limit, 0};
  if (!a.arr) return -1;
  if (jobs_errors_each(c, id, err_push, &a) != 0) {
    json_decref(a.arr);
    return -1;
  }
  *out = a.arr;
  return 0;
}

int jobs_reach(store_conn *c, int64_t id, arena *a, int64_t *created_by, const char **unit_path, app_err *e) {
  store_stmt *s = store_prepare(c, &q_reach);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *created_by = store_col_int(s, 0);
    *unit_path = arena_strdup(a, store_col_text(s, 1));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy lượt nhập danh sách này.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

json_t *jobs_json(const import_job *j) {
  json_t *mapping = json_loads(j->mapping ? j->mapping : "{}", 0, NULL);
  if (!mapping) mapping = json_object();
  return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s?, s:I, s:I, s:o}", "id",
                   (json_int_t)j->id, "kind", j->kind, "status", j->status, "file_name", j->file_name, "format",
                   j->format, "mapping", mapping, "rows_total", (json_int_t)j->rows_total, "rows_done",
                   (json_int_t)j->rows_done, "imported", (json_int_t)j->imported, "updated",
                   (json_int_t)j->updated, "unchanged", (json_int_t)j->unchanged, "rejected",
                   (json_int_t)j->rejected, "committed_line", (json_int_t)j->committed_line, "error",
                   j->error[0] ? j->error : NULL, "created_at", (json_int_t)j->created_at, "updated_at",
                   (json_int_t)j->updated_at, "finished_at",
                   j->finished_at ? json_integer(j->finished_at) : json_null());
}

int jobs_list(store_conn *c, int64_t user_id, int page, int per_page, json_t **items, int64_t *total) {
  store_stmt *n = store_prepare(c, &q_count);
  if (!n) return -1;
  store_bind_int(n, 1, user_id);
  int rc = store_step(n);
  *total = rc == STORE_ROW ? store_col_int(n, 0) : 0;
  store_reset(n);
  if (rc != STORE_ROW) return -1;
  store_stmt *s = store_prepare(c, &q_list);
  if (!s) return -1;
  store_bind_int(s, 1, user_id);
  store_bind_int(s, 2, per_page);
  store_bind_int(s, 3, (int64_t)(page - 1) * per_page);
  json_t *arr = json_array();
  while (arr && (rc = store_step(s)) == STORE_ROW) {
    import_job j;
    if (read_job(s, &j) != 0) break;
    json_array_append_new(arr, jobs_json(&j));
    import_job_clear(&j);
  }
  store_reset(s);
  if (!arr || rc != STORE_DONE) {
    json_decref(arr);
    return -1;
  }
  *items = arr;
  return 0;
}

int jobs_stale_files(store_conn *c, int64_t before, int max, jobs_file_fn cb, void *ctx) {
  store_stmt *s = store_prepare(c, &q_stale_files);
  if (!s) return -1;
  store_bind_int(s, 1, before);
  store_bind_int(s, 2, max);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    if (cb(ctx, store_col_int(s, 0), store_col_text(s, 1)) != 0) break;
  store_reset(s);
  return rc == STORE_ROW || rc == STORE_DONE ? 0 : -1;
}

int jobs_forget_file(store_conn *w, int64_t id, bool *forgot) {
  store_stmt *s = store_prepare(w, &q_forget_file);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  *forgot = rc == STORE_DONE && store_changes(s) > 0;
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

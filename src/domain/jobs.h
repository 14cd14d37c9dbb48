/* jobs.h: import jobs — an uploaded list, its column mapping, its progress and its rejected lines.
 * Owns: the import_jobs and import_errors tables (migration 7).
 * Never: holds a row's personal data (import_errors keeps the line and a Vietnamese reason only;
 * the uploaded file itself stays in DATA/imports/, readable by the server's user alone, for the
 * error report: its purge with the job is still to be written).
 *
 * Life of a job: uploaded (the mapping step) → queued (start) → running (the worker, chunk by
 * chunk; committed_line and the counts move in each chunk's transaction) → done | failed. A job
 * found running when the server starts resumes after committed_line.
 */
#ifndef HOCVUSO_JOBS_H
#define HOCVUSO_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "store/store.h"
#include "util/arena.h"

typedef struct import_job {
  int64_t id;
  char kind[16];   /* "residents" */
  char status[16]; /* uploaded | queued | running | done | failed */
  char file_path[1100];
  char file_name[256];
  char format[8];  /* "CSV" | "XLSX" */
  char *mapping;   /* JSON {"full_name": 1, …}; owned (import_job_clear) */
  int64_t created_by; /* 0: the operator (command line) */
  int64_t unit_id;    /* the unit the job is seen from (the creator's people.write root), 0: none */
  bool scope_all;     /* the operator: every unit */
  int64_t rows_total, rows_done, imported, updated, unchanged, rejected, committed_line;
  char error[512];
  int64_t created_at, updated_at, finished_at;
} import_job;

/* Counts a chunk adds. */
typedef struct import_counts {
  int64_t rows, imported, updated, unchanged, rejected;
} import_counts;

void import_job_clear(import_job *j);
/* Inserts `j` (status uploaded unless set) and sets j->id. 0 or -1. */
int jobs_create(store_conn *w, import_job *j);
/* 1 and *out (clear it after), 0 when absent, -1 on error. */
int jobs_get(store_conn *c, int64_t id, import_job *out);
int jobs_set_file(store_conn *w, int64_t id, const char *path, int64_t rows_total);
int jobs_set_mapping(store_conn *w, int64_t id, const char *mapping_json);
/* uploaded|failed → queued. 1 when it moved, 0 when the job was not in such a state, -1. */
int jobs_queue(store_conn *w, int64_t id);
/* The next job to run: a running one first (resumed after a restart), else the oldest queued;
 * marks it running. 1 with *id, 0 when none, -1. */
int jobs_claim(store_conn *w, int64_t *id);
/* Adds a chunk's counts and moves committed_line, in the chunk's transaction. */
int jobs_progress(store_conn *w, int64_t id, int64_t committed_line, const import_counts *c);
/* done or failed (error may be NULL), with finished_at. */
int jobs_finish(store_conn *w, int64_t id, bool ok, const char *error);
int jobs_add_error(store_conn *w, int64_t id, int64_t line, const char *reason);
/* The first `limit` rejected lines as [{"line","reason"}] (limit <= 0: all). */
int jobs_errors_json(store_conn *c, int64_t id, int limit, json_t **out);
/* Each rejected line in order; cb returns 0 to go on. */
typedef int (*jobs_error_fn)(void *ctx, int64_t line, const char *reason);
int jobs_errors_each(store_conn *c, int64_t id, jobs_error_fn cb, void *ctx);
/* Uploaded files (not a CLI's own) of jobs neither queued nor running, untouched since `before`:
 * at most `max` of them, oldest first. cb returns non-zero to stop. */
typedef int (*jobs_file_fn)(void *ctx, int64_t id, const char *path);
int jobs_stale_files(store_conn *c, int64_t before, int max, jobs_file_fn cb, void *ctx);
/* Forgets a job's file (its error report then gives lines and reasons only); *forgot: whether it
 * did (not when the job was queued again meanwhile). */
int jobs_forget_file(store_conn *w, int64_t id, bool *forgot);
/* The job's creator and the path of its unit (in `a`, "" when none): who may see it. 404 in e. */
int jobs_reach(store_conn *c, int64_t id, arena *a, int64_t *created_by, const char **unit_path, app_err *e);
/* The jobs created by `user_id`, newest first. */
int jobs_list(store_conn *c, int64_t user_id, int page, int per_page, json_t **items, int64_t *total);
/* The job as the API shows it (without its errors). */
json_t *jobs_json(const import_job *j);

#endif

/* jobs.h: import jobs — an uploaded list, its column mapping, its progress and its rejected lines.
 * Owns: the import_jobs and import_errors tables (migration 7).
 * Never: holds a row's personal data (import_errors keeps the line and a Vietnamese reason only;
 * the uploaded file itself stays in DATA/imports/, readable by the server's user alone, for the
 * error report: its purge with the job is still to be written).
 *
 * Life of a job: uploaded (the mapping step) → queued (start) → running (the worker, chunk by
 * chunk; committed_line and the counts move in each chunk's transaction) → done | failed.
 *
 * Who runs it (migration 41): a running job names its owner process (job_owner) and a lease the
 * owner renews while it lives (jobs_lease_start). A job whose owner is gone — seen dead on the same
 * host (its pid is not there, or is another process), or, from another host, its lease run out —
 * is taken over by the next process that looks: the server's worker (every turn) or the next
 * `hocvuso import residents` (before its own file). It then resumes after committed_line, merges
 * the staged name terms and ends done, or failed with a reason (its file gone). A job owned by a
 * live process, here or on another app server, is never taken; a chunk's progress is written only
 * by the job's owner (jobs_progress), so a process that lost its job cannot write on.
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
/* Inserts `j` (status uploaded unless set) and sets j->id; a job made running is this process's
 * (jobs_me), with a fresh lease. 0 or -1. */
int jobs_create(store_conn *w, import_job *j);
/* 1 and *out (clear it after), 0 when absent, -1 on error. */
int jobs_get(store_conn *c, int64_t id, import_job *out);
int jobs_set_file(store_conn *w, int64_t id, const char *path, int64_t rows_total);
int jobs_set_mapping(store_conn *w, int64_t id, const char *mapping_json);
/* uploaded|failed → queued. 1 when it moved, 0 when the job was not in such a state, -1. */
int jobs_queue(store_conn *w, int64_t id);
/* A process that runs jobs. */
typedef struct job_owner {
  char host[192];  /* host name, kernel boot id, pid namespace: where `pid` means this process */
  int64_t pid;
  int64_t start;   /* the process's start (clock ticks since boot): a pid used again is another */
} job_owner;

/* How long a lease lasts, and how often its owner renews it (seconds). */
#define JOBS_LEASE_SECONDS 60
#define JOBS_LEASE_RENEW 15

/* This process (jobs_owner.c; worked out once). */
const job_owner *jobs_me(void);
/* Whether a running job held by `o` (its lease until `lease_until`) may be taken over by `me` at
 * `now`: no owner (a job older than migration 41), `me` itself, an owner on this host that is not
 * alive, or one elsewhere whose lease has run out. */
bool jobs_owner_gone(const job_owner *o, int64_t lease_until, const job_owner *me, int64_t now);
/* Whether the process `pid` started at `start` (clock ticks since boot) is alive on this host. */
bool jobs_process_alive(int64_t pid, int64_t start);
/* The thread that renews this process's leases every JOBS_LEASE_RENEW seconds, until stopped. */
int jobs_lease_start(store *st);
void jobs_lease_stop(void);

/* The next job to run, made `me`'s: a running one whose owner is gone first (resumed), else
 * (unless `orphans_only`) the oldest queued. Taken by a compare-and-set on the owner read, so that
 * two processes looking at once never both take it. 1 with *id, 0 when none, -1. */
int jobs_claim(store_conn *w, const job_owner *me, bool orphans_only, int64_t *id);
/* Renews the leases of `me`'s running jobs until `until`. */
int jobs_renew(store_conn *w, const job_owner *me, int64_t until);
/* Adds a chunk's counts and moves committed_line, in the chunk's transaction; -1 (the chunk rolls
 * back) when the job is no longer this process's (taken over after its lease ran out). */
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

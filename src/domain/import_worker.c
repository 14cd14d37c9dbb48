/* import_worker.c: the server's import worker: one thread that runs import jobs one at a time
 * (importer_run), a job whose owner process is gone (a stopped or killed server, a killed
 * `hocvuso import`: jobs.h, "Who runs it") first, looked for at every turn. Between jobs it is also
 * the server's housekeeper: every `purge_interval` seconds (and once at start-up) it purges the
 * people past their retention period (people_purge, chunked like an import) and removes the plan
 * attachments no update linked within a day (attachments_reap); and between jobs, every turn, it
 * grades the attempts whose time ran out (quiz_expire_sweep) and drains the marks of the live counts
 * (indlive_drain).
 * Owns: the thread, its wake-up signal and its stop flag (process-wide, like the server itself).
 * Never: runs two jobs at once (the single writer would only queue them) or holds the writer
 * between chunks.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "domain/attachments.h"
#include "domain/groups.h"
#include "domain/importer.h"
#include "domain/indicators.h"
#include "domain/indlive.h"
#include "domain/jobs.h"
#include "domain/people.h"
#include "domain/quiz.h"
#include "domain/sessions.h"
#include "util/clock.h"
#include "util/log.h"

static struct {
  pthread_t thread;
  bool started;
  atomic_bool stop;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool poke;
  store *st;
  const secrets *keys;
  int purge_interval; /* seconds */
  int retention_days; /* an uploaded file is kept this long after its job was last touched */
  const char *data_dir; /* for the attachments' reaper; NULL: not reaped here */
} W = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static int claim(int64_t *id) {
  store_conn *w = store_acquire(W.st, true);
  if (!w) return -1;
  int rc = store_begin(w) == STORE_OK ? jobs_claim(w, jobs_me(), false, id) : -1;
  if (rc == 1 && store_commit(w) != STORE_OK) rc = -1;
  if (rc != 1) store_rollback(w);
  store_release(w);
  return rc;
}

/* The purge, when it is due; a failure is logged and tried again at the next period. */
static void purge_when_due(double *next) {
  double now = clock_mono();
  if (now < *next) return;
  *next = now + W.purge_interval;
  char err[512] = "";
  int64_t n = 0;
  if (people_purge(W.st, clock_now(), 0, &W.stop, &n, err, sizeof err) != 0)
    log_error("purge of deleted records: %s (%lld purged; tried again later)", err, (long long)n);
  else if (n)
    log_info("purge: %lld deleted record(s) past their retention period removed for good", (long long)n);
  store_conn *w = store_acquire(W.st, true);
  if (w) {
    if (sessions_purge(w) != 0) log_warn("cannot purge expired sessions: %s", store_errmsg(w));
    store_release(w);
  }
  /* The figures of the quarter just ended, for every unit (once: a snapshot is never retaken). */
  char quarter[8];
  int64_t today = groups_date_key(clock_now()), snapped = 0;
  ind_last_quarter(today, quarter);
  if (ind_snapshot_take(W.st, quarter, today, &W.stop, &snapped, err, sizeof err) != 0)
    log_error("snapshot of %s: %s (tried again later)", quarter, err);
  else if (snapped)
    log_info("snapshot of %s: the figures of %lld unit(s) kept", quarter, (long long)snapped);
  int64_t files = 0;
  if (importer_expire_files(W.st, clock_now() - (int64_t)W.retention_days * 86400, &files, err, sizeof err) != 0)
    log_error("purge of uploaded files: %s (tried again later)", err);
  else if (files)
    log_info("purge: %lld uploaded file(s) past their retention period removed", (long long)files);
  int64_t rows = 0;
  if (W.data_dir && attachments_reap(W.st, W.data_dir, clock_now() - ATTACH_UNLINKED_TTL, &rows, &files, err, sizeof err) != 0)
    log_error("purge of unlinked attachments: %s (tried again later)", err);
  else if (rows || files)
    log_info("purge: %lld unlinked attachment(s) and %lld unused file(s) removed", (long long)rows, (long long)files);
}

/* Today's live counts (indlive.h): what writes marked, classified again in short chunks. Every
 * turn of the loop (at most 2 s apart, DRAIN_AGAIN_MS after a drain that found marks, and after each
 * import job): readers add what is still marked, so this keeps their work small rather than their
 * figures right. Under steady writes the marks of DRAIN_AGAIN_MS are drained together (a drain
 * takes the writer out of the requests' groups). Answers whether anything was classified. */
enum { DRAIN_AGAIN_MS = 100 };
static bool drain_live(void) {
  int64_t done = 0;
  char err[512] = "";
  if (indlive_drain(W.st, groups_date_key(clock_now()), &W.stop, &done, err, sizeof err) != 0)
    log_error("%s (%lld classified; tried again in a moment)", err, (long long)done);
  return done > 0;
}

void importer_worker_set_data_dir(const char *data_dir) { W.data_dir = data_dir; }

/* Attempts whose time ran out with nobody submitting them: graded on their saved sheets (quiz.h),
 * up to 64 at most once a second, between jobs; every app server does it, the close being
 * conditional. */
static void close_expired_attempts(void) {
  static double next; /* at most once a second (a turn can be 100 ms) */
  double now = clock_mono();
  if (now < next) return;
  next = now + 1;
  int closed = 0;
  char err[512] = "";
  if (quiz_expire_sweep(W.st, W.keys, clock_now(), 64, &closed, err, sizeof err) != 0)
    log_error("%s (tried again in a moment)", err);
  else if (closed)
    log_info("%d attempt(s) whose time ran out graded on their saved answers", closed);
}

static void *run(void *arg) {
  (void)arg;
  double next_purge = 0; /* at start-up */
  while (!atomic_load(&W.stop)) {
    close_expired_attempts();
    bool drained = drain_live();
    int64_t id = 0;
    int rc = claim(&id);
    if (rc == 1) {
      char err[512] = "";
      log_info("import job %lld: running", (long long)id);
      int r = importer_run(W.st, W.keys, id, &W.stop, err, sizeof err);
      if (r < 0) log_error("import job %lld: %s (it resumes later)", (long long)id, err);
      else if (r == 0) log_info("import job %lld: ended%s%s", (long long)id, err[0] ? ": " : "", err);
      if (r >= 0) continue;
    }
    /* The purge (at start-up, then every purge_interval) once no job is waiting: at start-up a job
     * left by a stopped process is taken up first, not after the quarter's figures of every unit
     * (tens of seconds on a large city). */
    purge_when_due(&next_purge);
    /* Nothing to do (or the database is away): wait for a poke or 2 s (marks: DRAIN_AGAIN_MS). */
    pthread_mutex_lock(&W.mu);
    if (!W.poke && !atomic_load(&W.stop)) {
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      if (drained) {
        until.tv_nsec += DRAIN_AGAIN_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
          until.tv_sec++;
          until.tv_nsec -= 1000000000L;
        }
      } else {
        until.tv_sec += 2;
      }
      pthread_cond_timedwait(&W.cv, &W.mu, &until);
    }
    W.poke = false;
    pthread_mutex_unlock(&W.mu);
  }
  return NULL;
}

int importer_worker_start(store *st, const secrets *keys, int purge_interval, int retention_days) {
  W.st = st;
  W.keys = keys;
  W.purge_interval = purge_interval > 0 ? purge_interval : 3600;
  W.retention_days = retention_days > 0 ? retention_days : 30;
  atomic_store(&W.stop, false);
  /* the leases of the jobs this process runs, renewed while it lives */
  if (jobs_lease_start(st) != 0) return -1;
  if (pthread_create(&W.thread, NULL, run, NULL) != 0) {
    jobs_lease_stop();
    return -1;
  }
  W.started = true;
  return 0;
}

void importer_worker_wake(void) {
  pthread_mutex_lock(&W.mu);
  W.poke = true;
  pthread_cond_signal(&W.cv);
  pthread_mutex_unlock(&W.mu);
}

void importer_worker_stop(void) {
  if (!W.started) return;
  atomic_store(&W.stop, true);
  importer_worker_wake();
  pthread_join(W.thread, NULL);
  W.started = false;
  jobs_lease_stop();
}

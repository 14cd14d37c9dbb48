/* jobs_owner.c: who runs an import job, and whether that process is still alive (see jobs.h,
 * "Who runs it"): this process's identity, the liveness rule, and the thread that renews its leases.
 * Owns: the lease thread and its stop flag (process-wide, like the import worker).
 * Never: judges a process on another host by anything but its lease (its pid means nothing here),
 * or holds the writer longer than one UPDATE.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "domain/jobs.h"
#include "util/clock.h"
#include "util/log.h"

/* A process's state (field 3 of /proc/PID/stat: 'R', 'S', …, 'Z' for a zombie) and start time
 * (field 22, clock ticks since boot). 0, or -1 when unknown (no such process, no /proc). */
static int proc_stat(int64_t pid, char *state, int64_t *start) {
  char path[64], line[1024];
  snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(line, 1, sizeof line - 1, f);
  fclose(f);
  line[n] = 0;
  const char *p = strrchr(line, ')'); /* the command name may hold spaces and parentheses */
  if (!p) return -1;
  p++;
  while (*p == ' ') p++;
  *state = *p;
  /* from field 3 (state) to field 22 (starttime): skip 19 fields */
  for (int field = 3; field < 22 && *p; field++) {
    while (*p && *p != ' ') p++;
    while (*p == ' ') p++;
  }
  long long v = 0;
  if (sscanf(p, "%lld", &v) != 1) return -1;
  *start = v;
  return 0;
}

static int64_t start_of(int64_t pid) {
  char state;
  int64_t start = 0;
  return proc_stat(pid, &state, &start) == 0 ? start : 0;
}

static void read_line(const char *path, char *out, size_t n) {
  out[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f) return;
  if (!fgets(out, (int)n, f)) out[0] = 0;
  fclose(f);
  out[strcspn(out, "\r\n")] = 0;
}

static job_owner me;
static pthread_once_t me_once = PTHREAD_ONCE_INIT;

static void me_init(void) {
  char host[64] = "", boot[40] = "";
  if (gethostname(host, sizeof host) != 0) host[0] = 0;
  host[sizeof host - 1] = 0;
  read_line("/proc/sys/kernel/random/boot_id", boot, sizeof boot);
  struct stat ns;
  unsigned long long pidns = stat("/proc/self/ns/pid", &ns) == 0 ? (unsigned long long)ns.st_ino : 0;
  snprintf(me.host, sizeof me.host, "%s/%s/%llu", host, boot, pidns);
  me.pid = (int64_t)getpid();
  me.start = start_of(me.pid);
}

const job_owner *jobs_me(void) {
  pthread_once(&me_once, me_init);
  return &me;
}

bool jobs_process_alive(int64_t pid, int64_t start) {
  if (pid <= 0) return false;
  if (kill((pid_t)pid, 0) != 0 && errno != EPERM) return false; /* ESRCH: no such process */
  char state = 0;
  int64_t now_start = 0;
  if (proc_stat(pid, &state, &now_start) != 0) return true; /* no /proc: it exists, taken as alive */
  if (state == 'Z' || state == 'X') return false;              /* killed, not yet reaped */
  return !(start && now_start != start);                        /* a pid used again by another process */
}

bool jobs_owner_gone(const job_owner *o, int64_t lease_until, const job_owner *m, int64_t now) {
  if (!o->host[0]) return true; /* made before owners were recorded: anyone's to resume */
  if (!strcmp(o->host, m->host)) {
    if (o->pid == m->pid && o->start == m->start) return true; /* ours: nobody else runs it */
    return !jobs_process_alive(o->pid, o->start);
  }
  return lease_until < now; /* another host: its pids mean nothing here */
}

/* ---- the lease thread ---- */
static struct {
  pthread_t thread;
  bool started;
  store *st;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool stop;
} L = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void renew(void) {
  store_conn *w = store_acquire_timed(L.st, true, 10000, NULL);
  if (!w) {
    log_warn("import jobs: cannot renew this process's lease (no database connection); tried again later");
    return;
  }
  if (store_begin(w) != STORE_OK || jobs_renew(w, jobs_me(), clock_now() + JOBS_LEASE_SECONDS) != 0 ||
      store_commit(w) != STORE_OK) {
    log_warn("import jobs: cannot renew this process's lease: %s", store_errmsg(w));
    if (store_in_transaction(w)) store_rollback(w);
  }
  store_release(w);
}

static void *lease_main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&L.mu);
  while (!L.stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += JOBS_LEASE_RENEW;
    while (!L.stop && pthread_cond_timedwait(&L.cv, &L.mu, &until) != ETIMEDOUT) {
    }
    if (L.stop) break;
    pthread_mutex_unlock(&L.mu);
    renew();
    pthread_mutex_lock(&L.mu);
  }
  pthread_mutex_unlock(&L.mu);
  return NULL;
}

int jobs_lease_start(store *st) {
  if (L.started) return 0;
  jobs_me();
  L.st = st;
  L.stop = false;
  if (pthread_create(&L.thread, NULL, lease_main, NULL) != 0) return -1;
  L.started = true;
  return 0;
}

void jobs_lease_stop(void) {
  if (!L.started) return;
  pthread_mutex_lock(&L.mu);
  L.stop = true;
  pthread_cond_signal(&L.cv);
  pthread_mutex_unlock(&L.mu);
  pthread_join(L.thread, NULL);
  L.started = false;
}

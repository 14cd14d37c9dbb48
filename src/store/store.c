/* store.c: the backend-neutral half of the storage layer.
 * Owns: the connection pool (readers + SQLite's single writer), dispatch to the backend
 * vtable, the statement cache helper, migrations and pool statistics.
 * Never: contains SQL of a domain table, or a dialect branch outside a store_sql pair.
 */
#include "store/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct store {
  const store_backend *be;
  char *target;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  store_conn *free_list; /* readers (and, on PostgreSQL, writers) */
  store_conn *all;       /* every reader opened, bound to a thread or not; never shrinks */
  int pool_size;         /* readers opened so far */
  int pool_max;
  int in_use;
  /* SQLite: the one writer connection and its own lock. Waiters queue in arrival order and
   * the writer is handed to the first of them on release, so a thread that gives it back and
   * asks again at once (a bulk import between chunks) cannot overtake them. */
  store_conn *writer;
  bool writer_busy;
  struct writer_wait *wq_head, *wq_tail;
  atomic_uint_fast64_t acquires, waits, errors, timeouts, reconnects, checkpoints, wal_restarts;
  bool bind_threads; /* readers stay with the thread that opened them */
  atomic_int wait_ms; /* deadline of store_acquire */
  /* While the database is down: no new attempt to connect before this (monotonic ms), and at
   * most one attempt at a time, so that worker threads fail fast instead of each waiting out a
   * connect timeout. */
  atomic_int_fast64_t down_until_ms;
  atomic_bool probing;
  /* maintenance thread (SQLite checkpoints) */
  atomic_int bulk_loads; /* store_bulk_load: imports running, checkpoints spaced out */
  pthread_t maint;
  bool maint_running, maint_stop;
  pthread_cond_t maint_cv;
  /* SQLite group commit (store_durable_start): commits are numbered; the syncer thread makes the
   * WAL durable up to the newest one with one fdatasync for all the commits made meanwhile, and a
   * writer's release waits until its commit is covered. */
  pthread_mutex_t sync_mu;
  pthread_cond_t sync_work_cv, sync_done_cv;
  pthread_t syncer;
  bool sync_running, sync_stop;
  uint64_t commit_seq, synced_seq; /* under sync_mu */
  bool sync_failed;                 /* under sync_mu: a WAL sync failed (sticky: see store.h) */
  store_durable_waiter *sync_waiters; /* under sync_mu: told when their commit is synced */
  char *wal_path;
  atomic_uint_fast64_t syncs;
  /* Grouped transactions (store_acquire_grouped). `grouping` is set once by store_durable_start;
   * the group's state belongs to whoever holds the writer (a group is open only while the writer
   * is held: it is handed on with it, or committed before the writer is given back). */
  bool grouping;
  /* BEGIN IMMEDIATE done; released savepoints wait for its COMMIT. Written by the writer's holder
   * without mu, read under mu by the syncer (sync_take_group, which acts on it only when nobody
   * holds the writer): atomic, so that the read is not a data race. */
  atomic_bool group_open;
  bool sync_busy;  /* under mu: the syncer is inside an fdatasync (an open group may wait for its end) */
  int group_n;     /* transactions released into it */
  int group_max, group_ms; /* its limits: GROUP_MAX, GROUP_MS unless store_set_group_limits */
  int group_eager;         /* a turn commits a group this large while the syncer is idle: GROUP_EAGER */
  int64_t group_t0_ms;
  uint64_t lost_seqs[16]; /* under sync_mu: the last grouped commits that failed (a ring) */
  unsigned nlost;
  atomic_uint_fast64_t groups, grouped_tx;
  store_combined *cq_head, *cq_tail; /* under mu: writes queued for the writer's holder */
  uint64_t serial; /* store_conn_serial */
};

enum { DEFAULT_WAIT_MS = 5000, DOWN_BACKOFF_MS = 1000 };

/* A group closes at GROUP_MAX transactions or GROUP_MS after it opened, whoever waits: each of
 * its requests waits for its COMMIT, so a group has a bounded cost in latency. */
enum { GROUP_MAX = 64, GROUP_MS = 20 };
/* Within a turn of combined writes, a group is committed once it holds GROUP_EAGER transactions if
 * the syncer is idle then (group_limits_hold): large enough to share the pages every COMMIT writes,
 * small enough that the disk is not left idle while a burst of requests runs (measured 1–48: 24
 * and 32 best, BENCHMARKS.md). Capped by the group's own limit. */
enum { GROUP_EAGER = 24 };
/* Combined writes a holder runs in one turn (store_combined_next, store_combiner_goes_on), and
 * before it hands the writer to a thread waiting for it. */
enum { COMBINE_BEFORE_WAITER = 8, COMBINE_MAX = 64 };

/* Each waiter sleeps on a condition of its own: a release wakes only the one it hands the writer
 * to (with one shared condition every waiter woke on every release, and all but one slept again:
 * context switches the 2-core machine paid for on every write). */
typedef struct writer_wait {
  struct writer_wait *next;
  pthread_cond_t cv;
  bool granted; /* the writer was handed to this waiter */
  bool drains;  /* a grouped caller: it runs the combined writes queued meanwhile (store_combined_next) */
} writer_wait;

static bool is_pg_target(const char *t) {
  return strncmp(t, "postgresql://", 13) == 0 || strncmp(t, "postgres://", 11) == 0;
}

static void set_err(char *err, size_t errlen, const char *msg) {
  if (err && errlen) snprintf(err, errlen, "%s", msg);
}

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void cond_init_mono(pthread_cond_t *cv) {
  pthread_condattr_t at;
  pthread_condattr_init(&at);
  pthread_condattr_setclock(&at, CLOCK_MONOTONIC);
  pthread_cond_init(cv, &at);
  pthread_condattr_destroy(&at);
}

static struct timespec deadline_in(int ms) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

store *store_open(const char *target, int pool, char *err, size_t errlen) {
  store *st = calloc(1, sizeof *st);
  if (!st) {
    set_err(err, errlen, "out of memory");
    return NULL;
  }
  st->be = is_pg_target(target) ? &store_pg_backend : &store_sqlite_backend;
  st->target = strdup(target);
  st->pool_max = pool < 1 ? 1 : pool;
  static atomic_uint_fast64_t serials;
  st->serial = atomic_fetch_add(&serials, 1) + 1;
  atomic_init(&st->wait_ms, DEFAULT_WAIT_MS);
  if (!st->target) {
    set_err(err, errlen, "out of memory");
    free(st);
    return NULL;
  }
  pthread_mutex_init(&st->mu, NULL);
  cond_init_mono(&st->cv);
  cond_init_mono(&st->maint_cv);
  pthread_mutex_init(&st->sync_mu, NULL);
  cond_init_mono(&st->sync_work_cv);
  cond_init_mono(&st->sync_done_cv);
  /* Open one connection now so that an unreachable database fails at start-up. On SQLite
   * it is the writer: it creates the file and sets WAL mode before readers open it. */
  store_conn *c = st->be->connect(st->target, st->be->kind == STORE_SQLITE, err, errlen);
  if (!c) {
    store_close(st);
    return NULL;
  }
  c->st = st;
  if (st->be->kind == STORE_SQLITE) {
    st->writer = c;
  } else {
    c->next_free = NULL;
    st->free_list = c;
    st->all = c;
    st->pool_size = 1;
  }
  return st;
}

static void maintenance_stop(store *st);
static void durable_stop(store *st);

static void group_commit(store *st);
static bool seq_lost(const store *st, uint64_t seq);

void store_close(store *st) {
  if (!st) return;
  if (st->group_open) group_commit(st);
  durable_stop(st);
  maintenance_stop(st);
  store_conn *c = st->all;
  while (c) {
    store_conn *n = c->next_all;
    st->be->disconnect(c);
    c = n;
  }
  if (st->writer) st->be->disconnect(st->writer);
  pthread_mutex_destroy(&st->mu);
  pthread_cond_destroy(&st->cv);
  pthread_cond_destroy(&st->maint_cv);
  free(st->target);
  free(st);
}

store_kind store_kind_of(const store *st) { return st->be->kind; }
const char *store_kind_name(const store *st) { return st->be->name; }
store_kind store_conn_kind(const store_conn *c) { return c->be->kind; }

void store_set_wait(store *st, int wait_ms) { atomic_store(&st->wait_ms, wait_ms < 1 ? 1 : wait_ms); }

/* Each thread keeps the reader it last used, so a request on a worker thread takes and gives
 * back its connection without touching the pool's lock. The connection stays owned by the
 * store (on `all`) and is closed by store_close. */
static _Thread_local store_conn *tl_reader;
static _Thread_local store *tl_store;
static _Thread_local bool tl_transient; /* store_thread_transient */

void store_thread_transient(void) { tl_transient = true; }

/* May this thread try to reach the database now? While the database is believed up, always.
 * Once an attempt failed: not before the back-off has passed, and then one thread at a time
 * (the others fail fast instead of each waiting out a connect timeout). The caller passes the
 * answer on to probe_end(). */
static bool probe_begin(store *st, bool *gated) {
  *gated = false;
  int64_t until = atomic_load(&st->down_until_ms);
  if (until == 0) return true;
  if (mono_ms() < until) return false;
  bool expected = false;
  if (!atomic_compare_exchange_strong(&st->probing, &expected, true)) return false;
  *gated = true;
  return true;
}

static void probe_end(store *st, bool gated, bool ok) {
  if (ok)
    atomic_store(&st->down_until_ms, 0);
  else
    atomic_store(&st->down_until_ms, mono_ms() + DOWN_BACKOFF_MS);
  if (gated) atomic_store(&st->probing, false);
}

/* Makes a connection usable again when the server dropped it (PostgreSQL restarted, say). The
 * connection keeps its place in the pool whatever happens, so nothing is freed that a list
 * still holds: on failure it simply stays broken until the next attempt. */
static bool healthy(store *st, store_conn *c) {
  c->unavailable = false;
  if (!st->be->broken(c)) return true;
  bool gated;
  if (!probe_begin(st, &gated)) return false;
  char err[256];
  bool ok = st->be->reconnect(c, err, sizeof err) == 0;
  probe_end(st, gated, ok);
  if (ok)
    atomic_fetch_add(&st->reconnects, 1);
  else
    fprintf(stderr, "store: the database cannot be reached: %s\n", err);
  return ok;
}

static store_conn *fail_acquire(store *st, store_why *why, store_why w) {
  if (why) *why = w;
  atomic_fetch_add(&st->errors, 1);
  if (w == STORE_WHY_BUSY) atomic_fetch_add(&st->timeouts, 1);
  return NULL;
}

/* Waits on cv until ready(st) or the deadline passes; with mu held. False on timeout. */
static bool wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, const struct timespec *dl, bool (*ready)(store *),
                       store *st) {
  while (!ready(st))
    if (pthread_cond_timedwait(cv, mu, dl) == ETIMEDOUT && !ready(st)) return false;
  return true;
}

static bool reader_free(store *st) { return st->free_list || st->pool_size < st->pool_max; }

store_conn *store_acquire(store *st, bool write) { return store_acquire_timed(st, write, -1, NULL); }

static store_conn *acquire(store *st, bool write, bool grouped, int wait_ms, store_why *why);

store_conn *store_acquire_timed(store *st, bool write, int wait_ms, store_why *why) {
  return acquire(st, write, false, wait_ms, why);
}

store_conn *store_acquire_grouped(store *st, int wait_ms, store_why *why) { return acquire(st, true, true, wait_ms, why); }

static store_conn *acquire(store *st, bool write, bool grouped, int wait_ms, store_why *why) {
  if (why) *why = STORE_WHY_NONE;
  if (wait_ms < 0) wait_ms = atomic_load(&st->wait_ms);
  atomic_fetch_add_explicit(&st->acquires, 1, memory_order_relaxed);
  if (!write && tl_store == st && tl_reader && !tl_reader->in_use) {
    store_conn *c = tl_reader;
    if (!healthy(st, c)) return fail_acquire(st, why, STORE_WHY_DOWN);
    c->in_use = true;
    return c;
  }
  struct timespec dl = deadline_in(wait_ms);
  pthread_mutex_lock(&st->mu);
  if (write && st->writer) {
    if (st->writer_busy || st->wq_head) {
      atomic_fetch_add(&st->waits, 1);
      writer_wait me = {.next = NULL, .granted = false, .drains = grouped};
      cond_init_mono(&me.cv);
      if (st->wq_tail)
        st->wq_tail->next = &me;
      else
        st->wq_head = &me;
      st->wq_tail = &me;
      while (!me.granted) {
        if (pthread_cond_timedwait(&me.cv, &st->mu, &dl) == ETIMEDOUT && !me.granted) {
          /* Leave the queue. */
          writer_wait *prev = NULL;
          for (writer_wait *w = st->wq_head; w; prev = w, w = w->next)
            if (w == &me) {
              if (prev)
                prev->next = me.next;
              else
                st->wq_head = me.next;
              if (st->wq_tail == &me) st->wq_tail = prev;
              break;
            }
          pthread_mutex_unlock(&st->mu);
          pthread_cond_destroy(&me.cv);
          return fail_acquire(st, why, STORE_WHY_BUSY);
        }
      }
      /* Handed over by store_release: writer_busy and in_use already count it. The releaser
       * signalled with mu held: it is done with me.cv. */
      pthread_cond_destroy(&me.cv);
    } else {
      st->writer_busy = true;
      st->in_use++;
    }
    pthread_mutex_unlock(&st->mu);
    st->writer->in_use = true;
    st->writer->unavailable = false;
    st->writer->grouped = grouped;
    /* A caller that answers without waiting for its commit's number gets no group to join. */
    if (!grouped && st->group_open) group_commit(st);
    return st->writer;
  }
  if (!reader_free(st)) {
    atomic_fetch_add(&st->waits, 1);
    if (!wait_until(&st->cv, &st->mu, &dl, reader_free, st)) {
      pthread_mutex_unlock(&st->mu);
      return fail_acquire(st, why, STORE_WHY_BUSY);
    }
  }
  if (st->free_list) {
    store_conn *c = st->free_list;
    st->free_list = c->next_free;
    c->next_free = NULL;
    c->in_use = true;
    st->in_use++;
    pthread_mutex_unlock(&st->mu);
    if (!healthy(st, c)) {
      store_release(c); /* back on the free list, still broken: tried again next time */
      return fail_acquire(st, why, STORE_WHY_DOWN);
    }
    return c;
  }
  /* Room to open one more. */
  st->pool_size++;
  pthread_mutex_unlock(&st->mu);
  char err[256];
  store_conn *c = NULL;
  bool gated;
  if (probe_begin(st, &gated)) {
    c = st->be->connect(st->target, false, err, sizeof err);
    probe_end(st, gated, c != NULL);
    if (!c) fprintf(stderr, "store: cannot open a connection: %s\n", err);
  }
  pthread_mutex_lock(&st->mu);
  if (!c) {
    st->pool_size--;
    pthread_cond_signal(&st->cv);
    pthread_mutex_unlock(&st->mu);
    return fail_acquire(st, why, STORE_WHY_DOWN);
  }
  c->st = st;
  c->in_use = true;
  c->next_all = st->all;
  st->all = c;
  st->in_use++;
  if (!write && st->bind_threads && tl_store != st && !tl_transient) {
    /* This thread's own reader from now on. */
    c->thread_bound = true;
    st->in_use--;
    tl_store = st;
    tl_reader = c;
  }
  pthread_mutex_unlock(&st->mu);
  return c;
}

/* Waits until the syncer has made commit `seq` durable (at most DURABLE_WAIT_MS: a disk that stops
 * answering is logged, and the answer goes on: the commit itself is done). */
enum { DURABLE_WAIT_MS = 10000 };
static void durable_wait(store *st, uint64_t seq) {
  struct timespec dl = deadline_in(DURABLE_WAIT_MS);
  pthread_mutex_lock(&st->sync_mu);
  while (st->synced_seq < seq && st->sync_running) {
    if (pthread_cond_timedwait(&st->sync_done_cv, &st->sync_mu, &dl) == ETIMEDOUT) {
      fprintf(stderr, "store: the WAL was not synced within %d ms\n", DURABLE_WAIT_MS);
      break;
    }
  }
  pthread_mutex_unlock(&st->sync_mu);
}

static void release_conn(store_conn *c, bool wait);

void store_release(store_conn *c) { release_conn(c, true); }

uint64_t store_release_pending(store_conn *c) {
  if (!c) return 0;
  if (c->in_tx) store_rollback(c);
  uint64_t seq = c->durable_seq;
  release_conn(c, false);
  return seq;
}

int store_durable_notify(store *st, uint64_t seq, store_durable_waiter *w) {
  pthread_mutex_lock(&st->sync_mu);
  int done = st->synced_seq >= seq || !st->sync_running;
  w->failed = st->sync_failed;
  w->lost = seq_lost(st, seq);
  if (!done) {
    w->seq = seq;
    w->next = st->sync_waiters;
    st->sync_waiters = w;
  }
  pthread_mutex_unlock(&st->sync_mu);
  return done;
}

bool store_row_triggers_off(store_conn *c) {
  if (!c || !c->be->row_triggers || c->row_triggers_off) return false;
  if (c->be->row_triggers(c, false) != 0) return false;
  c->row_triggers_off = true;
  return true;
}

int store_row_triggers_on(store_conn *c) {
  if (!c || !c->row_triggers_off) return 0;
  if (c->be->row_triggers(c, true) != 0) return -1;
  c->row_triggers_off = false;
  return 0;
}

static void release_conn(store_conn *c, bool wait) {
  if (!c) return;
  store *st = c->st;
  /* A transaction left open by a failed path must not leak into the next user. */
  if (c->in_tx) store_rollback(c);
  /* Nor the triggers a bulk insert turned off (store_row_triggers_off). Turning them on cannot
   * fail short of a misuse of the library (sqlite3_db_config of a flag it knows). */
  if (c->row_triggers_off && store_row_triggers_on(c) != 0)
    fprintf(stderr, "store: a connection's row triggers could not be turned on again: %s\n", c->err);
  uint64_t durable = wait ? c->durable_seq : 0;
  c->durable_seq = 0;
  if (c->thread_bound) {
    c->in_use = false;
    return;
  }
  pthread_mutex_lock(&st->mu);
  if (c == st->writer && st->group_open) {
    /* The group goes on with the next request in the queue, or stays open with the writer free
     * while the syncer is inside an fdatasync (a commit now could not be synced before that one
     * ends: the requests that come meanwhile join the group instead, and the syncer commits it
     * when its sync is done, sync_take_group), or is committed now. */
    bool keep = !wait && c->grouped && (st->wq_head || st->sync_busy) && st->group_n < st->group_max &&
                mono_ms() - st->group_t0_ms < st->group_ms;
    if (!keep) {
      pthread_mutex_unlock(&st->mu);
      group_commit(st);
      pthread_mutex_lock(&st->mu);
    }
  }
  c->in_use = false;
  c->grouped = false;
  /* Writes queued for a holder that stops here, unless the next holder runs them: the first goes
   * back to its own thread, which takes the writer itself (and runs the others after its own). */
  store_combined *back = NULL;
  if (c == st->writer && st->cq_head && !(st->wq_head && st->wq_head->drains)) {
    back = st->cq_head;
    st->cq_head = back->next;
    if (!st->cq_head) st->cq_tail = NULL;
    back->next = NULL;
  }
  if (c == st->writer && st->wq_head) {
    /* Straight to the first waiter: the writer stays busy, in_use unchanged. */
    writer_wait *w = st->wq_head;
    st->wq_head = w->next;
    if (!st->wq_head) st->wq_tail = NULL;
    w->granted = true;
    pthread_cond_signal(&w->cv); /* under mu: the waiter cannot return (and end w) before */
    pthread_mutex_unlock(&st->mu);
    if (back) back->wake(back);
    if (durable) durable_wait(st, durable);
    return;
  }
  st->in_use--;
  if (c == st->writer) {
    st->writer_busy = false;
  } else {
    c->next_free = st->free_list;
    st->free_list = c;
    pthread_cond_signal(&st->cv);
  }
  pthread_mutex_unlock(&st->mu);
  if (back) back->wake(back);
  /* The writer is someone else's already: the next commit goes on while this one's is synced. */
  if (durable) durable_wait(st, durable);
}

int store_acquire_or_queue(store *st, store_combined *item, store_conn **w) {
  *w = NULL;
  if (!st->grouping || !st->writer) return -1;
  atomic_fetch_add_explicit(&st->acquires, 1, memory_order_relaxed);
  pthread_mutex_lock(&st->mu);
  if (!st->writer_busy && !st->wq_head) {
    st->writer_busy = true;
    st->in_use++;
    pthread_mutex_unlock(&st->mu);
    st->writer->in_use = true;
    st->writer->unavailable = false;
    st->writer->grouped = true;
    *w = st->writer;
    return 1;
  }
  item->next = NULL;
  if (st->cq_tail)
    st->cq_tail->next = item;
  else
    st->cq_head = item;
  st->cq_tail = item;
  pthread_mutex_unlock(&st->mu);
  atomic_fetch_add(&st->waits, 1);
  return 0;
}

/* For the grouped holder of the writer that has run `done` queued writes in this turn: whether it
 * may run another (with mu held) — at most COMBINE_MAX, and COMBINE_BEFORE_WAITER while a thread
 * waits for the writer. */
static bool turn_goes_on(const store *st, int done) {
  return done < COMBINE_MAX && !(st->wq_head && done >= COMBINE_BEFORE_WAITER);
}

/* Before the next write of a turn: the group's limits hold for combined writes too (each of its
 * requests waits for its COMMIT); and a group of group_eager or more is committed now when the
 * syncer is idle: a turn runs on while requests keep coming, and the disk would stay idle while
 * those already in the group wait for the turn's end (BENCHMARKS.md, "Saving a visit: the disk
 * kept busy, the serial threads ahead"). */
static void group_limits_hold(store *st, bool sync_idle) {
  if (st->group_open && (st->group_n >= st->group_max || mono_ms() - st->group_t0_ms >= st->group_ms ||
                         (sync_idle && st->group_n >= st->group_eager)))
    group_commit(st);
}

store_combined *store_combined_next(store_conn *w, int done) {
  store *st = w->st;
  if (w != st->writer || !w->grouped) return NULL;
  pthread_mutex_lock(&st->mu);
  store_combined *it = turn_goes_on(st, done) ? st->cq_head : NULL;
  if (it) {
    st->cq_head = it->next;
    if (!st->cq_head) st->cq_tail = NULL;
    it->next = NULL;
  }
  bool sync_idle = !st->sync_busy;
  pthread_mutex_unlock(&st->mu);
  if (it) group_limits_hold(st, sync_idle);
  return it;
}

bool store_combiner_goes_on(store_conn *w, int done) {
  store *st = w->st;
  if (w != st->writer || !w->grouped) return false;
  pthread_mutex_lock(&st->mu);
  bool on = turn_goes_on(st, done);
  bool sync_idle = !st->sync_busy;
  pthread_mutex_unlock(&st->mu);
  if (on) group_limits_hold(st, sync_idle);
  return on;
}

bool store_writes_grouped(const store *st) { return st->grouping && st->writer; }

bool store_serial_thread(void) {
  /* Linux: the nice value is the thread's own (setpriority on its thread id). */
  id_t tid = (id_t)syscall(SYS_gettid);
  errno = 0;
  int now = getpriority(PRIO_PROCESS, tid);
  if (now == -1 && errno != 0) return false;
  int want = now - STORE_SERIAL_NICE < -20 ? -20 : now - STORE_SERIAL_NICE;
  return want < now && setpriority(PRIO_PROCESS, tid, want) == 0;
}

uint64_t store_writer_pass(store_conn *w) {
  if (!w) return 0;
  if (w->in_tx) store_rollback(w);
  uint64_t seq = w->durable_seq;
  w->durable_seq = 0;
  return seq;
}

bool store_unavailable(const store_conn *c) { return c && c->unavailable; }

uint64_t store_conn_serial(const store_conn *c) { return c->st->serial; }

/* ---- statements: thin dispatch ---- */

store_stmt *store_prepare(store_conn *c, const store_sql *q) {
  store_stmt *s = c->be->prepare(c, q);
  if (!s) atomic_fetch_add(&c->st->errors, 1);
  return s;
}
void store_bind_int(store_stmt *s, int i, int64_t v) { s->conn->be->bind_int(s, i, v); }
void store_bind_text(store_stmt *s, int i, const char *v) {
  if (!v)
    s->conn->be->bind_null(s, i);
  else
    s->conn->be->bind_textn(s, i, v, strlen(v));
}
void store_bind_textn(store_stmt *s, int i, const char *v, size_t n) {
  if (!v)
    s->conn->be->bind_null(s, i);
  else
    s->conn->be->bind_textn(s, i, v, n);
}
void store_bind_blob(store_stmt *s, int i, const void *v, size_t n) { s->conn->be->bind_blob(s, i, v, n); }
void store_bind_null(store_stmt *s, int i) { s->conn->be->bind_null(s, i); }
void store_bind_id(store_stmt *s, int i, int64_t v) {
  if (v)
    s->conn->be->bind_int(s, i, v);
  else
    s->conn->be->bind_null(s, i);
}
int store_step(store_stmt *s) {
  int rc = s->conn->be->step(s);
  if (rc < 0 && rc != STORE_CONSTRAINT) atomic_fetch_add(&s->conn->st->errors, 1);
  return rc;
}
int store_col_count(store_stmt *s) { return s->conn->be->col_count(s); }
bool store_col_is_null(store_stmt *s, int i) { return s->conn->be->col_is_null(s, i); }
int64_t store_col_int(store_stmt *s, int i) { return s->conn->be->col_int(s, i); }
const char *store_col_text(store_stmt *s, int i) { return s->conn->be->col_text(s, i); }
const void *store_col_blob(store_stmt *s, int i, size_t *n) { return s->conn->be->col_blob(s, i, n); }
int64_t store_changes(store_stmt *s) { return s->conn->be->changes(s); }
void store_reset(store_stmt *s) {
  if (s) s->conn->be->reset(s);
}

int store_exec(store_conn *c, const char *sql) { return c->be->exec(c, sql); }

/* ---- grouped transactions (store_acquire_grouped): savepoints of one writer transaction ---- */

static bool in_group(const store_conn *c) { return c->writer && c->grouped && c->st->grouping; }

/* Commits the open group (its holder only) and numbers it for the syncer; when the COMMIT fails,
 * the number is remembered as lost, and every request released into the group is told so by
 * store_durable_notify instead of being answered as saved. */
static void group_commit(store *st) {
  store_conn *w = st->writer;
  int n = st->group_n;
  int rc = w->be->exec(w, "COMMIT");
  if (rc != STORE_OK) {
    fprintf(stderr, "store: a grouped commit of %d transaction(s) failed: %s\n", n, w->err);
    if (w->be->in_tx(w)) (void)w->be->exec(w, "ROLLBACK");
  }
  st->group_open = false;
  st->group_n = 0;
  if (n == 0) return; /* nobody waits for it */
  atomic_fetch_add_explicit(&st->groups, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&st->grouped_tx, (uint64_t)n, memory_order_relaxed);
  pthread_mutex_lock(&st->sync_mu);
  uint64_t seq = ++st->commit_seq; /* the number its members were given: commit_seq + 1 */
  if (rc != STORE_OK) st->lost_seqs[st->nlost++ % (sizeof st->lost_seqs / sizeof st->lost_seqs[0])] = seq;
  pthread_cond_signal(&st->sync_work_cv);
  pthread_mutex_unlock(&st->sync_mu);
}

static bool seq_lost(const store *st, uint64_t seq) {
  size_t cap = sizeof st->lost_seqs / sizeof st->lost_seqs[0];
  for (size_t i = 0; i < cap && i < st->nlost; i++)
    if (st->lost_seqs[i] == seq) return true;
  return false;
}

static int group_begin(store_conn *c) {
  store *st = c->st;
  if (c->in_tx) {
    snprintf(c->err, sizeof c->err, "a transaction is already open");
    return STORE_ERROR;
  }
  /* SQLite rolls a whole transaction back on some errors (I/O, disk full): the COMMIT fails and
   * the group's members are told. */
  if (st->group_open && !c->be->in_tx(c)) group_commit(st);
  if (!st->group_open) {
    int rc = c->be->begin(c);
    if (rc != STORE_OK) return rc;
    st->group_open = true;
    st->group_n = 0;
    st->group_t0_ms = mono_ms();
  }
  int rc = c->be->exec(c, "SAVEPOINT hv_tx");
  if (rc == STORE_OK) c->in_tx = true;
  return rc;
}

static int group_rollback(store_conn *c) {
  char why[sizeof c->err];
  memcpy(why, c->err, sizeof why);
  bool unavailable = c->unavailable;
  int rc = c->be->exec(c, "ROLLBACK TO hv_tx");
  if (rc == STORE_OK) rc = c->be->exec(c, "RELEASE hv_tx");
  c->in_tx = false;
  memcpy(c->err, why, sizeof why); /* the reason of the failure, not of its undoing */
  c->unavailable = unavailable;
  return rc;
}

static int group_release(store_conn *c) {
  store *st = c->st;
  int rc = c->be->exec(c, "RELEASE hv_tx");
  if (rc != STORE_OK) {
    (void)group_rollback(c);
    return STORE_ERROR;
  }
  c->in_tx = false;
  st->group_n++;
  pthread_mutex_lock(&st->sync_mu);
  c->durable_seq = st->commit_seq + 1; /* the group's commit, when it comes */
  pthread_mutex_unlock(&st->sync_mu);
  return STORE_OK;
}

int store_begin(store_conn *c) {
  if (in_group(c)) return group_begin(c);
  int rc = c->be->begin(c);
  if (rc == STORE_OK) c->in_tx = true;
  c->tx_read = false;
  return rc;
}
/* The database, not a flag that assumes success, says whether a transaction is still open. */
int store_commit(store_conn *c) {
  if (in_group(c) && c->in_tx) return group_release(c);
  int rc = c->be->exec(c, "COMMIT");
  if (rc == STORE_OK && c->writer) {
    /* numbered for the syncer; the release waits for it (store_durable_start) */
    store *st = c->st;
    pthread_mutex_lock(&st->sync_mu);
    if (st->sync_running) {
      c->durable_seq = ++st->commit_seq;
      pthread_cond_signal(&st->sync_work_cv);
    }
    pthread_mutex_unlock(&st->sync_mu);
  }
  if (rc != STORE_OK && c->be->in_tx(c)) {
    char why[sizeof c->err];
    memcpy(why, c->err, sizeof why); /* keep the COMMIT's reason, not the ROLLBACK's */
    bool unavailable = c->unavailable;
    (void)c->be->exec(c, "ROLLBACK");
    memcpy(c->err, why, sizeof why);
    c->unavailable = unavailable;
  }
  c->in_tx = c->be->in_tx(c);
  return rc == STORE_OK ? STORE_OK : rc == STORE_CONSTRAINT ? STORE_CONSTRAINT : STORE_ERROR;
}
int store_rollback(store_conn *c) {
  if (in_group(c) && c->in_tx) return group_rollback(c);
  int rc = c->be->exec(c, "ROLLBACK");
  c->in_tx = c->be->in_tx(c);
  return rc;
}

static bool savepoint_name_ok(const char *name) {
  if (!name || !*name || strlen(name) > 63) return false;
  for (const char *p = name; *p; p++) {
    char ch = *p;
    bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
    if (!alpha && !(p > name && ch >= '0' && ch <= '9')) return false;
  }
  return true;
}

static int savepoint_cmd(store_conn *c, const char *verb, const char *name) {
  if (!savepoint_name_ok(name)) {
    snprintf(c->err, sizeof c->err, "invalid savepoint name");
    return STORE_ERROR;
  }
  if (!c->in_tx) {
    snprintf(c->err, sizeof c->err, "%s outside a transaction", verb);
    return STORE_ERROR;
  }
  char sql[128];
  snprintf(sql, sizeof sql, "%s %s", verb, name);
  return c->be->exec(c, sql);
}
int store_savepoint(store_conn *c, const char *name) { return savepoint_cmd(c, "SAVEPOINT", name); }
int store_release_savepoint(store_conn *c, const char *name) { return savepoint_cmd(c, "RELEASE SAVEPOINT", name); }
int store_rollback_to(store_conn *c, const char *name) { return savepoint_cmd(c, "ROLLBACK TO SAVEPOINT", name); }

store_stmt *store_prepare_stream(store_conn *c, const store_sql *q) {
  store_stmt *s = store_prepare(c, q);
  if (s && c->be->set_stream) c->be->set_stream(s);
  return s;
}
int store_rows_held(store_stmt *s) { return s->conn->be->rows_held(s); }
const char *store_errmsg(store_conn *c) { return c->err; }

int store_insert_id(store_stmt *s, int64_t *id) {
  int rc = store_step(s);
  *id = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  if (rc == STORE_ROW)
    rc = store_step(s);
  else if (rc == STORE_DONE && s->conn->be->last_insert_id && store_col_count(s) == 0 && store_changes(s) == 1)
    *id = s->conn->be->last_insert_id(s); /* SQLite's text without RETURNING (store.h) */
  store_reset(s);
  if (rc == STORE_DONE && *id <= 0) rc = STORE_ERROR;
  return rc == STORE_DONE || rc == STORE_CONSTRAINT ? rc : STORE_ERROR;
}

/* ---- statement cache ---- */

store_stmt *stmt_cache_get(stmt_cache *sc, const store_sql *q) {
  for (size_t i = 0; i < sc->len; i++)
    if (sc->keys[i] == q) return sc->vals[i];
  return NULL;
}

int stmt_cache_put(stmt_cache *sc, const store_sql *q, store_stmt *s) {
  if (sc->len == sc->cap) {
    size_t ncap = sc->cap ? sc->cap * 2 : 32;
    const store_sql **nk = realloc(sc->keys, ncap * sizeof *nk);
    if (!nk) return -1;
    sc->keys = nk;
    store_stmt **nv = realloc(sc->vals, ncap * sizeof *nv);
    if (!nv) return -1;
    sc->vals = nv;
    sc->cap = ncap;
  }
  sc->keys[sc->len] = q;
  sc->vals[sc->len] = s;
  sc->len++;
  return 0;
}

void stmt_cache_free(stmt_cache *sc, void (*finalize)(store_stmt *)) {
  for (size_t i = 0; i < sc->len; i++) finalize(sc->vals[i]);
  free(sc->keys);
  free(sc->vals);
  memset(sc, 0, sizeof *sc);
}

/* ---- migrations ---- */

STORE_SQL(q_mig_table, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                       " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
STORE_SQL(q_mig_has, "SELECT 1 FROM schema_migrations WHERE version = ?");
STORE_SQL(q_mig_add, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
STORE_SQL(q_mig_max, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");

static int exec_sql(store_conn *c, const store_sql *q) {
  const char *text = (c->be->kind == STORE_PG && q->sql_pg) ? q->sql_pg : q->sql;
  return c->be->exec(c, text);
}

/* SQLite: a table rebuild needs foreign keys off, which cannot change inside a transaction. */
static int set_foreign_keys(store_conn *c, bool on) {
  if (c->be->kind != STORE_SQLITE) return STORE_OK;
  return c->be->exec(c, on ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF");
}

STORE_SQL(q_fk_check, "SELECT COUNT(*) FROM pragma_foreign_key_check");

int store_migrate(store *st, const store_migration *migs, char *err_out, size_t errlen) {
  int applied = 0;
  char scratch[512];
  char *err = err_out ? err_out : scratch;
  if (!err_out) errlen = sizeof scratch;
  store_conn *c = store_acquire(st, true);
  if (!c) {
    set_err(err, errlen, "the database cannot be reached");
    return -1;
  }
  bool fk_off = false;
  for (const store_migration *m = migs; m->version; m++) {
    if (m->steps[0].sql && strcmp(m->steps[0].sql, STORE_MIGRATION_FOREIGN_KEYS_OFF) == 0) {
      if (set_foreign_keys(c, false) != STORE_OK) {
        snprintf(err, errlen, "migration %d: cannot turn foreign keys off: %s", m->version, c->err);
        goto fail;
      }
      fk_off = true;
    }
    if (store_begin(c) != STORE_OK) {
      snprintf(err, errlen, "migration %d: cannot begin: %s", m->version, c->err);
      goto fail;
    }
    /* A migration may build an index on a large table, or wait for another migrator's lock:
     * no statement timeout for it. */
    if (c->be->kind == STORE_PG && c->be->exec(c, "SET LOCAL statement_timeout = 0") != STORE_OK) {
      snprintf(err, errlen, "migration %d: %s", m->version, c->err);
      goto fail_tx;
    }
    if (c->be->lock_migrations && c->be->lock_migrations(c) != STORE_OK) {
      snprintf(err, errlen, "migration %d: cannot lock: %s", m->version, c->err);
      goto fail_tx;
    }
    if (exec_sql(c, &q_mig_table) != STORE_OK) {
      snprintf(err, errlen, "cannot create schema_migrations: %s", c->err);
      goto fail_tx;
    }
    store_stmt *s = store_prepare(c, &q_mig_has);
    if (!s) {
      snprintf(err, errlen, "migration %d: %s", m->version, c->err);
      goto fail_tx;
    }
    store_bind_int(s, 1, m->version);
    int rc = store_step(s);
    store_reset(s);
    if (rc < 0) {
      snprintf(err, errlen, "migration %d: %s", m->version, c->err);
      goto fail_tx;
    }
    if (rc == STORE_ROW) {
      store_rollback(c);
    } else {
      for (const store_sql *q = m->steps; q->sql; q++) {
        if (exec_sql(c, q) != STORE_OK) {
          snprintf(err, errlen, "migration %d (%s) failed: %s", m->version, m->name, c->err);
          goto fail_tx;
        }
      }
      if (fk_off && c->be->kind == STORE_SQLITE) {
        s = store_prepare(c, &q_fk_check);
        rc = s ? store_step(s) : STORE_ERROR;
        int64_t bad = rc == STORE_ROW ? store_col_int(s, 0) : -1;
        store_reset(s);
        if (bad != 0) {
          snprintf(err, errlen, "migration %d (%s): foreign_key_check %s", m->version, m->name,
                   bad < 0 ? c->err : "found rows that refer to nothing");
          goto fail_tx;
        }
      }
      s = store_prepare(c, &q_mig_add);
      if (!s) {
        snprintf(err, errlen, "migration %d: %s", m->version, c->err);
        goto fail_tx;
      }
      store_bind_int(s, 1, m->version);
      store_bind_text(s, 2, m->name);
      store_bind_int(s, 3, (int64_t)time(NULL));
      rc = store_step(s);
      store_reset(s);
      if (rc != STORE_DONE) {
        snprintf(err, errlen, "migration %d: cannot record: %s", m->version, c->err);
        goto fail_tx;
      }
      if (store_commit(c) != STORE_OK) {
        snprintf(err, errlen, "migration %d: cannot commit: %s", m->version, c->err);
        goto fail_tx;
      }
      applied++;
    }
    if (fk_off) {
      if (set_foreign_keys(c, true) != STORE_OK) {
        snprintf(err, errlen, "migration %d: cannot turn foreign keys on again: %s", m->version, c->err);
        goto fail;
      }
      fk_off = false;
    }
  }
  store_release(c);
  return applied;
fail_tx:
  store_rollback(c);
fail:
  if (fk_off) (void)set_foreign_keys(c, true);
  store_release(c);
  return -1;
}

int store_schema_version(store *st) {
  store_conn *c = store_acquire(st, false);
  if (!c) return -1;
  int v = -1;
  store_stmt *s = store_prepare(c, &q_mig_max);
  if (s && store_step(s) == STORE_ROW) v = (int)store_col_int(s, 0);
  store_reset(s);
  store_release(c);
  return v;
}

int store_backup(store *st, const char *path, char *err, size_t errlen) {
  if (!st->be->backup) {
    set_err(err, errlen, "online backup is for the embedded SQLite database; for PostgreSQL use pg_dump");
    return -1;
  }
  store_conn *c = store_acquire(st, false);
  if (!c) {
    set_err(err, errlen, "the database cannot be reached");
    return -1;
  }
  int rc = st->be->backup(c, path, err, errlen);
  store_release(c);
  return rc;
}

void store_get_stats(store *st, store_stats *out) {
  pthread_mutex_lock(&st->mu);
  out->pool_size = st->pool_size + (st->writer ? 1 : 0);
  out->in_use = st->in_use;
  pthread_mutex_unlock(&st->mu);
  out->acquires = atomic_load(&st->acquires);
  out->waits = atomic_load(&st->waits);
  out->errors = atomic_load(&st->errors);
  out->timeouts = atomic_load(&st->timeouts);
  out->reconnects = atomic_load(&st->reconnects);
  out->checkpoints = atomic_load(&st->checkpoints);
  out->wal_restarts = atomic_load(&st->wal_restarts);
  out->groups = atomic_load(&st->groups);
  out->grouped_tx = atomic_load(&st->grouped_tx);
  out->bulk_loads = atomic_load(&st->bulk_loads);
  out->size_bytes = -1;
  store_conn *c = store_acquire(st, false);
  if (c) {
    out->size_bytes = st->be->size_bytes(c);
    store_release(c);
  }
}

bool store_in_transaction(const store_conn *c) { return c->in_tx; }

void store_bind_threads(store *st) { st->bind_threads = true; }

bool store_threads_bound(const store *st) { return st->bind_threads; }

/* SQLite takes a file lock and checks the file at the start of every read transaction; one
 * transaction for all of a request's reads pays that once and gives the request one
 * consistent snapshot. PostgreSQL needs no such thing (it would cost two round trips). */
int store_read_snapshot(store_conn *c) {
  if (c->be->kind != STORE_SQLITE || c->in_tx || c->writer) return STORE_OK;
  int rc = store_begin(c);
  c->tx_read = rc == STORE_OK;
  return rc;
}

int store_read_consistent(store_conn *c) {
  if (c->in_tx) return STORE_OK;
  if (c->be->kind != STORE_PG) return store_read_snapshot(c);
  if (store_begin(c) != STORE_OK) return STORE_ERROR;
  if (c->be->exec(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY") != STORE_OK) {
    store_rollback(c);
    return STORE_ERROR;
  }
  c->tx_read = true;
  return STORE_OK;
}

bool store_sees_committed(const store_conn *c) { return !c->in_tx || c->tx_read; }

int store_analyze(store *st, const char *const *tables) {
  if (st->be->kind != STORE_PG) return STORE_OK;
  char sql[512] = "ANALYZE";
  size_t len = strlen(sql);
  for (size_t i = 0; tables && tables[i]; i++) {
    const char *t = tables[i];
    size_t n = strlen(t);
    if (!n || strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789_") != n || len + n + 3 > sizeof sql) return STORE_ERROR;
    len += (size_t)snprintf(sql + len, sizeof sql - len, "%s %s", i ? "," : "", t);
  }
  if (!tables || !tables[0]) return STORE_ERROR;
  store_conn *c = store_acquire(st, false);
  if (!c) return STORE_ERROR;
  int rc = c->be->exec(c, sql);
  store_release(c);
  return rc;
}

/* ---- maintenance: WAL checkpoints off the request path ---- */

/* A pass every second, every MAINT_BUSY_MS while the WAL grows. Under steady writes a PASSIVE
 * checkpoint never finds the whole WAL copied at the moment a write transaction begins (the next
 * commit is always there first), so SQLite never starts the WAL over and the file grows without
 * end: measured 940 MB in 8 s of visits, each new block of it allocated and zeroed by the file
 * system (13 % of the server's CPU) and each fdatasync of it a journal commit. Past
 * MAINT_RESTART_FRAMES the pass holds the writer for a second checkpoint (the frames written since
 * the first, and the two syncs of a checkpoint): the next write transaction then starts the WAL
 * over, and the file's blocks are written again instead of new ones. */
enum { MAINT_PERIOD_MS = 1000, MAINT_BUSY_MS = 200, MAINT_IDLE_TRUNCATE_S = 10, MAINT_RESTART_FRAMES = 4000,
       MAINT_RESTART_WAIT_MS = 100 };
/* While an import runs (store_bulk_load) a chunk rewrites pages all over the people's indexes
 * (12,000 rows dirtied ~15,000 of their pages at a million people): checkpointed every 200 ms and
 * the WAL restarted past 4,000 frames, each chunk's pages were copied into the database file once
 * or twice, and the writer held for the restart between chunks. Every MAINT_BULK_MS and past
 * MAINT_BULK_RESTART_FRAMES (256 MiB of WAL) instead, a page rewritten by several chunks is copied
 * once: 1M-row import, user + system CPU 57.8 → 52.8 s, system 14.2 → 11.0 s (BENCHMARKS.md, session
 * 19). The WAL file is then at most a few hundred MB while the import runs. */
enum { MAINT_BULK_MS = 3000, MAINT_BULK_RESTART_FRAMES = 65536 };
/* ... and the restart waits for the writer as long as an import's chunk may hold it (up to ~1 s,
 * importer.c): within MAINT_RESTART_WAIT_MS it was never free, the WAL was never started over, and
 * a million-row import grew it to 2–3 GB, each new block of it allocated and zeroed by the file
 * system; now it stays under 1 GB (BENCHMARKS.md, session 21). */
enum { MAINT_BULK_RESTART_WAIT_MS = 3000 };

void store_bulk_load(store *st, bool on) { atomic_fetch_add(&st->bulk_loads, on ? 1 : -1); }

void store_checkpoint_soon(store *st) {
  if (!st || !st->maint_running) return;
  pthread_mutex_lock(&st->mu);
  pthread_cond_signal(&st->maint_cv);
  pthread_mutex_unlock(&st->mu);
}

/* The WAL copied whole while nobody writes (see MAINT_RESTART_FRAMES): 1 when it was, 0 when a
 * reader still needed part of it or the writer was not free within MAINT_RESTART_WAIT_MS. */
static int restart_wal(store *st, store_conn *maint, bool bulk) {
  /* commits an open group first */
  store_conn *w = acquire(st, true, false, bulk ? MAINT_BULK_RESTART_WAIT_MS : MAINT_RESTART_WAIT_MS, NULL);
  if (!w) return 0;
  int64_t frames = 0;
  int done = st->be->checkpoint(maint, false, &frames);
  store_release(w);
  if (done >= 0) atomic_fetch_add(&st->checkpoints, 1);
  return done == 1;
}

static void *maintenance_main(void *arg) {
  store *st = arg;
  (void)pthread_setname_np(pthread_self(), "hv-store-maint");
  char err[256];
  store_conn *c = st->be->connect(st->target, true, err, sizeof err);
  if (!c) {
    fprintf(stderr, "store: the maintenance thread cannot open the database: %s\n", err);
    return NULL;
  }
  c->st = st;
  int64_t last_frames = -1;
  int idle_periods = 0;
  bool truncated = false, growing = false;
  pthread_mutex_lock(&st->mu);
  while (!st->maint_stop) {
    bool bulk = atomic_load(&st->bulk_loads) > 0;
    struct timespec dl = deadline_in(!growing ? MAINT_PERIOD_MS : bulk ? MAINT_BULK_MS : MAINT_BUSY_MS);
    pthread_cond_timedwait(&st->maint_cv, &st->mu, &dl);
    if (st->maint_stop) break;
    pthread_mutex_unlock(&st->mu);
    int64_t frames = 0;
    /* PASSIVE never waits for anyone; writers and readers go on. */
    int done = st->be->checkpoint(c, false, &frames);
    if (done >= 0) atomic_fetch_add(&st->checkpoints, 1);
    growing = frames > last_frames;
    bulk = atomic_load(&st->bulk_loads) > 0; /* (it may have begun during the wait) */
    if (done >= 0 && frames >= (bulk ? MAINT_BULK_RESTART_FRAMES : MAINT_RESTART_FRAMES) && restart_wal(st, c, bulk) == 1)
      atomic_fetch_add(&st->wal_restarts, 1);
    if (frames != last_frames) {
      idle_periods = 0;
      truncated = false;
    } else if (idle_periods < MAINT_IDLE_TRUNCATE_S) {
      idle_periods++;
    }
    last_frames = frames;
    /* Writes have stopped and everything is in the database file: give the WAL's space back. */
    if (done == 1 && frames > 0 && !truncated && idle_periods >= MAINT_IDLE_TRUNCATE_S) {
      int64_t after = 0;
      if (st->be->checkpoint(c, true, &after) == 1) {
        truncated = true;
        last_frames = after;
        atomic_fetch_add(&st->checkpoints, 1);
      }
    }
    pthread_mutex_lock(&st->mu);
  }
  pthread_mutex_unlock(&st->mu);
  st->be->disconnect(c);
  return NULL;
}

int store_maintenance_start(store *st) {
  if (!st->be->checkpoint || st->maint_running) return 0;
  store_conn *w = store_acquire(st, true);
  if (!w) return -1;
  int rc = store_exec(w, "PRAGMA wal_autocheckpoint=0");
  store_release(w);
  if (rc != STORE_OK) return -1;
  st->maint_stop = false;
  if (pthread_create(&st->maint, NULL, maintenance_main, st) != 0) {
    /* no thread: the commits checkpoint again, as before */
    w = store_acquire(st, true);
    if (w) {
      (void)store_exec(w, "PRAGMA wal_autocheckpoint=4000");
      store_release(w);
    }
    return -1;
  }
  st->maint_running = true;
  return 0;
}

static void maintenance_stop(store *st) {
  if (!st->maint_running) return;
  pthread_mutex_lock(&st->mu);
  st->maint_stop = true;
  pthread_cond_signal(&st->maint_cv);
  pthread_mutex_unlock(&st->mu);
  pthread_join(st->maint, NULL);
  st->maint_running = false;
}

/* ---- group commit: SQLite's WAL synced for many commits at once ---- */

/* Calls (outside the lock, which is held on entry and on return) every waiter whose commit is
 * synced now. */
static void notify_synced(store *st) {
  store_durable_waiter *ready = NULL, **pp = &st->sync_waiters;
  while (*pp) {
    store_durable_waiter *w = *pp;
    if (w->seq <= st->synced_seq) {
      *pp = w->next;
      w->next = ready;
      ready = w;
    } else {
      pp = &w->next;
    }
  }
  for (store_durable_waiter *w = ready; w; w = w->next) {
    w->failed = st->sync_failed;
    w->lost = seq_lost(st, w->seq);
  }
  if (!ready) return;
  pthread_mutex_unlock(&st->sync_mu);
  while (ready) {
    store_durable_waiter *w = ready;
    ready = w->next; /* read before fn: fn may end the waiter's owner */
    w->fn(w->arg);
  }
  pthread_mutex_lock(&st->sync_mu);
}

/* The syncer, between two syncs: whether it is inside one (release_conn keeps a group open while
 * it is), and, once it is not, the group left open with the writer free, committed now (the next
 * sync covers it). Both under mu, as the holders' decision, so that an open group is always either
 * held or seen here. */
static void sync_set_busy(store *st) {
  pthread_mutex_lock(&st->mu);
  st->sync_busy = true;
  pthread_mutex_unlock(&st->mu);
}

static void sync_take_group(store *st) {
  pthread_mutex_lock(&st->mu);
  st->sync_busy = false;
  bool take = st->group_open && !st->writer_busy;
  if (take) {
    st->writer_busy = true;
    st->in_use++;
  }
  pthread_mutex_unlock(&st->mu);
  if (!take) return;
  st->writer->in_use = true;
  st->writer->grouped = false;
  group_commit(st);
  release_conn(st->writer, false); /* to the first waiter, or free */
}

static void *syncer_main(void *arg) {
  (void)pthread_setname_np(pthread_self(), "hv-store-sync");
  (void)store_serial_thread(); /* the combiner logs whether it could */
  store *st = arg;
  pthread_mutex_lock(&st->sync_mu);
  for (;;) {
    if (st->synced_seq >= st->commit_seq) {
      if (st->sync_stop) break; /* stopping: only once every numbered commit is synced */
      pthread_cond_wait(&st->sync_work_cv, &st->sync_mu);
      continue;
    }
    uint64_t target = st->commit_seq;
    pthread_mutex_unlock(&st->sync_mu);
    sync_set_busy(st);
    /* Every commit numbered up to `target` has been written to the WAL (COMMIT returned): one
     * fdatasync of the file makes them all durable. No WAL file: nothing to sync. */
    bool failed = false;
    int fd = open(st->wal_path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      if (fdatasync(fd) != 0) {
        fprintf(stderr, "store: fdatasync %s: %s: commits are no longer acknowledged as durable\n", st->wal_path,
                strerror(errno));
        failed = true;
      }
      close(fd);
    } else if (errno != ENOENT) {
      fprintf(stderr, "store: open %s: %s\n", st->wal_path, strerror(errno));
    }
    atomic_fetch_add(&st->syncs, 1);
    sync_take_group(st);
    pthread_mutex_lock(&st->sync_mu);
    if (failed) st->sync_failed = true;
    st->synced_seq = target;
    pthread_cond_broadcast(&st->sync_done_cv);
    notify_synced(st);
  }
  st->synced_seq = st->commit_seq;
  pthread_cond_broadcast(&st->sync_done_cv);
  notify_synced(st);
  pthread_mutex_unlock(&st->sync_mu);
  return NULL;
}

int store_durable_start(store *st) {
  if (st->be->kind != STORE_SQLITE || st->sync_running) return 0;
  size_t n = strlen(st->target) + 5;
  st->wal_path = malloc(n);
  if (!st->wal_path) return -1;
  snprintf(st->wal_path, n, "%s-wal", st->target);
  st->sync_stop = false;
  if (pthread_create(&st->syncer, NULL, syncer_main, st) != 0) {
    free(st->wal_path);
    st->wal_path = NULL;
    return -1;
  }
  pthread_mutex_lock(&st->sync_mu);
  st->sync_running = true;
  pthread_mutex_unlock(&st->sync_mu);
  if (!st->group_max) store_set_group_limits(st, GROUP_MAX, GROUP_MS);
  st->grouping = true; /* set before the server takes requests; read by the writer's holders */
  return 0;
}

static void durable_stop(store *st) {
  if (!st->sync_running) return;
  pthread_mutex_lock(&st->sync_mu);
  st->sync_stop = true;
  pthread_cond_signal(&st->sync_work_cv);
  pthread_mutex_unlock(&st->sync_mu);
  pthread_join(st->syncer, NULL);
  st->grouping = false;
  pthread_mutex_lock(&st->sync_mu);
  st->sync_running = false;
  pthread_cond_broadcast(&st->sync_done_cv);
  pthread_mutex_unlock(&st->sync_mu);
  free(st->wal_path);
  st->wal_path = NULL;
}

void store_set_group_limits(store *st, int max_tx, int max_ms) {
  st->group_max = max_tx > 0 ? max_tx : GROUP_MAX;
  st->group_ms = max_ms > 0 ? max_ms : GROUP_MS;
  st->group_eager = st->group_max < GROUP_EAGER ? st->group_max : GROUP_EAGER;
}

uint64_t store_wal_syncs(const store *st) { return atomic_load(&((store *)st)->syncs); }

/* ---- bulk writes ---- */

struct store_bulk {
  store *st;
  const store_bulk_spec *spec;
  int chunk_rows;
  store_bulk_error_fn on_error;
  void *ctx;
  store_val *vals; /* chunk_rows * ncols; text values point into their own malloc'd copies */
  int nrows;
  int64_t first_row; /* index of vals' first row among all rows added */
  store_bulk_stats stats;
  int failed_rc; /* STORE_OK until a chunk could not be written at all */
  char err[256];
};

enum { BULK_DEFAULT_CHUNK = 1000, BULK_MAX_PARAMS = 999 };

static bool ident_list_ok(const char *s, bool list) {
  if (!s || !*s) return false;
  for (; *s; s++) {
    char ch = *s;
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              (list && (ch == ',' || ch == ' '));
    if (!ok) return false;
  }
  return true;
}

store_bulk *store_bulk_begin(store *st, const store_bulk_spec *spec, int chunk_rows, store_bulk_error_fn on_error,
                             void *ctx) {
  if (!st || !spec || spec->ncols < 1 || spec->ncols > BULK_MAX_PARAMS || !ident_list_ok(spec->table, false) ||
      !ident_list_ok(spec->columns, true))
    return NULL;
  store_bulk *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  b->st = st;
  b->spec = spec;
  b->chunk_rows = chunk_rows > 0 ? chunk_rows : BULK_DEFAULT_CHUNK;
  b->on_error = on_error;
  b->ctx = ctx;
  b->vals = calloc((size_t)b->chunk_rows * (size_t)spec->ncols, sizeof *b->vals);
  if (!b->vals) {
    free(b);
    return NULL;
  }
  return b;
}

static void bulk_clear(store_bulk *b) {
  size_t n = (size_t)b->nrows * (size_t)b->spec->ncols;
  for (size_t i = 0; i < n; i++)
    if (b->vals[i].type == STORE_V_TEXT) free((char *)b->vals[i].s);
  memset(b->vals, 0, n * sizeof *b->vals);
  b->first_row += b->nrows;
  b->nrows = 0;
}

static size_t put(char *dst, size_t o, const char *src) {
  size_t n = strlen(src);
  memcpy(dst + o, src, n);
  return o + n;
}

/* "INSERT INTO t (cols) VALUES (?,..),(?,..)" for n rows; malloc'd. The names are the declaring
 * module's constants, checked by store_bulk_begin; every value is a bound parameter. */
static char *insert_sql(const store_bulk_spec *spec, int n) {
  size_t per = (size_t)spec->ncols * 2 + 3;
  size_t cap = strlen(spec->table) + strlen(spec->columns) + 32 + per * (size_t)n;
  char *sql = malloc(cap);
  if (!sql) return NULL;
  size_t o = put(sql, 0, "INSERT INTO ");
  o = put(sql, o, spec->table);
  o = put(sql, o, " (");
  o = put(sql, o, spec->columns);
  o = put(sql, o, ") VALUES");
  for (int r = 0; r < n; r++) {
    sql[o++] = r ? ',' : ' ';
    sql[o++] = '(';
    for (int k = 0; k < spec->ncols; k++) {
      if (k) sql[o++] = ',';
      sql[o++] = '?';
    }
    sql[o++] = ')';
  }
  sql[o] = '\0';
  return sql;
}

/* A bulk row's value, its text not copied where the backend can do without: the rows outlive the
 * statement's step, and every step binds every parameter again (run_rows). */
static void bind_val(store_stmt *s, int i, const store_val *v) {
  switch (v->type) {
    case STORE_V_INT: store_bind_int(s, i, v->i); break;
    case STORE_V_TEXT:
      if (v->s && s->conn->be->bind_textn_static) s->conn->be->bind_textn_static(s, i, v->s, strlen(v->s));
      else store_bind_text(s, i, v->s);
      break;
    default: store_bind_null(s, i); break;
  }
}

/* An uncached INSERT of n rows; the caller finalizes it. */
static store_stmt *prepare_insert(store_bulk *b, store_conn *c, int n) {
  char *text = insert_sql(b->spec, n);
  if (!text) {
    snprintf(c->err, sizeof c->err, "out of memory");
    return NULL;
  }
  store_sql q = {text, NULL};
  store_stmt *s = c->be->prepare_once(c, &q);
  free(text); /* both backends keep their own copy of the text */
  return s;
}

/* Binds rows [from, from + n) of the chunk to s and runs it. */
static int run_rows(store_bulk *b, store_stmt *s, int from, int n) {
  int nc = b->spec->ncols;
  for (int r = 0; r < n; r++)
    for (int k = 0; k < nc; k++) bind_val(s, r * nc + k + 1, &b->vals[(size_t)(from + r) * (size_t)nc + (size_t)k]);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? STORE_OK : rc;
}

/* The fast way: the whole chunk in as few statements as possible (COPY, or multi-row INSERTs of
 * up to 100 rows, the full-size one prepared once per chunk). */
static int bulk_fast(store_bulk *b, store_conn *c) {
  if (c->be->copy_rows) return c->be->copy_rows(c, b->spec, b->vals, b->nrows);
  int per_stmt = BULK_MAX_PARAMS / b->spec->ncols;
  if (per_stmt > 100) per_stmt = 100;
  store_stmt *full = NULL;
  int rc = STORE_OK;
  for (int from = 0; from < b->nrows && rc == STORE_OK; from += per_stmt) {
    int n = b->nrows - from < per_stmt ? b->nrows - from : per_stmt;
    if (n == per_stmt) {
      if (!full) full = prepare_insert(b, c, n);
      rc = full ? run_rows(b, full, from, n) : STORE_ERROR;
    } else {
      store_stmt *tail = prepare_insert(b, c, n);
      rc = tail ? run_rows(b, tail, from, n) : STORE_ERROR;
      if (tail) c->be->finalize(tail);
    }
  }
  if (full) c->be->finalize(full);
  return rc;
}

int store_insert_rows(store_conn *c, const store_bulk_spec *spec, const store_val *vals, int nrows) {
  if (!c || !spec || nrows < 0 || spec->ncols < 1 || spec->ncols > BULK_MAX_PARAMS || !ident_list_ok(spec->table, false) ||
      !ident_list_ok(spec->columns, true))
    return STORE_ERROR;
  if (nrows == 0) return STORE_OK;
  store_bulk b = {.spec = spec, .vals = (store_val *)vals, .nrows = nrows};
  return bulk_fast(&b, c);
}

/* The slow way, after the fast one failed: row by row, each under a savepoint, so that a bad
 * row is reported and skipped and the transaction goes on. */
static int bulk_row_by_row(store_bulk *b, store_conn *c) {
  store_stmt *s = prepare_insert(b, c, 1);
  int rc = s ? STORE_OK : STORE_ERROR;
  int nc = b->spec->ncols;
  for (int r = 0; s && r < b->nrows && rc == STORE_OK; r++) {
    rc = store_savepoint(c, "hv_bulk_row");
    if (rc != STORE_OK) break;
    for (int k = 0; k < nc; k++) bind_val(s, k + 1, &b->vals[(size_t)r * (size_t)nc + (size_t)k]);
    int step = store_step(s);
    store_reset(s);
    if (step == STORE_DONE) {
      rc = store_release_savepoint(c, "hv_bulk_row");
      if (rc == STORE_OK) b->stats.inserted++;
      continue;
    }
    if (c->unavailable) {
      rc = STORE_UNAVAILABLE;
      break;
    }
    char why[sizeof c->err];
    memcpy(why, c->err, sizeof why);
    rc = store_rollback_to(c, "hv_bulk_row");
    if (rc == STORE_OK) rc = store_release_savepoint(c, "hv_bulk_row");
    if (rc != STORE_OK) break;
    b->stats.failed++;
    if (b->on_error) b->on_error(b->ctx, b->first_row + r, step, why);
  }
  if (s) c->be->finalize(s);
  return rc;
}

static int bulk_flush(store_bulk *b) {
  if (b->failed_rc != STORE_OK) return b->failed_rc;
  if (b->nrows == 0) return STORE_OK;
  store_why why = STORE_WHY_NONE;
  store_conn *c = store_acquire_timed(b->st, true, -1, &why);
  int rc = STORE_UNAVAILABLE;
  if (!c) {
    snprintf(b->err, sizeof b->err, "%s",
             why == STORE_WHY_BUSY ? "the writer stayed busy past the deadline" : "the database cannot be reached");
    goto done;
  }
  rc = store_begin(c);
  if (rc == STORE_OK) rc = bulk_fast(b, c);
  if (rc == STORE_OK) rc = store_commit(c);
  if (rc == STORE_OK) {
    b->stats.inserted += b->nrows;
  } else if (!c->unavailable) {
    /* Some row was refused: find which, keep the others. */
    if (c->in_tx) store_rollback(c);
    b->stats.fallbacks++;
    rc = store_begin(c);
    if (rc == STORE_OK) {
      int64_t before = b->stats.inserted, failed_before = b->stats.failed;
      rc = bulk_row_by_row(b, c);
      if (rc == STORE_OK) rc = store_commit(c);
      if (rc != STORE_OK) { /* nothing of this chunk was kept */
        b->stats.inserted = before;
        b->stats.failed = failed_before;
      }
    }
  }
  if (rc == STORE_OK) {
    b->stats.chunks++;
  } else {
    snprintf(b->err, sizeof b->err, "%s", c->err);
    if (c->unavailable) rc = STORE_UNAVAILABLE;
    else if (rc != STORE_UNAVAILABLE) rc = STORE_ERROR;
  }
  store_release(c); /* rolls back what is still open */
done:
  if (rc != STORE_OK) b->failed_rc = rc;
  bulk_clear(b);
  return rc;
}

int store_bulk_add(store_bulk *b, const store_val *row) {
  if (b->failed_rc != STORE_OK) return b->failed_rc;
  int nc = b->spec->ncols;
  store_val *dst = &b->vals[(size_t)b->nrows * (size_t)nc];
  for (int k = 0; k < nc; k++) {
    dst[k] = row[k];
    if (row[k].type == STORE_V_TEXT) {
      dst[k].s = row[k].s ? strdup(row[k].s) : NULL;
      if (!dst[k].s) {
        dst[k].type = STORE_V_NULL;
        for (int j = 0; j < k; j++)
          if (dst[j].type == STORE_V_TEXT) free((char *)dst[j].s);
        memset(dst, 0, (size_t)nc * sizeof *dst);
        snprintf(b->err, sizeof b->err, "out of memory");
        return b->failed_rc = STORE_ERROR;
      }
    }
  }
  b->nrows++;
  b->stats.added++;
  if (b->nrows == b->chunk_rows) return bulk_flush(b);
  return STORE_OK;
}

int store_bulk_finish(store_bulk *b, store_bulk_stats *out) {
  if (!b) return STORE_ERROR;
  int rc = bulk_flush(b);
  if (b->nrows) bulk_clear(b);
  if (out) *out = b->stats;
  free(b->vals);
  free(b);
  return rc;
}

const char *store_bulk_errmsg(const store_bulk *b) { return b->err; }
/* ---- notifications (see store.h) ---- */

int store_notify(store_conn *c, const char *channel, const char *payload) {
  if (!c->be->notify) return STORE_OK;
  return c->be->notify(c, channel, payload);
}

store_conn *store_listen(store *st, const char *channel, char *err, size_t errlen) {
  if (!st->be->listen || !st->be->wait_notify) {
    set_err(err, errlen, "this database has no notifications");
    return NULL;
  }
  store_conn *c = st->be->connect(st->target, false, err, errlen);
  if (!c) return NULL;
  c->st = st;
  c->in_use = true;
  if (st->be->listen(c, channel) != STORE_OK) {
    set_err(err, errlen, c->err);
    st->be->disconnect(c);
    return NULL;
  }
  return c;
}

int store_listen_wait(store_conn *c, int timeout_ms, store_notify_cb cb, void *ctx) {
  return c->be->wait_notify(c, timeout_ms, cb, ctx);
}

int store_notify_mark(store_conn *c, int64_t *mark) {
  if (!c || !c->be->notify_mark) return STORE_ERROR;
  return c->be->notify_mark(c, mark);
}

int store_listen_mark(store_conn *c, int64_t *mark) {
  if (!c || !c->be->listen_mark) return STORE_ERROR;
  return c->be->listen_mark(c, mark);
}

int store_listen_ping(store_conn *c) {
  if (c->be->broken(c)) return STORE_ERROR;
  return c->be->exec(c, "SELECT 1");
}

void store_listen_close(store_conn *c) {
  if (c) c->be->disconnect(c);
}

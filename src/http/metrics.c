/* metrics.c: lock-free counters (atomics) rendered in the Prometheus text format.
 * Owns: the counters. Labels come from the route table, never from request data, so the
 * number of series is bounded. */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"

static const int status_codes[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 503};
#define NSTATUS ((int)(sizeof status_codes / sizeof status_codes[0]) + 1) /* + other */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NB ((int)(sizeof bounds / sizeof bounds[0]))

typedef struct series {
  atomic_uint_fast64_t by_status[NSTATUS];
  atomic_uint_fast64_t bucket[NB + 1];
  atomic_uint_fast64_t sum_us;
  atomic_uint_fast64_t count;
} series;

struct metrics {
  int nroutes;
  series *s; /* nroutes + 2: unmatched, static */
  atomic_int conns;
  atomic_uint_fast64_t login_refused[LOGIN_REFUSED_COUNT];
  atomic_uint_fast64_t pool_refused;
};

static const char *const refused_reason[LOGIN_REFUSED_COUNT] = {"/api/v1/session", "/api/v1/me/password"};

metrics *metrics_new(int nroutes) {
  metrics *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->nroutes = nroutes;
  m->s = calloc((size_t)nroutes + 2, sizeof *m->s);
  if (!m->s) {
    free(m);
    return NULL;
  }
  return m;
}

void metrics_free(metrics *m) {
  if (!m) return;
  free(m->s);
  free(m);
}

static series *series_of(metrics *m, int ri) {
  if (ri >= 0 && ri < m->nroutes) return &m->s[ri];
  return &m->s[m->nroutes + (ri == -2 ? 1 : 0)];
}

void metrics_observe(metrics *m, int ri, int status, double seconds) {
  series *s = series_of(m, ri);
  int si = NSTATUS - 1;
  for (int i = 0; i < NSTATUS - 1; i++)
    if (status_codes[i] == status) si = i;
  atomic_fetch_add_explicit(&s->by_status[si], 1, memory_order_relaxed);
  int b = NB;
  for (int i = 0; i < NB; i++)
    if (seconds <= bounds[i]) {
      b = i;
      break;
    }
  atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&s->sum_us, (uint_fast64_t)(seconds * 1e6), memory_order_relaxed);
  atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

void metrics_conn(metrics *m, int delta) { atomic_fetch_add(&m->conns, delta); }

void metrics_login_refused(metrics *m, login_refused_kind k) {
  if (m && k >= 0 && k < LOGIN_REFUSED_COUNT) atomic_fetch_add_explicit(&m->login_refused[k], 1, memory_order_relaxed);
}

void metrics_pool_refused(metrics *m) {
  if (m) atomic_fetch_add_explicit(&m->pool_refused, 1, memory_order_relaxed);
}

static void labels(buf *out, metrics *m, int i) {
  if (i < m->nroutes)
    buf_printf(out, "method=\"%s\",route=\"%s\"", routes[i].method, routes[i].path);
  else
    buf_printf(out, "method=\"any\",route=\"%s\"", i == m->nroutes ? "unmatched" : "static");
}

void metrics_render(metrics *m, app *a, buf *out) {
  int n = m->nroutes + 2;
  buf_puts(out, "# HELP hocvuso_http_requests_total HTTP requests answered, by route and status.\n"
                "# TYPE hocvuso_http_requests_total counter\n");
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < NSTATUS; k++) {
      uint64_t v = atomic_load_explicit(&m->s[i].by_status[k], memory_order_relaxed);
      if (!v) continue;
      buf_puts(out, "hocvuso_http_requests_total{");
      labels(out, m, i);
      if (k < NSTATUS - 1)
        buf_printf(out, ",status=\"%d\"} %llu\n", status_codes[k], (unsigned long long)v);
      else
        buf_printf(out, ",status=\"other\"} %llu\n", (unsigned long long)v);
    }
  }
  buf_puts(out, "# HELP hocvuso_http_request_duration_seconds Time from the request's first byte to its answer.\n"
                "# TYPE hocvuso_http_request_duration_seconds histogram\n");
  for (int i = 0; i < n; i++) {
    series *s = &m->s[i];
    uint64_t count = atomic_load_explicit(&s->count, memory_order_relaxed);
    if (!count) continue;
    uint64_t cum = 0;
    for (int b = 0; b <= NB; b++) {
      cum += atomic_load_explicit(&s->bucket[b], memory_order_relaxed);
      if (cum > count) cum = count;
      buf_puts(out, "hocvuso_http_request_duration_seconds_bucket{");
      labels(out, m, i);
      if (b < NB)
        buf_printf(out, ",le=\"%g\"} %llu\n", bounds[b], (unsigned long long)cum);
      else
        buf_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)count);
    }
    buf_puts(out, "hocvuso_http_request_duration_seconds_sum{");
    labels(out, m, i);
    buf_printf(out, "} %.6f\n", (double)atomic_load_explicit(&s->sum_us, memory_order_relaxed) / 1e6);
    buf_puts(out, "hocvuso_http_request_duration_seconds_count{");
    labels(out, m, i);
    buf_printf(out, "} %llu\n", (unsigned long long)count);
  }
  store_stats st;
  store_get_stats(a->st, &st);
  buf_printf(out,
             "# HELP hocvuso_http_connections Open HTTP connections.\n"
             "# TYPE hocvuso_http_connections gauge\n"
             "hocvuso_http_connections %d\n"
             "# HELP hocvuso_db_connections Database connections in the pool, by state.\n"
             "# TYPE hocvuso_db_connections gauge\n"
             "hocvuso_db_connections{state=\"open\"} %d\n"
             "hocvuso_db_connections{state=\"in_use\"} %d\n"
             "# HELP hocvuso_db_acquires_total Database connections taken from the pool.\n"
             "# TYPE hocvuso_db_acquires_total counter\n"
             "hocvuso_db_acquires_total %llu\n"
             "# HELP hocvuso_db_acquire_waits_total Takes that had to wait for a free connection.\n"
             "# TYPE hocvuso_db_acquire_waits_total counter\n"
             "hocvuso_db_acquire_waits_total %llu\n"
             "# HELP hocvuso_db_errors_total Failed database operations.\n"
             "# TYPE hocvuso_db_errors_total counter\n"
             "hocvuso_db_errors_total %llu\n",
             atomic_load(&m->conns), st.pool_size, st.in_use, (unsigned long long)st.acquires,
             (unsigned long long)st.waits, (unsigned long long)st.errors);
  buf_printf(out,
             "# HELP hocvuso_db_wal_syncs_total SQLite group commit: WAL syncs, each making every commit since the last durable.\n"
             "# TYPE hocvuso_db_wal_syncs_total counter\n"
             "hocvuso_db_wal_syncs_total %llu\n"
             "# HELP hocvuso_db_grouped_commits_total SQLite: commits of one transaction holding the savepoints of several requests.\n"
             "# TYPE hocvuso_db_grouped_commits_total counter\n"
             "hocvuso_db_grouped_commits_total %llu\n"
             "# HELP hocvuso_db_grouped_transactions_total SQLite: requests' transactions committed in a grouped commit.\n"
             "# TYPE hocvuso_db_grouped_transactions_total counter\n"
             "hocvuso_db_grouped_transactions_total %llu\n",
             (unsigned long long)store_wal_syncs(a->st), (unsigned long long)st.groups,
             (unsigned long long)st.grouped_tx);
  if (st.size_bytes >= 0)
    buf_printf(out,
               "# HELP hocvuso_db_size_bytes Size of the database.\n"
               "# TYPE hocvuso_db_size_bytes gauge\n"
               "hocvuso_db_size_bytes %lld\n",
               (long long)st.size_bytes);
  buf_puts(out,
           "# HELP hocvuso_login_refused_total Log-in attempts refused by the throttle (429), before any password check.\n"
           "# TYPE hocvuso_login_refused_total counter\n");
  for (int k = 0; k < LOGIN_REFUSED_COUNT; k++)
    buf_printf(out, "hocvuso_login_refused_total{route=\"%s\"} %llu\n", refused_reason[k],
               (unsigned long long)atomic_load(&m->login_refused[k]));
  buf_printf(out,
             "# HELP hocvuso_hashpool_refused_total Requests answered 503 because the password hashing queue was full.\n"
             "# TYPE hocvuso_hashpool_refused_total counter\n"
             "hocvuso_hashpool_refused_total %llu\n",
             (unsigned long long)atomic_load(&m->pool_refused));
  buf_printf(out,
             "# HELP hocvuso_db_info The storage backend in use.\n"
             "# TYPE hocvuso_db_info gauge\n"
             "hocvuso_db_info{backend=\"%s\"} 1\n"
             "# HELP hocvuso_uptime_seconds Seconds since the server started.\n"
             "# TYPE hocvuso_uptime_seconds gauge\n"
             "hocvuso_uptime_seconds %.3f\n",
             store_kind_name(a->st), clock_mono() - a->started);
}

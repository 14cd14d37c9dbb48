/* store.c: the backend-neutral half of the storage layer.
 * Owns: the connection pool (readers + SQLite's single writer), dispatch to the backend
 * vtable, the statement cache helper, migrations and pool statistics.
 * Never: contains SQL of a domain table, or a dialect branch outside a store_sql pair.
 */
#include "store/backend.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct store {
  const store_backend *be;
  char *target;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  store_conn *free_list; /* readers (and, on PostgreSQL, writers) */
  store_conn *all;       /* every reader opened, bound to a thread or not */
  int pool_size;         /* readers opened so far */
  int pool_max;
  int in_use;
  /* SQLite: the one writer connection and its own lock. */
  store_conn *writer;
  bool writer_busy;
  pthread_cond_t writer_cv;
  atomic_uint_fast64_t acquires, waits, errors;
  bool bind_threads; /* readers stay with the thread that opened them */
};

static bool is_pg_target(const char *t) {
  return strncmp(t, "postgresql://", 13) == 0 || strncmp(t, "postgres://", 11) == 0;
}

static void set_err(char *err, size_t errlen, const char *msg) {
  if (err && errlen) snprintf(err, errlen, "%s", msg);
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
  if (!st->target) {
    set_err(err, errlen, "out of memory");
    free(st);
    return NULL;
  }
  pthread_mutex_init(&st->mu, NULL);
  pthread_cond_init(&st->cv, NULL);
  pthread_cond_init(&st->writer_cv, NULL);
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

void store_close(store *st) {
  if (!st) return;
  store_conn *c = st->all;
  while (c) {
    store_conn *n = c->next_all;
    st->be->disconnect(c);
    c = n;
  }
  if (st->writer) st->be->disconnect(st->writer);
  pthread_mutex_destroy(&st->mu);
  pthread_cond_destroy(&st->cv);
  pthread_cond_destroy(&st->writer_cv);
  free(st->target);
  free(st);
}

store_kind store_kind_of(const store *st) { return st->be->kind; }
const char *store_kind_name(const store *st) { return st->be->name; }
store_kind store_conn_kind(const store_conn *c) { return c->be->kind; }

/* Each thread keeps the reader it last used, so a request on a worker thread takes and gives
 * back its connection without touching the pool's lock. The connection stays owned by the
 * store (on `all`) and is closed by store_close. */
static _Thread_local store_conn *tl_reader;
static _Thread_local store *tl_store;

static void replace_list_entry(store *st, store_conn *old, store_conn *fresh) {
  for (store_conn **pp = &st->all; *pp; pp = &(*pp)->next_all)
    if (*pp == old) {
      fresh->next_all = old->next_all;
      *pp = fresh;
      return;
    }
}

store_conn *store_acquire(store *st, bool write) {
  atomic_fetch_add_explicit(&st->acquires, 1, memory_order_relaxed);
  if (!write && tl_store == st && tl_reader && !tl_reader->in_use) {
    store_conn *c = tl_reader;
    if (!st->be->broken(c)) {
      c->in_use = true;
      return c;
    }
    char err[256];
    store_conn *fresh = st->be->connect(st->target, false, err, sizeof err);
    if (!fresh) {
      atomic_fetch_add(&st->errors, 1);
      return NULL;
    }
    fresh->st = st;
    fresh->thread_bound = true;
    fresh->in_use = true;
    pthread_mutex_lock(&st->mu);
    replace_list_entry(st, c, fresh);
    pthread_mutex_unlock(&st->mu);
    st->be->disconnect(c);
    tl_reader = fresh;
    return fresh;
  }
  pthread_mutex_lock(&st->mu);
  if (write && st->writer) {
    if (st->writer_busy) atomic_fetch_add(&st->waits, 1);
    while (st->writer_busy) pthread_cond_wait(&st->writer_cv, &st->mu);
    st->writer_busy = true;
    st->in_use++;
    pthread_mutex_unlock(&st->mu);
    st->writer->in_use = true;
    return st->writer;
  }
  bool waited = false;
  for (;;) {
    if (st->free_list) {
      store_conn *c = st->free_list;
      st->free_list = c->next_free;
      c->next_free = NULL;
      c->in_use = true;
      st->in_use++;
      pthread_mutex_unlock(&st->mu);
      if (st->be->broken(c)) {
        /* Replace a connection the server dropped (PostgreSQL restarted, say). */
        char err[256];
        store_conn *fresh = st->be->connect(st->target, false, err, sizeof err);
        st->be->disconnect(c);
        if (!fresh) {
          atomic_fetch_add(&st->errors, 1);
          pthread_mutex_lock(&st->mu);
          st->in_use--;
          st->pool_size--;
          pthread_cond_signal(&st->cv);
          pthread_mutex_unlock(&st->mu);
          return NULL;
        }
        fresh->st = st;
        fresh->in_use = true;
        pthread_mutex_lock(&st->mu);
        replace_list_entry(st, c, fresh);
        pthread_mutex_unlock(&st->mu);
        c = fresh;
      }
      return c;
    }
    if (st->pool_size < st->pool_max) {
      st->pool_size++;
      pthread_mutex_unlock(&st->mu);
      char err[256];
      store_conn *c = st->be->connect(st->target, false, err, sizeof err);
      pthread_mutex_lock(&st->mu);
      if (!c) {
        st->pool_size--;
        atomic_fetch_add(&st->errors, 1);
        pthread_mutex_unlock(&st->mu);
        fprintf(stderr, "store: cannot open a connection: %s\n", err);
        return NULL;
      }
      c->st = st;
      c->in_use = true;
      c->next_all = st->all;
      st->all = c;
      st->in_use++;
      if (!write && st->bind_threads && tl_store != st) {
        /* This thread's own reader from now on. */
        c->thread_bound = true;
        st->in_use--;
        tl_store = st;
        tl_reader = c;
      }
      pthread_mutex_unlock(&st->mu);
      return c;
    }
    if (!waited) {
      atomic_fetch_add(&st->waits, 1);
      waited = true;
    }
    pthread_cond_wait(&st->cv, &st->mu);
  }
}

void store_release(store_conn *c) {
  if (!c) return;
  store *st = c->st;
  /* A transaction left open by a failed path must not leak into the next user. */
  if (c->in_tx) store_rollback(c);
  if (c->thread_bound) {
    c->in_use = false;
    return;
  }
  pthread_mutex_lock(&st->mu);
  c->in_use = false;
  st->in_use--;
  if (c == st->writer) {
    st->writer_busy = false;
    pthread_cond_signal(&st->writer_cv);
  } else {
    c->next_free = st->free_list;
    st->free_list = c;
    pthread_cond_signal(&st->cv);
  }
  pthread_mutex_unlock(&st->mu);
}

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
int store_begin(store_conn *c) {
  int rc = c->be->begin(c);
  if (rc == STORE_OK) c->in_tx = true;
  return rc;
}
int store_commit(store_conn *c) {
  int rc = c->be->exec(c, "COMMIT");
  c->in_tx = false;
  return rc;
}
int store_rollback(store_conn *c) {
  int rc = c->be->exec(c, "ROLLBACK");
  c->in_tx = false;
  return rc;
}
const char *store_errmsg(store_conn *c) { return c->err; }

int store_insert_id(store_stmt *s, int64_t *id) {
  int rc = store_step(s);
  *id = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  if (rc == STORE_ROW) rc = store_step(s);
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
  for (const store_migration *m = migs; m->version; m++) {
    if (store_begin(c) != STORE_OK) {
      snprintf(err, errlen, "migration %d: cannot begin: %s", m->version, c->err);
      goto fail;
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
      continue;
    }
    for (const store_sql *q = m->steps; q->sql; q++) {
      if (exec_sql(c, q) != STORE_OK) {
        snprintf(err, errlen, "migration %d (%s) failed: %s", m->version, m->name, c->err);
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
  store_release(c);
  return applied;
fail_tx:
  store_rollback(c);
fail:
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
  out->size_bytes = -1;
  store_conn *c = store_acquire(st, false);
  if (c) {
    out->size_bytes = st->be->size_bytes(c);
    store_release(c);
  }
}

bool store_in_transaction(const store_conn *c) { return c->in_tx; }

void store_bind_threads(store *st) { st->bind_threads = true; }

/* SQLite takes a file lock and checks the file at the start of every read transaction; one
 * transaction for all of a request's reads pays that once and gives the request one
 * consistent snapshot. PostgreSQL needs no such thing (it would cost two round trips). */
int store_read_snapshot(store_conn *c) {
  if (c->be->kind != STORE_SQLITE || c->in_tx || c->writer) return STORE_OK;
  return store_begin(c);
}

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

int store_listen_ping(store_conn *c) {
  if (c->be->broken(c)) return STORE_ERROR;
  return c->be->exec(c, "SELECT 1");
}

void store_listen_close(store_conn *c) {
  if (c) c->be->disconnect(c);
}

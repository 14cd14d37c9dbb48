/* store.h: the storage interface every domain module talks to.
 * Owns: the two backends (SQLite in WAL mode, PostgreSQL through libpq), connection pooling,
 * prepared-statement caching, transactions and migrations.
 * Never: lets a dialect difference or a backend type leak above this header.
 *
 * SQL is written once with `?` placeholders; the PostgreSQL backend rewrites them to $1..$n.
 * A statement is declared as a static `store_sql` by the module that owns its table (STORE_SQL),
 * and is prepared at most once per connection (cached by the address of its declaration).
 * Where the dialects cannot share a text, `sql_pg` holds PostgreSQL's and `sql` SQLite's.
 *
 * Threads: a `store` is shared; a `store_conn` is used by one thread at a time, between
 * store_acquire() and store_release(). SQLite writes go through the single writer connection
 * (store_acquire(st, true)), so bursts queue in the process instead of waiting on file locks.
 */
#ifndef HOCVUSO_STORE_H
#define HOCVUSO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store store;
typedef struct store_conn store_conn;
typedef struct store_stmt store_stmt;

typedef enum { STORE_SQLITE = 1, STORE_PG = 2 } store_kind;

/* Return codes. Errors are negative. */
enum {
  STORE_OK = 0,
  STORE_ROW = 1,         /* store_step: a row is ready */
  STORE_DONE = 2,        /* store_step: no more rows */
  STORE_ERROR = -1,      /* anything else; store_errmsg() says what */
  STORE_CONSTRAINT = -2, /* a UNIQUE / FOREIGN KEY / CHECK constraint refused the write */
};

typedef struct store_sql {
  const char *sql;    /* portable text with ? placeholders (also SQLite's when sql_pg is set) */
  const char *sql_pg; /* PostgreSQL's text when it differs, else NULL */
} store_sql;

/* Declares a statement owned by the current module. */
#define STORE_SQL(name, text) static const store_sql name = {text, NULL}
#define STORE_SQL2(name, sqlite_text, pg_text) static const store_sql name = {sqlite_text, pg_text}

/* Opens a database. `target` is a libpq URI (postgresql://… or postgres://…) for PostgreSQL,
 * otherwise the path of an SQLite file (created when absent). `pool` is the number of
 * connections kept for readers (at least 1). On failure returns NULL and writes a message. */
store *store_open(const char *target, int pool, char *err, size_t errlen);
void store_close(store *st);
store_kind store_kind_of(const store *st);
const char *store_kind_name(const store *st); /* "sqlite" or "postgresql" */

/* Takes a connection for this thread; blocks while none is free. `write` asks for the
 * writer (SQLite: the single writer connection; PostgreSQL: any pooled connection).
 * Returns NULL only when the database cannot be reached (PostgreSQL down). */
store_conn *store_acquire(store *st, bool write);
void store_release(store_conn *c);
/* From now on each thread keeps the reader it opens and takes it back without the pool's
 * lock. For a fixed set of long-lived threads (the server's workers), at most pool - 2 of
 * them, so that others still find a connection. */
void store_bind_threads(store *st);
store_kind store_conn_kind(const store_conn *c);

/* Prepared statements. The returned statement belongs to the connection's cache; call
 * store_reset() when done with it (it clears bindings and results). NULL on error. */
store_stmt *store_prepare(store_conn *c, const store_sql *q);
/* Parameters are 1-based. Text is copied; NULL text binds SQL NULL. */
void store_bind_int(store_stmt *s, int i, int64_t v);
void store_bind_text(store_stmt *s, int i, const char *v);
void store_bind_textn(store_stmt *s, int i, const char *v, size_t n);
void store_bind_blob(store_stmt *s, int i, const void *v, size_t n);
void store_bind_null(store_stmt *s, int i);
/* Binds v, or SQL NULL when v is 0 (ids are positive; 0 means "none"). */
void store_bind_id(store_stmt *s, int i, int64_t v);
/* Runs or advances: STORE_ROW, STORE_DONE, or a negative error. */
int store_step(store_stmt *s);
/* Columns are 0-based, valid until the next step or reset. */
int store_col_count(store_stmt *s);
bool store_col_is_null(store_stmt *s, int i);
int64_t store_col_int(store_stmt *s, int i);
const char *store_col_text(store_stmt *s, int i); /* NULL for SQL NULL */
const void *store_col_blob(store_stmt *s, int i, size_t *n);
/* Rows changed by the last INSERT/UPDATE/DELETE that ran to STORE_DONE. */
int64_t store_changes(store_stmt *s);
void store_reset(store_stmt *s);
/* Runs an INSERT … RETURNING id to the end and resets the statement: STORE_DONE with *id set,
 * STORE_CONSTRAINT, or STORE_ERROR. */
int store_insert_id(store_stmt *s, int64_t *id);

/* Runs a statement that returns no rows and takes no parameters (DDL, pragmas). */
int store_exec(store_conn *c, const char *sql);
int store_begin(store_conn *c); /* SQLite: BEGIN IMMEDIATE on the writer */
int store_commit(store_conn *c);
int store_rollback(store_conn *c);
bool store_in_transaction(const store_conn *c);
/* The reads that follow on this reader see one snapshot until store_release (cheaper on
 * SQLite, where each statement would otherwise start its own read transaction). */
int store_read_snapshot(store_conn *c);
const char *store_errmsg(store_conn *c);

/* Migrations: numbered, each applied in one transaction and recorded in schema_migrations,
 * so running them twice changes nothing. Returns how many were applied, or -1. */
typedef struct store_migration {
  int version;
  const char *name;
  const store_sql *steps; /* terminated by an entry whose sql is NULL */
} store_migration;
int store_migrate(store *st, const store_migration *migs, char *err, size_t errlen);
int store_schema_version(store *st);

/* Online copy of an SQLite database to `path` while others keep writing (SQLite's backup API).
 * PostgreSQL answers -1 with a message pointing at pg_dump. */
int store_backup(store *st, const char *path, char *err, size_t errlen);

/* Figures for /metrics. */
typedef struct store_stats {
  int pool_size;
  int in_use;
  uint64_t acquires;
  uint64_t waits; /* acquires that had to wait for a free connection */
  uint64_t errors;
  int64_t size_bytes; /* database size on disk, -1 if unknown */
} store_stats;
void store_get_stats(store *st, store_stats *out);

/* Notifications between processes sharing a database (PostgreSQL LISTEN/NOTIFY).
 * store_notify queues `payload` on `channel`; inside a transaction it is delivered when (and
 * only if) the transaction commits. On SQLite it does nothing and answers STORE_OK: there is
 * no channel between processes, and store_listen answers NULL.
 * store_listen opens a dedicated connection (outside the pool) listening on `channel`; only
 * store_listen_wait and store_listen_close may be called on it, from one thread.
 * store_listen_wait waits up to timeout_ms and calls cb for each notification received:
 * STORE_OK (also on timeout), or STORE_ERROR when the connection was lost (then close it and
 * listen again: notifications may have been missed). */
typedef void (*store_notify_cb)(void *ctx, const char *payload);
int store_notify(store_conn *c, const char *channel, const char *payload);
store_conn *store_listen(store *st, const char *channel, char *err, size_t errlen);
int store_listen_wait(store_conn *c, int timeout_ms, store_notify_cb cb, void *ctx);
/* Runs a trivial statement on the listening connection: STORE_OK when it is alive. */
int store_listen_ping(store_conn *c);
void store_listen_close(store_conn *c);

#endif

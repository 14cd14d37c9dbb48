/* backend.h: what each storage backend implements (sqlite.c, pg.c); only store.c calls it.
 * Owns: the layout shared by every backend's connection and statement (the first member of
 * each backend's own struct), and the backend vtable.
 * Never: included by anything outside src/store/.
 */
#ifndef HOCVUSO_STORE_BACKEND_H
#define HOCVUSO_STORE_BACKEND_H

#include "store.h"

typedef struct store_backend store_backend;

/* Every backend connection starts with this. */
struct store_conn {
  const store_backend *be;
  store *st;
  bool writer;           /* SQLite's single writer connection */
  bool in_use;
  bool in_tx;            /* between store_begin and commit/rollback */
  bool tx_read;          /* that transaction was begun to read (store_read_snapshot, store_read_consistent) */
  struct store_conn *next_free;
  struct store_conn *next_all; /* every connection the store opened, for store_close */
  bool thread_bound;           /* cached by one thread (see store_acquire) */
  bool unavailable;            /* the last error was the database's unavailability */
  uint64_t durable_seq;        /* SQLite writer: its last commit, until the release waits for it */
  bool grouped;                /* SQLite writer taken by store_acquire_grouped (store.h) */
  bool row_triggers_off;       /* store_row_triggers_off: turned back on at the latest on release */
  char err[256];         /* last error message on this connection */
};

/* Every backend statement starts with this. */
struct store_stmt {
  store_conn *conn;
  const store_sql *q;
};

struct store_backend {
  store_kind kind;
  const char *name;
  /* Opens one connection; NULL with a message on failure. */
  store_conn *(*connect)(const char *target, bool writer, char *err, size_t errlen);
  void (*disconnect)(store_conn *c);
  store_stmt *(*prepare)(store_conn *c, const store_sql *q);
  void (*bind_int)(store_stmt *s, int i, int64_t v);
  void (*bind_textn)(store_stmt *s, int i, const char *v, size_t n);
  /* The same, v not copied: it stays valid until the statement is bound again or finalized (the
   * bulk inserts' rows). NULL: bind_textn. */
  void (*bind_textn_static)(store_stmt *s, int i, const char *v, size_t n);
  void (*bind_blob)(store_stmt *s, int i, const void *v, size_t n);
  void (*bind_null)(store_stmt *s, int i);
  int (*step)(store_stmt *s);
  int (*col_count)(store_stmt *s);
  bool (*col_is_null)(store_stmt *s, int i);
  int64_t (*col_int)(store_stmt *s, int i);
  const char *(*col_text)(store_stmt *s, int i);
  const void *(*col_blob)(store_stmt *s, int i, size_t *n);
  int64_t (*changes)(store_stmt *s);
  void (*reset)(store_stmt *s);
  int (*exec)(store_conn *c, const char *sql);
  int (*begin)(store_conn *c);
  /* Serialises concurrent migrators (PostgreSQL: an advisory lock inside the transaction). */
  int (*lock_migrations)(store_conn *c);
  /* Database size in bytes, -1 if unknown. */
  int64_t (*size_bytes)(store_conn *c);
  /* Online backup to a file; may be NULL (then store_backup refuses). */
  int (*backup)(store_conn *c, const char *path, char *err, size_t errlen);
  /* True when the connection is unusable and should be reconnected. */
  bool (*broken)(store_conn *c);
  /* Opens the connection again in place (same struct, statement cache emptied): 0 or -1. */
  int (*reconnect)(store_conn *c, char *err, size_t errlen);
  /* True while the database holds a transaction open on this connection. */
  bool (*in_tx)(store_conn *c);
  /* A statement outside the cache, for the caller to finalize (bulk writes). */
  store_stmt *(*prepare_once)(store_conn *c, const store_sql *q);
  void (*finalize)(store_stmt *s);
  /* Marks a freshly prepared statement as streaming (may be NULL: rows come one by one). */
  void (*set_stream)(store_stmt *s);
  int (*rows_held)(store_stmt *s);
  /* Writes rows with COPY (may be NULL): vals holds nrows * spec->ncols values. */
  int (*copy_rows)(store_conn *c, const store_bulk_spec *spec, const store_val *vals, int nrows);
  /* WAL checkpoint on a maintenance connection (may be NULL): 1 when every frame of the WAL is
   * in the database file, 0 when some are left, -1 on error. *frames gets the WAL's length. */
  int (*checkpoint)(store_conn *c, bool truncate, int64_t *frames);
  /* LISTEN/NOTIFY (PostgreSQL; NULL where the backend has none). notify queues a notification,
   * delivered when the transaction commits; listen subscribes this connection to a channel;
   * wait_notify waits up to timeout_ms for notifications and hands each payload to cb:
   * 0 on success or timeout, STORE_ERROR when the connection is lost. */
  int (*notify)(store_conn *c, const char *channel, const char *payload);
  int (*listen)(store_conn *c, const char *channel);
  int (*wait_notify)(store_conn *c, int timeout_ms, store_notify_cb cb, void *ctx);
  /* Marks (may be NULL: PostgreSQL's notifications carry none): see store_notify_mark. */
  /* The rowid of the row the statement just inserted (may be NULL: PostgreSQL returns ids). */
  int64_t (*last_insert_id)(store_stmt *s);
  int (*notify_mark)(store_conn *c, int64_t *mark);
  int (*listen_mark)(store_conn *c, int64_t *mark);
  /* The connection's row triggers off (on == false) or on again; 0 or -1 (may be NULL: PostgreSQL's
   * triggers on the bulk tables are per statement). See store_row_triggers_off. */
  int (*row_triggers)(store_conn *c, bool on);
};

extern const store_backend store_sqlite_backend;
extern const store_backend store_pg_backend;

/* Small shared helper: a per-connection statement cache keyed by the store_sql address. */
typedef struct stmt_cache {
  const store_sql **keys;
  store_stmt **vals;
  size_t len, cap;
} stmt_cache;
store_stmt *stmt_cache_get(stmt_cache *sc, const store_sql *q);
int stmt_cache_put(stmt_cache *sc, const store_sql *q, store_stmt *s); /* 0 ok, -1 no memory */
void stmt_cache_free(stmt_cache *sc, void (*finalize)(store_stmt *));

#endif

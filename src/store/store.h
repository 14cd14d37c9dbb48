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
  STORE_UNAVAILABLE = -3, /* no connection: the database is unreachable or the writer is busy */
};

/* Why store_acquire_timed() gave no connection. */
typedef enum {
  STORE_WHY_NONE = 0,
  STORE_WHY_BUSY = 1, /* every connection (or SQLite's writer) stayed taken until the deadline */
  STORE_WHY_DOWN = 2, /* the database cannot be reached (PostgreSQL stopped, network down) */
} store_why;

typedef struct store_sql {
  const char *sql;    /* portable text with ? placeholders (also SQLite's when sql_pg is set) */
  const char *sql_pg; /* PostgreSQL's text when it differs, else NULL */
} store_sql;

/* Declares a statement owned by the current module. */
#define STORE_SQL(name, text) static const store_sql name = {text, NULL}
#define STORE_SQL2(name, sqlite_text, pg_text) static const store_sql name = {sqlite_text, pg_text}
/* A statement planned for each call's values: PostgreSQL runs it unnamed (PQexecParams), so that
 * its plan sees them; a statement whose filters are switched on and off by its parameters has no
 * good generic plan. The mark is a leading SQL comment, which SQLite ignores. */
#define STORE_PER_CALL_MARK "/* per call */ "
#define STORE_SQL_PER_CALL(name, text) static const store_sql name = {STORE_PER_CALL_MARK text, NULL}

/* Opens a database. `target` is a libpq URI (postgresql://… or postgres://…) for PostgreSQL,
 * otherwise the path of an SQLite file (created when absent). `pool` is the number of
 * connections kept for readers (at least 1). On failure returns NULL and writes a message. */
store *store_open(const char *target, int pool, char *err, size_t errlen);
void store_close(store *st);
store_kind store_kind_of(const store *st);
const char *store_kind_name(const store *st); /* "sqlite" or "postgresql" */

/* Takes a connection for this thread. `write` asks for the writer (SQLite: the single writer
 * connection; PostgreSQL: any pooled connection). Waits at most the store's deadline
 * (store_set_wait, 5 s by default) for a free one. Returns NULL when the deadline passed or the
 * database cannot be reached (PostgreSQL down); a pooled connection the server dropped is
 * reconnected in place, and while the database stays down callers fail fast. */
store_conn *store_acquire(store *st, bool write);
/* The same with an explicit deadline (wait_ms < 0: the store's) and the reason for a NULL. */
store_conn *store_acquire_timed(store *st, bool write, int wait_ms, store_why *why);
/* The writer, for a caller that answers only once its commits are durable and learns from
 * store_durable_notify's waiter whether they were (the server's requests). On SQLite with the
 * group commit running (store_durable_start), the transactions of the callers queueing for the
 * writer run as savepoints of one transaction that is committed, and synced, once: such a
 * caller's store_commit releases its savepoint and gives it the number of that transaction's
 * commit; the holder that finds nobody waiting, or a group of GROUP_MAX transactions, or one
 * older than GROUP_MS, commits it, and so does anyone taking the writer without this call. A
 * grouped caller must not read its own writes through another connection before its answer is
 * released: they are not committed yet. Elsewhere the same as store_acquire_timed(st, true, …). */
store_conn *store_acquire_grouped(store *st, int wait_ms, store_why *why);
/* Combined writes (SQLite, grouped; flat combining): a request that finds the writer busy need not
 * sleep on its thread until the writer is handed to it (a wake-up and a task switch on every
 * write while writes queue): it is queued instead, its thread goes on with other work, and the
 * writer's holder runs it after its own, in the same group (store_combined_next). Only writes
 * that neither give the writer back nor take it again may be queued: they run on the holder's
 * thread. An item the holder does not run (a thread waits for the writer, or the holder stops)
 * is handed back by wake(item), called once, from the thread that gives the writer back: its
 * own thread must then take the writer itself (store_acquire_grouped). */
typedef struct store_combined {
  struct store_combined *next;
  void (*wake)(struct store_combined *item);
} store_combined;
/* Takes the writer as store_acquire_grouped when it is free and nobody waits (1, *w set), else
 * queues `item` (0; it must live until run or woken); -1 when writes are not grouped (PostgreSQL,
 * no group commit): acquire as usual. */
int store_acquire_or_queue(store *st, store_combined *item, store_conn **w);
/* For the holder of the writer between two requests, having run `done` queued items: the next
 * (dequeued), or NULL when none is queued, after 64 in a turn, or when a thread waits for the writer and a few have
 * been run (it is not passed over for long). A group past its limits is committed first. Items
 * still queued when the writer is given back are run by the next holder if it is a grouped caller
 * (it ends in store_combined_next too), else one is handed back (wake). */
store_combined *store_combined_next(store_conn *w, int done);
/* True when writes are grouped (SQLite with the group commit running): the writer is one
 * connection, and a thread of the server's may run the combined writes (the combiner). */
bool store_writes_grouped(const store *st);
/* For a thread that runs queued writes on the writer it holds (the server's combiner), having run
 * `done` of them in this turn: whether it may run one more before it gives the writer back (at
 * most 64 a turn; 8 when another thread waits for the writer, which is not passed over for long).
 * A group past its limits is committed first. */
bool store_combiner_goes_on(store_conn *w, int done);
/* For the calling thread, one that runs the serial part of every write (the combiner, the syncer):
 * a nice value STORE_SERIAL_NICE below the process's, so that the server's other threads on a busy
 * machine do not keep it waiting while every write waits for it (nice weighs threads within one
 * scheduling group: other services in their own cgroups are not affected). Allowed with
 * CAP_SYS_NICE or under RLIMIT_NICE (deploy/hocvuso.service: LimitNICE=-5); otherwise nothing
 * changes. True when the thread's priority was raised. */
enum { STORE_SERIAL_NICE = 5 };
bool store_serial_thread(void);
/* Ends one request's use of the writer without giving it back: a transaction left open is rolled
 * back; answers the number of its commit still to be synced, as store_release_pending. */
uint64_t store_writer_pass(store_conn *w);
/* A group's limits (before the writer is first taken): at most max_tx transactions, at most max_ms
 * after it opened; 0 or less: the defaults (64, 20 ms). A turn of combined writes also commits
 * its group at 24 transactions (or max_tx if smaller) when the syncer is idle. */
void store_set_group_limits(store *st, int max_tx, int max_ms);
/* The deadline of store_acquire, in milliseconds (at least 1). */
void store_set_wait(store *st, int wait_ms);
/* True when the last error on this connection was the database's unavailability (connection
 * lost, server shutting down, statement timeout, SQLite busy past busy_timeout) rather than the
 * statement's fault: the HTTP layer answers 503 for it. Cleared when the connection is taken. */
bool store_unavailable(const store_conn *c);
void store_release(store_conn *c);
/* From now on each thread keeps the reader it opens and takes it back without the pool's
 * lock. For a fixed set of long-lived threads (the server's workers), at most pool - 2 of
 * them, so that others still find a connection. */
void store_bind_threads(store *st);
/* Whether store_bind_threads was called (a server: its pool is the requests'). */
bool store_threads_bound(const store *st);
/* This thread is short-lived (an import's helper): a reader it opens is not bound to it (it would
 * leave the pool with the thread), whatever store_bind_threads says. */
void store_thread_transient(void);
store_kind store_conn_kind(const store_conn *c);
/* A number unique to the store this connection belongs to, for the whole process: caches of what
 * a database holds key on it (two stores opened one after the other never share one). */
uint64_t store_conn_serial(const store_conn *c);

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
 * STORE_CONSTRAINT, or STORE_ERROR. A STORE_SQL2 pair may give SQLite the single-row INSERT
 * without its RETURNING (SQLite keeps RETURNING's rows in a temporary b-tree opened per call,
 * ~2 µs): the id is then the rowid it inserted (none inserted: STORE_ERROR, as with RETURNING). */
int store_insert_id(store_stmt *s, int64_t *id);

/* A streaming read: rows are fetched from the server as they are stepped, never all held in
 * memory (PostgreSQL: single-row mode; SQLite steps row by row anyway). Until it has been
 * stepped to STORE_DONE or reset, the connection runs no other statement. */
store_stmt *store_prepare_stream(store_conn *c, const store_sql *q);
/* Rows the statement holds in memory right now (for tests and diagnostics): 1 per fetched
 * row when streaming on PostgreSQL, the whole result otherwise; 0 or 1 on SQLite. */
int store_rows_held(store_stmt *s);

/* Runs a statement that returns no rows and takes no parameters (DDL, pragmas). */
int store_exec(store_conn *c, const char *sql);
int store_begin(store_conn *c); /* SQLite: BEGIN IMMEDIATE on the writer */
/* COMMIT. When it fails and the database kept the transaction open (SQLite: deferred foreign
 * key, disk full, busy), it is rolled back, so the connection is always out of it afterwards. */
int store_commit(store_conn *c);
int store_rollback(store_conn *c);
bool store_in_transaction(const store_conn *c);
/* What the connection reads is committed data only: no transaction, or one begun to read
 * (store_read_snapshot, store_read_consistent). A cache filled from it holds nothing a rollback
 * could take back. */
bool store_sees_committed(const store_conn *c);
/* Savepoints inside a transaction: a failed statement is undone by store_rollback_to without
 * losing the transaction (on PostgreSQL an error otherwise aborts it whole). `name` is an SQL
 * identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes). */
int store_savepoint(store_conn *c, const char *name);
int store_release_savepoint(store_conn *c, const char *name);
int store_rollback_to(store_conn *c, const char *name);
/* The reads that follow on this reader see one snapshot until store_release (cheaper on
 * SQLite, where each statement would otherwise start its own read transaction). */
int store_read_snapshot(store_conn *c);
/* The reads that follow see one snapshot on both backends (PostgreSQL: a REPEATABLE READ, READ
 * ONLY transaction until store_release), for readers that combine several tables that a writer
 * changes together (indlive.c: the counts and what is still marked). Inside a transaction already:
 * nothing more. */
int store_read_consistent(store_conn *c);
/* After a bulk load: PostgreSQL's planner statistics of `tables` (NULL-terminated; names of
 * lower-case letters, digits and '_' only) brought up to date (ANALYZE, on a reader; the
 * autovacuum would do it minutes later, and until then a plan built for empty tables can turn a
 * count of a ward into a nested scan: 30 s instead of 0.2 s). Only the tables the load wrote: an
 * ANALYZE of the whole database after a 200,000-row import took 4.4 s, as long as the import's
 * COPY of the people. SQLite: nothing (its plans are written for no statistics). */
int store_analyze(store *st, const char *const *tables);
const char *store_errmsg(store_conn *c);

/* Migrations: numbered, each applied in one transaction and recorded in schema_migrations,
 * so running them twice changes nothing. Returns how many were applied, or -1. */
typedef struct store_migration {
  int version;
  const char *name;
  const store_sql *steps; /* terminated by an entry whose sql is NULL */
} store_migration;
/* A migration whose first step is this marker runs with foreign keys off on SQLite (a table
 * rebuild: they cannot be turned off inside a transaction, so store_migrate does it before
 * BEGIN and turns them on after), and PRAGMA foreign_key_check must find nothing before it
 * commits. A marker step rather than a struct member, so that positional rows stay valid. */
#define STORE_MIGRATION_FOREIGN_KEYS_OFF "-- hocvuso: foreign keys off"
#define STORE_FOREIGN_KEYS_OFF_STEP {STORE_MIGRATION_FOREIGN_KEYS_OFF, STORE_MIGRATION_FOREIGN_KEYS_OFF}
int store_migrate(store *st, const store_migration *migs, char *err, size_t errlen);
int store_schema_version(store *st);

/* Online copy of an SQLite database to `path` while others keep writing: one consistent snapshot
 * taken in a single backup step inside one read transaction (writers are not held up in WAL
 * mode, and their commits cannot restart it), written to path.tmp and renamed into place.
 * PostgreSQL answers -1 with a message pointing at pg_dump. */
int store_backup(store *st, const char *path, char *err, size_t errlen);

/* Background upkeep, off the request path: on SQLite a thread checkpoints the WAL (PASSIVE every
 * second, every 200 ms while it grows, TRUNCATE when writes have stopped) and the writer's
 * automatic checkpoint is turned off. Past 4,000 frames a pass holds the writer for a moment to
 * copy the rest, so that the next write starts the WAL over (under steady writes it never would). Nothing on PostgreSQL. Stopped by store_close. 0 or -1. */
int store_maintenance_start(store *st);
/* A bulk load (an import) begins (on) or ends (off); calls nest. While one runs, the maintenance
 * thread checkpoints every 3 s and restarts the WAL past 65,536 frames instead, so that a page
 * rewritten by many chunks is copied into the database file once (see store.c). */
void store_bulk_load(store *st, bool on);
/* The maintenance thread's next pass now instead of at its period (nothing without the thread):
 * a bulk load's phase that rewrote pages all over is done, and they go to the database file on
 * the other core while the next phase writes (and not at the end, with the writer waiting). */
void store_checkpoint_soon(store *st);
/* A bulk insert's row triggers: on SQLite the connection's triggers are turned off (true) for the
 * statements that follow, whose caller then makes the triggers' effects itself, once for the set
 * (people_bulk_insert_new); store_row_triggers_on turns them back on (0 or -1), and the release of
 * the connection does at the latest. false: they stay on (PostgreSQL, whose triggers on the bulk
 * tables run once a statement already; or a statement of the connection stepped and not yet reset,
 * which SQLite would abort at its next cursor; or an error) and the caller must not repeat their
 * work. */
bool store_row_triggers_off(store_conn *c);
int store_row_triggers_on(store_conn *c);
/* SQLite: group commit. From now on a writer's release waits until its last commit is durable: a
 * thread syncs the WAL once for every commit made while the previous sync ran (synchronous=NORMAL
 * alone would let a power cut lose the last ones). Pipelined: the writer is handed on before the
 * wait. No-op on PostgreSQL (its commits are durable, grouped by the server). 0, or -1. */
int store_durable_start(store *st);
/* For a server that must not block a thread on the sync: store_release_pending releases `c` at
 * once and answers the number of its commit still to be synced (0: none, or no group commit);
 * store_durable_notify then answers 1 when that commit is durable already, or 0 after queueing `w`:
 * the syncer calls w->fn(w->arg) once it is (from its own thread). `w` is the caller's, and must
 * live until then. w->failed is then true when a sync of the WAL has failed since the store
 * opened: the commit is made but not known to be on disk (after a failed fdatasync, Linux may have
 * dropped the pages and report later syncs as good), so it must not be acknowledged as durable. */
typedef struct store_durable_waiter {
  struct store_durable_waiter *next;
  uint64_t seq;
  void (*fn)(void *arg);
  void *arg;
  bool failed;
  bool lost; /* the grouped transaction holding this commit failed to commit: nothing was saved */
} store_durable_waiter;
uint64_t store_release_pending(store_conn *c);
int store_durable_notify(store *st, uint64_t seq, store_durable_waiter *w);
/* How many WAL syncs the group commit made (for /metrics and the benchmarks). */
uint64_t store_wal_syncs(const store *st);

/* ---- bulk writes ----
 * Rows are buffered and written in chunks, each chunk in its own transaction on the writer,
 * which is given back between chunks (other writes go on during a long import). SQLite writes a
 * chunk as multi-row INSERTs, PostgreSQL with COPY … FROM STDIN. When a chunk fails it is
 * written again row by row, each under a savepoint: the good rows are kept and each bad row is
 * reported to `on_error` with its 0-based index among all rows added. The calling thread must
 * not hold the writer. The table and column names come from the owning module's declaration. */
typedef struct store_bulk_spec {
  const char *table;   /* an identifier */
  const char *columns; /* "a, b, c" */
  int ncols;
} store_bulk_spec;
#define STORE_BULK(name, table, columns, ncols) static const store_bulk_spec name = {table, columns, ncols}

typedef enum { STORE_V_NULL = 0, STORE_V_INT, STORE_V_TEXT } store_val_type;
typedef struct store_val {
  store_val_type type;
  int64_t i;
  const char *s;
} store_val;
static inline store_val store_val_int(int64_t v) { return (store_val){STORE_V_INT, v, NULL}; }
static inline store_val store_val_text(const char *v) { return (store_val){v ? STORE_V_TEXT : STORE_V_NULL, 0, v}; }
static inline store_val store_val_null(void) { return (store_val){STORE_V_NULL, 0, NULL}; }

typedef void (*store_bulk_error_fn)(void *ctx, int64_t row, int rc, const char *message);
typedef struct store_bulk store_bulk;
typedef struct store_bulk_stats {
  int64_t added, inserted, failed;
  int64_t chunks;        /* transactions committed */
  int64_t fallbacks;     /* chunks written again row by row */
} store_bulk_stats;
/* chunk_rows <= 0: 1000. NULL on bad arguments or no memory. */
store_bulk *store_bulk_begin(store *st, const store_bulk_spec *spec, int chunk_rows, store_bulk_error_fn on_error,
                             void *ctx);
/* Adds one row of spec->ncols values (text is copied). Writes a chunk when it is full: STORE_OK,
 * or STORE_UNAVAILABLE / STORE_ERROR when a chunk could not be written at all (then the bulk is
 * failed and only store_bulk_finish may follow). Bad rows are not errors here: see on_error. */
int store_bulk_add(store_bulk *b, const store_val *row);
/* Writes what is left, fills *out (may be NULL) and frees the bulk. STORE_OK or an error. */
int store_bulk_finish(store_bulk *b, store_bulk_stats *out);
/* The last message of a failed bulk (valid until store_bulk_finish). */
const char *store_bulk_errmsg(const store_bulk *b);

/* The same fast path inside the caller's own transaction on the writer (several tables that must
 * commit together): COPY on PostgreSQL, multi-row INSERTs on SQLite. No row-by-row fallback: a
 * refused row fails the call (STORE_CONSTRAINT or STORE_ERROR) and the caller rolls back. */
int store_insert_rows(store_conn *c, const store_bulk_spec *spec, const store_val *vals, int nrows);

/* Figures for /metrics. */
typedef struct store_stats {
  int pool_size;
  int in_use;
  uint64_t acquires;
  uint64_t waits; /* acquires that had to wait for a free connection */
  uint64_t errors;
  int64_t size_bytes; /* database size on disk, -1 if unknown */
  uint64_t timeouts;  /* acquires that gave up at their deadline */
  uint64_t reconnects; /* dropped connections opened again */
  uint64_t checkpoints; /* WAL checkpoints run by the maintenance thread */
  uint64_t wal_restarts; /* of them, WALs copied whole with the writer held (the next write starts it over) */
  uint64_t groups;      /* grouped commits (store_acquire_grouped) made */
  uint64_t grouped_tx;  /* the requests' transactions they held */
  int bulk_loads;       /* store_bulk_load: imports running now */
} store_stats;
void store_get_stats(store *st, store_stats *out);

/* Notifications between processes sharing a database (PostgreSQL LISTEN/NOTIFY; on SQLite a row
 * of store_notifications written in the transaction, which listeners poll: src/store/sqlite.c).
 * store_notify queues `payload` on `channel`; inside a transaction it is delivered when (and
 * only if) the transaction commits.
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
/* Marks, where notifications are rows with increasing ids (SQLite; PostgreSQL answers
 * STORE_ERROR). store_notify_mark: the id of the newest notification c's transaction sees (on the
 * writer inside its transaction: every one committed before it, and those its own group has
 * queued). store_listen_mark: the id of the last notification the listening connection has
 * handed to store_listen_wait's callback (each one handed on before the mark passes it). When a
 * listener's mark has reached a transaction's mark, every notification that transaction can see
 * has been delivered. */
int store_notify_mark(store_conn *c, int64_t *mark);
int store_listen_mark(store_conn *listener, int64_t *mark);
void store_listen_close(store_conn *c);

#endif

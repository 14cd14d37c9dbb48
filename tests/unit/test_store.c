/* test_store.c: cmocka tests of the storage interface (store.h), run once on SQLite and once on
 * PostgreSQL when HOCVUSO_TEST_DATABASE_URL names a throw-away database (tests/pg-server.sh).
 * Owns: its temporary SQLite directory and the hv_t_* tables of the test database.
 * Never: touches a database it was not pointed at, or assumes state left by an earlier run.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h> /* after the headers it relies on (stdarg, stddef, setjmp) */

#include "store/migrations.h"
#include "store/store.h"

typedef struct fixture {
  store_kind kind;
  store *st;        /* NULL when the group is skipped */
  char dir[64];     /* SQLite: the temporary directory */
  char target[512]; /* SQLite file path or PostgreSQL URI */
} fixture;

static fixture fx_sqlite = {.kind = STORE_SQLITE};
static fixture fx_pg = {.kind = STORE_PG};

enum { POOL = 4 };

/* Tables this file creates, children first; dropped at the start of a run. */
static const char *const test_tables[] = {
    "hv_t_child", "hv_t_parent", "hv_t_values", "hv_t_items", "hv_t_uniq", "hv_t_lit",
    "hv_t_tx",    "hv_t_counts", "hv_t_cache",  "hv_t_mig_a", "hv_t_mig_b", "hv_t_mig_c",
    "hv_t_multi", "hv_t_threads", "hv_t_backup", "hv_t_ddl",    "hv_t_dfk_c", "hv_t_dfk_p",
    "hv_t_sp",    "hv_t_bulk",    "hv_t_load",   "schema_migrations",
};

/* ---- helpers ---- */

static fixture *fx_of(void **state) {
  fixture *fx = *state;
  if (!fx || !fx->st)
    skip();
  return fx;
}

static const char *by_kind(const fixture *fx, const char *sqlite_text, const char *pg_text) {
  return fx->kind == STORE_PG ? pg_text : sqlite_text;
}

static void exec_ok(store_conn *c, const char *sql) {
  int rc = store_exec(c, sql);
  if (rc != STORE_OK)
    fail_msg("store_exec(%s) = %d: %s", sql, rc, store_errmsg(c));
}

static store_stmt *prepare_ok(store_conn *c, const store_sql *q) {
  store_stmt *s = store_prepare(c, q);
  if (!s)
    fail_msg("store_prepare(%s): %s", q->sql, store_errmsg(c));
  return s;
}

static void step_done(store_stmt *s, store_conn *c) {
  int rc = store_step(s);
  if (rc != STORE_DONE)
    fail_msg("store_step = %d, wanted STORE_DONE: %s", rc, store_errmsg(c));
}

/* Runs a parameterless single-value query and returns its integer. */
static int64_t query_int(store_conn *c, const store_sql *q) {
  store_stmt *s = prepare_ok(c, q);
  int rc = store_step(s);
  if (rc != STORE_ROW)
    fail_msg("store_step(%s) = %d: %s", q->sql, rc, store_errmsg(c));
  int64_t v = store_col_int(s, 0);
  store_reset(s);
  return v;
}

/* Drops and creates one table on the writer. */
static void fresh_table(fixture *fx, store_conn *c, const char *name, const char *sqlite_ddl,
                        const char *pg_ddl) {
  char drop[96];
  snprintf(drop, sizeof drop, "DROP TABLE IF EXISTS %s", name);
  exec_ok(c, drop);
  exec_ok(c, by_kind(fx, sqlite_ddl, pg_ddl));
}

static void drop_test_tables(store *st) {
  store_conn *c = store_acquire(st, true);
  assert_non_null(c);
  for (size_t i = 0; i < sizeof test_tables / sizeof test_tables[0]; i++) {
    char drop[96];
    snprintf(drop, sizeof drop, "DROP TABLE IF EXISTS %s", test_tables[i]);
    exec_ok(c, drop);
  }
  store_release(c);
}

/* ---- group fixtures ---- */

static void remove_sqlite_files(const char *path) {
  static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
    char p[sizeof fx_sqlite.target + 16];
    int n = snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
    if (n > 0 && (size_t)n < sizeof p)
      (void)unlink(p);
  }
}

static int setup_sqlite(void **state) {
  fixture *fx = &fx_sqlite;
  char err[256] = "";
  snprintf(fx->dir, sizeof fx->dir, "/tmp/hv_test_store.XXXXXX");
  if (!mkdtemp(fx->dir)) {
    perror("mkdtemp");
    return -1;
  }
  snprintf(fx->target, sizeof fx->target, "%.63s/test.db", fx->dir);
  fx->st = store_open(fx->target, POOL, err, sizeof err);
  if (!fx->st) {
    fprintf(stderr, "cannot open %s: %s\n", fx->target, err);
    goto fail;
  }
  drop_test_tables(fx->st);
  *state = fx;
  return 0;

fail:
  remove_sqlite_files(fx->target);
  (void)rmdir(fx->dir);
  fx->dir[0] = '\0';
  return -1;
}

static int teardown_sqlite(void **state) {
  fixture *fx = &fx_sqlite;
  (void)state;
  store_close(fx->st);
  fx->st = NULL;
  char p[160];
  if (!fx->dir[0])
    return 0;
  remove_sqlite_files(fx->target);
  snprintf(p, sizeof p, "%.63s/backup.db", fx->dir);
  remove_sqlite_files(p);
  if (rmdir(fx->dir) != 0)
    perror(fx->dir);
  fx->dir[0] = '\0';
  return 0;
}

/* The PostgreSQL group works in a schema of its own, so that it can drop schema_migrations
 * without harming other tests that share the database (meson runs test programs in parallel). */
#define PG_TEST_SCHEMA "hv_test_store"

static int setup_pg(void **state) {
  fixture *fx = &fx_pg;
  const char *url = getenv("HOCVUSO_TEST_DATABASE_URL");
  char err[256] = "";
  store *admin = NULL;
  store_conn *c = NULL;
  *state = fx;
  if (!url || !*url) {
    printf("note: HOCVUSO_TEST_DATABASE_URL is not set: skipping the PostgreSQL group "
           "(tests/pg-server.sh start DIR prints one)\n");
    return 0;
  }
  if (strncmp(url, "postgresql://", 13) != 0 && strncmp(url, "postgres://", 11) != 0) {
    fprintf(stderr, "HOCVUSO_TEST_DATABASE_URL must be a postgresql:// URI\n");
    return -1;
  }
  int n = snprintf(fx->target, sizeof fx->target, "%s%coptions=-c%%20search_path%%3D" PG_TEST_SCHEMA,
                   url, strchr(url, '?') ? '&' : '?');
  if (n < 0 || (size_t)n >= sizeof fx->target) {
    fprintf(stderr, "HOCVUSO_TEST_DATABASE_URL is too long\n");
    return -1;
  }

  /* Reruns start from a clean schema. */
  admin = store_open(url, 1, err, sizeof err);
  if (!admin) {
    fprintf(stderr, "cannot open %s: %s\n", url, err);
    goto fail;
  }
  c = store_acquire(admin, true);
  if (!c || store_exec(c, "DROP SCHEMA IF EXISTS " PG_TEST_SCHEMA " CASCADE; CREATE SCHEMA " PG_TEST_SCHEMA) != STORE_OK) {
    fprintf(stderr, "cannot create schema " PG_TEST_SCHEMA ": %s\n", c ? store_errmsg(c) : "no connection");
    goto fail;
  }
  store_release(c);
  c = NULL;
  store_close(admin);
  admin = NULL;

  fx->st = store_open(fx->target, POOL, err, sizeof err);
  if (!fx->st) {
    fprintf(stderr, "cannot open %s: %s\n", fx->target, err);
    goto fail;
  }
  drop_test_tables(fx->st); /* belt and braces: the schema is new */
  return 0;

fail:
  store_release(c);
  store_close(admin);
  return -1;
}

static int teardown_pg(void **state) {
  (void)state;
  store_close(fx_pg.st);
  fx_pg.st = NULL;
  return 0;
}

/* ---- tests ---- */

static void test_open_close(void **state) {
  fixture *fx = fx_of(state);
  char err[256] = "";

  assert_int_equal(store_kind_of(fx->st), fx->kind);
  assert_string_equal(store_kind_name(fx->st), by_kind(fx, "sqlite", "postgresql"));

  /* A second handle on the same database opens, serves and closes on its own. */
  store *other = store_open(fx->target, 1, err, sizeof err);
  if (!other)
    fail_msg("second store_open: %s", err);
  store_conn *c = store_acquire(other, false);
  assert_non_null(c);
  assert_int_equal(store_conn_kind(c), fx->kind);
  STORE_SQL(q_one, "SELECT 1");
  assert_int_equal(query_int(c, &q_one), 1);
  store_release(c);
  store_close(other);

  /* An unreachable database fails with a message, not a crash. */
  err[0] = '\0';
  const char *bad = by_kind(fx, "/nonexistent-hv-dir/sub/x.db",
                            "postgresql:///hocvuso?host=/nonexistent-hv-dir&connect_timeout=2");
  assert_null(store_open(bad, 1, err, sizeof err));
  assert_true(err[0] != '\0');
}

static void test_exec_ddl(void **state) {
  fixture *fx = fx_of(state);
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);

  fresh_table(fx, c, "hv_t_multi", "CREATE TABLE hv_t_multi (id INTEGER PRIMARY KEY, v TEXT)",
              "CREATE TABLE hv_t_multi (id BIGINT PRIMARY KEY, v TEXT)");
  /* Several statements in one call (migrations use this). */
  exec_ok(c, "INSERT INTO hv_t_multi (id, v) VALUES (1, 'a'); INSERT INTO hv_t_multi (id, v) VALUES (2, 'b');"
             " CREATE INDEX hv_t_multi_v ON hv_t_multi (v)");
  STORE_SQL(q_count, "SELECT COUNT(*) FROM hv_t_multi");
  assert_int_equal(query_int(c, &q_count), 2);

  /* Errors come back negative with a message, and the connection stays usable. */
  static const char *const bad[] = {
      "CREATE TABLE hv_t_multi (id INTEGER)", /* exists */
      "CREAT TABLE nonsense",                 /* syntax */
      "SELECT * FROM hv_t_does_not_exist",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rc = store_exec(c, bad[i]);
    if (rc >= 0)
      fail_msg("store_exec(%s) = %d, wanted an error", bad[i], rc);
    assert_true(store_errmsg(c)[0] != '\0');
  }
  assert_int_equal(query_int(c, &q_count), 2);
  store_release(c);
}

typedef struct value_case {
  const char *label;
  bool int_null;
  int64_t i;
  const char *text; /* NULL: SQL NULL */
  bool blob_null;
  const unsigned char *blob;
  size_t blob_len;
} value_case;

static unsigned char all_bytes[256];

static void test_values_roundtrip(void **state) {
  fixture *fx = fx_of(state);
  static const unsigned char nul_ff[] = {0x00, 0xFF, 0x00, 0x7F, 0x80, 0xFF};
  static const unsigned char one_ff[] = {0xFF};
  for (size_t i = 0; i < sizeof all_bytes; i++)
    all_bytes[i] = (unsigned char)i;
  const value_case cases[] = {
      {"zero and empty", false, 0, "", false, nul_ff, 0},
      {"vietnamese", false, 42, "Tổ dân phố số 1", false, nul_ff, sizeof nul_ff},
      {"max", false, INT64_MAX, "Phường Hồng Bàng, Hải Phòng — ấp Đông", false, one_ff, 1},
      {"min", false, INT64_MIN, "quotes ' \" and ? and \\ and $1", false, all_bytes, sizeof all_bytes},
      {"negative", false, -1, "x", false, all_bytes, 1},
      {"nulls", true, 0, NULL, true, NULL, 0},
  };
  const size_t ncases = sizeof cases / sizeof cases[0];

  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_values",
              "CREATE TABLE hv_t_values (ord INTEGER PRIMARY KEY, i BIGINT, t TEXT, b BLOB)",
              "CREATE TABLE hv_t_values (ord INTEGER PRIMARY KEY, i BIGINT, t TEXT, b BYTEA)");
  STORE_SQL(q_ins, "INSERT INTO hv_t_values (ord, i, t, b) VALUES (?, ?, ?, ?)");
  for (size_t k = 0; k < ncases; k++) {
    const value_case *vc = &cases[k];
    store_stmt *s = prepare_ok(c, &q_ins);
    store_bind_int(s, 1, (int64_t)k);
    if (vc->int_null)
      store_bind_null(s, 2);
    else
      store_bind_int(s, 2, vc->i);
    store_bind_text(s, 3, vc->text);
    if (vc->blob_null)
      store_bind_null(s, 4);
    else
      store_bind_blob(s, 4, vc->blob, vc->blob_len);
    step_done(s, c);
    assert_int_equal(store_changes(s), 1);
    store_reset(s);
  }

  STORE_SQL(q_sel, "SELECT ord, i, t, b FROM hv_t_values ORDER BY ord");
  store_stmt *s = prepare_ok(c, &q_sel);
  for (size_t k = 0; k < ncases; k++) {
    const value_case *vc = &cases[k];
    int rc = store_step(s);
    if (rc != STORE_ROW)
      fail_msg("case %s: step = %d: %s", vc->label, rc, store_errmsg(c));
    assert_int_equal(store_col_count(s), 4);
    assert_int_equal(store_col_int(s, 0), (int64_t)k);
    assert_int_equal(store_col_is_null(s, 1), vc->int_null);
    if (!vc->int_null && store_col_int(s, 1) != vc->i)
      fail_msg("case %s: int %" PRId64 " != %" PRId64, vc->label, store_col_int(s, 1), vc->i);
    const char *t = store_col_text(s, 2);
    if (vc->text) {
      assert_non_null(t);
      assert_string_equal(t, vc->text);
    } else {
      assert_null(t);
      assert_true(store_col_is_null(s, 2));
    }
    size_t n = 12345;
    const void *b = store_col_blob(s, 3, &n);
    assert_int_equal(store_col_is_null(s, 3), vc->blob_null);
    if (vc->blob_null) {
      assert_null(b);
      assert_int_equal(n, 0);
    } else {
      if (n != vc->blob_len)
        fail_msg("case %s: blob of %zu bytes, wanted %zu", vc->label, n, vc->blob_len);
      if (n > 0)
        assert_memory_equal(b, vc->blob, n);
    }
  }
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);

  /* textn takes exactly n bytes; an integer parameter compares as an integer. */
  STORE_SQL(q_textn, "SELECT t FROM hv_t_values WHERE t = ? AND ord = ?");
  s = prepare_ok(c, &q_textn);
  store_bind_textn(s, 1, "xyz", 1);
  store_bind_int(s, 2, 4);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_string_equal(store_col_text(s, 0), "x");
  store_reset(s);
  store_release(c);
}

typedef struct literal_case {
  const char *label;
  const char *bind;   /* bound to the one placeholder */
  const char *want;   /* column 0 */
} literal_case;

static void test_placeholder_in_literal(void **state) {
  fixture *fx = fx_of(state);
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_lit", "CREATE TABLE hv_t_lit (\"q?\" TEXT, v TEXT)",
              "CREATE TABLE hv_t_lit (\"q?\" TEXT, v TEXT)");
  exec_ok(c, "INSERT INTO hv_t_lit (\"q?\", v) VALUES ('key?', 'value ? here')");

  /* Each statement is its own store_sql (the cache keys on the address). */
  static const store_sql qs[] = {
      {"SELECT '?' || CAST(? AS TEXT)", NULL},
      {"SELECT 'it''s ?' || CAST(? AS TEXT) -- a comment? yes\n", NULL},
      {"/* what? */ SELECT CAST(? AS TEXT) || '?'", NULL},
      {"SELECT v FROM hv_t_lit WHERE \"q?\" = ?", NULL},
      {"SELECT '?', v FROM hv_t_lit WHERE \"q?\" = ? -- ?", "SELECT $$?$$, v FROM hv_t_lit WHERE \"q?\" = ? -- ?"},
  };
  static const literal_case cases[] = {
      {"single quotes", "x", "?x"},
      {"doubled quote and comment", "y", "it's ?y"},
      {"block comment", "z", "z?"},
      {"quoted identifier", "key?", "value ? here"},
      {"dollar quotes on PostgreSQL", "key?", "?"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    store_stmt *s = store_prepare(c, &qs[k]);
    if (!s)
      fail_msg("case %s: prepare: %s", cases[k].label, store_errmsg(c));
    store_bind_text(s, 1, cases[k].bind);
    int rc = store_step(s);
    if (rc != STORE_ROW)
      fail_msg("case %s: step = %d: %s", cases[k].label, rc, store_errmsg(c));
    assert_string_equal(store_col_text(s, 0), cases[k].want);
    assert_int_equal(store_step(s), STORE_DONE);
    store_reset(s);
  }
  store_release(c);
}

static void test_insert_returning(void **state) {
  fixture *fx = fx_of(state);
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_items",
              "CREATE TABLE hv_t_items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
              "CREATE TABLE hv_t_items (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
              " name TEXT NOT NULL)");
  STORE_SQL(q_ins, "INSERT INTO hv_t_items (name) VALUES (?) RETURNING id");
  int64_t last = 0;
  for (int k = 0; k < 3; k++) {
    store_stmt *s = prepare_ok(c, &q_ins);
    store_bind_text(s, 1, "Khu phố 3");
    int rc = store_step(s);
    if (rc != STORE_ROW)
      fail_msg("step = %d: %s", rc, store_errmsg(c));
    int64_t id = store_col_int(s, 0);
    assert_true(id > last);
    last = id;
    assert_int_equal(store_step(s), STORE_DONE);
    assert_int_equal(store_changes(s), 1);
    store_reset(s);
  }
  STORE_SQL(q_name, "SELECT name FROM hv_t_items WHERE id = ?");
  store_stmt *s = prepare_ok(c, &q_name);
  store_bind_int(s, 1, last);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_string_equal(store_col_text(s, 0), "Khu phố 3");
  store_reset(s);
  /* store_insert_id: with RETURNING (both), and with SQLite's text of a pair that leaves it out
   * (the rowid inserted); a trigger inserting elsewhere does not change the id answered; an insert
   * that inserts nothing is an error either way. */
  exec_ok(c, by_kind(fx, "CREATE TABLE IF NOT EXISTS hv_t_items_log (id INTEGER PRIMARY KEY, item BIGINT)",
                     "CREATE TABLE IF NOT EXISTS hv_t_items_log (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, item BIGINT)"));
  exec_ok(c, by_kind(fx, "INSERT INTO hv_t_items_log (id, item) VALUES (1000000, 0)", "SELECT 1"));
  if (fx->kind == STORE_SQLITE)
    exec_ok(c, "CREATE TRIGGER IF NOT EXISTS hv_t_items_log_in AFTER INSERT ON hv_t_items"
               " BEGIN INSERT INTO hv_t_items_log (item) VALUES (NEW.id); END");
  STORE_SQL2(q_ins2, "INSERT INTO hv_t_items (name) VALUES (?)", "INSERT INTO hv_t_items (name) VALUES (?) RETURNING id");
  STORE_SQL2(q_none, "INSERT INTO hv_t_items (name) SELECT ? WHERE 1 = 0",
             "INSERT INTO hv_t_items (name) SELECT ? WHERE 1 = 0 RETURNING id");
  const store_sql *qs[] = {&q_ins, &q_ins2, &q_ins2};
  for (size_t k = 0; k < 3; k++) {
    int64_t id = 0;
    s = prepare_ok(c, qs[k]);
    store_bind_text(s, 1, "Khu phố 4");
    assert_int_equal(store_insert_id(s, &id), STORE_DONE);
    assert_true(id > last);
    last = id;
    s = prepare_ok(c, &q_name);
    store_bind_int(s, 1, id);
    assert_int_equal(store_step(s), STORE_ROW);
    assert_string_equal(store_col_text(s, 0), "Khu phố 4");
    store_reset(s);
  }
  int64_t id = -1;
  s = prepare_ok(c, &q_none);
  store_bind_text(s, 1, "Khu phố 5");
  assert_int_equal(store_insert_id(s, &id), STORE_ERROR);
  assert_int_equal(id, 0);
  if (fx->kind == STORE_SQLITE) exec_ok(c, "DROP TRIGGER hv_t_items_log_in");
  exec_ok(c, "DROP TABLE hv_t_items_log");
  store_release(c);
}

typedef struct constraint_case {
  const char *label;
  const store_sql *q;
} constraint_case;

static void test_constraints(void **state) {
  fixture *fx = fx_of(state);
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  exec_ok(c, "DROP TABLE IF EXISTS hv_t_child");
  exec_ok(c, "DROP TABLE IF EXISTS hv_t_parent");
  exec_ok(c, "DROP TABLE IF EXISTS hv_t_uniq");
  exec_ok(c, "CREATE TABLE hv_t_parent (id INTEGER PRIMARY KEY)");
  exec_ok(c, "CREATE TABLE hv_t_child (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL"
             " REFERENCES hv_t_parent (id))");
  exec_ok(c, "CREATE TABLE hv_t_uniq (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
             " n INTEGER CHECK (n >= 0))");
  exec_ok(c, "INSERT INTO hv_t_parent (id) VALUES (1)");

  STORE_SQL(q_ins, "INSERT INTO hv_t_uniq (id, code, n) VALUES (?, ?, ?)");
  store_stmt *s = prepare_ok(c, &q_ins);
  store_bind_int(s, 1, 1);
  store_bind_text(s, 2, "TDP-01");
  store_bind_int(s, 3, 5);
  step_done(s, c);
  store_reset(s);

  STORE_SQL(q_dup, "INSERT INTO hv_t_uniq (id, code, n) VALUES (2, 'TDP-01', 1)");
  STORE_SQL(q_pk, "INSERT INTO hv_t_uniq (id, code, n) VALUES (1, 'TDP-02', 1)");
  STORE_SQL(q_notnull, "INSERT INTO hv_t_uniq (id, code, n) VALUES (3, NULL, 1)");
  STORE_SQL(q_check, "INSERT INTO hv_t_uniq (id, code, n) VALUES (4, 'TDP-04', -1)");
  STORE_SQL(q_fk, "INSERT INTO hv_t_child (id, parent) VALUES (1, 99)");
  const constraint_case cases[] = {
      {"unique", &q_dup}, {"primary key", &q_pk}, {"not null", &q_notnull},
      {"check", &q_check}, {"foreign key", &q_fk},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    s = prepare_ok(c, cases[k].q);
    int rc = store_step(s);
    if (rc != STORE_CONSTRAINT)
      fail_msg("case %s: step = %d, wanted STORE_CONSTRAINT (%s)", cases[k].label, rc,
               store_errmsg(c));
    assert_true(store_errmsg(c)[0] != '\0');
    store_reset(s);
  }
  /* The same through store_exec. */
  assert_int_equal(store_exec(c, "INSERT INTO hv_t_uniq (id, code, n) VALUES (9, 'TDP-01', 1)"),
                   STORE_CONSTRAINT);

  /* The connection (and the statement) stay usable. */
  s = prepare_ok(c, &q_ins);
  store_bind_int(s, 1, 2);
  store_bind_text(s, 2, "TDP-02");
  store_bind_int(s, 3, 0);
  step_done(s, c);
  store_reset(s);
  STORE_SQL(q_count, "SELECT COUNT(*) FROM hv_t_uniq");
  assert_int_equal(query_int(c, &q_count), 2);
  store_release(c);
}

static void test_transactions(void **state) {
  fixture *fx = fx_of(state);
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  fresh_table(fx, w, "hv_t_tx", "CREATE TABLE hv_t_tx (id INTEGER PRIMARY KEY, v TEXT UNIQUE)",
              "CREATE TABLE hv_t_tx (id INTEGER PRIMARY KEY, v TEXT UNIQUE)");
  STORE_SQL(q_ins, "INSERT INTO hv_t_tx (id, v) VALUES (?, ?)");
  STORE_SQL(q_count, "SELECT COUNT(*) FROM hv_t_tx");

  /* Rollback discards. */
  assert_int_equal(store_begin(w), STORE_OK);
  store_stmt *s = prepare_ok(w, &q_ins);
  store_bind_int(s, 1, 1);
  store_bind_text(s, 2, "a");
  step_done(s, w);
  store_reset(s);
  assert_int_equal(query_int(w, &q_count), 1); /* visible inside */
  assert_int_equal(store_rollback(w), STORE_OK);
  assert_int_equal(query_int(w, &q_count), 0);

  /* A second BEGIN inside a transaction is refused on both backends. */
  assert_int_equal(store_begin(w), STORE_OK);
  assert_true(store_begin(w) < 0);
  assert_int_equal(store_rollback(w), STORE_OK);

  /* Commit keeps; other connections see nothing before it. */
  assert_int_equal(store_begin(w), STORE_OK);
  s = prepare_ok(w, &q_ins);
  store_bind_int(s, 1, 2);
  store_bind_text(s, 2, "b");
  step_done(s, w);
  store_reset(s);
  store_conn *r = store_acquire(fx->st, false);
  assert_non_null(r);
  assert_ptr_not_equal(r, w);
  assert_int_equal(query_int(r, &q_count), 0);
  assert_int_equal(store_commit(w), STORE_OK);
  assert_int_equal(query_int(r, &q_count), 1);
  store_release(r);
  assert_int_equal(query_int(w, &q_count), 1);

  if (fx->kind == STORE_PG) {
    /* PostgreSQL aborts the transaction on any error; COMMIT must then say so. */
    assert_int_equal(store_begin(w), STORE_OK);
    s = prepare_ok(w, &q_ins);
    store_bind_int(s, 1, 3);
    store_bind_text(s, 2, "b");
    assert_int_equal(store_step(s), STORE_CONSTRAINT);
    store_reset(s);
    assert_true(store_commit(w) < 0);
    assert_true(store_errmsg(w)[0] != '\0');
    assert_int_equal(query_int(w, &q_count), 1);
  }
  store_release(w);
}

static void test_changes(void **state) {
  fixture *fx = fx_of(state);
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_counts", "CREATE TABLE hv_t_counts (id INTEGER PRIMARY KEY, grp INTEGER)",
              "CREATE TABLE hv_t_counts (id INTEGER PRIMARY KEY, grp INTEGER)");
  exec_ok(c, "INSERT INTO hv_t_counts (id, grp) VALUES (1, 1), (2, 1), (3, 2), (4, 2), (5, 2)");

  STORE_SQL(q_upd, "UPDATE hv_t_counts SET grp = grp + 10 WHERE grp = ?");
  STORE_SQL(q_del, "DELETE FROM hv_t_counts WHERE grp >= ?");
  static const struct {
    const store_sql *q;
    int64_t arg, want;
  } cases[] = {
      {&q_upd, 1, 2}, {&q_upd, 2, 3}, {&q_upd, 7, 0}, {&q_del, 12, 3}, {&q_del, 0, 2},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    store_stmt *s = prepare_ok(c, cases[k].q);
    store_bind_int(s, 1, cases[k].arg);
    step_done(s, c);
    if (store_changes(s) != cases[k].want)
      fail_msg("case %zu (%s, %" PRId64 "): changes %" PRId64 ", wanted %" PRId64, k, cases[k].q->sql,
               cases[k].arg, store_changes(s), cases[k].want);
    store_reset(s);
  }
  store_release(c);
}

static void test_stmt_cache(void **state) {
  fixture *fx = fx_of(state);
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_cache", "CREATE TABLE hv_t_cache (id INTEGER PRIMARY KEY, v TEXT)",
              "CREATE TABLE hv_t_cache (id INTEGER PRIMARY KEY, v TEXT)");
  STORE_SQL(q_ins, "INSERT INTO hv_t_cache (id, v) VALUES (?, ?)");
  STORE_SQL(q_get, "SELECT v FROM hv_t_cache WHERE id = ?");
  STORE_SQL(q_get_twin, "SELECT v FROM hv_t_cache WHERE id = ?"); /* same text, other owner */

  store_stmt *first = prepare_ok(c, &q_ins);
  store_bind_int(first, 1, 1);
  store_bind_text(first, 2, "một");
  step_done(first, c);
  store_reset(first);
  store_stmt *again = prepare_ok(c, &q_ins);
  assert_ptr_equal(first, again); /* cached per connection */
  store_bind_int(again, 1, 2);
  store_bind_text(again, 2, "hai");
  step_done(again, c);
  store_reset(again);

  for (int round = 0; round < 3; round++) {
    store_stmt *s = prepare_ok(c, round == 1 ? &q_get_twin : &q_get);
    store_bind_int(s, 1, 1 + round % 2);
    assert_int_equal(store_step(s), STORE_ROW);
    assert_string_equal(store_col_text(s, 0), round % 2 ? "hai" : "một");
    store_reset(s);
  }

  /* A statement that cannot be prepared returns NULL, says why, and breaks nothing. */
  STORE_SQL(q_bad, "SELECT nope FROM hv_t_cache_missing WHERE id = ?");
  assert_null(store_prepare(c, &q_bad));
  assert_true(store_errmsg(c)[0] != '\0');
  assert_null(store_prepare(c, &q_bad));
  store_stmt *s = prepare_ok(c, &q_get);
  store_bind_int(s, 1, 2);
  assert_int_equal(store_step(s), STORE_ROW);
  store_reset(s);
  store_release(c);
}

/* ---- migrations ---- */

static const store_sql mig1_steps[] = {
    {"CREATE TABLE hv_t_mig_a (id INTEGER PRIMARY KEY, name TEXT NOT NULL)", NULL},
    {"CREATE INDEX hv_t_mig_a_name ON hv_t_mig_a (name)", NULL},
    {NULL, NULL},
};
static const store_sql mig2_steps[] = {
    {"INSERT INTO hv_t_mig_a (id, name) VALUES (1, 'Phường Lê Chân')", NULL},
    {NULL, NULL},
};
static const store_sql mig3_bad_steps[] = {
    {"CREATE TABLE hv_t_mig_b (id INTEGER PRIMARY KEY)", NULL},
    {"INSERT INTO hv_t_mig_a (id, name) VALUES (2, 'kept?')", NULL},
    {"INSERT INTO hv_t_mig_missing (id) VALUES (1)", NULL}, /* fails */
    {NULL, NULL},
};
static const store_sql mig3_good_steps[] = {
    {"CREATE TABLE hv_t_mig_c (id INTEGER PRIMARY KEY, at BIGINT)", NULL},
    {"ALTER TABLE hv_t_mig_a ADD COLUMN code TEXT", NULL},
    {NULL, NULL},
};

static void test_migrate(void **state) {
  fixture *fx = fx_of(state);
  char err[256] = "";
  const store_migration base[] = {
      {1, "create a", mig1_steps},
      {2, "seed a", mig2_steps},
      {0, NULL, NULL},
  };
  int n = store_migrate(fx->st, base, err, sizeof err);
  if (n != 2)
    fail_msg("first store_migrate = %d: %s", n, err);
  assert_int_equal(store_schema_version(fx->st), 2);
  n = store_migrate(fx->st, base, err, sizeof err);
  if (n != 0)
    fail_msg("second store_migrate = %d: %s", n, err);
  assert_int_equal(store_schema_version(fx->st), 2);

  const store_migration with_bad[] = {
      {1, "create a", mig1_steps},
      {2, "seed a", mig2_steps},
      {3, "broken", mig3_bad_steps},
      {0, NULL, NULL},
  };
  err[0] = '\0';
  assert_int_equal(store_migrate(fx->st, with_bad, err, sizeof err), -1);
  assert_true(err[0] != '\0');
  assert_int_equal(store_schema_version(fx->st), 2);

  /* Nothing of the failed migration is left. */
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  STORE_SQL(q_b, "SELECT COUNT(*) FROM hv_t_mig_b");
  assert_null(store_prepare(c, &q_b));
  STORE_SQL(q_a, "SELECT COUNT(*) FROM hv_t_mig_a");
  assert_int_equal(query_int(c, &q_a), 1);
  store_release(c);

  const store_migration fixed[] = {
      {1, "create a", mig1_steps},
      {2, "seed a", mig2_steps},
      {3, "create c", mig3_good_steps},
      {0, NULL, NULL},
  };
  n = store_migrate(fx->st, fixed, err, sizeof err);
  if (n != 1)
    fail_msg("store_migrate after the fix = %d: %s", n, err);
  assert_int_equal(store_schema_version(fx->st), 3);
  assert_int_equal(store_migrate(fx->st, fixed, err, sizeof err), 0);
  assert_int_equal(store_schema_version(fx->st), 3);
}

/* ---- threads ---- */

enum { THREADS = 8, BATCHES = 10, PER_BATCH = 5 };

typedef struct worker {
  store *st;
  int id;
  int failures;
  char why[256];
} worker;

static void worker_fail(worker *w, const char *what, store_conn *c) {
  if (w->failures++ == 0)
    snprintf(w->why, sizeof w->why, "thread %d: %s: %s", w->id, what, c ? store_errmsg(c) : "no connection");
}

static void *worker_main(void *arg) {
  worker *w = arg;
  STORE_SQL(q_ins, "INSERT INTO hv_t_threads (thread, seq, label) VALUES (?, ?, ?)");
  STORE_SQL(q_mine, "SELECT COUNT(*), MAX(seq) FROM hv_t_threads WHERE thread = ?");
  for (int b = 0; b < BATCHES; b++) {
    store_conn *c = store_acquire(w->st, true);
    if (!c) {
      worker_fail(w, "acquire writer", NULL);
      return NULL;
    }
    if (store_begin(c) != STORE_OK) {
      worker_fail(w, "begin", c);
      store_release(c);
      return NULL;
    }
    for (int k = 0; k < PER_BATCH; k++) {
      store_stmt *s = store_prepare(c, &q_ins);
      if (!s) {
        worker_fail(w, "prepare insert", c);
        break;
      }
      store_bind_int(s, 1, w->id);
      store_bind_int(s, 2, b * PER_BATCH + k);
      store_bind_text(s, 3, "Hộ gia đình");
      if (store_step(s) != STORE_DONE)
        worker_fail(w, "insert", c);
      store_reset(s);
    }
    if (store_commit(c) != STORE_OK)
      worker_fail(w, "commit", c);
    store_release(c);

    /* Read back through a reader: everything committed so far is visible. */
    c = store_acquire(w->st, false);
    if (!c) {
      worker_fail(w, "acquire reader", NULL);
      return NULL;
    }
    store_stmt *s = store_prepare(c, &q_mine);
    if (!s) {
      worker_fail(w, "prepare select", c);
    } else {
      store_bind_int(s, 1, w->id);
      if (store_step(s) != STORE_ROW)
        worker_fail(w, "select", c);
      else if (store_col_int(s, 0) != (b + 1) * PER_BATCH || store_col_int(s, 1) != (b + 1) * PER_BATCH - 1)
        worker_fail(w, "count after commit", c);
      store_reset(s);
    }
    store_release(c);
  }
  return NULL;
}

static void test_threads(void **state) {
  fixture *fx = fx_of(state);
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_threads",
              "CREATE TABLE hv_t_threads (thread INTEGER NOT NULL, seq INTEGER NOT NULL, label TEXT,"
              " PRIMARY KEY (thread, seq))",
              "CREATE TABLE hv_t_threads (thread INTEGER NOT NULL, seq INTEGER NOT NULL, label TEXT,"
              " PRIMARY KEY (thread, seq))");
  store_release(c);

  store_stats before;
  store_get_stats(fx->st, &before);
  worker workers[THREADS];
  pthread_t tids[THREADS];
  for (int i = 0; i < THREADS; i++) {
    workers[i] = (worker){.st = fx->st, .id = i + 1};
    assert_int_equal(pthread_create(&tids[i], NULL, worker_main, &workers[i]), 0);
  }
  for (int i = 0; i < THREADS; i++)
    assert_int_equal(pthread_join(tids[i], NULL), 0);
  for (int i = 0; i < THREADS; i++)
    if (workers[i].failures)
      fail_msg("%d failures, first: %s", workers[i].failures, workers[i].why);

  c = store_acquire(fx->st, false);
  assert_non_null(c);
  STORE_SQL(q_total, "SELECT COUNT(*) FROM hv_t_threads");
  assert_int_equal(query_int(c, &q_total), THREADS * BATCHES * PER_BATCH);
  store_release(c);

  store_stats after;
  store_get_stats(fx->st, &after);
  assert_int_equal(after.in_use, 0);
  assert_true(after.pool_size >= 1 && after.pool_size <= POOL + 1);
  assert_true(after.acquires >= before.acquires + 2 * THREADS * BATCHES);
  assert_true(after.size_bytes > 0);
}

/* Group commit (store_durable_start): a writer's release returns only once its commit is synced,
 * so a sync has happened by then; many threads committing at once share syncs. PostgreSQL: no-op. */
static void test_group_commit(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_durable_start(fx->st), 0);
  assert_int_equal(store_durable_start(fx->st), 0); /* twice: still one syncer */
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_threads",
              "CREATE TABLE hv_t_threads (thread INTEGER NOT NULL, seq INTEGER NOT NULL, label TEXT,"
              " PRIMARY KEY (thread, seq))",
              "CREATE TABLE hv_t_threads (thread INTEGER NOT NULL, seq INTEGER NOT NULL, label TEXT,"
              " PRIMARY KEY (thread, seq))");
  uint64_t s0 = store_wal_syncs(fx->st);
  assert_int_equal(store_begin(c), STORE_OK);
  assert_int_equal(store_exec(c, "INSERT INTO hv_t_threads (thread, seq, label) VALUES (0, 0, 'một')"), STORE_OK);
  assert_int_equal(store_commit(c), STORE_OK);
  store_release(c);
  uint64_t s1 = store_wal_syncs(fx->st);
  if (fx->kind == STORE_PG) {
    assert_true(s1 == 0); /* nothing to do: the server's commits are durable */
    return;
  }
  assert_true(s1 > s0); /* the release waited for a sync that covered the commit */
  worker workers[THREADS];
  pthread_t tids[THREADS];
  for (int i = 0; i < THREADS; i++) {
    workers[i] = (worker){.st = fx->st, .id = i + 1};
    assert_int_equal(pthread_create(&tids[i], NULL, worker_main, &workers[i]), 0);
  }
  for (int i = 0; i < THREADS; i++) assert_int_equal(pthread_join(tids[i], NULL), 0);
  for (int i = 0; i < THREADS; i++)
    if (workers[i].failures) fail_msg("%d failures, first: %s", workers[i].failures, workers[i].why);
  uint64_t s2 = store_wal_syncs(fx->st);
  /* at least one sync, at most one per commit */
  assert_true(s2 > s1 && s2 - s1 <= (uint64_t)(THREADS * BATCHES));
  printf("note: %d commits, %llu WAL syncs\n", THREADS * BATCHES, (unsigned long long)(s2 - s1));
}

static void test_backup(void **state) {
  fixture *fx = fx_of(state);
  char err[256] = "";
  char path[160];
  if (fx->kind == STORE_PG) {
    snprintf(path, sizeof path, "/tmp/hv_test_store_pg_backup_%ld.db", (long)getpid());
    assert_int_equal(store_backup(fx->st, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "pg_dump"));
    assert_int_equal(access(path, F_OK), -1);
    return;
  }
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_backup", "CREATE TABLE hv_t_backup (id INTEGER PRIMARY KEY, v TEXT)",
              "CREATE TABLE hv_t_backup (id INTEGER PRIMARY KEY, v TEXT)");
  STORE_SQL(q_ins, "INSERT INTO hv_t_backup (id, v) VALUES (?, ?)");
  for (int i = 1; i <= 100; i++) {
    store_stmt *s = prepare_ok(c, &q_ins);
    store_bind_int(s, 1, i);
    store_bind_text(s, 2, "Thôn Đông");
    step_done(s, c);
    store_reset(s);
  }
  store_release(c);

  snprintf(path, sizeof path, "%.63s/backup.db", fx->dir);
  if (store_backup(fx->st, path, err, sizeof err) != 0)
    fail_msg("store_backup: %s", err);

  store *copy = store_open(path, 1, err, sizeof err);
  if (!copy)
    fail_msg("cannot open the backup: %s", err);
  c = store_acquire(copy, false);
  assert_non_null(c);
  STORE_SQL(q_count, "SELECT COUNT(*), MIN(v) FROM hv_t_backup");
  store_stmt *s = prepare_ok(c, &q_count);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_int_equal(store_col_int(s, 0), 100);
  assert_string_equal(store_col_text(s, 1), "Thôn Đông");
  store_reset(s);
  store_release(c);
  store_close(copy);
}

/* What only the PostgreSQL backend promises: binding errors surface at step, type conversions
 * match SQLite's, and a connection released inside a transaction is not handed out again. */
static void test_pg_specifics(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind != STORE_PG)
    skip();
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);

  STORE_SQL(q_one, "SELECT CAST(? AS TEXT)");
  store_stmt *s = prepare_ok(c, &q_one);
  store_bind_text(s, 2, "out of range");
  assert_int_equal(store_step(s), STORE_ERROR);
  assert_non_null(strstr(store_errmsg(c), "parameter 2"));
  store_reset(s);
  s = prepare_ok(c, &q_one);
  store_bind_textn(s, 1, "a\0b", 3);
  assert_int_equal(store_step(s), STORE_ERROR);
  store_reset(s);

  STORE_SQL(q_conv, "SELECT TRUE, FALSE, CAST(12.7 AS NUMERIC), CAST(-3.9 AS DOUBLE PRECISION),"
                    " CAST('\\x00ff' AS BYTEA), 'text?', CAST(NULL AS BIGINT)");
  s = prepare_ok(c, &q_conv);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_int_equal(store_col_count(s), 7);
  assert_int_equal(store_col_int(s, 0), 1);
  assert_int_equal(store_col_int(s, 1), 0);
  assert_int_equal(store_col_int(s, 2), 12);
  assert_int_equal(store_col_int(s, 3), -3);
  size_t n = 0;
  const unsigned char *b = store_col_blob(s, 4, &n);
  assert_int_equal(n, 2);
  assert_int_equal(b[0], 0x00);
  assert_int_equal(b[1], 0xFF);
  const char *t = store_col_blob(s, 5, &n); /* text read as a blob: its bytes */
  assert_int_equal(n, 5);
  assert_memory_equal(t, "text?", 5);
  assert_true(store_col_is_null(s, 6));
  assert_int_equal(store_col_int(s, 6), 0);
  assert_true(store_col_is_null(s, 99)); /* out of range reads as NULL */
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);

  /* DDL that changes a cached statement's columns: prepared again, as SQLite does. */
  exec_ok(c, "DROP TABLE IF EXISTS hv_t_ddl");
  exec_ok(c, "CREATE TABLE hv_t_ddl (id INTEGER PRIMARY KEY)");
  exec_ok(c, "INSERT INTO hv_t_ddl (id) VALUES (7)");
  STORE_SQL(q_star, "SELECT * FROM hv_t_ddl WHERE id = ?");
  for (int round = 0; round < 2; round++) {
    s = prepare_ok(c, &q_star);
    store_bind_int(s, 1, 7);
    int rc = store_step(s);
    if (rc != STORE_ROW)
      fail_msg("round %d: step = %d: %s", round, rc, store_errmsg(c));
    assert_int_equal(store_col_count(s), round + 1);
    store_reset(s);
    if (round == 0)
      exec_ok(c, "ALTER TABLE hv_t_ddl ADD COLUMN note TEXT");
  }

  /* A careless release inside a transaction: the next user gets a clean connection. */
  assert_int_equal(store_begin(c), STORE_OK);
  store_release(c);
  c = store_acquire(fx->st, true);
  assert_non_null(c);
  assert_int_equal(store_begin(c), STORE_OK);
  assert_int_equal(store_rollback(c), STORE_OK);
  store_release(c);
}


/* ---- issue 6: storage under faults, and the primitives for imports and exports ---- */

/* A COMMIT that fails (here: a deferred foreign key) leaves no transaction open behind it: the
 * next BEGIN (IMMEDIATE, on SQLite's single writer) succeeds. SQLite keeps the transaction open
 * after such a COMMIT; PostgreSQL rolls it back itself. */
static void test_commit_failure(void **state) {
  fixture *fx = fx_of(state);
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  exec_ok(c, "DROP TABLE IF EXISTS hv_t_dfk_c");
  fresh_table(fx, c, "hv_t_dfk_p", "CREATE TABLE hv_t_dfk_p (id INTEGER PRIMARY KEY)",
              "CREATE TABLE hv_t_dfk_p (id INTEGER PRIMARY KEY)");
  const char *child = "CREATE TABLE hv_t_dfk_c (id INTEGER PRIMARY KEY,"
                      " p INTEGER REFERENCES hv_t_dfk_p(id) DEFERRABLE INITIALLY DEFERRED)";
  fresh_table(fx, c, "hv_t_dfk_c", child, child);
  STORE_SQL(q_child, "INSERT INTO hv_t_dfk_c (id, p) VALUES (?, ?)");
  STORE_SQL(q_count, "SELECT COUNT(*) FROM hv_t_dfk_c");

  assert_int_equal(store_begin(c), STORE_OK);
  store_stmt *s = prepare_ok(c, &q_child);
  store_bind_int(s, 1, 1);
  store_bind_int(s, 2, 42); /* no such parent: refused only at COMMIT */
  step_done(s, c);
  store_reset(s);
  assert_int_not_equal(store_commit(c), STORE_OK);
  assert_false(store_in_transaction(c));

  /* The writer is usable again at once. */
  if (store_begin(c) != STORE_OK)
    fail_msg("BEGIN after a failed COMMIT: %s", store_errmsg(c));
  s = prepare_ok(c, &q_child);
  store_bind_int(s, 1, 2);
  store_bind_null(s, 2);
  step_done(s, c);
  store_reset(s);
  assert_int_equal(store_commit(c), STORE_OK);
  assert_int_equal(query_int(c, &q_count), 1); /* the refused row is gone, the later one kept */
  store_release(c);

  /* And another thread's writer acquire is not stuck behind a lock left open. */
  c = store_acquire(fx->st, true);
  assert_non_null(c);
  assert_int_equal(store_begin(c), STORE_OK);
  assert_int_equal(store_rollback(c), STORE_OK);
  store_release(c);
}

/* One bad row inside a transaction is undone by a savepoint, and the transaction goes on (on
 * PostgreSQL the error would otherwise abort it whole). */
static void test_savepoints(void **state) {
  fixture *fx = fx_of(state);
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_sp", "CREATE TABLE hv_t_sp (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
              "CREATE TABLE hv_t_sp (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
  STORE_SQL(q_ins, "INSERT INTO hv_t_sp (id, name) VALUES (?, ?)");
  STORE_SQL(q_names, "SELECT COUNT(*) FROM hv_t_sp WHERE name IN ('Tổ 1', 'Tổ 2')");
  assert_int_equal(store_savepoint(c, "sp1"), STORE_ERROR); /* outside a transaction */
  assert_int_equal(store_begin(c), STORE_OK);
  store_stmt *s = prepare_ok(c, &q_ins);
  store_bind_int(s, 1, 1);
  store_bind_text(s, 2, "Tổ 1");
  step_done(s, c);
  store_reset(s);

  assert_int_equal(store_savepoint(c, "row_2"), STORE_OK);
  s = prepare_ok(c, &q_ins);
  store_bind_int(s, 1, 2);
  store_bind_text(s, 2, "Tổ 1"); /* duplicate name */
  assert_int_equal(store_step(s), STORE_CONSTRAINT);
  store_reset(s);
  assert_int_equal(store_rollback_to(c, "row_2"), STORE_OK);
  assert_int_equal(store_release_savepoint(c, "row_2"), STORE_OK);

  assert_int_equal(store_savepoint(c, "bad name;"), STORE_ERROR); /* not an identifier */
  s = prepare_ok(c, &q_ins);
  store_bind_int(s, 1, 3);
  store_bind_text(s, 2, "Tổ 2");
  if (store_step(s) != STORE_DONE)
    fail_msg("insert after ROLLBACK TO: %s", store_errmsg(c));
  store_reset(s);
  assert_int_equal(store_commit(c), STORE_OK);
  assert_int_equal(query_int(c, &q_names), 2);
  store_release(c);
}

/* A savepoint whose journal outgrows the in-memory size (SQ_SUBJOURNAL_SPILL, 4 MiB) spills it to
 * a file: that write of 4 MiB once came back "database or disk is full" (the default VFS writes
 * less than 128 KiB a call; sqlite.c's write_pieces). 3,000 rows of 2 KB changed in a savepoint:
 * ~6 MB of journal. */
static void test_big_savepoint(void **state) {
  fixture *fx = fx_of(state);
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_big", "CREATE TABLE hv_t_big (id INTEGER PRIMARY KEY, v TEXT NOT NULL)",
              "CREATE TABLE hv_t_big (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
  STORE_SQL(q_fill, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000)"
                    " INSERT INTO hv_t_big (id, v) SELECT x, replace(hex(zeroblob(1000)), '0', 'a') FROM n");
  STORE_SQL(q_fill_pg, "INSERT INTO hv_t_big (id, v) SELECT x, repeat('a', 2000) FROM generate_series(1, 3000) AS x");
  STORE_SQL(q_grow, "UPDATE hv_t_big SET v = v || 'b'");
  STORE_SQL(q_grown, "SELECT COUNT(*) FROM hv_t_big WHERE length(v) = 2001");
  store_stmt *s = prepare_ok(c, fx->kind == STORE_PG ? &q_fill_pg : &q_fill);
  step_done(s, c);
  store_reset(s);
  assert_int_equal(store_begin(c), STORE_OK);
  assert_int_equal(store_savepoint(c, "big"), STORE_OK);
  s = prepare_ok(c, &q_grow);
  if (store_step(s) != STORE_DONE) fail_msg("the big UPDATE in a savepoint: %s", store_errmsg(c));
  store_reset(s);
  assert_int_equal(store_release_savepoint(c, "big"), STORE_OK);
  assert_int_equal(store_commit(c), STORE_OK);
  assert_int_equal(query_int(c, &q_grown), 3000);
  store_release(c);
}

typedef struct bulk_errs {
  int64_t rows[8];
  int n;
} bulk_errs;

static void on_bulk_error(void *ctx, int64_t row, int rc, const char *msg) {
  bulk_errs *e = ctx;
  assert_int_equal(rc, STORE_CONSTRAINT);
  assert_non_null(msg);
  if (e->n < 8)
    e->rows[e->n] = row;
  e->n++;
}

/* Bulk writes: chunks in their own transactions, the writer free between them, bad rows found
 * and reported by index while the good rows of their chunk are kept; text survives COPY's
 * escaping. */
static void test_bulk(void **state) {
  fixture *fx = fx_of(state);
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_bulk",
              "CREATE TABLE hv_t_bulk (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER CHECK (n >= 0))",
              "CREATE TABLE hv_t_bulk (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER CHECK (n >= 0))");
  store_release(c);

  STORE_BULK(spec, "hv_t_bulk", "id, name, n", 3);
  enum { ROWS = 2500, CHUNK = 1000 };
  bulk_errs errs = {.n = 0};
  store_bulk *b = store_bulk_begin(fx->st, &spec, CHUNK, on_bulk_error, &errs);
  assert_non_null(b);
  const char *odd = "Tab\there, new\nline, back\\slash, Đường Lê Lợi, \\N";
  for (int i = 0; i < ROWS; i++) {
    char name[64];
    snprintf(name, sizeof name, "hộ %d", i);
    store_val row[3] = {store_val_int(i + 1), store_val_text(name), store_val_int(i % 7)};
    if (i == 1500) row[1] = store_val_text("hộ 3");   /* duplicate of row 3: refused */
    if (i == 2100) row[2] = store_val_int(-1);        /* CHECK: refused */
    if (i == 2200) row[1] = store_val_text(odd);
    if (i == 2300) row[2] = store_val_null();
    assert_int_equal(store_bulk_add(b, row), STORE_OK);
    if (i == CHUNK - 1) {
      /* The first chunk is written and the writer given back: another writer gets it now. */
      store_why why = STORE_WHY_NONE;
      store_conn *w = store_acquire_timed(fx->st, true, 1000, &why);
      if (!w)
        fail_msg("the writer is still held between chunks (why %d)", (int)why);
      store_release(w);
    }
  }
  store_bulk_stats st;
  assert_int_equal(store_bulk_finish(b, &st), STORE_OK);
  assert_int_equal(st.added, ROWS);
  assert_int_equal(st.inserted, ROWS - 2);
  assert_int_equal(st.failed, 2);
  assert_int_equal(st.chunks, 3);
  assert_int_equal(st.fallbacks, 2);
  assert_int_equal(errs.n, 2);
  assert_int_equal(errs.rows[0], 1500);
  assert_int_equal(errs.rows[1], 2100);

  c = store_acquire(fx->st, false);
  assert_non_null(c);
  STORE_SQL(q_count, "SELECT COUNT(*) FROM hv_t_bulk");
  assert_int_equal(query_int(c, &q_count), ROWS - 2);
  STORE_SQL(q_odd, "SELECT name FROM hv_t_bulk WHERE id = 2201");
  store_stmt *s = prepare_ok(c, &q_odd);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_string_equal(store_col_text(s, 0), odd);
  store_reset(s);
  STORE_SQL(q_null, "SELECT COUNT(*) FROM hv_t_bulk WHERE n IS NULL");
  assert_int_equal(query_int(c, &q_null), 1);
  store_release(c);

  /* Bad declarations are refused up front. */
  STORE_BULK(bad, "hv_t_bulk; DROP TABLE x", "id", 1);
  assert_null(store_bulk_begin(fx->st, &bad, 10, NULL, NULL));
}

/* Streaming reads: 200,000 generated rows stepped one by one; on PostgreSQL the statement never
 * holds more than the current row (single-row mode), where a plain one holds them all. */
static void test_stream(void **state) {
  fixture *fx = fx_of(state);
  enum { N = 200000 };
  STORE_SQL2(q_gen,
             "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?) SELECT n, 'hộ ' || n FROM g",
             "SELECT n, 'hộ ' || n FROM generate_series(1, ?::bigint) AS n");
  store_conn *c = store_acquire(fx->st, false);
  assert_non_null(c);
  store_stmt *s = store_prepare_stream(c, &q_gen);
  assert_non_null(s);
  store_bind_int(s, 1, N);
  int64_t count = 0, sum = 0;
  int most_held = 0, rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    count++;
    sum += store_col_int(s, 0);
    int held = store_rows_held(s);
    if (held > most_held)
      most_held = held;
  }
  assert_int_equal(rc, STORE_DONE);
  store_reset(s);
  assert_int_equal(count, N);
  assert_int_equal(sum, (int64_t)N * (N + 1) / 2);
  assert_int_equal(most_held, 1);

  if (fx->kind == STORE_PG) {
    /* The honest comparison: without streaming the whole result sits in memory. */
    s = prepare_ok(c, &q_gen);
    store_bind_int(s, 1, 1000);
    assert_int_equal(store_step(s), STORE_ROW);
    assert_int_equal(store_rows_held(s), 1000);
    store_reset(s);
  }

  /* A stream left half-way is ended by reset, and the connection runs the next statement. */
  s = store_prepare_stream(c, &q_gen);
  store_bind_int(s, 1, N);
  for (int i = 0; i < 10; i++)
    assert_int_equal(store_step(s), STORE_ROW);
  store_reset(s);
  STORE_SQL(q_one, "SELECT 1");
  assert_int_equal(query_int(c, &q_one), 1);

  if (fx->kind == STORE_PG) {
    /* Left after its first row, a query the server has already finished: the cancel sent for it
     * comes too late for it and could hit the next statement, so the connection is opened again
     * before its next use, and what follows runs whole. */
    store_stats before, after;
    store_get_stats(fx->st, &before);
    s = store_prepare_stream(c, &q_gen);
    store_bind_int(s, 1, 3);
    assert_int_equal(store_step(s), STORE_ROW);
    usleep(50 * 1000); /* the server has sent all three rows and is idle */
    store_reset(s);
    store_release(c);
    c = store_acquire(fx->st, false);
    assert_non_null(c);
    store_get_stats(fx->st, &after);
    assert_int_equal(after.reconnects, before.reconnects + 1);
    STORE_SQL(q_slow, "SELECT 1 FROM (SELECT pg_sleep(0.05)) AS w");
    for (int i = 0; i < 3; i++)
      assert_int_equal(query_int(c, &q_slow), 1);
  }
  store_release(c);
}

/* A statement planned per call runs like any other, again and again and as a stream, with its
 * parameters; on PostgreSQL it leaves no named statement on the server. */
static void test_per_call(void **state) {
  fixture *fx = fx_of(state);
  STORE_SQL_PER_CALL(q_pc, "SELECT CAST(? AS BIGINT) * 2, CAST(? AS TEXT)");
  STORE_SQL2(q_named, "SELECT 0", "SELECT COUNT(*) FROM pg_prepared_statements");
  store_conn *c = store_acquire(fx->st, false);
  assert_non_null(c);
  int64_t named0 = query_int(c, &q_named);
  for (int i = 1; i <= 3; i++) {
    store_stmt *s = store_prepare(c, &q_pc);
    assert_non_null(s);
    store_bind_int(s, 1, i);
    store_bind_text(s, 2, i == 2 ? NULL : "hộ");
    assert_int_equal(store_step(s), STORE_ROW);
    assert_int_equal(store_col_int(s, 0), 2 * i);
    assert_int_equal(store_col_is_null(s, 1), i == 2);
    assert_int_equal(store_step(s), STORE_DONE);
    store_reset(s);
  }
  store_stmt *st = store_prepare_stream(c, &q_pc);
  assert_non_null(st);
  store_bind_int(st, 1, 21);
  store_bind_text(st, 2, "x");
  assert_int_equal(store_step(st), STORE_ROW);
  assert_int_equal(store_col_int(st, 0), 42);
  assert_int_equal(store_step(st), STORE_DONE);
  store_reset(st);
  if (fx->kind == STORE_PG) assert_int_equal(query_int(c, &q_named), named0); /* q_named counted itself already */
  store_release(c);
}

/* Waiting for the writer (SQLite) or for a pooled connection (PostgreSQL) ends at a deadline,
 * and says it was busy, not down. */
static void test_acquire_deadline(void **state) {
  fixture *fx = fx_of(state);
  store_conn *held[POOL + 1] = {NULL};
  int n = fx->kind == STORE_SQLITE ? 1 : POOL;
  for (int i = 0; i < n; i++) {
    held[i] = store_acquire(fx->st, true);
    assert_non_null(held[i]);
  }
  store_why why = STORE_WHY_NONE;
  assert_null(store_acquire_timed(fx->st, true, 100, &why));
  assert_int_equal(why, STORE_WHY_BUSY);
  store_set_wait(fx->st, 100);
  assert_null(store_acquire(fx->st, true));
  store_set_wait(fx->st, 5000);
  store_stats st;
  store_get_stats(fx->st, &st);
  assert_true(st.timeouts >= 2);
  for (int i = 0; i < n; i++)
    store_release(held[i]);
  store_conn *c = store_acquire_timed(fx->st, true, 100, &why);
  assert_non_null(c);
  assert_int_equal(why, STORE_WHY_NONE);
  store_release(c);
}

/* PostgreSQL: a pooled connection the server dropped (as after a restart) is opened again in
 * place when it is next taken; nothing is freed twice or used after being freed (ASan). */
static void test_pg_reconnect(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind != STORE_PG)
    skip();
  STORE_SQL(q_pid, "SELECT pg_backend_pid()");
  STORE_SQL(q_kill, "SELECT pg_terminate_backend(?::int)");
  store_conn *a = store_acquire(fx->st, true);
  store_conn *b = store_acquire(fx->st, true);
  assert_non_null(a);
  assert_non_null(b);
  int64_t pid_a = query_int(a, &q_pid);
  store_stmt *s = prepare_ok(b, &q_kill);
  store_bind_int(s, 1, pid_a);
  assert_int_equal(store_step(s), STORE_ROW);
  store_reset(s);
  store_release(b);
  store_release(a); /* the free list hands out `a` next */
  usleep(100 * 1000); /* the server closes the socket */

  store_stats before, after;
  store_get_stats(fx->st, &before);
  for (int i = 0; i < 3; i++) {
    store_conn *c = store_acquire(fx->st, true);
    assert_non_null(c);
    int64_t pid = query_int(c, &q_pid);
    assert_true(pid > 0 && pid != pid_a);
    store_release(c);
  }
  store_get_stats(fx->st, &after);
  assert_true(after.reconnects >= before.reconnects + 1);

  /* A connection that dies in the middle of its work reports an unavailable database (503),
   * not a broken statement. */
  a = store_acquire(fx->st, true);
  b = store_acquire(fx->st, true);
  pid_a = query_int(a, &q_pid);
  s = prepare_ok(b, &q_kill);
  store_bind_int(s, 1, pid_a);
  assert_int_equal(store_step(s), STORE_ROW);
  store_reset(s);
  usleep(100 * 1000);
  s = store_prepare(a, &q_pid);
  int rc = s ? store_step(s) : STORE_ERROR;
  store_reset(s);
  assert_true(rc < 0);
  assert_true(store_unavailable(a));
  assert_false(store_unavailable(b));
  store_release(b);
  store_release(a);
}

/* ids that the audit log refers to are never handed out twice: after migration 3 a deleted
 * unit's id is not reused on SQLite (AUTOINCREMENT); PostgreSQL's identity never reuses. The
 * rebuild keeps foreign keys working. Runs the real migrations on a database of its own. */
static void test_ids_not_reused(void **state) {
  fixture *fx = fx_of(state);
  char err[512] = "", target[600];
  store *st = NULL;
  if (fx->kind == STORE_SQLITE) {
    snprintf(target, sizeof target, "%.63s/ids.db", fx->dir);
    remove_sqlite_files(target);
  } else {
    store_conn *c = store_acquire(fx->st, true);
    assert_non_null(c);
    exec_ok(c, "DROP SCHEMA IF EXISTS hv_test_ids CASCADE; CREATE SCHEMA hv_test_ids");
    store_release(c);
    const char *url = getenv("HOCVUSO_TEST_DATABASE_URL");
    snprintf(target, sizeof target, "%s%coptions=-c%%20search_path%%3Dhv_test_ids", url, strchr(url, '?') ? '&' : '?');
  }
  st = store_open(target, 2, err, sizeof err);
  if (!st)
    fail_msg("open %s: %s", target, err);
  if (store_migrate(st, hocvuso_migrations, err, sizeof err) < 0)
    fail_msg("migrate: %s", err);
  assert_true(store_schema_version(st) >= 3);

  store_conn *c = store_acquire(st, true);
  assert_non_null(c);
  STORE_SQL(q_unit, "INSERT INTO units (parent_id, kind, name, name_fold, path, depth, created_at, updated_at)"
                    " VALUES (NULL, 'ward', ?, ?, '/', 0, 0, 0) RETURNING id");
  STORE_SQL(q_del, "DELETE FROM units WHERE id = ?");
  int64_t ids[3];
  const char *names[3] = {"Phường A", "Phường B", "Phường C"};
  for (int i = 0; i < 3; i++) {
    if (i == 2) { /* delete the newest, then create another */
      store_stmt *d = prepare_ok(c, &q_del);
      store_bind_int(d, 1, ids[1]);
      step_done(d, c);
      store_reset(d);
    }
    store_stmt *s = prepare_ok(c, &q_unit);
    store_bind_text(s, 1, names[i]);
    store_bind_text(s, 2, names[i]);
    assert_int_equal(store_insert_id(s, &ids[i]), STORE_DONE);
  }
  assert_true(ids[1] > ids[0]);
  if (ids[2] <= ids[1])
    fail_msg("id %" PRId64 " of a deleted unit was handed out again (got %" PRId64 ")", ids[1], ids[2]);

  /* Foreign keys are on again and still point at the rebuilt tables. */
  STORE_SQL(q_user, "INSERT INTO users (username, display_name, name_fold, password_hash, unit_id, created_at,"
                    " updated_at) VALUES ('u1', 'U', 'u', 'x', ?, 0, 0) RETURNING id");
  STORE_SQL(q_role, "INSERT INTO user_roles (user_id, role, unit_id, granted_at) VALUES (?, 'learner', ?, 0)");
  store_stmt *s = prepare_ok(c, &q_user);
  store_bind_int(s, 1, ids[1]); /* deleted unit */
  assert_int_equal(store_insert_id(s, &ids[1]), STORE_CONSTRAINT);
  int64_t uid = 0;
  s = prepare_ok(c, &q_user);
  store_bind_int(s, 1, ids[0]);
  assert_int_equal(store_insert_id(s, &uid), STORE_DONE);
  s = prepare_ok(c, &q_role);
  store_bind_int(s, 1, uid);
  store_bind_int(s, 2, ids[2] + 1000); /* no such unit */
  assert_int_equal(store_step(s), STORE_CONSTRAINT);
  store_reset(s);
  s = prepare_ok(c, &q_role);
  store_bind_int(s, 1, uid);
  store_bind_int(s, 2, ids[0]);
  step_done(s, c);
  store_reset(s);
  STORE_SQL(q_del_user, "DELETE FROM users WHERE id = ?");
  s = prepare_ok(c, &q_del_user);
  store_bind_int(s, 1, uid);
  step_done(s, c);
  store_reset(s);
  STORE_SQL(q_roles, "SELECT COUNT(*) FROM user_roles");
  assert_int_equal(query_int(c, &q_roles), 0); /* ON DELETE CASCADE still there */
  if (fx->kind == STORE_SQLITE) {
    STORE_SQL(q_idx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('units_parent',"
                     " 'units_path', 'units_parent_id', 'user_roles_unit', 'sessions_user')");
    assert_int_equal(query_int(c, &q_idx), 5);
  }
  store_release(c);
  /* Running the migrations again changes nothing. */
  assert_int_equal(store_migrate(st, hocvuso_migrations, err, sizeof err), 0);
  store_close(st);
  if (fx->kind == STORE_SQLITE)
    remove_sqlite_files(target);
}

/* Migration 39 (fewer pages a visit) on a database at 38 with entries in its audit log: every entry
 * is kept as it was, the index by actor id is gone and the other three are there, the list's
 * filters still answer (by user name, by action, by object), and a new visit marks its household
 * only when it is the first of its household on or before its day (the trigger's text on SQLite,
 * the function's on PostgreSQL). Runs the real migrations on a database of its own. */
static void test_migration_39(void **state) {
  fixture *fx = fx_of(state);
  char err[512] = "", target[600];
  if (fx->kind == STORE_SQLITE) {
    snprintf(target, sizeof target, "%.63s/m39.db", fx->dir);
    remove_sqlite_files(target);
  } else {
    store_conn *c = store_acquire(fx->st, true);
    assert_non_null(c);
    exec_ok(c, "DROP SCHEMA IF EXISTS hv_test_m39 CASCADE; CREATE SCHEMA hv_test_m39");
    store_release(c);
    const char *url = getenv("HOCVUSO_TEST_DATABASE_URL");
    snprintf(target, sizeof target, "%s%coptions=-c%%20search_path%%3Dhv_test_m39", url, strchr(url, '?') ? '&' : '?');
  }
  store *st = store_open(target, 2, err, sizeof err);
  if (!st) fail_msg("open %s: %s", target, err);
  /* the migrations up to 38 */
  size_t n = 0;
  while (hocvuso_migrations[n].version && hocvuso_migrations[n].version <= 38) n++;
  store_migration *upto38 = calloc(n + 1, sizeof *upto38);
  assert_non_null(upto38);
  memcpy(upto38, hocvuso_migrations, n * sizeof *upto38);
  if (store_migrate(st, upto38, err, sizeof err) < 0) fail_msg("migrate to 38: %s", err);
  free(upto38);
  assert_int_equal(store_schema_version(st), 38);
  store_conn *c = store_acquire(st, true);
  assert_non_null(c);
  exec_ok(c, "INSERT INTO audit_log (at, actor_id, actor_username, action, entity, entity_id, unit_id, detail,"
             " actor_name, names_fold) VALUES (100, 7, 'tnv.mot', 'field.visit.create', 'household', 41, NULL,"
             " '{\"visit_id\":1}', 'Tình nguyện viên Một', 'tnv.mot'),"
             " (200, 8, 'tnv.hai', 'field.visit.create', 'household', 42, NULL, NULL, 'Tình nguyện viên Hai', 'tnv.hai'),"
             " (300, 7, 'tnv.mot', 'person.read', 'person', 43, NULL, NULL, NULL, NULL)");
  STORE_SQL(q_sum, "SELECT COUNT(*) * 1000000 + SUM(id + at + actor_id + entity_id) FROM audit_log");
  int64_t before = query_int(c, &q_sum);
  store_release(c);

  int applied = store_migrate(st, hocvuso_migrations, err, sizeof err);
  if (applied < 1) fail_msg("migrate from 38: %d %s", applied, err);
  assert_true(store_schema_version(st) >= 39);
  c = store_acquire(st, true);
  assert_non_null(c);
  assert_int_equal(query_int(c, &q_sum), before);
  STORE_SQL2(q_indexes,
             "SELECT COUNT(*) * 10 + SUM(name = 'audit_actor') FROM sqlite_master WHERE type = 'index'"
             " AND tbl_name = 'audit_log' AND name IN ('audit_actor', 'audit_at', 'audit_action', 'audit_log_entity_id')",
             "SELECT COUNT(*) * 10 + SUM(CASE WHEN indexname = 'audit_actor' THEN 1 ELSE 0 END) FROM pg_indexes"
             " WHERE schemaname = current_schema() AND tablename = 'audit_log'"
             " AND indexname IN ('audit_actor', 'audit_at', 'audit_action', 'audit_log_entity_id')");
  assert_int_equal(query_int(c, &q_indexes), 30); /* three, none of them audit_actor */
  STORE_SQL(q_by_name, "SELECT COUNT(*) FROM audit_log WHERE actor_username = 'tnv.mot'");
  assert_int_equal(query_int(c, &q_by_name), 2);
  STORE_SQL(q_by_object, "SELECT COUNT(*) FROM audit_log WHERE entity_id = 42 AND action = 'field.visit.create'");
  assert_int_equal(query_int(c, &q_by_object), 1);
  STORE_SQL2(q_rule,
             "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'ind_visits_in'"
             " AND sql LIKE '%e\\_.id < NEW.id%' ESCAPE '\\'",
             "SELECT COUNT(*) FROM pg_proc WHERE proname = 'ind_mark_visits'"
             " AND pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND prosrc LIKE '%e\\_.id < NEW.id%' ESCAPE '\\'");
  assert_int_equal(query_int(c, &q_rule), 1);
  store_release(c);
  /* Running the migrations again changes nothing. */
  assert_int_equal(store_migrate(st, hocvuso_migrations, err, sizeof err), 0);
  store_close(st);
  if (fx->kind == STORE_SQLITE) remove_sqlite_files(target);
}

/* Migration 42: a visit's outcomes keyed to its residents present. A database at 41 with visits,
 * residents present, their outcomes and one outcome of someone not present (possible before 42):
 * every outcome with its presence kept, the other one not copied, the index by person gone; the
 * database then refuses an outcome without its presence, and a person's deletion takes their
 * presence and outcomes. On SQLite the outcomes are made big enough (~3,000 pages with the index)
 * that a DROP of the full table would outgrow the statement journal's spill size (sqlite.c) and
 * fail on SQLite 3.40: the migration empties the table first. */
static void test_migration_42(void **state) {
  fixture *fx = fx_of(state);
  char err[512] = "", target[600];
  if (fx->kind == STORE_SQLITE) {
    snprintf(target, sizeof target, "%.63s/m42.db", fx->dir);
    remove_sqlite_files(target);
  } else {
    store_conn *c = store_acquire(fx->st, true);
    assert_non_null(c);
    exec_ok(c, "DROP SCHEMA IF EXISTS hv_test_m42 CASCADE; CREATE SCHEMA hv_test_m42");
    store_release(c);
    const char *url = getenv("HOCVUSO_TEST_DATABASE_URL");
    snprintf(target, sizeof target, "%s%coptions=-c%%20search_path%%3Dhv_test_m42", url, strchr(url, '?') ? '&' : '?');
  }
  store *st = store_open(target, 2, err, sizeof err);
  if (!st) fail_msg("open %s: %s", target, err);
  size_t n = 0;
  while (hocvuso_migrations[n].version && hocvuso_migrations[n].version <= 41) n++;
  store_migration *upto41 = calloc(n + 1, sizeof *upto41);
  assert_non_null(upto41);
  memcpy(upto41, hocvuso_migrations, n * sizeof *upto41);
  if (store_migrate(st, upto41, err, sizeof err) < 0) fail_msg("migrate to 41: %s", err);
  free(upto41);
  assert_int_equal(store_schema_version(st), 41);
  store_conn *c = store_acquire(st, true);
  assert_non_null(c);
  exec_ok(c, "INSERT INTO units (id, kind, name, name_fold, path, depth, created_at, updated_at)"
             " VALUES (4201, 'residential_group', 'Tổ 42', 'to 42', '/4201/', 1, 1, 1)");
  exec_ok(c, "INSERT INTO households (id, unit_id, created_at, updated_at) VALUES (4201, 4201, 1, 1)");
  exec_ok(c, "INSERT INTO people (id, full_name, name_key, household_id, unit_id, created_at, updated_at) VALUES"
             " (4201, 'Một', 'mot', 4201, 4201, 1, 1), (4202, 'Hai', 'hai', 4201, 4201, 1, 1)");
  exec_ok(c, "INSERT INTO field_visits (id, household_id, unit_id, visited_on, created_at) VALUES"
             " (4201, 4201, 4201, 20260101, 1), (4202, 4201, 4201, 20260102, 1)");
  exec_ok(c, "INSERT INTO field_visit_people (visit_id, person_id) VALUES (4201, 4201), (4201, 4202), (4202, 4201)");
  exec_ok(c, "INSERT INTO field_visit_outcomes (visit_id, person_id, outcome) VALUES (4201, 4201, 'scam_aware'),"
             " (4201, 4202, 'declined'), (4202, 4201, 'cashless_setup'),"
             " (4202, 4202, 'vneid_level2')"); /* 4202 was not present at visit 4202 */
  int64_t bulk = 0;
  if (fx->kind == STORE_SQLITE) {
    bulk = 20000;
    exec_ok(c, "WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 20000)"
               " INSERT INTO field_visit_outcomes (visit_id, person_id, outcome)"
               " SELECT 4202, 4201, printf('x%0300d', k) FROM i");
  }
  store_release(c);

  int applied = store_migrate(st, hocvuso_migrations, err, sizeof err);
  if (applied < 1) fail_msg("migrate from 41: %d %s", applied, err);
  assert_true(store_schema_version(st) >= 42);
  c = store_acquire(st, true);
  assert_non_null(c);
  STORE_SQL(q_outcomes, "SELECT COUNT(*) FROM field_visit_outcomes");
  assert_int_equal(query_int(c, &q_outcomes), 3 + bulk);
  STORE_SQL(q_orphan, "SELECT COUNT(*) FROM field_visit_outcomes WHERE visit_id = 4202 AND person_id = 4202");
  assert_int_equal(query_int(c, &q_orphan), 0);
  STORE_SQL2(q_index,
             "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'field_visit_outcomes_person'",
             "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'field_visit_outcomes_person'");
  assert_int_equal(query_int(c, &q_index), 0);
  /* An outcome needs its presence. */
  assert_int_not_equal(store_exec(c, "INSERT INTO field_visit_outcomes (visit_id, person_id, outcome)"
                                     " VALUES (4202, 4202, 'scam_aware')"), STORE_OK);
  exec_ok(c, "INSERT INTO field_visit_outcomes (visit_id, person_id, outcome) VALUES (4201, 4202, 'scam_aware')");
  /* A person's deletion takes their presence and their outcomes, nobody else's. */
  exec_ok(c, "DELETE FROM people WHERE id = 4202");
  STORE_SQL(q_theirs, "SELECT COUNT(*) FROM field_visit_outcomes WHERE person_id = 4202");
  assert_int_equal(query_int(c, &q_theirs), 0);
  STORE_SQL(q_present, "SELECT COUNT(*) FROM field_visit_people WHERE person_id = 4202");
  assert_int_equal(query_int(c, &q_present), 0);
  assert_int_equal(query_int(c, &q_outcomes), 2 + bulk);
  store_release(c);
  /* Running the migrations again changes nothing. */
  assert_int_equal(store_migrate(st, hocvuso_migrations, err, sizeof err), 0);
  store_close(st);
  if (fx->kind == STORE_SQLITE) remove_sqlite_files(target);
}

typedef struct loader {
  store *st;
  volatile int stop;
  int commits, failures;
} loader;

static void *load_main(void *arg) {
  loader *l = arg;
  STORE_SQL(q_ins, "INSERT INTO hv_t_load (v) VALUES (?)");
  while (!l->stop) {
    store_conn *c = store_acquire(l->st, true);
    if (!c) {
      l->failures++;
      continue;
    }
    store_stmt *s = store_prepare(c, &q_ins);
    if (s && store_begin(c) == STORE_OK) {
      store_bind_text(s, 1, "Bản ghi đang ghi thêm trong khi sao lưu");
      if (store_step(s) == STORE_DONE && store_commit(c) == STORE_OK)
        l->commits++;
      else
        l->failures++;
    }
    store_reset(s);
    store_release(c);
  }
  return NULL;
}

/* SQLite: a backup finishes while another thread commits without pause, is one consistent
 * snapshot, and passes integrity_check. The maintenance thread checkpoints meanwhile, with the
 * writer's own automatic checkpoint off. */
static void test_backup_under_writes(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind != STORE_SQLITE)
    skip();
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_load", "CREATE TABLE hv_t_load (id INTEGER PRIMARY KEY, v TEXT, pad BLOB)", "");
  exec_ok(c, "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20000)"
             " INSERT INTO hv_t_load (v, pad) SELECT 'đệm', randomblob(500) FROM g");
  store_release(c);
  assert_int_equal(store_maintenance_start(fx->st), 0);
  c = store_acquire(fx->st, true);
  STORE_SQL(q_auto, "PRAGMA wal_autocheckpoint");
  assert_int_equal(query_int(c, &q_auto), 0);
  store_release(c);

  loader l = {.st = fx->st};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, load_main, &l), 0);
  char path[160], err[256] = "";
  snprintf(path, sizeof path, "%.63s/backup.db", fx->dir);
  usleep(50 * 1000);
  int rc = 0;
  for (int i = 0; i < 3 && rc == 0; i++)
    rc = store_backup(fx->st, path, err, sizeof err);
  l.stop = 1;
  pthread_join(t, NULL);
  if (rc != 0)
    fail_msg("store_backup under writes: %s", err);
  assert_true(l.commits > 0);
  assert_int_equal(l.failures, 0);
  char tmp[200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  assert_int_equal(access(tmp, F_OK), -1);

  store *copy = store_open(path, 1, err, sizeof err);
  if (!copy)
    fail_msg("cannot open the backup: %s", err);
  c = store_acquire(copy, false);
  STORE_SQL(q_check, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'");
  assert_int_equal(query_int(c, &q_check), 0);
  STORE_SQL(q_rows, "SELECT COUNT(*) FROM hv_t_load");
  assert_true(query_int(c, &q_rows) >= 20000);
  store_release(c);
  store_close(copy);

  /* Checkpoints ran off the request path within a few seconds. */
  store_stats st;
  for (int i = 0; i < 50; i++) {
    store_get_stats(fx->st, &st);
    if (st.checkpoints > 0)
      break;
    usleep(100 * 1000);
  }
  assert_true(st.checkpoints > 0);
}

/* The WAL header's checkpoint sequence (bytes 12–15, big-endian): SQLite raises it each time it
 * starts the WAL over. 0 when the file cannot be read. */
static uint32_t wal_restart_seq(const char *db) {
  char path[600];
  snprintf(path, sizeof path, "%s-wal", db);
  FILE *f = fopen(path, "rb");
  unsigned char h[16] = {0};
  size_t n = f ? fread(h, 1, sizeof h, f) : 0;
  if (f)
    fclose(f);
  return n == sizeof h ? (uint32_t)h[12] << 24 | (uint32_t)h[13] << 16 | (uint32_t)h[14] << 8 | h[15] : 0;
}

/* SQLite: under writes that never pause, the WAL is still started over (the maintenance thread
 * holds the writer for a moment past 4,000 frames): without it, a PASSIVE checkpoint never finds
 * the WAL copied whole when a write begins, and the file grows without end. */
static void test_wal_restarts_under_writes(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind != STORE_SQLITE)
    skip();
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_load", "CREATE TABLE hv_t_load (id INTEGER PRIMARY KEY, v TEXT, pad BLOB)", "");
  store_release(c);
  assert_int_equal(store_maintenance_start(fx->st), 0);
  store_stats before, after;
  store_get_stats(fx->st, &before);
  loader l = {.st = fx->st};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, load_main, &l), 0);
  /* The sequence seen to change three times within 20 s (a restart takes a 4,000-frame WAL). */
  uint32_t seen = wal_restart_seq(fx->target);
  int changes = 0;
  for (int i = 0; i < 2000 && changes < 3; i++) {
    usleep(10 * 1000);
    uint32_t now = wal_restart_seq(fx->target);
    if (now && now != seen) {
      changes++;
      seen = now;
    }
  }
  l.stop = 1;
  pthread_join(t, NULL);
  store_get_stats(fx->st, &after);
  assert_int_equal(l.failures, 0);
  assert_true(l.commits > 4000);
  assert_int_equal(changes, 3);
  assert_true(after.wal_restarts > before.wal_restarts);
}

/* One transaction of 5,000 rows of 4 KiB: more than 5,000 WAL frames at once. */
static void big_commit(fixture *fx) {
  STORE_SQL(q_big, "INSERT INTO hv_t_load (v, pad) VALUES ('x', zeroblob(4000))");
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  assert_int_equal(store_begin(c), STORE_OK);
  store_stmt *s = store_prepare(c, &q_big);
  assert_non_null(s);
  for (int i = 0; i < 5000; i++) {
    assert_int_equal(store_step(s), STORE_DONE);
    store_reset(s);
  }
  assert_int_equal(store_commit(c), STORE_OK);
  store_release(c);
}

/* SQLite: while a bulk load (an import) runs, a WAL past 4,000 frames does not make the
 * maintenance thread hold the writer to start it over (it waits for 65,536: a page rewritten by
 * many chunks is then copied once); once the load ends, it does. */
static void test_wal_spaced_in_bulk(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind != STORE_SQLITE)
    skip();
  store_conn *c = store_acquire(fx->st, true);
  assert_non_null(c);
  fresh_table(fx, c, "hv_t_load", "CREATE TABLE hv_t_load (id INTEGER PRIMARY KEY, v TEXT, pad BLOB)", "");
  store_release(c);
  assert_int_equal(store_maintenance_start(fx->st), 0);
  store_bulk_load(fx->st, true);
  store_bulk_load(fx->st, true); /* nested: two imports */
  store_bulk_load(fx->st, false);
  store_stats before, mid, after;
  store_get_stats(fx->st, &before);
  assert_int_equal(before.bulk_loads, 1);
  big_commit(fx);
  usleep(1500 * 1000); /* the maintenance's passes: every 200 ms while the WAL grows, when not in a bulk load */
  store_get_stats(fx->st, &mid);
  assert_true(mid.checkpoints > before.checkpoints);
  assert_int_equal(mid.wal_restarts, before.wal_restarts);
  store_bulk_load(fx->st, false);
  big_commit(fx);
  bool restarted = false;
  for (int i = 0; i < 1000 && !restarted; i++) {
    usleep(10 * 1000);
    store_get_stats(fx->st, &after);
    restarted = after.wal_restarts > mid.wal_restarts;
  }
  assert_int_equal(after.bulk_loads, 0);
  assert_true(restarted);
}

/* store_row_triggers_off / _on (SQLite: the writer's SQLITE_DBCONFIG_ENABLE_TRIGGER; a bulk insert
 * then makes the triggers' effects itself, people_bulk_insert_new): off for the statements that
 * follow, on again by _on or at the latest by the release; never turned off while a statement of
 * the connection is mid-way through its rows, which the change would abort ("abort due to
 * ROLLBACK" at the next cursor it opens). PostgreSQL: nothing is turned off. */
static void test_row_triggers(void **state) {
  fixture *fx = fx_of(state);
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  if (fx->kind != STORE_SQLITE) {
    assert_false(store_row_triggers_off(w));
    assert_int_equal(store_row_triggers_on(w), 0);
    store_release(w);
    return;
  }
  fresh_table(fx, w, "hv_t_trig_log", "CREATE TABLE hv_t_trig_log (a INTEGER)", "");
  fresh_table(fx, w, "hv_t_trig", "CREATE TABLE hv_t_trig (a INTEGER)", "");
  assert_int_equal(store_exec(w, "CREATE TRIGGER hv_t_trig_in AFTER INSERT ON hv_t_trig BEGIN"
                                 " INSERT INTO hv_t_trig_log (a) VALUES (NEW.a); END"),
                   STORE_OK);
  assert_int_equal(store_exec(w, "INSERT INTO hv_t_trig (a) VALUES (1), (2), (3)"), STORE_OK);
  STORE_SQL(q_logged, "SELECT COUNT(*) FROM hv_t_trig_log");
  assert_int_equal(query_int(w, &q_logged), 3);
  /* a statement of the writer mid-way (a correlated subquery opens its cursor row after row) */
  STORE_SQL(q_each, "SELECT a, (SELECT COUNT(*) FROM hv_t_trig_log l WHERE l.a <= t.a) FROM hv_t_trig t ORDER BY a");
  store_stmt *s = prepare_ok(w, &q_each);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_false(store_row_triggers_off(w)); /* refused: they stay on */
  int rows = 1, rc;
  while ((rc = store_step(s)) == STORE_ROW) rows++;
  if (rc != STORE_DONE) fail_msg("the statement mid-way was aborted: %s", store_errmsg(w));
  assert_int_equal(rows, 3);
  store_reset(s);
  assert_int_equal(store_exec(w, "INSERT INTO hv_t_trig (a) VALUES (4)"), STORE_OK);
  assert_int_equal(query_int(w, &q_logged), 4);
  /* nothing mid-way: off, then on again */
  assert_true(store_row_triggers_off(w));
  assert_int_equal(store_exec(w, "INSERT INTO hv_t_trig (a) VALUES (5)"), STORE_OK);
  assert_int_equal(query_int(w, &q_logged), 4);
  assert_int_equal(store_row_triggers_on(w), 0);
  assert_int_equal(store_exec(w, "INSERT INTO hv_t_trig (a) VALUES (6)"), STORE_OK);
  assert_int_equal(query_int(w, &q_logged), 5);
  /* left off: the release turns them on for the writer's next user */
  assert_true(store_row_triggers_off(w));
  store_release(w);
  w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(store_exec(w, "INSERT INTO hv_t_trig (a) VALUES (7)"), STORE_OK);
  assert_int_equal(query_int(w, &q_logged), 6);
  assert_int_equal(store_exec(w, "DROP TABLE hv_t_trig"), STORE_OK);
  assert_int_equal(store_exec(w, "DROP TABLE hv_t_trig_log"), STORE_OK);
  store_release(w);
}

/* This binary's own pwrite64 (pwrite with 64-bit offsets; it takes the place of libc's for SQLite): counts the writes to a WAL
 * file by their size. */
static struct {
  atomic_int headers, frames; /* writes of a lone 24-byte frame header; of a header and its page */
  atomic_int temp;            /* writes to SQLite's temporary files (a spilled sub-journal) */
} wx;

static void wal_write_seen(int fd, size_t n) {
  char link[64], path[512];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t k = readlink(link, path, sizeof path - 1);
  if (k > 0) {
    path[k] = '\0';
    if (strstr(path, "etilqs_")) atomic_fetch_add(&wx.temp, 1);
  }
  if (k <= 4 || memcmp(path + k - 4, "-wal", 4) != 0) return;
  if (n == 24) atomic_fetch_add(&wx.headers, 1);
  if (n == 24 + 4096) atomic_fetch_add(&wx.frames, 1);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
  wal_write_seen(fd, n);
  return (ssize_t)syscall(SYS_pwrite64, fd, buf, n, off);
}

/* SQLite: a request's savepoint (a grouped commit's) copies each page it changes to the
 * sub-journal first; that journal stays in memory (sqlite.c, SQ_SUBJOURNAL_SPILL) for a request
 * far larger than a visit (~600 KiB of pages here: SQLite's default spills to a temporary file
 * past 64 KiB), and rolling the savepoint back still restores every page. */
static void test_subjournal_in_memory(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind != STORE_SQLITE)
    skip();
  char dir[] = "/tmp/hv_test_sj.XXXXXX", path[64], err[256] = "";
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/t.db", dir);
  store *st = store_open(path, 2, err, sizeof err);
  assert_non_null(st);
  store_conn *c = store_acquire(st, true);
  assert_non_null(c);
  assert_int_equal(store_exec(c, "CREATE TABLE hv_t_sj (id INTEGER PRIMARY KEY, pad BLOB)"), STORE_OK);
  assert_int_equal(store_exec(c, "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000)"
                                 " INSERT INTO hv_t_sj (pad) SELECT randomblob(300) FROM g"),
                   STORE_OK);
  STORE_SQL(q_sum, "SELECT SUM(LENGTH(pad)) + COUNT(*) FROM hv_t_sj");
  int64_t before = query_int(c, &q_sum);
  atomic_store(&wx.temp, 0);
  assert_int_equal(store_begin(c), STORE_OK);
  assert_int_equal(store_savepoint(c, "hv_sj"), STORE_OK);
  assert_int_equal(store_exec(c, "UPDATE hv_t_sj SET pad = randomblob(310)"), STORE_OK);
  assert_int_equal(store_rollback_to(c, "hv_sj"), STORE_OK);
  assert_int_equal(store_release_savepoint(c, "hv_sj"), STORE_OK);
  assert_int_equal(query_int(c, &q_sum), before);
  assert_int_equal(store_savepoint(c, "hv_sj"), STORE_OK);
  assert_int_equal(store_exec(c, "UPDATE hv_t_sj SET pad = randomblob(310) WHERE id % 2 = 0"), STORE_OK);
  assert_int_equal(store_release_savepoint(c, "hv_sj"), STORE_OK);
  assert_int_equal(store_commit(c), STORE_OK);
  assert_int_equal(query_int(c, &q_sum), before + 1000 * 10);
  store_release(c);
  store_close(st);
  if (atomic_load(&wx.temp) != 0) fail_msg("%d writes to a temporary file", atomic_load(&wx.temp));
  static const char *const suffixes[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    char p[96];
    snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
    unlink(p);
  }
  rmdir(dir);
}

/* SQLite: each WAL frame is written in one call, its header and its page together (the store's
 * VFS, sqlite.c), and what was written reads back whole, in this process and in a new one's
 * connection (integrity_check after the store is closed and opened again). */
static void test_wal_frames_whole(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind != STORE_SQLITE)
    skip();
  char dir[] = "/tmp/hv_test_wfw.XXXXXX", path[64], err[256] = "";
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/t.db", dir);
  store *st = store_open(path, 2, err, sizeof err);
  assert_non_null(st);
  store_conn *c = store_acquire(st, true);
  assert_non_null(c);
  assert_int_equal(store_exec(c, "CREATE TABLE hv_t_w (id INTEGER PRIMARY KEY, pad BLOB)"), STORE_OK);
  atomic_store(&wx.headers, 0);
  atomic_store(&wx.frames, 0);
  assert_int_equal(store_begin(c), STORE_OK);
  assert_int_equal(store_exec(c, "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000)"
                                 " INSERT INTO hv_t_w (pad) SELECT randomblob(300) FROM g"),
                   STORE_OK);
  assert_int_equal(store_commit(c), STORE_OK);
  store_release(c);
  int headers = atomic_load(&wx.headers), frames = atomic_load(&wx.frames);
  STORE_SQL(q_n, "SELECT COUNT(*) FROM hv_t_w");
  STORE_SQL(q_check, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'");
  c = store_acquire(st, false); /* a reader: the pages come from the WAL */
  assert_int_equal(query_int(c, &q_n), 2000);
  assert_int_equal(query_int(c, &q_check), 0);
  store_release(c);
  store_close(st);
  if (headers != 0 || frames < 100)
    fail_msg("%d lone frame headers and %d whole frames written to the WAL", headers, frames);
  st = store_open(path, 2, err, sizeof err);
  assert_non_null(st);
  c = store_acquire(st, false);
  assert_int_equal(query_int(c, &q_n), 2000);
  assert_int_equal(query_int(c, &q_check), 0);
  store_release(c);
  store_close(st);
  static const char *const suffixes[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    char p[96];
    snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
    (void)unlink(p);
  }
  (void)rmdir(dir);
}

/* ---- review (docs/REVIEW-CERTIFICATES.md): the group commit's waiters when the store stops ---- */

/* This binary's own fdatasync (it takes the place of libc's for the store and SQLite): counts the
 * syncs of a WAL file and, while `hold` is set, keeps them waiting, so that a test can stop the
 * store while the syncer is inside one. */
static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool hold, inside, fail; /* fail: every WAL sync fails with EIO while set, as a dying disk's do */
  int wal_syncs;
} fsx = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false, false, 0};

int fdatasync(int fd) {
  char link[64], path[512];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n > 4 && memcmp(path + n - 4, "-wal", 4) == 0) {
    pthread_mutex_lock(&fsx.mu);
    fsx.wal_syncs++;
    fsx.inside = true;
    pthread_cond_broadcast(&fsx.cv);
    while (fsx.hold) pthread_cond_wait(&fsx.cv, &fsx.mu);
    fsx.inside = false;
    bool fail = fsx.fail; /* sticky: a sync SQLite makes itself cannot use the failure up */
    pthread_mutex_unlock(&fsx.mu);
    if (fail) {
      errno = EIO;
      return -1;
    }
  }
  return (int)syscall(SYS_fdatasync, fd);
}

typedef struct {
  bool called;
  int syncs_then; /* WAL syncs made when the waiter was told its commit is durable */
} told;

static void told_fn(void *arg) {
  told *t = arg;
  pthread_mutex_lock(&fsx.mu);
  t->syncs_then = fsx.wal_syncs;
  pthread_mutex_unlock(&fsx.mu);
  __atomic_store_n(&t->called, true, __ATOMIC_RELEASE);
}

static void *close_main(void *arg) {
  store_close(arg);
  return NULL;
}

static uint64_t commit_one(store *st, int v) {
  store_conn *c = store_acquire(st, true);
  assert_non_null(c);
  char sql[96];
  snprintf(sql, sizeof sql, "INSERT INTO hv_t_stop (v) VALUES (%d)", v);
  assert_int_equal(store_begin(c), STORE_OK);
  assert_int_equal(store_exec(c, sql), STORE_OK);
  assert_int_equal(store_commit(c), STORE_OK);
  return store_release_pending(c);
}

/* A commit made while the syncer is inside a sync, its waiter queued, and then the store stops
 * (the server's shutdown): the waiter must be told only after a sync that covers its commit, never
 * on the way out with nothing synced. */
static void test_durable_stop_syncs(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind == STORE_PG) skip();
  char dir[] = "/tmp/hv_test_stop.XXXXXX", path[64], err[256] = "";
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/t.db", dir);
  store *st = store_open(path, 2, err, sizeof err);
  assert_non_null(st);
  assert_int_equal(store_durable_start(st), 0);
  store_conn *c = store_acquire(st, true);
  assert_non_null(c);
  assert_int_equal(store_exec(c, "CREATE TABLE hv_t_stop (v INTEGER)"), STORE_OK);
  store_release(c);
  pthread_mutex_lock(&fsx.mu);
  fsx.hold = true;
  pthread_mutex_unlock(&fsx.mu);
  uint64_t a = commit_one(st, 1);
  assert_true(a > 0);
  pthread_mutex_lock(&fsx.mu);
  while (!fsx.inside) pthread_cond_wait(&fsx.cv, &fsx.mu); /* the syncer is syncing commit a */
  int before = fsx.wal_syncs;
  pthread_mutex_unlock(&fsx.mu);
  uint64_t b = commit_one(st, 2);
  assert_true(b > a);
  told t = {0};
  store_durable_waiter w = {.fn = told_fn, .arg = &t};
  assert_int_equal(store_durable_notify(st, b, &w), 0); /* queued: not durable yet */
  pthread_t closer;
  assert_int_equal(pthread_create(&closer, NULL, close_main, st), 0);
  usleep(200 * 1000); /* lets store_close ask the syncer to stop (too short only hides the defect) */
  pthread_mutex_lock(&fsx.mu);
  fsx.hold = false;
  pthread_cond_broadcast(&fsx.cv);
  pthread_mutex_unlock(&fsx.mu);
  assert_int_equal(pthread_join(closer, NULL), 0);
  assert_true(t.called);
  if (t.syncs_then <= before)
    fail_msg("commit %llu was told durable with no WAL sync after it (%d syncs, %d before)", (unsigned long long)b,
             t.syncs_then, before);
  static const char *const suffixes[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    char p[96];
    snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
    (void)unlink(p);
  }
  (void)rmdir(dir);
}

/* A failed fdatasync of the WAL (EIO): the waiters it covered, and every later one (Linux may have
 * dropped the pages and report the next syncs as good), are told it failed, never that their
 * commit is durable. */
/* Waits until the waiter is told, for at most 60 s of the clock (a loaded machine's disk is slow). */
static void wait_told(told *t) {
  struct timespec t0, now;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do {
    if (__atomic_load_n(&t->called, __ATOMIC_ACQUIRE)) return;
    usleep(1000);
    clock_gettime(CLOCK_MONOTONIC, &now);
  } while (now.tv_sec - t0.tv_sec < 60);
}

/* Asks to be told when commit `seq` is durable, and waits: an answer at once (synced already, the
 * syncer being quicker than the caller) is being told too. */
static void notify_wait(store *st, uint64_t seq, store_durable_waiter *w, told *t) {
  if (store_durable_notify(st, seq, w))
    __atomic_store_n(&t->called, true, __ATOMIC_RELEASE);
  else
    wait_told(t);
}

static void test_durable_sync_fails(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind == STORE_PG) skip();
  char dir[] = "/tmp/hv_test_eio.XXXXXX", path[64], err[256] = "";
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/t.db", dir);
  store *st = store_open(path, 2, err, sizeof err);
  assert_non_null(st);
  assert_int_equal(store_durable_start(st), 0);
  store_conn *c = store_acquire(st, true);
  assert_non_null(c);
  assert_int_equal(store_exec(c, "CREATE TABLE hv_t_stop (v INTEGER)"), STORE_OK);
  store_release(c);
  /* a good sync first: not failed */
  told t0 = {0};
  store_durable_waiter w0 = {.fn = told_fn, .arg = &t0};
  uint64_t s0 = commit_one(st, 1);
  notify_wait(st, s0, &w0, &t0);
  assert_true(t0.called);
  assert_false(w0.failed);
  pthread_mutex_lock(&fsx.mu);
  fsx.fail = true;
  pthread_mutex_unlock(&fsx.mu);
  for (int i = 0; i < 2; i++) { /* the failing sync, then one after it */
    told t = {0};
    store_durable_waiter w = {.fn = told_fn, .arg = &t};
    uint64_t seq = commit_one(st, 2 + i);
    notify_wait(st, seq, &w, &t);
    assert_true(t.called);
    if (!w.failed) fail_msg("commit %d after a failed WAL sync was told durable", i + 1);
    /* The disk answers again: the store must still not call a later commit durable. */
    pthread_mutex_lock(&fsx.mu);
    fsx.fail = false;
    pthread_mutex_unlock(&fsx.mu);
  }
  store_close(st);
  static const char *const suffixes[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    char p[96];
    snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
    (void)unlink(p);
  }
  (void)rmdir(dir);
}

/* ---- grouped transactions (store_acquire_grouped): the requests queueing for the writer run as
 * savepoints of one transaction, committed and synced once ---- */

static store *grouped_store(char *dir, char *path, size_t pathlen) {
  char err[256] = "";
  assert_non_null(mkdtemp(dir));
  snprintf(path, pathlen, "%s/t.db", dir);
  store *st = store_open(path, 3, err, sizeof err);
  assert_non_null(st);
  store_set_group_limits(st, 0, 60000); /* no group cut short by a slow machine's clock */
  assert_int_equal(store_durable_start(st), 0);
  store_conn *c = store_acquire(st, true);
  assert_non_null(c);
  assert_int_equal(store_exec(c, "CREATE TABLE hv_t_g (v INTEGER PRIMARY KEY)"), STORE_OK);
  /* a deferred key: the one way a test can make a COMMIT fail after its savepoints were released */
  assert_int_equal(store_exec(c, "CREATE TABLE hv_t_gp (id INTEGER PRIMARY KEY)"), STORE_OK);
  assert_int_equal(store_exec(c, "CREATE TABLE hv_t_gc (pid INTEGER REFERENCES hv_t_gp (id) DEFERRABLE INITIALLY "
                                 "DEFERRED)"),
                   STORE_OK);
  store_release(c);
  return st;
}

static void grouped_store_remove(store *st, const char *dir, const char *path) {
  store_close(st);
  static const char *const suffixes[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    char p[96];
    snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
    (void)unlink(p);
  }
  (void)rmdir(dir);
}

static bool row_seen(store *st, int v) {
  STORE_SQL(q, "SELECT COUNT(*) FROM hv_t_g WHERE v = ?");
  store_conn *c = store_acquire(st, false);
  assert_non_null(c);
  store_stmt *s = store_prepare(c, &q);
  assert_non_null(s);
  store_bind_int(s, 1, v);
  assert_int_equal(store_step(s), STORE_ROW);
  bool seen = store_col_int(s, 0) == 1;
  store_reset(s);
  store_release(c);
  return seen;
}

typedef struct {
  store *st;
  int v;        /* the row it inserts */
  bool plain;   /* takes the writer with store_acquire, not grouped */
  bool orphan;  /* also inserts a child row whose parent does not exist (deferred key) */
  bool roll_all; /* inserts with OR ROLLBACK: a duplicate makes SQLite undo the whole transaction */
  int insert_rc;
  uint64_t seq;
  bool lost, failed;
} gtx;

static void *gtx_main(void *arg) {
  gtx *g = arg;
  store_conn *c = g->plain ? store_acquire(g->st, true) : store_acquire_grouped(g->st, 30000, NULL);
  if (!c) {
    g->insert_rc = -99;
    return NULL;
  }
  char sql[96];
  snprintf(sql, sizeof sql, "INSERT %sINTO hv_t_g (v) VALUES (%d)", g->roll_all ? "OR ROLLBACK " : "", g->v);
  if (store_begin(c) != STORE_OK) {
    g->insert_rc = -98;
    store_release(c);
    return NULL;
  }
  g->insert_rc = store_exec(c, sql);
  if (g->insert_rc == STORE_OK && g->orphan) g->insert_rc = store_exec(c, "INSERT INTO hv_t_gc (pid) VALUES (999)");
  if (g->insert_rc == STORE_OK) {
    if (store_commit(c) != STORE_OK) g->insert_rc = -97;
  } else {
    store_rollback(c);
  }
  if (g->plain) {
    store_release(c);
    return NULL;
  }
  g->seq = store_release_pending(c);
  if (g->seq) {
    told t = {0};
    store_durable_waiter w = {.fn = told_fn, .arg = &t};
    notify_wait(g->st, g->seq, &w, &t);
    g->lost = w.lost;
    g->failed = w.failed;
  }
  return NULL;
}

/* Starts the threads and returns once every one of them waits in the writer's queue. */
static void queue_behind(store *st, gtx *g, pthread_t *tids, int n) {
  store_stats before, now;
  store_get_stats(st, &before);
  for (int i = 0; i < n; i++) {
    assert_int_equal(pthread_create(&tids[i], NULL, gtx_main, &g[i]), 0);
    for (int tries = 0;; tries++) { /* one at a time: the queue's order is theirs */
      store_get_stats(st, &now);
      if (now.waits >= before.waits + (uint64_t)i + 1) break;
      assert_true(tries < 30000);
      usleep(1000);
    }
  }
}

/* A request holds the writer while five queue behind it: the six transactions are committed
 * once, each is told durable with the same commit number, one that fails (a duplicate key) is
 * undone alone and the others keep their rows. */
static void test_grouped_commit(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind == STORE_PG) skip();
  char dir[] = "/tmp/hv_test_grp.XXXXXX", path[64];
  store *st = grouped_store(dir, path, sizeof path);
  store_conn *m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  enum { K = 5 };
  gtx g[K];
  pthread_t tids[K];
  for (int i = 0; i < K; i++) g[i] = (gtx){.st = st, .v = i == 2 ? 0 : i + 1}; /* the third repeats row 0 */
  queue_behind(st, g, tids, K);
  /* the group opens now: it closes GROUP_MS after, whoever still waits */
  assert_int_equal(store_begin(m), STORE_OK);
  assert_int_equal(store_exec(m, "INSERT INTO hv_t_g (v) VALUES (0)"), STORE_OK);
  assert_int_equal(store_commit(m), STORE_OK);
  uint64_t seq0 = store_release_pending(m);
  assert_true(seq0 > 0);
  told t = {0};
  store_durable_waiter w = {.fn = told_fn, .arg = &t};
  notify_wait(st, seq0, &w, &t);
  assert_true(t.called);
  assert_false(w.lost);
  for (int i = 0; i < K; i++) assert_int_equal(pthread_join(tids[i], NULL), 0);
  for (int i = 0; i < K; i++) {
    if (i == 2) {
      assert_int_equal(g[i].insert_rc, STORE_CONSTRAINT);
      assert_true(g[i].seq == 0); /* nothing to wait for */
      continue;
    }
    assert_int_equal(g[i].insert_rc, STORE_OK);
    if (g[i].seq != seq0) fail_msg("transaction %d was numbered %llu, not the group's %llu", i, (unsigned long long)g[i].seq,
                                   (unsigned long long)seq0);
    assert_false(g[i].lost);
    assert_false(g[i].failed);
    assert_true(row_seen(st, g[i].v));
  }
  assert_true(row_seen(st, 0));
  store_stats stats;
  store_get_stats(st, &stats);
  assert_int_equal(stats.groups, 1);
  assert_int_equal(stats.grouped_tx, K); /* the holder's and four of five: the duplicate was undone */
  grouped_store_remove(st, dir, path);
}

/* While the syncer is inside an fdatasync, a grouped request released with nobody queued leaves
 * its group open with the writer free: the next request joins it, and the syncer commits both at
 * once when its sync is done (committed before, they could not have been synced any sooner). */
static void test_grouped_while_syncing(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind == STORE_PG) skip();
  char dir[] = "/tmp/hv_test_gws.XXXXXX", path[64];
  store *st = grouped_store(dir, path, sizeof path);
  pthread_mutex_lock(&fsx.mu);
  fsx.hold = true;
  pthread_mutex_unlock(&fsx.mu);
  gtx a = {.st = st, .v = 1};
  pthread_t ta;
  assert_int_equal(pthread_create(&ta, NULL, gtx_main, &a), 0);
  pthread_mutex_lock(&fsx.mu); /* the syncer is inside the sync of a's commit */
  while (!fsx.inside) pthread_cond_wait(&fsx.cv, &fsx.mu);
  pthread_mutex_unlock(&fsx.mu);
  store_stats s0, s1;
  store_get_stats(st, &s0);
  uint64_t seq[2];
  for (int i = 0; i < 2; i++) {
    store_conn *c = store_acquire_grouped(st, -1, NULL);
    assert_non_null(c);
    assert_int_equal(store_begin(c), STORE_OK);
    char sql[64];
    snprintf(sql, sizeof sql, "INSERT INTO hv_t_g (v) VALUES (%d)", 10 + i);
    assert_int_equal(store_exec(c, sql), STORE_OK);
    assert_int_equal(store_commit(c), STORE_OK);
    seq[i] = store_release_pending(c);
  }
  store_get_stats(st, &s1);
  bool seen_early = row_seen(st, 10);
  pthread_mutex_lock(&fsx.mu); /* the sync goes on (before any assertion: a failed one must not hang the rest) */
  fsx.hold = false;
  pthread_cond_broadcast(&fsx.cv);
  pthread_mutex_unlock(&fsx.mu);
  assert_int_equal(s1.groups, s0.groups); /* neither committed yet */
  assert_false(seen_early);
  assert_true(seq[0] > 0);
  assert_true(seq[1] == seq[0]);
  told t = {0};
  store_durable_waiter w = {.fn = told_fn, .arg = &t};
  notify_wait(st, seq[1], &w, &t);
  assert_true(t.called);
  assert_false(w.lost);
  assert_false(w.failed);
  assert_int_equal(pthread_join(ta, NULL), 0);
  assert_int_equal(a.insert_rc, STORE_OK);
  assert_true(a.seq < seq[0]);
  assert_true(row_seen(st, 1));
  assert_true(row_seen(st, 10));
  assert_true(row_seen(st, 11));
  store_get_stats(st, &s1);
  assert_int_equal(s1.groups, s0.groups + 1);
  assert_int_equal(s1.grouped_tx, s0.grouped_tx + 2);
  grouped_store_remove(st, dir, path);
}

/* The group's COMMIT fails (here a deferred key that one of them broke): every request of the
 * group is told its commit was lost, none of their rows exists, and the next one commits. */
static void test_grouped_lost(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind == STORE_PG) skip();
  char dir[] = "/tmp/hv_test_grl.XXXXXX", path[64];
  store *st = grouped_store(dir, path, sizeof path);
  store_conn *m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  gtx g[1] = {{.st = st, .v = 101, .orphan = true}};
  pthread_t tids[1];
  queue_behind(st, g, tids, 1);
  assert_int_equal(store_begin(m), STORE_OK);
  assert_int_equal(store_exec(m, "INSERT INTO hv_t_g (v) VALUES (100)"), STORE_OK);
  assert_int_equal(store_commit(m), STORE_OK);
  uint64_t seq0 = store_release_pending(m);
  told t = {0};
  store_durable_waiter w = {.fn = told_fn, .arg = &t};
  notify_wait(st, seq0, &w, &t);
  assert_int_equal(pthread_join(tids[0], NULL), 0);
  assert_int_equal(g[0].insert_rc, STORE_OK); /* its savepoint was released: the key is checked at COMMIT */
  assert_true(g[0].seq == seq0);
  assert_true(w.lost);
  assert_true(g[0].lost);
  assert_false(row_seen(st, 100));
  assert_false(row_seen(st, 101));
  /* the writer is whole again: the next request commits and is not told lost */
  gtx next = {.st = st, .v = 102};
  gtx_main(&next);
  assert_int_equal(next.insert_rc, STORE_OK);
  assert_true(next.seq > seq0);
  assert_false(next.lost);
  assert_true(row_seen(st, 102));
  grouped_store_remove(st, dir, path);
}

/* A caller that takes the writer without joining (an import's chunk, the housekeeper) finds the
 * group committed before it starts; a grouped holder that gives the writer back and waits
 * (store_release) commits the group itself, and its row is then seen from a reader. */
static void test_grouped_plain_taker(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind == STORE_PG) skip();
  char dir[] = "/tmp/hv_test_grt.XXXXXX", path[64];
  store *st = grouped_store(dir, path, sizeof path);
  store_conn *m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  gtx g[1] = {{.st = st, .v = 2, .plain = true}};
  pthread_t tids[1];
  queue_behind(st, g, tids, 1);
  assert_int_equal(store_begin(m), STORE_OK);
  assert_int_equal(store_exec(m, "INSERT INTO hv_t_g (v) VALUES (1)"), STORE_OK);
  assert_int_equal(store_commit(m), STORE_OK);
  assert_false(row_seen(st, 1)); /* released, not committed: a reader does not see it yet */
  uint64_t seq0 = store_release_pending(m);
  told t = {0};
  store_durable_waiter w = {.fn = told_fn, .arg = &t};
  notify_wait(st, seq0, &w, &t);
  assert_true(t.called);
  assert_false(w.lost);
  assert_int_equal(pthread_join(tids[0], NULL), 0);
  assert_int_equal(g[0].insert_rc, STORE_OK);
  assert_true(row_seen(st, 1));
  assert_true(row_seen(st, 2));
  m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  assert_int_equal(store_begin(m), STORE_OK);
  assert_int_equal(store_exec(m, "INSERT INTO hv_t_g (v) VALUES (3)"), STORE_OK);
  assert_int_equal(store_commit(m), STORE_OK);
  store_release(m);
  assert_true(row_seen(st, 3));
  grouped_store_remove(st, dir, path);
}

/* Combined writes (store_acquire_or_queue): with the writer held, writes are queued instead of
 * waiting on their threads; the holder runs them in arrival order on the writer, in its group (one
 * commit number, told durable once synced); one that fails is undone alone. With the writer free, the
 * caller takes it at once. A thread waiting for the writer is not passed over for long (a few items,
 * then NULL), and an item left queued when the writer goes to a caller that does not run them (a
 * plain one) is handed back, once. On PostgreSQL nothing is queued (-1). */
typedef struct {
  store_combined item;
  int v, woken;
} citem;
static void citem_wake(store_combined *it) { ((citem *)(void *)it)->woken++; }

static int combined_insert(store_conn *w, int v) {
  char sql[64];
  snprintf(sql, sizeof sql, "INSERT INTO hv_t_g (v) VALUES (%d)", v);
  if (store_begin(w) != STORE_OK) return -1;
  int rc = store_exec(w, sql);
  if (rc == STORE_OK) return store_commit(w) == STORE_OK ? 0 : -1;
  return -1; /* left open: store_writer_pass undoes it */
}

static void test_combined_writes(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind == STORE_PG) {
    citem x = {.item.wake = citem_wake};
    store_conn *w = NULL;
    assert_int_equal(store_acquire_or_queue(fx->st, &x.item, &w), -1);
    assert_null(w);
    return;
  }
  char dir[] = "/tmp/hv_test_cmb.XXXXXX", path[64];
  store *st = grouped_store(dir, path, sizeof path);
  store_conn *m = NULL;
  citem first = {.item.wake = citem_wake};
  assert_int_equal(store_acquire_or_queue(st, &first.item, &m), 1); /* free: taken */
  assert_non_null(m);
  enum { K = 4 };
  citem q[K];
  for (int i = 0; i < K; i++) {
    q[i] = (citem){.item.wake = citem_wake, .v = i == 2 ? 1 : 10 + i}; /* the third repeats the holder's row */
    store_conn *w = NULL;
    assert_int_equal(store_acquire_or_queue(st, &q[i].item, &w), 0);
    assert_null(w);
  }
  assert_int_equal(combined_insert(m, 1), 0);
  uint64_t seq0 = store_writer_pass(m);
  assert_true(seq0 > 0);
  store_combined *it;
  int n = 0;
  while ((it = store_combined_next(m, n)) != NULL) {
    citem *c = (citem *)(void *)it;
    assert_ptr_equal(c, &q[n]); /* in arrival order */
    int rc = combined_insert(m, c->v);
    uint64_t seq = store_writer_pass(m);
    if (n == 2) {
      assert_int_equal(rc, -1);
      assert_true(seq == 0);
    } else {
      assert_int_equal(rc, 0);
      assert_true(seq == seq0); /* the holder's group */
    }
    n++;
  }
  assert_int_equal(n, K);
  assert_false(row_seen(st, 10)); /* run, not committed yet */
  assert_int_equal(store_release_pending(m), 0); /* the holder's number was taken by store_writer_pass */
  told t = {0};
  store_durable_waiter dw = {.fn = told_fn, .arg = &t};
  notify_wait(st, seq0, &dw, &t);
  assert_true(t.called);
  assert_false(dw.lost);
  for (int i = 0; i < K; i++) {
    assert_int_equal(q[i].woken, 0);
    if (i != 2) assert_true(row_seen(st, q[i].v));
  }
  assert_true(row_seen(st, 1));
  store_stats stats;
  store_get_stats(st, &stats);
  assert_int_equal(stats.groups, 1);
  assert_int_equal(stats.grouped_tx, K); /* the holder's and three of four */

  /* a plain thread waits: a few items, then it goes first; one left over is handed back */
  m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  citem more[10];
  for (int i = 0; i < 10; i++) {
    more[i] = (citem){.item.wake = citem_wake, .v = 100 + i};
    store_conn *w = NULL;
    assert_int_equal(store_acquire_or_queue(st, &more[i].item, &w), 0);
  }
  gtx g[1] = {{.st = st, .v = 99, .plain = true}};
  pthread_t tids[1];
  queue_behind(st, g, tids, 1);
  n = 0;
  uint64_t seq1 = 0;
  while ((it = store_combined_next(m, n)) != NULL) {
    assert_int_equal(combined_insert(m, ((citem *)(void *)it)->v), 0);
    seq1 = store_writer_pass(m);
    assert_true(seq1 > seq0);
    n++;
  }
  assert_int_equal(n, 8); /* COMBINE_BEFORE_WAITER */
  assert_int_equal(store_release_pending(m), 0); /* the holder wrote nothing itself */
  assert_int_equal(more[8].woken, 1); /* the writer goes to a plain caller: one handed back */
  assert_int_equal(pthread_join(tids[0], NULL), 0);
  assert_int_equal(g[0].insert_rc, STORE_OK);
  assert_int_equal(more[9].woken, 1); /* the plain caller gave it back free: the last one too */
  for (int i = 0; i < 8; i++) assert_int_equal(more[i].woken, 0);
  m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  assert_null(store_combined_next(m, 0)); /* nothing left queued */
  store_release(m);
  told t1 = {0};
  store_durable_waiter dw1 = {.fn = told_fn, .arg = &t1};
  notify_wait(st, seq1, &dw1, &t1);
  assert_true(t1.called);
  for (int i = 0; i < 10; i++) assert_true(row_seen(st, 100 + i) == (i < 8));
  assert_true(row_seen(st, 99));
  grouped_store_remove(st, dir, path);
}

/* The server's combiner (server.c) runs queued writes on the writer it holds, asking between two
 * whether it may go on: 64 a turn, 8 once a thread waits for the writer, never for a caller that
 * is not a grouped holder; a group past its limits is committed before the next one. */
static void test_combiner_turns(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind == STORE_PG) {
    assert_false(store_writes_grouped(fx->st));
    return;
  }
  char dir[] = "/tmp/hv_test_cbt.XXXXXX", path[64];
  store *st = grouped_store(dir, path, sizeof path);
  assert_true(store_writes_grouped(st));
  store_conn *m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  int n = 0;
  while (store_combiner_goes_on(m, n)) {
    assert_int_equal(combined_insert(m, 1000 + n), 0);
    assert_true(store_writer_pass(m) > 0);
    n++;
  }
  assert_int_equal(n, 64);
  (void)store_release_pending(m);
  /* a plain caller waits: 8, then the writer is its turn */
  m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  gtx g[1] = {{.st = st, .v = 99, .plain = true}};
  pthread_t tids[1];
  queue_behind(st, g, tids, 1);
  n = 0;
  while (store_combiner_goes_on(m, n)) {
    assert_int_equal(combined_insert(m, 2000 + n), 0);
    (void)store_writer_pass(m);
    n++;
  }
  assert_int_equal(n, 8);
  (void)store_release_pending(m);
  assert_int_equal(pthread_join(tids[0], NULL), 0);
  assert_int_equal(g[0].insert_rc, STORE_OK);
  /* a group of at most 3: the fourth write goes into a new group, the first three committed */
  store_set_group_limits(st, 3, 60000);
  m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  store_stats before, after;
  store_get_stats(st, &before);
  uint64_t seqs[4] = {0};
  for (n = 0; n < 4; n++) {
    assert_true(store_combiner_goes_on(m, n));
    assert_int_equal(combined_insert(m, 3000 + n), 0);
    seqs[n] = store_writer_pass(m);
  }
  store_get_stats(st, &after);
  assert_int_equal(after.groups, before.groups + 1);
  assert_true(seqs[0] == seqs[2] && seqs[3] > seqs[2]);
  assert_true(row_seen(st, 3002));
  assert_false(row_seen(st, 3003)); /* run, its group still open */
  (void)store_release_pending(m);
  /* a connection that is not the grouped writer never runs others' writes */
  store_conn *plain = store_acquire(st, true);
  assert_non_null(plain);
  assert_false(store_combiner_goes_on(plain, 0));
  store_release(plain);
  for (int i = 0; i < 64; i++) assert_true(row_seen(st, 1000 + i));
  for (int i = 0; i < 8; i++) assert_true(row_seen(st, 2000 + i));
  assert_true(row_seen(st, 99) && row_seen(st, 3003));
  grouped_store_remove(st, dir, path);
}

typedef struct {
  int before, after;
  bool raised;
} prio_seen;

/* Whether this process may lower a thread's nice value at all (CAP_SYS_NICE or RLIMIT_NICE; root
 * in a container may lack both): a scratch thread tries one level. */
static void *lower_probe_main(void *arg) {
  bool *allowed = arg;
  id_t tid = (id_t)syscall(SYS_gettid);
  int now = getpriority(PRIO_PROCESS, tid);
  *allowed = now > -20 && setpriority(PRIO_PROCESS, tid, now - 1) == 0;
  return NULL;
}

static void *serial_thread_main(void *arg) {
  prio_seen *p = arg;
  id_t tid = (id_t)syscall(SYS_gettid);
  p->before = getpriority(PRIO_PROCESS, tid);
  p->raised = store_serial_thread();
  p->after = getpriority(PRIO_PROCESS, tid);
  return NULL;
}

/* The writes' serial threads run STORE_SERIAL_NICE nice levels ahead of the process when allowed
 * (whenever a thread may lower its nice value at all, it must happen), only the calling thread, and
 * nothing changes when it is not allowed. */
static void test_serial_thread(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind == STORE_PG) skip();
  prio_seen p = {0};
  pthread_t t;
  int process_before = getpriority(PRIO_PROCESS, 0);
  bool allowed = false;
  assert_int_equal(pthread_create(&t, NULL, lower_probe_main, &allowed), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(pthread_create(&t, NULL, serial_thread_main, &p), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  if (allowed) assert_true(p.raised);
  int want = p.before - STORE_SERIAL_NICE < -20 ? -20 : p.before - STORE_SERIAL_NICE;
  assert_int_equal(p.after, p.raised ? want : p.before);
  assert_int_equal(getpriority(PRIO_PROCESS, 0), process_before); /* the caller's thread is untouched */
}

/* A turn of combined writes commits its group once the group holds 24 transactions (GROUP_EAGER)
 * while the syncer is idle, instead of holding them all until the turn ends: the first 24 are
 * committed (seen by a reader) and share one commit number, the 25th opens the next group. */
static void test_group_eager(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind == STORE_PG) skip();
  char dir[] = "/tmp/hv_test_gea.XXXXXX", path[64];
  store *st = grouped_store(dir, path, sizeof path); /* its last write waited for its sync: idle */
  store_conn *m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  store_stats before, after;
  store_get_stats(st, &before);
  uint64_t seqs[25] = {0};
  for (int n = 0; n < 25; n++) {
    assert_true(store_combiner_goes_on(m, n));
    assert_int_equal(combined_insert(m, 4000 + n), 0);
    seqs[n] = store_writer_pass(m);
  }
  store_get_stats(st, &after);
  assert_int_equal(after.groups, before.groups + 1);
  assert_true(seqs[0] > 0 && seqs[0] == seqs[23] && seqs[24] > seqs[23]);
  assert_true(row_seen(st, 4000) && row_seen(st, 4023));
  assert_false(row_seen(st, 4024)); /* run, its group still open */
  store_release(m); /* a release that waits commits the open group */
  assert_true(row_seen(st, 4024));
  /* a group limit below 24 is the limit: eager commits never make groups larger than allowed */
  store_set_group_limits(st, 5, 60000);
  m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  for (int n = 0; n < 6; n++) {
    assert_true(store_combiner_goes_on(m, n));
    assert_int_equal(combined_insert(m, 5000 + n), 0);
    seqs[n] = store_writer_pass(m);
  }
  assert_true(seqs[0] == seqs[4] && seqs[5] > seqs[4]);
  (void)store_release_pending(m);
  grouped_store_remove(st, dir, path);
}

/* Review (session 15): SQLite undoes a whole transaction by itself on some errors (here INSERT OR
 * ROLLBACK; in production SQLITE_FULL, IOERR, NOMEM). Mid-group, the requests released before it
 * must be told lost (503), never durable, and the one after it must commit on its own. */
static void test_review15_grouped_auto_rollback(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind == STORE_PG) skip();
  char dir[] = "/tmp/hv_test_gra.XXXXXX", path[64];
  store *st = grouped_store(dir, path, sizeof path);
  store_conn *m = store_acquire_grouped(st, -1, NULL);
  assert_non_null(m);
  gtx g[2] = {{.st = st, .v = 200, .roll_all = true}, {.st = st, .v = 202}};
  pthread_t tids[2];
  queue_behind(st, g, tids, 2);
  assert_int_equal(store_begin(m), STORE_OK);
  assert_int_equal(store_exec(m, "INSERT INTO hv_t_g (v) VALUES (200)"), STORE_OK);
  assert_int_equal(store_commit(m), STORE_OK);
  uint64_t seq0 = store_release_pending(m);
  told t = {0};
  store_durable_waiter w = {.fn = told_fn, .arg = &t};
  notify_wait(st, seq0, &w, &t);
  for (int i = 0; i < 2; i++) assert_int_equal(pthread_join(tids[i], NULL), 0);
  assert_true(t.called);
  if (!w.lost && !row_seen(st, 200)) fail_msg("a request whose row was undone by another's error was told durable");
  assert_int_equal(g[0].insert_rc, STORE_CONSTRAINT);
  assert_int_equal(g[1].insert_rc, STORE_OK);
  assert_false(g[1].lost);
  assert_true(row_seen(st, 202));
  grouped_store_remove(st, dir, path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_open_close),
      cmocka_unit_test(test_exec_ddl),
      cmocka_unit_test(test_values_roundtrip),
      cmocka_unit_test(test_placeholder_in_literal),
      cmocka_unit_test(test_insert_returning),
      cmocka_unit_test(test_constraints),
      cmocka_unit_test(test_transactions),
      cmocka_unit_test(test_changes),
      cmocka_unit_test(test_stmt_cache),
      cmocka_unit_test(test_migrate),
      cmocka_unit_test(test_threads),
      cmocka_unit_test(test_backup),
      cmocka_unit_test(test_pg_specifics),
      cmocka_unit_test(test_commit_failure),
      cmocka_unit_test(test_savepoints),
      cmocka_unit_test(test_big_savepoint),
      cmocka_unit_test(test_bulk),
      cmocka_unit_test(test_stream),
      cmocka_unit_test(test_per_call),
      cmocka_unit_test(test_acquire_deadline),
      cmocka_unit_test(test_pg_reconnect),
      cmocka_unit_test(test_ids_not_reused),
      cmocka_unit_test(test_migration_39),
      cmocka_unit_test(test_migration_42),
      cmocka_unit_test(test_backup_under_writes),
      cmocka_unit_test(test_wal_restarts_under_writes),
      cmocka_unit_test(test_wal_spaced_in_bulk),
      cmocka_unit_test(test_row_triggers),
      cmocka_unit_test(test_wal_frames_whole),
      cmocka_unit_test(test_subjournal_in_memory),
      cmocka_unit_test(test_group_commit),
      cmocka_unit_test(test_durable_stop_syncs),
      cmocka_unit_test(test_durable_sync_fails),
      cmocka_unit_test(test_grouped_commit),
      cmocka_unit_test(test_grouped_while_syncing),
      cmocka_unit_test(test_grouped_lost),
      cmocka_unit_test(test_grouped_plain_taker),
      cmocka_unit_test(test_combined_writes),
      cmocka_unit_test(test_combiner_turns),
      cmocka_unit_test(test_group_eager),
      cmocka_unit_test(test_serial_thread),
      cmocka_unit_test(test_review15_grouped_auto_rollback),
  };
  int failed = cmocka_run_group_tests_name("store_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("store_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

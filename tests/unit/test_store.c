/* test_store.c: cmocka tests of the storage interface (store.h), run once on SQLite and once on
 * PostgreSQL when HOCVUSO_TEST_DATABASE_URL names a throw-away database (tests/pg-server.sh).
 * Owns: its temporary SQLite directory and the hv_t_* tables of the test database.
 * Never: touches a database it was not pointed at, or assumes state left by an earlier run.
 */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h> /* after the headers it relies on (stdarg, stddef, setjmp) */

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
    "hv_t_multi", "hv_t_threads", "hv_t_backup", "hv_t_ddl",    "schema_migrations",
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
  };
  int failed = cmocka_run_group_tests_name("store_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("store_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

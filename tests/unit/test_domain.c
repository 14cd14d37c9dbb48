/* test_domain.c: cmocka tests of src/domain — capabilities and scope, units, accounts and role
 * grants, sessions and log-in throttling, the audit log and the demo ward — against a fresh
 * SQLite database with the real migrations, and again against PostgreSQL when
 * HOCVUSO_TEST_DATABASE_URL names a throw-away database (tests/pg-server.sh).
 * Owns: its temporary SQLite directory and, on PostgreSQL, the schema hv_test_domain.
 * Never: touches a database it was not pointed at, or depends on state left by an earlier run
 * or on how fast the clock advances (time filters use fixed timestamps or hour-wide margins).
 */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h> /* after the headers it relies on (stdarg, stddef, setjmp) */

#include <jansson.h>
#include <sodium.h>

#include "domain/audit.h"
#include "domain/authcache.h"
#include "domain/caps.h"
#include "domain/demo.h"
#include "domain/scope.h"
#include "domain/sessions.h"
#include "domain/units.h"
#include "domain/users.h"
#include "http/http.h"
#include "util/sink.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/utf8.h"

typedef struct fixture {
  store_kind kind;
  store *st;        /* NULL when the group is skipped */
  char dir[64];     /* SQLite: the temporary directory */
  char target[512]; /* SQLite file path or PostgreSQL URI */
  secrets keys;
  store_conn *w;    /* the writer, taken for each test */
  int64_t city;     /* a top-level unit every test may build under */
  int seq;          /* for unique codes and names */
} fixture;

static fixture fx_sqlite = {.kind = STORE_SQLITE};
static fixture fx_pg = {.kind = STORE_PG};

#define PG_TEST_SCHEMA "hv_test_domain"
#define PW "mật khẩu đủ dài"
#define PW2 "another-good-one"

/* ---- helpers ---- */

static fixture *fx_of(void **state) {
  fixture *fx = *state;
  if (!fx || !fx->st || !fx->w) skip();
  return fx;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void expect_err(const char *what, int rc, const app_err *e, int status, const char *code, const char *field) {
  if (rc != -1) fail_msg("%s: rc %d, wanted -1", what, rc);
  if (e->status != status) fail_msg("%s: status %d, wanted %d (%s)", what, e->status, status, e->code ? e->code : "-");
  if (code && (!e->code || strcmp(e->code, code) != 0))
    fail_msg("%s: code %s, wanted %s", what, e->code ? e->code : "(null)", code);
  if ((field == NULL) != (e->field == NULL) || (field && strcmp(e->field, field) != 0))
    fail_msg("%s: field %s, wanted %s", what, e->field ? e->field : "(null)", field ? field : "(null)");
  if (!e->message || !e->message[0]) fail_msg("%s: no message", what);
}

static void exec_ok(store_conn *c, const char *sql) {
  int rc = store_exec(c, sql);
  if (rc != STORE_OK) fail_msg("store_exec(%s) = %d: %s", sql, rc, store_errmsg(c));
}

static int64_t query_int(store_conn *c, const store_sql *q) {
  store_stmt *s = store_prepare(c, q);
  if (!s) fail_msg("prepare %s: %s", q->sql, store_errmsg(c));
  if (store_step(s) != STORE_ROW) fail_msg("step %s: %s", q->sql, store_errmsg(c));
  int64_t v = store_col_int(s, 0);
  store_reset(s);
  return v;
}

static int64_t mk_unit(fixture *fx, int64_t parent, const char *kind, const char *name, const char *code) {
  int64_t id = 0;
  app_err e = {0};
  if (units_create(fx->w, parent, kind, name, code, &id, &e) != 0)
    fail_msg("units_create(%s): %d %s %s", name, e.status, e.code, e.field ? e.field : "");
  assert_true(id > 0);
  return id;
}

/* A new ward under the test city, so that each test has a subtree of its own. */
static int64_t mk_ward(fixture *fx, const char *tag) {
  char code[64], name[128];
  fx->seq++;
  snprintf(code, sizeof code, "T%d-%s", fx->seq, tag);
  snprintf(name, sizeof name, "Phường %s %d", tag, fx->seq);
  return mk_unit(fx, fx->city, "ward", name, code);
}

static const char *path_of(fixture *fx, arena *a, int64_t id) {
  const char *p = NULL;
  app_err e = {0};
  if (units_path(fx->w, id, a, &p, &e) != 0) fail_msg("units_path(%" PRId64 "): %d", id, e.status);
  return p;
}

/* As the dispatcher does: check every field, hash (off the writer in the server), create. */
static int create_with(store_conn *w, const char *username, const char *display, const char *pw, int64_t unit,
                       int64_t *id, app_err *e) {
  if (users_check_new(username, display, pw, e) != 0) return -1;
  char hash[PASSWORD_HASH_MAX];
  if (users_hash_password(pw, hash) != 0) return APP_INTERNAL(e);
  return users_create(w, username, display, hash, unit, false, id, e);
}

static const char *hash_of(const char *pw) {
  static char h1[PASSWORD_HASH_MAX], h2[PASSWORD_HASH_MAX];
  char *h = strcmp(pw, PW) == 0 ? h1 : h2;
  if (h == h2 || !h1[0]) assert_int_equal(users_hash_password(pw, h), 0);
  return h;
}

static int64_t mk_user(fixture *fx, const char *username, const char *display, int64_t unit) {
  int64_t id = 0;
  app_err e = {0};
  if (users_create(fx->w, username, display, hash_of(PW), unit, false, &id, &e) != 0)
    fail_msg("users_create(%s): %d %s %s", username, e.status, e.code, e.field ? e.field : "");
  assert_true(id > 0);
  return id;
}

static int64_t mk_grant(fixture *fx, int64_t user, const char *role, int64_t unit) {
  int64_t gid = 0;
  app_err e = {0};
  if (roles_grant(fx->w, user, role, unit, 0, &gid, &e) != 0) fail_msg("roles_grant(%s): %d %s", role, e.status, e.code);
  assert_true(gid > 0);
  return gid;
}

typedef struct gspec {
  const char *role;
  int64_t unit;
} gspec;

/* A principal holding the given grants, its strings in `a`. It is a real account with real
 * grants (no home unit), because list queries join the caller's grants in SQL (scope.h). */
static principal *mk_principal(fixture *fx, arena *a, const gspec *g, int n) {
  char uname[32];
  fx->seq++;
  snprintf(uname, sizeof uname, "pr-%d", fx->seq);
  principal *p = arena_alloc(a, sizeof *p);
  memset(p, 0, sizeof *p);
  p->user_id = mk_user(fx, uname, "Người Thử", 0);
  p->username = arena_strdup(a, uname);
  p->grants = arena_alloc(a, sizeof(grant) * (size_t)(n ? n : 1));
  for (int i = 0; i < n; i++) {
    grant *gr = &p->grants[i];
    gr->id = mk_grant(fx, p->user_id, g[i].role, g[i].unit);
    gr->role = g[i].role;
    gr->caps = caps_of_role(g[i].role);
    gr->unit_id = g[i].unit;
    gr->unit_path = path_of(fx, a, g[i].unit);
    p->caps_any |= gr->caps;
  }
  p->ngrants = n;
  return p;
}

/* The same, from literal paths (no database). */
static principal *path_principal(arena *a, const char *const *roles, const char *const *paths, int n) {
  principal *p = arena_alloc(a, sizeof *p);
  p->grants = arena_alloc(a, sizeof(grant) * (size_t)(n ? n : 1));
  for (int i = 0; i < n; i++) {
    p->grants[i].role = roles[i];
    p->grants[i].caps = caps_of_role(roles[i]);
    p->grants[i].unit_path = paths[i];
    p->caps_any |= p->grants[i].caps;
  }
  p->ngrants = n;
  return p;
}

static bool items_have(json_t *items, const char *key, const char *value) {
  size_t i;
  json_t *v;
  json_array_foreach(items, i, v) {
    const char *s = json_string_value(json_object_get(v, key));
    if (s && strcmp(s, value) == 0) return true;
  }
  return false;
}

static bool items_have_id(json_t *items, int64_t id) {
  size_t i;
  json_t *v;
  json_array_foreach(items, i, v) if (json_integer_value(json_object_get(v, "id")) == id) return true;
  return false;
}

/* ---- group fixtures ---- */

static int common_setup(fixture *fx) {
  char err[512] = "";
  randombytes_buf(&fx->keys, sizeof fx->keys);
  int applied = store_migrate(fx->st, hocvuso_migrations, err, sizeof err);
  if (applied < 1) {
    fprintf(stderr, "store_migrate = %d: %s\n", applied, err);
    return -1;
  }
  /* Migrating again changes nothing. */
  if (store_migrate(fx->st, hocvuso_migrations, err, sizeof err) != 0) {
    fprintf(stderr, "second store_migrate: %s\n", err);
    return -1;
  }
  store_conn *w = store_acquire(fx->st, true);
  if (!w) return -1;
  app_err e = {0};
  int rc = units_create(w, 0, "city", "Thành phố Thử nghiệm", "T-CITY", &fx->city, &e);
  store_release(w);
  if (rc != 0) {
    fprintf(stderr, "cannot create the test city: %s\n", e.code);
    return -1;
  }
  return 0;
}

static int setup_sqlite(void **state) {
  fixture *fx = &fx_sqlite;
  char err[256] = "";
  *state = fx;
  snprintf(fx->dir, sizeof fx->dir, "/tmp/hv_test_domain.XXXXXX");
  if (!mkdtemp(fx->dir)) {
    perror("mkdtemp");
    return -1;
  }
  snprintf(fx->target, sizeof fx->target, "%.63s/test.db", fx->dir);
  fx->st = store_open(fx->target, 4, err, sizeof err);
  if (!fx->st) {
    fprintf(stderr, "cannot open %s: %s\n", fx->target, err);
    return -1;
  }
  return common_setup(fx);
}

static int teardown_sqlite(void **state) {
  (void)state;
  store_close(fx_sqlite.st);
  fx_sqlite.st = NULL;
  if (fx_sqlite.dir[0]) nftw(fx_sqlite.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return 0;
}

static int setup_pg(void **state) {
  fixture *fx = &fx_pg;
  *state = fx;
  const char *url = getenv("HOCVUSO_TEST_DATABASE_URL");
  if (!url || !*url) {
    printf("note: HOCVUSO_TEST_DATABASE_URL is not set: skipping the PostgreSQL group "
           "(tests/pg-server.sh start DIR prints one)\n");
    return 0;
  }
  if (strncmp(url, "postgresql://", 13) != 0 && strncmp(url, "postgres://", 11) != 0) {
    fprintf(stderr, "HOCVUSO_TEST_DATABASE_URL must be a postgresql:// URI\n");
    return -1;
  }
  /* A schema of our own, so that the migrations run from scratch without harming the other
   * test programs that share the database (meson runs them in parallel). */
  int n = snprintf(fx->target, sizeof fx->target, "%s%coptions=-c%%20search_path%%3D" PG_TEST_SCHEMA, url,
                   strchr(url, '?') ? '&' : '?');
  if (n < 0 || (size_t)n >= sizeof fx->target) return -1;
  char err[256] = "";
  store *admin = store_open(url, 1, err, sizeof err);
  if (!admin) {
    fprintf(stderr, "cannot open %s: %s\n", url, err);
    return -1;
  }
  store_conn *c = store_acquire(admin, true);
  int rc = c ? store_exec(c, "DROP SCHEMA IF EXISTS " PG_TEST_SCHEMA " CASCADE; CREATE SCHEMA " PG_TEST_SCHEMA)
             : STORE_ERROR;
  if (rc != STORE_OK) fprintf(stderr, "cannot create schema " PG_TEST_SCHEMA ": %s\n", c ? store_errmsg(c) : "-");
  if (c) store_release(c);
  store_close(admin);
  if (rc != STORE_OK) return -1;
  fx->st = store_open(fx->target, 4, err, sizeof err);
  if (!fx->st) {
    fprintf(stderr, "cannot open %s: %s\n", fx->target, err);
    return -1;
  }
  return common_setup(fx);
}

static int teardown_pg(void **state) {
  (void)state;
  store_close(fx_pg.st);
  fx_pg.st = NULL;
  return 0;
}

/* Each test holds the writer; whatever it leaves open is rolled back. */
static int test_setup(void **state) {
  fixture *fx = *state;
  if (fx && fx->st) {
    fx->w = store_acquire(fx->st, true);
    if (!fx->w) return -1;
  }
  return 0;
}

static int test_teardown(void **state) {
  fixture *fx = *state;
  if (fx && fx->w) {
    if (store_in_transaction(fx->w)) store_rollback(fx->w);
    store_release(fx->w);
    fx->w = NULL;
  }
  return 0;
}

/* ==== capabilities and roles ==== */

static void test_caps_of_role(void **state) {
  (void)fx_of(state);
  static const struct {
    const char *role;
    caps_t caps;
  } want[] = {
      {"ward_admin", CAP_UNITS_READ | CAP_UNITS_WRITE | CAP_USERS_READ | CAP_USERS_WRITE | CAP_AUDIT_READ |
                         CAP_PEOPLE_READ | CAP_PEOPLE_WRITE | CAP_FIELD_WRITE | CAP_IDENTITY_READ | CAP_SCHOOL_READ |
                         CAP_REPORTS_READ | CAP_LEARN | CAP_PEOPLE_EXPORT | CAP_CONTENT_WRITE | CAP_CERT_MANAGE |
                         CAP_PLAN_WRITE | CAP_INDICATORS_WRITE},
      {"unit_officer", CAP_UNITS_READ | CAP_USERS_READ | CAP_PEOPLE_READ | CAP_PEOPLE_WRITE | CAP_REPORTS_READ | CAP_LEARN |
                           CAP_PEOPLE_EXPORT | CAP_PLAN_WRITE},
      {"field_helper", CAP_UNITS_READ | CAP_PEOPLE_READ | CAP_FIELD_WRITE | CAP_LEARN},
      {"police", CAP_UNITS_READ | CAP_PEOPLE_READ | CAP_IDENTITY_READ | CAP_IDENTITY_WRITE | CAP_PLAN_WRITE},
      {"teacher", CAP_UNITS_READ | CAP_PEOPLE_READ | CAP_SCHOOL_READ | CAP_SCHOOL_WRITE | CAP_LEARN | CAP_CONTENT_WRITE |
                      CAP_PLAN_WRITE},
      {"learner", CAP_LEARN},
  };
  assert_int_equal(roles_count, sizeof want / sizeof want[0]);
  for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
    caps_t got = caps_of_role(want[k].role);
    if (got != want[k].caps) fail_msg("caps_of_role(%s) = %#x, wanted %#x", want[k].role, got, want[k].caps);
    const role_info *ri = role_find(want[k].role);
    assert_non_null(ri);
    assert_string_equal(ri->code, want[k].role);
    assert_true(ri->label && ri->label[0]);
    assert_int_equal(ri->caps, got);
  }
  /* Every role in the table is one of the above (no role escapes this test). */
  for (int i = 0; i < roles_count; i++) {
    bool listed = false;
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) listed |= strcmp(roles_table[i].code, want[k].role) == 0;
    if (!listed) fail_msg("role %s is not covered", roles_table[i].code);
  }
  static const char *const unknown[] = {"", "admin", "WARD_ADMIN", "ward_admin ", "ward", "root"};
  for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
    assert_int_equal(caps_of_role(unknown[k]), 0);
    assert_null(role_find(unknown[k]));
  }
  assert_int_equal(caps_of_role(NULL), 0);
  assert_null(role_find(NULL));
  /* The capability table: one bit each, unique codes, each described. */
  caps_t seen = 0;
  for (int i = 0; i < CAP_COUNT; i++) {
    caps_t f = caps_table[i].flag;
    assert_true(f && (f & (f - 1)) == 0);
    assert_int_equal(seen & f, 0);
    seen |= f;
    assert_string_equal(caps_code(f), caps_table[i].code);
    assert_true(caps_table[i].description && caps_table[i].description[0]);
    for (int k = 0; k < i; k++) assert_string_not_equal(caps_table[k].code, caps_table[i].code);
  }
  assert_null(caps_code(0));
  assert_null(caps_code(CAP_UNITS_READ | CAP_UNITS_WRITE));
  /* Every role's capabilities are in the table. */
  for (int i = 0; i < roles_count; i++) assert_int_equal(roles_table[i].caps & ~seen, 0);
}

/* ==== scope ==== */

static void test_scope_can(void **state) {
  (void)fx_of(state);
  arena a;
  arena_init(&a);
  static const char *const roles[] = {"ward_admin"};
  static const char *const paths[] = {"/1/2/"};
  principal *p = path_principal(&a, roles, paths, 1);
  static const struct {
    const char *path;
    bool can;
  } cases[] = {
      {"/1/2/", true},       /* the ward itself */
      {"/1/2/5/", true},     /* a tổ dân phố below it */
      {"/1/2/5/77/", true},  /* deeper */
      {"/1/3/", false},      /* a sibling ward */
      {"/1/3/5/", false},
      {"/1/", false},        /* the city above */
      {"/1/23/", false},     /* the prefix trap: "/1/2" is a prefix of "/1/23/" */
      {"/1/23/4/", false},
      {"/1/2", false},       /* not a unit path */
      {"/11/2/", false},
      {"", false},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    bool got = scope_can(p, CAP_UNITS_WRITE, cases[k].path);
    if (got != cases[k].can) fail_msg("scope_can(grant /1/2/, %s) = %d", cases[k].path, got);
  }
  /* A capability the role lacks holds nowhere, not even on the unit itself. */
  assert_false(scope_can(p, CAP_IDENTITY_WRITE, "/1/2/"));
  /* Several capabilities at once must come from one grant. */
  assert_true(scope_can(p, CAP_UNITS_READ | CAP_USERS_WRITE, "/1/2/5/"));
  static const char *const roles2[] = {"police", "teacher"};
  static const char *const paths2[] = {"/1/2/", "/1/2/"};
  principal *q = path_principal(&a, roles2, paths2, 2);
  assert_true(scope_can(q, CAP_IDENTITY_WRITE, "/1/2/9/"));
  assert_true(scope_can(q, CAP_SCHOOL_WRITE, "/1/2/9/"));
  assert_false(scope_can(q, CAP_IDENTITY_WRITE | CAP_SCHOOL_WRITE, "/1/2/9/"));
  /* No principal, no path, no grants, an empty grant path: nothing. */
  assert_false(scope_can(NULL, CAP_UNITS_READ, "/1/2/"));
  assert_false(scope_can(p, CAP_UNITS_READ, NULL));
  principal *none = path_principal(&a, NULL, NULL, 0);
  assert_false(scope_can(none, CAP_UNITS_READ, "/1/"));
  static const char *const roles3[] = {"ward_admin"};
  static const char *const paths3[] = {""};
  principal *empty = path_principal(&a, roles3, paths3, 1);
  assert_false(scope_can(empty, CAP_UNITS_READ, "/1/"));
  /* scope_path_within and scope_hi. */
  assert_true(scope_path_within("/1/2/3/", "/1/2/"));
  assert_false(scope_path_within("/1/23/", "/1/2/"));
  assert_false(scope_path_within("/1/", ""));
  assert_string_equal(scope_hi(&a, "/1/5/"), "/1/50");
  assert_string_equal(scope_hi(&a, "/1/"), "/10");
  assert_string_equal(scope_hi(&a, ""), "");
  /* The range [path, hi) holds the subtree and nothing else, by byte order. */
  const char *lo = "/1/2/", *hi = scope_hi(&a, lo);
  static const struct {
    const char *path;
    bool in;
  } range[] = {{"/1/2/", true}, {"/1/2/5/", true}, {"/1/2/999/8/", true}, {"/1/23/", false},
               {"/1/20/", false}, {"/1/3/", false}, {"/1/1/", false}, {"/1/", false}};
  for (size_t k = 0; k < sizeof range / sizeof range[0]; k++) {
    bool in = strcmp(range[k].path, lo) >= 0 && strcmp(range[k].path, hi) < 0;
    if (in != range[k].in) fail_msg("range [%s, %s) and %s: %d", lo, hi, range[k].path, in);
    assert_int_equal(in, scope_path_within(range[k].path, lo));
  }
  arena_free(&a);
}

/* The SQL scope's binding: the roles that carry a capability, as one string; and the in-memory
 * checks that grants and account writes use. */
static void test_scope_sql(void **state) {
  (void)fx_of(state);
  arena a;
  arena_init(&a);
  static const char *const roles[] = {"unit_officer", "ward_admin"};
  static const char *const paths[] = {"/1/2/5/", "/1/3/"};
  principal *p = path_principal(&a, roles, paths, 2);
  p->user_id = 77;
  scope_sql s;
  scope_sql_of(&s, p, CAP_USERS_READ);
  assert_false(s.all);
  assert_int_equal(s.user_id, 77);
  assert_string_equal(s.roles, ",ward_admin,unit_officer,");
  scope_sql_of(&s, p, CAP_USERS_WRITE);
  assert_string_equal(s.roles, ",ward_admin,");
  scope_sql_of(&s, p, CAP_IDENTITY_WRITE);
  assert_string_equal(s.roles, ",police,");
  scope_sql_of(&s, p, CAP_LEARN);
  assert_string_equal(s.roles, ",ward_admin,unit_officer,field_helper,teacher,learner,");
  scope_sql_of(&s, NULL, CAP_USERS_READ);
  assert_int_equal(s.user_id, 0);
  scope_sql_all(&s);
  assert_true(s.all);
  /* Granting needs each capability of the role on the unit, possibly from several grants. */
  assert_true(scope_can_each(p, caps_of_role("learner"), "/1/3/9/"));
  assert_true(scope_can_each(p, caps_of_role("ward_admin"), "/1/3/"));
  assert_false(scope_can_each(p, caps_of_role("ward_admin"), "/1/2/5/")); /* an officer there */
  assert_false(scope_can_each(p, caps_of_role("police"), "/1/3/"));      /* identity.write */
  assert_false(scope_can_each(p, caps_of_role("teacher"), "/1/3/"));     /* school.write */
  assert_false(scope_can_each(p, caps_of_role("learner"), "/1/4/"));
  assert_false(scope_can_each(NULL, caps_of_role("learner"), "/1/3/"));
  static const char *const roles2[] = {"police", "ward_admin"};
  static const char *const paths2[] = {"/1/3/", "/1/3/"};
  assert_true(scope_can_each(path_principal(&a, roles2, paths2, 2), caps_of_role("police"), "/1/3/4/"));
  /* A top-level grant. */
  assert_false(scope_at_top(p, CAP_USERS_READ));
  static const char *const roles3[] = {"unit_officer"};
  static const char *const paths3[] = {"/1/"};
  principal *top = path_principal(&a, roles3, paths3, 1);
  assert_true(scope_at_top(top, CAP_USERS_READ));
  assert_false(scope_at_top(top, CAP_USERS_WRITE));
  arena_free(&a);
}

/* ==== units ==== */

static void test_units_create(void **state) {
  fixture *fx = fx_of(state);
  arena a;
  arena_init(&a);
  const char *city_path = path_of(fx, &a, fx->city);
  char want[128];
  snprintf(want, sizeof want, "/%" PRId64 "/", fx->city);
  assert_string_equal(city_path, want);

  int64_t ward = mk_ward(fx, "create");
  int64_t tdp = mk_unit(fx, ward, "residential_group", "Tổ dân phố số 1", NULL);
  snprintf(want, sizeof want, "/%" PRId64 "/%" PRId64 "/%" PRId64 "/", fx->city, ward, tdp);
  assert_string_equal(path_of(fx, &a, tdp), want);

  json_t *u = NULL;
  app_err e = {0};
  assert_int_equal(units_get(fx->w, tdp, 1, &u, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(u, "id")), tdp);
  assert_int_equal(json_integer_value(json_object_get(u, "parent_id")), ward);
  assert_int_equal(json_integer_value(json_object_get(u, "depth")), 2);
  assert_string_equal(json_string_value(json_object_get(u, "kind")), "residential_group");
  assert_string_equal(json_string_value(json_object_get(u, "kind_label")), "Tổ dân phố");
  assert_string_equal(json_string_value(json_object_get(u, "name")), "Tổ dân phố số 1");
  assert_true(json_is_null(json_object_get(u, "code")));
  assert_int_equal(json_integer_value(json_object_get(u, "children_count")), 0);
  json_t *anc = json_object_get(u, "ancestors");
  assert_int_equal(json_array_size(anc), 2); /* city, ward: not itself */
  assert_int_equal(json_integer_value(json_object_get(json_array_get(anc, 0), "id")), fx->city);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(anc, 1), "id")), ward);
  json_decref(u);
  assert_int_equal(units_get(fx->w, ward, 0, &u, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(u, "depth")), 1);
  assert_int_equal(json_integer_value(json_object_get(u, "children_count")), 1);
  assert_null(json_object_get(u, "ancestors"));
  json_decref(u);

  /* A top-level unit: depth 0, path "/id/", null parent. */
  int64_t top = mk_unit(fx, 0, "city", "Thành phố Khác", NULL);
  snprintf(want, sizeof want, "/%" PRId64 "/", top);
  assert_string_equal(path_of(fx, &a, top), want);
  assert_int_equal(units_get(fx->w, top, 1, &u, &e), 0);
  assert_true(json_is_null(json_object_get(u, "parent_id")));
  assert_int_equal(json_integer_value(json_object_get(u, "depth")), 0);
  assert_int_equal(json_array_size(json_object_get(u, "ancestors")), 0);
  json_decref(u);

  /* Names are stored in NFC: a decomposed "Tổ" comes back composed. */
  int64_t nfd = mk_unit(fx, ward, "team", "To\xCC\x82\xCC\x89 công nghệ", NULL);
  assert_int_equal(units_get(fx->w, nfd, 0, &u, &e), 0);
  assert_string_equal(json_string_value(json_object_get(u, "name")), "Tổ công nghệ");
  json_decref(u);

  /* A code, with every allowed character. */
  fx->seq++;
  char code[64];
  snprintf(code, sizeof code, "HD-TDP_%d.a", fx->seq);
  int64_t coded = mk_unit(fx, ward, "residential_group", "Tổ dân phố số 2", code);
  assert_int_equal(units_get(fx->w, coded, 0, &u, &e), 0);
  assert_string_equal(json_string_value(json_object_get(u, "code")), code);
  json_decref(u);

  /* Errors. */
  char name201[700] = "", code65[80];
  for (int i = 0; i < 201; i++) strcat(name201, "ữ");
  memset(code65, 'a', 65);
  code65[65] = '\0';
  static const char *const twochars = "Đỗ"; /* 2 characters, 5 bytes: allowed */
  struct {
    const char *label;
    int64_t parent;
    const char *kind, *name, *code;
    int status;
    const char *ecode, *field;
  } bad[] = {
      {"unknown kind", ward, "province", "Tổ A", NULL, 400, "invalid_value", "kind"},
      {"kind case", ward, "Ward", "Tổ A", NULL, 400, "invalid_value", "kind"},
      {"NULL kind", ward, NULL, "Tổ A", NULL, 400, "invalid_value", "kind"},
      {"one-character name", ward, "team", "A", NULL, 400, "invalid_value", "name"},
      {"one vietnamese character", ward, "team", "Đ", NULL, 400, "invalid_value", "name"},
      {"empty name", ward, "team", "", NULL, 400, "invalid_value", "name"},
      {"201 characters", ward, "team", name201, NULL, 400, "invalid_value", "name"},
      {"code with a space", ward, "team", "Tổ A", "HD 01", 400, "invalid_value", "code"},
      {"code with a diacritic", ward, "team", "Tổ A", "tổ-1", 400, "invalid_value", "code"},
      {"code with a slash", ward, "team", "Tổ A", "HD/1", 400, "invalid_value", "code"},
      {"code with a percent", ward, "team", "Tổ A", "HD%", 400, "invalid_value", "code"},
      {"code of 65", ward, "team", "Tổ A", code65, 400, "invalid_value", "code"},
      {"duplicate code", ward, "team", "Tổ A", code, 409, "conflict", "code"},
      {"duplicate of the city's code", ward, "team", "Tổ A", "T-CITY", 409, "conflict", "code"},
      {"missing parent", 987654321, "team", "Tổ A", NULL, 404, "not_found", "parent_id"},
      {"negative parent", -5, "team", "Tổ A", NULL, 404, "not_found", "parent_id"},
  };
  int64_t before = units_count(fx->w);
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    int64_t id = -1;
    memset(&e, 0, sizeof e);
    int rc = units_create(fx->w, bad[k].parent, bad[k].kind, bad[k].name, bad[k].code, &id, &e);
    expect_err(bad[k].label, rc, &e, bad[k].status, bad[k].ecode, bad[k].field);
    if (id != -1) fail_msg("%s: id written on failure", bad[k].label);
  }
  assert_int_equal(units_count(fx->w), before); /* nothing half-created */
  int64_t ok2 = mk_unit(fx, ward, "team", twochars, "");
  assert_int_equal(units_get(fx->w, ok2, 0, &u, &e), 0);
  assert_true(json_is_null(json_object_get(u, "code"))); /* "" means none */
  json_decref(u);
  char name200[700] = "";
  for (int i = 0; i < 200; i++) strcat(name200, "ữ");
  mk_unit(fx, ward, "team", name200, NULL);
  mk_unit(fx, ward, "team", "Tổ B", code65 + 1); /* 64 characters */

  /* Depth: a chain may reach depth 20 but not 21. */
  int64_t parent = ward; /* depth 1 */
  for (int d = 2; d <= 20; d++) {
    char nm[32];
    snprintf(nm, sizeof nm, "Cấp %d", d);
    parent = mk_unit(fx, parent, "team", nm, NULL);
  }
  int64_t id = 0;
  memset(&e, 0, sizeof e);
  expect_err("depth 21", units_create(fx->w, parent, "team", "Cấp 21", NULL, &id, &e), &e, 400, "invalid_value",
             "parent_id");
  /* Missing units. */
  const char *p = NULL;
  memset(&e, 0, sizeof e);
  expect_err("units_path of a missing unit", units_path(fx->w, 987654321, &a, &p, &e), &e, 404, "not_found", "id");
  memset(&e, 0, sizeof e);
  expect_err("units_get of a missing unit", units_get(fx->w, 987654321, 1, &u, &e), &e, 404, "not_found", "id");
  assert_int_equal(unit_kinds_count > 0, 1);
  assert_null(unit_kind_label("nope"));
  assert_null(unit_kind_label(NULL));
  assert_string_equal(unit_kind_label("ward"), "Phường");
  arena_free(&a);
}

static void test_units_update(void **state) {
  fixture *fx = fx_of(state);
  int64_t ward = mk_ward(fx, "update");
  fx->seq++;
  char code[32], code2[32];
  snprintf(code, sizeof code, "U%d-a", fx->seq);
  snprintf(code2, sizeof code2, "U%d-b", fx->seq);
  int64_t u1 = mk_unit(fx, ward, "residential_group", "Tổ dân phố số 1", code);
  int64_t u2 = mk_unit(fx, ward, "residential_group", "Tổ dân phố số 2", code2);
  app_err e = {0};
  json_t *u = NULL;

  /* Rename: the name and its search key change together. */
  assert_int_equal(units_update(fx->w, u1, "Tổ dân phố Hoa Sen", NULL, NULL, &e), 0);
  assert_int_equal(units_get(fx->w, u1, 0, &u, &e), 0);
  assert_string_equal(json_string_value(json_object_get(u, "name")), "Tổ dân phố Hoa Sen");
  assert_string_equal(json_string_value(json_object_get(u, "kind")), "residential_group");
  assert_string_equal(json_string_value(json_object_get(u, "code")), code); /* untouched */
  json_decref(u);
  arena a;
  arena_init(&a);
  const gspec wg[] = {{"ward_admin", ward}};
  principal *p = mk_principal(fx, &a, wg, 1);
  scope_sql sc;
  scope_sql_of(&sc, p, CAP_UNITS_READ);
  unit_list_query q = {.q = "hoa sen", .page = 1, .per_page = 50};
  json_t *items = NULL;
  int64_t total = -1;
  assert_int_equal(units_list(fx->w, &sc, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_true(items_have_id(items, u1));
  json_decref(items);
  q.q = "so 1"; /* the old name no longer matches */
  assert_int_equal(units_list(fx->w, &sc, &q, &items, &total, &e), 0);
  assert_false(items_have_id(items, u1));
  json_decref(items);

  /* Kind; code removed with ""; code set again. */
  assert_int_equal(units_update(fx->w, u1, NULL, "team", NULL, &e), 0);
  assert_int_equal(units_update(fx->w, u1, NULL, NULL, "", &e), 0);
  assert_int_equal(units_get(fx->w, u1, 0, &u, &e), 0);
  assert_string_equal(json_string_value(json_object_get(u, "kind")), "team");
  assert_true(json_is_null(json_object_get(u, "code")));
  assert_string_equal(json_string_value(json_object_get(u, "name")), "Tổ dân phố Hoa Sen");
  json_decref(u);
  assert_int_equal(units_find(fx->w, code), 0);
  assert_int_equal(units_update(fx->w, u1, NULL, NULL, code, &e), 0);
  assert_int_equal(units_find(fx->w, code), u1);
  /* Nothing to change is fine. */
  assert_int_equal(units_update(fx->w, u1, NULL, NULL, NULL, &e), 0);

  /* Errors. */
  struct {
    const char *label;
    int64_t id;
    const char *name, *kind, *code;
    int status;
    const char *ecode, *field;
  } bad[] = {
      {"unknown kind", u1, NULL, "village", NULL, 400, "invalid_value", "kind"},
      {"short name", u1, "X", NULL, NULL, 400, "invalid_value", "name"},
      {"bad code", u1, NULL, NULL, "a b", 400, "invalid_value", "code"},
      {"duplicate code", u2, NULL, NULL, code, 409, "conflict", "code"},
      {"missing unit", 987654321, "Tên mới", NULL, NULL, 404, "not_found", "id"},
      {"missing unit, code only", 987654321, NULL, NULL, "zz", 404, "not_found", "id"},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    memset(&e, 0, sizeof e);
    int rc = units_update(fx->w, bad[k].id, bad[k].name, bad[k].kind, bad[k].code, &e);
    expect_err(bad[k].label, rc, &e, bad[k].status, bad[k].ecode, bad[k].field);
  }
  assert_int_equal(units_get(fx->w, u2, 0, &u, &e), 0);
  assert_string_equal(json_string_value(json_object_get(u, "code")), code2); /* the 409 changed nothing */
  json_decref(u);
  arena_free(&a);
}

static void test_units_list(void **state) {
  fixture *fx = fx_of(state);
  arena a;
  arena_init(&a);
  int64_t w1 = mk_ward(fx, "list1"), w2 = mk_ward(fx, "list2");
  int64_t kids[5];
  for (int i = 0; i < 5; i++) {
    char nm[64];
    snprintf(nm, sizeof nm, "Tổ dân phố số %d", i + 1);
    kids[i] = mk_unit(fx, w1, "residential_group", nm, NULL);
  }
  int64_t other1 = mk_unit(fx, w2, "residential_group", "Tổ dân phố số 1", NULL);
  int64_t pct = mk_unit(fx, w1, "team", "Tổ 100% xanh", NULL);
  int64_t thousand = mk_unit(fx, w1, "team", "Tổ 1000 xanh", NULL);
  int64_t under = mk_unit(fx, w1, "team", "Tổ a_b", NULL);
  int64_t deep = mk_unit(fx, kids[0], "team", "Đội thanh niên tình nguyện", NULL);

  const gspec g1[] = {{"unit_officer", w1}};
  const gspec g12[] = {{"unit_officer", w1}, {"unit_officer", w2}};
  principal *p1 = mk_principal(fx, &a, g1, 1), *p12 = mk_principal(fx, &a, g12, 2);
  scope_sql s1, s12, none;
  scope_sql_of(&s1, p1, CAP_UNITS_READ);
  scope_sql_of(&s12, p12, CAP_UNITS_READ);
  scope_sql_of(&none, NULL, CAP_UNITS_READ);
  app_err e = {0};
  json_t *items = NULL;
  int64_t total = -1;

  /* Children of a unit, paginated, in id order, with the total. */
  unit_list_query q = {.parent_id = w1, .page = 1, .per_page = 3};
  assert_int_equal(units_list(fx->w, &s1, &q, &items, &total, &e), 0);
  assert_int_equal(total, 8);
  assert_int_equal(json_array_size(items), 3);
  for (int i = 0; i < 3; i++)
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, (size_t)i), "id")), kids[i]);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "children_count")), 1);
  json_decref(items);
  q.page = 3;
  assert_int_equal(units_list(fx->w, &s1, &q, &items, &total, &e), 0);
  assert_int_equal(total, 8);
  assert_int_equal(json_array_size(items), 2);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "id")), under);
  json_decref(items);
  q.page = 4;
  assert_int_equal(units_list(fx->w, &s1, &q, &items, &total, &e), 0);
  assert_int_equal(total, 8);
  assert_int_equal(json_array_size(items), 0);
  json_decref(items);
  /* Children filtered by a search. */
  q = (unit_list_query){.parent_id = w1, .q = "SỐ 2", .page = 1, .per_page = 50};
  assert_int_equal(units_list(fx->w, &s1, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), kids[1]);
  json_decref(items);

  /* Search: accent- and case-insensitive, within the caller's subtrees only. */
  static const char *const spellings[] = {"to dan pho so 1", "Tổ dân phố số 1", "TỔ DÂN PHỐ SỐ 1", "tô dân phô sô 1"};
  for (size_t k = 0; k < sizeof spellings / sizeof spellings[0]; k++) {
    q = (unit_list_query){.q = spellings[k], .page = 1, .per_page = 50};
    assert_int_equal(units_list(fx->w, &s1, &q, &items, &total, &e), 0);
    if (total != 1 || !items_have_id(items, kids[0]))
      fail_msg("search \"%s\" in ward 1: total %" PRId64, spellings[k], total);
    json_decref(items);
  }
  q = (unit_list_query){.q = "to dan pho so 1", .page = 1, .per_page = 50};
  assert_int_equal(units_list(fx->w, &s12, &q, &items, &total, &e), 0);
  assert_int_equal(total, 2);
  assert_true(items_have_id(items, kids[0]));
  assert_true(items_have_id(items, other1));
  json_decref(items);
  assert_int_equal(units_list(fx->w, &none, &q, &items, &total, &e), 0);
  assert_int_equal(total, 0);
  assert_int_equal(json_array_size(items), 0);
  json_decref(items);
  /* Search reaches any depth, and đ matches d. */
  q.q = "doi thanh nien";
  assert_int_equal(units_list(fx->w, &s1, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_true(items_have_id(items, deep));
  json_decref(items);
  /* Search results are paginated. */
  q = (unit_list_query){.q = "to dan pho", .page = 2, .per_page = 4};
  assert_int_equal(units_list(fx->w, &s1, &q, &items, &total, &e), 0);
  assert_int_equal(total, 5);
  assert_int_equal(json_array_size(items), 1);
  json_decref(items);

  /* LIKE wildcards in the query are literal. */
  static const struct {
    const char *q;
    int64_t total;
  } wild[] = {{"100%", 1}, {"%", 1}, {"_", 1}, {"a_b", 1}, {"1_0", 0}, {"1%0", 0}, {"\\", 0}, {"xanh", 2}};
  for (size_t k = 0; k < sizeof wild / sizeof wild[0]; k++) {
    q = (unit_list_query){.q = wild[k].q, .page = 1, .per_page = 50};
    assert_int_equal(units_list(fx->w, &s1, &q, &items, &total, &e), 0);
    if (total != wild[k].total) fail_msg("search \"%s\": total %" PRId64 ", wanted %" PRId64, wild[k].q, total, wild[k].total);
    json_decref(items);
  }
  q = (unit_list_query){.q = "100%", .page = 1, .per_page = 50};
  assert_int_equal(units_list(fx->w, &s1, &q, &items, &total, &e), 0);
  assert_true(items_have_id(items, pct));
  assert_false(items_have_id(items, thousand));
  json_decref(items);

  /* Neither parent nor search: the caller's roots themselves. */
  q = (unit_list_query){.page = 1, .per_page = 50};
  assert_int_equal(units_list(fx->w, &s12, &q, &items, &total, &e), 0);
  assert_int_equal(total, 2);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), w1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "id")), w2);
  json_decref(items);
  q.per_page = 1;
  q.page = 2;
  assert_int_equal(units_list(fx->w, &s12, &q, &items, &total, &e), 0);
  assert_int_equal(total, 2);
  assert_int_equal(json_array_size(items), 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), w2);
  json_decref(items);
  q = (unit_list_query){.page = 1, .per_page = 50};
  assert_int_equal(units_list(fx->w, &none, &q, &items, &total, &e), 0);
  assert_int_equal(total, 0);
  json_decref(items);
  /* Nested and repeated grants collapse to their tops; a role without the capability counts not. */
  {
    const gspec gn[] = {{"unit_officer", kids[0]}, {"unit_officer", w1}, {"field_helper", w1}, {"police", w2},
                        {"learner", other1}};
    scope_sql sn;
    scope_sql_of(&sn, mk_principal(fx, &a, gn, 5), CAP_UNITS_READ);
    q = (unit_list_query){.page = 1, .per_page = 50};
    assert_int_equal(units_list(fx->w, &sn, &q, &items, &total, &e), 0);
    assert_int_equal(total, 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), w1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "id")), w2);
    json_decref(items);
  }
  /* Seven disjoint grants: all seven (no cap on how many grants a list honours). */
  {
    gspec g7[7];
    int64_t w7[7];
    for (int i = 0; i < 7; i++) {
      w7[i] = mk_ward(fx, "seven");
      g7[i] = (gspec){"unit_officer", w7[i]};
    }
    scope_sql s7;
    scope_sql_of(&s7, mk_principal(fx, &a, g7, 7), CAP_UNITS_READ);
    q = (unit_list_query){.page = 1, .per_page = 50};
    assert_int_equal(units_list(fx->w, &s7, &q, &items, &total, &e), 0);
    assert_int_equal(total, 7);
    for (int i = 0; i < 7; i++) assert_true(items_have_id(items, w7[i]));
    json_decref(items);
    q = (unit_list_query){.q = "Phường seven", .page = 1, .per_page = 50};
    assert_int_equal(units_list(fx->w, &s7, &q, &items, &total, &e), 0);
    assert_int_equal(total, 7);
    json_decref(items);
  }
  arena_free(&a);
}

static void test_units_find(void **state) {
  fixture *fx = fx_of(state);
  int64_t ward = mk_ward(fx, "find");
  fx->seq++;
  char code[32], numeric_code[32], ref[32];
  snprintf(code, sizeof code, "F%d-x", fx->seq);
  int64_t u = mk_unit(fx, ward, "team", "Tổ tìm kiếm", code);
  assert_int_equal(units_find(fx->w, code), u);
  snprintf(ref, sizeof ref, "%" PRId64, u);
  assert_int_equal(units_find(fx->w, ref), u);
  assert_int_equal(units_find(fx->w, "no-such-code"), 0);
  assert_int_equal(units_find(fx->w, "987654321"), 0);
  assert_int_equal(units_find(fx->w, "0"), 0);
  assert_int_equal(units_find(fx->w, "-1"), 0);
  assert_int_equal(units_find(fx->w, ""), 0);
  /* A code that looks like a number wins over the id it spells. */
  snprintf(numeric_code, sizeof numeric_code, "%" PRId64, ward);
  int64_t v = mk_unit(fx, ward, "team", "Tổ mã số", numeric_code);
  assert_int_equal(units_find(fx->w, numeric_code), v);
  assert_true(units_count(fx->w) >= 4);
}

/* ==== accounts ==== */

static void test_users_create(void **state) {
  fixture *fx = fx_of(state);
  int64_t ward = mk_ward(fx, "users");
  int64_t id = mk_user(fx, "nguyen.van-a_1", "Nguyễn Văn A", ward);
  json_t *u = NULL;
  app_err e = {0};
  assert_int_equal(users_get(fx->w, id, NULL, &u, &e), 0);
  assert_string_equal(json_string_value(json_object_get(u, "username")), "nguyen.van-a_1");
  assert_string_equal(json_string_value(json_object_get(u, "display_name")), "Nguyễn Văn A");
  assert_false(json_is_true(json_object_get(u, "disabled")));
  assert_int_equal(json_integer_value(json_object_get(u, "unit_id")), ward);
  assert_non_null(json_string_value(json_object_get(u, "unit_name")));
  assert_int_equal(json_array_size(json_object_get(u, "roles")), 0);
  int64_t created;
  assert_true(clock_parse_iso(json_string_value(json_object_get(u, "created_at")), &created));
  assert_true(created > 1600000000);
  /* Never the password or its hash. */
  char *dump = json_dumps(u, 0);
  assert_null(strstr(dump, "argon2"));
  assert_null(strstr(dump, "password"));
  assert_null(strstr(dump, PW));
  free(dump);
  json_decref(u);
  assert_int_equal(users_find(fx->w, "nguyen.van-a_1"), id);
  assert_int_equal(users_find(fx->w, "nobody-here"), 0);
  /* No home unit. */
  int64_t homeless = mk_user(fx, "khong-don-vi", "Không Đơn Vị", 0);
  assert_int_equal(users_get(fx->w, homeless, NULL, &u, &e), 0);
  assert_true(json_is_null(json_object_get(u, "unit_id")));
  assert_true(json_is_null(json_object_get(u, "unit_name")));
  json_decref(u);
  /* Edges that are allowed. */
  mk_user(fx, "abc", "Lý", ward);                                  /* 3 characters; a 2-character name */
  mk_user(fx, "a2345678901234567890123456789012", "Họ Tên", 0);    /* 32 characters */
  int64_t eight = 0;
  assert_int_equal(create_with(fx->w, "tam-ky-tu", "Tám Ký Tự", "gấu-bắc9", 0, &eight, &e), 0); /* 8 chars, 11 bytes */

  char name101[400] = "", pw129[200];
  for (int i = 0; i < 101; i++) strcat(name101, "ễ");
  memset(pw129, 'p', 129);
  pw129[129] = '\0';
  struct {
    const char *label, *username, *display, *password;
    int64_t unit;
    int status;
    const char *ecode, *field;
  } bad[] = {
      {"username too short", "ab", "Họ Tên", PW, 0, 400, "invalid_value", "username"},
      {"username too long", "a23456789012345678901234567890123", "Họ Tên", PW, 0, 400, "invalid_value", "username"},
      {"username uppercase", "Admin", "Họ Tên", PW, 0, 400, "invalid_value", "username"},
      {"username with a space", "van a", "Họ Tên", PW, 0, 400, "invalid_value", "username"},
      {"username with a diacritic", "hoà", "Họ Tên", PW, 0, 400, "invalid_value", "username"},
      {"username with @", "a@b.vn", "Họ Tên", PW, 0, 400, "invalid_value", "username"},
      {"username empty", "", "Họ Tên", PW, 0, 400, "invalid_value", "username"},
      {"display name of 1", "okname", "A", PW, 0, 400, "invalid_value", "display_name"},
      {"display name of 1 vietnamese", "okname", "Ư", PW, 0, 400, "invalid_value", "display_name"},
      {"display name of 101", "okname", name101, PW, 0, 400, "invalid_value", "display_name"},
      {"password of 7", "okname", "Họ Tên", "1234567", 0, 400, "invalid_value", "password"},
      {"password of 7 vietnamese (14 bytes)", "okname", "Họ Tên", "ắắắắắắắ", 0, 400, "invalid_value", "password"},
      {"password of 129", "okname", "Họ Tên", pw129, 0, 400, "invalid_value", "password"},
      {"unknown unit", "okname", "Họ Tên", PW, 987654321, 404, "not_found", "unit_id"},
      {"duplicate username", "nguyen.van-a_1", "Người Khác", PW, 0, 409, "conflict", "username"},
  };
  int64_t before = users_count(fx->w);
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    int64_t nid = -1;
    memset(&e, 0, sizeof e);
    int rc = create_with(fx->w, bad[k].username, bad[k].display, bad[k].password, bad[k].unit, &nid, &e);
    expect_err(bad[k].label, rc, &e, bad[k].status, bad[k].ecode, bad[k].field);
    if (nid != -1) fail_msg("%s: id written on failure", bad[k].label);
  }
  assert_int_equal(users_count(fx->w), before);
  assert_int_equal(users_find(fx->w, "okname"), 0);
  /* users_check_password names the field it is told. */
  memset(&e, 0, sizeof e);
  expect_err("check_password", users_check_password("short", "new_password", &e), &e, 400, "invalid_value",
             "new_password");
  assert_int_equal(users_check_password("another-good-one", "x", &e), 0);
  memset(&e, 0, sizeof e);
  expect_err("users_get of a missing user", users_get(fx->w, 987654321, NULL, &u, &e), &e, 404, "not_found", "id");
}

static void test_users_verify(void **state) {
  fixture *fx = fx_of(state);
  int64_t id = mk_user(fx, "verify-me", "Kiểm Tra", 0);
  int64_t got = 0;
  bool disabled = true;
  assert_int_equal(users_verify(fx->w, "verify-me", PW, &got, &disabled), 0);
  assert_int_equal(got, id);
  assert_false(disabled);
  assert_int_equal(users_verify(fx->w, "verify-me", "wrong password", &got, &disabled), -1);
  assert_int_equal(users_verify(fx->w, "verify-me", "", &got, &disabled), -1);
  assert_int_equal(users_verify(fx->w, "VERIFY-ME", PW, &got, &disabled), -1);
  assert_int_equal(users_verify(fx->w, "no-such-user", PW, &got, &disabled), -1);
  assert_int_equal(users_verify_id(fx->w, id, PW), 0);
  assert_int_equal(users_verify_id(fx->w, id, "nope nope"), -1);
  assert_int_equal(users_verify_id(fx->w, 987654321, PW), -1);

  /* Disabled: the password still verifies, and says so; the caller refuses the log-in. */
  app_err e = {0};
  assert_int_equal(users_set_disabled(fx->w, id, true, &e), 0);
  assert_int_equal(users_verify(fx->w, "verify-me", PW, &got, &disabled), 0);
  assert_true(disabled);
  json_t *u = NULL;
  assert_int_equal(users_get(fx->w, id, NULL, &u, &e), 0);
  assert_true(json_is_true(json_object_get(u, "disabled")));
  json_decref(u);
  assert_int_equal(users_set_disabled(fx->w, id, false, &e), 0);
  assert_int_equal(users_verify(fx->w, "verify-me", PW, &got, &disabled), 0);
  assert_false(disabled);

  /* A new password replaces the old one. */
  assert_int_equal(users_set_password(fx->w, id, hash_of(PW2), false, &e), 0);
  assert_int_equal(users_verify(fx->w, "verify-me", PW, &got, &disabled), -1);
  assert_int_equal(users_verify(fx->w, "verify-me", PW2, &got, &disabled), 0);
  assert_int_equal(users_verify_id(fx->w, id, PW2), 0);

  /* Display name. */
  assert_int_equal(users_set_name(fx->w, id, "Tên Mới", &e), 0);
  assert_int_equal(users_get(fx->w, id, NULL, &u, &e), 0);
  assert_string_equal(json_string_value(json_object_get(u, "display_name")), "Tên Mới");
  json_decref(u);

  /* Errors. */
  memset(&e, 0, sizeof e);
  expect_err("set_password of a missing user", users_set_password(fx->w, 987654321, hash_of(PW2), false, &e), &e, 404, "not_found", "id");
  memset(&e, 0, sizeof e);
  expect_err("set_disabled of a missing user", users_set_disabled(fx->w, 987654321, true, &e), &e, 404, "not_found",
             "id");
  memset(&e, 0, sizeof e);
  expect_err("set_name of a missing user", users_set_name(fx->w, 987654321, "Tên Mới", &e), &e, 404, "not_found", "id");
  memset(&e, 0, sizeof e);
  expect_err("set_name too short", users_set_name(fx->w, id, "X", &e), &e, 400, "invalid_value", "display_name");
}

static void test_roles(void **state) {
  fixture *fx = fx_of(state);
  arena a;
  arena_init(&a);
  int64_t ward = mk_ward(fx, "roles");
  int64_t tdp = mk_unit(fx, ward, "residential_group", "Tổ dân phố số 9", NULL);
  int64_t uid = mk_user(fx, "roles-user", "Người Được Giao", ward);
  int64_t other = mk_user(fx, "roles-other", "Người Khác", ward);
  app_err e = {0};
  int64_t g1 = 0, g2 = 0;
  assert_int_equal(roles_grant(fx->w, uid, "unit_officer", tdp, other, &g1, &e), 0);
  assert_int_equal(roles_grant(fx->w, uid, "field_helper", tdp, 0, &g2, &e), 0);
  assert_true(g1 > 0 && g2 > g1);

  /* Errors. */
  int64_t gx = -1;
  memset(&e, 0, sizeof e);
  expect_err("unknown role", roles_grant(fx->w, uid, "superuser", tdp, 0, &gx, &e), &e, 400, "invalid_value", "role");
  memset(&e, 0, sizeof e);
  expect_err("unknown user", roles_grant(fx->w, 987654321, "learner", tdp, 0, &gx, &e), &e, 404, "not_found", "id");
  memset(&e, 0, sizeof e);
  expect_err("unknown unit", roles_grant(fx->w, uid, "learner", 987654321, 0, &gx, &e), &e, 404, "not_found", "unit_id");
  memset(&e, 0, sizeof e);
  expect_err("duplicate grant", roles_grant(fx->w, uid, "unit_officer", tdp, 0, &gx, &e), &e, 409, "conflict", "role");
  assert_int_equal(gx, -1);
  /* The same role elsewhere is another grant. */
  int64_t g3 = mk_grant(fx, uid, "unit_officer", ward);

  /* roles_get: the unit's path for the scope check; only this user's grants. */
  const char *path = NULL, *role = NULL;
  int64_t unit = 0;
  assert_int_equal(roles_get(fx->w, uid, g1, &a, &path, &role, &unit, &e), 0);
  assert_string_equal(path, path_of(fx, &a, tdp));
  assert_string_equal(role, "unit_officer");
  assert_int_equal(unit, tdp);
  memset(&e, 0, sizeof e);
  expect_err("another user's grant", roles_get(fx->w, other, g1, &a, &path, &role, &unit, &e), &e, 404, "not_found",
             "grant_id");
  memset(&e, 0, sizeof e);
  expect_err("missing grant", roles_get(fx->w, uid, 987654321, &a, &path, &role, &unit, &e), &e, 404, "not_found",
             "grant_id");

  /* roles_of lists them in grant order with labels and unit names. */
  json_t *r = roles_of(fx->w, uid);
  assert_int_equal(json_array_size(r), 3);
  json_t *r0 = json_array_get(r, 0);
  assert_int_equal(json_integer_value(json_object_get(r0, "id")), g1);
  assert_string_equal(json_string_value(json_object_get(r0, "role")), "unit_officer");
  assert_string_equal(json_string_value(json_object_get(r0, "role_label")), role_find("unit_officer")->label);
  assert_int_equal(json_integer_value(json_object_get(r0, "unit_id")), tdp);
  assert_string_equal(json_string_value(json_object_get(r0, "unit_name")), "Tổ dân phố số 9");
  json_decref(r);

  /* Revoke: a grant of another user is not found; a revoked grant is gone. */
  memset(&e, 0, sizeof e);
  expect_err("revoke another user's grant", roles_revoke(fx->w, other, g1, &e), &e, 404, "not_found", "grant_id");
  assert_int_equal(roles_revoke(fx->w, uid, g1, &e), 0);
  memset(&e, 0, sizeof e);
  expect_err("revoke twice", roles_revoke(fx->w, uid, g1, &e), &e, 404, "not_found", "grant_id");
  memset(&e, 0, sizeof e);
  expect_err("revoke missing", roles_revoke(fx->w, uid, 987654321, &e), &e, 404, "not_found", "grant_id");
  assert_int_equal(roles_revoke_by(fx->w, uid, "unit_officer", ward, &e), 0);
  memset(&e, 0, sizeof e);
  expect_err("revoke_by missing", roles_revoke_by(fx->w, uid, "unit_officer", ward, &e), &e, 404, "not_found", "role");
  r = roles_of(fx->w, uid);
  assert_int_equal(json_array_size(r), 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 0), "id")), g2);
  json_decref(r);
  (void)g3;
  /* A revoked grant can be given again. */
  mk_grant(fx, uid, "unit_officer", tdp);
  arena_free(&a);
}

static void test_users_scope(void **state) {
  fixture *fx = fx_of(state);
  arena a;
  arena_init(&a);
  int64_t w1 = mk_ward(fx, "scope1"), w2 = mk_ward(fx, "scope2");
  int64_t t1 = mk_unit(fx, w1, "residential_group", "Tổ dân phố số 1", NULL);
  int64_t u_w1 = mk_user(fx, "sc-ward1", "Nguyễn Văn An", w1);
  int64_t u_t1 = mk_user(fx, "sc-tdp1", "Trần Thị Bình", t1);
  int64_t u_w2 = mk_user(fx, "sc-ward2", "Lê Văn Cường", w2);
  int64_t u_grant = mk_user(fx, "sc-granted", "Phạm Thị Dung", w2); /* home elsewhere, a grant here */
  mk_grant(fx, u_grant, "field_helper", t1);
  int64_t u_none = mk_user(fx, "sc-nowhere", "Không Ở Đâu", 0); /* no home, no grant */
  /* No home, and a grant only in another top-level tree. */
  int64_t other_top = mk_unit(fx, 0, "city", "Thành phố Bên Cạnh", NULL);
  int64_t u_away = mk_user(fx, "sc-away", "Ở Nơi Khác", 0);
  mk_grant(fx, u_away, "learner", other_top);

  const gspec officer_g[] = {{"unit_officer", w1}};
  const gspec helper_g[] = {{"field_helper", w1}};
  const gspec city_g[] = {{"unit_officer", fx->city}};
  principal *officer = mk_principal(fx, &a, officer_g, 1), *helper = mk_principal(fx, &a, helper_g, 1),
            *city = mk_principal(fx, &a, city_g, 1);
  scope_sql s_officer, s_helper, s_city;
  scope_sql_of(&s_officer, officer, CAP_USERS_READ);
  scope_sql_of(&s_helper, helper, CAP_USERS_READ); /* field helpers cannot read accounts */
  scope_sql_of(&s_city, city, CAP_USERS_READ);

  static const struct {
    const char *who;
    int which; /* 0 officer, 1 helper, 2 city */
    int user;  /* index below */
    bool visible;
  } cases[] = {
      {"officer sees a user of the ward", 0, 0, true},
      {"officer sees a user of a tổ below", 0, 1, true},
      {"officer does not see the other ward", 0, 2, false},
      {"officer sees a user granted a role below", 0, 3, true},
      {"officer does not see a user with no unit", 0, 4, false},
      {"no capability, no one", 1, 0, false},
      {"no capability, no one (2)", 1, 4, false},
      {"city sees the other ward", 2, 2, true},
      {"city (a top-level root) sees a user with no unit", 2, 4, true},
      {"city does not see a unit-less user granted in another tree", 2, 5, false},
      {"officer does not see a unit-less user granted in another tree", 0, 5, false},
  };
  const int64_t users[] = {u_w1, u_t1, u_w2, u_grant, u_none, u_away};
  const principal *who[] = {officer, helper, city};
  app_err e = {0};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    user_reach ur;
    assert_int_equal(users_reach(fx->w, users[cases[k].user], &a, &ur, &e), 0);
    bool vis = users_visible(who[cases[k].which], CAP_USERS_READ, &ur);
    if (vis != cases[k].visible) fail_msg("%s: visible = %d", cases[k].who, vis);
  }
  user_reach ur;
  e = (app_err){0};
  assert_int_equal(users_reach(fx->w, 987654321, &a, &ur, &e), -1);
  assert_int_equal(e.status, 404);

  /* Managing (any write) needs the home unit and EVERY grant in scope: the take-over by grant.
   * An admin of the tổ dân phố sees the ward's admin once it holds a grant on the tổ, but
   * cannot manage it. */
  {
    int64_t boss = mk_user(fx, "sc-boss", "Quản Trị Phường", w1);
    mk_grant(fx, boss, "ward_admin", w1);
    const gspec tdp_admin_g[] = {{"ward_admin", t1}};
    const gspec ward_admin_g[] = {{"ward_admin", w1}};
    principal *tdp_admin = mk_principal(fx, &a, tdp_admin_g, 1), *ward_admin = mk_principal(fx, &a, ward_admin_g, 1);
    mk_grant(fx, boss, "learner", t1);
    assert_int_equal(users_reach(fx->w, boss, &a, &ur, &e), 0);
    assert_non_null(ur.home);
    assert_int_equal(ur.ngrants, 2);
    assert_true(users_visible(tdp_admin, CAP_USERS_WRITE, &ur));
    assert_false(users_managed(tdp_admin, CAP_USERS_WRITE, &ur));
    assert_true(users_managed(ward_admin, CAP_USERS_WRITE, &ur));
    /* A user of the tổ with a grant only there: managed by both. */
    assert_int_equal(users_reach(fx->w, u_t1, &a, &ur, &e), 0);
    assert_true(users_managed(tdp_admin, CAP_USERS_WRITE, &ur));
    assert_true(users_managed(ward_admin, CAP_USERS_WRITE, &ur));
    /* Home in the tổ, a grant in the other ward: nobody below the city manages it. */
    assert_int_equal(users_reach(fx->w, u_grant, &a, &ur, &e), 0);
    assert_false(users_managed(ward_admin, CAP_USERS_WRITE, &ur));
    /* No home unit: only a top-level scope manages it. */
    assert_int_equal(users_reach(fx->w, u_none, &a, &ur, &e), 0);
    assert_false(users_managed(ward_admin, CAP_USERS_WRITE, &ur));
    assert_true(users_managed(city, CAP_USERS_READ, &ur));
  }

  /* users_list: the officer's grants (joined in SQL) see exactly their subtree's users, by
   * username. (q "sc-": the principals above are accounts with grants in the ward too.) */
  user_list_query q = {.q = "sc-", .page = 1, .per_page = 50};
  json_t *items = NULL;
  int64_t total = -1;
  assert_int_equal(users_list(fx->w, &s_officer, &q, &items, &total, &e), 0);
  assert_int_equal(total, 4);
  assert_int_equal(json_array_size(items), 4);
  static const char *const in_order[] = {"sc-boss", "sc-granted", "sc-tdp1", "sc-ward1"};
  for (size_t k = 0; k < 4; k++)
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, k), "username")), in_order[k]);
  assert_false(items_have(items, "username", "sc-ward2"));
  assert_false(items_have(items, "username", "sc-nowhere"));
  /* Each with its roles, read in the same statement: the boss's two, in grant order. */
  json_t *roles = json_object_get(json_array_get(items, 0), "roles");
  assert_int_equal(json_array_size(roles), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 0), "role")), "ward_admin");
  assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 1), "role")), "learner");
  roles = json_object_get(json_array_get(items, 1), "roles");
  assert_int_equal(json_array_size(roles), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 0), "role")), "field_helper");
  assert_int_equal(json_array_size(json_object_get(json_array_get(items, 2), "roles")), 0);
  json_decref(items);
  /* Only the roles inside the reader's scope are shown: seen from the tổ, the boss has one. */
  {
    const gspec tg[] = {{"unit_officer", t1}};
    scope_sql s_tdp;
    scope_sql_of(&s_tdp, mk_principal(fx, &a, tg, 1), CAP_USERS_READ);
    q = (user_list_query){.q = "sc-boss", .page = 1, .per_page = 50};
    assert_int_equal(users_list(fx->w, &s_tdp, &q, &items, &total, &e), 0);
    assert_int_equal(total, 1);
    roles = json_object_get(json_array_get(items, 0), "roles");
    assert_int_equal(json_array_size(roles), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(roles, 0), "role")), "learner");
    json_decref(items);
    json_t *one = NULL;
    assert_int_equal(users_get(fx->w, users[3], &s_tdp, &one, &e), 0); /* sc-granted: field_helper on t1 */
    assert_int_equal(json_array_size(json_object_get(one, "roles")), 1);
    json_decref(one);
  }
  /* Paging by offset, with the total. */
  q = (user_list_query){.q = "sc-", .page = 2, .per_page = 3};
  assert_int_equal(users_list(fx->w, &s_officer, &q, &items, &total, &e), 0);
  assert_int_equal(total, 4);
  assert_int_equal(json_array_size(items), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "username")), "sc-ward1");
  json_decref(items);
  /* Keyset: after a username, no count; `page` is ignored. */
  q = (user_list_query){.q = "sc-", .after = "sc-granted", .page = 7, .per_page = 2};
  assert_int_equal(users_list(fx->w, &s_officer, &q, &items, &total, &e), 0);
  assert_int_equal(total, -1);
  assert_int_equal(json_array_size(items), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "username")), "sc-tdp1");
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "username")), "sc-ward1");
  json_decref(items);
  q.after = "sc-ward1";
  assert_int_equal(users_list(fx->w, &s_officer, &q, &items, &total, &e), 0);
  assert_int_equal(json_array_size(items), 0);
  json_decref(items);
  /* Search by name, accent-insensitive, or by username. */
  q = (user_list_query){.q = "nguyen van", .page = 1, .per_page = 50};
  assert_int_equal(users_list(fx->w, &s_officer, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_true(items_have(items, "username", "sc-ward1"));
  json_decref(items);
  q.q = "Bình";
  assert_int_equal(users_list(fx->w, &s_officer, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_true(items_have(items, "username", "sc-tdp1"));
  json_decref(items);
  q.q = "sc-gr";
  assert_int_equal(users_list(fx->w, &s_officer, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  json_decref(items);
  q.q = "cuong"; /* in ward 2 */
  assert_int_equal(users_list(fx->w, &s_officer, &q, &items, &total, &e), 0);
  assert_int_equal(total, 0);
  json_decref(items);
  q.q = "sc_"; /* "_" is literal: no username has one */
  assert_int_equal(users_list(fx->w, &s_officer, &q, &items, &total, &e), 0);
  assert_int_equal(total, 0);
  json_decref(items);
  /* A unit filter narrows to a subtree (home or grant there). */
  q = (user_list_query){.q = "sc-", .unit_id = t1, .page = 1, .per_page = 50};
  q.unit_lo = path_of(fx, &a, t1);
  q.unit_hi = scope_hi(&a, q.unit_lo);
  assert_int_equal(users_list(fx->w, &s_officer, &q, &items, &total, &e), 0);
  assert_int_equal(total, 3); /* and the boss, by its learner grant there */
  assert_true(items_have(items, "username", "sc-boss"));
  assert_true(items_have(items, "username", "sc-tdp1"));
  assert_true(items_have(items, "username", "sc-granted"));
  json_decref(items);
  /* No capability: nobody. */
  q = (user_list_query){.page = 1, .per_page = 50};
  assert_int_equal(users_list(fx->w, &s_helper, &q, &items, &total, &e), 0);
  assert_int_equal(total, 0);
  json_decref(items);
  arena_free(&a);
}

/* ==== sessions ==== */

static void test_sessions(void **state) {
  fixture *fx = fx_of(state);
  arena a;
  arena_init(&a);
  int64_t ward = mk_ward(fx, "sessions");
  int64_t uid = mk_user(fx, "session-user", "Người Đăng Nhập", ward);
  int64_t gid = mk_grant(fx, uid, "unit_officer", ward);
  app_err e = {0};
  char token[SESSION_TOKEN_LEN + 1], token2[SESSION_TOKEN_LEN + 1], token3[SESSION_TOKEN_LEN + 1];
  int64_t sid = 0, sid2 = 0, sid3 = 0;
  assert_int_equal(sessions_create(fx->w, &fx->keys, uid, "192.0.2.1", "test-agent/1.0", token, &sid, &e), 0);
  assert_true(sid > 0);
  assert_int_equal(strlen(token), SESSION_TOKEN_LEN);
  for (const char *p = token; *p; p++)
    assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));

  principal p;
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token, &a, &p), 1);
  assert_int_equal(p.user_id, uid);
  assert_int_equal(p.session_id, sid);
  assert_string_equal(p.username, "session-user");
  assert_string_equal(p.display_name, "Người Đăng Nhập");
  assert_int_equal(p.ngrants, 1);
  assert_int_equal(p.grants[0].id, gid);
  assert_string_equal(p.grants[0].role, "unit_officer");
  assert_int_equal(p.grants[0].unit_id, ward);
  assert_string_equal(p.grants[0].unit_path, path_of(fx, &a, ward));
  assert_int_equal(p.grants[0].caps, caps_of_role("unit_officer"));
  assert_int_equal(p.caps_any, caps_of_role("unit_officer"));
  assert_true(p.last_seen > 0);
  char csrf[65];
  sessions_csrf(&fx->keys, token, csrf);
  assert_string_equal(p.csrf, csrf);
  assert_true(scope_can(&p, CAP_USERS_READ, path_of(fx, &a, ward)));

  /* The database holds no token. */
  STORE_SQL(q_has_token, "SELECT COUNT(*) FROM sessions WHERE token_hash = ? OR ip = ?");
  store_stmt *s = store_prepare(fx->w, &q_has_token);
  assert_non_null(s);
  store_bind_text(s, 1, token);
  store_bind_text(s, 2, token);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_int_equal(store_col_int(s, 0), 0);
  store_reset(s);

  /* Tokens that are not this session's. */
  char wrong[SESSION_TOKEN_LEN + 1];
  memcpy(wrong, token, sizeof wrong);
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  principal q;
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, wrong, &a, &q), 0);
  char shorter[SESSION_TOKEN_LEN];
  memcpy(shorter, token, SESSION_TOKEN_LEN - 1);
  shorter[SESSION_TOKEN_LEN - 1] = '\0';
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, shorter, &a, &q), 0);
  char longer[SESSION_TOKEN_LEN + 2];
  snprintf(longer, sizeof longer, "%sx", token);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, longer, &a, &q), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, "", &a, &q), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, NULL, &a, &q), 0);
  /* The same token under another server key is not a session. */
  secrets other;
  randombytes_buf(&other, sizeof other);
  assert_int_equal(sessions_lookup(fx->w, &other, token, &a, &q), 0);

  /* A disabled account's sessions stop working, and work again when it is enabled. */
  assert_int_equal(users_set_disabled(fx->w, uid, true, &e), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token, &a, &q), 0);
  assert_int_equal(users_set_disabled(fx->w, uid, false, &e), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token, &a, &q), 1);

  /* CSRF tokens. */
  assert_int_equal(sessions_create(fx->w, &fx->keys, uid, NULL, NULL, token2, &sid2, &e), 0);
  assert_int_equal(sessions_create(fx->w, &fx->keys, uid, "192.0.2.3", "x", token3, &sid3, &e), 0);
  assert_string_not_equal(token, token2);
  char csrf2[65];
  sessions_csrf(&fx->keys, token2, csrf2);
  assert_string_not_equal(csrf, csrf2);
  assert_true(sessions_csrf_ok(&fx->keys, token, csrf));
  assert_false(sessions_csrf_ok(&fx->keys, token, csrf2)); /* another session's */
  assert_false(sessions_csrf_ok(&other, token, csrf));     /* another key */
  char csrf_short[65], csrf_long[67], csrf_upper[65];
  snprintf(csrf_short, sizeof csrf_short, "%.63s", csrf);
  snprintf(csrf_long, sizeof csrf_long, "%s0", csrf);
  for (int i = 0; i < 65; i++) csrf_upper[i] = (char)(csrf[i] >= 'a' && csrf[i] <= 'f' ? csrf[i] - 32 : csrf[i]);
  assert_false(sessions_csrf_ok(&fx->keys, token, csrf_short));
  assert_false(sessions_csrf_ok(&fx->keys, token, csrf_long));
  if (strcmp(csrf_upper, csrf) != 0) assert_false(sessions_csrf_ok(&fx->keys, token, csrf_upper));
  char csrf_tail[65]; /* right but for its last digit: the whole token is compared */
  memcpy(csrf_tail, csrf, sizeof csrf_tail);
  csrf_tail[63] = csrf_tail[63] == '0' ? '1' : '0';
  assert_false(sessions_csrf_ok(&fx->keys, token, csrf_tail));
  csrf_tail[63] = csrf[63];
  csrf_tail[0] = csrf_tail[0] == '0' ? '1' : '0';
  assert_false(sessions_csrf_ok(&fx->keys, token, csrf_tail));
  assert_false(sessions_csrf_ok(&fx->keys, token, ""));
  assert_false(sessions_csrf_ok(&fx->keys, token, NULL));
  assert_false(sessions_csrf_ok(&fx->keys, NULL, csrf));

  /* Touch and purge keep a live session. */
  assert_int_equal(sessions_touch(fx->w, sid), 0);
  assert_int_equal(sessions_purge(fx->w), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token, &a, &q), 1);
  /* An expired session is not one, and purge removes it. */
  STORE_SQL(q_expire, "UPDATE sessions SET expires_at = ? WHERE id = ?");
  s = store_prepare(fx->w, &q_expire);
  store_bind_int(s, 1, clock_now() - 3600);
  store_bind_int(s, 2, sid3);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token3, &a, &q), 0);
  assert_int_equal(sessions_touch(fx->w, sid3), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token3, &a, &q), 1); /* touch renews */
  s = store_prepare(fx->w, &q_expire);
  store_bind_int(s, 1, clock_now() - 3600);
  store_bind_int(s, 2, sid3);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  assert_int_equal(sessions_purge(fx->w), 0);
  assert_int_equal(sessions_touch(fx->w, sid3), 0); /* nothing left to renew */
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token3, &a, &q), 0);
  assert_int_equal(sessions_create(fx->w, &fx->keys, uid, NULL, NULL, token3, &sid3, &e), 0);

  /* sessions_end_user keeps the `except` session only. */
  assert_int_equal(sessions_end_user(fx->w, uid, sid2), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token, &a, &q), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token2, &a, &q), 1);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token3, &a, &q), 0);
  /* sessions_end ends one. */
  assert_int_equal(sessions_end(fx->w, sid2), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token2, &a, &q), 0);
  assert_int_equal(sessions_end(fx->w, sid2), 0); /* ending twice is harmless */
  /* end_user with 0 ends all. */
  assert_int_equal(sessions_create(fx->w, &fx->keys, uid, NULL, NULL, token, &sid, &e), 0);
  assert_int_equal(sessions_create(fx->w, &fx->keys, uid, NULL, NULL, token2, &sid2, &e), 0);
  assert_int_equal(sessions_end_user(fx->w, uid, 0), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token, &a, &q), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token2, &a, &q), 0);

  /* A user with no grants has a session with no capabilities; one with many has them all. */
  int64_t plain = mk_user(fx, "session-plain", "Không Vai Trò", 0);
  assert_int_equal(sessions_create(fx->w, &fx->keys, plain, NULL, NULL, token, &sid, &e), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token, &a, &q), 1);
  assert_int_equal(q.ngrants, 0);
  assert_int_equal(q.caps_any, 0);
  int64_t many = mk_user(fx, "session-many", "Nhiều Vai Trò", 0);
  for (int i = 0; i < roles_count; i++) mk_grant(fx, many, roles_table[i].code, ward);
  int64_t t = mk_unit(fx, ward, "team", "Tổ thêm", NULL);
  mk_grant(fx, many, "learner", t);
  assert_int_equal(sessions_create(fx->w, &fx->keys, many, NULL, NULL, token, &sid, &e), 0);
  assert_int_equal(sessions_lookup(fx->w, &fx->keys, token, &a, &q), 1);
  assert_int_equal(q.ngrants, roles_count + 1);
  caps_t all = 0;
  for (int i = 0; i < roles_count; i++) all |= roles_table[i].caps;
  assert_int_equal(q.caps_any, all);
  for (int i = 0; i < q.ngrants; i++) assert_non_null(q.grants[i].unit_path);
  assert_int_equal(q.grants[roles_count].unit_id, t);
  arena_free(&a);
}

/* BUG (left failing on purpose): sessions_create() keeps the first 255 bytes of the User-Agent
 * (snprintf into char ua[256]), which can cut a multi-byte character in half. SQLite then
 * stores invalid UTF-8; PostgreSQL refuses the INSERT ("invalid byte sequence for encoding
 * UTF8"), so the log-in fails with a 500 for such a browser string. */
static void test_sessions_long_user_agent(void **state) {
  fixture *fx = fx_of(state);
  int64_t uid = mk_user(fx, "session-ua", "Trình Duyệt Dài", 0);
  /* 254 ASCII bytes, then "ữ" (3 bytes) straddling the 255-byte cut. */
  char ua[300];
  memset(ua, 'a', 254);
  strcpy(ua + 254, "ữ tail");
  char token[SESSION_TOKEN_LEN + 1];
  int64_t sid = 0;
  app_err e = {0};
  int rc = sessions_create(fx->w, &fx->keys, uid, "192.0.2.5", ua, token, &sid, &e);
  if (rc != 0) fail_msg("sessions_create with a 260-byte UTF-8 User-Agent failed: %d %s (%s)", e.status, e.code,
                        store_errmsg(fx->w));
  STORE_SQL(q_ua, "SELECT user_agent FROM sessions WHERE id = ?");
  store_stmt *s = store_prepare(fx->w, &q_ua);
  store_bind_int(s, 1, sid);
  assert_int_equal(store_step(s), STORE_ROW);
  const char *stored = store_col_text(s, 0);
  bool valid = stored && utf8_valid(stored, strlen(stored));
  size_t n = stored ? strlen(stored) : 0;
  store_reset(s);
  if (!valid) fail_msg("the stored User-Agent (%zu bytes) is not valid UTF-8", n);
}

static void test_login_throttle(void **state) {
  fixture *fx = fx_of(state);
  const char *user = "throttled-user", *ip = "198.51.100.20";
  int retry = -1;
  assert_int_equal(login_throttle(fx->w, user, ip, &retry), 0);
  assert_int_equal(retry, 0);
  for (int i = 1; i < LOGIN_FREE_PER_PAIR; i++) {
    assert_int_equal(login_failed(fx->w, user, ip), 0);
    assert_int_equal(login_throttle(fx->w, user, ip, &retry), 0);
    if (retry != 0) fail_msg("throttled after %d failures", i);
  }
  assert_int_equal(login_failed(fx->w, user, ip), 0);
  assert_int_equal(login_throttle(fx->w, user, ip, &retry), 0);
  if (retry <= 0 || retry > LOGIN_BACKOFF_FIRST) fail_msg("retry_after %d after %d failures", retry, LOGIN_FREE_PER_PAIR);
  /* Back-off: each further failure doubles the wait. */
  assert_int_equal(login_failed(fx->w, user, ip), 0);
  assert_int_equal(login_throttle(fx->w, user, ip, &retry), 0);
  if (retry <= LOGIN_BACKOFF_FIRST || retry > 2 * LOGIN_BACKOFF_FIRST) fail_msg("second back-off %d", retry);
  /* The account itself is not locked: its owner from another address is let in; another
   * account from this address too. */
  assert_int_equal(login_throttle(fx->w, user, "203.0.113.99", &retry), 0);
  assert_int_equal(retry, 0);
  assert_int_equal(login_throttle(fx->w, "someone-else", ip, &retry), 0);
  assert_int_equal(retry, 0);
  /* A success clears this pair's count. */
  assert_int_equal(login_succeeded(fx->w, user, ip), 0);
  assert_int_equal(login_throttle(fx->w, user, ip, &retry), 0);
  assert_int_equal(retry, 0);
  assert_int_equal(login_succeeded(fx->w, "never-failed", ip), 0);

  /* An address that fails for many accounts is throttled for every account, but only past a
   * school's worth of typos. */
  const char *flood = "198.51.100.21";
  for (int i = 0; i < LOGIN_FREE_PER_ADDRESS - 1; i++) {
    char name[32];
    snprintf(name, sizeof name, "spray-%d", i);
    assert_int_equal(login_failed(fx->w, name, flood), 0);
  }
  assert_int_equal(login_throttle(fx->w, "fresh-account", flood, &retry), 0);
  assert_int_equal(retry, 0);
  assert_int_equal(login_failed(fx->w, "spray-last", flood), 0);
  assert_int_equal(login_throttle(fx->w, "fresh-account", flood, &retry), 0);
  assert_true(retry > 0 && retry <= LOGIN_WINDOW_SECONDS);
  assert_int_equal(login_throttle(fx->w, "fresh-account", "198.51.100.22", &retry), 0);
  assert_int_equal(retry, 0);

  /* IPv6: one /64 is one address. */
  char k1[64], k2[64], k3[64];
  login_address_key("2001:db8:1:2::5", k1);
  login_address_key("2001:db8:1:2:ffff:1:2:3", k2);
  login_address_key("2001:db8:1:3::5", k3);
  assert_string_equal(k1, k2);
  assert_string_equal(k1, "2001:db8:1:2::/64");
  assert_string_not_equal(k1, k3);
  login_address_key("192.0.2.7", k1);
  assert_string_equal(k1, "192.0.2.7");
  for (int i = 0; i < LOGIN_FREE_PER_PAIR; i++) assert_int_equal(login_failed(fx->w, "six", "2001:db8:9:9::1"), 0);
  assert_int_equal(login_throttle(fx->w, "six", "2001:db8:9:9:abcd::77", &retry), 0);
  assert_true(retry > 0);
  assert_int_equal(login_throttle(fx->w, "six", "2001:db8:9:a::1", &retry), 0);
  assert_int_equal(retry, 0);

  /* An account under attack from many addresses: a new address still has one free attempt,
   * not five; never a lock. */
  for (int i = 0; i < LOGIN_ACCOUNT_ALERT; i++) {
    char addr[32];
    snprintf(addr, sizeof addr, "203.0.113.%d", i + 1);
    assert_int_equal(login_failed(fx->w, "attacked", addr), 0);
  }
  assert_int_equal(login_throttle(fx->w, "attacked", "192.0.2.200", &retry), 0);
  assert_int_equal(retry, 0);
  assert_int_equal(login_failed(fx->w, "attacked", "192.0.2.200"), 0);
  assert_int_equal(login_throttle(fx->w, "attacked", "192.0.2.200", &retry), 0);
  assert_true(retry > 0);
  assert_int_equal(login_throttle(fx->w, "attacked", "192.0.2.201", &retry), 0);
  assert_int_equal(retry, 0);

  /* Failures older than the window do not count, and purge removes them. */
  STORE_SQL(q_age, "UPDATE login_failures SET at = at - ? WHERE key LIKE ?");
  for (int i = 0; i < LOGIN_FREE_PER_PAIR; i++) assert_int_equal(login_failed(fx->w, user, ip), 0);
  assert_int_equal(login_throttle(fx->w, user, ip, &retry), 0);
  assert_true(retry > 0);
  store_stmt *s = store_prepare(fx->w, &q_age);
  store_bind_int(s, 1, LOGIN_WINDOW_SECONDS + 3600);
  store_bind_text(s, 2, "%throttled-user");
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  assert_int_equal(login_throttle(fx->w, user, ip, &retry), 0);
  assert_int_equal(retry, 0);
  assert_int_equal(sessions_purge(fx->w), 0);
  STORE_SQL(q_left, "SELECT COUNT(*) FROM login_failures WHERE key LIKE '%throttled-user'");
  assert_int_equal(query_int(fx->w, &q_left), 0);
}

/* "Last seen" goes to a queue in memory, and a flush writes it in one transaction. */
static void test_sessions_touch_later(void **state) {
  fixture *fx = fx_of(state);
  int64_t uid = mk_user(fx, "touch-later", "Ghé Thăm", 0);
  char token[SESSION_TOKEN_LEN + 1];
  int64_t sid = 0;
  app_err e = {0};
  assert_int_equal(sessions_create(fx->w, &fx->keys, uid, NULL, NULL, token, &sid, &e), 0);
  STORE_SQL(q_stale, "UPDATE sessions SET last_seen = last_seen - 1000 WHERE id = ?");
  STORE_SQL(q_seen, "SELECT last_seen FROM sessions WHERE id = ?");
  store_stmt *s = store_prepare(fx->w, &q_stale);
  store_bind_int(s, 1, sid);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  int64_t before = clock_now() - 900;
  sessions_touch_later(sid);
  sessions_touch_later(sid); /* twice before a flush: one write */
  /* Nothing is written until the flush (which takes the writer itself). */
  s = store_prepare(fx->w, &q_seen);
  store_bind_int(s, 1, sid);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_true(store_col_int(s, 0) < before);
  store_reset(s);
  store_release(fx->w);
  int n = sessions_touch_flush(fx->st);
  fx->w = store_acquire(fx->st, true);
  assert_int_equal(n, 1);
  s = store_prepare(fx->w, &q_seen);
  store_bind_int(s, 1, sid);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_true(store_col_int(s, 0) >= before + 800);
  store_reset(s);
  store_release(fx->w);
  assert_int_equal(sessions_touch_flush(fx->st), 0); /* the queue is empty now */
  fx->w = store_acquire(fx->st, true);
}

/* Several fields wrong at once: all of them come back; common Vietnamese passwords refused. */
static void test_users_all_errors_and_strength(void **state) {
  fixture *fx = fx_of(state);
  (void)fx;
  app_err e = {0};
  assert_int_equal(users_check_new("AB", "X", "123", &e), -1);
  assert_int_equal(e.status, 400);
  assert_int_equal(e.nerrs, 3);
  assert_string_equal(e.errs[0].field, "username");
  assert_string_equal(e.errs[1].field, "display_name");
  assert_string_equal(e.errs[2].field, "password");
  assert_string_equal(e.field, "username");
  const char *weak[] = {"123456789", "matkhau123", "Mật khẩu", "anhyeuem", "iloveyou", "12345678", "password",
                        "qwerty123", "hoang1990", "lan15081995", "nguyenvana", "abcdefgh"};
  for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
    memset(&e, 0, sizeof e);
    if (users_check_new("okname", "Nguyễn Văn A", weak[i], &e) == 0) fail_msg("\"%s\" was accepted", weak[i]);
    assert_string_equal(e.field, "password");
  }
  /* The account's own name is no password. */
  memset(&e, 0, sizeof e);
  assert_int_equal(users_check_new("tranthibinh", "Trần Thị Bình", "tranthibinh", &e), -1);
  const char *fine[] = {"mat-khau-dai-1", "Khau-moi-2026!", "another-good-one", PW, PW2};
  for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
    memset(&e, 0, sizeof e);
    if (users_check_new("okname", "Nguyễn Văn A", fine[i], &e) != 0) fail_msg("\"%s\" refused: %s", fine[i], e.message);
  }
  /* verify_hash: right, wrong, unknown account (dummy, fails). */
  char h[PASSWORD_HASH_MAX];
  assert_int_equal(users_hash_password("mat-khau-dai-1", h), 0);
  assert_int_equal(users_verify_hash(h, "mat-khau-dai-1"), 0);
  assert_int_equal(users_verify_hash(h, "mat-khau-dai-2"), -1);
  assert_int_equal(users_verify_hash(NULL, "mat-khau-dai-1"), -1);
  assert_int_equal(users_verify_hash("", "mat-khau-dai-1"), -1);
}

/* ==== audit log ==== */

static int64_t audit_count(fixture *fx) {
  STORE_SQL(q_n, "SELECT COUNT(*) FROM audit_log");
  return query_int(fx->w, &q_n);
}


static json_t *audit_items(fixture *fx, const audit_query *q, int64_t *total) {
  audit_page p;
  app_err e = {0};
  audit_query all = *q;
  scope_sql whole; /* everything, as the operator sees it */
  scope_sql_all(&whole);
  if (!all.scope) all.scope = &whole;
  if (audit_list(fx->w, &all, &p, &e) != 0) fail_msg("audit_list: %d %s", e.status, e.code);
  *total = p.total;
  return p.items;
}

static void test_audit(void **state) {
  fixture *fx = fx_of(state);
  json_t *detail = json_pack("{s:s, s:i}", "name", "Tổ dân phố số 1", "n", 3);
  static const struct {
    const char *actor, *action, *entity;
    int64_t entity_id;
  } rows[] = {
      {"aud-admin", "user.create", "user", 11},  {"aud-admin", "user.update", "user", 11},
      {"aud-admin", "unit.create", "unit", 5},   {"aud-other", "user.create", "user", 12},
      {"aud-admin", "users.export", "user", 0},  {"aud-admin", "user", "user", 0},
      {"aud-admin", "session.login", "session", 0},
  };
  int64_t before = audit_count(fx);
  int64_t aud_unit = mk_unit(fx, 0, "city", "Thành phố Kiểm toán", NULL);
  for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
    audit_entry ae = {.actor_id = 42, .actor_username = rows[k].actor, .action = rows[k].action,
                      .entity = rows[k].entity, .entity_id = rows[k].entity_id, .unit_id = aud_unit,
                      .ip = "192.0.2.9", .detail = k == 0 ? detail : NULL};
    assert_int_equal(audit_append(fx->w, &ae), 0);
  }
  audit_entry anon = {.action = "aud.anonymous", .entity = "session"};
  assert_int_equal(audit_append(fx->w, &anon), 0);
  json_decref(detail);
  assert_int_equal(audit_count(fx), before + 8);

  int64_t total = -1;
  audit_query q = {.actor = "aud-admin", .per_page = 50};
  json_t *items = audit_items(fx, &q, &total);
  assert_int_equal(total, 6);
  assert_int_equal(json_array_size(items), 6);
  /* Newest first. */
  json_t *newest = json_array_get(items, 0), *oldest = json_array_get(items, 5);
  assert_string_equal(json_string_value(json_object_get(newest, "action")), "session.login");
  assert_string_equal(json_string_value(json_object_get(oldest, "action")), "user.create");
  assert_true(json_integer_value(json_object_get(newest, "id")) > json_integer_value(json_object_get(oldest, "id")));
  for (size_t i = 1; i < json_array_size(items); i++)
    assert_true(json_integer_value(json_object_get(json_array_get(items, i - 1), "id")) >
                json_integer_value(json_object_get(json_array_get(items, i), "id")));
  /* Fields, and the detail object back as JSON. */
  assert_int_equal(json_integer_value(json_object_get(oldest, "actor_id")), 42);
  assert_string_equal(json_string_value(json_object_get(oldest, "actor_username")), "aud-admin");
  assert_string_equal(json_string_value(json_object_get(oldest, "entity")), "user");
  assert_int_equal(json_integer_value(json_object_get(oldest, "entity_id")), 11);
  assert_int_equal(json_integer_value(json_object_get(oldest, "unit_id")), aud_unit);
  assert_string_equal(json_string_value(json_object_get(oldest, "ip")), "192.0.2.9");
  json_t *d = json_object_get(oldest, "detail");
  assert_string_equal(json_string_value(json_object_get(d, "name")), "Tổ dân phố số 1");
  assert_int_equal(json_integer_value(json_object_get(d, "n")), 3);
  assert_true(json_is_null(json_object_get(newest, "detail")));
  int64_t at;
  assert_true(clock_parse_iso(json_string_value(json_object_get(newest, "at")), &at));
  assert_true(llabs(at - clock_now()) < 3600);
  json_decref(items);

  /* Scope: a caller granted elsewhere sees none of these entries; a caller granted on this
   * unit sees them; the unit-less one (a failed log-in for an unknown name) every reader sees. */
  {
    int64_t other = mk_unit(fx, 0, "city", "Thành phố Khác của nhật ký", NULL);
    arena sa;
    arena_init(&sa);
    const char *other_path = NULL, *aud_path = NULL;
    app_err pe = {0};
    assert_int_equal(units_path(fx->w, other, &sa, &other_path, &pe), 0);
    assert_int_equal(units_path(fx->w, aud_unit, &sa, &aud_path, &pe), 0);
    const gspec eg[] = {{"ward_admin", other}}, hg[] = {{"ward_admin", aud_unit}};
    scope_sql elsewhere, here;
    scope_sql_of(&elsewhere, mk_principal(fx, &sa, eg, 1), CAP_AUDIT_READ);
    scope_sql_of(&here, mk_principal(fx, &sa, hg, 1), CAP_AUDIT_READ);
    audit_query sq = {.scope = &elsewhere, .actor = "aud-admin", .per_page = 50};
    int64_t seen = -1;
    json_decref(audit_items(fx, &sq, &seen));
    assert_int_equal(seen, 0);
    sq = (audit_query){.scope = &here, .actor = "aud-admin", .per_page = 50};
    json_decref(audit_items(fx, &sq, &seen));
    assert_int_equal(seen, 6); /* every aud-admin row; aud-other's is another actor */
    sq = (audit_query){.scope = &here, .action = "aud.anonymous", .per_page = 50};
    json_decref(audit_items(fx, &sq, &seen));
    assert_int_equal(seen, 1);
    const gspec bg[] = {{"ward_admin", mk_unit(fx, aud_unit, "ward", "Phường Dưới Kiểm toán", NULL)}};
    scope_sql below;
    scope_sql_of(&below, mk_principal(fx, &sa, bg, 1), CAP_AUDIT_READ);
    sq = (audit_query){.scope = &below, .action = "aud.anonymous", .per_page = 50};
    json_decref(audit_items(fx, &sq, &seen));
    assert_int_equal(seen, 1); /* an entry without a unit: the ward admins of the instance */
    sq = (audit_query){.scope = &below, .actor = "aud-admin", .per_page = 50};
    json_decref(audit_items(fx, &sq, &seen));
    assert_int_equal(seen, 0);
    /* An admin of one tổ dân phố is no ward admin of the instance: no entry without a unit. */
    const gspec tg[] = {{"ward_admin", mk_unit(fx, bg[0].unit, "residential_group", "Tổ Dưới Kiểm toán", NULL)}};
    scope_sql group_only;
    scope_sql_of(&group_only, mk_principal(fx, &sa, tg, 1), CAP_AUDIT_READ);
    sq = (audit_query){.scope = &group_only, .action = "aud.anonymous", .per_page = 50};
    json_decref(audit_items(fx, &sq, &seen));
    assert_int_equal(seen, 0);
    arena_free(&sa);
  }

  /* Action: exact, or a prefix ending in '.'. */
  static const struct {
    const char *action;
    int64_t total;
  } actions[] = {
      {"user.create", 1}, /* actor aud-admin only */
      {"user.", 2},       /* user.create, user.update: not users.export, not "user" */
      {"user", 1},        /* exact */
      {"u", 0},
      {"unit.", 1},
      {"us_r.", 0},       /* '_' is literal in the prefix */
      {"%.", 0},
      {".", 0},
      {"session.login", 1},
  };
  for (size_t k = 0; k < sizeof actions / sizeof actions[0]; k++) {
    q = (audit_query){.actor = "aud-admin", .action = actions[k].action, .per_page = 50};
    items = audit_items(fx, &q, &total);
    if (total != actions[k].total)
      fail_msg("action \"%s\": total %" PRId64 ", wanted %" PRId64, actions[k].action, total, actions[k].total);
    assert_int_equal(json_array_size(items), (size_t)total);
    json_decref(items);
  }
  /* Two actors for one action; the entity filter. */
  q = (audit_query){.action = "user.create", .per_page = 50};
  items = audit_items(fx, &q, &total);
  assert_true(total >= 2);
  json_decref(items);
  q = (audit_query){.actor = "aud-admin", .entity = "unit", .per_page = 50};
  items = audit_items(fx, &q, &total);
  assert_int_equal(total, 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "action")), "unit.create");
  json_decref(items);
  q = (audit_query){.actor = "nobody-at-all", .per_page = 50};
  items = audit_items(fx, &q, &total);
  assert_int_equal(total, 0);
  assert_int_equal(json_array_size(items), 0);
  json_decref(items);
  /* An anonymous entry: nulls, not zeros. */
  q = (audit_query){.action = "aud.anonymous", .per_page = 50};
  items = audit_items(fx, &q, &total);
  assert_int_equal(total, 1);
  json_t *an = json_array_get(items, 0);
  assert_true(json_is_null(json_object_get(an, "actor_id")));
  assert_true(json_is_null(json_object_get(an, "actor_username")));
  assert_true(json_is_null(json_object_get(an, "entity_id")));
  assert_true(json_is_null(json_object_get(an, "unit_id")));
  assert_true(json_is_null(json_object_get(an, "ip")));
  json_decref(items);

  /* Keyset paging: `older` leads to the next older page, `newer` back. */
  {
    audit_page p1, p2, p3;
    app_err pe = {0};
    scope_sql whole;
    scope_sql_all(&whole);
    q = (audit_query){.scope = &whole, .actor = "aud-admin", .per_page = 4};
    assert_int_equal(audit_list(fx->w, &q, &p1, &pe), 0);
    assert_int_equal(p1.total, 6);
    assert_int_equal(json_array_size(p1.items), 4);
    assert_true(p1.older > 0);
    assert_int_equal(p1.newer, 0);
    q.before = p1.older;
    assert_int_equal(audit_list(fx->w, &q, &p2, &pe), 0);
    assert_int_equal(p2.total, 6);
    assert_int_equal(json_array_size(p2.items), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(p2.items, 1), "action")), "user.create");
    assert_int_equal(p2.older, 0);
    assert_true(p2.newer > 0);
    q.before = 0;
    q.after = p2.newer;
    assert_int_equal(audit_list(fx->w, &q, &p3, &pe), 0);
    assert_true(json_equal(p3.items, p1.items)); /* back to the first page, newest first */
    assert_int_equal(p3.newer, 0);
    assert_int_equal(p3.older, p1.older);
    json_decref(p1.items);
    json_decref(p2.items);
    json_decref(p3.items);
  }

  /* since/until on fixed timestamps (inserting is allowed; changing is not). */
  exec_ok(fx->w, "INSERT INTO audit_log (at, actor_username, action, entity) VALUES"
                 " (1000, 'aud-time', 'time.a', 't'), (2000, 'aud-time', 'time.b', 't'),"
                 " (3000, 'aud-time', 'time.c', 't')");
  static const struct {
    int64_t since, until, total;
  } times[] = {
      {0, 0, 3}, {1000, 0, 3}, {1001, 0, 2}, {0, 3000, 2}, {0, 3001, 3}, {2000, 3000, 1}, {1500, 2500, 1},
      {3001, 0, 0}, {0, 1000, 0},
  };
  for (size_t k = 0; k < sizeof times / sizeof times[0]; k++) {
    q = (audit_query){.actor = "aud-time", .since = times[k].since, .until = times[k].until, .per_page = 50};
    items = audit_items(fx, &q, &total);
    if (total != times[k].total)
      fail_msg("since %" PRId64 " until %" PRId64 ": total %" PRId64 ", wanted %" PRId64, times[k].since, times[k].until,
               total, times[k].total);
    json_decref(items);
  }
  q = (audit_query){.actor = "aud-time", .per_page = 50};
  items = audit_items(fx, &q, &total);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "at")), "1970-01-01T00:50:00Z");
  json_decref(items);
  /* "now" lies between an hour ago and an hour ahead, for entries appended by this test. */
  q = (audit_query){.actor = "aud-admin", .since = clock_now() - 3600, .until = clock_now() + 3600,
                    .per_page = 50};
  items = audit_items(fx, &q, &total);
  assert_int_equal(total, 6);
  json_decref(items);
  q.since = clock_now() + 3600;
  q.until = 0;
  items = audit_items(fx, &q, &total);
  assert_int_equal(total, 0);
  json_decref(items);

  /* The database refuses to change or remove an entry. */
  int64_t n = audit_count(fx);
  static const char *const refused[] = {
      "UPDATE audit_log SET action = 'forged'",
      "UPDATE audit_log SET actor_username = NULL WHERE actor_username = 'aud-admin'",
      "DELETE FROM audit_log",
      "DELETE FROM audit_log WHERE actor_username = 'aud-time'",
  };
  for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
    int rc = store_exec(fx->w, refused[k]);
    if (rc == STORE_OK) fail_msg("the database accepted: %s", refused[k]);
    assert_non_null(strstr(store_errmsg(fx->w), "append-only"));
  }
  if (fx->kind == STORE_PG) assert_int_not_equal(store_exec(fx->w, "TRUNCATE audit_log"), STORE_OK);
  /* Inside a transaction too, and the transaction can still roll back. */
  assert_int_equal(store_begin(fx->w), STORE_OK);
  assert_int_not_equal(store_exec(fx->w, "DELETE FROM audit_log"), STORE_OK);
  assert_int_equal(store_rollback(fx->w), STORE_OK);
  assert_int_equal(audit_count(fx), n);
  q = (audit_query){.action = "forged", .per_page = 50};
  items = audit_items(fx, &q, &total);
  assert_int_equal(total, 0);
  json_decref(items);
}

/* ==== demo ==== */

static char *run_demo(fixture *fx, const char *password, int want_rc, char *err, size_t errlen) {
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  assert_non_null(out);
  err[0] = '\0';
  int rc = demo_load(fx->st, password, out, err, errlen);
  fclose(out);
  if (rc != want_rc) fail_msg("demo_load = %d, wanted %d: %s", rc, want_rc, err);
  return text;
}

static void test_demo_load(void **state) {
  fixture *fx = fx_of(state);
  /* demo_load takes the writer itself. */
  store_release(fx->w);
  fx->w = NULL;
  char err[512];
  char *out1 = run_demo(fx, "demo-pass-1", 0, err, sizeof err);
  fx->w = store_acquire(fx->st, true);
  assert_non_null(fx->w);
  /* 20 fixed units and 68 tổ dân phố each with its team. */
  if (!strstr(out1, ": 156 new unit(s)") || !strstr(out1, ", 8 new account(s)")) fail_msg("first demo run: %s", out1);
  free(out1);
  int64_t ward = units_find(fx->w, "HP-HD"), tdp = units_find(fx->w, "HD-TDP01"), t68 = units_find(fx->w, "HD-TDP68-CNS");
  assert_true(ward && tdp && t68);
  assert_int_equal(units_find(fx->w, "HD-TDP69"), 0);
  int64_t units_before = units_count(fx->w);
  int64_t admin = users_find(fx->w, "admin");
  assert_true(admin > 0);
  app_err e = {0};
  assert_int_equal(users_set_disabled(fx->w, admin, true, &e), 0);

  store_release(fx->w);
  fx->w = NULL;
  char *out2 = run_demo(fx, "demo-pass-2", 0, err, sizeof err);
  fx->w = store_acquire(fx->st, true);
  assert_non_null(fx->w);
  if (!strstr(out2, ": 0 new unit(s)") || !strstr(out2, ", 0 new account(s)")) fail_msg("second demo run: %s", out2);
  free(out2);
  assert_int_equal(units_count(fx->w), units_before);

  /* Every demo account logs in with the new password only, enabled, with one grant of its role. */
  for (int i = 0; i < demo_accounts_count; i++) {
    const demo_account *d = &demo_accounts[i];
    int64_t id = 0;
    bool disabled = true;
    if (users_verify(fx->w, d->username, "demo-pass-2", &id, &disabled) != 0)
      fail_msg("%s does not log in with the new password", d->username);
    assert_false(disabled);
    assert_int_equal(users_verify(fx->w, d->username, "demo-pass-1", &id, &disabled), -1);
    json_t *r = roles_of(fx->w, id);
    assert_int_equal(json_array_size(r), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(r, 0), "role")), d->role);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 0), "unit_id")), units_find(fx->w, d->unit_code));
    json_decref(r);
  }
  /* The tree: a tổ dân phố under the ward, its team under it. */
  json_t *u = NULL;
  assert_int_equal(units_get(fx->w, t68, 1, &u, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(u, "depth")), 3);
  assert_string_equal(json_string_value(json_object_get(u, "kind")), "team");
  assert_int_equal(json_array_size(json_object_get(u, "ancestors")), 3);
  json_decref(u);
  /* Each run is recorded in the audit log. */
  audit_query q = {.action = "demo.load", .per_page = 50};
  int64_t total = 0;
  json_t *items = audit_items(fx, &q, &total);
  assert_int_equal(total, 2);
  json_decref(items);

  /* A failing run changes nothing: a too-short password for a new demo account is refused,
   * and the units created before the failure are rolled back with it. */
  int64_t vanhoa = users_find(fx->w, "vanhoa");
  assert_true(vanhoa > 0);
  /* Rename vanhoa out of the way so the next run must create it again. */
  STORE_SQL(q_rename, "UPDATE users SET username = 'vanhoa-old' WHERE id = ?");
  store_stmt *s = store_prepare(fx->w, &q_rename);
  store_bind_int(s, 1, vanhoa);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  int64_t users_before = users_count(fx->w);
  store_release(fx->w);
  fx->w = NULL;
  char *out3 = run_demo(fx, "short", -1, err, sizeof err);
  fx->w = store_acquire(fx->st, true);
  assert_non_null(fx->w);
  assert_non_null(strstr(err, "password")); /* refused before anything is written */
  assert_string_equal(out3, ""); /* nothing reported as done */
  free(out3);
  assert_int_equal(users_count(fx->w), users_before);
  assert_int_equal(users_find(fx->w, "vanhoa"), 0);
  /* The admin's password is untouched. */
  int64_t id = 0;
  bool disabled;
  assert_int_equal(users_verify(fx->w, "admin", "demo-pass-2", &id, &disabled), 0);
  q = (audit_query){.action = "demo.load", .per_page = 50};
  items = audit_items(fx, &q, &total);
  assert_int_equal(total, 2);
  json_decref(items);
}

/* ==== the dispatcher's re-check inside the write transaction ==== */

static void request_init(req *r, app *ap, const char *method, const char *path, const char *token, const char *csrf,
                         const char *body) {
  memset(r, 0, sizeof *r);
  arena_init(&r->a);
  r->app = ap;
  char allow[64];
  r->route_index = router_match(method, path, r->params, &r->nparams, allow, sizeof allow);
  assert_true(r->route_index >= 0);
  r->route = &routes[r->route_index];
  r->method = method;
  r->path = path;
  r->ip = "192.0.2.1";
  r->cookie_token = token;
  r->csrf_header = csrf;
  r->query = json_object();
  sink_init(&r->in, 64 * 1024);
  if (body) {
    assert_int_equal(sink_write(&r->in, body, strlen(body)), 0);
    r->content_type = "application/json";
  }
}

static void ensure_routes(void) {
  static bool routed;
  if (!routed) {
    assert_int_equal(router_init(), 0);
    routed = true;
  }
}

static void request_end(req *r) {
  if (r->wconn) {
    if (store_in_transaction(r->wconn)) store_rollback(r->wconn);
    store_release(r->wconn);
  }
  if (r->rconn) store_release(r->rconn);
  json_decref(r->query);
  json_decref(r->body);
  json_decref(r->out);
  sink_close(&r->in);
  arena_free(&r->a);
}

/* The read-only check passes on a reader's snapshot; then the caller's grant is revoked (or the
 * account disabled) before the write. The re-check, on the writer inside the transaction the
 * handler will use, must see it. Without router_recheck_in_tx the handler would run. */
static void test_dispatch_recheck(void **state) {
  fixture *fx = fx_of(state);
  ensure_routes();
  int64_t ward = mk_ward(fx, "recheck");
  int64_t tdp = mk_unit(fx, ward, "residential_group", "Tổ dân phố số 1", NULL);
  int64_t uid = mk_user(fx, "rc-admin", "Quản Trị Thử", ward);
  mk_grant(fx, uid, "ward_admin", ward);
  char token[SESSION_TOKEN_LEN + 1], csrf[65];
  int64_t sid = 0;
  app_err e = {0};
  assert_int_equal(sessions_create(fx->w, &fx->keys, uid, "192.0.2.1", "test", token, &sid, &e), 0);
  sessions_csrf(&fx->keys, token, csrf);
  app ap;
  memset(&ap, 0, sizeof ap);
  ap.st = fx->st;
  ap.keys = fx->keys;
  char path[64];
  snprintf(path, sizeof path, "/api/v1/units/%" PRId64, tdp);
  static const char body[] = "{\"name\":\"Tổ dân phố Hoa Sen\"}";
  store_release(fx->w); /* the requests take the writer themselves */
  fx->w = NULL;

  /* Nothing changes in between: both phases pass, and the handler finds its transaction open. */
  req r;
  request_init(&r, &ap, "PATCH", path, token, csrf, body);
  assert_int_equal(router_check(&r), 0);
  assert_int_equal(router_recheck_in_tx(&r), 0);
  assert_non_null(r.wconn);
  assert_true(store_in_transaction(r.wconn));
  assert_int_equal(req_begin(&r), 0); /* continues the dispatcher's transaction */
  assert_true(store_in_transaction(r.wconn));
  request_end(&r);

  /* The grant is revoked between the two phases: 403 from the re-check. */
  request_init(&r, &ap, "PATCH", path, token, csrf, body);
  assert_int_equal(router_check(&r), 0);
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(roles_revoke_by(w, uid, "ward_admin", ward, &e), 0);
  store_release(w);
  assert_int_equal(router_recheck_in_tx(&r), -1);
  assert_int_equal(r.status, 403);
  request_end(&r);

  /* The grant comes back, then the account is disabled in between: 401 from the re-check. */
  w = store_acquire(fx->st, true);
  int64_t gid = 0;
  assert_int_equal(roles_grant(w, uid, "ward_admin", ward, 0, &gid, &e), 0);
  store_release(w);
  request_init(&r, &ap, "PATCH", path, token, csrf, body);
  assert_int_equal(router_check(&r), 0);
  w = store_acquire(fx->st, true);
  assert_int_equal(users_set_disabled(w, uid, true, &e), 0);
  store_release(w);
  assert_int_equal(router_recheck_in_tx(&r), -1);
  assert_int_equal(r.status, 401);
  request_end(&r);

  /* A unit outside the caller's scope: the read-only phase leaves the scope of a re-checked route
   * to the writer; the re-check refuses it, before any handler. */
  w = store_acquire(fx->st, true);
  assert_int_equal(users_set_disabled(w, uid, false, &e), 0);
  store_release(w);
  fx->w = store_acquire(fx->st, true);
  int64_t other_ward = mk_ward(fx, "recheck-other");
  int64_t far = mk_unit(fx, other_ward, "residential_group", "Tổ dân phố số 9", NULL);
  store_release(fx->w);
  fx->w = NULL;
  char far_path[64];
  snprintf(far_path, sizeof far_path, "/api/v1/units/%" PRId64, far);
  request_init(&r, &ap, "PATCH", far_path, token, csrf, body);
  assert_int_equal(router_check(&r), 0);
  assert_int_equal(router_recheck_in_tx(&r), -1);
  assert_int_equal(r.status, 403);
  request_end(&r);
  /* the same unit in scope passes both */
  request_init(&r, &ap, "PATCH", path, token, csrf, body);
  assert_int_equal(router_check(&r), 0);
  assert_int_equal(router_recheck_in_tx(&r), 0);
  request_end(&r);

  /* A read is not re-checked (it holds no transaction). */
  snprintf(path, sizeof path, "/api/v1/units/%" PRId64, tdp);
  request_init(&r, &ap, "GET", path, token, NULL, NULL);
  assert_int_equal(router_recheck_in_tx(&r), 0);
  assert_null(r.wconn);
  request_end(&r);
  fx->w = store_acquire(fx->st, true);
}

/* The re-check with the process's auth cache running. The session and grants come from the
 * cache only when its listener's notification mark has reached the writer transaction's (SQLite),
 * so a change committed by another process and not yet heard is still seen: the grant revoked
 * there (its notification written, nothing dropped in this process) is refused at once. */
STORE_SQL(q_rc_revoke, "DELETE FROM user_roles WHERE user_id = ?");
STORE_SQL(q_rc_grant, "INSERT INTO user_roles (user_id, role, unit_id, granted_at) VALUES (?, 'ward_admin', ?, 0)");

/* Another process's change: the statement and its notification, committed on a store of its own. */
static void rc_elsewhere(fixture *fx, const store_sql *q, int64_t uid, int64_t unit) {
  char err[256] = "", payload[32];
  store *other = store_open(fx->target, 1, err, sizeof err);
  if (!other) fail_msg("store_open: %s", err);
  store_conn *w2 = store_acquire(other, true);
  assert_non_null(w2);
  assert_int_equal(store_begin(w2), STORE_OK);
  store_stmt *s = store_prepare(w2, q);
  assert_non_null(s);
  store_bind_int(s, 1, uid);
  if (unit) store_bind_int(s, 2, unit);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  snprintf(payload, sizeof payload, "u:%" PRId64, uid);
  assert_int_equal(store_notify(w2, AUTHCACHE_CHANNEL, payload), STORE_OK);
  assert_int_equal(store_commit(w2), STORE_OK);
  store_release(w2);
  store_close(other);
}

static void test_dispatch_recheck_cached(void **state) {
  fixture *fx = fx_of(state);
  ensure_routes();
  int64_t ward = mk_ward(fx, "recheck-cache");
  int64_t tdp = mk_unit(fx, ward, "residential_group", "Tổ dân phố số 1", NULL);
  int64_t uid = mk_user(fx, "rcc-admin", "Quản Trị Đệm", ward);
  mk_grant(fx, uid, "ward_admin", ward);
  char token[SESSION_TOKEN_LEN + 1], csrf[65], path[64];
  int64_t sid = 0;
  app_err e = {0};
  assert_int_equal(sessions_create(fx->w, &fx->keys, uid, "192.0.2.1", "test", token, &sid, &e), 0);
  sessions_csrf(&fx->keys, token, csrf);
  app ap;
  memset(&ap, 0, sizeof ap);
  ap.st = fx->st;
  ap.keys = fx->keys;
  snprintf(path, sizeof path, "/api/v1/units/%" PRId64, tdp);
  static const char body[] = "{\"name\":\"Tổ dân phố Hoa Sen\"}";
  store_release(fx->w);
  fx->w = NULL;
  assert_int_equal(authcache_start(fx->st), 0);
  authcache *ac = authcache_process();
  assert_non_null(ac);
  unsigned char key[AUTHCACHE_KEY_LEN];
  authcache_key(&fx->keys, token, key);
  bool sqlite = fx->kind == STORE_SQLITE;
  req r;

  /* Once the listener runs and the session is cached, nothing changed: the re-check passes, on
   * SQLite from the cache (no four-table join), on PostgreSQL from the database. */
  uint64_t hits = authcache_current_hits(ac);
  int rc = -1;
  for (int i = 0; i < 100; i++) {
    request_init(&r, &ap, "PATCH", path, token, csrf, body);
    assert_int_equal(router_check(&r), 0);
    rc = router_recheck_in_tx(&r);
    request_end(&r);
    assert_int_equal(rc, 0);
    if (!sqlite || authcache_current_hits(ac) > hits) break;
    usleep(20000);
  }
  assert_int_equal(authcache_current_hits(ac) > hits, sqlite);

  /* Another process revokes the grant between the two phases: refused at once (on SQLite the
   * transaction's mark is past the listener's until it has heard of it). */
  request_init(&r, &ap, "PATCH", path, token, csrf, body);
  assert_int_equal(router_check(&r), 0);
  rc_elsewhere(fx, &q_rc_revoke, uid, 0);
  assert_int_equal(router_recheck_in_tx(&r), -1);
  assert_int_equal(r.status, 403);
  request_end(&r);
  /* and again, in whichever phase (once the listener has heard, the first phase refuses) */
  request_init(&r, &ap, "PATCH", path, token, csrf, body);
  rc = router_check(&r);
  if (rc == 0) rc = router_recheck_in_tx(&r);
  assert_int_equal(rc, -1);
  assert_int_equal(r.status, 403);
  request_end(&r);

  /* Granted back elsewhere: passes once the first phase's cache has heard of it (until then
   * that phase may still refuse, as it did before the re-check used the cache), and on SQLite
   * the re-check reads the principal from the cache again once the listener has caught up. */
  rc_elsewhere(fx, &q_rc_grant, uid, ward);
  hits = authcache_current_hits(ac);
  bool passed = false;
  for (int i = 0; i < 100; i++) {
    request_init(&r, &ap, "PATCH", path, token, csrf, body);
    rc = router_check(&r);
    if (rc == 0) {
      assert_int_equal(router_recheck_in_tx(&r), 0); /* the writer sees the grant */
      passed = true;
    } else {
      assert_int_equal(r.status, 403);
    }
    request_end(&r);
    if (passed && (!sqlite || authcache_current_hits(ac) > hits)) break;
    usleep(20000);
  }
  assert_true(passed);
  assert_int_equal(authcache_current_hits(ac) > hits, sqlite);
  authcache_stop();
  fx->w = store_acquire(fx->st, true);
}

/* ==== the auth cache (authcache.c) and the unit with its ancestors ==== */

/* A principal with two grants, its strings in `a`. */
static principal ac_principal(arena *a, int64_t user_id, int64_t session_id) {
  principal p;
  memset(&p, 0, sizeof p);
  p.user_id = user_id;
  p.session_id = session_id;
  p.username = arena_strdup(a, "cache-user");
  p.display_name = arena_strdup(a, "Người Dùng Đệm");
  p.last_seen = clock_now();
  p.ngrants = 2;
  p.grants = arena_alloc(a, sizeof(grant) * 2);
  p.grants[0] = (grant){.id = 7, .role = arena_strdup(a, "unit_officer"), .unit_id = 5,
                        .unit_name = arena_strdup(a, "Tổ dân phố số 1"), .unit_path = arena_strdup(a, "/1/5/"),
                        .caps = caps_of_role("unit_officer")};
  p.grants[1] = (grant){.id = 8, .role = arena_strdup(a, "learner"), .unit_id = 6,
                        .unit_name = arena_strdup(a, "Tổ dân phố số 2"), .unit_path = arena_strdup(a, "/1/6/"),
                        .caps = caps_of_role("learner")};
  p.caps_any = p.grants[0].caps | p.grants[1].caps;
  return p;
}

static void ac_key(const char *token, unsigned char key[AUTHCACHE_KEY_LEN]) {
  secrets k;
  memset(&k, 0x5a, sizeof k);
  authcache_key(&k, token, key);
}

static void test_authcache_memory(void **state) {
  (void)state; /* no database: runs in both groups, the same */
  arena a;
  arena_init(&a);
  authcache *ac = authcache_new(64, 1000, 5000);
  assert_non_null(ac);
  unsigned char k1[AUTHCACHE_KEY_LEN], k2[AUTHCACHE_KEY_LEN], k3[AUTHCACHE_KEY_LEN];
  ac_key("token-one", k1);
  ac_key("token-two", k2);
  ac_key("token-three", k3);
  assert_memory_not_equal(k1, k2, AUTHCACHE_KEY_LEN);
  principal p1 = ac_principal(&a, 11, 101), p2 = ac_principal(&a, 12, 102), out;
  int64_t t = 1000000;

  /* Not trusted (no listener yet): nothing is stored, nothing answered. */
  authcache_put(ac, k1, &p1, authcache_gen(ac), t);
  assert_int_equal(authcache_count(ac), 0);
  assert_int_equal(authcache_get(ac, k1, t, &a, &out), 0);

  /* Trusted: a miss, then a hit with a deep copy (the cached strings are not the caller's). */
  authcache_trust(ac, t + 10000, t);
  assert_int_equal(authcache_get(ac, k1, t, &a, &out), 0);
  authcache_put(ac, k1, &p1, authcache_gen(ac), t);
  authcache_put(ac, k2, &p2, authcache_gen(ac), t);
  assert_int_equal(authcache_count(ac), 2);
  assert_int_equal(authcache_get(ac, k3, t, &a, &out), 0);
  assert_int_equal(authcache_get(ac, k1, t + 10, &a, &out), 1);
  assert_int_equal(out.user_id, 11);
  assert_int_equal(out.session_id, 101);
  assert_string_equal(out.username, "cache-user");
  assert_ptr_not_equal(out.username, p1.username);
  assert_string_equal(out.display_name, "Người Dùng Đệm");
  assert_int_equal(out.ngrants, 2);
  assert_int_equal(out.grants[0].id, 7);
  assert_string_equal(out.grants[0].role, "unit_officer");
  assert_string_equal(out.grants[0].role_label, role_find("unit_officer")->label);
  assert_string_equal(out.grants[1].unit_name, "Tổ dân phố số 2");
  assert_string_equal(out.grants[1].unit_path, "/1/6/");
  assert_int_equal(out.caps_any, p1.caps_any);
  assert_true(scope_can(&out, CAP_USERS_READ, "/1/5/9/"));
  assert_false(scope_can(&out, CAP_USERS_READ, "/1/6/"));
  assert_string_equal(out.csrf, ""); /* derived from the token by the caller, never cached */

  /* Invalidation by user: only that user's entries go. */
  authcache_drop_user(ac, 11);
  assert_int_equal(authcache_get(ac, k1, t + 20, &a, &out), 0);
  assert_int_equal(authcache_get(ac, k2, t + 20, &a, &out), 1);
  /* By session, through a notification's payload. */
  authcache_put(ac, k1, &p1, authcache_gen(ac), t + 20);
  authcache_apply(ac, "s:102");
  assert_int_equal(authcache_get(ac, k2, t + 30, &a, &out), 0);
  assert_int_equal(authcache_get(ac, k1, t + 30, &a, &out), 1);
  authcache_put(ac, k2, &p2, authcache_gen(ac), t + 30);
  authcache_apply(ac, "u:11");
  assert_int_equal(authcache_get(ac, k1, t + 30, &a, &out), 0);
  assert_int_equal(authcache_get(ac, k2, t + 30, &a, &out), 1);
  /* Drop-all, also for a payload not understood. */
  authcache_put(ac, k1, &p1, authcache_gen(ac), t + 30);
  assert_int_equal(authcache_count(ac), 2);
  authcache_apply(ac, "*");
  assert_int_equal(authcache_count(ac), 0);
  authcache_put(ac, k1, &p1, authcache_gen(ac), t + 30);
  authcache_apply(ac, "u:12x");
  assert_int_equal(authcache_count(ac), 0);
  authcache_put(ac, k1, &p1, authcache_gen(ac), t + 30);
  authcache_drop_all(ac);
  assert_int_equal(authcache_get(ac, k1, t + 30, &a, &out), 0);

  /* A lookup that read the database before a change is not stored after it. */
  uint64_t before = authcache_gen(ac);
  authcache_drop_user(ac, 99);
  authcache_put(ac, k1, &p1, before, t + 30);
  assert_int_equal(authcache_get(ac, k1, t + 30, &a, &out), 0);

  /* Expiry: idle (1 s here), kept alive by use, and the maximum age (5 s) regardless. */
  authcache_put(ac, k1, &p1, authcache_gen(ac), t);
  assert_int_equal(authcache_get(ac, k1, t + 900, &a, &out), 1);
  assert_int_equal(authcache_get(ac, k1, t + 1800, &a, &out), 1);
  assert_int_equal(authcache_get(ac, k1, t + 2900, &a, &out), 0); /* 1.1 s idle */
  authcache_trust(ac, t + 100000, t);
  authcache_put(ac, k1, &p1, authcache_gen(ac), t);
  for (int64_t at = t + 800; at < t + 5000; at += 800) assert_int_equal(authcache_get(ac, k1, at, &a, &out), 1);
  assert_int_equal(authcache_get(ac, k1, t + 5000, &a, &out), 0);
  /* The session's own idle expiry (12 h after it was last seen). */
  principal old = ac_principal(&a, 13, 103);
  old.last_seen = clock_now() - SESSION_IDLE_SECONDS - 1;
  authcache_put(ac, k3, &old, authcache_gen(ac), t);
  assert_int_equal(authcache_get(ac, k3, t, &a, &out), 0);
  /* authcache_seen moves last_seen forward only. */
  principal seen = ac_principal(&a, 14, 104);
  seen.last_seen = clock_now() - 1000;
  authcache_put(ac, k3, &seen, authcache_gen(ac), t);
  authcache_seen(ac, k3, clock_now());
  authcache_seen(ac, k3, 5);
  assert_int_equal(authcache_get(ac, k3, t, &a, &out), 1);
  assert_true(out.last_seen >= clock_now() - 1);

  /* Trust lapses when the listener's lease is not renewed, and coming back starts empty. */
  authcache_trust(ac, t + 1000, t);
  authcache_put(ac, k1, &p1, authcache_gen(ac), t);
  assert_int_equal(authcache_get(ac, k1, t + 999, &a, &out), 1);
  assert_int_equal(authcache_get(ac, k1, t + 1000, &a, &out), 0);
  authcache_trust(ac, t + 5000, t + 1001);
  assert_int_equal(authcache_count(ac), 0);
  authcache_put(ac, k1, &p1, authcache_gen(ac), t + 1001);
  authcache_trust(ac, 0, t + 1002); /* the listener lost its connection */
  assert_int_equal(authcache_count(ac), 0);
  assert_int_equal(authcache_get(ac, k1, t + 1002, &a, &out), 0);

  /* Many entries in a small table: each lookup still answers the right principal or nothing. */
  authcache_trust(ac, t + 100000, t);
  for (int i = 0; i < 500; i++) {
    char tok[32];
    unsigned char k[AUTHCACHE_KEY_LEN];
    snprintf(tok, sizeof tok, "many-%d", i);
    ac_key(tok, k);
    principal pi = ac_principal(&a, 1000 + i, 5000 + i);
    authcache_put(ac, k, &pi, authcache_gen(ac), t);
    assert_int_equal(authcache_get(ac, k, t, &a, &out), 1);
    assert_int_equal(out.user_id, 1000 + i);
  }
  assert_true(authcache_count(ac) <= 64);
  authcache_free(ac);
  arena_free(&a);
}

/* Every domain function that changes who may do what drops the cached principal in this process
 * at once and, on PostgreSQL, notifies the other processes when (and only when) it commits. */
typedef struct notes {
  char got[8][32];
  int n;
} notes;

/* Keeps each payload once, in the order first seen: PostgreSQL folds identical notifications of
 * one transaction into one, SQLite's notifications table keeps each (the same for the cache). */
static void note_cb(void *ctx, const char *payload) {
  notes *ns = ctx;
  for (int i = 0; i < ns->n; i++)
    if (!strcmp(ns->got[i], payload)) return;
  if (ns->n < 8) snprintf(ns->got[ns->n++], sizeof ns->got[0], "%s", payload);
}

static void wait_notes(store_conn *l, notes *ns, int want) {
  for (int i = 0; i < 40 && ns->n < want; i++) assert_int_equal(store_listen_wait(l, 50, note_cb, ns), STORE_OK);
}

/* The listener's mark: authcache_get_current answers only once the mark has reached the
 * transaction's, and never without trust; losing trust withdraws the mark. */
static void test_authcache_marks(void **state) {
  (void)state; /* no database */
  arena a;
  arena_init(&a);
  authcache *ac = authcache_new(64, 1000, 5000);
  assert_non_null(ac);
  unsigned char k1[AUTHCACHE_KEY_LEN];
  ac_key("token-mark", k1);
  principal p1 = ac_principal(&a, 21, 201), out;
  int64_t t = 1000000;
  authcache_trust(ac, t + 10000, t);
  authcache_put(ac, k1, &p1, authcache_gen(ac), t);
  assert_int_equal(authcache_get(ac, k1, t, &a, &out), 1);
  /* no mark published yet (a backend without marks): never current */
  assert_int_equal(authcache_get_current(ac, k1, t, 0, &a, &out), 0);
  authcache_mark(ac, 7);
  assert_int_equal(authcache_get_current(ac, k1, t, 7, &a, &out), 1);
  assert_int_equal(out.user_id, 21);
  assert_int_equal(out.ngrants, 2);
  assert_int_equal(authcache_get_current(ac, k1, t, 5, &a, &out), 1);
  /* a notification the transaction sees and the listener has not applied */
  assert_int_equal(authcache_get_current(ac, k1, t, 8, &a, &out), 0);
  assert_int_equal(authcache_get_current(ac, k1, t, -1, &a, &out), 0);
  assert_int_equal(authcache_current_hits(ac), 2);
  /* applied: the entry is dropped, so the mark reaching 8 answers nothing for it */
  authcache_apply(ac, "u:21");
  authcache_mark(ac, 8);
  assert_int_equal(authcache_get_current(ac, k1, t, 8, &a, &out), 0);
  /* trust lost and found again: the old mark is gone with the entries */
  authcache_put(ac, k1, &p1, authcache_gen(ac), t);
  assert_int_equal(authcache_get_current(ac, k1, t, 8, &a, &out), 1);
  authcache_trust(ac, 0, t);
  authcache_trust(ac, t + 10000, t);
  authcache_put(ac, k1, &p1, authcache_gen(ac), t);
  assert_int_equal(authcache_get(ac, k1, t, &a, &out), 1);
  assert_int_equal(authcache_get_current(ac, k1, t, 8, &a, &out), 0);
  authcache_mark(ac, 9);
  assert_int_equal(authcache_get_current(ac, k1, t, 8, &a, &out), 1);
  authcache_free(ac);
  arena_free(&a);
}

static void test_authcache_notify(void **state) {
  fixture *fx = fx_of(state);
  arena a;
  arena_init(&a);
  int64_t ward = mk_ward(fx, "authcache");
  int64_t uid = mk_user(fx, "cache-notify", "Người Được Báo", ward);
  char err[256] = "";
  /* Both backends: PostgreSQL's LISTEN/NOTIFY, SQLite's notifications table (sqlite.c). */
  store_conn *l = store_listen(fx->st, AUTHCACHE_CHANNEL, err, sizeof err);
  if (!l) fail_msg("store_listen: %s", err);
  notes ns = {0};
  app_err e = {0};
  /* Inside a transaction: nothing is delivered until the commit. */
  assert_int_equal(store_begin(fx->w), STORE_OK);
  assert_int_equal(users_set_disabled(fx->w, uid, true, &e), 0);
  assert_int_equal(store_listen_wait(l, 150, note_cb, &ns), STORE_OK);
  assert_int_equal(ns.n, 0);
  assert_int_equal(store_commit(fx->w), STORE_OK);
  wait_notes(l, &ns, 1);
  assert_int_equal(ns.n, 1);
  char want[32];
  snprintf(want, sizeof want, "u:%" PRId64, uid);
  assert_string_equal(ns.got[0], want);
  /* Marks (SQLite): the listener's, once it has handed the notification on, equals the newest a
   * transaction sees; one queued in a transaction moves that transaction's mark past it. */
  int64_t lmark = -1, tmark = -1;
  if (fx->kind == STORE_SQLITE) {
    assert_int_equal(store_listen_mark(l, &lmark), STORE_OK);
    assert_int_equal(store_begin(fx->w), STORE_OK);
    assert_int_equal(store_notify_mark(fx->w, &tmark), STORE_OK);
    assert_true(tmark > 0);
    assert_int_equal(lmark, tmark);
    assert_int_equal(users_set_disabled(fx->w, uid, true, &e), 0);
    assert_int_equal(store_notify_mark(fx->w, &tmark), STORE_OK);
    assert_true(tmark > lmark);
    assert_int_equal(store_rollback(fx->w), STORE_OK);
  } else {
    assert_int_equal(store_listen_mark(l, &lmark), STORE_ERROR);
    assert_int_equal(store_notify_mark(fx->w, &tmark), STORE_ERROR);
  }
  /* A rolled-back change notifies nobody. */
  assert_int_equal(store_begin(fx->w), STORE_OK);
  assert_int_equal(users_set_disabled(fx->w, uid, false, &e), 0);
  assert_int_equal(store_rollback(fx->w), STORE_OK);
  assert_int_equal(store_listen_wait(l, 150, note_cb, &ns), STORE_OK);
  assert_int_equal(ns.n, 1);
  /* Each of the others, in one transaction: grant, revoke, password, session end, purge. */
  ns.n = 0;
  int64_t gid = 0, sid = 0;
  char token[SESSION_TOKEN_LEN + 1];
  assert_int_equal(store_begin(fx->w), STORE_OK);
  assert_int_equal(roles_grant(fx->w, uid, "learner", ward, 0, &gid, &e), 0);
  assert_int_equal(roles_revoke(fx->w, uid, gid, &e), 0);
  char pw2_hash[PASSWORD_HASH_MAX];
  assert_int_equal(users_hash_password(PW2, pw2_hash), 0);
  assert_int_equal(users_set_password(fx->w, uid, pw2_hash, false, &e), 0);
  assert_int_equal(sessions_create(fx->w, &fx->keys, uid, NULL, NULL, token, &sid, &e), 0);
  assert_int_equal(sessions_end(fx->w, sid), 0);
  assert_int_equal(sessions_end_user(fx->w, uid, 0), 0);
  assert_int_equal(sessions_purge(fx->w), 0);
  assert_int_equal(store_commit(fx->w), STORE_OK);
  wait_notes(l, &ns, 4);
  snprintf(want, sizeof want, "s:%" PRId64, sid);
  assert_int_equal(ns.n, 3);
  assert_string_equal(ns.got[1], want);
  assert_string_equal(ns.got[2], "*");
  assert_int_equal(store_listen_ping(l), STORE_OK);
  store_listen_close(l);

  /* The process's cache: trusted once its listener runs; a change committed elsewhere drops the
   * entry within the listener's wakeup, with no call in this process. */
  assert_int_equal(authcache_start(fx->st), 0);
  authcache *ac = authcache_process();
  assert_non_null(ac);
  unsigned char key[AUTHCACHE_KEY_LEN];
  ac_key("notify-token", key);
  principal p = ac_principal(&a, uid, 4242), out;
  int hit = 0;
  for (int i = 0; i < 100 && !hit; i++) {
    authcache_put(ac, key, &p, authcache_gen(ac), authcache_now_ms());
    hit = authcache_get(ac, key, authcache_now_ms(), &a, &out);
    if (!hit) usleep(20000);
  }
  assert_int_equal(hit, 1);
  store *other = store_open(fx->target, 1, err, sizeof err);
  assert_non_null(other);
  store_conn *w2 = store_acquire(other, true);
  assert_non_null(w2);
  assert_int_equal(store_notify(w2, AUTHCACHE_CHANNEL, want), STORE_OK); /* another session: not ours */
  snprintf(want, sizeof want, "u:%" PRId64, uid);
  assert_int_equal(store_notify(w2, AUTHCACHE_CHANNEL, want), STORE_OK);
  store_release(w2);
  store_close(other);
  for (int i = 0; i < 100 && hit; i++) {
    hit = authcache_get(ac, key, authcache_now_ms(), &a, &out);
    if (hit) usleep(20000);
  }
  assert_int_equal(hit, 0);
  authcache_stop();
  assert_null(authcache_process());
  arena_free(&a);
}

static void test_units_load(void **state) {
  fixture *fx = fx_of(state);
  arena a;
  arena_init(&a);
  int64_t ward = mk_ward(fx, "load");
  int64_t g1 = mk_unit(fx, ward, "residential_group", "Tổ dân phố Tải 1", NULL);
  int64_t t1 = mk_unit(fx, g1, "team", "Tổ Tải A", NULL);
  (void)mk_unit(fx, g1, "team", "Tổ Tải B", NULL);
  unit_rec u;
  app_err e = {0};
  assert_int_equal(units_load(fx->w, g1, &a, &u, &e), 0);
  assert_int_equal(u.id, g1);
  assert_int_equal(u.parent_id, ward);
  assert_string_equal(u.kind, "residential_group");
  assert_string_equal(u.name, "Tổ dân phố Tải 1");
  assert_null(u.code);
  assert_int_equal(u.children_count, 2);
  assert_string_equal(u.path, path_of(fx, &a, g1));
  assert_int_equal(u.nancestors, 2); /* the city, then the ward: root first */
  assert_int_equal(u.ancestors[0].id, fx->city);
  assert_int_equal(u.ancestors[1].id, ward);
  assert_int_equal(units_load(fx->w, t1, &a, &u, &e), 0);
  assert_int_equal(u.nancestors, 3);
  assert_int_equal(u.ancestors[2].id, g1);
  assert_string_equal(u.ancestors[2].name, "Tổ dân phố Tải 1");
  assert_int_equal(u.children_count, 0);
  assert_int_equal(units_load(fx->w, fx->city, &a, &u, &e), 0);
  assert_int_equal(u.nancestors, 0);
  assert_int_equal(u.parent_id, 0);
  expect_err("units_load(absent)", units_load(fx->w, 999999999, &a, &u, &e), &e, 404, "not_found", "id");
  /* units_get answers the same unit as JSON. */
  json_t *j = NULL;
  assert_int_equal(units_get(fx->w, t1, 1, &j, &e), 0);
  assert_int_equal(json_array_size(json_object_get(j, "ancestors")), 3);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "ancestors"), 2), "id")), g1);
  assert_string_equal(json_string_value(json_object_get(j, "kind_label")), unit_kind_label("team"));
  json_decref(j);
  arena_free(&a);
}

/* Kinds by parent, duplicate names, moving a subtree, deleting an empty unit. */
static void test_units_rules(void **state) {
  fixture *fx = fx_of(state);
  arena a;
  arena_init(&a);
  app_err e = {0};
  /* The table. */
  assert_true(unit_kind_parent_ok("residential_group", "ward"));
  assert_false(unit_kind_parent_ok("city", "residential_group"));
  assert_false(unit_kind_parent_ok("residential_group", "residential_group"));
  assert_true(unit_kind_parent_ok("city", NULL));
  assert_false(unit_kind_parent_ok("team", NULL));
  assert_false(unit_kind_parent_ok("no_such_kind", "ward"));

  int64_t w = mk_ward(fx, "rules"), w2 = mk_ward(fx, "rules2");
  int64_t t1 = mk_unit(fx, w, "residential_group", "Tổ dân phố số 1", NULL);
  int64_t id = 0;
  memset(&e, 0, sizeof e);
  expect_err("city under a tổ", units_create(fx->w, t1, "city", "Thành phố sai chỗ", NULL, &id, &e), &e, 409, "conflict", "kind");
  memset(&e, 0, sizeof e);
  expect_err("same name folded", units_create(fx->w, w, "residential_group", "TO DAN PHO SO 1", NULL, &id, &e), &e, 409,
             "conflict", "name");
  memset(&e, 0, sizeof e);
  expect_err("kind against the children", units_update(fx->w, w, NULL, "office", NULL, &e), &e, 409, "conflict", "kind");

  /* Move a three-level subtree: paths and depths follow. */
  int64_t a1 = mk_unit(fx, t1, "team", "Đội A", NULL), b1 = mk_unit(fx, a1, "team", "Nhóm B", NULL);
  int64_t t2 = mk_unit(fx, w2, "residential_group", "Tổ dân phố số 2", NULL);
  int64_t old = -1;
  memset(&e, 0, sizeof e);
  expect_err("under itself", units_move(fx->w, a1, a1, &old, &e), &e, 409, "conflict", "parent_id");
  memset(&e, 0, sizeof e);
  expect_err("under a descendant", units_move(fx->w, a1, b1, &old, &e), &e, 409, "conflict", "parent_id");
  memset(&e, 0, sizeof e);
  expect_err("a tổ under a tổ", units_move(fx->w, t1, t2, &old, &e), &e, 409, "conflict", "parent_id");
  assert_int_equal(units_move(fx->w, a1, t2, &old, &e), 0);
  assert_int_equal(old, t1);
  const char *pt2 = path_of(fx, &a, t2), *pa = path_of(fx, &a, a1), *pb = path_of(fx, &a, b1);
  char want[256];
  snprintf(want, sizeof want, "%s%" PRId64 "/", pt2, a1);
  assert_string_equal(pa, want);
  snprintf(want, sizeof want, "%s%" PRId64 "/%" PRId64 "/", pt2, a1, b1);
  assert_string_equal(pb, want);
  json_t *u = NULL, *pu = NULL;
  assert_int_equal(units_get(fx->w, b1, 0, &u, &e), 0);
  assert_int_equal(units_get(fx->w, t2, 0, &pu, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(u, "depth")), json_integer_value(json_object_get(pu, "depth")) + 2);
  json_decref(u);
  json_decref(pu);
  /* A name taken under the new parent. */
  int64_t dup = mk_unit(fx, t1, "team", "Đội A", NULL);
  memset(&e, 0, sizeof e);
  expect_err("name taken there", units_move(fx->w, dup, t2, &old, &e), &e, 409, "conflict", "name");

  /* Delete: only when empty. */
  int64_t parent = 0;
  memset(&e, 0, sizeof e);
  expect_err("has children", units_delete(fx->w, a1, &parent, &e), &e, 409, "conflict", "id");
  int64_t holder = mk_user(fx, "giu.don.vi", "Giữ Đơn Vị", dup);
  memset(&e, 0, sizeof e);
  expect_err("has an account", units_delete(fx->w, dup, &parent, &e), &e, 409, "conflict", "id");
  (void)holder;
  assert_int_equal(units_delete(fx->w, b1, &parent, &e), 0);
  assert_int_equal(parent, a1);
  memset(&e, 0, sizeof e);
  expect_err("gone", units_delete(fx->w, b1, &parent, &e), &e, 404, "not_found", "id");
  arena_free(&a);
}

static void test_units_search_words(void **state) {
  fixture *fx = fx_of(state);
  arena a;
  arena_init(&a);
  int64_t w = mk_ward(fx, "words");
  int64_t t1 = mk_unit(fx, w, "residential_group", "Tổ dân phố số 1", "W-TDP01");
  int64_t t10 = mk_unit(fx, w, "residential_group", "Tổ dân phố số 10", "W-TDP10");
  int64_t cs = mk_unit(fx, w, "school_lower_secondary", "Trường THCS Lê Lợi", "W-THCS-LL");
  int64_t th = mk_unit(fx, w, "school_primary", "Trường Tiểu học Lê Lợi", NULL);
  const gspec g[] = {{"unit_officer", w}};
  principal *p = mk_principal(fx, &a, g, 1);
  scope_sql sc;
  scope_sql_of(&sc, p, CAP_UNITS_READ);
  static const struct {
    const char *q;
    int64_t total;
    int want; /* index into ids that must be found */
  } cases[] = {
      {"tdp 1", 1, 0}, {"TDP 01", 1, 0}, {"tdp 10", 1, 1}, {"thcs", 1, 2}, {"th", 1, 3}, {"th le loi", 1, 3},
      {"w-thcs", 1, 2}, {"W-TDP", 2, 0}, {"le loi", 2, 2},
  };
  int64_t ids[] = {t1, t10, cs, th};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    unit_list_query q = {.q = cases[k].q, .page = 1, .per_page = 50};
    json_t *items = NULL;
    int64_t total = -1;
    app_err e = {0};
    assert_int_equal(units_list(fx->w, &sc, &q, &items, &total, &e), 0);
    if (total != cases[k].total || !items_have_id(items, ids[cases[k].want]))
      fail_msg("search \"%s\": total %" PRId64 ", wanted %" PRId64, cases[k].q, total, cases[k].total);
    json_decref(items);
  }
  arena_free(&a);
}

/* Device cookies: made and verified without the database; bound to the name and the key;
 * the name is not in the cookie; a shared phone keeps up to four entries. */
static void test_device_cookie(void **state) {
  fixture *fx = fx_of(state);
  int64_t now = 1800000000;
  char c[DEVICE_COOKIE_MAX];
  sessions_device_make(&fx->keys, NULL, "giaovien", now, c);
  assert_int_equal(strlen(c), DEVICE_ENTRY_LEN);
  assert_null(strstr(c, "giaovien"));
  assert_int_equal(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), DEVICE_ENTRY_LEN);
  assert_true(sessions_device_ok(&fx->keys, c, "giaovien", now));
  assert_true(sessions_device_ok(&fx->keys, c, "giaovien", now + DEVICE_LIFETIME_SECONDS - 1));
  assert_false(sessions_device_ok(&fx->keys, c, "giaovien", now + DEVICE_LIFETIME_SECONDS)); /* expired */
  assert_false(sessions_device_ok(&fx->keys, c, "giaovie", now));  /* another name */
  assert_false(sessions_device_ok(&fx->keys, c, "giaovienx", now));
  assert_false(sessions_device_ok(&fx->keys, c, "GiaoVien", now));
  assert_false(sessions_device_ok(&fx->keys, c, "", now));
  assert_false(sessions_device_ok(&fx->keys, c, NULL, now));
  assert_false(sessions_device_ok(&fx->keys, NULL, "giaovien", now));
  assert_false(sessions_device_ok(&fx->keys, "", "giaovien", now));
  secrets other = fx->keys;
  other.session_key[7] ^= 1;
  assert_false(sessions_device_ok(&other, c, "giaovien", now)); /* another server's key */
  /* Two entries for one name differ (a nonce), both valid. */
  char c2[DEVICE_COOKIE_MAX];
  sessions_device_make(&fx->keys, NULL, "giaovien", now, c2);
  assert_string_not_equal(c, c2);
  assert_true(sessions_device_ok(&fx->keys, c2, "giaovien", now));
  /* Any changed character, a cut or a longer value: refused. */
  for (size_t i = 0; i < DEVICE_ENTRY_LEN; i++) {
    char t[DEVICE_COOKIE_MAX];
    memcpy(t, c, sizeof t);
    t[i] = t[i] == 'A' ? 'B' : 'A';
    if (sessions_device_ok(&fx->keys, t, "giaovien", now)) fail_msg("changed character %zu accepted", i);
  }
  char cut[DEVICE_COOKIE_MAX];
  snprintf(cut, sizeof cut, "%.*s", DEVICE_ENTRY_LEN - 1, c);
  assert_false(sessions_device_ok(&fx->keys, cut, "giaovien", now));
  char longer[DEVICE_COOKIE_MAX + 8];
  snprintf(longer, sizeof longer, "%sA", c);
  assert_false(sessions_device_ok(&fx->keys, longer, "giaovien", now));
  assert_false(sessions_device_ok(&fx->keys, "................", "giaovien", now));
  /* An entry whose expiry an attacker pushed forward no longer matches its hash. */
  unsigned char raw[48];
  size_t n = 0;
  assert_int_equal(sodium_base642bin(raw, sizeof raw, c, DEVICE_ENTRY_LEN, NULL, &n, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
  raw[12] ^= 0x01;
  char moved[DEVICE_ENTRY_LEN + 1];
  sodium_bin2base64(moved, sizeof moved, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  assert_false(sessions_device_ok(&fx->keys, moved, "giaovien", now));

  /* A shared phone: the newest entry first, the others kept, at most four, no duplicates. */
  char fam[DEVICE_COOKIE_MAX], next[DEVICE_COOKIE_MAX];
  sessions_device_make(&fx->keys, "rac-khong-hop-le", "me", now, fam); /* garbage dropped */
  assert_int_equal(strlen(fam), DEVICE_ENTRY_LEN);
  const char *names[] = {"con-1", "con-2", "bo", "con-1", "ong"};
  for (int i = 0; i < 5; i++) {
    sessions_device_make(&fx->keys, fam, names[i], now + i, next);
    memcpy(fam, next, sizeof fam);
  }
  assert_int_equal(strlen(fam), DEVICE_MAX_ENTRIES * (DEVICE_ENTRY_LEN + 1) - 1);
  /* Newest four distinct: ong, con-1, bo, con-2; "me" fell out. */
  assert_true(sessions_device_ok(&fx->keys, fam, "ong", now));
  assert_true(sessions_device_ok(&fx->keys, fam, "con-1", now));
  assert_true(sessions_device_ok(&fx->keys, fam, "bo", now));
  assert_true(sessions_device_ok(&fx->keys, fam, "con-2", now));
  assert_false(sessions_device_ok(&fx->keys, fam, "me", now));
  char first[DEVICE_ENTRY_LEN + 1];
  memcpy(first, fam, DEVICE_ENTRY_LEN);
  first[DEVICE_ENTRY_LEN] = '\0';
  assert_true(sessions_device_ok(&fx->keys, first, "ong", now)); /* the newest first */
  /* A fifth entry appended by hand is not even looked at. */
  char five[2 * DEVICE_COOKIE_MAX];
  snprintf(five, sizeof five, "%s.%s", fam, c);
  assert_false(sessions_device_ok(&fx->keys, five, "giaovien", now));
  /* Expired entries of others are dropped when a new one is made. */
  sessions_device_make(&fx->keys, fam, "moi", now + DEVICE_LIFETIME_SECONDS + 10, next);
  assert_int_equal(strlen(next), DEVICE_ENTRY_LEN);
}

/* A log-in attempt from a known device is not held by its address's failures, and its own
 * failures count for the pair and the account, not for the address. */
static void test_login_throttle_device(void **state) {
  fixture *fx = fx_of(state);
  const char *nat = "192.0.2.150";
  int retry = -1;
  for (int i = 0; i < LOGIN_FREE_PER_ADDRESS + 5; i++) {
    char name[32];
    snprintf(name, sizeof name, "spray-dev-%d", i % 25);
    assert_int_equal(login_failed(fx->w, name, nat), 0);
  }
  assert_int_equal(login_throttle(fx->w, "giaovien", nat, &retry), 0);
  assert_true(retry > 0);
  assert_int_equal(login_throttle_device(fx->w, "giaovien", nat, false, &retry), 0);
  assert_true(retry > 0);
  assert_int_equal(login_throttle_device(fx->w, "giaovien", nat, true, &retry), 0);
  assert_int_equal(retry, 0);
  /* The pair's own rule still holds for a known device. */
  for (int i = 0; i < LOGIN_FREE_PER_PAIR; i++) assert_int_equal(login_failed_device(fx->w, "giaovien", nat, true), 0);
  assert_int_equal(login_throttle_device(fx->w, "giaovien", nat, true, &retry), 0);
  assert_true(retry > 0 && retry <= LOGIN_BACKOFF_FIRST);
  /* Many failures from known devices do not throttle the address for others. */
  const char *school = "192.0.2.151";
  for (int i = 0; i < LOGIN_FREE_PER_ADDRESS + 20; i++) {
    char name[32];
    snprintf(name, sizeof name, "hs-dev-%d", i % 40);
    assert_int_equal(login_failed_device(fx->w, name, school, true), 0);
  }
  assert_int_equal(login_throttle(fx->w, "someone-new", school, &retry), 0);
  assert_int_equal(retry, 0);
  STORE_SQL(q_addr, "SELECT COUNT(*) FROM login_failures WHERE kind = 'address' AND key = '192.0.2.151'");
  assert_int_equal(query_int(fx->w, &q_addr), 0);
  /* The per-account alert still applies: 50 failures from everywhere, one free try per address. */
  for (int i = 0; i < LOGIN_ACCOUNT_ALERT; i++) {
    char addr[32];
    snprintf(addr, sizeof addr, "203.0.113.%d", 100 + i);
    assert_int_equal(login_failed_device(fx->w, "attacked-dev", addr, true), 0);
  }
  assert_int_equal(login_failed_device(fx->w, "attacked-dev", "198.51.100.77", true), 0);
  assert_int_equal(login_throttle_device(fx->w, "attacked-dev", "198.51.100.77", true, &retry), 0);
  assert_true(retry > 0);
}

int main(void) {
  if (sodium_init() < 0) {
    fprintf(stderr, "sodium_init failed\n");
    return 1;
  }
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {
      T(test_caps_of_role),
      T(test_scope_can),
      T(test_scope_sql),
      T(test_units_create),
      T(test_units_update),
      T(test_units_list),
      T(test_units_find),
      T(test_units_rules),
      T(test_units_search_words),
      T(test_users_create),
      T(test_users_verify),
      T(test_roles),
      T(test_users_scope),
      T(test_sessions),
      T(test_sessions_long_user_agent),
      T(test_login_throttle),
      T(test_sessions_touch_later),
      T(test_users_all_errors_and_strength),
      T(test_audit),
      T(test_demo_load),
      T(test_dispatch_recheck),
      T(test_authcache_memory),
      T(test_authcache_notify),
      T(test_authcache_marks),
      T(test_dispatch_recheck_cached),
      T(test_units_load),
      T(test_device_cookie),
      T(test_login_throttle_device),
  };
#undef T
  int failed = cmocka_run_group_tests_name("domain_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("domain_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

/* registry_fixture.h: the registry's cmocka fixture, shared by test_people.c and test_purge.c: a
 * migrated database on SQLite (a temporary file) and, when HOCVUSO_TEST_DATABASE_URL names a
 * PostgreSQL database, in a schema of its own named after REGISTRY_FIXTURE_NAME (define it before
 * including); a city, a ward, two tổ dân phố, an office, a school, an enterprise and a market;
 * helpers that add a person and a household. Synthetic data only.
 * Owns: its temporary directory and schema. Include once, after cmocka.h, sodium.h, ftw.h,
 * sys/stat.h and the domain and store headers it calls (as test_people.c does). */
#ifndef HOCVUSO_REGISTRY_FIXTURE_H
#define HOCVUSO_REGISTRY_FIXTURE_H
#ifndef REGISTRY_FIXTURE_NAME
#error "define REGISTRY_FIXTURE_NAME (the schema and directory name) before including registry_fixture.h"
#endif

typedef struct fixture {
  store_kind kind;
  store *st;
  char dir[64];
  char target[512];
  secrets keys;
  store_conn *w;
  int64_t city, ward, tdp1, tdp2, office, school, enterprise, market;
  int seq;
} fixture;

static fixture fx_sqlite = {.kind = STORE_SQLITE};
static fixture fx_pg = {.kind = STORE_PG};

#define PG_TEST_SCHEMA "hv_test_" REGISTRY_FIXTURE_NAME

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

static int unit(store_conn *w, int64_t parent, const char *kind, const char *name, int64_t *id) {
  app_err e = {0};
  int rc = units_create(w, parent, kind, name, NULL, id, &e);
  if (rc != 0) fprintf(stderr, "unit %s: %s %s\n", name, e.code, e.message);
  return rc;
}

static int common_setup(fixture *fx) {
  char err[512] = "";
  randombytes_buf(&fx->keys, sizeof fx->keys);
  if (store_migrate(fx->st, hocvuso_migrations, err, sizeof err) < 1) {
    fprintf(stderr, "store_migrate: %s\n", err);
    return -1;
  }
  store_conn *w = store_acquire(fx->st, true);
  if (!w) return -1;
  int rc = unit(w, 0, "city", "Thành phố Thử", &fx->city) || unit(w, fx->city, "ward", "Phường Thử", &fx->ward) ||
           unit(w, fx->ward, "residential_group", "Tổ dân phố số 1", &fx->tdp1) ||
           unit(w, fx->ward, "residential_group", "Tổ dân phố số 2", &fx->tdp2) ||
           unit(w, fx->ward, "office", "Văn phòng", &fx->office) ||
           unit(w, fx->ward, "school_primary", "Trường Tiểu học Thử", &fx->school) ||
           unit(w, fx->ward, "enterprise", "Công ty Thử", &fx->enterprise) ||
           unit(w, fx->ward, "market", "Chợ Thử", &fx->market);
  store_release(w);
  return rc ? -1 : 0;
}

static int setup_sqlite(void **state) {
  fixture *fx = &fx_sqlite;
  char err[256] = "";
  *state = fx;
  snprintf(fx->dir, sizeof fx->dir, "/tmp/hv_test_" REGISTRY_FIXTURE_NAME ".XXXXXX");
  if (!mkdtemp(fx->dir)) return -1;
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
    printf("note: HOCVUSO_TEST_DATABASE_URL is not set: skipping the PostgreSQL group\n");
    return 0;
  }
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

/* A person with the given fields; asserts success. */
static int64_t person(fixture *fx, const char *name, int64_t unit_id, int64_t household, const char *birth,
                      const char *sex, const char *cccd) {
  person_input in = {.full_name = name, .unit_id = unit_id, .birth_date = birth, .sex = sex, .cccd = cccd,
                     .household_id = household, .household_set = household != 0, .vneid_level = -1};
  int64_t id = 0;
  app_err e = {0};
  int rc = people_create(fx->w, &fx->keys, &in, &id, &e);
  if (rc != 0) fail_msg("people_create %s: %d %s %s %s", name, e.status, e.code, e.field, e.message);
  return id;
}

__attribute__((unused)) static int64_t household(fixture *fx, int64_t unit_id) {
  char code[32];
  snprintf(code, sizeof code, "H%d", ++fx->seq);
  int64_t id = 0;
  app_err e = {0};
  assert_int_equal(households_create(fx->w, unit_id, code, "Số 1 phố Thử", &id, &e), 0);
  return id;
}

#endif

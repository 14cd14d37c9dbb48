/* test_requests.c: data subjects' requests (requests.c) and the export's cells (export.c), on SQLite
 * and, when HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL in a schema of its
 * own. The 72-hour clock is tested without waiting: every requests_* function takes `now`, so a
 * request filed "now" is read 49, 72 and 73 hours later. Also: scope in SQL (an officer of tổ 1 does
 * not list tổ 2's requests), validation, a second answer, and the effects of restrict and delete
 * (the export leaves a restricted person out). Synthetic people only.
 */
#include <ftw.h>
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

#include "domain/export.h"
#include "domain/groups.h"
#include "domain/people.h"
#include "domain/requests.h"
#include "domain/scope.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

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

#define PG_TEST_SCHEMA "hv_test_requests"

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
  snprintf(fx->dir, sizeof fx->dir, "/tmp/hv_test_requests.XXXXXX");
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


/* An account with `role` on `unit`; its principal carries only the id (scope_sql_of needs no more). */
static int64_t officer(fixture *fx, const char *username, const char *role, int64_t unit) {
  int64_t uid = 0, gid = 0;
  app_err e = {0};
  if (users_create(fx->w, username, "Cán Bộ Thử", "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA", unit, false, &uid,
                   &e) != 0)
    fail_msg("users_create %s: %s %s", username, e.code, e.message);
  if (roles_grant(fx->w, uid, role, unit, 0, &gid, &e) != 0) fail_msg("roles_grant: %s %s", e.code, e.message);
  return uid;
}

static int64_t file_request(fixture *fx, int64_t pid, const char *kind, const char *message, int64_t now) {
  int64_t id = 0;
  app_err e = {0};
  if (requests_create(fx->w, pid, 0, kind, message, now, &id, &e) != 0)
    fail_msg("requests_create: %d %s %s", e.status, e.code, e.message);
  return id;
}

static json_t *get_at(fixture *fx, int64_t id, int64_t now) {
  json_t *o = NULL;
  app_err e = {0};
  assert_int_equal(requests_get(fx->w, id, now, &o, &e), 0);
  return o;
}

static request_summary summary_at(fixture *fx, const scope_sql *sc, int64_t now) {
  request_summary s = {0};
  app_err e = {0};
  assert_int_equal(requests_summary(fx->w, sc, now, &s, &e), 0);
  return s;
}

/* The ids listed in `sc` with the query, at `now`. */
static int listed(fixture *fx, const scope_sql *sc, request_query q, int64_t now, int64_t *ids, int max) {
  if (!q.page) q.page = 1;
  if (!q.per_page) q.per_page = 200;
  json_t *items = NULL;
  int64_t total = 0;
  app_err e = {0};
  assert_int_equal(requests_list(fx->w, sc, &q, now, &items, &total, &e), 0);
  assert_int_equal(total, (int64_t)json_array_size(items));
  int n = 0;
  size_t i;
  json_t *v;
  json_array_foreach(items, i, v) if (n < max) ids[n++] = json_integer_value(json_object_get(v, "id"));
  json_decref(items);
  return n;
}

static bool has(const int64_t *ids, int n, int64_t id) {
  for (int i = 0; i < n; i++)
    if (ids[i] == id) return true;
  return false;
}

/* ---- pure ---- */
static void test_csv_cells(void **state) {
  (void)state;
  static const struct {
    const char *in, *out;
  } cases[] = {
      {"", ""},
      {"Nguyễn Thị Hương", "Nguyễn Thị Hương"},
      {"Nguyễn, Văn", "\"Nguyễn, Văn\""},
      {"Tý \"nhỏ\"", "\"Tý \"\"nhỏ\"\"\""},
      {"hai\ndòng", "\"hai\ndòng\""},
      {"hai\r\ndòng", "\"hai\r\ndòng\""},
      {"=HYPERLINK(\"http://x\",\"a\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"a\"\")\""},
      {"=1+1", "'=1+1"},
      {"+84 912", "'+84 912"},
      {"-5", "'-5"},
      {"@SUM(A1)", "'@SUM(A1)"},
      {"\tx", "'\tx"},
      {"\rx", "\"'\rx\""},
      {"a=b", "a=b"},
      {"0912345678", "0912345678"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    buf b;
    buf_init(&b);
    export_csv_field(&b, cases[i].in);
    assert_false(b.oom);
    if (strcmp(b.data, cases[i].out) != 0) fail_msg("case %zu: [%s] gave [%s], want [%s]", i, cases[i].in, b.data, cases[i].out);
    buf_free(&b);
  }
}

static void test_kinds(void **state) {
  (void)state;
  assert_true(requests_kind_valid("access") && requests_kind_valid("correct") && requests_kind_valid("restrict") &&
              requests_kind_valid("delete"));
  assert_false(requests_kind_valid(NULL) || requests_kind_valid("") || requests_kind_valid("Access") ||
               requests_kind_valid("erase"));
}

/* people.export lets a whole list out: only roles that may read people hold it (caps.c is the
 * single source; the export's SQL asks for both anyway). */
static void test_export_capability(void **state) {
  (void)state;
  int holders = 0;
  for (int i = 0; i < roles_count; i++) {
    if (!(roles_table[i].caps & CAP_PEOPLE_EXPORT)) continue;
    holders++;
    assert_true(roles_table[i].caps & CAP_PEOPLE_READ);
  }
  assert_int_equal(holders, 2); /* ward admin, unit officer */
  assert_false(caps_of_role("police") & CAP_PEOPLE_EXPORT);
  assert_false(caps_of_role("field_helper") & CAP_PEOPLE_EXPORT);
  assert_string_equal(caps_code(CAP_PEOPLE_EXPORT), "people.export");
}

/* ---- with a database ---- */
static void test_clock(void **state) {
  fixture *fx = fx_of(state);
  scope_sql all;
  scope_sql_all(&all);
  const int64_t t0 = 1767225600; /* 2026-01-01T00:00:00Z: the law in force */
  const int64_t h = 3600;
  int64_t pid = person(fx, "Hoàng Văn Đồng Hồ", fx->tdp1, 0, "1980", "M", NULL);
  request_summary base = summary_at(fx, &all, t0 + 73 * h); /* what other tests left open */
  request_summary later = summary_at(fx, &all, t0 + 200 * h);
  int64_t id = file_request(fx, pid, "access", NULL, t0);
  json_t *o = get_at(fx, id, t0);
  assert_string_equal(json_string_value(json_object_get(o, "created_at")), "2026-01-01T00:00:00Z");
  assert_string_equal(json_string_value(json_object_get(o, "due_at")), "2026-01-04T00:00:00Z");
  assert_int_equal(json_integer_value(json_object_get(o, "hours_left")), 72);
  assert_true(json_is_false(json_object_get(o, "overdue")));
  json_decref(o);
  /* 49 hours on: due within 24 hours, not overdue. */
  o = get_at(fx, id, t0 + 49 * h);
  assert_int_equal(json_integer_value(json_object_get(o, "hours_left")), 23);
  json_decref(o);
  request_summary s = summary_at(fx, &all, t0 + 49 * h);
  assert_true(s.open >= 1 && s.due_within_24h >= 1);
  /* At the 72nd hour exactly it is still on time; one second later it is overdue. */
  o = get_at(fx, id, t0 + 72 * h);
  assert_true(json_is_false(json_object_get(o, "overdue")));
  assert_int_equal(json_integer_value(json_object_get(o, "hours_left")), 0);
  json_decref(o);
  o = get_at(fx, id, t0 + 72 * h + 1);
  assert_true(json_is_true(json_object_get(o, "overdue")));
  assert_int_equal(json_integer_value(json_object_get(o, "hours_left")), -1);
  json_decref(o);
  s = summary_at(fx, &all, t0 + 73 * h);
  assert_int_equal(s.overdue, base.overdue + 1);
  assert_int_equal(s.open, base.open + 1);
  int64_t ids[64];
  int n = listed(fx, &all, (request_query){.overdue = true}, t0 + 73 * h, ids, 64);
  assert_true(has(ids, n, id));
  n = listed(fx, &all, (request_query){.overdue = true}, t0 + 71 * h, ids, 64);
  assert_false(has(ids, n, id));
  /* Answered late: no longer open, no longer overdue. */
  request_answered done;
  app_err e = {0};
  assert_int_equal(requests_answer(fx->w, id, "done", "Đã gửi bản sao hồ sơ.", 0, t0 + 80 * h, 30, &done, &e), 0);
  o = get_at(fx, id, t0 + 100 * h);
  assert_true(json_is_false(json_object_get(o, "overdue")));
  assert_true(json_is_null(json_object_get(o, "hours_left")));
  assert_string_equal(json_string_value(json_object_get(o, "answered_at")), "2026-01-04T08:00:00Z");
  json_decref(o);
  n = listed(fx, &all, (request_query){.overdue = true}, t0 + 100 * h, ids, 64);
  assert_false(has(ids, n, id));
  s = summary_at(fx, &all, t0 + 200 * h);
  assert_int_equal(s.open, later.open);
  assert_int_equal(s.overdue, later.overdue);
}

static void test_scope(void **state) {
  fixture *fx = fx_of(state);
  char u1[32], u2[32], ua[32];
  snprintf(u1, sizeof u1, "to1.%d", ++fx->seq);
  snprintf(u2, sizeof u2, "to2.%d", ++fx->seq);
  snprintf(ua, sizeof ua, "phuong.%d", ++fx->seq);
  principal o1 = {.user_id = officer(fx, u1, "unit_officer", fx->tdp1)};
  principal o2 = {.user_id = officer(fx, u2, "unit_officer", fx->tdp2)};
  principal wa = {.user_id = officer(fx, ua, "ward_admin", fx->ward)};
  principal helper = {.user_id = officer(fx, "giup.viec", "field_helper", fx->tdp1)};
  int64_t now = clock_now();
  int64_t a = file_request(fx, person(fx, "Bùi Thị Tổ Một", fx->tdp1, 0, NULL, NULL, NULL), "delete", NULL, now);
  int64_t b = file_request(fx, person(fx, "Bùi Văn Tổ Hai", fx->tdp2, 0, NULL, NULL, NULL), "access", NULL, now);
  scope_sql s1, s2, sw, sh;
  scope_sql_of(&s1, &o1, CAP_PEOPLE_WRITE);
  scope_sql_of(&s2, &o2, CAP_PEOPLE_WRITE);
  scope_sql_of(&sw, &wa, CAP_PEOPLE_WRITE);
  scope_sql_of(&sh, &helper, CAP_PEOPLE_WRITE); /* a field helper holds people.read only */
  int64_t ids[256];
  int n = listed(fx, &s1, (request_query){0}, now, ids, 256);
  assert_true(has(ids, n, a));
  assert_false(has(ids, n, b));
  n = listed(fx, &s2, (request_query){0}, now, ids, 256);
  assert_false(has(ids, n, a));
  assert_true(has(ids, n, b));
  n = listed(fx, &sw, (request_query){0}, now, ids, 256);
  assert_true(has(ids, n, a) && has(ids, n, b));
  n = listed(fx, &sw, (request_query){.unit_id = fx->tdp2}, now, ids, 256);
  assert_true(!has(ids, n, a) && has(ids, n, b));
  assert_int_equal(listed(fx, &sh, (request_query){0}, now, ids, 256), 0);
  request_summary x1 = summary_at(fx, &s1, now), xw = summary_at(fx, &sw, now);
  assert_true(x1.open >= 1 && xw.open >= x1.open + 1);
  assert_int_equal(summary_at(fx, &sh, now).open, 0);
  /* The dispatcher's view of one request: the registering unit's path. */
  arena ar;
  arena_init(&ar);
  int64_t unit_id = 0;
  const char *path = NULL;
  app_err e = {0};
  assert_int_equal(requests_reach(fx->w, b, &ar, &unit_id, &path, &e), 0);
  assert_int_equal(unit_id, fx->tdp2);
  assert_non_null(strstr(path, "/"));
  e = (app_err){0};
  assert_int_equal(requests_reach(fx->w, 987654321, &ar, &unit_id, &path, &e), -1);
  assert_int_equal(e.status, 404);
  arena_free(&ar);
}

static void test_validation(void **state) {
  fixture *fx = fx_of(state);
  int64_t pid = person(fx, "Cao Thị Kiểm Tra", fx->tdp1, 0, NULL, NULL, NULL), id = 0, now = clock_now();
  app_err e = {0};
  assert_int_equal(requests_create(fx->w, pid, 0, "correct", NULL, now, &id, &e), -1);
  assert_string_equal(e.field, "message");
  e = (app_err){0};
  assert_int_equal(requests_create(fx->w, pid, 0, "correct", " \n\t", now, &id, &e), -1);
  assert_string_equal(e.code, "missing_field");
  e = (app_err){0};
  assert_int_equal(requests_create(fx->w, pid, 0, "forget", "x", now, &id, &e), -1);
  assert_string_equal(e.field, "kind");
  char longer[2002 * 2 + 1];
  for (int i = 0; i < 2001; i++) memcpy(longer + 2 * i, "\xc3\xb4", 2); /* 2001 × "ô" */
  longer[2001 * 2] = '\0';
  e = (app_err){0};
  assert_int_equal(requests_create(fx->w, pid, 0, "access", longer, now, &id, &e), -1);
  assert_string_equal(e.field, "message");
  longer[2000 * 2] = '\0'; /* 2000 characters (4000 bytes) is allowed */
  e = (app_err){0};
  assert_int_equal(requests_create(fx->w, pid, 0, "access", longer, now, &id, &e), 0);
  e = (app_err){0};
  assert_int_equal(requests_create(fx->w, 987654321, 0, "access", NULL, now, &id, &e), -1);
  int64_t q = file_request(fx, pid, "correct", "Sai số điện thoại", now);
  request_answered done;
  e = (app_err){0};
  assert_int_equal(requests_answer(fx->w, q, "refused", "  ", 0, now, 30, &done, &e), -1);
  assert_string_equal(e.field, "answer");
  e = (app_err){0};
  assert_int_equal(requests_answer(fx->w, q, "later", "x", 0, now, 30, &done, &e), -1);
  assert_string_equal(e.field, "outcome");
  e = (app_err){0};
  assert_int_equal(requests_answer(fx->w, 987654321, "done", NULL, 0, now, 30, &done, &e), -1);
  assert_int_equal(e.status, 404);
  e = (app_err){0};
  assert_int_equal(requests_answer(fx->w, q, "refused", "Số cũ vẫn đúng theo sổ hộ khẩu.", 0, now, 30, &done, &e), 0);
  assert_false(done.done);
  e = (app_err){0};
  assert_int_equal(requests_answer(fx->w, q, "done", NULL, 0, now, 30, &done, &e), -1);
  assert_int_equal(e.status, 409);
  json_t *o = get_at(fx, q, now);
  assert_string_equal(json_string_value(json_object_get(o, "outcome")), "refused");
  assert_string_equal(json_string_value(json_object_get(o, "message")), "Sai số điện thoại");
  json_decref(o);
}

static void test_effects(void **state) {
  fixture *fx = fx_of(state);
  scope_sql all;
  scope_sql_all(&all);
  int64_t now = clock_now();
  int64_t pr = person(fx, "Đinh Thị Hạn Chế", fx->tdp2, 0, "1990", "F", NULL);
  int64_t pd = person(fx, "Đinh Văn Xóa Bỏ", fx->tdp2, 0, "1991", "M", NULL);
  people_query q = {.q = "dinh", .age_min = -1, .age_max = -1, .vneid_level = -1};
  int64_t count = 0;
  app_err e = {0};
  assert_int_equal(export_count(fx->w, &fx->keys, &all, &q, &count, &e), 0);
  assert_int_equal(count, 2);
  /* Restrict refused: nothing changes; done: the person leaves the export. */
  request_answered done;
  int64_t r1 = file_request(fx, pr, "restrict", NULL, now);
  assert_int_equal(requests_answer(fx->w, r1, "refused", "Cần giữ để thống kê theo quy định.", 0, now, 30, &done, &e), 0);
  assert_false(done.restricted);
  assert_int_equal(export_count(fx->w, &fx->keys, &all, &q, &count, &e), 0);
  assert_int_equal(count, 2);
  int64_t r2 = file_request(fx, pr, "restrict", NULL, now);
  assert_int_equal(requests_answer(fx->w, r2, "done", NULL, 0, now, 30, &done, &e), 0);
  assert_true(done.restricted && !done.person_deleted);
  assert_int_equal(done.person_id, pr);
  assert_int_equal(done.unit_id, fx->tdp2);
  json_t *o = get_at(fx, r1, now);
  assert_true(json_is_true(json_object_get(o, "person_restricted")));
  json_decref(o);
  assert_int_equal(export_count(fx->w, &fx->keys, &all, &q, &count, &e), 0);
  assert_int_equal(count, 1);
  /* Delete done: the record is soft-deleted; the request remains readable. */
  int64_t d = file_request(fx, pd, "delete", NULL, now);
  assert_int_equal(requests_answer(fx->w, d, "done", "Đã xóa.", 0, now, 30, &done, &e), 0);
  assert_true(done.person_deleted);
  arena ar;
  arena_init(&ar);
  person_reach reach;
  e = (app_err){0};
  assert_int_equal(people_reach(fx->w, pd, &ar, &reach, &e), -1);
  assert_int_equal(e.status, 404);
  int64_t unit_id = 0;
  const char *path = NULL;
  assert_int_equal(requests_reach(fx->w, d, &ar, &unit_id, &path, &e), 0);
  arena_free(&ar);
  o = get_at(fx, d, now);
  assert_true(json_is_true(json_object_get(o, "person_deleted")));
  json_decref(o);
  assert_int_equal(export_count(fx->w, &fx->keys, &all, &q, &count, &e), 0);
  assert_int_equal(count, 0);
  /* A delete answered done for a person already deleted by staff: fine, nothing more to do. */
  int64_t pe = person(fx, "Đinh Thị Đã Xóa", fx->tdp2, 0, NULL, NULL, NULL);
  int64_t late = file_request(fx, pe, "delete", NULL, now);
  assert_int_equal(people_delete(fx->w, pe, 30, &unit_id, &e), 0);
  assert_int_equal(requests_answer(fx->w, late, "done", NULL, 0, now, 30, &done, &e), 0);
  assert_false(done.person_deleted);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_csv_cells),
      cmocka_unit_test(test_kinds),
      cmocka_unit_test(test_export_capability),
  };
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {
      T(test_clock),
      T(test_scope),
      T(test_validation),
      T(test_effects),
  };
#undef T
  int failed = cmocka_run_group_tests_name("requests_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("requests_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("requests_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

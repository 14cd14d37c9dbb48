/* test_confirmations.c: confirmations from outside (confirmations.c) on SQLite and, when
 * HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL in a schema of its own:
 * kinds and dates as lists write them; a record made twice is one row; people counted by kind in
 * a scope (an officer of tổ 1 counts none of tổ 2), a deleted person no longer; an import matches
 * by CCCD hash within the scope only, reports unmatched and bad rows, crosses a chunk boundary and
 * records nothing twice when run again. Synthetic people only.
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

#include "domain/confirmations.h"
#include "domain/groups.h"
#include "domain/people.h"
#include "domain/scope.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "confirmations"
#include "registry_fixture.h"


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

/* A fresh CCCD of the test run: Hà Nội, a man of the 20th century born in 1980, a serial. */
static void cccd_of(fixture *fx, char out[13]) {
  snprintf(out, 13, "001080%06u", (unsigned)++fx->seq % 1000000u);
}

static int64_t with_cccd(fixture *fx, const char *name, int64_t unit_id, char cccd[13]) {
  cccd_of(fx, cccd);
  return person(fx, name, unit_id, 0, NULL, NULL, cccd);
}

static int64_t count_of(fixture *fx, const scope_sql *sc, int64_t unit_id, const char *kind) {
  int64_t n = -1;
  app_err e = {0};
  assert_int_equal(confirmations_count(fx->w, sc, unit_id, kind, &n, &e), 0);
  return n;
}

/* ---- pure ---- */
static void test_kinds_and_dates(void **state) {
  (void)state;
  assert_string_equal(confirmations_kind_parse("VNeID"), CONF_VNEID);
  assert_string_equal(confirmations_kind_parse(" vneid "), CONF_VNEID);
  assert_string_equal(confirmations_kind_parse("Nền tảng Bình dân học vụ số"), CONF_NATIONAL);
  assert_string_equal(confirmations_kind_parse("nen tang binh dan hoc vu so"), CONF_NATIONAL);
  assert_string_equal(confirmations_kind_parse("binhdanhocvuso.gov.vn"), CONF_NATIONAL);
  assert_string_equal(confirmations_kind_parse("national_platform"), CONF_NATIONAL);
  assert_string_equal(confirmations_kind_parse("Khóa học khác"), CONF_COURSE);
  assert_string_equal(confirmations_kind_parse("course_elsewhere"), CONF_COURSE);
  assert_null(confirmations_kind_parse("giấy khen"));
  assert_null(confirmations_kind_parse(""));
  assert_null(confirmations_kind_parse(NULL));
  assert_string_equal(confirmations_kind_label(CONF_NATIONAL), "Nền tảng Bình dân học vụ số");
  assert_string_equal(confirmations_kind_label("x"), "");
  assert_string_equal(confirmations_default_source(CONF_VNEID), "VNeID");
  assert_null(confirmations_default_source(CONF_COURSE));
  static const struct {
    const char *in;
    int64_t key; /* 0: refused */
  } dates[] = {
      {"15/03/2026", 20260315}, {"5/3/2026", 20260305}, {"2026-03-15", 20260315}, {" 01.12.2025 ", 20251201},
      {"29/02/2024", 20240229}, {"29/02/2025", 0},      {"2026", 0},             {"00/00/2026", 0},
      {"15/03/26", 0},          {"02/12/2026", 0} /* after today below */, {"31/12/1999", 0}, {"", 0},
      {"hôm qua", 0},
  };
  for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
    int64_t k = 0;
    const char *why = NULL;
    int rc = confirmations_parse_date(dates[i].in, 20261201, &k, &why);
    if (dates[i].key) {
      if (rc != 0) fail_msg("%s refused: %s", dates[i].in, why);
      assert_int_equal(k, dates[i].key);
    } else {
      if (rc == 0) fail_msg("%s accepted as %lld", dates[i].in, (long long)k);
      assert_non_null(why);
    }
  }
}

/* ---- with a database ---- */
static void test_record(void **state) {
  fixture *fx = fx_of(state);
  char cccd[13];
  int64_t p = with_cccd(fx, "Nguyễn Thị Ghi", fx->tdp1, cccd);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  confirmation_input in = {.kind = "VNeID", .confirmed_on = "15/03/2026"};
  int64_t id1 = 0, id2 = 0, now = clock_now();
  bool created = false;
  app_err e = {0};
  assert_int_equal(confirmations_record(fx->w, p, &in, 0, now, &id1, &created, &e), 0);
  assert_true(created);
  in.kind = "vneid";
  in.confirmed_on = "2026-03-15";
  assert_int_equal(confirmations_record(fx->w, p, &in, 0, now, &id2, &created, &e), 0);
  assert_false(created);
  assert_int_equal(id1, id2);
  /* Another source or day is another confirmation. */
  in.source = "Công an phường";
  assert_int_equal(confirmations_record(fx->w, p, &in, 0, now, &id2, &created, &e), 0);
  assert_true(created);
  assert_int_not_equal(id1, id2);
  /* Bad input names its field. */
  static const struct {
    confirmation_input in;
    const char *field;
  } bad[] = {
      {{.kind = "khác", .confirmed_on = "15/03/2026"}, "kind"},
      {{.kind = NULL, .confirmed_on = "15/03/2026"}, "kind"},
      {{.kind = "vneid", .confirmed_on = "31/02/2026"}, "confirmed_on"},
      {{.kind = "course_elsewhere", .confirmed_on = "15/03/2026"}, "source"},
      {{.kind = "course_elsewhere", .source = "   ", .confirmed_on = "15/03/2026"}, "source"},
      {{.kind = "vneid", .source = "a\xe2\x80\x8b" "b", .confirmed_on = "15/03/2026"}, "source"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    app_err be = {0};
    assert_int_equal(confirmations_record(fx->w, p, &bad[i].in, 0, now, &id2, &created, &be), -1);
    assert_int_equal(be.status, 400);
    assert_string_equal(be.field, bad[i].field);
  }
  char longref[CONF_REFERENCE_MAX + 2];
  memset(longref, 'x', sizeof longref - 1);
  longref[sizeof longref - 1] = 0;
  confirmation_input lr = {.kind = "vneid", .confirmed_on = "15/03/2026", .reference = longref};
  app_err le = {0};
  assert_int_equal(confirmations_record(fx->w, p, &lr, 0, now, &id2, &created, &le), -1);
  assert_string_equal(le.field, "reference");
  /* An unknown person. */
  app_err ne = {0};
  in.source = NULL;
  assert_int_equal(confirmations_record(fx->w, 987654321, &in, 0, now, &id2, &created, &ne), -1);
  assert_int_equal(ne.status, 404);
  json_t *items = NULL;
  assert_int_equal(confirmations_of_person(fx->w, p, &items, &e), 0);
  assert_int_equal(json_array_size(items), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "confirmed_on")), "2026-03-15");
  json_decref(items);
  /* Removed: gone; its reach is 404. */
  int64_t pid = 0, uid = 0;
  char kind[20];
  assert_int_equal(confirmations_delete(fx->w, id1, &pid, &uid, kind, &e), 0);
  assert_int_equal(pid, p);
  assert_int_equal(uid, fx->tdp1);
  assert_string_equal(kind, "vneid");
  arena a;
  arena_init(&a);
  const char *path = NULL;
  app_err re = {0};
  assert_int_equal(confirmations_reach(fx->w, id1, &a, &pid, &uid, &path, &re), -1);
  assert_int_equal(re.status, 404);
  assert_int_equal(confirmations_reach(fx->w, id2, &a, &pid, &uid, &path, &re), 0);
  assert_non_null(path);
  arena_free(&a);
  assert_int_equal(store_commit(fx->w), STORE_OK);
}

static void test_count_scope(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t u = 0;
  app_err e = {0};
  char nm[64];
  snprintf(nm, sizeof nm, "Tổ đếm %d", ++fx->seq);
  assert_int_equal(units_create(fx->w, fx->ward, "residential_group", nm, NULL, &u, &e), 0);
  char c1[13], c2[13], c3[13], c4[13];
  int64_t p1 = with_cccd(fx, "Người Một", u, c1), p2 = with_cccd(fx, "Người Hai", u, c2);
  int64_t p3 = with_cccd(fx, "Người Ba", u, c3), p4 = with_cccd(fx, "Người Bốn", fx->tdp2, c4);
  (void)p3;
  char user1[32], user2[32];
  snprintf(user1, sizeof user1, "dem.to.%d", fx->seq);
  snprintf(user2, sizeof user2, "dem.phuong.%d", fx->seq);
  principal o = {.user_id = officer(fx, user1, "unit_officer", u)};
  principal w = {.user_id = officer(fx, user2, "ward_admin", fx->ward)};
  scope_sql so, sw, sall;
  scope_sql_of(&so, &o, CAP_PEOPLE_READ);
  scope_sql_of(&sw, &w, CAP_PEOPLE_READ);
  scope_sql_all(&sall);
  int64_t id = 0, now = clock_now();
  bool created;
  struct {
    int64_t p;
    const char *kind, *source, *date;
  } rec[] = {
      {p1, "vneid", NULL, "01/03/2026"}, {p1, "vneid", "Công an phường", "02/03/2026"},
      {p1, "national_platform", NULL, "03/03/2026"}, {p2, "vneid", NULL, "04/03/2026"},
      {p4, "vneid", NULL, "05/03/2026"}, {p4, "course_elsewhere", "Trường nghề", "05/03/2026"},
  };
  for (size_t i = 0; i < sizeof rec / sizeof rec[0]; i++) {
    confirmation_input in = {.kind = rec[i].kind, .source = rec[i].source, .confirmed_on = rec[i].date};
    assert_int_equal(confirmations_record(fx->w, rec[i].p, &in, 0, now, &id, &created, &e), 0);
  }
  assert_int_equal(count_of(fx, &so, 0, CONF_VNEID), 2);
  assert_int_equal(count_of(fx, &so, 0, CONF_NATIONAL), 1);
  assert_int_equal(count_of(fx, &so, 0, CONF_COURSE), 0);
  assert_int_equal(count_of(fx, &so, 0, NULL), 2);
  /* The ward's admin, filtered to the unit, counts the same; unfiltered, tổ 2 too. */
  assert_int_equal(count_of(fx, &sw, u, CONF_VNEID), 2);
  assert_int_equal(count_of(fx, &sw, fx->tdp2, CONF_VNEID), 1);
  assert_int_equal(count_of(fx, &sw, fx->tdp2, CONF_COURSE), 1);
  assert_true(count_of(fx, &sall, 0, CONF_VNEID) >= 3);
  /* The officer of the unit counts nothing of tổ 2 (the filter is not a way out of the scope). */
  assert_int_equal(count_of(fx, &so, fx->tdp2, CONF_VNEID), 0);
  app_err ke = {0};
  int64_t n = 0;
  assert_int_equal(confirmations_count(fx->w, &so, 0, "khac", &n, &ke), -1);
  assert_string_equal(ke.field, "kind");
  /* The list, newest first, in scope. */
  confirmation_query q = {.kind = CONF_VNEID, .page = 1, .per_page = 50};
  json_t *items = NULL;
  int64_t total = 0;
  assert_int_equal(confirmations_list(fx->w, &so, &q, &items, &total, &e), 0);
  assert_int_equal(total, 3);
  assert_int_equal(json_array_size(items), 3);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "confirmed_on")), "2026-03-04");
  json_decref(items);
  /* A deleted person is counted no more. */
  int64_t was = 0;
  assert_int_equal(people_delete(fx->w, p1, 30, &was, &e), 0);
  assert_int_equal(count_of(fx, &so, 0, CONF_VNEID), 1);
  assert_int_equal(count_of(fx, &so, 0, CONF_NATIONAL), 0);
  assert_int_equal(store_commit(fx->w), STORE_OK);
}

/* The lines of an import's list (unmatched or rejected) in `ids`. */
static int lines_of(json_t *o, const char *list, int64_t *ids, int max) {
  int n = 0;
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(o, list), i, v) if (n < max) ids[n++] = json_integer_value(json_object_get(v, "line"));
  return n;
}

static void test_import(void **state) {
  fixture *fx = fx_of(state);
  /* People: 1,004 in a unit of their own (a chunk is 1,000 rows), one in tổ 2. */
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t u = 0;
  app_err e = {0};
  char nm[64];
  snprintf(nm, sizeof nm, "Tổ nhập %d", ++fx->seq);
  assert_int_equal(units_create(fx->w, fx->ward, "residential_group", nm, NULL, &u, &e), 0);
  enum { N = CONF_IMPORT_CHUNK + 4 };
  static char cccd[N][13];
  char other[13];
  for (int i = 0; i < N; i++) {
    char name[64];
    snprintf(name, sizeof name, "Người Nhập %c%c%c", 'a' + i % 26, 'a' + i / 26 % 26, 'a' + i / 676);
    with_cccd(fx, name, u, cccd[i]);
  }
  with_cccd(fx, "Người Tổ Hai", fx->tdp2, other);
  char user[32];
  snprintf(user, sizeof user, "nhap.to.%d", fx->seq);
  principal o = {.user_id = officer(fx, user, "unit_officer", u)};
  assert_int_equal(store_commit(fx->w), STORE_OK);
  store_release(fx->w); /* the import takes the writer chunk by chunk */
  fx->w = NULL;
  scope_sql so;
  scope_sql_of(&so, &o, CAP_PEOPLE_WRITE);
  buf b;
  buf_init(&b);
  buf_puts(&b, "Số CCCD,Loại xác nhận,Nguồn,Ngày xác nhận,Số hiệu\r\n");
  for (int i = 0; i < N; i++) buf_printf(&b, "%s,%s,,%02d/03/2026,\r\n", cccd[i], i % 2 ? "VNeID" : "Nền tảng Bình dân học vụ số", 1 + i % 28);
  buf_printf(&b, "%s,VNeID,,01/03/2026,\r\n", other);          /* line N + 2: tổ 2, out of scope */
  buf_puts(&b, "001080999999,VNeID,,01/03/2026,\r\n");        /* N + 3: nobody */
  buf_printf(&b, "%s,VNeID,,01/03/2099,\r\n", cccd[0]);       /* N + 4: future */
  buf_printf(&b, "'%s,VNeID,,01/03/2026,\r\n", cccd[0]);      /* N + 5: not 12 digits */
  buf_printf(&b, "%s,,,01/03/2026,\r\n", cccd[0]);            /* N + 6: no kind */
  buf_printf(&b, "%s,VNeID,,01/03/2026,%0101d\r\n", cccd[1], 7); /* N + 7: reference too long */
  conf_import_opts opts = {.scope = &so, .by_user = o.user_id, .by_username = user, .file_name = "t.csv"};
  json_t *r = NULL;
  assert_int_equal(confirmations_import(fx->st, &fx->keys, NULL, b.data, b.len, &opts, &r, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(r, "recorded")), N);
  assert_int_equal(json_integer_value(json_object_get(r, "unchanged")), 0);
  int64_t ids[16];
  assert_int_equal(lines_of(r, "unmatched", ids, 16), 2);
  assert_int_equal(ids[0], N + 2);
  assert_int_equal(ids[1], N + 3);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r, "unmatched"), 0), "reason")),
                      json_string_value(json_object_get(json_array_get(json_object_get(r, "unmatched"), 1), "reason")));
  assert_int_equal(lines_of(r, "rejected", ids, 16), 4);
  static const char *const fields[] = {"confirmed_on", "cccd", "kind", "reference"};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(ids[i], N + 4 + i);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r, "rejected"), (size_t)i), "field")),
                        fields[i]);
  }
  /* No CCCD in the answer. */
  char *text = json_dumps(r, 0);
  assert_non_null(text);
  assert_null(strstr(text, cccd[0]));
  assert_null(strstr(text, other));
  free(text);
  json_decref(r);
  /* Again: nothing recorded; the report capped. */
  opts.report_max = 1;
  assert_int_equal(confirmations_import(fx->st, &fx->keys, NULL, b.data, b.len, &opts, &r, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(r, "recorded")), 0);
  assert_int_equal(json_integer_value(json_object_get(r, "unchanged")), N);
  assert_int_equal(json_array_size(json_object_get(r, "unmatched")), 1);
  assert_int_equal(json_integer_value(json_object_get(r, "unmatched_count")), 2);
  assert_int_equal(json_integer_value(json_object_get(r, "rejected_count")), 4);
  json_decref(r);
  /* The operator over everything matches tổ 2's person too. */
  scope_sql sall;
  scope_sql_all(&sall);
  opts.scope = &sall;
  opts.by_user = 0;
  opts.report_max = 0;
  assert_int_equal(confirmations_import(fx->st, &fx->keys, NULL, b.data, b.len, &opts, &r, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(r, "recorded")), 1);
  json_decref(r);
  /* A file without its columns writes nothing and names the file. */
  app_err fe = {0};
  const char *bad = "Họ và tên,Ngày\r\nAi,01/01/2026\r\n";
  assert_int_equal(confirmations_import(fx->st, &fx->keys, NULL, bad, strlen(bad), &opts, &r, &fe), -1);
  assert_int_equal(fe.status, 400);
  assert_string_equal(fe.field, "file");
  assert_non_null(strstr(fe.message, "Loại xác nhận"));
  buf_free(&b);
  fx->w = store_acquire(fx->st, true);
  assert_non_null(fx->w);
  int64_t n = 0;
  assert_int_equal(confirmations_count(fx->w, &so, 0, NULL, &n, &e), 0);
  assert_int_equal(n, N);
}

/* The demo's confirmations: a share of the adults, each kind among the three, none for a child, and
 * nothing more when loaded again. */
static void test_demo(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t u = 0;
  app_err e = {0};
  char nm[64];
  snprintf(nm, sizeof nm, "Tổ mẫu %d", ++fx->seq);
  assert_int_equal(units_create(fx->w, fx->ward, "residential_group", nm, NULL, &u, &e), 0);
  for (int i = 0; i < 200; i++) {
    char name[64];
    snprintf(name, sizeof name, "Người Mẫu %c%c", 'a' + i % 26, 'a' + i / 26);
    person(fx, name, u, 0, i % 10 == 0 ? "2020" : "1975", NULL, NULL);
  }
  assert_int_equal(store_commit(fx->w), STORE_OK);
  store_release(fx->w);
  fx->w = NULL;
  int64_t added = 0, again = 0;
  char err[256];
  assert_int_equal(confirmations_demo(fx->st, clock_now(), &added, err, sizeof err), 0);
  assert_true(added > 0);
  assert_int_equal(confirmations_demo(fx->st, clock_now(), &again, err, sizeof err), 0);
  assert_int_equal(again, 0);
  fx->w = store_acquire(fx->st, true);
  assert_non_null(fx->w);
  scope_sql sall;
  scope_sql_all(&sall);
  int64_t v = count_of(fx, &sall, u, CONF_VNEID), n = count_of(fx, &sall, u, CONF_NATIONAL);
  int64_t any = count_of(fx, &sall, u, NULL);
  /* 180 adults: about 46% and 28% of them (chosen by id), never more than the adults. */
  assert_true(v >= 50 && v <= 120);
  assert_true(n >= 25 && n <= 80);
  assert_true(any <= 180);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_kinds_and_dates),
  };
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {
      T(test_record),
      T(test_count_scope),
      T(test_import),
      T(test_demo),
  };
#undef T
  int failed = cmocka_run_group_tests_name("confirmations_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("confirmations_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("confirmations_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

/* test_indicators_left.c: those an indicator leaves behind (indicators_left.h). On SQLite and, when
 * HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL: a tổ dân phố of a few people
 * placed by hand, with and without the facts; exactly who is listed for T3, T4, T5, M3 and an
 * indicator an admin defined, on a date; that the list holds denominator − numerator of
 * ind_compute; the worklist file; the refusals. Synthetic people only.
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

#include "domain/groups.h"
#include "domain/indicators.h"
#include "domain/indicators_left.h"
#include "domain/people.h"
#include "domain/units.h"
#include "domain/vneid.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/buf.h"

#define REGISTRY_FIXTURE_NAME "indicators_left"
#include "registry_fixture.h"

static void exec_ok(fixture *fx, const char *sql) {
  if (store_exec(fx->w, sql) != STORE_OK) fail_msg("%s: %s", sql, store_errmsg(fx->w));
}

/* The ids listed (all pages of 2, so that paging is exercised), in order; asserts the total. */
static void listed(fixture *fx, const char *code, int64_t unit, int64_t date, const int64_t *want, int nwant) {
  int64_t got[64];
  int n = 0;
  for (int page = 1; page < 40; page++) {
    json_t *o = NULL;
    ind_left_info info;
    app_err e = {0};
    if (ind_left_page(fx->w, code, unit, date, page, 2, true, &o, &info, &e) != 0)
      fail_msg("%s: %d %s %s", code, e.status, e.code, e.message);
    if (json_integer_value(json_object_get(o, "total")) != nwant)
      fail_msg("%s on %lld: total %lld, wanted %d", code, (long long)date,
               (long long)json_integer_value(json_object_get(o, "total")), nwant);
    json_t *items = json_object_get(o, "items");
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) if (n < 64) got[n++] = json_integer_value(json_object_get(it, "id"));
    size_t k = json_array_size(items);
    json_decref(o);
    if (k < 2) break;
  }
  if (n != nwant) fail_msg("%s: %d listed, wanted %d", code, n, nwant);
  for (int i = 0; i < n; i++)
    if (got[i] != want[i]) fail_msg("%s: item %d is %lld, wanted %lld", code, i, (long long)got[i], (long long)want[i]);
}

/* The indicator's figures by ind_compute: the list must hold denominator − numerator. */
static int64_t left_by_figures(fixture *fx, const char *code, int64_t unit, int64_t date) {
  json_t *o = NULL;
  app_err e = {0};
  if (ind_compute(fx->w, unit, date, &o, &e) != 0) fail_msg("ind_compute: %s", e.message);
  size_t i;
  json_t *it;
  int64_t left = -1;
  json_array_foreach(json_object_get(o, "items"), i, it) if (strcmp(json_string_value(json_object_get(it, "code")), code) == 0)
      left = json_integer_value(json_object_get(it, "denominator")) - json_integer_value(json_object_get(it, "numerator"));
  json_decref(o);
  if (left < 0) fail_msg("no figure for %s", code);
  return left;
}

static void test_left_behind(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t tdp = 0, office = 0;
  char nm[64], sql[640];
  snprintf(nm, sizeof nm, "Tổ chưa đạt %d", ++fx->seq);
  assert_int_equal(unit(fx->w, fx->ward, "residential_group", nm, &tdp), 0);
  snprintf(nm, sizeof nm, "Phòng chưa đạt %d", ++fx->seq);
  assert_int_equal(unit(fx->w, fx->ward, "office", nm, &office), 0);
  int64_t h1 = household(fx, tdp), h2 = household(fx, tdp), h3 = household(fx, tdp);
  (void)h3; /* nobody lives there: in no list */
  /* Names chosen so that the order by name is A…G within the tổ. */
  int64_t a = person(fx, "An Chứng Nhận", tdp, h1, "1970", NULL, NULL);         /* certified: learned */
  int64_t b = person(fx, "Bình Xác Nhận", tdp, h1, "1985", NULL, NULL);         /* VNeID on 2026-01-05, level 2 */
  int64_t c = person(fx, "Cường Chưa Học", tdp, h2, "1990", NULL, NULL);        /* nothing */
  int64_t d = person(fx, "Dung Hạn Chế", tdp, h2, "1980", NULL, NULL);          /* nothing; restricted */
  int64_t kid = person(fx, "Em Bé", tdp, h2, "2015", NULL, NULL);               /* no adult */
  int64_t w = person(fx, "Giang Công Nhân", tdp, h2, "1995", NULL, NULL);       /* a worker, nothing */
  int64_t gone = person(fx, "Gia Đã Xóa", tdp, h2, "1975", NULL, NULL);         /* deleted: nowhere */
  int64_t staff = person(fx, "Hải Cán Bộ", fx->tdp2, 0, "1988", NULL, NULL);    /* office staff living nowhere */
  (void)kid;
  exec_ok(fx, "INSERT INTO signing_keys (kid, public_key, seed_sealed, valid_from, created_at)"
              " SELECT 'k-left', 'x', 'x', 1, 1 WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE kid = 'k-left')");
  exec_ok(fx, "INSERT INTO programmes (code, title, requirements, created_at, updated_at)"
              " SELECT 'LEFT-THU', 'Thử', '{}', 1, 1 WHERE NOT EXISTS (SELECT 1 FROM programmes WHERE code = 'LEFT-THU')");
  snprintf(sql, sizeof sql,
           "INSERT INTO certificates (id, programme_id, person_id, learner, holder_name, programme_title, issued_on,"
           " issuer, kid, payload, signature, issued_at) SELECT %lld, id, %lld, 'p%lld', 'Người Thử', 'Thử',"
           " '2026-01-01', 'Phường Thử', 'k-left', 'p', 's', 1767200000 FROM programmes WHERE code = 'LEFT-THU'",
           (long long)(3000000000000000 + a), (long long)a, (long long)a);
  exec_ok(fx, sql);
  snprintf(sql, sizeof sql,
           "INSERT INTO external_confirmations (person_id, kind, source, confirmed_on, created_at)"
           " VALUES (%lld, 'vneid', 'VNeID', 20260105, 1)", (long long)b);
  exec_ok(fx, sql);
  snprintf(sql, sizeof sql, "UPDATE people SET vneid_level = 2 WHERE id = %lld", (long long)b);
  exec_ok(fx, sql);
  app_err ve = {0}; /* level 2 since the confirmation's day, not the day it was recorded */
  if (vneid_backdate(fx->w, b, 20260105, &ve) != 0) fail_msg("vneid_backdate: %s", ve.message);
  snprintf(sql, sizeof sql, "UPDATE people SET phone = '0912345678' WHERE id = %lld", (long long)c);
  exec_ok(fx, sql);
  snprintf(sql, sizeof sql,
           "INSERT INTO data_requests (person_id, kind, status, created_at, due_at, outcome, answered_at)"
           " VALUES (%lld, 'restrict', 'answered', 1, 2, 'done', 3)", (long long)d);
  exec_ok(fx, sql);
  snprintf(sql, sizeof sql, "INSERT INTO memberships (person_id, unit_id, kind) VALUES (%lld, %lld, 'worker')",
           (long long)w, (long long)fx->enterprise);
  exec_ok(fx, sql);
  snprintf(sql, sizeof sql, "INSERT INTO memberships (person_id, unit_id, kind) VALUES (%lld, %lld, 'staff')",
           (long long)staff, (long long)office);
  exec_ok(fx, sql);
  snprintf(sql, sizeof sql, "UPDATE people SET deleted_at = 5 WHERE id = %lld", (long long)gone);
  exec_ok(fx, sql);

  const int64_t day = 20260301;
  /* T3: adults who have not learned; T4: adults not confirmed on VNeID */
  listed(fx, "T3", tdp, day, (int64_t[]){c, d, w}, 3);
  listed(fx, "T4", tdp, day, (int64_t[]){a, c, d, w}, 4);
  /* the day before the confirmation, B had not reached T4 yet */
  listed(fx, "T4", tdp, 20260104, (int64_t[]){a, b, c, d, w}, 5);
  /* T5: workers of an enterprise who have not learned (the worker is registered in the tổ) */
  listed(fx, "T5", tdp, day, (int64_t[]){w}, 1);
  listed(fx, "T5", fx->enterprise, day, (int64_t[]){w}, 1); /* and through the membership, at the enterprise */
  /* T1 at the office: its staff member reached through the membership, registered elsewhere */
  listed(fx, "T1", office, day, (int64_t[]){staff}, 1);
  listed(fx, "T1", tdp, day, NULL, 0);
  /* M3: households where nobody learned (h1 has A's certificate; h3 has nobody) */
  listed(fx, "M3", tdp, day, (int64_t[]){h2}, 1);
  /* M4: adults without VNeID level 2 */
  listed(fx, "M4", tdp, day, (int64_t[]){a, c, d, w}, 4);
  /* the list holds what the figures leave out, for every indicator over people or households */
  const char *codes[] = {"T1", "T3", "T4", "T5", "M3", "M4", "C1"};
  int64_t units[] = {tdp, office, fx->ward};
  for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
      json_t *o = NULL;
      ind_left_info info;
      app_err e = {0};
      assert_int_equal(ind_left_page(fx->w, codes[i], units[u], day, 1, 1, true, &o, &info, &e), 0);
      int64_t total = json_integer_value(json_object_get(o, "total"));
      json_decref(o);
      if (total != left_by_figures(fx, codes[i], units[u], day))
        fail_msg("%s at unit %lld: listed %lld, figures leave %lld", codes[i], (long long)units[u], (long long)total,
                 (long long)left_by_figures(fx, codes[i], units[u], day));
    }

  /* An indicator the ward defines: adults who learned AND reached level 2 (a reference to T3). */
  json_t *def = json_loads("{\"base\": \"people\", \"population\": {\"group\": \"adults\"}, \"condition\":"
                           " {\"all\": [{\"indicator\": \"T3\"}, {\"fact\": \"vneid_level2\"}]}}",
                           0, NULL);
  int64_t def_id = 0;
  app_err e = {0};
  if (ind_def_save(fx->w, 0, "LEFT1", "Người học xong và có định danh mức 2", def, NULL, -1, 0, 1, &def_id, &e) != 0)
    fail_msg("ind_def_save: %s", e.message);
  json_decref(def);
  listed(fx, "LEFT1", tdp, day, (int64_t[]){a, c, d, w}, 4);
  assert_int_equal(left_by_figures(fx, "LEFT1", tdp, day), 4);
  /* one over households too */
  def = json_loads("{\"base\": \"households\", \"condition\": {\"any\": [{\"fact\": \"has_learner\"}, {\"fact\": \"visited\"}]}}", 0, NULL);
  if (ind_def_save(fx->w, 0, "LEFT2", "Hộ đã học hoặc đã được đến", def, NULL, -1, 0, 1, &def_id, &e) != 0)
    fail_msg("ind_def_save: %s", e.message);
  json_decref(def);
  listed(fx, "LEFT2", tdp, day, (int64_t[]){h2}, 1);
  snprintf(sql, sizeof sql,
           "INSERT INTO field_visits (household_id, unit_id, visited_on, created_by, created_at)"
           " VALUES (%lld, %lld, 20260201, NULL, 1)",
           (long long)h2, (long long)tdp);
  if (store_exec(fx->w, sql) == STORE_OK) { /* the visit as the field module stores it */
    listed(fx, "LEFT2", tdp, day, NULL, 0);
    listed(fx, "LEFT2", tdp, 20260131, (int64_t[]){h2}, 1);
  } else {
    fail_msg("%s: %s", sql, store_errmsg(fx->w));
  }

  /* A person's row: the fields a team needs */
  json_t *o = NULL;
  ind_left_info info;
  assert_int_equal(ind_left_page(fx->w, "T3", tdp, day, 1, 50, true, &o, &info, &e), 0);
  json_t *first = json_array_get(json_object_get(o, "items"), 0);
  assert_int_equal(json_integer_value(json_object_get(first, "id")), c);
  assert_string_equal(json_string_value(json_object_get(first, "full_name")), "Cường Chưa Học");
  assert_int_equal(json_integer_value(json_object_get(first, "birth_year")), 1990);
  assert_int_equal(json_integer_value(json_object_get(first, "unit_id")), tdp);
  assert_int_equal(json_integer_value(json_object_get(first, "household_id")), h2);
  assert_string_equal(json_string_value(json_object_get(first, "address")), "Số 1 phố Thử");
  assert_string_equal(json_string_value(json_object_get(first, "phone")), "0912345678");
  assert_string_equal(json_string_value(json_array_get(json_object_get(first, "groups"), 0)), "adults");
  assert_false(json_is_true(json_object_get(first, "restricted")));
  assert_true(json_is_true(json_object_get(json_array_get(json_object_get(o, "items"), 1), "restricted"))); /* D */
  assert_string_equal(json_string_value(json_object_get(json_object_get(o, "indicator"), "base")), "people");
  json_decref(o);
  /* masked for a reader without people.read */
  assert_int_equal(ind_left_page(fx->w, "T3", tdp, day, 1, 1, false, &o, &info, &e), 0);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "items"), 0), "phone")),
                      "091****678");
  json_decref(o);

  /* The worklist file: BOM, headings, C and W; D (restricted) never leaves in a file */
  buf csv;
  buf_init(&csv);
  int64_t rows = 0;
  assert_int_equal(ind_left_csv(fx->w, "T3", tdp, day, true, &csv, &info, &rows, &e), 0);
  assert_int_equal(rows, 2);
  assert_memory_equal(csv.data, "\xef\xbb\xbf" "STT,Họ và tên,Năm sinh,Tổ dân phố,Địa chỉ,Số điện thoại,Nhóm đối tượng,",
                      strlen("\xef\xbb\xbf" "STT,Họ và tên,Năm sinh,Tổ dân phố,Địa chỉ,Số điện thoại,Nhóm đối tượng,"));
  assert_non_null(strstr(csv.data, "\r\n1,Cường Chưa Học,1990,"));
  assert_non_null(strstr(csv.data, ",0912345678,Người dân từ 18 tuổi,\r\n"));
  assert_non_null(strstr(csv.data, "\r\n2,Giang Công Nhân,1995,"));
  assert_null(strstr(csv.data, "Dung Hạn Chế"));
  buf_free(&csv);
  buf_init(&csv);
  assert_int_equal(ind_left_csv(fx->w, "M3", tdp, day, true, &csv, &info, &rows, &e), 0);
  assert_int_equal(rows, 1);
  assert_non_null(strstr(csv.data, "STT,Mã hộ,Địa chỉ,Tổ dân phố,Số thành viên,"));
  assert_non_null(strstr(csv.data, ",Số 1 phố Thử,"));
  assert_non_null(strstr(csv.data, ",4,\r\n")); /* C, D, the child, W: the deleted one does not live there */
  buf_free(&csv);

  /* Refused: a code that is none, one over schools or students, a unit that is none */
  e = (app_err){0};
  assert_int_equal(ind_left_page(fx->w, "T99", tdp, day, 1, 10, true, &o, &info, &e), -1);
  assert_int_equal(e.status, 404);
  assert_string_equal(e.field, "code");
  const char *not_people[] = {"T6", "T2a", "M1", "M2"};
  for (size_t i = 0; i < sizeof not_people / sizeof not_people[0]; i++) {
    e = (app_err){0};
    assert_int_equal(ind_left_page(fx->w, not_people[i], tdp, day, 1, 10, true, &o, &info, &e), -1);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.field, "code");
  }
  e = (app_err){0};
  assert_int_equal(ind_left_page(fx->w, "T3", 987654321, day, 1, 10, true, &o, &info, &e), -1);
  assert_int_equal(e.status, 404);
  assert_string_equal(e.field, "unit");
  /* a retired indicator is none */
  def = json_loads("{\"base\": \"people\", \"population\": {\"group\": \"adults\"}, \"condition\": {\"fact\": \"learned\"}}", 0, NULL);
  assert_int_equal(ind_def_save(fx->w, 0, "LEFT3", "Thử nghỉ", def, NULL, 0, 0, 1, &def_id, &e), 0);
  json_decref(def);
  e = (app_err){0};
  assert_int_equal(ind_left_page(fx->w, "LEFT3", tdp, day, 1, 10, true, &o, &info, &e), -1);
  assert_int_equal(e.status, 404);
  assert_int_equal(store_rollback(fx->w), STORE_OK);
}

static void test_phone_mask(void **state) {
  (void)state;
  char out[24];
  ind_left_phone_mask("0912345678", out);
  assert_string_equal(out, "091****678");
  ind_left_phone_mask("+84912345678", out);
  assert_string_equal(out, "+84******678");
  ind_left_phone_mask("12345", out);
  assert_string_equal(out, "***");
  ind_left_phone_mask(NULL, out);
  assert_string_equal(out, "");
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_phone_mask),
  };
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_left_behind, test_setup, test_teardown),
  };
  int failed = cmocka_run_group_tests_name("indicators_left_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("indicators_left_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("indicators_left_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

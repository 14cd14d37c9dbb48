/* test_schools.c: schools (schools.c). Pure: the grades of each school kind, general education,
 * designation labels. On SQLite and, when HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on
 * PostgreSQL: a programme recorded and read back, its grades replaced or kept, every bad grade, link
 * and date refused with nothing written, a unit that is not a school refused, designations, and the
 * list of a scope with its totals (an officer of tổ 1 sees no school; the ward sees its school).
 * Synthetic data only.
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

#include "domain/people.h"
#include "domain/schools.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "schools"
#include "registry_fixture.h"

__attribute__((unused)) static void *unused_person = (void *)person;

static void test_kinds(void **state) {
  (void)state;
  int lo = -1, hi = -1;
  assert_true(schools_grades_of("school_primary", &lo, &hi));
  assert_int_equal(lo, 1);
  assert_int_equal(hi, 5);
  assert_true(schools_grades_of("school_lower_secondary", &lo, &hi));
  assert_int_equal(lo, 6);
  assert_int_equal(hi, 9);
  assert_true(schools_grades_of("school_upper_secondary", &lo, &hi));
  assert_int_equal(hi, 12);
  assert_true(schools_grades_of("school_kindergarten", &lo, &hi));
  assert_int_equal(hi, 0);
  assert_false(schools_grades_of("office", &lo, &hi));
  assert_false(schools_grades_of(NULL, &lo, &hi));
  assert_true(schools_general("school_primary"));
  assert_false(schools_general("school_kindergarten"));
  assert_false(schools_general("ward"));
  assert_string_equal(schools_designation_label("model_school"), "Trường học chuyển đổi số điển hình");
  assert_string_equal(schools_designation_label("creative_class"), "Lớp học số sáng tạo");
  assert_string_equal(schools_designation_label("model_teacher"), "Giáo viên số tiêu biểu");
  assert_null(schools_designation_label("best"));
}

static int64_t officer(fixture *fx, const char *username, const char *role, int64_t unit) {
  int64_t uid = 0, gid = 0;
  app_err e = {0};
  if (users_create(fx->w, username, "Cán Bộ Thử", "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA", unit, false, &uid, &e) != 0)
    fail_msg("users_create: %s", e.message);
  if (roles_grant(fx->w, uid, role, unit, 0, &gid, &e) != 0) fail_msg("roles_grant: %s", e.message);
  return uid;
}

static void test_programme(void **state) {
  fixture *fx = fx_of(state);
  int64_t now = clock_now();
  app_err e = {0};
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t teacher = officer(fx, "gv.thu", "teacher", fx->school);
  json_t *grades = json_loads("[{\"grade\":1,\"students\":30,\"covered\":30},{\"grade\":5,\"students\":28,\"covered\":10}]", 0, NULL);
  school_programme_in in = {.runs_programme = true, .since_on = "2025-09-05", .evidence_url = "https://truong.example.vn/kh", .grades = grades};
  assert_int_equal(schools_set_programme(fx->w, fx->school, &in, teacher, now, &e), 0);
  json_decref(grades);
  json_t *o = NULL;
  assert_int_equal(schools_get(fx->w, fx->school, &o, &e), 0);
  assert_true(json_is_true(json_object_get(o, "runs_programme")));
  assert_int_equal(json_integer_value(json_object_get(o, "students")), 58);
  assert_int_equal(json_integer_value(json_object_get(o, "covered")), 40);
  assert_string_equal(json_string_value(json_object_get(o, "since_on")), "2025-09-05");
  assert_string_equal(json_string_value(json_object_get(o, "updated_by_name")), "Cán Bộ Thử");
  json_decref(o);
  /* Bad input: each refused, naming its field; nothing changes. */
  static const struct {
    const char *grades, *since, *url, *field;
  } bad[] = {
      {"[{\"grade\":6,\"students\":1,\"covered\":1}]", NULL, NULL, "grades"},  /* not a primary grade */
      {"[{\"grade\":2,\"students\":1,\"covered\":2}]", NULL, NULL, "grades"},  /* more covered than students */
      {"[{\"grade\":2,\"students\":1,\"covered\":1},{\"grade\":2,\"students\":1,\"covered\":1}]", NULL, NULL, "grades"},
      {"[{\"grade\":2,\"students\":1}]", NULL, NULL, "grades"},
      {"[{\"grade\":2,\"students\":1,\"covered\":1,\"x\":1}]", NULL, NULL, "grades"},
      {"[{\"grade\":2,\"students\":100001,\"covered\":1}]", NULL, NULL, "grades"},
      {NULL, "2999-01-01", NULL, "since_on"},
      {NULL, "1999-12-31", NULL, "since_on"},
      {NULL, "hôm qua", NULL, "since_on"},
      {NULL, NULL, "ftp://x.vn/a", "evidence_url"},
      {NULL, NULL, "https://", "evidence_url"},
      {NULL, NULL, "https://x.vn/a b", "evidence_url"},
      {NULL, NULL, "https://x.vn/\"><script>", "evidence_url"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    json_t *g = bad[i].grades ? json_loads(bad[i].grades, 0, NULL) : NULL;
    school_programme_in b = {.runs_programme = false, .since_on = bad[i].since, .evidence_url = bad[i].url, .grades = g};
    memset(&e, 0, sizeof e);
    if (schools_set_programme(fx->w, fx->school, &b, teacher, now, &e) == 0) fail_msg("case %zu kept", i);
    json_decref(g);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.field, bad[i].field);
  }
  assert_int_equal(schools_get(fx->w, fx->school, &o, &e), 0);
  assert_true(json_is_true(json_object_get(o, "runs_programme")));
  assert_int_equal(json_integer_value(json_object_get(o, "students")), 58);
  json_decref(o);
  /* Grades left out: kept; the link cleared. */
  school_programme_in keep = {.runs_programme = false, .evidence_url = ""};
  assert_int_equal(schools_set_programme(fx->w, fx->school, &keep, teacher, now, &e), 0);
  assert_int_equal(schools_get(fx->w, fx->school, &o, &e), 0);
  assert_false(json_is_true(json_object_get(o, "runs_programme")));
  assert_true(json_is_null(json_object_get(o, "evidence_url")));
  assert_int_equal(json_array_size(json_object_get(o, "grades")), 2);
  json_decref(o);
  /* Not a school, absent. */
  memset(&e, 0, sizeof e);
  assert_int_equal(schools_set_programme(fx->w, fx->office, &keep, teacher, now, &e), -1);
  assert_int_equal(e.status, 400);
  assert_string_equal(e.field, "id");
  assert_int_equal(schools_get(fx->w, 99999999, &o, &e), -1);
  assert_int_equal(e.status, 404);
  /* Designations. */
  int64_t did = 0;
  school_designation_in d1 = {.kind = "model_school", .school_year = "2025-2026"};
  assert_int_equal(schools_add_designation(fx->w, fx->school, &d1, teacher, now, &did, &e), 0);
  school_designation_in d2 = {.kind = "model_teacher", .name = "Nguyễn Thị Thu", .school_year = "2025-2026", .decision = "QĐ 1"};
  assert_int_equal(schools_add_designation(fx->w, fx->school, &d2, teacher, now, &did, &e), 0);
  static const school_designation_in dbad[] = {
      {"best", "x", "2025-2026", NULL}, {"creative_class", NULL, "2025-2026", NULL},
      {"creative_class", "Lớp 1A", "2025/2026", NULL}, {"creative_class", "Lớp 1A", "2025-2025", NULL},
      {"creative_class", "Lớp\xe2\x80\x8b" "1A", "2025-2026", NULL},
  };
  static const char *const dfield[] = {"kind", "name", "school_year", "school_year", "name"};
  for (size_t i = 0; i < sizeof dbad / sizeof dbad[0]; i++) {
    memset(&e, 0, sizeof e);
    assert_int_equal(schools_add_designation(fx->w, fx->school, &dbad[i], teacher, now, &did, &e), -1);
    assert_string_equal(e.field, dfield[i]);
  }
  assert_int_equal(schools_get(fx->w, fx->school, &o, &e), 0);
  json_t *ds = json_object_get(o, "designations");
  assert_int_equal(json_array_size(ds), 2);
  bool named = false;
  size_t i;
  json_t *x;
  json_array_foreach(ds, i, x) if (!strcmp(json_string_value(json_object_get(x, "kind")), "model_school")) named =
      !strcmp(json_string_value(json_object_get(x, "name")), "Trường Tiểu học Thử");
  assert_true(named);
  json_decref(o);
  /* The list of a scope: the ward's admin sees the school; an officer of tổ 1 sees none. */
  int64_t adm = officer(fx, "qt.thu", "ward_admin", fx->ward), tdp = officer(fx, "cb.thu", "unit_officer", fx->tdp1);
  scope_sql sc = {.user_id = adm};
  snprintf(sc.roles, sizeof sc.roles, ",ward_admin,teacher,");
  json_t *items = NULL, *totals = NULL;
  assert_int_equal(schools_list(fx->w, &sc, 0, &items, &totals, &e), 0);
  assert_int_equal(json_array_size(items), 1);
  assert_int_equal(json_integer_value(json_object_get(totals, "general")), 1);
  assert_int_equal(json_integer_value(json_object_get(totals, "general_running")), 0);
  assert_int_equal(json_integer_value(json_object_get(totals, "students")), 58);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "designations")), 2);
  json_decref(items);
  json_decref(totals);
  assert_int_equal(schools_list(fx->w, &sc, fx->tdp1, &items, &totals, &e), 0);
  assert_int_equal(json_array_size(items), 0); /* filtered to tổ 1's subtree */
  json_decref(items);
  json_decref(totals);
  scope_sql sc2 = {.user_id = tdp};
  snprintf(sc2.roles, sizeof sc2.roles, ",ward_admin,teacher,");
  assert_int_equal(schools_list(fx->w, &sc2, 0, &items, &totals, &e), 0);
  assert_int_equal(json_array_size(items), 0);
  json_decref(items);
  json_decref(totals);
  store_rollback(fx->w);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {cmocka_unit_test(test_kinds)};
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {T(test_programme)};
#undef T
  int failed = cmocka_run_group_tests_name("schools_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("schools_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("schools_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

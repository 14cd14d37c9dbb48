/* test_classes.c: training classes (classes.c) on SQLite and, when HOCVUSO_TEST_DATABASE_URL names
 * a PostgreSQL database, on PostgreSQL in a schema of its own: a class with sessions, enrolment
 * (once), attendance (only enrolled people, only a session held, the list replaces the last one),
 * outcomes; the list over a scope; and the count of target 1 — public-sector staff of a subtree who
 * completed a class by a reference day (not a resident without a staff membership, not a staff
 * member of an enterprise, not one who did not complete, not one completed after the day, not a
 * deleted person, not someone outside the subtree). Synthetic people only. */
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

#include "domain/classes.h"
#include "domain/people.h"
#include "domain/scope.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "classes"
#include "registry_fixture.h"

#define TODAY 20261201

static int64_t member(fixture *fx, const char *name, int64_t unit, int64_t staff_of) {
  int64_t id = person(fx, name, unit, 0, NULL, NULL, NULL), mid = 0;
  app_err e = {0};
  if (staff_of && people_add_membership(fx->w, id, staff_of, "staff", 0, &mid, &e) != 0)
    fail_msg("membership: %s", e.message);
  return id;
}

static int64_t new_class(fixture *fx, int64_t unit, const char *title) {
  int64_t id = 0;
  app_err e = {0};
  if (classes_create(fx->w, title, unit, NULL, NULL, 0, clock_now(), &id, &e) != 0) fail_msg("class: %s", e.message);
  return id;
}

static void enrol(fixture *fx, int64_t k, int64_t p) {
  bool created = false;
  app_err e = {0};
  assert_int_equal(classes_enrol(fx->w, k, p, 0, clock_now(), &created, &e), 0);
}

static void outcome(fixture *fx, int64_t k, int64_t p, const char *o, const char *day) {
  app_err e = {0};
  if (classes_set_outcome(fx->w, k, p, o, day, 0, TODAY, &e) != 0) fail_msg("outcome: %s %s", e.field, e.message);
}

static int64_t staff_completed(fixture *fx, int64_t unit, int64_t ref) {
  int64_t n = -1;
  app_err e = {0};
  assert_int_equal(classes_staff_completed(fx->w, unit, ref, &n, &e), 0);
  return n;
}

static void test_class_life(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t k = new_class(fx, fx->ward, "Bồi dưỡng kỹ năng số");
  int64_t a = member(fx, "Nguyễn Thị An", fx->tdp1, 0), b = member(fx, "Trần Văn Bình", fx->tdp1, 0);
  int64_t out = member(fx, "Lê Thị Chưa", fx->tdp2, 0), s1 = 0, s2 = 0, present = 0;
  app_err e = {0};
  assert_int_equal(classes_add_session(fx->w, k, "10/01/2026", "Hội trường", 0, clock_now(), &s1, &e), 0);
  assert_int_equal(classes_add_session(fx->w, k, "2099-01-10", "Phòng máy", 0, clock_now(), &s2, &e), 0);
  bool created = false;
  assert_int_equal(classes_enrol(fx->w, k, a, 0, clock_now(), &created, &e), 0);
  assert_true(created);
  assert_int_equal(classes_enrol(fx->w, k, a, 0, clock_now(), &created, &e), 0);
  assert_false(created);
  enrol(fx, k, b);
  app_err ne = {0};
  assert_int_equal(classes_enrol(fx->w, k, 999999999, 0, clock_now(), &created, &ne), -1);
  assert_int_equal(ne.status, 404);
  assert_string_equal(ne.field, "participant_id");
  json_t *ids = json_pack("[I, I]", (json_int_t)a, (json_int_t)b);
  assert_int_equal(classes_set_attendance(fx->w, k, s1, ids, 0, TODAY, clock_now(), &present, &e), 0);
  assert_int_equal(present, 2);
  json_decref(ids);
  /* Refused: someone not enrolled, a session ahead, a session of another class. */
  static const struct {
    int which; /* 0: s1 with `out`, 1: s2, 2: another class's session */
    const char *field;
  } bad[] = {{0, "participant_ids"}, {1, "session_id"}, {2, "session_id"}};
  int64_t k2 = new_class(fx, fx->ward, "Lớp khác"), s3 = 0;
  assert_int_equal(classes_add_session(fx->w, k2, "05/01/2026", "Nhà văn hóa", 0, clock_now(), &s3, &e), 0);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    json_t *who = json_pack("[I]", (json_int_t)(bad[i].which == 0 ? out : a));
    app_err be = {0};
    int64_t sid = bad[i].which == 0 ? s1 : bad[i].which == 1 ? s2 : s3;
    assert_int_equal(classes_set_attendance(fx->w, k, sid, who, 0, TODAY, clock_now(), &present, &be), -1);
    assert_int_equal(be.status, 400);
    assert_string_equal(be.field, bad[i].field);
    json_decref(who);
  }
  /* The list replaces the last one. */
  ids = json_pack("[I]", (json_int_t)a);
  assert_int_equal(classes_set_attendance(fx->w, k, s1, ids, 0, TODAY, clock_now(), &present, &e), 0);
  json_decref(ids);
  outcome(fx, k, a, "completed", "2026-01-10");
  app_err oe = {0};
  assert_int_equal(classes_set_outcome(fx->w, k, out, "completed", NULL, 0, TODAY, &oe), -1);
  assert_string_equal(oe.field, "participant_id");
  json_t *o = NULL;
  assert_int_equal(classes_get(fx->w, k, &o, &e), 0);
  json_t *people = json_object_get(o, "participants");
  assert_int_equal(json_array_size(people), 2);
  json_t *pa = json_array_get(people, 0); /* by name: An before Bình */
  assert_int_equal(json_integer_value(json_object_get(pa, "person_id")), a);
  assert_string_equal(json_string_value(json_object_get(pa, "outcome")), "completed");
  assert_string_equal(json_string_value(json_object_get(pa, "outcome_on")), "2026-01-10");
  assert_int_equal(json_array_size(json_object_get(pa, "attended")), 1);
  assert_int_equal(json_array_size(json_object_get(json_array_get(people, 1), "attended")), 0);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(o, "sessions"), 0), "attended")), 1);
  json_decref(o);
}

static void test_list_scope(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t kw = new_class(fx, fx->ward, "Lớp phường"), kt = new_class(fx, fx->tdp1, "Lớp tổ một");
  int64_t uid = 0, gid = 0;
  app_err e = {0};
  assert_int_equal(users_create(fx->w, "to1.lop", "Cán Bộ Thử", "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA", fx->tdp1,
                                false, &uid, &e),
                   0);
  assert_int_equal(roles_grant(fx->w, uid, "unit_officer", fx->tdp1, 0, &gid, &e), 0);
  principal p = {.user_id = uid};
  scope_sql sc, all;
  scope_sql_of(&sc, &p, CAP_PEOPLE_READ);
  scope_sql_all(&all);
  class_query q = {.page = 1, .per_page = 50};
  json_t *items = NULL;
  int64_t total = 0;
  assert_int_equal(classes_list(fx->w, &sc, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), kt);
  json_decref(items);
  assert_int_equal(classes_list(fx->w, &all, &q, &items, &total, &e), 0);
  assert_int_equal(total, 2);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), kt); /* newest first */
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "id")), kw);
  json_decref(items);
  q.unit_id = fx->tdp2;
  assert_int_equal(classes_list(fx->w, &all, &q, &items, &total, &e), 0);
  assert_int_equal(total, 0);
  json_decref(items);
}

static void test_target1(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t office2 = 0;
  assert_int_equal(unit(fx->w, fx->ward, "office", "Phòng Hai", &office2), 0);
  int64_t k = new_class(fx, fx->ward, "Bồi dưỡng chuyển đổi số");
  int64_t done1 = member(fx, "Cán Bộ Một", fx->tdp1, fx->office);   /* completed 2025-09-29 */
  int64_t done2 = member(fx, "Cán Bộ Hai", fx->tdp2, office2);      /* completed 2026-01-10 */
  int64_t school = member(fx, "Giáo Viên Ba", fx->tdp1, fx->school); /* public sector too */
  int64_t notdone = member(fx, "Cán Bộ Bốn", fx->tdp1, fx->office);
  int64_t worker = member(fx, "Công Nhân Năm", fx->tdp1, fx->enterprise);
  int64_t resident = member(fx, "Người Dân Sáu", fx->tdp1, 0);
  int64_t gone = member(fx, "Cán Bộ Bảy", fx->tdp1, fx->office);
  int64_t twice = member(fx, "Cán Bộ Tám", fx->tdp1, fx->office);
  int64_t k2 = new_class(fx, fx->office, "Tập huấn AI");
  /* worker: a "staff" membership too, but of an enterprise (not public sector) */
  app_err e = {0};
  int64_t all[] = {done1, done2, school, notdone, worker, resident, gone, twice};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) enrol(fx, k, all[i]);
  enrol(fx, k2, twice);
  outcome(fx, k, done1, "completed", "29/09/2025");
  outcome(fx, k, done2, "completed", "10/01/2026");
  outcome(fx, k, school, "completed", "29/09/2025");
  outcome(fx, k, notdone, "not_completed", "29/09/2025");
  outcome(fx, k, worker, "completed", "29/09/2025");
  outcome(fx, k, resident, "completed", "29/09/2025");
  outcome(fx, k, gone, "completed", "29/09/2025");
  outcome(fx, k, twice, "completed", "29/09/2025");
  outcome(fx, k2, twice, "completed", "30/09/2025");
  int64_t unit_id = 0;
  assert_int_equal(people_delete(fx->w, gone, 30, &unit_id, &e), 0);
  /* The ward: done1, school, twice by the end of 2025 (done2 only later), counted once each. */
  assert_int_equal(staff_completed(fx, fx->ward, 20251231), 3);
  assert_int_equal(staff_completed(fx, fx->ward, 20260110), 4);
  assert_int_equal(staff_completed(fx, fx->ward, 20250928), 0);
  /* Each organisation: the office, the second office, the school; a tổ has no staff. */
  assert_int_equal(staff_completed(fx, fx->office, TODAY), 2);
  assert_int_equal(staff_completed(fx, office2, TODAY), 1);
  assert_int_equal(staff_completed(fx, fx->school, TODAY), 1);
  assert_int_equal(staff_completed(fx, fx->enterprise, TODAY), 0);
  assert_int_equal(staff_completed(fx, fx->tdp1, TODAY), 0);
  app_err me = {0};
  int64_t n = 0;
  assert_int_equal(classes_staff_completed(fx->w, 999999999, TODAY, &n, &me), -1);
  assert_int_equal(me.status, 404);
}

static void test_demo(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  for (int i = 0; i < 12; i++) {
    char name[64];
    snprintf(name, sizeof name, "Cán Bộ Số %c", 'A' + i);
    member(fx, name, fx->tdp1, fx->office);
  }
  int64_t added = 0;
  app_err e = {0};
  assert_int_equal(classes_demo(fx->w, fx->ward, 0, clock_now(), &added, &e), 0);
  assert_int_equal(added, 2);
  assert_true(staff_completed(fx, fx->ward, TODAY) >= 8);
  assert_int_equal(classes_demo(fx->w, fx->ward, 0, clock_now(), &added, &e), 0);
  assert_int_equal(added, 0);
}

int main(void) {
  if (sodium_init() < 0) return 1;
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {
      T(test_class_life),
      T(test_list_scope),
      T(test_target1),
      T(test_demo),
  };
#undef T
  int failed = cmocka_run_group_tests_name("classes_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("classes_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

/* test_events.c: events (events.c) on SQLite and, when HOCVUSO_TEST_DATABASE_URL names a PostgreSQL
 * database, on PostgreSQL in a schema of its own: an event with activities, participants recorded
 * once, a head count and the total; bad input naming its field; an update of some fields only; the
 * list over a scope, latest day first; the demo, which runs once. Synthetic people only. */
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

#include "domain/events.h"
#include "domain/people.h"
#include "domain/scope.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "events"
#include "registry_fixture.h"

static int64_t new_event(fixture *fx, int64_t unit, const char *day, int64_t heads) {
  event_input in = {.title = "Ngày hội toàn dân học tập số", .held_on = day, .place = "Nhà văn hóa", .head_count = heads};
  int64_t id = 0;
  app_err e = {0};
  if (events_create(fx->w, unit, &in, 0, clock_now(), &id, &e) != 0) fail_msg("event: %s %s", e.field, e.message);
  return id;
}

static json_int_t num(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static void test_event(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t ev = new_event(fx, fx->ward, "10/10/2025", 120), aid = 0;
  int64_t a = person(fx, "Nguyễn Thị An", fx->tdp1, 0, NULL, NULL, NULL);
  int64_t b = person(fx, "Trần Văn Bình", fx->tdp2, 0, NULL, NULL, NULL);
  app_err e = {0};
  assert_int_equal(events_add_activity(fx->w, ev, "Hướng dẫn VNeID", 0, clock_now(), &aid, &e), 0);
  event_change created = EVENT_UNCHANGED;
  const int64_t today = 20261202;
  assert_int_equal(events_add_participant(fx->w, ev, a, NULL, today, 0, clock_now(), &created, &e), 0);
  assert_int_equal(created, EVENT_ADDED);
  assert_int_equal(events_add_participant(fx->w, ev, a, NULL, today, 0, clock_now(), &created, &e), 0);
  assert_int_equal(created, EVENT_UNCHANGED);
  assert_int_equal(events_add_participant(fx->w, ev, b, "attended", today, 0, clock_now(), &created, &e), 0);
  app_err pe = {0};
  assert_int_equal(events_add_participant(fx->w, ev, 999999999, NULL, today, 0, clock_now(), &created, &pe), -1);
  assert_int_equal(pe.status, 404);
  assert_string_equal(pe.field, "participant_id");
  json_t *o = NULL;
  assert_int_equal(events_get(fx->w, ev, &o, &e), 0);
  assert_string_equal(json_string_value(json_object_get(o, "held_on")), "2025-10-10");
  assert_int_equal(num(o, "head_count"), 120);
  assert_int_equal(num(o, "registered"), 2);
  assert_int_equal(num(o, "total"), 122);
  assert_int_equal(json_array_size(json_object_get(o, "activities")), 1);
  assert_int_equal(num(json_array_get(json_object_get(o, "participants"), 0), "person_id"), a);
  json_decref(o);
  /* An event ahead: signed up, never attended before its day; attended from the day on. */
  int64_t later = new_event(fx, fx->ward, "10/10/2030", 0);
  app_err ae = {0};
  assert_int_equal(events_add_participant(fx->w, later, a, "attended", today, 0, clock_now(), &created, &ae), -1);
  assert_int_equal(ae.status, 400);
  assert_string_equal(ae.field, "status");
  assert_int_equal(events_add_participant(fx->w, later, a, NULL, today, 0, clock_now(), &created, &e), 0);
  assert_int_equal(created, EVENT_ADDED);
  assert_int_equal(events_get(fx->w, later, &o, &e), 0);
  assert_int_equal(num(o, "registered"), 0);
  assert_int_equal(num(o, "signed_up"), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "participants"), 0), "status")),
                      "registered");
  json_decref(o);
  assert_int_equal(events_add_participant(fx->w, later, a, "attended", 20301010, 0, clock_now(), &created, &e), 0);
  assert_int_equal(created, EVENT_ATTENDED);
  assert_int_equal(events_add_participant(fx->w, later, a, "registered", 20301010, 0, clock_now(), &created, &e), 0);
  assert_int_equal(created, EVENT_UNCHANGED);
  assert_int_equal(events_get(fx->w, later, &o, &e), 0);
  assert_int_equal(num(o, "registered"), 1);
  assert_int_equal(num(o, "signed_up"), 0);
  json_decref(o);
  /* An update of the head count alone keeps the rest. */
  event_input up = {.head_count = 150};
  assert_int_equal(events_update(fx->w, ev, &up, clock_now(), &e), 0);
  assert_int_equal(events_get(fx->w, ev, &o, &e), 0);
  assert_int_equal(num(o, "head_count"), 150);
  assert_string_equal(json_string_value(json_object_get(o, "place")), "Nhà văn hóa");
  assert_string_equal(json_string_value(json_object_get(o, "held_on")), "2025-10-10");
  json_decref(o);
  static const struct {
    event_input in;
    const char *field;
  } bad[] = {
      {{.title = "", .held_on = "10/10/2025", .place = "Sân", .head_count = 0}, "title"},
      {{.title = "Ngày hội", .held_on = "10/2025", .place = "Sân", .head_count = 0}, "held_on"},
      {{.title = "Ngày hội", .held_on = "10/10/2025", .place = NULL, .head_count = 0}, "place"},
      {{.title = "Ngày hội", .held_on = "10/10/2025", .place = "Sân", .head_count = 1000001}, "head_count"},
      {{.title = "Ngày\xe2\x80\x8b hội", .held_on = "10/10/2025", .place = "Sân", .head_count = 0}, "title"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int64_t id = 0;
    app_err be = {0};
    assert_int_equal(events_create(fx->w, fx->ward, &bad[i].in, 0, clock_now(), &id, &be), -1);
    assert_int_equal(be.status, 400);
    assert_string_equal(be.field, bad[i].field);
  }
  app_err ue = {0};
  int64_t id = 0;
  event_input ok = {.title = "Ngày hội", .held_on = "10/10/2025", .place = "Sân", .head_count = 0};
  assert_int_equal(events_create(fx->w, 999999999, &ok, 0, clock_now(), &id, &ue), -1);
  assert_int_equal(ue.status, 404);
}

static void test_list_scope(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t e1 = new_event(fx, fx->ward, "10/10/2025", 0), e2 = new_event(fx, fx->tdp1, "2026-10-10", 5);
  int64_t uid = 0, gid = 0;
  app_err e = {0};
  assert_int_equal(users_create(fx->w, "to1.sk", "Cán Bộ Thử", "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA", fx->tdp1,
                                false, &uid, &e),
                   0);
  assert_int_equal(roles_grant(fx->w, uid, "unit_officer", fx->tdp1, 0, &gid, &e), 0);
  principal p = {.user_id = uid};
  scope_sql sc, all;
  scope_sql_of(&sc, &p, CAP_PEOPLE_READ);
  scope_sql_all(&all);
  event_query q = {.page = 1, .per_page = 50};
  json_t *items = NULL;
  int64_t total = 0;
  assert_int_equal(events_list(fx->w, &all, &q, &items, &total, &e), 0);
  assert_int_equal(total, 2);
  assert_int_equal(num(json_array_get(items, 0), "id"), e2); /* latest day first */
  assert_int_equal(num(json_array_get(items, 1), "id"), e1);
  json_decref(items);
  assert_int_equal(events_list(fx->w, &sc, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_int_equal(num(json_array_get(items, 0), "id"), e2);
  json_decref(items);
  q.unit_id = fx->tdp2;
  assert_int_equal(events_list(fx->w, &all, &q, &items, &total, &e), 0);
  assert_int_equal(total, 0);
  json_decref(items);
}

static void test_demo(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t h = 0;
  app_err e = {0};
  assert_int_equal(households_create(fx->w, fx->tdp1, "HDEMO", "Số 1", &h, &e), 0);
  for (int i = 0; i < 60; i++) {
    char name[64];
    snprintf(name, sizeof name, "Người Dân %c%c", 'A' + i / 26, 'a' + i % 26);
    person(fx, name, fx->tdp1, h, "1970", NULL, NULL);
  }
  int64_t added = 0;
  /* On 1 December 2026 both Ngày hội have happened; a third event is 30 days ahead, with sign-ups. */
  int64_t now = 1796083200; /* 2026-12-01 00:00 UTC */
  assert_int_equal(events_demo(fx->w, fx->ward, 0, now, &added, &e), 0);
  assert_int_equal(added, 3);
  event_query q = {.page = 1, .per_page = 50};
  scope_sql all;
  scope_sql_all(&all);
  json_t *items = NULL;
  int64_t total = 0;
  assert_int_equal(events_list(fx->w, &all, &q, &items, &total, &e), 0);
  assert_int_equal(total, 3);
  /* Latest day first: the event ahead (signed up, nobody attended yet), then 10/10/2026. */
  json_t *ahead = NULL;
  assert_int_equal(events_get(fx->w, num(json_array_get(items, 0), "id"), &ahead, &e), 0);
  assert_string_equal(json_string_value(json_object_get(ahead, "held_on")), "2026-12-31");
  assert_int_equal(num(ahead, "registered"), 0);
  assert_true(num(ahead, "signed_up") > 0);
  json_decref(ahead);
  assert_true(num(json_array_get(items, 1), "registered") > 0);
  assert_int_equal(num(json_array_get(items, 1), "activities"), 4);
  json_decref(items);
  assert_int_equal(events_demo(fx->w, fx->ward, 0, now, &added, &e), 0);
  assert_int_equal(added, 0);
}

int main(void) {
  if (sodium_init() < 0) return 1;
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {
      T(test_event),
      T(test_list_scope),
      T(test_demo),
  };
#undef T
  int failed = cmocka_run_group_tests_name("events_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("events_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

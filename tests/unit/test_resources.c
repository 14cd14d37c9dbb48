/* test_resources.c: resources (resources.c). Pure: the labels of sources and kinds. On SQLite and,
 * when HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL: a contribution to a
 * household inside the receiving unit, refusals that name their field and write nothing (a
 * recipient outside the unit, money of no value, a future day), the list of a scope with totals by
 * kind and source, and the budget of a plan task replaced by year and source. Synthetic data only.
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
#include "domain/plan.h"
#include "domain/resources.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "resources"
#include "registry_fixture.h"

__attribute__((unused)) static void *unused_person = (void *)person;

static void test_labels(void **state) {
  (void)state;
  assert_string_equal(resources_source_label("organisation"), "Tổ chức");
  assert_string_equal(resources_source_label("business"), "Doanh nghiệp");
  assert_string_equal(resources_source_label("individual"), "Cá nhân");
  assert_null(resources_source_label("state"));
  assert_string_equal(resources_kind_label("money"), "Tiền");
  assert_string_equal(resources_kind_label("devices"), "Thiết bị");
  assert_string_equal(resources_kind_label("facilities"), "Cơ sở vật chất");
  assert_string_equal(resources_kind_label("people"), "Nhân lực");
  assert_null(resources_kind_label(NULL));
}

static const char PLAN[] =
    "{\"tasks\":[{\"code\":\"3.2\",\"section\":\"3\",\"title\":\"Gia đình số\",\"lead_unit\":\"Văn phòng\","
    "\"coordinating_units\":[\"Các Tổ dân phố\"],\"timeframe\":\"Năm 2025 - 2026\","
    "\"schedule\":{\"starts_on\":\"2025-08-01\",\"ends_on\":\"2026-12-31\",\"recurring\":false,\"report_days\":92}}],"
    "\"units\":[]}";

static void test_contributions(void **state) {
  fixture *fx = fx_of(state);
  app_err e = {0};
  char err[256] = "";
  int64_t now = clock_now();
  assert_int_equal(store_begin(fx->w), STORE_OK);
  plan_load_counts n;
  if (plan_load(fx->w, PLAN, strlen(PLAN), fx->ward, now, &n, err, sizeof err) != 0) fail_msg("%s", err);
  json_t *tasks = NULL;
  assert_int_equal(plan_tasks_list(fx->w, now, &tasks, &e), 0);
  int64_t task = json_integer_value(json_object_get(json_array_get(tasks, 0), "id"));
  json_decref(tasks);
  int64_t hh1 = household(fx, fx->tdp1), hh2 = household(fx, fx->tdp2);
  contribution_in in = {.unit_id = fx->tdp1, .source_kind = "business", .source_name = "Công ty Thử", .kind = "devices",
                        .description = "Một điện thoại", .quantity = 1, .value_vnd = 2500000,
                        .recipient_household_id = hh1, .task_id = task, .received_on = "2026-03-02"};
  int64_t id = 0;
  assert_int_equal(resources_add(fx->w, &in, 0, now, &id, &e), 0);
  json_t *o = NULL;
  assert_int_equal(resources_get(fx->w, id, &o, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "recipient_household"), "id")), hh1);
  assert_string_equal(json_string_value(json_object_get(o, "task_code")), "3.2");
  json_decref(o);
  contribution_in money = {.unit_id = fx->ward, .source_kind = "organisation", .source_name = "Hội Thử", .kind = "money",
                           .description = "Hỗ trợ", .value_vnd = 1000000, .recipient_unit_id = fx->school, .received_on = "2026-01-10"};
  assert_int_equal(resources_add(fx->w, &money, 0, now, &id, &e), 0);
  /* Refusals, each naming its field. */
  struct {
    contribution_in in;
    const char *field;
  } bad[] = {
      {in, "recipient_household_id"}, {in, "recipient_unit_id"}, {money, "value_vnd"}, {in, "received_on"},
      {in, "kind"}, {in, "source_kind"}, {in, "task_id"}, {in, "description"}, {in, "unit_id"},
  };
  bad[0].in.recipient_household_id = hh2;
  bad[1].in.recipient_unit_id = fx->tdp2;
  bad[2].in.value_vnd = 0;
  bad[3].in.received_on = "2999-12-31";
  bad[4].in.kind = "gold";
  bad[5].in.source_kind = "state";
  bad[6].in.task_id = 99999999;
  bad[7].in.description = " ";
  bad[8].in.unit_id = 99999999;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    memset(&e, 0, sizeof e);
    int64_t x = 0;
    if (resources_add(fx->w, &bad[i].in, 0, now, &x, &e) == 0) fail_msg("case %zu kept", i);
    assert_string_equal(e.field, bad[i].field);
  }
  /* The ward's list: both, with totals; tổ 1 only: one. */
  int64_t adm = 0, g = 0;
  assert_int_equal(users_create(fx->w, "qt.nl", "Quản Trị", "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA", fx->ward, false, &adm, &e), 0);
  assert_int_equal(roles_grant(fx->w, adm, "ward_admin", fx->ward, 0, &g, &e), 0);
  scope_sql sc = {.user_id = adm};
  snprintf(sc.roles, sizeof sc.roles, ",ward_admin,unit_officer,");
  contribution_query q = {.page = 1, .per_page = 50};
  json_t *items = NULL, *totals = NULL;
  int64_t total = 0;
  assert_int_equal(resources_list(fx->w, &sc, &q, &items, &total, &totals, &e), 0);
  assert_int_equal(total, 2);
  assert_int_equal(json_integer_value(json_object_get(totals, "value_vnd")), 3500000);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(totals, "by_kind"), "money"), "value_vnd")), 1000000);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(totals, "by_source"), "business"), "count")), 1);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(totals, "by_kind"), "people"), "count")), 0);
  json_decref(items);
  json_decref(totals);
  q.unit_id = fx->tdp1;
  assert_int_equal(resources_list(fx->w, &sc, &q, &items, &total, &totals, &e), 0);
  assert_int_equal(total, 1);
  json_decref(items);
  json_decref(totals);
  /* Budgets: replaced by year and source, mobilised beside them. */
  assert_int_equal(resources_set_budget(fx->w, task, 2026, "state_budget", 10000000, 0, now, &e), 0);
  assert_int_equal(resources_set_budget(fx->w, task, 2026, "state_budget", 12000000, 0, now, &e), 0);
  assert_int_equal(resources_set_budget(fx->w, task, 2026, "other", 3000000, 0, now, &e), 0);
  memset(&e, 0, sizeof e);
  assert_int_equal(resources_set_budget(fx->w, task, 2026, "loan", 1, 0, now, &e), -1);
  assert_string_equal(e.field, "source");
  assert_int_equal(resources_set_budget(fx->w, 99999999, 2026, "other", 1, 0, now, &e), -1);
  assert_int_equal(e.status, 404);
  assert_int_equal(resources_budgets(fx->w, &items, &totals, &e), 0);
  json_t *t = json_array_get(items, 0);
  assert_int_equal(json_integer_value(json_object_get(t, "budget_vnd")), 15000000);
  assert_int_equal(json_array_size(json_object_get(t, "budgets")), 2);
  assert_int_equal(json_integer_value(json_object_get(t, "mobilised_vnd")), 2500000);
  assert_int_equal(json_integer_value(json_object_get(totals, "budget_vnd")), 15000000);
  json_decref(items);
  json_decref(totals);
  store_rollback(fx->w);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {cmocka_unit_test(test_labels)};
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {T(test_contributions)};
#undef T
  int failed = cmocka_run_group_tests_name("resources_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("resources_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("resources_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

/* test_trade.c: the 4T steps of small traders (trade.c, movement.c) on SQLite and, when
 * HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL in a schema of its own:
 * days as staff write them; the steps are data (a step added as a row is listed and counted); a
 * step is recorded once; a non-trader, a deleted person, an unknown helper, a day in the future
 * are refused naming their field; a trader is reached through the registering unit and their
 * markets; markets and traders are counted over the caller's scope. Synthetic people only. */
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

#include "domain/movement.h"
#include "domain/people.h"
#include "domain/scope.h"
#include "domain/trade.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "trade"
#include "registry_fixture.h"

#define TODAY 20261201

static int64_t officer(fixture *fx, const char *username, const char *role, int64_t unit) {
  int64_t uid = 0, gid = 0;
  app_err e = {0};
  if (users_create(fx->w, username, "Cán Bộ Thử", "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA", unit, false, &uid,
                   &e) != 0)
    fail_msg("users_create %s: %s %s", username, e.code, e.message);
  if (roles_grant(fx->w, uid, role, unit, 0, &gid, &e) != 0) fail_msg("roles_grant: %s %s", e.code, e.message);
  return uid;
}

static int64_t trader(fixture *fx, const char *name, int64_t unit, int64_t market) {
  int64_t id = person(fx, name, unit, 0, NULL, NULL, NULL), mid = 0;
  app_err e = {0};
  if (people_add_membership(fx->w, id, market, "trader", 0, &mid, &e) != 0) fail_msg("membership: %s", e.message);
  return id;
}

static int record(fixture *fx, int64_t pid, const char *step, const char *day, int64_t helper, int64_t *id,
                  bool *created, app_err *e) {
  trade_step_input in = {.step = step, .done_on = day, .helper_person = helper};
  return trade_record(fx->w, pid, &in, 0, TODAY, clock_now(), id, created, e);
}

/* ---- pure ---- */
static void test_dates(void **state) {
  (void)state;
  static const struct {
    const char *in;
    bool future_ok;
    int64_t key; /* 0: refused */
  } days[] = {
      {"15/03/2026", false, 20260315}, {"5/3/2026", false, 20260305},  {"2026-03-15", false, 20260315},
      {" 01.12.2025 ", false, 20251201}, {"29/02/2024", false, 20240229}, {"29/02/2025", false, 0},
      {"2026", false, 0},               {"00/00/2026", false, 0},        {"15/03/26", false, 0},
      {"02/12/2026", false, 0},         {"02/12/2026", true, 20261202},  {"31/12/1999", false, 0},
      {"", false, 0},                   {"   ", false, 0},               {NULL, false, 0},
      {"hôm qua", false, 0},            {"01/01/2101", true, 0},
  };
  for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
    int64_t k = 0;
    const char *why = NULL;
    int rc = movement_date(days[i].in, TODAY, days[i].future_ok, &k, &why);
    if (days[i].key) {
      if (rc != 0) fail_msg("%s refused: %s", days[i].in, why);
      assert_int_equal(k, days[i].key);
    } else {
      if (rc == 0) fail_msg("%s accepted as %lld", days[i].in ? days[i].in : "(null)", (long long)k);
      assert_non_null(why);
    }
  }
  char iso[11];
  assert_string_equal(movement_date_iso(20251010, iso), "2025-10-10");
  assert_string_equal(movement_date_iso(20260105, iso), "2026-01-05");
}

/* ---- with a database ---- */
static void test_steps_are_data(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  json_t *steps = NULL;
  app_err e = {0};
  assert_int_equal(trade_steps_list(fx->w, &steps, &e), 0);
  assert_int_equal(json_array_size(steps), 4);
  assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 0), "code")), "payment_account");
  assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 3), "code")), "digital_savings");
  json_decref(steps);
  /* A step added as a row: listed, recorded, counted — no code knows it. */
  assert_int_equal(store_exec(fx->w, "INSERT INTO trade_steps (code, label, position) VALUES ('e_invoice', 'Hóa đơn điện tử', 5)"),
                   STORE_OK);
  assert_int_equal(trade_steps_list(fx->w, &steps, &e), 0);
  assert_int_equal(json_array_size(steps), 5);
  json_decref(steps);
  int64_t t = trader(fx, "Nguyễn Thị Hóa Đơn", fx->tdp1, fx->market), id = 0;
  bool created = false;
  assert_int_equal(record(fx, t, "e_invoice", "01/11/2026", 0, &id, &created, &e), 0);
  assert_true(created);
  scope_sql all;
  scope_sql_all(&all);
  json_t *markets = NULL;
  assert_int_equal(trade_markets(fx->w, &all, 0, &markets, &e), 0);
  json_t *m = json_array_get(markets, 0);
  assert_int_equal(json_integer_value(json_object_get(m, "id")), fx->market);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "steps"), "e_invoice")), 1);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "steps"), "cashless_qr")), 0);
  json_decref(markets);
}

static void test_record(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t t = trader(fx, "Trần Thị Bán", fx->tdp1, fx->market);
  int64_t plain = person(fx, "Lê Văn Không Bán", fx->tdp1, 0, NULL, NULL, NULL);
  int64_t guide = person(fx, "Phạm Thị Hướng Dẫn", fx->tdp2, 0, NULL, NULL, NULL);
  int64_t gone = trader(fx, "Vũ Văn Đã Xóa", fx->tdp1, fx->market);
  int64_t unit = 0;
  app_err e = {0};
  assert_int_equal(people_delete(fx->w, gone, 30, &unit, &e), 0);
  int64_t id1 = 0, id2 = 0;
  bool created = false;
  assert_int_equal(record(fx, t, "cashless_qr", "15/03/2026", guide, &id1, &created, &e), 0);
  assert_true(created);
  assert_int_equal(record(fx, t, "cashless_qr", "2026-04-01", 0, &id2, &created, &e), 0);
  assert_false(created);
  assert_int_equal(id1, id2);
  json_t *o = NULL;
  assert_int_equal(trade_get(fx->w, id1, &o, &e), 0);
  assert_string_equal(json_string_value(json_object_get(o, "done_on")), "2026-03-15");
  assert_string_equal(json_string_value(json_object_get(o, "helper_name")), "Phạm Thị Hướng Dẫn");
  assert_int_equal(json_integer_value(json_object_get(o, "helper_id")), guide);
  assert_true(json_is_null(json_object_get(o, "recorded_by")));
  json_decref(o);
  static const struct {
    const char *step, *day;
    int status;
    const char *field;
  } bad[] = {
      {"bitcoin", "15/03/2026", 400, "step"},     {NULL, "15/03/2026", 400, "step"},
      {"", "15/03/2026", 400, "step"},            {"online_selling", "02/12/2026", 400, "done_on"},
      {"online_selling", "31/02/2026", 400, "done_on"}, {"online_selling", NULL, 400, "done_on"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    app_err be = {0};
    assert_int_equal(record(fx, t, bad[i].step, bad[i].day, 0, &id2, &created, &be), -1);
    assert_int_equal(be.status, bad[i].status);
    assert_string_equal(be.field, bad[i].field);
  }
  app_err ne = {0};
  assert_int_equal(record(fx, plain, "online_selling", "15/03/2026", 0, &id2, &created, &ne), -1);
  assert_int_equal(ne.status, 409);
  assert_string_equal(ne.field, "id");
  app_err de = {0};
  assert_int_equal(record(fx, gone, "online_selling", "15/03/2026", 0, &id2, &created, &de), -1);
  assert_int_equal(de.status, 404);
  app_err he = {0};
  assert_int_equal(record(fx, t, "online_selling", "15/03/2026", 999999999, &id2, &created, &he), -1);
  assert_int_equal(he.status, 404);
  assert_string_equal(he.field, "helper_id");
  /* Nothing of the refusals was written: the trader has one step. */
  scope_sql all;
  scope_sql_all(&all);
  trader_query q = {.unit_id = fx->market, .page = 1, .per_page = 50};
  json_t *items = NULL;
  int64_t total = 0;
  assert_int_equal(trade_traders(fx->w, &all, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_int_equal(json_array_size(json_object_get(json_array_get(items, 0), "steps")), 1);
  json_decref(items);
}

static void test_reach(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t market2 = 0;
  assert_int_equal(unit(fx->w, fx->ward, "market", "Chợ Hai", &market2), 0);
  int64_t t = trader(fx, "Đỗ Thị Hai Chợ", fx->tdp2, fx->market), mid = 0;
  app_err e = {0};
  assert_int_equal(people_add_membership(fx->w, t, market2, "trader", 0, &mid, &e), 0);
  assert_int_equal(people_add_membership(fx->w, t, fx->office, "staff", 0, &mid, &e), 0);
  arena a;
  arena_init(&a);
  person_reach pr;
  assert_int_equal(trade_reach(fx->w, t, &a, &pr, &e), 0);
  assert_int_equal(pr.unit_id, fx->tdp2);
  assert_int_equal(pr.nmembers, 2); /* the two markets, not the office */
  int64_t plain = person(fx, "Hoàng Văn Thường", fx->tdp1, 0, NULL, NULL, NULL);
  assert_int_equal(trade_reach(fx->w, plain, &a, &pr, &e), 0);
  assert_int_equal(pr.nmembers, 0);
  app_err me = {0};
  assert_int_equal(trade_reach(fx->w, 999999999, &a, &pr, &me), -1);
  assert_int_equal(me.status, 404);
  arena_free(&a);
}

static void test_counts_in_scope(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t a1 = trader(fx, "An Một", fx->tdp1, fx->market), a2 = trader(fx, "Bình Hai", fx->tdp2, fx->market);
  int64_t a3 = trader(fx, "Cúc Ba", fx->tdp2, fx->market), id = 0;
  bool created = false;
  app_err e = {0};
  assert_int_equal(record(fx, a1, "payment_account", "01/10/2025", 0, &id, &created, &e), 0);
  assert_int_equal(record(fx, a2, "payment_account", "02/10/2025", 0, &id, &created, &e), 0);
  assert_int_equal(record(fx, a2, "cashless_qr", "03/10/2025", 0, &id, &created, &e), 0);
  (void)a3;
  int64_t off1 = officer(fx, "to1.trade", "unit_officer", fx->tdp1);
  principal p1 = {.user_id = off1};
  scope_sql sc1, all;
  scope_sql_of(&sc1, &p1, CAP_PEOPLE_READ);
  scope_sql_all(&all);
  json_t *markets = NULL;
  assert_int_equal(trade_markets(fx->w, &all, 0, &markets, &e), 0);
  assert_int_equal(json_array_size(markets), 1);
  json_t *m = json_array_get(markets, 0);
  assert_int_equal(json_integer_value(json_object_get(m, "traders")), 3);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "steps"), "payment_account")), 2);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "steps"), "cashless_qr")), 1);
  json_decref(markets);
  /* tổ 1's officer sees the market through its one trader of tổ 1, and counts that one only. */
  assert_int_equal(trade_markets(fx->w, &sc1, 0, &markets, &e), 0);
  assert_int_equal(json_array_size(markets), 1);
  m = json_array_get(markets, 0);
  assert_int_equal(json_integer_value(json_object_get(m, "traders")), 1);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "steps"), "payment_account")), 1);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "steps"), "cashless_qr")), 0);
  json_decref(markets);
  /* A filter to tổ 2 (for the ward) lists the market through its traders of tổ 2. */
  assert_int_equal(trade_markets(fx->w, &all, fx->tdp2, &markets, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(markets, 0), "traders")), 2);
  json_decref(markets);
  /* Traders: by name; those without a step. */
  trader_query q = {.page = 1, .per_page = 50};
  json_t *items = NULL;
  int64_t total = 0;
  assert_int_equal(trade_traders(fx->w, &all, &q, &items, &total, &e), 0);
  assert_int_equal(total, 3);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "full_name")), "An Một");
  json_decref(items);
  q.without_step = "payment_account";
  assert_int_equal(trade_traders(fx->w, &all, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "person_id")), a3);
  json_decref(items);
  q.without_step = NULL;
  assert_int_equal(trade_traders(fx->w, &sc1, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "person_id")), a1);
  json_decref(items);
  q.without_step = "nope";
  app_err be = {0};
  assert_int_equal(trade_traders(fx->w, &all, &q, &items, &total, &be), -1);
  assert_int_equal(be.status, 400);
  assert_string_equal(be.field, "without_step");
}

static void test_demo(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  for (int i = 0; i < 10; i++) {
    char name[64];
    snprintf(name, sizeof name, "Tiểu Thương Số %c", 'A' + i);
    trader(fx, name, fx->tdp1, fx->market);
  }
  int64_t added = 0, again = 0;
  app_err e = {0};
  assert_int_equal(trade_demo(fx->w, 0, clock_now(), &added, &e), 0);
  assert_true(added >= 10 && added <= 40);
  assert_int_equal(trade_demo(fx->w, 0, clock_now(), &again, &e), 0);
  assert_int_equal(again, 0);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_dates),
  };
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {
      T(test_steps_are_data), T(test_record), T(test_reach), T(test_counts_in_scope), T(test_demo),
  };
#undef T
  int failed = cmocka_run_group_tests_name("trade_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("trade_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("trade_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

/* test_purge.c: deleted records (people.c: people_deleted_list, people_restore, people_purge) on
 * SQLite and, when HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL in a schema
 * of its own: the purge deletes exactly the people past purge_after (not those before it, not live
 * ones) with their words, memberships and requests, unlinks their account, leaves everyone else's
 * data alone and writes one audit entry each; restore refuses a CCCD now held by a live record; a
 * purged person's presence at a visit and their outcomes go with them (migration 42: the outcomes
 * cascade from field_visit_people), the visit and the others' outcomes stay.
 * Owns: its temporary database and schema. Synthetic people only. */
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

#include "domain/field.h"
#include "domain/people.h"
#include "domain/requests.h"
#include "domain/scope.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "purge"
#include "registry_fixture.h"


STORE_SQL(q_set_purge, "UPDATE people SET purge_after = ? WHERE id = ?");
STORE_SQL(q_exists, "SELECT COUNT(*) FROM people WHERE id = ?");
STORE_SQL(q_words, "SELECT COUNT(*) FROM person_words WHERE person_id = ?");
STORE_SQL(q_members, "SELECT COUNT(*) FROM memberships WHERE person_id = ?");
STORE_SQL(q_requests, "SELECT COUNT(*) FROM data_requests WHERE person_id = ?");
STORE_SQL(q_user_person, "SELECT COALESCE(person_id, 0) FROM users WHERE id = ?");
STORE_SQL(q_household, "SELECT COUNT(*) FROM households WHERE id = ?");
STORE_SQL(q_purges, "SELECT COUNT(*) FROM audit_log WHERE action = 'person.purge' AND entity_id = ?"
                    " AND actor_id IS NULL AND entity_name IS NULL AND detail IS NULL");
STORE_SQL(q_purge_unit, "SELECT unit_id FROM audit_log WHERE action = 'person.purge' AND entity_id = ?");
STORE_SQL(q_all_purges, "SELECT COUNT(*) FROM audit_log WHERE action = 'person.purge' AND entity_id <> ?");
STORE_SQL(q_entries, "SELECT COUNT(*) FROM audit_log WHERE entity = 'person' AND entity_id = ?");
STORE_SQL(q_relink, "UPDATE users SET person_id = ? WHERE id = ?");
STORE_SQL(q_entry, "INSERT INTO audit_log (at, action, entity, entity_id) VALUES (1, 'person.delete', 'person', ?)");

static int64_t count_of(store_conn *c, const store_sql *q, int64_t id) {
  store_stmt *s = store_prepare(c, q);
  assert_non_null(s);
  store_bind_int(s, 1, id);
  assert_int_equal(store_step(s), STORE_ROW);
  int64_t n = store_col_int(s, 0);
  store_reset(s);
  return n;
}

static void exec2(store_conn *c, const store_sql *q, int64_t x, int64_t y) {
  store_stmt *s = store_prepare(c, q);
  assert_non_null(s);
  store_bind_int(s, 1, x);
  if (y) store_bind_int(s, 2, y);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
}

/* Soft-deletes `id`; purge_after set to `purge_after` when not 0. */
static void del(fixture *fx, int64_t id, int64_t purge_after) {
  int64_t unit_id = 0;
  app_err e = {0};
  assert_int_equal(people_delete(fx->w, id, 30, &unit_id, &e), 0);
  if (purge_after) exec2(fx->w, &q_set_purge, purge_after, id);
}

static void purge(fixture *fx, int64_t now, int chunk, int64_t want) {
  /* people_purge takes the writer itself, chunk by chunk: the test's is given back first. */
  store_release(fx->w);
  fx->w = NULL;
  int64_t n = -1;
  char err[256] = "";
  if (people_purge(fx->st, now, chunk, NULL, &n, err, sizeof err) != 0) fail_msg("people_purge: %s", err);
  assert_int_equal(n, want);
  fx->w = store_acquire(fx->st, true);
  assert_non_null(fx->w);
}

static void test_purge_exact(void **state) {
  fixture *fx = fx_of(state);
  int64_t now = clock_now();
  int64_t hh = household(fx, fx->tdp1);
  app_err e = {0};
  /* Past their purge date: a, and b with a household, a membership, a request and an account. */
  int64_t a = person(fx, "Đinh Văn Hết", fx->tdp1, 0, "1950", "M", NULL);
  int64_t b = person(fx, "Đinh Thị Hạn", fx->tdp1, hh, "1980", "F", "030180000111");
  int64_t mid = 0, rid = 0, uid = 0;
  assert_int_equal(people_add_membership(fx->w, b, fx->office, "staff", 0, &mid, &e), 0);
  assert_int_equal(users_create(fx->w, "dinh.han", "Đinh Thị Hạn", "$argon2id$v=19$m=8,t=1,p=1$eA$eQ", fx->tdp1,
                                false, &uid, &e), 0);
  assert_int_equal(people_link_user(fx->w, uid, b, &e), 0);
  assert_int_equal(requests_create(fx->w, b, uid, "delete", NULL, now - 100, &rid, &e), 0);
  /* c: deleted, due one second after now; d, f: live (d in b's household, with a membership). */
  int64_t c = person(fx, "Đinh Văn Chờ", fx->tdp2, 0, "1960", "M", NULL);
  int64_t d = person(fx, "Đinh Văn Còn", fx->tdp1, hh, "1985", "M", NULL);
  int64_t f = person(fx, "Đinh Thị Sống", fx->tdp2, 0, "1990", "F", NULL);
  assert_int_equal(people_add_membership(fx->w, d, fx->office, "staff", 0, &mid, &e), 0);
  del(fx, a, now - 86400);
  del(fx, b, now); /* purge_after == now: due */
  del(fx, c, now + 1);
  /* The deletion unlinked the account; linked again meanwhile (by hand), the purge unlinks it. */
  exec2(fx->w, &q_relink, b, uid);
  exec2(fx->w, &q_entry, a, 0); /* an earlier entry about a: kept */
  assert_int_equal(count_of(fx->w, &q_words, b), 0); /* a deleted record's terms go at once */
  assert_int_equal(count_of(fx->w, &q_members, b), 1);
  assert_int_equal(count_of(fx->w, &q_requests, b), 1);

  purge(fx, now, 1, 2); /* one person per transaction: the chunks add up */

  int64_t gone[] = {a, b};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(count_of(fx->w, &q_exists, gone[i]), 0);
    assert_int_equal(count_of(fx->w, &q_words, gone[i]), 0);
    assert_int_equal(count_of(fx->w, &q_members, gone[i]), 0);
    assert_int_equal(count_of(fx->w, &q_requests, gone[i]), 0);
    /* One entry each, by the system, without a name or a detail. */
    assert_int_equal(count_of(fx->w, &q_purges, gone[i]), 1);
    assert_int_equal(count_of(fx->w, &q_purge_unit, gone[i]), fx->tdp1);
  }
  assert_int_equal(count_of(fx->w, &q_entries, a), 2); /* the earlier entry and the purge's */
  assert_int_equal(count_of(fx->w, &q_user_person, uid), 0); /* the account stays, unlinked */
  /* Everyone else's data is intact. */
  int64_t kept[] = {c, d, f};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(count_of(fx->w, &q_exists, kept[i]), 1);
    if (kept[i] == c) assert_int_equal(count_of(fx->w, &q_words, c), 0); /* deleted, waiting: no terms */
    else assert_true(count_of(fx->w, &q_words, kept[i]) >= 3);
    assert_int_equal(count_of(fx->w, &q_purges, kept[i]), 0);
  }
  assert_int_equal(count_of(fx->w, &q_members, d), 1);
  assert_int_equal(count_of(fx->w, &q_household, hh), 1); /* d still lives there */
  /* c is still listed and restorable; a and b are not. */
  scope_sql all;
  scope_sql_all(&all);
  json_t *items = NULL;
  int64_t total = 0;
  assert_int_equal(people_deleted_list(fx->w, &all, 0, 1, 50, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), c);
  json_decref(items);
  int64_t unit_id = 0;
  e = (app_err){0};
  assert_int_equal(people_restore(fx->w, a, &unit_id, &e), -1);
  assert_int_equal(e.status, 404);
  /* Nothing more is due now; a second later, c is. */
  purge(fx, now, 0, 0);
  purge(fx, now + 1, 0, 1);
  assert_int_equal(count_of(fx->w, &q_exists, c), 0);
  assert_int_equal(count_of(fx->w, &q_exists, d), 1);
  assert_int_equal(count_of(fx->w, &q_all_purges, 0), 3);
}

STORE_SQL(q_visit_people_of, "SELECT COUNT(*) FROM field_visit_people WHERE person_id = ?");
STORE_SQL(q_outcomes_of, "SELECT COUNT(*) FROM field_visit_outcomes WHERE person_id = ?");
STORE_SQL(q_visit_exists, "SELECT COUNT(*) FROM field_visits WHERE id = ?");

/* A visit's outcomes are keyed to the residents present (migration 42): purging one of them removes
 * their presence and their outcomes, and nobody else's. */
static void test_purge_visit_outcomes(void **state) {
  fixture *fx = fx_of(state);
  int64_t now = clock_now();
  int64_t hh = household(fx, fx->tdp1);
  int64_t gone = person(fx, "Lê Văn Đi", fx->tdp1, hh, "1960", "M", NULL);
  int64_t stays = person(fx, "Lê Thị Ở", fx->tdp1, hh, "1962", "F", NULL);
  json_t *topics = json_pack("[s]", "vneid"),
         *present = json_pack("[{s:I, s:[s, s]}, {s:I, s:[s]}]", "person_id", (json_int_t)gone, "outcomes",
                              "vneid_level2", "scam_aware", "person_id", (json_int_t)stays, "outcomes", "cashless_setup");
  field_visit_input in = {.topics = topics, .present = present};
  field_visit_saved v;
  app_err e = {0};
  assert_int_equal(field_visit_record(fx->w, hh, &in, 0, NULL, now, &v, NULL, &e), 0);
  field_visit_saved_free(&v);
  json_decref(topics);
  json_decref(present);
  assert_int_equal(count_of(fx->w, &q_outcomes_of, gone), 2);
  assert_int_equal(count_of(fx->w, &q_outcomes_of, stays), 1);
  del(fx, gone, now - 10);
  /* Deleted, not yet purged: the visit still names them (the record may be restored). */
  assert_int_equal(count_of(fx->w, &q_outcomes_of, gone), 2);
  purge(fx, now, 0, 1);
  assert_int_equal(count_of(fx->w, &q_exists, gone), 0);
  assert_int_equal(count_of(fx->w, &q_visit_people_of, gone), 0);
  assert_int_equal(count_of(fx->w, &q_outcomes_of, gone), 0);
  assert_int_equal(count_of(fx->w, &q_visit_exists, v.id), 1);
  assert_int_equal(count_of(fx->w, &q_visit_people_of, stays), 1);
  assert_int_equal(count_of(fx->w, &q_outcomes_of, stays), 1);
  json_t *visit = NULL;
  assert_int_equal(field_visit_get(fx->w, v.id, &visit, &e), 0);
  json_t *left = json_object_get(visit, "present");
  assert_int_equal(json_array_size(left), 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(left, 0), "person_id")), stays);
  assert_int_equal(json_array_size(json_object_get(json_array_get(left, 0), "outcomes")), 1);
  json_decref(visit);
}

/* More people than a chunk: every one of them goes, over several transactions. */
static void test_purge_chunks(void **state) {
  fixture *fx = fx_of(state);
  int64_t now = clock_now();
  int64_t ids[7];
  char name[64];
  for (int i = 0; i < 7; i++) {
    snprintf(name, sizeof name, "Người Thứ %c", 'A' + i);
    ids[i] = person(fx, name, fx->tdp2, 0, "1970", "M", NULL);
    del(fx, ids[i], now - 10);
  }
  purge(fx, now, 3, 7);
  for (int i = 0; i < 7; i++) assert_int_equal(count_of(fx->w, &q_exists, ids[i]), 0);
}

static void test_restore(void **state) {
  fixture *fx = fx_of(state);
  app_err e = {0};
  int64_t p = person(fx, "Kiều Thị Về", fx->tdp2, 0, "1985", "F", "030185000222");
  int64_t q = person(fx, "Kiều Văn Ở", fx->tdp1, 0, "1970", "M", NULL);
  del(fx, p, 0);
  del(fx, q, 0);
  scope_sql all;
  scope_sql_all(&all);
  json_t *items = NULL;
  int64_t total = 0;
  /* Newest deletion first (same second: the higher id first); the unit filter. */
  assert_int_equal(people_deleted_list(fx->w, &all, 0, 1, 50, &items, &total, &e), 0);
  assert_int_equal(total, 2);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), q);
  json_t *first = json_array_get(items, 1);
  assert_string_equal(json_string_value(json_object_get(first, "full_name")), "Kiều Thị Về");
  assert_int_equal(json_integer_value(json_object_get(first, "birth_year")), 1985);
  assert_string_equal(json_string_value(json_object_get(first, "unit_name")), "Tổ dân phố số 2");
  assert_non_null(json_string_value(json_object_get(first, "purge_after")));
  json_decref(items);
  assert_int_equal(people_deleted_list(fx->w, &all, fx->tdp1, 1, 50, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  json_decref(items);
  /* A live record took the number: 409 on cccd, nothing changed. */
  int64_t other = person(fx, "Kiều Thị Mới", fx->tdp1, 0, "1985", "F", "030185000222");
  int64_t unit_id = 0;
  assert_int_equal(people_restore(fx->w, p, &unit_id, &e), -1);
  assert_int_equal(e.status, 409);
  assert_string_equal(e.field, "cccd");
  e = (app_err){0};
  del(fx, other, 0);
  assert_int_equal(count_of(fx->w, &q_words, p), 0); /* deleted: found by no search */
  assert_int_equal(people_restore(fx->w, p, &unit_id, &e), 0);
  assert_int_equal(unit_id, fx->tdp2);
  assert_int_equal(count_of(fx->w, &q_words, p), 6); /* restored: its three words and three pairs again */
  arena a;
  arena_init(&a);
  person_reach pr;
  assert_int_equal(people_reach(fx->w, p, &a, &pr, &e), 0);
  arena_free(&a);
  /* Not deleted any more: 404; a live person: 404. */
  assert_int_equal(people_restore(fx->w, p, &unit_id, &e), -1);
  assert_int_equal(e.status, 404);
}

int main(void) {
  if (sodium_init() < 0) return 1;
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {T(test_purge_exact), T(test_purge_chunks), T(test_restore), T(test_purge_visit_outcomes)};
#undef T
  int failed = cmocka_run_group_tests_name("purge_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("purge_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

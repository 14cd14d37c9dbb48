/* test_field.c: Tổ công nghệ số cộng đồng (field.c) on SQLite and, when HOCVUSO_TEST_DATABASE_URL
 * names a PostgreSQL database, on PostgreSQL in a schema of its own: a team per tổ dân phố only;
 * visits refused for an unknown household, a date in the future, an unknown topic or outcome, a
 * person of another household, with nothing written; an outcome only of a resident present (the
 * database refuses others); two visits of one household on one day both
 * kept; the worklists (households not visited; residents left behind by the one definition:
 * adults without certificate, confirmation or outcome, "declined" not counting) and the coverage
 * in a scope; a household found by a member's name typed without diacritics. Synthetic people. */
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

#include "domain/audit.h"
#include "domain/confirmations.h"
#include "domain/field.h"
#include "domain/groups.h"
#include "domain/helpreq.h"
#include "domain/people.h"
#include "domain/scope.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/jsonx.h"

#define REGISTRY_FIXTURE_NAME "field"
#include "registry_fixture.h"

static int64_t officer(fixture *fx, const char *username, const char *role, int64_t unit) {
  int64_t uid = 0, gid = 0;
  app_err e = {0};
  if (users_create(fx->w, username, "Cán Bộ Thử", "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA", unit, false, &uid,
                   &e) != 0)
    fail_msg("users_create %s: %s %s", username, e.code, e.message);
  if (roles_grant(fx->w, uid, role, unit, 0, &gid, &e) != 0) fail_msg("roles_grant: %s %s", e.code, e.message);
  return uid;
}

static int64_t team_of(fixture *fx, int64_t unit) {
  static int n;
  char name[64];
  snprintf(name, sizeof name, "Tổ công nghệ số %d", ++n);
  int64_t id = 0;
  app_err e = {0};
  if (field_teams_create(fx->w, unit, name, 0, clock_now(), &id, &e) != 0) fail_msg("team: %s %s", e.code, e.message);
  return id;
}

/* A visit with one topic and the given person (0: nobody) with one outcome (NULL: none). */
static int visit(fixture *fx, int64_t hh, const char *day, const char *topic, int64_t person, const char *outcome,
                 int64_t *id, app_err *e) {
  json_t *topics = json_pack("[s]", topic), *present = json_array();
  if (person) {
    json_t *p = json_pack("{s:I, s:[]}", "person_id", (json_int_t)person, "outcomes");
    if (outcome) json_array_append_new(json_object_get(p, "outcomes"), json_string(outcome));
    json_array_append_new(present, p);
  }
  field_visit_input in = {.visited_on = day, .topics = topics, .present = present};
  field_visit_saved v;
  int rc = field_visit_record(fx->w, hh, &in, 0, NULL, clock_now(), &v, NULL, e);
  *id = v.id;
  field_visit_saved_free(&v);
  json_decref(topics);
  json_decref(present);
  return rc;
}

static int64_t count_visits(fixture *fx, int64_t hh) {
  json_t *items = NULL;
  app_err e = {0};
  assert_int_equal(field_household_visits(fx->w, hh, &items, &e), 0);
  int64_t n = (int64_t)json_array_size(items);
  json_decref(items);
  return n;
}

static bool in_list(json_t *items, int64_t id) {
  size_t i;
  json_t *o;
  json_array_foreach(items, i, o) if (json_integer_value(json_object_get(o, "id")) == id) return true;
  return false;
}

static void test_outcomes(void **state) {
  (void)state;
  assert_string_equal(field_outcome_label("vneid_level2"), "Nâng định danh điện tử VNeID lên mức 2");
  assert_non_null(field_outcome_label("declined"));
  assert_null(field_outcome_label("flying"));
  assert_null(field_outcome_label(NULL));
  for (int i = 0; i < field_outcomes_count; i++) assert_ptr_equal(field_outcome_label(field_outcomes[i].code), field_outcomes[i].label);
}

/* Report periods: weeks from Monday across a year's end, months of every length, quarters. */
static void test_periods(void **state) {
  (void)state;
  static const struct {
    const char *period;
    int64_t day, from, to;
    const char *label;
  } cases[] = {
      {"week", 20261231, 20261228, 20270103, "Tuần 28/12–03/01/2027"},
      {"week", 20261228, 20261228, 20270103, NULL},
      {"week", 20270103, 20261228, 20270103, NULL},
      {"week", 20261014, 20261012, 20261018, "Tuần 12/10–18/10/2026"},
      {"week", 20240229, 20240226, 20240303, NULL},
      {"month", 20240215, 20240201, 20240229, "Tháng 2/2024"},
      {"month", 20260215, 20260201, 20260228, NULL},
      {"month", 20261231, 20261201, 20261231, "Tháng 12/2026"},
      {NULL, 20260430, 20260401, 20260430, "Tháng 4/2026"},
      {"quarter", 20260815, 20260701, 20260930, "Quý III/2026"},
      {"quarter", 20260101, 20260101, 20260331, "Quý I/2026"},
      {"quarter", 20261231, 20261001, 20261231, "Quý IV/2026"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t from = 0, to = 0;
    char label[64];
    assert_int_equal(field_period(cases[i].period, cases[i].day, &from, &to, label), 0);
    if (from != cases[i].from || to != cases[i].to)
      fail_msg("%s %lld: %lld..%lld, expected %lld..%lld", cases[i].period ? cases[i].period : "(month)",
               (long long)cases[i].day, (long long)from, (long long)to, (long long)cases[i].from, (long long)cases[i].to);
    if (cases[i].label) assert_string_equal(label, cases[i].label);
  }
  int64_t from = 0, to = 0;
  char label[64];
  assert_int_equal(field_period("year", 20260101, &from, &to, label), -1);
}

static void test_teams(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t id = 0;
  app_err e = {0};
  assert_int_equal(field_teams_create(fx->w, fx->tdp1, "Tổ công nghệ số 1", 0, clock_now(), &id, &e), 0);
  assert_int_equal(field_teams_create(fx->w, fx->tdp1, "Tổ thứ hai", 0, clock_now(), &id, &e), -1);
  assert_int_equal(e.status, 409);
  e = (app_err){0};
  assert_int_equal(field_teams_create(fx->w, fx->office, "Tổ ở văn phòng", 0, clock_now(), &id, &e), -1);
  assert_int_equal(e.status, 400);
  assert_string_equal(e.field, "unit_id");
  e = (app_err){0};
  assert_int_equal(field_teams_create(fx->w, fx->tdp2, "a\xe2\x80\x8b" "b", 0, clock_now(), &id, &e), -1);
  assert_string_equal(e.field, "name");
  store_rollback(fx->w);
}

static void test_visits_refused(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t hh = household(fx, fx->tdp1), other = household(fx, fx->tdp1);
  int64_t p = person(fx, "Nguyễn Văn Ở", fx->tdp1, hh, "1960", "M", NULL);
  int64_t q = person(fx, "Trần Thị Khác", fx->tdp1, other, "1962", "F", NULL);
  int64_t id = 0;
  char tomorrow[16];
  int64_t k = groups_date_key(clock_now() + 2 * 86400);
  snprintf(tomorrow, sizeof tomorrow, "%04d-%02d-%02d", (int)(k / 10000), (int)(k / 100 % 100), (int)(k % 100));
  static const char *const fields[] = {"id", "visited_on", "visited_on", "topics", "present", "present"};
  app_err e[6] = {{0}};
  assert_int_equal(visit(fx, 2147480001, NULL, "vneid", 0, NULL, &id, &e[0]), -1);
  assert_int_equal(visit(fx, hh, tomorrow, "vneid", p, NULL, &id, &e[1]), -1);
  assert_int_equal(visit(fx, hh, "30/02/2026", "vneid", p, NULL, &id, &e[2]), -1);
  assert_int_equal(visit(fx, hh, NULL, "khong_co", p, NULL, &id, &e[3]), -1);
  assert_int_equal(visit(fx, hh, NULL, "vneid", q, NULL, &id, &e[4]), -1);
  assert_int_equal(visit(fx, hh, NULL, "vneid", p, "bay", &id, &e[5]), -1);
  for (int i = 0; i < 6; i++) {
    assert_string_equal(e[i].field, fields[i]);
    assert_int_equal(e[i].status, i == 0 ? 404 : 400);
  }
  assert_int_equal(count_visits(fx, hh), 0);
  store_rollback(fx->w);
}

/* An outcome belongs to a resident present at its visit (migration 42: keyed to field_visit_people):
 * a resident's outcomes are read through their visits, and the database refuses an outcome of a
 * member of the household who was not present (the API has no way to write one: outcomes are given
 * inside each resident present). */
static void test_outcome_needs_presence(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t hh = household(fx, fx->tdp1);
  int64_t p = person(fx, "Vũ Văn Có Mặt", fx->tdp1, hh, "1960", "M", NULL);
  int64_t q = person(fx, "Vũ Thị Vắng", fx->tdp1, hh, "1962", "F", NULL);
  int64_t id = 0;
  app_err e = {0};
  assert_int_equal(visit(fx, hh, NULL, "vneid", p, "scam_aware", &id, &e), 0);
  json_t *visits = NULL;
  assert_int_equal(field_person_visits(fx->w, p, &visits, &e), 0);
  assert_int_equal(json_array_size(visits), 1);
  json_t *outs = json_object_get(json_array_get(visits, 0), "outcomes");
  assert_int_equal(json_array_size(outs), 1);
  assert_string_equal(json_string_value(json_array_get(outs, 0)), field_outcome_label("scam_aware"));
  json_decref(visits);
  assert_int_equal(field_person_visits(fx->w, q, &visits, &e), 0);
  assert_int_equal(json_array_size(visits), 0);
  json_decref(visits);
  STORE_SQL(q_outcome, "INSERT INTO field_visit_outcomes (visit_id, person_id, outcome) VALUES (?, ?, ?)");
  store_stmt *s = store_prepare(fx->w, &q_outcome);
  assert_non_null(s);
  store_bind_int(s, 1, id);
  store_bind_int(s, 2, p);
  store_bind_text(s, 3, "cashless_setup");
  assert_int_equal(store_step(s), STORE_DONE); /* present: another outcome is taken */
  store_reset(s);
  store_bind_int(s, 1, id);
  store_bind_int(s, 2, q);
  store_bind_text(s, 3, "cashless_setup");
  assert_int_not_equal(store_step(s), STORE_DONE); /* not present: refused (last: PostgreSQL's transaction is over) */
  store_reset(s);
  store_rollback(fx->w);
}

static void test_same_day_both_kept(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t hh = household(fx, fx->tdp1);
  int64_t p = person(fx, "Lê Thị Hai Lần", fx->tdp1, hh, "1970", "F", NULL);
  int64_t a = 0, b = 0;
  app_err e = {0};
  assert_int_equal(visit(fx, hh, "2026-01-05", "vneid", p, "vneid_level2", &a, &e), 0);
  assert_int_equal(visit(fx, hh, "05/01/2026", "cashless", p, "cashless_setup", &b, &e), 0);
  assert_int_not_equal(a, b);
  assert_int_equal(count_visits(fx, hh), 2);
  json_t *v = NULL;
  assert_int_equal(field_visit_get(fx->w, b, &v, &e), 0);
  assert_string_equal(json_string_value(json_object_get(v, "visited_on")), "2026-01-05");
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(v, "topics"), 0), "code")), "cashless");
  json_t *pr = json_array_get(json_object_get(v, "present"), 0);
  assert_int_equal(json_integer_value(json_object_get(pr, "person_id")), p);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(pr, "outcomes"), 0), "code")),
                      "cashless_setup");
  json_decref(v);
  /* The answer built while recording is what a read gives: topics in the list's order, residents by
   * id, outcomes by code, each once. */
  int64_t q = person(fx, "Lê Văn Thứ Hai", fx->tdp1, hh, "1968", "M", NULL);
  json_t *topics = json_pack("[s, s, s]", "cashless", "smartphone", "cashless"),
         *present = json_pack("[{s:I, s:[s, s, s]}, {s:I, s:[]}]", "person_id", (json_int_t)q, "outcomes", "scam_aware",
                              "cashless_setup", "scam_aware", "person_id", (json_int_t)p, "outcomes");
  field_visit_input in = {.visited_on = "2026-01-06", .note = "  Hai người  có mặt: \"a/b\" \\ ", .topics = topics,
                          .present = present};
  json_t *got = NULL;
  buf built;
  buf_init(&built);
  field_visit_saved sv;
  assert_int_equal(field_visit_record(fx->w, hh, &in, 0, "Tình nguyện viên \"Bảy\" </b>", clock_now(), &sv, &built, &e),
                   0);
  assert_int_equal(sv.visited_on, 20260106);
  assert_int_equal(sv.present, 2);
  /* the tổ's name and path, for the visit's audit entry: as the units table has them */
  STORE_SQL(q_unit_names, "SELECT COUNT(*) FROM units WHERE id = ? AND name = ? AND path = ?");
  store_stmt *un = store_prepare(fx->w, &q_unit_names);
  assert_non_null(un);
  assert_non_null(sv.unit_name);
  assert_non_null(sv.unit_path);
  store_bind_int(un, 1, fx->tdp1);
  store_bind_text(un, 2, sv.unit_name);
  store_bind_text(un, 3, sv.unit_path);
  assert_int_equal(store_step(un), STORE_ROW);
  assert_int_equal(store_col_int(un, 0), 1);
  store_reset(un);
  /* An entry given those names (and the helper's display name, as the principal has it) keeps what
   * an entry reading its own names keeps. */
  int64_t helper = officer(fx, "field.names", "unit_officer", fx->tdp1);
  audit_names given = {.actor_name = "Cán Bộ Thử", .unit_name = sv.unit_name, .unit_path = sv.unit_path};
  audit_entry named = {.actor_id = helper, .actor_username = "field.names", .action = "field.visit.create",
                       .entity = "household", .entity_id = hh, .unit_id = fx->tdp1, .names = &given},
              looked = named;
  looked.names = NULL;
  assert_int_equal(audit_append(fx->w, &named), 0);
  assert_int_equal(audit_append(fx->w, &looked), 0);
  STORE_SQL(q_same, "SELECT COUNT(*), COUNT(DISTINCT COALESCE(actor_name, '-') || '|' || COALESCE(entity_name, '-') || '|'"
                    " || COALESCE(unit_name, '-') || '|' || COALESCE(unit_path, '-') || '|' || names_fold || '|' || unit_id),"
                    " MIN(actor_name), MIN(unit_name) FROM audit_log WHERE actor_username = 'field.names'");
  store_stmt *same = store_prepare(fx->w, &q_same);
  assert_non_null(same);
  assert_int_equal(store_step(same), STORE_ROW);
  assert_int_equal(store_col_int(same, 0), 2);
  assert_int_equal(store_col_int(same, 1), 1);
  assert_string_equal(store_col_text(same, 2), "Cán Bộ Thử");
  assert_string_equal(store_col_text(same, 3), "Tổ dân phố số 1");
  store_reset(same);
  field_visit_saved_free(&sv);
  assert_int_equal(field_visit_get(fx->w, sv.id, &got, &e), 0);
  /* the text is what the read answers, dumped as every answer is, byte for byte (the read names
   * the helper from the users table: no account here, so the name given is put in its place) */
  json_object_set_new(got, "created_by", json_string("Tình nguyện viên \"Bảy\" </b>"));
  char *want = jsonx_dump(got, NULL);
  assert_non_null(want);
  if (strcmp(built.data, want) != 0) fail_msg("built %s\nread  %s", built.data, want);
  json_t *parsed = json_loads(built.data, 0, NULL);
  assert_non_null(parsed);
  assert_true(json_equal(parsed, got));
  assert_int_equal(json_array_size(json_object_get(parsed, "topics")), 2);
  assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(parsed, "present"), 1), "outcomes")), 2);
  free(want);
  json_decref(parsed);
  json_decref(got);
  buf_free(&built);
  /* without an answer wanted, the same visit is recorded */
  assert_int_equal(field_visit_record(fx->w, hh, &in, 0, NULL, clock_now(), &sv, NULL, &e), 0);
  assert_true(sv.id > 0);
  field_visit_saved_free(&sv);
  json_decref(topics);
  json_decref(present);
  store_rollback(fx->w);
}

static void test_worklists_and_coverage(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t team = team_of(fx, fx->tdp1);
  int64_t h1 = household(fx, fx->tdp1), h2 = household(fx, fx->tdp1), h3 = household(fx, fx->tdp2);
  int64_t adult = person(fx, "Phạm Văn Chưa", fx->tdp1, h1, "1950", "M", NULL);
  int64_t child = person(fx, "Phạm Thị Bé", fx->tdp1, h1, "2018", "F", NULL);
  int64_t declined = person(fx, "Phạm Văn Từ Chối", fx->tdp1, h1, "1952", "M", NULL);
  int64_t confirmed = person(fx, "Đỗ Thị Đã Học", fx->tdp1, h2, "1980", "F", NULL);
  int64_t away = person(fx, "Hồ Văn Tổ Hai", fx->tdp2, h3, "1980", "M", NULL);
  (void)away;
  confirmation_input ci = {.kind = "vneid", .confirmed_on = "2026-01-02"};
  int64_t cid = 0;
  bool created = false;
  app_err e = {0};
  assert_int_equal(confirmations_record(fx->w, confirmed, &ci, 0, clock_now(), &cid, &created, &e), 0);
  json_t *items = NULL;
  int64_t total = 0, today = groups_date_key(clock_now());
  assert_int_equal(field_worklist_residents(fx->w, team, today, 1, 200, &items, &total, &e), 0);
  assert_true(in_list(items, adult));
  assert_true(in_list(items, declined));
  assert_false(in_list(items, child));
  assert_false(in_list(items, confirmed));
  assert_false(in_list(items, away));
  json_decref(items);
  assert_int_equal(field_worklist_households(fx->w, team, 1, 200, &items, &total, &e), 0);
  assert_true(in_list(items, h1));
  assert_true(in_list(items, h2));
  assert_false(in_list(items, h3));
  int64_t before = total;
  json_decref(items);
  json_t *topics = json_pack("[s]", "vneid"),
         *present = json_pack("[{s:I, s:[s]}, {s:I, s:[s]}]", "person_id", (json_int_t)adult, "outcomes", "vneid_level2",
                              "person_id", (json_int_t)declined, "outcomes", "declined");
  field_visit_input in = {.topics = topics, .present = present};
  field_visit_saved v;
  assert_int_equal(field_visit_record(fx->w, h1, &in, 0, NULL, clock_now(), &v, NULL, &e), 0);
  field_visit_saved_free(&v);
  assert_true(v.id > 0);
  assert_int_equal(v.unit_id, fx->tdp1);
  assert_int_equal(v.present, 2);
  json_decref(topics);
  json_decref(present);
  assert_int_equal(field_worklist_households(fx->w, team, 1, 200, &items, &total, &e), 0);
  assert_false(in_list(items, h1));
  assert_int_equal(total, before - 1);
  json_decref(items);
  assert_int_equal(field_worklist_residents(fx->w, team, today, 1, 200, &items, &total, &e), 0);
  assert_false(in_list(items, adult));
  assert_true(in_list(items, declined));
  json_decref(items);
  /* Coverage: an officer of tổ 1 sees tổ 1 alone, with its visited household. */
  int64_t uid = officer(fx, "field.tdp1", "unit_officer", fx->tdp1);
  principal p = {.user_id = uid};
  scope_sql sc;
  scope_sql_of(&sc, &p, CAP_PEOPLE_READ);
  assert_int_equal(field_coverage(fx->w, &sc, 0, &items, &e), 0);
  assert_int_equal(json_array_size(items), 1);
  json_t *row = json_array_get(items, 0);
  assert_int_equal(json_integer_value(json_object_get(row, "unit_id")), fx->tdp1);
  assert_int_equal(json_integer_value(json_object_get(row, "visited")), 1);
  assert_int_equal(json_integer_value(json_object_get(row, "households")), before);
  assert_int_equal(json_integer_value(json_object_get(row, "team_id")), team);
  json_decref(items);
  /* The household found by a member's name typed without diacritics, or by its address. */
  assert_int_equal(field_households_find(fx->w, fx->tdp1, "pham van chua", &items, &e), 0);
  assert_true(in_list(items, h1));
  assert_false(in_list(items, h2));
  json_decref(items);
  assert_int_equal(field_households_find(fx->w, fx->tdp1, "TU CHOI", &items, &e), 0);
  assert_true(in_list(items, h1));
  json_decref(items);
  assert_int_equal(field_households_find(fx->w, fx->tdp2, "chua", &items, &e), 0);
  assert_int_equal(json_array_size(items), 0);
  json_decref(items);
  e = (app_err){0};
  assert_int_equal(field_households_find(fx->w, fx->tdp1, "   ", &items, &e), -1);
  assert_string_equal(e.field, "q");
  store_rollback(fx->w);
}

static void test_topics(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  json_t *items = NULL;
  app_err e = {0};
  assert_int_equal(field_topics_list(fx->w, &items, &e), 0);
  size_t n = json_array_size(items);
  assert_true(n >= 7);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "code")), "smartphone");
  json_decref(items);
  int64_t id = 0;
  assert_int_equal(field_topics_create(fx->w, NULL, "Chữ ký số cá nhân", 0, clock_now(), &id, &e), 0);
  assert_int_equal(field_topics_list(fx->w, &items, &e), 0);
  assert_int_equal(json_array_size(items), n + 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, n), "code")), "chu_ky_so_ca_nhan");
  json_decref(items);
  assert_int_equal(field_topics_create(fx->w, NULL, "Chữ ký số cá nhân", 0, clock_now(), &id, &e), -1);
  assert_int_equal(e.status, 409);
  e = (app_err){0};
  assert_int_equal(field_topics_create(fx->w, "Sai Mã!", "Một chủ đề", 0, clock_now(), &id, &e), -1);
  assert_string_equal(e.field, "code");
  store_rollback(fx->w);
}

/* Help requests: routed to a tổ only; taken once; closed with a visit of its tổ from its day on;
 * overdue three days after it was made; counted by tổ within a scope. */
static void test_help_requests(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t now = clock_now(), id = 0, other = 0;
  app_err e = {0};
  helpreq_input in = {.unit_id = fx->tdp1, .channel = "web", .relation = "relative", .requester_name = "  Ngô Văn Con ",
                      .phone = "+84 912 345 678", .topic = "vneid", .description = "Kích hoạt VNeID cho mẹ"};
  assert_int_equal(helpreq_create(fx->w, &in, 0, now, &id, &e), 0);
  json_t *o = NULL;
  assert_int_equal(helpreq_get(fx->w, id, now, &o, &e), 0);
  assert_string_equal(json_string_value(json_object_get(o, "requester_name")), "Ngô Văn Con");
  assert_string_equal(json_string_value(json_object_get(o, "phone")), "0912345678");
  assert_false(json_is_true(json_object_get(o, "overdue")));
  json_decref(o);
  assert_int_equal(helpreq_get(fx->w, id, now + HELPREQ_DUE_SECONDS + 1, &o, &e), 0);
  assert_true(json_is_true(json_object_get(o, "overdue")));
  json_decref(o);
  /* Refused: no phone on the public form, a unit that is not a tổ, an unknown topic or channel. */
  static const char *const fields[] = {"phone", "unit_id", "topic", "channel"};
  helpreq_input bad[4] = {in, in, in, in};
  bad[0].phone = NULL;
  bad[1].unit_id = fx->office;
  bad[2].topic = "bay";
  bad[3].channel = "fax";
  for (int i = 0; i < 4; i++) {
    app_err be = {0};
    int64_t x = 0;
    assert_int_equal(helpreq_create(fx->w, &bad[i], 0, now, &x, &be), -1);
    assert_string_equal(be.field, fields[i]);
  }
  in.unit_id = fx->tdp2;
  in.channel = "phone";
  in.phone = NULL;
  assert_int_equal(helpreq_create(fx->w, &in, 0, now, &other, &e), 0);
  /* Taken once. */
  int64_t u1 = officer(fx, "field.hr1", "field_helper", fx->tdp1), u2 = officer(fx, "field.hr2", "field_helper", fx->tdp1);
  assert_int_equal(helpreq_take(fx->w, id, u1, now, &e), 0);
  assert_int_equal(helpreq_take(fx->w, id, u1, now, &e), 0);
  e = (app_err){0};
  assert_int_equal(helpreq_take(fx->w, id, u2, now, &e), -1);
  assert_int_equal(e.status, 409);
  /* Closed with a visit of its tổ, made on or after its day. */
  int64_t hh = household(fx, fx->tdp1), hh2 = household(fx, fx->tdp2), v_out = 0, v_old = 0, v = 0;
  assert_int_equal(visit(fx, hh2, NULL, "vneid", 0, NULL, &v_out, &e), 0);
  assert_int_equal(visit(fx, hh, "2025-01-02", "vneid", 0, NULL, &v_old, &e), 0);
  assert_int_equal(visit(fx, hh, NULL, "vneid", 0, NULL, &v, &e), 0);
  e = (app_err){0};
  assert_int_equal(helpreq_done(fx->w, id, v_out, u1, now, &e), -1);
  assert_string_equal(e.field, "visit_id");
  e = (app_err){0};
  assert_int_equal(helpreq_done(fx->w, id, v_old, u1, now, &e), -1);
  assert_string_equal(e.field, "visit_id");
  assert_int_equal(helpreq_done(fx->w, id, v, u1, now, &e), 0);
  e = (app_err){0};
  assert_int_equal(helpreq_done(fx->w, id, v, u1, now, &e), -1);
  assert_int_equal(e.status, 409);
  int64_t n = 0;
  assert_int_equal(helpreq_closed_count(fx->w, fx->tdp1, now - 10, now + 10, &n, &e), 0);
  assert_int_equal(n, 1);
  /* Counted by tổ: an officer of tổ 2 sees the open one of tổ 2, overdue four days later. */
  int64_t off = officer(fx, "field.hr3", "unit_officer", fx->tdp2);
  principal p = {.user_id = off};
  scope_sql sc;
  scope_sql_of(&sc, &p, CAP_PEOPLE_READ);
  json_t *items = NULL;
  assert_int_equal(helpreq_summary(fx->w, &sc, 0, now + 4 * 86400, &items, &e), 0);
  assert_int_equal(json_array_size(items), 1);
  json_t *row = json_array_get(items, 0);
  assert_int_equal(json_integer_value(json_object_get(row, "unit_id")), fx->tdp2);
  assert_int_equal(json_integer_value(json_object_get(row, "open")), 1);
  assert_int_equal(json_integer_value(json_object_get(row, "overdue")), 1);
  json_decref(items);
  helpreq_query q = {.status = "overdue", .page = 1, .per_page = 50};
  int64_t total = 0;
  assert_int_equal(helpreq_list(fx->w, &sc, &q, now, &items, &total, &e), 0);
  assert_int_equal(total, 0);
  json_decref(items);
  assert_int_equal(helpreq_list(fx->w, &sc, &q, now + 4 * 86400, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  json_decref(items);
  store_rollback(fx->w);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_outcomes),
      cmocka_unit_test(test_periods),
  };
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {
      T(test_teams), T(test_visits_refused), T(test_outcome_needs_presence), T(test_same_day_both_kept), T(test_worklists_and_coverage), T(test_topics), T(test_help_requests),
  };
#undef T
  int failed = cmocka_run_group_tests_name("field_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("field_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("field_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

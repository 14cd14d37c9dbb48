/* test_reach.c: issue 9 parts 2, 3 and 10 on SQLite and, when HOCVUSO_TEST_DATABASE_URL names a
 * PostgreSQL database, on PostgreSQL in a schema of its own. Đại sứ số (ambassadors.c): one mentor
 * at a time per mentee (refused by the code and by the database's unique index), history kept, the
 * shortfall of the 5-mentee rule, sessions never dated in the future, the service centre flagged
 * while it has no helper. Gia đình số (families.c): the one rule (a valid certificate of a living
 * member, or a confirmation from outside; a revoked certificate, a deleted member count for nothing;
 * an empty household is in no figure), per tổ and in the caller's scope. VNeID coverage (vneid.c):
 * levels per tổ; the worklist holds exactly the adults of groups.h without level 2. Synthetic people
 * only.
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

#include "domain/ambassadors.h"
#include "domain/confirmations.h"
#include "domain/families.h"
#include "domain/vneid.h"
#include "domain/groups.h"
#include "domain/people.h"
#include "domain/scope.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "reach"
#include "registry_fixture.h"

/* An account with `role` on `unit`. */
static int64_t officer(fixture *fx, const char *role, int64_t unit) {
  int64_t uid = 0, gid = 0;
  app_err e = {0};
  char username[32];
  snprintf(username, sizeof username, "can.bo.%d", ++fx->seq);
  if (users_create(fx->w, username, "Cán Bộ Thử", "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA", unit, false, &uid,
                   &e) != 0)
    fail_msg("users_create %s: %s %s", username, e.code, e.message);
  if (roles_grant(fx->w, uid, role, unit, 0, &gid, &e) != 0) fail_msg("roles_grant: %s %s", e.code, e.message);
  return uid;
}

static const char *letters(fixture *fx) {
  static char b[8];
  int n = ++fx->seq;
  snprintf(b, sizeof b, "%c%c%c", 'a' + n % 26, 'a' + n / 26 % 26, 'a' + n / 676 % 26);
  return b;
}
static int64_t someone(fixture *fx, int64_t unit, int64_t household, const char *birth) {
  char name[64];
  snprintf(name, sizeof name, "Người Thử %s", letters(fx));
  return person(fx, name, unit, household, birth, NULL, NULL);
}

static int64_t mentor_of(fixture *fx, int64_t unit, int64_t now) {
  int64_t id = 0;
  app_err e = {0};
  if (ambassadors_create(fx->w, someone(fx, unit, 0, NULL), unit, AMB_MENTOR, 0, now, &id, &e) != 0)
    fail_msg("ambassadors_create: %s %s", e.code, e.message);
  return id;
}

static json_t *get(fixture *fx, int64_t id) {
  json_t *o = NULL;
  app_err e = {0};
  scope_sql all;
  scope_sql_all(&all);
  assert_int_equal(ambassadors_get(fx->w, &all, id, &o, &e), 0);
  return o;
}
static int64_t int_of(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

/* ---- pure ---- */
static void test_dates(void **state) {
  (void)state;
  int64_t k = 0;
  const char *why = NULL;
  assert_int_equal(ambassadors_parse_date("15/03/2026", 20260401, &k, &why), 0);
  assert_int_equal(k, 20260315);
  assert_int_equal(ambassadors_parse_date("2026-04-01", 20260401, &k, &why), 0);
  assert_int_equal(k, 20260401);
  assert_int_equal(ambassadors_parse_date("2026-04-02", 20260401, &k, &why), -1); /* tomorrow */
  assert_non_null(strstr(why, "tương lai"));
  assert_int_equal(ambassadors_parse_date("31/02/2026", 20260401, &k, &why), -1);
  assert_int_equal(ambassadors_parse_date("2026", 20260401, &k, &why), -1); /* a year is no day */
  assert_int_equal(ambassadors_parse_date("1999-12-31", 20260401, &k, &why), -1);
  assert_int_equal(ambassadors_parse_date("  ", 20260401, &k, &why), -1);
  assert_int_equal(ambassadors_parse_date(NULL, 20260401, &k, &why), -1);
}

/* ---- Đại sứ số ---- */
static void test_one_mentor_at_a_time(void **state) {
  fixture *fx = fx_of(state);
  int64_t now = clock_now();
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t m1 = mentor_of(fx, fx->tdp1, now), m2 = mentor_of(fx, fx->tdp1, now);
  int64_t mentee = someone(fx, fx->tdp1, 0, "1950"), ms = 0, ms2 = 0, unit = 0;
  app_err e = {0};
  assert_int_equal(mentorships_create(fx->w, mentee, m1, 0, now, &ms, &unit, &e), 0);
  assert_int_equal(unit, fx->tdp1);
  /* A second mentor while the first one guides: 409 naming mentee_id, the first mentor named. */
  app_err e2 = {0};
  assert_int_equal(mentorships_create(fx->w, mentee, m2, 0, now, &ms2, &unit, &e2), -1);
  assert_int_equal(e2.status, 409);
  assert_string_equal(e2.field, "mentee_id");
  assert_non_null(strstr(e2.message, "Người Thử"));
  json_t *g2 = get(fx, m2);
  assert_int_equal(int_of(g2, "active_mentees"), 0);
  assert_int_equal(json_array_size(json_object_get(g2, "mentees")), 0);
  json_decref(g2);
  /* The database refuses it too, whatever the code above missed (the partial unique index). */
  assert_int_equal(store_savepoint(fx->w, "dup"), STORE_OK);
  char sql[200];
  snprintf(sql, sizeof sql, "INSERT INTO mentorships (ambassador_id, mentee_id, started_at, created_at) VALUES (%lld, %lld, 1, 1)",
           (long long)m2, (long long)mentee);
  assert_int_not_equal(store_exec(fx->w, sql), STORE_OK);
  assert_int_equal(store_rollback_to(fx->w, "dup"), STORE_OK);
  /* Ended, then given to the other mentor: the history keeps both. */
  int64_t who = 0;
  assert_int_equal(mentorships_end(fx->w, ms, 0, now + 10, &who, &unit, &e), 0);
  assert_int_equal(who, mentee);
  app_err e3 = {0};
  assert_int_equal(mentorships_end(fx->w, ms, 0, now + 11, &who, &unit, &e3), -1);
  assert_int_equal(e3.status, 409);
  assert_int_equal(mentorships_create(fx->w, mentee, m2, 0, now + 20, &ms2, &unit, &e), 0);
  json_t *g1 = get(fx, m1);
  assert_int_equal(int_of(g1, "active_mentees"), 0);
  assert_int_equal(json_array_size(json_object_get(g1, "mentees")), 1);
  assert_false(json_is_true(json_object_get(json_array_get(json_object_get(g1, "mentees"), 0), "active")));
  json_decref(g1);
  /* Oneself, and a mentor who is not one. */
  json_t *m = get(fx, m1);
  app_err e4 = {0};
  assert_int_equal(mentorships_create(fx->w, int_of(m, "person_id"), m1, 0, now, &ms2, &unit, &e4), -1);
  assert_int_equal(e4.status, 400);
  assert_string_equal(e4.field, "mentee_id");
  json_decref(m);
  int64_t p1 = 0, u1 = 0;
  assert_int_equal(ambassadors_end(fx->w, m1, 0, now + 30, &p1, &u1, &e), 0);
  app_err e5 = {0};
  assert_int_equal(mentorships_create(fx->w, someone(fx, fx->tdp1, 0, NULL), m1, 0, now, &ms2, &unit, &e5), -1);
  assert_int_equal(e5.status, 400);
  assert_string_equal(e5.field, "mentor_id");
  assert_int_equal(store_commit(fx->w), STORE_OK);
}

static void test_sessions(void **state) {
  fixture *fx = fx_of(state);
  int64_t now = clock_now(), ms = 0, unit = 0, sid = 0;
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t m = mentor_of(fx, fx->tdp1, now - 30 * 86400);
  app_err e = {0};
  assert_int_equal(mentorships_create(fx->w, someone(fx, fx->tdp1, 0, NULL), m, 0, now - 30 * 86400, &ms, &unit, &e), 0);
  char tomorrow[16], today[16];
  int64_t tk = groups_date_key(now + 86400), dk = groups_date_key(now);
  snprintf(tomorrow, sizeof tomorrow, "%lld", (long long)tk);
  snprintf(tomorrow, sizeof tomorrow, "%04d-%02d-%02d", (int)(tk / 10000), (int)(tk / 100 % 100), (int)(tk % 100));
  snprintf(today, sizeof today, "%04d-%02d-%02d", (int)(dk / 10000), (int)(dk / 100 % 100), (int)(dk % 100));
  app_err f = {0};
  assert_int_equal(mentorships_log_session(fx->w, ms, tomorrow, "Cài VNeID", 0, now, &sid, NULL, NULL, &f), -1);
  assert_int_equal(f.status, 400);
  assert_string_equal(f.field, "held_on");
  /* Both fields at fault at once: both named. */
  app_err g = {0};
  assert_int_equal(mentorships_log_session(fx->w, ms, tomorrow, " ", 0, now, &sid, NULL, NULL, &g), -1);
  assert_int_equal(g.nerrs, 2);
  assert_string_equal(g.errs[1].field, "topic");
  assert_int_equal(mentorships_log_session(fx->w, ms, today, "  Cài   VNeID mức 2 ", 0, now, &sid, NULL, NULL, &e), 0);
  json_t *o = get(fx, m);
  assert_int_equal(int_of(o, "sessions"), 1);
  json_t *s0 = json_array_get(json_object_get(o, "session_log"), 0);
  assert_string_equal(json_string_value(json_object_get(s0, "topic")), "Cài VNeID mức 2");
  assert_string_equal(json_string_value(json_object_get(s0, "held_on")), today);
  int64_t mentee = json_integer_value(json_object_get(json_array_get(json_object_get(o, "mentees"), 0), "person_id"));
  json_decref(o);
  /* The purge deletes a person's row: their assignments and sessions go with it (ON DELETE CASCADE),
   * on both databases; the mentor stays. */
  char sql[120];
  snprintf(sql, sizeof sql, "DELETE FROM people WHERE id = %lld", (long long)mentee);
  assert_int_equal(store_exec(fx->w, sql), STORE_OK);
  o = get(fx, m);
  assert_int_equal(int_of(o, "sessions"), 0);
  assert_int_equal(json_array_size(json_object_get(o, "mentees")), 0);
  json_decref(o);
  assert_int_equal(store_commit(fx->w), STORE_OK);
}

static void test_rule_and_centre(void **state) {
  fixture *fx = fx_of(state);
  int64_t now = clock_now(), ms = 0, unit = 0;
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t helper = officer(fx, "field_helper", fx->tdp2);
  int64_t m = mentor_of(fx, fx->tdp2, now);
  app_err e = {0};
  for (int i = 0; i < 3; i++)
    assert_int_equal(mentorships_create(fx->w, someone(fx, fx->tdp2, 0, NULL), m, 0, now, &ms, &unit, &e), 0);
  principal p = {.user_id = helper};
  scope_sql sc;
  scope_sql_of(&sc, &p, CAP_PEOPLE_READ);
  ambassador_query q = {.kind = AMB_MENTOR, .short_only = true, .page = 1, .per_page = 50};
  json_t *items = NULL;
  int64_t total = 0;
  assert_int_equal(ambassadors_list(fx->w, &sc, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1); /* only tổ 2's mentor: the scope holds no other */
  json_t *row = json_array_get(items, 0);
  assert_int_equal(int_of(row, "id"), m);
  assert_int_equal(int_of(row, "active_mentees"), 3);
  assert_int_equal(int_of(row, "shortfall"), 2);
  json_decref(items);
  for (int i = 0; i < 2; i++)
    assert_int_equal(mentorships_create(fx->w, someone(fx, fx->tdp2, 0, NULL), m, 0, now, &ms, &unit, &e), 0);
  assert_int_equal(ambassadors_list(fx->w, &sc, &q, &items, &total, &e), 0);
  assert_int_equal(total, 0); /* five: the rule holds */
  json_decref(items);
  /* The ward's summary: a ward without a service centre is flagged; with one but no helper too. */
  scope_sql all;
  scope_sql_all(&all);
  json_t *s = NULL;
  assert_int_equal(ambassadors_summary(fx->w, &all, &s, &e), 0);
  assert_true(json_is_true(json_object_get(s, "no_centre")));
  json_decref(s);
  int64_t centre = 0, hid = 0;
  assert_int_equal(units_create(fx->w, fx->ward, "service_center", "Trung tâm phục vụ hành chính công", NULL, &centre, &e), 0);
  assert_int_equal(ambassadors_summary(fx->w, &all, &s, &e), 0);
  assert_false(json_is_true(json_object_get(s, "no_centre")));
  assert_true(json_is_true(json_object_get(s, "centre_without_helper")));
  json_decref(s);
  /* A helper belongs to the centre only. */
  int64_t hp = someone(fx, fx->tdp1, 0, NULL);
  app_err bad = {0};
  assert_int_equal(ambassadors_create(fx->w, hp, fx->tdp1, AMB_SERVICE_HELPER, 0, now, &hid, &bad), -1);
  assert_string_equal(bad.field, "unit_id");
  assert_int_equal(ambassadors_create(fx->w, hp, centre, AMB_SERVICE_HELPER, 0, now, &hid, &e), 0);
  assert_int_equal(ambassadors_summary(fx->w, &all, &s, &e), 0);
  assert_false(json_is_true(json_object_get(s, "centre_without_helper")));
  json_decref(s);
  char today[16];
  int64_t dk = groups_date_key(now), help = 0;
  snprintf(today, sizeof today, "%04d-%02d-%02d", (int)(dk / 10000), (int)(dk / 100 % 100), (int)(dk % 100));
  int64_t resident = someone(fx, fx->tdp2, 0, NULL);
  assert_int_equal(ambassadors_log_help(fx->w, hid, resident, today, "Nộp hồ sơ trực tuyến", 0, now, &help, NULL, &e), 0);
  app_err nm = {0};
  assert_int_equal(ambassadors_log_help(fx->w, m, resident, today, "Thử", 0, now, &help, NULL, &nm), -1);
  assert_int_equal(nm.status, 409); /* a mentor is no helper at the centre */
  json_t *o = get(fx, hid);
  assert_int_equal(int_of(o, "helps"), 1);
  assert_int_equal(int_of(json_array_get(json_object_get(o, "help_log"), 0), "person_id"), resident);
  json_decref(o);
  assert_int_equal(store_commit(fx->w), STORE_OK);
}

/* ---- Gia đình số ---- */
static void exec_ok(fixture *fx, const char *sql) {
  if (store_exec(fx->w, sql) != STORE_OK) fail_msg("%s: %s", sql, store_errmsg(fx->w));
}
/* A certificate of the person (or of the account `user_id`), revoked or not, stored as certs.c
 * stores one (test data: the signature is not checked here). */
static void certificate(fixture *fx, int64_t person_id, int64_t user_id, bool revoked) {
  static long long next = 1000000000000000;
  exec_ok(fx, "INSERT INTO signing_keys (kid, public_key, seed_sealed, valid_from, created_at)"
              " SELECT 'k-thu', 'x', 'x', 1, 1 WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE kid = 'k-thu')");
  exec_ok(fx, "INSERT INTO programmes (code, title, requirements, created_at, updated_at)"
              " SELECT 'GDS-THU', 'Thử', '{}', 1, 1 WHERE NOT EXISTS (SELECT 1 FROM programmes WHERE code = 'GDS-THU')");
  char pid[24] = "NULL", uid[24] = "NULL", sql[800];
  if (person_id) snprintf(pid, sizeof pid, "%lld", (long long)person_id);
  if (user_id) snprintf(uid, sizeof uid, "%lld", (long long)user_id);
  snprintf(sql, sizeof sql,
           "INSERT INTO certificates (id, programme_id, person_id, user_id, learner, holder_name, programme_title,"
           " issued_on, issuer, kid, payload, signature, issued_at, revoked_at) SELECT %lld, id, %s, %s, '%c%lld',"
           " 'Người Thử', 'Thử', '2026-01-01', 'Phường Thử', 'k-thu', 'p', 's', 1, %s FROM programmes WHERE code = 'GDS-THU'",
           ++next, pid, uid, person_id ? 'p' : 'u', (long long)(person_id ? person_id : user_id), revoked ? "2" : "NULL");
  exec_ok(fx, sql);
}
static void confirmed(fixture *fx, int64_t person_id) {
  int64_t id = 0;
  bool created = false;
  app_err e = {0};
  confirmation_input in = {.kind = "vneid", .confirmed_on = "2026-01-05"};
  if (confirmations_record(fx->w, person_id, &in, 0, clock_now(), &id, &created, &e) != 0)
    fail_msg("confirmations_record: %s %s", e.code, e.message);
}

static void test_family_rule(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  char nm[64];
  snprintf(nm, sizeof nm, "Tổ gia đình %d", ++fx->seq);
  int64_t u = 0, u2 = 0;
  app_err e = {0};
  assert_int_equal(units_create(fx->w, fx->ward, "residential_group", nm, NULL, &u, &e), 0);
  snprintf(nm, sizeof nm, "Tổ gia đình %d", ++fx->seq);
  assert_int_equal(units_create(fx->w, fx->ward, "residential_group", nm, NULL, &u2, &e), 0);
  int64_t h_cert = household(fx, u), h_revoked = household(fx, u), h_conf = household(fx, u), h_deleted = household(fx, u);
  int64_t h_empty = household(fx, u), h_account = household(fx, u), h_none = household(fx, u), h_other = household(fx, u2);
  int64_t a = someone(fx, u, h_cert, "1970");
  someone(fx, u, h_cert, "2015");
  certificate(fx, a, 0, false);
  int64_t b = someone(fx, u, h_revoked, "1980");
  certificate(fx, b, 0, true); /* revoked: counts for nothing */
  confirmed(fx, someone(fx, u, h_conf, "1955"));
  int64_t d = someone(fx, u, h_deleted, "1960"), du = 0;
  confirmed(fx, d);
  someone(fx, u, h_deleted, "1962");
  assert_int_equal(people_delete(fx->w, d, 30, &du, &e), 0); /* the only one who learned is deleted */
  (void)h_empty;
  int64_t f = someone(fx, u, h_account, "1990");
  int64_t uid = officer(fx, "learner", u);
  char sql[160];
  snprintf(sql, sizeof sql, "UPDATE users SET person_id = %lld WHERE id = %lld", (long long)f, (long long)uid);
  exec_ok(fx, sql);
  certificate(fx, 0, uid, false); /* earned on the account before it was linked */
  someone(fx, u, h_none, "1985");
  confirmed(fx, someone(fx, u2, h_other, "1975"));

  assert_int_equal(families_household_counts(fx->w, h_cert), 1);
  assert_int_equal(families_household_counts(fx->w, h_revoked), 0);
  assert_int_equal(families_household_counts(fx->w, h_conf), 1);
  assert_int_equal(families_household_counts(fx->w, h_deleted), 0);
  assert_int_equal(families_household_counts(fx->w, h_empty), 0);
  assert_int_equal(families_household_counts(fx->w, h_account), 1);
  assert_int_equal(families_household_counts(fx->w, h_none), 0);

  /* A field helper of tổ u: its households only, the empty one in no figure. */
  principal p = {.user_id = officer(fx, "field_helper", u)};
  scope_sql sc;
  scope_sql_of(&sc, &p, CAP_PEOPLE_READ);
  json_t *s = NULL;
  assert_int_equal(families_summary(fx->w, &sc, 0, &s, &e), 0);
  assert_int_equal(int_of(s, "households"), 6);
  assert_int_equal(int_of(s, "counted"), 3);
  assert_int_equal(int_of(s, "not_counted"), 3);
  assert_int_equal(json_array_size(json_object_get(s, "by_unit")), 1);
  assert_int_equal(int_of(json_array_get(json_object_get(s, "by_unit"), 0), "unit_id"), u);
  json_decref(s);
  json_t *items = NULL;
  int64_t total = 0;
  assert_int_equal(families_left(fx->w, &sc, 0, 1, 50, &items, &total, &e), 0);
  assert_int_equal(total, 3);
  int64_t want[] = {h_revoked, h_deleted, h_none};
  for (size_t i = 0; i < 3; i++) {
    bool found = false;
    for (size_t k = 0; k < json_array_size(items); k++) found |= int_of(json_array_get(items, k), "id") == want[i];
    assert_true(found);
  }
  json_decref(items);
  /* One page of two, then the third. */
  assert_int_equal(families_left(fx->w, &sc, 0, 2, 2, &items, &total, &e), 0);
  assert_int_equal(json_array_size(items), 1);
  json_decref(items);
  /* Over everything, filtered to the ward: both tổ, each on its row. */
  scope_sql all;
  scope_sql_all(&all);
  assert_int_equal(families_summary(fx->w, &all, u2, &s, &e), 0);
  assert_int_equal(int_of(s, "households"), 1);
  assert_int_equal(int_of(s, "counted"), 1);
  json_decref(s);
  assert_int_equal(store_commit(fx->w), STORE_OK);
}

/* ---- VNeID ---- */
static void set_level(fixture *fx, int64_t id, int level) {
  char sql[120];
  snprintf(sql, sizeof sql, "UPDATE people SET vneid_level = %d WHERE id = %lld", level, (long long)id);
  exec_ok(fx, sql);
}

static void test_vneid(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  char nm[64];
  snprintf(nm, sizeof nm, "Tổ định danh %d", ++fx->seq);
  int64_t u = 0;
  app_err e = {0};
  assert_int_equal(units_create(fx->w, fx->ward, "residential_group", nm, NULL, &u, &e), 0);
  int64_t h = household(fx, u);
  int64_t today = groups_date_key(clock_now());
  char just18[16], almost18[16];
  snprintf(just18, sizeof just18, "%04d-%02d-%02d", (int)(today / 10000 - 18), (int)(today / 100 % 100), (int)(today % 100));
  /* one day short of 18: born tomorrow 18 years ago (the 1st of next month keeps it simple and valid) */
  int y = (int)(today / 10000 - 18), m = (int)(today / 100 % 100) + 1;
  if (m > 12) {
    m = 1;
    y++;
  }
  snprintf(almost18, sizeof almost18, "%04d-%02d-01", y, m);
  int64_t adult0 = someone(fx, u, h, "1970");            /* level 0 */
  int64_t adult1 = someone(fx, u, h, "1980");            /* level 1 */
  int64_t adult2 = someone(fx, u, h, "1990");            /* level 2: not on the worklist */
  int64_t eighteen = someone(fx, u, h, just18);          /* 18 today: an adult */
  int64_t child = someone(fx, u, h, almost18);           /* 17: no */
  int64_t nohouse = someone(fx, u, 0, "1960");           /* no household: not a resident adult (groups.h) */
  int64_t noyear = someone(fx, u, h, NULL);              /* age unknown: not counted an adult */
  set_level(fx, adult1, 1);
  set_level(fx, adult2, 2);
  set_level(fx, child, 1);
  int64_t gone = someone(fx, u, h, "1950"), du = 0;
  assert_int_equal(people_delete(fx->w, gone, 30, &du, &e), 0);
  (void)nohouse;
  (void)noyear;
  scope_sql all;
  scope_sql_all(&all);
  json_t *o = NULL;
  assert_int_equal(vneid_coverage(fx->w, &all, u, today, &o, &e), 0);
  assert_int_equal(int_of(o, "residents"), 7);
  assert_int_equal(int_of(o, "level0"), 4);
  assert_int_equal(int_of(o, "level1"), 2);
  assert_int_equal(int_of(o, "level2"), 1);
  assert_int_equal(int_of(o, "adults"), 4);
  assert_int_equal(int_of(o, "adults_without_level2"), 3);
  json_decref(o);
  json_t *items = NULL;
  int64_t total = 0;
  assert_int_equal(vneid_worklist(fx->w, &all, u, today, 1, 50, &items, &total, &e), 0);
  assert_int_equal(total, 3);
  int64_t want[] = {adult0, adult1, eighteen};
  for (size_t i = 0; i < 3; i++) {
    bool found = false;
    for (size_t k = 0; k < json_array_size(items); k++) {
      json_t *it = json_array_get(items, k);
      found |= int_of(it, "id") == want[i];
      /* the same people as the registry's target group */
      assert_true(groups_of_stored(fx->w, int_of(it, "id"), today) & GROUP_ADULTS);
      assert_true(int_of(it, "vneid_level") < 2);
    }
    assert_true(found);
  }
  json_decref(items);
  /* An officer of another tổ sees none of it. */
  principal p = {.user_id = officer(fx, "unit_officer", fx->tdp2)};
  scope_sql sc;
  scope_sql_of(&sc, &p, CAP_PEOPLE_READ);
  assert_int_equal(vneid_worklist(fx->w, &sc, 0, today, 1, 50, &items, &total, &e), 0);
  for (size_t k = 0; k < json_array_size(items); k++) assert_int_not_equal(int_of(json_array_get(items, k), "unit_id"), u);
  json_decref(items);
  assert_int_equal(store_commit(fx->w), STORE_OK);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_dates),
  };
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {
      T(test_one_mentor_at_a_time),
      T(test_sessions),
      T(test_rule_and_centre),
      T(test_family_rule),
      T(test_vneid),
  };
#undef T
  int failed = cmocka_run_group_tests_name("reach_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("reach_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("reach_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

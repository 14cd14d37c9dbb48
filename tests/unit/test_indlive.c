/* test_indlive.c: live counts of the indicators (indlive.h). On SQLite and, when
 * HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL: after every kind of write
 * the indicators read (a person, a membership in two units, a certificate through an account, a
 * confirmation, a revocation, an account linked to another person, a soft delete, a unit moved, a
 * unit's kind changed, a visit), the cube of every unit from the live counts equals the one
 * counted from the records, before the drain (what is marked is added by the reader) and after
 * it; the full recount agrees; a count changed by hand is found; a birthday tomorrow is counted
 * tomorrow; too much marked makes the reader count from the records; a household follows its
 * unit when the unit moves. Synthetic people only.
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
#include "domain/indlive.h"
#include "domain/people.h"
#include "domain/units.h"
#include "domain/vneid.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "indlive"
#include "registry_fixture.h"

static void exec_ok(store_conn *w, const char *sql) {
  if (store_exec(w, sql) != STORE_OK) fail_msg("%s: %s", sql, store_errmsg(w));
}

static int64_t today(void) { return groups_date_key(clock_now()); }

/* The units, every one. */
static int all_units(store_conn *c, int64_t *ids, int max) {
  STORE_SQL(q_units, "SELECT id FROM units ORDER BY id");
  store_stmt *s = store_prepare(c, &q_units);
  assert_non_null(s);
  int n = 0;
  while (store_step(s) == STORE_ROW && n < max) ids[n++] = store_col_int(s, 0);
  store_reset(s);
  return n;
}

static int64_t cell(const ind_cube *c, uint32_t g, uint32_t f) {
  for (int i = 0; i < c->ncells; i++)
    if (c->cells[i].g == g && c->cells[i].f == f) return c->cells[i].n;
  return 0;
}

/* Every unit's cubes of people and households: live (and served live) equal to the records'. */
static void agree_as(fixture *fx, const char *when, bool live_expected) {
  int64_t ids[512];
  int n = all_units(fx->w, ids, 512);
  assert_true(n >= 8);
  int64_t key = today();
  for (int i = 0; i < n; i++)
    for (int b = IND_PEOPLE; b <= IND_HOUSEHOLDS; b += IND_HOUSEHOLDS - IND_PEOPLE) {
      ind_cube live, rec;
      app_err e = {0};
      store_conn *r = store_acquire(fx->st, false);
      assert_non_null(r);
      ind_use_live(true);
      if (ind_cube_load(r, (ind_base)b, ids[i], key, &live, &e) != 0) fail_msg("%s: live: %s", when, e.message);
      store_release(r);
      r = store_acquire(fx->st, false);
      ind_use_live(false);
      if (ind_cube_load(r, (ind_base)b, ids[i], key, &rec, &e) != 0) fail_msg("%s: records: %s", when, e.message);
      ind_use_live(true);
      store_release(r);
      if (live.live != live_expected)
        fail_msg("%s: unit %lld base %d %s from the live counts", when, (long long)ids[i], b,
                 live_expected ? "not served" : "served before they were built");
      if (rec.live) fail_msg("%s: the recount read the live counts", when);
      for (int pass = 0; pass < 2; pass++) {
        const ind_cube *from = pass ? &live : &rec;
        for (int k = 0; k < from->ncells; k++) {
          uint32_t g = from->cells[k].g, f = from->cells[k].f;
          if (cell(&live, g, f) != cell(&rec, g, f))
            fail_msg("%s: unit %lld base %d cell (%u, %u): live %lld, records %lld", when, (long long)ids[i], b, g, f,
                     (long long)cell(&live, g, f), (long long)cell(&rec, g, f));
        }
      }
      ind_cube_free(&live);
      ind_cube_free(&rec);
    }
  /* the units below the city and below the ward, read at once (a ranking) */
  int64_t parents[2] = {fx->city, fx->ward};
  for (int p = 0; p < 2; p++)
    for (int b = IND_PEOPLE; b <= IND_HOUSEHOLDS; b += IND_HOUSEHOLDS - IND_PEOPLE) {
      STORE_SQL(q_kids, "SELECT id FROM units WHERE parent_id = ? ORDER BY name");
      store_conn *r = store_acquire(fx->st, false);
      store_stmt *s = store_prepare(r, &q_kids);
      store_bind_int(s, 1, parents[p]);
      int64_t kids[32];
      int nk = 0;
      while (store_step(s) == STORE_ROW && nk < 32) kids[nk++] = store_col_int(s, 0);
      store_reset(s);
      ind_cube below[32];
      app_err e = {0};
      int got = indlive_cubes_below(r, (ind_base)b, parents[p], kids, nk, key, below, &e);
      store_release(r);
      if (got != (live_expected ? 1 : 0)) fail_msg("%s: indlive_cubes_below answered %d", when, got);
      for (int k = 0; got == 1 && k < nk; k++) {
        ind_cube rec;
        r = store_acquire(fx->st, false);
        ind_use_live(false);
        if (ind_cube_load(r, (ind_base)b, kids[k], key, &rec, &e) != 0) fail_msg("%s: records: %s", when, e.message);
        ind_use_live(true);
        store_release(r);
        for (int pass = 0; pass < 2; pass++) {
          const ind_cube *from = pass ? &below[k] : &rec;
          for (int m = 0; m < from->ncells; m++) {
            uint32_t g = from->cells[m].g, f = from->cells[m].f;
            if (cell(&below[k], g, f) != cell(&rec, g, f))
              fail_msg("%s: below %lld, unit %lld base %d cell (%u, %u): live %lld, records %lld", when,
                       (long long)parents[p], (long long)kids[k], b, g, f, (long long)cell(&below[k], g, f),
                       (long long)cell(&rec, g, f));
          }
        }
        ind_cube_free(&rec);
        ind_cube_free(&below[k]);
      }
    }
  int64_t units = 0, records = 0, diffs = -1;
  char err[256] = "";
  if (indlive_verify(fx->st, key, stderr, &units, &records, &diffs, err, sizeof err) != 0) fail_msg("%s: %s", when, err);
  if (diffs != 0) fail_msg("%s: the recount found %lld difference(s)", when, (long long)diffs);
  assert_int_equal(units, n);
}

static void agree(fixture *fx, const char *when) { agree_as(fx, when, true); }

static void drain(fixture *fx) {
  store_release(fx->w); /* the drain takes the writer itself */
  fx->w = NULL;
  int64_t done = 0;
  char err[256] = "";
  if (indlive_drain(fx->st, today(), NULL, &done, err, sizeof err) != 0) fail_msg("drain: %s", err);
  store_conn *r = store_acquire(fx->st, false);
  assert_int_equal(indlive_pending(r, today(), 100), 0);
  store_release(r);
  fx->w = store_acquire(fx->st, true);
  assert_non_null(fx->w);
}

static void test_live(void **state) {
  fixture *fx = fx_of(state);
  char sql[1024];
  int64_t h1 = household(fx, fx->tdp1), h2 = household(fx, fx->tdp2), h3 = household(fx, fx->tdp2);
  int64_t p1 = person(fx, "Người Sống Một", fx->tdp1, h1, "1970", NULL, NULL);
  int64_t p2 = person(fx, "Người Sống Hai", fx->tdp1, h1, "1985", NULL, NULL);
  int64_t p3 = person(fx, "Bé Sống Ba", fx->tdp2, h2, "2017", NULL, NULL);
  int64_t p4 = person(fx, "Cán Bộ Sống Bốn", fx->office, 0, "1988", NULL, NULL);
  int64_t p5 = person(fx, "Người Sống Năm", fx->tdp2, h3, "1960", NULL, NULL);
  /* turns 18 tomorrow */
  int64_t t = today(), tomorrow = groups_date_key(clock_now() + 86400);
  char birth[16];
  snprintf(birth, sizeof birth, "%02d/%02d/%04d", (int)(tomorrow % 100), (int)(tomorrow / 100 % 100),
           (int)(tomorrow / 10000 - 18));
  int64_t p6 = person(fx, "Người Sắp Đủ Tuổi", fx->tdp1, h1, birth, NULL, NULL);
  (void)p6;
  snprintf(sql, sizeof sql,
           "INSERT INTO memberships (person_id, unit_id, kind, grade) VALUES (%lld, %lld, 'student', 3);"
           " INSERT INTO memberships (person_id, unit_id, kind) VALUES (%lld, %lld, 'staff'), (%lld, %lld, 'worker'),"
           " (%lld, %lld, 'trader'), (%lld, %lld, 'staff')",
           (long long)p3, (long long)fx->school, (long long)p4, (long long)fx->office, (long long)p4,
           (long long)fx->enterprise, (long long)p5, (long long)fx->market, (long long)p5, (long long)fx->tdp1);
  exec_ok(fx->w, sql);
  exec_ok(fx->w, "INSERT INTO signing_keys (kid, public_key, seed_sealed, valid_from, created_at) VALUES ('k-live', 'x', 'x', 1, 1)");
  exec_ok(fx->w, "INSERT INTO programmes (code, title, requirements, created_at, updated_at) VALUES ('LIVE', 'Thử', '{}', 1, 1)");
  exec_ok(fx->w, "INSERT INTO users (username, display_name, name_fold, password_hash, created_at, updated_at)"
             " VALUES ('song.mot', 'Người Sống Một', 'nguoi song mot', 'x', 1, 1)");
  snprintf(sql, sizeof sql, "UPDATE users SET person_id = %lld WHERE username = 'song.mot'", (long long)p1);
  exec_ok(fx->w, sql);
  exec_ok(fx->w, "INSERT INTO certificates (id, programme_id, user_id, learner, holder_name, programme_title, issued_on,"
             " issuer, kid, payload, signature, issued_at) SELECT 3000000000000001, p.id, u.id, 'u' || u.id, 'Người Sống Một',"
             " 'Thử', '2026-01-01', 'Phường Thử', 'k-live', 'p', 's', 1767200000 FROM programmes p, users u"
             " WHERE p.code = 'LIVE' AND u.username = 'song.mot'");
  snprintf(sql, sizeof sql,
           "INSERT INTO external_confirmations (person_id, kind, source, confirmed_on, created_at) VALUES"
           " (%lld, 'vneid', 'VNeID', 20260105, 1), (%lld, 'national_platform', 'binhdanhocvuso.gov.vn', 20260110, 1);"
           " UPDATE people SET vneid_level = 2 WHERE id = %lld",
           (long long)p2, (long long)p4, (long long)p2);
  exec_ok(fx->w, sql);

  /* never drained yet: counted from the records (the live counts are not whole) */
  agree_as(fx, "before the first drain", false);
  drain(fx);
  agree(fx, "after the first drain");

  /* every kind of change, then the same checks before and after the drain */
  snprintf(sql, sizeof sql,
           "INSERT INTO external_confirmations (person_id, kind, source, confirmed_on, created_at) VALUES"
           " (%lld, 'vneid', 'VNeID', %lld, 2);"
           " DELETE FROM memberships WHERE person_id = %lld AND unit_id = %lld;"
           " INSERT INTO field_visits (household_id, unit_id, visited_on, created_at) VALUES (%lld, %lld, %lld, 2)",
           (long long)p5, (long long)t, (long long)p4, (long long)fx->enterprise, (long long)h2, (long long)fx->tdp2,
           (long long)t);
  exec_ok(fx->w, sql);
  app_err e = {0};
  int64_t was_in = 0;
  assert_int_equal(people_delete(fx->w, p2, 30, &was_in, &e), 0);
  int64_t old_parent = 0;
  int64_t block = 0;
  assert_int_equal(unit(fx->w, fx->city, "ward", "Phường Thử Hai", &block), 0);
  assert_int_equal(units_move(fx->w, fx->tdp2, block, &old_parent, &e), 0); /* tdp2's path changes */
  assert_int_equal(units_update(fx->w, fx->enterprise, NULL, "cooperative", NULL, &e), 0);
  agree(fx, "after the changes, before the drain");
  drain(fx);
  agree(fx, "after the changes and the drain");
  exec_ok(fx->w, "UPDATE certificates SET revoked_at = 1767300000 WHERE id = 3000000000000001");
  snprintf(sql, sizeof sql, "UPDATE users SET person_id = %lld WHERE username = 'song.mot'", (long long)p5);
  exec_ok(fx->w, sql);
  agree(fx, "after a revocation and an account moved, before the drain");
  drain(fx);
  agree(fx, "after a revocation and an account moved");
  /* a unit moved back, nothing else changed: its people and households follow it */
  assert_int_equal(units_move(fx->w, fx->tdp2, fx->ward, &old_parent, &e), 0);
  agree(fx, "after a unit moved back, before the drain");
  drain(fx);
  agree(fx, "after a unit moved back");

  /* tomorrow, the one who turns 18 is an adult: the reader counts them as due, so does the recount */
  int64_t units = 0, records = 0, diffs = -1;
  char err[256] = "";
  assert_int_equal(indlive_verify(fx->st, tomorrow, stderr, &units, &records, &diffs, err, sizeof err), 0);
  assert_int_equal(diffs, 0);
  store_conn *r = store_acquire(fx->st, false);
  assert_true(indlive_pending(r, tomorrow, 100) >= 1);
  ind_cube lt, lr;
  assert_int_equal(indlive_cube(r, IND_PEOPLE, fx->tdp1, t, &lt, &e), 1);
  assert_int_equal(indlive_cube(r, IND_PEOPLE, fx->tdp1, tomorrow, &lr, &e), 1);
  int64_t adults_today = 0, adults_tomorrow = 0;
  for (int i = 0; i < lt.ncells; i++) adults_today += (lt.cells[i].g & GROUP_ADULTS) ? lt.cells[i].n : 0;
  for (int i = 0; i < lr.ncells; i++) adults_tomorrow += (lr.cells[i].g & GROUP_ADULTS) ? lr.cells[i].n : 0;
  assert_int_equal(adults_tomorrow, adults_today + 1);
  ind_cube_free(&lt);
  ind_cube_free(&lr);
  store_release(r);

  /* a count changed by hand is found */
  snprintf(sql, sizeof sql, "UPDATE ind_live SET n = n + 1 WHERE base = 0 AND unit_id = %lld", (long long)fx->tdp1);
  exec_ok(fx->w, sql);
  assert_int_equal(indlive_verify(fx->st, t, NULL, &units, &records, &diffs, err, sizeof err), 0);
  assert_true(diffs >= 1);
  snprintf(sql, sizeof sql, "UPDATE ind_live SET n = n - 1 WHERE base = 0 AND unit_id = %lld", (long long)fx->tdp1);
  exec_ok(fx->w, sql);

  /* too much marked: the counts as drained, saying how many records are still to come */
  assert_int_equal(store_begin(fx->w), STORE_OK);
  for (int k = 0; k <= INDLIVE_FOLD_MAX; k++) { /* ids nobody has */
    snprintf(sql, sizeof sql, "INSERT INTO ind_dirty (person_id) VALUES (%d)", 800000000 + k);
    exec_ok(fx->w, sql);
  }
  assert_int_equal(store_commit(fx->w), STORE_OK);
  json_t *o = NULL;
  r = store_acquire(fx->st, false);
  assert_int_equal(indlive_pending(r, t, INDLIVE_FOLD_MAX + 1), INDLIVE_FOLD_MAX + 1);
  assert_int_equal(ind_compute(r, fx->ward, t, &o, &e), 0);
  assert_string_equal(json_string_value(json_object_get(o, "counted")), "live");
  assert_true(json_integer_value(json_object_get(o, "pending")) >= INDLIVE_FOLD_MAX + 1);
  json_decref(o);
  store_release(r);
  drain(fx);
  agree(fx, "after many marks drained");
  r = store_acquire(fx->st, false);
  assert_int_equal(ind_compute(r, fx->ward, t, &o, &e), 0);
  assert_string_equal(json_string_value(json_object_get(o, "counted")), "live");
  json_decref(o);
  /* another day is counted from the records */
  assert_int_equal(ind_compute(r, fx->ward, 20260301, &o, &e), 0);
  assert_string_equal(json_string_value(json_object_get(o, "counted")), "records");
  json_decref(o);
  store_release(r);
}

/* Two app servers on one PostgreSQL database: a write on one commits while the other drains.
 * The person was already marked (an earlier write), so the write's trigger found the mark there
 * and added none; the drain took that mark and classified the person without the write it could
 * not see yet. After both commit, the person must still be marked (or classified with the write):
 * the live counts must agree with the records. (SQLite has one writer for every process.) */
static void test_write_during_drain(void **state) {
  fixture *fx = fx_of(state);
  if (fx->kind != STORE_PG) skip();
  char sql[512], err[256] = "";
  int64_t h = household(fx, fx->tdp1);
  int64_t p = person(fx, "Người Đua Một", fx->tdp1, h, "1980", NULL, NULL);
  drain(fx);
  agree(fx, "before the race");
  snprintf(sql, sizeof sql, "UPDATE people SET vneid_level = 1 WHERE id = %lld", (long long)p);
  exec_ok(fx->w, sql); /* p is marked, committed */
  store *st2 = store_open(fx->target, 2, err, sizeof err);
  if (!st2) fail_msg("the second server: %s", err);
  store_conn *w2 = store_acquire(st2, true);
  assert_non_null(w2);
  assert_int_equal(store_begin(w2), STORE_OK);
  snprintf(sql, sizeof sql,
           "INSERT INTO external_confirmations (person_id, kind, source, confirmed_on, created_at)"
           " VALUES (%lld, 'vneid', 'VNeID', %lld, 3)",
           (long long)p, (long long)today());
  exec_ok(w2, sql);
  /* the first server drains while the second's write is open: the mark that write holds is left */
  store_release(fx->w);
  fx->w = NULL;
  int64_t done = 0;
  if (indlive_drain(fx->st, today(), NULL, &done, err, sizeof err) != 0) fail_msg("drain during a write: %s", err);
  fx->w = store_acquire(fx->st, true);
  assert_int_equal(store_commit(w2), STORE_OK);
  store_release(w2);
  store_close(st2);
  agree(fx, "after a write of another server committed during a drain");
  drain(fx);
  agree(fx, "after a write of another server committed during a drain, drained again");
}

/* A person who is a member of more units than a fixed array holds (a city's staff member of 300
 * organisations, written by an import or by hand): classified and counted like anyone, neither
 * refused (a drain that fails on one record stops every count) nor cut short (the recount). */
static void test_many_units(void **state) {
  fixture *fx = fx_of(state);
  char sql[256], name[64];
  int64_t block = 0;
  assert_int_equal(unit(fx->w, fx->city, "ward", "Phường Nhiều Đơn Vị", &block), 0);
  int64_t h = household(fx, fx->tdp1);
  int64_t p = person(fx, "Người Nhiều Nơi", fx->tdp1, h, "1975", NULL, NULL);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  for (int i = 0; i < 300; i++) {
    int64_t u = 0;
    snprintf(name, sizeof name, "Công ty số %d", i + 1);
    assert_int_equal(unit(fx->w, block, "enterprise", name, &u), 0);
    snprintf(sql, sizeof sql, "INSERT INTO memberships (person_id, unit_id, kind) VALUES (%lld, %lld, 'worker')",
             (long long)p, (long long)u);
    exec_ok(fx->w, sql);
  }
  assert_int_equal(store_commit(fx->w), STORE_OK);
  agree(fx, "a member of 300 units, before the drain");
  drain(fx);
  agree(fx, "a member of 300 units");
  snprintf(sql, sizeof sql, "DELETE FROM memberships WHERE person_id = %lld", (long long)p);
  exec_ok(fx->w, sql);
  agree(fx, "a member of 300 units no more, before the drain");
  drain(fx);
  agree(fx, "a member of 300 units no more");
}

/* An edit of a field no rule reads (the phone) marks nothing; one that a rule reads does. */
static int64_t level2(fixture *fx, int64_t unit_id, int64_t key, bool live);

static void test_edit_marks(void **state) {
  fixture *fx = fx_of(state);
  char sql[256];
  int64_t h = household(fx, fx->tdp2);
  int64_t p = person(fx, "Người Sửa Số", fx->tdp2, h, "1977", NULL, NULL);
  drain(fx);
  snprintf(sql, sizeof sql, "UPDATE people SET phone = '0912345678' WHERE id = %lld", (long long)p);
  exec_ok(fx->w, sql);
  store_conn *r = store_acquire(fx->st, false);
  assert_int_equal(indlive_pending(r, today(), 10), 0);
  store_release(r);
  snprintf(sql, sizeof sql, "UPDATE people SET vneid_level = 2 WHERE id = %lld", (long long)p);
  exec_ok(fx->w, sql);
  r = store_acquire(fx->st, false);
  assert_true(indlive_pending(r, today(), 10) >= 1);
  store_release(r);
  agree(fx, "after an edit a rule reads, before the drain");
  drain(fx);
  /* the change dated a month back after the fact (vneid.h): only vneid_past is written */
  app_err e = {0};
  int64_t back = groups_date_key(clock_now() - 30 * 86400);
  if (vneid_backdate(fx->w, p, back, &e) != 0) fail_msg("vneid_backdate: %s", e.message);
  r = store_acquire(fx->st, false);
  assert_true(indlive_pending(r, today(), 10) >= 1);
  store_release(r);
  agree(fx, "after a VNeID level dated back, before the drain");
  drain(fx);
  /* counted from the records on the days around it: level 2 from that day on */
  int64_t before = groups_date_key(clock_now() - 31 * 86400);
  assert_int_equal(level2(fx, fx->tdp2, back, false), level2(fx, fx->tdp2, before, false) + 1);
}

/* The marks now, as "p1 p2 … | h1 h2 …" (ids in order). */
static void marks(fixture *fx, char *out, size_t n) {
  STORE_SQL(q_marks, "SELECT 0, person_id FROM ind_dirty UNION ALL SELECT 1, household_id FROM ind_dirty_hh"
                     " ORDER BY 1, 2");
  store_stmt *s = store_prepare(fx->w, &q_marks);
  assert_non_null(s);
  size_t len = 0;
  int64_t side = 0;
  out[0] = '\0';
  while (store_step(s) == STORE_ROW) {
    if (store_col_int(s, 0) != side) {
      len += (size_t)snprintf(out + len, n - len, "|");
      side = 1;
    }
    len += (size_t)snprintf(out + len, n - len, "%s%lld", len && out[len - 1] != '|' ? " " : "",
                            (long long)store_col_int(s, 1));
    assert_true(len < n);
  }
  store_reset(s);
  if (!side) snprintf(out + len, n - len, "|");
}

/* A new visit marks its household only when it can change its classification (migration 39): the
 * household's first visit marks it; a second one on the same day (two helpers, both kept) or a later
 * day does not; one dated before every other marks it again; two new visits of a household never
 * visited, written by one statement on one day, mark it once; an edited visit marks it. The live
 * counts agree with the records before and after every drain. */
static void test_visit_marks(void **state) {
  fixture *fx = fx_of(state);
  char sql[512], got[256], want[64];
  int64_t h = household(fx, fx->tdp2), h2 = household(fx, fx->tdp2);
  (void)person(fx, "Người Được Thăm", fx->tdp2, h, "1955", NULL, NULL);
  (void)person(fx, "Người Được Thăm Hai", fx->tdp2, h2, "1956", NULL, NULL);
  drain(fx);
  int64_t t = today(), ten = groups_date_key(clock_now() - 10 * 86400), twenty = groups_date_key(clock_now() - 20 * 86400);
  static const char *const visit = "INSERT INTO field_visits (household_id, unit_id, visited_on, created_at) VALUES (%lld, %lld, %lld, 3)";
  /* the first visit, ten days ago */
  snprintf(sql, sizeof sql, visit, (long long)h, (long long)fx->tdp2, (long long)ten);
  exec_ok(fx->w, sql);
  marks(fx, got, sizeof got);
  snprintf(want, sizeof want, "|%lld", (long long)h);
  assert_string_equal(got, want);
  agree(fx, "after a household's first visit, before the drain");
  drain(fx);
  /* the same day again, then today: nothing to classify again */
  snprintf(sql, sizeof sql, visit, (long long)h, (long long)fx->tdp2, (long long)ten);
  exec_ok(fx->w, sql);
  snprintf(sql, sizeof sql, visit, (long long)h, (long long)fx->tdp2, (long long)t);
  exec_ok(fx->w, sql);
  marks(fx, got, sizeof got);
  assert_string_equal(got, "|");
  agree(fx, "after later visits of a visited household");
  /* one dated before every other */
  snprintf(sql, sizeof sql, visit, (long long)h, (long long)fx->tdp2, (long long)twenty);
  exec_ok(fx->w, sql);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  drain(fx);
  agree(fx, "after an earlier visit");
  /* two visits of a household never visited, in one statement, on one day */
  snprintf(sql, sizeof sql,
           "INSERT INTO field_visits (household_id, unit_id, visited_on, created_at) VALUES (%lld, %lld, %lld, 3),"
           " (%lld, %lld, %lld, 3)",
           (long long)h2, (long long)fx->tdp2, (long long)t, (long long)h2, (long long)fx->tdp2, (long long)t);
  exec_ok(fx->w, sql);
  marks(fx, got, sizeof got);
  snprintf(want, sizeof want, "|%lld", (long long)h2);
  assert_string_equal(got, want);
  agree(fx, "after two first visits in one statement, before the drain");
  drain(fx);
  agree(fx, "after two first visits in one statement");
  /* an edited visit marks its household, as before */
  snprintf(sql, sizeof sql, "UPDATE field_visits SET visited_on = %lld WHERE household_id = %lld", (long long)ten,
           (long long)h2);
  exec_ok(fx->w, sql);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  drain(fx);
  agree(fx, "after an edited visit");
}

/* Statements of many rows (an import's chunk, an edit of many) mark each record they change once,
 * and only those a rule reads: on PostgreSQL the marks are made once a statement, from its
 * transition tables (migration 37), on SQLite a row at a time. */
static void test_statement_marks(void **state) {
  fixture *fx = fx_of(state);
  char sql[512], want[128], got[128];
  int64_t h1 = household(fx, fx->tdp2), h2 = household(fx, fx->tdp2);
  drain(fx);
  int64_t t = clock_now();
  snprintf(sql, sizeof sql,
           "INSERT INTO people (full_name, name_key, birth_year, unit_id, household_id, created_at, updated_at)"
           " VALUES ('Người Một', 'nguoi mot', 1980, %lld, %lld, %lld, %lld),"
           " ('Người Hai', 'nguoi hai', 1981, %lld, %lld, %lld, %lld),"
           " ('Người Ba', 'nguoi ba', 1982, %lld, %lld, %lld, %lld)",
           (long long)fx->tdp2, (long long)h1, (long long)t, (long long)t, (long long)fx->tdp2, (long long)h1,
           (long long)t, (long long)t, (long long)fx->tdp2, (long long)h2, (long long)t, (long long)t);
  exec_ok(fx->w, sql);
  STORE_SQL(q_ids, "SELECT id FROM people WHERE name_key IN ('nguoi mot', 'nguoi hai', 'nguoi ba') ORDER BY id");
  store_stmt *s = store_prepare(fx->w, &q_ids);
  int64_t p[3] = {0};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(store_step(s), STORE_ROW);
    p[i] = store_col_int(s, 0);
  }
  store_reset(s);
  snprintf(want, sizeof want, "%lld %lld %lld|%lld %lld", (long long)p[0], (long long)p[1], (long long)p[2],
           (long long)h1, (long long)h2);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  agree(fx, "three people added by one statement");
  drain(fx);
  /* one statement: a phone for all three (read by no rule), a move for the first */
  snprintf(sql, sizeof sql,
           "UPDATE people SET phone = '0912345678', household_id = CASE WHEN id = %lld THEN %lld ELSE household_id END"
           " WHERE id IN (%lld, %lld, %lld)",
           (long long)p[0], (long long)h2, (long long)p[0], (long long)p[1], (long long)p[2]);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "%lld|%lld %lld", (long long)p[0], (long long)h1, (long long)h2);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  agree(fx, "one of three moved by one statement");
  drain(fx);
  /* two memberships of one person and one of another in one statement: each person marked once */
  snprintf(sql, sizeof sql,
           "INSERT INTO memberships (person_id, unit_id, kind) VALUES (%lld, %lld, 'staff'), (%lld, %lld, 'worker'),"
           " (%lld, %lld, 'trader')",
           (long long)p[1], (long long)fx->office, (long long)p[1], (long long)fx->enterprise, (long long)p[2],
           (long long)fx->market);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "%lld %lld|", (long long)p[1], (long long)p[2]);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  agree(fx, "three memberships added by one statement");
  drain(fx);
  snprintf(sql, sizeof sql, "UPDATE memberships SET person_id = %lld WHERE person_id = %lld AND kind = 'staff'",
           (long long)p[0], (long long)p[1]);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "%lld %lld|", (long long)p[0], (long long)p[1]);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  drain(fx);
  snprintf(sql, sizeof sql, "DELETE FROM memberships WHERE person_id IN (%lld, %lld, %lld)", (long long)p[0],
           (long long)p[1], (long long)p[2]);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "%lld %lld %lld|", (long long)p[0], (long long)p[1], (long long)p[2]);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  agree(fx, "memberships removed by one statement");
  drain(fx);
  snprintf(sql, sizeof sql, "UPDATE households SET address = 'Số 2 phố Thử' WHERE id IN (%lld, %lld)", (long long)h1,
           (long long)h2);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "|%lld %lld", (long long)h1, (long long)h2);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  drain(fx);
  /* people and a household gone in one statement each (nothing else refers to them) */
  snprintf(sql, sizeof sql, "DELETE FROM people WHERE id IN (%lld, %lld, %lld)", (long long)p[0], (long long)p[1],
           (long long)p[2]);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "%lld %lld %lld|%lld %lld", (long long)p[0], (long long)p[1], (long long)p[2],
           (long long)h1, (long long)h2);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  agree(fx, "three people removed by one statement");
  drain(fx);
  snprintf(sql, sizeof sql, "DELETE FROM households WHERE id IN (%lld, %lld)", (long long)h1, (long long)h2);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "|%lld %lld", (long long)h1, (long long)h2);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  agree(fx, "two households removed by one statement");
}

/* The write paths test_statement_marks leaves out, each marking what 31's row triggers marked (on
 * PostgreSQL, migration 37's statement triggers): a person removed with their memberships (the
 * cascade fires the memberships' trigger from inside the people's statement), a membership's upsert
 * taking its DO UPDATE branch and one taking DO NOTHING, statements that touch no row or write every
 * value back unchanged, a household left and joined, a soft delete, a household written back as it
 * was (marked: 31 marked every update of a household). */
static void test_statement_mark_paths(void **state) {
  fixture *fx = fx_of(state);
  char sql[512], want[128], got[128];
  int64_t h1 = household(fx, fx->tdp2), h2 = household(fx, fx->tdp2);
  int64_t t = clock_now(), p[3] = {0};
  for (int i = 0; i < 3; i++) {
    snprintf(sql, sizeof sql,
             "INSERT INTO people (full_name, name_key, birth_year, unit_id, household_id, created_at, updated_at)"
             " VALUES ('Người %d', 'nguoi duong %d', %d, %lld, %lld, %lld, %lld)",
             i, i, 1970 + i, (long long)fx->tdp2, (long long)(i < 2 ? h1 : h2), (long long)t, (long long)t);
    exec_ok(fx->w, sql);
  }
  STORE_SQL(q_ids, "SELECT id FROM people WHERE name_key LIKE 'nguoi duong %' ORDER BY id");
  store_stmt *s = store_prepare(fx->w, &q_ids);
  assert_non_null(s);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(store_step(s), STORE_ROW);
    p[i] = store_col_int(s, 0);
  }
  store_reset(s);
  snprintf(sql, sizeof sql,
           "INSERT INTO memberships (person_id, unit_id, kind) VALUES (%lld, %lld, 'staff'), (%lld, %lld, 'staff'),"
           " (%lld, %lld, 'trader')",
           (long long)p[0], (long long)fx->office, (long long)p[1], (long long)fx->office, (long long)p[1],
           (long long)fx->market);
  exec_ok(fx->w, sql);
  drain(fx);
  /* the cascade: p1's two memberships go with them */
  snprintf(sql, sizeof sql, "DELETE FROM people WHERE id = %lld", (long long)p[1]);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "%lld|%lld", (long long)p[1], (long long)h1);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  agree(fx, "a person removed with their memberships");
  drain(fx);
  /* an upsert that updates, one that does nothing */
  snprintf(sql, sizeof sql,
           "INSERT INTO memberships (person_id, unit_id, kind) VALUES (%lld, %lld, 'staff')"
           " ON CONFLICT (person_id, unit_id, kind) DO UPDATE SET grade = excluded.grade",
           (long long)p[0], (long long)fx->office);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "%lld|", (long long)p[0]);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  drain(fx);
  snprintf(sql, sizeof sql,
           "INSERT INTO memberships (person_id, unit_id, kind) VALUES (%lld, %lld, 'staff') ON CONFLICT DO NOTHING",
           (long long)p[0], (long long)fx->office);
  exec_ok(fx->w, sql);
  marks(fx, got, sizeof got);
  assert_string_equal(got, "|");
  /* no row; every row written back as it was */
  exec_ok(fx->w, "UPDATE people SET unit_id = unit_id WHERE id < 0");
  exec_ok(fx->w, "DELETE FROM memberships WHERE id < 0");
  snprintf(sql, sizeof sql,
           "UPDATE people SET birth_year = birth_year, household_id = household_id, deleted_at = deleted_at,"
           " full_name = full_name || '' WHERE id IN (%lld, %lld)",
           (long long)p[0], (long long)p[2]);
  exec_ok(fx->w, sql);
  marks(fx, got, sizeof got);
  assert_string_equal(got, "|");
  /* a household left, then another joined */
  snprintf(sql, sizeof sql, "UPDATE people SET household_id = NULL WHERE id = %lld", (long long)p[2]);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "%lld|%lld", (long long)p[2], (long long)h2);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  agree(fx, "a household left");
  drain(fx);
  snprintf(sql, sizeof sql, "UPDATE people SET household_id = %lld WHERE id = %lld", (long long)h1, (long long)p[2]);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "%lld|%lld", (long long)p[2], (long long)h1);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  agree(fx, "a household joined");
  drain(fx);
  /* a soft delete of both, in one statement */
  snprintf(sql, sizeof sql, "UPDATE people SET deleted_at = %lld WHERE id IN (%lld, %lld)", (long long)t,
           (long long)p[0], (long long)p[2]);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "%lld %lld|%lld", (long long)p[0], (long long)p[2], (long long)h1);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  agree(fx, "two people soft-deleted by one statement");
  drain(fx);
  snprintf(sql, sizeof sql, "UPDATE households SET address = address WHERE id = %lld", (long long)h2);
  exec_ok(fx->w, sql);
  snprintf(want, sizeof want, "|%lld", (long long)h2);
  marks(fx, got, sizeof got);
  assert_string_equal(got, want);
  agree(fx, "a household written back as it was");
}

/* The people cube of `unit` on `key`: from the live counts, or counted from the records. */
static void people_cube(fixture *fx, int64_t unit_id, int64_t key, bool live, ind_cube *c) {
  store_conn *r = store_acquire(fx->st, false);
  assert_non_null(r);
  app_err e = {0};
  if (live) {
    assert_int_equal(indlive_cube(r, IND_PEOPLE, unit_id, key, c, &e), 1);
  } else {
    ind_use_live(false);
    assert_int_equal(ind_cube_load(r, IND_PEOPLE, unit_id, key, c, &e), 0);
    ind_use_live(true);
  }
  if (store_in_transaction(r)) store_rollback(r);
  store_release(r);
}

/* The live cube of `unit` on `key`: how many adults and elderly. */
static void adults_elderly(fixture *fx, int64_t unit_id, int64_t key, int64_t *adults, int64_t *elderly) {
  ind_cube c;
  people_cube(fx, unit_id, key, true, &c);
  *adults = *elderly = 0;
  for (int i = 0; i < c.ncells; i++) {
    if (c.cells[i].g & GROUP_ADULTS) *adults += c.cells[i].n;
    if (c.cells[i].g & GROUP_ELDERLY) *elderly += c.cells[i].n;
  }
  ind_cube_free(&c);
}

/* How many people of `unit` on `key` have VNeID level 2 (fact bit 8). */
static int64_t level2(fixture *fx, int64_t unit_id, int64_t key, bool live) {
  ind_cube c;
  people_cube(fx, unit_id, key, live, &c);
  int64_t n = 0;
  for (int i = 0; i < c.ncells; i++)
    if (c.cells[i].f & 8) n += c.cells[i].n;
  ind_cube_free(&c);
  return n;
}

static void verify_on(fixture *fx, int64_t key) {
  int64_t units = 0, records = 0, diffs = -1;
  char err[256] = "";
  if (indlive_verify(fx->st, key, stderr, &units, &records, &diffs, err, sizeof err) != 0) fail_msg("%s", err);
  if (diffs != 0) fail_msg("on %lld: the recount found %lld difference(s)", (long long)key, (long long)diffs);
}

static int key_cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Counts that change with no write, across days ahead: a 29 February birthday (18 on 1 March of a
 * year with no 29 February; 60 on 29 February), a confirmation dated ahead. The counts drained
 * today are read on the days after, before any drain (readers take what fell due), and after a
 * drain on one of those days. Days only go forward (a drain never goes back in time). Last test. */
static void test_days(void **state) {
  fixture *fx = fx_of(state);
  char sql[512], birth18[32], birth60[32], err[256] = "";
  int64_t t = today(), y = t / 10000 + 1;
  int64_t y18 = y + ((2 - y % 4) + 4) % 4; /* y18 - 18 is a leap year, y18 is not */
  int64_t y60 = y + ((0 - y % 4) + 4) % 4; /* y60 - 60 and y60 are leap years */
  snprintf(birth18, sizeof birth18, "29/02/%04lld", (long long)(y18 - 18));
  snprintf(birth60, sizeof birth60, "29/02/%04lld", (long long)(y60 - 60));
  int64_t ahead = groups_date_key(clock_now() + 3 * 86400);
  int64_t h = household(fx, fx->tdp2);
  person(fx, "Người Nhuận Một", fx->tdp2, h, birth18, NULL, NULL);
  person(fx, "Người Nhuận Hai", fx->tdp2, h, birth60, NULL, NULL);
  int64_t p3 = person(fx, "Người Hẹn Ngày", fx->tdp2, h, "1990", NULL, NULL);
  snprintf(sql, sizeof sql,
           "INSERT INTO external_confirmations (person_id, kind, source, confirmed_on, created_at)"
           " VALUES (%lld, 'national_platform', 'binhdanhocvuso.gov.vn', %lld, 4)",
           (long long)p3, (long long)ahead);
  exec_ok(fx->w, sql);
  /* a level kept until a day ahead (a server's clock ahead of this one's): level 2 until then */
  snprintf(sql, sizeof sql, "INSERT INTO vneid_past (person_id, until_key, level) VALUES (%lld, %lld, 2)",
           (long long)p3, (long long)ahead);
  exec_ok(fx->w, sql);
  drain(fx);
  int64_t days[] = {t, ahead - 1, ahead, y18 * 10000 + 228, y18 * 10000 + 301, y60 * 10000 + 228, y60 * 10000 + 229,
                    y60 * 10000 + 301};
  size_t ndays = sizeof days / sizeof days[0];
  qsort(days, ndays, sizeof days[0], key_cmp);
  for (size_t i = 0; i < ndays; i++) verify_on(fx, days[i]);
  int64_t a0, e0, a1, e1;
  adults_elderly(fx, fx->tdp2, y18 * 10000 + 228, &a0, &e0);
  adults_elderly(fx, fx->tdp2, y18 * 10000 + 301, &a1, &e1);
  assert_int_equal(a1, a0 + 1); /* 18 on 1 March */
  assert_int_equal(level2(fx, fx->tdp2, ahead - 1, true), level2(fx, fx->tdp2, ahead, true) + 1);
  adults_elderly(fx, fx->tdp2, y60 * 10000 + 228, &a0, &e0);
  adults_elderly(fx, fx->tdp2, y60 * 10000 + 229, &a1, &e1);
  assert_int_equal(e1, e0 + 1); /* 60 on 29 February */
  store_release(fx->w);
  fx->w = NULL;
  int64_t done = 0, later = (y18 < y60 ? y18 : y60) * 10000 + 301;
  if (indlive_drain(fx->st, later, NULL, &done, err, sizeof err) != 0) fail_msg("drain: %s", err);
  assert_true(done >= 2); /* who turned 18 or 60, the confirmation that fell due (and their household) */
  for (size_t i = 0; i < ndays; i++)
    if (days[i] >= later) verify_on(fx, days[i]);
  fx->w = store_acquire(fx->st, true);
  assert_non_null(fx->w);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_live, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_write_during_drain, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_many_units, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_edit_marks, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_visit_marks, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_statement_marks, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_statement_mark_paths, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_days, test_setup, test_teardown),
  };
  int failed = cmocka_run_group_tests_name("indlive_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("indlive_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

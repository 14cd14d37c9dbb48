/* test_indicators.c: the indicators (indicators.h). Pure: every catalogue entry is valid; a
 * definition that refers to nothing, to another base, loops, or has a population nobody can be in
 * is refused with the field named; a definition is read from a cube cell by cell. On SQLite and,
 * when HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL: the figures of a tổ
 * dân phố and of an office on a date, each counted record placed by hand. Synthetic people only.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdatomic.h>
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

#include "domain/confirmations.h"
#include "domain/groups.h"
#include "domain/indicators.h"
#include "domain/people.h"
#include "domain/units.h"
#include "domain/vneid.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "indicators"
#include "registry_fixture.h"

static json_t *J(const char *text) {
  json_error_t err;
  json_t *j = json_loads(text, 0, &err);
  if (!j) fail_msg("bad JSON in the test: %s: %s", text, err.text);
  return j;
}

/* Refused with this status, code and field. */
static void refused_says(const json_t *set, const char *code, const char *def, int status, const char *ecode,
                         const char *field, const char *says) {
  json_t *d = J(def);
  app_err e = {0};
  if (ind_validate(set, code, d, &e) == 0) fail_msg("accepted: %s", def);
  if (e.status != status || strcmp(e.code, ecode) != 0 || !e.field || strcmp(e.field, field) != 0)
    fail_msg("%s: got %d %s (%s) %s, wanted %d %s (%s)", def, e.status, e.code, e.field ? e.field : "-", e.message,
             status, ecode, field);
  if (says && !strstr(e.message, says)) fail_msg("%s: \"%s\" does not say \"%s\"", def, e.message, says);
  json_decref(d);
}
#define refused(set, code, def, status, ecode, field) refused_says(set, code, def, status, ecode, field, NULL)

static void test_catalogue_valid(void **state) {
  (void)state;
  assert_true(ind_catalogue_count >= 12);
  for (int i = 0; i < ind_catalogue_count; i++) {
    json_t *d = J(ind_catalogue[i].definition);
    app_err e = {0};
    if (ind_validate(NULL, ind_catalogue[i].code, d, &e) != 0)
      fail_msg("%s: %s %s", ind_catalogue[i].code, e.code, e.message);
    json_decref(d);
  }
}

static void test_refused(void **state) {
  (void)state;
  refused(NULL, NULL, "{\"base\": \"cats\", \"condition\": {\"fact\": \"learned\"}}", 400, "invalid_value", "base");
  refused(NULL, NULL, "{\"base\": \"people\", \"population\": {\"group\": \"pilots\"}, \"condition\": {\"fact\": \"learned\"}}",
          400, "invalid_value", "population");
  refused(NULL, NULL, "{\"base\": \"people\", \"condition\": {\"fact\": \"flies\"}}", 400, "invalid_value",
          "condition");
  /* a group of another base, an indicator that does not exist, one of another base */
  refused(NULL, NULL, "{\"base\": \"households\", \"population\": {\"group\": \"adults\"}, \"condition\": {\"fact\": \"has_learner\"}}",
          400, "invalid_value", "population");
  refused_says(NULL, NULL, "{\"base\": \"people\", \"condition\": {\"indicator\": \"T99\"}}", 400, "invalid_value",
               "condition", "Không có chỉ tiêu");
  refused(NULL, NULL, "{\"base\": \"people\", \"condition\": {\"indicator\": \"T6\"}}", 400, "invalid_value",
          "condition");
  refused(NULL, NULL, "{\"base\": \"people\"}", 400, "missing_field", "condition");
  refused(NULL, NULL, "{\"base\": \"people\", \"condition\": {\"any\": []}}", 400, "invalid_value", "condition");
  /* a population nobody can be in */
  refused_says(NULL, NULL,
               "{\"base\": \"people\", \"population\": {\"all\": [{\"group\": \"adults\"}, {\"not\": {\"group\": \"adults\"}}]},"
               " \"condition\": {\"fact\": \"learned\"}}",
               400, "invalid_value", "population", "không thể có ai");
  /* loops: to itself, and through another stored indicator */
  json_t *set = J("{\"X\": {\"base\": \"people\", \"population\": {\"group\": \"adults\"}, \"condition\": {\"indicator\": \"Y\"}},"
                  " \"Y\": {\"base\": \"people\", \"condition\": {\"indicator\": \"X\", \"part\": \"population\"}}}");
  refused_says(set, "Z", "{\"base\": \"people\", \"condition\": {\"indicator\": \"Z\"}}", 400, "invalid_value", "condition",
               "vòng lặp");
  refused_says(set, "X", "{\"base\": \"people\", \"condition\": {\"indicator\": \"Y\"}}", 400, "invalid_value", "condition",
               "vòng lặp");
  /* and what is fine: a reference to the catalogue, with its population part */
  json_t *ok = J("{\"base\": \"people\", \"population\": {\"indicator\": \"T3\", \"part\": \"numerator\"},"
                 " \"condition\": {\"not\": {\"fact\": \"vneid_level2\"}}}");
  app_err e = {0};
  assert_int_equal(ind_validate(set, "W", ok, &e), 0);
  json_decref(ok);
  json_decref(set);
}

static void test_eval(void **state) {
  (void)state;
  ind_cell cells[] = {
      {GROUP_ADULTS | 128, 1 /* certified */, 3},
      {GROUP_ADULTS | 128, 0, 5},
      {GROUP_ADULTS | GROUP_ELDERLY | 128, 2 /* VNeID */ | 8 /* level 2 */, 4},
      {GROUP_PUBLIC_STAFF, 16 /* class completed */, 2},
      {GROUP_PUBLIC_STAFF, 0, 1},
      {0, 1, 7}, /* a child with a certificate: in no adult figure */
  };
  ind_cube cube = {.cells = cells, .ncells = (int)(sizeof cells / sizeof cells[0])};
  struct {
    const char *code;
    int64_t num, den;
  } want[] = {{"T1", 2, 3}, {"T3", 7, 12}, {"T4", 4, 12}, {"M4", 4, 12}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const ind_def *d = NULL;
    for (int k = 0; k < ind_catalogue_count; k++)
      if (strcmp(ind_catalogue[k].code, want[i].code) == 0) d = &ind_catalogue[k];
    assert_non_null(d);
    json_t *def = J(d->definition);
    int64_t num = -1, den = -1;
    ind_eval(NULL, def, &cube, &num, &den);
    if (num != want[i].num || den != want[i].den)
      fail_msg("%s: %lld/%lld, wanted %lld/%lld", want[i].code, (long long)num, (long long)den, (long long)want[i].num,
               (long long)want[i].den);
    json_decref(def);
  }
  /* of those who learned (T3's numerator), how many have not reached VNeID level 2 */
  json_t *def = J("{\"base\": \"people\", \"population\": {\"indicator\": \"T3\"}, \"condition\": {\"not\": {\"fact\": \"vneid_level2\"}}}");
  int64_t num = 0, den = 0;
  ind_eval(NULL, def, &cube, &num, &den);
  assert_int_equal(den, 7);
  assert_int_equal(num, 3);
  json_decref(def);
}

/* Review (session 15), F5: a condition nested deeper than MAX_DEPTH passes the validation (which
 * limits only references) but the evaluation reads it as false past that depth: the indicator is
 * stored and then counts nobody. Refused, or counted like its flat form. */
static void test_review15_deep_condition(void **state) {
  (void)state;
  ind_cell cells[] = {{GROUP_ADULTS | 128, 1 /* certified */, 3}, {GROUP_ADULTS | 128, 0, 5}};
  ind_cube cube = {.cells = cells, .ncells = 2};
  /* {"all": [ … 20 times … {"fact": "learned"} … ]} */
  char text[1024] = "{\"base\": \"people\", \"population\": {\"group\": \"adults\"}, \"condition\": ";
  for (int i = 0; i < 20; i++) strcat(text, "{\"all\": [");
  strcat(text, "{\"fact\": \"learned\"}");
  for (int i = 0; i < 20; i++) strcat(text, "]}");
  strcat(text, "}");
  json_t *d = J(text);
  app_err e = {0};
  if (ind_validate(NULL, "DEEP", d, &e) == 0) {
    int64_t num = -1, den = -1;
    ind_eval(NULL, d, &cube, &num, &den);
    if (num != 3 || den != 8)
      fail_msg("accepted, then counted %lld/%lld instead of 3/8 (its flat form's)", (long long)num, (long long)den);
  }
  json_decref(d);
}

static void test_date_key(void **state) {
  (void)state;
  assert_int_equal(ind_date_key("2026-03-31"), 20260331);
  assert_int_equal(ind_date_key("2024-02-29"), 20240229);
  assert_int_equal(ind_date_key("2026-02-29"), -1);
  assert_int_equal(ind_date_key("2026-13-01"), -1);
  assert_int_equal(ind_date_key("31/03/2026"), -1);
  assert_int_equal(ind_date_key(""), -1);
}

/* ---- on a database ---- */

static void exec_ok(fixture *fx, const char *sql) {
  if (store_exec(fx->w, sql) != STORE_OK) fail_msg("%s: %s", sql, store_errmsg(fx->w));
}

static json_t *item_of(json_t *o, const char *code) {
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(o, "items"), i, it) if (strcmp(json_string_value(json_object_get(it, "code")), code) == 0) return it;
  fail_msg("no indicator %s", code);
  return NULL;
}
static void figures(json_t *o, const char *code, int64_t num, int64_t den) {
  json_t *it = item_of(o, code);
  int64_t n = json_integer_value(json_object_get(it, "numerator")), d = json_integer_value(json_object_get(it, "denominator"));
  if (n != num || d != den) fail_msg("%s: %lld/%lld, wanted %lld/%lld", code, (long long)n, (long long)d, (long long)num, (long long)den);
}

static json_t *compute(fixture *fx, int64_t unit, int64_t date) {
  json_t *o = NULL;
  app_err e = {0};
  if (ind_compute(fx->w, unit, date, &o, &e) != 0) fail_msg("ind_compute: %s %s", e.code, e.message);
  return o;
}

static void test_figures(void **state) {
  fixture *fx = fx_of(state);
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t tdp = 0, office = 0;
  char nm[64];
  snprintf(nm, sizeof nm, "Tổ chỉ tiêu %d", ++fx->seq);
  assert_int_equal(unit(fx->w, fx->ward, "residential_group", nm, &tdp), 0);
  snprintf(nm, sizeof nm, "Phòng chỉ tiêu %d", ++fx->seq);
  assert_int_equal(unit(fx->w, fx->ward, "office", nm, &office), 0);
  int64_t h1 = household(fx, tdp), h2 = household(fx, tdp), h3 = household(fx, tdp);
  (void)h3; /* nobody lives there: in no figure */
  int64_t a1 = person(fx, "Người Thử Một", tdp, h1, "1970", NULL, NULL);
  int64_t a2 = person(fx, "Người Thử Hai", tdp, h1, "1985", NULL, NULL);
  int64_t a3 = person(fx, "Người Thử Ba", tdp, h2, "1990", NULL, NULL);
  int64_t child = person(fx, "Người Thử Bé", tdp, h2, "2015", NULL, NULL);
  int64_t staff = person(fx, "Cán Bộ Thử", office, 0, "1988", NULL, NULL); /* lives elsewhere */
  char sql[512];
  /* a1: a certificate; a2: confirmed on VNeID on 2026-01-05, level 2; the child: a certificate too */
  exec_ok(fx, "INSERT INTO signing_keys (kid, public_key, seed_sealed, valid_from, created_at)"
              " SELECT 'k-ind', 'x', 'x', 1, 1 WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE kid = 'k-ind')");
  exec_ok(fx, "INSERT INTO programmes (code, title, requirements, created_at, updated_at)"
              " SELECT 'IND-THU', 'Thử', '{}', 1, 1 WHERE NOT EXISTS (SELECT 1 FROM programmes WHERE code = 'IND-THU')");
  int64_t certified[] = {a1, child};
  for (int i = 0; i < 2; i++) {
    snprintf(sql, sizeof sql,
             "INSERT INTO certificates (id, programme_id, person_id, learner, holder_name, programme_title, issued_on,"
             " issuer, kid, payload, signature, issued_at) SELECT %lld, id, %lld, 'p%lld', 'Người Thử', 'Thử',"
             " '2026-01-01', 'Phường Thử', 'k-ind', 'p', 's', 1767200000 FROM programmes WHERE code = 'IND-THU'",
             (long long)(2000000000000000 + certified[i]), (long long)certified[i], (long long)certified[i]);
    exec_ok(fx, sql);
  }
  snprintf(sql, sizeof sql,
           "INSERT INTO external_confirmations (person_id, kind, source, confirmed_on, created_at)"
           " VALUES (%lld, 'vneid', 'VNeID', 20260105, 1), (%lld, 'national_platform', 'binhdanhocvuso.gov.vn', 20260110, 1)",
           (long long)a2, (long long)staff);
  exec_ok(fx, sql);
  snprintf(sql, sizeof sql, "UPDATE people SET vneid_level = 2 WHERE id = %lld", (long long)a2);
  exec_ok(fx, sql);
  snprintf(sql, sizeof sql, "INSERT INTO memberships (person_id, unit_id, kind) VALUES (%lld, %lld, 'staff')",
           (long long)staff, (long long)office);
  exec_ok(fx, sql);
  (void)a3;

  /* a2's level 2 was recorded today: on a past date a2 had the level before (0) */
  json_t *o = compute(fx, tdp, 20260301);
  figures(o, "M4", 0, 3);
  json_decref(o);
  /* ... until the change is dated the day it happened (vneid.h) */
  app_err be = {0};
  if (vneid_backdate(fx->w, a2, 20260105, &be) != 0) fail_msg("vneid_backdate: %s", be.message);
  o = compute(fx, tdp, 20260301);
  figures(o, "T3", 2, 3); /* a1 certified, a2 confirmed; a3 not; the child is no adult */
  figures(o, "T4", 1, 3);
  figures(o, "M4", 1, 3);
  figures(o, "M3", 2, 2); /* h1 (a1) and h2 (the child's certificate); h3 has nobody */
  figures(o, "T1", 0, 0); /* no staff in the tổ */
  json_t *t3 = item_of(o, "T3");
  assert_int_equal(json_integer_value(json_object_get(t3, "target")), 100); /* 2026 */
  double pct = json_real_value(json_object_get(t3, "percent"));
  if (pct < 66.69 || pct > 66.71) fail_msg("T3: %.3f %%, wanted 66.7", pct); /* one decimal */
  assert_false(json_is_true(json_object_get(t3, "met")));
  assert_true(json_is_null(json_object_get(item_of(o, "T1"), "percent"))); /* nobody to divide by */
  json_decref(o);
  /* the day before the VNeID confirmation, and in 2025 (its own target) */
  o = compute(fx, tdp, 20260104);
  figures(o, "T4", 0, 3);
  figures(o, "M4", 0, 3); /* level 2 from 2026-01-05 */
  figures(o, "M3", 2, 2); /* the certificates were issued at 23:53 on 2025-12-31, Vietnam's time */
  json_decref(o);
  o = compute(fx, tdp, 20251231);
  assert_int_equal(json_integer_value(json_object_get(item_of(o, "T3"), "target")), 80);
  figures(o, "M3", 2, 2);
  json_decref(o);
  o = compute(fx, tdp, 20251230);
  figures(o, "M3", 0, 2); /* nobody of either household had learned yet */
  json_decref(o);
  /* the office: its staff member, who lives elsewhere, counts for target 1 there, not as a resident */
  o = compute(fx, office, 20260301);
  figures(o, "T1", 1, 1);
  figures(o, "T3", 0, 0);
  json_decref(o);
  /* the ward holds both, and what the fixture made elsewhere */
  o = compute(fx, fx->ward, 20260301);
  json_t *w3 = item_of(o, "T3");
  assert_true(json_integer_value(json_object_get(w3, "denominator")) >= 3);
  json_decref(o);
  /* a unit that does not exist */
  app_err e = {0};
  o = NULL;
  assert_int_equal(ind_compute(fx->w, 987654321, 20260301, &o, &e), -1);
  assert_int_equal(e.status, 404);
  assert_int_equal(store_rollback(fx->w), STORE_OK);
}

static void test_quarters(void **state) {
  (void)state;
  assert_int_equal(ind_quarter_end("2026-Q1"), 20260331);
  assert_int_equal(ind_quarter_end("2026-Q4"), 20261231);
  assert_int_equal(ind_quarter_end("2026-Q5"), -1);
  assert_int_equal(ind_quarter_end("2026Q1"), -1);
  assert_int_equal(ind_quarter_end("1999-Q1"), -1);
  assert_int_equal(ind_quarter_end(NULL), -1);
  char q[8];
  ind_last_quarter(20261202, q);
  assert_string_equal(q, "2026-Q3");
  ind_last_quarter(20260101, q);
  assert_string_equal(q, "2025-Q4");
  ind_last_quarter(20260331, q); /* the quarter's own last day: it has not ended */
  assert_string_equal(q, "2025-Q4");
  ind_last_quarter(20260401, q);
  assert_string_equal(q, "2026-Q1");
}

/* A quarter's snapshot: every unit once; taken again it adds nothing and changes nothing, even
 * when the records have changed since; a quarter not ended or not a quarter is refused. */
static void test_snapshot(void **state) {
  fixture *fx = *state;
  if (!fx || !fx->st) skip();
  char err[256] = "";
  int64_t n = 0;
  assert_int_equal(ind_snapshot_take(fx->st, "2026-Q4", 20261231, NULL, &n, err, sizeof err), -1); /* its last day */
  assert_non_null(strstr(err, "has not ended"));
  assert_int_equal(ind_snapshot_take(fx->st, "2026-Q9", 20270101, NULL, &n, err, sizeof err), -1);
  atomic_bool stop = true; /* a server stopping: nothing taken, no error */
  assert_int_equal(ind_snapshot_take(fx->st, "2026-Q2", 20260801, &stop, &n, err, sizeof err), 0);
  assert_int_equal(n, 0);
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  int64_t units = 0;
  store_stmt *s = NULL;
  STORE_SQL(q_count_units, "SELECT COUNT(*) FROM units");
  STORE_SQL(q_count_rows, "SELECT COUNT(*), SUM(denominator) FROM indicator_snapshots WHERE quarter = '2026-Q1'");
  s = store_prepare(w, &q_count_units);
  assert_int_equal(store_step(s), STORE_ROW);
  units = store_col_int(s, 0);
  store_reset(s);
  store_release(w);
  assert_int_equal(ind_snapshot_take(fx->st, "2026-Q1", 20260601, NULL, &n, err, sizeof err), 0);
  assert_int_equal(n, units);
  w = store_acquire(fx->st, true);
  s = store_prepare(w, &q_count_rows);
  assert_int_equal(store_step(s), STORE_ROW);
  int64_t rows = store_col_int(s, 0), den = store_col_int(s, 1);
  store_reset(s);
  assert_int_equal(rows, units * ind_catalogue_count);
  /* every unit's figures, counted for all units in one pass, are those of its own count */
  {
    STORE_SQL(q_unit_ids, "SELECT id FROM units ORDER BY id");
    STORE_SQL(q_snap_of, "SELECT numerator, denominator FROM indicator_snapshots WHERE quarter = '2026-Q1'"
                         " AND unit_id = ? AND code = ?");
    int64_t ids[256];
    int nids = 0;
    store_stmt *u = store_prepare(w, &q_unit_ids);
    while (store_step(u) == STORE_ROW && nids < 256) ids[nids++] = store_col_int(u, 0);
    store_reset(u);
    assert_int_equal(nids, units);
    for (int k = 0; k < nids; k++) {
      json_t *own = NULL;
      app_err ce = {0};
      if (ind_compute(w, ids[k], 20260331, &own, &ce) != 0) fail_msg("ind_compute: %s", ce.message);
      size_t ii;
      json_t *it;
      json_array_foreach(json_object_get(own, "items"), ii, it) {
        store_stmt *q = store_prepare(w, &q_snap_of);
        store_bind_int(q, 1, ids[k]);
        store_bind_text(q, 2, json_string_value(json_object_get(it, "code")));
        assert_int_equal(store_step(q), STORE_ROW);
        int64_t sn = store_col_int(q, 0), sd = store_col_int(q, 1);
        store_reset(q);
        if (sn != json_integer_value(json_object_get(it, "numerator")) ||
            sd != json_integer_value(json_object_get(it, "denominator")))
          fail_msg("unit %lld %s: snapshot %lld/%lld, own count %lld/%lld", (long long)ids[k],
                   json_string_value(json_object_get(it, "code")), (long long)sn, (long long)sd,
                   (long long)json_integer_value(json_object_get(it, "numerator")),
                   (long long)json_integer_value(json_object_get(it, "denominator")));
      }
      json_decref(own);
    }
  }
  /* a new adult resident of the ward, then the snapshot taken again: nothing added, nothing changed */
  fx->w = w;
  assert_int_equal(store_begin(w), STORE_OK);
  int64_t hh = household(fx, fx->tdp1);
  person(fx, "Người Thử Sau Quý", fx->tdp1, hh, "1975", NULL, NULL);
  assert_int_equal(store_commit(w), STORE_OK);
  fx->w = NULL;
  store_release(w);
  assert_int_equal(ind_snapshot_take(fx->st, "2026-Q1", 20260601, NULL, &n, err, sizeof err), 0);
  assert_int_equal(n, 0);
  w = store_acquire(fx->st, true);
  s = store_prepare(w, &q_count_rows);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_int_equal(store_col_int(s, 0), rows);
  assert_int_equal(store_col_int(s, 1), den);
  store_reset(s);
  /* the history of the ward: that quarter, with the figure it had */
  json_t *o = NULL;
  app_err e = {0};
  assert_int_equal(ind_history(w, fx->ward, "T3", &o, &e), 0);
  json_t *items = json_object_get(o, "items");
  assert_int_equal(json_array_size(items), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "quarter")), "2026-Q1");
  assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "date")), "2026-03-31");
  json_decref(o);
  assert_int_equal(ind_history(w, fx->ward, "T99", &o, &e), -1);
  assert_int_equal(e.status, 404);
  store_release(w);
}

/* Review (session 17): a quarter's snapshot counted for every unit in one pass (indlive_recount)
 * equals each unit's own count (ind_compute), on records the one-pass count could get wrong: a
 * person in several units (memberships of an office, an enterprise and another tổ), a member living
 * in a household of another tổ, a deleted person holding a certificate, a household whose only
 * member is deleted, certificates revoked before and after the day, VNeID levels changed before and
 * after the day (vneid_past), a unit below a unit. Then a snapshot cut short (some units' rows gone)
 * is completed by a later take, with the same figures. */
static void snapshot_equals_own(store_conn *w, const char *quarter, int64_t date_key) {
  STORE_SQL(q_unit_ids17, "SELECT id FROM units ORDER BY id");
  STORE_SQL(q_snap_of17, "SELECT numerator, denominator FROM indicator_snapshots WHERE quarter = ?"
                         " AND unit_id = ? AND code = ?");
  int64_t ids[256];
  int nids = 0;
  store_stmt *u = store_prepare(w, &q_unit_ids17);
  assert_non_null(u);
  while (store_step(u) == STORE_ROW && nids < 256) ids[nids++] = store_col_int(u, 0);
  store_reset(u);
  int64_t nonzero = 0;
  for (int k = 0; k < nids; k++) {
    json_t *own = NULL;
    app_err ce = {0};
    if (ind_compute(w, ids[k], date_key, &own, &ce) != 0) fail_msg("ind_compute: %s", ce.message);
    size_t ii;
    json_t *it;
    json_array_foreach(json_object_get(own, "items"), ii, it) {
      store_stmt *q = store_prepare(w, &q_snap_of17);
      store_bind_text(q, 1, quarter);
      store_bind_int(q, 2, ids[k]);
      store_bind_text(q, 3, json_string_value(json_object_get(it, "code")));
      if (store_step(q) != STORE_ROW) fail_msg("unit %lld %s: no snapshot row", (long long)ids[k],
                                               json_string_value(json_object_get(it, "code")));
      int64_t sn = store_col_int(q, 0), sd = store_col_int(q, 1);
      store_reset(q);
      int64_t on = json_integer_value(json_object_get(it, "numerator")),
              od = json_integer_value(json_object_get(it, "denominator"));
      if (sn != on || sd != od)
        fail_msg("unit %lld %s: snapshot %lld/%lld, own count %lld/%lld", (long long)ids[k],
                 json_string_value(json_object_get(it, "code")), (long long)sn, (long long)sd, (long long)on,
                 (long long)od);
      nonzero += on + od;
    }
    json_decref(own);
  }
  assert_true(nonzero > 0);
}

static void test_review17_snapshot_equal(void **state) {
  fixture *fx = *state;
  if (!fx || !fx->st) skip();
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  fx->w = w;
  assert_int_equal(store_begin(w), STORE_OK);
  int64_t tdp = 0, below = 0;
  char nm[64];
  snprintf(nm, sizeof nm, "Tổ rà soát %d", ++fx->seq);
  assert_int_equal(unit(w, fx->ward, "residential_group", nm, &tdp), 0);
  snprintf(nm, sizeof nm, "Phòng rà soát %d", ++fx->seq);
  assert_int_equal(unit(w, fx->ward, "office", nm, &below), 0);
  int64_t h1 = household(fx, tdp), h2 = household(fx, fx->tdp2), h3 = household(fx, tdp);
  int64_t a = person(fx, "Người Nhiều Đơn Vị", tdp, h1, "1970", NULL, NULL);
  int64_t b = person(fx, "Người Chuyển Tổ", tdp, h1, "1960", NULL, NULL);
  int64_t c = person(fx, "Người Bị Xóa", fx->tdp2, h2, "1980", NULL, NULL);
  int64_t d = person(fx, "Người Đổi Mức", tdp, h3, "1990", NULL, NULL);
  int64_t e2 = person(fx, "Người Đổi Mức Sau", tdp, h3, "1955", NULL, NULL);
  int64_t kid = person(fx, "Người Nhỏ", tdp, h3, "2012", NULL, NULL);
  int64_t staff = person(fx, "Người Phòng Con", below, 0, "1985", NULL, NULL);
  char sql[1024];
  /* a: staff of the office below, worker of the enterprise, member of tổ 2 too */
  snprintf(sql, sizeof sql,
           "INSERT INTO memberships (person_id, unit_id, kind) VALUES (%lld, %lld, 'staff'), (%lld, %lld, 'worker'),"
           " (%lld, %lld, 'trader'), (%lld, %lld, 'staff')",
           (long long)a, (long long)below, (long long)a, (long long)fx->enterprise, (long long)a, (long long)fx->tdp2,
           (long long)staff, (long long)below);
  exec_ok(fx, sql);
  /* b now registered in tổ 2, still in h1 (of the tổ under review) */
  snprintf(sql, sizeof sql, "UPDATE people SET unit_id = %lld WHERE id = %lld", (long long)fx->tdp2, (long long)b);
  exec_ok(fx, sql);
  exec_ok(fx, "INSERT INTO signing_keys (kid, public_key, seed_sealed, valid_from, created_at)"
              " SELECT 'k-r17', 'x', 'x', 1, 1 WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE kid = 'k-r17')");
  exec_ok(fx, "INSERT INTO programmes (code, title, requirements, created_at, updated_at)"
              " SELECT 'R17', 'Thử', '{}', 1, 1 WHERE NOT EXISTS (SELECT 1 FROM programmes WHERE code = 'R17')");
  /* certificates on 2025-11-01: a's revoked on 2026-01-10 (after the day: counts), c's (deleted), the
   * kid's revoked on 2025-12-01 (before: does not) */
  struct {
    int64_t who, revoked;
  } certs[] = {{a, 1768000000}, {c, 0}, {kid, 1764547200}, {staff, 0}};
  for (int i = 0; i < 4; i++) {
    char rv[32] = "NULL";
    if (certs[i].revoked) snprintf(rv, sizeof rv, "%lld", (long long)certs[i].revoked);
    snprintf(sql, sizeof sql,
             "INSERT INTO certificates (id, programme_id, person_id, learner, holder_name, programme_title, issued_on,"
             " issuer, kid, payload, signature, issued_at, revoked_at) SELECT %lld, id, %lld, 'p%lld', 'Người Thử', 'Thử',"
             " '2025-11-01', 'Phường Thử', 'k-r17', 'p', 's', 1761955200, %s FROM programmes WHERE code = 'R17'",
             (long long)(3000000000000000 + certs[i].who), (long long)certs[i].who, (long long)certs[i].who, rv);
    exec_ok(fx, sql);
  }
  snprintf(sql, sizeof sql,
           "INSERT INTO external_confirmations (person_id, kind, source, confirmed_on, created_at)"
           " VALUES (%lld, 'vneid', 'VNeID', 20251201, 1), (%lld, 'national_platform', 'binhdanhocvuso.gov.vn', 20260110, 1)",
           (long long)b, (long long)e2);
  exec_ok(fx, sql);
  /* levels: d 2 since 2025-11-15 (1 before), e2 2 now but 1 until 2026-01-15, b 1 now but 2 until 2026-02-01 */
  snprintf(sql, sizeof sql, "UPDATE people SET vneid_level = 2 WHERE id IN (%lld, %lld)", (long long)d, (long long)e2);
  exec_ok(fx, sql);
  snprintf(sql, sizeof sql, "UPDATE people SET vneid_level = 1 WHERE id = %lld", (long long)b);
  exec_ok(fx, sql);
  snprintf(sql, sizeof sql,
           "DELETE FROM vneid_past WHERE person_id IN (%lld, %lld, %lld); INSERT INTO vneid_past (person_id, until_key,"
           " level) VALUES (%lld, 20251115, 1), (%lld, 20260115, 1), (%lld, 20260201, 2)",
           (long long)d, (long long)e2, (long long)b, (long long)d, (long long)e2, (long long)b);
  exec_ok(fx, sql);
  /* c deleted: counted nowhere; h2 has nobody else */
  snprintf(sql, sizeof sql, "UPDATE people SET deleted_at = 1, purge_after = 2 WHERE id = %lld", (long long)c);
  exec_ok(fx, sql);
  assert_int_equal(store_commit(w), STORE_OK);
  fx->w = NULL;
  store_release(w);
  (void)h2;

  char err[256] = "";
  int64_t n = 0;
  assert_int_equal(ind_snapshot_take(fx->st, "2025-Q4", 20260601, NULL, &n, err, sizeof err), 0);
  assert_true(n > 0);
  w = store_acquire(fx->st, true);
  assert_non_null(w);
  snapshot_equals_own(w, "2025-Q4", 20251231);
  /* M4 of the tổ on that day: d and e2 adults; d level 2 then, e2 level 1: 1 of 3 adults (a, d, e2) */
  json_t *o = NULL;
  app_err ce = {0};
  assert_int_equal(ind_compute(w, tdp, 20251231, &o, &ce), 0);
  figures(o, "M4", 1, 3);
  json_decref(o);
  /* cut short: some units' rows gone (a server stopped mid-snapshot), then taken again */
  STORE_SQL(q_cut17, "DELETE FROM indicator_snapshots WHERE quarter = '2025-Q4' AND unit_id IN (?, ?, ?)");
  store_stmt *s = store_prepare(w, &q_cut17);
  store_bind_int(s, 1, tdp);
  store_bind_int(s, 2, fx->ward);
  store_bind_int(s, 3, below);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  store_release(w);
  assert_int_equal(ind_snapshot_take(fx->st, "2025-Q4", 20260601, NULL, &n, err, sizeof err), 0);
  assert_int_equal(n, 3);
  w = store_acquire(fx->st, true);
  snapshot_equals_own(w, "2025-Q4", 20251231);
  store_release(w);
}

/* Review (session 17): the trigger dates a change the day it is made in Vietnam (UTC+7), the day
 * the server's figures call today (groups_date_key), on both backends; a second change the same day
 * keeps the level of the day before; a change back and forth the same day leaves that level too. */
static void test_review17_trigger_day(void **state) {
  fixture *fx = *state;
  if (!fx || !fx->st) skip();
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  fx->w = w;
  assert_int_equal(store_begin(w), STORE_OK);
  int64_t hh = household(fx, fx->tdp1);
  int64_t p = person(fx, "Người Đổi Trong Ngày", fx->tdp1, hh, "1981", NULL, NULL);
  char sql[256];
  int levels[] = {1, 2, 0, 2};
  for (int i = 0; i < 4; i++) {
    snprintf(sql, sizeof sql, "UPDATE people SET vneid_level = %d WHERE id = %lld", levels[i], (long long)p);
    exec_ok(fx, sql);
  }
  int64_t today = groups_date_key(clock_now());
  STORE_SQL(q_rows17, "SELECT until_key, level FROM vneid_past WHERE person_id = ? ORDER BY until_key");
  store_stmt *s = store_prepare(w, &q_rows17);
  store_bind_int(s, 1, p);
  assert_int_equal(store_step(s), STORE_ROW);
  int64_t until = store_col_int(s, 0), level = store_col_int(s, 1);
  int rc = store_step(s);
  store_reset(s);
  if (until != today) fail_msg("the change is dated %lld, the server's today is %lld", (long long)until, (long long)today);
  assert_int_equal(level, 0); /* the level of the day before, whatever came after it that day */
  assert_int_equal(rc, STORE_DONE); /* one row for the day */
  assert_int_equal(store_rollback(w), STORE_OK);
  fx->w = NULL;
  store_release(w);
}

/* The level of `p` on the day `k`, read with the rule of every figure (VNEID_LEVEL_ON_SQL). */
static int64_t level_on17(store_conn *w, int64_t p, int64_t k) {
  STORE_SQL(q_level17, "SELECT " VNEID_LEVEL_ON_SQL " FROM people p CROSS JOIN (SELECT CAST(? AS BIGINT) AS k) rk_"
                       " WHERE p.id = ?");
  store_stmt *s = store_prepare(w, &q_level17);
  assert_non_null(s);
  store_bind_int(s, 1, k);
  store_bind_int(s, 2, p);
  assert_int_equal(store_step(s), STORE_ROW);
  int64_t v = store_col_int(s, 0);
  store_reset(s);
  return v;
}

/* Review (session 17): synthetic records date many raises at once (vneid_backdate_many). A person
 * with no change before gets the day; one whose level changed after that day keeps every change
 * where it was (the old statement moved the newest row before the older one: level 0, then 1
 * again, then 0, then 2); a person not raised keeps its history. */
static void test_review17_backdate_many(void **state) {
  fixture *fx = *state;
  if (!fx || !fx->st) skip();
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  fx->w = w;
  assert_int_equal(store_begin(w), STORE_OK);
  int64_t hh = household(fx, fx->tdp1);
  int64_t fresh = person(fx, "Người Mới Nâng", fx->tdp1, hh, "1981", NULL, NULL);
  int64_t older = person(fx, "Người Đã Đổi", fx->tdp1, hh, "1982", NULL, NULL);
  int64_t kept = person(fx, "Người Không Nâng", fx->tdp1, hh, "1983", NULL, NULL);
  char sql[512];
  /* older: level 1 from 2026-03-01 (0 before); kept: level 2 from 2026-04-01 (1 before) */
  snprintf(sql, sizeof sql,
           "UPDATE people SET vneid_level = 1 WHERE id = %lld; UPDATE people SET vneid_level = 2 WHERE id = %lld;"
           " DELETE FROM vneid_past WHERE person_id IN (%lld, %lld);"
           " INSERT INTO vneid_past (person_id, until_key, level) VALUES (%lld, 20260301, 0), (%lld, 20260401, 1)",
           (long long)older, (long long)kept, (long long)older, (long long)kept, (long long)older, (long long)kept);
  exec_ok(fx, sql);
  /* the raise of fresh and older (today, by the trigger), then dated 2026-02-01 */
  snprintf(sql, sizeof sql, "UPDATE people SET vneid_level = 2 WHERE id IN (%lld, %lld)", (long long)fresh,
           (long long)older);
  exec_ok(fx, sql);
  snprintf(sql, sizeof sql, "[[%lld,20260201],[%lld,20260201],[%lld,20260201]]", (long long)fresh, (long long)older,
           (long long)kept);
  int64_t moved = -1;
  assert_int_equal(vneid_backdate_many(w, sql, &moved), 0);
  int64_t today = groups_date_key(clock_now());
  /* fresh: 0 before the day, 2 from it */
  assert_int_equal(level_on17(w, fresh, 20260131), 0);
  assert_int_equal(level_on17(w, fresh, 20260201), 2);
  /* older: 0 until 2026-03-01, 1 until today, 2 from today: never back */
  assert_int_equal(level_on17(w, older, 20260215), 0);
  assert_int_equal(level_on17(w, older, 20260301), 1);
  if (today > 20260302) assert_int_equal(level_on17(w, older, 20260302), 1);
  assert_int_equal(level_on17(w, older, today), 2);
  /* kept: as it was */
  assert_int_equal(level_on17(w, kept, 20260215), 1);
  assert_int_equal(level_on17(w, kept, 20260401), 2);
  assert_int_equal(moved, 1);
  assert_int_equal(store_rollback(w), STORE_OK);
  fx->w = NULL;
  store_release(w);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_catalogue_valid),
      cmocka_unit_test(test_refused),
      cmocka_unit_test(test_eval),
      cmocka_unit_test(test_review15_deep_condition),
      cmocka_unit_test(test_date_key),
      cmocka_unit_test(test_quarters),
  };
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_figures, test_setup, test_teardown),
      cmocka_unit_test(test_snapshot),
      cmocka_unit_test(test_review17_snapshot_equal),
      cmocka_unit_test(test_review17_trigger_day),
      cmocka_unit_test(test_review17_backdate_many),
  };
  int failed = cmocka_run_group_tests_name("indicators_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("indicators_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("indicators_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

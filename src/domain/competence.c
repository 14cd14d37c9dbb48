/* competence.c: the change in competence (see competence.h). Only this file writes SQL about
 * attempt_competence; it reads competencies, people and units (their modules own them) to
 * aggregate. A submission's scores come from quiz.c, which read the attempt and its questions. */
#include "domain/competence.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/groups.h"
#include "domain/units.h"
#include "util/clock.h"

/* The most questions an attempt holds (quiz.h: question_count ≤ 100). */
#define COMP_ITEMS_MAX 100
/* The most competences the frameworks hold that a report names. */
#define COMP_MAX 512
/* The most child units a report lists (a ward has a few hundred). */
#define COMP_UNITS_MAX 4096

STORE_SQL(q_insert, "INSERT INTO attempt_competence (attempt_id, competency_id, learner_person, learner_user, placement,"
                    " submitted_at, score_tenths, questions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

/* Before and after, in one pass over a learner's measures of a competence (no join, no window):
 * a measure's key is attempt_id * 2048 + score_tenths (a score is 0..1000), so that the smallest key
 * of the placement measures is the first placement attempt with its score (fk), the largest its
 * latest (lpk), and the largest of all measures the latest of any quiz (lak). Before = fk's score;
 * after = lpk's when that attempt is later than fk's, else lak's when later, else none. Attempts
 * are ordered by id: the order they were started in. */
#define COMP_KEY "(ac.attempt_id * 2048 + ac.score_tenths)"
#define COMP_KEYS                                                                                          \
  "MIN(CASE WHEN ac.placement = 1 THEN " COMP_KEY " END) AS fk, MAX(CASE WHEN ac.placement = 1 THEN " COMP_KEY \
  " END) AS lpk, MAX(" COMP_KEY ") AS lak"
#define COMP_KEY_SPAN 2048

/* One learner: the person (1st parameter) or, without one, the account (2nd). */
STORE_SQL(q_profile,
          "SELECT c.framework, c.code, c.name, c.domain_code, c.domain_name, x.fk, x.lpk, x.lak FROM"
          " (SELECT ac.competency_id, " COMP_KEYS " FROM attempt_competence ac"
          " WHERE ac.learner_person = ? OR ac.learner_user = ? GROUP BY ac.competency_id) x"
          " JOIN competencies c ON c.id = x.competency_id WHERE x.fk IS NOT NULL ORDER BY c.framework, c.code");

/* The residents registered in a subtree [lo, hi) measured twice. pr: one row per (learner,
 * competence) measured twice; pl: per learner, the pairs and their sums; lm: pl with the learner's
 * registering unit and group mask (computed once per learner, and each learner meets their person
 * by primary key: a join of two derived tables is a nested loop in SQLite). Rows: per competence
 * (path and mask NULL) the pairs of the learners of group bit ? (0: all); then per unit path and
 * mask (competency NULL) the learners, pairs and sums. */
STORE_SQL(q_report,
          "WITH x AS (SELECT ac.learner_person AS learner, ac.competency_id, " COMP_KEYS
          " FROM attempt_competence ac WHERE ac.learner_person IS NOT NULL GROUP BY ac.learner_person, ac.competency_id),"
          " pr AS (SELECT learner, competency_id, fk % 2048 AS before_,"
          " CASE WHEN lpk / 2048 > fk / 2048 THEN lpk % 2048 ELSE lak % 2048 END AS after_"
          " FROM x WHERE fk IS NOT NULL AND lak / 2048 > fk / 2048),"
          " pl AS (SELECT learner, COUNT(*) AS n, SUM(before_) AS sb, SUM(after_) AS sa FROM pr GROUP BY learner),"
          " lm AS (SELECT pl.learner, pl.n, pl.sb, pl.sa, u.path AS path, " GROUP_MASK_SQL " AS mask"
          " FROM pl JOIN people p ON p.id = pl.learner JOIN units u ON u.id = p.unit_id"
          " CROSS JOIN (SELECT CAST(? AS BIGINT) AS k) rk_ WHERE p.deleted_at IS NULL AND u.path >= ? AND u.path < ?)"
          " SELECT pr.competency_id, NULL, NULL, COUNT(*), COUNT(*), SUM(pr.before_), SUM(pr.after_) FROM pr"
          " WHERE pr.learner IN (SELECT learner FROM lm WHERE CAST(? AS INTEGER) = 0 OR (lm.mask & CAST(? AS INTEGER)) <> 0)"
          " GROUP BY pr.competency_id"
          " UNION ALL SELECT NULL, path, mask, COUNT(*), SUM(n), SUM(sb), SUM(sa) FROM lm GROUP BY path, mask");
STORE_SQL(q_comps, "SELECT id, framework, code, name, domain_code, domain_name FROM competencies ORDER BY id");
STORE_SQL(q_demo_people, "SELECT id FROM people WHERE deleted_at IS NULL AND household_id IS NOT NULL"
                         " AND id % ? = 0 ORDER BY id LIMIT ?");

double competence_mean(int64_t sum_tenths, int64_t n) {
  if (n <= 0) return 0;
  /* The mean in tenths of a percent, rounded to a whole tenth: a percent with one decimal. */
  double tenths = (double)sum_tenths / (double)n;
  return round(tenths) / 10.0;
}

int competence_record(store_conn *w, const competence_attempt *a, const int64_t *comps, const double *scores, size_t n,
                      app_err *e) {
  if (!a->submitted_at) return APP_INTERNAL(e);
  int64_t comp[COMP_ITEMS_MAX];
  double sum[COMP_ITEMS_MAX];
  int count[COMP_ITEMS_MAX], ncomp = 0;
  for (size_t i = 0; i < n && i < COMP_ITEMS_MAX; i++) {
    int k = 0;
    while (k < ncomp && comp[k] != comps[i]) k++;
    if (k == ncomp) {
      comp[k] = comps[i];
      sum[k] = 0;
      count[k] = 0;
      ncomp++;
    }
    sum[k] += scores[i];
    count[k]++;
  }
  for (int k = 0; k < ncomp; k++) {
    store_stmt *s = store_prepare(w, &q_insert);
    if (!s) return APP_INTERNAL(e);
    store_bind_int(s, 1, a->id);
    store_bind_int(s, 2, comp[k]);
    store_bind_id(s, 3, a->person_id);
    store_bind_id(s, 4, a->person_id ? 0 : a->user_id); /* the account is the learner only without a person */
    store_bind_int(s, 5, a->placement);
    store_bind_int(s, 6, a->submitted_at);
    store_bind_int(s, 7, llround(sum[k] / count[k] * 1000));
    store_bind_int(s, 8, count[k]);
    int rc = store_step(s);
    store_reset(s);
    if (rc != STORE_DONE) return APP_INTERNAL(e);
  }
  return 0;
}

static json_t *pct(int64_t tenths) { return json_real((double)tenths / 10.0); }

int competence_profile(store_conn *c, int64_t person_id, int64_t user_id, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_profile);
  json_t *list = json_array();
  if (!s || !list) {
    json_decref(list);
    return APP_INTERNAL(e);
  }
  store_bind_id(s, 1, person_id);
  store_bind_id(s, 2, person_id > 0 ? 0 : user_id);
  int rc, again = 0;
  while ((rc = store_step(s)) == STORE_ROW) {
    int64_t fk = store_col_int(s, 5), lpk = store_col_int(s, 6), lak = store_col_int(s, 7);
    int64_t before = fk % COMP_KEY_SPAN, after = 0;
    bool has_after = true;
    if (lpk / COMP_KEY_SPAN > fk / COMP_KEY_SPAN) after = lpk % COMP_KEY_SPAN;      /* a later placement */
    else if (lak / COMP_KEY_SPAN > fk / COMP_KEY_SPAN) after = lak % COMP_KEY_SPAN; /* a later quiz */
    else has_after = false;
    again += has_after;
    json_array_append_new(
        list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "framework", store_col_text(s, 0), "code",
                        store_col_text(s, 1), "name", store_col_text(s, 2), "domain_code", store_col_text(s, 3),
                        "domain_name", store_col_text(s, 4), "before", pct(before), "after",
                        has_after ? pct(after) : json_null(), "change", has_after ? pct(after - before) : json_null()));
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(list);
    return APP_INTERNAL(e);
  }
  *out = json_pack("{s:i, s:i, s:o}", "measured", (int)json_array_size(list), "measured_again", again, "competencies",
                   list);
  return *out ? 0 : APP_INTERNAL(e);
}

/* Sums of pairs (before, after) and learners, for one line of the report. */
typedef struct tally {
  int64_t id; /* a competency, a unit, a group bit */
  int64_t pairs, sum_before, sum_after, learners;
} tally;

static tally *tally_at(tally *t, int *n, int max, int64_t id) {
  for (int k = 0; k < *n; k++)
    if (t[k].id == id) return &t[k];
  if (*n >= max) return NULL;
  t[*n] = (tally){.id = id};
  return &t[(*n)++];
}

static json_t *tally_json(const tally *t, bool with_learners) {
  json_t *o = json_pack("{s:I, s:o, s:o, s:o}", "measures", (json_int_t)t->pairs, "before",
                        json_real(competence_mean(t->sum_before, t->pairs)), "after",
                        json_real(competence_mean(t->sum_after, t->pairs)), "change",
                        json_real(competence_mean(t->sum_after - t->sum_before, t->pairs)));
  if (o && with_learners) json_object_set_new(o, "learners", json_integer(t->learners));
  return o;
}

/* The child of the unit at `root` that `path` lies in (its id is the path's next segment), or 0
 * for the unit itself. */
static int64_t child_of(const char *root, const char *path) {
  size_t n = strlen(root);
  if (strncmp(path, root, n) != 0 || !path[n]) return 0;
  return strtoll(path + n, NULL, 10);
}

int competence_report(store_conn *c, arena *a, int64_t unit_id, const char *unit_path, int group_bit, json_t **out,
                      app_err *e) {
  int rc = -1;
  tally *by_comp = calloc(COMP_MAX, sizeof *by_comp), *by_unit = calloc(COMP_UNITS_MAX, sizeof *by_unit);
  tally by_group[GROUP_COUNT], total = {0};
  int ncomp = 0, nunit = 0;
  json_t *comps = NULL, *units = NULL, *groups = NULL, *names = json_object();
  if (!by_comp || !by_unit || !names) goto fail_internal;
  for (int g = 0; g < GROUP_COUNT; g++) by_group[g] = (tally){.id = group_defs[g].bit};
  const char *hi = scope_hi(a, unit_path);
  store_stmt *s = hi ? store_prepare(c, &q_report) : NULL;
  if (!s) goto fail_internal;
  store_bind_int(s, 1, groups_date_key(clock_now()));
  store_bind_text(s, 2, unit_path);
  store_bind_text(s, 3, hi);
  store_bind_int(s, 4, group_bit);
  store_bind_int(s, 5, group_bit);
  int step;
  while ((step = store_step(s)) == STORE_ROW) {
    tally row = {.learners = store_col_int(s, 3), .pairs = store_col_int(s, 4), .sum_before = store_col_int(s, 5),
                 .sum_after = store_col_int(s, 6)};
    tally *cells[GROUP_COUNT + 2];
    int ncells = 0;
    if (!store_col_is_null(s, 0)) { /* a competence: its pairs, of the group's learners already */
      tally *k = tally_at(by_comp, &ncomp, COMP_MAX, store_col_int(s, 0));
      if (k) cells[ncells++] = k;
    } else { /* a unit path and a group mask */
      int mask = (int)store_col_int(s, 2);
      if (group_bit && !(mask & group_bit)) continue;
      cells[ncells++] = &total;
      tally *u = tally_at(by_unit, &nunit, COMP_UNITS_MAX, child_of(unit_path, store_col_text(s, 1)));
      if (u) cells[ncells++] = u;
      for (int g = 0; g < GROUP_COUNT; g++)
        if (mask & group_defs[g].bit) cells[ncells++] = &by_group[g];
    }
    for (int i = 0; i < ncells; i++) {
      cells[i]->learners += row.learners;
      cells[i]->pairs += row.pairs;
      cells[i]->sum_before += row.sum_before;
      cells[i]->sum_after += row.sum_after;
    }
  }
  store_reset(s);
  if (step != STORE_DONE) goto fail_internal;
  /* The competences' names. */
  s = store_prepare(c, &q_comps);
  if (!s) goto fail_internal;
  while ((step = store_step(s)) == STORE_ROW) {
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)store_col_int(s, 0));
    json_object_set_new(names, key,
                        json_pack("{s:s, s:s, s:s, s:s, s:s}", "framework", store_col_text(s, 1), "code",
                                  store_col_text(s, 2), "name", store_col_text(s, 3), "domain_code",
                                  store_col_text(s, 4), "domain_name", store_col_text(s, 5)));
  }
  store_reset(s);
  if (step != STORE_DONE) goto fail_internal;
  comps = json_array();
  units = json_array();
  groups = json_array();
  if (!comps || !units || !groups) goto fail_internal;
  for (int k = 0; k < ncomp; k++) {
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)by_comp[k].id);
    json_t *o = tally_json(&by_comp[k], true);
    json_t *nm = json_object_get(names, key);
    if (!o || !nm) {
      json_decref(o);
      goto fail_internal;
    }
    json_object_update(o, nm);
    json_array_append_new(comps, o);
  }
  for (int k = 0; k < nunit; k++) {
    json_t *o = tally_json(&by_unit[k], true);
    if (!o) goto fail_internal;
    if (by_unit[k].id) {
      unit_rec ur;
      app_err ue = {0};
      if (units_load(c, by_unit[k].id, a, &ur, &ue) != 0) {
        json_decref(o);
        goto fail_internal;
      }
      json_object_set_new(o, "unit_id", json_integer(ur.id));
      json_object_set_new(o, "name", json_string(ur.name));
    } else {
      json_object_set_new(o, "unit_id", json_integer(unit_id));
      json_object_set_new(o, "name", json_string("Đăng ký trực tiếp tại đơn vị này"));
    }
    json_array_append_new(units, o);
  }
  for (int g = 0; g < GROUP_COUNT; g++) {
    if (!by_group[g].pairs) continue;
    json_t *o = tally_json(&by_group[g], true);
    if (!o) goto fail_internal;
    json_object_set_new(o, "group", json_string(group_defs[g].code));
    json_object_set_new(o, "label", json_string(group_defs[g].label));
    json_array_append_new(groups, o);
  }
  *out = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "unit_id", (json_int_t)unit_id, "total", tally_json(&total, true),
                   "competencies", comps, "by_unit", units, "by_group", groups, "group", json_null());
  comps = units = groups = NULL;
  if (!*out) goto fail_internal;
  if (group_bit)
    for (int g = 0; g < GROUP_COUNT; g++)
      if (group_defs[g].bit == group_bit) json_object_set_new(*out, "group", json_string(group_defs[g].code));
  rc = 0;
  goto done;
fail_internal:
  rc = APP_INTERNAL(e);
done:
  json_decref(comps);
  json_decref(units);
  json_decref(groups);
  json_decref(names);
  free(by_comp);
  free(by_unit);
  return rc;
}

int competence_demo_people(store_conn *c, int64_t step, int64_t *ids, int max) {
  store_stmt *s = store_prepare(c, &q_demo_people);
  if (!s) return -1;
  store_bind_int(s, 1, step > 0 ? step : 1);
  store_bind_int(s, 2, max);
  int rc, n = 0;
  while ((rc = store_step(s)) == STORE_ROW && n < max) ids[n++] = store_col_int(s, 0);
  store_reset(s);
  return rc == STORE_DONE || rc == STORE_ROW ? n : -1;
}

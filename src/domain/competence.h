/* competence.h: the change in learners' digital competence (issue 8 part 6, plan I.2).
 * Owns: the table attempt_competence (each submitted attempt's score per competence, written in
 * the submission's transaction) and the rules of "before" and "after" (docs/LEARNING.md, "Change
 * in competence"); the learner's profile and the officers' aggregate by unit and learner group.
 * Never: grades again (the scores are the submission's), or counts a learner twice in one figure.
 */
#ifndef HOCVUSO_COMPETENCE_H
#define HOCVUSO_COMPETENCE_H

#include <jansson.h>
#include <stdint.h>

#include "domain/err.h"
#include "store/store.h"
#include "util/arena.h"

/* A submitted attempt as the submission knows it: its learner, the quiz's purpose, the time. */
typedef struct competence_attempt {
  int64_t id, person_id, user_id; /* person_id 0: none (the account is the learner) */
  int64_t submitted_at;
  int placement; /* the quiz's purpose is a placement check */
} competence_attempt;

/* Records the submitted attempt's score per competence (the mean score of its questions of that
 * competence): `comps` and `scores` are its n questions' competences and their scores 0..1,
 * aligned. Called by quiz_submit inside its transaction, right after the attempt is closed, with
 * what it has read already (nothing is read again). */
int competence_record(store_conn *w, const competence_attempt *a, const int64_t *comps, const double *scores, size_t n,
                      app_err *e);

/* One learner's profile: {measured, competencies: [{framework, code, name, domain_code,
 * domain_name, before, after, change}]} (percent, one decimal; after and change null until measured
 * again). The learner is the person when person_id > 0, else the account user_id. */
int competence_profile(store_conn *c, int64_t person_id, int64_t user_id, json_t **out, app_err *e);

/* The change aggregated over the learners registered in the unit `unit_path`'s subtree (and, when
 * group_bit is not 0, of that learner group on today's date): per competence, per child unit, per
 * learner group. Only learners measured twice count (see the doc). */
int competence_report(store_conn *c, arena *a, int64_t unit_id, const char *unit_path, int group_bit, json_t **out,
                      app_err *e);

/* For the demo: up to `max` live residents spread over the ward (every `step`-th id), into ids;
 * the count, or -1. */
int competence_demo_people(store_conn *c, int64_t step, int64_t *ids, int max);

/* ---- pure, for tests ---- */
/* A mean of `n` scores in tenths of a percent as percent with one decimal (half away from zero). */
double competence_mean(int64_t sum_tenths, int64_t n);

#endif

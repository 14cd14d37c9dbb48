/* field.h: Tổ công nghệ số cộng đồng (community digital teams, issue 9 part 1): one team per tổ dân
 * phố with its members from the registry; the visit topics (a list an admin extends); the
 * door-to-door visit log (household, date, residents present, topics guided, each resident's
 * outcomes); a team's worklists (households not yet visited, residents left behind) and the
 * coverage by tổ dân phố.
 * Owns: field_teams, field_team_members, field_topics, field_visits and their topic, people and
 * outcome rows (migration 19). Only field.c writes SQL about them.
 * Never: checks who may call (the route table and the dispatcher do, through field_team_reach and
 * households_reach); never merges two visits: two helpers recording the same household on the same
 * day both keep theirs.
 *
 * "Left behind" (người còn bị bỏ lại), the one definition (FIELD_LEFT_BEHIND_SQL below, and
 * docs/FIELD.md): a live resident registered in the team's tổ dân phố, an adult (GROUP_SQL_ADULTS:
 * in a household, 18 or older on the reference date) who has
 *   - no certificate that is not revoked (issued to the person, or to the account linked to them),
 *   - no confirmation from outside (VNeID, the national platform, another course), and
 *   - no visit outcome other than "declined" or "needs_followup" (a visit that changed nothing).
 */
#ifndef HOCVUSO_FIELD_H
#define HOCVUSO_FIELD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/groups.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/arena.h"

/* The outcomes that do not take a resident off the left-behind list. */
#define FIELD_NEUTRAL_OUTCOMES "'declined', 'needs_followup'"
/* The left-behind rule, reading the person as `p` and the reference date key as `rk_.k` (like
 * groups.h's predicates). A person's outcomes are found through their visits (field_visit_people's
 * index by person): outcomes have no index by person of their own (migration 42). */
#define FIELD_LEFT_BEHIND_SQL                                                                            \
  "(" GROUP_SQL_ADULTS                                                                                  \
  " AND NOT EXISTS (SELECT 1 FROM certificates lc_ WHERE lc_.person_id = p.id AND lc_.revoked_at IS NULL)" \
  " AND NOT EXISTS (SELECT 1 FROM users lu_ JOIN certificates lc_ ON lc_.user_id = lu_.id"               \
  " WHERE lu_.person_id = p.id AND lc_.revoked_at IS NULL)"                                              \
  " AND NOT EXISTS (SELECT 1 FROM external_confirmations lx_ WHERE lx_.person_id = p.id)"                \
  " AND NOT EXISTS (SELECT 1 FROM field_visit_people lp_ JOIN field_visit_outcomes lo_"                  \
  " ON lo_.visit_id = lp_.visit_id AND lo_.person_id = lp_.person_id WHERE lp_.person_id = p.id"          \
  " AND lo_.outcome NOT IN (" FIELD_NEUTRAL_OUTCOMES ")))"

#define FIELD_TOPICS_MAX 20  /* topics per visit */
#define FIELD_PRESENT_MAX 30 /* residents present per visit */
#define FIELD_NOTE_MAX 500   /* characters */

/* The outcomes a resident present may have (code, Vietnamese label), in display order. */
typedef struct field_outcome {
  const char *code, *label;
} field_outcome;
extern const field_outcome field_outcomes[];
extern const int field_outcomes_count;
const char *field_outcome_label(const char *code); /* NULL when unknown */

/* ---- topics ---- */
int field_topics_list(store_conn *c, json_t **items, app_err *e);
/* A new topic (label required; code derived from the label when NULL); 409 when the code or label
 * is taken. */
int field_topics_create(store_conn *w, const char *code, const char *label, int64_t by_user, int64_t now, int64_t *id,
                        app_err *e);

/* ---- teams ---- */
/* The team's tổ dân phố and its path (in `a`); 404 when there is no such team. */
int field_team_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e);
/* A team for the tổ dân phố `unit_id` (which must be one); 409 when it has one already. */
int field_teams_create(store_conn *w, int64_t unit_id, const char *name, int64_t by_user, int64_t now, int64_t *id,
                       app_err *e);
/* Teams whose tổ lies in `scope` (and in unit_id's subtree when not 0), by tổ. */
int field_teams_list(store_conn *c, const scope_sql *scope, int64_t unit_id, int page, int per_page, json_t **items,
                     int64_t *total, app_err *e);
/* The team with its current members, and those who left (former_members, newest first, at most 50). */
int field_team_get(store_conn *c, int64_t id, json_t **out, app_err *e);
/* Adds a live person as a member ("leader" or "member"); *created false when they were one already
 * (the role is then updated). */
int field_team_add_member(store_conn *w, int64_t team_id, int64_t person_id, const char *role, int64_t by_user,
                          int64_t now, bool *created, app_err *e);

/* The person leaves the team: the row is kept with ended_at and ended_by (the team's history);
 * 409 naming person_id when they are not a current member. Adding them again later makes the
 * row current again. */
int field_team_remove_member(store_conn *w, int64_t team_id, int64_t person_id, int64_t by_user, int64_t now,
                             app_err *e);

/* ---- worklists and coverage ---- */
/* Households of the team's tổ with no visit yet, by code. */
int field_worklist_households(store_conn *c, int64_t team_id, int page, int per_page, json_t **items, int64_t *total,
                              app_err *e);
/* Residents of the team's tổ left behind (FIELD_LEFT_BEHIND_SQL) on `today_key`, by name. */
int field_worklist_residents(store_conn *c, int64_t team_id, int64_t today_key, int page, int per_page,
                             json_t **items, int64_t *total, app_err *e);
/* Per tổ dân phố in `scope` (and unit_id's subtree when not 0): households, households visited,
 * the team's id (or null). */
int field_coverage(store_conn *c, const scope_sql *scope, int64_t unit_id, json_t **items, app_err *e);
/* Households of the tổ `unit_id` whose address or code contains `q`, or a live member of which has
 * a name with a word starting with `q` (folded: typed without diacritics). At most 50. */
int field_households_find(store_conn *c, int64_t unit_id, const char *q, json_t **items, app_err *e);

/* ---- visits ---- */
typedef struct field_visit_input {
  const char *visited_on; /* dd/mm/yyyy or yyyy-mm-dd; NULL: today */
  const char *note;       /* NULL: none */
  json_t *topics;         /* array of topic codes (at least one) */
  json_t *present;        /* array of {"person_id": n, "outcomes": [codes]} (members of the household) */
} field_visit_input;
/* What was recorded, for the audit entry. */
typedef struct field_visit_saved {
  int64_t id, unit_id; /* the visit, its household's tổ */
  int64_t visited_on;  /* date key YYYYMMDD */
  int present;         /* residents present */
  char *unit_name, *unit_path; /* the tổ's, as read in the visit's transaction (for its audit entry);
                                  owned: field_visit_saved_free */
} field_visit_saved;
void field_visit_saved_free(field_visit_saved *saved);
/* Records a visit to the household by `by_user` (named `by_name`, for the answer); *saved gets
 * what was recorded and `out` (when not NULL) the visit as JSON text, byte for byte what
 * jsonx_dump writes of field_visit_get's answer, built from what was checked (no read back, no
 * JSON tree). 404 for an unknown household, 400 naming the field for a date in the future, an
 * unknown topic or outcome, or a person who is not a live member of the household. Nothing is
 * written unless everything is right. */
int field_visit_record(store_conn *w, int64_t household_id, const field_visit_input *in, int64_t by_user,
                       const char *by_name, int64_t now, field_visit_saved *saved, buf *out, app_err *e);
int field_visit_get(store_conn *c, int64_t id, json_t **out, app_err *e);
/* The household's visits, newest first (at most 100). */
int field_household_visits(store_conn *c, int64_t household_id, json_t **items, app_err *e);

/* ---- team reports (field_report.c) ---- */
/* The period ("week": Monday to Sunday, "month", "quarter"; NULL: month) holding the date key
 * `day`: its first and last date keys and a Vietnamese label ("Tháng 11/2026"). -1 when the
 * period is none of these. */
int field_period(const char *period, int64_t day, int64_t *from, int64_t *to, char label[static 64]);
/* The team's activity in the period holding `day`: {team, period, label, from, to, visits,
 * households_visited, residents_guided (distinct residents present), by_topic [{code, label,
 * visits, residents}], by_outcome [{code, label, residents}] (every outcome, 0 included),
 * by_helper [{user_id, name, visits}], coverage {households, visited (up to the period's end)},
 * requests_closed (help requests of the tổ closed in the period, helpreq.h)}. */
int field_team_report(store_conn *c, int64_t team_id, const char *period, int64_t day, json_t **out, app_err *e);
/* The report as a one-sheet workbook at `path` (numbers as numbers). */
int field_report_xlsx(const json_t *report, const char *path, const char *tmpdir, app_err *e);

/* ---- the demo ---- */
/* A team per tổ dân phố of the demo ward (HP-HD), members from each tổ's residents, and visits to
 * a share of the households of the first tổ over the last weeks (deterministic). *added counts the
 * visits written. Run again: nothing added. */
int demo_field(store *st, int64_t now, int64_t *added, char *err, size_t errlen);

/* One resident's door-to-door visits, newest first (at most 50): [{id, household_id, visited_on,
 * by, topics: [labels], outcomes: [labels of theirs]}]. The caller has checked the person. */
int field_person_visits(store_conn *c, int64_t person_id, json_t **out, app_err *e);
#endif

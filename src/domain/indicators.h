/* indicators.h: chỉ tiêu — the plan's targets and model rules as indicators, each a population
 * (the denominator) and a condition (the numerator) over one kind of record, computed for a unit's
 * subtree on a reference date.
 * Owns: the building blocks (bases, groups, facts), the catalogue of the plan's indicators written
 * in them, the rules that make a definition valid (it refers to known blocks, has a population that
 * can be non-empty, and does not loop through other indicators), and the computation: one
 * statement per base counts the records of the subtree by (groups, facts) — the "cube" — and every
 * indicator is read from the cube in C, so that a new indicator needs no SQL.
 * Never: stores a figure (snapshots and live counts are other modules' to keep), or counts a
 * record outside the unit asked for.
 */
#ifndef HOCVUSO_INDICATORS_H
#define HOCVUSO_INDICATORS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>

#include "domain/err.h"
#include "store/store.h"

/* The kinds of record an indicator counts. */
typedef enum {
  IND_PEOPLE = 0,   /* people of the registry (residents, and staff registered through their unit) */
  IND_STUDENTS,     /* students as the schools report them by grade (school_grades) */
  IND_HOUSEHOLDS,   /* households with at least one living member */
  IND_SCHOOLS,      /* general-education schools (tiểu học, THCS, THPT) */
  IND_MENTORS,      /* Đại sứ số mentors in office */
  IND_CENTRES,      /* public administration service centres */
  IND_BASE_COUNT
} ind_base;

/* One cell of a cube: `n` records of the subtree whose groups are `g` and facts `f`. */
typedef struct ind_cell {
  uint32_t g, f;
  int64_t n;
} ind_cell;
typedef struct ind_cube {
  ind_cell *cells;
  int ncells, cap;
  bool live;      /* read from the live counts (indlive.h), not counted from the records */
  int64_t pending; /* live: records written but not counted yet (a large import being drained) */
} ind_cube;

/* A catalogue entry: the plan's indicators are carried in the binary (indicators.c). */
typedef struct ind_def {
  const char *code;
  const char *name;       /* Vietnamese */
  const char *definition; /* JSON in the building blocks (docs/INDICATORS.md) */
  int target_2025, target_2026; /* percent; -1: none for that year */
  const char *source;     /* where in the plan */
} ind_def;
extern const ind_def ind_catalogue[];
extern const int ind_catalogue_count;

/* The base of that code ("people", …), or -1. */
int ind_base_of(const char *code);
const char *ind_base_code(ind_base b);

/* Checks the definition of the indicator `code` (NULL: not named yet) against the building blocks,
 * the catalogue and `set` (an object code → definition of the stored indicators, or NULL): 0, or
 * -1 with a 4xx in `e` naming the field ("base", "population", "condition"): a block that refers
 * to nothing, an indicator of another base, a reference that loops back to one being checked, or
 * a population no record can be in. */
int ind_validate(const json_t *set, const char *code, const json_t *def, app_err *e);

/* The cube of `base` for the unit `unit_id` (its whole subtree) on the date key yyyymmdd: today's
 * cubes of people and households from the live counts (indlive.h) when they can serve it, else
 * (another day, another base, too much still marked, or ind_use_live(false)) from the records. */
int ind_cube_load(store_conn *c, ind_base base, int64_t unit_id, int64_t date_key, ind_cube *out, app_err *e);
void ind_cube_free(ind_cube *cube);
/* Whether cubes may come from the live counts (default yes; process-wide, for recounts and
 * benchmarks that compare the two). */
void ind_use_live(bool on);

/* Numerator and denominator of a (valid) definition over a cube of its base; `set` as above. */
int ind_eval(const json_t *set, const json_t *def, const ind_cube *cube, int64_t *num, int64_t *den);

/* Every indicator of the catalogue for the unit and date: {"unit": {…}, "date", "items": [{"code",
 * "name", "base", "numerator", "denominator", "percent", "target", "gap", "met", "source"}]}. 404
 * when the unit does not exist. */
int ind_compute(store_conn *c, int64_t unit_id, int64_t date_key, json_t **out, app_err *e);

/* ---- indicators an admin defines (indicator_defs) ----
 * A stored indicator has a code (a letter, then letters, digits, '.', '_' or '-', at most 20; never
 * a code of the catalogue), a name, a definition in the building blocks, and targets by year
 * ({"2026": 100}: percent; a year's target holds until a later year's). Retired, not deleted: an
 * inactive one is left out of the figures but stays for references. */

/* Every stored definition as {code: definition}, for ind_validate and ind_eval. */
int ind_set_load(store_conn *c, json_t **set, app_err *e);
/* Creates (id 0) or replaces (id) a stored indicator; refused with a 4xx naming the field. On
 * success *id_out is its id. */
int ind_def_save(store_conn *w, int64_t id, const char *code, const char *name, const json_t *definition,
                 const json_t *targets, int active, int64_t user_id, int64_t now, int64_t *id_out, app_err *e);
/* The catalogue and the stored indicators: [{"id" (stored only), "code", "name", "definition",
 * "targets", "builtin", "active", "source"}]. */
int ind_defs_list(store_conn *c, json_t **items, app_err *e);

/* The ranking of the units directly below `unit_id` by one indicator (the catalogue's or an active
 * stored one) on a date: {"indicator": {"code", "name", "target"}, "unit": {…}, "date", "items":
 * [{"unit_id", "name", "kind", "numerator", "denominator", "percent", "gap", "met", "rank"}]}, best
 * first, those with nobody in the population last and unranked. 404 for an unknown code or unit. */
int ind_ranking(store_conn *c, const char *code, int64_t unit_id, int64_t date_key, json_t **out, app_err *e);

/* ---- quarters (snapshots) ---- */

/* The last day (key yyyymmdd) of the quarter "YYYY-Qn" (n 1..4, year 2020..2100), or -1. */
int64_t ind_quarter_end(const char *quarter);
/* The last quarter that ended on or before the day `today_key`, as "YYYY-Qn". */
void ind_last_quarter(int64_t today_key, char out[8]);
/* Takes the snapshot of `quarter` (which must have ended by `today_key`): every unit's figures as of
 * the quarter's last day, computed with no writer held (the people and households of every unit
 * counted in one pass, indlive_recount), written SNAPSHOT_CHUNK units per short transaction. A unit
 * already in that snapshot is left as it is: re-running completes a snapshot cut short and never
 * changes a figure reported. Stops between units when *stop (NULL: never). *written: units added.
 * 0 (done, or stopped), or -1 with `err` (the quarter is not one, or has not ended). */
int ind_snapshot_take(store *st, const char *quarter, int64_t today_key, atomic_bool *stop, int64_t *written,
                      char *err, size_t errlen);
/* The snapshot of `quarter` for one unit only (a report asked of a unit the housekeeper has not
 * reached): the same rows, the same rules. */
int ind_snapshot_one(store *st, const char *quarter, int64_t today_key, int64_t unit_id, char *err, size_t errlen);
/* The snapshots of a unit for one indicator, oldest first: {"unit", "indicator": {"code", "name"},
 * "items": [{"quarter", "date", "numerator", "denominator", "percent", "target", "met"}]}. */
int ind_history(store_conn *c, int64_t unit_id, const char *code, json_t **out, app_err *e);

/* ---- commendation candidates (thi đua, khen thưởng) ----
 * A criterion is {"kind": "all_met", "codes": [CODE, …]} (every listed indicator met; without codes:
 * every indicator that has a target that year), {"kind": "top", "code": CODE, "count": N} (the N
 * best units by that indicator, ties included), or {"kind": "at_least", "code": CODE, "percent": P}. */
int ind_rule_add(store_conn *w, const char *name, const json_t *rule, int64_t user_id, int64_t now, int64_t *id,
                 app_err *e);
/* The criteria, and for each the candidates among the units directly below `unit_id` on the date:
 * {"unit", "date", "rules": [{"id", "name", "rule", "candidates": [{"unit_id", "name", "why"}]}]}. */
int ind_commendations(store_conn *c, int64_t unit_id, int64_t date_key, json_t **out, app_err *e);

/* The date key of "YYYY-MM-DD" (a real date), or -1. */
/* ind_key_iso: the key yyyymmdd as "YYYY-MM-DD". */
void ind_key_iso(int64_t key, char out[16]);
int64_t ind_date_key(const char *s);

/* ---- for the lists of those left behind (indicators_left.h) ---- */

/* The definition of the indicator `code` as ind_compute counts it: the catalogue's, or an active
 * stored one that is still usable; *set receives every stored definition (for ind_eval), *name a
 * copy of its name (the caller frees both; *def points into *set or the catalogue). 404 naming
 * `code` when there is none. */
int ind_def_find(store_conn *c, const char *code, json_t **set, const json_t **def, char **name, app_err *e);
/* The first second after the day `date_key` in Vietnam: the second value IND_RK_SQL binds. */
int64_t ind_date_end(int64_t date_key);

#endif

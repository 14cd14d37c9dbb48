/* indlive.h: live counts of the indicators — the cubes of the people and households bases for
 * today, kept current as records change, and their check against a full recount.
 * Owns: ind_dirty / ind_dirty_hh (marked by triggers, migration 31), ind_person / ind_household
 * (each record's last classification), ind_live (per unit, groups and facts: how many records of its
 * whole subtree) and the drain that moves them. A record adds one to every unit at or above one of
 * its units, once: a resident who is also staff of an office counts once in the ward above both.
 * Never: classifies a record by its own rules (ind_sql.h has them); holds the writer for more than
 * one chunk; answers a figure that is not current: a reader adds what the drain has not reached
 * yet, or says it cannot (too much marked) and the caller counts from the records.
 */
#ifndef HOCVUSO_INDLIVE_H
#define HOCVUSO_INDLIVE_H

#include <stdatomic.h>
#include <stdio.h>

#include "domain/indicators.h"

/* Records classified per transaction of the drain. */
#define INDLIVE_CHUNK 500
/* A reader adds at most this many marked records to the counts (about 25 ms of work); beyond, it
 * answers the counts as the drain left them and says how many records are still to come. */
#define INDLIVE_FOLD_MAX 500

/* Classifies again what is marked (and what changes by itself on `today_key`: birthdays, dated
 * facts), INDLIVE_CHUNK records per short transaction on the writer, until a chunk finds fewer
 * than INDLIVE_CHUNK marked (everything marked when it began: what writes mark meanwhile is left
 * for the next call) or `stop` is set. *done: records classified. 0, or -1 with `err`. */
int indlive_drain(store *st, int64_t today_key, atomic_bool *stop, int64_t *done, char *err, size_t errlen);

/* The cube of `base` (IND_PEOPLE or IND_HOUSEHOLDS) for the unit `unit_id` (its whole subtree) on
 * `today_key`, from the live counts and what is still marked: 1 served, 0 not served (another
 * base, or the counts not built yet: the caller counts from the records), -1 error. With more than
 * INDLIVE_FOLD_MAX marked (a large import under way), the counts as drained, and out->pending says
 * how many records they do not include yet. The reads are one snapshot (store_read_consistent). */
int indlive_cube(store_conn *c, ind_base base, int64_t unit_id, int64_t today_key, ind_cube *out, app_err *e);

/* The cubes of the units directly below `parent` (`unit_ids`, n of them: all of them or some), into
 * out[0..n-1], with one statement for the counts and one pass over what is marked (a ranking of a
 * ward's 2,000 tổ: one statement, not 10,000): 1 served, 0 not (as indlive_cube), -1 error. */
int indlive_cubes_below(store_conn *c, ind_base base, int64_t parent, const int64_t *unit_ids, int n, int64_t today_key,
                        ind_cube *out, app_err *e);

/* How many records are marked and not classified yet (people and households), at most `cap`. */
int64_t indlive_pending(store_conn *c, int64_t today_key, int64_t cap);

/* Recounts every unit's people and households from the records, with no live count used, and
 * compares each unit's cube with the live one (the counts plus what is still marked). Writes each
 * difference to `out`. *units, *diffs: units checked, differences found. 0 (compared), or -1 with
 * `err` (the database failed). */
int indlive_verify(store *st, int64_t today_key, FILE *out, int64_t *units, int64_t *records, int64_t *diffs,
                   char *err, size_t errlen);

/* Every unit's people and households on the day `key`, counted from the records in one pass (the
 * recount of indlive_verify, for any date: the quarter snapshots of every unit at once). `c` should
 * be in a consistent read. NULL when the database failed, memory ran out, or *stop was set (looked
 * at every few thousand records; stop NULL: never). */
typedef struct indlive_recounted indlive_recounted;
indlive_recounted *indlive_recount(store_conn *c, int64_t key, atomic_bool *stop);
/* The cube of `unit_id` (IND_PEOPLE or IND_HOUSEHOLDS), owned by r; NULL for a unit made since. */
const ind_cube *indlive_recounted_cube(const indlive_recounted *r, int64_t unit_id, ind_base base);
void indlive_recounted_free(indlive_recounted *r);

/* The marks the row triggers of migration 31 make, made for a set at once by a bulk insert that
 * turned them off (store_row_triggers_off): the people and households in the JSON arrays of ids
 * given (NULL or "[]": none) are marked to be classified again. 0 or -1. */
int indlive_mark(store_conn *w, const char *person_ids_json, const char *household_ids_json);

#endif

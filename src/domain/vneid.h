/* vneid.h: VNeID coverage for the police and the teams (issue 9, part 10): the residents of each tổ
 * dân phố by their level of electronic identification (mức định danh điện tử: 0 none, 1, 2), and the
 * worklist of adults without level 2. "Adult" is the registry's target group (groups.h,
 * GROUP_SQL_ADULTS: from 18 on the day, living in a household of the ward), never defined again
 * here. A resident is a live person registered in a tổ dân phố (unit kind residential_group).
 * Levels of past dates: people.vneid_level is the level now (people.c owns it and its changes);
 * vneid_past (migration 32) keeps the level each person had before each change, written by a
 * trigger in the changing transaction and dated the day of the change; VNEID_LEVEL_ON_SQL reads the
 * level of any day from both, for these figures and the indicators (ind_sql.h).
 * Owns: vneid_past's statements (the dating of a change after the fact).
 * Never: counts or lists outside the caller's scope (scope.h).
 */
#ifndef HOCVUSO_VNEID_H
#define HOCVUSO_VNEID_H

#include <jansson.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"

/* The VNeID level of the person `p` (an alias of people) on the day rk_.k (yyyymmdd): the level kept
 * for that day in vneid_past (the first change after it), else the level now. */
#define VNEID_LEVEL_ON_SQL                                                                             \
  "COALESCE((SELECT vp_.level FROM vneid_past vp_ WHERE vp_.person_id = p.id AND vp_.until_key > rk_.k" \
  " ORDER BY vp_.until_key LIMIT 1), p.vneid_level)"
/* The same rule as a join, for a statement that reads the level several times per person: after
 * `p` (and rk_), VNEID_PAST_JOIN_SQL finds the row kept for the day (one seek that usually finds
 * nothing), and VNEID_LEVEL_JOINED_SQL is then the level of that day. */
#define VNEID_PAST_JOIN_SQL                                                                               \
  " LEFT JOIN vneid_past vj_ ON vj_.person_id = p.id AND vj_.until_key > rk_.k AND NOT EXISTS (SELECT 1" \
  " FROM vneid_past vn_ WHERE vn_.person_id = p.id AND vn_.until_key > rk_.k AND vn_.until_key < vj_.until_key)"
#define VNEID_LEVEL_JOINED_SQL "COALESCE(vj_.level, p.vneid_level)"

/* Dates the last change of the person's level `since_key` (yyyymmdd, before today) rather than the
 * day it was recorded: the level before is then kept until that day, and a level recorded between
 * that day and the change is forgotten. Called in the changing transaction, after the change. No
 * change recorded after since_key: nothing to do. 0, or -1 with e. */
int vneid_backdate(store_conn *w, int64_t person_id, int64_t since_key, app_err *e);
/* Dates the start of the level the person holds (`level`, no change now) `since_key` instead of the
 * day recorded: earlier (as vneid_backdate) or later (the level before it then held until that
 * day). A level never changed is taken as reached that day from none (0); level 0 never changed
 * has no such day: 400 naming vneid_since. 0, or -1 with e. */
int vneid_redate(store_conn *w, int64_t person_id, int level, int64_t since_key, app_err *e);
/* The level before `level` (the person's first record of it, as on a record made with a date):
 * `before` until since_key. 0, or -1 with e. */
int vneid_keep_before(store_conn *w, int64_t person_id, int before, int64_t since_key, app_err *e);
/* Many people's last change at once, for synthetic records: `pairs` a JSON array of
 * [person_id, since_key]; each person's row of a change made today (the trigger's) is dated
 * since_key, when that is earlier and no other change of the person is dated since_key or after
 * (else left as it is). *changed the rows moved. -1 on error. */
int vneid_backdate_many(store_conn *w, const char *pairs, int64_t *changed);

/* {date, residents, level0, level1, level2, adults, adults_without_level2, by_unit: [{unit_id,
 * name, residents, level0, level1, level2, adults, adults_without_level2}]} on `date_key` (yyyymmdd),
 * over the scope (and unit_id's subtree when not 0). 404 naming unit_id. */
int vneid_coverage(store_conn *c, const scope_sql *scope, int64_t unit_id, int64_t date_key, json_t **out,
                   app_err *e);
/* The adults without level 2, by tổ dân phố then name: {id, full_name, birth_year, unit_id,
 * unit_name, vneid_level, household_id, address}. */
int vneid_worklist(store_conn *c, const scope_sql *scope, int64_t unit_id, int64_t date_key, int page, int per_page,
                   json_t **items, int64_t *total, app_err *e);

#endif

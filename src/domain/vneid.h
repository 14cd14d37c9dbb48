/* vneid.h: VNeID coverage for the police and the teams (issue 9, part 10): the residents of each tổ
 * dân phố by their level of electronic identification (mức định danh điện tử: 0 none, 1, 2), and the
 * worklist of adults without level 2. "Adult" is the registry's target group (groups.h,
 * GROUP_SQL_ADULTS: from 18 on the day, living in a household of the ward), never defined again
 * here. A resident is a live person registered in a tổ dân phố (unit kind residential_group).
 * Owns: no table; reads people.vneid_level (people.c owns it and its changes).
 * Never: counts or lists outside the caller's scope (scope.h).
 */
#ifndef HOCVUSO_VNEID_H
#define HOCVUSO_VNEID_H

#include <jansson.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"

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

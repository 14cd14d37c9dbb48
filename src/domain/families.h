/* families.h: Gia đình số — digital families (issue 9, part 3).
 * THE RULE, written once (FAMILY_LEARNED_AT_SQL below, on a day or with everything recorded; every
 * count and list of this module and the indicators use it):
 *   a household counts as a digital family when at least one of its living members (a person of the
 *   registry whose record is not deleted) has learned, that is
 *     - holds a certificate of hocvuso that is not revoked (certs.h: issued to the person, or to the
 *       account the person owns; on a past day: issued by then and not revoked by then), or
 *     - has a confirmation from outside (confirmations.h: VNeID, the national platform
 *       binhdanhocvuso.gov.vn, a course elsewhere).
 *   A revoked certificate counts for nothing; a deleted member counts for nothing; a household with
 *   no living member is in no figure at all (neither counted nor left behind).
 * Owns: no table; the rule, the counts per tổ dân phố and for the whole scope, and the list of the
 * households left behind (nobody has learned yet), for the teams.
 * Never: counts a household twice, or outside the caller's scope (scope.h); stores a result.
 */
#ifndef HOCVUSO_FAMILIES_H
#define HOCVUSO_FAMILIES_H

#include <jansson.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"

/* The person `m` (an id expression) has learned by the day k (yyyymmdd) whose first second after
 * it is e (SQL expressions: ind_sql.h's rk_.k and rk_.e for a reference date): a certificate issued
 * before e and not revoked by then, or a confirmation of k or before. */
#define FAMILY_MEMBER_LEARNED_AT_SQL(m, k, e)                                                                     \
  "(EXISTS (SELECT 1 FROM certificates fc_ WHERE fc_.person_id = " m " AND fc_.issued_at < " e                    \
  " AND (fc_.revoked_at IS NULL OR fc_.revoked_at >= " e "))"                                                     \
  " OR EXISTS (SELECT 1 FROM users fu_ JOIN certificates fcu_ ON fcu_.user_id = fu_.id WHERE fu_.person_id = " m \
  " AND fcu_.issued_at < " e " AND (fcu_.revoked_at IS NULL OR fcu_.revoked_at >= " e "))"                        \
  " OR EXISTS (SELECT 1 FROM external_confirmations fx_ WHERE fx_.person_id = " m " AND fx_.confirmed_on <= " k "))"
/* The household `h` (an id expression) counts by the day k: THE RULE. */
#define FAMILY_LEARNED_AT_SQL(h, k, e)                                                                           \
  "EXISTS (SELECT 1 FROM people fm_ WHERE fm_.household_id = " h " AND fm_.deleted_at IS NULL AND "              \
  FAMILY_MEMBER_LEARNED_AT_SQL("fm_.id", k, e) ")"
/* The same with everything recorded so far (this module's figures: the records as they are now). */
#define FAMILY_LEARNED_SQL(h) FAMILY_LEARNED_AT_SQL(h, "99991231", "9223372036854775807")
/* The household `h` has a living member: only those are in the figures. */
#define FAMILY_LIVED_IN_SQL(h) \
  "EXISTS (SELECT 1 FROM people fl_ WHERE fl_.household_id = " h " AND fl_.deleted_at IS NULL)"

/* One household by the rule: 1 counted, 0 not (or nobody lives there), -1 on error. */
int families_household_counts(store_conn *c, int64_t household_id);
/* The figures over the scope (and unit_id's subtree when not 0): {rule, households, counted,
 * not_counted, percent, by_unit: [{unit_id, name, households, counted, not_counted, percent}]}, one
 * row per tổ dân phố holding households. 404 naming unit_id. */
int families_summary(store_conn *c, const scope_sql *scope, int64_t unit_id, json_t **out, app_err *e);
/* The households nobody of which has learned, by tổ dân phố then address: {id, code, address,
 * unit_id, unit_name, members}. */
int families_left(store_conn *c, const scope_sql *scope, int64_t unit_id, int page, int per_page, json_t **items,
                  int64_t *total, app_err *e);
/* The rule in one Vietnamese sentence, for answers and pages. */
extern const char families_rule_text[];

#endif

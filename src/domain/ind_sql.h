/* ind_sql.h: how one record is classified for the indicators, as SQL expressions: the groups and
 * facts of a person, the facts of a household, on a reference date. Written once, here, and used
 * by every statement that counts or classifies (indicators.c's cubes, indlive.c's live counts,
 * the lists of those left behind), so that a live count and a recount cannot disagree by text.
 * Never: holds a statement of its own; every value is bound by the statement that uses these.
 */
#ifndef HOCVUSO_IND_SQL_H
#define HOCVUSO_IND_SQL_H

#include "domain/families.h"
#include "domain/groups.h"
#include "domain/vneid.h"

/* rk_: the date key k (yyyymmdd) and e, the first second after that day in Vietnam; two
 * parameters, bound in that order where the text puts them. */
#define IND_RK_SQL "(SELECT CAST(? AS BIGINT) AS k, CAST(? AS BIGINT) AS e) rk_"
#define IND_CERT_VALID_(alias) \
  alias ".issued_at < rk_.e AND (" alias ".revoked_at IS NULL OR " alias ".revoked_at >= rk_.e)"

/* The groups of the person `p` (groups.h's bits, and 128: lives in the ward). */
#define IND_PEOPLE_G_SQL "(" GROUP_MASK_SQL " + (CASE WHEN p.household_id IS NOT NULL THEN 128 ELSE 0 END))"

/* The facts of the person `p` on rk_ (indicators.c, people_facts: the bits). */
#define IND_PEOPLE_F_SQL                                                                                          \
  "((CASE WHEN EXISTS (SELECT 1 FROM certificates ic_ WHERE ic_.person_id = p.id AND " IND_CERT_VALID_("ic_") ")" \
  " OR EXISTS (SELECT 1 FROM users iu_ JOIN certificates icu_ ON icu_.user_id = iu_.id WHERE iu_.person_id = p.id" \
  " AND " IND_CERT_VALID_("icu_") ") THEN 1 ELSE 0 END)"                                                          \
  " + (CASE WHEN EXISTS (SELECT 1 FROM external_confirmations ix_ WHERE ix_.person_id = p.id AND ix_.kind = 'vneid'" \
  " AND ix_.confirmed_on <= rk_.k) THEN 2 ELSE 0 END)"                                                            \
  " + (CASE WHEN EXISTS (SELECT 1 FROM external_confirmations iy_ WHERE iy_.person_id = p.id AND iy_.kind <> 'vneid'" \
  " AND iy_.confirmed_on <= rk_.k) THEN 4 ELSE 0 END)"                                                            \
  " + (CASE WHEN " VNEID_LEVEL_ON_SQL " = 2 THEN 8 ELSE 0 END)"                                                        \
  " + (CASE WHEN EXISTS (SELECT 1 FROM class_enrolments ie_ WHERE ie_.person_id = p.id AND ie_.outcome = 'completed'" \
  " AND ie_.outcome_on <= rk_.k) THEN 16 ELSE 0 END)"                                                             \
  " + (CASE WHEN EXISTS (SELECT 1 FROM attempt_competence ia_ WHERE ia_.learner_person = p.id AND ia_.placement = 1" \
  " AND ia_.submitted_at < rk_.e) THEN 32 ELSE 0 END)"                                                            \
  " + (CASE WHEN EXISTS (SELECT 1 FROM attempt_competence ib_ JOIN attempt_competence ic2_"                        \
  " ON ic2_.learner_person = ib_.learner_person AND ic2_.competency_id = ib_.competency_id"                       \
  " WHERE ib_.learner_person = p.id AND ib_.placement = 1 AND ic2_.placement = 0"                                  \
  " AND ic2_.submitted_at >= ib_.submitted_at AND ic2_.submitted_at < rk_.e AND ic2_.score_tenths > ib_.score_tenths)" \
  " THEN 64 ELSE 0 END))"

/* The facts of the household `h` on rk_: 1 has a member who learned (families.h), 2 visited. */
#define IND_HOUSEHOLD_F_SQL                                                                                 \
  "((CASE WHEN " FAMILY_LEARNED_AT_SQL("h.id", "rk_.k", "rk_.e") " THEN 1 ELSE 0 END)"                                       \
  " + (CASE WHEN EXISTS (SELECT 1 FROM field_visits iv_ WHERE iv_.household_id = h.id AND iv_.visited_on <= rk_.k)" \
  " THEN 2 ELSE 0 END))"
/* The household `h` is counted at all: not deleted, somebody living there. */
#define IND_HOUSEHOLD_COUNTED_SQL "(h.deleted_at IS NULL AND " FAMILY_LIVED_IN_SQL("h.id") ")"

#endif

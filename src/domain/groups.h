/* groups.h: nhóm đối tượng — the target groups of the plan, derived from the registry, never typed.
 * Owns: the one definition of each group, as a C rule (facts → bitmask, for tests and callers that
 * hold the facts) and as an SQL predicate (for lists, filters and later the target dashboards),
 * side by side in one table so that the two cannot drift (tests/unit/test_people.c checks they
 * agree on edge cases).
 * Never: stores a group; a person's groups follow from birth date, residence and memberships on
 * the reference date.
 *
 * Age rule: a person's birthday is the stored date; a birth date known by its year alone counts as
 * 1 January of that year (and a month without a day as the 1st), i.e. a person born "1966" is 60
 * from 1 January 2026. Vietnamese lists often count age by year of birth ("tuổi tính theo năm
 * sinh"), and the same rule holds in C and SQL. A birthday of 29 February counts from 1 March in a
 * year without one. Dates compare as keys yyyymmdd: age >= n on date D iff birth_key <= D - n*10000.
 */
#ifndef HOCVUSO_GROUPS_H
#define HOCVUSO_GROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "store/store.h"

enum {
  GROUP_PUBLIC_STAFF = 1 << 0,       /* cán bộ, công chức, viên chức */
  GROUP_STUDENTS_PRIMARY = 1 << 1,   /* học sinh tiểu học (lớp 1–5) */
  GROUP_STUDENTS_SECONDARY = 1 << 2, /* học sinh trung học (lớp 6–12) */
  GROUP_ADULTS = 1 << 3,             /* người dân từ 18 tuổi, cư trú trên địa bàn */
  GROUP_ELDERLY = 1 << 4,            /* người cao tuổi (từ 60), cư trú trên địa bàn */
  GROUP_WORKERS = 1 << 5,            /* người lao động tại doanh nghiệp, hợp tác xã */
  GROUP_TRADERS = 1 << 6,            /* tiểu thương tại chợ */
};
#define GROUP_COUNT 7

/* The unit kinds whose staff are public-sector staff (and the ward or commune itself). */
#define GROUP_STAFF_UNIT_KINDS                                                                      \
  "'office', 'service_center', 'public_center', 'police', 'school_kindergarten', 'school_primary',"  \
  " 'school_lower_secondary', 'school_upper_secondary', 'mass_organisation', 'ward', 'commune'"

/* The SQL predicates. They read the person as `p` (a row of people) and the reference date key
 * yyyymmdd as `rk_.k` (the statement joins `(SELECT CAST(? AS BIGINT) AS k) rk_`). */
#define GROUP_BIRTH_KEY_SQL "(p.birth_year * 10000 + COALESCE(p.birth_month, 1) * 100 + COALESCE(p.birth_day, 1))"
#define GROUP_MEMBER_SQL_(cond)                                                                     \
  "EXISTS (SELECT 1 FROM memberships gm_ JOIN units gu_ ON gu_.id = gm_.unit_id WHERE gm_.person_id = p.id" \
  " AND " cond ")"
#define GROUP_SQL_PUBLIC_STAFF GROUP_MEMBER_SQL_("gm_.kind = 'staff' AND gu_.kind IN (" GROUP_STAFF_UNIT_KINDS ")")
#define GROUP_SQL_STUDENTS_PRIMARY GROUP_MEMBER_SQL_("gm_.kind = 'student' AND gm_.grade BETWEEN 1 AND 5")
#define GROUP_SQL_STUDENTS_SECONDARY GROUP_MEMBER_SQL_("gm_.kind = 'student' AND gm_.grade BETWEEN 6 AND 12")
#define GROUP_SQL_ADULTS \
  "(p.household_id IS NOT NULL AND p.birth_year IS NOT NULL AND " GROUP_BIRTH_KEY_SQL " <= rk_.k - 180000)"
#define GROUP_SQL_ELDERLY \
  "(p.household_id IS NOT NULL AND p.birth_year IS NOT NULL AND " GROUP_BIRTH_KEY_SQL " <= rk_.k - 600000)"
#define GROUP_SQL_WORKERS GROUP_MEMBER_SQL_("gm_.kind = 'worker' AND gu_.kind IN ('enterprise', 'cooperative')")
#define GROUP_SQL_TRADERS GROUP_MEMBER_SQL_("gm_.kind = 'trader' AND gu_.kind = 'market'")

/* Every group's bit for the row `p`, as one integer expression. The groups read from the person's
 * memberships (GROUP_MEMBER_SQL_) are tested only when the person has a membership at all: one
 * index probe for most residents instead of five (at a million people, half the cost of a page of
 * 50). Each of them implies that probe, so the mask is the same; a group that is not read from
 * memberships belongs in GROUP_MASK_PERSON_. */
#define GROUP_CASE_(pred, bit) "(CASE WHEN " pred " THEN " #bit " ELSE 0 END)"
/* The groups that rest on memberships are tested only for a person who has one (one index probe
 * instead of five for most residents, who have none): each of them needs a membership row, so the
 * mask is the same either way. */
#define GROUP_MASK_PERSON_ "(" GROUP_CASE_(GROUP_SQL_ADULTS, 8) " + " GROUP_CASE_(GROUP_SQL_ELDERLY, 16) ")"
#define GROUP_MASK_MEMBER_                                                                                       \
  "(" GROUP_CASE_(GROUP_SQL_PUBLIC_STAFF, 1) " + " GROUP_CASE_(GROUP_SQL_STUDENTS_PRIMARY, 2) " + "               \
  GROUP_CASE_(GROUP_SQL_STUDENTS_SECONDARY, 4) " + " GROUP_CASE_(GROUP_SQL_WORKERS, 32) " + "                     \
  GROUP_CASE_(GROUP_SQL_TRADERS, 64) ")"
#define GROUP_MASK_SQL                                                                                           \
  "(" GROUP_MASK_PERSON_ " + (CASE WHEN EXISTS (SELECT 1 FROM memberships gx_ WHERE gx_.person_id = p.id) THEN " \
  GROUP_MASK_MEMBER_ " ELSE 0 END))"

typedef struct group_def {
  int bit;
  const char *code;  /* "public_staff" */
  const char *label; /* Vietnamese */
  const char *sql;   /* its predicate (above) */
} group_def;
extern const group_def group_defs[GROUP_COUNT];
/* The group of that code, or NULL. */
const group_def *group_find(const char *code);

/* What the C rule needs to know of a person. */
typedef struct group_membership {
  const char *kind;      /* staff | student | worker | trader */
  const char *unit_kind; /* the kind of the unit */
  int grade;             /* 0: none */
} group_membership;
typedef struct group_facts {
  int birth_year, birth_month, birth_day; /* 0: unknown */
  bool resident;                          /* has a household in the ward */
  const group_membership *memberships;
  int nmemberships;
} group_facts;

/* The date key yyyymmdd of an epoch time (UTC+7, the date in Vietnam). */
int64_t groups_date_key(int64_t epoch);
/* The person's age in whole years on `ref_key` (yyyymmdd) by the rule above; -1 when unknown. */
int groups_age(int birth_year, int birth_month, int birth_day, int64_t ref_key);
/* The groups (bitmask) of a person on `ref_key`. */
int groups_of(const group_facts *f, int64_t ref_key);
/* The groups of the stored person `person_id` on `ref_key`, by the SQL predicates; -1 on error. */
int groups_of_stored(store_conn *c, int64_t person_id, int64_t ref_key);
/* Appends the codes of `mask` to a JSON array (jansson), for answers. */
struct json_t;
int groups_json_append(struct json_t *array, int mask);
/* Writes the codes of `mask` as a JSON array ("[\"adults\",…]") into b, for lists written
 * straight into the reply. */
#include "util/buf.h"
void groups_write(buf *b, int mask);

#endif

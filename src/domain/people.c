/* people.c: people and the words of their names (see people.h). Only this file writes SQL about
 * people and person_words (households.c owns households, memberships.c memberships and the
 * account a person owns). It reads unit_people and registry_rev (migration 25, SQLite), which only
 * triggers write, and keeps a tổ's first pages in memory under them. */
#include "domain/people.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/confirmations.h" /* the date parser of lists */
#include "domain/groups.h"
#include "domain/person.h"
#include "domain/requests.h"
#include "domain/vneid.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/jsonx.h"

/* ---- statements ---- */
STORE_SQL(q_insert, "INSERT INTO people (full_name, name_key, birth_year, birth_month, birth_day, sex, cccd_enc,"
                    " cccd_hash, phone, household_id, relation, vneid_level, unit_id, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_self, "SELECT full_name, birth_year, birth_month, birth_day, sex, cccd_enc, household_id, unit_id, name_key,"
                  " vneid_level"
                  " FROM people WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_update, "UPDATE people SET full_name = ?, name_key = ?, birth_year = ?, birth_month = ?, birth_day = ?,"
                    " sex = ?, cccd_enc = CASE WHEN ? = 1 THEN ? ELSE cccd_enc END,"
                    " cccd_hash = CASE WHEN ? = 1 THEN ? ELSE cccd_hash END,"
                    " phone = CASE WHEN ? = 1 THEN ? ELSE phone END, household_id = ?,"
                    " relation = CASE WHEN ? = 1 THEN ? ELSE relation END,"
                    " vneid_level = COALESCE(?, vneid_level), unit_id = ?, updated_at = ?"
                    " WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_by_hash, "SELECT id FROM people WHERE " PEOPLE_CCCD_IS("cccd_hash") " AND deleted_at IS NULL AND id <> ?");
/* A person's terms are found by their key (person_words has no index by person: migration 33). */
STORE_SQL(q_word_del, "DELETE FROM person_words WHERE word = ? AND name_key = ? AND person_id = ?");
STORE_SQL(q_word_add, "INSERT INTO person_words (word, name_key, person_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
STORE_SQL(q_delete, "UPDATE people SET deleted_at = ?, purge_after = ?, updated_at = ?"
                    " WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_unlink_deleted, "UPDATE users SET person_id = NULL WHERE person_id = ?");
STORE_SQL(q_reach, "SELECT p.unit_id, u.path FROM people p JOIN units u ON u.id = p.unit_id"
                   " WHERE p.id = ? AND p.deleted_at IS NULL");
STORE_SQL(q_reach_members, "SELECT u.path FROM memberships m JOIN units u ON u.id = m.unit_id WHERE m.person_id = ?");
STORE_SQL(q_household_of, "SELECT unit_id FROM households WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_get, "SELECT p.id, p.full_name, p.birth_year, p.birth_month, p.birth_day, p.sex, p.phone, p.unit_id,"
                 " u.name, p.household_id, p.vneid_level, " GROUP_MASK_SQL ", p.cccd_enc, p.relation, h.code,"
                 " h.address, h.unit_id, u.kind, " REQUESTS_RESTRICTED_SQL("p.id")
                 " FROM people p JOIN units u ON u.id = p.unit_id LEFT JOIN households h ON h.id = p.household_id,"
                 " (SELECT CAST(? AS BIGINT) AS k) rk_ WHERE p.id = ? AND p.deleted_at IS NULL");
STORE_SQL(q_members, "SELECT m.id, m.unit_id, u.name, u.kind, m.kind, m.grade FROM memberships m"
                     " JOIN units u ON u.id = m.unit_id WHERE m.person_id = ? ORDER BY m.id");

/* The list: one statement per way of reading q, each with its count, built from one filter.
 * Scope: the registering unit, or a membership's unit, lies under a grant carrying the capability.
 * The units in scope are listed first (su_, a few hundred at most), so that the people are found
 * through people(unit_id, …) and memberships(unit_id, …) — one OR of two index lookups — rather
 * than by testing every person's unit path. The unit filter works the same way (uf_).
 * Filters whose parameter is NULL (or 0 for the group mask) are off. Ages compare birth keys
 * (groups.h): age >= n iff key <= ref - n*10000. */
#define PEOPLE_CTE                                                                                  \
  SCOPE_WITH ", su_(id) AS MATERIALIZED (SELECT DISTINCT u.id FROM sc_ CROSS JOIN units u"            \
             " WHERE u.path >= sc_.lo AND u.path < sc_.hi),"                                              \
             " uf_(id) AS MATERIALIZED (SELECT u.id FROM units u WHERE u.path >= ? AND u.path < ?) "
#define PEOPLE_SCOPE_NARROW                                                                         \
  "(p.unit_id IN (SELECT id FROM su_) OR p.id IN (SELECT sm_.person_id FROM memberships sm_"        \
  " WHERE sm_.unit_id IN (SELECT id FROM su_)))"
/* A broad scope (a ward or more: most people qualify) is better served the other way round: the
 * people in name order (people_name), each tested against the units in scope, until the page is
 * full. The same predicate, written so that the planner does not turn it into index lookups. */
#define PEOPLE_SCOPE_BROAD                                                                          \
  "(p.unit_id IN (SELECT id FROM su_) OR EXISTS (SELECT 1 FROM memberships sm_"                     \
  " WHERE sm_.person_id = p.id AND sm_.unit_id IN (SELECT id FROM su_)))"
#define PEOPLE_FILTER                                                                                          \
  " AND (CAST(? AS TEXT) IS NULL OR p.unit_id IN (SELECT id FROM uf_) OR p.id IN (SELECT fm_.person_id"        \
  " FROM memberships fm_ WHERE fm_.unit_id IN (SELECT id FROM uf_)))"                                          \
  " AND (CAST(? AS BIGINT) = 0 OR (" GROUP_MASK_SQL " & CAST(? AS BIGINT)) <> 0)"                              \
  " AND (CAST(? AS BIGINT) IS NULL OR (p.birth_year IS NOT NULL AND " GROUP_BIRTH_KEY_SQL " <= ?))"            \
  " AND (CAST(? AS BIGINT) IS NULL OR (p.birth_year IS NOT NULL AND " GROUP_BIRTH_KEY_SQL " > ?))"             \
  " AND (CAST(? AS TEXT) IS NULL OR p.sex = ?)"                                                                \
  " AND (CAST(? AS BIGINT) IS NULL OR p.vneid_level = ?)"                                                      \
  " AND (CAST(? AS BIGINT) IS NULL OR p.household_id = ?)"
/* A name search: every query word (up to PEOPLE_NAME_WORDS) is the start of a word of the folded name.
 * The longest one drives the statement (a range scan of person_words' primary key); every query
 * word is checked per candidate on its folded name (PEOPLE_NAME_PATS; person_words has no index by
 * person since migration 33, and the patterns said the same). */
/* A query word (people_name_q.words) and U+FFFF after it: a prefix range's upper bound. */
#define PEOPLE_WORD_HI (sizeof ((people_name_q *)0)->words[0] + 3)
#define MODE_NAME                                                                                            \
  "p.id IN (SELECT w0_.person_id FROM person_words w0_ WHERE w0_.word >= ? AND w0_.word < ?)"                  \
      PEOPLE_NAME_PATS("p.name_key")
/* The same when the driving word is rare: its names first (a range of person_words), then sorted. */
#define NAME_FROM                                                                                             \
  " FROM (SELECT DISTINCT w0_.person_id AS id FROM person_words w0_ WHERE w0_.word >= ? AND w0_.word < ?) ns_"  \
  " CROSS JOIN people p"
#define MODE_NAME_REST "1 = 1" PEOPLE_NAME_PATS("p.name_key")
#define LIST_FROM_NAME LIST_FROM_OF(NAME_FROM, "p.id = ns_.id AND ", PEOPLE_SCOPE_BROAD, MODE_NAME_REST)
/* Rare: at most this many names carry the driving word (else the name order is walked). */
#define NAME_DRIVE_MAX 20000
#define MODE_ALL "1 = 1"
#define MODE_PHONE "p.phone = ?"
#define MODE_CCCD PEOPLE_CCCD_IS("p.cccd_hash")
#define LIST_FROM(scope, mode) LIST_FROM_OF(" FROM people p", "", scope, mode)
#define LIST_FROM_OF(from, join, scope, mode)                                                                 \
  from ", (SELECT CAST(? AS BIGINT) AS k) rk_"                                                                \
  " WHERE " join "p.deleted_at IS NULL AND " scope " AND " mode PEOPLE_FILTER
/* A narrow list (a tổ officer's, or anyone's filtered to one unit) starts from the few people
 * registered in or members of the units it names (the filter's subtree when given, else the
 * scope's), through people(unit_id) and memberships(unit_id), then sorts them; the scope and the
 * filter are still tested on each. CROSS JOIN keeps SQLite from walking every person in name
 * order instead (measured at 1,000,000 people: 4 s → 2 ms for a tổ of 700). */
#define NARROW_UNITS "(SELECT id FROM uf_ UNION ALL SELECT id FROM su_ WHERE NOT EXISTS (SELECT 1 FROM uf_))"
#define NARROW_FROM                                                                                           \
  " FROM (SELECT id FROM people WHERE unit_id IN " NARROW_UNITS " AND deleted_at IS NULL"                    \
  " UNION SELECT person_id FROM memberships WHERE unit_id IN " NARROW_UNITS ") ns_ CROSS JOIN people p"
#define LIST_FROM_NARROW(mode) LIST_FROM_OF(NARROW_FROM, "p.id = ns_.id AND ", PEOPLE_SCOPE_NARROW, mode)
/* The page is chosen first; the groups and unit names are computed for its rows only. */
#define LIST_SQL(scope, mode) LIST_SQL_OF(LIST_FROM(scope, mode))
#define LIST_SQL_OF(from)                                                                                     \
  PEOPLE_CTE "SELECT p.id, p.full_name, p.birth_year, p.birth_month, p.birth_day, p.sex, p.phone, p.unit_id,"  \
             " u.name, p.household_id, p.vneid_level, " GROUP_MASK_SQL ", " REQUESTS_RESTRICTED_SQL("p.id")     \
             " FROM (SELECT p.id AS pid_, p.name_key AS sk_" from " ORDER BY p.name_key, p.id LIMIT ? OFFSET ?) pg_" \
             " CROSS JOIN people p CROSS JOIN units u CROSS JOIN (SELECT CAST(? AS BIGINT) AS k) rk_"             \
             " WHERE p.id = pg_.pid_ AND u.id = p.unit_id ORDER BY pg_.sk_, pg_.pid_"
/* Counted up to PEOPLE_COUNT_CAP + 1 rows: past that the caller says "more than" (a count of a
 * whole ward costs a walk of every person). */
#define COUNT_SQL(scope, mode) COUNT_SQL_OF(LIST_FROM(scope, mode))
#define COUNT_SQL_OF(from) PEOPLE_CTE "SELECT COUNT(*) FROM (SELECT 1" from " LIMIT ?) n_"
STORE_SQL(q_list_all, LIST_SQL_OF(LIST_FROM_NARROW(MODE_ALL)));
STORE_SQL(q_count_all, COUNT_SQL_OF(LIST_FROM_NARROW(MODE_ALL)));
STORE_SQL(q_list_all_b, LIST_SQL(PEOPLE_SCOPE_BROAD, MODE_ALL));
STORE_SQL(q_count_all_b, COUNT_SQL(PEOPLE_SCOPE_BROAD, MODE_ALL));
/* A search by name, phone or CCCD is narrow by what it looks for, whatever the scope. */
STORE_SQL_PER_CALL(q_list_name, LIST_SQL(PEOPLE_SCOPE_BROAD, MODE_NAME));
STORE_SQL_PER_CALL(q_count_name, COUNT_SQL(PEOPLE_SCOPE_BROAD, MODE_NAME));
STORE_SQL_PER_CALL(q_list_name_d, LIST_SQL_OF(LIST_FROM_NAME));
STORE_SQL_PER_CALL(q_count_name_d, COUNT_SQL_OF(LIST_FROM_NAME));
STORE_SQL(q_list_phone, LIST_SQL(PEOPLE_SCOPE_BROAD, MODE_PHONE));
STORE_SQL(q_count_phone, COUNT_SQL(PEOPLE_SCOPE_BROAD, MODE_PHONE));
STORE_SQL(q_list_cccd, LIST_SQL(PEOPLE_SCOPE_BROAD, MODE_CCCD));
STORE_SQL(q_count_cccd, COUNT_SQL(PEOPLE_SCOPE_BROAD, MODE_CCCD));
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");
/* A narrow list whose units hold people in one unit only, and no members (a tổ officer's own tổ,
 * with its teams: the page opened most): that unit's people read in name order from people(unit_id, deleted_at, name_key, id), no
 * sort; the scope and the filter are still tested on each. */
#define ONE_FROM(mode)                                                                                         \
  " FROM people p CROSS JOIN (SELECT CAST(? AS BIGINT) AS k) rk_ WHERE p.unit_id = ? AND p.deleted_at IS NULL" \
  " AND " PEOPLE_SCOPE_NARROW " AND " mode PEOPLE_FILTER
STORE_SQL(q_list_one, LIST_SQL_OF(ONE_FROM(MODE_ALL)));
STORE_SQL(q_count_one, COUNT_SQL_OF(ONE_FROM(MODE_ALL)));
/* The units a narrow list starts from: how many have people registered (up to 2), the first of
 * them, and whether any has members. */
STORE_SQL(q_narrow_units, PEOPLE_CTE ", n_(id) AS (SELECT id FROM uf_ UNION ALL SELECT id FROM su_"
                                     " WHERE NOT EXISTS (SELECT 1 FROM uf_))"
                                     ", h_(id) AS (SELECT id FROM n_ WHERE EXISTS (SELECT 1 FROM people"
                                     " WHERE unit_id = n_.id AND deleted_at IS NULL))"
                                     " SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM h_ LIMIT 2) k_), (SELECT MIN(id) FROM h_),"
                                     " EXISTS (SELECT 1 FROM memberships WHERE unit_id IN (SELECT id FROM n_)),"
                                     " (SELECT MIN(id) FROM h_) IN (SELECT id FROM su_)");
/* The same for a scope of one subtree [lo, hi) (people_query.root), without the grants read in
 * SQL: every unit of the range is in scope. */
STORE_SQL(q_root_units, "WITH h_(id) AS (SELECT u.id FROM units u WHERE u.path >= ? AND u.path < ? AND EXISTS"
                        " (SELECT 1 FROM people WHERE unit_id = u.id AND deleted_at IS NULL))"
                        " SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM h_ LIMIT 2) k_), (SELECT MIN(id) FROM h_),"
                        " EXISTS (SELECT 1 FROM units u JOIN memberships m ON m.unit_id = u.id"
                        " WHERE u.path >= ? AND u.path < ?), 1");
/* The same list when that one unit is itself in scope and no filter is on: every live person
 * registered there is in the list, so nothing is tested per person (the page a tổ officer opens
 * most). Its count is the unit's stored number of live people on SQLite (unit_people, migration
 * 25: kept by triggers on people in the transaction of every write, so no path can forget it); on
 * PostgreSQL, counted from people(unit_id, deleted_at, …) up to the cap. The page walks that index
 * in name order from the unit's one row (no sort, no coroutine); each row says whether the person
 * has a membership at all, and only those few have their memberships read (q_unit_member_facts):
 * the groups are the C rule of groups.c over those facts (the same rule GROUP_MASK_SQL states; a
 * test holds them equal), not GROUP_MASK_SQL's five EXISTS per member (at a million people, half
 * the page's SQL). On SQLite the count's statement also reads the unit's page revision and the
 * registry's (migration 25), and a page built in the same read transaction is kept in memory under
 * them (unit_page_cache below). */
STORE_SQL2(q_count_unit,
           "SELECT MIN(COALESCE(c.live, 0), x.cap), c.rev, r.rev FROM (SELECT CAST(? AS BIGINT) AS uid,"
           " CAST(? AS BIGINT) AS cap) x CROSS JOIN registry_rev r LEFT JOIN unit_people c ON c.unit_id = x.uid"
           " WHERE r.id = 1",
           "SELECT COUNT(*), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT) FROM (SELECT 1 FROM people WHERE unit_id = ?"
           " AND deleted_at IS NULL LIMIT ?) n_");
STORE_SQL(q_list_unit, "SELECT p.id, p.full_name, p.birth_year, p.birth_month, p.birth_day, p.sex, p.phone, p.unit_id,"
                       " u.name, p.household_id, p.vneid_level,"
                       " EXISTS (SELECT 1 FROM memberships gx_ WHERE gx_.person_id = p.id), " REQUESTS_RESTRICTED_SQL("p.id")
                       " FROM units u CROSS JOIN people p WHERE u.id = ? AND p.unit_id = u.id AND p.deleted_at IS NULL"
                       " ORDER BY p.name_key, p.id LIMIT ? OFFSET ?");
STORE_SQL(q_unit_member_facts, "SELECT m.kind, m.grade, u.kind FROM memberships m JOIN units u ON u.id = m.unit_id"
                               " WHERE m.person_id = ?");

/* A lower bound of a broad list's count without filters: the live people registered in the units
 * in scope, read from people(unit_id, deleted_at, …) alone, up to the cap. Past the cap the list
 * says "more than" without walking each person's scope (a ward admin's page). */
STORE_SQL(q_count_floor, PEOPLE_CTE "SELECT COUNT(*) FROM (SELECT 1 FROM su_ CROSS JOIN people p"
                                    " WHERE p.unit_id = su_.id AND p.deleted_at IS NULL LIMIT ?) n_");

/* The term plan of a name search (a ward or more in scope, at least one whole query word): the
 * names of the rarest term (a word, or a pair of the query's words), read in name order from
 * person_words' key (term, name, person), each checked against every query word, the scope and
 * the filters, until the page is full: no sort, and a count that stops at its cap. */
/* The scope is not tested when the parameter after the term is 1 (people_name_q.scope_all). */
#define TERM_FROM                                                                                        \
  " FROM person_words t_ CROSS JOIN people p CROSS JOIN (SELECT CAST(? AS BIGINT) AS k) rk_ WHERE t_.word = ?" \
  " AND p.id = t_.person_id AND p.deleted_at IS NULL AND (CAST(? AS BIGINT) = 1 OR " PEOPLE_SCOPE_BROAD ")"     \
      PEOPLE_NAME_PATS("t_.name_key") PEOPLE_FILTER
STORE_SQL_PER_CALL(q_list_term,
          PEOPLE_CTE "SELECT p.id, p.full_name, p.birth_year, p.birth_month, p.birth_day, p.sex, p.phone, p.unit_id,"
                     " u.name, p.household_id, p.vneid_level, " GROUP_MASK_SQL ", " REQUESTS_RESTRICTED_SQL("p.id")
                     " FROM (SELECT p.*, t_.name_key AS sk_" TERM_FROM " ORDER BY t_.name_key, t_.person_id"
                     " LIMIT ? OFFSET ?) p JOIN units u ON u.id = p.unit_id, (SELECT CAST(? AS BIGINT) AS k) rk_"
                     " ORDER BY p.sk_, p.id");
STORE_SQL_PER_CALL(q_count_term, PEOPLE_CTE "SELECT COUNT(*) FROM (SELECT 1" TERM_FROM " LIMIT ?) n_");
/* The same page when every live person is in scope and no filter is on (q_count_term_all has
 * counted it): the page's names are chosen from the term's entries alone, no person looked up but
 * the page's, and read from the first match's name on (the second parameter, found by the count),
 * not from the term's first name: the names of a pair term that match a third word are not spread
 * evenly ("~hong thi" holds every family name before "nguyen thi hong"). Both statements are
 * prepared once: their plan, a range of person_words' key, is the same for every value (PostgreSQL
 * took 3–7 ms to plan the page for each call). Each row's unit is still checked against the scope:
 * PostgreSQL reads each statement at its own moment, and someone registered outside the scope
 * since q_scope_all was read is left out, never shown. */
STORE_SQL(q_list_term_all,
          SCOPE_WITH "SELECT p.id, p.full_name, p.birth_year, p.birth_month, p.birth_day, p.sex, p.phone, p.unit_id,"
          " u.name, p.household_id, p.vneid_level, " GROUP_MASK_SQL ", " REQUESTS_RESTRICTED_SQL("p.id")
          " FROM (SELECT t_.name_key AS sk_, t_.person_id AS pid_ FROM person_words t_ WHERE t_.word = ?"
          " AND t_.name_key >= ?" PEOPLE_NAME_PATS("t_.name_key") " ORDER BY t_.name_key, t_.person_id"
          " LIMIT ? OFFSET ?) pg_ CROSS JOIN people p CROSS JOIN units u CROSS JOIN"
          " (SELECT CAST(? AS BIGINT) AS k) rk_ WHERE p.id = pg_.pid_ AND p.deleted_at IS NULL"
          " AND u.id = p.unit_id AND " SCOPE_IN("u.path") " ORDER BY pg_.sk_, pg_.pid_");
/* A ward-wide search's count when every live person is in scope (people_name_q.scope_all) and no
 * filter is on: person_words holds live people only, so the count is read from the term's entries
 * alone, no person looked up; and the first match's name, where the page starts (q_list_term_all). */
STORE_SQL(q_count_term_all, "SELECT COUNT(*), MIN(k_.k) FROM (SELECT t_.name_key AS k FROM person_words t_"
                            " WHERE t_.word = ?" PEOPLE_NAME_PATS("t_.name_key") " ORDER BY t_.name_key LIMIT ?) k_");
/* Whether every live person is registered in a unit of the scope (people_name_q.scope_all): no
 * unit outside it has one. The units outside a scope lie before its first range or after the end
 * of its first-ending one (for one grant, exactly those: two ranges of units(path)). An empty
 * scope holds no one. */
STORE_SQL(q_scope_all, SCOPE_WITH "SELECT CASE WHEN EXISTS (SELECT 1 FROM sc_) AND NOT EXISTS (SELECT 1 FROM units o_"
                       " WHERE (o_.path < (SELECT MIN(lo) FROM sc_) OR o_.path >= (SELECT MIN(hi) FROM sc_))"
                       " AND NOT " SCOPE_IN("o_.path") " AND EXISTS (SELECT 1 FROM people x_ WHERE x_.unit_id = o_.id"
                       " AND x_.deleted_at IS NULL)) THEN 1 ELSE 0 END");
/* A name search in a narrow list (a tổ officer's, or filtered to a unit): the people of its units,
 * their folded names checked against every query word. */
#define MODE_PATS "1 = 1" PEOPLE_NAME_PATS("p.name_key")
STORE_SQL_PER_CALL(q_list_pats, LIST_SQL_OF(LIST_FROM_NARROW(MODE_PATS)));
STORE_SQL_PER_CALL(q_count_pats, COUNT_SQL_OF(LIST_FROM_NARROW(MODE_PATS)));
/* Whether the name of a live person in the caller's scope carries the word: a word is whole
 * among the names the caller may see (neither a deleted record nor a namesake out of scope
 * changes what they find, nor tells them it exists). */
STORE_SQL(q_term_has, SCOPE_WITH "SELECT 1 FROM person_words w_ JOIN people p ON p.id = w_.person_id"
                      " JOIN units u ON u.id = p.unit_id WHERE w_.word = ? AND p.deleted_at IS NULL AND ("
                      SCOPE_IN("u.path") " OR EXISTS (SELECT 1 FROM memberships sm_ JOIN units smu_ ON"
                      " smu_.id = sm_.unit_id WHERE sm_.person_id = p.id AND " SCOPE_IN("smu_.path") ")) LIMIT 1");
/* The same for a narrow scope (a tổ officer's): among the people of its units, who are few, rather
 * than among every name carrying the word, who may be many and all elsewhere. */
STORE_SQL(q_term_has_narrow, PEOPLE_CTE "SELECT 1" NARROW_FROM " WHERE p.id = ns_.id AND p.deleted_at IS NULL"
                                        " AND (' ' || p.name_key || ' ') LIKE ? ESCAPE '\\' LIMIT 1");
/* Whether any name carries the term (the long-name mark; a whole word when every live person is
 * in scope). */
STORE_SQL(q_term_any, "SELECT 1 FROM person_words WHERE word = ? LIMIT 1");
STORE_SQL(q_term_n, "SELECT COUNT(*) FROM (SELECT 1 FROM person_words WHERE word = ? LIMIT ?) n_");
/* Terms are compared by their names counted up to this: a rarer one drives the search. Past it
 * the pair first counted drives (choose_term): a larger cap costs more in counting (0.1 µs a
 * name) than a better choice saves in the count and the page (measured on the 200 full names of
 * the benchmark's queries at 1M: 5,000 → 500 saves about 0.15 ms a search; BENCHMARKS.md). */
#define TERM_COUNT_CAP 500

/* How many names have a word starting with w, counted up to a cap: the rarest word drives. */
STORE_SQL(q_word_n, "SELECT COUNT(*) FROM (SELECT 1 FROM person_words WHERE word >= ? AND word < ? LIMIT ?) n_");
#define WORD_COUNT_CAP 100000

/* ---- pure helpers: adapters over person.c, which holds the rules ---- */
static bool all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return n > 0;
}

int people_parse_birth(const char *s, int64_t today_key, int *y, int *m, int *d, const char **why) {
  pdate p;
  /* person.c words its message in a buffer; ours must outlive the call, so the reason is one of
   * these fixed sentences. */
  if (pdate_parse(s, &p, NULL, 0) != 0) {
    *why = "Ngày sinh không hợp lệ: hãy ghi dd/mm/yyyy, yyyy-mm-dd hoặc chỉ năm sinh (yyyy), từ năm 1900.";
    return -1;
  }
  pdate today = {(int)(today_key / 10000), (int)(today_key / 100 % 100), (int)(today_key % 100)};
  if (pdate_future(&p, &today)) {
    *why = "Ngày sinh không được ở tương lai.";
    return -1;
  }
  *y = p.year;
  *m = p.month;
  *d = p.day;
  return 0;
}

char people_parse_sex(const char *s) { return s ? (char)person_sex_parse(s) : 0; }

int people_phone_normalise(const char *s, char *out, size_t outlen) { return phone_normalise(s, out, outlen); }

int people_cccd_check(const char *s, int birth_year, char sex, char out[13], const char **why) {
  pdate birth = {birth_year, 0, 0};
  switch (cccd_check(s, birth_year ? &birth : NULL, sex, NULL, 0)) {
    case CCCD_OK:
    case CCCD_UNKNOWN_PROVINCE: /* a warning only: a birth registered abroad carries a country code */
      return cccd_normalise(s, out) == 0 ? 0 : -1;
    case CCCD_BAD_FORMAT: *why = "Số CCCD phải gồm đúng 12 chữ số."; break;
    case CCCD_CENTURY_MISMATCH:
      *why = "Số CCCD không khớp với năm sinh (chữ số thứ 4 chỉ thế kỷ sinh).";
      break;
    case CCCD_SEX_MISMATCH: *why = "Số CCCD không khớp với giới tính (chữ số thứ 4 chỉ giới tính)."; break;
    case CCCD_YEAR_MISMATCH:
      *why = "Số CCCD không khớp với năm sinh (chữ số thứ 5–6 là hai số cuối của năm sinh).";
      break;
  }
  return -1;
}

void people_cccd_mask(const char digits[13], char out[13]) {
  memcpy(out, digits, 12);
  for (int i = 4; i < 9; i++) out[i] = '*';
  out[12] = '\0';
}

void people_cccd_hash(const secrets *keys, const char *digits, char out[65]) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)digits, strlen(digits), keys->lookup_key,
                     sizeof keys->lookup_key);
  sodium_bin2hex(out, 65, h, sizeof h);
}

/* A fresh random nonce from a per-thread pool refilled 64 at a time: a million-row import sealed
 * a million CCCDs with a million getrandom() calls (a nonce is public: it is stored in the box). */
enum { NONCE_POOL = 64 };
static void seal_nonce(unsigned char out[crypto_secretbox_NONCEBYTES]) {
  static _Thread_local unsigned char pool[NONCE_POOL * crypto_secretbox_NONCEBYTES];
  static _Thread_local unsigned left;
  if (left == 0) {
    randombytes_buf(pool, sizeof pool);
    left = NONCE_POOL;
  }
  left--;
  memcpy(out, pool + (size_t)left * crypto_secretbox_NONCEBYTES, crypto_secretbox_NONCEBYTES);
  sodium_memzero(pool + (size_t)left * crypto_secretbox_NONCEBYTES, crypto_secretbox_NONCEBYTES);
}

char *people_cccd_seal(const secrets *keys, const char *digits) {
  size_t n = strlen(digits);
  unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 16];
  if (n > 16) return NULL;
  seal_nonce(box);
  if (crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)digits, n, box,
                            keys->data_key) != 0)
    return NULL;
  size_t len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
  char *hex = malloc(len * 2 + 1);
  if (hex) sodium_bin2hex(hex, len * 2 + 1, box, len);
  sodium_memzero(box, sizeof box);
  return hex;
}

int people_cccd_open(const secrets *keys, const char *sealed_hex, char out[13]) {
  unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 12];
  size_t len = 0;
  if (!sealed_hex || sodium_hex2bin(box, sizeof box, sealed_hex, strlen(sealed_hex), NULL, &len, NULL) != 0 ||
      len != sizeof box)
    return -1;
  if (crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, box, keys->data_key) != 0)
    return -1;
  out[12] = '\0';
  return all_digits(out, 12) ? 0 : -1;
}

/* ---- records ---- */
static int step_done(store_stmt *s) {
  int rc = store_step(s);
  store_reset(s);
  return rc;
}

/* Replaces the person's name terms by the terms of `key` (folded, space-separated). */
typedef struct term_ctx {
  store_stmt *s;
  const char *key;
  int64_t id;
  bool failed;
} term_ctx;

static void term_write(const char *term, size_t len, void *ctx) {
  term_ctx *t = ctx;
  if (t->failed) return;
  store_bind_textn(t->s, 1, term, len);
  store_bind_text(t->s, 2, t->key);
  store_bind_int(t->s, 3, t->id);
  if (step_done(t->s) != STORE_DONE) t->failed = true;
}

int people_words_drop(store_conn *w, int64_t id, const char *key) {
  term_ctx t = {.s = store_prepare(w, &q_word_del), .key = key, .id = id};
  if (!t.s) return -1;
  if (people_name_terms_any(key, term_write, &t) != 0) return -1;
  return t.failed ? -1 : 0;
}

/* The terms of `key` for person id; `old_key`: the name it was indexed under (NULL: none). */
static int words_set(store_conn *w, int64_t id, const char *old_key, const char *key) {
  if (old_key && people_words_drop(w, id, old_key) != 0) return -1;
  term_ctx t = {.s = store_prepare(w, &q_word_add), .key = key, .id = id};
  if (!t.s) return -1;
  if (people_name_terms(key, term_write, &t) != 0) return -1;
  return t.failed ? -1 : 0;
}

/* The person as stored, for an update. */
typedef struct person_self {
  char name[512];
  char key[1024]; /* the folded name its terms were made from */
  int y, m, d;
  char sex;
  char cccd_enc[160]; /* "" when none */
  int64_t household_id, unit_id;
  int vneid;
} person_self;

static int read_self(store_conn *w, int64_t id, person_self *p, app_err *e) {
  store_stmt *s = store_prepare(w, &q_self);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    snprintf(p->name, sizeof p->name, "%s", store_col_text(s, 0));
    p->y = store_col_is_null(s, 1) ? 0 : (int)store_col_int(s, 1);
    p->m = store_col_is_null(s, 2) ? 0 : (int)store_col_int(s, 2);
    p->d = store_col_is_null(s, 3) ? 0 : (int)store_col_int(s, 3);
    p->sex = store_col_is_null(s, 4) ? 0 : store_col_text(s, 4)[0];
    snprintf(p->cccd_enc, sizeof p->cccd_enc, "%s", store_col_is_null(s, 5) ? "" : store_col_text(s, 5));
    p->household_id = store_col_is_null(s, 6) ? 0 : store_col_int(s, 6);
    p->unit_id = store_col_int(s, 7);
    snprintf(p->key, sizeof p->key, "%s", store_col_text(s, 8) ? store_col_text(s, 8) : "");
    p->vneid = (int)store_col_int(s, 9);
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy người này.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

/* Everything a create or an update writes, validated. */
typedef struct person_row {
  char *name, *key;       /* owned */
  int y, m, d;
  char sex;
  bool cccd_set;          /* cccd changes (to the value below, or to none) */
  char *cccd_enc;         /* owned; NULL: none */
  char cccd_hash[65];
  bool phone_set;
  char phone[16];
  bool relation_set;
  char *relation;         /* owned; NULL: none */
  int64_t household_id, unit_id;
  int64_t vneid_since;    /* yyyymmdd: the new VNeID level's first day, before today; 0: the day of the change */
  bool vneid_redate;      /* vneid_since dates the level the record holds (no change of level) */
} person_row;

static void row_free(person_row *r) {
  free(r->name);
  free(r->key);
  free(r->cccd_enc);
  free(r->relation);
}

/* Checks every field given, reporting all faults at once; then what needs the database
 * (household, duplicate CCCD). `self` is the stored person (update) or NULL (create). */
static int row_build(store_conn *w, const secrets *keys, const person_input *in, const person_self *self,
                     int64_t self_id, person_row *r, app_err *e) {
  const char *why = NULL;
  int64_t today = groups_date_key(clock_now());
  memset(r, 0, sizeof *r);
  if (self) {
    r->y = self->y;
    r->m = self->m;
    r->d = self->d;
    r->sex = self->sex;
    r->household_id = self->household_id;
    r->unit_id = self->unit_id;
  }
  const char *name = in->full_name ? in->full_name : self ? self->name : NULL;
  if (!name) {
    app_add(e, 400, "missing_field", "full_name", "Thiếu họ và tên.");
  } else {
    r->name = text_clean(name);
    r->key = r->name ? text_fold(r->name) : NULL;
    if (!r->name || !r->key) return APP_INTERNAL(e);
    if (person_name_check(r->name, NULL, 0) != 0)
      app_add(e, 400, "invalid_value", "full_name",
              "Họ và tên phải có từ 2 đến 100 ký tự, không chứa chữ số hay ký tự ẩn.");
  }
  if (in->birth_date) {
    if (!*in->birth_date) {
      r->y = r->m = r->d = 0;
    } else if (people_parse_birth(in->birth_date, today, &r->y, &r->m, &r->d, &why) != 0) {
      app_add(e, 400, "invalid_value", "birth_date", why);
    }
  }
  if (in->sex) {
    r->sex = *in->sex ? people_parse_sex(in->sex) : 0;
    if (*in->sex && !r->sex) app_add(e, 400, "invalid_value", "sex", "Giới tính phải là Nam hoặc Nữ (M hoặc F).");
  }
  if (in->phone) {
    r->phone_set = true;
    if (*in->phone && people_phone_normalise(in->phone, r->phone, sizeof r->phone) != 0)
      app_add(e, 400, "invalid_value", "phone", "Số điện thoại không hợp lệ (10 hoặc 11 chữ số, bắt đầu bằng 0 hoặc +84).");
  }
  if (in->relation) {
    r->relation_set = true;
    r->relation = *in->relation ? text_clean(in->relation) : NULL; /* NFC, spaces tidied */
    if (*in->relation && !r->relation) return APP_INTERNAL(e);
    if (r->relation && !*r->relation) {
      free(r->relation);
      r->relation = NULL;
    }
  }
  if (in->vneid_level > 2)
    app_add(e, 400, "invalid_value", "vneid_level", "Mức định danh điện tử phải là 0, 1 hoặc 2.");
  if (in->vneid_since && *in->vneid_since) {
    /* The day the level was reached, for the figures of past dates (vneid.h): with a new level,
     * the day of that change; without one (or the same), the day the level the record holds was
     * reached (a correction of the day given before). */
    int now_level = self ? self->vneid : 0;
    int level = in->vneid_level >= 0 ? in->vneid_level : now_level;
    r->vneid_redate = self && level == now_level;
    if (!self && level == 0)
      app_add(e, 400, "invalid_value", "vneid_since", "Chỉ ghi ngày đạt mức khi có mức định danh điện tử (1 hoặc 2).");
    else if (confirmations_parse_date(in->vneid_since, today, &r->vneid_since, &why) != 0)
      app_add(e, 400, "invalid_value", "vneid_since",
              "Ngày đạt mức định danh không hợp lệ: ghi dd/mm/yyyy (ví dụ 15/03/2026) hoặc yyyy-mm-dd, từ năm 2000,"
              " không ở tương lai.");
    else if (r->vneid_since == today && !r->vneid_redate)
      r->vneid_since = 0; /* the change's own day: what the record keeps anyway */
  }
  if (in->unit_id) r->unit_id = in->unit_id;
  if (in->household_set) r->household_id = in->household_id;
  char digits[13];
  if (in->cccd) {
    r->cccd_set = true;
    if (*in->cccd) {
      /* Checked against the birth year and sex as they will be after this change. */
      if (people_cccd_check(in->cccd, r->y, r->sex, digits, &why) != 0) {
        app_add(e, 400, "invalid_value", "cccd", why);
      } else {
        people_cccd_hash(keys, digits, r->cccd_hash);
        r->cccd_enc = people_cccd_seal(keys, digits);
        sodium_memzero(digits, sizeof digits);
        if (!r->cccd_enc) return APP_INTERNAL(e);
      }
    }
  }
  /* A number kept as it was must still agree with a birth date or sex that changes. */
  if (!in->cccd && self && self->cccd_enc[0] && (in->birth_date || in->sex) && !e->status) {
    if (people_cccd_open(keys, self->cccd_enc, digits) != 0) return APP_INTERNAL(e);
    /* Its own output buffer: normalising in place cleared the number before reading it (every
     * change of sex or birth date of a person with a CCCD was refused as "Lỗi hệ thống."). */
    char checked[13];
    int bad = people_cccd_check(digits, r->y, r->sex, checked, &why);
    sodium_memzero(digits, sizeof digits);
    sodium_memzero(checked, sizeof checked);
    if (bad) app_add(e, 400, "invalid_value", in->birth_date ? "birth_date" : "sex", why);
  }
  if (e->status) return -1;
  /* The household lies in the person's registering unit (its tổ dân phố). */
  if (r->household_id) {
    store_stmt *s = store_prepare(w, &q_household_of);
    if (!s) return APP_INTERNAL(e);
    store_bind_int(s, 1, r->household_id);
    int rc = store_step(s);
    int64_t hunit = rc == STORE_ROW ? store_col_int(s, 0) : 0;
    store_reset(s);
    if (rc != STORE_ROW && rc != STORE_DONE) return APP_INTERNAL(e);
    if (!hunit) return app_fail(e, 400, "invalid_value", "household_id", "Không tìm thấy hộ gia đình này.");
    if (hunit != r->unit_id)
      return app_fail(e, 400, "invalid_value", "household_id",
                      in->household_set ? "Hộ gia đình phải thuộc đúng tổ dân phố nơi người này đăng ký."
                                        : "Người này đang thuộc một hộ ở tổ dân phố cũ: hãy chọn hộ ở tổ mới "
                                          "hoặc bỏ hộ (household_id = 0).");
  }
  if (r->cccd_enc) {
    store_stmt *s = store_prepare(w, &q_by_hash);
    if (!s) return APP_INTERNAL(e);
    store_bind_text(s, 1, r->cccd_hash);
    store_bind_text(s, 2, r->cccd_hash);
    store_bind_int(s, 3, self_id);
    int rc = step_done(s);
    if (rc == STORE_ROW) return app_fail(e, 409, "conflict", "cccd", "Số CCCD này đã có trong hồ sơ của người khác.");
    if (rc != STORE_DONE) return APP_INTERNAL(e);
  }
  return 0;
}

static void bind_birth(store_stmt *s, int i, const person_row *r) {
  if (r->y) store_bind_int(s, i, r->y); else store_bind_null(s, i);
  if (r->m) store_bind_int(s, i + 1, r->m); else store_bind_null(s, i + 1);
  if (r->d) store_bind_int(s, i + 2, r->d); else store_bind_null(s, i + 2);
  char sx[2] = {r->sex, 0};
  store_bind_text(s, i + 3, r->sex ? sx : NULL);
}

int people_create(store_conn *w, const secrets *keys, const person_input *in, int64_t *id, app_err *e) {
  person_row r;
  if (!in->unit_id) return app_fail(e, 400, "missing_field", "unit_id", "Thiếu đơn vị đăng ký.");
  int ret = row_build(w, keys, in, NULL, 0, &r, e);
  if (ret != 0) goto done;
  ret = -1;
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  int64_t now = clock_now();
  store_bind_text(s, 1, r.name);
  store_bind_text(s, 2, r.key);
  bind_birth(s, 3, &r);
  store_bind_text(s, 7, r.cccd_enc);
  store_bind_text(s, 8, r.cccd_enc ? r.cccd_hash : NULL);
  store_bind_text(s, 9, r.phone[0] ? r.phone : NULL);
  store_bind_id(s, 10, r.household_id);
  store_bind_text(s, 11, r.relation);
  store_bind_int(s, 12, in->vneid_level > 0 ? in->vneid_level : 0);
  store_bind_int(s, 13, r.unit_id);
  store_bind_int(s, 14, now);
  store_bind_int(s, 15, now);
  int rc = store_insert_id(s, id);
  if (rc == STORE_CONSTRAINT) {
    app_fail(e, 409, "conflict", "cccd", "Số CCCD này đã có trong hồ sơ của người khác.");
    goto done;
  }
  if (rc != STORE_DONE || words_set(w, *id, NULL, r.key) != 0) {
    APP_INTERNAL(e);
    goto done;
  }
  /* reached the level given on that day: none before it */
  if (r.vneid_since && vneid_keep_before(w, *id, 0, r.vneid_since, e) != 0) goto done;
  ret = 0;
done:
  row_free(&r);
  return ret;
}

int people_update(store_conn *w, const secrets *keys, int64_t id, const person_input *in, int64_t *old_unit,
                  app_err *e) {
  person_self self;
  if (read_self(w, id, &self, e) != 0) return -1;
  *old_unit = self.unit_id;
  person_row r;
  int ret = row_build(w, keys, in, &self, id, &r, e);
  if (ret != 0) goto done;
  ret = -1;
  store_stmt *s = store_prepare(w, &q_update);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  store_bind_text(s, 1, r.name);
  store_bind_text(s, 2, r.key);
  bind_birth(s, 3, &r);
  store_bind_int(s, 7, r.cccd_set);
  store_bind_text(s, 8, r.cccd_enc);
  store_bind_int(s, 9, r.cccd_set);
  store_bind_text(s, 10, r.cccd_enc ? r.cccd_hash : NULL);
  store_bind_int(s, 11, r.phone_set);
  store_bind_text(s, 12, r.phone[0] ? r.phone : NULL);
  store_bind_id(s, 13, r.household_id);
  store_bind_int(s, 14, r.relation_set);
  store_bind_text(s, 15, r.relation);
  if (in->vneid_level >= 0) store_bind_int(s, 16, in->vneid_level); else store_bind_null(s, 16);
  store_bind_int(s, 17, r.unit_id);
  store_bind_int(s, 18, clock_now());
  store_bind_int(s, 19, id);
  int rc = step_done(s);
  if (rc == STORE_CONSTRAINT) {
    app_fail(e, 409, "conflict", "cccd", "Số CCCD này đã có trong hồ sơ của người khác.");
    goto done;
  }
  if (rc != STORE_DONE || (in->full_name && words_set(w, id, self.key, r.key) != 0)) {
    APP_INTERNAL(e);
    goto done;
  }
  if (r.vneid_since && (r.vneid_redate ? vneid_redate(w, id, self.vneid, r.vneid_since, e)
                                        : vneid_backdate(w, id, r.vneid_since, e)) != 0)
    goto done;
  ret = 0;
done:
  row_free(&r);
  return ret;
}

int people_delete(store_conn *w, int64_t id, int retention_days, int64_t *unit_id, app_err *e) {
  person_self self;
  if (read_self(w, id, &self, e) != 0) return -1;
  *unit_id = self.unit_id;
  int64_t now = clock_now();
  store_stmt *s = store_prepare(w, &q_delete);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, now);
  store_bind_int(s, 2, now + (int64_t)retention_days * 86400);
  store_bind_int(s, 3, now);
  store_bind_int(s, 4, id);
  if (step_done(s) != STORE_DONE) return APP_INTERNAL(e);
  /* A deleted record is found by no search: its terms go (a restore writes them again), so that
   * person_words holds live people only and a ward-wide count can be read from it alone. */
  if (people_words_drop(w, id, self.key) != 0) return APP_INTERNAL(e);
  store_stmt *u = store_prepare(w, &q_unlink_deleted);
  if (!u) return APP_INTERNAL(e);
  store_bind_int(u, 1, id);
  return step_done(u) == STORE_DONE ? 0 : APP_INTERNAL(e);
}

/* ---- reach ---- */
int people_reach(store_conn *c, int64_t id, arena *a, person_reach *out, app_err *e) {
  memset(out, 0, sizeof *out);
  store_stmt *s = store_prepare(c, &q_reach);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    out->unit_id = store_col_int(s, 0);
    out->unit_path = arena_strdup(a, store_col_text(s, 1));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy người này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  store_stmt *m = store_prepare(c, &q_reach_members);
  if (!m) return APP_INTERNAL(e);
  store_bind_int(m, 1, id);
  int cap = 0;
  while ((rc = store_step(m)) == STORE_ROW) {
    if (out->nmembers == cap) {
      int ncap = cap ? cap * 2 : 4;
      const char **np = arena_alloc(a, sizeof *np * (size_t)ncap);
      if (out->nmembers) memcpy(np, out->member_paths, sizeof *np * (size_t)out->nmembers);
      out->member_paths = np;
      cap = ncap;
    }
    out->member_paths[out->nmembers++] = arena_strdup(a, store_col_text(m, 0));
  }
  store_reset(m);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

bool people_visible(const principal *p, caps_t cap, const person_reach *r) {
  if (scope_can(p, cap, r->unit_path)) return true;
  for (int i = 0; i < r->nmembers; i++)
    if (scope_can(p, cap, r->member_paths[i])) return true;
  return false;
}

bool people_managed(const principal *p, caps_t cap, const person_reach *r) { return scope_can(p, cap, r->unit_path); }

bool people_scope_broad(const principal *p, caps_t cap) {
  for (int i = 0; p && i < p->ngrants; i++) {
    if ((p->grants[i].caps & cap) != cap || !p->grants[i].unit_path) continue;
    int slashes = 0;
    for (const char *c = p->grants[i].unit_path; *c; c++) slashes += *c == '/';
    if (slashes <= 3) return true; /* "/1/" a city, "/1/2/" a ward or commune */
  }
  return false;
}

const char *people_scope_root(const principal *p, caps_t cap) {
  const char *root = NULL;
  for (int i = 0; p && i < p->ngrants; i++) {
    const char *path = p->grants[i].unit_path;
    if ((p->grants[i].caps & cap) != cap || !path) continue;
    if (root && scope_path_within(path, root)) continue;
    if (root && !scope_path_within(root, path)) return NULL;
    root = path; /* the first grant, or one above it */
  }
  return root;
}

/* ---- reading ---- */
static json_t *text_or_null(store_stmt *s, int i) {
  return store_col_is_null(s, i) ? json_null() : json_string(store_col_text(s, i));
}
static json_t *int_or_null(store_stmt *s, int i) {
  return store_col_is_null(s, i) ? json_null() : json_integer(store_col_int(s, i));
}

/* ---- a summary written in place: reserved once per row, then plain stores (a page writes fifty;
 * appends of a few bytes each, with their checks, were a quarter of a tổ officer's page) ---- */
#define PUT_LIT(o, lit) (memcpy((o), (lit), sizeof(lit) - 1), (o) + sizeof(lit) - 1)

/* As jsonx_escape (the same escapes, so the same bytes), into room reserved by the caller. */
static char *put_esc(char *o, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  *o++ = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>') {
      *o++ = (char)c;
      continue;
    }
    *o++ = '\\';
    switch (c) {
      case '"': *o++ = '"'; break;
      case '\\': *o++ = '\\'; break;
      case '\n': *o++ = 'n'; break;
      case '\r': *o++ = 'r'; break;
      case '\t': *o++ = 't'; break;
      default:
        *o++ = 'u';
        *o++ = '0';
        *o++ = '0';
        *o++ = hex[c >> 4];
        *o++ = hex[c & 15];
    }
  }
  *o++ = '"';
  return o;
}

/* The decimal digits of v (as jsonx_put_int), at most 20 bytes. */
static char *put_i64(char *o, int64_t v) {
  char d[24];
  size_t n = sizeof d;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    d[--n] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) d[--n] = '-';
  memcpy(o, d + n, sizeof d - n);
  return o + (sizeof d - n);
}

/* Column i as an integer or null. */
static char *put_col_int(char *o, store_stmt *s, int i) {
  return store_col_is_null(s, i) ? PUT_LIT(o, "null") : put_i64(o, store_col_int(s, i));
}

/* Text t (may be NULL: null) of length n, escaped. */
static char *put_str(char *o, const char *t, size_t n) { return t ? put_esc(o, t, n) : PUT_LIT(o, "null"); }

/* A person's summary, written as a JSON object into b: the one definition every list and the
 * record share. Columns 0–10: id, full_name, birth_year, birth_month, birth_day, sex, phone,
 * unit_id, unit name, household_id, vneid_level; `mask` their groups (groups.h); `restricted`
 * whether a `restrict` request of theirs stands (requests.h). */
static void summary_put(buf *b, store_stmt *s, int mask, bool restricted) {
  const char *name = store_col_text(s, 1), *sex = store_col_text(s, 5), *phone = store_col_text(s, 6),
             *unit = store_col_text(s, 8);
  size_t ln = name ? strlen(name) : 0, lx = sex ? strlen(sex) : 0, lp = phone ? strlen(phone) : 0,
         lu = unit ? strlen(unit) : 0;
  if (ln > 1 << 20 || lx > 1 << 20 || lp > 1 << 20 || lu > 1 << 20) {
    b->oom = true; /* never: these are short texts */
    return;
  }
  /* The literals and numbers need under 400 bytes, the group codes under 200; an escaped byte at
   * most 6. */
  if (!buf_reserve(b, 600 + 6 * (ln + lx + lp + lu))) return;
  char *o = b->data + b->len;
  o = PUT_LIT(o, "{\"id\":");
  o = put_i64(o, store_col_int(s, 0));
  o = PUT_LIT(o, ",\"full_name\":");
  o = put_esc(o, name ? name : "", ln);
  o = PUT_LIT(o, ",\"birth_year\":");
  o = put_col_int(o, s, 2);
  o = PUT_LIT(o, ",\"birth_date\":");
  int64_t y = store_col_int(s, 2), m = store_col_int(s, 3), d = store_col_int(s, 4);
  if (!store_col_is_null(s, 2) && !store_col_is_null(s, 3) && !store_col_is_null(s, 4) && y >= 0 && y <= 9999 &&
      m >= 0 && m <= 99 && d >= 0 && d <= 99) {
    char iso[12] = {'"', (char)('0' + y / 1000), (char)('0' + y / 100 % 10), (char)('0' + y / 10 % 10),
                    (char)('0' + y % 10), '-', (char)('0' + m / 10), (char)('0' + m % 10), '-',
                    (char)('0' + d / 10), (char)('0' + d % 10), '"'};
    memcpy(o, iso, sizeof iso);
    o += sizeof iso;
  } else {
    o = PUT_LIT(o, "null");
  }
  o = PUT_LIT(o, ",\"sex\":");
  o = put_str(o, sex, lx);
  o = PUT_LIT(o, ",\"phone\":");
  o = put_str(o, phone, lp);
  o = PUT_LIT(o, ",\"unit_id\":");
  o = put_i64(o, store_col_int(s, 7));
  o = PUT_LIT(o, ",\"unit_name\":");
  o = put_esc(o, unit ? unit : "", lu);
  o = PUT_LIT(o, ",\"household_id\":");
  o = put_col_int(o, s, 9);
  o = PUT_LIT(o, ",\"vneid_level\":");
  o = put_i64(o, store_col_int(s, 10));
  o = PUT_LIT(o, ",\"groups\":[");
  bool first = true;
  for (int i = 0; i < GROUP_COUNT; i++) {
    if (!(mask & group_defs[i].bit)) continue;
    if (!first) *o++ = ',';
    first = false;
    size_t n = strlen(group_defs[i].code); /* plain ASCII words */
    *o++ = '"';
    memcpy(o, group_defs[i].code, n);
    o += n;
    *o++ = '"';
  }
  o = restricted ? PUT_LIT(o, "],\"restricted\":true}") : PUT_LIT(o, "],\"restricted\":false}");
  b->len = (size_t)(o - b->data);
  b->data[b->len] = '\0';
}

/* The same with the groups in column 11 and `restricted_col` (the statements that compute them in SQL). */
static void summary_write(buf *b, store_stmt *s, int restricted_col) {
  summary_put(b, s, (int)store_col_int(s, 11), store_col_int(s, restricted_col) != 0);
}

/* The summary as a jansson object (the record's answer adds to it); NULL on failure. */
static json_t *summary_row(store_stmt *s, int restricted_col) {
  buf b;
  buf_init(&b);
  summary_write(&b, s, restricted_col);
  json_t *o = b.oom ? NULL : json_loadb(b.data, b.len, 0, NULL);
  buf_free(&b);
  return o;
}

int people_get(store_conn *c, const secrets *keys, int64_t id, bool cccd_clear, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, groups_date_key(clock_now()));
  store_bind_int(s, 2, id);
  int rc = store_step(s);
  if (rc != STORE_ROW) {
    store_reset(s);
    if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy người này.");
    return APP_INTERNAL(e);
  }
  json_t *o = summary_row(s, 18);
  json_t *cccd = json_null();
  if (!store_col_is_null(s, 12)) {
    char digits[13], shown[13];
    if (people_cccd_open(keys, store_col_text(s, 12), digits) == 0) {
      if (cccd_clear) memcpy(shown, digits, 13); else people_cccd_mask(digits, shown);
      sodium_memzero(digits, sizeof digits);
      cccd = json_string(shown);
      sodium_memzero(shown, sizeof shown);
    }
  }
  json_t *hh = store_col_is_null(s, 9) ? json_null()
                                       : json_pack("{s:I, s:o, s:s, s:I}", "id", (json_int_t)store_col_int(s, 9),
                                                   "code", text_or_null(s, 14), "address",
                                                   store_col_text(s, 15) ? store_col_text(s, 15) : "", "unit_id",
                                                   (json_int_t)store_col_int(s, 16));
  if (o) {
    json_object_set_new(o, "cccd", cccd);
    json_object_set_new(o, "cccd_shown", json_string(store_col_is_null(s, 12) ? "none" : cccd_clear ? "clear" : "masked"));
    json_object_set_new(o, "relation", text_or_null(s, 13));
    json_object_set_new(o, "household", hh);
  } else {
    json_decref(cccd);
    json_decref(hh);
  }
  store_reset(s);
  if (!o) return APP_INTERNAL(e);
  json_t *ms = json_array();
  store_stmt *m = store_prepare(c, &q_members);
  if (!ms || !m) {
    json_decref(ms);
    json_decref(o);
    return APP_INTERNAL(e);
  }
  store_bind_int(m, 1, id);
  while ((rc = store_step(m)) == STORE_ROW)
    json_array_append_new(ms, json_pack("{s:I, s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)store_col_int(m, 0),
                                        "unit_id", (json_int_t)store_col_int(m, 1), "unit_name", store_col_text(m, 2),
                                        "unit_kind", store_col_text(m, 3), "kind", store_col_text(m, 4), "grade",
                                        int_or_null(m, 5)));
  store_reset(m);
  json_object_set_new(o, "memberships", ms);
  if (rc != STORE_DONE) {
    json_decref(o);
    return APP_INTERNAL(e);
  }
  *out = o;
  return 0;
}

int people_get_for(store_conn *c, const secrets *keys, int64_t id, const principal *who, bool own, arena *a,
                   json_t **out, int64_t *unit_id, app_err *e) {
  person_reach pr;
  if (people_reach(c, id, a, &pr, e) != 0) return -1;
  *unit_id = pr.unit_id;
  bool clear = own || (who && scope_can(who, CAP_IDENTITY_READ, pr.unit_path));
  return people_get(c, keys, id, clear, out, e);
}

/* ---- name terms (people.h) ---- */
/* `any`: every term the name may have been indexed by under any rule so far (migration 10 made
 * the pairs of every two words; since, a name of more than PEOPLE_PAIR_WORDS words has the mark
 * instead): the words, the pairs of any two that fit, and the mark. */
static int name_terms(const char *key, people_term_fn fn, void *ctx, bool any) {
  enum { MAX_WORDS = 64 };
  const char *w[MAX_WORDS];
  size_t wl[MAX_WORDS];
  int n = 0;
  for (const char *p = key; *p;) {
    while (*p == ' ') p++;
    size_t len = strcspn(p, " ");
    if (!len) break;
    bool seen = false;
    for (int k = 0; k < n && !seen; k++) seen = wl[k] == len && memcmp(w[k], p, len) == 0;
    if (!seen) {
      fn(p, len, ctx);
      if (n < MAX_WORDS) {
        w[n] = p;
        wl[n++] = len;
      }
    }
    p += len;
  }
  char term[1024];
  /* A name of more words has no pairs, but the long-name mark: searches then start from a word
   * (choose_term), since a pair's names would leave it out. */
  bool fits = true; /* every pair fits in term (words of compatibility characters can be long) */
  for (int i = 0; i < n && fits; i++)
    for (int j = i + 1; j < n && fits; j++) fits = wl[i] + wl[j] + 3 <= sizeof term;
  if (n > PEOPLE_PAIR_WORDS || !fits || any) {
    const char mark[2] = {PEOPLE_PAIR_MARK, '\0'};
    fn(mark, 1, ctx);
    if (!any) return 0;
  }
  int np = n;
  for (int i = 0; i < np; i++)
    for (int j = i + 1; j < np; j++) {
      size_t li = wl[i], lj = wl[j];
      if (li + lj + 3 > sizeof term) continue; /* (any) a pair that never fitted was never made */
      int c = memcmp(w[i], w[j], li < lj ? li : lj);
      bool i_first = c < 0 || (c == 0 && li < lj);
      const char *a = i_first ? w[i] : w[j], *b = i_first ? w[j] : w[i];
      size_t la = i_first ? li : lj, lb = i_first ? lj : li;
      term[0] = PEOPLE_PAIR_MARK;
      memcpy(term + 1, a, la);
      term[1 + la] = ' ';
      memcpy(term + 2 + la, b, lb);
      term[2 + la + lb] = '\0';
      fn(term, 2 + la + lb, ctx);
    }
  return 0;
}

int people_name_terms(const char *key, people_term_fn fn, void *ctx) { return name_terms(key, fn, ctx, false); }

int people_name_terms_any(const char *key, people_term_fn fn, void *ctx) { return name_terms(key, fn, ctx, true); }

/* Writes "% w %" (exact) or "% w%" (a word's start) with LIKE's %, _ and \ escaped; `anywhere`:
 * "%w%" instead. */
static void like_pattern(const char *w, bool exact, bool anywhere, char *out, size_t outlen) {
  size_t o = 0;
  out[o++] = '%';
  if (!anywhere) out[o++] = ' ';
  for (const char *p = w; *p && o + 4 < outlen; p++) {
    if (*p == '%' || *p == '_' || *p == '\\') out[o++] = '\\';
    out[o++] = *p;
  }
  if (exact && !anywhere) out[o++] = ' ';
  out[o++] = '%';
  out[o] = '\0';
}
static void name_pattern(const char *w, bool exact, char *out, size_t outlen) {
  like_pattern(w, exact, false, out, outlen);
}

int people_name_query(store_conn *c, const scope_sql *scope, bool broad, const char *q, people_name_q *out) {
  memset(out, 0, sizeof *out);
  char *key = text_fold(q ? q : "");
  if (!key) return -2;
  int rc = 0;
  if (broad) {
    store_stmt *s = store_prepare(c, &q_scope_all);
    if (!s) {
      free(key);
      return -1;
    }
    scope_bind(s, 1, scope);
    int src = store_step(s);
    out->scope_all = src == STORE_ROW && store_col_int(s, 0) == 1;
    store_reset(s);
    if (src != STORE_ROW) {
      free(key);
      return -1;
    }
  }
  for (char *p = key; *p && out->n < PEOPLE_NAME_WORDS;) {
    while (*p == ' ') p++;
    size_t len = strcspn(p, " ");
    if (!len) break;
    /* Terms that start with the pair mark are not words. A longer word is cut at a character's
     * start (it still matches as a word's start). */
    if (*p != PEOPLE_PAIR_MARK) {
      char *w = out->words[out->n];
      size_t keep = len < sizeof out->words[0] - 1 ? len : sizeof out->words[0] - 1;
      while (keep < len && keep > 0 && ((unsigned char)p[keep] & 0xC0) == 0x80) keep--;
      memcpy(w, p, keep);
      w[keep] = '\0';
      bool exact = false;
      if (keep == len) {
        store_stmt *s = store_prepare(c, out->scope_all ? &q_term_any : broad ? &q_term_has : &q_term_has_narrow);
        if (!s) {
          rc = -1;
          break;
        }
        int si = out->scope_all ? 1 : scope_bind(s, 1, scope);
        if (broad) {
          store_bind_text(s, si, w);
        } else {
          char pat[sizeof out->pats[0]];
          name_pattern(w, true, pat, sizeof pat);
          store_bind_text(s, si++, ""); /* no unit filter: the scope's units */
          store_bind_text(s, si++, "");
          store_bind_text(s, si, pat);
        }
        int src = store_step(s);
        store_reset(s);
        if (src != STORE_ROW && src != STORE_DONE) {
          rc = -1;
          break;
        }
        exact = src == STORE_ROW;
      }
      out->exact[out->n] = exact;
      name_pattern(w, exact, out->pats[out->n], sizeof out->pats[0]);
      out->n++;
    }
    p += len;
  }
  free(key);
  return rc;
}

int people_bind_pats(store_stmt *s, int i, const people_name_q *nq) {
  for (int k = 0; k < PEOPLE_NAME_WORDS; k++) {
    const char *pat = k < nq->n && nq->pats[k][0] ? nq->pats[k] : NULL; /* "": implied, off */
    char any[sizeof nq->pats[0]];
    if (pat) like_pattern(nq->words[k], false, true, any, sizeof any);
    store_bind_text(s, i++, pat);
    store_bind_text(s, i++, pat ? any : NULL);
    store_bind_text(s, i++, pat);
  }
  return i;
}

/* The patterns a term-plan search need not test: the whole words its term carries (a pair term
 * "~a b" is on a name only when both words are). */
static void drop_implied(people_name_q *nq, const char *term) {
  char words[2][330];
  int nw = 0;
  if (term[0] == PEOPLE_PAIR_MARK) {
    const char *sp = strchr(term + 1, ' ');
    if (!sp) return;
    snprintf(words[0], sizeof words[0], "%.*s", (int)(sp - term - 1), term + 1);
    snprintf(words[1], sizeof words[1], "%s", sp + 1);
    nw = 2;
  } else {
    snprintf(words[0], sizeof words[0], "%s", term);
    nw = 1;
  }
  for (int k = 0; k < nq->n; k++)
    for (int i = 0; i < nw; i++)
      if (nq->exact[k] && strcmp(nq->words[k], words[i]) == 0) nq->pats[k][0] = '\0';
}

/* How many names carry `term`, counted up to `cap`; -1 on a store failure. */
static int64_t term_count(store_conn *c, const char *term, int64_t cap) {
  store_stmt *s = store_prepare(c, &q_term_n);
  if (!s) return -1;
  store_bind_text(s, 1, term);
  store_bind_int(s, 2, cap);
  int rc = store_step(s);
  int64_t k = rc == STORE_ROW ? store_col_int(s, 0) : -1;
  store_reset(s);
  return k;
}

/* The term a term-plan search starts from: the query's one whole word, or, of the pairs of its
 * whole words, the one with the fewest names. 0, 1 when no word is whole, -1 on a store failure.
 * Each candidate is counted only up to the fewest so far (it must have fewer to be chosen), and
 * the pairs of the later words first (given names, rarer than family and middle names), so that
 * a common pair ("~nguyen thi") is counted up to a small number rather than to TERM_COUNT_CAP.
 * Which term drives changes what the search costs, never what it finds. */
static int choose_term(store_conn *c, const people_name_q *nq, char *term, size_t termlen) {
  const char *ex[PEOPLE_NAME_WORDS];
  int m = 0;
  for (int i = 0; i < nq->n; i++) {
    if (!nq->exact[i]) continue;
    bool dup = false;
    for (int k = 0; k < m && !dup; k++) dup = strcmp(ex[k], nq->words[i]) == 0;
    if (!dup) ex[m++] = nq->words[i];
  }
  if (m == 0) return 1;
  if (m == 1) {
    snprintf(term, termlen, "%s", ex[0]);
    return 0;
  }
  int64_t best = -1;
  char cand[330];
  /* Some name too long for pairs (people_name_terms): the rarest whole word drives instead. */
  const char mark[2] = {PEOPLE_PAIR_MARK, '\0'};
  store_stmt *hs = store_prepare(c, &q_term_any);
  if (!hs) return -1;
  store_bind_text(hs, 1, mark);
  int hrc = store_step(hs);
  store_reset(hs);
  if (hrc != STORE_ROW && hrc != STORE_DONE) return -1;
  if (hrc == STORE_ROW) {
    for (int i = m - 1; i >= 0; i--) {
      int64_t k = term_count(c, ex[i], best < 0 ? TERM_COUNT_CAP : best);
      if (k < 0) return -1;
      if (best < 0 || k < best) {
        best = k;
        snprintf(term, termlen, "%s", ex[i]);
      }
      if (best == 0) return 0;
    }
    return 0;
  }
  for (int j = m - 1; j > 0; j--)
    for (int i = j - 1; i >= 0; i--) {
      bool i_first = strcmp(ex[i], ex[j]) < 0;
      snprintf(cand, sizeof cand, "%c%s %s", PEOPLE_PAIR_MARK, i_first ? ex[i] : ex[j], i_first ? ex[j] : ex[i]);
      if (m == 2) { /* one pair: nothing to compare it with */
        snprintf(term, termlen, "%s", cand);
        return 0;
      }
      int64_t k = term_count(c, cand, best < 0 ? TERM_COUNT_CAP : best);
      if (k < 0) return -1;
      if (best < 0 || k < best) {
        best = k;
        snprintf(term, termlen, "%s", cand);
      }
      if (best == 0) return 0; /* nobody: any page is empty */
    }
  return 0;
}

/* Puts the word with the fewest names first (it drives the statement; the others are checked per
 * candidate), by capped counts of person_words' prefix ranges: one index range each. */
static int rarest_first(store_conn *c, const char *words[PEOPLE_NAME_WORDS], int n, int64_t *rarest) {
  int best = 0;
  int64_t best_n = -1;
  for (int i = 0; i < n; i++) {
    char hi[PEOPLE_WORD_HI];
    store_stmt *s = store_prepare(c, &q_word_n);
    if (!s) return -1;
    snprintf(hi, sizeof hi, "%s\xef\xbf\xbf", words[i]);
    store_bind_text(s, 1, words[i]);
    store_bind_text(s, 2, hi);
    store_bind_int(s, 3, WORD_COUNT_CAP);
    int rc = store_step(s);
    int64_t k = rc == STORE_ROW ? store_col_int(s, 0) : -1;
    store_reset(s);
    if (k < 0) return -1;
    if (best_n < 0 || k < best_n) {
      best = i;
      best_n = k;
    }
  }
  if (best) {
    const char *t = words[0];
    words[0] = words[best];
    words[best] = t;
  }
  *rarest = best_n;
  return 0;
}

/* Binds a word's prefix range [w, w + U+FFFF). */
static int bind_prefix(store_stmt *s, int i, const char *w, char *hi, size_t hilen) {
  snprintf(hi, hilen, "%s\xef\xbf\xbf", w);
  store_bind_text(s, i++, w);
  store_bind_text(s, i++, hi);
  return i;
}

typedef struct list_args {
  people_q_kind kind;
  const char *words[PEOPLE_NAME_WORDS];
  int nwords;
  char phone[16];
  char hash[65];
  const char *lo, *hi; /* the unit filter's subtree, or NULL */
  bool drive;       /* a name search driven by its rare word (q_list_name_d) */
  enum { PLAN_WORDS, PLAN_TERM, PLAN_PATS } plan; /* how a name search runs (people_list) */
  int64_t one_unit; /* a narrow list of one unit without members (q_list_one), else 0 */
  people_name_q nq;
  char term[330];
  bool term_all;       /* the term plan's page from the terms alone (q_list_term_all) */
  char from_key[1024]; /* its first name to read ("": from the first) */
  int64_t group_bit;
  int64_t age_min_key, age_max_key; /* 0: off */
  char sex[2];
  int vneid;
  int64_t household_id;
  int64_t ref;
} list_args;

static int bind_list(store_stmt *s, const scope_sql *scope, const list_args *a, char his[PEOPLE_NAME_WORDS][PEOPLE_WORD_HI]) {
  if (a->term_all) { /* q_list_term_all: the scope, the term, where to start, the patterns */
    int t = scope_bind(s, 1, scope);
    store_bind_text(s, t++, a->term);
    store_bind_text(s, t++, a->from_key);
    return people_bind_pats(s, t, &a->nq);
  }
  int i = scope_bind(s, 1, scope);
  store_bind_text(s, i++, a->lo ? a->lo : "");
  store_bind_text(s, i++, a->hi ? a->hi : "");
  if (a->drive) i = bind_prefix(s, i, a->words[0], his[0], sizeof his[0]); /* in the FROM */
  store_bind_int(s, i++, a->ref);
  if (a->one_unit) store_bind_int(s, i++, a->one_unit);
  switch (a->kind) {
    case PEOPLE_Q_NONE: break;
    case PEOPLE_Q_PHONE: store_bind_text(s, i++, a->phone); break;
    case PEOPLE_Q_CCCD:
      store_bind_text(s, i++, a->hash);
      store_bind_text(s, i++, a->hash);
      break;
    case PEOPLE_Q_NAME:
      if (a->plan == PLAN_TERM) {
        store_bind_text(s, i++, a->term);
        store_bind_int(s, i++, a->nq.scope_all);
      }
      if (a->plan != PLAN_WORDS) {
        i = people_bind_pats(s, i, &a->nq);
        break;
      }
      if (!a->drive) i = bind_prefix(s, i, a->words[0], his[0], sizeof his[0]);
      i = people_bind_pats(s, i, &a->nq);
      break;
  }
  store_bind_text(s, i++, a->lo);
  store_bind_int(s, i++, a->group_bit);
  store_bind_int(s, i++, a->group_bit);
  for (int k = 0; k < 2; k++) {
    int64_t v = k ? a->age_max_key : a->age_min_key;
    if (v) {
      store_bind_int(s, i++, v);
      store_bind_int(s, i++, v);
    } else {
      store_bind_null(s, i++);
      store_bind_null(s, i++);
    }
  }
  store_bind_text(s, i++, a->sex[0] ? a->sex : NULL);
  store_bind_text(s, i++, a->sex[0] ? a->sex : NULL);
  if (a->vneid >= 0) {
    store_bind_int(s, i++, a->vneid);
    store_bind_int(s, i++, a->vneid);
  } else {
    store_bind_null(s, i++);
    store_bind_null(s, i++);
  }
  store_bind_id(s, i++, a->household_id);
  store_bind_id(s, i++, a->household_id);
  return i;
}

/* The groups of the row `s` of q_list_unit (columns 2–4 the birth date, 9 the household, 11
 * whether the person has a membership) on `ref`: the C rule over the person's facts, with their
 * memberships read only when they have one. -1 on a database error. */
static int unit_row_groups(store_conn *c, store_stmt *s, int64_t ref) {
  group_facts f = {.birth_year = (int)store_col_int(s, 2),
                   .birth_month = (int)store_col_int(s, 3),
                   .birth_day = (int)store_col_int(s, 4),
                   .resident = !store_col_is_null(s, 9)};
  if (store_col_is_null(s, 2)) f.birth_year = 0;
  int mask = groups_of(&f, ref);
  if (!store_col_int(s, 11)) return mask;
  store_stmt *m = store_prepare(c, &q_unit_member_facts);
  if (!m) return -1;
  store_bind_int(m, 1, store_col_int(s, 0));
  int rc;
  while ((rc = store_step(m)) == STORE_ROW) {
    group_membership one = {.kind = store_col_text(m, 0),
                            .unit_kind = store_col_text(m, 2),
                            .grade = store_col_is_null(m, 1) ? 0 : (int)store_col_int(m, 1)};
    group_facts mf = {.memberships = &one, .nmemberships = 1};
    mask |= groups_of(&mf, ref);
  }
  store_reset(m);
  return rc == STORE_DONE ? mask : -1;
}

/* ---- a unit's first pages kept in memory (SQLite) ----
 * A page of one unit's people (the plain-unit list: no filter, the unit in the caller's scope,
 * checked on every request before this) is a function of the unit, the page, its size and the
 * reference date alone: nothing in it depends on who asks. Its unit's page revision and the
 * registry's (migration 25: raised by triggers in the transaction of every write that could change
 * it) are read in the request's read transaction together with the total (q_count_unit), and a page
 * built in that same transaction is kept under them; a later request that reads the same
 * revisions gets the same bytes. Another process's write raises the revisions in the file, so no
 * notification is needed. PostgreSQL reads no revision (NULL) and keeps nothing. Keyed also by the
 * database (store_conn_serial); an entry is immutable and shared by reference count, so the copy into
 * the reply happens outside the lock; a slot is taken over by a newer entry hashing to it. Pages past
 * UPAGE_MAX_PAGE, or longer than UPAGE_MAX_PER_PAGE, are not kept (the first pages are the ones
 * opened most). Lists stay unaudited as before (only a CCCD search is, and it never comes here). */
typedef struct unit_page {
  atomic_int refs;
  uint64_t db;
  int64_t unit_id, ref, rev, grev;
  int page, per_page;
  size_t len;
  char data[];
} unit_page;

#define UPAGE_SLOTS 512
#define UPAGE_MAX_PAGE 3
#define UPAGE_MAX_PER_PAGE 100 /* at most 512 pages of 100 (~13 MB) in memory */
static unit_page *upage[UPAGE_SLOTS];
static pthread_mutex_t upage_mu = PTHREAD_MUTEX_INITIALIZER;

static size_t upage_slot(int64_t unit_id, int page, int per_page) {
  return (size_t)(((uint64_t)unit_id * 7919u + (uint64_t)page * 131u + (uint64_t)per_page) % UPAGE_SLOTS);
}

static void upage_unref(unit_page *p) {
  if (p && atomic_fetch_sub(&p->refs, 1) == 1) free(p);
}

static unit_page *upage_get(uint64_t db, int64_t unit_id, int page, int per_page, int64_t ref, int64_t rev,
                            int64_t grev) {
  pthread_mutex_lock(&upage_mu);
  unit_page *p = upage[upage_slot(unit_id, page, per_page)];
  if (p && p->db == db && p->unit_id == unit_id && p->page == page && p->per_page == per_page && p->ref == ref &&
      p->rev == rev && p->grev == grev)
    atomic_fetch_add(&p->refs, 1);
  else
    p = NULL;
  pthread_mutex_unlock(&upage_mu);
  return p;
}

/* Keeps a copy; a failed allocation keeps nothing (the next request builds again). */
static void upage_put(uint64_t db, int64_t unit_id, int page, int per_page, int64_t ref, int64_t rev, int64_t grev,
                      const char *data, size_t len) {
  unit_page *p = malloc(sizeof *p + len);
  if (!p) return;
  atomic_init(&p->refs, 1);
  p->db = db;
  p->unit_id = unit_id;
  p->page = page;
  p->per_page = per_page;
  p->ref = ref;
  p->rev = rev;
  p->grev = grev;
  p->len = len;
  memcpy(p->data, data, len);
  pthread_mutex_lock(&upage_mu);
  unit_page **slot = &upage[upage_slot(unit_id, page, per_page)];
  unit_page *old = *slot;
  *slot = p;
  pthread_mutex_unlock(&upage_mu);
  upage_unref(old);
}

/* The page of one unit's people (q_list_unit) written into `items` as a JSON array. */
/* `keep`: the revisions were read (SQLite) and the page may be kept or taken from memory. */
static int unit_page_write(store_conn *c, int64_t unit_id, int page, int per_page, int64_t ref, bool keep,
                           int64_t rev, int64_t grev, buf *items) {
  uint64_t db = store_conn_serial(c);
  keep = keep && page <= UPAGE_MAX_PAGE && per_page <= UPAGE_MAX_PER_PAGE;
  if (keep) {
    unit_page *p = upage_get(db, unit_id, page, per_page, ref, rev, grev);
    if (p) {
      buf_append(items, p->data, p->len);
      upage_unref(p);
      return items->oom ? -1 : 0;
    }
  }
  size_t at = items->len;
  store_stmt *s = store_prepare(c, &q_list_unit);
  if (!s) return -1;
  store_bind_int(s, 1, unit_id);
  store_bind_int(s, 2, per_page);
  store_bind_int(s, 3, (int64_t)(page - 1) * per_page);
  buf_putc(items, '[');
  int rc, mask = 0;
  for (int k = 0; (rc = store_step(s)) == STORE_ROW; k++) {
    if ((mask = unit_row_groups(c, s, ref)) < 0) break;
    if (k) buf_putc(items, ',');
    summary_put(items, s, mask, store_col_int(s, 12) != 0);
  }
  store_reset(s);
  buf_putc(items, ']');
  if (rc != STORE_DONE || mask < 0 || items->oom) return -1;
  /* Built in the read transaction that read the revisions: the page of exactly those. */
  if (keep) upage_put(db, unit_id, page, per_page, ref, rev, grev, items->data + at, items->len - at);
  return 0;
}

/* How q reads: twelve digits (spaces allowed) a CCCD, a phone number, else name words. */
static people_q_kind read_q(const char *q, list_args *a) {
  if (!q || !*q) return PEOPLE_Q_NONE;
  char digits[13];
  const char *why;
  bool digitish = strspn(q, "0123456789 .-+()") == strlen(q);
  if (digitish && people_cccd_check(q, 0, 0, digits, &why) == 0) return PEOPLE_Q_CCCD;
  if (digitish && people_phone_normalise(q, a->phone, sizeof a->phone) == 0) return PEOPLE_Q_PHONE;
  return PEOPLE_Q_NAME;
}

int people_list_write(store_conn *c, const secrets *keys, const scope_sql *scope, const people_query *q, buf *items,
                      int64_t *total, people_q_kind *kind, app_err *e) {
  list_args a;
  memset(&a, 0, sizeof a);
  a.vneid = q->vneid_level;
  a.household_id = q->household_id;
  a.ref = groups_date_key(clock_now());
  char lo[512] = "", hi[512] = "";
  char his[PEOPLE_NAME_WORDS][PEOPLE_WORD_HI];
  size_t items_at = items->len;
  if (q->group) {
    const group_def *g = group_find(q->group);
    if (!g) return app_fail(e, 400, "invalid_value", "group", "Nhóm đối tượng không hợp lệ.");
    a.group_bit = g->bit;
  }
  if (q->sex) {
    a.sex[0] = people_parse_sex(q->sex);
    if (!a.sex[0]) return app_fail(e, 400, "invalid_value", "sex", "Giới tính phải là Nam hoặc Nữ (M hoặc F).");
  }
  if (q->age_min >= 0) a.age_min_key = a.ref - (int64_t)q->age_min * 10000;
  if (q->age_max >= 0) a.age_max_key = a.ref - (int64_t)(q->age_max + 1) * 10000;
  if (q->unit_id) {
    store_stmt *u = store_prepare(c, &q_unit_path);
    if (!u) return APP_INTERNAL(e);
    store_bind_int(u, 1, q->unit_id);
    int rc = store_step(u);
    if (rc == STORE_ROW) snprintf(lo, sizeof lo, "%s", store_col_text(u, 0));
    store_reset(u);
    if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
    if (rc != STORE_ROW) return APP_INTERNAL(e);
    snprintf(hi, sizeof hi, "%s", lo);
    hi[strlen(hi) - 1] = '0';
    a.lo = lo;
    a.hi = hi;
  }
  a.kind = read_q(q->q, &a);
  if (a.kind == PEOPLE_Q_CCCD) {
    char digits[13];
    const char *why;
    people_cccd_check(q->q, 0, 0, digits, &why);
    people_cccd_hash(keys, digits, a.hash);
    sodium_memzero(digits, sizeof digits);
  } else if (a.kind == PEOPLE_Q_NAME) {
    int nrc = people_name_query(c, scope, q->broad, q->q, &a.nq);
    if (nrc == -2) return app_fail(e, 400, "invalid_value", "q", "Từ khóa tìm kiếm không hợp lệ.");
    if (nrc != 0) goto fail;
    int trc = 1;
    if (a.nq.n == 0) a.kind = PEOPLE_Q_NONE;
    else if (!q->broad || q->unit_id) a.plan = PLAN_PATS;
    else if ((trc = choose_term(c, &a.nq, a.term, sizeof a.term)) < 0) goto fail;
    else if (trc == 0 && q->name_drive_max >= 0) {
      a.plan = PLAN_TERM;
      drop_implied(&a.nq, a.term);
    }
    else {
      /* Every word is the start of a word: the rarest one's names, or the name order. */
      a.plan = PLAN_WORDS;
      a.nwords = a.nq.n;
      for (int k = 0; k < a.nq.n; k++) a.words[k] = a.nq.words[k];
      int64_t rarest = 0;
      if (rarest_first(c, a.words, a.nwords, &rarest) != 0) goto fail;
      a.drive = rarest <= (q->name_drive_max ? q->name_drive_max : NAME_DRIVE_MAX);
    }
  }
  *kind = a.kind;
  const store_sql *lists[] = {&q_list_all, &q_list_name, &q_list_phone, &q_list_cccd};
  const store_sql *counts[] = {&q_count_all, &q_count_name, &q_count_phone, &q_count_cccd};
  bool broad_all = a.kind == PEOPLE_Q_NONE && q->broad && !q->unit_id;
  if (a.kind == PEOPLE_Q_NAME && a.plan == PLAN_TERM) {
    lists[PEOPLE_Q_NAME] = &q_list_term;
    counts[PEOPLE_Q_NAME] = &q_count_term;
  } else if (a.kind == PEOPLE_Q_NAME && a.plan == PLAN_PATS) {
    lists[PEOPLE_Q_NAME] = &q_list_pats;
    counts[PEOPLE_Q_NAME] = &q_count_pats;
  } else if (a.drive) {
    lists[PEOPLE_Q_NAME] = &q_list_name_d;
    counts[PEOPLE_Q_NAME] = &q_count_name_d;
  }
  bool unit_in_scope = false;
  if (a.kind == PEOPLE_Q_NONE && !broad_all) {
    /* One unit without members: its people in name order, no sort. */
    char root_hi[512] = "";
    bool by_root = q->root && !a.lo && !scope->all && strlen(q->root) < sizeof root_hi;
    store_stmt *u = store_prepare(c, by_root ? &q_root_units : &q_narrow_units);
    if (!u) goto fail;
    if (by_root) {
      snprintf(root_hi, sizeof root_hi, "%s", q->root);
      root_hi[strlen(root_hi) - 1] = '0'; /* '/' + 1 */
      for (int k = 0; k < 2; k++) {
        store_bind_text(u, 1 + 2 * k, q->root);
        store_bind_text(u, 2 + 2 * k, root_hi);
      }
    } else {
      int ui = scope_bind(u, 1, scope);
      store_bind_text(u, ui++, a.lo ? a.lo : "");
      store_bind_text(u, ui++, a.hi ? a.hi : "");
    }
    int urc = store_step(u);
    if (urc == STORE_ROW && store_col_int(u, 0) == 1 && store_col_int(u, 2) == 0) {
      a.one_unit = store_col_int(u, 1);
      unit_in_scope = store_col_int(u, 3) != 0;
    }
    store_reset(u);
    if (urc != STORE_ROW) goto fail;
    if (a.one_unit) {
      lists[PEOPLE_Q_NONE] = &q_list_one;
      counts[PEOPLE_Q_NONE] = &q_count_one;
    }
  }
  int rc;
  int64_t counted = -1;
  bool no_filter = !a.group_bit && !a.age_min_key && !a.age_max_key && !a.sex[0] && a.vneid < 0 && !a.household_id;
  /* The unit's people, nothing tested per person. */
  bool plain_unit = a.one_unit && unit_in_scope && no_filter;
  bool keep = false; /* the unit's page revisions were read (SQLite) */
  int64_t rev = 0, grev = 0;
  if (plain_unit) {
    store_stmt *f = store_prepare(c, &q_count_unit);
    if (!f) goto fail;
    store_bind_int(f, 1, a.one_unit);
    store_bind_int(f, 2, PEOPLE_COUNT_CAP + 1);
    rc = store_step(f);
    counted = rc == STORE_ROW ? store_col_int(f, 0) : -2;
    if (rc == STORE_ROW && !store_col_is_null(f, 1) && !store_col_is_null(f, 2)) {
      keep = true;
      rev = store_col_int(f, 1);
      grev = store_col_int(f, 2);
    }
    store_reset(f);
    if (counted < 0) goto fail;
  }
  if (broad_all && no_filter) {
    store_stmt *f = store_prepare(c, &q_count_floor);
    if (!f) goto fail;
    int fi = scope_bind(f, 1, scope);
    store_bind_text(f, fi++, "");
    store_bind_text(f, fi++, "");
    store_bind_int(f, fi, PEOPLE_COUNT_CAP + 1);
    rc = store_step(f);
    int64_t floor_n = rc == STORE_ROW ? store_col_int(f, 0) : -2;
    store_reset(f);
    if (floor_n < 0) goto fail;
    if (floor_n > PEOPLE_COUNT_CAP) counted = floor_n;
  }
  if (a.kind == PEOPLE_Q_NAME && a.plan == PLAN_TERM && no_filter && a.nq.scope_all) {
    store_stmt *f = store_prepare(c, &q_count_term_all);
    if (!f) goto fail;
    store_bind_text(f, 1, a.term);
    int fi = people_bind_pats(f, 2, &a.nq);
    store_bind_int(f, fi, PEOPLE_COUNT_CAP + 1);
    rc = store_step(f);
    counted = rc == STORE_ROW ? store_col_int(f, 0) : -2;
    if (rc == STORE_ROW && !store_col_is_null(f, 1) && strlen(store_col_text(f, 1)) < sizeof a.from_key)
      snprintf(a.from_key, sizeof a.from_key, "%s", store_col_text(f, 1));
    if (counted == 0) snprintf(a.from_key, sizeof a.from_key, "\xef\xbf\xbf"); /* no match: nothing to read */
    store_reset(f);
    if (counted < 0) goto fail;
    a.term_all = true;
    lists[PEOPLE_Q_NAME] = &q_list_term_all;
  }
  if (counted < 0) {
    store_stmt *n = store_prepare(c, broad_all ? &q_count_all_b : counts[a.kind]);
    if (!n) goto fail;
    int ni = bind_list(n, scope, &a, his);
    store_bind_int(n, ni, PEOPLE_COUNT_CAP + 1);
    rc = store_step(n);
    counted = rc == STORE_ROW ? store_col_int(n, 0) : -2;
    store_reset(n);
    if (counted < 0) goto fail;
  }
  *total = counted > PEOPLE_COUNT_CAP ? -1 : counted;
  if (plain_unit) {
    if (unit_page_write(c, a.one_unit, q->page, q->per_page, a.ref, keep, rev, grev, items) != 0) goto fail;
    return 0;
  }
  store_stmt *s = store_prepare(c, broad_all ? &q_list_all_b : lists[a.kind]);
  if (!s) goto fail;
  int i = bind_list(s, scope, &a, his);
  store_bind_int(s, i++, q->per_page);
  store_bind_int(s, i++, (int64_t)(q->page - 1) * q->per_page);
  store_bind_int(s, i++, a.ref);
  buf_putc(items, '[');
  for (int k = 0; (rc = store_step(s)) == STORE_ROW; k++) {
    if (k) buf_putc(items, ',');
    summary_write(items, s, 12);
  }
  store_reset(s);
  buf_putc(items, ']');
  if (rc != STORE_DONE || items->oom) goto fail;
  return 0;
fail:
  items->len = items_at;
  if (items->data) items->data[items_at] = 0;
  return APP_INTERNAL(e);
}

int people_list(store_conn *c, const secrets *keys, const scope_sql *scope, const people_query *q, json_t **items_out,
                int64_t *total, people_q_kind *kind, app_err *e) {
  buf b;
  buf_init(&b);
  int rc = people_list_write(c, keys, scope, q, &b, total, kind, e);
  json_t *items = rc == 0 ? json_loadb(b.data, b.len, 0, NULL) : NULL;
  buf_free(&b);
  if (rc != 0) return rc;
  if (!items) return APP_INTERNAL(e);
  *items_out = items;
  return 0;
}

/* ---- deleted records: list, restore, purge ---- */
#include "domain/audit.h" /* the purge's entries (audit.h owns the log) */
/*
 * A soft-deleted person (deleted_at set) is listed to those who hold people.write on the
 * registering unit, may be restored by them until purge_after, and is deleted for good by
 * people_purge after it. The statements below are the only ones that read deleted people. */
STORE_SQL(q_del_reach, "SELECT p.unit_id, u.path FROM people p JOIN units u ON u.id = p.unit_id"
                       " WHERE p.id = ? AND p.deleted_at IS NOT NULL");
#define DELETED_WHERE                                                                               \
  " FROM people p JOIN units u ON u.id = p.unit_id WHERE p.deleted_at IS NOT NULL AND " SCOPE_IN("u.path") \
  " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?))"
STORE_SQL(q_del_list, SCOPE_WITH "SELECT p.id, p.full_name, p.birth_year, p.unit_id, u.name, p.deleted_at, p.purge_after"
                      DELETED_WHERE " ORDER BY p.deleted_at DESC, p.id DESC LIMIT ? OFFSET ?");
STORE_SQL(q_del_count, SCOPE_WITH "SELECT COUNT(*)" DELETED_WHERE);
#undef DELETED_WHERE
STORE_SQL(q_del_self, "SELECT cccd_hash, unit_id, name_key FROM people WHERE id = ? AND deleted_at IS NOT NULL");
STORE_SQL(q_restore, "UPDATE people SET deleted_at = NULL, purge_after = NULL, updated_at = ?"
                     " WHERE id = ? AND deleted_at IS NOT NULL");
/* PostgreSQL locks the chunk's rows, so that a restore running meanwhile waits and then finds
 * nothing to restore (404) rather than restoring a row being purged; SQLite's writer is one. */
#define PURGE_PICK "SELECT id, unit_id, name_key FROM people WHERE purge_after <= ? AND deleted_at IS NOT NULL" \
                   " ORDER BY purge_after, id LIMIT ?"
STORE_SQL2(q_purge_pick, PURGE_PICK, PURGE_PICK " FOR UPDATE");
#undef PURGE_PICK
/* memberships and data_requests go with the row (ON DELETE CASCADE, both backends); person_words
 * has no foreign key (migration 33): a deleted record's terms went at its delete, and any left are
 * dropped first (people_words_drop). */
STORE_SQL(q_purge_one, "DELETE FROM people WHERE id = ? AND deleted_at IS NOT NULL AND purge_after <= ?");

int people_reach_deleted(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e) {
  store_stmt *s = store_prepare(c, &q_del_reach);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *unit_id = store_col_int(s, 0);
    *path = arena_strdup(a, store_col_text(s, 1));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy hồ sơ đã xóa này (có thể đã được khôi phục hoặc đã bị xóa hẳn).");
  if (rc != STORE_ROW || !*path) return APP_INTERNAL(e);
  return 0;
}

static json_t *iso_or_null(store_stmt *s, int i) {
  if (store_col_is_null(s, i)) return json_null();
  char iso[32];
  clock_iso8601(store_col_int(s, i), iso, sizeof iso);
  return json_string(iso);
}

/* Binds the unit filter [lo, hi) (NULL: off) after the scope's parameters. */
static int bind_deleted(store_stmt *s, const scope_sql *scope, const char *lo, const char *hi) {
  int i = scope_bind(s, 1, scope);
  store_bind_text(s, i++, lo);
  store_bind_text(s, i++, lo ? lo : "");
  store_bind_text(s, i++, hi ? hi : "");
  return i;
}

int people_deleted_list(store_conn *c, const scope_sql *scope, int64_t unit_id, int page, int per_page,
                        json_t **items_out, int64_t *total, app_err *e) {
  char lo[512] = "", hi[512] = "";
  json_t *items = NULL;
  if (unit_id) {
    store_stmt *u = store_prepare(c, &q_unit_path);
    if (!u) return APP_INTERNAL(e);
    store_bind_int(u, 1, unit_id);
    int rc = store_step(u);
    if (rc == STORE_ROW) snprintf(lo, sizeof lo, "%s", store_col_text(u, 0));
    store_reset(u);
    if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
    if (rc != STORE_ROW || !lo[0]) return APP_INTERNAL(e);
    snprintf(hi, sizeof hi, "%s", lo);
    hi[strlen(hi) - 1] = '0'; /* "/1/2/" → "/1/20": just past every path below "/1/2/" ('/' + 1 = '0') */
  }
  store_stmt *n = store_prepare(c, &q_del_count);
  if (!n) goto fail;
  bind_deleted(n, scope, unit_id ? lo : NULL, hi);
  int rc = store_step(n);
  *total = rc == STORE_ROW ? store_col_int(n, 0) : -1;
  store_reset(n);
  if (*total < 0) goto fail;
  store_stmt *s = store_prepare(c, &q_del_list);
  items = json_array();
  if (!s || !items) goto fail;
  int i = bind_deleted(s, scope, unit_id ? lo : NULL, hi);
  store_bind_int(s, i++, per_page);
  store_bind_int(s, i++, (int64_t)(page - 1) * per_page);
  while ((rc = store_step(s)) == STORE_ROW) {
    json_t *o = json_pack("{s:I, s:s, s:o, s:I, s:s, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0), "full_name",
                          store_col_text(s, 1), "birth_year", int_or_null(s, 2), "unit_id",
                          (json_int_t)store_col_int(s, 3), "unit_name", store_col_text(s, 4) ? store_col_text(s, 4) : "",
                          "deleted_at", iso_or_null(s, 5), "purge_after", iso_or_null(s, 6));
    if (!o || json_array_append_new(items, o) != 0) {
      store_reset(s);
      goto fail;
    }
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  *items_out = items;
  return 0;
fail:
  json_decref(items);
  return APP_INTERNAL(e);
}

int people_restore(store_conn *w, int64_t id, int64_t *unit_id, app_err *e) {
  store_stmt *s = store_prepare(w, &q_del_self);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  char hash[80] = "", key[1024] = "";
  if (rc == STORE_ROW) {
    if (!store_col_is_null(s, 0)) snprintf(hash, sizeof hash, "%s", store_col_text(s, 0));
    *unit_id = store_col_int(s, 1);
    snprintf(key, sizeof key, "%s", store_col_text(s, 2) ? store_col_text(s, 2) : "");
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy hồ sơ đã xóa này (có thể đã được khôi phục hoặc đã bị xóa hẳn).");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  static const char *const taken =
      "Không thể khôi phục: số CCCD của hồ sơ này nay đã có trong hồ sơ của một người khác. Hãy kiểm tra và sửa "
      "hồ sơ kia trước.";
  if (hash[0]) {
    store_stmt *h = store_prepare(w, &q_by_hash);
    if (!h) return APP_INTERNAL(e);
    store_bind_text(h, 1, hash);
    store_bind_int(h, 2, id);
    rc = step_done(h);
    if (rc == STORE_ROW) return app_fail(e, 409, "conflict", "cccd", taken);
    if (rc != STORE_DONE) return APP_INTERNAL(e);
  }
  store_stmt *u = store_prepare(w, &q_restore);
  if (!u) return APP_INTERNAL(e);
  store_bind_int(u, 1, clock_now());
  store_bind_int(u, 2, id);
  rc = store_step(u);
  int64_t changed = rc == STORE_DONE ? store_changes(u) : 0;
  store_reset(u);
  if (rc == STORE_CONSTRAINT) return app_fail(e, 409, "conflict", "cccd", taken); /* a race with a new record */
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  /* Purged (or restored) since it was read: nothing to restore. */
  if (changed != 1) return app_fail(e, 404, "not_found", "id", "Không tìm thấy hồ sơ đã xóa này (có thể đã được khôi phục hoặc đã bị xóa hẳn).");
  /* Found by searches again. */
  return words_set(w, id, key, key) == 0 ? 0 : APP_INTERNAL(e);
}

/* One chunk: up to `chunk` people past `now`, each deleted with its audit entry, in one short
 * transaction. The number purged (*picked: how many were due), or -1 (rolled back). */
static int purge_chunk(store *st, int64_t now, int chunk, int *picked, char *err, size_t errlen) {
  store_conn *w = store_acquire(st, true);
  if (!w) {
    snprintf(err, errlen, "the database is unavailable");
    return -1;
  }
  int n = -1;
  int64_t *ids = calloc((size_t)chunk * 2, sizeof *ids);
  char **keys = calloc((size_t)chunk, sizeof *keys); /* each picked record's folded name */
  if (!ids || !keys) {
    snprintf(err, errlen, "out of memory");
    goto done;
  }
  if (store_begin(w) != STORE_OK) goto db_fail;
  store_stmt *s = store_prepare(w, &q_purge_pick);
  if (!s) goto db_fail_rb;
  store_bind_int(s, 1, now);
  store_bind_int(s, 2, chunk);
  int k = 0, done_n = 0, rc = STORE_DONE;
  while (k < chunk && (rc = store_step(s)) == STORE_ROW) {
    ids[2 * k] = store_col_int(s, 0);
    ids[2 * k + 1] = store_col_int(s, 1);
    keys[k] = strdup(store_col_text(s, 2) ? store_col_text(s, 2) : "");
    if (!keys[k++]) {
      store_reset(s);
      goto db_fail_rb;
    }
  }
  store_reset(s);
  if (k < chunk && rc != STORE_DONE) goto db_fail_rb;
  for (int i = 0; i < k; i++) {
    /* The account stays; only its link to the record goes (already done at the soft delete,
     * unless a link was made meanwhile: the foreign key would refuse the delete). */
    store_stmt *u = store_prepare(w, &q_unlink_deleted);
    if (!u) goto db_fail_rb;
    store_bind_int(u, 1, ids[2 * i]);
    if (step_done(u) != STORE_DONE) goto db_fail_rb;
    store_stmt *d = store_prepare(w, &q_purge_one);
    if (!d) goto db_fail_rb;
    store_bind_int(d, 1, ids[2 * i]);
    store_bind_int(d, 2, now);
    int drc = store_step(d);
    int64_t changed = drc == STORE_DONE ? store_changes(d) : 0;
    store_reset(d);
    if (drc != STORE_DONE) goto db_fail_rb;
    if (changed != 1) continue; /* restored meanwhile (the rows are locked on PostgreSQL: not expected) */
    if (people_words_drop(w, ids[2 * i], keys[i]) != 0) goto db_fail_rb;
    /* The entry keeps the trail (who was purged, when, under which unit): no name, no data. */
    audit_entry a = {.action = "person.purge", .entity = "person", .entity_id = ids[2 * i], .unit_id = ids[2 * i + 1]};
    if (audit_append(w, &a) != 0) goto db_fail_rb;
    done_n++;
  }
  if (store_commit(w) != STORE_OK) goto db_fail_rb;
  n = done_n;
  *picked = k;
  goto done;
db_fail_rb:
  snprintf(err, errlen, "%s", store_errmsg(w));
  store_rollback(w);
  goto done;
db_fail:
  snprintf(err, errlen, "%s", store_errmsg(w));
done:
  for (int i = 0; keys && i < chunk; i++) free(keys[i]);
  free(keys);
  free(ids);
  store_release(w);
  return n;
}

int people_purge(store *st, int64_t now, int chunk, const atomic_bool *stop, int64_t *purged, char *err,
                 size_t errlen) {
  *purged = 0;
  if (chunk < 1) chunk = PEOPLE_PURGE_CHUNK;
  for (;;) {
    if (stop && atomic_load(stop)) return 0;
    /* The writer is given back between chunks: requests queued behind it go first. */
    int picked = 0;
    int n = purge_chunk(st, now, chunk, &picked, err, errlen);
    if (n < 0) return -1;
    *purged += n;
    if (picked < chunk) return 0;
  }
}

/* ---- the demo ward's deleted records ---- */
STORE_SQL(q_demo_has, "SELECT 1 FROM people WHERE unit_id = ? AND name_key = ?");

int people_demo_deleted(store_conn *w, int64_t unit_id, const char *full_name, int birth_year, int64_t deleted_ago,
                        int retention_days, int *added, app_err *e) {
  char *key = text_fold(full_name);
  if (!key) return APP_INTERNAL(e);
  store_stmt *s = store_prepare(w, &q_demo_has);
  int rc = -1;
  if (!s) goto done;
  store_bind_int(s, 1, unit_id);
  store_bind_text(s, 2, key);
  rc = step_done(s);
  if (rc == STORE_ROW) { /* loaded before (the demo may be loaded again) */
    rc = 0;
    goto done;
  }
  if (rc != STORE_DONE) {
    rc = -1;
    goto done;
  }
  char year[8];
  snprintf(year, sizeof year, "%d", birth_year);
  person_input in = {.full_name = full_name, .birth_date = year, .vneid_level = -1, .unit_id = unit_id};
  int64_t id = 0;
  rc = -1;
  if (people_create(w, NULL, &in, &id, e) != 0) goto done; /* no CCCD: no keys needed */
  int64_t at = clock_now() - deleted_ago;
  store_stmt *d = store_prepare(w, &q_delete);
  if (!d) goto done;
  store_bind_int(d, 1, at);
  store_bind_int(d, 2, at + (int64_t)retention_days * 86400);
  store_bind_int(d, 3, at);
  store_bind_int(d, 4, id);
  if (step_done(d) != STORE_DONE) goto done;
  (*added)++;
  rc = 0;
done:
  free(key);
  return rc == 0 ? 0 : (e->status ? -1 : APP_INTERNAL(e));
}

/* ---- what ties a unit to the registry (people.h) ---- */
STORE_SQL(q_unit_holds, "SELECT (SELECT COUNT(*) FROM people WHERE unit_id = ? AND deleted_at IS NULL),"
                        " (SELECT COUNT(*) FROM people WHERE unit_id = ? AND deleted_at IS NOT NULL),"
                        " (SELECT COUNT(*) FROM households WHERE unit_id = ?),"
                        " (SELECT COUNT(*) FROM memberships WHERE unit_id = ?)");

int people_unit_holds(store_conn *c, int64_t unit_id, people_unit_hold *out) {
  memset(out, 0, sizeof *out);
  store_stmt *s = store_prepare(c, &q_unit_holds);
  if (!s) return -1;
  for (int i = 1; i <= 4; i++) store_bind_int(s, i, unit_id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    out->live = store_col_int(s, 0);
    out->deleted = store_col_int(s, 1);
    out->households = store_col_int(s, 2);
    out->members = store_col_int(s, 3);
  }
  store_reset(s);
  return rc == STORE_ROW ? 0 : -1;
}

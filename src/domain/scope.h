/* scope.h: who is calling and what they may reach.
 * A principal is a logged-in user with grants (role on a unit); a capability on a unit holds
 * when some grant with that capability sits on the unit or one of its ancestors. Units carry
 * their materialised path ("/1/5/23/"), so the check is a prefix comparison, and a subtree
 * in SQL is the range [path, path with its last '/' raised to '0').
 * Owns: the in-memory checks (scope_can…) and the one SQL fragment by which list queries join
 * the caller's grants (SCOPE_IN…, bound by scope_bind). Never: a list whose SQL shape depends
 * on how many grants the caller holds.
 */
#ifndef HOCVUSO_SCOPE_H
#define HOCVUSO_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/caps.h"
#include "domain/err.h"
#include "store/store.h"

typedef struct grant {
  int64_t id;
  const char *role;
  const char *role_label;
  int64_t unit_id;
  const char *unit_name;
  const char *unit_path;
  caps_t caps;
} grant;

typedef struct principal {
  int64_t user_id;
  int64_t session_id;
  const char *username;
  const char *display_name;
  grant *grants;
  int ngrants;
  caps_t caps_any; /* union over grants: the capability somewhere */
  int64_t last_seen;
  char csrf[65];
  bool must_change_password; /* the owner must set a new password before anything else */
} principal;

bool scope_path_within(const char *path, const char *root_path);
/* The capability (every bit of `cap`) on the unit whose path is given. */
bool scope_can(const principal *p, caps_t cap, const char *unit_path);
/* Every capability of `caps` on the unit, each possibly from a different grant: what granting
 * a role whose capabilities are `caps` on that unit requires. */
bool scope_can_each(const principal *p, caps_t caps, const char *unit_path);
/* The capability on a top-level unit (depth 0): the whole of one tree. */
bool scope_at_top(const principal *p, caps_t cap);
/* The upper bound of a subtree range for `path` ("/1/5/" -> "/1/50"), in `a`. */
struct arena;
const char *scope_hi(struct arena *a, const char *path);

/* ---- scope in SQL ----
 * A list takes its scope by joining the caller's grants in the statement itself. SCOPE_WITH opens
 * the statement with the CTE sc_(lo, hi, top): one row per grant of the caller whose role carries
 * the capability, its unit's subtree as the range [lo, hi) and the unit's depth (or, for the
 * operator, one row per top-level unit). The roles are bound as one string (",ward_admin,
 * unit_officer,") matched with LIKE, the subtree bound is computed with substr/length (both
 * dialects have them), and the CTE is computed once per statement: the SQL is the same whatever
 * the number of grants. SCOPE_WITH takes SCOPE_PARAMS parameters, bound first by scope_bind(s, 1,
 * …); the fragments below use sc_ and take none. */
typedef struct scope_sql {
  bool all;        /* the operator (CLI): everything */
  int64_t user_id; /* whose grants define the scope; 0: nobody's (nothing) */
  char roles[192]; /* ",role,role,": the roles that carry the capability */
} scope_sql;

#define SCOPE_PARAMS 3
#define SCOPE_HI_(p) "substr(" p ", 1, length(" p ") - 1) || '0'"
#define SCOPE_WITH                                                                                            \
  "WITH sc_(lo, hi, top) AS MATERIALIZED (SELECT su_.path, " SCOPE_HI_("su_.path") ", su_.depth FROM units su_" \
  " WHERE ? = 1 AND su_.depth = 0 UNION ALL SELECT su_.path, " SCOPE_HI_("su_.path") ", su_.depth"             \
  " FROM user_roles sg_ JOIN units su_ ON su_.id = sg_.unit_id WHERE sg_.user_id = ?"                          \
  " AND (? LIKE ('%,' || sg_.role || ',%'))) "
/* The unit path `col` lies in the scope. */
#define SCOPE_IN(col) "EXISTS (SELECT 1 FROM sc_ WHERE " col " >= sc_.lo AND " col " < sc_.hi)"
/* The scope starts at a top-level unit (it covers one whole tree). */
#define SCOPE_AT_TOP "EXISTS (SELECT 1 FROM sc_ WHERE sc_.top = 0)"
/* The unit path `col` is a root of the scope: a grant's unit below no other. */
#define SCOPE_ROOT(col)                                                                               \
  "(EXISTS (SELECT 1 FROM sc_ WHERE sc_.lo = " col ") AND NOT EXISTS (SELECT 1 FROM sc_ WHERE " col " > sc_.lo" \
  " AND " col " < sc_.hi))"

/* The scope of `p` for `cap` (p NULL: nothing). */
void scope_sql_of(scope_sql *s, const principal *p, caps_t cap);
/* Everything (the operator's command line). */
void scope_sql_all(scope_sql *s);
/* Binds SCOPE_WITH's parameters from index `i` (1: it opens the statement); returns the next. */
int scope_bind(store_stmt *st, int i, const scope_sql *s);

/* The unit an object is scoped by, read with `q` (one id parameter; columns: unit id, unit path):
 * *unit_id and *path (in the arena). 404 naming "id" with `missing` (Vietnamese) when no row. The
 * `*_reach` functions of the modules are this with their own statement and message. */
int scope_reach(store_conn *c, const store_sql *q, int64_t id, struct arena *a, int64_t *unit_id, const char **path,
                const char *missing, app_err *e);

#endif

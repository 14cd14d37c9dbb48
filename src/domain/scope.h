/* scope.h: who is calling and what they may reach.
 * A principal is a logged-in user with grants (role on a unit); a capability on a unit holds
 * when some grant with that capability sits on the unit or one of its ancestors. Units carry
 * their materialised path ("/1/5/23/"), so the check is a prefix comparison, and a subtree
 * in SQL is the range [path, path with its last '/' raised to '0').
 */
#ifndef HOCVUSO_SCOPE_H
#define HOCVUSO_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/caps.h"

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

/* Up to this many subtree roots take part in list queries (each query binds this many ranges). */
#define SCOPE_MAX_ROOTS 4

typedef struct scope_ranges {
  const char *lo[SCOPE_MAX_ROOTS]; /* "" when unused: the empty range matches nothing */
  const char *hi[SCOPE_MAX_ROOTS];
  int n;
  bool has_root; /* some root is a top-level unit (depth 0) */
} scope_ranges;

bool scope_path_within(const char *path, const char *root_path);
/* The capability on the unit whose path is given. */
bool scope_can(const principal *p, caps_t cap, const char *unit_path);
/* The minimal set of grant units that give `cap`, as ranges; strings are in `a`. */
struct arena;
void scope_roots(const principal *p, caps_t cap, struct arena *a, scope_ranges *out);
/* The upper bound of a subtree range for `path` ("/1/5/" -> "/1/50"), in `a`. */
const char *scope_hi(struct arena *a, const char *path);

#endif

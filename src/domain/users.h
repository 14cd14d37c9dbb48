/* users.h: accounts and the roles granted to them on units.
 * Owns: the users and user_roles tables, password hashing (argon2id, libsodium).
 * Never: returns or logs a password hash; never stores a password in clear.
 */
#ifndef HOCVUSO_USERS_H
#define HOCVUSO_USERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"

#include "domain/password.h"

#define PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES, with its NUL */

typedef struct user_list_query {
  const char *q;
  int64_t unit_id; /* 0: any */
  const char *unit_lo, *unit_hi; /* subtree of unit_id */
  const char *after; /* keyset: the page after this username (then `page` is ignored and no total is counted) */
  int page, per_page;
} user_list_query;

/* Checks a new password's length and strength (password.h); `field` names it in the error,
 * which is added to `e` (several field errors may be gathered). */
int users_check_password(const char *password, const char *field, app_err *e);
/* The same for a new password of an existing account, which must not be made of its user name
 * or its display name either (a reader is enough). */
int users_check_password_of(store_conn *c, int64_t id, const char *password, const char *field, app_err *e);
/* Checks every field of a new account at once (username, display name, password): 0, or -1
 * with each fault in e->errs. Does not touch the database. */
int users_check_new(const char *username, const char *display_name, const char *password, app_err *e);

/* argon2id (slow, on purpose): never call these on a request thread, nor while holding a
 * database connection. The hashing pool (util/hashpool.c) runs them. 0 on success. */
int users_hash_password(const char *password, char out[PASSWORD_HASH_MAX]);
/* 0 when `password` matches `hash`; -1 otherwise. An empty or NULL hash (an unknown account)
 * is verified against a dummy hash, so that it costs the same time, and fails. */
int users_verify_hash(const char *hash, const char *password);

/* Creates an account from an already computed hash (users_hash_password). Checks the username
 * and the display name (all faults at once) and the unit. */
int users_create(store_conn *w, const char *username, const char *display_name, const char *hash, int64_t unit_id,
                 bool must_change_password, int64_t *id, app_err *e);
/* What a log-in needs, read on any connection: 1 with the id, flags and hash when the account
 * exists, 0 when not, -1 on a database error. */
int users_login_info(store_conn *c, const char *username, int64_t *id, bool *disabled, bool *must_change,
                     char hash[PASSWORD_HASH_MAX]);
/* The stored hash of an account: 1, 0 when absent, -1 on error. */
int users_hash_of(store_conn *c, int64_t id, char hash[PASSWORD_HASH_MAX]);
/* Conveniences that read and verify in one call (the CLI and tests; they hash on the calling
 * thread). 0 when right; -1 otherwise. */
int users_verify(store_conn *c, const char *username, const char *password, int64_t *id, bool *disabled);
int users_verify_id(store_conn *c, int64_t id, const char *password);
/* Stores an already computed hash; `must_change` forces a new password at the next log-in. */
int users_set_password(store_conn *w, int64_t id, const char *hash, bool must_change, app_err *e);
int users_set_disabled(store_conn *w, int64_t id, bool disabled, app_err *e);
int users_set_name(store_conn *w, int64_t id, const char *display_name, app_err *e);
int64_t users_find(store_conn *c, const char *username);
/* 1 when an account with this id exists, 0 when not, -1 on a database error. */
int users_exists(store_conn *c, int64_t id);
int64_t users_count(store_conn *c);
/* The user as JSON with those roles that lie in `roles_scope` (NULL: all); 404 when absent. */
int users_get(store_conn *c, int64_t id, const scope_sql *roles_scope, json_t **out, app_err *e);
/* Where an account reaches: the path of its home unit (NULL: none) and of each grant's unit. */
typedef struct user_reach {
  const char *home;
  const char **grants;
  int ngrants;
} user_reach;
int users_reach(store_conn *c, int64_t id, arena *a, user_reach *out, app_err *e);
/* Visible to `p` for `cap`: the home unit or some grant lies in p's scope; an account with
 * neither is visible from a top-level unit. What reading an account needs. */
bool users_visible(const principal *p, caps_t cap, const user_reach *u);
/* Managed by `p` for `cap`: the home unit (none: a top-level scope) and EVERY grant lie in p's
 * scope, so that a grant on one's own unit cannot bring an account from above into one's reach.
 * What any change to an account (edit, disable, password, grant, revoke) needs. */
bool users_managed(const principal *p, caps_t cap, const user_reach *u);
/* Accounts visible in `scope` (home unit or a grant in it), by username, each with the roles
 * that lie in the scope, in one statement. *total is -1 when not counted (q->after set). */
int users_list(store_conn *c, const scope_sql *scope, const user_list_query *q, json_t **items, int64_t *total,
               app_err *e);

/* Roles */
int roles_grant(store_conn *w, int64_t user_id, const char *role, int64_t unit_id, int64_t granted_by, int64_t *grant_id,
                app_err *e);
/* Finds a grant of this user: its unit's path (for the scope check) and role. */
int roles_get(store_conn *c, int64_t user_id, int64_t grant_id, arena *a, const char **unit_path, const char **role,
              int64_t *unit_id, app_err *e);
int roles_revoke(store_conn *w, int64_t user_id, int64_t grant_id, app_err *e);
/* Revokes by role and unit (for the CLI). */
int roles_revoke_by(store_conn *w, int64_t user_id, const char *role, int64_t unit_id, app_err *e);
/* The roles of a user as a JSON array [{id, role, role_label, unit_id, unit_name}]. */
json_t *roles_of(store_conn *c, int64_t user_id);

#endif

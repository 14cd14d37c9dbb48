/* users.c: accounts and role grants (see users.h). Only this file writes SQL about users
 * and user_roles. */
#include "domain/users.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "domain/authcache.h"
#include "domain/caps.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/utf8.h"

/* argon2id at OWASP's recommended minimum (19 MiB, 2 passes): about 40 ms here, and a burst
 * of log-ins cannot exhaust memory the way the 64 MiB "interactive" limit could. */
#define PW_OPS 2
#define PW_MEM (19u * 1024u * 1024u)

STORE_SQL(q_insert, "INSERT INTO users (username, display_name, name_fold, password_hash, disabled, unit_id,"
                    " created_at, updated_at, must_change_password) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_by_name, "SELECT id, password_hash, disabled, must_change_password FROM users WHERE username = ?");
STORE_SQL(q_hash_by_id, "SELECT password_hash FROM users WHERE id = ?");
STORE_SQL(q_names_of, "SELECT username, display_name FROM users WHERE id = ?");
STORE_SQL(q_set_pw, "UPDATE users SET password_hash = ?, updated_at = ?, must_change_password = ? WHERE id = ?");
STORE_SQL(q_set_disabled, "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?");
STORE_SQL(q_set_name, "UPDATE users SET display_name = ?, name_fold = ?, updated_at = ? WHERE id = ?");
STORE_SQL(q_find, "SELECT id FROM users WHERE username = ?");
STORE_SQL(q_count, "SELECT COUNT(*) FROM users");
#define USER_COLS "u.id, u.username, u.display_name, u.disabled, u.created_at, u.unit_id, hu.name"
/* An account's roles that lie in the reader's scope (the grants' units checked one by one). */
#define ROLES_IN_SCOPE(uid)                                                                               \
  " LEFT JOIN user_roles r ON r.user_id = " uid " AND EXISTS (SELECT 1 FROM units rx WHERE rx.id = r.unit_id" \
  " AND " SCOPE_IN("rx.path") ") LEFT JOIN units ru ON ru.id = r.unit_id"
/* One account with those of its roles that lie in the reader's scope. */
STORE_SQL(q_get, SCOPE_WITH "SELECT " USER_COLS ", r.id, r.role, r.unit_id, ru.name FROM users u"
                 " LEFT JOIN units hu ON hu.id = u.unit_id" ROLES_IN_SCOPE("u.id") " WHERE u.id = ? ORDER BY r.id");
STORE_SQL(q_roles, "SELECT r.id, r.role, r.unit_id, un.name FROM user_roles r JOIN units un ON un.id = r.unit_id"
                   " WHERE r.user_id = ? ORDER BY r.id");
/* Where an account reaches: its home unit and the unit of every grant (for the dispatcher). */
STORE_SQL(q_reach, "SELECT hu.path, ru.path FROM users u LEFT JOIN units hu ON hu.id = u.unit_id"
                   " LEFT JOIN user_roles r ON r.user_id = u.id LEFT JOIN units ru ON ru.id = r.unit_id WHERE u.id = ?");
/* Visible in scope: the home unit, or a grant, lies in the scope (the caller's grants joined in
 * SQL, scope.h); grant-less accounts without a home unit are visible to whoever holds the
 * capability on a top-level unit. */
#define USER_SCOPE                                                                                        \
  "(" SCOPE_IN("hu.path") " OR EXISTS (SELECT 1 FROM user_roles r JOIN units ru ON ru.id = r.unit_id"     \
  " WHERE r.user_id = u.id AND " SCOPE_IN("ru.path") ") OR (u.unit_id IS NULL AND " SCOPE_AT_TOP            \
  " AND NOT EXISTS (SELECT 1 FROM user_roles r2 WHERE r2.user_id = u.id)))"
#define USER_FILTER                                                                                   \
  " AND (CAST(? AS TEXT) IS NULL OR u.name_fold LIKE ? ESCAPE '\\' OR u.username LIKE ? ESCAPE '\\')" \
  " AND (CAST(? AS TEXT) IS NULL OR (hu.path >= ? AND hu.path < ?) OR EXISTS (SELECT 1 FROM user_roles r3"  \
  " JOIN units u3 ON u3.id = r3.unit_id WHERE r3.user_id = u.id AND u3.path >= ? AND u3.path < ?))"
/* A page (keyset: after a username; or an offset), then the page's roles in the same statement:
 * no query per listed account. */
STORE_SQL(q_list, SCOPE_WITH "SELECT p.id, p.username, p.display_name, p.disabled, p.created_at, p.unit_id,"
                  " p.unit_name, r.id, r.role, r.unit_id, ru.name FROM (SELECT " USER_COLS " AS unit_name FROM users u"
                  " LEFT JOIN units hu ON hu.id = u.unit_id WHERE " USER_SCOPE USER_FILTER
                  " AND (CAST(? AS TEXT) IS NULL OR u.username > ?) ORDER BY u.username LIMIT ? OFFSET ?) p"
                  ROLES_IN_SCOPE("p.id") " ORDER BY p.username, r.id");
STORE_SQL(q_list_n, SCOPE_WITH "SELECT COUNT(*) FROM users u LEFT JOIN units hu ON hu.id = u.unit_id WHERE " USER_SCOPE
                    USER_FILTER);
STORE_SQL(q_grant, "INSERT INTO user_roles (user_id, role, unit_id, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)"
                   " RETURNING id");
STORE_SQL(q_grant_get, "SELECT un.path, r.role, r.unit_id FROM user_roles r JOIN units un ON un.id = r.unit_id"
                       " WHERE r.id = ? AND r.user_id = ?");
STORE_SQL(q_revoke, "DELETE FROM user_roles WHERE id = ? AND user_id = ?");
STORE_SQL(q_revoke_by, "DELETE FROM user_roles WHERE user_id = ? AND role = ? AND unit_id = ?");
STORE_SQL(q_user_exists, "SELECT 1 FROM users WHERE id = ?");
STORE_SQL(q_unit_exists, "SELECT 1 FROM units WHERE id = ?");

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES, "PASSWORD_HASH_MAX is libsodium's string size");

int users_check_password(const char *pw, const char *field, app_err *e) {
  return password_check(pw, field, NULL, NULL, e);
}

int users_check_password_of(store_conn *c, int64_t id, const char *pw, const char *field, app_err *e) {
  store_stmt *s = store_prepare(c, &q_names_of);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s), ret;
  if (rc == STORE_ROW)
    ret = password_check(pw, field, store_col_text(s, 0), store_col_text(s, 1), e);
  else if (rc == STORE_DONE)
    ret = password_check(pw, field, NULL, NULL, e);
  else
    ret = APP_INTERNAL(e);
  store_reset(s);
  return ret;
}

static int check_username(const char *u, app_err *e) {
  size_t n = strlen(u);
  if (n < 3 || n > 32)
    return app_add(e, 400, "invalid_value", "username", "Tên đăng nhập phải có từ 3 đến 32 ký tự.");
  for (size_t i = 0; i < n; i++) {
    char c = u[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return app_add(e, 400, "invalid_value", "username",
                     "Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số và các dấu . _ -");
  }
  return 0;
}

static int check_display_name(const char *d, app_err *e) {
  size_t n = utf8_length(d, strlen(d));
  if (n < 2 || n > 100)
    return app_add(e, 400, "invalid_value", "display_name", "Họ và tên phải có từ 2 đến 100 ký tự.");
  return 0;
}

int users_check_new(const char *username, const char *display_name, const char *password, app_err *e) {
  int bad = check_username(username, e);
  char *name = text_clean(display_name);
  if (!name) return APP_INTERNAL(e);
  bad |= check_display_name(name, e);
  bad |= password_check(password, "password", username, name, e);
  free(name);
  return bad ? -1 : 0;
}

int users_hash_password(const char *pw, char out[PASSWORD_HASH_MAX]) {
  return crypto_pwhash_str(out, pw, strlen(pw), PW_OPS, PW_MEM) == 0 ? 0 : -1;
}

static int exists(store_conn *c, const store_sql *q, int64_t id) {
  store_stmt *s = store_prepare(c, q);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

int users_create(store_conn *w, const char *username, const char *display_name, const char *hash, int64_t unit_id,
                 bool must_change, int64_t *id_out, app_err *e) {
  if (!hash || !hash[0]) return APP_INTERNAL(e);
  int bad = check_username(username, e);
  if (unit_id) {
    int ex = exists(w, &q_unit_exists, unit_id);
    if (ex < 0) return APP_INTERNAL(e);
    if (!ex && !bad) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
  }
  char *name = text_clean(display_name), *fold = name ? text_fold(name) : NULL;
  int ret = -1;
  if (name) bad |= check_display_name(name, e);
  if (bad) goto done;
  store_stmt *s = (name && fold) ? store_prepare(w, &q_insert) : NULL;
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  int64_t now = clock_now();
  store_bind_text(s, 1, username);
  store_bind_text(s, 2, name);
  store_bind_text(s, 3, fold);
  store_bind_text(s, 4, hash);
  store_bind_id(s, 5, unit_id);
  store_bind_int(s, 6, now);
  store_bind_int(s, 7, now);
  store_bind_int(s, 8, must_change ? 1 : 0);
  int64_t id = 0;
  int rc = store_insert_id(s, &id);
  if (rc == STORE_CONSTRAINT) {
    app_fail(e, 409, "conflict", "username", "Tên đăng nhập này đã có người dùng.");
    goto done;
  }
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto done;
  }
  *id_out = id;
  ret = 0;
done:
  free(name);
  free(fold);
  return ret;
}

/* A hash of a random password, so that an unknown user costs one verification too. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static void dummy_init(void) {
  char pw[33];
  randombytes_buf(pw, 32);
  for (int i = 0; i < 32; i++) pw[i] = (char)('a' + ((unsigned char)pw[i] % 26));
  pw[32] = '\0';
  if (users_hash_password(pw, dummy_hash) != 0) dummy_hash[0] = '\0';
}

int users_verify_hash(const char *hash, const char *password) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  if (!hash || !hash[0]) {
    pthread_once(&once, dummy_init);
    /* The same work as a real account, and a failure whatever the result. */
    if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0) return -1;
    return -1;
  }
  return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : -1;
}

int users_login_info(store_conn *c, const char *username, int64_t *id, bool *disabled, bool *must_change,
                     char hash[PASSWORD_HASH_MAX]) {
  store_stmt *s = store_prepare(c, &q_by_name);
  if (!s) return -1;
  store_bind_text(s, 1, username);
  hash[0] = '\0';
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *id = store_col_int(s, 0);
    const char *h = store_col_text(s, 1);
    if (h && strlen(h) < PASSWORD_HASH_MAX) memcpy(hash, h, strlen(h) + 1);
    *disabled = store_col_int(s, 2) != 0;
    *must_change = store_col_int(s, 3) != 0;
  }
  store_reset(s);
  return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

int users_hash_of(store_conn *c, int64_t id, char hash[PASSWORD_HASH_MAX]) {
  store_stmt *s = store_prepare(c, &q_hash_by_id);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  hash[0] = '\0';
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    const char *h = store_col_text(s, 0);
    if (h && strlen(h) < PASSWORD_HASH_MAX) memcpy(hash, h, strlen(h) + 1);
  }
  store_reset(s);
  return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

int users_verify(store_conn *c, const char *username, const char *password, int64_t *id, bool *disabled) {
  char hash[PASSWORD_HASH_MAX];
  bool must = false;
  int found = users_login_info(c, username, id, disabled, &must, hash);
  if (found < 0) return -1;
  return users_verify_hash(found ? hash : NULL, password);
}

int users_verify_id(store_conn *c, int64_t id, const char *password) {
  char hash[PASSWORD_HASH_MAX];
  if (users_hash_of(c, id, hash) != 1 || !hash[0]) return -1;
  return users_verify_hash(hash, password);
}

static int update_one(store_stmt *s, app_err *e) {
  int rc = store_step(s);
  int64_t n = store_changes(s);
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  if (n == 0) return app_fail(e, 404, "not_found", "id", "Không tìm thấy tài khoản.");
  return 0;
}

int users_set_password(store_conn *w, int64_t id, const char *hash, bool must_change, app_err *e) {
  if (!hash || !hash[0]) return APP_INTERNAL(e);
  if (authcache_changed(w, AUTH_CHANGED_USER, id) != 0) return APP_INTERNAL(e);
  store_stmt *s = store_prepare(w, &q_set_pw);
  if (!s) return APP_INTERNAL(e);
  store_bind_text(s, 1, hash);
  store_bind_int(s, 2, clock_now());
  store_bind_int(s, 3, must_change ? 1 : 0);
  store_bind_int(s, 4, id);
  return update_one(s, e);
}

int users_set_disabled(store_conn *w, int64_t id, bool disabled, app_err *e) {
  if (authcache_changed(w, AUTH_CHANGED_USER, id) != 0) return APP_INTERNAL(e);
  store_stmt *s = store_prepare(w, &q_set_disabled);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, disabled ? 1 : 0);
  store_bind_int(s, 2, clock_now());
  store_bind_int(s, 3, id);
  return update_one(s, e);
}

int users_set_name(store_conn *w, int64_t id, const char *display_name, app_err *e) {
  if (authcache_changed(w, AUTH_CHANGED_USER, id) != 0) return APP_INTERNAL(e); /* the principal shows it */
  char *name = text_clean(display_name), *fold = name ? text_fold(name) : NULL;
  store_stmt *s = (name && fold) ? store_prepare(w, &q_set_name) : NULL;
  int ret;
  if (name && check_display_name(name, e) != 0) {
    ret = -1;
  } else if (!s) {
    ret = APP_INTERNAL(e);
  } else {
    store_bind_text(s, 1, name);
    store_bind_text(s, 2, fold);
    store_bind_int(s, 3, clock_now());
    store_bind_int(s, 4, id);
    ret = update_one(s, e);
  }
  free(name);
  free(fold);
  return ret;
}

int users_exists(store_conn *c, int64_t id) { return exists(c, &q_user_exists, id); }

int64_t users_find(store_conn *c, const char *username) {
  store_stmt *s = store_prepare(c, &q_find);
  if (!s) return 0;
  store_bind_text(s, 1, username);
  int64_t id = store_step(s) == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  return id;
}

int64_t users_count(store_conn *c) {
  store_stmt *s = store_prepare(c, &q_count);
  if (!s) return -1;
  int64_t n = store_step(s) == STORE_ROW ? store_col_int(s, 0) : -1;
  store_reset(s);
  return n;
}

static json_t *user_row(store_stmt *s) {
  char at[32];
  clock_iso8601(store_col_int(s, 4), at, sizeof at);
  return json_pack("{s:I, s:s, s:s, s:b, s:s, s:o, s:o, s:[]}", "id", (json_int_t)store_col_int(s, 0), "username",
                   store_col_text(s, 1), "display_name", store_col_text(s, 2), "disabled", store_col_int(s, 3) != 0,
                   "created_at", at, "unit_id",
                   store_col_is_null(s, 5) ? json_null() : json_integer(store_col_int(s, 5)), "unit_name",
                   store_col_is_null(s, 6) ? json_null() : json_string(store_col_text(s, 6)), "roles");
}

/* Appends the role in columns 7-10 (when there is one) to the account's roles. */
static void add_role(json_t *user, store_stmt *s) {
  if (store_col_is_null(s, 7)) return;
  const char *role = store_col_text(s, 8);
  const role_info *ri = role_find(role);
  json_array_append_new(json_object_get(user, "roles"),
                        json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)store_col_int(s, 7), "role", role,
                                  "role_label", ri ? ri->label : role, "unit_id", (json_int_t)store_col_int(s, 9),
                                  "unit_name", store_col_text(s, 10) ? store_col_text(s, 10) : ""));
}

int users_get(store_conn *c, int64_t id, const scope_sql *roles_scope, json_t **out, app_err *e) {
  scope_sql all;
  if (!roles_scope) {
    scope_sql_all(&all);
    roles_scope = &all;
  }
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, scope_bind(s, 1, roles_scope), id);
  json_t *o = NULL;
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    if (!o) o = user_row(s);
    if (o) add_role(o, s);
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(o);
    return APP_INTERNAL(e);
  }
  if (!o) return app_fail(e, 404, "not_found", "id", "Không tìm thấy tài khoản.");
  *out = o;
  return 0;
}

int users_reach(store_conn *c, int64_t id, arena *a, user_reach *out, app_err *e) {
  memset(out, 0, sizeof *out);
  store_stmt *s = store_prepare(c, &q_reach);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc, rows = 0, cap = 0;
  while ((rc = store_step(s)) == STORE_ROW) {
    if (rows++ == 0 && !store_col_is_null(s, 0)) out->home = arena_strdup(a, store_col_text(s, 0));
    if (store_col_is_null(s, 1)) continue;
    if (out->ngrants == cap) {
      int ncap = cap ? cap * 2 : 8;
      const char **g = arena_alloc(a, sizeof *g * (size_t)ncap);
      if (out->ngrants) memcpy(g, out->grants, sizeof *g * (size_t)out->ngrants);
      out->grants = g;
      cap = ncap;
    }
    out->grants[out->ngrants++] = arena_strdup(a, store_col_text(s, 1));
  }
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  if (!rows) return app_fail(e, 404, "not_found", "id", "Không tìm thấy tài khoản.");
  return 0;
}

bool users_visible(const principal *p, caps_t cap, const user_reach *u) {
  if (u->home && scope_can(p, cap, u->home)) return true;
  for (int i = 0; i < u->ngrants; i++)
    if (scope_can(p, cap, u->grants[i])) return true;
  return !u->home && !u->ngrants && scope_at_top(p, cap);
}

bool users_managed(const principal *p, caps_t cap, const user_reach *u) {
  if (u->home ? !scope_can(p, cap, u->home) : !scope_at_top(p, cap)) return false;
  for (int i = 0; i < u->ngrants; i++)
    if (!scope_can(p, cap, u->grants[i])) return false;
  return true;
}

static int bind_filter(store_stmt *s, int i, const char *like, const user_list_query *q) {
  store_bind_text(s, i++, like);
  store_bind_text(s, i++, like);
  store_bind_text(s, i++, like);
  const char *lo = q->unit_id ? q->unit_lo : NULL;
  store_bind_text(s, i++, lo);
  store_bind_text(s, i++, lo ? q->unit_lo : "");
  store_bind_text(s, i++, lo ? q->unit_hi : "");
  store_bind_text(s, i++, lo ? q->unit_lo : "");
  store_bind_text(s, i++, lo ? q->unit_hi : "");
  return i;
}


int users_list(store_conn *c, const scope_sql *scope, const user_list_query *q, json_t **items_out, int64_t *total,
               app_err *e) {
  char *like = (q->q && *q->q) ? text_like_pattern(q->q) : NULL;
  json_t *items = json_array();
  if ((q->q && *q->q && !like) || !items) goto fail;
  *total = -1;
  int rc;
  /* Counting scans the whole scope: only for a first look, never while walking with `after`. */
  if (!q->after) {
    store_stmt *n = store_prepare(c, &q_list_n);
    if (!n) goto fail;
    bind_filter(n, scope_bind(n, 1, scope), like, q);
    rc = store_step(n);
    *total = rc == STORE_ROW ? store_col_int(n, 0) : -1;
    store_reset(n);
    if (*total < 0) goto fail;
  }
  store_stmt *s = store_prepare(c, &q_list);
  if (!s) goto fail;
  int i = bind_filter(s, scope_bind(s, 1, scope), like, q);
  store_bind_text(s, i++, q->after);
  store_bind_text(s, i++, q->after ? q->after : "");
  store_bind_int(s, i++, q->per_page);
  store_bind_int(s, i, q->after ? 0 : (int64_t)(q->page - 1) * q->per_page);
  json_t *cur = NULL;
  int64_t cur_id = 0;
  while ((rc = store_step(s)) == STORE_ROW) {
    if (!cur || store_col_int(s, 0) != cur_id) {
      cur = user_row(s);
      cur_id = store_col_int(s, 0);
      if (!cur || json_array_append_new(items, cur) != 0) {
        store_reset(s);
        goto fail;
      }
    }
    add_role(cur, s);
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  free(like);
  *items_out = items;
  return 0;
fail:
  free(like);
  json_decref(items);
  return APP_INTERNAL(e);
}

json_t *roles_of(store_conn *c, int64_t user_id) {
  json_t *arr = json_array();
  store_stmt *s = arr ? store_prepare(c, &q_roles) : NULL;
  if (!s) return arr;
  store_bind_int(s, 1, user_id);
  while (store_step(s) == STORE_ROW) {
    const char *role = store_col_text(s, 1);
    const role_info *ri = role_find(role);
    json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)store_col_int(s, 0), "role",
                                         role, "role_label", ri ? ri->label : role, "unit_id",
                                         (json_int_t)store_col_int(s, 2), "unit_name", store_col_text(s, 3)));
  }
  store_reset(s);
  return arr;
}

int roles_grant(store_conn *w, int64_t user_id, const char *role, int64_t unit_id, int64_t granted_by,
                int64_t *grant_id, app_err *e) {
  if (authcache_changed(w, AUTH_CHANGED_USER, user_id) != 0) return APP_INTERNAL(e);
  if (!role_find(role)) return app_fail(e, 400, "invalid_value", "role", "Vai trò không hợp lệ.");
  int ex = exists(w, &q_user_exists, user_id);
  if (ex < 0) return APP_INTERNAL(e);
  if (!ex) return app_fail(e, 404, "not_found", "id", "Không tìm thấy tài khoản.");
  ex = exists(w, &q_unit_exists, unit_id);
  if (ex < 0) return APP_INTERNAL(e);
  if (!ex) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
  store_stmt *s = store_prepare(w, &q_grant);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, user_id);
  store_bind_text(s, 2, role);
  store_bind_int(s, 3, unit_id);
  store_bind_id(s, 4, granted_by);
  store_bind_int(s, 5, clock_now());
  int64_t id = 0;
  int rc = store_insert_id(s, &id);
  if (rc == STORE_CONSTRAINT)
    return app_fail(e, 409, "conflict", "role", "Tài khoản đã có vai trò này tại đơn vị này.");
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  *grant_id = id;
  return 0;
}

int roles_get(store_conn *c, int64_t user_id, int64_t grant_id, arena *a, const char **unit_path, const char **role,
              int64_t *unit_id, app_err *e) {
  store_stmt *s = store_prepare(c, &q_grant_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, grant_id);
  store_bind_int(s, 2, user_id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *unit_path = arena_strdup(a, store_col_text(s, 0));
    *role = arena_strdup(a, store_col_text(s, 1));
    *unit_id = store_col_int(s, 2);
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "grant_id", "Không tìm thấy vai trò này.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

int roles_revoke(store_conn *w, int64_t user_id, int64_t grant_id, app_err *e) {
  if (authcache_changed(w, AUTH_CHANGED_USER, user_id) != 0) return APP_INTERNAL(e);
  store_stmt *s = store_prepare(w, &q_revoke);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, grant_id);
  store_bind_int(s, 2, user_id);
  int rc = store_step(s);
  int64_t n = store_changes(s);
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  return n ? 0 : app_fail(e, 404, "not_found", "grant_id", "Không tìm thấy vai trò này.");
}

int roles_revoke_by(store_conn *w, int64_t user_id, const char *role, int64_t unit_id, app_err *e) {
  if (authcache_changed(w, AUTH_CHANGED_USER, user_id) != 0) return APP_INTERNAL(e);
  store_stmt *s = store_prepare(w, &q_revoke_by);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, user_id);
  store_bind_text(s, 2, role);
  store_bind_int(s, 3, unit_id);
  int rc = store_step(s);
  int64_t n = store_changes(s);
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  return n ? 0 : app_fail(e, 404, "not_found", "role", "Tài khoản không có vai trò này tại đơn vị này.");
}

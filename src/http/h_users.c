/* h_users.c: accounts and role grants over HTTP.
 * Owns: the answers of the /users routes. Never: checks who may do what (the dispatcher did, from
 * the route's row, and re-checked inside the transaction these handlers continue, req_begin). */
#include "domain/sessions.h"
#include "domain/units.h"
#include "domain/users.h"
#include "http/handlers.h"

/* Roles shown on an account are those inside the reader's users.read scope. */
static const scope_sql *read_scope(req *r) {
  scope_sql *s = arena_alloc(&r->a, sizeof *s);
  scope_sql_of(s, r->who, CAP_USERS_READ);
  return s;
}

int h_users_list(req *r) {
  user_list_query q = {.q = req_qstr(r, "q"), .unit_id = req_qint(r, "unit_id", 0), .after = req_qstr(r, "after")};
  req_paging(r, &q.page, &q.per_page);
  store_conn *c = req_db(r);
  if (!c) return APP_INTERNAL(&r->err);
  if (q.unit_id) {
    if (units_path(c, q.unit_id, &r->a, &q.unit_lo, &r->err) != 0) return -1;
    q.unit_hi = scope_hi(&r->a, q.unit_lo);
  }
  json_t *items = NULL;
  int64_t total = 0;
  if (users_list(c, read_scope(r), &q, &items, &total, &r->err) != 0) return -1;
  /* The cursor of the next page: the last username, when the page is full. */
  size_t n = json_array_size(items);
  json_t *next = (n && n == (size_t)q.per_page)
                     ? json_deep_copy(json_object_get(json_array_get(items, n - 1), "username"))
                     : json_null();
  json_t *out = json_pack("{s:o, s:i, s:i, s:o, s:o}", "items", items, "page", q.after ? 1 : q.page, "per_page",
                          q.per_page, "total", total >= 0 ? json_integer(total) : json_null(), "next", next);
  return out ? req_ok(r, 200, out) : APP_INTERNAL(&r->err);
}

/* The unit a new account belongs to when the caller names none: their first unit with the
 * right to create accounts. */
static int64_t default_unit(const req *r) {
  for (int i = 0; i < r->who->ngrants; i++)
    if (r->who->grants[i].caps & CAP_USERS_WRITE) return r->who->grants[i].unit_id;
  return 0;
}

int h_users_create(req *r) {
  int64_t unit = req_int(r, "unit_id", 0);
  if (!unit) unit = default_unit(r);
  int64_t id = 0;
  if (req_begin(r) != 0) return req_unavailable(r); /* the writer could not be had in time */
  store_conn *w = req_dbw(r);
  /* The dispatcher checked every field and hashed the password off-thread (prehash); the
   * account's owner must choose their own password at the first log-in. */
  if (users_create(w, req_str(r, "username"), req_str(r, "display_name"), r->pw_hash, unit, true, &id, &r->err) != 0)
    return -1;
  if (req_audit(r, "user.create", "user", id, unit, json_pack("{s:s}", "username", req_str(r, "username"))) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  json_t *u = NULL;
  if (users_get(w, id, read_scope(r), &u, &r->err) != 0) return -1;
  return req_ok(r, 201, u);
}

int h_users_get(req *r) {
  json_t *u = NULL;
  if (users_get(req_db(r), req_param(r, 0), read_scope(r), &u, &r->err) != 0) return -1;
  return req_ok(r, 200, u);
}

int h_users_update(req *r) {
  int64_t id = req_param(r, 0);
  int disabled = req_bool(r, "disabled", -1);
  const char *name = req_str(r, "display_name");
  if (disabled == 1 && id == r->who->user_id)
    return req_fail(r, 400, "invalid_value", "disabled", "Bạn không thể tự khóa tài khoản của mình.");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (name) {
    if (users_set_name(w, id, name, &r->err) != 0) return -1;
    if (req_audit(r, "user.update", "user", id, 0, json_pack("{s:s}", "display_name", name)) != 0)
      return APP_INTERNAL(&r->err);
  }
  if (disabled >= 0) {
    if (users_set_disabled(w, id, disabled == 1, &r->err) != 0) return -1;
    /* A disabled account's sessions end at once, not at their expiry. */
    if ((disabled == 1 && sessions_end_user(w, id, 0) != 0) ||
        req_audit(r, disabled == 1 ? "user.disable" : "user.enable", "user", id, 0, NULL) != 0)
      return APP_INTERNAL(&r->err);
  }
  if (store_commit(w) != STORE_OK) return APP_INTERNAL(&r->err);
  json_t *u = NULL;
  if (users_get(w, id, read_scope(r), &u, &r->err) != 0) return -1;
  return req_ok(r, 200, u);
}

int h_users_password(req *r) {
  int64_t id = req_param(r, 0);
  /* One's own password changes only with the current one (PUT /api/v1/me/password). */
  if (id == r->who->user_id)
    return req_fail(r, 403, "forbidden", "id",
                    "Để đổi mật khẩu của chính mình, hãy dùng chức năng Đổi mật khẩu (PUT /api/v1/me/password),"
                    " có nhập mật khẩu hiện tại.");
  if (req_begin(r) != 0) return req_unavailable(r); /* the writer could not be had in time */
  store_conn *w = req_dbw(r);
  /* Checked and hashed by the dispatcher (prehash). Set by someone else: the owner must
   * replace it at the next log-in. */
  if (users_set_password(w, id, r->pw_hash, true, &r->err) != 0) return -1;
  if (sessions_end_user(w, id, 0) != 0 || req_audit(r, "user.password_reset", "user", id, 0, NULL) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 204, NULL);
}

int h_roles_grant(req *r) {
  int64_t id = req_param(r, 0), unit = req_int(r, "unit_id", 0), gid = 0;
  const char *role = req_str(r, "role");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (roles_grant(w, id, role, unit, r->who->user_id, &gid, &r->err) != 0) return -1;
  if (req_audit(r, "role.grant", "user", id, unit, json_pack("{s:s, s:I}", "role", role, "grant_id", (json_int_t)gid)) !=
          0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  const role_info *ri = role_find(role);
  json_t *u = NULL;
  const char *unit_name = "";
  if (units_get(w, unit, 0, &u, &r->err) == 0) unit_name = json_string_value(json_object_get(u, "name"));
  json_t *out = json_pack("{s:I, s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)gid, "user_id", (json_int_t)id, "role",
                          role, "role_label", ri ? ri->label : role, "unit_id", (json_int_t)unit, "unit_name",
                          unit_name ? unit_name : "");
  json_decref(u);
  return req_ok(r, 201, out);
}

int h_roles_revoke(req *r) {
  int64_t id = req_param(r, 0), gid = req_param(r, 1);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  /* The entry says which role on which unit (read before it goes). */
  const char *path = NULL, *role = NULL;
  int64_t unit = 0;
  if (roles_get(w, id, gid, &r->a, &path, &role, &unit, &r->err) != 0) return -1;
  if (roles_revoke(w, id, gid, &r->err) != 0) return -1;
  if (req_audit(r, "role.revoke", "user", id, unit, json_pack("{s:I, s:s}", "grant_id", (json_int_t)gid, "role", role)) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 204, NULL);
}

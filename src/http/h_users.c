/* h_users.c: accounts and role grants over HTTP. */
#include "domain/sessions.h"
#include "domain/units.h"
#include "domain/users.h"
#include "http/handlers.h"

int h_users_list(req *r) {
  scope_ranges sc;
  scope_roots(r->who, CAP_USERS_READ, &r->a, &sc);
  user_list_query q = {.q = req_qstr(r, "q"), .unit_id = req_qint(r, "unit_id", 0)};
  req_paging(r, &q.page, &q.per_page);
  store_conn *c = req_db(r);
  if (!c) return APP_INTERNAL(&r->err);
  if (q.unit_id) {
    if (units_path(c, q.unit_id, &r->a, &q.unit_lo, &r->err) != 0) return -1;
    q.unit_hi = scope_hi(&r->a, q.unit_lo);
  }
  json_t *items = NULL;
  int64_t total = 0;
  if (users_list(c, &sc, &q, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
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
  store_conn *w = req_dbw(r);
  int64_t id = 0;
  if (!w || store_begin(w) != STORE_OK) return APP_INTERNAL(&r->err);
  if (users_create(w, req_str(r, "username"), req_str(r, "display_name"), req_str(r, "password"), unit, &id,
                   &r->err) != 0)
    return -1;
  if (req_audit(r, "user.create", "user", id, unit, json_pack("{s:s}", "username", req_str(r, "username"))) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  json_t *u = NULL;
  if (users_get(w, id, &u, &r->err) != 0) return -1;
  return req_ok(r, 201, u);
}

int h_users_get(req *r) {
  json_t *u = NULL;
  if (users_get(req_db(r), req_param(r, 0), &u, &r->err) != 0) return -1;
  return req_ok(r, 200, u);
}

int h_users_update(req *r) {
  int64_t id = req_param(r, 0);
  int disabled = req_bool(r, "disabled", -1);
  const char *name = req_str(r, "display_name");
  if (disabled == 1 && id == r->who->user_id)
    return req_fail(r, 400, "invalid_value", "disabled", "Bạn không thể tự khóa tài khoản của mình.");
  store_conn *w = req_dbw(r);
  if (!w || store_begin(w) != STORE_OK) return APP_INTERNAL(&r->err);
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
  if (users_get(w, id, &u, &r->err) != 0) return -1;
  return req_ok(r, 200, u);
}

int h_users_password(req *r) {
  int64_t id = req_param(r, 0);
  const char *pw = req_str(r, "new_password");
  if (users_check_password(pw, "new_password", &r->err) != 0) return -1;
  store_conn *w = req_dbw(r);
  if (!w || store_begin(w) != STORE_OK) return APP_INTERNAL(&r->err);
  if (users_set_password(w, id, pw, &r->err) != 0) return -1;
  int64_t keep = id == r->who->user_id ? r->who->session_id : 0;
  if (sessions_end_user(w, id, keep) != 0 || req_audit(r, "user.password_reset", "user", id, 0, NULL) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 204, NULL);
}

int h_roles_grant(req *r) {
  int64_t id = req_param(r, 0), unit = req_int(r, "unit_id", 0), gid = 0;
  const char *role = req_str(r, "role");
  store_conn *w = req_dbw(r);
  if (!w || store_begin(w) != STORE_OK) return APP_INTERNAL(&r->err);
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
  store_conn *w = req_dbw(r);
  if (!w || store_begin(w) != STORE_OK) return APP_INTERNAL(&r->err);
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

/* h_session.c: log-in, log-out, who am I, change my password. */
#include <stdio.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/caps.h"
#include "domain/sessions.h"
#include "domain/users.h"
#include "http/handlers.h"
#include "util/log.h"

#define COOKIE "hocvuso_session"

static json_t *me_json(const principal *p) {
  json_t *roles = json_array(), *caps = json_array();
  for (int i = 0; i < p->ngrants; i++) {
    const grant *g = &p->grants[i];
    json_array_append_new(roles, json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)g->id, "role", g->role,
                                           "role_label", g->role_label, "unit_id", (json_int_t)g->unit_id,
                                           "unit_name", g->unit_name));
  }
  for (int k = 0; k < CAP_COUNT; k++)
    if (p->caps_any & caps_table[k].flag) json_array_append_new(caps, json_string(caps_table[k].code));
  return json_pack("{s:I, s:s, s:s, s:o, s:o, s:s}", "id", (json_int_t)p->user_id, "username", p->username,
                   "display_name", p->display_name, "roles", roles, "capabilities", caps, "csrf_token", p->csrf);
}

static void set_cookie(req *r, const char *token, int max_age) {
  char c[256];
  snprintf(c, sizeof c, COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s", token, max_age,
           r->https ? "; Secure" : "");
  req_header(r, "Set-Cookie", c);
}

static int db_down(req *r) {
  return req_fail(r, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
}

int h_login(req *r) {
  const char *username = req_str(r, "username"), *password = req_str(r, "password");
  store_conn *w = req_dbw(r);
  if (!w) return db_down(r);
  int retry = 0;
  if (login_throttle(w, username, r->ip, &retry) != 0) return APP_INTERNAL(&r->err);
  if (retry > 0) {
    r->err.retry_after = retry;
    return req_fail(r, 429, "rate_limited", NULL,
                    "Đăng nhập sai quá nhiều lần. Vui lòng chờ ít phút rồi thử lại.");
  }
  int64_t uid = 0;
  bool disabled = false;
  int ok = users_verify(w, username, password, &uid, &disabled);
  if (store_begin(w) != STORE_OK) return APP_INTERNAL(&r->err);
  if (ok != 0) {
    if (login_failed(w, username, r->ip) != 0 ||
        req_audit(r, "session.login_failed", "user", uid, 0, json_pack("{s:s}", "username", username)) != 0 ||
        store_commit(w) != STORE_OK)
      return APP_INTERNAL(&r->err);
    return req_fail(r, 401, "invalid_credentials", NULL, "Tên đăng nhập hoặc mật khẩu không đúng.");
  }
  if (disabled) {
    if (req_audit(r, "session.login_refused", "user", uid, 0, json_pack("{s:s}", "reason", "disabled")) != 0 ||
        store_commit(w) != STORE_OK)
      return APP_INTERNAL(&r->err);
    return req_fail(r, 403, "account_disabled", NULL, "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị viên.");
  }
  char token[SESSION_TOKEN_LEN + 1];
  int64_t sid = 0;
  if (sessions_create(w, &r->app->keys, uid, r->ip, r->user_agent, token, &sid, &r->err) != 0) return -1;
  principal *p = arena_alloc(&r->a, sizeof *p);
  if (sessions_lookup(w, &r->app->keys, token, &r->a, p) != 1) return APP_INTERNAL(&r->err);
  r->who = p;
  if (login_succeeded(w, username) != 0 || req_audit(r, "session.login", "session", sid, 0, NULL) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  set_cookie(r, token, SESSION_IDLE_SECONDS);
  json_t *me = me_json(p);
  return req_ok(r, 200, json_pack("{s:o, s:s}", "user", me, "csrf_token", p->csrf));
}

int h_logout(req *r) {
  store_conn *w = req_dbw(r);
  if (!w) return db_down(r);
  if (req_begin(r) != 0 || sessions_end(w, r->who->session_id) != 0 ||
      req_audit(r, "session.logout", "session", r->who->session_id, 0, NULL) != 0 || store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  set_cookie(r, "", 0);
  return req_ok(r, 204, NULL);
}

int h_me(req *r) { return req_ok(r, 200, me_json(r->who)); }

int h_me_password(req *r) {
  const char *cur = req_str(r, "current_password"), *next = req_str(r, "new_password");
  store_conn *w = req_dbw(r);
  if (!w) return db_down(r);
  if (users_verify_id(w, r->who->user_id, cur) != 0)
    return req_fail(r, 400, "invalid_value", "current_password", "Mật khẩu hiện tại không đúng.");
  if (users_check_password(next, "new_password", &r->err) != 0) return -1;
  if (strcmp(cur, next) == 0)
    return req_fail(r, 400, "invalid_value", "new_password", "Mật khẩu mới phải khác mật khẩu hiện tại.");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (users_set_password(w, r->who->user_id, next, &r->err) != 0) return -1;
  if (sessions_end_user(w, r->who->user_id, r->who->session_id) != 0 ||
      req_audit(r, "user.password_change", "user", r->who->user_id, 0, NULL) != 0 || store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 204, NULL);
}

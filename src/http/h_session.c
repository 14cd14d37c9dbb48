/* h_session.c: log-in, log-out, who am I, change my password.
 * Owns: the order of a log-in: throttle and the account's hash read on a reader, the password
 * verified in the hashing pool (nothing held), then one short transaction on the writer; the
 * session cookie and the device cookie (sessions.h) that spares a known browser the per-address limit.
 * Never: verifies or hashes a password on a request thread or while holding a connection. */
#include <stdio.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/caps.h"
#include "domain/sessions.h"
#include "domain/users.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "util/clock.h"
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
  return json_pack("{s:I, s:s, s:s, s:o, s:o, s:s, s:b}", "id", (json_int_t)p->user_id, "username", p->username,
                   "display_name", p->display_name, "roles", roles, "capabilities", caps, "csrf_token", p->csrf,
                   "must_change_password", p->must_change_password);
}

static void set_cookie(req *r, const char *token, int max_age) {
  char c[256];
  snprintf(c, sizeof c, COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s", token, max_age,
           r->https ? "; Secure" : "");
  req_header(r, "Set-Cookie", c);
}

/* The device cookie lives a year and is sent only to the API; it survives log-out. */
static void set_device_cookie(req *r, const char *username) {
  char v[DEVICE_COOKIE_MAX], c[DEVICE_COOKIE_MAX + 128];
  sessions_device_make(&r->app->keys, r->device_cookie, username, clock_now(), v);
  snprintf(c, sizeof c, DEVICE_COOKIE "=%s; Path=/api/v1/; HttpOnly; SameSite=Lax; Max-Age=%d%s", v,
           DEVICE_LIFETIME_SECONDS, r->https ? "; Secure" : "");
  req_header(r, "Set-Cookie", c);
}

static bool known_device(req *r, const char *username) {
  return sessions_device_ok(&r->app->keys, r->device_cookie, username, clock_now());
}

static int db_down(req *r) { return req_unavailable(r); }

/* 429: counted in /metrics (a flood of refusals must not become a flood of writes). */
static int refuse(req *r, int retry, login_refused_kind k) {
  metrics_login_refused(r->app->met, k);
  r->err.retry_after = retry;
  return req_fail(r, 429, "rate_limited", NULL, "Đăng nhập sai quá nhiều lần. Vui lòng chờ ít phút rồi thử lại.");
}

int h_login(req *r) {
  const char *username = req_str(r, "username"), *password = req_str(r, "password");
  char hash[PASSWORD_HASH_MAX];
  int64_t uid = 0;
  bool disabled = false, must_change = false;
  if (!r->job_verify) {
    /* First pass, on a reader: may this address try, and which hash to check against. */
    store_conn *c = req_db(r);
    if (!c) return db_down(r);
    int retry = 0;
    if (login_throttle_device(c, username, r->ip, known_device(r, username), &retry) != 0)
      return APP_INTERNAL(&r->err);
    if (retry > 0) return refuse(r, retry, LOGIN_REFUSED_LOGIN);
    int found = users_login_info(c, username, &uid, &disabled, &must_change, hash);
    if (found < 0) return APP_INTERNAL(&r->err);
    return req_offload(r, true, found ? hash : NULL, password, NULL);
  }
  /* Second pass: the verdict is in; one short transaction on the writer. */
  store_conn *w = req_dbw(r);
  if (!w) return db_down(r);
  if (store_begin(w) != STORE_OK) return APP_INTERNAL(&r->err);
  int found = users_login_info(w, username, &uid, &disabled, &must_change, hash);
  if (found < 0) return APP_INTERNAL(&r->err);
  /* A password changed while it was being verified: the verdict was about the old one. */
  bool ok = r->job_verify_rc == 0 && found && r->job_hash && strcmp(hash, r->job_hash) == 0;
  if (!ok) {
    if (login_failed_device(w, username, r->ip, known_device(r, username)) != 0 ||
        req_audit(r, "session.login_failed", "user", found ? uid : 0, 0, json_pack("{s:s}", "username", username)) != 0 ||
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
  if (login_succeeded(w, username, r->ip) != 0 || req_audit(r, "session.login", "session", sid, 0, NULL) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  set_cookie(r, token, SESSION_IDLE_SECONDS);
  set_device_cookie(r, p->username);
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

/* The route's dispatcher has already checked and hashed new_password (r->pw_hash). The
 * current password is verified in the pool; a wrong one counts as a failed log-in of this
 * account from this address (throttled, audited). */
int h_me_password(req *r) {
  const char *cur = req_str(r, "current_password"), *next = req_str(r, "new_password");
  const principal *me = r->who;
  if (strcmp(cur, next) == 0)
    return req_fail(r, 400, "invalid_value", "new_password", "Mật khẩu mới phải khác mật khẩu hiện tại.");
  if (!r->pw_hash) return APP_INTERNAL(&r->err);
  if (!r->job_verify) {
    store_conn *c = req_db(r);
    if (!c) return db_down(r);
    int retry = 0;
    if (login_throttle_device(c, me->username, r->ip, known_device(r, me->username), &retry) != 0)
      return APP_INTERNAL(&r->err);
    if (retry > 0) return refuse(r, retry, LOGIN_REFUSED_PASSWORD_CHANGE);
    char hash[PASSWORD_HASH_MAX];
    int found = users_hash_of(c, me->user_id, hash);
    if (found < 0) return APP_INTERNAL(&r->err);
    return req_offload(r, true, found ? hash : NULL, cur, NULL);
  }
  if (req_begin(r) != 0) return db_down(r);
  store_conn *w = req_dbw(r);
  if (r->job_verify_rc != 0) {
    if (login_failed_device(w, me->username, r->ip, known_device(r, me->username)) != 0 ||
        req_audit(r, "user.password_change_failed", "user", me->user_id, 0, NULL) != 0 || store_commit(w) != STORE_OK)
      return APP_INTERNAL(&r->err);
    return req_fail(r, 400, "invalid_value", "current_password", "Mật khẩu hiện tại không đúng.");
  }
  if (users_set_password(w, me->user_id, r->pw_hash, false, &r->err) != 0) return -1;
  if (sessions_end_user(w, me->user_id, me->session_id) != 0 || login_succeeded(w, me->username, r->ip) != 0 ||
      req_audit(r, "user.password_change", "user", me->user_id, 0, NULL) != 0 || store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 204, NULL);
}

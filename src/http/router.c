/* router.c: the dispatcher. It enforces a route's row before the handler runs: method and
 * path, rate class, session, CSRF, capability, declared input, and the unit scope.
 * Owns: path matching and the order of those checks.
 * Never: lets a handler run whose caller lacks the route's capability on the route's unit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/sessions.h"
#include "domain/units.h"
#include "domain/users.h"
#include "http/http.h"
#include "http/ratelimit.h"
#include "util/clock.h"
#include "util/config.h"
#include "util/log.h"
#include "util/utf8.h"

#define MAX_SEGS 12

typedef struct compiled {
  int nseg;
  const char *seg[MAX_SEGS]; /* NULL: a {param} */
  size_t seglen[MAX_SEGS];
} compiled;

static compiled *compiled_routes;

int router_init(void) {
  compiled_routes = calloc((size_t)routes_count, sizeof *compiled_routes);
  if (!compiled_routes) return -1;
  for (int i = 0; i < routes_count; i++) {
    compiled *c = &compiled_routes[i];
    const char *p = routes[i].path;
    while (*p == '/') {
      p++;
      const char *end = strchr(p, '/');
      size_t n = end ? (size_t)(end - p) : strlen(p);
      if (c->nseg == MAX_SEGS) return -1;
      c->seg[c->nseg] = (n && p[0] == '{') ? NULL : p;
      c->seglen[c->nseg] = n;
      c->nseg++;
      p += n;
    }
  }
  return 0;
}

int router_match(const char *method, const char *path, int64_t *params, int *nparams, char *allow,
                 size_t allow_len) {
  const char *seg[MAX_SEGS];
  size_t seglen[MAX_SEGS];
  int nseg = 0;
  const char *p = path;
  if (*p != '/') return -1;
  while (*p == '/') {
    p++;
    const char *end = strchr(p, '/');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (nseg == MAX_SEGS) return -1;
    seg[nseg] = p;
    seglen[nseg] = n;
    nseg++;
    p += n;
  }
  bool path_known = false;
  if (allow_len) allow[0] = '\0';
  for (int i = 0; i < routes_count; i++) {
    const compiled *c = &compiled_routes[i];
    if (c->nseg != nseg || !routes_enabled(i)) continue;
    int np = 0;
    int64_t vals[REQ_MAX_PARAMS];
    bool ok = true;
    for (int k = 0; k < nseg && ok; k++) {
      if (c->seg[k]) {
        ok = c->seglen[k] == seglen[k] && memcmp(c->seg[k], seg[k], seglen[k]) == 0;
      } else {
        char tmp[24];
        long long v;
        if (seglen[k] == 0 || seglen[k] >= sizeof tmp || np == REQ_MAX_PARAMS) {
          ok = false;
          break;
        }
        memcpy(tmp, seg[k], seglen[k]);
        tmp[seglen[k]] = '\0';
        /* Not a positive number: no such resource (404), rather than a bad request. */
        ok = parse_int(tmp, 1, INT64_MAX, &v);
        if (ok) vals[np++] = v;
      }
    }
    if (!ok) continue;
    path_known = true;
    /* HEAD is GET without the body (MHD leaves the body out): every GET route answers it. */
    bool get = strcmp(routes[i].method, "GET") == 0;
    if (strcmp(routes[i].method, method) == 0 || (get && strcmp(method, "HEAD") == 0)) {
      memcpy(params, vals, sizeof(int64_t) * (size_t)np);
      *nparams = np;
      return i;
    }
    if (allow_len) {
      size_t used = strlen(allow);
      snprintf(allow + used, allow_len - used, "%s%s%s", used ? ", " : "", routes[i].method, get ? ", HEAD" : "");
    }
  }
  return path_known ? -2 : -1;
}

static void fail_err(req *r) {
  /* Copy the field name: it may point into JSON that is about to be freed. */
  if (r->err.field) r->err.field = arena_strdup(&r->a, r->err.field);
  r->status = r->err.status;
}

/* Looks the unit up and checks the capability on it: 404 if absent, 403 if out of scope. */
static int check_unit_scope(req *r, caps_t cap, int64_t unit_id, const char *field) {
  const char *path = NULL;
  store_conn *c = req_db(r);
  if (!c) return req_fail(r, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
  if (units_path(c, unit_id, &r->a, &path, &r->err) != 0) {
    r->err.field = field;
    fail_err(r);
    return -1;
  }
  if (!scope_can(r->who, cap, path))
    return req_fail(r, 403, "forbidden", field, "Bạn không có quyền với đơn vị này.");
  return 0;
}

static int field_id(const req *r, const route *rt, int64_t *id) {
  switch (rt->scope_from) {
    case FROM_PATH: *id = req_param(r, 0); break;
    case FROM_BODY: *id = req_int(r, rt->scope_field, 0); break;
    case FROM_QUERY: *id = req_qint(r, rt->scope_field, 0); break;
  }
  return *id != 0;
}

static int check_scope(req *r) {
  const route *rt = r->route;
  int64_t id = 0;
  switch (rt->scope) {
    case SCOPE_NONE:
      return 0;
    case SCOPE_UNIT:
      /* An optional unit field left out: the handler works within the caller's roots. */
      if (!field_id(r, rt, &id)) return 0;
      return check_unit_scope(r, rt->cap, id, rt->scope_field);
    case SCOPE_USER: {
      field_id(r, rt, &id);
      store_conn *c = req_db(r);
      if (!c) return req_fail(r, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
      int ex = users_exists(c, id);
      if (ex < 0) return req_fail(r, 500, "internal", NULL, "Lỗi hệ thống. Vui lòng thử lại sau.");
      if (!ex) return req_fail(r, 404, "not_found", "id", "Không tìm thấy tài khoản.");
      scope_ranges sc;
      scope_roots(r->who, rt->cap, &r->a, &sc);
      bool visible = false;
      if (users_in_scope(c, id, &sc, &visible, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!visible) return req_fail(r, 403, "forbidden", "id", "Tài khoản này không thuộc phạm vi quản lý của bạn.");
      return 0;
    }
    case SCOPE_GRANT: {
      const char *path = NULL, *role = NULL;
      int64_t unit_id = 0;
      store_conn *c = req_db(r);
      if (!c) return req_fail(r, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
      if (roles_get(c, req_param(r, 0), req_param(r, 1), &r->a, &path, &role, &unit_id, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", "grant_id", "Bạn không có quyền với đơn vị của vai trò này.");
      return 0;
    }
  }
  return 0;
}

static int parse_query(req *r, json_t *raw) {
  const route *rt = r->route;
  if (!rt->query && json_object_size(raw)) {
    const char *key = json_object_iter_key(json_object_iter(raw));
    req_fail(r, 400, "unknown_field", arena_strdup(&r->a, key), "Tham số không được hỗ trợ.");
    return -1;
  }
  if (!rt->query) {
    r->query = json_object();
    return 0;
  }
  if (validate_fields(rt->query, raw, true, &r->query, &r->err) != 0) {
    fail_err(r);
    return -1;
  }
  return 0;
}

static int parse_body(req *r) {
  const route *rt = r->route;
  if (r->in.too_large) return req_fail(r, 413, "too_large", NULL, "Dữ liệu gửi lên quá lớn.");
  if (r->in.to_file) return 0; /* an upload: the handler reads the file */
  if (!rt->body) {
    if (r->in.len) return req_fail(r, 400, "unexpected_body", NULL, "Yêu cầu này không nhận dữ liệu gửi kèm.");
    return 0;
  }
  if (!r->content_type || strncasecmp(r->content_type, "application/json", 16) != 0 ||
      (r->content_type[16] != '\0' && r->content_type[16] != ';'))
    return req_fail(r, 415, "unsupported_media_type", NULL, "Dữ liệu phải ở dạng JSON (Content-Type: application/json).");
  const char *body = r->in.mem ? r->in.mem : "";
  if (!utf8_valid(body, r->in.len))
    return req_fail(r, 400, "invalid_utf8", NULL, "Dữ liệu không phải văn bản UTF-8 hợp lệ.");
  json_error_t jerr;
  json_t *in = json_loadb(body, r->in.len, JSON_REJECT_DUPLICATES, &jerr);
  if (!in) return req_fail(r, 400, "bad_json", NULL, "Dữ liệu JSON không hợp lệ.");
  if (!json_is_object(in)) {
    json_decref(in);
    return req_fail(r, 400, "bad_json", NULL, "Dữ liệu JSON phải là một đối tượng {…}.");
  }
  int rc = validate_fields(rt->body, in, false, &r->body, &r->err);
  if (rc != 0) fail_err(r);
  json_decref(in);
  return rc;
}

static int authenticate(req *r) {
  /* Public routes do not need to know who calls: no session lookup for them. */
  if (!r->cookie_token || r->route->auth == AUTH_PUBLIC) return 0;
  store_conn *c = req_db(r);
  if (!c) return req_fail(r, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
  principal *p = arena_alloc(&r->a, sizeof *p);
  int rc = sessions_lookup(c, &r->app->keys, r->cookie_token, &r->a, p);
  if (rc < 0) {
    log_error("session lookup failed: %s", store_errmsg(c));
    return req_fail(r, 500, "internal", NULL, "Lỗi hệ thống. Vui lòng thử lại sau.");
  }
  if (rc == 1) r->who = p;
  return 0;
}

/* Keeps an active session alive: last_seen is written at most every few minutes. */
static void touch_session(req *r) {
  if (!r->who || clock_now() - r->who->last_seen < SESSION_TOUCH_SECONDS) return;
  store_conn *w = req_dbw(r);
  if (w && sessions_touch(w, r->who->session_id) != 0) log_warn("session touch failed: %s", store_errmsg(w));
}

void router_dispatch(req *r) {
  const route *rt = r->route;
  if (rt->rate != RATE_NONE) {
    int retry = ratelimit_take(r->app->rl, rt->rate, r->ip);
    if (retry > 0) {
      r->err.retry_after = retry;
      req_fail(r, 429, "rate_limited", NULL, "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.");
      return;
    }
  }
  if (authenticate(r) != 0) return;
  if (rt->auth == AUTH_LOGIN) {
    if (!r->who) {
      req_fail(r, 401, "unauthenticated", NULL, "Bạn chưa đăng nhập hoặc phiên làm việc đã hết hạn.");
      return;
    }
    if (rt->csrf && !sessions_csrf_ok(&r->app->keys, r->cookie_token, r->csrf_header)) {
      req_fail(r, 403, "csrf_failed", NULL, "Phiên làm việc không hợp lệ. Vui lòng tải lại trang.");
      return;
    }
    if (rt->cap && (r->who->caps_any & rt->cap) != rt->cap) {
      req_fail(r, 403, "forbidden", NULL, "Bạn không có quyền thực hiện thao tác này.");
      return;
    }
  }
  json_t *raw_query = r->query;
  r->query = NULL;
  int rc = parse_query(r, raw_query);
  json_decref(raw_query);
  if (rc != 0 || parse_body(r) != 0 || check_scope(r) != 0) return;
  touch_session(r);
  if (rt->fn(r) != 0) {
    if (!r->err.status) APP_INTERNAL(&r->err);
    fail_err(r);
  }
  /* A handler that forgot to end its transaction must not commit half a change. */
  if (r->wconn && store_in_transaction(r->wconn)) {
    log_error("route %s %s left a transaction open; rolled back", rt->method, rt->path);
    store_rollback(r->wconn);
  }
}

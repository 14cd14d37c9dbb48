/* router.c: the dispatcher. It enforces a route's row before the handler runs: method and
 * path, rate class, session, CSRF, capability, declared input, and the scope of every object the
 * route names (units, accounts, grants, the role a grant gives) — first read-only on a reader's
 * snapshot (router_check), then, for a state-changing route, again inside the write transaction
 * the handler continues (router_recheck_in_tx); for a route that reads before it writes (tx_late),
 * when the handler begins that transaction (req_begin).
 * Owns: path matching and the order of those checks.
 * Never: lets a handler run whose caller lacks the route's capability on the route's objects, as
 * they are in the transaction it writes in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/ambassadors.h"
#include "domain/attachments.h"
#include "domain/authcache.h"
#include "domain/classes.h"
#include "domain/confirmations.h"
#include "domain/events.h"
#include "domain/field.h"
#include "domain/helpreq.h"
#include "domain/jobs.h"
#include "domain/people.h"
#include "domain/plan.h"
#include "domain/certs.h"
#include "domain/quiz.h"
#include "domain/requests.h"
#include "domain/sessions.h"
#include "domain/trade.h"
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
  /* Copy the field names: they may point into JSON that is about to be freed. */
  if (r->err.field) r->err.field = arena_strdup(&r->a, r->err.field);
  for (int i = 0; i < r->err.nerrs; i++)
    if (r->err.errs[i].field) r->err.errs[i].field = arena_strdup(&r->a, r->err.errs[i].field);
  r->status = r->err.status;
}

/* Looks the unit up and checks the capability on it: 404 if absent, 403 if out of scope. */
/* A unit named by the path ({id}) is read whole, with its ancestors, in one statement, and kept in
 * r->unit for the handler; a unit named in the body or query only by its path. */
static int check_unit_scope(req *r, caps_t cap, int64_t unit_id, const char *field, const char **path_out) {
  const char *path = NULL;
  store_conn *c = req_db(r);
  if (!c) return req_fail(r, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
  unit_rec *u = r->route->scope_from == FROM_PATH ? arena_alloc(&r->a, sizeof *u) : NULL;
  if (u ? units_load(c, unit_id, &r->a, u, &r->err) != 0 : units_path(c, unit_id, &r->a, &path, &r->err) != 0) {
    r->err.field = field;
    fail_err(r);
    return -1;
  }
  if (u) path = u->path;
  if (!scope_can(r->who, cap, path))
    return req_fail(r, 403, "forbidden", field, "Bạn không có quyền với đơn vị này.");
  if (path_out) *path_out = path;
  r->unit = u;
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

static int db_down(req *r) {
  return req_fail(r, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
}

/* The account {id} of the path: 404 when absent, 403 when out of reach (see http.h). */
static int check_user(req *r, caps_t cap, bool write) {
  store_conn *c = req_db(r);
  if (!c) return db_down(r);
  user_reach u;
  if (users_reach(c, req_param(r, 0), &r->a, &u, &r->err) != 0) {
    fail_err(r);
    return -1;
  }
  if (!users_visible(r->who, cap, &u))
    return req_fail(r, 403, "forbidden", "id", "Tài khoản này không thuộc phạm vi quản lý của bạn.");
  if (write && !users_managed(r->who, cap, &u))
    return req_fail(r, 403, "forbidden", "id",
                    "Tài khoản này có đơn vị hoặc vai trò nằm ngoài phạm vi quản lý của bạn, nên bạn không thể thay đổi nó.");
  return 0;
}

/* Granting (or revoking) `role` on the unit at `path` needs every capability of the role there. */
static int check_role(req *r, const char *role, const char *path, const char *field) {
  const role_info *ri = role_find(role);
  if (!ri) return req_fail(r, 400, "invalid_value", field, "Vai trò không hợp lệ.");
  if (!scope_can_each(r->who, ri->caps, path))
    return req_fail(r, 403, "forbidden", field,
                    "Bạn chỉ có thể giao hoặc thu hồi một vai trò khi chính bạn có mọi quyền của vai trò đó tại đơn vị này.");
  return 0;
}

/* The person {id} of the path (or `field` of the body): 404 when absent or deleted, 403 when out of
 * reach — seen through the registering unit or a membership for a read, changed only through the
 * registering unit. */
static int check_person(req *r, caps_t cap, int64_t id, bool write, const char *field) {
  store_conn *c = req_db(r);
  if (!c) return db_down(r);
  person_reach pr;
  if (people_reach(c, id, &r->a, &pr, &r->err) != 0) {
    r->err.field = field;
    fail_err(r);
    return -1;
  }
  if (!people_visible(r->who, cap, &pr))
    return req_fail(r, 403, "forbidden", field, "Người này không thuộc phạm vi quản lý của bạn.");
  if (write && !people_managed(r->who, cap, &pr))
    return req_fail(r, 403, "forbidden", field,
                    "Người này đăng ký qua một đơn vị ngoài phạm vi quản lý của bạn, nên bạn không thể thay đổi hồ sơ.");
  return 0;
}

/* Đại sứ số (ambassadors.h): every object a route touches, the mentor, the mentee, the resident
 * helped and the unit, each in the caller's scope. */
static int check_reach_scope(req *r) {
  const route *rt = r->route;
  store_conn *c = req_db(r);
  if (!c) return db_down(r);
  const char *path = NULL;
  int64_t person = 0, id = 0;
  switch (rt->scope) {
    case SCOPE_UNIT_PERSON:
      if (!field_id(r, rt, &id)) return req_fail(r, 400, "missing_field", rt->scope_field, "Thiếu trường bắt buộc.");
      if (check_unit_scope(r, rt->cap, id, rt->scope_field, NULL) != 0) return -1;
      return check_person(r, CAP_PEOPLE_READ, req_int(r, "person_id", 0), false, "person_id");
    case SCOPE_AMBASSADOR:
      if (ambassadors_reach(c, req_param(r, 0), &r->a, &person, &path, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", "id", "Đại sứ số này làm nhiệm vụ ở đơn vị ngoài phạm vi của bạn.");
      if (req_int(r, "person_id", 0)) return check_person(r, CAP_PEOPLE_READ, req_int(r, "person_id", 0), false, "person_id");
      return 0;
    case SCOPE_MENTEE:
      if (check_person(r, rt->cap, req_int(r, "mentee_id", 0), true, "mentee_id") != 0) return -1;
      if (ambassadors_reach(c, req_int(r, "mentor_id", 0), &r->a, &person, &path, &r->err) != 0) {
        r->err.field = "mentor_id";
        fail_err(r);
        return -1;
      }
      return check_person(r, CAP_PEOPLE_READ, person, false, "mentor_id");
    case SCOPE_MENTORSHIP:
      if (mentorships_reach(c, req_param(r, 0), &r->a, &person, &path, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", "id", "Người được hướng dẫn đăng ký ở đơn vị ngoài phạm vi của bạn.");
      return 0;
    default:
      return 0;
  }
}

/* A plan task {id}, reported on for the unit of scope_field (see http.h). */
static int check_plan_task(req *r, const route *rt) {
  store_conn *c = req_db(r);
  if (!c) return db_down(r);
  plan_reach pr;
  if (plan_task_reach(c, req_param(r, 0), &r->a, &pr, &r->err) != 0) {
    fail_err(r);
    return -1;
  }
  int64_t unit = 0;
  if (!field_id(r, rt, &unit)) return req_fail(r, 400, "missing_field", rt->scope_field, "Thiếu trường bắt buộc.");
  const char *path = unit == pr.ward_id ? pr.ward_path : NULL;
  for (int i = 0; !path && i < pr.n; i++)
    if (pr.unit_ids[i] == unit) path = pr.paths[i];
  if (!path)
    return req_fail(r, 400, "invalid_value", rt->scope_field,
                    "Đơn vị này không phải đơn vị chủ trì hay phối hợp của nhiệm vụ (theo bảng tên đơn vị của kế hoạch).");
  if (!scope_can(r->who, rt->cap, path))
    return req_fail(r, 403, "forbidden", rt->scope_field, "Bạn không có quyền báo cáo thay cho đơn vị này.");
  return 0;
}

/* An attachment {id}: its uploader, or who may read its owner (see http.h). */
static int check_attachment(req *r) {
  store_conn *c = req_db(r);
  if (!c) return db_down(r);
  attachment_reach ar;
  if (attachments_reach(c, req_param(r, 0), &r->a, &ar, &r->err) != 0) {
    fail_err(r);
    return -1;
  }
  if (ar.created_by == r->who->user_id) return 0;
  if (strcmp(ar.owner_kind, ATTACH_OWNER_PLAN_TASK) == 0 && (r->who->caps_any & CAP_UNITS_READ)) return 0;
  if (strcmp(ar.owner_kind, ATTACH_OWNER_SCHOOL) == 0) {
    const char *path = NULL;
    if (units_path(c, ar.owner_id, &r->a, &path, &r->err) != 0) {
      fail_err(r);
      return -1;
    }
    if (scope_can(r->who, CAP_SCHOOL_READ, path)) return 0;
  }
  return req_fail(r, 403, "forbidden", "id", "Tệp này thuộc một đối tượng ngoài phạm vi của bạn.");
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
      if (check_unit_scope(r, rt->cap, id, rt->scope_field, NULL) != 0) return -1;
      if (rt->also_unit && req_int(r, rt->also_unit, 0)) {
        /* The second unit (a move's new parent) is checked too; the handler keeps the first. */
        struct unit_rec *own = r->unit;
        int rc = check_unit_scope(r, rt->cap, req_int(r, rt->also_unit, 0), rt->also_unit, NULL);
        r->unit = own;
        return rc;
      }
      return 0;
    case SCOPE_USER:
      return check_user(r, rt->cap, rt->csrf);
    case SCOPE_USER_ROLE: {
      if (check_user(r, rt->cap, true) != 0) return -1;
      if (!field_id(r, rt, &id)) return req_fail(r, 400, "missing_field", rt->scope_field, "Thiếu trường bắt buộc.");
      const char *path = NULL;
      if (check_unit_scope(r, rt->cap, id, rt->scope_field, &path) != 0) return -1;
      return check_role(r, req_str(r, "role"), path, "role");
    }
    case SCOPE_GRANT: {
      if (check_user(r, rt->cap, true) != 0) return -1;
      const char *path = NULL, *role = NULL;
      int64_t unit_id = 0;
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      if (roles_get(c, req_param(r, 0), req_param(r, 1), &r->a, &path, &role, &unit_id, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", "grant_id", "Bạn không có quyền với đơn vị của vai trò này.");
      return check_role(r, role, path, "role");
    }
    case SCOPE_PERSON: {
      if (check_person(r, rt->cap, req_param(r, 0), rt->csrf, "id") != 0) return -1;
      if (rt->also_unit && req_int(r, rt->also_unit, 0))
        return check_unit_scope(r, rt->cap, req_int(r, rt->also_unit, 0), rt->also_unit, NULL);
      return 0;
    }
    case SCOPE_HOUSEHOLD: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      const char *path = NULL;
      int64_t unit_id = 0;
      if (households_reach(c, req_param(r, 0), &r->a, &unit_id, &path, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", "id", "Hộ gia đình này không thuộc phạm vi quản lý của bạn.");
      return 0;
    }
    case SCOPE_IMPORT: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      const char *path = NULL;
      int64_t by = 0;
      if (jobs_reach(c, req_param(r, 0), &r->a, &by, &path, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (by != r->who->user_id && !(path[0] && scope_can(r->who, rt->cap, path)))
        return req_fail(r, 403, "forbidden", "id", "Lượt nhập danh sách này không thuộc phạm vi quản lý của bạn.");
      return 0;
    }
    case SCOPE_USER_PERSON: {
      if (check_user(r, rt->cap, true) != 0) return -1;
      if (!field_id(r, rt, &id)) return 0; /* 0 or left out: unlink, the account alone is checked */
      return check_person(r, CAP_PEOPLE_WRITE, id, true, rt->scope_field);
    }
    case SCOPE_REQUEST: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      const char *path = NULL;
      int64_t unit_id = 0;
      if (requests_reach(c, req_param(r, 0), &r->a, &unit_id, &path, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", "id", "Yêu cầu này là của một người ngoài phạm vi quản lý của bạn.");
      return 0;
    }
    case SCOPE_PERSON_DELETED: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      const char *path = NULL;
      int64_t unit_id = 0;
      if (people_reach_deleted(c, req_param(r, 0), &r->a, &unit_id, &path, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", "id", "Hồ sơ này đăng ký qua một đơn vị ngoài phạm vi quản lý của bạn.");
      return 0;
    }
    case SCOPE_ATTEMPT: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      int64_t owner = 0;
      if (quiz_attempt_owner(c, req_param(r, 0), &owner, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (owner != r->who->user_id) return req_fail(r, 403, "forbidden", "id", "Bài làm này không phải của bạn.");
      return 0;
    }
    case SCOPE_CERT: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      int64_t holder = 0, person = 0;
      const char *path = NULL;
      if (certs_reach(c, req_param(r, 0), &r->a, &holder, &person, &path, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!rt->csrf && holder == r->who->user_id) return 0;
      if (path[0] && scope_can(r->who, rt->cap ? rt->cap : CAP_PEOPLE_READ, path)) return 0;
      return req_fail(r, 403, "forbidden", "id", "Chứng nhận này không thuộc phạm vi quản lý của bạn.");
    }
    case SCOPE_CONFIRMATION: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      const char *path = NULL;
      int64_t person_id = 0, unit_id = 0;
      if (confirmations_reach(c, req_param(r, 0), &r->a, &person_id, &unit_id, &path, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", "id", "Xác nhận này là của một người ngoài phạm vi quản lý của bạn.");
      return 0;
    }
    case SCOPE_TRADER: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      person_reach pr;
      if (trade_reach(c, req_param(r, 0), &r->a, &pr, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!people_visible(r->who, rt->cap, &pr))
        return req_fail(r, 403, "forbidden", "id",
                        "Người này không đăng ký ở, cũng không buôn bán tại chợ thuộc phạm vi quản lý của bạn.");
      int64_t helper = req_int(r, "helper_id", 0);
      return helper ? check_person(r, CAP_PEOPLE_READ, helper, false, "helper_id") : 0;
    }
    case SCOPE_CLASS:
    case SCOPE_EVENT: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      const char *path = NULL;
      int64_t unit_id = 0;
      bool klass = rt->scope == SCOPE_CLASS;
      if ((klass ? classes_reach(c, req_param(r, 0), &r->a, &unit_id, &path, &r->err)
                 : events_reach(c, req_param(r, 0), &r->a, &unit_id, &path, &r->err)) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", "id",
                        klass ? "Lớp học này do một đơn vị ngoài phạm vi quản lý của bạn tổ chức."
                              : "Sự kiện này do một đơn vị ngoài phạm vi quản lý của bạn tổ chức.");
      int64_t who = rt->body ? req_int(r, "participant_id", 0) : 0;
      return who ? check_person(r, CAP_PEOPLE_READ, who, false, "participant_id") : 0;
    }
    case SCOPE_UNIT_PERSON:
    case SCOPE_AMBASSADOR:
    case SCOPE_MENTEE:
    case SCOPE_MENTORSHIP:
      return check_reach_scope(r);
    case SCOPE_PLAN_TASK:
      return check_plan_task(r, rt);
    case SCOPE_PLAN: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      const char *path = NULL;
      int64_t ward = 0;
      if (plan_ward_reach(c, &r->a, &ward, &path, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", NULL, "Chỉ người quản trị phường của kế hoạch được sửa mục này.");
      return 0;
    }
    case SCOPE_ATTACHMENT:
      return check_attachment(r);
    case SCOPE_FIELD_TEAM:
    case SCOPE_FIELD_TEAM_PERSON: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      const char *path = NULL;
      int64_t unit_id = 0;
      if (field_team_reach(c, req_param(r, 0), &r->a, &unit_id, &path, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", "id", "Tổ công nghệ số này thuộc tổ dân phố ngoài phạm vi của bạn.");
      if (rt->scope == SCOPE_FIELD_TEAM_PERSON) {
        if (!field_id(r, rt, &id)) return req_fail(r, 400, "missing_field", rt->scope_field, "Thiếu trường bắt buộc.");
        return check_person(r, CAP_PEOPLE_READ, id, false, rt->scope_field);
      }
      return 0;
    }
    case SCOPE_HELP_REQUEST: {
      store_conn *c = req_db(r);
      if (!c) return db_down(r);
      const char *path = NULL;
      int64_t unit_id = 0;
      if (helpreq_reach(c, req_param(r, 0), &r->a, &unit_id, &path, &r->err) != 0) {
        fail_err(r);
        return -1;
      }
      if (!scope_can(r->who, rt->cap, path))
        return req_fail(r, 403, "forbidden", "id", "Yêu cầu hỗ trợ này thuộc tổ dân phố ngoài phạm vi của bạn.");
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

/* The session and its grants: from this process's auth cache when it holds them (PostgreSQL:
 * no round trip), else from the database, then cached. */
static int authenticate(req *r) {
  /* Public routes do not need to know who calls: no session lookup for them. */
  if (!r->cookie_token || r->route->auth == AUTH_PUBLIC) return 0;
  principal *p = arena_alloc(&r->a, sizeof *p);
  authcache *ac = authcache_process();
  unsigned char key[AUTHCACHE_KEY_LEN];
  int64_t now_ms = 0;
  uint64_t gen = 0;
  if (ac) {
    now_ms = authcache_now_ms();
    authcache_key(&r->app->keys, r->cookie_token, key);
    if (authcache_get(ac, key, now_ms, &r->a, p) == 1) {
      sessions_csrf(&r->app->keys, r->cookie_token, p->csrf);
      /* One request records that the session is active; the others see it as seen now. */
      int64_t now = clock_now();
      if (now - p->last_seen >= SESSION_TOUCH_SECONDS) authcache_seen(ac, key, now);
      r->who = p;
      return 0;
    }
    gen = authcache_gen(ac); /* before the read: a change meanwhile keeps this one out */
  }
  store_conn *c = req_db(r);
  if (!c) return req_fail(r, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
  int rc = sessions_lookup(c, &r->app->keys, r->cookie_token, &r->a, p);
  if (rc < 0) {
    log_error("session lookup failed: %s", store_errmsg(c));
    return req_fail(r, 500, "internal", NULL, "Lỗi hệ thống. Vui lòng thử lại sau.");
  }
  if (rc == 1) {
    r->who = p;
    if (ac) authcache_put(ac, key, p, gen, now_ms);
  }
  return 0;
}

/* Keeps an active session alive: last_seen is written at most every few minutes, in batches,
 * by a background thread (sessions_touch_later): a read never takes the writer. */
static void touch_session(req *r) {
  if (!r->who || clock_now() - r->who->last_seen < SESSION_TOUCH_SECONDS) return;
  sessions_touch_later(r->who->session_id);
}

/* While an account must set a new password, only these answer. */
static bool allowed_before_password_change(const route *rt) {
  return (strcmp(rt->method, "GET") == 0 && strcmp(rt->path, "/api/v1/me") == 0) ||
         (strcmp(rt->method, "DELETE") == 0 && strcmp(rt->path, "/api/v1/session") == 0) ||
         (strcmp(rt->method, "PUT") == 0 && strcmp(rt->path, "/api/v1/me/password") == 0);
}

/* The route's new password: its strength (with every other field of a new account, all
 * faults at once) before any work, then the hash, in the pool. */
static int prehash(req *r) {
  const route *rt = r->route;
  const char *pw = req_str(r, rt->prehash);
  if (!pw) return 0;
  const char *username = req_str(r, "username");
  /* A new password of an existing account (a reset: the account in the path; else the caller's
   * own) is checked against that account's names too. */
  int64_t owner = rt->scope == SCOPE_USER ? req_param(r, 0) : r->who ? r->who->user_id : 0;
  store_conn *c = username || !owner ? NULL : req_db(r);
  if (!username && owner && !c) return db_down(r);
  int bad = username ? users_check_new(username, req_str(r, "display_name") ? req_str(r, "display_name") : "", pw, &r->err)
            : c      ? users_check_password_of(c, owner, pw, rt->prehash, &r->err)
                     : users_check_password(pw, rt->prehash, &r->err);
  if (bad) {
    fail_err(r);
    return -1;
  }
  return req_offload(r, false, NULL, NULL, pw);
}

/* Writes are limited per account, not per address: a class of 40 behind one school NAT
 * writes at once. Public routes (log-in) stay per address. */
static bool per_account_rate(const route *rt) { return rt->rate == RATE_WRITE && rt->auth == AUTH_LOGIN; }

static bool rate_limited(req *r, const char *key) {
  int retry = ratelimit_take(r->app->rl, r->route->rate, key);
  if (retry <= 0) return false;
  r->err.retry_after = retry;
  req_fail(r, 429, "rate_limited", NULL, "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.");
  return true;
}

/* The caller's capability anywhere (the route's column), before any input is read. */
static int check_login(req *r) {
  const route *rt = r->route;
  if (rt->auth != AUTH_LOGIN) return 0;
  if (!r->who) return req_fail(r, 401, "unauthenticated", NULL, "Bạn chưa đăng nhập hoặc phiên làm việc đã hết hạn.");
  if (rt->csrf && !sessions_csrf_ok(&r->app->keys, r->cookie_token, r->csrf_header))
    return req_fail(r, 403, "csrf_failed", NULL, "Phiên làm việc không hợp lệ. Vui lòng tải lại trang.");
  if (r->who->must_change_password && !allowed_before_password_change(rt))
    return req_fail(r, 403, "password_change_required", NULL, "Bạn cần đặt mật khẩu mới trước khi tiếp tục.");
  if (rt->cap && (r->who->caps_any & rt->cap) != rt->cap)
    return req_fail(r, 403, "forbidden", NULL, "Bạn không có quyền thực hiện thao tác này.");
  return 0;
}

/* State-changing routes of a logged-in caller with a scope: router_recheck_in_tx checks them
 * again on the writer. */
static bool rechecked_in_tx(const route *rt) { return rt->auth == AUTH_LOGIN && rt->csrf && rt->scope != SCOPE_NONE; }

/* The read-only phase: rate, session, capability, input, scope, and the password work of a
 * route that names one (then 1: the connection is suspended until the pool is done, and the
 * dispatcher runs again with r->resumes > 0). 0 when the request may go on, -1 when answered. */
int router_check(req *r) {
  const route *rt = r->route;
  if (r->resumes > 0) {
    /* Back from the hashing pool: the input was parsed before; who calls, and what they may
     * touch, are checked again (the session may have ended meanwhile). */
    if (rt->prehash && !r->pw_hash) {
      req_unavailable(r);
      return -1;
    }
    r->who = NULL;
  } else if (rt->rate != RATE_NONE && !per_account_rate(rt)) {
    char addr[64]; /* an IPv6 caller by its /64, as the log-in throttle counts it */
    login_address_key(r->ip, addr);
    if (rate_limited(r, addr)) return -1;
  }
  if (authenticate(r) != 0 || check_login(r) != 0) return -1;
  if (r->resumes == 0 && r->who && per_account_rate(rt)) {
    char key[32];
    snprintf(key, sizeof key, "u%lld", (long long)r->who->user_id);
    if (rate_limited(r, key)) return -1;
  }
  if (r->resumes == 0) {
    json_t *raw_query = r->query;
    r->query = NULL;
    int rc = parse_query(r, raw_query);
    json_decref(raw_query);
    if (rc != 0 || parse_body(r) != 0) return -1;
  }
  /* A route re-checked on the writer has its scope checked there, before its handler, on the
   * transaction it writes in; checking it on a reader first as well cost a reader, its snapshot and
   * the same read again (a household's tổ for a visit). A route whose password is hashed first is
   * checked before the pool is given any work. */
  /* An upload read before the writer is taken (tx_late) has its scope checked here too, so that no
   * file is read for a caller who may not write there; and again in the transaction (req_begin). */
  bool early_upload = rt->tx_late && !rt->body && rt->body_limit;
  if ((!rechecked_in_tx(rt) || rt->prehash || early_upload) && check_scope(r) != 0) return -1;
  if (rt->prehash && r->resumes == 0) {
    /* Nothing is held while the pool hashes: the server releases the connections. */
    if (prehash(r) != 0) return -1;
    if (r->offload) return 1;
  }
  return 0;
}

/* The session and its grants as the writer's transaction sees them: from this process's auth
 * cache when the cache has been told of every change that transaction can see (the listener's
 * notification mark has reached the transaction's: authcache_get_current; SQLite), else read on
 * the writer (the session's four-table join). 1, 0 (no such session), -1 on a database error. */
static int session_in_tx(req *r, store_conn *w, principal *p) {
  authcache *ac = authcache_process();
  int64_t mark = 0;
  if (ac && r->cookie_token && store_notify_mark(w, &mark) == STORE_OK) {
    unsigned char key[AUTHCACHE_KEY_LEN];
    authcache_key(&r->app->keys, r->cookie_token, key);
    if (authcache_get_current(ac, key, authcache_now_ms(), mark, &r->a, p) == 1) {
      sessions_csrf(&r->app->keys, r->cookie_token, p->csrf);
      return 1;
    }
  }
  return sessions_lookup(w, &r->app->keys, r->cookie_token, &r->a, p);
}

/* The read-only checks above ran on a reader's snapshot, which is gone once the writer is
 * taken: a grant revoked, an account disabled or a session ended in between would not be seen.
 * For a state-changing route of a logged-in caller, begin the write transaction, read the
 * session and its grants again on the writer, and check the capability and scope again there;
 * the handler then writes in this same transaction (req_begin), on what was checked. */
int router_recheck_in_tx(req *r) {
  const route *rt = r->route;
  /* A route that acts only on the caller's own session or account (log-out, change my password)
   * has no scope to re-check; its handler may still need the hashing pool, which must never be
   * waited for with the writer held, so it begins its own transaction when it is ready. */
  if (!rechecked_in_tx(rt)) return 0;
  store_conn *w = req_dbw(r);
  if (!w) return db_down(r);
  if (!store_in_transaction(w) && store_begin(w) != STORE_OK) {
    log_error("begin failed: %s", store_errmsg(w));
    return req_fail(r, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
  }
  principal *p = arena_alloc(&r->a, sizeof *p);
  int rc = session_in_tx(r, w, p);
  if (rc < 0) {
    log_error("session lookup failed: %s", store_errmsg(w));
    return req_fail(r, 500, "internal", NULL, "Lỗi hệ thống. Vui lòng thử lại sau.");
  }
  r->who = rc == 1 ? p : NULL;
  if (check_login(r) != 0 || check_scope(r) != 0) return -1;
  return 0;
}

int router_prepare(req *r) {
  if (router_check(r) != 0) return -1;
  touch_session(r);
  return 0;
}

void router_write(req *r) {
  const route *rt = r->route;
  if ((rt->tx_late || router_recheck_in_tx(r) == 0) && rt->fn(r) != 0) {
    if (!r->err.status) APP_INTERNAL(&r->err);
    fail_err(r);
  }
  /* A handler that forgot to end its transaction (or a refused re-check) must not commit half
   * a change. */
  if (r->wconn && store_in_transaction(r->wconn)) {
    if (r->status < 400) log_error("route %s %s left a transaction open; rolled back", rt->method, rt->path);
    store_rollback(r->wconn);
  }
}

void router_dispatch(req *r) {
  if (router_prepare(r) == 0) router_write(r);
  else if (r->wconn && store_in_transaction(r->wconn))
    store_rollback(r->wconn);
}

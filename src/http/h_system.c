/* h_system.c: health, metrics, the OpenAPI document, the reference hello, the catalogue. */
#include <stdlib.h>
#include <string.h>

#include "domain/groups.h"
#include "domain/caps.h"
#include "domain/units.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "util/buf.h"

int h_healthz(req *r) {
  int v = store_schema_version(r->app->st);
  if (v < 0)
    return req_ok(r, 503, json_pack("{s:s, s:s}", "status", "degraded", "database", "unreachable"));
  return req_ok(r, 200, json_pack("{s:s, s:s, s:s, s:i}", "status", "ok", "database", "ok", "backend",
                                  store_kind_name(r->app->st), "schema_version", v));
}

static bool is_loopback(const char *ip) { return strcmp(ip, "127.0.0.1") == 0 || strcmp(ip, "::1") == 0; }

int h_metrics(req *r) {
  if (!is_loopback(r->ip))
    return req_fail(r, 403, "forbidden", NULL, "Số liệu vận hành chỉ xem được từ máy chủ nội bộ.");
  buf b;
  buf_init(&b);
  metrics_render(r->app->met, r->app, &b);
  size_t len = 0;
  char *text = buf_detach(&b, &len);
  if (!text) return APP_INTERNAL(&r->err);
  r->status = 200;
  r->raw = text;
  r->raw_len = len;
  r->raw_type = "text/plain; version=0.0.4; charset=utf-8";
  return 0;
}

int h_openapi(req *r) {
  char *copy = malloc(r->app->openapi_len + 1);
  if (!copy) return APP_INTERNAL(&r->err);
  memcpy(copy, r->app->openapi, r->app->openapi_len + 1);
  r->status = 200;
  r->raw = copy;
  r->raw_len = r->app->openapi_len;
  r->raw_type = "application/json; charset=utf-8";
  return 0;
}

int h_hello(req *r) { return req_ok(r, 200, json_pack("{s:s}", "hello", "world")); }

int h_meta(req *r) {
  json_t *kinds = json_array(), *roles = json_array(), *caps = json_array();
  for (int i = 0; i < unit_kinds_count; i++) {
    json_t *parents = json_array();
    for (int k = 0; k < unit_kinds_count; k++)
      if (unit_kind_parent_ok(unit_kinds[i].code, unit_kinds[k].code))
        json_array_append_new(parents, json_string(unit_kinds[k].code));
    json_array_append_new(kinds, json_pack("{s:s, s:s, s:o, s:b}", "code", unit_kinds[i].code, "label",
                                           unit_kinds[i].label, "parents", parents, "may_be_top", unit_kinds[i].root));
  }
  for (int i = 0; i < roles_count; i++) {
    json_t *list = json_array();
    for (int k = 0; k < CAP_COUNT; k++)
      if (roles_table[i].caps & caps_table[k].flag) json_array_append_new(list, json_string(caps_table[k].code));
    json_array_append_new(roles, json_pack("{s:s, s:s, s:o}", "code", roles_table[i].code, "label",
                                           roles_table[i].label, "capabilities", list));
  }
  for (int k = 0; k < CAP_COUNT; k++)
    json_array_append_new(caps, json_pack("{s:s, s:s}", "code", caps_table[k].code, "description",
                                          caps_table[k].description));
  json_t *groups = json_array();
  for (int g = 0; g < GROUP_COUNT; g++)
    json_array_append_new(groups, json_pack("{s:s, s:s}", "code", group_defs[g].code, "label", group_defs[g].label));
  return req_ok(r, 200, json_pack("{s:o, s:o, s:o, s:o}", "unit_kinds", kinds, "roles", roles, "capabilities", caps,
                                  "groups", groups));
}

/* Public and non-personal: the name of the ward (or commune) this instance serves, for the
 * log-in page. */
int h_instance(req *r) {
  store_conn *c = req_db(r);
  char name[256] = "";
  if (!c || units_instance_name(c, name, sizeof name) != 0) return APP_INTERNAL(&r->err);
  return req_ok(r, 200, json_pack("{s:s, s:o}", "app", "Bình dân học vụ số", "name",
                                  name[0] ? json_string(name) : json_null()));
}

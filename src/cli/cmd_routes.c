/* cmd_routes.c: `hocvuso routes [--json]`: the route table as data, for people who audit who may
 * call what and for the tests that generate a case per route (tests/api/matrix.test.mjs).
 * Owns: nothing but printing routes[]. Never: opens the database or needs a configuration.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/caps.h"
#include "http/http.h"

const cli_opt routes_opts[] = {
    {"json", false, "one JSON document (the default prints one line per route)"},
    {NULL, false, NULL},
};

static const char *scope_name(scope_kind k) {
  switch (k) {
    case SCOPE_NONE: return "none";
    case SCOPE_UNIT: return "unit";
    case SCOPE_USER: return "user";
    case SCOPE_GRANT: return "grant";
    case SCOPE_USER_ROLE: return "user_role";
    case SCOPE_PERSON: return "person";
    case SCOPE_HOUSEHOLD: return "household";
    case SCOPE_USER_PERSON: return "user_person";
    case SCOPE_IMPORT: return "import";
    case SCOPE_REQUEST: return "request";
    case SCOPE_PERSON_DELETED: return "person_deleted";
    case SCOPE_ATTEMPT: return "attempt";
    case SCOPE_CERT: return "certificate";
    case SCOPE_CONFIRMATION: return "confirmation";
    case SCOPE_TRADER: return "trader";
    case SCOPE_CLASS: return "class";
    case SCOPE_EVENT: return "event";
    case SCOPE_UNIT_PERSON: return "unit_person";
    case SCOPE_AMBASSADOR: return "ambassador";
    case SCOPE_MENTEE: return "mentee";
    case SCOPE_MENTORSHIP: return "mentorship";
    case SCOPE_PLAN_TASK: return "plan_task";
    case SCOPE_PLAN: return "plan";
    case SCOPE_ATTACHMENT: return "attachment";
    case SCOPE_FIELD_TEAM: return "field_team";
    case SCOPE_FIELD_TEAM_PERSON: return "field_team_person";
    case SCOPE_HELP_REQUEST: return "help_request";
  }
  return "?";
}

static const char *from_name(field_source f) {
  switch (f) {
    case FROM_PATH: return "path";
    case FROM_BODY: return "body";
    case FROM_QUERY: return "query";
  }
  return "?";
}

static const char *type_name(field_type t) {
  switch (t) {
    case FT_STRING: return "string";
    case FT_NAME: return "string";
    case FT_INT: return "integer";
    case FT_BOOL: return "boolean";
    case FT_DATE: return "date";
    case FT_ARRAY: return "array";
    case FT_OBJECT: return "object";
  }
  return "?";
}

/* Capability codes of a mask ("users.write"; several joined by "+"). */
static json_t *cap_json(caps_t cap) {
  if (!cap) return json_null();
  char codes[256] = "";
  size_t used = 0;
  for (int i = 0; i < CAP_COUNT; i++) {
    if (!(cap & caps_table[i].flag)) continue;
    int n = snprintf(codes + used, sizeof codes - used, "%s%s", used ? "+" : "", caps_table[i].code);
    if (n < 0 || (size_t)n >= sizeof codes - used) break;
    used += (size_t)n;
  }
  return json_string(codes);
}

static json_t *fields_json(const field_spec *spec) {
  if (!spec) return json_null();
  json_t *arr = json_array();
  for (const field_spec *f = spec; f->name; f++)
    json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:I, s:I}", "name", f->name, "type", type_name(f->type),
                                         "required", f->required, "min", (json_int_t)f->min, "max",
                                         (json_int_t)f->max));
  return arr;
}

int cmd_routes(int argc, char **argv) {
  cli_args a;
  char err[256];
  if (cli_parse(argc, argv, routes_opts, &a, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso routes: %s\n", err);
    return 2;
  }
  if (a.help) {
    cli_help("routes");
    return 0;
  }
  bool as_json = cli_get(routes_opts, &a, "json") != NULL;
  if (!as_json) {
    for (int i = 0; i < routes_count; i++) {
      const route *rt = &routes[i];
      json_t *cap = cap_json(rt->cap);
      printf("%-6s %-40s %-7s %-12s %-10s %s%s\n", rt->method, rt->path, rt->auth == AUTH_LOGIN ? "login" : "public",
             json_is_string(cap) ? json_string_value(cap) : "-", scope_name(rt->scope),
             rt->scope_field ? rt->scope_field : "", rt->csrf ? " csrf" : "");
      json_decref(cap);
    }
    return 0;
  }
  json_t *arr = json_array();
  for (int i = 0; i < routes_count && arr; i++) {
    const route *rt = &routes[i];
    if (!routes_enabled(i)) continue; /* a test-only route, absent from this server */
    json_array_append_new(
        arr, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:b, s:o, s:o, s:i, s:o}", "op_id", rt->op_id, "method",
                       rt->method, "path", rt->path, "auth", rt->auth == AUTH_LOGIN ? "login" : "public", "capability",
                       cap_json(rt->cap), "scope", scope_name(rt->scope), "scope_field",
                       rt->scope_field ? json_string(rt->scope_field) : json_null(), "scope_from",
                       rt->scope == SCOPE_NONE ? json_null() : json_string(from_name(rt->scope_from)), "csrf", rt->csrf,
                       "body", fields_json(rt->body), "query", fields_json(rt->query), "ok_status", rt->ok_status, "also_unit",
                       rt->also_unit ? json_string(rt->also_unit) : json_null()));
  }
  json_t *doc = json_pack("{s:o}", "routes", arr);
  int rc = doc && json_dumpf(doc, stdout, JSON_INDENT(1)) == 0 ? 0 : 1;
  printf("\n");
  json_decref(doc);
  return rc;
}

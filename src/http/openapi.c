/* openapi.c: builds the OpenAPI 3.1 document from routes[]: paths, methods, parameters,
 * request bodies (from the field specs), security (from auth and csrf) and responses.
 * Owns: the response schemas, written once below; everything else is read off the table.
 */
#include "http/openapi.h"

#include <stdio.h>
#include <string.h>

#include "http/http.h"

static const char *schemas_json =
    "{"
    "\"Error\":{\"type\":\"object\",\"required\":[\"error\"],\"properties\":{\"error\":{\"type\":\"object\","
    "\"required\":[\"code\",\"message\",\"field\"],\"properties\":{\"code\":{\"type\":\"string\"},"
    "\"message\":{\"type\":\"string\",\"description\":\"Vietnamese, for the user\"},"
    "\"field\":{\"type\":[\"string\",\"null\"]}}}}},"
    "\"Health\":{\"type\":\"object\",\"properties\":{\"status\":{\"type\":\"string\"},\"database\":{\"type\":\"string\"},"
    "\"backend\":{\"type\":\"string\"},\"schema_version\":{\"type\":\"integer\"}}},"
    "\"Hello\":{\"type\":\"object\",\"properties\":{\"hello\":{\"type\":\"string\"}}},"
    "\"Meta\":{\"type\":\"object\",\"properties\":{"
    "\"unit_kinds\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"}}}},"
    "\"roles\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"},"
    "\"capabilities\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}},"
    "\"capabilities\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\"},\"description\":{\"type\":\"string\"}}}}}},"
    "\"Role\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"role\":{\"type\":\"string\"},"
    "\"role_label\":{\"type\":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"}}},"
    "\"Me\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"username\":{\"type\":\"string\"},"
    "\"display_name\":{\"type\":\"string\"},\"roles\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Role\"}},"
    "\"capabilities\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"csrf_token\":{\"type\":\"string\"}}},"
    "\"Login\":{\"type\":\"object\",\"properties\":{\"user\":{\"$ref\":\"#/components/schemas/Me\"},\"csrf_token\":{\"type\":\"string\"}}},"
    "\"Unit\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"parent_id\":{\"type\":[\"integer\",\"null\"]},"
    "\"kind\":{\"type\":\"string\"},\"kind_label\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},"
    "\"code\":{\"type\":[\"string\",\"null\"]},\"depth\":{\"type\":\"integer\"},\"children_count\":{\"type\":\"integer\"},"
    "\"ancestors\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}}}}}},"
    "\"UnitPage\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Unit\"}},"
    "\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}}},"
    "\"User\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"username\":{\"type\":\"string\"},"
    "\"display_name\":{\"type\":\"string\"},\"disabled\":{\"type\":\"boolean\"},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"},"
    "\"unit_id\":{\"type\":[\"integer\",\"null\"]},\"unit_name\":{\"type\":[\"string\",\"null\"]},"
    "\"roles\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Role\"}}}},"
    "\"UserPage\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/User\"}},"
    "\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}}},"
    "\"Grant\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"user_id\":{\"type\":\"integer\"},"
    "\"role\":{\"type\":\"string\"},\"role_label\":{\"type\":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"}}},"
    "\"AuditEntry\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"at\":{\"type\":\"string\",\"format\":\"date-time\"},"
    "\"actor_id\":{\"type\":[\"integer\",\"null\"]},\"actor_username\":{\"type\":[\"string\",\"null\"]},\"action\":{\"type\":\"string\"},"
    "\"entity\":{\"type\":\"string\"},\"entity_id\":{\"type\":[\"integer\",\"null\"]},\"unit_id\":{\"type\":[\"integer\",\"null\"]},"
    "\"ip\":{\"type\":[\"string\",\"null\"]},\"detail\":{}}},"
    "\"AuditPage\":{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/AuditEntry\"}},"
    "\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}}}"
    "}";

static json_t *field_schema(const field_spec *f) {
  json_t *s = json_object();
  switch (f->type) {
    case FT_STRING:
    case FT_NAME:
      json_object_set_new(s, "type", json_string("string"));
      if (f->min) json_object_set_new(s, "minLength", json_integer(f->min));
      if (f->max) json_object_set_new(s, "maxLength", json_integer(f->max));
      break;
    case FT_DATE:
      json_object_set_new(s, "type", json_string("string"));
      json_object_set_new(s, "format", json_string("date"));
      break;
    case FT_INT:
      json_object_set_new(s, "type", json_string("integer"));
      if (f->min || f->max) {
        json_object_set_new(s, "minimum", json_integer(f->min));
        if (f->max != INT64_MAX) json_object_set_new(s, "maximum", json_integer(f->max));
      }
      break;
    case FT_BOOL:
      json_object_set_new(s, "type", json_string("boolean"));
      break;
  }
  if (f->doc) json_object_set_new(s, "description", json_string(f->doc));
  return s;
}

static json_t *error_response(const char *desc) {
  return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", desc, "content", "application/json", "schema", "$ref",
                   "#/components/schemas/Error");
}

static json_t *operation(const route *rt) {
  json_t *op = json_pack("{s:s, s:s, s:[s]}", "operationId", rt->op_id, "summary", rt->summary, "tags", rt->tag);
  /* security */
  if (rt->auth == AUTH_PUBLIC)
    json_object_set_new(op, "security", json_array());
  else if (rt->csrf)
    json_object_set_new(op, "security", json_pack("[{s:[], s:[]}]", "session", "csrf"));
  else
    json_object_set_new(op, "security", json_pack("[{s:[]}]", "session"));
  /* parameters: path ids, then the declared query */
  json_t *params = json_array();
  const char *p = rt->path;
  while ((p = strchr(p, '{'))) {
    const char *end = strchr(p, '}');
    if (!end) break;
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
    json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s, s:i}}", "name", name, "in", "path", "required",
                                            1, "schema", "type", "integer", "minimum", 1));
    p = end;
  }
  for (const field_spec *f = rt->query; f && f->name; f++)
    json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:o}", "name", f->name, "in", "query", "required",
                                            f->required, "schema", field_schema(f)));
  if (json_array_size(params))
    json_object_set_new(op, "parameters", params);
  else
    json_decref(params);
  /* request body */
  if (rt->body) {
    json_t *props = json_object(), *required = json_array();
    for (const field_spec *f = rt->body; f->name; f++) {
      json_object_set_new(props, f->name, field_schema(f));
      if (f->required) json_array_append_new(required, json_string(f->name));
    }
    json_t *schema = json_pack("{s:s, s:o, s:b}", "type", "object", "properties", props, "additionalProperties", 0);
    if (json_array_size(required))
      json_object_set_new(schema, "required", required);
    else
      json_decref(required);
    json_object_set_new(op, "requestBody",
                        json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content", "application/json", "schema", schema));
  }
  /* responses */
  json_t *resp = json_object();
  char code[8];
  snprintf(code, sizeof code, "%d", rt->ok_status);
  if (rt->ok_status == 204) {
    json_object_set_new(resp, code, json_pack("{s:s}", "description", "Thành công, không có nội dung"));
  } else if (rt->response) {
    char ref[96];
    snprintf(ref, sizeof ref, "#/components/schemas/%s", rt->response);
    json_object_set_new(resp, code, json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "Thành công", "content",
                                              "application/json", "schema", "$ref", ref));
  } else if (strcmp(rt->path, "/metrics") == 0) {
    json_object_set_new(resp, code, json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "Prometheus text format",
                                              "content", "text/plain", "schema", "type", "string"));
  } else {
    json_object_set_new(resp, code, json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "Tài liệu JSON", "content",
                                              "application/json", "schema", "type", "object"));
  }
  if (rt->body || rt->query) json_object_set_new(resp, "400", error_response("Dữ liệu không hợp lệ"));
  if (rt->auth == AUTH_LOGIN) {
    json_object_set_new(resp, "401", error_response("Chưa đăng nhập"));
    json_object_set_new(resp, "403", error_response("Không có quyền, hoặc thiếu mã CSRF"));
  } else if (strcmp(rt->path, "/metrics") == 0) {
    json_object_set_new(resp, "403", error_response("Chỉ từ máy chủ nội bộ"));
  } else if (strcmp(rt->op_id, "login") == 0) {
    json_object_set_new(resp, "401", error_response("Sai tên đăng nhập hoặc mật khẩu"));
    json_object_set_new(resp, "403", error_response("Tài khoản đã bị khóa"));
  }
  if (strchr(rt->path, '{') || rt->scope != SCOPE_NONE) json_object_set_new(resp, "404", error_response("Không tìm thấy"));
  if (rt->body) {
    json_object_set_new(resp, "413", error_response("Dữ liệu quá lớn"));
    json_object_set_new(resp, "415", error_response("Không phải JSON"));
  }
  if (rt->ok_status == 201 || rt->op_id[0] == 'u') json_object_set_new(resp, "409", error_response("Trùng dữ liệu"));
  if (rt->rate != RATE_NONE) json_object_set_new(resp, "429", error_response("Quá nhiều yêu cầu"));
  if (!json_object_get(resp, "404") && !json_object_get(resp, "400") && !json_object_get(resp, "401") &&
      !json_object_get(resp, "403"))
    json_object_set_new(resp, "405", error_response("Phương thức không được hỗ trợ"));
  json_object_set_new(op, "responses", resp);
  return op;
}

static const char *const tag_docs[][2] = {
    {"Hệ thống", "Tình trạng, số liệu vận hành, tài liệu API"},
    {"Phiên làm việc", "Đăng nhập, đăng xuất, mật khẩu của mình"},
    {"Đơn vị", "Cây đơn vị hành chính và tổ chức"},
    {"Tài khoản", "Tài khoản người dùng và phân quyền theo đơn vị"},
    {"Nhật ký", "Nhật ký truy cập và thay đổi (chỉ ghi thêm)"},
};

json_t *openapi_build(const char *version) {
  json_error_t jerr;
  json_t *schemas = json_loads(schemas_json, 0, &jerr);
  if (!schemas) {
    fprintf(stderr, "openapi: schema text is malformed at column %d: %s\n", jerr.column, jerr.text);
    return NULL;
  }
  json_t *tags = json_array();
  for (size_t i = 0; i < sizeof tag_docs / sizeof tag_docs[0]; i++)
    json_array_append_new(tags, json_pack("{s:s, s:s}", "name", tag_docs[i][0], "description", tag_docs[i][1]));
  json_t *paths = json_object();
  for (int i = 0; i < routes_count; i++) {
    const route *rt = &routes[i];
    if (!routes_enabled(i)) continue;
    json_t *item = json_object_get(paths, rt->path);
    if (!item) {
      item = json_object();
      json_object_set_new(paths, rt->path, item);
    }
    char method[16];
    size_t k;
    for (k = 0; rt->method[k] && k < sizeof method - 1; k++) method[k] = (char)(rt->method[k] | 0x20);
    method[k] = '\0';
    json_object_set_new(item, method, operation(rt));
  }
  return json_pack(
      "{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s}}, s:[{s:s}], s:o, s:o, s:{s:o, s:{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}}}}",
      "openapi", "3.1.0", "info", "title", "hocvuso API", "version", version, "description",
      "API của hệ thống Bình dân học vụ số. Lỗi có dạng {\"error\":{\"code\",\"message\",\"field\"}}; danh sách "
      "phân trang bằng page và per_page.",
      "license", "name", "AGPL-3.0-or-later", "url", "https://www.gnu.org/licenses/agpl-3.0.html", "servers", "url",
      "/", "tags", tags, "paths", paths, "components", "schemas", schemas, "securitySchemes", "session", "type",
      "apiKey", "in", "cookie", "name", "hocvuso_session", "description", "Phiên đăng nhập", "csrf", "type", "apiKey",
      "in", "header", "name", "X-CSRF-Token", "description", "Mã CSRF từ POST /api/v1/session hoặc GET /api/v1/me");
}

/* openapi.c: builds the OpenAPI 3.1 document from routes[]: paths, methods, parameters,
 * request bodies (from the field specs), security (from auth and csrf) and responses.
 * Owns: the response schemas, written once below; everything else is read off the table.
 */
#include "http/openapi.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "http/http.h"

/* Every object lists its required members and admits no other (additionalProperties: false): a
 * member added to an answer must be added here, or tests/api/openapi.test.mjs fails. */
static const char *schemas_json =
    "{\"Error\":{\"type\":\"object\",\"required\":[\"error\"],\"properties\":{\"error\":{\"type\":\"object\",\"requ"
    "ired\":[\"code\",\"message\",\"field\"],\"properties\":{\"code\":{\"type\":\"string\"},\"message\":{\"type\":"
    "\"string\",\"description\":\"Vietnamese, for the user\"},\"field\":{\"type\":[\"string\",\"null\"]},\"errors\""
    ":{\"type\":\"array\",\"description\":\"when several fields are wrong at once\",\"items\":{\"type\":\"object\","
    "\"required\":[\"field\",\"message\"],\"properties\":{\"field\":{\"type\":[\"string\",\"null\"]},\"message\":{"
    "\"type\":\"string\"}},\"additionalProperties\":false}}},\"additionalProperties\":false}},\"additionalPropertie"
    "s\":false},\"Health\":{\"type\":\"object\",\"required\":[\"status\",\"database\"],\"properties\":{\"status\":{"
    "\"type\":\"string\",\"enum\":[\"ok\",\"degraded\"]},\"database\":{\"type\":\"string\",\"enum\":[\"ok\",\"unrea"
    "chable\"]},\"backend\":{\"type\":\"string\",\"enum\":[\"sqlite\",\"postgresql\"]},\"schema_version\":{\"type\""
    ":\"integer\"}},\"additionalProperties\":false},\"Hello\":{\"type\":\"object\",\"required\":[\"hello\"],\"prope"
    "rties\":{\"hello\":{\"type\":\"string\"}},\"additionalProperties\":false},\"Meta\":{\"type\":\"object\",\"requ"
    "ired\":[\"unit_kinds\",\"roles\",\"capabilities\",\"groups\"],\"properties\":{\"unit_kinds\":{\"type\":\"array"
    "\",\"items\":{\"type\":\"object\",\"required\":[\"code\",\"label\"],\"properties\":{\"code\":{\"type\":\"strin"
    "g\"},\"label\":{\"type\":\"string\"},\"parents\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"may_be"
    "_top\":{\"type\":\"boolean\"}},\"additionalProperties\":false}},\"roles\":{\"type\":\"array\",\"items\":{\"typ"
    "e\":\"object\",\"required\":[\"code\",\"label\",\"capabilities\"],\"properties\":{\"code\":{\"type\":\"string"
    "\"},\"label\":{\"type\":\"string\"},\"capabilities\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},\"a"
    "dditionalProperties\":false}},\"capabilities\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\""
    ":[\"code\",\"description\"],\"properties\":{\"code\":{\"type\":\"string\"},\"description\":{\"type\":\"string"
    "\"}},\"additionalProperties\":false}},\"groups\":{\"type\":\"array\",\"description\":\"nhóm đối tượng của kế h"
    "oạch (điều kiện cấp chứng nhận theo nhóm)\",\"items\":{\"type\":\"object\",\"required\":[\"code\",\"label\"],"
    "\"properties\":{\"code\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"}},\"additionalProperties\":false"
    "}}},\"additionalProperties\":false},\"Role\":{\"type\":\"object\",\"required\":[\"id\",\"role\",\"role_label\""
    ",\"unit_id\",\"unit_name\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"role\":{\"type\":\"string\"},\"rol"
    "e_label\":{\"type\":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"}},\"addi"
    "tionalProperties\":false},\"Me\":{\"type\":\"object\",\"required\":[\"id\",\"username\",\"display_name\",\"rol"
    "es\",\"capabilities\",\"csrf_token\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"username\":{\"type\":\"s"
    "tring\"},\"display_name\":{\"type\":\"string\"},\"roles\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/componen"
    "ts/schemas/Role\"}},\"capabilities\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"csrf_token\":{\"ty"
    "pe\":\"string\"},\"must_change_password\":{\"type\":\"boolean\",\"description\":\"the account must set its own"
    " password first\"}},\"additionalProperties\":false},\"Login\":{\"type\":\"object\",\"required\":[\"user\",\"cs"
    "rf_token\"],\"properties\":{\"user\":{\"$ref\":\"#/components/schemas/Me\"},\"csrf_token\":{\"type\":\"string"
    "\"}},\"additionalProperties\":false},\"Unit\":{\"type\":\"object\",\"required\":[\"id\",\"parent_id\",\"kind\""
    ",\"kind_label\",\"name\",\"code\",\"depth\",\"children_count\"],\"properties\":{\"id\":{\"type\":\"integer\"},"
    "\"parent_id\":{\"type\":[\"integer\",\"null\"]},\"kind\":{\"type\":\"string\"},\"kind_label\":{\"type\":\"stri"
    "ng\"},\"name\":{\"type\":\"string\"},\"code\":{\"type\":[\"string\",\"null\"]},\"depth\":{\"type\":\"integer\""
    "},\"children_count\":{\"type\":\"integer\"},\"ancestors\":{\"type\":\"array\",\"description\":\"from the root "
    "down (only for a single unit)\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"name\"],\"properties\":{"
    "\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}},\"additionalProperties\":false}}},\"additionalPr"
    "operties\":false},\"UnitPage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_page\",\"total\"],"
    "\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Unit\"}},\"page\":{\""
    "type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperti"
    "es\":false},\"User\":{\"type\":\"object\",\"required\":[\"id\",\"username\",\"display_name\",\"disabled\",\"cr"
    "eated_at\",\"unit_id\",\"unit_name\",\"roles\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"username\":{\""
    "type\":\"string\"},\"display_name\":{\"type\":\"string\"},\"disabled\":{\"type\":\"boolean\"},\"created_at\":{"
    "\"type\":\"string\",\"format\":\"date-time\"},\"unit_id\":{\"type\":[\"integer\",\"null\"]},\"unit_name\":{\"t"
    "ype\":[\"string\",\"null\"]},\"roles\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Role\"}}"
    "},\"additionalProperties\":false},\"UserPage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_pag"
    "e\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/User\""
    "}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":[\"integer\",\"null"
    "\"],\"description\":\"null when paging with after\"},\"next\":{\"type\":[\"string\",\"null\"],\"description\":"
    "\"cursor: pass as after= for the next page\"}},\"additionalProperties\":false},\"Grant\":{\"type\":\"object\","
    "\"required\":[\"id\",\"user_id\",\"role\",\"role_label\",\"unit_id\",\"unit_name\"],\"properties\":{\"id\":{\""
    "type\":\"integer\"},\"user_id\":{\"type\":\"integer\"},\"role\":{\"type\":\"string\"},\"role_label\":{\"type\""
    ":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"}},\"additionalProperties\":"
    "false},\"AuditEntry\":{\"type\":\"object\",\"required\":[\"id\",\"at\",\"actor_id\",\"actor_username\",\"actio"
    "n\",\"entity\",\"entity_id\",\"unit_id\",\"ip\",\"detail\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"at"
    "\":{\"type\":\"string\",\"format\":\"date-time\"},\"actor_id\":{\"type\":[\"integer\",\"null\"]},\"actor_usern"
    "ame\":{\"type\":[\"string\",\"null\"]},\"action\":{\"type\":\"string\"},\"entity\":{\"type\":\"string\"},\"ent"
    "ity_id\":{\"type\":[\"integer\",\"null\"]},\"unit_id\":{\"type\":[\"integer\",\"null\"]},\"ip\":{\"type\":[\"s"
    "tring\",\"null\"]},\"detail\":{\"description\":\"what changed, as the action records it (any JSON value)\"},\""
    "actor_name\":{\"type\":[\"string\",\"null\"]},\"entity_name\":{\"type\":[\"string\",\"null\"]},\"unit_name\":{"
    "\"type\":[\"string\",\"null\"]}},\"additionalProperties\":false},\"AuditPage\":{\"type\":\"object\",\"required"
    "\":[\"items\",\"per_page\",\"total\",\"older\",\"newer\"],\"properties\":{\"items\":{\"type\":\"array\",\"item"
    "s\":{\"$ref\":\"#/components/schemas/AuditEntry\"}},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":["
    "\"integer\",\"null\"],\"description\":\"null when more than 1000 entries match\"},\"older\":{\"type\":[\"integ"
    "er\",\"null\"],\"description\":\"cursor: pass as before= for the next older page\"},\"newer\":{\"type\":[\"int"
    "eger\",\"null\"],\"description\":\"cursor: pass as after= for the next newer page\"}},\"additionalProperties\""
    ":false},\"TestUpload\":{\"type\":\"object\",\"required\":[\"bytes\",\"sha256\"],\"properties\":{\"bytes\":{\"t"
    "ype\":\"integer\"},\"sha256\":{\"type\":\"string\",\"pattern\":\"^[0-9a-f]{64}$\"}},\"additionalProperties\":f"
    "alse},\"Instance\":{\"type\":\"object\",\"required\":[\"app\",\"name\"],\"properties\":{\"app\":{\"type\":\"st"
    "ring\"},\"name\":{\"type\":[\"string\",\"null\"]}},\"additionalProperties\":false}}";

/* The list import's answers: merged like the registry's. */
static const char *import_schemas_json =
    "{\"ImportError\":{\"type\":\"object\",\"required\":[\"line\",\"reason\"],\"properties\":{\"line\":{\"type\":\"integer\","
    "\"description\":\"line of the file (the header is line 1)\"},\"reason\":{\"type\":\"string\"}},\"additionalProp"
    "erties\":false},\"Import\":{\"type\":\"object\",\"required\":[\"id\",\"kind\",\"status\",\"file_name\",\"format\",\"mapp"
    "ing\",\"rows_total\",\"rows_done\",\"imported\",\"updated\",\"unchanged\",\"rejected\",\"committed_line\",\"error\",\""
    "created_at\",\"updated_at\",\"finished_at\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"kind\":{\"type\":\"string"
    "\"},\"status\":{\"type\":\"string\",\"enum\":[\"uploaded\",\"queued\",\"running\",\"done\",\"failed\"]},\"file_name\":{\"t"
    "ype\":\"string\"},\"format\":{\"type\":\"string\"},\"mapping\":{\"type\":\"object\",\"additionalProperties\":{\"type\":"
    "\"integer\"},\"description\":\"field code → column (0 = A)\"},\"rows_total\":{\"type\":\"integer\",\"description\""
    ":\"an estimate until the job is done (0: unknown, XLSX)\"},\"rows_done\":{\"type\":\"integer\"},\"imported\":{"
    "\"type\":\"integer\",\"description\":\"new and updated records\"},\"updated\":{\"type\":\"integer\"},\"unchanged\":{"
    "\"type\":\"integer\"},\"rejected\":{\"type\":\"integer\"},\"committed_line\":{\"type\":\"integer\",\"description\":\"th"
    "e last line of the file whose outcome is committed\"},\"error\":{\"type\":[\"string\",\"null\"]},\"created_at\""
    ":{\"type\":\"integer\"},\"updated_at\":{\"type\":\"integer\"},\"finished_at\":{\"type\":[\"integer\",\"null\"]},\"error"
    "s\":{\"type\":\"array\",\"description\":\"the first 100 rejected lines\",\"items\":{\"$ref\":\"#/components/schema"
    "s/ImportError\"}}},\"additionalProperties\":false},\"ImportPage\":{\"type\":\"object\",\"required\":[\"items\",\"p"
    "age\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas"
    "/Import\"}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"addi"
    "tionalProperties\":false},\"ImportUpload\":{\"type\":\"object\",\"required\":[\"id\",\"status\",\"format\",\"columns"
    "\",\"preview\",\"missing\",\"warnings\",\"mapping\",\"rows_estimate\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"s"
    "tatus\":{\"type\":\"string\",\"enum\":[\"uploaded\"]},\"format\":{\"type\":\"string\",\"enum\":[\"CSV\",\"XLSX\"]},\"colum"
    "ns\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"index\",\"header\"],\"properties\":{\"index\":{\"t"
    "ype\":\"integer\"},\"header\":{\"type\":\"string\"},\"field\":{\"type\":\"string\"},\"field_label\":{\"type\":\"string\"}"
    "},\"additionalProperties\":false}},\"preview\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"lin"
    "e\",\"cells\"],\"properties\":{\"line\":{\"type\":\"integer\"},\"cells\":{\"type\":\"array\",\"items\":{\"type\":\"string\""
    "}}},\"additionalProperties\":false}},\"missing\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"description\""
    ":\"required fields without a column\"},\"warnings\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"mapping\""
    ":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}},\"rows_estimate\":{\"type\":\"integer\"}},\"ad"
    "ditionalProperties\":false}}";

/* The registry's answers (people, households): merged into the schemas above. */
static const char *people_schemas_json =
    "{\"ResidentSummary\":{\"type\":\"object\",\"required\":[\"id\",\"full_name\",\"birth_year\",\"birth_date\""
    ",\"sex\",\"phone\",\"unit_id\",\"unit_name\",\"household_id\",\"vneid_level\",\"groups\",\"restricted\"],\"properties\":{"
    "\"id\":{\"type\":\"integer\"},\"full_name\":{\"type\":\"string\"},\"birth_year\":{\"type\":[\"integer\",\"nul"
    "l\"]},\"birth_date\":{\"type\":[\"string\",\"null\"],\"format\":\"date\",\"description\":\"null when only "
    "the year is known\"},\"sex\":{\"type\":[\"string\",\"null\"],\"enum\":[\"M\",\"F\",null]},\"phone\":{\"type\""
    ":[\"string\",\"null\"]},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"household_"
    "id\":{\"type\":[\"integer\",\"null\"]},\"vneid_level\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":2},\""
    "groups\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"public_staff\",\"students_primary\""
    ",\"students_secondary\",\"adults\",\"elderly\",\"workers\",\"traders\"]}},\"restricted\":{\"type\":\"boolean\",\"description\":\"a restrict request of the person stands answered done: process nothing, the record is left out of exports\"}},\"additionalProperties\":fa"
    "lse},\"ResidentPage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_page\",\"total\"],\"prope"
    "rties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/ResidentSummary\"}},\""
    "page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":[\"integer\",\"null\"],"
    "\"description\":\"null when more than 1000 people match (counting them all would cost more than the page)\"}},\"additi"
    "onalProperties\":false},\"Resident\":{\"type\":\"object\",\"required\":[\"id\",\"full_name\",\"birth_yea"
    "r\",\"birth_date\",\"sex\",\"phone\",\"unit_id\",\"unit_name\",\"household_id\",\"vneid_level\",\"groups\","
    "\"restricted\",\"cccd\",\"cccd_shown\",\"relation\",\"household\",\"memberships\"],\"properties\":{\"id\":{\"type\":\"inte"
    "ger\"},\"full_name\":{\"type\":\"string\"},\"birth_year\":{\"type\":[\"integer\",\"null\"]},\"birth_date\":"
    "{\"type\":[\"string\",\"null\"],\"format\":\"date\",\"description\":\"null when only the year is known\""
    "},\"sex\":{\"type\":[\"string\",\"null\"],\"enum\":[\"M\",\"F\",null]},\"phone\":{\"type\":[\"string\",\"null\"]"
    "},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"household_id\":{\"type\":[\"inte"
    "ger\",\"null\"]},\"vneid_level\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":2},\"groups\":{\"type\":\"a"
    "rray\",\"items\":{\"type\":\"string\",\"enum\":[\"public_staff\",\"students_primary\",\"students_seconda"
    "ry\",\"adults\",\"elderly\",\"workers\",\"traders\"]}},\"cccd\":{\"type\":[\"string\",\"null\"],\"descriptio"
    "n\":\"in clear with identity.read on the person's unit (or one's own record), else masked: f"
    "irst 4 and last 3 digits (0300*****678)\"},\"cccd_shown\":{\"type\":\"string\",\"enum\":[\"clear\",\"m"
    "asked\",\"none\"]},\"relation\":{\"type\":[\"string\",\"null\"]},\"restricted\":{\"type\":\"boolean\",\"description\":\"a restrict request of the person stands answered done: process nothing, the record is left out of exports\"},\"household\":{\"oneOf\":[{\"type\":\"null\""
    "},{\"type\":\"object\",\"required\":[\"id\",\"code\",\"address\",\"unit_id\"],\"properties\":{\"id\":{\"type\""
    ":\"integer\"},\"code\":{\"type\":[\"string\",\"null\"]},\"address\":{\"type\":\"string\"},\"unit_id\":{\"type"
    "\":\"integer\"}},\"additionalProperties\":false}]},\"memberships\":{\"type\":\"array\",\"items\":{\"type"
    "\":\"object\",\"required\":[\"id\",\"unit_id\",\"unit_name\",\"unit_kind\",\"kind\",\"grade\"],\"properties\""
    ":{\"id\":{\"type\":\"integer\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"unit"
    "_kind\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\",\"enum\":[\"staff\",\"student\",\"worker\",\"trade"
    "r\"]},\"grade\":{\"type\":[\"integer\",\"null\"]}},\"additionalProperties\":false}}},\"additionalPrope"
    "rties\":false},\"HouseholdSummary\":{\"type\":\"object\",\"required\":[\"id\",\"unit_id\",\"unit_name\",\""
    "code\",\"address\",\"members_count\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"unit_id\":{\"type\":\""
    "integer\"},\"unit_name\":{\"type\":\"string\"},\"code\":{\"type\":[\"string\",\"null\"]},\"address\":{\"type"
    "\":\"string\"},\"members_count\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"HouseholdPa"
    "ge\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_page\",\"total\"],\"properties\":{\"items\":"
    "{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/HouseholdSummary\"}},\"page\":{\"type\":\""
    "integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperties\""
    ":false},\"Household\":{\"type\":\"object\",\"required\":[\"id\",\"unit_id\",\"unit_name\",\"code\",\"addres"
    "s\",\"members_count\",\"members\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"unit_id\":{\"type\":\"int"
    "eger\"},\"unit_name\":{\"type\":\"string\"},\"code\":{\"type\":[\"string\",\"null\"]},\"address\":{\"type\":\""
    "string\"},\"members_count\":{\"type\":\"integer\"},\"members\":{\"type\":\"array\",\"items\":{\"type\":\"obj"
    "ect\",\"required\":[\"id\",\"full_name\",\"relation\",\"birth_year\",\"sex\"],\"properties\":{\"id\":{\"type"
    "\":\"integer\"},\"full_name\":{\"type\":\"string\"},\"relation\":{\"type\":[\"string\",\"null\"]},\"birth_ye"
    "ar\":{\"type\":[\"integer\",\"null\"]},\"sex\":{\"type\":[\"string\",\"null\"]}},\"additionalProperties\":f"
    "alse}}},\"additionalProperties\":false},\"UserPerson\":{\"type\":\"object\",\"required\":[\"user_id\","
    "\"person_id\"],\"properties\":{\"user_id\":{\"type\":\"integer\"},\"person_id\":{\"type\":[\"integer\",\"nu"
    "ll\"]}},\"additionalProperties\":false}}";

/* Deleted records waiting for the purge: merged into the schemas above. */
static const char *deleted_schemas_json =
    "{\"DeletedResident\":{\"type\":\"object\",\"required\":[\"id\",\"full_name\",\"birth_year\",\"unit_id\","
    "\"unit_name\",\"deleted_at\",\"purge_after\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"full_name\":"
    "{\"type\":\"string\"},\"birth_year\":{\"type\":[\"integer\",\"null\"]},\"unit_id\":{\"type\":\"integer\"},"
    "\"unit_name\":{\"type\":\"string\"},\"deleted_at\":{\"type\":\"string\",\"format\":\"date-time\"},"
    "\"purge_after\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\",\"description\":\"deleted for good "
    "after this moment\"}},\"additionalProperties\":false},\"DeletedResidentPage\":{\"type\":\"object\",\"required\":"
    "[\"items\",\"page\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":"
    "\"#/components/schemas/DeletedResident\"}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},"
    "\"total\":{\"type\":\"integer\"}},\"additionalProperties\":false}}";

/* Data subjects' requests (requests.h): merged into the schemas above. */
static const char *privacy_schemas_json =
    "{\"DataRequest\":{\"type\":\"object\",\"required\":[\"id\",\"person_id\",\"person_name\",\"unit_id\""
    ",\"unit_name\",\"kind\",\"message\",\"status\",\"outcome\",\"answer\",\"created_at\",\"due_at\",\"an"
    "swered_at\",\"answered_by\",\"overdue\",\"hours_left\",\"person_restricted\",\"person_deleted\"],\"p"
    "roperties\":{\"id\":{\"type\":\"integer\"},\"person_id\":{\"type\":\"integer\"},\"person_name\":{\"t"
    "ype\":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"kind\":{\""
    "type\":\"string\",\"enum\":[\"access\",\"correct\",\"restrict\",\"delete\"]},\"message\":{\"type\":\""
    "string\"},\"status\":{\"type\":\"string\",\"enum\":[\"open\",\"answered\"]},\"outcome\":{\"type\":[\""
    "string\",\"null\"],\"enum\":[\"done\",\"refused\",null]},\"answer\":{\"type\":[\"string\",\"null\"]}"
    ",\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"due_at\":{\"type\":\"string\",\"for"
    "mat\":\"date-time\",\"description\":\"created_at + 72 giờ\"},\"answered_at\":{\"type\":[\"string\""
    ",\"null\"],\"format\":\"date-time\"},\"answered_by\":{\"type\":[\"string\",\"null\"],\"description\""
    ":\"Họ tên người trả lời\"},\"overdue\":{\"type\":\"boolean\",\"description\":\"Đã quá h"
    "ạn mà chưa trả lời\"},\"hours_left\":{\"type\":[\"integer\",\"null\"],\"description\":\"Số"
    " giờ còn lại (âm khi quá hạn); null khi đã trả lời\"},\"person_restricted\":{\"type\""
    ":\"boolean\"},\"person_deleted\":{\"type\":\"boolean\"}},\"additionalProperties\":false},\"DataReque"
    "stList\":{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":\"array\""
    ",\"items\":{\"$ref\":\"#/components/schemas/DataRequest\"}}},\"additionalProperties\":false},\"DataR"
    "equestPage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_page\",\"total\"],\"propert"
    "ies\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/DataRequest\"}},\"pa"
    "ge\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\""
    "additionalProperties\":false},\"RequestSummary\":{\"type\":\"object\",\"required\":[\"open\",\"overd"
    "ue\",\"due_within_24h\"],\"properties\":{\"open\":{\"type\":\"integer\"},\"overdue\":{\"type\":\"int"
    "eger\"},\"due_within_24h\":{\"type\":\"integer\"}},\"additionalProperties\":false}}";

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
    case FT_ARRAY:
      json_object_set_new(s, "type", json_string("array"));
      if (f->min) json_object_set_new(s, "minItems", json_integer(f->min));
      if (f->max) json_object_set_new(s, "maxItems", json_integer(f->max));
      break;
    case FT_OBJECT:
      json_object_set_new(s, "type", json_string("object"));
      if (f->max) json_object_set_new(s, "maxProperties", json_integer(f->max));
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
  /* request body: an upload (a route without JSON fields and with a body limit), or JSON */
  if (!rt->body && rt->body_limit) {
    char desc[96];
    snprintf(desc, sizeof desc, "Tệp gửi lên, tối đa %zu byte", rt->body_limit);
    json_object_set_new(op, "requestBody",
                        json_pack("{s:b, s:s, s:{s:{s:{s:s, s:s}}}}", "required", 1, "description", desc, "content",
                                  "application/octet-stream", "schema", "type", "string", "contentMediaType",
                                  "application/octet-stream"));
  }
  if (rt->body) {
    json_t *props = json_object(), *required = json_array();
    for (const field_spec *f = rt->body; f->name; f++) {
      json_object_set_new(props, f->name, field_schema(f));
      if (f->required) json_array_append_new(required, json_string(f->name));
    }
    json_t *schema = json_pack("{s:s, s:o, s:b}", "type", "object", "properties", props, "additionalProperties", 0);
    json_object_set_new(schema, "required", required); /* listed even when empty */
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
  } else if (strcmp(rt->op_id, "exportResidents") == 0) {
    /* A file, streamed: CSV (UTF-8 with BOM) or an Excel workbook. */
    json_object_set_new(resp, code,
                        json_pack("{s:s, s:{s:{s:{s:s}}, s:{s:{s:s, s:s}}}}", "description",
                                  "Tệp danh sách (Content-Disposition: attachment)", "content", "text/csv", "schema",
                                  "type", "string",
                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "schema",
                                  "type", "string", "contentMediaType",
                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
  } else if (strlen(rt->path) > 4 && strcmp(rt->path + strlen(rt->path) - 4, ".csv") == 0) {
    json_object_set_new(resp, code, json_pack("{s:s, s:{s:{s:{s:s}}}}", "description",
                                              "Tệp CSV (UTF-8 có BOM, xuống dòng CRLF), mở được bằng Excel", "content",
                                              "text/csv", "schema", "type", "string"));
  } else if (strlen(rt->path) > 5 && strcmp(rt->path + strlen(rt->path) - 5, ".xlsx") == 0) {
    json_object_set_new(resp, code,
                        json_pack("{s:s, s:{s:{s:{s:s, s:s}}}}", "description", "Tệp Excel (Content-Disposition: attachment)",
                                  "content", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "schema",
                                  "type", "string", "contentMediaType",
                                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
  } else if (strlen(rt->path) > 4 && strcmp(rt->path + strlen(rt->path) - 4, "/pdf") == 0) {
    json_object_set_new(resp, code, json_pack("{s:s, s:{s:{s:{s:s, s:s}}}}", "description",
                                              "Tệp PDF (Content-Disposition: attachment)", "content", "application/pdf",
                                              "schema", "type", "string", "contentMediaType", "application/pdf"));
  } else if (strlen(rt->path) > 4 && strcmp(rt->path + strlen(rt->path) - 4, ".svg") == 0) {
    json_object_set_new(resp, code, json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "Ảnh SVG", "content",
                                              "image/svg+xml", "schema", "type", "string"));
  } else if (strcmp(rt->op_id, "getAttachment") == 0) {
    /* A stored file, of the type read from its bytes when it was stored (attachments.h). */
    json_t *c = json_object();
    static const char *const types[] = {"application/pdf", "image/png", "image/jpeg", "image/webp"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
      json_object_set_new(c, types[i], json_pack("{s:{s:s, s:s}}", "schema", "type", "string", "contentMediaType", types[i]));
    json_object_set_new(resp, code, json_pack("{s:s, s:o}", "description",
                                              "Tệp đính kèm (Content-Disposition: attachment; X-Content-Type-Options: nosniff)",
                                              "content", c));
  } else if (strcmp(rt->path, "/metrics") == 0) {
    json_object_set_new(resp, code, json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "Prometheus text format",
                                              "content", "text/plain", "schema", "type", "string"));
  } else {
    json_object_set_new(resp, code, json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "Tài liệu JSON", "content",
                                              "application/json", "schema", "type", "object"));
  }
  /* Every route refuses an undeclared query parameter (400). */
  json_object_set_new(resp, "400", error_response("Dữ liệu không hợp lệ"));
  if (rt->auth == AUTH_LOGIN) {
    json_object_set_new(resp, "401", error_response("Chưa đăng nhập"));
    json_object_set_new(resp, "403", error_response("Không có quyền, hoặc thiếu mã CSRF"));
  } else if (strcmp(rt->path, "/metrics") == 0) {
    json_object_set_new(resp, "403", error_response("Chỉ từ máy chủ nội bộ"));
  } else if (strcmp(rt->op_id, "login") == 0) {
    json_object_set_new(resp, "401", error_response("Sai tên đăng nhập hoặc mật khẩu"));
    json_object_set_new(resp, "403", error_response("Tài khoản đã bị khóa"));
  }
  if (strcmp(rt->op_id, "verifyCertificate") == 0) /* "unknown" for the interface, the error beside it */
    json_object_set_new(resp, "404", json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "Không có chứng nhận mang mã này",
                                               "content", "application/json", "schema", "$ref",
                                               "#/components/schemas/CertificateUnknown"));
  else if (strchr(rt->path, '{') || rt->scope != SCOPE_NONE)
    json_object_set_new(resp, "404", error_response("Không tìm thấy"));
  if (rt->body) {
    json_object_set_new(resp, "413", error_response("Dữ liệu quá lớn"));
    json_object_set_new(resp, "415", error_response("Không phải JSON"));
  } else if (rt->body_limit) {
    json_object_set_new(resp, "413", error_response("Tệp quá lớn"));
  }
  if (rt->ok_status == 201 || rt->op_id[0] == 'u') json_object_set_new(resp, "409", error_response("Trùng dữ liệu"));
  if (rt->rate != RATE_NONE) json_object_set_new(resp, "429", error_response("Quá nhiều yêu cầu"));
  if (!json_object_get(resp, "404") && !json_object_get(resp, "400") && !json_object_get(resp, "401") &&
      !json_object_get(resp, "403"))
    json_object_set_new(resp, "405", error_response("Phương thức không được hỗ trợ"));
  if (strcmp(rt->op_id, "getHealth") == 0)
    json_object_set_new(resp, "503", json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "Cơ sở dữ liệu không truy cập được",
                                               "content", "application/json", "schema", "$ref", "#/components/schemas/Health"));
  /* Any other status (405, 431, 501, 503, …) carries the same error object. */
  json_object_set_new(resp, "default", error_response("Lỗi khác; mọi lỗi có dạng Error"));
  json_object_set_new(op, "responses", resp);
  return op;
}

/* The question bank (qbank.h): merged into the schemas above. */
/* Certificates (certs.h, docs/CERTIFICATES.md). */
static const char *certificate_schemas_json =
    "{\"CertificateKeys\":{\"type\":\"object\",\"required\":[\"keys\"],\"properties\":{\"keys\":{\"type\":\"array\""
    ",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"alg\",\"public_key\",\"valid_from\",\"valid_until\"],\""
    "properties\":{\"id\":{\"type\":\"string\"},\"alg\":{\"type\":\"string\",\"enum\":[\"Ed25519\"]},\"public_key\""
    ":{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_-]{43}$\",\"description\":\"base64url của 32 byte khóa công kh"
    "ai\"},\"valid_from\":{\"type\":\"string\",\"format\":\"date-time\"},\"valid_until\":{\"type\":[\"string\",\"nu"
    "ll\"],\"format\":\"date-time\"}},\"additionalProperties\":false}}},\"additionalProperties\":false},\"Certifica"
    "teVerification\":{\"type\":\"object\",\"required\":[\"status\"],\"properties\":{\"status\":{\"type\":\"string"
    "\",\"enum\":[\"valid\",\"revoked\",\"unknown\",\"forged\"]},\"id\":{\"type\":\"integer\",\"minimum\":100000000"
    "0000000,\"maximum\":8999999999999999},\"id_text\":{\"type\":\"string\",\"pattern\":\"^\\\\d{4}-\\\\d{4}-\\\\d{"
    "4}-\\\\d{4}$\"},\"holder_name\":{\"type\":\"string\"},\"programme\":{\"type\":\"string\"},\"issued_on\":{\"typ"
    "e\":\"string\",\"pattern\":\"^\\\\d{4}-\\\\d{2}-\\\\d{2}$\"},\"issuer\":{\"type\":\"string\"},\"key_id\":{\"ty"
    "pe\":\"string\"},\"payload\":{\"type\":\"string\",\"description\":\"base64url của đúng các byte đã ký (docs/CE"
    "RTIFICATES.md)\"},\"signature\":{\"type\":\"string\",\"description\":\"chữ ký Ed25519, base64url\"},\"revoked_"
    "on\":{\"type\":[\"string\",\"null\"],\"pattern\":\"^\\\\d{4}-\\\\d{2}-\\\\d{2}$\"}},\"additionalProperties\":f"
    "alse},\"Certificate\":{\"type\":\"object\",\"required\":[\"attempt_id\",\"holder_name\",\"id\",\"id_text\",\"i"
    "ssued_at\",\"issued_on\",\"issuer\",\"key_id\",\"payload\",\"person_id\",\"programme\",\"programme_id\",\"qr_t"
    "ext\",\"revoke_reason\",\"revoked_on\",\"signature\",\"status\",\"unit_id\",\"user_id\"],\"properties\":{\"sta"
    "tus\":{\"type\":\"string\",\"enum\":[\"valid\",\"revoked\",\"unknown\",\"forged\"]},\"id\":{\"type\":\"integer"
    "\",\"minimum\":1000000000000000,\"maximum\":8999999999999999},\"id_text\":{\"type\":\"string\",\"pattern\":\"^"
    "\\\\d{4}-\\\\d{4}-\\\\d{4}-\\\\d{4}$\"},\"holder_name\":{\"type\":\"string\"},\"programme\":{\"type\":\"string"
    "\"},\"issued_on\":{\"type\":\"string\",\"pattern\":\"^\\\\d{4}-\\\\d{2}-\\\\d{2}$\"},\"issuer\":{\"type\":\"st"
    "ring\"},\"key_id\":{\"type\":\"string\"},\"payload\":{\"type\":\"string\",\"description\":\"base64url của đúng"
    " các byte đã ký (docs/CERTIFICATES.md)\"},\"signature\":{\"type\":\"string\",\"description\":\"chữ ký Ed25519,"
    " base64url\"},\"revoked_on\":{\"type\":[\"string\",\"null\"],\"pattern\":\"^\\\\d{4}-\\\\d{2}-\\\\d{2}$\"},\"p"
    "rogramme_id\":{\"type\":\"integer\"},\"person_id\":{\"type\":[\"integer\",\"null\"]},\"user_id\":{\"type\":[\""
    "integer\",\"null\"]},\"unit_id\":{\"type\":[\"integer\",\"null\"]},\"issued_at\":{\"type\":\"string\",\"format"
    "\":\"date-time\"},\"revoke_reason\":{\"type\":[\"string\",\"null\"]},\"attempt_id\":{\"type\":[\"integer\",\"n"
    "ull\"]},\"qr_text\":{\"type\":\"string\",\"description\":\"nội dung mã QR: địa chỉ trang kiểm tra kèm nội dung"
    " đã ký và chữ ký\"}},\"additionalProperties\":false},\"CertificateSummary\":{\"type\":\"object\",\"required\":"
    "[\"id\",\"id_text\",\"status\",\"holder_name\",\"programme\",\"issued_on\",\"issuer\",\"person_id\",\"unit_nam"
    "e\",\"revoked_on\"],\"properties\":{\"id\":{\"type\":\"integer\",\"minimum\":1000000000000000,\"maximum\":8999"
    "999999999999},\"id_text\":{\"type\":\"string\",\"pattern\":\"^\\\\d{4}-\\\\d{4}-\\\\d{4}-\\\\d{4}$\"},\"status"
    "\":{\"type\":\"string\",\"enum\":[\"valid\",\"revoked\"]},\"holder_name\":{\"type\":\"string\"},\"programme\":"
    "{\"type\":\"string\"},\"issued_on\":{\"type\":\"string\",\"pattern\":\"^\\\\d{4}-\\\\d{2}-\\\\d{2}$\"},\"issue"
    "r\":{\"type\":\"string\"},\"person_id\":{\"type\":[\"integer\",\"null\"]},\"unit_name\":{\"type\":[\"string\","
    "\"null\"]},\"revoked_on\":{\"type\":[\"string\",\"null\"],\"pattern\":\"^\\\\d{4}-\\\\d{2}-\\\\d{2}$\"}},\"add"
    "itionalProperties\":false},\"CertificatePage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_pag"
    "e\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Certif"
    "icateSummary\"}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"int"
    "eger\"}},\"additionalProperties\":false},\"Programme\":{\"type\":\"object\",\"required\":[\"id\",\"code\",\"ti"
    "tle\",\"description\",\"pass_percent\",\"in_person_check\",\"requirements\",\"active\",\"certificates\"],\"pro"
    "perties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},\"desc"
    "ription\":{\"type\":\"string\"},\"pass_percent\":{\"type\":[\"integer\",\"null\"]},\"in_person_check\":{\"type"
    "\":\"boolean\"},\"requirements\":{\"type\":\"object\",\"properties\":{\"modules\":{\"type\":\"array\",\"items"
    "\":{\"type\":\"string\"}},\"groups\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"group"
    "\",\"modules\"],\"properties\":{\"group\":{\"type\":\"string\"},\"modules\":{\"type\":\"array\",\"items\":{\"t"
    "ype\":\"string\"}}},\"additionalProperties\":false}}},\"required\":[\"modules\"],\"additionalProperties\":fals"
    "e},\"active\":{\"type\":\"boolean\"},\"certificates\":{\"type\":\"integer\",\"description\":\"số chứng nhận cò"
    "n hiệu lực\"}},\"additionalProperties\":false},\"ProgrammePage\":{\"type\":\"object\",\"required\":[\"items\","
    "\"page\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/compone"
    "nts/schemas/Programme\"}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"typ"
    "e\":\"integer\"}},\"additionalProperties\":false},\"ProgrammeCheck\":{\"type\":\"object\",\"required\":[\"prog"
    "ramme_id\",\"checked\",\"certificates\"],\"properties\":{\"programme_id\":{\"type\":\"integer\"},\"checked\":{"
    "\"type\":\"boolean\"},\"certificates\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\""
    ",\"programme\"],\"properties\":{\"id\":{\"type\":\"integer\",\"minimum\":1000000000000000,\"maximum\":89999999"
    "99999999},\"programme\":{\"type\":\"string\"}},\"additionalProperties\":false}}},\"additionalProperties\":fals"
    "e},\"CertificateUnknown\":{\"type\":\"object\",\"required\":[\"status\",\"error\"],\"properties\":{\"status\":"
    "{\"type\":\"string\",\"enum\":[\"unknown\"]},\"error\":{\"$ref\":\"#/components/schemas/Error/properties/error"
    "\"}},\"additionalProperties\":false},\"ProgrammeCreated\":{\"type\":\"object\",\"required\":[\"id\",\"code\"],"
    "\"properties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":\"string\"}},\"additionalProperties\":false}}";

static const char *learning_schemas_json =
    "{\"QuestionSummary\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"type\",\"text\",\"format\",\"compete"
    "ncy\",\"competency_name\",\"level\",\"category\",\"has_explanation\",\"created_at\"],\"properties\":{\"id\":{"
    "\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"type\":{\"type\":\"string\",\"enum\":[\"single\",\"mult"
    "i\",\"truefalse\",\"matching\",\"short\",\"numerical\"]},\"text\":{\"type\":\"string\"},\"format\":{\"type\":"
    "\"string\",\"enum\":[\"moodle\",\"html\",\"plain\",\"markdown\"]},\"competency\":{\"type\":\"string\"},\"compe"
    "tency_name\":{\"type\":\"string\"},\"level\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":8},\"category\":{"
    "\"type\":[\"string\",\"null\"]},\"has_explanation\":{\"type\":\"boolean\"},\"created_at\":{\"type\":\"string\""
    ",\"format\":\"date-time\"}},\"additionalProperties\":false},\"QuestionAnswer\":{\"type\":\"object\",\"required"
    "\":[\"text\",\"fraction\"],\"properties\":{\"text\":{\"type\":\"string\"},\"fraction\":{\"type\":\"number\"},"
    "\"match\":{\"type\":[\"string\",\"null\"]},\"tolerance\":{\"type\":\"number\"},\"feedback\":{\"type\":\"string"
    "\"}},\"additionalProperties\":false},\"Question\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"type\","
    "\"text\",\"format\",\"competency\",\"competency_name\",\"level\",\"category\",\"has_explanation\",\"created_at"
    "\",\"answers\",\"explanation\",\"idnumber\",\"source\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\""
    ":{\"type\":\"string\"},\"type\":{\"type\":\"string\",\"enum\":[\"single\",\"multi\",\"truefalse\",\"matching\""
    ",\"short\",\"numerical\"]},\"text\":{\"type\":\"string\"},\"format\":{\"type\":\"string\",\"enum\":[\"moodle\""
    ",\"html\",\"plain\",\"markdown\"]},\"competency\":{\"type\":\"string\"},\"competency_name\":{\"type\":\"string"
    "\"},\"level\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":8},\"category\":{\"type\":[\"string\",\"null\"]}"
    ",\"has_explanation\":{\"type\":\"boolean\"},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"an"
    "swers\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/QuestionAnswer\"}},\"answer\":{\"type\""
    ":\"boolean\",\"description\":\"true/false: the right answer\"},\"feedback_right\":{\"type\":[\"string\",\"null"
    "\"]},\"feedback_wrong\":{\"type\":[\"string\",\"null\"]},\"explanation\":{\"type\":[\"string\",\"null\"]},\"id"
    "number\":{\"type\":[\"string\",\"null\"]},\"source\":{\"type\":\"string\"}},\"additionalProperties\":false},\""
    "QuestionPage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_page\",\"total\"],\"properties\":{"
    "\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/QuestionSummary\"}},\"page\":{\"type"
    "\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperties\""
    ":false},\"QuestionImport\":{\"type\":\"object\",\"required\":[\"imported\",\"unchanged\",\"rejected\"],\"prope"
    "rties\":{\"imported\":{\"type\":\"integer\"},\"unchanged\":{\"type\":\"integer\"},\"rejected\":{\"type\":\"arr"
    "ay\",\"items\":{\"type\":\"object\",\"required\":[\"line\",\"reason\"],\"properties\":{\"line\":{\"type\":\"in"
    "teger\"},\"name\":{\"type\":[\"string\",\"null\"]},\"reason\":{\"type\":\"string\",\"description\":\"Vietnames"
    "e\"}},\"additionalProperties\":false}}},\"additionalProperties\":false},\"Competency\":{\"type\":\"object\",\""
    "required\":[\"id\",\"framework\",\"code\",\"domain_code\",\"domain_name\",\"name\",\"questions\"],\"properties"
    "\":{\"id\":{\"type\":\"integer\"},\"framework\":{\"type\":\"string\"},\"code\":{\"type\":\"string\"},\"domain_"
    "code\":{\"type\":\"string\"},\"domain_name\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"questions"
    "\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"CompetencyPage\":{\"type\":\"object\",\"required"
    "\":[\"items\",\"page\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref"
    "\":\"#/components/schemas/Competency\"}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},"
    "\"total\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"QuizCreated\":{\"type\":\"object\",\"requi"
    "red\":[\"id\",\"title\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"title\":{\"type\":\"string\"}},\"addi"
    "tionalProperties\":false},\"Quiz\":{\"type\":\"object\",\"required\":[\"id\",\"title\",\"description\",\"quest"
    "ion_count\",\"pass_percent\",\"time_limit_min\",\"max_attempts\",\"competency\",\"level\",\"category\",\"mine"
    "\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"title\":{\"type\":\"string\"},\"description\":{\"type\":\""
    "string\"},\"question_count\":{\"type\":\"integer\"},\"pass_percent\":{\"type\":\"integer\"},\"time_limit_min\""
    ":{\"type\":\"integer\"},\"max_attempts\":{\"type\":\"integer\"},\"competency\":{\"type\":[\"string\",\"null\"]"
    "},\"level\":{\"type\":[\"integer\",\"null\"]},\"category\":{\"type\":[\"string\",\"null\"]},\"purpose\":{\"type\":\"string\",\"enum\":[\"practice\",\"placement\"]},\"mine\":{\"type\""
    ":\"object\",\"required\":[\"attempts\",\"best_percent\",\"passed\",\"open_attempt\"],\"properties\":{\"attempt"
    "s\":{\"type\":\"integer\"},\"best_percent\":{\"type\":[\"number\",\"null\"]},\"passed\":{\"type\":\"boolean\"}"
    ",\"open_attempt\":{\"type\":[\"integer\",\"null\"]}},\"additionalProperties\":false}},\"additionalProperties\""
    ":false},\"QuizPage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_page\",\"total\"],\"propertie"
    "s\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Quiz\"}},\"page\":{\"type\":\"in"
    "teger\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperties\":false}"
    ",\"AttemptQuestion\":{\"type\":\"object\",\"required\":[\"index\",\"type\",\"text\",\"format\"],\"properties\""
    ":{\"index\":{\"type\":\"integer\"},\"type\":{\"type\":\"string\",\"enum\":[\"single\",\"multi\",\"truefalse\","
    "\"matching\",\"short\",\"numerical\"]},\"text\":{\"type\":\"string\"},\"format\":{\"type\":\"string\"},\"optio"
    "ns\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"items\":{\"type\":\"array\",\"items\":{\"type\":\""
    "string\"}},\"choices\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"your_answer\":{\"description\":"
    "\"the answer as submitted (null: left blank)\"},\"score\":{\"type\":\"number\"},\"explanation\":{\"type\":[\"s"
    "tring\",\"null\"]},\"shares\":{\"type\":\"array\",\"items\":{\"type\":\"number\"}},\"right_answer\":{\"descrip"
    "tion\":\"true/false: a boolean; matching: the right side of each item; short and numerical: the answers worth "
    "full marks\"},\"feedback\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},\"additionalProperties\":fals"
    "e},\"Attempt\":{\"type\":\"object\",\"required\":[\"id\",\"quiz_id\",\"title\",\"state\",\"pass_percent\",\"st"
    "arted_at\",\"deadline_at\",\"submitted_at\",\"score_percent\",\"passed\",\"questions\",\"certificates\"],\"pro"
    "perties\":{\"id\":{\"type\":\"integer\"},\"quiz_id\":{\"type\":\"integer\"},\"title\":{\"type\":\"string\"},\""
    "state\":{\"type\":\"string\",\"enum\":[\"open\",\"submitted\",\"expired\"]},\"pass_percent\":{\"type\":\"integ"
    "er\"},\"started_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"deadline_at\":{\"type\":[\"string\",\"nu"
    "ll\"],\"format\":\"date-time\"},\"submitted_at\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},\"s"
    "core_percent\":{\"type\":[\"number\",\"null\"]},\"passed\":{\"type\":[\"boolean\",\"null\"]},\"questions\":{\""
    "type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/AttemptQuestion\"}},\"certificates\":{\"type\":\"a"
    "rray\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"programme\"],\"properties\":{\"id\":{\"type\":\"i"
    "nteger\",\"minimum\":1000000000000000,\"maximum\":8999999999999999},\"programme\":{\"type\":\"string\"}},\"add"
    "itionalProperties\":false},\"description\":\"Chứng nhận mà lần nộp bài này đã mang lại (thường rỗng)\"},\"saved_answers\":{\"type\":[\"array\",\"null\"],\"description\":\"Bài đang làm: các câu trả lời đã lưu tạm (PUT …/answers), theo thứ tự câu hỏi; null: chưa lưu hoặc đã nộp\"},\"purpose\":{\"type\":\"string\",\"enum\":[\"practice\",\"placement\"]},\"assisted\":{\"type\":[\"object\",\"null\"],\"description\":\"làm cùng cán bộ hỗ trợ (null: người học tự làm)\",\"required\":[\"by_user_id\",\"by_name\",\"person_id\"],\"properties\":{\"by_user_id\":{\"type\":\"integer\"},\"by_name\":{\"type\":\"string\"},\"person_id\":{\"type\":[\"integer\",\"null\"]}},\"additionalProperties\":false}},\"add"
    "itionalProperties\":false},\"Course\":{\"type\":\"object\",\"required\":[\"id\",\"code\",\"title\",\"descripti"
    "on\",\"modules\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":\"string\"},\"title\":{\"ty"
    "pe\":\"string\"},\"description\":{\"type\":\"string\"},\"modules\":{\"type\":\"array\",\"items\":{\"type\":\"o"
    "bject\",\"required\":[\"id\",\"code\",\"title\",\"summary\",\"level\",\"quiz_id\",\"lessons\"],\"properties\":"
    "{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},\"summary\":{\"t"
    "ype\":\"string\"},\"level\":{\"type\":\"integer\"},\"quiz_id\":{\"type\":[\"integer\",\"null\"]},\"lessons\":{"
    "\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"title\",\"minutes\",\"done\"],\"prope"
    "rties\":{\"id\":{\"type\":\"integer\"},\"title\":{\"type\":\"string\"},\"minutes\":{\"type\":\"integer\"},\"do"
    "ne\":{\"type\":\"boolean\"}},\"additionalProperties\":false}}},\"additionalProperties\":false}}},\"additionalP"
    "roperties\":false},\"CoursePage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_page\",\"total\""
    "],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Course\"}},\"page\""
    ":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProp"
    "erties\":false},\"Lesson\":{\"type\":\"object\",\"required\":[\"id\",\"title\",\"minutes\",\"competencies\",\""
    "html\",\"course\",\"module\",\"done\",\"previous\",\"next\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"t"
    "itle\":{\"type\":\"string\"},\"minutes\":{\"type\":\"integer\"},\"competencies\":{\"type\":\"array\",\"items\""
    ":{\"type\":\"string\"}},\"html\":{\"type\":\"string\",\"description\":\"rendered from Markdown; raw HTML refus"
    "ed\"},\"course\":{\"type\":\"object\",\"required\":[\"code\",\"title\"],\"properties\":{\"code\":{\"type\":\"s"
    "tring\"},\"title\":{\"type\":\"string\"}},\"additionalProperties\":false},\"module\":{\"type\":\"object\",\"re"
    "quired\":[\"code\",\"title\"],\"properties\":{\"code\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"}},"
    "\"additionalProperties\":false},\"done\":{\"type\":\"boolean\"},\"previous\":{\"type\":[\"integer\",\"null\"]}"
    ",\"next\":{\"type\":[\"integer\",\"null\"]}},\"additionalProperties\":false},\"CompetencyCreated\":{\"type\":"
    "\"object\",\"required\":[\"id\",\"framework\",\"code\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"framew"
    "ork\":{\"type\":\"string\"},\"code\":{\"type\":\"string\"}},\"additionalProperties\":false}}";

/* The change in competence and assisted attempts (competence.h): merged into the schemas above. */
static const char *competence_schemas_json =
    "{\"CompetenceProfile\":{\"type\":\"object\",\"required\":[\"measured\",\"measured_again\",\"competen"
    "cies\"],\"properties\":{\"measured\":{\"type\":\"integer\"},\"measured_again\":{\"type\":\"integer\""
    "},\"competencies\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"framework\",\""
    "code\",\"name\",\"domain_code\",\"domain_name\",\"before\",\"after\",\"change\"],\"properties\":{\"f"
    "ramework\":{\"type\":\"string\"},\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"dom"
    "ain_code\":{\"type\":\"string\"},\"domain_name\":{\"type\":\"string\"},\"before\":{\"type\":\"number"
    "\",\"description\":\"phần trăm, bài kiểm tra đầu vào đầu tiên\"},\"after\":{\"type\":[\"number\",\"n"
    "ull\"],\"description\":\"phần trăm, lần đo sau cùng (null: chưa đo lại)\"},\"change\":{\"type\":[\"n"
    "umber\",\"null\"]}},\"additionalProperties\":false}}},\"additionalProperties\":false},\"CompetenceCh"
    "ange\":{\"type\":\"object\",\"required\":[\"unit_id\",\"group\",\"total\",\"competencies\",\"by_unit"
    "\",\"by_group\"],\"properties\":{\"unit_id\":{\"type\":\"integer\"},\"group\":{\"type\":[\"string\","
    "\"null\"]},\"total\":{\"type\":\"object\",\"required\":[\"learners\",\"measures\",\"before\",\"after"
    "\",\"change\"],\"properties\":{\"learners\":{\"type\":\"integer\"},\"measures\":{\"type\":\"integer"
    "\",\"description\":\"số cặp (người học, năng lực) đo hai lần\"},\"before\":{\"type\":\"number\"},\"a"
    "fter\":{\"type\":\"number\"},\"change\":{\"type\":\"number\"}},\"additionalProperties\":false},\"com"
    "petencies\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"learners\",\"measures"
    "\",\"before\",\"after\",\"change\",\"framework\",\"code\",\"name\",\"domain_code\",\"domain_name\"],"
    "\"properties\":{\"learners\":{\"type\":\"integer\"},\"measures\":{\"type\":\"integer\",\"description"
    "\":\"số cặp (người học, năng lực) đo hai lần\"},\"before\":{\"type\":\"number\"},\"after\":{\"type\""
    ":\"number\"},\"change\":{\"type\":\"number\"},\"framework\":{\"type\":\"string\"},\"code\":{\"type\""
    ":\"string\"},\"name\":{\"type\":\"string\"},\"domain_code\":{\"type\":\"string\"},\"domain_name\":{"
    "\"type\":\"string\"}},\"additionalProperties\":false}},\"by_unit\":{\"type\":\"array\",\"items\":{\""
    "type\":\"object\",\"required\":[\"learners\",\"measures\",\"before\",\"after\",\"change\",\"unit_id"
    "\",\"name\"],\"properties\":{\"learners\":{\"type\":\"integer\"},\"measures\":{\"type\":\"integer\","
    "\"description\":\"số cặp (người học, năng lực) đo hai lần\"},\"before\":{\"type\":\"number\"},\"afte"
    "r\":{\"type\":\"number\"},\"change\":{\"type\":\"number\"},\"unit_id\":{\"type\":\"integer\"},\"name"
    "\":{\"type\":\"string\"}},\"additionalProperties\":false}},\"by_group\":{\"type\":\"array\",\"items"
    "\":{\"type\":\"object\",\"required\":[\"learners\",\"measures\",\"before\",\"after\",\"change\",\"gr"
    "oup\",\"label\"],\"properties\":{\"learners\":{\"type\":\"integer\"},\"measures\":{\"type\":\"intege"
    "r\",\"description\":\"số cặp (người học, năng lực) đo hai lần\"},\"before\":{\"type\":\"number\"},\""
    "after\":{\"type\":\"number\"},\"change\":{\"type\":\"number\"},\"group\":{\"type\":\"string\"},\"lab"
    "el\":{\"type\":\"string\"}},\"additionalProperties\":false}}},\"additionalProperties\":false}}";
/* Issue 9, parts 2, 3 and 10 (ambassadors.h, families.h, vneid.h): merged into the schemas above. */
static const char *reach_schemas_json =
    "{\"Ambassador\":{\"type\":\"object\",\"required\":[\"id\",\"person_id\",\"full_name\",\"unit_id\",\"unit_nam"
    "e\",\"kind\",\"kind_label\",\"started_at\",\"ended_at\",\"active_mentees\",\"sessions\",\"helps\",\"shortfal"
    "l\",\"short\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"person_id\":{\"type\":\"integer\"},\"full_nam"
    "e\":{\"type\":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"kind\":{\""
    "type\":\"string\",\"enum\":[\"mentor\",\"service_helper\"]},\"kind_label\":{\"type\":\"string\"},\"started_a"
    "t\":{\"type\":\"string\"},\"ended_at\":{\"type\":[\"string\",\"null\"]},\"active_mentees\":{\"type\":\"integ"
    "er\"},\"sessions\":{\"type\":\"integer\"},\"helps\":{\"type\":\"integer\"},\"shortfall\":{\"type\":\"integer"
    "\",\"description\":\"số người còn thiếu so với quy định (mỗi đại sứ số hướng dẫn "
    "ít nhất 5 người)\"},\"short\":{\"type\":\"boolean\"},\"min_mentees\":{\"type\":\"integer\"},\"mentees\""
    ":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"mentorship_id\",\"person_id\",\"full_nam"
    "e\",\"unit_name\",\"started_at\",\"ended_at\",\"sessions\",\"active\"],\"properties\":{\"mentorship_id\":{\""
    "type\":\"integer\"},\"person_id\":{\"type\":\"integer\"},\"full_name\":{\"type\":\"string\"},\"unit_name\":{"
    "\"type\":\"string\"},\"started_at\":{\"type\":\"string\"},\"ended_at\":{\"type\":[\"string\",\"null\"]},\"se"
    "ssions\":{\"type\":\"integer\"},\"active\":{\"type\":\"boolean\"}},\"additionalProperties\":false}},\"sessio"
    "n_log\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"mentorship_id\",\"mentee_n"
    "ame\",\"held_on\",\"topic\",\"recorded_by\",\"created_at\"],\"properties\":{\"id\":{\"type\":\"integer\"},\""
    "mentorship_id\":{\"type\":\"integer\"},\"mentee_name\":{\"type\":\"string\"},\"held_on\":{\"type\":\"string\""
    "},\"topic\":{\"type\":\"string\"},\"recorded_by\":{\"type\":[\"string\",\"null\"]},\"created_at\":{\"type\":"
    "\"string\"}},\"additionalProperties\":false}},\"help_log\":{\"type\":\"array\",\"items\":{\"type\":\"object\""
    ",\"required\":[\"id\",\"person_id\",\"full_name\",\"helped_on\",\"what\",\"recorded_by\",\"created_at\"],\"p"
    "roperties\":{\"id\":{\"type\":\"integer\"},\"person_id\":{\"type\":\"integer\"},\"full_name\":{\"type\":\"st"
    "ring\"},\"helped_on\":{\"type\":\"string\"},\"what\":{\"type\":\"string\"},\"recorded_by\":{\"type\":[\"stri"
    "ng\",\"null\"]},\"created_at\":{\"type\":\"string\"}},\"additionalProperties\":false}}},\"additionalProperti"
    "es\":false},\"AmbassadorPage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_page\",\"total\"]"
    ",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Ambassador\"}},\"p"
    "age\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additio"
    "nalProperties\":false},\"AmbassadorSummary\":{\"type\":\"object\",\"required\":[\"min_mentees\",\"mentors\","
    "\"mentors_short\",\"mentees\",\"sessions\",\"centres\",\"centre_without_helper\",\"no_centre\"],\"properties"
    "\":{\"min_mentees\":{\"type\":\"integer\"},\"mentors\":{\"type\":\"integer\"},\"mentors_short\":{\"type\":\""
    "integer\"},\"mentees\":{\"type\":\"integer\"},\"sessions\":{\"type\":\"integer\"},\"centres\":{\"type\":\"ar"
    "ray\",\"items\":{\"type\":\"object\",\"required\":[\"unit_id\",\"name\",\"helpers\",\"helps\"],\"properties\""
    ":{\"unit_id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"helpers\":{\"type\":\"integer\"},\"hel"
    "ps\":{\"type\":\"integer\"}},\"additionalProperties\":false}},\"centre_without_helper\":{\"type\":\"boolean\""
    "},\"no_centre\":{\"type\":\"boolean\"}},\"additionalProperties\":false},\"Mentorship\":{\"type\":\"object\","
    "\"required\":[\"id\",\"ambassador_id\",\"mentor_person_id\",\"mentor_name\",\"mentee_id\",\"mentee_name\",\""
    "started_at\",\"ended_at\",\"sessions\",\"active\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"ambassado"
    "r_id\":{\"type\":\"integer\"},\"mentor_person_id\":{\"type\":\"integer\"},\"mentor_name\":{\"type\":\"string"
    "\"},\"mentee_id\":{\"type\":\"integer\"},\"mentee_name\":{\"type\":\"string\"},\"started_at\":{\"type\":\"st"
    "ring\"},\"ended_at\":{\"type\":[\"string\",\"null\"]},\"sessions\":{\"type\":\"integer\"},\"active\":{\"type"
    "\":\"boolean\"}},\"additionalProperties\":false},\"MentorSession\":{\"type\":\"object\",\"required\":[\"id\""
    ",\"mentorship_id\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"mentorship_id\":{\"type\":\"integer\"}},"
    "\"additionalProperties\":false},\"ServiceHelp\":{\"type\":\"object\",\"required\":[\"id\",\"ambassador_id\","
    "\"person_id\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"ambassador_id\":{\"type\":\"integer\"},\"pers"
    "on_id\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"FamilySummary\":{\"type\":\"object\",\"req"
    "uired\":[\"rule\",\"households\",\"counted\",\"not_counted\",\"percent\",\"by_unit\"],\"properties\":{\"rule"
    "\":{\"type\":\"string\"},\"households\":{\"type\":\"integer\"},\"counted\":{\"type\":\"integer\"},\"not_coun"
    "ted\":{\"type\":\"integer\"},\"percent\":{\"type\":\"number\"},\"by_unit\":{\"type\":\"array\",\"items\":{\""
    "type\":\"object\",\"required\":[\"unit_id\",\"name\",\"households\",\"counted\",\"not_counted\",\"percent\"]"
    ",\"properties\":{\"unit_id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"households\":{\"type\":"
    "\"integer\"},\"counted\":{\"type\":\"integer\"},\"not_counted\":{\"type\":\"integer\"},\"percent\":{\"type\""
    ":\"number\"}},\"additionalProperties\":false}}},\"additionalProperties\":false},\"FamilyLeft\":{\"type\":\"o"
    "bject\",\"required\":[\"id\",\"code\",\"address\",\"unit_id\",\"unit_name\",\"members\"],\"properties\":{\"i"
    "d\":{\"type\":\"integer\"},\"code\":{\"type\":[\"string\",\"null\"]},\"address\":{\"type\":\"string\"},\"uni"
    "t_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"members\":{\"type\":\"integer\"}},\"addi"
    "tionalProperties\":false},\"FamilyPage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_page\","
    "\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/FamilyLe"
    "ft\"}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}}"
    ",\"additionalProperties\":false},\"VneidCoverage\":{\"type\":\"object\",\"required\":[\"date\",\"by_unit\",\""
    "residents\",\"level0\",\"level1\",\"level2\",\"adults\",\"adults_without_level2\"],\"properties\":{\"date\":"
    "{\"type\":\"string\"},\"by_unit\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"unit_id"
    "\",\"name\",\"residents\",\"level0\",\"level1\",\"level2\",\"adults\",\"adults_without_level2\"],\"propertie"
    "s\":{\"unit_id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"residents\":{\"type\":\"integer\"},"
    "\"level0\":{\"type\":\"integer\"},\"level1\":{\"type\":\"integer\"},\"level2\":{\"type\":\"integer\"},\"adul"
    "ts\":{\"type\":\"integer\"},\"adults_without_level2\":{\"type\":\"integer\"}},\"additionalProperties\":false"
    "}},\"residents\":{\"type\":\"integer\"},\"level0\":{\"type\":\"integer\"},\"level1\":{\"type\":\"integer\"},"
    "\"level2\":{\"type\":\"integer\"},\"adults\":{\"type\":\"integer\"},\"adults_without_level2\":{\"type\":\"in"
    "teger\"}},\"additionalProperties\":false},\"VneidWorklistItem\":{\"type\":\"object\",\"required\":[\"id\",\""
    "full_name\",\"birth_year\",\"unit_id\",\"unit_name\",\"vneid_level\",\"household_id\",\"address\"],\"propert"
    "ies\":{\"id\":{\"type\":\"integer\"},\"full_name\":{\"type\":\"string\"},\"birth_year\":{\"type\":[\"integer"
    "\",\"null\"]},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"vneid_level\":{\"type"
    "\":\"integer\"},\"household_id\":{\"type\":[\"integer\",\"null\"]},\"address\":{\"type\":[\"string\",\"null\""
    "]}},\"additionalProperties\":false},\"VneidWorklistPage\":{\"type\":\"object\",\"required\":[\"items\",\"pag"
    "e\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components"
    "/schemas/VneidWorklistItem\"}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\""
    ":{\"type\":\"integer\"}},\"additionalProperties\":false}}";
/* Confirmations from outside (confirmations.h): merged into the schemas above. */
static const char *confirm_schemas_json =
    "{\"Confirmation\":{\"type\":\"object\",\"required\":[\"id\",\"person_id\",\"full_name\",\"unit_id\","
    "\"unit_name\",\"kind\",\"kind_label\",\"source\",\"reference\",\"confirmed_on\",\"recorded_by\",\"vi"
    "a_import\",\"created_at\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"person_id\":{\"type\":\"i"
    "nteger\"},\"full_name\":{\"type\":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"ty"
    "pe\":\"string\"},\"kind\":{\"type\":\"string\",\"enum\":[\"vneid\",\"national_platform\",\"course_el"
    "sewhere\"]},\"kind_label\":{\"type\":\"string\"},\"source\":{\"type\":\"string\"},\"reference\":{\"t"
    "ype\":[\"string\",\"null\"]},\"confirmed_on\":{\"type\":\"string\",\"format\":\"date\"},\"recorded_b"
    "y\":{\"type\":[\"string\",\"null\"],\"description\":\"display name of who recorded it; null: the ope"
    "rator\"},\"via_import\":{\"type\":\"boolean\"},\"created_at\":{\"type\":\"string\",\"format\":\"date"
    "-time\"}},\"additionalProperties\":false},\"ConfirmationList\":{\"type\":\"object\",\"required\":[\""
    "items\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Co"
    "nfirmation\"}}},\"additionalProperties\":false},\"ConfirmationPage\":{\"type\":\"object\",\"required"
    "\":[\"items\",\"page\",\"per_page\",\"total\",\"people\"],\"properties\":{\"items\":{\"type\":\"arra"
    "y\",\"items\":{\"$ref\":\"#/components/schemas/Confirmation\"}},\"page\":{\"type\":\"integer\"},\"pe"
    "r_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"},\"people\":{\"type\":\"object\",\"r"
    "equired\":[\"vneid\",\"national_platform\",\"course_elsewhere\",\"any\"],\"description\":\"distinct "
    "people with at least one confirmation of each kind\",\"properties\":{\"vneid\":{\"type\":\"integer\""
    "},\"national_platform\":{\"type\":\"integer\"},\"course_elsewhere\":{\"type\":\"integer\"},\"any\":{"
    "\"type\":\"integer\"}},\"additionalProperties\":false}},\"additionalProperties\":false},\"Confirmati"
    "onImport\":{\"type\":\"object\",\"required\":[\"recorded\",\"unchanged\",\"unmatched\",\"rejected\","
    "\"unmatched_count\",\"rejected_count\"],\"properties\":{\"recorded\":{\"type\":\"integer\"},\"unchan"
    "ged\":{\"type\":\"integer\"},\"unmatched\":{\"type\":\"array\",\"description\":\"at most 1000\",\"it"
    "ems\":{\"type\":\"object\",\"required\":[\"line\",\"reason\"],\"properties\":{\"line\":{\"type\":\"i"
    "nteger\"},\"reason\":{\"type\":\"string\"}},\"additionalProperties\":false}},\"rejected\":{\"type\":"
    "\"array\",\"description\":\"at most 1000\",\"items\":{\"type\":\"object\",\"required\":[\"line\",\"f"
    "ield\",\"reason\"],\"properties\":{\"line\":{\"type\":\"integer\"},\"field\":{\"type\":\"string\"},\""
    "reason\":{\"type\":\"string\"}},\"additionalProperties\":false}},\"unmatched_count\":{\"type\":\"int"
    "eger\"},\"rejected_count\":{\"type\":\"integer\"}},\"additionalProperties\":false}}";

/* Traders, classes, events (issue 9 parts 4 to 6; trade.h): merged into the schemas above. */
static const char *movement_schemas_json =
    "{\"TradeStep\":{\"type\":\"object\",\"required\":[\"code\",\"label\",\"hint\",\"position\"],\"proper"
    "ties\":{\"code\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"},\"hint\":{\"type\":\"string\""
    "},\"position\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"Market\":{\"type\":\"object"
    "\",\"required\":[\"id\",\"name\",\"code\",\"traders\",\"steps\"],\"properties\":{\"id\":{\"type\":\""
    "integer\"},\"name\":{\"type\":\"string\"},\"code\":{\"type\":[\"string\",\"null\"]},\"traders\":{\"t"
    "ype\":\"integer\"},\"steps\":{\"type\":\"object\",\"description\":\"số tiểu thương đã thực hiện mỗi "
    "bước (theo mã bước)\",\"additionalProperties\":{\"type\":\"integer\"}}},\"additionalProperties\":fal"
    "se},\"MarketList\":{\"type\":\"object\",\"required\":[\"items\",\"steps\"],\"properties\":{\"items\""
    ":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Market\"}},\"steps\":{\"type\":\"arr"
    "ay\",\"items\":{\"$ref\":\"#/components/schemas/TradeStep\"}}},\"additionalProperties\":false},\"Tra"
    "derStepDone\":{\"type\":\"object\",\"required\":[\"id\",\"step\",\"step_label\",\"done_on\",\"helper"
    "_name\",\"recorded_by\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"step\":{\"type\":\"string\""
    "},\"step_label\":{\"type\":\"string\"},\"done_on\":{\"type\":\"string\",\"format\":\"date\"},\"helpe"
    "r_name\":{\"type\":[\"string\",\"null\"]},\"recorded_by\":{\"type\":[\"string\",\"null\"]}},\"additi"
    "onalProperties\":false},\"Trader\":{\"type\":\"object\",\"required\":[\"person_id\",\"full_name\",\""
    "unit_name\",\"market_id\",\"market_name\",\"steps\"],\"properties\":{\"person_id\":{\"type\":\"integ"
    "er\"},\"full_name\":{\"type\":\"string\"},\"unit_name\":{\"type\":\"string\"},\"market_id\":{\"type\""
    ":\"integer\"},\"market_name\":{\"type\":\"string\"},\"steps\":{\"type\":\"array\",\"items\":{\"$ref\""
    ":\"#/components/schemas/TraderStepDone\"}}},\"additionalProperties\":false},\"TraderPage\":{\"type\""
    ":\"object\",\"required\":[\"items\",\"page\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"ty"
    "pe\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Trader\"}},\"page\":{\"type\":\"integer\"}"
    ",\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperties\":fals"
    "e},\"TradeStepRecord\":{\"type\":\"object\",\"required\":[\"id\",\"person_id\",\"full_name\",\"unit_"
    "id\",\"step\",\"step_label\",\"done_on\",\"helper_id\",\"helper_name\",\"recorded_by\",\"created_at\""
    "],\"properties\":{\"id\":{\"type\":\"integer\"},\"person_id\":{\"type\":\"integer\"},\"full_name\":{"
    "\"type\":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"step\":{\"type\":\"string\"},\"step_label\""
    ":{\"type\":\"string\"},\"done_on\":{\"type\":\"string\",\"format\":\"date\"},\"helper_id\":{\"type\""
    ":[\"integer\",\"null\"]},\"helper_name\":{\"type\":[\"string\",\"null\"]},\"recorded_by\":{\"type\":"
    "[\"string\",\"null\"]},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"}},\"additionalPr"
    "operties\":false},\"ClassSession\":{\"type\":\"object\",\"required\":[\"id\",\"held_on\",\"place\",\""
    "attended\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"held_on\":{\"type\":\"string\",\"format\""
    ":\"date\"},\"place\":{\"type\":\"string\"},\"attended\":{\"type\":\"integer\"}},\"additionalProperti"
    "es\":false},\"ClassParticipant\":{\"type\":\"object\",\"required\":[\"person_id\",\"full_name\",\"un"
    "it_name\",\"outcome\",\"outcome_on\",\"attended\"],\"properties\":{\"person_id\":{\"type\":\"integer"
    "\"},\"full_name\":{\"type\":\"string\"},\"unit_name\":{\"type\":\"string\"},\"outcome\":{\"type\":[\""
    "string\",\"null\"],\"enum\":[\"completed\",\"not_completed\",null]},\"outcome_on\":{\"type\":[\"stri"
    "ng\",\"null\"],\"format\":\"date\"},\"attended\":{\"type\":\"array\",\"items\":{\"type\":\"integer\""
    "}}},\"additionalProperties\":false},\"ClassCompetence\":{\"type\":\"object\",\"required\":[\"id\",\""
    "framework\",\"code\",\"name\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"framework\":{\"type\""
    ":\"string\"},\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"}},\"additionalProperties\""
    ":false},\"Class\":{\"type\":\"object\",\"required\":[\"id\",\"title\",\"unit_id\",\"unit_name\",\"to"
    "pic\",\"created_by\",\"created_at\",\"competences\",\"sessions\",\"participants\"],\"properties\":{\""
    "id\":{\"type\":\"integer\"},\"title\":{\"type\":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"uni"
    "t_name\":{\"type\":\"string\"},\"topic\":{\"type\":[\"string\",\"null\"]},\"created_by\":{\"type\":["
    "\"string\",\"null\"]},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"competences\":"
    "{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/ClassCompetence\"}},\"sessions\":{\"t"
    "ype\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/ClassSession\"}},\"participants\":{\"type"
    "\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/ClassParticipant\"}}},\"additionalProperties"
    "\":false},\"ClassSummary\":{\"type\":\"object\",\"required\":[\"id\",\"title\",\"unit_id\",\"unit_na"
    "me\",\"topic\",\"sessions\",\"first_on\",\"last_on\",\"enrolled\",\"completed\"],\"properties\":{\"i"
    "d\":{\"type\":\"integer\"},\"title\":{\"type\":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"unit"
    "_name\":{\"type\":\"string\"},\"topic\":{\"type\":[\"string\",\"null\"]},\"sessions\":{\"type\":\"in"
    "teger\"},\"first_on\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},\"last_on\":{\"type\":[\""
    "string\",\"null\"],\"format\":\"date\"},\"enrolled\":{\"type\":\"integer\"},\"completed\":{\"type\":"
    "\"integer\"}},\"additionalProperties\":false},\"ClassPage\":{\"type\":\"object\",\"required\":[\"ite"
    "ms\",\"page\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$re"
    "f\":\"#/components/schemas/ClassSummary\"}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\""
    "integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"EventActivity\":{\"ty"
    "pe\":\"object\",\"required\":[\"id\",\"title\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"titl"
    "e\":{\"type\":\"string\"}},\"additionalProperties\":false},\"EventParticipant\":{\"type\":\"object\""
    ",\"required\":[\"person_id\",\"full_name\",\"unit_name\",\"status\"],\"properties\":{\"person_id\":{"
    "\"type\":\"integer\"},\"full_name\":{\"type\":\"string\"},\"unit_name\":{\"type\":\"string\"},\"stat"
    "us\":{\"type\":\"string\",\"enum\":[\"registered\",\"attended\"],\"description\":\"registered: signe"
    "d up ahead; attended: took part (only from the event's day)\"}},\"additionalProperties\":false},\"Ev"
    "ent\":{\"type\":\"object\",\"required\":[\"id\",\"title\",\"held_on\",\"place\",\"unit_id\",\"unit_n"
    "ame\",\"head_count\",\"registered\",\"total\",\"signed_up\",\"created_by\",\"created_at\",\"ac"
    "tivities\",\"participants\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"title\":{\"type\":\"str"
    "ing\"},\"held_on\":{\"type\":\"string\",\"format\":\"date\"},\"place\":{\"type\":\"string\"},\"unit_"
    "id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"head_count\":{\"type\":\"integer\""
    "},\"registered\":{\"type\":\"integer\",\"description\":\"registered residents who attended\"},\"tota"
    "l\":{\"type\":\"integer\"},\"signed_up\":{\"type\":\"integer\",\"description\":\"registered resident"
    "s signed up ahead, not yet attended\"},\"created_by\":{\"type\":[\""
    "string\",\"null\"]},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"activities\":{\""
    "type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/EventActivity\"}},\"participants\":{\"ty"
    "pe\":\"array\",\"description\":\"by name, at most 500 (registered and signed_up count them all)\",\""
    "items\":{\"$r"
    "ef\":\"#/components/schemas/EventParticipant\"}}},\"additionalProperties\":false},\"EventSummary\":{"
    "\"type\":\"object\",\"required\":[\"id\",\"title\",\"held_on\",\"place\",\"unit_id\",\"unit_name\",\""
    "head_count\",\"registered\",\"total\",\"activities\"],\"properties\":{\"id\":{\"type\":\"integer\"},"
    "\"title\":{\"type\":\"string\"},\"held_on\":{\"type\":\"string\",\"format\":\"date\"},\"place\":{\"t"
    "ype\":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"head_coun"
    "t\":{\"type\":\"integer\"},\"registered\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"},\""
    "activities\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"EventPage\":{\"type\":\"objec"
    "t\",\"required\":[\"items\",\"page\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"type\":\"a"
    "rray\",\"items\":{\"$ref\":\"#/components/schemas/EventSummary\"}},\"page\":{\"type\":\"integer\"},\""
    "per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperties\":false}}";
/* The plan's tasks and attachments (plan.h, attachments.h): merged into the schemas above. */
static const char *plan_schemas_json =
    "{\"PlanTaskItem\":{\"type\":\"object\",\"required\":[\"id\",\"code\",\"section\",\"title\",\"lea"
    "d_unit\",\"coordinating_units\",\"timeframe\",\"status\",\"status_label\",\"status_reason\",\"st"
    "arts_on\",\"ends_on\",\"recurring\",\"report_days\",\"updates_count\",\"last_update_at\"],\"prop"
    "erties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":\"string\",\"description\":\"số hiệu "
    "nhiệm vụ trong kế hoạch, ví dụ 1.1\"},\"section\":{\"type\":\"string\"},\"title\":{\"type\":\"st"
    "ring\"},\"lead_unit\":{\"type\":\"string\",\"description\":\"đơn vị chủ trì, nguyên văn kế hoạch"
    "\"},\"coordinating_units\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"description\":\""
    "đơn vị phối hợp, nguyên văn kế hoạch\"},\"timeframe\":{\"type\":\"string\",\"description\":\"thờ"
    "i gian thực hiện, nguyên văn kế hoạch\"},\"status\":{\"type\":\"string\",\"enum\":[\"not_started"
    "\",\"on_track\",\"late\",\"done\"]},\"status_label\":{\"type\":\"string\"},\"status_reason\":{\""
    "type\":\"string\"},\"starts_on\":{\"type\":\"string\",\"format\":\"date\"},\"ends_on\":{\"type\""
    ":[\"string\",\"null\"],\"format\":\"date\"},\"recurring\":{\"type\":\"boolean\"},\"report_days\""
    ":{\"type\":\"integer\"},\"updates_count\":{\"type\":\"integer\"},\"last_update_at\":{\"type\":[\""
    "string\",\"null\"],\"format\":\"date-time\"}},\"additionalProperties\":false},\"PlanTaskList\":{"
    "\"type\":\"object\",\"required\":[\"items\",\"total\"],\"properties\":{\"items\":{\"type\":\"arr"
    "ay\",\"items\":{\"$ref\":\"#/components/schemas/PlanTaskItem\"}},\"total\":{\"type\":\"integer\""
    "}},\"additionalProperties\":false},\"PlanTask\":{\"type\":\"object\",\"required\":[\"id\",\"code"
    "\",\"section\",\"title\",\"lead_unit\",\"coordinating_units\",\"timeframe\",\"status\",\"status_"
    "label\",\"status_reason\",\"starts_on\",\"ends_on\",\"recurring\",\"report_days\",\"updates_coun"
    "t\",\"last_update_at\",\"units\",\"updates\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"co"
    "de\":{\"type\":\"string\",\"description\":\"số hiệu nhiệm vụ trong kế hoạch, ví dụ 1.1\"},\"sect"
    "ion\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},\"lead_unit\":{\"type\":\"string\",\""
    "description\":\"đơn vị chủ trì, nguyên văn kế hoạch\"},\"coordinating_units\":{\"type\":\"array\""
    ",\"items\":{\"type\":\"string\"},\"description\":\"đơn vị phối hợp, nguyên văn kế hoạch\"},\"tim"
    "eframe\":{\"type\":\"string\",\"description\":\"thời gian thực hiện, nguyên văn kế hoạch\"},\"st"
    "atus\":{\"type\":\"string\",\"enum\":[\"not_started\",\"on_track\",\"late\",\"done\"]},\"status_"
    "label\":{\"type\":\"string\"},\"status_reason\":{\"type\":\"string\"},\"starts_on\":{\"type\":\""
    "string\",\"format\":\"date\"},\"ends_on\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},\""
    "recurring\":{\"type\":\"boolean\"},\"report_days\":{\"type\":\"integer\"},\"updates_count\":{\"t"
    "ype\":\"integer\"},\"last_update_at\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},"
    "\"units\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"role\",\"name_id\","
    "\"name\",\"units\"],\"properties\":{\"role\":{\"type\":\"string\",\"enum\":[\"lead\",\"coordinat"
    "ing\"]},\"name_id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"units\":{\"type\":\""
    "array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"name\"],\"properties\":{\"id\":{\""
    "type\":\"integer\"},\"name\":{\"type\":\"string\"}},\"additionalProperties\":false}}},\"addition"
    "alProperties\":false}},\"updates\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schema"
    "s/PlanUpdate\"},\"description\":\"mới nhất trước, tối đa 100\"},\"update_id\":{\"type\":\"intege"
    "r\",\"description\":\"chỉ khi vừa gửi báo cáo: mã báo cáo mới\"}},\"additionalProperties\":false"
    "},\"PlanUpdate\":{\"type\":\"object\",\"required\":[\"id\",\"unit_id\",\"unit_name\",\"body\",\""
    "figures\",\"done\",\"created_by\",\"created_by_name\",\"created_at\",\"attachments\"],\"properti"
    "es\":{\"id\":{\"type\":\"integer\"},\"unit_id\":{\"type\":[\"integer\",\"null\"]},\"unit_name\":"
    "{\"type\":[\"string\",\"null\"]},\"body\":{\"type\":\"string\"},\"figures\":{\"type\":\"array\","
    "\"items\":{\"type\":\"object\",\"required\":[\"label\",\"value\"],\"properties\":{\"label\":{\"t"
    "ype\":\"string\"},\"value\":{\"type\":\"number\"},\"unit\":{\"type\":\"string\"}},\"additionalPr"
    "operties\":false}},\"done\":{\"type\":\"boolean\"},\"created_by\":{\"type\":[\"integer\",\"null\""
    "]},\"created_by_name\":{\"type\":[\"string\",\"null\"]},\"created_at\":{\"type\":\"string\",\"fo"
    "rmat\":\"date-time\"},\"attachments\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/sch"
    "emas/Attachment\"}}},\"additionalProperties\":false},\"Attachment\":{\"type\":\"object\",\"requi"
    "red\":[\"id\",\"filename\",\"content_type\",\"size\",\"sha256\",\"created_at\",\"url\"],\"proper"
    "ties\":{\"id\":{\"type\":\"integer\"},\"filename\":{\"type\":\"string\"},\"content_type\":{\"typ"
    "e\":\"string\",\"enum\":[\"application/pdf\",\"image/png\",\"image/jpeg\",\"image/webp\"]},\"siz"
    "e\":{\"type\":\"integer\"},\"sha256\":{\"type\":\"string\"},\"created_at\":{\"type\":\"string\","
    "\"format\":\"date-time\"},\"url\":{\"type\":\"string\"}},\"additionalProperties\":false},\"PlanU"
    "nit\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"units\",\"tasks\"],\"properties\":{\""
    "id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\",\"description\":\"tên đơn vị như kế ho"
    "ạch ghi\"},\"units\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"n"
    "ame\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}},\"additiona"
    "lProperties\":false}},\"tasks\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},\"addition"
    "alProperties\":false},\"PlanUnitList\":{\"type\":\"object\",\"required\":[\"items\",\"total\"],\""
    "properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/PlanUnit\""
    "}},\"total\":{\"type\":\"integer\"}},\"additionalProperties\":false}}";

/* Schools (schools.h): merged into the schemas above. */
static const char *schools_schemas_json =
    "{\"SchoolItem\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"kind\",\"kind_label\",\"gen"
    "eral\",\"runs_programme\",\"since_on\",\"evidence_url\",\"updated_at\",\"students\",\"covered\","
    "\"designations\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\""
    "kind\":{\"type\":\"string\",\"enum\":[\"school_kindergarten\",\"school_primary\",\"school_lower_"
    "secondary\",\"school_upper_secondary\"]},\"kind_label\":{\"type\":\"string\"},\"general\":{\"typ"
    "e\":\"boolean\",\"description\":\"trường phổ thông (tiểu học, THCS, THPT)\"},\"runs_programme\":"
    "{\"type\":\"boolean\"},\"since_on\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},\"evide"
    "nce_url\":{\"type\":[\"string\",\"null\"]},\"updated_at\":{\"type\":[\"string\",\"null\"],\"form"
    "at\":\"date-time\"},\"students\":{\"type\":\"integer\"},\"covered\":{\"type\":\"integer\"},\"des"
    "ignations\":{\"type\":\"integer\",\"description\":\"số danh hiệu\"}},\"additionalProperties\":fa"
    "lse},\"School\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"kind\",\"kind_label\",\"gen"
    "eral\",\"runs_programme\",\"since_on\",\"evidence_url\",\"updated_at\",\"updated_by_name\",\"gra"
    "des\",\"students\",\"covered\",\"designations\",\"evidence\"],\"properties\":{\"id\":{\"type\":\""
    "integer\"},\"name\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\",\"enum\":[\"school_kinde"
    "rgarten\",\"school_primary\",\"school_lower_secondary\",\"school_upper_secondary\"]},\"kind_labe"
    "l\":{\"type\":\"string\"},\"general\":{\"type\":\"boolean\",\"description\":\"trường phổ thông ("
    "tiểu học, THCS, THPT)\"},\"runs_programme\":{\"type\":\"boolean\"},\"since_on\":{\"type\":[\"str"
    "ing\",\"null\"],\"format\":\"date\"},\"evidence_url\":{\"type\":[\"string\",\"null\"]},\"updated"
    "_at\":{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"},\"updated_by_name\":{\"type\":[\""
    "string\",\"null\"]},\"grades\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":["
    "\"grade\",\"students\",\"covered\"],\"properties\":{\"grade\":{\"type\":\"integer\"},\"students\""
    ":{\"type\":\"integer\"},\"covered\":{\"type\":\"integer\"}},\"additionalProperties\":false}},\"s"
    "tudents\":{\"type\":\"integer\"},\"covered\":{\"type\":\"integer\"},\"designations\":{\"type\":\""
    "array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"kind\",\"kind_label\",\"name\",\"s"
    "chool_year\",\"decision\",\"created_at\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"kind\""
    ":{\"type\":\"string\",\"enum\":[\"model_school\",\"creative_class\",\"model_teacher\"]},\"kind_l"
    "abel\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"school_year\":{\"type\":\"string\""
    "},\"decision\":{\"type\":[\"string\",\"null\"]},\"created_at\":{\"type\":[\"string\",\"null\"],\""
    "format\":\"date-time\"}},\"additionalProperties\":false}},\"evidence\":{\"type\":\"array\",\"ite"
    "ms\":{\"$ref\":\"#/components/schemas/Attachment\"}}},\"additionalProperties\":false},\"SchoolLi"
    "st\":{\"type\":\"object\",\"required\":[\"items\",\"total\",\"totals\"],\"properties\":{\"items\""
    ":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/SchoolItem\"}},\"total\":{\"type"
    "\":\"integer\"},\"totals\":{\"type\":\"object\",\"required\":[\"schools\",\"general\",\"general_"
    "running\",\"students\",\"covered\"],\"properties\":{\"schools\":{\"type\":\"integer\"},\"general"
    "\":{\"type\":\"integer\"},\"general_running\":{\"type\":\"integer\",\"description\":\"trường phổ"
    " thông đang dạy chương trình\"},\"students\":{\"type\":\"integer\"},\"covered\":{\"type\":\"inte"
    "ger\"}},\"additionalProperties\":false}},\"additionalProperties\":false}}";

/* Resources (resources.h): merged into the schemas above. */
static const char *resources_schemas_json =
    "{\"Contribution\":{\"type\":\"object\",\"required\":[\"id\",\"unit_id\",\"unit_name\",\"source_k"
    "ind\",\"source_label\",\"source_name\",\"kind\",\"kind_label\",\"description\",\"quantity\",\"va"
    "lue_vnd\",\"recipient_unit_id\",\"recipient_unit_name\",\"recipient_household\",\"task_id\",\"ta"
    "sk_code\",\"received_on\",\"created_by_name\",\"created_at\"],\"properties\":{\"id\":{\"type\":\""
    "integer\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"source_kind\""
    ":{\"type\":\"string\",\"enum\":[\"organisation\",\"business\",\"individual\"]},\"source_label\":"
    "{\"type\":\"string\"},\"source_name\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\",\"enum"
    "\":[\"money\",\"devices\",\"facilities\",\"people\"]},\"kind_label\":{\"type\":\"string\"},\"des"
    "cription\":{\"type\":\"string\"},\"quantity\":{\"type\":[\"integer\",\"null\"]},\"value_vnd\":{\""
    "type\":\"integer\"},\"recipient_unit_id\":{\"type\":[\"integer\",\"null\"]},\"recipient_unit_nam"
    "e\":{\"type\":[\"string\",\"null\"]},\"recipient_household\":{\"type\":[\"object\",\"null\"],\"r"
    "equired\":[\"id\",\"code\",\"address\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"code\":{"
    "\"type\":[\"string\",\"null\"]},\"address\":{\"type\":[\"string\",\"null\"]}},\"additionalProper"
    "ties\":false},\"task_id\":{\"type\":[\"integer\",\"null\"]},\"task_code\":{\"type\":[\"string\","
    "\"null\"]},\"received_on\":{\"type\":\"string\",\"format\":\"date\"},\"created_by_name\":{\"type"
    "\":[\"string\",\"null\"]},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"}},\"addit"
    "ionalProperties\":false},\"ContributionBucket\":{\"type\":\"object\",\"required\":[\"count\",\"v"
    "alue_vnd\"],\"properties\":{\"count\":{\"type\":\"integer\"},\"value_vnd\":{\"type\":\"integer\""
    "}},\"additionalProperties\":false},\"ContributionPage\":{\"type\":\"object\",\"required\":[\"ite"
    "ms\",\"page\",\"per_page\",\"total\",\"totals\"],\"properties\":{\"items\":{\"type\":\"array\",\""
    "items\":{\"$ref\":\"#/components/schemas/Contribution\"}},\"page\":{\"type\":\"integer\"},\"per_"
    "page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"},\"totals\":{\"type\":\"object\",\""
    "required\":[\"count\",\"value_vnd\",\"by_kind\",\"by_source\"],\"properties\":{\"count\":{\"type"
    "\":\"integer\"},\"value_vnd\":{\"type\":\"integer\"},\"by_kind\":{\"type\":\"object\",\"required"
    "\":[\"money\",\"devices\",\"facilities\",\"people\"],\"properties\":{\"money\":{\"$ref\":\"#/com"
    "ponents/schemas/ContributionBucket\"},\"devices\":{\"$ref\":\"#/components/schemas/ContributionB"
    "ucket\"},\"facilities\":{\"$ref\":\"#/components/schemas/ContributionBucket\"},\"people\":{\"$re"
    "f\":\"#/components/schemas/ContributionBucket\"}},\"additionalProperties\":false},\"by_source\":"
    "{\"type\":\"object\",\"required\":[\"organisation\",\"business\",\"individual\"],\"properties\":"
    "{\"organisation\":{\"$ref\":\"#/components/schemas/ContributionBucket\"},\"business\":{\"$ref\":"
    "\"#/components/schemas/ContributionBucket\"},\"individual\":{\"$ref\":\"#/components/schemas/Con"
    "tributionBucket\"}},\"additionalProperties\":false}},\"additionalProperties\":false}},\"addition"
    "alProperties\":false},\"PlanBudget\":{\"type\":\"object\",\"required\":[\"task_id\",\"code\",\"t"
    "itle\",\"budgets\",\"budget_vnd\",\"mobilised_vnd\",\"contributions\"],\"properties\":{\"task_id"
    "\":{\"type\":\"integer\"},\"code\":{\"type\":\"string\"},\"title\":{\"type\":\"string\"},\"budge"
    "ts\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"year\",\"source\",\"amou"
    "nt_vnd\"],\"properties\":{\"year\":{\"type\":\"integer\"},\"source\":{\"type\":\"string\",\"enum"
    "\":[\"state_budget\",\"other\"]},\"amount_vnd\":{\"type\":\"integer\"}},\"additionalProperties\""
    ":false}},\"budget_vnd\":{\"type\":\"integer\"},\"mobilised_vnd\":{\"type\":\"integer\",\"descrip"
    "tion\":\"giá trị các đóng góp cho nhiệm vụ\"},\"contributions\":{\"type\":\"integer\"}},\"additi"
    "onalProperties\":false},\"PlanBudgetList\":{\"type\":\"object\",\"required\":[\"items\",\"totals"
    "\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Pla"
    "nBudget\"}},\"totals\":{\"type\":\"object\",\"required\":[\"budget_vnd\",\"mobilised_vnd\"],\"pr"
    "operties\":{\"budget_vnd\":{\"type\":\"integer\"},\"mobilised_vnd\":{\"type\":\"integer\"}},\"ad"
    "ditionalProperties\":false}},\"additionalProperties\":false}}";
/* Tổ công nghệ số cộng đồng (field.h): merged into the schemas above. */
static const char *field_schemas_json =
    "{\"FieldTopic\":{\"type\":\"object\",\"required\":[\"id\",\"code\",\"label\"],\"properties\":{\"id\""
    ":{\"type\":\"integer\"},\"code\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"}},\"additional"
    "Properties\":false},\"FieldTopics\":{\"type\":\"object\",\"required\":[\"items\",\"outcomes\"],\"pro"
    "perties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"code\""
    ",\"label\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":\"string\"},\"label\":{"
    "\"type\":\"string\"}},\"additionalProperties\":false}},\"outcomes\":{\"type\":\"array\",\"items\":{\""
    "type\":\"object\",\"required\":[\"code\",\"label\"],\"properties\":{\"code\":{\"type\":\"string\"},\""
    "label\":{\"type\":\"string\"}},\"additionalProperties\":false}}},\"additionalProperties\":false},\"F"
    "ieldTeam\":{\"type\":\"object\",\"required\":[\"id\",\"unit_id\",\"unit_name\",\"name\",\"created_at"
    "\",\"created_by\",\"members_count\",\"members\",\"former_members\"],\"properties\":{\"id\":{\"type\""
    ":\"integer\"},\"uni"
    "t_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"c"
    "reated_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"created_by\":{\"type\":[\"string\",\"nu"
    "ll\"]},\"members_count\":{\"type\":\"integer\"},\"members\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"object\",\"required\":[\"id\",\"person_id\",\"full_name\",\"role\",\"household_id\",\"household_co"
    "de\",\"username\",\"created_at\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"person_id\":{\"typ"
    "e\":\"integer\"},\"full_name\":{\"type\":\"string\"},\"role\":{\"type\":\"string\",\"enum\":[\"leade"
    "r\",\"member\"]},\"household_id\":{\"type\":[\"integer\",\"null\"]},\"household_code\":{\"type\":[\""
    "string\",\"null\"]},\"username\":{\"type\":[\"string\",\"null\"],\"description\":\"the member's logi"
    "n account, if linked\"},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"}},\"additionalP"
    "roperties\":false}},\"former_members\":{\"type\":\"array\",\"description\":\"members who left the te"
    "am, newest first (at most 50)\",\"items\":{\"type\":\"object\",\"required\":[\"person_id\",\"full_na"
    "me\",\"role\",\"ended_at\",\"ended_by\"],\"properties\":{\"person_id\":{\"type\":\"integer\"},\"full"
    "_name\":{\"type\":\"string\"},\"role\":{\"type\":\"string\",\"enum\":[\"leader\",\"member\"]},\"ende"
    "d_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"ended_by\":{\"type\":[\"string\",\"null\"],\""
    "description\":\"who recorded the leaving\"}},\"additionalProperties\":false}}},\"additionalPropertie"
    "s\":false},\"FieldTeamPage\":{\"type\":\"object\",\"requir"
    "ed\":[\"items\",\"page\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"ite"
    "ms\":{\"type\":\"object\",\"required\":[\"id\",\"unit_id\",\"unit_name\",\"name\",\"created_at\",\"c"
    "reated_by\",\"members_count\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"unit_id\":{\"type\":\""
    "integer\"},\"unit_name\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"created_at\":{\"type"
    "\":\"string\",\"format\":\"date-time\"},\"created_by\":{\"type\":[\"string\",\"null\"]},\"members_co"
    "unt\":{\"type\":\"integer\"}},\"additionalProperties\":false}},\"page\":{\"type\":\"integer\"},\"per"
    "_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"F"
    "ieldWorklist\":{\"type\":\"object\",\"required\":[\"list\",\"items\",\"page\",\"per_page\",\"total\""
    "],\"properties\":{\"list\":{\"type\":\"string\",\"enum\":[\"households\",\"residents\"]},\"items\":{"
    "\"type\":\"array\",\"items\":{\"oneOf\":[{\"type\":\"object\",\"required\":[\"id\",\"code\",\"addres"
    "s\",\"members_count\",\"head_name\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\""
    ":[\"string\",\"null\"]},\"address\":{\"type\":\"string\"},\"members_count\":{\"type\":\"integer\"},\""
    "head_name\":{\"type\":[\"string\",\"null\"]}},\"additionalProperties\":false},{\"type\":\"object\",\""
    "required\":[\"id\",\"full_name\",\"birth_year\",\"vneid_level\",\"household_id\",\"household_code\","
    "\"address\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"full_name\":{\"type\":\"string\"},\"bir"
    "th_year\":{\"type\":[\"integer\",\"null\"]},\"vneid_level\":{\"type\":\"integer\"},\"household_id\":"
    "{\"type\":[\"integer\",\"null\"]},\"household_code\":{\"type\":[\"string\",\"null\"]},\"address\":{\""
    "type\":[\"string\",\"null\"]}},\"additionalProperties\":false}]}},\"page\":{\"type\":\"integer\"},\""
    "per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperties\":false},"
    "\"FieldCoverage\":{\"type\":\"object\",\"required\":[\"items\",\"households\",\"visited\",\"share\"]"
    ",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"unit_i"
    "d\",\"unit_name\",\"households\",\"visited\",\"share\",\"team_id\"],\"properties\":{\"unit_id\":{\"t"
    "ype\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"households\":{\"type\":\"integer\"},\"visit"
    "ed\":{\"type\":\"integer\"},\"share\":{\"type\":\"number\"},\"team_id\":{\"type\":[\"integer\",\"nul"
    "l\"]}},\"additionalProperties\":false}},\"households\":{\"type\":\"integer\"},\"visited\":{\"type\":"
    "\"integer\"},\"share\":{\"type\":\"number\"}},\"additionalProperties\":false},\"FieldHouseholdList\""
    ":{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":\"array\",\"items"
    "\":{\"type\":\"object\",\"required\":[\"id\",\"code\",\"address\",\"members_count\",\"head_name\"],\""
    "properties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":[\"string\",\"null\"]},\"address\":{\""
    "type\":\"string\"},\"members_count\":{\"type\":\"integer\"},\"head_name\":{\"type\":[\"string\",\"nu"
    "ll\"]}},\"additionalProperties\":false}}},\"additionalProperties\":false},\"FieldVisit\":{\"type\":\""
    "object\",\"required\":[\"id\",\"household_id\",\"household_code\",\"address\",\"unit_id\",\"unit_nam"
    "e\",\"visited_on\",\"note\",\"created_by_id\",\"created_by\",\"created_at\",\"topics\",\"present\"],"
    "\"properties\":{\"id\":{\"type\":\"integer\"},\"household_id\":{\"type\":\"integer\"},\"household_co"
    "de\":{\"type\":[\"string\",\"null\"]},\"address\":{\"type\":\"string\"},\"unit_id\":{\"type\":\"inte"
    "ger\"},\"unit_name\":{\"type\":\"string\"},\"visited_on\":{\"type\":\"string\",\"format\":\"date\"},"
    "\"note\":{\"type\":[\"string\",\"null\"]},\"created_by_id\":{\"type\":[\"integer\",\"null\"]},\"crea"
    "ted_by\":{\"type\":[\"string\",\"null\"]},\"created_at\":{\"type\":\"string\",\"format\":\"date-time"
    "\"},\"topics\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"code\",\"label\"],"
    "\"properties\":{\"code\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"}},\"additionalProperti"
    "es\":false}},\"present\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"person_i"
    "d\",\"full_name\",\"outcomes\"],\"properties\":{\"person_id\":{\"type\":\"integer\"},\"full_name\":{"
    "\"type\":\"string\"},\"outcomes\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\""
    "code\",\"label\"],\"properties\":{\"code\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"}},\""
    "additionalProperties\":false}}},\"additionalProperties\":false}}},\"additionalProperties\":false},\""
    "FieldVisitList\":{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":\""
    "array\",\"items\":{\"$ref\":\"#/components/schemas/FieldVisit\"}}},\"additionalProperties\":false},\""
    "FieldTeamReport\":{\"type\":\"object\",\"required\":[\"team\",\"period\",\"label\",\"from\",\"to\",\""
    "visits\",\"households_visited\",\"residents_guided\",\"by_topic\",\"by_outcome\",\"by_helper\",\"cov"
    "erage\",\"requests_closed\"],\"properties\":{\"team\":{\"type\":\"object\",\"required\":[\"id\",\"na"
    "me\",\"unit_id\",\"unit_name\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"s"
    "tring\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"}},\"additionalPropert"
    "ies\":false},\"period\":{\"type\":\"string\",\"enum\":[\"week\",\"month\",\"quarter\"]},\"label\":{\""
    "type\":\"string\"},\"from\":{\"type\":\"string\",\"format\":\"date\"},\"to\":{\"type\":\"string\",\""
    "format\":\"date\"},\"visits\":{\"type\":\"integer\"},\"households_visited\":{\"type\":\"integer\"},\""
    "residents_guided\":{\"type\":\"integer\",\"description\":\"distinct residents present at the period'"
    "s visits\"},\"by_topic\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"code\",\""
    "label\",\"visits\",\"residents\"],\"properties\":{\"code\":{\"type\":\"string\"},\"label\":{\"type\""
    ":\"string\"},\"visits\":{\"type\":\"integer\"},\"residents\":{\"type\":\"integer\"}},\"additionalPro"
    "perties\":false}},\"by_outcome\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\""
    "code\",\"label\",\"residents\"],\"properties\":{\"code\":{\"type\":\"string\"},\"label\":{\"type\":\""
    "string\"},\"residents\":{\"type\":\"integer\"}},\"additionalProperties\":false}},\"by_helper\":{\"ty"
    "pe\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"user_id\",\"name\",\"visits\"],\"prope"
    "rties\":{\"user_id\":{\"type\":[\"integer\",\"null\"]},\"name\":{\"type\":\"string\"},\"visits\":{\""
    "type\":\"integer\"}},\"additionalProperties\":false}},\"coverage\":{\"type\":\"object\",\"required\""
    ":[\"households\",\"visited\"],\"properties\":{\"households\":{\"type\":\"integer\"},\"visited\":{\"t"
    "ype\":\"integer\"}},\"additionalProperties\":false},\"requests_closed\":{\"type\":\"integer\",\"desc"
    "ription\":\"help requests of the tổ closed in the period\"}},\"additionalProperties\":false},\"Hel"
    "pRequest\":{\"type\":\"object\",\"required\":[\"id\",\"unit_id\",\"unit_name\",\"channel\",\"channel"
    "_label\",\"requester_name\",\"phone\",\"relation\",\"relation_label\",\"resident_name\",\"address\","
    "\"topic\",\"topic_label\",\"description\",\"status\",\"due_at\",\"overdue\",\"taken_by\",\"taken_at\""
    ",\"done_by\",\"done_at\",\"visit_id\",\"created_by\",\"created_at\"],\"properties\":{\"id\":{\"type\""
    ":\"integer\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"channel\":{\""
    "type\":\"string\",\"enum\":[\"phone\",\"desk\",\"web\"]},\"channel_label\":{\"type\":\"string\"},\"r"
    "equester_name\":{\"type\":\"string\"},\"phone\":{\"type\":[\"string\",\"null\"]},\"relation\":{\"typ"
    "e\":\"string\",\"enum\":[\"self\",\"relative\",\"desk\"]},\"relation_label\":{\"type\":\"string\"},\""
    "resident_name\":{\"type\":[\"string\",\"null\"]},\"address\":{\"type\":[\"string\",\"null\"]},\"topi"
    "c\":{\"type\":[\"string\",\"null\"]},\"topic_label\":{\"type\":[\"string\",\"null\"]},\"description\""
    ":{\"type\":\"string\"},\"status\":{\"type\":\"string\",\"enum\":[\"open\",\"taken\",\"done\"]},\"due"
    "_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"overdue\":{\"type\":\"boolean\"},\"taken_by\""
    ":{\"type\":[\"string\",\"null\"]},\"taken_at\":{\"type\":[\"string\",\"null\"],\"format\":\"date-tim"
    "e\"},\"done_by\":{\"type\":[\"string\",\"null\"]},\"done_at\":{\"type\":[\"string\",\"null\"],\"form"
    "at\":\"date-time\"},\"visit_id\":{\"type\":[\"integer\",\"null\"]},\"created_by\":{\"type\":[\"strin"
    "g\",\"null\"],\"description\":\"display name of the staff member who entered it; null: the public fo"
    "rm\"},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"}},\"additionalProperties\":false}"
    ",\"HelpRequestPage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_page\",\"total\"],\""
    "properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/HelpRequest\""
    "}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer"
    "\"}},\"additionalProperties\":false},\"HelpRequestSummary\":{\"type\":\"object\",\"required\":[\"ite"
    "ms\",\"open\",\"overdue\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"objec"
    "t\",\"required\":[\"unit_id\",\"unit_name\",\"open\",\"overdue\",\"done\"],\"properties\":{\"unit_id"
    "\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"open\":{\"type\":\"integer\"},\"over"
    "due\":{\"type\":\"integer\"},\"done\":{\"type\":\"integer\"}},\"additionalProperties\":false}},\"ope"
    "n\":{\"type\":\"integer\"},\"overdue\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"Hel"
    "pRequestUnits\":{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":\""
    "array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"name\"],\"properties\":{\"id\":{\"type"
    "\":\"integer\"},\"name\":{\"type\":\"string\"}},\"additionalProperties\":false}}},\"additionalProper"
    "ties\":false},\"HelpRequestTopics\":{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\""
    "items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"code\",\"label\"],"
    "\"properties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":\"string\",\"description\":\"the va"
    "lue of the form's topic field\"},\"label\":{\"type\":\"string\"}},\"additionalProperties\":false}}},"
    "\"additionalProperties\":false},\"HelpRequestReceipt\":{\"type\":\"object\",\"required\":[\"id\",\"m"
    "essage\"],\"proper"
    "ties\":{\"id\":{\"type\":\"integer\"},\"message\":{\"type\":\"string\"}},\"additionalProperties\":fa"
    "lse},\"PersonMovement\":{\"type\":\"object\",\"required\":[\"visits\",\"mentor\",\"ambassador\",\"tr"
    "ade_steps\",\"classes\",\"events\"],\"properties\":{\"visits\":{\"type\":\"array\",\"items\":{\"type"
    "\":\"object\",\"required\":[\"id\",\"household_id\",\"visited_on\",\"by\",\"topics\",\"outcomes\"],\""
    "properties\":{\"id\":{\"type\":\"integer\"},\"household_id\":{\"type\":\"integer\"},\"visited_on\":{"
    "\"type\":\"string\",\"format\":\"date\"},\"by\":{\"type\":[\"string\",\"null\"]},\"topics\":{\"type\""
    ":\"array\",\"items\":{\"type\":\"string\"}},\"outcomes\":{\"type\":\"array\",\"items\":{\"type\":\"s"
    "tring\"}}},\"additionalProperties\":false}},\"mentor\":{\"oneOf\":[{\"type\":\"null\"},{\"type\":\"o"
    "bject\",\"required\":[\"mentorship_id\",\"name\"],\"properties\":{\"mentorship_id\":{\"type\":\"inte"
    "ger\"},\"name\":{\"type\":\"string\"}},\"additionalProperties\":false}]},\"ambassador\":{\"type\":\""
    "array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"kind\",\"started_at\"],\"properties\":"
    "{\"id\":{\"type\":\"integer\"},\"kind\":{\"type\":\"string\",\"enum\":[\"mentor\",\"service_helper\""
    "]},\"started_at\":{\"type\":\"string\",\"format\":\"date-time\"}},\"additionalProperties\":false}},\""
    "trade_steps\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"step\",\"label\",\""
    "done_on\"],\"properties\":{\"step\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"},\"done_on\""
    ":{\"type\":\"string\",\"format\":\"date\"}},\"additionalProperties\":false}},\"classes\":{\"type\":\""
    "array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"title\",\"outcome\",\"outcome_on\"],\""
    "properties\":{\"id\":{\"type\":\"integer\"},\"title\":{\"type\":\"string\"},\"outcome\":{\"type\":[\""
    "string\",\"null\"],\"enum\":[\"completed\",\"not_completed\",null]},\"outcome_on\":{\"type\":[\"stri"
    "ng\",\"null\"],\"format\":\"date\"}},\"additionalProperties\":false}},\"events\":{\"type\":\"array\""
    ",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"title\",\"held_on\"],\"properties\":{\"id\":{"
    "\"type\":\"integer\"},\"title\":{\"type\":\"string\"},\"held_on\":{\"type\":\"string\",\"format\":\""
    "date\"}},\"additionalProperties\":false}}},\"additionalProperties\":false}}";

static const char *indicators_schemas_json = "{\"IndicatorList\":{\"type\":\"object\",\"required\":[\"unit\",\"date\",\"items\",\"counted\",\"pending\"],\"properties\":{\"pending\":{\"type\":\"integer\",\"minimum\":0,\"description\":\"records written but not counted yet (a large import being classified; the figures catch up within seconds); 0 when the figures include every write\"},\"counted\":{\"type\":\"string\",\"enum\":[\"live\",\"records\"],\"description\":\"live: today's people and households read from the live counts; records: counted from the records (another day, or many writes not yet drained)\"},\"unit\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"kind\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"}},\"additionalProperties\":false},\"date\":{\"type\":\"string\",\"format\":\"date\"},\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"code\",\"name\",\"base\",\"numerator\",\"denominator\",\"percent\",\"target\",\"gap\",\"met\",\"source\",\"builtin\"],\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"base\":{\"type\":\"string\",\"enum\":[\"people\",\"students\",\"households\",\"schools\",\"mentors\",\"centres\"]},\"numerator\":{\"type\":\"integer\",\"minimum\":0},\"denominator\":{\"type\":\"integer\",\"minimum\":0},\"percent\":{\"type\":[\"number\",\"null\"],\"minimum\":0,\"maximum\":100},\"target\":{\"type\":[\"integer\",\"null\"],\"minimum\":0,\"maximum\":100},\"gap\":{\"type\":[\"number\",\"null\"],\"minimum\":0},\"met\":{\"type\":[\"boolean\",\"null\"]},\"source\":{\"type\":\"string\"},\"builtin\":{\"type\":\"boolean\"}},\"additionalProperties\":false}}},\"additionalProperties\":false},\"IndicatorDefinitionPage\":{\"type\":\"object\",\"required\":[\"items\",\"page\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"code\",\"name\",\"definition\",\"targets\",\"builtin\",\"active\",\"source\"],\"properties\":{\"id\":{\"type\":[\"integer\",\"null\"]},\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"definition\":{\"type\":[\"object\",\"null\"]},\"targets\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100}},\"builtin\":{\"type\":\"boolean\"},\"active\":{\"type\":\"boolean\"},\"source\":{\"type\":\"string\"}},\"additionalProperties\":false}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"IndicatorDefinitionSaved\":{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"IndicatorRanking\":{\"type\":\"object\",\"required\":[\"indicator\",\"unit\",\"date\",\"items\"],\"properties\":{\"indicator\":{\"type\":\"object\",\"required\":[\"code\",\"name\",\"base\",\"target\"],\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"base\":{\"type\":\"string\"},\"target\":{\"type\":[\"integer\",\"null\"]}},\"additionalProperties\":false},\"unit\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"kind\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"}},\"additionalProperties\":false},\"date\":{\"type\":\"string\",\"format\":\"date\"},\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"unit_id\",\"name\",\"kind\",\"numerator\",\"denominator\",\"percent\",\"gap\",\"met\",\"rank\"],\"properties\":{\"unit_id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"},\"numerator\":{\"type\":\"integer\",\"minimum\":0},\"denominator\":{\"type\":\"integer\",\"minimum\":0},\"percent\":{\"type\":[\"number\",\"null\"]},\"gap\":{\"type\":[\"number\",\"null\"]},\"met\":{\"type\":[\"boolean\",\"null\"]},\"rank\":{\"type\":[\"integer\",\"null\"],\"minimum\":1}},\"additionalProperties\":false}}},\"additionalProperties\":false},\"IndicatorHistory\":{\"type\":\"object\",\"required\":[\"unit\",\"indicator\",\"items\"],\"properties\":{\"unit\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"kind\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"}},\"additionalProperties\":false},\"indicator\":{\"type\":\"object\",\"required\":[\"code\",\"name\"],\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"}},\"additionalProperties\":false},\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"quarter\",\"date\",\"numerator\",\"denominator\",\"percent\",\"target\",\"met\"],\"properties\":{\"quarter\":{\"type\":\"string\",\"pattern\":\"^[0-9]{4}-Q[1-4]$\"},\"date\":{\"type\":\"string\",\"format\":\"date\"},\"numerator\":{\"type\":\"integer\",\"minimum\":0},\"denominator\":{\"type\":\"integer\",\"minimum\":0},\"percent\":{\"type\":[\"number\",\"null\"]},\"target\":{\"type\":[\"integer\",\"null\"]},\"met\":{\"type\":[\"boolean\",\"null\"]}},\"additionalProperties\":false}}},\"additionalProperties\":false},\"Report\":{\"type\":\"object\",\"required\":[\"unit\",\"issuer\",\"place\",\"period\",\"quarter\",\"label\",\"date\",\"issued_on\",\"ward\",\"targets\",\"models\",\"tasks\",\"resources\"],\"properties\":{\"unit\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"kind\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"}},\"additionalProperties\":false},\"issuer\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":2,\"maxItems\":2},\"place\":{\"type\":\"string\"},\"period\":{\"type\":\"string\"},\"quarter\":{\"type\":\"string\",\"pattern\":\"^[0-9]{4}-Q[1-4]$\"},\"label\":{\"type\":\"string\"},\"date\":{\"type\":\"string\",\"format\":\"date\"},\"issued_on\":{\"type\":\"string\",\"format\":\"date\"},\"ward\":{\"type\":\"boolean\"},\"targets\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"code\",\"name\",\"base\",\"numerator\",\"denominator\",\"percent\",\"target\",\"met\"],\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"base\":{\"type\":\"string\"},\"numerator\":{\"type\":\"integer\",\"minimum\":0},\"denominator\":{\"type\":\"integer\",\"minimum\":0},\"percent\":{\"type\":[\"number\",\"null\"]},\"target\":{\"type\":[\"integer\",\"null\"]},\"met\":{\"type\":[\"boolean\",\"null\"]}},\"additionalProperties\":false}},\"models\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"code\",\"name\",\"base\",\"numerator\",\"denominator\",\"percent\",\"target\",\"met\"],\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"base\":{\"type\":\"string\"},\"numerator\":{\"type\":\"integer\",\"minimum\":0},\"denominator\":{\"type\":\"integer\",\"minimum\":0},\"percent\":{\"type\":[\"number\",\"null\"]},\"target\":{\"type\":[\"integer\",\"null\"]},\"met\":{\"type\":[\"boolean\",\"null\"]}},\"additionalProperties\":false}},\"tasks\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},\"resources\":{\"type\":\"object\",\"description\":\"contributions received by the unit's subtree up to the period's end; the ward's report adds the plan tasks' budget\",\"required\":[\"count\",\"value_vnd\",\"by_kind\",\"by_source\"],\"properties\":{\"count\":{\"type\":\"integer\",\"minimum\":0},\"value_vnd\":{\"type\":\"integer\",\"minimum\":0},\"by_kind\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"code\",\"label\",\"count\",\"value_vnd\"],\"properties\":{\"code\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"},\"count\":{\"type\":\"integer\",\"minimum\":0},\"value_vnd\":{\"type\":\"integer\",\"minimum\":0}},\"additionalProperties\":false}},\"by_source\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"code\",\"label\",\"count\",\"value_vnd\"],\"properties\":{\"code\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"},\"count\":{\"type\":\"integer\",\"minimum\":0},\"value_vnd\":{\"type\":\"integer\",\"minimum\":0}},\"additionalProperties\":false}},\"budget_vnd\":{\"type\":\"integer\",\"minimum\":0},\"mobilised_for_tasks_vnd\":{\"type\":\"integer\",\"minimum\":0}},\"additionalProperties\":false}},\"additionalProperties\":false},\"PublicBoard\":{\"type\":\"object\",\"required\":[\"unit\",\"date\",\"computed_at\",\"items\"],\"properties\":{\"unit\":{\"type\":\"object\",\"required\":[\"id\",\"name\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}},\"additionalProperties\":false},\"date\":{\"type\":\"string\",\"format\":\"date\"},\"computed_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"code\",\"name\",\"numerator\",\"denominator\",\"percent\",\"target\",\"met\"],\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"numerator\":{\"type\":\"integer\"},\"denominator\":{\"type\":\"integer\"},\"percent\":{\"type\":[\"number\",\"null\"]},\"target\":{\"type\":[\"integer\",\"null\"]},\"met\":{\"type\":[\"boolean\",\"null\"]}},\"additionalProperties\":false}}},\"additionalProperties\":false},\"Commendations\":{\"type\":\"object\",\"required\":[\"unit\",\"date\",\"rules\"],\"properties\":{\"unit\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"kind\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"kind\":{\"type\":\"string\"}},\"additionalProperties\":false},\"date\":{\"type\":\"string\",\"format\":\"date\"},\"rules\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"name\",\"rule\",\"candidates\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"},\"rule\":{\"type\":[\"object\",\"null\"]},\"candidates\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"unit_id\",\"name\",\"why\"],\"properties\":{\"unit_id\":{\"type\":\"integer\"},\"person_id\":{\"type\":\"integer\",\"description\":\"a person (mentors_top: the Đại sứ số), whose unit is unit_id\"},\"name\":{\"type\":\"string\"},\"why\":{\"type\":\"string\"}},\"additionalProperties\":false}}},\"additionalProperties\":false}}},\"additionalProperties\":false}}";

static const char *const tag_docs[][2] = {
    {"Hệ thống", "Tình trạng, số liệu vận hành, tài liệu API"},
    {"Phiên làm việc", "Đăng nhập, đăng xuất, mật khẩu của mình"},
    {"Đơn vị", "Cây đơn vị hành chính và tổ chức"},
    {"Tài khoản", "Tài khoản người dùng và phân quyền theo đơn vị"},
    {"Nhật ký", "Nhật ký truy cập và thay đổi (chỉ ghi thêm)"},
    {"Người dân", "Sổ dân cư: hộ gia đình, người dân, nhóm đối tượng (mọi lần xem hồ sơ đều được ghi nhật ký)"},
    {"Dữ liệu cá nhân",
     "Yêu cầu của người dân về dữ liệu của mình (Luật Bảo vệ dữ liệu cá nhân): xem, sửa, hạn chế, xóa; trả lời trong 72 giờ"},
    {"Nhập danh sách", "Nhập danh sách người dân từ tệp Excel hoặc CSV: ghép cột, chạy nền, báo cáo lỗi theo dòng"},
    {"Học tập", "Khung năng lực số, ngân hàng câu hỏi (nhập từ GIFT, Moodle XML), bài kiểm tra chấm trên máy chủ"},
    {"Chứng nhận", "Chứng nhận có chữ ký Ed25519: điều kiện cấp, kiểm tra công khai, mã QR, thu hồi, khóa công khai"},
    {"Lớp bồi dưỡng", "Lớp bồi dưỡng, tập huấn: buổi học, ghi danh, điểm danh, kết quả (tính vào chỉ tiêu 1)"},
    {"Sự kiện", "Sự kiện như Ngày hội toàn dân học tập số (10/10): hoạt động, người tham dự có trong sổ dân cư và số người chưa đăng ký"},
    {"Mô hình 4T", "Chợ số – Siêu thị số: tiểu thương theo chợ và các bước 4T (thương mại điện tử, thanh toán không dùng tiền mặt, tiết kiệm số)"},
    {"Đại sứ số", "Đại sứ số hướng dẫn (mỗi người ít nhất 5 người), buổi hướng dẫn, người hỗ trợ tại Trung tâm phục vụ "
                  "hành chính công"},
    {"Gia đình số", "Hộ gia đình số: ít nhất một thành viên đã học (chứng nhận còn hiệu lực hoặc xác nhận từ bên ngoài)"},
    {"Định danh điện tử", "Mức định danh điện tử VNeID của người dân theo tổ dân phố; người từ 18 tuổi chưa có mức 2"},
    {"Trường học", "Chương trình kỹ năng số của các trường (Thông tư 02/2025/TT-BGDĐT), số học sinh theo khối lớp, danh hiệu, minh chứng"},
    {"Kế hoạch", "Nhiệm vụ của kế hoạch (mục IV): đơn vị chủ trì, phối hợp, thời gian, báo cáo tiến độ, tình trạng; tệp đính kèm"},
    {"Tổ công nghệ số", "Tổ công nghệ số cộng đồng: thành viên, lượt đến hộ, việc cần làm, độ phủ theo tổ dân phố"},
    {"Chỉ tiêu", "Chỉ tiêu của kế hoạch và của các mô hình: mẫu số, tử số, tỷ lệ so với chỉ tiêu năm, theo đơn vị và ngày"},
};

/* Those an indicator leaves behind (indicators_left.h). */
static const char *indicators_left_schemas_json = "{\"IndicatorLeftBehindPage\":{\"type\":\"object\",\"required\":[\"indicator\",\"unit\",\"date\",\"items\",\"total\",\"page\",\"per_page\"],\"properties\":{\"indicator\":{\"type\":\"object\",\"required\":[\"code\",\"name\",\"base\"],\"properties\":{\"code\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"base\":{\"type\":\"string\",\"enum\":[\"people\",\"households\"]}},\"additionalProperties\":false},\"unit\":{\"type\":\"object\",\"required\":[\"id\",\"name\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}},\"additionalProperties\":false},\"date\":{\"type\":\"string\",\"format\":\"date\"},\"items\":{\"type\":\"array\",\"items\":{\"anyOf\":[{\"$ref\":\"#/components/schemas/IndicatorLeftPerson\"},{\"$ref\":\"#/components/schemas/IndicatorLeftHousehold\"}]}},\"total\":{\"type\":\"integer\",\"minimum\":0},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"IndicatorLeftPerson\":{\"type\":\"object\",\"required\":[\"id\",\"full_name\",\"birth_year\",\"unit_id\",\"unit_name\",\"household_id\",\"address\",\"phone\",\"groups\",\"restricted\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"full_name\":{\"type\":\"string\"},\"birth_year\":{\"type\":[\"integer\",\"null\"]},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":[\"string\",\"null\"]},\"household_id\":{\"type\":[\"integer\",\"null\"]},\"address\":{\"type\":[\"string\",\"null\"]},\"phone\":{\"type\":[\"string\",\"null\"],\"description\":\"Trong phạm vi được xem hồ sơ người dân (people.read): đầy đủ; ngoài ra che bớt (091****678)\"},\"groups\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"public_staff\",\"students_primary\",\"students_secondary\",\"adults\",\"elderly\",\"workers\",\"traders\"]}},\"restricted\":{\"type\":\"boolean\",\"description\":\"Người này đã yêu cầu hạn chế xử lý dữ liệu: không có trong tệp CSV\"}},\"additionalProperties\":false},\"IndicatorLeftHousehold\":{\"type\":\"object\",\"required\":[\"id\",\"code\",\"address\",\"unit_id\",\"unit_name\",\"members\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":[\"string\",\"null\"]},\"address\":{\"type\":[\"string\",\"null\"]},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":[\"string\",\"null\"]},\"members\":{\"type\":\"integer\",\"minimum\":1}},\"additionalProperties\":false}}";

json_t *openapi_build(const char *version) {
  json_error_t jerr;
  json_t *schemas = json_loads(schemas_json, 0, &jerr);
  if (!schemas) {
    fprintf(stderr, "openapi: schema text is malformed at column %d: %s\n", jerr.column, jerr.text);
    return NULL;
  }
  /* The other areas' schemas, merged into the first set. */
  static const struct {
    const char **text;
    const char *area;
  } more_schemas[] = {{&people_schemas_json, "people"},     {&privacy_schemas_json, "request"},
                      {&deleted_schemas_json, "deleted-record"}, {&import_schemas_json, "import"},
                      {&learning_schemas_json, "learning"}, {&certificate_schemas_json, "certificate"},
                      {&confirm_schemas_json, "confirmation"}, {&reach_schemas_json, "reach"},
                      {&competence_schemas_json, "competence"}, {&movement_schemas_json, "movement"},
                      {&plan_schemas_json, "plan"},
                      {&schools_schemas_json, "school"}, {&resources_schemas_json, "resources"},
                      {&field_schemas_json, "field"}, {&indicators_schemas_json, "indicators"},
                      {&indicators_left_schemas_json, "indicators-left"}};
  for (size_t i = 0; i < sizeof more_schemas / sizeof more_schemas[0]; i++) {
    json_t *more = json_loads(*more_schemas[i].text, 0, &jerr);
    if (!more || json_object_update(schemas, more) != 0) {
      fprintf(stderr, "openapi: %s schema text is malformed at column %d: %s\n", more_schemas[i].area, jerr.column,
              jerr.text);
      json_decref(more);
      json_decref(schemas);
      return NULL;
    }
    json_decref(more);
  }
  json_t *tags = json_array();
  for (size_t i = 0; i < sizeof tag_docs / sizeof tag_docs[0]; i++)
    json_array_append_new(tags, json_pack("{s:s, s:s}", "name", tag_docs[i][0], "description", tag_docs[i][1]));
  json_t *paths = json_object();
  /* A schema only a disabled (test-only) route answers with is left out of the document. */
  for (int i = 0; i < routes_count; i++) {
    if (routes_enabled(i) || !routes[i].response) continue;
    bool used = false;
    for (int k = 0; k < routes_count; k++)
      used |= routes_enabled(k) && routes[k].response && strcmp(routes[k].response, routes[i].response) == 0;
    if (!used) json_object_del(schemas, routes[i].response);
  }
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

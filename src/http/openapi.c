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
    "itionalProperties\":false},\"description\":\"Chứng nhận mà lần nộp bài này đã mang lại (thường rỗng)\"},\"purpose\":{\"type\":\"string\",\"enum\":[\"practice\",\"placement\"]},\"assisted\":{\"type\":[\"object\",\"null\"],\"description\":\"làm cùng cán bộ hỗ trợ (null: người học tự làm)\",\"required\":[\"by_user_id\",\"by_name\",\"person_id\"],\"properties\":{\"by_user_id\":{\"type\":\"integer\"},\"by_name\":{\"type\":\"string\"},\"person_id\":{\"type\":[\"integer\",\"null\"]}},\"additionalProperties\":false}},\"add"
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

/* Tổ công nghệ số cộng đồng (field.h): merged into the schemas above. */
static const char *field_schemas_json =
    "{\"FieldTopic\":{\"type\":\"object\",\"required\":[\"id\",\"code\",\"label\"],\"properties\":{\"id\""
    ":{\"type\":\"integer\"},\"code\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"}},\"additional"
    "Properties\":false},\"FieldTopics\":{\"type\":\"object\",\"required\":[\"items\",\"outcomes\"],\"pro"
    "perties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"code"
    "\",\"label\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":\"string\"},\"label\""
    ":{\"type\":\"string\"}},\"additionalProperties\":false}},\"outcomes\":{\"type\":\"array\",\"items\":"
    "{\"type\":\"object\",\"required\":[\"code\",\"label\"],\"properties\":{\"code\":{\"type\":\"string\""
    "},\"label\":{\"type\":\"string\"}},\"additionalProperties\":false}}},\"additionalProperties\":false}"
    ",\"FieldTeam\":{\"type\":\"object\",\"required\":[\"id\",\"unit_id\",\"unit_name\",\"name\",\"create"
    "d_at\",\"created_by\",\"members_count\",\"members\"],\"properties\":{\"id\":{\"type\":\"integer\"},"
    "\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"name\":{\"type\":\"string\""
    "},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"created_by\":{\"type\":[\"string\""
    ",\"null\"]},\"members_count\":{\"type\":\"integer\"},\"members\":{\"type\":\"array\",\"items\":{\"ty"
    "pe\":\"object\",\"required\":[\"id\",\"person_id\",\"full_name\",\"role\",\"household_id\",\"househo"
    "ld_code\",\"username\",\"created_at\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"person_id\":{"
    "\"type\":\"integer\"},\"full_name\":{\"type\":\"string\"},\"role\":{\"type\":\"string\",\"enum\":[\""
    "leader\",\"member\"]},\"household_id\":{\"type\":[\"integer\",\"null\"]},\"household_code\":{\"type"
    "\":[\"string\",\"null\"]},\"username\":{\"type\":[\"string\",\"null\"],\"description\":\"the member'"
    "s login account, if linked\"},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"}},\"addit"
    "ionalProperties\":false}}},\"additionalProperties\":false},\"FieldTeamPage\":{\"type\":\"object\",\""
    "required\":[\"items\",\"page\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\""
    ",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"unit_id\",\"unit_name\",\"name\",\"created_at"
    "\",\"created_by\",\"members_count\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"unit_id\":{\"ty"
    "pe\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"created_at\":"
    "{\"type\":\"string\",\"format\":\"date-time\"},\"created_by\":{\"type\":[\"string\",\"null\"]},\"mem"
    "bers_count\":{\"type\":\"integer\"}},\"additionalProperties\":false}},\"page\":{\"type\":\"integer\""
    "},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperties\":fal"
    "se},\"FieldWorklist\":{\"type\":\"object\",\"required\":[\"list\",\"items\",\"page\",\"per_page\",\""
    "total\"],\"properties\":{\"list\":{\"type\":\"string\",\"enum\":[\"households\",\"residents\"]},\"it"
    "ems\":{\"type\":\"array\",\"items\":{\"oneOf\":[{\"type\":\"object\",\"required\":[\"id\",\"code\","
    "\"address\",\"members_count\",\"head_name\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"code\":"
    "{\"type\":[\"string\",\"null\"]},\"address\":{\"type\":\"string\"},\"members_count\":{\"type\":\"int"
    "eger\"},\"head_name\":{\"type\":[\"string\",\"null\"]}},\"additionalProperties\":false},{\"type\":\""
    "object\",\"required\":[\"id\",\"full_name\",\"birth_year\",\"vneid_level\",\"household_id\",\"househ"
    "old_code\",\"address\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"full_name\":{\"type\":\"stri"
    "ng\"},\"birth_year\":{\"type\":[\"integer\",\"null\"]},\"vneid_level\":{\"type\":\"integer\"},\"hous"
    "ehold_id\":{\"type\":[\"integer\",\"null\"]},\"household_code\":{\"type\":[\"string\",\"null\"]},\"a"
    "ddress\":{\"type\":[\"string\",\"null\"]}},\"additionalProperties\":false}]}},\"page\":{\"type\":\"i"
    "nteger\"},\"per_page\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"}},\"additionalProperti"
    "es\":false},\"FieldCoverage\":{\"type\":\"object\",\"required\":[\"items\",\"households\",\"visited"
    "\",\"share\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"require"
    "d\":[\"unit_id\",\"unit_name\",\"households\",\"visited\",\"share\",\"team_id\"],\"properties\":{\"u"
    "nit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"households\":{\"type\":\"integ"
    "er\"},\"visited\":{\"type\":\"integer\"},\"share\":{\"type\":\"number\"},\"team_id\":{\"type\":[\"in"
    "teger\",\"null\"]}},\"additionalProperties\":false}},\"households\":{\"type\":\"integer\"},\"visited"
    "\":{\"type\":\"integer\"},\"share\":{\"type\":\"number\"}},\"additionalProperties\":false},\"FieldHo"
    "useholdList\":{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\"items\":{\"type\":\"ar"
    "ray\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"code\",\"address\",\"members_count\",\"h"
    "ead_name\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"code\":{\"type\":[\"string\",\"null\"]},"
    "\"address\":{\"type\":\"string\"},\"members_count\":{\"type\":\"integer\"},\"head_name\":{\"type\":["
    "\"string\",\"null\"]}},\"additionalProperties\":false}}},\"additionalProperties\":false},\"FieldVisi"
    "t\":{\"type\":\"object\",\"required\":[\"id\",\"household_id\",\"household_code\",\"address\",\"unit"
    "_id\",\"unit_name\",\"visited_on\",\"note\",\"created_by_id\",\"created_by\",\"created_at\",\"topics"
    "\",\"present\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"household_id\":{\"type\":\"integer\""
    "},\"household_code\":{\"type\":[\"string\",\"null\"]},\"address\":{\"type\":\"string\"},\"unit_id\":"
    "{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"visited_on\":{\"type\":\"string\",\"for"
    "mat\":\"date\"},\"note\":{\"type\":[\"string\",\"null\"]},\"created_by_id\":{\"type\":[\"integer\","
    "\"null\"]},\"created_by\":{\"type\":[\"string\",\"null\"]},\"created_at\":{\"type\":\"string\",\"for"
    "mat\":\"date-time\"},\"topics\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"c"
    "ode\",\"label\"],\"properties\":{\"code\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"}},\"a"
    "dditionalProperties\":false}},\"present\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"requi"
    "red\":[\"person_id\",\"full_name\",\"outcomes\"],\"properties\":{\"person_id\":{\"type\":\"integer\""
    "},\"full_name\":{\"type\":\"string\"},\"outcomes\":{\"type\":\"array\",\"items\":{\"type\":\"object"
    "\",\"required\":[\"code\",\"label\"],\"properties\":{\"code\":{\"type\":\"string\"},\"label\":{\"typ"
    "e\":\"string\"}},\"additionalProperties\":false}}},\"additionalProperties\":false}}},\"additionalPro"
    "perties\":false},\"FieldVisitList\":{\"type\":\"object\",\"required\":[\"items\"],\"properties\":{\""
    "items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/FieldVisit\"}}},\"additionalP"
    "roperties\":false},\"FieldTeamReport\":{\"type\":\"object\",\"required\":[\"team\",\"period\",\"labe"
    "l\",\"from\",\"to\",\"visits\",\"households_visited\",\"residents_guided\",\"by_topic\",\"by_outcome"
    "\",\"by_helper\",\"coverage\",\"requests_closed\"],\"properties\":{\"team\":{\"type\":\"object\",\"r"
    "equired\":[\"id\",\"name\",\"unit_id\",\"unit_name\"],\"properties\":{\"id\":{\"type\":\"integer\"},"
    "\"name\":{\"type\":\"string\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\""
    "}},\"additionalProperties\":false},\"period\":{\"type\":\"string\",\"enum\":[\"week\",\"month\",\"qu"
    "arter\"]},\"label\":{\"type\":\"string\"},\"from\":{\"type\":\"string\",\"format\":\"date\"},\"to\":"
    "{\"type\":\"string\",\"format\":\"date\"},\"visits\":{\"type\":\"integer\"},\"households_visited\":{"
    "\"type\":\"integer\"},\"residents_guided\":{\"type\":\"integer\",\"description\":\"distinct resident"
    "s present at the period's visits\"},\"by_topic\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
    "\"required\":[\"code\",\"label\",\"visits\",\"residents\"],\"properties\":{\"code\":{\"type\":\"stri"
    "ng\"},\"label\":{\"type\":\"string\"},\"visits\":{\"type\":\"integer\"},\"residents\":{\"type\":\"in"
    "teger\"}},\"additionalProperties\":false}},\"by_outcome\":{\"type\":\"array\",\"items\":{\"type\":\""
    "object\",\"required\":[\"code\",\"label\",\"residents\"],\"properties\":{\"code\":{\"type\":\"string"
    "\"},\"label\":{\"type\":\"string\"},\"residents\":{\"type\":\"integer\"}},\"additionalProperties\":f"
    "alse}},\"by_helper\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"user_id\",\""
    "name\",\"visits\"],\"properties\":{\"user_id\":{\"type\":[\"integer\",\"null\"]},\"name\":{\"type\":"
    "\"string\"},\"visits\":{\"type\":\"integer\"}},\"additionalProperties\":false}},\"coverage\":{\"type"
    "\":\"object\",\"required\":[\"households\",\"visited\"],\"properties\":{\"households\":{\"type\":\"i"
    "nteger\"},\"visited\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"requests_closed\":{"
    "\"type\":\"integer\",\"description\":\"help requests of the tổ closed in the period\"}},\"additional"
    "Properties\":false},\"HelpRequest\":{\"type\":\"object\",\"required\":[\"id\",\"unit_id\",\"unit_nam"
    "e\",\"channel\",\"channel_label\",\"requester_name\",\"phone\",\"relation\",\"relation_label\",\"res"
    "ident_name\",\"address\",\"topic\",\"topic_label\",\"description\",\"status\",\"due_at\",\"overdue\""
    ",\"taken_by\",\"taken_at\",\"done_by\",\"done_at\",\"visit_id\",\"created_by\",\"created_at\"],\"pro"
    "perties\":{\"id\":{\"type\":\"integer\"},\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":"
    "\"string\"},\"channel\":{\"type\":\"string\",\"enum\":[\"phone\",\"desk\",\"web\"]},\"channel_label"
    "\":{\"type\":\"string\"},\"requester_name\":{\"type\":\"string\"},\"phone\":{\"type\":[\"string\",\""
    "null\"]},\"relation\":{\"type\":\"string\",\"enum\":[\"self\",\"relative\",\"desk\"]},\"relation_lab"
    "el\":{\"type\":\"string\"},\"resident_name\":{\"type\":[\"string\",\"null\"]},\"address\":{\"type\":"
    "[\"string\",\"null\"]},\"topic\":{\"type\":[\"string\",\"null\"]},\"topic_label\":{\"type\":[\"strin"
    "g\",\"null\"]},\"description\":{\"type\":\"string\"},\"status\":{\"type\":\"string\",\"enum\":[\"ope"
    "n\",\"taken\",\"done\"]},\"due_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"overdue\":{\"ty"
    "pe\":\"boolean\"},\"taken_by\":{\"type\":[\"string\",\"null\"]},\"taken_at\":{\"type\":[\"string\","
    "\"null\"],\"format\":\"date-time\"},\"done_by\":{\"type\":[\"string\",\"null\"]},\"done_at\":{\"type"
    "\":[\"string\",\"null\"],\"format\":\"date-time\"},\"visit_id\":{\"type\":[\"integer\",\"null\"]},\""
    "created_by\":{\"type\":[\"string\",\"null\"],\"description\":\"display name of the staff member who "
    "entered it; null: the public form\"},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"}},"
    "\"additionalProperties\":false},\"HelpRequestPage\":{\"type\":\"object\",\"required\":[\"items\",\"p"
    "age\",\"per_page\",\"total\"],\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/"
    "components/schemas/HelpRequest\"}},\"page\":{\"type\":\"integer\"},\"per_page\":{\"type\":\"integer"
    "\"},\"total\":{\"type\":\"integer\"}},\"additionalProperties\":false},\"HelpRequestSummary\":{\"type"
    "\":\"object\",\"required\":[\"items\",\"open\",\"overdue\"],\"properties\":{\"items\":{\"type\":\"ar"
    "ray\",\"items\":{\"type\":\"object\",\"required\":[\"unit_id\",\"unit_name\",\"open\",\"overdue\",\""
    "done\"],\"properties\":{\"unit_id\":{\"type\":\"integer\"},\"unit_name\":{\"type\":\"string\"},\"ope"
    "n\":{\"type\":\"integer\"},\"overdue\":{\"type\":\"integer\"},\"done\":{\"type\":\"integer\"}},\"add"
    "itionalProperties\":false}},\"open\":{\"type\":\"integer\"},\"overdue\":{\"type\":\"integer\"}},\"ad"
    "ditionalProperties\":false},\"HelpRequestUnits\":{\"type\":\"object\",\"required\":[\"items\"],\"pro"
    "perties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"id\",\"name"
    "\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}},\"additionalProper"
    "ties\":false}}},\"additionalProperties\":false},\"HelpRequestReceipt\":{\"type\":\"object\",\"requir"
    "ed\":[\"id\",\"message\"],\"properties\":{\"id\":{\"type\":\"integer\"},\"message\":{\"type\":\"stri"
    "ng\"}},\"additionalProperties\":false}}";

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
    {"Tổ công nghệ số", "Tổ công nghệ số cộng đồng: thành viên, lượt đến hộ, việc cần làm, độ phủ theo tổ dân phố"},
};

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
                      {&confirm_schemas_json, "confirmation"}, {&field_schemas_json, "field"},
                      {&competence_schemas_json, "competence"}};
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

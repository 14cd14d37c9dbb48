/* h_indicators_left.c: GET /api/v1/indicators/left-behind (a page, JSON) and …/left-behind.csv (the
 * team's worklist) over HTTP (indicators_left.h). The dispatcher has checked reports.read on the
 * unit of the query; the unit and date default as the dashboard's do (h_indicators.c).
 * Owns: one audit entry per answer (the indicator, the unit, the date, how many rows; for a page the
 * ids listed), committed before any record leaves; the phone in clear only with people.read there.
 * Never: lists anything itself, or answers before the audit entry is committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/indicators_left.h"
#include "domain/units.h"
#include "http/handlers.h"
#include "util/clock.h"

/* The query's code (default T3), unit and date; whether the caller may read phone numbers there.
 * 0, or -1 answered. */
static int left_query(req *r, const char **code, int64_t *unit, int64_t *key, bool *phone_clear) {
  if (ind_query_unit_date(r, unit, key) != 0) return -1;
  *code = req_qstr(r, "code");
  if (!*code || !**code) *code = "T3";
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  const char *path = NULL;
  if (units_path(c, *unit, &r->a, &path, &r->err) != 0) {
    r->err.field = "unit";
    return -1;
  }
  *phone_clear = scope_can(r->who, CAP_PEOPLE_READ, path);
  return 0;
}

static int audit_left(req *r, const ind_left_info *info, int64_t key, const char *format, int64_t rows, json_t *ids) {
  char date[16];
  ind_key_iso(key, date);
  json_t *detail = json_pack("{s:s, s:s, s:s, s:s, s:I}", "code", info->code, "base", ind_base_code(info->base), "date",
                             date, "format", format, "rows", (json_int_t)rows);
  if (detail && ids) json_object_set(detail, "ids", ids);
  if (req_begin(r) != 0 ||
      req_audit(r, info->base == IND_PEOPLE ? "person.list_left_behind" : "household.list_left_behind", "unit",
                info->unit_id, info->unit_id, detail) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return 0;
}

int h_indicators_left(req *r) {
  const char *code = NULL;
  int64_t unit = 0, key = 0;
  bool clear = false;
  if (left_query(r, &code, &unit, &key, &clear) != 0) return -1;
  int page, per_page;
  req_paging(r, &page, &per_page);
  json_t *o = NULL;
  ind_left_info info;
  if (ind_left_page(req_db(r), code, unit, key, page, per_page, clear, &o, &info, &r->err) != 0) return -1;
  json_t *ids = json_array();
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(o, "items"), i, it) json_array_append(ids, json_object_get(it, "id"));
  int rc = ids ? audit_left(r, &info, key, "json", (int64_t)json_array_size(ids), ids) : APP_INTERNAL(&r->err);
  json_decref(ids);
  if (rc != 0) {
    json_decref(o);
    return -1;
  }
  return req_ok(r, 200, o);
}

int h_indicators_left_csv(req *r) {
  if (req_same_origin(r) != 0) return -1;
  const char *code = NULL;
  int64_t unit = 0, key = 0;
  bool clear = false;
  if (left_query(r, &code, &unit, &key, &clear) != 0) return -1;
  buf b;
  buf_init(&b);
  ind_left_info info;
  int64_t rows = 0;
  if (ind_left_csv(req_db(r), code, unit, key, clear, &b, &info, &rows, &r->err) != 0 ||
      audit_left(r, &info, key, "csv", rows, NULL) != 0) {
    buf_free(&b);
    return -1;
  }
  char date[16], ascii[96], name[400];
  ind_key_iso(key, date);
  /* the ASCII name keeps only the code's safe characters (a code is letters, digits, . _ -) */
  snprintf(ascii, sizeof ascii, "danh-sach-chua-dat-%s-%s.csv", info.code, date);
  snprintf(name, sizeof name, "Danh sách chưa đạt %s - %s - %s.csv", info.code, info.unit_name, date);
  size_t len = 0;
  r->raw = buf_detach(&b, &len);
  if (!r->raw) return APP_INTERNAL(&r->err);
  r->raw_len = len;
  r->raw_type = "text/csv; charset=utf-8";
  r->status = 200;
  req_attachment(r, ascii, name);
  return 0;
}

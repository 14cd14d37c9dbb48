/* households.c: hộ gia đình — households in a tổ dân phố (see people.h, which declares them with
 * the people they hold). Only this file writes SQL about households. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/people.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/utf8.h"

STORE_SQL(q_unit, "SELECT kind FROM units WHERE id = ?");
STORE_SQL(q_insert, "INSERT INTO households (unit_id, code, address, address_key, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_code_taken, "SELECT 1 FROM households WHERE unit_id = ? AND code = ? AND id <> ?");
STORE_SQL(q_self, "SELECT unit_id FROM households WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_update, "UPDATE households SET code = CASE WHEN ? = 1 THEN ? ELSE code END,"
                    " address = COALESCE(?, address), address_key = COALESCE(?, address_key), updated_at = ?"
                    " WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_reach, "SELECT h.unit_id, u.path FROM households h JOIN units u ON u.id = h.unit_id"
                   " WHERE h.id = ? AND h.deleted_at IS NULL");
#define HH_COLS                                                                                        \
  "h.id, h.unit_id, u.name, h.code, h.address,"                                                        \
  " (SELECT COUNT(*) FROM people hp WHERE hp.household_id = h.id AND hp.deleted_at IS NULL)"
STORE_SQL(q_get, "SELECT " HH_COLS " FROM households h JOIN units u ON u.id = h.unit_id"
                 " WHERE h.id = ? AND h.deleted_at IS NULL");
STORE_SQL(q_members, "SELECT id, full_name, relation, birth_year, sex FROM people"
                     " WHERE household_id = ? AND deleted_at IS NULL ORDER BY id");
/* Households in the caller's scope (their tổ's path under a grant), optionally in one unit's
 * subtree and matching part of the address (folded) or the start of the code. */
#define HH_FILTER                                                                                       \
  " FROM households h JOIN units u ON u.id = h.unit_id WHERE h.deleted_at IS NULL AND " SCOPE_IN("u.path") \
  " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?))"                                       \
  " AND (CAST(? AS TEXT) IS NULL OR h.address_key LIKE ? ESCAPE '\\' OR h.code LIKE ? ESCAPE '\\')"
STORE_SQL(q_list, SCOPE_WITH "SELECT " HH_COLS HH_FILTER " ORDER BY h.unit_id, h.code, h.id LIMIT ? OFFSET ?");
STORE_SQL(q_count, SCOPE_WITH "SELECT COUNT(*)" HH_FILTER);
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");

static int check_code(const char *code, app_err *e) {
  size_t n = strlen(code);
  if (n < 1 || n > 32) return app_fail(e, 400, "invalid_value", "code", "Mã hộ phải có từ 1 đến 32 ký tự.");
  for (size_t i = 0; i < n; i++) {
    char ch = code[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
          ch == '_' || ch == '.' || ch == '/'))
      return app_fail(e, 400, "invalid_value", "code", "Mã hộ chỉ gồm chữ cái không dấu, chữ số và các dấu - _ . /");
  }
  return 0;
}

static int code_taken(store_conn *w, int64_t unit_id, const char *code, int64_t self, app_err *e) {
  store_stmt *s = store_prepare(w, &q_code_taken);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, unit_id);
  store_bind_text(s, 2, code);
  store_bind_int(s, 3, self);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_ROW) return app_fail(e, 409, "conflict", "code", "Mã hộ này đã có trong tổ dân phố.");
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

/* The address as stored (NFC, cleaned) and its folded key; both owned by the caller. */
static int clean_address(const char *in, char **addr, char **key, app_err *e) {
  *addr = text_clean(in);
  *key = *addr ? text_fold(*addr) : NULL;
  if (!*addr || !*key) {
    free(*addr);
    free(*key);
    *addr = *key = NULL;
    return app_fail(e, 400, "invalid_value", "address", "Địa chỉ không hợp lệ.");
  }
  if (utf8_length(*addr, strlen(*addr)) > 300) {
    free(*addr);
    free(*key);
    *addr = *key = NULL;
    return app_fail(e, 400, "invalid_value", "address", "Địa chỉ dài quá 300 ký tự.");
  }
  return 0;
}

int households_create(store_conn *w, int64_t unit_id, const char *code, const char *address, int64_t *id,
                      app_err *e) {
  if (code && *code && check_code(code, e) != 0) return -1;
  store_stmt *k = store_prepare(w, &q_unit);
  if (!k) return APP_INTERNAL(e);
  store_bind_int(k, 1, unit_id);
  int rc = store_step(k);
  bool group = rc == STORE_ROW && strcmp(store_col_text(k, 0), "residential_group") == 0;
  store_reset(k);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (!group) return app_fail(e, 400, "invalid_value", "unit_id", "Hộ gia đình phải thuộc một tổ dân phố.");
  if (code && *code && code_taken(w, unit_id, code, 0, e) != 0) return -1;
  char *addr = NULL, *key = NULL;
  if (clean_address(address ? address : "", &addr, &key, e) != 0) return -1;
  int ret = -1;
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  int64_t now = clock_now();
  store_bind_int(s, 1, unit_id);
  store_bind_text(s, 2, code && *code ? code : NULL);
  store_bind_text(s, 3, addr);
  store_bind_text(s, 4, key);
  store_bind_int(s, 5, now);
  store_bind_int(s, 6, now);
  rc = store_insert_id(s, id);
  if (rc == STORE_CONSTRAINT)
    app_fail(e, 409, "conflict", "code", "Mã hộ này đã có trong tổ dân phố.");
  else if (rc != STORE_DONE)
    APP_INTERNAL(e);
  else
    ret = 0;
done:
  free(addr);
  free(key);
  return ret;
}

int households_update(store_conn *w, int64_t id, const char *code, const char *address, app_err *e) {
  if (code && *code && check_code(code, e) != 0) return -1;
  store_stmt *q = store_prepare(w, &q_self);
  if (!q) return APP_INTERNAL(e);
  store_bind_int(q, 1, id);
  int rc = store_step(q);
  int64_t unit_id = rc == STORE_ROW ? store_col_int(q, 0) : 0;
  store_reset(q);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy hộ gia đình.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (code && *code && code_taken(w, unit_id, code, id, e) != 0) return -1;
  char *addr = NULL, *key = NULL;
  if (address && clean_address(address, &addr, &key, e) != 0) return -1;
  int ret = -1;
  store_stmt *s = store_prepare(w, &q_update);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  store_bind_int(s, 1, code != NULL);
  store_bind_text(s, 2, code && *code ? code : NULL);
  store_bind_text(s, 3, addr);
  store_bind_text(s, 4, key);
  store_bind_int(s, 5, clock_now());
  store_bind_int(s, 6, id);
  rc = store_step(s);
  store_reset(s);
  if (rc == STORE_CONSTRAINT)
    app_fail(e, 409, "conflict", "code", "Mã hộ này đã có trong tổ dân phố.");
  else if (rc != STORE_DONE)
    APP_INTERNAL(e);
  else
    ret = 0;
done:
  free(addr);
  free(key);
  return ret;
}

int households_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e) {
  return scope_reach(c, &q_reach, id, a, unit_id, path, "Không tìm thấy hộ gia đình.", e);
}

static json_t *hh_row(store_stmt *s) {
  return json_pack("{s:I, s:I, s:s, s:o, s:s, s:I}", "id", (json_int_t)store_col_int(s, 0), "unit_id",
                   (json_int_t)store_col_int(s, 1), "unit_name", store_col_text(s, 2) ? store_col_text(s, 2) : "",
                   "code", store_col_is_null(s, 3) ? json_null() : json_string(store_col_text(s, 3)), "address",
                   store_col_text(s, 4) ? store_col_text(s, 4) : "", "members_count", (json_int_t)store_col_int(s, 5));
}

int households_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  json_t *o = rc == STORE_ROW ? hh_row(s) : NULL;
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy hộ gia đình.");
  if (!o) return APP_INTERNAL(e);
  json_t *ms = json_array();
  store_stmt *m = store_prepare(c, &q_members);
  if (!ms || !m) {
    json_decref(ms);
    json_decref(o);
    return APP_INTERNAL(e);
  }
  store_bind_int(m, 1, id);
  while ((rc = store_step(m)) == STORE_ROW)
    json_array_append_new(
        ms, json_pack("{s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)store_col_int(m, 0), "full_name",
                      store_col_text(m, 1), "relation",
                      store_col_is_null(m, 2) ? json_null() : json_string(store_col_text(m, 2)), "birth_year",
                      store_col_is_null(m, 3) ? json_null() : json_integer(store_col_int(m, 3)), "sex",
                      store_col_is_null(m, 4) ? json_null() : json_string(store_col_text(m, 4))));
  store_reset(m);
  json_object_set_new(o, "members", ms);
  if (rc != STORE_DONE) {
    json_decref(o);
    return APP_INTERNAL(e);
  }
  *out = o;
  return 0;
}

int households_list(store_conn *c, const scope_sql *scope, const household_query *q, json_t **items_out,
                    int64_t *total, app_err *e) {
  char lo[512] = "", hi[512] = "";
  if (q->unit_id) {
    store_stmt *u = store_prepare(c, &q_unit_path);
    if (!u) return APP_INTERNAL(e);
    store_bind_int(u, 1, q->unit_id);
    int rc = store_step(u);
    if (rc == STORE_ROW) snprintf(lo, sizeof lo, "%s", store_col_text(u, 0));
    store_reset(u);
    if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
    if (rc != STORE_ROW) return APP_INTERNAL(e);
    snprintf(hi, sizeof hi, "%s", lo);
    hi[strlen(hi) - 1] = '0';
  }
  char *fold = q->q ? text_fold(q->q) : NULL;
  char *pat = fold ? text_like_pattern(fold) : NULL;
  char *cpat = q->q ? text_like_pattern(q->q) : NULL;
  json_t *items = json_array();
  if ((q->q && (!pat || !cpat)) || !items) goto fail;
  /* The code matches by its start: drop the leading '%' of "%code%". */
  const char *code_pat = cpat ? cpat + 1 : NULL;
  const store_sql *qs[2] = {&q_count, &q_list};
  for (int k = 0; k < 2; k++) {
    store_stmt *s = store_prepare(c, qs[k]);
    if (!s) goto fail;
    int i = scope_bind(s, 1, scope);
    store_bind_text(s, i++, q->unit_id ? lo : NULL);
    store_bind_text(s, i++, lo);
    store_bind_text(s, i++, hi);
    store_bind_text(s, i++, pat);
    store_bind_text(s, i++, pat);
    store_bind_text(s, i++, code_pat);
    if (k == 1) {
      store_bind_int(s, i++, q->per_page);
      store_bind_int(s, i++, (int64_t)(q->page - 1) * q->per_page);
    }
    int rc;
    while ((rc = store_step(s)) == STORE_ROW) {
      if (k == 0) {
        *total = store_col_int(s, 0);
      } else if (json_array_append_new(items, hh_row(s)) != 0) {
        store_reset(s);
        goto fail;
      }
    }
    store_reset(s);
    if (rc != STORE_DONE) goto fail;
  }
  free(fold);
  free(pat);
  free(cpat);
  *items_out = items;
  return 0;
fail:
  free(fold);
  free(pat);
  free(cpat);
  json_decref(items);
  return APP_INTERNAL(e);
}

/* resources.c: contributions and plan budgets (see resources.h). Only this file writes SQL about
 * contributions and plan_budgets; units, households and plan tasks are only read here. */
#include "domain/resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/people.h"
#include "domain/plan.h"
#include "domain/units.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/utf8.h"

STORE_SQL(q_insert, "INSERT INTO contributions (unit_id, source_kind, source_name, kind, description, quantity,"
                    " value_vnd, recipient_unit_id, recipient_household_id, task_id, received_on, created_by,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_task, "SELECT id FROM plan_tasks WHERE id = ?");
#define C_COLS                                                                                                 \
  "c.id, c.unit_id, u.name, c.source_kind, c.source_name, c.kind, c.description, c.quantity, c.value_vnd,"    \
  " c.recipient_unit_id, ru.name, c.recipient_household_id, h.code, h.address, c.task_id, t.code,"            \
  " c.received_on, us.display_name, c.created_at"
#define C_FROM                                                                                                 \
  " FROM contributions c JOIN units u ON u.id = c.unit_id LEFT JOIN units ru ON ru.id = c.recipient_unit_id" \
  " LEFT JOIN households h ON h.id = c.recipient_household_id LEFT JOIN plan_tasks t ON t.id = c.task_id"    \
  " LEFT JOIN users us ON us.id = c.created_by"
STORE_SQL(q_get, "SELECT " C_COLS C_FROM " WHERE c.id = ?");
#define C_WHERE                                                                                                \
  " WHERE " SCOPE_IN("u.path") " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?))"               \
  " AND (CAST(? AS TEXT) IS NULL OR c.source_kind = ?) AND (CAST(? AS TEXT) IS NULL OR c.kind = ?)"         \
  " AND (CAST(? AS BIGINT) = 0 OR c.task_id = ?)"
STORE_SQL(q_list, SCOPE_WITH "SELECT " C_COLS C_FROM C_WHERE " ORDER BY c.received_on DESC, c.id DESC LIMIT ? OFFSET ?");
STORE_SQL(q_totals, SCOPE_WITH "SELECT c.kind, c.source_kind, COUNT(*), SUM(c.value_vnd)"
                               " FROM contributions c JOIN units u ON u.id = c.unit_id" C_WHERE
                               " GROUP BY c.kind, c.source_kind");
/* The report's totals: what a unit's subtree received up to a date (report.c). */
STORE_SQL(q_report_totals, "SELECT c.kind, c.source_kind, COUNT(*), SUM(c.value_vnd) FROM contributions c"
                           " JOIN units u ON u.id = c.unit_id WHERE u.path >= ? AND u.path < ? AND c.received_on <= ?"
                           " GROUP BY c.kind, c.source_kind");
STORE_SQL(q_budget_upsert, "INSERT INTO plan_budgets (task_id, year, source, amount_vnd, updated_by, updated_at)"
                           " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (task_id, year, source) DO UPDATE SET"
                           " amount_vnd = excluded.amount_vnd, updated_by = excluded.updated_by,"
                           " updated_at = excluded.updated_at");
STORE_SQL(q_budget_tasks, "SELECT t.id, t.code, t.title,"
                          " (SELECT COALESCE(SUM(c.value_vnd), 0) FROM contributions c WHERE c.task_id = t.id),"
                          " (SELECT COUNT(*) FROM contributions c WHERE c.task_id = t.id)"
                          " FROM plan_tasks t ORDER BY t.position, t.id");
STORE_SQL(q_budget_rows, "SELECT task_id, year, source, amount_vnd FROM plan_budgets ORDER BY task_id, year, source");

struct resources_label {
  const char *code, *label;
};
static const struct resources_label SOURCES[] = {{"organisation", "Tổ chức"}, {"business", "Doanh nghiệp"}, {"individual", "Cá nhân"}},
  KINDS[] = {{"money", "Tiền"}, {"devices", "Thiết bị"}, {"facilities", "Cơ sở vật chất"}, {"people", "Nhân lực"}};

const char *resources_source_label(const char *s) {
  for (size_t i = 0; s && i < sizeof SOURCES / sizeof SOURCES[0]; i++)
    if (strcmp(s, SOURCES[i].code) == 0) return SOURCES[i].label;
  return NULL;
}

const char *resources_kind_label(const char *k) {
  for (size_t i = 0; k && i < sizeof KINDS / sizeof KINDS[0]; i++)
    if (strcmp(k, KINDS[i].code) == 0) return KINDS[i].label;
  return NULL;
}

static bool blank(const char *s) {
  for (; s && *s; s++)
    if (!strchr(" \t\r\n", *s)) return false;
  return true;
}

static bool text_ok(const char *s, size_t max) {
  return !blank(s) && text_name_check(s) != TEXT_NAME_HIDDEN && utf8_length(s, strlen(s)) <= max;
}

int resources_add(store_conn *w, const contribution_in *in, int64_t by_user, int64_t now, int64_t *id, app_err *e) {
  arena a;
  arena_init(&a);
  int rc = -1;
  const char *path = NULL;
  if (units_path(w, in->unit_id, &a, &path, e) != 0) {
    e->field = "unit_id";
    goto out;
  }
  if (!resources_source_label(in->source_kind)) {
    app_fail(e, 400, "invalid_value", "source_kind", "Nguồn đóng góp phải là organisation (tổ chức), business (doanh nghiệp) hoặc individual (cá nhân).");
    goto out;
  }
  if (!text_ok(in->source_name, 200)) {
    app_fail(e, 400, "invalid_value", "source_name", "Ghi tên tổ chức, doanh nghiệp hoặc người đóng góp (tối đa 200 ký tự).");
    goto out;
  }
  if (!resources_kind_label(in->kind)) {
    app_fail(e, 400, "invalid_value", "kind", "Loại đóng góp phải là money (tiền), devices (thiết bị), facilities (cơ sở vật chất) hoặc people (nhân lực).");
    goto out;
  }
  if (!text_ok(in->description, 1000)) {
    app_fail(e, 400, "invalid_value", "description", "Ghi nội dung đóng góp (tối đa 1000 ký tự).");
    goto out;
  }
  if (in->value_vnd < 0 || in->value_vnd > 1000000000000000LL) {
    app_fail(e, 400, "invalid_value", "value_vnd", "Giá trị (đồng) phải là số không âm.");
    goto out;
  }
  if (strcmp(in->kind, "money") == 0 && in->value_vnd == 0) {
    app_fail(e, 400, "invalid_value", "value_vnd", "Đóng góp bằng tiền cần ghi số tiền.");
    goto out;
  }
  int64_t day = plan_day_parse(in->received_on);
  if (day < 0 || day > plan_day_of(now) || day < plan_day_parse("2020-01-01")) {
    app_fail(e, 400, "invalid_value", "received_on", "Ngày tiếp nhận có dạng yyyy-mm-dd, từ năm 2020 và không ở tương lai.");
    goto out;
  }
  if (in->recipient_unit_id) {
    const char *rp = NULL;
    app_err ue = {0};
    if (units_path(w, in->recipient_unit_id, &a, &rp, &ue) != 0 || !scope_path_within(rp, path)) {
      if (ue.status == 500) {
        APP_INTERNAL(e);
        goto out;
      }
      app_fail(e, 400, "invalid_value", "recipient_unit_id", "Đơn vị được nhận phải thuộc đơn vị tiếp nhận.");
      goto out;
    }
  }
  if (in->recipient_household_id) {
    const char *hp = NULL;
    int64_t hu = 0;
    app_err he = {0};
    if (households_reach(w, in->recipient_household_id, &a, &hu, &hp, &he) != 0 || !scope_path_within(hp, path)) {
      if (he.status == 500) {
        APP_INTERNAL(e);
        goto out;
      }
      app_fail(e, 400, "invalid_value", "recipient_household_id", "Hộ được nhận phải thuộc đơn vị tiếp nhận.");
      goto out;
    }
  }
  if (in->task_id) {
    store_stmt *s = store_prepare(w, &q_task);
    if (!s) {
      APP_INTERNAL(e);
      goto out;
    }
    store_bind_int(s, 1, in->task_id);
    int r = store_step(s);
    store_reset(s);
    if (r != STORE_ROW) {
      if (r == STORE_DONE) app_fail(e, 400, "invalid_value", "task_id", "Không có nhiệm vụ này trong kế hoạch.");
      else APP_INTERNAL(e);
      goto out;
    }
  }
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(s, 1, in->unit_id);
  store_bind_text(s, 2, in->source_kind);
  store_bind_text(s, 3, in->source_name);
  store_bind_text(s, 4, in->kind);
  store_bind_text(s, 5, in->description);
  store_bind_id(s, 6, in->quantity);
  store_bind_int(s, 7, in->value_vnd);
  store_bind_id(s, 8, in->recipient_unit_id);
  store_bind_id(s, 9, in->recipient_household_id);
  store_bind_id(s, 10, in->task_id);
  store_bind_text(s, 11, in->received_on);
  store_bind_id(s, 12, by_user);
  store_bind_int(s, 13, now);
  if (store_insert_id(s, id) != STORE_DONE) {
    APP_INTERNAL(e);
    goto out;
  }
  rc = 0;
out:
  arena_free(&a);
  return rc;
}

static json_t *id_or_null(store_stmt *s, int i) {
  return store_col_is_null(s, i) ? json_null() : json_integer(store_col_int(s, i));
}
static json_t *text_or_null(store_stmt *s, int i) {
  return store_col_is_null(s, i) ? json_null() : json_string(store_col_text(s, i));
}

static json_t *row(store_stmt *s) {
  char at[32];
  clock_iso8601(store_col_int(s, 18), at, sizeof at);
  const char *sk = store_col_text(s, 3), *k = store_col_text(s, 5);
  json_t *hh = json_null();
  if (!store_col_is_null(s, 11))
    hh = json_pack("{s:I, s:o, s:o}", "id", (json_int_t)store_col_int(s, 11), "code", text_or_null(s, 12), "address",
                   text_or_null(s, 13));
  return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:s}",
                   "id", (json_int_t)store_col_int(s, 0), "unit_id", (json_int_t)store_col_int(s, 1), "unit_name",
                   store_col_text(s, 2), "source_kind", sk, "source_label", resources_source_label(sk) ? resources_source_label(sk) : sk,
                   "source_name", store_col_text(s, 4), "kind", k, "kind_label",
                   resources_kind_label(k) ? resources_kind_label(k) : k, "description", store_col_text(s, 6), "quantity",
                   id_or_null(s, 7), "value_vnd", (json_int_t)store_col_int(s, 8), "recipient_unit_id", id_or_null(s, 9),
                   "recipient_unit_name", text_or_null(s, 10), "recipient_household", hh, "task_id", id_or_null(s, 14),
                   "task_code", text_or_null(s, 15), "received_on", store_col_text(s, 16), "created_by_name",
                   text_or_null(s, 17), "created_at", at);
}

int resources_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  *out = NULL;
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) *out = row(s);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có đóng góp này.");
  return *out ? 0 : APP_INTERNAL(e);
}

/* Binds the filter after SCOPE_WITH; returns the next index. */
static int bind_filter(store_stmt *s, const scope_sql *sc, const contribution_query *q, const char *lo, const char *hi) {
  int k = scope_bind(s, 1, sc);
  store_bind_text(s, k++, lo);
  store_bind_text(s, k++, lo);
  store_bind_text(s, k++, hi);
  store_bind_text(s, k++, q->source_kind);
  store_bind_text(s, k++, q->source_kind);
  store_bind_text(s, k++, q->kind);
  store_bind_text(s, k++, q->kind);
  store_bind_int(s, k++, q->task_id);
  store_bind_int(s, k++, q->task_id);
  return k;
}

static json_t *bucket(void) { return json_pack("{s:i, s:i}", "count", 0, "value_vnd", 0); }

static void add_to(json_t *b, int64_t n, int64_t v) {
  json_object_set_new(b, "count", json_integer(json_integer_value(json_object_get(b, "count")) + n));
  json_object_set_new(b, "value_vnd", json_integer(json_integer_value(json_object_get(b, "value_vnd")) + v));
}

/* {count, value_vnd, by_kind: {money: {count, value_vnd}, …}, by_source: {organisation: …}}, zeros. */
static json_t *totals_new(void) {
  json_t *t = json_pack("{s:i, s:i, s:{}, s:{}}", "count", 0, "value_vnd", 0, "by_kind", "by_source");
  for (size_t i = 0; t && i < sizeof KINDS / sizeof KINDS[0]; i++) json_object_set_new(json_object_get(t, "by_kind"), KINDS[i].code, bucket());
  for (size_t i = 0; t && i < sizeof SOURCES / sizeof SOURCES[0]; i++) json_object_set_new(json_object_get(t, "by_source"), SOURCES[i].code, bucket());
  return t;
}

/* Adds the rows (kind, source_kind, count, value) of a bound totals statement to `t`; resets it and
 * answers its last step (STORE_DONE when every row was read). */
static int totals_read(store_stmt *s, json_t *t) {
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    int64_t n = store_col_int(s, 2), v = store_col_int(s, 3);
    add_to(json_object_get(json_object_get(t, "by_kind"), store_col_text(s, 0)), n, v);
    add_to(json_object_get(json_object_get(t, "by_source"), store_col_text(s, 1)), n, v);
    add_to(t, n, v);
  }
  store_reset(s);
  return rc;
}

int resources_list(store_conn *c, const scope_sql *sc, const contribution_query *q, json_t **items, int64_t *total,
                   json_t **totals, app_err *e) {
  *items = NULL;
  *totals = NULL;
  *total = 0;
  char lo[1100] = "", hi[1100] = "";
  if (q->unit_id && units_subtree(c, q->unit_id, lo, hi, sizeof lo, e) != 0) return -1;
  if ((q->source_kind && !resources_source_label(q->source_kind)))
    return app_fail(e, 400, "invalid_value", "source_kind", "Nguồn đóng góp phải là organisation, business hoặc individual.");
  if ((q->kind && !resources_kind_label(q->kind)))
    return app_fail(e, 400, "invalid_value", "kind", "Loại đóng góp phải là money, devices, facilities hoặc people.");
  json_t *t = totals_new();
  store_stmt *s = t ? store_prepare(c, &q_totals) : NULL;
  if (!s) {
    json_decref(t);
    return APP_INTERNAL(e);
  }
  bind_filter(s, sc, q, q->unit_id ? lo : NULL, q->unit_id ? hi : NULL);
  int rc = totals_read(s, t);
  if (rc != STORE_DONE) {
    json_decref(t);
    return APP_INTERNAL(e);
  }
  s = store_prepare(c, &q_list);
  json_t *list = json_array();
  if (!s || !list) {
    json_decref(t);
    json_decref(list);
    return APP_INTERNAL(e);
  }
  int k = bind_filter(s, sc, q, q->unit_id ? lo : NULL, q->unit_id ? hi : NULL);
  store_bind_int(s, k++, q->per_page);
  store_bind_int(s, k++, (int64_t)(q->page - 1) * q->per_page);
  while ((rc = store_step(s)) == STORE_ROW) json_array_append_new(list, row(s));
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(t);
    json_decref(list);
    return APP_INTERNAL(e);
  }
  *items = list;
  *total = json_integer_value(json_object_get(t, "count"));
  *totals = t;
  return 0;
}

int resources_set_budget(store_conn *w, int64_t task_id, int year, const char *source, int64_t amount_vnd,
                         int64_t by_user, int64_t now, app_err *e) {
  store_stmt *s = store_prepare(w, &q_task);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, task_id);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có nhiệm vụ này trong kế hoạch.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (year < 2020 || year > 2100) return app_fail(e, 400, "invalid_value", "year", "Năm từ 2020 đến 2100.");
  if (!source || (strcmp(source, "state_budget") != 0 && strcmp(source, "other") != 0))
    return app_fail(e, 400, "invalid_value", "source",
                    "Nguồn kinh phí phải là state_budget (ngân sách nhà nước) hoặc other (nguồn hợp pháp khác).");
  if (amount_vnd < 0 || amount_vnd > 1000000000000000LL)
    return app_fail(e, 400, "invalid_value", "amount_vnd", "Số tiền (đồng) phải là số không âm.");
  s = store_prepare(w, &q_budget_upsert);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, task_id);
  store_bind_int(s, 2, year);
  store_bind_text(s, 3, source);
  store_bind_int(s, 4, amount_vnd);
  store_bind_id(s, 5, by_user);
  store_bind_int(s, 6, now);
  rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int resources_budgets(store_conn *c, json_t **items, json_t **totals, app_err *e) {
  *items = json_array();
  *totals = NULL;
  json_t *by = json_object();
  int64_t budget = 0, mobilised = 0;
  store_stmt *s = *items && by ? store_prepare(c, &q_budget_tasks) : NULL;
  if (!s) goto fail;
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    char k[24];
    snprintf(k, sizeof k, "%lld", (long long)store_col_int(s, 0));
    json_t *o = json_pack("{s:I, s:s, s:s, s:[], s:i, s:I, s:I}", "task_id", (json_int_t)store_col_int(s, 0), "code",
                          store_col_text(s, 1), "title", store_col_text(s, 2), "budgets", "budget_vnd", 0,
                          "mobilised_vnd", (json_int_t)store_col_int(s, 3), "contributions", (json_int_t)store_col_int(s, 4));
    if (!o) break;
    mobilised += store_col_int(s, 3);
    json_object_set(by, k, o);
    json_array_append_new(*items, o);
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  s = store_prepare(c, &q_budget_rows);
  if (!s) goto fail;
  while ((rc = store_step(s)) == STORE_ROW) {
    char k[24];
    snprintf(k, sizeof k, "%lld", (long long)store_col_int(s, 0));
    json_t *o = json_object_get(by, k);
    if (!o) continue;
    int64_t amount = store_col_int(s, 3);
    json_array_append_new(json_object_get(o, "budgets"), json_pack("{s:I, s:s, s:I}", "year", (json_int_t)store_col_int(s, 1),
                                                                   "source", store_col_text(s, 2), "amount_vnd", (json_int_t)amount));
    json_object_set_new(o, "budget_vnd", json_integer(json_integer_value(json_object_get(o, "budget_vnd")) + amount));
    budget += amount;
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  json_decref(by);
  *totals = json_pack("{s:I, s:I}", "budget_vnd", (json_int_t)budget, "mobilised_vnd", (json_int_t)mobilised);
  return 0;
fail:
  json_decref(by);
  json_decref(*items);
  *items = NULL;
  return APP_INTERNAL(e);
}

/* A list of {code, label, count, value_vnd} in the catalogue's order, from {code: {count, value_vnd}}. */
static json_t *ordered(const json_t *by, const struct resources_label *list, size_t n) {
  json_t *out = json_array();
  for (size_t i = 0; out && i < n; i++) {
    const json_t *b = json_object_get(by, list[i].code);
    json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:I}", "code", list[i].code, "label", list[i].label, "count",
                                         (json_int_t)json_integer_value(json_object_get(b, "count")), "value_vnd",
                                         (json_int_t)json_integer_value(json_object_get(b, "value_vnd"))));
  }
  return out;
}

int resources_report(store_conn *c, int64_t unit_id, const char *until, bool with_budget, json_t **out, app_err *e) {
  *out = NULL;
  char lo[1100], hi[1100];
  if (units_subtree(c, unit_id, lo, hi, sizeof lo, e) != 0) return -1;
  json_t *t = totals_new();
  store_stmt *s = t ? store_prepare(c, &q_report_totals) : NULL;
  int rc = STORE_ERROR;
  if (s) {
    store_bind_text(s, 1, lo);
    store_bind_text(s, 2, hi);
    store_bind_text(s, 3, until);
    rc = totals_read(s, t);
  }
  json_t *o = NULL;
  if (rc == STORE_DONE)
    o = json_pack("{s:O, s:O, s:o, s:o}", "count", json_object_get(t, "count"), "value_vnd", json_object_get(t, "value_vnd"),
                  "by_kind", ordered(json_object_get(t, "by_kind"), KINDS, sizeof KINDS / sizeof KINDS[0]), "by_source",
                  ordered(json_object_get(t, "by_source"), SOURCES, sizeof SOURCES / sizeof SOURCES[0]));
  json_decref(t);
  if (!o) return APP_INTERNAL(e);
  if (with_budget) {
    json_t *items = NULL, *totals = NULL;
    if (resources_budgets(c, &items, &totals, e) != 0) {
      json_decref(o);
      return -1;
    }
    json_object_set(o, "budget_vnd", json_object_get(totals, "budget_vnd"));
    json_object_set(o, "mobilised_for_tasks_vnd", json_object_get(totals, "mobilised_vnd"));
    json_decref(items);
    json_decref(totals);
  }
  *out = o;
  return 0;
}

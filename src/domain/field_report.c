/* field_report.c: a community digital team's activity over a week, a month or a quarter (issue 9
 * part 12; field.h): visits, households and residents reached, residents guided by topic, outcomes,
 * who recorded the visits, the tổ's coverage at the period's end; and the same as an Excel workbook
 * for the team leader to send up. Reads the field tables (field.c owns them); never writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "domain/field.h"
#include "domain/helpreq.h"

STORE_SQL(q_team, "SELECT t.unit_id, t.name, u.name FROM field_teams t JOIN units u ON u.id = t.unit_id WHERE t.id = ?");
#define IN_PERIOD " v.unit_id = ? AND v.visited_on >= ? AND v.visited_on <= ?"
STORE_SQL(q_totals, "SELECT COUNT(*), COUNT(DISTINCT v.household_id) FROM field_visits v WHERE" IN_PERIOD);
STORE_SQL(q_people, "SELECT COUNT(DISTINCT vp.person_id) FROM field_visits v JOIN field_visit_people vp"
                    " ON vp.visit_id = v.id WHERE" IN_PERIOD);
STORE_SQL(q_by_topic, "SELECT ft.code, ft.label, COUNT(DISTINCT v.id), COUNT(DISTINCT vp.person_id)"
                      " FROM field_visits v JOIN field_visit_topics vt ON vt.visit_id = v.id"
                      " JOIN field_topics ft ON ft.id = vt.topic_id"
                      " LEFT JOIN field_visit_people vp ON vp.visit_id = v.id WHERE" IN_PERIOD
                      " GROUP BY ft.id, ft.code, ft.label, ft.position ORDER BY ft.position, ft.id");
STORE_SQL(q_by_outcome, "SELECT o.outcome, COUNT(DISTINCT o.person_id) FROM field_visits v JOIN field_visit_outcomes o"
                        " ON o.visit_id = v.id WHERE" IN_PERIOD " GROUP BY o.outcome");
STORE_SQL(q_by_helper, "SELECT v.created_by, COALESCE(u.display_name, ''), COUNT(*) FROM field_visits v"
                       " LEFT JOIN users u ON u.id = v.created_by WHERE" IN_PERIOD
                       " GROUP BY v.created_by, u.display_name ORDER BY COUNT(*) DESC, v.created_by");
STORE_SQL(q_coverage_at, "SELECT COUNT(*), COUNT(CASE WHEN EXISTS (SELECT 1 FROM field_visits v WHERE v.household_id = h.id"
                         " AND v.visited_on <= ?) THEN 1 END) FROM households h WHERE h.unit_id = ? AND h.deleted_at IS NULL");

/* ---- periods ---- */
/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm), and back. */
static int64_t days_of(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int64_t key_of_days(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp + (mp < 10 ? 3 : -9);
  return (y + (m <= 2)) * 10000 + m * 100 + d;
}

static int month_days(int y, int m) {
  return (int)(days_of(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - days_of(y, m, 1));
}

int field_period(const char *period, int64_t day, int64_t *from, int64_t *to, char label[static 64]) {
  int y = (int)(day / 10000), m = (int)(day / 100 % 100), d = (int)(day % 100);
  if (!period || strcmp(period, "month") == 0) {
    *from = (int64_t)y * 10000 + m * 100 + 1;
    *to = (int64_t)y * 10000 + m * 100 + month_days(y, m);
    snprintf(label, 64, "Tháng %d/%d", m, y);
    return 0;
  }
  if (strcmp(period, "quarter") == 0) {
    int q = (m - 1) / 3;
    *from = (int64_t)y * 10000 + (3 * q + 1) * 100 + 1;
    *to = (int64_t)y * 10000 + (3 * q + 3) * 100 + month_days(y, 3 * q + 3);
    static const char *const roman[] = {"I", "II", "III", "IV"};
    snprintf(label, 64, "Quý %s/%d", roman[q], y);
    return 0;
  }
  if (strcmp(period, "week") == 0) {
    int64_t z = days_of(y, m, d);
    int64_t monday = z - ((z % 7 + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
    *from = key_of_days(monday);
    *to = key_of_days(monday + 6);
    snprintf(label, 64, "Tuần %02d/%02d–%02d/%02d/%04d", (int)(*from % 100), (int)(*from / 100 % 100), (int)(*to % 100),
             (int)(*to / 100 % 100), (int)(*to / 10000));
    return 0;
  }
  return -1;
}

static json_t *date_json(int64_t key) {
  char s[16];
  snprintf(s, sizeof s, "%04d-%02d-%02d", (int)(key / 10000), (int)(key / 100 % 100), (int)(key % 100));
  return json_string(s);
}

/* Binds the team's tổ and the period to a statement whose parameters start with IN_PERIOD's. */
static void bind_period(store_stmt *s, int i, int64_t unit, int64_t from, int64_t to) {
  store_bind_int(s, i, unit);
  store_bind_int(s, i + 1, from);
  store_bind_int(s, i + 2, to);
}

int field_team_report(store_conn *c, int64_t team_id, const char *period, int64_t day, json_t **out, app_err *e) {
  int64_t from = 0, to = 0;
  char label[64];
  if (field_period(period, day, &from, &to, label) != 0)
    return app_fail(e, 400, "invalid_value", "period", "Kỳ báo cáo là week (tuần), month (tháng) hoặc quarter (quý).");
  *out = NULL;
  json_t *o = NULL, *topics = json_array(), *outcomes = json_array(), *helpers = json_array();
  store_stmt *s = store_prepare(c, &q_team);
  if (!s || !topics || !outcomes || !helpers) goto internal;
  store_bind_int(s, 1, team_id);
  int rc = store_step(s);
  int64_t unit = 0;
  if (rc == STORE_ROW) {
    unit = store_col_int(s, 0);
    o = json_pack("{s:{s:I, s:s, s:I, s:s}, s:s, s:s, s:o, s:o}", "team", "id", (json_int_t)team_id, "name",
                  store_col_text(s, 1), "unit_id", (json_int_t)unit, "unit_name", store_col_text(s, 2), "period",
                  period ? period : "month", "label", label, "from", date_json(from), "to", date_json(to));
  }
  store_reset(s);
  if (rc == STORE_DONE) {
    app_fail(e, 404, "not_found", "id", "Không tìm thấy tổ công nghệ số này.");
    goto fail;
  }
  if (rc != STORE_ROW || !o || !(s = store_prepare(c, &q_totals))) goto internal;
  bind_period(s, 1, unit, from, to);
  if ((rc = store_step(s)) == STORE_ROW) {
    json_object_set_new(o, "visits", json_integer(store_col_int(s, 0)));
    json_object_set_new(o, "households_visited", json_integer(store_col_int(s, 1)));
  }
  store_reset(s);
  if (rc != STORE_ROW || !(s = store_prepare(c, &q_people))) goto internal;
  bind_period(s, 1, unit, from, to);
  if ((rc = store_step(s)) == STORE_ROW) json_object_set_new(o, "residents_guided", json_integer(store_col_int(s, 0)));
  store_reset(s);
  if (rc != STORE_ROW || !(s = store_prepare(c, &q_by_topic))) goto internal;
  bind_period(s, 1, unit, from, to);
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(topics, json_pack("{s:s, s:s, s:I, s:I}", "code", store_col_text(s, 0), "label",
                                            store_col_text(s, 1), "visits", (json_int_t)store_col_int(s, 2),
                                            "residents", (json_int_t)store_col_int(s, 3)));
  store_reset(s);
  if (rc != STORE_DONE || !(s = store_prepare(c, &q_by_outcome))) goto internal;
  bind_period(s, 1, unit, from, to);
  int64_t counts[32] = {0};
  while ((rc = store_step(s)) == STORE_ROW)
    for (int i = 0; i < field_outcomes_count && i < 32; i++)
      if (strcmp(store_col_text(s, 0), field_outcomes[i].code) == 0) counts[i] = store_col_int(s, 1);
  store_reset(s);
  if (rc != STORE_DONE) goto internal;
  for (int i = 0; i < field_outcomes_count && i < 32; i++)
    json_array_append_new(outcomes, json_pack("{s:s, s:s, s:I}", "code", field_outcomes[i].code, "label",
                                              field_outcomes[i].label, "residents", (json_int_t)counts[i]));
  if (!(s = store_prepare(c, &q_by_helper))) goto internal;
  bind_period(s, 1, unit, from, to);
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(helpers, json_pack("{s:o, s:s, s:I}", "user_id",
                                             store_col_is_null(s, 0) ? json_null() : json_integer(store_col_int(s, 0)),
                                             "name", store_col_text(s, 1)[0] ? store_col_text(s, 1) : "Quản trị hệ thống",
                                             "visits", (json_int_t)store_col_int(s, 2)));
  store_reset(s);
  if (rc != STORE_DONE || !(s = store_prepare(c, &q_coverage_at))) goto internal;
  store_bind_int(s, 1, to);
  store_bind_int(s, 2, unit);
  if ((rc = store_step(s)) == STORE_ROW)
    json_object_set_new(o, "coverage", json_pack("{s:I, s:I}", "households", (json_int_t)store_col_int(s, 0), "visited",
                                                 (json_int_t)store_col_int(s, 1)));
  store_reset(s);
  if (rc != STORE_ROW) goto internal;
  json_object_set_new(o, "by_topic", topics);
  json_object_set_new(o, "by_outcome", outcomes);
  json_object_set_new(o, "by_helper", helpers);
  /* Help requests (helpreq.h) closed in the period, from its first moment to its last, Vietnam's time. */
  int64_t closed = 0, t0 = days_of((int)(from / 10000), (int)(from / 100 % 100), (int)(from % 100)) * 86400 - 7 * 3600,
          t1 = (days_of((int)(to / 10000), (int)(to / 100 % 100), (int)(to % 100)) + 1) * 86400 - 7 * 3600 - 1;
  if (helpreq_closed_count(c, unit, t0, t1, &closed, e) != 0) goto fail;
  json_object_set_new(o, "requests_closed", json_integer(closed));
  *out = o;
  return 0;
internal:
  APP_INTERNAL(e);
fail:
  json_decref(o);
  json_decref(topics);
  json_decref(outcomes);
  json_decref(helpers);
  return -1;
}

/* ---- the workbook ---- */
static int64_t num(const json_t *o, const char *k) { return (int64_t)json_integer_value(json_object_get(o, k)); }
static const char *str(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

int field_report_xlsx(const json_t *report, const char *path, const char *tmpdir, app_err *e) {
  lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
  lxw_workbook *wb = workbook_new_opt(path, &opt);
  if (!wb) return APP_INTERNAL(e);
  lxw_worksheet *ws = workbook_add_worksheet(wb, "Báo cáo");
  lxw_format *bold = workbook_add_format(wb);
  bool bad = !ws || !bold;
  if (!bad) {
    format_set_bold(bold);
    worksheet_set_column(ws, 0, 0, 48, NULL);
    worksheet_set_column(ws, 1, 3, 16, NULL);
  }
  lxw_row_t r = 0;
  const json_t *team = json_object_get(report, "team");
#define S(row, col, text, fmt) bad |= !bad && worksheet_write_string(ws, row, col, text, fmt) != LXW_NO_ERROR
#define N(row, col, v) bad |= !bad && worksheet_write_number(ws, row, col, (double)(v), NULL) != LXW_NO_ERROR
  S(r, 0, "Báo cáo hoạt động tổ công nghệ số cộng đồng", bold);
  r++;
  S(r, 0, "Tổ", NULL);
  S(r, 1, str(team, "name"), NULL);
  r++;
  S(r, 0, "Tổ dân phố", NULL);
  S(r, 1, str(team, "unit_name"), NULL);
  r++;
  S(r, 0, "Kỳ báo cáo", NULL);
  S(r, 1, str(report, "label"), NULL);
  r++;
  S(r, 0, "Từ ngày", NULL);
  S(r, 1, str(report, "from"), NULL);
  r++;
  S(r, 0, "Đến ngày", NULL);
  S(r, 1, str(report, "to"), NULL);
  r += 2;
  S(r, 0, "Chỉ số", bold);
  S(r, 1, "Số lượng", bold);
  r++;
  const json_t *cov = json_object_get(report, "coverage");
  static const struct {
    const char *label, *key;
    int from_cov;
  } rows[] = {
      {"Lượt đến hộ", "visits", 0},
      {"Số hộ được đến", "households_visited", 0},
      {"Số người được hướng dẫn", "residents_guided", 0},
      {"Số hộ của tổ dân phố", "households", 1},
      {"Số hộ đã được đến (lũy kế đến cuối kỳ)", "visited", 1},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++, r++) {
    S(r, 0, rows[i].label, NULL);
    N(r, 1, num(rows[i].from_cov ? cov : report, rows[i].key));
  }
  S(r, 0, "Yêu cầu hỗ trợ đã xong", NULL);
  N(r, 1, num(report, "requests_closed"));
  r += 2;
  S(r, 0, "Nội dung hướng dẫn", bold);
  S(r, 1, "Số lượt", bold);
  S(r, 2, "Số người", bold);
  r++;
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(report, "by_topic"), i, x) {
    S(r, 0, str(x, "label"), NULL);
    N(r, 1, num(x, "visits"));
    N(r, 2, num(x, "residents"));
    r++;
  }
  r++;
  S(r, 0, "Kết quả", bold);
  S(r, 1, "Số người", bold);
  r++;
  json_array_foreach(json_object_get(report, "by_outcome"), i, x) {
    S(r, 0, str(x, "label"), NULL);
    N(r, 1, num(x, "residents"));
    r++;
  }
  r++;
  S(r, 0, "Người ghi", bold);
  S(r, 1, "Số lượt", bold);
  r++;
  json_array_foreach(json_object_get(report, "by_helper"), i, x) {
    S(r, 0, str(x, "name"), NULL);
    N(r, 1, num(x, "visits"));
    r++;
  }
#undef S
#undef N
  lxw_error closed = workbook_close(wb); /* frees wb whatever happens */
  return bad || closed != LXW_NO_ERROR ? APP_INTERNAL(e) : 0;
}

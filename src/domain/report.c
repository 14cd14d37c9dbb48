/* report.c: the movement's quarterly and yearly report of a unit (report.h): its content from the
 * quarter's snapshot, and its workbook and PDF layouts (Nghị định 30/2020/NĐ-CP: national motto
 * header, issuing unit, number, place and date, title, sections, closing block).
 * Owns: the report's statements (the snapshot's rows, the unit and its parent) and both layouts.
 * Never: computes a figure, or holds a connection while it renders.
 */
#include "domain/report.h"
#include "domain/resources.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <xlsxwriter.h>

#include "domain/indicators.h"
#include "domain/plan.h"
#include "util/buf.h"
#include "util/clock.h"

STORE_SQL(q_unit_parent, "SELECT u.name, u.kind, p.name, p.kind FROM units u LEFT JOIN units p ON p.id = u.parent_id"
                         " WHERE u.id = ?");
STORE_SQL(q_snap_rows, "SELECT code, name, base, numerator, denominator, target FROM indicator_snapshots"
                       " WHERE quarter = ? AND unit_id = ?");

static const char *const ROMAN[4] = {"I", "II", "III", "IV"};

int report_period(const char *period, int64_t today_key, char quarter[8], char label[64], app_err *e) {
  size_t n = period ? strlen(period) : 0;
  bool year = n == 4;
  char q[8];
  if (year) {
    snprintf(q, sizeof q, "%.4s-Q4", period);
  } else if (n == 7) {
    memcpy(q, period, 8);
  } else {
    return app_fail(e, 400, "invalid_value", "period", "Kỳ báo cáo là một quý (2026-Q3) hoặc một năm (2026).");
  }
  int64_t end = ind_quarter_end(q);
  if (end < 0) return app_fail(e, 400, "invalid_value", "period", "Kỳ báo cáo là một quý (2026-Q3) hoặc một năm (2026).");
  if (end >= today_key)
    return app_fail(e, 400, "invalid_value", "period", "Kỳ báo cáo chưa kết thúc: chỉ báo cáo được quý hoặc năm đã qua.");
  memcpy(quarter, q, 8);
  if (year)
    snprintf(label, 64, "năm %.4s", q);
  else
    snprintf(label, 64, "quý %s năm %.4s", ROMAN[q[6] - '1'], q);
  return 0;
}

/* Upper case, letter by letter (utf8proc): "Phường Hải Dương" -> "PHƯỜNG HẢI DƯƠNG". */
static char *upper(const char *s) {
  buf b;
  buf_init(&b);
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
  utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(s);
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(p, left, &cp);
    if (k <= 0) break;
    utf8proc_uint8_t out[4];
    utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_toupper(cp), out);
    buf_append(&b, (const char *)out, (size_t)m);
    p += k;
    left -= k;
  }
  char *r = b.oom ? NULL : strndup(b.data ? b.data : "", b.len);
  buf_free(&b);
  return r;
}

static int catalogue_rank(const char *code) {
  for (int i = 0; i < ind_catalogue_count; i++)
    if (strcmp(ind_catalogue[i].code, code) == 0) return i;
  return ind_catalogue_count; /* the ward's own, after the plan's */
}
static int by_catalogue(const void *a, const void *b) {
  const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  const char *cx = json_string_value(json_object_get(x, "code")), *cy = json_string_value(json_object_get(y, "code"));
  int rx = catalogue_rank(cx), ry = catalogue_rank(cy);
  return rx != ry ? rx - ry : strcmp(cx, cy);
}

static int snapshot_rows(store_conn *c, const char *quarter, int64_t unit_id, json_t *targets, json_t *models) {
  store_stmt *s = store_prepare(c, &q_snap_rows);
  if (!s) return -1;
  store_bind_text(s, 1, quarter);
  store_bind_int(s, 2, unit_id);
  json_t *all[256];
  int n = 0, rc;
  while ((rc = store_step(s)) == STORE_ROW && n < 256) {
    int64_t num = store_col_int(s, 3), den = store_col_int(s, 4);
    bool has_t = !store_col_is_null(s, 5);
    int64_t t = store_col_int(s, 5);
    double pct = den > 0 ? (double)(int64_t)(1000.0 * (double)num / (double)den + 0.5) / 10.0 : -1;
    all[n++] = json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o}", "code", store_col_text(s, 0), "name",
                         store_col_text(s, 1), "base", store_col_text(s, 2), "numerator", (json_int_t)num, "denominator",
                         (json_int_t)den, "percent", pct >= 0 ? json_real(pct) : json_null(), "target",
                         has_t ? json_integer(t) : json_null(), "met",
                         has_t && den > 0 ? json_boolean(pct >= (double)t) : json_null());
  }
  store_reset(s);
  if (rc != STORE_DONE && rc != STORE_ROW) {
    for (int i = 0; i < n; i++) json_decref(all[i]);
    return -1;
  }
  qsort(all, (size_t)n, sizeof all[0], by_catalogue);
  for (int i = 0; i < n; i++) {
    const char *code = json_string_value(json_object_get(all[i], "code"));
    json_array_append_new(code && code[0] == 'T' && catalogue_rank(code) < ind_catalogue_count ? targets : models, all[i]);
  }
  return n;
}

int report_build(store *st, int64_t unit_id, const char *period, int64_t today_key, json_t **out, app_err *e) {
  *out = NULL;
  char quarter[8], label[64], err[256] = "";
  if (report_period(period, today_key, quarter, label, e) != 0) return -1;
  int ret = -1;
  json_t *targets = json_array(), *models = json_array(), *tasks = NULL, *issuer = NULL, *resources = NULL;
  char *up1 = NULL, *up2 = NULL, *place = NULL;
  store_conn *c = store_acquire(st, false);
  if (!c) {
    ret = app_fail(e, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
    goto done;
  }
  store_stmt *u0 = store_prepare(c, &q_unit_parent);
  int urc = STORE_ERROR;
  if (u0) {
    store_bind_int(u0, 1, unit_id);
    urc = store_step(u0);
    store_reset(u0);
  }
  store_release(c);
  c = NULL;
  if (urc != STORE_ROW) {
    ret = urc == STORE_DONE ? app_fail(e, 404, "not_found", "unit", "Không có đơn vị này.") : APP_INTERNAL(e);
    goto done;
  }
  for (int attempt = 0; attempt < 2; attempt++) {
    c = store_acquire(st, false);
    if (!c) {
      ret = app_fail(e, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
      goto done;
    }
    json_array_clear(targets);
    json_array_clear(models);
    int n = snapshot_rows(c, quarter, unit_id, targets, models);
    if (n < 0) {
      APP_INTERNAL(e);
      goto done;
    }
    if (n > 0) break;
    store_release(c);
    c = NULL;
    /* Not kept yet for this unit: kept now, once, as the housekeeper would have. */
    if (attempt == 0 && ind_snapshot_one(st, quarter, today_key, unit_id, err, sizeof err) != 0) {
      fprintf(stderr, "report: the snapshot of %s for unit %lld: %s\n", quarter, (long long)unit_id, err);
      APP_INTERNAL(e);
      goto done;
    }
  }
  if (!c) {
    APP_INTERNAL(e);
    goto done;
  }
  store_stmt *s = store_prepare(c, &q_unit_parent);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  store_bind_int(s, 1, unit_id);
  int rc = store_step(s);
  bool ward = false;
  json_t *unit = NULL;
  if (rc == STORE_ROW) {
    const char *name = store_col_text(s, 0), *kind = store_col_text(s, 1), *pname = store_col_text(s, 2);
    ward = strcmp(kind, "ward") == 0 || strcmp(kind, "commune") == 0;
    up1 = upper(ward ? "Ủy ban nhân dân" : pname ? pname : "");
    up2 = upper(name);
    /* the place on the date line: the ward's name without its kind ("Hải Dương") */
    const char *pl = ward ? name : pname ? pname : name;
    static const char *const kinds[] = {"Phường ", "Xã ", "Thành phố ", "Tổ dân phố "};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
      if (strncmp(pl, kinds[k], strlen(kinds[k])) == 0) {
        pl += strlen(kinds[k]);
        break;
      }
    place = strdup(pl);
    unit = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)unit_id, "name", name, "kind", kind);
  }
  store_reset(s);
  if (rc != STORE_ROW) {
    ret = rc == STORE_DONE ? app_fail(e, 404, "not_found", "unit", "Không có đơn vị này.") : APP_INTERNAL(e);
    goto done;
  }
  if (!up1 || !up2 || !place || !unit) {
    json_decref(unit);
    APP_INTERNAL(e);
    goto done;
  }
  issuer = json_pack("[s, s]", up1, up2);
  int64_t end = ind_quarter_end(quarter);
  if (ward) {
    /* the plan's tasks as they stood at the end of the period */
    char iso[16];
    ind_key_iso(end, iso);
    int64_t at = 0;
    if (!clock_parse_iso(iso, &at) || plan_tasks_list(c, at + 86400 - 7 * 3600 - 1, &tasks, e) != 0) {
      json_decref(unit);
      if (!e->status) APP_INTERNAL(e);
      goto done;
    }
  } else {
    tasks = json_array();
  }
  char date[16], issued[16];
  ind_key_iso(end, date);
  ind_key_iso(today_key, issued);
  /* the resources mobilised up to the end of the period (plan IV "Kinh phí", V.8) */
  if (resources_report(c, unit_id, date, ward, &resources, e) != 0) {
    json_decref(unit);
    if (!e->status) APP_INTERNAL(e);
    goto done;
  }
  *out = json_pack("{s:o, s:O, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:O, s:O, s:O, s:O}", "unit", unit, "issuer", issuer,
                   "place", place, "period", period, "quarter", quarter, "label", label, "date", date, "issued_on",
                   issued, "ward", ward, "targets", targets, "models", models, "tasks", tasks, "resources", resources);
  ret = *out ? 0 : APP_INTERNAL(e);
done:
  if (c) store_release(c);
  json_decref(targets);
  json_decref(models);
  json_decref(tasks);
  json_decref(resources);
  json_decref(issuer);
  free(up1);
  free(up2);
  free(place);
  return ret;
}

/* ---- shared by both layouts ---- */

/* An amount in đồng as Vietnamese write it: 12.500.000 */
static void vnd(int64_t v, char *out, size_t n) {
  char digits[32];
  snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
  size_t len = strlen(digits), k = 0;
  if (v < 0 && k + 1 < n) out[k++] = '-';
  for (size_t i = 0; i < len && k + 2 < n; i++) {
    if (i && (len - i) % 3 == 0) out[k++] = '.';
    out[k++] = digits[i];
  }
  out[k] = '\0';
}

/* The resources section's rows: a label, the number of contributions, their value; by kind, by
 * source, the total, and for the ward the plan tasks' budget. `cb` is called for each. */
typedef void (*resource_row_fn)(void *ctx, const char *label, const json_t *count, const json_t *value, bool bold);
static void resource_rows(const json_t *res, resource_row_fn cb, void *ctx) {
  static const char *const groups[2][2] = {{"by_kind", "Theo loại"}, {"by_source", "Theo nguồn"}};
  for (int g = 0; g < 2; g++) {
    cb(ctx, groups[g][1], NULL, NULL, true);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(res, groups[g][0]), i, it) {
      char label[96];
      snprintf(label, sizeof label, "- %s", json_string_value(json_object_get(it, "label")));
      cb(ctx, label, json_object_get(it, "count"), json_object_get(it, "value_vnd"), false);
    }
  }
  cb(ctx, "Tổng cộng", json_object_get(res, "count"), json_object_get(res, "value_vnd"), true);
  if (json_object_get(res, "budget_vnd")) {
    cb(ctx, "Kinh phí các nhiệm vụ của kế hoạch (dự toán)", NULL, json_object_get(res, "budget_vnd"), false);
    cb(ctx, "Đã huy động cho các nhiệm vụ", NULL, json_object_get(res, "mobilised_for_tasks_vnd"), false);
  }
}

/* The section's number: after the targets (I), the models (II) and the ward's tasks (III). */
static const char *resources_title(const json_t *r) {
  return json_array_size(json_object_get(r, "tasks")) ? "IV. NGUỒN LỰC ĐÃ HUY ĐỘNG" : "III. NGUỒN LỰC ĐÃ HUY ĐỘNG";
}

static const char *str(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}
static void figure(const json_t *it, char *out, size_t n) {
  snprintf(out, n, "%lld/%lld", (long long)json_integer_value(json_object_get(it, "numerator")),
           (long long)json_integer_value(json_object_get(it, "denominator")));
}
static void percent(const json_t *v, char *out, size_t n) {
  if (json_is_number(v))
    snprintf(out, n, "%.1f%%", json_number_value(v));
  else
    snprintf(out, n, "—");
}
static const char *verdict(const json_t *it) {
  const json_t *m = json_object_get(it, "met");
  return json_is_true(m) ? "Đạt" : json_is_false(m) ? "Chưa đạt" : "—";
}
/* "2026-10-05" -> "ngày 05 tháng 10 năm 2026" (Decree 30: a leading zero for days 1–9, months 1–2). */
static void date_vi(const char *iso, char *out, size_t n) {
  int y = 0, m = 0, d = 0;
  bool ok = strlen(iso) == 10 && iso[4] == '-' && iso[7] == '-';
  for (int i = 0; ok && i < 10; i++) {
    if (i == 4 || i == 7) continue;
    if (iso[i] < '0' || iso[i] > '9') ok = false;
  }
  if (ok) {
    y = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 + (iso[3] - '0');
    m = (iso[5] - '0') * 10 + (iso[6] - '0');
    d = (iso[8] - '0') * 10 + (iso[9] - '0');
  }
  snprintf(out, n, "ngày %02d tháng %s%d năm %d", d, m < 3 ? "0" : "", m, y);
}

/* ---- the workbook ---- */

typedef struct {
  lxw_worksheet *ws;
  lxw_row_t *row;
  bool *bad;
  lxw_format *bold, *money;
} xlsx_rows;

static void xlsx_resource_row(void *ctx, const char *label, const json_t *count, const json_t *value, bool strong) {
  xlsx_rows *x = ctx;
  if (*x->bad) return;
  lxw_row_t r = *x->row;
  bool bad = worksheet_write_string(x->ws, r, 1, label, strong ? x->bold : NULL) != LXW_NO_ERROR;
  if (!bad && count) bad = worksheet_write_number(x->ws, r, 2, (double)json_integer_value(count), NULL) != LXW_NO_ERROR;
  if (!bad && value) bad = worksheet_write_number(x->ws, r, 3, (double)json_integer_value(value), x->money) != LXW_NO_ERROR;
  *x->bad = bad;
  (*x->row)++;
}

int report_xlsx(const json_t *r, const char *path, const char *tmpdir, app_err *e) {
  lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir};
  lxw_workbook *wb = workbook_new_opt(path, &opt);
  if (!wb) return APP_INTERNAL(e);
  lxw_worksheet *ws = workbook_add_worksheet(wb, "Báo cáo");
  lxw_format *bold = workbook_add_format(wb), *head = workbook_add_format(wb), *pct = workbook_add_format(wb),
             *money = workbook_add_format(wb);
  bool bad = !ws || !bold || !head || !pct || !money;
  if (!bad) {
    format_set_num_format(money, "#,##0");
    format_set_bold(bold);
    format_set_bold(head);
    format_set_border(head, LXW_BORDER_THIN);
    format_set_num_format(pct, "0.0");
    worksheet_set_column(ws, 0, 0, 8, NULL);
    worksheet_set_column(ws, 1, 1, 60, NULL);
    worksheet_set_column(ws, 2, 6, 14, NULL);
  }
#define S(row, col, text, fmt) bad |= !bad && worksheet_write_string(ws, row, col, text, fmt) != LXW_NO_ERROR
#define N(row, col, v, fmt) bad |= !bad && worksheet_write_number(ws, row, col, (double)(v), fmt) != LXW_NO_ERROR
  lxw_row_t row = 0;
  const json_t *iss = json_object_get(r, "issuer");
  char line[256], dv[64];
  S(row, 0, json_string_value(json_array_get(iss, 0)), NULL);
  S(row, 3, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold);
  row++;
  S(row, 0, json_string_value(json_array_get(iss, 1)), bold);
  S(row, 3, "Độc lập - Tự do - Hạnh phúc", bold);
  row++;
  date_vi(str(r, "issued_on"), dv, sizeof dv);
  S(row, 0, "Số:        /BC-UBND", NULL);
  snprintf(line, sizeof line, "%s, %s", str(r, "place"), dv);
  S(row, 3, line, NULL);
  row += 2;
  S(row, 1, "BÁO CÁO", bold);
  row++;
  snprintf(line, sizeof line, "Kết quả thực hiện Phong trào \"Bình dân học vụ số\" %s", str(r, "label"));
  S(row, 1, line, bold);
  row++;
  snprintf(line, sizeof line, "Số liệu của %s, tính đến hết ngày %s.", str(json_object_get(r, "unit"), "name"), str(r, "date"));
  S(row, 1, line, NULL);
  row += 2;
  static const char *const cols[] = {"STT", "Chỉ tiêu", "Chỉ tiêu năm (%)", "Đạt / tổng số", "Tỷ lệ (%)", "Đánh giá", "Mã"};
  const char *sections[2][2] = {{"I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA KẾ HOẠCH", "targets"},
                                {"II. KẾT QUẢ CÁC MÔ HÌNH", "models"}};
  for (int sct = 0; sct < 2; sct++) {
    S(row, 0, sections[sct][0], bold);
    row++;
    for (int k = 0; k < 7; k++) S(row, k, cols[k], head);
    row++;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r, sections[sct][1]), i, it) {
      char f[48];
      N(row, 0, i + 1, NULL);
      S(row, 1, str(it, "name"), NULL);
      if (json_is_integer(json_object_get(it, "target")))
        N(row, 2, json_integer_value(json_object_get(it, "target")), NULL);
      else
        S(row, 2, "—", NULL);
      figure(it, f, sizeof f);
      S(row, 3, f, NULL);
      if (json_is_number(json_object_get(it, "percent")))
        N(row, 4, json_number_value(json_object_get(it, "percent")), pct);
      else
        S(row, 4, "—", NULL);
      S(row, 5, verdict(it), NULL);
      S(row, 6, str(it, "code"), NULL);
      row++;
    }
    row++;
  }
  const json_t *tasks = json_object_get(r, "tasks");
  if (json_array_size(tasks)) {
    S(row, 0, "III. TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH", bold);
    row++;
    static const char *const tcols[] = {"Mục", "Nhiệm vụ", "Chủ trì", "Thời gian", "Tình trạng"};
    for (int k = 0; k < 5; k++) S(row, k, tcols[k], head);
    row++;
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t) {
      S(row, 0, str(t, "code"), NULL);
      S(row, 1, str(t, "title"), NULL);
      S(row, 2, str(t, "lead_unit"), NULL);
      S(row, 3, str(t, "timeframe"), NULL);
      S(row, 4, str(t, "status_label"), NULL);
      row++;
    }
    row++;
  }
  const json_t *res = json_object_get(r, "resources");
  if (res) {
    S(row, 0, resources_title(r), bold);
    row++;
    static const char *const rcols[] = {"Nguồn lực", "Số lượt đóng góp", "Giá trị (đồng)"};
    for (int k = 0; k < 3; k++) S(row, k + 1, rcols[k], head);
    row++;
    xlsx_rows x = {.ws = ws, .row = &row, .bad = &bad, .bold = bold, .money = money};
    resource_rows(res, xlsx_resource_row, &x);
    row++;
  }
  S(row, 0, "Nơi nhận:", bold);
  S(row, 3, "TM. ỦY BAN NHÂN DÂN", bold);
  row++;
  S(row, 0, "- Lưu: VT, VHXH.", NULL);
  S(row, 3, "CHỦ TỊCH", bold);
#undef S
#undef N
  lxw_error closed = workbook_close(wb);
  return bad || closed != LXW_NO_ERROR ? APP_INTERNAL(e) : 0;
}

/* ---- the PDF: A4 portrait, Nghị định 30/2020's margins and header ---- */

#define MM (72.0 / 25.4)
#define PAGE_W (210 * MM)
#define PAGE_H (297 * MM)
#define LEFT (30 * MM)
#define RIGHT (15 * MM)
#define TOP (20 * MM)
#define BOTTOM (20 * MM)
#define FONT "Liberation Serif, Noto Serif, DejaVu Serif, serif"

typedef struct pdf {
  cairo_t *cr;
  double y;
  int page;
} pdf;

enum { P_BOLD = 1, P_ITALIC = 2 };

static double text(pdf *p, const char *t, double x, double w, double size, int style, PangoAlignment al, bool draw) {
  PangoLayout *lay = pango_cairo_create_layout(p->cr);
  PangoFontDescription *fd = pango_font_description_from_string(FONT);
  pango_font_description_set_weight(fd, (style & P_BOLD) ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_style(fd, (style & P_ITALIC) ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
  pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
  pango_layout_set_font_description(lay, fd);
  pango_font_description_free(fd);
  pango_layout_set_width(lay, (int)(w * PANGO_SCALE));
  pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(lay, al);
  pango_layout_set_text(lay, t, -1);
  int pw, ph;
  pango_layout_get_size(lay, &pw, &ph);
  if (draw) {
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    cairo_move_to(p->cr, x, p->y);
    pango_cairo_show_layout(p->cr, lay);
  }
  g_object_unref(lay);
  return (double)ph / PANGO_SCALE;
}

static void new_page(pdf *p) {
  cairo_show_page(p->cr);
  p->page++;
  p->y = TOP;
  /* page numbers from the second page, centred in the top margin */
  char n[16];
  snprintf(n, sizeof n, "%d", p->page);
  double save = p->y;
  p->y = 8 * MM;
  text(p, n, LEFT, PAGE_W - LEFT - RIGHT, 13, 0, PANGO_ALIGN_CENTER, true);
  p->y = save;
}

static void need(pdf *p, double h) {
  if (p->y + h > PAGE_H - BOTTOM) new_page(p);
}

static void hrule(pdf *p, double cx, double len) {
  cairo_set_source_rgb(p->cr, 0, 0, 0);
  cairo_set_line_width(p->cr, 0.6);
  cairo_move_to(p->cr, cx - len / 2, p->y);
  cairo_line_to(p->cr, cx + len / 2, p->y);
  cairo_stroke(p->cr);
}

/* A table row: each cell wraps in its column; borders drawn; a new page first if it does not fit. */
static void row(pdf *p, const double *w, int n, const char *const *cells, double size, int style) {
  double h = 0;
  for (int i = 0; i < n; i++) {
    double ch = text(p, cells[i], 0, w[i] - 6, size, style, PANGO_ALIGN_LEFT, false);
    if (ch > h) h = ch;
  }
  h += 6;
  need(p, h);
  double x = LEFT;
  cairo_set_line_width(p->cr, 0.5);
  for (int i = 0; i < n; i++) {
    cairo_rectangle(p->cr, x, p->y, w[i], h);
    cairo_stroke(p->cr);
    double save = p->y;
    p->y += 3;
    text(p, cells[i], x + 3, w[i] - 6, size, style, i == 1 ? PANGO_ALIGN_LEFT : PANGO_ALIGN_CENTER, true);
    p->y = save;
    x += w[i];
  }
  p->y += h;
}

static cairo_status_t write_mem(void *closure, const unsigned char *data, unsigned int length) {
  buf *b = closure;
  buf_append(b, (const char *)data, length);
  return b->oom ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

typedef struct {
  pdf *p;
  const double *w;
} pdf_rows;

static void pdf_resource_row(void *ctx, const char *label, const json_t *count, const json_t *value, bool strong) {
  pdf_rows *x = ctx;
  char n[32] = "", v[40] = "";
  if (count) snprintf(n, sizeof n, "%lld", (long long)json_integer_value(count));
  if (value) vnd(json_integer_value(value), v, sizeof v);
  const char *cells[3] = {label, n, v};
  row(x->p, x->w, 3, cells, 11, strong ? P_BOLD : 0);
}

int report_pdf(const json_t *r, unsigned char **out, size_t *len, app_err *e) {
  *out = NULL;
  *len = 0;
  buf b;
  buf_init(&b);
  cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(write_mem, &b, PAGE_W, PAGE_H);
  cairo_t *cr = cairo_create(surf);
  pdf p = {.cr = cr, .y = TOP, .page = 1};
  const double body = PAGE_W - LEFT - RIGHT, col_l = body * 0.42, col_r = body - col_l;
  const json_t *iss = json_object_get(r, "issuer");
  char line[512], dv[64];
  /* the header block: issuing body (left), national name and motto (right) */
  double y0 = p.y;
  double h1 = text(&p, json_string_value(json_array_get(iss, 0)), LEFT, col_l, 12.5, 0, PANGO_ALIGN_CENTER, true);
  p.y += h1;
  double h2 = text(&p, json_string_value(json_array_get(iss, 1)), LEFT, col_l, 12.5, P_BOLD, PANGO_ALIGN_CENTER, true);
  p.y += h2 + 2;
  hrule(&p, LEFT + col_l / 2, col_l / 3);
  double left_end = p.y;
  p.y = y0;
  p.y += text(&p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", LEFT + col_l, col_r, 12.5, P_BOLD, PANGO_ALIGN_CENTER, true);
  p.y += text(&p, "Độc lập - Tự do - Hạnh phúc", LEFT + col_l, col_r, 13.5, P_BOLD, PANGO_ALIGN_CENTER, true) + 2;
  hrule(&p, LEFT + col_l + col_r / 2, col_r * 0.6);
  p.y = (p.y > left_end ? p.y : left_end) + 6;
  text(&p, "Số:        /BC-UBND", LEFT, col_l, 13, 0, PANGO_ALIGN_CENTER, true);
  date_vi(str(r, "issued_on"), dv, sizeof dv);
  snprintf(line, sizeof line, "%s, %s", str(r, "place"), dv);
  p.y += text(&p, line, LEFT + col_l, col_r, 13.5, P_ITALIC, PANGO_ALIGN_CENTER, true) + 18;
  /* the title */
  p.y += text(&p, "BÁO CÁO", LEFT, body, 14, P_BOLD, PANGO_ALIGN_CENTER, true);
  snprintf(line, sizeof line, "Kết quả thực hiện Phong trào “Bình dân học vụ số” %s", str(r, "label"));
  p.y += text(&p, line, LEFT, body, 14, P_BOLD, PANGO_ALIGN_CENTER, true) + 3;
  hrule(&p, LEFT + body / 2, body / 5);
  p.y += 12;
  snprintf(line, sizeof line, "Số liệu của %s và các đơn vị trực thuộc, tính đến hết %s (số liệu cuối quý, giữ nguyên như đã lưu).",
           str(json_object_get(r, "unit"), "name"), (date_vi(str(r, "date"), dv, sizeof dv), dv));
  p.y += text(&p, line, LEFT, body, 13, 0, PANGO_ALIGN_LEFT, true) + 8;
  const double w[6] = {body * 0.07, body * 0.43, body * 0.12, body * 0.14, body * 0.11, body * 0.13};
  static const char *const head[6] = {"STT", "Chỉ tiêu", "Chỉ tiêu năm", "Đạt / tổng số", "Tỷ lệ", "Đánh giá"};
  const char *sections[2][2] = {{"I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA KẾ HOẠCH", "targets"},
                                {"II. KẾT QUẢ CÁC MÔ HÌNH", "models"}};
  for (int s = 0; s < 2; s++) {
    need(&p, 60);
    p.y += text(&p, sections[s][0], LEFT, body, 13, P_BOLD, PANGO_ALIGN_LEFT, true) + 4;
    row(&p, w, 6, head, 11.5, P_BOLD);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(r, sections[s][1]), i, it) {
      char stt[24], tg[24], f[48], pc[24], name[320];
      snprintf(stt, sizeof stt, "%zu", i + 1);
      snprintf(name, sizeof name, "%s (%s)", str(it, "name"), str(it, "code"));
      if (json_is_integer(json_object_get(it, "target")))
        snprintf(tg, sizeof tg, "%lld%%", (long long)json_integer_value(json_object_get(it, "target")));
      else
        snprintf(tg, sizeof tg, "—");
      figure(it, f, sizeof f);
      percent(json_object_get(it, "percent"), pc, sizeof pc);
      const char *cells[6] = {stt, name, tg, f, pc, verdict(it)};
      row(&p, w, 6, cells, 11.5, 0);
    }
    p.y += 10;
  }
  const json_t *tasks = json_object_get(r, "tasks");
  if (json_array_size(tasks)) {
    need(&p, 60);
    p.y += text(&p, "III. TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH", LEFT, body, 13, P_BOLD, PANGO_ALIGN_LEFT, true) + 4;
    const double tw[4] = {body * 0.08, body * 0.52, body * 0.22, body * 0.18};
    static const char *const th[4] = {"Mục", "Nhiệm vụ", "Chủ trì", "Tình trạng"};
    row(&p, tw, 4, th, 11.5, P_BOLD);
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t) {
      const char *cells[4] = {str(t, "code"), str(t, "title"), str(t, "lead_unit"), str(t, "status_label")};
      row(&p, tw, 4, cells, 11, 0);
    }
    p.y += 10;
  }
  const json_t *res = json_object_get(r, "resources");
  if (res) {
    need(&p, 60);
    p.y += text(&p, resources_title(r), LEFT, body, 13, P_BOLD, PANGO_ALIGN_LEFT, true) + 4;
    snprintf(line, sizeof line, "Đóng góp của tổ chức, doanh nghiệp, cá nhân đã nhận đến hết %s (giá trị ước tính bằng đồng).",
             (date_vi(str(r, "date"), dv, sizeof dv), dv));
    p.y += text(&p, line, LEFT, body, 12, P_ITALIC, PANGO_ALIGN_LEFT, true) + 4;
    const double rw[3] = {body * 0.56, body * 0.18, body * 0.26};
    static const char *const rh[3] = {"Nguồn lực", "Số lượt", "Giá trị (đồng)"};
    row(&p, rw, 3, rh, 11.5, P_BOLD);
    pdf_rows x = {.p = &p, .w = rw};
    resource_rows(res, pdf_resource_row, &x);
    p.y += 10;
  }
  /* the closing block */
  need(&p, 120);
  double yc = p.y;
  p.y += text(&p, "Nơi nhận:", LEFT, col_l, 12, P_BOLD | P_ITALIC, PANGO_ALIGN_LEFT, true);
  p.y += text(&p, "- UBND cấp trên;", LEFT, col_l, 11, 0, PANGO_ALIGN_LEFT, true);
  p.y += text(&p, "- Ban Chỉ đạo phong trào;", LEFT, col_l, 11, 0, PANGO_ALIGN_LEFT, true);
  p.y += text(&p, "- Lưu: VT, VHXH.", LEFT, col_l, 11, 0, PANGO_ALIGN_LEFT, true);
  p.y = yc;
  p.y += text(&p, "TM. ỦY BAN NHÂN DÂN", LEFT + col_l, col_r, 13.5, P_BOLD, PANGO_ALIGN_CENTER, true);
  p.y += text(&p, "CHỦ TỊCH", LEFT + col_l, col_r, 13.5, P_BOLD, PANGO_ALIGN_CENTER, true);
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surf);
  cairo_status_t st = cairo_surface_status(surf);
  cairo_surface_destroy(surf);
  if (st != CAIRO_STATUS_SUCCESS || b.oom) {
    buf_free(&b);
    return APP_INTERNAL(e);
  }
  *out = (unsigned char *)buf_detach(&b, len);
  return *out ? 0 : APP_INTERNAL(e);
}

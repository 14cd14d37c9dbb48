/* export.c: the streamed export of a list of people (see export.h). It reads people, their
 * registering unit and household, in one streaming statement; it writes nothing.
 * The filter repeats the list's (people.c) in the same order of parameters, so that an export is
 * exactly the list a caller sees (tests/api/export.test.mjs compares them); the restricted
 * persons (requests.h) are left out here only. */
#include "domain/export.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "domain/groups.h"
#include "domain/requests.h"
#include "util/clock.h"
#include "util/fold.h"

/* ---- the statement ---- */
#define X_SCOPE                                                                                                \
  "(" SCOPE_IN("u.path") " OR EXISTS (SELECT 1 FROM memberships sm_ JOIN units smu_ ON smu_.id = sm_.unit_id" \
  " WHERE sm_.person_id = p.id AND " SCOPE_IN("smu_.path") "))"
#define X_FILTER                                                                                               \
  " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?) OR EXISTS (SELECT 1 FROM memberships fm_"      \
  " JOIN units fmu_ ON fmu_.id = fm_.unit_id WHERE fm_.person_id = p.id AND fmu_.path >= ? AND fmu_.path < ?))" \
  " AND (CAST(? AS BIGINT) = 0 OR (" GROUP_MASK_SQL " & CAST(? AS BIGINT)) <> 0)"                              \
  " AND (CAST(? AS BIGINT) IS NULL OR (p.birth_year IS NOT NULL AND " GROUP_BIRTH_KEY_SQL " <= ?))"            \
  " AND (CAST(? AS BIGINT) IS NULL OR (p.birth_year IS NOT NULL AND " GROUP_BIRTH_KEY_SQL " > ?))"             \
  " AND (CAST(? AS TEXT) IS NULL OR p.sex = ?)"                                                                \
  " AND (CAST(? AS BIGINT) IS NULL OR p.vneid_level = ?)"                                                      \
  " AND (CAST(? AS BIGINT) IS NULL OR p.household_id = ?)"
/* A name: every query word matched as people.h says (a whole word exactly, else a word's start). */
#define MODE_NAME "1 = 1" PEOPLE_NAME_PATS("p.name_key")
#define MODE_ALL "1 = 1"
#define MODE_PHONE "p.phone = ?"
#define MODE_CCCD PEOPLE_CCCD_IS("p.cccd_hash")
#define X_FROM(mode)                                                                                      \
  " FROM people p JOIN units u ON u.id = p.unit_id LEFT JOIN households h ON h.id = p.household_id,"     \
  " (SELECT CAST(? AS BIGINT) AS k) rk_ WHERE p.deleted_at IS NULL AND NOT " REQUESTS_RESTRICTED_SQL("p.id") \
  " AND " X_SCOPE " AND " mode X_FILTER
#define X_ROWS(mode)                                                                                         \
  SCOPE_WITH "SELECT p.full_name, p.birth_year, p.birth_month, p.birth_day, p.sex, p.cccd_enc, p.phone,"    \
             " u.name, u.path, h.address, h.code, p.relation, p.vneid_level, " GROUP_MASK_SQL X_FROM(mode) \
             " ORDER BY p.name_key, p.id"
#define X_COUNT(mode) SCOPE_WITH "SELECT COUNT(*)" X_FROM(mode)
STORE_SQL(q_rows_all, X_ROWS(MODE_ALL));
STORE_SQL(q_rows_name, X_ROWS(MODE_NAME));
STORE_SQL(q_rows_phone, X_ROWS(MODE_PHONE));
STORE_SQL(q_rows_cccd, X_ROWS(MODE_CCCD));
STORE_SQL(q_count_all, X_COUNT(MODE_ALL));
STORE_SQL(q_count_name, X_COUNT(MODE_NAME));
STORE_SQL(q_count_phone, X_COUNT(MODE_PHONE));
STORE_SQL(q_count_cccd, X_COUNT(MODE_CCCD));
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");

const char *const export_headings[EXPORT_COLUMNS] = {
    "Họ và tên",      "Ngày sinh",  "Giới tính", "Số CCCD",           "Số điện thoại", "Tổ dân phố",
    "Địa chỉ",        "Mã hộ",      "Quan hệ với chủ hộ", "Mức định danh", "Nhóm đối tượng",
};

/* ---- cells ---- */
bool export_formula_like(const char *s) { return s && *s && strchr("=+-@\t\r", *s) != NULL; }

void export_csv_field(buf *b, const char *s) {
  if (!s) s = "";
  bool quote = strpbrk(s, ",\"\r\n") != NULL;
  if (quote) buf_putc(b, '"');
  if (export_formula_like(s)) buf_putc(b, '\'');
  for (const char *p = s; *p; p++) {
    if (*p == '"') buf_putc(b, '"');
    buf_putc(b, *p);
  }
  if (quote) buf_putc(b, '"');
}

/* ---- the filter's parameters ---- */
typedef enum { MODE_K_ALL, MODE_K_NAME, MODE_K_PHONE, MODE_K_CCCD } mode_kind;
typedef struct x_args {
  mode_kind kind;
  people_name_q nq;
  char phone[16];
  char hash[65];
  char lo[512], hi[512];
  bool unit;
  int64_t group_bit;
  int64_t age_min_key, age_max_key;
  char sex[2];
  int vneid;
  int64_t household_id;
  int64_t ref;
} x_args;

static int args_build(store_conn *c, const secrets *keys, const scope_sql *scope, const people_query *q, x_args *a,
                      app_err *e) {
  memset(a, 0, sizeof *a);
  a->vneid = q->vneid_level;
  a->household_id = q->household_id;
  a->ref = groups_date_key(clock_now());
  if (q->group) {
    const group_def *g = group_find(q->group);
    if (!g) return app_fail(e, 400, "invalid_value", "group", "Nhóm đối tượng không hợp lệ.");
    a->group_bit = g->bit;
  }
  if (q->sex) {
    a->sex[0] = people_parse_sex(q->sex);
    if (!a->sex[0]) return app_fail(e, 400, "invalid_value", "sex", "Giới tính phải là Nam hoặc Nữ (M hoặc F).");
  }
  if (q->age_min >= 0) a->age_min_key = a->ref - (int64_t)q->age_min * 10000;
  if (q->age_max >= 0) a->age_max_key = a->ref - (int64_t)(q->age_max + 1) * 10000;
  if (q->unit_id) {
    store_stmt *u = store_prepare(c, &q_unit_path);
    if (!u) return APP_INTERNAL(e);
    store_bind_int(u, 1, q->unit_id);
    int rc = store_step(u);
    if (rc == STORE_ROW) snprintf(a->lo, sizeof a->lo, "%s", store_col_text(u, 0));
    store_reset(u);
    if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
    if (rc != STORE_ROW || !a->lo[0]) return APP_INTERNAL(e);
    snprintf(a->hi, sizeof a->hi, "%s", a->lo);
    a->hi[strlen(a->hi) - 1] = '0';
    a->unit = true;
  }
  a->kind = MODE_K_ALL;
  if (q->q && *q->q) {
    char digits[13];
    const char *why;
    bool digitish = strspn(q->q, "0123456789 .-+()") == strlen(q->q);
    if (digitish && people_cccd_check(q->q, 0, 0, digits, &why) == 0) {
      a->kind = MODE_K_CCCD;
      people_cccd_hash(keys, digits, a->hash);
      sodium_memzero(digits, sizeof digits);
    } else if (digitish && people_phone_normalise(q->q, a->phone, sizeof a->phone) == 0) {
      a->kind = MODE_K_PHONE;
    } else {
      int nrc = people_name_query(c, scope, q->broad, q->q, &a->nq);
      if (nrc == -2) return app_fail(e, 400, "invalid_value", "q", "Từ khóa tìm kiếm không hợp lệ.");
      if (nrc != 0) return APP_INTERNAL(e);
      a->kind = a->nq.n ? MODE_K_NAME : MODE_K_ALL;
    }
  }
  return 0;
}

static void bind_pair(store_stmt *s, int *i, int64_t v, bool on) {
  for (int k = 0; k < 2; k++) {
    if (on)
      store_bind_int(s, (*i)++, v);
    else
      store_bind_null(s, (*i)++);
  }
}

static void args_bind(store_stmt *s, const scope_sql *scope, x_args *a) {
  int i = scope_bind(s, 1, scope);
  store_bind_int(s, i++, a->ref);
  switch (a->kind) {
    case MODE_K_ALL: break;
    case MODE_K_PHONE: store_bind_text(s, i++, a->phone); break;
    case MODE_K_CCCD:
      store_bind_text(s, i++, a->hash);
      store_bind_text(s, i++, a->hash);
      break;
    case MODE_K_NAME:
      i = people_bind_pats(s, i, &a->nq);
      break;
  }
  const char *lo = a->unit ? a->lo : NULL, *hi = a->unit ? a->hi : NULL;
  store_bind_text(s, i++, lo);
  store_bind_text(s, i++, lo);
  store_bind_text(s, i++, hi);
  store_bind_text(s, i++, lo);
  store_bind_text(s, i++, hi);
  store_bind_int(s, i++, a->group_bit);
  store_bind_int(s, i++, a->group_bit);
  bind_pair(s, &i, a->age_min_key, a->age_min_key != 0);
  bind_pair(s, &i, a->age_max_key, a->age_max_key != 0);
  store_bind_text(s, i++, a->sex[0] ? a->sex : NULL);
  store_bind_text(s, i++, a->sex[0] ? a->sex : NULL);
  bind_pair(s, &i, a->vneid, a->vneid >= 0);
  store_bind_id(s, i++, a->household_id);
  store_bind_id(s, i++, a->household_id);
}

int export_count(store_conn *c, const secrets *keys, const scope_sql *scope, const people_query *q, int64_t *count,
                 app_err *e) {
  static const store_sql *counts[] = {&q_count_all, &q_count_name, &q_count_phone, &q_count_cccd};
  x_args a;
  if (args_build(c, keys, scope, q, &a, e) != 0) return -1;
  store_stmt *s = store_prepare(c, counts[a.kind]);
  if (!s) return APP_INTERNAL(e);
  args_bind(s, scope, &a);
  int rc = store_step(s);
  if (rc == STORE_ROW) *count = store_col_int(s, 0);
  store_reset(s);
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

/* ---- the cursor ---- */
struct export_cursor {
  store_conn *c; /* owned */
  store_stmt *s; /* the streaming statement, on c */
  const secrets *keys;
  x_args a;
  char **clear;  /* owned copies of the identity.read paths */
  int nclear;
  int64_t rows;
  bool ended, failed;
  /* one row's cells, valid until the next row */
  char cells[EXPORT_COLUMNS][512];
  const char *cell[EXPORT_COLUMNS];
  buf cellbuf; /* the longer cells (address, groups) */
  /* the CSV producer: what is formatted and not yet handed out */
  buf pend;
  size_t off;
  bool started;
};

int export_open(store_conn *c, const secrets *keys, const scope_sql *scope, const people_query *q,
                const char *const *clear_paths, int nclear, export_cursor **out, app_err *e) {
  static const store_sql *rows[] = {&q_rows_all, &q_rows_name, &q_rows_phone, &q_rows_cccd};
  export_cursor *x = calloc(1, sizeof *x);
  if (!x) {
    store_release(c);
    return APP_INTERNAL(e);
  }
  x->c = c;
  x->keys = keys;
  buf_init(&x->cellbuf);
  buf_init(&x->pend);
  if (args_build(c, keys, scope, q, &x->a, e) != 0) goto fail;
  if (nclear > 0) {
    x->clear = calloc((size_t)nclear, sizeof *x->clear);
    if (!x->clear) goto internal;
    for (int i = 0; i < nclear; i++) {
      x->clear[i] = strdup(clear_paths[i]);
      if (!x->clear[i]) goto internal;
      x->nclear++;
    }
  }
  x->s = store_prepare_stream(c, rows[x->a.kind]);
  if (!x->s) goto internal;
  args_bind(x->s, scope, &x->a);
  *out = x;
  return 0;
internal:
  APP_INTERNAL(e);
fail:
  export_close(x);
  return -1;
}

int64_t export_rows(const export_cursor *x) { return x->rows; }
bool export_complete(const export_cursor *x) { return x->ended && !x->failed; }

void export_close(export_cursor *x) {
  if (!x) return;
  if (x->s) store_reset(x->s);
  store_release(x->c);
  for (int i = 0; i < x->nclear; i++) free(x->clear[i]);
  free(x->clear);
  buf_free(&x->cellbuf);
  buf_free(&x->pend);
  free(x);
}

static bool clear_for(const export_cursor *x, const char *path) {
  for (int i = 0; i < x->nclear; i++)
    if (scope_path_within(path, x->clear[i])) return true;
  return false;
}

static const char *col(store_stmt *s, int i) { return store_col_is_null(s, i) ? "" : store_col_text(s, i); }

/* Steps to the next row and fills x->cell[]: 1, 0 at the end, -1 on failure. */
static int next_row(export_cursor *x) {
  if (x->ended) return 0;
  int rc = store_step(x->s);
  if (rc == STORE_DONE) {
    x->ended = true;
    store_reset(x->s);
    return 0;
  }
  if (rc != STORE_ROW) {
    x->failed = x->ended = true;
    store_reset(x->s);
    return -1;
  }
  store_stmt *s = x->s;
  char (*c)[512] = x->cells;
  for (int i = 0; i < EXPORT_COLUMNS; i++) {
    c[i][0] = '\0';
    x->cell[i] = c[i];
  }
  x->cell[0] = col(s, 0); /* full name: valid until the next step */
  int y = store_col_is_null(s, 1) ? 0 : (int)store_col_int(s, 1);
  int m = store_col_is_null(s, 2) ? 0 : (int)store_col_int(s, 2);
  int d = store_col_is_null(s, 3) ? 0 : (int)store_col_int(s, 3);
  if (y && m && d)
    snprintf(c[1], sizeof c[1], "%02d/%02d/%04d", d, m, y);
  else if (y && m)
    snprintf(c[1], sizeof c[1], "%02d/%04d", m, y);
  else if (y)
    snprintf(c[1], sizeof c[1], "%04d", y);
  const char *sex = col(s, 4);
  x->cell[2] = strcmp(sex, "M") == 0 ? "Nam" : strcmp(sex, "F") == 0 ? "Nữ" : "";
  if (!store_col_is_null(s, 5)) {
    char digits[13];
    if (people_cccd_open(x->keys, store_col_text(s, 5), digits) == 0) {
      if (clear_for(x, col(s, 8)))
        memcpy(c[3], digits, 13);
      else
        people_cccd_mask(digits, c[3]);
      sodium_memzero(digits, sizeof digits);
    }
  }
  x->cell[4] = col(s, 6);
  x->cell[5] = col(s, 7);
  x->cell[6] = col(s, 9);
  x->cell[7] = col(s, 10);
  x->cell[8] = col(s, 11);
  static const char *const levels[] = {"Chưa có", "Mức 1", "Mức 2"};
  int lv = (int)store_col_int(s, 12);
  x->cell[9] = lv >= 0 && lv <= 2 ? levels[lv] : "";
  int mask = (int)store_col_int(s, 13);
  size_t used = 0;
  for (int g = 0; g < GROUP_COUNT; g++) {
    if (!(mask & group_defs[g].bit)) continue;
    int n = snprintf(c[10] + used, sizeof c[10] - used, "%s%s", used ? "; " : "", group_defs[g].label);
    if (n < 0 || (size_t)n >= sizeof c[10] - used) break;
    used += (size_t)n;
  }
  x->rows++;
  return 1;
}

/* ---- CSV ---- */
static void csv_row(buf *b, const char *const *cells) {
  for (int i = 0; i < EXPORT_COLUMNS; i++) {
    if (i) buf_putc(b, ',');
    export_csv_field(b, cells[i]);
  }
  buf_puts(b, "\r\n");
}

long export_csv_read(void *cursor, char *out, size_t max) {
  export_cursor *x = cursor;
  size_t n = 0;
  while (n < max) {
    if (x->off < x->pend.len) {
      size_t k = x->pend.len - x->off;
      if (k > max - n) k = max - n;
      memcpy(out + n, x->pend.data + x->off, k);
      n += k;
      x->off += k;
      continue;
    }
    buf_clear(&x->pend);
    x->off = 0;
    if (!x->started) {
      x->started = true;
      buf_puts(&x->pend, "\xef\xbb\xbf"); /* the BOM: Excel then reads UTF-8 */
      csv_row(&x->pend, export_headings);
    } else {
      int rc = next_row(x);
      if (rc < 0) return n ? (long)n : -1; /* the bytes before the failure go out; the next call fails */
      if (rc == 0) break;
      csv_row(&x->pend, x->cell);
    }
    if (x->pend.oom) {
      x->failed = x->ended = true;
      return -1;
    }
  }
  if (n == 0 && x->failed) return -1;
  return (long)n;
}

/* ---- XLSX ---- */
int export_xlsx_write(export_cursor *x, const char *path, const char *tmpdir, int64_t *rows, app_err *e) {
  lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)tmpdir, .use_zip64 = LXW_TRUE};
  lxw_workbook *wb = workbook_new_opt(path, &opt);
  if (!wb) return APP_INTERNAL(e);
  lxw_worksheet *ws = workbook_add_worksheet(wb, "Danh sách");
  lxw_format *bold = workbook_add_format(wb);
  bool bad = !ws || !bold;
  if (!bad) {
    format_set_bold(bold);
    for (int i = 0; i < EXPORT_COLUMNS && !bad; i++)
      bad = worksheet_write_string(ws, 0, (lxw_col_t)i, export_headings[i], bold) != LXW_NO_ERROR;
  }
  lxw_row_t r = 1;
  int rc = 0;
  while (!bad && (rc = next_row(x)) == 1) {
    if (r == LXW_ROW_MAX) { /* Excel's limit: 1,048,576 rows */
      bad = true;
      break;
    }
    for (int i = 0; i < EXPORT_COLUMNS && !bad; i++)
      if (x->cell[i][0]) bad = worksheet_write_string(ws, r, (lxw_col_t)i, x->cell[i], NULL) != LXW_NO_ERROR;
    r++;
  }
  lxw_error closed = workbook_close(wb); /* frees wb whatever happens */
  if (bad || rc < 0 || closed != LXW_NO_ERROR) {
    if (r == LXW_ROW_MAX)
      return app_fail(e, 400, "too_large", NULL,
                      "Danh sách quá 1.048.575 người, vượt giới hạn một trang Excel: hãy lọc bớt hoặc xuất CSV.");
    return APP_INTERNAL(e);
  }
  *rows = x->rows;
  return 0;
}

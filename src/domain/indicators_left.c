/* indicators_left.c: những người, hộ chưa đạt (indicators_left.h): for an indicator over people or
 * households, the records of a subtree in its population and not in its numerator.
 * Owns: one read statement per base (fixed text, every value bound) yielding each record of the
 * subtree with its (g, f) from ind_sql.h; the definition is read in C over each (g, f), memoised.
 * Never: writes; builds SQL from a definition; classifies a record by any rule but ind_sql.h's.
 */
#include "domain/indicators_left.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/export.h"
#include "domain/groups.h"
#include "domain/ind_sql.h"
#include "domain/requests.h"
#include "domain/units.h"
#include "util/arena.h"

/* The people of the subtree [lo, hi): registered in one of its units, or a member of one (each
 * once): the same two index walks as indicators.c's people cube, whose figure the list must
 * match (tests/unit/test_indicators_left.c checks listed + numerator = denominator). */
#define LEFT_PEOPLE_OF_SUBTREE                                                                                   \
  "(SELECT pu_.id FROM people pu_ WHERE pu_.unit_id IN (SELECT id FROM units WHERE path >= ? AND path < ?)"     \
  " AND pu_.deleted_at IS NULL UNION SELECT im_.person_id FROM memberships im_ JOIN units imu_ ON imu_.id = im_.unit_id" \
  " WHERE imu_.path >= ? AND imu_.path < ?) ids_"

/* Columns: 0 id, 1 g, 2 f, 3 full_name, 4 birth_year, 5 unit_id, 6 unit name, 7 household_id,
 * 8 address, 9 phone, 10 restricted. */
STORE_SQL(q_left_people,
          "SELECT p.id, " IND_PEOPLE_G_SQL ", " IND_PEOPLE_F_SQL ", p.full_name, p.birth_year, p.unit_id,"
          " un_.name, p.household_id, hh_.address, p.phone, CASE WHEN " REQUESTS_RESTRICTED_SQL("p.id") " THEN 1 ELSE 0 END"
          " FROM " LEFT_PEOPLE_OF_SUBTREE " JOIN people p ON p.id = ids_.id CROSS JOIN " IND_RK_SQL
          " LEFT JOIN units un_ ON un_.id = p.unit_id LEFT JOIN households hh_ ON hh_.id = p.household_id"
          " WHERE p.deleted_at IS NULL ORDER BY p.unit_id, p.name_key, p.id");

/* Columns: 0 id, 1 g (0), 2 f, 3 code, 4 address, 5 unit_id, 6 unit name, 7 living members. */
STORE_SQL(q_left_households,
          "SELECT h.id, 0, " IND_HOUSEHOLD_F_SQL ", h.code, h.address, h.unit_id, un_.name,"
          " (SELECT COUNT(*) FROM people lm_ WHERE lm_.household_id = h.id AND lm_.deleted_at IS NULL)"
          " FROM households h CROSS JOIN " IND_RK_SQL " LEFT JOIN units un_ ON un_.id = h.unit_id"
          " WHERE " IND_HOUSEHOLD_COUNTED_SQL " AND h.unit_id IN (SELECT id FROM units WHERE path >= ? AND path < ?)"
          " ORDER BY h.unit_id, h.address_key, h.id");

/* Memo of the definition over (g, f): 0 not read yet, 1 left behind, 2 not (met, or not counted). */
enum { MEMO_G = 256, MEMO_F = 128 };

typedef struct walk_ctx {
  const json_t *set, *def;
  unsigned char *memo;
} walk_ctx;

static bool left_behind(walk_ctx *w, uint32_t g, uint32_t f) {
  unsigned char *m = g < MEMO_G && f < MEMO_F ? &w->memo[g * MEMO_F + f] : NULL;
  if (m && *m) return *m == 1;
  ind_cell cell = {g, f, 1};
  ind_cube one = {.cells = &cell, .ncells = 1, .cap = 1};
  int64_t num = 0, den = 0;
  ind_eval(w->set, w->def, &one, &num, &den);
  bool left = den == 1 && num == 0;
  if (m) *m = left ? 1 : 2;
  return left;
}

static const char *col_text_or_null(store_stmt *s, int i) { return store_col_is_null(s, i) ? NULL : store_col_text(s, i); }

int ind_left_walk(store_conn *c, const char *code, int64_t unit_id, int64_t date_key, ind_left_fn fn, void *ctx,
                  ind_left_info *info, int64_t *total, app_err *e) {
  *total = 0;
  memset(info, 0, sizeof *info);
  arena a;
  arena_init(&a);
  json_t *set = NULL;
  char *name = NULL;
  const json_t *def = NULL;
  walk_ctx w = {0};
  int ret = -1;
  if (ind_def_find(c, code, &set, &def, &name, e) != 0) goto done;
  int b = ind_base_of(json_string_value(json_object_get(def, "base")));
  if (b != IND_PEOPLE && b != IND_HOUSEHOLDS) {
    ret = app_fail(e, 400, "invalid_value", "code",
                   "Chỉ tiêu này không đếm người hay hộ gia đình: không có danh sách người, hộ chưa đạt.");
    goto done;
  }
  unit_rec u;
  if (units_load(c, unit_id, &a, &u, e) != 0) {
    e->field = "unit";
    goto done;
  }
  info->base = (ind_base)b;
  snprintf(info->code, sizeof info->code, "%s", code);
  snprintf(info->name, sizeof info->name, "%s", name);
  info->unit_id = unit_id;
  snprintf(info->unit_name, sizeof info->unit_name, "%s", u.name);
  size_t n = strlen(u.path);
  char *hi = arena_strndup(&a, u.path, n);
  if (!hi || !n) {
    ret = APP_INTERNAL(e);
    goto done;
  }
  hi[n - 1] = '0'; /* the subtree is [path, path with its last '/' raised to '0'), as the cubes read it */
  w.set = set;
  w.def = def;
  w.memo = calloc((size_t)MEMO_G * MEMO_F, 1);
  store_stmt *s = w.memo ? store_prepare(c, b == IND_PEOPLE ? &q_left_people : &q_left_households) : NULL;
  if (!s) {
    ret = APP_INTERNAL(e);
    goto done;
  }
  int i = 1;
  if (b == IND_PEOPLE)
    for (int k = 0; k < 2; k++) {
      store_bind_text(s, i++, u.path);
      store_bind_text(s, i++, hi);
    }
  store_bind_int(s, i++, date_key);
  store_bind_int(s, i++, ind_date_end(date_key));
  if (b == IND_HOUSEHOLDS) {
    store_bind_text(s, i++, u.path);
    store_bind_text(s, i++, hi);
  }
  int rc;
  bool stopped = false;
  while ((rc = store_step(s)) == STORE_ROW) {
    uint32_t g = (uint32_t)store_col_int(s, 1), f = (uint32_t)store_col_int(s, 2);
    if (!left_behind(&w, g, f)) continue;
    ind_left_row r = {.person = b == IND_PEOPLE, .id = store_col_int(s, 0), .birth_year = -1};
    if (b == IND_PEOPLE) {
      r.full_name = store_col_text(s, 3) ? store_col_text(s, 3) : "";
      r.birth_year = store_col_is_null(s, 4) ? -1 : store_col_int(s, 4);
      r.unit_id = store_col_int(s, 5);
      r.unit_name = col_text_or_null(s, 6);
      r.household_id = store_col_is_null(s, 7) ? 0 : store_col_int(s, 7);
      r.address = col_text_or_null(s, 8);
      r.phone = col_text_or_null(s, 9);
      r.groups = g & ((1u << GROUP_COUNT) - 1);
      r.restricted = store_col_int(s, 10) != 0;
    } else {
      r.code = col_text_or_null(s, 3);
      r.address = col_text_or_null(s, 4);
      r.unit_id = store_col_int(s, 5);
      r.unit_name = col_text_or_null(s, 6);
      r.members = store_col_int(s, 7);
    }
    ++*total;
    if (fn && fn(ctx, &r) != 0) {
      stopped = true;
      break;
    }
  }
  store_reset(s);
  if (stopped || rc != STORE_DONE) {
    if (!e->status) APP_INTERNAL(e);
    goto done;
  }
  ret = 0;
done:
  free(w.memo);
  free(name);
  json_decref(set);
  arena_free(&a);
  return ret;
}

void ind_left_phone_mask(const char *phone, char out[24]) {
  out[0] = '\0';
  if (!phone) return;
  size_t n = strlen(phone);
  if (n < 7 || n > 20) {
    snprintf(out, 24, "***");
    return;
  }
  snprintf(out, 24, "%.3s%.*s%s", phone, (int)(n - 6), "**************", phone + n - 3);
}

/* ---- a page (JSON) ---- */

typedef struct page_ctx {
  int64_t from, to; /* the rows [from, to) of the walk go on the page */
  int64_t seen;
  bool phone_clear;
  json_t *items;
} page_ctx;

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static int page_row(void *ctx, const ind_left_row *r) {
  page_ctx *p = ctx;
  int64_t k = p->seen++;
  if (k < p->from || k >= p->to) return 0;
  json_t *o;
  if (r->person) {
    json_t *groups = json_array();
    for (int i = 0; groups && i < GROUP_COUNT; i++)
      if (r->groups & (uint32_t)group_defs[i].bit) json_array_append_new(groups, json_string(group_defs[i].code));
    char masked[24];
    const char *phone = r->phone;
    if (phone && !p->phone_clear) {
      ind_left_phone_mask(phone, masked);
      phone = masked;
    }
    o = groups ? json_pack("{s:I, s:s, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:b}", "id", (json_int_t)r->id, "full_name",
                           r->full_name, "birth_year", r->birth_year >= 0 ? json_integer(r->birth_year) : json_null(),
                           "unit_id", (json_int_t)r->unit_id, "unit_name", str_or_null(r->unit_name), "household_id",
                           r->household_id ? json_integer(r->household_id) : json_null(), "address",
                           str_or_null(r->address), "phone", str_or_null(phone), "groups", groups, "restricted",
                           r->restricted)
               : NULL;
  } else {
    o = json_pack("{s:I, s:o, s:o, s:I, s:o, s:I}", "id", (json_int_t)r->id, "code", str_or_null(r->code), "address",
                  str_or_null(r->address), "unit_id", (json_int_t)r->unit_id, "unit_name", str_or_null(r->unit_name),
                  "members", (json_int_t)r->members);
  }
  return o && json_array_append_new(p->items, o) == 0 ? 0 : -1;
}

int ind_left_page(store_conn *c, const char *code, int64_t unit_id, int64_t date_key, int page, int per_page,
                  bool phone_clear, json_t **out, ind_left_info *info, app_err *e) {
  *out = NULL;
  if (page < 1) page = 1;
  if (per_page < 1) per_page = 1;
  page_ctx p = {.from = (int64_t)(page - 1) * per_page, .phone_clear = phone_clear, .items = json_array()};
  p.to = p.from + per_page;
  if (!p.items) return APP_INTERNAL(e);
  int64_t total = 0;
  if (ind_left_walk(c, code, unit_id, date_key, page_row, &p, info, &total, e) != 0) {
    json_decref(p.items);
    return -1;
  }
  char date[16];
  ind_key_iso(date_key, date);
  *out = json_pack("{s:{s:s, s:s, s:s}, s:{s:I, s:s}, s:s, s:o, s:I, s:i, s:i}", "indicator", "code", info->code, "name",
                   info->name, "base", ind_base_code(info->base), "unit", "id", (json_int_t)unit_id, "name",
                   info->unit_name, "date", date, "items", p.items, "total", (json_int_t)total, "page", page, "per_page",
                   per_page);
  return *out ? 0 : APP_INTERNAL(e);
}

/* ---- the worklist (CSV) ---- */

static const char *const people_headings[] = {"STT", "Họ và tên", "Năm sinh", "Tổ dân phố", "Địa chỉ",
                                              "Số điện thoại", "Nhóm đối tượng", "Đã hỗ trợ (ghi chú)"};
static const char *const household_headings[] = {"STT", "Mã hộ", "Địa chỉ", "Tổ dân phố", "Số thành viên",
                                                  "Đã hỗ trợ (ghi chú)"};

typedef struct csv_ctx {
  buf *b;
  bool phone_clear;
  int64_t rows;
  app_err *e;
} csv_ctx;

static void csv_line(buf *b, const char *const *cells, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (i) buf_putc(b, ',');
    export_csv_field(b, cells[i]);
  }
  buf_puts(b, "\r\n");
}

static int csv_row(void *ctx, const ind_left_row *r) {
  csv_ctx *x = ctx;
  if (r->restricted) return 0; /* never in a file that leaves the system (requests.h) */
  if (x->rows >= IND_LEFT_CSV_MAX)
    return app_fail(x->e, 400, "too_large", "unit",
                    "Danh sách quá dài cho một tệp: hãy chọn một đơn vị nhỏ hơn (một tổ dân phố).");
  char stt[24], year[24], members[24], masked[24];
  snprintf(stt, sizeof stt, "%lld", (long long)(x->rows + 1));
  if (r->person) {
    char groups[512] = "";
    size_t used = 0;
    for (int i = 0; i < GROUP_COUNT; i++)
      if (r->groups & (uint32_t)group_defs[i].bit) {
        int k = snprintf(groups + used, sizeof groups - used, "%s%s", used ? "; " : "", group_defs[i].label);
        if (k < 0 || (size_t)k >= sizeof groups - used) break;
        used += (size_t)k;
      }
    if (r->birth_year >= 0) snprintf(year, sizeof year, "%lld", (long long)r->birth_year);
    else year[0] = '\0';
    const char *phone = r->phone;
    if (phone && !x->phone_clear) {
      ind_left_phone_mask(phone, masked);
      phone = masked;
    }
    const char *cells[] = {stt, r->full_name, year, r->unit_name, r->address, phone, groups, ""};
    csv_line(x->b, cells, sizeof cells / sizeof cells[0]);
  } else {
    snprintf(members, sizeof members, "%lld", (long long)r->members);
    const char *cells[] = {stt, r->code, r->address, r->unit_name, members, ""};
    csv_line(x->b, cells, sizeof cells / sizeof cells[0]);
  }
  x->rows++;
  return x->b->oom ? -1 : 0;
}

int ind_left_csv(store_conn *c, const char *code, int64_t unit_id, int64_t date_key, bool phone_clear, buf *out,
                 ind_left_info *info, int64_t *rows, app_err *e) {
  *rows = 0;
  buf body;
  buf_init(&body);
  csv_ctx x = {.b = &body, .phone_clear = phone_clear, .e = e};
  int64_t total = 0;
  if (ind_left_walk(c, code, unit_id, date_key, csv_row, &x, info, &total, e) != 0) {
    buf_free(&body);
    return -1;
  }
  buf_puts(out, "\xef\xbb\xbf"); /* the BOM: Excel then reads UTF-8 */
  if (info->base == IND_PEOPLE)
    csv_line(out, people_headings, sizeof people_headings / sizeof people_headings[0]);
  else
    csv_line(out, household_headings, sizeof household_headings / sizeof household_headings[0]);
  buf_append(out, body.data, body.len);
  buf_free(&body);
  *rows = x.rows;
  return out->oom ? APP_INTERNAL(e) : 0;
}

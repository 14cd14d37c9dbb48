/* confirmations.c: confirmations from outside (see confirmations.h). Only this file writes SQL about
 * external_confirmations; people are found through their CCCD hash (people.h's hash) and their
 * registering unit, never changed here. Never echoes a CCCD, not even masked. */
#include "domain/confirmations.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/colmap.h"
#include "domain/groups.h"
#include "domain/people.h"
#include "domain/person.h"
#include "domain/units.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/log.h"
#include "util/table.h"
#include "util/utf8.h"

/* ---- statements ---- */
STORE_SQL(q_person_live, "SELECT unit_id FROM people WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_insert, "INSERT INTO external_confirmations (person_id, kind, source, reference, confirmed_on, recorded_by,"
                    " via_import, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id");
STORE_SQL(q_existing, "SELECT id FROM external_confirmations WHERE person_id = ? AND kind = ? AND source = ?"
                      " AND confirmed_on = ?");
#define CONF_COLS                                                                                          \
  "x.id, x.person_id, p.full_name, p.unit_id, u.name, x.kind, x.source, x.reference, x.confirmed_on,"       \
  " rb.display_name, x.via_import, x.created_at"
#define CONF_FROM                                                                                          \
  " FROM external_confirmations x JOIN people p ON p.id = x.person_id JOIN units u ON u.id = p.unit_id"     \
  " LEFT JOIN users rb ON rb.id = x.recorded_by"
STORE_SQL(q_get, "SELECT " CONF_COLS CONF_FROM " WHERE x.id = ?");
STORE_SQL(q_of_person, "SELECT " CONF_COLS CONF_FROM " WHERE x.person_id = ? ORDER BY x.confirmed_on DESC, x.id DESC"
                       " LIMIT 200");
STORE_SQL(q_reach, "SELECT x.person_id, p.unit_id, u.path FROM external_confirmations x JOIN people p ON p.id = x.person_id"
                   " JOIN units u ON u.id = p.unit_id WHERE x.id = ? AND p.deleted_at IS NULL");
STORE_SQL(q_for_delete, "SELECT x.person_id, p.unit_id, x.kind FROM external_confirmations x"
                        " JOIN people p ON p.id = x.person_id WHERE x.id = ?");
STORE_SQL(q_delete, "DELETE FROM external_confirmations WHERE id = ?");
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");
/* Lists and counts: the live people registered in a unit of the scope (and of the filter's
 * subtree [lo, hi) when its parameter is not NULL). The units are listed first (a few hundred at
 * most), the people found through people(unit_id, deleted_at, …). */
#define CONF_UNITS                                                                                           \
  SCOPE_WITH ", su_(id) AS MATERIALIZED (SELECT DISTINCT u.id FROM sc_ CROSS JOIN units u"                  \
             " WHERE u.path >= sc_.lo AND u.path < sc_.hi AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?))) "
#define LIST_WHERE                                                                                           \
  " WHERE p.deleted_at IS NULL AND p.unit_id IN (SELECT id FROM su_) AND (CAST(? AS TEXT) IS NULL OR x.kind = ?)"
STORE_SQL(q_list, CONF_UNITS "SELECT " CONF_COLS CONF_FROM LIST_WHERE
                             " ORDER BY x.confirmed_on DESC, x.id DESC LIMIT ? OFFSET ?");
STORE_SQL(q_list_count, CONF_UNITS "SELECT COUNT(*) FROM external_confirmations x JOIN people p ON p.id = x.person_id"
                                   LIST_WHERE);
STORE_SQL(q_count, CONF_UNITS "SELECT COUNT(*) FROM su_ CROSS JOIN people p WHERE p.unit_id = su_.id"
                              " AND p.deleted_at IS NULL AND EXISTS (SELECT 1 FROM external_confirmations x"
                              " WHERE x.person_id = p.id AND (CAST(? AS TEXT) IS NULL OR x.kind = ?))");
/* An import's match: the live person holding the CCCD hash (one probe of people_cccd) and their
 * registering unit's path, tested in memory against the scope's ranges, read once per chunk on the
 * writer (the statement is the same whatever the number of grants). */
STORE_SQL(q_match, "SELECT p.id, u.path FROM people p JOIN units u ON u.id = p.unit_id"
                   " WHERE " PEOPLE_CCCD_IS("p.cccd_hash") " AND p.deleted_at IS NULL");
STORE_SQL(q_scope_ranges, SCOPE_WITH "SELECT lo, hi FROM sc_");

/* The demo ward's confirmations (confirmations_demo): a share of the live adults, chosen and dated
 * by their id (the same people each time), as if imported. */
#define DEMO_DATE                                                                                             \
  "(CASE WHEN p.id % 14 < 4 THEN 20250000 + (9 + p.id % 14) * 100 ELSE 20260000 + (p.id % 14 - 3) * 100 END" \
  " + 1 + p.id % 28)"
#define DEMO_INSERT                                                                                           \
  "INSERT INTO external_confirmations (person_id, kind, source, reference, confirmed_on, recorded_by, via_import," \
  " created_at) "
#define DEMO_ADULTS " FROM people p WHERE p.deleted_at IS NULL AND p.birth_year IS NOT NULL AND p.birth_year <= ?"
STORE_SQL(q_demo_vneid, DEMO_INSERT "SELECT p.id, 'vneid', 'VNeID', NULL, " DEMO_DATE ", NULL, 1, ?" DEMO_ADULTS
                                    " AND (p.id * 7919 + 13) % 100 < 46 ON CONFLICT DO NOTHING");
STORE_SQL(q_demo_national, DEMO_INSERT "SELECT p.id, 'national_platform', 'binhdanhocvuso.gov.vn', NULL, " DEMO_DATE
                                       ", NULL, 1, ?" DEMO_ADULTS " AND (p.id * 104729 + 7) % 100 < 28"
                                       " ON CONFLICT DO NOTHING");
STORE_SQL(q_demo_course, DEMO_INSERT "SELECT p.id, 'course_elsewhere', CASE p.id % 3 WHEN 0 THEN"
                                     " 'Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên' WHEN 1 THEN"
                                     " 'Hội Liên hiệp Phụ nữ phường' ELSE 'Đoàn Thanh niên phường' END, NULL, " DEMO_DATE
                                     ", NULL, 1, ?" DEMO_ADULTS " AND (p.id * 1299709 + 3) % 100 < 4"
                                     " ON CONFLICT DO NOTHING");

/* ---- kinds, sources, dates ---- */
static const struct {
  const char *code, *label, *source;
} KINDS[] = {
    {CONF_VNEID, "VNeID", "VNeID"},
    {CONF_NATIONAL, "Nền tảng Bình dân học vụ số", "binhdanhocvuso.gov.vn"},
    {CONF_COURSE, "Khóa học khác", NULL},
};
/* Ways of writing a kind, folded to letters and digits. */
static const struct {
  const char *key;
  int kind;
} KIND_ALIASES[] = {
    {"vneid", 0}, {"dinhdanhdientu", 0}, {"ungdungvneid", 0}, {"xacnhantrenvneid", 0},
    {"nationalplatform", 1}, {"nentangbinhdanhocvuso", 1}, {"binhdanhocvuso", 1}, {"binhdanhocvusogovvn", 1},
    {"nentangquocgia", 1}, {"nentanghoctapquocgia", 1},
    {"courseelsewhere", 2}, {"khoahockhac", 2}, {"khoahocbenngoai", 2}, {"khoahoc", 2},
};

/* Folded, letters and digits only (a new string, or NULL). */
static char *alnum_key(const char *s) {
  char *f = s ? text_fold(s) : NULL;
  if (!f) return NULL;
  size_t n = 0;
  for (char *p = f; *p; p++)
    if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) f[n++] = *p;
  f[n] = '\0';
  return f;
}

const char *confirmations_kind_parse(const char *s) {
  char *k = alnum_key(s);
  const char *out = NULL;
  for (size_t i = 0; k && !out && i < sizeof KIND_ALIASES / sizeof KIND_ALIASES[0]; i++)
    if (strcmp(k, KIND_ALIASES[i].key) == 0) out = KINDS[KIND_ALIASES[i].kind].code;
  free(k);
  return out;
}

const char *confirmations_kind_label(const char *kind) {
  for (size_t i = 0; kind && i < sizeof KINDS / sizeof KINDS[0]; i++)
    if (strcmp(kind, KINDS[i].code) == 0) return KINDS[i].label;
  return "";
}

const char *confirmations_default_source(const char *kind) {
  for (size_t i = 0; kind && i < sizeof KINDS / sizeof KINDS[0]; i++)
    if (strcmp(kind, KINDS[i].code) == 0) return KINDS[i].source;
  return NULL;
}

static bool blank(const char *s) {
  for (; s && *s; s++)
    if (!strchr(" \t\r\n", *s)) return false;
  return true;
}

int confirmations_parse_date(const char *s, int64_t today_key, int64_t *key, const char **why) {
  pdate d;
  if (blank(s)) {
    *why = "Thiếu ngày xác nhận (dd/mm/yyyy hoặc yyyy-mm-dd).";
    return -1;
  }
  if (pdate_parse(s, &d, NULL, 0) != 0 || d.month == 0) {
    *why = "Ngày xác nhận không hợp lệ: ghi dd/mm/yyyy (ví dụ 15/03/2026) hoặc yyyy-mm-dd.";
    return -1;
  }
  int64_t k = (int64_t)d.year * 10000 + d.month * 100 + d.day;
  if (k > today_key) {
    *why = "Ngày xác nhận ở tương lai.";
    return -1;
  }
  if (d.year < 2000) {
    *why = "Ngày xác nhận phải từ năm 2000.";
    return -1;
  }
  *key = k;
  return 0;
}

/* A cleaned text of at most `max` characters into *out (a new string; NULL when blank). 0, or -1 with
 * *why. */
static int clean_text(const char *s, size_t max, const char *what_long, char **out, const char **why) {
  *out = NULL;
  if (blank(s)) return 0;
  /* Checked before cleaning (which would drop them silently): text that reads other than it is. */
  if (text_name_check(s) == TEXT_NAME_HIDDEN) {
    *why = "Văn bản có ký tự ẩn hoặc ký tự điều khiển.";
    return -1;
  }
  char *c = text_clean(s);
  if (!c) {
    *why = "Văn bản không hợp lệ (không phải UTF-8).";
    return -1;
  }
  if (utf8_length(c, strlen(c)) > max) {
    free(c);
    *why = what_long;
    return -1;
  }
  *out = c;
  return 0;
}

/* A checked row, ready to write. */
typedef struct conf_row {
  const char *kind;    /* static */
  char *source;        /* owned */
  char *reference;     /* owned, NULL when none */
  int64_t date_key;
} conf_row;

static void row_clear(conf_row *r) {
  free(r->source);
  free(r->reference);
  memset(r, 0, sizeof *r);
}

/* Checks kind, source, reference and date; on a fault *field and *why name the first one. */
static int row_check(const char *kind, const char *source, const char *reference, const char *date, int64_t today_key,
                     conf_row *out, const char **field, const char **why) {
  memset(out, 0, sizeof *out);
  if (blank(kind)) {
    *field = "kind";
    *why = "Thiếu loại xác nhận (VNeID, Nền tảng Bình dân học vụ số hoặc Khóa học khác).";
    return -1;
  }
  out->kind = confirmations_kind_parse(kind);
  if (!out->kind) {
    *field = "kind";
    *why = "Loại xác nhận phải là VNeID, Nền tảng Bình dân học vụ số hoặc Khóa học khác.";
    return -1;
  }
  if (clean_text(source, CONF_SOURCE_MAX, "Nguồn xác nhận dài tối đa 200 ký tự.", &out->source, why) != 0) {
    *field = "source";
    return -1;
  }
  if (!out->source) {
    const char *d = confirmations_default_source(out->kind);
    if (!d) {
      *field = "source";
      *why = "Khóa học khác cần ghi nguồn: đơn vị tổ chức khóa học.";
      return -1;
    }
    out->source = strdup(d);
    if (!out->source) {
      *field = NULL;
      *why = NULL;
      return -1;
    }
  }
  if (clean_text(reference, CONF_REFERENCE_MAX, "Số hiệu dài tối đa 100 ký tự.", &out->reference, why) != 0) {
    *field = "reference";
    row_clear(out);
    return -1;
  }
  if (confirmations_parse_date(date, today_key, &out->date_key, why) != 0) {
    *field = "confirmed_on";
    row_clear(out);
    return -1;
  }
  return 0;
}

/* Writes one checked row for the person; *created false when it was there already (then *id, when
 * id is not NULL, is the existing row's). STORE_DONE,
 * STORE_CONSTRAINT (the person vanished) or STORE_ERROR. */
static int insert_row(store_conn *w, int64_t person_id, const conf_row *r, int64_t by_user, bool via_import,
                      int64_t now, int64_t *id, bool *created) {
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) return STORE_ERROR;
  store_bind_int(s, 1, person_id);
  store_bind_text(s, 2, r->kind);
  store_bind_text(s, 3, r->source);
  store_bind_text(s, 4, r->reference);
  store_bind_int(s, 5, r->date_key);
  store_bind_id(s, 6, by_user);
  store_bind_int(s, 7, via_import ? 1 : 0);
  store_bind_int(s, 8, now);
  int rc = store_step(s);
  *created = rc == STORE_ROW;
  if (id) *id = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  if (rc == STORE_ROW) rc = store_step(s);
  store_reset(s);
  if (rc != STORE_DONE) return rc == STORE_CONSTRAINT ? rc : STORE_ERROR;
  if (*created || !id) return STORE_DONE; /* an import needs no id */
  /* Recorded already: its id. */
  s = store_prepare(w, &q_existing);
  if (!s) return STORE_ERROR;
  store_bind_int(s, 1, person_id);
  store_bind_text(s, 2, r->kind);
  store_bind_text(s, 3, r->source);
  store_bind_int(s, 4, r->date_key);
  rc = store_step(s);
  if (rc == STORE_ROW) *id = store_col_int(s, 0);
  store_reset(s);
  return rc == STORE_ROW ? STORE_DONE : STORE_ERROR;
}

int confirmations_record(store_conn *w, int64_t person_id, const confirmation_input *in, int64_t by_user, int64_t now,
                         int64_t *id, bool *created, app_err *e) {
  conf_row r;
  const char *field = NULL, *why = NULL;
  if (row_check(in->kind, in->source, in->reference, in->confirmed_on, groups_date_key(now), &r, &field, &why) != 0)
    return why ? app_fail(e, 400, "invalid_value", field, why) : APP_INTERNAL(e);
  int ret = -1;
  store_stmt *s = store_prepare(w, &q_person_live);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(s, 1, person_id);
  int rc = store_step(s);
  store_reset(s);
  if (rc != STORE_ROW) {
    if (rc == STORE_DONE) app_fail(e, 404, "not_found", "id", "Không tìm thấy hồ sơ người dân.");
    else APP_INTERNAL(e);
    goto out;
  }
  rc = insert_row(w, person_id, &r, by_user, false, now, id, created);
  if (rc == STORE_CONSTRAINT) app_fail(e, 404, "not_found", "id", "Không tìm thấy hồ sơ người dân.");
  else if (rc != STORE_DONE) APP_INTERNAL(e);
  else ret = 0;
out:
  row_clear(&r);
  return ret;
}

/* ---- reads ---- */
static json_t *date_json(int64_t key) {
  char d[16];
  snprintf(d, sizeof d, "%04d-%02d-%02d", (int)(key / 10000), (int)(key / 100 % 100), (int)(key % 100));
  return json_string(d);
}

/* One confirmation from the columns of CONF_COLS. */
static json_t *conf_row_json(store_stmt *s) {
  char iso[32];
  clock_iso8601(store_col_int(s, 11), iso, sizeof iso);
  const char *kind = store_col_text(s, 5);
  return json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:s}", "id",
                   (json_int_t)store_col_int(s, 0), "person_id", (json_int_t)store_col_int(s, 1), "full_name",
                   store_col_text(s, 2), "unit_id", (json_int_t)store_col_int(s, 3), "unit_name", store_col_text(s, 4),
                   "kind", kind, "kind_label", confirmations_kind_label(kind), "source", store_col_text(s, 6),
                   "reference", store_col_is_null(s, 7) ? json_null() : json_string(store_col_text(s, 7)),
                   "confirmed_on", date_json(store_col_int(s, 8)), "recorded_by",
                   store_col_is_null(s, 9) ? json_null() : json_string(store_col_text(s, 9)), "via_import",
                   store_col_int(s, 10) != 0, "created_at", iso);
}

/* Steps `s` into a new array; 0 or -1. */
static int rows_json(store_stmt *s, json_t **items) {
  json_t *a = json_array();
  int rc;
  while (a && (rc = store_step(s)) == STORE_ROW) {
    json_t *o = conf_row_json(s);
    if (!o || json_array_append_new(a, o) != 0) {
      rc = STORE_ERROR;
      break;
    }
  }
  store_reset(s);
  if (!a || rc != STORE_DONE) {
    json_decref(a);
    return -1;
  }
  *items = a;
  return 0;
}

int confirmations_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  *out = rc == STORE_ROW ? conf_row_json(s) : NULL;
  store_reset(s);
  if (rc == STORE_DONE) return APP_NOT_FOUND(e, "id");
  return *out ? 0 : APP_INTERNAL(e);
}

int confirmations_of_person(store_conn *c, int64_t person_id, json_t **items, app_err *e) {
  store_stmt *s = store_prepare(c, &q_of_person);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  return rows_json(s, items) == 0 ? 0 : APP_INTERNAL(e);
}

int confirmations_reach(store_conn *c, int64_t id, arena *a, int64_t *person_id, int64_t *unit_id, const char **path,
                        app_err *e) {
  store_stmt *s = store_prepare(c, &q_reach);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *person_id = store_col_int(s, 0);
    *unit_id = store_col_int(s, 1);
    *path = arena_strdup(a, store_col_text(s, 2));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy xác nhận này.");
  return rc == STORE_ROW && *path ? 0 : APP_INTERNAL(e);
}

int confirmations_delete(store_conn *w, int64_t id, int64_t *person_id, int64_t *unit_id, char kind[static 20],
                         app_err *e) {
  store_stmt *s = store_prepare(w, &q_for_delete);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *person_id = store_col_int(s, 0);
    *unit_id = store_col_int(s, 1);
    snprintf(kind, 20, "%s", store_col_text(s, 2));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy xác nhận này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  s = store_prepare(w, &q_delete);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

/* The filter's subtree [lo, hi) for unit_id (0: none, NULLs bound). */
static int bind_units(store_conn *c, store_stmt *s, int i, int64_t unit_id, arena *a, app_err *e) {
  if (!unit_id) {
    store_bind_null(s, i);
    store_bind_null(s, i + 1);
    store_bind_null(s, i + 2);
    return i + 3;
  }
  store_stmt *p = store_prepare(c, &q_unit_path);
  if (!p) return APP_INTERNAL(e);
  store_bind_int(p, 1, unit_id);
  int rc = store_step(p);
  const char *path = rc == STORE_ROW ? arena_strdup(a, store_col_text(p, 0)) : NULL;
  store_reset(p);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
  if (!path) return APP_INTERNAL(e);
  store_bind_text(s, i, path);
  store_bind_text(s, i + 1, path);
  store_bind_text(s, i + 2, scope_hi(a, path));
  return i + 3;
}

static bool kind_ok(const char *kind, app_err *e) {
  if (!kind || confirmations_kind_label(kind)[0]) return true;
  app_fail(e, 400, "invalid_value", "kind", "Loại xác nhận phải là vneid, national_platform hoặc course_elsewhere.");
  return false;
}

int confirmations_list(store_conn *c, const scope_sql *scope, const confirmation_query *q, json_t **items,
                       int64_t *total, app_err *e) {
  if (!kind_ok(q->kind, e)) return -1;
  arena a;
  arena_init(&a);
  int ret = -1;
  *items = NULL;
  store_stmt *s = store_prepare(c, &q_list_count);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  int i = bind_units(c, s, scope_bind(s, 1, scope), q->unit_id, &a, e);
  if (i < 0) goto out;
  store_bind_text(s, i, q->kind);
  store_bind_text(s, i + 1, q->kind);
  int rc = store_step(s);
  *total = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW) {
    APP_INTERNAL(e);
    goto out;
  }
  s = store_prepare(c, &q_list);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  i = bind_units(c, s, scope_bind(s, 1, scope), q->unit_id, &a, e);
  if (i < 0) goto out;
  store_bind_text(s, i, q->kind);
  store_bind_text(s, i + 1, q->kind);
  store_bind_int(s, i + 2, q->per_page);
  store_bind_int(s, i + 3, (int64_t)(q->page - 1) * q->per_page);
  if (rows_json(s, items) != 0) {
    APP_INTERNAL(e);
    goto out;
  }
  ret = 0;
out:
  arena_free(&a);
  return ret;
}

int confirmations_count(store_conn *c, const scope_sql *scope, int64_t unit_id, const char *kind, int64_t *n,
                        app_err *e) {
  if (!kind_ok(kind, e)) return -1;
  arena a;
  arena_init(&a);
  int ret = -1;
  store_stmt *s = store_prepare(c, &q_count);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  int i = bind_units(c, s, scope_bind(s, 1, scope), unit_id, &a, e);
  if (i < 0) goto out;
  store_bind_text(s, i, kind);
  store_bind_text(s, i + 1, kind);
  int rc = store_step(s);
  *n = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW) {
    APP_INTERNAL(e);
    goto out;
  }
  ret = 0;
out:
  arena_free(&a);
  return ret;
}

int confirmations_demo(store *st, int64_t now, int64_t *added, char *err, size_t errlen) {
  *added = 0;
  store_conn *w = store_acquire_timed(st, true, 30000, NULL);
  if (!w) {
    snprintf(err, errlen, "the database cannot be written to");
    return -1;
  }
  int rc = store_begin(w);
  int64_t adult_year = groups_date_key(now) / 10000 - 18;
  const store_sql *qs[] = {&q_demo_vneid, &q_demo_national, &q_demo_course};
  for (size_t i = 0; rc == STORE_OK && i < sizeof qs / sizeof qs[0]; i++) {
    store_stmt *s = store_prepare(w, qs[i]);
    if (!s) {
      rc = STORE_ERROR;
      break;
    }
    store_bind_int(s, 1, now);
    store_bind_int(s, 2, adult_year);
    rc = store_step(s);
    if (rc == STORE_DONE) {
      *added += store_changes(s);
      rc = STORE_OK;
    }
    store_reset(s);
  }
  if (rc == STORE_OK) rc = store_commit(w);
  if (rc != STORE_OK) {
    snprintf(err, errlen, "demo confirmations: %s", store_errmsg(w));
    if (store_in_transaction(w)) store_rollback(w);
  }
  store_release(w);
  return rc == STORE_OK ? 0 : -1;
}

/* ---- import ---- */
typedef enum { CC_CCCD, CC_KIND, CC_SOURCE, CC_DATE, CC_REFERENCE, CC_COUNT } conf_col;
static const char *const COL_LABELS[CC_COUNT] = {"Số CCCD", "Loại xác nhận", "Nguồn", "Ngày xác nhận", "Số hiệu"};
/* Headers, folded to letters and digits. The CCCD column is recognised as the resident list's is
 * (colmap.c), every other one here. */
static const struct {
  const char *key;
  conf_col col;
} HEADER_ALIASES[] = {
    {"loai", CC_KIND}, {"loaixacnhan", CC_KIND}, {"hinhthuc", CC_KIND}, {"hinhthucxacnhan", CC_KIND}, {"kind", CC_KIND},
    {"nentangxacnhan", CC_KIND},
    {"nguon", CC_SOURCE}, {"nguonxacnhan", CC_SOURCE}, {"source", CC_SOURCE}, {"noixacnhan", CC_SOURCE},
    {"donvitochuc", CC_SOURCE}, {"donvicap", CC_SOURCE}, {"noicap", CC_SOURCE}, {"cosodaotao", CC_SOURCE},
    {"ngay", CC_DATE}, {"ngayxacnhan", CC_DATE}, {"date", CC_DATE}, {"confirmedon", CC_DATE}, {"ngaycap", CC_DATE},
    {"ngayhoanthanh", CC_DATE}, {"thoigian", CC_DATE}, {"ngaydat", CC_DATE},
    {"sohieu", CC_REFERENCE}, {"reference", CC_REFERENCE}, {"sochungnhan", CC_REFERENCE}, {"sochungchi", CC_REFERENCE},
    {"mathamchieu", CC_REFERENCE}, {"sohieuchungnhan", CC_REFERENCE}, {"magiaychungnhan", CC_REFERENCE},
};

/* Thread-local: app_err keeps a pointer to its message. */
static _Thread_local char import_msg[1024];

static int file_fail(app_err *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(import_msg, sizeof import_msg, fmt, ap);
  va_end(ap);
  return app_fail(e, 400, "invalid_value", "file", import_msg);
}

static int find_columns(const table_row *h, int col[CC_COUNT], app_err *e) {
  for (int k = 0; k < CC_COUNT; k++) col[k] = -1;
  for (size_t i = 0; i < h->ncells && i < 1000; i++) {
    int found = -1;
    char *key = alnum_key(h->cells[i]);
    for (size_t a = 0; key && key[0] && found < 0 && a < sizeof HEADER_ALIASES / sizeof HEADER_ALIASES[0]; a++)
      if (strcmp(key, HEADER_ALIASES[a].key) == 0) found = (int)HEADER_ALIASES[a].col;
    free(key);
    if (found < 0 && colmap_field_of(h->cells[i]) == COL_CCCD) found = CC_CCCD;
    if (found < 0) continue;
    if (col[found] >= 0) {
      char a[8], b[8];
      colmap_column_name(col[found], a);
      colmap_column_name((int)i, b);
      return file_fail(e, "Cột “%s” xuất hiện hai lần (cột %s và cột %s).", COL_LABELS[found], a, b);
    }
    col[found] = (int)i;
  }
  buf b;
  buf_init(&b);
  static const conf_col required[] = {CC_CCCD, CC_KIND, CC_DATE};
  for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
    if (col[required[k]] < 0) buf_printf(&b, "%s“%s”", b.len ? ", " : "", COL_LABELS[required[k]]);
  if (b.len) {
    file_fail(e, "Dòng đầu phải là tiêu đề; thiếu cột %s (các cột: Số CCCD, Loại xác nhận, Nguồn, Ngày xác nhận, Số hiệu).",
              b.data ? b.data : "");
    buf_free(&b);
    return -1;
  }
  buf_free(&b);
  return 0;
}

typedef struct pending {
  long line;
  char hash[65];
  conf_row row;
} pending;

typedef struct import_state {
  store *st;
  const conf_import_opts *o;
  const char *unit_lo, *unit_hi; /* the unit filter's range, or NULL */
  int64_t recorded, unchanged, nunmatched, nrejected;
  json_t *unmatched, *rejected;
  pending *rows;
  int nrows;
} import_state;

static bool report_room(const import_state *x, int64_t n) { return x->o->report_max <= 0 || n < x->o->report_max; }

static int report_rejected(import_state *x, long line, const char *field, const char *why) {
  if (report_room(x, x->nrejected) &&
      json_array_append_new(x->rejected, json_pack("{s:I, s:s, s:s}", "line", (json_int_t)line, "field", field, "reason",
                                                   why)) != 0)
    return -1;
  x->nrejected++;
  return 0;
}

static const char UNMATCHED_REASON[] = "Không tìm thấy người dân có số CCCD này trong phạm vi của bạn.";

/* The chunk in one transaction on the writer. 0, or -1 with e set. */
static int write_chunk(import_state *x, app_err *e) {
  store_why why = STORE_WHY_NONE;
  store_conn *w = store_acquire_timed(x->st, true, -1, &why);
  if (!w) return app_fail(e, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được; các dòng đã ghi được giữ, hãy nhập lại tệp.");
  int64_t now = clock_now(), rec = 0, same = 0;
  json_t *miss = json_array();
  int64_t nmiss = 0;
  if (!miss || store_begin(w) != STORE_OK) goto fail;
  /* The scope as the caller's grants are now, on the writer. */
  arena ar;
  arena_init(&ar);
  const char **lo = NULL, **hi = NULL;
  size_t nr = 0, cap = 0;
  store_stmt *s = store_prepare(w, &q_scope_ranges);
  if (!s) goto fail_arena;
  scope_bind(s, 1, x->o->scope);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    if (nr == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      const char **nlo = arena_alloc(&ar, ncap * sizeof *nlo), **nhi = arena_alloc(&ar, ncap * sizeof *nhi);
      if (nr) {
        memcpy(nlo, lo, nr * sizeof *lo);
        memcpy(nhi, hi, nr * sizeof *hi);
      }
      lo = nlo;
      hi = nhi;
      cap = ncap;
    }
    lo[nr] = arena_strdup(&ar, store_col_text(s, 0));
    hi[nr] = arena_strdup(&ar, store_col_text(s, 1));
    nr++;
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail_arena;
  for (int i = 0; i < x->nrows; i++) {
    pending *p = &x->rows[i];
    s = store_prepare(w, &q_match);
    if (!s) goto fail_arena;
    store_bind_text(s, 1, p->hash);
    store_bind_text(s, 2, p->hash);
    rc = store_step(s);
    int64_t person = 0;
    if (rc == STORE_ROW) {
      const char *path = store_col_text(s, 1);
      bool in = path && (!x->unit_lo || (strcmp(path, x->unit_lo) >= 0 && strcmp(path, x->unit_hi) < 0));
      bool granted = false;
      for (size_t k = 0; in && !granted && k < nr; k++) granted = strcmp(path, lo[k]) >= 0 && strcmp(path, hi[k]) < 0;
      if (in && granted) person = store_col_int(s, 0);
    }
    store_reset(s);
    if (rc != STORE_ROW && rc != STORE_DONE) goto fail_arena;
    if (!person) {
      if (report_room(x, x->nunmatched + nmiss) &&
          json_array_append_new(miss, json_pack("{s:I, s:s}", "line", (json_int_t)p->line, "reason", UNMATCHED_REASON)) != 0)
        goto fail_arena;
      nmiss++;
      continue;
    }
    bool created = false;
    rc = insert_row(w, person, &p->row, x->o->by_user, true, now, NULL, &created);
    if (rc != STORE_DONE) goto fail_arena;
    if (created) rec++;
    else same++;
  }
  arena_free(&ar);
  json_t *detail = json_pack("{s:I, s:I, s:I, s:s?}", "recorded", (json_int_t)rec, "unchanged", (json_int_t)same,
                             "unmatched", (json_int_t)nmiss, "file", x->o->file_name);
  audit_entry a = {.actor_id = x->o->by_user, .actor_username = x->o->by_username, .action = "confirmation.import",
                   .entity = "confirmation", .entity_id = 0, .unit_id = x->o->unit_id,
                   .ip = x->o->ip ? x->o->ip : "local", .detail = detail};
  int arc = detail ? audit_append(w, &a) : -1;
  json_decref(detail);
  if (arc != 0 || store_commit(w) != STORE_OK) goto fail;
  store_release(w);
  x->recorded += rec;
  x->unchanged += same;
  x->nunmatched += nmiss;
  json_array_extend(x->unmatched, miss);
  json_decref(miss);
  return 0;
fail_arena:
  arena_free(&ar);
fail:
  if (store_unavailable(w))
    app_fail(e, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được; các dòng đã ghi được giữ, hãy nhập lại tệp.");
  else {
    log_error("confirmations import: %s", store_errmsg(w));
    APP_INTERNAL(e);
  }
  if (store_in_transaction(w)) store_rollback(w);
  store_release(w);
  json_decref(miss);
  return -1;
}

static void clear_rows(import_state *x) {
  for (int i = 0; i < x->nrows; i++) row_clear(&x->rows[i].row);
  x->nrows = 0;
}

int confirmations_import(store *st, const secrets *keys, const char *path, const void *data, size_t len,
                         const conf_import_opts *o, json_t **result, app_err *e) {
  int ret = -1;
  char err[512] = "";
  arena a;
  arena_init(&a);
  import_state x = {.st = st, .o = o, .unmatched = json_array(), .rejected = json_array(),
                    .rows = calloc(CONF_IMPORT_CHUNK, sizeof(pending))};
  table *t = NULL;
  *result = NULL;
  if (!x.unmatched || !x.rejected || !x.rows) {
    APP_INTERNAL(e);
    goto out;
  }
  if (o->unit_id) {
    store_conn *c = store_acquire(st, false);
    if (!c) {
      app_fail(e, 503, "unavailable", NULL, "Cơ sở dữ liệu tạm thời không truy cập được.");
      goto out;
    }
    const char *p = NULL;
    int rc = units_path(c, o->unit_id, &a, &p, e);
    store_release(c);
    if (rc != 0) goto out;
    x.unit_lo = p;
    x.unit_hi = scope_hi(&a, p);
  }
  table_limits lim;
  table_limits_default(&lim);
  t = path ? table_open(path, &lim, err, sizeof err) : table_open_mem(data, len, &lim, err, sizeof err);
  if (!t) {
    file_fail(e, "%s", err[0] ? err : "Không đọc được tệp.");
    goto out;
  }
  table_row h;
  int rc = table_next(t, &h, err, sizeof err);
  if (rc <= 0) {
    file_fail(e, "%s", rc < 0 ? err : "Tệp trống: cần dòng tiêu đề và các dòng xác nhận.");
    goto out;
  }
  int col[CC_COUNT];
  if (find_columns(&h, col, e) != 0) goto out;
  int64_t today = groups_date_key(clock_now());
  table_row r;
  while ((rc = table_next(t, &r, err, sizeof err)) == 1) {
    const char *cell[CC_COUNT];
    bool any = false;
    for (int k = 0; k < CC_COUNT; k++) {
      cell[k] = col[k] >= 0 && (size_t)col[k] < r.ncells ? r.cells[col[k]] : "";
      any |= !blank(cell[k]);
    }
    if (!any) continue; /* a blank row */
    pending *p = &x.rows[x.nrows];
    p->line = r.line;
    /* CCCD: checked as the resident list checks it, never echoed. */
    const char *why = NULL, *field = NULL;
    char digits[13] = "";
    size_t nd = 0;
    bool only_digits = true;
    for (const char *q = cell[CC_CCCD]; *q; q++) {
      if (*q >= '0' && *q <= '9') nd++;
      else if (*q != ' ') only_digits = false;
    }
    if (blank(cell[CC_CCCD])) {
      if (report_rejected(&x, r.line, "cccd", "Thiếu số CCCD.") != 0) goto nomem;
      continue;
    }
    if (r.numeric && r.numeric[col[CC_CCCD]] && only_digits && nd >= 9 && nd < 12) {
      if (report_rejected(&x, r.line, "cccd",
                          "Số CCCD mất chữ số 0 ở đầu (ô kiểu số trong Excel): hãy định dạng cột CCCD là văn bản.") != 0)
        goto nomem;
      continue;
    }
    if (people_cccd_check(cell[CC_CCCD], 0, 0, digits, &why) != 0) {
      if (report_rejected(&x, r.line, "cccd", why) != 0) goto nomem;
      continue;
    }
    if (row_check(cell[CC_KIND], cell[CC_SOURCE], cell[CC_REFERENCE], cell[CC_DATE], today, &p->row, &field, &why) != 0) {
      if (!why || report_rejected(&x, r.line, field, why) != 0) goto nomem;
      continue;
    }
    people_cccd_hash(keys, digits, p->hash);
    sodium_memzero(digits, sizeof digits);
    if (++x.nrows == CONF_IMPORT_CHUNK) {
      int wrc = write_chunk(&x, e);
      clear_rows(&x);
      if (wrc != 0) goto out;
    }
  }
  if (rc < 0) {
    /* Read to a fault: what was written before it stays (a re-run adds only the rest). */
    file_fail(e, "%s", err);
    goto out;
  }
  if (x.nrows && write_chunk(&x, e) != 0) goto out;
  *result = json_pack("{s:I, s:I, s:O, s:O, s:I, s:I}", "recorded", (json_int_t)x.recorded, "unchanged",
                      (json_int_t)x.unchanged, "unmatched", x.unmatched, "rejected", x.rejected, "unmatched_count",
                      (json_int_t)x.nunmatched, "rejected_count", (json_int_t)x.nrejected);
  if (!*result) goto nomem;
  ret = 0;
  goto out;
nomem:
  APP_INTERNAL(e);
out:
  clear_rows(&x);
  free(x.rows);
  json_decref(x.unmatched);
  json_decref(x.rejected);
  table_close(t);
  arena_free(&a);
  return ret;
}

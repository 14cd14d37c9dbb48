/* schools.c: the schools' digital-skills programme, grades and model designations (see schools.h).
 * Only this file writes SQL about school_programmes, school_grades and school_designations; a
 * school's evidence files are read through attachments.h. */
#include "domain/schools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/attachments.h"
#include "domain/plan.h"
#include "domain/units.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/utf8.h"

#define SCHOOL_KINDS "('school_kindergarten', 'school_primary', 'school_lower_secondary', 'school_upper_secondary')"

STORE_SQL(q_unit, "SELECT name, kind, path FROM units WHERE id = ?");
STORE_SQL(q_prog_upsert, "INSERT INTO school_programmes (unit_id, runs_programme, since_on, evidence_url, updated_by,"
                         " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id) DO UPDATE SET"
                         " runs_programme = excluded.runs_programme, since_on = excluded.since_on,"
                         " evidence_url = excluded.evidence_url, updated_by = excluded.updated_by,"
                         " updated_at = excluded.updated_at");
STORE_SQL(q_grades_clear, "DELETE FROM school_grades WHERE unit_id = ?");
STORE_SQL(q_grade_insert, "INSERT INTO school_grades (unit_id, grade, students, covered, updated_by, updated_at)"
                          " VALUES (?, ?, ?, ?, ?, ?)");
STORE_SQL(q_desig_insert, "INSERT INTO school_designations (unit_id, kind, name, school_year, decision, created_by,"
                          " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
/* The school's row, locked for the rest of the transaction (PostgreSQL writes concurrently under
 * READ COMMITTED; SQLite's single writer serialises already), so that two designations of a school
 * are checked and written one after the other. */
STORE_SQL2(q_school_lock, "SELECT 1 FROM units WHERE id = ?", "SELECT 1 FROM units WHERE id = ? FOR NO KEY UPDATE");
STORE_SQL(q_desig_same, "SELECT 1 FROM school_designations WHERE unit_id = ? AND kind = ? AND name = ? AND school_year = ?");
STORE_SQL(q_prog, "SELECT p.runs_programme, p.since_on, p.evidence_url, p.updated_at, us.display_name"
                  " FROM school_programmes p LEFT JOIN users us ON us.id = p.updated_by WHERE p.unit_id = ?");
STORE_SQL(q_grades, "SELECT grade, students, covered FROM school_grades WHERE unit_id = ? ORDER BY grade");
STORE_SQL(q_desigs, "SELECT id, kind, name, school_year, decision, created_at FROM school_designations"
                    " WHERE unit_id = ? ORDER BY school_year DESC, id DESC LIMIT 500");
STORE_SQL(q_list, SCOPE_WITH
          "SELECT u.id, u.name, u.kind, COALESCE(p.runs_programme, 0), p.since_on, p.evidence_url, p.updated_at,"
          " (SELECT COALESCE(SUM(g.students), 0) FROM school_grades g WHERE g.unit_id = u.id),"
          " (SELECT COALESCE(SUM(g.covered), 0) FROM school_grades g WHERE g.unit_id = u.id),"
          " (SELECT COUNT(*) FROM school_designations d WHERE d.unit_id = u.id)"
          " FROM units u LEFT JOIN school_programmes p ON p.unit_id = u.id"
          " WHERE u.kind IN " SCHOOL_KINDS " AND " SCOPE_IN("u.path")
          " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?)) ORDER BY u.name, u.id LIMIT 1000");

static const struct {
  const char *kind;
  int lo, hi;
  bool general;
} KINDS[] = {
    {"school_kindergarten", 0, 0, false},
    {"school_primary", 1, 5, true},
    {"school_lower_secondary", 6, 9, true},
    {"school_upper_secondary", 10, 12, true},
};

bool schools_grades_of(const char *kind, int *lo, int *hi) {
  for (size_t i = 0; kind && i < sizeof KINDS / sizeof KINDS[0]; i++)
    if (strcmp(kind, KINDS[i].kind) == 0) {
      *lo = KINDS[i].lo;
      *hi = KINDS[i].hi;
      return true;
    }
  return false;
}

bool schools_general(const char *kind) {
  for (size_t i = 0; kind && i < sizeof KINDS / sizeof KINDS[0]; i++)
    if (strcmp(kind, KINDS[i].kind) == 0) return KINDS[i].general;
  return false;
}

static const struct {
  const char *kind, *label;
} DESIGNATIONS[] = {
    {"model_school", "Trường học chuyển đổi số điển hình"},
    {"creative_class", "Lớp học số sáng tạo"},
    {"model_teacher", "Giáo viên số tiêu biểu"},
};

const char *schools_designation_label(const char *kind) {
  for (size_t i = 0; kind && i < sizeof DESIGNATIONS / sizeof DESIGNATIONS[0]; i++)
    if (strcmp(kind, DESIGNATIONS[i].kind) == 0) return DESIGNATIONS[i].label;
  return NULL;
}

/* The school `unit_id`: its name and kind (copied into the buffers). 404 absent, 400 not a school. */
static int school_of(store_conn *c, int64_t unit_id, char name[256], char kind[40], char *path, size_t path_len,
                     app_err *e) {
  store_stmt *s = store_prepare(c, &q_unit);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, unit_id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    snprintf(name, 256, "%s", store_col_text(s, 0));
    snprintf(kind, 40, "%s", store_col_text(s, 1));
    if (path) snprintf(path, path_len, "%s", store_col_text(s, 2));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có đơn vị này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  int lo, hi;
  if (!schools_grades_of(kind, &lo, &hi))
    return app_fail(e, 400, "invalid_value", "id", "Đơn vị này không phải trường học.");
  return 0;
}

static bool blank(const char *s) {
  for (; s && *s; s++)
    if (!strchr(" \t\r\n", *s)) return false;
  return true;
}

static bool url_ok(const char *u) {
  size_t n = strlen(u);
  if (n > 500 || (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)) return false;
  const char *host = u + (u[4] == 's' ? 8 : 7);
  if (!*host || *host == '/') return false;
  for (const unsigned char *p = (const unsigned char *)u; *p; p++)
    if (*p <= 0x20 || *p == 0x7F || *p == '"' || *p == '<' || *p == '>' || *p == '\\') return false;
  return utf8_valid(u, n);
}

static _Thread_local char grade_msg[200];

int schools_set_programme(store_conn *w, int64_t unit_id, const school_programme_in *in, int64_t by_user, int64_t now,
                          app_err *e) {
  char name[256], kind[40];
  if (school_of(w, unit_id, name, kind, NULL, 0, e) != 0) return -1;
  const char *since = blank(in->since_on) ? NULL : in->since_on;
  if (since) {
    int64_t d = plan_day_parse(since);
    if (d < 0) return app_fail(e, 400, "invalid_value", "since_on", "Ngày bắt đầu phải có dạng yyyy-mm-dd.");
    if (d > plan_day_of(now)) return app_fail(e, 400, "invalid_value", "since_on", "Ngày bắt đầu ở tương lai.");
    if (d < plan_day_parse("2000-01-01")) return app_fail(e, 400, "invalid_value", "since_on", "Ngày bắt đầu phải từ năm 2000.");
  }
  const char *url = blank(in->evidence_url) ? NULL : in->evidence_url;
  if (url && !url_ok(url))
    return app_fail(e, 400, "invalid_value", "evidence_url",
                    "Đường dẫn minh chứng phải bắt đầu bằng https:// hoặc http://, không có dấu cách, tối đa 500 ký tự.");
  int lo = 0, hi = 0;
  schools_grades_of(kind, &lo, &hi);
  /* The grades, checked whole before anything is written. */
  bool seen[13] = {false};
  size_t i;
  json_t *g;
  if (in->grades && !json_is_array(in->grades))
    return app_fail(e, 400, "invalid_value", "grades", "Số học sinh phải là danh sách theo khối lớp.");
  json_array_foreach(in->grades, i, g) {
    json_t *gr = json_object_get(g, "grade"), *st = json_object_get(g, "students"), *cv = json_object_get(g, "covered");
    json_int_t grade = json_integer_value(gr), students = json_integer_value(st), covered = json_integer_value(cv);
    const char *why = NULL;
    if (!json_is_object(g) || !json_is_integer(gr) || !json_is_integer(st) || !json_is_integer(cv) || json_object_size(g) != 3)
      why = "cần khối lớp (grade), số học sinh (students) và số được học (covered), đều là số nguyên";
    else if (hi == 0)
      why = "trường mầm non không có khối lớp phổ thông";
    else if (grade < lo || grade > hi)
      why = "khối lớp không thuộc cấp học của trường";
    else if (seen[grade])
      why = "khối lớp bị ghi hai lần";
    else if (students < 0 || students > 100000 || covered < 0)
      why = "số học sinh không hợp lệ";
    else if (covered > students)
      why = "số học sinh được học nhiều hơn số học sinh của khối";
    if (why) {
      snprintf(grade_msg, sizeof grade_msg, "Dòng %zu của số học sinh: %s.", i + 1, why);
      return app_fail(e, 400, "invalid_value", "grades", grade_msg);
    }
    seen[grade] = true;
  }
  store_stmt *s = store_prepare(w, &q_prog_upsert);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, unit_id);
  store_bind_int(s, 2, in->runs_programme ? 1 : 0);
  store_bind_text(s, 3, since);
  store_bind_text(s, 4, url);
  store_bind_id(s, 5, by_user);
  store_bind_int(s, 6, now);
  int rc = store_step(s);
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  if (!in->grades) return 0;
  s = store_prepare(w, &q_grades_clear);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, unit_id);
  rc = store_step(s);
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  json_array_foreach(in->grades, i, g) {
    s = store_prepare(w, &q_grade_insert);
    if (!s) return APP_INTERNAL(e);
    store_bind_int(s, 1, unit_id);
    store_bind_int(s, 2, json_integer_value(json_object_get(g, "grade")));
    store_bind_int(s, 3, json_integer_value(json_object_get(g, "students")));
    store_bind_int(s, 4, json_integer_value(json_object_get(g, "covered")));
    store_bind_id(s, 5, by_user);
    store_bind_int(s, 6, now);
    rc = store_step(s);
    store_reset(s);
    if (rc != STORE_DONE) return APP_INTERNAL(e);
  }
  return 0;
}

static bool school_year_ok(const char *y) {
  if (!y || strlen(y) != 9 || y[4] != '-') return false;
  for (int i = 0; i < 9; i++)
    if (i != 4 && (y[i] < '0' || y[i] > '9')) return false;
  int a = 0, b = 0; /* every character checked a digit above */
  for (int i = 0; i < 4; i++) {
    a = a * 10 + (y[i] - '0');
    b = b * 10 + (y[5 + i] - '0');
  }
  return a >= 2020 && a <= 2100 && b == a + 1;
}

int schools_add_designation(store_conn *w, int64_t unit_id, const school_designation_in *in, int64_t by_user,
                            int64_t now, int64_t *id, app_err *e) {
  char name[256], kind[40];
  if (school_of(w, unit_id, name, kind, NULL, 0, e) != 0) return -1;
  if (!schools_designation_label(in->kind))
    return app_fail(e, 400, "invalid_value", "kind",
                    "Loại danh hiệu phải là model_school (Trường học chuyển đổi số điển hình), creative_class (Lớp học số "
                    "sáng tạo) hoặc model_teacher (Giáo viên số tiêu biểu).");
  const char *who = blank(in->name) ? NULL : in->name;
  if (!who && strcmp(in->kind, "model_school") == 0) who = name;
  if (!who)
    return app_fail(e, 400, "missing_field", "name", "Ghi tên lớp hoặc tên giáo viên được công nhận.");
  if (text_name_check(who) != TEXT_NAME_OK || utf8_length(who, strlen(who)) > 200)
    return app_fail(e, 400, "invalid_value", "name", "Tên không hợp lệ (tối đa 200 ký tự, không có ký tự ẩn).");
  if (!school_year_ok(in->school_year))
    return app_fail(e, 400, "invalid_value", "school_year", "Năm học có dạng 2025-2026.");
  const char *decision = blank(in->decision) ? NULL : in->decision;
  if (decision && (text_name_check(decision) == TEXT_NAME_HIDDEN || utf8_length(decision, strlen(decision)) > 200))
    return app_fail(e, 400, "invalid_value", "decision", "Số quyết định không hợp lệ (tối đa 200 ký tự).");
  /* The same designation twice (a double tap, two people at once) is kept once: the
   * school's row is locked first, so the check and the insert see the same rows. */
  store_stmt *s = store_prepare(w, &q_school_lock);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, unit_id);
  int lk = store_step(s);
  store_reset(s);
  if (lk != STORE_ROW && lk != STORE_DONE) return APP_INTERNAL(e);
  s = store_prepare(w, &q_desig_same);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, unit_id);
  store_bind_text(s, 2, in->kind);
  store_bind_text(s, 3, who);
  store_bind_text(s, 4, in->school_year);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_ROW)
    return app_fail(e, 409, "conflict", "name", "Danh hiệu này đã được ghi cho trường trong năm học này.");
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  s = store_prepare(w, &q_desig_insert);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, unit_id);
  store_bind_text(s, 2, in->kind);
  store_bind_text(s, 3, who);
  store_bind_text(s, 4, in->school_year);
  store_bind_text(s, 5, decision);
  store_bind_id(s, 6, by_user);
  store_bind_int(s, 7, now);
  return store_insert_id(s, id) == STORE_DONE ? 0 : APP_INTERNAL(e);
}

static json_t *text_or_null(store_stmt *s, int i) {
  return store_col_is_null(s, i) ? json_null() : json_string(store_col_text(s, i));
}

static json_t *at_or_null(store_stmt *s, int i) {
  if (store_col_is_null(s, i)) return json_null();
  char at[32];
  clock_iso8601(store_col_int(s, i), at, sizeof at);
  return json_string(at);
}

static json_t *kind_label(const char *kind) {
  const char *l = unit_kind_label(kind);
  return json_string(l ? l : kind);
}

int schools_get(store_conn *c, int64_t unit_id, json_t **out, app_err *e) {
  *out = NULL;
  char name[256], kind[40];
  if (school_of(c, unit_id, name, kind, NULL, 0, e) != 0) return -1;
  json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:b, s:b, s:n, s:n, s:n, s:n}", "id", (json_int_t)unit_id, "name", name,
                        "kind", kind, "kind_label", kind_label(kind), "general", schools_general(kind), "runs_programme",
                        0, "since_on", "evidence_url", "updated_at", "updated_by_name");
  json_t *grades = json_array(), *desigs = json_array(), *files = NULL, *ev = json_array();
  int64_t students = 0, covered = 0;
  if (!o || !grades || !desigs || !ev) goto fail;
  store_stmt *s = store_prepare(c, &q_prog);
  if (!s) goto fail;
  store_bind_int(s, 1, unit_id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    json_object_set_new(o, "runs_programme", json_boolean(store_col_int(s, 0) != 0));
    json_object_set_new(o, "since_on", text_or_null(s, 1));
    json_object_set_new(o, "evidence_url", text_or_null(s, 2));
    json_object_set_new(o, "updated_at", at_or_null(s, 3));
    json_object_set_new(o, "updated_by_name", text_or_null(s, 4));
  }
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) goto fail;
  s = store_prepare(c, &q_grades);
  if (!s) goto fail;
  store_bind_int(s, 1, unit_id);
  while ((rc = store_step(s)) == STORE_ROW) {
    students += store_col_int(s, 1);
    covered += store_col_int(s, 2);
    json_array_append_new(grades, json_pack("{s:I, s:I, s:I}", "grade", (json_int_t)store_col_int(s, 0), "students",
                                            (json_int_t)store_col_int(s, 1), "covered", (json_int_t)store_col_int(s, 2)));
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  s = store_prepare(c, &q_desigs);
  if (!s) goto fail;
  store_bind_int(s, 1, unit_id);
  while ((rc = store_step(s)) == STORE_ROW) {
    const char *k = store_col_text(s, 1);
    json_array_append_new(desigs, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0),
                                            "kind", k, "kind_label", schools_designation_label(k) ? schools_designation_label(k) : k,
                                            "name", store_col_text(s, 2), "school_year", store_col_text(s, 3), "decision",
                                            text_or_null(s, 4), "created_at", at_or_null(s, 5)));
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  if (attachments_of_owner(c, ATTACH_OWNER_SCHOOL, unit_id, &files, e) != 0) goto fail;
  const char *k;
  json_t *v;
  json_object_foreach(files, k, v) json_array_append(ev, v);
  json_decref(files);
  json_object_set_new(o, "grades", grades);
  json_object_set_new(o, "students", json_integer(students));
  json_object_set_new(o, "covered", json_integer(covered));
  json_object_set_new(o, "designations", desigs);
  json_object_set_new(o, "evidence", ev);
  *out = o;
  return 0;
fail:
  json_decref(o);
  json_decref(grades);
  json_decref(desigs);
  json_decref(ev);
  return APP_INTERNAL(e);
}

int schools_list(store_conn *c, const scope_sql *sc, int64_t unit_id, json_t **items, json_t **totals, app_err *e) {
  *items = NULL;
  *totals = NULL;
  char path[1100] = "", hi[1100] = "";
  if (unit_id && units_subtree(c, unit_id, path, hi, sizeof path, e) != 0) return -1;
  store_stmt *s = store_prepare(c, &q_list);
  if (!s) return APP_INTERNAL(e);
  int k = scope_bind(s, 1, sc);
  store_bind_text(s, k++, unit_id ? path : NULL);
  store_bind_text(s, k++, unit_id ? path : NULL);
  store_bind_text(s, k++, unit_id ? hi : NULL);
  json_t *list = json_array();
  int64_t n = 0, general = 0, running = 0, students = 0, covered = 0;
  int rc;
  while (list && (rc = store_step(s)) == STORE_ROW) {
    const char *kind = store_col_text(s, 2);
    bool gen = schools_general(kind), runs = store_col_int(s, 3) != 0;
    n++;
    general += gen;
    running += gen && runs;
    students += store_col_int(s, 7);
    covered += store_col_int(s, 8);
    json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:o, s:b, s:b, s:o, s:o, s:o, s:I, s:I, s:I}", "id",
                                          (json_int_t)store_col_int(s, 0), "name", store_col_text(s, 1), "kind", kind,
                                          "kind_label", kind_label(kind), "general", gen, "runs_programme", runs,
                                          "since_on", text_or_null(s, 4), "evidence_url", text_or_null(s, 5),
                                          "updated_at", at_or_null(s, 6), "students", (json_int_t)store_col_int(s, 7),
                                          "covered", (json_int_t)store_col_int(s, 8), "designations",
                                          (json_int_t)store_col_int(s, 9)));
  }
  store_reset(s);
  if (!list || rc != STORE_DONE) {
    json_decref(list);
    return APP_INTERNAL(e);
  }
  *items = list;
  *totals = json_pack("{s:I, s:I, s:I, s:I, s:I}", "schools", (json_int_t)n, "general", (json_int_t)general,
                      "general_running", (json_int_t)running, "students", (json_int_t)students, "covered",
                      (json_int_t)covered);
  return 0;
}

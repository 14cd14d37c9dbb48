/* demo_schools.c: the demo ward's schools (phường Hải Dương): five of its six general-education
 * schools teach the digital-skills programme of Thông tư 02/2025 (one primary school has not begun:
 * the shortfall shows), with their students by grade and some model designations; the demo
 * teacher's school has them all. Run again: a school that has a record keeps it. */
#include <stdio.h>
#include <string.h>

#include "domain/demo.h"
#include "domain/schools.h"
#include "domain/units.h"
#include "domain/users.h"

STORE_SQL(q_has, "SELECT COUNT(*) FROM school_programmes WHERE unit_id = ?");

typedef struct demo_school {
  const char *code, *since, *url;
  bool runs;
  int first_grade;
  int students[5], covered[5]; /* by grade from first_grade; 0 students: no more grades */
} demo_school;

static const demo_school SCHOOLS[] = {
    {"HD-THCS-THD", "2025-09-05", "https://thcs-tranhungdao.example.edu.vn/ke-hoach-ky-nang-so-2025-2026", true, 6,
     {240, 232, 228, 212}, {240, 232, 200, 180}},
    {"HD-THCS-NC", "2025-09-15", NULL, true, 6, {198, 205, 190, 187}, {198, 180, 150, 120}},
    {"HD-TH-NC", "2025-10-01", "https://th-ngocchau.example.edu.vn/chuong-trinh-ky-nang-so", true, 1,
     {150, 146, 152, 149, 140}, {0, 0, 152, 149, 140}},
    {"HD-TH-NHC", "2025-11-03", NULL, true, 1, {120, 118, 125, 130, 122}, {0, 0, 0, 130, 122}},
    {"HD-TH-QT", NULL, NULL, false, 1, {110, 105, 112, 108, 101}, {0, 0, 0, 0, 0}},
    {"HD-THPT-HD", "2025-09-05", NULL, true, 10, {420, 405, 398}, {420, 405, 398}},
};

int demo_schools(store_conn *w, int64_t now, FILE *out, char *err, size_t errlen) {
  int64_t teacher = users_find(w, "giaovien");
  int made = 0;
  for (size_t i = 0; i < sizeof SCHOOLS / sizeof SCHOOLS[0]; i++) {
    const demo_school *d = &SCHOOLS[i];
    int64_t unit = units_find(w, d->code);
    if (!unit) continue;
    store_stmt *s = store_prepare(w, &q_has);
    if (!s) goto fail;
    store_bind_int(s, 1, unit);
    int64_t has = store_step(s) == STORE_ROW ? store_col_int(s, 0) : -1;
    store_reset(s);
    if (has != 0) continue;
    json_t *grades = json_array();
    for (int g = 0; g < 5 && d->students[g]; g++)
      json_array_append_new(grades, json_pack("{s:i, s:i, s:i}", "grade", d->first_grade + g, "students", d->students[g],
                                              "covered", d->covered[g]));
    school_programme_in in = {.runs_programme = d->runs, .since_on = d->since, .evidence_url = d->url, .grades = grades};
    app_err e = {0};
    int64_t by = strcmp(d->code, "HD-THCS-THD") == 0 ? teacher : 0;
    int rc = schools_set_programme(w, unit, &in, by, now - 30 * 86400, &e);
    json_decref(grades);
    if (rc != 0) {
      snprintf(err, errlen, "school %s: %s", d->code, e.message ? e.message : store_errmsg(w));
      return -1;
    }
    if (strcmp(d->code, "HD-THCS-THD") == 0) {
      static const school_designation_in desigs[] = {
          {"model_school", NULL, "2025-2026", "Quyết định số 125/QĐ-UBND ngày 15/12/2025"},
          {"creative_class", "Lớp 8A2", "2025-2026", NULL},
          {"model_teacher", "Đỗ Thu Giang", "2025-2026", NULL},
      };
      for (size_t k = 0; k < sizeof desigs / sizeof desigs[0]; k++) {
        int64_t id = 0;
        if (schools_add_designation(w, unit, &desigs[k], teacher, now - 20 * 86400, &id, &e) != 0) {
          snprintf(err, errlen, "school %s: %s", d->code, e.message ? e.message : store_errmsg(w));
          return -1;
        }
      }
    }
    made++;
  }
  fprintf(out, "Schools: %d with their digital-skills programme (Thông tư 02/2025) recorded.\n", made);
  return 0;
fail:
  snprintf(err, errlen, "schools: %s", store_errmsg(w));
  return -1;
}

/* schools.h: trường học (issue 9, part 7) — per school (a unit of a school kind), whether it runs
 * the digital-skills programme of Thông tư 02/2025/TT-BGDĐT (Khung năng lực số cho người học), with
 * evidence (a link here; files are attachments owned by the school, attachments.h), its students
 * and those the programme covers by grade, and its model designations (Trường học chuyển đổi số
 * điển hình, lớp học số sáng tạo, giáo viên số tiêu biểu — plan task 3.5).
 * Owns: school_programmes, school_grades, school_designations (migration 22).
 * Never: decides who may write (the dispatcher does: school.write on the school, so a teacher
 * edits their own school only); counts anything in the browser's place (the list's totals are here).
 */
#ifndef HOCVUSO_SCHOOLS_H
#define HOCVUSO_SCHOOLS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"

/* The grades a school of `kind` teaches ([lo, hi]); false for a unit that is not a school. A
 * kindergarten is a school with no grades (lo = hi = 0). */
bool schools_grades_of(const char *kind, int *lo, int *hi);
/* Whether the kind is of general education (phổ thông: primary, lower and upper secondary), the
 * schools target (6) of the plan counts. */
bool schools_general(const char *kind);

/* A designation's kinds, as stored, and their Vietnamese labels. */
const char *schools_designation_label(const char *kind); /* NULL for an unknown kind */

typedef struct school_programme_in {
  bool runs_programme;
  const char *since_on;     /* NULL or "": none; else YYYY-MM-DD, not in the future */
  const char *evidence_url; /* NULL or "": none; else http(s)://…, at most 500 characters */
  json_t *grades;           /* NULL: grades unchanged; else [{grade, students, covered}] replacing them */
} school_programme_in;
/* Records the school's programme (and its grades when given). 400 naming the field (since_on,
 * evidence_url, grades); 400 `id` when the unit is not a school; 404 when it does not exist. */
int schools_set_programme(store_conn *w, int64_t unit_id, const school_programme_in *in, int64_t by_user, int64_t now,
                          app_err *e);

typedef struct school_designation_in {
  const char *kind;        /* model_school, creative_class, model_teacher */
  const char *name;        /* the class or the teacher (the school's own name for model_school) */
  const char *school_year; /* "2025-2026" */
  const char *decision;    /* NULL: none; the decision that designated it */
} school_designation_in;
int schools_add_designation(store_conn *w, int64_t unit_id, const school_designation_in *in, int64_t by_user,
                            int64_t now, int64_t *id, app_err *e);

/* One school: {id, name, kind, kind_label, general, runs_programme, since_on, evidence_url,
 * updated_at, updated_by_name, grades: [{grade, students, covered}], students, covered,
 * designations: [{id, kind, kind_label, name, school_year, decision, created_at}], evidence:
 * [attachments]}. 400 `id` when the unit is not a school, 404 when it does not exist. */
int schools_get(store_conn *c, int64_t unit_id, json_t **out, app_err *e);
/* The schools in the scope (and under `unit_id` when not 0), by name: each as schools_get without
 * grades, designations and evidence (designations counted); and the totals {schools, general,
 * general_running, students, covered}. */
int schools_list(store_conn *c, const scope_sql *sc, int64_t unit_id, json_t **items, json_t **totals, app_err *e);

#endif

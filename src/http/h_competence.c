/* h_competence.c: the change in competence and assisted attempts over HTTP (issue 8, parts 6 and
 * 7). The dispatcher checked role and unit scope from the route table (a person's unit for a
 * profile or an assisted attempt, the report's unit); reads of a person's record are audited. */
#include "domain/competence.h"
#include "domain/groups.h"
#include "domain/people.h"
#include "domain/quiz.h"
#include "domain/units.h"
#include "http/handlers.h"

int h_me_competence(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  int64_t person = people_of_user(c, r->who->user_id);
  if (person < 0) return APP_INTERNAL(&r->err);
  json_t *o = NULL;
  if (competence_profile(c, person, r->who->user_id, &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_residents_competence(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  int64_t id = req_param(r, 0);
  person_reach pr;
  if (people_reach(c, id, &r->a, &pr, &r->err) != 0) return -1;
  json_t *o = NULL;
  if (competence_profile(c, id, 0, &o, &r->err) != 0) return -1;
  if (req_begin(r) != 0 || req_audit(r, "person.competence_read", "person", id, pr.unit_id, NULL) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

int h_reports_competence_change(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  int64_t unit = req_qint(r, "unit", 0);
  const char *path = NULL;
  if (unit) { /* in scope: the dispatcher checked it */
    if (units_path(c, unit, &r->a, &path, &r->err) != 0) return -1;
  } else { /* left out: the first unit where the caller may read reports */
    for (int i = 0; i < r->who->ngrants && !path; i++)
      if (r->who->grants[i].caps & CAP_REPORTS_READ) {
        unit = r->who->grants[i].unit_id;
        path = r->who->grants[i].unit_path;
      }
    if (!path) return req_fail(r, 403, "forbidden", "unit", "Bạn không có quyền xem báo cáo ở đơn vị nào.");
  }
  int bit = 0;
  const char *g = req_qstr(r, "group");
  if (g) {
    const group_def *d = group_find(g);
    if (!d) return req_fail(r, 400, "invalid_value", "group", "Nhóm đối tượng không hợp lệ.");
    bit = d->bit;
  }
  json_t *o = NULL;
  if (competence_report(c, &r->a, unit, path, bit, &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_residents_attempts_start(req *r) {
  int64_t person = req_param(r, 0), quiz = req_int(r, "quiz_id", 0);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  person_reach pr;
  if (people_reach(c, person, &r->a, &pr, &r->err) != 0) return -1;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  json_t *o = NULL;
  int status = 201;
  if (quiz_start_assisted(req_dbw(r), quiz, r->who->user_id, person, &o, &status, &r->err) != 0) {
    if (r->err.status == 404) r->err.field = "quiz_id";
    return -1;
  }
  json_t *detail = json_pack("{s:I, s:I, s:b}", "quiz_id", (json_int_t)quiz, "attempt_id",
                             json_integer_value(json_object_get(o, "id")), "resumed", status == 200);
  if (req_audit(r, "attempt.start_assisted", "person", person, pr.unit_id, detail) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, status, o);
}

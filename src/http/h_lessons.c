/* h_lessons.c: courses, lessons and progress over HTTP (issue 8). Lessons are the instance's (no
 * unit scope): any learner reads them and marks their own progress. */
#include "domain/lessons.h"
#include "http/handlers.h"

int h_courses_list(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *all = NULL;
  if (lessons_courses(c, r->who->user_id, &all, &r->err) != 0) return -1;
  return req_page_all(r, all);
}

int h_lessons_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  buf b;
  buf_init(&b);
  if (lessons_get(c, req_param(r, 0), r->who->user_id, &b, &r->err) != 0) {
    buf_free(&b);
    return -1;
  }
  return req_ok_text(r, 200, &b);
}

int h_lessons_complete(req *r) {
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (lessons_complete(req_dbw(r), req_param(r, 0), r->who->user_id, &r->err) != 0) return -1;
  if (store_commit(req_dbw(r)) != STORE_OK) return APP_INTERNAL(&r->err);
  return req_ok(r, 204, NULL);
}

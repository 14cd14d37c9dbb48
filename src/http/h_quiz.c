/* h_quiz.c: quizzes and attempts over HTTP (issue 8). The dispatcher checked that an attempt in the
 * path is the caller's own (SCOPE_ATTEMPT); starting and submitting are short write transactions. */
#include "domain/people.h"
#include "domain/quiz.h"
#include "http/handlers.h"

int h_quizzes_create(req *r) {
  quiz_def d = {.title = req_str(r, "title"),
                .description = req_str(r, "description"),
                .category = req_str(r, "category"),
                .competency = req_str(r, "competency"),
                .level = (int)req_int(r, "level", 0),
                .question_count = (int)req_int(r, "question_count", 10),
                .pass_percent = (int)req_int(r, "pass_percent", 70),
                .time_limit_min = (int)req_int(r, "time_limit_min", 0),
                .max_attempts = (int)req_int(r, "max_attempts", 0)};
  int64_t id = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (quiz_create(req_dbw(r), &d, r->who->user_id, &id, &r->err) != 0) return -1;
  if (req_audit(r, "quiz.create", "quiz", id, 0, json_pack("{s:s}", "title", d.title)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "title", d.title));
}

int h_quizzes_list(req *r) {
  int page, per_page;
  req_paging(r, &page, &per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (quiz_list(c, r->who->user_id, page, per_page, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_attempts_start(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  int64_t person = people_of_user(c, r->who->user_id);
  if (person < 0) return APP_INTERNAL(&r->err);
  /* The draw reads only: done before the writer is taken, so that starts overlap (a whole ward
   * starting one quiz at once); the writer checks the attempts and writes the new one. A reload
   * of an open attempt draws for nothing, which costs reads, not the writer. */
  quiz_drawn d;
  if (quiz_draw(c, req_param(r, 0), &d, &r->err) != 0) return -1;
  if (req_begin(r) != 0) {
    quiz_drawn_free(&d);
    return APP_INTERNAL(&r->err);
  }
  json_t *o = NULL;
  int status = 201;
  int rc = quiz_start_drawn(req_dbw(r), &d, r->who->user_id, person, &o, &status, &r->err);
  quiz_drawn_free(&d);
  if (rc != 0) return -1;
  if (store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, status, o);
}

int h_attempts_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (quiz_attempt_get(c, req_param(r, 0), &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_attempts_submit(req *r) {
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  json_t *o = NULL;
  if (quiz_submit(req_dbw(r), &r->app->keys, req_param(r, 0), json_object_get(r->body, "answers"), &o, &r->err) != 0) return -1;
  if (store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

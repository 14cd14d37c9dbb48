/* h_quiz.c: quizzes and attempts over HTTP (issue 8). The dispatcher checked that an attempt in the
 * path is the caller's own (SCOPE_ATTEMPT); starting and submitting are short write transactions. */
#include <string.h>

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
                .max_attempts = (int)req_int(r, "max_attempts", 0),
                .purpose = req_str(r, "purpose")};
  int64_t id = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (quiz_create(req_dbw(r), &d, r->who->user_id, &id, &r->err) != 0) return -1;
  if (req_audit(r, "quiz.create", "quiz", id, 0, json_pack("{s:s}", "title", d.title)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "title", d.title));
}

/* An attempt whose time ran out, graded on its saved sheet before it is shown (quiz.h, "attempts
 * whose time ran out"): a short write transaction. 0, or -1 answered. */
static int close_expired(req *r, int64_t attempt_id) {
  bool closed = false;
  if (req_begin(r) != 0) return r->err.status ? -1 : APP_INTERNAL(&r->err);
  if (quiz_close_expired(req_dbw(r), &r->app->keys, attempt_id, &closed, &r->err) != 0) return -1;
  if (store_commit(req_dbw(r)) != STORE_OK) return APP_INTERNAL(&r->err);
  req_writer_done(r);
  return 0;
}

int h_quizzes_list(req *r) {
  int page, per_page;
  req_paging(r, &page, &per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0, person = people_of_user(c, r->who->user_id);
  if (person < 0) return APP_INTERNAL(&r->err);
  if (quiz_list(c, r->who->user_id, person, page, per_page, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_attempts_start(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  int64_t person = people_of_user(c, r->who->user_id);
  if (person < 0) return APP_INTERNAL(&r->err);
  /* The writer is held only to decide and insert: the draw is read before it is taken, and the
   * answer built after it is given back (a synchronised start of a class is all writes). */
  quiz_draw *d = NULL;
  if (quiz_draw_new(c, req_param(r, 0), &d, &r->err) != 0) return -1;
  json_t *o = NULL;
  int status = 201, rc = -1;
  int64_t id = 0, started = 0;
  if (req_begin(r) != 0) {
    rc = APP_INTERNAL(&r->err);
    goto done;
  }
  if (quiz_start_drawn(req_dbw(r), d, r->who->user_id, person, 0, &id, &started, &o, &status, &r->err) != 0) goto done;
  if (store_commit(req_dbw(r)) != STORE_OK) {
    rc = APP_INTERNAL(&r->err);
    goto done;
  }
  req_writer_done(r);
  if (id) {
    store_conn *rc2 = req_db(r);
    if (!rc2) {
      rc = req_unavailable(r);
      goto done;
    }
    quiz_draw_keep(rc2, d, id); /* for its submission */
    /* written straight into the reply: thousands of these in a second when a class starts */
    buf b;
    buf_init(&b);
    if (quiz_draw_view_text(rc2, d, id, started, &b, &r->err) != 0) {
      buf_free(&b);
      goto done;
    }
    rc = req_ok_text(r, status, &b);
    goto done;
  }
  rc = req_ok(r, status, o);
  o = NULL;
done:
  json_decref(o);
  quiz_draw_free(d);
  return rc;
}

int h_attempts_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (quiz_attempt_get(c, req_param(r, 0), &o, &r->err) != 0) return -1;
  const char *state = json_string_value(json_object_get(o, "state"));
  if (state && !strcmp(state, "expired")) { /* its time ran out: graded now, then shown */
    json_decref(o);
    o = NULL;
    if (close_expired(r, req_param(r, 0)) != 0) return -1;
    if (!(c = req_db(r))) return req_unavailable(r);
    if (quiz_attempt_get(c, req_param(r, 0), &o, &r->err) != 0) return -1;
  }
  return req_ok(r, 200, o);
}

int h_attempts_submit(req *r) {
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  quiz_closed *closed = NULL;
  quiz_submitted sd;
  /* no answers: the ones saved last (h_attempts_answers_save) */
  if (quiz_submit_close(req_dbw(r), &r->app->keys, req_param(r, 0), json_object_get(r->body, "answers"), &closed, &sd,
                        &r->err) != 0)
    return -1;
  /* run by a field helper with a resident: audited (once: not when the same submission comes again) */
  int64_t person = sd.assisted_by && !sd.again ? sd.person_id : 0;
  person_reach pr = {0};
  app_err pe = {0};
  if (person && people_reach(req_dbw(r), person, &r->a, &pr, &pe) != 0) pr.unit_id = 0; /* deleted meanwhile */
  int rc = -1;
  if ((person &&
       req_audit(r, "attempt.submit_assisted", "person", person, pr.unit_id,
                 json_pack("{s:I, s:f}", "attempt_id", (json_int_t)req_param(r, 0), "score_percent",
                           sd.score_percent)) != 0) ||
      store_commit(req_dbw(r)) != STORE_OK) {
    rc = APP_INTERNAL(&r->err);
    goto done;
  }
  /* The answer (the review) is written after the writer is given back, straight into the reply,
   * from what the submission wrote; it is sent once the commit is synced. */
  req_writer_done(r);
  store_conn *c = req_db(r);
  if (!c) {
    rc = req_unavailable(r);
    goto done;
  }
  buf b;
  buf_init(&b);
  if (quiz_closed_text(c, closed, &b, &r->err) != 0) {
    buf_free(&b);
    goto done;
  }
  rc = req_ok_text(r, 200, &b);
done:
  quiz_closed_free(closed);
  return rc;
}

int h_attempts_answers_save(req *r) {
  const json_t *answers = json_object_get(r->body, "answers");
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  /* checked on a reader before the writer is taken (the route's tx_late): it is held for the
   * dispatcher's re-check and the one UPDATE */
  if (quiz_answers_check(c, req_param(r, 0), r->who->user_id, answers, &r->err) != 0) return -1;
  if (req_begin(r) != 0) return r->err.status ? -1 : APP_INTERNAL(&r->err);
  if (quiz_answers_save(req_dbw(r), req_param(r, 0), r->who->user_id, answers, &r->err) != 0) return -1;
  if (store_commit(req_dbw(r)) != STORE_OK) return APP_INTERNAL(&r->err);
  return req_ok(r, 204, NULL);
}

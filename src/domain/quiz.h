/* quiz.h: quizzes drawn from the question bank and the learners' attempts (issue 8).
 * Owns: the tables quizzes and quiz_attempts; the grading rules of every question type. A
 * learner's attempts (limits, best score) are their account's own and those a field helper ran
 * with their person (assisted).
 * Never: sends a question's answers, their shares or their feedback before the attempt is
 * submitted; trusts anything from the browser but the learner's choices (the questions drawn and
 * the order their options were shown in are the attempt's, kept on the server).
 *
 * Grading (each question scores 0..1; the attempt scores their mean, in percent):
 * - single: the share of the chosen option (a wrong one 0); multi: the sum of the shares of the
 *   chosen options, kept within 0..1 (a wrong choice's negative share takes off);
 * - true/false: 1 when right; matching: the share of items matched right;
 * - short: the best share among the accepted answers the text matches (case and accents ignored,
 *   as are spaces at the ends and runs of spaces; '*' in an accepted answer matches any text, in at
 *   most len(pattern) × len(answer) steps however many stars there are);
 * - numerical: the best share among the answers the number is within tolerance of ("," or "."
 *   as the decimal mark).
 */
#ifndef HOCVUSO_QUIZ_H
#define HOCVUSO_QUIZ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/secrets.h"

typedef struct quiz_def {
  const char *title;
  const char *description;
  const char *category;   /* a category prefix ("KNS-CB/M06"), or NULL: any */
  const char *competency; /* a code, or NULL: any */
  int level;              /* 0: any */
  int question_count, pass_percent, time_limit_min, max_attempts;
  const char *purpose;    /* "practice" (NULL) or "placement": a check at the start, again at the end */
} quiz_def;

/* Creates a quiz; 400 naming the field for an unknown competence, 409 when the bank holds no
 * question it could draw. */
int quiz_create(store_conn *w, const quiz_def *d, int64_t user_id, int64_t *id, app_err *e);
/* Quizzes, with the caller's own record of each: attempts used, best score, passed, the attempt
 * still open. */
int quiz_list(store_conn *c, int64_t user_id, int64_t person_id, int page, int per_page, json_t **items, int64_t *total, app_err *e);
/* Starts an attempt (or answers the one still open: 200 instead of 201 in *status): the questions
 * drawn, without answers. 404 for an unknown quiz, 409 when the attempts are used up or the bank has
 * no question for it. */
int quiz_start(store_conn *w, int64_t quiz_id, int64_t user_id, int64_t person_id, json_t **out, int *status, app_err *e);
/* The same start in three steps, so that the writer is held only for what must be decided in
 * its transaction (issue 8's synchronised start): quiz_draw_new reads the quiz and draws its
 * questions on any connection, before the writer is taken (404, 409 for an empty bank);
 * quiz_start_drawn, in the write transaction, answers the attempt still open (*status 200, *out
 * its view) or checks the attempts used (409) and inserts the drawn attempt (*status 201, *id,
 * *started; *out NULL); quiz_draw_view, after the commit and on any connection, is the new
 * attempt's view, the same as quiz_attempt_get's. */
typedef struct quiz_draw quiz_draw;
int quiz_draw_new(store_conn *c, int64_t quiz_id, quiz_draw **out, app_err *e);
int quiz_start_drawn(store_conn *w, const quiz_draw *d, int64_t user_id, int64_t person_id, int64_t assisted_by,
                     int64_t *id, int64_t *started, json_t **out, int *status, app_err *e);
int quiz_draw_view(store_conn *c, const quiz_draw *d, int64_t id, int64_t started, json_t **out, app_err *e);
/* The same answer written as JSON text into `b` (a class starting together: no tree to build and
 * serialise per learner); not for an assisted start (its view names the helper). */
int quiz_draw_view_text(store_conn *c, const quiz_draw *d, int64_t id, int64_t started, buf *b, app_err *e);
/* After the commit: keeps the drawn items for the attempt's submission (which compares them with
 * the row it reads, so keeping is never wrong, only saves parsing them again). */
void quiz_draw_keep(store_conn *c, const quiz_draw *d, int64_t id);
void quiz_draw_free(quiz_draw *d);
/* Starts (or answers again) an attempt that the field helper `helper_id` runs with the resident
 * `person_id`, present (issue 8 part 7): the attempt is the helper's to see and submit (user_id),
 * the resident's to count (person_id: attempt limits, scores, certificates), and carries
 * assisted_by. A placement quiz draws its questions spread over its competences (quiz.c). */
int quiz_start_assisted(store_conn *w, int64_t quiz_id, int64_t helper_id, int64_t person_id, json_t **out, int *status,
                        app_err *e);
/* The attempt's user (for the dispatcher's check); 404 when absent. */
int quiz_attempt_owner(store_conn *c, int64_t attempt_id, int64_t *user_id, app_err *e);
/* The attempt: its questions without answers while open; once submitted, the review (choices,
 * right answers, feedback, explanations, scores). */
int quiz_attempt_get(store_conn *c, int64_t attempt_id, json_t **out, app_err *e);
/* Grades the answers (an array aligned with the attempt's questions) and closes the attempt; in
 * the same transaction, issues the certificates the attempt completes (certs.h), listed in the
 * answer's `certificates`. `answers` NULL: the answers saved last (quiz_answers_save), none saved
 * counting as all blank. 400 naming `answers` for a malformed answer; 409 when already submitted
 * or past its time. */
/* Saving the answers of an open attempt as the learner gives them (a phone that loses its network
 * or a page reloaded loses nothing; the view of an open attempt carries them as saved_answers), in
 * two steps so that the writer is held for one UPDATE: quiz_answers_check, on any connection,
 * checks the attempt is `user_id`'s (403: it says nothing more of someone else's), open (409 when submitted or past its time) and every answer's form against
 * its question (400 naming `answers`, as quiz_submit would) and never grades; quiz_answers_save,
 * in the write transaction, replaces the saved answers while the attempt is still open (409 if it
 * was submitted or ran out of time meanwhile). */
int quiz_answers_check(store_conn *c, int64_t attempt_id, int64_t user_id, const json_t *answers, app_err *e);
int quiz_answers_save(store_conn *w, int64_t attempt_id, int64_t user_id, const json_t *answers, app_err *e);
int quiz_submit(store_conn *w, const secrets *keys, int64_t attempt_id, const json_t *answers, json_t **out,
                app_err *e);
/* The same submission with its answer (the same JSON as the tree) written as text into `b`, built
 * from what the submission read and wrote (nothing is read back), and what an audit of it needs. */
typedef struct quiz_submitted {
  int64_t assisted_by, person_id; /* assisted_by 0: the learner's own attempt */
  double score_percent;
  bool again; /* the same submission sent again: its stored result, nothing written (nor audited) */
} quiz_submitted;
int quiz_submit_text(store_conn *w, const secrets *keys, int64_t attempt_id, const json_t *answers, buf *b,
                     quiz_submitted *done, app_err *e);
/* The same in two steps, so that the writer is not held while the answer is written:
 * quiz_submit_close, in the write transaction, does all of the submission and keeps the attempt as
 * submitted (*out, the caller's to free); quiz_closed_text, after the commit and on any connection,
 * writes its answer. */
typedef struct quiz_closed quiz_closed;
int quiz_submit_close(store_conn *w, const secrets *keys, int64_t attempt_id, const json_t *answers, quiz_closed **out,
                      quiz_submitted *done, app_err *e);
int quiz_closed_text(store_conn *c, const quiz_closed *s, buf *b, app_err *e);
void quiz_closed_free(quiz_closed *s);

/* ---- attempts whose time ran out (docs/LEARNING.md, "Time up") ----
 * An attempt past its deadline and the grace with nobody submitting it is graded on its saved sheet
 * (none: all blank, 0 %, failed) exactly as its submission would have been — scores per competence,
 * certificates — closed at its deadline. Who closes it first: the learner's next view of it, or the
 * server's maintenance turn (every app server's, at most a second apart between import jobs); the
 * close is the submission's conditional UPDATE, so that only one of them (or a late submission)
 * counts.
 * In the writer's transaction: *closed when this call closed it (0 and not closed: not expired, or
 * closed already). */
int quiz_close_expired(store_conn *w, const secrets *keys, int64_t attempt_id, bool *closed, app_err *e);
/* The ids of at most `max` attempts expired at `now` and not closed, those whose time ran out first
 * first. */
int quiz_expired_list(store_conn *c, int64_t now, int max, int64_t *ids, int *n);
/* Closes at most `max` (up to 64) expired attempts, each in its own short transaction. *closed: how
 * many this call closed. 0, or -1 with a message for the log. */
int quiz_expire_sweep(store *st, const secrets *keys, int64_t now, int max, int *closed, char *err, size_t errlen);

/* Answers to an open attempt as a learner would give them, for the demo and the benchmarks: each
 * question answered right with probability `right` (0..1), else wrongly; `seed` makes it repeatable. */
int quiz_sample_answers(store_conn *c, int64_t attempt_id, double right, uint64_t seed, json_t **answers, app_err *e);
/* The quiz of that title (not retired), or 0; -1 on error. */
int64_t quiz_by_title(store_conn *c, const char *title);

/* ---- pure, for tests ---- */
/* Whether `text` is accepted by `pattern` (short answers: see above). */
int quiz_short_match(const char *pattern, const char *text);

/* A numerical answer as a learner types it, the Vietnamese way or the English one; the one rule of
 * every numerical answer (a save's check and a submission's grading both go through grade()).
 * Spaces (also no-break and thin ones) anywhere are ignored; a leading + or - (or "−"); then digits
 * with "." and ",":
 * - both marks: the last one is the decimal mark (once), the other groups thousands:
 *   "1.000.000,5" and "1,000,000.5" are 1000000.5;
 * - one mark used two or more times: thousands, grouped by three ("1.000.000" and "1,000,000" are
 *   1e6; "1.5.0" and "1.00.0" are refused);
 * - one mark once: the decimal mark ("12.5" and "12,5" are 12.5, "0,125" is 0.125, "1234,567" is
 *   1234.567), except where it could as well group thousands — one to three digits not starting
 *   with 0, the mark, exactly three digits ("1.000", "1,000", "12,500"): refused as ambiguous, the
 *   learner is asked to write 1000 or 1,5;
 * - no exponent, no hexadecimal, no "inf": refused.
 * JSON numbers are taken as they are. true with *out; false with *why (Vietnamese, to follow
 * "câu trả lời"). */
bool quiz_parse_number(const char *text, double *out, const char **why);

#endif

/* lessons.h: courses, their modules and Markdown lessons, and each learner's progress (issue 8).
 * Owns: the tables courses, course_modules, lessons, lesson_progress; the rendering of a lesson's
 * Markdown to HTML (md4c), done once when the lesson is loaded.
 * Never: lets raw HTML from a lesson through (md4c's MD_FLAG_NOHTML: it is shown as text), or keeps
 * a link whose scheme is not http, https or mailto (the renderer's output is checked).
 */
#ifndef HOCVUSO_LESSONS_H
#define HOCVUSO_LESSONS_H

#include <jansson.h>
#include <stdint.h>

#include "domain/err.h"
#include "store/store.h"
#include "util/buf.h"

/* Markdown to HTML: tables, strikethrough, autolinks; raw HTML refused; a link of another scheme
 * (javascript:, data:, …) loses its target. 0, or -1 (invalid UTF-8, no memory). */
int lessons_render(const char *md, size_t len, buf *html);

/* Loads a curriculum directory (curriculum.json, its modules' Markdown lessons) into the database:
 * courses, modules and lessons upserted by their codes and positions (run again: updated in place,
 * nothing added). *nlessons counts the lessons loaded. -1 with a message in err. */
struct store;
int lessons_load_dir(struct store *st, const char *dir, int *nlessons, char *err, size_t errlen);

/* A whole curriculum directory: each module's questions into the bank (qbank_import_file, tagged by
 * their own categories) and its lessons (lessons_load_dir). Run again: nothing added. -1 with a
 * message in err (then what was loaded before stays: each file is its own transaction). */
typedef struct curriculum_counts {
  int modules, questions, rejected, lessons;
} curriculum_counts;
int curriculum_load(struct store *st, const char *dir, curriculum_counts *out, char *err, size_t errlen);

/* The courses with their modules, each module's lessons (id, title, minutes, done by the caller)
 * and its quiz, if one draws from the module's category. */
int lessons_courses(store_conn *c, int64_t user_id, json_t **items, app_err *e);
/* One lesson to read, written as JSON into `out`: {id, title, minutes, competencies, html, course,
 * module{code, title}, done, previous, next}. 404. */
int lessons_get(store_conn *c, int64_t lesson_id, int64_t user_id, buf *out, app_err *e);
/* Marks the lesson done for the user (again: nothing changes). 404 when it does not exist. */
int lessons_complete(store_conn *w, int64_t lesson_id, int64_t user_id, app_err *e);

#endif

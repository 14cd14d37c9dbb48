/* qbank.h: the question bank (issue 8): questions kept from GIFT and Moodle XML files (qformat.h),
 * each tagged with one competence of the frameworks and a level 1–8; and the frameworks'
 * competences themselves (Thông tư 02/2025/TT-BGDĐT, QĐ 757/QĐ-BKHCN), stored as data.
 * Owns: the tables competencies and questions.
 * Never: gives a question's answers to a learner (quizzes draw from here and grade on the server),
 * or holds the writer while a file is read or a question is checked.
 *
 * Tags: a question's category may carry them as path segments, "…/<competence code>/<level>"
 * (the starter curriculum writes "KNS-CB/M03/2.6/1"); otherwise the defaults the importer chose
 * for the file apply; a question with neither is reported, not kept untagged.
 */
#ifndef HOCVUSO_QBANK_H
#define HOCVUSO_QBANK_H

#include <jansson.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/qformat.h"
#include "store/store.h"

#define QBANK_MAX_COMPETENCIES 256
/* The most questions one file may hold (kept or reported): its import is one transaction on the
 * single writer, which must stay short (8 MiB of one-line questions, 390,000 of them, held it for
 * seconds). The message says to split the file. */
#define QBANK_FILE_QUESTIONS_MAX 5000
#define QBANK_TOO_MANY_MSG "Tệp có quá nhiều câu hỏi (tối đa 5000 câu mỗi tệp): hãy chia thành nhiều tệp nhỏ hơn."

/* The competences known, read once per import (a reader is enough). */
typedef struct qbank_comps {
  int n;
  struct {
    int64_t id;
    char code[16];
  } c[QBANK_MAX_COMPETENCIES];
} qbank_comps;
int qbank_comps_load(store_conn *c, qbank_comps *out);
/* The id of a competence code ("2.6"), or 0. */
int64_t qbank_comp_id(const qbank_comps *k, const char *code);

/* Tags from a category path: the last segment that is a known competence code, and the level
 * segment right after it (1–8). 0 when both were found, -1 otherwise. */
int qbank_tags_of(const qbank_comps *k, const char *category, int64_t *competency_id, int *level);

/* One question ready to store: every field computed before the writer is taken. */
typedef struct qbank_row {
  const q_item *q;
  int64_t competency_id;
  int level;
  char *body; /* JSON: answers, true/false answer and feedback (malloc) */
  char hash[65];
} qbank_row;

/* Prepares the rows of f's questions: tags (the question's own, else the defaults), body, hash.
 * A question without tags is moved to f's problems. *rows is malloc'd (qbank_rows_free). */
int qbank_prepare(q_file *f, const qbank_comps *k, int64_t default_competency, int default_level, qbank_row **rows,
                  int *nrows);
void qbank_rows_free(qbank_row *rows, int nrows);
/* Stores the rows inside the caller's write transaction; those already in the bank (same content)
 * are counted unchanged. */
int qbank_store(store_conn *w, const qbank_row *rows, int nrows, const char *source, int64_t user_id, int *imported,
                int *unchanged);

/* The problems of f, by line, as [{line, name, reason}]. */
json_t *qbank_problems_json(q_file *f);
/* Imports a question file (GIFT or Moodle XML, by content) as the operator: read and checked with
 * nothing held, then stored in one short write transaction; `competency` (a code) and `level` are
 * the defaults for untagged questions (NULL, 0: none). *out: {"imported", "unchanged", "rejected": [{line, name, reason}]}.
 * -1 with a Vietnamese message in err when the file cannot be read, a default is unknown, or the
 * database fails. */
struct store;
int qbank_import_file(struct store *st, const char *path, const char *competency, int level, const char *source,
                      json_t **out, char *err, size_t errlen);

typedef struct qbank_query {
  const char *competency; /* a code, or NULL */
  int level;              /* 0: any */
  const char *type;       /* qformat_type_code, or NULL */
  const char *q;          /* words of the name or text, or NULL */
  int page, per_page;
} qbank_query;
/* Questions, newest first: {id, name, type, text, format, competency, competency_name, level,
 * category, has_explanation, created_at}. 400 naming the field for an unknown competence or type. */
int qbank_list(store_conn *c, const qbank_query *q, json_t **items, int64_t *total, app_err *e);
/* One question with its answers and explanation (for the staff who keep the bank). 404. */
int qbank_get(store_conn *c, int64_t id, json_t **out, app_err *e);
/* Adds a competence to a framework (a framework is extended, or a new one loaded, as data). 400
 * naming the field for a malformed code; 409 when the framework already has that code. */
typedef struct qbank_comp_def {
  const char *framework, *code, *domain_code, *domain_name, *name;
} qbank_comp_def;
int qbank_competency_add(store_conn *w, const qbank_comp_def *d, int64_t *id, app_err *e);
/* Loads a framework table (CSV or XLSX with the columns of shared/data/khung-nang-luc-so.csv:
 * framework, domain_code, domain_name, competency_code, competency_name): the rows not yet there
 * are added, the others left alone. *added, *kept count them; -1 with a message in err. */
int qbank_competencies_load(struct store *st, const char *path, int *added, int *kept, char *err, size_t errlen);
/* Every competence: {id, framework, code, domain_code, domain_name, name, questions}. */
int qbank_competencies(store_conn *c, json_t **items, app_err *e);

#endif

/* qformat.h: quiz questions read from a file — Moodle's GIFT text format and Moodle XML — into one
 * model. Each question keeps the line it starts on; a question that cannot be used is reported with
 * that line, its name and a Vietnamese reason, and the others are kept (Moodle rejects the whole
 * file by default).
 * Owns: the model, the rules every imported question must meet (qformat_check: types, answer
 * counts, grades from Moodle's list) and the two readers (qformat_gift.c, qformat_xml.c).
 * Never: touches the database, or trusts a file's markup: texts keep their declared format, and
 * whoever shows them decides what of it is shown.
 */
#ifndef HOCVUSO_QFORMAT_H
#define HOCVUSO_QFORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

/* The types the question bank grades on the server. */
typedef enum {
  QT_SINGLE,    /* one right choice */
  QT_MULTI,     /* several choices, each with its share of the mark */
  QT_TRUEFALSE, /* đúng / sai */
  QT_MATCHING,  /* pairs */
  QT_SHORT,     /* a typed answer compared with the accepted ones ('*' any text) */
  QT_NUMERICAL, /* a number within a tolerance */
} qt_type;

/* The format a text was written in (GIFT's [html] [moodle] [plain] [markdown]; XML's format=). */
typedef enum { QF_MOODLE, QF_HTML, QF_PLAIN, QF_MARKDOWN } qf_format;

typedef struct q_answer {
  const char *text;     /* the choice, the accepted answer, a matching pair's left side, or the number */
  const char *match;    /* matching: the right side ("" left: an extra right side with no pair) */
  const char *feedback; /* or NULL */
  double fraction;      /* its share of the mark, -1..1 */
  double tolerance;     /* numerical: accepted distance from the number */
} q_answer;

#define Q_MAX_ANSWERS 64
#define Q_MAX_TEXT 65536 /* bytes of one text (question, answer or feedback) */

typedef struct q_item {
  int line;               /* where the question starts in the file (1: the first line) */
  qt_type type;
  const char *category;   /* "Kỹ năng số/An toàn" ('/' between levels), or NULL */
  const char *name;       /* the title; from the text when the file gives none */
  const char *text;
  qf_format format;       /* of the text; answers and feedback follow it unless they say otherwise */
  const char *general_feedback; /* or NULL */
  const char *idnumber;   /* or NULL */
  bool answer_true;       /* true/false: the right answer */
  const char *feedback_right, *feedback_wrong; /* true/false: shown after a right / a wrong answer */
  q_answer *answers;
  int nanswers;
} q_item;

typedef struct q_problem {
  int line;
  const char *name;   /* the question's title, or NULL */
  const char *reason; /* Vietnamese */
} q_problem;

/* What a file held: its questions and its problems, in file order, all in `a`. */
typedef struct q_file {
  arena a;
  q_item *items;
  int nitems, cap_items;
  q_problem *problems;
  int nproblems, cap_problems;
  const char *fatal; /* the file as a whole could not be read (not UTF-8, not XML, …): Vietnamese */
} q_file;

void q_file_init(q_file *f);
void q_file_free(q_file *f);

/* Reads a GIFT file. 0, or -1 with f->fatal set (nothing read). */
int qformat_gift(q_file *f, const char *data, size_t len);
/* Reads a Moodle XML file (<quiz>…</quiz>). 0, or -1 with f->fatal set (nothing kept). */
int qformat_xml(q_file *f, const char *data, size_t len);
/* Either, by the content: XML when the first non-blank character is '<'. */
int qformat_read(q_file *f, const char *data, size_t len);

/* ---- shared by the readers ---- */
/* Whether a question may be used; NULL, or the Vietnamese reason. */
const char *qformat_check(const q_item *q);
/* A grade Moodle accepts (±1, ±0.9, …, ±0.05, 0; within 1e-5). */
bool qformat_grade_ok(double fraction);
/* Keeps q (its texts already in f->a) when qformat_check accepts it, else reports it. */
void qformat_keep(q_file *f, const q_item *q);
void qformat_problem(q_file *f, int line, const char *name, const char *reason);
/* The category path without Moodle's context prefix ("$course$/top/Alpha" → "Alpha"); NULL if empty. */
const char *qformat_category(q_file *f, const char *path);
/* A title from the text when the file gives none: its first words, tags dropped, up to 80 bytes. */
const char *qformat_name_from_text(q_file *f, const char *text);
/* The text NFC-normalised and copied into f->a (NULL stays NULL). */
const char *qformat_text(q_file *f, const char *s, size_t n);
/* "single" | "multi" | "truefalse" | "matching" | "short" | "numerical". */
const char *qformat_type_code(qt_type t);

#endif

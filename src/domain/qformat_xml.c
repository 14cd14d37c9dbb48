/* qformat_xml.c: Moodle XML question files (<quiz><question type="…">…</question>…</quiz>), read
 * with expat as a stream (see qformat.h). Kept: multichoice, truefalse, shortanswer, matching,
 * numerical, and the category a question belongs to; any other type (cloze, essay, description,
 * drag and drop, …) is reported with its line. Embedded files (<file>, the old <image_base64>) are
 * not kept, and the question says so in its problem list only if nothing else is wrong with it.
 * Never: fetches an external entity (expat is told never to), or holds more than one question's
 * texts outside the result.
 */
#include <expat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/qformat.h"
#include "util/buf.h"

#define XQ_MAX_DEPTH 64

typedef struct xq {
  q_file *f;
  XML_Parser p;
  int depth;
  const char *stack[XQ_MAX_DEPTH]; /* element names (in f->a) */
  buf text;                        /* the current element's character data */
  bool capture;
  const char *category;
  /* the question being read */
  bool in_q;
  int line;
  char type[32];
  q_item q;
  bool single;
  int cur; /* the answer being read, or -1 */
  const char *tolerance[Q_MAX_ANSWERS + 1];
  const char *cat_path;
} xq;

static const char *parent(const xq *x, int up) { return x->depth - 1 - up >= 0 ? x->stack[x->depth - 1 - up] : ""; }
static bool is(const char *a, const char *b) { return a && strcmp(a, b) == 0; }

static const char *attr(const XML_Char **atts, const char *name) {
  for (int i = 0; atts && atts[i]; i += 2)
    if (strcmp(atts[i], name) == 0) return atts[i + 1];
  return NULL;
}

static qf_format format_of(const char *a) {
  if (!a) return QF_MOODLE;
  if (strcmp(a, "html") == 0) return QF_HTML;
  if (strcmp(a, "plain_text") == 0) return QF_PLAIN;
  if (strcmp(a, "markdown") == 0) return QF_MARKDOWN;
  return QF_MOODLE;
}

static const char *trimmed(xq *x) {
  const char *s = x->text.data;
  size_t n = x->text.len;
  while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
  return qformat_text(x->f, s, n);
}

static q_answer *answer_at(xq *x) { return x->cur >= 0 ? &x->q.answers[x->cur] : NULL; }

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  xq *x = ud;
  if (x->depth >= XQ_MAX_DEPTH) {
    XML_StopParser(x->p, XML_FALSE);
    return;
  }
  const char *up = parent(x, 0);
  x->stack[x->depth++] = arena_strdup(&x->f->a, name);
  x->capture = false;
  if (is(name, "question") && is(up, "quiz")) {
    memset(&x->q, 0, sizeof x->q);
    memset(x->tolerance, 0, sizeof x->tolerance);
    x->in_q = true;
    x->line = (int)XML_GetCurrentLineNumber(x->p);
    snprintf(x->type, sizeof x->type, "%s", attr(atts, "type") ? attr(atts, "type") : "");
    x->q.line = x->line;
    x->q.category = x->category;
    x->q.answers = arena_alloc(&x->f->a, sizeof *x->q.answers * (Q_MAX_ANSWERS + 1));
    x->single = true;
    x->cur = -1;
    x->cat_path = NULL;
    return;
  }
  if (!x->in_q) return;
  if ((is(name, "answer") && is(up, "question")) || (is(name, "subquestion") && is(up, "question"))) {
    if (x->q.nanswers <= Q_MAX_ANSWERS) {
      x->cur = x->q.nanswers++;
      const char *fr = attr(atts, "fraction");
      x->q.answers[x->cur].fraction = fr ? strtod(fr, NULL) / 100.0 : 0;
    } else {
      x->cur = -1;
    }
    return;
  }
  if (is(name, "questiontext") && is(up, "question")) x->q.format = format_of(attr(atts, "format"));
  bool leaf = is(name, "text") || ((is(name, "idnumber") || is(name, "single")) && is(up, "question")) ||
              (is(name, "tolerance") && is(up, "answer"));
  if (leaf) {
    buf_clear(&x->text);
    x->capture = true;
  }
}

static void on_text(void *ud, const XML_Char *s, int len) {
  xq *x = ud;
  if (x->capture && x->text.len < Q_MAX_TEXT + 1) buf_append(&x->text, s, (size_t)len);
}

static void finish(xq *x) {
  q_item *q = &x->q;
  q_file *f = x->f;
  if (is(x->type, "category")) {
    x->category = qformat_category(f, x->cat_path);
    return;
  }
  if (!q->name || !*q->name) q->name = qformat_name_from_text(f, q->text);
  if (q->nanswers > Q_MAX_ANSWERS) {
    qformat_problem(f, q->line, q->name, "Câu hỏi có quá nhiều phương án (tối đa 64).");
    return;
  }
  if (is(x->type, "multichoice")) {
    q->type = x->single ? QT_SINGLE : QT_MULTI;
  } else if (is(x->type, "shortanswer")) {
    q->type = QT_SHORT;
  } else if (is(x->type, "matching")) {
    q->type = QT_MATCHING;
  } else if (is(x->type, "numerical")) {
    q->type = QT_NUMERICAL;
    for (int i = 0; i < q->nanswers; i++) {
      q_answer *a = &q->answers[i];
      char *end = NULL;
      if (a->text && strcmp(a->text, "*") != 0) {
        strtod(a->text, &end);
        if (!*a->text || (end && *end)) {
          qformat_problem(f, q->line, q->name, "Đáp án của câu hỏi số phải là một số.");
          return;
        }
      }
      if (x->tolerance[i] && *x->tolerance[i]) {
        a->tolerance = strtod(x->tolerance[i], &end);
        if (*end || a->tolerance < 0) {
          qformat_problem(f, q->line, q->name, "Sai số của câu hỏi số phải là một số không âm.");
          return;
        }
      }
    }
  } else if (is(x->type, "truefalse")) {
    q->type = QT_TRUEFALSE;
    const char *fb_true = NULL, *fb_false = NULL;
    bool found = false;
    for (int i = 0; i < q->nanswers; i++) {
      const char *t = q->answers[i].text ? q->answers[i].text : "";
      bool says_true = strcasecmp(t, "true") == 0 || strcmp(t, "đúng") == 0;
      bool says_false = strcasecmp(t, "false") == 0 || strcmp(t, "sai") == 0;
      if (says_true) fb_true = q->answers[i].feedback;
      if (says_false) fb_false = q->answers[i].feedback;
      if ((says_true || says_false) && q->answers[i].fraction > 0.999) {
        q->answer_true = says_true;
        found = true;
      }
    }
    if (!found) {
      qformat_problem(f, q->line, q->name, "Câu hỏi đúng/sai không chỉ ra đáp án đúng (phương án “true” hoặc “false” được 100%).");
      return;
    }
    q->feedback_right = q->answer_true ? fb_true : fb_false;
    q->feedback_wrong = q->answer_true ? fb_false : fb_true;
    q->nanswers = 0;
  } else {
    char why[200];
    if (is(x->type, "essay"))
      snprintf(why, sizeof why, "Câu hỏi tự luận (essay) cần người chấm: hệ thống chỉ nhận câu hỏi chấm tự động.");
    else if (is(x->type, "description"))
      snprintf(why, sizeof why, "Đây là một đoạn mô tả (description), không phải câu hỏi.");
    else
      snprintf(why, sizeof why, "Loại câu hỏi “%.60s” chưa được hỗ trợ (chỉ nhận: một đáp án, nhiều đáp án, đúng/sai, ghép nối, trả lời ngắn, số).",
               x->type[0] ? x->type : "?");
    qformat_problem(f, q->line, q->name, why);
    return;
  }
  /* An answer written without its <text> is an empty one (never a missing string). */
  for (int i = 0; i < q->nanswers; i++)
    if (!q->answers[i].text) q->answers[i].text = "";
  /* Empty feedback is no feedback. */
  for (int i = 0; i < q->nanswers; i++)
    if (q->answers[i].feedback && !*q->answers[i].feedback) q->answers[i].feedback = NULL;
  if (q->general_feedback && !*q->general_feedback) q->general_feedback = NULL;
  if (q->idnumber && !*q->idnumber) q->idnumber = NULL;
  qformat_keep(f, q);
}

static void on_end(void *ud, const XML_Char *name) {
  xq *x = ud;
  if (x->depth == 0) return;
  x->depth--;
  const char *up = parent(x, 0), *up2 = parent(x, 1);
  bool captured = x->capture;
  x->capture = false;
  if (!x->in_q) return;
  if (is(name, "question") && is(up, "quiz")) {
    finish(x);
    x->in_q = false;
    return;
  }
  if ((is(name, "answer") || is(name, "subquestion")) && is(up, "question")) {
    x->cur = -1;
    return;
  }
  if (!captured) return;
  q_answer *a = answer_at(x);
  if (is(name, "text")) {
    const char *t = trimmed(x);
    if (is(up, "name") && is(up2, "question")) x->q.name = t;
    else if (is(up, "questiontext") && is(up2, "question")) x->q.text = t;
    else if (is(up, "generalfeedback") && is(up2, "question")) x->q.general_feedback = t;
    else if (is(up, "category") && is(up2, "question")) x->cat_path = t;
    else if (is(up, "answer") && is(up2, "question") && a) a->text = t;
    else if (is(up, "feedback") && is(up2, "answer") && a) a->feedback = t;
    else if (is(up, "subquestion") && is(up2, "question") && a) a->text = t;
    else if (is(up, "answer") && is(up2, "subquestion") && a) a->match = t;
  } else if (is(name, "idnumber")) {
    x->q.idnumber = trimmed(x);
  } else if (is(name, "single")) {
    const char *t = trimmed(x);
    x->single = !(strcmp(t, "false") == 0 || strcmp(t, "0") == 0);
  } else if (is(name, "tolerance") && x->cur >= 0) {
    x->tolerance[x->cur] = trimmed(x);
  }
}

int qformat_xml(q_file *f, const char *data, size_t len) {
  xq x = {.f = f, .cur = -1};
  buf_init(&x.text);
  int rc = 0;
  x.p = XML_ParserCreate(NULL);
  if (!x.p) {
    f->fatal = "Không đủ bộ nhớ để đọc tệp.";
    buf_free(&x.text);
    return -1;
  }
  XML_SetUserData(x.p, &x);
  XML_SetElementHandler(x.p, on_start, on_end);
  XML_SetCharacterDataHandler(x.p, on_text);
  XML_SetParamEntityParsing(x.p, XML_PARAM_ENTITY_PARSING_NEVER);
  int kept_before = f->nitems;
  if (len > (size_t)INT32_MAX) {
    f->fatal = "Tệp quá lớn.";
    rc = -1;
  } else if (XML_Parse(x.p, data, (int)len, XML_TRUE) == XML_STATUS_ERROR) {
    int line = (int)XML_GetCurrentLineNumber(x.p);
    enum XML_Error code = XML_GetErrorCode(x.p);
    char why[256];
    if (x.depth >= XQ_MAX_DEPTH) {
      snprintf(why, sizeof why, "Tệp XML lồng quá %d cấp ở dòng %d: không đọc tiếp được.", XQ_MAX_DEPTH, line);
    } else if (code == XML_ERROR_UNKNOWN_ENCODING || code == XML_ERROR_INCORRECT_ENCODING) {
      snprintf(why, sizeof why, "Tệp XML dùng bảng mã không được hỗ trợ (dòng %d). Hãy lưu tệp với mã UTF-8.", line);
    } else {
      snprintf(why, sizeof why, "Tệp XML hỏng ở dòng %d (%s): phần sau đó không đọc được.", line, XML_ErrorString(code));
    }
    if (f->nitems == kept_before && f->nproblems == 0) {
      f->fatal = arena_strdup(&f->a, why); /* nothing could be read */
      rc = -1;
    } else {
      qformat_problem(f, line, NULL, why); /* the questions before the damage are kept */
    }
  }
  if (rc == 0 && x.text.oom) {
    f->fatal = "Không đủ bộ nhớ để đọc tệp.";
    rc = -1;
  }
  if (rc == 0 && f->nitems == kept_before && f->nproblems == 0 && !x.category) {
    f->fatal = "Tệp XML không có câu hỏi nào (cần dạng <quiz><question …>…</question></quiz> của Moodle).";
    rc = -1;
  }
  XML_ParserFree(x.p);
  buf_free(&x.text);
  return rc;
}

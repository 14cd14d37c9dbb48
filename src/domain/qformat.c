/* qformat.c: the question model's rules and the helpers both readers share (see qformat.h). */
#include "domain/qformat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fold.h"
#include "util/utf8.h"

void q_file_init(q_file *f) {
  memset(f, 0, sizeof *f);
  arena_init(&f->a);
}

void q_file_free(q_file *f) {
  arena_free(&f->a);
  memset(f, 0, sizeof *f);
}

/* Moodle's list of grades (question_bank::fraction_options_full), positive side. */
static const double grades[] = {1.0,       0.9, 0.8333333, 0.8,       0.75,      0.7,   0.6666667,
                                0.6,       0.5, 0.4,       0.3333333, 0.3,       0.25,  0.2,
                                0.1666667, 0.1428571, 0.125, 0.1111111, 0.1,    0.05,  0.0};

bool qformat_grade_ok(double fraction) {
  double a = fabs(fraction);
  for (size_t i = 0; i < sizeof grades / sizeof grades[0]; i++)
    if (fabs(a - grades[i]) < 1e-5) return true;
  return false;
}

const char *qformat_type_code(qt_type t) {
  switch (t) {
    case QT_SINGLE: return "single";
    case QT_MULTI: return "multi";
    case QT_TRUEFALSE: return "truefalse";
    case QT_MATCHING: return "matching";
    case QT_SHORT: return "short";
    case QT_NUMERICAL: return "numerical";
  }
  return "?";
}

static bool blank(const char *s) {
  for (; s && *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
  return true;
}

const char *qformat_check(const q_item *q) {
  if (blank(q->text)) return "Câu hỏi không có nội dung.";
  if (q->nanswers > Q_MAX_ANSWERS) return "Câu hỏi có quá nhiều phương án (tối đa 64).";
  int full = 0;
  double positive = 0;
  for (int i = 0; i < q->nanswers; i++) {
    const q_answer *a = &q->answers[i];
    if (!qformat_grade_ok(a->fraction)) {
      static _Thread_local char why[160];
      snprintf(why, sizeof why, "Điểm %.4g%% của một phương án không thuộc các mức cho phép (ví dụ 100%%, 50%%, 33,33333%%, 25%%).",
               a->fraction * 100);
      return why;
    }
    if (fabs(a->fraction - 1.0) < 1e-5) full++;
    if (a->fraction > 0) positive += a->fraction;
  }
  switch (q->type) {
    case QT_SINGLE:
    case QT_MULTI: {
      int choices = 0;
      for (int i = 0; i < q->nanswers; i++) choices += !blank(q->answers[i].text);
      if (choices < 2) return "Câu hỏi trắc nghiệm cần ít nhất 2 phương án.";
      if (choices != q->nanswers) return "Một phương án của câu hỏi trắc nghiệm để trống.";
      if (q->type == QT_SINGLE && full == 0) return "Câu hỏi một đáp án cần một phương án đúng 100%.";
      if (q->type == QT_MULTI && fabs(positive - 1.0) > 0.001)
        return "Câu hỏi nhiều đáp án: tổng điểm các phương án đúng phải bằng 100%.";
      break;
    }
    case QT_TRUEFALSE: break;
    case QT_MATCHING: {
      int pairs = 0;
      for (int i = 0; i < q->nanswers; i++) {
        if (blank(q->answers[i].match)) return "Một cặp ghép nối thiếu vế phải.";
        pairs += !blank(q->answers[i].text);
      }
      if (pairs < 2) return "Câu hỏi ghép nối cần ít nhất 2 cặp.";
      break;
    }
    case QT_SHORT:
    case QT_NUMERICAL:
      if (q->nanswers < 1) return "Câu hỏi cần ít nhất một đáp án được chấp nhận.";
      for (int i = 0; i < q->nanswers; i++)
        if (blank(q->answers[i].text)) return "Một đáp án được chấp nhận của câu hỏi để trống.";
      if (full == 0) return "Một đáp án phải được 100% để có thể đạt điểm tối đa.";
      break;
  }
  return NULL;
}

static void *grow(arena *a, void *old, int n, int *cap, size_t size) {
  if (n < *cap) return old;
  int ncap = *cap ? *cap * 2 : 16;
  void *p = arena_alloc(a, size * (size_t)ncap);
  if (old) memcpy(p, old, size * (size_t)n);
  *cap = ncap;
  return p;
}

void qformat_problem(q_file *f, int line, const char *name, const char *reason) {
  f->problems = grow(&f->a, f->problems, f->nproblems, &f->cap_problems, sizeof *f->problems);
  f->problems[f->nproblems++] = (q_problem){line, name ? arena_strdup(&f->a, name) : NULL, arena_strdup(&f->a, reason)};
}

void qformat_keep(q_file *f, const q_item *q) {
  const char *why = qformat_check(q);
  if (why) {
    qformat_problem(f, q->line, q->name, why);
    return;
  }
  f->items = grow(&f->a, f->items, f->nitems, &f->cap_items, sizeof *f->items);
  f->items[f->nitems++] = *q;
}

const char *qformat_text(q_file *f, const char *s, size_t n) {
  if (!s) return NULL;
  if (n > Q_MAX_TEXT) { /* cut, but never inside a character */
    n = Q_MAX_TEXT;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  }
  char *raw = arena_strndup(&f->a, s, n);
  char *nfc = text_nfc(raw);
  if (!nfc) return raw;
  char *out = arena_strdup(&f->a, nfc);
  free(nfc);
  return out;
}

const char *qformat_category(q_file *f, const char *path) {
  if (!path) return NULL;
  while (*path == ' ') path++;
  if (path[0] == '$') { /* $course$/, $module$/, $system$/, $cat1$/ … */
    const char *end = strchr(path + 1, '$');
    if (end && end[1] == '/') path = end + 2;
    else if (end && !end[1]) path = end + 1;
  }
  if (strncmp(path, "top/", 4) == 0) path += 4;
  else if (strcmp(path, "top") == 0) path += 3;
  size_t n = strlen(path);
  while (n > 0 && (path[n - 1] == ' ' || path[n - 1] == '/')) n--;
  return n ? qformat_text(f, path, n) : NULL;
}

const char *qformat_name_from_text(q_file *f, const char *text) {
  char out[96];
  size_t o = 0;
  bool tag = false, space = false;
  for (const char *p = text ? text : ""; *p; p++) {
    if (*p == '<') tag = true;
    else if (*p == '>' && tag) tag = false;
    else if (!tag) {
      if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
        space = o > 0;
        continue;
      }
      unsigned char c = (unsigned char)*p;
      size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2; /* whole characters only */
      if (o + (space ? 1 : 0) + len > 80 || strnlen(p, len) < len) break;
      if (space) out[o++] = ' ';
      space = false;
      memcpy(out + o, p, len);
      o += len;
      p += len - 1;
    }
  }
  out[o] = 0;
  return o ? qformat_text(f, out, o) : "Câu hỏi";
}

int qformat_read(q_file *f, const char *data, size_t len) {
  size_t i = 0;
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) i = 3;
  while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')) i++;
  return i < len && data[i] == '<' ? qformat_xml(f, data, len) : qformat_gift(f, data, len);
}

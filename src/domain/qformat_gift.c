/* qformat_gift.c: Moodle's GIFT format (see qformat.h, and ../shared/data/moodle-question-fixtures
 * README's "GIFT grammar on one page", which follows Moodle's own parser where it and the docs
 * differ). Questions are blocks of lines separated by blank lines; `//` lines are comments.
 * Escaped characters (\~ \= \# \{ \} \: \\ and \n) are turned into one control byte each before a
 * block is read (as Moodle turns them into placeholders), so that every search below sees only the
 * markup, and back into the character when a text is taken out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/qformat.h"
#include "util/buf.h"
#include "util/utf8.h"

/* Escapes, by control byte 1..8 (the file may not hold those bytes itself). */
static const char esc_char[] = {0, '\\', '~', '=', '#', '{', '}', ':', '\n'};
static int esc_code(char c) {
  switch (c) {
    case '\\': return 1;
    case '~': return 2;
    case '=': return 3;
    case '#': return 4;
    case '{': return 5;
    case '}': return 6;
    case ':': return 7;
    case 'n': return 8;
    default: return 0;
  }
}

typedef struct span {
  const char *p;
  size_t n;
} span;

static span trim(span s) {
  while (s.n && (*s.p == ' ' || *s.p == '\t' || *s.p == '\n')) s.p++, s.n--;
  while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\n')) s.n--;
  return s;
}

static const char *find(span s, char c) { return s.n ? memchr(s.p, c, s.n) : NULL; }

static const char *find_str(span s, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = 0; i + k <= s.n; i++)
    if (memcmp(s.p + i, needle, k) == 0) return s.p + i;
  return NULL;
}

static const char *find_last_str(span s, const char *needle) {
  size_t k = strlen(needle);
  for (size_t i = s.n; i >= k; i--)
    if (memcmp(s.p + i - k, needle, k) == 0) return s.p + i - k;
  return NULL;
}

/* The text of a span, its escapes turned back into their characters, NFC, in f's arena. */
static const char *take(q_file *f, span s) {
  s = trim(s);
  buf b;
  buf_init(&b);
  for (size_t i = 0; i < s.n; i++) {
    unsigned char c = (unsigned char)s.p[i];
    buf_putc(&b, c >= 1 && c <= 8 ? esc_char[c] : (char)c);
  }
  const char *out = b.oom ? "" : qformat_text(f, b.data, b.len);
  buf_free(&b);
  return out;
}

/* A leading [html] [moodle] [plain] [markdown]: its format, and the span after it. */
static span text_format(span s, qf_format dflt, qf_format *fmt) {
  static const struct {
    const char *tag;
    qf_format f;
  } tags[] = {{"[html]", QF_HTML}, {"[moodle]", QF_MOODLE}, {"[plain]", QF_PLAIN}, {"[markdown]", QF_MARKDOWN}};
  s = trim(s);
  *fmt = dflt;
  for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
    size_t k = strlen(tags[i].tag);
    if (s.n >= k && memcmp(s.p, tags[i].tag, k) == 0) {
      *fmt = tags[i].f;
      return trim((span){s.p + k, s.n - k});
    }
  }
  return s;
}

/* An answer's text and feedback ("text#feedback"), each without its format tag. */
static void answer_and_feedback(q_file *f, span s, qf_format dflt, const char **text, const char **feedback) {
  const char *hash = find(s, '#');
  span t = hash ? (span){s.p, (size_t)(hash - s.p)} : s;
  qf_format fmt;
  *text = take(f, text_format(t, dflt, &fmt));
  *feedback = NULL;
  if (hash) {
    span fb = text_format((span){hash + 1, s.n - (size_t)(hash + 1 - s.p)}, dflt, &fmt);
    *feedback = fb.n ? take(f, fb) : NULL;
  }
}

/* A weight "%50%", "%-100%", "%33.33333%" at the start: 1 and the span after it, or 0. */
static int weight(span *s, double *w) {
  if (s->n < 3 || s->p[0] != '%') return 0;
  size_t i = 1;
  while (i < s->n && s->p[i] == '-') i++;
  size_t digits = i;
  while (i < s->n && s->p[i] >= '0' && s->p[i] <= '9') i++;
  if (i == digits || i - digits > 3) return 0;
  if (i < s->n && s->p[i] == '.') {
    i++;
    while (i < s->n && s->p[i] >= '0' && s->p[i] <= '9') i++;
  }
  if (i >= s->n || s->p[i] != '%') return 0;
  char num[32];
  size_t n = i - 1 < sizeof num - 1 ? i - 1 : sizeof num - 1;
  memcpy(num, s->p + 1, n);
  num[n] = 0;
  const char *m = num;
  bool neg = false;
  while (*m == '-') neg = !neg, m++; /* Moodle reads "%--50%" as its number; keep a sign */
  *w = strtod(m, NULL) / 100.0 * (neg ? -1 : 1);
  *s = (span){s->p + i + 1, s->n - i - 1};
  return 1;
}

/* Splits s at each `sep` (a byte of the markup): up to max parts, the first one dropped when blank. */
static int split(span s, char sep, span *parts, int max) {
  int n = 0;
  const char *start = s.p, *end = s.p + s.n;
  for (const char *p = s.p; p <= end; p++) {
    if (p == end || *p == sep) {
      if (n < max) parts[n] = (span){start, (size_t)(p - start)};
      n++;
      start = p + 1;
    }
  }
  if (n > 0 && trim(parts[0]).n == 0) {
    memmove(parts, parts + 1, sizeof *parts * (size_t)(n < max ? n - 1 : max - 1));
    n--;
  }
  return n;
}

static bool is_number(const char *s, double *v) {
  char *end;
  while (*s == ' ') s++;
  if (!*s) return false;
  *v = strtod(s, &end);
  while (*end == ' ') end++;
  return *end == 0;
}

static double num_of(q_file *f, span s, bool *ok) {
  const char *t = take(f, s);
  double v = 0;
  *ok = is_number(t, &v);
  return v;
}

/* One block: a question, a category, or nothing (comments only). */
static void read_block(q_file *f, int line, span text, const char **category) {
  text = trim(text);
  if (!text.n) return;
  if (text.n >= 10 && memcmp(text.p, "$CATEGORY:", 10) == 0) {
    *category = qformat_category(f, take(f, (span){text.p + 10, text.n - 10}));
    return;
  }
  q_item q = {.line = line, .category = *category};
  if (text.n >= 2 && memcmp(text.p, "::", 2) == 0) {
    span rest = {text.p + 2, text.n - 2};
    const char *end = find_str(rest, "::");
    if (end) {
      q.name = take(f, (span){rest.p, (size_t)(end - rest.p)});
      text = trim((span){end + 2, (size_t)(rest.p + rest.n - end - 2)});
    } else {
      text = rest;
    }
  }
  const char *open = find(text, '{'), *close = find(text, '}');
  if (!open && !close) {
    qformat_problem(f, line, q.name, "Đây là một đoạn mô tả, không phải câu hỏi: không có phần đáp án {…}.");
    return;
  }
  if (!open || !close || close < open) {
    qformat_problem(f, line, q.name, "Dấu ngoặc { } của phần đáp án không khớp nhau.");
    return;
  }
  span answers = trim((span){open + 1, (size_t)(close - open - 1)});
  /* The question's text: the answer block taken out, or a blank "_____" where text follows it. */
  buf qt;
  buf_init(&qt);
  buf_append(&qt, text.p, (size_t)(open - text.p));
  if (close + 1 < text.p + text.n) {
    buf_puts(&qt, "_____");
    buf_append(&qt, close + 1, (size_t)(text.p + text.n - close - 1));
  }
  span qs = {qt.data, qt.len};
  q.text = take(f, text_format(qs, QF_MOODLE, &q.format));
  buf_free(&qt);
  if (!q.name) q.name = qformat_name_from_text(f, q.text);
  /* General feedback: after the last "####". */
  const char *gf = find_last_str(answers, "####");
  if (gf) {
    qf_format fmt;
    span g = text_format((span){gf + 4, (size_t)(answers.p + answers.n - gf - 4)}, q.format, &fmt);
    q.general_feedback = g.n ? take(f, g) : NULL;
    answers = trim((span){answers.p, (size_t)(gf - answers.p)});
  }
  if (!answers.n) {
    qformat_problem(f, line, q.name, "Câu hỏi tự luận ({}) cần người chấm: hệ thống chỉ nhận câu hỏi chấm tự động.");
    return;
  }
  span parts[Q_MAX_ANSWERS + 1];
  q.answers = arena_alloc(&f->a, sizeof *q.answers * (Q_MAX_ANSWERS + 1));
  if (answers.p[0] == '#') { /* numerical */
    q.type = QT_NUMERICAL;
    span body = {answers.p + 1, answers.n - 1};
    const char *tilde = find(body, '~');
    span other = {0};
    if (tilde) {
      other = (span){tilde + 1, (size_t)(body.p + body.n - tilde - 1)};
      body.n = (size_t)(tilde - body.p);
    }
    int n = split(body, '=', parts, Q_MAX_ANSWERS);
    if (n == 0) {
      qformat_problem(f, line, q.name, "Câu hỏi số không có đáp án.");
      return;
    }
    for (int i = 0; i < n && i < Q_MAX_ANSWERS; i++) {
      span a = trim(parts[i]);
      q_answer *qa = &q.answers[q.nanswers++];
      qa->fraction = 1.0;
      weight(&a, &qa->fraction);
      const char *value;
      answer_and_feedback(f, a, q.format, &value, &qa->feedback);
      span v = {value, strlen(value)};
      const char *range = find_str(v, ".."), *colon = find(v, ':');
      bool ok1 = true, ok2 = true;
      double x, tol = 0;
      if (range && range > v.p) {
        double lo = num_of(f, (span){v.p, (size_t)(range - v.p)}, &ok1);
        double hi = num_of(f, (span){range + 2, (size_t)(v.p + v.n - range - 2)}, &ok2);
        x = (lo + hi) / 2;
        tol = hi - x;
      } else if (colon && colon > v.p) {
        x = num_of(f, (span){v.p, (size_t)(colon - v.p)}, &ok1);
        tol = num_of(f, (span){colon + 1, (size_t)(v.p + v.n - colon - 1)}, &ok2);
      } else {
        x = num_of(f, v, &ok1);
      }
      if (!ok1 || !ok2 || tol < 0) {
        qformat_problem(f, line, q.name, "Đáp án của câu hỏi số phải là một số, \"số:sai số\" hoặc \"nhỏ nhất..lớn nhất\".");
        return;
      }
      char norm[64];
      snprintf(norm, sizeof norm, "%.15g", x);
      qa->text = arena_strdup(&f->a, norm);
      qa->tolerance = tol;
    }
    if (n > Q_MAX_ANSWERS) q.nanswers = Q_MAX_ANSWERS + 1; /* qformat_check refuses it */
    else if (tilde && q.nanswers < Q_MAX_ANSWERS) { /* feedback for any other answer */
      q_answer *qa = &q.answers[q.nanswers++];
      const char *unused;
      answer_and_feedback(f, other, q.format, &unused, &qa->feedback);
      qa->text = "*";
      qa->fraction = 0;
    }
  } else if (find(answers, '~')) { /* multiple choice */
    /* "=" marks a right answer as "~=" would: every answer starts at a '~' or a '='. */
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < answers.n; i++) {
      if (answers.p[i] == '=') buf_putc(&b, '~');
      buf_putc(&b, answers.p[i]);
    }
    bool any_right = find(answers, '=') != NULL;
    span all = {b.data, b.len};
    int n = split(all, '~', parts, Q_MAX_ANSWERS + 1);
    for (int i = 0; i < n && i <= Q_MAX_ANSWERS; i++) {
      span a = trim(parts[i]);
      q_answer *qa = &q.answers[q.nanswers++];
      if (a.n && a.p[0] == '=') {
        qa->fraction = 1.0;
        a = trim((span){a.p + 1, a.n - 1});
      } else if (!weight(&a, &qa->fraction)) {
        qa->fraction = 0;
      }
      answer_and_feedback(f, a, q.format, &qa->text, &qa->feedback);
    }
    buf_free(&b);
    if (n > Q_MAX_ANSWERS) q.nanswers = Q_MAX_ANSWERS + 1;
    q.type = any_right ? QT_SINGLE : QT_MULTI;
  } else if (find(answers, '=') && find_str(answers, "->")) { /* matching */
    q.type = QT_MATCHING;
    int n = split(answers, '=', parts, Q_MAX_ANSWERS + 1);
    for (int i = 0; i < n && i <= Q_MAX_ANSWERS; i++) {
      span a = trim(parts[i]);
      const char *arrow = find_str(a, "->");
      if (!arrow) {
        qformat_problem(f, line, q.name, "Mỗi cặp ghép nối phải viết dạng \"=vế trái -> vế phải\".");
        return;
      }
      qf_format fmt;
      q_answer *qa = &q.answers[q.nanswers++];
      qa->text = take(f, text_format((span){a.p, (size_t)(arrow - a.p)}, q.format, &fmt));
      qa->match = take(f, (span){arrow + 2, (size_t)(a.p + a.n - arrow - 2)});
      qa->fraction = 0;
    }
    if (n > Q_MAX_ANSWERS) q.nanswers = Q_MAX_ANSWERS + 1;
  } else {
    const char *hash = find(answers, '#');
    span word = trim((span){answers.p, hash ? (size_t)(hash - answers.p) : answers.n});
    bool t = (word.n == 1 && word.p[0] == 'T') || (word.n == 4 && memcmp(word.p, "TRUE", 4) == 0);
    bool fl = (word.n == 1 && word.p[0] == 'F') || (word.n == 5 && memcmp(word.p, "FALSE", 5) == 0);
    if (t || fl) {
      q.type = QT_TRUEFALSE;
      q.answer_true = t;
      if (hash) { /* "#shown after a wrong answer#shown after a right one" */
        span rest = {hash + 1, (size_t)(answers.p + answers.n - hash - 1)};
        const char *second = find(rest, '#');
        qf_format fmt;
        span wrong = text_format(second ? (span){rest.p, (size_t)(second - rest.p)} : rest, q.format, &fmt);
        q.feedback_wrong = wrong.n ? take(f, wrong) : NULL;
        if (second) {
          span right = text_format((span){second + 1, (size_t)(rest.p + rest.n - second - 1)}, q.format, &fmt);
          q.feedback_right = right.n ? take(f, right) : NULL;
        }
      }
    } else {
      q.type = QT_SHORT;
      int n = split(answers, '=', parts, Q_MAX_ANSWERS + 1);
      for (int i = 0; i < n && i <= Q_MAX_ANSWERS; i++) {
        span a = trim(parts[i]);
        q_answer *qa = &q.answers[q.nanswers++];
        if (!weight(&a, &qa->fraction)) qa->fraction = 1.0;
        answer_and_feedback(f, a, q.format, &qa->text, &qa->feedback);
      }
      if (n > Q_MAX_ANSWERS) q.nanswers = Q_MAX_ANSWERS + 1;
    }
  }
  qformat_keep(f, &q);
}

int qformat_gift(q_file *f, const char *data, size_t len) {
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3, len -= 3;
  if (!utf8_valid(data, len)) {
    f->fatal = "Tệp không dùng mã UTF-8 (có thể là Windows-1252 hoặc UTF-16). Hãy lưu lại tệp GIFT với mã UTF-8.";
    return -1;
  }
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)data[i];
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
      f->fatal = "Tệp có ký tự điều khiển: đây không phải là một tệp văn bản GIFT.";
      return -1;
    }
  }
  buf block;
  buf_init(&block);
  const char *category = NULL;
  int line = 0, start = 0;
  size_t i = 0;
  while (i <= len) {
    size_t e = i;
    while (e < len && data[e] != '\n') e++;
    line++;
    span l = {data + i, e - i};
    if (l.n && l.p[l.n - 1] == '\r') l.n--;
    span t = trim(l);
    if (t.n == 0) {
      if (block.len) read_block(f, start, (span){block.data, block.len}, &category);
      buf_clear(&block);
      start = 0;
    } else if (!(t.n >= 2 && t.p[0] == '/' && t.p[1] == '/')) {
      if (!start) start = line;
      if (block.len) buf_putc(&block, '\n');
      for (size_t k = 0; k < t.n; k++) { /* escapes become control bytes */
        int code = t.p[k] == '\\' && k + 1 < t.n ? esc_code(t.p[k + 1]) : 0;
        if (code) {
          buf_putc(&block, (char)code);
          k++;
        } else {
          buf_putc(&block, t.p[k]);
        }
      }
    }
    i = e + 1;
  }
  if (block.len) read_block(f, start, (span){block.data, block.len}, &category);
  int rc = block.oom ? -1 : 0;
  if (block.oom) f->fatal = "Không đủ bộ nhớ để đọc tệp.";
  else if (f->nitems == 0 && f->nproblems == 0) {
    f->fatal = "Tệp không có câu hỏi nào theo định dạng GIFT.";
    rc = -1;
  }
  buf_free(&block);
  return rc;
}

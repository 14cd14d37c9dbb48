/* lessons.c: courses, modules, lessons and progress (see lessons.h). Only this file writes SQL about
 * those four tables. */
#include "domain/lessons.h"

#include <ctype.h>
#include <md4c-html.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/qbank.h"
#include "util/jsonx.h"
#include "util/clock.h"
#include "util/utf8.h"

/* Every load of a course raises its revision, in the load's transaction: a lesson kept in memory
 * (lesson_cache below) is good while its course's revision is the one it was built at. */
STORE_SQL(q_course_up, "INSERT INTO courses (code, title, description, created_at) VALUES (?, ?, ?, ?)"
                       " ON CONFLICT (code) DO UPDATE SET title = excluded.title, description = excluded.description,"
                       " revision = courses.revision + 1 RETURNING id");
STORE_SQL(q_module_up, "INSERT INTO course_modules (course_id, code, title, summary, position, level, competencies)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (course_id, code) DO UPDATE SET title = excluded.title,"
                       " summary = excluded.summary, position = excluded.position, level = excluded.level,"
                       " competencies = excluded.competencies RETURNING id");
STORE_SQL(q_lesson_up, "INSERT INTO lessons (module_id, position, title, minutes, competencies, body_md, body_html,"
                       " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (module_id, position) DO UPDATE SET"
                       " title = excluded.title, minutes = excluded.minutes, competencies = excluded.competencies,"
                       " body_md = excluded.body_md, body_html = excluded.body_html, updated_at = excluded.updated_at");
STORE_SQL(q_outline, "SELECT c.id, c.code, c.title, c.description, m.id, m.code, m.title, m.summary, m.level, l.id,"
                     " l.title, l.minutes, EXISTS (SELECT 1 FROM lesson_progress p WHERE p.user_id = ? AND"
                     " p.lesson_id = l.id), (SELECT MIN(z.id) FROM quizzes z WHERE z.retired_at IS NULL AND"
                     " z.category = c.code || '/' || m.code)"
                     " FROM courses c JOIN course_modules m ON m.course_id = c.id JOIN lessons l ON l.module_id = m.id"
                     " ORDER BY c.id, m.position, m.id, l.position");
STORE_SQL(q_lesson, "SELECT l.id, l.title, l.minutes, l.competencies, l.body_html, c.code, c.title, m.code, m.title,"
                    " EXISTS (SELECT 1 FROM lesson_progress p WHERE p.user_id = ? AND p.lesson_id = l.id), m.position,"
                    " l.position, c.id FROM lessons l JOIN course_modules m ON m.id = l.module_id"
                    " JOIN courses c ON c.id = m.course_id WHERE l.id = ?");
/* What a lesson's answer kept in memory is checked against, with the one part that is the reader's. */
STORE_SQL(q_lesson_rev, "SELECT c.revision, EXISTS (SELECT 1 FROM lesson_progress p WHERE p.user_id = ? AND"
                        " p.lesson_id = l.id) FROM lessons l JOIN course_modules m ON m.id = l.module_id"
                        " JOIN courses c ON c.id = m.course_id WHERE l.id = ?");
/* The lessons of a course in reading order, to find a lesson's neighbours. */
STORE_SQL(q_order, "SELECT l.id FROM lessons l JOIN course_modules m ON m.id = l.module_id WHERE m.course_id = ?"
                   " ORDER BY m.position, m.id, l.position");
STORE_SQL(q_complete, "INSERT INTO lesson_progress (user_id, lesson_id, completed_at)"
                      " SELECT ?, id, ? FROM lessons WHERE id = ? ON CONFLICT (user_id, lesson_id) DO NOTHING");
STORE_SQL(q_exists, "SELECT 1 FROM lessons WHERE id = ?");

/* ---- rendering ---- */

static void on_html(const MD_CHAR *text, MD_SIZE size, void *ud) { buf_append(ud, text, size); }

/* A URL md4c wrote into an attribute is kept when relative or of a safe scheme. */
static bool url_ok(const char *v, size_t n) {
  size_t i = 0;
  while (i < n && (isalnum((unsigned char)v[i]) || v[i] == '+' || v[i] == '-' || v[i] == '.')) i++;
  if (i == n || v[i] != ':' || i == 0) return true; /* no scheme: relative, or an anchor */
  return (i == 4 && !strncasecmp(v, "http", 4)) || (i == 5 && !strncasecmp(v, "https", 5)) ||
         (i == 6 && !strncasecmp(v, "mailto", 6));
}

int lessons_render(const char *md, size_t len, buf *html) {
  if (!utf8_valid(md, len)) return -1;
  buf raw;
  buf_init(&raw);
  unsigned flags = MD_FLAG_NOHTML | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEURLAUTOLINKS;
  int rc = md_html(md, (MD_SIZE)len, on_html, &raw, flags, MD_HTML_FLAG_SKIP_UTF8_BOM);
  if (rc != 0 || raw.oom) {
    buf_free(&raw);
    return -1;
  }
  /* Attributes with a URL: href= and src= (md4c quotes them with '"' and escapes quotes inside). */
  const char *p = raw.data, *end = raw.data + raw.len;
  while (p < end) {
    const char *h = strstr(p, "href=\""), *s = strstr(p, "src=\"");
    const char *a = h && (!s || h < s) ? h : s;
    if (!a) {
      buf_append(html, p, (size_t)(end - p));
      break;
    }
    const char *v = a + (a == h ? 6 : 5), *q = strchr(v, '"');
    if (!q) q = end;
    buf_append(html, p, (size_t)(v - p));
    if (url_ok(v, (size_t)(q - v))) buf_append(html, v, (size_t)(q - v));
    else buf_putc(html, '#');
    p = q;
  }
  buf_free(&raw);
  return html->oom ? -1 : 0;
}

/* ---- loading a curriculum ---- */

typedef struct lesson_file {
  int module; /* index in the modules array */
  int position;
  const char *title;
  int minutes;
  char competencies[128];
  char *md, *html;
} lesson_file;

static char *slurp_max(const char *path, size_t cap, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  char *d = malloc(cap + 1);
  size_t n = d ? fread(d, 1, cap, fp) : 0;
  bool bad = !d || ferror(fp) || !feof(fp);
  fclose(fp);
  if (bad) {
    free(d);
    return NULL;
  }
  d[n] = 0;
  *len = n;
  return d;
}

/* A lesson's Markdown: at most 1 MiB. */
static char *slurp(const char *path, size_t *len) { return slurp_max(path, (size_t)1 << 20, len); }

static void join_codes(json_t *arr, char *out, size_t n) {
  size_t o = 0;
  out[0] = 0;
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    const char *c = json_string_value(v);
    if (!c) continue;
    int w = snprintf(out + o, n - o, "%s%s", o ? "," : "", c);
    if (w < 0 || (size_t)w >= n - o) break;
    o += (size_t)w;
  }
}

int lessons_load_dir(store *st, const char *dir, int *nlessons, char *err, size_t errlen) {
  *nlessons = 0;
  char path[1200];
  snprintf(path, sizeof path, "%s/curriculum.json", dir);
  json_error_t jerr;
  json_t *index = json_load_file(path, 0, &jerr);
  if (!index) {
    snprintf(err, errlen, "Không đọc được %s: %s", path, jerr.text);
    return -1;
  }
  json_t *course = json_object_get(index, "course"), *modules = json_object_get(index, "modules");
  const char *ccode = json_string_value(json_object_get(course, "code"));
  int rc = -1, n = 0;
  lesson_file *files = NULL;
  store_conn *w = NULL;
  if (!ccode || !json_is_array(modules)) {
    snprintf(err, errlen, "%s: thiếu mã khóa học hoặc danh sách học phần.", path);
    goto done;
  }
  size_t total = 0, i;
  json_t *m;
  json_array_foreach(modules, i, m) total += json_array_size(json_object_get(m, "lessons"));
  files = calloc(total ? total : 1, sizeof *files);
  if (!files) goto done;
  /* Every lesson read and rendered before the writer is taken. */
  json_array_foreach(modules, i, m) {
    const char *mdir = json_string_value(json_object_get(m, "dir"));
    size_t k;
    json_t *l;
    json_array_foreach(json_object_get(m, "lessons"), k, l) {
      lesson_file *f = &files[n];
      const char *file = json_string_value(json_object_get(l, "file"));
      f->module = (int)i;
      f->position = (int)k + 1;
      f->title = json_string_value(json_object_get(l, "title"));
      f->minutes = (int)json_integer_value(json_object_get(l, "minutes"));
      join_codes(json_object_get(l, "competencies"), f->competencies, sizeof f->competencies);
      snprintf(path, sizeof path, "%s/%s/%s", dir, mdir ? mdir : "", file ? file : "");
      size_t len = 0;
      buf html;
      buf_init(&html);
      if (!mdir || !file || !f->title || !(f->md = slurp(path, &len)) || lessons_render(f->md, len, &html) != 0) {
        buf_free(&html);
        snprintf(err, errlen, "Không đọc được bài học %s.", path);
        n++;
        goto done;
      }
      f->html = buf_detach(&html, NULL);
      n++;
    }
  }
  w = store_acquire(st, true);
  if (!w || store_begin(w) != STORE_OK) {
    snprintf(err, errlen, "Không ghi được vào cơ sở dữ liệu: %s", w ? store_errmsg(w) : "không có kết nối");
    goto done;
  }
  int64_t now = clock_now(), course_id = 0;
  store_stmt *s = store_prepare(w, &q_course_up);
  if (!s) goto fail;
  store_bind_text(s, 1, ccode);
  store_bind_text(s, 2, json_string_value(json_object_get(course, "title")) ? json_string_value(json_object_get(course, "title")) : ccode);
  store_bind_text(s, 3, json_string_value(json_object_get(course, "description")) ? json_string_value(json_object_get(course, "description")) : "");
  store_bind_int(s, 4, now);
  if (store_insert_id(s, &course_id) != STORE_DONE) goto fail;
  int64_t *module_ids = calloc(json_array_size(modules) + 1, sizeof *module_ids);
  if (!module_ids) goto fail;
  json_array_foreach(modules, i, m) {
    char comps[128];
    join_codes(json_object_get(m, "competencies"), comps, sizeof comps);
    const char *code = json_string_value(json_object_get(m, "code"));
    const char *title = json_string_value(json_object_get(m, "title"));
    int level = (int)json_integer_value(json_object_get(m, "level"));
    s = store_prepare(w, &q_module_up);
    if (!s || !code || !title) {
      free(module_ids);
      goto fail;
    }
    store_bind_int(s, 1, course_id);
    store_bind_text(s, 2, code);
    store_bind_text(s, 3, title);
    const char *summary = json_string_value(json_object_get(m, "summary"));
    store_bind_text(s, 4, summary ? summary : "");
    store_bind_int(s, 5, (int64_t)i + 1);
    store_bind_int(s, 6, level >= 1 && level <= 8 ? level : 1);
    store_bind_text(s, 7, comps);
    if (store_insert_id(s, &module_ids[i]) != STORE_DONE) {
      free(module_ids);
      goto fail;
    }
  }
  for (int k = 0; k < n; k++) {
    lesson_file *f = &files[k];
    s = store_prepare(w, &q_lesson_up);
    if (!s) break;
    store_bind_int(s, 1, module_ids[f->module]);
    store_bind_int(s, 2, f->position);
    store_bind_text(s, 3, f->title);
    store_bind_int(s, 4, f->minutes);
    store_bind_text(s, 5, f->competencies);
    store_bind_text(s, 6, f->md);
    store_bind_text(s, 7, f->html);
    store_bind_int(s, 8, now);
    int src = store_step(s);
    store_reset(s);
    if (src != STORE_DONE) {
      s = NULL;
      break;
    }
  }
  free(module_ids);
  if (!s || store_commit(w) != STORE_OK) goto fail;
  *nlessons = n;
  rc = 0;
  goto done;
fail:
  snprintf(err, errlen, "Không ghi được vào cơ sở dữ liệu: %s", w ? store_errmsg(w) : "");
  if (w && store_in_transaction(w)) store_rollback(w);
done:
  if (w) store_release(w);
  for (int k = 0; files && k < n; k++) {
    free(files[k].md);
    free(files[k].html);
  }
  free(files);
  json_decref(index);
  return rc;
}

/* Every question file and every lesson of the curriculum read and checked before anything is
 * written, so that a fault found late (a lesson missing, a file not in UTF-8) leaves the database as
 * it was; the error names the file. */
static int curriculum_check(const char *dir, json_t *index, char *err, size_t errlen) {
  char path[1200];
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(index, "modules"), i, m) {
    const char *mdir = json_string_value(json_object_get(m, "dir"));
    const char *file = json_string_value(json_object_get(m, "questions"));
    if (mdir && file) {
      snprintf(path, sizeof path, "%s/%s/%s", dir, mdir, file);
      size_t len = 0;
      char *data = slurp_max(path, 8u * 1024 * 1024, &len);
      q_file f;
      q_file_init(&f);
      int bad = !data || qformat_read(&f, data, len) != 0 || f.nitems + f.nproblems > QBANK_FILE_QUESTIONS_MAX;
      if (bad)
        snprintf(err, errlen, "%s: %s", path,
                 !data ? "không đọc được tệp (hoặc tệp quá 8 MiB)." : f.fatal ? f.fatal : QBANK_TOO_MANY_MSG);
      q_file_free(&f);
      free(data);
      if (bad) return -1;
    }
    size_t k;
    json_t *l;
    json_array_foreach(json_object_get(m, "lessons"), k, l) {
      const char *lf = json_string_value(json_object_get(l, "file"));
      snprintf(path, sizeof path, "%s/%s/%s", dir, mdir ? mdir : "", lf ? lf : "");
      size_t len = 0;
      char *md = mdir && lf ? slurp(path, &len) : NULL;
      buf html;
      buf_init(&html);
      int bad = !md || lessons_render(md, len, &html) != 0;
      buf_free(&html);
      free(md);
      if (bad) {
        snprintf(err, errlen, "Không đọc được bài học %s.", path);
        return -1;
      }
    }
  }
  return 0;
}

int curriculum_load(store *st, const char *dir, curriculum_counts *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  char path[1200];
  snprintf(path, sizeof path, "%s/curriculum.json", dir);
  json_error_t jerr;
  json_t *index = json_load_file(path, 0, &jerr);
  if (!index) {
    snprintf(err, errlen, "Không đọc được %s: %s", path, jerr.text);
    return -1;
  }
  if (curriculum_check(dir, index, err, errlen) != 0) {
    json_decref(index);
    return -1;
  }
  int rc = 0;
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(index, "modules"), i, m) {
    const char *mdir = json_string_value(json_object_get(m, "dir"));
    const char *file = json_string_value(json_object_get(m, "questions"));
    if (!mdir || !file) continue;
    char source[600];
    snprintf(path, sizeof path, "%s/%s/%s", dir, mdir, file);
    snprintf(source, sizeof source, "%s/%s", mdir, file);
    json_t *o = NULL;
    if (qbank_import_file(st, path, NULL, 0, source, &o, err, errlen) != 0) {
      rc = -1;
      break;
    }
    out->questions += (int)json_integer_value(json_object_get(o, "imported")) +
                      (int)json_integer_value(json_object_get(o, "unchanged"));
    out->rejected += (int)json_array_size(json_object_get(o, "rejected"));
    out->modules++;
    json_decref(o);
  }
  json_decref(index);
  if (rc == 0) rc = lessons_load_dir(st, dir, &out->lessons, err, errlen);
  return rc;
}

/* ---- reading ---- */

int lessons_courses(store_conn *c, int64_t user_id, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_outline);
  json_t *courses = json_array();
  if (!s || !courses) {
    json_decref(courses);
    return APP_INTERNAL(e);
  }
  store_bind_int(s, 1, user_id);
  int rc;
  json_t *course = NULL, *module = NULL;
  int64_t course_id = 0, module_id = 0;
  while ((rc = store_step(s)) == STORE_ROW) {
    if (!course || store_col_int(s, 0) != course_id) {
      course_id = store_col_int(s, 0);
      course = json_pack("{s:I, s:s, s:s, s:s, s:[]}", "id", (json_int_t)course_id, "code", store_col_text(s, 1), "title",
                         store_col_text(s, 2), "description", store_col_text(s, 3), "modules");
      json_array_append_new(courses, course);
      module = NULL;
    }
    if (!module || store_col_int(s, 4) != module_id) {
      module_id = store_col_int(s, 4);
      module = json_pack("{s:I, s:s, s:s, s:s, s:i, s:o, s:[]}", "id", (json_int_t)module_id, "code", store_col_text(s, 5),
                         "title", store_col_text(s, 6), "summary", store_col_text(s, 7), "level", (int)store_col_int(s, 8),
                         "quiz_id", store_col_is_null(s, 13) ? json_null() : json_integer(store_col_int(s, 13)), "lessons");
      json_array_append_new(json_object_get(course, "modules"), module);
    }
    json_array_append_new(json_object_get(module, "lessons"),
                          json_pack("{s:I, s:s, s:i, s:b}", "id", (json_int_t)store_col_int(s, 9), "title",
                                    store_col_text(s, 10), "minutes", (int)store_col_int(s, 11), "done",
                                    store_col_int(s, 12) != 0));
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(courses);
    return APP_INTERNAL(e);
  }
  *out = courses;
  return 0;
}

/* Writes a text column as a JSON string (NULL: null). */
static void put_col(buf *b, store_stmt *s, int i) {
  const char *t = store_col_text(s, i);
  if (t)
    jsonx_escape(b, t, strlen(t));
  else
    buf_puts(b, "null");
}

/* ---- a lesson's answer kept in memory ----
 * The lesson view is the learners' hottest read. Everything in its answer but `done` is a function
 * of the lesson's course as loaded (its text, its place in the reading order), so it is built once
 * per course revision and kept, in two parts around `done`; each request checks the revision and
 * reads `done` in one small statement. Keyed by the database (store_conn_serial) and the lesson id;
 * an entry is immutable and shared by reference count, so that the copy into the reply happens
 * outside the lock. A slot is taken over by a newer revision or another lesson hashing to it. */
typedef struct lesson_blob {
  atomic_int refs;
  uint64_t db;
  int64_t id, revision;
  size_t head_len, tail_len; /* data = head (up to `"done":`), then tail (after it) */
  char data[];
} lesson_blob;

#define LCACHE_SLOTS 1024
static lesson_blob *lcache[LCACHE_SLOTS];
static pthread_mutex_t lcache_mu = PTHREAD_MUTEX_INITIALIZER;

static void blob_unref(lesson_blob *b) {
  if (b && atomic_fetch_sub(&b->refs, 1) == 1) free(b);
}

static lesson_blob *lcache_get(uint64_t db, int64_t id, int64_t revision) {
  pthread_mutex_lock(&lcache_mu);
  lesson_blob *b = lcache[(uint64_t)id % LCACHE_SLOTS];
  if (b && b->db == db && b->id == id && b->revision == revision)
    atomic_fetch_add(&b->refs, 1);
  else
    b = NULL;
  pthread_mutex_unlock(&lcache_mu);
  return b;
}

/* Keeps a copy of the two parts; a failed allocation keeps nothing (the next request builds again). */
static void lcache_put(uint64_t db, int64_t id, int64_t revision, const char *head, size_t head_len, const char *tail,
                       size_t tail_len) {
  lesson_blob *b = malloc(sizeof *b + head_len + tail_len);
  if (!b) return;
  atomic_init(&b->refs, 1);
  b->db = db;
  b->id = id;
  b->revision = revision;
  b->head_len = head_len;
  b->tail_len = tail_len;
  memcpy(b->data, head, head_len);
  memcpy(b->data + head_len, tail, tail_len);
  pthread_mutex_lock(&lcache_mu);
  lesson_blob **slot = &lcache[(uint64_t)id % LCACHE_SLOTS];
  lesson_blob *old = *slot;
  *slot = b;
  pthread_mutex_unlock(&lcache_mu);
  blob_unref(old);
}

static void put_done(buf *out, bool done) { buf_puts(out, done ? "true" : "false"); }

/* Builds the answer from the tables: `head` gets everything up to and including `"done":`, `tail`
 * everything after the value. 404 when the lesson does not exist. */
static int lesson_build(store_conn *c, int64_t lesson_id, buf *head, buf *tail, app_err *e) {
  store_stmt *s = store_prepare(c, &q_lesson);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, 0);
  store_bind_int(s, 2, lesson_id);
  int rc = store_step(s);
  if (rc != STORE_ROW) {
    store_reset(s);
    return rc == STORE_DONE ? app_fail(e, 404, "not_found", "id", "Không tìm thấy bài học.") : APP_INTERNAL(e);
  }
  /* Written as text, never as a JSON tree: the lesson's HTML (a few KB) is escaped once. */
  buf_puts(head, "{\"id\":");
  jsonx_put_int(head, lesson_id);
  buf_puts(head, ",\"title\":");
  put_col(head, s, 1);
  buf_puts(head, ",\"minutes\":");
  jsonx_put_int(head, store_col_int(s, 2));
  buf_puts(head, ",\"competencies\":[");
  const char *cs = store_col_text(s, 3);
  bool first = true;
  for (const char *p = cs ? cs : ""; *p;) {
    const char *q = strchr(p, ',');
    size_t len = q ? (size_t)(q - p) : strlen(p);
    if (len) {
      if (!first) buf_putc(head, ',');
      jsonx_escape(head, p, len);
      first = false;
    }
    p += len + (q ? 1 : 0);
  }
  buf_puts(head, "],\"html\":");
  put_col(head, s, 4);
  buf_puts(head, ",\"course\":{\"code\":");
  put_col(head, s, 5);
  buf_puts(head, ",\"title\":");
  put_col(head, s, 6);
  buf_puts(head, "},\"module\":{\"code\":");
  put_col(head, s, 7);
  buf_puts(head, ",\"title\":");
  put_col(head, s, 8);
  buf_puts(head, "},\"done\":");
  int64_t course_id = store_col_int(s, 12);
  store_reset(s);
  /* Neighbours in the course's reading order. */
  s = store_prepare(c, &q_order);
  int64_t prev = 0, next = 0, last = 0;
  bool found = false;
  if (s) {
    store_bind_int(s, 1, course_id);
    while ((rc = store_step(s)) == STORE_ROW) {
      int64_t id = store_col_int(s, 0);
      if (found) {
        next = id;
        break;
      }
      if (id == lesson_id) {
        found = true;
        prev = last;
      }
      last = id;
    }
    store_reset(s);
  }
  if (!s || (rc != STORE_ROW && rc != STORE_DONE)) return APP_INTERNAL(e);
  buf_puts(tail, ",\"previous\":");
  if (prev)
    jsonx_put_int(tail, prev);
  else
    buf_puts(tail, "null");
  buf_puts(tail, ",\"next\":");
  if (next)
    jsonx_put_int(tail, next);
  else
    buf_puts(tail, "null");
  buf_putc(tail, '}');
  return head->oom || tail->oom ? APP_INTERNAL(e) : 0;
}

int lessons_get(store_conn *c, int64_t lesson_id, int64_t user_id, buf *out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_lesson_rev);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, user_id);
  store_bind_int(s, 2, lesson_id);
  int rc = store_step(s);
  int64_t revision = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  bool done = rc == STORE_ROW && store_col_int(s, 1) != 0;
  store_reset(s);
  if (rc != STORE_ROW)
    return rc == STORE_DONE ? app_fail(e, 404, "not_found", "id", "Không tìm thấy bài học.") : APP_INTERNAL(e);
  uint64_t db = store_conn_serial(c);
  lesson_blob *b = lcache_get(db, lesson_id, revision);
  if (b) {
    buf_append(out, b->data, b->head_len);
    put_done(out, done);
    buf_append(out, b->data + b->head_len, b->tail_len);
    blob_unref(b);
    return out->oom ? APP_INTERNAL(e) : 0;
  }
  buf head, tail;
  buf_init(&head);
  buf_init(&tail);
  int ret = lesson_build(c, lesson_id, &head, &tail, e);
  if (ret == 0) {
    /* Read in the same transaction as the revision, so it is the answer of that revision. */
    lcache_put(db, lesson_id, revision, head.data, head.len, tail.data, tail.len);
    buf_append(out, head.data, head.len);
    put_done(out, done);
    buf_append(out, tail.data, tail.len);
    if (out->oom) ret = APP_INTERNAL(e);
  }
  buf_free(&head);
  buf_free(&tail);
  return ret;
}

int lessons_complete(store_conn *w, int64_t lesson_id, int64_t user_id, app_err *e) {
  store_stmt *s = store_prepare(w, &q_exists);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, lesson_id);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy bài học.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  s = store_prepare(w, &q_complete);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, user_id);
  store_bind_int(s, 2, clock_now());
  store_bind_int(s, 3, lesson_id);
  rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

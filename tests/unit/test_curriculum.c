/* test_curriculum.c: the starter curriculum shipped in content/curriculum/ (issue 8): its index
 * (curriculum.json), its Markdown lessons and its GIFT question files, checked against the
 * competence frameworks of ../shared/data/khung-nang-luc-so.csv. Reads files only; never writes.
 * The source tree and the frameworks are found through test_paths.h (compiled in by meson). */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_paths.h"
#include <jansson.h>

#include "domain/qformat.h"

#define MAX_CODES 64
#define MAX_TITLES 2048

static char codes[MAX_CODES][16]; /* the frameworks' competency codes */
static int ncodes;

static char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp) fail_msg("cannot open %s", path);
  size_t cap = 1 << 20;
  char *data = malloc(cap);
  assert_non_null(data);
  *len = fread(data, 1, cap - 1, fp);
  assert_true(*len < cap - 1); /* the whole file was read */
  data[*len] = 0;
  fclose(fp);
  return data;
}


static void load_codes(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/khung-nang-luc-so.csv", test_shared_data());
  size_t len;
  char *csv = slurp(path, &len);
  ncodes = 0;
  /* framework,domain_code,domain_name,competency_code,…: the 4th field; the 3rd has no quotes. */
  for (char *line = strchr(csv, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
    const char *p = line + 1;
    for (int field = 0; field < 3 && p; field++) {
      p = strchr(p, ',');
      if (p) p++;
    }
    if (!p) continue;
    size_t n = strcspn(p, ",\r\n");
    assert_true(n > 0 && n < sizeof codes[0]);
    assert_true(ncodes < MAX_CODES);
    memcpy(codes[ncodes], p, n);
    codes[ncodes][n] = 0;
    ncodes++;
  }
  free(csv);
  assert_true(ncodes >= 26); /* 24 of TT02-2025 and 0.1, 0.2 of QD757-2025 */
}

static bool known_code(const char *c) {
  for (int i = 0; i < ncodes; i++)
    if (strcmp(codes[i], c) == 0) return true;
  return false;
}

static json_t *load_index(char *root, size_t rootsz) {
  snprintf(root, rootsz, "%s/content/curriculum", test_source_root());
  char path[1100];
  snprintf(path, sizeof path, "%s/curriculum.json", root);
  json_error_t err;
  json_t *j = json_load_file(path, 0, &err);
  if (!j) fail_msg("%s:%d: %s", path, err.line, err.text);
  return j;
}

static const char *str_of(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  if (!s || !*s) fail_msg("missing or empty \"%s\"", key);
  return s;
}

/* The course and every module carry their descriptive fields. */
static void test_index(void **state) {
  (void)state;
  char root[1024];
  json_t *j = load_index(root, sizeof root);
  json_t *course = json_object_get(j, "course");
  assert_string_equal(str_of(course, "code"), "KNS-CB");
  str_of(course, "title");
  str_of(course, "description");
  json_t *modules = json_object_get(j, "modules");
  assert_true(json_is_array(modules));
  assert_true(json_array_size(modules) >= 8);
  static const char *const groups[] = {"public_staff", "students_primary", "students_secondary", "adults",
                                       "elderly", "workers", "traders"};
  size_t i;
  json_t *m;
  json_array_foreach(modules, i, m) {
    const char *code = str_of(m, "code");
    for (size_t k = 0; k < i; k++) /* module codes are unique */
      assert_string_not_equal(code, str_of(json_array_get(modules, k), "code"));
    str_of(m, "title");
    str_of(m, "summary");
    str_of(m, "dir");
    str_of(m, "questions");
    json_int_t level = json_integer_value(json_object_get(m, "level"));
    assert_true(level >= 1 && level <= 8);
    json_t *comps = json_object_get(m, "competencies"), *c;
    size_t k;
    assert_true(json_array_size(comps) >= 1);
    json_array_foreach(comps, k, c) {
      if (!known_code(json_string_value(c))) fail_msg("%s: unknown competency %s", code, json_string_value(c));
    }
    json_t *gs = json_object_get(m, "groups"), *g;
    assert_true(json_array_size(gs) >= 1);
    json_array_foreach(gs, k, g) {
      bool ok = false;
      for (size_t x = 0; x < sizeof groups / sizeof groups[0]; x++)
        ok = ok || (json_string_value(g) && strcmp(json_string_value(g), groups[x]) == 0);
      if (!ok) fail_msg("%s: unknown group %s", code, json_string_value(g));
    }
  }
  json_decref(j);
}

/* Each lesson exists, is Markdown of a reasonable length, and holds no raw HTML. */
static void test_lessons(void **state) {
  (void)state;
  char root[1024];
  json_t *j = load_index(root, sizeof root);
  size_t i, k;
  json_t *m, *l;
  json_array_foreach(json_object_get(j, "modules"), i, m) {
    json_t *lessons = json_object_get(m, "lessons");
    assert_true(json_array_size(lessons) >= 2);
    json_array_foreach(lessons, k, l) {
      str_of(l, "title");
      json_int_t minutes = json_integer_value(json_object_get(l, "minutes"));
      assert_true(minutes >= 1 && minutes <= 120);
      json_t *comps = json_object_get(l, "competencies"), *c;
      size_t x;
      assert_true(json_array_size(comps) >= 1);
      json_array_foreach(comps, x, c) {
        if (!known_code(json_string_value(c))) fail_msg("unknown competency %s", json_string_value(c));
        /* a lesson teaches some of its module's competencies */
        bool declared = false;
        size_t y;
        json_t *mc;
        json_array_foreach(json_object_get(m, "competencies"), y, mc) {
          declared = declared || json_equal(mc, c);
        }
        if (!declared) fail_msg("%s: lesson competency %s not among the module's", str_of(m, "code"), json_string_value(c));
      }
      char path[3072];
      snprintf(path, sizeof path, "%s/%s/%s", root, str_of(m, "dir"), str_of(l, "file"));
      size_t len;
      char *md = slurp(path, &len);
      if (len < 800) fail_msg("%s: too short (%zu bytes)", path, len);
      if (md[0] != '#') fail_msg("%s: a lesson starts with its '#' title", path);
      for (size_t p = 0; p + 1 < len; p++)
        if (md[p] == '<' && isalpha((unsigned char)md[p + 1])) fail_msg("%s: raw HTML at byte %zu", path, p);
      assert_null(strstr(md, "<!--"));
      assert_null(strstr(md, "</"));
      free(md);
    }
  }
  json_decref(j);
}

/* Every GIFT file reads with no problem; every question is tagged, explained and uniquely titled. */
static void test_questions(void **state) {
  (void)state;
  char root[1024];
  json_t *j = load_index(root, sizeof root);
  static char titles[MAX_TITLES][32];
  int ntitles = 0, total = 0;
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(j, "modules"), i, m) {
    const char *mcode = str_of(m, "code");
    char path[3072];
    snprintf(path, sizeof path, "%s/%s/%s", root, str_of(m, "dir"), str_of(m, "questions"));
    size_t len;
    char *data = slurp(path, &len);
    q_file f;
    q_file_init(&f);
    int rc = qformat_gift(&f, data, len);
    if (rc != 0) fail_msg("%s: %s", path, f.fatal ? f.fatal : "?");
    for (int p = 0; p < f.nproblems; p++)
      print_error("%s:%d %s: %s\n", path, f.problems[p].line, f.problems[p].name ? f.problems[p].name : "",
                  f.problems[p].reason);
    assert_int_equal(f.nproblems, 0);
    if (f.nitems < 15) fail_msg("%s: %d questions, at least 15 wanted", path, f.nitems);
    total += f.nitems;
    json_t *comps = json_object_get(m, "competencies");
    bool used[MAX_CODES] = {0};
    for (int q = 0; q < f.nitems; q++) {
      const q_item *it = &f.items[q];
      if (!it->general_feedback || !*it->general_feedback)
        fail_msg("%s:%d: no explanation (####…)", path, it->line);
      /* The title: <module>-<number>, unique in the course. */
      size_t ml = strlen(mcode);
      if (strncmp(it->name, mcode, ml) != 0 || it->name[ml] != '-' || strlen(it->name) >= sizeof titles[0])
        fail_msg("%s:%d: title %s does not start with %s-", path, it->line, it->name, mcode);
      for (int t = 0; t < ntitles; t++)
        if (strcmp(titles[t], it->name) == 0) fail_msg("%s:%d: title %s used twice", path, it->line, it->name);
      assert_true(ntitles < MAX_TITLES);
      snprintf(titles[ntitles++], sizeof titles[0], "%s", it->name);
      /* The category: KNS-CB/<module>/<competency>/<level>. */
      if (!it->category) fail_msg("%s:%d: no $CATEGORY", path, it->line);
      char cat[128], *save = NULL;
      snprintf(cat, sizeof cat, "%s", it->category);
      const char *course = strtok_r(cat, "/", &save), *mod = strtok_r(NULL, "/", &save);
      const char *comp = strtok_r(NULL, "/", &save), *lvl = strtok_r(NULL, "/", &save);
      if (!course || !mod || !comp || !lvl || strtok_r(NULL, "/", &save) || strcmp(course, "KNS-CB") != 0 ||
          strcmp(mod, mcode) != 0 || !known_code(comp))
        fail_msg("%s:%d: category %s is not KNS-CB/%s/<competency>/<level>", path, it->line, it->category, mcode);
      char *end;
      long level = strtol(lvl, &end, 10);
      if (*end || level < 1 || level > 8) fail_msg("%s:%d: level %s not 1–8", path, it->line, lvl);
      size_t k;
      json_t *c;
      json_array_foreach(comps, k, c) {
        if (k < MAX_CODES && strcmp(json_string_value(c), comp) == 0) used[k] = true;
      }
    }
    size_t k;
    json_t *c;
    json_array_foreach(comps, k, c) {
      if (!used[k]) fail_msg("%s: competency %s declared but no question uses it", mcode, json_string_value(c));
    }
    q_file_free(&f);
    free(data);
  }
  if (total < 120) fail_msg("%d questions in all, at least 120 wanted", total);
  json_decref(j);
}

int main(void) {
  load_codes();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_index),
      cmocka_unit_test(test_lessons),
      cmocka_unit_test(test_questions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

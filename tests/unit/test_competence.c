/* test_competence.c: the change in competence (competence.c) and assisted attempts (quiz.c), on
 * SQLite and, when HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL in a schema
 * of its own. A controlled bank (true/false questions of two competences whose answers the test
 * knows) makes each attempt's score per competence exact: the scores written at submission, the
 * learner's before and after (first placement; latest placement after it, else the latest quiz),
 * the report's means by competence, child unit and learner group, and the rules around them (a
 * deleted person leaves the figures; an assisted attempt counts on the resident). Synthetic people.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h> /* after the headers it relies on (stdarg, stddef, setjmp) */

#include <jansson.h>
#include <sodium.h>

#include "domain/competence.h"
#include "domain/groups.h"
#include "domain/people.h"
#include "domain/qbank.h"
#include "domain/qformat.h"
#include "domain/quiz.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/clock.h"

typedef struct fixture {
  store_kind kind;
  store *st;
  char dir[64];
  char target[512];
  secrets keys;
  store_conn *w;
  int64_t city, ward, tdp1, tdp2, helper, learner, placement, practice;
  int64_t A, B, C, D;
} fixture;

static fixture fx_sqlite = {.kind = STORE_SQLITE};
static fixture fx_pg = {.kind = STORE_PG};
#define PG_TEST_SCHEMA "hv_test_competence"

/* text -> competence, truth (4.2: three questions, 6.1: three) */
static const struct {
  const char *text, *comp;
  bool truth;
} BANK[] = {
    {"Mã OTP chỉ dành cho chính mình.", "4.2", true},
    {"Có thể đọc mã OTP cho người lạ.", "4.2", false},
    {"Nên cài ứng dụng từ kho chính thức.", "4.2", true},
    {"Trợ lý trí tuệ nhân tạo có thể trả lời sai.", "6.1", true},
    {"Mọi câu trả lời của trợ lý đều đúng.", "6.1", false},
    {"Nên kiểm tra lại điều trợ lý nói.", "6.1", true},
};
static const char GIFT[] = "$CATEGORY: PLC/4.2/1\n\n"
                           "::a1::Mã OTP chỉ dành cho chính mình.{T}\n\n"
                           "::a2::Có thể đọc mã OTP cho người lạ.{F}\n\n"
                           "::a3::Nên cài ứng dụng từ kho chính thức.{T}\n\n"
                           "$CATEGORY: PLC/6.1/1\n\n"
                           "::b1::Trợ lý trí tuệ nhân tạo có thể trả lời sai.{T}\n\n"
                           "::b2::Mọi câu trả lời của trợ lý đều đúng.{F}\n\n"
                           "::b3::Nên kiểm tra lại điều trợ lý nói.{T}\n";

static fixture *fx_of(void **state) {
  fixture *fx = *state;
  if (!fx || !fx->st || !fx->w) skip();
  return fx;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static int unit(store_conn *w, int64_t parent, const char *kind, const char *name, int64_t *id) {
  app_err e = {0};
  int rc = units_create(w, parent, kind, name, NULL, id, &e);
  if (rc != 0) fprintf(stderr, "unit %s: %s %s\n", name, e.code, e.message);
  return rc;
}

static int64_t resident(fixture *fx, const char *name, int64_t unit_id, const char *birth) {
  int64_t hh = 0, id = 0;
  app_err e = {0};
  char code[32];
  snprintf(code, sizeof code, "H-%s", birth);
  if (households_create(fx->w, unit_id, NULL, NULL, &hh, &e) != 0) return -1;
  (void)code;
  person_input in = {.full_name = name, .unit_id = unit_id, .birth_date = birth, .household_id = hh,
                     .household_set = true, .vneid_level = -1};
  if (people_create(fx->w, &fx->keys, &in, &id, &e) != 0) {
    fprintf(stderr, "people_create %s: %s %s\n", name, e.code, e.message);
    return -1;
  }
  return id;
}

static int64_t account(fixture *fx, const char *username, const char *role, int64_t unit_id) {
  int64_t uid = 0, gid = 0;
  app_err e = {0};
  if (users_create(fx->w, username, username, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA", unit_id, false, &uid,
                   &e) != 0 ||
      roles_grant(fx->w, uid, role, unit_id, 0, &gid, &e) != 0)
    return -1;
  return uid;
}

/* Answers `attempt` so that the first right[0] questions of 4.2 and right[1] of 6.1 are right. */
static json_t *answers_for(const json_t *attempt, int right_a, int right_b) {
  json_t *out = json_array();
  int seen_a = 0, seen_b = 0;
  size_t i;
  json_t *q;
  json_array_foreach(json_object_get(attempt, "questions"), i, q) {
    const char *text = json_string_value(json_object_get(q, "text"));
    size_t k = 0;
    while (k < sizeof BANK / sizeof BANK[0] && strcmp(BANK[k].text, text) != 0) k++;
    if (k == sizeof BANK / sizeof BANK[0]) fail_msg("unknown question %s", text);
    bool a = !strcmp(BANK[k].comp, "4.2");
    bool right = a ? ++seen_a <= right_a : ++seen_b <= right_b;
    json_array_append_new(out, json_boolean(right ? BANK[k].truth : !BANK[k].truth));
  }
  return out;
}

/* One submitted attempt (assisted when helper != 0) with the given rights per competence. */
static void attempt(fixture *fx, int64_t quiz, int64_t user, int64_t person, int64_t helper, int right_a, int right_b) {
  json_t *view = NULL, *done = NULL;
  int status = 0;
  app_err e = {0};
  int rc = helper ? quiz_start_assisted(fx->w, quiz, helper, person, &view, &status, &e)
                  : quiz_start(fx->w, quiz, user, person, &view, &status, &e);
  if (rc != 0) fail_msg("start: %d %s %s", e.status, e.code, e.message);
  assert_int_equal(status, 201);
  json_t *answers = answers_for(view, right_a, right_b);
  if (quiz_submit(fx->w, &fx->keys, json_integer_value(json_object_get(view, "id")), answers, &done, &e) != 0)
    fail_msg("submit: %d %s %s", e.status, e.code, e.message);
  json_decref(view);
  json_decref(answers);
  json_decref(done);
}

static int common_setup(fixture *fx) {
  char err[512] = "";
  randombytes_buf(&fx->keys, sizeof fx->keys);
  if (store_migrate(fx->st, hocvuso_migrations, err, sizeof err) < 1) {
    fprintf(stderr, "store_migrate: %s\n", err);
    return -1;
  }
  fx->w = store_acquire(fx->st, true);
  if (!fx->w) return -1;
  int rc = -1;
  if (store_begin(fx->w) != STORE_OK) goto done;
  if (unit(fx->w, 0, "city", "Thành phố Thử", &fx->city) || unit(fx->w, fx->city, "ward", "Phường Thử", &fx->ward) ||
      unit(fx->w, fx->ward, "residential_group", "Tổ dân phố số 1", &fx->tdp1) ||
      unit(fx->w, fx->ward, "residential_group", "Tổ dân phố số 2", &fx->tdp2))
    goto done;
  /* The bank. */
  q_file f;
  q_file_init(&f);
  qbank_comps k;
  qbank_row *rows = NULL;
  int nrows = 0, imported = 0, unchanged = 0;
  if (qformat_read(&f, GIFT, strlen(GIFT)) != 0 || qbank_comps_load(fx->w, &k) != 0 ||
      qbank_prepare(&f, &k, 0, 0, &rows, &nrows) != 0 ||
      qbank_store(fx->w, rows, nrows, "test", 0, &imported, &unchanged) != 0 || imported != 6) {
    fprintf(stderr, "bank: %d imported\n", imported);
    qbank_rows_free(rows, nrows);
    q_file_free(&f);
    goto done;
  }
  qbank_rows_free(rows, nrows);
  q_file_free(&f);
  app_err e = {0};
  quiz_def p = {.title = "Kiểm tra đầu vào thử", .category = "PLC", .question_count = 4, .pass_percent = 50,
                .max_attempts = 2, .purpose = "placement"};
  quiz_def q = {.title = "Luyện tập thử", .category = "PLC", .question_count = 6, .pass_percent = 50};
  if (quiz_create(fx->w, &p, 0, &fx->placement, &e) != 0 || quiz_create(fx->w, &q, 0, &fx->practice, &e) != 0) goto done;
  fx->helper = account(fx, "ho.tro", "field_helper", fx->tdp1);
  fx->learner = account(fx, "hoc.vien", "learner", fx->tdp1);
  fx->A = resident(fx, "Nguyễn Văn An", fx->tdp1, "1950");
  fx->B = resident(fx, "Trần Thị Bích", fx->tdp1, "1990");
  fx->C = resident(fx, "Lê Văn Cường", fx->tdp2, "1985");
  fx->D = resident(fx, "Phạm Thị Dung", fx->tdp2, "1970");
  if (fx->helper < 0 || fx->learner < 0 || fx->A < 0 || fx->B < 0 || fx->C < 0 || fx->D < 0) goto done;
  rc = store_commit(fx->w) == STORE_OK ? 0 : -1;
done:
  if (rc != 0) {
    if (store_in_transaction(fx->w)) store_rollback(fx->w);
    store_release(fx->w);
    fx->w = NULL;
  }
  return rc;
}

static int setup_sqlite(void **state) {
  fixture *fx = &fx_sqlite;
  char err[256] = "";
  *state = fx;
  snprintf(fx->dir, sizeof fx->dir, "/tmp/hv_test_competence.XXXXXX");
  if (!mkdtemp(fx->dir)) return -1;
  snprintf(fx->target, sizeof fx->target, "%.63s/test.db", fx->dir);
  fx->st = store_open(fx->target, 4, err, sizeof err);
  if (!fx->st) {
    fprintf(stderr, "cannot open %s: %s\n", fx->target, err);
    return -1;
  }
  return common_setup(fx);
}

static int teardown_sqlite(void **state) {
  (void)state;
  if (fx_sqlite.w) store_release(fx_sqlite.w);
  store_close(fx_sqlite.st);
  fx_sqlite.st = NULL;
  if (fx_sqlite.dir[0]) nftw(fx_sqlite.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return 0;
}

static int setup_pg(void **state) {
  fixture *fx = &fx_pg;
  *state = fx;
  const char *url = getenv("HOCVUSO_TEST_DATABASE_URL");
  if (!url || !*url) {
    printf("note: HOCVUSO_TEST_DATABASE_URL is not set: skipping the PostgreSQL group\n");
    return 0;
  }
  int n = snprintf(fx->target, sizeof fx->target, "%s%coptions=-c%%20search_path%%3D" PG_TEST_SCHEMA, url,
                   strchr(url, '?') ? '&' : '?');
  if (n < 0 || (size_t)n >= sizeof fx->target) return -1;
  char err[256] = "";
  store *admin = store_open(url, 1, err, sizeof err);
  if (!admin) {
    fprintf(stderr, "cannot open %s: %s\n", url, err);
    return -1;
  }
  store_conn *c = store_acquire(admin, true);
  int rc = c ? store_exec(c, "DROP SCHEMA IF EXISTS " PG_TEST_SCHEMA " CASCADE; CREATE SCHEMA " PG_TEST_SCHEMA)
             : STORE_ERROR;
  if (c) store_release(c);
  store_close(admin);
  if (rc != STORE_OK) return -1;
  fx->st = store_open(fx->target, 4, err, sizeof err);
  if (!fx->st) {
    fprintf(stderr, "cannot open %s: %s\n", fx->target, err);
    return -1;
  }
  return common_setup(fx);
}

static int teardown_pg(void **state) {
  (void)state;
  if (fx_pg.w) store_release(fx_pg.w);
  store_close(fx_pg.st);
  fx_pg.st = NULL;
  return 0;
}

/* Each test runs in a transaction rolled back at its end: the fixture's people start unmeasured. */
static int test_setup(void **state) {
  fixture *fx = *state;
  if (fx && fx->w && store_begin(fx->w) != STORE_OK) return -1;
  return 0;
}

static int test_teardown(void **state) {
  fixture *fx = *state;
  if (fx && fx->w && store_in_transaction(fx->w)) store_rollback(fx->w);
  return 0;
}

/* The entry of competence `code` in a profile or a report's list. */
static json_t *entry(json_t *list, const char *code) {
  size_t i;
  json_t *c;
  json_array_foreach(list, i, c) if (!strcmp(json_string_value(json_object_get(c, "code")), code)) return c;
  fail_msg("no competence %s", code);
  return NULL;
}

static double num(json_t *o, const char *key) { return json_number_value(json_object_get(o, key)); }

static void assert_pct(double got, double want) {
  if (got < want - 1e-9 || got > want + 1e-9) fail_msg("%.3f, expected %.3f", got, want);
}

static void test_scores_per_competence(void **state) {
  fixture *fx = fx_of(state);
  app_err e = {0};
  /* A placement draw spreads over the competences: 2 of 4.2 and 2 of 6.1, in any order. */
  attempt(fx, fx->placement, fx->helper, fx->A, fx->helper, 1, 0);
  json_t *p = NULL;
  assert_int_equal(competence_profile(fx->w, fx->A, 0, &p, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(p, "measured")), 2);
  json_t *a = entry(json_object_get(p, "competencies"), "4.2"), *b = entry(json_object_get(p, "competencies"), "6.1");
  assert_pct(num(a, "before"), 50);
  assert_pct(num(b, "before"), 0);
  assert_true(json_is_null(json_object_get(a, "after")));
  json_decref(p);
  /* A practice quiz after it: the "after" while no second placement exists (all 6 questions). */
  attempt(fx, fx->practice, fx->helper, fx->A, fx->helper, 3, 1);
  assert_int_equal(competence_profile(fx->w, fx->A, 0, &p, &e), 0);
  a = entry(json_object_get(p, "competencies"), "4.2");
  b = entry(json_object_get(p, "competencies"), "6.1");
  assert_pct(num(a, "after"), 100);
  assert_pct(num(b, "after"), 33.3);
  json_decref(p);
  /* The second placement wins over the practice quiz. */
  attempt(fx, fx->placement, fx->helper, fx->A, fx->helper, 2, 1);
  assert_int_equal(competence_profile(fx->w, fx->A, 0, &p, &e), 0);
  a = entry(json_object_get(p, "competencies"), "4.2");
  b = entry(json_object_get(p, "competencies"), "6.1");
  assert_pct(num(a, "before"), 50);
  assert_pct(num(a, "after"), 100);
  assert_pct(num(a, "change"), 50);
  assert_pct(num(b, "after"), 50);
  assert_int_equal(json_integer_value(json_object_get(p, "measured_again")), 2);
  json_decref(p);
  /* Attempts of the resident: the placement's 2 are used, whoever runs a third. */
  json_t *view = NULL;
  int status = 0;
  assert_int_not_equal(quiz_start_assisted(fx->w, fx->placement, fx->learner, fx->A, &view, &status, &e), 0);
  assert_int_equal(e.status, 409);
  /* An account without a person: the account is the learner. */
  attempt(fx, fx->placement, fx->learner, 0, 0, 0, 2);
  assert_int_equal(competence_profile(fx->w, 0, fx->learner, &p, &e), 0);
  assert_pct(num(entry(json_object_get(p, "competencies"), "6.1"), "before"), 100);
  json_decref(p);
}

/* A quiz's pool is kept per question bank revision: a question added, then one retired, is drawn,
 * then no longer, at the very next draw. Drawn on a reader, as a start does (the writer's own
 * draws are not kept: its transaction could still be rolled back). */
static int drawn(fixture *fx, int64_t quiz) {
  store_conn *r = store_acquire(fx->st, false);
  assert_non_null(r);
  assert_int_equal(store_read_snapshot(r), STORE_OK);
  quiz_draw *d = NULL;
  json_t *view = NULL;
  app_err e = {0};
  if (quiz_draw_new(r, quiz, &d, &e) != 0 || quiz_draw_view(r, d, 0, 0, &view, &e) != 0)
    fail_msg("draw: %d %s %s", e.status, e.code, e.message);
  int n = (int)json_array_size(json_object_get(view, "questions"));
  json_decref(view);
  quiz_draw_free(d);
  if (store_in_transaction(r)) store_rollback(r);
  store_release(r);
  return n;
}

static void test_pool_follows_bank(void **state) {
  fixture *fx = fx_of(state);
  app_err e = {0};
  int64_t all = 0;
  quiz_def d = {.title = "Tất cả câu hỏi PLC", .category = "PLC", .question_count = 50, .pass_percent = 50};
  assert_int_equal(quiz_create(fx->w, &d, 0, &all, &e), 0);
  assert_int_equal(store_commit(fx->w), STORE_OK); /* for the readers (what this test adds stays) */
  assert_int_equal(drawn(fx, all), 6);
  assert_int_equal(drawn(fx, all), 6); /* the pool kept */
  static const char more[] = "$CATEGORY: PLC/4.2/1\n\n::a4::Không bấm vào đường link lạ trong tin nhắn.{T}\n";
  q_file f;
  q_file_init(&f);
  qbank_comps k;
  qbank_row *rows = NULL;
  int nrows = 0, imported = 0, unchanged = 0;
  assert_int_equal(store_begin(fx->w), STORE_OK);
  assert_int_equal(qformat_read(&f, more, strlen(more)), 0);
  assert_int_equal(qbank_comps_load(fx->w, &k), 0);
  assert_int_equal(qbank_prepare(&f, &k, 0, 0, &rows, &nrows), 0);
  assert_int_equal(qbank_store(fx->w, rows, nrows, "test", 0, &imported, &unchanged), 0);
  assert_int_equal(imported, 1);
  qbank_rows_free(rows, nrows);
  q_file_free(&f);
  assert_int_equal(store_commit(fx->w), STORE_OK);
  assert_int_equal(drawn(fx, all), 7);
  assert_int_equal(store_exec(fx->w, "UPDATE questions SET retired_at = 1 WHERE text LIKE 'Không bấm%'"), STORE_OK);
  assert_int_equal(drawn(fx, all), 6);
  assert_int_equal(store_begin(fx->w), STORE_OK); /* as test_teardown expects */
}

/* The start's answer written as text is the answer built as a tree, for every kind of question
 * (choices in their drawn order, matching items and choices, text with quotes and new lines). */
/* Every kind of question (choices in their drawn order, matching items and choices, text with
 * quotes and new lines, feedback and explanations), under category MIX, imported once. */
static void import_mix(fixture *fx) {
  static const char mix[] =
      "$CATEGORY: MIX/4.2/1\n\n"
      "::m1::Chọn mật khẩu \"mạnh\"{=Gồm chữ, số và ký hiệu#Đúng: khó đoán ~Ngày sinh#Dễ đoán <b>lắm</b> ~123456}\n\n"
      "::m2::Những việc nên làm?{~%50%Cập nhật ứng dụng#Tốt ~%50%Bật xác thực hai lớp ~%-100%Chia sẻ mã OTP#Không bao giờ"
      "####Giải thích: \"OTP\" là của riêng bạn}\n\n"
      "::m3::Nối ứng dụng với việc{=VNeID -> định danh =Zalo -> nhắn tin =Cổng dịch vụ công -> nộp hồ sơ}\n\n"
      "::m4::Tên cổng nộp hồ sơ trực tuyến?{=Dịch vụ công#Chính xác =Cổng * công =%50%DVC}\n\n"
      "::m5::Mã OTP có mấy chữ số?{#=6:0.5#Đúng =%50%8}\n\n"
      "::m6::Dòng một\\nDòng hai{T#Sai rồi#Đúng rồi####Vì \\{ và \\} là ký hiệu}\n";
  q_file f;
  q_file_init(&f);
  qbank_comps k;
  qbank_row *rows = NULL;
  int nrows = 0, imported = 0, unchanged = 0;
  assert_int_equal(qformat_read(&f, mix, strlen(mix)), 0);
  assert_int_equal(qbank_comps_load(fx->w, &k), 0);
  assert_int_equal(qbank_prepare(&f, &k, 0, 0, &rows, &nrows), 0);
  assert_int_equal(qbank_store(fx->w, rows, nrows, "test", 0, &imported, &unchanged), 0);
  assert_int_equal(imported, 6);
  qbank_rows_free(rows, nrows);
  q_file_free(&f);
}

/* Fails naming the first field where the text answer and the tree differ. */
static void assert_same_view(const char *text_answer, const json_t *tree) {
  json_error_t je;
  json_t *text = json_loads(text_answer, 0, &je);
  if (!text) fail_msg("not JSON (%s): %s", je.text, text_answer);
  if (!json_equal(text, tree)) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)tree, key, v) {
      if (!json_equal(v, json_object_get(text, key))) {
        char *t1 = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY), *t2 = json_dumps(json_object_get(text, key), JSON_COMPACT | JSON_ENCODE_ANY);
        fail_msg("%s: tree %.1500s, text %.1500s", key, t1, t2 ? t2 : "(none)");
      }
    }
    fail_msg("the text has more: %.2000s", text_answer);
  }
  json_decref(text);
}

/* The start's answer written as text is the answer built as a tree, for every kind of question. */
static void test_start_text_equals_view(void **state) {
  fixture *fx = fx_of(state);
  import_mix(fx);
  app_err e = {0};
  int64_t quiz = 0;
  quiz_def d = {.title = "Đủ loại câu \"hỏi\"", .category = "MIX", .question_count = 10, .pass_percent = 50,
                .time_limit_min = 15};
  assert_int_equal(quiz_create(fx->w, &d, 0, &quiz, &e), 0);
  for (int round = 0; round < 5; round++) {
    quiz_draw *dr = NULL;
    json_t *tree = NULL;
    int64_t at = round ? clock_now() : 1767225600; /* a start of now (open), one long past (expired) */
    if (quiz_draw_new(fx->w, quiz, &dr, &e) != 0 || quiz_draw_view(fx->w, dr, 77, at, &tree, &e) != 0)
      fail_msg("draw: %s", e.message);
    buf b;
    buf_init(&b);
    assert_int_equal(quiz_draw_view_text(fx->w, dr, 77, at, &b, &e), 0);
    buf_putc(&b, 0);
    json_error_t je;
    json_t *text = json_loads(b.data, 0, &je);
    if (!text) fail_msg("not JSON (%s): %s", je.text, b.data);
    if (!json_equal(text, tree)) {
      const char *key;
      json_t *v;
      json_object_foreach(tree, key, v) {
        if (!json_equal(v, json_object_get(text, key))) {
          char *t1 = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY), *t2 = json_dumps(json_object_get(text, key), JSON_COMPACT | JSON_ENCODE_ANY);
          fail_msg("%s: tree %.600s, text %.600s", key, t1, t2 ? t2 : "(none)");
        }
      }
      fail_msg("the text has more: %.2000s", b.data);
    }
    assert_int_equal(json_array_size(json_object_get(text, "questions")), 6);
    json_decref(text);
    json_decref(tree);
    buf_free(&b);
    quiz_draw_free(dr);
  }
}

/* Answers to an attempt as shown: `how` 0 none, 1 odd but well-formed shapes (the last option,
 * a repeated choice, a right side left out, a short answer in other case, accents and spaces, a
 * number with a comma), 2 other shapes (a real, a wildcard's match, the matching reversed, no choice). */
static json_t *mixed_answers(const json_t *view, int how) {
  json_t *out = json_array(), *q;
  size_t i;
  json_array_foreach(json_object_get(view, "questions"), i, q) {
    const char *type = json_string_value(json_object_get(q, "type"));
    size_t nopt = json_array_size(json_object_get(q, "options")), nch = json_array_size(json_object_get(q, "choices"));
    json_t *v = json_null();
    if (how == 1) {
      if (!strcmp(type, "single")) v = json_integer((json_int_t)nopt - 1);
      else if (!strcmp(type, "multi")) v = json_pack("[i, i, i]", 0, 0, 1);
      else if (!strcmp(type, "truefalse")) v = json_false();
      else if (!strcmp(type, "matching")) v = json_pack("[O, n]", json_array_get(json_object_get(q, "choices"), 1));
      else if (!strcmp(type, "short")) v = json_string("  dịch   VỤ Công  ");
      else if (!strcmp(type, "numerical")) v = json_string("6,4");
    } else if (how == 2) {
      if (!strcmp(type, "single")) v = json_integer(0);
      else if (!strcmp(type, "multi")) v = json_array();
      else if (!strcmp(type, "truefalse")) v = json_true();
      else if (!strcmp(type, "matching")) {
        v = json_array();
        for (size_t k = nch; k > 0; k--) json_array_append(v, json_array_get(json_object_get(q, "choices"), k - 1));
      } else if (!strcmp(type, "short")) v = json_string("Cổng thông tin \"công\" <b>");
      else if (!strcmp(type, "numerical")) v = json_real(7.75);
    }
    json_array_append_new(out, v);
  }
  return out;
}

/* A submission's answer written as text (quiz_submit_text, what POST /attempts/{id}/submit sends)
 * is the attempt read back afterwards (quiz_attempt_get, GET /attempts/{id}): every kind of question
 * answered right, wrongly, partly, oddly, not at all, fewer answers than questions, an assisted
 * attempt; and the refusals are unchanged (a malformed answer names its question and writes
 * nothing; submitted twice, or past the time and its grace: 409). */
static void test_submit_text_equals_view(void **state) {
  fixture *fx = fx_of(state);
  import_mix(fx);
  app_err e = {0};
  int64_t quiz = 0;
  quiz_def d = {.title = "Nộp \"đủ loại\" <câu>", .category = "MIX", .question_count = 10, .pass_percent = 50,
                .time_limit_min = 15};
  assert_int_equal(quiz_create(fx->w, &d, 0, &quiz, &e), 0);
  for (int round = 0; round < 11; round++) {
    json_t *view = NULL, *answers = NULL, *back = NULL;
    int status = 0;
    bool assisted = round == 8;
    int rc = assisted ? quiz_start_assisted(fx->w, quiz, fx->helper, fx->A, &view, &status, &e)
                      : quiz_start(fx->w, quiz, fx->learner, 0, &view, &status, &e);
    if (rc != 0) fail_msg("start: %s", e.message);
    assert_int_equal(status, 201);
    int64_t id = json_integer_value(json_object_get(view, "id"));
    switch (round) {
      case 0: answers = mixed_answers(view, 0); break;
      case 1: case 8: assert_int_equal(quiz_sample_answers(fx->w, id, 1.0, 1, &answers, &e), 0); break;
      case 2: assert_int_equal(quiz_sample_answers(fx->w, id, 0.0, 2, &answers, &e), 0); break;
      case 3: answers = mixed_answers(view, 1); break;
      case 4: answers = mixed_answers(view, 2); break;
      case 5: assert_int_equal(quiz_sample_answers(fx->w, id, 0.5, 5, &answers, &e), 0); break;
      case 6: /* fewer answers than questions */
        assert_int_equal(quiz_sample_answers(fx->w, id, 1.0, 6, &answers, &e), 0);
        while (json_array_size(answers) > 2) json_array_remove(answers, json_array_size(answers) - 1);
        break;
      case 9: /* submitted without answers: the sheet saved last is graded */
        assert_int_equal(quiz_sample_answers(fx->w, id, 0.5, 9, &answers, &e), 0);
        assert_int_equal(quiz_answers_check(fx->w, id, fx->learner, answers, &e), 0);
        /* someone else's: refused, telling nothing of it */
        assert_int_equal(quiz_answers_check(fx->w, id, fx->helper, answers, &e), -1);
        assert_int_equal(e.status, 403);
        assert_int_equal(quiz_answers_save(fx->w, id, fx->helper, answers, &e), -1);
        assert_int_equal(quiz_answers_save(fx->w, id, fx->learner, answers, &e), 0);
        assert_int_equal(quiz_attempt_get(fx->w, id, &back, &e), 0);
        assert_true(json_equal(json_object_get(back, "saved_answers"), answers));
        json_decref(back);
        back = NULL;
        break;
      case 10: break; /* without answers, none saved: all blank */
      default: answers = json_array(); break;
    }
    if (round == 7) { /* a malformed answer: 400 naming its question, nothing written; then accepted */
      json_t *bad = json_pack("[s]", "không phải số thứ tự");
      const char *type0 = json_string_value(json_object_get(json_array_get(json_object_get(view, "questions"), 0), "type"));
      buf b;
      buf_init(&b);
      quiz_submitted sd;
      if (!strcmp(type0, "short") || !strcmp(type0, "numerical")) json_array_set_new(bad, 0, json_pack("{}"));
      assert_int_not_equal(quiz_submit_text(fx->w, &fx->keys, id, bad, &b, &sd, &e), 0);
      assert_int_equal(e.status, 400);
      assert_string_equal(e.field, "answers");
      assert_non_null(strstr(e.message, "Câu 1:"));
      json_decref(bad);
      json_t *more = json_array();
      for (size_t k = 0; k <= json_array_size(json_object_get(view, "questions")); k++) json_array_append_new(more, json_null());
      assert_int_not_equal(quiz_submit_text(fx->w, &fx->keys, id, more, &b, &sd, &e), 0);
      assert_int_equal(e.status, 400);
      json_decref(more);
      buf_free(&b);
      assert_int_equal(quiz_attempt_get(fx->w, id, &back, &e), 0);
      assert_string_equal(json_string_value(json_object_get(back, "state")), "open");
      json_decref(back);
      back = NULL;
    }
    buf b;
    buf_init(&b);
    quiz_submitted sd;
    if (quiz_submit_text(fx->w, &fx->keys, id, round >= 9 ? NULL : answers, &b, &sd, &e) != 0)
      fail_msg("submit %d: %s", round, e.message);
    assert_int_equal(quiz_attempt_get(fx->w, id, &back, &e), 0);
    assert_same_view(b.data, back);
    if (round == 9) { /* the saved sheet was graded: it is the review's answers */
      size_t k;
      json_t *q;
      json_array_foreach(json_object_get(back, "questions"), k, q) {
        json_t *want = json_array_get(answers, k);
        assert_true(json_equal(json_object_get(q, "your_answer"), want ? want : json_null()));
      }
    }
    if (round == 10) assert_true(json_real_value(json_object_get(back, "score_percent")) == 0);
    assert_string_equal(json_string_value(json_object_get(back, "state")), "submitted");
    assert_int_equal(json_array_size(json_object_get(back, "questions")), 6);
    assert_true(sd.score_percent == json_real_value(json_object_get(back, "score_percent")));
    assert_int_equal(sd.assisted_by, assisted ? fx->helper : 0);
    assert_int_equal(sd.person_id, assisted ? fx->A : 0);
    if (round == 1) assert_true(json_is_true(json_object_get(back, "passed")));
    /* the same submission again: its stored result (the same text), nothing written; other
     * answers: 409, and the first submission stands */
    char *first = strdup(b.data);
    assert_non_null(first);
    buf_clear(&b);
    assert_int_equal(quiz_submit_text(fx->w, &fx->keys, id, answers, &b, &sd, &e), 0);
    assert_true(sd.again);
    assert_string_equal(b.data, first);
    free(first);
    buf_clear(&b);
    json_t *other = json_pack("[s]", "một câu trả lời khác");
    assert_int_not_equal(quiz_submit_text(fx->w, &fx->keys, id, other, &b, &sd, &e), 0);
    assert_int_equal(e.status, 409);
    json_decref(other);
    buf_free(&b);
    json_decref(back);
    json_decref(view);
    json_decref(answers);
  }
  /* past its time and the grace after it: 409, not counted */
  json_t *view = NULL;
  int status = 0;
  assert_int_equal(quiz_start(fx->w, quiz, fx->learner, 0, &view, &status, &e), 0);
  int64_t id = json_integer_value(json_object_get(view, "id"));
  char sql[160];
  snprintf(sql, sizeof sql, "UPDATE quiz_attempts SET deadline_at = %lld WHERE id = %lld", (long long)(clock_now() - 61),
           (long long)id);
  assert_int_equal(store_exec(fx->w, sql), STORE_OK);
  buf b;
  buf_init(&b);
  quiz_submitted sd;
  json_t *none = json_array();
  assert_int_not_equal(quiz_submit_text(fx->w, &fx->keys, id, none, &b, &sd, &e), 0);
  assert_int_equal(e.status, 409);
  json_decref(none);
  buf_free(&b);
  json_decref(view);
}

/* An attempt's items are kept from its start for its submission, but a row whose items are not the
 * ones kept (changed here by hand: as an id given back by a rollback and drawn again elsewhere
 * would be) is read as it is, never as kept. */
static void test_items_kept_by_text(void **state) {
  fixture *fx = fx_of(state);
  import_mix(fx);
  app_err e = {0};
  int64_t quiz = 0;
  quiz_def d = {.title = "Giữ câu đã rút", .category = "MIX", .question_count = 6, .pass_percent = 50};
  assert_int_equal(quiz_create(fx->w, &d, 0, &quiz, &e), 0);
  json_t *x = NULL, *y = NULL, *back = NULL;
  int status = 0;
  assert_int_equal(quiz_start(fx->w, quiz, fx->learner, 0, &x, &status, &e), 0);
  assert_int_equal(quiz_start_assisted(fx->w, fx->placement, fx->helper, fx->B, &y, &status, &e), 0);
  int64_t xid = json_integer_value(json_object_get(x, "id")), yid = json_integer_value(json_object_get(y, "id"));
  assert_int_equal(quiz_attempt_get(fx->w, xid, &back, &e), 0); /* as kept */
  assert_true(json_equal(json_object_get(back, "questions"), json_object_get(x, "questions")));
  json_decref(back);
  char sql[200];
  snprintf(sql, sizeof sql, "UPDATE quiz_attempts SET items = (SELECT items FROM quiz_attempts WHERE id = %lld) WHERE id = %lld",
           (long long)yid, (long long)xid);
  assert_int_equal(store_exec(fx->w, sql), STORE_OK);
  assert_int_equal(quiz_attempt_get(fx->w, xid, &back, &e), 0);
  json_t *qx = json_object_get(back, "questions"), *qy = json_object_get(y, "questions");
  assert_int_equal(json_array_size(qx), json_array_size(qy));
  for (size_t i = 0; i < json_array_size(qy); i++)
    assert_string_equal(json_string_value(json_object_get(json_array_get(qx, i), "text")),
                        json_string_value(json_object_get(json_array_get(qy, i), "text")));
  json_decref(back);
  json_decref(x);
  json_decref(y);
}

static void test_report(void **state) {
  fixture *fx = fx_of(state);
  app_err e = {0};
  attempt(fx, fx->placement, 0, fx->A, fx->helper, 1, 0);
  attempt(fx, fx->placement, 0, fx->A, fx->helper, 2, 1);
  attempt(fx, fx->placement, 0, fx->B, fx->helper, 0, 1);
  attempt(fx, fx->placement, 0, fx->B, fx->helper, 1, 2);
  attempt(fx, fx->placement, 0, fx->C, fx->helper, 2, 2);
  attempt(fx, fx->placement, 0, fx->C, fx->helper, 2, 1);
  attempt(fx, fx->placement, 0, fx->D, fx->helper, 0, 0); /* measured once: not in the figures */
  attempt(fx, fx->placement, fx->learner, 0, 0, 0, 0);    /* an account without a person: not a resident */
  attempt(fx, fx->placement, fx->learner, 0, 0, 2, 2);
  arena a;
  arena_init(&a);
  const char *path = NULL;
  assert_int_equal(units_path(fx->w, fx->ward, &a, &path, &e), 0);
  json_t *r = NULL;
  assert_int_equal(competence_report(fx->w, &a, fx->ward, path, 0, &r, &e), 0);
  json_t *t = json_object_get(r, "total");
  assert_int_equal(json_integer_value(json_object_get(t, "learners")), 3);
  assert_int_equal(json_integer_value(json_object_get(t, "measures")), 6);
  assert_pct(num(t, "before"), 50);
  assert_pct(num(t, "after"), 75);
  json_t *ca = entry(json_object_get(r, "competencies"), "4.2"), *cb = entry(json_object_get(r, "competencies"), "6.1");
  assert_int_equal(json_integer_value(json_object_get(ca, "learners")), 3);
  assert_pct(num(ca, "before"), 50);
  assert_pct(num(ca, "after"), 83.3);
  assert_pct(num(ca, "change"), 33.3);
  assert_pct(num(cb, "after"), 66.7);
  assert_pct(num(cb, "change"), 16.7);
  size_t i;
  json_t *u;
  int seen = 0;
  json_array_foreach(json_object_get(r, "by_unit"), i, u) {
    int64_t id = json_integer_value(json_object_get(u, "unit_id"));
    if (id == fx->tdp1) {
      assert_int_equal(json_integer_value(json_object_get(u, "learners")), 2);
      assert_pct(num(u, "before"), 25);
      assert_pct(num(u, "after"), 75);
      seen++;
    } else if (id == fx->tdp2) {
      assert_int_equal(json_integer_value(json_object_get(u, "learners")), 1);
      assert_pct(num(u, "change"), -25);
      seen++;
    } else {
      fail_msg("unexpected unit %lld", (long long)id);
    }
  }
  assert_int_equal(seen, 2);
  json_t *g;
  bool elderly = false;
  json_array_foreach(json_object_get(r, "by_group"), i, g) {
    if (!strcmp(json_string_value(json_object_get(g, "group")), "elderly")) {
      elderly = true;
      assert_int_equal(json_integer_value(json_object_get(g, "learners")), 1);
      assert_pct(num(g, "before"), 25);
      assert_pct(num(g, "after"), 75);
    }
  }
  assert_true(elderly);
  json_decref(r);
  /* One group; one child unit. */
  assert_int_equal(competence_report(fx->w, &a, fx->ward, path, GROUP_ELDERLY, &r, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "total"), "learners")), 1);
  assert_pct(num(entry(json_object_get(r, "competencies"), "4.2"), "after"), 100);
  json_decref(r);
  assert_int_equal(units_path(fx->w, fx->tdp2, &a, &path, &e), 0);
  assert_int_equal(competence_report(fx->w, &a, fx->tdp2, path, 0, &r, &e), 0);
  t = json_object_get(r, "total");
  assert_int_equal(json_integer_value(json_object_get(t, "learners")), 1);
  assert_pct(num(t, "before"), 100);
  json_decref(r);
  /* A deleted person leaves the figures. */
  int64_t unit_of = 0;
  assert_int_equal(people_delete(fx->w, fx->C, 30, &unit_of, &e), 0);
  assert_int_equal(units_path(fx->w, fx->ward, &a, &path, &e), 0);
  assert_int_equal(competence_report(fx->w, &a, fx->ward, path, 0, &r, &e), 0);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "total"), "learners")), 2);
  json_decref(r);
  arena_free(&a);
}

static void test_mean(void **state) {
  (void)state;
  assert_pct(competence_mean(2500, 3), 83.3);
  assert_pct(competence_mean(2000, 3), 66.7);
  assert_pct(competence_mean(-750, 3), -25);
  assert_pct(competence_mean(0, 0), 0);
  assert_pct(competence_mean(1, 2), 0.1); /* 0.5 tenth: rounded away from zero */
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_scores_per_competence, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_report, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_start_text_equals_view, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_submit_text_equals_view, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_items_kept_by_text, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_pool_follows_bank, test_setup, test_teardown),
  };
  const struct CMUnitTest pure[] = {cmocka_unit_test(test_mean)};
  int failed = cmocka_run_group_tests_name("pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("postgresql", tests, setup_pg, teardown_pg);
  return failed;
}

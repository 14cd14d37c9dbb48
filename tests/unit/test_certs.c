/* test_certs.c: certificates (certs.c), on SQLite and, when HOCVUSO_TEST_DATABASE_URL names a
 * PostgreSQL database, on PostgreSQL in a schema of its own. Pure: the signed bytes exactly as
 * docs/CERTIFICATES.md writes them, their parser (and what it refuses), IDs, the QR text. Stored:
 * the first key made once, rotation keeping the old key published; a programme's rule per learner
 * group (an elderly resident needs fewer modules than an adult), issued in the transaction of the
 * completing submission, once; the signature verifies with libsodium from the published key; a
 * row edited in the database no longer verifies; revocation. Synthetic people only. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>

#include "domain/certs.h"
#include "domain/lessons.h"
#include "domain/people.h"
#include "domain/quiz.h"
#include "domain/units.h"
#include "domain/users.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/buf.h"

#define REGISTRY_FIXTURE_NAME "certs"
#include "registry_fixture.h"

/* ---- pure ---- */

static void test_payload_bytes(void **state) {
  (void)state;
  cert_fields f = {7228662209372772LL, "Hoàng Văn Nam", "Đạt phổ cập kỹ năng số cơ bản", "2026-12-02",
                   "UBND Phường Hải Dương", "ed25519-CGdgl92u"};
  char out[CERTS_PAYLOAD_MAX];
  int n = certs_payload(&f, out, sizeof out);
  const char *want = "hocvuso-certificate/1\nid: 7228-6622-0937-2772\nholder: Hoàng Văn Nam\n"
                     "programme: Đạt phổ cập kỹ năng số cơ bản\nissued_on: 2026-12-02\nissuer: UBND Phường Hải Dương\n"
                     "key: ed25519-CGdgl92u";
  assert_string_equal(out, want);
  assert_int_equal(n, (int)strlen(want));
  /* Control characters never split a line: they become spaces. */
  f.holder = "Lê\nVăn\tA\x7f";
  assert_true(certs_payload(&f, out, sizeof out) > 0);
  assert_non_null(strstr(out, "\nholder: Lê Văn A \n"));
  /* Too small a buffer: -1, never a truncated payload. */
  assert_int_equal(certs_payload(&f, out, 40), -1);
}

static void test_payload_parse(void **state) {
  (void)state;
  char text[] = "hocvuso-certificate/1\nid: 1234-5678-9012-3456\nholder: A\nprogramme: B\nissued_on: 2026-01-02\n"
                "issuer: C\nkey: k";
  cert_fields f;
  assert_int_equal(certs_payload_parse(text, &f), 0);
  assert_true(f.id == 1234567890123456LL);
  assert_string_equal(f.holder, "A");
  assert_string_equal(f.programme, "B");
  assert_string_equal(f.issued_on, "2026-01-02");
  assert_string_equal(f.issuer, "C");
  assert_string_equal(f.kid, "k");
  const char *bad[] = {
      "hocvuso-certificate/2\nid: 1234-5678-9012-3456\nholder: A\nprogramme: B\nissued_on: x\nissuer: C\nkey: k",
      "hocvuso-certificate/1\nid: 1234-5678-9012-3456\nholder: A\nprogramme: B\nissued_on: x\nissuer: C\nkey: k\n",
      "hocvuso-certificate/1\nid: 12\nholder: A\nprogramme: B\nissued_on: x\nissuer: C\nkey: k",
      "hocvuso-certificate/1\nholder: A\nid: 1234-5678-9012-3456\nprogramme: B\nissued_on: x\nissuer: C\nkey: k",
      "hocvuso-certificate/1\nid: 1234-5678-9012-3456\nholder:A\nprogramme: B\nissued_on: x\nissuer: C\nkey: k",
      "hocvuso-certificate/1\nid: 1234-5678-9012-3456\nholder: A\nprogramme: B\nissued_on: x\nissuer: C",
      "",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char copy[512];
    snprintf(copy, sizeof copy, "%s", bad[i]);
    if (certs_payload_parse(copy, &f) == 0) fail_msg("accepted bad payload %zu", i);
  }
}

static void test_ids(void **state) {
  (void)state;
  char t[24];
  certs_id_format(1000000000000001LL, t);
  assert_string_equal(t, "1000-0000-0000-0001");
  assert_true(certs_id_parse("1000-0000-0000-0001") == 1000000000000001LL);
  assert_true(certs_id_parse("8999999999999999") == 8999999999999999LL);
  assert_true(certs_id_parse("1000 0000 0000 0001") == 1000000000000001LL);
  assert_true(certs_id_parse("999999999999999") == 0);   /* 15 digits */
  assert_true(certs_id_parse("10000000000000001") == 0); /* 17 digits */
  assert_true(certs_id_parse("0999999999999999") == 0);  /* below the range */
  assert_true(certs_id_parse("1234-5678-9012-345x") == 0);
  assert_true(certs_id_parse("") == 0);
  assert_true(certs_id_parse(NULL) == 0);
  char *q = certs_qr_text("https://hv.example.vn/", "YWI", "SIG");
  assert_string_equal(q, "https://hv.example.vn/#/xac-minh?c=YWI.SIG");
  free(q);
}

/* ---- stored ---- */

/* A course of three modules (CT/M1..M3), two true/false questions each, written to `dir` and loaded. */
static int load_course(fixture *fx) {
  char path[256], err[512] = "";
  const char *mods[] = {"M1", "M2", "M3"};
  json_t *modules = json_array();
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s", fx->dir, mods[i]);
    if (mkdir(path, 0700) != 0) return -1;
    snprintf(path, sizeof path, "%s/%s/bai.md", fx->dir, mods[i]);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "# Bài %s\n\nNội dung.\n", mods[i]);
    fclose(f);
    snprintf(path, sizeof path, "%s/%s/q.gift", fx->dir, mods[i]);
    f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "$CATEGORY: CT/%s/1.1/1\n\n::a::Câu một của %s đúng?{T####Vì vậy.}\n\n::b::Câu hai của %s đúng?{T####Vì vậy.}\n",
            mods[i], mods[i], mods[i]);
    fclose(f);
    json_array_append_new(modules, json_pack("{s:s, s:s, s:s, s:s, s:i, s:[s], s:[s], s:[{s:s, s:s, s:i, s:[s]}], s:s}",
                                             "code", mods[i], "title", mods[i], "summary", "Tóm tắt", "dir", mods[i],
                                             "level", 1, "competencies", "1.1", "groups", "adults", "lessons", "file",
                                             "bai.md", "title", "Bài", "minutes", 5, "competencies", "1.1",
                                             "questions", "q.gift"));
  }
  json_t *idx = json_pack("{s:{s:s, s:s, s:s}, s:o}", "course", "code", "CT", "title", "Khóa thử", "description", "Thử",
                          "modules", modules);
  snprintf(path, sizeof path, "%s/curriculum.json", fx->dir);
  int rc = json_dump_file(idx, path, 0);
  json_decref(idx);
  curriculum_counts n;
  if (rc == 0) rc = curriculum_load(fx->st, fx->dir, &n, err, sizeof err);
  if (rc != 0) fprintf(stderr, "curriculum_load: %s\n", err);
  return rc;
}

static int setup_sqlite_c(void **state) {
  int rc = setup_sqlite(state);
  return rc == 0 ? load_course(&fx_sqlite) : rc;
}

static int setup_pg_c(void **state) {
  int rc = setup_pg(state);
  if (rc != 0 || !fx_pg.st) return rc;
  /* the curriculum's files go to a directory of their own */
  snprintf(fx_pg.dir, sizeof fx_pg.dir, "/tmp/hv_test_certs_pg.XXXXXX");
  if (!mkdtemp(fx_pg.dir)) return -1;
  return load_course(&fx_pg);
}

static int teardown_pg_c(void **state) {
  if (fx_pg.dir[0]) nftw(fx_pg.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return teardown_pg(state);
}

static int64_t account(fixture *fx, int64_t unit_id) {
  char name[32];
  snprintf(name, sizeof name, "hv%d", ++fx->seq);
  int64_t id = 0;
  app_err e = {0};
  if (users_create(fx->w, name, "Người Học Thử", "$argon2id$x", unit_id, false, &id, &e) != 0)
    fail_msg("users_create: %s", e.message);
  return id;
}

static int64_t quiz_of(fixture *fx, const char *module) {
  char cat[32], title[64];
  snprintf(cat, sizeof cat, "CT/%s", module);
  snprintf(title, sizeof title, "Kiểm tra %s %d", module, ++fx->seq);
  quiz_def d = {.title = title, .description = "", .category = cat, .question_count = 2, .pass_percent = 100};
  int64_t id = 0;
  app_err e = {0};
  if (quiz_create(fx->w, &d, 0, &id, &e) != 0) fail_msg("quiz_create: %s", e.message);
  return id;
}

/* Takes the quiz as (user, person), all right or all wrong; the certificates the submission issued.
 * The submission's answer, written as text (quiz_submit_text, every other call) or as a tree
 * (quiz_submit), is the attempt as read back afterwards (quiz_attempt_get): certificates included. */
static json_t *take(fixture *fx, int64_t quiz, int64_t user, int64_t person, bool right) {
  static int calls;
  json_t *view = NULL, *answers = NULL, *done = NULL, *back = NULL;
  int status = 0;
  app_err e = {0};
  if (quiz_start(fx->w, quiz, user, person, &view, &status, &e) != 0) fail_msg("quiz_start: %s", e.message);
  int64_t attempt = json_integer_value(json_object_get(view, "id"));
  if (quiz_sample_answers(fx->w, attempt, right ? 1.0 : 0.0, 3, &answers, &e) != 0) fail_msg("sample: %s", e.message);
  if (++calls % 2) {
    buf b;
    buf_init(&b);
    quiz_submitted sd;
    if (quiz_submit_text(fx->w, &fx->keys, attempt, answers, &b, &sd, &e) != 0) fail_msg("quiz_submit_text: %s", e.message);
    done = json_loads(b.data, 0, NULL);
    if (!done) fail_msg("not JSON: %s", b.data);
    assert_int_equal(sd.assisted_by, 0);
    assert_true(sd.score_percent == json_real_value(json_object_get(done, "score_percent")));
    buf_free(&b);
  } else if (quiz_submit(fx->w, &fx->keys, attempt, answers, &done, &e) != 0) {
    fail_msg("quiz_submit: %s", e.message);
  }
  if (quiz_attempt_get(fx->w, attempt, &back, &e) != 0) fail_msg("quiz_attempt_get: %s", e.message);
  if (!json_equal(done, back)) {
    char *t1 = json_dumps(done, JSON_COMPACT), *t2 = json_dumps(back, JSON_COMPACT);
    fail_msg("the submission's answer %s\nis not the attempt read back %s", t1, t2);
  }
  json_t *issued = json_incref(json_object_get(done, "certificates"));
  assert_non_null(issued);
  json_decref(view);
  json_decref(answers);
  json_decref(done);
  json_decref(back);
  return issued;
}

static void test_keys(void **state) {
  fixture *fx = fx_of(state);
  app_err e = {0};
  json_t *k = NULL;
  assert_int_equal(store_begin(fx->w), STORE_OK);
  assert_int_equal(certs_keys_ensure(fx->w, &fx->keys, &e), 0);
  assert_int_equal(certs_keys_ensure(fx->w, &fx->keys, &e), 0);
  assert_int_equal(certs_keys_json(fx->w, &k, &e), 0);
  size_t before = json_array_size(json_object_get(k, "keys"));
  assert_true(before >= 1);
  json_t *cur = NULL;
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(k, "keys"), i, x) if (json_is_null(json_object_get(x, "valid_until"))) cur = x;
  assert_non_null(cur);
  /* The first key is the secrets' seed's: its public half as published. */
  unsigned char pk[32], sk[64], got[32];
  crypto_sign_seed_keypair(pk, sk, fx->keys.signing_seed);
  size_t n = 0;
  const char *pub = json_string_value(json_object_get(cur, "public_key"));
  assert_int_equal(sodium_base642bin(got, sizeof got, pub, strlen(pub), NULL, &n, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
  if (before == 1) assert_memory_equal(got, pk, 32);
  json_decref(k);
  char kid[32];
  assert_int_equal(certs_keys_rotate(fx->w, &fx->keys, kid, &e), 0);
  assert_int_equal(certs_keys_json(fx->w, &k, &e), 0);
  assert_int_equal(json_array_size(json_object_get(k, "keys")), before + 1);
  int current = 0;
  json_array_foreach(json_object_get(k, "keys"), i, x) {
    if (json_is_null(json_object_get(x, "valid_until"))) {
      current++;
      assert_string_equal(json_string_value(json_object_get(x, "id")), kid);
    }
  }
  assert_int_equal(current, 1);
  json_decref(k);
  assert_int_equal(store_commit(fx->w), STORE_OK);
}

static void test_rule_by_group(void **state) {
  fixture *fx = fx_of(state);
  app_err e = {0};
  assert_int_equal(store_begin(fx->w), STORE_OK);
  /* every learner: M1 and M2; the elderly: M1 alone */
  json_t *rule = json_pack("{s:[s, s], s:[{s:s, s:[s]}]}", "modules", "CT/M1", "CT/M2", "groups", "group", "elderly",
                           "modules", "CT/M1");
  char code[16];
  snprintf(code, sizeof code, "P%d", ++fx->seq);
  programme_in in = {code, "Đạt phổ cập kỹ năng số cơ bản", "", 0, 0, 1, rule};
  int64_t pid = 0;
  assert_int_equal(certs_programme_create(fx->w, &in, 0, &pid, &e), 0);
  json_decref(rule);
  int64_t q1 = quiz_of(fx, "M1"), q2 = quiz_of(fx, "M2");
  int64_t hh = household(fx, fx->tdp1);
  char old_birth[16];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  snprintf(old_birth, sizeof old_birth, "%04d", tm.tm_year + 1900 - 72);
  int64_t elder = person(fx, "Bà Cụ Thử", fx->tdp1, hh, old_birth, "F", NULL);
  int64_t adult = person(fx, "Anh Thanh Niên Thử", fx->tdp1, hh, "1995", "M", NULL);
  int64_t u1 = account(fx, fx->tdp1), u2 = account(fx, fx->tdp1);
  /* the elderly resident: M1 completes her rule */
  json_t *got = take(fx, q1, u1, elder, true);
  assert_int_equal(json_array_size(got), 1);
  int64_t cid = json_integer_value(json_object_get(json_array_get(got, 0), "id"));
  json_decref(got);
  /* the adult: M1 is not enough; failing M2 is not either; passing M2 is */
  got = take(fx, q1, u2, adult, true);
  assert_int_equal(json_array_size(got), 0);
  json_decref(got);
  got = take(fx, q2, u2, adult, false);
  assert_int_equal(json_array_size(got), 0);
  json_decref(got);
  got = take(fx, q2, u2, adult, true);
  assert_int_equal(json_array_size(got), 1);
  json_decref(got);
  /* once: passing again issues nothing */
  got = take(fx, q1, u1, elder, true);
  assert_int_equal(json_array_size(got), 0);
  json_decref(got);
  assert_int_equal(store_commit(fx->w), STORE_OK);

  /* The public view: the person's name, the ward as issuer, a signature that verifies. */
  json_t *v = NULL;
  bool found = false;
  assert_int_equal(certs_verify_id(fx->w, cid, &v, &found, &e), 0);
  assert_true(found);
  assert_string_equal(json_string_value(json_object_get(v, "status")), "valid");
  assert_string_equal(json_string_value(json_object_get(v, "holder_name")), "Bà Cụ Thử");
  assert_string_equal(json_string_value(json_object_get(v, "issuer")), "UBND Phường Thử");
  json_t *keys = NULL;
  assert_int_equal(certs_keys_json(fx->w, &keys, &e), 0);
  const char *kid = json_string_value(json_object_get(v, "key_id"));
  const char *pub = NULL;
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(keys, "keys"), i, x) if (!strcmp(json_string_value(json_object_get(x, "id")), kid))
      pub = json_string_value(json_object_get(x, "public_key"));
  assert_non_null(pub);
  unsigned char pk[32], sig[64], payload[CERTS_PAYLOAD_MAX];
  size_t npk = 0, nsig = 0, npay = 0;
  const char *ps = json_string_value(json_object_get(v, "payload")), *ss = json_string_value(json_object_get(v, "signature"));
  assert_int_equal(sodium_base642bin(pk, 32, pub, strlen(pub), NULL, &npk, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
  assert_int_equal(sodium_base642bin(sig, 64, ss, strlen(ss), NULL, &nsig, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
  assert_int_equal(sodium_base642bin(payload, sizeof payload, ps, strlen(ps), NULL, &npay, NULL,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
  assert_int_equal(crypto_sign_verify_detached(sig, payload, npay, pk), 0);
  /* The signed payload, checked as a QR code brings it: valid; one byte changed: forged. */
  json_t *w = NULL;
  assert_int_equal(certs_verify_signed(fx->w, ps, ss, &w, &e), 0);
  assert_string_equal(json_string_value(json_object_get(w, "status")), "valid");
  json_decref(w);
  payload[npay - 1] ^= 1;
  char altered[CERTS_PAYLOAD_MAX * 2];
  sodium_bin2base64(altered, sizeof altered, payload, npay, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  assert_int_equal(certs_verify_signed(fx->w, altered, ss, &w, &e), 0);
  assert_string_equal(json_string_value(json_object_get(w, "status")), "forged");
  json_decref(w);
  json_decref(keys);
  json_decref(v);

  /* Revoked: once; the public status says so. */
  int64_t unit_id = 0;
  assert_int_equal(store_begin(fx->w), STORE_OK);
  assert_int_equal(certs_revoke(fx->w, cid, 0, "Cấp nhầm", &unit_id, &e), 0);
  assert_true(unit_id == fx->tdp1);
  app_err e2 = {0};
  assert_int_equal(certs_revoke(fx->w, cid, 0, "Lần nữa", &unit_id, &e2), -1);
  assert_int_equal(e2.status, 409);
  assert_int_equal(store_commit(fx->w), STORE_OK);
  assert_int_equal(certs_verify_id(fx->w, cid, &v, &found, &e), 0);
  assert_string_equal(json_string_value(json_object_get(v, "status")), "revoked");
  json_decref(v);
}

static void test_rule_refused(void **state) {
  fixture *fx = fx_of(state);
  const char *bad[] = {
      "{\"modules\": [\"CT/M9\"]}",
      "{\"modules\": []}",
      "{\"modules\": [\"CT\"]}",
      "{\"modules\": [1]}",
      "{\"modules\": [\"CT/M1\"], \"groups\": [{\"group\": \"nobody\", \"modules\": [\"CT/M1\"]}]}",
      "{\"modules\": [\"CT/M1\"], \"groups\": [{\"group\": \"elderly\", \"modules\": [\"CT/M7\"]}]}",
      "{\"modules\": [\"CT/M1\"], \"other\": 1}",
      "[\"CT/M1\"]",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    json_t *r = json_loads(bad[i], JSON_DECODE_ANY, NULL);
    assert_non_null(r);
    app_err e = {0};
    if (certs_rule_check(fx->w, r, &e) == 0) fail_msg("accepted rule %s", bad[i]);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.field, "requirements");
    json_decref(r);
  }
  json_t *ok = json_loads("{\"modules\": [\"CT/M1\", \"CT/M3\"], \"groups\": [{\"group\": \"traders\", \"modules\": [\"CT/M2\"]}]}", 0, NULL);
  app_err e = {0};
  assert_int_equal(certs_rule_check(fx->w, ok, &e), 0);
  json_decref(ok);
}

/* One submission that completes two programmes issues both in its transaction; its answer lists
 * them in the order of their ids, as the attempt read back does (take() compares the two). */
static void test_two_at_once(void **state) {
  fixture *fx = fx_of(state);
  app_err e = {0};
  assert_int_equal(store_begin(fx->w), STORE_OK);
  int64_t pids[2] = {0, 0};
  for (int k = 0; k < 2; k++) {
    json_t *rule = json_pack("{s:[s]}", "modules", "CT/M3");
    char code[16];
    snprintf(code, sizeof code, "W%d", ++fx->seq);
    programme_in in = {code, k ? "Chương trình thứ hai" : "Chương trình thứ nhất", "", 0, 0, 1, rule};
    assert_int_equal(certs_programme_create(fx->w, &in, 0, &pids[k], &e), 0);
    json_decref(rule);
  }
  int64_t q = quiz_of(fx, "M3");
  size_t n = 0;
  for (int k = 0; k < 2; k++) { /* once through the text answer, once through the tree */
    json_t *got = take(fx, q, account(fx, fx->tdp2), 0, true);
    n = json_array_size(got);
    assert_true(n >= 2);
    for (size_t i = 1; i < n; i++)
      assert_true(json_integer_value(json_object_get(json_array_get(got, i - 1), "id")) <
                  json_integer_value(json_object_get(json_array_get(got, i), "id")));
    json_decref(got);
  }
  /* a rule changed is the rule applied at the very next submission (rules are parsed once per text) */
  json_t *m2 = json_pack("{s:[s]}", "modules", "CT/M2");
  programme_in change = {NULL, NULL, NULL, -1, -1, -1, m2};
  assert_int_equal(certs_programme_update(fx->w, pids[1], &change, 0, &e), 0);
  json_decref(m2);
  json_t *got = take(fx, q, account(fx, fx->tdp2), 0, true);
  assert_int_equal(json_array_size(got), n - 1);
  json_decref(got);
  for (int k = 0; k < 2; k++) { /* switched off: the other tests count their own programmes' certificates */
    programme_in off = {NULL, NULL, NULL, -1, -1, 0, NULL};
    assert_int_equal(certs_programme_update(fx->w, pids[k], &off, 0, &e), 0);
  }
  assert_int_equal(store_commit(fx->w), STORE_OK);
}

/* A certificate's row changed in the database (the holder's name) no longer verifies: it reads as
 * unknown, never valid. */
static void test_tampered_row(void **state) {
  fixture *fx = fx_of(state);
  app_err e = {0};
  assert_int_equal(store_begin(fx->w), STORE_OK);
  json_t *rule = json_pack("{s:[s]}", "modules", "CT/M3");
  char code[16];
  snprintf(code, sizeof code, "T%d", ++fx->seq);
  programme_in in = {code, "Chương trình thử", "", 0, 0, 1, rule};
  int64_t pid = 0;
  assert_int_equal(certs_programme_create(fx->w, &in, 0, &pid, &e), 0);
  json_decref(rule);
  int64_t u = account(fx, fx->tdp2);
  json_t *got = take(fx, quiz_of(fx, "M3"), u, 0, true);
  assert_int_equal(json_array_size(got), 1);
  int64_t cid = json_integer_value(json_object_get(json_array_get(got, 0), "id"));
  json_decref(got);
  char sql[200];
  snprintf(sql, sizeof sql, "UPDATE certificates SET payload = replace(payload, 'Người Học', 'Kẻ Giả') WHERE id = %lld",
           (long long)cid);
  assert_int_equal(store_exec(fx->w, sql), STORE_OK);
  assert_int_equal(store_commit(fx->w), STORE_OK);
  json_t *v = NULL;
  bool found = false;
  assert_int_equal(certs_verify_id(fx->w, cid, &v, &found, &e), 0);
  assert_string_equal(json_string_value(json_object_get(v, "status")), "unknown");
  json_decref(v);
}

/* Review (docs/REVIEW-CERTIFICATES.md): the row's own columns edited, its signed payload left as it
 * was. The public answer shows the columns (holder_name, programme, …): they must say what was
 * signed, or the answer is not "valid". */
static void test_tampered_columns(void **state) {
  fixture *fx = fx_of(state);
  app_err e = {0};
  assert_int_equal(store_begin(fx->w), STORE_OK);
  json_t *rule = json_pack("{s:[s]}", "modules", "CT/M3");
  char code[16];
  snprintf(code, sizeof code, "T%d", ++fx->seq);
  programme_in in = {code, "Chương trình thử", "", 0, 0, 1, rule};
  int64_t pid = 0;
  assert_int_equal(certs_programme_create(fx->w, &in, 0, &pid, &e), 0);
  json_decref(rule);
  int64_t u = account(fx, fx->tdp2);
  json_t *got = take(fx, quiz_of(fx, "M3"), u, 0, true);
  assert_true(json_array_size(got) >= 1); /* the earlier tests' programmes may grant theirs too */
  int64_t cid = json_integer_value(json_object_get(json_array_get(got, 0), "id"));
  json_decref(got);
  assert_int_equal(store_commit(fx->w), STORE_OK);
  static const char *const edits[] = {"holder_name = 'Kẻ Giả Danh'", "programme_title = 'Thạc sĩ'",
                                      "issued_on = '2020-01-01'", "issuer = 'UBND Nơi Khác'"};
  for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
    char sql[300];
    assert_int_equal(store_begin(fx->w), STORE_OK);
    snprintf(sql, sizeof sql, "UPDATE certificates SET %s WHERE id = %lld", edits[i], (long long)cid);
    assert_int_equal(store_exec(fx->w, sql), STORE_OK);
    json_t *v = NULL;
    bool found = false;
    assert_int_equal(certs_verify_id(fx->w, cid, &v, &found, &e), 0);
    if (strcmp(json_string_value(json_object_get(v, "status")), "valid") == 0)
      fail_msg("an edited column (%s) still reads valid", edits[i]);
    json_decref(v);
    assert_int_equal(store_rollback(fx->w), STORE_OK);
  }
  /* untouched: valid */
  json_t *v = NULL;
  bool found = false;
  assert_int_equal(certs_verify_id(fx->w, cid, &v, &found, &e), 0);
  assert_string_equal(json_string_value(json_object_get(v, "status")), "valid");
  json_decref(v);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_payload_bytes),
      cmocka_unit_test(test_payload_parse),
      cmocka_unit_test(test_ids),
  };
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_keys, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_rule_refused, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_rule_by_group, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_two_at_once, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_tampered_row, test_setup, test_teardown),
      cmocka_unit_test_setup_teardown(test_tampered_columns, test_setup, test_teardown),
  };
  int failed = cmocka_run_group_tests_name("certs_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("certs_sqlite", tests, setup_sqlite_c, teardown_sqlite);
  failed += cmocka_run_group_tests_name("certs_postgresql", tests, setup_pg_c, teardown_pg_c);
  return failed ? 1 : 0;
}

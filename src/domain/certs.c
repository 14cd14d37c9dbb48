/* certs.c: certificates, their signing keys and the programmes that grant them (see certs.h and
 * docs/CERTIFICATES.md). Only this file writes SQL about signing_keys, programmes,
 * programme_checks and certificates; it reads attempts, quizzes, people, accounts and units. */
#include "domain/certs.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/groups.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/utf8.h"


STORE_SQL(q_key_current, "SELECT kid, seed_sealed FROM signing_keys WHERE valid_until IS NULL");
STORE_SQL(q_key_insert, "INSERT INTO signing_keys (kid, public_key, seed_sealed, valid_from, created_at)"
                        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
STORE_SQL(q_key_retire, "UPDATE signing_keys SET valid_until = ? WHERE valid_until IS NULL");
STORE_SQL(q_keys, "SELECT kid, public_key, valid_from, valid_until FROM signing_keys ORDER BY valid_from, kid");
STORE_SQL(q_key_pub, "SELECT public_key FROM signing_keys WHERE kid = ?");

STORE_SQL(q_prog_insert, "INSERT INTO programmes (code, title, description, pass_percent, in_person_check, requirements,"
                         " active, updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_prog_get, "SELECT code, title, description, pass_percent, in_person_check, requirements, active"
                      " FROM programmes WHERE id = ?");
STORE_SQL(q_prog_update, "UPDATE programmes SET code = ?, title = ?, description = ?, pass_percent = ?,"
                         " in_person_check = ?, requirements = ?, active = ?, updated_by = ?, updated_at = ? WHERE id = ?");
STORE_SQL(q_prog_list, "SELECT p.id, p.code, p.title, p.description, p.pass_percent, p.in_person_check, p.requirements,"
                       " p.active, (SELECT COUNT(*) FROM certificates c WHERE c.programme_id = p.id AND c.revoked_at IS NULL)"
                       " FROM programmes p ORDER BY p.id");
STORE_SQL(q_prog_active, "SELECT id, title, pass_percent, in_person_check, requirements FROM programmes"
                         " WHERE active = 1 ORDER BY id");
STORE_SQL(q_prog_by_code, "SELECT id FROM programmes WHERE code = ?");
STORE_SQL(q_module_exists, "SELECT 1 FROM course_modules m JOIN courses c ON c.id = m.course_id"
                           " WHERE c.code = ? AND m.code = ?");

STORE_SQL(q_user_of_person, "SELECT id FROM users WHERE person_id = ?");
STORE_SQL(q_passed, "SELECT z.category, MAX(a.score_tenths), MAX(a.passed) FROM quiz_attempts a"
                    " JOIN quizzes z ON z.id = a.quiz_id WHERE (a.person_id = ? OR (a.person_id IS NULL AND a.user_id = ?))"
                    " AND a.submitted_at IS NOT NULL AND z.category IS NOT NULL GROUP BY z.category");
STORE_SQL(q_has_cert, "SELECT 1 FROM certificates WHERE programme_id = ? AND learner = ?");
STORE_SQL(q_check_exists, "SELECT 1 FROM programme_checks WHERE programme_id = ? AND person_id = ?");
STORE_SQL(q_check_insert, "INSERT INTO programme_checks (programme_id, person_id, checked_by, checked_at)"
                          " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
STORE_SQL(q_holder_person, "SELECT full_name, unit_id FROM people WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_holder_user, "SELECT display_name, unit_id FROM users WHERE id = ?");
STORE_SQL(q_issuer, "SELECT u.name FROM units h JOIN units u ON substr(h.path, 1, length(u.path)) = u.path"
                    " WHERE h.id = ? AND u.kind IN ('ward', 'commune', 'city') ORDER BY u.depth DESC LIMIT 1");
STORE_SQL(q_root_name, "SELECT name FROM units WHERE depth = 0 ORDER BY id LIMIT 1");
STORE_SQL(q_cert_insert, "INSERT INTO certificates (id, programme_id, person_id, user_id, learner, unit_id, holder_name,"
                         " programme_title, issued_on, issuer, kid, payload, signature, attempt_id, issued_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");

#define CERT_COLS                                                                                            \
  "c.id, c.holder_name, c.programme_title, c.issued_on, c.issuer, c.kid, c.payload, c.signature, c.revoked_at," \
  " c.programme_id, c.person_id, c.user_id, c.unit_id, c.issued_at, c.revoke_reason, c.attempt_id"
STORE_SQL(q_cert, "SELECT " CERT_COLS " FROM certificates c WHERE c.id = ?");
STORE_SQL(q_reach, "SELECT c.user_id, c.person_id, u.path, us.id FROM certificates c LEFT JOIN units u ON u.id = c.unit_id"
                   " LEFT JOIN users us ON us.person_id = c.person_id AND c.person_id IS NOT NULL WHERE c.id = ?");
#define LIST_WHERE                                                                                              \
  " FROM certificates c LEFT JOIN units u ON u.id = c.unit_id WHERE ((? = 1 AND u.path IS NOT NULL AND " SCOPE_IN( \
      "u.path") ") OR c.user_id = ? OR c.person_id = ?)"
STORE_SQL(q_list, SCOPE_WITH "SELECT " CERT_COLS ", u.name" LIST_WHERE " ORDER BY c.issued_at DESC, c.id DESC LIMIT ? OFFSET ?");
STORE_SQL(q_list_n, SCOPE_WITH "SELECT COUNT(*)" LIST_WHERE);
STORE_SQL(q_of_attempt, "SELECT id, programme_title FROM certificates WHERE attempt_id = ? ORDER BY id");
STORE_SQL(q_revoke, "UPDATE certificates SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL"
                    " RETURNING unit_id");

/* ---- small pieces ---- */

static void b64url(const unsigned char *bin, size_t n, char *out, size_t outlen) {
  sodium_bin2base64(out, outlen, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Decodes base64url (no padding) into bin; the length, or -1. */
static long unb64url(const char *s, unsigned char *bin, size_t max) {
  size_t n = 0;
  if (!s || sodium_base642bin(bin, max, s, strlen(s), NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return -1;
  return (long)n;
}

static void kid_of(const unsigned char pk[32], char kid[32]) {
  unsigned char h[6];
  crypto_generichash(h, sizeof h, pk, 32, NULL, 0);
  char b[16];
  b64url(h, sizeof h, b, sizeof b);
  snprintf(kid, 32, "ed25519-%s", b);
}

/* hex(nonce || secretbox(seed)) */
static void seal_seed(const secrets *keys, const unsigned char seed[32], char *out, size_t outlen) {
  unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 32];
  randombytes_buf(box, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, seed, 32, box, keys->data_key);
  sodium_bin2hex(out, outlen, box, sizeof box);
  sodium_memzero(box, sizeof box);
}

static int open_seed(const secrets *keys, const char *hex, unsigned char seed[32]) {
  unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 32];
  size_t n = 0;
  if (!hex || sodium_hex2bin(box, sizeof box, hex, strlen(hex), NULL, &n, NULL) != 0 || n != sizeof box) return -1;
  return crypto_secretbox_open_easy(seed, box + crypto_secretbox_NONCEBYTES, sizeof box - crypto_secretbox_NONCEBYTES,
                                    box, keys->data_key);
}

static int insert_key(store_conn *w, const secrets *keys, const unsigned char seed[32], int64_t now, char kid[32]) {
  unsigned char pk[32], sk[64];
  crypto_sign_seed_keypair(pk, sk, seed);
  sodium_memzero(sk, sizeof sk);
  char pkb[64], sealed[2 * (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 32) + 1];
  b64url(pk, 32, pkb, sizeof pkb);
  kid_of(pk, kid);
  seal_seed(keys, seed, sealed, sizeof sealed);
  store_stmt *s = store_prepare(w, &q_key_insert);
  if (!s) return -1;
  store_bind_text(s, 1, kid);
  store_bind_text(s, 2, pkb);
  store_bind_text(s, 3, sealed);
  store_bind_int(s, 4, now);
  store_bind_int(s, 5, now);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

/* The date in Vietnam of an epoch time, as YYYY-MM-DD. */
static void date_text(int64_t t, char out[16]) {
  int64_t dk = groups_date_key(t);
  snprintf(out, 16, "%04d-%02d-%02d", (int)(dk / 10000 % 10000), (int)(dk / 100 % 100), (int)(dk % 100));
}

/* ---- keys ---- */

int certs_keys_ensure(store_conn *w, const secrets *keys, app_err *e) {
  store_stmt *s = store_prepare(w, &q_key_current);
  if (!s) return APP_INTERNAL(e);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_ROW) return 0;
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  char kid[32];
  if (insert_key(w, keys, keys->signing_seed, clock_now(), kid) != 0) return APP_INTERNAL(e);
  return 0;
}

int certs_keys_rotate(store_conn *w, const secrets *keys, char kid[32], app_err *e) {
  if (certs_keys_ensure(w, keys, e) != 0) return -1;
  int64_t now = clock_now();
  store_stmt *s = store_prepare(w, &q_key_retire);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, now);
  int rc = store_step(s);
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  unsigned char seed[32];
  randombytes_buf(seed, sizeof seed);
  rc = insert_key(w, keys, seed, now, kid);
  sodium_memzero(seed, sizeof seed);
  return rc == 0 ? 0 : APP_INTERNAL(e);
}

static json_t *iso_time(int64_t t) {
  char b[32];
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm) || !strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm)) return json_null();
  return json_string(b);
}

int certs_keys_json(store_conn *c, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_keys);
  if (!s) return APP_INTERNAL(e);
  json_t *arr = json_array();
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", store_col_text(s, 0), "alg", "Ed25519",
                                         "public_key", store_col_text(s, 1), "valid_from", iso_time(store_col_int(s, 2)),
                                         "valid_until",
                                         store_col_is_null(s, 3) ? json_null() : iso_time(store_col_int(s, 3))));
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(arr);
    return APP_INTERNAL(e);
  }
  *out = json_pack("{s:o}", "keys", arr);
  return 0;
}

/* ---- programmes ---- */

/* A module reference "COURSE/MODULE" names a module of a course. */
static int module_exists(store_conn *c, const char *ref, bool *ok) {
  const char *slash = strchr(ref, '/');
  *ok = false;
  if (!slash || slash == ref || !slash[1] || strlen(ref) > 200) return 0;
  char course[201];
  snprintf(course, sizeof course, "%.*s", (int)(slash - ref), ref);
  store_stmt *s = store_prepare(c, &q_module_exists);
  if (!s) return -1;
  store_bind_text(s, 1, course);
  store_bind_text(s, 2, slash + 1);
  int rc = store_step(s);
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) return -1;
  *ok = rc == STORE_ROW;
  return 0;
}

static int check_modules(store_conn *c, const json_t *mods, const char *what, app_err *e) {
  static _Thread_local char msg[300];
  if (!json_is_array(mods) || json_array_size(mods) == 0 || json_array_size(mods) > 100) {
    snprintf(msg, sizeof msg, "%s: cần một danh sách từ 1 đến 100 học phần (ví dụ \"KNS-CB/M01\").", what);
    return app_fail(e, 400, "invalid_value", "requirements", msg);
  }
  size_t i;
  json_t *m;
  json_array_foreach(mods, i, m) {
    bool ok = false;
    if (!json_is_string(m)) {
      snprintf(msg, sizeof msg, "%s: mỗi học phần là một chuỗi \"MÃ KHÓA/MÃ HỌC PHẦN\".", what);
      return app_fail(e, 400, "invalid_value", "requirements", msg);
    }
    if (module_exists(c, json_string_value(m), &ok) != 0) return APP_INTERNAL(e);
    if (!ok) {
      snprintf(msg, sizeof msg, "%s: không có học phần \"%.80s\".", what, json_string_value(m));
      return app_fail(e, 400, "invalid_value", "requirements", msg);
    }
  }
  return 0;
}

int certs_rule_check(store_conn *c, const json_t *req, app_err *e) {
  if (!json_is_object(req))
    return app_fail(e, 400, "invalid_value", "requirements", "Điều kiện cấp phải là một đối tượng {modules, groups}.");
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)req, key, v) {
    if (strcmp(key, "modules") != 0 && strcmp(key, "groups") != 0)
      return app_fail(e, 400, "invalid_value", "requirements", "Điều kiện cấp chỉ gồm \"modules\" và \"groups\".");
  }
  if (check_modules(c, json_object_get(req, "modules"), "Học phần bắt buộc", e) != 0) return -1;
  json_t *groups = json_object_get(req, "groups");
  if (!groups) return 0;
  if (!json_is_array(groups) || json_array_size(groups) > GROUP_COUNT)
    return app_fail(e, 400, "invalid_value", "requirements", "\"groups\" là danh sách điều kiện theo nhóm đối tượng.");
  size_t i;
  json_t *g;
  json_array_foreach(groups, i, g) {
    const char *code = json_string_value(json_object_get(g, "group"));
    if (!code || !group_find(code))
      return app_fail(e, 400, "invalid_value", "requirements", "Nhóm đối tượng không hợp lệ (xem /api/v1/meta).");
    if (check_modules(c, json_object_get(g, "modules"), group_find(code)->label, e) != 0) return -1;
  }
  return 0;
}

static int bind_programme(store_stmt *s, const char *code, const char *title, const char *desc, int pass,
                          int in_person, const char *req, int active, int64_t user_id) {
  store_bind_text(s, 1, code);
  store_bind_text(s, 2, title);
  store_bind_text(s, 3, desc ? desc : "");
  if (pass > 0)
    store_bind_int(s, 4, pass);
  else
    store_bind_null(s, 4);
  store_bind_int(s, 5, in_person ? 1 : 0);
  store_bind_text(s, 6, req);
  store_bind_int(s, 7, active ? 1 : 0);
  store_bind_id(s, 8, user_id);
  return 9;
}

int certs_programme_create(store_conn *w, const programme_in *in, int64_t user_id, int64_t *id, app_err *e) {
  if (certs_rule_check(w, in->requirements, e) != 0) return -1;
  char *req = json_dumps(in->requirements, JSON_COMPACT | JSON_SORT_KEYS);
  store_stmt *s = req ? store_prepare(w, &q_prog_insert) : NULL;
  if (!s) {
    free(req);
    return APP_INTERNAL(e);
  }
  int64_t now = clock_now();
  int i = bind_programme(s, in->code, in->title, in->description, in->pass_percent, in->in_person_check > 0, req,
                         in->active != 0, user_id);
  store_bind_int(s, i, now);
  store_bind_int(s, i + 1, now);
  int rc = store_step(s);
  if (rc == STORE_ROW) *id = store_col_int(s, 0);
  store_reset(s);
  free(req);
  if (rc == STORE_CONSTRAINT) return app_fail(e, 409, "conflict", "code", "Đã có chương trình với mã này.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

int certs_programme_update(store_conn *w, int64_t id, const programme_in *in, int64_t user_id, app_err *e) {
  store_stmt *s = store_prepare(w, &q_prog_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc != STORE_ROW) {
    store_reset(s);
    return rc == STORE_DONE ? APP_NOT_FOUND(e, "id") : APP_INTERNAL(e);
  }
  char *code = strdup(in->code ? in->code : store_col_text(s, 0));
  char *title = strdup(in->title ? in->title : store_col_text(s, 1));
  char *desc = strdup(in->description ? in->description : store_col_text(s, 2));
  int pass = in->pass_percent >= 0 ? in->pass_percent : (int)store_col_int(s, 3);
  int in_person = in->in_person_check >= 0 ? in->in_person_check : (int)store_col_int(s, 4);
  char *req = in->requirements ? json_dumps(in->requirements, JSON_COMPACT | JSON_SORT_KEYS) : strdup(store_col_text(s, 5));
  int active = in->active >= 0 ? in->active : (int)store_col_int(s, 6);
  store_reset(s);
  int out = -1;
  if (!code || !title || !desc || !req) {
    out = APP_INTERNAL(e);
    goto done;
  }
  if (in->requirements && certs_rule_check(w, in->requirements, e) != 0) goto done;
  s = store_prepare(w, &q_prog_update);
  if (!s) {
    out = APP_INTERNAL(e);
    goto done;
  }
  int i = bind_programme(s, code, title, desc, pass, in_person, req, active, user_id);
  store_bind_int(s, i, clock_now());
  store_bind_int(s, i + 1, id);
  rc = store_step(s);
  store_reset(s);
  if (rc == STORE_CONSTRAINT)
    out = app_fail(e, 409, "conflict", "code", "Đã có chương trình với mã này.");
  else
    out = rc == STORE_DONE ? 0 : APP_INTERNAL(e);
done:
  free(code);
  free(title);
  free(desc);
  free(req);
  return out;
}

int certs_programme_list(store_conn *c, json_t **items, app_err *e) {
  store_stmt *s = store_prepare(c, &q_prog_list);
  if (!s) return APP_INTERNAL(e);
  json_t *arr = json_array();
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    json_t *req = json_loads(store_col_text(s, 6), 0, NULL);
    json_array_append_new(
        arr, json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:o, s:b, s:I}", "id", (json_int_t)store_col_int(s, 0), "code",
                       store_col_text(s, 1), "title", store_col_text(s, 2), "description", store_col_text(s, 3),
                       "pass_percent", store_col_is_null(s, 4) ? json_null() : json_integer(store_col_int(s, 4)),
                       "in_person_check", store_col_int(s, 5) != 0, "requirements", req ? req : json_object(), "active",
                       store_col_int(s, 7) != 0, "certificates", (json_int_t)store_col_int(s, 8)));
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(arr);
    return APP_INTERNAL(e);
  }
  *items = arr;
  return 0;
}

int64_t certs_programme_by_code(store_conn *c, const char *code) {
  store_stmt *s = store_prepare(c, &q_prog_by_code);
  if (!s) return -1;
  store_bind_text(s, 1, code);
  int rc = store_step(s);
  int64_t id = rc == STORE_ROW ? store_col_int(s, 0) : rc == STORE_DONE ? 0 : -1;
  store_reset(s);
  return id;
}

/* ---- issuing ---- */

/* Who a certificate is for: a person (and the account linked to them), or an account alone. */
typedef struct learner {
  int64_t person_id, user_id;
  char key[32]; /* "p12" / "u7" */
  int groups;   /* -1: not read yet */
} learner;

/* The modules a learner must pass for a programme: the first group list they belong to, else the
 * list for everyone. NULL when the rule is unreadable. */
static const json_t *modules_for(store_conn *w, const json_t *rule, learner *l) {
  json_t *groups = json_object_get(rule, "groups");
  if (json_array_size(groups) && l->person_id) {
    if (l->groups < 0) l->groups = groups_of_stored(w, l->person_id, groups_date_key(clock_now()));
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g) {
      const group_def *d = group_find(json_string_value(json_object_get(g, "group")));
      if (d && l->groups > 0 && (l->groups & d->bit)) return json_object_get(g, "modules");
    }
  }
  return json_object_get(rule, "modules");
}

/* A quiz of category `category` belongs to `module`: the module's own, or one of its parts
 * ("KNS-CB/M01/on-tap" belongs to "KNS-CB/M01"). */
static bool covers(const char *module, const char *category) {
  size_t n = strlen(module);
  return strncmp(module, category, n) == 0 && (category[n] == 0 || category[n] == '/');
}

static bool in_list(const json_t *mods, const char *category) {
  size_t i;
  json_t *m;
  json_array_foreach(mods, i, m) if (json_is_string(m) && covers(json_string_value(m), category)) return true;
  return false;
}

static int exists2(store_conn *c, const store_sql *q, int64_t a, const char *b_text, int64_t b, bool *yes) {
  store_stmt *s = store_prepare(c, q);
  if (!s) return -1;
  store_bind_int(s, 1, a);
  if (b_text)
    store_bind_text(s, 2, b_text);
  else
    store_bind_int(s, 2, b);
  int rc = store_step(s);
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) return -1;
  *yes = rc == STORE_ROW;
  return 0;
}

/* Whether every module of the list is passed: per category, the best score and whether any
 * attempt passed by the quiz's own mark (`passed` holds the learner's rows of q_passed). */
static bool all_passed(const json_t *mods, const json_t *passed, int pass_percent) {
  size_t i;
  json_t *m;
  json_array_foreach(mods, i, m) {
    bool ok = false;
    const char *cat;
    json_t *p;
    json_object_foreach((json_t *)passed, cat, p) {
      if (!covers(json_string_value(m), cat)) continue;
      int64_t best = json_integer_value(json_array_get(p, 0));
      bool quiz_pass = json_integer_value(json_array_get(p, 1)) != 0;
      ok |= pass_percent > 0 ? best >= (int64_t)pass_percent * 10 : quiz_pass;
    }
    if (!ok) return false;
  }
  return true;
}

static int load_passed(store_conn *w, const learner *l, json_t **out) {
  store_stmt *s = store_prepare(w, &q_passed);
  if (!s) return -1;
  store_bind_id(s, 1, l->person_id);
  store_bind_int(s, 2, l->user_id);
  json_t *o = json_object();
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    json_object_set_new(o, store_col_text(s, 0),
                        json_pack("[I, I]", (json_int_t)store_col_int(s, 1), (json_int_t)store_col_int(s, 2)));
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(o);
    return -1;
  }
  *out = o;
  return 0;
}

static int64_t random_id(void) {
  for (;;) {
    uint64_t x;
    randombytes_buf(&x, sizeof x);
    x >>= 11; /* 53 bits: exact in JavaScript */
    if (x >= 1000000000000000ULL && x < 9000000000000000ULL) return (int64_t)x;
  }
}

/* Reads one text column of a one-row query on an id into an arena. */
static int text_of(store_conn *c, const store_sql *q, int64_t id, arena *a, const char **out, int64_t *second) {
  store_stmt *s = store_prepare(c, q);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *out = arena_strdup(a, store_col_text(s, 0));
    if (second) *second = store_col_is_null(s, 1) ? 0 : store_col_int(s, 1);
  }
  store_reset(s);
  return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

/* Signs and writes the certificate of programme `pid` for the learner. */
static int issue(store_conn *w, const secrets *keys, int64_t pid, const char *ptitle, const learner *l,
                 int64_t attempt_id, json_t *issued, app_err *e) {
  arena a;
  arena_init(&a);
  int out = -1;
  unsigned char seed[32], pk[32], sk[64];
  const char *holder = NULL, *issuer = NULL, *kid = NULL, *sealed = NULL;
  int64_t unit_id = 0;
  int rc = l->person_id ? text_of(w, &q_holder_person, l->person_id, &a, &holder, &unit_id)
                        : text_of(w, &q_holder_user, l->user_id, &a, &holder, &unit_id);
  if (rc < 0) goto internal;
  if (rc == 0) { /* the person was deleted meanwhile: no certificate */
    out = 0;
    goto done;
  }
  rc = unit_id ? text_of(w, &q_issuer, unit_id, &a, &issuer, NULL) : 0;
  if (rc < 0) goto internal;
  if (rc == 0) {
    const char *root = NULL;
    store_stmt *s = store_prepare(w, &q_root_name);
    if (!s) goto internal;
    if (store_step(s) == STORE_ROW) root = arena_strdup(&a, store_col_text(s, 0));
    store_reset(s);
    issuer = root ? root : "Bình dân học vụ số";
  }
  issuer = arena_printf(&a, "UBND %s", issuer);
  if (certs_keys_ensure(w, keys, e) != 0) goto done;
  store_stmt *s = store_prepare(w, &q_key_current);
  if (!s) goto internal;
  if (store_step(s) == STORE_ROW) {
    kid = arena_strdup(&a, store_col_text(s, 0));
    sealed = arena_strdup(&a, store_col_text(s, 1));
  }
  store_reset(s);
  if (!kid || open_seed(keys, sealed, seed) != 0) goto internal;
  crypto_sign_seed_keypair(pk, sk, seed);
  int64_t now = clock_now();
  char issued_on[16];
  date_text(now, issued_on);
  char learner_holder[CERTS_PAYLOAD_MAX];
  for (int tries = 0; tries < 5; tries++) {
    cert_fields f = {random_id(), holder, ptitle, issued_on, issuer, kid};
    int n = certs_payload(&f, learner_holder, sizeof learner_holder);
    if (n < 0) goto internal;
    unsigned char sig[64];
    crypto_sign_detached(sig, NULL, (const unsigned char *)learner_holder, (unsigned long long)n, sk);
    char sigb[CERTS_SIG_B64];
    b64url(sig, sizeof sig, sigb, sizeof sigb);
    s = store_prepare(w, &q_cert_insert);
    if (!s) goto internal;
    store_bind_int(s, 1, f.id);
    store_bind_int(s, 2, pid);
    store_bind_id(s, 3, l->person_id);
    store_bind_id(s, 4, l->user_id);
    store_bind_text(s, 5, l->key);
    store_bind_id(s, 6, unit_id);
    store_bind_text(s, 7, holder);
    store_bind_text(s, 8, ptitle);
    store_bind_text(s, 9, issued_on);
    store_bind_text(s, 10, issuer);
    store_bind_text(s, 11, kid);
    store_bind_text(s, 12, learner_holder);
    store_bind_text(s, 13, sigb);
    store_bind_id(s, 14, attempt_id);
    store_bind_int(s, 15, now);
    rc = store_step(s);
    int64_t changed = rc == STORE_DONE ? store_changes(s) : 0;
    store_reset(s);
    if (rc != STORE_DONE) goto internal;
    if (changed == 1) {
      json_array_append_new(issued, json_pack("{s:I, s:s}", "id", (json_int_t)f.id, "programme", ptitle));
      out = 0;
      goto done;
    }
    bool has = false;
    if (exists2(w, &q_has_cert, pid, l->key, 0, &has) != 0) goto internal;
    if (has) { /* issued meanwhile (another server) */
      out = 0;
      goto done;
    }
    /* else the random id was taken: draw another */
  }
internal:
  out = APP_INTERNAL(e);
done:
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(sk, sizeof sk);
  arena_free(&a);
  return out;
}

/* The attempt that may complete a rule: its score, and whether it passed by its quiz's own mark. */
typedef struct attempt_mark {
  int64_t tenths;
  bool passed;
} attempt_mark;

/* A programme's rule parsed once per text: every submission reads the active programmes, and a
 * rule whose stored text is unchanged is the same tree (shared read-only; jansson's reference counts
 * are atomic). Nothing to invalidate: the text read in the transaction is compared each time. */
#define RULE_SLOTS 32
static struct rule_slot {
  int64_t programme_id;
  char *text; /* owned */
  json_t *rule;
} rule_memo[RULE_SLOTS];
static pthread_mutex_t rule_mu = PTHREAD_MUTEX_INITIALIZER;

static json_t *rule_of(int64_t programme_id, const char *text) {
  struct rule_slot *slot = &rule_memo[(uint64_t)programme_id % RULE_SLOTS];
  json_t *rule = NULL;
  pthread_mutex_lock(&rule_mu);
  if (slot->text && slot->programme_id == programme_id && !strcmp(slot->text, text)) rule = json_incref(slot->rule);
  pthread_mutex_unlock(&rule_mu);
  if (rule) return rule;
  rule = json_loads(text, 0, NULL);
  char *copy = rule ? strdup(text) : NULL;
  if (!copy) return rule; /* not kept: parsed again next time */
  pthread_mutex_lock(&rule_mu);
  char *old_text = slot->text;
  json_t *old_rule = slot->rule;
  *slot = (struct rule_slot){programme_id, copy, json_incref(rule)};
  pthread_mutex_unlock(&rule_mu);
  free(old_text);
  json_decref(old_rule);
  return rule;
}

/* Issues every programme this learner now completes. `category`: only programmes that require
 * that module (NULL: any, e.g. after an in-person check); `only`: that programme alone (0: any);
 * `mark`: the attempt's, which must pass by the programme's mark for anything new to be complete
 * (NULL: an in-person check). */
static int evaluate(store_conn *w, const secrets *keys, learner *l, const char *category, const attempt_mark *mark,
                    int64_t only, int64_t attempt_id, json_t *issued, app_err *e) {
  store_stmt *s = store_prepare(w, &q_prog_active);
  if (!s) return APP_INTERNAL(e);
  json_t *progs = json_array();
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    json_t *rule = rule_of(store_col_int(s, 0), store_col_text(s, 4));
    if (!rule) continue;
    json_array_append_new(progs, json_pack("{s:I, s:s, s:I, s:b, s:o}", "id", (json_int_t)store_col_int(s, 0), "title",
                                           store_col_text(s, 1), "pass",
                                           (json_int_t)(store_col_is_null(s, 2) ? 0 : store_col_int(s, 2)), "check",
                                           store_col_int(s, 3) != 0, "rule", rule));
  }
  store_reset(s);
  int out = 0;
  json_t *passed = NULL;
  if (rc != STORE_DONE) {
    out = APP_INTERNAL(e);
    goto done;
  }
  size_t i;
  json_t *p;
  json_array_foreach(progs, i, p) {
    int64_t pid = json_integer_value(json_object_get(p, "id"));
    if (only && pid != only) continue;
    const json_t *mods = modules_for(w, json_object_get(p, "rule"), l);
    if (!json_array_size(mods) || (category && !in_list(mods, category))) continue;
    int pass = (int)json_integer_value(json_object_get(p, "pass"));
    if (mark && !(pass > 0 ? mark->tenths >= (int64_t)pass * 10 : mark->passed)) continue; /* nothing new passed */
    bool has = false;
    if (exists2(w, &q_has_cert, pid, l->key, 0, &has) != 0) {
      out = APP_INTERNAL(e);
      goto done;
    }
    if (has) continue;
    if (json_is_true(json_object_get(p, "check"))) {
      bool checked = false;
      if (!l->person_id) continue; /* an in-person check is of a person */
      if (exists2(w, &q_check_exists, pid, NULL, l->person_id, &checked) != 0) {
        out = APP_INTERNAL(e);
        goto done;
      }
      if (!checked) continue;
    }
    if (!passed && load_passed(w, l, &passed) != 0) {
      out = APP_INTERNAL(e);
      goto done;
    }
    if (!all_passed(mods, passed, pass)) continue;
    if (issue(w, keys, pid, json_string_value(json_object_get(p, "title")), l, attempt_id, issued, e) != 0) {
      out = -1;
      goto done;
    }
  }
done:
  json_decref(passed);
  json_decref(progs);
  return out;
}

static int learner_of_person(store_conn *w, int64_t person_id, learner *l) {
  memset(l, 0, sizeof *l);
  l->groups = -1;
  l->person_id = person_id;
  snprintf(l->key, sizeof l->key, "p%lld", (long long)person_id);
  store_stmt *s = store_prepare(w, &q_user_of_person);
  if (!s) return -1;
  store_bind_int(s, 1, person_id);
  int rc = store_step(s);
  if (rc == STORE_ROW) l->user_id = store_col_int(s, 0);
  store_reset(s);
  return rc == STORE_ROW || rc == STORE_DONE ? 0 : -1;
}

static int by_id(const void *x, const void *y) {
  json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x, "id"));
  json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y, "id"));
  return a < b ? -1 : a > b;
}

int certs_after_attempt(store_conn *w, const secrets *keys, const certs_attempt *a, json_t **issued, app_err *e) {
  *issued = json_array();
  if (!*issued) return APP_INTERNAL(e);
  /* Nothing new can be complete without a submitted attempt of a module's quiz that passes. The pass
   * mark is the programme's, so a failed attempt by the quiz's mark may still count: evaluate() decides. */
  if (!a->category || !a->category[0]) return 0;
  learner l;
  if (a->person_id) {
    if (learner_of_person(w, a->person_id, &l) != 0) return APP_INTERNAL(e);
  } else {
    memset(&l, 0, sizeof l);
    l.groups = -1;
    l.user_id = a->user_id;
    snprintf(l.key, sizeof l.key, "u%lld", (long long)a->user_id);
  }
  attempt_mark mark = {a->score_tenths, a->passed};
  if (evaluate(w, keys, &l, a->category, &mark, 0, a->id, *issued, e) != 0) return -1;
  size_t n = json_array_size(*issued);
  if (n > 1) { /* certs_of_attempt's order: by id (random ids, issued in the programmes' order) */
    json_t **v = malloc(sizeof *v * n);
    if (!v) return APP_INTERNAL(e);
    for (size_t i = 0; i < n; i++) v[i] = json_incref(json_array_get(*issued, i));
    qsort(v, n, sizeof *v, by_id);
    json_array_clear(*issued);
    for (size_t i = 0; i < n; i++) json_array_append_new(*issued, v[i]);
    free(v);
  }
  return 0;
}

int certs_check_person(store_conn *w, const secrets *keys, int64_t programme_id, int64_t person_id, int64_t by,
                       json_t **issued, int *created, app_err *e) {
  *issued = json_array();
  store_stmt *s = store_prepare(w, &q_prog_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, programme_id);
  int rc = store_step(s);
  bool needs = rc == STORE_ROW && store_col_int(s, 4) != 0, active = rc == STORE_ROW && store_col_int(s, 6) != 0;
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "programme_id", "Không có chương trình này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (!needs || !active)
    return app_fail(e, 409, "conflict", "programme_id", "Chương trình này không yêu cầu kiểm tra trực tiếp.");
  s = store_prepare(w, &q_check_insert);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, programme_id);
  store_bind_int(s, 2, person_id);
  store_bind_id(s, 3, by);
  store_bind_int(s, 4, clock_now());
  rc = store_step(s);
  *created = rc == STORE_DONE && store_changes(s) == 1;
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  learner l;
  if (learner_of_person(w, person_id, &l) != 0) return APP_INTERNAL(e);
  return evaluate(w, keys, &l, NULL, NULL, programme_id, 0, *issued, e);
}

/* ---- reading ---- */

int certs_of_attempt(store_conn *c, int64_t attempt_id, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_of_attempt);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, attempt_id);
  json_t *arr = json_array();
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(arr, json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(s, 0), "programme",
                                         store_col_text(s, 1)));
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(arr);
    return APP_INTERNAL(e);
  }
  *out = arr;
  return 0;
}

int certs_reach(store_conn *c, int64_t id, arena *a, int64_t *user_id, int64_t *person_id, const char **path,
                app_err *e) {
  store_stmt *s = store_prepare(c, &q_reach);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    /* the holder's account: the certificate's own, or the one linked to its person */
    *user_id = store_col_is_null(s, 0) ? (store_col_is_null(s, 3) ? 0 : store_col_int(s, 3)) : store_col_int(s, 0);
    *person_id = store_col_is_null(s, 1) ? 0 : store_col_int(s, 1);
    *path = store_col_is_null(s, 2) ? "" : arena_strdup(a, store_col_text(s, 2));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có chứng nhận này.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

static json_t *date_of(int64_t t) {
  char b[16];
  date_text(t, b);
  return json_string(b);
}

/* Whether the stored signature verifies with the stored key (a row edited in the database does not). */
static bool signature_ok(store_conn *c, const char *kid, const char *payload, const char *sig_b64) {
  unsigned char pk[32], sig[64];
  bool ok = false;
  store_stmt *s = store_prepare(c, &q_key_pub);
  if (!s) return false;
  store_bind_text(s, 1, kid);
  if (store_step(s) == STORE_ROW && unb64url(store_col_text(s, 0), pk, sizeof pk) == 32 &&
      unb64url(sig_b64, sig, sizeof sig) == 64)
    ok = crypto_sign_verify_detached(sig, (const unsigned char *)payload, strlen(payload), pk) == 0;
  store_reset(s);
  return ok;
}

/* A payload's value equals a column as signed: control characters were signed as spaces. */
static bool same_signed(const char *signed_value, const char *column) {
  const unsigned char *a = (const unsigned char *)signed_value, *b = (const unsigned char *)column;
  for (; *a && *b; a++, b++)
    if (*a != ((*b < 0x20 || *b == 0x7f) ? ' ' : *b)) return false;
  return *a == *b;
}

/* Whether the row's shown columns (CERT_COLS: id, holder, programme, date, issuer, key) say
 * exactly what its payload signed: the answer shows the columns, so an edited column must not
 * read as valid. */
static bool columns_signed(store_stmt *s, const char *payload) {
  char copy[CERTS_PAYLOAD_MAX + 1];
  cert_fields f;
  if (strlen(payload) > CERTS_PAYLOAD_MAX) return false;
  snprintf(copy, sizeof copy, "%s", payload);
  if (certs_payload_parse(copy, &f) != 0) return false;
  return f.id == store_col_int(s, 0) && same_signed(f.holder, store_col_text(s, 1)) &&
         same_signed(f.programme, store_col_text(s, 2)) && same_signed(f.issued_on, store_col_text(s, 3)) &&
         same_signed(f.issuer, store_col_text(s, 4)) && same_signed(f.kid, store_col_text(s, 5));
}

/* The public view of the certificate row in `s` (CERT_COLS). */
static json_t *public_view(store_conn *c, store_stmt *s) {
  const char *payload = store_col_text(s, 6), *sig = store_col_text(s, 7), *kid = store_col_text(s, 5);
  bool revoked = !store_col_is_null(s, 8);
  size_t plen = strlen(payload);
  size_t blen = sodium_base64_ENCODED_LEN(plen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *pb = malloc(blen);
  if (!pb) return NULL;
  b64url((const unsigned char *)payload, plen, pb, blen);
  char idtext[24];
  certs_id_format(store_col_int(s, 0), idtext);
  bool sig_ok = signature_ok(c, kid, payload, sig) && columns_signed(s, payload);
  json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "status",
                        !sig_ok ? "unknown" : revoked ? "revoked" : "valid", "id", (json_int_t)store_col_int(s, 0),
                        "id_text", idtext, "holder_name", store_col_text(s, 1), "programme", store_col_text(s, 2),
                        "issued_on", store_col_text(s, 3), "issuer", store_col_text(s, 4), "key_id", kid, "payload", pb,
                        "signature", sig, "revoked_on", revoked ? date_of(store_col_int(s, 8)) : json_null());
  free(pb);
  return o;
}

int certs_verify_id(store_conn *c, int64_t id, json_t **out, bool *found, app_err *e) {
  store_stmt *s = store_prepare(c, &q_cert);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  *found = rc == STORE_ROW;
  if (rc == STORE_ROW) *out = public_view(c, s);
  store_reset(s);
  if (rc == STORE_DONE) *out = json_pack("{s:s}", "status", "unknown");
  if ((rc != STORE_ROW && rc != STORE_DONE) || !*out) return APP_INTERNAL(e);
  return 0;
}

int certs_verify_signed(store_conn *c, const char *payload_b64, const char *signature_b64, json_t **out, app_err *e) {
  unsigned char *bytes = malloc(CERTS_PAYLOAD_MAX + 1);
  unsigned char sig[64], pk[32];
  if (!bytes) return APP_INTERNAL(e);
  int ret = -1;
  long n = unb64url(payload_b64, bytes, CERTS_PAYLOAD_MAX);
  if (n <= 0) {
    ret = app_fail(e, 400, "invalid_value", "payload", "Nội dung chứng nhận không đọc được (base64url).");
    goto done;
  }
  if (unb64url(signature_b64, sig, sizeof sig) != 64) {
    ret = app_fail(e, 400, "invalid_value", "signature", "Chữ ký không đọc được (64 byte, base64url).");
    goto done;
  }
  bytes[n] = 0;
  /* UTF-8 text (docs/CERTIFICATES.md): other bytes are refused here, before PostgreSQL sees them */
  if (memchr(bytes, 0, (size_t)n) || !utf8_valid((const char *)bytes, (size_t)n)) {
    ret = app_fail(e, 400, "invalid_value", "payload", "Nội dung chứng nhận không hợp lệ.");
    goto done;
  }
  char copy[CERTS_PAYLOAD_MAX + 1];
  memcpy(copy, bytes, (size_t)n + 1);
  cert_fields f;
  if (certs_payload_parse(copy, &f) != 0) {
    ret = app_fail(e, 400, "invalid_value", "payload", "Đây không phải nội dung của một chứng nhận hocvuso.");
    goto done;
  }
  store_stmt *s = store_prepare(c, &q_key_pub);
  if (!s) {
    ret = APP_INTERNAL(e);
    goto done;
  }
  store_bind_text(s, 1, f.kid);
  int rc = store_step(s);
  bool key_ok = rc == STORE_ROW && unb64url(store_col_text(s, 0), pk, sizeof pk) == 32;
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) {
    ret = APP_INTERNAL(e);
    goto done;
  }
  if (!key_ok || crypto_sign_verify_detached(sig, bytes, (unsigned long long)n, pk) != 0) {
    *out = json_pack("{s:s}", "status", "forged");
    ret = 0;
    goto done;
  }
  bool found = false;
  json_t *rec = NULL;
  if (certs_verify_id(c, f.id, &rec, &found, e) != 0) goto done;
  if (found && strcmp(json_string_value(json_object_get(rec, "payload")), payload_b64) != 0) {
    /* signed by us, but not what we hold for that ID */
    json_decref(rec);
    *out = json_pack("{s:s}", "status", "forged");
  } else if (!found) {
    json_decref(rec);
    *out = json_pack("{s:s, s:s, s:s, s:s}", "status", "unknown", "holder_name", f.holder, "programme", f.programme,
                     "issued_on", f.issued_on);
  } else {
    *out = rec;
  }
  ret = 0;
done:
  free(bytes);
  return ret;
}

int certs_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_cert);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  json_t *o = NULL;
  if (rc == STORE_ROW && (o = public_view(c, s))) {
    json_object_set_new(o, "programme_id", json_integer(store_col_int(s, 9)));
    json_object_set_new(o, "person_id", store_col_is_null(s, 10) ? json_null() : json_integer(store_col_int(s, 10)));
    json_object_set_new(o, "user_id", store_col_is_null(s, 11) ? json_null() : json_integer(store_col_int(s, 11)));
    json_object_set_new(o, "unit_id", store_col_is_null(s, 12) ? json_null() : json_integer(store_col_int(s, 12)));
    json_object_set_new(o, "issued_at", iso_time(store_col_int(s, 13)));
    json_object_set_new(o, "revoke_reason", store_col_is_null(s, 14) ? json_null() : json_string(store_col_text(s, 14)));
    json_object_set_new(o, "attempt_id", store_col_is_null(s, 15) ? json_null() : json_integer(store_col_int(s, 15)));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có chứng nhận này.");
  if (rc != STORE_ROW || !o) return APP_INTERNAL(e);
  *out = o;
  return 0;
}

int certs_list(store_conn *c, const scope_sql *scope, int64_t user_id, int64_t person_id, int page, int per_page,
               json_t **items, int64_t *total, app_err *e) {
  scope_sql none = {0};
  const scope_sql *sc = scope ? scope : &none;
  store_stmt *s = store_prepare(c, &q_list_n);
  if (!s) return APP_INTERNAL(e);
  int i = scope_bind(s, 1, sc);
  store_bind_int(s, i, scope ? 1 : 0);
  store_bind_int(s, i + 1, user_id ? user_id : -1);
  store_bind_int(s, i + 2, person_id ? person_id : -1);
  int rc = store_step(s);
  if (rc == STORE_ROW) *total = store_col_int(s, 0);
  store_reset(s);
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  s = store_prepare(c, &q_list);
  if (!s) return APP_INTERNAL(e);
  i = scope_bind(s, 1, sc);
  store_bind_int(s, i, scope ? 1 : 0);
  store_bind_int(s, i + 1, user_id ? user_id : -1);
  store_bind_int(s, i + 2, person_id ? person_id : -1);
  store_bind_int(s, i + 3, per_page);
  store_bind_int(s, i + 4, (int64_t)(page - 1) * per_page);
  json_t *arr = json_array();
  while ((rc = store_step(s)) == STORE_ROW) {
    char idtext[24];
    certs_id_format(store_col_int(s, 0), idtext);
    bool revoked = !store_col_is_null(s, 8);
    json_array_append_new(
        arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0),
                       "id_text", idtext, "status", revoked ? "revoked" : "valid", "holder_name", store_col_text(s, 1),
                       "programme", store_col_text(s, 2), "issued_on", store_col_text(s, 3), "issuer",
                       store_col_text(s, 4), "person_id",
                       store_col_is_null(s, 10) ? json_null() : json_integer(store_col_int(s, 10)), "unit_name",
                       store_col_is_null(s, 16) ? json_null() : json_string(store_col_text(s, 16)), "revoked_on",
                       revoked ? date_of(store_col_int(s, 8)) : json_null()));
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(arr);
    return APP_INTERNAL(e);
  }
  *items = arr;
  return 0;
}

int certs_revoke(store_conn *w, int64_t id, int64_t by, const char *reason, int64_t *unit_id, app_err *e) {
  store_stmt *s = store_prepare(w, &q_revoke);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, clock_now());
  store_bind_id(s, 2, by);
  store_bind_text(s, 3, reason);
  store_bind_int(s, 4, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) *unit_id = store_col_is_null(s, 0) ? 0 : store_col_int(s, 0);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 409, "conflict", "id", "Chứng nhận này đã bị thu hồi.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

/* ---- bulk issuing of synthetic records ---- */

struct certs_signer {
  unsigned char sk[64];
  char kid[32];
  int64_t programme_id;
  char title[256];
};

STORE_SQL(q_prog_title, "SELECT id, title FROM programmes WHERE code = ?");
STORE_BULK(bulk_certs, "certificates",
           "id, programme_id, person_id, user_id, learner, unit_id, holder_name, programme_title, issued_on, issuer,"
           " kid, payload, signature, attempt_id, issued_at",
           CERTS_BULK_COLS);

int certs_signer_open(store_conn *w, const secrets *keys, const char *code, certs_signer **out, app_err *e) {
  *out = NULL;
  certs_signer *g = calloc(1, sizeof *g);
  unsigned char seed[32];
  char sealed[256] = "";
  int rc = -1;
  if (!g) return APP_INTERNAL(e);
  if (certs_keys_ensure(w, keys, e) != 0) goto fail;
  store_stmt *s = store_prepare(w, &q_key_current);
  if (!s) goto internal;
  int src = store_step(s);
  if (src == STORE_ROW) {
    snprintf(g->kid, sizeof g->kid, "%s", store_col_text(s, 0));
    snprintf(sealed, sizeof sealed, "%s", store_col_text(s, 1));
  }
  store_reset(s);
  if (src != STORE_ROW || open_seed(keys, sealed, seed) != 0) goto internal;
  unsigned char pk[32];
  crypto_sign_seed_keypair(pk, g->sk, seed);
  if (!(s = store_prepare(w, &q_prog_title))) goto internal;
  store_bind_text(s, 1, code);
  src = store_step(s);
  if (src == STORE_ROW) {
    g->programme_id = store_col_int(s, 0);
    snprintf(g->title, sizeof g->title, "%s", store_col_text(s, 1));
  }
  store_reset(s);
  if (src == STORE_DONE) {
    rc = app_fail(e, 404, "not_found", "code", "Không có chương trình chứng nhận này.");
    goto fail;
  }
  if (src != STORE_ROW) goto internal;
  *out = g;
  g = NULL;
  rc = 0;
  goto fail;
internal:
  rc = APP_INTERNAL(e);
fail:
  sodium_memzero(seed, sizeof seed);
  certs_signer_free(g);
  return rc;
}

void certs_signer_free(certs_signer *s) {
  if (!s) return;
  sodium_memzero(s->sk, sizeof s->sk);
  free(s);
}

int64_t certs_signer_programme(const certs_signer *s) { return s->programme_id; }

int certs_issuer_text(store_conn *c, int64_t unit_id, char *out, size_t outlen) {
  arena a;
  arena_init(&a);
  const char *issuer = NULL;
  int rc = unit_id ? text_of(c, &q_issuer, unit_id, &a, &issuer, NULL) : 0;
  if (rc == 0) {
    store_stmt *s = store_prepare(c, &q_root_name);
    if (!s) rc = -1;
    else {
      if (store_step(s) == STORE_ROW) issuer = arena_strdup(&a, store_col_text(s, 0));
      store_reset(s);
    }
  }
  if (rc >= 0) snprintf(out, outlen, "UBND %s", issuer ? issuer : "Bình dân học vụ số");
  arena_free(&a);
  return rc < 0 ? -1 : 0;
}

int certs_signer_sign(certs_signer *s, int64_t id, const char *holder, const char *issuer, int64_t issued_at, arena *a,
                      const char **payload, const char **signature) {
  char issued_on[16], text[CERTS_PAYLOAD_MAX], sigb[CERTS_SIG_B64];
  date_text(issued_at, issued_on);
  cert_fields f = {id, holder, s->title, issued_on, issuer, s->kid};
  int n = certs_payload(&f, text, sizeof text);
  if (n < 0) return -1;
  unsigned char sig[64];
  crypto_sign_detached(sig, NULL, (const unsigned char *)text, (unsigned long long)n, s->sk);
  b64url(sig, sizeof sig, sigb, sizeof sigb);
  *payload = arena_strdup(a, text);
  *signature = arena_strdup(a, sigb);
  return *payload && *signature ? 0 : -1;
}

void certs_bulk_row(const certs_signer *s, int64_t id, int64_t person_id, int64_t unit_id, const char *holder,
                    const char *issuer, int64_t issued_at, const char *payload, const char *signature,
                    int64_t attempt_id, arena *a, store_val *row) {
  char issued_on[16];
  date_text(issued_at, issued_on);
  char *lkey = arena_alloc(a, 32);
  if (lkey) snprintf(lkey, 32, "p%lld", (long long)person_id);
  row[0] = store_val_int(id);
  row[1] = store_val_int(s->programme_id);
  row[2] = store_val_int(person_id);
  row[3] = store_val_null();
  row[4] = store_val_text(lkey);
  row[5] = unit_id ? store_val_int(unit_id) : store_val_null();
  row[6] = store_val_text(holder);
  row[7] = store_val_text(s->title);
  row[8] = store_val_text(arena_strdup(a, issued_on));
  row[9] = store_val_text(issuer);
  row[10] = store_val_text(s->kid);
  row[11] = store_val_text(payload);
  row[12] = store_val_text(signature);
  row[13] = attempt_id ? store_val_int(attempt_id) : store_val_null();
  row[14] = store_val_int(issued_at);
}

int certs_bulk_insert(store_conn *w, const store_val *rows, int n) { return store_insert_rows(w, &bulk_certs, rows, n); }

/* test_http.c: cmocka tests of src/http without a network: path matching, input validation,
 * the route table's invariants, the generated OpenAPI document, rate limiting, gzip, the
 * static file set and the Prometheus output.
 * Owns: its temporary directories under /tmp (the static files, a throw-away SQLite store).
 * Never: opens a socket or depends on how fast the machine is.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h> /* after the headers it relies on (stdarg, stddef, setjmp) */

#include <jansson.h>
#include <zlib.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "http/connlimit.h"
#include "http/http.h"
#include "http/metrics.h"
#include "http/openapi.h"
#include "http/ratelimit.h"
#include "http/static.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/clock.h"

/* ---- helpers ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void rm_rf(const char *dir) {
  if (dir && dir[0]) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void make_temp_dir(char *out, size_t n, const char *tag) {
  snprintf(out, n, "/tmp/hv_test_%s.XXXXXX", tag);
  if (!mkdtemp(out)) fail_msg("mkdtemp(%s): %s", out, strerror(errno));
}

static void write_file(const char *dir, const char *name, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f) fail_msg("fopen(%s): %s", path, strerror(errno));
  fputs(text, f);
  fclose(f);
}

static void make_dir(const char *dir, const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (mkdir(path, 0755) != 0) fail_msg("mkdir(%s): %s", path, strerror(errno));
}

/* The route's path with its {params} replaced by 7, 8, 9 … ; returns how many there were. */
static int concrete_path(const char *pattern, char *out, size_t n, int64_t *vals) {
  size_t k = 0;
  int np = 0;
  for (const char *p = pattern; *p && k + 24 < n;) {
    if (*p == '{') {
      const char *end = strchr(p, '}');
      assert_non_null(end);
      vals[np] = 7 + np;
      k += (size_t)snprintf(out + k, n - k, "%" PRId64, vals[np]);
      np++;
      p = end + 1;
    } else {
      out[k++] = *p++;
    }
  }
  out[k] = '\0';
  return np;
}

static const route *route_by_op(const char *op_id) {
  for (int i = 0; i < routes_count; i++)
    if (strcmp(routes[i].op_id, op_id) == 0) return &routes[i];
  fail_msg("no route with operationId %s", op_id);
  return NULL;
}

static bool spec_has(const field_spec *spec, const char *name) {
  for (const field_spec *f = spec; f && f->name; f++)
    if (strcmp(f->name, name) == 0) return true;
  return false;
}

static int group_setup(void **state) {
  (void)state;
  return router_init();
}

/* ==== router ==== */

static void test_router_every_route_matches_itself(void **state) {
  (void)state;
  for (int i = 0; i < routes_count; i++) {
    const route *rt = &routes[i];
    char path[256];
    int64_t want[REQ_MAX_PARAMS] = {0};
    int np = concrete_path(rt->path, path, sizeof path, want);
    int64_t params[REQ_MAX_PARAMS] = {0};
    int nparams = -1;
    char allow[128] = "junk";
    int got = router_match(rt->method, path, params, &nparams, allow, sizeof allow);
    if (got != i) fail_msg("router_match(%s %s) = %d, wanted %d (%s)", rt->method, path, got, i, rt->op_id);
    if (nparams != np) fail_msg("%s %s: %d params, wanted %d", rt->method, path, nparams, np);
    for (int k = 0; k < np; k++)
      if (params[k] != want[k]) fail_msg("%s %s: param %d = %" PRId64, rt->method, path, k, params[k]);
    /* The largest id matches too. */
    if (np) {
      char big[256];
      size_t k = 0;
      for (const char *p = rt->path; *p;) {
        if (*p == '{') {
          k += (size_t)snprintf(big + k, sizeof big - k, "9223372036854775807");
          p = strchr(p, '}') + 1;
        } else {
          big[k++] = *p++;
        }
      }
      big[k] = '\0';
      got = router_match(rt->method, big, params, &nparams, allow, sizeof allow);
      if (got != i) fail_msg("router_match(%s %s) = %d, wanted %d", rt->method, big, got, i);
      assert_int_equal(params[0], INT64_MAX);
    }
  }
}

static void test_router_wrong_method_allow(void **state) {
  (void)state;
  for (int i = 0; i < routes_count; i++) {
    const route *rt = &routes[i];
    /* The expected Allow: every method of this path, in table order. */
    char want[128] = "";
    bool first_of_path = true;
    for (int k = 0; k < routes_count; k++) {
      if (strcmp(routes[k].path, rt->path) != 0) continue;
      if (k < i) first_of_path = false;
      size_t used = strlen(want);
      snprintf(want + used, sizeof want - used, "%s%s%s", used ? ", " : "", routes[k].method,
               strcmp(routes[k].method, "GET") == 0 ? ", HEAD" : "");
    }
    if (!first_of_path) continue;
    char path[256];
    int64_t vals[REQ_MAX_PARAMS];
    concrete_path(rt->path, path, sizeof path, vals);
    static const char *const others[] = {"TRACE", "OPTIONS", "get", "PUT", "HEAD"};
    for (size_t m = 0; m < sizeof others / sizeof others[0]; m++) {
      if (strstr(want, others[m])) continue; /* a method the path does have */
      int64_t params[REQ_MAX_PARAMS];
      int nparams = 0;
      char allow[128] = "junk";
      int got = router_match(others[m], path, params, &nparams, allow, sizeof allow);
      if (got != -2) fail_msg("router_match(%s %s) = %d, wanted -2", others[m], path, got);
      if (strcmp(allow, want) != 0) fail_msg("%s %s: Allow \"%s\", wanted \"%s\"", others[m], path, allow, want);
    }
  }
  /* Spot checks that do not rely on the loop's own reading of the table. */
  int64_t params[REQ_MAX_PARAMS];
  int np;
  char allow[128];
  assert_int_equal(router_match("PUT", "/api/v1/units", params, &np, allow, sizeof allow), -2);
  assert_string_equal(allow, "GET, HEAD, POST");
  assert_int_equal(router_match("POST", "/api/v1/units/5", params, &np, allow, sizeof allow), -2);
  assert_string_equal(allow, "GET, HEAD, PATCH, DELETE");
  /* HEAD is answered by the GET route of a path, with its parameters. */
  np = 0;
  int get_unit = router_match("GET", "/api/v1/units/5", params, &np, allow, sizeof allow);
  assert_true(get_unit >= 0);
  assert_int_equal(router_match("HEAD", "/api/v1/units/5", params, &np, allow, sizeof allow), get_unit);
  assert_int_equal(np, 1);
  assert_int_equal(params[0], 5);
  assert_int_equal(router_match("HEAD", "/api/v1/session", params, &np, allow, sizeof allow), -2);
  assert_int_equal(router_match("GET", "/api/v1/session", params, &np, allow, sizeof allow), -2);
  assert_string_equal(allow, "POST, DELETE");
  assert_int_equal(router_match("GET", "/api/v1/users/3/roles/4", params, &np, allow, sizeof allow), -2);
  assert_string_equal(allow, "DELETE");
  /* A tiny Allow buffer is truncated, not overrun; none at all is fine too. */
  char tiny[5];
  memset(tiny, 'x', sizeof tiny);
  assert_int_equal(router_match("PUT", "/api/v1/units", params, &np, tiny, sizeof tiny), -2);
  assert_int_equal(tiny[4], '\0');
  assert_int_equal(router_match("PUT", "/api/v1/units", params, &np, NULL, 0), -2);
  /* An unknown path leaves an empty Allow. */
  strcpy(allow, "junk");
  assert_int_equal(router_match("GET", "/api/v1/nothing", params, &np, allow, sizeof allow), -1);
  assert_string_equal(allow, "");
}

typedef struct path_case {
  const char *method, *path;
  int want; /* -1, -2, or 1: some route */
} path_case;

static void test_router_bad_paths(void **state) {
  (void)state;
  static const path_case cases[] = {
      {"GET", "", -1},
      {"GET", "healthz", -1},
      {"GET", "/", -1},
      {"GET", "//", -1},
      {"GET", "/nothing", -1},
      {"GET", "/api", -1},
      {"GET", "/api/v1", -1},
      {"GET", "/api/v2/units", -1},
      {"GET", "/API/V1/UNITS", -1},
      {"GET", "/api/v1/unitsx", -1},
      {"GET", "/api/v1/unit", -1},
      /* ids that are not positive 64-bit integers */
      {"GET", "/api/v1/units/abc", -1},
      {"GET", "/api/v1/units/0", -1},
      {"GET", "/api/v1/units/-1", -1},
      {"GET", "/api/v1/units/-0", -1},
      {"GET", "/api/v1/units/1.5", -1},
      {"GET", "/api/v1/units/1e3", -1},
      {"GET", "/api/v1/units/0x10", -1},
      {"GET", "/api/v1/units/12abc", -1},
      {"GET", "/api/v1/units/5 ", -1},
      {"GET", "/api/v1/units/9223372036854775808", -1},
      {"GET", "/api/v1/units/18446744073709551616", -1},
      {"GET", "/api/v1/units/99999999999999999999999", -1},
      {"GET", "/api/v1/units/{id}", -1},
      {"GET", "/api/v1/units/%35", -1},
      {"DELETE", "/api/v1/users/5/roles/0", -1},
      {"DELETE", "/api/v1/users/0/roles/5", -1},
      {"DELETE", "/api/v1/users/x/roles/5", -1},
      /* trailing and doubled slashes are other paths, never the route without them */
      {"GET", "/api/v1/units/", -1},
      {"POST", "/api/v1/units/", -1},
      {"GET", "/api/v1/units//", -1},
      {"GET", "/api/v1/units/5/", -1},
      {"GET", "/api/v1/units//5", -1},
      {"GET", "//api/v1/units", -1},
      {"GET", "/api//v1/units", -1},
      {"GET", "/healthz/", -1},
      {"GET", "/healthz//", -1},
      {"GET", "/api/v1/me/", -1},
      {"PUT", "/api/v1/me//password", -1},
      {"GET", "/api/v1/users/5/roles", -2}, /* POST only */
      /* for contrast: the plain forms match */
      {"GET", "/api/v1/units", 1},
      {"GET", "/api/v1/units/5", 1},
      {"GET", "/healthz", 1},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const path_case *c = &cases[k];
    int64_t params[REQ_MAX_PARAMS];
    int np = 0;
    char allow[128];
    int got = router_match(c->method, c->path, params, &np, allow, sizeof allow);
    bool ok = c->want == 1 ? got >= 0 : got == c->want;
    if (!ok) fail_msg("router_match(%s \"%s\") = %d, wanted %d", c->method, c->path, got, c->want);
    /* The same answer twice: matching keeps no state. */
    int again = router_match(c->method, c->path, params, &np, allow, sizeof allow);
    assert_int_equal(again, got);
  }
}

static void test_router_long_paths(void **state) {
  (void)state;
  int64_t params[REQ_MAX_PARAMS];
  int np;
  char allow[128];
  /* Many segments. */
  static const int counts[] = {11, 12, 13, 50, 5000};
  for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
    size_t n = (size_t)counts[k] * 2 + 1;
    char *p = malloc(n);
    assert_non_null(p);
    for (int i = 0; i < counts[k]; i++) memcpy(p + 2 * i, "/a", 2);
    p[n - 1] = '\0';
    assert_int_equal(router_match("GET", p, params, &np, allow, sizeof allow), -1);
    free(p);
  }
  /* Many slashes only. */
  char slashes[2001];
  memset(slashes, '/', 2000);
  slashes[2000] = '\0';
  assert_int_equal(router_match("GET", slashes, params, &np, allow, sizeof allow), -1);
  /* One huge segment, literal or in the id's place. */
  size_t big = 1u << 20;
  char *p = malloc(big + 32);
  assert_non_null(p);
  strcpy(p, "/api/v1/units/");
  memset(p + 14, '1', big);
  p[14 + big] = '\0';
  assert_int_equal(router_match("GET", p, params, &np, allow, sizeof allow), -1);
  p[0] = '/';
  memset(p + 1, 'x', big);
  p[1 + big] = '\0';
  assert_int_equal(router_match("GET", p, params, &np, allow, sizeof allow), -1);
  free(p);
  /* 20 and 23 digits: out of range. */
  assert_int_equal(router_match("GET", "/api/v1/units/10000000000000000000", params, &np, allow, sizeof allow), -1);
  assert_int_equal(router_match("GET", "/api/v1/units/10000000000000000000000", params, &np, allow, sizeof allow), -1);
}

/* BUG (left failing on purpose): a path id is documented as a positive integer, but the
 * matcher uses parse_int(), i.e. strtoll(), which skips leading white space and takes a sign:
 * "/api/v1/units/ 5" (what MHD hands over for /api/v1/units/%205) and "/api/v1/units/+5" are
 * unit 5. */
static void test_router_rejects_noncanonical_ids(void **state) {
  (void)state;
  static const char *const paths[] = {"/api/v1/units/ 5", "/api/v1/units/\t5", "/api/v1/units/\n5",
                                      "/api/v1/units/+5", "/api/v1/users/ 3/roles/+4"};
  char msg[512] = "";
  for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
    int64_t params[REQ_MAX_PARAMS] = {0};
    int np = 0;
    char allow[128];
    int method_ok = strstr(paths[k], "roles") ? 0 : 1;
    int got = router_match(method_ok ? "GET" : "DELETE", paths[k], params, &np, allow, sizeof allow);
    if (got != -1) {
      size_t used = strlen(msg);
      snprintf(msg + used, sizeof msg - used, " [k=%zu → route %d, id %" PRId64 "]", k, got, params[0]);
    }
  }
  if (msg[0]) fail_msg("ids with white space or a sign matched:%s", msg);
}

/* ==== validate_fields ==== */

static const field_spec test_spec[] = {
    {"name", FT_STRING, true, 1, 3, "required, 1..3 characters"},
    {"note", FT_STRING, false, 0, 0, "no limits"},
    {"count", FT_INT, false, 1, 100, "1..100"},
    {"any", FT_INT, false, 0, 0, "any integer"},
    {"neg", FT_INT, false, -10, -1, "negative range"},
    {"flag", FT_BOOL, false, 0, 0, "a bool"},
    {"day", FT_DATE, false, 0, 0, "a date"},
    {0},
};

typedef struct vcase {
  const char *label;
  bool query;
  const char *in;   /* JSON object text */
  int rc;
  const char *code; /* on error */
  const char *field;
  const char *out;  /* on success: the expected object */
} vcase;

static void run_vcases(const field_spec *spec, const vcase *cases, size_t n) {
  for (size_t k = 0; k < n; k++) {
    const vcase *c = &cases[k];
    json_error_t jerr;
    json_t *in = json_loads(c->in, 0, &jerr);
    if (!in) fail_msg("case %s: bad test JSON: %s", c->label, jerr.text);
    json_t *out = NULL;
    app_err e = {0};
    int rc = validate_fields(spec, in, c->query, &out, &e);
    if (rc != c->rc) fail_msg("case %s: rc %d, wanted %d (code %s, field %s)", c->label, rc, c->rc,
                              e.code ? e.code : "-", e.field ? e.field : "-");
    if (rc == 0) {
      json_t *want = json_loads(c->out, 0, &jerr);
      assert_non_null(want);
      if (!json_equal(out, want)) {
        char *got = json_dumps(out, JSON_SORT_KEYS);
        fail_msg("case %s: out %s, wanted %s", c->label, got, c->out);
      }
      json_decref(want);
      json_decref(out);
    } else {
      if (out) fail_msg("case %s: *out set on failure", c->label);
      assert_int_equal(e.status, 400);
      if (!e.code || strcmp(e.code, c->code) != 0)
        fail_msg("case %s: code %s, wanted %s", c->label, e.code ? e.code : "(null)", c->code);
      if (!e.field || strcmp(e.field, c->field) != 0)
        fail_msg("case %s: field %s, wanted %s", c->label, e.field ? e.field : "(null)", c->field);
      assert_non_null(e.message);
      assert_true(e.message[0] != '\0');
    }
    json_decref(in); /* after the checks: e.field may point into it */
  }
}

static void test_validate_body_table(void **state) {
  (void)state;
  static const vcase cases[] = {
      {"minimal", false, "{\"name\":\"abc\"}", 0, NULL, NULL, "{\"name\":\"abc\"}"},
      {"all fields", false,
       "{\"name\":\"a\",\"note\":\"x\",\"count\":5,\"any\":-99999999999,\"neg\":-3,\"flag\":false,\"day\":\"2024-02-29\"}",
       0, NULL, NULL,
       "{\"name\":\"a\",\"note\":\"x\",\"count\":5,\"any\":-99999999999,\"neg\":-3,\"flag\":false,\"day\":\"2024-02-29\"}"},
      /* lengths are characters, not bytes */
      {"3 vietnamese chars in max 3", false, "{\"name\":\"Đức\"}", 0, NULL, NULL, "{\"name\":\"Đức\"}"},
      {"3 chars of 3 bytes each", false, "{\"name\":\"ữữữ\"}", 0, NULL, NULL, "{\"name\":\"ữữữ\"}"},
      {"emoji counts as one", false, "{\"name\":\"\\ud83d\\ude00ab\"}", 0, NULL, NULL, "{\"name\":\"\\ud83d\\ude00ab\"}"},
      {"4 chars over max 3", false, "{\"name\":\"Đức1\"}", -1, "invalid_value", "name", NULL},
      {"4 ascii over max 3", false, "{\"name\":\"abcd\"}", -1, "invalid_value", "name", NULL},
      {"empty required string", false, "{\"name\":\"\"}", -1, "missing_field", "name", NULL},
      {"missing required", false, "{}", -1, "missing_field", "name", NULL},
      {"missing required, others present", false, "{\"count\":5}", -1, "missing_field", "name", NULL},
      {"unknown field", false, "{\"name\":\"a\",\"zzz\":1}", -1, "unknown_field", "zzz", NULL},
      {"unknown field alone", false, "{\"is_admin\":true}", -1, "unknown_field", "is_admin", NULL},
      {"unknown field, vietnamese name", false, "{\"tên\":\"x\",\"name\":\"a\"}", -1, "unknown_field", "tên", NULL},
      {"field names are case-sensitive", false, "{\"Name\":\"a\"}", -1, "unknown_field", "Name", NULL},
      /* null */
      {"null optional dropped", false, "{\"name\":\"a\",\"count\":null,\"note\":null,\"flag\":null,\"day\":null}", 0,
       NULL, NULL, "{\"name\":\"a\"}"},
      {"null required", false, "{\"name\":null}", -1, "wrong_type", "name", NULL},
      /* types */
      {"string given a number", false, "{\"name\":5}", -1, "wrong_type", "name", NULL},
      {"string given true", false, "{\"name\":true}", -1, "wrong_type", "name", NULL},
      {"string given an array", false, "{\"name\":[\"a\"]}", -1, "wrong_type", "name", NULL},
      {"string given an object", false, "{\"name\":{\"a\":1}}", -1, "wrong_type", "name", NULL},
      {"int given a string", false, "{\"name\":\"a\",\"count\":\"12\"}", -1, "wrong_type", "count", NULL},
      {"int given a real", false, "{\"name\":\"a\",\"count\":1.5}", -1, "wrong_type", "count", NULL},
      {"int given 2.0", false, "{\"name\":\"a\",\"count\":2.0}", -1, "wrong_type", "count", NULL},
      {"int given a bool", false, "{\"name\":\"a\",\"count\":true}", -1, "wrong_type", "count", NULL},
      {"bool given a string", false, "{\"name\":\"a\",\"flag\":\"true\"}", -1, "wrong_type", "flag", NULL},
      {"bool given 1", false, "{\"name\":\"a\",\"flag\":1}", -1, "wrong_type", "flag", NULL},
      {"date given a number", false, "{\"name\":\"a\",\"day\":20240229}", -1, "wrong_type", "day", NULL},
      {"date not a date", false, "{\"name\":\"a\",\"day\":\"2023-02-29\"}", -1, "wrong_type", "day", NULL},
      {"date with time", false, "{\"name\":\"a\",\"day\":\"2024-01-01T00:00:00Z\"}", 0, NULL, NULL,
       "{\"name\":\"a\",\"day\":\"2024-01-01T00:00:00Z\"}"},
      {"date garbage", false, "{\"name\":\"a\",\"day\":\"tomorrow\"}", -1, "wrong_type", "day", NULL},
      /* ranges */
      {"int at min", false, "{\"name\":\"a\",\"count\":1}", 0, NULL, NULL, "{\"name\":\"a\",\"count\":1}"},
      {"int at max", false, "{\"name\":\"a\",\"count\":100}", 0, NULL, NULL, "{\"name\":\"a\",\"count\":100}"},
      {"int below min", false, "{\"name\":\"a\",\"count\":0}", -1, "invalid_value", "count", NULL},
      {"int above max", false, "{\"name\":\"a\",\"count\":101}", -1, "invalid_value", "count", NULL},
      {"int far below", false, "{\"name\":\"a\",\"count\":-9223372036854775807}", -1, "invalid_value", "count", NULL},
      {"negative range ok", false, "{\"name\":\"a\",\"neg\":-10}", 0, NULL, NULL, "{\"name\":\"a\",\"neg\":-10}"},
      {"negative range, 0", false, "{\"name\":\"a\",\"neg\":0}", -1, "invalid_value", "neg", NULL},
      {"no range: huge", false, "{\"name\":\"a\",\"any\":9223372036854775807}", 0, NULL, NULL,
       "{\"name\":\"a\",\"any\":9223372036854775807}"},
      /* control characters */
      {"control char", false, "{\"name\":\"a\\u0001b\"}", -1, "invalid_value", "name", NULL},
      {"escape char", false, "{\"name\":\"\\u001b\"}", -1, "invalid_value", "name", NULL},
      {"carriage return", false, "{\"name\":\"a\",\"note\":\"x\\ry\"}", -1, "invalid_value", "note", NULL},
      {"newline and tab allowed", false, "{\"name\":\"a\",\"note\":\"x\\ny\\tz\"}", 0, NULL, NULL,
       "{\"name\":\"a\",\"note\":\"x\\ny\\tz\"}"},
      {"control char in a date", false, "{\"name\":\"a\",\"day\":\"2024-01-0\\u0001\"}", -1, "invalid_value", "day",
       NULL},
  };
  run_vcases(test_spec, cases, sizeof cases / sizeof cases[0]);
}

static void test_validate_query_table(void **state) {
  (void)state;
  static const vcase cases[] = {
      {"int converted", true, "{\"name\":\"a\",\"count\":\"12\"}", 0, NULL, NULL, "{\"name\":\"a\",\"count\":12}"},
      {"int with letters", true, "{\"name\":\"a\",\"count\":\"12abc\"}", -1, "wrong_type", "count", NULL},
      {"int empty", true, "{\"name\":\"a\",\"count\":\"\"}", -1, "wrong_type", "count", NULL},
      {"int real", true, "{\"name\":\"a\",\"count\":\"1.0\"}", -1, "wrong_type", "count", NULL},
      {"int out of range", true, "{\"name\":\"a\",\"count\":\"0\"}", -1, "invalid_value", "count", NULL},
      {"int overflow", true, "{\"name\":\"a\",\"any\":\"99999999999999999999\"}", -1, "wrong_type", "any", NULL},
      {"int negative", true, "{\"name\":\"a\",\"neg\":\"-5\"}", 0, NULL, NULL, "{\"name\":\"a\",\"neg\":-5}"},
      {"bool true", true, "{\"name\":\"a\",\"flag\":\"true\"}", 0, NULL, NULL, "{\"name\":\"a\",\"flag\":true}"},
      {"bool false", true, "{\"name\":\"a\",\"flag\":\"false\"}", 0, NULL, NULL, "{\"name\":\"a\",\"flag\":false}"},
      {"bool 1", true, "{\"name\":\"a\",\"flag\":\"1\"}", -1, "wrong_type", "flag", NULL},
      {"bool TRUE", true, "{\"name\":\"a\",\"flag\":\"TRUE\"}", -1, "wrong_type", "flag", NULL},
      {"bool empty", true, "{\"name\":\"a\",\"flag\":\"\"}", -1, "wrong_type", "flag", NULL},
      {"date kept as string", true, "{\"name\":\"a\",\"day\":\"2024-01-01\"}", 0, NULL, NULL,
       "{\"name\":\"a\",\"day\":\"2024-01-01\"}"},
      {"date bad", true, "{\"name\":\"a\",\"day\":\"2024-1-1\"}", -1, "wrong_type", "day", NULL},
      {"string kept", true, "{\"name\":\"Tổ\"}", 0, NULL, NULL, "{\"name\":\"Tổ\"}"},
      {"string too long", true, "{\"name\":\"Tổ d\"}", -1, "invalid_value", "name", NULL},
      {"string empty", true, "{\"name\":\"\"}", -1, "missing_field", "name", NULL},
      {"unknown parameter", true, "{\"name\":\"a\",\"sort\":\"x\"}", -1, "unknown_field", "sort", NULL},
      {"missing required", true, "{\"count\":\"1\"}", -1, "missing_field", "name", NULL},
  };
  run_vcases(test_spec, cases, sizeof cases / sizeof cases[0]);
}

static void test_validate_embedded_nul(void **state) {
  (void)state;
  /* JSON "a\u0000b": a string whose bytes hold a NUL (jansson keeps it with JSON_ALLOW_NUL). */
  json_error_t jerr;
  json_t *in = json_loads("{\"name\":\"a\\u0000b\"}", JSON_ALLOW_NUL, &jerr);
  assert_non_null(in);
  assert_int_equal(json_string_length(json_object_get(in, "name")), 3);
  json_t *out = NULL;
  app_err e = {0};
  assert_int_equal(validate_fields(test_spec, in, false, &out, &e), -1);
  assert_null(out);
  assert_string_equal(e.code, "invalid_value");
  assert_string_equal(e.field, "name");
  json_decref(in);
  /* A trailing NUL alone too. */
  in = json_object();
  json_object_set_new(in, "name", json_stringn("ab\0", 3));
  assert_int_equal(validate_fields(test_spec, in, false, &out, &e), -1);
  assert_string_equal(e.code, "invalid_value");
  json_decref(in);
  /* Without JSON_ALLOW_NUL (what the dispatcher uses) such a body does not even parse. */
  assert_null(json_loads("{\"name\":\"a\\u0000b\"}", 0, &jerr));
}

static void test_validate_real_route_specs(void **state) {
  (void)state;
  const route *create = route_by_op("createUnit");
  static const vcase unit_cases[] = {
      {"create unit", false, "{\"parent_id\":1,\"kind\":\"residential_group\",\"name\":\"Tổ dân phố số 1\"}", 0, NULL,
       NULL, "{\"parent_id\":1,\"kind\":\"residential_group\",\"name\":\"Tổ dân phố số 1\"}"},
      {"code may be empty", false, "{\"parent_id\":1,\"kind\":\"team\",\"name\":\"Tổ\",\"code\":\"\"}", 0, NULL, NULL,
       "{\"parent_id\":1,\"kind\":\"team\",\"name\":\"Tổ\",\"code\":\"\"}"},
      {"parent_id 0", false, "{\"parent_id\":0,\"kind\":\"team\",\"name\":\"Tổ\"}", -1, "invalid_value", "parent_id",
       NULL},
      {"no parent_id", false, "{\"kind\":\"team\",\"name\":\"Tổ\"}", -1, "missing_field", "parent_id", NULL},
      {"extra path field", false, "{\"parent_id\":1,\"kind\":\"team\",\"name\":\"Tổ\",\"path\":\"/1/\"}", -1,
       "unknown_field", "path", NULL},
  };
  run_vcases(create->body, unit_cases, sizeof unit_cases / sizeof unit_cases[0]);
  const route *list = route_by_op("listUnits");
  static const vcase list_cases[] = {
      {"paging", true, "{\"page\":\"2\",\"per_page\":\"200\"}", 0, NULL, NULL, "{\"page\":2,\"per_page\":200}"},
      {"per_page too big", true, "{\"per_page\":\"201\"}", -1, "invalid_value", "per_page", NULL},
      {"page 0", true, "{\"page\":\"0\"}", -1, "invalid_value", "page", NULL},
      {"q 100 chars ok", true,
       "{\"q\":\"ẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩ\"}",
       0, NULL, NULL,
       "{\"q\":\"ẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩẩ\"}"},
      {"parent_id not a number", true, "{\"parent_id\":\"x\"}", -1, "wrong_type", "parent_id", NULL},
  };
  run_vcases(list->query, list_cases, sizeof list_cases / sizeof list_cases[0]);
  /* 101 characters (303 bytes) is one too many for q's 100. */
  char q101[400];
  for (int i = 0; i < 101; i++) memcpy(q101 + 3 * i, "ẩ", 3);
  q101[303] = '\0';
  json_t *in = json_pack("{s:s}", "q", q101), *out = NULL;
  app_err e = {0};
  assert_int_equal(validate_fields(list->query, in, true, &out, &e), -1);
  assert_string_equal(e.code, "invalid_value");
  assert_string_equal(e.field, "q");
  json_decref(in);
  const route *audit = route_by_op("listAudit");
  static const vcase audit_cases[] = {
      {"since date", true, "{\"since\":\"2024-01-01\",\"action\":\"user.\"}", 0, NULL, NULL,
       "{\"since\":\"2024-01-01\",\"action\":\"user.\"}"},
      {"until bad", true, "{\"until\":\"01/01/2024\"}", -1, "wrong_type", "until", NULL},
  };
  run_vcases(audit->query, audit_cases, sizeof audit_cases / sizeof audit_cases[0]);
}

/* ==== route table invariants ==== */

static void test_route_table_invariants(void **state) {
  (void)state;
  static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  assert_true(routes_count > 0);
  for (int i = 0; i < routes_count; i++) {
    const route *rt = &routes[i];
    const char *id = rt->op_id ? rt->op_id : "(no op_id)";
    if (!rt->op_id || !rt->op_id[0]) fail_msg("route %d (%s %s) has no operationId", i, rt->method, rt->path);
    if (!rt->summary || !rt->summary[0]) fail_msg("%s has no summary", id);
    if (!rt->tag || !rt->tag[0]) fail_msg("%s has no tag", id);
    if (!rt->fn) fail_msg("%s has no handler", id);
    if (!rt->path || rt->path[0] != '/') fail_msg("%s: path must start with /", id);
    bool known = false;
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) known |= strcmp(rt->method, methods[m]) == 0;
    if (!known) fail_msg("%s: method %s", id, rt->method);
    for (int k = 0; k < i; k++) {
      if (strcmp(routes[k].op_id, rt->op_id) == 0) fail_msg("operationId %s is used twice", id);
      if (strcmp(routes[k].path, rt->path) == 0 && strcmp(routes[k].method, rt->method) == 0)
        fail_msg("%s %s is declared twice", rt->method, rt->path);
    }
    /* CSRF: only for logged-in callers (and the log-in itself, which has no session yet). */
    if (rt->csrf && rt->auth != AUTH_LOGIN && strcmp(rt->op_id, "login") != 0)
      fail_msg("%s: csrf on a public route", id);
    if (rt->auth == AUTH_LOGIN && strcmp(rt->method, "GET") != 0 && !rt->csrf)
      fail_msg("%s: a state-changing logged-in route without csrf", id);
    /* Public routes need nothing and are checked on nothing. */
    if (rt->auth == AUTH_PUBLIC && (rt->cap || rt->scope != SCOPE_NONE)) fail_msg("%s: public with a capability", id);
    /* A certificate is read by its holder (any account) or with people.read (SCOPE_CERT, http.h); an
     * attachment by its uploader or whoever may read its owner (SCOPE_ATTACHMENT). */
    if (rt->scope != SCOPE_NONE && !rt->cap && !((rt->scope == SCOPE_CERT || rt->scope == SCOPE_ATTACHMENT) && !rt->csrf))
      fail_msg("%s: a scope without a capability", id);
    if (strcmp(rt->method, "GET") == 0 && rt->body) fail_msg("%s: GET with a body", id);
    if (rt->ok_status != 200 && rt->ok_status != 201 && rt->ok_status != 204) fail_msg("%s: ok_status %d", id, rt->ok_status);
    if (rt->ok_status == 204 && rt->response) fail_msg("%s: 204 with a response schema", id);
    /* Path parameters: at most REQ_MAX_PARAMS, each named. */
    int nparams = 0;
    char first_param[32] = "";
    for (const char *p = strchr(rt->path, '{'); p; p = strchr(p + 1, '{')) {
      const char *end = strchr(p, '}');
      if (!end || end == p + 1) fail_msg("%s: malformed parameter in %s", id, rt->path);
      if (!nparams) snprintf(first_param, sizeof first_param, "%.*s", (int)(end - p - 1), p + 1);
      nparams++;
    }
    if (nparams > REQ_MAX_PARAMS) fail_msg("%s: %d path parameters", id, nparams);
    /* The scope is checked on a field the route actually takes, from where it takes it. */
    switch (rt->scope) {
      case SCOPE_NONE:
        break;
      case SCOPE_UNIT:
        if (!rt->scope_field) fail_msg("%s: SCOPE_UNIT without scope_field", id);
        if (rt->scope_from == FROM_BODY && !spec_has(rt->body, rt->scope_field))
          fail_msg("%s: scope field %s is not in the body spec", id, rt->scope_field);
        if (rt->scope_from == FROM_QUERY && !spec_has(rt->query, rt->scope_field))
          fail_msg("%s: scope field %s is not in the query spec", id, rt->scope_field);
        if (rt->scope_from == FROM_PATH && strcmp(first_param, rt->scope_field) != 0)
          fail_msg("%s: scope field %s is not the first path parameter (%s)", id, rt->scope_field, first_param);
        break;
      case SCOPE_USER:
        if (rt->scope_from != FROM_PATH || !rt->scope_field || strcmp(first_param, rt->scope_field) != 0)
          fail_msg("%s: SCOPE_USER must name the first path parameter", id);
        break;
      case SCOPE_USER_ROLE:
        if (nparams != 1 || strcmp(first_param, "id") != 0) fail_msg("%s: SCOPE_USER_ROLE needs the user in the path", id);
        if (rt->scope_from != FROM_BODY || !spec_has(rt->body, rt->scope_field) || !spec_has(rt->body, "role"))
          fail_msg("%s: SCOPE_USER_ROLE needs the unit field and role in the body", id);
        break;
      case SCOPE_GRANT:
        if (nparams != 2) fail_msg("%s: SCOPE_GRANT needs the user and the grant in the path", id);
        if (!rt->scope_field || !strstr(rt->path, rt->scope_field)) fail_msg("%s: grant field not in the path", id);
        break;
      case SCOPE_PERSON:
      case SCOPE_HOUSEHOLD:
      case SCOPE_IMPORT:
      case SCOPE_REQUEST:
      case SCOPE_PERSON_DELETED:
      case SCOPE_ATTEMPT:
      case SCOPE_CERT:
      case SCOPE_CONFIRMATION:
      case SCOPE_TRADER:
      case SCOPE_CLASS:
      case SCOPE_EVENT:
      case SCOPE_FIELD_TEAM:
      case SCOPE_HELP_REQUEST:
        if (rt->scope_from != FROM_PATH || !rt->scope_field || strcmp(first_param, rt->scope_field) != 0)
          fail_msg("%s: SCOPE_PERSON/SCOPE_HOUSEHOLD must name the first path parameter", id);
        if (rt->also_unit && !spec_has(rt->body, rt->also_unit)) fail_msg("%s: also_unit not in the body", id);
        break;
      case SCOPE_PLAN_TASK:
        /* The task is the first path parameter; the unit reported for is a body or query field. */
        if (nparams != 1 || strcmp(first_param, "id") != 0) fail_msg("%s: SCOPE_PLAN_TASK needs the task in the path", id);
        if (!rt->scope_field || rt->scope_from == FROM_PATH ||
            !spec_has(rt->scope_from == FROM_BODY ? rt->body : rt->query, rt->scope_field))
          fail_msg("%s: SCOPE_PLAN_TASK needs its unit field in the body or the query", id);
        if (!rt->csrf) fail_msg("%s: SCOPE_PLAN_TASK is for reports (writes)", id);
        break;
      case SCOPE_PLAN:
        if (!rt->csrf) fail_msg("%s: SCOPE_PLAN is for changes to the plan", id);
        break;
      case SCOPE_ATTACHMENT:
        if (rt->scope_from != FROM_PATH || !rt->scope_field || strcmp(first_param, rt->scope_field) != 0)
          fail_msg("%s: SCOPE_ATTACHMENT must name the first path parameter", id);
        break;
      case SCOPE_FIELD_TEAM_PERSON:
        if (nparams != 1 || strcmp(first_param, "id") != 0) fail_msg("%s: SCOPE_FIELD_TEAM_PERSON needs the team in the path", id);
        if (rt->scope_from != FROM_BODY || !spec_has(rt->body, rt->scope_field))
          fail_msg("%s: SCOPE_FIELD_TEAM_PERSON needs the person field in the body", id);
        break;
      case SCOPE_USER_PERSON:
        if (nparams != 1 || strcmp(first_param, "id") != 0) fail_msg("%s: SCOPE_USER_PERSON needs the user in the path", id);
        if (rt->scope_from != FROM_BODY || !spec_has(rt->body, rt->scope_field))
          fail_msg("%s: SCOPE_USER_PERSON needs the person field in the body", id);
        break;
      /* Đại sứ số (ambassadors.h): every object named is in the route's input. */
      case SCOPE_UNIT_PERSON:
        if (rt->scope_from != FROM_BODY || !spec_has(rt->body, rt->scope_field) || !spec_has(rt->body, "person_id"))
          fail_msg("%s: SCOPE_UNIT_PERSON needs the unit field and person_id in the body", id);
        break;
      case SCOPE_MENTEE:
        if (!spec_has(rt->body, "mentee_id") || !spec_has(rt->body, "mentor_id"))
          fail_msg("%s: SCOPE_MENTEE needs mentee_id and mentor_id in the body", id);
        break;
      case SCOPE_AMBASSADOR:
      case SCOPE_MENTORSHIP:
        if (rt->scope_from != FROM_PATH || !rt->scope_field || strcmp(first_param, rt->scope_field) != 0)
          fail_msg("%s: SCOPE_AMBASSADOR/SCOPE_MENTORSHIP must name the first path parameter", id);
        break;
    }
    /* Every spec has named, typed fields with sane bounds. */
    const field_spec *specs[2] = {rt->body, rt->query};
    for (int s = 0; s < 2; s++)
      for (const field_spec *f = specs[s]; f && f->name; f++) {
        if (f->type < FT_STRING || f->type > FT_OBJECT) fail_msg("%s: field %s has no type", id, f->name);
        if ((f->type == FT_ARRAY || f->type == FT_OBJECT) && s == 1) fail_msg("%s: query field %s is an array or object", id, f->name);
        if (f->max && f->min > f->max) fail_msg("%s: field %s has min > max", id, f->name);
        if (!f->doc || !f->doc[0]) fail_msg("%s: field %s has no doc", id, f->name);
      }
  }
}

/* The change in competence and assisted attempts (issue 8 parts 6, 7): a person's profile is read
 * with people.read on the person, the report with reports.read on its unit (from the query), and an
 * assisted attempt is started with field.write on the person (a write: the registering unit). */
static const route *route_of(const char *method, const char *path) {
  for (int i = 0; i < routes_count; i++)
    if (!strcmp(routes[i].method, method) && !strcmp(routes[i].path, path)) return &routes[i];
  fail_msg("no route %s %s", method, path);
  return NULL;
}

static void test_route_competence_rows(void **state) {
  (void)state;
  const route *me = route_of("GET", "/api/v1/me/competence");
  assert_int_equal(me->cap, CAP_LEARN);
  assert_int_equal(me->scope, SCOPE_NONE);
  const route *p = route_of("GET", "/api/v1/residents/{id}/competence");
  assert_int_equal(p->cap, CAP_PEOPLE_READ);
  assert_int_equal(p->scope, SCOPE_PERSON);
  const route *r = route_of("GET", "/api/v1/reports/competence-change");
  assert_int_equal(r->cap, CAP_REPORTS_READ);
  assert_int_equal(r->scope, SCOPE_UNIT);
  assert_int_equal(r->scope_from, FROM_QUERY);
  assert_string_equal(r->scope_field, "unit");
  const route *a = route_of("POST", "/api/v1/residents/{id}/attempts");
  assert_int_equal(a->cap, CAP_FIELD_WRITE);
  assert_int_equal(a->scope, SCOPE_PERSON);
  assert_true(a->csrf); /* a write: people_managed, the person's registering unit */
  assert_true(spec_has(a->body, "quiz_id"));
}

/* Those an indicator leaves behind (issue 10 item 4): the dashboard's scope, reports.read on the
 * unit of the query, for the page and the CSV worklist alike; read-only. */
static void test_route_left_behind_rows(void **state) {
  (void)state;
  const route *fig = route_of("GET", "/api/v1/indicators");
  const char *paths[] = {"/api/v1/indicators/left-behind", "/api/v1/indicators/left-behind.csv"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    const route *r = route_of("GET", paths[i]);
    assert_int_equal(r->cap, fig->cap);
    assert_int_equal(r->scope, fig->scope);
    assert_int_equal(r->scope_from, fig->scope_from);
    assert_string_equal(r->scope_field, fig->scope_field);
    assert_false(r->csrf);
    assert_true(spec_has(r->query, "code"));
  }
  assert_true(spec_has(route_of("GET", "/api/v1/indicators/left-behind")->query, "per_page"));
}

/* ==== OpenAPI ==== */

static void test_openapi_document(void **state) {
  (void)state;
  json_t *doc = openapi_build("9.9.9");
  assert_non_null(doc);
  assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
  assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "info"), "version")), "9.9.9");
  json_t *paths = json_object_get(doc, "paths");
  assert_true(json_is_object(paths));

  /* One path item per distinct route path. */
  size_t distinct = 0;
  for (int i = 0; i < routes_count; i++) {
    bool seen = false;
    for (int k = 0; k < i; k++) seen |= strcmp(routes[k].path, routes[i].path) == 0;
    if (!seen) distinct++;
  }
  assert_int_equal(json_object_size(paths), distinct);

  json_t *tags = json_object_get(doc, "tags");
  json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
  assert_non_null(schemas);
  size_t nops = 0;
  for (int i = 0; i < routes_count; i++) {
    const route *rt = &routes[i];
    char method[16];
    size_t m;
    for (m = 0; rt->method[m] && m < sizeof method - 1; m++) method[m] = (char)(rt->method[m] | 0x20);
    method[m] = '\0';
    json_t *op = json_object_get(json_object_get(paths, rt->path), method);
    if (!op) fail_msg("no operation for %s %s", rt->method, rt->path);
    nops++;
    assert_string_equal(json_string_value(json_object_get(op, "operationId")), rt->op_id);
    assert_string_equal(json_string_value(json_object_get(op, "summary")), rt->summary);
    /* Its tag is one the document describes. */
    const char *tag = json_string_value(json_array_get(json_object_get(op, "tags"), 0));
    assert_string_equal(tag, rt->tag);
    bool tag_known = false;
    size_t t;
    json_t *tv;
    json_array_foreach(tags, t, tv) tag_known |= strcmp(json_string_value(json_object_get(tv, "name")), tag) == 0;
    if (!tag_known) fail_msg("%s: tag %s is not in the document's tags", rt->op_id, tag);
    /* Responses: the success status, and at least one 4xx. */
    json_t *resp = json_object_get(op, "responses");
    char ok[8];
    snprintf(ok, sizeof ok, "%d", rt->ok_status);
    if (!json_object_get(resp, ok)) fail_msg("%s: no %s response", rt->op_id, ok);
    int n4xx = 0;
    const char *code;
    json_t *rv;
    json_object_foreach(resp, code, rv) {
      if (code[0] == '4') n4xx++;
      const char *ref = json_string_value(
          json_object_get(json_object_get(json_object_get(json_object_get(rv, "content"), "application/json"), "schema"),
                          "$ref"));
      if (ref) {
        const char *name = strrchr(ref, '/') + 1;
        if (!json_object_get(schemas, name)) fail_msg("%s: response %s refers to missing schema %s", rt->op_id, code, ref);
      }
    }
    if (!n4xx) fail_msg("%s: no 4xx response", rt->op_id);
    if (rt->auth == AUTH_LOGIN && !json_object_get(resp, "401")) fail_msg("%s: no 401", rt->op_id);
    if (rt->rate != RATE_NONE && !json_object_get(resp, "429")) fail_msg("%s: no 429", rt->op_id);
    /* Security follows auth and csrf. */
    json_t *sec = json_object_get(op, "security");
    assert_true(json_is_array(sec));
    if (rt->auth == AUTH_PUBLIC) assert_int_equal(json_array_size(sec), 0);
    else {
      json_t *req0 = json_array_get(sec, 0);
      assert_non_null(json_object_get(req0, "session"));
      assert_int_equal(json_object_get(req0, "csrf") != NULL, rt->csrf);
    }
    /* Request body: every declared field, required ones listed, nothing else allowed. */
    json_t *rb = json_object_get(op, "requestBody");
    if (!rt->body && rt->body_limit) {
      /* an upload: raw bytes */
      if (!json_object_get(json_object_get(rb, "content"), "application/octet-stream"))
        fail_msg("%s: an upload route without an application/octet-stream body", rt->op_id);
    } else if (!rt->body) {
      if (rb) fail_msg("%s: requestBody without a body spec", rt->op_id);
    } else {
      json_t *schema = json_object_get(json_object_get(json_object_get(rb, "content"), "application/json"), "schema");
      assert_non_null(schema);
      json_t *ap = json_object_get(schema, "additionalProperties");
      if (!json_is_false(ap)) fail_msg("%s: additionalProperties is not false", rt->op_id);
      json_t *props = json_object_get(schema, "properties");
      size_t nfields = 0, nreq = 0;
      for (const field_spec *f = rt->body; f->name; f++) {
        nfields++;
        json_t *p = json_object_get(props, f->name);
        if (!p) fail_msg("%s: body field %s is missing from the schema", rt->op_id, f->name);
        const char *type = json_string_value(json_object_get(p, "type"));
        const char *want = f->type == FT_INT ? "integer" : f->type == FT_BOOL ? "boolean" : f->type == FT_ARRAY ? "array" : f->type == FT_OBJECT ? "object" : "string";
        if (strcmp(type, want) != 0) fail_msg("%s.%s: type %s, wanted %s", rt->op_id, f->name, type, want);
        if (f->type == FT_STRING && f->max)
          assert_int_equal(json_integer_value(json_object_get(p, "maxLength")), f->max);
        if (f->required) {
          nreq++;
          bool listed = false;
          size_t r;
          json_t *rn;
          json_array_foreach(json_object_get(schema, "required"), r, rn) listed |= strcmp(json_string_value(rn), f->name) == 0;
          if (!listed) fail_msg("%s: %s is required but not listed", rt->op_id, f->name);
        }
      }
      assert_int_equal(json_object_size(props), nfields);
      assert_int_equal(json_array_size(json_object_get(schema, "required")), nreq);
    }
    /* Parameters: the path's, then every declared query field. */
    json_t *params = json_object_get(op, "parameters");
    for (const field_spec *f = rt->query; f && f->name; f++) {
      bool found = false;
      size_t p;
      json_t *pv;
      json_array_foreach(params, p, pv) found |= strcmp(json_string_value(json_object_get(pv, "name")), f->name) == 0 &&
                                                strcmp(json_string_value(json_object_get(pv, "in")), "query") == 0;
      if (!found) fail_msg("%s: query parameter %s missing", rt->op_id, f->name);
    }
    for (const char *p = strchr(rt->path, '{'); p; p = strchr(p + 1, '{')) {
      char name[32];
      snprintf(name, sizeof name, "%.*s", (int)(strchr(p, '}') - p - 1), p + 1);
      bool found = false;
      size_t k;
      json_t *pv;
      json_array_foreach(params, k, pv) found |= strcmp(json_string_value(json_object_get(pv, "name")), name) == 0 &&
                                                strcmp(json_string_value(json_object_get(pv, "in")), "path") == 0;
      if (!found) fail_msg("%s: path parameter %s missing", rt->op_id, name);
    }
  }
  /* No operation the table does not have. */
  size_t total = 0;
  const char *path;
  json_t *item;
  json_object_foreach(paths, path, item) total += json_object_size(item);
  assert_int_equal(total, nops);
  /* Security schemes the operations refer to exist. */
  json_t *ss = json_object_get(json_object_get(doc, "components"), "securitySchemes");
  assert_non_null(json_object_get(ss, "session"));
  assert_non_null(json_object_get(ss, "csrf"));
  json_decref(doc);
}

/* ==== rate limiting ==== */

/* The slot function of ratelimit.c (FNV-1a mod 4096), to pick addresses that do not share a
 * bucket; the test below checks the behaviour, this only chooses its inputs. */
static uint32_t fnv_slot(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h % 4096;
}

static void test_ratelimit_login_burst(void **state) {
  (void)state;
  enum { LOGIN_BURST = 120 }; /* ratelimit.c: burst of RATE_LOGIN */
  ratelimit *rl = ratelimit_new();
  assert_non_null(rl);
  const char *a = "203.0.113.7";
  double t0 = clock_mono();
  for (int i = 0; i < LOGIN_BURST; i++) {
    int w = ratelimit_take(rl, RATE_LOGIN, a);
    if (w != 0) fail_msg("take %d of the burst refused (wait %d)", i + 1, w);
  }
  int w = ratelimit_take(rl, RATE_LOGIN, a);
  /* The bucket refills at two tokens a second: only if this machine stalled for half a second could
   * the next take be allowed, and then there is nothing to conclude. */
  if (clock_mono() - t0 < 0.5) {
    if (w <= 0) fail_msg("take %d after the burst was allowed", LOGIN_BURST + 1);
    assert_true(w <= 2);
    /* Still refused: a refused take spends nothing but does not refill either. */
    int w2 = ratelimit_take(rl, RATE_LOGIN, a);
    if (clock_mono() - t0 < 0.5) assert_true(w2 > 0);
  }
  /* RATE_NONE and out-of-range classes never limit; a NULL limiter never limits. */
  for (int i = 0; i < 1000; i++) assert_int_equal(ratelimit_take(rl, RATE_NONE, a), 0);
  assert_int_equal(ratelimit_take(rl, RATE_COUNT, a), 0);
  assert_int_equal(ratelimit_take(NULL, RATE_LOGIN, a), 0);
  ratelimit_free(rl);
  ratelimit_free(NULL);
}

static void test_ratelimit_separate_buckets(void **state) {
  (void)state;
  enum { LOGIN_BURST = 120 };
  ratelimit *rl = ratelimit_new();
  assert_non_null(rl);
  const char *a = "198.51.100.1";
  static const char *const candidates[] = {"198.51.100.2", "198.51.100.3", "2001:db8::1", "10.1.2.3"};
  const char *b = NULL;
  for (size_t k = 0; k < sizeof candidates / sizeof candidates[0] && !b; k++)
    if (fnv_slot(candidates[k]) != fnv_slot(a)) b = candidates[k];
  assert_non_null(b);
  double t0 = clock_mono();
  int refused_a = 0;
  for (int i = 0; i < LOGIN_BURST + 5; i++) refused_a += ratelimit_take(rl, RATE_LOGIN, a) > 0;
  /* b's bucket is untouched: its whole burst is allowed (refill only ever adds). */
  for (int i = 0; i < LOGIN_BURST; i++)
    if (ratelimit_take(rl, RATE_LOGIN, b) != 0) fail_msg("%s refused after %s used its burst (take %d)", b, a, i + 1);
  /* And the classes do not share buckets either: a can still write. */
  assert_int_equal(ratelimit_take(rl, RATE_WRITE, a), 0);
  if (clock_mono() - t0 < 0.5) assert_true(refused_a >= 4);
  ratelimit_free(rl);
}

/* ==== gzip ==== */

static char *gunzip(const char *in, size_t n, size_t expect, size_t *out_len) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, 31) != Z_OK) return NULL; /* 15 + 16: gzip only */
  char *out = malloc(expect + 1);
  zs.next_in = (Bytef *)(uintptr_t)in;
  zs.avail_in = (uInt)n;
  zs.next_out = (Bytef *)out;
  zs.avail_out = (uInt)expect + 1;
  int rc = inflate(&zs, Z_FINISH);
  *out_len = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    free(out);
    return NULL;
  }
  return out;
}

static void test_gzip_roundtrip(void **state) {
  (void)state;
  static const size_t sizes[] = {0, 1, 100, 4096, 300000};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    size_t n = sizes[k];
    char *data = malloc(n + 1);
    assert_non_null(data);
    /* Text-like but not trivially repetitive. */
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
      x = x * 1103515245u + 12345u;
      data[i] = "Tổ dân phố abc <div> {}\n"[(x >> 16) % 24];
    }
    size_t zlen = 0;
    char *z = gzip_compress(data, n, &zlen);
    if (!z) fail_msg("gzip_compress(%zu bytes) failed", n);
    assert_true(zlen >= 18); /* header + trailer */
    assert_int_equal((unsigned char)z[0], 0x1f);
    assert_int_equal((unsigned char)z[1], 0x8b);
    size_t back_len = 0;
    char *back = gunzip(z, zlen, n, &back_len);
    if (!back) fail_msg("%zu bytes: output does not inflate", n);
    assert_int_equal(back_len, n);
    if (n) assert_memory_equal(back, data, n);
    if (n >= 4096) assert_true(zlen < n);
    free(back);
    free(z);
    free(data);
  }
}

/* ==== static files ==== */

static char web_dir[64], web_dir2[64];

static const char app_js[] =
    "// app.js: the front end's entry point\n"
    "import { api } from './api.js';\n"
    "export function start() {\n"
    "  const units = api.get('/api/v1/units');\n"
    "  document.querySelector('#main').textContent = 'Tổ dân phố';\n"
    "  return units;\n"
    "}\n"
    "export function stop() {\n"
    "  document.querySelector('#main').textContent = '';\n"
    "  return null;\n"
    "}\n";

static int setup_static(void **state) {
  (void)state;
  snprintf(web_dir, sizeof web_dir, "/tmp/hv_test_web.XXXXXX");
  snprintf(web_dir2, sizeof web_dir2, "/tmp/hv_test_web2.XXXXXX");
  if (!mkdtemp(web_dir) || !mkdtemp(web_dir2)) return -1;
  return 0;
}

static int teardown_static(void **state) {
  (void)state;
  rm_rf(web_dir);
  rm_rf(web_dir2);
  return 0;
}

/* index.html: its style sheet inlined, two variants by session state, CSP hashes of what is inline. */
static void test_static_index_variants(void **state) {
  (void)state;
  write_file(web_dir, "index.html",
             "<!doctype html><head><link rel=\"stylesheet\" href=\"/css/a.css\"></head>"
             "<body><!-- data-boot=\"login\" in a comment --><main id=\"m\" data-boot=\"login\"><p>x</p></main>"
             "<script>document.title='ok';</script></body>");
  make_dir(web_dir, "css");
  write_file(web_dir, "css/a.css", "main[data-boot=\"login\"] p { color: red; }");
  char err[256] = "";
  static_files *s = static_load(web_dir, err, sizeof err);
  if (!s) fail_msg("static_load: %s", err);
  const static_file *anon = static_find_page(s, "/", false), *signed_in = static_find_page(s, "/", true);
  assert_non_null(anon);
  assert_non_null(signed_in);
  assert_ptr_equal(anon, static_find(s, "/"));
  assert_ptr_not_equal(anon, signed_in);
  assert_string_not_equal(anon->etag, signed_in->etag);
  assert_true(static_is_index(anon) && static_is_index(signed_in));
  assert_false(static_is_index(static_find(s, "/css/a.css")));
  /* Only the <main>'s attribute changes: not the comment, not the style sheet (its hash holds). */
  char *a = strndup(anon->data, anon->len), *b = strndup(signed_in->data, signed_in->len);
  assert_non_null(strstr(a, "<style>main[data-boot=\"login\"] p { color: red; }</style>"));
  assert_null(strstr(a, "<link rel=\"stylesheet\""));
  assert_non_null(strstr(a, "<main id=\"m\" data-boot=\"login\">"));
  assert_non_null(strstr(b, "<main id=\"m\" data-boot=\"session\">"));
  assert_non_null(strstr(b, "<!-- data-boot=\"login\" in a comment -->"));
  assert_non_null(strstr(b, "<style>main[data-boot=\"login\"] p { color: red; }</style>"));
  assert_int_equal(anon->len + 2, signed_in->len);
  /* The hashes name exactly the inline bodies (sha256, base64). */
  unsigned char h[crypto_hash_sha256_BYTES];
  char b64[64], want[96];
  const char *js = "document.title='ok';";
  crypto_hash_sha256(h, (const unsigned char *)js, strlen(js));
  sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
  snprintf(want, sizeof want, "'sha256-%s'", b64);
  assert_string_equal(static_script_hashes(s), want);
  const char *css = "main[data-boot=\"login\"] p { color: red; }";
  crypto_hash_sha256(h, (const unsigned char *)css, strlen(css));
  sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
  snprintf(want, sizeof want, "'sha256-%s'", b64);
  assert_string_equal(static_style_hashes(s), want);
  free(a);
  free(b);
  static_free(s);
}

static void test_static_files(void **state) {
  (void)state;
  write_file(web_dir, "index.html", "<!doctype html><title>hocvuso</title>");
  make_dir(web_dir, "js");
  write_file(web_dir, "js/app.js", app_js);
  write_file(web_dir, "js/copy.js", app_js); /* same bytes, other name */
  write_file(web_dir, ".secret", "password=hunter2");
  make_dir(web_dir, ".git");
  write_file(web_dir, ".git/config", "[core]");
  write_file(web_dir, "js/.env", "KEY=1");
  write_file(web_dir, "data.bin", "\x01\x02");
  char err[256] = "";
  static_files *s = static_load(web_dir, err, sizeof err);
  if (!s) fail_msg("static_load: %s", err);
  assert_int_equal(static_count(s), 4); /* index.html, js/app.js, js/copy.js, data.bin */

  const static_file *idx = static_find(s, "/");
  assert_non_null(idx);
  assert_string_equal(idx->url, "/index.html");
  assert_ptr_equal(static_find(s, "/index.html"), idx);
  assert_string_equal(idx->type, "text/html; charset=utf-8");
  assert_int_equal(idx->len, strlen("<!doctype html><title>hocvuso</title>"));
  assert_memory_equal(idx->data, "<!doctype html>", 15);
  assert_null(idx->gz); /* too small to be worth it */

  const static_file *js = static_find(s, "/js/app.js");
  assert_non_null(js);
  assert_int_equal(strncmp(js->type, "text/javascript", 15), 0);
  assert_int_equal(js->len, strlen(app_js));
  assert_memory_equal(js->data, app_js, js->len);
  /* ETag: a quoted 16-hex-digit hash of the content. */
  assert_int_equal(strlen(js->etag), 18);
  assert_int_equal(js->etag[0], '"');
  assert_int_equal(js->etag[17], '"');
  for (int i = 1; i < 17; i++) assert_non_null(strchr("0123456789abcdef", js->etag[i]));
  const static_file *copy = static_find(s, "/js/copy.js");
  assert_non_null(copy);
  assert_string_equal(copy->etag, js->etag); /* same content, same ETag */
  assert_string_not_equal(idx->etag, js->etag);
  /* The gzip copy, when kept, inflates to the file. */
  assert_non_null(js->gz);
  assert_true(js->gz_len < js->len);
  size_t back_len = 0;
  char *back = gunzip(js->gz, js->gz_len, js->len, &back_len);
  assert_non_null(back);
  assert_int_equal(back_len, js->len);
  assert_memory_equal(back, js->data, js->len);
  free(back);
  const static_file *bin = static_find(s, "/data.bin");
  assert_non_null(bin);
  assert_string_equal(bin->type, "application/octet-stream");

  /* Names that are not in the listing do not exist: traversal, hidden files, directories. */
  static const char *const absent[] = {
      "/../etc/passwd", "/js/../index.html", "/js/./app.js", "//index.html", "/js//app.js", "index.html",
      "/.secret",       "/.git/config",      "/js/.env",     "/js",          "/js/",        "",
      "/INDEX.HTML",    "/index.html/",      "/index.html%00", "/js/app.js?v=1", "/nonexistent.js",
  };
  for (size_t k = 0; k < sizeof absent / sizeof absent[0]; k++)
    if (static_find(s, absent[k])) fail_msg("static_find(\"%s\") found a file", absent[k]);

  /* Loading again gives the same ETags; different content gives a different one. */
  static_files *s_again = static_load(web_dir, err, sizeof err);
  assert_non_null(s_again);
  assert_string_equal(static_find(s_again, "/js/app.js")->etag, js->etag);
  assert_string_equal(static_find(s_again, "/")->etag, idx->etag);
  write_file(web_dir2, "index.html", "<!doctype html><title>hocvuso 2</title>");
  static_files *s2 = static_load(web_dir2, err, sizeof err);
  assert_non_null(s2);
  assert_int_equal(static_count(s2), 1);
  assert_string_not_equal(static_find(s2, "/")->etag, idx->etag);
  assert_null(static_find(s2, "/js/app.js"));

  static_free(s_again);
  static_free(s2);
  static_free(s);
  static_free(NULL);
  assert_null(static_find(NULL, "/"));
  assert_int_equal(static_count(NULL), 0);

  /* A directory that cannot be read: NULL with a message. */
  err[0] = '\0';
  assert_null(static_load("/nonexistent-hv-web", err, sizeof err));
  assert_non_null(strstr(err, "/nonexistent-hv-web"));
}

/* ==== metrics ==== */

static void expect_line(const char *text, const char *line) {
  /* A whole line: preceded by a newline (or the start) and followed by one. */
  size_t n = strlen(line);
  for (const char *p = strstr(text, line); p; p = strstr(p + 1, line))
    if ((p == text || p[-1] == '\n') && p[n] == '\n') return;
  fail_msg("metrics output lacks the line: %s", line);
}

static void test_metrics_render(void **state) {
  (void)state;
  char dir[64];
  make_temp_dir(dir, sizeof dir, "metrics");
  char target[128], err[256] = "";
  snprintf(target, sizeof target, "%s/m.db", dir);
  app a;
  memset(&a, 0, sizeof a);
  a.st = store_open(target, 1, err, sizeof err);
  if (!a.st) fail_msg("store_open: %s", err);
  a.started = clock_mono();
  metrics *m = metrics_new(routes_count);
  assert_non_null(m);
  a.met = m;

  /* Nothing observed yet: the families are declared, no request series. */
  buf out;
  buf_init(&out);
  metrics_render(m, &a, &out);
  assert_false(out.oom);
  expect_line(out.data, "# TYPE hocvuso_http_requests_total counter");
  assert_null(strstr(out.data, "hocvuso_http_requests_total{"));
  buf_free(&out);

  metrics_observe(m, 0, 200, 0.001);
  metrics_observe(m, 0, 200, 0.001);
  metrics_observe(m, 0, 503, 0.3);
  metrics_observe(m, 1, 418, 10.0); /* an unlisted status, beyond the last bucket */
  metrics_observe(m, -1, 404, 0.0001);
  metrics_observe(m, -2, 304, 0.0001);
  metrics_conn(m, 3);
  metrics_conn(m, -1);
  metrics_render(m, &a, &out);
  assert_false(out.oom);
  const char *t = out.data;

  static const char *const families[][2] = {
      {"hocvuso_http_requests_total", "counter"},        {"hocvuso_http_request_duration_seconds", "histogram"},
      {"hocvuso_http_connections", "gauge"},             {"hocvuso_db_connections", "gauge"},
      {"hocvuso_db_acquires_total", "counter"},          {"hocvuso_db_acquire_waits_total", "counter"},
      {"hocvuso_db_errors_total", "counter"},            {"hocvuso_db_info", "gauge"},
      {"hocvuso_uptime_seconds", "gauge"},
  };
  for (size_t k = 0; k < sizeof families / sizeof families[0]; k++) {
    char help[128], type[128];
    snprintf(help, sizeof help, "# HELP %s ", families[k][0]);
    snprintf(type, sizeof type, "# TYPE %s %s", families[k][0], families[k][1]);
    if (!strstr(t, help)) fail_msg("no HELP for %s", families[k][0]);
    expect_line(t, type);
  }

  char line[512];
  char lbl0[256], lbl1[256];
  snprintf(lbl0, sizeof lbl0, "method=\"%s\",route=\"%s\"", routes[0].method, routes[0].path);
  snprintf(lbl1, sizeof lbl1, "method=\"%s\",route=\"%s\"", routes[1].method, routes[1].path);
  snprintf(line, sizeof line, "hocvuso_http_requests_total{%s,status=\"200\"} 2", lbl0);
  expect_line(t, line);
  snprintf(line, sizeof line, "hocvuso_http_requests_total{%s,status=\"503\"} 1", lbl0);
  expect_line(t, line);
  snprintf(line, sizeof line, "hocvuso_http_requests_total{%s,status=\"other\"} 1", lbl1);
  expect_line(t, line);
  expect_line(t, "hocvuso_http_requests_total{method=\"any\",route=\"unmatched\",status=\"404\"} 1");
  expect_line(t, "hocvuso_http_requests_total{method=\"any\",route=\"static\",status=\"304\"} 1");
  /* Statuses never seen have no series. */
  snprintf(line, sizeof line, "hocvuso_http_requests_total{%s,status=\"404\"}", lbl0);
  assert_null(strstr(t, line));
  /* A route never observed has no series at all. */
  if (routes_count > 2) {
    snprintf(line, sizeof line, "route=\"%s\"", routes[2].path);
    bool shared = strcmp(routes[2].path, routes[0].path) == 0 || strcmp(routes[2].path, routes[1].path) == 0;
    if (!shared) assert_null(strstr(t, line));
  }
  /* Histogram: cumulative buckets, +Inf equals the count, the sum in seconds. */
  snprintf(line, sizeof line, "hocvuso_http_request_duration_seconds_bucket{%s,le=\"0.0005\"} 0", lbl0);
  expect_line(t, line);
  snprintf(line, sizeof line, "hocvuso_http_request_duration_seconds_bucket{%s,le=\"0.001\"} 2", lbl0);
  expect_line(t, line);
  snprintf(line, sizeof line, "hocvuso_http_request_duration_seconds_bucket{%s,le=\"0.25\"} 2", lbl0);
  expect_line(t, line);
  snprintf(line, sizeof line, "hocvuso_http_request_duration_seconds_bucket{%s,le=\"0.5\"} 3", lbl0);
  expect_line(t, line);
  snprintf(line, sizeof line, "hocvuso_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} 3", lbl0);
  expect_line(t, line);
  snprintf(line, sizeof line, "hocvuso_http_request_duration_seconds_count{%s} 3", lbl0);
  expect_line(t, line);
  snprintf(line, sizeof line, "hocvuso_http_request_duration_seconds_sum{%s} 0.302000", lbl0);
  expect_line(t, line);
  snprintf(line, sizeof line, "hocvuso_http_request_duration_seconds_bucket{%s,le=\"5\"} 0", lbl1);
  expect_line(t, line);
  snprintf(line, sizeof line, "hocvuso_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} 1", lbl1);
  expect_line(t, line);
  /* Gauges and the backend. */
  expect_line(t, "hocvuso_http_connections 2");
  expect_line(t, "hocvuso_db_info{backend=\"sqlite\"} 1");
  expect_line(t, "hocvuso_db_connections{state=\"in_use\"} 0");
  assert_non_null(strstr(t, "\nhocvuso_uptime_seconds "));
  assert_non_null(strstr(t, "\nhocvuso_db_size_bytes "));
  /* Every line is a comment or "name{labels} value" / "name value"; the text ends with a newline. */
  assert_int_equal(t[out.len - 1], '\n');
  for (const char *p = t; *p;) {
    const char *nl = strchr(p, '\n');
    assert_non_null(nl);
    if (*p != '#') {
      const char *sp = memrchr(p, ' ', (size_t)(nl - p));
      if (!sp || sp == p) fail_msg("malformed line: %.*s", (int)(nl - p), p);
      char *end = NULL;
      strtod(sp + 1, &end);
      if (end != nl) fail_msg("malformed value: %.*s", (int)(nl - p), p);
    }
    p = nl + 1;
  }
  buf_free(&out);
  metrics_free(m);
  metrics_free(NULL);
  store_close(a.st);
  rm_rf(dir);
}

/* ==== the per-address connection cap ==== */

static struct sockaddr_storage addr_of(const char *text) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  struct sockaddr_in *in = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
  } else {
    assert_int_equal(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
    in6->sin6_family = AF_INET6;
  }
  return ss;
}

static bool key_for(connlimit *cl, const char *text, conn_key *k) {
  struct sockaddr_storage ss = addr_of(text);
  return connlimit_key(cl, (const struct sockaddr *)&ss, k);
}

static void test_connlimit_cap(void **state) {
  (void)state;
  connlimit *cl = connlimit_new(3, true, "");
  assert_non_null(cl);
  conn_key a, b;
  assert_true(key_for(cl, "203.0.113.7", &a));
  assert_true(key_for(cl, "203.0.113.8", &b));
  for (int i = 0; i < 3; i++) {
    assert_true(connlimit_allows(cl, &a));
    assert_true(connlimit_add(cl, &a));
  }
  assert_false(connlimit_allows(cl, &a)); /* the fourth of one address */
  assert_true(connlimit_allows(cl, &b));  /* another address is not affected */
  assert_int_equal(connlimit_count(cl, &a), 3);
  connlimit_del(cl, &a);
  assert_true(connlimit_allows(cl, &a));
  connlimit_del(cl, &a);
  connlimit_del(cl, &a);
  assert_int_equal(connlimit_count(cl, &a), 0);
  connlimit_free(cl);
}

static void test_connlimit_keys(void **state) {
  (void)state;
  connlimit *cl = connlimit_new(2, true, "198.51.100.1");
  assert_non_null(cl);
  conn_key k1, k2;
  /* loopback (v4, v6, v4-mapped) and the trusted proxy are exempt */
  assert_false(key_for(cl, "127.0.0.1", &k1));
  assert_false(key_for(cl, "127.0.0.2", &k1));
  assert_false(key_for(cl, "::1", &k1));
  assert_false(key_for(cl, "::ffff:127.0.0.1", &k1));
  assert_false(key_for(cl, "198.51.100.1", &k1));
  assert_true(key_for(cl, "198.51.100.2", &k1));
  /* an IPv6 /64 is one client; the next /64 another */
  assert_true(key_for(cl, "2001:db8:1:2::1", &k1));
  assert_true(key_for(cl, "2001:db8:1:2:ffff:ffff:ffff:ffff", &k2));
  assert_memory_equal(k1.b, k2.b, 16);
  assert_true(key_for(cl, "2001:db8:1:3::1", &k2));
  assert_memory_not_equal(k1.b, k2.b, 16);
  /* an IPv4 address and its v4-mapped IPv6 form are the same client */
  assert_true(key_for(cl, "192.0.2.5", &k1));
  assert_true(key_for(cl, "::ffff:192.0.2.5", &k2));
  assert_memory_equal(k1.b, k2.b, 16);
  connlimit_free(cl);
  /* without the loopback exemption (tests), loopback counts like any address */
  cl = connlimit_new(2, false, "");
  assert_true(key_for(cl, "127.0.0.2", &k1));
  assert_true(key_for(cl, "::1", &k1));
  connlimit_free(cl);
  /* 0: no cap at all */
  cl = connlimit_new(0, false, "");
  assert_true(key_for(cl, "192.0.2.9", &k1));
  for (int i = 0; i < 100; i++) assert_true(connlimit_add(cl, &k1));
  assert_true(connlimit_allows(cl, &k1));
  connlimit_free(cl);
  assert_null(connlimit_new(2, true, "not-an-address"));
}

int main(void) {
  /* Test-only routes are part of the table under test (read once, before the router starts). */
  setenv("HOCVUSO_TEST_ROUTES", "1", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_router_every_route_matches_itself),
      cmocka_unit_test(test_connlimit_cap),
      cmocka_unit_test(test_connlimit_keys),
      cmocka_unit_test(test_router_wrong_method_allow),
      cmocka_unit_test(test_router_bad_paths),
      cmocka_unit_test(test_router_long_paths),
      cmocka_unit_test(test_router_rejects_noncanonical_ids),
      cmocka_unit_test(test_validate_body_table),
      cmocka_unit_test(test_validate_query_table),
      cmocka_unit_test(test_validate_embedded_nul),
      cmocka_unit_test(test_validate_real_route_specs),
      cmocka_unit_test(test_route_table_invariants),
      cmocka_unit_test(test_route_left_behind_rows),
      cmocka_unit_test(test_route_competence_rows),
      cmocka_unit_test(test_openapi_document),
      cmocka_unit_test(test_ratelimit_login_burst),
      cmocka_unit_test(test_ratelimit_separate_buckets),
      cmocka_unit_test(test_gzip_roundtrip),
      cmocka_unit_test_setup_teardown(test_static_index_variants, setup_static, teardown_static),
      cmocka_unit_test_setup_teardown(test_static_files, setup_static, teardown_static),
      cmocka_unit_test(test_metrics_render),
  };
  return cmocka_run_group_tests_name("http", tests, group_setup, NULL) ? 1 : 0;
}

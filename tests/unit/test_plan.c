/* test_plan.c: the plan's tasks (plan.c) and attachments (attachments.c). Pure: every branch of the
 * status rule; the type read from the bytes against what a name and a Content-Type claim; the
 * Content-Disposition of hostile names; the plan the binary carries against the seed file. On
 * SQLite and, when HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL: loading the
 * plan (twice: nothing doubled, an admin's map kept), the units that answer for a task, updates and
 * their figures, the unit map kept inside the ward; storing a file (too large, lying, empty, good)
 * and the backup's copy of it. Synthetic data only.
 */
#include <fcntl.h>
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

#include "domain/attachments.h"
#include "domain/people.h"
#include "domain/plan.h"
#include "domain/units.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "plan"
#include "registry_fixture.h"

/* The registry fixture's person helper is not used here. */
__attribute__((unused)) static void *unused_person = (void *)person;

/* ---- the status rule, branch by branch ---- */
static int64_t day(const char *ymd) {
  int64_t d = plan_day_parse(ymd);
  assert_true(d > 0);
  return d;
}

static plan_status status(const plan_schedule *s, int64_t last, bool done, const char *today, const char **why) {
  plan_progress p = {.last_day = last, .last_done = done};
  return plan_status_of(s, &p, day(today), why);
}

static void test_status_rule(void **state) {
  (void)state;
  const char *why = NULL;
  plan_schedule fixed = {.starts_day = day("2025-08-01"), .ends_day = day("2026-12-31"), .report_days = 92};
  plan_schedule yearly = {.starts_day = day("2025-08-01"), .ends_day = -1, .recurring = true, .report_days = 92};
  /* 1. done: the newest update says so (even after the last day). */
  assert_int_equal(status(&fixed, day("2026-03-01"), true, "2026-04-01", &why), PLAN_DONE);
  assert_int_equal(status(&fixed, day("2026-12-01"), true, "2027-06-01", &why), PLAN_DONE);
  /* … a recurring task only in the year of the report; the year after, the other rules speak. */
  assert_int_equal(status(&yearly, day("2026-10-12"), true, "2026-12-01", &why), PLAN_DONE);
  assert_int_equal(status(&yearly, day("2026-12-20"), true, "2027-01-05", &why), PLAN_ON_TRACK);
  assert_int_equal(status(&yearly, day("2026-06-20"), true, "2027-01-05", &why), PLAN_LATE);
  /* … a done report that is not the newest no longer counts. */
  assert_int_equal(status(&fixed, day("2026-03-01"), false, "2026-04-01", &why), PLAN_ON_TRACK);
  /* 2. not_started: before the first day, even with an update. */
  assert_int_equal(status(&fixed, -1, false, "2025-07-31", &why), PLAN_NOT_STARTED);
  assert_string_equal(why, "Chưa đến thời gian thực hiện.");
  assert_int_equal(status(&fixed, day("2025-07-20"), false, "2025-07-31", &why), PLAN_NOT_STARTED);
  /* 3. late: the last day has passed without a done report (the day itself still counts). */
  assert_int_equal(status(&fixed, day("2026-12-30"), false, "2027-01-01", &why), PLAN_LATE);
  assert_string_equal(why, "Đã hết thời gian thực hiện mà chưa có báo cáo hoàn thành.");
  assert_int_equal(status(&fixed, day("2026-12-30"), false, "2026-12-31", &why), PLAN_ON_TRACK);
  /* 4. on_track: the newest update at most report_days old (the bound included). */
  assert_int_equal(status(&fixed, day("2026-01-01"), false, "2026-04-03", &why), PLAN_ON_TRACK);
  assert_string_equal(why, "Có báo cáo tiến độ trong thời hạn báo cáo.");
  /* 5. not_started: no update yet, started at most report_days ago. */
  assert_int_equal(status(&fixed, -1, false, "2025-08-01", &why), PLAN_NOT_STARTED);
  assert_int_equal(status(&fixed, -1, false, "2025-11-01", &why), PLAN_NOT_STARTED);
  assert_string_equal(why, "Đã đến thời gian thực hiện nhưng chưa có báo cáo tiến độ.");
  /* 6. late: no report for more than report_days (none at all, or the newest too old). */
  assert_int_equal(status(&fixed, -1, false, "2025-11-02", &why), PLAN_LATE);
  assert_string_equal(why, "Đã quá thời hạn báo cáo mà chưa có báo cáo tiến độ nào.");
  assert_int_equal(status(&fixed, day("2026-01-01"), false, "2026-04-04", &why), PLAN_LATE);
  assert_string_equal(why, "Quá hạn báo cáo tiến độ: đã lâu không có báo cáo mới.");
  /* An open-ended task is never late for its end. */
  assert_int_equal(status(&yearly, day("2030-01-01"), false, "2030-02-01", &why), PLAN_ON_TRACK);
  /* Codes and labels. */
  assert_string_equal(plan_status_code(PLAN_NOT_STARTED), "not_started");
  assert_string_equal(plan_status_code(PLAN_ON_TRACK), "on_track");
  assert_string_equal(plan_status_code(PLAN_LATE), "late");
  assert_string_equal(plan_status_code(PLAN_DONE), "done");
  assert_string_equal(plan_status_label(PLAN_LATE), "Chậm tiến độ");
  /* Days: the ward's calendar is UTC+7 (17:00 UTC is already the next day there). */
  int64_t e = 0;
  assert_true(clock_parse_iso("2026-03-01T16:59:59Z", &e));
  assert_int_equal(plan_day_of(e), day("2026-03-01"));
  assert_int_equal(plan_day_of(e + 1), day("2026-03-02"));
  assert_int_equal(plan_day_parse("2026-3-1"), -1);
  assert_int_equal(plan_day_parse(NULL), -1);
  assert_int_equal(plan_day_parse("hôm nay"), -1);
}

/* ---- types from the bytes ---- */
static const unsigned char PDF[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
static const unsigned char PNG[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
static const unsigned char JPG[] = "\xff\xd8\xff\xe0\0\x10JFIF\0";
static const unsigned char WEBP[] = "RIFF\x24\0\0\0WEBPVP8 ";
static const unsigned char HTML[] = "<!doctype html><script>";

static void test_types(void **state) {
  (void)state;
  const char *ext = NULL, *t = NULL;
  app_err e = {0};
  assert_string_equal(attachments_sniff(PDF, sizeof PDF - 1, &ext), "application/pdf");
  assert_string_equal(ext, "pdf");
  assert_string_equal(attachments_sniff(PNG, sizeof PNG - 1, NULL), "image/png");
  assert_string_equal(attachments_sniff(JPG, sizeof JPG - 1, NULL), "image/jpeg");
  assert_string_equal(attachments_sniff(WEBP, sizeof WEBP - 1, NULL), "image/webp");
  assert_null(attachments_sniff(HTML, sizeof HTML - 1, NULL));
  assert_null(attachments_sniff(PDF, 3, NULL)); /* too short to tell */
  /* What the name and the type claim must agree with the bytes; nothing claimed is fine. */
  struct {
    const char *name, *claimed;
    const unsigned char *bytes;
    size_t n;
    const char *type; /* NULL: refused */
  } cases[] = {
      {"bao-cao.pdf", "application/pdf", PDF, sizeof PDF - 1, "application/pdf"},
      {"BAO-CAO.PDF", "application/pdf; charset=binary", PDF, sizeof PDF - 1, "application/pdf"},
      {"anh.JPEG", "image/jpg", JPG, sizeof JPG - 1, "image/jpeg"},
      {"anh", "application/octet-stream", PNG, sizeof PNG - 1, "image/png"},
      {NULL, NULL, WEBP, sizeof WEBP - 1, "image/webp"},
      {"anh.png", "", PNG, sizeof PNG - 1, "image/png"},
      {"bao-cao.pdf", "application/pdf", PNG, sizeof PNG - 1, NULL},  /* PNG bytes named and typed PDF */
      {"anh.png", NULL, PDF, sizeof PDF - 1, NULL},                   /* the name lies */
      {"anh", "image/png", JPG, sizeof JPG - 1, NULL},                /* the type lies */
      {"trang.html", NULL, PDF, sizeof PDF - 1, NULL},                /* a name of a type not taken */
      {"x.pdf", "text/html", PDF, sizeof PDF - 1, NULL},              /* a type not taken */
      {"x.pdf", "application/pdf", HTML, sizeof HTML - 1, NULL},      /* bytes of no accepted type */
      {"x.pdf.exe", NULL, PDF, sizeof PDF - 1, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    memset(&e, 0, sizeof e);
    t = NULL;
    int rc = attachments_check_type(cases[i].name, cases[i].claimed, cases[i].bytes, cases[i].n, &t, &e);
    if (cases[i].type) {
      if (rc != 0) fail_msg("case %zu refused: %s", i, e.message);
      assert_string_equal(t, cases[i].type);
    } else {
      if (rc == 0) fail_msg("case %zu kept as %s", i, t);
      assert_int_equal(e.status, 415);
      assert_string_equal(e.code, "unsupported_media_type");
      assert_string_equal(e.field, "file");
    }
  }
  /* Content-Disposition: the fallback is plain ASCII, the UTF-8 name percent-encoded. */
  char d[512];
  attachments_disposition("Báo cáo \"Q4\"; x=1.pdf", d, sizeof d);
  assert_string_equal(d, "attachment; filename=\"B_o_c_o__Q4___x_1.pdf\"; "
                         "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%22Q4%22%3B%20x%3D1.pdf");
  attachments_disposition("", d, sizeof d);
  assert_string_equal(d, "attachment; filename=\"tep\"; filename*=UTF-8''tep");
  attachments_disposition("a\r\nSet-Cookie: x", d, sizeof d);
  assert_null(strchr(d, '\r'));
  assert_null(strchr(d, '\n'));
}

/* ---- the plan the binary carries ---- */
static void test_carried_plan(void **state) {
  (void)state;
  json_error_t jerr;
  json_t *doc = json_loadb(plan_tasks_json, plan_tasks_json_len, 0, &jerr);
  assert_non_null(doc);
  json_t *tasks = json_object_get(doc, "tasks");
  assert_int_equal(json_array_size(tasks), 14);
  static const char *const codes[] = {"1.1", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4",
                                      "2.5", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6"};
  for (size_t i = 0; i < 14; i++)
    assert_string_equal(json_string_value(json_object_get(json_array_get(tasks, i), "code")), codes[i]);
  /* Against the seed, when it is beside the source tree: every lead unit as the plan writes it. */
  char path[1024];
  snprintf(path, sizeof path, "%s/../shared/seeds/ke-hoach-binh-dan-hoc-vu-so-phuong-hai-duong.txt", HOCVUSO_SOURCE_ROOT);
  FILE *f = fopen(path, "rb");
  if (f) {
    static char text[200000], flat[200000];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) { /* whitespace runs to one space, as the carried text has them */
      bool sp = text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t';
      if (sp && k && flat[k - 1] == ' ') continue;
      flat[k++] = sp ? ' ' : text[i];
    }
    flat[k] = 0;
    size_t i;
    json_t *t;
    json_array_foreach(tasks, i, t) {
      char want[600];
      snprintf(want, sizeof want, "Đơn vị chủ trì: %s", json_string_value(json_object_get(t, "lead_unit")));
      if (!strstr(flat, want)) fail_msg("task %zu: \"%s\" is not in the seed", i, want);
      snprintf(want, sizeof want, "Thời gian thực hiện: %s", json_string_value(json_object_get(t, "timeframe")));
      if (!strstr(flat, want)) fail_msg("task %zu: \"%s\" is not in the seed", i, want);
    }
  } else {
    printf("note: no seed file at %s: the carried plan checked by its codes only\n", path);
  }
  json_decref(doc);
}

/* ---- on a database ---- */
static const char MINI_PLAN[] =
    "{\"tasks\":["
    "{\"code\":\"1.1\",\"section\":\"1. A\",\"title\":\"Tuyên truyền\",\"lead_unit\":\"Văn phòng\","
    "\"coordinating_units\":[\"Các Tổ dân phố\",\"Hội Phụ nữ phường\"],\"timeframe\":\"Thường xuyên\","
    "\"schedule\":{\"starts_on\":\"2025-08-01\",\"ends_on\":null,\"recurring\":true,\"report_days\":92}},"
    "{\"code\":\"2.3\",\"section\":\"2. B\",\"title\":\"Giáo dục kỹ năng số\",\"lead_unit\":\"Các trường Tiểu học\","
    "\"coordinating_units\":[\"VĂN PHÒNG\"],\"timeframe\":\"Năm 2025 - 2026\","
    "\"schedule\":{\"starts_on\":\"2025-08-01\",\"ends_on\":\"2026-12-31\",\"recurring\":false,\"report_days\":92}}],"
    "\"units\":[{\"name\":\"Văn phòng\",\"codes\":[\"T-VP\"]},{\"name\":\"Các Tổ dân phố\",\"kinds\":[\"residential_group\"]},"
    "{\"name\":\"Hội Phụ nữ phường\"},{\"name\":\"Các trường Tiểu học\",\"kinds\":[\"school_primary\"]}]}";

static json_t *find_code(json_t *items, const char *code) {
  size_t i;
  json_t *t;
  json_array_foreach(items, i, t) if (strcmp(json_string_value(json_object_get(t, "code")), code) == 0) return t;
  return NULL;
}

static bool reach_has(const plan_reach *r, int64_t unit) {
  for (int i = 0; i < r->n; i++)
    if (r->unit_ids[i] == unit) return true;
  return false;
}

static void test_load_and_update(void **state) {
  fixture *fx = fx_of(state);
  app_err e = {0};
  char err[256] = "";
  int64_t now = clock_now();
  assert_int_equal(store_begin(fx->w), STORE_OK);
  /* The office gets the code the document names. */
  store_stmt *s;
  static const store_sql q_code = {"UPDATE units SET code = 'T-VP' WHERE id = ?", NULL};
  assert_non_null(s = store_prepare(fx->w, &q_code));
  store_bind_int(s, 1, fx->office);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  plan_load_counts n;
  if (plan_load(fx->w, MINI_PLAN, strlen(MINI_PLAN), fx->ward, now, &n, err, sizeof err) != 0) fail_msg("%s", err);
  assert_int_equal(n.tasks_new, 2);
  /* "VĂN PHÒNG" folds to the same name as "Văn phòng": 4 names, not 5. */
  assert_int_equal(n.names_new, 4);
  assert_int_equal(n.units_mapped, 1 + 2 + 1); /* the office; two tổ; the school */
  json_t *items = NULL;
  assert_int_equal(plan_tasks_list(fx->w, now, &items, &e), 0);
  assert_int_equal(json_array_size(items), 2);
  json_t *t11 = find_code(items, "1.1");
  int64_t id11 = json_integer_value(json_object_get(t11, "id"));
  int64_t id23 = json_integer_value(json_object_get(find_code(items, "2.3"), "id"));
  assert_string_equal(json_string_value(json_object_get(t11, "lead_unit")), "Văn phòng");
  assert_int_equal(json_array_size(json_object_get(t11, "coordinating_units")), 2);
  assert_true(json_is_null(json_object_get(t11, "ends_on")));
  json_decref(items);
  /* Who answers: 1.1 has the office and the two tổ; 2.3 the school and the office. */
  arena a;
  arena_init(&a);
  plan_reach r;
  assert_int_equal(plan_task_reach(fx->w, id11, &a, &r, &e), 0);
  assert_int_equal(r.ward_id, fx->ward);
  assert_int_equal(r.n, 3);
  assert_true(reach_has(&r, fx->office) && reach_has(&r, fx->tdp1) && reach_has(&r, fx->tdp2));
  assert_int_equal(plan_task_reach(fx->w, id23, &a, &r, &e), 0);
  assert_true(reach_has(&r, fx->school) && reach_has(&r, fx->office) && !reach_has(&r, fx->tdp1));
  assert_int_equal(plan_task_reach(fx->w, 999999, &a, &r, &e), -1);
  assert_int_equal(e.status, 404);
  /* An update with figures; the status follows; bad figures change nothing. */
  json_t *figs = json_loads("[{\"label\":\"Tin, bài\",\"value\":12,\"unit\":\"bài\"},{\"label\":\"Tỷ lệ\",\"value\":0.5}]", 0, NULL);
  plan_update_in in = {.unit_id = fx->tdp1, .body = "Tổ 1 đã tuyên truyền.", .figures = figs};
  int64_t uid = 0;
  assert_int_equal(plan_update_add(fx->w, id11, &in, 0, now, &uid, &e), 0);
  json_decref(figs);
  json_t *bad[] = {json_loads("[{\"label\":\"\",\"value\":1}]", 0, NULL), json_loads("[{\"label\":\"x\",\"value\":\"1\"}]", 0, NULL),
                   json_loads("[{\"label\":\"x\",\"value\":1,\"extra\":2,\"more\":3}]", 0, NULL),
                   json_loads("{\"label\":\"x\"}", 0, NULL), json_loads("[{\"label\":\"a\\u200eb\",\"value\":1}]", 0, NULL)};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    memset(&e, 0, sizeof e);
    plan_update_in b = {.unit_id = fx->tdp1, .body = "x", .figures = bad[i]};
    int64_t x = 0;
    assert_int_equal(plan_update_add(fx->w, id11, &b, 0, now, &x, &e), -1);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.field, "figures");
    json_decref(bad[i]);
  }
  plan_update_in blank = {.unit_id = fx->tdp1, .body = " \n "};
  memset(&e, 0, sizeof e);
  assert_int_equal(plan_update_add(fx->w, id11, &blank, 0, now, &uid, &e), -1);
  assert_string_equal(e.field, "body");
  json_t *got = NULL;
  assert_int_equal(plan_task_get(fx->w, id11, now, &got, &e), 0);
  assert_string_equal(json_string_value(json_object_get(got, "status")), "on_track");
  assert_int_equal(json_integer_value(json_object_get(got, "updates_count")), 1);
  json_t *u0 = json_array_get(json_object_get(got, "updates"), 0);
  assert_int_equal(json_array_size(json_object_get(u0, "figures")), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(u0, "figures"), 0), "unit")), "bài");
  json_decref(got);
  /* The map: an admin points "Hội Phụ nữ phường" at tổ 2; a unit outside the ward is refused. */
  json_t *names = NULL;
  assert_int_equal(plan_units_list(fx->w, &names, &e), 0);
  int64_t hpn = 0;
  size_t i;
  json_t *nm;
  json_array_foreach(names, i, nm) if (!strcmp(json_string_value(json_object_get(nm, "name")), "Hội Phụ nữ phường")) hpn =
      json_integer_value(json_object_get(nm, "id"));
  json_decref(names);
  assert_true(hpn > 0);
  json_t *outside = json_pack("[I]", (json_int_t)fx->city);
  memset(&e, 0, sizeof e);
  assert_int_equal(plan_units_set(fx->w, hpn, outside, 0, now, &e), -1);
  assert_int_equal(e.status, 400);
  assert_string_equal(e.field, "unit_ids");
  json_decref(outside);
  json_t *inside = json_pack("[I]", (json_int_t)fx->market);
  assert_int_equal(plan_units_set(fx->w, hpn, inside, 0, now, &e), 0);
  json_decref(inside);
  assert_int_equal(plan_task_reach(fx->w, id11, &a, &r, &e), 0);
  assert_true(reach_has(&r, fx->market));
  /* Loaded again: nothing doubled, the admin's map kept. */
  if (plan_load(fx->w, MINI_PLAN, strlen(MINI_PLAN), fx->ward, now, &n, err, sizeof err) != 0) fail_msg("%s", err);
  assert_int_equal(n.tasks_new, 0);
  assert_int_equal(n.tasks_kept, 2);
  assert_int_equal(n.names_new, 0);
  assert_int_equal(plan_task_reach(fx->w, id11, &a, &r, &e), 0);
  assert_int_equal(r.n, 4);
  assert_true(reach_has(&r, fx->market));
  /* A broken document is refused whole. */
  assert_int_equal(plan_load(fx->w, "{\"tasks\":[{\"code\":\"9.9\"}]}", 27, fx->ward, now, &n, err, sizeof err), -1);
  arena_free(&a);
  store_rollback(fx->w);
}

/* ---- files ---- */
static int write_tmp(const char *dir, const unsigned char *bytes, size_t n, size_t pad) {
  char path[256];
  snprintf(path, sizeof path, "%s/upload.XXXXXX", dir);
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  unlink(path);
  assert_int_equal(write(fd, bytes, n), (ssize_t)n);
  unsigned char z[4096] = {0};
  for (size_t left = pad; left;) {
    size_t k = left < sizeof z ? left : sizeof z;
    assert_int_equal(write(fd, z, k), (ssize_t)k);
    left -= k;
  }
  assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
  return fd;
}

static int files_in(const char *dir) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "find %s -type f | wc -l", dir);
  FILE *p = popen(cmd, "r");
  int n = -1;
  if (p) {
    if (fscanf(p, "%d", &n) != 1) n = -1;
    pclose(p);
  }
  return n;
}

static void test_files(void **state) {
  fixture *fx = fx_of(state);
  char data[128];
  snprintf(data, sizeof data, "%s/data", fx->dir[0] ? fx->dir : "/tmp");
  if (!fx->dir[0]) {
    snprintf(data, sizeof data, "/tmp/hv_test_plan_files.XXXXXX");
    assert_non_null(mkdtemp(data));
  } else {
    assert_int_equal(mkdir(data, 0700), 0);
  }
  app_err e = {0};
  attachment_file f;
  /* Too large: refused before a byte is read. */
  int fd = write_tmp(data, PDF, sizeof PDF - 1, 0);
  assert_int_equal(attachments_store_file(data, fd, ATTACH_MAX_BYTES + 1ull, "x.pdf", NULL, &f, &e), -1);
  assert_int_equal(e.status, 413);
  assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
  close(fd);
  /* Empty. */
  memset(&e, 0, sizeof e);
  assert_int_equal(attachments_store_file(data, -1, 0, "x.pdf", NULL, &f, &e), -1);
  assert_int_equal(e.status, 400);
  /* A lie: nothing is left behind. */
  memset(&e, 0, sizeof e);
  fd = write_tmp(data, PNG, sizeof PNG - 1, 100000);
  assert_int_equal(attachments_store_file(data, fd, sizeof PNG - 1 + 100000, "bao-cao.pdf", "application/pdf", &f, &e), -1);
  close(fd);
  assert_int_equal(e.status, 415);
  char adir[256];
  snprintf(adir, sizeof adir, "%s/" ATTACH_DIR, data);
  assert_int_equal(files_in(adir), 0);
  /* A good one: named by its SHA-256, stored once however often it comes. */
  fd = write_tmp(data, PDF, sizeof PDF - 1, 70000);
  memset(&e, 0, sizeof e);
  assert_int_equal(attachments_store_file(data, fd, sizeof PDF - 1 + 70000, "a.pdf", NULL, &f, &e), 0);
  assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
  attachment_file g;
  assert_int_equal(attachments_store_file(data, fd, sizeof PDF - 1 + 70000, "b.pdf", NULL, &g, &e), 0);
  close(fd);
  assert_string_equal(f.sha256, g.sha256);
  assert_string_equal(f.type, "application/pdf");
  assert_int_equal(f.size, sizeof PDF - 1 + 70000);
  assert_int_equal(files_in(adir), 1);
  /* The same bytes hashed here. */
  unsigned char *all = calloc(1, sizeof PDF - 1 + 70000), dg[crypto_hash_sha256_BYTES];
  memcpy(all, PDF, sizeof PDF - 1);
  crypto_hash_sha256(dg, all, sizeof PDF - 1 + 70000);
  free(all);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, dg, sizeof dg);
  assert_string_equal(f.sha256, hex);
  /* Its row, read back and opened; the backup copies the file. */
  int64_t id = 0;
  assert_int_equal(store_begin(fx->w), STORE_OK);
  assert_int_equal(attachments_insert(fx->w, &f, "../../etc/Báo cáo\x01.pdf", ATTACH_OWNER_SCHOOL, fx->school, 0, clock_now(), &id, &e), 0);
  attachment_open o;
  assert_int_equal(attachments_open(fx->w, data, id, &o, &e), 0);
  assert_string_equal(o.filename, "Báo cáo.pdf");
  assert_string_equal(o.type, "application/pdf");
  assert_int_equal(o.size, f.size);
  close(o.fd);
  arena a;
  arena_init(&a);
  attachment_reach ar;
  assert_int_equal(attachments_reach(fx->w, id, &a, &ar, &e), 0);
  assert_string_equal(ar.owner_kind, ATTACH_OWNER_SCHOOL);
  assert_int_equal(ar.owner_id, fx->school);
  assert_int_equal(attachments_reach(fx->w, id + 1000, &a, &ar, &e), -1);
  assert_int_equal(e.status, 404);
  arena_free(&a);
  store_rollback(fx->w);
  char bk[256];
  snprintf(bk, sizeof bk, "%s/backup.attachments", data);
  int copied = -1;
  char err[256];
  assert_int_equal(attachments_backup(data, bk, &copied, err, sizeof err), 0);
  assert_int_equal(copied, 1);
  assert_int_equal(attachments_backup(data, bk, &copied, err, sizeof err), 0);
  assert_int_equal(copied, 0); /* kept, not written again */
  char kept[400];
  snprintf(kept, sizeof kept, "%s/%.2s/%s", bk, f.sha256, f.sha256);
  struct stat st;
  assert_int_equal(stat(kept, &st), 0);
  assert_int_equal((uint64_t)st.st_size, f.size);
  nftw(data, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_status_rule),
      cmocka_unit_test(test_types),
      cmocka_unit_test(test_carried_plan),
  };
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {
      T(test_load_and_update),
      T(test_files),
  };
#undef T
  int failed = cmocka_run_group_tests_name("plan_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("plan_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("plan_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

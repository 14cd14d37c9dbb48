/* test_import.c: the list import engine (importer.c, people_bulk.c, jobs.c) on SQLite and, when
 * HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database, on PostgreSQL in a schema of its own:
 * tổ dân phố names and roles as lists write them, row validation with file lines and reasons,
 * household grouping (by code, by folded address, per tổ), idempotency, resuming after the last
 * committed line. Synthetic people only.
 */
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h> /* after the headers it relies on (stdarg, stddef, setjmp) */

#include <jansson.h>
#include <sodium.h>
#include <xlsxwriter.h>

#include "domain/importer.h"
#include "domain/jobs.h"
#include "domain/people_bulk.h"
#include "domain/units.h"
#include "util/clock.h"
#include "store/migrations.h"
#include "store/store.h"

typedef struct fixture {
  store_kind kind;
  store *st;
  char dir[64];
  char target[512];
  secrets keys;
  int64_t ward, tdp1, tdp2, tdp3, school, market;
  int files;
} fixture;

static fixture fx_sqlite = {.kind = STORE_SQLITE};
static fixture fx_pg = {.kind = STORE_PG};

#define PG_TEST_SCHEMA "hv_test_import"

/* Assertions only: what the import wrote. */
STORE_SQL(q_households, "SELECT COUNT(DISTINCT household_id), COUNT(*) FROM people WHERE unit_id = ?"
                        " AND household_id IS NOT NULL");
STORE_SQL(q_same_household, "SELECT COUNT(DISTINCT household_id) FROM people WHERE name_key LIKE ?");
STORE_SQL(q_people_like, "SELECT COUNT(*) FROM people WHERE name_key LIKE ?");
STORE_SQL(q_unit_terms, "SELECT COUNT(*) FROM person_words w JOIN people p ON p.id = w.person_id WHERE p.unit_id = ?");
STORE_SQL(q_key_terms, "SELECT COUNT(*) FROM person_words WHERE name_key = ?");
STORE_SQL(q_staged, "SELECT COUNT(*) FROM import_terms WHERE job_id = ?");
STORE_SQL(q_unit_people, "SELECT COUNT(*) FROM people WHERE unit_id = ? AND deleted_at IS NULL");
/* What people.c does when an officer deletes or renames a record: its terms go (a rename writes
 * the new name's terms, which this test leaves out: it counts the old name's). */
STORE_SQL(q_soft_delete, "UPDATE people SET deleted_at = 1 WHERE name_key = ?");
STORE_SQL(q_rename, "UPDATE people SET name_key = 'doi ten moi', full_name = 'Đổi Tên Mới' WHERE name_key = ?");
STORE_SQL(q_drop_terms, "DELETE FROM person_words WHERE person_id IN (SELECT id FROM people WHERE name_key = ?)");
/* A term already written, as by a merge cut short before the job resumes. */
STORE_SQL(q_one_term, "INSERT INTO person_words (word, name_key, person_id) SELECT 'giap', name_key, id FROM people"
                      " WHERE name_key = ?");
STORE_SQL(q_members, "SELECT COUNT(*) FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.name_key LIKE ?"
                     " AND m.kind = ?");
STORE_SQL(q_grade, "SELECT m.grade FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.name_key LIKE ?"
                   " AND m.kind = ?");

/* Staged rows as a job staged before one row a person left them (one row a term), and a term
 * staged twice: for the job that was created last. */
STORE_SQL(q_unstage_key, "DELETE FROM import_terms WHERE name_key = ?");
STORE_SQL(q_legacy_terms, "INSERT INTO import_terms (job_id, word, name_key, person_id)"
                          " SELECT (SELECT MAX(id) FROM import_jobs), t.w, p.name_key, p.id FROM people p"
                          " CROSS JOIN (SELECT 'thi' AS w UNION ALL SELECT '~ly thi' AS w) t WHERE p.name_key = ?");
STORE_SQL(q_dup_term, "INSERT INTO import_terms (job_id, word, name_key, person_id)"
                      " SELECT (SELECT MAX(id) FROM import_jobs), 'ly', name_key, id FROM people WHERE name_key = ?");
STORE_SQL(q_word_key, "SELECT COUNT(*) FROM person_words WHERE name_key = ? AND word = ?");

/* Jobs with owners of the test's making (jobs.h, "Who runs it"). */
/* test_bulk_marks: the row triggers' effects, made once for a chunk's set (people_bulk.c) */
STORE_SQL(q_insert_triggers, "SELECT COUNT(*), COALESCE(group_concat(name, ' '), '') FROM (SELECT name FROM sqlite_master"
                             " WHERE type = 'trigger' AND tbl_name IN ('people', 'memberships', 'households')"
                             " AND upper(sql) LIKE '% INSERT ON %' AND ? <> '' ORDER BY name)"); /* BEFORE or AFTER */
STORE_SQL(q_unmark_all, "DELETE FROM ind_dirty WHERE person_id > 0 OR person_id <= 0 OR ? = ''");
STORE_SQL(q_unmark_all_hh, "DELETE FROM ind_dirty_hh WHERE household_id > 0 OR household_id <= 0 OR ? = ''");
STORE_SQL(q_max_ids, "SELECT COALESCE((SELECT MAX(id) FROM people), 0), COALESCE((SELECT MAX(id) FROM households), 0)"
                     " WHERE ? <> ''");
/* marked, and the new people (hhs: households of the new people or new) not marked */
STORE_SQL(q_marked, "SELECT (SELECT COUNT(*) FROM ind_dirty), (SELECT COUNT(*) FROM people WHERE id > ? AND id NOT IN"
                    " (SELECT person_id FROM ind_dirty)), (SELECT COUNT(*) FROM ind_dirty_hh)");
STORE_SQL(q_hh_marked, "SELECT COUNT(*), SUM(CASE WHEN h IN (SELECT household_id FROM ind_dirty_hh) THEN 0 ELSE 1 END)"
                       " FROM (SELECT household_id AS h FROM people WHERE id > ? AND household_id IS NOT NULL"
                       " UNION SELECT id FROM households WHERE id > ?) x");
STORE_SQL(q_members_of_new, "SELECT COUNT(*) FROM memberships WHERE person_id > ?");
/* SQLite's live counts: units whose stored count is not a count of their live people */
STORE_SQL(q_live_wrong, "SELECT COUNT(*) FROM (SELECT u.id, COALESCE(c.live, 0) AS live, (SELECT COUNT(*) FROM people p"
                        " WHERE p.unit_id = u.id AND p.deleted_at IS NULL) AS n FROM units u LEFT JOIN unit_people c"
                        " ON c.unit_id = u.id) x WHERE live <> n AND ? <> ''");
STORE_SQL(q_unit_rev, "SELECT COALESCE((SELECT rev FROM unit_people WHERE unit_id = ?), 0)");
STORE_SQL(q_jobs_settle, "UPDATE import_jobs SET status = 'done' WHERE status IN ('running', 'queued')");
STORE_SQL(q_job_owner, "UPDATE import_jobs SET status = ?, owner_host = ?, owner_pid = ?, owner_start = ?,"
                       " lease_until = ? WHERE id = ?");
STORE_SQL(q_job_owned, "SELECT owner_host, owner_pid, owner_start, lease_until FROM import_jobs WHERE id = ?");

static fixture *fx_of(void **state) {
  fixture *fx = *state;
  if (!fx || !fx->st) skip();
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

static int common_setup(fixture *fx) {
  char err[512] = "";
  randombytes_buf(&fx->keys, sizeof fx->keys);
  if (store_migrate(fx->st, hocvuso_migrations, err, sizeof err) < 1) {
    fprintf(stderr, "store_migrate: %s\n", err);
    return -1;
  }
  store_conn *w = store_acquire(fx->st, true);
  if (!w) return -1;
  int64_t city;
  int rc = unit(w, 0, "city", "Thành phố Thử", &city) || unit(w, city, "ward", "Phường Thử", &fx->ward) ||
           unit(w, fx->ward, "residential_group", "Tổ dân phố số 1", &fx->tdp1) ||
           unit(w, fx->ward, "residential_group", "Tổ dân phố số 2", &fx->tdp2) ||
           unit(w, fx->ward, "residential_group", "Tổ dân phố số 10", &fx->tdp3) ||
           unit(w, fx->ward, "school_primary", "Trường Tiểu học Thử", &fx->school) ||
           unit(w, fx->ward, "market", "Chợ Thử", &fx->market);
  store_release(w);
  return rc ? -1 : 0;
}

static int setup_sqlite(void **state) {
  fixture *fx = &fx_sqlite;
  char err[256] = "";
  *state = fx;
  snprintf(fx->dir, sizeof fx->dir, "/tmp/hv_test_import.XXXXXX");
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
  snprintf(fx->dir, sizeof fx->dir, "/tmp/hv_test_import_pg.XXXXXX");
  if (!mkdtemp(fx->dir)) return -1;
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
  store_close(fx_pg.st);
  fx_pg.st = NULL;
  if (fx_pg.dir[0]) nftw(fx_pg.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return 0;
}

/* Writes `text` to a new file of the fixture's directory; the path in out. */
static void write_file(fixture *fx, const char *text, char out[128]) {
  snprintf(out, 128, "%.63s/f%d.csv", fx->dir, ++fx->files);
  FILE *f = fopen(out, "wb");
  assert_non_null(f);
  assert_int_equal(fputs(text, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);
}

/* Makes a job for `path` as the operator (committed up to `committed_line`), runs it, reads it. */
static void run_job(fixture *fx, const char *path, int64_t committed_line, import_job *out, json_t **errors) {
  import_job j = {.scope_all = true};
  snprintf(j.kind, sizeof j.kind, "residents");
  snprintf(j.status, sizeof j.status, "running");
  snprintf(j.file_path, sizeof j.file_path, "%s", path);
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(store_begin(w), STORE_OK);
  assert_int_equal(jobs_create(w, &j), 0);
  import_counts none = {0};
  if (committed_line > 1) assert_int_equal(jobs_progress(w, j.id, committed_line, &none), 0);
  assert_int_equal(store_commit(w), STORE_OK);
  store_release(w);
  char err[512] = "";
  int rc = importer_run(fx->st, &fx->keys, j.id, NULL, err, sizeof err);
  if (rc != 0) fprintf(stderr, "importer_run: %s\n", err);
  assert_int_equal(rc, 0);
  store_conn *c = store_acquire(fx->st, false);
  assert_non_null(c);
  assert_int_equal(jobs_get(c, j.id, out), 1);
  assert_int_equal(jobs_errors_json(c, j.id, 0, errors), 0);
  store_release(c);
}

static int64_t scalar(fixture *fx, const store_sql *q, const char *text, int64_t id, const char *text2, int col) {
  store_conn *c = store_acquire(fx->st, false);
  assert_non_null(c);
  store_stmt *s = store_prepare(c, q);
  assert_non_null(s);
  if (text) store_bind_text(s, 1, text); else store_bind_int(s, 1, id);
  if (text2) store_bind_text(s, 2, text2);
  assert_int_equal(store_step(s), STORE_ROW);
  int64_t v = store_col_int(s, col);
  store_reset(s);
  store_release(c);
  return v;
}

/* The reason given for `line`, or NULL. */
static const char *reason_of(json_t *errors, long line) {
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e) if (json_integer_value(json_object_get(e, "line")) == line)
      return json_string_value(json_object_get(e, "reason"));
  return NULL;
}

#define HEADER "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Tổ dân phố,Địa chỉ,Mã hộ,Quan hệ với chủ hộ\r\n"

/* ---- pure ---- */
static void test_group_keys(void **state) {
  (void)state;
  const char *same[] = {"Tổ dân phố số 3", "TDP 3", "Tổ 3", "to dan pho 03", "TỔ DÂN PHỐ SỐ 3", "Tổ dân phố 3", "tdp số 3"};
  char *want = importer_group_key(same[0]);
  assert_string_equal(want, "to dan pho 3");
  for (size_t i = 1; i < sizeof same / sizeof same[0]; i++) {
    char *k = importer_group_key(same[i]);
    assert_non_null(k);
    if (strcmp(k, want) != 0) fail_msg("%s → %s, want %s", same[i], k, want);
    free(k);
  }
  char *ten = importer_group_key("Tổ dân phố số 30");
  assert_string_not_equal(ten, want);
  free(ten);
  free(want);
}

static void test_roles(void **state) {
  (void)state;
  assert_string_equal(importer_role_kind("Cán bộ, công chức"), "staff");
  assert_string_equal(importer_role_kind("Viên chức"), "staff");
  assert_string_equal(importer_role_kind("giáo viên"), "staff");
  assert_string_equal(importer_role_kind("Học sinh"), "student");
  assert_string_equal(importer_role_kind("Công nhân"), "worker");
  assert_string_equal(importer_role_kind("Người lao động"), "worker");
  assert_string_equal(importer_role_kind("Tiểu thương"), "trader");
  assert_null(importer_role_kind("Bác sĩ"));
  assert_null(importer_role_kind(""));
}

/* ---- with a database ---- */
static void test_rows(void **state) {
  fixture *fx = fx_of(state);
  char path[128];
  write_file(fx,
             HEADER
             "1,Đinh Văn Tốt,15/03/1985,Nam,030085123456,0912 345 678,Tổ dân phố số 1,Số 1,,\r\n"
             "2,Đinh Thị Năm Chín9,1985,Nữ,,,Tổ dân phố số 1,,,\r\n"    /* a digit in the name */
             "3,Đinh Văn Ngày,31/02/1985,Nam,,,Tổ dân phố số 1,,,\r\n"  /* no such day */
             "4,Đinh Văn Mai,01/01/2999,Nam,,,Tổ dân phố số 1,,,\r\n"   /* future */
             "5,Đinh Thị Giới,1985,Khác,,,Tổ dân phố số 1,,,\r\n"       /* sex */
             "6,Đinh Văn Số,1985,Nam,03008512345,,Tổ dân phố số 1,,,\r\n" /* 11 digits */
             "7,Đinh Văn Kỷ,2001,Nam,030001123457,,Tổ dân phố số 1,,,\r\n" /* century digit 0 for 2001 */
             "8,Đinh Thị Nam,1985,Nữ,030085123458,,Tổ dân phố số 1,,,\r\n" /* sex digit 0: male */
             "9,Đinh Văn Thoại,1985,Nam,,12345,Tổ dân phố số 1,,,\r\n"   /* phone */
             "10,Đinh Văn Tổ,1985,Nam,,,Tổ dân phố số 99,,,\r\n"          /* no such tổ */
             "11,,1985,Nam,,,Tổ dân phố số 1,,,\r\n"                       /* no name */
             "12,Đinh Văn Trùng,1985,Nam,030085123456,,Tổ dân phố số 1,,,\r\n" /* CCCD of line 2 */
             "13,Đinh Văn Không Tổ,1985,Nam,,,,,,\r\n"                       /* no tổ, no workplace */
             "14,Đinh Văn Mã,1985,Nam,,,Tổ dân phố số 1,,mã hộ có dấu,\r\n"  /* household code */
             "15,\"Đinh Văn\r\nHai Dòng\",1985,Nam,999085123459,,TDP 1,,,\r\n", /* unknown province: a warning */
             path);
  import_job j;
  json_t *errors = NULL;
  run_job(fx, path, 1, &j, &errors);
  assert_string_equal(j.status, "done");
  assert_int_equal(j.imported, 2);
  assert_int_equal(j.rejected, 13);
  assert_int_equal(j.rows_done, 15);
  struct {
    long line;
    const char *part;
  } want[] = {{3, "Họ và tên"}, {4, "Ngày sinh"},    {5, "tương lai"}, {6, "Giới tính"},   {7, "12 chữ số"},
              {8, "thế kỷ"},    {9, "giới tính"},    {10, "điện thoại"}, {11, "Không tìm thấy tổ dân phố"},
              {12, "Thiếu họ và tên"}, {13, "trùng với dòng 2"}, {14, "Thiếu tổ dân phố"}, {15, "Mã hộ"}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const char *r = reason_of(errors, want[i].line);
    if (!r || !strstr(r, want[i].part)) fail_msg("line %ld: \"%s\", want \"%s\"", want[i].line, r ? r : "(none)", want[i].part);
    if (strstr(r, "030085123456")) fail_msg("line %ld: the reason repeats a CCCD", want[i].line);
  }
  assert_null(reason_of(errors, 16)); /* the multi-line row, starting on line 16, is imported */
  json_decref(errors);
  import_job_clear(&j);
}

static void test_households(void **state) {
  fixture *fx = fx_of(state);
  char path[128];
  write_file(fx,
             HEADER
             "1,Hồ Văn Chủ,1960,Nam,,,Tổ dân phố số 2,\"Số 5, ngõ 3\",,Chủ hộ\r\n"
             "2,Hồ Thị Vợ,1962,Nữ,,,TDP 2,\"SỐ 5,  NGÕ 3\",,Vợ\r\n"   /* same folded address, same tổ */
             "3,Hồ Văn Khác,1970,Nam,,,Tổ dân phố số 10,\"Số 5, ngõ 3\",,Chủ hộ\r\n" /* another tổ */
             "4,Hồ Văn Mã,1950,Nam,,,Tổ dân phố số 2,Số 9,HGD-7,Chủ hộ\r\n"
             "5,Hồ Thị Mã,1952,Nữ,,,Tổ dân phố số 2,Số 9 (ghi khác),HGD-7,Vợ\r\n" /* the code wins */
             "6,Hồ Văn Con,2010,Nam,,,Tổ dân phố số 2,Số 9,,Con\r\n",  /* no code: a household by address */
             path);
  import_job j;
  json_t *errors = NULL;
  run_job(fx, path, 1, &j, &errors);
  assert_int_equal(j.imported, 6);
  assert_int_equal(j.rejected, 0);
  json_decref(errors);
  import_job_clear(&j);
  assert_int_equal(scalar(fx, &q_same_household, "ho van chu", 0, NULL, 0) +
                       scalar(fx, &q_same_household, "ho thi vo", 0, NULL, 0), 2);
  /* tổ 2: the address household (2 people), the coded one (2), the address "Số 9" one (1) */
  assert_int_equal(scalar(fx, &q_households, NULL, fx->tdp2, NULL, 0), 3);
  assert_int_equal(scalar(fx, &q_households, NULL, fx->tdp2, NULL, 1), 5);
  assert_int_equal(scalar(fx, &q_households, NULL, fx->tdp3, NULL, 0), 1);
  /* Again: nothing changes, no household is added. */
  run_job(fx, path, 1, &j, &errors);
  assert_int_equal(j.imported, 0);
  assert_int_equal(j.unchanged, 6);
  assert_int_equal(scalar(fx, &q_households, NULL, fx->tdp2, NULL, 0), 3);
  json_decref(errors);
  import_job_clear(&j);
}

/* A chunk's new people, households and memberships are written with SQLite's row triggers off and
 * their effects made once for the set (people_bulk_insert_new): the same marks for the live
 * indicators, the live counts a count of the live people, the units' revisions moved. */
static void test_bulk_marks(void **state) {
  fixture *fx = fx_of(state);
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  store_stmt *s = store_prepare(w, &q_unmark_all);
  assert_non_null(s);
  store_bind_text(s, 1, "x");
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  s = store_prepare(w, &q_unmark_all_hh);
  assert_non_null(s);
  store_bind_text(s, 1, "x");
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  store_release(w);
  int64_t people_before = scalar(fx, &q_max_ids, "x", 0, NULL, 0), hh_before = scalar(fx, &q_max_ids, "x", 0, NULL, 1);
  int64_t rev1 = 0, rev3 = 0;
  if (fx->kind == STORE_SQLITE) {
    /* the INSERT triggers the bulk path makes the effects of, and no other: a new one must be
     * made there too (people_bulk.c, "the row triggers' work, once for a set") */
    assert_int_equal(scalar(fx, &q_insert_triggers, "x", 0, NULL, 0), 5);
    store_conn *c = store_acquire(fx->st, false);
    assert_non_null(c);
    s = store_prepare(c, &q_insert_triggers);
    assert_non_null(s);
    store_bind_text(s, 1, "x");
    assert_int_equal(store_step(s), STORE_ROW);
    assert_string_equal(store_col_text(s, 1),
                        "ind_households_in ind_memberships_in ind_people_in unit_people_insert unit_people_membership_in");
    store_reset(s);
    store_release(c);
    rev1 = scalar(fx, &q_unit_rev, NULL, fx->tdp1, NULL, 0);
    rev3 = scalar(fx, &q_unit_rev, NULL, fx->tdp3, NULL, 0);
  }
  char path[128];
  write_file(fx,
             "Họ và tên,Ngày sinh,Giới tính,Tổ dân phố,Địa chỉ,Nơi làm việc/học tập,Vai trò,Lớp\r\n"
             "Kiều Văn Một,1975,Nam,Tổ dân phố số 1,Số 1 phố Dấu,Chợ Thử,Tiểu thương,\r\n"
             "Kiều Thị Hai,2016,Nữ,Tổ dân phố số 1,Số 1 phố Dấu,Trường Tiểu học Thử,Học sinh,4\r\n"
             "Kiều Văn Ba,1990,Nam,Tổ dân phố số 10,Số 3 phố Dấu,,,\r\n"
             "Kiều Văn Bốn,1981,Nam,,,Trường Tiểu học Thử,Giáo viên,\r\n" /* lives elsewhere: no household */
             "Kiều Thị Năm,1992,Nữ,Tổ dân phố số 10,,,,\r\n",             /* no address: no household */
             path);
  import_job j;
  json_t *errors = NULL;
  run_job(fx, path, 1, &j, &errors);
  assert_int_equal(j.imported, 5);
  assert_int_equal(j.rejected, 0);
  json_decref(errors);
  import_job_clear(&j);
  /* every new person marked, and only they (the marks were cleared before) */
  assert_int_equal(scalar(fx, &q_marked, NULL, people_before, NULL, 0), 5);
  assert_int_equal(scalar(fx, &q_marked, NULL, people_before, NULL, 1), 0);
  /* the two new households, marked as theirs and as new */
  assert_int_equal(scalar(fx, &q_hh_marked, NULL, people_before, NULL, 0), 2);
  assert_int_equal(scalar(fx, &q_hh_marked, NULL, people_before, NULL, 1), 0);
  assert_int_equal(scalar(fx, &q_marked, NULL, people_before, NULL, 2), 2);
  assert_int_equal(scalar(fx, &q_members_of_new, NULL, people_before, NULL, 0), 3);
  (void)hh_before;
  if (fx->kind == STORE_SQLITE) {
    assert_int_equal(scalar(fx, &q_live_wrong, "x", 0, NULL, 0), 0);
    assert_true(scalar(fx, &q_unit_rev, NULL, fx->tdp1, NULL, 0) > rev1);
    assert_true(scalar(fx, &q_unit_rev, NULL, fx->tdp3, NULL, 0) > rev3);
    /* and the writer's triggers are on again: a person added by hand counts */
    store_conn *c = store_acquire(fx->st, true);
    assert_non_null(c);
    assert_int_equal(store_exec(c, "INSERT INTO people (full_name, name_key, unit_id, created_at, updated_at)"
                                   " VALUES ('Kiều Văn Sáu', 'kieu van sau', (SELECT MIN(unit_id) FROM unit_people), 1, 1)"),
                     STORE_OK);
    store_release(c);
    assert_int_equal(scalar(fx, &q_live_wrong, "x", 0, NULL, 0), 0);
    assert_int_equal(scalar(fx, &q_marked, NULL, people_before, NULL, 1), 0);
  }
}

/* A chunk the database refuses with the triggers off (its new people in one bulk insert) is written
 * again row by row under savepoints (importer.c write_chunk, "careful"), with the triggers on: the
 * row it refuses is rejected, the others marked and counted once, and the writer's triggers are
 * on afterwards. The refusal: a unique index on phones made for the test. */
static void test_bulk_marks_careful(void **state) {
  fixture *fx = fx_of(state);
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(store_exec(w, "CREATE UNIQUE INDEX hv_test_phone ON people(phone)"), STORE_OK);
  store_stmt *s = store_prepare(w, &q_unmark_all);
  assert_non_null(s);
  store_bind_text(s, 1, "x");
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  s = store_prepare(w, &q_unmark_all_hh);
  assert_non_null(s);
  store_bind_text(s, 1, "x");
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  store_release(w);
  int64_t people_before = scalar(fx, &q_max_ids, "x", 0, NULL, 0);
  char path[128];
  write_file(fx,
             "Họ và tên,Ngày sinh,Số điện thoại,Tổ dân phố,Địa chỉ,Nơi làm việc/học tập,Vai trò\r\n"
             "Âu Văn Một,1970,0912000111,Tổ dân phố số 2,Số 9 phố Cẩn,Chợ Thử,Tiểu thương\r\n"
             "Âu Thị Hai,1972,0912000111,Tổ dân phố số 2,Số 9 phố Cẩn,,\r\n" /* the same phone: refused */
             "Âu Văn Ba,1995,,Tổ dân phố số 2,Số 9 phố Cẩn,,\r\n",
             path);
  import_job j;
  json_t *errors = NULL;
  run_job(fx, path, 1, &j, &errors);
  w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(store_exec(w, "DROP INDEX hv_test_phone"), STORE_OK);
  store_release(w);
  assert_int_equal(j.imported, 2);
  assert_int_equal(j.rejected, 1);
  const char *why = reason_of(errors, 3);
  assert_non_null(why);
  assert_non_null(strstr(why, "Cơ sở dữ liệu không nhận dòng này")); /* the careful path's */
  json_decref(errors);
  import_job_clear(&j);
  assert_int_equal(scalar(fx, &q_marked, NULL, people_before, NULL, 0), 2);
  assert_int_equal(scalar(fx, &q_marked, NULL, people_before, NULL, 1), 0);
  assert_int_equal(scalar(fx, &q_hh_marked, NULL, people_before, NULL, 0), 1);
  assert_int_equal(scalar(fx, &q_hh_marked, NULL, people_before, NULL, 1), 0);
  assert_int_equal(scalar(fx, &q_members_of_new, NULL, people_before, NULL, 0), 1);
  if (fx->kind == STORE_SQLITE) {
    assert_int_equal(scalar(fx, &q_live_wrong, "x", 0, NULL, 0), 0);
    /* the writer's triggers on: a person added by hand is counted and marked */
    int64_t after = scalar(fx, &q_max_ids, "x", 0, NULL, 0);
    store_conn *c = store_acquire(fx->st, true);
    assert_non_null(c);
    assert_int_equal(store_exec(c, "INSERT INTO people (full_name, name_key, unit_id, created_at, updated_at)"
                                   " VALUES ('Âu Văn Bốn', 'au van bon', (SELECT MIN(unit_id) FROM unit_people), 1, 1)"),
                     STORE_OK);
    store_release(c);
    assert_int_equal(scalar(fx, &q_live_wrong, "x", 0, NULL, 0), 0);
    assert_int_equal(scalar(fx, &q_marked, NULL, after, NULL, 1), 0);
  }
}

/* test_unstage_beside_another_process: a job's staged rows, and another process's (its own store:
 * on SQLite a `hocvuso import residents` beside the server) */
STORE_SQL(q_stage_row, "INSERT INTO import_terms (job_id, word, name_key, person_id) VALUES (?, '', 'nguoi khac', 1)");
STORE_SQL(q_unstage_job, "DELETE FROM import_terms WHERE job_id = ?");

typedef struct other_stager {
  const char *target;
  int64_t job_id;
  atomic_int phase; /* 1: its row staged, not committed; 2: committed; -1: failed */
} other_stager;

/* Another process's chunk: stages a row in a transaction it keeps open 300 ms. */
static void *other_stager_main(void *arg) {
  other_stager *o = arg;
  char err[256] = "";
  store *st = store_open(o->target, 1, err, sizeof err);
  store_conn *w = st ? store_acquire(st, true) : NULL;
  store_stmt *s = NULL;
  bool ok = w && store_begin(w) == STORE_OK && (s = store_prepare(w, &q_stage_row)) != NULL;
  if (ok) {
    store_bind_int(s, 1, o->job_id);
    ok = store_step(s) == STORE_DONE;
    store_reset(s);
  }
  atomic_store(&o->phase, ok ? 1 : -1);
  if (ok) {
    usleep(300 * 1000);
    ok = store_commit(w) == STORE_OK;
  }
  if (w) store_release(w);
  if (st) store_close(st);
  atomic_store(&o->phase, ok ? 2 : -1);
  return NULL;
}

static void stage_one(fixture *fx, const store_sql *q, int64_t job_id) {
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  store_stmt *s = store_prepare(w, q);
  assert_non_null(s);
  store_bind_int(s, 1, job_id);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  store_release(w);
}

/* A job's staged rows go (people_bulk_unstage) and never another job's, even one that another
 * process is staging at that moment: the check for other jobs' rows and the DELETE that empties
 * the table whole when there are none must see the same rows (one transaction), or the other
 * process's chunk committed between them is deleted with the job's, and its people are never
 * found by name. */
static void test_unstage_beside_another_process(void **state) {
  fixture *fx = fx_of(state);
  const int64_t mine = 990001, theirs = 990002;
  stage_one(fx, &q_stage_row, mine);
  other_stager o = {.target = fx->target, .job_id = theirs};
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, other_stager_main, &o), 0);
  while (atomic_load(&o.phase) == 0) usleep(1000);
  assert_int_equal(atomic_load(&o.phase), 1);
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  int64_t gone = 0, n;
  while ((n = people_bulk_unstage(w, mine, 1000)) > 0) gone += n;
  assert_int_equal(n, 0);
  store_release(w);
  pthread_join(th, NULL);
  assert_int_equal(atomic_load(&o.phase), 2);
  assert_int_equal(gone, 1);
  assert_int_equal(scalar(fx, &q_staged, NULL, mine, NULL, 0), 0);
  assert_int_equal(scalar(fx, &q_staged, NULL, theirs, NULL, 0), 1);
  stage_one(fx, &q_unstage_job, theirs);
}

static void test_idempotent_resume_memberships(void **state) {
  fixture *fx = fx_of(state);
  char path[128];
  write_file(fx,
             "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Tổ dân phố,Nơi làm việc/học tập,Vai trò,Lớp\r\n"
             "Lương Văn Một,1985,Nam,030085654321,Tổ dân phố số 1,Chợ Thử,Tiểu thương,\r\n"
             "Lương Thị Hai,2015,Nữ,,Tổ dân phố số 1,Trường Tiểu học Thử,Học sinh,5\r\n"
             "Lương Văn Ba,1980,Nam,,,Trường Tiểu học Thử,Giáo viên,\r\n"  /* lives elsewhere */
             "Lương Văn Bốn,2014,Nam,,Tổ dân phố số 1,Trường Tiểu học Thử,Học sinh,\r\n" /* no grade */
             "Lương Văn Năm,1980,Nam,,Tổ dân phố số 1,Trường Không Có,Giáo viên,\r\n",
             path);
  import_job j;
  json_t *errors = NULL;
  /* A server killed after committing up to line 3: the run resumes at line 4. */
  run_job(fx, path, 3, &j, &errors);
  assert_int_equal(j.imported, 1);
  assert_int_equal(j.rejected, 2);
  assert_non_null(strstr(reason_of(errors, 5), "lớp"));
  assert_non_null(strstr(reason_of(errors, 6), "Không tìm thấy nơi làm việc"));
  json_decref(errors);
  import_job_clear(&j);
  /* The whole file: lines 2–3 are new, line 4 is unchanged. */
  run_job(fx, path, 1, &j, &errors);
  assert_int_equal(j.imported, 2);
  assert_int_equal(j.unchanged, 1);
  json_decref(errors);
  import_job_clear(&j);
  run_job(fx, path, 1, &j, &errors);
  assert_int_equal(j.imported, 0);
  assert_int_equal(j.unchanged, 3);
  json_decref(errors);
  import_job_clear(&j);
  assert_int_equal(scalar(fx, &q_people_like, "luong %", 0, NULL, 0), 3);
  assert_int_equal(scalar(fx, &q_members, "luong %", 0, "trader", 0), 1);
  assert_int_equal(scalar(fx, &q_members, "luong %", 0, "student", 0), 1);
  assert_int_equal(scalar(fx, &q_members, "luong %", 0, "staff", 0), 1);
  /* A changed phone on a matched person: updated, still one record. */
  write_file(fx, "Họ và tên,Ngày sinh,Số CCCD,Tổ dân phố,Số điện thoại\r\nLương Văn Một,1985,030085654321,TDP 1,0987000111\r\n",
             path);
  run_job(fx, path, 1, &j, &errors);
  assert_int_equal(j.imported, 1);
  assert_int_equal(j.updated, 1);
  assert_int_equal(scalar(fx, &q_people_like, "luong %", 0, NULL, 0), 3);
  json_decref(errors);
  import_job_clear(&j);
  /* A new school year: the pupil's grade goes from 5 to 6, their membership's upsert takes its DO
   * UPDATE branch; the row is taken, not refused (on SQLite the live counts' marks of 31 failed
   * there: migration 38). */
  write_file(fx,
             "Họ và tên,Ngày sinh,Giới tính,Số CCCD,Tổ dân phố,Nơi làm việc/học tập,Vai trò,Lớp\r\n"
             "Lương Thị Hai,2015,Nữ,,Tổ dân phố số 1,Trường Tiểu học Thử,Học sinh,6\r\n",
             path);
  run_job(fx, path, 1, &j, &errors);
  if (j.rejected) fail_msg("line 2 refused: %s", reason_of(errors, 2) ? reason_of(errors, 2) : "(no reason)");
  assert_int_equal(j.imported, 1);
  assert_int_equal(scalar(fx, &q_grade, "luong thi hai", 0, "student", 0), 6);
  assert_int_equal(scalar(fx, &q_members, "luong %", 0, "student", 0), 1);
  json_decref(errors);
  import_job_clear(&j);
}

static void exec_text(fixture *fx, const store_sql *q, const char *text) {
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  store_stmt *s = store_prepare(w, q);
  assert_non_null(s);
  store_bind_text(s, 1, text);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  store_release(w);
}

/* A list longer than a chunk, stopped after its first chunk (a server stopping), an officer
 * deleting one of its new people and renaming another meanwhile, one term already written (a
 * merge cut short), then resumed: once the job is
 * done every new person is found by the terms of their name (6 for a name of 3 words: the words
 * and their pairs), the deleted one by none, the renamed one not by its old name, and no staged
 * term is left behind. A second run of the same file changes nothing. */
static void test_terms_after_resume(void **state) {
  fixture *fx = fx_of(state);
  static const char *fam[] = {"Âu", "Bế", "Cù", "Đàm", "Đinh", "Giáp", "Kha", "Lạc", "Mạc", "Nghiêm"};
  static const char *mid[] = {"Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Ngọc", "Thanh", "Xuân", "Kim"};
  static const char *giv[] = {"An",    "Bình",  "Cường", "Dũng", "Giang", "Hà",   "Hải",   "Hạnh", "Hiếu",
                              "Hòa",   "Hùng",  "Hương", "Khánh", "Khoa", "Lan",  "Linh",  "Long", "Mai",
                              "Nam",   "Nga",   "Nhung", "Oanh", "Phong", "Phúc", "Phương", "Quân", "Quế",
                              "Sơn",   "Tâm",   "Thảo",  "Thắng", "Thủy", "Tiến", "Toàn",  "Trang", "Trung",
                              "Tú",    "Tuấn",  "Uyên",  "Vy",   "Việt",  "Vinh", "Yến",   "Bảo",  "Châu",
                              "Diệp",  "Đạt",   "Hậu",   "Kiên", "Lộc",   "Nhân"};
  enum { N = IMPORTER_CHUNK_ROWS + 7 };
  importer_set_merge_bucket_terms(997); /* ~31 buckets: each written while the next is sorted */
  int64_t tdp7;
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(unit(w, fx->ward, "residential_group", "Tổ dân phố số 7", &tdp7), 0);
  store_release(w);
  char path[128];
  snprintf(path, sizeof path, "%.63s/f%d.csv", fx->dir, ++fx->files);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs("Họ và tên,Tổ dân phố\r\n", f);
  for (int i = 0; i < N; i++)
    fprintf(f, "%s %s %s,TDP 7\r\n", fam[i % 10], mid[(i / 10) % 10], giv[(i / 100) % 51]);
  assert_int_equal(fclose(f), 0);
  import_job j = {.scope_all = true};
  snprintf(j.kind, sizeof j.kind, "residents");
  snprintf(j.status, sizeof j.status, "running");
  snprintf(j.file_path, sizeof j.file_path, "%s", path);
  w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(jobs_create(w, &j), 0);
  store_release(w);
  atomic_bool stop = true;
  char err[512] = "";
  assert_int_equal(importer_run(fx->st, &fx->keys, j.id, &stop, err, sizeof err), 1);
  assert_int_equal(scalar(fx, &q_unit_people, NULL, tdp7, NULL, 0), IMPORTER_CHUNK_ROWS);
  /* the first row (Âu Văn An) and the second (Bế Văn An) are in the first chunk */
  exec_text(fx, &q_soft_delete, "au van an");
  exec_text(fx, &q_drop_terms, "au van an");
  exec_text(fx, &q_drop_terms, "be van an");
  exec_text(fx, &q_rename, "be van an");
  exec_text(fx, &q_one_term, "giap van an");
  assert_int_equal(importer_run(fx->st, &fx->keys, j.id, NULL, err, sizeof err), 0);
  import_job done = {0};
  store_conn *c = store_acquire(fx->st, false);
  assert_non_null(c);
  assert_int_equal(jobs_get(c, j.id, &done), 1);
  store_release(c);
  assert_string_equal(done.status, "done");
  import_job_clear(&done);
  assert_int_equal(scalar(fx, &q_unit_people, NULL, tdp7, NULL, 0), N - 1);
  assert_int_equal(scalar(fx, &q_unit_terms, NULL, tdp7, NULL, 0), (N - 2) * 6);
  assert_int_equal(scalar(fx, &q_key_terms, "au van an", 0, NULL, 0), 0);
  assert_int_equal(scalar(fx, &q_key_terms, "be van an", 0, NULL, 0), 0);
  assert_int_equal(scalar(fx, &q_key_terms, "giap van nhan", 0, NULL, 0), 6); /* the last row */
  assert_int_equal(scalar(fx, &q_staged, NULL, j.id, NULL, 0), 0);
  import_job_clear(&j);
  /* The same file again: only the two names no live record has are new; nothing left staged. */
  json_t *errors = NULL;
  run_job(fx, path, 1, &j, &errors);
  assert_int_equal(j.imported, 2); /* the deleted one and the renamed one's old name: new records */
  assert_int_equal(j.unchanged, N - 2);
  assert_int_equal(scalar(fx, &q_unit_terms, NULL, tdp7, NULL, 0), N * 6);
  assert_int_equal(scalar(fx, &q_staged, NULL, j.id, NULL, 0), 0);
  json_decref(errors);
  import_job_clear(&j);
  importer_set_merge_bucket_terms(0);
}

/* After the first chunk of a fresh job has committed, an officer deletes one of its new people and
 * renames another (people.c drops their terms): the job, run through in one go, leaves neither
 * found by the old name, every other new person found by the 6 terms of their name, nothing
 * staged; whether its terms were sorted as the chunks committed (runs) or merged from the staged
 * rows (buckets), person_words ends the same. */
typedef struct rename_ctx {
  fixture *fx;
  const char *del, *ren;
  char unit[24];
} rename_ctx;

/* The chunk and the officer's changes made seconds before the merge begins (as in a long import):
 * "changed since the merge began" does not find them. */
STORE_SQL(q_age, "UPDATE people SET updated_at = updated_at - 10, created_at = created_at - 10"
                 " WHERE unit_id = CAST(CAST(? AS TEXT) AS BIGINT)");

static void rename_after_first(void *ctx, int chunks) {
  rename_ctx *r = ctx;
  if (chunks != 1) return;
  exec_text(r->fx, &q_soft_delete, r->del);
  exec_text(r->fx, &q_drop_terms, r->del);
  exec_text(r->fx, &q_drop_terms, r->ren);
  exec_text(r->fx, &q_rename, r->ren);
  exec_text(r->fx, &q_age, r->unit);
}

STORE_SQL(q_reltuples, "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = to_regclass(CAST(? AS TEXT))");
STORE_SQL(q_people_all, "SELECT COUNT(*) FROM people WHERE CAST(? AS BIGINT) IS NOT NULL");
STORE_SQL(q_unit_terms_sum, "SELECT COALESCE(SUM(LENGTH(w.word) * 7 + LENGTH(w.name_key)), 0) FROM person_words w"
                            " JOIN people p ON p.id = w.person_id WHERE p.unit_id = ?");

static void test_terms_sorted_runs(void **state) {
  fixture *fx = fx_of(state);
  static const char *fam[] = {"Âu", "Bế", "Cù", "Đàm", "Đinh", "Giáp", "Kha", "Lạc", "Mạc", "Nghiêm", "Ông"};
  static const char *mid[] = {"Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Ngọc", "Thanh", "Xuân", "Kim"};
  static const char *giv[] = {"An",  "Bình", "Cường", "Dũng", "Giang", "Hà",  "Hải",   "Hạnh",  "Hiếu", "Hòa",  "Hùng",
                              "Hương", "Khánh", "Khoa", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Nhung", "Oanh",
                              "Phong", "Phúc", "Phương", "Quân", "Quế", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy"};
  enum { N = 2 * IMPORTER_CHUNK_ROWS + 11 };
  int64_t sums[2] = {0, 0};
  for (int pass = 0; pass < 2; pass++) {
    importer_set_sorted_runs(pass == 0);
    char name[40];
    snprintf(name, sizeof name, "Tổ dân phố số %d", 20 + pass);
    int64_t tdp;
    store_conn *w = store_acquire(fx->st, true);
    assert_non_null(w);
    assert_int_equal(unit(w, fx->ward, "residential_group", name, &tdp), 0);
    store_release(w);
    char path[128];
    snprintf(path, sizeof path, "%.63s/f%d.csv", fx->dir, ++fx->files);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("Họ và tên,Tổ dân phố\r\n", f);
    /* 3,520 names, each with a last word of its own for a third of the file, and other ones in the
     * second pass (A, B, C; D, E, F) */
    for (int i = 0; i < N; i++)
      fprintf(f, "%s %s %s %c,%s\r\n", fam[i % 11], mid[(i / 11) % 10], giv[(i / 110) % 32], 'A' + 3 * pass + i / 3520,
              name);
    assert_int_equal(fclose(f), 0);
    char del[40], ren[40];
    snprintf(del, sizeof del, "au van an %c", 'a' + 3 * pass);
    snprintf(ren, sizeof ren, "be van an %c", 'a' + 3 * pass);
    rename_ctx rc = {fx, del, ren, ""};
    snprintf(rc.unit, sizeof rc.unit, "%lld", (long long)tdp);
    importer_set_chunk_hook(rename_after_first, &rc);
    import_job j;
    json_t *errors = NULL;
    run_job(fx, path, 1, &j, &errors);
    importer_set_chunk_hook(NULL, NULL);
    assert_int_equal(j.imported, N);
    assert_string_equal(j.status, "done");
    assert_int_equal(scalar(fx, &q_unit_people, NULL, tdp, NULL, 0), N - 1);
    int64_t per = scalar(fx, &q_key_terms, pass ? "nghiem van an d" : "nghiem van an a", 0, NULL, 0);
    assert_true(per > 0);
    assert_int_equal(scalar(fx, &q_unit_terms, NULL, tdp, NULL, 0), (N - 2) * per);
    assert_int_equal(scalar(fx, &q_key_terms, del, 0, NULL, 0), 0);
    assert_int_equal(scalar(fx, &q_key_terms, ren, 0, NULL, 0), 0);
    assert_int_equal(scalar(fx, &q_staged, NULL, j.id, NULL, 0), 0);
    sums[pass] = scalar(fx, &q_unit_terms_sum, NULL, tdp, NULL, 0);
    if (fx->kind == STORE_PG) { /* a large import leaves the planner's statistics up to date (ANALYZE
                                  * reads a sample: its row count is an estimate, within a few per cent) */
      int64_t est = scalar(fx, &q_reltuples, "people", 0, NULL, 0), all = scalar(fx, &q_people_all, NULL, 0, NULL, 0);
      if (est * 10 < all * 9) fail_msg("people: reltuples %lld, rows %lld", (long long)est, (long long)all);
      assert_true(scalar(fx, &q_reltuples, "person_words", 0, NULL, 0) * 10 >= (N - 2) * per * 9);
    }
    json_decref(errors);
    import_job_clear(&j);
  }
  importer_set_sorted_runs(true);
  store_stats stats;
  store_get_stats(fx->st, &stats);
  assert_int_equal(stats.bulk_loads, 0);
  assert_true(sums[0] > 0);
  assert_int_equal(sums[0], sums[1]);
}

/* The server binds each thread's first reader to it (store_bind_threads): an import run by the
 * server's worker must not leave readers bound to its own short-lived threads (the stale scan of a
 * fresh job's sorted runs, the early ANALYZE), or the pool runs dry after a few imports and every
 * later reader (an import's, a request's) waits for one that never comes back. */
typedef struct pool_run {
  fixture *fx;
  store *st;
  char paths[5][128];
  int rc[5];
  char err[5][512];
  bool probe_ok;
} pool_run;

/* On a thread of its own, as the server's import worker (its reader bound to it, none of the test's). */
static void *pool_imports(void *arg) {
  pool_run *p = arg;
  for (int i = 0; i < 5; i++) {
    import_job j = {.scope_all = true};
    snprintf(j.kind, sizeof j.kind, "residents");
    snprintf(j.status, sizeof j.status, "running");
    snprintf(j.file_path, sizeof j.file_path, "%s", p->paths[i]);
    store_conn *w = store_acquire(p->st, true);
    if (!w || store_begin(w) != STORE_OK || jobs_create(w, &j) != 0 || store_commit(w) != STORE_OK) {
      p->rc[i] = -9;
      if (w) store_release(w);
      continue;
    }
    store_release(w);
    p->rc[i] = importer_run(p->st, &p->fx->keys, j.id, NULL, p->err[i], sizeof p->err[i]);
  }
  return NULL;
}

static void *reader_probe(void *arg) {
  pool_run *p = arg;
  store_conn *c = store_acquire_timed(p->st, false, 1000, NULL);
  p->probe_ok = c != NULL;
  if (c) store_release(c);
  return NULL;
}

static void test_imports_keep_the_pool(void **state) {
  fixture *fx = fx_of(state);
  char err[512] = "";
  pool_run p = {.fx = fx};
  p.st = store_open(fx->target, 3, err, sizeof err); /* as serve: readers bound to their threads */
  assert_non_null(p.st);
  store_bind_threads(p.st);
  store_set_wait(p.st, 1000);
  for (int i = 0; i < 5; i++) {
    char text[256];
    snprintf(text, sizeof text, "Họ và tên,Tổ dân phố\r\nĐặng Pool %c,Tổ dân phố số 1\r\n", 'A' + i);
    write_file(fx, text, p.paths[i]);
  }
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, pool_imports, &p), 0);
  pthread_join(th, NULL);
  assert_int_equal(pthread_create(&th, NULL, reader_probe, &p), 0);
  pthread_join(th, NULL);
  store_close(p.st);
  for (int i = 0; i < 5; i++) {
    if (p.rc[i] != 0) fprintf(stderr, "import %d: %d %s\n", i + 1, p.rc[i], p.err[i]);
    assert_int_equal(p.rc[i], 0);
  }
  assert_true(p.probe_ok); /* a new thread still finds a reader */
}

/* A server stopping while an import's terms are being merged: the job is not done, its people wait
 * to be found by name; the job resumed is done and they are found, nothing left staged. */
static void test_terms_merge_stopped(void **state) {
  fixture *fx = fx_of(state);
  int64_t tdp8;
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(unit(w, fx->ward, "residential_group", "Tổ dân phố số 8", &tdp8), 0);
  store_release(w);
  char path[128];
  write_file(fx, "Họ và tên,Tổ dân phố\r\nÔn Văn Tám,TDP 8\r\nÔn Thị Chín,TDP 8\r\n", path);
  import_job j = {.scope_all = true};
  snprintf(j.kind, sizeof j.kind, "residents");
  snprintf(j.status, sizeof j.status, "running");
  snprintf(j.file_path, sizeof j.file_path, "%s", path);
  w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(jobs_create(w, &j), 0);
  store_release(w);
  atomic_bool stop = true;
  char err[512] = "";
  assert_int_equal(importer_run(fx->st, &fx->keys, j.id, &stop, err, sizeof err), 1);
  assert_int_equal(scalar(fx, &q_unit_people, NULL, tdp8, NULL, 0), 2);
  assert_int_equal(scalar(fx, &q_unit_terms, NULL, tdp8, NULL, 0), 0);
  assert_int_equal(scalar(fx, &q_staged, NULL, j.id, NULL, 0), 2); /* one row a person */
  store_stats stats;
  store_get_stats(fx->st, &stats);
  assert_int_equal(stats.bulk_loads, 0); /* a stopped run gives the spaced-out checkpoints back */
  assert_int_equal(importer_run(fx->st, &fx->keys, j.id, NULL, err, sizeof err), 0);
  import_job done = {0};
  store_conn *c = store_acquire(fx->st, false);
  assert_non_null(c);
  assert_int_equal(jobs_get(c, j.id, &done), 1);
  store_release(c);
  assert_string_equal(done.status, "done");
  assert_int_equal(done.imported, 2);
  import_job_clear(&done);
  assert_int_equal(scalar(fx, &q_unit_terms, NULL, tdp8, NULL, 0), 12);
  assert_int_equal(scalar(fx, &q_staged, NULL, j.id, NULL, 0), 0);
  import_job_clear(&j);
}

/* A job stopped before its merge whose staged rows mix the forms: one row a person (this
 * version), one row a term (a job staged by the version before, resumed after an upgrade), and a
 * term staged twice. Resumed, each person has exactly the terms staged for them, once each, and
 * nothing is left staged. */
static void test_terms_staged_forms(void **state) {
  fixture *fx = fx_of(state);
  int64_t tdp9;
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(unit(w, fx->ward, "residential_group", "Tổ dân phố số 9", &tdp9), 0);
  store_release(w);
  char path[128];
  write_file(fx, "Họ và tên,Tổ dân phố\r\nLý Văn Mười,TDP 9\r\nLý Thị Một,TDP 9\r\n", path);
  import_job j = {.scope_all = true};
  snprintf(j.kind, sizeof j.kind, "residents");
  snprintf(j.status, sizeof j.status, "running");
  snprintf(j.file_path, sizeof j.file_path, "%s", path);
  w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(jobs_create(w, &j), 0);
  store_release(w);
  atomic_bool stop = true;
  char err[512] = "";
  assert_int_equal(importer_run(fx->st, &fx->keys, j.id, &stop, err, sizeof err), 1);
  assert_int_equal(scalar(fx, &q_staged, NULL, j.id, NULL, 0), 2);
  exec_text(fx, &q_unstage_key, "ly thi mot");
  exec_text(fx, &q_legacy_terms, "ly thi mot");
  exec_text(fx, &q_dup_term, "ly van muoi");
  assert_int_equal(scalar(fx, &q_staged, NULL, j.id, NULL, 0), 4);
  assert_int_equal(importer_run(fx->st, &fx->keys, j.id, NULL, err, sizeof err), 0);
  assert_int_equal(scalar(fx, &q_key_terms, "ly van muoi", 0, NULL, 0), 6);
  assert_int_equal(scalar(fx, &q_word_key, "ly van muoi", 0, "ly", 0), 1);
  assert_int_equal(scalar(fx, &q_word_key, "ly van muoi", 0, "~muoi van", 0), 1);
  assert_int_equal(scalar(fx, &q_key_terms, "ly thi mot", 0, NULL, 0), 2);
  assert_int_equal(scalar(fx, &q_word_key, "ly thi mot", 0, "~ly thi", 0), 1);
  assert_int_equal(scalar(fx, &q_staged, NULL, j.id, NULL, 0), 0);
  import_job_clear(&j);
}

/* A file of more than one chunk, read a chunk ahead of the writer (the reading thread): a CCCD of
 * the second chunk repeating one of the first is refused naming the first line, a bad date in the
 * second chunk is reported on its own line, every other row is written once and found by name. */
static void test_chunks_read_ahead(void **state) {
  fixture *fx = fx_of(state);
  static const char *fam[] = {"Ông", "Bạch", "Chử", "Diêm", "Đoàn", "Hồ", "Khổng", "Lã", "Mẫn", "Ninh"};
  static const char *mid[] = {"Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Ngọc", "Thanh", "Xuân", "Kim"};
  static const char *giv[] = {"An",    "Bình",  "Cường", "Dũng", "Giang", "Hà",   "Hải",   "Hạnh", "Hiếu",
                              "Hòa",   "Hùng",  "Hương", "Khánh", "Khoa", "Lan",  "Linh",  "Long", "Mai",
                              "Nam",   "Nga",   "Nhung", "Oanh", "Phong", "Phúc", "Phương", "Quân", "Quế",
                              "Sơn",   "Tâm",   "Thảo",  "Thắng", "Thủy", "Tiến", "Toàn",  "Trang", "Trung",
                              "Tú",    "Tuấn",  "Uyên",  "Vy",   "Việt",  "Vinh", "Yến",   "Bảo",  "Châu",
                              "Diệp",  "Đạt",   "Hậu",   "Kiên", "Lộc",   "Nhân"};
  enum { N = IMPORTER_CHUNK_ROWS + 3 };
  int64_t tdp11;
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(unit(w, fx->ward, "residential_group", "Tổ dân phố số 11", &tdp11), 0);
  store_release(w);
  char path[128];
  snprintf(path, sizeof path, "%.63s/f%d.csv", fx->dir, ++fx->files);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs("Họ và tên,Ngày sinh,Giới tính,Số CCCD,Tổ dân phố\r\n", f);
  for (int i = 0; i < N; i++) {
    int line = i + 2;
    if (line == N) /* the second chunk: a date in the future */
      fprintf(f, "%s %s %s,01/01/2999,Nam,,TDP 11\r\n", fam[i % 10], mid[(i / 10) % 10], giv[(i / 100) % 51]);
    else if (line == N + 1) /* the second chunk: line 2's CCCD again */
      fprintf(f, "%s %s %s,01/01/1980,Nam,001080%06d,TDP 11\r\n", fam[0], mid[0], giv[0], 0);
    else
      fprintf(f, "%s %s %s,01/01/1980,Nam,001080%06d,TDP 11\r\n", fam[i % 10], mid[(i / 10) % 10], giv[(i / 100) % 51], i);
  }
  assert_int_equal(fclose(f), 0);
  import_job j = {0};
  json_t *errors = NULL;
  run_job(fx, path, 1, &j, &errors);
  assert_int_equal(j.imported, N - 2);
  assert_int_equal(j.rejected, 2);
  assert_non_null(reason_of(errors, N));
  assert_non_null(strstr(reason_of(errors, N + 1), "trùng với dòng 2"));
  assert_int_equal(scalar(fx, &q_unit_people, NULL, tdp11, NULL, 0), N - 2);
  assert_int_equal(scalar(fx, &q_unit_terms, NULL, tdp11, NULL, 0), (N - 2) * 6);
  assert_int_equal(scalar(fx, &q_staged, NULL, j.id, NULL, 0), 0);
  json_decref(errors);
  import_job_clear(&j);
}

STORE_SQL(q_hh_count, "SELECT COUNT(*) FROM households WHERE unit_id = ?");

/* A file of two chunks imported twice (importer.c's look-ups: people by 64-bit hashes of their
 * CCCD and natural key checked against the key, households by two 64-bit hashes of theirs): the
 * second time every row is unchanged and nothing is added — rows with and without a CCCD, their
 * households (one spans the two chunks), a row repeated in its chunk (matched with a record not yet
 * written), memberships, and a relation longer than 63 bytes (the old look-up's fixed arrays cut
 * it, and the record looked changed every time). */
static void test_reimport_two_chunks(void **state) {
  fixture *fx = fx_of(state);
  static const char *fam[] = {"Ông", "Bạch", "Chử", "Diêm", "Đoàn", "Hồ", "Khổng", "Lã", "Mẫn", "Ninh"};
  static const char *mid[] = {"Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Ngọc", "Thanh", "Xuân", "Kim"};
  static const char *giv[] = {"An",    "Bình",  "Cường", "Dũng", "Giang", "Hà",   "Hải",   "Hạnh", "Hiếu",
                              "Hòa",   "Hùng",  "Hương", "Khánh", "Khoa", "Lan",  "Linh",  "Long", "Mai",
                              "Nam",   "Nga",   "Nhung", "Oanh", "Phong", "Phúc", "Phương", "Quân", "Quế",
                              "Sơn",   "Tâm",   "Thảo",  "Thắng", "Thủy", "Tiến", "Toàn",  "Trang", "Trung",
                              "Tú",    "Tuấn",  "Uyên",  "Vy",   "Việt",  "Vinh", "Yến",   "Bảo",  "Châu",
                              "Diệp",  "Đạt",   "Hậu",   "Kiên", "Lộc",   "Nhân"};
  enum { N = IMPORTER_CHUNK_ROWS + 300, DUP = 2500 };
  int64_t tdp12;
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(unit(w, fx->ward, "residential_group", "Tổ dân phố số 12", &tdp12), 0);
  store_release(w);
  char path[128];
  snprintf(path, sizeof path, "%.63s/f%d.csv", fx->dir, ++fx->files);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs("Họ và tên,Ngày sinh,Giới tính,Số CCCD,Tổ dân phố,Địa chỉ,Quan hệ với chủ hộ,Nơi làm việc/học tập,Vai trò\r\n", f);
  for (int i = 0; i < N; i++) {
    int k = i == DUP ? 1 : i; /* line DUP + 2 repeats line 3 (no CCCD) */
    /* households of four; the chunk's last one goes on in the next chunk */
    int hh = k < IMPORTER_CHUNK_ROWS ? k / 4 : (IMPORTER_CHUNK_ROWS - 1) / 4 + (k - IMPORTER_CHUNK_ROWS) / 4;
    const char *rel = k % 5 == 0 ? "Chủ hộ" : "Cháu ngoại của người chị dâu đằng nội ở chung nhà";
    const char *org = k % 7 == 0 ? "Chợ Thử,Tiểu thương" : ",";
    int n = k % 5100; /* names repeat past 5,100 rows, born another year: other people */
    if (k % 2 == 0)
      fprintf(f, "%s %s %s,01/01/1980,Nam,0010801%05d,TDP 12,Số %d ngõ Lặp,%s,%s\r\n", fam[n % 10], mid[(n / 10) % 10],
              giv[(n / 100) % 51], k, hh, rel, org);
    else
      fprintf(f, "%s %s %s,%02d/%02d/%d,Nữ,,TDP 12,Số %d ngõ Lặp,%s,%s\r\n", fam[n % 10], mid[(n / 10) % 10],
              giv[(n / 100) % 51], 1 + k % 28, 1 + k % 12, k < 5100 ? 1960 + k % 40 : 2001, hh, rel, org);
  }
  assert_int_equal(fclose(f), 0);
  import_job j = {0};
  json_t *errors = NULL;
  run_job(fx, path, 1, &j, &errors);
  assert_int_equal(j.rejected, 0);
  assert_int_equal(j.imported, N - 1);
  assert_int_equal(j.unchanged, 1); /* the repeated line */
  json_decref(errors);
  import_job_clear(&j);
  int64_t people = scalar(fx, &q_unit_people, NULL, tdp12, NULL, 0), hhs = scalar(fx, &q_hh_count, NULL, tdp12, NULL, 0);
  assert_int_equal(people, N - 1);
  assert_int_equal(hhs, (IMPORTER_CHUNK_ROWS - 1) / 4 + (N - IMPORTER_CHUNK_ROWS - 1) / 4 + 1);
  /* again: nothing changes */
  errors = NULL;
  run_job(fx, path, 1, &j, &errors);
  assert_int_equal(j.rejected, 0);
  assert_int_equal(j.imported, 0);
  assert_int_equal(j.updated, 0);
  assert_int_equal(j.unchanged, N);
  json_decref(errors);
  import_job_clear(&j);
  assert_int_equal(scalar(fx, &q_unit_people, NULL, tdp12, NULL, 0), people);
  assert_int_equal(scalar(fx, &q_hh_count, NULL, tdp12, NULL, 0), hhs);
}

/* A workbook (libxlsxwriter): a date cell, a CCCD kept as text, one stored as a number (its leading
 * 0 lost: refused with the way to fix it), the sheet's row numbers as lines. */
static void test_xlsx(void **state) {
  fixture *fx = fx_of(state);
  char path[128];
  snprintf(path, sizeof path, "%.63s/ds.xlsx", fx->dir);
  lxw_workbook *wb = workbook_new(path);
  assert_non_null(wb);
  lxw_worksheet *ws = workbook_add_worksheet(wb, "Danh sách");
  lxw_format *datefmt = workbook_add_format(wb);
  format_set_num_format(datefmt, "dd/mm/yyyy");
  const char *head[] = {"Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Tổ dân phố"};
  for (int i = 0; i < 5; i++) worksheet_write_string(ws, 0, (lxw_col_t)i, head[i], NULL);
  lxw_datetime dt = {.year = 1985, .month = 3, .day = 15};
  worksheet_write_string(ws, 1, 0, "Kiều Thị Sổ", NULL);
  worksheet_write_datetime(ws, 1, 1, &dt, datefmt);
  worksheet_write_string(ws, 1, 2, "Nữ", NULL);
  worksheet_write_string(ws, 1, 3, "001185000777", NULL);
  worksheet_write_string(ws, 1, 4, "Tổ dân phố số 2", NULL);
  worksheet_write_string(ws, 3, 0, "Kiều Văn Số", NULL);
  worksheet_write_number(ws, 3, 1, 1985, NULL);
  worksheet_write_string(ws, 3, 2, "Nam", NULL);
  worksheet_write_number(ws, 3, 3, 1085000778.0, NULL); /* 001085000778 typed as a number */
  worksheet_write_string(ws, 3, 4, "TDP 2", NULL);
  assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
  import_job j;
  json_t *errors = NULL;
  run_job(fx, path, 1, &j, &errors);
  assert_string_equal(j.status, "done");
  assert_int_equal(j.imported, 1);
  assert_int_equal(j.rejected, 1);
  const char *r = reason_of(errors, 4);
  if (!r || !strstr(r, "mất chữ số 0")) fail_msg("line 4: %s", r ? r : "(none)");
  json_decref(errors);
  import_job_clear(&j);
}


/* A pid that was a process of ours and is no longer (reaped): nobody's. */
static int64_t dead_pid(void) {
  pid_t p = fork();
  assert_true(p >= 0);
  if (p == 0) _exit(0);
  int st;
  assert_int_equal(waitpid(p, &st, 0), p);
  return p;
}

/* Whether an owner is gone: none, ourselves, a dead pid here, a pid used again, a live one, and
 * on another host only by its lease. */
static void test_owner_rules(void **state) {
  (void)state;
  const job_owner *me = jobs_me();
  assert_true(me->host[0] && me->pid == getpid() && me->start > 0);
  int64_t now = 1000000;
  job_owner o = {.host = ""};
  assert_true(jobs_owner_gone(&o, now + 60, me, now)); /* a job made before owners were recorded */
  assert_true(jobs_owner_gone(me, now + 60, me, now)); /* ours: nobody else runs it */
  o = *me;
  o.pid = dead_pid();
  assert_true(jobs_owner_gone(&o, now + 60, me, now)); /* dead here, whatever its lease */
  o.pid = getppid();
  o.start = 0; /* the parent (alive), its start unknown: alive */
  assert_false(jobs_owner_gone(&o, now - 60, me, now));
  o.pid = me->pid;
  o.start = me->start + 1; /* our pid, another start: a process that was, the pid used again */
  assert_true(jobs_owner_gone(&o, now + 60, me, now));
  assert_true(jobs_process_alive(me->pid, me->start));
  assert_false(jobs_process_alive(me->pid, me->start + 1));
  snprintf(o.host, sizeof o.host, "app2/%s", "0b5e1d");
  o.pid = dead_pid(); /* another host: its pid means nothing here, only its lease */
  assert_false(jobs_owner_gone(&o, now + 1, me, now));
  assert_false(jobs_owner_gone(&o, now, me, now));
  assert_true(jobs_owner_gone(&o, now - 1, me, now));
}

static int claim(fixture *fx, bool orphans_only, int64_t *id) {
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  assert_int_equal(store_begin(w), STORE_OK);
  *id = 0;
  int rc = jobs_claim(w, jobs_me(), orphans_only, id);
  assert_int_equal(store_commit(w), STORE_OK);
  store_release(w);
  return rc;
}

static void set_owner(fixture *fx, int64_t id, const char *status, const char *host, int64_t pid, int64_t start,
                      int64_t lease) {
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  store_stmt *s = store_prepare(w, &q_job_owner);
  assert_non_null(s);
  store_bind_text(s, 1, status);
  store_bind_text(s, 2, host);
  store_bind_int(s, 3, pid);
  store_bind_int(s, 4, start);
  store_bind_int(s, 5, lease);
  store_bind_int(s, 6, id);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  store_release(w);
}

/* A claim on the database: a job held by a live process elsewhere is left alone until its lease
 * runs out, then taken (and made ours, with a lease); a dead owner's job here is taken at once; a
 * queued job is not an orphan; a chunk's progress is refused to a process that lost its job. */
static void test_claim_owners(void **state) {
  fixture *fx = fx_of(state);
  store_conn *w = store_acquire(fx->st, true);
  assert_non_null(w);
  store_stmt *s = store_prepare(w, &q_jobs_settle);
  assert_non_null(s);
  assert_int_equal(store_step(s), STORE_DONE);
  store_reset(s);
  int64_t ids[3];
  for (int i = 0; i < 3; i++) {
    import_job j = {.scope_all = true};
    snprintf(j.status, sizeof j.status, "running");
    snprintf(j.file_path, sizeof j.file_path, "/nonexistent/f%d.csv", i);
    assert_int_equal(jobs_create(w, &j), 0);
    ids[i] = j.id;
  }
  store_release(w);
  int64_t now = clock_now(), id;
  /* made running here: ours, with a lease */
  s = NULL;
  store_conn *c = store_acquire(fx->st, false);
  s = store_prepare(c, &q_job_owned);
  store_bind_int(s, 1, ids[0]);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_string_equal(store_col_text(s, 0), jobs_me()->host);
  assert_int_equal(store_col_int(s, 1), getpid());
  assert_true(store_col_int(s, 3) >= now + JOBS_LEASE_SECONDS - 1);
  store_reset(s);
  store_release(c);
  set_owner(fx, ids[0], "running", "app2/other-boot/1", 4242, 77, now + 60); /* alive elsewhere */
  set_owner(fx, ids[1], "running", jobs_me()->host, getppid(), 0, now - 600);  /* alive here, lease old */
  set_owner(fx, ids[2], "queued", "", 0, 0, 0);
  assert_int_equal(claim(fx, true, &id), 0); /* no orphan */
  import_counts none = {0};
  w = store_acquire(fx->st, true);
  assert_int_equal(jobs_progress(w, ids[0], 10, &none), -1); /* not ours: no progress written */
  store_release(w);
  assert_int_equal(claim(fx, false, &id), 1); /* the queued one */
  assert_int_equal(id, ids[2]);
  set_owner(fx, ids[2], "done", "", 0, 0, 0);
  set_owner(fx, ids[0], "running", "app2/other-boot/1", 4242, 77, now - 1); /* its lease ran out */
  assert_int_equal(claim(fx, true, &id), 1);
  assert_int_equal(id, ids[0]);
  w = store_acquire(fx->st, true);
  assert_int_equal(jobs_progress(w, ids[0], 10, &none), 0); /* ours now */
  store_release(w);
  set_owner(fx, ids[0], "done", "", 0, 0, 0);
  set_owner(fx, ids[1], "running", jobs_me()->host, dead_pid(), 0, now + 600); /* died here */
  assert_int_equal(claim(fx, true, &id), 1);
  assert_int_equal(id, ids[1]);
  set_owner(fx, ids[1], "done", "", 0, 0, 0);
  assert_int_equal(claim(fx, false, &id), 0);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_group_keys),
      cmocka_unit_test(test_roles),
      cmocka_unit_test(test_owner_rules),
  };
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_households),
      cmocka_unit_test(test_idempotent_resume_memberships),
      cmocka_unit_test(test_bulk_marks),
      cmocka_unit_test(test_unstage_beside_another_process),
      cmocka_unit_test(test_bulk_marks_careful),
      cmocka_unit_test(test_reimport_two_chunks),
      cmocka_unit_test(test_xlsx),
      cmocka_unit_test(test_terms_after_resume),
      cmocka_unit_test(test_terms_sorted_runs),
      cmocka_unit_test(test_imports_keep_the_pool),
      cmocka_unit_test(test_terms_merge_stopped),
      cmocka_unit_test(test_terms_staged_forms),
      cmocka_unit_test(test_chunks_read_ahead),
      cmocka_unit_test(test_claim_owners),
  };
  int failed = cmocka_run_group_tests_name("import_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("import_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("import_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

/* h_export.c: GET /api/v1/residents/export over HTTP (export.h). One audit entry per export, with
 * the filter and the row count, written and committed before the first byte of the list goes out
 * (never the rows; a CCCD or phone number searched for is not copied into it).
 * CSV streams from the database cursor through req_stream; an Excel file is written first into
 * the data directory (libxlsxwriter's constant-memory mode), unlinked, and sent from its
 * descriptor. Either way the request's reader is detached and owned by the export. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "domain/export.h"
#include "http/handlers.h"
#include "util/clock.h"
#include "util/log.h"

#define CSV_TYPE "text/csv; charset=utf-8"
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* Content-Disposition for "Danh sách người dân YYYY-MM-DD.ext": RFC 6266 with an ASCII
 * fallback and the UTF-8 name percent-encoded (RFC 5987). */
static void disposition(req *r, const char *ext) {
  char day[32], ascii[64], name[128];
  clock_iso8601(clock_now(), day, sizeof day);
  snprintf(ascii, sizeof ascii, "danh-sach-nguoi-dan-%.10s.%s", day, ext);
  snprintf(name, sizeof name, "Danh sách người dân %.10s.%s", day, ext);
  req_attachment(r, ascii, name);
}

/* Whether `s` holds a digit of any script (ASCII, full-width ０-９…). A name never does (FT_NAME
 * refuses digits), so a q with one may carry a phone or CCCD number, alone or amid words. */
static bool has_digit(const char *s) {
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
  utf8proc_int32_t cp;
  utf8proc_ssize_t n;
  while (*p && (n = utf8proc_iterate(p, -1, &cp)) > 0) {
    if (utf8proc_category(cp) == UTF8PROC_CATEGORY_ND) return true;
    p += n;
  }
  return false;
}

/* The filter as the audit entry keeps it: every field given but the format; a q holding a digit
 * (a phone or CCCD number, even amid words: "CCCD 0300…") is noted as such, never copied. */
static json_t *filter_of(const req *r) {
  json_t *f = json_object();
  const char *k;
  json_t *v;
  json_object_foreach(r->query, k, v) {
    if (strcmp(k, "format") == 0) continue;
    if (strcmp(k, "q") == 0 && has_digit(json_string_value(v)))
      json_object_set_new(f, k, json_string("(số điện thoại hoặc CCCD)"));
    else
      json_object_set(f, k, v);
  }
  return f;
}

static int audit_export(req *r, const char *format, int64_t rows) {
  if (req_begin(r) != 0 ||
      req_audit(r, "person.export", "person", 0, req_qint(r, "unit_id", 0),
                json_pack("{s:s, s:o, s:I}", "format", format, "filter", filter_of(r), "rows", (json_int_t)rows)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return 0;
}

static void csv_done(void *ctx) {
  export_cursor *x = ctx;
  if (!export_complete(x)) log_warn("export: the CSV stopped after %lld rows (connection cut or read failed)", (long long)export_rows(x));
  export_close(x);
}

int h_residents_export(req *r) {
  if (req_same_origin(r) != 0) return -1;
  const char *format = req_qstr(r, "format");
  if (!format) format = "csv";
  bool xlsx = strcmp(format, "xlsx") == 0;
  if (!xlsx && strcmp(format, "csv") != 0)
    return req_fail(r, 400, "invalid_value", "format", "Định dạng phải là csv hoặc xlsx.");
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ | CAP_PEOPLE_EXPORT);
  people_query q = {.q = req_qstr(r, "q"),
                    .unit_id = req_qint(r, "unit_id", 0),
                    .group = req_qstr(r, "group"),
                    .age_min = (int)req_qint(r, "age_min", -1),
                    .age_max = (int)req_qint(r, "age_max", -1),
                    .sex = req_qstr(r, "sex"),
                    .vneid_level = (int)req_qint(r, "vneid_level", -1),
                    .household_id = req_qint(r, "household_id", 0),
                    .broad = people_scope_broad(r->who, CAP_PEOPLE_READ)};
  /* Where the caller may read a CCCD in clear. */
  const char **clear = arena_alloc(&r->a, sizeof *clear * (size_t)(r->who->ngrants + 1));
  int nclear = 0;
  for (int i = 0; clear && i < r->who->ngrants; i++)
    if (r->who->grants[i].caps & CAP_IDENTITY_READ) clear[nclear++] = r->who->grants[i].unit_path;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  if (!clear) return APP_INTERNAL(&r->err);
  if (!xlsx) {
    /* The count first, on the same snapshot, so that the audit entry is committed before any row
     * leaves; then the reader goes to the stream. */
    int64_t count = 0;
    if (export_count(c, &r->app->keys, &sc, &q, &count, &r->err) != 0) return -1;
    store_conn *mine = req_db_detach(r);
    if (!mine) return APP_INTERNAL(&r->err);
    export_cursor *x = NULL;
    if (export_open(mine, &r->app->keys, &sc, &q, clear, nclear, &x, &r->err) != 0) return -1;
    if (audit_export(r, "csv", count) != 0) {
      export_close(x);
      return -1;
    }
    disposition(r, "csv");
    return req_stream(r, CSV_TYPE, export_csv_read, csv_done, x);
  }
  /* Excel: the whole workbook is written before it is sent (a zip cannot be streamed row by row),
   * into the data directory rather than /tmp (which may be memory). */
  char path[1200];
  snprintf(path, sizeof path, "%s/export-XXXXXX.xlsx", r->app->cfg.data);
  int tmpfd = mkstemps(path, 5);
  if (tmpfd < 0) {
    log_error("export: cannot create a file in %s: %s", r->app->cfg.data, strerror(errno));
    return APP_INTERNAL(&r->err);
  }
  close(tmpfd);
  store_conn *mine = req_db_detach(r);
  export_cursor *x = NULL;
  int64_t rows = 0;
  int rc = mine ? export_open(mine, &r->app->keys, &sc, &q, clear, nclear, &x, &r->err) : APP_INTERNAL(&r->err);
  if (rc == 0) rc = export_xlsx_write(x, path, r->app->cfg.data, &rows, &r->err);
  export_close(x);
  int fd = rc == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
  unlink(path); /* the descriptor keeps the file until it is sent */
  if (rc != 0) return -1;
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    if (fd >= 0) close(fd);
    return APP_INTERNAL(&r->err);
  }
  if (audit_export(r, "xlsx", rows) != 0) {
    close(fd);
    return -1;
  }
  disposition(r, "xlsx");
  return req_send_file(r, XLSX_TYPE, fd, (uint64_t)st.st_size);
}

/* h_indicators.c: the indicators of a unit on a reference date (indicators.h).
 * Owns: reading the query (the unit, by default the caller's highest unit with reports.read; the
 * date, by default today, never in the future). The dispatcher has checked reports.read on a unit
 * named in the query.
 * Never: computes a figure itself (indicators.c does).
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/groups.h"
#include "domain/indicators.h"
#include "domain/report.h"
#include "http/handlers.h"
#include "util/clock.h"
#include "util/log.h"

/* The highest unit where the caller may read reports: the default of the dashboard. */
static int64_t reports_root(const principal *p) {
  int64_t best = 0;
  size_t best_len = 0;
  for (int i = 0; p && i < p->ngrants; i++) {
    const grant *g = &p->grants[i];
    if (!(g->caps & CAP_REPORTS_READ) || !g->unit_path) continue;
    size_t n = strlen(g->unit_path);
    if (!best || n < best_len) {
      best = g->unit_id;
      best_len = n;
    }
  }
  return best;
}

static int unit_and_date(req *r, int64_t *unit, int64_t *key);

int h_indicators_get(req *r) {
  int64_t unit = 0, key = 0;
  if (unit_and_date(r, &unit, &key) != 0) return -1;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (ind_compute(c, unit, key, &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

/* The query's unit (or the caller's highest) and date (or today; never later): 0, or -1 answered. */
static int unit_and_date(req *r, int64_t *unit, int64_t *key) {
  *unit = req_qint(r, "unit", 0);
  if (!*unit) *unit = reports_root(r->who);
  if (!*unit) return req_fail(r, 403, "forbidden", "unit", "Tài khoản này không được xem chỉ tiêu của đơn vị nào.");
  return ind_query_date(r, key);
}

int ind_query_date(req *r, int64_t *key) {
  int64_t today = groups_date_key(clock_now());
  *key = today;
  const char *ds = req_qstr(r, "date");
  if (ds && *ds) {
    *key = ind_date_key(ds);
    if (*key < 0) return req_fail(r, 400, "invalid_value", "date", "Ngày tham chiếu phải là một ngày có thật, dạng YYYY-MM-DD.");
    if (*key > today) return req_fail(r, 400, "invalid_value", "date", "Ngày tham chiếu không được ở tương lai.");
  }
  return 0;
}

int h_commendations(req *r) {
  int64_t unit = 0, key = 0;
  if (unit_and_date(r, &unit, &key) != 0) return -1;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (ind_commendations(c, unit, key, &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_commendation_rules_add(req *r) {
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  int64_t id = 0;
  if (ind_rule_add(req_dbw(r), req_str(r, "name"), json_object_get(r->body, "rule"), r->who->user_id, clock_now(), &id,
                   &r->err) != 0)
    return -1;
  if (req_audit(r, "commendation.rule.create", "commendation_rule", id, 0, json_pack("{s:s}", "name", req_str(r, "name"))) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

int h_indicators_ranking(req *r) {
  int64_t unit = 0, key = 0;
  if (unit_and_date(r, &unit, &key) != 0) return -1;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  const char *code = req_qstr(r, "code");
  if (ind_ranking(c, code && *code ? code : "T3", unit, key, &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_indicators_history(req *r) {
  int64_t unit = req_qint(r, "unit", 0);
  if (!unit) unit = reports_root(r->who);
  if (!unit) return req_fail(r, 403, "forbidden", "unit", "Tài khoản này không được xem chỉ tiêu của đơn vị nào.");
  const char *code = req_qstr(r, "code");
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (ind_history(c, unit, code && *code ? code : "T3", &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_indicator_defs_list(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (ind_defs_list(c, &items, &r->err) != 0) return -1;
  return req_page_all(r, items);
}

/* A validation error names the body's field: "definition.population", not "population". */
static void body_field(req *r) {
  static _Thread_local char field[64];
  const char *f = r->err.field;
  if (f && (strcmp(f, "base") == 0 || strcmp(f, "population") == 0 || strcmp(f, "condition") == 0)) {
    snprintf(field, sizeof field, "definition.%s", f);
    r->err.field = field;
  }
}

static int save(req *r, int64_t id) {
  const json_t *def = json_object_get(r->body, "definition");
  const json_t *targets = json_object_get(r->body, "targets");
  if (!id && !def) return req_fail(r, 400, "missing_field", "definition", "Cần định nghĩa chỉ tiêu (definition).");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  int64_t saved = 0;
  if (ind_def_save(req_dbw(r), id, req_str(r, "code"), req_str(r, "name"), def, targets, req_bool(r, "active", -1),
                   r->who->user_id, clock_now(), &saved, &r->err) != 0) {
    body_field(r);
    return -1;
  }
  const char *code = req_str(r, "code");
  if (req_audit(r, id ? "indicator.update" : "indicator.create", "indicator", saved, 0,
                json_pack("{s:s?}", "code", code)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, id ? 200 : 201, json_pack("{s:I}", "id", (json_int_t)saved));
}

int h_indicator_defs_create(req *r) { return save(r, 0); }
int h_indicator_defs_update(req *r) { return save(r, req_param(r, 0)); }

/* ---- reports (report.h): one period of one unit, from the quarter's snapshot ---- */

/* The report's data for the query's unit and period; the dispatcher checked reports.read on a unit
 * named. Built before any connection of the request is taken (it may take the unit's snapshot). */
static int build(req *r, json_t **o) {
  int64_t unit = req_qint(r, "unit", 0);
  if (!unit) unit = reports_root(r->who);
  if (!unit) return req_fail(r, 403, "forbidden", "unit", "Tài khoản này không được xem báo cáo của đơn vị nào.");
  const char *period = req_qstr(r, "period");
  int64_t today = groups_date_key(clock_now());
  char last[8];
  if (!period || !*period) {
    ind_last_quarter(today, last); /* by default the quarter just ended */
    period = last;
  }
  return report_build(r->app->st, unit, period, today, o, &r->err);
}

/* The report file's names (ASCII, and Vietnamese) and no caching. */
static void disposition(req *r, const json_t *o, const char *ext) {
  const json_t *u = json_object_get(o, "unit");
  char name[300], file[120];
  snprintf(name, sizeof name, "Báo cáo Bình dân học vụ số %s %s.%s", json_string_value(json_object_get(u, "name")),
           json_string_value(json_object_get(o, "label")), ext);
  snprintf(file, sizeof file, "bao-cao-bdhvs-%lld-%s.%s", (long long)json_integer_value(json_object_get(u, "id")),
           json_string_value(json_object_get(o, "period")), ext);
  req_attachment(r, file, name);
  req_header(r, "Cache-Control", "private, no-store");
}

int h_reports_get(req *r) {
  json_t *o = NULL;
  if (build(r, &o) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_reports_pdf(req *r) {
  if (req_same_origin(r) != 0) return -1;
  json_t *o = NULL;
  if (build(r, &o) != 0) return -1;
  unsigned char *pdf = NULL;
  size_t len = 0;
  int rc = report_pdf(o, &pdf, &len, &r->err);
  if (rc == 0) disposition(r, o, "pdf");
  json_decref(o);
  if (rc != 0) return -1;
  r->status = 200;
  r->raw = (char *)pdf;
  r->raw_len = len;
  r->raw_type = "application/pdf";
  return 0;
}

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

int h_reports_xlsx(req *r) {
  if (req_same_origin(r) != 0) return -1;
  json_t *o = NULL;
  if (build(r, &o) != 0) return -1;
  /* Written whole into the data directory, unlinked at once, sent from its descriptor. */
  char path[1200];
  snprintf(path, sizeof path, "%s/report-XXXXXX.xlsx", r->app->cfg.data);
  int tmpfd = mkstemps(path, 5);
  if (tmpfd < 0) {
    json_decref(o);
    log_error("report: cannot create a file in %s: %s", r->app->cfg.data, strerror(errno));
    return APP_INTERNAL(&r->err);
  }
  close(tmpfd);
  int rc = report_xlsx(o, path, r->app->cfg.data, &r->err);
  int fd = rc == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
  unlink(path);
  struct stat st;
  if (rc != 0 || fd < 0 || fstat(fd, &st) != 0) {
    if (fd >= 0) close(fd);
    json_decref(o);
    return rc != 0 ? -1 : APP_INTERNAL(&r->err);
  }
  disposition(r, o, "xlsx");
  json_decref(o);
  return req_send_file(r, XLSX_TYPE, fd, (uint64_t)st.st_size);
}

/* ---- the public progress board (plan IV.1.1): a ward's figures, no personal data ---- */

/* Counting a ward costs seconds at a city's size: the board's figures are kept BOARD_TTL seconds
 * per unit, refreshed by one request at a time while the others read the figures kept. */
enum { BOARD_TTL = 300, BOARD_SLOTS = 8 };
static struct {
  pthread_mutex_t mu;
  struct {
    int64_t unit, at;
    json_t *o;
    bool busy;
  } slot[BOARD_SLOTS];
} board = {.mu = PTHREAD_MUTEX_INITIALIZER};

STORE_SQL(q_board_unit, "SELECT id FROM units WHERE kind IN ('ward', 'commune') ORDER BY depth, id LIMIT 1");
STORE_SQL(q_board_kind, "SELECT kind FROM units WHERE id = ?");

int h_board(req *r) {
  int64_t unit = req_qint(r, "unit", 0);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  store_stmt *s = store_prepare(c, unit ? &q_board_kind : &q_board_unit);
  if (!s) return APP_INTERNAL(&r->err);
  if (unit) store_bind_int(s, 1, unit);
  int rc = store_step(s);
  bool ok = rc == STORE_ROW;
  if (ok && !unit) unit = store_col_int(s, 0);
  if (ok && unit && req_qint(r, "unit", 0)) {
    const char *k = store_col_text(s, 0);
    ok = strcmp(k, "ward") == 0 || strcmp(k, "commune") == 0 || strcmp(k, "city") == 0;
  }
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) return APP_INTERNAL(&r->err);
  if (!ok) return req_fail(r, 404, "not_found", "unit", "Bảng tin chỉ có cho phường, xã hoặc thành phố.");
  int64_t now = clock_now();
  json_t *kept = NULL;
  int mine = -1;
  pthread_mutex_lock(&board.mu);
  int free_slot = -1, oldest = 0;
  for (int i = 0; i < BOARD_SLOTS; i++) {
    if (board.slot[i].unit == unit) {
      if (board.slot[i].o) kept = json_incref(board.slot[i].o);
      if (!board.slot[i].busy && (!kept || now - board.slot[i].at >= BOARD_TTL)) {
        board.slot[i].busy = true;
        mine = i;
      }
      free_slot = -2;
      break;
    }
    if (!board.slot[i].unit && free_slot == -1) free_slot = i;
    if (board.slot[i].at < board.slot[oldest].at && !board.slot[i].busy) oldest = i;
  }
  if (free_slot != -2) { /* a unit not kept yet: a free slot, or the oldest one */
    int i = free_slot >= 0 ? free_slot : oldest;
    if (!board.slot[i].busy) {
      json_decref(board.slot[i].o);
      board.slot[i].o = NULL;
      board.slot[i].unit = unit;
      board.slot[i].at = 0;
      board.slot[i].busy = true;
      mine = i;
    }
  }
  pthread_mutex_unlock(&board.mu);
  if (mine >= 0) {
    json_t *o = NULL;
    app_err e = {0};
    int crc = ind_compute(c, unit, groups_date_key(now), &o, &e);
    json_t *pub = NULL;
    if (crc == 0) {
      /* only what a public screen shows: figures, never a person */
      json_t *items = json_array();
      size_t i;
      json_t *it;
      json_array_foreach(json_object_get(o, "items"), i, it) {
        if (!json_is_true(json_object_get(it, "builtin"))) continue;
        json_array_append_new(items, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "code", json_object_get(it, "code"),
                                               "name", json_object_get(it, "name"), "numerator",
                                               json_object_get(it, "numerator"), "denominator",
                                               json_object_get(it, "denominator"), "percent",
                                               json_object_get(it, "percent"), "target", json_object_get(it, "target"),
                                               "met", json_object_get(it, "met")));
      }
      char at[32];
      clock_iso8601(now, at, sizeof at);
      pub = json_pack("{s:{s:O, s:O}, s:O, s:s, s:o}", "unit", "id", json_object_get(json_object_get(o, "unit"), "id"),
                      "name", json_object_get(json_object_get(o, "unit"), "name"), "date", json_object_get(o, "date"),
                      "computed_at", at, "items", items);
    }
    json_decref(o);
    pthread_mutex_lock(&board.mu);
    board.slot[mine].busy = false;
    if (pub) {
      json_decref(board.slot[mine].o);
      board.slot[mine].o = json_incref(pub);
      board.slot[mine].at = now;
    }
    pthread_mutex_unlock(&board.mu);
    if (pub) {
      json_decref(kept);
      kept = pub;
    } else if (!kept) {
      r->err = e;
      return -1;
    }
  }
  if (!kept) return req_fail(r, 503, "unavailable", NULL, "Bảng tin đang được cập nhật. Vui lòng thử lại sau ít giây.");
  req_header(r, "Cache-Control", "public, max-age=60");
  return req_ok(r, 200, kept);
}

/* For h_indicators_left.c: the same unit and date as the dashboard. */
int ind_query_unit_date(req *r, int64_t *unit, int64_t *key) { return unit_and_date(r, unit, key); }

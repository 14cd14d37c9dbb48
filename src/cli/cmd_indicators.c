/* cmd_indicators.c: `hocvuso indicators`: the figures of a unit on a date as the API gives them
 * (prints one JSON object), and `hocvuso indicators snapshot [--quarter YYYY-Qn]`: takes a quarter's
 * snapshot of every unit (indicators.h; the server takes the last quarter's by itself), printing
 * {"quarter": Q, "units": N}. Exit 0; 1 when the database failed; 2 on bad usage (a unit that does
 * not exist, a date or quarter that is none, a quarter that has not ended).
 * Never: changes a figure already in a snapshot.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/groups.h"
#include "domain/indicators.h"
#include "domain/units.h"
#include "util/clock.h"

const cli_opt indicators_opts[] = {
    CLI_DB_OPTS,
    {"unit", true, "CODE    the unit (and its whole subtree); default: the ward (or the first top unit)"},
    {"date", true, "YYYY-MM-DD    the reference date; default today"},
    {"quarter", true, "YYYY-Qn    snapshot: the quarter; default the last one that has ended"},
    {NULL, false, NULL},
};

STORE_SQL(q_default_unit, "SELECT id FROM units WHERE kind IN ('ward', 'commune') ORDER BY depth, id LIMIT 1");
STORE_SQL(q_top_unit, "SELECT id FROM units WHERE depth = 0 ORDER BY id LIMIT 1");

static int64_t first_id(store_conn *c, const store_sql *q) {
  store_stmt *s = store_prepare(c, q);
  if (!s) return -1;
  int rc = store_step(s);
  int64_t id = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  return rc == STORE_ROW || rc == STORE_DONE ? id : -1;
}

static int figures(store *st, const cli_args *args) {
  const char *code = cli_get(indicators_opts, args, "unit"), *date = cli_get(indicators_opts, args, "date");
  int64_t today = groups_date_key(clock_now()), key = today;
  if (date && ((key = ind_date_key(date)) < 0 || key > today)) {
    fprintf(stderr, "hocvuso indicators: --date %s: a real date, not in the future (YYYY-MM-DD)\n", date);
    return 2;
  }
  store_conn *c = store_acquire(st, false);
  if (!c) return 1;
  int ret = 1;
  int64_t unit = code ? units_find(c, code) : first_id(c, &q_default_unit);
  if (!code && unit == 0) unit = first_id(c, &q_top_unit);
  json_t *o = NULL;
  app_err e = {0};
  if (unit <= 0) {
    fprintf(stderr, "hocvuso indicators: %s\n", code ? "no unit has this code" : "no unit yet");
    ret = code ? 2 : 1;
  } else if (ind_compute(c, unit, key, &o, &e) != 0) {
    fprintf(stderr, "hocvuso indicators: %s\n", e.message ? e.message : "database error");
  } else {
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text) {
      printf("%s\n", text);
      ret = fflush(stdout) == 0 ? 0 : 1;
    }
    free(text);
  }
  json_decref(o);
  store_release(c);
  return ret;
}

static int snapshot(store *st, const cli_args *args) {
  const char *given = cli_get(indicators_opts, args, "quarter");
  char q[8];
  int64_t today = groups_date_key(clock_now());
  if (given) {
    if (ind_quarter_end(given) < 0 || ind_quarter_end(given) >= today) {
      fprintf(stderr, "hocvuso indicators snapshot: --quarter %s: a quarter (YYYY-Qn) that has ended\n", given);
      return 2;
    }
    snprintf(q, sizeof q, "%s", given);
  } else {
    ind_last_quarter(today, q);
  }
  char err[512] = "";
  int64_t n = 0;
  if (ind_snapshot_take(st, q, today, &n, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso indicators snapshot: %s (%lld units written before)\n", err, (long long)n);
    return 1;
  }
  printf("{\"quarter\": \"%s\", \"units\": %lld}\n", q, (long long)n);
  return fflush(stdout) == 0 ? 0 : 1;
}

int cmd_indicators(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("indicators", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  bool snap = args.npos == 1 && strcmp(args.pos[0], "snapshot") == 0;
  if (args.npos > 1 || (args.npos == 1 && !snap)) {
    fprintf(stderr, "hocvuso indicators: unexpected argument \"%s\"\n", args.pos[args.npos > 1 ? 1 : 0]);
    return 2;
  }
  secrets keys;
  store *st = cli_open(&cfg, &keys, 2, true);
  if (!st) return 1;
  int ret = snap ? snapshot(st, &args) : figures(st, &args);
  store_close(st);
  return ret;
}

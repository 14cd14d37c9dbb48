/* cmd_indicators.c: `hocvuso indicators`: the figures of a unit on a date as the API gives them
 * (prints one JSON object), and `hocvuso indicators snapshot [--quarter YYYY-Qn]`: takes a quarter's
 * snapshot of every unit (indicators.h; the server takes the last quarter's by itself), printing
 * {"quarter": Q, "units": N}; `hocvuso indicators --verify`: every unit's people and households
 * recounted from the records and compared with the live counts (indlive.h), exit 0 only when they
 * agree; `hocvuso indicators drain`: what is marked classified now. Exit 0; 1 when the database failed; 2 on bad usage (a unit that does
 * not exist, a date or quarter that is none, a quarter that has not ended).
 * Never: changes a figure already in a snapshot.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/groups.h"
#include "domain/indicators.h"
#include "domain/indlive.h"
#include "domain/units.h"
#include "util/clock.h"

const cli_opt indicators_opts[] = {
    CLI_DB_OPTS,
    {"unit", true, "CODE    the unit (and its whole subtree); default: the ward (or the first top unit)"},
    {"date", true, "YYYY-MM-DD    the reference date; default today"},
    {"quarter", true, "YYYY-Qn    snapshot: the quarter; default the last one that has ended"},
    {"verify", false, "    recount every unit's figures from the records and compare them with the live counts;"
                      " exit 0 only when they agree (1: a difference, each one printed)"},
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
  if (ind_snapshot_take(st, q, today, NULL, &n, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso indicators snapshot: %s (%lld units written before)\n", err, (long long)n);
    return 1;
  }
  printf("{\"quarter\": \"%s\", \"units\": %lld}\n", q, (long long)n);
  return fflush(stdout) == 0 ? 0 : 1;
}

/* --verify: the live counts against a full recount, every unit. */
static int verify(store *st) {
  int64_t today = groups_date_key(clock_now()), units = 0, records = 0, diffs = 0;
  char err[512] = "";
  double t0 = clock_mono();
  if (indlive_verify(st, today, stdout, &units, &records, &diffs, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso indicators --verify: %s\n", err);
    return 1;
  }
  double s = clock_mono() - t0;
  store_conn *c = store_acquire(st, false);
  int64_t pending = c ? indlive_pending(c, today, INT64_MAX) : -1;
  store_release(c);
  printf("%s: %lld unit(s), %lld record(s) recounted in %.2f s (%.0f records/s); %lld difference(s);"
         " %lld record(s) marked and not drained yet (added by every reader)\n",
         diffs ? "DIFFERENT" : "agree", (long long)units, (long long)records, s, s > 0 ? (double)records / s : 0.0,
         (long long)diffs, (long long)pending);
  if (fflush(stdout) != 0) return 1;
  return diffs ? 1 : 0;
}

/* drain: classify now what is marked (after an import or a demo made without the server). */
static int drain_now(store *st) {
  int64_t done = 0;
  char err[512] = "";
  if (indlive_drain(st, groups_date_key(clock_now()), NULL, &done, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso indicators drain: %s (%lld record(s) classified before)\n", err, (long long)done);
    return 1;
  }
  printf("{\"classified\": %lld}\n", (long long)done);
  return fflush(stdout) == 0 ? 0 : 1;
}

int cmd_indicators(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("indicators", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  bool snap = args.npos == 1 && strcmp(args.pos[0], "snapshot") == 0;
  bool drain = args.npos == 1 && strcmp(args.pos[0], "drain") == 0;
  bool check = cli_get(indicators_opts, &args, "verify") != NULL;
  if (args.npos > 1 || (args.npos == 1 && !snap && !drain) || (check && args.npos)) {
    fprintf(stderr, "hocvuso indicators: unexpected argument \"%s\"\n", args.pos[args.npos > 1 ? 1 : 0]);
    return 2;
  }
  secrets keys;
  store *st = cli_open(&cfg, &keys, 2, true);
  if (!st) return 1;
  int ret = check ? verify(st) : snap ? snapshot(st, &args) : drain ? drain_now(st) : figures(st, &args);
  store_close(st);
  return ret;
}

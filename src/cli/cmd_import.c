/* cmd_import.c: `hocvuso import curriculum DIR` loads a curriculum directory (content/curriculum:
 * curriculum.json, Markdown lessons, GIFT questions) and prints {"modules", "questions",
 * "rejected", "lessons"}; run again, it adds nothing.
 * `hocvuso import competencies FILE` loads a competence framework table (CSV or XLSX with the columns
 * of shared/data/khung-nang-luc-so.csv) and prints {"added", "unchanged"}.
 * `hocvuso import questions [--competency C --level L] FILE` imports a question file
 * (GIFT or Moodle XML) into the question bank and prints {"imported", "unchanged", "rejected"} (each
 * rejected question with its line, title and reason), with the exit codes below.
 * `hocvuso import residents [--data DIR] [--database URI] FILE`: imports a resident
 * list (CSV or XLSX, told apart by content) with the browser's engine and rules, the operator acting
 * over the whole unit tree. Prints one JSON object on stdout:
 *   {"imported": N, "unchanged": N, "rejected": [{"line": L, "reason": "…"}]}
 * (L: the file's line, the header being line 1; `imported` counts new and updated records). Exit 0
 * when the file could be read, even with rejected rows; 1 with a message on stderr when it could
 * not (encoding, empty, not a workbook, missing or repeated columns) or the database failed; 2 on
 * bad usage. Never: prints a row's personal data.
 *   Before its file it resumes, one by one, the jobs whose owner process is gone (an import or a
 *   server killed mid-way: jobs.h, "Who runs it"), each told on stderr; while it runs, its own job's
 *   lease is renewed, so that a server or another import never takes it over. Ctrl-C (SIGINT) or
 *   SIGTERM stops it after the chunk being written (exit 1): the job is resumed by the next process
 *   that looks, nothing imported twice.
 * `hocvuso import confirmations [--unit CODE] FILE`: a list of confirmations from outside (VNeID, the
 * national platform, other courses; confirmations.h), matched by CCCD to the people registered in
 * the unit tree (or in CODE's subtree); prints {"recorded", "unchanged", "unmatched": [{"line",
 * "reason"}], "rejected": [{"line", "field", "reason"}], "unmatched_count", "rejected_count"}
 * with the exit codes above.
 * `hocvuso import plan --unit CODE [FILE]`: the plan's tasks (plan.h) for the ward CODE: the plan the
 * binary carries (content/plan/tasks.json), or FILE of the same shape; prints {"tasks", "new",
 * "names_new", "units_mapped"}. Run again: the plan's text is written again, nothing doubled, the map
 * an admin edited kept.
 */
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/confirmations.h"
#include "domain/import_file.h"
#include "domain/jobs.h"
#include "domain/units.h"
#include "domain/lessons.h"
#include "domain/plan.h"
#include "domain/qbank.h"
#include "util/clock.h"
#include "util/config.h"

const cli_opt import_opts[] = {
    CLI_DB_OPTS,
    {"competency", true, "C  questions: the competence code (e.g. 4.2) of questions that name none"},
    {"level", true, "L     questions: their level, 1-8"},
    {"unit", true, "CODE   confirmations: match only people registered in this unit's subtree; plan: the ward"},
    {NULL, false, NULL},
};

/* The command's answer on stdout, one line: 0, or 1 when it could not be written. */
static int print_json(const json_t *o) {
  char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  int ret = 1;
  if (text) {
    printf("%s\n", text);
    ret = fflush(stdout) == 0 ? 0 : 1;
  }
  free(text);
  return ret;
}

static int import_competencies(const config *cfg, const char *path) {
  secrets keys;
  store *st = cli_open(cfg, &keys, 2, true);
  if (!st) return 1;
  char err[1024] = "";
  int added = 0, kept = 0, ret = 1;
  if (qbank_competencies_load(st, path, &added, &kept, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso import: %s\n", err);
  } else {
    printf("{\"added\":%d,\"unchanged\":%d}\n", added, kept);
    ret = fflush(stdout) == 0 ? 0 : 1;
  }
  store_close(st);
  return ret;
}

static int import_curriculum(const config *cfg, const char *dir) {
  secrets keys;
  store *st = cli_open(cfg, &keys, 2, true);
  if (!st) return 1;
  char err[1024];
  curriculum_counts n;
  int ret = 1;
  if (curriculum_load(st, dir, &n, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso import: %s\n", err);
  } else {
    printf("{\"modules\":%d,\"questions\":%d,\"rejected\":%d,\"lessons\":%d}\n", n.modules, n.questions, n.rejected,
           n.lessons);
    ret = fflush(stdout) == 0 ? 0 : 1;
  }
  store_close(st);
  return ret;
}

static int import_questions(const cli_args *args, const config *cfg, const char *path) {
  const char *comp = cli_get(import_opts, args, "competency");
  const char *lv = cli_get(import_opts, args, "level");
  long long level = 0;
  if (lv && !parse_int(lv, 1, 8, &level)) {
    fprintf(stderr, "hocvuso import: --level must be a whole number from 1 to 8\n");
    return 2;
  }
  secrets keys;
  store *st = cli_open(cfg, &keys, 2, true);
  if (!st) return 1;
  char err[1024];
  json_t *o = NULL;
  const char *base = strrchr(path, '/');
  int ret = 1;
  if (qbank_import_file(st, path, comp, (int)level, base ? base + 1 : path, &o, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso import: %s\n", err);
  } else {
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text) {
      printf("%s\n", text);
      ret = fflush(stdout) == 0 ? 0 : 1;
    }
    free(text);
  }
  json_decref(o);
  store_close(st);
  return ret;
}

static int import_confirmations(const cli_args *args, const config *cfg, const char *path) {
  secrets keys;
  store *st = cli_open(cfg, &keys, 2, true);
  if (!st) return 1;
  int ret = 1;
  json_t *o = NULL;
  scope_sql sc;
  scope_sql_all(&sc);
  const char *base = strrchr(path, '/');
  conf_import_opts opts = {.scope = &sc, .by_username = "cli", .ip = "local", .file_name = base ? base + 1 : path};
  const char *unit = cli_get(import_opts, args, "unit");
  if (unit) {
    store_conn *c = store_acquire(st, false);
    opts.unit_id = c ? units_find(c, unit) : 0;
    if (c) store_release(c);
    if (opts.unit_id <= 0) {
      fprintf(stderr, "hocvuso import: không có đơn vị mang mã %s\n", unit);
      goto out;
    }
  }
  app_err e = {0};
  if (confirmations_import(st, &keys, path, NULL, 0, &opts, &o, &e) != 0) {
    fprintf(stderr, "hocvuso import: %s\n", e.message ? e.message : "lỗi hệ thống");
    goto out;
  }
  ret = print_json(o);
out:
  json_decref(o);
  store_close(st);
  return ret;
}

static int import_plan(const cli_args *args, const config *cfg, const char *file) {
  const char *code = cli_get(import_opts, args, "unit");
  if (!code || !*code) {
    fprintf(stderr, "hocvuso import plan: --unit CODE (the ward the plan belongs to) is required\n");
    return 2;
  }
  char *text = NULL;
  size_t len = 0;
  if (file) {
    FILE *f = fopen(file, "rb");
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < 16 * 1024 * 1024 && fseek(f, 0, SEEK_SET) == 0 &&
        (text = malloc((size_t)n + 1)) && fread(text, 1, (size_t)n, f) == (size_t)n) {
      len = (size_t)n;
    } else {
      free(text);
      text = NULL;
    }
    if (f) fclose(f);
    if (!text) {
      fprintf(stderr, "hocvuso import: không đọc được tệp %s\n", file);
      return 1;
    }
  }
  secrets keys;
  store *st = cli_open(cfg, &keys, 1, true);
  if (!st) {
    free(text);
    return 1;
  }
  int ret = 1;
  char err[512] = "";
  plan_load_counts n;
  store_conn *w = store_acquire(st, true);
  int64_t ward = w ? units_find(w, code) : 0;
  if (!w) {
    fprintf(stderr, "hocvuso import: the database cannot be reached\n");
  } else if (!ward) {
    fprintf(stderr, "hocvuso import: no unit %s\n", code);
  } else if (store_begin(w) != STORE_OK ||
             plan_load(w, text ? text : plan_tasks_json, text ? len : plan_tasks_json_len, ward, clock_now(), &n, err,
                       sizeof err) != 0 ||
             store_commit(w) != STORE_OK) {
    fprintf(stderr, "hocvuso import: %s\n", err[0] ? err : store_errmsg(w));
    if (store_in_transaction(w)) store_rollback(w);
  } else {
    printf("{\"tasks\":%d,\"new\":%d,\"names_new\":%d,\"units_mapped\":%d}\n", n.tasks_new + n.tasks_kept, n.tasks_new,
           n.names_new, n.units_mapped);
    ret = fflush(stdout) == 0 ? 0 : 1;
  }
  if (w) store_release(w);
  store_close(st);
  free(text);
  return ret;
}

/* Ctrl-C or SIGTERM during a resident import: stop after the chunk being written. */
static atomic_bool import_stop;
static void on_stop_signal(int sig) {
  (void)sig;
  atomic_store(&import_stop, true);
}

static void on_resumed(void *ctx, int64_t id, const char *status, const char *error) {
  (void)ctx;
  if (!strcmp(status, "done"))
    fprintf(stderr, "hocvuso import: lượt nhập #%lld bị dừng giữa chừng trước đây đã được tiếp tục và hoàn tất\n",
            (long long)id);
  else
    fprintf(stderr, "hocvuso import: lượt nhập #%lld bị dừng giữa chừng trước đây: %s%s%s\n", (long long)id,
            !strcmp(status, "failed") ? "không tiếp tục được" : "chưa xong", error[0] ? ": " : "", error);
}

static int import_residents(store *st, const secrets *keys, const char *path) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
    fprintf(stderr, "hocvuso import: Ctrl-C sẽ dừng ngay (không chờ hết phần đang ghi)\n");
  if (jobs_lease_start(st) != 0) {
    fprintf(stderr, "hocvuso import: cannot start the thread that keeps the job's lease\n");
    return 1;
  }
  char err[1024];
  json_t *o = NULL;
  int ret = 1, resumed = 0;
  if (import_file_resume_orphans(st, keys, &import_stop, on_resumed, NULL, &resumed, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso import: %s\n", err);
    goto out;
  }
  /* The file is read (encoding, format, header) before anything is written. */
  if (import_file_residents(st, keys, path, true, &import_stop, &o, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso import: %s\n", err);
    goto out;
  }
  ret = print_json(o);
out:
  json_decref(o);
  jobs_lease_stop();
  return ret;
}

int cmd_import(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("import", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  if (args.npos >= 1 && args.npos <= 2 && strcmp(args.pos[0], "plan") == 0)
    return import_plan(&args, &cfg, args.npos == 2 ? args.pos[1] : NULL);
  bool questions = args.npos == 2 && strcmp(args.pos[0], "questions") == 0;
  bool curriculum = args.npos == 2 && strcmp(args.pos[0], "curriculum") == 0;
  bool competencies = args.npos == 2 && strcmp(args.pos[0], "competencies") == 0;
  bool confirmations = args.npos == 2 && strcmp(args.pos[0], "confirmations") == 0;
  if (args.npos != 2 ||
      (!questions && !curriculum && !competencies && !confirmations && strcmp(args.pos[0], "residents") != 0)) {
    fprintf(stderr, "hocvuso import: usage: hocvuso import residents|questions|curriculum|competencies|confirmations"
                    " [--data DIR] [--database URI] [--competency C --level L] [--unit CODE] FILE|DIR\n"
                    "       hocvuso import plan --unit CODE [FILE]\n");
    return 2;
  }
  if (curriculum) return import_curriculum(&cfg, args.pos[1]);
  if (competencies) return import_competencies(&cfg, args.pos[1]);
  char path[PATH_MAX];
  if (!realpath(args.pos[1], path)) {
    fprintf(stderr, "hocvuso import: không mở được tệp %s\n", args.pos[1]);
    return 1;
  }
  if (questions) return import_questions(&args, &cfg, path);
  if (confirmations) return import_confirmations(&args, &cfg, path);
  secrets keys;
  store *st = cli_open(&cfg, &keys, 2, true);
  if (!st) return 1;
  /* SQLite: the WAL checkpointed by a thread of its own, as the server does, not by the importer's
   * commits (a large import's chunks no longer wait for their pages to be copied back). */
  if (store_maintenance_start(st) != 0)
    fprintf(stderr, "hocvuso import: không chạy được luồng bảo trì cơ sở dữ liệu; tiếp tục nhập (chậm hơn)\n");
  int ret = import_residents(st, &keys, path);
  store_close(st);
  return ret;
}

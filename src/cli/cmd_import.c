/* cmd_import.c: `hocvuso import residents [--data DIR] [--database URI] FILE`: imports a resident
 * list (CSV or XLSX, told apart by content) with the browser's engine and rules, the operator acting
 * over the whole unit tree. Prints one JSON object on stdout:
 *   {"imported": N, "unchanged": N, "rejected": [{"line": L, "reason": "…"}]}
 * (L: the file's line, the header being line 1; `imported` counts new and updated records). Exit 0
 * when the file could be read, even with rejected rows; 1 with a message on stderr when it could
 * not (encoding, empty, not a workbook, missing or repeated columns) or the database failed; 2 on
 * bad usage. Never: prints a row's personal data.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/importer.h"
#include "domain/jobs.h"

const cli_opt import_opts[] = {CLI_DB_OPTS, {NULL, false, NULL}};

static int job_read(store *st, int64_t id, import_job *j, json_t **errors) {
  store_conn *c = store_acquire(st, false);
  if (!c) return -1;
  int rc = jobs_get(c, id, j) == 1 ? 0 : -1;
  if (rc == 0 && errors) rc = jobs_errors_json(c, id, 0, errors);
  store_release(c);
  return rc;
}

int cmd_import(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("import", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  if (args.npos != 2 || strcmp(args.pos[0], "residents") != 0) {
    fprintf(stderr, "hocvuso import: usage: hocvuso import residents [--data DIR] [--database URI] FILE\n");
    return 2;
  }
  char path[PATH_MAX];
  if (!realpath(args.pos[1], path)) {
    fprintf(stderr, "hocvuso import: không mở được tệp %s\n", args.pos[1]);
    return 1;
  }
  /* The file is read (encoding, format, header) before anything is written. */
  char err[1024];
  json_t *inspect = NULL;
  int64_t estimate = 0;
  if (importer_inspect(path, &inspect, &estimate, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso import: %s\n", err);
    return 1;
  }
  const char *problem = json_string_value(json_object_get(inspect, "mapping_error"));
  if (problem) {
    fprintf(stderr, "hocvuso import: %s\n", problem);
    json_decref(inspect);
    return 1;
  }
  import_job j = {.scope_all = true, .rows_total = estimate};
  snprintf(j.kind, sizeof j.kind, "residents");
  snprintf(j.status, sizeof j.status, "running");
  const char *base = strrchr(path, '/');
  if (strlen(path) >= sizeof j.file_path) {
    fprintf(stderr, "hocvuso import: đường dẫn tệp quá dài\n");
    json_decref(inspect);
    return 1;
  }
  memcpy(j.file_path, path, strlen(path) + 1);
  base = base ? base + 1 : path;
  size_t bl = strlen(base) < sizeof j.file_name ? strlen(base) : sizeof j.file_name - 1;
  memcpy(j.file_name, base, bl);
  j.file_name[bl] = '\0';
  snprintf(j.format, sizeof j.format, "%s", json_string_value(json_object_get(inspect, "format")));
  json_decref(inspect);
  secrets keys;
  store *st = cli_open(&cfg, &keys, 2, true);
  if (!st) return 1;
  int ret = 1;
  store_conn *w = store_acquire(st, true);
  if (!w || store_begin(w) != STORE_OK || jobs_create(w, &j) != 0 || store_commit(w) != STORE_OK) {
    fprintf(stderr, "hocvuso import: cannot record the import: %s\n", w ? store_errmsg(w) : "no connection");
    if (w) store_release(w);
    goto out;
  }
  store_release(w);
  if (importer_run(st, &keys, j.id, NULL, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso import: %s\n", err);
    goto out;
  }
  import_job done = {0};
  json_t *errors = NULL;
  if (job_read(st, j.id, &done, &errors) != 0) {
    fprintf(stderr, "hocvuso import: cannot read the result\n");
    import_job_clear(&done);
    goto out;
  }
  if (strcmp(done.status, "done") != 0) {
    fprintf(stderr, "hocvuso import: %s\n", done.error[0] ? done.error : "không nhập được tệp");
    json_decref(errors);
    import_job_clear(&done);
    goto out;
  }
  json_t *o = json_pack("{s:I, s:I, s:o}", "imported", (json_int_t)done.imported, "unchanged",
                        (json_int_t)done.unchanged, "rejected", errors);
  char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  if (text) {
    printf("%s\n", text);
    ret = fflush(stdout) == 0 ? 0 : 1;
  }
  free(text);
  json_decref(o);
  import_job_clear(&done);
out:
  store_close(st);
  return ret;
}

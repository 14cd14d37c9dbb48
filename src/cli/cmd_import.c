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
#include "domain/import_file.h"

const cli_opt import_opts[] = {CLI_DB_OPTS, {NULL, false, NULL}};

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
  secrets keys;
  store *st = cli_open(&cfg, &keys, 2, true);
  if (!st) return 1;
  /* The file is read (encoding, format, header) before anything is written. */
  char err[1024];
  json_t *o = NULL;
  int ret = 1;
  if (import_file_residents(st, &keys, path, true, &o, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso import: %s\n", err);
    goto out;
  }
  char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (text) {
    printf("%s\n", text);
    ret = fflush(stdout) == 0 ? 0 : 1;
  }
  free(text);
  json_decref(o);
out:
  store_close(st);
  return ret;
}

/* cmd_backup.c: `hocvuso backup` — an online copy of the SQLite database, safe while the
 * server runs and writes: one consistent snapshot (see store_backup), written beside the target
 * and renamed into place. Never dumps PostgreSQL (pg_dump does; docs/OPERATIONS.md). */
#include <stdio.h>

#include "cli/cli.h"

const cli_opt backup_opts[] = {
    {"out", true, "FILE   where to write the copy (required)"},
    CLI_DB_OPTS,
    {NULL, false, NULL},
};

int cmd_backup(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("backup", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  const char *out = cli_get(backup_opts, &args, "out");
  if (!out || !*out) {
    fprintf(stderr, "hocvuso backup: --out FILE is required\n");
    return 2;
  }
  secrets keys;
  store *st = cli_open(&cfg, &keys, 1, false);
  if (!st) return 1;
  char err[512];
  rc = store_backup(st, out, err, sizeof err);
  store_close(st);
  if (rc != 0) {
    fprintf(stderr, "hocvuso backup: %s\n", err);
    return 1;
  }
  printf("backup written to %s\n", out);
  return 0;
}

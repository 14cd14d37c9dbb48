/* cmd_backup.c: `hocvuso backup` — an online copy of the SQLite database, safe while the
 * server runs and writes: one consistent snapshot (see store_backup), written beside the target
 * and renamed into place; and the attachments (attachments.h: files named by their SHA-256 under
 * DATA/attachments) copied to FILE.attachments/. Files are never changed once stored, so copying
 * them after the snapshot keeps every file the copy's rows name. On PostgreSQL it copies the
 * attachments only (the database is dumped with pg_dump; docs/OPERATIONS.md). */
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "domain/attachments.h"

const cli_opt backup_opts[] = {
    {"out", true, "FILE   where to write the copy (required); the attachments go to FILE.attachments/"},
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
  char err[512], dir[1100];
  bool pg = store_kind_of(st) == STORE_PG;
  rc = pg ? 0 : store_backup(st, out, err, sizeof err);
  store_close(st);
  if (rc != 0) {
    fprintf(stderr, "hocvuso backup: %s\n", err);
    return 1;
  }
  /* After the database's snapshot: every file its rows name is already stored (a file is written
   * before its row), so none is missing from the copy. */
  int copied = 0;
  snprintf(dir, sizeof dir, "%s.attachments", out);
  if (attachments_backup(cfg.data, dir, &copied, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso backup: attachments: %s\n", err);
    return 1;
  }
  if (pg)
    printf("attachments copied to %s (%d new); dump the PostgreSQL database itself with pg_dump (docs/OPERATIONS.md)\n",
           dir, copied);
  else
    printf("backup written to %s, attachments to %s (%d new)\n", out, dir, copied);
  return 0;
}

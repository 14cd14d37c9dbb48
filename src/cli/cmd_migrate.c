/* cmd_migrate.c: `hocvuso migrate` — applies the schema migrations; running it twice changes
 * nothing. */
#include <stdio.h>

#include "cli/cli.h"
#include "store/migrations.h"

const cli_opt migrate_opts[] = {CLI_DB_OPTS, {NULL, false, NULL}};

int cmd_migrate(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("migrate", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  secrets keys;
  store *st = cli_open(&cfg, &keys, 1, false);
  if (!st) return 1;
  char err[512];
  int n = store_migrate(st, hocvuso_migrations, err, sizeof err);
  if (n < 0) {
    fprintf(stderr, "hocvuso migrate: %s\n", err);
    store_close(st);
    return 1;
  }
  printf("applied %d migration(s); schema version %d (%s)\n", n, store_schema_version(st), store_kind_name(st));
  store_close(st);
  return 0;
}

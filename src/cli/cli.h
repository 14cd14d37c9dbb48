/* cli.h: the subcommand table and what subcommands share: configuration, opening the
 * database with its secrets, printing help. One row per subcommand in main.c. */
#ifndef HOCVUSO_CLI_H
#define HOCVUSO_CLI_H

#include "store/store.h"
#include "util/config.h"
#include "util/secrets.h"

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
  const char *usage;      /* first line of --help */
  const cli_opt *opts;    /* NULL-terminated */
} command;

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_purge(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_indicators(int argc, char **argv);

extern const cli_opt serve_opts[], migrate_opts[], user_opts[], demo_opts[], backup_opts[], version_opts[], routes_opts[],
    synth_opts[], import_opts[], purge_opts[], verify_opts[], keys_opts[], indicators_opts[];

/* Parses argv for `name`, loads configuration; prints help and returns 1 for --help,
 * prints the error and returns -1 on bad usage, 0 otherwise. */
int cli_setup(const char *name, int argc, char **argv, cli_args *a, config *cfg);
/* Loads the secrets, opens the database and applies migrations (when `migrate`). NULL with a
 * message printed on failure. */
store *cli_open(const config *cfg, secrets *keys, int pool, bool migrate);
void cli_help(const char *name);

#endif

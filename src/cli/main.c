/* main.c: hocvuso's entry point and its subcommand table. Each row names a subcommand, its
 * function, its one-line summary and its options; --help comes from the same row. */
#include <sodium.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/migrations.h"
#include "util/log.h"

static const command commands[] = {
    {"serve", cmd_serve, "run the web server", "hocvuso serve [--listen HOST:PORT] [--data DIR] [--database URI]",
     serve_opts},
    {"migrate", cmd_migrate, "create or upgrade the database schema", "hocvuso migrate [--data DIR] [--database URI]",
     migrate_opts},
    {"user", cmd_user, "manage accounts: add, list, passwd, grant, revoke",
     "hocvuso user add NAME --name \"Full name\" [--unit CODE] [--password-stdin]\n"
     "       hocvuso user list\n"
     "       hocvuso user passwd NAME [--password-stdin]\n"
     "       hocvuso user grant NAME ROLE UNIT\n"
     "       hocvuso user revoke NAME ROLE UNIT\n"
     "  ROLE: ward_admin, unit_officer, field_helper, police, teacher, learner; UNIT: a unit code or id",
     user_opts},
    {"demo", cmd_demo, "load the demo ward (phường Hải Dương) and its demo accounts",
     "hocvuso demo [--data DIR] [--database URI]   (HOCVUSO_ADMIN_PASSWORD sets the password)", demo_opts},
    {"backup", cmd_backup, "copy the SQLite database to a file while the server runs",
     "hocvuso backup --out FILE [--data DIR]", backup_opts},
    {"routes", cmd_routes, "print the route table (who may call what), --json for tools", "hocvuso routes [--json]",
     routes_opts},
    {"synth", cmd_synth, "write a synthetic population (the import CSV) for demos and benchmarks",
     "hocvuso synth --residents N [--seed S] [--out FILE]   (the same N and S give the same bytes)", synth_opts},
    {"import", cmd_import, "import a resident list (CSV or XLSX) as the ward admin; prints one JSON object",
     "hocvuso import residents [--data DIR] [--database URI] FILE\n"
     "  prints {\"imported\": N, \"unchanged\": N, \"rejected\": [{\"line\": L, \"reason\": \"…\"}]}\n"
     "hocvuso import confirmations [--data DIR] [--unit CODE] FILE\n"
     "  prints {\"recorded\": N, \"unchanged\": N, \"unmatched\": […], \"rejected\": [{\"line\", \"field\", \"reason\"}]}\n"
     "hocvuso import plan --unit CODE [FILE]   (the plan's tasks for the ward CODE; default: the plan carried)",
     import_opts},
    {"purge", cmd_purge, "delete for good the people past their retention period; prints {\"purged\": N}",
     "hocvuso purge [--data DIR] [--database URI]   (the server also does it every hour)", purge_opts},
    {"verify", cmd_verify, "check a certificate (by ID, or a file with its QR text or signed JSON); exit 0 only if valid",
     "hocvuso verify [--data DIR] [--database URI] ID|FILE\n"
     "  prints {\"status\": \"valid\"|\"revoked\"|\"unknown\"|\"forged\", …}", verify_opts},
    {"keys", cmd_keys, "the certificate-signing keys: list them, or rotate to a new one (old ones stay published)",
     "hocvuso keys list|rotate [--data DIR] [--database URI]", keys_opts},
    {"indicators", cmd_indicators, "the indicators of a unit on a date (JSON); snapshot: take a quarter's figures",
     "hocvuso indicators [--data DIR] [--database URI] [--unit CODE] [--date YYYY-MM-DD]\n"
     "hocvuso indicators snapshot [--quarter YYYY-Qn]   (default: the last quarter ended; the server takes it too)\n"
     "hocvuso indicators --verify   (recount everything; exit 0 only when the live counts agree)\n"
     "hocvuso indicators drain      (classify now what writes have marked; the server does it by itself)\n"
     "  prints {\"quarter\": Q, \"units\": N}",
     indicators_opts},
    {"version", cmd_version, "print the version and the libraries in use", "hocvuso version", version_opts},
};
#define NCOMMANDS ((int)(sizeof commands / sizeof commands[0]))

static void usage(FILE *f) {
  fprintf(f, "hocvuso: the ward's system for Bình dân học vụ số\n\nusage: hocvuso COMMAND [options]\n\ncommands:\n");
  for (int i = 0; i < NCOMMANDS; i++) fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\nhocvuso COMMAND --help tells more.\n");
}

void cli_help(const char *name) {
  for (int i = 0; i < NCOMMANDS; i++) {
    if (strcmp(commands[i].name, name) != 0) continue;
    printf("hocvuso %s: %s\n\nusage: %s\n", name, commands[i].summary, commands[i].usage);
    if (commands[i].opts && commands[i].opts[0].name) {
      printf("\noptions:\n");
      for (const cli_opt *o = commands[i].opts; o->name; o++) printf("  --%-16s %s\n", o->name, o->help);
    }
    printf("  --%-16s %s\n", "help", "this text");
  }
}

int cli_setup(const char *name, int argc, char **argv, cli_args *a, config *cfg) {
  const cli_opt *opts = NULL;
  for (int i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0) opts = commands[i].opts;
  char err[512];
  if (cli_parse(argc, argv, opts, a, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso %s: %s\n", name, err);
    return -1;
  }
  if (a->help) {
    cli_help(name);
    return 1;
  }
  config_defaults(cfg);
  if (config_load(cfg, opts, a, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso %s: %s\n", name, err);
    return -1;
  }
  return 0;
}

store *cli_open(const config *cfg, secrets *keys, int pool, bool migrate) {
  char err[512], target[1100];
  if (secrets_load(cfg->data, keys, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso: %s\n", err);
    return NULL;
  }
  config_db_target(cfg, target, sizeof target);
  store *st = store_open(target, pool, err, sizeof err);
  if (!st) {
    fprintf(stderr, "hocvuso: cannot open the database: %s\n", err);
    return NULL;
  }
  if (migrate) {
    int n = store_migrate(st, hocvuso_migrations, err, sizeof err);
    if (n < 0) {
      fprintf(stderr, "hocvuso: %s\n", err);
      store_close(st);
      return NULL;
    }
    if (n > 0) log_info("applied %d migration(s)", n);
  }
  return st;
}

int main(int argc, char **argv) {
  umask(077); /* the database and secrets are for this user alone */
  if (sodium_init() < 0) {
    fprintf(stderr, "hocvuso: libsodium cannot start\n");
    return 1;
  }
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) return cmd_version(0, NULL);
  for (int i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i].name, argv[1]) == 0) return commands[i].run(argc - 2, argv + 2);
  fprintf(stderr, "hocvuso: unknown command \"%s\"\n\n", argv[1]);
  usage(stderr);
  return 2;
}

/* cmd_demo.c: `hocvuso demo` — loads the demo ward and prints how to log in. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/caps.h"
#include "domain/demo.h"

const cli_opt demo_opts[] = {CLI_DB_OPTS, {NULL, false, NULL}};

/* A password that is easy to read aloud and type on a phone: 3 groups of 4 letters/digits,
 * without look-alikes (0/O, 1/l/I). */
static void random_password(char out[15]) {
  static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
  int k = 0;
  for (int g = 0; g < 3; g++) {
    for (int i = 0; i < 4; i++) out[k++] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    if (g < 2) out[k++] = '-';
  }
  out[k] = '\0';
}

int cmd_demo(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("demo", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  char generated[15];
  const char *password = getenv("HOCVUSO_ADMIN_PASSWORD");
  if (!password || !*password) {
    random_password(generated);
    password = generated;
  } else if (strlen(password) < 8) {
    fprintf(stderr, "hocvuso demo: HOCVUSO_ADMIN_PASSWORD must have at least 8 characters\n");
    return 2;
  }
  secrets keys;
  store *st = cli_open(&cfg, &keys, 1, true);
  if (!st) return 1;
  char err[512];
  rc = demo_load(st, password, stdout, err, sizeof err);
  store_close(st);
  if (rc != 0) {
    fprintf(stderr, "hocvuso demo: %s\n", err);
    return 1;
  }
  printf("\nLog in as:  admin / %s\n", password);
  printf("Other demo accounts, same password:\n");
  for (int i = 1; i < demo_accounts_count; i++) {
    const role_info *ri = role_find(demo_accounts[i].role);
    printf("  %-11s %s (%s)\n", demo_accounts[i].username, demo_accounts[i].display_name, ri ? ri->label : "");
  }
  return 0;
}

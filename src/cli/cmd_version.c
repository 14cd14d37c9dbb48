/* cmd_version.c: `hocvuso version`. */
#include <jansson.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>

#include "cli/cli.h"
#include "config_build.h"

const cli_opt version_opts[] = {{NULL, false, NULL}};

int cmd_version(int argc, char **argv) {
  if (argc > 0) {
    cli_args a;
    char err[256];
    if (cli_parse(argc, argv, version_opts, &a, err, sizeof err) != 0) {
      fprintf(stderr, "hocvuso version: %s\n", err);
      return 2;
    }
    if (a.help) {
      cli_help("version");
      return 0;
    }
  }
  int pq = PQlibVersion();
  printf("hocvuso %s (sqlite %s, libpq %d.%d, libmicrohttpd %s, jansson %s, libsodium %s)\n", HOCVUSO_VERSION,
         sqlite3_libversion(), pq / 10000, pq % 100, MHD_get_version(), jansson_version_str(),
         sodium_version_string());
  return 0;
}

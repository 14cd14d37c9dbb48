/* cmd_purge.c: `hocvuso purge [--data DIR] [--database URI]`: deletes for good, now, every person
 * whose retention period has passed (people_purge: short chunked transactions, one audit entry
 * each), the uploaded import files kept past it (importer_expire_files), and the plan attachments no
 * update linked within a day (attachments_reap), as the server does periodically. Prints one JSON
 * object: {"purged": N, "files_removed": N, "attachments_removed": N}. Exit 0, or 1
 * with a message on stderr when the database failed (what was committed stays purged), 2 on bad
 * usage. Never: prints anything about the people purged.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "domain/attachments.h"
#include "domain/importer.h"
#include "domain/people.h"
#include "util/clock.h"

const cli_opt purge_opts[] = {CLI_DB_OPTS, {NULL, false, NULL}};

int cmd_purge(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("purge", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  if (args.npos) {
    fprintf(stderr, "hocvuso purge: unexpected argument \"%s\"\n", args.pos[0]);
    return 2;
  }
  secrets keys;
  store *st = cli_open(&cfg, &keys, 2, true);
  if (!st) return 1;
  char err[512] = "";
  int64_t purged = 0;
  int ret = 1;
  int64_t files = 0, att_rows = 0, att_files = 0;
  if (people_purge(st, clock_now(), 0, NULL, &purged, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso purge: %s (%lld purged before the failure)\n", err, (long long)purged);
  } else if (importer_expire_files(st, clock_now() - (int64_t)cfg.retention_days * 86400, &files, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso purge: %s (%lld purged)\n", err, (long long)purged);
  } else if (attachments_reap(st, cfg.data, clock_now() - ATTACH_UNLINKED_TTL, &att_rows, &att_files, err, sizeof err) !=
             0) {
    fprintf(stderr, "hocvuso purge: %s (%lld purged)\n", err, (long long)purged);
  } else {
    printf("{\"purged\": %lld, \"files_removed\": %lld, \"attachments_removed\": %lld}\n", (long long)purged,
           (long long)files, (long long)att_rows);
    ret = fflush(stdout) == 0 ? 0 : 1;
  }
  store_close(st);
  return ret;
}

/* cmd_synth.c: `hocvuso synth --residents N [--seed S] [--out FILE]`: the synthetic population
 * of domain/synth.h as the import CSV, for demos and benchmarks (a million rows in seconds).
 * Owns: the output file it creates (removed again when writing fails). Never: opens the
 * database, reads the configuration or writes anything but the CSV.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/synth.h"

const cli_opt synth_opts[] = {
    {"residents", true, "N      how many residents (1 to 200000000); staff living elsewhere come on top"},
    {"seed", true, "S      the seed, 0 to 9223372036854775807 (default 1): same N and S, same bytes"},
    {"out", true, "FILE   write there instead of standard output"},
    {NULL, false, NULL},
};

int cmd_synth(int argc, char **argv) {
  cli_args a;
  char err[256];
  if (cli_parse(argc, argv, synth_opts, &a, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso synth: %s\n", err);
    return 2;
  }
  if (a.help) {
    cli_help("synth");
    return 0;
  }
  if (a.npos > 0) {
    fprintf(stderr, "hocvuso synth: unexpected argument \"%s\"\n", a.pos[0]);
    return 2;
  }
  long long residents, seed = 1;
  const char *v = cli_get(synth_opts, &a, "residents");
  if (!v) {
    fprintf(stderr, "hocvuso synth: --residents N is required\n");
    return 2;
  }
  if (!parse_int(v, 1, SYNTH_MAX_RESIDENTS, &residents)) {
    fprintf(stderr, "hocvuso synth: --residents must be a whole number from 1 to %ld\n", SYNTH_MAX_RESIDENTS);
    return 2;
  }
  v = cli_get(synth_opts, &a, "seed");
  if (v && !parse_int(v, 0, INT64_MAX, &seed)) {
    fprintf(stderr, "hocvuso synth: --seed must be a whole number from 0 to %lld\n", (long long)INT64_MAX);
    return 2;
  }
  const char *path = cli_get(synth_opts, &a, "out");
  synth *s = synth_new((long)residents, (uint64_t)seed);
  if (!s) {
    fprintf(stderr, "hocvuso synth: out of memory\n");
    return 1;
  }
  FILE *out = stdout;
  if (path) {
    out = fopen(path, "w");
    if (!out) {
      fprintf(stderr, "hocvuso synth: cannot create %s: %s\n", path, strerror(errno));
      synth_free(s);
      return 1;
    }
  }
  static char obuf[1 << 16];
  setvbuf(out, obuf, _IOFBF, sizeof obuf);
  int rc = synth_write_csv(s, out);
  int saved = errno;
  synth_free(s);
  if (path) {
    if (fclose(out) != 0 && rc == 0) {
      rc = -1;
      saved = errno;
    }
    if (rc != 0) remove(path);
  }
  if (rc != 0) {
    fprintf(stderr, "hocvuso synth: cannot write %s: %s\n", path ? path : "the output", strerror(saved));
    return 1;
  }
  return 0;
}

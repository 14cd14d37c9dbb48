/* config.h: configuration from flags, the environment (HOCVUSO_*) and an optional file.
 * Precedence: flag > environment > file > default. Read once at start-up, then read-only.
 * Also the command-line parser every subcommand uses (long options only: --name VALUE,
 * --name=VALUE, or --flag).
 */
#ifndef HOCVUSO_CONFIG_H
#define HOCVUSO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct config {
  char listen[256];        /* host:port */
  char data[1024];         /* data directory: the SQLite file, secrets */
  char database[1024];     /* PostgreSQL URI; empty = SQLite in data/hocvuso.db */
  int threads;             /* HTTP worker threads */
  char trusted_proxy[256]; /* address whose X-Forwarded-* headers are believed */
  char public_url[256];    /* how residents reach the server (https://hocvuso.example.vn): certificates' QR codes */
  char web[1024];          /* static front end */
  size_t body_limit;       /* bytes: the body of a JSON route whose row sets no limit of its own */
  int conn_timeout;        /* seconds a connection may stay idle */
  int max_conns;
  int db_wait_ms;          /* longest wait for a database connection (the writer), then 503 */
  int max_conns_per_ip;    /* open connections one address (an IPv6 /64) may hold; 0: no cap */
  bool conn_exempt_loopback; /* loopback addresses escape that cap (the trusted proxy always does) */
  int header_timeout;      /* seconds from accept to the end of a request's header */
  int retention_days;      /* days a soft-deleted person's record is kept before the purge */
  int purge_interval;      /* seconds between the server's purges of people past their retention */
} config;

typedef struct cli_opt {
  const char *name; /* without the dashes */
  bool takes_value;
  const char *help;
} cli_opt;

#define CLI_MAX_OPTS 24
#define CLI_MAX_POS 8
typedef struct cli_args {
  const char *value[CLI_MAX_OPTS]; /* by index in the option table; "" for a present flag */
  const char *pos[CLI_MAX_POS];
  int npos;
  bool help;
} cli_args;

/* Parses argv (after the subcommand name). -1 with a message on an unknown option. */
int cli_parse(int argc, char **argv, const cli_opt *opts, cli_args *out, char *err, size_t errlen);
/* The value of option `name`, or NULL. */
const char *cli_get(const cli_opt *opts, const cli_args *a, const char *name);

void config_defaults(config *c);
/* Applies file (if --config or HOCVUSO_CONFIG names one), environment, then the flags in
 * `a` whose names are configuration keys. -1 with a message on a bad value. */
int config_load(config *c, const cli_opt *opts, const cli_args *a, char *err, size_t errlen);
/* The database target for store_open(): the PostgreSQL URI, or DATA/hocvuso.db. */
void config_db_target(const config *c, char *out, size_t n);
/* Parses a decimal integer in [lo, hi]; false otherwise. */
bool parse_int(const char *s, long long lo, long long hi, long long *out);

/* The options shared by subcommands that open the database. */
#define CLI_DB_OPTS                                                                                     \
  {"data", true, "DIR    data directory (database, secrets); default ./data, env HOCVUSO_DATA"},     \
      {"database", true, "URI    PostgreSQL URI instead of SQLite; env HOCVUSO_DATABASE_URL"},        \
      {"config", true, "FILE   configuration file of `key = value` lines; env HOCVUSO_CONFIG"}

#endif

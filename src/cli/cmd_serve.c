/* cmd_serve.c: `hocvuso serve` — reads like the list of what the server does. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "domain/certs.h"
#include "domain/importer.h"
#include "config_build.h"
#include "domain/authcache.h"
#include "domain/sessions.h"
#include "http/metrics.h"
#include "http/openapi.h"
#include "http/ratelimit.h"
#include "http/server.h"
#include "http/static.h"
#include "util/clock.h"
#include "util/jsonx.h"
#include "util/log.h"

const cli_opt serve_opts[] = {
    {"listen", true, "HOST:PORT   address to serve on; default 127.0.0.1:8080, env HOCVUSO_LISTEN"},
    CLI_DB_OPTS,
    {"threads", true, "N         HTTP worker threads; default 4, env HOCVUSO_THREADS"},
    {"trusted-proxy", true, "IP  believe X-Forwarded-For/-Proto only from this address"},
    {"public-url", true, "URL  how residents reach the server (certificates' QR codes); default: the Host header"},
    {"web", true, "DIR           the static front end; default the built-in one"},
    {"body-limit", true, "BYTES  largest JSON request body; default 65536"},
    {"timeout", true, "SECONDS   idle connection timeout; default 30"},
    {"max-connections", true, "N  default 4096"},
    {"db-wait-ms", true, "MS     longest wait for a database connection, then 503; default 5000"},
    {"max-conns-per-ip", true, "N  open connections per address (IPv6: per /64); 0 = no cap; default 128"},
    {"conn-exempt", true, "loopback|none  who escapes that cap besides the trusted proxy; default loopback"},
    {"header-timeout", true, "SECONDS  from accept to the end of a request header; default 10"},
    {"retention-days", true, "DAYS  a deleted person's record is kept before the purge; default 30"},
    {"purge-interval", true, "SECONDS  between purges of records past their retention; default 3600"},
    {NULL, false, NULL},
};

static bool is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *web_dir(const config *cfg) {
  if (cfg->web[0]) return cfg->web;
  static const char *const candidates[] = {HOCVUSO_WEB_DIR, "/usr/local/share/hocvuso/web", "/usr/share/hocvuso/web",
                                           "./web"};
  for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
    if (is_dir(candidates[i])) return candidates[i];
  return HOCVUSO_WEB_DIR;
}

int cmd_serve(int argc, char **argv) {
  cli_args args;
  app a;
  memset(&a, 0, sizeof a);
  int rc = cli_setup("serve", argc, argv, &args, &a.cfg);
  if (rc) return rc > 0 ? 0 : 2;
  if (args.npos) {
    fprintf(stderr, "hocvuso serve: unexpected argument \"%s\"\n", args.pos[0]);
    return 2;
  }
  int status = 1;
  char err[512];
  a.started = clock_mono();
  /* readers, one per worker thread, plus room for the writer and /metrics */
  a.st = cli_open(&a.cfg, &a.keys, a.cfg.threads + 3, true); /* + the import worker */
  if (!a.st) goto done;
  store_bind_threads(a.st);
  store_set_wait(a.st, a.cfg.db_wait_ms);
  if (store_maintenance_start(a.st) != 0) log_warn("the database maintenance thread did not start");
  if (store_durable_start(a.st) != 0) {
    fprintf(stderr, "hocvuso serve: cannot start the group commit thread\n");
    goto done;
  }
  store_conn *w = store_acquire(a.st, true);
  if (w) {
    if (sessions_purge(w) != 0) log_warn("cannot purge expired sessions: %s", store_errmsg(w));
    /* The first run makes the certificate-signing key, so that it is published from the start. */
    app_err ke = {0};
    if (store_begin(w) != STORE_OK || certs_keys_ensure(w, &a.keys, &ke) != 0 || store_commit(w) != STORE_OK) {
      log_warn("cannot make the certificate-signing key: %s", store_errmsg(w));
      if (store_in_transaction(w)) store_rollback(w);
    }
    store_release(w);
  }
  const char *web = web_dir(&a.cfg);
  a.web = static_load(web, err, sizeof err);
  if (!a.web) {
    fprintf(stderr, "hocvuso serve: %s\n", err);
    goto done;
  }
  a.met = metrics_new(routes_count);
  a.rl = ratelimit_new();
  json_t *doc = openapi_build(HOCVUSO_VERSION);
  if (doc) a.openapi = jsonx_dump(doc, &a.openapi_len);
  json_decref(doc);
  if (!a.met || !a.rl || !a.openapi) {
    fprintf(stderr, "hocvuso serve: cannot start (out of memory or a malformed route table)\n");
    goto done;
  }
  /* PostgreSQL: sessions from a per-process cache that a listener keeps true (authcache.h). */
  if (authcache_start(a.st) != 0) {
    fprintf(stderr, "hocvuso serve: cannot start the session cache\n");
    goto done;
  }
  /* Import jobs: one background thread; a job a killed server left running resumes now. */
  importer_worker_set_data_dir(a.cfg.data);
  if (importer_worker_start(a.st, &a.keys, a.cfg.purge_interval, a.cfg.retention_days) != 0) {
    fprintf(stderr, "hocvuso serve: cannot start the import worker\n");
    goto done;
  }
  if (server_run(&a, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso serve: %s\n", err);
    goto done;
  }
  status = 0;
done:
  importer_worker_stop();
  authcache_stop();
  free(a.openapi);
  ratelimit_free(a.rl);
  metrics_free(a.met);
  static_free(a.web);
  store_close(a.st);
  return status;
}

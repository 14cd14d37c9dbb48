/* config.c: configuration and the command-line parser (see config.h). */
#include "util/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool parse_int(const char *s, long long lo, long long hi, long long *out) {
  if (!s || !*s) return false;
  /* Canonical decimal only: strtoll would also take spaces, '+' and leading zeros. */
  const char *d = s[0] == '-' ? s + 1 : s;
  if (*d < '0' || *d > '9' || (d[0] == '0' && d[1] != '\0')) return false;
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end || v < lo || v > hi) return false;
  *out = v;
  return true;
}

int cli_parse(int argc, char **argv, const cli_opt *opts, cli_args *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      out->help = true;
      continue;
    }
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
      if (out->npos == CLI_MAX_POS) {
        snprintf(err, errlen, "too many arguments");
        return -1;
      }
      out->pos[out->npos++] = arg;
      continue;
    }
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
    int found = -1;
    for (int k = 0; opts && opts[k].name; k++)
      if (strlen(opts[k].name) == nlen && strncmp(opts[k].name, name, nlen) == 0) found = k;
    if (found < 0) {
      snprintf(err, errlen, "unknown option --%.*s (see --help)", (int)nlen, name);
      return -1;
    }
    if (opts[found].takes_value) {
      if (eq) {
        out->value[found] = eq + 1;
      } else if (i + 1 < argc) {
        out->value[found] = argv[++i];
      } else {
        snprintf(err, errlen, "option --%s needs a value", opts[found].name);
        return -1;
      }
    } else {
      if (eq) {
        snprintf(err, errlen, "option --%s takes no value", opts[found].name);
        return -1;
      }
      out->value[found] = "";
    }
  }
  return 0;
}

const char *cli_get(const cli_opt *opts, const cli_args *a, const char *name) {
  for (int k = 0; opts && opts[k].name; k++)
    if (strcmp(opts[k].name, name) == 0) return a->value[k];
  return NULL;
}

void config_defaults(config *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
  snprintf(c->data, sizeof c->data, "./data");
  c->threads = 4;
  c->body_limit = 64 * 1024;
  c->conn_timeout = 30;
  c->max_conns = 4096;
  c->db_wait_ms = 5000;
  c->max_conns_per_ip = 128;
  c->conn_exempt_loopback = true;
  c->header_timeout = 10;
  c->retention_days = 30;
  c->purge_interval = 3600;
}

static int copy_str(char *dst, size_t n, const char *v, const char *key, char *err, size_t errlen) {
  if ((size_t)snprintf(dst, n, "%s", v) >= n) {
    snprintf(err, errlen, "%s: value too long", key);
    return -1;
  }
  return 0;
}

/* Sets one key; 1 when the key is not a configuration key. */
static int config_set(config *c, const char *key, const char *v, char *err, size_t errlen) {
  long long n;
  if (strcmp(key, "listen") == 0) {
    if (!strchr(v, ':')) {
      snprintf(err, errlen, "listen: expected HOST:PORT, got \"%s\"", v);
      return -1;
    }
    return copy_str(c->listen, sizeof c->listen, v, key, err, errlen);
  }
  if (strcmp(key, "data") == 0) return copy_str(c->data, sizeof c->data, v, key, err, errlen);
  if (strcmp(key, "database") == 0) {
    if (*v && strncmp(v, "postgresql://", 13) != 0 && strncmp(v, "postgres://", 11) != 0) {
      snprintf(err, errlen, "database: expected a postgresql:// URI");
      return -1;
    }
    return copy_str(c->database, sizeof c->database, v, key, err, errlen);
  }
  if (strcmp(key, "trusted-proxy") == 0) return copy_str(c->trusted_proxy, sizeof c->trusted_proxy, v, key, err, errlen);
  if (strcmp(key, "web") == 0) return copy_str(c->web, sizeof c->web, v, key, err, errlen);
  if (strcmp(key, "public-url") == 0) {
    if (*v && strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) {
      snprintf(err, errlen, "public-url: expected an http:// or https:// address");
      return -1;
    }
    for (const char *p = v; *p; p++)
      if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '#' || *p == '?') {
        snprintf(err, errlen, "public-url: a plain address without spaces, query or fragment");
        return -1;
      }
    return copy_str(c->public_url, sizeof c->public_url, v, key, err, errlen);
  }
  if (strcmp(key, "threads") == 0) {
    if (!parse_int(v, 1, 256, &n)) {
      snprintf(err, errlen, "threads: expected a number from 1 to 256, got \"%s\"", v);
      return -1;
    }
    c->threads = (int)n;
    return 0;
  }
  if (strcmp(key, "body-limit") == 0) {
    if (!parse_int(v, 1024, 1LL << 30, &n)) {
      snprintf(err, errlen, "body-limit: expected bytes from 1024 to 1073741824");
      return -1;
    }
    c->body_limit = (size_t)n;
    return 0;
  }
  if (strcmp(key, "timeout") == 0) {
    if (!parse_int(v, 1, 3600, &n)) {
      snprintf(err, errlen, "timeout: expected seconds from 1 to 3600");
      return -1;
    }
    c->conn_timeout = (int)n;
    return 0;
  }
  if (strcmp(key, "max-connections") == 0) {
    if (!parse_int(v, 1, 1000000, &n)) {
      snprintf(err, errlen, "max-connections: expected a number from 1 to 1000000");
      return -1;
    }
    c->max_conns = (int)n;
    return 0;
  }
  if (strcmp(key, "db-wait-ms") == 0) {
    if (!parse_int(v, 1, 600000, &n)) {
      snprintf(err, errlen, "db-wait-ms: expected milliseconds from 1 to 600000");
      return -1;
    }
    c->db_wait_ms = (int)n;
    return 0;
  }
  if (strcmp(key, "max-conns-per-ip") == 0) {
    if (!parse_int(v, 0, 1000000, &n)) {
      snprintf(err, errlen, "max-conns-per-ip: expected a number from 0 (no cap) to 1000000");
      return -1;
    }
    c->max_conns_per_ip = (int)n;
    return 0;
  }
  if (strcmp(key, "conn-exempt") == 0) {
    /* "none" exists for tests: they can only connect from loopback, and must meet the cap. */
    if (strcmp(v, "loopback") != 0 && strcmp(v, "none") != 0) {
      snprintf(err, errlen, "conn-exempt: expected \"loopback\" or \"none\", got \"%s\"", v);
      return -1;
    }
    c->conn_exempt_loopback = strcmp(v, "loopback") == 0;
    return 0;
  }
  if (strcmp(key, "header-timeout") == 0) {
    if (!parse_int(v, 1, 3600, &n)) {
      snprintf(err, errlen, "header-timeout: expected seconds from 1 to 3600");
      return -1;
    }
    c->header_timeout = (int)n;
    return 0;
  }
  if (strcmp(key, "retention-days") == 0) {
    if (!parse_int(v, 0, 3650, &n)) {
      snprintf(err, errlen, "retention-days: expected days from 0 to 3650");
      return -1;
    }
    c->retention_days = (int)n;
    return 0;
  }
  if (strcmp(key, "purge-interval") == 0) {
    if (!parse_int(v, 1, 86400, &n)) {
      snprintf(err, errlen, "purge-interval: expected seconds from 1 to 86400");
      return -1;
    }
    c->purge_interval = (int)n;
    return 0;
  }
  return 1;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
  return s;
}

static int config_file(config *c, const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "cannot read the configuration file %s: %s", path, strerror(errno));
    return -1;
  }
  char line[2048];
  int lineno = 0, rc = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    char *s = trim(line);
    if (!*s || *s == '#') continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      snprintf(err, errlen, "%s:%d: expected `key = value`", path, lineno);
      rc = -1;
      break;
    }
    *eq = '\0';
    char *key = trim(s), *val = trim(eq + 1);
    char sub[512];
    int r = config_set(c, key, val, sub, sizeof sub);
    if (r != 0) {
      if (r > 0)
        snprintf(err, errlen, "%s:%d: unknown key \"%s\"", path, lineno, key);
      else
        snprintf(err, errlen, "%s:%d: %s", path, lineno, sub);
      rc = -1;
      break;
    }
  }
  fclose(f);
  return rc;
}

static const struct {
  const char *env, *key;
} env_keys[] = {
    {"HOCVUSO_LISTEN", "listen"},
    {"HOCVUSO_DATA", "data"},
    {"HOCVUSO_DATABASE_URL", "database"},
    {"HOCVUSO_THREADS", "threads"},
    {"HOCVUSO_TRUSTED_PROXY", "trusted-proxy"},
    {"HOCVUSO_PUBLIC_URL", "public-url"},
    {"HOCVUSO_WEB", "web"},
    {"HOCVUSO_BODY_LIMIT", "body-limit"},
    {"HOCVUSO_TIMEOUT", "timeout"},
    {"HOCVUSO_MAX_CONNECTIONS", "max-connections"},
    {"HOCVUSO_DB_WAIT_MS", "db-wait-ms"},
    {"HOCVUSO_MAX_CONNS_PER_IP", "max-conns-per-ip"},
    {"HOCVUSO_CONN_EXEMPT", "conn-exempt"},
    {"HOCVUSO_HEADER_TIMEOUT", "header-timeout"},
    {"HOCVUSO_RETENTION_DAYS", "retention-days"},
    {"HOCVUSO_PURGE_INTERVAL", "purge-interval"},
};

int config_load(config *c, const cli_opt *opts, const cli_args *a, char *err, size_t errlen) {
  const char *file = cli_get(opts, a, "config");
  if (!file) file = getenv("HOCVUSO_CONFIG");
  if (file && *file && config_file(c, file, err, errlen) != 0) return -1;
  for (size_t i = 0; i < sizeof env_keys / sizeof env_keys[0]; i++) {
    const char *v = getenv(env_keys[i].env);
    if (!v || !*v) continue;
    char sub[512];
    if (config_set(c, env_keys[i].key, v, sub, sizeof sub) < 0) {
      snprintf(err, errlen, "%s: %s", env_keys[i].env, sub);
      return -1;
    }
  }
  for (int k = 0; opts && opts[k].name; k++) {
    if (!a->value[k] || strcmp(opts[k].name, "config") == 0) continue;
    if (config_set(c, opts[k].name, a->value[k], err, errlen) < 0) return -1;
  }
  if (!c->data[0]) {
    snprintf(err, errlen, "data: an empty data directory was given");
    return -1;
  }
  return 0;
}

void config_db_target(const config *c, char *out, size_t n) {
  if (c->database[0])
    snprintf(out, n, "%s", c->database);
  else
    snprintf(out, n, "%s/hocvuso.db", c->data);
}

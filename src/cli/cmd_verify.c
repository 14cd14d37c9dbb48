/* cmd_verify.c: `hocvuso verify ID|FILE` checks a certificate against this server's records and
 * published keys (docs/CERTIFICATES.md): by its ID, or from a file holding what a QR code carries
 * (the verification address with ?c=PAYLOAD.SIGNATURE, or PAYLOAD.SIGNATURE alone) or the JSON the
 * verification API answers ({"payload", "signature"}). Prints one JSON object, its status first:
 * valid, revoked, unknown (not on record) or forged (the signature fails, or the bytes differ from
 * what was issued). Exit 0 only for a valid certificate; 1 otherwise; 2 on bad usage.
 * `hocvuso keys list|rotate`: the signing keys; rotate makes a new one and keeps the old published.
 * Never: prints a signing seed. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/certs.h"

const cli_opt verify_opts[] = {CLI_DB_OPTS, {NULL, false, NULL}};
const cli_opt keys_opts[] = {CLI_DB_OPTS, {NULL, false, NULL}};

#define VERIFY_FILE_MAX 65536

/* Reads the file's PAYLOAD and SIGNATURE (base64url) into p and s; 0, or -1 with a message. */
static int read_signed(const char *path, char *p, size_t plen, char *s, size_t slen) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  char *text = malloc(VERIFY_FILE_MAX + 1);
  size_t n = text ? fread(text, 1, VERIFY_FILE_MAX, f) : 0;
  int rc = -1;
  fclose(f);
  if (!text) return -1;
  text[n] = 0;
  json_t *j = json_loads(text, 0, NULL);
  if (j) {
    const char *jp = json_string_value(json_object_get(j, "payload"));
    const char *js = json_string_value(json_object_get(j, "signature"));
    if (jp && js && strlen(jp) < plen && strlen(js) < slen) {
      snprintf(p, plen, "%s", jp);
      snprintf(s, slen, "%s", js);
      rc = 0;
    }
    json_decref(j);
    free(text);
    return rc;
  }
  const char *start = strstr(text, "c=");
  start = start ? start + 2 : text;
  while (*start == ' ' || *start == '\n' || *start == '\r' || *start == '\t') start++;
  const char *dot = strchr(start, '.');
  if (dot) {
    size_t a = (size_t)(dot - start), b = strcspn(dot + 1, " \r\n\t&#");
    if (a && a < plen && b && b < slen) {
      snprintf(p, plen, "%.*s", (int)a, start);
      snprintf(s, slen, "%.*s", (int)b, dot + 1);
      rc = 0;
    }
  }
  free(text);
  return rc;
}

int cmd_verify(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("verify", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  if (args.npos != 1) {
    fprintf(stderr, "hocvuso verify: give one certificate ID or one file\n");
    return 2;
  }
  const char *what = args.pos[0];
  int64_t id = certs_id_parse(what);
  char payload[4096], sig[256];
  if (!id && read_signed(what, payload, sizeof payload, sig, sizeof sig) != 0) {
    fprintf(stderr, "hocvuso verify: \"%s\" is neither a certificate ID nor a readable file holding a signed certificate\n",
            what);
    return 2;
  }
  secrets keys;
  store *st = cli_open(&cfg, &keys, 1, true);
  if (!st) return 1;
  store_conn *c = store_acquire(st, false);
  int ret = 1;
  json_t *out = NULL;
  app_err e = {0};
  bool found = false;
  if (!c) {
    fprintf(stderr, "hocvuso verify: the database is unavailable\n");
  } else if (id ? certs_verify_id(c, id, &out, &found, &e) != 0
                : certs_verify_signed(c, payload, sig, &out, &e) != 0) {
    /* a malformed payload is not a valid certificate: said, and exit 1 */
    printf("{\"status\":\"forged\",\"reason\":\"%s\"}\n", e.status == 400 ? "malformed" : "error");
    fprintf(stderr, "hocvuso verify: %s\n", e.message ? e.message : "error");
  } else {
    char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text) printf("%s\n", text);
    free(text);
    ret = strcmp(json_string_value(json_object_get(out, "status")), "valid") == 0 ? 0 : 1;
  }
  json_decref(out);
  if (c) store_release(c);
  store_close(st);
  return ret;
}

int cmd_keys(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("keys", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  bool rotate = args.npos == 1 && strcmp(args.pos[0], "rotate") == 0;
  if (args.npos != 1 || (!rotate && strcmp(args.pos[0], "list") != 0)) {
    fprintf(stderr, "hocvuso keys: list or rotate\n");
    return 2;
  }
  secrets keys;
  store *st = cli_open(&cfg, &keys, 1, true);
  if (!st) return 1;
  store_conn *w = store_acquire(st, true);
  int ret = 1;
  app_err e = {0};
  json_t *out = NULL;
  char kid[32] = "";
  if (w && store_begin(w) == STORE_OK &&
      (rotate ? certs_keys_rotate(w, &keys, kid, &e) : certs_keys_ensure(w, &keys, &e)) == 0 &&
      store_commit(w) == STORE_OK && certs_keys_json(w, &out, &e) == 0) {
    if (rotate) json_object_set_new(out, "rotated", json_string(kid));
    char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text) printf("%s\n", text);
    free(text);
    ret = 0;
  } else {
    fprintf(stderr, "hocvuso keys: %s\n", e.message ? e.message : w ? store_errmsg(w) : "the database is unavailable");
    if (w && store_in_transaction(w)) store_rollback(w);
  }
  json_decref(out);
  if (w) store_release(w);
  store_close(st);
  return ret;
}

/* certs_payload.c: the exact bytes a certificate signs, read and written (docs/CERTIFICATES.md),
 * certificate IDs and the QR code's text. Pure: no store, no keys (the libFuzzer harness
 * fuzz/fuzz_certpayload.c links it alone). Never: writes a value that could split a line. */
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/certs.h"

#define PAYLOAD_MAGIC "hocvuso-certificate/1"


/* Appends "name: value\n" with control characters made spaces; false when it does not fit. */
static bool put_line(char *out, size_t outlen, size_t *at, const char *name, const char *value, bool last) {
  int n = snprintf(out + *at, outlen - *at, "%s: ", name);
  if (n < 0 || (size_t)n >= outlen - *at) return false;
  *at += (size_t)n;
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if (*at + 2 >= outlen) return false;
    out[(*at)++] = (*p < 0x20 || *p == 0x7f) ? ' ' : (char)*p;
  }
  if (!last) out[(*at)++] = '\n';
  out[*at] = 0;
  return true;
}

void certs_id_format(int64_t id, char out[24]) {
  char d[24];
  snprintf(d, sizeof d, "%016lld", (long long)id);
  snprintf(out, 24, "%.4s-%.4s-%.4s-%.4s", d, d + 4, d + 8, d + 12);
}

int64_t certs_id_parse(const char *s) {
  if (!s) return 0;
  int64_t v = 0;
  int digits = 0;
  for (const char *p = s; *p; p++) {
    if (*p >= '0' && *p <= '9') {
      if (++digits > 16) return 0;
      v = v * 10 + (*p - '0');
    } else if (*p != '-' && *p != ' ') {
      return 0;
    }
  }
  return digits == 16 && v >= 1000000000000000LL ? v : 0;
}

int certs_payload(const cert_fields *f, char *out, size_t outlen) {
  char id[24];
  certs_id_format(f->id, id);
  size_t at = 0;
  int n = snprintf(out, outlen, PAYLOAD_MAGIC "\n");
  if (n < 0 || (size_t)n >= outlen) return -1;
  at = (size_t)n;
  if (!put_line(out, outlen, &at, "id", id, false) || !put_line(out, outlen, &at, "holder", f->holder, false) ||
      !put_line(out, outlen, &at, "programme", f->programme, false) ||
      !put_line(out, outlen, &at, "issued_on", f->issued_on, false) ||
      !put_line(out, outlen, &at, "issuer", f->issuer, false) || !put_line(out, outlen, &at, "key", f->kid, true))
    return -1;
  return (int)at;
}

int certs_payload_parse(char *text, cert_fields *f) {
  memset(f, 0, sizeof *f);
  static const char *const names[] = {"id", "holder", "programme", "issued_on", "issuer", "key"};
  const char **slots[] = {NULL, &f->holder, &f->programme, &f->issued_on, &f->issuer, &f->kid};
  char *line = text, *nl = strchr(line, '\n');
  if (!nl || (size_t)(nl - line) != strlen(PAYLOAD_MAGIC) || strncmp(line, PAYLOAD_MAGIC, (size_t)(nl - line)) != 0)
    return -1;
  line = nl + 1;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    nl = strchr(line, '\n');
    bool last = i + 1 == sizeof names / sizeof names[0];
    if (last != !nl) return -1;
    if (nl) *nl = 0;
    size_t k = strlen(names[i]);
    if (strncmp(line, names[i], k) != 0 || line[k] != ':' || line[k + 1] != ' ') return -1;
    char *v = line + k + 2;
    if (i == 0) {
      f->id = certs_id_parse(v);
      if (!f->id) return -1;
    } else {
      *slots[i] = v;
    }
    if (nl) line = nl + 1;
  }
  return 0;
}

char *certs_qr_text(const char *base_url, const char *payload_b64, const char *signature_b64) {
  size_t base_len = strlen(base_url);
  while (base_len && base_url[base_len - 1] == '/') base_len--;
  size_t n = base_len + strlen("/#/xac-minh?c=") + strlen(payload_b64) + 1 + strlen(signature_b64) + 1;
  char *out = malloc(n);
  if (out) snprintf(out, n, "%.*s/#/xac-minh?c=%s.%s", (int)base_len, base_url, payload_b64, signature_b64);
  return out;
}


/* jsonx.c: JSON helpers (see jsonx.h). */
#include "util/jsonx.h"

#include <stdio.h>
#include <string.h>

void jsonx_escape(buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  /* The worst case (every byte \u00XX) reserved once, then written in place: a lesson's HTML is
   * full of '<' and '>', and a call per escape cost more than the copy. */
  if (n > ((size_t)-1) / 8 || !buf_reserve(b, n * 6 + 2)) return;
  char *o = b->data + b->len;
  *o++ = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>') {
      *o++ = (char)c;
      continue;
    }
    *o++ = '\\';
    switch (c) {
      case '"': *o++ = '"'; break;
      case '\\': *o++ = '\\'; break;
      case '\n': *o++ = 'n'; break;
      case '\r': *o++ = 'r'; break;
      case '\t': *o++ = 't'; break;
      default:
        *o++ = 'u';
        *o++ = '0';
        *o++ = '0';
        *o++ = hex[c >> 4];
        *o++ = hex[c & 15];
    }
  }
  *o++ = '"';
  b->len = (size_t)(o - b->data);
  b->data[b->len] = '\0';
}

void jsonx_put_int(buf *b, int64_t v) {
  char d[24];
  size_t n = sizeof d;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    d[--n] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) d[--n] = '-';
  buf_append(b, d + n, sizeof d - n);
}

const char *jsonx_str(const json_t *o, const char *key, const char *dflt) {
  json_t *v = json_object_get(o, key);
  return json_is_string(v) ? json_string_value(v) : dflt;
}

int64_t jsonx_int(const json_t *o, const char *key, int64_t dflt) {
  json_t *v = json_object_get(o, key);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

int jsonx_bool(const json_t *o, const char *key, int dflt) {
  json_t *v = json_object_get(o, key);
  return json_is_boolean(v) ? json_is_true(v) : dflt;
}

char *jsonx_dump(const json_t *v, size_t *len) {
  char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ESCAPE_SLASH);
  if (s && len) *len = strlen(s);
  return s;
}

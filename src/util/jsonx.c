/* jsonx.c: JSON helpers (see jsonx.h). */
#include "util/jsonx.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

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

/* jansson's own output for JSON_COMPACT | JSON_ENCODE_ANY | JSON_ESCAPE_SLASH, byte for byte
 * (test_util's jsonx_dump cases compare the two), written straight into one buffer: json_dumps
 * goes through a callback per piece, walks each string code point by code point and keeps a
 * hashtable of the containers it is inside (a key printed with "%p" per object) to refuse cycles;
 * for an answer of a few hundred bytes that was most of its cost. Strings must be valid UTF-8 (as
 * jansson checks: else NULL); a cycle, or nesting deeper than JSONX_DUMP_DEPTH, is refused too. */
#define JSONX_DUMP_DEPTH 2048

/* Bytes jansson writes escaped (JSON_ESCAPE_SLASH): 1 when the escape is two characters long
 * (\" \\ \/ \b \f \n \r \t), 5 when it is \u00XX; 0 for the rest. */
static const unsigned char escape_extra[256] = {
    5, 5, 5, 5, 5, 5, 5, 5, 1, 1, 1, 5, 1, 1, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, ['\\'] = 1,
};

bool jsonx_put_string(buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *u = (const unsigned char *)s;
  size_t extra = 0;
  for (size_t i = 0; i < n; i++) extra += escape_extra[u[i]];
  if (!utf8_valid(s, n) || n > ((size_t)-1) / 8 || !buf_reserve(b, n + extra + 2)) return false;
  char *o = b->data + b->len;
  *o++ = '"';
  if (!extra) {
    memcpy(o, s, n);
    o += n;
  } else {
    for (size_t i = 0; i < n; i++) {
      unsigned char c = u[i];
      if (!escape_extra[c]) {
        *o++ = (char)c;
        continue;
      }
      *o++ = '\\';
      switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
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
  }
  *o++ = '"';
  b->len = (size_t)(o - b->data);
  b->data[b->len] = '\0';
  return true;
}

static bool dump_value(buf *b, const json_t *v, int depth) {
  if (!v || depth > JSONX_DUMP_DEPTH) return false;
  switch (json_typeof(v)) {
    case JSON_NULL: buf_append(b, "null", 4); return true;
    case JSON_TRUE: buf_append(b, "true", 4); return true;
    case JSON_FALSE: buf_append(b, "false", 5); return true;
    case JSON_INTEGER: jsonx_put_int(b, (int64_t)json_integer_value(v)); return true;
    case JSON_STRING: return jsonx_put_string(b, json_string_value(v), json_string_length(v));
    case JSON_REAL: {
      /* rare in answers: jansson's own formatting ("%.17g", ".0" added, exponent trimmed) */
      char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
      if (!t) return false;
      buf_puts(b, t);
      free(t);
      return true;
    }
    case JSON_ARRAY: {
      size_t n = json_array_size(v);
      buf_putc(b, '[');
      for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(b, ',');
        if (!dump_value(b, json_array_get(v, i), depth + 1)) return false;
      }
      buf_putc(b, ']');
      return true;
    }
    case JSON_OBJECT: {
      buf_putc(b, '{');
      bool first = true;
      for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
        if (!first) buf_putc(b, ',');
        first = false;
        if (!jsonx_put_string(b, json_object_iter_key(it), json_object_iter_key_len(it))) return false;
        buf_putc(b, ':');
        if (!dump_value(b, json_object_iter_value(it), depth + 1)) return false;
      }
      buf_putc(b, '}');
      return true;
    }
  }
  return false;
}

char *jsonx_dump(const json_t *v, size_t *len) {
  buf b;
  buf_init(&b);
  if (!buf_reserve(&b, 1000) || !dump_value(&b, v, 0)) {
    buf_free(&b);
    return NULL;
  }
  /* buf_detach: NULL after an allocation failed */
  return buf_detach(&b, len);
}

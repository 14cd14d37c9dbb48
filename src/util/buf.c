/* buf.c: the growable byte buffer (see buf.h for its invariants). */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char buf_empty[1];

void buf_init(buf *b) {
  b->data = buf_empty;
  b->len = 0;
  b->cap = 0;
  b->oom = false;
}

void buf_free(buf *b) {
  if (b->cap) free(b->data);
  buf_init(b);
}

void buf_clear(buf *b) {
  b->len = 0;
  if (b->cap) b->data[0] = '\0';
}

bool buf_reserve(buf *b, size_t extra) {
  if (b->oom) return false;
  if (extra > ((size_t)-1) / 2 - b->len) goto oom;
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return true;
  size_t ncap = b->cap ? b->cap : 64;
  while (ncap < need) ncap *= 2;
  char *p = b->cap ? realloc(b->data, ncap) : malloc(ncap);
  if (!p) goto oom;
  if (!b->cap) p[0] = '\0';
  b->data = p;
  b->cap = ncap;
  return true;
oom:
  b->oom = true;
  return false;
}

void buf_append(buf *b, const void *p, size_t n) {
  if (!buf_reserve(b, n)) return;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s) { buf_append(b, s, strlen(s)); }
void buf_putc(buf *b, char c) { buf_append(b, &c, 1); }

void buf_vprintf(buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  if (n < 0) {
    b->oom = true;
    va_end(ap2);
    return;
  }
  if ((size_t)n < sizeof tmp) {
    buf_append(b, tmp, (size_t)n);
  } else if (buf_reserve(b, (size_t)n)) {
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    b->len += (size_t)n;
  }
  va_end(ap2);
}

void buf_printf(buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

char *buf_detach(buf *b, size_t *len) {
  if (b->oom) {
    buf_free(b);
    return NULL;
  }
  char *p;
  if (b->cap) {
    p = b->data;
  } else {
    p = malloc(1);
    if (!p) return NULL;
    p[0] = '\0';
  }
  if (len) *len = b->len;
  buf_init(b);
  return p;
}

/* fold.c: search keys for Vietnamese text (see fold.h). */
#include "util/fold.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/buf.h"

char *text_nfc(const char *s) { return (char *)utf8proc_NFC((const utf8proc_uint8_t *)s); }

char *text_fold(const char *s) {
  utf8proc_uint8_t *out = NULL;
  utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
                                    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                        UTF8PROC_CASEFOLD | UTF8PROC_COMPAT);
  if (n < 0) return NULL;
  /* đ (U+0111) has no decomposition: fold it by hand. Đ was case-folded to đ already. */
  buf b;
  buf_init(&b);
  for (utf8proc_ssize_t i = 0; i < n; i++) {
    if (out[i] == 0xC4 && i + 1 < n && out[i + 1] == 0x91) {
      buf_putc(&b, 'd');
      i++;
    } else {
      buf_putc(&b, (char)out[i]);
    }
  }
  free(out);
  return buf_detach(&b, NULL);
}

char *text_like_pattern(const char *s) {
  char *key = text_fold(s);
  if (!key) return NULL;
  buf b;
  buf_init(&b);
  buf_putc(&b, '%');
  for (const char *p = key; *p; p++) {
    if (*p == '%' || *p == '_' || *p == '\\') buf_putc(&b, '\\');
    buf_putc(&b, *p);
  }
  buf_putc(&b, '%');
  free(key);
  return buf_detach(&b, NULL);
}

char *text_clean(const char *s) {
  char *nfc = text_nfc(s);
  if (!nfc) return NULL;
  buf b;
  buf_init(&b);
  bool pending_space = false;
  for (const char *p = nfc; *p; p++) {
    unsigned char ch = (unsigned char)*p;
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f') {
      pending_space = b.len > 0;
      continue;
    }
    if (pending_space) buf_putc(&b, ' ');
    pending_space = false;
    buf_putc(&b, (char)ch);
  }
  free(nfc);
  return buf_detach(&b, NULL);
}

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
  /* đ (U+0111) has no decomposition: fold it by hand, in place (the text only shrinks). Đ was
   * case-folded to đ already. */
  utf8proc_ssize_t o = 0;
  for (utf8proc_ssize_t i = 0; i < n; i++) {
    if (out[i] == 0xC4 && i + 1 < n && out[i + 1] == 0x91) {
      out[o++] = 'd';
      i++;
    } else {
      out[o++] = out[i];
    }
  }
  out[o] = '\0';
  return (char *)out; /* utf8proc's malloc: the caller frees */
}

size_t text_like_escape(const char *s, char *out, size_t n) {
  size_t o = 0;
  for (const char *p = s; n && *p && o + 3 <= n; p++) {
    if (*p == '%' || *p == '_' || *p == '\\') out[o++] = '\\';
    out[o++] = *p;
  }
  if (n) out[o] = 0;
  return o;
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

static bool is_space_cp(utf8proc_int32_t cp, utf8proc_category_t cat) {
  return cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' || cat == UTF8PROC_CATEGORY_ZS ||
         cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP;
}

/* Letters (Lo) and symbols that render as nothing: Hangul fillers, the Braille blank, the
 * combining grapheme joiner. */
static bool is_blank_glyph(utf8proc_int32_t cp) {
  return cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x2800 || cp == 0x034F;
}

char *text_clean(const char *s) {
  char *nfc = text_nfc(s);
  if (!nfc) return NULL;
  buf b;
  buf_init(&b);
  bool pending_space = false;
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)nfc;
  while (*p) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
    if (n <= 0) break; /* cannot happen: utf8proc_NFC answered valid UTF-8 */
    utf8proc_category_t cat = utf8proc_category(cp);
    if (is_space_cp(cp, cat)) {
      pending_space = b.len > 0;
    } else if (cat != UTF8PROC_CATEGORY_CF) {
      if (pending_space) buf_putc(&b, ' ');
      pending_space = false;
      buf_append(&b, p, (size_t)n);
    }
    p += n;
  }
  free(nfc);
  return buf_detach(&b, NULL);
}

text_name_problem text_name_check(const char *s) {
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
  bool visible = false;
  while (*p) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
    if (n <= 0) return TEXT_NAME_INVALID;
    utf8proc_category_t cat = utf8proc_category(cp);
    if (cat == UTF8PROC_CATEGORY_CF) return TEXT_NAME_HIDDEN;
    if (cat == UTF8PROC_CATEGORY_CC && !is_space_cp(cp, cat)) return TEXT_NAME_HIDDEN;
    switch (cat) {
      case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
      case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS: case UTF8PROC_CATEGORY_PE:
      case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF: case UTF8PROC_CATEGORY_PO: case UTF8PROC_CATEGORY_SM:
      case UTF8PROC_CATEGORY_SC: case UTF8PROC_CATEGORY_SK: case UTF8PROC_CATEGORY_SO:
        if (!is_blank_glyph(cp)) visible = true;
        break;
      default:
        break;
    }
    p += n;
  }
  return visible ? TEXT_NAME_OK : TEXT_NAME_BLANK;
}

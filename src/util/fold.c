/* fold.c: search keys for Vietnamese text (see fold.h). */
#include "util/fold.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/buf.h"

/* ---- text already in normal form: the common case, without utf8proc's four passes ----
 * A Vietnamese list is written in precomposed letters: ASCII, Latin-1 to Latin Extended-B (Đ, Ơ,
 * Ư, Ă, Ĩ, Ũ, ...) and Latin Extended Additional (ạ to ỹ). Each of those code points is its own
 * NFC and none is the second part of a canonical composition (those are combining marks, Hangul
 * and a few Indic vowel signs), so a text made only of them is in NFC as it is, and its search key
 * is the keys of its letters one after the other (decomposition, mark stripping and case folding
 * all work a code point at a time). At first use every code point of those ranges is checked
 * against utf8proc (its NFC is itself, its combining class 0) and its key taken from it; one that
 * were not would send the texts holding it utf8proc's way. A text with anything else (a
 * combining mark, another script, invalid UTF-8) takes utf8proc's way too. A million-row import
 * spent a tenth of its CPU in utf8proc. */
enum { PLAIN_LO2 = 0xA0, PLAIN_HI2 = 0x250, PLAIN_LO3 = 0x1E00, PLAIN_HI3 = 0x1F00, FOLD_MAX = 7 };
typedef struct plain_key {
  bool ok; /* its NFC is itself, its combining class 0, its key at most FOLD_MAX bytes */
  unsigned char len;
  char s[FOLD_MAX];
} plain_key;
static plain_key keys2[PLAIN_HI2 - PLAIN_LO2], keys3[PLAIN_HI3 - PLAIN_LO3];
static pthread_once_t plain_once = PTHREAD_ONCE_INIT;

static char *fold_slow(const char *s);

static bool plain_entry(utf8proc_int32_t cp, plain_key *k) {
  utf8proc_uint8_t u[8];
  utf8proc_ssize_t n = utf8proc_encode_char(cp, u);
  if (n <= 0) return false;
  u[n] = 0;
  if (utf8proc_get_property(cp)->combining_class != 0) return false;
  utf8proc_uint8_t *nfc = utf8proc_NFC(u);
  bool same = nfc && strcmp((const char *)nfc, (const char *)u) == 0;
  free(nfc);
  char *f = same ? fold_slow((const char *)u) : NULL;
  size_t fl = f ? strlen(f) : 0;
  k->ok = f && fl <= FOLD_MAX;
  if (k->ok) {
    k->len = (unsigned char)fl;
    memcpy(k->s, f, fl);
  }
  free(f);
  return k->ok;
}

static void plain_init(void) {
  for (utf8proc_int32_t cp = PLAIN_LO2; cp < PLAIN_HI2; cp++) (void)plain_entry(cp, &keys2[cp - PLAIN_LO2]);
  for (utf8proc_int32_t cp = PLAIN_LO3; cp < PLAIN_HI3; cp++) (void)plain_entry(cp, &keys3[cp - PLAIN_LO3]);
}

/* The code point at p (*len its bytes) when it is one of the plain ranges' non-ASCII ones, else -1
 * (another code point, or not UTF-8). */
static utf8proc_int32_t plain_cp(const unsigned char *p, int *len) {
  if (p[0] >= 0xC2 && p[0] <= 0xC9 && (p[1] & 0xC0) == 0x80) {
    utf8proc_int32_t cp = (p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    *len = 2;
    return cp >= PLAIN_LO2 && cp < PLAIN_HI2 ? cp : -1;
  }
  if (p[0] == 0xE1 && p[1] >= 0xB8 && p[1] <= 0xBB && (p[2] & 0xC0) == 0x80) {
    *len = 3;
    return 0x1000 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
  }
  return -1;
}

static const plain_key *plain_key_of(utf8proc_int32_t cp) {
  return cp < PLAIN_HI2 ? &keys2[cp - PLAIN_LO2] : &keys3[cp - PLAIN_LO3];
}

/* Whether s is made only of the plain ranges' code points (valid UTF-8 then, and in NFC). */
static bool is_plain(const char *s) {
  if (pthread_once(&plain_once, plain_init) != 0) return false;
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    if (*p < 0x80) {
      p++;
      continue;
    }
    int len = 0;
    utf8proc_int32_t cp = plain_cp(p, &len);
    if (cp < 0 || !plain_key_of(cp)->ok) return false;
    p += len;
  }
  return true;
}

char *text_nfc(const char *s) {
  if (is_plain(s)) return strdup(s);
  return (char *)utf8proc_NFC((const utf8proc_uint8_t *)s);
}

char *text_fold(const char *s) {
  if (!is_plain(s)) return fold_slow(s);
  size_t n = strlen(s);
  char *out = malloc(n * 4 + 1); /* a key is at most FOLD_MAX (7) bytes: 3.5 a byte of a 2-byte letter */
  if (!out) return NULL;
  size_t o = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    if (*p < 0x80) {
      out[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p);
      p++;
      continue;
    }
    int len = 0;
    const plain_key *k = plain_key_of(plain_cp(p, &len));
    memcpy(out + o, k->s, k->len);
    o += k->len;
    p += len;
  }
  out[o] = '\0';
  return out;
}

static char *fold_slow(const char *s) {
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

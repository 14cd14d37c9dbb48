/* fold.h: accent- and case-insensitive search keys for Vietnamese text (utf8proc).
 * "Tổ dân phố Số 1" and "to dan pho so 1" fold to the same key; đ folds to d.
 */
#ifndef HOCVUSO_FOLD_H
#define HOCVUSO_FOLD_H

#include <stddef.h>

/* NFC-normalises s into a new string the caller frees; NULL on invalid UTF-8 or no memory. */
char *text_nfc(const char *s);
/* A name as it should be stored: NFC, no leading or trailing white space, inner runs of white
 * space (any Unicode space separator) made one space, format characters (Cf: bidirectional
 * overrides, zero-width characters, BOM) dropped. A new string the caller frees ("" for a blank
 * name); NULL on invalid UTF-8 or no memory. */
char *text_clean(const char *s);

/* What is wrong with a name, if anything. */
typedef enum {
  TEXT_NAME_OK = 0,
  TEXT_NAME_HIDDEN, /* holds a format character (Cf: U+200B–U+200F, U+202A–U+202E, U+2060,
                     * U+2066–U+2069, U+FEFF, …) or a control character: text that reads
                     * differently from what it is */
  TEXT_NAME_BLANK,  /* no visible character: only spaces, fillers or combining marks */
  TEXT_NAME_INVALID /* not UTF-8 */
} text_name_problem;
text_name_problem text_name_check(const char *s);
/* The search key of s, a new string the caller frees; NULL on invalid UTF-8 or no memory. */
char *text_fold(const char *s);
/* Copies s into out (n bytes, NUL-terminated, cut short if need be) with %, _ and \ escaped by '\'
 * for LIKE … ESCAPE '\'; returns the length written. */
size_t text_like_escape(const char *s, char *out, size_t n);
/* Writes a LIKE pattern "%key%" with %, _ and \ escaped by '\' (use ESCAPE '\'); caller frees. */
char *text_like_pattern(const char *s);

#endif

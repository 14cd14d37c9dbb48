/* fold.h: accent- and case-insensitive search keys for Vietnamese text (utf8proc).
 * "Tổ dân phố Số 1" and "to dan pho so 1" fold to the same key; đ folds to d.
 */
#ifndef HOCVUSO_FOLD_H
#define HOCVUSO_FOLD_H

#include <stddef.h>

/* NFC-normalises s into a new string the caller frees; NULL on invalid UTF-8 or no memory. */
char *text_nfc(const char *s);
/* A name as it should be stored: NFC, no leading or trailing white space, inner runs of white
 * space made one space. A new string the caller frees ("" for a blank name); NULL on invalid
 * UTF-8 or no memory. */
char *text_clean(const char *s);
/* The search key of s, a new string the caller frees; NULL on invalid UTF-8 or no memory. */
char *text_fold(const char *s);
/* Writes a LIKE pattern "%key%" with %, _ and \ escaped by '\' (use ESCAPE '\'); caller frees. */
char *text_like_pattern(const char *s);

#endif

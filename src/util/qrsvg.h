/* qrsvg.h: a QR code (libqrencode, error correction M) as a small SVG image.
 * Owns nothing beyond the string it returns. Never: encodes more than QRSVG_MAX bytes. */
#ifndef HOCVUSO_QRSVG_H
#define HOCVUSO_QRSVG_H

#include <stddef.h>

#define QRSVG_MAX 2000

/* The SVG of `text` (one path, four modules of quiet zone); malloc'd, *len its length; NULL when
 * the text is empty, too long, or memory runs out. */
char *qr_svg(const char *text, size_t *len);

#endif

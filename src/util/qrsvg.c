/* qrsvg.c: QR codes as SVG (see qrsvg.h). */
#include "util/qrsvg.h"

#include <qrencode.h>
#include <string.h>

#include "util/buf.h"

char *qr_svg(const char *text, size_t *len) {
  if (!text || !*text || strlen(text) > QRSVG_MAX) return NULL;
  QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
  if (!q) return NULL;
  const int quiet = 4, n = q->width + 2 * quiet;
  buf b;
  buf_init(&b);
  buf_printf(&b,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
             "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
             n, n, n, n);
  for (int y = 0; y < q->width; y++)
    for (int x = 0; x < q->width; x++)
      if (q->data[y * q->width + x] & 1) buf_printf(&b, "M%d %dh1v1h-1z", x + quiet, y + quiet);
  buf_puts(&b, "\"/></svg>");
  QRcode_free(q);
  return buf_detach(&b, len);
}

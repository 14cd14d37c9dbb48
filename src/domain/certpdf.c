/* certpdf.c: the printed certificate, one A4 landscape page of PDF with its QR code (see certpdf.h).
 * Owns: the page's layout (the national header of Decree 30/2020, the title, the holder, the
 * programme, the date line, the QR), drawn with cairo, pango and libqrencode into memory.
 * Never: keeps global state (each call has its own surface, context and layouts; pango's font map
 * is per thread), or lets a long text leave its box (it wraps, then shrinks, then is cut with "…").
 */
#include "domain/certpdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* A4 landscape, in points (297 x 210 mm). */
#define PAGE_W 841.89
#define PAGE_H 595.28
/* Fonts from Debian's fonts-noto-core (DejaVu Serif from fonts-dejavu-core if it is missing). */
#define FONT_FAMILY "Noto Serif, DejaVu Serif, serif"

typedef struct rgb {
  double r, g, b;
} rgb;

static const rgb INK = {0.08, 0.08, 0.08};
static const rgb RED = {0.62, 0.08, 0.08};
static const rgb GREY = {0.30, 0.30, 0.30};

enum { F_REGULAR = 0, F_BOLD = 1, F_ITALIC = 2 };

/* One block of text, fitted into a box of width w and at most max_h high. */
typedef struct textbox {
  const char *text;
  double x, y, w, max_h;
  double size, min_size; /* points: tried from size down to min_size */
  int style;             /* F_BOLD | F_ITALIC */
  PangoAlignment align;
  rgb colour;
} textbox;

static PangoLayout *layout_at(cairo_t *cr, const textbox *t, double size) {
  PangoLayout *lay = pango_cairo_create_layout(cr);
  PangoFontDescription *fd = pango_font_description_new();
  pango_font_description_set_family(fd, FONT_FAMILY);
  pango_font_description_set_weight(fd, (t->style & F_BOLD) ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_style(fd, (t->style & F_ITALIC) ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
  pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
  pango_layout_set_font_description(lay, fd);
  pango_font_description_free(fd);
  pango_layout_set_width(lay, (int)(t->w * PANGO_SCALE));
  pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(lay, t->align);
  pango_layout_set_text(lay, t->text, -1);
  return lay;
}

/* Draws t, shrinking it until it fits (half a point at a time); at min_size what still does not
 * fit is cut with an ellipsis. Returns the height used; *width_out (if not NULL) the widest line. */
static double fit_box(cairo_t *cr, const textbox *t, bool draw, double *width_out) {
  PangoLayout *lay = NULL;
  int pw = 0, ph = 0;
  for (double size = t->size; size >= t->min_size - 0.01; size -= 0.5) {
    if (lay) g_object_unref(lay);
    lay = layout_at(cr, t, size);
    pango_layout_get_size(lay, &pw, &ph);
    if (ph <= (int)(t->max_h * PANGO_SCALE)) break;
  }
  if (ph > (int)(t->max_h * PANGO_SCALE)) {
    pango_layout_set_height(lay, (int)(t->max_h * PANGO_SCALE));
    pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END);
    pango_layout_get_size(lay, &pw, &ph);
  }
  if (draw) {
    cairo_set_source_rgb(cr, t->colour.r, t->colour.g, t->colour.b);
    cairo_move_to(cr, t->x, t->y);
    pango_cairo_show_layout(cr, lay);
  }
  if (width_out) {
    /* The widest line, not the box: the rules under the header are as long as their text. */
    int lw = 0;
    PangoLayoutIter *it = pango_layout_get_iter(lay);
    do {
      PangoRectangle lr;
      pango_layout_iter_get_line_extents(it, NULL, &lr);
      if (lr.width > lw) lw = lr.width;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    *width_out = (double)lw / PANGO_SCALE;
  }
  g_object_unref(lay);
  return (double)ph / PANGO_SCALE;
}

static double draw_box(cairo_t *cr, const textbox *t, double *width_out) { return fit_box(cr, t, true, width_out); }

/* The height t would take, nothing drawn. */
static double measure_box(cairo_t *cr, const textbox *t) { return fit_box(cr, t, false, NULL); }

static void rule(cairo_t *cr, double cx, double y, double len, double width) {
  cairo_set_source_rgb(cr, INK.r, INK.g, INK.b);
  cairo_set_line_width(cr, width);
  cairo_move_to(cr, cx - len / 2, y);
  cairo_line_to(cr, cx + len / 2, y);
  cairo_stroke(cr);
}

/* The QR code, size x size points at (x, y), its quiet zone of 4 modules included; each row's dark
 * runs are one rectangle, all filled at once (no seams between modules). */
static int draw_qr(cairo_t *cr, const char *text, double x, double y, double size) {
  QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!q) return CERTPDF_ERENDER;
  int n = q->width;
  double m = size / (n + 8);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, size, size);
  cairo_fill(cr);
  /* In module units: the page's content stream holds small integers, not long decimals. */
  cairo_save(cr);
  cairo_translate(cr, x + 4 * m, y + 4 * m);
  cairo_scale(cr, m, m);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int r = 0; r < n; r++) {
    const unsigned char *row = q->data + (size_t)r * (size_t)n;
    for (int c = 0; c < n;) {
      if (!(row[c] & 1)) {
        c++;
        continue;
      }
      int start = c;
      while (c < n && (row[c] & 1)) c++;
      cairo_rectangle(cr, start, r, c - start, 1);
    }
  }
  cairo_fill(cr);
  cairo_restore(cr);
  QRcode_free(q);
  return 0;
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int certpdf_date_vi(const char *iso, char *out, size_t outlen) {
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!iso || strlen(iso) != 10 || iso[4] != '-' || iso[7] != '-') return -1;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (iso[i] < '0' || iso[i] > '9')) return -1;
  int y = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 + (iso[3] - '0');
  int mo = (iso[5] - '0') * 10 + (iso[6] - '0');
  int d = (iso[8] - '0') * 10 + (iso[9] - '0');
  if (y < 1900 || mo < 1 || mo > 12 || d < 1) return -1;
  int maxd = mdays[mo - 1] + (mo == 2 && is_leap(y));
  if (d > maxd) return -1;
  /* Decree 30/2020: "ngày 05 tháng 01", "ngày 15 tháng 3": a zero before days 1-9, months 1-2. */
  int n = mo <= 2 ? snprintf(out, outlen, "ngày %02d tháng %02d năm %d", d, mo, y)
                  : snprintf(out, outlen, "ngày %02d tháng %d năm %d", d, mo, y);
  return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static int field_ok(const char *s, size_t max) {
  if (!s || !*s) return 0;
  size_t n = strnlen(s, max + 1);
  return n <= max && g_utf8_validate(s, (gssize)n, NULL);
}

static cairo_status_t write_mem(void *closure, const unsigned char *data, unsigned int length) {
  buf *b = closure;
  buf_append(b, data, length);
  return b->oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

/* The page itself. 0, or CERTPDF_ERENDER. */
static int draw_page(cairo_t *cr, const certpdf_in *in, const char *date_vi) {
  int rc = CERTPDF_ERENDER;
  char *issuer_up = g_utf8_strup(in->issuer, -1);
  char *line = NULL, *certifies = NULL, *birth = NULL;

  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  /* The frame: a thick and a thin rule, in the seal's red. */
  cairo_set_source_rgb(cr, RED.r, RED.g, RED.b);
  cairo_set_line_width(cr, 3.0);
  cairo_rectangle(cr, 20, 20, PAGE_W - 40, PAGE_H - 40);
  cairo_stroke(cr);
  cairo_set_line_width(cr, 0.8);
  cairo_rectangle(cr, 27, 27, PAGE_W - 54, PAGE_H - 54);
  cairo_stroke(cr);

  /* The header: the issuing body on the left, the national name and motto on the right. */
  const double lx = 55, lw = 310, rx = 385, rw = 410, top = 48;
  double w = 0;
  double h = draw_box(cr, &(textbox){issuer_up, lx, top, lw, 36, 13, 10, F_BOLD, PANGO_ALIGN_CENTER, INK}, &w);
  rule(cr, lx + lw / 2, top + h + 4, w / 3 > 40 ? w / 3 : 40, 0.8);
  line = g_strdup_printf("Số: %s", in->cert_id);
  draw_box(cr, &(textbox){line, lx, top + h + 12, lw, 18, 13, 9, F_REGULAR, PANGO_ALIGN_CENTER, INK}, NULL);
  g_free(line);
  line = NULL;

  h = draw_box(cr, &(textbox){"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", rx, top, rw, 20, 13, 11, F_BOLD, PANGO_ALIGN_CENTER, INK},
               NULL);
  double h2 = draw_box(cr, &(textbox){"Độc lập - Tự do - Hạnh phúc", rx, top + h, rw, 20, 14, 11, F_BOLD, PANGO_ALIGN_CENTER, INK}, &w);
  rule(cr, rx + rw / 2, top + h + h2 + 2, w, 0.8);

  /* The title and the movement. */
  double y = 112;
  y += draw_box(cr, &(textbox){"CHỨNG NHẬN", 60, y, PAGE_W - 120, 56, 40, 30, F_BOLD, PANGO_ALIGN_CENTER, RED}, NULL);
  y += 2;
  y += draw_box(cr, &(textbox){"Phong trào “Bình dân học vụ số”", 60, y, PAGE_W - 120, 24, 16, 12, F_ITALIC, PANGO_ALIGN_CENTER, INK},
                NULL);
  y += 8;

  /* Who certifies whom for what, centred between the title and the bottom block (measured first);
   * the holder's name is the largest text: a long name wraps to two lines, then shrinks. The
   * boxes' heights and gaps add up to at most 36+72+20+40+28 = 196 pt, and y <= 112+56+2+24+8 =
   * 202 here: they end above 398, where the bottom block starts. */
  certifies = g_strdup_printf("%s chứng nhận:", in->issuer);
  if (in->holder_birth && *in->holder_birth) birth = g_strdup_printf("Ngày sinh: %s", in->holder_birth);
  textbox mid[4] = {
      {certifies, 90, 0, PAGE_W - 180, 36, 15, 11, F_REGULAR, PANGO_ALIGN_CENTER, INK},
      {in->holder_name, 70, 0, PAGE_W - 140, 72, 30, 12, F_BOLD, PANGO_ALIGN_CENTER, RED},
      {birth, 90, 0, PAGE_W - 180, 20, 14, 10, F_REGULAR, PANGO_ALIGN_CENTER, INK},
      {in->programme, 90, 0, PAGE_W - 180, 40, 18, 10, F_BOLD, PANGO_ALIGN_CENTER, INK},
  };
  const double gap[4] = {0, 10, 4, 14};
  const double bottom = 398;
  double total = 0;
  for (int i = 0; i < 4; i++)
    if (mid[i].text) total += gap[i] + measure_box(cr, &mid[i]);
  if (bottom - y > total) y += (bottom - y - total) / 2;
  for (int i = 0; i < 4; i++) {
    if (!mid[i].text) continue;
    mid[i].y = y + gap[i];
    y = mid[i].y + draw_box(cr, &mid[i], NULL);
  }

  /* Bottom left: the QR, and beside it how to check it. */
  const double qx = 50, qsize = 150, qy = PAGE_H - 42 - qsize;
  if (draw_qr(cr, in->qr_text, qx, qy, qsize) != 0) goto fail;
  const double tx = qx + qsize + 8, tw = 215;
  double ty = qy + 22;
  ty += draw_box(cr, &(textbox){"Quét mã để kiểm tra chứng nhận", tx, ty, tw, 36, 12, 9, F_BOLD, PANGO_ALIGN_LEFT, INK}, NULL);
  ty += 4;
  ty += draw_box(cr, &(textbox){in->verify_hint, tx, ty, tw, 30, 10, 7, F_REGULAR, PANGO_ALIGN_LEFT, GREY}, NULL);
  ty += 6;
  line = g_strdup_printf("Số chứng nhận: %s", in->cert_id);
  ty += draw_box(cr, &(textbox){line, tx, ty, tw, 16, 10, 7, F_REGULAR, PANGO_ALIGN_LEFT, INK}, NULL);
  g_free(line);
  line = g_strdup_printf("Khóa ký: %s", in->key_id);
  draw_box(cr, &(textbox){line, tx, ty, tw, 14, 8, 6, F_REGULAR, PANGO_ALIGN_LEFT, GREY}, NULL);
  g_free(line);
  line = NULL;

  /* Bottom right: place and date, the issuer, the electronic signature's note. */
  const double sx = 470, sw = 330;
  double sy = 420;
  line = in->place && *in->place ? g_strdup_printf("%s, %s", in->place, date_vi) : g_strdup_printf("%s", date_vi);
  if (!(in->place && *in->place)) { /* a bare date starts the line: "Ngày 01 tháng …" */
    char *cap = g_strdup_printf("Ngày%s", line + strlen("ngày"));
    g_free(line);
    line = cap;
  }
  sy += draw_box(cr, &(textbox){line, sx, sy, sw, 36, 14, 10, F_ITALIC, PANGO_ALIGN_CENTER, INK}, NULL);
  g_free(line);
  line = NULL;
  sy += 6;
  sy += draw_box(cr, &(textbox){issuer_up, sx, sy, sw, 40, 14, 10, F_BOLD, PANGO_ALIGN_CENTER, INK}, NULL);
  sy += 6;
  draw_box(cr, &(textbox){"(Chứng nhận điện tử, được ký số; kiểm tra bằng mã QR)", sx, sy, sw, 34, 11, 8, F_ITALIC, PANGO_ALIGN_CENTER, GREY},
           NULL);

  rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : CERTPDF_ERENDER;
fail:
  g_free(line);
  g_free(certifies);
  g_free(birth);
  g_free(issuer_up);
  return rc;
}

int certpdf_render(const certpdf_in *in, unsigned char **pdf, size_t *len) {
  int rc = CERTPDF_EINVAL;
  cairo_surface_t *surf = NULL;
  cairo_t *cr = NULL;
  buf out;
  buf_init(&out);
  char date_vi[64];
  if (pdf) *pdf = NULL;
  if (len) *len = 0;
  if (!in || !pdf || !len) goto fail;
  if (!field_ok(in->cert_id, CERTPDF_FIELD_MAX) || !field_ok(in->holder_name, CERTPDF_FIELD_MAX) ||
      !field_ok(in->programme, CERTPDF_FIELD_MAX) || !field_ok(in->issued_on, CERTPDF_FIELD_MAX) ||
      !field_ok(in->issuer, CERTPDF_FIELD_MAX) || !field_ok(in->qr_text, CERTPDF_QR_MAX) ||
      !field_ok(in->verify_hint, CERTPDF_FIELD_MAX) || !field_ok(in->key_id, CERTPDF_FIELD_MAX))
    goto fail;
  if (in->holder_birth && *in->holder_birth && !field_ok(in->holder_birth, CERTPDF_FIELD_MAX)) goto fail;
  if (in->place && *in->place && !field_ok(in->place, CERTPDF_FIELD_MAX)) goto fail;
  if (certpdf_date_vi(in->issued_on, date_vi, sizeof date_vi) != 0) goto fail;

  rc = CERTPDF_ERENDER;
  surf = cairo_pdf_surface_create_for_stream(write_mem, &out, PAGE_W, PAGE_H);
  if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) goto fail;
  char *title = g_strdup_printf("Chứng nhận %s", in->cert_id);
  cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, title);
  g_free(title);
  cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "hocvuso");
  cr = cairo_create(surf);
  if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) goto fail;
  if (draw_page(cr, in, date_vi) != 0) goto fail;
  cairo_show_page(cr);
  if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) goto fail;
  cairo_destroy(cr);
  cr = NULL;
  cairo_surface_finish(surf);
  if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS || out.oom || out.len == 0) goto fail;
  cairo_surface_destroy(surf);
  surf = NULL;
  *pdf = (unsigned char *)buf_detach(&out, len);
  if (!*pdf) {
    *len = 0;
    goto fail;
  }
  rc = 0;
fail:
  if (cr) cairo_destroy(cr);
  if (surf) cairo_surface_destroy(surf);
  buf_free(&out);
  return rc;
}

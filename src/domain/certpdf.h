/* certpdf.h: a certificate as a printable one-page A4 landscape PDF, with its QR code (issue 8).
 * Owns: the layout of the printed certificate (cairo, pango for the Vietnamese text, libqrencode).
 * Never: touches the database, signs anything or keeps state between calls (called from HTTP
 * worker threads): what it prints and what the QR says are given by the caller.
 */
#ifndef HOCVUSO_CERTPDF_H
#define HOCVUSO_CERTPDF_H

#include <stddef.h>

typedef struct certpdf_in {
  const char *cert_id;      /* "HV-2026-000123" style, printed */
  const char *holder_name;  /* Vietnamese, full diacritics */
  const char *holder_birth; /* "12/03/1958" or NULL: not printed */
  const char *programme;    /* "Đạt phổ cập kỹ năng số cơ bản" */
  const char *issued_on;    /* "2026-12-01" (printed as "ngày 01 tháng 12 năm 2026") */
  const char *issuer;       /* issuing unit, e.g. "UBND phường Hòa Bình" */
  const char *place;        /* place name for the date line, e.g. "Hòa Bình" or NULL */
  const char *qr_text;      /* the text the QR encodes (a URL with the signed payload, ~400 chars) */
  const char *verify_hint;  /* short line printed under the QR, e.g. the verification URL without payload */
  const char *key_id;       /* printed small */
} certpdf_in;

/* Return codes of certpdf_render besides 0. */
enum {
  CERTPDF_EINVAL = -1, /* a required field NULL or empty, not UTF-8, too long, or a bad date */
  CERTPDF_ERENDER = -2 /* out of memory, or cairo/pango/libqrencode failed */
};

/* The longest field accepted, in bytes (the QR's text: CERTPDF_QR_MAX). */
#define CERTPDF_FIELD_MAX 1024 /* a title of 200 letters of three bytes each, and more */
#define CERTPDF_QR_MAX 1800

/* Renders a one-page A4 landscape PDF into a malloc'd buffer; 0 on success. Every field is
 * required (non-empty, valid UTF-8, at most CERTPDF_FIELD_MAX bytes) except holder_birth and place;
 * issued_on is a real date "YYYY-MM-DD". On failure *pdf is NULL and *len 0. The caller frees *pdf. */
int certpdf_render(const certpdf_in *in, unsigned char **pdf, size_t *len);

/* The date line's date: "2026-12-01" -> "ngày 01 tháng 12 năm 2026" (Decree 30/2020: a leading
 * zero for days 1-9 and months 1-2). 0, or -1 when iso is not a real date or out does not hold it. */
int certpdf_date_vi(const char *iso, char *out, size_t outlen);

#endif

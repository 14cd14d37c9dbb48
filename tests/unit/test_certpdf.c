/* test_certpdf.c: the printed certificate (src/domain/certpdf.c) read back by the ecosystem's own
 * tools: pdftotext and pdfinfo (poppler-utils), pdftoppm then zbarimg (zbar-tools) for the QR.
 * What is checked: the exact texts, one A4 landscape page, the QR's text, every word inside the
 * frame even for absurdly long names, refusals of missing fields, and calls from several threads. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "domain/certpdf.h"

#define LONG_NAME "Nguyễn Thị Ngọc Hương Thùy Dương Trần Lê"
#define PROGRAMME "Đạt phổ cập kỹ năng số cơ bản"
#define CERT_ID "HV-2026-000123"

/* A QR text of the size the certificates use: a URL with a signed payload (~400 characters). */
static char qr_text[512];

static void make_qr_text(void) {
  int n = snprintf(qr_text, sizeof qr_text, "https://hocvuso.example.vn/xac-minh?c=");
  for (int i = 0; n < 420; i++) qr_text[n++] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[(i * 37 + 11) % 64];
  qr_text[n] = '\0';
}

static certpdf_in sample(void) {
  return (certpdf_in){
      .cert_id = CERT_ID,
      .holder_name = LONG_NAME,
      .holder_birth = "12/03/1958",
      .programme = PROGRAMME,
      .issued_on = "2026-12-01",
      .issuer = "UBND phường Hòa Bình",
      .place = "Hòa Bình",
      .qr_text = qr_text,
      .verify_hint = "https://hocvuso.example.vn/xac-minh",
      .key_id = "k2026a",
  };
}

/* Writes the PDF to a temporary file; returns its path (static per call site: caller copies). */
static void write_tmp(const unsigned char *pdf, size_t len, char *path, size_t pathlen) {
  snprintf(path, pathlen, "/tmp/test_certpdf_XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *fp = fdopen(fd, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(pdf, 1, len, fp), len);
  assert_int_equal(fclose(fp), 0);
}

/* Runs a shell command and returns its whole standard output (malloc'd); fails the test on a
 * non-zero exit (a tool missing: scripts/install-deps.sh installs them). */
static char *run(const char *fmt, ...) {
  char cmd[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t cap = 1 << 16, len = 0;
  char *out = malloc(cap);
  assert_non_null(out);
  size_t n;
  while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
    len += n;
    if (cap - len < 1024) {
      cap *= 2;
      out = realloc(out, cap);
      assert_non_null(out);
    }
  }
  out[len] = '\0';
  int st = pclose(p);
  if (st != 0) fail_msg("command failed (%d): %s", st, cmd);
  return out;
}

/* NFC, and every run of white space as one space: a text that wrapped is found whole. */
static char *normalise(const char *s) {
  char *nfc = (char *)utf8proc_NFC((const utf8proc_uint8_t *)s);
  assert_non_null(nfc);
  char *o = nfc;
  int space = 0;
  for (const char *p = nfc; *p; p++) {
    if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == '\f') {
      space = 1;
      continue;
    }
    if (space && o != nfc) *o++ = ' ';
    space = 0;
    *o++ = *p;
  }
  *o = '\0';
  return nfc;
}

/* Every word pdftotext finds lies inside the frame (the inner rule at 27 pt from each edge), no
 * two words overlap (by more than 2 pt each way: the boxes of lines set close may touch), and
 * none is on the QR (qr: its box, x0 y0 x1 y1, from the top left). Answers the number of words. */
#define MAX_WORDS 2000
static int words_inside_frame(const char *path, const double qr[4]) {
  char *html = run("pdftotext -bbox '%s' -", path);
  static double box[MAX_WORDS][4];
  int words = 0;
  for (const char *p = strstr(html, "<word "); p; p = strstr(p + 1, "<word ")) {
    double *b = box[words];
    assert_true(words < MAX_WORDS);
    assert_int_equal(sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", &b[0], &b[1], &b[2], &b[3]), 4);
    if (b[0] < 27 || b[1] < 27 || b[2] > 841.89 - 27 || b[3] > 595.28 - 27) fail_msg("a word leaves the frame: %.120s", p);
    if (b[0] < qr[2] && b[2] > qr[0] && b[1] < qr[3] && b[3] > qr[1]) fail_msg("a word is on the QR: %.120s", p);
    for (int k = 0; k < words; k++) {
      double w = fmin(b[2], box[k][2]) - fmax(b[0], box[k][0]), h = fmin(b[3], box[k][3]) - fmax(b[1], box[k][1]);
      if (w > 2 && h > 2) fail_msg("two words overlap (%.1f %.1f %.1f %.1f) and (%.1f %.1f %.1f %.1f)", b[0], b[1], b[2], b[3], box[k][0],
                                   box[k][1], box[k][2], box[k][3]);
    }
    words++;
  }
  free(html);
  return words;
}

/* Where the QR is drawn (certpdf.c: 150 pt square, 50 pt from the left, 42 pt above the bottom). */
static const double QR_BOX[4] = {50, 595.28 - 42 - 150, 200, 595.28 - 42};

/* pdfinfo's "Pages:" line. */
static int info_pages(const char *info) {
  const char *p = strstr(info, "Pages:");
  int n = -1;
  if (!p || sscanf(p, "Pages: %d", &n) != 1) return -1;
  return n;
}

static void test_date_vi(void **state) {
  (void)state;
  char out[64];
  assert_int_equal(certpdf_date_vi("2026-12-01", out, sizeof out), 0);
  assert_string_equal(out, "ngày 01 tháng 12 năm 2026");
  assert_int_equal(certpdf_date_vi("2026-01-05", out, sizeof out), 0);
  assert_string_equal(out, "ngày 05 tháng 01 năm 2026");
  assert_int_equal(certpdf_date_vi("2026-03-15", out, sizeof out), 0);
  assert_string_equal(out, "ngày 15 tháng 3 năm 2026");
  assert_int_equal(certpdf_date_vi("2024-02-29", out, sizeof out), 0);
  assert_string_equal(out, "ngày 29 tháng 02 năm 2024");
  assert_int_equal(certpdf_date_vi("2026-02-29", out, sizeof out), -1);
  assert_int_equal(certpdf_date_vi("2026-04-31", out, sizeof out), -1);
  assert_int_equal(certpdf_date_vi("2026-13-01", out, sizeof out), -1);
  assert_int_equal(certpdf_date_vi("2026-12-00", out, sizeof out), -1);
  assert_int_equal(certpdf_date_vi("01/12/2026", out, sizeof out), -1);
  assert_int_equal(certpdf_date_vi("2026-12-011", out, sizeof out), -1);
  assert_int_equal(certpdf_date_vi("", out, sizeof out), -1);
  assert_int_equal(certpdf_date_vi(NULL, out, sizeof out), -1);
  assert_int_equal(certpdf_date_vi("2026-12-01", out, 10), -1);
}

static void test_render_read_back(void **state) {
  (void)state;
  certpdf_in in = sample();
  unsigned char *pdf = NULL;
  size_t len = 0;
  assert_int_equal(certpdf_render(&in, &pdf, &len), 0);
  assert_non_null(pdf);
  assert_true(len > 1000);
  assert_memory_equal(pdf, "%PDF-", 5);
  /* Subset fonts: the page stays small. */
  assert_true(len < 100 * 1024);
  char path[64];
  write_tmp(pdf, len, path, sizeof path);
  free(pdf);

  char *text = run("pdftotext -enc UTF-8 '%s' -", path);
  char *norm = normalise(text);
  assert_non_null(strstr(norm, LONG_NAME));
  assert_non_null(strstr(norm, PROGRAMME));
  assert_non_null(strstr(norm, CERT_ID));
  assert_non_null(strstr(norm, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
  assert_non_null(strstr(norm, "Độc lập - Tự do - Hạnh phúc"));
  assert_non_null(strstr(norm, "CHỨNG NHẬN"));
  assert_non_null(strstr(norm, "Bình dân học vụ số"));
  assert_non_null(strstr(norm, "UBND PHƯỜNG HÒA BÌNH"));
  assert_non_null(strstr(norm, "Hòa Bình, ngày 01 tháng 12 năm 2026"));
  assert_non_null(strstr(norm, "Ngày sinh: 12/03/1958"));
  assert_non_null(strstr(norm, "Quét mã để kiểm tra chứng nhận"));
  assert_non_null(strstr(norm, "https://hocvuso.example.vn/xac-minh"));
  assert_non_null(strstr(norm, "k2026a"));
  free(norm);
  free(text);

  char *info = run("pdfinfo '%s'", path);
  assert_int_equal(info_pages(info), 1);
  /* A4 landscape: 297 x 210 mm wide, as poppler names it. */
  const char *size = strstr(info, "Page size:");
  assert_non_null(size);
  double pw = 0, ph = 0;
  assert_int_equal(sscanf(size, "Page size: %lf x %lf pts (A4)", &pw, &ph), 2);
  assert_non_null(strstr(size, "pts (A4)"));
  assert_true(pw > 841 && pw < 842.5 && ph > 594.5 && ph < 596);
  assert_non_null(strstr(info, "Chứng nhận " CERT_ID));
  free(info);

  assert_true(words_inside_frame(path, QR_BOX) > 30);

  char png[80];
  snprintf(png, sizeof png, "%s-page", path);
  free(run("pdftoppm -r 150 -png -singlefile '%s' '%s'", path, png));
  /* zbarimg's complaints about D-Bus on stderr are not the test's business. */
  char *qr = run("zbarimg --raw -q '%s.png' 2>/dev/null", png);
  size_t ql = strlen(qr);
  if (ql && qr[ql - 1] == '\n') qr[--ql] = '\0';
  assert_string_equal(qr, qr_text);
  free(qr);
  char pngfile[96];
  snprintf(pngfile, sizeof pngfile, "%s.png", png);
  unlink(pngfile);
  unlink(path);
}

/* Names and programmes far longer than any real one: wrapped, shrunk, cut, never off the page. */
static void test_long_texts_stay_inside(void **state) {
  (void)state;
  char name[CERTPDF_FIELD_MAX + 1] = "";
  while (strlen(name) + strlen(LONG_NAME " ") < sizeof name - 1) strcat(name, LONG_NAME " ");
  char word[CERTPDF_FIELD_MAX + 1];
  memset(word, 'W', 300);
  word[300] = '\0';
  const char *names[] = {name, word, "Lê Văn Thành Trung Hiếu Nghĩa Phương Thảo Nguyên Bảo Khánh Hoàng"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    certpdf_in in = sample();
    in.holder_name = names[i];
    in.programme = i == 0 ? name : PROGRAMME " — mô-đun 1: thiết bị số; mô-đun 2: Internet an toàn; mô-đun 3: dịch vụ công trực tuyến";
    in.issuer = i == 1 ? word : "Ủy ban nhân dân phường Hòa Bình, thành phố Hải Phòng, tỉnh Hải Dương cũ";
    in.verify_hint = i == 1 ? word : "https://hocvuso.example.vn/xac-minh";
    in.holder_birth = NULL;
    in.place = NULL;
    unsigned char *pdf = NULL;
    size_t len = 0;
    assert_int_equal(certpdf_render(&in, &pdf, &len), 0);
    char path[64];
    write_tmp(pdf, len, path, sizeof path);
    free(pdf);
    assert_true(words_inside_frame(path, QR_BOX) > 10);
    char *info = run("pdfinfo '%s'", path);
    assert_int_equal(info_pages(info), 1);
    free(info);
    if (i == 2) { /* fits after shrinking: found whole; no place: the date line starts the line */
      char *text = run("pdftotext -enc UTF-8 '%s' -", path);
      char *norm = normalise(text);
      assert_non_null(strstr(norm, names[2]));
      assert_non_null(strstr(norm, "Ngày 01 tháng 12 năm 2026"));
      assert_null(strstr(norm, "Ngày sinh"));
      free(norm);
      free(text);
    }
    unlink(path);
  }
}

static void expect_refused(const certpdf_in *in) {
  unsigned char *pdf = (unsigned char *)"x";
  size_t len = 7;
  assert_int_equal(certpdf_render(in, &pdf, &len), CERTPDF_EINVAL);
  assert_null(pdf);
  assert_int_equal(len, 0);
}

static void test_refusals(void **state) {
  (void)state;
  /* Each required field, NULL then empty. */
  size_t offs[] = {offsetof(certpdf_in, cert_id),   offsetof(certpdf_in, holder_name), offsetof(certpdf_in, programme),
                   offsetof(certpdf_in, issued_on), offsetof(certpdf_in, issuer),      offsetof(certpdf_in, qr_text),
                   offsetof(certpdf_in, verify_hint), offsetof(certpdf_in, key_id)};
  for (size_t i = 0; i < sizeof offs / sizeof *offs; i++) {
    certpdf_in in = sample();
    *(const char **)((char *)&in + offs[i]) = NULL;
    expect_refused(&in);
    *(const char **)((char *)&in + offs[i]) = "";
    expect_refused(&in);
  }
  certpdf_in in = sample();
  in.issued_on = "2026-02-30";
  expect_refused(&in);
  in = sample();
  in.holder_name = "Nguy\xe1\xbb";  /* cut in the middle of a character */
  expect_refused(&in);
  in = sample();
  in.place = "H\xc3";
  expect_refused(&in);
  char big[CERTPDF_QR_MAX + 2];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  in = sample();
  in.qr_text = big;
  expect_refused(&in);
  in = sample();
  in.holder_name = big;
  expect_refused(&in);
  expect_refused(NULL);
  in = sample();
  assert_int_equal(certpdf_render(&in, NULL, NULL), CERTPDF_EINVAL);
  /* Optional fields may be empty. */
  in.holder_birth = "";
  in.place = "";
  unsigned char *pdf = NULL;
  size_t len = 0;
  assert_int_equal(certpdf_render(&in, &pdf, &len), 0);
  free(pdf);
}

static void *render_many(void *arg) {
  int *ok = arg;
  for (int i = 0; i < 3; i++) {
    certpdf_in in = sample();
    unsigned char *pdf = NULL;
    size_t len = 0;
    if (certpdf_render(&in, &pdf, &len) == 0 && len > 1000 && memcmp(pdf, "%PDF-", 5) == 0) (*ok)++;
    free(pdf);
  }
  return NULL;
}

/* The HTTP workers call it at the same time. */
static void test_threads(void **state) {
  (void)state;
  pthread_t th[4];
  int ok[4] = {0};
  for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&th[i], NULL, render_many, &ok[i]), 0);
  for (int i = 0; i < 4; i++) assert_int_equal(pthread_join(th[i], NULL), 0);
  for (int i = 0; i < 4; i++) assert_int_equal(ok[i], 3);
}

int main(void) {
  make_qr_text();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_date_vi),
      cmocka_unit_test(test_render_read_back),
      cmocka_unit_test(test_long_texts_stay_inside),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

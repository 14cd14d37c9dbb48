/* certpdf.c: benchmark of the printed certificate (src/domain/certpdf.c); bench/certpdf.sh builds
 * and runs it. Owns: nothing but the PDF file it is told to write.
 * Never: runs in the test suite; it measures and asserts only that every render succeeded.
 *
 * Usage: certpdf OUT.pdf [ROUNDS] [PER_ROUND]
 *   writes one certificate (long Vietnamese name, a 420-character QR) to OUT.pdf, then, unless
 *   ROUNDS is 0, renders ROUNDS x PER_ROUND more in this thread (fonts warm) and prints the median
 *   and the slowest round's time per certificate, in ms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/certpdf.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: certpdf OUT.pdf [ROUNDS] [PER_ROUND]\n");
    return 2;
  }
  int rounds = argc > 2 ? atoi(argv[2]) : 0, per = argc > 3 ? atoi(argv[3]) : 20;
  if (rounds < 0 || rounds > 1000 || per < 1 || per > 10000) return 2;
  char qr[512];
  int n = snprintf(qr, sizeof qr, "https://hocvuso.example.vn/xac-minh?c=");
  for (int i = 0; n < 420; i++) qr[n++] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[(i * 37 + 11) % 64];
  qr[n] = '\0';
  certpdf_in in = {"HV-2026-000123", "Nguyễn Thị Ngọc Hương Thùy Dương Trần Lê", "12/03/1958",
                   "Đạt phổ cập kỹ năng số cơ bản", "2026-12-01", "UBND phường Hòa Bình", "Hòa Bình", qr,
                   "https://hocvuso.example.vn/xac-minh", "k2026a"};
  unsigned char *pdf = NULL;
  size_t len = 0;
  if (certpdf_render(&in, &pdf, &len) != 0) return 1;
  FILE *fp = fopen(argv[1], "wb");
  if (!fp || fwrite(pdf, 1, len, fp) != len || fclose(fp) != 0) return 1;
  free(pdf);
  if (rounds == 0) return 0;
  double *ms = calloc((size_t)rounds, sizeof *ms);
  if (!ms) return 1;
  for (int r = 0; r < rounds; r++) {
    double t0 = now_ms();
    for (int i = 0; i < per; i++) {
      if (certpdf_render(&in, &pdf, &len) != 0) return 1;
      free(pdf);
    }
    ms[r] = (now_ms() - t0) / per;
  }
  qsort(ms, (size_t)rounds, sizeof *ms, cmp_d);
  printf("bytes %zu\nwarm_median_ms %.3f\nwarm_max_round_ms %.3f\n", len, ms[rounds / 2], ms[rounds - 1]);
  free(ms);
  return 0;
}

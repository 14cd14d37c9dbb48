/* h_test.c: handlers of the test-only routes (/api/v1/test/…, enabled by HOCVUSO_TEST_ROUTES=1
 * at start-up, see routes_enabled). They exist so that API tests can drive mechanisms no product
 * route uses yet; they read and change nothing in the database.
 * Never: enabled in production (the variable is not set by deploy/ or scripts/start.sh).
 */
#include <errno.h>
#include <sodium.h>
#include <unistd.h>

#include "http/handlers.h"

/* The upload sink: answers how many bytes arrived in the temporary file and their SHA-256. */
int h_test_upload(req *r) {
  uint64_t len = 0;
  int fd = req_upload_fd(r, &len);
  if (fd < 0) return req_fail(r, 500, "internal", NULL, "Lỗi hệ thống.");
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  unsigned char chunk[16384];
  uint64_t total = 0;
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return req_fail(r, 500, "internal", NULL, "Lỗi hệ thống.");
    if (n == 0) break;
    crypto_hash_sha256_update(&st, chunk, (unsigned long long)n);
    total += (uint64_t)n;
  }
  unsigned char md[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, md);
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, md, sizeof md);
  if (total != len) return req_fail(r, 500, "internal", NULL, "Lỗi hệ thống.");
  return req_ok(r, 200, json_pack("{s:I, s:s}", "bytes", (json_int_t)total, "sha256", hex));
}

/* An error whose message is not UTF-8 (what a bug upstream could produce): the server must still
 * answer the contract's JSON error, never an empty body. */
int h_test_broken_error(req *r) {
  static const char bad[] = "L\xf5i \xff";
  return req_fail(r, 400, "invalid_value", "x", bad);
}

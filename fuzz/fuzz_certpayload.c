/* fuzz_certpayload.c: libFuzzer harness for the certificate payload reader (certs_payload.c), which
 * the public verification API runs on whatever a QR code or a stranger sends. Checks: a payload the
 * reader accepts is written back by certs_payload byte for byte (when it holds no control
 * character, which the writer makes a space), so that what is verified is what was signed; IDs
 * read back as written. Never: writes files. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/certs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > CERTS_PAYLOAD_MAX) return 0;
  char *copy = malloc(size + 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  copy[size] = 0;
  cert_fields f;
  if (memchr(data, 0, size) == NULL && certs_payload_parse(copy, &f) == 0) {
    if (f.id < 1000000000000000LL || f.id > 9999999999999999LL) __builtin_trap();
    char out[CERTS_PAYLOAD_MAX + 64];
    int n = certs_payload(&f, out, sizeof out);
    if (n < 0) __builtin_trap();
    bool controls = false;
    for (size_t i = 0; i < size; i++) controls |= (data[i] < 0x20 && data[i] != '\n') || data[i] == 0x7f;
    /* The ID is rewritten in its canonical form (dashes): compare from the holder line on. */
    const char *a = strstr((const char *)out, "\nholder: "), *b = memmem(data, size, "\nholder: ", 9);
    if (!controls && (!a || !b || strlen(a) != size - (size_t)((const uint8_t *)b - data) ||
                      memcmp(a, b, strlen(a)) != 0))
      __builtin_trap();
    char idt[24];
    certs_id_format(f.id, idt);
    if (certs_id_parse(idt) != f.id) __builtin_trap();
  }
  free(copy);
  return 0;
}

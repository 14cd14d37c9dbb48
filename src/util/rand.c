/* rand.c: see rand.h. */
#include "util/rand.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

static _Thread_local struct {
  unsigned char key[randombytes_SEEDBYTES];
  uint32_t v[64];
  int left;
  bool keyed;
} stream;

static uint32_t next_u32(void) {
  if (!stream.keyed) {
    randombytes_buf(stream.key, sizeof stream.key);
    stream.keyed = true;
    stream.left = 0;
  }
  if (stream.left == 0) {
    unsigned char block[randombytes_SEEDBYTES + sizeof stream.v];
    randombytes_buf_deterministic(block, sizeof block, stream.key);
    memcpy(stream.key, block, sizeof stream.key);
    memcpy(stream.v, block + sizeof stream.key, sizeof stream.v);
    sodium_memzero(block, sizeof block);
    stream.left = (int)(sizeof stream.v / sizeof stream.v[0]);
  }
  uint32_t x = stream.v[--stream.left];
  stream.v[stream.left] = 0; /* a number is used once */
  return x;
}

uint32_t rand_uniform(uint32_t n) {
  if (n < 2) return 0;
  uint32_t min = (1U + ~n) % n; /* 2^32 mod n: below it, a value would favour the small results */
  uint32_t r;
  do r = next_u32();
  while (r < min);
  return r % n;
}

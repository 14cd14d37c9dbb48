/* ratelimit.c: token buckets in a fixed hash table (see ratelimit.h). A collision shares a
 * bucket, which errs towards limiting; the table never grows, so a flood of addresses cannot
 * exhaust memory. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"

#define SLOTS 4096

typedef struct bucket {
  double tokens;
  double at;
} bucket;

struct ratelimit {
  pthread_mutex_t mu;
  bucket b[RATE_COUNT][SLOTS];
};

/* burst, refill per second. RATE_LOGIN is per address: 120 at once (a class of 40 logging in
 * together behind one NAT, and changing their first password), then two a second.
 * RATE_WRITE is per account. RATE_FORM (the public help-request form) is per address: 5 at once,
 * then one every 20 seconds. */
static const double rate_burst[RATE_COUNT] = {0, 120, 300, 5};
static const double rate_refill[RATE_COUNT] = {0, 2, 20, 0.05};

ratelimit *ratelimit_new(void) {
  ratelimit *rl = calloc(1, sizeof *rl);
  if (rl) pthread_mutex_init(&rl->mu, NULL);
  return rl;
}

void ratelimit_free(ratelimit *rl) {
  if (!rl) return;
  pthread_mutex_destroy(&rl->mu);
  free(rl);
}

static uint32_t fnv(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

int ratelimit_take(ratelimit *rl, rate_class cls, const char *key) {
  if (!rl || cls <= RATE_NONE || cls >= RATE_COUNT) return 0;
  double now = clock_mono();
  pthread_mutex_lock(&rl->mu);
  bucket *b = &rl->b[cls][fnv(key ? key : "") % SLOTS];
  if (b->at == 0) {
    b->tokens = rate_burst[cls];
  } else {
    b->tokens += (now - b->at) * rate_refill[cls];
    if (b->tokens > rate_burst[cls]) b->tokens = rate_burst[cls];
  }
  b->at = now;
  int wait = 0;
  if (b->tokens >= 1) {
    b->tokens -= 1;
  } else {
    wait = (int)((1 - b->tokens) / rate_refill[cls]) + 1;
  }
  pthread_mutex_unlock(&rl->mu);
  return wait;
}

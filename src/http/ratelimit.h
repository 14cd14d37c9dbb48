/* ratelimit.h: token buckets, one set per rate class of the route table, keyed by address
 * (public routes such as log-in) or by account (writes: see router.c).
 * In memory, per process: a first line against floods. Log-in throttling that must hold
 * across app servers lives in the database (domain/sessions.c).
 */
#ifndef HOCVUSO_RATELIMIT_H
#define HOCVUSO_RATELIMIT_H

#include "http/http.h"

ratelimit *ratelimit_new(void);
void ratelimit_free(ratelimit *rl);
/* Takes a token; 0 when allowed, else the seconds to wait. */
int ratelimit_take(ratelimit *rl, rate_class cls, const char *key);

#endif

/* clock.h: time in the forms the product uses: epoch seconds in storage, ISO 8601 UTC in JSON. */
#ifndef HOCVUSO_CLOCK_H
#define HOCVUSO_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t clock_now(void);      /* seconds since the epoch */
int64_t clock_now_ms(void);   /* milliseconds since the epoch */
double clock_mono(void);      /* monotonic seconds, for durations */
/* "2026-11-25T11:08:07Z" */
void clock_iso8601(int64_t epoch, char *out, size_t n);
/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (UTC); false when it is not one. */
bool clock_parse_iso(const char *s, int64_t *epoch);

#endif

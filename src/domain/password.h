/* password.h: password strength for new passwords: length, Debian's libzxcvbn, and a short
 * list of passwords common in Vietnam (with the "name + birth year" pattern).
 * Owns: the policy and its Vietnamese messages.
 * Never: logs or keeps a password.
 */
#ifndef HOCVUSO_PASSWORD_H
#define HOCVUSO_PASSWORD_H

#include "domain/err.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 128
#define PASSWORD_MIN_BITS 26.0 /* zxcvbn's estimate: about 10^8 guesses (its score 3) */

/* 0 when strong enough; else -1 with the error added to `e` (app_add) under `field`.
 * `username` and `display_name` (either may be NULL) must not make up the password. */
int password_check(const char *pw, const char *field, const char *username, const char *display_name, app_err *e);
/* zxcvbn's estimate in bits (for the strength hint and tests). */
double password_bits(const char *pw);

#endif

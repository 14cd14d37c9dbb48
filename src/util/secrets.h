/* secrets.h: the server's keys, created on first run in DIR/secrets.json (mode 0600).
 * Owns: the session key (token hashes, CSRF tokens), the data-encryption key (secretbox of
 * national ID numbers) and its keyed-hash key, the Ed25519 certificate-signing seed.
 * Never: prints or logs a key; never reads a secrets file that others can read.
 */
#ifndef HOCVUSO_SECRETS_H
#define HOCVUSO_SECRETS_H

#include <stddef.h>

typedef struct secrets {
  unsigned char session_key[32];
  unsigned char data_key[32];
  unsigned char lookup_key[32]; /* keyed hashes for finding encrypted values */
  unsigned char signing_seed[32];
} secrets;

/* Loads DIR/secrets.json, creating it (and DIR) when absent. 0 or -1 with a message. */
int secrets_load(const char *dir, secrets *out, char *err, size_t errlen);

#endif

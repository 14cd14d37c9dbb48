/* connlimit.h: how many connections each client address holds, so that one address cannot take
 * every connection slot. IPv4 addresses count one by one, IPv6 addresses by /64 (one host
 * usually holds a whole /64). Thread-safe.
 * Owns: the table of counts. Never: counts an exempt address (loopback, the trusted proxy).
 */
#ifndef HOCVUSO_CONNLIMIT_H
#define HOCVUSO_CONNLIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct connlimit connlimit;

typedef struct conn_key {
  uint8_t b[16]; /* IPv4 as ::ffff:a.b.c.d; IPv6 with its last 64 bits zeroed */
} conn_key;

/* `cap` connections per key (0: no cap); `exempt_loopback`: 127.0.0.0/8 and ::1 are not counted;
 * `proxy`: an address (text) that is never counted, or "" for none. NULL on no memory or a
 * malformed proxy address. */
connlimit *connlimit_new(int cap, bool exempt_loopback, const char *proxy);
void connlimit_free(connlimit *cl);
/* The key of an address; false when it is exempt (or not an internet address). */
bool connlimit_key(const connlimit *cl, const struct sockaddr *sa, conn_key *k);
/* Would one more connection of this key stay within the cap? */
bool connlimit_allows(connlimit *cl, const conn_key *k);
/* Counts a connection in or out; connlimit_add answers false on no memory (then not counted). */
bool connlimit_add(connlimit *cl, const conn_key *k);
void connlimit_del(connlimit *cl, const conn_key *k);
/* Connections currently counted for a key (for tests). */
int connlimit_count(connlimit *cl, const conn_key *k);

#endif

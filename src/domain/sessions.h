/* sessions.h: log-in sessions and log-in throttling.
 * Owns: the sessions and login_failures tables. The database holds only a keyed hash of a
 * session token; the CSRF token is derived from the session token with the session key, so
 * it needs no storage and dies with the session. Device cookies (below) need no storage either.
 * Never: stores or logs a token.
 */
#ifndef HOCVUSO_SESSIONS_H
#define HOCVUSO_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/secrets.h"

#define SESSION_IDLE_SECONDS (12 * 3600)  /* a session ends after 12 idle hours */
#define SESSION_TOUCH_SECONDS 300         /* last_seen is written at most every 5 minutes */
#define SESSION_TOKEN_LEN 43              /* base64url of 32 random bytes */
/* Log-in throttling (docs/API.md, "Đăng nhập sai nhiều lần"). Failures are counted over a
 * sliding window per (account, address) pair and per address (an IPv6 address by its /64);
 * past the free attempts each further attempt waits twice as long as the one before
 * (LOGIN_BACKOFF_FIRST, doubling, at most the window), counted from the last failure. There is
 * no lock of an account as such: when an account collects LOGIN_ACCOUNT_ALERT failures from
 * all addresses together, each new address gets a single free attempt instead of
 * LOGIN_FREE_PER_PAIR, so the owner's first try from elsewhere still goes through. */
#define LOGIN_WINDOW_SECONDS (15 * 60)
#define LOGIN_FREE_PER_PAIR 5
#define LOGIN_FREE_PER_ADDRESS 100 /* a school behind one NAT: 40 learners and their typos */
#define LOGIN_ACCOUNT_ALERT 50
#define LOGIN_BACKOFF_FIRST 30
#define LOGIN_TOUCH_FLUSH_MS 3000  /* last_seen batches are written this often */

/* Device cookies (OWASP "Slow down online guessing attacks with device cookies"). A browser
 * where someone logged in gets the cookie `hocvuso_device`: up to DEVICE_MAX_ENTRIES entries
 * joined by '.', each base64url of a 12-byte nonce, a 4-byte expiry (big-endian epoch seconds)
 * and a keyed hash of (nonce, expiry, user name) under a key derived from the session key.
 * The user name is not in the cookie; only this server can tell which name an entry is for,
 * and only when it is given the name. An attempt that carries a valid entry for the name it
 * tries is exempt from the per-address rule (its failures count per pair and per account). */
#define DEVICE_COOKIE "hocvuso_device"
#define DEVICE_ENTRY_LEN 64 /* base64url of 48 bytes */
#define DEVICE_MAX_ENTRIES 4 /* a phone a family shares */
#define DEVICE_COOKIE_MAX (DEVICE_MAX_ENTRIES * (DEVICE_ENTRY_LEN + 1))
#define DEVICE_LIFETIME_SECONDS (365 * 24 * 3600)

int sessions_create(store_conn *w, const secrets *k, int64_t user_id, const char *ip, const char *user_agent,
                    char token[SESSION_TOKEN_LEN + 1], int64_t *session_id, app_err *e);
/* 1 and a filled principal when the token names a live session of an enabled account; 0 when
 * not; -1 when the database failed. */
int sessions_lookup(store_conn *c, const secrets *k, const char *token, arena *a, principal *out);
void sessions_csrf(const secrets *k, const char *token, char out[65]);
bool sessions_csrf_ok(const secrets *k, const char *token, const char *given);
int sessions_touch(store_conn *w, int64_t session_id);
/* Records "seen now" in memory, for the background flush: never touches the database, so a
 * read never takes the writer. Repeated calls for one session before a flush cost nothing. */
void sessions_touch_later(int64_t session_id);
/* Writes the queued "last seen" times in one short transaction on the writer; returns how
 * many sessions were written, or -1 (the queue is kept for the next flush). */
int sessions_touch_flush(store *st);
/* A thread that flushes every LOGIN_TOUCH_FLUSH_MS; stop flushes one last time. */
int sessions_toucher_start(store *st);
void sessions_toucher_stop(void);
int sessions_end(store_conn *w, int64_t session_id);
/* Ends every session of a user but `except` (0: all). */
int sessions_end_user(store_conn *w, int64_t user_id, int64_t except);
int sessions_purge(store_conn *w);

/* The new value of the device cookie once `username` has logged in at `now`: a fresh entry
 * for it first, then the well-formed entries of `old` (may be NULL) that are not for it, at
 * most DEVICE_MAX_ENTRIES in all. */
void sessions_device_make(const secrets *k, const char *old, const char *username, int64_t now,
                          char out[DEVICE_COOKIE_MAX]);
/* True when `cookie` holds an unexpired entry made by this key for exactly `username`
 * (constant-time comparison). NULL, empty, malformed, forged or another name's: false. */
bool sessions_device_ok(const secrets *k, const char *cookie, const char *username, int64_t now);

/* The address a throttle counts: IPv4 as it is, IPv6 by its /64 ("2001:db8:1:2::/64"). */
void login_address_key(const char *ip, char out[64]);
/* Seconds until another log-in attempt is allowed for this account from this address; 0 if
 * now. Reads only (any connection). */
int login_throttle(store_conn *c, const char *username, const char *ip, int *retry_after);
/* The same for an attempt that may carry a device cookie valid for `username`
 * (sessions_device_ok): when it does, the per-address rule does not apply. */
int login_throttle_device(store_conn *c, const char *username, const char *ip, bool known_device, int *retry_after);
/* Records a failed attempt (wrong password, unknown account) on the writer. */
int login_failed(store_conn *w, const char *username, const char *ip);
/* The same; an attempt from a known device is not counted for the address. */
int login_failed_device(store_conn *w, const char *username, const char *ip, bool known_device);
/* Forgets this pair's failures after a successful log-in. */
int login_succeeded(store_conn *w, const char *username, const char *ip);

#endif

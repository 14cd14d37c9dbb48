/* sessions.h: log-in sessions and log-in throttling.
 * Owns: the sessions and login_failures tables. The database holds only a keyed hash of a
 * session token; the CSRF token is derived from the session token with the session key, so
 * it needs no storage and dies with the session.
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
#define LOGIN_WINDOW_SECONDS (15 * 60)
#define LOGIN_MAX_PER_ACCOUNT 5
#define LOGIN_MAX_PER_ADDRESS 20

int sessions_create(store_conn *w, const secrets *k, int64_t user_id, const char *ip, const char *user_agent,
                    char token[SESSION_TOKEN_LEN + 1], int64_t *session_id, app_err *e);
/* 1 and a filled principal when the token names a live session of an enabled account; 0 when
 * not; -1 when the database failed. */
int sessions_lookup(store_conn *c, const secrets *k, const char *token, arena *a, principal *out);
void sessions_csrf(const secrets *k, const char *token, char out[65]);
bool sessions_csrf_ok(const secrets *k, const char *token, const char *given);
int sessions_touch(store_conn *w, int64_t session_id);
int sessions_end(store_conn *w, int64_t session_id);
/* Ends every session of a user but `except` (0: all). */
int sessions_end_user(store_conn *w, int64_t user_id, int64_t except);
int sessions_purge(store_conn *w);

/* Seconds until another log-in attempt is allowed for this account or address; 0 if now. */
int login_throttle(store_conn *c, const char *username, const char *ip, int *retry_after);
int login_failed(store_conn *w, const char *username, const char *ip);
int login_succeeded(store_conn *w, const char *username);

#endif

/* authcache.h: a per-process cache of sessions and their grants (the principal), keyed by the
 * keyed hash of the session token, kept true across app servers by PostgreSQL LISTEN/NOTIFY.
 * Owns: the cache, its listener thread and the `hocvuso_auth` notification channel.
 * Never: holds a raw session token, or is trusted while its listener is not known to be up.
 *
 * Every change to who may do what (grant, revoke, disable/enable, password change or reset,
 * session end, unit move) calls authcache_changed() inside its transaction: the entries
 * concerned are dropped in this process at once, and a notification queued on the database is
 * delivered to every process (this one included) when the transaction commits; each process's
 * listener drops the same entries then. While the listener is down (or late: its lease runs out
 * after AUTHCACHE_LEASE_MS without a sign of life) the cache answers nothing, so requests read
 * the database. SQLite has no LISTEN/NOTIFY: its backend stands in with a notifications table
 * written in the changing transaction and polled by the listener (src/store/sqlite.c), so that a
 * change made by `hocvuso user …` or a second server on the same file is heard within the poll.
 */
#ifndef HOCVUSO_AUTHCACHE_H
#define HOCVUSO_AUTHCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/secrets.h"

#define AUTHCACHE_KEY_LEN 32
#define AUTHCACHE_SLOTS 4096          /* entries per process (a power of two) */
#define AUTHCACHE_IDLE_MS 30000       /* an entry unused for this long is dropped */
#define AUTHCACHE_MAX_AGE_MS 60000    /* and any entry after this long: a safety net */
#define AUTHCACHE_LEASE_MS 3000       /* trust lapses when the listener is silent this long */
#define AUTHCACHE_PING_MS 1000        /* the listener checks its connection this often */
#define AUTHCACHE_CHANNEL "hocvuso_auth"

typedef struct authcache authcache;

/* ---- the cache itself (times are monotonic milliseconds, given by the caller) ---- */
authcache *authcache_new(int slots, int64_t idle_ms, int64_t max_age_ms);
void authcache_free(authcache *ac);
/* The keyed hash of a session token (the same key as the sessions table's). */
void authcache_key(const secrets *k, const char *token, unsigned char key[AUTHCACHE_KEY_LEN]);
/* 1 and a copy of the principal in `a` (csrf left empty: derive it), or 0: a miss, also when the
 * cache is not trusted now or the session's idle expiry has passed. */
int authcache_get(authcache *ac, const unsigned char key[AUTHCACHE_KEY_LEN], int64_t now_ms, arena *a,
                  principal *out);
/* Read before looking the session up in the database, and given to authcache_put: an entry is
 * stored only if nothing was invalidated in between (else it could be older than the change). */
uint64_t authcache_gen(authcache *ac);
void authcache_put(authcache *ac, const unsigned char key[AUTHCACHE_KEY_LEN], const principal *p, uint64_t gen,
                   int64_t now_ms);
/* authcache_get for a writer's re-check (router.c): 1 only when the cache has also been told of
 * every change the writer's transaction can see, i.e. the listener's notification mark
 * (authcache_mark) has reached `db_mark`, the transaction's (store_notify_mark); else 0 and the
 * caller reads the database. Entries are dropped when a notification is applied and never stored
 * from a read older than a drop (the generation), so an entry present then is as current as the
 * transaction. */
int authcache_get_current(authcache *ac, const unsigned char key[AUTHCACHE_KEY_LEN], int64_t now_ms, int64_t db_mark,
                          arena *a, principal *out);
/* The listener's mark: every notification up to it has been applied (SQLite; none on
 * PostgreSQL, where authcache_get_current never answers). Withdrawn with trust. */
void authcache_mark(authcache *ac, int64_t mark);
uint64_t authcache_current_hits(authcache *ac); /* for tests */
/* Records that the session was seen at `last_seen` (epoch seconds), so that only one request
 * touches it. */
void authcache_seen(authcache *ac, const unsigned char key[AUTHCACHE_KEY_LEN], int64_t last_seen);
void authcache_drop_user(authcache *ac, int64_t user_id);
void authcache_drop_session(authcache *ac, int64_t session_id);
void authcache_drop_all(authcache *ac);
/* Applies a notification's payload: "u:<user id>", "s:<session id>"; anything else drops all. */
void authcache_apply(authcache *ac, const char *payload);
/* The cache is trusted until `until_ms`; 0 (or a time past) withdraws trust. Granting trust
 * after a time without it drops every entry (notifications may have been missed). */
void authcache_trust(authcache *ac, int64_t until_ms, int64_t now_ms);
int authcache_count(authcache *ac); /* live entries, for tests */

/* ---- the process's cache ---- */
int64_t authcache_now_ms(void); /* monotonic milliseconds */
/* Starts this process's cache and its listener thread (both backends).
 * 0 on success. */
int authcache_start(store *st);
void authcache_stop(void);
/* This process's cache, or NULL (the CLI, or not started). */
authcache *authcache_process(void);

/* What changed, for authcache_changed. */
typedef enum { AUTH_CHANGED_USER = 'u', AUTH_CHANGED_SESSION = 's', AUTH_CHANGED_ALL = '*' } auth_change;
/* To be called inside the transaction that changes who may do what: drops the entries in this
 * process and queues the notification for every process. 0, or -1 when the notification could
 * not be queued (the caller fails its transaction). */
int authcache_changed(store_conn *w, auth_change what, int64_t id);

#endif

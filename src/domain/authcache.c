/* authcache.c: the per-process session cache and its LISTEN/NOTIFY listener (see authcache.h).
 * Owns: the cache's memory (one malloc'd block per entry for the principal's grants and strings),
 * its lock, and the listener thread with its dedicated database connection.
 * Never: answers from the cache while it is not trusted, or stores an entry read before a change.
 */
#include "domain/authcache.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/caps.h"
#include "domain/sessions.h"
#include "util/clock.h"
#include "util/log.h"

#define PROBE 8 /* an entry lives in one of PROBE slots after its hash's slot */

typedef struct entry {
  bool used;
  unsigned char key[AUTHCACHE_KEY_LEN];
  int64_t born_ms, used_ms;
  principal p; /* its grants and strings point into blob */
  char *blob;
} entry;

struct authcache {
  pthread_mutex_t mu;
  entry *slots;
  size_t mask;
  int64_t idle_ms, max_age_ms;
  uint64_t gen;              /* bumped by every invalidation and change of trust */
  int64_t trusted_until_ms;  /* 0: not trusted */
  int64_t mark;              /* the listener's notification mark (authcache_mark); -1: none */
  uint64_t current_hits;     /* principals answered by authcache_get_current */
};

authcache *authcache_new(int slots, int64_t idle_ms, int64_t max_age_ms) {
  size_t n = 16;
  while (n < (size_t)slots && n < ((size_t)1 << 24)) n <<= 1;
  authcache *ac = calloc(1, sizeof *ac);
  if (!ac) return NULL;
  ac->slots = calloc(n, sizeof *ac->slots);
  if (!ac->slots) {
    free(ac);
    return NULL;
  }
  if (pthread_mutex_init(&ac->mu, NULL) != 0) {
    free(ac->slots);
    free(ac);
    return NULL;
  }
  ac->mask = n - 1;
  ac->mark = -1;
  ac->idle_ms = idle_ms;
  ac->max_age_ms = max_age_ms;
  return ac;
}

static void entry_clear(entry *e) {
  free(e->blob);
  memset(e, 0, sizeof *e);
}

void authcache_free(authcache *ac) {
  if (!ac) return;
  for (size_t i = 0; i <= ac->mask; i++) entry_clear(&ac->slots[i]);
  pthread_mutex_destroy(&ac->mu);
  free(ac->slots);
  free(ac);
}

void authcache_key(const secrets *k, const char *token, unsigned char key[AUTHCACHE_KEY_LEN]) {
  crypto_generichash(key, AUTHCACHE_KEY_LEN, (const unsigned char *)token, strlen(token), k->session_key,
                     sizeof k->session_key);
}

static size_t home_of(const authcache *ac, const unsigned char *key) {
  uint64_t h;
  memcpy(&h, key, sizeof h); /* the key is a keyed hash: its bytes are already uniform */
  return (size_t)h & ac->mask;
}

static bool entry_live(const authcache *ac, const entry *e, int64_t now_ms) {
  return e->used && now_ms - e->born_ms < ac->max_age_ms && now_ms - e->used_ms < ac->idle_ms;
}

/* The slot holding `key`, or NULL. Caller holds the lock. */
static entry *find(authcache *ac, const unsigned char *key) {
  size_t h = home_of(ac, key);
  for (size_t i = 0; i < PROBE; i++) {
    entry *e = &ac->slots[(h + i) & ac->mask];
    if (e->used && sodium_memcmp(e->key, key, AUTHCACHE_KEY_LEN) == 0) return e;
  }
  return NULL;
}

static bool trusted(const authcache *ac, int64_t now_ms) { return ac->trusted_until_ms > now_ms; }

static const char *copy_str(arena *a, const char *s) { return s ? arena_strdup(a, s) : NULL; }

/* authcache_get, and with `db_mark` >= 0 authcache_get_current. */
static int get_entry(authcache *ac, const unsigned char key[AUTHCACHE_KEY_LEN], int64_t now_ms, int64_t db_mark,
                     arena *a, principal *out) {
  int hit = 0;
  pthread_mutex_lock(&ac->mu);
  bool current = db_mark < 0 || (ac->mark >= 0 && ac->mark >= db_mark);
  entry *e = current && trusted(ac, now_ms) ? find(ac, key) : NULL;
  if (e && !entry_live(ac, e, now_ms)) {
    entry_clear(e);
    e = NULL;
  }
  /* The session's own idle expiry (the database's expires_at is last_seen + the idle time). */
  if (e && clock_now() >= e->p.last_seen + SESSION_IDLE_SECONDS) {
    entry_clear(e);
    e = NULL;
  }
  if (e) {
    e->used_ms = now_ms;
    *out = e->p;
    out->username = copy_str(a, e->p.username);
    out->display_name = copy_str(a, e->p.display_name);
    out->grants = arena_alloc(a, sizeof(grant) * (size_t)(e->p.ngrants ? e->p.ngrants : 1));
    for (int i = 0; i < e->p.ngrants; i++) {
      const grant *g = &e->p.grants[i];
      grant *d = &out->grants[i];
      *d = *g;
      d->role = copy_str(a, g->role);
      const role_info *ri = role_find(d->role);
      d->role_label = ri ? ri->label : d->role;
      d->unit_name = copy_str(a, g->unit_name);
      d->unit_path = copy_str(a, g->unit_path);
    }
    out->csrf[0] = '\0';
    hit = 1;
    if (db_mark >= 0) ac->current_hits++;
  }
  pthread_mutex_unlock(&ac->mu);
  return hit;
}

int authcache_get(authcache *ac, const unsigned char key[AUTHCACHE_KEY_LEN], int64_t now_ms, arena *a,
                  principal *out) {
  return get_entry(ac, key, now_ms, -1, a, out);
}

int authcache_get_current(authcache *ac, const unsigned char key[AUTHCACHE_KEY_LEN], int64_t now_ms, int64_t db_mark,
                          arena *a, principal *out) {
  return db_mark >= 0 ? get_entry(ac, key, now_ms, db_mark, a, out) : 0;
}

void authcache_mark(authcache *ac, int64_t mark) {
  pthread_mutex_lock(&ac->mu);
  ac->mark = mark;
  pthread_mutex_unlock(&ac->mu);
}

uint64_t authcache_current_hits(authcache *ac) {
  pthread_mutex_lock(&ac->mu);
  uint64_t n = ac->current_hits;
  pthread_mutex_unlock(&ac->mu);
  return n;
}

uint64_t authcache_gen(authcache *ac) {
  pthread_mutex_lock(&ac->mu);
  uint64_t g = ac->gen;
  pthread_mutex_unlock(&ac->mu);
  return g;
}

static size_t str_size(const char *s) { return s ? strlen(s) + 1 : 0; }

/* Copies s into the blob at *at; NULL stays NULL. */
static const char *blob_str(char *blob, size_t *at, const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  memcpy(blob + *at, s, n);
  const char *r = blob + *at;
  *at += n;
  return r;
}

void authcache_put(authcache *ac, const unsigned char key[AUTHCACHE_KEY_LEN], const principal *p, uint64_t gen,
                   int64_t now_ms) {
  /* One block: the grants, then every string. Built outside the lock. */
  size_t gsize = sizeof(grant) * (size_t)p->ngrants;
  size_t size = gsize + str_size(p->username) + str_size(p->display_name);
  for (int i = 0; i < p->ngrants; i++)
    size += str_size(p->grants[i].role) + str_size(p->grants[i].unit_name) + str_size(p->grants[i].unit_path);
  char *blob = malloc(size ? size : 1);
  if (!blob) return; /* not cached: the next request reads the database */
  entry ne;
  memset(&ne, 0, sizeof ne);
  ne.used = true;
  memcpy(ne.key, key, AUTHCACHE_KEY_LEN);
  ne.born_ms = ne.used_ms = now_ms;
  ne.p = *p;
  ne.p.csrf[0] = '\0';
  ne.blob = blob;
  grant *grants = (grant *)(void *)blob;
  size_t at = gsize;
  ne.p.username = blob_str(blob, &at, p->username);
  ne.p.display_name = blob_str(blob, &at, p->display_name);
  for (int i = 0; i < p->ngrants; i++) {
    grants[i] = p->grants[i];
    grants[i].role = blob_str(blob, &at, p->grants[i].role);
    grants[i].role_label = NULL; /* static text, looked up again on the way out */
    grants[i].unit_name = blob_str(blob, &at, p->grants[i].unit_name);
    grants[i].unit_path = blob_str(blob, &at, p->grants[i].unit_path);
  }
  ne.p.grants = p->ngrants ? grants : NULL;

  pthread_mutex_lock(&ac->mu);
  if (gen != ac->gen || !trusted(ac, now_ms)) {
    pthread_mutex_unlock(&ac->mu);
    free(blob);
    return;
  }
  entry *slot = find(ac, key);
  if (!slot) {
    /* A free or dead slot near home, else the least recently used one there. */
    size_t h = home_of(ac, key);
    for (size_t i = 0; i < PROBE; i++) {
      entry *e = &ac->slots[(h + i) & ac->mask];
      if (!entry_live(ac, e, now_ms)) {
        slot = e;
        break;
      }
      if (!slot || e->used_ms < slot->used_ms) slot = e;
    }
  }
  entry_clear(slot);
  *slot = ne;
  pthread_mutex_unlock(&ac->mu);
}

void authcache_seen(authcache *ac, const unsigned char key[AUTHCACHE_KEY_LEN], int64_t last_seen) {
  pthread_mutex_lock(&ac->mu);
  entry *e = find(ac, key);
  if (e && e->p.last_seen < last_seen) e->p.last_seen = last_seen;
  pthread_mutex_unlock(&ac->mu);
}

static void drop_where(authcache *ac, int64_t user_id, int64_t session_id, bool all) {
  pthread_mutex_lock(&ac->mu);
  ac->gen++;
  for (size_t i = 0; i <= ac->mask; i++) {
    entry *e = &ac->slots[i];
    if (e->used && (all || (user_id && e->p.user_id == user_id) || (session_id && e->p.session_id == session_id)))
      entry_clear(e);
  }
  pthread_mutex_unlock(&ac->mu);
}

void authcache_drop_user(authcache *ac, int64_t user_id) { drop_where(ac, user_id, 0, user_id <= 0); }
void authcache_drop_session(authcache *ac, int64_t session_id) {
  drop_where(ac, 0, session_id, session_id <= 0);
}
void authcache_drop_all(authcache *ac) { drop_where(ac, 0, 0, true); }

void authcache_apply(authcache *ac, const char *payload) {
  char kind = payload ? payload[0] : '\0';
  char *end = NULL;
  long long id = 0;
  if ((kind == 'u' || kind == 's') && payload[1] == ':') id = strtoll(payload + 2, &end, 10);
  if (id > 0 && end && *end == '\0') {
    if (kind == 'u')
      authcache_drop_user(ac, id);
    else
      authcache_drop_session(ac, id);
    return;
  }
  authcache_drop_all(ac); /* "*" or anything not understood: in doubt, drop everything */
}

void authcache_trust(authcache *ac, int64_t until_ms, int64_t now_ms) {
  pthread_mutex_lock(&ac->mu);
  bool was = trusted(ac, now_ms);
  if (!was || until_ms <= now_ms) {
    /* Trust begins again, or ends: what the cache holds may have missed changes, and the mark
     * is the old listener's until the new one publishes its own. */
    ac->gen++;
    ac->mark = -1;
    for (size_t i = 0; i <= ac->mask; i++)
      if (ac->slots[i].used) entry_clear(&ac->slots[i]);
  }
  ac->trusted_until_ms = until_ms > now_ms ? until_ms : 0;
  pthread_mutex_unlock(&ac->mu);
}

int authcache_count(authcache *ac) {
  int n = 0;
  pthread_mutex_lock(&ac->mu);
  for (size_t i = 0; i <= ac->mask; i++) n += ac->slots[i].used;
  pthread_mutex_unlock(&ac->mu);
  return n;
}

/* ---- the process's cache and its listener ---- */

static authcache *proc_cache;
static store *proc_store;
static pthread_t listener;
static bool listener_started;
static atomic_bool listener_stop;

int64_t authcache_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

authcache *authcache_process(void) { return proc_cache; }

static void on_notify(void *ctx, const char *payload) { authcache_apply(ctx, payload); }

static void pause_ms(int ms) {
  for (int waited = 0; waited < ms && !atomic_load(&listener_stop); waited += 100) {
    struct timespec ts = {0, 100 * 1000000L};
    nanosleep(&ts, NULL);
  }
}

/* Holds a connection that LISTENs on the channel. The cache is trusted only while that
 * connection is known to be alive: each wakeup (at most AUTHCACHE_PING_MS apart, with a
 * statement on the connection as often) extends a short lease; a lost connection withdraws
 * trust at once, and reconnecting starts from an empty cache. */
static void *listener_main(void *arg) {
  (void)arg;
  bool warned = false;
  while (!atomic_load(&listener_stop)) {
    char err[256];
    store_conn *l = store_listen(proc_store, AUTHCACHE_CHANNEL, err, sizeof err);
    if (!l) {
      authcache_trust(proc_cache, 0, authcache_now_ms());
      if (!warned) log_warn("auth cache: cannot listen for changes (%s); reading sessions from the database", err);
      warned = true;
      pause_ms(1000);
      continue;
    }
    if (warned) log_info("auth cache: listening for changes again");
    warned = false;
    int64_t now = authcache_now_ms(), next_ping = now + AUTHCACHE_PING_MS, mark = 0;
    authcache_trust(proc_cache, now + AUTHCACHE_LEASE_MS, now);
    /* After the trust (which drops every entry): the mark speaks for the entries put since. */
    if (store_listen_mark(l, &mark) == STORE_OK) authcache_mark(proc_cache, mark);
    while (!atomic_load(&listener_stop)) {
      if (store_listen_wait(l, 200, on_notify, proc_cache) != STORE_OK) break;
      now = authcache_now_ms();
      if (now >= next_ping) {
        if (store_listen_ping(l) != STORE_OK) break;
        next_ping = now + AUTHCACHE_PING_MS;
      }
      authcache_trust(proc_cache, now + AUTHCACHE_LEASE_MS, now);
      /* Every notification up to the mark has been applied (store_listen_wait's callbacks). */
      if (store_listen_mark(l, &mark) == STORE_OK) authcache_mark(proc_cache, mark);
    }
    authcache_trust(proc_cache, 0, authcache_now_ms());
    if (!atomic_load(&listener_stop)) log_warn("auth cache: lost the connection that listens for changes");
    store_listen_close(l);
  }
  return NULL;
}

int authcache_start(store *st) {
  if (proc_cache) return 0;
  proc_cache = authcache_new(AUTHCACHE_SLOTS, AUTHCACHE_IDLE_MS, AUTHCACHE_MAX_AGE_MS);
  if (!proc_cache) return -1;
  proc_store = st;
  atomic_store(&listener_stop, false);
  if (pthread_create(&listener, NULL, listener_main, NULL) != 0) {
    authcache_free(proc_cache);
    proc_cache = NULL;
    return -1;
  }
  listener_started = true;
  return 0;
}

void authcache_stop(void) {
  if (listener_started) {
    atomic_store(&listener_stop, true);
    pthread_join(listener, NULL);
    listener_started = false;
  }
  authcache_free(proc_cache);
  proc_cache = NULL;
  proc_store = NULL;
}

int authcache_changed(store_conn *w, auth_change what, int64_t id) {
  char payload[32];
  if (what == AUTH_CHANGED_ALL || id <= 0)
    snprintf(payload, sizeof payload, "*");
  else
    snprintf(payload, sizeof payload, "%c:%" PRId64, (char)what, id);
  if (proc_cache) authcache_apply(proc_cache, payload);
  return store_notify(w, AUTHCACHE_CHANNEL, payload) == STORE_OK ? 0 : -1;
}

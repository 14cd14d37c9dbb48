/* sessions.c: sessions and log-in throttling (see sessions.h). Only this file writes SQL about
 * sessions and login_failures. */
#include "domain/sessions.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "domain/authcache.h"
#include "domain/caps.h"
#include "util/clock.h"
#include "util/log.h"

STORE_SQL(q_insert, "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at, ip, user_agent)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
/* One round trip per request: the session, its user and every grant with its unit. */
STORE_SQL(q_lookup, "SELECT s.id, s.last_seen, u.id, u.username, u.display_name, r.id, r.role, r.unit_id, un.name,"
                    " un.path, u.must_change_password FROM sessions s JOIN users u ON u.id = s.user_id"
                    " LEFT JOIN user_roles r ON r.user_id = u.id LEFT JOIN units un ON un.id = r.unit_id"
                    " WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0 ORDER BY r.id");
STORE_SQL(q_touch, "UPDATE sessions SET last_seen = ?, expires_at = ? WHERE id = ? AND last_seen <= ?");
STORE_SQL(q_end, "DELETE FROM sessions WHERE id = ?");
STORE_SQL(q_end_user, "DELETE FROM sessions WHERE user_id = ? AND id <> ?");
STORE_SQL(q_purge, "DELETE FROM sessions WHERE expires_at <= ?");
STORE_SQL(q_fail_count, "SELECT COUNT(*), MAX(at) FROM login_failures WHERE kind = ? AND key = ? AND at > ?");
STORE_SQL(q_fail_add, "INSERT INTO login_failures (kind, key, at) VALUES (?, ?, ?)");
STORE_SQL(q_fail_clear, "DELETE FROM login_failures WHERE kind = 'pair' AND key = ?");
STORE_SQL(q_fail_purge, "DELETE FROM login_failures WHERE at <= ?");

static void token_hash(const secrets *k, const char *token, char out[65]) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), k->session_key, sizeof k->session_key);
  sodium_bin2hex(out, 65, h, sizeof h);
}

void sessions_csrf(const secrets *k, const char *token, char out[65]) {
  crypto_generichash_state st;
  unsigned char h[32];
  crypto_generichash_init(&st, k->session_key, sizeof k->session_key, sizeof h);
  crypto_generichash_update(&st, (const unsigned char *)"csrf", 5);
  crypto_generichash_update(&st, (const unsigned char *)token, strlen(token));
  crypto_generichash_final(&st, h, sizeof h);
  sodium_bin2hex(out, 65, h, sizeof h);
}

bool sessions_csrf_ok(const secrets *k, const char *token, const char *given) {
  if (!token || !given || strlen(given) != 64) return false;
  char want[65];
  sessions_csrf(k, token, want);
  return sodium_memcmp(want, given, 64) == 0;
}

int sessions_create(store_conn *w, const secrets *k, int64_t user_id, const char *ip, const char *user_agent,
                    char token[SESSION_TOKEN_LEN + 1], int64_t *session_id, app_err *e) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(token, SESSION_TOKEN_LEN + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char hash[65];
  token_hash(k, token, hash);
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) return APP_INTERNAL(e);
  int64_t now = clock_now();
  /* Keep at most 255 bytes of the User-Agent, cut on a character boundary. */
  char ua[256];
  size_t n = user_agent ? strlen(user_agent) : 0;
  if (n > sizeof ua - 1) {
    n = sizeof ua - 1;
    while (n && ((unsigned char)user_agent[n] & 0xC0) == 0x80) n--;
  }
  if (n) memcpy(ua, user_agent, n);
  ua[n] = '\0';
  store_bind_text(s, 1, hash);
  store_bind_int(s, 2, user_id);
  store_bind_int(s, 3, now);
  store_bind_int(s, 4, now);
  store_bind_int(s, 5, now + SESSION_IDLE_SECONDS);
  store_bind_text(s, 6, ip);
  store_bind_text(s, 7, ua);
  return store_insert_id(s, session_id) == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int sessions_lookup(store_conn *c, const secrets *k, const char *token, arena *a, principal *p) {
  if (!token || strlen(token) != SESSION_TOKEN_LEN) return 0;
  char hash[65];
  token_hash(k, token, hash);
  store_stmt *s = store_prepare(c, &q_lookup);
  if (!s) return -1;
  store_bind_text(s, 1, hash);
  store_bind_int(s, 2, clock_now());
  int rc, rows = 0, cap = 4;
  memset(p, 0, sizeof *p);
  p->grants = arena_alloc(a, sizeof(grant) * (size_t)cap);
  while ((rc = store_step(s)) == STORE_ROW) {
    if (rows++ == 0) {
      p->session_id = store_col_int(s, 0);
      p->last_seen = store_col_int(s, 1);
      p->user_id = store_col_int(s, 2);
      p->username = arena_strdup(a, store_col_text(s, 3));
      p->display_name = arena_strdup(a, store_col_text(s, 4));
      p->must_change_password = store_col_int(s, 10) != 0;
    }
    if (store_col_is_null(s, 5) || store_col_is_null(s, 9)) continue;
    if (p->ngrants == cap) {
      grant *g = arena_alloc(a, sizeof(grant) * (size_t)cap * 2);
      memcpy(g, p->grants, sizeof(grant) * (size_t)cap);
      p->grants = g;
      cap *= 2;
    }
    grant *g = &p->grants[p->ngrants++];
    g->id = store_col_int(s, 5);
    g->role = arena_strdup(a, store_col_text(s, 6));
    const role_info *ri = role_find(g->role);
    g->role_label = ri ? ri->label : g->role;
    g->caps = ri ? ri->caps : 0;
    g->unit_id = store_col_int(s, 7);
    g->unit_name = arena_strdup(a, store_col_text(s, 8));
    g->unit_path = arena_strdup(a, store_col_text(s, 9));
    p->caps_any |= g->caps;
  }
  store_reset(s);
  if (rc != STORE_DONE) return -1;
  if (!rows) return 0;
  sessions_csrf(k, token, p->csrf);
  return 1;
}

static int run_ids(store_conn *w, const store_sql *q, int64_t a, int64_t b, int nargs) {
  store_stmt *s = store_prepare(w, q);
  if (!s) return -1;
  store_bind_int(s, 1, a);
  if (nargs > 1) store_bind_int(s, 2, b);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

static int touch_at(store_conn *w, int64_t session_id, int64_t at) {
  store_stmt *s = store_prepare(w, &q_touch);
  if (!s) return -1;
  store_bind_int(s, 1, at);
  store_bind_int(s, 2, at + SESSION_IDLE_SECONDS);
  store_bind_int(s, 3, session_id);
  store_bind_int(s, 4, at);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

int sessions_touch(store_conn *w, int64_t session_id) { return touch_at(w, session_id, clock_now()); }

/* ---- "last seen", batched: an open-addressed table keyed by session id ---- */
#define TOUCH_SLOTS 4096

typedef struct touch_slot {
  int64_t id, at; /* id 0: empty */
} touch_slot;

static pthread_mutex_t touch_mu = PTHREAD_MUTEX_INITIALIZER;
static touch_slot touch_tab[TOUCH_SLOTS];
static int touch_n;

void sessions_touch_later(int64_t session_id) {
  if (session_id <= 0) return;
  int64_t now = clock_now();
  pthread_mutex_lock(&touch_mu);
  /* Full (a burst of thousands of new sessions within one flush): drop; the next request of
   * that session asks again, and its session lives 12 hours anyway. */
  if (touch_n < TOUCH_SLOTS * 3 / 4) {
    uint64_t h = (uint64_t)session_id * 11400714819323198485u;
    for (unsigned i = 0; i < TOUCH_SLOTS; i++) {
      touch_slot *t = &touch_tab[(h + i) % TOUCH_SLOTS];
      if (t->id == session_id) {
        t->at = now;
        break;
      }
      if (t->id == 0) {
        t->id = session_id;
        t->at = now;
        touch_n++;
        break;
      }
    }
  }
  pthread_mutex_unlock(&touch_mu);
}

int sessions_touch_flush(store *st) {
  static touch_slot batch[TOUCH_SLOTS]; /* only the flusher uses it (one at a time: flush_mu) */
  static pthread_mutex_t flush_mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&flush_mu);
  int n = 0;
  pthread_mutex_lock(&touch_mu);
  for (int i = 0; i < TOUCH_SLOTS && touch_n; i++)
    if (touch_tab[i].id) {
      batch[n++] = touch_tab[i];
      touch_tab[i].id = 0;
      touch_n--;
    }
  pthread_mutex_unlock(&touch_mu);
  int ret = n;
  if (n) {
    store_conn *w = store_acquire(st, true);
    bool ok = w && store_begin(w) == STORE_OK;
    for (int i = 0; ok && i < n; i++) ok = touch_at(w, batch[i].id, batch[i].at) == 0;
    if (ok) ok = store_commit(w) == STORE_OK;
    if (!ok) {
      log_warn("last-seen flush of %d session(s) failed: %s", n, w ? store_errmsg(w) : "no connection");
      if (w && store_in_transaction(w)) store_rollback(w);
      /* Keep them for the next flush (unless newer times arrived meanwhile). */
      for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&touch_mu);
        bool room = touch_n < TOUCH_SLOTS * 3 / 4;
        pthread_mutex_unlock(&touch_mu);
        if (room) sessions_touch_later(batch[i].id);
      }
      ret = -1;
    }
    if (w) store_release(w);
  }
  pthread_mutex_unlock(&flush_mu);
  return ret;
}

static pthread_t toucher;
static bool toucher_running;
static pthread_mutex_t toucher_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t toucher_cv = PTHREAD_COND_INITIALIZER;
static bool toucher_stop;

static void *toucher_main(void *arg) {
  store *st = arg;
  pthread_mutex_lock(&toucher_mu);
  while (!toucher_stop) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += LOGIN_TOUCH_FLUSH_MS / 1000;
    ts.tv_nsec += (long)(LOGIN_TOUCH_FLUSH_MS % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&toucher_cv, &toucher_mu, &ts);
    pthread_mutex_unlock(&toucher_mu);
    sessions_touch_flush(st);
    pthread_mutex_lock(&toucher_mu);
  }
  pthread_mutex_unlock(&toucher_mu);
  return NULL;
}

int sessions_toucher_start(store *st) {
  toucher_stop = false;
  if (pthread_create(&toucher, NULL, toucher_main, st) != 0) return -1;
  toucher_running = true;
  return 0;
}

void sessions_toucher_stop(void) {
  if (!toucher_running) return;
  pthread_mutex_lock(&toucher_mu);
  toucher_stop = true;
  pthread_cond_signal(&toucher_cv);
  pthread_mutex_unlock(&toucher_mu);
  pthread_join(toucher, NULL);
  toucher_running = false;
}

int sessions_end(store_conn *w, int64_t session_id) {
  if (authcache_changed(w, AUTH_CHANGED_SESSION, session_id) != 0) return -1;
  return run_ids(w, &q_end, session_id, 0, 1);
}
int sessions_end_user(store_conn *w, int64_t user_id, int64_t except) {
  if (authcache_changed(w, AUTH_CHANGED_USER, user_id) != 0) return -1;
  return run_ids(w, &q_end_user, user_id, except, 2);
}
int sessions_purge(store_conn *w) {
  int64_t now = clock_now();
  if (authcache_changed(w, AUTH_CHANGED_ALL, 0) != 0) return -1;
  if (run_ids(w, &q_purge, now, 0, 1) != 0) return -1;
  return run_ids(w, &q_fail_purge, now - LOGIN_WINDOW_SECONDS, 0, 1);
}

/* ---- device cookies ---- */
#define DEVICE_NONCE 12
#define DEVICE_RAW (DEVICE_NONCE + 4 + 32)

/* The keyed hash of (nonce, expiry, user name); the key is derived from the session key for
 * this purpose only, so a device entry is never a valid token hash or CSRF token. */
static void device_mac(const secrets *k, const unsigned char head[DEVICE_NONCE + 4], const char *username,
                       unsigned char mac[32]) {
  unsigned char key[32];
  crypto_kdf_derive_from_key(key, sizeof key, 1, "hvdevice", k->session_key);
  crypto_generichash_state st;
  crypto_generichash_init(&st, key, sizeof key, 32);
  crypto_generichash_update(&st, head, DEVICE_NONCE + 4); /* fixed length first: unambiguous */
  crypto_generichash_update(&st, (const unsigned char *)username, strlen(username));
  crypto_generichash_final(&st, mac, 32);
  sodium_memzero(key, sizeof key);
}

/* The next entry of a cookie: its start and length; NULL at the end. */
static const char *device_next(const char **cur, size_t *len) {
  const char *p = *cur;
  if (!p || !*p) return NULL;
  const char *dot = strchr(p, '.');
  *len = dot ? (size_t)(dot - p) : strlen(p);
  *cur = dot ? dot + 1 : p + *len;
  return p;
}

static bool device_decode(const char *entry, size_t len, unsigned char raw[DEVICE_RAW]) {
  size_t n = 0;
  if (len != DEVICE_ENTRY_LEN) return false;
  int rc = sodium_base642bin(raw, DEVICE_RAW, entry, len, NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return rc == 0 && n == DEVICE_RAW;
}

static int64_t device_expires(const unsigned char raw[DEVICE_RAW]) {
  const unsigned char *e = raw + DEVICE_NONCE;
  return ((int64_t)e[0] << 24) | ((int64_t)e[1] << 16) | ((int64_t)e[2] << 8) | (int64_t)e[3];
}

static bool device_entry_ok(const secrets *k, const unsigned char raw[DEVICE_RAW], const char *username, int64_t now) {
  unsigned char mac[32];
  device_mac(k, raw, username, mac);
  bool ok = sodium_memcmp(mac, raw + DEVICE_NONCE + 4, 32) == 0;
  return ok && device_expires(raw) > now;
}

bool sessions_device_ok(const secrets *k, const char *cookie, const char *username, int64_t now) {
  if (!cookie || !username || !username[0]) return false;
  const char *cur = cookie, *entry;
  size_t len;
  bool ok = false;
  for (int i = 0; i < DEVICE_MAX_ENTRIES && (entry = device_next(&cur, &len)); i++) {
    unsigned char raw[DEVICE_RAW];
    if (device_decode(entry, len, raw) && device_entry_ok(k, raw, username, now)) ok = true;
  }
  return ok;
}

void sessions_device_make(const secrets *k, const char *old, const char *username, int64_t now,
                          char out[DEVICE_COOKIE_MAX]) {
  unsigned char raw[DEVICE_RAW];
  randombytes_buf(raw, DEVICE_NONCE);
  uint32_t expires = (uint32_t)(now + DEVICE_LIFETIME_SECONDS);
  raw[DEVICE_NONCE] = (unsigned char)(expires >> 24);
  raw[DEVICE_NONCE + 1] = (unsigned char)(expires >> 16);
  raw[DEVICE_NONCE + 2] = (unsigned char)(expires >> 8);
  raw[DEVICE_NONCE + 3] = (unsigned char)expires;
  device_mac(k, raw, username, raw + DEVICE_NONCE + 4);
  sodium_bin2base64(out, DEVICE_ENTRY_LEN + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  size_t used = DEVICE_ENTRY_LEN;
  const char *cur = old, *entry;
  size_t len;
  /* Keep other people's entries (a shared phone): well-formed and unexpired, not this name's. */
  for (int kept = 1, seen = 0;
       kept < DEVICE_MAX_ENTRIES && seen < DEVICE_MAX_ENTRIES && (entry = device_next(&cur, &len)); seen++) {
    unsigned char o[DEVICE_RAW];
    if (!device_decode(entry, len, o)) continue;
    if (device_expires(o) <= now || device_entry_ok(k, o, username, now)) continue;
    out[used++] = '.';
    memcpy(out + used, entry, DEVICE_ENTRY_LEN);
    used += DEVICE_ENTRY_LEN;
    kept++;
  }
  out[used] = '\0';
}

static int failures(store_conn *c, const char *kind, const char *key, int64_t since, int64_t *n, int64_t *last) {
  store_stmt *s = store_prepare(c, &q_fail_count);
  if (!s) return -1;
  store_bind_text(s, 1, kind);
  store_bind_text(s, 2, key);
  store_bind_int(s, 3, since);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *n = store_col_int(s, 0);
    *last = store_col_is_null(s, 1) ? since : store_col_int(s, 1);
  }
  store_reset(s);
  return rc == STORE_ROW ? 0 : -1;
}

void login_address_key(const char *ip, char out[64]) {
  struct in6_addr a6;
  if (ip && strchr(ip, ':') && inet_pton(AF_INET6, ip, &a6) == 1) {
    memset(a6.s6_addr + 8, 0, 8);
    char txt[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, &a6, txt, sizeof txt)) {
      snprintf(out, 64, "%s/64", txt);
      return;
    }
  }
  snprintf(out, 64, "%s", ip ? ip : "");
}

static void pair_key(const char *username, const char *addr, char *out, size_t n) {
  /* The address first: it holds no space, so "ADDR USERNAME" cannot be forged by a name. */
  snprintf(out, n, "%s %s", addr, username);
}

/* Seconds still to wait after `n` failures, the last at `last`, when `free` are allowed. */
static int backoff(int64_t n, int64_t free_n, int64_t last, int64_t now) {
  if (n < free_n) return 0;
  int64_t k = n - free_n, delay = LOGIN_BACKOFF_FIRST;
  while (k-- > 0 && delay < LOGIN_WINDOW_SECONDS) delay *= 2;
  if (delay > LOGIN_WINDOW_SECONDS) delay = LOGIN_WINDOW_SECONDS;
  int64_t wait = last + delay - now;
  return wait > 0 ? (int)wait : 0;
}

int login_throttle(store_conn *c, const char *username, const char *ip, int *retry_after) {
  return login_throttle_device(c, username, ip, false, retry_after);
}

int login_throttle_device(store_conn *c, const char *username, const char *ip, bool known_device, int *retry_after) {
  int64_t now = clock_now(), since = now - LOGIN_WINDOW_SECONDS, n = 0, last = now;
  char addr[64], pk[160];
  login_address_key(ip, addr);
  pair_key(username, addr, pk, sizeof pk);
  *retry_after = 0;
  if (failures(c, "account", username, since, &n, &last) != 0) return -1;
  int64_t free_pair = n >= LOGIN_ACCOUNT_ALERT ? 1 : LOGIN_FREE_PER_PAIR;
  if (failures(c, "pair", pk, since, &n, &last) != 0) return -1;
  int wait = backoff(n, free_pair, last, now);
  if (addr[0] && !known_device) {
    if (failures(c, "address", addr, since, &n, &last) != 0) return -1;
    int w2 = backoff(n, LOGIN_FREE_PER_ADDRESS, last, now);
    if (w2 > wait) wait = w2;
  }
  *retry_after = wait;
  return 0;
}

static int add_failure(store_conn *w, const char *kind, const char *key) {
  store_stmt *s = store_prepare(w, &q_fail_add);
  if (!s) return -1;
  store_bind_text(s, 1, kind);
  store_bind_text(s, 2, key);
  store_bind_int(s, 3, clock_now());
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

int login_failed(store_conn *w, const char *username, const char *ip) {
  return login_failed_device(w, username, ip, false);
}

int login_failed_device(store_conn *w, const char *username, const char *ip, bool known_device) {
  char addr[64], pk[160];
  login_address_key(ip, addr);
  pair_key(username, addr, pk, sizeof pk);
  if (add_failure(w, "account", username) != 0 || add_failure(w, "pair", pk) != 0) return -1;
  return addr[0] && !known_device ? add_failure(w, "address", addr) : 0;
}

int login_succeeded(store_conn *w, const char *username, const char *ip) {
  char addr[64], pk[160];
  login_address_key(ip, addr);
  pair_key(username, addr, pk, sizeof pk);
  store_stmt *s = store_prepare(w, &q_fail_clear);
  if (!s) return -1;
  store_bind_text(s, 1, pk);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

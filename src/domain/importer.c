/* importer.c: the import of a resident list (see importer.h for the rules).
 * The story of a run: read the header and the mapping, load the unit tree with the importer's
 * scope, then row after row: validate, hash and seal the CCCD (no connection held, a chunk ahead
 * on a thread of its own: read_chunk); every IMPORTER_CHUNK_ROWS rows take the writer, match and
 * write the chunk, stage its new people for the name index (one row each), record its rejected
 * lines and the job's progress in the same transaction, commit, give the writer back. After the
 * file, the staged people's name terms go into the search index in sorted batches (merge_terms),
 * and only then is the job done.
 * Holds no SQL: people_bulk.c, jobs.c and units.c own the statements it runs.
 */
#include "domain/importer.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "domain/audit.h"
#include "domain/caps.h"
#include "domain/export.h"
#include "domain/groups.h"
#include "domain/jobs.h"
#include "domain/people.h"
#include "domain/people_bulk.h"
#include "domain/person.h"
#include "domain/scope.h"
#include "domain/units.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/config.h"
#include "util/fold.h"
#include "util/log.h"
#include "util/utf8.h"

/* ---- a string → int64 map (open addressing), for units, CCCDs seen and households ---- */
typedef struct smap_ent {
  char *key;
  int64_t val;
} smap_ent;
typedef struct smap {
  smap_ent *e;
  size_t cap, n;
} smap;

static uint64_t smap_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static smap_ent *smap_slot_h(const smap *m, const char *key, uint64_t h) {
  size_t i = (size_t)h & (m->cap - 1);
  while (m->e[i].key && strcmp(m->e[i].key, key) != 0) i = (i + 1) & (m->cap - 1);
  return &m->e[i];
}

static smap_ent *smap_slot(const smap *m, const char *key) { return smap_slot_h(m, key, smap_hash(key)); }

/* get and put with the key's smap_hash given (the households' keys are hashed on the reading thread) */
static bool smap_get_h(const smap *m, const char *key, uint64_t h, int64_t *val) {
  if (!m->cap) return false;
  smap_ent *e = smap_slot_h(m, key, h);
  if (!e->key) return false;
  *val = e->val;
  return true;
}

static bool smap_get(const smap *m, const char *key, int64_t *val) { return smap_get_h(m, key, smap_hash(key), val); }

static int smap_put_h(smap *m, const char *key, uint64_t h, int64_t val) {
  if ((m->n + 1) * 2 > m->cap) {
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    smap bigger = {calloc(ncap, sizeof(smap_ent)), ncap, m->n};
    if (!bigger.e) return -1;
    for (size_t i = 0; i < m->cap; i++)
      if (m->e[i].key) *smap_slot(&bigger, m->e[i].key) = m->e[i];
    free(m->e);
    *m = bigger;
  }
  smap_ent *e = smap_slot_h(m, key, h);
  if (!e->key) {
    e->key = strdup(key);
    if (!e->key) return -1;
    m->n++;
  }
  e->val = val;
  return 0;
}

static int smap_put(smap *m, const char *key, int64_t val) { return smap_put_h(m, key, smap_hash(key), val); }

static void smap_free(smap *m) {
  for (size_t i = 0; i < m->cap; i++) free(m->e[i].key);
  free(m->e);
  memset(m, 0, sizeof *m);
}

/* ---- an id → int64 map (open addressing; ids are never 0), for a chunk's people by id ---- */
typedef struct imap_ent {
  int64_t key, val;
} imap_ent;
typedef struct imap {
  imap_ent *e;
  size_t cap, n;
} imap;

static imap_ent *imap_slot(const imap *m, int64_t key) {
  size_t i = (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 17) & (m->cap - 1);
  while (m->e[i].key && m->e[i].key != key) i = (i + 1) & (m->cap - 1);
  return &m->e[i];
}

static bool imap_get(const imap *m, int64_t key, int64_t *val) {
  if (!m->cap) return false;
  const imap_ent *e = imap_slot(m, key);
  if (!e->key) return false;
  if (val) *val = e->val;
  return true;
}

static int imap_put(imap *m, int64_t key, int64_t val) {
  if ((m->n + 1) * 2 > m->cap) {
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    imap bigger = {calloc(ncap, sizeof(imap_ent)), ncap, m->n};
    if (!bigger.e) return -1;
    for (size_t i = 0; i < m->cap; i++)
      if (m->e[i].key) *imap_slot(&bigger, m->e[i].key) = m->e[i];
    free(m->e);
    *m = bigger;
  }
  imap_ent *e = imap_slot(m, key);
  if (!e->key) m->n++;
  *e = (imap_ent){key, val};
  return 0;
}

static void imap_free(imap *m) {
  free(m->e);
  memset(m, 0, sizeof *m);
}

/* ---- a chunk's people by CCCD and by natural key: 64-bit hashes, each entry checked against the
 * key it stands for (two keys of one hash both stay), no key written out as text: the writer made
 * a string of each key and copied it, twice a row (BENCHMARKS.md, session 21) ---- */
typedef struct kent {
  uint64_t h; /* 0: empty */
  int64_t idx; /* in chunk_ix.arr */
  /* natural keys: the key itself, as it was when added (the folded name copied) */
  int64_t unit, hh;
  int32_t ymd;
  const char *name;
} kent;
typedef struct kmap {
  kent *e;
  size_t cap, n;
} kmap;

static uint64_t mix64(uint64_t x) { /* splitmix64's finaliser */
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static int32_t ymd_of(int y, int m, int d) { return (int32_t)(y * 10000 + m * 100 + d); }

/* The natural key's hash without its household (computed on the reading thread), then with it. */
static uint64_t nk_prefix(int64_t unit, const char *name_key, int y, int m, int d) {
  return mix64(smap_hash(name_key) ^ mix64((uint64_t)unit) ^ ((uint64_t)(uint32_t)ymd_of(y, m, d) << 20));
}
static uint64_t nk_full(uint64_t prefix, int64_t hh) {
  uint64_t h = mix64(prefix ^ (uint64_t)hh * 0x9E3779B97F4A7C15ull);
  return h ? h : 1;
}
/* A keyed BLAKE2b hash in hex: its first 16 digits are as random as any hash of them. */
static uint64_t cc_hash(const char *hex) {
  uint64_t h = 0;
  for (int i = 0; i < 16 && hex[i]; i++) {
    char c = hex[i];
    h = h << 4 | (uint64_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
  }
  return h ? h : 1;
}

static int kmap_room(kmap *m) {
  if ((m->n + 1) * 2 <= m->cap) return 0;
  size_t ncap = m->cap ? m->cap * 2 : 4096;
  kent *e = calloc(ncap, sizeof *e);
  if (!e) return -1;
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->e[i].h) continue;
    size_t j = (size_t)m->e[i].h & (ncap - 1);
    while (e[j].h) j = (j + 1) & (ncap - 1);
    e[j] = m->e[i];
  }
  free(m->e);
  m->e = e;
  m->cap = ncap;
  return 0;
}

/* The entry for key hash h that `same` accepts, or NULL. */
static kent *kmap_find(const kmap *m, uint64_t h, bool (*same)(const kent *, const void *), const void *key) {
  if (!m->cap) return NULL;
  for (size_t i = (size_t)h & (m->cap - 1); m->e[i].h; i = (i + 1) & (m->cap - 1))
    if (m->e[i].h == h && same(&m->e[i], key)) return &m->e[i];
  return NULL;
}

static int kmap_add(kmap *m, const kent *k) {
  if (kmap_room(m) != 0) return -1;
  size_t i = (size_t)k->h & (m->cap - 1);
  while (m->e[i].h) i = (i + 1) & (m->cap - 1);
  m->e[i] = *k;
  m->n++;
  return 0;
}

static void kmap_free(kmap *m) {
  free(m->e);
  memset(m, 0, sizeof *m);
}

typedef struct nkey {
  int64_t unit, hh;
  int32_t ymd;
  const char *name;
} nkey;

static bool nk_same(const kent *e, const void *key) {
  const nkey *k = key;
  return e->unit == k->unit && e->hh == k->hh && e->ymd == k->ymd && strcmp(e->name, k->name) == 0;
}

/* ---- the households of a run by key (unit, code or address: household_hash): 128 bits of two
 * hashes of the key, FNV-1a and SipHash under a key of the run's, 24 bytes a household where the
 * key's text and its slot took ~80 (a million-row import holds ~290,000) ---- */
typedef struct hh_ent {
  uint64_t a, b; /* a == 0: empty */
  int64_t id;
} hh_ent;
typedef struct hhmap {
  hh_ent *e;
  size_t cap, n;
} hhmap;

static hh_ent *hhmap_slot(const hhmap *m, uint64_t a, uint64_t b) {
  size_t i = (size_t)a & (m->cap - 1);
  while (m->e[i].a && (m->e[i].a != a || m->e[i].b != b)) i = (i + 1) & (m->cap - 1);
  return &m->e[i];
}

static bool hhmap_get(const hhmap *m, uint64_t a, uint64_t b, int64_t *id) {
  if (!m->cap) return false;
  const hh_ent *e = hhmap_slot(m, a, b);
  if (!e->a) return false;
  *id = e->id;
  return true;
}

static int hhmap_put(hhmap *m, uint64_t a, uint64_t b, int64_t id) {
  if ((m->n + 1) * 4 > m->cap * 3) {
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    hhmap bigger = {calloc(ncap, sizeof(hh_ent)), ncap, m->n};
    if (!bigger.e) return -1;
    for (size_t i = 0; i < m->cap; i++)
      if (m->e[i].a) *hhmap_slot(&bigger, m->e[i].a, m->e[i].b) = m->e[i];
    free(m->e);
    *m = bigger;
  }
  hh_ent *e = hhmap_slot(m, a, b);
  if (!e->a) m->n++;
  *e = (hh_ent){a, b, id};
  return 0;
}

static void hhmap_free(hhmap *m) {
  free(m->e);
  memset(m, 0, sizeof *m);
}

/* ---- the CCCDs seen in a file: 96 bits of each keyed hash → its first line, 16 bytes a number
 * (a million-row file holds a million of them: strings would cost ten times as much) ---- */
typedef struct dset_ent {
  unsigned char d[12];
  uint32_t line; /* 0: empty */
} dset_ent;
typedef struct dset {
  dset_ent *e;
  size_t cap, n;
} dset;

/* The first 12 bytes of a hex digest (the keyed hash is uniform: any 12 bytes will do). */
static void dset_key(const char *hex, unsigned char d[12]) {
  for (int i = 0; i < 12; i++) {
    unsigned v = 0;
    for (int k = 0; k < 2; k++) {
      char c = hex[2 * i + k];
      v = v * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0);
    }
    d[i] = (unsigned char)v;
  }
}

static dset_ent *dset_slot(const dset *m, const unsigned char d[12]) {
  uint64_t h;
  memcpy(&h, d, sizeof h);
  size_t i = (size_t)h & (m->cap - 1);
  while (m->e[i].line && memcmp(m->e[i].d, d, 12) != 0) i = (i + 1) & (m->cap - 1);
  return &m->e[i];
}

/* The line the digest was first seen on (0: never), recording `line` when it is new; -1 when out
 * of memory. */
static int64_t dset_first(dset *m, const char *hex, int64_t line) {
  unsigned char d[12];
  dset_key(hex, d);
  if (m->cap) {
    dset_ent *e = dset_slot(m, d);
    if (e->line) return e->line;
  }
  if ((m->n + 1) * 4 > m->cap * 3) {
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    dset bigger = {calloc(ncap, sizeof(dset_ent)), ncap, m->n};
    if (!bigger.e) return -1;
    for (size_t i = 0; i < m->cap; i++)
      if (m->e[i].line) *dset_slot(&bigger, m->e[i].d) = m->e[i];
    free(m->e);
    *m = bigger;
  }
  dset_ent *e = dset_slot(m, d);
  memcpy(e->d, d, 12);
  e->line = line > 0 && line <= UINT32_MAX ? (uint32_t)line : UINT32_MAX;
  m->n++;
  return 0;
}

static void dset_free(dset *m) {
  free(m->e);
  memset(m, 0, sizeof *m);
}

/* ---- names as keys ---- */
/* The folded words of s (ASCII letters and digits; anything else separates), as a list. */
typedef struct words {
  char w[24][48];
  int n;
} words;

static void split_words(const char *folded, words *out) {
  out->n = 0;
  for (const char *p = folded; *p && out->n < 24;) {
    while (*p && !((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) p++;
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9')) n++;
    if (!n) break;
    if (n >= sizeof out->w[0]) n = sizeof out->w[0] - 1;
    memcpy(out->w[out->n], p, n);
    out->w[out->n][n] = '\0';
    out->n++;
    p += n;
    while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) p++;
  }
}

static bool is_number(const char *w) {
  if (!*w) return false;
  for (; *w; w++)
    if (*w < '0' || *w > '9') return false;
  return true;
}

static char *join_words(const words *w, int from) {
  buf b;
  buf_init(&b);
  for (int i = from; i < w->n; i++) {
    if (b.len) buf_putc(&b, ' ');
    buf_puts(&b, w->w[i]);
  }
  if (b.oom) {
    buf_free(&b);
    return NULL;
  }
  return buf_detach(&b, NULL);
}

/* An organisation's key: its folded words. */
static char *org_key(const char *name) {
  char *f = text_fold(name);
  if (!f) return NULL;
  words w;
  split_words(f, &w);
  free(f);
  return join_words(&w, 0);
}

char *importer_group_key(const char *name) {
  char *f = text_fold(name);
  if (!f) return NULL;
  words in, out;
  split_words(f, &in);
  free(f);
  out.n = 0;
  int i = 0;
  /* "tdp", "to" and "to dan pho" open the same name */
  if (in.n > 0 && strcmp(in.w[0], "tdp") == 0) {
    i = 1;
  } else if (in.n > 0 && strcmp(in.w[0], "to") == 0) {
    i = 1;
    if (in.n > 2 && strcmp(in.w[1], "dan") == 0 && strcmp(in.w[2], "pho") == 0) i = 3;
  }
  if (i > 0) {
    snprintf(out.w[out.n++], sizeof out.w[0], "to");
    snprintf(out.w[out.n++], sizeof out.w[0], "dan");
    snprintf(out.w[out.n++], sizeof out.w[0], "pho");
  }
  for (; i < in.n && out.n < 24; i++) {
    if (strcmp(in.w[i], "so") == 0 && i + 1 < in.n && is_number(in.w[i + 1])) continue;
    const char *w = in.w[i];
    if (is_number(w))
      while (w[0] == '0' && w[1]) w++;
    snprintf(out.w[out.n++], sizeof out.w[0], "%s", w);
  }
  return join_words(&out, 0);
}

const char *importer_role_kind(const char *role) {
  char *k = org_key(role);
  if (!k) return NULL;
  static const struct {
    const char *prefix, *kind;
  } roles[] = {
      {"can bo", "staff"},       {"cong chuc", "staff"},    {"vien chuc", "staff"},
      {"giao vien", "staff"},    {"chien si", "staff"},     {"nhan vien", "staff"},
      {"hoc sinh", "student"},   {"cong nhan", "worker"},   {"nguoi lao dong", "worker"},
      {"lao dong", "worker"},    {"thanh vien hop tac xa", "worker"}, {"xa vien", "worker"},
      {"tieu thuong", "trader"}, {"buon ban", "trader"},    {"kinh doanh", "trader"},
  };
  const char *kind = NULL;
  for (size_t i = 0; !kind && i < sizeof roles / sizeof roles[0]; i++) {
    size_t n = strlen(roles[i].prefix);
    if (strncmp(k, roles[i].prefix, n) == 0 && (k[n] == '\0' || k[n] == ' ')) kind = roles[i].kind;
  }
  free(k);
  return kind;
}

/* ---- the unit tree as the importer sees it ---- */
typedef struct unit_ent {
  int64_t id;
  bool in_scope;
} unit_ent;

typedef struct units_ix {
  unit_ent *arr; /* in id order */
  size_t n, cap;
  smap groups, orgs; /* key → index in arr, -1: several units share the key */
  bool failed;
} units_ix;

static void ix_put(smap *m, const char *key, int64_t idx, const units_ix *u, units_ix *fail) {
  int64_t old;
  if (!key || !*key) return;
  if (smap_get(m, key, &old)) {
    if (old >= 0 && !u->arr[old].in_scope && u->arr[idx].in_scope) {
      if (smap_put(m, key, idx) != 0) fail->failed = true;
    } else if (old >= 0 && u->arr[old].in_scope == u->arr[idx].in_scope) {
      if (smap_put(m, key, -1) != 0) fail->failed = true;
    }
    return;
  }
  if (smap_put(m, key, idx) != 0) fail->failed = true;
}

static int on_unit(void *ctx, int64_t id, const char *kind, const char *name, const char *path, bool in_scope) {
  (void)path;
  units_ix *u = ctx;
  if (u->n == u->cap) {
    size_t ncap = u->cap ? u->cap * 2 : 256;
    unit_ent *na = realloc(u->arr, ncap * sizeof *na);
    if (!na) {
      u->failed = true;
      return 1;
    }
    u->arr = na;
    u->cap = ncap;
  }
  int64_t idx = (int64_t)u->n;
  u->arr[u->n++] = (unit_ent){id, in_scope};
  if (strcmp(kind, "residential_group") == 0) {
    char *k = importer_group_key(name);
    ix_put(&u->groups, k, idx, u, u);
    free(k);
  } else {
    char *k = org_key(name);
    ix_put(&u->orgs, k, idx, u, u);
    free(k);
  }
  return u->failed ? 1 : 0;
}

static const unit_ent *unit_by_id(const units_ix *u, int64_t id) {
  size_t lo = 0, hi = u->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (u->arr[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < u->n && u->arr[lo].id == id ? &u->arr[lo] : NULL;
}

static void units_ix_free(units_ix *u) {
  free(u->arr);
  smap_free(&u->groups);
  smap_free(&u->orgs);
  memset(u, 0, sizeof *u);
}

/* ---- one row, validated ---- */
typedef struct import_row {
  long line;
  char *reason; /* NULL when the row is good; malloc'd (rows_free_reasons), or oom_reason */
  const char *name, *name_key;
  int y, m, d;
  char sex;
  bool has_cccd;
  char cccd_hash[65];
  const char *cccd_enc;
  char phone[16];
  int64_t unit_id;
  bool resident;              /* registered through a tổ dân phố (may have a household) */
  const char *hh_code;        /* NULL: none */
  const char *addr, *addr_key; /* NULL: none */
  bool hh;                     /* names a household (its code or address, as a resident) */
  uint64_t hh_a, hh_b;         /* household_hash of its key */
  uint64_t nk_h;               /* nk_prefix of (unit_id, name_key, y, m, d) */
  const char *relation;
  int vneid;                  /* -1: not given */
  int64_t org_unit_id;        /* 0: none */
  const char *mkind;
  int grade;
} import_row;

typedef struct imp {
  store *st;
  const secrets *keys;
  int64_t job_id;
  colmap m;
  units_ix u;
  dset cccd_lines; /* keyed hash → first line */
  hhmap households; /* unit/code or unit/address key → id, committed ones */
  unsigned char hh_sip[crypto_shorthash_KEYBYTES]; /* household_hash's key */
  smap group_cells, org_cells; /* a unit cell as written → lookup_unit's answer */
  int64_t today_key;
  arena a;         /* the chunk's strings */
  import_row *rows;
  size_t nrows, cap;
  long last_line;
  char err[512];
  /* how long the writer was held: the chunks', the merge's transactions (seconds) */
  double chunk_max, chunk_sum, merge_max, merge_sum, chunk_last;
  int chunks, merges;
  /* the run's phases (clock_mono): begun, the file written, the terms sorted and written, the
   * fix-up done, the staged rows gone (each 0 until reached) */
  double t_begin, t_file, t_terms, t_fixup, t_unstaged;
  double cpu_begin; /* thread_cpu() when it began */
  size_t rows_max, rows_last; /* the largest chunk written, the last one */
  /* A chunk's largest arrays, kept from one chunk to the next (allocated anew each chunk, 15 MB of
   * them a chunk were left in the allocator's arenas: a million-row import's peak was 20 MB higher) */
  struct bulk_stored *keep_arr;
  size_t keep_cap;
  store_val *keep_people, *keep_members;
  size_t keep_rows;
  char *look_hashes, *look_names; /* the chunk's look-up lists (lookup_texts), or NULL */
  struct term_runs *runs; /* a fresh job's name terms, sorted as the chunks commit; NULL: none */
  bool by_runs;           /* the terms were merged from the runs */
} imp;

/* The calling thread's CPU time, seconds (for the import's log: on a busy machine, the part of
 * its wall time that was its own work). */
static double thread_cpu(void) {
  struct timespec ts;
  return clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0 ? (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 : 0.0;
}

/* A row's reasons, one sentence after another, up to REASON_MAX bytes; kept outside the row (a
 * chunk's rows are mostly good: 400 bytes a row held for nothing were 9 MB of a million-row
 * import's peak). When no memory is left the row still goes bad, with oom_reason. */
enum { REASON_MAX = 400 };
static char oom_reason[] = "Không đủ bộ nhớ để kiểm tra dòng này.";

static void reason_free(import_row *r) {
  if (r->reason != oom_reason) free(r->reason);
  r->reason = NULL;
}

static void rows_free_reasons(import_row *rows, size_t n) {
  for (size_t i = 0; rows && i < n; i++) reason_free(&rows[i]);
}

static void add_reason(import_row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_reason(import_row *r, const char *fmt, ...) {
  if (r->reason == oom_reason) return;
  size_t n = r->reason ? strlen(r->reason) : 0;
  if (n + 4 >= REASON_MAX) return;
  char *nr = realloc(r->reason, REASON_MAX);
  if (!nr) {
    reason_free(r);
    r->reason = oom_reason;
    return;
  }
  r->reason = nr;
  if (n) { /* sentences follow each other: "…tương lai. Không tìm thấy…" */
    memcpy(r->reason + n, " ", 2);
    n += 1;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->reason + n, REASON_MAX - n, fmt, ap);
  va_end(ap);
}

static const char *cell(const imp *x, const table_row *tr, col_field f) {
  int c = x->m.col[f];
  return c >= 0 && (size_t)c < tr->ncells ? tr->cells[c] : "";
}

static bool blank(const char *s) {
  for (; *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') return false;
  return true;
}

/* A unit cell shown back in a message: at most 60 bytes, cut on a character boundary. */
static void shown(const char *s, char out[64]) {
  size_t n = strlen(s);
  if (n > 60) {
    n = 60;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  }
  memcpy(out, s, n);
  out[n] = '\0';
}

static bool code_ok(const char *code) {
  size_t n = strlen(code);
  if (n < 1 || n > 32) return false;
  for (size_t i = 0; i < n; i++) {
    char ch = code[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
          ch == '_' || ch == '.' || ch == '/'))
      return false;
  }
  return true;
}

/* Looks a unit up by the cell as written: its index in x->u.arr, -1 when several units share the
 * name, -2 when none has it. Each distinct cell is folded once (`cache`: cell → answer). */
static int64_t lookup_unit(const smap *m, smap *cache, const char *raw, char *(*key_of)(const char *)) {
  int64_t idx;
  if (smap_get(cache, raw, &idx)) return idx;
  char *key = key_of(raw);
  if (!key || !smap_get(m, key, &idx)) idx = -2;
  free(key);
  if (cache->n < 100000) smap_put(cache, raw, idx); /* a cache: a failure only costs time */
  return idx;
}

/* The unit a cell names, in scope: its index, or -1 with a reason added. */
static int64_t find_unit(imp *x, const smap *m, smap *cache, char *(*key_of)(const char *), const char *what,
                         const char *raw, import_row *r) {
  char s[64];
  shown(raw, s);
  int64_t idx = lookup_unit(m, cache, raw, key_of);
  if (idx == -2) {
    add_reason(r, "Không tìm thấy %s “%s”.", what, s);
    return -1;
  }
  if (idx < 0) {
    add_reason(r, "Có nhiều %s cùng tên “%s”: hãy ghi tên đầy đủ hơn.", what, s);
    return -1;
  }
  if (!x->u.arr[idx].in_scope) {
    add_reason(r, "Không thể nhập vào %s “%s”: đơn vị này nằm ngoài phạm vi quản lý của bạn.", what, s);
    return -1;
  }
  return idx;
}

/* Validates one row into r. Nothing here touches the database. `seal`: the row
 * will be written (a row before a resumed job's committed line is read only for its CCCD); its
 * strings go to `ar`. Runs on the reading thread (read_chunk) while the writer writes the chunk
 * before: it reads x->u and x->m, and alone uses x->cccd_lines, x->group_cells and x->org_cells. */
/* A household's key (its unit; its code, or else the folded address) as two hashes: see hhmap. */
static void household_hash(const imp *x, int64_t unit_id, const char *code, const char *address_key, uint64_t *a,
                           uint64_t *b) {
  char key[1600];
  int n = snprintf(key, sizeof key, "%lld\x1f%c\x1f%s", (long long)unit_id, code ? 'c' : 'a', code ? code : address_key);
  size_t len = n < 0 ? 0 : (size_t)n < sizeof key ? (size_t)n : sizeof key - 1;
  key[len] = '\0';
  unsigned char sip[crypto_shorthash_BYTES];
  crypto_shorthash(sip, (const unsigned char *)key, len, x->hh_sip);
  memcpy(b, sip, sizeof *b);
  *a = smap_hash(key);
  if (!*a) *a = 1;
}

static int validate(imp *x, const table_row *tr, import_row *r, arena *ar, bool seal) {
  reason_free(r);
  memset(r, 0, sizeof *r);
  r->line = tr->line;
  r->vneid = -1;
  /* name */
  const char *raw = cell(x, tr, COL_FULL_NAME);
  char *name = text_clean(raw);
  if (!name) {
    add_reason(r, "Họ và tên không phải văn bản hợp lệ.");
  } else if (!*name) {
    add_reason(r, "Thiếu họ và tên.");
  } else {
    char msg[200];
    if (person_name_check(name, msg, sizeof msg) != 0) {
      add_reason(r, "%s", msg);
    } else {
      char *key = text_fold(name);
      if (!key) {
        free(name);
        return -1;
      }
      r->name = arena_strdup(ar, name);
      r->name_key = arena_strdup(ar, key);
      free(key);
    }
  }
  free(name);
  /* birth date */
  raw = cell(x, tr, COL_BIRTH_DATE);
  const char *why = NULL;
  if (!blank(raw) && people_parse_birth(raw, x->today_key, &r->y, &r->m, &r->d, &why) != 0) add_reason(r, "%s", why);
  /* sex */
  raw = cell(x, tr, COL_SEX);
  if (!blank(raw) && !(r->sex = people_parse_sex(raw))) add_reason(r, "Giới tính phải là Nam hoặc Nữ.");
  /* CCCD, checked against the birth year and sex */
  raw = cell(x, tr, COL_CCCD);
  char digits[13] = "";
  if (!blank(raw)) {
    int c = x->m.col[COL_CCCD];
    size_t nd = 0;
    bool only_digits = true;
    for (const char *p = raw; *p; p++) {
      if (*p >= '0' && *p <= '9') nd++;
      else if (*p != ' ') only_digits = false;
    }
    if (tr->numeric && c >= 0 && tr->numeric[c] && only_digits && nd >= 9 && nd < 12) {
      add_reason(r, "Số CCCD mất chữ số 0 ở đầu (ô kiểu số trong Excel): hãy định dạng cột CCCD là văn bản.");
    } else if (people_cccd_check(raw, r->y, r->sex, digits, &why) != 0) {
      add_reason(r, "%s", why);
    } else {
      r->has_cccd = true;
    }
  }
  /* phone */
  raw = cell(x, tr, COL_PHONE);
  if (!blank(raw) && phone_normalise(raw, r->phone, sizeof r->phone) != 0)
    add_reason(r, "Số điện thoại không hợp lệ (10 số di động hoặc 11 số cố định, bắt đầu bằng 0 hoặc +84).");
  /* VNeID level */
  raw = cell(x, tr, COL_VNEID);
  if (!blank(raw)) {
    char *v = text_clean(raw);
    if (v && (strcmp(v, "0") == 0 || strcmp(v, "1") == 0 || strcmp(v, "2") == 0)) r->vneid = v[0] - '0';
    else add_reason(r, "Mức định danh điện tử phải là 0, 1 hoặc 2.");
    free(v);
  }
  /* workplace or school, with the role */
  const char *org = cell(x, tr, COL_ORG);
  if (!blank(org)) {
    int64_t idx = find_unit(x, &x->u.orgs, &x->org_cells, org_key, "nơi làm việc/học tập", org, r);
    if (idx >= 0) r->org_unit_id = x->u.arr[idx].id;
    const char *role = cell(x, tr, COL_ROLE);
    if (blank(role)) {
      add_reason(r, "Thiếu vai trò ở nơi làm việc/học tập (Cán bộ, Giáo viên, Học sinh, Người lao động, Tiểu thương…).");
    } else if (!(r->mkind = importer_role_kind(role))) {
      char s[64];
      shown(role, s);
      add_reason(r, "Vai trò “%s” không nhận ra (Cán bộ, Công chức, Viên chức, Giáo viên, Học sinh, Công nhân, "
                    "Người lao động, Tiểu thương).", s);
    } else if (strcmp(r->mkind, "student") == 0) {
      char *g = text_clean(cell(x, tr, COL_GRADE));
      long long grade = 0;
      if (!g || !parse_int(g, 1, 12, &grade)) add_reason(r, "Học sinh cần có lớp, từ 1 đến 12.");
      else r->grade = (int)grade;
      free(g);
    }
  }
  /* tổ dân phố */
  const char *grp = cell(x, tr, COL_UNIT);
  if (!blank(grp)) {
    int64_t idx = find_unit(x, &x->u.groups, &x->group_cells, importer_group_key, "tổ dân phố", grp, r);
    if (idx >= 0) {
      r->unit_id = x->u.arr[idx].id;
      r->resident = true;
    }
  } else if (blank(org)) {
    add_reason(r, "Thiếu tổ dân phố.");
  } else {
    r->unit_id = r->org_unit_id; /* lives elsewhere: registered through the workplace or school */
  }
  /* household */
  const char *code = cell(x, tr, COL_HOUSEHOLD_CODE);
  if (!blank(code)) {
    char *c = text_clean(code);
    if (!c || !code_ok(c)) add_reason(r, "Mã hộ chỉ gồm 1–32 chữ cái không dấu, chữ số và các dấu - _ . /");
    else r->hh_code = arena_strdup(ar, c);
    free(c);
  }
  const char *addr = cell(x, tr, COL_ADDRESS);
  if (!blank(addr)) {
    char *a = text_clean(addr);
    char *k = a ? text_fold(a) : NULL;
    if (!a || !k || utf8_length(a, strlen(a)) > 300) {
      add_reason(r, "Địa chỉ không hợp lệ hoặc dài quá 300 ký tự.");
    } else {
      r->addr = arena_strdup(ar, a);
      r->addr_key = arena_strdup(ar, k);
    }
    free(a);
    free(k);
  }
  const char *rel = cell(x, tr, COL_RELATION);
  if (!blank(rel)) {
    char *c = text_clean(rel);
    if (!c || utf8_length(c, strlen(c)) > 50) add_reason(r, "Quan hệ với chủ hộ dài quá 50 ký tự.");
    else r->relation = arena_strdup(ar, c);
    free(c);
  }
  /* A CCCD twice in the file: the later good row is refused, naming the first. */
  if (r->has_cccd && !r->reason) {
    people_cccd_hash(x->keys, digits, r->cccd_hash);
    int64_t first = dset_first(&x->cccd_lines, r->cccd_hash, r->line);
    if (first < 0) return -1;
    if (first > 0) {
      add_reason(r, "Số CCCD trùng với dòng %lld.", (long long)first);
    } else {
      if (seal) {
        char *sealed = people_cccd_seal(x->keys, digits);
        if (!sealed) return -1;
        r->cccd_enc = arena_strdup(ar, sealed);
        free(sealed);
      }
    }
  }
  sodium_memzero(digits, sizeof digits);
  /* the writer's look-up keys, made here */
  if (!r->reason && r->name_key) {
    r->nk_h = nk_prefix(r->unit_id, r->name_key, r->y, r->m, r->d);
    if (r->resident && (r->hh_code || r->addr_key)) {
      r->hh = true;
      household_hash(x, r->unit_id, r->hh_code, r->addr_key, &r->hh_a, &r->hh_b);
    }
  }
  return 0;
}

/* ---- writing a chunk ---- */
typedef enum { OUT_NEW, OUT_UPDATED, OUT_UNCHANGED, OUT_REJECTED } outcome;

/* The people a chunk may match, fetched in two statements before its rows are written, and kept
 * up to date with what the chunk itself writes (a name twice in one chunk matches itself). */
typedef struct chunk_ix {
  bulk_stored *arr;
  size_t n, cap;
  imap by_id;                        /* → index in arr */
  kmap by_hash, by_key, by_key_bare; /* → index in arr; by_key_bare: records without CCCD */
  arena names;                       /* the texts of arr's records (ix_add) */
  store_val *terms; /* the new people staged for the name index, TERM_STAGE_COLS values each (queue_words) */
  int nterms, capterms;
  bool failed;
  /* New people and their memberships, written together (deferred: not in careful mode) */
  bool defer;
  int64_t *ids; /* reserved ids */
  int nids, next_id;
  store_val *people, *members;
  int npeople, nmembers;
  imap pending; /* ids written to `people` but not yet to the database */
} chunk_ix;

static bool cc_same(const kent *e, const void *key) {
  const struct {
    const bulk_stored *arr;
    const char *hex;
  } *k = key;
  return strcmp(k->arr[e->idx].cccd_hash, k->hex) == 0;
}

/* The person of CCCD hash `hex` in the chunk's look-up, or -1. */
static int64_t by_cccd(const chunk_ix *c, const char *hex) {
  struct {
    const bulk_stored *arr;
    const char *hex;
  } k = {c->arr, hex};
  const kent *e = kmap_find(&c->by_hash, cc_hash(hex), cc_same, &k);
  return e ? e->idx : -1;
}

/* The person of the natural key (prefix: nk_prefix of the rest) in `m`, or -1. */
static int64_t by_natural(const kmap *m, uint64_t prefix, int64_t unit, const char *name_key, int y, int mo, int d,
                          int64_t hh) {
  nkey k = {unit, hh, ymd_of(y, mo, d), name_key};
  const kent *e = kmap_find(m, nk_full(prefix, hh), nk_same, &k);
  return e ? e->idx : -1;
}

/* Adds the natural key of p (its texts the chunk's: ix_add) as idx's, unless the key is someone's
 * already (the oldest keeps it). */
static int natural_add(kmap *m, uint64_t h, const bulk_stored *p, int64_t idx) {
  nkey k = {p->unit_id, p->household_id, ymd_of(p->y, p->m, p->d), p->name_key};
  if (kmap_find(m, h, nk_same, &k)) return 0;
  kent e = {h, idx, p->unit_id, p->household_id, k.ymd, p->name_key};
  return kmap_add(m, &e);
}

/* p with its texts copied into the chunk's arena (they live as long as the chunk's look-up). */
static bulk_stored chunk_copy(chunk_ix *c, const bulk_stored *p) {
  bulk_stored o = *p;
  o.name_key = arena_strdup(&c->names, p->name_key);
  o.full_name = arena_strdup(&c->names, p->full_name);
  o.phone = arena_strdup(&c->names, p->phone);
  o.relation = arena_strdup(&c->names, p->relation);
  o.cccd_hash = arena_strdup(&c->names, p->cccd_hash);
  return o;
}

/* Adds (or refreshes) a stored person in the look-up maps. */
static int ix_add(void *ctx, const bulk_stored *given) {
  chunk_ix *c = ctx;
  bulk_stored copy = chunk_copy(c, given);
  const bulk_stored *p = &copy;
  int64_t idx;
  if (imap_get(&c->by_id, p->id, &idx)) {
    c->arr[idx] = *p;
  } else {
    if (c->n == c->cap) {
      size_t ncap = c->cap ? c->cap * 2 : 1024;
      bulk_stored *na = realloc(c->arr, ncap * sizeof *na);
      if (!na) return c->failed = true, -1;
      c->arr = na;
      c->cap = ncap;
    }
    idx = (int64_t)c->n;
    c->arr[c->n++] = *p;
    if (imap_put(&c->by_id, p->id, idx) != 0) return c->failed = true, -1;
  }
  if (p->cccd_hash[0]) { /* the latest record keeps a CCCD */
    struct {
      const bulk_stored *arr;
      const char *hex;
    } k = {c->arr, p->cccd_hash};
    uint64_t h = cc_hash(p->cccd_hash);
    kent *e = kmap_find(&c->by_hash, h, cc_same, &k);
    if (e) e->idx = idx;
    else if (kmap_add(&c->by_hash, &(kent){.h = h, .idx = idx}) != 0) return c->failed = true, -1;
  }
  uint64_t h = nk_full(nk_prefix(p->unit_id, p->name_key, p->y, p->m, p->d), p->household_id);
  /* The oldest record keeps a natural key (rows arrive in id order). */
  if (natural_add(&c->by_key, h, p, idx) != 0) return c->failed = true, -1;
  if (!p->has_cccd && natural_add(&c->by_key_bare, h, p, idx) != 0) return c->failed = true, -1;
  return 0;
}

static void chunk_ix_free(chunk_ix *c) {
  free(c->arr);
  imap_free(&c->by_id);
  kmap_free(&c->by_hash);
  kmap_free(&c->by_key);
  kmap_free(&c->by_key_bare);
  arena_free(&c->names);
  free(c->terms);
  free(c->ids);
  free(c->people);
  free(c->members);
  imap_free(&c->pending);
  memset(c, 0, sizeof *c);
}

/* The chunk's index freed, its largest arrays kept for the next chunk. */
static void chunk_ix_done(imp *x, chunk_ix *c) {
  free(x->keep_arr);
  x->keep_arr = c->arr;
  x->keep_cap = c->cap;
  c->arr = NULL;
  if (c->people == x->keep_people) c->people = NULL;
  if (c->members == x->keep_members) c->members = NULL;
  chunk_ix_free(c);
}

/* Room in c->arr for `more` records at once (the chunk's rows after its candidates): grown by
 * doubling row by row, the array of a 12,000-row chunk (a kilobyte a record) was copied at 8 MB
 * and held twice over while it moved. 0 or -1. */
static int chunk_ix_room(chunk_ix *c, size_t more) {
  if (c->n + more <= c->cap) return 0;
  bulk_stored *na = realloc(c->arr, (c->n + more) * sizeof *na);
  if (!na) return -1;
  c->arr = na;
  c->cap = c->n + more;
  return 0;
}

/* Writes the deferred new people, then their memberships. */
static int flush_pending(store_conn *w, chunk_ix *c) {
  if ((c->npeople || c->nmembers) && people_bulk_insert_new(w, c->people, c->npeople, c->members, c->nmembers) != STORE_OK)
    return -1;
  c->npeople = c->nmembers = 0;
  imap_free(&c->pending);
  return 0;
}

static bool is_pending(const chunk_ix *c, int64_t id) { return imap_get(&c->pending, id, NULL); }

/* ---- households of a chunk: the tổ's existing ones in one statement, the new ones together ---- */
static bool wants_household(const import_row *r) { return !r->reason && r->hh; }

static int on_household(void *ctx, int64_t id, int64_t unit_id, const char *code, const char *address_key) {
  imp *x = ctx;
  uint64_t a, b;
  int64_t old;
  household_hash(x, unit_id, code, address_key, &a, &b);
  if (hhmap_get(&x->households, a, b, &old)) return 0; /* the oldest keeps the key */
  return hhmap_put(&x->households, a, b, id);
}

static int chunk_households(imp *x, store_conn *w, int64_t now) {
  int64_t v;
  smap units = {0};
  hhmap missing = {0};
  json_t *ids = json_array();
  store_val *rows = NULL;
  int64_t *newids = NULL;
  int rc = -1, nnew = 0;
  if (!ids) goto out;
  for (size_t i = 0; i < x->nrows; i++) {
    const import_row *r = &x->rows[i];
    if (!wants_household(r)) continue;
    if (hhmap_get(&x->households, r->hh_a, r->hh_b, &v)) continue;
    char u[24];
    snprintf(u, sizeof u, "%lld", (long long)r->unit_id);
    if (!smap_get(&units, u, &v)) {
      if (smap_put(&units, u, 1) != 0) goto out;
      json_array_append_new(ids, json_integer(r->unit_id));
    }
  }
  if (json_array_size(ids)) {
    char *text = json_dumps(ids, JSON_COMPACT);
    int frc = text ? people_bulk_households_of(w, text, on_household, x) : -1;
    free(text);
    if (frc != 0) goto out;
  }
  /* The households still missing: one row each (the first row naming it gives the address). */
  rows = calloc(x->nrows ? x->nrows : 1, sizeof(store_val) * HOUSEHOLD_BULK_COLS);
  if (!rows) goto out;
  for (size_t i = 0; i < x->nrows; i++) {
    const import_row *r = &x->rows[i];
    if (!wants_household(r)) continue;
    if (hhmap_get(&x->households, r->hh_a, r->hh_b, &v) || hhmap_get(&missing, r->hh_a, r->hh_b, &v)) continue;
    if (hhmap_put(&missing, r->hh_a, r->hh_b, (int64_t)i) != 0) goto out;
    store_val *row = &rows[(size_t)nnew * HOUSEHOLD_BULK_COLS];
    row[1] = store_val_int(r->unit_id);
    row[2] = r->hh_code ? store_val_text(r->hh_code) : store_val_null();
    row[3] = store_val_text(r->addr ? r->addr : "");
    row[4] = store_val_text(r->addr_key ? r->addr_key : "");
    row[5] = store_val_int(now);
    row[6] = store_val_int(now);
    nnew++;
  }
  if (nnew) {
    newids = calloc((size_t)nnew, sizeof *newids);
    if (!newids || people_bulk_reserve(w, BULK_HOUSEHOLDS, nnew, newids) != 0) goto out;
    for (int k = 0; k < nnew; k++) rows[(size_t)k * HOUSEHOLD_BULK_COLS] = store_val_int(newids[k]);
    if (people_bulk_insert_households(w, rows, nnew) != STORE_OK) goto out;
    nnew = 0;
    for (size_t i = 0; i < x->nrows; i++) {
      const import_row *r = &x->rows[i];
      if (!wants_household(r)) continue;
      if (hhmap_get(&x->households, r->hh_a, r->hh_b, &v)) continue;
      if (hhmap_put(&x->households, r->hh_a, r->hh_b, newids[nnew++]) != 0) goto out;
    }
  }
  rc = 0;
out:
  smap_free(&units);
  hhmap_free(&missing);
  json_decref(ids);
  free(rows);
  free(newids);
  return rc;
}

static void json_text(buf *b, const char *s);

/* The look-up lists of a chunk's good rows as JSON text (no tree): their CCCD hashes, their
 * (unit, folded name) pairs. Made by the reading thread after the chunk's rows (read_chunk), so
 * that the writer does not wait for them. *hashes, *names malloc'd, or NULL when out of memory. */
static void lookup_texts(const import_row *rows, size_t nrows, char **hashes, char **names) {
  buf h, n;
  buf_init(&h);
  buf_init(&n);
  buf_putc(&h, '[');
  buf_putc(&n, '[');
  bool first_h = true, first_n = true;
  for (size_t i = 0; i < nrows; i++) {
    const import_row *r = &rows[i];
    if (r->reason) continue;
    if (r->has_cccd) {
      if (!first_h) buf_putc(&h, ',');
      json_text(&h, r->cccd_hash);
      first_h = false;
    }
    buf_printf(&n, "%s[%lld,", first_n ? "" : ",", (long long)r->unit_id);
    json_text(&n, r->name_key);
    buf_putc(&n, ']');
    first_n = false;
  }
  buf_putc(&h, ']');
  buf_putc(&n, ']');
  *hashes = buf_detach(&h, NULL);
  *names = buf_detach(&n, NULL);
}

/* Fetches the chunk's candidates: by CCCD hash, and by folded name (x->look_*: made by the reading
 * thread; made here when missing). 0 or -1. */
static int chunk_prefetch(imp *x, store_conn *w, chunk_ix *c) {
  if (!x->look_hashes || !x->look_names) {
    free(x->look_hashes);
    free(x->look_names);
    lookup_texts(x->rows, x->nrows, &x->look_hashes, &x->look_names);
  }
  return x->look_hashes && x->look_names && people_bulk_by_hashes(w, x->look_hashes, ix_add, c) == 0 &&
                 people_bulk_by_names(w, x->look_names, ix_add, c) == 0 && !c->failed
             ? 0
             : -1;
}

static bool same_text(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : "") == 0; }

/* The household of a good resident row (0: none given); cached once committed. */
static int household_of(imp *x, store_conn *w, const import_row *r, int64_t now, int64_t *id) {
  *id = 0;
  if (!r->hh) return 0;
  if (hhmap_get(&x->households, r->hh_a, r->hh_b, id)) return 0;
  bool created = false;
  if (people_bulk_household(w, r->unit_id, r->hh_code, r->addr, r->addr_key, now, id, &created) != 0) return -1;
  return hhmap_put(&x->households, r->hh_a, r->hh_b, *id);
}

/* The record p makes (its texts p's: ix_add copies them). */
static void stored_from(bulk_stored *s, int64_t id, const bulk_person *p, bool has_cccd) {
  s->id = id;
  s->name_key = p->name_key;
  s->full_name = p->full_name;
  s->y = p->y;
  s->m = p->m;
  s->d = p->d;
  s->sex = p->sex;
  s->has_cccd = has_cccd;
  s->phone = p->phone ? p->phone : "";
  s->relation = p->relation ? p->relation : "";
  s->vneid_level = p->vneid_level > 0 ? p->vneid_level : 0;
  s->unit_id = p->unit_id;
  s->household_id = p->household_id;
}

/* Stages a new person for the name index: one row (job, "", folded name, person) that stands for
 * all the terms of that name (people_name_terms: they are a function of the folded name), written
 * with the chunk (people_bulk_stage_terms) and expanded and merged into person_words after the
 * file (merge_terms). One row a person instead of one a term: six times fewer rows written,
 * sorted and deleted again. */
static int queue_words(imp *x, chunk_ix *c, int64_t id, const char *key) {
  if (c->nterms == c->capterms) {
    int ncap = c->capterms ? c->capterms * 2 : 2048;
    store_val *nt = realloc(c->terms, (size_t)ncap * TERM_STAGE_COLS * sizeof *nt);
    if (!nt) return -1;
    c->terms = nt;
    c->capterms = ncap;
  }
  store_val *row = &c->terms[(size_t)c->nterms++ * TERM_STAGE_COLS];
  row[0] = store_val_int(x->job_id);
  row[1] = store_val_text("");
  row[2] = store_val_text(key);
  row[3] = store_val_int(id);
  return 0;
}

/* Matches and writes one good row. OUT_REJECTED with r->reason set when the register refuses it. */
static int write_row(imp *x, store_conn *w, chunk_ix *c, import_row *r, int64_t now, outcome *out) {
  bulk_person p = {.full_name = r->name, .name_key = r->name_key, .y = r->y, .m = r->m, .d = r->d, .sex = r->sex,
                   .cccd_hash = r->has_cccd ? r->cccd_hash : NULL, .cccd_enc = r->cccd_enc,
                   .phone = r->phone[0] ? r->phone : NULL, .relation = r->relation, .vneid_level = r->vneid,
                   .unit_id = r->unit_id};
  if (household_of(x, w, r, now, &p.household_id) != 0) return -1;
  int64_t idx = r->has_cccd ? by_cccd(c, r->cccd_hash) : -1;
  if (idx >= 0 && strcmp(c->arr[idx].name_key, r->name_key) != 0) {
    add_reason(r, "Số CCCD này đã có trong hồ sơ của một người khác (khác họ tên).");
    *out = OUT_REJECTED;
    return 0;
  }
  if (idx < 0)
    idx = by_natural(r->has_cccd ? &c->by_key_bare : &c->by_key, r->nk_h, p.unit_id, p.name_key, p.y, p.m, p.d,
                     p.household_id);
  int64_t person_id = 0;
  bulk_stored fresh;
  /* A match with a record this chunk has not written yet: write what is waiting first. */
  if (idx >= 0 && is_pending(c, c->arr[idx].id) && flush_pending(w, c) != 0) return -1;
  if (idx < 0) {
    if (c->defer && c->next_id < c->nids) {
      person_id = c->ids[c->next_id++];
      people_bulk_row(&p, person_id, now, &c->people[(size_t)c->npeople++ * PEOPLE_BULK_COLS]);
      if (imap_put(&c->pending, person_id, 1) != 0) return -1;
    } else if (people_bulk_insert(w, &p, now, &person_id) != STORE_OK) {
      return -1;
    }
    if (queue_words(x, c, person_id, p.name_key) != 0) return -1;
    stored_from(&fresh, person_id, &p, r->has_cccd);
    fresh.cccd_hash = r->has_cccd ? r->cccd_hash : "";
    *out = OUT_NEW;
  } else {
    const bulk_stored *s = &c->arr[idx];
    const unit_ent *home = unit_by_id(&x->u, s->unit_id);
    if (!home || !home->in_scope) {
      add_reason(r, "Người này đã có hồ sơ ở một đơn vị ngoài phạm vi quản lý của bạn.");
      *out = OUT_REJECTED;
      return 0;
    }
    person_id = s->id;
    /* What the row leaves out stays as stored. */
    bulk_person m = p;
    if (!r->y) {
      m.y = s->y;
      m.m = s->m;
      m.d = s->d;
    }
    if (!m.sex) m.sex = s->sex;
    if (!m.phone) m.phone = s->phone[0] ? s->phone : NULL;
    if (!m.relation) m.relation = s->relation[0] ? s->relation : NULL;
    if (m.vneid_level < 0) m.vneid_level = s->vneid_level;
    /* The stored household is kept only while the person stays in its tổ dân phố: a row that
     * moves them to another unit without naming a household there leaves them in none (a
     * household of the old tổ would show them to its officers, and break "a household lies in
     * its members' registering unit"). */
    if (!m.household_id && m.unit_id == s->unit_id) m.household_id = s->household_id;
    bool adds_cccd = r->has_cccd && !s->has_cccd;
    bool changed = strcmp(m.full_name, s->full_name) != 0 || m.y != s->y || m.m != s->m || m.d != s->d ||
                   m.sex != s->sex || adds_cccd || !same_text(m.phone, s->phone) ||
                   !same_text(m.relation, s->relation) || m.vneid_level != s->vneid_level ||
                   m.unit_id != s->unit_id || m.household_id != s->household_id;
    if (!adds_cccd) {
      m.cccd_hash = NULL; /* kept as stored */
      m.cccd_enc = NULL;
    }
    if (changed && people_bulk_update(w, person_id, &m, now) != STORE_OK) return -1;
    stored_from(&fresh, person_id, &m, s->has_cccd || adds_cccd);
    fresh.cccd_hash = adds_cccd ? r->cccd_hash : s->cccd_hash;
    *out = changed ? OUT_UPDATED : OUT_UNCHANGED;
  }
  if (ix_add(c, &fresh) != 0) return -1;
  if (r->org_unit_id && r->mkind && is_pending(c, person_id)) {
    store_val *m = &c->members[(size_t)c->nmembers++ * MEMBERSHIP_BULK_COLS];
    m[0] = store_val_int(person_id);
    m[1] = store_val_int(r->org_unit_id);
    m[2] = store_val_text(r->mkind);
    m[3] = r->grade > 0 ? store_val_int(r->grade) : store_val_null();
  } else if (r->org_unit_id && r->mkind) {
    int added = people_bulk_membership(w, person_id, r->org_unit_id, r->mkind, r->grade);
    if (added < 0) return -1;
    if (added && *out == OUT_UNCHANGED) *out = OUT_UPDATED;
  }
  return 0;
}

/* Reserves an id for each good row that no stored person matches (a row repeated in the chunk may
 * leave one unused: a gap in the ids, never a reuse) and makes room for the deferred rows. */
static int chunk_reserve(imp *x, store_conn *w, chunk_ix *c) {
  int need = 0;
  int64_t hh;
  for (size_t i = 0; i < x->nrows; i++) {
    const import_row *r = &x->rows[i];
    if (r->reason) continue;
    if (r->has_cccd && by_cccd(c, r->cccd_hash) >= 0) continue;
    hh = 0;
    if (wants_household(r) && !hhmap_get(&x->households, r->hh_a, r->hh_b, &hh)) hh = 0;
    if (by_natural(r->has_cccd ? &c->by_key_bare : &c->by_key, r->nk_h, r->unit_id, r->name_key, r->y, r->m, r->d, hh) >= 0)
      continue;
    need++;
  }
  c->defer = true;
  if (x->keep_rows < x->nrows) {
    free(x->keep_people);
    free(x->keep_members);
    x->keep_people = malloc(x->nrows * sizeof(store_val) * PEOPLE_BULK_COLS);
    x->keep_members = malloc(x->nrows * sizeof(store_val) * MEMBERSHIP_BULK_COLS);
    x->keep_rows = x->keep_people && x->keep_members ? x->nrows : 0;
  }
  c->people = x->keep_people; /* every row is written whole before it is read (people_bulk_row) */
  c->members = x->keep_members;
  c->ids = calloc(need ? (size_t)need : 1, sizeof *c->ids);
  if (!x->keep_rows || !c->ids) return -1;
  if (need && people_bulk_reserve(w, BULK_PEOPLE, need, c->ids) != 0) return -1;
  c->nids = need;
  return 0;
}

static void count(import_counts *c, outcome o) {
  c->rows++;
  switch (o) {
    case OUT_NEW: c->imported++; break;
    case OUT_UPDATED: c->imported++; c->updated++; break;
    case OUT_UNCHANGED: c->unchanged++; break;
    case OUT_REJECTED: c->rejected++; break;
  }
}

struct term_runs;
static void runs_add(struct term_runs *r, const store_val *staged, int n);

/* One try at the chunk in one transaction; `careful`: each row under a savepoint, a row the
 * database refuses is rejected instead of failing the chunk. STORE_OK or an error. */
static int write_chunk_once(imp *x, store_conn *w, bool careful) {
  import_counts c = {0};
  chunk_ix ix = {.arr = x->keep_arr, .cap = x->keep_cap};
  x->keep_arr = NULL;
  x->keep_cap = 0;
  int64_t now = clock_now();
  int rc = store_begin(w);
  if (rc != STORE_OK) {
    chunk_ix_done(x, &ix); /* the kept array goes back for the next try */
    return rc;
  }
  if (chunk_households(x, w, now) != 0 || chunk_prefetch(x, w, &ix) != 0 || chunk_ix_room(&ix, x->nrows) != 0)
    goto fail;
  if (!careful && chunk_reserve(x, w, &ix) != 0) goto fail;
  for (size_t i = 0; i < x->nrows; i++) {
    import_row *r = &x->rows[i];
    outcome o = OUT_REJECTED;
    if (!r->reason) {
      int nterms = ix.nterms;
      if (careful && store_savepoint(w, "hv_import_row") != STORE_OK) goto fail;
      if (write_row(x, w, &ix, r, now, &o) != 0) {
        if (!careful || store_unavailable(w)) goto fail;
        if (store_rollback_to(w, "hv_import_row") != STORE_OK) goto fail;
        ix.nterms = nterms;
        add_reason(r, "Cơ sở dữ liệu không nhận dòng này (có thể trùng với một hồ sơ đang được sửa).");
        o = OUT_REJECTED;
      }
      if (careful && store_release_savepoint(w, "hv_import_row") != STORE_OK) goto fail;
    }
    if (o == OUT_REJECTED && jobs_add_error(w, x->job_id, r->line, r->reason) != 0) goto fail;
    count(&c, o);
  }
  if (flush_pending(w, &ix) != 0) goto fail;
  if (ix.nterms && people_bulk_stage_terms(w, ix.terms, ix.nterms) != STORE_OK) goto fail;
  if (jobs_progress(w, x->job_id, x->last_line, &c) != 0) goto fail;
  rc = store_commit(w);
  if (rc == STORE_OK) runs_add(x->runs, ix.terms, ix.nterms);
  chunk_ix_done(x, &ix);
  return rc;
fail:
  chunk_ix_done(x, &ix);
  snprintf(x->err, sizeof x->err, "%s", store_errmsg(w));
  store_rollback(w);
  return store_unavailable(w) ? STORE_UNAVAILABLE : STORE_ERROR;
}

/* Writes the chunk: the writer is taken for it alone and given back. */
static int write_chunk(imp *x) {
  if (!x->nrows) return 0;
  store_why why = STORE_WHY_NONE;
  store_conn *w = store_acquire_timed(x->st, true, 30000, &why);
  if (!w) {
    snprintf(x->err, sizeof x->err, "%s",
             why == STORE_WHY_BUSY ? "the writer stayed busy past 30 s" : "the database cannot be reached");
    return -1;
  }
  double t0 = clock_mono();
  int rc = write_chunk_once(x, w, false);
  if (rc == STORE_ERROR) {
    /* Households cached in the failed transaction do not exist: forget the cache. */
    hhmap_free(&x->households);
    rc = write_chunk_once(x, w, true);
  }
  if (rc != STORE_OK) hhmap_free(&x->households);
  store_release(w);
  double held = clock_mono() - t0;
  x->chunks++;
  x->chunk_sum += held;
  x->chunk_last = held;
  if (held > x->chunk_max) x->chunk_max = held;
  if (x->nrows > x->rows_max) x->rows_max = x->nrows;
  x->rows_last = x->nrows;
  x->nrows = 0;
  free(x->look_hashes);
  free(x->look_names);
  x->look_hashes = x->look_names = NULL;
  arena_free(&x->a);
  return rc == STORE_OK ? 0 : -1;
}

/* ---- the staged people, their terms merged after the file ----
 * A chunk stages its new people (import_terms: one row a person, its word empty; a row with a word
 * is one term, as jobs staged before that change left them); once the file is read their name
 * terms go into person_words in sorted batches, so that each batch writes one range of the term
 * index instead of every chunk rewriting leaf pages all over it. The people's ids are cut into as
 * few buckets as memory allows (MERGE_BUCKET_TERMS terms each: three at 200,000 people, 13 at a
 * million), each bucket's terms written in the index's order, so that each leaf page of the index
 * is written about once a bucket (person_words has no second index since migration 33). The
 * staged rows of people still live under the staged name are first copied, in id order, to an anonymous
 * temporary file (gone with the process, even after a crash), so that no read transaction stays
 * open while the batches are written; each bucket's terms are then made from the folded names and
 * sorted in memory (up to MERGE_BUCKET_TERMS: ~30 MB with their strings and the sort's copy);
 * a bucket is written by a thread of its own while the next one is read and sorted (two buckets
 * in memory at most). A person deleted or renamed while the batches run has the terms that no longer match
 * removed at the end (people.c rewrote its own). Idempotent: a merge cut short is run again whole
 * when the job resumes (a term already there sends its batch the careful way); the staged rows go
 * last. */
enum { MERGE_BATCH_TERMS = 20000, MERGE_BUCKET_TERMS = 500000, UNSTAGE_BATCH_ROWS = 100000, STALE_BATCH_IDS = 1000 };
static _Atomic int64_t merge_bucket_terms = MERGE_BUCKET_TERMS;

void importer_set_merge_bucket_terms(int64_t n) { atomic_store(&merge_bucket_terms, n > 0 ? n : MERGE_BUCKET_TERMS); }

static atomic_bool sorted_runs = true;
void importer_set_sorted_runs(bool on) { atomic_store(&sorted_runs, on); }

static importer_chunk_hook chunk_hook;
static void *chunk_hook_ctx;
void importer_set_chunk_hook(importer_chunk_hook fn, void *ctx) {
  chunk_hook = fn;
  chunk_hook_ctx = ctx;
}

typedef struct staged_dump {
  FILE *f;
  int64_t terms; /* how many terms the staged rows stand for */
} staged_dump;

static void count_term(const char *term, size_t len, void *ctx) {
  (void)term;
  (void)len;
  (*(int64_t *)ctx)++;
}

static int dump_term(void *ctx, const char *word, const char *key, int64_t id) {
  staged_dump *d = ctx;
  size_t wl = strlen(word), kl = strlen(key);
  uint32_t len[2] = {(uint32_t)wl, (uint32_t)kl};
  if (wl > UINT16_MAX || kl > UINT16_MAX) return 1;
  if (wl) d->terms++;
  else if (people_name_terms(key, count_term, &d->terms) != 0) return 1;
  return fwrite(&id, sizeof id, 1, d->f) == 1 && fwrite(len, sizeof len, 1, d->f) == 1 &&
                 fwrite(word, 1, wl, d->f) == wl && fwrite(key, 1, kl, d->f) == kl
             ? 0
             : 1;
}

/* A JSON string of s (folded names: ASCII letters, digits and spaces, but any byte is escaped right). */
static void json_text(buf *b, const char *s) {
  buf_putc(b, '"');
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') {
      buf_putc(b, '\\');
      buf_putc(b, (char)ch);
    } else if (ch < 0x20) {
      buf_printf(b, "\\u%04x", ch);
    } else {
      buf_putc(b, (char)ch);
    }
  }
  buf_putc(b, '"');
}

/* The batch as people_bulk_merge_terms reads it; malloc'd, NULL when out of memory. */
static char *terms_json(const store_val *rows, int n) {
  buf b;
  buf_init(&b);
  buf_putc(&b, '[');
  for (int i = 0; i < n; i++) {
    const store_val *r = &rows[(size_t)i * TERM_COLS];
    buf_printf(&b, "%s[%lld,", i ? "," : "", (long long)r[2].i);
    json_text(&b, r[0].s);
    buf_putc(&b, ',');
    json_text(&b, r[1].s);
    buf_putc(&b, ']');
  }
  buf_putc(&b, ']');
  return buf_detach(&b, NULL);
}

/* Runs f(w, arg) in one short transaction on the writer. STORE_OK or an error (message in x->err). */
static int in_writer(imp *x, int (*f)(store_conn *, void *), void *arg) {
  store_why why = STORE_WHY_NONE;
  store_conn *w = store_acquire_timed(x->st, true, 30000, &why);
  if (!w) {
    snprintf(x->err, sizeof x->err, "%s",
             why == STORE_WHY_BUSY ? "the writer stayed busy past 30 s" : "the database cannot be reached");
    return STORE_UNAVAILABLE;
  }
  double t0 = clock_mono();
  int rc = store_begin(w);
  if (rc == STORE_OK) rc = f(w, arg);
  if (rc == STORE_OK) rc = store_commit(w);
  if (rc != STORE_OK) {
    snprintf(x->err, sizeof x->err, "%s", store_errmsg(w));
    if (store_unavailable(w)) rc = STORE_UNAVAILABLE;
    store_rollback(w);
  }
  store_release(w);
  double held = clock_mono() - t0;
  x->merges++;
  x->merge_sum += held;
  if (held > x->merge_max) x->merge_max = held;
  return rc;
}

typedef struct term_batch {
  const store_val *rows;
  int n;
  char *json;
} term_batch;

static int batch_fast(store_conn *w, void *arg) {
  term_batch *b = arg;
  return people_bulk_insert_terms(w, b->rows, b->n);
}

static int batch_careful(store_conn *w, void *arg) {
  term_batch *b = arg;
  return people_bulk_merge_terms(w, b->json);
}

/* One batch: all together, or, when a term is already there, the careful way. */
static int merge_batch(imp *x, const store_val *rows, int n) {
  term_batch b = {rows, n, NULL};
  int rc = in_writer(x, batch_fast, &b);
  if (rc == STORE_OK || rc == STORE_UNAVAILABLE) return rc == STORE_OK ? 0 : -1;
  b.json = terms_json(rows, n);
  rc = b.json ? in_writer(x, batch_careful, &b) : STORE_ERROR;
  if (!b.json) snprintf(x->err, sizeof x->err, "out of memory");
  free(b.json);
  return rc == STORE_OK ? 0 : -1;
}

/* People staged by the job and changed during the merge, with the name they were staged under. */
typedef struct staged_person {
  int64_t id;
  char *key; /* malloc'd */
} staged_person;
typedef struct id_list {
  staged_person *v;
  size_t n, cap;
} id_list;

static int collect_id(void *ctx, int64_t id, const char *key) {
  id_list *l = ctx;
  if (l->n == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 64;
    staged_person *nv = realloc(l->v, ncap * sizeof *nv);
    if (!nv) return 1;
    l->v = nv;
    l->cap = ncap;
  }
  char *k = strdup(key);
  if (!k) return 1;
  l->v[l->n++] = (staged_person){id, k};
  return 0;
}

typedef struct stale_batch {
  const staged_person *p;
  size_t n;
} stale_batch;

static int drop_stale(store_conn *w, void *arg) {
  stale_batch *b = arg;
  for (size_t i = 0; i < b->n; i++)
    if (people_bulk_drop_stale_terms(w, b->p[i].id, b->p[i].key) != 0) return STORE_ERROR;
  return STORE_OK;
}

/* The terms of people changed since `since` (and of those in `also`) that no longer match them go (found by the name they
 * were staged under: person_words has no index by person). */
static int merge_fixup(imp *x, int64_t lo, int64_t hi, int64_t since, id_list *also) {
  id_list ids = {0};
  store_conn *c = store_acquire(x->st, false);
  int rc = c ? people_bulk_changed_since(c, x->job_id, lo, hi, since, collect_id, &ids) : -1;
  if (rc != 0) snprintf(x->err, sizeof x->err, "cannot read the people changed during the import");
  if (c) store_release(c);
  for (size_t i = 0; rc == 0 && also && i < also->n; i++)
    if (collect_id(&ids, also->v[i].id, also->v[i].key) != 0) rc = -1;
  for (size_t i = 0; rc == 0 && i < ids.n; i += STALE_BATCH_IDS) {
    stale_batch b = {ids.v + i, ids.n - i < STALE_BATCH_IDS ? ids.n - i : STALE_BATCH_IDS};
    if (in_writer(x, drop_stale, &b) != STORE_OK) rc = -1;
  }
  for (size_t i = 0; i < ids.n; i++) free(ids.v[i].key);
  free(ids.v);
  return rc;
}

/* The terms of one bucket of people, in memory until sorted and written. A term is sorted by its
 * word's first 8 bytes (big-endian, zero-padded: their byte order), the rest of its word, then its
 * person's rank in (folded name, id) order: the people are ranked once, so that the millions of
 * comparisons of a sort compare two numbers and seldom a string. */
typedef struct mperson {
  const char *key; /* in the bucket's arena */
  int64_t id;
  uint32_t rank;
} mperson;
typedef struct mterm {
  uint64_t pre;     /* the word's first 8 bytes */
  const char *word; /* in the bucket's arena */
  uint32_t person;  /* index in mbucket.p; after rank_people, its rank */
  uint32_t len;     /* the word's length */
} mterm;
typedef struct mbucket {
  mterm *v;
  size_t n, cap;
  mperson *p;
  size_t np, capp;
  arena a; /* the bucket's strings */
  bool failed;
} mbucket;

/* A new person of the bucket (the same one again, staged a term a row, is not added twice). */
static int add_mperson(mbucket *b, const char *key, int64_t id) {
  if (b->np && b->p[b->np - 1].id == id && strcmp(b->p[b->np - 1].key, key) == 0) return 0;
  if (b->np == b->capp) {
    size_t ncap = b->capp ? b->capp * 2 : 16384;
    mperson *nv = realloc(b->p, ncap * sizeof *nv);
    if (!nv) return -1;
    b->p = nv;
    b->capp = ncap;
  }
  b->p[b->np++] = (mperson){key, id, 0};
  return 0;
}

static int add_mterm(mbucket *b, const char *word, size_t len) {
  if (b->n == b->cap) {
    size_t ncap = b->cap ? b->cap * 2 : 65536;
    mterm *nv = realloc(b->v, ncap * sizeof *nv);
    if (!nv) return -1;
    b->v = nv;
    b->cap = ncap;
  }
  uint64_t pre = 0;
  for (size_t i = 0; i < 8; i++) pre = pre << 8 | (i < len ? (unsigned char)word[i] : 0);
  b->v[b->n++] = (mterm){pre, word, (uint32_t)(b->np - 1), (uint32_t)len};
  return 0;
}

static void bucket_term(const char *term, size_t len, void *ctx) {
  mbucket *b = ctx;
  char *t = b->failed ? NULL : arena_strndup(&b->a, term, len);
  if (!t || add_mterm(b, t, len) != 0) b->failed = true;
}

/* person_words' key order: (term, folded name, person), bytes compared (COLLATE "C" on PostgreSQL). */
static int mperson_cmp(const void *pa, const void *pb) {
  const mperson *a = pa, *b = pb;
  int c = strcmp(a->key, b->key);
  return c ? c : a->id < b->id ? -1 : a->id > b->id;
}

static int mterm_cmp(const void *pa, const void *pb) {
  const mterm *a = pa, *b = pb;
  if (a->pre != b->pre) return a->pre < b->pre ? -1 : 1;
  if (a->len > 8 || b->len > 8) { /* the same first 8 bytes: the rest decides */
    int c = strcmp(a->word + (a->len < 8 ? a->len : 8), b->word + (b->len < 8 ? b->len : 8));
    if (c) return c;
  }
  return a->person < b->person ? -1 : a->person > b->person;
}

/* Ranks the bucket's people in (folded name, id) order (a person staged twice: one rank) and
 * gives each term its person's rank; b->p is then in rank order. 0 or -1. */
static int rank_people(mbucket *b) {
  uint32_t *rank_of = malloc((b->np ? b->np : 1) * sizeof *rank_of);
  if (!rank_of) return -1;
  for (size_t i = 0; i < b->np; i++) b->p[i].rank = (uint32_t)i; /* where it was */
  qsort(b->p, b->np, sizeof *b->p, mperson_cmp);
  uint32_t r = 0;
  for (size_t i = 0; i < b->np; i++) {
    if (i && mperson_cmp(&b->p[i - 1], &b->p[i]) != 0) r = (uint32_t)i;
    rank_of[b->p[i].rank] = r;
  }
  for (size_t i = 0; i < b->n; i++) b->v[i].person = rank_of[b->v[i].person];
  free(rank_of);
  return 0;
}

/* Ranks the bucket's people and sorts its terms (no connection: while the bucket before is
 * written). 0, or -1 when out of memory (the bucket is then emptied). */
static int sort_bucket(mbucket *b) {
  if (rank_people(b) != 0) {
    b->n = 0;
    return -1;
  }
  if (b->n) qsort(b->v, b->n, sizeof *b->v, mterm_cmp);
  return 0;
}

/* Writes the sorted bucket's terms in batches. 0, 1 when `stop` was raised between two batches,
 * -1. The bucket is empty after (its arena freed). */
static int write_bucket(imp *x, mbucket *b, store_val *rows, atomic_bool *stop) {
  int ret = 0;
  int in_batch = 0;
  for (size_t i = 0; i < b->n; i++) {
    if (i && mterm_cmp(&b->v[i - 1], &b->v[i]) == 0) continue; /* a person staged twice */
    const mperson *p = &b->p[b->v[i].person];
    store_val *r = &rows[(size_t)in_batch * TERM_COLS];
    r[0] = store_val_text(b->v[i].word);
    r[1] = store_val_text(p->key);
    r[2] = store_val_int(p->id);
    if (++in_batch < MERGE_BATCH_TERMS && i + 1 < b->n) continue;
    if (stop && atomic_load(stop)) {
      ret = 1;
      break;
    }
    if (merge_batch(x, rows, in_batch) != 0) {
      ret = -1;
      break;
    }
    in_batch = 0;
  }
  if (ret == 0 && in_batch) { /* the last term was a repeat */
    if (stop && atomic_load(stop)) ret = 1;
    else if (merge_batch(x, rows, in_batch) != 0) ret = -1;
  }
  b->n = 0;
  b->np = 0;
  arena_free(&b->a);
  return ret;
}

/* A sorted bucket written by a thread of its own while the next one is read and sorted: the
 * writer's transactions and the sort use the two cores (the file's reading thread is done). */
typedef struct bucket_writer {
  imp *x;
  mbucket *b;
  store_val *rows;
  atomic_bool *stop;
  int ret;
  pthread_t th;
  bool running;
} bucket_writer;

static void *bucket_writer_main(void *arg) {
  bucket_writer *bw = arg;
  (void)pthread_setname_np(pthread_self(), "hv-import-terms");
  bw->ret = write_bucket(bw->x, bw->b, bw->rows, bw->stop);
  return NULL;
}

/* Waits for the bucket being written, if any: its result (0 when none). */
static int bucket_wait(bucket_writer *bw) {
  if (!bw->running) return 0;
  pthread_join(bw->th, NULL);
  bw->running = false;
  return bw->ret;
}

/* Sorts the full bucket *cur and hands it to the writer once the one before is written; *cur is
 * then the other, empty bucket. 0, 1 (stopped), -1. */
static int bucket_done(imp *x, bucket_writer *bw, mbucket **cur, mbucket *pair) {
  mbucket *b = *cur;
  if (sort_bucket(b) != 0) {
    (void)bucket_wait(bw); /* x->err is the writer's while it runs */
    snprintf(x->err, sizeof x->err, "out of memory");
    return -1;
  }
  int rc = bucket_wait(bw);
  if (rc != 0) return rc;
  bw->b = b;
  bw->running = pthread_create(&bw->th, NULL, bucket_writer_main, bw) == 0;
  if (!bw->running && (rc = write_bucket(x, b, bw->rows, bw->stop)) != 0) return rc; /* no thread: here */
  *cur = b == &pair[0] ? &pair[1] : &pair[0];
  return 0;
}

/* ---- a fresh job's terms, sorted while the file is read ----
 * A job begun from the file's first line (nothing staged before this process) sorts the name terms of
 * each committed chunk on a thread of its own, while the next chunk is read and written, and appends
 * them to an anonymous temporary file as one sorted run (records: word length, key length, person
 * id, word, key; u16, u16, i64). Once the file is read the runs are merged into one stream in
 * person_words' key order and written in batches: every leaf page of the term index is written
 * about once in all, where buckets of ids wrote every page once a bucket, and the sort is done on
 * the core the writer leaves. The staged rows stay the durable record: a job that resumes (its runs
 * gone with the process), or runs that could not be made, take the buckets' way (merge_terms). */
enum { RUN_TEXT_MAX = 4096, RUN_BUF = 32768, RUN_HEAD = 12 };

typedef struct run_chunk {
  int64_t *ids;
  const char **keys; /* in `a` */
  size_t n;
  arena a;
} run_chunk;

typedef struct term_runs {
  FILE *f;
  int64_t *start; /* run k is [start[k], start[k + 1]) of f */
  size_t nruns, cap;
  int64_t terms; /* records written */
  mbucket b;     /* the chunk being sorted (the thread's) */
  run_chunk next, cur; /* handed over; being sorted */
  pthread_t th;
  bool running;
  atomic_bool failed; /* a run could not be made: the buckets' way (runs_add reads it while the thread runs) */
} term_runs;

static void run_chunk_clear(run_chunk *c) {
  free(c->ids);
  free(c->keys);
  arena_free(&c->a);
  memset(c, 0, sizeof *c);
}

static term_runs *runs_new(void) {
  term_runs *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->f = tmpfile();
  r->start = malloc(64 * sizeof *r->start);
  if (!r->f || !r->start) {
    if (r->f) fclose(r->f);
    free(r->start);
    free(r);
    return NULL;
  }
  r->cap = 64;
  r->start[0] = 0;
  arena_init(&r->b.a);
  return r;
}

static void runs_wait(term_runs *r) {
  if (r && r->running) {
    pthread_join(r->th, NULL);
    r->running = false;
  }
}

static void runs_free(term_runs *r) {
  if (!r) return;
  runs_wait(r);
  if (r->f) fclose(r->f);
  free(r->start);
  free(r->b.v);
  free(r->b.p);
  arena_free(&r->b.a);
  run_chunk_clear(&r->next);
  run_chunk_clear(&r->cur);
  free(r);
}

/* Sorts r->cur's terms and appends them to f as one run (the thread's body). */
static void *run_thread(void *arg) {
  term_runs *r = arg;
  mbucket *b = &r->b;
  b->n = b->np = 0;
  b->failed = false;
  arena_free(&b->a);
  for (size_t i = 0; i < r->cur.n && !b->failed; i++) {
    if (strlen(r->cur.keys[i]) > RUN_TEXT_MAX || add_mperson(b, r->cur.keys[i], r->cur.ids[i]) != 0 ||
        people_name_terms(r->cur.keys[i], bucket_term, b) != 0)
      b->failed = true;
  }
  if (b->failed || sort_bucket(b) != 0) goto failed;
  int64_t written = 0;
  for (size_t i = 0; i < b->n; i++) {
    if (i && mterm_cmp(&b->v[i - 1], &b->v[i]) == 0) continue; /* a term twice in one name */
    const mperson *p = &b->p[b->v[i].person];
    size_t kl = strlen(p->key);
    uint16_t len[2] = {(uint16_t)b->v[i].len, (uint16_t)kl};
    if (b->v[i].len > RUN_TEXT_MAX || fwrite(len, sizeof len, 1, r->f) != 1 ||
        fwrite(&p->id, sizeof p->id, 1, r->f) != 1 || fwrite(b->v[i].word, 1, b->v[i].len, r->f) != b->v[i].len ||
        fwrite(p->key, 1, kl, r->f) != kl)
      goto failed;
    written++;
  }
  if (r->nruns + 2 > r->cap) {
    int64_t *ns = realloc(r->start, 2 * r->cap * sizeof *ns);
    if (!ns) goto failed;
    r->start = ns;
    r->cap *= 2;
  }
  long end = ftell(r->f);
  if (end < 0) goto failed;
  r->start[++r->nruns] = end;
  r->terms += written;
  run_chunk_clear(&r->cur);
  return NULL;
failed:
  r->failed = true;
  run_chunk_clear(&r->cur);
  return NULL;
}

static void *run_thread_main(void *arg) {
  (void)pthread_setname_np(pthread_self(), "hv-import-sort");
  return run_thread(arg);
}

/* A committed chunk's staged people (rows of import_terms: job, "", folded name, id), handed to the
 * sorting thread once the chunk before is sorted. */
static void runs_add(term_runs *r, const store_val *staged, int n) {
  if (!r || r->failed || n <= 0) return;
  run_chunk *c = &r->next;
  c->ids = malloc((size_t)n * sizeof *c->ids);
  c->keys = malloc((size_t)n * sizeof *c->keys);
  if (!c->ids || !c->keys) goto failed;
  for (int i = 0; i < n; i++) {
    const store_val *row = &staged[(size_t)i * TERM_STAGE_COLS];
    if (row[1].s && row[1].s[0]) goto failed; /* a term a row: not this job's kind */
    c->ids[i] = row[3].i;
    c->keys[i] = arena_strndup(&c->a, row[2].s, strlen(row[2].s));
    if (!c->keys[i]) goto failed;
  }
  c->n = (size_t)n;
  runs_wait(r);
  if (r->failed) goto failed;
  r->cur = *c;
  memset(c, 0, sizeof *c);
  r->running = pthread_create(&r->th, NULL, run_thread_main, r) == 0;
  if (!r->running) (void)run_thread(r); /* no thread to be had: here */
  return;
failed:
  r->failed = true;
  run_chunk_clear(c);
}

/* One run's reader: a window of f. */
typedef struct run_cursor {
  int64_t off, end; /* the run's bytes not yet in buf */
  unsigned char *buf;
  size_t pos, len;
  /* the current record */
  const char *word, *key;
  uint16_t wl, kl;
  int64_t id;
} run_cursor;

/* The cursor's next record: 1, 0 at the run's end, -1 on a read error or a damaged record. */
static int cursor_next(int fd, run_cursor *c) {
  if (c->len - c->pos < RUN_HEAD + 2 * RUN_TEXT_MAX + 8 && c->off < c->end) {
    memmove(c->buf, c->buf + c->pos, c->len - c->pos);
    c->len -= c->pos;
    c->pos = 0;
    size_t want = RUN_BUF - c->len;
    if ((int64_t)want > c->end - c->off) want = (size_t)(c->end - c->off);
    ssize_t got = pread(fd, c->buf + c->len, want, (off_t)c->off);
    if (got <= 0) return -1;
    c->off += got;
    c->len += (size_t)got;
  }
  if (c->pos == c->len) return 0;
  if (c->len - c->pos < RUN_HEAD) return -1;
  uint16_t len[2];
  memcpy(len, c->buf + c->pos, sizeof len);
  memcpy(&c->id, c->buf + c->pos + sizeof len, sizeof c->id);
  if (c->len - c->pos < RUN_HEAD + (size_t)len[0] + len[1]) return -1;
  c->wl = len[0];
  c->kl = len[1];
  c->word = (const char *)c->buf + c->pos + RUN_HEAD;
  c->key = c->word + c->wl;
  c->pos += RUN_HEAD + (size_t)c->wl + c->kl;
  return 1;
}

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl) {
  int c = memcmp(a, b, al < bl ? al : bl);
  return c ? c : al < bl ? -1 : al > bl;
}

/* person_words' order: word, folded name, person (bytes compared). */
static int cursor_cmp(const run_cursor *a, const run_cursor *b) {
  int c = bytes_cmp(a->word, a->wl, b->word, b->wl);
  if (!c) c = bytes_cmp(a->key, a->kl, b->key, b->kl);
  return c ? c : a->id < b->id ? -1 : a->id > b->id;
}

static void heap_down(run_cursor **h, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, m = i;
    if (l < n && cursor_cmp(h[l], h[m]) < 0) m = l;
    if (l + 1 < n && cursor_cmp(h[l + 1], h[m]) < 0) m = l + 1;
    if (m == i) return;
    run_cursor *t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

/* A batch of merged terms: its rows' text in its own arena (written by a thread while the next is
 * filled). */
typedef struct run_batch {
  store_val *rows;
  int n;
  arena a;
} run_batch;

typedef struct batch_writer {
  imp *x;
  run_batch *b;
  int ret;
  pthread_t th;
  bool running;
} batch_writer;

static void *batch_writer_main(void *arg) {
  batch_writer *bw = arg;
  (void)pthread_setname_np(pthread_self(), "hv-import-terms");
  bw->ret = merge_batch(bw->x, bw->b->rows, bw->b->n);
  return NULL;
}

static int batch_wait(batch_writer *bw) {
  if (!bw->running) return 0;
  pthread_join(bw->th, NULL);
  bw->running = false;
  return bw->ret;
}

/* Hands the full batch to the writer once the one before is written. 0 or -1. */
static int batch_send(batch_writer *bw, run_batch *b) {
  int rc = batch_wait(bw);
  if (rc != 0) return rc;
  bw->b = b;
  bw->running = pthread_create(&bw->th, NULL, batch_writer_main, bw) == 0;
  if (!bw->running) return merge_batch(bw->x, b->rows, b->n);
  return 0;
}

/* Merges the runs into person_words. 0, 1 when `stop` was raised between two batches, -1. */
static int runs_merge(imp *x, atomic_bool *stop) {
  term_runs *r = x->runs;
  int fd = fileno(r->f);
  size_t k = r->nruns;
  run_cursor *cs = calloc(k ? k : 1, sizeof *cs);
  run_cursor **heap = calloc(k ? k : 1, sizeof *heap);
  run_batch pair[2] = {{0}};
  batch_writer bw = {.x = x};
  int ret = -1;
  size_t n = 0;
  if (!cs || !heap || fflush(r->f) != 0) goto oom;
  for (int i = 0; i < 2; i++) {
    arena_init(&pair[i].a);
    if (!(pair[i].rows = calloc(MERGE_BATCH_TERMS, TERM_COLS * sizeof *pair[i].rows))) goto oom;
  }
  for (size_t i = 0; i < k; i++) {
    cs[i].off = r->start[i];
    cs[i].end = r->start[i + 1];
    if (!(cs[i].buf = malloc(RUN_BUF))) goto oom;
    int got = cursor_next(fd, &cs[i]);
    if (got < 0) goto damaged;
    if (got) heap[n++] = &cs[i];
  }
  for (size_t i = n / 2; i-- > 0;) heap_down(heap, n, i);
  run_batch *b = &pair[0];
  const char *last_w = NULL, *last_k = NULL;
  size_t last_wl = 0, last_kl = 0;
  int64_t last_id = 0;
  while (n) {
    run_cursor *c = heap[0];
    bool repeat = last_w && last_id == c->id && bytes_cmp(last_w, last_wl, c->word, c->wl) == 0 &&
                  bytes_cmp(last_k, last_kl, c->key, c->kl) == 0;
    if (!repeat) {
      store_val *row = &b->rows[(size_t)b->n * TERM_COLS];
      char *w = arena_strndup(&b->a, c->word, c->wl), *key = arena_strndup(&b->a, c->key, c->kl);
      if (!w || !key) goto oom;
      row[0] = store_val_text(w);
      row[1] = store_val_text(key);
      row[2] = store_val_int(c->id);
      last_w = w;
      last_wl = c->wl;
      last_k = key;
      last_kl = c->kl;
      last_id = c->id;
      if (++b->n == MERGE_BATCH_TERMS) {
        if (stop && atomic_load(stop)) {
          ret = 1;
          goto out;
        }
        if (batch_send(&bw, b) != 0) goto out;
        b = b == &pair[0] ? &pair[1] : &pair[0]; /* written already: batch_send waited for it */
        b->n = 0;
        arena_free(&b->a);
      }
    }
    int got = cursor_next(fd, c);
    if (got < 0) goto damaged;
    if (!got) heap[0] = heap[--n];
    if (n) heap_down(heap, n, 0);
  }
  if (b->n) {
    if (stop && atomic_load(stop)) {
      ret = 1;
      goto out;
    }
    if (batch_send(&bw, b) != 0) goto out;
  }
  ret = batch_wait(&bw) == 0 ? 0 : -1;
  goto out;
damaged:
  snprintf(x->err, sizeof x->err, "cannot read the sorted name terms back");
  goto out;
oom:
  snprintf(x->err, sizeof x->err, "out of memory");
out:
  if (batch_wait(&bw) != 0 && ret == 0) ret = -1;
  for (size_t i = 0; cs && i < k; i++) free(cs[i].buf);
  free(cs);
  free(heap);
  for (int i = 0; i < 2; i++) {
    free(pair[i].rows);
    arena_free(&pair[i].a);
  }
  return ret;
}

/* The job's staged people no longer live under the name they were staged with (renamed, deleted
 * or purged since their chunk committed), read on a reader while the runs are merged: their terms,
 * written by the merge, are taken out again by the fix-up. */
typedef struct stale_scan {
  store *st;
  int64_t job_id;
  id_list ids;
  int rc;
  pthread_t th;
  bool running;
} stale_scan;

static void *stale_scan_main(void *arg) {
  stale_scan *s = arg;
  store_thread_transient(); /* its reader goes back to the pool (the server binds readers) */
  store_conn *c = store_acquire(s->st, false);
  s->rc = c ? people_bulk_staged_stale(c, s->job_id, collect_id, &s->ids) : -1;
  if (c) store_release(c);
  return NULL;
}

static void stale_scan_free(stale_scan *s) {
  for (size_t i = 0; i < s->ids.n; i++) free(s->ids.v[i].key);
  free(s->ids.v);
  memset(&s->ids, 0, sizeof s->ids);
}

/* 0, 1 when `stop` was raised between two batches (the job resumes later and merges again), -1. */
static int merge_terms(imp *x, atomic_bool *stop) {
  int64_t n = 0, lo = 0, hi = 0;
  staged_dump d = {0};
  char *word = NULL;
  store_val *rows = NULL;
  mbucket pair[2] = {{0}}, *b = &pair[0];
  bucket_writer bw = {.x = x, .stop = stop};
  int ret = -1;
  store_conn *c = store_acquire(x->st, false);
  if (!c || people_bulk_staged_span(c, x->job_id, &n, &lo, &hi) != 0) {
    snprintf(x->err, sizeof x->err, "cannot read the staged name terms%s%s", c ? ": " : "", c ? store_errmsg(c) : "");
    if (c) store_release(c);
    return -1;
  }
  if (n == 0) {
    store_release(c);
    return 0;
  }
  int64_t since = clock_now(); /* changes from here on (read after it) are looked at again at the end */
  runs_wait(x->runs);
  if (x->runs && !x->runs->failed) {
    store_release(c);
    stale_scan ss = {.st = x->st, .job_id = x->job_id};
    ss.running = pthread_create(&ss.th, NULL, stale_scan_main, &ss) == 0;
    if (!ss.running) (void)stale_scan_main(&ss);
    x->by_runs = true;
    int mrc = runs_merge(x, stop);
    if (ss.running) pthread_join(ss.th, NULL);
    if (mrc == 0 && ss.rc != 0) snprintf(x->err, sizeof x->err, "cannot read the staged people");
    if (mrc == 0 && ss.rc == 0) {
      x->t_terms = clock_mono();
      store_checkpoint_soon(x->st); /* the terms' pages, copied while the fix-up and the end run */
      mrc = merge_fixup(x, lo, hi, since, &ss.ids);
    } else if (mrc == 0) {
      mrc = -1;
    }
    stale_scan_free(&ss);
    if (mrc != 0) {
      ret = mrc;
      goto out;
    }
    goto unstage;
  }
  d.f = tmpfile();
  int rc = d.f ? people_bulk_staged_each(c, x->job_id, dump_term, &d) : -1;
  if (rc != 0)
    snprintf(x->err, sizeof x->err, "cannot read the staged people: %s", d.f ? store_errmsg(c) : strerror(errno));
  store_release(c);
  if (rc != 0) goto out;
  if (fflush(d.f) != 0 || fseek(d.f, 0, SEEK_SET) != 0) {
    snprintf(x->err, sizeof x->err, "cannot write the staged people: %s", strerror(errno));
    goto out;
  }
  /* as few buckets as memory allows: each writes every leaf of the term index about once */
  int64_t buckets = d.terms / atomic_load(&merge_bucket_terms) + 1;
  int64_t bucket_ids = (hi - lo) / buckets + 1;
  word = malloc(2 * (size_t)UINT16_MAX + 2);
  rows = calloc(MERGE_BATCH_TERMS, TERM_COLS * sizeof *rows);
  /* a bucket's terms, with a quarter to spare (ids are cut evenly, people not quite): grown by
   * doubling, the array would hold up to twice that, and three times while it moves */
  for (int k = 0; k < 2; k++) {
    arena_init(&pair[k].a);
    pair[k].cap = (size_t)(d.terms / buckets + d.terms / (4 * buckets) + 1);
    pair[k].v = malloc(pair[k].cap * sizeof *pair[k].v);
  }
  bw.rows = rows;
  if (!word || !rows || !pair[0].v || !pair[1].v) {
    snprintf(x->err, sizeof x->err, "out of memory");
    goto out;
  }
  arena_free(&x->a);
  int64_t id, bucket = -1;
  uint32_t len[2];
  while (fread(&id, sizeof id, 1, d.f) == 1) {
    if (fread(len, sizeof len, 1, d.f) != 1 || len[0] > UINT16_MAX || len[1] > UINT16_MAX ||
        fread(word, 1, (size_t)len[0] + len[1], d.f) != (size_t)len[0] + len[1]) {
      (void)bucket_wait(&bw); /* x->err is the writer's while it runs */
      snprintf(x->err, sizeof x->err, "cannot read the staged people back");
      goto out;
    }
    int64_t in = (id - lo) / bucket_ids;
    if (in != bucket && b->n) { /* the file is in id order: the bucket before is whole */
      int frc = bucket_done(x, &bw, &b, pair);
      if (frc != 0) {
        ret = frc;
        goto out;
      }
    }
    bucket = in;
    char *k = arena_strndup(&b->a, word + len[0], len[1]);
    char *w = k && len[0] ? arena_strndup(&b->a, word, len[0]) : NULL;
    if (!k || add_mperson(b, k, id) != 0 || (len[0] && (!w || add_mterm(b, w, len[0]) != 0)) ||
        (!len[0] && (people_name_terms(k, bucket_term, b) != 0 || b->failed))) {
      (void)bucket_wait(&bw);
      snprintf(x->err, sizeof x->err, "out of memory");
      goto out;
    }
  }
  if (ferror(d.f)) {
    (void)bucket_wait(&bw);
    snprintf(x->err, sizeof x->err, "cannot read the staged people back");
    goto out;
  }
  if (stop && atomic_load(stop)) {
    ret = 1;
    goto out;
  }
  int frc = b->n ? bucket_done(x, &bw, &b, pair) : 0;
  if (frc == 0) frc = bucket_wait(&bw);
  if (frc != 0) {
    ret = frc;
    goto out;
  }
  x->t_terms = clock_mono();
  store_checkpoint_soon(x->st);
  if (merge_fixup(x, lo, hi, since, NULL) != 0) goto out;
unstage:
  x->t_fixup = clock_mono();
  /* Every term is in person_words: the staged rows go, in short transactions. */
  for (int64_t gone = UNSTAGE_BATCH_ROWS; gone > 0;) {
    store_conn *w = store_acquire_timed(x->st, true, 30000, NULL);
    if (!w) {
      snprintf(x->err, sizeof x->err, "the writer stayed busy past 30 s");
      goto out;
    }
    gone = people_bulk_unstage(w, x->job_id, UNSTAGE_BATCH_ROWS);
    if (gone < 0) snprintf(x->err, sizeof x->err, "%s", store_errmsg(w));
    store_release(w);
    if (gone < 0) goto out;
  }
  x->t_unstaged = clock_mono();
  ret = 0;
out:
  if (bucket_wait(&bw) != 0 && ret == 0) ret = -1; /* (only when left early: waited for above) */
  arena_free(&x->a);
  for (int k = 0; k < 2; k++) {
    arena_free(&pair[k].a);
    free(pair[k].v);
    free(pair[k].p);
  }
  free(word);
  free(rows);
  if (d.f) fclose(d.f);
  return ret;
}

/* ---- mapping ---- */
static col_field field_by_code(const char *code) {
  for (int f = COL_NONE + 1; f < COL_COUNT; f++)
    if (strcmp(col_field_code((col_field)f), code) == 0) return (col_field)f;
  return COL_NONE;
}

/* The colmap a job's mapping JSON names. -1 with a message on an unknown field or bad index. */
static int mapping_apply(json_t *mapping, size_t ncolumns, colmap *m, char *err, size_t errlen) {
  colmap_init(m);
  const char *k;
  json_t *v;
  json_object_foreach(mapping, k, v) {
    col_field f = field_by_code(k);
    if (f == COL_NONE) {
      snprintf(err, errlen, "Trường “%s” không có trong danh sách các trường nhận được.", k);
      return -1;
    }
    if (json_is_null(v)) continue;
    if (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) >= (json_int_t)ncolumns) {
      snprintf(err, errlen, "Cột của trường “%s” không có trong tệp.", col_field_label(f));
      return -1;
    }
    if (colmap_apply_manual(m, f, (int)json_integer_value(v)) != 0) {
      snprintf(err, errlen, "Trường “%s” không hợp lệ.", k);
      return -1;
    }
  }
  return 0;
}

static json_t *mapping_json(const colmap *m) {
  json_t *o = json_object();
  for (int f = COL_NONE + 1; o && f < COL_COUNT; f++)
    if (m->col[f] >= 0) json_object_set_new(o, col_field_code((col_field)f), json_integer(m->col[f]));
  return o;
}

/* Reads the header row: the first row of the file. */
static table *open_with_header(const char *path, table_row *hdr, char *err, size_t errlen) {
  table_limits lim;
  table_limits_default(&lim);
  table *t = table_open(path, &lim, err, errlen);
  if (!t) return NULL;
  int rc = table_next(t, hdr, err, errlen);
  if (rc == 0) snprintf(err, errlen, "Tệp trống: không có dòng tiêu đề nào.");
  if (rc != 1) {
    table_close(t);
    return NULL;
  }
  return t;
}

static char **copy_cells(const table_row *row) {
  char **c = calloc(row->ncells + 1, sizeof *c);
  for (size_t i = 0; c && i < row->ncells; i++)
    if (!(c[i] = strdup(row->cells[i]))) {
      for (size_t j = 0; j < i; j++) free(c[j]);
      free(c);
      return NULL;
    }
  return c;
}

static void free_cells(char **c) {
  for (size_t i = 0; c && c[i]; i++) free(c[i]);
  free(c);
}

static int64_t count_lines(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  char b[65536];
  size_t n;
  int64_t lines = 0;
  int last = '\n';
  while ((n = fread(b, 1, sizeof b, f)) > 0) {
    for (size_t i = 0; i < n; i++)
      if (b[i] == '\n') lines++;
    last = b[n - 1];
  }
  fclose(f);
  if (last != '\n') lines++;
  return lines > 1 ? lines - 1 : 0;
}

int importer_inspect(const char *path, json_t **out, int64_t *rows_estimate, char *err, size_t errlen) {
  table_row hdr;
  table *t = open_with_header(path, &hdr, err, errlen);
  if (!t) return -1;
  int ret = -1;
  char **headers = copy_cells(&hdr);
  size_t nh = hdr.ncells;
  json_t *o = NULL;
  if (!headers) goto done;
  colmap m;
  char why[1024] = "";
  int ok = colmap_detect((const char *const *)headers, nh, COLMAP_REQUIRED_RESIDENTS, &m, why, sizeof why);
  json_t *cols = json_array(), *preview = json_array(), *missing = json_array(), *warnings = json_array();
  o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "format", table_format_name(t), "columns", cols, "preview",
                preview, "missing", missing, "warnings", warnings, "mapping", mapping_json(&m));
  if (!o) goto done;
  for (size_t i = 0; i < nh; i++) {
    col_field f = COL_NONE;
    for (int k = COL_NONE + 1; k < COL_COUNT; k++)
      if (m.col[k] == (int)i) f = (col_field)k;
    json_array_append_new(cols, json_pack("{s:I, s:s, s:s?, s:s?}", "index", (json_int_t)i, "header", headers[i],
                                          "field", f ? col_field_code(f) : NULL, "field_label",
                                          f ? col_field_label(f) : NULL));
  }
  for (int k = COL_NONE + 1; k < COL_COUNT; k++)
    if ((COLMAP_REQUIRED_RESIDENTS & COLMAP_BIT(k)) && m.col[k] < 0)
      json_array_append_new(missing, json_string(col_field_code((col_field)k)));
  if (ok != 0 && why[0]) json_array_append_new(warnings, json_string(why));
  json_object_set_new(o, "mapping_error", ok != 0 && why[0] ? json_string(why) : json_null());
  char w[1024];
  colmap_warnings(&m, (const char *const *)headers, nh, w, sizeof w);
  if (w[0]) json_array_append_new(warnings, json_string(w));
  table_row row;
  int rc = 0;
  for (int n = 0; n < 5 && (rc = table_next(t, &row, err, errlen)) == 1; n++) {
    json_t *cells = json_array();
    for (size_t i = 0; i < row.ncells; i++) json_array_append_new(cells, json_string(row.cells[i]));
    json_array_append_new(preview, json_pack("{s:I, s:o}", "line", (json_int_t)row.line, "cells", cells));
  }
  if (rc < 0) goto done;
  *rows_estimate = strcmp(table_format_name(t), "CSV") == 0 ? count_lines(path) : 0;
  json_object_set_new(o, "rows_estimate", json_integer(*rows_estimate));
  ret = 0;
done:
  if (ret != 0) json_decref(o);
  else *out = o;
  free_cells(headers);
  table_close(t);
  return ret;
}

int importer_mapping_check(const char *path, json_t *mapping, char *err, size_t errlen) {
  table_row hdr;
  table *t = open_with_header(path, &hdr, err, errlen);
  if (!t) return -1;
  colmap m;
  int rc = mapping_apply(mapping, hdr.ncells, &m, err, errlen);
  if (rc == 0)
    rc = colmap_check(&m, COLMAP_REQUIRED_RESIDENTS, hdr.cells, hdr.ncells, err, errlen);
  table_close(t);
  return rc;
}

/* ---- a run ---- */
/* What only the file's chunks need (the CCCDs seen, the households, the unit caches and the rows):
 * freed before the merge, which needs none of it, so that the two phases' memory does not add up. */
static void imp_free_chunks(imp *x) {
  free(x->keep_arr);
  free(x->keep_people);
  free(x->keep_members);
  x->keep_arr = NULL;
  x->keep_people = x->keep_members = NULL;
  x->keep_cap = x->keep_rows = 0;
  dset_free(&x->cccd_lines);
  hhmap_free(&x->households);
  smap_free(&x->group_cells);
  smap_free(&x->org_cells);
  arena_free(&x->a);
  rows_free_reasons(x->rows, x->cap);
  free(x->rows);
  x->rows = NULL;
  x->nrows = x->cap = 0;
  free(x->look_hashes);
  free(x->look_names);
  x->look_hashes = x->look_names = NULL;
}

static void imp_free(imp *x) {
  units_ix_free(&x->u);
  imp_free_chunks(x);
  runs_free(x->runs);
  x->runs = NULL;
}

static int load_units(imp *x, const import_job *j) {
  scope_sql sc;
  if (j->scope_all) {
    scope_sql_all(&sc);
  } else {
    principal p = {.user_id = j->created_by};
    scope_sql_of(&sc, &p, CAP_PEOPLE_WRITE);
  }
  store_conn *c = store_acquire(x->st, false);
  if (!c) return -1;
  int rc = units_each_scoped(c, &sc, on_unit, &x->u);
  store_release(c);
  return rc == 0 && !x->u.failed ? 0 : -1;
}

/* Marks the job done or failed and audits its end with the counts (never a row's data). */
static int audit_finish(store_conn *w, const import_job *j, int64_t id, int64_t *rejected, int64_t *written) {
  import_job now = {0};
  if (jobs_get(w, id, &now) != 1) return -1;
  *rejected = now.rejected;
  *written = now.imported + now.updated;
  json_t *detail = json_pack("{s:s, s:I, s:I, s:I, s:I}", "status", now.status, "imported", (json_int_t)now.imported,
                             "updated", (json_int_t)now.updated, "unchanged", (json_int_t)now.unchanged, "rejected",
                             (json_int_t)now.rejected);
  audit_entry a = {.actor_id = j->created_by, .actor_username = j->scope_all ? "cli" : NULL,
                   .action = "import.finish", .entity = "import", .entity_id = id, .unit_id = j->unit_id,
                   .ip = "local", .detail = detail};
  int rc = detail ? audit_append(w, &a) : -1;
  json_decref(detail);
  import_job_clear(&now);
  return rc;
}

/* An import that wrote at least this many rows ends with the planner's statistics refreshed. */
#define IMPORT_ANALYZE_ROWS 5000

/* The registry's tables analysed on a reader while the name terms are merged (PostgreSQL: ANALYZE
 * reads a sample of each, 1.5 s of a 200,000-row import's 12; the other core is free then):
 * finish then analyses person_words alone. */
typedef struct early_analyze {
  store *st;
  pthread_t th;
  bool running;
  int rc;
} early_analyze;

static void *early_analyze_main(void *arg) {
  early_analyze *e = arg;
  (void)pthread_setname_np(pthread_self(), "hv-import-stats");
  store_thread_transient(); /* its reader goes back to the pool (the server binds readers) */
  static const char *const tables[] = {"people", "households", "memberships", NULL};
  e->rc = store_analyze(e->st, tables);
  return NULL;
}

/* Waits for the early ANALYZE: true when it ran and succeeded. */
static bool early_analyze_wait(early_analyze *e) {
  if (!e->running) return false;
  pthread_join(e->th, NULL);
  e->running = false;
  return e->rc == STORE_OK;
}

static int finish(store *st, const import_job *j, int64_t id, bool ok, const char *error, bool analysed) {
  store_conn *w = store_acquire_timed(st, true, 30000, NULL);
  if (!w) return -1;
  int64_t rejected = -1, written = 0;
  int rc = store_begin(w);
  if (rc == STORE_OK)
    rc = jobs_finish(w, id, ok, error) == 0 && audit_finish(w, j, id, &rejected, &written) == 0 ? STORE_OK : STORE_ERROR;
  if (rc == STORE_OK) rc = store_commit(w);
  else store_rollback(w);
  store_release(w);
  /* The uploaded copy holds every row in clear (CCCDs, phones): once every row is in the registry
   * (sealed) and none is left for the error report, it goes. The CLI's file is the user's own. */
  if (rc == STORE_OK && ok && rejected == 0 && !j->scope_all && unlink(j->file_path) != 0 && errno != ENOENT)
    log_warn("cannot remove the imported file %s: %s", j->file_path, strerror(errno));
  /* the planner learns the tables' new sizes now, not when the autovacuum comes by (a large import
   * only: a few rows do not change a plan, and ANALYZE reads a sample of every table) */
  static const char *const written_tables[] = {"people", "households", "memberships", "person_words", NULL};
  if (rc == STORE_OK && ok && written >= IMPORT_ANALYZE_ROWS &&
      store_analyze(st, analysed ? written_tables + 3 : written_tables) != STORE_OK)
    log_warn("import job %lld: ANALYZE failed", (long long)id);
  return rc == STORE_OK ? 0 : -1;
}

/* The next chunk, read and validated while the writer writes the one before (validate says what
 * it may touch). */
typedef struct reader {
  imp *x;
  table *t;
  int64_t committed; /* the job's committed line: rows up to it are read for their CCCD only */
  import_row *rows;  /* IMPORTER_CHUNK_MAX */
  size_t nrows, limit; /* limit: the rows of the chunk to read (next_chunk_rows) */
  arena a; /* the rows' strings */
  char *look_hashes, *look_names; /* the rows' look-up lists (lookup_texts) */
  long last_line;
  int rc; /* 1: a full chunk (more may follow), 0: the end of the file, -1: the file cannot be read
           * on (why), -2: out of memory */
  char why[1024];
} reader;

static void read_rows(reader *rd) {
  table_row row;
  int rc;
  rd->nrows = 0;
  while ((rc = table_next(rd->t, &row, rd->why, sizeof rd->why)) == 1) {
    import_row *r = &rd->rows[rd->nrows];
    if (validate(rd->x, &row, r, &rd->a, row.line > rd->committed) != 0) {
      rd->rc = -2;
      return;
    }
    if (row.line <= rd->committed) { /* written before a restart: only its CCCD is remembered */
      if (!rd->nrows) arena_free(&rd->a);
      continue;
    }
    rd->last_line = row.line;
    if (++rd->nrows >= rd->limit) {
      rd->rc = 1;
      return;
    }
  }
  rd->rc = rc < 0 ? -1 : 0;
}

static void read_chunk(reader *rd) {
  read_rows(rd);
  free(rd->look_hashes);
  free(rd->look_names);
  rd->look_hashes = rd->look_names = NULL;
  if (rd->rc >= 0 && rd->nrows) lookup_texts(rd->rows, rd->nrows, &rd->look_hashes, &rd->look_names);
}

static void *read_thread(void *arg) {
  (void)pthread_setname_np(pthread_self(), "hv-import-read");
  read_chunk(arg);
  return NULL;
}

/* How many rows the chunk after next reads, from the time the last one held the writer (`rows`
 * rows): twice as many while it held it less than half of IMPORT_HOLD_GOAL_S, half as many past
 * IMPORT_HOLD_MAX_S. A chunk commits its rows at once: the fewer chunks, the fewer times the
 * people table's random-key indexes (CCCD, phone, names) are written out (BENCHMARKS.md,
 * "Registry import (session 17)"), while a transaction stays short for the server's writes. */
#define IMPORT_HOLD_GOAL_S 0.6
#define IMPORT_HOLD_MAX_S 1.0
static size_t next_chunk_rows(size_t rows, double held) {
  if (held > IMPORT_HOLD_MAX_S) rows /= 2;
  else if (held * 2 < IMPORT_HOLD_GOAL_S) rows *= 2;
  return rows < IMPORTER_CHUNK_MIN ? IMPORTER_CHUNK_MIN : rows > IMPORTER_CHUNK_MAX ? IMPORTER_CHUNK_MAX : rows;
}

/* The chunk read becomes the one to write; the reader gets the written one's (empty) buffers. */
static void chunk_take(imp *x, reader *rd) {
  import_row *rows = x->rows;
  arena a = x->a;
  x->rows = rd->rows;
  x->nrows = rd->nrows;
  x->a = rd->a;
  x->last_line = rd->last_line;
  free(x->look_hashes);
  free(x->look_names);
  x->look_hashes = rd->look_hashes;
  x->look_names = rd->look_names;
  rd->look_hashes = rd->look_names = NULL;
  rd->rows = rows;
  rd->nrows = 0;
  rd->a = a;
}

int importer_run(store *st, const secrets *keys, int64_t job_id, atomic_bool *stop, char *err, size_t errlen) {
  imp x = {.st = st, .keys = keys, .job_id = job_id, .today_key = groups_date_key(clock_now()), .t_begin = clock_mono(),
           .cpu_begin = thread_cpu()};
  randombytes_buf(x.hh_sip, sizeof x.hh_sip);
  arena_init(&x.a);
  reader rd = {0};
  early_analyze early = {0};
  arena_init(&rd.a);
  import_job j = {0};
  table *t = NULL;
  char **headers = NULL;
  int ret = -1;
  char why[1024] = "";
  store_bulk_load(st, true); /* checkpoints spaced out while the chunks and the terms are written */
  store_conn *c = store_acquire(st, false);
  int got = c ? jobs_get(c, job_id, &j) : -1;
  if (c) store_release(c);
  if (got != 1) {
    snprintf(err, errlen, "job %lld cannot be read", (long long)job_id);
    goto out;
  }
  table_row row;
  t = open_with_header(j.file_path, &row, why, sizeof why);
  if (!t) goto failed;
  size_t nh = row.ncells;
  headers = copy_cells(&row);
  json_t *mapping = json_loads(j.mapping, 0, NULL);
  if (!headers || !mapping) {
    json_decref(mapping);
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  int mrc;
  if (json_object_size(mapping) == 0)
    mrc = colmap_detect((const char *const *)headers, nh, COLMAP_REQUIRED_RESIDENTS, &x.m, why, sizeof why);
  else if ((mrc = mapping_apply(mapping, nh, &x.m, why, sizeof why)) == 0)
    mrc = colmap_check(&x.m, COLMAP_REQUIRED_RESIDENTS, (const char *const *)headers, nh, why, sizeof why);
  json_decref(mapping);
  if (mrc != 0) goto failed;
  if (load_units(&x, &j) != 0) {
    snprintf(err, errlen, "cannot read the unit tree");
    goto out;
  }
  /* The file is read and validated a chunk ahead, on a thread of its own, while the writer writes
   * the chunk before (read_chunk); the two meet between chunks. */
  x.cap = IMPORTER_CHUNK_MAX;
  x.rows = calloc(x.cap, sizeof *x.rows);
  rd.rows = calloc(x.cap, sizeof *rd.rows);
  if (!x.rows || !rd.rows) goto out;
  rd.x = &x;
  rd.t = t;
  rd.committed = j.committed_line;
  /* a job begun here from the first line: its terms sorted as its chunks commit (runs_merge) */
  if (j.committed_line <= 1 && atomic_load(&sorted_runs)) x.runs = runs_new();
  rd.limit = IMPORTER_CHUNK_ROWS;
  read_chunk(&rd);
  for (;;) {
    if (rd.rc == -2) {
      snprintf(err, errlen, "out of memory");
      goto out;
    }
    if (rd.rc == -1) { /* the rows read since the last chunk are not written */
      snprintf(why, sizeof why, "%s", rd.why);
      goto failed;
    }
    bool more = rd.rc == 1;
    chunk_take(&x, &rd);
    pthread_t th;
    bool reading = more && pthread_create(&th, NULL, read_thread, &rd) == 0;
    if (more && !reading) read_chunk(&rd); /* no thread to be had: read it here, after */
    int wrc = write_chunk(&x);
    if (reading) pthread_join(th, NULL);
    if (wrc != 0) {
      snprintf(err, errlen, "%s", x.err);
      goto out;
    }
    if (chunk_hook) chunk_hook(chunk_hook_ctx, x.chunks);
    if (!more) break;
    rd.limit = next_chunk_rows(x.rows_last, x.chunk_last);
    if (stop && atomic_load(stop)) {
      ret = 1;
      goto out;
    }
  }
  imp_free_chunks(&x);
  rows_free_reasons(rd.rows, IMPORTER_CHUNK_MAX);
  free(rd.rows);
  rd.rows = NULL;
  arena_free(&rd.a);
  free(rd.look_hashes);
  free(rd.look_names);
  rd.look_hashes = rd.look_names = NULL;
  x.t_file = clock_mono();
  store_checkpoint_soon(st); /* the chunks' pages, copied while the terms are merged */
  /* a large file: its tables' statistics while the terms are merged */
  /* Not in a server: there the pool's few connections not bound to a request thread serve the
   * requests' writes on PostgreSQL, and an ANALYZE holding one for seconds would starve them. */
  if (x.last_line > IMPORT_ANALYZE_ROWS && store_kind_of(st) == STORE_PG && !store_threads_bound(st)) {
    early.st = st;
    early.running = pthread_create(&early.th, NULL, early_analyze_main, &early) == 0;
  }
  if ((mrc = merge_terms(&x, stop)) < 0) {
    snprintf(err, errlen, "%s", x.err);
    goto out;
  }
  if (mrc == 1) { /* stopped: the job stays running and resumes with its merge */
    ret = 1;
    goto out;
  }
  ret = finish(st, &j, job_id, true, NULL, early_analyze_wait(&early));
  if (ret != 0) snprintf(err, errlen, "cannot record the end of the job");
  double t_end = clock_mono(), t_merged = x.t_unstaged > 0 ? x.t_unstaged : x.t_file;
  log_info("import %lld: %d chunk(s) of up to %zu rows held the writer %.0f ms at most, %.0f ms on average; the "
           "name terms (%s) %d transaction(s), %.0f ms at most, %.0f ms on average; %.2f s in all: the file %.2f s, "
           "the terms %.2f s, their fix-up %.2f s, the staged rows removed %.2f s, the end %.2f s; the importing "
           "thread's CPU %.2f s",
           (long long)job_id, x.chunks, x.rows_max, x.chunk_max * 1e3, x.chunks ? x.chunk_sum * 1e3 / x.chunks : 0.0,
           x.by_runs ? "sorted as the chunks committed" : "merged in buckets", x.merges, x.merge_max * 1e3, x.merges ? x.merge_sum * 1e3 / x.merges : 0.0, t_end - x.t_begin,
           x.t_file - x.t_begin, x.t_terms > 0 ? x.t_terms - x.t_file : 0.0,
           x.t_fixup > 0 ? x.t_fixup - x.t_terms : 0.0, x.t_unstaged > 0 ? x.t_unstaged - x.t_fixup : 0.0,
           t_end - t_merged, thread_cpu() - x.cpu_begin);
  goto out;
failed:
  /* The file cannot be read on: what was committed stays (its names found by search), the job
   * says why it stopped. */
  snprintf(err, errlen, "%s", why);
  imp_free_chunks(&x);
  if ((mrc = merge_terms(&x, stop)) != 0) {
    if (mrc < 0) snprintf(err, errlen, "%s", x.err);
    ret = mrc;
    goto out;
  }
  ret = finish(st, &j, job_id, false, why, false) == 0 ? 0 : -1;
out:
  (void)early_analyze_wait(&early);
  store_bulk_load(st, false);
  free_cells(headers);
  if (t) table_close(t);
  import_job_clear(&j);
  imp_free(&x);
  rows_free_reasons(rd.rows, IMPORTER_CHUNK_MAX);
  free(rd.rows);
  arena_free(&rd.a);
  free(rd.look_hashes);
  free(rd.look_names);
  return ret;
}

/* ---- the error report ---- */
static void csv_cell(buf *b, const char *s) {
  if (strpbrk(s, ",\"\r\n") || (s[0] == ' ') || (*s && s[strlen(s) - 1] == ' ')) {
    buf_putc(b, '"');
    for (; *s; s++) {
      if (*s == '"') buf_putc(b, '"');
      buf_putc(b, *s);
    }
    buf_putc(b, '"');
  } else {
    buf_puts(b, s);
  }
}

/* A CCCD cell of the report for a reader who may not see the number: 12 digits masked as the
 * registry masks them (0300*****172), anything else hidden whole. */
static const char *masked_cccd(const char *v, char out[13]) {
  if (!v[0]) return v;
  size_t n = strlen(v);
  if (n == 12 && strspn(v, "0123456789") == 12) {
    people_cccd_mask(v, out);
    return out;
  }
  return "***";
}

static void csv_row(buf *b, const char *const *cells, size_t n, size_t width, int cccd_col, const char *line,
                    const char *reason) {
  char masked[13];
  for (size_t i = 0; i < width; i++) {
    if (i) buf_putc(b, ',');
    /* A cell starting with = + - @ (or a tab, a CR) would be a formula in Excel: quote it as text. */
    const char *v = i < n ? cells[i] : "";
    if (cccd_col >= 0 && i == (size_t)cccd_col) v = masked_cccd(v, masked);
    if (export_formula_like(v)) buf_putc(b, '\'');
    csv_cell(b, v);
  }
  buf_putc(b, ',');
  csv_cell(b, line);
  buf_putc(b, ',');
  csv_cell(b, reason);
  buf_puts(b, "\r\n");
}

/* The column holding the CCCD in the job's file (-1: none): the saved mapping, else the one the
 * headers suggest (as the run used). A mapping that cannot be read: -1 returned, nothing shown. */
static int report_cccd_column(const import_job *j, const table_row *hdr, int *col) {
  colmap m;
  char why[256];
  json_t *mapping = json_loads(j->mapping ? j->mapping : "{}", 0, NULL);
  if (!mapping) return -1;
  int rc = 0;
  if (json_object_size(mapping) == 0) {
    /* Required columns missing only mean no rows ran; the CCCD column is still the detected one. */
    (void)colmap_detect(hdr->cells, hdr->ncells, 0, &m, why, sizeof why);
  } else {
    rc = mapping_apply(mapping, hdr->ncells, &m, why, sizeof why);
  }
  json_decref(mapping);
  *col = rc == 0 ? m.col[COL_CCCD] : -1;
  return rc;
}

static int collect_error(void *ctx, int64_t line, const char *reason) {
  char k[24];
  snprintf(k, sizeof k, "%lld", (long long)line);
  smap *m = ((smap **)ctx)[0];
  char ***reasons = ((char ****)ctx)[1];
  size_t *n = ((size_t **)ctx)[2];
  char **nr = realloc(*reasons, (*n + 1) * sizeof *nr);
  if (!nr) return 1;
  *reasons = nr;
  if (!(nr[*n] = strdup(reason))) return 1;
  if (smap_put(m, k, (int64_t)*n) != 0) return 1;
  (*n)++;
  return 0;
}

/* One line of a report whose file is gone: its number and its reason. */
static int report_line(void *ctx, int64_t line, const char *reason) {
  buf *b = ((buf **)ctx)[0];
  char k[24];
  snprintf(k, sizeof k, "%lld", (long long)line);
  csv_cell(b, k);
  buf_putc(b, ',');
  csv_cell(b, reason);
  buf_puts(b, "\r\n");
  return b->oom ? 1 : 0;
}

/* ---- uploaded files past their retention period ---- */
typedef struct stale_file {
  int64_t id;
  char path[1024];
} stale_file;
typedef struct stale_list {
  stale_file f[100];
  int n;
} stale_list;

static int collect_stale(void *ctx, int64_t id, const char *path) {
  stale_list *l = ctx;
  if (l->n == (int)(sizeof l->f / sizeof l->f[0])) return 1;
  l->f[l->n].id = id;
  snprintf(l->f[l->n].path, sizeof l->f[0].path, "%s", path);
  l->n++;
  return 0;
}

int importer_expire_files(store *st, int64_t before, int64_t *removed, char *err, size_t errlen) {
  *removed = 0;
  for (;;) {
    stale_list *l = calloc(1, sizeof *l);
    if (!l) {
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    store_conn *c = store_acquire(st, false);
    int rc = c ? jobs_stale_files(c, before, (int)(sizeof l->f / sizeof l->f[0]), collect_stale, l) : -1;
    if (c) store_release(c);
    if (rc != 0) {
      snprintf(err, errlen, "cannot list the uploaded files");
      free(l);
      return -1;
    }
    int n = l->n;
    for (int i = 0; i < n; i++) {
      /* Forgotten first (one short write), then removed: a job never names a file that is gone. */
      store_conn *w = store_acquire(st, true);
      bool forgot = false;
      int frc = w ? jobs_forget_file(w, l->f[i].id, &forgot) : -1;
      if (w) store_release(w);
      if (frc != 0) {
        snprintf(err, errlen, "cannot forget the file of import %lld", (long long)l->f[i].id);
        free(l);
        return -1;
      }
      if (!forgot) continue;
      if (unlink(l->f[i].path) != 0 && errno != ENOENT)
        log_warn("cannot remove the uploaded file %s: %s", l->f[i].path, strerror(errno));
      (*removed)++;
    }
    free(l);
    if (n < (int)(sizeof l->f / sizeof l->f[0])) return 0;
  }
}

int importer_error_report(store *st, int64_t job_id, bool mask_cccd, char **out, size_t *len, char *err,
                          size_t errlen) {
  import_job j = {0};
  smap lines = {0};
  char **reasons = NULL;
  size_t nreasons = 0;
  table *t = NULL;
  int ret = -1;
  buf b;
  buf_init(&b);
  store_conn *c = store_acquire(st, false);
  if (!c) {
    snprintf(err, errlen, "Cơ sở dữ liệu tạm thời không truy cập được.");
    goto out;
  }
  void *ctx[3] = {&lines, &reasons, &nreasons};
  int got = jobs_get(c, job_id, &j);
  int rc = got == 1 ? jobs_errors_each(c, job_id, collect_error, ctx) : -1;
  store_release(c);
  if (rc != 0) {
    snprintf(err, errlen, "Không đọc được danh sách lỗi.");
    goto out;
  }
  if (j.rejected == 0 && strcmp(j.status, "done") == 0) {
    /* Its file is gone with its last row (finish): there is nothing to report. */
    snprintf(err, errlen, "Lượt nhập này không có dòng nào bị từ chối.");
    goto out;
  }
  table_row row;
  buf_puts(&b, "\xEF\xBB\xBF"); /* BOM: Excel then reads the file as UTF-8 */
  if (!j.file_path[0]) {
    /* The uploaded file is gone with its retention period (importer_expire_files): the lines and
     * their reasons are still known, the rows' cells no longer. */
    buf_puts(&b, "Dòng,Lý do\r\n");
    void *rctx[2] = {&b, NULL};
    c = store_acquire(st, false);
    if (!c) {
      snprintf(err, errlen, "Cơ sở dữ liệu tạm thời không truy cập được.");
      goto out;
    }
    rc = jobs_errors_each(c, job_id, report_line, rctx);
    store_release(c);
    if (rc != 0 || b.oom) {
      snprintf(err, errlen, "Không đọc được danh sách lỗi.");
      goto out;
    }
    *out = buf_detach(&b, len);
    ret = 0;
    goto out;
  }
  t = open_with_header(j.file_path, &row, err, errlen);
  if (!t) goto out;
  size_t width = row.ncells;
  int cccd_col = -1;
  if (mask_cccd && report_cccd_column(&j, &row, &cccd_col) != 0) {
    snprintf(err, errlen, "Không đọc được cách ghép cột của lượt nhập này.");
    goto out;
  }
  csv_row(&b, row.cells, row.ncells, width, -1, "Dòng", "Lý do");
  while ((rc = table_next(t, &row, err, errlen)) == 1) {
    char k[24];
    int64_t idx;
    snprintf(k, sizeof k, "%ld", row.line);
    if (!smap_get(&lines, k, &idx)) continue;
    csv_row(&b, row.cells, row.ncells, width, cccd_col, k, reasons[idx]);
  }
  if (rc < 0 || b.oom) goto out;
  *out = buf_detach(&b, len);
  ret = 0;
out:
  buf_free(&b);
  if (t) table_close(t);
  for (size_t i = 0; i < nreasons; i++) free(reasons[i]);
  free(reasons);
  smap_free(&lines);
  import_job_clear(&j);
  return ret;
}

/* indlive.c: live counts of the indicators (indlive.h; docs/INDICATORS.md, "Live counts").
 * Owns: the drain (marked records classified again, their counts moved), the reader's sum of a
 * subtree plus what is still marked, and the full recount that checks them.
 * Never: holds the writer across chunks; counts a record by a rule of its own (ind_sql.h).
 */
#include "domain/indlive.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "domain/groups.h"
#include "domain/ind_sql.h"
#include "util/buf.h"
#include "util/clock.h"

/* ---- statements ---- */

STORE_SQL(q_cls_person,
          "SELECT " IND_PEOPLE_G_SQL ", " IND_PEOPLE_F_SQL ", p.household_id, p.birth_year, p.birth_month, p.birth_day,"
          " (SELECT MIN(cx_.confirmed_on) FROM external_confirmations cx_ WHERE cx_.person_id = p.id"
          " AND cx_.confirmed_on > rk_.k),"
          " (SELECT MIN(ce_.outcome_on) FROM class_enrolments ce_ WHERE ce_.person_id = p.id AND ce_.outcome = 'completed'"
          " AND ce_.outcome_on > rk_.k),"
          " (SELECT MIN(vx_.until_key) FROM vneid_past vx_ WHERE vx_.person_id = p.id AND vx_.until_key > rk_.k)"
          " FROM people p CROSS JOIN " IND_RK_SQL " WHERE p.id = ? AND p.deleted_at IS NULL");
STORE_SQL(q_person_units,
          "SELECT u.id, u.path FROM units u WHERE u.id IN (SELECT unit_id FROM people WHERE id = ?"
          " UNION SELECT unit_id FROM memberships WHERE person_id = ?) ORDER BY u.path");
STORE_SQL(q_cls_household,
          "SELECT h.unit_id, " IND_HOUSEHOLD_F_SQL ", (SELECT MIN(vx_.visited_on) FROM field_visits vx_"
          " WHERE vx_.household_id = h.id AND vx_.visited_on > rk_.k), hu_.path,"
          " (SELECT MIN(cx_.confirmed_on) FROM people mx_ JOIN external_confirmations cx_ ON cx_.person_id = mx_.id"
          " WHERE mx_.household_id = h.id AND mx_.deleted_at IS NULL AND cx_.confirmed_on > rk_.k)"
          " FROM households h JOIN units hu_ ON hu_.id = h.unit_id CROSS JOIN " IND_RK_SQL
          " WHERE h.id = ? AND " IND_HOUSEHOLD_COUNTED_SQL);
STORE_SQL(q_old_person, "SELECT g, f, household_id, units FROM ind_person WHERE person_id = ?");
STORE_SQL(q_put_person,
          "INSERT INTO ind_person (person_id, g, f, household_id, units, until_key) VALUES (?, ?, ?, ?, ?, ?)"
          " ON CONFLICT (person_id) DO UPDATE SET g = excluded.g, f = excluded.f, household_id = excluded.household_id,"
          " units = excluded.units, until_key = excluded.until_key");
STORE_SQL(q_del_person, "DELETE FROM ind_person WHERE person_id = ?");
STORE_SQL(q_old_household, "SELECT unit_id, f, units FROM ind_household WHERE household_id = ?");
STORE_SQL(q_put_household,
          "INSERT INTO ind_household (household_id, unit_id, f, units, until_key) VALUES (?, ?, ?, ?, ?)"
          " ON CONFLICT (household_id) DO UPDATE SET unit_id = excluded.unit_id, f = excluded.f,"
          " units = excluded.units, until_key = excluded.until_key");
STORE_SQL(q_del_household, "DELETE FROM ind_household WHERE household_id = ?");
/* Drains take this row first: one at a time, whichever app server runs them. */
STORE_SQL(q_lock, "UPDATE ind_live_state SET drained_at = ? WHERE id = 1");
STORE_SQL(q_built, "SELECT built FROM ind_live_state WHERE id = 1");
/* A reader's first question, in one round trip: are the counts whole, and is anything marked or
 * due today? (Most of the time: yes, and no.) The earliest day due is read from the until_key
 * indexes' first entry: PostgreSQL's generic plan of `EXISTS (… WHERE until_key <= $1)` scanned
 * the whole table (a million people: 200 ms a request) when nothing was due. */
STORE_SQL(q_state,
          "SELECT built, CASE WHEN EXISTS (SELECT 1 FROM ind_dirty) OR EXISTS (SELECT 1 FROM ind_dirty_hh)"
          " OR (SELECT until_key FROM ind_person WHERE until_key IS NOT NULL ORDER BY until_key LIMIT 1) <= ?"
          " OR (SELECT until_key FROM ind_household WHERE until_key IS NOT NULL ORDER BY until_key LIMIT 1) <= ?"
          " THEN 1 ELSE 0 END FROM ind_live_state WHERE id = 1");
STORE_SQL(q_count_marked, "SELECT (SELECT COUNT(*) FROM ind_dirty) + (SELECT COUNT(*) FROM ind_dirty_hh)");
STORE_SQL(q_set_built, "UPDATE ind_live_state SET built = 1 WHERE id = 1 AND built = 0");
STORE_SQL(q_mark_due_people,
          "INSERT INTO ind_dirty (person_id) SELECT person_id FROM ind_person WHERE until_key <= ?"
          " ON CONFLICT DO NOTHING");
STORE_SQL(q_mark_due_households,
          "INSERT INTO ind_dirty_hh (household_id) SELECT household_id FROM ind_household WHERE until_key <= ?"
          " ON CONFLICT DO NOTHING");
/* PostgreSQL: a mark that a write in progress holds (its trigger locked it) is left for a later
 * drain, never waited for: no drain waits on a write, so none can deadlock with one. SQLite has
 * one writer. */
STORE_SQL2(q_dirty_people, "SELECT person_id FROM ind_dirty ORDER BY person_id LIMIT ?",
           "SELECT person_id FROM ind_dirty ORDER BY person_id LIMIT ? FOR UPDATE SKIP LOCKED");
STORE_SQL2(q_dirty_households, "SELECT household_id FROM ind_dirty_hh ORDER BY household_id LIMIT ?",
           "SELECT household_id FROM ind_dirty_hh ORDER BY household_id LIMIT ? FOR UPDATE SKIP LOCKED");
STORE_SQL(q_unmark_person, "DELETE FROM ind_dirty WHERE person_id = ?");
/* indlive_mark: the triggers' INSERT … ON CONFLICT DO NOTHING, for a JSON array of ids */
STORE_SQL2(q_mark_people,
           "INSERT INTO ind_dirty (person_id) SELECT value FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
           "INSERT INTO ind_dirty (person_id) SELECT CAST(json_array_elements_text(CAST(? AS json)) AS BIGINT)"
           " ON CONFLICT DO NOTHING");
STORE_SQL2(q_mark_households,
           "INSERT INTO ind_dirty_hh (household_id) SELECT value FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
           "INSERT INTO ind_dirty_hh (household_id) SELECT CAST(json_array_elements_text(CAST(? AS json)) AS BIGINT)"
           " ON CONFLICT DO NOTHING");
/* A household reached through a person may be marked by a write in progress: its mark is then
 * left (and the household classified again by a later drain). */
STORE_SQL2(q_unmark_household, "DELETE FROM ind_dirty_hh WHERE household_id = ?",
           "DELETE FROM ind_dirty_hh WHERE household_id IN (SELECT household_id FROM ind_dirty_hh"
           " WHERE household_id = ? FOR UPDATE SKIP LOCKED)");
STORE_SQL(q_live_add,
          "INSERT INTO ind_live (base, unit_id, g, f, n) VALUES (?, ?, ?, ?, ?)"
          " ON CONFLICT (base, unit_id, g, f) DO UPDATE SET n = ind_live.n + excluded.n");
STORE_SQL(q_live_zero, "DELETE FROM ind_live WHERE base = ? AND unit_id = ? AND g = ? AND f = ? AND n = 0");
/* A unit's counts are its whole subtree's: one key range, whatever the level. */
STORE_SQL(q_live_unit, "SELECT g, f, n FROM ind_live WHERE base = ? AND unit_id = ?");
/* The counts of the units directly below one (their parent's children, by the parent index). */
STORE_SQL(q_live_below,
          "SELECT l.unit_id, l.g, l.f, l.n FROM units u CROSS JOIN ind_live l"
          " WHERE u.parent_id = ? AND l.base = ? AND l.unit_id = u.id");
STORE_SQL(q_pending_people,
          "SELECT person_id FROM ind_dirty UNION SELECT person_id FROM ind_person WHERE until_key <= ? LIMIT ?");
STORE_SQL(q_pending_households,
          "SELECT household_id FROM ind_dirty_hh UNION SELECT household_id FROM ind_household WHERE until_key <= ?"
          " LIMIT ?");
/* the recount */
STORE_SQL(q_all_units, "SELECT id, path, name FROM units ORDER BY id");
STORE_SQL(q_all_live, "SELECT base, unit_id, g, f, n FROM ind_live");
/* Everyone in id order, streamed: SQLite reads the table in its own order (NOT INDEXED: through
 * people_name's `deleted_at` it sorted a million rows before the first came out, so a recount
 * could not be stopped and took a temporary B-tree the size of the city). */
STORE_SQL2(q_all_people,
           "SELECT p.id, " IND_PEOPLE_G_SQL ", " IND_PEOPLE_F_SQL " FROM people p NOT INDEXED CROSS JOIN " IND_RK_SQL
           " WHERE p.deleted_at IS NULL ORDER BY p.id",
           "SELECT p.id, " IND_PEOPLE_G_SQL ", " IND_PEOPLE_F_SQL " FROM people p CROSS JOIN " IND_RK_SQL
           " WHERE p.deleted_at IS NULL ORDER BY p.id");
STORE_SQL2(q_all_anchors,
           "SELECT id, unit_id FROM people NOT INDEXED WHERE deleted_at IS NULL UNION SELECT m.person_id, m.unit_id"
           " FROM memberships m JOIN people p NOT INDEXED ON p.id = m.person_id WHERE p.deleted_at IS NULL ORDER BY 1",
           "SELECT id, unit_id FROM people WHERE deleted_at IS NULL UNION SELECT m.person_id, m.unit_id FROM memberships m"
           " JOIN people p ON p.id = m.person_id WHERE p.deleted_at IS NULL ORDER BY 1");
STORE_SQL(q_all_households,
          "SELECT h.unit_id, " IND_HOUSEHOLD_F_SQL " FROM households h CROSS JOIN " IND_RK_SQL
          " WHERE " IND_HOUSEHOLD_COUNTED_SQL);

/* ---- records and their contributions ---- */

/* A change of the counts: n records of (g, f) at one unit of one base. */
typedef struct delta {
  int base;
  int64_t unit;
  uint32_t g, f;
  int64_t n;
} delta;
typedef struct deltas {
  delta *v;
  size_t n, cap;
  bool oom;
} deltas;

/* Room for one more element in a growing array (*v of *cap elements of `size`, n used): false when
 * memory ran out (the array is left as it was). */
static bool grow(void **v, size_t *cap, size_t n, size_t size) {
  if (n < *cap) return true;
  size_t ncap = *cap ? *cap * 2 : 256;
  void *nv = realloc(*v, ncap * size);
  if (!nv) return false;
  *v = nv;
  *cap = ncap;
  return true;
}

static void deltas_add(deltas *d, int base, int64_t unit, uint32_t g, uint32_t f, int64_t n) {
  if (!n || d->oom) return;
  if (!grow((void **)&d->v, &d->cap, d->n, sizeof *d->v)) {
    d->oom = true;
    return;
  }
  d->v[d->n++] = (delta){base, unit, g, f, n};
}

static int delta_cmp(const void *a, const void *b) {
  const delta *x = a, *y = b;
  if (x->base != y->base) return x->base < y->base ? -1 : 1;
  if (x->unit != y->unit) return x->unit < y->unit ? -1 : 1;
  if (x->g != y->g) return x->g < y->g ? -1 : 1;
  if (x->f != y->f) return x->f < y->f ? -1 : 1;
  return 0;
}

/* Sorted, the same cells summed, the zeros left out: the order the drain writes in. */
static void deltas_merge(deltas *d) {
  if (!d->n) return;
  qsort(d->v, d->n, sizeof *d->v, delta_cmp);
  size_t w = 0;
  for (size_t i = 0; i < d->n; i++) {
    if (w && delta_cmp(&d->v[w - 1], &d->v[i]) == 0) d->v[w - 1].n += d->v[i].n;
    else d->v[w++] = d->v[i];
    if (w && i + 1 < d->n && delta_cmp(&d->v[w - 1], &d->v[i + 1]) == 0) continue;
    if (w && d->v[w - 1].n == 0) w--;
  }
  d->n = w;
}

/* Where a record adds to the counts: every unit at or above one of its units, once: "id:1 id:1".
 * (Stored with the record, so that taking it back later uses the units it was added to, even when
 * a unit has moved since.) */
typedef struct contrib {
  int64_t unit;
  int64_t n;
} contrib;
/* A record's units, as many as it has (a staff member of hundreds of organisations is counted, not
 * refused: a drain that failed on one record would stop every count). */
typedef struct contribs {
  contrib *v;
  int n, cap;
} contribs;

static int contribs_add(contribs *c, int64_t unit, int64_t n) {
  if (c->n == c->cap) {
    int cap = c->cap ? c->cap * 2 : 16;
    contrib *v = realloc(c->v, (size_t)cap * sizeof *v);
    if (!v) return -1;
    c->v = v;
    c->cap = cap;
  }
  c->v[c->n++] = (contrib){unit, n};
  return 0;
}

/* The ids along a path "/1/5/23/", at most max; how many. */
static int path_ids(const char *path, int64_t *ids, int max) {
  int n = 0;
  const char *p = path;
  while (p && *p) {
    if (*p == '/') {
      p++;
      continue;
    }
    char *end = NULL;
    long long v = strtoll(p, &end, 10);
    if (end == p) break;
    if (n < max) ids[n++] = (int64_t)v;
    p = end;
  }
  return n;
}

/* Adds the units along `path` (each once); -1 out of memory. */
static int contrib_path(contribs *c, const char *path) {
  int64_t ids[64];
  int k = path_ids(path, ids, 64);
  for (int j = 0; j < k; j++) {
    bool seen = false;
    for (int i = 0; i < c->n && !seen; i++) seen = c->v[i].unit == ids[j];
    if (!seen && contribs_add(c, ids[j], 1) != 0) return -1;
  }
  return 0;
}

/* The units stored with a record ("12:1 40:1"); -1 out of memory. */
static int parse_units(const char *text, contribs *c) {
  const char *p = text ? text : "";
  while (*p) {
    char *end = NULL;
    long long u = strtoll(p, &end, 10);
    if (end == p || *end != ':') break;
    p = end + 1;
    long long k = strtoll(p, &end, 10);
    if (end == p) break;
    if (contribs_add(c, (int64_t)u, (int64_t)k) != 0) return -1;
    p = end;
    while (*p == ' ') p++;
  }
  return 0;
}

/* A person's classification: counted or not; groups, facts, household, when it may change. */
typedef struct prec {
  bool counted;
  uint32_t g, f;
  int64_t household;
  int64_t until; /* 0: never by itself */
  contribs units;
} prec;

/* Emptied for the next record, its units' memory kept (a prec starts as {0}; prec_free at the end). */
static void prec_reset(prec *r) {
  contribs keep = r->units;
  memset(r, 0, sizeof *r);
  r->units = keep;
  r->units.n = 0;
}

static void prec_free(prec *r) {
  free(r->units.v);
  memset(r, 0, sizeof *r);
}

static int64_t min_after(int64_t a, int64_t b) { return !a ? b : !b ? a : a < b ? a : b; }

static int64_t day_end(int64_t key) {
  char iso[16];
  ind_key_iso(key, iso);
  int64_t t = 0;
  if (!clock_parse_iso(iso, &t)) return 0;
  return t + 86400 - 7 * 3600;
}

static int classify_person(store_conn *c, int64_t id, int64_t today, prec *r) {
  prec_reset(r);
  store_stmt *s = store_prepare(c, &q_cls_person);
  if (!s) return -1;
  store_bind_int(s, 1, today);
  store_bind_int(s, 2, day_end(today));
  store_bind_int(s, 3, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    r->counted = true;
    r->g = (uint32_t)store_col_int(s, 0);
    r->f = (uint32_t)store_col_int(s, 1);
    r->household = store_col_is_null(s, 2) ? 0 : store_col_int(s, 2);
    if (r->household && !store_col_is_null(s, 3)) {
      /* the next birthday that changes a group (groups.h: age n from birth key + n*10000) */
      int64_t bk = store_col_int(s, 3) * 10000 + (store_col_is_null(s, 4) ? 1 : store_col_int(s, 4)) * 100 +
                   (store_col_is_null(s, 5) ? 1 : store_col_int(s, 5));
      if (bk + 180000 > today) r->until = bk + 180000;
      else if (bk + 600000 > today) r->until = bk + 600000;
    }
    if (!store_col_is_null(s, 6)) r->until = min_after(r->until, store_col_int(s, 6));
    if (!store_col_is_null(s, 7)) r->until = min_after(r->until, store_col_int(s, 7));
    if (!store_col_is_null(s, 8)) r->until = min_after(r->until, store_col_int(s, 8));
  }
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) return -1;
  if (!r->counted) return 0;
  s = store_prepare(c, &q_person_units);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  store_bind_int(s, 2, id);
  while ((rc = store_step(s)) == STORE_ROW)
    if (contrib_path(&r->units, store_col_text(s, 1)) != 0) {
      rc = STORE_ERROR;
      break;
    }
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

/* The stored classification of a person (counted: a row). */
static int old_person(store_conn *c, int64_t id, prec *r) {
  prec_reset(r);
  store_stmt *s = store_prepare(c, &q_old_person);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    r->counted = true;
    r->g = (uint32_t)store_col_int(s, 0);
    r->f = (uint32_t)store_col_int(s, 1);
    r->household = store_col_is_null(s, 2) ? 0 : store_col_int(s, 2);
    if (parse_units(store_col_text(s, 3), &r->units) != 0) rc = STORE_ERROR;
  }
  store_reset(s);
  return rc == STORE_ROW || rc == STORE_DONE ? 0 : -1;
}

static void person_deltas(deltas *d, const prec *old, const prec *now) {
  for (int i = 0; old->counted && i < old->units.n; i++)
    deltas_add(d, IND_PEOPLE, old->units.v[i].unit, old->g, old->f, -old->units.v[i].n);
  for (int i = 0; now->counted && i < now->units.n; i++)
    deltas_add(d, IND_PEOPLE, now->units.v[i].unit, now->g, now->f, now->units.v[i].n);
}

typedef struct hrec {
  bool counted;
  int64_t unit;
  uint32_t f;
  int64_t until;
  contrib units[64]; /* its unit and those above */
  int nunits;
} hrec;

static int classify_household(store_conn *c, int64_t id, int64_t today, hrec *r) {
  memset(r, 0, sizeof *r);
  store_stmt *s = store_prepare(c, &q_cls_household);
  if (!s) return -1;
  store_bind_int(s, 1, today);
  store_bind_int(s, 2, day_end(today));
  store_bind_int(s, 3, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    r->counted = true;
    r->unit = store_col_int(s, 0);
    r->f = (uint32_t)store_col_int(s, 1);
    r->until = store_col_is_null(s, 2) ? 0 : store_col_int(s, 2);
    if (!store_col_is_null(s, 4)) r->until = min_after(r->until, store_col_int(s, 4));
    int64_t ids[64];
    int k = path_ids(store_col_text(s, 3), ids, 64);
    for (int i = 0; i < k; i++) r->units[r->nunits++] = (contrib){ids[i], 1};
  }
  store_reset(s);
  return rc == STORE_ROW || rc == STORE_DONE ? 0 : -1;
}

static int old_household(store_conn *c, int64_t id, hrec *r) {
  memset(r, 0, sizeof *r);
  store_stmt *s = store_prepare(c, &q_old_household);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    r->counted = true;
    r->unit = store_col_int(s, 0);
    r->f = (uint32_t)store_col_int(s, 1);
    contribs tmp = {0};
    if (parse_units(store_col_text(s, 2), &tmp) != 0) rc = STORE_ERROR;
    for (int i = 0; i < tmp.n && i < 64; i++) r->units[r->nunits++] = tmp.v[i];
    free(tmp.v);
  }
  store_reset(s);
  return rc == STORE_ROW || rc == STORE_DONE ? 0 : -1;
}

static void household_deltas(deltas *d, const hrec *old, const hrec *now) {
  for (int i = 0; old->counted && i < old->nunits; i++)
    deltas_add(d, IND_HOUSEHOLDS, old->units[i].unit, 0, old->f, -old->units[i].n);
  for (int i = 0; now->counted && i < now->nunits; i++)
    deltas_add(d, IND_HOUSEHOLDS, now->units[i].unit, 0, now->f, now->units[i].n);
}

/* ---- id lists ---- */

typedef struct ids {
  int64_t *v;
  size_t n, cap;
  bool oom;
} ids;

static void ids_add(ids *l, int64_t id) {
  if (!id || l->oom) return;
  if (!grow((void **)&l->v, &l->cap, l->n, sizeof *l->v)) {
    l->oom = true;
    return;
  }
  l->v[l->n++] = id;
}

static int id_cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static void ids_unique(ids *l) {
  if (!l->n) return;
  qsort(l->v, l->n, sizeof *l->v, id_cmp);
  size_t w = 1;
  for (size_t i = 1; i < l->n; i++)
    if (l->v[i] != l->v[w - 1]) l->v[w++] = l->v[i];
  l->n = w;
}

/* Up to `limit` ids of a one-column statement with parameters (today, limit) or (limit). */
static int ids_load(store_conn *c, const store_sql *q, int64_t today, bool with_today, int64_t limit, ids *out) {
  store_stmt *s = store_prepare(c, q);
  if (!s) return -1;
  int i = 1;
  if (with_today) store_bind_int(s, i++, today);
  store_bind_int(s, i, limit);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) ids_add(out, store_col_int(s, 0));
  store_reset(s);
  return rc == STORE_DONE && !out->oom ? 0 : -1;
}

/* ---- the drain ---- */

static int exec1(store_conn *c, const store_sql *q, int64_t a) {
  store_stmt *s = store_prepare(c, q);
  if (!s) return -1;
  store_bind_int(s, 1, a);
  int rc = store_step(s);
  int64_t n = rc == STORE_DONE ? store_changes(s) : -1;
  store_reset(s);
  return (int)(n < 0 ? -1 : n > 0);
}

static int write_deltas(store_conn *w, deltas *d) {
  deltas_merge(d);
  for (size_t i = 0; i < d->n; i++) {
    const delta *x = &d->v[i];
    store_stmt *s = store_prepare(w, &q_live_add);
    if (!s) return -1;
    store_bind_int(s, 1, x->base);
    store_bind_int(s, 2, x->unit);
    store_bind_int(s, 3, x->g);
    store_bind_int(s, 4, x->f);
    store_bind_int(s, 5, x->n);
    int rc = store_step(s);
    store_reset(s);
    if (rc != STORE_DONE) return -1;
    if (!(s = store_prepare(w, &q_live_zero))) return -1;
    store_bind_int(s, 1, x->base);
    store_bind_int(s, 2, x->unit);
    store_bind_int(s, 3, x->g);
    store_bind_int(s, 4, x->f);
    rc = store_step(s);
    store_reset(s);
    if (rc != STORE_DONE) return -1;
  }
  return 0;
}

static void units_text(buf *b, const contrib *c, int n) {
  for (int i = 0; i < n; i++) buf_printf(b, "%s%" PRId64 ":%" PRId64, i ? " " : "", c[i].unit, c[i].n);
}

static int put_person(store_conn *w, int64_t id, const prec *r) {
  store_stmt *s;
  if (!r->counted) return exec1(w, &q_del_person, id) < 0 ? -1 : 0;
  buf b;
  buf_init(&b);
  units_text(&b, r->units.v, r->units.n);
  int ret = -1;
  if (b.oom || !(s = store_prepare(w, &q_put_person))) goto done;
  store_bind_int(s, 1, id);
  store_bind_int(s, 2, r->g);
  store_bind_int(s, 3, r->f);
  if (r->household) store_bind_int(s, 4, r->household);
  else store_bind_null(s, 4);
  store_bind_text(s, 5, b.data);
  if (r->until) store_bind_int(s, 6, r->until);
  else store_bind_null(s, 6);
  ret = store_step(s) == STORE_DONE ? 0 : -1;
  store_reset(s);
done:
  buf_free(&b);
  return ret;
}

static int put_household(store_conn *w, int64_t id, const hrec *r) {
  if (!r->counted) return exec1(w, &q_del_household, id) < 0 ? -1 : 0;
  buf b;
  buf_init(&b);
  units_text(&b, r->units, r->nunits);
  store_stmt *s = b.oom ? NULL : store_prepare(w, &q_put_household);
  int rc = STORE_ERROR;
  if (s) {
    store_bind_int(s, 1, id);
    store_bind_int(s, 2, r->unit);
    store_bind_int(s, 3, r->f);
    store_bind_text(s, 4, b.data);
    if (r->until) store_bind_int(s, 5, r->until);
    else store_bind_null(s, 5);
    rc = store_step(s);
    store_reset(s);
  }
  buf_free(&b);
  return rc == STORE_DONE ? 0 : -1;
}

/* One chunk in one transaction: *n records classified (0: nothing was marked). */
static int drain_chunk(store_conn *w, int64_t today, bool first, int64_t *n) {
  *n = 0;
  ids people = {0}, households = {0}, from_people = {0};
  deltas d = {0};
  prec pold = {0}, pnow = {0};
  int ret = -1;
  if (exec1(w, &q_lock, clock_now()) < 0) goto done;
  if (first && (exec1(w, &q_mark_due_people, today) < 0 || exec1(w, &q_mark_due_households, today) < 0)) goto done;
  if (ids_load(w, &q_dirty_people, 0, false, INDLIVE_CHUNK, &people) != 0) goto done;
  for (size_t i = 0; i < people.n; i++) {
    int64_t id = people.v[i];
    int taken = exec1(w, &q_unmark_person, id);
    if (taken < 0) goto done;
    if (!taken) continue; /* another drain took it */
    if (old_person(w, id, &pold) != 0 || classify_person(w, id, today, &pnow) != 0) goto done;
    person_deltas(&d, &pold, &pnow);
    if (put_person(w, id, &pnow) != 0) goto done;
    ids_add(&from_people, pold.household);
    ids_add(&from_people, pnow.household);
    (*n)++;
  }
  int64_t room = INDLIVE_CHUNK - (int64_t)people.n;
  if (room > 0 && ids_load(w, &q_dirty_households, 0, false, room, &households) != 0) goto done;
  for (size_t i = 0; i < from_people.n; i++) ids_add(&households, from_people.v[i]);
  ids_unique(&households);
  for (size_t i = 0; i < households.n; i++) {
    int64_t id = households.v[i];
    if (exec1(w, &q_unmark_household, id) < 0) goto done;
    hrec old, now;
    if (old_household(w, id, &old) != 0 || classify_household(w, id, today, &now) != 0) goto done;
    household_deltas(&d, &old, &now);
    if (put_household(w, id, &now) != 0) goto done;
    (*n)++;
  }
  if (people.oom || households.oom || from_people.oom || d.oom) goto done;
  ret = write_deltas(w, &d);
done:
  prec_free(&pold);
  prec_free(&pnow);
  free(people.v);
  free(households.v);
  free(from_people.v);
  free(d.v);
  return ret;
}

static int live_built(store_conn *c) {
  store_stmt *s = store_prepare(c, &q_built);
  if (!s) return -1;
  int rc = store_step(s);
  int built = rc == STORE_ROW ? (int)store_col_int(s, 0) : -1;
  store_reset(s);
  return built;
}

int indlive_drain(store *st, int64_t today_key, atomic_bool *stop, int64_t *done, char *err, size_t errlen) {
  *done = 0;
  bool first = true;
  /* nothing marked, nothing due: the writer is not taken at all */
  store_conn *r = store_acquire(st, false);
  if (!r) {
    snprintf(err, errlen, "the database is not available");
    return -1;
  }
  int64_t pending = indlive_pending(r, today_key, 1);
  int built = live_built(r);
  store_release(r);
  if (pending < 0 || built < 0) {
    snprintf(err, errlen, "live counts: cannot read what is marked");
    return -1;
  }
  if (pending == 0 && built) return 0;
  for (; pending;) {
    if (stop && atomic_load(stop)) return 0;
    store_conn *w = store_acquire(st, true);
    if (!w) {
      snprintf(err, errlen, "the database is not available");
      return -1;
    }
    int64_t n = 0;
    int rc = store_begin(w) == STORE_OK ? drain_chunk(w, today_key, first, &n) : -1;
    if (rc == 0 && store_commit(w) != STORE_OK) rc = -1;
    if (rc != 0) {
      snprintf(err, errlen, "live counts: %s", store_errmsg(w));
      store_rollback(w);
    }
    store_release(w);
    if (rc != 0) return -1;
    first = false;
    *done += n;
    /* A chunk that was not full took everything marked when it began: what writes marked since
     * waits for the next call, in one chunk, instead of a chunk (and a commit, and the writer taken
     * from the requests' groups) for every few writes while they go on. */
    if (n < INDLIVE_CHUNK) break;
  }
  if (built) return 0;
  /* nothing left: the counts are whole (once true, it stays) */
  store_conn *w = store_acquire(st, true);
  if (!w) {
    snprintf(err, errlen, "the database is not available");
    return -1;
  }
  store_stmt *s = store_prepare(w, &q_set_built);
  int rc = s ? store_step(s) : STORE_ERROR;
  if (s) store_reset(s);
  store_release(w);
  if (rc != STORE_DONE) {
    snprintf(err, errlen, "live counts: cannot record that they are built");
    return -1;
  }
  return 0;
}

/* ---- readers ---- */

/* *built: the counts are whole; *any: something is marked or due on `today`. 0, or -1. */
static int live_state(store_conn *c, int64_t today, int *built, int *any) {
  store_stmt *s = store_prepare(c, &q_state);
  if (!s) return -1;
  store_bind_int(s, 1, today);
  store_bind_int(s, 2, today);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *built = (int)store_col_int(s, 0);
    *any = (int)store_col_int(s, 1);
  }
  store_reset(s);
  return rc == STORE_ROW ? 0 : -1;
}

/* The changes that the marked records (and those due today) would make, not written: 1 and the
 * deltas; 0 when more than `max` are marked (max < 0: no limit); -1 error. */
static int pending_deltas(store_conn *c, int64_t today, int64_t max, deltas *d) {
  ids people = {0}, households = {0};
  prec pold = {0}, pnow = {0};
  int ret = -1;
  int64_t limit = max < 0 ? INT64_MAX : max + 1;
  if (ids_load(c, &q_pending_people, today, true, limit, &people) != 0) goto done;
  if (max >= 0 && (int64_t)people.n > max) {
    ret = 0;
    goto done;
  }
  if (ids_load(c, &q_pending_households, today, true, limit, &households) != 0) goto done;
  if (max >= 0 && (int64_t)(people.n + households.n) > max) {
    ret = 0;
    goto done;
  }
  for (size_t i = 0; i < people.n; i++) {
    if (old_person(c, people.v[i], &pold) != 0 || classify_person(c, people.v[i], today, &pnow) != 0) goto done;
    person_deltas(d, &pold, &pnow);
    ids_add(&households, pold.household);
    ids_add(&households, pnow.household);
  }
  ids_unique(&households);
  for (size_t i = 0; i < households.n; i++) {
    hrec old, now;
    if (old_household(c, households.v[i], &old) != 0 || classify_household(c, households.v[i], today, &now) != 0)
      goto done;
    household_deltas(d, &old, &now);
  }
  ret = people.oom || households.oom || d->oom ? -1 : 1;
done:
  prec_free(&pold);
  prec_free(&pnow);
  free(people.v);
  free(households.v);
  return ret;
}

int64_t indlive_pending(store_conn *c, int64_t today_key, int64_t cap) {
  ids a = {0}, b = {0};
  int64_t n = -1;
  if (ids_load(c, &q_pending_people, today_key, true, cap, &a) == 0 &&
      ids_load(c, &q_pending_households, today_key, true, cap, &b) == 0)
    n = (int64_t)(a.n + b.n);
  free(a.v);
  free(b.v);
  return n;
}

static int cube_add(ind_cube *out, uint32_t g, uint32_t f, int64_t n) {
  for (int i = 0; i < out->ncells; i++)
    if (out->cells[i].g == g && out->cells[i].f == f) {
      out->cells[i].n += n;
      return 0;
    }
  if (out->ncells == out->cap) {
    int cap = out->cap ? out->cap * 2 : 64;
    ind_cell *v = realloc(out->cells, (size_t)cap * sizeof *v);
    if (!v) return -1;
    out->cells = v;
    out->cap = cap;
  }
  out->cells[out->ncells++] = (ind_cell){g, f, n};
  return 0;
}

int indlive_cube(store_conn *c, ind_base base, int64_t unit_id, int64_t today_key, ind_cube *out, app_err *e) {
  memset(out, 0, sizeof *out);
  if (base != IND_PEOPLE && base != IND_HOUSEHOLDS) return 0;
  deltas d = {0};
  int ret = -1;
  if (store_read_consistent(c) != STORE_OK) goto fail;
  int built = 0, any = 0;
  if (live_state(c, today_key, &built, &any) != 0) goto fail;
  if (!built) { /* the first drain has not ended: the records count */
    ret = 0;
    goto done;
  }
  int pr = any ? pending_deltas(c, today_key, INDLIVE_FOLD_MAX, &d) : 1;
  if (pr < 0) goto fail;
  if (pr == 0) { /* a large import under way: the counts as drained, and how much is to come */
    store_stmt *q = store_prepare(c, &q_count_marked);
    if (!q) goto fail;
    int qrc = store_step(q);
    out->pending = qrc == STORE_ROW ? store_col_int(q, 0) : -1;
    store_reset(q);
    if (out->pending < 0) goto fail;
  }
  store_stmt *s = store_prepare(c, &q_live_unit);
  if (!s) goto fail;
  store_bind_int(s, 1, base);
  store_bind_int(s, 2, unit_id);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    if (cube_add(out, (uint32_t)store_col_int(s, 0), (uint32_t)store_col_int(s, 1), store_col_int(s, 2)) != 0) {
      rc = STORE_ERROR;
      break;
    }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  /* what the drain has not reached yet: the records' old and new places, this unit among them */
  for (size_t i = 0; i < d.n; i++)
    if (d.v[i].base == (int)base && d.v[i].unit == unit_id && cube_add(out, d.v[i].g, d.v[i].f, d.v[i].n) != 0) goto fail;
  int w = 0;
  for (int i = 0; i < out->ncells; i++)
    if (out->cells[i].n) out->cells[w++] = out->cells[i];
  out->ncells = w;
  ret = 1;
  goto done;
fail:
  ind_cube_free(out);
  APP_INTERNAL(e);
done:
  free(d.v);
  return ret;
}

typedef struct id_at {
  int64_t id;
  int at;
} id_at;
static int id_at_cmp(const void *a, const void *b) {
  int64_t x = ((const id_at *)a)->id, y = ((const id_at *)b)->id;
  return x < y ? -1 : x > y;
}
static int id_at_find(const id_at *v, int n, int64_t id) {
  id_at key = {id, 0};
  const id_at *f = bsearch(&key, v, (size_t)n, sizeof *v, id_at_cmp);
  return f ? f->at : -1;
}

int indlive_cubes_below(store_conn *c, ind_base base, int64_t parent, const int64_t *unit_ids, int n, int64_t today_key,
                        ind_cube *out, app_err *e) {
  for (int i = 0; i < n; i++) memset(&out[i], 0, sizeof out[i]);
  if (n == 0) return 1;
  if (base != IND_PEOPLE && base != IND_HOUSEHOLDS) return 0;
  deltas d = {0};
  id_at *map = malloc((size_t)n * sizeof *map);
  int ret = -1, rc;
  if (!map || store_read_consistent(c) != STORE_OK) goto fail;
  for (int i = 0; i < n; i++) map[i] = (id_at){unit_ids[i], i};
  qsort(map, (size_t)n, sizeof *map, id_at_cmp);
  int built = 0, any = 0;
  if (live_state(c, today_key, &built, &any) != 0) goto fail;
  if (!built) {
    ret = 0;
    goto done;
  }
  int pr = any ? pending_deltas(c, today_key, INDLIVE_FOLD_MAX, &d) : 1;
  if (pr < 0) goto fail;
  int64_t pending = 0;
  if (pr == 0) {
    store_stmt *q = store_prepare(c, &q_count_marked);
    if (!q) goto fail;
    rc = store_step(q);
    pending = rc == STORE_ROW ? store_col_int(q, 0) : -1;
    store_reset(q);
    if (pending < 0) goto fail;
  }
  store_stmt *s = store_prepare(c, &q_live_below);
  if (!s) goto fail;
  store_bind_int(s, 1, parent);
  store_bind_int(s, 2, base);
  while ((rc = store_step(s)) == STORE_ROW) {
    int at = id_at_find(map, n, store_col_int(s, 0));
    if (at >= 0 &&
        cube_add(&out[at], (uint32_t)store_col_int(s, 1), (uint32_t)store_col_int(s, 2), store_col_int(s, 3)) != 0) {
      rc = STORE_ERROR;
      break;
    }
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  for (size_t k = 0; k < d.n; k++) {
    if (d.v[k].base != (int)base) continue;
    int at = id_at_find(map, n, d.v[k].unit);
    if (at >= 0 && cube_add(&out[at], d.v[k].g, d.v[k].f, d.v[k].n) != 0) goto fail;
  }
  for (int i = 0; i < n; i++) {
    int w = 0;
    for (int k = 0; k < out[i].ncells; k++)
      if (out[i].cells[k].n) out[i].cells[w++] = out[i].cells[k];
    out[i].ncells = w;
    out[i].live = true;
    out[i].pending = pending;
  }
  ret = 1;
  goto done;
fail:
  APP_INTERNAL(e);
done:
  if (ret != 1)
    for (int i = 0; i < n; i++) ind_cube_free(&out[i]);
  free(map);
  free(d.v);
  return ret;
}

/* ---- the full recount ---- */

typedef struct vunit {
  int64_t id;
  int64_t anc[64]; /* the unit itself and the units above it */
  int nanc;
  char *name;
  ind_cube expect[2], live[2]; /* [0] people, [1] households */
} vunit;

static int vunit_cmp(const void *a, const void *b) {
  const vunit *x = a, *y = b;
  return x->id < y->id ? -1 : x->id > y->id;
}

static vunit *vunit_find(vunit *u, size_t n, int64_t id) {
  vunit key = {.id = id};
  return bsearch(&key, u, n, sizeof *u, vunit_cmp);
}

/* Adds n of (g, f) to the unit `id` and every unit above it, in the expected cube `which`. */
static int add_up(vunit *u, size_t nu, int64_t id, int which, uint32_t g, uint32_t f, int64_t n) {
  vunit *x = vunit_find(u, nu, id);
  if (!x) return 0; /* a unit deleted since: nothing to add it to */
  for (int i = 0; i < x->nanc; i++) {
    vunit *a = vunit_find(u, nu, x->anc[i]);
    if (a && cube_add(&a->expect[which], g, f, n) != 0) return -1;
  }
  return 0;
}

/* Adds n of (g, f) to the live cube `which` of the unit `id` alone (a live count is its subtree's). */
static int add_at(vunit *u, size_t nu, int64_t id, int which, uint32_t g, uint32_t f, int64_t n) {
  vunit *x = vunit_find(u, nu, id);
  return !x || cube_add(&x->live[which], g, f, n) == 0 ? 0 : -1;
}

static int64_t cube_get(const ind_cube *c, uint32_t g, uint32_t f) {
  for (int i = 0; i < c->ncells; i++)
    if (c->cells[i].g == g && c->cells[i].f == f) return c->cells[i].n;
  return 0;
}

/* The expected cube of every unit, from the records: every person added once to each unit at or
 * above one of theirs (no signed counts: the definition itself). */
/* Every 4,096 rows a recount looks at *stop (NULL: never): a server stopping does not wait for it. */
#define RECOUNT_STOP_EVERY 4096
static bool stopping(atomic_bool *stop, size_t rows) {
  return stop && rows % RECOUNT_STOP_EVERY == 0 && atomic_load(stop);
}

static int recount_people(store_conn *c, int64_t today, atomic_bool *stop, vunit *u, size_t nu, int64_t *records) {
  int64_t *pid = NULL;
  uint32_t *pg = NULL, *pf = NULL;
  size_t n = 0, cap = 0;
  int ret = -1, rc;
  store_stmt *s = store_prepare(c, &q_all_people);
  if (!s) return -1;
  store_bind_int(s, 1, today);
  store_bind_int(s, 2, day_end(today));
  while ((rc = store_step(s)) == STORE_ROW) {
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 4096;
      int64_t *a = realloc(pid, nc * sizeof *a);
      if (a) pid = a;
      uint32_t *b = realloc(pg, nc * sizeof *b);
      if (b) pg = b;
      uint32_t *f = realloc(pf, nc * sizeof *f);
      if (f) pf = f;
      if (!a || !b || !f) {
        rc = STORE_ERROR;
        break;
      }
      cap = nc;
    }
    pid[n] = store_col_int(s, 0);
    pg[n] = (uint32_t)store_col_int(s, 1);
    pf[n] = (uint32_t)store_col_int(s, 2);
    n++;
    if (stopping(stop, n)) {
      rc = STORE_ERROR;
      break;
    }
  }
  store_reset(s);
  if (rc != STORE_DONE) goto done;
  *records += (int64_t)n;
  if (!(s = store_prepare(c, &q_all_anchors))) goto done;
  int64_t cur = 0;
  ids seen = {0}; /* the units the current person reaches, each once, however many */
  size_t at = 0;
  for (;;) {
    rc = store_step(s);
    int64_t person = rc == STORE_ROW ? store_col_int(s, 0) : 0, unit = rc == STORE_ROW ? store_col_int(s, 1) : 0;
    if (rc == STORE_ROW && person == cur) {
      vunit *x = vunit_find(u, nu, unit);
      for (int i = 0; x && i < x->nanc; i++) {
        bool dup = false;
        for (size_t k = 0; k < seen.n && !dup; k++) dup = seen.v[k] == x->anc[i];
        if (!dup) ids_add(&seen, x->anc[i]);
      }
      if (seen.oom) {
        rc = STORE_ERROR;
        break;
      }
      continue;
    }
    /* the person before is complete: each unit reached once */
    if (cur) {
      while (at < n && pid[at] < cur) at++;
      if (at < n && pid[at] == cur)
        for (size_t k = 0; k < seen.n; k++) {
          vunit *a = vunit_find(u, nu, seen.v[k]);
          if (a && cube_add(&a->expect[0], pg[at], pf[at], 1) != 0) {
            rc = STORE_ERROR;
            break;
          }
        }
    }
    if (rc != STORE_ROW) break;
    cur = person;
    seen.n = 0;
    vunit *x = vunit_find(u, nu, unit);
    for (int i = 0; x && i < x->nanc; i++) ids_add(&seen, x->anc[i]);
    if (seen.oom) {
      rc = STORE_ERROR;
      break;
    }
  }
  store_reset(s);
  ret = rc == STORE_DONE ? 0 : -1;
  free(seen.v);
done:
  free(pid);
  free(pg);
  free(pf);
  return ret;
}

static int recount_households(store_conn *c, int64_t today, atomic_bool *stop, vunit *u, size_t nu,
                              int64_t *records) {
  store_stmt *s = store_prepare(c, &q_all_households);
  if (!s) return -1;
  store_bind_int(s, 1, today);
  store_bind_int(s, 2, day_end(today));
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    (*records)++;
    if (stopping(stop, (size_t)*records) ||
        add_up(u, nu, store_col_int(s, 0), 1, 0, (uint32_t)store_col_int(s, 1), 1) != 0) {
      rc = STORE_ERROR;
      break;
    }
  }
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

/* The live cube of every unit: the counts kept, plus what is still marked. */
static int live_all(store_conn *c, int64_t today, vunit *u, size_t nu) {
  store_stmt *s = store_prepare(c, &q_all_live);
  if (!s) return -1;
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    int base = (int)store_col_int(s, 0);
    if ((base == IND_PEOPLE || base == IND_HOUSEHOLDS) &&
        add_at(u, nu, store_col_int(s, 1), base == IND_PEOPLE ? 0 : 1, (uint32_t)store_col_int(s, 2),
               (uint32_t)store_col_int(s, 3), store_col_int(s, 4)) != 0) {
      rc = STORE_ERROR;
      break;
    }
  }
  store_reset(s);
  if (rc != STORE_DONE) return -1;
  deltas d = {0};
  int ret = pending_deltas(c, today, -1, &d) == 1 ? 0 : -1;
  for (size_t i = 0; ret == 0 && i < d.n; i++)
    if (add_at(u, nu, d.v[i].unit, d.v[i].base == IND_PEOPLE ? 0 : 1, d.v[i].g, d.v[i].f, d.v[i].n) != 0) ret = -1;
  free(d.v);
  return ret;
}

static int64_t compare_cubes(FILE *out, const vunit *x, int which) {
  static const char *const base_name[2] = {"people", "households"};
  int64_t diffs = 0;
  const ind_cube *a = &x->expect[which], *b = &x->live[which];
  for (int pass = 0; pass < 2; pass++) {
    const ind_cube *from = pass ? b : a;
    for (int i = 0; i < from->ncells; i++) {
      const ind_cell *cell = &from->cells[i];
      if (pass && cube_get(a, cell->g, cell->f) != 0) continue; /* compared in the first pass */
      int64_t want = cube_get(a, cell->g, cell->f), have = cube_get(b, cell->g, cell->f);
      if (want == have) continue;
      diffs++;
      if (out)
        fprintf(out, "unit %" PRId64 " (%s), %s with groups %u and facts %u: recount %" PRId64 ", live %" PRId64 "\n",
                x->id, x->name ? x->name : "", base_name[which], cell->g, cell->f, want, have);
    }
  }
  return diffs;
}

/* Every unit (id order), with the units above it. 0, or -1. */
static int units_load(store_conn *c, vunit **out, size_t *count) {
  vunit *u = NULL;
  size_t nu = 0, cap = 0;
  int rc;
  store_stmt *s = store_prepare(c, &q_all_units);
  if (!s) return -1;
  while ((rc = store_step(s)) == STORE_ROW) {
    if (!grow((void **)&u, &cap, nu, sizeof *u)) {
      rc = STORE_ERROR;
      break;
    }
    vunit *x = &u[nu++];
    memset(x, 0, sizeof *x);
    x->id = store_col_int(s, 0);
    x->nanc = path_ids(store_col_text(s, 1), x->anc, 64);
    const char *name = store_col_text(s, 2);
    x->name = name ? strdup(name) : NULL;
  }
  store_reset(s);
  qsort(u, nu, sizeof *u, vunit_cmp);
  *out = u;
  *count = nu;
  return rc == STORE_DONE ? 0 : -1;
}

static void units_free(vunit *u, size_t nu) {
  for (size_t i = 0; i < nu; i++) {
    free(u[i].name);
    for (int k = 0; k < 2; k++) {
      ind_cube_free(&u[i].expect[k]);
      ind_cube_free(&u[i].live[k]);
    }
  }
  free(u);
}

int indlive_verify(store *st, int64_t today_key, FILE *out, int64_t *units, int64_t *records, int64_t *diffs,
                   char *err, size_t errlen) {
  *units = *records = *diffs = 0;
  store_conn *c = store_acquire(st, false);
  if (!c) {
    snprintf(err, errlen, "the database is not available");
    return -1;
  }
  vunit *u = NULL;
  size_t nu = 0;
  int ret = -1;
  if (store_read_consistent(c) != STORE_OK || units_load(c, &u, &nu) != 0) goto done;
  if (recount_people(c, today_key, NULL, u, nu, records) != 0 ||
      recount_households(c, today_key, NULL, u, nu, records) != 0 ||
      live_all(c, today_key, u, nu) != 0)
    goto done;
  for (size_t i = 0; i < nu; i++) *diffs += compare_cubes(out, &u[i], 0) + compare_cubes(out, &u[i], 1);
  *units = (int64_t)nu;
  ret = 0;
done:
  if (ret != 0) snprintf(err, errlen, "live counts: %s", store_errmsg(c));
  units_free(u, nu);
  store_release(c);
  return ret;
}

struct indlive_recounted {
  vunit *u;
  size_t n;
};

indlive_recounted *indlive_recount(store_conn *c, int64_t key, atomic_bool *stop) {
  indlive_recounted *r = calloc(1, sizeof *r);
  int64_t records = 0;
  if (!r) return NULL;
  if (units_load(c, &r->u, &r->n) != 0 || recount_people(c, key, stop, r->u, r->n, &records) != 0 ||
      recount_households(c, key, stop, r->u, r->n, &records) != 0) {
    indlive_recounted_free(r);
    return NULL;
  }
  return r;
}

const ind_cube *indlive_recounted_cube(const indlive_recounted *r, int64_t unit_id, ind_base base) {
  if (!r || (base != IND_PEOPLE && base != IND_HOUSEHOLDS)) return NULL;
  const vunit *x = vunit_find(r->u, r->n, unit_id);
  return x ? &x->expect[base == IND_PEOPLE ? 0 : 1] : NULL;
}

void indlive_recounted_free(indlive_recounted *r) {
  if (!r) return;
  units_free(r->u, r->n);
  free(r);
}

static int mark_set(store_conn *w, const store_sql *q, const char *ids_json) {
  if (!ids_json || strcmp(ids_json, "[]") == 0) return 0;
  store_stmt *s = store_prepare(w, q);
  if (!s) return -1;
  store_bind_text(s, 1, ids_json);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

int indlive_mark(store_conn *w, const char *person_ids_json, const char *household_ids_json) {
  return mark_set(w, &q_mark_people, person_ids_json) == 0 && mark_set(w, &q_mark_households, household_ids_json) == 0
             ? 0
             : -1;
}

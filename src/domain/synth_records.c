/* synth_records.c: deterministic synthetic learning and field records (see synth_records.h).
 * Owns: its plan of who is reached and what each bundle holds; the bulk row shapes of the tables it
 * fills (external_confirmations, class_enrolments, quiz_attempts, attempt_competence, field_visits
 * and their topics, people and outcomes; certificates through certs.h's signer).
 * Never: writes outside a chunk's short transaction, signs or reads while holding the writer, or
 * draws from anything but the seed and the ids. */
#include "domain/synth_records.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "domain/certs.h"
#include "domain/classes.h"
#include "domain/field.h"
#include "domain/users.h"
#include "domain/vneid.h"
#include "util/arena.h"
#include "util/clock.h"

STORE_SQL(q_marker, "SELECT COUNT(*) FROM classes WHERE title = ?");
/* The living residents with their household's unit, and the records they hold already that a new
 * one would repeat (1 a VNeID confirmation, 2 the national platform's, 4 a course elsewhere, 8 a
 * certificate), and 16: a trader of a market (groups.h). */
STORE_SQL(q_people, "SELECT p.id, h.unit_id, p.household_id, COALESCE(p.birth_year, 0), p.vneid_level,"
                    " (CASE WHEN EXISTS (SELECT 1 FROM external_confirmations x WHERE x.person_id = p.id AND x.kind = 'vneid')"
                    " THEN 1 ELSE 0 END) + (CASE WHEN EXISTS (SELECT 1 FROM external_confirmations x WHERE x.person_id = p.id"
                    " AND x.kind = 'national_platform') THEN 2 ELSE 0 END) + (CASE WHEN EXISTS (SELECT 1 FROM"
                    " external_confirmations x WHERE x.person_id = p.id AND x.kind = 'course_elsewhere') THEN 4 ELSE 0 END)"
                    " + (CASE WHEN EXISTS (SELECT 1 FROM certificates c WHERE c.person_id = p.id) THEN 8 ELSE 0 END)"
                    " + (CASE WHEN EXISTS (SELECT 1 FROM memberships m JOIN units mu ON mu.id = m.unit_id"
                    " WHERE m.person_id = p.id AND m.kind = 'trader' AND mu.kind = 'market') THEN 16 ELSE 0 END)"
                    " FROM people p JOIN households h ON h.id = p.household_id"
                    " WHERE p.deleted_at IS NULL AND h.deleted_at IS NULL ORDER BY p.id");
STORE_SQL(q_name, "SELECT full_name FROM people WHERE id = ?");
STORE_SQL(q_placement, "SELECT id, COALESCE(category, '') FROM quizzes WHERE purpose = 'placement' AND retired_at IS NULL"
                       " ORDER BY id LIMIT 1");
STORE_SQL(q_modules, "SELECT id, category, pass_percent FROM quizzes WHERE purpose = 'practice' AND retired_at IS NULL"
                     " AND category IS NOT NULL ORDER BY category, id");
STORE_SQL(q_comps_of, "SELECT DISTINCT competency_id FROM questions WHERE category = ? OR category LIKE ? ORDER BY 1");
STORE_SQL(q_topics, "SELECT id FROM field_topics ORDER BY position, id");
STORE_SQL2(q_reserve_attempts,
           "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)"
           " SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'quiz_attempts'), 0),"
           " COALESCE((SELECT MAX(id) FROM quiz_attempts), 0)) + i FROM s",
           "SELECT nextval(pg_get_serial_sequence('quiz_attempts', 'id')) FROM generate_series(1, ?)");
STORE_SQL2(q_reserve_visits,
           "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)"
           " SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'field_visits'), 0),"
           " COALESCE((SELECT MAX(id) FROM field_visits), 0)) + i FROM s",
           "SELECT nextval(pg_get_serial_sequence('field_visits', 'id')) FROM generate_series(1, ?)");
STORE_SQL2(q_raise_vneid,
           /* the JSON is the outer loop (CROSS JOIN): else SQLite walks every living person by deleted_at */
           "UPDATE people SET vneid_level = 2, updated_at = ? WHERE id IN (SELECT p.id FROM json_each(?) j"
           " CROSS JOIN people p WHERE p.id = j.value AND p.vneid_level < 2 AND p.deleted_at IS NULL)",
           "UPDATE people SET vneid_level = 2, updated_at = ? WHERE id = ANY (ARRAY(SELECT"
           " CAST(json_array_elements_text(CAST(? AS json)) AS BIGINT))) AND vneid_level < 2 AND deleted_at IS NULL");

#define COLS_ATTEMPT 13
STORE_BULK(bulk_attempts, "quiz_attempts",
           "id, quiz_id, user_id, person_id, started_at, deadline_at, submitted_at, score_tenths, passed, items, answers,"
           " results, assisted_by",
           COLS_ATTEMPT);
#define COLS_MEASURE 8
STORE_BULK(bulk_measures, "attempt_competence",
           "attempt_id, competency_id, learner_person, learner_user, placement, submitted_at, score_tenths, questions",
           COLS_MEASURE);
#define COLS_CONF 8
STORE_BULK(bulk_confs, "external_confirmations",
           "person_id, kind, source, reference, confirmed_on, recorded_by, via_import, created_at", COLS_CONF);
#define COLS_ENROL 7
STORE_BULK(bulk_enrols, "class_enrolments", "class_id, person_id, outcome, outcome_on, outcome_by, enrolled_by, created_at",
           COLS_ENROL);
#define COLS_VISIT 7
STORE_BULK(bulk_visits, "field_visits", "id, household_id, unit_id, visited_on, note, created_by, created_at", COLS_VISIT);
STORE_BULK(bulk_vtopics, "field_visit_topics", "visit_id, topic_id", 2);
STORE_BULK(bulk_vpeople, "field_visit_people", "visit_id, person_id", 2);
STORE_BULK(bulk_voutcomes, "field_visit_outcomes", "visit_id, person_id, outcome", 3);

#define MODULES_MAX 6
#define COMPS_MAX 64
#define TOPICS_MAX 32
#define PLACE_COMPS 2
#define ATTEMPTS_MAX (2 * MODULES_MAX + 2)
#define VISITS_MAX 3
#define CHUNK_ROWS 5000

/* ---- draws: splitmix64, keyed by the seed and an id ---- */

static uint64_t mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static uint64_t key(uint64_t seed, int64_t id, uint64_t salt) { return mix(mix(seed ^ salt) ^ (uint64_t)id); }
typedef struct rng {
  uint64_t s;
} rng;
static uint64_t next(rng *r) {
  r->s += 0x9E3779B97F4A7C15ull;
  return mix(r->s);
}
static double unif(rng *r) { return (double)(next(r) >> 11) * 0x1.0p-53; }
static int below(rng *r, int n) { return n > 0 ? (int)(next(r) % (uint64_t)n) : 0; }

/* ---- days: days since 1970-01-01 (proleptic Gregorian) ---- */

static int32_t day_of(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
static int64_t key_of_day(int32_t z) {
  z += 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  int d = doy - (153 * mp + 2) / 5 + 1, m = mp + (mp < 10 ? 3 : -9);
  return (int64_t)(y + (m <= 2)) * 10000 + m * 100 + d;
}
/* An epoch second on day z in Vietnam (UTC+7), at `hour` local time. */
static int64_t epoch_at(int32_t z, int hour, int minute) { return (int64_t)z * 86400 - 7 * 3600 + hour * 3600 + minute * 60; }

/* ---- the population and the plan ---- */

typedef struct rp {
  int64_t id, unit, household;
  int32_t birth_year;
  int16_t rows;     /* the bundle's records (pass 1) */
  int8_t vneid;
  uint8_t has; /* HAS_ bits: what a new record would repeat */
  uint8_t eligible : 1, adult : 1, anchor : 1, reached : 1, topup : 1;
  int32_t mate;     /* an anchor's other adult of the household present at visits: index, or -1 */
  double order;     /* the draw that orders the reach */
} rp;

enum { HAS_VNEID = 1, HAS_PLATFORM = 2, HAS_COURSE = 4, HAS_CERT = 8, HAS_TRADER = 16 };

typedef struct module_quiz {
  int64_t id;
  int pass_tenths;
  int ncomp;
  int64_t comp[COMPS_MAX];
} module_quiz;

typedef struct unit_slot {
  int64_t unit, class_id;
  const char *issuer;
} unit_slot;

typedef struct gen {
  uint64_t seed;
  int32_t d0, d1; /* the first and last day of the records */
  int ref_year;   /* the reference day's year: ages */
  int64_t helper, admin;
  int64_t placement;
  int nplace;
  int64_t place_comp[COMPS_MAX];
  int nmod;
  module_quiz mod[MODULES_MAX];
  int ntopics;
  int64_t topics[TOPICS_MAX];
  const char *outcomes[16]; /* field outcomes other than vneid_level2 */
  int noutcomes;
  rp *p;
  size_t np;
  unit_slot *units;
  size_t nunits;
} gen;

typedef struct attempt_plan {
  int quiz;      /* -1: the placement check, else the module */
  int32_t day;
  int score;     /* a module attempt's */
  bool passed;
  int64_t comp;  /* a module attempt's competence */
} attempt_plan;

typedef struct visit_plan {
  int32_t day;
  int ntopics;
  int64_t topic[3];
  int npresent;
  int nout[2];
  const char *out[2][3];
} visit_plan;

typedef struct pplan {
  size_t who;
  bool learner, platform, vneid_conf, raise, cert, topup;
  int32_t d_platform, d_vneid, d_enrol, d_outcome;
  int enrol; /* 0 none, 1 completed, 2 not completed, 3 under way */
  int ncp;
  int64_t cp[PLACE_COMPS];
  int s1[PLACE_COMPS], s2[PLACE_COMPS];
  int natt;
  attempt_plan att[ATTEMPTS_MAX]; /* in date order: the placement check first, maybe last */
  int cert_attempt;               /* index into att */
  int nvis;
  visit_plan vis[VISITS_MAX];
  int64_t att_id[ATTEMPTS_MAX], vis_id[VISITS_MAX]; /* pass 2 */
  const char *holder, *payload, *signature;       /* pass 2, a certificate's */
  int64_t cert_id;
} pplan;

static int32_t clampd(const gen *g, int32_t d) { return d > g->d1 ? g->d1 : d < g->d0 ? g->d0 : d; }

static bool has_comp(const int64_t *list, int n, int64_t c) {
  for (int i = 0; i < n; i++)
    if (list[i] == c) return true;
  return false;
}

/* Everything a reached adult's bundle holds, drawn from the seed and their id alone. */
static void plan_person(const gen *g, size_t who, pplan *o) {
  const rp *p = &g->p[who];
  memset(o, 0, sizeof *o);
  o->who = who;
  o->cert_attempt = -1;
  rng r = {key(g->seed, p->id, 0x5EC0)};
  int32_t span = g->d1 - g->d0;
  o->learner = unif(&r) < 0.9;
  if (o->learner) {
    int32_t start = g->d0 + (int32_t)(unif(&r) * (span > 60 ? span - 60 : span));
    double u = unif(&r);
    int m = u < 0.30 ? 0 : u < 0.50 ? 1 : u < 0.65 ? 2 : u < 0.75 ? 3 : u < 0.80 ? 4 : u < 0.85 ? 5 : MODULES_MAX;
    if (m > g->nmod) m = g->nmod;
    o->att[o->natt++] = (attempt_plan){.quiz = -1, .day = start};
    int32_t day = start;
    for (int k = 0; k < m || (k == m && k < g->nmod && unif(&r) < 0.2); k++) {
      const module_quiz *q = &g->mod[k];
      bool last_try = k == m; /* a module not passed yet: one failed attempt */
      int retake = !last_try && unif(&r) < 0.15;
      for (int t = 0; t <= retake && o->natt < ATTEMPTS_MAX - 1; t++) {
        day = clampd(g, day + (t ? 3 + below(&r, 8) : 5 + below(&r, 26)));
        bool pass = !last_try && t == retake;
        int lo = q->pass_tenths > 700 ? q->pass_tenths : 700;
        int score = pass ? lo + below(&r, 1001 - lo) : 300 + below(&r, q->pass_tenths > 301 ? q->pass_tenths - 300 : 1);
        int64_t comp = q->ncomp ? q->comp[below(&r, q->ncomp)] : g->place_comp[below(&r, g->nplace)];
        o->att[o->natt++] = (attempt_plan){.quiz = k, .day = day, .score = score, .passed = pass, .comp = comp};
      }
      if (last_try) break;
    }
    /* the placement check's competences: those the modules measured first, then others */
    for (int i = 1; i < o->natt && o->ncp < PLACE_COMPS; i++)
      if (has_comp(g->place_comp, g->nplace, o->att[i].comp) && !has_comp(o->cp, o->ncp, o->att[i].comp))
        o->cp[o->ncp++] = o->att[i].comp;
    for (int tries = 0; o->ncp < PLACE_COMPS && o->ncp < g->nplace && tries < 64; tries++) {
      int64_t c = g->place_comp[below(&r, g->nplace)];
      if (!has_comp(o->cp, o->ncp, c)) o->cp[o->ncp++] = c;
    }
    for (int i = 0; i < o->ncp; i++) o->s1[i] = 200 + below(&r, 401);
    bool finished = g->nmod > 0 && m == g->nmod;
    if (finished) {
      /* one certificate per programme and learner; a trader under 60 also needs the traders' module
       * (PCKNS-CB's rule for that group), which these records do not hold */
      bool elderly = p->birth_year && p->birth_year <= g->ref_year - 60;
      o->cert = !(p->has & HAS_CERT) && (!(p->has & HAS_TRADER) || elderly);
      o->cert_attempt = o->natt - 1;
      if (unif(&r) < 0.5) {
        o->att[o->natt++] = (attempt_plan){.quiz = -1, .day = clampd(g, day + 3 + below(&r, 18))};
        for (int i = 0; i < o->ncp; i++) {
          int s = o->s1[i] + 100 + below(&r, 351);
          o->s2[i] = s > 1000 ? 1000 : s;
        }
      }
    }
    if ((o->platform = unif(&r) < 0.6)) o->d_platform = clampd(g, start + 10 + below(&r, 150));
    if ((o->vneid_conf = unif(&r) < 0.45)) o->d_vneid = clampd(g, start + below(&r, 200));
    o->platform &= !(p->has & HAS_PLATFORM);
    if (unif(&r) < 0.4) {
      o->d_enrol = clampd(g, start + below(&r, 20));
      double v = unif(&r);
      o->enrol = v < 0.7 ? 1 : v < 0.85 ? 2 : 3;
      if (o->enrol < 3) o->d_outcome = clampd(g, o->d_enrol + 28 + below(&r, 33));
    }
  } else {
    if ((o->vneid_conf = unif(&r) < 0.1)) o->d_vneid = g->d0 + below(&r, span + 1);
  }
  o->vneid_conf &= !(p->has & HAS_VNEID);
  o->raise = p->vneid < 2 && (o->vneid_conf || unif(&r) < 0.5);
  if (p->anchor && unif(&r) < 0.85) {
    o->nvis = 1 + (unif(&r) < 0.45) + (unif(&r) < 0.15);
    int32_t day = g->d0 + below(&r, span + 1);
    for (int v = 0; v < o->nvis; v++) {
      visit_plan *vp = &o->vis[v];
      vp->day = day;
      day = clampd(g, day + 20 + below(&r, 120));
      int nt = 1 + below(&r, 3);
      for (int tries = 0; vp->ntopics < nt && vp->ntopics < g->ntopics && tries < 32; tries++) {
        int64_t t = g->topics[below(&r, g->ntopics)];
        if (!has_comp(vp->topic, vp->ntopics, t)) vp->topic[vp->ntopics++] = t;
      }
      vp->npresent = 1 + (p->mate >= 0 && unif(&r) < 0.4);
      for (int k = 0; k < vp->npresent; k++) {
        if (k == 0 && v == 0 && o->raise) vp->out[k][vp->nout[k]++] = "vneid_level2";
        int n = below(&r, 3);
        for (int tries = 0; n > 0 && tries < 16 && vp->nout[k] < 3; tries++) {
          const char *c = g->outcomes[below(&r, g->noutcomes)];
          bool dup = false;
          for (int j = 0; j < vp->nout[k]; j++) dup |= strcmp(vp->out[k][j], c) == 0;
          if (!dup) {
            vp->out[k][vp->nout[k]++] = c;
            n--;
          }
        }
      }
    }
  }
}

static int plan_rows(const gen *g, const pplan *o) {
  (void)g;
  int n = o->platform + o->vneid_conf + (o->enrol > 0) + o->cert;
  for (int i = 0; i < o->natt; i++) n += 1 + (o->att[i].quiz < 0 ? o->ncp : 1);
  for (int v = 0; v < o->nvis; v++) n += 1 + o->vis[v].ntopics + o->vis[v].npresent + o->vis[v].nout[0] + o->vis[v].nout[1];
  return n;
}

/* ---- rows ---- */

typedef struct vec {
  store_val *v;
  size_t n, cap; /* values */
} vec;

static store_val *vec_row(vec *x, int ncols) {
  if (x->n + (size_t)ncols > x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 4096;
    while (cap < x->n + (size_t)ncols) cap *= 2;
    store_val *v = realloc(x->v, cap * sizeof *v);
    if (!v) return NULL;
    x->v = v;
    x->cap = cap;
  }
  store_val *row = x->v + x->n;
  x->n += (size_t)ncols;
  return row;
}

enum { T_ATT, T_MEAS, T_CERT, T_CONF, T_ENROL, T_VIS, T_VTOP, T_VPEO, T_VOUT, T_COUNT };

typedef struct chunk {
  pplan *plans;
  size_t n, cap;
  int rows, attempts, visits;
  vec t[T_COUNT];
  arena a;
} chunk;

static unit_slot *unit_find(const gen *g, int64_t unit) {
  size_t lo = 0, hi = g->nunits;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (g->units[mid].unit < unit) lo = mid + 1;
    else hi = mid;
  }
  return lo < g->nunits && g->units[lo].unit == unit ? &g->units[lo] : NULL;
}

static bool add_conf(chunk *c, const gen *g, int64_t person, const char *kind, const char *source, int32_t day) {
  store_val *r = vec_row(&c->t[T_CONF], COLS_CONF);
  if (!r) return false;
  r[0] = store_val_int(person);
  r[1] = store_val_text(kind);
  r[2] = store_val_text(source);
  r[3] = store_val_null();
  r[4] = store_val_int(key_of_day(day));
  r[5] = store_val_int(g->admin);
  r[6] = store_val_int(1);
  r[7] = store_val_int(epoch_at(day, 17, 0));
  return true;
}

static bool add_measure(chunk *c, int64_t attempt, int64_t comp, int64_t person, int placement, int64_t at, int score) {
  store_val *r = vec_row(&c->t[T_MEAS], COLS_MEASURE);
  if (!r) return false;
  r[0] = store_val_int(attempt);
  r[1] = store_val_int(comp);
  r[2] = store_val_int(person);
  r[3] = store_val_null();
  r[4] = store_val_int(placement);
  r[5] = store_val_int(at);
  r[6] = store_val_int(score);
  r[7] = store_val_int(placement ? 4 : 10);
  return true;
}

/* The rows of one plan, its ids reserved. */
static bool emit(chunk *c, const gen *g, const pplan *o) {
  const rp *p = &g->p[o->who];
  unit_slot *u = unit_find(g, p->unit);
  if (o->topup) return add_conf(c, g, p->id, "course_elsewhere", "Khóa học kỹ năng số tại Trung tâm học tập cộng đồng",
                                g->d1);
  for (int i = 0; i < o->natt; i++) {
    const attempt_plan *a = &o->att[i];
    int64_t started = epoch_at(a->day, 8 + (int)(key(g->seed, p->id, 0xA7 + (uint64_t)i) % 11), 0);
    int64_t done = started + 600 + (int64_t)(key(g->seed, p->id, 0xB7 + (uint64_t)i) % 1200);
    int score = 0;
    bool placement = a->quiz < 0;
    if (placement) {
      bool second = i > 0;
      for (int k = 0; k < o->ncp; k++) score += second ? o->s2[k] : o->s1[k];
      score = o->ncp ? score / o->ncp : 0;
    } else {
      score = a->score;
    }
    store_val *r = vec_row(&c->t[T_ATT], COLS_ATTEMPT);
    if (!r) return false;
    r[0] = store_val_int(o->att_id[i]);
    r[1] = store_val_int(placement ? g->placement : g->mod[a->quiz].id);
    r[2] = store_val_int(g->helper);
    r[3] = store_val_int(p->id);
    r[4] = store_val_int(started);
    r[5] = store_val_null();
    r[6] = store_val_int(done);
    r[7] = store_val_int(score);
    r[8] = store_val_int(placement ? score >= 500 : a->passed);
    r[9] = store_val_text("[]");
    r[10] = store_val_text("[]");
    r[11] = store_val_text("[]");
    r[12] = store_val_int(g->helper);
    if (placement) {
      for (int k = 0; k < o->ncp; k++)
        if (!add_measure(c, o->att_id[i], o->cp[k], p->id, 1, done, i > 0 ? o->s2[k] : o->s1[k])) return false;
    } else if (!add_measure(c, o->att_id[i], a->comp, p->id, 0, done, a->score)) {
      return false;
    }
  }
  /* a certificate's row: its place here, filled by flush (certs_bulk_row) */
  if (o->cert && !vec_row(&c->t[T_CERT], CERTS_BULK_COLS)) return false;
  if (o->platform && !add_conf(c, g, p->id, "national_platform", "binhdanhocvuso.gov.vn", o->d_platform)) return false;
  if (o->vneid_conf && !add_conf(c, g, p->id, "vneid", "VNeID", o->d_vneid)) return false;
  if (o->enrol) {
    store_val *r = vec_row(&c->t[T_ENROL], COLS_ENROL);
    if (!r) return false;
    r[0] = store_val_int(u ? u->class_id : 0);
    r[1] = store_val_int(p->id);
    r[2] = o->enrol == 1 ? store_val_text("completed") : o->enrol == 2 ? store_val_text("not_completed") : store_val_null();
    r[3] = o->enrol < 3 ? store_val_int(key_of_day(o->d_outcome)) : store_val_null();
    r[4] = o->enrol < 3 ? store_val_int(g->helper) : store_val_null();
    r[5] = store_val_int(g->helper);
    r[6] = store_val_int(epoch_at(o->d_enrol, 9, 0));
  }
  for (int v = 0; v < o->nvis; v++) {
    const visit_plan *vp = &o->vis[v];
    store_val *r = vec_row(&c->t[T_VIS], COLS_VISIT);
    if (!r) return false;
    r[0] = store_val_int(o->vis_id[v]);
    r[1] = store_val_int(p->household);
    r[2] = store_val_int(p->unit);
    r[3] = store_val_int(key_of_day(vp->day));
    r[4] = store_val_null();
    r[5] = store_val_int(g->helper);
    r[6] = store_val_int(epoch_at(vp->day, 18, 30));
    for (int k = 0; k < vp->ntopics; k++) {
      if (!(r = vec_row(&c->t[T_VTOP], 2))) return false;
      r[0] = store_val_int(o->vis_id[v]);
      r[1] = store_val_int(vp->topic[k]);
    }
    for (int k = 0; k < vp->npresent; k++) {
      int64_t who = k == 0 ? p->id : g->p[p->mate].id;
      if (!(r = vec_row(&c->t[T_VPEO], 2))) return false;
      r[0] = store_val_int(o->vis_id[v]);
      r[1] = store_val_int(who);
      for (int j = 0; j < vp->nout[k]; j++) {
        if (!(r = vec_row(&c->t[T_VOUT], 3))) return false;
        r[0] = store_val_int(o->vis_id[v]);
        r[1] = store_val_int(who);
        r[2] = store_val_text(vp->out[k][j]);
      }
    }
  }
  return true;
}

/* ---- pass 2: a chunk at a time ---- */

static int reserve(store_conn *w, const store_sql *q, int n, int64_t *ids) {
  if (n <= 0) return 0;
  store_stmt *s = store_prepare(w, q);
  if (!s) return -1;
  store_bind_int(s, 1, n);
  int rc, k = 0;
  while ((rc = store_step(s)) == STORE_ROW && k < n) ids[k++] = store_col_int(s, 0);
  store_reset(s);
  return (rc == STORE_DONE || rc == STORE_ROW) && k == n ? 0 : -1;
}

typedef struct run {
  store *st;
  gen *g;
  certs_signer *signer;
  synth_records_counts *n;
  int64_t raise_at;
  char *err;
  size_t errlen;
} run;

static void chunk_clear(chunk *c) {
  c->n = 0;
  c->rows = c->attempts = c->visits = 0;
  for (int t = 0; t < T_COUNT; t++) c->t[t].n = 0;
  arena_free(&c->a);
  arena_init(&c->a);
}

static int64_t cert_id_of(uint64_t seed, int64_t person) {
  return 1000000000000000LL + (int64_t)(key(seed, person, 0xCE27) % 8000000000000000ULL);
}

static int flush(run *R, chunk *c) {
  gen *g = R->g;
  if (c->n == 0) return 0;
  /* Before the writer: the certificates' holders read and payloads signed. */
  store_conn *rd = NULL;
  for (size_t i = 0; i < c->n; i++) {
    pplan *o = &c->plans[i];
    if (!o->cert) continue;
    const rp *p = &g->p[o->who];
    if (!rd && !(rd = store_acquire(R->st, false))) {
      snprintf(R->err, R->errlen, "the database cannot be read");
      return -1;
    }
    store_stmt *s = store_prepare(rd, &q_name);
    if (!s) goto read_fail;
    store_bind_int(s, 1, p->id);
    int rc = store_step(s);
    o->holder = rc == STORE_ROW ? arena_strdup(&c->a, store_col_text(s, 0)) : NULL;
    store_reset(s);
    if (rc != STORE_ROW || !o->holder) goto read_fail;
    unit_slot *u = unit_find(g, p->unit);
    o->cert_id = cert_id_of(g->seed, p->id);
    if (!u || certs_signer_sign(R->signer, o->cert_id, o->holder, u->issuer,
                                epoch_at(o->att[o->cert_attempt].day, 20, 0), &c->a, &o->payload, &o->signature) != 0)
      goto read_fail;
  }
  if (rd) store_release(rd);
  rd = NULL;
  int64_t *ids = malloc(sizeof *ids * (size_t)(c->attempts + c->visits + 1));
  arena ja;
  arena_init(&ja);
  char *raise_json = NULL, *since_json = NULL; /* the people raised; with the day of each */
  size_t raise_n = 0;
  store_conn *w = ids ? store_acquire_timed(R->st, true, 30000, NULL) : NULL;
  double got = clock_mono(); /* the hold: from here to the release (the wait before is not one) */
  if (!w) {
    free(ids);
    snprintf(R->err, R->errlen, "the database cannot be written to");
    return -1;
  }
  int rc = store_begin(w) == STORE_OK ? 0 : -1;
  if (rc == 0 && (reserve(w, &q_reserve_attempts, c->attempts, ids) != 0 ||
                  reserve(w, &q_reserve_visits, c->visits, ids + c->attempts) != 0))
    rc = -1;
  /* The rows, with the ids reserved (memory only). */
  size_t ia = 0, iv = (size_t)c->attempts, cap = c->n * 22 + 8;
  raise_json = rc == 0 ? arena_alloc(&ja, cap) : NULL;
  size_t scap = c->n * 36 + 8;
  since_json = rc == 0 ? arena_alloc(&ja, scap) : NULL;
  size_t at = 0, sat = 0;
  if (!raise_json || !since_json) rc = -1;
  else raise_json[at++] = '[', since_json[sat++] = '[';
  for (size_t i = 0; rc == 0 && i < c->n; i++) {
    pplan *o = &c->plans[i];
    const rp *p = &g->p[o->who];
    for (int k = 0; k < o->natt; k++) o->att_id[k] = ids[ia++];
    for (int k = 0; k < o->nvis; k++) o->vis_id[k] = ids[iv++];
    size_t cert_before = c->t[T_CERT].n;
    if (!emit(c, g, o)) rc = -1;
    unit_slot *u = o->cert ? unit_find(g, p->unit) : NULL;
    if (rc == 0 && o->cert && !u) rc = -1; /* cannot be: every unit reached has its slot */
    if (rc == 0 && o->cert) {
      certs_bulk_row(R->signer, o->cert_id, p->id, p->unit, o->holder, u->issuer,
                     epoch_at(o->att[o->cert_attempt].day, 20, 0), o->payload, o->signature, o->att_id[o->cert_attempt],
                     &c->a, c->t[T_CERT].v + cert_before);
    }
    if (rc == 0 && o->raise) {
      /* level 2 from the visit that recorded it, or the confirmation, or a day of the records' span */
      int32_t day = o->nvis         ? o->vis[0].day
                    : o->vneid_conf ? o->d_vneid
                                    : g->d0 + (int32_t)(key(g->seed, p->id, 0x7A15) % (uint64_t)(g->d1 - g->d0 + 1));
      sat += (size_t)snprintf(since_json + sat, scap - sat, "%s[%lld,%lld]", raise_n ? "," : "", (long long)p->id,
                              (long long)key_of_day(day));
      at += (size_t)snprintf(raise_json + at, cap - at, "%s%lld", raise_n++ ? "," : "", (long long)p->id);
    }
  }
  if (rc == 0) {
    raise_json[at++] = ']', raise_json[at] = 0;
    since_json[sat++] = ']', since_json[sat] = 0;
  }
  if (rc == 0 && (store_insert_rows(w, &bulk_attempts, c->t[T_ATT].v, (int)(c->t[T_ATT].n / COLS_ATTEMPT)) != STORE_OK ||
                  store_insert_rows(w, &bulk_measures, c->t[T_MEAS].v, (int)(c->t[T_MEAS].n / COLS_MEASURE)) != STORE_OK ||
                  certs_bulk_insert(w, c->t[T_CERT].v, (int)(c->t[T_CERT].n / CERTS_BULK_COLS)) != STORE_OK ||
                  store_insert_rows(w, &bulk_confs, c->t[T_CONF].v, (int)(c->t[T_CONF].n / COLS_CONF)) != STORE_OK ||
                  store_insert_rows(w, &bulk_enrols, c->t[T_ENROL].v, (int)(c->t[T_ENROL].n / COLS_ENROL)) != STORE_OK ||
                  store_insert_rows(w, &bulk_visits, c->t[T_VIS].v, (int)(c->t[T_VIS].n / COLS_VISIT)) != STORE_OK ||
                  store_insert_rows(w, &bulk_vtopics, c->t[T_VTOP].v, (int)(c->t[T_VTOP].n / 2)) != STORE_OK ||
                  store_insert_rows(w, &bulk_vpeople, c->t[T_VPEO].v, (int)(c->t[T_VPEO].n / 2)) != STORE_OK ||
                  store_insert_rows(w, &bulk_voutcomes, c->t[T_VOUT].v, (int)(c->t[T_VOUT].n / 3)) != STORE_OK))
    rc = -1;
  int64_t raised = 0;
  if (rc == 0 && raise_n) {
    store_stmt *s = store_prepare(w, &q_raise_vneid);
    if (!s) rc = -1;
    else {
      store_bind_int(s, 1, R->raise_at);
      store_bind_text(s, 2, raise_json);
      if (store_step(s) != STORE_DONE) rc = -1;
      else raised = store_changes(s);
      store_reset(s);
    }
    /* the day each was raised, not today's (vneid.h: the level kept before it) */
    int64_t dated = 0;
    if (rc == 0 && raised && vneid_backdate_many(w, since_json, &dated) != 0) rc = -1;
  }
  if (rc == 0 && store_commit(w) != STORE_OK) rc = -1;
  if (rc != 0) {
    snprintf(R->err, R->errlen, "writing the records: %.300s", store_errmsg(w));
    if (store_in_transaction(w)) store_rollback(w);
  }
  store_release(w);
  double held_ms = (clock_mono() - got) * 1000.0;
  free(ids);
  arena_free(&ja);
  if (rc != 0) return -1;
  synth_records_counts *n = R->n;
  n->attempts += (int64_t)(c->t[T_ATT].n / COLS_ATTEMPT);
  n->measures += (int64_t)(c->t[T_MEAS].n / COLS_MEASURE);
  n->certificates += (int64_t)(c->t[T_CERT].n / CERTS_BULK_COLS);
  n->confirmations += (int64_t)(c->t[T_CONF].n / COLS_CONF);
  n->enrolments += (int64_t)(c->t[T_ENROL].n / COLS_ENROL);
  n->visits += (int64_t)(c->t[T_VIS].n / COLS_VISIT);
  n->visit_topics += (int64_t)(c->t[T_VTOP].n / 2);
  n->visit_people += (int64_t)(c->t[T_VPEO].n / 2);
  n->visit_outcomes += (int64_t)(c->t[T_VOUT].n / 3);
  n->vneid_raised += raised;
  n->chunks++;
  if (held_ms > n->max_hold_ms) n->max_hold_ms = held_ms;
  n->hold_ms += held_ms;
  chunk_clear(c);
  return 0;
read_fail:
  if (rd) store_release(rd);
  snprintf(R->err, R->errlen, "a certificate's holder could not be read or signed");
  return -1;
}

/* ---- reading what the records need ---- */

static int read_ids(store_conn *c, const store_sql *q, const char *a, const char *b, int64_t *out, int max) {
  store_stmt *s = store_prepare(c, q);
  if (!s) return -1;
  if (a) store_bind_text(s, 1, a);
  if (b) store_bind_text(s, 2, b);
  int rc, n = 0;
  while ((rc = store_step(s)) == STORE_ROW)
    if (n < max) out[n++] = store_col_int(s, 0);
  store_reset(s);
  return rc == STORE_DONE ? n : -1;
}

static int comps_of(store_conn *c, const char *category, int64_t *out, int max) {
  char like[300];
  snprintf(like, sizeof like, "%.250s/%%", category);
  return read_ids(c, &q_comps_of, category, like, out, max);
}

static int read_needs(store_conn *c, gen *g, char *err, size_t errlen) {
  store_stmt *s = store_prepare(c, &q_placement);
  if (!s) return -1;
  char category[256] = "";
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    g->placement = store_col_int(s, 0);
    snprintf(category, sizeof category, "%s", store_col_text(s, 1));
  }
  store_reset(s);
  if (rc == STORE_DONE) {
    snprintf(err, errlen, "no placement check to record attempts of: load the starter curriculum first (hocvuso demo)");
    return -1;
  }
  if (rc != STORE_ROW || !(s = store_prepare(c, &q_modules))) return -1;
  char cats[MODULES_MAX][256];
  while (g->nmod < MODULES_MAX && (rc = store_step(s)) == STORE_ROW) {
    const char *cat = store_col_text(s, 1);
    if (g->nmod && strcmp(cats[g->nmod - 1], cat) == 0) continue;
    snprintf(cats[g->nmod], sizeof cats[0], "%s", cat);
    g->mod[g->nmod].id = store_col_int(s, 0);
    g->mod[g->nmod].pass_tenths = (int)store_col_int(s, 2) * 10;
    g->nmod++;
  }
  store_reset(s);
  if (rc != STORE_ROW && rc != STORE_DONE) return -1;
  for (int k = 0; k < g->nmod; k++)
    if ((g->mod[k].ncomp = comps_of(c, cats[k], g->mod[k].comp, COMPS_MAX)) < 0) return -1;
  if ((g->nplace = comps_of(c, category, g->place_comp, COMPS_MAX)) < 0) return -1;
  /* the placement check measures every competence the modules do, at least */
  for (int k = 0; k < g->nmod; k++)
    for (int i = 0; i < g->mod[k].ncomp; i++)
      if (g->nplace < COMPS_MAX && !has_comp(g->place_comp, g->nplace, g->mod[k].comp[i]))
        g->place_comp[g->nplace++] = g->mod[k].comp[i];
  if (g->nplace == 0) {
    snprintf(err, errlen, "the question bank has no competence to measure: load the starter curriculum first");
    return -1;
  }
  if ((g->ntopics = read_ids(c, &q_topics, NULL, NULL, g->topics, TOPICS_MAX)) < 0) return -1;
  for (int i = 0; i < field_outcomes_count && g->noutcomes < 16; i++)
    if (strcmp(field_outcomes[i].code, "vneid_level2") != 0) g->outcomes[g->noutcomes++] = field_outcomes[i].code;
  g->helper = users_find(c, "tinhnguyen");
  g->admin = users_find(c, "admin");
  if (g->helper <= 0) g->helper = g->admin;
  if (g->admin <= 0) g->admin = g->helper;
  if (g->helper <= 0) {
    snprintf(err, errlen, "no account to record the records by (the demo's admin or tinhnguyen)");
    return -1;
  }
  return 0;
}

static int read_people(store_conn *c, gen *g, int ref_year) {
  store_stmt *s = store_prepare_stream(c, &q_people);
  if (!s) return -1;
  size_t cap = 0;
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    if (g->np == cap) {
      size_t nc = cap ? cap * 2 : 65536;
      rp *p = realloc(g->p, nc * sizeof *p);
      if (!p) {
        store_reset(s);
        return -1;
      }
      g->p = p;
      cap = nc;
    }
    rp *p = &g->p[g->np++];
    memset(p, 0, sizeof *p);
    p->id = store_col_int(s, 0);
    p->unit = store_col_int(s, 1);
    p->household = store_col_int(s, 2);
    p->birth_year = (int32_t)store_col_int(s, 3);
    p->vneid = (int8_t)store_col_int(s, 4);
    p->adult = p->birth_year == 0 || p->birth_year <= ref_year - 15;
    p->has = (uint8_t)store_col_int(s, 5);
    p->eligible = p->adult;
    p->mate = -1;
  }
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

static int by_household(const void *a, const void *b, void *ctx) {
  const rp *p = ctx;
  const rp *x = &p[*(const size_t *)a], *y = &p[*(const size_t *)b];
  if (x->household != y->household) return x->household < y->household ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static int by_order(const void *a, const void *b, void *ctx) {
  const rp *p = ctx;
  const rp *x = &p[*(const size_t *)a], *y = &p[*(const size_t *)b];
  if (x->order != y->order) return x->order < y->order ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static int by_unit(const void *a, const void *b) {
  int64_t x = ((const unit_slot *)a)->unit, y = ((const unit_slot *)b)->unit;
  return x < y ? -1 : x > y;
}

int64_t synth_records_total(const synth_records_counts *n) {
  return n->confirmations + n->enrolments + n->attempts + n->measures + n->certificates + n->visits + n->visit_topics +
         n->visit_people + n->visit_outcomes;
}

int synth_records_generate(store *st, const secrets *keys, int64_t records, uint64_t seed, int64_t today_key,
                           FILE *progress, synth_records_counts *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  gen g = {.seed = seed};
  size_t *idx = NULL;
  chunk ch = {0};
  arena_init(&ch.a);
  arena ua;
  arena_init(&ua);
  certs_signer *signer = NULL;
  int ret = -1;
  app_err e = {0};
  if (records < 1 || records > SYNTH_RECORDS_MAX) {
    snprintf(err, errlen, "the number of records must be from 1 to %lld", SYNTH_RECORDS_MAX);
    return -1;
  }
  int ty = (int)(today_key / 10000), tm = (int)(today_key / 100 % 100), td = (int)(today_key % 100);
  g.ref_year = ty;
  g.d0 = day_of(2025, 1, 6);
  g.d1 = day_of(ty, tm, td) - 1;
  if (g.d1 > day_of(2026, 12, 31)) g.d1 = day_of(2026, 12, 31);
  if (g.d1 < g.d0 + 90) g.d1 = g.d0 + 90;
  /* What is there: a previous run, the quizzes, the people. */
  store_conn *c = store_acquire(st, false);
  if (!c) {
    snprintf(err, errlen, "the database cannot be read");
    return -1;
  }
  int64_t marks = 0;
  store_stmt *s = store_prepare(c, &q_marker);
  int rc = STORE_ERROR;
  if (s) {
    store_bind_text(s, 1, SYNTH_RECORDS_CLASS_TITLE);
    rc = store_step(s);
    if (rc == STORE_ROW) marks = store_col_int(s, 0);
    store_reset(s);
  }
  if (rc != STORE_ROW) {
    store_release(c);
    snprintf(err, errlen, "the database cannot be read");
    return -1;
  }
  if (marks > 0) {
    store_release(c);
    snprintf(err, errlen,
             "this database has synthetic learning and field records already (%lld classes \"%s\"): --records adds "
             "them once; start again from a copy of the population without them",
             (long long)marks, SYNTH_RECORDS_CLASS_TITLE);
    return 1;
  }
  err[0] = 0;
  if (read_needs(c, &g, err, errlen) != 0 || read_people(c, &g, ty) != 0) {
    store_release(c);
    if (!err[0]) snprintf(err, errlen, "reading the population: %s", "the database cannot be read");
    goto done;
  }
  store_release(c);
  c = NULL;
  /* Anchors: the first adult of each household who can be reached; their mate, the next adult. */
  idx = malloc(sizeof *idx * (g.np + 1));
  if (!idx) goto oom;
  for (size_t i = 0; i < g.np; i++) idx[i] = i;
  qsort_r(idx, g.np, sizeof *idx, by_household, g.p);
  for (size_t i = 0; i < g.np;) {
    size_t j = i;
    while (j < g.np && g.p[idx[j]].household == g.p[idx[i]].household) j++;
    out->households++;
    size_t anchor = (size_t)-1;
    for (size_t k = i; k < j; k++)
      if (g.p[idx[k]].eligible) {
        anchor = idx[k];
        break;
      }
    if (anchor != (size_t)-1) {
      g.p[anchor].anchor = 1;
      for (size_t k = i; k < j; k++)
        if (idx[k] != anchor && g.p[idx[k]].adult) {
          g.p[anchor].mate = (int32_t)idx[k];
          break;
        }
    }
    i = j;
  }
  /* The units (a class each, their issuer) and the order of reach (some units ahead). */
  size_t nel = 0;
  for (size_t i = 0; i < g.np; i++) {
    rp *p = &g.p[i];
    out->adults += p->adult;
    if (!p->eligible) continue;
    rng r = {key(seed, p->id, 0x0DE5)};
    rng ru = {key(seed, p->unit, 0x0417)};
    p->order = unif(&r) * (0.6 + 0.8 * unif(&ru));
    idx[nel++] = i;
  }
  if (nel == 0) {
    snprintf(err, errlen, "no adult resident in a household to write records for");
    goto done;
  }
  g.units = malloc(sizeof *g.units * nel);
  if (!g.units) goto oom;
  for (size_t k = 0; k < nel; k++) g.units[k] = (unit_slot){.unit = g.p[idx[k]].unit};
  qsort(g.units, nel, sizeof *g.units, by_unit);
  for (size_t k = 0; k < nel; k++)
    if (g.nunits == 0 || g.units[g.nunits - 1].unit != g.units[k].unit) g.units[g.nunits++] = g.units[k];
  qsort_r(idx, nel, sizeof *idx, by_order, g.p);
  /* Pass 1: the bundles' sizes; the adults reached while they fit, then the rest made up. */
  pplan *tmp = malloc(sizeof *tmp);
  if (!tmp) goto oom;
  int64_t cum = 0;
  size_t k = 0;
  for (; k < nel; k++) {
    rp *p = &g.p[idx[k]];
    plan_person(&g, idx[k], tmp);
    int n = plan_rows(&g, tmp);
    if (cum + n > records) break;
    p->rows = (int16_t)n;
    p->reached = 1;
    cum += n;
    out->reached++;
  }
  free(tmp);
  for (; k < nel && cum < records; k++) {
    if (g.p[idx[k]].has & HAS_COURSE) continue;
    g.p[idx[k]].topup = 1;
    cum++;
    out->topped_up++;
  }
  if (cum < records)
    snprintf(err, errlen, "the population holds %lld records at most (every adult who can be reached): %lld written",
             (long long)cum, (long long)cum);
  /* The signer and the classes, in a short transaction of their own. */
  store_conn *w = store_acquire_timed(st, true, 30000, NULL);
  if (!w) {
    snprintf(err, errlen, "the database cannot be written to");
    goto done;
  }
  rc = store_begin(w) == STORE_OK ? 0 : -1;
  if (rc == 0 && certs_signer_open(w, keys, "PCKNS-CB", &signer, &e) != 0) {
    snprintf(err, errlen, "the programme PCKNS-CB and the signing key: %.200s", e.message ? e.message : "not found");
    rc = -1;
  }
  for (size_t u = 0; rc == 0 && u < g.nunits; u++) {
    char issuer[400];
    if (certs_issuer_text(w, g.units[u].unit, issuer, sizeof issuer) != 0 ||
        classes_create(w, SYNTH_RECORDS_CLASS_TITLE, g.units[u].unit, "Kỹ năng số cơ bản", NULL, g.helper,
                       epoch_at(g.d0, 8, 0), &g.units[u].class_id, &e) != 0) {
      snprintf(err, errlen, "the classes: %.200s", e.message ? e.message : store_errmsg(w));
      rc = -1;
    }
    if (rc == 0 && !(g.units[u].issuer = arena_strdup(&ua, issuer))) {
      snprintf(err, errlen, "out of memory");
      rc = -1;
    }
    out->classes += rc == 0;
  }
  if (rc == 0 && store_commit(w) != STORE_OK) {
    snprintf(err, errlen, "the classes: %.200s", store_errmsg(w));
    rc = -1;
  }
  if (rc != 0 && store_in_transaction(w)) store_rollback(w);
  store_release(w);
  if (rc != 0) goto done;
  /* Pass 2: in id order, a chunk of about CHUNK_ROWS records at a time. */
  run R = {st, &g, signer, out, epoch_at(g.d1, 12, 0), err, errlen};
  size_t done_people = 0, step = g.np / 10 + 1;
  for (size_t i = 0; i < g.np; i++) {
    rp *p = &g.p[i];
    if (!p->reached && !p->topup) continue;
    if (ch.n == ch.cap) {
      size_t nc = ch.cap ? ch.cap * 2 : 1024;
      pplan *pl = realloc(ch.plans, nc * sizeof *pl);
      if (!pl) goto oom;
      ch.plans = pl;
      ch.cap = nc;
    }
    pplan *o = &ch.plans[ch.n++];
    if (p->topup) {
      memset(o, 0, sizeof *o);
      o->who = i;
      o->topup = true;
      o->cert_attempt = -1;
      ch.rows++;
    } else {
      plan_person(&g, i, o);
      ch.rows += plan_rows(&g, o);
      ch.attempts += o->natt;
      ch.visits += o->nvis;
      out->learners += o->learner;
      out->households_visited += o->nvis > 0;
    }
    if (ch.rows >= CHUNK_ROWS && flush(&R, &ch) != 0) goto done;
    if (progress && i / step != done_people) {
      done_people = i / step;
      fprintf(progress, "  records: %lld of %lld written\n", (long long)synth_records_total(out), (long long)records);
      fflush(progress);
    }
  }
  if (flush(&R, &ch) != 0) goto done;
  ret = 0;
  goto done;
oom:
  snprintf(err, errlen, "out of memory");
done:
  certs_signer_free(signer);
  for (int t = 0; t < T_COUNT; t++) free(ch.t[t].v);
  free(ch.plans);
  arena_free(&ch.a);
  arena_free(&ua);
  free(g.units);
  free(g.p);
  free(idx);
  return ret;
}

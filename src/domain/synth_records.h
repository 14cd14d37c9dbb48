/* synth_records.h: deterministic synthetic learning and field records for a synthetic population
 * already in the registry (`hocvuso demo --records M`; the benchmarks of issue 10). Demo and
 * benchmark data only: synthetic people, never real ones.
 * Owns: nothing stored of its own; it writes, in chunks through the store's bulk interface (each
 * chunk a short transaction on the writer, every table of the chunk together), rows shaped as their
 * owning modules write them: external_confirmations (VNeID, binhdanhocvuso.gov.vn, a course
 * elsewhere), classes (one per unit) and class_enrolments with outcomes, quiz_attempts of the
 * placement check and of the modules' quizzes with their attempt_competence measures (scores
 * rising for most), certificates signed by the ward's current key (certs.h's signer: the same
 * payload and signature as a rule's), field_visits with their topics, residents present and
 * outcomes, and people's vneid_level raised to 2.
 * Never: reads the wall clock (a monotonic one times the writer's holds), the environment or
 * rand(): the same population, seed, record count and reference day give the same rows (ids apart); writes over a record; runs twice on one database
 * (refused); holds the writer while it signs.
 *
 * Who: the adults (15+ in the reference day's year, or of unknown age) living in a household, in
 * an order drawn from the seed, with some units ahead of others. Each adult reached gets a bundle
 * drawn from the seed and their id (most learn: a placement check, some modules' quizzes with
 * retakes, the certificate when all are passed, confirmations from VNeID and the national
 * platform, a class; some only have their VNeID raised); the first adult of a household also its
 * door-to-door visits (topics, the residents present, their outcomes). A record the person holds
 * already is not repeated (a confirmation of the same kind, a certificate: the unique keys). Adults
 * are reached in that order while their bundles fit in M; then the rest (fewer rows than one
 * bundle) is made up by one confirmation of a course elsewhere for each of the next adults. So
 * exactly M records are written, unless the population cannot hold M (every adult reached: fewer,
 * said).
 * Records counted: the rows of external_confirmations, class_enrolments, quiz_attempts,
 * attempt_competence, certificates, field_visits, field_visit_topics, field_visit_people and
 * field_visit_outcomes. Not counted: the classes (one per unit) and the people's vneid_level
 * changes (updates, not rows).
 * Needs: the starter curriculum's quizzes (a placement check and the modules' quizzes) and the
 * programme PCKNS-CB (`hocvuso demo` loads them); at least one resident.
 * At about 5 records per resident, about half of the adults are reached. */
#ifndef HOCVUSO_SYNTH_RECORDS_H
#define HOCVUSO_SYNTH_RECORDS_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"
#include "util/secrets.h"

#define SYNTH_RECORDS_MAX 1000000000LL
/* The title of every class the generator makes: how a second run knows a first one happened. */
#define SYNTH_RECORDS_CLASS_TITLE "Lớp kỹ năng số cơ bản (dữ liệu mô phỏng)"

typedef struct synth_records_counts {
  int64_t confirmations, enrolments, attempts, measures, certificates;
  int64_t visits, visit_topics, visit_people, visit_outcomes;
  /* not records: */
  int64_t classes, vneid_raised;
  int64_t adults, reached, learners, households, households_visited, topped_up;
  int64_t chunks;      /* transactions on the writer that wrote records */
  double max_hold_ms;  /* the longest of them, from taking the writer to giving it back */
  double hold_ms;      /* all of them */
} synth_records_counts;

/* The records counted (the nine tables above). */
int64_t synth_records_total(const synth_records_counts *n);

/* Writes `records` records (1…SYNTH_RECORDS_MAX) for the population in the store, dated from
 * 2025-01-06 to the day before `today_key` (yyyymmdd; at most 2026-12-31). 0 done (*out filled;
 * fewer than asked only when the population cannot hold them, said in err), 1 refused (records of
 * a previous run are there; nothing written), -1 on error (err says why; chunks already committed
 * stay). `progress`: a line per tenth done (NULL: quiet). The caller holds no connection. */
int synth_records_generate(store *st, const secrets *keys, int64_t records, uint64_t seed, int64_t today_key,
                           FILE *progress, synth_records_counts *out, char *err, size_t errlen);

#endif

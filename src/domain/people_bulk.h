/* people_bulk.h: the registry's writes for a list import (sub-noun of people.h): a chunk's
 * candidates by keyed CCCD hash or by (unit, folded name), its new people, households, memberships
 * and staged people (for the name index) written together, updates of matched people with already
 * validated, hashed and sealed fields, a membership added once; after the file, the staged
 * people's name terms merged into person_words.
 * Owns: the SQL the importer runs on people, person_words, households and memberships, and the
 * table of staged terms (import_terms).
 * Never: parses, hashes or encrypts (the importer does it before taking the writer), begins or
 * commits (the caller's transaction, a chunk's or a merge batch's, holds every call).
 */
#ifndef HOCVUSO_PEOPLE_BULK_H
#define HOCVUSO_PEOPLE_BULK_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* A person as a list row gives it, validated. Strings NULL or "": not given. */
typedef struct bulk_person {
  const char *full_name, *name_key;
  int y, m, d;           /* 0: not given (y) / unknown (m, d) */
  char sex;              /* 'M', 'F' or 0 */
  const char *cccd_hash; /* NULL: no CCCD in the row */
  const char *cccd_enc;
  const char *phone;     /* national form, or NULL */
  const char *relation;
  int vneid_level;       /* -1: not given */
  int64_t unit_id;       /* registering unit */
  int64_t household_id;  /* 0: none given */
} bulk_person;

/* A stored person, as a match returns it. Its texts are never NULL ("" when none) and, as the
 * callbacks of people_bulk_by_* are handed them, live until the callback returns. */
typedef struct bulk_stored {
  int64_t id;
  const char *name_key, *full_name, *phone, *relation;
  const char *cccd_hash; /* "" when none */
  int y, m, d;
  char sex;
  bool has_cccd;
  int vneid_level;
  int64_t unit_id, household_id;
} bulk_stored;

/* A chunk's look-ups in one statement each (one round trip on PostgreSQL): every live person
 * whose CCCD hash is in the JSON array of strings given, or whose (registering unit, folded name)
 * is in the JSON array of pairs [[unit_id, "name"], …]; cb for each (0: go on). 0 or -1. */
typedef int (*bulk_stored_fn)(void *ctx, const bulk_stored *p);
int people_bulk_by_hashes(store_conn *w, const char *hashes_json, bulk_stored_fn cb, void *ctx);
int people_bulk_by_names(store_conn *w, const char *unit_names_json, bulk_stored_fn cb, void *ctx);

/* ---- people staged: a chunk's new people wait in import_terms (job, "", folded name, person: a
 * row with an empty word stands for every term of that name, people_name_terms; a row with a word
 * is that one term, as jobs staged before one row a person left them) until the file is read,
 * then their terms go into person_words in sorted batches ---- */
#define TERM_STAGE_COLS 4
/* job_id, word, name_key, person_id: appended in the caller's chunk transaction. */
int people_bulk_stage_terms(store_conn *w, const store_val *rows, int n);
/* How many rows the job has staged, and the range of their people's ids. 0 or -1. */
int people_bulk_staged_span(store_conn *c, int64_t job_id, int64_t *n, int64_t *lo, int64_t *hi);
/* The job's staged rows of people still live under the folded name staged (one deleted or
 * renamed since has had its terms rewritten by people.c), streamed (PostgreSQL: row by row) in
 * person id order. cb for each (0: go on). 0 or -1. */
typedef int (*bulk_term_fn)(void *ctx, const char *word, const char *name_key, int64_t person_id);
int people_bulk_staged_each(store_conn *c, int64_t job_id, bulk_term_fn cb, void *ctx);
#define TERM_COLS 3
/* word, name_key, person_id rows into person_words (COPY on PostgreSQL, multi-row INSERTs on
 * SQLite): a term already there fails the call (then people_bulk_merge_terms). */
int people_bulk_insert_terms(store_conn *w, const store_val *rows, int n);
/* The same terms as [[person_id, "term", "folded name"], …], the slow and careful way: only those
 * of a person still live under that folded name, none twice. 0 or a store code. */
int people_bulk_merge_terms(store_conn *w, const char *terms_json);
/* The people staged by the job with an id in [lo, hi] changed (updated_at) at or after `since`:
 * cb(id, the folded name they were staged under), once per pair. 0 or -1. */
typedef int (*bulk_key_fn)(void *ctx, int64_t id, const char *name_key);
/* The people staged by the job no longer live under the name they were staged with (renamed,
 * deleted or purged): cb(id, the staged name), once per staged row. 0 or -1. */
int people_bulk_staged_stale(store_conn *c, int64_t job_id, bulk_key_fn cb, void *ctx);
int people_bulk_changed_since(store_conn *c, int64_t job_id, int64_t lo, int64_t hi, int64_t since, bulk_key_fn cb,
                              void *ctx);
/* Removes the terms the folded name `name_key` made for person `id` unless the person is live
 * under that name still (deleted, or renamed: people.c wrote the new name's). 0 or -1. */
int people_bulk_drop_stale_terms(store_conn *w, int64_t id, const char *name_key);
/* Deletes up to `limit` of the job's staged terms (PostgreSQL: all of them): how many, or -1. */
int64_t people_bulk_unstage(store_conn *w, int64_t job_id, int64_t limit);

/* Inserts the person (not its name terms: people_bulk_stage_terms). 0 or a negative store code. */
int people_bulk_insert(store_conn *w, const bulk_person *p, int64_t now, int64_t *id);
/* ---- a chunk's new records written together (COPY on PostgreSQL, multi-row INSERTs on SQLite) ----
 * Ids are reserved first (the sequence on PostgreSQL; on SQLite, past the largest ever given, under
 * the single writer the caller holds) so that name words and memberships can name them. */
typedef enum { BULK_PEOPLE, BULK_HOUSEHOLDS } bulk_table;
int people_bulk_reserve(store_conn *w, bulk_table t, int n, int64_t *ids);
#define PEOPLE_BULK_COLS 16
/* Fills row[PEOPLE_BULK_COLS] for people_bulk_insert_new (pointers into p, which must live on). */
void people_bulk_row(const bulk_person *p, int64_t id, int64_t now, store_val *row);
#define HOUSEHOLD_BULK_COLS 7
/* id, unit_id, code (NULL), address, address_key, created_at, updated_at. */
int people_bulk_insert_households(store_conn *w, const store_val *rows, int n);
#define MEMBERSHIP_BULK_COLS 4
/* np new people (people_bulk_row), then nm memberships of them (person_id, unit_id, kind, grade or
 * NULL; each of a person of `people`: none can exist yet). On SQLite with the row triggers off and
 * their effects made once for the set (see people_bulk.c). STORE_OK or an error. */
int people_bulk_insert_new(store_conn *w, const store_val *people, int np, const store_val *members, int nm);
/* The live households of the units in `unit_ids_json` (a JSON array of ids): cb(id, unit, code
 * or NULL, address_key) in id order. 0 or -1. */
typedef int (*bulk_household_fn)(void *ctx, int64_t id, int64_t unit_id, const char *code, const char *address_key);
int people_bulk_households_of(store_conn *w, const char *unit_ids_json, bulk_household_fn cb, void *ctx);

/* Writes every field of `p` over the person `id` (the caller has merged what the row left out). */
int people_bulk_update(store_conn *w, int64_t id, const bulk_person *p, int64_t now);
/* The household of `unit_id` with this code (code non-NULL) or, without code, the code-less one
 * at this folded address; created when absent. *created says which. 0 or -1. */
int people_bulk_household(store_conn *w, int64_t unit_id, const char *code, const char *address,
                          const char *address_key, int64_t now, int64_t *id, bool *created);
/* Adds the membership unless the same (person, unit, kind) exists: 1 added, 0 existed, -1 error. */
int people_bulk_membership(store_conn *w, int64_t person_id, int64_t unit_id, const char *kind, int grade);

#endif

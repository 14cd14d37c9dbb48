/* confirmations.h: xác nhận từ bên ngoài — what staff record, one by one or from a CSV list, that a
 * resident reached outside hocvuso: confirmed on VNeID as having reached the universal digital-
 * skills standard (the plan's target 4), confirmed on the national platform binhdanhocvuso.gov.vn,
 * or a course finished elsewhere; each with its source and date. They count toward the targets
 * apart from hocvuso's own certificates, and target 4 counts only `vneid`.
 * Owns: the external_confirmations table (migration 17) and the reading of a confirmations list.
 * Never: stores, logs or answers a CCCD (an imported row is matched by the CCCD's keyed hash, and a
 * row that matches nobody in the caller's scope says only that, never whether the number exists
 * elsewhere); holds the writer while a file is read.
 *
 * Who: people.write on the person's registering unit records and removes one (the dispatcher checks
 * it: SCOPE_PERSON, SCOPE_CONFIRMATION through confirmations_reach); people.read on the person reads
 * theirs; lists and counts take the people registered in the caller's scope (scope.h).
 */
#ifndef HOCVUSO_CONFIRMATIONS_H
#define HOCVUSO_CONFIRMATIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/secrets.h"

/* The kinds, as stored. */
#define CONF_VNEID "vneid"                       /* VNeID: đạt chuẩn phổ cập kỹ năng số (target 4) */
#define CONF_NATIONAL "national_platform"        /* binhdanhocvuso.gov.vn */
#define CONF_COURSE "course_elsewhere"           /* a course finished elsewhere */
/* Characters of a source and of a reference. */
#define CONF_SOURCE_MAX 200
#define CONF_REFERENCE_MAX 100
/* Rows written per transaction by an import. */
#define CONF_IMPORT_CHUNK 1000

/* The stored code of a kind written as staff write it: a code, or its Vietnamese label ("VNeID",
 * "Nền tảng Bình dân học vụ số", "Khóa học khác"), without regard to accents, case, spaces and
 * punctuation. NULL when it is none of them. */
const char *confirmations_kind_parse(const char *s);
/* The Vietnamese label of a stored kind ("" for an unknown one). */
const char *confirmations_kind_label(const char *kind);
/* The source a kind has when none is written: "VNeID", "binhdanhocvuso.gov.vn"; NULL for a course
 * elsewhere (its provider must be named). */
const char *confirmations_default_source(const char *kind);
/* A date as lists write it: dd/mm/yyyy (or d/m/yyyy, '-' or '.'), or yyyy-mm-dd; into the date key
 * yyyymmdd. A year alone, a day after `today_key` or before 2000 is refused. 0, or -1 with *why
 * (Vietnamese, static). */
int confirmations_parse_date(const char *s, int64_t today_key, int64_t *key, const char **why);

typedef struct confirmation_input {
  const char *kind;         /* a code or a label */
  const char *source;       /* NULL or blank: the kind's default */
  const char *reference;    /* NULL or blank: none */
  const char *confirmed_on; /* as confirmations_parse_date reads it */
} confirmation_input;

/* Records a confirmation of the person (live) by `by_user` (0: the operator) at `now`. When the
 * same kind, source and date are recorded already nothing is written and *created is false; *id
 * is the row's either way. 400 naming the field (kind, source, reference, confirmed_on); 404 when
 * the person is absent or deleted. */
int confirmations_record(store_conn *w, int64_t person_id, const confirmation_input *in, int64_t by_user, int64_t now,
                         int64_t *id, bool *created, app_err *e);
/* One confirmation: {id, person_id, full_name, unit_id, unit_name, kind, kind_label, source,
 * reference, confirmed_on (yyyy-mm-dd), recorded_by (display name or null), via_import,
 * created_at}. 404 when absent. */
int confirmations_get(store_conn *c, int64_t id, json_t **out, app_err *e);
/* The person's confirmations, newest first (at most 200; a person has a few). */
int confirmations_of_person(store_conn *c, int64_t person_id, json_t **items, app_err *e);
/* For the dispatcher: the confirmation's person, its registering unit and that unit's path (in
 * `a`). 404 when the confirmation is absent or its person deleted. */
int confirmations_reach(store_conn *c, int64_t id, arena *a, int64_t *person_id, int64_t *unit_id, const char **path,
                        app_err *e);
/* Removes a wrong record; *person_id, *unit_id and kind (at least 20 bytes) say what it was, for
 * the audit entry. 404 when absent. */
int confirmations_delete(store_conn *w, int64_t id, int64_t *person_id, int64_t *unit_id, char kind[static 20],
                         app_err *e);

typedef struct confirmation_query {
  int64_t unit_id;  /* 0: the whole scope; else people registered in this unit's subtree */
  const char *kind; /* a stored kind, or NULL */
  int page, per_page;
} confirmation_query;
/* Confirmations of the live people registered in `scope`, newest date first. 400 naming `kind`
 * for an unknown kind; 404 naming unit_id for an unknown unit. */
int confirmations_list(store_conn *c, const scope_sql *scope, const confirmation_query *q, json_t **items,
                       int64_t *total, app_err *e);
/* How many distinct live people registered in `scope` (and in unit_id's subtree, when not 0) have
 * at least one confirmation of `kind` (NULL: of any kind). What the targets count: target 4 is
 * confirmations_count(…, CONF_VNEID, …) over the adults. */
int confirmations_count(store_conn *c, const scope_sql *scope, int64_t unit_id, const char *kind, int64_t *n,
                        app_err *e);

/* The demo ward's confirmations: about 46% of its live adults confirmed on VNeID, 28% on the
 * national platform, 4% with a course elsewhere (chosen by id: the same people each time), dated
 * from 9/2025 on, as if imported. Loading again adds nothing. *added: rows written. */
int confirmations_demo(store *st, int64_t now, int64_t *added, char *err, size_t errlen);

/* ---- import of a list ----
 * Columns are found by their headers (first row; accents, case, spaces and punctuation ignored):
 * Số CCCD (as the resident list names it), Loại xác nhận, Nguồn, Ngày xác nhận, Số hiệu (optional).
 * Each row is checked with nothing held, its CCCD hashed; then, CONF_IMPORT_CHUNK rows at a time,
 * the writer is taken for one short transaction: each row is matched to a live person registered in
 * the scope (and in unit_id's subtree) by the hash, and recorded unless recorded already; one audit
 * entry per chunk carries the counts. */
typedef struct conf_import_opts {
  const scope_sql *scope;   /* whose people may be matched (people.write) */
  int64_t unit_id;          /* 0: the whole scope */
  int64_t by_user;          /* 0: the operator */
  const char *by_username;  /* for the audit entries ("cli" for the operator) */
  const char *ip;
  const char *file_name;    /* for the audit entries; may be NULL */
  int report_max;           /* unmatched and rejected lines listed at most (0: all) */
} conf_import_opts;
/* Imports the list at `path`, or in memory (`data`, `len`) when path is NULL. *result receives
 * {"recorded", "unchanged", "unmatched": [{"line", "reason"}], "rejected": [{"line", "field",
 * "reason"}], "unmatched_count", "rejected_count"}. A file that cannot be read (encoding, format,
 * missing columns) is 400 naming `file`, with nothing written; the database's failure midway
 * leaves the chunks before it recorded (a re-run adds only the rest). */
int confirmations_import(store *st, const secrets *keys, const char *path, const void *data, size_t len,
                         const conf_import_opts *o, json_t **result, app_err *e);

#endif

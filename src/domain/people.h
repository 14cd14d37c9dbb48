/* people.h: sổ dân cư — the registry's core: hộ gia đình (households) and people, their
 * memberships in units (workplace, school, market) and the account a person owns.
 * Owns: the households, people, person_words and memberships tables, and users.person_id.
 * Never: stores or logs a CCCD in clear (people.cccd_enc is sealed with the data key, cccd_hash is
 * a keyed hash); shows one in clear unless asked to (the caller holds identity.read); deletes a
 * person at once (a soft delete sets purge_after; a later job purges).
 *
 * Who may see a person: an officer whose people.read covers the unit the person is registered
 * through (people.unit_id) or the unit of any of their memberships; who may change one: people.write
 * on the registering unit (and on the new one, for a move). The dispatcher checks it from
 * people_reach / households_reach; lists join the caller's grants in SQL (scope.h).
 */
#ifndef HOCVUSO_PEOPLE_H
#define HOCVUSO_PEOPLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/secrets.h"

/* ---- pure helpers (no database): adapters over person.c, whose rules they apply, giving
 * fixed Vietnamese messages that outlive the call ---- */
/* A birth date as pdate_parse reads it ("yyyy", "yyyy-mm-dd", "dd/mm/yyyy", …). Month and day 0
 * when only the year is known. 0, or -1 with *why set (Vietnamese). Dates after `today_key`
 * (yyyymmdd) or before 1900 are refused. */
int people_parse_birth(const char *s, int64_t today_key, int *y, int *m, int *d, const char **why);
/* "M", "F", "Nam", "Nữ" (any case) → 'M' / 'F'; 0 when not one of them. */
char people_parse_sex(const char *s);
/* Normalises a Vietnamese phone number into out (national form "0…", phone_normalise). 0 or -1. */
int people_phone_normalise(const char *s, char *out, size_t outlen);
/* A 12-digit CCCD: its digits only (spaces dropped) into out[13]; 0 or -1 with *why. When the
 * birth year (0: unknown) or sex (0: unknown) are known, the century/sex digit and the year digits
 * must agree with them (cccd_check). An unknown province prefix is accepted: it is a warning. */
int people_cccd_check(const char *s, int birth_year, char sex, char out[13], const char **why);
/* Masked for display: the first four and last three digits ("0300*****678"). */
void people_cccd_mask(const char digits[13], char out[13]);
/* Keyed BLAKE2b-256 of the digits with keys->lookup_key, as 64 hex digits. */
void people_cccd_hash(const secrets *keys, const char *digits, char out[65]);
/* Sealed with keys->data_key (random nonce prepended), hex; caller frees. NULL on no memory. */
char *people_cccd_seal(const secrets *keys, const char *digits);
/* Opens a sealed value into out[13]; 0 or -1 (wrong key, altered). */
int people_cccd_open(const secrets *keys, const char *sealed_hex, char out[13]);

/* ---- households ---- */
int households_create(store_conn *w, int64_t unit_id, const char *code, const char *address, int64_t *id,
                      app_err *e);
/* NULL: unchanged; "" code: removed. */
int households_update(store_conn *w, int64_t id, const char *code, const char *address, app_err *e);
/* The household's unit and its path (for the dispatcher); 404 when absent or deleted. */
int households_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e);
/* The household with its members (live people). */
int households_get(store_conn *c, int64_t id, json_t **out, app_err *e);
typedef struct household_query {
  int64_t unit_id; /* 0: the caller's whole scope */
  const char *q;   /* part of the address (accent-insensitive) or the code's start */
  int page, per_page;
} household_query;
int households_list(store_conn *c, const scope_sql *scope, const household_query *q, json_t **items, int64_t *total,
                    app_err *e);

/* ---- people ---- */
/* A person's fields as given by a caller. Strings NULL: not given (unchanged on update); "" on
 * update: cleared (birth_date, sex, cccd, phone, relation). */
typedef struct person_input {
  const char *full_name;
  const char *birth_date;
  const char *sex;
  const char *cccd;
  const char *phone;
  const char *relation;
  int64_t household_id; /* with household_set: 0 no household, else its id */
  bool household_set;
  int vneid_level;      /* -1: not given */
  const char *vneid_since; /* the day vneid_level (a change) was reached, before today; NULL: today */
  int64_t unit_id;      /* 0: not given (required on create) */
} person_input;

int people_create(store_conn *w, const secrets *keys, const person_input *in, int64_t *id, app_err *e);
/* *old_unit receives the registering unit before the change. */
int people_update(store_conn *w, const secrets *keys, int64_t id, const person_input *in, int64_t *old_unit,
                  app_err *e);
/* Soft delete: hidden from every list and read at once; purge_after = now + retention days. The
 * account linked to the person is unlinked. */
int people_delete(store_conn *w, int64_t id, int retention_days, int64_t *unit_id, app_err *e);

/* Where a person is reached from: the registering unit and each membership's unit (paths in `a`). */
typedef struct person_reach {
  int64_t unit_id;
  const char *unit_path;
  const char **member_paths;
  int nmembers;
} person_reach;
/* 404 when absent or deleted. */
int people_reach(store_conn *c, int64_t id, arena *a, person_reach *out, app_err *e);
/* May `p` see the person (cap on the registering unit or a membership's unit)? */
bool people_visible(const principal *p, caps_t cap, const person_reach *r);
/* May `p` change it (cap on the registering unit)? */
bool people_managed(const principal *p, caps_t cap, const person_reach *r);

/* The full record: fields, groups today, memberships, household summary; the CCCD in clear when
 * `cccd_clear`, else masked (null when none). */
int people_get(store_conn *c, const secrets *keys, int64_t id, bool cccd_clear, json_t **out, app_err *e);
/* The same as `who` may see it: the CCCD in clear when who holds identity.read on the person's
 * registering unit (or `own`: the person's own record), masked otherwise. *unit_id receives the
 * registering unit (for the audit entry). */
int people_get_for(store_conn *c, const secrets *keys, int64_t id, const principal *who, bool own, arena *a,
                   json_t **out, int64_t *unit_id, app_err *e);

typedef struct people_query {
  const char *q;       /* name words (prefixes, folded), a phone number or a 12-digit CCCD */
  int64_t unit_id;     /* 0: whole scope; else registered or member within that unit's subtree */
  const char *group;   /* a group code (groups.h), or NULL */
  int age_min, age_max; /* -1: none */
  const char *sex;     /* "M"/"F" (or Nam/Nữ), or NULL */
  int vneid_level;     /* -1: any */
  int64_t household_id; /* 0: any */
  bool broad;          /* the scope holds most people (people_scope_broad): walk them in name order */
  int page, per_page;
  /* A name search starts from its rarest word's names when at most this many carry it, else walks
   * the people in name order (0: the default, 20,000; -1: always walk). Tests set it to check that
   * both ways find the same people. */
  int64_t name_drive_max;
  /* The caller's scope when it is one subtree (one grant carrying the capability: a tổ officer's),
   * its root unit's path, else NULL (people_scope_root). A plain list then finds its units from
   * that range rather than from the grants in SQL; a hint, never a permission. */
  const char *root;
} people_query;
/* The path of the one unit whose subtree is `p`'s scope for `cap`, or NULL when the scope is more
 * than one subtree (or none). */
const char *people_scope_root(const principal *p, caps_t cap);
/* Does `p` hold `cap` on a ward, a commune or a city (depth 0 or 1)? Then a plain list is served by
 * walking people in name order rather than by looking up the units in scope; a hint, never a
 * permission. */
bool people_scope_broad(const principal *p, caps_t cap);
/* How a search's q was read. */
typedef enum { PEOPLE_Q_NONE, PEOPLE_Q_NAME, PEOPLE_Q_PHONE, PEOPLE_Q_CCCD } people_q_kind;
/* Name search. A name is indexed by its terms (person_words: term, folded name, person): each
 * distinct word of its folded name ("nguyen", "thi", "huong") and each pair of two distinct words
 * when it has at most PEOPLE_PAIR_WORDS distinct words, written PEOPLE_PAIR_MARK + the two words in
 * byte order and a space ("~huong nguyen"), so that a search for two common words starts from the
 * few names that carry both. A longer name has, instead of pairs, the term PEOPLE_PAIR_MARK alone;
 * while any name carries it, a search starts from its rarest whole word (a pair would miss it).
 * A query word that is a whole word of some name (a live person's in the caller's scope) matches
 * that word exactly ("an" finds An, not Anh); any other query word matches as the start of a word
 * ("huo" finds Hương, as a person types). */
#define PEOPLE_NAME_WORDS 5
#define PEOPLE_PAIR_WORDS 16
#define PEOPLE_PAIR_MARK '~'
typedef void (*people_term_fn)(const char *term, size_t len, void *ctx);
/* Calls fn for every term of the folded name `key`; 0 (a pair that would not fit in 1024 bytes
 * makes the name a long one: no pairs, the mark). */
int people_name_terms(const char *key, people_term_fn fn, void *ctx);
/* Every term `key` may have been indexed by under any rule so far (a superset of
 * people_name_terms': its words, the pairs of any two of them, the long-name mark). */
int people_name_terms_any(const char *key, people_term_fn fn, void *ctx);
/* A live person by CCCD hash (col: the cccd_hash column): people_cccd indexes the first 16 hex
 * digits (64 bits; migration 33: an index a quarter as wide, written at random places by every
 * import), the full hash is then compared. Binds the hash twice. */
/* (`col || ''`: SQLite would otherwise put the bound hash in place of col everywhere, the index's
 * expression included, and no longer see it; `IS NOT NULL`: PostgreSQL then sees the partial
 * index's condition.) */
#define PEOPLE_CCCD_IS(col) \
  "substr(" col ", 1, 16) = substr(CAST(? AS TEXT), 1, 16) AND " col " || '' = ? AND " col " IS NOT NULL"
/* Deletes person id's terms made from the folded name `key` (person_words has no index by person:
 * a person's terms are found by their key). 0 or -1. */
int people_words_drop(store_conn *w, int64_t id, const char *key);
typedef struct people_name_q {
  int n;                                  /* query words (0: no name words) */
  char words[PEOPLE_NAME_WORDS][160];     /* folded */
  bool exact[PEOPLE_NAME_WORDS];          /* a whole word of some name: matched exactly */
  char pats[PEOPLE_NAME_WORDS][330];      /* LIKE patterns over ' ' || name_key || ' ' */
  /* A broad scope only: every live person is registered in a unit of the scope (a ward admin of a
   * one-ward tree), so that a search need not test each name's scope, and counts and whole words
   * are read from person_words alone (it holds live people only). Read in the request's snapshot. */
  bool scope_all;
} people_name_q;
/* Reads q's name words (at most PEOPLE_NAME_WORDS) into *out; -1 on a store failure. */
/* `broad`: the scope holds most people (people_scope_broad); only how the check is run depends on
 * it, never its answer. */
int people_name_query(store_conn *c, const scope_sql *scope, bool broad, const char *q, people_name_q *out);
/* The condition that the folded name in `col` matches every pattern (PEOPLE_NAME_WORDS triples of
 * parameters: the pattern, the word anywhere ("%w%": a name without it is passed over before the
 * costlier test of the spaced name, which builds a string per row) and the pattern again; or NULL
 * three times for an unused word). */
#define PEOPLE_NAME_PATS(col)                                                                          \
  PEOPLE_PAT_(col) PEOPLE_PAT_(col) PEOPLE_PAT_(col) PEOPLE_PAT_(col) PEOPLE_PAT_(col)
#define PEOPLE_PAT_(col)                                                                               \
  " AND (CAST(? AS TEXT) IS NULL OR (" col " LIKE ? ESCAPE '\\' AND (' ' || " col " || ' ') LIKE ? ESCAPE '\\'))"
/* Binds PEOPLE_NAME_PATS' parameters from index i; the next index. */
int people_bind_pats(store_stmt *s, int i, const people_name_q *nq);
/* Past this many matches a list says "more than" (total -1) rather than counting them all. */
#define PEOPLE_COUNT_CAP 1000
/* People within `scope`, by name; *total is their number, or -1 when more than PEOPLE_COUNT_CAP; *kind says how q was read (a CCCD search is audited by the
 * caller, without the number). 400 naming the field for a bad group or sex. */
int people_list(store_conn *c, const secrets *keys, const scope_sql *scope, const people_query *q, json_t **items,
                int64_t *total, people_q_kind *kind, app_err *e);
/* The same, the page written as a JSON array straight into `items` (appended; on failure `items`
 * is left as it was): the reply's bytes without a tree built and dumped. */
int people_list_write(store_conn *c, const secrets *keys, const scope_sql *scope, const people_query *q, buf *items,
                      int64_t *total, people_q_kind *kind, app_err *e);

/* Adds a membership: kind staff | student | worker | trader; grade 1–12 for a student (required),
 * none otherwise. 409 when the same one exists. */
int people_add_membership(store_conn *w, int64_t person_id, int64_t unit_id, const char *kind, int grade, int64_t *id,
                          app_err *e);

/* ---- the account a person owns (users.person_id) ---- */
/* Links the account to the person (person_id 0: unlinks). 409 when the person is linked to another
 * account; 404 when either is absent. */
int people_link_user(store_conn *w, int64_t user_id, int64_t person_id, app_err *e);
/* The person the account owns; 0 when none (or deleted). -1 on error. */
int64_t people_of_user(store_conn *c, int64_t user_id);


/* ---- deleted records (soft-deleted, waiting for the purge) ---- */
#include <stdatomic.h>
/* A deleted person's registering unit and its path (for the dispatcher, SCOPE_PERSON_DELETED);
 * 404 when absent or not deleted. */
int people_reach_deleted(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e);
/* The deleted people registered within `scope` (and within unit_id's subtree, when not 0), newest
 * deletion first: {id, full_name, birth_year, unit_id, unit_name, deleted_at, purge_after} (ISO). */
int people_deleted_list(store_conn *c, const scope_sql *scope, int64_t unit_id, int page, int per_page,
                        json_t **items, int64_t *total, app_err *e);
/* Undoes a soft delete (deleted_at and purge_after cleared). 404 when the person is not deleted;
 * 409 naming `cccd` when a live record now holds the same CCCD. The account link removed at the
 * deletion is not restored. *unit_id receives the registering unit (for the audit entry). */
int people_restore(store_conn *w, int64_t id, int64_t *unit_id, app_err *e);
/* People per purge transaction. */
#define PEOPLE_PURGE_CHUNK 200
/* Deletes for good every person whose purge_after <= now (with their name words, memberships and
 * data requests; their account is unlinked, households stay), `chunk` people per short transaction
 * (0: PEOPLE_PURGE_CHUNK), the writer given back between chunks; one audit entry `person.purge`
 * each (the id and unit only). `stop` (may be NULL) ends it between chunks. *purged: how many.
 * 0, or -1 with a message in err (what was committed stays purged). */
int people_purge(store *st, int64_t now, int chunk, const atomic_bool *stop, int64_t *purged, char *err,
                 size_t errlen);

/* The demo ward's example of a deleted record: `full_name` (born `birth_year`) registered in
 * unit_id and soft-deleted `deleted_ago` seconds ago, kept `retention_days` from then; nothing when
 * a person of that name is registered there already (the demo may be loaded again). *added += 1
 * when made. */
int people_demo_deleted(store_conn *w, int64_t unit_id, const char *full_name, int birth_year, int64_t deleted_ago,
                        int retention_days, int *added, app_err *e);

/* What still ties a unit to the registry (why it cannot be deleted yet): live people registered
 * in it, its deleted records waiting for the purge, its households and memberships. */
typedef struct people_unit_hold {
  int64_t live, deleted, households, members;
} people_unit_hold;
int people_unit_holds(store_conn *c, int64_t unit_id, people_unit_hold *out);

#endif

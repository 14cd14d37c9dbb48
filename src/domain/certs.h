/* certs.h: certificates (chứng nhận) and what grants them (issue 8, docs/CERTIFICATES.md).
 * Owns: the tables signing_keys, programmes, programme_checks and certificates; the exact bytes a
 * certificate signs; the rule that grants a programme's certificate.
 * Never: stores a signing seed in clear (it is sealed with the data key); signs anything but a
 * payload built here; issues a certificate outside the transaction of what completed its rule;
 * tells a stranger more of a certificate than its holder's name, programme, date and issuer.
 *
 * A programme's rule (programmes.requirements) is JSON an admin edits:
 *   {"modules": ["KNS-CB/M01", …],                        required of every learner
 *    "groups": [{"group": "elderly", "modules": [...]}, …]} or, for a learner in one of these
 *                                                           target groups, the first such list
 * A module is passed by a submitted attempt of a quiz whose category is the module's
 * ("KNS-CB/M01") or one of its parts ("KNS-CB/M01/on-tap"), scoring at least the programme's pass mark (NULL: the quiz's own pass mark). With
 * in_person_check, a staff member must also record that they checked the learner in person. The
 * certificate is written, signed, in the same transaction as the submission (or check) that
 * completes the rule, once per programme and learner (a person, or an account without one).
 */
#ifndef HOCVUSO_CERTS_H
#define HOCVUSO_CERTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/secrets.h"

#define CERTS_PAYLOAD_MAX 2048
#define CERTS_SIG_B64 87 /* base64url of 64 bytes without padding, and its NUL */
#define CERTS_QR_MAX 1500 /* the longest QR text: version 32 at ECC M, still readable printed on A4 */

/* ---- keys ---- */
/* Makes the first signing key (from the secrets' seed) when there is none: the first run. Several
 * servers starting at once make the same key. */
int certs_keys_ensure(store_conn *w, const secrets *keys, app_err *e);
/* A new signing key (a random seed) that signs from now on; the previous one stays published (its
 * valid_until set) so that what it signed still verifies. */
int certs_keys_rotate(store_conn *w, const secrets *keys, char kid[32], app_err *e);
/* {"keys": [{"id", "alg", "public_key", "valid_from", "valid_until"}]}, oldest first. */
int certs_keys_json(store_conn *c, json_t **out, app_err *e);

/* ---- programmes ---- */
typedef struct programme_in {
  const char *code, *title, *description; /* NULL: unchanged (an update) */
  int pass_percent;                       /* 0: each quiz's own; -1: unchanged */
  int in_person_check;                    /* 0/1; -1: unchanged */
  int active;                             /* 0/1; -1: unchanged */
  const json_t *requirements;             /* NULL: unchanged */
} programme_in;
/* Checks a rule (400 naming `requirements`: an unknown group, a module no course has, an empty list). */
int certs_rule_check(store_conn *c, const json_t *req, app_err *e);
int certs_programme_create(store_conn *w, const programme_in *in, int64_t user_id, int64_t *id, app_err *e);
int certs_programme_update(store_conn *w, int64_t id, const programme_in *in, int64_t user_id, app_err *e);
int certs_programme_list(store_conn *c, json_t **items, app_err *e);
int64_t certs_programme_by_code(store_conn *c, const char *code); /* 0: none; -1: error */

/* ---- issuing ---- */
/* An attempt just closed, as its submission knows it. */
typedef struct certs_attempt {
  int64_t id, user_id, person_id; /* person_id 0: none */
  int64_t score_tenths;
  bool passed;          /* by its quiz's own mark */
  const char *category; /* its quiz's category (a module), or NULL/"": none */
} certs_attempt;
/* After an attempt is closed (same transaction): issues the certificate of every programme whose
 * rule this attempt completes. *issued: an array of {id, programme} in the order of their ids, as
 * certs_of_attempt lists them (empty when none). */
int certs_after_attempt(store_conn *w, const secrets *keys, const certs_attempt *a, json_t **issued, app_err *e);
/* Records that `by` checked the person in person for the programme, and issues its certificate
 * when the rule is now complete. *issued as above; *created 0 when it was recorded before. */
int certs_check_person(store_conn *w, const secrets *keys, int64_t programme_id, int64_t person_id, int64_t by,
                       json_t **issued, int *created, app_err *e);

/* ---- reading ---- */
/* The certificates an attempt issued, as [{id, programme}] (empty for most). */
int certs_of_attempt(store_conn *c, int64_t attempt_id, json_t **out, app_err *e);
/* Where a certificate lies, for the dispatcher: its holder (account and person) and unit path. */
int certs_reach(store_conn *c, int64_t id, arena *a, int64_t *user_id, int64_t *person_id, const char **path,
                app_err *e);
/* The public answer for an ID: {status: valid|revoked|unknown, holder_name, programme, issued_on,
 * issuer, key_id, payload, signature (base64url), revoked_on}. *found 0 for an unknown ID (the
 * answer then says only the status). */
int certs_verify_id(store_conn *c, int64_t id, json_t **out, bool *found, app_err *e);
/* Checks a signed payload (as a QR code carries it) against the published keys and the store:
 * status valid | revoked | unknown (signed by us, not on record) | forged (the signature fails). */
int certs_verify_signed(store_conn *c, const char *payload_b64, const char *signature_b64, json_t **out,
                        app_err *e);
/* One certificate, for its holder or staff in scope (with revocation reason and learner ids). */
int certs_get(store_conn *c, int64_t id, json_t **out, app_err *e);
/* Certificates visible to a caller: in the units of `scope` (NULL: none) or the caller's own
 * (user_id / person_id, 0: none); newest first. */
int certs_list(store_conn *c, const scope_sql *scope, int64_t user_id, int64_t person_id, int page, int per_page,
               json_t **items, int64_t *total, app_err *e);
/* Revokes (409 when already revoked). */
int certs_revoke(store_conn *w, int64_t id, int64_t by, const char *reason, int64_t *unit_id, app_err *e);

/* ---- pure, for tests and the command line ---- */
typedef struct cert_fields {
  int64_t id;
  const char *holder, *programme, *issued_on, *issuer, *kid;
} cert_fields;
/* The exact bytes a certificate signs (docs/CERTIFICATES.md); their length, or -1 when they do not fit. */
int certs_payload(const cert_fields *f, char *out, size_t outlen);
/* Reads a payload back; 0 when it is well formed. Strings point into `buf` (a copy it edits). */
int certs_payload_parse(char *buf, cert_fields *f);
/* "1234-5678-9012-3456" */
void certs_id_format(int64_t id, char out[24]);
/* Parses "1234567890123456" or "1234-5678-9012-3456"; 0 when not a certificate ID. */
int64_t certs_id_parse(const char *s);
/* The text of a certificate's QR code: base_url + "/#/xac-minh?c=" + payload "." signature, both
 * already base64url (as the certificate's views carry them). */
char *certs_qr_text(const char *base_url, const char *payload_b64, const char *signature_b64);

/* ---- bulk issuing of synthetic records (synth_records.c) ----
 * The same key, payload and signature as a certificate issued by a rule, for a synthetic learner who
 * completed the programme on a past date: the current key opened once (made when none, so the
 * caller holds the writer for the open), each payload signed without the store, the rows written
 * with the bulk interface in the caller's transaction. */
typedef struct certs_signer certs_signer;
/* Opens the current key and reads programme `code` (404 naming code when absent). */
int certs_signer_open(store_conn *w, const secrets *keys, const char *code, certs_signer **out, app_err *e);
void certs_signer_free(certs_signer *s);
int64_t certs_signer_programme(const certs_signer *s);
/* "UBND <ward>" of a unit, as a certificate of that unit names its issuer; 0 or -1. */
int certs_issuer_text(store_conn *c, int64_t unit_id, char *out, size_t outlen);
/* Signs the certificate `id` of a person for the signer's programme, issued at `issued_at`: its
 * payload and signature copied into `a`. 0, or -1 when it does not fit. */
int certs_signer_sign(certs_signer *s, int64_t id, const char *holder, const char *issuer, int64_t issued_at, arena *a,
                      const char **payload, const char **signature);
#define CERTS_BULK_COLS 15
/* One row of CERTS_BULK_COLS values for certs_bulk_insert (strings borrowed: they must live until then). */
void certs_bulk_row(const certs_signer *s, int64_t id, int64_t person_id, int64_t unit_id, const char *holder,
                    const char *issuer, int64_t issued_at, const char *payload, const char *signature,
                    int64_t attempt_id, arena *a, store_val *row);
int certs_bulk_insert(store_conn *w, const store_val *rows, int n);

#endif

/* http.h: the types the HTTP layer shares: the application, a request, a route.
 * Owns: nothing at run time; it declares the route table (routes.c) and the request API that
 * handlers use (request.c). Handlers see only validated input and never check permissions
 * themselves: the dispatcher (router.c) does it from the route's row before they run.
 */
#ifndef HOCVUSO_HTTP_H
#define HOCVUSO_HTTP_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/audit.h"
#include "domain/caps.h"
#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/config.h"
#include "util/secrets.h"
#include "util/sink.h"

typedef struct static_files static_files;
typedef struct metrics metrics;
typedef struct ratelimit ratelimit;

/* The running application: read-only after start-up but for the counters inside. */
typedef struct app {
  config cfg;
  secrets keys;
  store *st;
  static_files *web;
  metrics *met;
  ratelimit *rl;
  char *openapi;      /* the generated document, serialised once */
  size_t openapi_len;
  double started;     /* clock_mono() at start */
} app;

/* ---- input declarations ---- */
/* FT_NAME: a string that names something (a unit, a person): no format or control characters
 * (bidirectional overrides, zero-width characters), and at least one visible character. */
/* FT_ARRAY: a JSON array (bodies only) of min..max items; its items are the handler's to check.
 * FT_OBJECT: a JSON object (bodies only) of at most max members; the domain checks its content. */
typedef enum { FT_STRING = 1, FT_INT, FT_BOOL, FT_DATE, FT_NAME, FT_ARRAY, FT_OBJECT } field_type;

typedef struct field_spec {
  const char *name;
  field_type type;
  bool required;
  int64_t min, max; /* strings: length in characters; integers: value */
  const char *doc;  /* one line, for the OpenAPI document */
} field_spec;

/* Where a route's capability must hold (checked by the dispatcher, router.c):
 * SCOPE_UNIT  the unit named by scope_field;
 * SCOPE_USER  the account {id} of the path: visible (its home unit or a grant in scope) for a
 *             read; for a state-changing route, its home unit and every one of its grants;
 * SCOPE_GRANT the grant {grant_id} of the account {id}: the account as for a write, and every
 *             capability of the grant's role on the grant's unit (revoke what you could grant);
 * SCOPE_USER_ROLE a new grant to the account {id}: the account as for a write, the unit named by
 *             scope_field in scope, and every capability of the body's `role` on that unit;
 * SCOPE_PERSON the person {id} of the path: for a read, the capability on the unit the person is
 *             registered through or on the unit of one of their memberships; for a state-changing
 *             route, on the registering unit (and on `also_unit` when the body names one: a move);
 * SCOPE_HOUSEHOLD the household {id} of the path: the capability on its tổ dân phố;
 * SCOPE_USER_PERSON linking the account {id} to the person of body field scope_field: the account
 *             as for a write (with `cap`), and people.write on the person's registering unit;
 * SCOPE_IMPORT the import job {id} of the path: its creator, or `cap` on the unit it was made from;
 * SCOPE_REQUEST a data subject's request {id} (requests.h): the capability on the registering
 *             unit of the request's person (for reads and answers alike);
 * SCOPE_PERSON_DELETED a soft-deleted person {id} of the path (a restore): the capability on the
 *             registering unit; 404 when the person is absent or not deleted;
 * SCOPE_ATTEMPT a quiz attempt {id} of the path: the learner's own, nobody else's (404 when absent);
 * SCOPE_CERT a certificate {id} of the path (404 when absent): for a read, its holder's own account,
 *             or `cap` (people.read when the route's is 0) on the holder's unit; for a
 *             state-changing route, `cap` on the holder's unit alone;
 * SCOPE_CONFIRMATION a confirmation from outside {id} of the path (confirmations.h): the capability
 *             on its person's registering unit (404 when absent or the person deleted);
 * SCOPE_TRADER a trader {id} of the path (trade.h): the capability on the person's registering unit
 *             or on a market where they trade (404 when absent or deleted); a body `helper_id`
 *             names a person who must be visible with people.read;
 * SCOPE_CLASS a training class {id} of the path (classes.h): the capability on its organising unit
 *             (404 when absent); a body `participant_id` names a person who must be visible with
 *             people.read;
 * SCOPE_EVENT an event {id} of the path (events.h): as SCOPE_CLASS, on the event's organising unit;
 * SCOPE_UNIT_PERSON the unit of body field scope_field with `cap`, and the person of body field
 *             `person_id` visible with people.read (naming an ambassador, ambassadors.h);
 * SCOPE_AMBASSADOR an ambassador {id} of the path (ambassadors.h): `cap` on the unit they serve; and
 *             the person of body field `person_id`, when the body names one, visible with people.read;
 * SCOPE_MENTEE a new assignment: the person of body field `mentee_id` changed with `cap` (on their
 *             registering unit), and the person of the ambassador in body field `mentor_id` visible
 *             with people.read;
 * SCOPE_MENTORSHIP an assignment {id} of the path: `cap` on its mentee's registering unit;
 * SCOPE_PLAN_TASK a plan task {id} of the path (plan.h; 404 when absent), reported on for the unit
 *             named by scope_field: that unit must answer for the task (its plan unit names map to
 *             it) or be the plan's ward (400 otherwise), and the capability must hold on it;
 * SCOPE_PLAN  the plan as a whole: the capability on the ward the plan belongs to (404 when no
 *             plan is loaded);
 * SCOPE_ATTACHMENT an attachment {id} of the path (attachments.h; 404 when absent): its uploader,
 *             or whoever may read its owner (a plan task: units.read anywhere, as the task's page;
 *             a school: school.read on the school);
 * SCOPE_FIELD_TEAM a community digital team {id} of the path (field.h): the capability on its tổ
 *             dân phố (404 when absent);
 * SCOPE_FIELD_TEAM_PERSON a team {id} as SCOPE_FIELD_TEAM, and the person of body field
 *             scope_field visible to the caller (people.read on a unit they are reached through);
 * SCOPE_HELP_REQUEST a help request {id} of the path (helpreq.h): the capability on its tổ dân phố
 *             (404 when absent). */
typedef enum {
  SCOPE_NONE,
  SCOPE_UNIT,
  SCOPE_USER,
  SCOPE_GRANT,
  SCOPE_USER_ROLE,
  SCOPE_PERSON,
  SCOPE_HOUSEHOLD,
  SCOPE_USER_PERSON,
  SCOPE_IMPORT,
  SCOPE_REQUEST,
  SCOPE_PERSON_DELETED,
  SCOPE_ATTEMPT,
  SCOPE_CERT,
  SCOPE_CONFIRMATION,
  SCOPE_TRADER,
  SCOPE_CLASS,
  SCOPE_EVENT,
  SCOPE_UNIT_PERSON,
  SCOPE_AMBASSADOR,
  SCOPE_MENTEE,
  SCOPE_MENTORSHIP,
  SCOPE_PLAN_TASK,
  SCOPE_PLAN,
  SCOPE_ATTACHMENT,
  SCOPE_FIELD_TEAM,
  SCOPE_FIELD_TEAM_PERSON,
  SCOPE_HELP_REQUEST,
} scope_kind;
typedef enum { FROM_PATH, FROM_BODY, FROM_QUERY } field_source;
typedef enum { AUTH_PUBLIC, AUTH_LOGIN } auth_kind;
/* RATE_FORM: a public form (a help request without an account), per address. */
typedef enum { RATE_NONE, RATE_LOGIN, RATE_WRITE, RATE_FORM, RATE_COUNT } rate_class;

typedef struct req req;
typedef int (*handler_fn)(req *r);

/* A body produced in pieces (req_stream): fills up to `max` bytes of `buf` and returns how many
 * (> 0), 0 at the end of the body, or -1 when it cannot go on (the connection is then cut, so the
 * client sees a truncated transfer, never a false end). */
typedef long (*req_stream_fn)(void *ctx, char *buf, size_t max);

typedef struct route {
  const char *method;
  const char *path;    /* "/api/v1/units/{id}": {name} segments are positive integers */
  handler_fn fn;
  auth_kind auth;
  caps_t cap;          /* required capability (AUTH_LOGIN routes) */
  scope_kind scope;    /* where the capability must hold */
  const char *scope_field; /* the unit (or user) id field the scope is checked on */
  field_source scope_from;
  const field_spec *body;  /* NULL: the route takes no body */
  const field_spec *query; /* NULL: no query parameters */
  bool csrf;           /* state-changing: needs X-CSRF-Token */
  rate_class rate;
  int ok_status;
  const char *op_id;
  const char *tag;
  const char *summary;
  const char *response; /* name of the response schema in openapi.c, or NULL */
  /* Trailing members: rows that leave them out get 0/NULL. */
  const char *prehash;  /* a body field holding a new password: the dispatcher checks its strength,
                         * hashes it in the hashing pool (off the request thread, no connection
                         * held) and hands the handler r->pw_hash */
  /* A second unit (a body field) on which `cap` must hold too, e.g. a move's new parent. */
  const char *also_unit;
  /* Trailing members (rows may leave them out: 0). */
  size_t body_limit;    /* bytes; 0: the configured default for JSON bodies (body-limit). A route
                         * with no declared JSON body (`body` NULL) and a body_limit takes an
                         * upload: its body streams to an unlinked temporary file that the
                         * handler reads through req_upload_fd(). */
  /* The handler reads (on a reader) before it writes: the dispatcher's write transaction, and its
   * re-check of the session and scope in it (router_recheck_in_tx), begin at the handler's
   * req_begin instead of before the handler runs, so that the writer is not held while it reads
   * (an answer sheet checked question by question, an uploaded file read, parsed and stored). A
   * handler that never calls req_begin writes nothing, unless through a domain function that joins
   * the caller's grants in SQL in each of its own short transactions (the confirmations' import).
   * An upload route with it has its scope checked before the handler as well (router_check): the
   * file is read only for a caller who may write there. */
  bool tx_late;
  /* Saving it may be run by the writer's holder when the writer is busy (store_acquire_or_queue):
   * the handler neither gives the writer back nor takes it again, nor asks for the hashing pool,
   * and writes in the dispatcher's transaction (not tx_late). */
  bool combine;
} route;

extern const route routes[];
extern const int routes_count;
/* False for a test-only route (/api/v1/test/…) unless HOCVUSO_TEST_ROUTES=1 at start-up. */
bool routes_enabled(int i);

/* ---- a request, as handlers see it ---- */
#define REQ_MAX_PARAMS 4
#define REQ_MAX_HEADERS 8

struct req {
  app *app;
  arena a;
  const route *route;
  int route_index;  /* -1: none matched */
  const char *method;
  const char *path;
  const char *ip;
  bool https;       /* the caller reached us over TLS (through the trusted proxy) */
  const char *user_agent;
  const char *host; /* the Host header, when it is a plain host[:port] */
  const char *accept_encoding;
  const char *content_type;
  const char *if_none_match;
  const char *cookie_token;
  const char *device_cookie; /* hocvuso_device: exempts a known browser from the per-address log-in limit */
  const char *csrf_header;
  const char *fetch_site; /* Sec-Fetch-Site, when the browser sends it */
  /* path parameters, in the order of the route's {name} segments */
  int64_t params[REQ_MAX_PARAMS];
  int nparams;
  json_t *query; /* validated query parameters (owned) */
  json_t *body;  /* validated body (owned) */
  principal *who; /* NULL for a public caller */
  /* database connections, taken on first use, released when the response is sent */
  store_conn *rconn, *wconn;
  /* response */
  int status;
  json_t *out;        /* JSON answer (owned) */
  char *raw;          /* or a raw body (owned, malloc) */
  size_t raw_len;
  const char *raw_type;
  const void *static_body; /* or a static body owned by someone else */
  /* or a body produced in pieces after the handler returned (req_stream; owned until the server
   * hands it to libmicrohttpd), or a whole file (req_send_file: has_fd) */
  req_stream_fn stream_fn;
  void (*stream_done)(void *ctx);
  void *stream_ctx;
  bool has_fd;
  int fd;
  uint64_t fd_len;
  size_t static_len;
  bool static_gzip;
  const char *csp;         /* Content-Security-Policy; NULL: the default one */
  const char *hdr_name[REQ_MAX_HEADERS];
  const char *hdr_value[REQ_MAX_HEADERS];
  int nhdr;
  app_err err;
  /* the body as it arrives: memory for JSON routes, a temporary file for upload routes */
  body_sink in;
  /* the request line as MHD first saw it (before unescaping), to find what it hid */
  const char *raw_uri;
  size_t raw_uri_len;
  bool query_too_big; /* the query string was too long to be parsed, and was dropped */
  bool started;       /* the header was complete and checked */
  int match;          /* router_match's answer, taken once the header is complete */
  char allow[64];
  double t0;
  /* the database could not be reached or the writer stayed busy (0: it could): the seconds to
   * put in Retry-After if the request ends in a 5xx; see req_db_settle */
  int db_retry_after;
  /* Password work off the request thread (req_offload): the connection is suspended, the
   * hashing pool runs req_pw_work, and the dispatcher runs again when it is done. */
  const char *pw_hash;   /* the route's `prehash` field, hashed (arena), or the handler's job_new */
  int resumes;           /* how many times the request came back from the pool */
  bool offload;          /* set by req_offload: the server suspends and queues the work */
  bool waiting;          /* suspended, waiting for the pool */
  bool job_verify;       /* verify job_pw against job_hash (NULL hash: an unknown account) */
  const char *job_hash, *job_pw, *job_new;
  int job_verify_rc;     /* 0: the password matched */
  int job_hash_rc;       /* 0: job_out holds the hash of job_new */
  char *job_out;         /* PASSWORD_HASH_MAX bytes of the arena, when job_new is set (a req stays
                          * under 1 KiB: glibc's thread cache and small bins serve it, not a
                          * large-bin search with a consolidation, measured 2 % of a visit's CPU) */
  atomic_int job_sync;   /* suspend and completion meet here: the second one resumes */
  /* Group commit: the answer is ready, the connection suspended until its commit is synced. */
  uint64_t durable_seq; /* a commit made before the handler gave the writer back (req_writer_done) */
  bool durable_waiting;
  store_durable_waiter durable;
  /* Combined writes (route.combine): queued for the writer's holder, which runs the writing phase
   * (router_write) on its thread, then completes the request as a durable wait does; or handed
   * back (combine_back), when the request's own thread takes the writer itself. */
  store_combined combine;
  bool combine_queued, combine_back;
  void *conn;            /* the libmicrohttpd connection */
  /* the unit the scope check read for a route's {id} (with its ancestors, in the arena), or NULL:
   * the handler answers from it instead of reading it again */
  struct unit_rec *unit;
};

/* Answers too large to hold in memory (exports).
 * req_stream: the body is produced by `fn` in pieces of at most 32 KiB while it is sent, on the
 * connection's thread, after the handler has returned and the request's own database
 * connections were released (so `ctx` holds everything it reads from, its own connection
 * included: see req_db_detach). `done(ctx)` runs exactly once, when the transfer ended, was cut,
 * or never started (a failure before it). Sent with `type`, chunked, never compressed.
 * req_send_file: the open descriptor `fd` (owned from this call on, closed by the server) of
 * `len` bytes, sent from its current offset 0 as it is. Both answer 200 with the headers set by
 * req_header; they take ownership even when they fail. 0, or -1 (500). */
int req_stream(req *r, const char *type, req_stream_fn fn, void (*done)(void *ctx), void *ctx);
int req_send_file(req *r, const char *type, int fd, uint64_t len);
/* Takes the request's reader (its snapshot included) away from it: the caller owns it from now
 * on and gives it back with store_release. NULL when the request has none or holds the writer. */
store_conn *req_db_detach(req *r);

/* Upload routes: the body's descriptor, at its first byte, and its length; -1 otherwise. */
int req_upload_fd(req *r, uint64_t *len);

/* Handlers' helpers. */
int req_ok(req *r, int status, json_t *out);                        /* takes `out`; returns 0 */
/* The answer as JSON text already written (a hot list's page): takes b's bytes; 0, or -1 (500). */
int req_ok_text(req *r, int status, buf *b);
int req_fail(req *r, int status, const char *code, const char *field, const char *message); /* returns -1 */
void req_header(req *r, const char *name, const char *value);       /* value copied into the arena */
/* Content-Disposition: attachment, with an ASCII file name for old clients and the UTF-8 name
 * percent-encoded (RFC 5987) for the others; both names carry their extension. */
void req_attachment(req *r, const char *ascii_name, const char *utf8_name);
store_conn *req_db(req *r);   /* a connection for reading (the writer, once taken) */
store_conn *req_dbw(req *r);  /* the writer; an open transaction is the handler's to end */
/* Begins the write transaction on the writer, unless the dispatcher already began it (for a
 * state-changing route it did, and re-checked the caller's rights inside it). 0 on success;
 * the handler commits. */
int req_begin(req *r);
/* After its commit, a handler with more to do (building its answer) gives the writer to the next
 * request at once; its answer still waits until that commit is durable. Nothing if a transaction
 * is open. Reads after it go through a reader (req_db), which sees the commit. */
void req_writer_done(req *r);
/* After the handler: a 5xx caused by the database's unavailability (no connection within the
 * deadline, connection lost, statement timeout) becomes 503 `unavailable` with Retry-After. */
void req_db_settle(req *r);
int64_t req_param(const req *r, int i);
const char *req_str(const req *r, const char *name);  /* body field, or NULL */
int64_t req_int(const req *r, const char *name, int64_t dflt);
int req_bool(const req *r, const char *name, int dflt);
const char *req_qstr(const req *r, const char *name);
int64_t req_qint(const req *r, const char *name, int64_t dflt);
/* Asks for password work off the request thread: when `verify`, checks `pw` against `hash`
 * (NULL: an unknown account, checked against a dummy at the same cost); when `new_pw`, hashes
 * it. The handler then returns 0 at once: its connections are released, the request is
 * suspended, and the dispatcher calls the handler again (r->resumes > 0) with job_verify_rc
 * and pw_hash set. Strings must outlive the request (body fields, arena copies). */
int req_offload(req *r, bool verify, const char *hash, const char *pw, const char *new_pw);
void req_pw_work(void *r); /* run by the hashing pool */
/* 503 with Retry-After: the database (or the writer) cannot be had in time. */
int req_unavailable(req *r);
/* A file of people's data (an export, an error report) is a GET the session cookie (SameSite=Lax)
 * rides on even when another site navigates to it: such a request, told by the browser's
 * Sec-Fetch-Site (cross-site or same-site), is refused with 403 before anything is read or
 * audited. 0 to go on, -1 answered. */
int req_same_origin(req *r);
/* Appends to the audit log on the writer, as the caller, from the caller's address. */
int req_audit(req *r, const char *action, const char *entity, int64_t entity_id, int64_t unit_id, json_t *detail);
/* The same with the names the entry keeps given by the handler, read in its transaction (audit.h,
 * audit_names; unit_id must be set): no look-up of its own. */
int req_audit_named(req *r, const char *action, const char *entity, int64_t entity_id, int64_t unit_id,
                    const audit_names *names, json_t *detail);
/* Builds {"items":…, "page":…, "per_page":…, "total":…} and answers 200. */
int req_page(req *r, json_t *items, int64_t total);
/* The same for a short list read whole (a framework's competences, the courses): answers the
 * requested page of `all` (taken). */
int req_page_all(req *r, json_t *all);
void req_paging(const req *r, int *page, int *per_page);

/* Dispatcher (router.c). */
int router_init(void);
void router_dispatch(req *r);
/* The dispatcher's two permission phases, exposed for tests: the read-only checks (session,
 * CSRF, capability, input, scope on a reader snapshot) and, for state-changing routes, the
 * re-check inside the write transaction (session and grants read again on the writer, the
 * capability and scope checked again). 0: go on; -1: r holds the refusal. */
int router_check(req *r);
int router_recheck_in_tx(req *r);
/* router_dispatch in two parts: router_prepare (the read-only phase; 0 when the request goes on)
 * and router_write (the re-check on the writer, the handler, a transaction left open rolled back). */
int router_prepare(req *r);
void router_write(req *r);
/* Matches method+path; returns the route index, -1 if the path is unknown, -2 if only the
 * method is wrong (then `allow` lists the methods). */
int router_match(const char *method, const char *path, int64_t *params, int *nparams, char *allow, size_t allow_len);
/* Validates `in` against `spec`; on success *out is a new object holding only declared,
 * typed fields. `from_query` treats every value as a string to convert. */
int validate_fields(const field_spec *spec, json_t *in, bool from_query, json_t **out, app_err *e);

#endif

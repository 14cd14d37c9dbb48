/* requests.h: yêu cầu của chủ thể dữ liệu — a person's requests about the data held on them
 * (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15): to see it (access), correct it, restrict its
 * processing, or delete it; each must be answered within 72 hours of being filed.
 * Owns: the data_requests table (migration 8) and what a restriction means in SQL.
 * Never: copies a request's message into the audit log (callers log the kind and outcome only);
 * reads the clock itself (every function takes `now`, so tests can put a request 73 hours in the
 * past without waiting).
 *
 * Who: a resident files and lists their own requests through the account linked to their person
 * record (users.person_id); staff with people.write on the person's registering unit list, read
 * and answer them (the dispatcher checks one request through requests_reach; lists join the
 * caller's grants in SQL, scope.h).
 *
 * Effects of an answer `done`: a `delete` soft-deletes the person (people_delete: hidden at once,
 * purged after the retention period; the account is unlinked, but the filing account still sees
 * its requests and their answers). A `restrict` makes the person *restricted* for as long as the
 * answered request stands: REQUESTS_RESTRICTED_SQL below is the one definition, and a restricted
 * person is left out of every export (export.c). `access` and `correct` change nothing by
 * themselves: the officer shows or corrects the record through the registry and says so in the
 * answer. A `refused` answer must give its reason (a state body may keep what its duties need).
 */
#ifndef HOCVUSO_REQUESTS_H
#define HOCVUSO_REQUESTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"

/* The law's clock: 72 hours from filing. */
#define REQUESTS_DUE_SECONDS (72 * 3600)
/* Characters of a message or an answer. */
#define REQUESTS_TEXT_MAX 2000

/* The person `pid` (an SQL expression) is restricted: a `restrict` request of theirs was answered
 * `done`. Used by export.c (and any later bulk processing) as NOT REQUESTS_RESTRICTED_SQL(…). */
#define REQUESTS_RESTRICTED_SQL(pid)                                                              \
  "EXISTS (SELECT 1 FROM data_requests rr_ WHERE rr_.person_id = " pid " AND rr_.kind = 'restrict'" \
  " AND rr_.outcome = 'done')"

/* True for "access", "correct", "restrict", "delete". */
bool requests_kind_valid(const char *kind);

/* Files a request of the person `person_id` from the account `user_id`, at `now`; due at now +
 * 72 h. `message` may be NULL or empty except for `correct` (what to correct). 400 naming the
 * field for a bad kind or message. */
int requests_create(store_conn *w, int64_t person_id, int64_t user_id, const char *kind, const char *message,
                    int64_t now, int64_t *id, app_err *e);

/* One request as JSON (see RequestItem in openapi.c), with `overdue` and `hours_left` as of `now`.
 * 404 when absent. */
int requests_get(store_conn *c, int64_t id, int64_t now, json_t **out, app_err *e);

/* The requests the account filed, newest first (at most 200), as their filer sees them. */
int requests_list_own(store_conn *c, int64_t user_id, int64_t now, json_t **items, app_err *e);

typedef struct request_query {
  const char *status; /* "open" (NULL: the same), "answered", "all" */
  bool overdue;       /* only open requests past their due time */
  int64_t unit_id;    /* 0: the caller's whole scope; else persons registered in this subtree */
  int page, per_page;
} request_query;
/* Requests whose person's registering unit lies in `scope`: open ones first, the most urgent
 * first. 400 naming `status` for a bad status. */
int requests_list(store_conn *c, const scope_sql *scope, const request_query *q, int64_t now, json_t **items,
                  int64_t *total, app_err *e);

/* Counts in `scope` at `now`: open, open and overdue, open and due within 24 hours. */
typedef struct request_summary {
  int64_t open, overdue, due_within_24h;
} request_summary;
int requests_summary(store_conn *c, const scope_sql *scope, int64_t now, request_summary *out, app_err *e);

/* For the dispatcher: the registering unit of the request's person (a deleted person's too) and
 * its path (in `a`). 404 when the request does not exist. */
int requests_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e);

/* What an answer did, for the caller's audit entry. */
typedef struct request_answered {
  int64_t person_id, unit_id;
  char kind[16];
  bool done;
  bool person_deleted;  /* a delete request done: the person was soft-deleted now */
  bool restricted;      /* a restrict request done: the person is restricted from now on */
} request_answered;
/* Answers the open request `id` as `by_user` at `now`: outcome "done" or "refused"; `answer` is
 * required for a refusal (its reason). 409 when already answered. Applies the effect of a `done`
 * (see the top of this file) in the caller's transaction. */
int requests_answer(store_conn *w, int64_t id, const char *outcome, const char *answer, int64_t by_user, int64_t now,
                    int retention_days, request_answered *out, app_err *e);

#endif

/* helpreq.h: yêu cầu hỗ trợ — help requests (issue 9 part 11): a resident, a relative or the
 * service-centre desk asks for help ("activate VNeID level 2 for my mother"), by phone or at the desk
 * (entered by staff) or through the public form (no account, rate-limited per address); the request
 * goes to the team of the tổ dân phố named, a member takes it, and it is closed with the visit
 * (field.h) that recorded its outcome. Open and overdue requests are counted by tổ dân phố.
 * Owns: help_requests (migration 19). Not requests.c, which is about data subjects' requests.
 * Never: checks who may call (the route table and SCOPE_HELP_REQUEST do); never answers the public
 * anything but the request's number. */
#ifndef HOCVUSO_HELPREQ_H
#define HOCVUSO_HELPREQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"

/* A request not done this long after it was made is overdue. */
#define HELPREQ_DUE_SECONDS (3 * 86400)

typedef struct helpreq_input {
  int64_t unit_id;            /* the tổ dân phố */
  const char *channel;        /* "phone", "desk" (staff), "web" (the public form) */
  const char *relation;       /* "self", "relative", "desk" */
  const char *requester_name; /* who asks */
  const char *phone;          /* a number to call back (required on the public form) */
  const char *resident_name;  /* who needs the help, when not the requester */
  const char *address;
  const char *topic;          /* a field topic code, or NULL */
  const char *description;
} helpreq_input;

/* Records a request (by_user 0: the public form). 400 naming the field, 404 for an unknown tổ. */
int helpreq_create(store_conn *w, const helpreq_input *in, int64_t by_user, int64_t now, int64_t *id, app_err *e);
/* The request's tổ and its path (in `a`); 404 when there is none. */
int helpreq_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e);
int helpreq_get(store_conn *c, int64_t id, int64_t now, json_t **out, app_err *e);
/* A member takes an open request (409 when taken by someone else or done; taking one's own again
 * changes nothing). */
int helpreq_take(store_conn *w, int64_t id, int64_t by_user, int64_t now, app_err *e);
/* Closes a request with the visit that recorded its outcome: a visit of the request's tổ made on or
 * after the day the request was made (400 naming visit_id otherwise); 409 when already done. */
int helpreq_done(store_conn *w, int64_t id, int64_t visit_id, int64_t by_user, int64_t now, app_err *e);
typedef struct helpreq_query {
  int64_t unit_id;    /* 0: the whole scope */
  const char *status; /* "open" (open or taken), "overdue", "done", or NULL: all */
  int page, per_page;
} helpreq_query;
/* Requests whose tổ lies in the scope, overdue first, then by due time. */
int helpreq_list(store_conn *c, const scope_sql *scope, const helpreq_query *q, int64_t now, json_t **items,
                 int64_t *total, app_err *e);
/* Per tổ dân phố in the scope with any request: open (open or taken), overdue, done. */
int helpreq_summary(store_conn *c, const scope_sql *scope, int64_t unit_id, int64_t now, json_t **items, app_err *e);
/* The tổ dân phố of the instance's ward(s), for the public form: [{id, name}]. */
int helpreq_public_units(store_conn *c, json_t **items, app_err *e);
/* Requests of the tổ closed with done_at in [from, to] (epoch seconds). */
int helpreq_closed_count(store_conn *c, int64_t unit_id, int64_t from, int64_t to, int64_t *n, app_err *e);

#endif

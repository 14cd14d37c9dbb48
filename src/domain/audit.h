/* audit.h: nhật ký — the append-only audit log.
 * Owns: the audit_log table. Every write, and every read of a person's record by staff, is
 * appended here in the same transaction as the act it records.
 * Never: updates or deletes an entry (the database's triggers refuse it too).
 */
#ifndef HOCVUSO_AUDIT_H
#define HOCVUSO_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"

/* The names an entry keeps, when its caller has read them already (in the same transaction, as the
 * entry's own look-up would read them): actor_name the actor's display name, entity_name the
 * object's (an account's, a unit's or a person's; NULL for other kinds), unit_name and unit_path
 * the unit's (audit_entry.unit_id, which must be set). NULL fields are stored as NULL. */
typedef struct audit_names {
  const char *actor_name, *entity_name, *unit_name, *unit_path;
} audit_names;

typedef struct audit_entry {
  int64_t actor_id;           /* 0: the system or an anonymous caller */
  const char *actor_username; /* NULL when unknown */
  const char *action;         /* "unit.create", "session.login", "person.read", … */
  const char *entity;         /* "unit", "user", "session", … */
  int64_t entity_id;          /* 0: none */
  int64_t unit_id;            /* 0: none */
  const char *ip;
  const json_t *detail;       /* small object, or NULL; never a secret */
  const audit_names *names;   /* NULL: read by the entry's own statement (q_names) */
} audit_entry;

int audit_append(store_conn *w, const audit_entry *a);

typedef struct audit_query {
  const scope_sql *scope; /* the caller's grants for audit.read */
  const char *actor;  /* username */
  const char *action; /* exact, or a prefix ending in '.' ("user.") */
  const char *entity;
  int64_t entity_id;  /* 0: any; else the entries about that object (with `entity`: of that kind) */
  const char *name;   /* part of a name (actor, object, unit, typed user name), accent-insensitive */
  int64_t since, until; /* epoch seconds; 0: open */
  int64_t before, after; /* keyset cursors: entries with a smaller (before) or larger (after) id */
  int per_page;
} audit_query;

/* Counting stops past this many matches (the total is then unknown). */
#define AUDIT_COUNT_CAP 1000

typedef struct audit_page {
  json_t *items;     /* newest first; owned by the caller */
  int64_t total;     /* -1 when more than AUDIT_COUNT_CAP match */
  bool total_known;
  int64_t older;     /* cursor for the next older page (`before`), 0: none */
  int64_t newer;     /* cursor for the next newer page (`after`), 0: none */
} audit_page;

int audit_list(store_conn *c, const audit_query *q, audit_page *out, app_err *e);

#endif

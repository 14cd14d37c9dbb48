/* units.h: đơn vị — the administrative and organisational hierarchy (city → ward → tổ dân phố;
 * phòng/ban, schools, enterprises, cooperatives, teams; any depth).
 * Owns: the units table. Only an empty unit is deleted (no children, accounts or grants); the
 * audit log keeps the names it had (entries store a snapshot of them).
 */
#ifndef HOCVUSO_UNITS_H
#define HOCVUSO_UNITS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/arena.h"

typedef struct unit_kind {
  const char *code;
  const char *label;
  bool root;           /* may be a top-level unit */
  const char *parents; /* the kinds it may sit under, space-separated */
} unit_kind;
extern const unit_kind unit_kinds[];
extern const int unit_kinds_count;
const char *unit_kind_label(const char *code); /* NULL for an unknown kind */
/* May a unit of `kind` sit under one of `parent_kind` (NULL: at the top)? */
bool unit_kind_parent_ok(const char *kind, const char *parent_kind);

typedef struct unit_list_query {
  int64_t parent_id; /* 0: no parent filter */
  const char *q;     /* search text, or NULL */
  int page, per_page;
} unit_list_query;

/* The unit's path; 404 when it does not exist. */
int units_path(store_conn *c, int64_t id, arena *a, const char **path, app_err *e);
/* Unit `id`'s subtree as a range of paths: lo = its path ("…/id/"), hi = the same with its last
 * '/' turned '0', so that every unit under it (and itself) has lo <= path < hi. Both of at most n
 * bytes. 404 when absent. */
int units_subtree(store_conn *c, int64_t id, char *lo, char *hi, size_t n, app_err *e);
/* A unit as read by units_load: strings in the arena; ancestors root first, without the unit. */
typedef struct unit_anc {
  int64_t id;
  const char *name;
} unit_anc;
typedef struct unit_rec {
  int64_t id, parent_id; /* parent_id 0: a top-level unit */
  const char *kind, *name, *code, *path; /* code NULL when none */
  int64_t depth, children_count;
  unit_anc *ancestors;
  int nancestors;
} unit_rec;
/* The unit and its ancestors in one statement; 404 when it does not exist. */
int units_load(store_conn *c, int64_t id, arena *a, unit_rec *out, app_err *e);
/* The unit as the API shows it, with `ancestors` when `with_ancestors`; NULL when out of memory. */
json_t *units_json(const unit_rec *u, int with_ancestors);
/* The unit as JSON, with `ancestors` when `with_ancestors`. */
int units_get(store_conn *c, int64_t id, int with_ancestors, json_t **out, app_err *e);
/* Units within `scope` (the caller's grants for units.read, joined in SQL): children of
 * parent_id, matches of q, or with neither the roots themselves. Paginated. */
int units_list(store_conn *c, const scope_sql *scope, const unit_list_query *q, json_t **items, int64_t *total,
               app_err *e);
int units_create(store_conn *w, int64_t parent_id, const char *kind, const char *name, const char *code, int64_t *id,
                 app_err *e);
/* Changes name, kind and/or code (NULL: unchanged; "" code: removed). */
int units_update(store_conn *w, int64_t id, const char *name, const char *kind, const char *code, app_err *e);
/* Moves the unit (and its subtree) under `parent_id`; *old_parent receives the former parent. */
int units_move(store_conn *w, int64_t id, int64_t parent_id, int64_t *old_parent, app_err *e);
/* Deletes an empty unit: 409 when it has children, accounts or grants. */
int units_delete(store_conn *w, int64_t id, int64_t *parent_out, app_err *e);
/* Finds a unit by code, or by id when `ref` is a number. 0 when none. */
int64_t units_find(store_conn *c, const char *ref);
int64_t units_count(store_conn *c);
/* The unit named `name` (compared as the duplicate-name rule does: folded) directly under
 * parent_id (0: at the top); 0 when none. */
int64_t units_find_child(store_conn *c, int64_t parent_id, const char *name);
/* The name of the ward or commune nearest the top (the one this instance serves), else of the
 * single top-level unit; "" when there is none or several. */
int units_instance_name(store_conn *c, char *out, size_t len);

/* Every unit (id, kind, name, path) with whether it lies in `scope`, in id order, for a list
 * import's name lookups; `cb` returns 0 to go on. 0, or -1 on a database error or when cb stops. */
typedef int (*units_each_fn)(void *ctx, int64_t id, const char *kind, const char *name, const char *path,
                             bool in_scope);
int units_each_scoped(store_conn *c, const scope_sql *scope, units_each_fn cb, void *ctx);

#endif

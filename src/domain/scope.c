/* scope.c: capability checks on the unit tree, and the binder of the SQL scope (see scope.h). */
#include "domain/scope.h"

#include <stdio.h>
#include <string.h>

#include "util/arena.h"

bool scope_path_within(const char *path, const char *root) {
  size_t n = strlen(root);
  return n && strncmp(path, root, n) == 0;
}

bool scope_can(const principal *p, caps_t cap, const char *unit_path) {
  if (!p || !unit_path) return false;
  for (int i = 0; i < p->ngrants; i++)
    if ((p->grants[i].caps & cap) == cap && scope_path_within(unit_path, p->grants[i].unit_path)) return true;
  return false;
}

bool scope_can_each(const principal *p, caps_t caps, const char *unit_path) {
  for (int b = 0; b < CAP_COUNT; b++) {
    caps_t bit = (caps_t)1u << b;
    if ((caps & bit) && !scope_can(p, bit, unit_path)) return false;
  }
  return p && unit_path;
}

bool scope_at_top(const principal *p, caps_t cap) {
  if (!p) return false;
  for (int i = 0; i < p->ngrants; i++) {
    const grant *g = &p->grants[i];
    /* depth 0: "/N/" has exactly two slashes */
    const char *second = g->unit_path ? strchr(g->unit_path + 1, '/') : NULL;
    if ((g->caps & cap) == cap && second && second[1] == '\0') return true;
  }
  return false;
}

const char *scope_hi(arena *a, const char *path) {
  size_t n = strlen(path);
  char *hi = arena_strndup(a, path, n);
  if (n) hi[n - 1] = '0'; /* '/' + 1 == '0' */
  return hi;
}

void scope_sql_of(scope_sql *s, const principal *p, caps_t cap) {
  memset(s, 0, sizeof *s);
  s->user_id = p ? p->user_id : 0;
  size_t used = 0;
  s->roles[used++] = ',';
  for (int i = 0; i < roles_count && cap; i++) {
    if ((roles_table[i].caps & cap) != cap) continue;
    int n = snprintf(s->roles + used, sizeof s->roles - used, "%s,", roles_table[i].code);
    if (n < 0 || (size_t)n >= sizeof s->roles - used) break; /* cannot happen: the table is small */
    used += (size_t)n;
  }
  s->roles[used] = '\0';
  if (!cap || !p) s->user_id = 0; /* no capability asked for: nothing is "in scope" by grant */
}

void scope_sql_all(scope_sql *s) {
  memset(s, 0, sizeof *s);
  s->all = true;
  s->roles[0] = ',';
}

int scope_bind(store_stmt *st, int i, const scope_sql *s) {
  store_bind_int(st, i++, s->all ? 1 : 0);
  store_bind_int(st, i++, s->user_id);
  store_bind_text(st, i++, s->roles);
  return i;
}

int scope_reach(store_conn *c, const store_sql *q, int64_t id, arena *a, int64_t *unit_id, const char **path,
                const char *missing, app_err *e) {
  store_stmt *s = store_prepare(c, q);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *unit_id = store_col_int(s, 0);
    *path = arena_strdup(a, store_col_text(s, 1));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", missing);
  return rc == STORE_ROW && *path ? 0 : APP_INTERNAL(e);
}

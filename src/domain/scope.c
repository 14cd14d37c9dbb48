/* scope.c: capability checks on the unit tree (see scope.h). */
#include "domain/scope.h"

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

const char *scope_hi(arena *a, const char *path) {
  size_t n = strlen(path);
  char *hi = arena_strndup(a, path, n);
  if (n) hi[n - 1] = '0'; /* '/' + 1 == '0' */
  return hi;
}

void scope_roots(const principal *p, caps_t cap, arena *a, scope_ranges *out) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < SCOPE_MAX_ROOTS; i++) out->lo[i] = out->hi[i] = "";
  if (!p) return;
  for (int i = 0; i < p->ngrants && out->n < SCOPE_MAX_ROOTS; i++) {
    const grant *g = &p->grants[i];
    if ((g->caps & cap) != cap) continue;
    /* Skip a grant that lies under another grant with the capability. */
    bool covered = false;
    for (int k = 0; k < p->ngrants && !covered; k++) {
      const grant *o = &p->grants[k];
      if (k == i || (o->caps & cap) != cap) continue;
      if (strcmp(o->unit_path, g->unit_path) == 0 ? k < i : scope_path_within(g->unit_path, o->unit_path))
        covered = true;
    }
    if (covered) continue;
    out->lo[out->n] = g->unit_path;
    out->hi[out->n] = scope_hi(a, g->unit_path);
    /* depth 0: "/N/" has exactly two slashes */
    const char *second = strchr(g->unit_path + 1, '/');
    if (second && second[1] == '\0') out->has_root = true;
    out->n++;
  }
}

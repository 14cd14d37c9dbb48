/* arena.h: a request arena: many small allocations, freed all at once when the request ends.
 * Allocation never returns NULL: on exhaustion of memory the process logs and aborts, as
 * PostgreSQL's palloc does, so that handlers need no NULL check per string.
 * Anything that must outlive the request is allocated apart, with one owner.
 */
#ifndef HOCVUSO_ARENA_H
#define HOCVUSO_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct arena {
  arena_block *head;
  size_t total;
} arena;

void arena_init(arena *a);
void arena_free(arena *a); /* frees every block; the arena can be reused */
void *arena_alloc(arena *a, size_t n); /* zeroed, aligned for any type */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
__attribute__((format(printf, 2, 3))) char *arena_printf(arena *a, const char *fmt, ...);

#endif

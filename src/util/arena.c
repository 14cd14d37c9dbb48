/* arena.c: the request arena (see arena.h). */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
  arena_block *next;
  size_t used, size;
  max_align_t data[];
};

#define ARENA_BLOCK 8192

void arena_init(arena *a) {
  a->head = NULL;
  a->total = 0;
}

void arena_free(arena *a) {
  arena_block *b = a->head;
  while (b) {
    arena_block *n = b->next;
    free(b);
    b = n;
  }
  arena_init(a);
}

void *arena_alloc(arena *a, size_t n) {
  const size_t align = sizeof(max_align_t);
  size_t need = (n + align - 1) & ~(align - 1);
  if (need < n) abort();
  arena_block *b = a->head;
  if (!b || b->size - b->used < need) {
    size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
    b = malloc(sizeof *b + size);
    if (!b) {
      fputs("{\"level\":\"fatal\",\"msg\":\"out of memory\"}\n", stderr);
      abort();
    }
    b->used = 0;
    b->size = size;
    /* A block for one large allocation goes behind the head, so the head keeps its room. */
    if (a->head && need > ARENA_BLOCK) {
      b->next = a->head->next;
      a->head->next = b;
    } else {
      b->next = a->head;
      a->head = b;
    }
    a->total += size;
  }
  void *p = (char *)b->data + b->used;
  b->used += need;
  memset(p, 0, n);
  return p;
}

char *arena_strndup(arena *a, const char *s, size_t n) {
  char *p = arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *arena_strdup(arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(arena *a, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    va_end(ap2);
    return arena_strdup(a, "");
  }
  char *p = arena_alloc(a, (size_t)n + 1);
  vsnprintf(p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return p;
}

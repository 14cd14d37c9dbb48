/* arena.c: the request arena (see arena.h). */
#include "util/arena.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* Each thread keeps one standard block back when an arena is freed, for the next arena's first
 * block: a request took 8 KiB from glibc's large bins (after a fast-bin consolidation) for its
 * first string and gave it back when it ended, ~2 % of a visit's CPU. The spare is the thread's
 * (its key's destructor frees it when the thread ends); never shared. */
static pthread_key_t spare_key;
static bool spare_ok;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static void spare_init(void) { spare_ok = pthread_key_create(&spare_key, free) == 0; }

static arena_block *spare_take(void) {
  pthread_once(&spare_once, spare_init);
  if (!spare_ok) return NULL;
  arena_block *b = pthread_getspecific(spare_key);
  if (b) pthread_setspecific(spare_key, NULL);
  return b;
}

/* true when the block was kept as the thread's spare */
static bool spare_keep(arena_block *b) {
  pthread_once(&spare_once, spare_init);
  if (!spare_ok || b->size != ARENA_BLOCK || pthread_getspecific(spare_key)) return false;
  return pthread_setspecific(spare_key, b) == 0;
}

void arena_init(arena *a) {
  a->head = NULL;
  a->total = 0;
}

void arena_free(arena *a) {
  arena_block *b = a->head;
  while (b) {
    arena_block *n = b->next;
    if (!spare_keep(b)) free(b);
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
    b = size == ARENA_BLOCK ? spare_take() : NULL;
    if (!b) b = malloc(sizeof *b + size);
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

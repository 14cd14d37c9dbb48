/* buf.h: the one growable byte buffer.
 * Invariants: once buf_init()ed, `data` is never NULL and always NUL-terminated at data[len];
 * `cap` is private. buf_detach() is the one way to take ownership of the bytes.
 * Allocation failure sets `oom` and makes every later append a no-op: check it once at the end.
 */
#ifndef HOCVUSO_BUF_H
#define HOCVUSO_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct buf {
  char *data;
  size_t len;
  size_t cap; /* private */
  bool oom;
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_clear(buf *b);
bool buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
__attribute__((format(printf, 2, 3))) void buf_printf(buf *b, const char *fmt, ...);
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Returns the bytes (NUL-terminated) and leaves `b` empty and initialised; NULL after oom. */
char *buf_detach(buf *b, size_t *len);

#endif

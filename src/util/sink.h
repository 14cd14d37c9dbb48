/* sink.h: where a request body goes while it arrives: a small memory buffer (JSON routes) or an
 * unlinked temporary file (upload routes), either one bounded by a byte limit.
 * Owns: the buffer or the file descriptor, until sink_close().
 * Never: grows past its limit (the rest of an oversized body is counted and dropped) or leaves a
 * named file behind (the file is unlinked from birth).
 */
#ifndef HOCVUSO_SINK_H
#define HOCVUSO_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct body_sink {
  bool to_file;   /* true: the body goes to fd; false: to mem */
  int fd;         /* the unlinked file, -1 when none */
  char *mem;      /* NUL-terminated copy of the body so far (memory mode), or NULL */
  size_t len;     /* bytes kept */
  size_t cap;     /* bytes allocated in mem */
  size_t limit;   /* most bytes kept */
  uint64_t seen;  /* bytes offered, kept or not */
  bool too_large; /* more than `limit` bytes were offered: nothing is kept any more */
} body_sink;

/* A sink that keeps nothing yet; always succeeds. sink_close() is safe on it. */
void sink_init(body_sink *s, size_t limit);
/* Switches an empty sink to file mode: an unlinked file in `dir` (O_TMPFILE, else mkstemp and
 * unlink). -1 with errno set when no file can be made. */
int sink_to_file(body_sink *s, const char *dir);
/* Appends n bytes. 0: kept, or dropped because the body is over the limit (too_large says
 * which); -1: out of memory or a write failed (errno set). */
int sink_write(body_sink *s, const void *data, size_t n);
/* After the last write, in file mode: the descriptor positioned at the first byte; -1 on error. */
int sink_rewind(body_sink *s);
void sink_close(body_sink *s);

#endif

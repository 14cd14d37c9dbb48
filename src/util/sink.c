/* sink.c: request bodies in memory or in an unlinked temporary file (see sink.h). */
#include "util/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sink_init(body_sink *s, size_t limit) {
  memset(s, 0, sizeof *s);
  s->fd = -1;
  s->limit = limit;
}

int sink_to_file(body_sink *s, const char *dir) {
  if (s->fd >= 0 || s->len) {
    errno = EINVAL;
    return -1;
  }
  int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    /* A file system without O_TMPFILE: a named file that lives unnamed after one unlink. */
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/.upload-XXXXXX", dir) >= sizeof path) {
      errno = ENAMETOOLONG;
      return -1;
    }
    fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) return -1;
    if (unlink(path) != 0) {
      int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }
  }
  s->fd = fd;
  s->to_file = true;
  return 0;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int sink_write(body_sink *s, const void *data, size_t n) {
  s->seen += n;
  if (s->too_large) return 0;
  if (n > s->limit - s->len) {
    /* Over the limit: keep nothing more, and give back what was kept. */
    s->too_large = true;
    free(s->mem);
    s->mem = NULL;
    s->len = s->cap = 0;
    if (s->fd >= 0 && ftruncate(s->fd, 0) != 0) return -1;
    return 0;
  }
  if (s->to_file) {
    if (write_all(s->fd, data, n) != 0) return -1;
    s->len += n;
    return 0;
  }
  if (s->len + n + 1 > s->cap) {
    size_t ncap = s->cap ? s->cap : 1024;
    while (ncap < s->len + n + 1) ncap *= 2;
    char *p = realloc(s->mem, ncap);
    if (!p) return -1;
    s->mem = p;
    s->cap = ncap;
  }
  memcpy(s->mem + s->len, data, n);
  s->len += n;
  s->mem[s->len] = '\0';
  return 0;
}

int sink_rewind(body_sink *s) {
  if (s->fd < 0) {
    errno = EBADF;
    return -1;
  }
  return lseek(s->fd, 0, SEEK_SET) == 0 ? s->fd : -1;
}

void sink_close(body_sink *s) {
  if (s->fd >= 0) close(s->fd);
  free(s->mem);
  sink_init(s, s->limit);
}

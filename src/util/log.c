/* log.c: structured logging to stderr (see log.h). Lines are written with one write(2) so
 * that lines from several threads never interleave. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/jsonx.h"

static log_level min_level = LOG_INFO;
static const char *level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(log_level l) { min_level = l; }

void log_line(const char *json, size_t len) {
  buf b;
  buf_init(&b);
  buf_append(&b, json, len);
  buf_putc(&b, '\n');
  if (!b.oom) {
    ssize_t w = write(STDERR_FILENO, b.data, b.len);
    (void)w;
  }
  buf_free(&b);
}

void log_msg(log_level l, const char *fmt, ...) {
  if (l < min_level) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  char ts[32];
  clock_iso8601(clock_now_ms() / 1000, ts, sizeof ts);
  buf b;
  buf_init(&b);
  buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":", ts, level_names[l]);
  jsonx_escape(&b, msg, strlen(msg));
  buf_putc(&b, '}');
  if (!b.oom) log_line(b.data, b.len);
  buf_free(&b);
}

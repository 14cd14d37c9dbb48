/* log.h: structured logging, one JSON object per line on stderr.
 * Never: logs a secret, a password or a session token; callers pass only what may be read.
 */
#ifndef HOCVUSO_LOG_H
#define HOCVUSO_LOG_H

#include <stddef.h>

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

void log_set_level(log_level l);
__attribute__((format(printf, 2, 3))) void log_msg(log_level l, const char *fmt, ...);
/* Writes one already-formatted JSON line (the access log); adds the newline. */
void log_line(const char *json, size_t len);

#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif

/* server.h: the HTTP server: libmicrohttpd with epoll and a thread pool. */
#ifndef HOCVUSO_SERVER_H
#define HOCVUSO_SERVER_H

#include "http/http.h"

/* Serves until SIGTERM or SIGINT, then stops taking connections, lets in-flight requests
 * finish (up to 25 s) and returns 0; -1 with a message when it cannot start. */
int server_run(app *a, char *err, size_t errlen);
/* Renders an error answer for r->err (used by the server and tests). */
json_t *server_error_json(const req *r);

#endif

/* metrics.h: request counters and latency histograms by route, for /metrics (Prometheus). */
#ifndef HOCVUSO_METRICS_H
#define HOCVUSO_METRICS_H

#include "http/http.h"
#include "util/buf.h"

metrics *metrics_new(int nroutes);
void metrics_free(metrics *m);
/* route: index in the route table, or -1 (unmatched) / -2 (static files). */
void metrics_observe(metrics *m, int ri, int status, double seconds);
void metrics_conn(metrics *m, int delta); /* open connections */
typedef enum { LOGIN_REFUSED_LOGIN, LOGIN_REFUSED_PASSWORD_CHANGE, LOGIN_REFUSED_COUNT } login_refused_kind;
/* A log-in (or a password change) refused by the throttle with 429. */
void metrics_login_refused(metrics *m, login_refused_kind k);
/* A request refused with 503 because the hashing queue was full. */
void metrics_pool_refused(metrics *m);
void metrics_render(metrics *m, app *a, buf *out);

#endif

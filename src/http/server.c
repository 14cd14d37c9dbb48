/* server.c: the socket side of a request: libmicrohttpd callbacks, the request's life from
 * first byte to access-log line, the checks of a request's framing before its body is read,
 * security headers, compression, graceful shutdown.
 * Owns: the MHD daemon; every req (created when the request line is complete, freed when MHD says
 * the request is complete); every connection's record (its count per address, its header
 * deadline) and the reaper thread that enforces those deadlines and drains lingering sockets.
 * Never: decides who may do what (router.c) or touches SQL (domain/).
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "domain/sessions.h"
#include "http/connlimit.h"
#include "http/metrics.h"
#include "http/static.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/hashpool.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/utf8.h"

#define GZIP_MIN 1024
/* A request header of more than this (names and values) or more fields, or a query string of
 * more parameters or bytes, is answered 431 by us before it can exhaust MHD's per-connection
 * memory (MHD_MEMORY below), which would end in MHD's own HTML page or in silence. */
#define HEADER_BYTES_MAX (8 * 1024)
#define HEADER_FIELDS_MAX 100
#define QUERY_PARAMS_MAX 100
#define QUERY_BYTES_MAX (4 * 1024)
#define MHD_MEMORY ((size_t)32 * 1024)

static atomic_int inflight;
static hashpool *pool; /* password hashing, off the request threads */
#define POOL_QUEUE 1024
static atomic_bool shutting_down; /* answers then say Connection: close */

#define CSP_REST                                                                               \
  "; img-src 'self' data:; connect-src 'self'; font-src 'self'; media-src 'self'; object-src 'none'; " \
  "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
static const char *const CSP = "default-src 'self'; script-src 'self'; style-src 'self'" CSP_REST;
/* index.html's: the same, plus the hashes of its own inline scripts (nothing else inline runs). */
static char index_csp[768];

/* ---- request set-up ---- */

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

static const char *header(struct MHD_Connection *c, const char *name) {
  return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static void client_address(req *r, struct MHD_Connection *c) {
  char ip[INET6_ADDRSTRLEN] = "unknown";
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (ci && ci->client_addr) {
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
      inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip, sizeof ip);
    else if (sa->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip, sizeof ip);
  }
  r->ip = arena_strdup(&r->a, ip);
  const char *proxy = r->app->cfg.trusted_proxy;
  if (!proxy[0] || strcmp(proxy, ip) != 0) return;
  /* Only the configured proxy is believed; it sets X-Forwarded-For to the client's address. */
  const char *xff = header(c, "X-Forwarded-For");
  if (xff && *xff) {
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ') last++;
    unsigned char tmp[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, last, tmp) == 1 || inet_pton(AF_INET6, last, tmp) == 1)
      r->ip = arena_strdup(&r->a, last);
  }
  const char *proto = header(c, "X-Forwarded-Proto");
  r->https = proto && strcasecmp(proto, "https") == 0;
}

/* The request line is complete (MHD's URI log callback): the req is born here, so that the raw
 * request line can be checked once the header is complete. */
static req *req_create(app *a, const char *uri) {
  req *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  arena_init(&r->a);
  r->app = a;
  r->t0 = clock_mono();
  r->route_index = -1;
  r->match = -1;
  r->method = "";
  r->path = "";
  r->ip = "unknown";
  sink_init(&r->in, a->cfg.body_limit);
  if (uri) {
    r->raw_uri = uri;
    r->raw_uri_len = strlen(uri);
  }
  return r;
}

/* The header is complete: what the dispatcher and the access log need from it. */
static void req_fill(req *r, struct MHD_Connection *c, const char *url, const char *method) {
  r->method = arena_strdup(&r->a, method);
  r->path = arena_strdup(&r->a, url);
  const char *v;
  if ((v = header(c, "User-Agent")) && utf8_valid(v, strlen(v))) r->user_agent = arena_strdup(&r->a, v);
  if ((v = header(c, "Host")) && *v && strlen(v) < 256 && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == strlen(v))
    r->host = arena_strdup(&r->a, v);
  if ((v = header(c, "Accept-Encoding"))) r->accept_encoding = arena_strdup(&r->a, v);
  if ((v = header(c, "Content-Type"))) r->content_type = arena_strdup(&r->a, v);
  if ((v = header(c, "If-None-Match"))) r->if_none_match = arena_strdup(&r->a, v);
  if ((v = header(c, "X-CSRF-Token"))) r->csrf_header = arena_strdup(&r->a, v);
  if ((v = header(c, "Sec-Fetch-Site"))) r->fetch_site = arena_strdup(&r->a, v);
  if ((v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "hocvuso_session"))) r->cookie_token = arena_strdup(&r->a, v);
  if ((v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "hocvuso_device"))) r->device_cookie = arena_strdup(&r->a, v);
  client_address(r, c);
}

static void req_free(req *r) {
  if (!r) return;
  if (r->rconn) store_release(r->rconn);
  if (r->wconn) store_release(r->wconn);
  json_decref(r->query);
  json_decref(r->body);
  json_decref(r->out);
  free(r->raw);
  /* A stream or a file the server never handed to libmicrohttpd (an error came first). */
  if (r->stream_done) r->stream_done(r->stream_ctx);
  if (r->has_fd) close(r->fd);
  sink_close(&r->in);
  arena_free(&r->a);
  free(r);
}

static void release_db(req *r) {
  if (r->rconn) store_release(r->rconn);
  if (r->wconn) store_release(r->wconn);
  r->rconn = r->wconn = NULL;
}

/* ---- query string ---- */

typedef struct qctx {
  json_t *obj;
  bool bad_utf8;
} qctx;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  qctx *q = cls;
  if (!value) value = "";
  if (!utf8_valid(key, strlen(key)) || !utf8_valid(value, strlen(value))) {
    q->bad_utf8 = true;
    return MHD_NO;
  }
  json_object_set_new(q->obj, key, json_string(value));
  return MHD_YES;
}

/* ---- answering ---- */

json_t *server_error_json(const req *r) {
  json_t *j = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", r->err.code ? r->err.code : "internal", "message",
                        r->err.message ? r->err.message : "Lỗi hệ thống.", "field",
                        r->err.field ? json_string(r->err.field) : json_null());
  /* Several fields wrong at once: every one of them, so that a form shows them together. */
  if (j && r->err.nerrs > 1 && r->status < 500) {
    json_t *errs = json_array();
    for (int i = 0; errs && i < r->err.nerrs; i++)
      json_array_append_new(errs, json_pack("{s:o, s:s}", "field",
                                            r->err.errs[i].field ? json_string(r->err.errs[i].field) : json_null(),
                                            "message", r->err.errs[i].message ? r->err.errs[i].message : ""));
    if (errs) json_object_set_new(json_object_get(j, "error"), "errors", errs);
  }
  return j;
}

static bool accepts_gzip(const req *r) { return r->accept_encoding && strstr(r->accept_encoding, "gzip"); }

static void common_headers(struct MHD_Response *resp, const char *csp) {
  MHD_add_response_header(resp, "Content-Security-Policy", csp ? csp : CSP);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
}

/* ---- bodies produced in pieces (req_stream) ----
 * libmicrohttpd calls stream_read on the connection's thread each time the socket can take more,
 * with room for at most STREAM_PIECE bytes; the body goes out chunked. The record below is the
 * response's: created when the response is, freed (with the producer's context) by stream_free
 * when libmicrohttpd drops the response, after the last byte or when the connection was cut. */
#define STREAM_PIECE (32 * 1024)
typedef struct stream_rec {
  req_stream_fn fn;
  void (*done)(void *ctx);
  void *ctx;
} stream_rec;

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max) {
  (void)pos;
  stream_rec *s = cls;
  long n = s->fn(s->ctx, out, max);
  if (n > 0) return (ssize_t)n;
  return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void stream_free(void *cls) {
  stream_rec *s = cls;
  s->done(s->ctx);
  free(s);
}

/* The response for a req_stream or req_send_file answer; NULL on failure (the request still
 * owns what it had, and req_free releases it). */
static struct MHD_Response *piecewise_response(req *r) {
  if (r->has_fd) {
    struct MHD_Response *resp = MHD_create_response_from_fd64(r->fd_len, r->fd);
    if (resp) r->has_fd = false; /* libmicrohttpd closes it */
    return resp;
  }
  stream_rec *s = malloc(sizeof *s);
  if (!s) return NULL;
  *s = (stream_rec){r->stream_fn, r->stream_done, r->stream_ctx};
  struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_PIECE, stream_read, s, stream_free);
  if (!resp) {
    free(s);
    return NULL;
  }
  r->stream_fn = NULL; /* the response owns it now */
  r->stream_done = NULL;
  r->stream_ctx = NULL;
  return resp;
}

static enum MHD_Result send_response(struct MHD_Connection *c, req *r) {
  struct MHD_Response *resp = NULL;
  const char *type = "application/json; charset=utf-8";
  bool gz = false;
  if (r->status < 400 && (r->stream_done || r->has_fd)) {
    resp = piecewise_response(r);
    type = r->raw_type;
    if (!resp) return MHD_NO;
  } else if (r->static_body) {
    resp = MHD_create_response_from_buffer(r->static_len, (void *)(uintptr_t)r->static_body, MHD_RESPMEM_PERSISTENT);
    type = r->raw_type;
    gz = r->static_gzip;
  } else {
    char *body = NULL;
    size_t len = 0;
    if (r->raw) {
      body = r->raw;
      len = r->raw_len;
      r->raw = NULL;
      type = r->raw_type;
    } else if (r->status >= 400 || r->out) {
      json_t *j = r->status >= 400 ? server_error_json(r) : json_incref(r->out);
      body = jsonx_dump(j, &len);
      json_decref(j);
    }
    if (!body && r->status >= 400) {
      /* An error whose text could not be made JSON (a message that is not UTF-8: a bug upstream) is
       * still answered with the contract's shape and its status, its message replaced by a
       * generic one, never with an empty body. */
      log_error("%s %s: error answer %d could not be written (code %s)", r->method, r->path, r->status,
                r->err.code ? r->err.code : "?");
      bool client = r->status < 500;
      json_t *j = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", client && r->err.code ? r->err.code : "internal",
                            "message", client ? "Dữ liệu gửi lên không hợp lệ." : "Lỗi hệ thống. Vui lòng thử lại sau.",
                            "field", client && r->err.field ? json_string(r->err.field) : json_null());
      body = j ? jsonx_dump(j, &len) : NULL;
      json_decref(j);
      if (!body) {
        static const char fallback[] = "{\"error\":{\"code\":\"internal\",\"message\":\"L\u1ed7i h\u1ec7 th\u1ed1ng.\",\"field\":null}}";
        body = strdup(fallback);
        len = body ? sizeof fallback - 1 : 0;
        r->status = 500;
      }
    }
    if (body && len >= GZIP_MIN && accepts_gzip(r)) {
      size_t zlen = 0;
      char *z = gzip_compress(body, len, &zlen);
      if (z) {
        free(body);
        body = z;
        len = zlen;
        gz = true;
      }
    }
    resp = MHD_create_response_from_buffer(len, body ? body : (void *)"", body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) free(body);
  }
  if (!resp) return MHD_NO;
  common_headers(resp, r->csp);
  if (r->status != 204 && r->status != 304) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  if (gz) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
  if (!r->static_body) MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding, Cookie");
  if (r->err.retry_after > 0) {
    char ra[16];
    snprintf(ra, sizeof ra, "%d", r->err.retry_after);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
  }
  for (int i = 0; i < r->nhdr; i++) MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
  if (atomic_load(&shutting_down)) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
  enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static void serve_static(req *r) {
  r->route_index = -2;
  if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
    req_header(r, "Allow", "GET, HEAD");
    req_fail(r, 405, "method_not_allowed", NULL, "Phương thức không được hỗ trợ.");
    return;
  }
  /* index.html shows its log-in form at first paint unless the browser holds a session cookie. */
  const static_file *f = static_find_page(r->app->web, r->path, r->cookie_token && r->cookie_token[0]);
  if (!f) {
    req_fail(r, 404, "not_found", NULL, "Không tìm thấy trang.");
    return;
  }
  req_header(r, "ETag", f->etag);
  if (static_is_index(f)) r->csp = index_csp;
  /* Content-addressed files never change under their address; index.html is always revalidated. */
  req_header(r, "Cache-Control", static_immutable(r->app->web, r->path) ? "public, max-age=31536000, immutable" : "no-cache");
  if (r->if_none_match && (strstr(r->if_none_match, f->etag) || strcmp(r->if_none_match, "*") == 0)) {
    r->status = 304;
    r->static_body = "";
    r->static_len = 0;
    r->raw_type = f->type;
    return;
  }
  r->status = 200;
  r->raw_type = f->type;
  if (f->gz && accepts_gzip(r)) {
    r->static_body = f->gz;
    r->static_len = f->gz_len;
    r->static_gzip = true;
  } else {
    r->static_body = f->data;
    r->static_len = f->len;
  }
}

static bool is_api(const char *path) {
  return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 || strcmp(path, "/healthz") == 0 ||
         strncmp(path, "/.well-known/hocvuso/", 21) == 0 ||
         strcmp(path, "/metrics") == 0;
}

/* ---- connections: the per-address cap and the header deadline ---- */

/* One per TCP connection (MHD's socket context), from NOTIFY_CONNECTION STARTED to CLOSED. */
typedef struct conn {
  struct conn *prev, *next; /* on conns.head, for the reaper */
  conn_key key;
  bool counted;   /* counted in conns.limit (not exempt) */
  int fd;
  /* clock_mono() in microseconds by which the header being received must be complete; 0: none;
   * CONN_CUT: shut down by the reaper, for good. Atomic, changed only by exchange or
   * compare-and-swap: the worker clears it when a request starts, the reaper cuts or extends it. */
  atomic_int_fast64_t deadline_us;
  atomic_bool linger; /* answered before its body was read: drain the body after the answer */
} conn;

#define CONN_CUT ((int_fast64_t)-1)

/* Lingering close. A request answered before its body was read (413, 431, 501, 400) leaves the body
 * arriving; closing a socket with unread data makes the kernel send a reset, which can destroy the
 * answer before the client reads it. So the socket is kept (a dup of MHD's descriptor, which MHD
 * then closes), its sending side shut down, and what still arrives is read and dropped for up to
 * LINGER_SECONDS, by the reaper thread. */
#define LINGER_MAX 256
#define LINGER_SECONDS 2.0

static struct {
  connlimit *limit;
  pthread_mutex_t mu; /* guards the list and the lingering sockets */
  conn *head;
  pthread_t reaper;
  atomic_bool stop;
  atomic_uint_fast64_t refused, cut;
  struct {
    int fd;
    double until;
  } linger[LINGER_MAX];
  int nlinger;
} conns = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* MHD's accept policy: a connection beyond its address's cap is closed at once. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen) {
  (void)cls;
  (void)addrlen;
  conn_key k;
  if (!conns.limit || !connlimit_key(conns.limit, addr, &k) || connlimit_allows(conns.limit, &k)) return MHD_YES;
  atomic_fetch_add(&conns.refused, 1);
  return MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx, enum MHD_ConnectionNotificationCode t) {
  app *a = cls;
  if (t == MHD_CONNECTION_NOTIFY_STARTED) {
    metrics_conn(a->met, 1);
    conn *k = calloc(1, sizeof *k);
    *socket_ctx = k;
    if (!k) return;
    atomic_init(&k->deadline_us, 0);
    atomic_init(&k->linger, false);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && connlimit_key(conns.limit, ci->client_addr, &k->key))
      k->counted = connlimit_add(conns.limit, &k->key);
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    k->fd = ci ? ci->connect_fd : -1;
    atomic_store(&k->deadline_us, (int_fast64_t)((clock_mono() + a->cfg.header_timeout) * 1e6));
    pthread_mutex_lock(&conns.mu);
    k->next = conns.head;
    if (conns.head) conns.head->prev = k;
    conns.head = k;
    pthread_mutex_unlock(&conns.mu);
    return;
  }
  metrics_conn(a->met, -1);
  conn *k = *socket_ctx;
  if (!k) return;
  *socket_ctx = NULL;
  /* MHD closes the descriptor after this notification: once k is off the list, the reaper cannot
   * shut down a descriptor that a new connection reuses. */
  pthread_mutex_lock(&conns.mu);
  if (k->prev) k->prev->next = k->next;
  else conns.head = k->next;
  if (k->next) k->next->prev = k->prev;
  if (atomic_load(&k->linger) && k->fd >= 0 && conns.nlinger < LINGER_MAX) {
    int d = dup(k->fd);
    if (d >= 0) {
      shutdown(d, SHUT_WR);
      conns.linger[conns.nlinger].fd = d;
      conns.linger[conns.nlinger].until = clock_mono() + LINGER_SECONDS;
      conns.nlinger++;
    }
  }
  pthread_mutex_unlock(&conns.mu);
  if (k->counted) connlimit_del(conns.limit, &k->key);
  free(k);
}

static conn *conn_of(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci ? ci->socket_context : NULL;
}

/* The connection is answered before its body is read: drain it once the answer is out. */
static void conn_linger(struct MHD_Connection *c) {
  conn *k = conn_of(c);
  if (k) atomic_store(&k->linger, true);
}

/* Reads and drops what arrived on lingering sockets; closes those at their end or deadline.
 * Called with conns.mu held. */
static void drain_lingering(double now) {
  static char sink[65536];
  for (int i = 0; i < conns.nlinger;) {
    int fd = conns.linger[i].fd;
    bool done = now >= conns.linger[i].until;
    while (!done) {
      ssize_t n = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
      if (n > 0) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
      done = true; /* the client closed, or the socket failed */
    }
    if (done) {
      close(fd);
      conns.linger[i] = conns.linger[--conns.nlinger];
    } else {
      i++;
    }
  }
}

/* The header deadline of a connection, `seconds` from now once its next header is awaited. A
 * connection the reaper cut stays cut. */
static void conn_deadline(struct MHD_Connection *c, double seconds) {
  conn *k = conn_of(c);
  if (!k) return;
  int_fast64_t want = (int_fast64_t)((clock_mono() + seconds) * 1e6);
  int_fast64_t cur = atomic_load(&k->deadline_us);
  while (cur != CONN_CUT && !atomic_compare_exchange_weak(&k->deadline_us, &cur, want)) {
  }
}

/* A request's header is complete and it starts: no deadline while it is answered. False when
 * the reaper has cut the connection: MHD may still read a request out of the kernel's buffer
 * after the cut, and its answer could not be sent, so it must not run at all. */
static bool conn_request_starts(struct MHD_Connection *c) {
  conn *k = conn_of(c);
  if (!k) return true;
  int_fast64_t cur = atomic_load(&k->deadline_us);
  while (cur != CONN_CUT && !atomic_compare_exchange_weak(&k->deadline_us, &cur, 0)) {
  }
  return cur != CONN_CUT;
}

/* Does the unread data of a connection (peeked from the kernel's buffer) end a request header?
 * What MHD has already read is no longer there, so an empty line is looked for both inside the
 * data and across its start: MHD may hold "...\r\n", "...\r\n\r" or "...\n" of the header. Bare
 * LF line ends count, as MHD accepts them. */
static bool ends_header(const char *p, size_t n) {
  if (n >= 1 && p[0] == '\n') return true;
  if (n >= 2 && p[0] == '\r' && p[1] == '\n') return true;
  for (size_t i = 0; i + 1 < n; i++) {
    if (p[i] != '\n') continue;
    if (p[i + 1] == '\n' || (i + 2 < n && p[i + 1] == '\r' && p[i + 2] == '\n')) return true;
  }
  return false;
}

/* True when the client has sent its whole header and only waits for us: the header's end sits
 * unread in the kernel's buffer because the connection's worker is busy (parked on a database
 * wait, say). Called by the reaper with conns.mu held. */
static bool header_waits_unread(int fd) {
  static char peek[MHD_MEMORY + 4];
  ssize_t n = recv(fd, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
  return n > 0 && ends_header(peek, (size_t)n);
}

/* The reaper: MHD's timeout is an idle timeout, which a header trickled a byte at a time never
 * meets. Four times a second, a connection past its header deadline is shut down; MHD then reads
 * the end of the stream and closes it in its own thread. A connection whose complete header
 * waits unread in the kernel's buffer is not slow but waiting for its worker: it gets another
 * `header_timeout` instead, and again as long as that lasts. */
static void *reaper_main(void *arg) {
  app *a = arg;
  uint_fast64_t refused_logged = 0;
  double refused_at = 0;
  int lingering = 0;
  while (!atomic_load(&conns.stop)) {
    usleep(lingering ? 20 * 1000 : 250 * 1000);
    double now = clock_mono();
    int n = 0;
    pthread_mutex_lock(&conns.mu);
    drain_lingering(now);
    lingering = conns.nlinger;
    for (conn *k = conns.head; k; k = k->next) {
      int_fast64_t deadline_us = atomic_load(&k->deadline_us);
      if (deadline_us <= 0 || now * 1e6 < (double)deadline_us || k->fd < 0) continue;
      /* Compare-and-swap: if the worker started a request meanwhile, the connection is left alone. */
      if (header_waits_unread(k->fd)) {
        int_fast64_t later = (int_fast64_t)((now + a->cfg.header_timeout) * 1e6);
        atomic_compare_exchange_strong(&k->deadline_us, &deadline_us, later);
        continue;
      }
      if (!atomic_compare_exchange_strong(&k->deadline_us, &deadline_us, CONN_CUT)) continue;
      shutdown(k->fd, SHUT_RDWR);
      n++;
    }
    pthread_mutex_unlock(&conns.mu);
    if (n) {
      atomic_fetch_add(&conns.cut, (uint_fast64_t)n);
      log_warn("closed %d connection(s) whose request header was not complete in time", n);
    }
    /* Refusals are counted in on_accept and reported here, at most every ten seconds. */
    uint_fast64_t refused = atomic_load(&conns.refused);
    if (refused != refused_logged && now - refused_at >= 10) {
      log_warn("refused %llu connection(s) over the per-address cap (max-conns-per-ip) since the last report",
               (unsigned long long)(refused - refused_logged));
      refused_logged = refused;
      refused_at = now;
    }
  }
  return NULL;
}

/* ---- the header, checked before any body is read ---- */

typedef struct framing {
  size_t bytes;
  int fields;
  int n_cl, n_te;
  const char *cl, *te;
  bool cl_conflict;
} framing;

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                   const char *value, size_t value_size) {
  (void)kind;
  framing *f = cls;
  f->bytes += key_size + value_size + 4;
  f->fields++;
  if (strcasecmp(key, "Content-Length") == 0) {
    if (f->n_cl++ && (strlen(f->cl) != value_size || memcmp(f->cl, value, value_size) != 0)) f->cl_conflict = true;
    f->cl = value;
  } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
    f->n_te++;
    f->te = value;
  }
  return MHD_YES;
}

/* A raw NUL in the request line cuts the method or the URI short as C sees them, while MHD goes on
 * to the end of the line: then the method, the URI and the version do not follow each other. */
static bool request_line_hides_nul(const req *r, const char *method, const char *url, const char *version) {
  if (!r->raw_uri || url != r->raw_uri) return false; /* no request line seen by the URI callback */
  uintptr_t m = (uintptr_t)method, u = (uintptr_t)url, v = (uintptr_t)version;
  uintptr_t m_end = m + strlen(method);
  if (u <= m_end || u - m_end > 64) return true;
  for (const char *p = method + strlen(method) + 1; p < url; p++)
    if (*p != ' ') return true;
  if (version && *version && v > u && v - u < (1u << 20)) return v != u + r->raw_uri_len + 1;
  return false; /* no version: MHD answers such a line itself */
}

static int early_fail(req *r, int status, const char *code, const char *message) {
  req_header(r, "Connection", "close");
  return req_fail(r, status, code, NULL, message);
}

/* The header is complete: refuse what MHD would let through, before reading any body. 0: go on. */
static int check_header(req *r, struct MHD_Connection *c, const char *method, const char *url, const char *version) {
  if (request_line_hides_nul(r, method, url, version))
    return early_fail(r, 400, "bad_request", "Dòng yêu cầu chứa ký tự NUL.");
  if (r->query_too_big)
    return early_fail(r, 431, "headers_too_large", "Địa chỉ có quá nhiều tham số.");
  framing f = {0};
  MHD_get_connection_values_n(c, MHD_HEADER_KIND, scan_header, &f);
  if (f.bytes > HEADER_BYTES_MAX || f.fields > HEADER_FIELDS_MAX)
    return early_fail(r, 431, "headers_too_large", "Phần đầu của yêu cầu quá lớn.");
  if (f.n_te) {
    /* RFC 9112 §6.1: both framings at once is how requests are smuggled past a proxy. */
    if (f.n_cl) return early_fail(r, 400, "bad_request", "Không được gửi cùng lúc Content-Length và Transfer-Encoding.");
    if (f.n_te > 1 || strcasecmp(f.te, "chunked") != 0)
      return early_fail(r, 501, "not_implemented", "Chỉ hỗ trợ Transfer-Encoding: chunked.");
  }
  if (f.cl_conflict) return early_fail(r, 400, "bad_request", "Các giá trị Content-Length mâu thuẫn nhau.");
  /* The route is known from here on: its body limit and whether its body goes to a file. */
  if (utf8_valid(r->path, strlen(r->path)) && is_api(r->path))
    r->match = router_match(r->method, r->path, r->params, &r->nparams, r->allow, sizeof r->allow);
  const route *rt = r->match >= 0 ? &routes[r->match] : NULL;
  size_t limit = rt && rt->body_limit ? rt->body_limit : r->app->cfg.body_limit;
  long long n;
  if (f.cl && parse_int(f.cl, 0, INT64_MAX, &n) && (unsigned long long)n > limit)
    return early_fail(r, 413, "too_large", "Dữ liệu gửi lên quá lớn.");
  r->in.limit = limit;
  if (rt && !rt->body && rt->body_limit && sink_to_file(&r->in, r->app->cfg.data) != 0) {
    log_error("cannot make a temporary file for an upload in %s: %s", r->app->cfg.data, strerror(errno));
    return req_fail(r, 503, "unavailable", NULL, "Máy chủ tạm thời không nhận được tệp. Vui lòng thử lại sau.");
  }
  return 0;
}

/* ---- combined writes (route.combine; store_acquire_or_queue) ---- */

static req *req_of_combined(store_combined *it) { return (req *)(void *)((char *)it - offsetof(req, combine)); }

static void durable_done(void *arg);

/* The holder gave the writer back without running it: the request's own thread takes it. */
static void combined_back(store_combined *it) {
  req *r = req_of_combined(it);
  r->combine_back = true;
  if (atomic_fetch_add(&r->job_sync, 1) == 1) MHD_resume_connection(r->conn);
}

/* ---- the combiner: one thread runs the combined writes (SQLite) ----
 *
 * With the writes grouped (SQLite's single writer), a combined route's writing phase is not run by
 * the worker thread that parsed the request: the request is queued for one thread, the combiner,
 * which takes the writer and runs the queued requests one after another in its group
 * (run_combined), while the workers go on with their other connections. When a worker ran them
 * itself (holding the writer for a dozen requests of others), its own connections waited: their
 * answers, ready once synced, and their next requests (BENCHMARKS.md, "Saving a visit: one thread
 * for the writes"). A turn ends when the queue is empty, after 64 requests, or after 8 when another
 * thread waits for the writer (store_combiner_goes_on); the writer is then given back as usual. */
static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  store_combined *head, *tail; /* under mu */
  bool stop;                   /* under mu */
  atomic_bool running;
  pthread_t th;
  store *st;
} comb = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void run_combined(req *q, store_conn *w);

/* The next queued request; with `wait`, sleeps until there is one (NULL: stopping, none left). */
static store_combined *comb_take(bool wait) {
  pthread_mutex_lock(&comb.mu);
  while (wait && !comb.head && !comb.stop) pthread_cond_wait(&comb.cv, &comb.mu);
  store_combined *it = comb.head;
  if (it) {
    comb.head = it->next;
    if (!comb.head) comb.tail = NULL;
    it->next = NULL;
  }
  pthread_mutex_unlock(&comb.mu);
  return it;
}

/* The writer could not be had within the store's deadline: the request is answered 503. */
static void combined_unavailable(req *q) {
  req_unavailable(q);
  q->durable_waiting = true;
  durable_done(q);
}

static void *combiner_main(void *arg) {
  (void)arg;
  (void)pthread_setname_np(pthread_self(), "hv-writer");
  if (!store_serial_thread())
    log_info("the writes' thread runs at the process's priority (a nice value lower by %d needs CAP_SYS_NICE or "
             "RLIMIT_NICE, e.g. LimitNICE=-%d: deploy/hocvuso.service)", STORE_SERIAL_NICE, STORE_SERIAL_NICE);
  store_combined *it;
  while ((it = comb_take(true)) != NULL) {
    store_conn *w = store_acquire_grouped(comb.st, -1, NULL);
    if (!w) {
      /* Those queued meanwhile would wait for the same writer: answered now, not one deadline each. */
      int refused = 0;
      do {
        combined_unavailable(req_of_combined(it));
        refused++;
      } while ((it = comb_take(false)) != NULL);
      log_warn("the writer stayed busy past the deadline: %d queued write(s) answered 503", refused);
      continue;
    }
    int n = 0;
    do run_combined(req_of_combined(it), w);
    while (store_combiner_goes_on(w, ++n) && (it = comb_take(false)) != NULL);
    (void)store_release_pending(w); /* the answers wait for their own commits' sync, not this thread */
  }
  return NULL;
}

static bool comb_queue(req *r) {
  if (!atomic_load(&comb.running)) return false;
  pthread_mutex_lock(&comb.mu);
  if (comb.stop) { /* stopping (shutdown): the combiner may be gone; the worker runs it itself */
    pthread_mutex_unlock(&comb.mu);
    return false;
  }
  r->combine.next = NULL;
  if (comb.tail)
    comb.tail->next = &r->combine;
  else
    comb.head = &r->combine;
  comb.tail = &r->combine;
  pthread_cond_signal(&comb.cv);
  pthread_mutex_unlock(&comb.mu);
  return true;
}

static int comb_start(store *st) {
  if (!store_writes_grouped(st)) return 0;
  comb.st = st;
  comb.stop = false;
  if (pthread_create(&comb.th, NULL, combiner_main, NULL) != 0) return -1;
  atomic_store(&comb.running, true);
  return 0;
}

/* Once nothing is in flight: the queue is empty, and stays so. */
static void comb_stop(void) {
  if (!atomic_load(&comb.running)) return;
  pthread_mutex_lock(&comb.mu);
  comb.stop = true;
  pthread_cond_signal(&comb.cv);
  pthread_mutex_unlock(&comb.mu);
  pthread_join(comb.th, NULL);
  atomic_store(&comb.running, false);
}

/* The writing phase: on the writer taken now, or queued for the combiner or the writer's holder
 * (then true: the caller suspends the connection, and whichever of the completion and the
 * suspension comes second resumes it). Nothing of the request is touched on this thread once it
 * is queued. */
static bool dispatch_write(req *r, struct MHD_Connection *c) {
  if (r->route->combine && !r->wconn) {
    release_db(r);
    r->conn = c;
    atomic_store(&r->job_sync, 0);
    r->combine.wake = combined_back;
    if (comb_queue(r)) {
      r->combine_queued = true;
      return true;
    }
    store_conn *w = NULL;
    int q = store_acquire_or_queue(r->app->st, &r->combine, &w);
    if (q == 0) {
      r->combine_queued = true;
      return true;
    }
    if (q == 1) r->wconn = w;
  }
  router_write(r);
  return false;
}

/* The holder runs a queued request's writing phase on the writer it holds, then completes it as
 * answer() would: its answer is sent by its own thread once its commit is durable. */
static void run_combined(req *q, store_conn *w) {
  q->wconn = w;
  router_write(q);
  /* A message (or a field's name) may be formatted in a buffer of this thread's (field.c): the
   * answer is written on the request's own thread, after this one has gone on to others. */
  if (q->err.message) q->err.message = arena_strdup(&q->a, q->err.message);
  if (q->err.field) q->err.field = arena_strdup(&q->a, q->err.field);
  for (int i = 0; i < q->err.nerrs; i++) {
    if (q->err.errs[i].message) q->err.errs[i].message = arena_strdup(&q->a, q->err.errs[i].message);
    if (q->err.errs[i].field) q->err.errs[i].field = arena_strdup(&q->a, q->err.errs[i].field);
  }
  req_db_settle(q);
  uint64_t seq = store_writer_pass(w);
  q->wconn = NULL;
  if (q->rconn) {
    store_release(q->rconn);
    q->rconn = NULL;
  }
  if (!q->status) q->status = 500;
  if (q->status >= 500 && q->status != 501)
    log_error("%s %s answered %d: %s", q->method, q->path, q->status, q->err.code ? q->err.code : "");
  q->durable_waiting = true;
  q->durable.fn = durable_done;
  q->durable.arg = q;
  if (seq && !store_durable_notify(q->app->st, seq, &q->durable)) return; /* the syncer completes it */
  durable_done(q);
}

static void handle(req *r, struct MHD_Connection *c) {
  if (!utf8_valid(r->path, strlen(r->path))) {
    req_fail(r, 400, "invalid_utf8", NULL, "Địa chỉ không phải văn bản UTF-8 hợp lệ.");
    return;
  }
  if (!is_api(r->path)) {
    serve_static(r);
    return;
  }
  int idx = r->match;
  if (idx == -1) {
    req_fail(r, 404, "not_found", NULL, "Không tìm thấy địa chỉ này.");
    return;
  }
  if (idx == -2) {
    req_header(r, "Allow", r->allow);
    req_fail(r, 405, "method_not_allowed", NULL, "Phương thức không được hỗ trợ cho địa chỉ này.");
    return;
  }
  r->route_index = idx;
  r->route = &routes[idx];
  qctx q = {json_object(), false};
  if (!q.obj) {
    req_fail(r, 500, "internal", NULL, "Lỗi hệ thống.");
    return;
  }
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
  if (q.bad_utf8) {
    json_decref(q.obj);
    req_fail(r, 400, "invalid_utf8", NULL, "Tham số không phải văn bản UTF-8 hợp lệ.");
    return;
  }
  r->query = q.obj;
  if (router_prepare(r) == 0) dispatch_write(r, c);
  else if (r->wconn && store_in_transaction(r->wconn))
    store_rollback(r->wconn);
}

/* The pool finished a request's password work: the second of (suspend, completion) resumes. */
static void job_done(void *arg) {
  req *r = arg;
  if (atomic_fetch_add(&r->job_sync, 1) == 1) MHD_resume_connection(r->conn);
}

/* The request asked for password work (req_offload): release its connections, queue the
 * work, suspend. A full queue is answered at once with 503. Returns true when suspended. */
static bool offload(req *r, struct MHD_Connection *c) {
  if (!r->offload) return false;
  r->offload = false;
  release_db(r);
  r->conn = c;
  atomic_store(&r->job_sync, 0);
  r->waiting = true;
  if (hashpool_submit(pool, req_pw_work, job_done, r) != 0) {
    r->waiting = false;
    metrics_pool_refused(r->app->met);
    req_unavailable(r);
    return false;
  }
  MHD_suspend_connection(c);
  if (atomic_fetch_add(&r->job_sync, 1) == 1) MHD_resume_connection(c);
  return true;
}

/* The syncer made the request's commit durable: the second of (suspend, completion) resumes. */
static void durable_done(void *arg) {
  req *r = arg;
  if (atomic_fetch_add(&r->job_sync, 1) == 1) MHD_resume_connection(r->conn);
}

/* The request's commit is made but, a sync of the WAL having failed, not known to be on disk: the
 * answer it had ready must not say it is saved (store.h, store_durable_waiter). */
static void not_durable(req *r) {
  if (r->durable.lost) {
    /* The grouped transaction that held this request's commit failed: nothing was saved. */
    free(r->raw);
    r->raw = NULL;
    r->err.retry_after = 2;
    req_fail(r, 503, "unavailable", NULL, "Máy chủ không lưu được thao tác này do lỗi ghi cơ sở dữ liệu. Vui lòng thử lại.");
    return;
  }
  if (!r->durable.failed) return;
  free(r->raw);
  r->raw = NULL;
  r->err.retry_after = 30;
  req_fail(r, 503, "unavailable", NULL,
           "Máy chủ không ghi được dữ liệu xuống đĩa nên không chắc thao tác này đã được lưu. Vui lòng báo quản trị viên.");
}

static enum MHD_Result answer(struct MHD_Connection *c, req *r) {
  req_db_settle(r);
  /* The writer goes to the next request at once; this one's commit, if it made one, must be
   * durable before it is answered (group commit, store_durable_start): the connection waits
   * suspended, its thread free for others, and the syncer resumes it. */
  uint64_t seq = 0;
  if (r->wconn) {
    /* Holding the writer: the writes queued meanwhile first (combined writes), then it goes on. */
    store_conn *w = r->wconn;
    seq = store_writer_pass(w);
    if (r->rconn) {
      store_release(r->rconn);
      r->rconn = NULL;
    }
    store_combined *it;
    for (int n = 0; (it = store_combined_next(w, n)) != NULL; n++) run_combined(req_of_combined(it), w);
    uint64_t left = store_release_pending(w);
    if (left > seq) seq = left;
  }
  if (r->durable_seq > seq) seq = r->durable_seq; /* given back early: req_writer_done */
  r->wconn = NULL;
  release_db(r);
  if (!r->status) r->status = 500;
  if (r->status >= 500 && r->status != 501) log_error("%s %s answered %d: %s", r->method, r->path, r->status, r->err.code ? r->err.code : "");
  if (seq) {
    r->conn = c;
    r->durable.fn = durable_done;
    r->durable.arg = r;
    atomic_store(&r->job_sync, 0);
    if (!store_durable_notify(r->app->st, seq, &r->durable)) {
      r->durable_waiting = true;
      MHD_suspend_connection(c);
      if (atomic_fetch_add(&r->job_sync, 1) == 1) MHD_resume_connection(c);
      return MHD_YES;
    }
    not_durable(r);
  }
  return send_response(c, r);
}

/* MHD's URI log callback: the request line is complete; the header is still to come. */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *c) {
  (void)c;
  req *r = req_create(cls, uri);
  if (!r) return NULL;
  atomic_fetch_add(&inflight, 1);
  const char *q = strchr(uri, '?');
  if (q) {
    size_t params = 1, bytes = strlen(q + 1);
    for (const char *p = q + 1; *p; p++) params += *p == '&' || *p == ';';
    if (params > QUERY_PARAMS_MAX || bytes > QUERY_BYTES_MAX) {
      /* MHD would store every parameter in the connection's memory, run out and close the
       * connection without an answer. It parses what follows the '?' once we return: the
       * buffer is MHD's own writable request line, so an empty query is what it will see. */
      r->query_too_big = true;
      ((char *)(uintptr_t)q)[1] = '\0';
    }
  }
  return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  req *r = *con_cls;
  if (!r) {
    r = req_create(cls, NULL);
    if (!r) return MHD_NO;
    *con_cls = r;
    atomic_fetch_add(&inflight, 1);
  }
  if (!r->started) {
    r->started = true;
    req_fill(r, c, url, method);
    if (!conn_request_starts(c)) {
      /* Cut by the reaper: nothing is answered and no handler runs. */
      r->raw_uri = NULL;
      r->err.code = "header_timeout";
      return MHD_NO;
    }
    int bad = check_header(r, c, method, url, version);
    r->raw_uri = NULL; /* it points into MHD's read buffer, only valid until here */
    if (bad) {
      conn_linger(c);
      return answer(c, r);
    }
    return MHD_YES;
  }
  if (*upload_data_size) {
    if (sink_write(&r->in, upload_data, *upload_data_size) != 0) {
      log_error("%s %s: cannot keep the request body: %s", r->method, r->path, strerror(errno));
      return MHD_NO;
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (r->durable_waiting) {
    /* Resumed: its commit is durable; the answer was ready. */
    r->durable_waiting = false;
    not_durable(r);
    return send_response(c, r);
  }
  if (r->combine_back) {
    /* Resumed: queued for the writer's holder, handed back: this thread takes the writer. */
    r->combine_back = false;
    router_write(r);
  } else if (r->waiting) {
    /* Resumed: the pool is done with this request's password work. */
    r->waiting = false;
    r->resumes++;
    router_dispatch(r);
  } else {
    handle(r, c);
  }
  if (r->combine_queued) {
    /* Queued for the writer's holder (dispatch_write): only this flag is this thread's now. */
    r->combine_queued = false;
    MHD_suspend_connection(c);
    if (atomic_fetch_add(&r->job_sync, 1) == 1) MHD_resume_connection(c);
    return MHD_YES;
  }
  if (offload(r, c)) return MHD_YES;
  return answer(c, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
  app *a = cls;
  req *r = *con_cls;
  if (!r) return;
  *con_cls = NULL;
  /* Kept alive, the connection waits for its next header: MHD's idle timeout covers the wait, and
   * the deadline the header's arrival once it starts. */
  conn_deadline(c, a->cfg.conn_timeout + a->cfg.header_timeout);
  double dur = clock_mono() - r->t0;
  int status = r->status ? r->status : 499;
  if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !r->status) status = 499;
  metrics_observe(a->met, r->route_index, status, dur);
  /* The access log: one JSON line per request; no query string, no cookie, no body. */
  buf b;
  buf_init(&b);
  char ts[32];
  clock_iso8601(clock_now(), ts, sizeof ts);
  buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"info\",\"type\":\"access\",\"method\":", ts);
  jsonx_escape(&b, r->method, strlen(r->method));
  buf_puts(&b, ",\"path\":");
  jsonx_escape(&b, r->path, strlen(r->path));
  if (r->route) buf_printf(&b, ",\"route\":\"%s\"", r->route->path);
  buf_printf(&b, ",\"status\":%d,\"ms\":%.3f,\"ip\":", status, dur * 1000);
  jsonx_escape(&b, r->ip, strlen(r->ip));
  if (r->who) buf_printf(&b, ",\"user_id\":%lld", (long long)r->who->user_id);
  if (r->err.code) buf_printf(&b, ",\"error\":\"%s\"", r->err.code);
  buf_putc(&b, '}');
  if (!b.oom) log_line(b.data, b.len);
  buf_free(&b);
  req_free(r);
  atomic_fetch_sub(&inflight, 1);
}

/* Like MHD's own unescaping, but "%00" stays as it is: a NUL would cut the path or a value
 * short in C ("/users/1%00x" must not become "/users/1"). */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s) {
  (void)cls;
  (void)c;
  char *w = s;
  for (const char *p = s; *p; p++) {
    int hi, lo;
    if (p[0] == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0 && (hi | lo)) {
      *w++ = (char)(hi * 16 + lo);
      p += 2;
    } else {
      *w++ = *p;
    }
  }
  *w = '\0';
  return (size_t)(w - s);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n && msg[n - 1] == '\n') msg[--n] = '\0';
  log_warn("httpd: %s", msg);
}

static int resolve(const char *listen, struct sockaddr_storage *ss, socklen_t *sslen, bool *v6, char *err, size_t errlen) {
  char host[256];
  const char *colon = strrchr(listen, ':');
  if (!colon) {
    snprintf(err, errlen, "listen: expected HOST:PORT");
    return -1;
  }
  size_t hlen = (size_t)(colon - listen);
  if (hlen >= sizeof host) {
    snprintf(err, errlen, "listen: host too long");
    return -1;
  }
  memcpy(host, listen, hlen);
  host[hlen] = '\0';
  if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
    memmove(host, host + 1, hlen - 2);
    host[hlen - 2] = '\0';
  }
  long long port;
  if (!parse_int(colon + 1, 1, 65535, &port)) {
    snprintf(err, errlen, "listen: bad port \"%s\"", colon + 1);
    return -1;
  }
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res = NULL;
  int g = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
  if (g != 0 || !res) {
    snprintf(err, errlen, "listen: cannot resolve \"%s\": %s", host, gai_strerror(g));
    return -1;
  }
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  *sslen = res->ai_addrlen;
  *v6 = res->ai_family == AF_INET6;
  freeaddrinfo(res);
  return 0;
}

int server_run(app *a, char *err, size_t errlen) {
  struct sockaddr_storage ss;
  socklen_t sslen;
  bool v6 = false;
  if (resolve(a->cfg.listen, &ss, &sslen, &v6, err, errlen) != 0) return -1;
  if (router_init() != 0) {
    snprintf(err, errlen, "the route table is malformed");
    return -1;
  }
  const char *scripts = static_script_hashes(a->web), *styles = static_style_hashes(a->web);
  if ((size_t)snprintf(index_csp, sizeof index_csp, "default-src 'self'; script-src 'self'%s%s; style-src 'self'%s%s" CSP_REST,
                       scripts[0] ? " " : "", scripts, styles[0] ? " " : "", styles) >= sizeof index_csp) {
    snprintf(err, errlen, "index.html has too many inline scripts");
    return -1;
  }
  /* Signals are taken by this thread alone, with sigwait: workers never see them. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  /* Each connection is a descriptor: take every one the system allows us. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) log_warn("cannot raise the open-file limit");
  }

  pool = hashpool_new(0, POOL_QUEUE);
  if (!pool || sessions_toucher_start(a->st) != 0) {
    snprintf(err, errlen, "cannot start the hashing pool or the last-seen writer");
    hashpool_free(pool);
    pool = NULL;
    return -1;
  }
  conns.limit = connlimit_new(a->cfg.max_conns_per_ip, a->cfg.conn_exempt_loopback, a->cfg.trusted_proxy);
  atomic_store(&conns.stop, false);
  if (!conns.limit || pthread_create(&conns.reaper, NULL, reaper_main, a) != 0) {
    if (!conns.limit)
      snprintf(err, errlen, "trusted-proxy: \"%s\" is not an IP address", a->cfg.trusted_proxy);
    else
      snprintf(err, errlen, "cannot start the connection reaper thread");
    connlimit_free(conns.limit);
    conns.limit = NULL;
    sessions_toucher_stop();
    hashpool_free(pool);
    pool = NULL;
    return -1;
  }

  if (comb_start(a->st) != 0) log_warn("cannot start the writes' combiner thread: the workers run the combined writes");

  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO |
                   (v6 ? MHD_USE_IPv6 : 0);
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, 0, on_accept, NULL, on_request, a, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
      MHD_OPTION_THREAD_POOL_SIZE, (unsigned)a->cfg.threads, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)a->cfg.conn_timeout, MHD_OPTION_CONNECTION_LIMIT, (unsigned)a->cfg.max_conns,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, MHD_MEMORY, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
      MHD_OPTION_URI_LOG_CALLBACK, on_request_line, a,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, a, MHD_OPTION_NOTIFY_CONNECTION, on_connection, a, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
      MHD_OPTION_END);
  if (!d) {
    snprintf(err, errlen, "cannot listen on %s (in use, or not an address of this machine?)", a->cfg.listen);
    comb_stop();
    sessions_toucher_stop();
    hashpool_free(pool);
    pool = NULL;
    atomic_store(&conns.stop, true);
    pthread_join(conns.reaper, NULL);
    connlimit_free(conns.limit);
    conns.limit = NULL;
    return -1;
  }
  log_info("hocvuso listening on http://%s/ (%s, %d threads, %zu static files)", a->cfg.listen,
           store_kind_name(a->st), a->cfg.threads, static_count(a->web));

  int sig = 0;
  sigwait(&set, &sig);
  log_info("signal %d: no new connections; finishing %d request(s) in flight", sig, atomic_load(&inflight));
  atomic_store(&shutting_down, true);
  MHD_socket lsock = MHD_quiesce_daemon(d);
  if (lsock != MHD_INVALID_SOCKET) close(lsock);
  /* Requests already sent on open connections may not have reached a worker yet: stop only
   * after nothing has been in flight for a quarter of a second (or at the deadline). */
  double deadline = clock_mono() + 25, quiet_since = 0;
  while (clock_mono() < deadline) {
    if (atomic_load(&inflight) > 0) {
      quiet_since = 0;
    } else if (quiet_since == 0) {
      quiet_since = clock_mono();
    } else if (clock_mono() - quiet_since >= 0.25) {
      break;
    }
    usleep(10000);
  }
  if (atomic_load(&inflight) > 0) log_warn("%d request(s) still running at the deadline", atomic_load(&inflight));
  /* Suspended requests finish once the pool is done with them: let it drain first. */
  hashpool_free(pool);
  pool = NULL;
  comb_stop(); /* the combined writes still queued are run; their answers wait for their syncs */
  /* MHD must not be stopped with a connection still suspended: past the deadline, those the
   * combiner has just run wait for their commit's sync (at most store.c's 10 s). */
  for (double until = clock_mono() + 11; atomic_load(&inflight) > 0 && clock_mono() < until;) usleep(10000);
  MHD_stop_daemon(d);
  sessions_toucher_stop();
  atomic_store(&conns.stop, true);
  pthread_join(conns.reaper, NULL);
  for (int i = 0; i < conns.nlinger; i++) close(conns.linger[i].fd);
  conns.nlinger = 0;
  connlimit_free(conns.limit);
  conns.limit = NULL;
  log_info("stopped");
  return 0;
}

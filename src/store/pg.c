/* pg.c: the PostgreSQL backend of the storage interface (libpq), exported as store_pg_backend.
 * Owns: each connection's PGconn and its cache of server-side prepared statements; each
 * statement's parameter copies, PGresult and decoded bytea buffers.
 * Never: formats a value into SQL text, or lets a libpq type or name leave this file.
 *
 * Statements are prepared once per connection under a unique name (s1, s2, ...); `?` placeholders
 * become $1..$n (so the jsonb `?` operators must be written as jsonb_exists() and friends).
 * Parameters travel as text (integers formatted here) or, for blobs, as binary; results come
 * back as text and are converted on demand.
 */
#include <errno.h>
#include <poll.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "store/backend.h"

/* Type OIDs from pg_type.h (stable across versions). */
#define PG_OID_BOOL 16
#define PG_OID_BYTEA 17

typedef struct pg_conn {
  struct store_conn base; /* first: store.c sees only this */
  PGconn *pg;
  stmt_cache cache; /* store_sql address -> pg_stmt */
  unsigned long next_name;
  /* A cancel was sent for a query that finished before it arrived: the server may still apply
   * it to the next statement (PQcancel returns before the backend is signalled), so the
   * connection is reopened before anyone uses it again (pg_broken). */
  bool cancel_pending;
} pg_conn;

typedef struct pg_param {
  char *data;   /* owned copy of a text or blob value; NULL for integers and SQL NULL */
  int len;      /* bytes of a binary value */
  int format;   /* 0 text, 1 binary */
  bool is_null;
  char num[24]; /* an integer as decimal text */
} pg_param;

typedef enum { PS_READY, PS_ROWS, PS_DONE, PS_FAILED } pg_state;

typedef struct pg_stmt {
  struct store_stmt base; /* first: store.c sees only this */
  char name[24];          /* server-side name, unique on the connection */
  char *text;             /* the rewritten SQL, kept to prepare again after DDL */
  int nparams;
  pg_param *params;    /* nparams entries */
  const char **values; /* scratch arrays for PQexecPrepared, nparams entries each */
  int *lengths;
  int *formats;
  PGresult *res; /* results of the last execution, or NULL */
  int row, nrows;
  pg_state state;
  int fail_rc;                 /* what step answers again after a failure */
  int64_t changes;             /* rows changed by the last INSERT/UPDATE/DELETE/MERGE */
  bool bind_failed;            /* a bind was refused; step reports bind_err */
  char bind_err[128];
  unsigned char **blobs; /* decoded bytea per column of the current row (PQfreemem) */
  size_t *blob_lens;
  int nblobs;
  bool stream;    /* store_prepare_stream: rows come one at a time (single-row mode) */
  bool streaming; /* a single-row-mode query is in flight on the connection */
  bool untimed;   /* statement_timeout is lifted for this stream (RESET when it ends) */
  bool per_call;  /* store_sql.per_call: run unnamed (PQexecParams), planned for its values */
} pg_stmt;

/* ---- errors ---- */

/* Copies a message into dst as one line (libpq's messages end in newlines, some hold tabs). */
static void copy_msg(char *dst, size_t cap, const char *msg) {
  if (!dst || cap == 0)
    return;
  if (!msg || !*msg)
    msg = "unknown PostgreSQL error";
  size_t n = 0;
  for (; *msg && n + 1 < cap; msg++) {
    char ch = *msg;
    if (ch == '\n' || ch == '\t' || ch == '\r')
      ch = ' ';
    if (ch == ' ' && (n == 0 || dst[n - 1] == ' '))
      continue; /* squeeze runs of blanks */
    dst[n++] = ch;
  }
  while (n > 0 && dst[n - 1] == ' ')
    n--;
  dst[n] = '\0';
}

static void set_err(store_conn *c, const char *msg) { copy_msg(c->err, sizeof c->err, msg); }

/* Records a failed result on the connection and maps it to a store code. The message is the
 * server's primary text and SQLSTATE; DETAIL is left out because it quotes row values. */
static int result_error(pg_conn *pc, const PGresult *res) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  if (primary) {
    char line[sizeof pc->base.err - 20]; /* room for " (SQLSTATE xxxxx)" */
    copy_msg(line, sizeof line, primary);
    snprintf(pc->base.err, sizeof pc->base.err, "%s (SQLSTATE %.5s)", line, state ? state : "?");
  } else {
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    set_err(&pc->base, msg && *msg ? msg : PQerrorMessage(pc->pg));
  }
  /* The database's state, not the statement's fault: connection lost (class 08, or libpq says
   * so), server shutting down or starting (57P0x), statement timeout or cancel (57014), too
   * many connections (53300), lock timeout (55P03). */
  pc->base.unavailable =
      PQstatus(pc->pg) != CONNECTION_OK || !state ||
      (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0 || strcmp(state, "57014") == 0 ||
                 strcmp(state, "53300") == 0 || strcmp(state, "55P03") == 0));
  if (state && strncmp(state, "23", 2) == 0) /* class 23: integrity constraint violation */
    return STORE_CONSTRAINT;
  return STORE_ERROR;
}

/* ---- placeholders ---- */

static bool ident_char(char ch) {
  unsigned char u = (unsigned char)ch;
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}

static bool tag_char(char ch, bool first) {
  unsigned char u = (unsigned char)ch;
  if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80)
    return true;
  return !first && u >= '0' && u <= '9';
}

/* Index just past the quoted text, comment or dollar-quoted string starting at sql[i], or i
 * when nothing of the kind starts there. */
static size_t skip_opaque(const char *sql, size_t len, size_t i) {
  size_t j;
  if (sql[i] == '\'') {
    /* E'...' strings take backslash escapes; '' is a quote in both kinds. */
    bool esc = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !ident_char(sql[i - 2]));
    for (j = i + 1; j < len; j++) {
      if (esc && sql[j] == '\\' && j + 1 < len) {
        j++;
      } else if (sql[j] == '\'') {
        if (j + 1 < len && sql[j + 1] == '\'')
          j++;
        else
          return j + 1;
      }
    }
    return len;
  }
  if (sql[i] == '"') {
    for (j = i + 1; j < len; j++)
      if (sql[j] == '"')
        return j + 1; /* "" inside an identifier closes and reopens: same result */
    return len;
  }
  if (sql[i] == '-' && i + 1 < len && sql[i + 1] == '-') {
    for (j = i + 2; j < len && sql[j] != '\n'; j++)
      ;
    return j;
  }
  if (sql[i] == '/' && i + 1 < len && sql[i + 1] == '*') {
    int depth = 1; /* PostgreSQL's block comments nest */
    for (j = i + 2; j < len; j++) {
      if (sql[j] == '/' && j + 1 < len && sql[j + 1] == '*') {
        depth++;
        j++;
      } else if (sql[j] == '*' && j + 1 < len && sql[j + 1] == '/') {
        j++;
        if (--depth == 0)
          return j + 1;
      }
    }
    return len;
  }
  if (sql[i] == '$' && (i == 0 || !ident_char(sql[i - 1]))) {
    for (j = i + 1; j < len && tag_char(sql[j], j == i + 1); j++)
      ;
    if (j < len && sql[j] == '$') { /* $tag$ ... $tag$ */
      size_t taglen = j - i + 1;
      for (size_t k = j + 1; k + taglen <= len; k++)
        if (memcmp(sql + k, sql + i, taglen) == 0)
          return k + taglen;
      return len;
    }
  }
  return i;
}

/* Returns a malloc'd copy of sql with each `?` outside quotes and comments replaced by $1..$n,
 * or NULL when out of memory. *nparams receives the number of parameters: n, or the highest
 * $N already written in the text if that is larger. */
static char *rewrite_placeholders(const char *sql, int *nparams) {
  size_t len = strlen(sql), marks = 0;
  for (size_t i = 0; i < len; i++)
    marks += sql[i] == '?';
  if (marks > (SIZE_MAX - len - 1) / 11)
    return NULL;
  size_t cap = len + marks * 11 + 1; /* "?" becomes at most "$" and 10 digits */
  char *out = malloc(cap);
  if (!out)
    return NULL;
  size_t o = 0;
  int n = 0;
  long highest = 0;
  for (size_t i = 0; i < len;) {
    size_t j = skip_opaque(sql, len, i);
    if (j > i) {
      memcpy(out + o, sql + i, j - i);
      o += j - i;
      i = j;
      continue;
    }
    if (sql[i] == '?' && n < INT_MAX) {
      int w = snprintf(out + o, cap - o, "$%d", ++n);
      if (w < 0 || (size_t)w >= cap - o) {
        free(out);
        return NULL;
      }
      o += (size_t)w;
      i++;
      continue;
    }
    if (sql[i] == '$' && i + 1 < len && sql[i + 1] >= '0' && sql[i + 1] <= '9' &&
        (i == 0 || !ident_char(sql[i - 1]))) {
      char *end = NULL;
      errno = 0;
      long v = strtol(sql + i + 1, &end, 10);
      if (errno == 0 && v > highest && v <= INT_MAX)
        highest = v;
    }
    out[o++] = sql[i++];
  }
  out[o] = '\0';
  *nparams = highest > n ? (int)highest : n;
  return out;
}

/* ---- statements ---- */

static void blobs_clear(pg_stmt *s) {
  for (int i = 0; i < s->nblobs; i++)
    if (s->blobs[i])
      PQfreemem(s->blobs[i]);
  free(s->blobs);
  free(s->blob_lens);
  s->blobs = NULL;
  s->blob_lens = NULL;
  s->nblobs = 0;
}

static void param_clear(pg_param *p) {
  free(p->data);
  p->data = NULL;
  p->len = 0;
  p->format = 0;
  p->is_null = true;
  p->num[0] = '\0';
}

/* Ends a single-row-mode query that was not read to its end: asks the server to cancel it and
 * discards what is still on the way, so that the connection can run the next statement. */
/* An export may take longer than statement_timeout (a slow client reads a million rows): the
 * stream runs without it, and the session's default comes back when the stream ends. */
static void stream_timeout(pg_stmt *s, bool lift) {
  pg_conn *pc = (pg_conn *)s->base.conn;
  if (lift == s->untimed || PQstatus(pc->pg) != CONNECTION_OK || pc->cancel_pending)
    return;
  PQclear(PQexec(pc->pg, lift ? "SET statement_timeout = 0" : "RESET statement_timeout"));
  s->untimed = lift;
}

static void stream_abandon(pg_stmt *s) {
  pg_conn *pc = (pg_conn *)s->base.conn;
  if (!s->streaming) {
    stream_timeout(s, false);
    return;
  }
  s->streaming = false;
  bool sent = false, took = false;
  PGcancel *cancel = PQgetCancel(pc->pg);
  if (cancel) {
    char errbuf[256];
    sent = PQcancel(cancel, errbuf, sizeof errbuf) == 1;
    PQfreeCancel(cancel);
  }
  PGresult *r;
  while ((r = PQgetResult(pc->pg)) != NULL) {
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (state && strcmp(state, "57014") == 0)
      took = true;
    PQclear(r);
  }
  if (sent && !took) {
    /* The query ended on its own: the cancel is still on its way and would hit the next
     * statement. Nothing more is sent on this connection; the pool opens it again. */
    pc->cancel_pending = true;
    s->untimed = false;
    return;
  }
  stream_timeout(s, false);
}

static void pg_reset(store_stmt *st) {
  pg_stmt *s = (pg_stmt *)st;
  PQclear(s->res);
  s->res = NULL;
  stream_abandon(s);
  s->stream = false;
  blobs_clear(s);
  for (int i = 0; s->params && i < s->nparams; i++)
    param_clear(&s->params[i]);
  s->row = s->nrows = 0;
  s->state = PS_READY;
  s->fail_rc = STORE_OK;
  s->bind_failed = false;
  s->bind_err[0] = '\0';
  /* changes survive a reset, like sqlite3_changes(). */
}

static void pg_stmt_free(store_stmt *st) {
  pg_stmt *s = (pg_stmt *)st;
  if (!s)
    return;
  pg_reset(st);
  free(s->params);
  free(s->values);
  free(s->lengths);
  free(s->formats);
  free(s->text);
  free(s);
}

/* Prepares s->text on the server under a new name; STORE_OK or an error recorded on the connection. */
static int server_prepare(pg_conn *pc, pg_stmt *s) {
  snprintf(s->name, sizeof s->name, "s%lu", ++pc->next_name);
  PGresult *res = PQprepare(pc->pg, s->name, s->text, 0, NULL);
  int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? STORE_OK : result_error(pc, res);
  PQclear(res);
  return rc;
}

static store_stmt *pg_prepare_flags(store_conn *c, const store_sql *q, bool cache) {
  pg_conn *pc = (pg_conn *)c;
  pg_stmt *s = NULL;

  store_stmt *hit = cache ? stmt_cache_get(&pc->cache, q) : NULL;
  if (hit) {
    pg_reset(hit); /* a prepare always hands out a fresh statement */
    return hit;
  }
  const char *src = q->sql_pg ? q->sql_pg : q->sql;
  if (!src) {
    set_err(c, "statement has no SQL text");
    goto fail;
  }
  s = calloc(1, sizeof *s);
  if (!s)
    goto nomem;
  s->base.conn = c;
  s->base.q = cache ? q : NULL;
  s->state = PS_READY;
  s->text = rewrite_placeholders(src, &s->nparams);
  if (!s->text)
    goto nomem;
  if (s->nparams > 0) {
    size_t n = (size_t)s->nparams;
    s->params = calloc(n, sizeof *s->params);
    s->values = calloc(n, sizeof *s->values);
    s->lengths = calloc(n, sizeof *s->lengths);
    s->formats = calloc(n, sizeof *s->formats);
    if (!s->params || !s->values || !s->lengths || !s->formats)
      goto nomem;
    for (size_t i = 0; i < n; i++)
      s->params[i].is_null = true;
  }
  s->per_call = strncmp(src, STORE_PER_CALL_MARK, sizeof STORE_PER_CALL_MARK - 1) == 0;
  if (!s->per_call && server_prepare(pc, s) != STORE_OK)
    goto fail;
  /* On failure below the server keeps the named statement until disconnect: harmless. */
  if (cache && stmt_cache_put(&pc->cache, q, &s->base) != 0)
    goto nomem;
  return &s->base;

nomem:
  set_err(c, "out of memory");
fail:
  pg_stmt_free(s ? &s->base : NULL);
  return NULL;
}

static store_stmt *pg_prepare(store_conn *c, const store_sql *q) { return pg_prepare_flags(c, q, true); }
static store_stmt *pg_prepare_once(store_conn *c, const store_sql *q) { return pg_prepare_flags(c, q, false); }

/* Frees a statement from pg_prepare_once and forgets it on the server. */
static void pg_finalize(store_stmt *st) {
  pg_stmt *s = (pg_stmt *)st;
  pg_conn *pc = (pg_conn *)st->conn;
  pg_reset(st);
  if (!s->per_call && PQstatus(pc->pg) == CONNECTION_OK) {
    char sql[48];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
    PQclear(PQexec(pc->pg, sql));
  }
  pg_stmt_free(st);
}

static void pg_set_stream(store_stmt *st) { ((pg_stmt *)st)->stream = true; }

static int pg_rows_held(store_stmt *st) {
  pg_stmt *s = (pg_stmt *)st;
  return s->res ? PQntuples(s->res) : 0;
}

/* The parameter to overwrite, cleared; NULL (and the statement marked) when i is out of range. */
static pg_param *param_at(pg_stmt *s, int i) {
  if (i < 1 || i > s->nparams) {
    s->bind_failed = true;
    snprintf(s->bind_err, sizeof s->bind_err, "parameter %d out of range (the statement has %d)", i,
             s->nparams);
    return NULL;
  }
  pg_param *p = &s->params[i - 1];
  param_clear(p);
  return p;
}

static void pg_bind_null(store_stmt *st, int i) { (void)param_at((pg_stmt *)st, i); }

static void pg_bind_int(store_stmt *st, int i, int64_t v) {
  pg_param *p = param_at((pg_stmt *)st, i);
  if (!p)
    return;
  snprintf(p->num, sizeof p->num, "%" PRId64, v);
  p->is_null = false;
}

static void pg_bind_textn(store_stmt *st, int i, const char *v, size_t n) {
  pg_stmt *s = (pg_stmt *)st;
  pg_param *p = param_at(s, i);
  if (!p || !v)
    return;
  if (n > INT_MAX || memchr(v, '\0', n)) { /* text parameters end at NUL, and PG text holds none */
    s->bind_failed = true;
    snprintf(s->bind_err, sizeof s->bind_err, "text parameter %d is too long or holds a NUL byte", i);
    return;
  }
  p->data = malloc(n + 1);
  if (!p->data) {
    s->bind_failed = true;
    snprintf(s->bind_err, sizeof s->bind_err, "out of memory binding parameter %d", i);
    return;
  }
  memcpy(p->data, v, n);
  p->data[n] = '\0';
  p->len = (int)n;
  p->is_null = false;
}

static void pg_bind_blob(store_stmt *st, int i, const void *v, size_t n) {
  pg_stmt *s = (pg_stmt *)st;
  pg_param *p = param_at(s, i);
  if (!p)
    return;
  if (n > INT_MAX || (!v && n > 0)) {
    s->bind_failed = true;
    snprintf(s->bind_err, sizeof s->bind_err, "blob parameter %d is too long or missing", i);
    return;
  }
  p->data = malloc(n ? n : 1); /* never NULL: a NULL value would mean SQL NULL */
  if (!p->data) {
    s->bind_failed = true;
    snprintf(s->bind_err, sizeof s->bind_err, "out of memory binding parameter %d", i);
    return;
  }
  if (n)
    memcpy(p->data, v, n);
  p->len = (int)n;
  p->format = 1;
  p->is_null = false;
}

/* Rows changed, for the commands that change rows; 0 for the rest (SELECT counts rows read). */
static int64_t dml_changes(const PGresult *res) {
  static const char *const dml[] = {"INSERT ", "UPDATE ", "DELETE ", "MERGE "};
  const char *tag = PQcmdStatus((PGresult *)res);
  bool is_dml = false;
  for (size_t k = 0; tag && k < sizeof dml / sizeof dml[0]; k++)
    if (strncmp(tag, dml[k], strlen(dml[k])) == 0)
      is_dml = true;
  if (!is_dml)
    return 0;
  const char *txt = PQcmdTuples((PGresult *)res);
  char *end = NULL;
  errno = 0;
  long long v = strtoll(txt, &end, 10);
  if (errno != 0 || end == txt || v < 0)
    return 0;
  return (int64_t)v;
}

/* True for the error PostgreSQL gives when DDL changed the columns a prepared statement returns
 * (SQLite re-prepares by itself in that case). */
static bool stale_plan(const PGresult *res) {
  const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  return state && msg && strcmp(state, "0A000") == 0 && strstr(msg, "cached plan must not change");
}

/* The next row of a single-row-mode query: STORE_ROW with s->res holding just it, or the end. */
static int stream_next(pg_stmt *s) {
  pg_conn *pc = (pg_conn *)s->base.conn;
  PQclear(s->res);
  s->res = NULL;
  PGresult *res = PQgetResult(pc->pg);
  ExecStatusType es = PQresultStatus(res);
  if (res && es == PGRES_SINGLE_TUPLE) {
    s->res = res;
    s->row = 0;
    s->nrows = 1;
    s->state = PS_ROWS;
    return STORE_ROW;
  }
  int rc = STORE_DONE;
  if (!res || es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK) {
    s->changes = res ? dml_changes(res) : 0;
    s->state = PS_DONE;
  } else {
    rc = result_error(pc, res);
    s->state = PS_FAILED;
    s->fail_rc = rc;
  }
  PQclear(res);
  /* The query is over: read the terminating NULL so that the connection is free again. */
  PGresult *r;
  while ((r = PQgetResult(pc->pg)) != NULL)
    PQclear(r);
  s->streaming = false;
  s->nrows = 0;
  stream_timeout(s, false);
  return rc;
}

static int stream_start(pg_stmt *s) {
  pg_conn *pc = (pg_conn *)s->base.conn;
  stream_timeout(s, true);
  int sent = s->per_call ? PQsendQueryParams(pc->pg, s->text, s->nparams, NULL, s->values, s->lengths, s->formats, 0)
                         : PQsendQueryPrepared(pc->pg, s->name, s->nparams, s->values, s->lengths, s->formats, 0);
  if (!sent) {
    set_err(&pc->base, PQerrorMessage(pc->pg));
    pc->base.unavailable = PQstatus(pc->pg) != CONNECTION_OK;
    s->state = PS_FAILED;
    s->fail_rc = STORE_ERROR;
    return STORE_ERROR;
  }
  s->streaming = true;
  if (!PQsetSingleRowMode(pc->pg)) {
    set_err(&pc->base, "cannot switch to single-row mode");
    stream_abandon(s);
    s->state = PS_FAILED;
    s->fail_rc = STORE_ERROR;
    return STORE_ERROR;
  }
  return stream_next(s);
}

static int pg_step(store_stmt *st) {
  pg_stmt *s = (pg_stmt *)st;
  pg_conn *pc = (pg_conn *)st->conn;
  blobs_clear(s);
  switch (s->state) {
  case PS_ROWS:
    if (s->streaming)
      return stream_next(s);
    if (++s->row < s->nrows)
      return STORE_ROW;
    s->state = PS_DONE;
    return STORE_DONE;
  case PS_DONE:
    return STORE_DONE;
  case PS_FAILED:
    return s->fail_rc;
  case PS_READY:
    break;
  }
  if (s->bind_failed) {
    set_err(&pc->base, s->bind_err);
    s->state = PS_FAILED;
    s->fail_rc = STORE_ERROR;
    return STORE_ERROR;
  }
  for (int k = 0; k < s->nparams; k++) {
    const pg_param *p = &s->params[k];
    s->values[k] = p->is_null ? NULL : p->data ? p->data : p->num;
    s->lengths[k] = p->len;
    s->formats[k] = p->format;
  }
  if (s->stream)
    return stream_start(s);
  PGresult *res = s->per_call ? PQexecParams(pc->pg, s->text, s->nparams, NULL, s->values, s->lengths, s->formats, 0)
                              : PQexecPrepared(pc->pg, s->name, s->nparams, s->values, s->lengths, s->formats, 0);
  ExecStatusType es = PQresultStatus(res);
  /* Outside a transaction nothing was lost: prepare anew and run once more. Inside one the
   * error has aborted it, and the caller must roll back. */
  if (!s->per_call && es == PGRES_FATAL_ERROR && stale_plan(res) && PQtransactionStatus(pc->pg) == PQTRANS_IDLE) {
    PQclear(res);
    if (server_prepare(pc, s) != STORE_OK) { /* it recorded why */
      s->state = PS_FAILED;
      s->fail_rc = STORE_ERROR;
      return STORE_ERROR;
    }
    res = PQexecPrepared(pc->pg, s->name, s->nparams, s->values, s->lengths, s->formats, 0);
    es = PQresultStatus(res);
  }
  if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
    int rc = result_error(pc, res);
    PQclear(res);
    s->state = PS_FAILED;
    s->fail_rc = rc;
    return rc;
  }
  s->res = res;
  s->changes = dml_changes(res);
  s->nrows = PQntuples(res);
  s->row = 0;
  s->state = s->nrows > 0 ? PS_ROWS : PS_DONE;
  return s->nrows > 0 ? STORE_ROW : STORE_DONE;
}

/* ---- columns ---- */

static int pg_col_count(store_stmt *st) {
  pg_stmt *s = (pg_stmt *)st;
  return s->res ? PQnfields(s->res) : 0;
}

/* True when column i of the current row exists. */
static bool have_cell(const pg_stmt *s, int i) {
  return s->res && s->state == PS_ROWS && s->row < s->nrows && i >= 0 && i < PQnfields(s->res);
}

static bool pg_col_is_null(store_stmt *st, int i) {
  pg_stmt *s = (pg_stmt *)st;
  return !have_cell(s, i) || PQgetisnull(s->res, s->row, i);
}

/* The text of column i, or NULL for SQL NULL or no such cell. */
static const char *cell(pg_stmt *s, int i) {
  if (!have_cell(s, i) || PQgetisnull(s->res, s->row, i))
    return NULL;
  return PQgetvalue(s->res, s->row, i);
}

static int64_t pg_col_int(store_stmt *st, int i) {
  pg_stmt *s = (pg_stmt *)st;
  const char *v = cell(s, i);
  if (!v)
    return 0;
  if (PQftype(s->res, i) == PG_OID_BOOL)
    return v[0] == 't';
  char *end = NULL;
  errno = 0;
  long long x = strtoll(v, &end, 10);
  if (end == v)
    return 0;
  if (*end == '.' || *end == 'e' || *end == 'E') { /* numeric or float: truncate like SQLite */
    double d = strtod(v, NULL);
    if (d != d)
      return 0;
    if (d >= 9223372036854775807.0)
      return INT64_MAX;
    if (d <= -9223372036854775808.0)
      return INT64_MIN;
    return (int64_t)d;
  }
  return (int64_t)x; /* on ERANGE strtoll has clamped already */
}

static const char *pg_col_text(store_stmt *st, int i) { return cell((pg_stmt *)st, i); }

static const void *pg_col_blob(store_stmt *st, int i, size_t *n) {
  pg_stmt *s = (pg_stmt *)st;
  if (n)
    *n = 0;
  const char *v = cell(s, i);
  if (!v)
    return NULL;
  if (PQftype(s->res, i) != PG_OID_BYTEA) { /* text and numbers: their bytes, as in SQLite */
    if (n)
      *n = (size_t)PQgetlength(s->res, s->row, i);
    return v;
  }
  if (!s->blobs) {
    int nf = PQnfields(s->res);
    s->blobs = calloc((size_t)nf, sizeof *s->blobs);
    s->blob_lens = calloc((size_t)nf, sizeof *s->blob_lens);
    if (!s->blobs || !s->blob_lens) {
      free(s->blobs);
      free(s->blob_lens);
      s->blobs = NULL;
      s->blob_lens = NULL;
      set_err(s->base.conn, "out of memory");
      return NULL;
    }
    s->nblobs = nf;
  }
  if (!s->blobs[i]) {
    size_t len = 0;
    unsigned char *b = PQunescapeBytea((const unsigned char *)v, &len);
    if (!b) {
      set_err(s->base.conn, "out of memory");
      return NULL;
    }
    s->blobs[i] = b;
    s->blob_lens[i] = len;
  }
  if (n)
    *n = s->blob_lens[i];
  return s->blobs[i];
}

static int64_t pg_changes(store_stmt *st) { return ((pg_stmt *)st)->changes; }

/* ---- connection ---- */

static bool starts_with_word(const char *sql, const char *word) {
  while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r')
    sql++;
  size_t n = strlen(word);
  if (strncasecmp(sql, word, n) != 0)
    return false;
  return !ident_char(sql[n]);
}

static int pg_exec(store_conn *c, const char *sql) {
  pg_conn *pc = (pg_conn *)c;
  int rc = STORE_OK;
  PGresult *res = PQexec(pc->pg, sql);
  ExecStatusType es = PQresultStatus(res);
  if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK && es != PGRES_EMPTY_QUERY) {
    rc = result_error(pc, res);
  } else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0 &&
             (starts_with_word(sql, "COMMIT") || starts_with_word(sql, "END"))) {
    /* PostgreSQL answers COMMIT of a failed transaction with a silent ROLLBACK. */
    set_err(c, "COMMIT rolled back: an earlier statement in the transaction failed");
    rc = STORE_ERROR;
  }
  PQclear(res);
  return rc;
}

static int pg_begin(store_conn *c) {
  pg_conn *pc = (pg_conn *)c;
  /* PostgreSQL only warns about a nested BEGIN; refuse it, as SQLite does. */
  if (PQtransactionStatus(pc->pg) != PQTRANS_IDLE) {
    set_err(c, "cannot BEGIN: a transaction is already open on this connection");
    return STORE_ERROR;
  }
  return pg_exec(c, "BEGIN");
}

static int pg_lock_migrations(store_conn *c) {
  /* Transaction-scoped: released by the COMMIT or ROLLBACK that ends the migration. */
  return pg_exec(c, "SELECT pg_advisory_xact_lock(727274)");
}

static int64_t pg_size_bytes(store_conn *c) {
  pg_conn *pc = (pg_conn *)c;
  int64_t size = -1;
  PGresult *res = PQexec(pc->pg, "SELECT pg_database_size(current_database())");
  if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
    (void)result_error(pc, res);
    goto done;
  }
  const char *txt = PQgetvalue(res, 0, 0);
  char *end = NULL;
  errno = 0;
  long long v = strtoll(txt, &end, 10);
  if (errno == 0 && end != txt && *end == '\0' && v >= 0)
    size = (int64_t)v;
done:
  PQclear(res);
  return size;
}

/* Asked between users of a pooled connection. Besides a connection libpq knows is dead, this
 * catches one the server closed while it sat idle (a restart: the FATAL message and the EOF are
 * waiting in the socket; PQconsumeInput reads them without blocking, since libpq's socket is
 * always non-blocking underneath), and one a previous user
 * left inside a transaction, which must not leak into the next user's work. */
static bool pg_broken(store_conn *c) {
  pg_conn *pc = (pg_conn *)c;
  if (!pc->pg || PQstatus(pc->pg) != CONNECTION_OK || pc->cancel_pending)
    return true;
  if (PQtransactionStatus(pc->pg) != PQTRANS_IDLE)
    return true;
  /* The first read takes what is buffered (the FATAL message), the second meets the EOF. */
  for (int k = 0; k < 2; k++) {
    if (!PQconsumeInput(pc->pg))
      return true;
    (void)PQisBusy(pc->pg); /* parses what arrived */
  }
  return PQstatus(pc->pg) != CONNECTION_OK;
}

static void pg_disconnect(store_conn *c) {
  pg_conn *pc = (pg_conn *)c;
  if (!pc)
    return;
  stmt_cache_free(&pc->cache, pg_stmt_free);
  if (pc->pg)
    PQfinish(pc->pg);
  free(pc);
}

/* Run on every new or re-opened connection. */
static int pg_session_setup(pg_conn *pc) {
  return pg_exec(&pc->base, "SET client_min_messages = warning; SET TIME ZONE 'UTC'");
}

/* Defaults that keep a worker thread from hanging on a dead server or a partitioned network.
 * They come before dbname, so that the URI's own settings (e.g. ?connect_timeout=10 or
 * options=-c statement_timeout=0) override them. */
static const char *const pg_keys[] = {"connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                                      "keepalives_count", "tcp_user_timeout", "options",
                                      "dbname", "fallback_application_name", NULL};
/* jit=off: our statements are short and many-planned; PostgreSQL 15 compiles a plan with many
 * subplans when its estimated cost is high, which for the indicators' counting statement of a ward
 * of 5,000 people took 3.9 s of a 4.0 s answer (38 ms without; bench/indicators_live.sh). */
#define PG_DEFAULT_OPTIONS "-c statement_timeout=30000 -c idle_in_transaction_session_timeout=60000 -c jit=off"

static store_conn *pg_connect(const char *target, bool writer, char *err, size_t errlen) {
  const char *vals[] = {"5", "1", "30", "10", "3", "30000", PG_DEFAULT_OPTIONS, target, "hocvuso", NULL};
  pg_conn *pc = calloc(1, sizeof *pc);
  if (!pc) {
    copy_msg(err, errlen, "out of memory");
    return NULL;
  }
  pc->base.be = &store_pg_backend;
  pc->base.writer = writer;
  pc->pg = PQconnectdbParams(pg_keys, vals, 1); /* 1: dbname may be a URI or a conninfo string */
  if (!pc->pg) {
    copy_msg(err, errlen, "out of memory");
    goto fail;
  }
  if (PQstatus(pc->pg) != CONNECTION_OK) {
    copy_msg(err, errlen, PQerrorMessage(pc->pg));
    goto fail;
  }
  if (pg_session_setup(pc) != STORE_OK) {
    copy_msg(err, errlen, pc->base.err);
    goto fail;
  }
  return &pc->base;

fail:
  if (pc->pg)
    PQfinish(pc->pg);
  free(pc);
  return NULL;
}

/* Opens the same connection again (PQreset keeps its parameters); the server forgot the
 * prepared statements, so the cache goes too. The struct stays where the pool holds it. */
static int pg_reconnect(store_conn *c, char *err, size_t errlen) {
  pg_conn *pc = (pg_conn *)c;
  stmt_cache_free(&pc->cache, pg_stmt_free);
  pc->next_name = 0;
  pc->cancel_pending = false;
  PQreset(pc->pg);
  if (PQstatus(pc->pg) != CONNECTION_OK) {
    copy_msg(err, errlen, PQerrorMessage(pc->pg));
    return -1;
  }
  if (pg_session_setup(pc) != STORE_OK) {
    copy_msg(err, errlen, c->err);
    return -1;
  }
  c->unavailable = false;
  return 0;
}

static bool pg_in_tx(store_conn *c) {
  PGTransactionStatusType ts = PQtransactionStatus(((pg_conn *)c)->pg);
  return ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR || ts == PQTRANS_ACTIVE;
}

/* Appends one value in COPY's text format. */
static bool copy_put(char **buf, size_t *len, size_t *cap, const store_val *v, bool last) {
  size_t need = 4 + (v->type == STORE_V_TEXT ? 2 * strlen(v->s) : 24);
  if (*len + need > *cap) {
    size_t ncap = (*cap ? *cap * 2 : 65536);
    while (ncap < *len + need)
      ncap *= 2;
    char *nb = realloc(*buf, ncap);
    if (!nb)
      return false;
    *buf = nb;
    *cap = ncap;
  }
  char *o = *buf + *len;
  if (v->type == STORE_V_NULL) {
    *o++ = '\\';
    *o++ = 'N';
  } else if (v->type == STORE_V_INT) {
    o += snprintf(o, 24, "%" PRId64, v->i);
  } else {
    for (const char *p = v->s; *p; p++) {
      switch (*p) {
      case '\\': *o++ = '\\'; *o++ = '\\'; break;
      case '\n': *o++ = '\\'; *o++ = 'n'; break;
      case '\r': *o++ = '\\'; *o++ = 'r'; break;
      case '\t': *o++ = '\\'; *o++ = 't'; break;
      default: *o++ = *p;
      }
    }
  }
  *o++ = last ? '\n' : '\t';
  *len = (size_t)(o - *buf);
  return true;
}

/* COPY table (columns) FROM STDIN: one statement for the whole chunk. */
static int pg_copy_rows(store_conn *c, const store_bulk_spec *spec, const store_val *vals, int nrows) {
  pg_conn *pc = (pg_conn *)c;
  char sql[512];
  if ((size_t)snprintf(sql, sizeof sql, "COPY %s (%s) FROM STDIN", spec->table, spec->columns) >= sizeof sql) {
    set_err(c, "COPY statement too long");
    return STORE_ERROR;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int rc = STORE_ERROR;
  for (int r = 0; r < nrows; r++)
    for (int k = 0; k < spec->ncols; k++)
      if (!copy_put(&buf, &len, &cap, &vals[(size_t)r * (size_t)spec->ncols + (size_t)k], k == spec->ncols - 1)) {
        set_err(c, "out of memory");
        goto done;
      }
  PGresult *res = PQexec(pc->pg, sql);
  if (PQresultStatus(res) != PGRES_COPY_IN) {
    rc = result_error(pc, res);
    PQclear(res);
    goto done;
  }
  PQclear(res);
  bool sent = PQputCopyData(pc->pg, buf ? buf : "", (int)len) == 1;
  if (PQputCopyEnd(pc->pg, sent ? NULL : "client could not send the rows") != 1) {
    set_err(c, PQerrorMessage(pc->pg));
    c->unavailable = true;
  }
  rc = STORE_OK;
  while ((res = PQgetResult(pc->pg)) != NULL) {
    if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == STORE_OK)
      rc = result_error(pc, res);
    PQclear(res);
  }
  if (rc == STORE_OK && !sent) {
    set_err(c, PQerrorMessage(pc->pg));
    rc = STORE_ERROR;
  }
done:
  free(buf);
  return rc;
}
static int pg_notify(store_conn *c, const char *channel, const char *payload);
static int pg_listen(store_conn *c, const char *channel);
static int pg_wait_notify(store_conn *c, int timeout_ms, store_notify_cb cb, void *ctx);

const store_backend store_pg_backend = {
    .kind = STORE_PG,
    .name = "postgresql",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_textn = pg_bind_textn,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_is_null = pg_col_is_null,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .changes = pg_changes,
    .reset = pg_reset,
    .exec = pg_exec,
    .begin = pg_begin,
    .lock_migrations = pg_lock_migrations,
    .size_bytes = pg_size_bytes,
    .backup = NULL,
    .broken = pg_broken,
    .reconnect = pg_reconnect,
    .in_tx = pg_in_tx,
    .prepare_once = pg_prepare_once,
    .finalize = pg_finalize,
    .set_stream = pg_set_stream,
    .rows_held = pg_rows_held,
    .copy_rows = pg_copy_rows,
    .checkpoint = NULL,
    .notify = pg_notify,
    .listen = pg_listen,
    .wait_notify = pg_wait_notify,
};

/* ---- LISTEN/NOTIFY ---- */

static const store_sql q_pg_notify = {"SELECT pg_notify(?, ?)", NULL};

static int pg_notify(store_conn *c, const char *channel, const char *payload) {
  store_stmt *s = pg_prepare(c, &q_pg_notify);
  if (!s)
    return STORE_ERROR;
  pg_bind_textn(s, 1, channel, strlen(channel));
  pg_bind_textn(s, 2, payload, strlen(payload));
  int rc = pg_step(s);
  pg_reset(s);
  return rc == STORE_ROW ? STORE_OK : (rc < 0 ? rc : STORE_ERROR);
}

static int pg_listen(store_conn *c, const char *channel) {
  pg_conn *pc = (pg_conn *)c;
  char *ident = PQescapeIdentifier(pc->pg, channel, strlen(channel));
  if (!ident) {
    set_err(c, PQerrorMessage(pc->pg));
    return STORE_ERROR;
  }
  char sql[160];
  int n = snprintf(sql, sizeof sql, "LISTEN %s", ident);
  PQfreemem(ident);
  if (n < 0 || (size_t)n >= sizeof sql) {
    set_err(c, "channel name too long");
    return STORE_ERROR;
  }
  return pg_exec(c, sql);
}

/* Hands every notification libpq has parsed to cb. */
static void drain_notifies(pg_conn *pc, store_notify_cb cb, void *ctx) {
  PGnotify *n;
  while ((n = PQnotifies(pc->pg)) != NULL) {
    cb(ctx, n->extra ? n->extra : "");
    PQfreemem(n);
  }
}

static int pg_wait_notify(store_conn *c, int timeout_ms, store_notify_cb cb, void *ctx) {
  pg_conn *pc = (pg_conn *)c;
  if (!pc->pg || PQstatus(pc->pg) != CONNECTION_OK)
    return STORE_ERROR;
  drain_notifies(pc, cb, ctx); /* some may have arrived with an earlier result */
  int fd = PQsocket(pc->pg);
  if (fd < 0)
    return STORE_ERROR;
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int r = poll(&p, 1, timeout_ms);
  if (r < 0)
    return errno == EINTR ? STORE_OK : STORE_ERROR;
  if (r > 0) {
    if (!PQconsumeInput(pc->pg)) {
      set_err(c, PQerrorMessage(pc->pg));
      return STORE_ERROR;
    }
    drain_notifies(pc, cb, ctx);
  }
  return PQstatus(pc->pg) == CONNECTION_OK ? STORE_OK : STORE_ERROR;
}

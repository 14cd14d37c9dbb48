/* sqlite.c: the embedded SQLite backend (WAL mode), the default for one ward.
 * Owns: sqlite3 handles, their prepared-statement caches, pragmas and the online backup.
 * Never: writes outside the single writer connection (readers are opened read-only).
 */
#include "store/backend.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The transaction commands every request runs, prepared once per connection (sqlite3_exec would
 * parse them each time). */
static const char *const sq_tx_sql[] = {"BEGIN",          "BEGIN IMMEDIATE", "COMMIT",
                                        "ROLLBACK",       "SAVEPOINT hv_tx", "RELEASE hv_tx",
                                        "ROLLBACK TO hv_tx"};
#define SQ_TX_COUNT (sizeof sq_tx_sql / sizeof sq_tx_sql[0])

typedef struct sq_conn {
  struct store_conn base;
  sqlite3 *db;
  stmt_cache cache;
  sqlite3_stmt *tx[SQ_TX_COUNT];
  /* A listening connection (sq_listen): its channel, the last notification handed on, and the
   * database's data_version when the table was last read. */
  char channel[64];
  int64_t seen;
  int64_t data_version;
} sq_conn;

typedef struct sq_stmt {
  struct store_stmt base;
  sqlite3_stmt *st;
  int64_t changes;
} sq_stmt;

static void sq_seterr(sq_conn *c, const char *what) {
  snprintf(c->base.err, sizeof c->base.err, "%s: %s", what, sqlite3_errmsg(c->db));
}

/* busy_timeout first: switching to WAL takes an exclusive lock for a moment, and several
 * processes opening a fresh file at once (the server and a `migrate`) must wait for each other
 * instead of failing. The automatic checkpoint stays until store_maintenance_start() moves
 * checkpoints to its own thread. */
static const char *sq_pragmas_writer =
    "PRAGMA busy_timeout=10000;"
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA wal_autocheckpoint=4000;"
    /* 32 MiB of page cache for the writer: a list import touches every index of people at once */
    "PRAGMA cache_size=-32768;";
/* Savepoint and statement journals stay in memory up to SQ_SUBJOURNAL_SPILL bytes (sq_global_init):
 * a grouped commit's requests are savepoints (store_acquire_grouped), and each page one of them
 * changes is first copied to the sub-journal; on disk (SQLite's default spills past 64 KiB) that was
 * a third of the writer's pwrite calls. Not temp_store=MEMORY, which does the same with no bound but
 * in chunks of 1 KiB: five sqlite3_malloc and sqlite3_free per page copied, a hundred per visit. */
/* 4 MiB: a group of visits needs ~1 MiB; at 16 MiB a million-row import's multi-row INSERTs kept
 * up to 16 MiB of journal each and its peak RSS rose from 179 to 203 MB (BENCHMARKS.md, session 18). */
#define SQ_SUBJOURNAL_SPILL (4 << 20)
/* 8 MiB of page cache per reader (one per worker thread): at a million people the default 2 MiB
 * does not hold even the upper levels of the indexes a search walks, and every person looked up
 * cost a read of the file (measured: a capped count of 1,001 matches 2.3 ms → 0.6 ms). */
static const char *sq_pragmas_reader =
    "PRAGMA busy_timeout=10000;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA cache_size=-8192;";

/* Errors that are the database's state, not the statement's fault: the caller may try again. */
static bool sq_transient(int rc) {
  rc &= 0xff;
  return rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_FULL || rc == SQLITE_IOERR ||
         rc == SQLITE_CANTOPEN || rc == SQLITE_READONLY;
}

/* ---- the WAL's frames written in one call each ----
 * SQLite writes each WAL frame as two pwrite calls, its 24-byte header and then its page, at the
 * next offset. The writer's COMMIT of a grouped transaction writes some 60 frames: half of its
 * pwrite calls (about 5 % of a visit's CPU, most of it the kernel's fixed cost per call) were
 * headers. This VFS passes everything to the default one, except that on a WAL file a 24-byte
 * write is held until the next call on that file: when that call is the write that continues it
 * (the frame's page), the two go down as one; any other call writes the held bytes first. SQLite
 * writes a frame's page right after its header and publishes frames (the wal-index) only after
 * both, so no reader, in this process or another, can look for the held bytes before they are
 * written. Connections are opened with it by name (sq_connect); it is not the default VFS. */
typedef struct hv_file {
  sqlite3_file base;
  sqlite3_file *real; /* the default VFS's file, allocated right after this struct */
  bool wal;
  int held;             /* bytes held: 0 or WAL_FRAME_HDR */
  sqlite3_int64 held_at;
  unsigned char hdr[24];
  unsigned char *frame; /* header + page, for the combined write (grown as needed) */
  int frame_cap;
} hv_file;
enum { WAL_FRAME_HDR = 24 };

static sqlite3_vfs hv_vfs;
#define HV_REAL(f) (((hv_file *)(f))->real)

static int hv_flush(hv_file *f) {
  if (!f->held) return SQLITE_OK;
  f->held = 0;
  return f->real->pMethods->xWrite(f->real, f->hdr, WAL_FRAME_HDR, f->held_at);
}

static int hv_close(sqlite3_file *file) {
  hv_file *f = (hv_file *)file;
  int rc = hv_flush(f);
  int rc2 = f->real->pMethods->xClose(f->real);
  sqlite3_free(f->frame);
  f->frame = NULL;
  return rc != SQLITE_OK ? rc : rc2;
}

static int hv_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off) {
  int rc = hv_flush((hv_file *)file);
  return rc != SQLITE_OK ? rc : HV_REAL(file)->pMethods->xRead(HV_REAL(file), buf, amt, off);
}

/* The default VFS writes at most 128 KiB - 1 bytes a call: os_unix.c's seekAndWriteFd masks the
 * length with 0x1ffff, so a longer write writes the length modulo 128 KiB (nothing at all for a
 * multiple of it) and SQLite answers SQLITE_FULL. Its own writes are pages; but an in-memory
 * statement or savepoint journal, once it outgrows SQ_SUBJOURNAL_SPILL, is written to its file in
 * chunks of that size (memjournal.c), so any statement whose journal passed 4 MiB failed with
 * "database or disk is full" (found by migration 42; test_big_savepoint). A longer write goes
 * down in pieces. */
enum { HV_WRITE_MAX = 64 * 1024 };

static int write_pieces(sqlite3_file *r, const void *buf, int amt, sqlite3_int64 off) {
  const unsigned char *p = buf;
  while (amt > 0) {
    int n = amt < HV_WRITE_MAX ? amt : HV_WRITE_MAX;
    int rc = r->pMethods->xWrite(r, p, n, off);
    if (rc != SQLITE_OK) return rc;
    p += n;
    off += n;
    amt -= n;
  }
  return SQLITE_OK;
}

static int hv_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off) {
  hv_file *f = (hv_file *)file;
  sqlite3_file *r = f->real;
  if (f->held && off == f->held_at + WAL_FRAME_HDR && amt > 0) {
    int need = WAL_FRAME_HDR + amt;
    if (need > f->frame_cap) {
      unsigned char *g = sqlite3_realloc(f->frame, need);
      if (!g) {
        int rc = hv_flush(f);
        return rc != SQLITE_OK ? rc : r->pMethods->xWrite(r, buf, amt, off);
      }
      f->frame = g;
      f->frame_cap = need;
    }
    memcpy(f->frame, f->hdr, WAL_FRAME_HDR);
    memcpy(f->frame + WAL_FRAME_HDR, buf, (size_t)amt);
    f->held = 0;
    return r->pMethods->xWrite(r, f->frame, need, f->held_at);
  }
  int rc = hv_flush(f);
  if (rc != SQLITE_OK) return rc;
  if (f->wal && amt == WAL_FRAME_HDR) {
    memcpy(f->hdr, buf, WAL_FRAME_HDR);
    f->held = WAL_FRAME_HDR;
    f->held_at = off;
    return SQLITE_OK;
  }
  return amt > HV_WRITE_MAX ? write_pieces(r, buf, amt, off) : r->pMethods->xWrite(r, buf, amt, off);
}

#define HV_FLUSHED(call)                 \
  do {                                   \
    int rc_ = hv_flush((hv_file *)file); \
    if (rc_ != SQLITE_OK) return rc_;    \
    return call;                         \
  } while (0)

static int hv_truncate(sqlite3_file *file, sqlite3_int64 size) {
  HV_FLUSHED(HV_REAL(file)->pMethods->xTruncate(HV_REAL(file), size));
}
static int hv_sync(sqlite3_file *file, int flags) { HV_FLUSHED(HV_REAL(file)->pMethods->xSync(HV_REAL(file), flags)); }
static int hv_file_size(sqlite3_file *file, sqlite3_int64 *size) {
  HV_FLUSHED(HV_REAL(file)->pMethods->xFileSize(HV_REAL(file), size));
}
static int hv_lock(sqlite3_file *file, int lock) { HV_FLUSHED(HV_REAL(file)->pMethods->xLock(HV_REAL(file), lock)); }
static int hv_unlock(sqlite3_file *file, int lock) { HV_FLUSHED(HV_REAL(file)->pMethods->xUnlock(HV_REAL(file), lock)); }
static int hv_check_lock(sqlite3_file *file, int *out) {
  HV_FLUSHED(HV_REAL(file)->pMethods->xCheckReservedLock(HV_REAL(file), out));
}
static int hv_file_control(sqlite3_file *file, int op, void *arg) {
  HV_FLUSHED(HV_REAL(file)->pMethods->xFileControl(HV_REAL(file), op, arg));
}
static int hv_sector_size(sqlite3_file *file) { return HV_REAL(file)->pMethods->xSectorSize(HV_REAL(file)); }
static int hv_device_chars(sqlite3_file *file) {
  return HV_REAL(file)->pMethods->xDeviceCharacteristics(HV_REAL(file));
}
static int hv_shm_map(sqlite3_file *file, int pg, int pgsz, int extend, void volatile **p) {
  return HV_REAL(file)->pMethods->xShmMap(HV_REAL(file), pg, pgsz, extend, p);
}
static int hv_shm_lock(sqlite3_file *file, int offset, int n, int flags) {
  HV_FLUSHED(HV_REAL(file)->pMethods->xShmLock(HV_REAL(file), offset, n, flags));
}
static void hv_shm_barrier(sqlite3_file *file) {
  (void)hv_flush((hv_file *)file); /* never holds anything here: the WAL file has no shm of its own */
  HV_REAL(file)->pMethods->xShmBarrier(HV_REAL(file));
}
static int hv_shm_unmap(sqlite3_file *file, int del) { return HV_REAL(file)->pMethods->xShmUnmap(HV_REAL(file), del); }
static int hv_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **p) {
  HV_FLUSHED(HV_REAL(file)->pMethods->xFetch(HV_REAL(file), off, amt, p));
}
static int hv_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p) {
  return HV_REAL(file)->pMethods->xUnfetch(HV_REAL(file), off, p);
}

static const sqlite3_io_methods hv_io = {
    3,          hv_close,       hv_read,         hv_write,   hv_truncate,     hv_sync,
    hv_file_size, hv_lock,      hv_unlock,       hv_check_lock, hv_file_control, hv_sector_size,
    hv_device_chars, hv_shm_map, hv_shm_lock,    hv_shm_barrier, hv_shm_unmap, hv_fetch,
    hv_unfetch,
};

static int hv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags) {
  sqlite3_vfs *base = vfs->pAppData;
  hv_file *f = (hv_file *)file;
  memset(f, 0, sizeof *f);
  f->real = (sqlite3_file *)&f[1];
  f->wal = (flags & SQLITE_OPEN_WAL) != 0;
  int rc = base->xOpen(base, name, f->real, flags, out_flags);
  /* An open that failed with methods set is still closed by SQLite: it goes through ours. */
  file->pMethods = f->real->pMethods ? &hv_io : NULL;
  /* The unix VFS's files have version 3 methods; one with fewer would not support ours. */
  if (rc == SQLITE_OK && f->real->pMethods->iVersion < 3) {
    f->real->pMethods->xClose(f->real);
    file->pMethods = NULL;
    return SQLITE_CANTOPEN;
  }
  return rc;
}

#define HV_BASE(vfs) ((sqlite3_vfs *)(vfs)->pAppData)
static int hv_delete(sqlite3_vfs *v, const char *name, int sync) { return HV_BASE(v)->xDelete(HV_BASE(v), name, sync); }
static int hv_access(sqlite3_vfs *v, const char *name, int flags, int *out) {
  return HV_BASE(v)->xAccess(HV_BASE(v), name, flags, out);
}
static int hv_full_path(sqlite3_vfs *v, const char *name, int n, char *out) {
  return HV_BASE(v)->xFullPathname(HV_BASE(v), name, n, out);
}
static void *hv_dl_open(sqlite3_vfs *v, const char *name) { return HV_BASE(v)->xDlOpen(HV_BASE(v), name); }
static void hv_dl_error(sqlite3_vfs *v, int n, char *msg) { HV_BASE(v)->xDlError(HV_BASE(v), n, msg); }
static void (*hv_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void) { return HV_BASE(v)->xDlSym(HV_BASE(v), h, sym); }
static void hv_dl_close(sqlite3_vfs *v, void *h) { HV_BASE(v)->xDlClose(HV_BASE(v), h); }
static int hv_randomness(sqlite3_vfs *v, int n, char *out) { return HV_BASE(v)->xRandomness(HV_BASE(v), n, out); }
static int hv_sleep(sqlite3_vfs *v, int us) { return HV_BASE(v)->xSleep(HV_BASE(v), us); }
static int hv_current_time(sqlite3_vfs *v, double *t) { return HV_BASE(v)->xCurrentTime(HV_BASE(v), t); }
static int hv_last_error(sqlite3_vfs *v, int n, char *msg) { return HV_BASE(v)->xGetLastError(HV_BASE(v), n, msg); }
static int hv_current_time64(sqlite3_vfs *v, sqlite3_int64 *t) {
  return HV_BASE(v)->xCurrentTimeInt64(HV_BASE(v), t);
}

/* Process-wide settings, before the first connection: no global memory statistics (they
 * take a global mutex on every allocation, which every worker thread would contend for); the
 * VFS above, over the default one (when that cannot be had, connections use the default). */
static bool hv_vfs_ok;
static void sq_global_init(void) {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  /* One chunk of this size per journal. Refused only once SQLite is initialised (by another user
   * in the process): the default then stays, a spill to a temporary file past 64 KiB. */
  if (sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, SQ_SUBJOURNAL_SPILL) != SQLITE_OK)
    fprintf(stderr, "store: SQLite's sub-journal size could not be set; savepoints spill to disk\n");
  sqlite3_vfs *base = sqlite3_vfs_find(NULL);
  if (!base || base->iVersion < 2) return;
  hv_vfs = (sqlite3_vfs){
      .iVersion = 2,
      .szOsFile = (int)sizeof(hv_file) + base->szOsFile,
      .mxPathname = base->mxPathname,
      .zName = "hocvuso",
      .pAppData = base,
      .xOpen = hv_open,
      .xDelete = hv_delete,
      .xAccess = hv_access,
      .xFullPathname = hv_full_path,
      .xDlOpen = hv_dl_open,
      .xDlError = hv_dl_error,
      .xDlSym = hv_dl_sym,
      .xDlClose = hv_dl_close,
      .xRandomness = hv_randomness,
      .xSleep = hv_sleep,
      .xCurrentTime = hv_current_time,
      .xGetLastError = hv_last_error,
      .xCurrentTimeInt64 = hv_current_time64,
  };
  hv_vfs_ok = sqlite3_vfs_register(&hv_vfs, 0) == SQLITE_OK;
}

static store_conn *sq_connect(const char *target, bool writer, char *err, size_t errlen) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, sq_global_init);
  sq_conn *c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  int flags = SQLITE_OPEN_NOMUTEX | (writer ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY);
  if (sqlite3_open_v2(target, &c->db, flags, hv_vfs_ok ? "hocvuso" : NULL) != SQLITE_OK) {
    snprintf(err, errlen, "cannot open %s: %s", target, c->db ? sqlite3_errmsg(c->db) : "out of memory");
    goto fail;
  }
  /* SQLite answers SQLITE_BUSY without calling the busy handler when waiting could deadlock (two
   * processes switching a fresh file to WAL at once, each holding a shared lock): try again, for
   * at most the busy timeout. The pragmas are idempotent. */
  char *msg = NULL;
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 200; attempt++) {
    sqlite3_free(msg);
    msg = NULL;
    rc = sqlite3_exec(c->db, writer ? sq_pragmas_writer : sq_pragmas_reader, NULL, NULL, &msg);
    if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) break;
    sqlite3_sleep(50);
  }
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "cannot configure %s: %s", target, msg ? msg : "unknown error");
    sqlite3_free(msg);
    goto fail;
  }
  c->base.be = &store_sqlite_backend;
  c->base.writer = writer;
  return &c->base;
fail:
  sqlite3_close(c->db);
  free(c);
  return NULL;
}

static void sq_finalize(store_stmt *s) {
  sq_stmt *q = (sq_stmt *)s;
  sqlite3_finalize(q->st);
  free(q);
}

static void sq_disconnect(store_conn *base) {
  sq_conn *c = (sq_conn *)base;
  stmt_cache_free(&c->cache, sq_finalize);
  for (size_t i = 0; i < SQ_TX_COUNT; i++) sqlite3_finalize(c->tx[i]);
  sqlite3_close(c->db);
  free(c);
}

static store_stmt *sq_prepare_flags(store_conn *base, const store_sql *q, bool cache) {
  sq_conn *c = (sq_conn *)base;
  if (cache) {
    store_stmt *hit = stmt_cache_get(&c->cache, q);
    if (hit) return hit;
  }
  sq_stmt *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(c->base.err, sizeof c->base.err, "out of memory");
    return NULL;
  }
  int prc = sqlite3_prepare_v3(c->db, q->sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
  if (prc != SQLITE_OK) {
    sq_seterr(c, "prepare");
    c->base.unavailable = sq_transient(prc);
    free(s);
    return NULL;
  }
  s->base.conn = base;
  s->base.q = cache ? q : NULL;
  if (cache && stmt_cache_put(&c->cache, q, &s->base) != 0) {
    sqlite3_finalize(s->st);
    free(s);
    snprintf(c->base.err, sizeof c->base.err, "out of memory");
    return NULL;
  }
  return &s->base;
}

static store_stmt *sq_prepare(store_conn *base, const store_sql *q) { return sq_prepare_flags(base, q, true); }
static store_stmt *sq_prepare_once(store_conn *base, const store_sql *q) { return sq_prepare_flags(base, q, false); }

#define SQ(s) (((sq_stmt *)(s))->st)

static void sq_bind_int(store_stmt *s, int i, int64_t v) { sqlite3_bind_int64(SQ(s), i, v); }
static void sq_bind_textn(store_stmt *s, int i, const char *v, size_t n) {
  sqlite3_bind_text64(SQ(s), i, v, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}
static void sq_bind_textn_static(store_stmt *s, int i, const char *v, size_t n) {
  sqlite3_bind_text64(SQ(s), i, v, n, SQLITE_STATIC, SQLITE_UTF8);
}
static void sq_bind_blob(store_stmt *s, int i, const void *v, size_t n) {
  sqlite3_bind_blob64(SQ(s), i, n ? v : "", n, SQLITE_TRANSIENT);
}
static void sq_bind_null(store_stmt *s, int i) { sqlite3_bind_null(SQ(s), i); }

static int sq_step(store_stmt *s) {
  sq_stmt *q = (sq_stmt *)s;
  sq_conn *c = (sq_conn *)s->conn;
  int rc = sqlite3_step(q->st);
  if (rc == SQLITE_ROW) return STORE_ROW;
  if (rc == SQLITE_DONE) {
    q->changes = sqlite3_changes64(c->db);
    return STORE_DONE;
  }
  sq_seterr(c, "step");
  c->base.unavailable = sq_transient(rc);
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return STORE_CONSTRAINT;
  return STORE_ERROR;
}

static int sq_col_count(store_stmt *s) { return sqlite3_column_count(SQ(s)); }
static bool sq_col_is_null(store_stmt *s, int i) { return sqlite3_column_type(SQ(s), i) == SQLITE_NULL; }
static int64_t sq_col_int(store_stmt *s, int i) { return sqlite3_column_int64(SQ(s), i); }
static const char *sq_col_text(store_stmt *s, int i) { return (const char *)sqlite3_column_text(SQ(s), i); }
static const void *sq_col_blob(store_stmt *s, int i, size_t *n) {
  const void *p = sqlite3_column_blob(SQ(s), i);
  *n = (size_t)sqlite3_column_bytes(SQ(s), i);
  return p;
}
static int64_t sq_changes(store_stmt *s) { return ((sq_stmt *)s)->changes; }
static int64_t sq_last_insert_id(store_stmt *s) { return sqlite3_last_insert_rowid(((sq_conn *)s->conn)->db); }
static void sq_reset(store_stmt *s) {
  sqlite3_reset(SQ(s));
  sqlite3_clear_bindings(SQ(s));
}

/* A transaction command through its prepared statement; -1 when `sql` is not one of them. */
static int sq_tx(sq_conn *c, const char *sql) {
  size_t i = 0;
  while (i < SQ_TX_COUNT && strcmp(sql, sq_tx_sql[i]) != 0) i++;
  if (i == SQ_TX_COUNT) return -1;
  if (!c->tx[i] && sqlite3_prepare_v2(c->db, sq_tx_sql[i], -1, &c->tx[i], NULL) != SQLITE_OK) return sqlite3_errcode(c->db);
  int rc = sqlite3_step(c->tx[i]);
  sqlite3_reset(c->tx[i]);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int sq_exec(store_conn *base, const char *sql) {
  sq_conn *c = (sq_conn *)base;
  char *msg = NULL;
  int rc = sq_tx(c, sql);
  if (rc == -1) rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    snprintf(c->base.err, sizeof c->base.err, "%s", msg ? msg : sqlite3_errmsg(c->db));
    sqlite3_free(msg);
    c->base.unavailable = sq_transient(rc);
    return (rc & 0xff) == SQLITE_CONSTRAINT ? STORE_CONSTRAINT : STORE_ERROR;
  }
  return STORE_OK;
}

static int sq_begin(store_conn *c) { return sq_exec(c, c->writer ? "BEGIN IMMEDIATE" : "BEGIN"); }

static int64_t sq_size_bytes(store_conn *base) {
  sq_conn *c = (sq_conn *)base;
  sqlite3_stmt *st = NULL;
  int64_t size = -1;
  if (sqlite3_prepare_v2(c->db, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", -1,
                         &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    size = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return size;
}

/* One consistent snapshot: the whole copy in a single backup step, which holds one read
 * transaction on the source from start to end. In WAL mode writers go on meanwhile, and their
 * commits cannot restart the copy (a step-wise backup restarts whenever another connection
 * writes between two steps, and under steady writes never finishes). The copy is written to
 * PATH.tmp and renamed over PATH once complete, so PATH is never a half-written file. */
static int sq_backup(store_conn *base, const char *path, char *err, size_t errlen) {
  sq_conn *c = (sq_conn *)base;
  sqlite3 *dst = NULL;
  sqlite3_backup *b = NULL;
  int rc = -1;
  char tmp[4096];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
    snprintf(err, errlen, "the backup path is too long");
    return -1;
  }
  (void)unlink(tmp);
  if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "cannot create %s: %s", tmp, dst ? sqlite3_errmsg(dst) : "out of memory");
    goto done;
  }
  b = sqlite3_backup_init(dst, "main", c->db, "main");
  if (!b) {
    snprintf(err, errlen, "cannot start the backup: %s", sqlite3_errmsg(dst));
    goto done;
  }
  int src;
  for (int tries = 0;; tries++) {
    src = sqlite3_backup_step(b, -1); /* everything, in one read transaction */
    if ((src != SQLITE_BUSY && src != SQLITE_LOCKED) || tries == 500) break;
    sqlite3_sleep(20); /* only while the source is being opened or the WAL recovered */
  }
  int fin = sqlite3_backup_finish(b);
  b = NULL;
  if (src != SQLITE_DONE || fin != SQLITE_OK) {
    snprintf(err, errlen, "backup failed: %s", sqlite3_errstr(src != SQLITE_DONE ? src : fin));
    goto done;
  }
  if (sqlite3_close(dst) != SQLITE_OK) {
    snprintf(err, errlen, "cannot close %s", tmp);
    dst = NULL;
    goto done;
  }
  dst = NULL;
  if (rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    goto done;
  }
  rc = 0;
done:
  if (b) sqlite3_backup_finish(b);
  if (dst) sqlite3_close(dst);
  if (rc != 0) (void)unlink(tmp);
  return rc;
}

static bool sq_broken(store_conn *c) {
  (void)c;
  return false;
}

static int sq_reconnect(store_conn *c, char *err, size_t errlen) {
  (void)c;
  (void)err;
  (void)errlen;
  return 0;
}

static bool sq_in_tx(store_conn *base) { return !sqlite3_get_autocommit(((sq_conn *)base)->db); }

static int sq_rows_held(store_stmt *s) { return sqlite3_data_count(SQ(s)) > 0 ? 1 : 0; }

static int sq_checkpoint(store_conn *base, bool truncate, int64_t *frames) {
  sq_conn *c = (sq_conn *)base;
  int log = 0, done = 0;
  /* Never make the writer wait long: a TRUNCATE blocks new writers while it waits for readers. */
  sqlite3_busy_timeout(c->db, 20);
  int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
                                     &log, &done);
  *frames = log;
  if (rc == SQLITE_BUSY) return 0;
  if (rc != SQLITE_OK) {
    sq_seterr(c, "checkpoint");
    return -1;
  }
  return log == done ? 1 : 0;
}

/* ---- notifications between processes ----
 * SQLite has no LISTEN/NOTIFY: a notification is a row of store_notifications (migration 24),
 * written in the notifying transaction, so that it is seen exactly when (and only if) that
 * transaction commits, by every process on the file. A listener polls: `PRAGMA data_version`
 * (which changes when another connection commits) every SQ_POLL_MS, and reads the rows after the
 * last one it handed on only then. Rows older than SQ_NOTIFY_KEEP_S are deleted as new ones are
 * written; a listener that falls that far behind has lost its connection's lease long before. */
#define SQ_POLL_MS 25
#define SQ_NOTIFY_KEEP_S 3600
static const store_sql q_sq_notify = {"INSERT INTO store_notifications (channel, payload, at) VALUES (?, ?, ?)", NULL};
static const store_sql q_sq_notify_prune = {"DELETE FROM store_notifications WHERE at < ?", NULL};
static const store_sql q_sq_notify_last = {"SELECT COALESCE(MAX(id), 0) FROM store_notifications", NULL};
/* Every channel's rows, so that `seen` is a mark comparable with q_sq_notify_last's (sq_notify_mark):
 * the rows of other channels are passed over (there is one channel today). */
static const store_sql q_sq_notify_since = {"SELECT id, channel, payload FROM store_notifications WHERE id > ? ORDER BY id",
                                            NULL};
static const store_sql q_sq_data_version = {"PRAGMA data_version", NULL};

/* One statement that answers one integer (or steps to its end): STORE_OK, or STORE_ERROR. */
static int sq_run(store_conn *c, const store_sql *q, const char *text, int64_t a, int64_t b, int nargs, int64_t *out) {
  store_stmt *s = sq_prepare(c, q);
  if (!s) return STORE_ERROR;
  if (text) sq_bind_textn(s, 1, text, strlen(text));
  if (nargs > 0) sq_bind_int(s, text ? 2 : 1, a);
  if (nargs > 1) sq_bind_int(s, text ? 3 : 2, b);
  int rc = sq_step(s);
  if (out && rc == STORE_ROW) *out = sq_col_int(s, 0);
  sq_reset(s);
  return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : STORE_ERROR;
}

static int sq_notify(store_conn *c, const char *channel, const char *payload) {
  int64_t now = (int64_t)time(NULL);
  store_stmt *s = sq_prepare(c, &q_sq_notify);
  if (!s) return STORE_ERROR;
  sq_bind_textn(s, 1, channel, strlen(channel));
  sq_bind_textn(s, 2, payload, strlen(payload));
  sq_bind_int(s, 3, now);
  int rc = sq_step(s);
  sq_reset(s);
  if (rc != STORE_DONE) return rc == STORE_CONSTRAINT ? STORE_ERROR : rc;
  return sq_run(c, &q_sq_notify_prune, NULL, now - SQ_NOTIFY_KEEP_S, 0, 1, NULL);
}

static int sq_listen(store_conn *base, const char *channel) {
  sq_conn *c = (sq_conn *)base;
  if (strlen(channel) >= sizeof c->channel) {
    snprintf(c->base.err, sizeof c->base.err, "channel name too long");
    return STORE_ERROR;
  }
  snprintf(c->channel, sizeof c->channel, "%s", channel);
  if (sq_run(base, &q_sq_data_version, NULL, 0, 0, 0, &c->data_version) != STORE_OK) return STORE_ERROR;
  return sq_run(base, &q_sq_notify_last, NULL, 0, 0, 0, &c->seen);
}

/* The rows after the last one handed on, each to cb. */
static int sq_drain(sq_conn *c, store_notify_cb cb, void *ctx) {
  store_stmt *s = sq_prepare(&c->base, &q_sq_notify_since);
  if (!s) return STORE_ERROR;
  sq_bind_int(s, 1, c->seen);
  int rc;
  while ((rc = sq_step(s)) == STORE_ROW) {
    const char *channel = sq_col_text(s, 1), *payload = sq_col_text(s, 2);
    if (channel && strcmp(channel, c->channel) == 0) cb(ctx, payload ? payload : "");
    c->seen = sq_col_int(s, 0); /* after cb: the mark never runs ahead of what was handed on */
  }
  sq_reset(s);
  return rc == STORE_DONE ? STORE_OK : STORE_ERROR;
}

/* The newest notification c's transaction sees; on a listening connection, the last one handed on. */
static int sq_notify_mark(store_conn *c, int64_t *mark) {
  return sq_run(c, &q_sq_notify_last, NULL, 0, 0, 0, mark);
}

static int sq_listen_mark(store_conn *base, int64_t *mark) {
  *mark = ((sq_conn *)base)->seen;
  return STORE_OK;
}

static int sq_wait_notify(store_conn *base, int timeout_ms, store_notify_cb cb, void *ctx) {
  sq_conn *c = (sq_conn *)base;
  for (int waited = 0;; waited += SQ_POLL_MS) {
    int64_t v = 0;
    if (sq_run(base, &q_sq_data_version, NULL, 0, 0, 0, &v) != STORE_OK) return STORE_ERROR;
    if (v != c->data_version) {
      c->data_version = v;
      if (sq_drain(c, cb, ctx) != STORE_OK) return STORE_ERROR;
    }
    if (waited >= timeout_ms) return STORE_OK;
    struct timespec ts = {0, SQ_POLL_MS * 1000000L};
    nanosleep(&ts, NULL);
  }
}

/* SQLITE_DBCONFIG_ENABLE_TRIGGER: the connection's own setting; its statements prepared before are
 * expired (prepared again at their next step, with or without the trigger programs). Foreign keys'
 * actions are not triggers and stay. An expired statement that is mid-way through its rows is not
 * prepared again: the next cursor it opens (a correlated subquery's, row after row) fails with
 * SQLITE_ABORT_ROLLBACK, "abort due to ROLLBACK". So they are not turned off while a statement of
 * the connection is stepped and not yet reset (the caller then keeps them on and leaves their work
 * to them); turning them on again is never refused. */
static int sq_row_triggers(store_conn *c, bool on) {
  sq_conn *s = (sq_conn *)c;
  int now = -1;
  for (sqlite3_stmt *p = on ? NULL : sqlite3_next_stmt(s->db, NULL); p; p = sqlite3_next_stmt(s->db, p))
    if (sqlite3_stmt_busy(p)) {
      snprintf(s->base.err, sizeof s->base.err, "triggers: a statement is mid-way through its rows");
      return -1;
    }
  if (sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, on ? 1 : 0, &now) != SQLITE_OK || now != (on ? 1 : 0)) {
    sq_seterr(s, "triggers");
    return -1;
  }
  return 0;
}

const store_backend store_sqlite_backend = {
    .kind = STORE_SQLITE,
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .prepare = sq_prepare,
    .bind_int = sq_bind_int,
    .bind_textn = sq_bind_textn,
    .bind_textn_static = sq_bind_textn_static,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_is_null = sq_col_is_null,
    .col_int = sq_col_int,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .changes = sq_changes,
    .reset = sq_reset,
    .exec = sq_exec,
    .begin = sq_begin,
    .lock_migrations = NULL,
    .size_bytes = sq_size_bytes,
    .backup = sq_backup,
    .broken = sq_broken,
    .reconnect = sq_reconnect,
    .in_tx = sq_in_tx,
    .prepare_once = sq_prepare_once,
    .finalize = sq_finalize,
    .set_stream = NULL,
    .rows_held = sq_rows_held,
    .copy_rows = NULL,
    .checkpoint = sq_checkpoint,
    .notify = sq_notify,
    .listen = sq_listen,
    .wait_notify = sq_wait_notify,
    .last_insert_id = sq_last_insert_id,
    .notify_mark = sq_notify_mark,
    .listen_mark = sq_listen_mark,
    .row_triggers = sq_row_triggers,
};

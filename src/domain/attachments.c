/* attachments.c: files kept outside the database, named by their SHA-256 (see attachments.h).
 * Only this file writes SQL about the attachments table or touches DATA/attachments. It never
 * trusts a file's name or Content-Type for its type, and never holds a connection while it reads,
 * hashes or writes bytes. */
#include "domain/attachments.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/audit.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/log.h"
#include "util/utf8.h"

STORE_SQL(q_insert, "INSERT INTO attachments (sha256, size, content_type, filename, owner_kind, owner_id, created_by,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_get, "SELECT id, filename, content_type, size, sha256, created_at FROM attachments WHERE id = ?");
STORE_SQL(q_of_owner, "SELECT id, filename, content_type, size, sha256, created_at FROM attachments"
                       " WHERE owner_kind = ? AND owner_id = ? ORDER BY id");
STORE_SQL(q_reach, "SELECT owner_kind, owner_id, created_by FROM attachments WHERE id = ?");
/* Unlinked: a plan task's file that no progress update names (plan_update_attachments, plan.c's
 * table, read here only). A school's evidence belongs to the school itself and is never unlinked. */
#define UNLINKED                                                                                          \
  " a.owner_kind = '" ATTACH_OWNER_PLAN_TASK "'"                                                          \
  " AND NOT EXISTS (SELECT 1 FROM plan_update_attachments pa WHERE pa.attachment_id = a.id)"
STORE_SQL(q_unlinked_of, "SELECT COUNT(*), COALESCE(SUM(a.size), 0) FROM attachments a WHERE a.created_by = ? AND" UNLINKED);
/* The uploader's row, locked on PostgreSQL (writes run at once there), so that two uploads of one
 * account are counted one after the other; SQLite's single writer serialises them already. */
STORE_SQL2(q_unlinked_lock, "SELECT CAST(? AS BIGINT)", "SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE");
STORE_SQL(q_stale, "SELECT a.id, a.owner_id, a.size FROM attachments a WHERE a.created_at < ? AND" UNLINKED
                   " ORDER BY a.id LIMIT 200");
STORE_SQL(q_stale_delete, "DELETE FROM attachments WHERE id = ? AND NOT EXISTS"
                          " (SELECT 1 FROM plan_update_attachments pa WHERE pa.attachment_id = attachments.id)");
STORE_SQL(q_sha_used, "SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1");

/* ---- types, from the bytes ---- */
static const struct {
  const char *type, *ext;
  const char *exts; /* the extensions a name of this type may have, space-separated */
} TYPES[] = {
    {"application/pdf", "pdf", " pdf "},
    {"image/png", "png", " png "},
    {"image/jpeg", "jpg", " jpg jpeg jpe "},
    {"image/webp", "webp", " webp "},
};

const char *attachments_sniff(const unsigned char *h, size_t n, const char **ext) {
  int k = -1;
  if (n >= 5 && memcmp(h, "%PDF-", 5) == 0) k = 0;
  else if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0) k = 1;
  else if (n >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF) k = 2;
  else if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0) k = 3;
  if (k < 0) return NULL;
  if (ext) *ext = TYPES[k].ext;
  return TYPES[k].type;
}

/* The accepted type a name's extension says, "" when it has no extension, NULL for another one. */
static const char *type_of_name(const char *name) {
  const char *dot = name ? strrchr(name, '.') : NULL;
  if (!dot || !dot[1] || strchr(dot, '/')) return "";
  char ext[16];
  size_t n = strlen(dot + 1);
  if (n + 3 > sizeof ext) return NULL;
  ext[0] = ' ';
  for (size_t i = 0; i < n; i++) ext[i + 1] = (char)((dot[1 + i] >= 'A' && dot[1 + i] <= 'Z') ? dot[1 + i] + 32 : dot[1 + i]);
  ext[n + 1] = ' ';
  ext[n + 2] = '\0';
  for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
    if (strstr(TYPES[i].exts, ext)) return TYPES[i].type;
  return NULL;
}

/* The accepted type a Content-Type claims (parameters ignored), "" when it claims nothing. */
static const char *type_of_claim(const char *claimed) {
  if (!claimed || !*claimed) return "";
  size_t n = strcspn(claimed, "; ");
  if (n == 24 && strncasecmp(claimed, "application/octet-stream", 24) == 0) return "";
  if (n == 9 && strncasecmp(claimed, "image/jpg", 9) == 0) return "image/jpeg";
  for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
    if (strlen(TYPES[i].type) == n && strncasecmp(claimed, TYPES[i].type, n) == 0) return TYPES[i].type;
  return NULL;
}

int attachments_check_type(const char *filename, const char *claimed, const unsigned char *head, size_t n,
                           const char **type, app_err *e) {
  const char *real = attachments_sniff(head, n, NULL);
  if (!real)
    return app_fail(e, 415, "unsupported_media_type", "file",
                    "Chỉ nhận tệp PDF, ảnh PNG, JPEG hoặc WebP (nội dung tệp không phải các loại này).");
  const char *by_name = type_of_name(filename), *by_claim = type_of_claim(claimed);
  /* NULL: a name or type of a kind not accepted; "": nothing claimed. */
  bool lie = !by_name || !by_claim || (*by_name && strcmp(by_name, real) != 0) || (*by_claim && strcmp(by_claim, real) != 0);
  if (lie)
    return app_fail(e, 415, "unsupported_media_type", "file",
                    "Nội dung tệp không đúng loại mà tên tệp hoặc kiểu dữ liệu ghi (ví dụ: tệp tên .pdf nhưng không phải PDF).");
  *type = real;
  return 0;
}

void attachments_path(const char *data_dir, const char *sha256, char *out, size_t n) {
  snprintf(out, n, "%s/" ATTACH_DIR "/%.2s/%.64s", data_dir, sha256, sha256);
}

static int make_dir(const char *path) { return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1; }

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n) {
    ssize_t m = write(fd, p, n);
    if (m < 0 && errno == EINTR) continue;
    if (m <= 0) return -1;
    p += m;
    n -= (size_t)m;
  }
  return 0;
}

int attachments_store_file(const char *data_dir, int fd, uint64_t len, const char *filename, const char *claimed,
                           attachment_file *out, app_err *e) {
  memset(out, 0, sizeof *out);
  if (fd < 0 || len == 0) return app_fail(e, 400, "invalid_value", "file", "Tệp gửi lên trống.");
  if (len > ATTACH_MAX_BYTES) return app_fail(e, 413, "too_large", "file", "Tệp quá lớn (tối đa 10 MiB).");
  char dir[1100], tmp[1200], path[1200];
  snprintf(dir, sizeof dir, "%s/" ATTACH_DIR, data_dir);
  if (make_dir(dir) != 0) {
    log_error("cannot make %s: %s", dir, strerror(errno));
    return APP_INTERNAL(e);
  }
  unsigned char rnd[8];
  char hex[17];
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
  snprintf(tmp, sizeof tmp, "%s/.upload-%s", dir, hex);
  int outfd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (outfd < 0) {
    log_error("cannot create %s: %s", tmp, strerror(errno));
    return APP_INTERNAL(e);
  }
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  unsigned char buf[65536], head[16];
  size_t nhead = 0;
  uint64_t got = 0;
  int rc = -1;
  while (got < len) {
    ssize_t m = read(fd, buf, sizeof buf);
    if (m < 0 && errno == EINTR) continue;
    if (m <= 0) break;
    if (nhead < sizeof head) {
      size_t k = (size_t)m < sizeof head - nhead ? (size_t)m : sizeof head - nhead;
      memcpy(head + nhead, buf, k);
      nhead += k;
      /* The type is known from the first bytes: a lie stops the copy at once. */
      if (nhead == sizeof head || (uint64_t)nhead == len) {
        if (attachments_check_type(filename, claimed, head, nhead, &out->type, e) != 0) goto fail;
      }
    }
    crypto_hash_sha256_update(&st, buf, (unsigned long long)m);
    if (write_all(outfd, buf, (size_t)m) != 0) {
      log_error("cannot write %s: %s", tmp, strerror(errno));
      APP_INTERNAL(e);
      goto fail;
    }
    got += (uint64_t)m;
  }
  if (got != len || !out->type) {
    if (!out->type && got == len && attachments_check_type(filename, claimed, head, nhead, &out->type, e) != 0) goto fail;
    if (got != len) {
      APP_INTERNAL(e);
      goto fail;
    }
  }
  if (fsync(outfd) != 0) {
    APP_INTERNAL(e);
    goto fail;
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  sodium_bin2hex(out->sha256, sizeof out->sha256, digest, sizeof digest);
  out->size = len;
  char sub[1200];
  snprintf(sub, sizeof sub, "%s/%.2s", dir, out->sha256);
  attachments_path(data_dir, out->sha256, path, sizeof path);
  if (make_dir(sub) != 0 || rename(tmp, path) != 0) {
    log_error("cannot store %s: %s", path, strerror(errno));
    APP_INTERNAL(e);
    goto fail;
  }
  rc = 0;
fail:
  if (close(outfd) != 0 && rc == 0) rc = APP_INTERNAL(e);
  if (rc != 0) unlink(tmp);
  return rc;
}

/* The name as kept: its last path component, cleaned, cut to ATTACH_NAME_MAX characters. */
static char *clean_name(const char *name) {
  const char *base = name ? name : "";
  for (const char *p = base; *p; p++)
    if (*p == '/' || *p == '\\') base = p + 1;
  char *c = utf8_valid(base, strlen(base)) ? text_clean(base) : NULL;
  if (!c || !*c) {
    free(c);
    return strdup("tep");
  }
  /* Control characters out; the name is cut on a character boundary. */
  size_t k = 0, chars = 0;
  for (size_t i = 0; c[i];) {
    unsigned char b = (unsigned char)c[i];
    size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (chars == ATTACH_NAME_MAX) break;
    if (b >= 0x20 && b != 0x7F && b != '"') {
      memmove(c + k, c + i, len);
      k += len;
      chars++;
    }
    i += len;
  }
  c[k] = '\0';
  return c;
}

int attachments_insert(store_conn *w, const attachment_file *f, const char *filename, const char *owner_kind,
                       int64_t owner_id, int64_t by_user, int64_t now, int64_t *id, app_err *e) {
  char *name = clean_name(filename);
  store_stmt *s = name ? store_prepare(w, &q_insert) : NULL;
  if (!s) {
    free(name);
    return APP_INTERNAL(e);
  }
  store_bind_text(s, 1, f->sha256);
  store_bind_int(s, 2, (int64_t)f->size);
  store_bind_text(s, 3, f->type);
  store_bind_text(s, 4, name);
  store_bind_text(s, 5, owner_kind);
  store_bind_int(s, 6, owner_id);
  store_bind_id(s, 7, by_user);
  store_bind_int(s, 8, now);
  int rc = store_insert_id(s, id);
  free(name);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

json_t *attachments_json_row(int64_t id, const char *filename, const char *type, int64_t size, const char *sha256,
                             int64_t created_at) {
  char at[32], url[64];
  clock_iso8601(created_at, at, sizeof at);
  snprintf(url, sizeof url, "/api/v1/attachments/%lld", (long long)id);
  return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "filename", filename ? filename : "",
                   "content_type", type ? type : "", "size", (json_int_t)size, "sha256", sha256 ? sha256 : "",
                   "created_at", at, "url", url);
}

int attachments_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  *out = NULL;
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW)
    *out = attachments_json_row(store_col_int(s, 0), store_col_text(s, 1), store_col_text(s, 2), store_col_int(s, 3),
                                store_col_text(s, 4), store_col_int(s, 5));
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có tệp đính kèm này.");
  return *out ? 0 : APP_INTERNAL(e);
}

int attachments_of_owner(store_conn *c, const char *owner_kind, int64_t owner_id, json_t **by_id, app_err *e) {
  *by_id = json_object();
  store_stmt *s = *by_id ? store_prepare(c, &q_of_owner) : NULL;
  if (!s) {
    json_decref(*by_id);
    *by_id = NULL;
    return APP_INTERNAL(e);
  }
  store_bind_text(s, 1, owner_kind);
  store_bind_int(s, 2, owner_id);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)store_col_int(s, 0));
    json_object_set_new(*by_id, key,
                        attachments_json_row(store_col_int(s, 0), store_col_text(s, 1), store_col_text(s, 2),
                                             store_col_int(s, 3), store_col_text(s, 4), store_col_int(s, 5)));
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(*by_id);
    *by_id = NULL;
    return APP_INTERNAL(e);
  }
  return 0;
}

int attachments_reach(store_conn *c, int64_t id, arena *a, attachment_reach *out, app_err *e) {
  memset(out, 0, sizeof *out);
  store_stmt *s = store_prepare(c, &q_reach);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    out->owner_kind = arena_strdup(a, store_col_text(s, 0));
    out->owner_id = store_col_int(s, 1);
    out->created_by = store_col_int(s, 2);
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có tệp đính kèm này.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

int attachments_open(store_conn *c, const char *data_dir, int64_t id, attachment_open *out, app_err *e) {
  memset(out, 0, sizeof *out);
  out->fd = -1;
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  char sha[65] = "";
  if (rc == STORE_ROW) {
    snprintf(out->filename, sizeof out->filename, "%s", store_col_text(s, 1) ? store_col_text(s, 1) : "tep");
    snprintf(out->type, sizeof out->type, "%s", store_col_text(s, 2) ? store_col_text(s, 2) : "");
    snprintf(sha, sizeof sha, "%s", store_col_text(s, 4) ? store_col_text(s, 4) : "");
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có tệp đính kèm này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  /* The type served is the one read from the bytes when stored, and one of ours only. */
  if (!type_of_claim(out->type) || !*type_of_claim(out->type)) return APP_INTERNAL(e);
  char path[1200];
  attachments_path(data_dir, sha, path, sizeof path);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat stt;
  if (fd < 0 || fstat(fd, &stt) != 0) {
    log_error("attachment %lld: cannot open %s: %s", (long long)id, path, strerror(errno));
    if (fd >= 0) close(fd);
    return APP_INTERNAL(e);
  }
  out->fd = fd;
  out->size = (uint64_t)stt.st_size;
  return 0;
}

void attachments_disposition(const char *filename, char *out, size_t n) {
  char ascii[128], enc[ATTACH_NAME_MAX * 12 + 1];
  size_t a = 0, k = 0;
  const unsigned char *name = (const unsigned char *)(filename && *filename ? filename : "tep");
  for (const unsigned char *p = name; *p; p++) {
    bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                 *p == '_' || *p == '.';
    if (a + 1 < sizeof ascii) {
      if (plain) ascii[a++] = (char)*p;
      else if (*p < 0x80 || (*p & 0xC0) == 0xC0) ascii[a++] = '_';
    }
    if (k + 4 < sizeof enc) {
      if (plain) enc[k++] = (char)*p;
      else k += (size_t)snprintf(enc + k, sizeof enc - k, "%%%02X", *p);
    }
  }
  ascii[a] = '\0';
  enc[k] = '\0';
  snprintf(out, n, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
}

/* snprintf's answer n wrote the whole text into a buffer of `size`. */
static bool fits(int n, size_t size) { return n >= 0 && (size_t)n < size; }

/* Copies src to dst (a temporary beside it, renamed), unless dst exists. 1 written, 0 kept, -1. */
static int copy_file(const char *src, const char *dst) {
  struct stat st;
  if (stat(dst, &st) == 0) return 0;
  char tmp[1320];
  if (!fits(snprintf(tmp, sizeof tmp, "%s.tmp", dst), sizeof tmp)) return -1;
  int in = open(src, O_RDONLY | O_CLOEXEC), out = in >= 0 ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
  int rc = in >= 0 && out >= 0 ? 1 : -1;
  unsigned char buf[65536];
  while (rc == 1) {
    ssize_t m = read(in, buf, sizeof buf);
    if (m < 0 && errno == EINTR) continue;
    if (m < 0) rc = -1;
    if (m <= 0) break;
    if (write_all(out, buf, (size_t)m) != 0) rc = -1;
  }
  if (out >= 0 && fsync(out) != 0) rc = -1;
  if (out >= 0 && close(out) != 0) rc = -1;
  if (in >= 0) close(in);
  if (rc == 1 && rename(tmp, dst) != 0) rc = -1;
  if (rc != 1) unlink(tmp);
  return rc;
}

static bool is_hex_name(const char *s, size_t len) {
  if (strlen(s) != len) return false;
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return false;
  return true;
}

int attachments_backup(const char *data_dir, const char *dest_dir, int *copied, char *err, size_t errlen) {
  *copied = 0;
  char src[1100];
  if (!fits(snprintf(src, sizeof src, "%s/" ATTACH_DIR, data_dir), sizeof src)) {
    snprintf(err, errlen, "the data directory's path is too long");
    return -1;
  }
  DIR *top = opendir(src);
  if (!top) {
    if (errno == ENOENT) return 0; /* nothing stored yet */
    snprintf(err, errlen, "cannot read %s: %s", src, strerror(errno));
    return -1;
  }
  int rc = 0;
  if (make_dir(dest_dir) != 0) {
    snprintf(err, errlen, "cannot make %s: %s", dest_dir, strerror(errno));
    rc = -1;
  }
  struct dirent *d;
  while (rc == 0 && (d = readdir(top))) {
    if (!is_hex_name(d->d_name, 2)) continue;
    char sub[1200], dsub[1200];
    if (!fits(snprintf(sub, sizeof sub, "%s/%.2s", src, d->d_name), sizeof sub) ||
        !fits(snprintf(dsub, sizeof dsub, "%s/%.2s", dest_dir, d->d_name), sizeof dsub)) {
      snprintf(err, errlen, "a path under %s is too long", dest_dir);
      rc = -1;
      break;
    }
    DIR *in = opendir(sub);
    if (!in || make_dir(dsub) != 0) {
      snprintf(err, errlen, "cannot copy %s: %s", sub, strerror(errno));
      if (in) closedir(in);
      rc = -1;
      break;
    }
    struct dirent *f;
    while (rc == 0 && (f = readdir(in))) {
      if (!is_hex_name(f->d_name, 64)) continue;
      char from[1300], to[1300];
      if (!fits(snprintf(from, sizeof from, "%s/%.64s", sub, f->d_name), sizeof from) ||
          !fits(snprintf(to, sizeof to, "%s/%.64s", dsub, f->d_name), sizeof to)) {
        snprintf(err, errlen, "a path under %s is too long", dest_dir);
        rc = -1;
        break;
      }
      int w = copy_file(from, to);
      if (w < 0) {
        snprintf(err, errlen, "cannot copy %s: %s", from, strerror(errno));
        rc = -1;
      }
      *copied += w > 0;
    }
    closedir(in);
  }
  closedir(top);
  return rc;
}

/* ---- the cap on unlinked uploads, and their reaper ---- */
int attachments_unlinked_check(store_conn *c, int64_t by_user, uint64_t adding, bool lock, app_err *e) {
  store_stmt *s;
  int rc;
  if (lock) {
    if (!(s = store_prepare(c, &q_unlinked_lock))) return APP_INTERNAL(e);
    store_bind_int(s, 1, by_user);
    while ((rc = store_step(s)) == STORE_ROW) {
    }
    store_reset(s);
    if (rc != STORE_DONE) return APP_INTERNAL(e);
  }
  if (!(s = store_prepare(c, &q_unlinked_of))) return APP_INTERNAL(e);
  store_bind_int(s, 1, by_user);
  rc = store_step(s);
  int64_t n = rc == STORE_ROW ? store_col_int(s, 0) : 0, bytes = rc == STORE_ROW ? store_col_int(s, 1) : 0;
  store_reset(s);
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (n + 1 > ATTACH_UNLINKED_MAX_FILES || (uint64_t)bytes + adding > ATTACH_UNLINKED_MAX_BYTES) {
    static _Thread_local char msg[400];
    snprintf(msg, sizeof msg,
             "Bạn đã có %lld tệp (%.1f MiB) gửi lên mà chưa gắn vào báo cáo tiến độ nào; mỗi tài khoản được giữ "
             "tối đa %d tệp hoặc %d MiB như vậy. Hãy gửi báo cáo kèm các tệp đó; tệp không được gắn sẽ tự xóa "
             "sau 24 giờ.",
             (long long)n, (double)bytes / (1024.0 * 1024.0), ATTACH_UNLINKED_MAX_FILES,
             (int)(ATTACH_UNLINKED_MAX_BYTES / (1024 * 1024)));
    return app_fail(e, 409, "conflict", "file", msg);
  }
  return 0;
}

/* Removes DATA/attachments/xx/<sha256> when no row names it and it is older than `before`: renamed
 * aside first, then looked at again, so that a file an upload has just put in its place (a fresh
 * copy of the same bytes, renamed over it) is never the one removed: a file found fresh after the
 * rename is put back. 1 when removed, 0 when kept, -1 on a database failure. */
static int reap_file(store *st, const char *path, const char *sha256, int64_t before) {
  struct stat sb;
  if (stat(path, &sb) != 0 || (int64_t)sb.st_mtime >= before) return 0;
  char tomb[1400];
  if (!fits(snprintf(tomb, sizeof tomb, "%s.reap", path), sizeof tomb) || rename(path, tomb) != 0) return 0;
  int used = -1;
  if (stat(tomb, &sb) == 0 && (int64_t)sb.st_mtime < before) {
    store_conn *c = store_acquire(st, false);
    store_stmt *s = c ? store_prepare(c, &q_sha_used) : NULL;
    if (s) {
      store_bind_text(s, 1, sha256);
      int rc = store_step(s);
      used = rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
      store_reset(s);
    }
    if (c) store_release(c);
  } else {
    used = 1; /* an upload's fresh copy: it stays */
  }
  if (used != 0) {
    /* Put back; a newer copy of the same bytes may stand there already (EEXIST): then this one goes. */
    if (link(tomb, path) != 0 && errno != EEXIST) log_warn("cannot put back %s: %s", path, strerror(errno));
    unlink(tomb);
    return used < 0 ? -1 : 0;
  }
  if (unlink(tomb) != 0 && errno != ENOENT) log_warn("cannot remove %s: %s", tomb, strerror(errno));
  return 1;
}

int attachments_reap(store *st, const char *data_dir, int64_t before, int64_t *rows, int64_t *files, char *err,
                     size_t errlen) {
  *rows = *files = 0;
  /* The rows first, 200 per short transaction on the writer, each removal audited. */
  for (;;) {
    int64_t ids[200][3];
    int n = 0;
    store_conn *w = store_acquire(st, true);
    if (!w || store_begin(w) != STORE_OK) {
      if (w) store_release(w);
      snprintf(err, errlen, "cannot reach the database to remove unlinked attachments");
      return -1;
    }
    store_stmt *s = store_prepare(w, &q_stale);
    int rc = STORE_ERROR;
    if (s) {
      store_bind_int(s, 1, before);
      while ((rc = store_step(s)) == STORE_ROW && n < 200) {
        ids[n][0] = store_col_int(s, 0);
        ids[n][1] = store_col_int(s, 1);
        ids[n][2] = store_col_int(s, 2);
        n++;
      }
      store_reset(s);
    }
    bool ok = rc == STORE_DONE || (rc == STORE_ROW && n == 200);
    int64_t removed = 0;
    for (int i = 0; ok && i < n; i++) {
      if (!(s = store_prepare(w, &q_stale_delete))) {
        ok = false;
        break;
      }
      store_bind_int(s, 1, ids[i][0]);
      rc = store_step(s);
      int64_t changed = rc == STORE_DONE ? store_changes(s) : 0;
      store_reset(s);
      if (rc != STORE_DONE) {
        ok = false;
        break;
      }
      if (!changed) continue; /* linked meanwhile */
      json_t *detail = json_pack("{s:I, s:I}", "attachment_id", (json_int_t)ids[i][0], "size", (json_int_t)ids[i][2]);
      audit_entry a = {.action = "attachment.expire", .entity = "plan_task", .entity_id = ids[i][1], .detail = detail};
      ok = audit_append(w, &a) == 0;
      json_decref(detail);
      removed++;
    }
    if (ok && store_commit(w) == STORE_OK) {
      *rows += removed;
    } else {
      store_rollback(w);
      ok = false;
    }
    store_release(w);
    if (!ok) {
      snprintf(err, errlen, "cannot remove unlinked attachments");
      return -1;
    }
    if (n < 200) break;
  }
  /* Then the files no row names (the rows just removed, an upload refused after its bytes were
   * stored), each older than `before`, with no connection held while the directory is read. */
  char top[1100];
  if (!fits(snprintf(top, sizeof top, "%s/" ATTACH_DIR, data_dir), sizeof top)) {
    snprintf(err, errlen, "the data directory's path is too long");
    return -1;
  }
  DIR *d = opendir(top);
  if (!d) return errno == ENOENT ? 0 : (snprintf(err, errlen, "cannot read %s: %s", top, strerror(errno)), -1);
  int ret = 0;
  struct dirent *de;
  while (ret == 0 && (de = readdir(d))) {
    if (!is_hex_name(de->d_name, 2)) continue;
    char sub[1200];
    if (!fits(snprintf(sub, sizeof sub, "%s/%.2s", top, de->d_name), sizeof sub)) continue;
    DIR *in = opendir(sub);
    if (!in) continue;
    struct dirent *f;
    while (ret == 0 && (f = readdir(in))) {
      if (!is_hex_name(f->d_name, 64)) continue;
      char path[1300], sha[65];
      if (!fits(snprintf(path, sizeof path, "%s/%.64s", sub, f->d_name), sizeof path)) continue;
      snprintf(sha, sizeof sha, "%.64s", f->d_name);
      int r = reap_file(st, path, sha, before);
      if (r < 0) {
        snprintf(err, errlen, "cannot check whether %s is still used", path);
        ret = -1;
      }
      *files += r > 0;
    }
    closedir(in);
  }
  closedir(d);
  return ret;
}

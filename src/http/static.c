/* static.c: the static front end, held in memory (see static.h). Paths come only from the
 * directory listing at start-up, so a request can never name a file outside it. */
#include "http/static.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "util/buf.h"

struct static_files {
  static_file *files;
  size_t n, cap;
};

static const struct {
  const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},              {".png", "image/png"},
    {".ico", "image/x-icon"},               {".json", "application/json"},
    {".webmanifest", "application/manifest+json"}, {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},  {".mp3", "audio/mpeg"},
};

static const char *type_of(const char *name) {
  const char *dot = strrchr(name, '.');
  if (dot)
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
      if (strcmp(dot, types[i].ext) == 0) return types[i].type;
  return "application/octet-stream";
}

static bool compressible(const char *type) {
  return strncmp(type, "text/", 5) == 0 || strstr(type, "json") || strstr(type, "svg");
}

char *gzip_compress(const char *data, size_t len, size_t *out_len) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
  uLong bound = deflateBound(&zs, (uLong)len);
  char *out = malloc(bound);
  if (!out) {
    deflateEnd(&zs);
    return NULL;
  }
  zs.next_in = (Bytef *)(uintptr_t)data;
  zs.avail_in = (uInt)len;
  zs.next_out = (Bytef *)out;
  zs.avail_out = (uInt)bound;
  int rc = deflate(&zs, Z_FINISH);
  *out_len = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    free(out);
    return NULL;
  }
  return out;
}

static int read_all(const char *path, char **data, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  buf b;
  buf_init(&b);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
  int err = ferror(f);
  fclose(f);
  if (err || b.oom) {
    buf_free(&b);
    return -1;
  }
  *data = buf_detach(&b, len);
  return *data ? 0 : -1;
}

static int add_file(static_files *s, const char *path, const char *url) {
  if (s->n == s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 32;
    static_file *nf = realloc(s->files, ncap * sizeof *nf);
    if (!nf) return -1;
    s->files = nf;
    s->cap = ncap;
  }
  static_file *f = &s->files[s->n];
  memset(f, 0, sizeof *f);
  if (read_all(path, &f->data, &f->len) != 0) return -1;
  f->url = strdup(url);
  if (!f->url) {
    free(f->data);
    return -1;
  }
  f->type = type_of(url);
  unsigned char h[8];
  crypto_generichash(h, sizeof h, (const unsigned char *)f->data, f->len, NULL, 0);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  snprintf(f->etag, sizeof f->etag, "\"%s\"", hex);
  if (compressible(f->type) && f->len > 256) {
    f->gz = gzip_compress(f->data, f->len, &f->gz_len);
    if (f->gz && f->gz_len >= f->len) {
      free(f->gz);
      f->gz = NULL;
    }
  }
  s->n++;
  return 0;
}

static int walk(static_files *s, const char *dir, const char *prefix, int depth, char *err, size_t errlen) {
  if (depth > 8) return 0;
  DIR *d = opendir(dir);
  if (!d) {
    snprintf(err, errlen, "cannot read the front-end directory %s: %s", dir, strerror(errno));
    return -1;
  }
  struct dirent *de;
  int rc = 0;
  while (rc == 0 && (de = readdir(d))) {
    if (de->d_name[0] == '.') continue; /* hidden files, . and .. */
    char path[4096], url[2048];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path ||
        (size_t)snprintf(url, sizeof url, "%s/%s", prefix, de->d_name) >= sizeof url)
      continue;
    struct stat st;
    if (stat(path, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      rc = walk(s, path, url, depth + 1, err, errlen);
    } else if (S_ISREG(st.st_mode)) {
      if (add_file(s, path, url) != 0) {
        snprintf(err, errlen, "cannot load %s", path);
        rc = -1;
      }
    }
  }
  closedir(d);
  return rc;
}

static_files *static_load(const char *dir, char *err, size_t errlen) {
  static_files *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  if (walk(s, dir, "", 0, err, errlen) != 0) {
    static_free(s);
    return NULL;
  }
  return s;
}

void static_free(static_files *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n; i++) {
    free(s->files[i].url);
    free(s->files[i].data);
    free(s->files[i].gz);
  }
  free(s->files);
  free(s);
}

const static_file *static_find(const static_files *s, const char *url) {
  if (!s) return NULL;
  if (strcmp(url, "/") == 0) url = "/index.html";
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->files[i].url, url) == 0) return &s->files[i];
  return NULL;
}

size_t static_count(const static_files *s) { return s ? s->n : 0; }

/* static.c: the static front end, held in memory (see static.h). Paths come only from the
 * directory listing at start-up, so a request can never name a file outside it.
 * Owns: the content address of the whole tree (/assets/<hash>/…, immutable) and the rewritten
 * index.html that names those addresses and announces every module of the import graph.
 * Never: serves a file under an address whose hash is not the current one. */
#include "http/static.h"

#include <ctype.h>
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
  char hash[17];        /* of every file's path and content: changes with any file */
  char prefix[32];      /* "/assets/<hash>" */
  /* index.html for a browser that holds a session cookie: the same page with its log-in form
   * hidden behind "Đang tải…" (data-boot="session"); the plain one shows the form at first paint. */
  static_file index_session;
  bool has_index_session;
  char script_hashes[256]; /* "'sha256-…' …" of index.html's inline scripts, for the CSP */
  char style_hashes[256];  /* the same for its inline style sheets */
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

/* The ETag and the gzip copy of the file's current content. */
static void finish_file(static_file *f) {
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
  finish_file(f);
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

static int by_url(const void *a, const void *b) {
  return strcmp(((const static_file *)a)->url, ((const static_file *)b)->url);
}

static static_file *find_exact(const static_files *s, const char *url) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->files[i].url, url) == 0) return &s->files[i];
  return NULL;
}

/* Resolves `spec` ("./h.js", "../ui.js", "/js/x.js") against the module at `base` ("/js/pages/a.js")
 * into out; false when it is not a path. */
static bool resolve_spec(const char *base, const char *spec, size_t n, char *out, size_t outlen) {
  char tmp[1024];
  if (n == 0 || n >= 512) return false;
  if (spec[0] == '/') {
    snprintf(tmp, sizeof tmp, "%.*s", (int)n, spec);
  } else if (spec[0] == '.') {
    const char *slash = strrchr(base, '/');
    snprintf(tmp, sizeof tmp, "%.*s/%.*s", (int)(slash - base), base, (int)n, spec);
  } else {
    return false;
  }
  /* Normalise "/./" and "/x/../". */
  char *segs[64];
  int ns = 0;
  char *save = NULL;
  for (char *tok = strtok_r(tmp, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
    if (strcmp(tok, ".") == 0) continue;
    if (strcmp(tok, "..") == 0) {
      if (ns) ns--;
      continue;
    }
    if (ns == 64) return false;
    segs[ns++] = tok;
  }
  size_t used = 0;
  out[0] = '\0';
  for (int i = 0; i < ns; i++) {
    int w = snprintf(out + used, outlen - used, "/%s", segs[i]);
    if (w < 0 || (size_t)w >= outlen - used) return false;
    used += (size_t)w;
  }
  return used > 0;
}

/* Adds `url` and, depth first, every module it imports (static `import … from '…'`,
 * `import '…'`, `export … from '…'`) to `seen`. Only files that exist count. */
static void import_graph(const static_files *s, const char *url, char seen[][256], int *nseen, int max) {
  for (int i = 0; i < *nseen; i++)
    if (strcmp(seen[i], url) == 0) return;
  const static_file *f = find_exact(s, url);
  if (!f || *nseen == max) return;
  snprintf(seen[(*nseen)++], 256, "%s", url);
  const char *p = f->data, *end = f->data + f->len;
  while (p < end) {
    const char *hit = NULL;
    for (const char *q = p; q + 6 < end; q++)
      if ((memcmp(q, "from", 4) == 0 || memcmp(q, "import", 6) == 0) && (q == f->data || !isalnum((unsigned char)q[-1]))) {
        hit = q;
        break;
      }
    if (!hit) break;
    const char *q = hit + (hit[0] == 'f' ? 4 : 6);
    while (q < end && (*q == ' ' || *q == '\t')) q++;
    if (q < end && (*q == '\'' || *q == '"')) {
      char quote = *q++;
      const char *close = memchr(q, quote, (size_t)(end - q));
      char target[512];
      if (close && resolve_spec(url, q, (size_t)(close - q), target, sizeof target) && strstr(target, ".js"))
        import_graph(s, target, seen, nseen, max);
      p = close ? close + 1 : end;
    } else {
      p = hit + 4;
    }
  }
}

/* The CSP sources ('sha256-…') of every inline <script> of index.html, and the variant served to
 * a browser with a session cookie (data-boot="login" becomes data-boot="session"). */
/* Writes the CSP sources ('sha256-…') of every <tag>…</tag> body of ix into out. */
static int inline_hashes(const static_file *ix, const char *open_tag, const char *close_tag, char *out, size_t outlen) {
  const char *p = ix->data, *end = ix->data + ix->len;
  size_t used = 0, ol = strlen(open_tag), cl = strlen(close_tag);
  out[0] = '\0';
  for (;;) {
    const char *open = memmem(p, (size_t)(end - p), open_tag, ol);
    if (!open) break;
    const char *body = open + ol;
    const char *close = memmem(body, (size_t)(end - body), close_tag, cl);
    if (!close) return -1;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)body, (unsigned long long)(close - body));
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
    int w = snprintf(out + used, outlen - used, "%s'sha256-%s'", used ? " " : "", b64);
    if (w < 0 || (size_t)w >= outlen - used) return -1;
    used += (size_t)w;
    p = close + cl;
  }
  return 0;
}

/* The CSP sources of index.html's inline scripts and style sheets, and the variant served to a
 * browser with a session cookie (data-boot="login" becomes data-boot="session"). */
static int index_variants(static_files *s, const static_file *ix) {
  if (inline_hashes(ix, "<script>", "</script>", s->script_hashes, sizeof s->script_hashes) != 0 ||
      inline_hashes(ix, "<style>", "</style>", s->style_hashes, sizeof s->style_hashes) != 0)
    return -1;
  static const char from[] = "data-boot=\"login\"", to[] = "data-boot=\"session\"";
  /* The attribute of the page's <main> (the inline style sheet names it too). */
  const char *body = memmem(ix->data, ix->len, "<main ", 6);
  const char *at = body ? memmem(body, ix->len - (size_t)(body - ix->data), from, sizeof from - 1) : NULL;
  if (!at) return 0;
  static_file *v = &s->index_session;
  memset(v, 0, sizeof *v);
  size_t head = (size_t)(at - ix->data), tail = ix->len - head - (sizeof from - 1);
  v->len = head + (sizeof to - 1) + tail;
  v->data = malloc(v->len + 1);
  v->url = strdup(ix->url);
  if (!v->data || !v->url) {
    free(v->data);
    free(v->url);
    memset(v, 0, sizeof *v);
    return -1;
  }
  memcpy(v->data, ix->data, head);
  memcpy(v->data + head, to, sizeof to - 1);
  memcpy(v->data + head + sizeof to - 1, at + sizeof from - 1, tail);
  v->data[v->len] = '\0';
  v->type = ix->type;
  finish_file(v);
  s->has_index_session = true;
  return 0;
}

/* Rewrites index.html: every href="/x" or src="/x" naming a file becomes /assets/<hash>/x, and
 * the module graph of each module script is announced with modulepreload before </head>. */
static int rewrite_index(static_files *s) {
  static_file *ix = find_exact(s, "/index.html");
  if (!ix) return 0;
  buf b;
  buf_init(&b);
  char seen[128][256];
  int nseen = 0;
  const char *p = ix->data, *end = ix->data + ix->len;
  while (p < end) {
    const char *head = (end - p >= 7 && memcmp(p, "</head>", 7) == 0) ? p : NULL;
    if (head) {
      for (int i = 0; i < nseen; i++) {
        buf_puts(&b, "  <link rel=\"modulepreload\" href=\"");
        buf_puts(&b, s->prefix);
        buf_puts(&b, seen[i]);
        buf_puts(&b, "\">\n");
      }
      buf_puts(&b, "</head>");
      p += 7;
      continue;
    }
    /* The style sheet goes inline: the page paints as soon as index.html has arrived, without
     * a second round trip (index.html is revalidated with its ETag, so a repeat visit costs a 304). */
    static const char sheet[] = "<link rel=\"stylesheet\" href=\"";
    if ((size_t)(end - p) > sizeof sheet && memcmp(p, sheet, sizeof sheet - 1) == 0) {
      const char *v = p + sizeof sheet - 1, *close = memchr(v, '"', (size_t)(end - v));
      const char *gt = close ? memchr(close, '>', (size_t)(end - close)) : NULL;
      char url[512];
      const static_file *css = NULL;
      if (gt && (size_t)(close - v) < sizeof url) {
        snprintf(url, sizeof url, "%.*s", (int)(close - v), v);
        css = find_exact(s, url);
      }
      if (css && !memmem(css->data, css->len, "</", 2)) {
        buf_puts(&b, "<style>");
        buf_append(&b, css->data, css->len);
        buf_puts(&b, "</style>");
        p = gt + 1;
        continue;
      }
    }
    size_t attr = (end - p >= 7 && memcmp(p, "href=\"/", 7) == 0) ? 6 : (end - p >= 6 && memcmp(p, "src=\"/", 6) == 0) ? 5 : 0;
    if (attr) {
      const char *v = p + attr, *close = memchr(v, '"', (size_t)(end - v));
      char url[512];
      if (close && (size_t)(close - v) < sizeof url) {
        snprintf(url, sizeof url, "%.*s", (int)(close - v), v);
        if (find_exact(s, url)) {
          buf_append(&b, p, attr);
          buf_puts(&b, s->prefix);
          buf_puts(&b, url);
          if (strstr(url, ".js") && (size_t)(p - ix->data) > 20 && memmem(ix->data, (size_t)(p - ix->data), "type=\"module\"", 13))
            import_graph(s, url, seen, &nseen, 128);
          p = close;
          continue;
        }
      }
    }
    buf_putc(&b, *p++);
  }
  if (b.oom) {
    buf_free(&b);
    return -1;
  }
  size_t len = 0;
  char *data = buf_detach(&b, &len);
  if (!data) return -1;
  free(ix->data);
  free(ix->gz);
  ix->data = data;
  ix->len = len;
  ix->gz = NULL;
  finish_file(ix);
  return index_variants(s, ix);
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
  /* The tree's address: a hash of every path and content, in path order. */
  if (s->n) qsort(s->files, s->n, sizeof *s->files, by_url);
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, 8);
  for (size_t i = 0; i < s->n; i++) {
    crypto_generichash_update(&st, (const unsigned char *)s->files[i].url, strlen(s->files[i].url) + 1);
    crypto_generichash_update(&st, (const unsigned char *)s->files[i].etag, strlen(s->files[i].etag));
  }
  unsigned char h[8];
  crypto_generichash_final(&st, h, sizeof h);
  sodium_bin2hex(s->hash, sizeof s->hash, h, sizeof h);
  snprintf(s->prefix, sizeof s->prefix, "/assets/%s", s->hash);
  if (rewrite_index(s) != 0) {
    snprintf(err, errlen, "cannot rewrite index.html");
    static_free(s);
    return NULL;
  }
  return s;
}

void static_free(static_files *s) {
  if (!s) return;
  if (s->has_index_session) {
    free(s->index_session.url);
    free(s->index_session.data);
    free(s->index_session.gz);
  }
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
  size_t pl = strlen(s->prefix);
  if (strncmp(url, s->prefix, pl) == 0 && url[pl] == '/') url += pl;
  if (strcmp(url, "/") == 0) url = "/index.html";
  return find_exact(s, url);
}

const static_file *static_find_page(const static_files *s, const char *url, bool signed_in) {
  const static_file *f = static_find(s, url);
  if (f && signed_in && s->has_index_session && strcmp(f->url, "/index.html") == 0) return &s->index_session;
  return f;
}

bool static_is_index(const static_file *f) { return f && strcmp(f->url, "/index.html") == 0; }

const char *static_script_hashes(const static_files *s) { return s ? s->script_hashes : ""; }

const char *static_style_hashes(const static_files *s) { return s ? s->style_hashes : ""; }

bool static_immutable(const static_files *s, const char *url) {
  size_t pl = s ? strlen(s->prefix) : 0;
  return s && strncmp(url, s->prefix, pl) == 0 && url[pl] == '/' && strcmp(url + pl, "/index.html") != 0;
}

const char *static_prefix(const static_files *s) { return s ? s->prefix : ""; }

size_t static_count(const static_files *s) { return s ? s->n : 0; }

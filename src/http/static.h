/* static.h: the front end's files, read into memory at start-up with a gzip copy and an ETag. */
#ifndef HOCVUSO_STATIC_H
#define HOCVUSO_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

typedef struct static_file {
  char *url;          /* "/js/app.js" */
  char *data;
  size_t len;
  char *gz;           /* NULL when compression does not pay */
  size_t gz_len;
  char etag[24];      /* "\"<16 hex>\"" */
  const char *type;
} static_file;

/* Loads every file under dir; NULL with a message when dir cannot be read. */
static_files *static_load(const char *dir, char *err, size_t errlen);
void static_free(static_files *s);
/* "/" finds index.html; "/assets/<hash>/x" finds "/x" while <hash> is the tree's. NULL when absent. */
const static_file *static_find(const static_files *s, const char *url);
/* As static_find, but index.html comes in the variant for a browser that is signed in (holds a
 * session cookie: the log-in form stays hidden) or not (the form shows at first paint). */
const static_file *static_find_page(const static_files *s, const char *url, bool signed_in);
bool static_is_index(const static_file *f);
/* The CSP sources ("'sha256-…'") of index.html's inline scripts; "" when it has none. */
const char *static_script_hashes(const static_files *s);
/* The same for its inline style sheets (app.css is inlined into index.html at start-up). */
const char *static_style_hashes(const static_files *s);
/* Is `url` a content address ("/assets/<current hash>/…"), cacheable for ever? */
bool static_immutable(const static_files *s, const char *url);
/* "/assets/<hash>": the tree's content address. */
const char *static_prefix(const static_files *s);
size_t static_count(const static_files *s);
/* gzip (RFC 1952) of data; NULL on failure. */
char *gzip_compress(const char *data, size_t len, size_t *out_len);

#endif

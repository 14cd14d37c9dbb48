/* jsonx.h: small JSON helpers on top of jansson: escaping into a buf, typed getters. */
#ifndef HOCVUSO_JSONX_H
#define HOCVUSO_JSONX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

/* Appends s as a quoted JSON string. */
void jsonx_escape(buf *b, const char *s, size_t n);
/* Appends v in decimal (no printf: lists write thousands of them). */
void jsonx_put_int(buf *b, int64_t v);
/* Field getters on a validated object; defaults when the field is absent or null. */
const char *jsonx_str(const json_t *o, const char *key, const char *dflt);
int64_t jsonx_int(const json_t *o, const char *key, int64_t dflt);
int jsonx_bool(const json_t *o, const char *key, int dflt);
/* Serialises compactly, as jansson's json_dumps(JSON_COMPACT | JSON_ENCODE_ANY |
 * JSON_ESCAPE_SLASH) would; NULL for a string that is not UTF-8. The caller frees. */
char *jsonx_dump(const json_t *v, size_t *len);
/* Appends s quoted as jsonx_dump writes a string (the answers' escaping, not jsonx_escape's);
 * false (nothing appended) when s is not UTF-8 or memory ran out. */
bool jsonx_put_string(buf *b, const char *s, size_t n);

#endif

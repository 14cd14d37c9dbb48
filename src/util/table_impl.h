/* table_impl.h: what table.c, table_csv.c and table_xlsx.c share; private to them.
 * Owns: the row being built and the struct table itself.
 * Never: included outside src/util/table*.c.
 */
#ifndef HOCVUSO_TABLE_IMPL_H
#define HOCVUSO_TABLE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/table.h"

#define KIB ((uint64_t)1024)
#define MIB (KIB * KIB)
#define CHUNK 65536 /* bytes read from a file or an archive part at a time */

#define MSG_REUPLOAD "Hãy mở tệp trong Excel và lưu lại dưới dạng .xlsx hoặc CSV UTF-8 rồi tải lên lại."
#define MSG_UTF16 "Tệp được lưu bằng bảng mã UTF-16. Hãy mở tệp trong Excel và lưu lại dưới dạng CSV UTF-8."
#define MSG_NOMEM "Không đủ bộ nhớ để đọc tệp."

/* The row being built: cells' bytes as read, where each column's is, then the public copy. */
typedef struct cellref {
  size_t off, len; /* in rowbuild.raw */
  bool set, numeric;
} cellref;

typedef struct rowbuild {
  buf raw;       /* the cells' bytes as read, each NUL-terminated */
  cellref *refs; /* [max_cells] */
  size_t nrefs;  /* one past the last set cell */
  buf out;       /* NFC cells, each NUL-terminated */
  size_t *offs;  /* [max_cells] offsets into out */
  const char **cells;
  bool *numeric;
} rowbuild;

typedef enum { FMT_CSV, FMT_XLSX } table_fmt;
typedef struct table_csv table_csv;   /* table_csv.c */
typedef struct table_xlsx table_xlsx; /* table_xlsx.c */

struct table {
  table_fmt fmt;
  table_limits lim;
  bool spent; /* an error was returned: no more rows */
  rowbuild row;
  table_csv *csv;
  table_xlsx *xl;
};

__attribute__((format(printf, 3, 4))) void table_seterr(char *err, size_t errlen, const char *fmt, ...);
/* A size for a message: "256 MiB", "64 KiB", "10 byte". */
const char *table_size_text(uint64_t n, char out[32]);
/* Puts a cell's bytes at column col of the row being built (see table.c). 0, or -1 with err. */
int table_row_put(table *t, size_t col, const char *s, size_t n, bool numeric, long line, char *err, size_t errlen);
void table_row_reset(rowbuild *r);
/* Builds the public row. 1: a row; 0: every cell empty (skip it); -1: no memory. */
int table_row_finish(rowbuild *r, table_row *row, long line);

/* Each format: open takes fp (may be NULL, then mem/memlen) and owns it from the call on, even on
 * failure; close frees what open made (NULL is fine). */
int table_csv_open(table *t, FILE *fp, const unsigned char *mem, size_t memlen, char *err, size_t errlen);
int table_csv_next(table *t, table_row *row, char *err, size_t errlen);
void table_csv_close(table_csv *c);
int table_xlsx_open(table *t, FILE *fp, const unsigned char *mem, size_t memlen, char *err, size_t errlen);
int table_xlsx_next(table *t, table_row *row, char *err, size_t errlen);
void table_xlsx_close(table_xlsx *x);

#endif

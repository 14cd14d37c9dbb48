/* table.h: one streaming row reader for the spreadsheets ward officials upload (CSV or XLSX).
 * Owns: the open file or archive, one row's cells at a time, and (XLSX) the shared-string table.
 * Never: guesses the format from the file name, holds more than one row, or inflates a whole
 * archive part in memory. Every refusal is a Vietnamese sentence a ward official can act on.
 */
#ifndef HOCVUSO_TABLE_H
#define HOCVUSO_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on what a reader accepts; table_limits_default() fills the defaults given below.
 * A zero field means "the default". */
typedef struct table_limits {
  uint64_t max_file_bytes;     /* the file as uploaded: 256 MiB */
  uint64_t max_unzipped_bytes; /* XLSX: uncompressed bytes read from all parts together: 1 GiB */
  uint32_t max_ratio;          /* XLSX: uncompressed / compressed size of a part: 100 (:1) */
  size_t max_cell_bytes;       /* one cell: 64 KiB */
  size_t max_cells;            /* cells in one row: 1000 */
  size_t max_shared_bytes;     /* XLSX: the shared-string table held in memory: 64 MiB */
} table_limits;

void table_limits_default(table_limits *lim);

typedef struct table table;

/* One row. Everything it points to is owned by the table and valid until the next
 * table_next() or table_close(). */
typedef struct table_row {
  const char *const *cells; /* NUL-terminated UTF-8, NFC; an absent cell is "" */
  const bool *numeric;      /* numeric[i]: the cell was a number in the workbook (never for CSV
                             * or for a date cell): a CCCD stored as a number lost its leading 0 */
  size_t ncells;            /* trailing empty cells are not counted; never 0 */
  long line;                /* CSV: the physical line where the row starts (1 = first line);
                             * XLSX: the sheet's row number */
} table_row;

/* Opens a CSV or XLSX file, telling them apart by content. NULL with a message in err on failure. */
table *table_open(const char *path, const table_limits *lim, char *err, size_t errlen);
/* The same from memory; data must outlive the table (it is not copied). */
table *table_open_mem(const void *data, size_t len, const table_limits *lim, char *err, size_t errlen);
/* 1: a row is in *row; 0: no more rows; -1: a message in err (the table is then spent).
 * Corruption can show only after many rows (a bad CRC is known at the end of the sheet): an import
 * keeps nothing of a file whose reading ended in -1. */
int table_next(table *t, table_row *row, char *err, size_t errlen);
const char *table_format_name(const table *t); /* "CSV" or "XLSX" */
void table_close(table *t);

/* Exposed for tests: Excel's day serial (1900 or 1904 system) as "yyyy-mm-dd" in out[11]. False
 * when the serial is outside 1 … 2958465 (1900-01-01 … 9999-12-31) or 0 … in the 1904 system. */
bool table_serial_to_iso(double serial, bool date1904, char out[11]);
/* Exposed for tests: whether an Excel number format code shows a date. */
bool table_format_is_date(const char *code);

#endif

/* export.h: xuất danh sách — every person of a filtered list, out of the system as a CSV or an
 * Excel file, one row at a time: never the whole list in memory.
 * Owns: the export's one read statement over people (with their unit and household), the columns
 * and their Vietnamese headings, CSV and XLSX writing, the neutralising of cells that a
 * spreadsheet would take for a formula.
 * Never: writes (it reads on a reader connection, outside the writer); shows a CCCD in clear
 * without identity.read on the person's registering unit; exports a restricted person
 * (REQUESTS_RESTRICTED_SQL: a data subject's `restrict` request answered done).
 *
 * Who may: people.export (caps.c gives it to the ward admin and unit officers, both of whom hold
 * people.read), and only over people they may read: the same scope as the list of residents (the
 * registering unit or a membership's unit under a grant carrying people.read and people.export).
 * The filters are the list's (people_query; paging ignored), with the same meaning.
 */
#ifndef HOCVUSO_EXPORT_H
#define HOCVUSO_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/people.h"
#include "domain/scope.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/secrets.h"

#define EXPORT_COLUMNS 11
/* The headings, in order. */
extern const char *const export_headings[EXPORT_COLUMNS];

/* Appends one CSV field (RFC 4180: quoted when it holds a comma, a quote, CR or LF, quotes
 * doubled); a value starting with =, +, -, @, TAB or CR gets a leading apostrophe first, so that
 * a spreadsheet shows it as text instead of running it (CSV injection). */
void export_csv_field(buf *b, const char *s);
/* Would a spreadsheet read this cell as a formula? */
bool export_formula_like(const char *s);

typedef struct export_cursor export_cursor;

/* How many people the export would hold (the same statement's count), for the audit entry
 * written before the first byte goes out. */
int export_count(store_conn *c, const secrets *keys, const scope_sql *scope, const people_query *q, int64_t *count,
                 app_err *e);

/* Opens the streaming cursor. From this call on the cursor owns `c` (released by export_close,
 * also when this fails). `clear_paths` are the unit paths under which the caller holds
 * identity.read (copied): a CCCD of a person registered there is shown in clear, otherwise
 * masked. `keys` must outlive the cursor. */
int export_open(store_conn *c, const secrets *keys, const scope_sql *scope, const people_query *q,
                const char *const *clear_paths, int nclear, export_cursor **out, app_err *e);
/* Rows delivered so far, and whether the cursor reached the end without failing. */
int64_t export_rows(const export_cursor *x);
bool export_complete(const export_cursor *x);
void export_close(export_cursor *x);

/* The CSV body, in pieces: a req_stream producer over an open cursor (UTF-8 BOM, a heading row,
 * CRLF line ends). > 0 bytes, 0 at the end, -1 on failure. */
long export_csv_read(void *cursor, char *out, size_t max);

/* Writes every row into a new XLSX workbook at `path` (libxlsxwriter's constant_memory mode: a
 * row is flushed to a temporary file in `tmpdir` before the next one starts, so memory stays
 * flat). Every cell is written as a string, never as a formula. *rows receives the row count. */
int export_xlsx_write(export_cursor *x, const char *path, const char *tmpdir, int64_t *rows, app_err *e);

#endif

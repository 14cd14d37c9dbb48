/* report.h: the quarterly and yearly "Báo cáo kết quả thực hiện Phong trào Bình dân học vụ số" of a
 * unit (issue 10, part 6), from the quarter's snapshot (indicators.h), as data, as a workbook
 * (libxlsxwriter) and as a PDF in the layout of Nghị định 30/2020/NĐ-CP (cairo, pango; Liberation
 * Serif, metric-compatible with the decree's Times New Roman).
 * Owns: what a report says and its two layouts.
 * Never: computes a figure (the snapshot's are printed as kept) or reports a period that has not
 * ended.
 */
#ifndef HOCVUSO_REPORT_H
#define HOCVUSO_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/err.h"
#include "store/store.h"

/* The period "YYYY-Qn" (a quarter) or "YYYY" (a year, from its fourth quarter) of the report: its
 * snapshot's quarter (out, "YYYY-Qn") and label ("quý III năm 2026", "năm 2026"). -1 with a 400
 * naming `period` when it is none, or has not ended by `today_key`. */
int report_period(const char *period, int64_t today_key, char quarter[8], char label[64], app_err *e);

/* The report of `unit_id` for the period: {"unit", "issuer": [line, line], "place", "period",
 * "quarter", "label", "date" (the quarter's last day), "issued_on" (today), "targets": [...],
 * "models": [...], "tasks": [...]}. The unit's snapshot of that quarter is taken first if it has
 * none (st: for that, with no connection of the caller held). */
int report_build(store *st, int64_t unit_id, const char *period, int64_t today_key, json_t **out, app_err *e);

/* The report as a workbook at `path` (constant memory, temporary files in tmpdir). */
int report_xlsx(const json_t *report, const char *path, const char *tmpdir, app_err *e);
/* The report as an A4 PDF in a malloc'd buffer. */
int report_pdf(const json_t *report, unsigned char **pdf, size_t *len, app_err *e);

#endif

/* fuzz_csv.c: libFuzzer harness for the CSV side of the table reader (src/util/table.c).
 * Feeds the input as a whole file through table_open_mem() and reads every row.
 * Never: writes files; inputs that open as a ZIP or an old .xls belong to fuzz_xlsx.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size >= 2 && data[0] == 'P' && data[1] == 'K') return 0;
  /* small limits, so that the limit paths are reached too */
  table_limits lim = {.max_cell_bytes = 4096, .max_cells = 64};
  char err[512];
  table *t = table_open_mem(data, size, &lim, err, sizeof err);
  if (!t) {
    if (!err[0]) __builtin_trap(); /* every refusal says why */
    return 0;
  }
  table_row row;
  int rc;
  while ((rc = table_next(t, &row, err, sizeof err)) == 1) {
    if (row.ncells == 0 || row.line < 1) __builtin_trap();
    for (size_t i = 0; i < row.ncells; i++) (void)strlen(row.cells[i]);
    if (row.cells[row.ncells - 1][0] == '\0') __builtin_trap(); /* trailing empties trimmed */
  }
  if (rc < 0 && !err[0]) __builtin_trap();
  table_close(t);
  return 0;
}

/* fuzz_xlsx.c: libFuzzer harness for the XLSX side of the table reader (src/util/table.c).
 * An input starting with "PK" is read as the archive itself (the ZIP layer: truncation, bad
 * headers, lying sizes). Any other input is the text of the parts, separated by a line "@@":
 * sheet1.xml, sharedStrings.xml, styles.xml, workbook.xml, xl/_rels/workbook.xml.rels, _rels/.rels
 * (an empty one is left out; the last three have defaults when the input stops before them), stored
 * into a fresh archive, so that mutations reach the XML handlers instead of failing a CRC.
 * Never: writes files (the archive is built in memory).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "util/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char PKG_RELS[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char WB_RELS[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\""
    " Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\""
    " Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    "sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";
static const char WORKBOOK[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>"
    "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";

static void read_all(const void *data, size_t size) {
  table_limits lim = {.max_cell_bytes = 4096, .max_cells = 64, .max_shared_bytes = 1 << 20,
                      .max_unzipped_bytes = 16 << 20};
  char err[512];
  table *t = table_open_mem(data, size, &lim, err, sizeof err);
  if (!t) {
    if (!err[0]) __builtin_trap();
    return;
  }
  table_row row;
  int rc;
  while ((rc = table_next(t, &row, err, sizeof err)) == 1) {
    if (row.ncells == 0) __builtin_trap();
    for (size_t i = 0; i < row.ncells; i++) (void)strlen(row.cells[i]);
  }
  if (rc < 0 && !err[0]) __builtin_trap();
  table_close(t);
}

/* Builds a stored (uncompressed) archive of the parts in memory; NULL on failure. */
static void *build_zip(const char *const *names, const char *const *parts, const size_t *lens, size_t n,
                       size_t *outlen) {
  void *out = NULL;
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
  if (!src) goto done;
  zip_source_keep(src);
  zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
  if (!za) goto done;
  for (size_t i = 0; i < n; i++) {
    if (lens[i] == 0) continue; /* an empty part is a missing one */
    zip_source_t *s = zip_source_buffer(za, parts[i], lens[i], 0);
    zip_int64_t idx = s ? zip_file_add(za, names[i], s, ZIP_FL_OVERWRITE) : -1;
    if (idx < 0) {
      if (s) zip_source_free(s);
      zip_discard(za);
      goto done;
    }
    zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
  }
  if (zip_close(za) != 0) {
    zip_discard(za);
    goto done;
  }
  zip_stat_t st;
  if (zip_source_stat(src, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || zip_source_open(src) != 0) goto done;
  out = malloc(st.size ? st.size : 1);
  if (out && zip_source_read(src, out, st.size) != (zip_int64_t)st.size) {
    free(out);
    out = NULL;
  }
  *outlen = st.size;
  zip_source_close(src);
done:
  if (src) zip_source_free(src);
  zip_error_fini(&ze);
  return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
    read_all(data, size);
    return 0;
  }
  const char *names[] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml",
                         "xl/_rels/workbook.xml.rels", "_rels/.rels"};
  const char *parts[6] = {"", "", "", WORKBOOK, WB_RELS, PKG_RELS};
  size_t lens[6] = {0, 0, 0, sizeof WORKBOOK - 1, sizeof WB_RELS - 1, sizeof PKG_RELS - 1};
  const char *p = (const char *)data, *end = p + size;
  for (size_t k = 0; k < 6 && p <= end; k++) {
    const char *sep = NULL;
    for (const char *q = p; q + 4 <= end; q++)
      if (memcmp(q, "\n@@\n", 4) == 0) {
        sep = q;
        break;
      }
    const char *stop = sep ? sep : end;
    parts[k] = p;
    lens[k] = (size_t)(stop - p);
    if (!sep) break;
    p = sep + 4;
  }
  size_t zlen = 0;
  void *zip = build_zip(names, parts, lens, 6, &zlen);
  if (zip) read_all(zip, zlen);
  free(zip);
  return 0;
}

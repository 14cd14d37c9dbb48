/* table.c: the streaming CSV / XLSX row reader (see table.h): opening, the format by content, and
 * the row both formats build (table_csv.c and table_xlsx.c read them).
 * Owns: the struct table and its current row.
 * Never: guesses the format from a name, or returns bytes that are not NFC UTF-8.
 */
#include "util/table.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fold.h"
#include "util/table_impl.h"

void table_limits_default(table_limits *lim) {
  lim->max_file_bytes = 256 * MIB;
  lim->max_unzipped_bytes = 1024 * MIB;
  lim->max_ratio = 100;
  lim->max_cell_bytes = 64 * KIB;
  lim->max_cells = 1000;
  lim->max_shared_bytes = 64 * MIB;
}

static void limits_fill(table_limits *out, const table_limits *in) {
  table_limits_default(out);
  if (!in) return;
  if (in->max_file_bytes) out->max_file_bytes = in->max_file_bytes;
  if (in->max_unzipped_bytes) out->max_unzipped_bytes = in->max_unzipped_bytes;
  if (in->max_ratio) out->max_ratio = in->max_ratio;
  if (in->max_cell_bytes) out->max_cell_bytes = in->max_cell_bytes;
  if (in->max_cells) out->max_cells = in->max_cells;
  if (in->max_shared_bytes) out->max_shared_bytes = in->max_shared_bytes;
}

void table_seterr(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || errlen == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

/* A size for a message: "256 MiB", "64 KiB", "10 byte". */
const char *table_size_text(uint64_t n, char out[32]) {
  if (n >= MIB && n % MIB == 0) snprintf(out, 32, "%" PRIu64 " MiB", n / MIB);
  else if (n >= KIB && n % KIB == 0) snprintf(out, 32, "%" PRIu64 " KiB", n / KIB);
  else snprintf(out, 32, "%" PRIu64 " byte", n);
  return out;
}

/* ==== the current row (shared by both formats) ==== */

static bool row_init(rowbuild *r, size_t max_cells) {
  buf_init(&r->raw);
  buf_init(&r->out);
  r->nrefs = 0;
  r->refs = calloc(max_cells, sizeof *r->refs);
  r->offs = calloc(max_cells, sizeof *r->offs);
  r->cells = calloc(max_cells, sizeof *r->cells);
  r->numeric = calloc(max_cells, sizeof *r->numeric);
  return r->refs && r->offs && r->cells && r->numeric;
}

static void row_free(rowbuild *r) {
  buf_free(&r->raw);
  buf_free(&r->out);
  free(r->refs);
  free(r->offs);
  free((void *)r->cells);
  free(r->numeric);
}

void table_row_reset(rowbuild *r) {
  buf_clear(&r->raw);
  for (size_t i = 0; i < r->nrefs; i++) r->refs[i] = (cellref){0};
  r->nrefs = 0;
}

/* True when s (valid UTF-8) is NFC without asking utf8proc: every code point is below U+0300 or
 * in Latin Extended Additional (U+1E00–U+1EFF, the precomposed Vietnamese letters). None of those
 * decomposes under NFC, and with no combining mark nothing can compose. utf8proc's NFC was a
 * quarter of the time of reading a 200,000-row workbook. */
static bool nfc_quick(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    unsigned c = p[i];
    if (c < 0x80) {
      i++;
    } else if (c < 0xCC) { /* a 2-byte sequence below U+0300 */
      i += 2;
    } else if (c == 0xE1 && i + 1 < n && p[i + 1] >= 0xB8 && p[i + 1] <= 0xBB) {
      i += 3; /* U+1E00–U+1EFF */
    } else {
      return false;
    }
  }
  return true;
}

int table_row_finish(rowbuild *r, table_row *row, long line) {
  size_t n = r->nrefs;
  while (n > 0 && (!r->refs[n - 1].set || r->refs[n - 1].len == 0)) n--;
  if (n == 0) return 0;
  if (r->raw.oom) return -1;
  buf_clear(&r->out);
  for (size_t i = 0; i < n; i++) {
    const cellref *c = &r->refs[i];
    r->offs[i] = r->out.len;
    r->numeric[i] = c->set && c->numeric;
    if (!c->set || c->len == 0) {
      buf_putc(&r->out, '\0');
      continue;
    }
    const char *s = r->raw.data + c->off;
    if (nfc_quick(s, c->len)) {
      buf_append(&r->out, s, c->len);
    } else {
      /* raw holds the cell NUL-terminated (row_put adds one), so NFC can read it in place. */
      char *nfc = text_nfc(s);
      if (!nfc) return -1;
      buf_puts(&r->out, nfc);
      free(nfc);
    }
    buf_putc(&r->out, '\0');
  }
  if (r->out.oom) return -1;
  for (size_t i = 0; i < n; i++) r->cells[i] = r->out.data + r->offs[i];
  row->cells = r->cells;
  row->numeric = r->numeric;
  row->ncells = n;
  row->line = line;
  return 1;
}

const char *table_format_name(const table *t) { return t && t->fmt == FMT_XLSX ? "XLSX" : "CSV"; }

/* Puts a cell's bytes at column col of the row being built. An empty cell past the last column
 * allowed is dropped (Excel formats whole rows); a non-empty one is an error. */
int table_row_put(table *t, size_t col, const char *s, size_t n, bool numeric, long line, char *err, size_t errlen) {
  if (n == 0) return 0;
  if (col >= t->lim.max_cells) {
    table_seterr(err, errlen, "Dòng %ld có dữ liệu ở cột thứ %zu, quá giới hạn %zu cột một dòng.", line,
                 col + 1, t->lim.max_cells);
    return -1;
  }
  if (n > t->lim.max_cell_bytes) {
    char sz[32];
    table_seterr(err, errlen, "Dòng %ld, cột thứ %zu: ô quá dài (hơn %s).", line, col + 1,
                 table_size_text(t->lim.max_cell_bytes, sz));
    return -1;
  }
  cellref *c = &t->row.refs[col];
  c->off = t->row.raw.len;
  c->len = n;
  c->set = true;
  c->numeric = numeric;
  buf_append(&t->row.raw, s, n);
  buf_putc(&t->row.raw, '\0');
  if (col + 1 > t->row.nrefs) t->row.nrefs = col + 1;
  if (t->row.raw.oom) {
    table_seterr(err, errlen, "Không đủ bộ nhớ để đọc dòng %ld.", line);
    return -1;
  }
  return 0;
}

/* ==== opening ==== */

static const unsigned char OLE_MAGIC[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

static bool is_zip(const unsigned char *h, size_t n) {
  return n >= 4 && h[0] == 'P' && h[1] == 'K' &&
         ((h[2] == 3 && h[3] == 4) || (h[2] == 5 && h[3] == 6) || (h[2] == 7 && h[3] == 8));
}

static table *table_new(const table_limits *lim) {
  table *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  limits_fill(&t->lim, lim);
  if (!row_init(&t->row, t->lim.max_cells)) {
    row_free(&t->row);
    free(t);
    return NULL;
  }
  return t;
}

/* Common to both entry points: fp (owned from here) or mem. */
static table *open_common(FILE *fp, const unsigned char *mem, size_t memlen, uint64_t size, const table_limits *lim,
                          char *err, size_t errlen) {
  table *t = table_new(lim);
  unsigned char head[8] = {0};
  size_t nhead = 0;
  int rc;
  if (!t) {
    table_seterr(err, errlen, MSG_NOMEM);
    goto fail;
  }
  if (size > t->lim.max_file_bytes) {
    char sz[32];
    table_seterr(err, errlen, "Tệp quá lớn (hơn %s).", table_size_text(t->lim.max_file_bytes, sz));
    goto fail;
  }
  if (size == 0) {
    table_seterr(err, errlen, "Tệp trống: không có dòng dữ liệu nào.");
    goto fail;
  }
  if (fp) {
    nhead = fread(head, 1, sizeof head, fp);
    if (fseek(fp, 0, SEEK_SET) != 0) {
      table_seterr(err, errlen, "Không đọc được tệp (lỗi hệ thống %d).", errno);
      goto fail;
    }
  } else {
    nhead = memlen < sizeof head ? memlen : sizeof head;
    memcpy(head, mem, nhead);
  }
  if (nhead == sizeof OLE_MAGIC && memcmp(head, OLE_MAGIC, sizeof OLE_MAGIC) == 0) {
    table_seterr(err, errlen,
                 "Tệp là bảng tính Excel dạng cũ (.xls) hoặc có đặt mật khẩu. Hãy mở trong Excel, gỡ mật khẩu nếu "
                 "có, và lưu lại dưới dạng .xlsx hoặc CSV UTF-8.");
    goto fail;
  }
  if (nhead >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))) {
    table_seterr(err, errlen, MSG_UTF16);
    goto fail;
  }
  if (is_zip(head, nhead)) {
    t->fmt = FMT_XLSX;
    rc = table_xlsx_open(t, fp, mem, memlen, err, errlen);
  } else {
    t->fmt = FMT_CSV;
    rc = table_csv_open(t, fp, mem, memlen, err, errlen);
  }
  fp = NULL; /* the format's reader owns it */
  if (rc < 0) goto fail;
  return t;
fail:
  if (fp) fclose(fp);
  table_close(t);
  return NULL;
}

table *table_open(const char *path, const table_limits *lim, char *err, size_t errlen) {
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    table_seterr(err, errlen, "Không mở được tệp (lỗi hệ thống %d).", errno);
    return NULL;
  }
  struct stat st;
  if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
    table_seterr(err, errlen, "Không đọc được tệp: không phải một tệp thông thường.");
    fclose(fp);
    return NULL;
  }
  return open_common(fp, NULL, 0, (uint64_t)st.st_size, lim, err, errlen);
}

table *table_open_mem(const void *data, size_t len, const table_limits *lim, char *err, size_t errlen) {
  if (!data) len = 0;
  return open_common(NULL, data, len, len, lim, err, errlen);
}

int table_next(table *t, table_row *row, char *err, size_t errlen) {
  if (!t || t->spent) {
    table_seterr(err, errlen, "Không còn đọc được tệp sau lỗi trước đó.");
    return -1;
  }
  *row = (table_row){0};
  int rc = t->fmt == FMT_CSV ? table_csv_next(t, row, err, errlen) : table_xlsx_next(t, row, err, errlen);
  if (rc < 0) t->spent = true;
  return rc;
}

void table_close(table *t) {
  if (!t) return;
  table_csv_close(t->csv);
  table_xlsx_close(t->xl);
  row_free(&t->row);
  free(t);
}

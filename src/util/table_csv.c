/* table_csv.c: the CSV side of the table reader (see table.h, table_impl.h).
 * Owns: the FILE (or the caller's bytes) being read, libcsv's parser, the line count.
 * Never: holds more than a chunk of input and one row; accepts bytes that are not UTF-8.
 *
 * A first pass checks the encoding (UTF-16, Windows-1258 and other non-UTF-8 bytes are refused
 * with the line of the first bad byte) and picks the delimiter from the header line. Then
 * Debian's libcsv parses, fed one physical line at a time (CR, LF and CR LF made one "\n", with
 * CSV_REPALL_NL so every line end outside quotes ends a row): a row that has not ended when a line
 * ends is inside a quoted field, so we know the line where each row starts.
 */
#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/table_impl.h"

struct table_csv {
  FILE *fp;                 /* NULL when reading from memory */
  const unsigned char *mem; /* the whole input when from memory */
  size_t memlen, mempos;
  unsigned char in[CHUNK];
  size_t inlen, inpos;
  bool eof;
  bool pending_cr; /* a CR ended the last chunk: an LF starting the next belongs to it */
  struct csv_parser p;
  bool p_init;
  long line;          /* the physical line being read */
  bool at_line_start; /* nothing of `line` has been fed yet */
  bool in_row;        /* a row has begun and not ended */
  bool row_done;      /* the "\n" just fed ended a row */
  long row_line;      /* where the current row began */
  size_t ncol;        /* cells received for the current row */
  bool finished;
  char cb_err[320]; /* set by a libcsv callback */
};
typedef struct table_csv csv_state;


/* Refills the input chunk; false at end of input or on a read error (err set). */
static bool csv_fill(csv_state *c, char *err, size_t errlen) {
  if (c->eof) return false;
  size_t n;
  if (c->fp) {
    n = fread(c->in, 1, sizeof c->in, c->fp);
    if (n == 0 && ferror(c->fp)) {
      table_seterr(err, errlen, "Không đọc được tệp (lỗi hệ thống %d).", errno);
      c->eof = true;
      return false;
    }
  } else {
    n = c->memlen - c->mempos;
    if (n > sizeof c->in) n = sizeof c->in;
    memcpy(c->in, c->mem + c->mempos, n);
    c->mempos += n;
  }
  c->inlen = n;
  c->inpos = 0;
  if (n == 0) c->eof = true;
  return n > 0;
}

static bool csv_rewind(csv_state *c) {
  c->eof = false;
  c->inlen = c->inpos = 0;
  c->pending_cr = false;
  if (c->fp) return fseek(c->fp, 0, SEEK_SET) == 0;
  c->mempos = 0;
  return true;
}

/* The first pass over a CSV: the encoding (a BOM, UTF-16, bytes that are not UTF-8, NUL), the size,
 * whether anything but white space is there, and the delimiter of the first non-blank line. */
/* The length of the run of bytes 0x01–0x7F at the start of p[0..n): eight at a time (a byte that is
 * 0 or ≥ 0x80 ends it). */
static size_t ascii_span(const unsigned char *p, size_t n) {
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, sizeof w);
    if (((w - ones) & ~w & highs) | (w & highs)) break;
  }
  while (i < n && p[i] != 0 && p[i] < 0x80) i++;
  return i;
}

/* The length of the longest start of p[0..n) made of whole, valid UTF-8 sequences and no NUL: the
 * scan's fast way past the header line (Vietnamese text leaves few ASCII runs of eight bytes); it
 * stops at a NUL, at a byte that is not valid there, and at a sequence the buffer cuts, which the
 * byte-at-a-time check then takes (errors are reported from there, as before). */
static size_t utf8_span(const unsigned char *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    i += ascii_span(p + i, n - i);
    if (i >= n) break;
    unsigned char b = p[i];
    if (b >= 0xC2 && b <= 0xDF) {
      if (n - i < 2 || (p[i + 1] & 0xC0) != 0x80) break;
      i += 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      if (n - i < 3) break;
      unsigned char b1 = p[i + 1], lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
      if (b1 < lo || b1 > hi || (p[i + 2] & 0xC0) != 0x80) break;
      i += 3;
    } else if (b >= 0xF0 && b <= 0xF4) {
      if (n - i < 4) break;
      unsigned char b1 = p[i + 1], lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
      if (b1 < lo || b1 > hi || (p[i + 2] & 0xC0) != 0x80 || (p[i + 3] & 0xC0) != 0x80) break;
      i += 4;
    } else {
      break;
    }
  }
  return i;
}

/* The physical line (LF, CR LF, CR) holding byte `at` of the input: read again from the start,
 * only when a check has failed. 0 when the input cannot be read again. */
static long line_at(csv_state *c, uint64_t at) {
  if (!csv_rewind(c)) return 0;
  long line = 1;
  bool prev_cr = false;
  uint64_t off = 0;
  char rerr[128] = "";
  while (off < at && csv_fill(c, rerr, sizeof rerr)) {
    for (size_t i = 0; i < c->inlen && off < at; i++, off++) {
      unsigned char b = c->in[i];
      if (b == '\n') {
        if (!prev_cr) line++;
      } else if (b == '\r') {
        line++;
      }
      prev_cr = b == '\r';
    }
  }
  return line;
}

static int csv_scan(table *t, unsigned char *delim, char *err, size_t errlen) {
  csv_state *c = t->csv;
  uint64_t off = 0;
  int need = 0; /* UTF-8 continuation bytes still expected */
  unsigned char lo = 0x80, hi = 0xBF;
  uint64_t seq_off = 0;
  bool content = false, header_done = false, in_quotes = false;
  size_t ncomma = 0, nsemi = 0, ntab = 0;
  unsigned char head[4] = {0};
  size_t nhead = 0;
  int rc = -1;
  char rerr[128] = "";

  while (csv_fill(c, rerr, sizeof rerr)) {
    if (off + c->inlen > t->lim.max_file_bytes) {
      char sz[32];
      table_seterr(err, errlen, "Tệp quá lớn (hơn %s).", table_size_text(t->lim.max_file_bytes, sz));
      goto done;
    }
    for (size_t i = 0; i < c->inlen; i++, off++) {
      /* Past the header line, only the encoding is checked: whole sequences at a time. */
      if (header_done && need == 0) {
        size_t run = utf8_span(c->in + i, c->inlen - i);
        i += run;
        off += run;
        if (i == c->inlen) break;
      }
      unsigned char b = c->in[i];
      if (nhead < sizeof head) head[nhead++] = b;
      if (b == 0) {
        /* UTF-16 text without a BOM has a NUL in every other byte of its ASCII: look at the
         * first 4 KiB. */
        size_t nuls = 0, span = c->inlen < 4096 ? c->inlen : 4096;
        for (size_t k = 0; off < 4096 && k < span; k++) nuls += c->in[k] == 0;
        if (nuls >= 2 && nuls * 5 >= span) {
          table_seterr(err, errlen, MSG_UTF16);
        } else {
          table_seterr(err, errlen, "Tệp có byte 0 ở dòng %ld: đây không phải tệp văn bản CSV. " MSG_REUPLOAD,
                       line_at(c, off));
        }
        goto done;
      }
      if (need > 0) {
        if (b < lo || b > hi) goto bad_utf8;
        need--;
        lo = 0x80;
        hi = 0xBF;
      } else if (b >= 0x80) {
        seq_off = off;
        if (b >= 0xC2 && b <= 0xDF) {
          need = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
          need = 2;
          if (b == 0xE0) lo = 0xA0;
          if (b == 0xED) hi = 0x9F;
        } else if (b >= 0xF0 && b <= 0xF4) {
          need = 3;
          if (b == 0xF0) lo = 0x90;
          if (b == 0xF4) hi = 0x8F;
        } else {
          goto bad_utf8;
        }
      }
      if (header_done) continue;
      bool bom = off < 3 && head[0] == 0xEF;
      if (!bom && b != ' ' && b != '\t' && b != '\r' && b != '\n') content = true;
      if (content) {
        if (b == '"') in_quotes = !in_quotes;
        else if (!in_quotes && b == ',') ncomma++;
        else if (!in_quotes && b == ';') nsemi++;
        else if (!in_quotes && b == '\t') ntab++;
        else if (b == '\n' || b == '\r') header_done = true;
      }
    }
  }
  if (rerr[0]) {
    table_seterr(err, errlen, "%s", rerr);
    goto done;
  }
  if (need > 0) goto bad_utf8_at_seq;
  if (!content) {
    table_seterr(err, errlen, "Tệp trống: không có dòng dữ liệu nào.");
    goto done;
  }
  *delim = ',';
  if (nsemi >= ncomma && nsemi >= ntab && nsemi > 0) *delim = ';';
  else if (ntab > ncomma) *delim = '\t';
  rc = 0;
  goto done;

bad_utf8:
  if (need == 0) seq_off = off;
bad_utf8_at_seq:
  /* A lone byte ≥ 0x80 is what Windows-1258 (or TCVN3, VNI) makes of a Vietnamese letter. */
  table_seterr(err, errlen,
               "Tệp không phải UTF-8 (có thể là Windows-1258 hoặc TCVN3/VNI): byte lạ đầu tiên ở dòng %ld "
               "(byte thứ %" PRIu64 " của tệp). Hãy mở tệp trong Excel và lưu lại dưới dạng “CSV UTF-8 "
               "(Comma delimited)”.",
               line_at(c, seq_off), seq_off + 1);
done:
  return rc;
}

static void csv_cb_field(void *s, size_t len, void *data) {
  table *t = data;
  csv_state *c = t->csv;
  if (c->cb_err[0]) return;
  size_t col = c->ncol++;
  (void)table_row_put(t, col, s, len, false, c->row_line, c->cb_err, sizeof c->cb_err);
}

static void csv_cb_row(int term, void *data) {
  (void)term;
  table *t = data;
  csv_state *c = t->csv;
  c->in_row = false;
  c->row_done = true;
}

/* Feeds bytes of the current physical line to libcsv and checks its field buffer stays bounded
 * (an unclosed quote would otherwise make it grow to the whole file). */
static int csv_feed(table *t, const void *p, size_t n, char *err, size_t errlen) {
  csv_state *c = t->csv;
  if (csv_parse(&c->p, p, n, csv_cb_field, csv_cb_row, t) != n) {
    table_seterr(err, errlen, "Không đủ bộ nhớ để đọc dòng %ld.", c->row_line);
    return -1;
  }
  if (c->cb_err[0]) {
    table_seterr(err, errlen, "%s", c->cb_err);
    return -1;
  }
  /* libcsv grows its field buffer in small blocks and keeps it: past the cell limit by more than a
   * block or so, some field is too long. */
  if (csv_get_buffer_size(&c->p) > t->lim.max_cell_bytes + 1024) {
    char sz[32];
    table_seterr(err, errlen, "Dòng %ld: một ô quá dài (hơn %s; có thể thiếu dấu ngoặc kép đóng).", c->row_line,
                 table_size_text(t->lim.max_cell_bytes, sz));
    return -1;
  }
  return 0;
}

/* Ends the current physical line: libcsv sees one "\n" whatever the file had. */
static int csv_end_line(table *t, char *err, size_t errlen) {
  csv_state *c = t->csv;
  if (c->at_line_start && !c->in_row) {
    c->row_line = c->line;
    c->in_row = true;
  }
  int rc = csv_feed(t, "\n", 1, err, errlen);
  c->line++;
  c->at_line_start = true;
  return rc;
}

int table_csv_next(table *t, table_row *row, char *err, size_t errlen) {
  csv_state *c = t->csv;
  for (;;) {
    if (c->row_done) {
      c->row_done = false;
      int r = table_row_finish(&t->row, row, c->row_line);
      table_row_reset(&t->row);
      c->ncol = 0;
      if (r < 0) {
        table_seterr(err, errlen, "Không đủ bộ nhớ để đọc dòng %ld.", c->row_line);
        return -1;
      }
      if (r > 0) return 1;
      continue;
    }
    if (c->finished) return 0;
    if (c->inpos >= c->inlen) {
      char rerr[128] = "";
      if (!csv_fill(c, rerr, sizeof rerr)) {
        if (rerr[0]) {
          table_seterr(err, errlen, "%s", rerr);
          return -1;
        }
        c->finished = true;
        /* a last line without its terminator */
        if (!c->at_line_start && csv_end_line(t, err, errlen) < 0) return -1;
        if (c->in_row) {
          table_seterr(err, errlen, "Dòng %ld: dấu ngoặc kép (\") mở mà không đóng cho đến hết tệp.", c->row_line);
          return -1;
        }
        continue;
      }
      if (c->pending_cr && c->in[0] == '\n') c->inpos = 1;
      c->pending_cr = false;
      continue;
    }
    const unsigned char *p = c->in + c->inpos;
    size_t avail = c->inlen - c->inpos, n = 0;
    while (n < avail && p[n] != '\n' && p[n] != '\r') n++;
    if (n > 0) {
      if (c->at_line_start && !c->in_row) {
        c->row_line = c->line;
        c->in_row = true;
      }
      c->at_line_start = false;
      if (csv_feed(t, p, n, err, errlen) < 0) return -1;
    }
    c->inpos += n;
    if (n < avail) { /* a terminator */
      unsigned char term = p[n];
      c->inpos++;
      if (term == '\r') {
        if (c->inpos < c->inlen) {
          if (c->in[c->inpos] == '\n') c->inpos++;
        } else {
          c->pending_cr = true;
        }
      }
      if (csv_end_line(t, err, errlen) < 0) return -1;
    }
  }
}

int table_csv_open(table *t, FILE *fp, const unsigned char *mem, size_t memlen, char *err, size_t errlen) {
  csv_state *c = t->csv = calloc(1, sizeof *t->csv);
  if (!c) {
    if (fp) fclose(fp);
    table_seterr(err, errlen, MSG_NOMEM);
    return -1;
  }
  c->fp = fp;
  c->mem = mem;
  c->memlen = memlen;
  unsigned char delim = ',';
  if (csv_scan(t, &delim, err, errlen) < 0) return -1;
  if (!csv_rewind(c)) {
    table_seterr(err, errlen, "Không đọc được tệp (lỗi hệ thống %d).", errno);
    return -1;
  }
  /* skip a UTF-8 BOM */
  char rerr[128] = "";
  if (!csv_fill(c, rerr, sizeof rerr)) {
    table_seterr(err, errlen, "%s", rerr[0] ? rerr : "Không đọc được tệp.");
    return -1;
  }
  if (c->inlen >= 3 && c->in[0] == 0xEF && c->in[1] == 0xBB && c->in[2] == 0xBF) c->inpos = 3;
  if (csv_init(&c->p, CSV_REPALL_NL) != 0) {
    table_seterr(err, errlen, "Không đủ bộ nhớ để đọc tệp.");
    return -1;
  }
  c->p_init = true;
  csv_set_delim(&c->p, delim);
  c->line = 1;
  c->at_line_start = true;
  return 0;
}

void table_csv_close(table_csv *c) {
  if (!c) return;
  if (c->p_init) csv_free(&c->p);
  if (c->fp) fclose(c->fp);
  free(c);
}

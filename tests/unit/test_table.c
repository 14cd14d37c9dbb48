/* test_table.c: cmocka tests of the spreadsheet reader (src/util/table.c) and the header
 * recognition (src/domain/colmap.c): CSV encodings, delimiters and line numbers, XLSX parts
 * built here with libzip from XML strings, a workbook written by libxlsxwriter, and refusals.
 * Owns: its temporary files under /tmp (removed at the end of each test).
 * Never: reads files outside its temp files, or depends on the network or the clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h> /* after the headers it relies on (stdarg, stddef, setjmp) */

#include <xlsxwriter.h>
#include <zip.h>

#include "domain/colmap.h"
#include "util/buf.h"
#include "util/table.h"

/* ---- helpers ---- */

/* Every row of a table as text: "line:cell|cell\n", a numeric cell prefixed with '#';
 * an error ends it with "ERR:message". The caller frees. */
static char *dump_table(table *t) {
  buf b;
  buf_init(&b);
  table_row row;
  char err[512];
  int rc;
  while ((rc = table_next(t, &row, err, sizeof err)) == 1) {
    buf_printf(&b, "%ld:", row.line);
    for (size_t i = 0; i < row.ncells; i++)
      buf_printf(&b, "%s%s%s", i ? "|" : "", row.numeric[i] ? "#" : "", row.cells[i]);
    buf_putc(&b, '\n');
  }
  if (rc < 0) buf_printf(&b, "ERR:%s", err);
  return buf_detach(&b, NULL);
}

/* Opens bytes from memory and dumps them, or returns "OPEN:message". */
static char *read_mem(const void *data, size_t n, const table_limits *lim) {
  char err[512];
  table *t = table_open_mem(data, n, lim, err, sizeof err);
  if (!t) {
    buf b;
    buf_init(&b);
    buf_printf(&b, "OPEN:%s", err);
    return buf_detach(&b, NULL);
  }
  char *s = dump_table(t);
  table_close(t);
  return s;
}

static char *read_str(const char *s) { return read_mem(s, strlen(s), NULL); }

#define EXPECT_TABLE(input, expected)                                                                              \
  do {                                                                                                             \
    char *got_ = read_str(input);                                                                                  \
    assert_string_equal(got_, expected);                                                                           \
    free(got_);                                                                                                    \
  } while (0)

#define EXPECT_CONTAINS(got, part)                                                                                 \
  do {                                                                                                             \
    if (!strstr((got), (part))) fail_msg("expected \"%s\" in \"%s\"", (part), (got));                               \
  } while (0)

static void temp_path(char *out, size_t n, const char *tag) {
  snprintf(out, n, "/tmp/hv_table_%s.XXXXXX", tag);
  int fd = mkstemp(out);
  if (fd < 0) fail_msg("mkstemp: %s", strerror(errno));
  close(fd);
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) fail_msg("fopen(%s): %s", path, strerror(errno));
  buf b;
  buf_init(&b);
  char tmp[4096];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_append(&b, tmp, n);
  fclose(f);
  return buf_detach(&b, len);
}

typedef struct entry {
  const char *name, *data;
  size_t len; /* 0: strlen(data) */
} entry;

/* A zip archive of the entries, in memory (the caller frees). */
static char *make_zip(const entry *e, size_t n, size_t *len) {
  char path[64];
  temp_path(path, sizeof path, "zip");
  int zerr;
  zip_t *za = zip_open(path, ZIP_TRUNCATE, &zerr);
  if (!za) fail_msg("zip_open: %d", zerr);
  for (size_t i = 0; i < n; i++) {
    size_t l = e[i].len ? e[i].len : strlen(e[i].data);
    zip_source_t *src = zip_source_buffer(za, e[i].data, l, 0);
    if (!src || zip_file_add(za, e[i].name, src, ZIP_FL_OVERWRITE) < 0) fail_msg("zip_file_add %s", e[i].name);
  }
  if (zip_close(za) != 0) fail_msg("zip_close");
  char *data = slurp(path, len);
  unlink(path);
  return data;
}

#define NS_MAIN "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define NS_R "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define REL_TYPE "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static const char PKG_RELS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" REL_TYPE "officeDocument\" Target=\"xl/workbook.xml\"/>"
    "</Relationships>";

static const char WB_RELS[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"" REL_TYPE "worksheet\" Target=\"/xl/worksheets/sheet2.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" REL_TYPE "styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId4\" Type=\"" REL_TYPE "sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "</Relationships>";

static const char WORKBOOK[] = "<workbook " NS_MAIN " " NS_R "><workbookPr/><sheets>"
                               "<sheet name=\"Danh sách\" sheetId=\"1\" r:id=\"rId1\"/>"
                               "<sheet name=\"Khác\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>";

/* cellXfs: 0 General, 1 built-in 14 (a date), 2 custom dd/mm/yyyy, 3 text (@), 4 a time (h:mm). */
static const char STYLES[] = "<styleSheet " NS_MAIN "><numFmts count=\"2\">"
                             "<numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
                             "<numFmt numFmtId=\"165\" formatCode=\"h:mm\"/></numFmts>"
                             "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
                             "<cellXfs count=\"5\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\" applyNumberFormat=\"1\"/>"
                             "<xf numFmtId=\"164\"/><xf numFmtId=\"49\"/><xf numFmtId=\"165\"/></cellXfs></styleSheet>";

static const char SST[] = "<sst " NS_MAIN " count=\"5\" uniqueCount=\"5\">"
                          "<si><t>Họ và tên</t></si>"
                          "<si><t>Số CCCD</t></si>"
                          "<si><r><t xml:space=\"preserve\">Nguyễn </t></r><r><rPr><b/></rPr><t>Văn An</t></r>"
                          "<rPh sb=\"0\" eb=\"1\"><t>PHONETIC</t></rPh></si>"
                          "<si><t>001085000123</t></si>"
                          "<si><t>Nguye\xCC\x82\xCC\x83n Thị Bình</t></si>" /* decomposed: NFC on output */
                          "</sst>";

/* A workbook of the standard parts with the given first sheet (and an optional other workbook.xml). */
static char *make_book(const char *sheet1, const char *workbook, size_t *len) {
  entry e[] = {
      {"[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>", 0},
      {"_rels/.rels", PKG_RELS, 0},
      {"xl/workbook.xml", workbook ? workbook : WORKBOOK, 0},
      {"xl/_rels/workbook.xml.rels", WB_RELS, 0},
      {"xl/styles.xml", STYLES, 0},
      {"xl/sharedStrings.xml", SST, 0},
      {"xl/worksheets/sheet1.xml", sheet1, 0},
      {"xl/worksheets/sheet2.xml", "<worksheet " NS_MAIN "><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>sheet2</t>"
                                   "</is></c></row></sheetData></worksheet>", 0},
  };
  return make_zip(e, sizeof e / sizeof e[0], len);
}

static char *read_book(const char *sheet1, const char *workbook, const table_limits *lim) {
  size_t len;
  char *zip = make_book(sheet1, workbook, &len);
  char *s = read_mem(zip, len, lim);
  free(zip);
  return s;
}

/* ==== CSV ==== */

static void test_csv_bom_comma_crlf(void **state) {
  (void)state;
  EXPECT_TABLE("\xEF\xBB\xBFHọ và tên,Ngày sinh\r\nNguyễn Văn An,01/02/1990\r\nTrần Thị Bình,1985\r\n",
               "1:Họ và tên|Ngày sinh\n2:Nguyễn Văn An|01/02/1990\n3:Trần Thị Bình|1985\n");
}

static void test_csv_semicolon_no_bom(void **state) {
  (void)state;
  /* Excel in the Vietnamese locale writes ';'; a comma inside a cell stays in it. */
  EXPECT_TABLE("Họ và tên;Ngày, tháng, năm sinh;Tổ\nLê Văn C;02/09/1945;Tổ 1\n",
               "1:Họ và tên|Ngày, tháng, năm sinh|Tổ\n2:Lê Văn C|02/09/1945|Tổ 1\n");
}

static void test_csv_tab_and_cr(void **state) {
  (void)state;
  EXPECT_TABLE("STT\tHọ tên\r1\tAn\r2\tBình", "1:STT|Họ tên\n2:1|An\n3:2|Bình\n");
  /* an empty first cell under a tab delimiter; spaces around unquoted cells are trimmed, quoted kept */
  EXPECT_TABLE("a\tb\n\tc\n", "1:a|b\n2:|c\n");
  EXPECT_TABLE("a , b ,c\n\"  x  \", y\n", "1:a|b|c\n2:  x  |y\n");
  /* as many ';' as ',' in the header: ';' (Excel in the Vietnamese locale) */
  EXPECT_TABLE("Họ, tên;Tổ\nAn;1\n", "1:Họ, tên|Tổ\n2:An|1\n");
  /* blank lines before the header: the delimiter comes from the first line with text */
  EXPECT_TABLE("\r\n\r\nHọ tên;Tổ\r\nAn;1\r\n", "3:Họ tên|Tổ\n4:An|1\n");
}

static void test_csv_quoted_newlines_line_numbers(void **state) {
  (void)state;
  /* The quoted address spans lines 2–4: the next row starts at line 5. Doubled quotes are one. */
  EXPECT_TABLE("Họ tên,Địa chỉ,Ghi chú\r\n"
               "An,\"Số 1\r\nNgõ 2\r\nPhường 3\",\"nói \"\"xin chào\"\"\"\r\n"
               "Bình,\"Tổ 5\",\r\n",
               "1:Họ tên|Địa chỉ|Ghi chú\n2:An|Số 1\nNgõ 2\nPhường 3|nói \"xin chào\"\n5:Bình|Tổ 5\n");
}

static void test_csv_empty_rows_counted(void **state) {
  (void)state;
  /* Blank lines and rows of empty cells are skipped but still counted; trailing empties trimmed. */
  EXPECT_TABLE("a,b,,\n\n,,\n  \nc,,d,\n,e\n", "1:a|b\n5:c||d\n6:|e\n");
}

static void test_csv_nfc(void **state) {
  (void)state;
  EXPECT_TABLE("Nguye\xCC\x82\xCC\x83n\n", "1:Nguyễn\n");
  /* a precomposed letter followed by a combining mark composes further: ê + ◌́ → ế */
  EXPECT_TABLE("Nguy\xC3\xAA\xCC\x81t,\xC3\xA1\n", "1:Nguyết|á\n");
  /* already NFC Vietnamese (Latin-1, Latin Extended-A/B, Latin Extended Additional) as it is */
  EXPECT_TABLE("Đặng Ưng Ơn Ăn Ầu ỹ ễ\n", "1:Đặng Ưng Ơn Ăn Ầu ỹ ễ\n");
}

static void test_csv_utf16_refused(void **state) {
  (void)state;
  static const char le_bom[] = "\xFF\xFEH\0o\0";
  static const char be_bom[] = "\xFE\xFF\0H\0o";
  static const char le[] = "H\0o\0 \0t\0\xEA\x1E\x6E\0\n\0";
  static const char be[] = "\0H\0o\0 \0t\x1E\xEA\0n\0\n";
  const struct {
    const char *data;
    size_t len;
  } cases[] = {{le_bom, sizeof le_bom - 1}, {be_bom, sizeof be_bom - 1}, {le, sizeof le - 1}, {be, sizeof be - 1}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = read_mem(cases[i].data, cases[i].len, NULL);
    assert_string_equal(got, "OPEN:Tệp được lưu bằng bảng mã UTF-16. Hãy mở tệp trong Excel và lưu lại dưới dạng "
                             "CSV UTF-8.");
    free(got);
  }
}

static void test_csv_windows1258_refused(void **state) {
  (void)state;
  /* "Nguyễn" in Windows-1258: ê is 0xEA, the tilde a combining 0xDE. */
  char *got = read_str("Ho ten,To\nNguy\xEA\xDEn Van An,1\n");
  EXPECT_CONTAINS(got, "OPEN:Tệp không phải UTF-8 (có thể là Windows-1258");
  EXPECT_CONTAINS(got, "dòng 2 (byte thứ 15 của tệp)");
  free(got);
  /* a lone continuation byte, a truncated sequence at the end, an overlong, a surrogate */
  const char *bad[] = {"a\n\n\x80", "ab\xE1\x80", "\xC0\xAF", "\xED\xA0\x80"};
  for (size_t i = 0; i < 4; i++) {
    got = read_str(bad[i]);
    EXPECT_CONTAINS(got, "OPEN:Tệp không phải UTF-8");
    free(got);
  }
  got = read_str("a\n\n\x80");
  EXPECT_CONTAINS(got, "dòng 3 (byte thứ 4");
  free(got);
}

/* Past the header the scan skips ASCII a word at a time: a bad byte or a NUL deep in the file, after
 * lines ended by LF, CR LF and CR (a CR LF split across the reader's chunks too), multi-byte
 * letters and runs of every length, is still found at its line and byte. */
static void test_csv_bad_byte_far(void **state) {
  (void)state;
  for (int bad = 0; bad < 2; bad++) {
    buf b;
    buf_init(&b);
    buf_puts(&b, "Ho ten,So\r\n");
    long line = 2;
    for (int i = 0; i < 3000; i++, line++) {
      buf_puts(&b, i % 7 == 0 ? "Nguy\xE1\xBB\x85n" : "An");
      for (int k = 0; k < i % 13; k++) buf_putc(&b, 'x');
      buf_puts(&b, i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r");
    }
    size_t at = b.len + 5;
    buf_puts(&b, "abcde");
    buf_putc(&b, bad ? '\xFE' : '\0');
    buf_puts(&b, "z\n");
    char *got = read_mem(b.data, b.len, NULL);
    char want[96];
    if (bad) {
      snprintf(want, sizeof want, "dòng %ld (byte thứ %zu của tệp)", line, at + 1);
      EXPECT_CONTAINS(got, "OPEN:Tệp không phải UTF-8");
    } else {
      snprintf(want, sizeof want, "OPEN:Tệp có byte 0 ở dòng %ld:", line);
    }
    EXPECT_CONTAINS(got, want);
    free(got);
    buf_free(&b);
  }
}

static void test_csv_empty_refused(void **state) {
  (void)state;
  const char *cases[] = {"", "\xEF\xBB\xBF", " \r\n\t\n"};
  for (size_t i = 0; i < 3; i++) {
    char *got = read_str(cases[i]);
    assert_string_equal(got, "OPEN:Tệp trống: không có dòng dữ liệu nào.");
    free(got);
  }
  char *got = read_mem("a,b\nc\0d\n", 8, NULL);
  EXPECT_CONTAINS(got, "OPEN:Tệp có byte 0 ở dòng 2");
  free(got);
}

static void test_csv_limits(void **state) {
  (void)state;
  table_limits lim = {.max_cell_bytes = 10, .max_cells = 3};
  const char *big = "a,b\n1,2\n\"0123456789ABC\",x\n";
  char *got = read_mem(big, strlen(big), &lim);
  assert_string_equal(got, "1:a|b\n2:1|2\nERR:Dòng 3, cột thứ 1: ô quá dài (hơn 10 byte).");
  free(got);
  const char *wide = "a,b,c\n1,2,3,,,\n1,2,3,4\n";
  got = read_mem(wide, strlen(wide), &lim);
  assert_string_equal(got, "1:a|b|c\n2:1|2|3\nERR:Dòng 3 có dữ liệu ở cột thứ 4, quá giới hạn 3 cột một dòng.");
  free(got);
  /* an unclosed quote: its field would grow to the end of the file */
  got = read_str("a,b\n1,\"open\n2,3\n");
  assert_string_equal(got, "1:a|b\nERR:Dòng 2: dấu ngoặc kép (\") mở mà không đóng cho đến hết tệp.");
  free(got);
  buf b;
  buf_init(&b);
  buf_puts(&b, "a\n\"");
  for (int i = 0; i < 200; i++) buf_puts(&b, "0123456789\n");
  got = read_mem(b.data, b.len, &(table_limits){.max_cell_bytes = 1000});
  EXPECT_CONTAINS(got, "ERR:Dòng 2: một ô quá dài (hơn 1000 byte; có thể thiếu dấu ngoặc kép đóng).");
  free(got);
  buf_free(&b);
  /* the file's size */
  got = read_mem("a,b\n", 4, &(table_limits){.max_file_bytes = 3});
  assert_string_equal(got, "OPEN:Tệp quá lớn (hơn 3 byte).");
  free(got);
}

static void test_csv_from_file(void **state) {
  (void)state;
  char path[64], err[512];
  temp_path(path, sizeof path, "csv");
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  /* more than one read chunk, with a CR LF split across the chunk boundary */
  buf b;
  buf_init(&b);
  buf_puts(&b, "Họ tên;Tổ\r\n");
  /* "Ấn" is 4 bytes: some rows straddle a chunk boundary in the middle of a letter */
  while (b.len < 3 * 65536) buf_puts(&b, "Ấn;1\r\n");
  while (b.len < 4 * 65536 - 1) buf_putc(&b, 'x');
  buf_puts(&b, "\r\nlast;2\r\n");
  fwrite(b.data, 1, b.len, f);
  fclose(f);
  table *t = table_open(path, NULL, err, sizeof err);
  assert_non_null(t);
  assert_string_equal(table_format_name(t), "CSV");
  table_row row;
  long rows = 0, last_line = 0;
  int rc;
  char lastcell[16] = "";
  long nletter = 0;
  while ((rc = table_next(t, &row, err, sizeof err)) == 1) {
    rows++;
    last_line = row.line;
    snprintf(lastcell, sizeof lastcell, "%s", row.cells[0]);
    nletter += strcmp(row.cells[0], "Ấn") == 0;
  }
  /* 16 bytes of header, then 8-byte rows up to 3 × 64 KiB; one row of x, the last */
  assert_int_equal(nletter, (3 * 65536 - 16) / 8);
  assert_int_equal(rows, nletter + 3);
  assert_int_equal(rc, 0);
  assert_string_equal(lastcell, "last");
  assert_int_equal(last_line, rows); /* one row per line: no line counted twice at the boundary */
  table_close(t);
  buf_free(&b);
  unlink(path);
  assert_null(table_open("/nonexistent/hv_table.csv", NULL, err, sizeof err));
  EXPECT_CONTAINS(err, "Không mở được tệp");
}

static void test_old_xls_refused(void **state) {
  (void)state;
  static const char ole[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest of the file";
  char *got = read_mem(ole, sizeof ole - 1, NULL);
  EXPECT_CONTAINS(got, "OPEN:Tệp là bảng tính Excel dạng cũ (.xls)");
  free(got);
}

/* ==== XLSX ==== */

static void test_serial_to_iso(void **state) {
  (void)state;
  const struct {
    double serial;
    bool d1904;
    const char *iso; /* NULL: refused */
  } cases[] = {
      {1, false, "1900-01-01"},   {59, false, "1900-02-28"},     {60, false, "1900-02-29"},
      {61, false, "1900-03-01"},  {32875, false, "1990-01-02"},  {45902.75, false, "2025-09-02"},
      {2958465, false, "9999-12-31"}, {0, false, NULL},          {2958466, false, NULL},
      {-1, false, NULL},          {0, true, "1904-01-01"},       {31413, true, "1990-01-02"},
      {366, true, "1905-01-01"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char iso[11] = "";
    bool ok = table_serial_to_iso(cases[i].serial, cases[i].d1904, iso);
    if (!cases[i].iso) {
      if (ok) fail_msg("serial %g: expected refusal, got %s", cases[i].serial, iso);
    } else {
      if (!ok) fail_msg("serial %g refused", cases[i].serial);
      assert_string_equal(iso, cases[i].iso);
    }
  }
}

static void test_format_is_date(void **state) {
  (void)state;
  const char *dates[] = {"dd/mm/yyyy", "d/m/yy", "[$-42A]dd/mm/yyyy", "yyyy-mm-dd hh:mm", "mmm-yy", "mm/yyyy",
                         "d mmmm", "DD/MM/YYYY", "[Red]dd/mm/yyyy"};
  const char *not_dates[] = {"General", "0", "#,##0", "h:mm", "mm:ss", "[h]:mm:ss", "hh:mm:ss AM/PM", "@",
                             "0.00E+00", "#,##0 \"đồng\"", "#,##0 \"ngày\"", "0\\d", "[$₫-42A] #,##0", "mm:ss.0"};
  for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
    if (!table_format_is_date(dates[i])) fail_msg("%s should be a date format", dates[i]);
  for (size_t i = 0; i < sizeof not_dates / sizeof not_dates[0]; i++)
    if (table_format_is_date(not_dates[i])) fail_msg("%s should not be a date format", not_dates[i]);
}

static void test_xlsx_cells(void **state) {
  (void)state;
  const char *sheet =
      "<worksheet " NS_MAIN "><dimension ref=\"A1:F6\"/><sheetData>"
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
      "<c r=\"C1\" t=\"inlineStr\"><is><t>Ngày sinh</t></is></c></row>"
      /* rich text, a numeric CCCD (lost its 0), a date with built-in format 14 */
      "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c><c r=\"B2\"><v>30185000123</v></c>"
      "<c r=\"C2\" s=\"1\"><v>32875</v></c></row>"
      /* an empty row (only styled cells) is skipped */
      "<row r=\"3\"><c r=\"A3\" s=\"1\"/><c r=\"XFD3\" s=\"2\"/></row>"
      /* a text CCCD keeps its 0; a custom dd/mm/yyyy date with a time part; gaps */
      "<row r=\"5\"><c r=\"A5\" t=\"s\"><v>4</v></c><c r=\"B5\" t=\"s\" s=\"3\"><v>3</v></c>"
      "<c r=\"C5\" s=\"2\"><v>45902.75</v></c><c r=\"F5\" t=\"str\"><f>A5</f><v>công thức</v></c></row>"
      /* numbers, booleans, an error, a time-only format stays a number, cells without r */
      "<row r=\"6\"><c><v>1.5</v></c><c><v>3.0185000123E10</v></c><c t=\"b\"><v>1</v></c><c t=\"e\"><v>#N/A</v></c>"
      "<c s=\"4\"><v>0.5</v></c><c t=\"d\"><v>2024-02-29T00:00:00</v></c><c><v>-0</v></c></row>"
      "</sheetData><mergeCells count=\"0\"/></worksheet>";
  char *got = read_book(sheet, NULL, NULL);
  assert_string_equal(got, "1:Họ và tên|Số CCCD|Ngày sinh\n"
                           "2:Nguyễn Văn An|#30185000123|1990-01-02\n"
                           "5:Nguyễn Thị Bình|001085000123|2025-09-02|||công thức\n"
                           "6:#1.5|#30185000123|TRUE|#N/A|#0.5|2024-02-29|#0\n");
  free(got);
}

static void test_xlsx_date1904_and_sheet_order(void **state) {
  (void)state;
  /* the workbook lists sheet2 first: it is the one read */
  const char *wb = "<workbook " NS_MAIN " " NS_R "><workbookPr date1904=\"1\"/><sheets>"
                   "<sheet name=\"B\" sheetId=\"2\" r:id=\"rId2\"/><sheet name=\"A\" sheetId=\"1\" r:id=\"rId1\"/>"
                   "</sheets></workbook>";
  char *got = read_book("<worksheet " NS_MAIN "/>", wb, NULL);
  assert_string_equal(got, "1:sheet2\n");
  free(got);
  const char *wb1904 = "<workbook " NS_MAIN " " NS_R "><workbookPr date1904=\"true\"/><sheets>"
                       "<sheet name=\"A\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
  got = read_book("<worksheet " NS_MAIN "><sheetData><row r=\"7\"><c r=\"B7\" s=\"2\"><v>31413</v></c></row>"
                  "</sheetData></worksheet>",
                  wb1904, NULL);
  assert_string_equal(got, "7:|1990-01-02\n");
  free(got);
}

static void test_xlsx_prefixed_namespace(void **state) {
  (void)state;
  /* some generators write "x:" prefixes */
  char *got = read_book("<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                        "<x:sheetData><x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t>Tổ</x:t></x:is></x:c>"
                        "</x:row></x:sheetData></x:worksheet>",
                        NULL, NULL);
  assert_string_equal(got, "1:Tổ\n");
  free(got);
}

static void test_xlsx_refusals(void **state) {
  (void)state;
  size_t len;
  /* truncated: every cut of a real workbook is refused at open or at a row, never crashes */
  char *zip = make_book("<worksheet " NS_MAIN "><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>An</t></is></c>"
                        "</row></sheetData></worksheet>",
                        NULL, &len);
  char *got = read_mem(zip, len / 2, NULL);
  assert_string_equal(got, "OPEN:Tệp Excel bị hỏng hoặc tải lên không trọn vẹn (không đọc được cấu trúc tệp nén). "
                           "Hãy lưu lại tệp rồi tải lên lần nữa.");
  free(got);
  for (size_t cut = 4; cut < len; cut += 97) {
    got = read_mem(zip, cut, NULL);
    if (strncmp(got, "OPEN:", 5) != 0 && !strstr(got, "ERR:")) fail_msg("cut at %zu read as %s", cut, got);
    free(got);
  }
  free(zip);

  /* a flipped byte in the deflated sheet: an inflate or CRC error, named */
  buf sheet;
  buf_init(&sheet);
  buf_puts(&sheet, "<worksheet " NS_MAIN "><sheetData>");
  for (int r = 1; r <= 3000; r++)
    buf_printf(&sheet, "<row r=\"%d\"><c t=\"inlineStr\"><is><t>Người %d</t></is></c></row>", r, r * 7919 % 10007);
  buf_puts(&sheet, "</sheetData></worksheet>");
  zip = make_book(sheet.data, NULL, &len);
  buf_free(&sheet);
  const char *name = "xl/worksheets/sheet1.xml";
  size_t at = 0;
  for (size_t i = 0; i + 30 + strlen(name) < len && !at; i++)
    if (memcmp(zip + i, "PK\x03\x04", 4) == 0 && memcmp(zip + i + 30, name, strlen(name)) == 0) {
      size_t extra = (size_t)(unsigned char)zip[i + 28] | (size_t)(unsigned char)zip[i + 29] << 8;
      at = i + 30 + strlen(name) + extra + 600;
    }
  assert_true(at > 0 && at < len);
  zip[at] ^= 0x55;
  got = read_mem(zip, len, NULL);
  if (strncmp(got, "OPEN:", 5) != 0) EXPECT_CONTAINS(got, "\nERR:Tệp Excel bị hỏng hoặc tải lên không trọn vẹn");
  free(got);
  free(zip);

  /* a zip that is not a workbook; a spreadsheet from LibreOffice */
  entry notbook[] = {{"hello.txt", "xin chào", 0}};
  zip = make_zip(notbook, 1, &len);
  got = read_mem(zip, len, NULL);
  EXPECT_CONTAINS(got, "OPEN:Tệp nén (ZIP) này không phải bảng tính Excel (.xlsx).");
  free(got);
  free(zip);
  entry ods[] = {{"mimetype", "application/vnd.oasis.opendocument.spreadsheet", 0}, {"content.xml", "<x/>", 0}};
  zip = make_zip(ods, 2, &len);
  got = read_mem(zip, len, NULL);
  EXPECT_CONTAINS(got, "OPEN:Tệp này là bảng tính LibreOffice (.ods)");
  free(got);
  free(zip);

  /* no sheet */
  got = read_book("<worksheet/>", "<workbook " NS_MAIN "><sheets/></workbook>", NULL);
  assert_string_equal(got, "OPEN:Tệp Excel không có trang tính (sheet) nào chứa dữ liệu.");
  free(got);

  /* a DTD (entity expansion) is refused */
  got = read_book("<!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\">]><worksheet " NS_MAIN "><sheetData><row r=\"1\">"
                  "<c t=\"inlineStr\"><is><t>&a;</t></is></c></row></sheetData></worksheet>",
                  NULL, NULL);
  EXPECT_CONTAINS(got, "ERR:Tệp Excel bị hỏng hoặc tải lên không trọn vẹn (có khai báo DTD không được phép).");
  free(got);

  /* broken XML in the sheet names the line */
  got = read_book("<worksheet " NS_MAIN "><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>An</t></is></c></row>\n"
                  "<row r=\"2\"><c></row></sheetData></worksheet>",
                  NULL, NULL);
  assert_string_equal(got, "1:An\nERR:Tệp Excel bị hỏng hoặc tải lên không trọn vẹn (trang tính có lỗi XML ở dòng 2 "
                           "của xl/worksheets/sheet1.xml).");
  free(got);

  /* a shared-string index past the table */
  got = read_book("<worksheet " NS_MAIN "><sheetData><row r=\"1\"><c r=\"B1\" t=\"s\"><v>99</v></c></row></sheetData>"
                  "</worksheet>",
                  NULL, NULL);
  EXPECT_CONTAINS(got, "ERR:Tệp Excel bị hỏng hoặc tải lên không trọn vẹn (ô B1 trỏ tới chuỗi dùng chung không có).");
  free(got);

  /* a cell past the column limit, a cell too long */
  got = read_book("<worksheet " NS_MAIN "><sheetData><row r=\"4\"><c r=\"Z4\"><v>1</v></c></row></sheetData>"
                  "</worksheet>",
                  NULL, &(table_limits){.max_cells = 5});
  assert_string_equal(got, "ERR:Dòng 4 có dữ liệu ở cột thứ 26, quá giới hạn 5 cột một dòng.");
  free(got);
  got = read_book("<worksheet " NS_MAIN "><sheetData><row r=\"2\"><c r=\"C2\" t=\"inlineStr\"><is><t>0123456789012"
                  "</t></is></c></row></sheetData></worksheet>",
                  NULL, &(table_limits){.max_cell_bytes = 10});
  assert_string_equal(got, "ERR:Dòng 2, ô C2: ô quá dài (hơn 10 byte).");
  free(got);

  /* the shared strings past their cap */
  got = read_book("<worksheet/>", NULL, &(table_limits){.max_shared_bytes = 64});
  EXPECT_CONTAINS(got, "OPEN:Bảng chuỗi dùng chung của tệp Excel quá lớn");
  free(got);
}

/* Makes the archive declare `size` as the uncompressed size of entry `name` (local header and
 * central directory), as a forged archive would. */
static void lie_about_size(char *zip, size_t len, const char *name, uint32_t size) {
  size_t nlen = strlen(name);
  unsigned char *z = (unsigned char *)zip;
  int patched = 0;
  for (size_t i = 0; i + 46 + nlen <= len; i++) {
    bool local = memcmp(z + i, "PK\x03\x04", 4) == 0, central = memcmp(z + i, "PK\x01\x02", 4) == 0;
    if (!local && !central) continue;
    size_t noff = local ? 26 : 28, hdr = local ? 30 : 46, soff = local ? 22 : 24;
    size_t n = (size_t)z[i + noff] | (size_t)z[i + noff + 1] << 8;
    if (n != nlen || memcmp(z + i + hdr, name, nlen) != 0) continue;
    for (int k = 0; k < 4; k++) z[i + soff + (size_t)k] = (unsigned char)(size >> (8 * k));
    patched++;
  }
  assert_int_equal(patched, 2);
}

static void test_xlsx_zip_bomb(void **state) {
  (void)state;
  /* 8 MiB of identical rows deflate to a few KiB: far past 100:1 */
  buf b;
  buf_init(&b);
  buf_puts(&b, "<worksheet " NS_MAIN "><sheetData>");
  while (b.len < 8 * 1024 * 1024) buf_puts(&b, "<row><c t=\"inlineStr\"><is><t>aaaaaaaaaaaaaaaa</t></is></c></row>");
  buf_puts(&b, "</sheetData></worksheet>");
  entry e[] = {
      {"_rels/.rels", PKG_RELS, 0},
      {"xl/workbook.xml", WORKBOOK, 0},
      {"xl/_rels/workbook.xml.rels", WB_RELS, 0},
      {"xl/worksheets/sheet1.xml", b.data, b.len},
  };
  size_t len;
  char *zip = make_zip(e, 4, &len);
  buf_free(&b);
  assert_true(len < 200 * 1024);
  char *got = read_mem(zip, len, NULL);
  assert_string_equal(got, "OPEN:Tệp Excel bất thường: phần xl/worksheets/sheet1.xml giải nén ra quá lớn (tỉ lệ nén "
                           "hơn 100:1 hoặc quá 1024 MiB), có thể là tệp độc hại. Tệp bị từ chối.");
  free(got);
  /* the same archive under a generous ratio but a low cap on what may be inflated */
  got = read_mem(zip, len, &(table_limits){.max_ratio = 100000, .max_unzipped_bytes = 4 * 1024 * 1024});
  EXPECT_CONTAINS(got, "OPEN:Tệp Excel bất thường: phần xl/worksheets/sheet1.xml giải nén ra quá lớn");
  free(got);
  /* an archive that declares 100 bytes: the bytes inflated are counted, not the declaration */
  lie_about_size(zip, len, "xl/worksheets/sheet1.xml", 100);
  got = read_mem(zip, len, NULL);
  assert_null(strstr(got, "OPEN:"));
  EXPECT_CONTAINS(got, "\nERR:Tệp Excel bất thường: phần xl/worksheets/sheet1.xml giải nén ra quá lớn");
  free(got);
  got = read_mem(zip, len, &(table_limits){.max_ratio = 100000, .max_unzipped_bytes = 2 * 1024 * 1024});
  EXPECT_CONTAINS(got, "\nERR:Tệp Excel bất thường: phần xl/worksheets/sheet1.xml giải nén ra quá lớn");
  free(got);
  /* and with both generous, it streams: every row read, memory bounded by one row */
  got = read_mem(zip, len, &(table_limits){.max_ratio = 100000});
  assert_true(strlen(got) > 1000);
  assert_null(strstr(got, "ERR:"));
  free(got);
  free(zip);
}

/* A workbook written by a real tool (libxlsxwriter), read back. */
static void test_xlsx_from_libxlsxwriter(void **state) {
  (void)state;
  char path[64], err[512];
  temp_path(path, sizeof path, "xlsxw");
  lxw_workbook *wb = workbook_new(path);
  assert_non_null(wb);
  lxw_worksheet *ws = workbook_add_worksheet(wb, "Danh sách");
  lxw_format *datefmt = workbook_add_format(wb);
  format_set_num_format(datefmt, "dd/mm/yyyy");
  lxw_format *textfmt = workbook_add_format(wb);
  format_set_num_format(textfmt, "@");
  worksheet_write_string(ws, 0, 0, "Họ và tên", NULL);
  worksheet_write_string(ws, 0, 1, "Ngày sinh", NULL);
  worksheet_write_string(ws, 0, 2, "Số CCCD", NULL);
  worksheet_write_string(ws, 0, 3, "Tổ dân phố", NULL);
  worksheet_write_string(ws, 1, 0, "Nguyễn Thị Ánh", NULL);
  lxw_datetime dt = {.year = 1990, .month = 1, .day = 2};
  worksheet_write_datetime(ws, 1, 1, &dt, datefmt);
  worksheet_write_string(ws, 1, 2, "001085000123", textfmt);
  worksheet_write_number(ws, 1, 3, 5, NULL);
  worksheet_write_string(ws, 3, 0, "Đặng Văn Ưng", NULL);
  worksheet_write_number(ws, 3, 2, 30185000123.0, NULL);
  assert_int_equal(workbook_close(wb), LXW_NO_ERROR);

  table *t = table_open(path, NULL, err, sizeof err);
  if (!t) fail_msg("%s", err);
  assert_string_equal(table_format_name(t), "XLSX");
  char *got = dump_table(t);
  assert_string_equal(got, "1:Họ và tên|Ngày sinh|Số CCCD|Tổ dân phố\n"
                           "2:Nguyễn Thị Ánh|1990-01-02|001085000123|#5\n"
                           "4:Đặng Văn Ưng||#30185000123\n");
  free(got);
  table_close(t);
  unlink(path);
}

/* ==== colmap ==== */

static void test_colmap_aliases(void **state) {
  (void)state;
  const struct {
    const char *header;
    col_field field;
  } cases[] = {
      {"STT", COL_SEQ}, {"Họ và tên", COL_FULL_NAME}, {"Họ tên", COL_FULL_NAME},
      {"Họ và tên khai sinh", COL_FULL_NAME}, {"Tên", COL_FULL_NAME}, {"HỌ VÀ TÊN", COL_FULL_NAME},
      {"  họ   và tên ", COL_FULL_NAME}, {"Ho va ten", COL_FULL_NAME},
      {"Ngày sinh", COL_BIRTH_DATE}, {"Ngày, tháng, năm sinh", COL_BIRTH_DATE}, {"Năm sinh", COL_BIRTH_DATE},
      {"NS", COL_BIRTH_DATE}, {"Ngày sinh (dd/mm/yyyy)", COL_BIRTH_DATE},
      {"Giới tính", COL_SEX}, {"Giới", COL_SEX}, {"GT", COL_SEX}, {"Nam/Nữ", COL_SEX},
      {"Số CCCD", COL_CCCD}, {"CCCD", COL_CCCD}, {"Số định danh", COL_CCCD}, {"Số định danh cá nhân", COL_CCCD},
      {"CMND/CCCD", COL_CCCD}, {"Số CMND", COL_CCCD}, {"Số CCCD/CMND của công dân", COL_CCCD},
      {"Số điện thoại", COL_PHONE}, {"SĐT", COL_PHONE}, {"Điện thoại", COL_PHONE}, {"ĐT", COL_PHONE},
      {"Tổ dân phố", COL_UNIT}, {"Tổ", COL_UNIT}, {"TDP", COL_UNIT}, {"Khu dân cư", COL_UNIT}, {"Tổ/Thôn", COL_UNIT},
      {"Địa chỉ", COL_ADDRESS}, {"Nơi ở hiện tại", COL_ADDRESS}, {"Chỗ ở hiện nay", COL_ADDRESS},
      {"Địa chỉ thường trú", COL_ADDRESS},
      {"Mã hộ", COL_HOUSEHOLD_CODE}, {"Số hộ", COL_HOUSEHOLD_CODE}, {"Mã hộ gia đình", COL_HOUSEHOLD_CODE},
      {"Quan hệ với chủ hộ", COL_RELATION}, {"Quan hệ chủ hộ", COL_RELATION}, {"QH với chủ hộ", COL_RELATION},
      {"Mức định danh", COL_VNEID}, {"Định danh điện tử", COL_VNEID}, {"VNeID", COL_VNEID},
      {"Nơi làm việc/học tập", COL_ORG}, {"Nơi làm việc", COL_ORG}, {"Cơ quan", COL_ORG}, {"Trường", COL_ORG},
      {"Đơn vị", COL_ORG}, {"Vai trò", COL_ROLE}, {"Chức vụ", COL_ROLE}, {"Lớp", COL_GRADE},
      {"Ghi chú", COL_NONE}, {"", COL_NONE}, {"???", COL_NONE}, {"Nguye\xCC\x82\xCC\x83n", COL_NONE},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    col_field f = colmap_field_of(cases[i].header);
    if (f != cases[i].field)
      fail_msg("'%s': got %s, expected %s", cases[i].header, col_field_code(f), col_field_code(cases[i].field));
  }
}

static void test_colmap_detect(void **state) {
  (void)state;
  const char *h[] = {"STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Tổ dân phố", "Ghi chú", "", "Dân tộc"};
  colmap m;
  char err[512], warn[512];
  assert_int_equal(colmap_detect(h, 9, COLMAP_REQUIRED_RESIDENTS, &m, err, sizeof err), 0);
  assert_string_equal(err, "");
  assert_int_equal(m.col[COL_SEQ], 0);
  assert_int_equal(m.col[COL_FULL_NAME], 1);
  assert_int_equal(m.col[COL_BIRTH_DATE], 2);
  assert_int_equal(m.col[COL_SEX], 3);
  assert_int_equal(m.col[COL_CCCD], 4);
  assert_int_equal(m.col[COL_UNIT], 5);
  assert_int_equal(m.col[COL_PHONE], -1);
  assert_int_equal(m.nunknown, 2);
  assert_string_equal(colmap_warnings(&m, h, 9, warn, sizeof warn),
                      "Bỏ qua các cột không nhận ra: cột G “Ghi chú”, cột I “Dân tộc”.");

  /* the mapping step: "Dân tộc" is not a field, "Ghi chú" becomes the address */
  assert_int_equal(colmap_apply_manual(&m, COL_ADDRESS, 6), 0);
  assert_int_equal(m.col[COL_ADDRESS], 6);
  assert_string_equal(colmap_warnings(&m, h, 9, warn, sizeof warn),
                      "Bỏ qua các cột không nhận ra: cột I “Dân tộc”.");
  /* moving the unit onto the name's column takes it from the name */
  assert_int_equal(colmap_apply_manual(&m, COL_UNIT, 1), 0);
  assert_int_equal(m.col[COL_FULL_NAME], -1);
  assert_int_equal(colmap_check(&m, COLMAP_REQUIRED_RESIDENTS, h, 9, err, sizeof err), -1);
  EXPECT_CONTAINS(err, "Thiếu cột “Họ và tên”");
  assert_int_equal(colmap_apply_manual(&m, COL_FULL_NAME, 2), 0);
  assert_int_equal(colmap_check(&m, COLMAP_REQUIRED_RESIDENTS, h, 9, err, sizeof err), 0);
  assert_int_equal(colmap_apply_manual(&m, COL_PHONE, 40), 0);
  assert_int_equal(colmap_check(&m, 0, h, 9, err, sizeof err), -1);
  assert_string_equal(err, "Cột AO được chọn cho “Số điện thoại” không có trong tệp.");
  assert_int_equal(colmap_apply_manual(&m, COL_COUNT, 1), -1);
  assert_int_equal(colmap_apply_manual(&m, COL_NONE, 1), -1);
}

static void test_colmap_errors(void **state) {
  (void)state;
  colmap m;
  char err[1024];
  const char *missing[] = {"Họ và tên", "Ngày sinh"};
  assert_int_equal(colmap_detect(missing, 2, COLMAP_REQUIRED_RESIDENTS, &m, err, sizeof err), -1);
  assert_string_equal(err, "Thiếu cột “Tổ dân phố” (tiêu đề có thể là “Tổ dân phố”, “Tổ”, “TDP”, “Khu dân cư”).");
  /* a list of learners needs only the name */
  assert_int_equal(colmap_detect(missing, 2, COLMAP_BIT(COL_FULL_NAME), &m, err, sizeof err), 0);

  const char *dup[] = {"STT", "Họ tên", "Họ và tên", "Tổ"};
  assert_int_equal(colmap_detect(dup, 4, COLMAP_REQUIRED_RESIDENTS, &m, err, sizeof err), -1);
  assert_string_equal(err, "Cột “Họ tên” (cột B) và cột “Họ và tên” (cột C) cùng là “Họ và tên”: hãy xoá hoặc đổi tên "
                           "một cột.");
  assert_int_equal(m.col[COL_FULL_NAME], 1);

  const char *none[] = {"a", "b"};
  assert_int_equal(colmap_detect(none, 2, COLMAP_REQUIRED_RESIDENTS, &m, err, sizeof err), -1);
  EXPECT_CONTAINS(err, "Thiếu cột “Họ và tên”");
  EXPECT_CONTAINS(err, "Thiếu cột “Tổ dân phố”");
}

static void test_colmap_labels(void **state) {
  (void)state;
  assert_string_equal(col_field_code(COL_FULL_NAME), "full_name");
  assert_string_equal(col_field_label(COL_UNIT), "Tổ dân phố");
  assert_string_equal(col_field_label(COL_ORG), "Nơi làm việc/học tập");
  assert_string_equal(col_field_code(COL_COUNT), "");
  for (int f = 1; f < COL_COUNT; f++) {
    assert_true(col_field_code((col_field)f)[0] != '\0');
    assert_true(col_field_label((col_field)f)[0] != '\0');
  }
  char name[8];
  colmap_column_name(0, name);
  assert_string_equal(name, "A");
  colmap_column_name(25, name);
  assert_string_equal(name, "Z");
  colmap_column_name(26, name);
  assert_string_equal(name, "AA");
  colmap_column_name(16383, name);
  assert_string_equal(name, "XFD");
}

/* A header row read from a file goes straight into colmap. */
static void test_table_to_colmap(void **state) {
  (void)state;
  const char *csv = "\xEF\xBB\xBFSTT;Họ và tên;Ngày, tháng, năm sinh;SĐT;TDP\n1;An;01/01/1990;0912345678;Tổ 3\n";
  char err[512];
  table *t = table_open_mem(csv, strlen(csv), NULL, err, sizeof err);
  assert_non_null(t);
  table_row row;
  assert_int_equal(table_next(t, &row, err, sizeof err), 1);
  colmap m;
  assert_int_equal(colmap_detect(row.cells, row.ncells, COLMAP_REQUIRED_RESIDENTS, &m, err, sizeof err), 0);
  assert_int_equal(m.col[COL_PHONE], 3);
  assert_int_equal(m.col[COL_UNIT], 4);
  table_close(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_csv_bom_comma_crlf),
      cmocka_unit_test(test_csv_semicolon_no_bom),
      cmocka_unit_test(test_csv_tab_and_cr),
      cmocka_unit_test(test_csv_quoted_newlines_line_numbers),
      cmocka_unit_test(test_csv_empty_rows_counted),
      cmocka_unit_test(test_csv_nfc),
      cmocka_unit_test(test_csv_utf16_refused),
      cmocka_unit_test(test_csv_windows1258_refused),
      cmocka_unit_test(test_csv_empty_refused),
      cmocka_unit_test(test_csv_bad_byte_far),
      cmocka_unit_test(test_csv_limits),
      cmocka_unit_test(test_csv_from_file),
      cmocka_unit_test(test_old_xls_refused),
      cmocka_unit_test(test_serial_to_iso),
      cmocka_unit_test(test_format_is_date),
      cmocka_unit_test(test_xlsx_cells),
      cmocka_unit_test(test_xlsx_date1904_and_sheet_order),
      cmocka_unit_test(test_xlsx_prefixed_namespace),
      cmocka_unit_test(test_xlsx_refusals),
      cmocka_unit_test(test_xlsx_zip_bomb),
      cmocka_unit_test(test_xlsx_from_libxlsxwriter),
      cmocka_unit_test(test_colmap_aliases),
      cmocka_unit_test(test_colmap_detect),
      cmocka_unit_test(test_colmap_errors),
      cmocka_unit_test(test_colmap_labels),
      cmocka_unit_test(test_table_to_colmap),
  };
  return cmocka_run_group_tests_name("table", tests, NULL, NULL) ? 1 : 0;
}

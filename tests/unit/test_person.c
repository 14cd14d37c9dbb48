/* test_person.c: cmocka tests of src/domain/person.c (dates of birth, spreadsheet serials, sex,
 * phone numbers, CCCD numbers, full names) and src/domain/synth.c (the synthetic population).
 * Owns: nothing outside its own memory and temporary in-memory files.
 * Never: reads the clock, the network or a database.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h> /* after the headers it relies on (stdarg, stddef, setjmp) */

#include "domain/person.h"
#include "domain/synth.h"
#include "domain/units.h"
#include "util/fold.h"

/* ==== pdate_parse ==== */

static void test_pdate_parse_accepts(void **state) {
  (void)state;
  static const struct {
    const char *in;
    int y, m, d;
  } cases[] = {
      {"5/3/1957", 1957, 3, 5},      {"05/03/1957", 1957, 3, 5},   {"5-3-1957", 1957, 3, 5},
      {"05.03.1957", 1957, 3, 5},    {"1957-03-05", 1957, 3, 5},   {"1957-3-5", 1957, 3, 5},
      {"1957", 1957, 0, 0},          {"  1957 ", 1957, 0, 0},      {"\t31/12/1999\r\n", 1999, 12, 31},
      {"29/02/2000", 2000, 2, 29},   {"29/02/2024", 2024, 2, 29},  {"2024-02-29", 2024, 2, 29},
      {"1/1/1900", 1900, 1, 1},      {"1900", 1900, 0, 0},         {"31/01/2010", 2010, 1, 31},
      {"30/04/1975", 1975, 4, 30},   {"00/00/1957", 1957, 0, 0},   {"0/0/1960", 1960, 0, 0},
      {"28/02/1900", 1900, 2, 28},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pdate d = {-1, -1, -1};
    char err[256] = "x";
    int rc = pdate_parse(cases[i].in, &d, err, sizeof err);
    if (rc != 0) fail_msg("\"%s\" refused: %s", cases[i].in, err);
    assert_int_equal(d.year, cases[i].y);
    assert_int_equal(d.month, cases[i].m);
    assert_int_equal(d.day, cases[i].d);
    assert_string_equal(err, "");
    assert_true(pdate_valid(&d));
  }
}

static void test_pdate_parse_refuses(void **state) {
  (void)state;
  static const struct {
    const char *in, *why; /* why: a piece of the message */
  } cases[] = {
      {"31/02/1990", "chỉ có 28 ngày"},
      {"30/02/2000", "chỉ có 29 ngày"},
      {"29/02/1900", "không phải năm nhuận"}, /* 1900 is not a leap year */
      {"29/02/2023", "không phải năm nhuận"},
      {"29/02/2100", "không phải năm nhuận"},
      {"31/04/1980", "chỉ có 30 ngày"},
      {"32/01/1980", "chỉ có 31 ngày"},
      {"00/03/1980", "chỉ có 31 ngày"},
      {"12/13/1980", "không có tháng 13"},
      {"1/0/1980", "không có tháng 0"},
      {"5/3/57", "4 chữ số"},
      {"05/03/957", "4 chữ số"},
      {"1899", "trước 1900"},
      {"31/12/1899", "trước 1900"},
      {"1899-12-31", "trước 1900"},
      {"", "ô trống"},
      {"   ", "ô trống"},
      {"57", "hãy viết"},
      {"05/03-1957", "hãy viết"},
      {"1957/03/05", "hãy viết"},
      {"1957.03.05", "hãy viết"},
      {"5 tháng 3 năm 1957", "hãy viết"},
      {"05/03/19570", "hãy viết"},
      {"19570", "hãy viết"},
      {"1957-03-05T00:00", "hãy viết"},
      {"abc", "hãy viết"},
      {"005/03/1957", "hãy viết"},
      {"1957-003-05", "hãy viết"},
      {"-1957", "hãy viết"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pdate d = {7, 7, 7};
    char err[256] = "";
    if (pdate_parse(cases[i].in, &d, err, sizeof err) == 0) fail_msg("\"%s\" accepted", cases[i].in);
    assert_int_equal(d.year, 7); /* untouched */
    if (!strstr(err, "Ngày sinh không hợp lệ")) fail_msg("\"%s\": %s", cases[i].in, err);
    if (!strstr(err, cases[i].why)) fail_msg("\"%s\": \"%s\" lacks \"%s\"", cases[i].in, err, cases[i].why);
  }
  char err[256];
  pdate d0;
  assert_int_equal(pdate_parse("01/01/1957                                                   x", &d0, err, sizeof err), -1);
  assert_non_null(strstr(err, "quá dài"));
  /* NULL and a zero-length error buffer are fine */
  pdate d;
  assert_int_equal(pdate_parse(NULL, &d, NULL, 0), -1);
  assert_int_equal(pdate_parse("1/1/2000", &d, NULL, 0), 0);
  /* a long message is cut, still NUL-terminated */
  char small[8];
  assert_int_equal(pdate_parse("31/02/1990", &d, small, sizeof small), -1);
  assert_true(strlen(small) < sizeof small);
}

static void test_pdate_leap(void **state) {
  (void)state;
  assert_true(pdate_leap(2000));
  assert_true(pdate_leap(2024));
  assert_true(pdate_leap(1996));
  assert_false(pdate_leap(1900));
  assert_false(pdate_leap(2100));
  assert_false(pdate_leap(2023));
}

static void test_pdate_format(void **state) {
  (void)state;
  char out[11];
  pdate d = {1957, 3, 5}, y = {1957, 0, 0};
  assert_string_equal(pdate_iso(&d, out), "1957-03-05");
  assert_string_equal(pdate_iso(&y, out), "1957");
  assert_string_equal(pdate_vn(&d, out), "05/03/1957");
  assert_string_equal(pdate_vn(&y, out), "1957");
  /* the ISO form parses back */
  pdate back;
  assert_int_equal(pdate_parse(pdate_iso(&d, out), &back, NULL, 0), 0);
  assert_int_equal(pdate_cmp(&back, &d), 0);
  assert_int_equal(pdate_parse(pdate_iso(&y, out), &back, NULL, 0), 0);
  assert_int_equal(pdate_cmp(&back, &y), 0);
}

static void test_pdate_cmp_age_future(void **state) {
  (void)state;
  pdate a = {1985, 6, 15}, b = {1985, 6, 16}, y = {1985, 0, 0}, c = {1984, 12, 31};
  assert_true(pdate_cmp(&a, &b) < 0);
  assert_true(pdate_cmp(&b, &a) > 0);
  assert_int_equal(pdate_cmp(&a, &a), 0);
  assert_true(pdate_cmp(&y, &a) < 0); /* a year alone before its full dates */
  assert_true(pdate_cmp(&c, &y) < 0);

  pdate ref = {2026, 6, 15};
  assert_int_equal(pdate_age(&a, &ref), 41); /* birthday today */
  assert_int_equal(pdate_age(&b, &ref), 40); /* tomorrow */
  assert_int_equal(pdate_age(&y, &ref), 41); /* year alone: 1 January */
  pdate jan1 = {2026, 1, 1};
  assert_int_equal(pdate_age(&y, &jan1), 41);
  pdate refy = {2026, 0, 0}; /* a year alone as ref: 31 December */
  assert_int_equal(pdate_age(&b, &refy), 41);
  assert_int_equal(pdate_age(&y, &refy), 41);
  pdate leapling = {2004, 2, 29}, feb28 = {2022, 2, 28}, mar1 = {2022, 3, 1}, feb29 = {2024, 2, 29};
  assert_int_equal(pdate_age(&leapling, &feb28), 17);
  assert_int_equal(pdate_age(&leapling, &mar1), 18);
  assert_int_equal(pdate_age(&leapling, &feb29), 20);
  pdate unborn = {2027, 1, 1};
  assert_int_equal(pdate_age(&unborn, &ref), -1);
  assert_int_equal(pdate_age(&ref, &ref), 0);

  assert_false(pdate_future(&ref, &ref));
  pdate tomorrow = {2026, 6, 16}, y26 = {2026, 0, 0}, y27 = {2027, 0, 0};
  assert_true(pdate_future(&tomorrow, &ref));
  assert_false(pdate_future(&a, &ref));
  assert_false(pdate_future(&y26, &ref)); /* this year: not yet known to be future */
  assert_true(pdate_future(&y27, &ref));
  assert_false(pdate_future(&tomorrow, &refy));
}

/* ==== spreadsheet serials ==== */

static void test_pdate_serial_1900(void **state) {
  (void)state;
  static const struct {
    double serial;
    int y, m, d;
  } cases[] = {
      {1, 1900, 1, 1},        {2, 1900, 1, 2},      {31, 1900, 1, 31},   {32, 1900, 2, 1},
      {59, 1900, 2, 28},      {61, 1900, 3, 1},     {366, 1900, 12, 31}, {367, 1901, 1, 1},
      {21251, 1958, 3, 7},    {25569, 1970, 1, 1},  {36526, 2000, 1, 1}, {36585, 2000, 2, 29},
      {45351, 2024, 2, 29},   {46357, 2026, 12, 1}, {2958465, 9999, 12, 31},
      {25569.75, 1970, 1, 1}, /* the time of day is dropped */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pdate d;
    if (pdate_from_serial(cases[i].serial, false, &d) != 0) fail_msg("serial %g refused", cases[i].serial);
    if (d.year != cases[i].y || d.month != cases[i].m || d.day != cases[i].d)
      fail_msg("serial %g: %d-%d-%d", cases[i].serial, d.year, d.month, d.day);
  }
  pdate d = {1, 2, 3};
  assert_int_equal(pdate_from_serial(60, false, &d), -1); /* the fictitious 29/02/1900 */
  assert_int_equal(pdate_from_serial(60.5, false, &d), -1);
  assert_int_equal(pdate_from_serial(0, false, &d), -1); /* "0 January 1900" */
  assert_int_equal(pdate_from_serial(0.5, false, &d), -1);
  assert_int_equal(pdate_from_serial(-1, false, &d), -1);
  assert_int_equal(pdate_from_serial(2958466, false, &d), -1);
  assert_int_equal(pdate_from_serial(NAN, false, &d), -1);
  assert_int_equal(pdate_from_serial(1e300, false, &d), -1);
  assert_int_equal(d.year, 1); /* untouched */
}

static void test_pdate_serial_1904(void **state) {
  (void)state;
  static const struct {
    double serial;
    int y, m, d;
  } cases[] = {
      {0, 1904, 1, 1}, {1, 1904, 1, 2}, {59, 1904, 2, 29}, {60, 1904, 3, 1}, {24107, 1970, 1, 1},
      {35064, 2000, 1, 1}, {2957003, 9999, 12, 31},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pdate d;
    if (pdate_from_serial(cases[i].serial, true, &d) != 0) fail_msg("serial %g refused", cases[i].serial);
    if (d.year != cases[i].y || d.month != cases[i].m || d.day != cases[i].d)
      fail_msg("1904 serial %g: %d-%d-%d", cases[i].serial, d.year, d.month, d.day);
  }
  pdate d;
  assert_int_equal(pdate_from_serial(-1, true, &d), -1);
  assert_int_equal(pdate_from_serial(2957004, true, &d), -1);
  /* the two systems are 1462 days apart */
  pdate a, b;
  assert_int_equal(pdate_from_serial(30000, true, &a), 0);
  assert_int_equal(pdate_from_serial(31462, false, &b), 0);
  assert_int_equal(pdate_cmp(&a, &b), 0);
}

/* ==== sex ==== */

static void test_sex_parse(void **state) {
  (void)state;
  static const struct {
    const char *in;
    int sex;
  } cases[] = {
      {"Nam", 'M'},
      {"nam", 'M'},
      {"NAM", 'M'},
      {" Nam ", 'M'},
      {"M", 'M'},
      {"m", 'M'},
      {"N\xe1\xbb\xaf", 'F'},             /* Nữ, NFC */
      {"n\xe1\xbb\xaf", 'F'},             /* nữ */
      {"N\xe1\xbb\xae", 'F'},             /* NỮ */
      {"Nu\xcc\x9b\xcc\x83", 'F'},        /* Nữ, NFD: u + horn + tilde */
      {"NU\xcc\x9b\xcc\x83", 'F'},        /* NỮ, NFD */
      {"Nu\xcc\x83\xcc\x9b", 'F'},        /* marks in the other order: NFC puts them right */
      {"Nu", 'F'},
      {"nu", 'F'},
      {"NU", 'F'},
      {"F", 'F'},
      {"f", 'F'},
      {"\tNữ\n", 'F'},
      {"", 0},
      {"   ", 0},
      {"Nữa", 0},
      {"Nú", 0},
      {"Male", 0},
      {"Nam Nữ", 0},
      {"X", 0},
      {"\xff", 0}, /* not UTF-8 */
      {NULL, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int got = person_sex_parse(cases[i].in);
    if (got != cases[i].sex) fail_msg("\"%s\": %d, want %d", cases[i].in ? cases[i].in : "(null)", got, cases[i].sex);
  }
  assert_string_equal(person_sex_label('M'), "Nam");
  assert_string_equal(person_sex_label('F'), "Nữ");
  assert_string_equal(person_sex_label(0), "");
}

/* ==== phones ==== */

static void test_phone_accepts(void **state) {
  (void)state;
  static const struct {
    const char *in, *out;
    bool mobile;
  } cases[] = {
      {"+84 912 345 678", "0912345678", true},
      {"+84912345678", "0912345678", true},
      {"84912345678", "0912345678", true},
      {"0084 912 345 678", "0912345678", true},
      {"+84 (0) 912 345 678", "0912345678", true},
      {"0912.345.678", "0912345678", true},
      {"0912-345-678", "0912345678", true},
      {"0912345678", "0912345678", true},
      {" 0383 123 456 ", "0383123456", true},
      {"0523456789", "0523456789", true},
      {"0703456789", "0703456789", true},
      {"0813456789", "0813456789", true},
      {"912345678", "0912345678", true}, /* the 0 lost in a numeric cell */
      {"(0220) 3 123 456", "02203123456", false},
      {"0220 3123 456", "02203123456", false},
      {"024 3826 1234", "02438261234", false},
      {"+84 24 3826 1234", "02438261234", false},
      {"842253123456", "02253123456", false},
      {"2203123456", "02203123456", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char out[16];
    if (phone_normalise(cases[i].in, out, sizeof out) != 0) fail_msg("\"%s\" refused", cases[i].in);
    if (strcmp(out, cases[i].out) != 0) fail_msg("\"%s\" → \"%s\", want \"%s\"", cases[i].in, out, cases[i].out);
    assert_int_equal(phone_is_mobile(out), cases[i].mobile);
  }
}

static void test_phone_refuses(void **state) {
  (void)state;
  static const char *cases[] = {
      "",           "   ",          "091234567",       /* 9 digits with the 0 */
      "09123456789", /* 11-digit mobile */
      "0123456789", /* old 01x prefix, no longer a mobile */
      "0612345678", "0412345678",   "0212345678",      /* a landline needs 11 digits */
      "022031234567",                                  /* 12 digits */
      "1900 1234",  "1800 1234",    "0912abc678",      "0912 345 678 ext 12",
      "+1 212 555 1234",            "+84 912 345 67",  "+84 912 345 6789", "0912+345678",
      "++84912345678",              "84 12",           "0912/345/678",     "0912_345_678",
      "0912345678 ", /* trailing space is fine … */
  };
  /* … so the last case is accepted; every other must be refused */
  for (size_t i = 0; i + 1 < sizeof cases / sizeof cases[0]; i++) {
    char out[16] = "x";
    if (phone_normalise(cases[i], out, sizeof out) == 0) fail_msg("\"%s\" accepted as %s", cases[i], out);
    assert_string_equal(out, "");
  }
  char out[16];
  assert_int_equal(phone_normalise(cases[sizeof cases / sizeof cases[0] - 1], out, sizeof out), 0);
  char small[11];
  assert_int_equal(phone_normalise("0912345678", small, sizeof small), -1); /* needs 12 bytes */
  assert_int_equal(phone_normalise(NULL, out, sizeof out), -1);
  assert_false(phone_is_mobile("02203123456"));
  assert_false(phone_is_mobile(NULL));
}

/* ==== CCCD ==== */

static void test_cccd_province_table(void **state) {
  (void)state;
  assert_int_equal(cccd_provinces_count, 63);
  for (int i = 1; i < cccd_provinces_count; i++) assert_true(strcmp(cccd_provinces[i - 1].code, cccd_provinces[i].code) < 0);
  assert_string_equal(cccd_province_name("030"), "Hải Dương");
  assert_string_equal(cccd_province_name("031"), "Hải Phòng");
  assert_string_equal(cccd_province_name("001"), "Hà Nội");
  assert_string_equal(cccd_province_name("096"), "Cà Mau");
  assert_string_equal(cccd_province_name("079"), "Hồ Chí Minh");
  /* gaps in the numbering are not provinces */
  assert_null(cccd_province_name("003"));
  assert_null(cccd_province_name("029"));
  assert_null(cccd_province_name("032"));
  assert_null(cccd_province_name("097"));
  assert_null(cccd_province_name("000"));
  assert_null(cccd_province_name(NULL));
  /* only three characters are read */
  assert_string_equal(cccd_province_name("030123456789"), "Hải Dương");
}

static void test_cccd_normalise(void **state) {
  (void)state;
  char out[13];
  assert_int_equal(cccd_normalise("030085001234", out), 0);
  assert_string_equal(out, "030085001234");
  assert_int_equal(cccd_normalise(" 030 085 001 234 ", out), 0);
  assert_string_equal(out, "030085001234");
  assert_int_equal(cccd_normalise("03008500123", out), -1);
  assert_string_equal(out, "");
  assert_int_equal(cccd_normalise("0300850012345", out), -1);
  assert_string_equal(out, "");
  assert_int_equal(cccd_normalise("03008500123A", out), -1);
  assert_int_equal(cccd_normalise("030-085-001234", out), -1);
  assert_int_equal(cccd_normalise("０３００８５００１２３４", out), -1); /* full-width digits are not ASCII */
  assert_int_equal(cccd_normalise(NULL, out), -1);
}

static void test_cccd_check(void **state) {
  (void)state;
  pdate b1985 = {1985, 6, 15}, b1990 = {1990, 0, 0}, b2005 = {2005, 1, 2}, b2101 = {2101, 1, 1};
  static const struct {
    const char *num;
    int birth; /* 0 none, 1 1985, 2 1990 (year alone), 3 2005, 4 2101 */
    int sex;
    cccd_result want;
    const char *msg; /* a piece of the message ("" for OK) */
  } cases[] = {
      /* Hải Dương, man born 1985 */
      {"030085001234", 1, 'M', CCCD_OK, ""},
      {"030 085 001 234", 1, 'M', CCCD_OK, ""},
      /* Hải Phòng, woman born 1990 (a year alone) */
      {"031190004567", 2, 'F', CCCD_OK, ""},
      {"031190004567", 0, 0, CCCD_OK, ""},
      {"031190004567", 0, 'F', CCCD_OK, ""},
      {"031190004567", 2, 0, CCCD_OK, ""},
      /* born 2005: women 3, men 2 */
      {"030305012345", 3, 'F', CCCD_OK, ""},
      {"030205012345", 3, 'M', CCCD_OK, ""},
      /* 2100s: men 4, women 5 */
      {"030401000001", 4, 'M', CCCD_OK, ""},
      {"030501000001", 4, 'F', CCCD_OK, ""},
      /* the example of the brief: digit 2 (men, 2000s) against a woman born 1985 */
      {"030285001234", 1, 'F', CCCD_CENTURY_MISMATCH,
       "Chữ số thế kỷ/giới tính của số CCCD (2) không khớp với năm sinh 1985 và giới tính Nữ"},
      {"030285001234", 1, 0, CCCD_CENTURY_MISMATCH, "không khớp với năm sinh 1985 (chữ số 2: nam, sinh từ năm 2000"},
      {"030005001234", 3, 'M', CCCD_CENTURY_MISMATCH, "năm sinh 2005 và giới tính Nam"},
      {"030085001234", 1, 'F', CCCD_SEX_MISMATCH,
       "Chữ số thế kỷ/giới tính của số CCCD (0) không khớp với giới tính Nữ (chữ số 0: nam, sinh từ năm 1900 đến 1999)"},
      {"031190004567", 2, 'M', CCCD_SEX_MISMATCH, "giới tính Nam (chữ số 1: nữ"},
      {"031190004567", 0, 'M', CCCD_SEX_MISMATCH, "giới tính Nam"},
      {"030086001234", 1, 'M', CCCD_YEAR_MISMATCH, "Chữ số thứ 5–6 của số CCCD (86) không khớp với năm sinh 1985"},
      {"031191004567", 2, 'F', CCCD_YEAR_MISMATCH, "năm sinh 1990 (phải là 90)"},
      /* an unknown prefix is a warning, after the other checks */
      {"032085001234", 1, 'M', CCCD_UNKNOWN_PROVINCE, "Mã nơi đăng ký khai sinh 032"},
      {"704085001234", 0, 0, CCCD_UNKNOWN_PROVINCE, "mã quốc gia"},
      {"000085001234", 1, 'M', CCCD_UNKNOWN_PROVINCE, "000"},
      {"032085001234", 1, 'F', CCCD_SEX_MISMATCH, "giới tính Nữ"}, /* errors outrank it */
      /* format */
      {"03008500123", 1, 'M', CCCD_BAD_FORMAT, "đúng 12 chữ số (đang có 11 chữ số)"},
      {"0300850012345", 1, 'M', CCCD_BAD_FORMAT, "đang có 13 chữ số"},
      {"", 0, 0, CCCD_BAD_FORMAT, "đang có 0 chữ số"},
      {"03008500123X", 0, 0, CCCD_BAD_FORMAT, "chỉ được gồm chữ số"},
      {"030.085.001.234", 0, 0, CCCD_BAD_FORMAT, "chỉ được gồm chữ số"},
      {"030085001234\xef\xbc\x90", 0, 0, CCCD_BAD_FORMAT, "(có 1 ký tự khác chữ số)"},
      {NULL, 0, 0, CCCD_BAD_FORMAT, "12 chữ số"},
  };
  const pdate *births[] = {NULL, &b1985, &b1990, &b2005, &b2101};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char msg[512] = "x";
    cccd_result r = cccd_check(cases[i].num, births[cases[i].birth], cases[i].sex, msg, sizeof msg);
    if (r != cases[i].want) fail_msg("case %zu (%s): %d, want %d: %s", i, cases[i].num, r, cases[i].want, msg);
    if (cases[i].msg[0] == '\0') {
      assert_string_equal(msg, "");
    } else if (!strstr(msg, cases[i].msg)) {
      fail_msg("case %zu: \"%s\" lacks \"%s\"", i, msg, cases[i].msg);
    }
    /* a message never repeats the whole number */
    if (cases[i].num && strlen(cases[i].num) >= 12) assert_null(strstr(msg, cases[i].num));
  }
  assert_int_equal(cccd_check("030085001234", NULL, 0, NULL, 0), CCCD_OK);
}

/* ==== names ==== */

static void test_name_check(void **state) {
  (void)state;
  char msg[256];
  static const char *good[] = {
      "Nguyễn Văn An",
      "Lý Thị Hoa",
      "Ng",
      "  Trần   Thị Bích Ngọc  ",
      "Nguye\xcc\x82\xcc\x83n Va\xcc\x86n An", /* NFD */
      "Đặng Thu Hà",
      "H'Hen Niê",
      "Phạm-Nguyễn Minh Khôi",
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    if (person_name_check(good[i], msg, sizeof msg) != 0) fail_msg("\"%s\" refused: %s", good[i], msg);
  static const struct {
    const char *in, *why;
  } bad[] = {
      {"", "để trống"},
      {"   ", "để trống"},
      {NULL, "để trống"},
      {"A", "ít nhất 2"},
      {" Ấ ", "ít nhất 2"},
      {"A\xcc\x81", "ít nhất 2"}, /* NFD Á: one character, two code points */
      {"Nguyễn Văn 2", "chữ số"},
      {"Trần Thị Hoa 1980", "chữ số"},
      {"Lê Văn \xd9\xa3", "chữ số"}, /* Arabic-Indic digit three */
      {"Nguyễn\xe2\x80\x8b Văn An", "ký tự ẩn"},
      {"Nguyễn\x01Văn", "ký tự ẩn"},
      {"\xe2\x80\xae" "An Văn", "ký tự ẩn"},
      {"Nguy\xff", "UTF-8"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    msg[0] = 'x';
    if (person_name_check(bad[i].in, msg, sizeof msg) == 0) fail_msg("\"%s\" accepted", bad[i].in);
    if (!strstr(msg, bad[i].why)) fail_msg("\"%s\": \"%s\" lacks \"%s\"", bad[i].in, msg, bad[i].why);
  }
  char longname[400];
  size_t k = 0;
  for (int i = 0; i < 100; i++) {
    memcpy(longname + k, "ễ", strlen("ễ"));
    k += strlen("ễ");
  }
  longname[k] = '\0';
  assert_int_equal(person_name_check(longname, msg, sizeof msg), 0); /* 100 characters, 300 bytes */
  memcpy(longname + k, "a", 2);
  assert_int_equal(person_name_check(longname, msg, sizeof msg), -1);
  assert_non_null(strstr(msg, "dài quá 100 ký tự (đang có 101 ký tự)"));
}


/* ==== robustness: arbitrary bytes never crash a parser (run under ASan to mean something) ==== */

static void test_parsers_arbitrary_input(void **state) {
  (void)state;
  static const char alphabet[] = "0123456789/-.+() \t84NnAaMmUuFf\xcc\x83\x9b\xe1\xbb\xaf\xff\x80";
  uint64_t x = 88172645463325252u;
  char in[64], out[32], msg[96];
  for (int iter = 0; iter < 20000; iter++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    size_t n = x % (sizeof in - 1);
    uint64_t y = x;
    for (size_t i = 0; i < n; i++) {
      y = y * 6364136223846793005u + 1442695040888963407u;
      in[i] = alphabet[(y >> 33) % (sizeof alphabet - 1)];
    }
    in[n] = '\0';
    pdate d = {1985, 0, 0};
    if (pdate_parse(in, &d, msg, sizeof msg) == 0) assert_true(pdate_valid(&d));
    assert_true(strlen(msg) < sizeof msg);
    if (phone_normalise(in, out, sizeof out) == 0) assert_true(strlen(out) == 10 || strlen(out) == 11);
    cccd_result r = cccd_check(in, &d, 'F', msg, sizeof msg);
    assert_true(r >= CCCD_OK && r <= CCCD_YEAR_MISMATCH);
    int sex = person_sex_parse(in);
    assert_true(sex == 0 || sex == 'M' || sex == 'F');
    person_name_check(in, msg, sizeof msg);
  }
}

/* ==== synthetic population ==== */

/* The whole CSV of (n, seed) in memory; the caller frees it. */
static char *synth_csv(long n, uint64_t seed, size_t *len) {
  synth *s = synth_new(n, seed);
  assert_non_null(s);
  char *data = NULL;
  FILE *f = open_memstream(&data, len);
  assert_non_null(f);
  assert_int_equal(synth_write_csv(s, f), 0);
  assert_int_equal(fclose(f), 0);
  synth_free(s);
  return data;
}

static uint64_t fnv1a(const char *p, size_t n) {
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * UINT64_C(0x100000001b3);
  return h;
}

static void test_synth_deterministic(void **state) {
  (void)state;
  size_t la, lb, lc;
  char *a = synth_csv(2000, 42, &la), *b = synth_csv(2000, 42, &lb), *c = synth_csv(2000, 43, &lc);
  assert_int_equal(la, lb);
  assert_memory_equal(a, b, la);
  assert_true(la != lc || memcmp(a, c, la) != 0);
  /* the header and line ends */
  const char *header = "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Tổ dân phố,Địa chỉ,Mã hộ,"
                       "Quan hệ với chủ hộ,Mức định danh,Nơi làm việc/học tập,Vai trò,Lớp\r\n";
  assert_memory_equal(a, header, strlen(header));
  size_t lines = 0, bare_lf = 0;
  for (size_t i = 0; i < la; i++)
    if (a[i] == '\n') {
      lines++;
      if (i == 0 || a[i - 1] != '\r') bare_lf++;
    }
  assert_int_equal(bare_lf, 0);
  /* RFC 4180: every record has the header's 14 fields; quoted fields hold the commas */
  size_t records = 0, fields = 1, quoted = 0;
  bool inq = false;
  for (size_t i = 0; i < la; i++) {
    char ch = a[i];
    if (inq) {
      if (ch == '"' && i + 1 < la && a[i + 1] == '"') i++;
      else if (ch == '"') inq = false;
    } else if (ch == '"') {
      inq = true;
      quoted++;
    } else if (ch == ',') {
      fields++;
    } else if (ch == '\n') {
      if (fields != 14) fail_msg("record %zu has %zu fields", records, fields);
      records++;
      fields = 1;
    }
  }
  assert_false(inq);
  assert_int_equal(records, lines);
  assert_true(quoted > 2000); /* addresses ("Số 12, ngõ 34, …") */
  assert_true(lines > 2000 && lines < 2100); /* residents, the staff living elsewhere, the header */
  /* The same bytes on every platform: this digest changes only when the generator is changed on
   * purpose (then update it here, with the reason in the commit). */
  uint64_t h = fnv1a(a, la);
  if (h != UINT64_C(0x209ea093217accc7)) fail_msg("synth digest for (2000, 42): 0x%016" PRIx64, h);
  free(a);
  free(b);
  free(c);
  assert_null(synth_new(0, 1));
  assert_null(synth_new(-5, 1));
  assert_null(synth_new(SYNTH_MAX_RESIDENTS + 1, 1));
}

static int cmp12(const void *x, const void *y) { return memcmp(x, y, 12); }
static int cmp10(const void *x, const void *y) { return memcmp(x, y, 10); }

static void test_synth_people(void **state) {
  (void)state;
  const long n = 30000;
  synth *s = synth_new(n, 7);
  assert_non_null(s);
  long count = 0, residents = 0, under18 = 0, over60 = 0, households = 0, yearonly = 0, nguyen = 0;
  long phones = 0, over14 = 0, students = 0;
  size_t cap = 40000;
  char(*ids)[12] = malloc(cap * sizeof *ids);
  char(*phs)[10] = malloc(cap * sizeof *phs);
  assert_non_null(ids);
  assert_non_null(phs);
  const pdate ref = {SYNTH_REF_YEAR, SYNTH_REF_MONTH, SYNTH_REF_DAY};
  char last_household[32] = "";
  long units = synth_units_count(s);
  synth_person p;
  bool outsiders_started = false;
  while (synth_next(s, &p)) {
    count++;
    assert_int_equal(p.stt, count);
    assert_true((size_t)count <= cap);
    /* CCCD: consistent with its own birth date and sex, in a known province */
    char msg[512];
    cccd_result r = cccd_check(p.cccd, &p.birth, p.sex, msg, sizeof msg);
    if (r != CCCD_OK) fail_msg("%s (%s, %d): %d %s", p.name, p.cccd, p.birth.year, r, msg);
    memcpy(ids[count - 1], p.cccd, 12);
    /* names: NFC and valid */
    char *nfc = text_nfc(p.name);
    assert_non_null(nfc);
    if (strcmp(nfc, p.name) != 0) fail_msg("\"%s\" is not NFC", p.name);
    free(nfc);
    if (person_name_check(p.name, msg, sizeof msg) != 0) fail_msg("\"%s\": %s", p.name, msg);
    if (strncmp(p.name, "Nguyễn ", strlen("Nguyễn ")) == 0) nguyen++;
    assert_true(pdate_valid(&p.birth));
    assert_false(pdate_future(&p.birth, &ref));
    if (p.birth.month == 0) yearonly++;
    assert_true(p.sex == 'M' || p.sex == 'F');
    int age = pdate_age(&p.birth, &ref);
    assert_true(age >= 0 && age <= 101);
    /* phones: valid mobiles, none under 14 */
    if (p.phone[0]) {
      char norm[16];
      assert_int_equal(phone_normalise(p.phone, norm, sizeof norm), 0);
      assert_string_equal(norm, p.phone);
      assert_true(phone_is_mobile(p.phone));
      assert_true(age >= 14);
      memcpy(phs[phones], p.phone, 10);
      phones++;
    }
    assert_true(p.vneid >= 0 && p.vneid <= 2);
    assert_true(p.unit >= -1 && p.unit < units);
    if (p.role == SYNTH_ROLE_STUDENT) {
      students++;
      synth_unit u;
      assert_int_equal(synth_unit_get(s, p.unit, &u), 0);
      assert_true(p.grade >= 1 && p.grade <= 12);
      /* the grade of the school year 2025–2026 by birth year: born 2019 → grade 1 */
      assert_int_equal(p.grade, SYNTH_REF_YEAR - 1 - p.birth.year - 5);
      const char *want = p.grade <= 5 ? "school_primary" : p.grade <= 9 ? "school_lower_secondary" : "school_upper_secondary";
      assert_string_equal(u.kind, want);
    } else {
      assert_int_equal(p.grade, 0);
    }
    assert_true((p.unit >= 0) == (p.role != SYNTH_ROLE_NONE));
    if (p.resident) {
      assert_false(outsiders_started); /* residents first */
      residents++;
      if (age < 18) under18++;
      if (age >= 60) over60++;
      if (age >= 14) over14++;
      assert_true(p.group >= 1);
      synth_unit g;
      assert_int_equal(synth_unit_get(s, synth_group_unit(s, p.group), &g), 0);
      assert_string_equal(g.kind, "residential_group");
      assert_true(p.household[0] && p.address[0] && p.relation[0]);
      if (strcmp(p.household, last_household) != 0) {
        households++;
        assert_string_equal(p.relation, "Chủ hộ"); /* the head opens the household */
        snprintf(last_household, sizeof last_household, "%s", p.household);
      } else {
        assert_string_not_equal(p.relation, "Chủ hộ");
      }
    } else {
      outsiders_started = true;
      assert_int_equal(p.group, 0);
      assert_string_equal(p.household, "");
      assert_string_equal(p.address, "");
      assert_string_equal(p.relation, "");
      assert_true(p.role == SYNTH_ROLE_TEACHER || p.role == SYNTH_ROLE_CIVIL || p.role == SYNTH_ROLE_PUBLIC ||
                  p.role == SYNTH_ROLE_POLICE || p.role == SYNTH_ROLE_WORKER || p.role == SYNTH_ROLE_COOPERATIVE);
    }
  }
  synth_free(s);
  assert_int_equal(residents, n);
  assert_true(outsiders_started);
  assert_true(count - residents < n / 20); /* a few percent of the staff: under 5% of N */
  /* every CCCD unique; phones unique */
  qsort(ids, (size_t)count, sizeof *ids, cmp12);
  for (long i = 1; i < count; i++)
    if (memcmp(ids[i - 1], ids[i], 12) == 0) fail_msg("CCCD %.12s twice", ids[i]);
  qsort(phs, (size_t)phones, sizeof *phs, cmp10);
  for (long i = 1; i < phones; i++)
    if (memcmp(phs[i - 1], phs[i], 10) == 0) fail_msg("phone %.10s twice", phs[i]);
  free(ids);
  free(phs);
  double mean = (double)residents / (double)households;
  print_message("synth N=%ld: %ld households (%.2f people), under 18 %.1f%%, 60+ %.1f%%, year only %.1f%%,"
                " Nguyễn %.1f%%, phones at 14+ %.1f%%, %ld students, %ld living elsewhere\n",
                n, households, mean, 100.0 * under18 / residents, 100.0 * over60 / residents,
                100.0 * yearonly / count, 100.0 * nguyen / count, 100.0 * phones / over14, students, count - residents);
  assert_true(mean >= 3.0 && mean <= 4.0);
  assert_true(mean >= 3.3 && mean <= 3.7);
  assert_true(under18 * 100 >= residents * 22 && under18 * 100 <= residents * 28);  /* about a quarter */
  assert_true(over60 * 1000 >= residents * 100 && over60 * 1000 <= residents * 155); /* about an eighth */
  assert_true(yearonly * 1000 >= count * 15 && yearonly * 1000 <= count * 45);      /* ~3% */
  assert_true(nguyen * 100 >= count * 34 && nguyen * 100 <= count * 42);            /* ~38% */
  assert_true(phones * 100 >= over14 * 85 && phones * 100 <= over14 * 95);          /* ~10% missing */
}

static void test_synth_units(void **state) {
  (void)state;
  synth *s = synth_new(51522, 1); /* phường Hải Dương */
  assert_non_null(s);
  long n = synth_units(s, NULL, 0);
  assert_int_equal(n, synth_units_count(s));
  synth_unit *u = calloc((size_t)n, sizeof *u);
  assert_non_null(u);
  assert_int_equal(synth_units(s, u, n), n);
  long groups = 0, markets = 0, primary = 0;
  for (long i = 0; i < n; i++) {
    if (strcmp(u[i].kind, "market") != 0 && !unit_kind_label(u[i].kind)) fail_msg("kind %s", u[i].kind);
    assert_true(u[i].code[0] && u[i].name[0]);
    char *nfc = text_nfc(u[i].name);
    assert_string_equal(nfc, u[i].name);
    free(nfc);
    for (long j = 0; j < i; j++) {
      if (strcmp(u[i].name, u[j].name) == 0) fail_msg("unit name \"%s\" twice", u[i].name);
      if (strcmp(u[i].code, u[j].code) == 0) fail_msg("unit code \"%s\" twice", u[i].code);
    }
    if (strcmp(u[i].kind, "residential_group") == 0) groups++;
    if (strcmp(u[i].kind, "market") == 0) markets++;
    if (strcmp(u[i].kind, "school_primary") == 0) primary++;
  }
  assert_true(groups >= 60 && groups <= 80);
  assert_true(markets >= 1 && markets <= 2);
  assert_true(primary >= 3);
  assert_string_equal(u[synth_group_unit(s, 1)].name, "Tổ dân phố số 1");
  synth_unit x;
  assert_int_equal(synth_unit_get(s, n, &x), -1);
  assert_int_equal(synth_unit_get(s, -1, &x), -1);
  free(u);
  synth_free(s);
  /* many units: names stay unique past the lists of names */
  s = synth_new(2000000, 1);
  assert_non_null(s);
  n = synth_units_count(s);
  u = calloc((size_t)n, sizeof *u);
  assert_non_null(u);
  synth_units(s, u, n);
  for (long i = 0; i < n; i++)
    for (long j = i + 1; j < n && strcmp(u[j].kind, u[i].kind) == 0; j++)
      if (strcmp(u[i].name, u[j].name) == 0) fail_msg("unit name \"%s\" twice", u[i].name);
  free(u);
  synth_free(s);
}

static void test_synth_write_error(void **state) {
  (void)state;
  FILE *f = fopen("/dev/full", "w");
  if (!f) skip();
  synth *s = synth_new(5000, 1);
  assert_non_null(s);
  assert_int_equal(synth_write_csv(s, f), -1);
  fclose(f);
  synth_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pdate_parse_accepts),
      cmocka_unit_test(test_pdate_parse_refuses),
      cmocka_unit_test(test_pdate_leap),
      cmocka_unit_test(test_pdate_format),
      cmocka_unit_test(test_pdate_cmp_age_future),
      cmocka_unit_test(test_pdate_serial_1900),
      cmocka_unit_test(test_pdate_serial_1904),
      cmocka_unit_test(test_sex_parse),
      cmocka_unit_test(test_phone_accepts),
      cmocka_unit_test(test_phone_refuses),
      cmocka_unit_test(test_cccd_province_table),
      cmocka_unit_test(test_cccd_normalise),
      cmocka_unit_test(test_cccd_check),
      cmocka_unit_test(test_name_check),
      cmocka_unit_test(test_parsers_arbitrary_input),
      cmocka_unit_test(test_synth_deterministic),
      cmocka_unit_test(test_synth_people),
      cmocka_unit_test(test_synth_units),
      cmocka_unit_test(test_synth_write_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

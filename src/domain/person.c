/* person.c: dates of birth, sex, phone numbers, CCCD numbers and full names (see person.h).
 * Owns: the table of the 63 province codes. Never: allocates memory it does not free before
 * returning, or writes a whole CCCD number into a message.
 */
#include "domain/person.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/fold.h"

/* The 63 codes of the place of birth registration, Thông tư 07/2016/TT-BCA, Phụ lục 1
 * (transcribed from shared/data/cccd-province-codes.csv). Not contiguous: look codes up here,
 * never by range. Numbers issued before the 2025 merger of provinces keep their code. */
const cccd_province cccd_provinces[] = {
    {"001", "Hà Nội"},        {"002", "Hà Giang"},      {"004", "Cao Bằng"},      {"006", "Bắc Kạn"},
    {"008", "Tuyên Quang"},   {"010", "Lào Cai"},       {"011", "Điện Biên"},     {"012", "Lai Châu"},
    {"014", "Sơn La"},        {"015", "Yên Bái"},       {"017", "Hòa Bình"},      {"019", "Thái Nguyên"},
    {"020", "Lạng Sơn"},      {"022", "Quảng Ninh"},    {"024", "Bắc Giang"},     {"025", "Phú Thọ"},
    {"026", "Vĩnh Phúc"},     {"027", "Bắc Ninh"},      {"030", "Hải Dương"},     {"031", "Hải Phòng"},
    {"033", "Hưng Yên"},      {"034", "Thái Bình"},     {"035", "Hà Nam"},        {"036", "Nam Định"},
    {"037", "Ninh Bình"},     {"038", "Thanh Hóa"},     {"040", "Nghệ An"},       {"042", "Hà Tĩnh"},
    {"044", "Quảng Bình"},    {"045", "Quảng Trị"},     {"046", "Thừa Thiên Huế"}, {"048", "Đà Nẵng"},
    {"049", "Quảng Nam"},     {"051", "Quảng Ngãi"},    {"052", "Bình Định"},     {"054", "Phú Yên"},
    {"056", "Khánh Hòa"},     {"058", "Ninh Thuận"},    {"060", "Bình Thuận"},    {"062", "Kon Tum"},
    {"064", "Gia Lai"},       {"066", "Đắk Lắk"},       {"067", "Đắk Nông"},      {"068", "Lâm Đồng"},
    {"070", "Bình Phước"},    {"072", "Tây Ninh"},      {"074", "Bình Dương"},    {"075", "Đồng Nai"},
    {"077", "Bà Rịa - Vũng Tàu"}, {"079", "Hồ Chí Minh"}, {"080", "Long An"},     {"082", "Tiền Giang"},
    {"083", "Bến Tre"},       {"084", "Trà Vinh"},      {"086", "Vĩnh Long"},     {"087", "Đồng Tháp"},
    {"089", "An Giang"},      {"091", "Kiên Giang"},    {"092", "Cần Thơ"},       {"093", "Hậu Giang"},
    {"094", "Sóc Trăng"},     {"095", "Bạc Liêu"},      {"096", "Cà Mau"},
};
const int cccd_provinces_count = (int)(sizeof cccd_provinces / sizeof cccd_provinces[0]);

__attribute__((format(printf, 3, 4))) static void say(char *out, size_t n, const char *fmt, ...) {
  if (!out || n == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out, n, fmt, ap);
  va_end(ap);
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

/* ==== dates ==== */

bool pdate_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && pdate_leap(y) ? 29 : days[m - 1];
}

bool pdate_valid(const pdate *d) {
  if (!d || d->year < 1900 || d->year > 9999) return false;
  if (d->month == 0 && d->day == 0) return true;
  if (d->month < 1 || d->month > 12) return false;
  return d->day >= 1 && d->day <= month_days(d->year, d->month);
}

/* Reads 1..max digits at *p into *v; returns the count (0: none, or more than max). */
static int read_num(const char **p, int max, int *v) {
  int n = 0, x = 0;
  while (is_digit(**p)) {
    if (++n > max) return 0;
    x = x * 10 + (**p - '0');
    (*p)++;
  }
  *v = x;
  return n;
}

int pdate_parse(const char *s, pdate *out, char *err, size_t errlen) {
  if (!s) s = "";
  const char *b = s, *e = s + strlen(s);
  while (b < e && is_blank(*b)) b++;
  while (e > b && is_blank(e[-1])) e--;
  int len = (int)(e - b);
  if (len == 0) {
    say(err, errlen, "Ngày sinh không hợp lệ: ô trống.");
    return -1;
  }
  if (len > 40) {
    say(err, errlen, "Ngày sinh không hợp lệ: quá dài (%d ký tự).", len);
    return -1;
  }
  char t[41];
  memcpy(t, b, (size_t)len);
  t[len] = '\0';

  pdate d = {0, 0, 0};
  const char *p = t;
  int a, na = read_num(&p, 4, &a);
  if (na == 4 && *p == '\0') { /* a year alone */
    d.year = a;
  } else if (na == 4 && *p == '-') { /* ISO yyyy-mm-dd */
    p++;
    int m, dd;
    if (!read_num(&p, 2, &m) || *p != '-') goto malformed;
    p++;
    if (!read_num(&p, 2, &dd) || *p != '\0') goto malformed;
    d = (pdate){a, m, dd};
  } else if (na >= 1 && na <= 2 && (*p == '/' || *p == '-' || *p == '.')) { /* d/m/yyyy */
    char sep = *p++;
    int m, y;
    if (!read_num(&p, 2, &m) || *p != sep) goto malformed;
    p++;
    int ny = read_num(&p, 4, &y);
    if (*p != '\0' || ny == 0) goto malformed;
    if (ny != 4) {
      say(err, errlen, "Ngày sinh không hợp lệ: “%s” (năm phải viết đủ 4 chữ số, ví dụ 05/03/1957).", t);
      return -1;
    }
    d = (pdate){y, m, a};
    if (a == 0 && m == 0) d.month = d.day = 0; /* "00/00/1957": lists' way to write a year alone */
  } else {
    goto malformed;
  }

  if (d.year < 1900) {
    say(err, errlen, "Ngày sinh không hợp lệ: “%s” (năm sinh trước 1900).", t);
    return -1;
  }
  if (d.month != 0 || d.day != 0) {
    if (d.month < 1 || d.month > 12) {
      say(err, errlen, "Ngày sinh không hợp lệ: “%s” (không có tháng %d).", t, d.month);
      return -1;
    }
    if (d.day < 1 || d.day > month_days(d.year, d.month)) {
      if (d.month == 2 && d.day == 29)
        say(err, errlen, "Ngày sinh không hợp lệ: “%s” (năm %d không phải năm nhuận, tháng 2 chỉ có 28 ngày).", t,
            d.year);
      else
        say(err, errlen, "Ngày sinh không hợp lệ: “%s” (tháng %d năm %d chỉ có %d ngày).", t, d.month, d.year,
            month_days(d.year, d.month));
      return -1;
    }
  }
  *out = d;
  say(err, errlen, "%s", "");
  return 0;

malformed:
  say(err, errlen,
      "Ngày sinh không hợp lệ: “%s” (hãy viết ngày/tháng/năm như 05/03/1957, năm-tháng-ngày như 1957-03-05, "
      "hoặc chỉ năm như 1957).",
      t);
  return -1;
}

/* Writes v as exactly w decimal digits (v taken modulo 10^w, made non-negative). */
static char *put_digits(char *o, int v, int w) {
  unsigned u = (unsigned)(v < 0 ? -v : v);
  for (int i = w - 1; i >= 0; i--) {
    o[i] = (char)('0' + u % 10);
    u /= 10;
  }
  return o + w;
}

char *pdate_iso(const pdate *d, char out[static 11]) {
  char *o = put_digits(out, d->year, 4);
  if (d->month != 0) {
    *o++ = '-';
    o = put_digits(o, d->month, 2);
    *o++ = '-';
    o = put_digits(o, d->day, 2);
  }
  *o = '\0';
  return out;
}

char *pdate_vn(const pdate *d, char out[static 11]) {
  char *o = out;
  if (d->month != 0) {
    o = put_digits(o, d->day, 2);
    *o++ = '/';
    o = put_digits(o, d->month, 2);
    *o++ = '/';
  }
  o = put_digits(o, d->year, 4);
  *o = '\0';
  return out;
}

int pdate_cmp(const pdate *a, const pdate *b) {
  if (a->year != b->year) return a->year < b->year ? -1 : 1;
  if (a->month != b->month) return a->month < b->month ? -1 : 1;
  if (a->day != b->day) return a->day < b->day ? -1 : 1;
  return 0;
}

int pdate_age(const pdate *birth, const pdate *ref) {
  /* Partial dates as documented: a birth year alone is 1 January, a ref year alone 31 December. */
  int bm = birth->month ? birth->month : 1, bd = birth->month ? birth->day : 1;
  int rm = ref->month ? ref->month : 12, rd = ref->month ? ref->day : 31;
  int age = ref->year - birth->year;
  if (rm < bm || (rm == bm && rd < bd)) age--;
  return age < 0 ? -1 : age;
}

bool pdate_future(const pdate *d, const pdate *today) {
  if (d->month == 0) return d->year > today->year;
  pdate t = *today;
  if (t.month == 0) t = (pdate){t.year, 12, 31}; /* a year alone: any day of it is not yet future */
  return pdate_cmp(d, &t) > 0;
}

/* Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms). */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static pdate civil_from_days(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = (int)(doy - (153 * mp + 2) / 5 + 1);
  int m = (int)(mp < 10 ? mp + 3 : mp - 9);
  return (pdate){(int)(y + (m <= 2)), m, d};
}

int pdate_from_serial(double serial, bool date1904, pdate *out) {
  if (!isfinite(serial) || serial < 0 || serial > 3000000.0) return -1;
  int64_t n = (int64_t)floor(serial);
  int64_t days;
  if (date1904) {
    days = days_from_civil(1904, 1, 1) + n;
  } else {
    if (n < 1 || n == 60) return -1; /* "0 January 1900" and the fictitious 29/02/1900 */
    /* Serials 1–59 count from 31/12/1899; from 61 on, one more day has been counted by Excel. */
    days = days_from_civil(1899, 12, n < 60 ? 31 : 30) + n;
  }
  pdate d = civil_from_days(days);
  if (!pdate_valid(&d)) return -1;
  *out = d;
  return 0;
}

/* ==== sex ==== */

int person_sex_parse(const char *s) {
  if (!s) return 0;
  /* NFC and case-fold: "NỮ", "Nữ" and "nu\u0303" + ... all become "nữ". */
  utf8proc_uint8_t *f = NULL;
  utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &f,
                                    UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
  if (n < 0) return 0;
  const char *b = (const char *)f, *e = b + n;
  while (b < e && is_blank(*b)) b++;
  while (e > b && is_blank(e[-1])) e--;
  size_t len = (size_t)(e - b);
  int sex = 0;
  static const struct {
    const char *word;
    int sex;
  } words[] = {{"nam", 'M'}, {"m", 'M'}, {"nữ", 'F'}, {"nu", 'F'}, {"f", 'F'}};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strlen(words[i].word) == len && memcmp(words[i].word, b, len) == 0) sex = words[i].sex;
  free(f);
  return sex;
}

const char *person_sex_label(int sex) { return sex == 'M' ? "Nam" : sex == 'F' ? "Nữ" : ""; }

/* ==== phones ==== */

int phone_normalise(const char *s, char *out, size_t outlen) {
  if (out && outlen) out[0] = '\0';
  if (!s || !out || outlen < 12) return -1;
  char d[32];
  size_t n = 0;
  bool plus = false, seen = false;
  for (const char *p = s; *p; p++) {
    char c = *p;
    if (is_digit(c)) {
      if (n + 1 >= sizeof d) return -1;
      d[n++] = c;
      seen = true;
    } else if (c == '+') {
      if (seen || plus) return -1; /* '+' only opens the number */
      plus = true;
    } else if (is_blank(c) || c == '.' || c == '-' || c == '(' || c == ')') {
      continue;
    } else {
      return -1; /* letters, extensions, anything else */
    }
  }
  d[n] = '\0';
  /* rest: the number without its country prefix and trunk 0; zero: whether to put the 0 back */
  const char *rest = d;
  bool zero = false;
  if (plus) {
    if (strncmp(d, "84", 2) != 0) return -1; /* another country's number */
    rest = d + 2;
  } else if (strncmp(d, "0084", 4) == 0) {
    rest = d + 4;
  } else if (strncmp(d, "84", 2) == 0 && (n == 11 || n == 12)) {
    rest = d + 2;
  } else if ((n == 9 && strchr("35789", d[0])) || (n == 10 && d[0] == '2')) {
    zero = true; /* the leading 0 lost in a spreadsheet's numeric cell: "912345678" */
  }
  if (rest != d) {
    if (rest[0] == '0') rest++; /* "+84 (0) 912 …" */
    zero = true;
  }
  size_t m = strlen(rest);
  if (m + (zero ? 2 : 1) > outlen) return -1;
  if (zero) out[0] = '0';
  memcpy(out + (zero ? 1 : 0), rest, m + 1);
  m = strlen(out);
  bool ok = false;
  if (out[0] == '0') {
    if (m == 10 && strchr("35789", out[1])) ok = true;   /* mobile */
    else if (m == 11 && out[1] == '2') ok = true;       /* landline: 02x(x) + subscriber */
  }
  if (!ok) {
    out[0] = '\0';
    return -1;
  }
  return 0;
}

bool phone_is_mobile(const char *national) {
  return national && strlen(national) == 10 && national[0] == '0' && strchr("35789", national[1]);
}

/* ==== CCCD ==== */

int cccd_normalise(const char *s, char out[static 13]) {
  out[0] = '\0';
  if (!s) return -1;
  int n = 0;
  for (const char *p = s; *p; p++) {
    if (is_blank(*p)) continue;
    if (!is_digit(*p) || n == 12) {
      out[0] = '\0';
      return -1;
    }
    out[n++] = *p;
  }
  if (n != 12) {
    out[0] = '\0';
    return -1;
  }
  out[12] = '\0';
  return 0;
}

const char *cccd_province_name(const char code[3]) {
  if (!code) return NULL;
  for (int i = 0; i < cccd_provinces_count; i++)
    if (memcmp(cccd_provinces[i].code, code, 3) == 0) return cccd_provinces[i].name;
  return NULL;
}

/* What a century/sex digit stands for, in words: "nam, sinh từ năm 2000 đến 2099". */
static void digit_meaning(int digit, char *out, size_t n) {
  int from = 1900 + digit / 2 * 100;
  snprintf(out, n, "chữ số %d: %s, sinh từ năm %d đến %d", digit, digit % 2 ? "nữ" : "nam", from, from + 99);
}

cccd_result cccd_check(const char *s, const pdate *birth, int sex, char *msg, size_t msglen) {
  say(msg, msglen, "%s", "");
  char c[13];
  if (cccd_normalise(s, c) != 0) {
    int digits = 0, other = 0;
    for (const char *p = s ? s : ""; *p; p++) {
      if (is_digit(*p)) digits++;
      else if (!is_blank(*p) && ((unsigned char)*p & 0xC0) != 0x80) other++; /* code points, not bytes */
    }
    if (other)
      say(msg, msglen, "Số CCCD chỉ được gồm chữ số (có %d ký tự khác chữ số).", other);
    else
      say(msg, msglen, "Số CCCD phải gồm đúng 12 chữ số (đang có %d chữ số).", digits);
    return CCCD_BAD_FORMAT;
  }
  int digit = c[3] - '0';
  int century = 1900 + digit / 2 * 100; /* first year of the century the digit names */
  int dsex = digit % 2 ? 'F' : 'M';
  int yy = (c[4] - '0') * 10 + (c[5] - '0');
  char meaning[96];
  digit_meaning(digit, meaning, sizeof meaning);
  if (birth && birth->year > 0) {
    int by = birth->year;
    if (by < century || by > century + 99) {
      if (sex == 'M' || sex == 'F')
        say(msg, msglen,
            "Chữ số thế kỷ/giới tính của số CCCD (%d) không khớp với năm sinh %d và giới tính %s (%s).", digit,
            by, person_sex_label(sex), meaning);
      else
        say(msg, msglen, "Chữ số thế kỷ/giới tính của số CCCD (%d) không khớp với năm sinh %d (%s).", digit, by,
            meaning);
      return CCCD_CENTURY_MISMATCH;
    }
  }
  if ((sex == 'M' || sex == 'F') && sex != dsex) {
    say(msg, msglen, "Chữ số thế kỷ/giới tính của số CCCD (%d) không khớp với giới tính %s (%s).", digit,
        person_sex_label(sex), meaning);
    return CCCD_SEX_MISMATCH;
  }
  if (birth && birth->year > 0 && birth->year % 100 != yy) {
    say(msg, msglen, "Chữ số thứ 5–6 của số CCCD (%02d) không khớp với năm sinh %d (phải là %02d).", yy,
        birth->year, birth->year % 100);
    return CCCD_YEAR_MISMATCH;
  }
  if (!cccd_province_name(c)) {
    say(msg, msglen,
        "Mã nơi đăng ký khai sinh %.3s của số CCCD không thuộc 63 mã tỉnh, thành phố; có thể là mã quốc gia "
        "của người đăng ký khai sinh ở nước ngoài — hãy kiểm tra lại.",
        c);
    return CCCD_UNKNOWN_PROVINCE;
  }
  return CCCD_OK;
}

/* ==== names ==== */

int person_name_check(const char *s, char *msg, size_t msglen) {
  say(msg, msglen, "%s", "");
  if (!s) s = "";
  switch (text_name_check(s)) {
    case TEXT_NAME_OK: break;
    case TEXT_NAME_HIDDEN:
      say(msg, msglen, "Họ và tên chứa ký tự ẩn hoặc ký tự điều khiển; hãy gõ lại.");
      return -1;
    case TEXT_NAME_BLANK:
      say(msg, msglen, "Họ và tên không được để trống.");
      return -1;
    case TEXT_NAME_INVALID:
      say(msg, msglen, "Họ và tên không phải văn bản UTF-8 hợp lệ.");
      return -1;
  }
  char *clean = text_clean(s);
  if (!clean) {
    say(msg, msglen, "Không đủ bộ nhớ để kiểm tra họ và tên.");
    return -1;
  }
  size_t count = 0;
  bool digit = false;
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)clean;
  while (*p) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
    if (n <= 0) break; /* text_clean answered valid UTF-8 */
    utf8proc_category_t cat = utf8proc_category(cp);
    if (cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO) digit = true;
    count++;
    p += n;
  }
  free(clean);
  if (digit) {
    say(msg, msglen, "Họ và tên không được chứa chữ số.");
    return -1;
  }
  if (count < PERSON_NAME_MIN) {
    say(msg, msglen, "Họ và tên phải có ít nhất %d ký tự.", PERSON_NAME_MIN);
    return -1;
  }
  if (count > PERSON_NAME_MAX) {
    say(msg, msglen, "Họ và tên dài quá %d ký tự (đang có %zu ký tự).", PERSON_NAME_MAX, count);
    return -1;
  }
  return 0;
}

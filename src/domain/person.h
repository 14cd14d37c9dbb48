/* person.h: the facts about a person as Vietnamese lists write them — date of birth (possibly a
 * year alone), sex, phone number, citizen number (CCCD) and full name — parsed and checked.
 * Owns: nothing; pure functions over their arguments (the province table is constant data).
 * Never: touches a database, reads the clock, or echoes a whole CCCD number in a message (the
 * number is personal data and messages end up in logs and import reports).
 */
#ifndef HOCVUSO_PERSON_H
#define HOCVUSO_PERSON_H

#include <stdbool.h>
#include <stddef.h>

/* ---- dates of birth ---- */

/* A date of birth that may be a year alone: month = day = 0 when only the year is known.
 * A valid pdate has 1900 <= year <= 9999 and either month = day = 0 or a real calendar day. */
typedef struct {
  int year, month, day;
} pdate;

/* Parses what Vietnamese lists write, with surrounding white space:
 *   d/m/yyyy, dd/mm/yyyy, the same with '-' or '.' (one separator kind throughout);
 *   ISO yyyy-mm-dd (month and day of one or two digits);
 *   a year alone, "1957", or "00/00/1957" (lists' way of writing that day and month are unknown).
 * Refused: impossible days (31/02, 29/02 of a non-leap year), two-digit years ("5/3/57"),
 * years before 1900, anything else. 0 on success; -1 with a Vietnamese message in err
 * ("Ngày sinh không hợp lệ: …") otherwise. err may be NULL when errlen is 0. */
int pdate_parse(const char *s, pdate *out, char *err, size_t errlen);
/* Writes "yyyy-mm-dd", or "yyyy" for a year alone; returns out. */
char *pdate_iso(const pdate *d, char out[static 11]);
/* Writes "dd/mm/yyyy", or "yyyy" for a year alone (the way Vietnamese lists print it). */
char *pdate_vn(const pdate *d, char out[static 11]);
/* <0, 0, >0 as a is before, the same as, after b. A year alone sorts before every full date of
 * that year (it is compared as day 0 of month 0). */
int pdate_cmp(const pdate *a, const pdate *b);
/* Full years of age at `ref`; -1 when birth is after ref.
 * Rule for partial dates: a birth known by its year alone has its birthday on 1 January (so the
 * age is ref.year - birth.year); a ref that is a year alone stands for 31 December of that year
 * (the age reached during that year). Someone born on 29 February comes of age on 1 March in
 * common years. */
int pdate_age(const pdate *birth, const pdate *ref);
/* True when d lies after today. A year alone is in the future only when its year is after
 * today's year. */
bool pdate_future(const pdate *d, const pdate *today);
/* True when y is a leap year of the Gregorian calendar. */
bool pdate_leap(int y);
/* True when d is a valid pdate (see above). */
bool pdate_valid(const pdate *d);

/* A spreadsheet's serial day number as a date (any fraction, the time of day, is dropped).
 * date1904 false, the 1900 system of Excel for Windows: 1 = 1900-01-01 … 59 = 1900-02-28,
 * 60 = Excel's fictitious 29/02/1900 (Lotus 1-2-3's leap-year bug), 61 = 1900-03-01.
 * Serial 60 names no real day and is REFUSED (-1), as are 0 ("0 January 1900") and negatives;
 * tools that map 60 somewhere (openpyxl: 28/02/1900) silently invent a date of birth.
 * date1904 true (old Mac workbooks): 0 = 1904-01-01, 1 = 1904-01-02; negatives refused.
 * Dates after 9999-12-31 and NaN are refused too. 0 on success. */
int pdate_from_serial(double serial, bool date1904, pdate *out);

/* ---- sex ---- */

/* 'M' for "Nam" (any case), 'F' for "Nữ" (any case, NFC or NFD, or "Nu" without its mark),
 * 'M'/'F' for "M"/"F" (any case); surrounding white space allowed. 0 for anything else. */
int person_sex_parse(const char *s);
/* "Nam", "Nữ", or "" for 0. */
const char *person_sex_label(int sex);

/* ---- phone numbers ---- */

/* Writes a Vietnamese phone number in national form "0…" (digits only) to out (outlen >= 12).
 * Input may carry spaces, '.', '-', '(' ')' and a country prefix "+84", "0084" or "84"
 * ("+84 (0) 912…" too). Accepted national forms, as numbered since the 2017–2018 plan:
 *   mobile: 10 digits, 0 then 3, 5, 7, 8 or 9 then 8 digits ("0912345678");
 *   landline: 11 digits, 0 + area code starting with 2 (2 or 3 digits: 024 Hà Nội, 0220 Hải
 *   Dương, 0225 Hải Phòng) + subscriber number (8 or 7 digits): "02203123456".
 * A mobile number of 9 digits or a landline of 10 (starting 3/5/7/8/9 or 2) gets its 0 back: a
 * spreadsheet's numeric cell drops it ("912345678" → "0912345678").
 * Anything else is refused: other lengths, letters, 1800/1900 service numbers, a '+' that does
 * not open the number. 0 on success, -1 (and out = "") otherwise. */
int phone_normalise(const char *s, char *out, size_t outlen);
/* True when a national form written by phone_normalise is a mobile number. */
bool phone_is_mobile(const char *national);

/* ---- citizen numbers (số định danh cá nhân / CCCD) ---- */

/* 3 digits: province (or country) of birth registration; 1: century and sex (1900–1999 male 0,
 * female 1; 2000–2099 male 2, female 3; 2100–2199 male 4, female 5; …); 2: birth year mod 100;
 * 6: random. No check digit. */
typedef enum {
  CCCD_OK,
  CCCD_UNKNOWN_PROVINCE, /* a warning: the prefix is none of the 63 province codes; births
                          * registered abroad carry a country code */
  CCCD_BAD_FORMAT,       /* not 12 ASCII digits once spaces are removed */
  CCCD_CENTURY_MISMATCH, /* digit 4's century is not that of the birth year */
  CCCD_SEX_MISMATCH,     /* digit 4's sex is not the person's */
  CCCD_YEAR_MISMATCH     /* digits 5–6 are not the birth year mod 100 */
} cccd_result;

/* Writes the 12 digits of s (spaces removed) and a NUL to out; 0, or -1 when s is not 12 ASCII
 * digits once spaces are removed. */
int cccd_normalise(const char *s, char out[static 13]);
/* Checks s against the birth date (NULL: unknown; a year alone is enough) and sex ('M', 'F',
 * or 0: unknown). Errors outrank the province warning: the first of BAD_FORMAT, CENTURY_MISMATCH,
 * SEX_MISMATCH, YEAR_MISMATCH that applies is returned, else UNKNOWN_PROVINCE, else OK.
 * msg (may be NULL when msglen is 0) gets a Vietnamese sentence naming what disagrees, "" for OK;
 * it never repeats the whole number. */
cccd_result cccd_check(const char *s, const pdate *birth, int sex, char *msg, size_t msglen);
/* The province name for a 3-digit code ("030" → "Hải Dương"), NULL when not one of the 63. */
const char *cccd_province_name(const char code[3]);
/* The 63 codes of Thông tư 07/2016/TT-BCA, Phụ lục 1, in ascending order. */
typedef struct {
  char code[4];
  const char *name;
} cccd_province;
extern const cccd_province cccd_provinces[];
extern const int cccd_provinces_count;

/* ---- names ---- */

#define PERSON_NAME_MIN 2
#define PERSON_NAME_MAX 100
/* Checks a full name (họ và tên): valid UTF-8 without hidden or control characters
 * (text_name_check), 2 to 100 characters (code points of its text_clean form, so NFD input and
 * surrounding spaces do not count double), no digits. 0 when fine; -1 with a Vietnamese message. */
int person_name_check(const char *s, char *msg, size_t msglen);

#endif

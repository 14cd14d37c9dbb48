/* password.c: the strength policy for new passwords (see password.h).
 * Owns: the short list of passwords common in Vietnam below, and the zxcvbn threshold.
 * Never: logs a password, or keeps a copy past the call.
 */
#include "domain/password.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zxcvbn.h>

#include "util/fold.h"
#include "util/utf8.h"

/* Passwords and stems seen again and again in Vietnamese leaks (folded: lower case, no
 * diacritics, no spaces). A stem also refuses itself followed by digits ("matkhau123"). */
static const char *const common_vn[] = {
    "123456", "1234567", "12345678", "123456789", "1234567890", "123123", "111111", "11111111", "000000",
    "00000000", "88888888", "666666", "999999", "147258369", "123456a", "123456aa", "a123456", "abc123",
    "password", "passw0rd", "iloveyou", "qwerty", "qwerty123", "qwertyuiop", "asdfgh", "zxcvbnm",
    "matkhau", "anhyeuem", "emyeuanh", "yeuem", "yeuanh", "anhyeuemnhieu", "iloveu",
    "tinhyeu", "hanhphuc", "vietnam", "vietnam123", "hanoi", "saigon", "hochiminh", "haiphong", "haiduong",
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do", "ho", "ngo",
    "duong", "ly", "admin", "administrator", "quantri", "hocvuso", "hocvien", "giaovien", "congan",
    "phuong", "xinchao", "chaoban", "conmeo", "concho", "bongda", "doremon", "superman", "pikachu",
    "minhanh", "ngoc", "linh", "huong", "trang", "thao", "hung", "dung", "tuan", "long", "nam", "hai",
    "abcd1234", "aa123456", "zzzzzz", "letmein", "welcome",
};

double password_bits(const char *pw) { return ZxcvbnMatch(pw, NULL, NULL); }

/* Letters (a stem, at most 12) followed by a year or a date of birth: "hoang1990", "lan150895". */
static bool name_and_birth(const char *f) {
  size_t i = 0;
  while (f[i] && isalpha((unsigned char)f[i])) i++;
  size_t letters = i, digits = strlen(f + i);
  for (size_t k = i; f[k]; k++)
    if (!isdigit((unsigned char)f[k])) return false;
  if (letters == 0 || letters > 12) return false;
  if (digits == 4) {
    int y = 0;
    for (size_t k = i; k < i + 4; k++) y = y * 10 + (f[k] - '0');
    return y >= 1930 && y <= 2030;
  }
  return digits == 6 || digits == 8;
}

static bool is_common(const char *f) {
  for (size_t k = 0; k < sizeof common_vn / sizeof common_vn[0]; k++) {
    size_t n = strlen(common_vn[k]);
    if (strncmp(f, common_vn[k], n) != 0) continue;
    const char *rest = f + n;
    while (*rest && isdigit((unsigned char)*rest)) rest++;
    if (!*rest) return true;
  }
  return false;
}

int password_check(const char *pw, const char *field, const char *username, const char *display_name, app_err *e) {
  size_t n = utf8_length(pw, strlen(pw));
  if (n < PASSWORD_MIN) return app_add(e, 400, "invalid_value", field, "Mật khẩu phải có ít nhất 8 ký tự.");
  if (n > PASSWORD_MAX) return app_add(e, 400, "invalid_value", field, "Mật khẩu không được dài quá 128 ký tự.");
  /* Fold (lower case, no diacritics) and drop spaces: "Hoàng 1990" is "hoang1990"; then keep
   * letters and digits only for the list: "Mật-Khẩu 123" is "matkhau123". */
  char *folded = text_fold(pw);
  if (!folded) return APP_INTERNAL(e);
  size_t w = 0;
  for (size_t r = 0; folded[r]; r++)
    if (folded[r] != ' ') folded[w++] = folded[r];
  folded[w] = '\0';
  bool common = name_and_birth(folded);
  w = 0;
  for (size_t r = 0; folded[r]; r++)
    if (isalnum((unsigned char)folded[r])) folded[w++] = folded[r];
  folded[w] = '\0';
  common = common || w == 0 || is_common(folded);
  free(folded);
  if (common)
    return app_add(e, 400, "weak_password", field,
                   "Mật khẩu này quá phổ biến, rất dễ bị đoán. Hãy ghép vài từ không liên quan, thêm số hoặc ký hiệu.");
  const char *dict[3] = {username, display_name, NULL};
  if (!username) {
    dict[0] = display_name;
    dict[1] = NULL;
  }
  double bits = ZxcvbnMatch(pw, dict, NULL);
  if (bits < PASSWORD_MIN_BITS)
    return app_add(e, 400, "weak_password", field,
                   "Mật khẩu quá dễ đoán (ví dụ dãy số, từ thông dụng, tên đăng nhập hay họ tên). Hãy dùng mật khẩu dài hơn, "
                   "ghép vài từ và thêm số hoặc ký hiệu.");
  return 0;
}

/* movement.c: the shared checks of movement.h. Reads people (a live row) and nothing else. */
#include "domain/movement.h"

#include <stdlib.h>
#include <string.h>

#include "domain/person.h"
#include "util/fold.h"
#include "util/utf8.h"

STORE_SQL(q_live, "SELECT 1 FROM people WHERE id = ? AND deleted_at IS NULL");

int movement_date(const char *s, int64_t today_key, bool future_ok, int64_t *key, const char **why) {
  pdate d;
  bool blank = true;
  for (const char *p = s; p && *p && blank; p++) blank = *p == ' ' || *p == '\t';
  if (blank) {
    *why = "Thiếu ngày (dd/mm/yyyy hoặc yyyy-mm-dd).";
    return -1;
  }
  if (pdate_parse(s, &d, NULL, 0) != 0 || d.month == 0) {
    *why = "Ngày không hợp lệ: ghi dd/mm/yyyy (ví dụ 10/10/2025) hoặc yyyy-mm-dd.";
    return -1;
  }
  int64_t k = (int64_t)d.year * 10000 + d.month * 100 + d.day;
  if (!future_ok && k > today_key) {
    *why = "Ngày ở tương lai: chỉ ghi nhận việc đã làm.";
    return -1;
  }
  if (d.year < 2000 || d.year > 2100) {
    *why = "Ngày phải trong khoảng năm 2000 đến 2100.";
    return -1;
  }
  *key = k;
  return 0;
}

char *movement_date_iso(int64_t key, char out[static 11]) {
  unsigned y = (unsigned)(key / 10000 % 10000), m = (unsigned)(key / 100 % 100), d = (unsigned)(key % 100);
  out[0] = (char)('0' + y / 1000), out[1] = (char)('0' + y / 100 % 10), out[2] = (char)('0' + y / 10 % 10);
  out[3] = (char)('0' + y % 10), out[4] = '-', out[5] = (char)('0' + m / 10 % 10), out[6] = (char)('0' + m % 10);
  out[7] = '-', out[8] = (char)('0' + d / 10 % 10), out[9] = (char)('0' + d % 10), out[10] = '\0';
  return out;
}

int movement_person_live(store_conn *c, int64_t person_id, app_err *e) {
  store_stmt *s = store_prepare(c, &q_live);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy người này.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

int movement_text(const char *s, size_t max, bool required, char **out, const char **why) {
  *out = NULL;
  if (s && text_name_check(s) == TEXT_NAME_HIDDEN) {
    *why = "Văn bản có ký tự ẩn hoặc ký tự điều khiển.";
    return -1;
  }
  char *c = s ? text_clean(s) : NULL;
  if (s && !c) {
    *why = "Văn bản không hợp lệ (không phải UTF-8).";
    return -1;
  }
  if (!c || !*c) {
    free(c);
    if (required) {
      *why = "Trường này không được để trống.";
      return -1;
    }
    return 0;
  }
  if (utf8_length(c, strlen(c)) > max) {
    free(c);
    *why = "Văn bản quá dài.";
    return -1;
  }
  *out = c;
  return 0;
}

int movement_rows(store_conn *c, const store_sql *q, int64_t id, json_t *(*row)(store_stmt *), json_t **out,
                  app_err *e) {
  *out = json_array();
  store_stmt *s = *out ? store_prepare(c, q) : NULL;
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) json_array_append_new(*out, row(s));
  store_reset(s);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

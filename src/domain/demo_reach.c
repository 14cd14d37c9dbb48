/* demo_reach.c: the demo ward's Đại sứ số under way (issue 9, part 2): in the first tổ dân phố
 * that have residents, three mentors each, guiding 6, 4 and 2 people (the last two short of the
 * plan's 5), with guidance sessions over the last weeks and one assignment ended and given to
 * another mentor; two helpers at the service centre with the residents they helped this month.
 * Everything goes through ambassadors.c, in one transaction; deterministic (people are chosen by
 * id); run again, it adds nothing. Never touches a ward without residents (then it does nothing).
 * With residents, the demo's police account (congan, granted on the police unit) is also granted the
 * police role on the ward: the ward's police keep the residence register of the whole ward, and the
 * VNeID figures per tổ dân phố are theirs (vneid.h). The tests' demo (no residents) keeps congan on
 * the police unit alone.
 */
#include <stdio.h>
#include <string.h>

#include "domain/ambassadors.h"
#include "domain/demo.h"
#include "domain/groups.h"
#include "domain/units.h"
#include "domain/users.h"

STORE_SQL(q_any, "SELECT COUNT(*) FROM ambassadors");
STORE_SQL(q_groups, "SELECT u.id FROM units u WHERE u.kind = 'residential_group' AND EXISTS (SELECT 1 FROM people p"
                    " WHERE p.unit_id = u.id AND p.deleted_at IS NULL) ORDER BY u.id LIMIT ?");
/* People of a tổ born between two years, in id order, from an offset. */
STORE_SQL(q_people, "SELECT p.id FROM people p WHERE p.unit_id = ? AND p.deleted_at IS NULL AND p.birth_year BETWEEN ? AND ?"
                    " ORDER BY p.id LIMIT ? OFFSET ?");

#define DEMO_TDP 8
#define MAX_PICK 32

static const char *const TOPICS[] = {
    "Kích hoạt tài khoản định danh điện tử VNeID mức 2",
    "Cài đặt và dùng ứng dụng ngân hàng, thanh toán bằng mã QR",
    "Nhận biết tin nhắn, cuộc gọi lừa đảo trên mạng",
    "Nộp hồ sơ trực tuyến trên Cổng dịch vụ công quốc gia",
    "Gọi video với con cháu qua Zalo",
    "Tra cứu thông tin y tế, đặt lịch khám bệnh trực tuyến",
    "Dùng trợ lý AI để hỏi đáp, tìm thông tin",
};
static const char *const HELPS[] = {
    "Nộp hồ sơ đăng ký khai sinh trực tuyến",
    "Đăng ký thường trú trên Cổng dịch vụ công",
    "Thanh toán lệ phí bằng mã QR",
    "Cấp lại giấy xác nhận tình trạng hôn nhân trực tuyến",
    "Tích hợp giấy phép lái xe vào VNeID",
};

static int pick(store_conn *w, int64_t unit, int from_year, int to_year, int limit, int offset, int64_t *out) {
  store_stmt *s = store_prepare(w, &q_people);
  if (!s) return -1;
  store_bind_int(s, 1, unit);
  store_bind_int(s, 2, from_year);
  store_bind_int(s, 3, to_year);
  store_bind_int(s, 4, limit);
  store_bind_int(s, 5, offset);
  int n = 0, rc;
  while ((rc = store_step(s)) == STORE_ROW && n < limit) out[n++] = store_col_int(s, 0);
  store_reset(s);
  return rc == STORE_DONE || rc == STORE_ROW ? n : -1;
}

static void date_text(int64_t epoch, char out[16]) {
  int64_t k = groups_date_key(epoch);
  snprintf(out, 16, "%04d-%02d-%02d", (int)(k / 10000), (int)(k / 100 % 100), (int)(k % 100));
}

/* One tổ: three mentors guiding 6, 4 and 2 people, sessions, one assignment moved. */
static int fill_group(store_conn *w, int64_t unit, int year, int64_t by, int64_t now, int *mentors, int *mentees,
                      int *sessions, app_err *e) {
  int64_t mentor_people[3], mentee_people[MAX_PICK];
  int nm = pick(w, unit, year - 50, year - 22, 3, 0, mentor_people);
  int ne = pick(w, unit, 1900, year - 55, 13, 0, mentee_people);
  if (nm < 0 || ne < 0) return APP_INTERNAL(e);
  static const int wants[3] = {6, 4, 2};
  int next = 0;
  int64_t first_ms = 0, last_mentor = 0;
  for (int i = 0; i < nm; i++) {
    int64_t amb = 0, started = now - (int64_t)(60 + 10 * i) * 86400;
    if (ambassadors_create(w, mentor_people[i], unit, AMB_MENTOR, by, started, &amb, e) != 0) return -1;
    (*mentors)++;
    last_mentor = amb;
    for (int k = 0; k < wants[i] && next < ne; k++, next++) {
      int64_t ms = 0, u = 0;
      if (mentorships_create(w, mentee_people[next], amb, by, started + k * 86400, &ms, &u, e) != 0) return -1;
      (*mentees)++;
      if (!first_ms) first_ms = ms;
      int nsess = 1 + (int)((mentee_people[next] + k) % 3);
      for (int j = 0; j < nsess; j++) {
        char day[16];
        int64_t sid = 0;
        date_text(now - (int64_t)(3 + 9 * j + (mentee_people[next] % 5)) * 86400, day);
        const char *topic = TOPICS[(mentee_people[next] + j) % (sizeof TOPICS / sizeof TOPICS[0])];
        if (mentorships_log_session(w, ms, day, topic, by, now, &sid, NULL, NULL, e) != 0) return -1;
        (*sessions)++;
      }
    }
  }
  /* History: the first mentee moved to the last mentor a week ago. */
  if (first_ms && last_mentor) {
    int64_t mentee = 0, u = 0, ms = 0;
    if (mentorships_end(w, first_ms, by, now - 7 * 86400, &mentee, &u, e) != 0 ||
        mentorships_create(w, mentee, last_mentor, by, now - 7 * 86400, &ms, &u, e) != 0)
      return -1;
  }
  return 0;
}

int demo_reach(store *st, int64_t now, FILE *out, char *err, size_t errlen) {
  store_conn *w = store_acquire_timed(st, true, 30000, NULL);
  if (!w) {
    snprintf(err, errlen, "the database cannot be written to");
    return -1;
  }
  app_err e = {0};
  int rc = store_begin(w) == STORE_OK ? 0 : -1;
  store_stmt *s = rc == 0 ? store_prepare(w, &q_any) : NULL;
  int64_t existing = -1;
  if (s) {
    if (store_step(s) == STORE_ROW) existing = store_col_int(s, 0);
    store_reset(s);
  }
  if (existing < 0) rc = -1;
  int mentors = 0, mentees = 0, sessions = 0, helpers = 0, helps = 0;
  int year = (int)(groups_date_key(now) / 10000);
  int64_t by = rc == 0 ? users_find(w, "tinhnguyen") : 0;
  int64_t groups[DEMO_TDP];
  int ng = 0;
  if (rc == 0 && existing == 0 && (s = store_prepare(w, &q_groups)) != NULL) {
    store_bind_int(s, 1, DEMO_TDP);
    while (store_step(s) == STORE_ROW && ng < DEMO_TDP) groups[ng++] = store_col_int(s, 0);
    store_reset(s);
  }
  for (int g = 0; rc == 0 && g < ng; g++)
    rc = fill_group(w, groups[g], year, by > 0 ? by : 0, now, &mentors, &mentees, &sessions, &e);
  int64_t police = rc == 0 && ng ? users_find(w, "congan") : 0, ward = police > 0 ? units_find(w, "HP-HD") : 0;
  if (police > 0 && ward > 0) {
    int64_t gid = 0;
    app_err ge = {0};
    if (roles_revoke_by(w, police, "police", ward, &ge) != 0 && ge.status != 404) rc = -1;
    if (rc == 0 && roles_grant(w, police, "police", ward, 0, &gid, &e) != 0) rc = -1;
  }
  int64_t centre = rc == 0 && ng ? units_find(w, "HD-TTHCC") : 0;
  if (centre > 0) {
    int64_t helper_people[2], residents[MAX_PICK];
    int nh = pick(w, groups[0], year - 40, year - 20, 2, 3, helper_people);
    int nr = ng > 1 ? pick(w, groups[1], 1900, year - 18, 24, 20, residents) : 0;
    if (nh < 0 || nr < 0) rc = -1;
    int64_t admin = users_find(w, "admin");
    for (int i = 0; rc == 0 && i < nh; i++) {
      int64_t amb = 0;
      if (ambassadors_create(w, helper_people[i], centre, AMB_SERVICE_HELPER, admin > 0 ? admin : 0, now - 45 * 86400,
                             &amb, &e) != 0) {
        rc = -1;
        break;
      }
      helpers++;
      for (int k = i; rc == 0 && k < nr; k += 2) {
        char day[16];
        int64_t hid = 0;
        date_text(now - (int64_t)(1 + k) * 86400, day);
        if (ambassadors_log_help(w, amb, residents[k], day, HELPS[k % (sizeof HELPS / sizeof HELPS[0])],
                                 admin > 0 ? admin : 0, now, &hid, NULL, &e) != 0)
          rc = -1;
        else
          helps++;
      }
    }
  }
  if (rc == 0 && store_commit(w) != STORE_OK) rc = -1;
  if (rc != 0) {
    snprintf(err, errlen, "demo Đại sứ số: %s (%s)", e.message ? e.message : "error", store_errmsg(w));
    if (store_in_transaction(w)) store_rollback(w);
  }
  store_release(w);
  if (rc == 0 && mentors)
    fprintf(out, "Đại sứ số: %d mentors guiding %d people (%d guidance sessions); %d helpers at the service centre "
            "(%d residents helped); congan also holds the police role on the ward (VNeID coverage)\n", mentors, mentees,
            sessions, helpers, helps);
  return rc;
}

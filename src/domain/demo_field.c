/* demo_field.c: the demo ward's community digital teams (field.h, demo_field): a team per tổ dân
 * phố, its first adults as members (the second tổ's team with one who has left), and door-to-door visits to about a third of the households of
 * the first five tổ over the last eight weeks; help requests in the first three tổ that have households (one from the
 * public form, one by phone taken by the helper, one at the desk overdue, one closed with a visit).
 * Deterministic (chosen by id); run again, it adds nothing. Never touches the registry itself. */
#include <stdio.h>
#include <string.h>

#include "domain/field.h"
#include "domain/helpreq.h"
#include "domain/units.h"
#include "domain/users.h"

STORE_SQL(q_groups, "SELECT u.id, u.name FROM units u JOIN units w ON w.id = u.parent_id"
                    " WHERE w.code = 'HP-HD' AND u.kind = 'residential_group' ORDER BY u.id");
STORE_SQL(q_team_of, "SELECT id FROM field_teams WHERE unit_id = ?");
STORE_SQL(q_adults, "SELECT p.id FROM people p WHERE p.unit_id = ? AND p.deleted_at IS NULL"
                    " AND p.household_id IS NOT NULL AND p.birth_year BETWEEN 1965 AND 2000 ORDER BY p.id LIMIT 5");
STORE_SQL(q_any_visit, "SELECT 1 FROM field_visits LIMIT 1");
STORE_SQL(q_households, "SELECT h.id, (SELECT MIN(p.id) FROM people p WHERE p.household_id = h.id"
                        " AND p.deleted_at IS NULL AND p.birth_year <= 2007) FROM households h"
                        " WHERE h.unit_id = ? AND h.deleted_at IS NULL AND (h.id * 7919 + 13) % 100 < 35"
                        " ORDER BY h.id LIMIT 400");

#define DEMO_TEAMS_MAX 400

int demo_field(store *st, int64_t now, int64_t *added, char *err, size_t errlen) {
  *added = 0;
  store_conn *w = store_acquire_timed(st, true, 30000, NULL);
  if (!w) {
    snprintf(err, errlen, "the database cannot be written to");
    return -1;
  }
  app_err e = {0};
  int64_t units[DEMO_TEAMS_MAX];
  char names[DEMO_TEAMS_MAX][120];
  int n = 0, rc = store_begin(w) == STORE_OK ? 0 : -1;
  store_stmt *s = rc == 0 ? store_prepare(w, &q_groups) : NULL;
  if (!s) rc = -1;
  int src = STORE_DONE;
  while (rc == 0 && n < DEMO_TEAMS_MAX && (src = store_step(s)) == STORE_ROW) {
    units[n] = store_col_int(s, 0);
    snprintf(names[n], sizeof names[n], "Tổ công nghệ số cộng đồng, %s", store_col_text(s, 1));
    n++;
  }
  if (s) store_reset(s);
  if (src != STORE_ROW && src != STORE_DONE) rc = -1;
  int64_t helper = rc == 0 ? users_find(w, "tinhnguyen") : 0, admin = rc == 0 ? users_find(w, "admin") : 0;
  for (int i = 0; rc == 0 && i < n; i++) {
    int64_t team = 0;
    if (!(s = store_prepare(w, &q_team_of))) {
      rc = -1;
      break;
    }
    store_bind_int(s, 1, units[i]);
    src = store_step(s);
    if (src == STORE_ROW) team = store_col_int(s, 0);
    store_reset(s);
    if (src == STORE_ROW) continue; /* made before */
    if (src != STORE_DONE || field_teams_create(w, units[i], names[i], admin, now, &team, &e) != 0) {
      rc = -1;
      break;
    }
    /* The second tổ's team also had a fifth member who has left it (its history shows them). */
    int64_t people[5];
    int np = 0, want = i == 1 ? 5 : 4;
    if (!(s = store_prepare(w, &q_adults))) {
      rc = -1;
      break;
    }
    store_bind_int(s, 1, units[i]);
    while (np < want && (src = store_step(s)) == STORE_ROW) people[np++] = store_col_int(s, 0);
    store_reset(s);
    for (int k = 0; rc == 0 && k < np; k++) {
      bool created = false;
      if (field_team_add_member(w, team, people[k], k == 0 ? "leader" : "member", admin, now, &created, &e) != 0) rc = -1;
    }
    if (rc == 0 && np == 5 && field_team_remove_member(w, team, people[4], admin, now, &e) != 0) rc = -1;
  }
  /* Visits, once: the first five tổ, a third of their households. */
  if (rc == 0 && (s = store_prepare(w, &q_any_visit))) {
    src = store_step(s);
    store_reset(s);
    if (src == STORE_ROW) n = 0;
    else if (src != STORE_DONE) rc = -1;
  } else {
    rc = -1;
  }
  static const char *const topics[] = {"smartphone", "vneid", "public_services", "cashless", "scam_awareness",
                                       "ai", "ecommerce"};
  static const char *const outcomes[] = {"vneid_level2", "public_service_online", "course_enrolled", "cashless_setup",
                                         "smartphone_basics", "scam_aware", "needs_followup", "declined"};
  for (int i = 0; rc == 0 && i < n && i < 5; i++) {
    int64_t hh[400], first[400];
    int nh = 0;
    if (!(s = store_prepare(w, &q_households))) {
      rc = -1;
      break;
    }
    store_bind_int(s, 1, units[i]);
    while (nh < 400 && (src = store_step(s)) == STORE_ROW) {
      hh[nh] = store_col_int(s, 0);
      first[nh] = store_col_is_null(s, 1) ? 0 : store_col_int(s, 1);
      nh++;
    }
    store_reset(s);
    for (int k = 0; rc == 0 && k < nh; k++) {
      uint64_t h = (uint64_t)hh[k];
      json_t *tl = json_pack("[s]", topics[h % 7]);
      if (h % 3 == 0) json_array_append_new(tl, json_string(topics[(h / 7 + 1) % 7]));
      json_t *present = json_array();
      if (first[k])
        json_array_append_new(present, json_pack("{s:I, s:[s]}", "person_id", (json_int_t)first[k], "outcomes",
                                                 outcomes[(h / 3) % 8]));
      char day[16];
      int64_t t = now - (int64_t)(h % 56) * 86400;
      int64_t key = groups_date_key(t);
      snprintf(day, sizeof day, "%04d-%02d-%02d", (int)(key / 10000), (int)(key / 100 % 100), (int)(key % 100));
      field_visit_input in = {.visited_on = day, .topics = tl, .present = present};
      field_visit_saved v;
      if (field_visit_record(w, hh[k], &in, i == 0 && helper > 0 ? helper : admin, NULL, t, &v, NULL, &e) != 0) rc = -1;
      else (*added)++;
      field_visit_saved_free(&v);
      json_decref(tl);
      json_decref(present);
    }
  }
  /* Help requests, once (with the visits): the first three tổ. */
  static const struct {
    const char *channel, *relation, *name, *resident, *topic, *text;
    int64_t age; /* seconds before now */
    int state;   /* 0 open, 1 taken, 2 done */
  } reqs[] = {
      {"web", "relative", "Nguyễn Văn Hải", "Nguyễn Thị Lành", "vneid", "Nhờ kích hoạt VNeID mức 2 cho mẹ tôi, mẹ đã 72 tuổi.", 3600, 0},
      {"phone", "self", "Trần Thị Mai", NULL, "cashless", "Cài đặt thanh toán bằng mã QR cho sạp rau ở chợ.", 86400, 1},
      {"desk", "desk", "Cán bộ Trung tâm phục vụ hành chính công", "Phạm Văn Sáu", "public_services",
       "Ông Sáu cần hướng dẫn nộp hồ sơ cấp đổi giấy phép lái xe trực tuyến.", 5 * 86400, 0},
      {"phone", "relative", "Lê Thị Hằng", "Lê Văn Tư", "scam_awareness", "Bố tôi hay nhận cuộc gọi lạ, nhờ hướng dẫn cách phòng lừa đảo.", 2 * 86400, 2},
  };
  for (int i = 0; rc == 0 && i < n && i < 3; i++) {
    /* Only where people live (a ward loaded without residents has no households to visit). */
    if (!(s = store_prepare(w, &q_households))) {
      rc = -1;
      break;
    }
    store_bind_int(s, 1, units[i]);
    src = store_step(s);
    store_reset(s);
    if (src != STORE_ROW) continue;
    for (size_t k = 0; rc == 0 && k < sizeof reqs / sizeof reqs[0]; k++) {
      helpreq_input hin = {.unit_id = units[i], .channel = reqs[k].channel, .relation = reqs[k].relation,
                           .requester_name = reqs[k].name, .phone = "0912345678", .resident_name = reqs[k].resident,
                           .topic = reqs[k].topic, .description = reqs[k].text};
      int64_t rid = 0, t = now - reqs[k].age;
      if (helpreq_create(w, &hin, strcmp(reqs[k].channel, "web") == 0 ? 0 : admin, t, &rid, &e) != 0) {
        rc = -1;
        break;
      }
      int64_t who = i == 0 && helper > 0 ? helper : admin;
      if (reqs[k].state >= 1 && helpreq_take(w, rid, who, t + 1800, &e) != 0) rc = -1;
      if (rc == 0 && reqs[k].state == 2) {
        /* the visit that recorded its outcome: to the tổ's first household, today */
        if (!(s = store_prepare(w, &q_households))) {
          rc = -1;
          break;
        }
        store_bind_int(s, 1, units[i]);
        int64_t hh = (src = store_step(s)) == STORE_ROW ? store_col_int(s, 0) : 0;
        store_reset(s);
        if (!hh) continue; /* a tổ without households: the request stays taken */
        json_t *tl = json_pack("[s]", "scam_awareness"), *present = json_array();
        field_visit_input vin = {.topics = tl, .present = present};
        field_visit_saved v;
        if (field_visit_record(w, hh, &vin, who, NULL, now, &v, NULL, &e) != 0 ||
            helpreq_done(w, rid, v.id, who, now, &e) != 0)
          rc = -1;
        else
          (*added)++;
        field_visit_saved_free(&v);
        json_decref(tl);
        json_decref(present);
      }
    }
  }
  if (rc == 0 && store_commit(w) != STORE_OK) rc = -1;
  if (rc != 0) {
    snprintf(err, errlen, "demo field teams: %s (%s)", e.message ? e.message : "error", store_errmsg(w));
    if (store_in_transaction(w)) store_rollback(w);
  }
  store_release(w);
  return rc;
}

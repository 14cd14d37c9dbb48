/* events.c: events and their participation (see events.h). Only this file writes SQL about
 * events, event_activities and event_participants; people and units are read, never changed. */
#include "domain/events.h"
#include "domain/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/groups.h"
#include "domain/movement.h"
#include "util/clock.h"

/* ---- statements ---- */
STORE_SQL(q_insert, "INSERT INTO events (title, held_on, place, unit_id, head_count, created_by, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_update, "UPDATE events SET title = COALESCE(?, title), held_on = COALESCE(?, held_on),"
                    " place = COALESCE(?, place), head_count = COALESCE(?, head_count), updated_at = ? WHERE id = ?");
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");
STORE_SQL(q_reach, "SELECT e.unit_id, u.path FROM events e JOIN units u ON u.id = e.unit_id WHERE e.id = ?");
/* Registered residents who took part (attended); those signed up ahead are counted apart. */
#define REGISTERED(ev)                                                                                    \
  "(SELECT COUNT(*) FROM event_participants ep JOIN people p ON p.id = ep.person_id WHERE ep.event_id = " ev \
  " AND ep.status = 'attended' AND p.deleted_at IS NULL)"
#define SIGNED_UP(ev)                                                                                     \
  "(SELECT COUNT(*) FROM event_participants ep JOIN people p ON p.id = ep.person_id WHERE ep.event_id = " ev \
  " AND ep.status = 'registered' AND p.deleted_at IS NULL)"
STORE_SQL(q_get, "SELECT e.id, e.title, e.held_on, e.place, e.unit_id, u.name, e.head_count, " REGISTERED("e.id")
                 ", rb.display_name, e.created_at, " SIGNED_UP("e.id") " FROM events e JOIN units u ON u.id = e.unit_id"
                 " LEFT JOIN users rb ON rb.id = e.created_by WHERE e.id = ?");
STORE_SQL(q_activities, "SELECT id, title FROM event_activities WHERE event_id = ? ORDER BY id");
STORE_SQL(q_participants, "SELECT p.id, p.full_name, u.name, ep.status FROM event_participants ep JOIN people p ON p.id = ep.person_id"
                          " JOIN units u ON u.id = p.unit_id WHERE ep.event_id = ? AND p.deleted_at IS NULL"
                          " ORDER BY p.name_key, p.id LIMIT ?");
#define LIST_WHERE                                                                                       \
  " FROM events e JOIN units u ON u.id = e.unit_id WHERE " SCOPE_IN("u.path")                             \
  " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?))"
STORE_SQL(q_list, SCOPE_WITH "SELECT e.id, e.title, e.held_on, e.place, e.unit_id, u.name, e.head_count, "
                             REGISTERED("e.id") ", (SELECT COUNT(*) FROM event_activities a WHERE a.event_id = e.id)"
                             LIST_WHERE " ORDER BY e.held_on DESC, e.id DESC LIMIT ? OFFSET ?");
STORE_SQL(q_count, SCOPE_WITH "SELECT COUNT(*)" LIST_WHERE);
STORE_SQL(q_activity_add, "INSERT INTO event_activities (event_id, title, created_by, created_at) VALUES (?, ?, ?, ?)"
                          " RETURNING id");
STORE_SQL(q_participant_add, "INSERT INTO event_participants (event_id, person_id, recorded_by, created_at, status)"
                             " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
/* Someone signed up ahead came: attended now (never back to signed up). */
STORE_SQL(q_participant_attend, "UPDATE event_participants SET status = 'attended', recorded_by = ?, created_at = ?"
                                " WHERE event_id = ? AND person_id = ? AND status = 'registered'");
STORE_SQL(q_held_on, "SELECT held_on FROM events WHERE id = ?");

static int step_done(store_stmt *s) {
  int rc = store_step(s);
  store_reset(s);
  return rc;
}

static json_t *day_json(int64_t key) {
  char d[11];
  return json_string(movement_date_iso(key, d));
}

/* The input checked and cleaned: *title and *place new strings (NULL when not given), *day 0 when
 * not given. `create`: title, held_on and place are required. */
static int check_input(const event_input *in, bool create, char **title, char **place, int64_t *day, app_err *e) {
  const char *why = NULL;
  *title = *place = NULL;
  *day = 0;
  if ((create || in->title) && movement_text(in->title, EVENT_TITLE_MAX, true, title, &why) != 0)
    return app_fail(e, 400, "invalid_value", "title", why);
  if ((create || in->held_on) && movement_date(in->held_on, 0, true, day, &why) != 0) {
    free(*title);
    *title = NULL;
    return app_fail(e, 400, "invalid_value", "held_on", why);
  }
  if ((create || in->place) && movement_text(in->place, EVENT_PLACE_MAX, true, place, &why) != 0) {
    free(*title);
    *title = NULL;
    return app_fail(e, 400, "invalid_value", "place", why);
  }
  if (in->head_count > EVENT_HEAD_COUNT_MAX || in->head_count < -1) {
    free(*title);
    free(*place);
    *title = *place = NULL;
    return app_fail(e, 400, "invalid_value", "head_count", "Số người tham dự chưa đăng ký phải từ 0 đến 1.000.000.");
  }
  return 0;
}

int events_create(store_conn *w, int64_t unit_id, const event_input *in, int64_t by_user, int64_t now, int64_t *id,
                  app_err *e) {
  char *title = NULL, *place = NULL;
  int64_t day = 0;
  if (check_input(in, true, &title, &place, &day, e) != 0) return -1;
  int ret = -1;
  store_stmt *u = store_prepare(w, &q_unit_path);
  if (!u) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(u, 1, unit_id);
  int rc = step_done(u);
  if (rc != STORE_ROW) {
    if (rc == STORE_DONE) app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
    else APP_INTERNAL(e);
    goto out;
  }
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_text(s, 1, title);
  store_bind_int(s, 2, day);
  store_bind_text(s, 3, place);
  store_bind_int(s, 4, unit_id);
  store_bind_int(s, 5, in->head_count > 0 ? in->head_count : 0);
  store_bind_id(s, 6, by_user);
  store_bind_int(s, 7, now);
  store_bind_int(s, 8, now);
  if (store_insert_id(s, id) != STORE_DONE) {
    APP_INTERNAL(e);
    goto out;
  }
  ret = 0;
out:
  free(title);
  free(place);
  return ret;
}

int events_update(store_conn *w, int64_t id, const event_input *in, int64_t now, app_err *e) {
  char *title = NULL, *place = NULL;
  int64_t day = 0;
  if (check_input(in, false, &title, &place, &day, e) != 0) return -1;
  store_stmt *s = store_prepare(w, &q_update);
  int rc = STORE_ERROR;
  if (s) {
    store_bind_text(s, 1, title);
    if (day) store_bind_int(s, 2, day); else store_bind_null(s, 2);
    store_bind_text(s, 3, place);
    if (in->head_count >= 0) store_bind_int(s, 4, in->head_count); else store_bind_null(s, 4);
    store_bind_int(s, 5, now);
    store_bind_int(s, 6, id);
    rc = step_done(s);
  }
  free(title);
  free(place);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int events_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e) {
  return scope_reach(c, &q_reach, id, a, unit_id, path, "Không tìm thấy sự kiện này.", e);
}

int events_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  *out = NULL;
  json_t *o = NULL, *acts = json_array(), *people = json_array();
  int ret = -1;
  store_stmt *s = acts && people ? store_prepare(c, &q_get) : NULL;
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    char iso[32];
    clock_iso8601(store_col_int(s, 9), iso, sizeof iso);
    int64_t head = store_col_int(s, 6), reg = store_col_int(s, 7);
    o = json_pack("{s:I, s:s, s:o, s:s, s:I, s:s, s:I, s:I, s:I, s:o, s:s}", "id", (json_int_t)store_col_int(s, 0),
                  "title", store_col_text(s, 1), "held_on", day_json(store_col_int(s, 2)), "place", store_col_text(s, 3),
                  "unit_id", (json_int_t)store_col_int(s, 4), "unit_name", store_col_text(s, 5), "head_count",
                  (json_int_t)head, "registered", (json_int_t)reg, "total", (json_int_t)(head + reg), "created_by",
                  store_col_is_null(s, 8) ? json_null() : json_string(store_col_text(s, 8)), "created_at", iso);
    if (o) json_object_set_new(o, "signed_up", json_integer(store_col_int(s, 10)));
  }
  store_reset(s);
  if (rc == STORE_DONE) {
    app_fail(e, 404, "not_found", "id", "Không tìm thấy sự kiện này.");
    goto out;
  }
  if (rc != STORE_ROW || !o) {
    APP_INTERNAL(e);
    goto out;
  }
  s = store_prepare(c, &q_activities);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(s, 1, id);
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(acts, json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(s, 0), "title", store_col_text(s, 1)));
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto out;
  }
  s = store_prepare(c, &q_participants);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(s, 1, id);
  store_bind_int(s, 2, EVENT_PARTICIPANTS_SHOWN);
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(people, json_pack("{s:I, s:s, s:s, s:s}", "person_id", (json_int_t)store_col_int(s, 0),
                                            "full_name", store_col_text(s, 1), "unit_name", store_col_text(s, 2),
                                            "status", store_col_text(s, 3)));
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto out;
  }
  json_object_set(o, "activities", acts);
  json_object_set(o, "participants", people);
  *out = o;
  o = NULL;
  ret = 0;
out:
  json_decref(o);
  json_decref(acts);
  json_decref(people);
  return ret;
}

int events_list(store_conn *c, const scope_sql *scope, const event_query *q, json_t **items, int64_t *total,
                app_err *e) {
  *items = NULL;
  *total = 0;
  arena a;
  arena_init(&a);
  int ret = -1;
  json_t *arr = json_array();
  const char *path = NULL, *hi = NULL;
  if (q->unit_id) {
    store_stmt *p = store_prepare(c, &q_unit_path);
    if (!p) {
      APP_INTERNAL(e);
      goto out;
    }
    store_bind_int(p, 1, q->unit_id);
    int rc = store_step(p);
    path = rc == STORE_ROW ? arena_strdup(&a, store_col_text(p, 0)) : NULL;
    store_reset(p);
    if (rc == STORE_DONE) {
      app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
      goto out;
    }
    if (!path) {
      APP_INTERNAL(e);
      goto out;
    }
    hi = scope_hi(&a, path);
  }
  const store_sql *qs[] = {&q_count, &q_list};
  for (int k = 0; k < 2; k++) {
    store_stmt *s = arr ? store_prepare(c, qs[k]) : NULL;
    if (!s) {
      APP_INTERNAL(e);
      goto out;
    }
    int i = scope_bind(s, 1, scope);
    store_bind_text(s, i, path);
    store_bind_text(s, i + 1, path);
    store_bind_text(s, i + 2, hi);
    if (k == 1) {
      store_bind_int(s, i + 3, q->per_page);
      store_bind_int(s, i + 4, (int64_t)(q->page - 1) * q->per_page);
    }
    int rc;
    while ((rc = store_step(s)) == STORE_ROW) {
      if (k == 0) {
        *total = store_col_int(s, 0);
        continue;
      }
      int64_t head = store_col_int(s, 6), reg = store_col_int(s, 7);
      json_array_append_new(arr, json_pack("{s:I, s:s, s:o, s:s, s:I, s:s, s:I, s:I, s:I, s:I}", "id",
                                           (json_int_t)store_col_int(s, 0), "title", store_col_text(s, 1), "held_on",
                                           day_json(store_col_int(s, 2)), "place", store_col_text(s, 3), "unit_id",
                                           (json_int_t)store_col_int(s, 4), "unit_name", store_col_text(s, 5),
                                           "head_count", (json_int_t)head, "registered", (json_int_t)reg, "total",
                                           (json_int_t)(head + reg), "activities", (json_int_t)store_col_int(s, 8)));
    }
    store_reset(s);
    if (rc != STORE_DONE) {
      APP_INTERNAL(e);
      goto out;
    }
  }
  *items = arr;
  arr = NULL;
  ret = 0;
out:
  json_decref(arr);
  arena_free(&a);
  return ret;
}

int events_add_activity(store_conn *w, int64_t event_id, const char *title, int64_t by_user, int64_t now,
                        int64_t *activity_id, app_err *e) {
  char *t = NULL;
  const char *why = NULL;
  if (movement_text(title, EVENT_TITLE_MAX, true, &t, &why) != 0) return app_fail(e, 400, "invalid_value", "title", why);
  store_stmt *s = store_prepare(w, &q_activity_add);
  int rc = STORE_ERROR;
  if (s) {
    store_bind_int(s, 1, event_id);
    store_bind_text(s, 2, t);
    store_bind_id(s, 3, by_user);
    store_bind_int(s, 4, now);
    rc = store_insert_id(s, activity_id);
  }
  free(t);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int events_add_participant(store_conn *w, int64_t event_id, int64_t person_id, const char *status, int64_t today,
                           int64_t by_user, int64_t now, event_change *changed, app_err *e) {
  *changed = EVENT_UNCHANGED;
  if (status && strcmp(status, "registered") != 0 && strcmp(status, "attended") != 0)
    return app_fail(e, 400, "invalid_value", "status", "Trạng thái là registered (ghi danh trước) hoặc attended (đã tham dự).");
  store_stmt *s = store_prepare(w, &q_held_on);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, event_id);
  int rc = store_step(s);
  int64_t held_on = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy sự kiện này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  bool ahead = held_on > today;
  if (!status) status = ahead ? "registered" : "attended";
  if (ahead && strcmp(status, "attended") == 0) {
    static _Thread_local char msg[200];
    snprintf(msg, sizeof msg, "Sự kiện diễn ra ngày %02d/%02d/%04d: trước ngày đó chỉ ghi danh được, chưa ghi là đã tham dự.",
             (int)(held_on % 100), (int)(held_on / 100 % 100), (int)(held_on / 10000));
    return app_fail(e, 400, "invalid_value", "status", msg);
  }
  if (movement_person_live(w, person_id, e) != 0) {
    if (e->status == 404) e->field = "participant_id";
    return -1;
  }
  if (!(s = store_prepare(w, &q_participant_add))) return APP_INTERNAL(e);
  store_bind_int(s, 1, event_id);
  store_bind_int(s, 2, person_id);
  store_bind_id(s, 3, by_user);
  store_bind_int(s, 4, now);
  store_bind_text(s, 5, status);
  rc = store_step(s);
  int64_t n = rc == STORE_DONE ? store_changes(s) : 0;
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  if (n > 0) {
    *changed = EVENT_ADDED;
    return 0;
  }
  if (strcmp(status, "attended") != 0) return 0;
  if (!(s = store_prepare(w, &q_participant_attend))) return APP_INTERNAL(e);
  store_bind_id(s, 1, by_user);
  store_bind_int(s, 2, now);
  store_bind_int(s, 3, event_id);
  store_bind_int(s, 4, person_id);
  rc = store_step(s);
  n = rc == STORE_DONE ? store_changes(s) : 0;
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  if (n > 0) *changed = EVENT_ATTENDED;
  return 0;
}

/* ---- demo ---- */
STORE_SQL(q_demo_exists, "SELECT 1 FROM events WHERE unit_id = ? AND held_on = ?");
/* A share of the ward's live adults (registered in a household), chosen by id. */
STORE_SQL(q_demo_people, "INSERT INTO event_participants (event_id, person_id, recorded_by, created_at)"
                         " SELECT CAST(? AS BIGINT), p.id, CAST(? AS BIGINT), CAST(? AS BIGINT) FROM people p"
                         " WHERE p.deleted_at IS NULL AND p.household_id IS NOT NULL AND p.birth_year IS NOT NULL"
                         " AND p.birth_year <= ? AND (p.id * 7 + ?) % 23 = 0 ON CONFLICT DO NOTHING");

/* An event ahead: residents signed up, none attended yet. */
#define DEMO_AHEAD_TITLE "Tuần lễ chuyển đổi số phường: trải nghiệm dịch vụ công trực tuyến"
STORE_SQL(q_demo_title, "SELECT 1 FROM events WHERE unit_id = ? AND title = ?");
STORE_SQL(q_demo_signups, "INSERT INTO event_participants (event_id, person_id, recorded_by, created_at, status)"
                          " SELECT CAST(? AS BIGINT), p.id, CAST(? AS BIGINT), CAST(? AS BIGINT), 'registered' FROM people p"
                          " WHERE p.deleted_at IS NULL AND p.household_id IS NOT NULL AND p.birth_year IS NOT NULL"
                          " AND p.birth_year <= ? AND (p.id * 11 + 3) % 41 = 0 ON CONFLICT DO NOTHING");

static int demo_ahead(store_conn *w, int64_t ward_id, int64_t by_user, int64_t now, int64_t *added, app_err *e) {
  store_stmt *s = store_prepare(w, &q_demo_title);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, ward_id);
  store_bind_text(s, 2, DEMO_AHEAD_TITLE);
  int rc = step_done(s);
  if (rc == STORE_ROW) return 0;
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  int64_t key = groups_date_key(now + 30 * 86400);
  char day[16];
  snprintf(day, sizeof day, "%04d-%02d-%02d", (int)(key / 10000), (int)(key / 100 % 100), (int)(key % 100));
  event_input in = {.title = DEMO_AHEAD_TITLE, .held_on = day, .place = "Nhà văn hóa phường", .head_count = 0};
  int64_t id = 0, aid = 0;
  if (events_create(w, ward_id, &in, by_user, now, &id, e) != 0 ||
      events_add_activity(w, id, "Làm thử thủ tục trên Cổng dịch vụ công quốc gia", by_user, now, &aid, e) != 0)
    return -1;
  if (!(s = store_prepare(w, &q_demo_signups))) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  store_bind_id(s, 2, by_user);
  store_bind_int(s, 3, now);
  store_bind_int(s, 4, key / 10000 - 18);
  if (step_done(s) != STORE_DONE) return APP_INTERNAL(e);
  (*added)++;
  return 0;
}

int events_demo(store_conn *w, int64_t ward_id, int64_t by_user, int64_t now, int64_t *added, app_err *e) {
  *added = 0;
  static const struct {
    const char *day, *key;
    int64_t heads;
  } days[] = {{"10/10/2025", "20251010", 350}, {"10/10/2026", "20261010", 520}};
  static const char *const activities[] = {
      "Hướng dẫn kích hoạt định danh điện tử mức 2 (VNeID)",
      "Gian hàng thanh toán không dùng tiền mặt, mã QR",
      "Trải nghiệm trợ lý AI và dịch vụ công trực tuyến",
      "Thi tìm hiểu kỹ năng số an toàn, phòng chống lừa đảo trực tuyến",
  };
  int64_t today = groups_date_key(now);
  for (size_t d = 0; d < sizeof days / sizeof days[0]; d++) {
    int64_t key = strtoll(days[d].key, NULL, 10);
    if (key > today) continue; /* the demo records what happened */
    store_stmt *s = store_prepare(w, &q_demo_exists);
    if (!s) return APP_INTERNAL(e);
    store_bind_int(s, 1, ward_id);
    store_bind_int(s, 2, key);
    int rc = step_done(s);
    if (rc == STORE_ROW) continue;
    if (rc != STORE_DONE) return APP_INTERNAL(e);
    event_input in = {.title = "Ngày hội toàn dân học tập số", .held_on = days[d].day,
                      .place = "Trung tâm Văn hóa, Thể thao và Truyền thông phường", .head_count = days[d].heads};
    int64_t id = 0, aid = 0;
    if (events_create(w, ward_id, &in, by_user, now, &id, e) != 0) return -1;
    for (size_t k = 0; k < sizeof activities / sizeof activities[0]; k++)
      if (events_add_activity(w, id, activities[k], by_user, now, &aid, e) != 0) return -1;
    s = store_prepare(w, &q_demo_people);
    if (!s) return APP_INTERNAL(e);
    store_bind_int(s, 1, id);
    store_bind_id(s, 2, by_user);
    store_bind_int(s, 3, now);
    store_bind_int(s, 4, key / 10000 - 18);
    store_bind_int(s, 5, (int64_t)d);
    if (step_done(s) != STORE_DONE) return APP_INTERNAL(e);
    (*added)++;
  }
  return demo_ahead(w, ward_id, by_user, now, added, e);
}

/* ---- one person's events (the movement block of a resident's page) ---- */

STORE_SQL(q_person_events, "SELECT ev.id, ev.title, ev.held_on FROM event_participants p JOIN events ev ON ev.id = p.event_id"
                           " WHERE p.person_id = ? ORDER BY ev.held_on DESC, ev.id DESC LIMIT 50");

static json_t *person_event_row(store_stmt *s) {
  char day[11];
  return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)store_col_int(s, 0), "title", store_col_text(s, 1), "held_on",
                   movement_date_iso(store_col_int(s, 2), day));
}

int events_of_person(store_conn *c, int64_t person_id, json_t **out, app_err *e) {
  if (movement_rows(c, &q_person_events, person_id, person_event_row, out, e) == 0) return 0;
  json_decref(*out);
  *out = NULL;
  return -1;
}

/* classes.c: training classes (see classes.h). Only this file writes SQL about classes, their
 * competences, sessions, enrolments and attendance; people and units are read, never changed.
 * Never records attendance of someone not enrolled, nor at a session not yet held. */
#include "domain/classes.h"
#include "domain/scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/groups.h"
#include "domain/movement.h"
#include "domain/units.h"
#include "util/clock.h"

/* ---- statements ---- */
STORE_SQL(q_insert, "INSERT INTO classes (title, unit_id, topic, created_by, created_at) VALUES (?, ?, ?, ?, ?)"
                    " RETURNING id");
STORE_SQL(q_unit_path, "SELECT path FROM units WHERE id = ?");
STORE_SQL(q_comp_exists, "SELECT 1 FROM competencies WHERE id = ?");
STORE_SQL(q_comp_add, "INSERT INTO class_competences (class_id, competency_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
STORE_SQL(q_reach, "SELECT c.unit_id, u.path FROM classes c JOIN units u ON u.id = c.unit_id WHERE c.id = ?");
STORE_SQL(q_get, "SELECT c.id, c.title, c.unit_id, u.name, c.topic, rb.display_name, c.created_at FROM classes c"
                 " JOIN units u ON u.id = c.unit_id LEFT JOIN users rb ON rb.id = c.created_by WHERE c.id = ?");
STORE_SQL(q_comps, "SELECT k.id, k.framework, k.code, k.name FROM class_competences cc"
                   " JOIN competencies k ON k.id = cc.competency_id WHERE cc.class_id = ? ORDER BY k.framework, k.code");
STORE_SQL(q_sessions, "SELECT s.id, s.held_on, s.place, (SELECT COUNT(*) FROM class_attendance a JOIN people p"
                      " ON p.id = a.person_id WHERE a.session_id = s.id AND p.deleted_at IS NULL)"
                      " FROM class_sessions s WHERE s.class_id = ? ORDER BY s.held_on, s.id");
STORE_SQL(q_participants, "SELECT p.id, p.full_name, u.name, ce.outcome, ce.outcome_on FROM class_enrolments ce"
                          " JOIN people p ON p.id = ce.person_id JOIN units u ON u.id = p.unit_id"
                          " WHERE ce.class_id = ? AND p.deleted_at IS NULL ORDER BY p.name_key, p.id");
STORE_SQL(q_attended, "SELECT a.person_id, a.session_id FROM class_attendance a JOIN class_sessions s"
                      " ON s.id = a.session_id WHERE s.class_id = ? ORDER BY s.held_on, a.session_id");
#define LIVE_ENROLLED(cond)                                                                              \
  "(SELECT COUNT(*) FROM class_enrolments ce JOIN people p ON p.id = ce.person_id WHERE ce.class_id = c.id" \
  " AND p.deleted_at IS NULL" cond ")"
#define LIST_WHERE                                                                                       \
  " FROM classes c JOIN units u ON u.id = c.unit_id WHERE " SCOPE_IN("u.path")                            \
  " AND (CAST(? AS TEXT) IS NULL OR (u.path >= ? AND u.path < ?))"
STORE_SQL(q_list, SCOPE_WITH "SELECT c.id, c.title, c.unit_id, u.name, c.topic,"
                             " (SELECT COUNT(*) FROM class_sessions s WHERE s.class_id = c.id),"
                             " (SELECT MIN(s.held_on) FROM class_sessions s WHERE s.class_id = c.id),"
                             " (SELECT MAX(s.held_on) FROM class_sessions s WHERE s.class_id = c.id), "
                             LIVE_ENROLLED("") ", " LIVE_ENROLLED(" AND ce.outcome = 'completed'")
                             LIST_WHERE " ORDER BY c.id DESC LIMIT ? OFFSET ?");
STORE_SQL(q_count, SCOPE_WITH "SELECT COUNT(*)" LIST_WHERE);
STORE_SQL(q_session_add, "INSERT INTO class_sessions (class_id, held_on, place, created_by, created_at)"
                         " VALUES (?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_enrolled, "SELECT 1 FROM class_enrolments WHERE class_id = ? AND person_id = ?");
STORE_SQL(q_enrol, "INSERT INTO class_enrolments (class_id, person_id, enrolled_by, created_at) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT DO NOTHING");
STORE_SQL(q_session_of, "SELECT held_on FROM class_sessions WHERE id = ? AND class_id = ?");
STORE_SQL(q_att_clear, "DELETE FROM class_attendance WHERE session_id = ?");
STORE_SQL(q_att_add, "INSERT INTO class_attendance (session_id, person_id, recorded_by, created_at) VALUES (?, ?, ?, ?)"
                     " ON CONFLICT DO NOTHING");
STORE_SQL(q_outcome, "UPDATE class_enrolments SET outcome = ?, outcome_on = ?, outcome_by = ?"
                     " WHERE class_id = ? AND person_id = ?");
/* Target 1: public-sector staff of the subtree [lo, hi) who completed a class by the reference day. */
STORE_SQL(q_staff_completed,
          "SELECT COUNT(DISTINCT ce.person_id) FROM class_enrolments ce JOIN people p ON p.id = ce.person_id"
          " WHERE ce.outcome = 'completed' AND ce.outcome_on <= ? AND p.deleted_at IS NULL"
          " AND EXISTS (SELECT 1 FROM memberships gm_ JOIN units gu_ ON gu_.id = gm_.unit_id WHERE gm_.person_id = p.id"
          " AND gm_.kind = 'staff' AND gu_.kind IN (" GROUP_STAFF_UNIT_KINDS ") AND gu_.path >= ? AND gu_.path < ?)");

static int step_done(store_stmt *s) {
  int rc = store_step(s);
  store_reset(s);
  return rc;
}

static json_t *day_json(store_stmt *s, int col) {
  if (store_col_is_null(s, col)) return json_null();
  char d[11];
  return json_string(movement_date_iso(store_col_int(s, col), d));
}

static json_t *text_json(store_stmt *s, int col) {
  return store_col_is_null(s, col) ? json_null() : json_string(store_col_text(s, col));
}

/* ---- a class ---- */
int classes_create(store_conn *w, const char *title, int64_t unit_id, const char *topic, const json_t *competences,
                   int64_t by_user, int64_t now, int64_t *id, app_err *e) {
  char *t = NULL, *tp = NULL;
  const char *why = NULL;
  int ret = -1;
  if (movement_text(title, CLASS_TITLE_MAX, true, &t, &why) != 0) {
    app_fail(e, 400, "invalid_value", "title", why);
    goto out;
  }
  if (movement_text(topic, CLASS_TOPIC_MAX, false, &tp, &why) != 0) {
    app_fail(e, 400, "invalid_value", "topic", why);
    goto out;
  }
  if (competences && (!json_is_array(competences) || json_array_size(competences) > CLASS_COMPETENCES_MAX)) {
    app_fail(e, 400, "invalid_value", "competences", "Danh sách năng lực phải là mảng mã năng lực (tối đa 20).");
    goto out;
  }
  size_t k;
  json_t *v;
  json_array_foreach(competences, k, v) {
    store_stmt *s = store_prepare(w, &q_comp_exists);
    if (!s) {
      APP_INTERNAL(e);
      goto out;
    }
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
      app_fail(e, 400, "invalid_value", "competences", "Mỗi năng lực phải là một mã số (xem danh mục năng lực số).");
      goto out;
    }
    store_bind_int(s, 1, json_integer_value(v));
    int rc = step_done(s);
    if (rc == STORE_DONE) {
      app_fail(e, 400, "invalid_value", "competences", "Có năng lực không có trong khung năng lực số.");
      goto out;
    }
    if (rc != STORE_ROW) {
      APP_INTERNAL(e);
      goto out;
    }
  }
  store_stmt *u = store_prepare(w, &q_unit_path);
  if (!u) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(u, 1, unit_id);
  int rc = step_done(u);
  if (rc == STORE_DONE) {
    app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
    goto out;
  }
  if (rc != STORE_ROW) {
    APP_INTERNAL(e);
    goto out;
  }
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_text(s, 1, t);
  store_bind_int(s, 2, unit_id);
  store_bind_text(s, 3, tp);
  store_bind_id(s, 4, by_user);
  store_bind_int(s, 5, now);
  if (store_insert_id(s, id) != STORE_DONE) {
    APP_INTERNAL(e);
    goto out;
  }
  json_array_foreach(competences, k, v) {
    store_stmt *c = store_prepare(w, &q_comp_add);
    if (!c) {
      APP_INTERNAL(e);
      goto out;
    }
    store_bind_int(c, 1, *id);
    store_bind_int(c, 2, json_integer_value(v));
    if (step_done(c) != STORE_DONE) {
      APP_INTERNAL(e);
      goto out;
    }
  }
  ret = 0;
out:
  free(t);
  free(tp);
  return ret;
}

int classes_reach(store_conn *c, int64_t id, arena *a, int64_t *unit_id, const char **path, app_err *e) {
  return scope_reach(c, &q_reach, id, a, unit_id, path, "Không tìm thấy lớp học này.", e);
}

static json_t *comp_row(store_stmt *s) {
  return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)store_col_int(s, 0), "framework", store_col_text(s, 1),
                   "code", store_col_text(s, 2), "name", store_col_text(s, 3));
}
static json_t *session_row(store_stmt *s) {
  return json_pack("{s:I, s:o, s:s, s:I}", "id", (json_int_t)store_col_int(s, 0), "held_on", day_json(s, 1), "place",
                   store_col_text(s, 2), "attended", (json_int_t)store_col_int(s, 3));
}
static json_t *participant_row(store_stmt *s) {
  return json_pack("{s:I, s:s, s:s, s:o, s:o, s:[]}", "person_id", (json_int_t)store_col_int(s, 0), "full_name",
                   store_col_text(s, 1), "unit_name", store_col_text(s, 2), "outcome", text_json(s, 3), "outcome_on",
                   day_json(s, 4), "attended");
}

int classes_get(store_conn *c, int64_t id, json_t **out, app_err *e) {
  *out = NULL;
  json_t *o = NULL, *comps = NULL, *sessions = NULL, *people = NULL, *byid = json_object();
  int ret = -1;
  store_stmt *s = byid ? store_prepare(c, &q_get) : NULL;
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    char iso[32];
    clock_iso8601(store_col_int(s, 6), iso, sizeof iso);
    o = json_pack("{s:I, s:s, s:I, s:s, s:o, s:o, s:s}", "id", (json_int_t)store_col_int(s, 0), "title",
                  store_col_text(s, 1), "unit_id", (json_int_t)store_col_int(s, 2), "unit_name", store_col_text(s, 3),
                  "topic", text_json(s, 4), "created_by", text_json(s, 5), "created_at", iso);
  }
  store_reset(s);
  if (rc == STORE_DONE) {
    app_fail(e, 404, "not_found", "id", "Không tìm thấy lớp học này.");
    goto out;
  }
  if (rc != STORE_ROW || !o) {
    APP_INTERNAL(e);
    goto out;
  }
  if (movement_rows(c, &q_comps, id, comp_row, &comps, e) != 0 || movement_rows(c, &q_sessions, id, session_row, &sessions, e) != 0 ||
      movement_rows(c, &q_participants, id, participant_row, &people, e) != 0)
    goto out;
  size_t k;
  json_t *p;
  json_array_foreach(people, k, p) {
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(p, "person_id")));
    json_object_set(byid, key, p);
  }
  s = store_prepare(c, &q_attended);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(s, 1, id);
  while ((rc = store_step(s)) == STORE_ROW) {
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)store_col_int(s, 0));
    json_t *who = json_object_get(byid, key); /* a deleted person is not among the participants */
    if (who) json_array_append_new(json_object_get(who, "attended"), json_integer(store_col_int(s, 1)));
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto out;
  }
  json_object_set(o, "competences", comps);
  json_object_set(o, "sessions", sessions);
  json_object_set(o, "participants", people);
  *out = o;
  o = NULL;
  ret = 0;
out:
  json_decref(o);
  json_decref(comps);
  json_decref(sessions);
  json_decref(people);
  json_decref(byid);
  return ret;
}

/* Binds a subtree filter (lo, lo, hi) from `i`; returns the next, or -1 with e. */
static int bind_subtree(store_conn *c, store_stmt *s, int i, int64_t unit_id, arena *a, app_err *e) {
  if (!unit_id) {
    store_bind_null(s, i);
    store_bind_null(s, i + 1);
    store_bind_null(s, i + 2);
    return i + 3;
  }
  store_stmt *p = store_prepare(c, &q_unit_path);
  if (!p) return APP_INTERNAL(e);
  store_bind_int(p, 1, unit_id);
  int rc = store_step(p);
  const char *path = rc == STORE_ROW ? arena_strdup(a, store_col_text(p, 0)) : NULL;
  store_reset(p);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
  if (!path) return APP_INTERNAL(e);
  store_bind_text(s, i, path);
  store_bind_text(s, i + 1, path);
  store_bind_text(s, i + 2, scope_hi(a, path));
  return i + 3;
}

int classes_list(store_conn *c, const scope_sql *scope, const class_query *q, json_t **items, int64_t *total,
                 app_err *e) {
  *items = NULL;
  *total = 0;
  arena a;
  arena_init(&a);
  int ret = -1;
  json_t *arr = json_array();
  store_stmt *s = arr ? store_prepare(c, &q_count) : NULL;
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  if (bind_subtree(c, s, scope_bind(s, 1, scope), q->unit_id, &a, e) < 0) goto out;
  int rc = store_step(s);
  *total = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW) {
    APP_INTERNAL(e);
    goto out;
  }
  s = store_prepare(c, &q_list);
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  int i = bind_subtree(c, s, scope_bind(s, 1, scope), q->unit_id, &a, e);
  if (i < 0) goto out;
  store_bind_int(s, i, q->per_page);
  store_bind_int(s, i + 1, (int64_t)(q->page - 1) * q->per_page);
  while ((rc = store_step(s)) == STORE_ROW)
    json_array_append_new(arr, json_pack("{s:I, s:s, s:I, s:s, s:o, s:I, s:o, s:o, s:I, s:I}", "id",
                                         (json_int_t)store_col_int(s, 0), "title", store_col_text(s, 1), "unit_id",
                                         (json_int_t)store_col_int(s, 2), "unit_name", store_col_text(s, 3), "topic",
                                         text_json(s, 4), "sessions", (json_int_t)store_col_int(s, 5), "first_on",
                                         day_json(s, 6), "last_on", day_json(s, 7), "enrolled",
                                         (json_int_t)store_col_int(s, 8), "completed", (json_int_t)store_col_int(s, 9)));
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto out;
  }
  *items = arr;
  arr = NULL;
  ret = 0;
out:
  json_decref(arr);
  arena_free(&a);
  return ret;
}

/* ---- sessions, enrolment, attendance, outcomes ---- */
int classes_add_session(store_conn *w, int64_t class_id, const char *held_on, const char *place, int64_t by_user,
                        int64_t now, int64_t *session_id, app_err *e) {
  int64_t day = 0;
  const char *why = NULL;
  if (movement_date(held_on, 0, true, &day, &why) != 0) return app_fail(e, 400, "invalid_value", "held_on", why);
  char *pl = NULL;
  if (movement_text(place, CLASS_PLACE_MAX, true, &pl, &why) != 0) return app_fail(e, 400, "invalid_value", "place", why);
  store_stmt *s = store_prepare(w, &q_session_add);
  int rc = STORE_ERROR;
  if (s) {
    store_bind_int(s, 1, class_id);
    store_bind_int(s, 2, day);
    store_bind_text(s, 3, pl);
    store_bind_id(s, 4, by_user);
    store_bind_int(s, 5, now);
    rc = store_insert_id(s, session_id);
  }
  free(pl);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

static int enrolled(store_conn *c, int64_t class_id, int64_t person_id, bool *yes, app_err *e) {
  store_stmt *s = store_prepare(c, &q_enrolled);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, class_id);
  store_bind_int(s, 2, person_id);
  int rc = step_done(s);
  *yes = rc == STORE_ROW;
  return rc == STORE_ROW || rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int classes_enrol(store_conn *w, int64_t class_id, int64_t person_id, int64_t by_user, int64_t now, bool *created,
                  app_err *e) {
  *created = false;
  if (movement_person_live(w, person_id, e) != 0) {
    if (e->status == 404) e->field = "participant_id";
    return -1;
  }
  bool yes = false;
  if (enrolled(w, class_id, person_id, &yes, e) != 0) return -1;
  if (yes) return 0;
  store_stmt *s = store_prepare(w, &q_enrol);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, class_id);
  store_bind_int(s, 2, person_id);
  store_bind_id(s, 3, by_user);
  store_bind_int(s, 4, now);
  int rc = store_step(s);
  *created = rc == STORE_DONE && store_changes(s) > 0;
  store_reset(s);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int classes_set_attendance(store_conn *w, int64_t class_id, int64_t session_id, const json_t *person_ids,
                           int64_t by_user, int64_t today_key, int64_t now, int64_t *present, app_err *e) {
  *present = 0;
  store_stmt *s = store_prepare(w, &q_session_of);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, session_id);
  store_bind_int(s, 2, class_id);
  int rc = store_step(s);
  int64_t held = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 400, "invalid_value", "session_id", "Buổi học này không thuộc lớp này.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (held > today_key)
    return app_fail(e, 400, "invalid_value", "session_id", "Buổi học chưa diễn ra: chỉ điểm danh sau khi đã học.");
  if (!json_is_array(person_ids))
    return app_fail(e, 400, "invalid_value", "participant_ids", "Danh sách người có mặt phải là một mảng mã người.");
  size_t k;
  json_t *v;
  json_array_foreach(person_ids, k, v) {
    bool yes = false;
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
      return app_fail(e, 400, "invalid_value", "participant_ids", "Mỗi người có mặt phải là một mã người.");
    if (enrolled(w, class_id, json_integer_value(v), &yes, e) != 0) return -1;
    if (!yes)
      return app_fail(e, 400, "invalid_value", "participant_ids",
                      "Có người chưa ghi danh vào lớp: ghi danh trước rồi mới điểm danh.");
  }
  s = store_prepare(w, &q_att_clear);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, session_id);
  if (step_done(s) != STORE_DONE) return APP_INTERNAL(e);
  json_array_foreach(person_ids, k, v) {
    s = store_prepare(w, &q_att_add);
    if (!s) return APP_INTERNAL(e);
    store_bind_int(s, 1, session_id);
    store_bind_int(s, 2, json_integer_value(v));
    store_bind_id(s, 3, by_user);
    store_bind_int(s, 4, now);
    rc = store_step(s);
    *present += rc == STORE_DONE ? store_changes(s) : 0;
    store_reset(s);
    if (rc != STORE_DONE) return APP_INTERNAL(e);
  }
  return 0;
}

int classes_set_outcome(store_conn *w, int64_t class_id, int64_t person_id, const char *outcome,
                        const char *outcome_on, int64_t by_user, int64_t today_key, app_err *e) {
  bool clear = !outcome || !*outcome;
  if (!clear && strcmp(outcome, "completed") != 0 && strcmp(outcome, "not_completed") != 0)
    return app_fail(e, 400, "invalid_value", "outcome",
                    "Kết quả phải là completed (hoàn thành) hoặc not_completed (chưa hoàn thành).");
  int64_t day = today_key;
  const char *why = NULL;
  if (!clear && outcome_on && *outcome_on && movement_date(outcome_on, today_key, false, &day, &why) != 0)
    return app_fail(e, 400, "invalid_value", "outcome_on", why);
  bool yes = false;
  if (enrolled(w, class_id, person_id, &yes, e) != 0) return -1;
  if (!yes) return app_fail(e, 400, "invalid_value", "participant_id", "Người này chưa ghi danh vào lớp.");
  store_stmt *s = store_prepare(w, &q_outcome);
  if (!s) return APP_INTERNAL(e);
  store_bind_text(s, 1, clear ? NULL : outcome);
  if (clear) store_bind_null(s, 2); else store_bind_int(s, 2, day);
  store_bind_id(s, 3, clear ? 0 : by_user);
  store_bind_int(s, 4, class_id);
  store_bind_int(s, 5, person_id);
  return step_done(s) == STORE_DONE ? 0 : APP_INTERNAL(e);
}

/* ---- target 1 ---- */
int classes_staff_completed(store_conn *c, int64_t unit_id, int64_t ref_key, int64_t *n, app_err *e) {
  *n = 0;
  arena a;
  arena_init(&a);
  int ret = -1;
  store_stmt *p = store_prepare(c, &q_unit_path);
  if (!p) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(p, 1, unit_id);
  int rc = store_step(p);
  const char *path = rc == STORE_ROW ? arena_strdup(&a, store_col_text(p, 0)) : NULL;
  store_reset(p);
  if (rc == STORE_DONE) {
    app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
    goto out;
  }
  store_stmt *s = path ? store_prepare(c, &q_staff_completed) : NULL;
  if (!s) {
    APP_INTERNAL(e);
    goto out;
  }
  store_bind_int(s, 1, ref_key);
  store_bind_text(s, 2, path);
  store_bind_text(s, 3, scope_hi(&a, path));
  rc = store_step(s);
  *n = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (rc != STORE_ROW) {
    APP_INTERNAL(e);
    goto out;
  }
  ret = 0;
out:
  arena_free(&a);
  return ret;
}

/* ---- demo ---- */
STORE_SQL(q_demo_exists, "SELECT 1 FROM classes WHERE unit_id = ? AND title = ?");
STORE_SQL(q_demo_staff, "SELECT DISTINCT gm_.person_id FROM memberships gm_ JOIN units gu_ ON gu_.id = gm_.unit_id"
                        " JOIN people p ON p.id = gm_.person_id WHERE gm_.kind = 'staff' AND gu_.kind IN ("
                        GROUP_STAFF_UNIT_KINDS ") AND p.deleted_at IS NULL ORDER BY gm_.person_id LIMIT ?");

#define DEMO_TITLE_1 "Bồi dưỡng chuyển đổi số và kỹ năng số cho cán bộ, công chức phường"
#define DEMO_TITLE_2 "Tập huấn sử dụng trợ lý AI trong soạn thảo văn bản"

/* One demo class: its sessions, the first `n` of `staff` enrolled, attendance and outcomes. */
static int demo_class(store_conn *w, int64_t unit, const char *title, const char *topic, const char *const *days,
                      int ndays, const char *place, const json_t *staff, size_t n, bool outcomes, int64_t by_user,
                      int64_t now, app_err *e) {
  int64_t id = 0, today = groups_date_key(now);
  if (classes_create(w, title, unit, topic, NULL, by_user, now, &id, e) != 0) return -1;
  for (size_t i = 0; i < n && i < json_array_size(staff); i++) {
    bool created = false;
    if (classes_enrol(w, id, json_integer_value(json_array_get(staff, i)), by_user, now, &created, e) != 0) return -1;
  }
  for (int d = 0; d < ndays; d++) {
    int64_t sid = 0, present = 0;
    if (classes_add_session(w, id, days[d], place, by_user, now, &sid, e) != 0) return -1;
    json_t *here = json_array();
    for (size_t i = 0; here && i < n && i < json_array_size(staff); i++) {
      json_int_t pid = json_integer_value(json_array_get(staff, i));
      if ((pid + d) % 7 != 0) json_array_append_new(here, json_integer(pid));
    }
    int rc = here ? classes_set_attendance(w, id, sid, here, by_user, today, now, &present, e) : APP_INTERNAL(e);
    json_decref(here);
    if (rc != 0) return -1;
  }
  for (size_t i = 0; outcomes && i < n && i < json_array_size(staff); i++) {
    json_int_t pid = json_integer_value(json_array_get(staff, i));
    if (classes_set_outcome(w, id, pid, pid % 6 ? "completed" : "not_completed", days[ndays - 1], by_user, today, e) != 0)
      return -1;
  }
  return 0;
}

int classes_demo(store_conn *w, int64_t ward_id, int64_t by_user, int64_t now, int64_t *added, app_err *e) {
  *added = 0;
  store_stmt *s = store_prepare(w, &q_demo_exists);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, ward_id);
  store_bind_text(s, 2, DEMO_TITLE_1);
  int rc = step_done(s);
  if (rc == STORE_ROW) return 0;
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  json_t *staff = json_array();
  s = staff ? store_prepare(w, &q_demo_staff) : NULL;
  if (!s) {
    json_decref(staff);
    return APP_INTERNAL(e);
  }
  store_bind_int(s, 1, 60);
  while ((rc = store_step(s)) == STORE_ROW) json_array_append_new(staff, json_integer(store_col_int(s, 0)));
  store_reset(s);
  static const char *const days1[] = {"15/09/2025", "22/09/2025", "29/09/2025"};
  static const char *const days2[] = {"10/11/2025", "17/11/2025"};
  int ret = rc == STORE_DONE ? 0 : APP_INTERNAL(e);
  if (ret == 0)
    ret = demo_class(w, ward_id, DEMO_TITLE_1, "Nền tảng số, dịch vụ công trực tuyến, an toàn thông tin, AI trong công việc",
                     days1, 3, "Hội trường UBND phường", staff, 60, true, by_user, now, e);
  if (ret == 0)
    ret = demo_class(w, ward_id, DEMO_TITLE_2, "Viết câu lệnh, kiểm tra kết quả, bảo mật dữ liệu khi dùng AI", days2, 2,
                     "Phòng máy Trung tâm Văn hóa, Thể thao và Truyền thông", staff, 25, false, by_user, now, e);
  json_decref(staff);
  if (ret == 0) *added = 2;
  return ret;
}

/* ---- one person's classes (the movement block of a resident's page) ---- */

STORE_SQL(q_person_classes, "SELECT c.id, c.title, e.outcome, e.outcome_on FROM class_enrolments e"
                            " JOIN classes c ON c.id = e.class_id WHERE e.person_id = ? ORDER BY c.id DESC LIMIT 50");

static json_t *person_class_row(store_stmt *s) {
  return json_pack("{s:I, s:s, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0), "title", store_col_text(s, 1), "outcome",
                   text_json(s, 2), "outcome_on", day_json(s, 3));
}

int classes_of_person(store_conn *c, int64_t person_id, json_t **out, app_err *e) {
  if (movement_rows(c, &q_person_classes, person_id, person_class_row, out, e) == 0) return 0;
  json_decref(*out);
  *out = NULL;
  return -1;
}

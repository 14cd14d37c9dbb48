/* plan.c: the plan's tasks, the units that answer for them, their progress updates and the status
 * rule (see plan.h). Only this file writes SQL about the plan_* tables; attachments are read and
 * checked through attachments.h. */
#include "domain/plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/attachments.h"
#include "domain/scope.h"
#include "domain/units.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/utf8.h"

/* ---- statements ---- */
STORE_SQL(q_task_by_code, "SELECT id FROM plan_tasks WHERE code = ?");
STORE_SQL(q_task_insert, "INSERT INTO plan_tasks (unit_id, code, position, section, title, lead_unit, coordinating_units,"
                         " timeframe, starts_on, ends_on, recurring, report_days, created_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_task_update, "UPDATE plan_tasks SET unit_id = ?, position = ?, section = ?, title = ?, lead_unit = ?,"
                         " coordinating_units = ?, timeframe = ?, starts_on = ?, ends_on = ?, recurring = ?,"
                         " report_days = ? WHERE id = ?");
STORE_SQL(q_name_find, "SELECT id FROM plan_unit_names WHERE name_key = ?");
STORE_SQL(q_name_insert, "INSERT INTO plan_unit_names (name, name_key, updated_by, updated_at) VALUES (?, ?, NULL, ?)"
                         " RETURNING id");
STORE_SQL(q_name_touch, "UPDATE plan_unit_names SET updated_by = ?, updated_at = ? WHERE id = ?");
STORE_SQL(q_name_exists, "SELECT id FROM plan_unit_names WHERE id = ?");
STORE_SQL(q_map_insert, "INSERT INTO plan_unit_map (name_id, unit_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
STORE_SQL(q_map_clear, "DELETE FROM plan_unit_map WHERE name_id = ?");
STORE_SQL(q_task_units_clear, "DELETE FROM plan_task_units WHERE task_id = ?");
STORE_SQL(q_task_unit_insert, "INSERT INTO plan_task_units (task_id, name_id, role) VALUES (?, ?, ?)"
                              " ON CONFLICT DO NOTHING");
STORE_SQL(q_ward_path, "SELECT path FROM units WHERE id = ?");
STORE_SQL(q_units_of_kind, "SELECT id FROM units WHERE kind = ? AND path >= ? AND path < ? ORDER BY id");
STORE_SQL(q_unit_by_code, "SELECT id, path FROM units WHERE code = ?");
#define TASK_COLS                                                                                              \
  "t.id, t.code, t.section, t.title, t.lead_unit, t.coordinating_units, t.timeframe, t.starts_on, t.ends_on,"  \
  " t.recurring, t.report_days, (SELECT COUNT(*) FROM plan_updates x WHERE x.task_id = t.id), lu.created_at, lu.done"
#define TASK_FROM                                                                                              \
  " FROM plan_tasks t LEFT JOIN plan_updates lu ON lu.id = (SELECT y.id FROM plan_updates y WHERE y.task_id = t.id" \
  " ORDER BY y.created_at DESC, y.id DESC LIMIT 1)"
STORE_SQL(q_list, "SELECT " TASK_COLS TASK_FROM " ORDER BY t.position, t.id");
STORE_SQL(q_get, "SELECT " TASK_COLS TASK_FROM " WHERE t.id = ?");
STORE_SQL(q_task_names, "SELECT tu.role, n.id, n.name, un.id, un.name FROM plan_task_units tu"
                        " JOIN plan_unit_names n ON n.id = tu.name_id LEFT JOIN plan_unit_map m ON m.name_id = n.id"
                        " LEFT JOIN units un ON un.id = m.unit_id WHERE tu.task_id = ?"
                        " ORDER BY CASE tu.role WHEN 'lead' THEN 0 ELSE 1 END, n.id, un.name, un.id");
STORE_SQL(q_updates, "SELECT u.id, u.unit_id, un.name, u.body, u.figures, u.done, u.created_by, us.display_name,"
                     " u.created_at FROM plan_updates u LEFT JOIN units un ON un.id = u.unit_id"
                     " LEFT JOIN users us ON us.id = u.created_by WHERE u.task_id = ?"
                     " ORDER BY u.created_at DESC, u.id DESC LIMIT 100");
STORE_SQL(q_update_files, "SELECT pa.update_id, pa.attachment_id FROM plan_update_attachments pa"
                          " JOIN plan_updates u ON u.id = pa.update_id WHERE u.task_id = ? ORDER BY pa.attachment_id");
STORE_SQL(q_reach_task, "SELECT t.unit_id, w.path FROM plan_tasks t JOIN units w ON w.id = t.unit_id WHERE t.id = ?");
STORE_SQL(q_reach_units, "SELECT DISTINCT m.unit_id, un.path FROM plan_task_units tu"
                         " JOIN plan_unit_map m ON m.name_id = tu.name_id JOIN units un ON un.id = m.unit_id"
                         " WHERE tu.task_id = ? ORDER BY m.unit_id");
STORE_SQL(q_reach_ward, "SELECT t.unit_id, w.path FROM plan_tasks t JOIN units w ON w.id = t.unit_id"
                        " ORDER BY t.position, t.id LIMIT 1");
STORE_SQL(q_task_exists, "SELECT id FROM plan_tasks WHERE id = ?");
STORE_SQL(q_update_insert, "INSERT INTO plan_updates (task_id, unit_id, body, figures, done, created_by, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_link_insert, "INSERT INTO plan_update_attachments (update_id, attachment_id) VALUES (?, ?)"
                         " ON CONFLICT DO NOTHING");
STORE_SQL(q_names_all, "SELECT n.id, n.name, un.id, un.name FROM plan_unit_names n"
                       " LEFT JOIN plan_unit_map m ON m.name_id = n.id LEFT JOIN units un ON un.id = m.unit_id"
                       " ORDER BY n.id, un.name, un.id");
STORE_SQL(q_names_tasks, "SELECT tu.name_id, t.code FROM plan_task_units tu JOIN plan_tasks t ON t.id = tu.task_id"
                         " ORDER BY tu.name_id, t.position");

/* ---- the status rule ---- */
static const char *const STATUS_CODE[] = {"not_started", "on_track", "late", "done"};
static const char *const STATUS_LABEL[] = {"Chưa bắt đầu", "Đúng tiến độ", "Chậm tiến độ", "Hoàn thành"};

const char *plan_status_code(plan_status s) { return STATUS_CODE[s]; }
const char *plan_status_label(plan_status s) { return STATUS_LABEL[s]; }

#define WARD_OFFSET (7 * 3600) /* the ward's calendar: UTC+7 */

int64_t plan_day_of(int64_t epoch) {
  int64_t t = epoch + WARD_OFFSET;
  return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

int64_t plan_day_parse(const char *ymd) {
  int64_t epoch = 0;
  if (!ymd || strlen(ymd) != 10 || !clock_parse_iso(ymd, &epoch)) return -1;
  return epoch / 86400;
}

/* The calendar year of a day number (days since 1970-01-01). */
static int year_of_day(int64_t day) {
  char iso[32];
  clock_iso8601(day * 86400, iso, sizeof iso); /* "YYYY-…": four digits for every year we meet */
  int y = 0;
  for (int i = 0; i < 4 && iso[i] >= '0' && iso[i] <= '9'; i++) y = y * 10 + (iso[i] - '0');
  return y;
}

static plan_status verdict(plan_status s, const char *why, const char **out) {
  if (out) *out = why;
  return s;
}

plan_status plan_status_of(const plan_schedule *s, const plan_progress *p, int64_t today, const char **why) {
  bool any = p->last_day >= 0;
  if (any && p->last_done && (!s->recurring || year_of_day(p->last_day) == year_of_day(today)))
    return verdict(PLAN_DONE, "Đơn vị phụ trách đã báo cáo hoàn thành.", why);
  if (today < s->starts_day) return verdict(PLAN_NOT_STARTED, "Chưa đến thời gian thực hiện.", why);
  if (s->ends_day >= 0 && today > s->ends_day)
    return verdict(PLAN_LATE, "Đã hết thời gian thực hiện mà chưa có báo cáo hoàn thành.", why);
  if (any && today - p->last_day <= s->report_days)
    return verdict(PLAN_ON_TRACK, "Có báo cáo tiến độ trong thời hạn báo cáo.", why);
  if (!any && today - s->starts_day <= s->report_days)
    return verdict(PLAN_NOT_STARTED, "Đã đến thời gian thực hiện nhưng chưa có báo cáo tiến độ.", why);
  return verdict(PLAN_LATE, any ? "Quá hạn báo cáo tiến độ: đã lâu không có báo cáo mới."
                                : "Đã quá thời hạn báo cáo mà chưa có báo cáo tiến độ nào.",
                 why);
}

/* ---- loading the plan ---- */
static int fail_msg(char *err, size_t errlen, const char *what, store_conn *w) {
  snprintf(err, errlen, "%s: %s", what, w ? store_errmsg(w) : "");
  return -1;
}

/* The id of a plan unit name (folded key), inserted with its default units when new. */
static int64_t name_id_of(store_conn *w, const char *name, json_t *defaults, int64_t ward_id, const char *ward_path,
                          int64_t now, plan_load_counts *n, char *err, size_t errlen) {
  char *key = text_fold(name);
  if (!key) return fail_msg(err, errlen, "cannot fold a unit name", NULL);
  store_stmt *s = store_prepare(w, &q_name_find);
  int64_t id = 0;
  if (s) {
    store_bind_text(s, 1, key);
    if (store_step(s) == STORE_ROW) id = store_col_int(s, 0);
    store_reset(s);
  }
  if (id > 0 || !s) {
    free(key);
    return s ? id : fail_msg(err, errlen, "plan unit name", w);
  }
  s = store_prepare(w, &q_name_insert);
  if (!s) {
    free(key);
    return fail_msg(err, errlen, "plan unit name", w);
  }
  store_bind_text(s, 1, name);
  store_bind_text(s, 2, key);
  store_bind_int(s, 3, now);
  int rc = store_insert_id(s, &id);
  free(key);
  if (rc != STORE_DONE) return fail_msg(err, errlen, "plan unit name", w);
  n->names_new++;
  (void)ward_id;
  /* Its default units: by code, and every unit of a kind inside the ward. */
  char hi[1100];
  snprintf(hi, sizeof hi, "%s", ward_path);
  size_t hl = strlen(hi);
  if (hl) hi[hl - 1] = '0';
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(defaults, "codes"), i, v) {
    store_stmt *u = store_prepare(w, &q_unit_by_code);
    if (!u) return fail_msg(err, errlen, "unit", w);
    store_bind_text(u, 1, json_string_value(v));
    int64_t unit = 0;
    if (store_step(u) == STORE_ROW && scope_path_within(store_col_text(u, 1), ward_path)) unit = store_col_int(u, 0);
    store_reset(u);
    if (!unit) continue; /* a unit the ward does not have: the name stays unmapped */
    store_stmt *m = store_prepare(w, &q_map_insert);
    if (!m) return fail_msg(err, errlen, "plan unit map", w);
    store_bind_int(m, 1, id);
    store_bind_int(m, 2, unit);
    if (store_step(m) != STORE_DONE) {
      store_reset(m);
      return fail_msg(err, errlen, "plan unit map", w);
    }
    store_reset(m);
    n->units_mapped++;
  }
  json_array_foreach(json_object_get(defaults, "kinds"), i, v) {
    store_stmt *u = store_prepare(w, &q_units_of_kind);
    if (!u) return fail_msg(err, errlen, "units", w);
    store_bind_text(u, 1, json_string_value(v));
    store_bind_text(u, 2, ward_path);
    store_bind_text(u, 3, hi);
    int64_t ids[512];
    int k = 0, rc2;
    while ((rc2 = store_step(u)) == STORE_ROW && k < 512) ids[k++] = store_col_int(u, 0);
    store_reset(u);
    if (rc2 < 0) return fail_msg(err, errlen, "units", w);
    for (int j = 0; j < k; j++) {
      store_stmt *m = store_prepare(w, &q_map_insert);
      if (!m) return fail_msg(err, errlen, "plan unit map", w);
      store_bind_int(m, 1, id);
      store_bind_int(m, 2, ids[j]);
      int r3 = store_step(m);
      store_reset(m);
      if (r3 != STORE_DONE) return fail_msg(err, errlen, "plan unit map", w);
      n->units_mapped++;
    }
  }
  return id;
}

static json_t *defaults_of(json_t *doc, const char *name) {
  size_t i;
  json_t *u;
  json_array_foreach(json_object_get(doc, "units"), i, u) {
    const char *n = json_string_value(json_object_get(u, "name"));
    if (n && strcmp(n, name) == 0) return u;
  }
  return NULL;
}

static int link_name(store_conn *w, int64_t task, int64_t name_id, const char *role, char *err, size_t errlen) {
  store_stmt *s = store_prepare(w, &q_task_unit_insert);
  if (!s) return fail_msg(err, errlen, "plan task unit", w);
  store_bind_int(s, 1, task);
  store_bind_int(s, 2, name_id);
  store_bind_text(s, 3, role);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : fail_msg(err, errlen, "plan task unit", w);
}

int plan_load(store_conn *w, const char *doc_text, size_t len, int64_t ward_id, int64_t now, plan_load_counts *n,
              char *err, size_t errlen) {
  memset(n, 0, sizeof *n);
  json_error_t jerr;
  json_t *doc = json_loadb(doc_text, len, 0, &jerr);
  if (!doc) {
    snprintf(err, errlen, "the plan document is not JSON: %s (line %d)", jerr.text, jerr.line);
    return -1;
  }
  int rc = -1;
  char *ward_path = NULL;
  store_stmt *s = store_prepare(w, &q_ward_path);
  if (!s) {
    fail_msg(err, errlen, "ward", w);
    goto fail;
  }
  store_bind_int(s, 1, ward_id);
  if (store_step(s) == STORE_ROW) ward_path = strdup(store_col_text(s, 0));
  store_reset(s);
  if (!ward_path) {
    snprintf(err, errlen, "unit %lld does not exist", (long long)ward_id);
    goto fail;
  }
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(doc, "tasks"), i, t) {
    const char *code = json_string_value(json_object_get(t, "code"));
    const char *title = json_string_value(json_object_get(t, "title"));
    const char *lead = json_string_value(json_object_get(t, "lead_unit"));
    const char *section = json_string_value(json_object_get(t, "section"));
    const char *tf = json_string_value(json_object_get(t, "timeframe"));
    json_t *coord = json_object_get(t, "coordinating_units"), *sch = json_object_get(t, "schedule");
    const char *starts = json_string_value(json_object_get(sch, "starts_on"));
    const char *ends = json_string_value(json_object_get(sch, "ends_on"));
    json_int_t report = json_integer_value(json_object_get(sch, "report_days"));
    if (!code || !title || !lead || !section || !tf || !json_is_array(coord) || plan_day_parse(starts) < 0 ||
        (ends && plan_day_parse(ends) < 0) || report < 1) {
      snprintf(err, errlen, "task %zu of the plan document is incomplete", i + 1);
      goto fail;
    }
    char *coord_text = json_dumps(coord, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!coord_text) goto fail;
    int64_t id = 0;
    s = store_prepare(w, &q_task_by_code);
    if (s) {
      store_bind_text(s, 1, code);
      if (store_step(s) == STORE_ROW) id = store_col_int(s, 0);
      store_reset(s);
    }
    s = store_prepare(w, id ? &q_task_update : &q_task_insert);
    if (!s) {
      free(coord_text);
      fail_msg(err, errlen, "plan task", w);
      goto fail;
    }
    int k = 1;
    store_bind_int(s, k++, ward_id);
    if (!id) store_bind_text(s, k++, code);
    store_bind_int(s, k++, (int64_t)i + 1);
    store_bind_text(s, k++, section);
    store_bind_text(s, k++, title);
    store_bind_text(s, k++, lead);
    store_bind_text(s, k++, coord_text);
    store_bind_text(s, k++, tf);
    store_bind_text(s, k++, starts);
    store_bind_text(s, k++, ends);
    store_bind_int(s, k++, json_is_true(json_object_get(sch, "recurring")));
    store_bind_int(s, k++, report);
    int r;
    if (id) {
      store_bind_int(s, k++, id);
      r = store_step(s);
      store_reset(s);
      n->tasks_kept++;
    } else {
      store_bind_int(s, k++, now);
      r = store_insert_id(s, &id);
      n->tasks_new++;
    }
    free(coord_text);
    if (r != STORE_DONE) {
      fail_msg(err, errlen, "plan task", w);
      goto fail;
    }
    /* Which names the task has, as the document says (written again each load). */
    s = store_prepare(w, &q_task_units_clear);
    if (!s) goto fail;
    store_bind_int(s, 1, id);
    r = store_step(s);
    store_reset(s);
    if (r != STORE_DONE) goto fail;
    int64_t nid = name_id_of(w, lead, defaults_of(doc, lead), ward_id, ward_path, now, n, err, errlen);
    if (nid <= 0 || link_name(w, id, nid, "lead", err, errlen) != 0) goto fail;
    size_t j;
    json_t *c;
    json_array_foreach(coord, j, c) {
      const char *cn = json_string_value(c);
      if (!cn) goto fail;
      nid = name_id_of(w, cn, defaults_of(doc, cn), ward_id, ward_path, now, n, err, errlen);
      if (nid <= 0 || link_name(w, id, nid, "coordinating", err, errlen) != 0) goto fail;
    }
  }
  rc = 0;
fail:
  if (rc != 0 && !err[0]) fail_msg(err, errlen, "plan", w);
  free(ward_path);
  json_decref(doc);
  return rc;
}

/* ---- reading ---- */
static json_t *task_row(store_stmt *s, int64_t today) {
  plan_schedule sch = {.starts_day = plan_day_parse(store_col_text(s, 7)),
                       .ends_day = store_col_is_null(s, 8) ? -1 : plan_day_parse(store_col_text(s, 8)),
                       .recurring = store_col_int(s, 9) != 0,
                       .report_days = (int)store_col_int(s, 10)};
  plan_progress pg = {.last_day = store_col_is_null(s, 12) ? -1 : plan_day_of(store_col_int(s, 12)),
                      .last_done = !store_col_is_null(s, 13) && store_col_int(s, 13) != 0};
  const char *why = NULL;
  plan_status st = plan_status_of(&sch, &pg, today, &why);
  json_t *coord = json_loads(store_col_text(s, 5) ? store_col_text(s, 5) : "[]", 0, NULL);
  char last[32] = "";
  if (!store_col_is_null(s, 12)) clock_iso8601(store_col_int(s, 12), last, sizeof last);
  json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:i, s:I, s:o}",
                        "id", (json_int_t)store_col_int(s, 0), "code", store_col_text(s, 1), "section",
                        store_col_text(s, 2), "title", store_col_text(s, 3), "lead_unit", store_col_text(s, 4),
                        "coordinating_units", coord ? coord : json_array(), "timeframe", store_col_text(s, 6),
                        "status", plan_status_code(st), "status_label", plan_status_label(st), "status_reason", why,
                        "starts_on", store_col_text(s, 7), "ends_on", store_col_is_null(s, 8) ? "" : store_col_text(s, 8),
                        "recurring", store_col_int(s, 9) != 0, "report_days",
                        (int)store_col_int(s, 10), "updates_count", (json_int_t)store_col_int(s, 11), "last_update_at",
                        last[0] ? json_string(last) : json_null());
  if (o && store_col_is_null(s, 8)) json_object_set_new(o, "ends_on", json_null());
  return o;
}

int plan_tasks_list(store_conn *c, int64_t now, json_t **items, app_err *e) {
  *items = json_array();
  store_stmt *s = *items ? store_prepare(c, &q_list) : NULL;
  if (!s) goto fail;
  int64_t today = plan_day_of(now);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    json_t *o = task_row(s, today);
    if (!o || json_array_append_new(*items, o) != 0) {
      store_reset(s);
      goto fail;
    }
  }
  store_reset(s);
  if (rc == STORE_DONE) return 0;
fail:
  json_decref(*items);
  *items = NULL;
  return APP_INTERNAL(e);
}

/* The task's names by role, each with the ward's units it stands for. */
static int task_names(store_conn *c, int64_t id, json_t **out) {
  *out = json_array();
  store_stmt *s = *out ? store_prepare(c, &q_task_names) : NULL;
  if (!s) return -1;
  store_bind_int(s, 1, id);
  int rc;
  json_t *cur = NULL;
  int64_t cur_id = 0;
  const char *cur_role = NULL;
  char role_buf[16] = "";
  while ((rc = store_step(s)) == STORE_ROW) {
    int64_t nid = store_col_int(s, 1);
    const char *role = store_col_text(s, 0);
    if (!cur || nid != cur_id || strcmp(role, cur_role) != 0) {
      cur = json_pack("{s:s, s:I, s:s, s:[]}", "role", role, "name_id", (json_int_t)nid, "name", store_col_text(s, 2),
                      "units");
      if (!cur || json_array_append_new(*out, cur) != 0) break;
      cur_id = nid;
      snprintf(role_buf, sizeof role_buf, "%s", role);
      cur_role = role_buf;
    }
    if (!store_col_is_null(s, 3))
      json_array_append_new(json_object_get(cur, "units"), json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(s, 3),
                                                                     "name", store_col_text(s, 4)));
  }
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

static int task_updates(store_conn *c, int64_t id, json_t **out) {
  *out = json_array();
  json_t *files = NULL, *links = json_object();
  app_err e = {0};
  if (!*out || !links || attachments_of_owner(c, ATTACH_OWNER_PLAN_TASK, id, &files, &e) != 0) goto fail;
  store_stmt *s = store_prepare(c, &q_update_files);
  if (!s) goto fail;
  store_bind_int(s, 1, id);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    char uk[24], ak[24];
    snprintf(uk, sizeof uk, "%lld", (long long)store_col_int(s, 0));
    snprintf(ak, sizeof ak, "%lld", (long long)store_col_int(s, 1));
    json_t *list = json_object_get(links, uk);
    if (!list) {
      list = json_array();
      json_object_set_new(links, uk, list);
    }
    json_t *f = json_object_get(files, ak);
    if (f) json_array_append(list, f);
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  s = store_prepare(c, &q_updates);
  if (!s) goto fail;
  store_bind_int(s, 1, id);
  while ((rc = store_step(s)) == STORE_ROW) {
    char at[32], uk[24];
    clock_iso8601(store_col_int(s, 8), at, sizeof at);
    snprintf(uk, sizeof uk, "%lld", (long long)store_col_int(s, 0));
    json_t *figs = json_loads(store_col_text(s, 4) ? store_col_text(s, 4) : "[]", 0, NULL);
    json_t *att = json_object_get(links, uk);
    json_t *o = json_pack("{s:I, s:o, s:o, s:s, s:o, s:b, s:o, s:o, s:s, s:o}", "id", (json_int_t)store_col_int(s, 0),
                          "unit_id", store_col_is_null(s, 1) ? json_null() : json_integer(store_col_int(s, 1)),
                          "unit_name", store_col_is_null(s, 2) ? json_null() : json_string(store_col_text(s, 2)),
                          "body", store_col_text(s, 3), "figures", figs ? figs : json_array(), "done",
                          store_col_int(s, 5) != 0, "created_by",
                          store_col_is_null(s, 6) ? json_null() : json_integer(store_col_int(s, 6)), "created_by_name",
                          store_col_is_null(s, 7) ? json_null() : json_string(store_col_text(s, 7)), "created_at", at,
                          "attachments", att ? json_incref(att) : json_array());
    if (!o || json_array_append_new(*out, o) != 0) {
      store_reset(s);
      goto fail;
    }
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  json_decref(files);
  json_decref(links);
  return 0;
fail:
  json_decref(files);
  json_decref(links);
  return -1;
}

int plan_task_get(store_conn *c, int64_t id, int64_t now, json_t **out, app_err *e) {
  *out = NULL;
  store_stmt *s = store_prepare(c, &q_get);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) *out = task_row(s, plan_day_of(now));
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có nhiệm vụ này trong kế hoạch.");
  if (!*out) return APP_INTERNAL(e);
  json_t *names = NULL, *updates = NULL;
  if (task_names(c, id, &names) != 0 || task_updates(c, id, &updates) != 0) {
    json_decref(names);
    json_decref(updates);
    json_decref(*out);
    *out = NULL;
    return APP_INTERNAL(e);
  }
  json_object_set_new(*out, "units", names);
  json_object_set_new(*out, "updates", updates);
  return 0;
}

int plan_task_reach(store_conn *c, int64_t task_id, arena *a, plan_reach *out, app_err *e) {
  memset(out, 0, sizeof *out);
  store_stmt *s = store_prepare(c, &q_reach_task);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, task_id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    out->ward_id = store_col_int(s, 0);
    out->ward_path = arena_strdup(a, store_col_text(s, 1));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có nhiệm vụ này trong kế hoạch.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  s = store_prepare(c, &q_reach_units);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, task_id);
  int cap = 16;
  out->unit_ids = arena_alloc(a, sizeof *out->unit_ids * (size_t)cap);
  out->paths = arena_alloc(a, sizeof *out->paths * (size_t)cap);
  while ((rc = store_step(s)) == STORE_ROW) {
    if (out->n == cap) {
      int64_t *ids = arena_alloc(a, sizeof *ids * (size_t)cap * 2);
      const char **ps = arena_alloc(a, sizeof *ps * (size_t)cap * 2);
      memcpy(ids, out->unit_ids, sizeof *ids * (size_t)cap);
      memcpy(ps, out->paths, sizeof *ps * (size_t)cap);
      out->unit_ids = ids;
      out->paths = ps;
      cap *= 2;
    }
    out->unit_ids[out->n] = store_col_int(s, 0);
    out->paths[out->n++] = arena_strdup(a, store_col_text(s, 1));
  }
  store_reset(s);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int plan_ward_reach(store_conn *c, arena *a, int64_t *ward_id, const char **path, app_err *e) {
  store_stmt *s = store_prepare(c, &q_reach_ward);
  if (!s) return APP_INTERNAL(e);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *ward_id = store_col_int(s, 0);
    *path = arena_strdup(a, store_col_text(s, 1));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", NULL, "Chưa nạp kế hoạch.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

/* ---- writing ---- */
static _Thread_local char fig_msg[320];

/* Checks the figures; a new compact JSON text (the caller frees) or NULL with e. */
static char *figures_text(json_t *figs, app_err *e) {
  if (!figs || json_is_null(figs)) return strdup("[]");
  if (!json_is_array(figs) || json_array_size(figs) > PLAN_FIGURES_MAX) {
    app_fail(e, 400, "invalid_value", "figures", "Số liệu phải là một danh sách, tối đa 20 mục.");
    return NULL;
  }
  json_t *clean = json_array();
  size_t i;
  json_t *f;
  json_array_foreach(figs, i, f) {
    json_t *label = json_object_get(f, "label"), *value = json_object_get(f, "value"), *unit = json_object_get(f, "unit");
    const char *l = json_string_value(label), *u = json_string_value(unit);
    size_t ll = l ? utf8_length(l, strlen(l)) : 0;
    bool ok = json_is_object(f) && l && ll >= 1 && ll <= 100 && json_is_number(value) &&
              isfinite(json_number_value(value)) && (!unit || (u && utf8_length(u, strlen(u)) <= 30)) &&
              json_object_size(f) <= 3 && text_name_check(l) == TEXT_NAME_OK && (!u || !*u || text_name_check(u) == TEXT_NAME_OK);
    if (!ok) {
      snprintf(fig_msg, sizeof fig_msg,
               "Số liệu thứ %zu không hợp lệ: cần tên (label, tối đa 100 ký tự), giá trị là số (value) và đơn vị tính (unit, tùy chọn).",
               i + 1);
      json_decref(clean);
      app_fail(e, 400, "invalid_value", "figures", fig_msg);
      return NULL;
    }
    json_t *o = json_pack("{s:s, s:O}", "label", l, "value", value);
    if (o && u && *u) json_object_set_new(o, "unit", json_string(u));
    json_array_append_new(clean, o);
  }
  char *t = json_dumps(clean, JSON_COMPACT);
  json_decref(clean);
  if (!t) APP_INTERNAL(e);
  return t;
}

static bool blank(const char *s) {
  for (; s && *s; s++)
    if (!strchr(" \t\r\n", *s)) return false;
  return true;
}

int plan_update_add(store_conn *w, int64_t task_id, const plan_update_in *in, int64_t by_user, int64_t now, int64_t *id,
                    app_err *e) {
  store_stmt *s = store_prepare(w, &q_task_exists);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, task_id);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có nhiệm vụ này trong kế hoạch.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (blank(in->body)) return app_fail(e, 400, "missing_field", "body", "Hãy ghi nội dung đã thực hiện.");
  if (utf8_length(in->body, strlen(in->body)) > PLAN_BODY_MAX)
    return app_fail(e, 400, "invalid_value", "body", "Nội dung dài tối đa 4000 ký tự.");
  if (in->attachment_ids && !json_is_array(in->attachment_ids))
    return app_fail(e, 400, "invalid_value", "attachment_ids", "Tệp đính kèm phải là danh sách mã tệp.");
  char *figs = figures_text(in->figures, e);
  if (!figs) return -1;
  s = store_prepare(w, &q_update_insert);
  if (!s) {
    free(figs);
    return APP_INTERNAL(e);
  }
  store_bind_int(s, 1, task_id);
  store_bind_id(s, 2, in->unit_id);
  store_bind_text(s, 3, in->body);
  store_bind_text(s, 4, figs);
  store_bind_int(s, 5, in->done ? 1 : 0);
  store_bind_id(s, 6, by_user);
  store_bind_int(s, 7, now);
  rc = store_insert_id(s, id);
  free(figs);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  size_t i;
  json_t *v;
  arena a;
  arena_init(&a);
  json_array_foreach(in->attachment_ids, i, v) {
    attachment_reach ar;
    app_err ae = {0};
    if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
        attachments_reach(w, json_integer_value(v), &a, &ar, &ae) != 0 || strcmp(ar.owner_kind, ATTACH_OWNER_PLAN_TASK) != 0 ||
        ar.owner_id != task_id || ar.created_by != by_user) {
      arena_free(&a);
      if (ae.status == 500) return APP_INTERNAL(e);
      return app_fail(e, 400, "invalid_value", "attachment_ids",
                      "Tệp đính kèm không có, hoặc không phải tệp bạn vừa gửi lên cho nhiệm vụ này.");
    }
    s = store_prepare(w, &q_link_insert);
    if (!s) {
      arena_free(&a);
      return APP_INTERNAL(e);
    }
    store_bind_int(s, 1, *id);
    store_bind_int(s, 2, json_integer_value(v));
    rc = store_step(s);
    int64_t changed = store_changes(s);
    store_reset(s);
    if (rc != STORE_DONE) {
      arena_free(&a);
      return APP_INTERNAL(e);
    }
    if (changed == 0) {
      arena_free(&a);
      return app_fail(e, 409, "conflict", "attachment_ids", "Tệp đính kèm này đã thuộc một báo cáo khác.");
    }
  }
  arena_free(&a);
  return 0;
}

int plan_units_list(store_conn *c, json_t **items, app_err *e) {
  *items = json_array();
  json_t *by = json_object();
  store_stmt *s = *items && by ? store_prepare(c, &q_names_all) : NULL;
  if (!s) goto fail;
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    char k[24];
    snprintf(k, sizeof k, "%lld", (long long)store_col_int(s, 0));
    json_t *cur = json_object_get(by, k);
    if (!cur) {
      cur = json_pack("{s:I, s:s, s:[], s:[]}", "id", (json_int_t)store_col_int(s, 0), "name", store_col_text(s, 1),
                      "units", "tasks");
      if (!cur) break;
      json_object_set_new(by, k, cur);
      json_array_append(*items, cur);
    }
    if (!store_col_is_null(s, 2))
      json_array_append_new(json_object_get(cur, "units"), json_pack("{s:I, s:s}", "id", (json_int_t)store_col_int(s, 2),
                                                                     "name", store_col_text(s, 3)));
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  s = store_prepare(c, &q_names_tasks);
  if (!s) goto fail;
  while ((rc = store_step(s)) == STORE_ROW) {
    char k[24];
    snprintf(k, sizeof k, "%lld", (long long)store_col_int(s, 0));
    json_t *cur = json_object_get(by, k);
    if (cur) json_array_append_new(json_object_get(cur, "tasks"), json_string(store_col_text(s, 1)));
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  json_decref(by);
  return 0;
fail:
  json_decref(by);
  json_decref(*items);
  *items = NULL;
  return APP_INTERNAL(e);
}

int plan_units_set(store_conn *w, int64_t name_id, json_t *unit_ids, int64_t by_user, int64_t now, app_err *e) {
  store_stmt *s = store_prepare(w, &q_name_exists);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, name_id);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không có tên đơn vị này trong kế hoạch.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  arena a;
  arena_init(&a);
  int64_t ward = 0;
  const char *ward_path = NULL;
  if (plan_ward_reach(w, &a, &ward, &ward_path, e) != 0) {
    arena_free(&a);
    return -1;
  }
  s = store_prepare(w, &q_map_clear);
  if (!s) goto internal;
  store_bind_int(s, 1, name_id);
  rc = store_step(s);
  store_reset(s);
  if (rc != STORE_DONE) goto internal;
  size_t i;
  json_t *v;
  json_array_foreach(unit_ids, i, v) {
    const char *path = NULL;
    app_err ue = {0};
    if (!json_is_integer(v) || json_integer_value(v) <= 0 || units_path(w, json_integer_value(v), &a, &path, &ue) != 0 ||
        !scope_path_within(path, ward_path)) {
      arena_free(&a);
      if (ue.status == 500) return APP_INTERNAL(e);
      return app_fail(e, 400, "invalid_value", "unit_ids", "Có đơn vị không tồn tại hoặc không thuộc phường của kế hoạch.");
    }
    s = store_prepare(w, &q_map_insert);
    if (!s) goto internal;
    store_bind_int(s, 1, name_id);
    store_bind_int(s, 2, json_integer_value(v));
    rc = store_step(s);
    store_reset(s);
    if (rc != STORE_DONE) goto internal;
  }
  s = store_prepare(w, &q_name_touch);
  if (!s) goto internal;
  store_bind_id(s, 1, by_user);
  store_bind_int(s, 2, now);
  store_bind_int(s, 3, name_id);
  rc = store_step(s);
  store_reset(s);
  if (rc != STORE_DONE) goto internal;
  arena_free(&a);
  return 0;
internal:
  arena_free(&a);
  return APP_INTERNAL(e);
}

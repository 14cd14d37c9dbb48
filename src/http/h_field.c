/* h_field.c: Tổ công nghệ số cộng đồng over HTTP (field.h): topics, teams and their members,
 * worklists, coverage, finding a household, recording and reading door-to-door visits, the team's
 * report (JSON, or an Excel workbook written whole and sent from its descriptor).
 * Every write is audited in its own transaction; reading a household's visits (names of the
 * residents present) is logged as a read of the household. Holds no SQL and no permission check
 * (the route table's rows and the dispatcher's SCOPE_FIELD_TEAM / SCOPE_HOUSEHOLD do). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/field.h"
#include "domain/people.h"
#include "http/handlers.h"
#include "util/clock.h"
#include "util/log.h"

static json_t *outcomes_json(void) {
  json_t *a = json_array();
  for (int i = 0; a && i < field_outcomes_count; i++)
    json_array_append_new(a, json_pack("{s:s, s:s}", "code", field_outcomes[i].code, "label", field_outcomes[i].label));
  return a;
}

int h_field_topics(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (field_topics_list(c, &items, &r->err) != 0) return -1;
  return req_ok(r, 200, json_pack("{s:o, s:o}", "items", items, "outcomes", outcomes_json()));
}

int h_field_topics_create(req *r) {
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  int64_t id = 0;
  if (field_topics_create(w, req_str(r, "code"), req_str(r, "label"), r->who->user_id, clock_now(), &id, &r->err) != 0)
    return -1;
  json_t *items = NULL;
  if (req_audit(r, "field.topic.create", "field_topic", id, 0, json_pack("{s:s?}", "label", req_str(r, "label"))) != 0 ||
      field_topics_list(w, &items, &r->err) != 0 || store_commit(w) != STORE_OK) {
    json_decref(items);
    return APP_INTERNAL(&r->err);
  }
  json_t *mine = NULL, *t;
  size_t i;
  json_array_foreach(items, i, t) if (json_integer_value(json_object_get(t, "id")) == id) mine = json_incref(t);
  json_decref(items);
  return mine ? req_ok(r, 201, mine) : APP_INTERNAL(&r->err);
}

int h_field_teams_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  int page, per_page;
  req_paging(r, &page, &per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (field_teams_list(c, &sc, req_qint(r, "unit_id", 0), page, per_page, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_field_teams_create(req *r) {
  int64_t unit_id = req_int(r, "unit_id", 0), id = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (field_teams_create(w, unit_id, req_str(r, "name"), r->who->user_id, clock_now(), &id, &r->err) != 0) return -1;
  json_t *o = NULL;
  if (req_audit(r, "field.team.create", "field_team", id, unit_id, json_pack("{s:s?}", "name", req_str(r, "name"))) != 0 ||
      field_team_get(w, id, &o, &r->err) != 0 || store_commit(w) != STORE_OK) {
    json_decref(o);
    return r->err.status ? -1 : APP_INTERNAL(&r->err);
  }
  return req_ok(r, 201, o);
}

int h_field_team_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (field_team_get(c, req_param(r, 0), &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_field_team_members_add(req *r) {
  int64_t team = req_param(r, 0), person = req_int(r, "person_id", 0);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  bool created = false;
  if (field_team_add_member(w, team, person, req_str(r, "team_role"), r->who->user_id, clock_now(), &created, &r->err) != 0)
    return -1;
  json_t *o = NULL;
  if (req_audit(r, created ? "field.member.add" : "field.member.update", "field_team", team, 0,
                json_pack("{s:I, s:s}", "person_id", (json_int_t)person, "role",
                          req_str(r, "team_role") ? req_str(r, "team_role") : "member")) != 0 ||
      field_team_get(w, team, &o, &r->err) != 0 || store_commit(w) != STORE_OK) {
    json_decref(o);
    return r->err.status ? -1 : APP_INTERNAL(&r->err);
  }
  return req_ok(r, created ? 201 : 200, o);
}

int h_field_team_members_remove(req *r) {
  int64_t team = req_param(r, 0), person = req_param(r, 1);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (field_team_remove_member(w, team, person, r->who->user_id, clock_now(), &r->err) != 0) return -1;
  json_t *o = NULL;
  if (req_audit(r, "field.member.remove", "field_team", team, 0, json_pack("{s:I}", "person_id", (json_int_t)person)) != 0 ||
      field_team_get(w, team, &o, &r->err) != 0 || store_commit(w) != STORE_OK) {
    json_decref(o);
    return r->err.status ? -1 : APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

int h_field_worklist(req *r) {
  int64_t team = req_param(r, 0);
  const char *list = req_qstr(r, "list");
  int page, per_page;
  req_paging(r, &page, &per_page);
  bool residents = list && strcmp(list, "residents") == 0;
  if (list && !residents && strcmp(list, "households") != 0)
    return req_fail(r, 400, "invalid_value", "list", "Danh sách là households (hộ chưa đến) hoặc residents (người còn bị bỏ lại).");
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  int rc = residents ? field_worklist_residents(c, team, groups_date_key(clock_now()), page, per_page, &items, &total,
                                                &r->err)
                     : field_worklist_households(c, team, page, per_page, &items, &total, &r->err);
  if (rc != 0) return -1;
  return req_ok(r, 200,
                json_pack("{s:s, s:o, s:i, s:i, s:I}", "list", residents ? "residents" : "households", "items", items,
                          "page", page, "per_page", per_page, "total", (json_int_t)total));
}

int h_field_coverage(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (field_coverage(c, &sc, req_qint(r, "unit_id", 0), &items, &r->err) != 0) return -1;
  int64_t hh = 0, visited = 0;
  size_t i;
  json_t *t;
  json_array_foreach(items, i, t) {
    hh += json_integer_value(json_object_get(t, "households"));
    visited += json_integer_value(json_object_get(t, "visited"));
  }
  return req_ok(r, 200,
                json_pack("{s:o, s:I, s:I, s:f}", "items", items, "households", (json_int_t)hh, "visited",
                          (json_int_t)visited, "share", hh ? (double)visited / (double)hh : 0.0));
}

int h_field_households_find(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (field_households_find(c, req_qint(r, "unit_id", 0), req_qstr(r, "q"), &items, &r->err) != 0) return -1;
  return req_ok(r, 200, json_pack("{s:o}", "items", items));
}

int h_household_visits_add(req *r) {
  int64_t hh = req_param(r, 0);
  field_visit_input in = {.visited_on = req_str(r, "visited_on"),
                          .note = req_str(r, "note"),
                          .topics = json_object_get(r->body, "topics"),
                          .present = json_object_get(r->body, "present")};
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  field_visit_saved v;
  buf answer; /* the visit as JSON text (field_visit_record): no tree built and dumped again */
  buf_init(&answer);
  if (field_visit_record(w, hh, &in, r->who->user_id, r->who->display_name, clock_now(), &v, &answer, &r->err) != 0) {
    buf_free(&answer);
    field_visit_saved_free(&v);
    return -1;
  }
  char day[16];
  snprintf(day, sizeof day, "%04d-%02d-%02d", (int)(v.visited_on / 10000), (int)(v.visited_on / 100 % 100),
           (int)(v.visited_on % 100));
  json_t *detail = json_pack("{s:I, s:s, s:i}", "visit_id", (json_int_t)v.id, "visited_on", day, "present", v.present);
  /* The entry's names as its own look-up would read them: the caller's display name (the principal's,
   * dropped from the cache by a change of name), a household has none, the tổ's name and path read
   * by the visit's first statement. */
  audit_names names = {.actor_name = r->who->display_name, .unit_name = v.unit_name, .unit_path = v.unit_path};
  int rc = req_audit_named(r, "field.visit.create", "household", hh, v.unit_id, &names, detail);
  field_visit_saved_free(&v);
  if (rc != 0 || store_commit(w) != STORE_OK) {
    buf_free(&answer);
    return APP_INTERNAL(&r->err);
  }
  return req_ok_text(r, 201, &answer);
}

int h_household_visits(req *r) {
  int64_t hh = req_param(r, 0), unit_id = 0;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (field_household_visits(c, hh, &items, &r->err) != 0) return -1;
  const char *path = NULL;
  if (households_reach(c, hh, &r->a, &unit_id, &path, &r->err) != 0) {
    json_decref(items);
    return -1;
  }
  /* The residents present are named: the read is logged. */
  if (req_begin(r) != 0 ||
      req_audit(r, "household.read", "household", hh, unit_id, json_pack("{s:s}", "what", "visits")) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(items);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, json_pack("{s:o}", "items", items));
}

/* The report's period from the query: its kind and a date key in it (today by default). */
static int64_t report_day(req *r) {
  const char *d = req_qstr(r, "date"); /* YYYY-MM-DD: checked by the route's FT_DATE */
  int64_t key = 0;
  for (int i = 0; d && i < 10 && d[i]; i++)
    if (d[i] >= '0' && d[i] <= '9') key = key * 10 + (d[i] - '0');
  return key >= 19000101 ? key : groups_date_key(clock_now());
}

int h_field_team_report(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (field_team_report(c, req_param(r, 0), req_qstr(r, "period"), report_day(r), &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

int h_field_team_report_xlsx(req *r) {
  if (req_same_origin(r) != 0) return -1;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  int64_t team = req_param(r, 0);
  json_t *o = NULL;
  if (field_team_report(c, team, req_qstr(r, "period"), report_day(r), &o, &r->err) != 0) return -1;
  /* Written whole into the data directory, unlinked at once, sent from its descriptor. */
  char path[1200];
  snprintf(path, sizeof path, "%s/field-report-XXXXXX.xlsx", r->app->cfg.data);
  int tmpfd = mkstemps(path, 5);
  if (tmpfd < 0) {
    json_decref(o);
    log_error("field report: cannot create a file in %s: %s", r->app->cfg.data, strerror(errno));
    return APP_INTERNAL(&r->err);
  }
  close(tmpfd);
  int rc = field_report_xlsx(o, path, r->app->cfg.data, &r->err);
  int fd = rc == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
  unlink(path);
  struct stat st;
  if (rc != 0 || fd < 0 || fstat(fd, &st) != 0) {
    if (fd >= 0) close(fd);
    json_decref(o);
    return rc != 0 ? -1 : APP_INTERNAL(&r->err);
  }
  /* The file leaves the system with residents' counts and the helpers' names: logged. */
  json_t *detail = json_pack("{s:O, s:O, s:O}", "period", json_object_get(o, "period"), "from", json_object_get(o, "from"),
                             "to", json_object_get(o, "to"));
  int64_t unit = json_integer_value(json_object_get(json_object_get(o, "team"), "unit_id"));
  char name[160], file[200];
  snprintf(name, sizeof name, "Báo cáo tổ công nghệ số %s %s.xlsx", json_string_value(json_object_get(o, "from")),
           json_string_value(json_object_get(o, "period")));
  snprintf(file, sizeof file, "bao-cao-to-cong-nghe-so-%lld-%s.xlsx", (long long)team,
           json_string_value(json_object_get(o, "from")));
  json_decref(o);
  if (req_begin(r) != 0 || req_audit(r, "field.report.export", "field_team", team, unit, detail) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    close(fd);
    return APP_INTERNAL(&r->err);
  }
  req_attachment(r, file, name);
  return req_send_file(r, XLSX_TYPE, fd, (uint64_t)st.st_size);
}

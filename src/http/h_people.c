/* h_people.c: the registry's people and households over HTTP. Every staff read of one person's
 * record and every change writes an audit entry in the same transaction; lists do not, but a
 * search by CCCD does (without the number). */
#include <string.h>

#include "domain/people.h"
#include "http/handlers.h"
#include "util/jsonx.h"

/* The names of the body's fields, for an audit entry: which fields changed, never their values
 * (a CCCD or a phone number has no place in the log). */
static json_t *field_names(const json_t *body) {
  json_t *a = json_array();
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)body, k, v) json_array_append_new(a, json_string(k));
  return a;
}

static void input_of(req *r, person_input *in) {
  memset(in, 0, sizeof *in);
  in->full_name = req_str(r, "full_name");
  in->birth_date = req_str(r, "birth_date");
  in->sex = req_str(r, "sex");
  in->cccd = req_str(r, "cccd");
  in->phone = req_str(r, "phone");
  in->relation = req_str(r, "relation");
  int64_t hh = req_int(r, "household_id", -1);
  in->household_set = hh >= 0;
  in->household_id = hh > 0 ? hh : 0;
  in->vneid_level = (int)req_int(r, "vneid_level", -1);
  in->vneid_since = req_str(r, "vneid_since");
  in->unit_id = req_int(r, "unit_id", 0);
}

/* The record as the caller may see it, answered with `status`. */
static int answer_person(req *r, store_conn *c, int64_t id, int status) {
  json_t *o = NULL;
  int64_t unit_id = 0;
  if (people_get_for(c, &r->app->keys, id, r->who, false, &r->a, &o, &unit_id, &r->err) != 0) return -1;
  return req_ok(r, status, o);
}

int h_residents_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  people_query q = {.q = req_qstr(r, "q"),
                    .unit_id = req_qint(r, "unit_id", 0),
                    .group = req_qstr(r, "group"),
                    .age_min = (int)req_qint(r, "age_min", -1),
                    .age_max = (int)req_qint(r, "age_max", -1),
                    .sex = req_qstr(r, "sex"),
                    .vneid_level = (int)req_qint(r, "vneid_level", -1),
                    .household_id = req_qint(r, "household_id", 0),
                    .broad = people_scope_broad(r->who, CAP_PEOPLE_READ),
                    .root = people_scope_root(r->who, CAP_PEOPLE_READ)};
  req_paging(r, &q.page, &q.per_page);
  int64_t total = 0;
  people_q_kind kind = PEOPLE_Q_NONE;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  /* The page is written straight into the reply (the list an officer opens most). */
  buf b;
  buf_init(&b);
  buf_puts(&b, "{\"items\":");
  if (people_list_write(c, &r->app->keys, &sc, &q, &b, &total, &kind, &r->err) != 0) {
    buf_free(&b);
    return -1;
  }
  if (kind == PEOPLE_Q_CCCD) {
    /* A search by CCCD is a look-up of one person: logged, without the number. */
    if (req_begin(r) != 0 ||
        req_audit(r, "person.search", "person", 0, 0, json_pack("{s:s, s:I}", "by", "cccd", "found", (json_int_t)total)) != 0 ||
        store_commit(req_dbw(r)) != STORE_OK) {
      buf_free(&b);
      return APP_INTERNAL(&r->err);
    }
  }
  buf_puts(&b, ",\"page\":");
  jsonx_put_int(&b, q.page);
  buf_puts(&b, ",\"per_page\":");
  jsonx_put_int(&b, q.per_page);
  buf_puts(&b, ",\"total\":");
  if (total >= 0) jsonx_put_int(&b, total);
  else buf_puts(&b, "null");
  buf_putc(&b, '}');
  return req_ok_text(r, 200, &b);
}

int h_residents_get(req *r) {
  int64_t id = req_param(r, 0), unit_id = 0;
  json_t *o = NULL;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  if (people_get_for(c, &r->app->keys, id, r->who, false, &r->a, &o, &unit_id, &r->err) != 0) return -1;
  json_t *detail = json_pack("{s:O}", "cccd", json_object_get(o, "cccd_shown"));
  if (req_begin(r) != 0 || req_audit(r, "person.read", "person", id, unit_id, detail) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

int h_residents_create(req *r) {
  person_input in;
  input_of(r, &in);
  int64_t id = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (people_create(w, &r->app->keys, &in, &id, &r->err) != 0) return -1; /* the dispatcher rolls back */
  json_t *cdetail = json_pack("{s:o}", "fields", field_names(r->body));
  /* the day a VNeID level was dated from: what the figures of past dates now say */
  if (cdetail && in.vneid_since && *in.vneid_since) json_object_set_new(cdetail, "vneid_since", json_string(in.vneid_since));
  if (req_audit(r, "person.create", "person", id, in.unit_id, cdetail) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return answer_person(r, w, id, 201);
}

int h_residents_update(req *r) {
  person_input in;
  input_of(r, &in);
  int64_t id = req_param(r, 0), old_unit = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (people_update(w, &r->app->keys, id, &in, &old_unit, &r->err) != 0) return -1;
  json_t *detail = json_pack("{s:o}", "fields", field_names(r->body));
  if (in.unit_id && in.unit_id != old_unit) {
    json_object_set_new(detail, "from_unit_id", json_integer(old_unit));
    json_object_set_new(detail, "unit_id", json_integer(in.unit_id));
  }
  if (detail && in.vneid_since && *in.vneid_since) json_object_set_new(detail, "vneid_since", json_string(in.vneid_since));
  if (req_audit(r, "person.update", "person", id, in.unit_id ? in.unit_id : old_unit, detail) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return answer_person(r, w, id, 200);
}

/* The police's one change of a record (identity.write): its VNeID level, with the day reached. */
int h_residents_vneid(req *r) {
  person_input in;
  memset(&in, 0, sizeof in);
  in.vneid_level = (int)req_int(r, "vneid_level", -1);
  in.vneid_since = req_str(r, "vneid_since");
  int64_t id = req_param(r, 0), old_unit = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (people_update(w, &r->app->keys, id, &in, &old_unit, &r->err) != 0) return -1;
  json_t *detail = json_pack("{s:i}", "vneid_level", in.vneid_level);
  if (detail && in.vneid_since && *in.vneid_since) json_object_set_new(detail, "vneid_since", json_string(in.vneid_since));
  if (req_audit(r, "person.vneid", "person", id, old_unit, detail) != 0 || store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return answer_person(r, w, id, 200);
}

int h_residents_delete(req *r) {
  int64_t id = req_param(r, 0), unit_id = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  int days = r->app->cfg.retention_days;
  if (people_delete(w, id, days, &unit_id, &r->err) != 0) return -1;
  /* The record stays until its purge, so the entry still gets the person's name. */
  if (req_audit(r, "person.delete", "person", id, unit_id, json_pack("{s:i}", "retention_days", days)) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  r->status = 204;
  return 0;
}

int h_residents_add_membership(req *r) {
  int64_t id = req_param(r, 0), unit_id = req_int(r, "unit_id", 0), mid = 0;
  int grade = (int)req_int(r, "grade", 0);
  const char *kind = req_str(r, "kind");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (people_add_membership(w, id, unit_id, kind, grade, &mid, &r->err) != 0) return -1;
  json_t *detail = json_pack("{s:I, s:I, s:s}", "membership_id", (json_int_t)mid, "unit_id", (json_int_t)unit_id,
                             "kind", kind);
  if (grade) json_object_set_new(detail, "grade", json_integer(grade));
  if (req_audit(r, "person.membership_add", "person", id, unit_id, detail) != 0 || store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return answer_person(r, w, id, 201);
}

int h_households_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  household_query q = {.unit_id = req_qint(r, "unit_id", 0), .q = req_qstr(r, "q")};
  req_paging(r, &q.page, &q.per_page);
  json_t *items = NULL;
  int64_t total = 0;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  if (households_list(c, &sc, &q, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_households_get(req *r) {
  int64_t id = req_param(r, 0);
  json_t *o = NULL;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  if (households_get(c, id, &o, &r->err) != 0) return -1;
  /* The members are people's records (names, relations): the read is logged. */
  int64_t unit_id = json_integer_value(json_object_get(o, "unit_id"));
  if (req_begin(r) != 0 || req_audit(r, "household.read", "household", id, unit_id, NULL) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

int h_households_create(req *r) {
  int64_t id = 0, unit_id = req_int(r, "unit_id", 0);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (households_create(w, unit_id, req_str(r, "code"), req_str(r, "address"), &id, &r->err) != 0) return -1;
  json_t *o = NULL;
  if (req_audit(r, "household.create", "household", id, unit_id, json_pack("{s:o}", "fields", field_names(r->body))) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  if (households_get(w, id, &o, &r->err) != 0) return -1;
  return req_ok(r, 201, o);
}

int h_households_update(req *r) {
  int64_t id = req_param(r, 0);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (households_update(w, id, req_str(r, "code"), req_str(r, "address"), &r->err) != 0) return -1;
  json_t *o = NULL;
  if (households_get(w, id, &o, &r->err) != 0) return -1;
  int64_t unit_id = json_integer_value(json_object_get(o, "unit_id"));
  if (req_audit(r, "household.update", "household", id, unit_id, json_pack("{s:o}", "fields", field_names(r->body))) != 0 ||
      store_commit(w) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

int h_users_link_person(req *r) {
  int64_t uid = req_param(r, 0), pid = req_int(r, "person_id", 0);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (people_link_user(w, uid, pid, &r->err) != 0) return -1;
  if (req_audit(r, "user.link_person", "user", uid, 0, json_pack("{s:o}", "person_id", pid ? json_integer(pid) : json_null())) != 0 ||
      store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 200, json_pack("{s:I, s:o}", "user_id", (json_int_t)uid, "person_id",
                                  pid ? json_integer(pid) : json_null()));
}

int h_me_person(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  int64_t pid = people_of_user(c, r->who->user_id), unit_id = 0;
  if (pid < 0) return APP_INTERNAL(&r->err);
  if (pid == 0) return req_fail(r, 404, "not_found", NULL, "Tài khoản của bạn chưa được gắn với hồ sơ người dân nào.");
  json_t *o = NULL;
  if (people_get_for(c, &r->app->keys, pid, r->who, true, &r->a, &o, &unit_id, &r->err) != 0) return -1;
  if (req_begin(r) != 0 || req_audit(r, "person.read_self", "person", pid, unit_id, NULL) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

/* ---- deleted records (the dispatcher checked people.write: on the filter unit for the list, on
 * the deleted person's registering unit for a restore) ---- */
int h_residents_deleted_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_WRITE);
  int page, per_page;
  req_paging(r, &page, &per_page);
  json_t *items = NULL;
  int64_t total = 0;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  if (people_deleted_list(c, &sc, req_qint(r, "unit_id", 0), page, per_page, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_residents_restore(req *r) {
  int64_t id = req_param(r, 0), unit_id = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (people_restore(w, id, &unit_id, &r->err) != 0) return -1; /* the dispatcher rolls back */
  if (req_audit(r, "person.restore", "person", id, unit_id, NULL) != 0 || store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return answer_person(r, w, id, 200);
}

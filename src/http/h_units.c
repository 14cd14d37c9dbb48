/* h_units.c: the unit tree over HTTP. */
#include "domain/people.h"
#include "domain/units.h"
#include "http/handlers.h"

int h_units_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_UNITS_READ);
  unit_list_query q = {.parent_id = req_qint(r, "parent_id", 0), .q = req_qstr(r, "q")};
  req_paging(r, &q.page, &q.per_page);
  json_t *items = NULL;
  int64_t total = 0;
  store_conn *c = req_db(r);
  if (!c || units_list(c, &sc, &q, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_units_get(req *r) {
  json_t *u = NULL;
  /* The dispatcher's scope check read the unit with its ancestors: no second read. */
  if (r->unit && r->unit->id == req_param(r, 0)) {
    u = units_json(r->unit, 1);
    if (!u) return APP_INTERNAL(&r->err);
    return req_ok(r, 200, u);
  }
  if (units_get(req_db(r), req_param(r, 0), 1, &u, &r->err) != 0) return -1;
  return req_ok(r, 200, u);
}

int h_units_create(req *r) {
  int64_t id = 0, parent = req_int(r, "parent_id", 0);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (units_create(w, parent, req_str(r, "kind"), req_str(r, "name"), req_str(r, "code"), &id, &r->err) != 0)
    return -1; /* the dispatcher rolls back */
  json_t *up = NULL;
  if (units_get(w, parent, 0, &up, &r->err) != 0) return -1;
  json_t *detail = json_pack("{s:s, s:s, s:I, s:O}", "name", req_str(r, "name"), "kind", req_str(r, "kind"),
                             "parent_id", (json_int_t)parent, "parent", json_object_get(up, "name"));
  json_decref(up);
  if (req_audit(r, "unit.create", "unit", id, id, detail) != 0 || store_commit(w) != STORE_OK)
    return APP_INTERNAL(&r->err);
  json_t *u = NULL;
  if (units_get(w, id, 1, &u, &r->err) != 0) return -1;
  return req_ok(r, 201, u);
}

int h_units_update(req *r) {
  int64_t id = req_param(r, 0);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  /* Written first, so that the entry names the unit as it was; a refused change rolls it back. */
  json_t *detail = json_deep_copy(r->body);
  if (req_audit(r, "unit.update", "unit", id, id, detail) != 0) return APP_INTERNAL(&r->err);
  if (units_update(w, id, req_str(r, "name"), req_str(r, "kind"), req_str(r, "code"), &r->err) != 0) return -1;
  if (store_commit(w) != STORE_OK) return APP_INTERNAL(&r->err);
  json_t *u = NULL;
  if (units_get(w, id, 1, &u, &r->err) != 0) return -1;
  return req_ok(r, 200, u);
}

int h_units_move(req *r) {
  int64_t id = req_param(r, 0), parent = req_int(r, "parent_id", 0), old_parent = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  if (units_move(w, id, parent, &old_parent, &r->err) != 0) return -1;
  if (old_parent != parent) {
    /* The entry names both parents, as they are now (names change; ids say nothing to a reader). */
    json_t *from = NULL, *to = NULL;
    if (old_parent && units_get(w, old_parent, 0, &from, &r->err) != 0) return -1;
    if (units_get(w, parent, 0, &to, &r->err) != 0) {
      json_decref(from);
      return -1;
    }
    json_t *detail = json_pack("{s:I, s:O, s:I, s:O}", "from_parent_id", (json_int_t)old_parent, "from_parent",
                               from ? json_object_get(from, "name") : json_null(), "parent_id", (json_int_t)parent,
                               "parent", json_object_get(to, "name"));
    json_decref(from);
    json_decref(to);
    if (req_audit(r, "unit.move", "unit", id, id, detail) != 0) return APP_INTERNAL(&r->err);
  }
  if (store_commit(w) != STORE_OK) return APP_INTERNAL(&r->err);
  json_t *u = NULL;
  if (units_get(w, id, 1, &u, &r->err) != 0) return -1;
  return req_ok(r, 200, u);
}

int h_units_delete(req *r) {
  int64_t id = req_param(r, 0), parent = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  store_conn *w = req_dbw(r);
  json_t *u = NULL;
  if (units_get(w, id, 0, &u, &r->err) != 0) return -1;
  json_t *detail = json_pack("{s:O, s:O, s:O}", "name", json_object_get(u, "name"), "kind",
                             json_object_get(u, "kind"), "code", json_object_get(u, "code"));
  json_int_t parent_of = json_integer_value(json_object_get(u, "parent_id"));
  json_decref(u);
  /* Written first, so that the entry keeps the unit's name; on the parent's unit, which stays. */
  if (req_audit(r, "unit.delete", "unit", id, parent_of ? (int64_t)parent_of : id, detail) != 0)
    return APP_INTERNAL(&r->err);
  /* Say what keeps the unit, in the words of the registry, rather than a bare conflict. */
  people_unit_hold hold;
  if (people_unit_holds(w, id, &hold) != 0) return APP_INTERNAL(&r->err);
  if (hold.live)
    return req_fail(r, 409, "conflict", "id",
                    "Không xóa được: đơn vị còn người dân đăng ký. Hãy chuyển họ sang đơn vị khác trước.");
  if (hold.members)
    return req_fail(r, 409, "conflict", "id",
                    "Không xóa được: còn người làm việc, học tập hoặc buôn bán tại đơn vị này. Hãy xóa các nơi làm việc, học tập đó trong hồ sơ của họ trước.");
  if (hold.deleted)
    return req_fail(r, 409, "conflict", "id",
                    "Không xóa được lúc này: đơn vị còn hồ sơ người dân đã xóa đang trong thời hạn lưu giữ (xem trang “Hồ sơ đã xóa”). Đơn vị xóa được sau khi các hồ sơ đó được xóa hẳn.");
  if (hold.households)
    return req_fail(r, 409, "conflict", "id", "Không xóa được: đơn vị còn hộ gia đình đã đăng ký.");
  if (units_delete(w, id, &parent, &r->err) != 0) return -1;
  if (store_commit(w) != STORE_OK) return APP_INTERNAL(&r->err);
  r->status = 204;
  return 0;
}

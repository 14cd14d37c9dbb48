/* memberships.c: a person's ties to units (nơi làm việc, trường, chợ) and the account a person
 * owns (users.person_id); see people.h. Only this file writes SQL about memberships and links
 * accounts to people (people_delete, in people.c, unlinks the account of a deleted person). */
#include <string.h>

#include "domain/people.h"
#include "util/clock.h"

STORE_SQL(q_member_add, "INSERT INTO memberships (person_id, unit_id, kind, grade) VALUES (?, ?, ?, ?) RETURNING id");
STORE_SQL(q_member_dup, "SELECT 1 FROM memberships WHERE person_id = ? AND unit_id = ? AND kind = ?");
STORE_SQL(q_unit_kind, "SELECT kind FROM units WHERE id = ?");
STORE_SQL(q_link_taken, "SELECT id FROM users WHERE person_id = ? AND id <> ?");
STORE_SQL(q_user_exists, "SELECT 1 FROM users WHERE id = ?");
STORE_SQL(q_person_live, "SELECT 1 FROM people WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_link, "UPDATE users SET person_id = ?, updated_at = ? WHERE id = ?");
STORE_SQL(q_of_user, "SELECT p.id FROM users us JOIN people p ON p.id = us.person_id AND p.deleted_at IS NULL"
                     " WHERE us.id = ?");

static int step_done(store_stmt *s) {
  int rc = store_step(s);
  store_reset(s);
  return rc;
}

/* ---- memberships ---- */
int people_add_membership(store_conn *w, int64_t person_id, int64_t unit_id, const char *kind, int grade, int64_t *id,
                          app_err *e) {
  static const char *const kinds[] = {"staff", "student", "worker", "trader"};
  bool known = false;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) known = known || (kind && strcmp(kind, kinds[i]) == 0);
  if (!known)
    return app_fail(e, 400, "invalid_value", "kind",
                    "Loại quan hệ phải là staff (cán bộ), student (học sinh), worker (người lao động) hoặc trader (tiểu thương).");
  bool student = strcmp(kind, "student") == 0;
  if (student && (grade < 1 || grade > 12))
    return app_fail(e, 400, "invalid_value", "grade", "Học sinh phải có lớp từ 1 đến 12.");
  if (!student && grade) return app_fail(e, 400, "invalid_value", "grade", "Chỉ học sinh mới có lớp.");
  store_stmt *lp = store_prepare(w, &q_person_live);
  if (!lp) return APP_INTERNAL(e);
  store_bind_int(lp, 1, person_id);
  int live = step_done(lp);
  if (live == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy người này.");
  if (live != STORE_ROW) return APP_INTERNAL(e);
  store_stmt *k = store_prepare(w, &q_unit_kind);
  if (!k) return APP_INTERNAL(e);
  store_bind_int(k, 1, unit_id);
  int rc = store_step(k);
  bool school = rc == STORE_ROW && strncmp(store_col_text(k, 0), "school_", 7) == 0;
  store_reset(k);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "unit_id", "Không tìm thấy đơn vị.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (student && !school) return app_fail(e, 400, "invalid_value", "unit_id", "Học sinh phải thuộc một trường học.");
  store_stmt *d = store_prepare(w, &q_member_dup);
  if (!d) return APP_INTERNAL(e);
  store_bind_int(d, 1, person_id);
  store_bind_int(d, 2, unit_id);
  store_bind_text(d, 3, kind);
  rc = step_done(d);
  if (rc == STORE_ROW) return app_fail(e, 409, "conflict", "unit_id", "Người này đã có quan hệ này với đơn vị này.");
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  store_stmt *s = store_prepare(w, &q_member_add);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, person_id);
  store_bind_int(s, 2, unit_id);
  store_bind_text(s, 3, kind);
  if (grade) store_bind_int(s, 4, grade); else store_bind_null(s, 4);
  rc = store_insert_id(s, id);
  if (rc == STORE_CONSTRAINT) return app_fail(e, 409, "conflict", "unit_id", "Người này đã có quan hệ này với đơn vị này.");
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

/* ---- the account a person owns ---- */
int people_link_user(store_conn *w, int64_t user_id, int64_t person_id, app_err *e) {
  store_stmt *u = store_prepare(w, &q_user_exists);
  if (!u) return APP_INTERNAL(e);
  store_bind_int(u, 1, user_id);
  int rc = step_done(u);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy tài khoản.");
  if (rc != STORE_ROW) return APP_INTERNAL(e);
  if (person_id) {
    store_stmt *p = store_prepare(w, &q_person_live);
    if (!p) return APP_INTERNAL(e);
    store_bind_int(p, 1, person_id);
    rc = step_done(p);
    if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "person_id", "Không tìm thấy người này.");
    if (rc != STORE_ROW) return APP_INTERNAL(e);
    store_stmt *t = store_prepare(w, &q_link_taken);
    if (!t) return APP_INTERNAL(e);
    store_bind_int(t, 1, person_id);
    store_bind_int(t, 2, user_id);
    rc = step_done(t);
    if (rc == STORE_ROW)
      return app_fail(e, 409, "conflict", "person_id", "Người này đã được gắn với một tài khoản khác.");
    if (rc != STORE_DONE) return APP_INTERNAL(e);
  }
  store_stmt *s = store_prepare(w, &q_link);
  if (!s) return APP_INTERNAL(e);
  store_bind_id(s, 1, person_id);
  store_bind_int(s, 2, clock_now());
  store_bind_int(s, 3, user_id);
  rc = step_done(s);
  if (rc == STORE_CONSTRAINT)
    return app_fail(e, 409, "conflict", "person_id", "Người này đã được gắn với một tài khoản khác.");
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int64_t people_of_user(store_conn *c, int64_t user_id) {
  store_stmt *s = store_prepare(c, &q_of_user);
  if (!s) return -1;
  store_bind_int(s, 1, user_id);
  int rc = store_step(s);
  int64_t id = rc == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  return rc == STORE_ROW || rc == STORE_DONE ? id : -1;
}

/* units.c: the unit hierarchy (see units.h). Only this file writes SQL about units. */
#include "domain/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/authcache.h"
#include "util/clock.h"
#include "util/config.h"
#include "util/fold.h"
#include "util/utf8.h"

const unit_kind unit_kinds[] = {
    {"city", "Thành phố"},
    {"ward", "Phường"},
    {"commune", "Xã"},
    {"residential_group", "Tổ dân phố"},
    {"office", "Phòng, ban chuyên môn"},
    {"service_center", "Trung tâm phục vụ hành chính công"},
    {"public_center", "Trung tâm sự nghiệp"},
    {"police", "Công an"},
    {"school_kindergarten", "Trường mầm non"},
    {"school_primary", "Trường tiểu học"},
    {"school_lower_secondary", "Trường trung học cơ sở"},
    {"school_upper_secondary", "Trường trung học phổ thông"},
    {"enterprise", "Doanh nghiệp"},
    {"cooperative", "Hợp tác xã"},
    {"mass_organisation", "Mặt trận, đoàn thể"},
    {"team", "Tổ, đội"},
    {"other", "Khác"},
};
const int unit_kinds_count = (int)(sizeof unit_kinds / sizeof unit_kinds[0]);

const char *unit_kind_label(const char *code) {
  if (!code) return NULL;
  for (int i = 0; i < unit_kinds_count; i++)
    if (strcmp(unit_kinds[i].code, code) == 0) return unit_kinds[i].label;
  return NULL;
}

#define UNIT_COLS                                                                          \
  "u.id, u.parent_id, u.kind, u.name, u.code, u.depth, u.path,"                            \
  " (SELECT COUNT(*) FROM units ch WHERE ch.parent_id = u.id)"

STORE_SQL(q_path, "SELECT path FROM units WHERE id = ?");
/* The unit and its ancestors in one statement, the child count for the unit itself only. SQLite
 * climbs the parent links (each a primary-key lookup, at most 64 levels); PostgreSQL takes the ids
 * on the unit's path ("/1/5/23/", the unit's own last) through the primary key at once (its planner
 * would hash-join the recursion against a scan of the table). */
STORE_SQL2(q_load,
           "WITH RECURSIVE up(id, parent_id, kind, name, code, depth, path, lvl) AS ("
           "SELECT id, parent_id, kind, name, code, depth, path, 0 FROM units WHERE id = ?"
           " UNION ALL SELECT p.id, p.parent_id, p.kind, p.name, p.code, p.depth, p.path, up.lvl + 1"
           " FROM units p JOIN up ON p.id = up.parent_id WHERE up.lvl < 64)"
           " SELECT id, parent_id, kind, name, code, depth, path,"
           " CASE WHEN id = ? THEN (SELECT COUNT(*) FROM units ch WHERE ch.parent_id = up.id) ELSE 0 END FROM up",
           "SELECT u.id, u.parent_id, u.kind, u.name, u.code, u.depth, u.path,"
           " CASE WHEN u.id = ? THEN (SELECT COUNT(*) FROM units ch WHERE ch.parent_id = u.id) ELSE 0 END"
           " FROM units u WHERE u.id = ANY (CAST(string_to_array(btrim((SELECT path FROM units WHERE id = ?), '/'), '/')"
           " AS bigint[]))");
/* The page is chosen first, so the child count runs for its rows only. */
STORE_SQL(q_children, "SELECT " UNIT_COLS " FROM (SELECT * FROM units WHERE parent_id = ?"
                      " AND (CAST(? AS TEXT) IS NULL OR name_fold LIKE ? ESCAPE '\\')"
                      " ORDER BY id LIMIT ? OFFSET ?) u ORDER BY u.id");
STORE_SQL(q_children_n, "SELECT COUNT(*) FROM units u WHERE u.parent_id = ?"
                        " AND (CAST(? AS TEXT) IS NULL OR u.name_fold LIKE ? ESCAPE '\\')");
/* Search and roots take the caller's scope from their grants, joined in SQL (scope.h). */
STORE_SQL(q_search, SCOPE_WITH "SELECT " UNIT_COLS " FROM (SELECT * FROM units u WHERE " SCOPE_IN("u.path")
                    " AND u.name_fold LIKE ? ESCAPE '\\' ORDER BY u.depth, u.name LIMIT ? OFFSET ?) u"
                    " ORDER BY u.depth, u.name");
STORE_SQL(q_search_n, SCOPE_WITH "SELECT COUNT(*) FROM units u WHERE " SCOPE_IN("u.path")
                      " AND u.name_fold LIKE ? ESCAPE '\\'");
/* The roots: units that carry a grant of the scope and lie below no other. */
STORE_SQL(q_roots, SCOPE_WITH "SELECT " UNIT_COLS " FROM units u WHERE " SCOPE_ROOT("u.path")
                   " ORDER BY u.path LIMIT ? OFFSET ?");
STORE_SQL(q_roots_n, SCOPE_WITH "SELECT COUNT(*) FROM units u WHERE " SCOPE_ROOT("u.path"));
STORE_SQL(q_insert, "INSERT INTO units (parent_id, kind, name, name_fold, code, path, depth, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, '', ?, ?, ?) RETURNING id");
STORE_SQL(q_set_path, "UPDATE units SET path = ? WHERE id = ?");
STORE_SQL(q_parent, "SELECT path, depth FROM units WHERE id = ?");
STORE_SQL(q_update, "UPDATE units SET name = COALESCE(?, name), name_fold = COALESCE(?, name_fold),"
                    " kind = COALESCE(?, kind), updated_at = ? WHERE id = ?");
STORE_SQL(q_set_code, "UPDATE units SET code = ? WHERE id = ?");
STORE_SQL(q_by_code, "SELECT id FROM units WHERE code = ?");
STORE_SQL(q_by_id, "SELECT id FROM units WHERE id = ?");
STORE_SQL(q_count, "SELECT COUNT(*) FROM units");

static json_t *unit_row(store_stmt *s) {
  const char *kind = store_col_text(s, 2);
  const char *label = unit_kind_label(kind);
  json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:s, s:o, s:I, s:I}", "id", (json_int_t)store_col_int(s, 0),
                        "parent_id", store_col_is_null(s, 1) ? json_null() : json_integer(store_col_int(s, 1)),
                        "kind", kind ? kind : "", "kind_label", label ? label : (kind ? kind : ""), "name",
                        store_col_text(s, 3) ? store_col_text(s, 3) : "", "code",
                        store_col_is_null(s, 4) ? json_null() : json_string(store_col_text(s, 4)), "depth",
                        (json_int_t)store_col_int(s, 5), "children_count", (json_int_t)store_col_int(s, 7));
  return o;
}

int units_path(store_conn *c, int64_t id, arena *a, const char **path, app_err *e) {
  store_stmt *s = store_prepare(c, &q_path);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) *path = arena_strdup(a, store_col_text(s, 0));
  store_reset(s);
  if (rc == STORE_ROW) return 0;
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy đơn vị.");
  return APP_INTERNAL(e);
}

int units_load(store_conn *c, int64_t id, arena *a, unit_rec *out, app_err *e) {
  store_stmt *s = store_prepare(c, &q_load);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  store_bind_int(s, 2, id);
  memset(out, 0, sizeof *out);
  int rc, cap = 8;
  out->ancestors = arena_alloc(a, sizeof(unit_anc) * (size_t)cap);
  int64_t *depths = arena_alloc(a, sizeof(int64_t) * (size_t)cap);
  while ((rc = store_step(s)) == STORE_ROW) {
    int64_t got = store_col_int(s, 0);
    if (got == id) {
      out->id = got;
      out->parent_id = store_col_is_null(s, 1) ? 0 : store_col_int(s, 1);
      out->kind = arena_strdup(a, store_col_text(s, 2) ? store_col_text(s, 2) : "");
      out->name = arena_strdup(a, store_col_text(s, 3) ? store_col_text(s, 3) : "");
      out->code = store_col_is_null(s, 4) ? NULL : arena_strdup(a, store_col_text(s, 4));
      out->depth = store_col_int(s, 5);
      out->path = arena_strdup(a, store_col_text(s, 6) ? store_col_text(s, 6) : "");
      out->children_count = store_col_int(s, 7);
      continue;
    }
    if (out->nancestors == cap) {
      unit_anc *g = arena_alloc(a, sizeof(unit_anc) * (size_t)cap * 2);
      int64_t *d = arena_alloc(a, sizeof(int64_t) * (size_t)cap * 2);
      memcpy(g, out->ancestors, sizeof(unit_anc) * (size_t)cap);
      memcpy(d, depths, sizeof(int64_t) * (size_t)cap);
      out->ancestors = g;
      depths = d;
      cap *= 2;
    }
    /* Rows come in any order: keep the ancestors sorted by depth, root first (no sort in SQL). */
    int64_t depth = store_col_int(s, 5);
    int i = out->nancestors++;
    while (i > 0 && depths[i - 1] > depth) {
      out->ancestors[i] = out->ancestors[i - 1];
      depths[i] = depths[i - 1];
      i--;
    }
    out->ancestors[i].id = got;
    out->ancestors[i].name = arena_strdup(a, store_col_text(s, 3) ? store_col_text(s, 3) : "");
    depths[i] = depth;
  }
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  if (!out->id) return app_fail(e, 404, "not_found", "id", "Không tìm thấy đơn vị.");
  return 0;
}

json_t *units_json(const unit_rec *u, int with_ancestors) {
  const char *label = unit_kind_label(u->kind);
  json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:s, s:o, s:I, s:I}", "id", (json_int_t)u->id, "parent_id",
                        u->parent_id ? json_integer(u->parent_id) : json_null(), "kind", u->kind, "kind_label",
                        label ? label : u->kind, "name", u->name, "code", u->code ? json_string(u->code) : json_null(),
                        "depth", (json_int_t)u->depth, "children_count", (json_int_t)u->children_count);
  if (!o || !with_ancestors) return o;
  json_t *arr = json_array();
  for (int i = 0; arr && i < u->nancestors; i++)
    json_array_append_new(arr, json_pack("{s:I, s:s}", "id", (json_int_t)u->ancestors[i].id, "name", u->ancestors[i].name));
  if (!arr || json_object_set_new(o, "ancestors", arr) != 0) {
    json_decref(o);
    return NULL;
  }
  return o;
}

int units_get(store_conn *c, int64_t id, int with_ancestors, json_t **out, app_err *e) {
  arena a;
  arena_init(&a);
  unit_rec u;
  int rc = units_load(c, id, &a, &u, e);
  if (rc == 0) {
    *out = units_json(&u, with_ancestors);
    if (!*out) rc = APP_INTERNAL(e);
  }
  arena_free(&a);
  return rc;
}

static int collect(store_stmt *s, json_t *items) {
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) json_array_append_new(items, unit_row(s));
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

static int64_t count_of(store_stmt *s) {
  int64_t n = -1;
  if (store_step(s) == STORE_ROW) n = store_col_int(s, 0);
  store_reset(s);
  return n;
}

int units_list(store_conn *c, const scope_sql *scope, const unit_list_query *q, json_t **items_out,
               int64_t *total, app_err *e) {
  json_t *items = json_array();
  char *like = NULL;
  if (!items) return APP_INTERNAL(e);
  if (q->q && *q->q) {
    like = text_like_pattern(q->q);
    if (!like) goto fail;
  }
  int64_t offset = (int64_t)(q->page - 1) * q->per_page;
  if (q->parent_id) {
    store_stmt *n = store_prepare(c, &q_children_n), *s = store_prepare(c, &q_children);
    if (!n || !s) goto fail;
    store_bind_int(n, 1, q->parent_id);
    store_bind_text(n, 2, like);
    store_bind_text(n, 3, like);
    *total = count_of(n);
    store_bind_int(s, 1, q->parent_id);
    store_bind_text(s, 2, like);
    store_bind_text(s, 3, like);
    store_bind_int(s, 4, q->per_page);
    store_bind_int(s, 5, offset);
    if (*total < 0 || collect(s, items) != 0) goto fail;
  } else if (like) {
    store_stmt *n = store_prepare(c, &q_search_n), *s = store_prepare(c, &q_search);
    if (!n || !s) goto fail;
    store_bind_text(n, scope_bind(n, 1, scope), like);
    int i = scope_bind(s, 1, scope);
    store_bind_text(s, i++, like);
    store_bind_int(s, i++, q->per_page);
    store_bind_int(s, i, offset);
    *total = count_of(n);
    if (*total < 0 || collect(s, items) != 0) goto fail;
  } else {
    store_stmt *n = store_prepare(c, &q_roots_n), *s = store_prepare(c, &q_roots);
    if (!n || !s) goto fail;
    scope_bind(n, 1, scope);
    int i = scope_bind(s, 1, scope);
    store_bind_int(s, i++, q->per_page);
    store_bind_int(s, i, offset);
    *total = count_of(n);
    if (*total < 0 || collect(s, items) != 0) goto fail;
  }
  free(like);
  *items_out = items;
  return 0;
fail:
  free(like);
  json_decref(items);
  return APP_INTERNAL(e);
}

static int check_name(const char *name, app_err *e) {
  size_t n = strlen(name);
  size_t cps = utf8_length(name, n);
  if (cps < 2 || cps > 200) return app_fail(e, 400, "invalid_value", "name", "Tên đơn vị phải có từ 2 đến 200 ký tự.");
  return 0;
}

static int check_code(const char *code, app_err *e) {
  size_t n = strlen(code);
  if (n < 1 || n > 64) return app_fail(e, 400, "invalid_value", "code", "Mã đơn vị phải có từ 1 đến 64 ký tự.");
  for (size_t i = 0; i < n; i++) {
    char ch = code[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
          ch == '_' || ch == '.'))
      return app_fail(e, 400, "invalid_value", "code",
                      "Mã đơn vị chỉ gồm chữ cái không dấu, chữ số và các dấu - _ .");
  }
  return 0;
}

int units_create(store_conn *w, int64_t parent_id, const char *kind, const char *name, const char *code,
                 int64_t *id_out, app_err *e) {
  if (!unit_kind_label(kind)) return app_fail(e, 400, "invalid_value", "kind", "Loại đơn vị không hợp lệ.");
  if (code && *code && check_code(code, e) != 0) return -1;
  char parent_path[512] = "/";
  int64_t depth = 0;
  if (parent_id) {
    store_stmt *p = store_prepare(w, &q_parent);
    if (!p) return APP_INTERNAL(e);
    store_bind_int(p, 1, parent_id);
    int rc = store_step(p);
    if (rc == STORE_ROW) {
      snprintf(parent_path, sizeof parent_path, "%s", store_col_text(p, 0));
      depth = store_col_int(p, 1) + 1;
    }
    store_reset(p);
    if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "parent_id", "Không tìm thấy đơn vị cấp trên.");
    if (rc != STORE_ROW) return APP_INTERNAL(e);
    if (depth > 20) return app_fail(e, 400, "invalid_value", "parent_id", "Cây đơn vị không được sâu quá 20 cấp.");
  }
  char *nname = text_clean(name), *fold = nname ? text_fold(nname) : NULL;
  int ret = -1;
  if (!nname || !fold) {
    APP_INTERNAL(e);
    goto done;
  }
  if (check_name(nname, e) != 0) goto done;
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  int64_t now = clock_now();
  store_bind_id(s, 1, parent_id);
  store_bind_text(s, 2, kind);
  store_bind_text(s, 3, nname);
  store_bind_text(s, 4, fold);
  store_bind_text(s, 5, code && *code ? code : NULL);
  store_bind_int(s, 6, depth);
  store_bind_int(s, 7, now);
  store_bind_int(s, 8, now);
  int64_t id = 0;
  int rc = store_insert_id(s, &id);
  if (rc == STORE_CONSTRAINT) {
    app_fail(e, 409, "conflict", "code", "Mã đơn vị đã được dùng cho đơn vị khác.");
    goto done;
  }
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto done;
  }
  char path[600];
  snprintf(path, sizeof path, "%s%lld/", parent_path, (long long)id);
  store_stmt *u = store_prepare(w, &q_set_path);
  if (!u) {
    APP_INTERNAL(e);
    goto done;
  }
  store_bind_text(u, 1, path);
  store_bind_int(u, 2, id);
  rc = store_step(u);
  store_reset(u);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto done;
  }
  *id_out = id;
  ret = 0;
done:
  free(nname);
  free(fold);
  return ret;
}

int units_update(store_conn *w, int64_t id, const char *name, const char *kind, const char *code, app_err *e) {
  if (kind && !unit_kind_label(kind)) return app_fail(e, 400, "invalid_value", "kind", "Loại đơn vị không hợp lệ.");
  if (code && *code && check_code(code, e) != 0) return -1;
  if (name && authcache_changed(w, AUTH_CHANGED_ALL, 0) != 0) return APP_INTERNAL(e); /* grants show unit names */
  char *nname = name ? text_clean(name) : NULL, *fold = nname ? text_fold(nname) : NULL;
  int ret = -1;
  if (name && (!nname || !fold)) {
    APP_INTERNAL(e);
    goto done;
  }
  if (name && check_name(nname, e) != 0) goto done;
  store_stmt *s = store_prepare(w, &q_update);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  store_bind_text(s, 1, nname);
  store_bind_text(s, 2, fold);
  store_bind_text(s, 3, kind);
  store_bind_int(s, 4, clock_now());
  store_bind_int(s, 5, id);
  int rc = store_step(s);
  int64_t changed = store_changes(s);
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto done;
  }
  if (changed == 0) {
    app_fail(e, 404, "not_found", "id", "Không tìm thấy đơn vị.");
    goto done;
  }
  if (code) {
    store_stmt *cs = store_prepare(w, &q_set_code);
    if (!cs) {
      APP_INTERNAL(e);
      goto done;
    }
    store_bind_text(cs, 1, *code ? code : NULL);
    store_bind_int(cs, 2, id);
    rc = store_step(cs);
    store_reset(cs);
    if (rc == STORE_CONSTRAINT) {
      app_fail(e, 409, "conflict", "code", "Mã đơn vị đã được dùng cho đơn vị khác.");
      goto done;
    }
    if (rc != STORE_DONE) {
      APP_INTERNAL(e);
      goto done;
    }
  }
  ret = 0;
done:
  free(nname);
  free(fold);
  return ret;
}

int64_t units_find(store_conn *c, const char *ref) {
  long long n;
  bool numeric = parse_int(ref, 1, INT64_MAX, &n);
  store_stmt *s = store_prepare(c, &q_by_code);
  if (!s) return 0;
  store_bind_text(s, 1, ref);
  int64_t id = store_step(s) == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  if (id || !numeric) return id;
  s = store_prepare(c, &q_by_id);
  if (!s) return 0;
  store_bind_int(s, 1, n);
  id = store_step(s) == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  return id;
}

int64_t units_count(store_conn *c) {
  store_stmt *s = store_prepare(c, &q_count);
  return s ? count_of(s) : -1;
}

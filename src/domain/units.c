/* units.c: the unit hierarchy (see units.h). Only this file writes SQL about units. */
#include "domain/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/authcache.h"
#include "util/clock.h"
#include "util/buf.h"
#include "util/config.h"
#include "util/fold.h"
#include "util/utf8.h"

/* Each kind with the kinds it may sit under, and whether it may be a top-level unit.
 * Any depth, but a tổ dân phố (residential group) sits under a phường/xã, a school under a
 * ward, commune or city, and so on: a city under a tổ dân phố is refused. */
#define ADMIN_LEVELS "city ward commune"
#define BODIES "office service_center public_center police school_kindergarten school_primary" \
               " school_lower_secondary school_upper_secondary enterprise cooperative mass_organisation market"
const unit_kind unit_kinds[] = {
    {"city", "Thành phố", true, ""},
    {"ward", "Phường", true, "city"},
    {"commune", "Xã", true, "city"},
    {"residential_group", "Tổ dân phố", false, "ward commune"},
    {"office", "Phòng, ban chuyên môn", false, ADMIN_LEVELS},
    {"service_center", "Trung tâm phục vụ hành chính công", false, ADMIN_LEVELS},
    {"public_center", "Trung tâm sự nghiệp", false, ADMIN_LEVELS},
    {"police", "Công an", false, ADMIN_LEVELS},
    {"school_kindergarten", "Trường mầm non", false, ADMIN_LEVELS},
    {"school_primary", "Trường tiểu học", false, ADMIN_LEVELS},
    {"school_lower_secondary", "Trường trung học cơ sở", false, ADMIN_LEVELS},
    {"school_upper_secondary", "Trường trung học phổ thông", false, ADMIN_LEVELS},
    {"enterprise", "Doanh nghiệp", false, ADMIN_LEVELS},
    {"cooperative", "Hợp tác xã", false, ADMIN_LEVELS},
    {"mass_organisation", "Mặt trận, đoàn thể", false, ADMIN_LEVELS " mass_organisation"},
    {"market", "Chợ", false, ADMIN_LEVELS}, /* chợ: its tiểu thương (small traders) are a target group */
    {"team", "Tổ, đội", false, "ward commune residential_group " BODIES " team other"},
    {"other", "Khác", false, ADMIN_LEVELS " residential_group " BODIES " team other"},
};
const int unit_kinds_count = (int)(sizeof unit_kinds / sizeof unit_kinds[0]);

const char *unit_kind_label(const char *code) {
  if (!code) return NULL;
  for (int i = 0; i < unit_kinds_count; i++)
    if (strcmp(unit_kinds[i].code, code) == 0) return unit_kinds[i].label;
  return NULL;
}

static const unit_kind *kind_find(const char *code) {
  if (!code) return NULL;
  for (int i = 0; i < unit_kinds_count; i++)
    if (strcmp(unit_kinds[i].code, code) == 0) return &unit_kinds[i];
  return NULL;
}

bool unit_kind_parent_ok(const char *kind, const char *parent_kind) {
  const unit_kind *k = kind_find(kind);
  if (!k) return false;
  if (!parent_kind) return k->root;
  size_t n = strlen(parent_kind);
  for (const char *p = k->parents; *p;) {
    while (*p == ' ') p++;
    size_t len = strcspn(p, " ");
    if (len == n && len && strncmp(p, parent_kind, n) == 0) return true;
    p += len;
  }
  return false;
}

/* Usual abbreviations in unit names, folded: a search token equal to one also finds the words
 * it stands for ("tdp 1" finds "Tổ dân phố số 1"). */
static const struct {
  const char *abbr, *words;
} abbreviations[] = {
    {"tdp", "to dan pho"},      {"thcs", "trung hoc co so"}, {"thpt", "trung hoc pho thong"},
    {"th", "tieu hoc"},         {"mn", "mam non"},           {"ubnd", "uy ban nhan dan"},
    {"hdnd", "hoi dong nhan dan"}, {"mttq", "mat tran to quoc"}, {"ca", "cong an"},
    {"htx", "hop tac xa"},      {"dn", "doanh nghiep"},      {"cty", "cong ty"},
    {"tt", "trung tam"},        {"tp", "thanh pho"},         {"p", "phuong"},
    {"vhxh", "van hoa - xa hoi"}, {"dtn", "doan thanh nien"}, {"cns", "cong nghe so"},
    {"ttvhtt", "trung tam van hoa, the thao"}, {"tthcc", "trung tam phuc vu hanh chinh cong"},
};

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
/* A search matches the folded name as a substring, or every token (up to MATCH_TOKENS) at the
 * start of a word of the name (numbers as whole words), a token standing for its abbreviation's
 * words too; or the code, case-insensitively, by its start. See struct match below. */
#define MATCH_TOKENS 6
#define MATCH_TOKEN                                                                                 \
  " AND (CAST(? AS TEXT) IS NULL OR ' ' || u.name_fold || ' ' LIKE ? ESCAPE '\\'"                  \
  " OR ' ' || u.name_fold || ' ' LIKE ? ESCAPE '\\')"
#define MATCH_WHERE                                                                                 \
  "(CAST(? AS TEXT) IS NULL OR u.name_fold LIKE ? ESCAPE '\\' OR LOWER(u.code) LIKE ? ESCAPE '\\'" \
  " OR (1 = 1" MATCH_TOKEN MATCH_TOKEN MATCH_TOKEN MATCH_TOKEN MATCH_TOKEN MATCH_TOKEN "))"
STORE_SQL(q_children, "SELECT " UNIT_COLS " FROM (SELECT * FROM units u WHERE u.parent_id = ? AND " MATCH_WHERE
                      " ORDER BY u.id LIMIT ? OFFSET ?) u ORDER BY u.id");
STORE_SQL(q_children_n, "SELECT COUNT(*) FROM units u WHERE u.parent_id = ? AND " MATCH_WHERE);
/* Search and roots take the caller's scope from their grants, joined in SQL (scope.h). */
STORE_SQL(q_search, SCOPE_WITH "SELECT " UNIT_COLS " FROM (SELECT * FROM units u WHERE " SCOPE_IN("u.path")
                    " AND " MATCH_WHERE " ORDER BY u.depth, u.name LIMIT ? OFFSET ?) u"
                    " ORDER BY u.depth, u.name");
STORE_SQL(q_search_n, SCOPE_WITH "SELECT COUNT(*) FROM units u WHERE " SCOPE_IN("u.path") " AND " MATCH_WHERE);
/* The roots: units that carry a grant of the scope and lie below no other. */
STORE_SQL(q_roots, SCOPE_WITH "SELECT " UNIT_COLS " FROM units u WHERE " SCOPE_ROOT("u.path")
                   " ORDER BY u.path LIMIT ? OFFSET ?");
STORE_SQL(q_roots_n, SCOPE_WITH "SELECT COUNT(*) FROM units u WHERE " SCOPE_ROOT("u.path"));
STORE_SQL(q_insert, "INSERT INTO units (parent_id, kind, name, name_fold, code, path, depth, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, '', ?, ?, ?) RETURNING id");
STORE_SQL(q_set_path, "UPDATE units SET path = ? WHERE id = ?");
STORE_SQL(q_parent, "SELECT path, depth, kind FROM units WHERE id = ?");
STORE_SQL(q_self, "SELECT path, depth, kind, parent_id, name, name_fold FROM units WHERE id = ?");
STORE_SQL(q_dup_child, "SELECT id FROM units WHERE parent_id = ? AND name_fold = ? AND id <> ? LIMIT 1");
STORE_SQL(q_dup_root, "SELECT id FROM units WHERE parent_id IS NULL AND name_fold = ? AND id <> ? LIMIT 1");
STORE_SQL(q_child_kinds, "SELECT DISTINCT kind FROM units WHERE parent_id = ?");
STORE_SQL(q_subtree_depth, "SELECT MAX(depth) FROM units WHERE path >= ? AND path < ?");
/* A move rewrites the path prefix and depth of the whole subtree in one statement. */
STORE_SQL(q_move_paths, "UPDATE units SET path = CAST(? AS TEXT) || substr(path, CAST(? AS INTEGER)),"
                        " depth = depth + CAST(? AS INTEGER), updated_at = ? WHERE path >= ? AND path < ?");
STORE_SQL(q_set_parent, "UPDATE units SET parent_id = ? WHERE id = ?");
/* Changes to the tree's shape (create, move, delete, a kind change) take one lock for the rest of
 * their transaction, so that two of them never read paths the other is rewriting: on PostgreSQL,
 * where READ COMMITTED lets two concurrent moves each see the tree before the other (a cycle, or a
 * path that disagrees with its parent), a transaction-scoped advisory lock; on SQLite the single
 * writer's BEGIN IMMEDIATE already serialises them. */
STORE_SQL2(q_tree_lock, "SELECT 1", "SELECT 1 FROM (SELECT pg_advisory_xact_lock(727275)) l");
STORE_SQL(q_has_users, "SELECT 1 FROM users WHERE unit_id = ? LIMIT 1");
STORE_SQL(q_has_grants, "SELECT 1 FROM user_roles WHERE unit_id = ? LIMIT 1");
STORE_SQL(q_has_children, "SELECT 1 FROM units WHERE parent_id = ? LIMIT 1");
STORE_SQL(q_delete, "DELETE FROM units WHERE id = ?");
STORE_SQL(q_instance, "SELECT name, depth FROM units WHERE kind IN ('ward', 'commune') ORDER BY depth, id LIMIT 2");
STORE_SQL(q_tops, "SELECT name, 0 FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 2");
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

int units_subtree(store_conn *c, int64_t id, char *lo, char *hi, size_t n, app_err *e) {
  store_stmt *s = store_prepare(c, &q_path);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s), ret = 0;
  if (rc == STORE_ROW) {
    const char *p = store_col_text(s, 0);
    size_t len = p ? strlen(p) : 0;
    if (len == 0 || len >= n) {
      ret = APP_INTERNAL(e);
    } else {
      memcpy(lo, p, len + 1);
      memcpy(hi, p, len + 1);
      hi[len - 1] = '0';
    }
  } else {
    ret = rc == STORE_DONE ? app_fail(e, 404, "not_found", "id", "Không tìm thấy đơn vị.") : APP_INTERNAL(e);
  }
  store_reset(s);
  return ret;
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

/* The bound values of MATCH_WHERE: 3 + 3 per token. Every string is malloc'd (or NULL). */
typedef struct match {
  char *v[3 + 3 * MATCH_TOKENS];
} match;

static void match_free(match *m) {
  for (size_t i = 0; i < sizeof m->v / sizeof m->v[0]; i++) free(m->v[i]);
}

/* "%<escaped text><tail>" with a leading "% " when `word` (the start of a word). */
static char *like_of(const char *text, size_t n, const char *head, const char *tail) {
  buf b;
  buf_init(&b);
  buf_puts(&b, head);
  for (size_t i = 0; i < n; i++) {
    if (text[i] == '%' || text[i] == '_' || text[i] == '\\') buf_putc(&b, '\\');
    buf_putc(&b, text[i]);
  }
  buf_puts(&b, tail);
  return buf_detach(&b, NULL);
}

static bool is_word_char(unsigned char ch) { return ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); }

/* Builds the bound values for `q` (NULL or "": everything matches). */
static int match_build(const char *q, match *m) {
  memset(m, 0, sizeof *m);
  if (!q || !*q) return 0;
  char *fold = text_fold(q);
  if (!fold) return -1;
  int rc = -1;
  m->v[0] = strdup(fold);
  /* Any part of the name; but one or two letters only as the start of a word ("th" alone
   * would match every "thành"). */
  bool short_word = strlen(fold) < 3;
  for (const char *p = fold; *p; p++) short_word = short_word && is_word_char((unsigned char)*p);
  m->v[1] = short_word ? strdup("") : text_like_pattern(q);
  char *lower = strdup(q);
  if (!m->v[0] || !m->v[1] || !lower) goto done;
  for (char *p = lower; *p; p++)
    if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
  m->v[2] = like_of(lower, strlen(lower), "", "%");
  free(lower);
  if (!m->v[2]) goto done;
  int k = 0;
  for (const char *p = fold; *p && k < MATCH_TOKENS;) {
    while (*p && !is_word_char((unsigned char)*p)) p++;
    size_t n = 0;
    while (p[n] && is_word_char((unsigned char)p[n])) n++;
    if (!n) break;
    bool digits = true;
    for (size_t i = 0; i < n; i++) digits = digits && p[i] >= '0' && p[i] <= '9';
    const char *t = p;
    if (digits)
      while (n > 1 && *t == '0') t++, n--; /* "tdp 01" is "tổ dân phố số 1" */
    const char *words = NULL;
    for (size_t i = 0; !digits && i < sizeof abbreviations / sizeof abbreviations[0]; i++)
      if (strlen(abbreviations[i].abbr) == n && strncmp(abbreviations[i].abbr, t, n) == 0) words = abbreviations[i].words;
    char **slot = &m->v[3 + 3 * k];
    slot[0] = strndup(t, n);
    /* A number or an abbreviation must be a whole word; other tokens the start of one. */
    slot[1] = like_of(t, n, "% ", digits || words ? " %" : "%");
    slot[2] = words ? like_of(words, strlen(words), "% ", "%") : strdup(slot[1] ? slot[1] : "");
    if (!slot[0] || !slot[1] || !slot[2]) goto done;
    k++;
    p = t + n;
  }
  if (k == 0) /* no word at all: the token test must fail (LIKE '' never matches a padded name) */
    for (int i = 3; i < 6; i++)
      if (!(m->v[i] = strdup(""))) goto done;
  rc = 0;
done:
  free(fold);
  return rc;
}

static int match_bind(store_stmt *s, int i, const match *m) {
  for (size_t k = 0; k < sizeof m->v / sizeof m->v[0]; k++) store_bind_text(s, i++, m->v[k]);
  return i;
}

int units_list(store_conn *c, const scope_sql *scope, const unit_list_query *q, json_t **items_out,
               int64_t *total, app_err *e) {
  json_t *items = json_array();
  match m;
  if (match_build(q->q, &m) != 0 || !items) goto fail;
  bool searching = m.v[0] != NULL;
  int64_t offset = (int64_t)(q->page - 1) * q->per_page;
  if (q->parent_id) {
    store_stmt *n = store_prepare(c, &q_children_n), *s = store_prepare(c, &q_children);
    if (!n || !s) goto fail;
    store_bind_int(n, 1, q->parent_id);
    match_bind(n, 2, &m);
    *total = count_of(n);
    store_bind_int(s, 1, q->parent_id);
    int i = match_bind(s, 2, &m);
    store_bind_int(s, i++, q->per_page);
    store_bind_int(s, i, offset);
    if (*total < 0 || collect(s, items) != 0) goto fail;
  } else if (searching) {
    store_stmt *n = store_prepare(c, &q_search_n), *s = store_prepare(c, &q_search);
    if (!n || !s) goto fail;
    match_bind(n, scope_bind(n, 1, scope), &m);
    int i = match_bind(s, scope_bind(s, 1, scope), &m);
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
  match_free(&m);
  *items_out = items;
  return 0;
fail:
  match_free(&m);
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

static const char *const DUP_MESSAGE =
    "Tên đơn vị đã có trong cùng đơn vị cấp trên (không phân biệt dấu, hoa thường). Hãy đặt tên khác.";

/* Is there a unit other than `self` named `fold` under `parent_id` (0: at the top)? */
static int name_taken(store_conn *w, int64_t parent_id, const char *fold, int64_t self, app_err *e) {
  store_stmt *s = store_prepare(w, parent_id ? &q_dup_child : &q_dup_root);
  if (!s) return APP_INTERNAL(e);
  int i = 1;
  if (parent_id) store_bind_int(s, i++, parent_id);
  store_bind_text(s, i++, fold);
  store_bind_int(s, i, self);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_ROW) return app_fail(e, 409, "conflict", "name", DUP_MESSAGE);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

static int kind_fits(const char *kind, const char *parent_kind, const char *field, app_err *e) {
  if (unit_kind_parent_ok(kind, parent_kind)) return 0;
  return app_fail(e, 409, "conflict", field,
                  parent_kind ? "Loại đơn vị này không được đặt trực thuộc loại đơn vị cấp trên đã chọn."
                              : "Loại đơn vị này không thể là đơn vị cấp cao nhất.");
}

/* Every child of `id` may sit under a unit of `kind`. */
static int children_fit(store_conn *w, int64_t id, const char *kind, app_err *e) {
  store_stmt *s = store_prepare(w, &q_child_kinds);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc;
  bool ok = true;
  while ((rc = store_step(s)) == STORE_ROW) ok = ok && unit_kind_parent_ok(store_col_text(s, 0), kind);
  store_reset(s);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  if (!ok)
    return app_fail(e, 409, "conflict", "kind",
                    "Không đổi được loại: có đơn vị trực thuộc không được đặt dưới loại đơn vị này.");
  return 0;
}

typedef struct unit_self {
  char path[512];
  int64_t depth, parent_id;
  char kind[48];
  char fold[800];
} unit_self;

static int tree_lock(store_conn *w, app_err *e) {
  store_stmt *s = store_prepare(w, &q_tree_lock);
  if (!s) return APP_INTERNAL(e);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
  }
  store_reset(s);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

static int read_self(store_conn *w, int64_t id, unit_self *u, app_err *e) {
  store_stmt *s = store_prepare(w, &q_self);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    snprintf(u->path, sizeof u->path, "%s", store_col_text(s, 0));
    u->depth = store_col_int(s, 1);
    snprintf(u->kind, sizeof u->kind, "%s", store_col_text(s, 2));
    u->parent_id = store_col_is_null(s, 3) ? 0 : store_col_int(s, 3);
    snprintf(u->fold, sizeof u->fold, "%s", store_col_text(s, 5));
  }
  store_reset(s);
  if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "id", "Không tìm thấy đơn vị.");
  return rc == STORE_ROW ? 0 : APP_INTERNAL(e);
}

int units_create(store_conn *w, int64_t parent_id, const char *kind, const char *name, const char *code,
                 int64_t *id_out, app_err *e) {
  if (!unit_kind_label(kind)) return app_fail(e, 400, "invalid_value", "kind", "Loại đơn vị không hợp lệ.");
  if (code && *code && check_code(code, e) != 0) return -1;
  if (tree_lock(w, e) != 0) return -1;
  char parent_path[512] = "/", parent_kind[48] = "";
  int64_t depth = 0;
  if (parent_id) {
    store_stmt *p = store_prepare(w, &q_parent);
    if (!p) return APP_INTERNAL(e);
    store_bind_int(p, 1, parent_id);
    int rc = store_step(p);
    if (rc == STORE_ROW) {
      snprintf(parent_path, sizeof parent_path, "%s", store_col_text(p, 0));
      depth = store_col_int(p, 1) + 1;
      snprintf(parent_kind, sizeof parent_kind, "%s", store_col_text(p, 2));
    }
    store_reset(p);
    if (rc == STORE_DONE) return app_fail(e, 404, "not_found", "parent_id", "Không tìm thấy đơn vị cấp trên.");
    if (rc != STORE_ROW) return APP_INTERNAL(e);
    if (depth > 20) return app_fail(e, 400, "invalid_value", "parent_id", "Cây đơn vị không được sâu quá 20 cấp.");
  }
  if (kind_fits(kind, parent_id ? parent_kind : NULL, "kind", e) != 0) return -1;
  char *nname = text_clean(name), *fold = nname ? text_fold(nname) : NULL;
  int ret = -1;
  if (!nname || !fold) {
    APP_INTERNAL(e);
    goto done;
  }
  if (check_name(nname, e) != 0 || name_taken(w, parent_id, fold, 0, e) != 0) goto done;
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
  if (kind && tree_lock(w, e) != 0) return -1; /* a kind change is checked against the children */
  if (name && authcache_changed(w, AUTH_CHANGED_ALL, 0) != 0) return APP_INTERNAL(e); /* grants show unit names */
  char *nname = name ? text_clean(name) : NULL, *fold = nname ? text_fold(nname) : NULL;
  int ret = -1;
  if (name && (!nname || !fold)) {
    APP_INTERNAL(e);
    goto done;
  }
  if (name && check_name(nname, e) != 0) goto done;
  unit_self self;
  if (read_self(w, id, &self, e) != 0) goto done;
  if (name && name_taken(w, self.parent_id, fold, id, e) != 0) goto done;
  if (kind && strcmp(kind, self.kind) != 0) {
    char pkind[48] = "";
    if (self.parent_id) {
      store_stmt *p = store_prepare(w, &q_parent);
      if (!p) {
        APP_INTERNAL(e);
        goto done;
      }
      store_bind_int(p, 1, self.parent_id);
      if (store_step(p) == STORE_ROW) snprintf(pkind, sizeof pkind, "%s", store_col_text(p, 2));
      store_reset(p);
    }
    if (kind_fits(kind, self.parent_id ? pkind : NULL, "kind", e) != 0 || children_fit(w, id, kind, e) != 0) goto done;
  }
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

static int exists_row(store_conn *w, const store_sql *q, int64_t id, bool *yes) {
  store_stmt *s = store_prepare(w, q);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  store_reset(s);
  *yes = rc == STORE_ROW;
  return rc == STORE_ROW || rc == STORE_DONE ? 0 : -1;
}

int units_move(store_conn *w, int64_t id, int64_t parent_id, int64_t *old_parent, app_err *e) {
  unit_self self, parent;
  if (tree_lock(w, e) != 0) return -1;
  if (read_self(w, id, &self, e) != 0) return -1;
  if (read_self(w, parent_id, &parent, e) != 0) {
    if (e->status == 404) e->field = "parent_id";
    if (e->status == 404) e->message = "Không tìm thấy đơn vị cấp trên.";
    return -1;
  }
  *old_parent = self.parent_id;
  if (scope_path_within(parent.path, self.path))
    return app_fail(e, 409, "conflict", "parent_id",
                    "Không thể chuyển đơn vị vào chính nó hoặc vào một đơn vị trực thuộc của nó.");
  if (kind_fits(self.kind, parent.kind, "parent_id", e) != 0) return -1;
  if (self.parent_id == parent_id) return 0; /* already there: nothing to change */
  if (name_taken(w, parent_id, self.fold, id, e) != 0) return -1;
  char lo[512], hi[512], newpath[600];
  snprintf(lo, sizeof lo, "%s", self.path);
  snprintf(hi, sizeof hi, "%s", self.path);
  hi[strlen(hi) - 1] = '0'; /* '/' + 1 == '0': the subtree is [lo, hi) */
  snprintf(newpath, sizeof newpath, "%s%lld/", parent.path, (long long)id);
  int64_t delta = parent.depth + 1 - self.depth;
  store_stmt *d = store_prepare(w, &q_subtree_depth);
  if (!d) return APP_INTERNAL(e);
  store_bind_text(d, 1, lo);
  store_bind_text(d, 2, hi);
  int64_t deepest = store_step(d) == STORE_ROW ? store_col_int(d, 0) : -1;
  store_reset(d);
  if (deepest < 0) return APP_INTERNAL(e);
  if (deepest + delta > 20) return app_fail(e, 400, "invalid_value", "parent_id", "Cây đơn vị không được sâu quá 20 cấp.");
  /* Cached sessions hold their grants' unit paths: every process drops them (at commit). */
  if (authcache_changed(w, AUTH_CHANGED_ALL, 0) != 0) return APP_INTERNAL(e);
  store_stmt *u = store_prepare(w, &q_move_paths);
  if (!u) return APP_INTERNAL(e);
  store_bind_text(u, 1, newpath);
  store_bind_int(u, 2, (int64_t)strlen(lo) + 1);
  store_bind_int(u, 3, delta);
  store_bind_int(u, 4, clock_now());
  store_bind_text(u, 5, lo);
  store_bind_text(u, 6, hi);
  int rc = store_step(u);
  store_reset(u);
  if (rc != STORE_DONE) return APP_INTERNAL(e);
  store_stmt *p = store_prepare(w, &q_set_parent);
  if (!p) return APP_INTERNAL(e);
  store_bind_int(p, 1, parent_id);
  store_bind_int(p, 2, id);
  rc = store_step(p);
  store_reset(p);
  if (rc == STORE_CONSTRAINT) return app_fail(e, 409, "conflict", "name", DUP_MESSAGE);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

int units_delete(store_conn *w, int64_t id, int64_t *parent_out, app_err *e) {
  unit_self self;
  if (tree_lock(w, e) != 0) return -1;
  if (read_self(w, id, &self, e) != 0) return -1;
  *parent_out = self.parent_id;
  bool children = false, users = false, grants = false;
  if (exists_row(w, &q_has_children, id, &children) != 0 || exists_row(w, &q_has_users, id, &users) != 0 ||
      exists_row(w, &q_has_grants, id, &grants) != 0)
    return APP_INTERNAL(e);
  if (children)
    return app_fail(e, 409, "conflict", "id",
                    "Không xóa được: đơn vị còn đơn vị trực thuộc. Hãy chuyển hoặc xóa các đơn vị trực thuộc trước.");
  if (users)
    return app_fail(e, 409, "conflict", "id",
                    "Không xóa được: đơn vị còn tài khoản thuộc về nó. Hãy chuyển các tài khoản sang đơn vị khác trước.");
  if (grants)
    return app_fail(e, 409, "conflict", "id",
                    "Không xóa được: còn vai trò được cấp trên đơn vị này. Hãy thu hồi các vai trò đó trước.");
  store_stmt *s = store_prepare(w, &q_delete);
  if (!s) return APP_INTERNAL(e);
  store_bind_int(s, 1, id);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_CONSTRAINT)
    return app_fail(e, 409, "conflict", "id", "Không xóa được: đơn vị vẫn còn dữ liệu gắn với nó.");
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
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

int64_t units_find_child(store_conn *c, int64_t parent_id, const char *name) {
  char *clean = text_clean(name), *fold = clean ? text_fold(clean) : NULL;
  int64_t id = 0;
  store_stmt *s = fold ? store_prepare(c, parent_id ? &q_dup_child : &q_dup_root) : NULL;
  if (s) {
    int i = 1;
    if (parent_id) store_bind_int(s, i++, parent_id);
    store_bind_text(s, i++, fold);
    store_bind_int(s, i, 0);
    if (store_step(s) == STORE_ROW) id = store_col_int(s, 0);
    store_reset(s);
  }
  free(clean);
  free(fold);
  return id;
}

int64_t units_count(store_conn *c) {
  store_stmt *s = store_prepare(c, &q_count);
  return s ? count_of(s) : -1;
}

int units_instance_name(store_conn *c, char *out, size_t len) {
  const store_sql *qs[] = {&q_instance, &q_tops};
  out[0] = '\0';
  for (int k = 0; k < 2 && !out[0]; k++) {
    store_stmt *s = store_prepare(c, qs[k]);
    if (!s) return -1;
    int rc, n = 0;
    int64_t depth0 = -1;
    char first[256] = "";
    bool tie = false;
    while ((rc = store_step(s)) == STORE_ROW) {
      if (n++ == 0) {
        snprintf(first, sizeof first, "%s", store_col_text(s, 0));
        depth0 = store_col_int(s, 1);
      } else if (store_col_int(s, 1) == depth0) {
        tie = true;
      }
    }
    store_reset(s);
    if (rc != STORE_DONE) return -1;
    if (n && !tie) snprintf(out, len, "%s", first);
  }
  return 0;
}

STORE_SQL(q_each_scoped, SCOPE_WITH "SELECT u.id, u.kind, u.name, u.path, CASE WHEN " SCOPE_IN("u.path")
                                    " THEN 1 ELSE 0 END FROM units u ORDER BY u.id");

int units_each_scoped(store_conn *c, const scope_sql *scope, units_each_fn cb, void *ctx) {
  store_stmt *s = store_prepare(c, &q_each_scoped);
  if (!s) return -1;
  scope_bind(s, 1, scope);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    if (cb(ctx, store_col_int(s, 0), store_col_text(s, 1), store_col_text(s, 2), store_col_text(s, 3),
           store_col_int(s, 4) != 0) != 0)
      break;
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

/* audit.c: the append-only audit log (see audit.h). */
#include "domain/audit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/jsonx.h"

/* An entry without a unit is attributed to the unit of the account it concerns, else to the
 * actor's, so that officers see the entries of their own subtree. */
STORE_SQL(q_append, "INSERT INTO audit_log (at, actor_id, actor_username, action, entity, entity_id, unit_id, ip,"
                    " detail) VALUES (?, ?, ?, ?, ?, ?, COALESCE(?, CASE WHEN ? = 'user' THEN"
                    " (SELECT unit_id FROM users WHERE id = ?) END, (SELECT unit_id FROM users WHERE id = ?)), ?, ?)");
/* Entries within the caller's subtrees (by unit path, the caller's grants joined in SQL, see
 * scope.h); entries with no unit only for a caller whose scope starts at a top-level unit. */
#define AUDIT_FILTER                                                                                        \
  " FROM audit_log a LEFT JOIN units un ON un.id = a.unit_id"                                               \
  " WHERE (" SCOPE_IN("un.path") " OR (a.unit_id IS NULL AND " SCOPE_AT_TOP "))"                              \
  " AND (CAST(? AS TEXT) IS NULL OR a.actor_username = ?)"                                                  \
  " AND (CAST(? AS TEXT) IS NULL OR a.action = ? OR a.action LIKE ? ESCAPE '\\')"                          \
  " AND (CAST(? AS TEXT) IS NULL OR a.entity = ?)"                                                          \
  " AND a.at >= ? AND a.at < ?"
STORE_SQL(q_list, SCOPE_WITH "SELECT a.id, a.at, a.actor_id, a.actor_username, a.action, a.entity, a.entity_id, a.unit_id, a.ip,"
                  " a.detail" AUDIT_FILTER " ORDER BY a.id DESC LIMIT ? OFFSET ?");
STORE_SQL(q_count, SCOPE_WITH "SELECT COUNT(*)" AUDIT_FILTER);

int audit_append(store_conn *w, const audit_entry *a) {
  store_stmt *s = store_prepare(w, &q_append);
  if (!s) return -1;
  char *detail = a->detail ? jsonx_dump(a->detail, NULL) : NULL;
  store_bind_int(s, 1, clock_now());
  store_bind_id(s, 2, a->actor_id);
  store_bind_text(s, 3, a->actor_username);
  store_bind_text(s, 4, a->action);
  store_bind_text(s, 5, a->entity);
  store_bind_id(s, 6, a->entity_id);
  store_bind_id(s, 7, a->unit_id);
  store_bind_text(s, 8, a->entity);
  store_bind_int(s, 9, a->entity_id);
  store_bind_int(s, 10, a->actor_id);
  store_bind_text(s, 11, a->ip);
  store_bind_text(s, 12, detail);
  int rc = store_step(s);
  store_reset(s);
  free(detail);
  return rc == STORE_DONE ? 0 : -1;
}

/* Binds the filter; returns the next parameter index. `prefix` is "action%"-style storage. */
static int bind_filter(store_stmt *s, const audit_query *q, const char *prefix) {
  int i = scope_bind(s, 1, q->scope);
  store_bind_text(s, i++, q->actor);
  store_bind_text(s, i++, q->actor);
  store_bind_text(s, i++, q->action);
  store_bind_text(s, i++, q->action);
  store_bind_text(s, i++, prefix ? prefix : "");
  store_bind_text(s, i++, q->entity);
  store_bind_text(s, i++, q->entity);
  store_bind_int(s, i++, q->since);
  store_bind_int(s, i++, q->until ? q->until : INT64_MAX);
  return i;
}

static json_t *int_or_null(store_stmt *s, int i) {
  return store_col_is_null(s, i) ? json_null() : json_integer(store_col_int(s, i));
}
static json_t *str_or_null(store_stmt *s, int i) {
  return store_col_is_null(s, i) ? json_null() : json_string(store_col_text(s, i));
}

int audit_list(store_conn *c, const audit_query *q, json_t **items_out, int64_t *total, app_err *e) {
  /* An action ending in '.' filters by prefix ("user." → every user action). */
  char *prefix = NULL;
  size_t alen = q->action ? strlen(q->action) : 0;
  if (alen && q->action[alen - 1] == '.') {
    prefix = malloc(alen * 2 + 2);
    if (!prefix) return APP_INTERNAL(e);
    size_t k = 0;
    for (size_t i = 0; i < alen; i++) {
      if (q->action[i] == '%' || q->action[i] == '_' || q->action[i] == '\\') prefix[k++] = '\\';
      prefix[k++] = q->action[i];
    }
    prefix[k++] = '%';
    prefix[k] = '\0';
  }
  json_t *items = json_array();
  store_stmt *n = store_prepare(c, &q_count);
  if (!items || !n) goto fail;
  bind_filter(n, q, prefix);
  int rc = store_step(n);
  *total = rc == STORE_ROW ? store_col_int(n, 0) : -1;
  store_reset(n);
  if (*total < 0) goto fail;
  store_stmt *s = store_prepare(c, &q_list);
  if (!s) goto fail;
  int i = bind_filter(s, q, prefix);
  store_bind_int(s, i++, q->per_page);
  store_bind_int(s, i, (int64_t)(q->page - 1) * q->per_page);
  while ((rc = store_step(s)) == STORE_ROW) {
    char at[32];
    clock_iso8601(store_col_int(s, 1), at, sizeof at);
    json_t *detail = json_null();
    if (!store_col_is_null(s, 9)) {
      json_t *d = json_loads(store_col_text(s, 9), 0, NULL);
      if (d) detail = d;
    }
    json_array_append_new(
        items, json_pack("{s:I, s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)store_col_int(s, 0),
                         "at", at, "actor_id", int_or_null(s, 2), "actor_username", str_or_null(s, 3), "action",
                         store_col_text(s, 4), "entity", store_col_text(s, 5), "entity_id", int_or_null(s, 6),
                         "unit_id", int_or_null(s, 7), "ip", str_or_null(s, 8), "detail", detail));
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  free(prefix);
  *items_out = items;
  return 0;
fail:
  free(prefix);
  json_decref(items);
  return APP_INTERNAL(e);
}

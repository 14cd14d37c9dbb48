/* audit.c: the append-only audit log (see audit.h).
 * Owns: the audit_log table, the names it snapshots at write time and its keyset-paged list.
 * Never: updates or deletes an entry, or pages with OFFSET (the log will hold millions of rows). */
#include "domain/audit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/fold.h"
#include "util/jsonx.h"

/* The names an entry keeps, read in one statement before it is written: the actor's, the
 * object's (an account, a unit or a person) and the unit's. An entry without a unit is attributed to the
 * unit of the account it concerns, else to the actor's, so that officers see the entries of
 * their own subtree. */
STORE_SQL(q_names, "SELECT x.unit_id, (SELECT display_name FROM users WHERE id = ?),"
                   " CASE CAST(? AS TEXT) WHEN 'user' THEN (SELECT display_name FROM users WHERE id = ?)"
                   " WHEN 'unit' THEN (SELECT name FROM units WHERE id = ?)"
                   " WHEN 'person' THEN (SELECT full_name FROM people WHERE id = ?) END,"
                   " (SELECT name FROM units WHERE id = x.unit_id), (SELECT path FROM units WHERE id = x.unit_id)"
                   " FROM (SELECT COALESCE(CAST(? AS BIGINT), CASE WHEN CAST(? AS TEXT) = 'user' THEN"
                   " (SELECT unit_id FROM users WHERE id = ?) END, (SELECT unit_id FROM users WHERE id = ?)) AS unit_id) x");
STORE_SQL(q_append, "INSERT INTO audit_log (at, actor_id, actor_username, action, entity, entity_id, unit_id, ip,"
                    " detail, actor_name, entity_name, unit_name, names_fold, unit_path)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
/* Entries within the caller's subtrees (by the unit's path, or the path it had when the entry
 * was written if it has been deleted since; the caller's grants joined in SQL, see scope.h), and
 * entries with no unit for the ward admins of the instance (AUDIT_AT_WARD). */
#define UPATH "COALESCE(un.path, a.unit_path)"
/* Entries without a unit (a failed log-in for an unknown name, the acts of an account made on the
 * command line without a unit) concern the whole instance: the ward admins of the instance see
 * them, i.e. callers whose audit.read covers a ward, a commune or a city, never one scoped to a
 * tổ dân phố or an office. */
#define AUDIT_AT_WARD                                                                                     \
  "EXISTS (SELECT 1 FROM sc_ JOIN units wu_ ON wu_.path = sc_.lo WHERE wu_.kind IN ('ward', 'commune', 'city'))"
#define AUDIT_FILTER                                                                                        \
  " FROM audit_log a LEFT JOIN units un ON un.id = a.unit_id"                                               \
  " WHERE (" SCOPE_IN(UPATH) " OR (a.unit_id IS NULL AND " AUDIT_AT_WARD "))"                               \
  " AND (CAST(? AS TEXT) IS NULL OR a.actor_username = ?)"                                                  \
  " AND (CAST(? AS TEXT) IS NULL OR a.action = ? OR a.action LIKE ? ESCAPE '\\')"                          \
  " AND (CAST(? AS TEXT) IS NULL OR a.entity = ?)"                                                          \
  " AND (CAST(? AS TEXT) IS NULL OR a.names_fold LIKE ? ESCAPE '\\')"                                       \
  " AND a.at >= ? AND a.at < ?"
/* Entries written before the names were kept show today's names instead. */
#define AUDIT_COLS                                                                                        \
  "SELECT a.id, a.at, a.actor_id, a.actor_username, a.action, a.entity, a.entity_id, a.unit_id, a.ip,"    \
  " a.detail, COALESCE(a.actor_name, (SELECT display_name FROM users WHERE id = a.actor_id)),"            \
  " COALESCE(a.entity_name, CASE a.entity WHEN 'user' THEN (SELECT display_name FROM users WHERE id = a.entity_id)" \
  " WHEN 'unit' THEN (SELECT name FROM units WHERE id = a.entity_id) END), COALESCE(a.unit_name, un.name)"
/* Keyset pages: older entries (id below the cursor, newest first) or newer ones (id above it,
 * oldest first, turned round here). */
STORE_SQL(q_older, SCOPE_WITH AUDIT_COLS AUDIT_FILTER " AND a.id < ? ORDER BY a.id DESC LIMIT ?");
STORE_SQL(q_newer, SCOPE_WITH AUDIT_COLS AUDIT_FILTER " AND a.id > ? ORDER BY a.id ASC LIMIT ?");
/* The count stops at AUDIT_COUNT_CAP + 1 matches: an exact total only for small results. */
STORE_SQL(q_count, SCOPE_WITH "SELECT COUNT(*) FROM (SELECT 1" AUDIT_FILTER " LIMIT ?) t");
/* The same about one object (a person's trail): read through audit_log(entity_id, id). */
#define AUDIT_ONE " AND a.entity_id = ?"
STORE_SQL(q_older_one, SCOPE_WITH AUDIT_COLS AUDIT_FILTER AUDIT_ONE " AND a.id < ? ORDER BY a.id DESC LIMIT ?");
STORE_SQL(q_newer_one, SCOPE_WITH AUDIT_COLS AUDIT_FILTER AUDIT_ONE " AND a.id > ? ORDER BY a.id ASC LIMIT ?");
STORE_SQL(q_count_one, SCOPE_WITH "SELECT COUNT(*) FROM (SELECT 1" AUDIT_FILTER AUDIT_ONE " LIMIT ?) t");

static char *dup_col(store_stmt *s, int i) {
  const char *t = store_col_is_null(s, i) ? NULL : store_col_text(s, i);
  return t ? strdup(t) : NULL;
}

/* The names of an entry read by q_names into read[4] (actor, object, unit, unit's path; each NULL
 * or allocated), and the unit it is attributed to. -1 on a failure of the store or of memory. */
static int read_names(store_conn *w, const audit_entry *a, int64_t *unit_id, char *read[4]) {
  store_stmt *n = store_prepare(w, &q_names);
  if (!n) return -1;
  store_bind_int(n, 1, a->actor_id);
  store_bind_text(n, 2, a->entity);
  store_bind_int(n, 3, a->entity_id);
  store_bind_int(n, 4, a->entity_id);
  store_bind_int(n, 5, a->entity_id);
  store_bind_id(n, 6, a->unit_id);
  store_bind_text(n, 7, a->entity);
  store_bind_int(n, 8, a->entity_id);
  store_bind_int(n, 9, a->actor_id);
  int rc = store_step(n);
  bool ok = rc == STORE_ROW;
  if (ok) {
    *unit_id = store_col_is_null(n, 0) ? 0 : store_col_int(n, 0);
    for (int i = 0; i < 4; i++) {
      read[i] = dup_col(n, i + 1);
      ok = ok && (read[i] || store_col_is_null(n, i + 1));
    }
  }
  store_reset(n);
  return ok ? 0 : -1;
}

int audit_append(store_conn *w, const audit_entry *a) {
  char *detail = NULL, *read[4] = {NULL, NULL, NULL, NULL}, *fold = NULL;
  int64_t unit_id = a->unit_id;
  int ret = -1;
  /* The names kept: the caller's, or read here (actor, object, unit, unit's path). */
  const char *names[4];
  if (a->names) {
    names[0] = a->names->actor_name, names[1] = a->names->entity_name;
    names[2] = a->names->unit_name, names[3] = a->names->unit_path;
  } else {
    if (read_names(w, a, &unit_id, read) != 0) goto done;
    for (int i = 0; i < 4; i++) names[i] = read[i];
  }
  /* One folded text of every name the entry carries, the typed user name of a failed log-in too. */
  const char *typed = a->detail ? json_string_value(json_object_get(a->detail, "username")) : NULL;
  const char *parts[] = {a->actor_username, names[0], names[1], names[2], typed};
  buf b;
  buf_init(&b);
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    if (parts[i]) {
      buf_puts(&b, parts[i]);
      buf_putc(&b, '\n');
    }
  char *joined = buf_detach(&b, NULL);
  if (!joined) goto done;
  fold = text_fold(joined);
  free(joined);
  if (!fold) goto done;
  detail = a->detail ? jsonx_dump(a->detail, NULL) : NULL;
  store_stmt *s = store_prepare(w, &q_append);
  if (!s) goto done;
  store_bind_int(s, 1, clock_now());
  store_bind_id(s, 2, a->actor_id);
  store_bind_text(s, 3, a->actor_username);
  store_bind_text(s, 4, a->action);
  store_bind_text(s, 5, a->entity);
  store_bind_id(s, 6, a->entity_id);
  store_bind_id(s, 7, unit_id);
  store_bind_text(s, 8, a->ip);
  store_bind_text(s, 9, detail);
  store_bind_text(s, 10, names[0]);
  store_bind_text(s, 11, names[1]);
  store_bind_text(s, 12, names[2]);
  store_bind_text(s, 13, fold);
  store_bind_text(s, 14, names[3]);
  int rc = store_step(s);
  store_reset(s);
  ret = rc == STORE_DONE ? 0 : -1;
done:
  free(detail);
  for (int i = 0; i < 4; i++) free(read[i]);
  free(fold);
  return ret;
}

/* Binds the filter; returns the next parameter index. `prefix` is "action%"-style storage. */
static int bind_filter(store_stmt *s, const audit_query *q, const char *prefix, const char *name_like) {
  int i = scope_bind(s, 1, q->scope);
  store_bind_text(s, i++, q->actor);
  store_bind_text(s, i++, q->actor);
  store_bind_text(s, i++, q->action);
  store_bind_text(s, i++, q->action);
  store_bind_text(s, i++, prefix ? prefix : "");
  store_bind_text(s, i++, q->entity);
  store_bind_text(s, i++, q->entity);
  store_bind_text(s, i++, name_like);
  store_bind_text(s, i++, name_like);
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

static json_t *entry_of(store_stmt *s) {
  char at[32];
  clock_iso8601(store_col_int(s, 1), at, sizeof at);
  json_t *detail = json_null();
  if (!store_col_is_null(s, 9)) {
    json_t *d = json_loads(store_col_text(s, 9), 0, NULL);
    if (d) detail = d;
  }
  return json_pack("{s:I, s:s, s:o, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                   (json_int_t)store_col_int(s, 0), "at", at, "actor_id", int_or_null(s, 2), "actor_username",
                   str_or_null(s, 3), "actor_name", str_or_null(s, 10), "action", store_col_text(s, 4), "entity",
                   store_col_text(s, 5), "entity_id", int_or_null(s, 6), "entity_name", str_or_null(s, 11), "unit_id",
                   int_or_null(s, 7), "unit_name", str_or_null(s, 12), "ip", str_or_null(s, 8), "detail", detail);
}

int audit_list(store_conn *c, const audit_query *q, audit_page *out, app_err *e) {
  /* An action ending in '.' filters by prefix ("user." → every user action). */
  char *prefix = NULL, *name_like = NULL;
  json_t *items = json_array();
  memset(out, 0, sizeof *out);
  out->total = -1;
  if (!items) goto fail;
  size_t alen = q->action ? strlen(q->action) : 0;
  if (alen && q->action[alen - 1] == '.') {
    prefix = malloc(alen * 2 + 2);
    if (!prefix) goto fail;
    size_t k = 0;
    for (size_t i = 0; i < alen; i++) {
      if (q->action[i] == '%' || q->action[i] == '_' || q->action[i] == '\\') prefix[k++] = '\\';
      prefix[k++] = q->action[i];
    }
    prefix[k++] = '%';
    prefix[k] = '\0';
  }
  if (q->name && *q->name && !(name_like = text_like_pattern(q->name))) goto fail;
  bool one = q->entity_id > 0;
  store_stmt *n = store_prepare(c, one ? &q_count_one : &q_count);
  if (!n) goto fail;
  int i = bind_filter(n, q, prefix, name_like);
  if (one) store_bind_int(n, i++, q->entity_id);
  store_bind_int(n, i, AUDIT_COUNT_CAP + 1);
  int rc = store_step(n);
  int64_t count = rc == STORE_ROW ? store_col_int(n, 0) : -1;
  store_reset(n);
  if (count < 0) goto fail;
  out->total = count > AUDIT_COUNT_CAP ? -1 : count;
  out->total_known = count <= AUDIT_COUNT_CAP;

  bool newer = q->after > 0 && q->before == 0;
  store_stmt *s = store_prepare(c, one ? (newer ? &q_newer_one : &q_older_one) : (newer ? &q_newer : &q_older));
  if (!s) goto fail;
  i = bind_filter(s, q, prefix, name_like);
  if (one) store_bind_int(s, i++, q->entity_id);
  store_bind_int(s, i++, newer ? q->after : (q->before > 0 ? q->before : INT64_MAX));
  store_bind_int(s, i, q->per_page + 1); /* one more tells whether there is a further page */
  int got = 0;
  while ((rc = store_step(s)) == STORE_ROW) {
    if (got++ == q->per_page) continue;
    if (newer) json_array_insert_new(items, 0, entry_of(s));
    else json_array_append_new(items, entry_of(s));
  }
  store_reset(s);
  if (rc != STORE_DONE) goto fail;
  size_t len = json_array_size(items);
  int64_t first = len ? (int64_t)json_integer_value(json_object_get(json_array_get(items, 0), "id")) : 0;
  int64_t last = len ? (int64_t)json_integer_value(json_object_get(json_array_get(items, len - 1), "id")) : 0;
  bool more = got > q->per_page;
  if (newer) {
    /* Came from an older page: that page is still there. */
    out->older = len ? last : q->after + 1;
    out->newer = more ? first : 0;
  } else {
    out->older = more ? last : 0;
    out->newer = q->before > 0 ? (len ? first : q->before - 1) : 0;
  }
  free(prefix);
  free(name_like);
  out->items = items;
  return 0;
fail:
  free(prefix);
  free(name_like);
  json_decref(items);
  return APP_INTERNAL(e);
}

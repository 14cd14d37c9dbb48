/* people_bulk.c: the registry's writes for a list import (see people_bulk.h). Every statement is
 * prepared once per connection and reused row after row inside the importer's chunk transaction. */
#include "domain/people_bulk.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/indlive.h"
#include "domain/people.h"
#include "util/buf.h"

#define STORED_COLS                                                                                    \
  "id, name_key, full_name, COALESCE(birth_year, 0), COALESCE(birth_month, 0), COALESCE(birth_day, 0),"  \
  " sex, cccd_hash IS NOT NULL, phone, relation, vneid_level, unit_id, COALESCE(household_id, 0), cccd_hash"
STORE_SQL2(q_by_hashes,
           "SELECT " STORED_COLS " FROM people WHERE id IN (SELECT p.id FROM json_each(?) j CROSS JOIN people p"
           " WHERE substr(p.cccd_hash, 1, 16) = substr(j.value, 1, 16) AND p.cccd_hash = j.value"
           " AND p.deleted_at IS NULL)",
           "WITH h_ AS (SELECT json_array_elements_text(CAST(? AS json)) AS v)"
           " SELECT " STORED_COLS " FROM people WHERE substr(cccd_hash, 1, 16) = ANY (ARRAY(SELECT substr(v, 1, 16)"
           " FROM h_)) AND cccd_hash = ANY (ARRAY(SELECT v FROM h_)) AND deleted_at IS NULL");
/* (unit, folded name) pairs as [[unit_id, "name"], …]: the registering unit and name index. On
 * SQLite the JSON is the outer loop of a join (CROSS JOIN keeps that order), so that each value
 * is one index search: an IN list over a row value, or over a partial index's column, would scan. */
STORE_SQL2(q_by_names,
           "SELECT " STORED_COLS " FROM people WHERE id IN (SELECT p.id FROM json_each(?) j CROSS JOIN people p"
           " WHERE p.unit_id = json_extract(j.value, '$[0]') AND p.deleted_at IS NULL"
           " AND p.name_key = json_extract(j.value, '$[1]')) ORDER BY id",
           "SELECT " STORED_COLS " FROM people WHERE deleted_at IS NULL AND (unit_id, name_key) IN"
           " (SELECT CAST(e->>0 AS BIGINT), e->>1 FROM json_array_elements(CAST(? AS json)) AS t(e)) ORDER BY id");
STORE_SQL(q_staged_span, "SELECT COUNT(*), COALESCE(MIN(person_id), 0), COALESCE(MAX(person_id), 0)"
                         " FROM import_terms WHERE job_id = ?");
/* The staged rows in person id order (a bucket of ids is then whole once the next begins); the
 * importer makes the terms and sorts each bucket's. A person is looked up per staged row in
 * staging order (ids ascending): a sequential read. */
STORE_SQL(q_staged_each, "SELECT t.word, t.name_key, t.person_id FROM import_terms t JOIN people p ON p.id = t.person_id"
                         " AND p.deleted_at IS NULL AND p.name_key = t.name_key WHERE t.job_id = ?"
                         " ORDER BY t.person_id");
STORE_BULK(bulk_words, "person_words", "word, name_key, person_id", TERM_COLS);
STORE_SQL(q_changed_since, "SELECT DISTINCT t.person_id, t.name_key FROM import_terms t WHERE t.job_id = ?"
                           " AND t.person_id IN (SELECT id FROM people WHERE id >= ? AND id <= ? AND updated_at >= ?)");
/* The staged people not live under the name they were staged with (renamed, deleted, purged). */
STORE_SQL(q_staged_stale, "SELECT t.person_id, t.name_key FROM import_terms t LEFT JOIN people p ON p.id = t.person_id"
                          " WHERE t.job_id = ? AND (p.id IS NULL OR p.deleted_at IS NOT NULL OR p.name_key <> t.name_key)");
STORE_SQL(q_live_as, "SELECT 1 FROM people WHERE id = ? AND deleted_at IS NULL AND name_key = ?");
STORE_SQL2(q_words_merge,
           "INSERT INTO person_words (word, name_key, person_id) SELECT t.w, t.k, t.id FROM"
           " (SELECT json_extract(value, '$[1]') AS w, json_extract(value, '$[2]') AS k,"
           " json_extract(value, '$[0]') AS id FROM json_each(?)) t"
           " WHERE EXISTS (SELECT 1 FROM people p WHERE p.id = t.id AND p.deleted_at IS NULL AND p.name_key = t.k)"
           " ON CONFLICT DO NOTHING",
           "INSERT INTO person_words (word, name_key, person_id) SELECT t.w, t.k, t.id FROM"
           " (SELECT e->>1 AS w, e->>2 AS k, CAST(e->>0 AS BIGINT) AS id FROM json_array_elements(CAST(? AS json)) AS j(e)) t"
           " WHERE EXISTS (SELECT 1 FROM people p WHERE p.id = t.id AND p.deleted_at IS NULL AND p.name_key = t.k)"
           " ON CONFLICT DO NOTHING");
/* SQLite: a bounded batch (the single writer is held for short transactions); PostgreSQL has no
 * single writer, and a repeated LIMIT would scan the dead rows again each time. */
STORE_SQL2(q_unstage,
           "DELETE FROM import_terms WHERE rowid IN (SELECT rowid FROM import_terms WHERE job_id = ? LIMIT ?)",
           "DELETE FROM import_terms WHERE job_id = ? AND CAST(? AS BIGINT) > 0");
STORE_BULK(bulk_terms, "import_terms", "job_id, word, name_key, person_id", TERM_STAGE_COLS);
/* Ids reserved: SQLite answers one row, the first id of a run of n past the largest ever given
 * (second column 1: the run is the caller's to count out; under the single writer nobody takes
 * them meanwhile); PostgreSQL one row per id from the sequence (second column 0), the sequence
 * looked up once (as a row of its own), not once per id: 10 times faster (3.5 ms for 10,000 ids
 * against 35 ms). */
STORE_SQL2(q_reserve_people,
           "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'people'), 0),"
           " COALESCE((SELECT MAX(id) FROM people), 0)) + 1, 1 WHERE CAST(? AS INTEGER) > 0",
           "WITH q AS MATERIALIZED (SELECT CAST(pg_get_serial_sequence('people', 'id') AS regclass) AS seq)"
           " SELECT nextval(q.seq), 0 FROM q, generate_series(1, ?)");
STORE_SQL2(q_reserve_households,
           "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'households'), 0),"
           " COALESCE((SELECT MAX(id) FROM households), 0)) + 1, 1 WHERE CAST(? AS INTEGER) > 0",
           "WITH q AS MATERIALIZED (SELECT CAST(pg_get_serial_sequence('households', 'id') AS regclass) AS seq)"
           " SELECT nextval(q.seq), 0 FROM q, generate_series(1, ?)");
STORE_SQL2(q_households_of,
           "SELECT id, unit_id, code, address_key FROM households WHERE deleted_at IS NULL"
           " AND unit_id IN (SELECT value FROM json_each(?)) ORDER BY id",
           "SELECT id, unit_id, code, address_key FROM households WHERE deleted_at IS NULL"
           " AND unit_id = ANY (ARRAY(SELECT CAST(json_array_elements_text(CAST(? AS json)) AS BIGINT))) ORDER BY id");
STORE_BULK(bulk_people, "people",
           "id, full_name, name_key, birth_year, birth_month, birth_day, sex, cccd_enc, cccd_hash, phone,"
           " household_id, relation, vneid_level, unit_id, created_at, updated_at",
           PEOPLE_BULK_COLS);
STORE_BULK(bulk_households, "households", "id, unit_id, code, address, address_key, created_at, updated_at",
           HOUSEHOLD_BULK_COLS);
STORE_BULK(bulk_memberships, "memberships", "person_id, unit_id, kind, grade", MEMBERSHIP_BULK_COLS);
STORE_SQL(q_insert, "INSERT INTO people (full_name, name_key, birth_year, birth_month, birth_day, sex, cccd_enc,"
                    " cccd_hash, phone, household_id, relation, vneid_level, unit_id, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_update, "UPDATE people SET full_name = ?, name_key = ?, birth_year = ?, birth_month = ?, birth_day = ?,"
                    " sex = ?, cccd_enc = COALESCE(?, cccd_enc), cccd_hash = COALESCE(?, cccd_hash), phone = ?,"
                    " household_id = ?, relation = ?, vneid_level = ?, unit_id = ?, updated_at = ?"
                    " WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_hh_code, "SELECT id FROM households WHERE unit_id = ? AND code = ? AND deleted_at IS NULL");
STORE_SQL(q_hh_addr, "SELECT id FROM households WHERE unit_id = ? AND address_key = ? AND code IS NULL"
                     " AND deleted_at IS NULL ORDER BY id LIMIT 1");
STORE_SQL(q_hh_insert, "INSERT INTO households (unit_id, code, address, address_key, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_member, "INSERT INTO memberships (person_id, unit_id, kind, grade) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (person_id, unit_id, kind) DO UPDATE SET grade = excluded.grade"
                    " WHERE memberships.grade IS DISTINCT FROM excluded.grade");

static const char *text_of(store_stmt *s, int col) {
  const char *t = store_col_text(s, col);
  return t ? t : "";
}

/* o's texts are the statement's: they live until its next step */
static void row_stored(store_stmt *s, bulk_stored *o) {
  o->id = store_col_int(s, 0);
  o->name_key = text_of(s, 1);
  o->full_name = text_of(s, 2);
  o->y = (int)store_col_int(s, 3);
  o->m = (int)store_col_int(s, 4);
  o->d = (int)store_col_int(s, 5);
  o->sex = store_col_is_null(s, 6) ? 0 : text_of(s, 6)[0];
  o->has_cccd = store_col_int(s, 7) != 0;
  o->phone = text_of(s, 8);
  o->relation = text_of(s, 9);
  o->vneid_level = (int)store_col_int(s, 10);
  o->unit_id = store_col_int(s, 11);
  o->household_id = store_col_int(s, 12);
  o->cccd_hash = text_of(s, 13);
}

static int each_stored(store_conn *w, const store_sql *q, const char *json, bulk_stored_fn cb, void *ctx) {
  store_stmt *s = store_prepare(w, q);
  if (!s) return -1;
  store_bind_text(s, 1, json);
  bulk_stored o;
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    row_stored(s, &o);
    if (cb(ctx, &o) != 0) {
      store_reset(s);
      return -1;
    }
  }
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

int people_bulk_by_hashes(store_conn *w, const char *hashes_json, bulk_stored_fn cb, void *ctx) {
  return each_stored(w, &q_by_hashes, hashes_json, cb, ctx);
}

int people_bulk_by_names(store_conn *w, const char *name_keys_json, bulk_stored_fn cb, void *ctx) {
  return each_stored(w, &q_by_names, name_keys_json, cb, ctx);
}

static const char *nz(const char *s) { return s && *s ? s : NULL; }

static void bind_fields(store_stmt *s, const bulk_person *p) {
  store_bind_text(s, 1, p->full_name);
  store_bind_text(s, 2, p->name_key);
  if (p->y) store_bind_int(s, 3, p->y); else store_bind_null(s, 3);
  if (p->m) store_bind_int(s, 4, p->m); else store_bind_null(s, 4);
  if (p->d) store_bind_int(s, 5, p->d); else store_bind_null(s, 5);
  char sx[2] = {p->sex, 0};
  store_bind_text(s, 6, p->sex ? sx : NULL);
  store_bind_text(s, 7, nz(p->cccd_enc));
  store_bind_text(s, 8, nz(p->cccd_hash));
  store_bind_text(s, 9, nz(p->phone));
  store_bind_id(s, 10, p->household_id);
  store_bind_text(s, 11, nz(p->relation));
  store_bind_int(s, 12, p->vneid_level > 0 ? p->vneid_level : 0);
  store_bind_int(s, 13, p->unit_id);
}


int people_bulk_insert(store_conn *w, const bulk_person *p, int64_t now, int64_t *id) {
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) return STORE_ERROR;
  bind_fields(s, p);
  store_bind_int(s, 14, now);
  store_bind_int(s, 15, now);
  int rc = store_insert_id(s, id);
  return rc == STORE_DONE ? STORE_OK : rc < 0 ? rc : STORE_ERROR;
}

int people_bulk_update(store_conn *w, int64_t id, const bulk_person *p, int64_t now) {
  store_stmt *s = store_prepare(w, &q_update);
  if (!s) return STORE_ERROR;
  bind_fields(s, p);
  store_bind_int(s, 14, now);
  store_bind_int(s, 15, id);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? STORE_OK : rc < 0 ? rc : STORE_ERROR;
}

int people_bulk_household(store_conn *w, int64_t unit_id, const char *code, const char *address,
                          const char *address_key, int64_t now, int64_t *id, bool *created) {
  *created = false;
  store_stmt *s = store_prepare(w, code ? &q_hh_code : &q_hh_addr);
  if (!s) return -1;
  store_bind_int(s, 1, unit_id);
  store_bind_text(s, 2, code ? code : address_key);
  int rc = store_step(s);
  if (rc == STORE_ROW) *id = store_col_int(s, 0);
  store_reset(s);
  if (rc == STORE_ROW) return 0;
  if (rc != STORE_DONE) return -1;
  store_stmt *ins = store_prepare(w, &q_hh_insert);
  if (!ins) return -1;
  store_bind_int(ins, 1, unit_id);
  store_bind_text(ins, 2, code);
  store_bind_text(ins, 3, address ? address : "");
  store_bind_text(ins, 4, address_key ? address_key : "");
  store_bind_int(ins, 5, now);
  store_bind_int(ins, 6, now);
  if (store_insert_id(ins, id) != STORE_DONE) return -1;
  *created = true;
  return 0;
}

int people_bulk_membership(store_conn *w, int64_t person_id, int64_t unit_id, const char *kind, int grade) {
  store_stmt *s = store_prepare(w, &q_member);
  if (!s) return -1;
  store_bind_int(s, 1, person_id);
  store_bind_int(s, 2, unit_id);
  store_bind_text(s, 3, kind);
  if (grade > 0) store_bind_int(s, 4, grade); else store_bind_null(s, 4);
  int rc = store_step(s);
  int64_t n = rc == STORE_DONE ? store_changes(s) : 0;
  store_reset(s);
  if (rc != STORE_DONE) return -1;
  return n > 0 ? 1 : 0;
}

int people_bulk_reserve(store_conn *w, bulk_table t, int n, int64_t *ids) {
  if (n <= 0) return 0;
  store_stmt *s = store_prepare(w, t == BULK_PEOPLE ? &q_reserve_people : &q_reserve_households);
  if (!s) return -1;
  store_bind_int(s, 1, n);
  int rc, k = 0;
  while ((rc = store_step(s)) == STORE_ROW && k < n) {
    int64_t id = store_col_int(s, 0);
    if (store_col_int(s, 1) == 1) /* a run */
      for (; k < n; k++) ids[k] = id + k;
    else
      ids[k++] = id;
  }
  store_reset(s);
  return (rc == STORE_DONE || rc == STORE_ROW) && k == n ? 0 : -1;
}

static store_val text_or_null(const char *s) { return s && *s ? store_val_text(s) : store_val_null(); }

void people_bulk_row(const bulk_person *p, int64_t id, int64_t now, store_val *row) {
  row[0] = store_val_int(id);
  row[1] = store_val_text(p->full_name);
  row[2] = store_val_text(p->name_key);
  row[3] = p->y ? store_val_int(p->y) : store_val_null();
  row[4] = p->m ? store_val_int(p->m) : store_val_null();
  row[5] = p->d ? store_val_int(p->d) : store_val_null();
  row[6] = p->sex == 'M' ? store_val_text("M") : p->sex == 'F' ? store_val_text("F") : store_val_null();
  row[7] = text_or_null(p->cccd_enc);
  row[8] = text_or_null(p->cccd_hash);
  row[9] = text_or_null(p->phone);
  row[10] = p->household_id ? store_val_int(p->household_id) : store_val_null();
  row[11] = text_or_null(p->relation);
  row[12] = store_val_int(p->vneid_level > 0 ? p->vneid_level : 0);
  row[13] = store_val_int(p->unit_id);
  row[14] = store_val_int(now);
  row[15] = store_val_int(now);
}

/* ---- the row triggers' work, once for a set ----
 * SQLite's row triggers on people, memberships and households (migrations 25 and 31) keep the live
 * counts (unit_people: live people and a revision a unit) and mark records for the live indicators
 * (ind_dirty, ind_dirty_hh), one trigger program a row: ~12 % of a 200,000-row import's time
 * (BENCHMARKS.md, session 21). A chunk's new rows are inserted with the triggers off
 * (store_row_triggers_off) and the same effects made here, once for the set, in the same
 * transaction: the same marks, each unit's count raised by its new people and its revision moved
 * (once, not once a row: a revision only has to change). test_bulk_marks (tests/unit/test_import.c)
 * compares them with the triggers' and fails when another INSERT trigger appears on these tables.
 * On PostgreSQL nothing is turned off: its triggers there run once a statement (migration 37). */
STORE_SQL(q_unit_live, "INSERT INTO unit_people (unit_id, live, rev) SELECT value, COUNT(*), 1 FROM json_each(?)"
                       " WHERE true GROUP BY value ON CONFLICT (unit_id) DO UPDATE SET live = live + excluded.live,"
                       " rev = rev + 1");

/* The non-NULL integers of column `col` of n rows of ncols as a JSON array, into b. */
static void ids_json(buf *b, const store_val *rows, int n, int ncols, int col) {
  buf_putc(b, '[');
  bool first = true;
  for (int r = 0; r < n; r++) {
    const store_val *v = &rows[(size_t)r * (size_t)ncols + (size_t)col];
    if (v->type != STORE_V_INT) continue;
    buf_printf(b, first ? "%lld" : ",%lld", (long long)v->i);
    first = false;
  }
  buf_putc(b, ']');
}

static int exec_json(store_conn *w, const store_sql *q, const char *json) {
  store_stmt *s = store_prepare(w, q);
  if (!s) return -1;
  store_bind_text(s, 1, json);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

/* unit_people_insert and ind_people_in of the people rows; ind_memberships_in of the members
 * (whose unit_people_membership_in revision is the people's units', moved by the same statement). */
static int people_marks(store_conn *w, const store_val *people, int np, const store_val *members, int nm) {
  buf units, ids, hh;
  buf_init(&units);
  buf_init(&ids);
  buf_init(&hh);
  ids_json(&units, people, np, PEOPLE_BULK_COLS, 13);
  ids_json(&ids, people, np, PEOPLE_BULK_COLS, 0);
  ids_json(&hh, people, np, PEOPLE_BULK_COLS, 10);
  char *u = buf_detach(&units, NULL), *i = buf_detach(&ids, NULL), *h = buf_detach(&hh, NULL);
  int rc = u && i && h && exec_json(w, &q_unit_live, u) == 0 && indlive_mark(w, i, h) == 0 ? 0 : -1;
  free(u);
  free(i);
  free(h);
  if (rc == 0 && nm) {
    buf_init(&ids);
    ids_json(&ids, members, nm, MEMBERSHIP_BULK_COLS, 0);
    i = buf_detach(&ids, NULL);
    rc = i && indlive_mark(w, i, NULL) == 0 ? 0 : -1;
    free(i);
  }
  return rc;
}

int people_bulk_insert_new(store_conn *w, const store_val *people, int np, const store_val *members, int nm) {
  bool off = store_row_triggers_off(w);
  int rc = store_insert_rows(w, &bulk_people, people, np);
  if (rc == STORE_OK && nm) rc = store_insert_rows(w, &bulk_memberships, members, nm);
  if (off && store_row_triggers_on(w) != 0 && rc == STORE_OK) rc = STORE_ERROR;
  if (off && rc == STORE_OK && (np || nm) && people_marks(w, people, np, members, nm) != 0) rc = STORE_ERROR;
  return rc;
}

int people_bulk_insert_households(store_conn *w, const store_val *rows, int n) {
  bool off = store_row_triggers_off(w);
  int rc = store_insert_rows(w, &bulk_households, rows, n);
  if (off && store_row_triggers_on(w) != 0 && rc == STORE_OK) rc = STORE_ERROR;
  if (off && rc == STORE_OK && n) { /* ind_households_in */
    buf ids;
    buf_init(&ids);
    ids_json(&ids, rows, n, HOUSEHOLD_BULK_COLS, 0);
    char *i = buf_detach(&ids, NULL);
    if (!i || indlive_mark(w, NULL, i) != 0) rc = STORE_ERROR;
    free(i);
  }
  return rc;
}

int people_bulk_households_of(store_conn *w, const char *unit_ids_json, bulk_household_fn cb, void *ctx) {
  store_stmt *s = store_prepare(w, &q_households_of);
  if (!s) return -1;
  store_bind_text(s, 1, unit_ids_json);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    if (cb(ctx, store_col_int(s, 0), store_col_int(s, 1), store_col_text(s, 2), store_col_text(s, 3)) != 0) {
      store_reset(s);
      return -1;
    }
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

int people_bulk_stage_terms(store_conn *w, const store_val *rows, int n) {
  return store_insert_rows(w, &bulk_terms, rows, n);
}

int people_bulk_staged_span(store_conn *c, int64_t job_id, int64_t *n, int64_t *lo, int64_t *hi) {
  store_stmt *s = store_prepare(c, &q_staged_span);
  if (!s) return -1;
  store_bind_int(s, 1, job_id);
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    *n = store_col_int(s, 0);
    *lo = store_col_int(s, 1);
    *hi = store_col_int(s, 2);
  }
  store_reset(s);
  return rc == STORE_ROW ? 0 : -1;
}

int people_bulk_staged_each(store_conn *c, int64_t job_id, bulk_term_fn cb, void *ctx) {
  store_stmt *s = store_prepare_stream(c, &q_staged_each);
  if (!s) return -1;
  store_bind_int(s, 1, job_id);
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    if (cb(ctx, store_col_text(s, 0), store_col_text(s, 1), store_col_int(s, 2)) != 0) {
      store_reset(s);
      return -1;
    }
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

int people_bulk_merge_terms(store_conn *w, const char *terms_json) {
  store_stmt *s = store_prepare(w, &q_words_merge);
  if (!s) return STORE_ERROR;
  store_bind_text(s, 1, terms_json);
  int rc = store_step(s);
  store_reset(s);
  return rc == STORE_DONE ? STORE_OK : rc < 0 ? rc : STORE_ERROR;
}

/* SQLite: when the job's are the only staged rows (one import at a time, the usual case), the
 * table is emptied whole — a DELETE without WHERE frees its pages instead of deleting a row at a
 * time (0.35 s of a million-row import's end). PostgreSQL deletes the job's rows in one statement
 * (q_unstage) and says "others" here, so that it never empties the table. */
STORE_SQL2(q_staged_others, "SELECT EXISTS (SELECT 1 FROM import_terms WHERE job_id <> ?)",
           "SELECT CAST(? AS BIGINT) IS NOT NULL");
STORE_SQL(q_unstage_all, "DELETE FROM import_terms");

static int64_t unstage(store_conn *w, int64_t job_id, int64_t limit) {
  store_stmt *o = store_prepare(w, &q_staged_others);
  if (!o) return -1;
  store_bind_int(o, 1, job_id);
  int orc = store_step(o);
  bool others = orc == STORE_ROW && store_col_int(o, 0) != 0;
  store_reset(o);
  if (orc != STORE_ROW) return -1;
  if (!others) {
    store_stmt *a = store_prepare(w, &q_unstage_all);
    if (!a) return -1;
    orc = store_step(a);
    int64_t n = orc == STORE_DONE ? store_changes(a) : -1;
    store_reset(a);
    return n;
  }
  store_stmt *s = store_prepare(w, &q_unstage);
  if (!s) return -1;
  store_bind_int(s, 1, job_id);
  store_bind_int(s, 2, limit);
  int rc = store_step(s);
  int64_t n = rc == STORE_DONE ? store_changes(s) : -1;
  store_reset(s);
  return n;
}

/* The check for other jobs' rows and the DELETE see the same rows: in one transaction (on SQLite
 * BEGIN IMMEDIATE, taken before the check). Two statements on their own let another process on
 * the same file (a `hocvuso import residents` beside the server) commit a chunk's staged rows
 * between them, and the DELETE without WHERE took them with the job's: their people were never
 * merged into the name index (test_unstage_beside_another_process). */
int64_t people_bulk_unstage(store_conn *w, int64_t job_id, int64_t limit) {
  if (store_in_transaction(w)) return unstage(w, job_id, limit);
  if (store_begin(w) != STORE_OK) return -1;
  int64_t n = unstage(w, job_id, limit);
  if (n < 0) {
    store_rollback(w);
    return -1;
  }
  return store_commit(w) == STORE_OK ? n : -1;
}

int people_bulk_insert_terms(store_conn *w, const store_val *rows, int n) {
  return store_insert_rows(w, &bulk_words, rows, n);
}

/* cb(id, folded name) for each row (person id, name key) of the bound statement s. 0 or -1. */
static int each_key(store_stmt *s, bulk_key_fn cb, void *ctx) {
  int rc;
  while ((rc = store_step(s)) == STORE_ROW)
    if (cb(ctx, store_col_int(s, 0), store_col_text(s, 1) ? store_col_text(s, 1) : "") != 0) {
      store_reset(s);
      return -1;
    }
  store_reset(s);
  return rc == STORE_DONE ? 0 : -1;
}

int people_bulk_changed_since(store_conn *c, int64_t job_id, int64_t lo, int64_t hi, int64_t since, bulk_key_fn cb,
                              void *ctx) {
  store_stmt *s = store_prepare_stream(c, &q_changed_since);
  if (!s) return -1;
  store_bind_int(s, 1, job_id);
  store_bind_int(s, 2, lo);
  store_bind_int(s, 3, hi);
  store_bind_int(s, 4, since);
  return each_key(s, cb, ctx);
}

int people_bulk_staged_stale(store_conn *c, int64_t job_id, bulk_key_fn cb, void *ctx) {
  store_stmt *s = store_prepare_stream(c, &q_staged_stale);
  if (!s) return -1;
  store_bind_int(s, 1, job_id);
  return each_key(s, cb, ctx);
}

int people_bulk_drop_stale_terms(store_conn *w, int64_t id, const char *name_key) {
  store_stmt *s = store_prepare(w, &q_live_as);
  if (!s) return -1;
  store_bind_int(s, 1, id);
  store_bind_text(s, 2, name_key);
  int rc = store_step(s);
  store_reset(s);
  if (rc == STORE_ROW) return 0; /* live under that name: its terms stand */
  if (rc != STORE_DONE) return -1;
  return people_words_drop(w, id, name_key);
}

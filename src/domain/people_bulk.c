/* people_bulk.c: the registry's writes for a list import (see people_bulk.h). Every statement is
 * prepared once per connection and reused row after row inside the importer's chunk transaction. */
#include "domain/people_bulk.h"

#include <stdio.h>
#include <string.h>

#define STORED_COLS                                                                                    \
  "id, name_key, full_name, COALESCE(birth_year, 0), COALESCE(birth_month, 0), COALESCE(birth_day, 0),"  \
  " sex, cccd_hash IS NOT NULL, phone, relation, vneid_level, unit_id, COALESCE(household_id, 0)"
STORE_SQL(q_by_hash, "SELECT " STORED_COLS " FROM people WHERE cccd_hash = ? AND deleted_at IS NULL");
STORE_SQL(q_by_key, "SELECT " STORED_COLS " FROM people WHERE unit_id = ? AND name_key = ?"
                    " AND COALESCE(birth_year, 0) = ? AND COALESCE(birth_month, 0) = ? AND COALESCE(birth_day, 0) = ?"
                    " AND COALESCE(household_id, 0) = ? AND deleted_at IS NULL AND (? = 0 OR cccd_hash IS NULL)"
                    " ORDER BY id LIMIT 1");
STORE_SQL(q_insert, "INSERT INTO people (full_name, name_key, birth_year, birth_month, birth_day, sex, cccd_enc,"
                    " cccd_hash, phone, household_id, relation, vneid_level, unit_id, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_update, "UPDATE people SET full_name = ?, name_key = ?, birth_year = ?, birth_month = ?, birth_day = ?,"
                    " sex = ?, cccd_enc = COALESCE(?, cccd_enc), cccd_hash = COALESCE(?, cccd_hash), phone = ?,"
                    " household_id = ?, relation = ?, vneid_level = ?, unit_id = ?, updated_at = ?"
                    " WHERE id = ? AND deleted_at IS NULL");
STORE_SQL(q_word_add, "INSERT INTO person_words (word, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING");
STORE_SQL(q_hh_code, "SELECT id FROM households WHERE unit_id = ? AND code = ? AND deleted_at IS NULL");
STORE_SQL(q_hh_addr, "SELECT id FROM households WHERE unit_id = ? AND address_key = ? AND code IS NULL"
                     " AND deleted_at IS NULL ORDER BY id LIMIT 1");
STORE_SQL(q_hh_insert, "INSERT INTO households (unit_id, code, address, address_key, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_member, "INSERT INTO memberships (person_id, unit_id, kind, grade) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (person_id, unit_id, kind) DO UPDATE SET grade = excluded.grade"
                    " WHERE memberships.grade IS DISTINCT FROM excluded.grade");

static void copy_text(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src ? src : ""); }

static int read_stored(store_stmt *s, bulk_stored *o) {
  int rc = store_step(s);
  if (rc == STORE_ROW) {
    o->id = store_col_int(s, 0);
    copy_text(o->name_key, sizeof o->name_key, store_col_text(s, 1));
    copy_text(o->full_name, sizeof o->full_name, store_col_text(s, 2));
    o->y = (int)store_col_int(s, 3);
    o->m = (int)store_col_int(s, 4);
    o->d = (int)store_col_int(s, 5);
    o->sex = store_col_is_null(s, 6) ? 0 : store_col_text(s, 6)[0];
    o->has_cccd = store_col_int(s, 7) != 0;
    copy_text(o->phone, sizeof o->phone, store_col_text(s, 8));
    copy_text(o->relation, sizeof o->relation, store_col_text(s, 9));
    o->vneid_level = (int)store_col_int(s, 10);
    o->unit_id = store_col_int(s, 11);
    o->household_id = store_col_int(s, 12);
  }
  store_reset(s);
  return rc == STORE_ROW ? 1 : rc == STORE_DONE ? 0 : -1;
}

int people_bulk_by_hash(store_conn *w, const char *cccd_hash, bulk_stored *out) {
  store_stmt *s = store_prepare(w, &q_by_hash);
  if (!s) return -1;
  store_bind_text(s, 1, cccd_hash);
  return read_stored(s, out);
}

int people_bulk_by_key(store_conn *w, const bulk_person *p, bool without_cccd, bulk_stored *out) {
  store_stmt *s = store_prepare(w, &q_by_key);
  if (!s) return -1;
  store_bind_int(s, 1, p->unit_id);
  store_bind_text(s, 2, p->name_key);
  store_bind_int(s, 3, p->y);
  store_bind_int(s, 4, p->m);
  store_bind_int(s, 5, p->d);
  store_bind_int(s, 6, p->household_id);
  store_bind_int(s, 7, without_cccd ? 1 : 0);
  return read_stored(s, out);
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

static int words_add(store_conn *w, int64_t id, const char *key) {
  store_stmt *s = store_prepare(w, &q_word_add);
  if (!s) return STORE_ERROR;
  for (const char *q = key; *q;) {
    while (*q == ' ') q++;
    size_t n = strcspn(q, " ");
    if (n) {
      store_bind_textn(s, 1, q, n);
      store_bind_int(s, 2, id);
      int rc = store_step(s);
      store_reset(s);
      if (rc != STORE_DONE) return rc < 0 ? rc : STORE_ERROR;
    }
    q += n;
  }
  return STORE_OK;
}

int people_bulk_insert(store_conn *w, const bulk_person *p, int64_t now, int64_t *id) {
  store_stmt *s = store_prepare(w, &q_insert);
  if (!s) return STORE_ERROR;
  bind_fields(s, p);
  store_bind_int(s, 14, now);
  store_bind_int(s, 15, now);
  int rc = store_insert_id(s, id);
  if (rc != STORE_DONE) return rc < 0 ? rc : STORE_ERROR;
  return words_add(w, *id, p->name_key);
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

/* test_people.c: the registry's core (people.c, households.c, groups.c) on SQLite and, when
 * HOCVUSO_TEST_DATABASE_URL names a PostgreSQL database (tests/pg-server.sh start DIR prints one),
 * on PostgreSQL in a schema of its own: parsers, CCCD sealing and keyed lookup, name search
 * folding, the target groups' C rule against their SQL rule on edge cases, household codes, soft
 * delete. Synthetic people only.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h> /* after the headers it relies on (stdarg, stddef, setjmp) */

#include <jansson.h>
#include <sodium.h>

#include "domain/groups.h"
#include "domain/people.h"
#include "domain/scope.h"
#include "domain/units.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/clock.h"

#define REGISTRY_FIXTURE_NAME "people"
#include "registry_fixture.h"

/* The ids a search finds, in the whole tree. */
static int find(fixture *fx, people_query q, int64_t *ids, int max, people_q_kind *kind) {
  scope_sql all;
  scope_sql_all(&all);
  if (!q.page) q.page = 1;
  if (!q.per_page) q.per_page = 200;
  json_t *items = NULL;
  int64_t total = 0;
  app_err e = {0};
  people_q_kind k;
  assert_int_equal(people_list(fx->w, &fx->keys, &all, &q, &items, &total, kind ? kind : &k, &e), 0);
  int n = 0;
  size_t i;
  json_t *v;
  json_array_foreach(items, i, v) if (n < max) ids[n++] = json_integer_value(json_object_get(v, "id"));
  assert_int_equal(total, (int64_t)json_array_size(items));
  json_decref(items);
  if (q.q && q.name_drive_max == 0 && !q.broad) {
    /* The other ways of running a name search find the same people in the same order: a broad
     * scope's (the rarest term's names in name order, or the rarest word's), and the walk of the
     * name order. */
    for (int way = 0; way < 2; way++) {
      int64_t other[64];
      people_query o = q;
      o.broad = true;
      o.name_drive_max = way ? -1 : 0;
      int m = find(fx, o, other, 64, NULL);
      assert_int_equal(m, n);
      for (int j = 0; j < n && j < max; j++) assert_int_equal(other[j], ids[j]);
    }
  }
  return n;
}

static bool has(const int64_t *ids, int n, int64_t id) {
  for (int i = 0; i < n; i++)
    if (ids[i] == id) return true;
  return false;
}

#define Q(...) ((people_query){.age_min = -1, .age_max = -1, .vneid_level = -1, __VA_ARGS__})

/* ---- pure ---- */
static void test_parsers(void **state) {
  (void)state;
  int y, m, d;
  const char *why;
  int64_t today = 20260315;
  assert_int_equal(people_parse_birth("15/03/1985", today, &y, &m, &d, &why), 0);
  assert_true(y == 1985 && m == 3 && d == 15);
  assert_int_equal(people_parse_birth("5/3/1985", today, &y, &m, &d, &why), 0);
  assert_true(y == 1985 && m == 3 && d == 5);
  assert_int_equal(people_parse_birth("1985-03-15", today, &y, &m, &d, &why), 0);
  assert_int_equal(people_parse_birth("1966", today, &y, &m, &d, &why), 0);
  assert_true(y == 1966 && m == 0 && d == 0);
  assert_int_equal(people_parse_birth("2026-03-15", today, &y, &m, &d, &why), 0); /* born today */
  assert_int_equal(people_parse_birth("2026-03-16", today, &y, &m, &d, &why), -1);
  assert_non_null(strstr(why, "tương lai"));
  assert_int_equal(people_parse_birth("2027", today, &y, &m, &d, &why), -1);
  assert_int_equal(people_parse_birth("29/02/2023", today, &y, &m, &d, &why), -1);
  assert_int_equal(people_parse_birth("29/02/2024", today, &y, &m, &d, &why), 0);
  assert_int_equal(people_parse_birth("1899", today, &y, &m, &d, &why), -1);
  assert_int_equal(people_parse_birth("15-03-1985", today, &y, &m, &d, &why), 0);
  assert_int_equal(people_parse_birth("00/00/1957", today, &y, &m, &d, &why), 0);
  assert_true(y == 1957 && m == 0 && d == 0);
  assert_int_equal(people_parse_birth("5/3/57", today, &y, &m, &d, &why), -1);
  assert_int_equal(people_parse_birth("", today, &y, &m, &d, &why), -1);
  assert_int_equal(people_parse_sex("Nam"), 'M');
  assert_int_equal(people_parse_sex("nữ"), 'F');
  assert_int_equal(people_parse_sex("NỮ"), 'F');
  assert_int_equal(people_parse_sex("F"), 'F');
  assert_int_equal(people_parse_sex("khác"), 0);
  char ph[16];
  assert_int_equal(people_phone_normalise("0912 345 678", ph, sizeof ph), 0);
  assert_string_equal(ph, "0912345678");
  assert_int_equal(people_phone_normalise("+84 912.345.678", ph, sizeof ph), 0);
  assert_string_equal(ph, "0912345678");
  assert_int_equal(people_phone_normalise("84912345678", ph, sizeof ph), 0);
  assert_string_equal(ph, "0912345678");
  assert_int_equal(people_phone_normalise("(0220) 3852 123", ph, sizeof ph), 0);
  assert_string_equal(ph, "02203852123");
  assert_int_equal(people_phone_normalise("12345", ph, sizeof ph), -1);
  assert_int_equal(people_phone_normalise("+1 202 555 0100", ph, sizeof ph), -1);
  assert_int_equal(people_phone_normalise("0912abc678", ph, sizeof ph), -1);
  char c[13], masked[13];
  assert_int_equal(people_cccd_check("030185000123", 1985, 'F', c, &why), 0);
  assert_int_equal(people_cccd_check("0301 8500 0123", 0, 0, c, &why), 0);
  assert_string_equal(c, "030185000123");
  assert_int_equal(people_cccd_check("030185000123", 1985, 'M', c, &why), -1); /* 1 is a woman's digit */
  assert_int_equal(people_cccd_check("030185000123", 1986, 0, c, &why), -1);
  assert_int_equal(people_cccd_check("030185000123", 2085, 0, c, &why), -1);
  assert_int_equal(people_cccd_check("031208000123", 2008, 'M', c, &why), 0); /* 2 = a man born 2000–2099 */
  assert_int_equal(people_cccd_check("999308000123", 2008, 'F', c, &why), 0); /* unknown prefix: not refused here */
  assert_int_equal(people_cccd_check("03018500012", 0, 0, c, &why), -1);
  assert_int_equal(people_cccd_check("0301850001234", 0, 0, c, &why), -1);
  assert_int_equal(people_cccd_check("03018500012a", 0, 0, c, &why), -1);
  people_cccd_mask("030185000123", masked);
  assert_string_equal(masked, "0301*****123");
}

/* The scope of one subtree: the root of a caller's grants carrying the capability, or NULL when they
 * are more than one subtree (a plain list then reads the grants in SQL). */
static void test_scope_root(void **state) {
  (void)state;
  grant g[3] = {{.unit_path = "/1/2/5/", .caps = CAP_PEOPLE_READ},
                {.unit_path = "/1/2/5/7/", .caps = CAP_PEOPLE_READ | CAP_PEOPLE_WRITE},
                {.unit_path = "/1/2/6/", .caps = CAP_UNITS_READ}};
  principal p = {.user_id = 1, .grants = g, .ngrants = 1};
  assert_null(people_scope_root(NULL, CAP_PEOPLE_READ));
  assert_string_equal(people_scope_root(&p, CAP_PEOPLE_READ), "/1/2/5/");
  p.ngrants = 2; /* a grant below the first: still one subtree */
  assert_string_equal(people_scope_root(&p, CAP_PEOPLE_READ), "/1/2/5/");
  assert_string_equal(people_scope_root(&p, CAP_PEOPLE_WRITE), "/1/2/5/7/"); /* only the one carrying it */
  grant swapped[2] = {g[1], g[0]};
  principal q = {.user_id = 1, .grants = swapped, .ngrants = 2};
  assert_string_equal(people_scope_root(&q, CAP_PEOPLE_READ), "/1/2/5/");
  p.ngrants = 3; /* a grant without the capability changes nothing */
  assert_string_equal(people_scope_root(&p, CAP_PEOPLE_READ), "/1/2/5/");
  g[2].caps = CAP_PEOPLE_READ; /* two subtrees side by side: none */
  assert_null(people_scope_root(&p, CAP_PEOPLE_READ));
  principal none = {.user_id = 1, .grants = NULL, .ngrants = 0};
  assert_null(people_scope_root(&none, CAP_PEOPLE_READ));
}

static void test_groups_age(void **state) {
  (void)state;
  assert_int_equal(groups_age(2008, 3, 15, 20260315), 18);
  assert_int_equal(groups_age(2008, 3, 16, 20260315), 17);
  assert_int_equal(groups_age(2008, 0, 0, 20260101), 18); /* year only: 1 January */
  assert_int_equal(groups_age(2008, 0, 0, 20251231), 17);
  assert_int_equal(groups_age(2008, 2, 29, 20260228), 17);
  assert_int_equal(groups_age(2008, 2, 29, 20260301), 18);
  assert_int_equal(groups_age(0, 0, 0, 20260301), -1);
  /* 2026-03-14 17:00 UTC is already the 15th in Vietnam (UTC+7). */
  assert_int_equal(groups_date_key(1773507600), 20260315);
  assert_int_equal(groups_date_key(0), 19700101);
}

/* ---- with a database ---- */
static void test_cccd_sealed_and_found(void **state) {
  fixture *fx = fx_of(state);
  const char *num = "030185000777";
  char *a = people_cccd_seal(&fx->keys, num), *b = people_cccd_seal(&fx->keys, num);
  assert_non_null(a);
  assert_non_null(b);
  assert_string_not_equal(a, b); /* a random nonce each time */
  /* ... across the nonce pool's refills too: 200 boxes, 200 nonces, each opens */
  enum { NB = 200 };
  char nonces[NB][49];
  for (int i = 0; i < NB; i++) {
    char *box = people_cccd_seal(&fx->keys, num), back[13];
    assert_non_null(box);
    assert_int_equal(people_cccd_open(&fx->keys, box, back), 0);
    assert_string_equal(back, num);
    snprintf(nonces[i], sizeof nonces[i], "%.48s", box);
    for (int k = 0; k < i; k++) assert_string_not_equal(nonces[k], nonces[i]);
    free(box);
  }
  assert_null(strstr(a, num));
  char out[13];
  assert_int_equal(people_cccd_open(&fx->keys, a, out), 0);
  assert_string_equal(out, num);
  secrets other = fx->keys;
  other.data_key[0] ^= 1;
  assert_int_equal(people_cccd_open(&other, a, out), -1);
  a[strlen(a) - 1] = a[strlen(a) - 1] == '0' ? '1' : '0'; /* altered */
  assert_int_equal(people_cccd_open(&fx->keys, a, out), -1);
  free(a);
  free(b);
  char h1[65], h2[65];
  people_cccd_hash(&fx->keys, num, h1);
  people_cccd_hash(&fx->keys, num, h2);
  assert_string_equal(h1, h2);
  other = fx->keys;
  other.lookup_key[0] ^= 1;
  people_cccd_hash(&other, num, h2);
  assert_string_not_equal(h1, h2); /* keyed: the lookup key matters */

  int64_t id = person(fx, "Đỗ Thị Mai", fx->tdp1, 0, "1985", "F", num);
  STORE_SQL(q_stored, "SELECT cccd_enc, cccd_hash FROM people WHERE id = ?");
  store_stmt *s = store_prepare(fx->w, &q_stored);
  assert_non_null(s);
  store_bind_int(s, 1, id);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_null(strstr(store_col_text(s, 0), num));
  assert_int_equal(people_cccd_open(&fx->keys, store_col_text(s, 0), out), 0);
  assert_string_equal(out, num);
  assert_string_equal(store_col_text(s, 1), h1);
  store_reset(s);
  int64_t ids[8];
  people_q_kind kind;
  int n = find(fx, Q(.q = "0301 8500 0777"), ids, 8, &kind);
  assert_int_equal(kind, PEOPLE_Q_CCCD);
  assert_int_equal(n, 1);
  assert_int_equal(ids[0], id);
  /* Clear only when asked. */
  json_t *o = NULL;
  app_err e = {0};
  assert_int_equal(people_get(fx->w, &fx->keys, id, false, &o, &e), 0);
  assert_string_equal(json_string_value(json_object_get(o, "cccd")), "0301*****777");
  json_decref(o);
  assert_int_equal(people_get(fx->w, &fx->keys, id, true, &o, &e), 0);
  assert_string_equal(json_string_value(json_object_get(o, "cccd")), num);
  json_decref(o);
  /* A second live record with the number: 409 on cccd, nothing written. */
  person_input in = {.full_name = "Người Khác", .unit_id = fx->tdp2, .cccd = num, .vneid_level = -1};
  int64_t id2 = 0;
  e = (app_err){0};
  assert_int_equal(people_create(fx->w, &fx->keys, &in, &id2, &e), -1);
  assert_int_equal(e.status, 409);
  assert_string_equal(e.field, "cccd");
}

static void test_name_search(void **state) {
  fixture *fx = fx_of(state);
  int64_t huong = person(fx, "Nguyễn Thị Hương", fx->tdp1, 0, NULL, NULL, NULL);
  int64_t hung = person(fx, "Nguyễn Văn Hưng", fx->tdp1, 0, NULL, NULL, NULL);
  int64_t huong2 = person(fx, "Trần  Thị   Hường", fx->tdp2, 0, NULL, NULL, NULL);
  int64_t dung = person(fx, "Lê Đức Dũng", fx->tdp2, 0, NULL, NULL, NULL);
  int64_t ids[16];
  int n = find(fx, Q(.q = "nguyen thi huong"), ids, 16, NULL);
  assert_int_equal(n, 1);
  assert_int_equal(ids[0], huong);
  n = find(fx, Q(.q = "HUONG"), ids, 16, NULL);
  assert_int_equal(n, 2);
  assert_true(has(ids, n, huong) && has(ids, n, huong2));
  n = find(fx, Q(.q = "hu"), ids, 16, NULL);
  assert_true(has(ids, n, huong) && has(ids, n, hung) && has(ids, n, huong2) && !has(ids, n, dung));
  n = find(fx, Q(.q = "Nguyễn"), ids, 16, NULL);
  assert_int_equal(n, 2);
  n = find(fx, Q(.q = "duc dung"), ids, 16, NULL); /* đ folds to d */
  assert_int_equal(n, 1);
  assert_int_equal(ids[0], dung);
  n = find(fx, Q(.q = "thi huong", .unit_id = fx->tdp2), ids, 16, NULL);
  assert_int_equal(n, 1);
  assert_int_equal(ids[0], huong2);
  n = find(fx, Q(.q = "  nguyen   thi  huong  "), ids, 16, NULL); /* spaces anywhere */
  assert_int_equal(n, 1);
  n = find(fx, Q(.q = "nguyen thi huong nguyen thi huong x"), ids, 16, NULL); /* words past the fifth ignored */
  assert_int_equal(n, 1);
  n = find(fx, Q(.q = "guyen"), ids, 16, NULL); /* word starts only, not a substring */
  assert_int_equal(n, 0);
  /* A whole word matches exactly; a word's start matches while it is not a word of any name. */
  int64_t an = person(fx, "Phạm Văn An", fx->tdp1, 0, NULL, NULL, NULL);
  int64_t anh = person(fx, "Phạm Thị Anh", fx->tdp2, 0, NULL, NULL, NULL);
  int64_t anh2 = person(fx, "Vũ Văn Anh", fx->tdp2, 0, NULL, NULL, NULL);
  n = find(fx, Q(.q = "an"), ids, 16, NULL);
  assert_int_equal(n, 1);
  assert_int_equal(ids[0], an);
  n = find(fx, Q(.q = "pham an"), ids, 16, NULL);
  assert_int_equal(n, 1);
  n = find(fx, Q(.q = "pham anh"), ids, 16, NULL);
  assert_int_equal(n, 1);
  assert_int_equal(ids[0], anh);
  n = find(fx, Q(.q = "van an"), ids, 16, NULL); /* Phạm Văn An; Vũ Văn Anh has no word "an" */
  assert_int_equal(n, 1);
  n = find(fx, Q(.q = "ph a"), ids, 16, NULL); /* two starts: every Phạm with a word starting "a" */
  assert_true(n == 2 && has(ids, n, an) && has(ids, n, anh));
  n = find(fx, Q(.q = "van a"), ids, 16, NULL); /* a whole word and a start */
  assert_true(n == 2 && has(ids, n, an) && has(ids, n, anh2));
  n = find(fx, Q(.q = "anh van vu"), ids, 16, NULL); /* any order */
  assert_int_equal(n, 1);
  assert_int_equal(ids[0], anh2);
  n = find(fx, Q(.q = "an_h 100%"), ids, 16, NULL); /* LIKE's own characters are plain text */
  assert_int_equal(n, 0);
  n = find(fx, Q(.q = "~an anh"), ids, 16, NULL); /* a pair term is not a word */
  assert_int_equal(n, 2);
  /* A renamed person is found by the new name only. */
  person_input in = {.full_name = "Nguyễn Thị Hoa", .vneid_level = -1};
  int64_t old_unit = 0;
  app_err e = {0};
  assert_int_equal(people_update(fx->w, &fx->keys, huong, &in, &old_unit, &e), 0);
  n = find(fx, Q(.q = "nguyen thi huong"), ids, 16, NULL);
  assert_int_equal(n, 0);
  n = find(fx, Q(.q = "hoa"), ids, 16, NULL);
  assert_int_equal(n, 1);
  /* A ward-wide search for a scope that does not hold every tree is counted person by person: a
   * scope of nobody finds and counts no one (the count from the terms alone would say otherwise). */
  {
    scope_sql nobody = {.all = false, .user_id = 0, .roles = ",ward_admin,"};
    people_query nq = Q(.q = "nguyen", .broad = true, .page = 1, .per_page = 50);
    json_t *items = NULL;
    int64_t total = -5;
    people_q_kind k;
    app_err pe = {0};
    assert_int_equal(people_list(fx->w, &fx->keys, &nobody, &nq, &items, &total, &k, &pe), 0);
    assert_int_equal(json_array_size(items), 0);
    assert_int_equal(total, 0);
    json_decref(items);
  }
  /* A deleted record is found by no search, and counted by none (every way of running it). */
  n = find(fx, Q(.q = "nguyen"), ids, 16, NULL);
  assert_true(has(ids, n, hung));
  int before_del = n;
  int64_t hung_unit = 0;
  assert_int_equal(people_delete(fx->w, hung, 30, &hung_unit, &e), 0);
  n = find(fx, Q(.q = "nguyen"), ids, 16, NULL);
  assert_int_equal(n, before_del - 1);
  assert_false(has(ids, n, hung));
  n = find(fx, Q(.q = "nguyen van hung"), ids, 16, NULL);
  assert_int_equal(n, 0);
  /* A list of one unit with people and no members is read in name order from that unit alone:
   * every live person of the unit, in name order. */
  STORE_SQL(q_in_unit, "SELECT id FROM people WHERE unit_id = ? AND deleted_at IS NULL ORDER BY name_key, id");
  int64_t want[16];
  int nw = 0;
  store_stmt *st = store_prepare(fx->w, &q_in_unit);
  assert_non_null(st);
  store_bind_int(st, 1, fx->tdp1);
  while (store_step(st) == STORE_ROW && nw < 16) want[nw++] = store_col_int(st, 0);
  store_reset(st);
  n = find(fx, Q(.unit_id = fx->tdp1), ids, 16, NULL);
  assert_true(nw >= 3);
  assert_int_equal(n, nw);
  for (int k = 0; k < n; k++) assert_int_equal(ids[k], want[k]);
  assert_true(has(ids, n, huong) && !has(ids, n, hung) && has(ids, n, an)); /* hung was deleted above */
  /* The filters still apply on that path. */
  int64_t woman = person(fx, "Đinh Thị Mai", fx->tdp1, 0, NULL, "F", NULL);
  STORE_SQL(q_women_in_unit, "SELECT id FROM people WHERE unit_id = ? AND deleted_at IS NULL AND sex = 'F'"
                             " ORDER BY name_key, id");
  nw = 0;
  st = store_prepare(fx->w, &q_women_in_unit);
  assert_non_null(st);
  store_bind_int(st, 1, fx->tdp1);
  while (store_step(st) == STORE_ROW && nw < 16) want[nw++] = store_col_int(st, 0);
  store_reset(st);
  n = find(fx, Q(.unit_id = fx->tdp1, .sex = "F"), ids, 16, NULL);
  assert_int_equal(n, nw);
  for (int k = 0; k < n; k++) assert_int_equal(ids[k], want[k]);
  assert_true(has(ids, n, woman) && !has(ids, n, hung));
}

/* What a ward admin's search finds and counts (a grant on the ward, not on the city above it).
 * While every live person is registered in the ward (people_name_q.scope_all), the search reads
 * names and counts from the terms alone; a live person registered outside it (at the city) turns
 * that off, whether or not they are a member of a unit in the ward. */
static void test_search_ward_scope(void **state) {
  fixture *fx = fx_of(state);
  STORE_SQL(q_user, "INSERT INTO users (username, display_name, name_fold, password_hash, created_at, updated_at)"
                    " VALUES ('sw_admin', 'Quản trị', 'quan tri', 'x', 0, 0) RETURNING id");
  STORE_SQL(q_role, "INSERT INTO user_roles (user_id, role, unit_id, granted_at) VALUES (?, 'ward_admin', ?, 0)");
  int64_t uid = 0;
  store_stmt *st = store_prepare(fx->w, &q_user);
  assert_non_null(st);
  assert_int_equal(store_insert_id(st, &uid), STORE_DONE);
  st = store_prepare(fx->w, &q_role);
  assert_non_null(st);
  store_bind_int(st, 1, uid);
  store_bind_int(st, 2, fx->ward);
  assert_int_equal(store_step(st), STORE_DONE);
  store_reset(st);
  scope_sql ward = {.all = false, .user_id = uid, .roles = ",ward_admin,"};
  people_name_q nq;
  int64_t ngam = person(fx, "Khổng Thị Ngàm", fx->tdp1, 0, NULL, "F", NULL);
  int64_t quynh = person(fx, "Khổng Tú Quỳnh", fx->tdp2, 0, NULL, "M", NULL);
  /* Nobody outside the ward: the terms alone. */
  assert_int_equal(people_name_query(fx->w, &ward, true, "khong", &nq), 0);
  assert_true(nq.scope_all);
  assert_true(nq.exact[0]);
  /* A narrow search never reads the scope this way. */
  assert_int_equal(people_name_query(fx->w, &ward, false, "khong", &nq), 0);
  assert_false(nq.scope_all);
  int64_t nga = person(fx, "Khổng Thị Ngà", fx->city, 0, NULL, "F", NULL);     /* outside the ward */
  int64_t member = person(fx, "Khổng Văn Lợi", fx->city, 0, NULL, "M", NULL);    /* outside, a member inside */
  int64_t mid = 0;
  app_err e = {0};
  assert_int_equal(people_add_membership(fx->w, member, fx->office, "staff", 0, &mid, &e), 0);
  assert_int_equal(people_name_query(fx->w, &ward, true, "khong", &nq), 0);
  assert_false(nq.scope_all);
  /* "nga" is a whole word only of a name outside the scope: a word's start for the ward admin. */
  assert_int_equal(people_name_query(fx->w, &ward, true, "nga", &nq), 0);
  assert_false(nq.exact[0]);
  struct {
    const char *q, *sex;
    int n;
    int64_t want[3];
  } cases[] = {
      {"nga", NULL, 1, {ngam}},
      {"khong", NULL, 3, {ngam, quynh, member}}, /* name order: thi ngam, tu quynh, van loi */
      {"khong", "F", 1, {ngam}},
      {"khong thi", NULL, 1, {ngam}},
      {"khong ng", NULL, 1, {ngam}},
  };
  for (int round = 0; round < 2; round++) {
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
      int want_n = cases[c].n;
      const int64_t *want = cases[c].want;
      int64_t after[3] = {ngam, quynh, 0};
      if (round == 1 && strcmp(cases[c].q, "khong") == 0 && !cases[c].sex) {
        want_n = 2; /* the member was deleted */
        want = after;
      }
      people_query q = Q(.q = cases[c].q, .sex = cases[c].sex, .broad = true, .page = 1, .per_page = 50);
      json_t *items = NULL;
      int64_t total = -5;
      people_q_kind k;
      e = (app_err){0};
      assert_int_equal(people_list(fx->w, &fx->keys, &ward, &q, &items, &total, &k, &e), 0);
      assert_int_equal(json_array_size(items), (size_t)want_n);
      assert_int_equal(total, want_n);
      for (int i = 0; i < want_n; i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(items, (size_t)i), "id")), want[i]);
      json_decref(items);
    }
    if (round == 0) {
      /* Both gone from the city: every live person is in the ward again. */
      int64_t unit_id = 0;
      assert_int_equal(people_delete(fx->w, nga, 30, &unit_id, &e), 0);
      assert_int_equal(people_name_query(fx->w, &ward, true, "khong", &nq), 0);
      assert_false(nq.scope_all); /* the member still lives at the city */
      assert_int_equal(people_delete(fx->w, member, 30, &unit_id, &e), 0);
      assert_int_equal(people_name_query(fx->w, &ward, true, "khong", &nq), 0);
      assert_true(nq.scope_all);
      assert_int_equal(people_name_query(fx->w, &ward, true, "nga", &nq), 0);
      assert_false(nq.exact[0]); /* a deleted name's word is no whole word */
    }
  }
  /* A scope of nobody holds no one. */
  scope_sql nobody = {.all = false, .user_id = 0, .roles = ",ward_admin,"};
  assert_int_equal(people_name_query(fx->w, &nobody, true, "khong", &nq), 0);
  assert_false(nq.scope_all);
}

/* A ward-wide search over every live person reads its page from the term's entries, from the first
 * match's name on: page by page it finds what the narrow way finds, in the same order, with the
 * term's non-matching names before, between and after the matches. */
static void test_search_pages(void **state) {
  fixture *fx = fx_of(state);
  const char *names[] = {
      "Bùi Thị Hoè",  "Đào Thị Hoè", "Lê Thị Hoè",      "Mạc Thị Hoè Nguyễn", "Nguyễn Thị Hoè", "Nguyễn Thị Hoè",
      "Nguyễn Thị Hoè An", "Nguyễn Văn Hoè", "Phan Thị Hoè", "Trần Nguyễn Thị Hoè", "Vũ Thị Hoè", "Nguyễn Thị Hoèn",
  };
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) person(fx, names[k], k % 2 ? fx->tdp1 : fx->tdp2, 0, NULL, NULL, NULL);
  const char *queries[] = {"nguyen thi hoe", "hoe nguyen", "thi hoe", "hoe", "nguyen thi ho", "hoe an thi", "hoe zz"};
  for (size_t qi = 0; qi < sizeof queries / sizeof queries[0]; qi++) {
    int64_t want[32], got[32];
    int nw = find(fx, Q(.q = queries[qi]), want, 32, NULL); /* narrow; find checks the broad ways too */
    for (int per = 1; per <= 3; per++) {
      int ng = 0;
      for (int page = 1; page <= 12; page++) {
        int64_t ids[8];
        scope_sql all;
        scope_sql_all(&all);
        people_query q = Q(.q = queries[qi], .broad = true, .page = page, .per_page = per);
        json_t *items = NULL;
        int64_t total = -5;
        people_q_kind k;
        app_err e = {0};
        assert_int_equal(people_list(fx->w, &fx->keys, &all, &q, &items, &total, &k, &e), 0);
        assert_int_equal(total, nw);
        size_t i;
        json_t *v;
        int n = 0;
        json_array_foreach(items, i, v) ids[n++] = json_integer_value(json_object_get(v, "id"));
        json_decref(items);
        for (int j = 0; j < n && ng < 32; j++) got[ng++] = ids[j];
      }
      assert_int_equal(ng, nw);
      for (int j = 0; j < nw; j++) assert_int_equal(got[j], want[j]);
    }
  }
}

/* The C rule and the SQL rule of every group agree on edge cases. */
static void test_groups_c_vs_sql(void **state) {
  fixture *fx = fx_of(state);
  const int64_t ref = 20260315;
  int64_t hh = household(fx, fx->tdp1);
  struct {
    const char *name, *birth;
    bool resident;
    const char *mkind;
    int64_t munit;
    const char *munit_kind;
    int grade;
    int expect;
  } cases[] = {
      {"Tròn mười tám hôm nay", "2008-03-15", true, NULL, 0, NULL, 0, GROUP_ADULTS},
      {"Mai mới mười tám", "2008-03-16", true, NULL, 0, NULL, 0, 0},
      {"Chỉ biết năm sinh", "2008", true, NULL, 0, NULL, 0, GROUP_ADULTS},
      {"Chỉ biết năm sau", "2009", true, NULL, 0, NULL, 0, 0},
      {"Sinh ngày nhuận", "2008-02-29", true, NULL, 0, NULL, 0, GROUP_ADULTS},
      {"Sáu mươi hôm nay", "1966-03-15", true, NULL, 0, NULL, 0, GROUP_ADULTS | GROUP_ELDERLY},
      {"Sáu mươi ngày mai", "1966-03-16", true, NULL, 0, NULL, 0, GROUP_ADULTS},
      {"Năm sáu sáu", "1966", true, NULL, 0, NULL, 0, GROUP_ADULTS | GROUP_ELDERLY},
      {"Không cư trú", "1950", false, NULL, 0, NULL, 0, 0},
      {"Cán bộ không cư trú", "1980", false, "staff", 1, "office", 0, GROUP_PUBLIC_STAFF},
      {"Cán bộ phường", "1980", true, "staff", 2, "ward", 0, GROUP_PUBLIC_STAFF | GROUP_ADULTS},
      {"Học sinh lớp năm", "2016", false, "student", 3, "school_primary", 5, GROUP_STUDENTS_PRIMARY},
      {"Học sinh lớp sáu", "2015", true, "student", 3, "school_primary", 6, GROUP_STUDENTS_SECONDARY},
      {"Công nhân", "1990", false, "worker", 4, "enterprise", 0, GROUP_WORKERS},
      {"Nhân viên công ty", "1990", false, "staff", 4, "enterprise", 0, 0},
      {"Tiểu thương", "1970", true, "trader", 5, "market", 0, GROUP_TRADERS | GROUP_ADULTS},
      {"Làm ở văn phòng", "1990", false, "worker", 1, "office", 0, 0},
      {"Không rõ năm sinh", NULL, true, NULL, 0, NULL, 0, 0},
  };
  int64_t units_by_index[] = {0, fx->office, fx->ward, fx->school, fx->enterprise, fx->market};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t id = person(fx, cases[i].name, fx->tdp1, cases[i].resident ? hh : 0, cases[i].birth, NULL, NULL);
    if (cases[i].mkind) {
      int64_t mid = 0;
      app_err e = {0};
      if (people_add_membership(fx->w, id, units_by_index[cases[i].munit], cases[i].mkind, cases[i].grade, &mid, &e))
        fail_msg("membership of %s: %s %s", cases[i].name, e.code, e.message);
    }
    int y = 0, m = 0, d = 0;
    const char *why;
    if (cases[i].birth) assert_int_equal(people_parse_birth(cases[i].birth, ref, &y, &m, &d, &why), 0);
    group_membership gm = {cases[i].mkind, cases[i].munit_kind, cases[i].grade};
    group_facts f = {y, m, d, cases[i].resident, cases[i].mkind ? &gm : NULL, cases[i].mkind ? 1 : 0};
    int c_rule = groups_of(&f, ref), sql_rule = groups_of_stored(fx->w, id, ref);
    if (c_rule != cases[i].expect || sql_rule != cases[i].expect)
      fail_msg("%s: C %d, SQL %d, expected %d", cases[i].name, c_rule, sql_rule, cases[i].expect);
  }
  /* The leap-day birthday on the day before and after. */
  group_facts leap = {2008, 2, 29, true, NULL, 0};
  assert_int_equal(groups_of(&leap, 20260228), 0);
  assert_int_equal(groups_of(&leap, 20260301), GROUP_ADULTS);
  /* Every group's predicate in the table is the one in the mask. */
  for (int i = 0; i < GROUP_COUNT; i++) {
    assert_non_null(strstr(GROUP_MASK_SQL, group_defs[i].sql));
    assert_ptr_equal(group_find(group_defs[i].code), &group_defs[i]);
  }
  assert_null(group_find("khong-co"));
}

static void test_household_codes(void **state) {
  fixture *fx = fx_of(state);
  int64_t a = 0, b = 0, c = 0;
  app_err e = {0};
  assert_int_equal(households_create(fx->w, fx->tdp1, "HK-01", "  Số 5,  ngõ   Chợ ", &a, &e), 0);
  e = (app_err){0};
  assert_int_equal(households_create(fx->w, fx->tdp1, "HK-01", NULL, &b, &e), -1);
  assert_int_equal(e.status, 409);
  assert_string_equal(e.field, "code");
  e = (app_err){0};
  assert_int_equal(households_create(fx->w, fx->tdp2, "HK-01", NULL, &b, &e), 0); /* another tổ */
  e = (app_err){0};
  assert_int_equal(households_create(fx->w, fx->office, "HK-02", NULL, &c, &e), -1);
  assert_int_equal(e.status, 400);
  assert_string_equal(e.field, "unit_id");
  e = (app_err){0};
  assert_int_equal(households_create(fx->w, fx->tdp1, "HK 03", NULL, &c, &e), -1);
  assert_string_equal(e.field, "code");
  e = (app_err){0};
  assert_int_equal(households_create(fx->w, fx->tdp1, NULL, NULL, &c, &e), 0); /* no code: several may */
  assert_int_equal(households_create(fx->w, fx->tdp1, "", NULL, &b, &e), 0);
  e = (app_err){0};
  assert_int_equal(households_update(fx->w, c, "HK-01", NULL, &e), -1);
  assert_int_equal(e.status, 409);
  json_t *o = NULL;
  assert_int_equal(households_get(fx->w, a, &o, &e), 0);
  assert_string_equal(json_string_value(json_object_get(o, "address")), "Số 5, ngõ Chợ");
  json_decref(o);
  scope_sql all;
  scope_sql_all(&all);
  household_query q = {.q = "ngo cho", .page = 1, .per_page = 50};
  json_t *items = NULL;
  int64_t total = 0;
  assert_int_equal(households_list(fx->w, &all, &q, &items, &total, &e), 0);
  assert_int_equal(total, 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), a);
  json_decref(items);
}

static void test_soft_delete(void **state) {
  fixture *fx = fx_of(state);
  int64_t id = person(fx, "Vũ Văn Xoá", fx->tdp1, 0, "1970", "M", "030070000999");
  int64_t ids[8];
  assert_int_equal(find(fx, Q(.q = "vu van xoa"), ids, 8, NULL), 1);
  int64_t narrow[200], broad[200];
  int nn = find(fx, Q(), narrow, 200, NULL), nb = find(fx, Q(.broad = true), broad, 200, NULL);
  assert_int_equal(nn, nb); /* the two ways of walking a plain list agree */
  for (int i = 0; i < nn; i++) assert_int_equal(narrow[i], broad[i]);
  assert_true(has(narrow, nn, id));
  int64_t unit_id = 0;
  app_err e = {0};
  int64_t before = clock_now();
  assert_int_equal(people_delete(fx->w, id, 30, &unit_id, &e), 0);
  assert_int_equal(unit_id, fx->tdp1);
  assert_int_equal(find(fx, Q(.q = "vu van xoa"), ids, 8, NULL), 0);
  assert_int_equal(find(fx, Q(.q = "030070000999"), ids, 8, NULL), 0);
  assert_false(has(narrow, find(fx, Q(), narrow, 200, NULL), id));
  assert_false(has(broad, find(fx, Q(.broad = true), broad, 200, NULL), id));
  assert_int_equal(find(fx, Q(.unit_id = fx->tdp1, .q = "xoa"), ids, 8, NULL), 0);
  arena a;
  arena_init(&a);
  person_reach pr;
  e = (app_err){0};
  assert_int_equal(people_reach(fx->w, id, &a, &pr, &e), -1);
  assert_int_equal(e.status, 404);
  arena_free(&a);
  e = (app_err){0};
  assert_int_equal(people_delete(fx->w, id, 30, &unit_id, &e), -1);
  assert_int_equal(e.status, 404);
  STORE_SQL(q_purge, "SELECT purge_after - deleted_at, deleted_at FROM people WHERE id = ?");
  store_stmt *s = store_prepare(fx->w, &q_purge);
  store_bind_int(s, 1, id);
  assert_int_equal(store_step(s), STORE_ROW);
  assert_int_equal(store_col_int(s, 0), 30 * 86400);
  assert_true(store_col_int(s, 1) >= before);
  store_reset(s);
  /* The number is free for a new live record. */
  int64_t again = person(fx, "Vũ Văn Xoá", fx->tdp1, 0, "1970", "M", "030070000999");
  assert_true(again > id);
}

int main(void) {
  if (sodium_init() < 0) return 1;
  const struct CMUnitTest pure[] = {
      cmocka_unit_test(test_parsers),
      cmocka_unit_test(test_groups_age),
      cmocka_unit_test(test_scope_root),
  };
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
  const struct CMUnitTest tests[] = {
      T(test_cccd_sealed_and_found), T(test_name_search), T(test_search_ward_scope), T(test_search_pages),
      T(test_groups_c_vs_sql), T(test_household_codes),
      T(test_soft_delete),
  };
#undef T
  int failed = cmocka_run_group_tests_name("people_pure", pure, NULL, NULL);
  failed += cmocka_run_group_tests_name("people_sqlite", tests, setup_sqlite, teardown_sqlite);
  failed += cmocka_run_group_tests_name("people_postgresql", tests, setup_pg, teardown_pg);
  return failed ? 1 : 0;
}

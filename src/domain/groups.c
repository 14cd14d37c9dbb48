/* groups.c: the target groups' rules, in C and SQL from one table (see groups.h). */
#include "domain/groups.h"

#include <jansson.h>
#include <string.h>

const group_def group_defs[GROUP_COUNT] = {
    {GROUP_PUBLIC_STAFF, "public_staff", "Cán bộ, công chức, viên chức", GROUP_SQL_PUBLIC_STAFF},
    {GROUP_STUDENTS_PRIMARY, "students_primary", "Học sinh tiểu học", GROUP_SQL_STUDENTS_PRIMARY},
    {GROUP_STUDENTS_SECONDARY, "students_secondary", "Học sinh trung học", GROUP_SQL_STUDENTS_SECONDARY},
    {GROUP_ADULTS, "adults", "Người dân từ 18 tuổi", GROUP_SQL_ADULTS},
    {GROUP_ELDERLY, "elderly", "Người cao tuổi (từ 60 tuổi)", GROUP_SQL_ELDERLY},
    {GROUP_WORKERS, "workers", "Người lao động tại doanh nghiệp, hợp tác xã", GROUP_SQL_WORKERS},
    {GROUP_TRADERS, "traders", "Tiểu thương tại chợ", GROUP_SQL_TRADERS},
};

STORE_SQL(q_mask, "SELECT " GROUP_MASK_SQL " FROM people p, (SELECT CAST(? AS BIGINT) AS k) rk_ WHERE p.id = ?");

const group_def *group_find(const char *code) {
  if (!code) return NULL;
  for (int i = 0; i < GROUP_COUNT; i++)
    if (strcmp(group_defs[i].code, code) == 0) return &group_defs[i];
  return NULL;
}


int64_t groups_date_key(int64_t epoch) {
  /* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm), in Vietnam's time. */
  int64_t z = (epoch + 7 * 3600) / 86400;
  if ((epoch + 7 * 3600) % 86400 < 0) z--;
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  return y * 10000 + m * 100 + d;
}

static int64_t birth_key(int y, int m, int d) { return (int64_t)y * 10000 + (m ? m : 1) * 100 + (d ? d : 1); }

int groups_age(int birth_year, int birth_month, int birth_day, int64_t ref_key) {
  if (!birth_year) return -1;
  int64_t bk = birth_key(birth_year, birth_month, birth_day);
  if (bk > ref_key) return -1;
  /* Whole years: the largest n with bk <= ref_key - n*10000 (the same comparison as the SQL). */
  int n = (int)(ref_key / 10000 - birth_year);
  while (n > 0 && bk > ref_key - (int64_t)n * 10000) n--;
  return n;
}

static bool is_staff_kind(const char *k) {
  static const char *const kinds[] = {"office", "service_center", "public_center", "police",
                                      "school_kindergarten", "school_primary", "school_lower_secondary",
                                      "school_upper_secondary", "mass_organisation", "ward", "commune"};
  for (size_t i = 0; k && i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp(kinds[i], k) == 0) return true;
  return false;
}

static bool eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

int groups_of(const group_facts *f, int64_t ref_key) {
  int mask = 0;
  for (int i = 0; i < f->nmemberships; i++) {
    const group_membership *m = &f->memberships[i];
    if (eq(m->kind, "staff") && is_staff_kind(m->unit_kind)) mask |= GROUP_PUBLIC_STAFF;
    if (eq(m->kind, "student") && m->grade >= 1 && m->grade <= 5) mask |= GROUP_STUDENTS_PRIMARY;
    if (eq(m->kind, "student") && m->grade >= 6 && m->grade <= 12) mask |= GROUP_STUDENTS_SECONDARY;
    if (eq(m->kind, "worker") && (eq(m->unit_kind, "enterprise") || eq(m->unit_kind, "cooperative")))
      mask |= GROUP_WORKERS;
    if (eq(m->kind, "trader") && eq(m->unit_kind, "market")) mask |= GROUP_TRADERS;
  }
  if (f->resident && f->birth_year) {
    int64_t bk = birth_key(f->birth_year, f->birth_month, f->birth_day);
    if (bk <= ref_key - 180000) mask |= GROUP_ADULTS;
    if (bk <= ref_key - 600000) mask |= GROUP_ELDERLY;
  }
  return mask;
}

int groups_of_stored(store_conn *c, int64_t person_id, int64_t ref_key) {
  store_stmt *s = store_prepare(c, &q_mask);
  if (!s) return -1;
  store_bind_int(s, 1, ref_key);
  store_bind_int(s, 2, person_id);
  int rc = store_step(s);
  int mask = rc == STORE_ROW ? (int)store_col_int(s, 0) : -1;
  store_reset(s);
  return mask;
}

void groups_write(buf *b, int mask) {
  buf_putc(b, '[');
  const char *sep = "";
  for (int i = 0; i < GROUP_COUNT; i++)
    if (mask & group_defs[i].bit) {
      buf_puts(b, sep);
      buf_putc(b, '"');
      buf_puts(b, group_defs[i].code); /* codes are plain ASCII words */
      buf_putc(b, '"');
      sep = ",";
    }
  buf_putc(b, ']');
}

int groups_json_append(json_t *array, int mask) {
  for (int i = 0; i < GROUP_COUNT; i++)
    if ((mask & group_defs[i].bit) && json_array_append_new(array, json_string(group_defs[i].code)) != 0) return -1;
  return 0;
}

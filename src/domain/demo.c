/* demo.c: the demo ward (see demo.h). Everything goes through the domain modules, in one
 * transaction, so the demo is exactly what a user could have built through the API. */
#include "domain/demo.h"

#include <string.h>

#include "domain/audit.h"
#include "domain/people.h"
#include "domain/synth.h"
#include "domain/units.h"
#include "domain/users.h"
#include "util/clock.h"

typedef struct demo_unit {
  const char *code;
  const char *parent; /* code of the parent, NULL for the root */
  const char *kind;
  const char *name;
} demo_unit;

static const demo_unit fixed_units[] = {
    {"HP", NULL, "city", "Thành phố Hải Phòng"},
    {"HP-HD", "HP", "ward", "Phường Hải Dương"},
    {"HD-VP", "HP-HD", "office", "Văn phòng HĐND và UBND phường"},
    {"HD-VHXH", "HP-HD", "office", "Phòng Văn hóa - Xã hội"},
    {"HD-KTHTDT", "HP-HD", "office", "Phòng Kinh tế, Hạ tầng và Đô thị"},
    {"HD-TTHCC", "HP-HD", "service_center", "Trung tâm phục vụ hành chính công phường"},
    {"HD-TTVHTT", "HP-HD", "public_center", "Trung tâm Văn hóa, Thể thao và Truyền thông"},
    {"HD-CA", "HP-HD", "police", "Công an phường Hải Dương"},
    {"HD-MTTQ", "HP-HD", "mass_organisation", "Ủy ban Mặt trận Tổ quốc Việt Nam phường"},
    {"HD-DTN", "HD-MTTQ", "mass_organisation", "Đoàn Thanh niên Cộng sản Hồ Chí Minh phường"},
    {"HD-MN-HS", "HP-HD", "school_kindergarten", "Trường Mầm non Hoa Sen"},
    {"HD-MN-NC", "HP-HD", "school_kindergarten", "Trường Mầm non Ngọc Châu"},
    {"HD-TH-NC", "HP-HD", "school_primary", "Trường Tiểu học Ngọc Châu"},
    {"HD-TH-NHC", "HP-HD", "school_primary", "Trường Tiểu học Nhị Châu"},
    {"HD-TH-QT", "HP-HD", "school_primary", "Trường Tiểu học Quang Trung"},
    {"HD-THCS-THD", "HP-HD", "school_lower_secondary", "Trường THCS Trần Hưng Đạo"},
    {"HD-THCS-NC", "HP-HD", "school_lower_secondary", "Trường THCS Ngọc Châu"},
    {"HD-THPT-HD", "HP-HD", "school_upper_secondary", "Trường THPT Hải Dương"},
    {"HD-DN-MAY", "HP-HD", "enterprise", "Công ty TNHH May mặc Thành Đông"},
    {"HD-HTX-NC", "HP-HD", "cooperative", "Hợp tác xã Dịch vụ Thương mại Ngọc Châu"},
};

/* Phường Hải Dương has 51,522 residents; at ~750 per tổ dân phố that is 68 groups. */
#define DEMO_GROUPS 68

const demo_account demo_accounts[] = {
    {"admin", "Quản trị phường Hải Dương", "ward_admin", "HP-HD"},
    {"vanhoa", "Nguyễn Thị Hoa", "unit_officer", "HD-VHXH"},
    {"tdp01", "Trần Văn Bình", "unit_officer", "HD-TDP01"},
    {"tinhnguyen", "Lê Minh Châu", "field_helper", "HD-TDP01"},
    {"congan", "Phạm Quốc Dũng", "police", "HD-CA"},
    {"giaovien", "Đỗ Thu Giang", "teacher", "HD-THCS-THD"},
    {"hocvien", "Vũ Thị Lan", "learner", "HD-TDP01"},
    {"hoangnam", "Hoàng Văn Nam", "learner", "HD-TDP01"},
};
const int demo_accounts_count = (int)(sizeof demo_accounts / sizeof demo_accounts[0]);

static int ensure_unit(store_conn *w, const char *code, const char *parent_code, const char *kind, const char *name,
                       int *created, char *err, size_t errlen) {
  if (units_find(w, code)) return 0;
  int64_t parent = parent_code ? units_find(w, parent_code) : 0, id = 0;
  app_err e = {0};
  if (units_create(w, parent, kind, name, code, &id, &e) != 0) {
    snprintf(err, errlen, "unit %s: %s (%s)", code, e.message ? e.message : "error", store_errmsg(w));
    return -1;
  }
  (*created)++;
  return 0;
}

int demo_load(store *st, const char *password, FILE *out, char *err, size_t errlen) {
  /* Every demo account shares one password: hash it once, before taking the writer. */
  char hash[PASSWORD_HASH_MAX];
  app_err pe = {0};
  if (users_check_password(password, "password", &pe) != 0) {
    snprintf(err, errlen, "password: %s", pe.message);
    return -1;
  }
  if (users_hash_password(password, hash) != 0) {
    snprintf(err, errlen, "cannot hash the password");
    return -1;
  }
  store_conn *w = store_acquire(st, true);
  if (!w) {
    snprintf(err, errlen, "the database cannot be reached");
    return -1;
  }
  int units_created = 0, users_created = 0;
  if (store_begin(w) != STORE_OK) {
    snprintf(err, errlen, "cannot begin: %s", store_errmsg(w));
    goto fail;
  }
  for (size_t i = 0; i < sizeof fixed_units / sizeof fixed_units[0]; i++) {
    const demo_unit *u = &fixed_units[i];
    if (ensure_unit(w, u->code, u->parent, u->kind, u->name, &units_created, err, errlen) != 0) goto fail;
  }
  for (int n = 1; n <= DEMO_GROUPS; n++) {
    char code[32], name[64], team_code[32], team_name[96];
    snprintf(code, sizeof code, "HD-TDP%02d", n);
    snprintf(name, sizeof name, "Tổ dân phố số %d", n);
    snprintf(team_code, sizeof team_code, "HD-TDP%02d-CNS", n);
    snprintf(team_name, sizeof team_name, "Tổ công nghệ số cộng đồng, tổ dân phố số %d", n);
    if (ensure_unit(w, code, "HP-HD", "residential_group", name, &units_created, err, errlen) != 0 ||
        ensure_unit(w, team_code, code, "team", team_name, &units_created, err, errlen) != 0)
      goto fail;
  }
  for (int i = 0; i < demo_accounts_count; i++) {
    const demo_account *d = &demo_accounts[i];
    app_err e = {0};
    int64_t unit = units_find(w, d->unit_code), uid = users_find(w, d->username), gid = 0;
    if (!uid) {
      if (users_create(w, d->username, d->display_name, hash, unit, false, &uid, &e) != 0) {
        snprintf(err, errlen, "account %s: %s", d->username, e.message ? e.message : "error");
        goto fail;
      }
      users_created++;
    } else if (users_set_password(w, uid, hash, false, &e) != 0 || users_set_disabled(w, uid, false, &e) != 0) {
      snprintf(err, errlen, "account %s: %s", d->username, e.message ? e.message : "error");
      goto fail;
    }
    if (roles_revoke_by(w, uid, d->role, unit, &e) != 0 && e.status != 404) {
      snprintf(err, errlen, "account %s: %s", d->username, store_errmsg(w));
      goto fail;
    }
    if (roles_grant(w, uid, d->role, unit, 0, &gid, &e) != 0) {
      snprintf(err, errlen, "account %s: %s", d->username, e.message ? e.message : "error");
      goto fail;
    }
  }
  /* Two residents of tổ 1 deleted a few days ago, so that "Hồ sơ đã xóa" has something to show
   * (kept for the default retention period from their deletion). */
  int deleted_added = 0;
  app_err de = {0};
  int64_t tdp1 = units_find(w, "HD-TDP01");
  if (people_demo_deleted(w, tdp1, "Nguyễn Văn Phúc", 1962, 3 * 86400, 30, &deleted_added, &de) != 0 ||
      people_demo_deleted(w, tdp1, "Trần Thị Vân", 1990, 10 * 86400, 30, &deleted_added, &de) != 0) {
    snprintf(err, errlen, "demo deleted records: %s", de.message ? de.message : store_errmsg(w));
    goto fail;
  }
  if (demo_plan(w, clock_now(), out, err, errlen) != 0) goto fail;
  audit_entry a = {.actor_username = "cli", .action = "demo.load", .entity = "unit", .ip = "local",
                   .unit_id = units_find(w, "HP-HD")};
  if (audit_append(w, &a) != 0 || store_commit(w) != STORE_OK) {
    snprintf(err, errlen, "cannot save the demo: %s", store_errmsg(w));
    goto fail;
  }
  fprintf(out, "Demo ward loaded: %d new unit(s) (%lld in all), %d new account(s).\n", units_created,
          (long long)units_count(w), users_created);
  store_release(w);
  return 0;
fail:
  store_rollback(w);
  store_release(w);
  return -1;
}

int demo_load_units(store *st, long residents, uint64_t seed, FILE *out, char *err, size_t errlen) {
  synth *sy = synth_new(residents, seed);
  if (!sy) {
    snprintf(err, errlen, "cannot make a synthetic population of %ld residents", residents);
    return -1;
  }
  store_conn *w = store_acquire(st, true);
  if (!w) {
    synth_free(sy);
    snprintf(err, errlen, "the database cannot be reached");
    return -1;
  }
  int created = 0, rc = -1;
  if (store_begin(w) != STORE_OK) {
    snprintf(err, errlen, "cannot begin: %s", store_errmsg(w));
    goto done;
  }
  int64_t ward = units_find(w, "HP-HD");
  if (!ward) {
    snprintf(err, errlen, "the demo ward is not loaded");
    goto done;
  }
  long n = synth_units_count(sy);
  for (long i = 0; i < n; i++) {
    synth_unit u;
    if (synth_unit_get(sy, i, &u) != 0) {
      snprintf(err, errlen, "synthetic unit %ld", i);
      goto done;
    }
    if (units_find_child(w, ward, u.name)) continue; /* the demo's own, or loaded before */
    char code[40];
    snprintf(code, sizeof code, "HD-%s", u.code);
    if (units_find(w, code)) continue;
    if (ensure_unit(w, code, "HP-HD", u.kind, u.name, &created, err, errlen) != 0) goto done;
  }
  if (store_commit(w) != STORE_OK) {
    snprintf(err, errlen, "cannot save the units: %s", store_errmsg(w));
    goto done;
  }
  fprintf(out, "Synthetic ward of %ld residents: %d new unit(s) for its schools, offices, enterprises, markets "
          "and tổ dân phố.\n", residents, created);
  rc = 0;
done:
  if (rc != 0) store_rollback(w);
  store_release(w);
  synth_free(sy);
  return rc;
}

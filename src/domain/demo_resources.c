/* demo_resources.c: the demo ward's resources (phường Hải Dương): contributions from businesses,
 * organisations and a resident (wifi for the tổ dân phố's cultural houses, phones for tổ 1, laptops
 * for a school, money for the 10/10 event, young volunteers), each for a task of the plan, and the
 * 2026 budget of a few tasks. Run again: nothing added once contributions exist. */
#include <stdio.h>
#include <string.h>

#include "domain/demo.h"
#include "domain/plan.h"
#include "domain/resources.h"
#include "domain/units.h"
#include "domain/users.h"
#include "util/clock.h"

STORE_SQL(q_count, "SELECT COUNT(*) FROM contributions");
STORE_SQL(q_task, "SELECT id FROM plan_tasks WHERE code = ?");

typedef struct demo_contribution {
  const char *unit, *source_kind, *source_name, *kind, *description;
  int64_t quantity, value;
  const char *recipient, *task, *user;
  int days_ago;
} demo_contribution;

static const demo_contribution CONTRIBUTIONS[] = {
    {"HP-HD", "business", "VNPT Hải Phòng", "facilities",
     "Lắp đặt wifi miễn phí tại nhà văn hóa các tổ dân phố để hướng dẫn người dân", 68, 102000000, NULL, "3.4", "admin", 120},
    {"HP-HD", "business", "Viettel Hải Phòng", "devices", "Tặng điện thoại thông minh cho hộ khó khăn", 40, 60000000,
     "HD-TDP01", "3.2", "admin", 75},
    {"HD-VHXH", "organisation", "Hội Khuyến học phường Hải Dương", "money",
     "Hỗ trợ tổ chức Ngày hội toàn dân học tập số 10/10", 0, 15000000, NULL, "1.4", "vanhoa", 60},
    {"HD-THCS-THD", "individual", "Ông Nguyễn Văn Hùng", "devices", "Tặng máy tính xách tay cho phòng Tin học", 5,
     40000000, NULL, "2.3", "giaovien", 45},
    {"HD-DTN", "organisation", "Đoàn Thanh niên phường", "people",
     "Tình nguyện viên hướng dẫn người dân tại Trung tâm phục vụ hành chính công", 30, 0, NULL, "3.1", "admin", 30},
    {"HP-HD", "business", "Ngân hàng Agribank chi nhánh Hải Dương", "money",
     "Hỗ trợ tập huấn thanh toán không dùng tiền mặt cho tiểu thương", 0, 20000000, NULL, "3.3", "admin", 20},
};

static const struct {
  const char *task, *source;
  int64_t amount;
} BUDGETS[] = {
    {"1.1", "state_budget", 30000000}, {"1.4", "state_budget", 50000000}, {"2.2", "state_budget", 40000000},
    {"3.4", "state_budget", 120000000}, {"3.4", "other", 20000000},
};

static int64_t task_id(store_conn *w, const char *code) {
  store_stmt *s = store_prepare(w, &q_task);
  if (!s) return -1;
  store_bind_text(s, 1, code);
  int64_t id = store_step(s) == STORE_ROW ? store_col_int(s, 0) : 0;
  store_reset(s);
  return id;
}

int demo_resources(store_conn *w, int64_t now, FILE *out, char *err, size_t errlen) {
  store_stmt *s = store_prepare(w, &q_count);
  if (!s) goto fail;
  int64_t have = store_step(s) == STORE_ROW ? store_col_int(s, 0) : -1;
  store_reset(s);
  if (have < 0) goto fail;
  if (have > 0) {
    fprintf(out, "Resources: kept (%lld contributions already recorded).\n", (long long)have);
    return 0;
  }
  int n = 0;
  for (size_t i = 0; i < sizeof CONTRIBUTIONS / sizeof CONTRIBUTIONS[0]; i++) {
    const demo_contribution *d = &CONTRIBUTIONS[i];
    int64_t unit = units_find(w, d->unit);
    if (!unit) continue;
    char day[32];
    clock_iso8601(plan_day_of(now - (int64_t)d->days_ago * 86400) * 86400, day, sizeof day);
    day[10] = '\0'; /* the ward's day, YYYY-MM-DD */
    contribution_in in = {.unit_id = unit, .source_kind = d->source_kind, .source_name = d->source_name, .kind = d->kind,
                          .description = d->description, .quantity = d->quantity, .value_vnd = d->value,
                          .recipient_unit_id = d->recipient ? units_find(w, d->recipient) : 0,
                          .task_id = task_id(w, d->task), .received_on = day};
    int64_t id = 0;
    app_err e = {0};
    if (resources_add(w, &in, users_find(w, d->user), now - (int64_t)d->days_ago * 86400, &id, &e) != 0) {
      snprintf(err, errlen, "contribution %zu: %s", i + 1, e.message ? e.message : store_errmsg(w));
      return -1;
    }
    n++;
  }
  for (size_t i = 0; i < sizeof BUDGETS / sizeof BUDGETS[0]; i++) {
    app_err e = {0};
    if (resources_set_budget(w, task_id(w, BUDGETS[i].task), 2026, BUDGETS[i].source, BUDGETS[i].amount, 0, now, &e) != 0) {
      snprintf(err, errlen, "budget %s: %s", BUDGETS[i].task, e.message ? e.message : store_errmsg(w));
      return -1;
    }
  }
  fprintf(out, "Resources: %d contributions mobilised, the 2026 budget of %zu plan task lines.\n", n,
          sizeof BUDGETS / sizeof BUDGETS[0]);
  return 0;
fail:
  snprintf(err, errlen, "resources: %s", store_errmsg(w));
  return -1;
}

/* demo_plan.c: the plan's tasks in the demo ward (phường Hải Dương): the plan loaded for HP-HD from
 * the copy the binary carries, and progress updates by the units that answer for the tasks, dated
 * back from `now`, so that the board shows every status. Run again: the plan's text is written
 * again, no update is added to a task that has one. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/attachments.h"

#include "domain/demo.h"
#include "domain/plan.h"
#include "domain/units.h"
#include "domain/users.h"

STORE_SQL(q_has_updates, "SELECT COUNT(*) FROM plan_updates u JOIN plan_tasks t ON t.id = u.task_id WHERE t.code = ?");
STORE_SQL(q_task_id, "SELECT id FROM plan_tasks WHERE code = ?");

typedef struct demo_update {
  const char *code, *unit, *user;
  int days_ago;         /* > 0: that many days before now */
  const char *on;       /* or a fixed day, YYYY-MM-DD */
  const char *body;
  const char *figures;  /* JSON */
  bool done;
} demo_update;

static const demo_update UPDATES[] = {
    {"1.1", "HD-TTVHTT", "admin", 41, NULL,
     "Đài truyền thanh phường phát chuyên mục “Bình dân học vụ số” hằng tuần; đăng tin trên trang thông tin điện tử và "
     "màn hình LED tại trụ sở UBND phường.",
     "[{\"label\":\"Tin, bài phát thanh\",\"value\":24,\"unit\":\"tin\"},{\"label\":\"Lượt chiếu trên màn hình LED\",\"value\":180,\"unit\":\"lượt\"}]",
     false},
    {"1.3", "HD-VP", "admin", 0, "2025-09-22",
     "Đã tạo chuyên mục “Bình dân học vụ số” trên Cổng thông tin điện tử phường và fanpage của phường.",
     "[{\"label\":\"Tin, bài đã đăng\",\"value\":15,\"unit\":\"bài\"}]", true},
    {"1.4", "HD-VHXH", "vanhoa", 52, NULL,
     "Tổ chức Ngày hội toàn dân học tập số ngày 10/10 tại nhà văn hóa phường: 6 gian trải nghiệm, hướng dẫn cài đặt "
     "VNeID và thanh toán không dùng tiền mặt.",
     "[{\"label\":\"Người dân tham gia\",\"value\":640,\"unit\":\"người\"},{\"label\":\"Gian trải nghiệm\",\"value\":6,\"unit\":\"gian\"}]",
     true},
    {"2.1", "HD-VHXH", "vanhoa", 0, "2025-11-14",
     "Đã gửi hướng dẫn học trên nền tảng MOOCs tới các phòng, ban; 38 cán bộ, công chức đã đăng ký học.",
     "[{\"label\":\"Cán bộ, công chức đăng ký\",\"value\":38,\"unit\":\"người\"}]", false},
    {"2.2", "HD-VHXH", "vanhoa", 165, NULL,
     "Mở lớp bồi dưỡng kỹ năng số cơ bản cho cán bộ, công chức phường (2 buổi).",
     "[{\"label\":\"Học viên\",\"value\":45,\"unit\":\"người\"}]", false},
    {"2.3", "HD-THCS-THD", "giaovien", 30, NULL,
     "Trường THCS Trần Hưng Đạo đưa nội dung kỹ năng số và sử dụng AI an toàn vào giờ Tin học khối 6–9.",
     "[{\"label\":\"Học sinh được học\",\"value\":912,\"unit\":\"học sinh\"}]", false},
    {"2.5", "HD-VHXH", "vanhoa", 200, NULL,
     "Họp với các tổ chức chính trị - xã hội để cử hội viên tham gia Tổ công nghệ số cộng đồng.", "[]", false},
    {"3.1", "HD-TTHCC", "admin", 20, NULL,
     "Bố trí 2 nhân sự hỗ trợ người dân tại Trung tâm phục vụ hành chính công; mạng lưới Đại sứ số đã có 24 người hướng dẫn.",
     "[{\"label\":\"Người hướng dẫn (mentor)\",\"value\":24,\"unit\":\"người\"},{\"label\":\"Người được hỗ trợ tại Trung tâm\",\"value\":310,\"unit\":\"lượt\"}]",
     false},
    {"3.3", "HD-KTHTDT", "admin", 60, NULL,
     "Hướng dẫn tiểu thương chợ Hải Dương mở tài khoản, dùng mã QR thanh toán.",
     "[{\"label\":\"Tiểu thương dùng QR thanh toán\",\"value\":86,\"unit\":\"hộ\"}]", false},
    {"3.4", "HD-VHXH", "vanhoa", 10, NULL,
     "68 Tổ công nghệ số cộng đồng hoạt động, đi từng ngõ, gõ từng nhà.",
     "[{\"label\":\"Tổ công nghệ số cộng đồng\",\"value\":68,\"unit\":\"tổ\"}]", false},
    {"3.6", "HD-CA", "congan", 15, NULL,
     "Công an phường kích hoạt định danh điện tử mức 2 tại trụ sở và lưu động tại các tổ dân phố.",
     "[{\"label\":\"Tài khoản mức 2 kích hoạt trong tháng\",\"value\":420,\"unit\":\"tài khoản\"}]", false},
};

static int64_t one_int(store_conn *w, const store_sql *q, const char *code) {
  store_stmt *s = store_prepare(w, q);
  if (!s) return -1;
  store_bind_text(s, 1, code);
  int64_t v = store_step(s) == STORE_ROW ? store_col_int(s, 0) : -1;
  store_reset(s);
  return v;
}

int demo_plan(store_conn *w, int64_t now, FILE *out, char *err, size_t errlen) {
  int64_t ward = units_find(w, "HP-HD");
  plan_load_counts n;
  if (plan_load(w, plan_tasks_json, plan_tasks_json_len, ward, now, &n, err, errlen) != 0) return -1;
  int added = 0;
  for (size_t i = 0; i < sizeof UPDATES / sizeof UPDATES[0]; i++) {
    const demo_update *d = &UPDATES[i];
    if (one_int(w, &q_has_updates, d->code) != 0) continue;
    int64_t task = one_int(w, &q_task_id, d->code);
    int64_t at = d->on ? plan_day_parse(d->on) * 86400 + 3 * 3600 : now - (int64_t)d->days_ago * 86400;
    json_t *figs = json_loads(d->figures, 0, NULL);
    plan_update_in in = {.unit_id = units_find(w, d->unit), .body = d->body, .figures = figs, .done = d->done};
    int64_t id = 0;
    app_err e = {0};
    int rc = task > 0 ? plan_update_add(w, task, &in, users_find(w, d->user), at, &id, &e) : -1;
    json_decref(figs);
    if (rc != 0) {
      snprintf(err, errlen, "plan update %s: %s", d->code, e.message ? e.message : store_errmsg(w));
      return -1;
    }
    added++;
  }
  fprintf(out, "Plan: %d task(s) of part IV (%d new), %d progress update(s) added.\n", n.tasks_new + n.tasks_kept,
          n.tasks_new, added);
  return demo_schools(w, now, out, err, errlen) == 0 && demo_resources(w, now, out, err, errlen) == 0 ? 0 : -1;
}

/* A one-page PDF (Helvetica, ASCII text): the list of the community digital teams, as a tổ would
 * attach it. The offsets of its cross-reference table are computed, so that readers open it. */
static char *demo_pdf(size_t *len) {
  static const char *const objs[] = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
      NULL, /* the content stream, below */
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  };
  static const char text[] = "BT /F1 16 Tf 72 770 Td (Phuong Hai Duong - Danh sach 68 To cong nghe so cong dong) Tj "
                             "0 -24 Td /F1 11 Tf (Du lieu minh hoa, khong phai nguoi that.) Tj ET";
  size_t cap = 4096, n = 0;
  char *b = malloc(cap);
  long off[6] = {0};
  if (!b) return NULL;
  n += (size_t)snprintf(b + n, cap - n, "%%PDF-1.4\n");
  for (int i = 0; i < 5; i++) {
    off[i + 1] = (long)n;
    if (objs[i])
      n += (size_t)snprintf(b + n, cap - n, "%d 0 obj\n%s\nendobj\n", i + 1, objs[i]);
    else
      n += (size_t)snprintf(b + n, cap - n, "%d 0 obj\n<< /Length %zu >>\nstream\n%s\nendstream\nendobj\n", i + 1,
                            strlen(text), text);
  }
  long xref = (long)n;
  n += (size_t)snprintf(b + n, cap - n, "xref\n0 6\n0000000000 65535 f \n");
  for (int i = 1; i <= 5; i++) n += (size_t)snprintf(b + n, cap - n, "%010ld 00000 n \n", off[i]);
  n += (size_t)snprintf(b + n, cap - n, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", xref);
  if (n >= cap) {
    free(b);
    return NULL;
  }
  *len = n;
  return b;
}

int demo_plan_files(store *st, const char *data_dir, int64_t now, FILE *out, char *err, size_t errlen) {
  store_conn *w = store_acquire(st, true);
  if (!w) {
    snprintf(err, errlen, "the database cannot be reached");
    return -1;
  }
  int rc = -1, fd = -1;
  char *pdf = NULL, tmp[1100];
  json_t *have = NULL;
  app_err e = {0};
  int64_t task = one_int(w, &q_task_id, "3.4"), by = users_find(w, "vanhoa"), unit = units_find(w, "HD-VHXH");
  if (task <= 0 || by <= 0 || unit <= 0) { /* not the demo ward: nothing to attach to */
    rc = 0;
    goto done;
  }
  if (attachments_of_owner(w, ATTACH_OWNER_PLAN_TASK, task, &have, &e) != 0) goto done;
  if (json_object_size(have) > 0) {
    rc = 0;
    goto done;
  }
  size_t len = 0;
  pdf = demo_pdf(&len);
  snprintf(tmp, sizeof tmp, "%s/.demo-XXXXXX", data_dir);
  if (!pdf || (fd = mkstemp(tmp)) < 0) goto done;
  unlink(tmp);
  attachment_file f;
  if (write(fd, pdf, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0 ||
      attachments_store_file(data_dir, fd, len, "Danh sách Tổ công nghệ số cộng đồng.pdf", "application/pdf", &f, &e) != 0)
    goto done;
  int64_t aid = 0, uid = 0;
  json_t *ids = NULL;
  if (store_begin(w) != STORE_OK ||
      attachments_insert(w, &f, "Danh sách Tổ công nghệ số cộng đồng.pdf", ATTACH_OWNER_PLAN_TASK, task, by,
                         now - 9 * 86400, &aid, &e) != 0 ||
      !(ids = json_pack("[I]", (json_int_t)aid))) {
    if (store_in_transaction(w)) store_rollback(w);
    goto done;
  }
  plan_update_in in = {.unit_id = unit, .body = "Gửi kèm danh sách 68 Tổ công nghệ số cộng đồng và tổ trưởng của từng tổ.",
                       .attachment_ids = ids};
  int r = plan_update_add(w, task, &in, by, now - 9 * 86400, &uid, &e);
  json_decref(ids);
  if (r != 0 || store_commit(w) != STORE_OK) {
    if (store_in_transaction(w)) store_rollback(w);
    goto done;
  }
  fprintf(out, "Plan: a progress update of task 3.4 with a PDF attached (%s…).\n", f.sha256 + 56);
  rc = 0;
done:
  if (rc != 0) snprintf(err, errlen, "plan attachment: %s", e.message ? e.message : store_errmsg(w));
  if (fd >= 0) close(fd);
  free(pdf);
  json_decref(have);
  store_release(w);
  return rc;
}

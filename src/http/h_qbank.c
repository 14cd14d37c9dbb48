/* h_qbank.c: the question bank over HTTP (issue 8): import a GIFT or Moodle XML file, list and
 * read questions, list the competences. A file is read and checked before the writer is taken;
 * the import is one short transaction with one audit entry. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/qbank.h"
#include "http/handlers.h"

#define QBANK_FILE_MAX (8u * 1024 * 1024)

/* The upload's bytes, NUL-terminated (malloc); NULL with a 400 already set when empty. */
static char *read_upload(req *r, size_t *len) {
  uint64_t n = 0;
  int fd = req_upload_fd(r, &n);
  if (fd < 0 || n == 0) {
    req_fail(r, 400, "invalid_value", "file", "Tệp gửi lên trống: hãy chọn một tệp câu hỏi GIFT (.txt) hoặc Moodle XML (.xml).");
    return NULL;
  }
  if (n > QBANK_FILE_MAX) {
    req_fail(r, 413, "too_large", "file", "Tệp câu hỏi quá lớn (tối đa 8 MiB).");
    return NULL;
  }
  char *data = malloc((size_t)n + 1);
  size_t got = 0;
  while (data && got < n) {
    ssize_t m = read(fd, data + got, (size_t)n - got);
    if (m <= 0) {
      free(data);
      data = NULL;
      break;
    }
    got += (size_t)m;
  }
  if (!data) {
    APP_INTERNAL(&r->err);
    return NULL;
  }
  data[got] = 0;
  *len = got;
  return data;
}

int h_questions_import(req *r) {
  int rc = -1;
  size_t len = 0;
  q_file f;
  q_file_init(&f);
  qbank_row *rows = NULL;
  int nrows = 0;
  char *data = read_upload(r, &len);
  if (!data) goto done;
  /* Read and checked with nothing held. */
  if (qformat_read(&f, data, len) != 0) {
    req_fail(r, 400, "invalid_value", "file", arena_strdup(&r->a, f.fatal ? f.fatal : "Không đọc được tệp."));
    goto done;
  }
  if (f.nitems + f.nproblems > QBANK_FILE_QUESTIONS_MAX) {
    req_fail(r, 413, "too_large", "file", QBANK_TOO_MANY_MSG);
    goto done;
  }
  store_conn *c = req_db(r);
  if (!c) {
    rc = req_unavailable(r);
    goto done;
  }
  qbank_comps k;
  if (qbank_comps_load(c, &k) != 0) {
    APP_INTERNAL(&r->err);
    goto done;
  }
  const char *comp = req_qstr(r, "competency");
  int64_t comp_id = comp ? qbank_comp_id(&k, comp) : 0;
  if (comp && !comp_id) {
    req_fail(r, 400, "invalid_value", "competency", "Không có năng lực số mang mã này (xem /api/v1/competencies).");
    goto done;
  }
  int level = (int)req_qint(r, "level", 0);
  if (qbank_prepare(&f, &k, comp_id, level, &rows, &nrows) != 0) {
    APP_INTERNAL(&r->err);
    goto done;
  }
  int imported = 0, unchanged = 0;
  const char *name = req_qstr(r, "name");
  if (req_begin(r) != 0 || qbank_store(req_dbw(r), rows, nrows, name, r->who->user_id, &imported, &unchanged) != 0 ||
      req_audit(r, "questions.import", "question", 0, 0,
                json_pack("{s:s, s:i, s:i, s:i}", "file", name ? name : "", "imported", imported, "unchanged", unchanged,
                          "rejected", f.nproblems)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    APP_INTERNAL(&r->err);
    goto done;
  }
  json_t *problems = qbank_problems_json(&f);
  rc = req_ok(r, 200, json_pack("{s:i, s:i, s:o}", "imported", imported, "unchanged", unchanged, "rejected",
                                problems ? problems : json_array()));
done:
  qbank_rows_free(rows, nrows);
  q_file_free(&f);
  free(data);
  return rc;
}

int h_questions_list(req *r) {
  qbank_query q = {.competency = req_qstr(r, "competency"),
                   .level = (int)req_qint(r, "level", 0),
                   .type = req_qstr(r, "type"),
                   .q = req_qstr(r, "q")};
  req_paging(r, &q.page, &q.per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (qbank_list(c, &q, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_questions_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (qbank_get(c, req_param(r, 0), &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_competencies_list(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *all = NULL;
  if (qbank_competencies(c, &all, &r->err) != 0) return -1;
  return req_page_all(r, all);
}

int h_competencies_create(req *r) {
  qbank_comp_def d = {req_str(r, "framework"), req_str(r, "code"), req_str(r, "domain_code"), req_str(r, "domain_name"),
                      req_str(r, "name")};
  int64_t id = 0;
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (qbank_competency_add(req_dbw(r), &d, &id, &r->err) != 0) return -1;
  if (req_audit(r, "competency.create", "competency", id, 0,
                json_pack("{s:s, s:s}", "framework", d.framework, "code", d.code)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "framework", d.framework, "code", d.code));
}

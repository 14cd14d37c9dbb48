/* err.h: how a domain function says why it refused.
 * Bad input (4xx: the user's to fix) carries a code, the field and a Vietnamese message;
 * a broken invariant or an unreachable database is status 500, logged, never the user's fault.
 * The HTTP layer turns an app_err into a response in one place.
 */
#ifndef HOCVUSO_ERR_H
#define HOCVUSO_ERR_H

#define APP_ERR_MAX 8

typedef struct app_err {
  int status;          /* HTTP status: 400, 401, 403, 404, 409, 413, 415, 429 or 500 */
  const char *code;    /* machine code, e.g. "invalid_value" */
  const char *field;   /* the input field at fault, or NULL */
  const char *message; /* Vietnamese, for the user */
  int retry_after;     /* seconds, for 429 and 503 */
  /* Every field at fault when several are (the first one is also in code/field/message). */
  int nerrs;
  struct {
    const char *field, *message;
  } errs[APP_ERR_MAX];
} app_err;

/* Fills e and returns -1, so that callers can write `return app_fail(e, ...)`. */
static inline int app_fail(app_err *e, int status, const char *code, const char *field, const char *message) {
  if (e) {
    e->status = status;
    e->code = code;
    e->field = field;
    e->message = message;
  }
  return -1;
}

/* Records one more field error and keeps going: the first one sets status, code, field and
 * message; later ones only join the list. Returns -1. */
static inline int app_add(app_err *e, int status, const char *code, const char *field, const char *message) {
  if (!e) return -1;
  if (!e->status) app_fail(e, status, code, field, message);
  if (e->nerrs < APP_ERR_MAX) {
    e->errs[e->nerrs].field = field;
    e->errs[e->nerrs].message = message;
    e->nerrs++;
  }
  return -1;
}

#define APP_INTERNAL(e) app_fail((e), 500, "internal", NULL, "Lỗi hệ thống. Vui lòng thử lại sau.")
#define APP_NOT_FOUND(e, field) app_fail((e), 404, "not_found", (field), "Không tìm thấy.")
#define APP_FORBIDDEN(e) app_fail((e), 403, "forbidden", NULL, "Bạn không có quyền thực hiện thao tác này.")

#endif

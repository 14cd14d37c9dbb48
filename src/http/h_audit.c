/* h_audit.c: reading the audit log. */
#include <string.h>

#include "domain/audit.h"
#include "http/handlers.h"
#include "util/clock.h"

int h_audit_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_AUDIT_READ);
  audit_query q = {.scope = &sc, .actor = req_qstr(r, "actor"), .action = req_qstr(r, "action"), .entity = req_qstr(r, "entity")};
  const char *since = req_qstr(r, "since"), *until = req_qstr(r, "until");
  if (since) clock_parse_iso(since, &q.since);
  /* A date alone means the whole of that day: `until` is inclusive. */
  if (until && clock_parse_iso(until, &q.until) && strlen(until) == 10) q.until += 86400;
  req_paging(r, &q.page, &q.per_page);
  json_t *items = NULL;
  int64_t total = 0;
  store_conn *c = req_db(r);
  if (!c || audit_list(c, &q, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

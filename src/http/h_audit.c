/* h_audit.c: reading the audit log, a keyset page at a time (see audit.h). */
#include <string.h>

#include "domain/audit.h"
#include "http/handlers.h"
#include "util/clock.h"

int h_audit_list(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_AUDIT_READ);
  audit_query q = {.scope = &sc,
                   .actor = req_qstr(r, "actor"),
                   .action = req_qstr(r, "action"),
                   .entity = req_qstr(r, "entity"),
                   .entity_id = req_qint(r, "entity_id", 0),
                   .name = req_qstr(r, "name"),
                   .before = req_qint(r, "before", 0),
                   .after = req_qint(r, "after", 0),
                   .per_page = (int)req_qint(r, "per_page", 50)};
  if (q.before && q.after)
    return req_fail(r, 400, "invalid_value", "after", "Chỉ dùng một trong hai tham số before hoặc after.");
  const char *since = req_qstr(r, "since"), *until = req_qstr(r, "until");
  if (since) clock_parse_iso(since, &q.since);
  /* A date alone means the whole of that day: `until` is inclusive. */
  if (until && clock_parse_iso(until, &q.until) && strlen(until) == 10) q.until += 86400;
  audit_page p;
  store_conn *c = req_db(r);
  if (!c || audit_list(c, &q, &p, &r->err) != 0) return -1;
  json_t *id_or_null[2] = {p.older ? json_integer(p.older) : json_null(), p.newer ? json_integer(p.newer) : json_null()};
  return req_ok(r, 200,
                json_pack("{s:o, s:i, s:o, s:o, s:o}", "items", p.items, "per_page", q.per_page, "total",
                          p.total_known ? json_integer(p.total) : json_null(), "older", id_or_null[0], "newer",
                          id_or_null[1]));
}

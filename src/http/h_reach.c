/* h_reach.c: Gia đình số and VNeID coverage over HTTP (families.h, vneid.h): the figures per tổ dân
 * phố and the worklists of the teams, each over the caller's scope (the dispatcher has checked the
 * unit of the query). Holds no SQL and no rule: the rule of a digital family is families.h's, the
 * adults are groups.h's. */
#include "domain/families.h"
#include "domain/groups.h"
#include "domain/vneid.h"
#include "http/handlers.h"
#include "util/clock.h"

int h_families_summary(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (families_summary(c, &sc, req_qint(r, "unit_id", 0), &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_families_left(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  int page, per_page;
  req_paging(r, &page, &per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (families_left(c, &sc, req_qint(r, "unit_id", 0), page, per_page, &items, &total, &r->err) != 0) return -1;
  return req_page(r, items, total);
}

int h_vneid_coverage(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_IDENTITY_READ);
  int64_t key = 0;
  if (ind_query_date(r, &key) != 0) return -1;
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (vneid_coverage(c, &sc, req_qint(r, "unit_id", 0), key, &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_vneid_worklist(req *r) {
  scope_sql sc;
  scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  int page, per_page;
  req_paging(r, &page, &per_page);
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  int64_t total = 0;
  if (vneid_worklist(c, &sc, req_qint(r, "unit_id", 0), groups_date_key(clock_now()), page, per_page, &items, &total,
                     &r->err) != 0)
    return -1;
  return req_page(r, items, total);
}

/* demo_trade.c: the demo's share of issue 9 parts 4 to 6 — the 4T steps of the synthetic ward's
 * traders, the training classes of its staff, its Ngày hội toàn dân học tập số. Deterministic: chosen and dated by
 * ids, so running the demo again adds nothing. Never touches a person or a unit. */
#include <stdio.h>

#include "domain/classes.h"
#include "domain/demo.h"
#include "domain/events.h"
#include "domain/trade.h"
#include "domain/units.h"
#include "domain/users.h"

int demo_trade(store *st, int64_t now, FILE *out, char *err, size_t errlen) {
  store_conn *w = store_acquire_timed(st, true, 30000, NULL);
  if (!w) {
    snprintf(err, errlen, "the database cannot be written to");
    return -1;
  }
  app_err e = {0};
  int64_t steps = 0, classes = 0, events = 0;
  int rc = store_begin(w) == STORE_OK ? 0 : -1;
  /* The demo field helper guided them. */
  int64_t helper = rc == 0 ? users_find(w, "tinhnguyen") : 0;
  if (rc == 0) rc = trade_demo(w, helper > 0 ? helper : 0, now, &steps, &e);
  /* The ward's staff training, organised by the ward, recorded by its admin. */
  int64_t ward = rc == 0 ? units_find(w, "HP-HD") : 0, admin = rc == 0 ? users_find(w, "admin") : 0;
  if (rc == 0 && ward > 0) rc = classes_demo(w, ward, admin > 0 ? admin : 0, now, &classes, &e);
  /* Ngày hội toàn dân học tập số, 10/10, of the ward. */
  if (rc == 0 && ward > 0) rc = events_demo(w, ward, admin > 0 ? admin : 0, now, &events, &e);
  if (rc == 0 && store_commit(w) != STORE_OK) rc = -1;
  if (rc != 0) {
    snprintf(err, errlen, "demo 4T steps, classes, events: %s", e.message ? e.message : store_errmsg(w));
    if (store_in_transaction(w)) store_rollback(w);
  } else {
    fprintf(out, "4T steps of the markets' traders (Chợ số – Siêu thị số): %lld new\n", (long long)steps);
    fprintf(out, "Training classes for the ward's staff (lớp bồi dưỡng): %lld new\n", (long long)classes);
    fprintf(out, "Events (Ngày hội toàn dân học tập số, 10/10): %lld new\n", (long long)events);
  }
  store_release(w);
  return rc;
}

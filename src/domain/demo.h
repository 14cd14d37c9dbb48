/* demo.h: the demo ward — phường Hải Dương (Hải Phòng) with its tổ dân phố, offices, police,
 * schools, an enterprise and a cooperative, and one demo account per role. Synthetic:
 * the unit names follow the plan; every person is invented. Loading twice changes nothing
 * but the demo accounts' password. */
#ifndef HOCVUSO_DEMO_H
#define HOCVUSO_DEMO_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

typedef struct demo_account {
  const char *username;
  const char *display_name;
  const char *role;
  const char *unit_code;
} demo_account;

extern const demo_account demo_accounts[];
extern const int demo_accounts_count;

/* Loads the demo into the database; prints what it did to `out`. 0, or -1 with a message. */
int demo_load(store *st, const char *password, FILE *out, char *err, size_t errlen);

/* The units a synthetic population of `residents` (synth.h, from `seed`) needs under the demo
 * ward: each of its schools, offices, enterprises, cooperatives, markets and tổ dân phố found
 * there by name, or created (code "HD-" + its synthetic code). Loading twice adds nothing. */
int demo_load_units(store *st, long residents, uint64_t seed, FILE *out, char *err, size_t errlen);

/* The movement's models of issue 9 parts 4 to 6 (demo_trade.c), once the synthetic residents are
 * in: the traders' 4T steps, the staff's training classes, the ward's events. Running it again adds
 * nothing. */
int demo_trade(store *st, int64_t now, FILE *out, char *err, size_t errlen);
/* Đại sứ số under way (demo_reach.c): mentors, mentees, sessions, service-centre helpers, once the
 * ward has residents; nothing when it has none, or has ambassadors already. */
int demo_reach(store *st, int64_t now, FILE *out, char *err, size_t errlen);
/* Issue 9 parts 8, 7, 9, in the caller's transaction: the plan's tasks for the demo ward and
 * progress updates by their units (demo_plan.c), then the schools (demo_schools.c) and the
 * resources (demo_resources.c). */
int demo_plan(store_conn *w, int64_t now, FILE *out, char *err, size_t errlen);
/* A progress update with a PDF attached (the file stored under data_dir/attachments), once. */
int demo_plan_files(store *st, const char *data_dir, int64_t now, FILE *out, char *err, size_t errlen);
/* The schools' programme, grades and designations (demo_schools.c), in the caller's transaction. */
int demo_schools(store_conn *w, int64_t now, FILE *out, char *err, size_t errlen);
/* Contributions and plan budgets (demo_resources.c), in the caller's transaction, after the plan. */
int demo_resources(store_conn *w, int64_t now, FILE *out, char *err, size_t errlen);

#endif

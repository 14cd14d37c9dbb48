/* indicators_left.h: những người, hộ chưa đạt — for an indicator counted over people or households,
 * the records of a unit's subtree that are in its population but not in its numerator on a date:
 * the team's worklist behind a figure of the dashboard (issue 10, item 4).
 * Owns: the one statement per base that yields every record of the subtree with its (groups,
 * facts), classified by the expressions of ind_sql.h, and the reading of the definition over each
 * record in C (ind_eval over a one-cell cube), so that the list and the figure cannot disagree.
 * Never: a second copy of the rules, SQL built from a definition, or a record outside the unit.
 */
#ifndef HOCVUSO_INDICATORS_LEFT_H
#define HOCVUSO_INDICATORS_LEFT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/err.h"
#include "domain/indicators.h"
#include "store/store.h"
#include "util/buf.h"

/* One record left behind, as the walk hands it over (texts valid during the call only). */
typedef struct ind_left_row {
  bool person;             /* a person (base people), else a household */
  int64_t id;
  int64_t unit_id;         /* people: the registering unit; households: the household's */
  const char *unit_name;
  const char *address;     /* the household's address, or NULL */
  /* people only */
  const char *full_name;
  int64_t birth_year;      /* -1 when unknown */
  int64_t household_id;    /* 0 when none */
  const char *phone;       /* NULL when none */
  uint32_t groups;         /* groups.h's bits */
  bool restricted;         /* a `restrict` request of theirs stands (requests.h) */
  /* households only */
  const char *code;        /* the household's code, or NULL */
  int64_t members;         /* living members */
} ind_left_row;

/* What the walk read of the indicator and the unit. */
typedef struct ind_left_info {
  ind_base base;           /* IND_PEOPLE or IND_HOUSEHOLDS */
  char code[24];
  char name[256];          /* the indicator's */
  int64_t unit_id;
  char unit_name[256];
} ind_left_info;

/* Called for each record left behind, in order (the unit's id, then the name or the address, then
 * the id); return 0 to go on, -1 to stop (the walk then fails, with the error the callback set in
 * the walk's app_err, or a 500). */
typedef int (*ind_left_fn)(void *ctx, const ind_left_row *row);

/* Walks the records of the subtree of `unit_id` that are in the population of the indicator `code`
 * (the catalogue's or an active stored one) and not in its numerator, on the day `date_key`.
 * *total receives how many. 404 naming `code` (no such indicator) or `unit`; 400 naming `code` when
 * the indicator counts neither people nor households. */
int ind_left_walk(store_conn *c, const char *code, int64_t unit_id, int64_t date_key, ind_left_fn fn, void *ctx,
                  ind_left_info *info, int64_t *total, app_err *e);

/* A page of them: {"indicator": {"code", "name", "base"}, "unit": {"id", "name"}, "date", "items",
 * "total", "page", "per_page"}. People: {"id", "full_name", "birth_year", "unit_id", "unit_name",
 * "household_id", "address", "phone", "groups": [code…], "restricted"}; households: {"id", "code",
 * "address", "unit_id", "unit_name", "members"}. The phone is in clear with `phone_clear`, else
 * masked (its first three and last three digits). */
int ind_left_page(store_conn *c, const char *code, int64_t unit_id, int64_t date_key, int page, int per_page,
                  bool phone_clear, json_t **out, ind_left_info *info, app_err *e);

/* Most rows a CSV worklist holds: a larger subtree is refused (400 naming `unit`: a smaller unit). */
#define IND_LEFT_CSV_MAX 200000

/* All of them as a CSV worklist into `out` (UTF-8 with a BOM, CRLF, Vietnamese headings, cells
 * neutralised as export.h does); a restricted person is left out of the file (as from every
 * export). *rows receives the rows written. */
int ind_left_csv(store_conn *c, const char *code, int64_t unit_id, int64_t date_key, bool phone_clear, buf *out,
                 ind_left_info *info, int64_t *rows, app_err *e);

/* A phone number as a reader without people.read sees it: "091****678" (NULL stays NULL). */
void ind_left_phone_mask(const char *phone, char out[24]);

#endif

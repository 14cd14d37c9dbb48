/* movement.h: small checks shared by the movement's records of issue 9 parts 4 to 6 (trade.c,
 * classes.c, events.c): a day as staff write it, into the date key yyyymmdd and back; a live
 * person of the registry.
 * Owns: nothing (pure functions, and one read of people). Never writes. */
#ifndef HOCVUSO_MOVEMENT_H
#define HOCVUSO_MOVEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "domain/err.h"
#include "store/store.h"

/* A day written dd/mm/yyyy (d/m/yyyy, '-' or '.') or yyyy-mm-dd into the key yyyymmdd. Refused
 * (-1 with *why, Vietnamese, static): blank, not a calendar day, a year alone, before 2000, and
 * after `today_key` unless `future_ok` (a planned session or event may be). */
int movement_date(const char *s, int64_t today_key, bool future_ok, int64_t *key, const char **why);
/* "yyyy-mm-dd" of a key; returns out. */
char *movement_date_iso(int64_t key, char out[static 11]);
/* A text as it is stored (text_clean: NFC, one space between words) of at most `max` characters,
 * into *out (a new string the caller frees; NULL when blank). Refused (-1, *why): hidden or control
 * characters, invalid UTF-8, too long, and blank when `required`. */
int movement_text(const char *s, size_t max, bool required, char **out, const char **why);
/* 0 when the person is live; 404 (field "id") when absent or deleted. */
int movement_person_live(store_conn *c, int64_t person_id, app_err *e);

/* The rows of `q` (one id parameter) made by `row`, in a new array in *out (also on failure: the
 * caller frees it). */
int movement_rows(store_conn *c, const store_sql *q, int64_t id, json_t *(*row)(store_stmt *), json_t **out,
                  app_err *e);

#endif

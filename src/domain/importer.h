/* importer.h: the import of a resident list (CSV or XLSX) — issue 7, capability 2.
 * Owns: reading the file (table.h), mapping its columns (colmap.h), validating every row,
 * hashing and sealing CCCDs, grouping rows into households, and writing chunk by chunk.
 * Never: parses, hashes or encrypts while it holds the writer; keeps the writer across chunks;
 * puts a row's personal data in a message (reasons name the field and the line only).
 *
 * Rules (docs/IMPORT.md tells them to officials):
 * - Required columns: Họ và tên and Tổ dân phố. A row with an empty Tổ dân phố but a Nơi làm
 *   việc/học tập registers the person through that unit (someone who works or studies in the ward
 *   and lives elsewhere), without a household.
 * - Tổ dân phố by name, compared folded (accents, case, punctuation ignored), "TDP", "Tổ" and
 *   "Tổ dân phố" being the same words, "số" before the number and leading zeros ignored: "Tổ dân phố
 *   số 3", "TDP 3", "Tổ 03" name the same unit. It must be a residential_group inside the
 *   importer's people.write scope. Workplaces and schools by their folded name, within scope.
 * - A person is matched by the keyed hash of their CCCD when the row has one; else (or when no
 *   record has that CCCD) by natural key: registering unit, folded name, birth date (or year), and
 *   household — a row with a CCCD only matches by natural key a record that has none. A match with
 *   nothing to change is `unchanged`; with something to change, `updated` (counted in `imported`
 *   too: the row changed the register). Empty cells leave stored values as they are.
 * - A CCCD already held by a record with another (folded) name is refused; a CCCD twice in the
 *   file: the second line is refused, naming the first.
 * - Households: "Mã hộ" (unique within its tổ) names one; rows without a code at the same folded
 *   address in the same tổ form one household.
 */
#ifndef HOCVUSO_IMPORTER_H
#define HOCVUSO_IMPORTER_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "domain/colmap.h"
#include "store/store.h"
#include "util/secrets.h"
#include "util/table.h"

#define IMPORTER_CHUNK_ROWS 5000
/* The bounds of a chunk's rows once the importer adapts it to the time it holds the writer
 * (importer.c, next_chunk_rows): the first two chunks are IMPORTER_CHUNK_ROWS. */
#define IMPORTER_CHUNK_MIN 1000
#define IMPORTER_CHUNK_MAX 12000

/* What the mapping step shows: {"format", "columns":[{"index","header","field","field_label"}],
 * "preview":[first 5 rows], "missing":[field codes], "warnings":[…], "mapping": {field: index},
 * "mapping_error": why the detected mapping cannot be used as it is (missing or repeated columns) or
 * null}.
 * *rows_estimate: data rows (CSV: line count; XLSX: 0, unknown). -1 with a Vietnamese message
 * in err when the file cannot be read. */
int importer_inspect(const char *path, json_t **out, int64_t *rows_estimate, char *err, size_t errlen);

/* A mapping {"full_name": 2, …} (field codes, 0-based column indexes, -1 or null: none) for the
 * file at `path`; 0, or -1 with a Vietnamese message (unknown field, bad index, a required field missing). */
int importer_mapping_check(const char *path, json_t *mapping, char *err, size_t errlen);

/* Runs (or resumes) job `job_id` to its end: done, or failed with a message. `stop` (may be NULL)
 * asks it to stop between chunks (the job stays running and resumes at the next start).
 * 0 when the job ended (done or failed), 1 when stopped, -1 when the database failed (the job
 * stays running: a later run resumes it). err: a message for the log. */
int importer_run(store *st, const secrets *keys, int64_t job_id, atomic_bool *stop, char *err, size_t errlen);

/* The error report: the uploaded file's header and its rejected rows with "Dòng" and "Lý do",
 * as CSV (UTF-8 with a BOM, CRLF). `mask_cccd`: the CCCD column is masked (a reader who neither
 * made the job nor holds identity.read). A malloc'd buffer in *out (*len bytes). 0 or -1. */
int importer_error_report(store *st, int64_t job_id, bool mask_cccd, char **out, size_t *len, char *err,
                          size_t errlen);

/* ---- the server's import worker (import_worker.c): one thread runs queued jobs one at a time;
 * at start it first resumes a job left running by a stopped or killed server. ---- */
/* Removes the uploaded files (kept for their error reports) of jobs untouched since `before`, neither
 * queued nor running; a CLI's file is the user's own and stays. *removed: how many. */
int importer_expire_files(store *st, int64_t before, int64_t *removed, char *err, size_t errlen);
int importer_worker_start(store *st, const secrets *keys, int purge_interval, int retention_days);
/* The data directory, before the start: the periodic purge then also reaps unlinked attachments. */
void importer_worker_set_data_dir(const char *data_dir);
/* A job was queued: look now rather than at the next poll. */
void importer_worker_wake(void);
/* Asks the running job to stop after its chunk and joins the thread. */
void importer_worker_stop(void);

/* ---- exposed for tests: the pure parts ---- */
/* The key a tổ dân phố name is compared by ("Tổ dân phố số 03" → "to dan pho 3"); malloc'd. */
char *importer_group_key(const char *name);
/* A role cell → membership kind ("staff", "student", "worker", "trader") or NULL. */
const char *importer_role_kind(const char *role);
/* How many name terms a bucket of the merge holds (0: the default, 500,000): tests make many
 * buckets of a small file, so that one is written while the next is sorted. */
void importer_set_merge_bucket_terms(int64_t n);
/* Whether a job begun from the file's first line sorts its name terms as its chunks commit (on, the
 * default) or merges them from the staged rows in buckets, as a resumed job does: tests run both. */
void importer_set_sorted_runs(bool on);
/* Tests: fn(ctx, chunks written so far) after each chunk's commit, on the importing thread, the
 * writer free (NULL: none). */
typedef void (*importer_chunk_hook)(void *ctx, int chunks);
void importer_set_chunk_hook(importer_chunk_hook fn, void *ctx);

#endif

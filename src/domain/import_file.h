/* import_file.h: an import run by the operator (the command line), over the whole unit tree, with
 * the browser's engine and rules (importer.h): the file is inspected (encoding, format, header)
 * before anything is written, recorded as a job, run to its end in this thread.
 * Used by `hocvuso import residents` and by `hocvuso demo --residents N`.
 */
#ifndef HOCVUSO_IMPORT_FILE_H
#define HOCVUSO_IMPORT_FILE_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "util/secrets.h"

/* Imports the resident list at `path`. *result receives {"imported": N, "unchanged": N,
 * "rejected": [{"line": L, "reason": "…"}]} (all rejected lines when `all_rejected`, else at most
 * 100). 0; or -1 with a message in err when the file could not be read, the database failed, or
 * `stop` (may be NULL) was raised: the job then stays running, and the next process to look (the
 * server, another import) resumes it once this one has exited (jobs.h, "Who runs it"). */
int import_file_residents(store *st, const secrets *keys, const char *path, bool all_rejected, atomic_bool *stop,
                          json_t **result, char *err, size_t errlen);

/* Called once per resumed job by import_file_resume_orphans: its id, its status after the run
 * ("done", "failed", or "running" when stopped) and its error ("" when none). */
typedef void (*import_resumed_fn)(void *ctx, int64_t id, const char *status, const char *error);
/* Resumes, one after the other, the running jobs whose owner process is gone (a killed import or
 * server), as the server would: each ends done, or failed with a reason. *resumed: how many.
 * 0; -1 with a message in err (the database failed; `stop` raised). */
int import_file_resume_orphans(store *st, const secrets *keys, atomic_bool *stop, import_resumed_fn cb, void *ctx,
                               int *resumed, char *err, size_t errlen);

#endif

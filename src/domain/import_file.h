/* import_file.h: an import run by the operator (the command line), over the whole unit tree, with
 * the browser's engine and rules (importer.h): the file is inspected (encoding, format, header)
 * before anything is written, recorded as a job, run to its end in this thread.
 * Used by `hocvuso import residents` and by `hocvuso demo --residents N`.
 */
#ifndef HOCVUSO_IMPORT_FILE_H
#define HOCVUSO_IMPORT_FILE_H

#include <jansson.h>
#include <stdbool.h>

#include "store/store.h"
#include "util/secrets.h"

/* Imports the resident list at `path`. *result receives {"imported": N, "unchanged": N,
 * "rejected": [{"line": L, "reason": "…"}]} (all rejected lines when `all_rejected`, else at most
 * 100). 0; or -1 with a message in err when the file could not be read or the database failed. */
int import_file_residents(store *st, const secrets *keys, const char *path, bool all_rejected, json_t **result,
                          char *err, size_t errlen);

#endif

/* attachments.h: tệp đính kèm — files that belong to an object of another module (a plan task's
 * progress update, a school's evidence), kept outside the database under DATA/attachments/, named
 * by the SHA-256 of their bytes (DATA/attachments/ab/abcdef…), so that the same file uploaded twice
 * is stored once. The type is read from the bytes (PDF, PNG, JPEG, WebP), never believed from the
 * name or the Content-Type: a file whose bytes are not what its name or type claims is refused.
 * Owns: the attachments table (migration 22) and the files under DATA/attachments.
 * Never: serves a file with a type it did not read from the bytes, nor with its name unescaped;
 * decides who may read a file (the owner's scope does: attachments_reach, checked by the
 * dispatcher); holds the writer while a file is read, hashed or written.
 */
#ifndef HOCVUSO_ATTACHMENTS_H
#define HOCVUSO_ATTACHMENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/err.h"
#include "store/store.h"
#include "util/arena.h"

/* The largest attachment, in bytes (the upload routes' body_limit too). */
#define ATTACH_MAX_BYTES (10u * 1024 * 1024)
/* The directory under the data directory. */
#define ATTACH_DIR "attachments"
/* Characters of a file name as kept. */
#define ATTACH_NAME_MAX 200

/* A plan task's files that no progress update names yet ("unlinked"): each account may keep at most
 * this many, or this many bytes, and they are removed once older than ATTACH_UNLINKED_TTL seconds
 * (attachments_reap, from the server's periodic purge and `hocvuso purge`). */
#define ATTACH_UNLINKED_MAX_FILES 20
#define ATTACH_UNLINKED_MAX_BYTES (50u * 1024 * 1024)
#define ATTACH_UNLINKED_TTL 86400

/* Owners (owner_kind): whose scope an attachment follows. */
#define ATTACH_OWNER_PLAN_TASK "plan_task" /* owner_id: plan_tasks.id */
#define ATTACH_OWNER_SCHOOL "school"       /* owner_id: the school's units.id */

/* The type the bytes are (its MIME type and the file name extension it is saved under), or NULL
 * when they are none of the accepted kinds. */
const char *attachments_sniff(const unsigned char *head, size_t n, const char **ext);
/* Checks the bytes' type against what the name's extension and the claimed Content-Type say
 * (either may be NULL or empty; application/octet-stream claims nothing). 0 with *type, or -1:
 * 415 naming the field "file" (a type not accepted, or bytes that are not what is claimed). */
int attachments_check_type(const char *filename, const char *claimed, const unsigned char *head, size_t n,
                           const char **type, app_err *e);

typedef struct attachment_file {
  char sha256[65];   /* hex */
  uint64_t size;
  const char *type;  /* static: "application/pdf", … */
} attachment_file;

/* Reads the upload `fd` (from its start, `len` bytes), checks size (413 over ATTACH_MAX_BYTES, 400
 * when empty) and type, hashes it with crypto_hash_sha256 and writes it to
 * DATA/attachments/xx/<sha256> (a temporary file renamed into place, fsynced; kept when it is there
 * already). Holds no database connection. 0, or -1 with e. */
int attachments_store_file(const char *data_dir, int fd, uint64_t len, const char *filename, const char *claimed,
                           attachment_file *out, app_err *e);
/* The path of a stored file into out. */
void attachments_path(const char *data_dir, const char *sha256, char *out, size_t n);

/* The row of a stored file: its owner, its name as uploaded (cleaned: no path, no control
 * characters, at most ATTACH_NAME_MAX characters; "tep" when nothing is left), by whom, when. */
int attachments_insert(store_conn *w, const attachment_file *f, const char *filename, const char *owner_kind,
                       int64_t owner_id, int64_t by_user, int64_t now, int64_t *id, app_err *e);
/* {id, filename, content_type, size, sha256, created_at, url}. 404 when absent. */
int attachments_get(store_conn *c, int64_t id, json_t **out, app_err *e);
/* The JSON of one attachment row (as attachments_get answers it). */
json_t *attachments_json_row(int64_t id, const char *filename, const char *type, int64_t size, const char *sha256,
                             int64_t created_at);

/* Every attachment of an owner, as an object from id (decimal text) to its JSON. */
int attachments_of_owner(store_conn *c, const char *owner_kind, int64_t owner_id, json_t **by_id, app_err *e);

typedef struct attachment_reach {
  const char *owner_kind; /* in the arena */
  int64_t owner_id;
  int64_t created_by;
} attachment_reach;
/* For the dispatcher: whose the attachment is. 404 when absent. */
int attachments_reach(store_conn *c, int64_t id, arena *a, attachment_reach *out, app_err *e);

typedef struct attachment_open {
  int fd;               /* open for reading, the caller's to close */
  uint64_t size;
  char type[64];
  char filename[ATTACH_NAME_MAX * 4 + 1];
} attachment_open;
/* Reads the row and opens its file. 404 when absent; 500 when the file is missing. */
int attachments_open(store_conn *c, const char *data_dir, int64_t id, attachment_open *out, app_err *e);
/* A Content-Disposition value for `filename`: attachment; filename="ascii-fallback";
 * filename*=UTF-8''percent-encoded, into out. The fallback keeps letters, digits, '-', '_' and '.'. */
void attachments_disposition(const char *filename, char *out, size_t n);

/* Whether `by_user` may keep one more unlinked file of `adding` bytes: 409 naming "file" when their
 * unlinked files would pass ATTACH_UNLINKED_MAX_FILES or ATTACH_UNLINKED_MAX_BYTES. With `lock`
 * (inside the insert's transaction), the account's row is locked first on PostgreSQL, so that
 * uploads of one account at once are counted one after the other. */
int attachments_unlinked_check(store_conn *c, int64_t by_user, uint64_t adding, bool lock, app_err *e);
/* Removes the unlinked files uploaded before `before` (rows: 200 per short transaction on the
 * writer, each audited "attachment.expire"), then every stored file that no row names and whose
 * bytes were written before `before` (an upload under way always has a fresh copy: it is never
 * removed). *rows, *files: how many. 0, or -1 with err (what was done stays done). */
int attachments_reap(store *st, const char *data_dir, int64_t before, int64_t *rows, int64_t *files, char *err,
                     size_t errlen);

/* Copies every stored file to dest_dir/xx/<sha256> (made as needed; a file there already is kept).
 * *copied counts the files written. 0, or -1 with err. */
int attachments_backup(const char *data_dir, const char *dest_dir, int *copied, char *err, size_t errlen);

#endif

/* secrets.c: creating and loading the key file (see secrets.h). */
#include "util/secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"

static const char *const names[] = {"session_key", "data_key", "lookup_key", "signing_seed"};

static unsigned char *slot(secrets *s, int i) {
  switch (i) {
    case 0: return s->session_key;
    case 1: return s->data_key;
    case 2: return s->lookup_key;
    default: return s->signing_seed;
  }
}

static int create_file(const char *path, secrets *out, char *err, size_t errlen) {
  int rc = -1;
  buf b;
  buf_init(&b);
  buf_puts(&b, "{\n");
  for (int i = 0; i < 4; i++) {
    randombytes_buf(slot(out, i), 32);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, slot(out, i), 32);
    buf_printf(&b, "  \"%s\": \"%s\"%s\n", names[i], hex, i < 3 ? "," : "");
    sodium_memzero(hex, sizeof hex);
  }
  buf_puts(&b, "}\n");
  /* Written whole under a name of this process, then linked in place: a process that finds the
   * file (link's EEXIST, or access() in secrets_load) never reads it half-written. */
  char tmp[4200];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.%ld.%08x.tmp", path, (long)getpid(), (unsigned)randombytes_random()) >=
      sizeof tmp) {
    snprintf(err, errlen, "the data directory path is too long");
    errno = ENAMETOOLONG;
    goto done;
  }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
    goto done;
  }
  size_t off = 0;
  while (off < b.len) {
    ssize_t w = write(fd, b.data + off, b.len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
      close(fd);
      unlink(tmp);
      goto done;
    }
    off += (size_t)w;
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    unlink(tmp);
    goto done;
  }
  if (link(tmp, path) != 0) {
    int why = errno;
    snprintf(err, errlen, "cannot create %s: %s", path, strerror(why));
    unlink(tmp);
    errno = why; /* EEXIST: another process made it first; the caller reads theirs */
    goto done;
  }
  unlink(tmp);
  /* The new name is durable only once its directory is: CCCDs are sealed with these keys. */
  char dir[4200];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = '\0';
  int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || fsync(dfd) != 0) {
    snprintf(err, errlen, "cannot sync the data directory: %s", strerror(errno));
    if (dfd >= 0) close(dfd);
    goto done;
  }
  close(dfd);
  rc = 0;
done:
  if (b.cap) sodium_memzero(b.data, b.len);
  buf_free(&b);
  return rc;
}

static int read_file(const char *path, secrets *out, char *err, size_t errlen) {
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  if (st.st_mode & 077) {
    snprintf(err, errlen, "%s can be read by others (mode %03o); run: chmod 600 %s", path,
             (unsigned)(st.st_mode & 0777), path);
    return -1;
  }
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  if (!json_is_object(root)) {
    snprintf(err, errlen, "%s is not a valid secrets file (line %d)", path, jerr.line);
    json_decref(root);
    return -1;
  }
  int rc = 0;
  for (int i = 0; i < 4; i++) {
    const char *hex = json_string_value(json_object_get(root, names[i]));
    size_t bin_len = 0;
    if (!hex || strlen(hex) != 64 ||
        sodium_hex2bin(slot(out, i), 32, hex, 64, NULL, &bin_len, NULL) != 0 || bin_len != 32) {
      snprintf(err, errlen, "%s: \"%s\" is missing or not 64 hex digits", path, names[i]);
      rc = -1;
      break;
    }
  }
  json_decref(root);
  return rc;
}

int secrets_load(const char *dir, secrets *out, char *err, size_t errlen) {
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "cannot create the data directory %s: %s", dir, strerror(errno));
    return -1;
  }
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "the data directory %s is not a directory", dir);
    return -1;
  }
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/secrets.json", dir) >= sizeof path) {
    snprintf(err, errlen, "the data directory path is too long");
    return -1;
  }
  if (access(path, F_OK) != 0) {
    if (create_file(path, out, err, errlen) == 0) return 0;
    if (errno != EEXIST) return -1; /* another process may have created it meanwhile */
  }
  return read_file(path, out, err, errlen);
}

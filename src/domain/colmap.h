/* colmap.h: which column of an uploaded list holds which field, from its Vietnamese header row.
 * Owns: the alias table of header texts (compared folded: accents, case, spaces and punctuation
 * ignored) and the Vietnamese labels of the fields.
 * Never: reads the data rows, or guesses a field from a column's contents.
 */
#ifndef HOCVUSO_COLMAP_H
#define HOCVUSO_COLMAP_H

#include <stddef.h>

typedef enum {
  COL_NONE,
  COL_SEQ, /* STT: số thứ tự */
  COL_FULL_NAME,
  COL_BIRTH_DATE,
  COL_SEX,
  COL_CCCD, /* căn cước công dân / số định danh cá nhân */
  COL_PHONE,
  COL_UNIT, /* Tổ dân phố: residential group */
  COL_ADDRESS,
  COL_HOUSEHOLD_CODE,
  COL_RELATION, /* quan hệ với chủ hộ */
  COL_VNEID,    /* mức định danh điện tử */
  COL_ORG,      /* Nơi làm việc/học tập */
  COL_ROLE,     /* Vai trò */
  COL_GRADE,    /* Lớp */
  COL_COUNT
} col_field;

#define COLMAP_BIT(f) (1u << (f))
/* What a list of residents must have. */
#define COLMAP_REQUIRED_RESIDENTS (COLMAP_BIT(COL_FULL_NAME) | COLMAP_BIT(COL_UNIT))
#define COLMAP_MAX_IGNORED 64

typedef struct colmap {
  int col[COL_COUNT]; /* column index (0 = A) of each field, or -1; col[COL_NONE] is unused (-1) */
  /* Columns with a header that no field claims (warnings: they are ignored), in order. */
  int ignored[COLMAP_MAX_IGNORED];
  size_t nignored;  /* how many are listed in ignored[] */
  size_t nunknown;  /* how many there were (may exceed COLMAP_MAX_IGNORED) */
} colmap;

/* Every field unmapped, nothing ignored. */
void colmap_init(colmap *m);
/* Recognises the headers; `required` is a set of COLMAP_BIT()s. 0 when every required field has
 * a column and no field has two; else -1 with every problem, in Vietnamese, in err. `out` is
 * filled in either case (a field claimed twice keeps its first column), so that a browser can
 * show it for correction. */
int colmap_detect(const char *const *headers, size_t n, unsigned required, colmap *out, char *err, size_t errlen);
/* The field a header names, or COL_NONE. */
col_field colmap_field_of(const char *header);
/* The browser's mapping step: puts `field` at `column` (-1: no column). A column holds one field,
 * so a field that held `column` before loses it. -1 for a field out of range, else 0. */
int colmap_apply_manual(colmap *m, col_field field, int column);
/* After manual changes: 0 when every required field has a column, else -1 with a message. */
int colmap_check(const colmap *m, unsigned required, const char *const *headers, size_t n, char *err, size_t errlen);
/* "Bỏ qua các cột không nhận ra: cột D 'Ghi chú', …" into out (empty when none); returns out. */
const char *colmap_warnings(const colmap *m, const char *const *headers, size_t n, char *out, size_t outlen);

const char *col_field_label(col_field f); /* "Họ và tên", … */
const char *col_field_code(col_field f);  /* "full_name", … */
/* Excel's name of a column: 0 → "A", 27 → "AB". */
void colmap_column_name(int column, char out[8]);

#endif

/* colmap.c: recognising the header row of a ward's list (see colmap.h).
 * Owns: the alias table below, the one place that knows how officials title their columns.
 * Never: reads data rows or decides what a missing field means for a record.
 */
#include "domain/colmap.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fold.h"

typedef struct field_info {
  const char *code, *label, *examples;
} field_info;

static const field_info FIELDS[COL_COUNT] = {
    [COL_NONE] = {"none", "(không dùng)", ""},
    [COL_SEQ] = {"seq", "STT", "“STT”"},
    [COL_FULL_NAME] = {"full_name", "Họ và tên", "“Họ và tên”, “Họ tên”"},
    [COL_BIRTH_DATE] = {"birth_date", "Ngày sinh", "“Ngày sinh”, “Ngày, tháng, năm sinh”, “Năm sinh”"},
    [COL_SEX] = {"sex", "Giới tính", "“Giới tính”, “Nam/Nữ”"},
    [COL_CCCD] = {"cccd", "Số CCCD", "“Số CCCD”, “Số định danh cá nhân”, “CMND/CCCD”"},
    [COL_PHONE] = {"phone", "Số điện thoại", "“Số điện thoại”, “SĐT”"},
    [COL_UNIT] = {"unit", "Tổ dân phố", "“Tổ dân phố”, “Tổ”, “TDP”, “Khu dân cư”"},
    [COL_ADDRESS] = {"address", "Địa chỉ", "“Địa chỉ”, “Nơi ở hiện tại”"},
    [COL_HOUSEHOLD_CODE] = {"household_code", "Mã hộ", "“Mã hộ”, “Số hộ”, “Mã hộ gia đình”"},
    [COL_RELATION] = {"relation", "Quan hệ với chủ hộ", "“Quan hệ với chủ hộ”"},
    [COL_VNEID] = {"vneid", "Mức định danh điện tử", "“Mức định danh”, “VNeID”"},
    [COL_ORG] = {"org", "Nơi làm việc/học tập", "“Nơi làm việc/học tập”, “Cơ quan”, “Trường”, “Đơn vị”"},
    [COL_ROLE] = {"role", "Vai trò", "“Vai trò”, “Chức vụ”"},
    [COL_GRADE] = {"grade", "Lớp", "“Lớp”"},
};

/* Headers as they fold: accents, case, spaces and punctuation gone ("Ngày, tháng, năm sinh" →
 * "ngaythangnamsinh"; "SĐT" → "sdt"). Exact matches first. */
static const struct {
  const char *key;
  col_field field;
} ALIASES[] = {
    {"stt", COL_SEQ}, {"tt", COL_SEQ}, {"sothutu", COL_SEQ},
    {"hovaten", COL_FULL_NAME}, {"hoten", COL_FULL_NAME}, {"hovatenkhaisinh", COL_FULL_NAME},
    {"hotenkhaisinh", COL_FULL_NAME}, {"ten", COL_FULL_NAME}, {"hotendaydu", COL_FULL_NAME},
    {"ngaysinh", COL_BIRTH_DATE}, {"ngaythangnamsinh", COL_BIRTH_DATE}, {"namsinh", COL_BIRTH_DATE},
    {"ns", COL_BIRTH_DATE}, {"ngaythangsinh", COL_BIRTH_DATE}, {"sinhngay", COL_BIRTH_DATE},
    {"gioitinh", COL_SEX}, {"gioi", COL_SEX}, {"gt", COL_SEX}, {"namnu", COL_SEX}, {"phai", COL_SEX},
    {"socccd", COL_CCCD}, {"cccd", COL_CCCD}, {"sodinhdanh", COL_CCCD}, {"sodinhdanhcanhan", COL_CCCD},
    {"cmndcccd", COL_CCCD}, {"cccdcmnd", COL_CCCD}, {"socmnd", COL_CCCD}, {"cmnd", COL_CCCD},
    {"socmndcccd", COL_CCCD}, {"socccdcmnd", COL_CCCD}, {"socancuoc", COL_CCCD}, {"cancuoccongdan", COL_CCCD},
    {"socancuoccongdan", COL_CCCD}, {"madinhdanh", COL_CCCD},
    {"sodienthoai", COL_PHONE}, {"sdt", COL_PHONE}, {"dienthoai", COL_PHONE}, {"dt", COL_PHONE},
    {"didong", COL_PHONE}, {"sodidong", COL_PHONE}, {"dtdd", COL_PHONE},
    {"todanpho", COL_UNIT}, {"to", COL_UNIT}, {"tdp", COL_UNIT}, {"khudancu", COL_UNIT}, {"kdc", COL_UNIT},
    {"thon", COL_UNIT}, {"ap", COL_UNIT}, {"thontodanpho", COL_UNIT}, {"todanphothon", COL_UNIT},
    {"tothon", COL_UNIT}, {"thonto", COL_UNIT}, {"sotodanpho", COL_UNIT},
    {"diachi", COL_ADDRESS}, {"noiohientai", COL_ADDRESS}, {"choohiennay", COL_ADDRESS},
    {"choohientai", COL_ADDRESS}, {"noiohiennay", COL_ADDRESS},
    {"diachithuongtru", COL_ADDRESS}, {"noithuongtru", COL_ADDRESS}, {"diachitamtru", COL_ADDRESS},
    {"maho", COL_HOUSEHOLD_CODE}, {"soho", COL_HOUSEHOLD_CODE}, {"mahogiadinh", COL_HOUSEHOLD_CODE},
    {"sohokhau", COL_HOUSEHOLD_CODE},
    {"quanhevoichuho", COL_RELATION}, {"quanhechuho", COL_RELATION}, {"qhvoichuho", COL_RELATION},
    {"qhchuho", COL_RELATION}, {"quanhe", COL_RELATION},
    {"mucdinhdanh", COL_VNEID}, {"dinhdanhdientu", COL_VNEID}, {"vneid", COL_VNEID},
    {"mucdinhdanhdientu", COL_VNEID}, {"taikhoanvneid", COL_VNEID}, {"dinhdanhmuc2", COL_VNEID},
    {"noilamviechoctap", COL_ORG}, {"noilamviec", COL_ORG}, {"noihoctap", COL_ORG}, {"coquan", COL_ORG},
    {"truong", COL_ORG}, {"donvi", COL_ORG}, {"coquandonvi", COL_ORG}, {"donvicongtac", COL_ORG},
    {"vaitro", COL_ROLE}, {"chucvu", COL_ROLE},
    {"lop", COL_GRADE},
};

/* When no alias matches exactly: a header that contains one of these ("Số CCCD của người dân",
 * "Ngày sinh (dd/mm/yyyy)" already loses its parentheses). Order matters: the more specific first. */
static const struct {
  const char *part;
  col_field field;
} CONTAINS[] = {
    {"mucdinhdanh", COL_VNEID}, {"dinhdanhdientu", COL_VNEID}, {"vneid", COL_VNEID},
    {"cccd", COL_CCCD}, {"cmnd", COL_CCCD}, {"cancuoc", COL_CCCD}, {"sodinhdanh", COL_CCCD},
    {"dienthoai", COL_PHONE}, {"sdt", COL_PHONE},
    {"ngaysinh", COL_BIRTH_DATE}, {"namsinh", COL_BIRTH_DATE},
    {"gioitinh", COL_SEX},
    {"quanhe", COL_RELATION},
    {"hovaten", COL_FULL_NAME}, {"hoten", COL_FULL_NAME},
    {"todanpho", COL_UNIT}, {"khudancu", COL_UNIT},
    {"mahogiadinh", COL_HOUSEHOLD_CODE},
    {"diachi", COL_ADDRESS}, {"noiohien", COL_ADDRESS}, {"choohien", COL_ADDRESS},
    {"noilamviec", COL_ORG}, {"noihoctap", COL_ORG},
    {"vaitro", COL_ROLE}, {"chucvu", COL_ROLE},
};

const char *col_field_label(col_field f) { return f >= 0 && f < COL_COUNT ? FIELDS[f].label : ""; }
const char *col_field_code(col_field f) { return f >= 0 && f < COL_COUNT ? FIELDS[f].code : ""; }

void colmap_column_name(int column, char out[8]) {
  char tmp[8];
  size_t n = 0;
  if (column < 0) {
    snprintf(out, 8, "?");
    return;
  }
  unsigned c = (unsigned)column + 1;
  while (c > 0 && n < 7) {
    tmp[n++] = (char)('A' + (c - 1) % 26);
    c = (c - 1) / 26;
  }
  for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  out[n] = '\0';
}

/* The header's key: parenthesised or bracketed notes dropped (unless nothing else is left), folded,
 * then only letters and digits kept. A new string, NULL on invalid UTF-8 or no memory. */
static char *header_key(const char *h) {
  buf b;
  buf_init(&b);
  int depth = 0;
  for (const char *p = h; *p; p++) {
    if (*p == '(' || *p == '[') depth++;
    else if ((*p == ')' || *p == ']') && depth > 0) depth--;
    else if (depth == 0) buf_putc(&b, *p);
  }
  char *stripped = buf_detach(&b, NULL);
  char *folded = NULL, *out = NULL;
  if (!stripped) goto out;
  folded = text_fold(stripped);
  if (!folded) goto out;
  size_t n = 0;
  for (char *p = folded; *p; p++)
    if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) folded[n++] = *p;
  folded[n] = '\0';
  if (n == 0 && strcmp(stripped, h) != 0) { /* "(Tổ)" alone: use the whole text */
    free(folded);
    folded = text_fold(h);
    if (!folded) goto out;
    n = 0;
    for (char *p = folded; *p; p++)
      if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) folded[n++] = *p;
    folded[n] = '\0';
  }
  out = folded;
  folded = NULL;
out:
  free(stripped);
  free(folded);
  return out;
}

col_field colmap_field_of(const char *header) {
  col_field f = COL_NONE;
  char *key = header ? header_key(header) : NULL;
  if (!key || !key[0]) goto out;
  for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++)
    if (strcmp(key, ALIASES[i].key) == 0) {
      f = ALIASES[i].field;
      goto out;
    }
  for (size_t i = 0; i < sizeof CONTAINS / sizeof CONTAINS[0]; i++)
    if (strstr(key, CONTAINS[i].part)) {
      f = CONTAINS[i].field;
      goto out;
    }
out:
  free(key);
  return f;
}

void colmap_init(colmap *m) {
  for (int f = 0; f < COL_COUNT; f++) m->col[f] = -1;
  m->nignored = m->nunknown = 0;
}

static const char *header_at(const char *const *headers, size_t n, int col) {
  return col >= 0 && (size_t)col < n && headers[col] ? headers[col] : "";
}

static void put_missing(buf *b, const colmap *m, unsigned required) {
  for (int f = 1; f < COL_COUNT; f++) {
    if (!(required & COLMAP_BIT(f)) || m->col[f] >= 0) continue;
    if (b->len) buf_putc(b, ' ');
    buf_printf(b, "Thiếu cột “%s” (tiêu đề có thể là %s).", FIELDS[f].label, FIELDS[f].examples);
  }
}

int colmap_detect(const char *const *headers, size_t n, unsigned required, colmap *out, char *err, size_t errlen) {
  buf b;
  buf_init(&b);
  colmap_init(out);
  for (size_t i = 0; i < n && i <= (size_t)0x7fffffff; i++) {
    int col = (int)i;
    const char *h = headers[i] ? headers[i] : "";
    col_field f = colmap_field_of(h);
    if (f == COL_NONE) {
      if (!h[0]) continue; /* an untitled column: the reader trims empty trailing ones */
      out->nunknown++;
      if (out->nignored < COLMAP_MAX_IGNORED) out->ignored[out->nignored++] = col;
      continue;
    }
    if (out->col[f] < 0) {
      out->col[f] = col;
      continue;
    }
    char a[8], c[8];
    colmap_column_name(out->col[f], a);
    colmap_column_name(col, c);
    if (b.len) buf_putc(&b, ' ');
    buf_printf(&b, "Cột “%s” (cột %s) và cột “%s” (cột %s) cùng là “%s”: hãy xoá hoặc đổi tên một cột.",
               header_at(headers, n, out->col[f]), a, h, c, FIELDS[f].label);
  }
  put_missing(&b, out, required);
  int rc = b.len ? -1 : 0;
  if (err && errlen) snprintf(err, errlen, "%s", b.oom ? "Không đủ bộ nhớ." : b.data);
  if (b.oom) rc = -1;
  buf_free(&b);
  return rc;
}

int colmap_apply_manual(colmap *m, col_field field, int column) {
  if (field <= COL_NONE || field >= COL_COUNT || column < -1) return -1;
  if (column >= 0)
    for (int f = 1; f < COL_COUNT; f++)
      if (m->col[f] == column) m->col[f] = -1;
  m->col[field] = column;
  /* a column given a field is no longer ignored */
  size_t k = 0;
  for (size_t i = 0; i < m->nignored; i++)
    if (m->ignored[i] != column) m->ignored[k++] = m->ignored[i];
  if (k < m->nignored) m->nunknown -= m->nignored - k;
  m->nignored = k;
  return 0;
}

int colmap_check(const colmap *m, unsigned required, const char *const *headers, size_t n, char *err, size_t errlen) {
  (void)headers;
  buf b;
  buf_init(&b);
  for (int f = 1; f < COL_COUNT; f++)
    if (m->col[f] >= 0 && (size_t)m->col[f] >= n) {
      char a[8];
      colmap_column_name(m->col[f], a);
      if (b.len) buf_putc(&b, ' ');
      buf_printf(&b, "Cột %s được chọn cho “%s” không có trong tệp.", a, FIELDS[f].label);
    }
  put_missing(&b, m, required);
  int rc = b.len || b.oom ? -1 : 0;
  if (err && errlen) snprintf(err, errlen, "%s", b.oom ? "Không đủ bộ nhớ." : b.data);
  buf_free(&b);
  return rc;
}

const char *colmap_warnings(const colmap *m, const char *const *headers, size_t n, char *out, size_t outlen) {
  if (!out || !outlen) return out;
  out[0] = '\0';
  if (m->nunknown == 0) return out;
  buf b;
  buf_init(&b);
  buf_puts(&b, "Bỏ qua các cột không nhận ra: ");
  for (size_t i = 0; i < m->nignored; i++) {
    char a[8];
    colmap_column_name(m->ignored[i], a);
    buf_printf(&b, "%scột %s “%s”", i ? ", " : "", a, header_at(headers, n, m->ignored[i]));
  }
  if (m->nunknown > m->nignored) buf_printf(&b, " và %zu cột khác", m->nunknown - m->nignored);
  buf_putc(&b, '.');
  snprintf(out, outlen, "%s", b.oom ? "" : b.data);
  buf_free(&b);
  return out;
}

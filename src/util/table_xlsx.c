/* table_xlsx.c: the XLSX side of the table reader (see table.h, table_impl.h).
 * Owns: the zip archive, the sheet's expat parser (suspended at each </row>), the shared strings
 * (the one thing held whole, capped) and the date flags of the cell styles.
 * Never: trusts a size the archive declares (inflated bytes are counted), inflates a whole part
 * in memory, accepts a DTD, or depends on another module's date code (the serial → date
 * conversion is here, with Excel's 29 February 1900).
 */
#include <errno.h>
#include <expat.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "util/table_impl.h"

#define MSG_CORRUPT "Tệp Excel bị hỏng hoặc tải lên không trọn vẹn"
/* The ratio check starts once a part has given this much: small parts (rels, a one-row sheet)
 * compress far better than 100:1 and are harmless. */
#define RATIO_FLOOR MIB
#define MAX_XF 65536        /* Excel's own limit is 64,000 cell formats */
#define MAX_RELS 65536      /* relationships kept from one .rels part */
#define MAX_SHEETS 65536    /* <sheet> entries kept from workbook.xml */
#define MAX_PATH_BYTES 1024 /* a part name inside the archive */

typedef struct part {
  zip_file_t *zf;
  char name[MAX_PATH_BYTES];
  uint64_t comp, read;
} part;

struct table_xlsx {
  zip_t *za;
  uint64_t unzipped; /* bytes inflated from every part so far */
  bool date1904;
  /* shared strings: the one thing held whole */
  buf ss;      /* every string, NUL-terminated */
  size_t *ssoff;
  size_t ssn, sscap;
  /* styles: whether cellXfs[i] shows a date */
  bool *xf_date;
  size_t nxf;
  /* the sheet */
  part sheet;
  XML_Parser xp;
  char chunk[CHUNK];
  bool suspended, eof_fed;
  /* sheet parse state */
  int depth_sheetdata, in_row, in_c, in_v, in_is, in_rph, in_t;
  long row_r, last_r;
  size_t next_col;
  size_t col;
  char ctype[16];
  long cstyle;
  bool cell_has_is;
  char cref[16];
  buf text;     /* <v> or inline text of the cell */
  bool row_ready;
  char cb_err[320];
};
typedef struct table_xlsx xlsx_state;

/* ==== XLSX: parts of the archive ==== */

static const char *local_name(const char *name) {
  const char *bar = strrchr(name, '|');
  return bar ? bar + 1 : name;
}

static const char *attr(const char **atts, const char *local) {
  for (size_t i = 0; atts[i]; i += 2)
    if (strcmp(local_name(atts[i]), local) == 0) return atts[i + 1];
  return NULL;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void part_close(part *p) {
  if (p->zf) zip_fclose(p->zf);
  p->zf = NULL;
}

/* 1 opened, 0 no such part, -1 refused (err set). */
static int part_open(table *t, const char *name, part *p, char *err, size_t errlen) {
  xlsx_state *x = t->xl;
  *p = (part){0};
  snprintf(p->name, sizeof p->name, "%s", name);
  zip_int64_t idx = zip_name_locate(x->za, name, ZIP_FL_NOCASE);
  if (idx < 0) return 0;
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(x->za, (zip_uint64_t)idx, 0, &st) != 0) {
    table_seterr(err, errlen, MSG_CORRUPT " (không đọc được phần %s).", name);
    return -1;
  }
  uint64_t size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
  p->comp = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
  if (size > t->lim.max_unzipped_bytes - x->unzipped ||
      (size > RATIO_FLOOR && size / (p->comp ? p->comp : 1) > t->lim.max_ratio)) {
    char sz[32];
    table_seterr(err, errlen,
                 "Tệp Excel bất thường: phần %s giải nén ra quá lớn (tỉ lệ nén hơn %" PRIu32 ":1 hoặc quá %s), "
                 "có thể là tệp độc hại. Tệp bị từ chối.",
                 name, t->lim.max_ratio, table_size_text(t->lim.max_unzipped_bytes, sz));
    return -1;
  }
  p->zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0);
  if (!p->zf) {
    zip_error_t *ze = zip_get_error(x->za);
    int code = zip_error_code_zip(ze);
    if (code == ZIP_ER_ENCRNOTSUPP || code == ZIP_ER_NOPASSWD)
      table_seterr(err, errlen, "Tệp Excel có đặt mật khẩu. Hãy gỡ mật khẩu rồi tải lên lại.");
    else if (code == ZIP_ER_COMPNOTSUPP)
      table_seterr(err, errlen, "Tệp Excel dùng kiểu nén không được hỗ trợ. " MSG_REUPLOAD);
    else
      table_seterr(err, errlen, MSG_CORRUPT " (không mở được phần %s).", name);
    return -1;
  }
  return 1;
}

/* Bytes read, 0 at the end, -1 on error (a corrupt part or one that inflates past the limits). */
static zip_int64_t part_read(table *t, part *p, char *dst, size_t n, char *err, size_t errlen) {
  xlsx_state *x = t->xl;
  zip_int64_t got = zip_fread(p->zf, dst, n);
  if (got < 0) {
    table_seterr(err, errlen, MSG_CORRUPT " (phần %s không giải nén được).", p->name);
    return -1;
  }
  p->read += (uint64_t)got;
  x->unzipped += (uint64_t)got;
  if (x->unzipped > t->lim.max_unzipped_bytes ||
      (p->read > RATIO_FLOOR && p->read / (p->comp ? p->comp : 1) > t->lim.max_ratio)) {
    char sz[32];
    table_seterr(err, errlen,
                 "Tệp Excel bất thường: phần %s giải nén ra quá lớn (tỉ lệ nén hơn %" PRIu32 ":1 hoặc quá %s), "
                 "có thể là tệp độc hại. Tệp bị từ chối.",
                 p->name, t->lim.max_ratio, table_size_text(t->lim.max_unzipped_bytes, sz));
    return -1;
  }
  return got;
}

static XML_Parser xml_new(void *ud, XML_StartElementHandler start, XML_EndElementHandler end,
                          XML_CharacterDataHandler text) {
  XML_Parser xp = XML_ParserCreateNS(NULL, '|');
  if (!xp) return NULL;
  XML_SetUserData(xp, ud);
  XML_SetElementHandler(xp, start, end);
  if (text) XML_SetCharacterDataHandler(xp, text);
  return xp;
}

/* What every small part's parse state starts with: its parser (to stop it) and its first error.
 * OOXML has no DTD: one is refused, so no entity can expand. */
typedef struct xml_ctx {
  XML_Parser xp;
  table *t;
  char err[320];
} xml_ctx;

static void ctx_fail(xml_ctx *c, const char *msg) {
  if (!c->err[0]) snprintf(c->err, sizeof c->err, "%s", msg);
  XML_StopParser(c->xp, XML_FALSE);
}

static void XMLCALL ctx_no_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                                   int has_internal) {
  (void)name;
  (void)sysid;
  (void)pubid;
  (void)has_internal;
  ctx_fail(ud, MSG_CORRUPT " (có khai báo DTD không được phép).");
}

/* Parses a whole (small or capped) part with the handlers given; ctx->xp is set here.
 * 1 parsed, 0 no such part, -1 error. */
static int parse_part(table *t, const char *name, xml_ctx *ctx, XML_StartElementHandler start,
                      XML_EndElementHandler end, XML_CharacterDataHandler text, char *err, size_t errlen) {
  part p;
  int rc = part_open(t, name, &p, err, errlen);
  if (rc <= 0) return rc;
  rc = -1;
  char *chunk = malloc(CHUNK);
  XML_Parser xp = xml_new(ctx, start, end, text);
  if (!chunk || !xp) {
    table_seterr(err, errlen, "Không đủ bộ nhớ để đọc tệp Excel.");
    goto out;
  }
  XML_SetStartDoctypeDeclHandler(xp, ctx_no_doctype);
  ctx->xp = xp;
  ctx->t = t;
  for (;;) {
    zip_int64_t n = part_read(t, &p, chunk, CHUNK, err, errlen);
    if (n < 0) goto out;
    if (XML_Parse(xp, chunk, (int)n, n == 0) != XML_STATUS_OK) {
      if (ctx->err[0])
        table_seterr(err, errlen, "%s", ctx->err);
      else
        table_seterr(err, errlen, MSG_CORRUPT " (phần %s có lỗi XML ở dòng %lu).", name,
                     (unsigned long)XML_GetCurrentLineNumber(xp));
      goto out;
    }
    if (n == 0) break;
  }
  rc = 1;
out:
  if (xp) XML_ParserFree(xp);
  free(chunk);
  part_close(&p);
  return rc;
}

/* ---- relationships (_rels/.rels, xl/_rels/workbook.xml.rels) ---- */

typedef struct rel {
  char *id, *type, *target;
} rel;

typedef struct rels_ctx {
  xml_ctx x;
  rel *v;
  size_t n, cap;
} rels_ctx;

static void rels_free(rels_ctx *r) {
  for (size_t i = 0; i < r->n; i++) {
    free(r->v[i].id);
    free(r->v[i].type);
    free(r->v[i].target);
  }
  free(r->v);
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  rels_ctx *r = ud;
  if (strcmp(local_name(name), "Relationship") != 0) return;
  const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
  const char *mode = attr(atts, "TargetMode");
  if (!id || !type || !target || (mode && strcmp(mode, "External") == 0)) return;
  if (r->n >= MAX_RELS) return;
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 16;
    rel *v = realloc(r->v, cap * sizeof *v);
    if (!v) {
      ctx_fail(&r->x, "Không đủ bộ nhớ để đọc tệp Excel.");
      return;
    }
    r->v = v;
    r->cap = cap;
  }
  rel *e = &r->v[r->n];
  e->id = strdup(id);
  e->type = strdup(type);
  e->target = strdup(target);
  r->n++;
  if (!e->id || !e->type || !e->target) ctx_fail(&r->x, "Không đủ bộ nhớ để đọc tệp Excel.");
}

static void XMLCALL ignore_end(void *ud, const XML_Char *name) {
  (void)ud;
  (void)name;
}

/* Resolves a relationship target against the folder of the part that holds it ("xl/"):
 * "worksheets/sheet1.xml" → "xl/worksheets/sheet1.xml", "/xl/x.xml" → "xl/x.xml", ".." handled.
 * False when the result does not fit. */
static bool resolve_target(const char *base_dir, const char *target, char *out, size_t outlen) {
  char tmp[MAX_PATH_BYTES];
  int n = target[0] == '/' ? snprintf(tmp, sizeof tmp, "%s", target + 1)
                           : snprintf(tmp, sizeof tmp, "%s%s", base_dir, target);
  if (n < 0 || (size_t)n >= sizeof tmp) return false;
  /* normalise "." and ".." segments */
  size_t o = 0;
  const char *s = tmp;
  while (*s) {
    const char *slash = strchr(s, '/');
    size_t len = slash ? (size_t)(slash - s) : strlen(s);
    if ((len == 1 && s[0] == '.') || len == 0) {
      /* skip */
    } else if (len == 2 && s[0] == '.' && s[1] == '.') {
      while (o > 0 && out[o - 1] != '/') o--;
      if (o > 0) o--;
      while (o > 0 && out[o - 1] != '/') o--;
    } else {
      if (o + len + 2 > outlen) return false;
      memcpy(out + o, s, len);
      o += len;
      if (slash) out[o++] = '/';
    }
    s += len + (slash ? 1 : 0);
  }
  if (o > 0 && out[o - 1] == '/') o--;
  out[o] = '\0';
  return o > 0;
}

/* ---- workbook.xml ---- */

typedef struct wb_ctx {
  xml_ctx x;
  char **rids; /* <sheet r:id> in workbook order */
  size_t n, cap;
  bool date1904;
} wb_ctx;

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  wb_ctx *w = ud;
  const char *ln = local_name(name);
  if (strcmp(ln, "workbookPr") == 0) {
    const char *d = attr(atts, "date1904");
    w->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
  } else if (strcmp(ln, "sheet") == 0) {
    const char *rid = NULL;
    for (size_t i = 0; atts[i]; i += 2)
      if (strcmp(local_name(atts[i]), "id") == 0 && strchr(atts[i], '|')) rid = atts[i + 1];
    if (!rid || w->n >= MAX_SHEETS) return;
    if (w->n == w->cap) {
      size_t cap = w->cap ? w->cap * 2 : 8;
      char **v = realloc(w->rids, cap * sizeof *v);
      if (!v) {
        ctx_fail(&w->x, "Không đủ bộ nhớ để đọc tệp Excel.");
        return;
      }
      w->rids = v;
      w->cap = cap;
    }
    w->rids[w->n] = strdup(rid);
    if (!w->rids[w->n]) ctx_fail(&w->x, "Không đủ bộ nhớ để đọc tệp Excel.");
    else w->n++;
  }
}

/* ---- styles.xml: which cell formats show dates ---- */

/* Excel's built-in date formats (14–17 and 22 with a time). 18–21 and 45–47 are times only:
 * a time of day is not a date, so they stay numbers (the rule for custom formats below). */
static bool builtin_is_date(long id) { return (id >= 14 && id <= 17) || id == 22; }

bool table_format_is_date(const char *code) {
  bool d = false, m = false, y = false, hs = false;
  for (const char *p = code; *p; p++) {
    char ch = *p;
    if (ch == '"') { /* quoted literal */
      p++;
      while (*p && *p != '"') p++;
      if (!*p) break;
    } else if (ch == '\\' || ch == '_' || ch == '*') { /* escaped or padding character */
      if (!p[1]) break;
      p++;
    } else if (ch == '[') { /* [Red], [$-42A], [h] */
      if (p[1] == 'h' || p[1] == 'H' || p[1] == 'm' || p[1] == 'M' || p[1] == 's' || p[1] == 'S') hs = true;
      while (*p && *p != ']') p++;
      if (!*p) break;
    } else if (ch == 'd' || ch == 'D') {
      d = true;
    } else if (ch == 'm' || ch == 'M') {
      m = true;
    } else if (ch == 'y' || ch == 'Y' || ch == 'e' || ch == 'E') {
      /* 'e' is the era year; in "General" it never comes alone (see below) */
      if (ch == 'y' || ch == 'Y') y = true;
    } else if (ch == 'h' || ch == 'H' || ch == 's' || ch == 'S') {
      hs = true;
    }
  }
  if (strcmp(code, "General") == 0 || strcmp(code, "general") == 0) return false;
  return d || y || (m && !hs);
}

typedef struct styles_ctx {
  xml_ctx x;
  long *date_ids; /* custom numFmtIds that show dates */
  size_t ndate, capdate;
  bool in_xfs;
  bool *xf_date;
  size_t nxf, capxf;
} styles_ctx;

static bool parse_long(const char *s, long *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < 0) return false;
  *out = v;
  return true;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  styles_ctx *s = ud;
  const char *ln = local_name(name);
  long id;
  if (strcmp(ln, "numFmt") == 0) {
    const char *code = attr(atts, "formatCode");
    if (!parse_long(attr(atts, "numFmtId"), &id) || !code || !table_format_is_date(code)) return;
    if (s->ndate >= MAX_XF) return;
    if (s->ndate == s->capdate) {
      size_t cap = s->capdate ? s->capdate * 2 : 8;
      long *v = realloc(s->date_ids, cap * sizeof *v);
      if (!v) {
        ctx_fail(&s->x, "Không đủ bộ nhớ để đọc tệp Excel.");
        return;
      }
      s->date_ids = v;
      s->capdate = cap;
    }
    s->date_ids[s->ndate++] = id;
  } else if (strcmp(ln, "cellXfs") == 0) {
    s->in_xfs = true;
  } else if (strcmp(ln, "xf") == 0 && s->in_xfs) {
    if (s->nxf >= MAX_XF) return;
    if (!parse_long(attr(atts, "numFmtId"), &id)) id = 0;
    bool is_date = builtin_is_date(id);
    for (size_t i = 0; !is_date && i < s->ndate; i++) is_date = s->date_ids[i] == id;
    if (s->nxf == s->capxf) {
      size_t cap = s->capxf ? s->capxf * 2 : 16;
      bool *v = realloc(s->xf_date, cap * sizeof *v);
      if (!v) {
        ctx_fail(&s->x, "Không đủ bộ nhớ để đọc tệp Excel.");
        return;
      }
      s->xf_date = v;
      s->capxf = cap;
    }
    s->xf_date[s->nxf++] = is_date;
  }
}

static void XMLCALL styles_end(void *ud, const XML_Char *name) {
  styles_ctx *s = ud;
  if (strcmp(local_name(name), "cellXfs") == 0) s->in_xfs = false;
}

/* ---- sharedStrings.xml ---- */

typedef struct sst_ctx {
  xml_ctx x;
  xlsx_state *xl;
  int in_si, in_t, in_rph;
} sst_ctx;

static bool sst_over(sst_ctx *s) {
  table *t = s->x.t;
  xlsx_state *x = s->xl;
  return x->ss.len + x->sscap * sizeof *x->ssoff > t->lim.max_shared_bytes;
}

static void sst_fail_big(sst_ctx *s) {
  char msg[200], sz[32];
  snprintf(msg, sizeof msg,
           "Bảng chuỗi dùng chung của tệp Excel quá lớn (hơn %s). Hãy chia danh sách thành nhiều tệp nhỏ hơn.",
           table_size_text(s->x.t->lim.max_shared_bytes, sz));
  ctx_fail(&s->x, msg);
}

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  (void)atts;
  sst_ctx *s = ud;
  xlsx_state *x = s->xl;
  const char *ln = local_name(name);
  if (strcmp(ln, "si") == 0) {
    s->in_si = 1;
    if (x->ssn == x->sscap) {
      size_t cap = x->sscap ? x->sscap * 2 : 256;
      if (x->ss.len + cap * sizeof *x->ssoff > s->x.t->lim.max_shared_bytes) {
        sst_fail_big(s);
        return;
      }
      size_t *v = realloc(x->ssoff, cap * sizeof *v);
      if (!v) {
        ctx_fail(&s->x, "Không đủ bộ nhớ để đọc tệp Excel.");
        return;
      }
      x->ssoff = v;
      x->sscap = cap;
    }
    if (x->ssn >= x->sscap) return; /* after a failure expat may still call us */
    x->ssoff[x->ssn] = x->ss.len;
  } else if (strcmp(ln, "rPh") == 0) {
    s->in_rph++; /* phonetic guide: not part of the text */
  } else if (strcmp(ln, "t") == 0 && s->in_si) {
    s->in_t++;
  }
}

static void XMLCALL sst_end(void *ud, const XML_Char *name) {
  sst_ctx *s = ud;
  xlsx_state *x = s->xl;
  const char *ln = local_name(name);
  if (strcmp(ln, "si") == 0 && s->in_si && x->ssn < x->sscap) {
    buf_putc(&x->ss, '\0');
    x->ssn++;
    s->in_si = 0;
    if (x->ss.oom) ctx_fail(&s->x, "Không đủ bộ nhớ để đọc tệp Excel.");
  } else if (strcmp(ln, "rPh") == 0 && s->in_rph) {
    s->in_rph--;
  } else if (strcmp(ln, "t") == 0 && s->in_t) {
    s->in_t--;
  }
}

static void XMLCALL sst_text(void *ud, const XML_Char *txt, int len) {
  sst_ctx *s = ud;
  if (!s->in_si || !s->in_t || s->in_rph || len <= 0) return;
  buf_append(&s->xl->ss, txt, (size_t)len);
  if (sst_over(s)) sst_fail_big(s);
}

/* ==== XLSX: the sheet ==== */

/* Day number of a civil date (days since 1970-01-01), and back (H. Hinnant's algorithms). */
static long days_from_civil(long y, long m, long d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, long *m, long *d) {
  z += 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long yy = yoe + era * 400;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yy + (*m <= 2);
}

bool table_serial_to_iso(double serial, bool date1904, char out[11]) {
  if (!isfinite(serial) || serial < 0 || serial >= 2958466.0) return false;
  long n = (long)floor(serial), days;
  if (date1904) {
    days = days_from_civil(1904, 1, 1) + n;
  } else {
    if (n < 1) return false;
    if (n == 60) { /* Lotus 1-2-3's 29 February 1900, which Excel keeps */
      memcpy(out, "1900-02-29", 11);
      return true;
    }
    days = n < 60 ? days_from_civil(1899, 12, 31) + n : days_from_civil(1899, 12, 30) + n;
  }
  long y, m, d;
  civil_from_days(days, &y, &m, &d);
  if (y < 1 || y > 9999) return false;
  snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
  return true;
}

/* A number as Excel would show it in General format, without ".0" or an exponent for integers. */
static void format_number(const char *v, char *out, size_t outlen) {
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  if (end == v || *end || errno == ERANGE || !isfinite(x)) {
    snprintf(out, outlen, "%s", v);
    return;
  }
  if (x == floor(x) && fabs(x) < 1e15) {
    if (x == 0) x = 0; /* no "-0" */
    snprintf(out, outlen, "%.0f", x);
  } else {
    snprintf(out, outlen, "%.15g", x);
  }
}

/* "C5" → column 2 (0-based); false when there is no valid column. */
static bool ref_col(const char *r, size_t *col) {
  size_t c = 0, n = 0;
  for (; *r >= 'A' && *r <= 'Z'; r++, n++) {
    if (n >= 3) return false;
    c = c * 26 + (size_t)(*r - 'A' + 1);
  }
  if (n == 0 || c > 16384) return false;
  *col = c - 1;
  return true;
}

static void sheet_fail(xlsx_state *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sheet_fail(xlsx_state *x, const char *fmt, ...) {
  if (!x->cb_err[0]) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->cb_err, sizeof x->cb_err, fmt, ap);
    va_end(ap);
  }
  XML_StopParser(x->xp, XML_FALSE);
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts) {
  table *t = ud;
  xlsx_state *x = t->xl;
  const char *ln = local_name(name);
  if (strcmp(ln, "sheetData") == 0) {
    x->depth_sheetdata++;
  } else if (!x->depth_sheetdata) {
    return;
  } else if (strcmp(ln, "row") == 0) {
    long r;
    x->row_r = parse_long(attr(atts, "r"), &r) && r > 0 ? r : x->last_r + 1;
    x->in_row = 1;
    x->next_col = 0;
    table_row_reset(&t->row);
  } else if (strcmp(ln, "c") == 0 && x->in_row) {
    const char *r = attr(atts, "r"), *ty = attr(atts, "t");
    x->in_c = 1;
    x->col = x->next_col;
    if (r && !ref_col(r, &x->col)) x->col = x->next_col;
    snprintf(x->cref, sizeof x->cref, "%s", r ? r : "");
    snprintf(x->ctype, sizeof x->ctype, "%s", ty ? ty : "n");
    if (!parse_long(attr(atts, "s"), &x->cstyle)) x->cstyle = 0;
    x->cell_has_is = false;
    buf_clear(&x->text);
  } else if (!x->in_c) {
    return;
  } else if (strcmp(ln, "v") == 0) {
    x->in_v = 1;
  } else if (strcmp(ln, "is") == 0) {
    x->in_is = 1;
    x->cell_has_is = true;
  } else if (strcmp(ln, "rPh") == 0) {
    x->in_rph++;
  } else if (strcmp(ln, "t") == 0 && x->in_is) {
    x->in_t++;
  }
}

static void sheet_end_cell(table *t) {
  xlsx_state *x = t->xl;
  char num[64], iso[11];
  const char *val = x->text.data;
  size_t len = x->text.len;
  bool numeric = false;
  if (x->text.oom) {
    sheet_fail(x, "Không đủ bộ nhớ để đọc dòng %ld.", x->row_r);
    return;
  }
  if (x->cell_has_is || strcmp(x->ctype, "inlineStr") == 0 || strcmp(x->ctype, "str") == 0 ||
      strcmp(x->ctype, "e") == 0) {
    /* text as it is */
  } else if (strcmp(x->ctype, "s") == 0) {
    long i;
    if (len == 0) return;
    if (!parse_long(val, &i) || (size_t)i >= x->ssn) {
      sheet_fail(x, MSG_CORRUPT " (ô %s trỏ tới chuỗi dùng chung không có).", x->cref);
      return;
    }
    val = x->ss.data + x->ssoff[i];
    len = strlen(val);
  } else if (strcmp(x->ctype, "b") == 0) {
    if (len == 0) return;
    val = strcmp(val, "1") == 0 ? "TRUE" : "FALSE";
    len = strlen(val);
  } else if (strcmp(x->ctype, "d") == 0) {
    /* an ISO 8601 date/time: keep the date */
    if (len >= 10 && val[4] == '-' && val[7] == '-') len = 10;
  } else { /* "n" */
    if (len == 0) return;
    char *end;
    double v = strtod(val, &end);
    if (x->cstyle >= 0 && (size_t)x->cstyle < x->nxf && x->xf_date[x->cstyle] && end != val && !*end &&
        table_serial_to_iso(v, x->date1904, iso)) {
      val = iso;
    } else {
      format_number(val, num, sizeof num);
      val = num;
      numeric = true;
    }
    len = strlen(val);
  }
  char perr[320];
  if (table_row_put(t, x->col, val, len, numeric, x->row_r, perr, sizeof perr) < 0) sheet_fail(x, "%s", perr);
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name) {
  table *t = ud;
  xlsx_state *x = t->xl;
  const char *ln = local_name(name);
  if (strcmp(ln, "sheetData") == 0) {
    if (x->depth_sheetdata) x->depth_sheetdata--;
  } else if (!x->depth_sheetdata) {
    return;
  } else if (strcmp(ln, "row") == 0 && x->in_row) {
    x->in_row = 0;
    x->last_r = x->row_r;
    x->row_ready = true;
    XML_StopParser(x->xp, XML_TRUE);
  } else if (strcmp(ln, "c") == 0 && x->in_c) {
    sheet_end_cell(t);
    x->in_c = 0;
    x->in_v = x->in_is = x->in_t = x->in_rph = 0;
    x->next_col = x->col + 1;
  } else if (strcmp(ln, "v") == 0) {
    x->in_v = 0;
  } else if (strcmp(ln, "is") == 0) {
    x->in_is = 0;
  } else if (strcmp(ln, "rPh") == 0 && x->in_rph) {
    x->in_rph--;
  } else if (strcmp(ln, "t") == 0 && x->in_t) {
    x->in_t--;
  }
}

static void XMLCALL sheet_text(void *ud, const XML_Char *txt, int len) {
  table *t = ud;
  xlsx_state *x = t->xl;
  if (!x->in_c || len <= 0) return;
  bool want = x->in_is ? (x->in_t && !x->in_rph) : x->in_v;
  if (!want) return;
  buf_append(&x->text, txt, (size_t)len);
  if (x->text.len > t->lim.max_cell_bytes) {
    char sz[32];
    sheet_fail(x, "Dòng %ld, ô %s: ô quá dài (hơn %s).", x->row_r, x->cref, table_size_text(t->lim.max_cell_bytes, sz));
  }
}

static void XMLCALL sheet_no_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                                     int has_internal) {
  (void)name;
  (void)sysid;
  (void)pubid;
  (void)has_internal;
  table *t = ud;
  sheet_fail(t->xl, MSG_CORRUPT " (có khai báo DTD không được phép).");
}

int table_xlsx_next(table *t, table_row *row, char *err, size_t errlen) {
  xlsx_state *x = t->xl;
  for (;;) {
    enum XML_Status st;
    if (x->suspended) {
      st = XML_ResumeParser(x->xp);
    } else if (x->eof_fed) {
      return 0;
    } else {
      zip_int64_t n = part_read(t, &x->sheet, x->chunk, sizeof x->chunk, err, errlen);
      if (n < 0) return -1;
      if (n == 0) x->eof_fed = true;
      st = XML_Parse(x->xp, x->chunk, (int)n, n == 0);
    }
    x->suspended = st == XML_STATUS_SUSPENDED;
    if (st == XML_STATUS_ERROR) {
      if (x->cb_err[0])
        table_seterr(err, errlen, "%s", x->cb_err);
      else
        table_seterr(err, errlen, MSG_CORRUPT " (trang tính có lỗi XML ở dòng %lu của %s).",
                     (unsigned long)XML_GetCurrentLineNumber(x->xp), x->sheet.name);
      return -1;
    }
    if (x->row_ready) {
      x->row_ready = false;
      int r = table_row_finish(&t->row, row, x->row_r);
      if (r < 0) {
        table_seterr(err, errlen, "Không đủ bộ nhớ để đọc dòng %ld.", x->row_r);
        return -1;
      }
      if (r > 0) return 1;
    }
  }
}

/* Reads the parts that come before the rows. */
static int xlsx_open_parts(table *t, char *err, size_t errlen) {
  xlsx_state *x = t->xl;
  int rc = -1;
  char wb_path[MAX_PATH_BYTES] = "xl/workbook.xml", wb_dir[MAX_PATH_BYTES], wb_rels[MAX_PATH_BYTES + 16];
  char path[MAX_PATH_BYTES];
  rels_ctx pkg = {0}, wbr = {0};
  wb_ctx wb = {0};
  styles_ctx sty = {0};
  sst_ctx sst = {0};

  int r = parse_part(t, "_rels/.rels", &pkg.x, rels_start, ignore_end, NULL, err, errlen);
  if (r < 0) goto out;
  for (size_t i = 0; i < pkg.n; i++)
    if (ends_with(pkg.v[i].type, "/officeDocument")) {
      if (!resolve_target("", pkg.v[i].target, wb_path, sizeof wb_path)) {
        table_seterr(err, errlen, MSG_CORRUPT " (đường dẫn tới workbook không hợp lệ).");
        goto out;
      }
      break;
    }
  r = parse_part(t, wb_path, &wb.x, wb_start, ignore_end, NULL, err, errlen);
  if (r < 0) goto out;
  if (r == 0) {
    if (zip_name_locate(x->za, "content.xml", 0) >= 0)
      table_seterr(err, errlen, "Tệp này là bảng tính LibreOffice (.ods), không phải Excel (.xlsx). " MSG_REUPLOAD);
    else
      table_seterr(err, errlen, "Tệp nén (ZIP) này không phải bảng tính Excel (.xlsx). " MSG_REUPLOAD);
    goto out;
  }
  x->date1904 = wb.date1904;
  const char *slash = strrchr(wb_path, '/');
  size_t dirlen = slash ? (size_t)(slash - wb_path + 1) : 0;
  memcpy(wb_dir, wb_path, dirlen);
  wb_dir[dirlen] = '\0';
  snprintf(wb_rels, sizeof wb_rels, "%s_rels/%s.rels", wb_dir, wb_path + dirlen);
  r = parse_part(t, wb_rels, &wbr.x, rels_start, ignore_end, NULL, err, errlen);
  if (r < 0) goto out;

  /* the first worksheet in the workbook's order (a chart sheet is skipped) */
  const char *sheet_target = NULL;
  for (size_t i = 0; i < wb.n && !sheet_target; i++)
    for (size_t j = 0; j < wbr.n; j++)
      if (strcmp(wbr.v[j].id, wb.rids[i]) == 0) {
        if (ends_with(wbr.v[j].type, "/worksheet")) sheet_target = wbr.v[j].target;
        break;
      }
  if (!sheet_target) {
    table_seterr(err, errlen, "Tệp Excel không có trang tính (sheet) nào chứa dữ liệu.");
    goto out;
  }

  /* styles, then shared strings (defaults when the rels do not name them) */
  const char *sty_target = "styles.xml", *sst_target = "sharedStrings.xml";
  for (size_t j = 0; j < wbr.n; j++) {
    if (ends_with(wbr.v[j].type, "/styles")) sty_target = wbr.v[j].target;
    if (ends_with(wbr.v[j].type, "/sharedStrings")) sst_target = wbr.v[j].target;
  }
  if (resolve_target(wb_dir, sty_target, path, sizeof path)) {
    r = parse_part(t, path, &sty.x, styles_start, styles_end, NULL, err, errlen);
    if (r < 0) goto out;
    x->xf_date = sty.xf_date;
    x->nxf = sty.nxf;
    sty.xf_date = NULL;
  }
  if (resolve_target(wb_dir, sst_target, path, sizeof path)) {
    sst.xl = x;
    r = parse_part(t, path, &sst.x, sst_start, sst_end, sst_text, err, errlen);
    if (r < 0) goto out;
  }

  if (!resolve_target(wb_dir, sheet_target, path, sizeof path) ||
      (r = part_open(t, path, &x->sheet, err, errlen)) == 0) {
    table_seterr(err, errlen, MSG_CORRUPT " (thiếu trang tính %s).", sheet_target);
    goto out;
  }
  if (r < 0) goto out;
  x->xp = xml_new(t, sheet_start, sheet_end, sheet_text);
  if (!x->xp) {
    table_seterr(err, errlen, "Không đủ bộ nhớ để đọc tệp Excel.");
    goto out;
  }
  XML_SetStartDoctypeDeclHandler(x->xp, sheet_no_doctype);
  rc = 0;
out:
  rels_free(&pkg);
  rels_free(&wbr);
  for (size_t i = 0; i < wb.n; i++) free(wb.rids[i]);
  free(wb.rids);
  free(sty.date_ids);
  free(sty.xf_date);
  return rc;
}

/* Opens the archive (fp or mem, owned from here) and its parts in order: the package rels, the
 * workbook, its rels, the styles, the shared strings, then the first worksheet's stream. */
int table_xlsx_open(table *t, FILE *fp, const unsigned char *mem, size_t memlen, char *err, size_t errlen) {
  xlsx_state *x = t->xl = calloc(1, sizeof *t->xl);
  if (!x) {
    if (fp) fclose(fp);
    table_seterr(err, errlen, MSG_NOMEM);
    return -1;
  }
  buf_init(&x->ss);
  buf_init(&x->text);
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = fp ? zip_source_filep_create(fp, 0, -1, &ze) : zip_source_buffer_create(mem, memlen, 0, &ze);
  if (!src && fp) fclose(fp); /* else the source owns it */
  /* No ZIP_CHECKCONS: workbooks from some tools have local headers that disagree with the
   * central directory and Excel opens them; what we read is checked by CRC and counted. */
  if (src) x->za = zip_open_from_source(src, ZIP_RDONLY, &ze);
  if (src && !x->za) zip_source_free(src);
  zip_error_fini(&ze);
  if (!x->za) {
    table_seterr(err, errlen, MSG_CORRUPT " (không đọc được cấu trúc tệp nén). Hãy lưu lại tệp rồi tải lên lần nữa.");
    return -1;
  }
  return xlsx_open_parts(t, err, errlen);
}

void table_xlsx_close(table_xlsx *x) {
  if (!x) return;
  if (x->xp) XML_ParserFree(x->xp);
  part_close(&x->sheet);
  if (x->za) zip_discard(x->za);
  buf_free(&x->ss);
  buf_free(&x->text);
  free(x->ssoff);
  free(x->xf_date);
  free(x);
}

/* validate.c: input declared by a route is the only input that exists.
 * Owns: the checking of bodies and query strings against a route's field specs: unknown
 * fields, missing fields, types, lengths and ranges, each answered with the field's name.
 */
#include <stdio.h>
#include <string.h>

#include "http/http.h"
#include "util/clock.h"
#include "util/config.h"
#include "util/fold.h"
#include "util/utf8.h"

static const char *type_msg(field_type t) {
  switch (t) {
    case FT_STRING:
    case FT_NAME: return "Giá trị phải là chuỗi ký tự.";
    case FT_INT: return "Giá trị phải là số nguyên.";
    case FT_BOOL: return "Giá trị phải là true hoặc false.";
    case FT_DATE: return "Ngày phải có dạng YYYY-MM-DD.";
    case FT_ARRAY: return "Giá trị phải là một danh sách.";
    case FT_OBJECT: return "Giá trị phải là một đối tượng JSON.";
  }
  return "Kiểu dữ liệu không đúng.";
}

static const field_spec *find(const field_spec *spec, const char *name) {
  for (const field_spec *f = spec; f && f->name; f++)
    if (strcmp(f->name, name) == 0) return f;
  return NULL;
}

static bool has_control(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 && *p != '\n' && *p != '\t') return true;
  return false;
}

/* Converts and checks one value; returns a new reference or NULL with e filled. */
static json_t *check(const field_spec *f, json_t *v, bool from_query, app_err *e) {
  if (from_query && f->type != FT_STRING && f->type != FT_NAME) {
    const char *s = json_string_value(v);
    if (!s) {
      app_fail(e, 400, "wrong_type", f->name, type_msg(f->type));
      return NULL;
    }
    long long n;
    if (f->type == FT_INT) {
      if (!parse_int(s, INT64_MIN, INT64_MAX, &n)) {
        app_fail(e, 400, "wrong_type", f->name, type_msg(f->type));
        return NULL;
      }
      v = json_integer(n);
    } else if (f->type == FT_BOOL) {
      if (strcmp(s, "true") && strcmp(s, "false")) {
        app_fail(e, 400, "wrong_type", f->name, type_msg(f->type));
        return NULL;
      }
      v = json_boolean(strcmp(s, "true") == 0);
    } else {
      v = json_string(s);
    }
  } else {
    json_incref(v);
  }
  switch (f->type) {
    case FT_STRING:
    case FT_NAME:
    case FT_DATE: {
      if (!json_is_string(v)) goto wrong;
      const char *s = json_string_value(v);
      size_t bytes = json_string_length(v);
      if (strlen(s) != bytes || has_control(s)) {
        app_fail(e, 400, "invalid_value", f->name, "Giá trị chứa ký tự điều khiển không được phép.");
        goto fail;
      }
      if (f->type == FT_DATE) {
        int64_t t;
        if (!clock_parse_iso(s, &t)) goto wrong;
        break;
      }
      text_name_problem np = f->type == FT_NAME ? text_name_check(s) : TEXT_NAME_OK;
      if (np == TEXT_NAME_HIDDEN || np == TEXT_NAME_INVALID) {
        app_fail(e, 400, "invalid_value", f->name, "Tên chứa ký tự ẩn (ký tự định dạng, đảo chiều hoặc độ rộng bằng 0).");
        goto fail;
      }
      if (np == TEXT_NAME_BLANK) {
        app_fail(e, 400, "invalid_value", f->name, "Tên phải có ít nhất một ký tự nhìn thấy được.");
        goto fail;
      }
      size_t n = utf8_length(s, bytes);
      if ((f->min && (int64_t)n < f->min) || (f->max && (int64_t)n > f->max)) {
        if (f->min > 0 && n == 0)
          app_fail(e, 400, "missing_field", f->name, "Trường này không được để trống.");
        else
          app_fail(e, 400, "invalid_value", f->name, "Độ dài không hợp lệ.");
        goto fail;
      }
      break;
    }
    case FT_INT: {
      if (!json_is_integer(v)) goto wrong;
      int64_t n = (int64_t)json_integer_value(v);
      if ((f->min || f->max) && (n < f->min || n > f->max)) {
        app_fail(e, 400, "invalid_value", f->name, "Giá trị nằm ngoài khoảng cho phép.");
        goto fail;
      }
      break;
    }
    case FT_BOOL:
      if (!json_is_boolean(v)) goto wrong;
      break;
    case FT_ARRAY: {
      if (!json_is_array(v)) goto wrong;
      int64_t n = (int64_t)json_array_size(v);
      if (n < f->min || (f->max && n > f->max)) {
        app_fail(e, 400, "invalid_value", f->name, "Số mục của danh sách nằm ngoài khoảng cho phép.");
        goto fail;
      }
      break;
    }
    case FT_OBJECT:
      if (!json_is_object(v)) goto wrong;
      if (f->max && (int64_t)json_object_size(v) > f->max) {
        app_fail(e, 400, "invalid_value", f->name, "Đối tượng có quá nhiều trường.");
        goto fail;
      }
      break;
  }
  return v;
wrong:
  app_fail(e, 400, "wrong_type", f->name, type_msg(f->type));
fail:
  json_decref(v);
  return NULL;
}

int validate_fields(const field_spec *spec, json_t *in, bool from_query, json_t **out, app_err *e) {
  /* Every fault is gathered (app_add), so that a form can show them all at once; the first
   * one is the answer's code, field and message. */
  json_t *res = json_object();
  if (!res) return APP_INTERNAL(e);
  const char *key;
  json_t *v;
  bool bad = false;
  json_object_foreach(in, key, v) {
    const field_spec *f = find(spec, key);
    if (!f) {
      /* The name is echoed back in `field` only; the message stays fixed. The dispatcher copies
       * it before `in` is freed. */
      app_add(e, 400, "unknown_field", key, from_query ? "Tham số không được hỗ trợ." : "Trường không được hỗ trợ.");
      bad = true;
      continue;
    }
    if (json_is_null(v) && !f->required) continue;
    app_err one = {0};
    json_t *ok = check(f, v, from_query, &one);
    if (!ok) {
      app_add(e, one.status, one.code, one.field, one.message);
      bad = true;
      continue;
    }
    json_object_set_new(res, key, ok);
  }
  for (const field_spec *f = spec; f && f->name; f++) {
    if (f->required && !json_object_get(res, f->name) && !json_object_get(in, f->name)) {
      app_add(e, 400, "missing_field", f->name, "Thiếu thông tin bắt buộc.");
      bad = true;
    }
  }
  if (bad) {
    json_decref(res);
    return -1;
  }
  *out = res;
  return 0;
}

/* h_certs.c: certificates over HTTP (issue 8, docs/CERTIFICATES.md): the published keys, public
 * verification (by ID or by the signed payload of a QR code), the holder's and officers' views,
 * the QR image, revocation, the programmes' rules and in-person checks. The dispatcher checked
 * who may touch which certificate (SCOPE_CERT) or person (SCOPE_PERSON). */
#include <stdlib.h>
#include <string.h>

#include "domain/certpdf.h"
#include "domain/certs.h"
#include "domain/people.h"
#include "http/handlers.h"
#include "util/jsonx.h"
#include "util/qrsvg.h"

int h_cert_keys(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (certs_keys_json(c, &o, &r->err) != 0) return -1;
  req_header(r, "Cache-Control", "public, max-age=300");
  req_header(r, "Access-Control-Allow-Origin", "*");
  return req_ok(r, 200, o);
}

int h_cert_verify(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  bool found = false;
  if (certs_verify_id(c, req_param(r, 0), &o, &found, &r->err) != 0) return -1;
  req_header(r, "Access-Control-Allow-Origin", "*");
  if (found) return req_ok(r, 200, o);
  /* 404 for HTTP, and the interface's {"status": "unknown"} with the contract's error beside it */
  json_object_set_new(o, "error", json_pack("{s:s, s:s, s:s}", "code", "not_found", "message",
                                            "Không có chứng nhận nào mang mã này.", "field", "id"));
  size_t len = 0;
  char *text = jsonx_dump(o, &len);
  json_decref(o);
  if (!text) return APP_INTERNAL(&r->err);
  r->status = 404;
  r->raw = text;
  r->raw_len = len;
  r->raw_type = "application/json; charset=utf-8";
  return 0;
}

int h_cert_verify_signed(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (certs_verify_signed(c, req_str(r, "payload"), req_str(r, "signature"), &o, &r->err) != 0) return -1;
  return req_ok(r, 200, o);
}

int h_certs_list(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  int page, per_page;
  req_paging(r, &page, &per_page);
  scope_sql sc;
  bool staff = (r->who->caps_any & CAP_PEOPLE_READ) != 0;
  if (staff) scope_sql_of(&sc, r->who, CAP_PEOPLE_READ);
  int64_t person = people_of_user(c, r->who->user_id);
  if (person < 0) return APP_INTERNAL(&r->err);
  json_t *items = NULL;
  int64_t total = 0;
  if (certs_list(c, staff ? &sc : NULL, r->who->user_id, person, page, per_page, &items, &total, &r->err) != 0)
    return -1;
  return req_page(r, items, total);
}

/* The address residents reach the server at: --public-url, else this request's own. */
static const char *base_url(req *r) {
  if (r->app->cfg.public_url[0]) return r->app->cfg.public_url;
  return arena_printf(&r->a, "%s://%s", r->https ? "https" : "http", r->host ? r->host : "localhost");
}

/* The text of the certificate's QR code (`o` from certs_get): the payload as signed, so that a
 * phone checks it without us. malloc'd; NULL when out of memory. */
static char *qr_text_of(req *r, const json_t *o) {
  const char *pb = json_string_value(json_object_get(o, "payload"));
  const char *sig = json_string_value(json_object_get(o, "signature"));
  char *text = pb && sig ? certs_qr_text(base_url(r), pb, sig) : NULL;
  /* Names and titles at their longest (three-byte letters) would not fit a QR code readable on
   * paper: the code then carries the verification page of the ID alone (the register answers). */
  if (text && strlen(text) > CERTS_QR_MAX) {
    free(text);
    const char *idt = json_string_value(json_object_get(o, "id_text"));
    size_t len = strlen(base_url(r)) + 32;
    text = malloc(len);
    if (text) snprintf(text, len, "%s/#/xac-minh/%s", base_url(r), idt ? idt : "");
  }
  return text;
}

/* A certificate (`o` from certs_get) read by someone other than its holder, an officer in scope:
 * audited as a read of the person's record. Takes `detail`. 0, or -1. */
static int audit_officer_read(req *r, const json_t *o, json_t *detail) {
  json_t *uid = json_object_get(o, "user_id");
  if (json_is_integer(uid) && json_integer_value(uid) == r->who->user_id) {
    json_decref(detail);
    return 0;
  }
  int64_t unit = json_integer_value(json_object_get(o, "unit_id"));
  if (req_begin(r) != 0) {
    json_decref(detail);
    return -1;
  }
  return req_audit(r, "certificate.read", "certificate", req_param(r, 0), unit, detail) != 0 ||
                 store_commit(req_dbw(r)) != STORE_OK
             ? -1
             : 0;
}

int h_certs_get(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (certs_get(c, req_param(r, 0), &o, &r->err) != 0) return -1;
  char *text = qr_text_of(r, o);
  if (!text) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  json_object_set_new(o, "qr_text", json_string(text));
  free(text);
  if (audit_officer_read(r, o, NULL) != 0) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, 200, o);
}

int h_certs_qr(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (certs_get(c, req_param(r, 0), &o, &r->err) != 0) return -1;
  char *text = qr_text_of(r, o), *svg = NULL;
  size_t len = 0;
  if (text) svg = qr_svg(text, &len);
  free(text);
  json_decref(o);
  if (!svg) return APP_INTERNAL(&r->err);
  r->status = 200;
  r->raw = svg;
  r->raw_len = len;
  r->raw_type = "image/svg+xml";
  req_header(r, "Cache-Control", "private, max-age=300");
  return 0;
}

/* The place of the date line: the issuer's name without "UBND" and the kind of unit. */
static const char *place_of(req *r, const char *issuer) {
  const char *p = strncmp(issuer, "UBND ", 5) == 0 ? issuer + 5 : issuer;
  static const char *const kinds[] = {"Phường ", "phường ", "Xã ", "xã ", "Thành phố ", "thành phố "};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strncmp(p, kinds[i], strlen(kinds[i])) == 0) return arena_strdup(&r->a, p + strlen(kinds[i]));
  return arena_strdup(&r->a, p);
}

int h_certs_pdf(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *o = NULL;
  if (certs_get(c, req_param(r, 0), &o, &r->err) != 0) return -1;
  char *qr = qr_text_of(r, o);
  const char *idt = json_string_value(json_object_get(o, "id_text"));
  const char *issuer = json_string_value(json_object_get(o, "issuer"));
  certpdf_in in = {
      .cert_id = idt,
      .holder_name = json_string_value(json_object_get(o, "holder_name")),
      .programme = json_string_value(json_object_get(o, "programme")),
      .issued_on = json_string_value(json_object_get(o, "issued_on")),
      .issuer = issuer,
      .place = issuer ? place_of(r, issuer) : NULL,
      .qr_text = qr,
      .verify_hint = arena_printf(&r->a, "%s/#/xac-minh/%s", base_url(r), idt ? idt : ""),
      .key_id = json_string_value(json_object_get(o, "key_id")),
  };
  unsigned char *pdf = NULL;
  size_t len = 0;
  int rc = qr ? certpdf_render(&in, &pdf, &len) : CERTPDF_ERENDER;
  free(qr);
  if (rc != 0) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  req_header(r, "Content-Disposition", arena_printf(&r->a, "attachment; filename=\"chung-nhan-%s.pdf\"", idt));
  req_header(r, "Cache-Control", "private, no-store");
  int arc = audit_officer_read(r, o, json_pack("{s:s}", "as", "pdf"));
  json_decref(o);
  if (arc != 0) {
    free(pdf);
    return APP_INTERNAL(&r->err);
  }
  r->status = 200;
  r->raw = (char *)pdf;
  r->raw_len = len;
  r->raw_type = "application/pdf";
  return 0;
}

int h_certs_revoke(req *r) {
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  int64_t unit = 0;
  const char *reason = req_str(r, "reason");
  if (certs_revoke(req_dbw(r), req_param(r, 0), r->who->user_id, reason, &unit, &r->err) != 0) return -1;
  if (req_audit(r, "certificate.revoke", "certificate", req_param(r, 0), unit, json_pack("{s:s}", "reason", reason)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK)
    return APP_INTERNAL(&r->err);
  json_t *o = NULL;
  if (certs_get(req_db(r), req_param(r, 0), &o, &r->err) != 0) return -1;
  char *text = qr_text_of(r, o);
  if (!text) {
    json_decref(o);
    return APP_INTERNAL(&r->err);
  }
  json_object_set_new(o, "qr_text", json_string(text));
  free(text);
  return req_ok(r, 200, o);
}

int h_programmes_list(req *r) {
  store_conn *c = req_db(r);
  if (!c) return req_unavailable(r);
  json_t *items = NULL;
  if (certs_programme_list(c, &items, &r->err) != 0) return -1;
  return req_page_all(r, items);
}

static void programme_from_body(req *r, programme_in *in, bool update) {
  in->code = req_str(r, "code");
  in->title = req_str(r, "title");
  in->description = req_str(r, "description");
  in->pass_percent = (int)req_int(r, "pass_percent", update ? -1 : 0);
  in->in_person_check = req_bool(r, "in_person_check", update ? -1 : 0);
  in->active = req_bool(r, "active", update ? -1 : 1);
  in->requirements = json_object_get(r->body, "requirements");
}

int h_programmes_create(req *r) {
  programme_in in;
  programme_from_body(r, &in, false);
  if (!in.requirements) return req_fail(r, 400, "missing_field", "requirements", "Thiếu trường bắt buộc.");
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  int64_t id = 0;
  if (certs_programme_create(req_dbw(r), &in, r->who->user_id, &id, &r->err) != 0) return -1;
  if (req_audit(r, "programme.create", "programme", id, 0, json_pack("{s:s}", "code", in.code)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK)
    return APP_INTERNAL(&r->err);
  return req_ok(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "code", in.code));
}

int h_programmes_update(req *r) {
  programme_in in;
  programme_from_body(r, &in, true);
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  if (certs_programme_update(req_dbw(r), req_param(r, 0), &in, r->who->user_id, &r->err) != 0) return -1;
  json_t *changed = json_array();
  const char *key;
  json_t *v;
  json_object_foreach(r->body, key, v) json_array_append_new(changed, json_string(key));
  if (req_audit(r, "programme.update", "programme", req_param(r, 0), 0, json_pack("{s:o}", "fields", changed)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK)
    return APP_INTERNAL(&r->err);
  r->status = 204;
  return 0;
}

int h_programme_check(req *r) {
  if (req_begin(r) != 0) return APP_INTERNAL(&r->err);
  json_t *issued = NULL;
  int created = 0;
  int64_t pid = req_int(r, "programme_id", 0), person = req_param(r, 0);
  if (certs_check_person(req_dbw(r), &r->app->keys, pid, person, r->who->user_id, &issued, &created, &r->err) != 0) {
    json_decref(issued);
    return -1;
  }
  if (req_audit(r, "programme.check", "person", person, 0, json_pack("{s:I}", "programme_id", (json_int_t)pid)) != 0 ||
      store_commit(req_dbw(r)) != STORE_OK) {
    json_decref(issued);
    return APP_INTERNAL(&r->err);
  }
  return req_ok(r, created ? 201 : 200, json_pack("{s:I, s:b, s:o}", "programme_id", (json_int_t)pid, "checked", 1,
                                                  "certificates", issued));
}

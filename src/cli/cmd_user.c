/* cmd_user.c: `hocvuso user add|list|passwd|grant|revoke` — account administration from the
 * shell, for the first admin and for recovery. Every change goes to the audit log as "cli". */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/audit.h"
#include "domain/caps.h"
#include "domain/sessions.h"
#include "domain/units.h"
#include "domain/users.h"

const cli_opt user_opts[] = {
    {"name", true, "\"FULL NAME\"  display name (user add)"},
    {"unit", true, "CODE|ID       the unit the account belongs to (user add)"},
    {"password-stdin", false, "   read the password from standard input instead of generating one"},
    {"temporary", false, "        the owner must choose a new password at the first log-in (add, passwd)"},
    CLI_DB_OPTS,
    {NULL, false, NULL},
};

static int read_password(char *out, size_t n) {
  if (!fgets(out, (int)n, stdin)) return -1;
  size_t len = strlen(out);
  while (len && (out[len - 1] == '\n' || out[len - 1] == '\r')) out[--len] = '\0';
  return 0;
}

static void generate(char out[17]) {
  static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  for (int i = 0; i < 16; i++) out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
  out[16] = '\0';
}

static int audit_cli(store_conn *w, const char *action, int64_t user_id, int64_t unit_id) {
  audit_entry a = {.actor_username = "cli", .action = action, .entity = "user", .entity_id = user_id,
                   .unit_id = unit_id, .ip = "local"};
  return audit_append(w, &a);
}

static int fail_msg(const char *what, const app_err *e, store_conn *w) {
  fprintf(stderr, "hocvuso user %s: %s\n", what, e->message ? e->message : w ? store_errmsg(w) : "error");
  return 1;
}

static int user_list(store_conn *c) {
  scope_sql all;
  scope_sql_all(&all);
  int page = 1;
  printf("%-6s %-16s %-32s %-8s %s\n", "ID", "USERNAME", "NAME", "STATUS", "ROLES");
  for (;;) {
    user_list_query q = {.page = page, .per_page = 200};
    json_t *items = NULL;
    int64_t total = 0;
    app_err e = {0};
    if (users_list(c, &all, &q, &items, &total, &e) != 0) return fail_msg("list", &e, c);
    size_t i;
    json_t *u;
    json_array_foreach(items, i, u) {
      printf("%-6lld %-16s %-32s %-8s", (long long)json_integer_value(json_object_get(u, "id")),
             json_string_value(json_object_get(u, "username")), json_string_value(json_object_get(u, "display_name")),
             json_is_true(json_object_get(u, "disabled")) ? "disabled" : "active");
      size_t k;
      json_t *g;
      json_array_foreach(json_object_get(u, "roles"), k, g) {
        printf("%s%s@%s", k ? ", " : " ", json_string_value(json_object_get(g, "role")),
               json_string_value(json_object_get(g, "unit_name")));
      }
      printf("\n");
    }
    size_t got = json_array_size(items);
    json_decref(items);
    if (got < 200) break;
    page++;
  }
  return 0;
}

int cmd_user(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("user", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  if (args.npos < 1) {
    fprintf(stderr, "hocvuso user: say what to do: add, list, passwd, grant or revoke (see --help)\n");
    return 2;
  }
  const char *verb = args.pos[0];
  struct {
    const char *verb;
    int nargs;
  } verbs[] = {{"add", 2}, {"list", 1}, {"passwd", 2}, {"grant", 4}, {"revoke", 4}};
  int want = -1;
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (strcmp(verbs[i].verb, verb) == 0) want = verbs[i].nargs;
  if (want < 0) {
    fprintf(stderr, "hocvuso user: unknown action \"%s\" (add, list, passwd, grant, revoke)\n", verb);
    return 2;
  }
  if (args.npos != want) {
    fprintf(stderr, "hocvuso user %s: expected %d argument(s), got %d (see --help)\n", verb, want - 1, args.npos - 1);
    return 2;
  }
  const bool from_stdin = cli_get(user_opts, &args, "password-stdin") != NULL;
  if (strcmp(verb, "add") == 0 && !cli_get(user_opts, &args, "name")) {
    fprintf(stderr, "hocvuso user add: --name \"Full name\" is required\n");
    return 2;
  }
  secrets keys;
  store *st = cli_open(&cfg, &keys, 1, true);
  if (!st) return 1;
  store_conn *w = NULL;
  int status = 1;
  app_err e = {0};
  char pw[260] = "", generated[17] = "", hash[PASSWORD_HASH_MAX] = "";
  const char *username = args.npos > 1 ? args.pos[1] : "";
  const bool temporary = cli_get(user_opts, &args, "temporary") != NULL;
  if (strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0) {
    if (from_stdin) {
      if (read_password(pw, sizeof pw) != 0) {
        fprintf(stderr, "hocvuso user %s: no password on standard input\n", verb);
        goto done;
      }
    } else {
      generate(generated);
      memcpy(pw, generated, sizeof generated);
    }
    int bad = strcmp(verb, "add") == 0 ? users_check_new(username, cli_get(user_opts, &args, "name"), pw, &e)
                                       : password_check(pw, "password", username, NULL, &e);
    if (bad) {
      for (int i = 0; i < e.nerrs; i++)
        fprintf(stderr, "hocvuso user %s: %s: %s\n", verb, e.errs[i].field ? e.errs[i].field : "", e.errs[i].message);
      if (!e.nerrs) fail_msg(verb, &e, NULL);
      goto done;
    }
    /* argon2 before the writer is taken: the writer is for short transactions only. */
    if (users_hash_password(pw, hash) != 0) {
      fprintf(stderr, "hocvuso user %s: cannot hash the password\n", verb);
      goto done;
    }
  }
  w = store_acquire(st, true);
  if (!w) {
    fprintf(stderr, "hocvuso user: the database cannot be reached\n");
    goto done;
  }
  if (strcmp(verb, "list") == 0) {
    status = user_list(w);
    goto done;
  }
  int64_t uid = users_find(w, username);
  if (strcmp(verb, "add") != 0 && !uid) {
    fprintf(stderr, "hocvuso user %s: no account named \"%s\"\n", verb, username);
    goto done;
  }
  int64_t unit = 0;
  const char *unit_ref = strcmp(verb, "add") == 0 ? cli_get(user_opts, &args, "unit")
                         : (strcmp(verb, "grant") == 0 || strcmp(verb, "revoke") == 0) ? args.pos[3]
                                                                                         : NULL;
  if (unit_ref && !(unit = units_find(w, unit_ref))) {
    fprintf(stderr, "hocvuso user %s: no unit with code or id \"%s\"\n", verb, unit_ref);
    goto done;
  }
  if (store_begin(w) != STORE_OK) {
    fprintf(stderr, "hocvuso user: %s\n", store_errmsg(w));
    goto done;
  }
  if (strcmp(verb, "add") == 0) {
    if (users_create(w, username, cli_get(user_opts, &args, "name"), hash, unit, temporary, &uid, &e) != 0) {
      status = fail_msg(verb, &e, w);
      goto rollback;
    }
    if (audit_cli(w, "user.create", uid, unit) != 0) goto rollback;
  } else if (strcmp(verb, "passwd") == 0) {
    if (users_set_password(w, uid, hash, temporary, &e) != 0 || sessions_end_user(w, uid, 0) != 0) {
      status = fail_msg(verb, &e, w);
      goto rollback;
    }
    if (audit_cli(w, "user.password_reset", uid, 0) != 0) goto rollback;
  } else {
    const char *role = args.pos[2];
    if (!role_find(role)) {
      fprintf(stderr, "hocvuso user %s: unknown role \"%s\" (ward_admin, unit_officer, field_helper, police, "
                      "teacher, learner)\n", verb, role);
      goto rollback;
    }
    int64_t gid = 0;
    if (strcmp(verb, "grant") == 0 ? roles_grant(w, uid, role, unit, 0, &gid, &e)
                                   : roles_revoke_by(w, uid, role, unit, &e)) {
      status = fail_msg(verb, &e, w);
      goto rollback;
    }
    if (audit_cli(w, strcmp(verb, "grant") == 0 ? "role.grant" : "role.revoke", uid, unit) != 0) goto rollback;
  }
  if (store_commit(w) != STORE_OK) {
    fprintf(stderr, "hocvuso user: %s\n", store_errmsg(w));
    goto done;
  }
  if (generated[0])
    printf("%s: done; password: %s\n", username, generated);
  else
    printf("%s: done\n", username);
  status = 0;
  goto done;
rollback:
  store_rollback(w);
done:
  sodium_memzero(pw, sizeof pw);
  sodium_memzero(hash, sizeof hash);
  if (w) store_release(w);
  store_close(st);
  return status;
}

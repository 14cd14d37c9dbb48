/* cmd_demo.c: `hocvuso demo [--residents N [--seed S]] [--records M] [--content DIR]` — loads the demo ward and
 * prints how to log in; with --residents, also a deterministic synthetic population of N residents
 * (synth.h): the units it needs, then its list imported through the same engine as `hocvuso import
 * residents`; and the starter curriculum's questions (content/curriculum) into the question bank,
 * through the same engine as `hocvuso import questions`. With --records M, also M synthetic learning
 * and field records (synth_records.h): after the whole demo with --residents; alone, on a database
 * that holds a population already (a benchmark's city), the demo's accounts and starter curriculum
 * (what the records need) and then the records, nothing else of the demo. Refused a second time. */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/groups.h"
#include "domain/indicators.h"
#include "domain/indlive.h"
#include "domain/caps.h"
#include "domain/certs.h"
#include "domain/competence.h"
#include "domain/demo.h"
#include "domain/confirmations.h"
#include "domain/field.h"
#include "domain/import_file.h"
#include "domain/lessons.h"
#include "domain/people.h"
#include "domain/qbank.h"
#include "domain/quiz.h"
#include "domain/users.h"
#include "domain/synth.h"
#include "domain/synth_records.h"
#include "util/clock.h"

const cli_opt demo_opts[] = {
    CLI_DB_OPTS,
    {"residents", true, "N      also a synthetic population of N residents (phường Hải Dương: 51522)"},
    {"seed", true, "S      the synthetic population's seed (default 1): the same seed, the same people"},
    {"units-only", false, "     with --residents: its units only (a benchmark imports the list itself)"},
    {"records", true, "M      also M synthetic learning and field records (alone: on the population already there)"},
    {"content", true, "DIR      the starter curriculum (default content/curriculum, from the source tree)"},
    {NULL, false, NULL}};

/* One quiz per module of the curriculum (10 questions of the module, pass at 70%, no time limit, 3
 * attempts); and the demo learner (hocvien) at every stage: module 1 passed, module 2 failed
 * once, module 3 under way, the others not started. Run again, it adds nothing. */
static int load_quizzes(store *st, const secrets *keys, json_t *index) {
  const char *course = json_string_value(json_object_get(json_object_get(index, "course"), "code"));
  store_conn *w = store_acquire(st, true);
  if (!w) return -1;
  int rc = 0, made = 0;
  app_err e = {0};
  int64_t learner = users_find(w, "hocvien");
  int64_t person = learner > 0 ? people_of_user(w, learner) : 0;
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(index, "modules"), i, m) {
    const char *code = json_string_value(json_object_get(m, "code"));
    const char *title = json_string_value(json_object_get(m, "title"));
    if (!code || !title || !course) continue;
    char qtitle[300], category[64];
    snprintf(qtitle, sizeof qtitle, "Kiểm tra %s: %s", code, title);
    snprintf(category, sizeof category, "%s/%s", course, code);
    if (store_begin(w) != STORE_OK) {
      rc = -1;
      break;
    }
    int64_t id = quiz_by_title(w, qtitle);
    bool fresh = id == 0;
    quiz_def d = {.title = qtitle, .description = json_string_value(json_object_get(m, "summary")),
                  .category = category, .question_count = 10, .pass_percent = 70, .time_limit_min = 0,
                  .max_attempts = 3};
    if (id < 0 || (fresh && quiz_create(w, &d, 0, &id, &e) != 0)) {
      rc = -1;
    } else if (fresh && learner > 0 && i < 3) {
      /* The demo learner's progress: a pass, a fail, an attempt under way. */
      json_t *view = NULL, *answers = NULL, *done = NULL;
      int status = 0;
      if (quiz_start(w, id, learner, person > 0 ? person : 0, &view, &status, &e) != 0) rc = -1;
      int64_t attempt = view ? (int64_t)json_integer_value(json_object_get(view, "id")) : 0;
      if (rc == 0 && i < 2 &&
          (quiz_sample_answers(w, attempt, i == 0 ? 0.95 : 0.4, 7 + i, &answers, &e) != 0 ||
           quiz_submit(w, keys, attempt, answers, &done, &e) != 0))
        rc = -1;
      /* the one under way: its first four answers given (saved), the rest still to do */
      if (rc == 0 && i == 2 && quiz_sample_answers(w, attempt, 0.7, 9, &answers, &e) == 0) {
        while (json_array_size(answers) > 4) json_array_remove(answers, json_array_size(answers) - 1);
        if (quiz_answers_check(w, attempt, learner, answers, &e) != 0 || quiz_answers_save(w, attempt, learner, answers, &e) != 0) rc = -1;
      } else if (rc == 0 && i == 2) {
        rc = -1;
      }
      json_decref(view);
      json_decref(answers);
      json_decref(done);
    }
    if (rc != 0 || store_commit(w) != STORE_OK) {
      fprintf(stderr, "hocvuso demo: quiz %s: %s\n", code, e.message ? e.message : store_errmsg(w));
      if (store_in_transaction(w)) store_rollback(w);
      rc = -1;
      break;
    }
    made += fresh;
  }
  store_release(w);
  if (rc == 0) printf("Quizzes: %d new, one per module; the demo learner has passed one, failed one, and is doing a third (4 answers saved)\n", made);
  return rc;
}

/* One placement attempt submitted with answers right with probability `right`: `helper` 0 for
 * the learner's own attempt (account `user`), else run by the helper with the person. */
static int placement_attempt(store_conn *w, const secrets *keys, int64_t quiz, int64_t user, int64_t person,
                             int64_t helper, double right, uint64_t seed, app_err *e) {
  json_t *view = NULL, *answers = NULL, *done = NULL;
  int status = 0, rc = helper ? quiz_start_assisted(w, quiz, helper, person, &view, &status, e)
                              : quiz_start(w, quiz, user, person, &view, &status, e);
  int64_t attempt = view ? (int64_t)json_integer_value(json_object_get(view, "id")) : 0;
  if (rc == 0) rc = quiz_sample_answers(w, attempt, right, seed, &answers, e);
  if (rc == 0) rc = quiz_submit(w, keys, attempt, answers, &done, e);
  json_decref(view);
  json_decref(answers);
  json_decref(done);
  return rc;
}

/* The placement check (issue 8 part 6): 20 questions spread over the starter curriculum's
 * competences, taken at the start and again at the end (2 attempts). The demo learner took it
 * before and after the course; and, when the ward has residents, up to 400 of them (spread over
 * the ward) took it twice with the community digital team (tinhnguyen, assisted), with realistic
 * gains, so that the report on the change has figures by unit and group. Run again: nothing added. */
static int load_placement(store *st, const secrets *keys, const char *course) {
  static const char title[] = "Kiểm tra đầu vào — kỹ năng số cơ bản";
  store_conn *w = store_acquire(st, true);
  if (!w) return -1;
  app_err e = {0};
  int rc = store_begin(w) == STORE_OK ? 0 : -1;
  int64_t id = rc == 0 ? quiz_by_title(w, title) : -1;
  bool fresh = id == 0;
  int learners = 0;
  quiz_def d = {.title = title,
                .description = "Làm khi bắt đầu học để biết mình đang ở đâu, và làm lại khi học xong để thấy mình tiến bộ "
                               "thế nào với từng năng lực số.",
                .category = course, .question_count = 20, .pass_percent = 50, .max_attempts = 2,
                .purpose = "placement"};
  if (id < 0 || (fresh && quiz_create(w, &d, 0, &id, &e) != 0)) rc = -1;
  if (rc == 0 && fresh) {
    int64_t learner = users_find(w, "hocvien"), helper = users_find(w, "tinhnguyen");
    int64_t person = learner > 0 ? people_of_user(w, learner) : 0;
    if (learner > 0 && (placement_attempt(w, keys, id, learner, person > 0 ? person : 0, 0, 0.35, 11, &e) != 0 ||
                        placement_attempt(w, keys, id, learner, person > 0 ? person : 0, 0, 0.85, 12, &e) != 0))
      rc = -1;
    int64_t *people = malloc(sizeof *people * 400);
    int n = people && helper > 0 ? competence_demo_people(w, 97, people, 400) : 0;
    if (n < 0) rc = -1;
    uint64_t x = 2026;
    for (int k = 0; rc == 0 && k < n; k++) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      double before = 0.2 + (double)(x >> 40 & 0xff) / 255.0 * 0.35;  /* 20–55% right at the start */
      double gain = 0.1 + (double)(x >> 24 & 0xff) / 255.0 * 0.35;    /* 10–45 points better at the end */
      if (placement_attempt(w, keys, id, helper, people[k], helper, before, x, &e) != 0 ||
          placement_attempt(w, keys, id, helper, people[k], helper, before + gain > 0.95 ? 0.95 : before + gain, x + 1, &e) != 0)
        rc = -1;
      learners++;
    }
    free(people);
  }
  if (rc != 0 || store_commit(w) != STORE_OK) {
    fprintf(stderr, "hocvuso demo: placement check: %s\n", e.message ? e.message : store_errmsg(w));
    if (store_in_transaction(w)) store_rollback(w);
    rc = -1;
  }
  store_release(w);
  if (rc == 0 && fresh)
    printf("Placement check: 1 quiz; the demo learner took it before and after, and %d residents twice with a helper\n",
           learners);
  return rc;
}

/* The programmes that grant certificates (certs.h): basic digital skills, with lighter lists for the
 * elderly and a longer one for small traders; and the Đại sứ số (digital ambassador) programme,
 * every module at 80% and an in-person check. Then the demo graduate (hoangnam) passes the basic
 * modules, and gets a signed certificate from the submission that completes them. */
static int load_programmes(store *st, const secrets *keys, const char *course) {
  static const char basic[] = "{\"modules\": [\"%1$s/M01\", \"%1$s/M02\", \"%1$s/M03\", \"%1$s/M04\", \"%1$s/M05\","
                              " \"%1$s/M06\"], \"groups\": [{\"group\": \"elderly\", \"modules\": [\"%1$s/M01\","
                              " \"%1$s/M03\", \"%1$s/M05\", \"%1$s/M06\"]}, {\"group\": \"traders\", \"modules\":"
                              " [\"%1$s/M01\", \"%1$s/M03\", \"%1$s/M05\", \"%1$s/M06\", \"%1$s/M08\"]}]}";
  static const char all[] = "{\"modules\": [\"%1$s/M01\", \"%1$s/M02\", \"%1$s/M03\", \"%1$s/M04\", \"%1$s/M05\","
                            " \"%1$s/M06\", \"%1$s/M07\", \"%1$s/M08\", \"%1$s/M09\"]}";
  char text[2048];
  store_conn *w = store_acquire(st, true);
  if (!w) return -1;
  int rc = 0, made = 0, issued = 0;
  int64_t first_cert = 0;
  app_err e = {0};
  struct {
    const char *code, *title, *desc, *rule;
    int pass, check;
  } progs[] = {
      {"PCKNS-CB", "Đạt phổ cập kỹ năng số cơ bản",
       "Chứng nhận của phong trào Bình dân học vụ số cho người dân đạt các học phần kỹ năng số cơ bản.", basic, 0, 0},
      {"DSS", "Đại sứ số cộng đồng", "Đạt mọi học phần từ 80% và được cán bộ kiểm tra trực tiếp kỹ năng hướng dẫn.",
       all, 80, 1},
  };
  if (store_begin(w) != STORE_OK) rc = -1;
  for (size_t i = 0; rc == 0 && i < sizeof progs / sizeof progs[0]; i++) {
    int64_t id = certs_programme_by_code(w, progs[i].code);
    if (id < 0) rc = -1;
    if (id != 0) continue;
    snprintf(text, sizeof text, progs[i].rule, course);
    json_t *req = json_loads(text, 0, NULL);
    programme_in in = {progs[i].code, progs[i].title, progs[i].desc, progs[i].pass, progs[i].check, 1, req};
    if (!req || certs_programme_create(w, &in, 0, &id, &e) != 0) rc = -1;
    json_decref(req);
    made++;
  }
  int64_t grad = rc == 0 ? users_find(w, "hoangnam") : 0, helper = rc == 0 ? users_find(w, "tinhnguyen") : 0;
  /* the modules' quizzes: the demo made one per module, of category COURSE/Mnn */
  int64_t quizzes[7] = {0};
  json_t *list = NULL;
  int64_t total = 0;
  if (rc == 0 && made && quiz_list(w, grad > 0 ? grad : 1, 0, 1, 100, &list, &total, &e) != 0) rc = -1;
  size_t k;
  json_t *q;
  json_array_foreach(list, k, q) {
    const char *cat = json_string_value(json_object_get(q, "category"));
    for (int m = 1; cat && m <= 6; m++) {
      char ref[64];
      snprintf(ref, sizeof ref, "%s/M%02d", course, m);
      if (strcmp(cat, ref) == 0) quizzes[m] = json_integer_value(json_object_get(q, "id"));
    }
  }
  json_decref(list);
  /* The learners who finish: hoangnam on his own; and 120 of the residents who took the placement
   * check with the community digital team, the same way (assisted), through the basic modules. */
  int64_t people[120];
  int npeople = rc == 0 && made && helper > 0 ? competence_demo_people(w, 97, people, 120) : 0;
  if (npeople < 0) rc = -1;
  for (int who = -1; rc == 0 && made && who < npeople; who++) {
    if (who < 0 && grad <= 0) continue;
    for (int m = 1; rc == 0 && m <= 6; m++) {
      if (!quizzes[m]) continue;
      json_t *view = NULL, *answers = NULL, *done = NULL;
      int status = 0;
      int src = who < 0 ? quiz_start(w, quizzes[m], grad, 0, &view, &status, &e)
                        : quiz_start_assisted(w, quizzes[m], helper, people[who], &view, &status, &e);
      int64_t attempt = view ? json_integer_value(json_object_get(view, "id")) : 0;
      if (src != 0 || quiz_sample_answers(w, attempt, 1.0, 40 + (uint64_t)m + 7 * (uint64_t)(who + 1), &answers, &e) != 0 ||
          quiz_submit(w, keys, attempt, answers, &done, &e) != 0) {
        rc = -1;
      } else {
        json_t *got = json_object_get(done, "certificates");
        issued += (int)json_array_size(got);
        if (!first_cert && who >= 0 && json_array_size(got))
          first_cert = json_integer_value(json_object_get(json_array_get(got, 0), "id"));
      }
      json_decref(view);
      json_decref(answers);
      json_decref(done);
    }
  }
  /* One of them was issued by mistake and revoked, as a ward admin would (the reason stays inside). */
  int64_t unit_id = 0;
  if (rc == 0 && first_cert &&
      certs_revoke(w, first_cert, users_find(w, "admin"), "Cấp nhầm người (dữ liệu mẫu)", &unit_id, &e) != 0)
    rc = -1;
  if (rc != 0 || store_commit(w) != STORE_OK) {
    fprintf(stderr, "hocvuso demo: programmes: %s\n", e.message ? e.message : store_errmsg(w));
    if (store_in_transaction(w)) store_rollback(w);
    rc = -1;
  }
  store_release(w);
  if (rc == 0)
    printf("Certificates: %d programme(s) new; %d certificate(s) issued, %d revoked (hoangnam holds \"Đạt phổ cập "
           "kỹ năng số cơ bản\"; residents who finished with the community digital team hold theirs)\n",
           made, issued, first_cert ? 1 : 0);
  return rc;
}

/* The starter curriculum: its questions and lessons (curriculum_load), then its quizzes. A missing
 * curriculum is said and skipped (a binary installed without its source tree). */
static int load_curriculum(store *st, const secrets *keys, const char *dir) {
  char path[1200], err[1024];
  snprintf(path, sizeof path, "%s/curriculum.json", dir);
  json_error_t jerr;
  json_t *index = json_load_file(path, 0, &jerr);
  if (!index) {
    fprintf(stderr, "hocvuso demo: no starter curriculum at %s (%s): no lessons, questions or quizzes\n", dir, jerr.text);
    return 0;
  }
  curriculum_counts n;
  int rc = curriculum_load(st, dir, &n, err, sizeof err);
  if (rc != 0) fprintf(stderr, "hocvuso demo: %s\n", err);
  if (rc == 0 && n.rejected) fprintf(stderr, "hocvuso demo: %d questions of the curriculum not kept\n", n.rejected);
  if (rc == 0) {
    printf("Question bank: %d questions of the starter curriculum (%d modules)\n", n.questions, n.modules);
    printf("Lessons: %d Markdown lessons of the starter curriculum\n", n.lessons);
    rc = load_quizzes(st, keys, index);
    const char *course = json_string_value(json_object_get(json_object_get(index, "course"), "code"));
    if (rc == 0 && course) rc = load_placement(st, keys, course);
    if (rc == 0 && course) rc = load_programmes(st, keys, course);
  }
  json_decref(index);
  return rc;
}

/* The synthetic population: its units, then its list through the importer. */
static int load_people(store *st, const secrets *keys, const char *data_dir, long residents, uint64_t seed,
                       bool units_only) {
  char err[1024], path[1200];
  if (demo_load_units(st, residents, seed, stdout, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso demo: %s\n", err);
    return -1;
  }
  if (units_only) return 0;
  snprintf(path, sizeof path, "%s/demo-residents-%ld-%llu.csv", data_dir, residents, (unsigned long long)seed);
  synth *sy = synth_new(residents, seed);
  FILE *f = sy ? fopen(path, "w") : NULL;
  if (!f) {
    fprintf(stderr, "hocvuso demo: cannot write %s: %s\n", path, strerror(errno));
    synth_free(sy);
    return -1;
  }
  int wrc = synth_write_csv(sy, f);
  synth_free(sy);
  if (fclose(f) != 0 || wrc != 0) {
    fprintf(stderr, "hocvuso demo: cannot write %s\n", path);
    remove(path);
    return -1;
  }
  json_t *result = NULL;
  int rc = import_file_residents(st, keys, path, false, NULL, &result, err, sizeof err);
  remove(path);
  if (rc != 0) {
    fprintf(stderr, "hocvuso demo: %s\n", err);
    return -1;
  }
  json_t *rejected = json_object_get(result, "rejected");
  printf("Synthetic residents: %lld imported, %lld unchanged, %zu rejected.\n",
         (long long)json_integer_value(json_object_get(result, "imported")),
         (long long)json_integer_value(json_object_get(result, "unchanged")), json_array_size(rejected));
  for (size_t i = 0; i < json_array_size(rejected) && i < 5; i++) {
    json_t *r = json_array_get(rejected, i);
    printf("  line %lld: %s\n", (long long)json_integer_value(json_object_get(r, "line")),
           json_string_value(json_object_get(r, "reason")));
  }
  json_decref(result);
  return 0;
}

/* M synthetic learning and field records (synth_records.h), with how long they took. */
static int load_records(store *st, const secrets *keys, int64_t records, uint64_t seed) {
  char err[512] = "";
  synth_records_counts n;
  double t0 = clock_mono();
  int rc = synth_records_generate(st, keys, records, seed, groups_date_key(clock_now()), stdout, &n, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "hocvuso demo: %s\n", err);
    return -1;
  }
  if (err[0]) fprintf(stderr, "hocvuso demo: %s\n", err);
  printf("Synthetic learning and field records: %lld in %.1f s (%lld adults reached of %lld, %lld learners, %lld made "
         "up by one confirmation each; %lld of %lld households visited):\n"
         "  external_confirmations %lld, class_enrolments %lld (%lld classes), quiz_attempts %lld, attempt_competence "
         "%lld, certificates %lld,\n  field_visits %lld, field_visit_topics %lld, field_visit_people %lld, "
         "field_visit_outcomes %lld; VNeID level 2 for %lld more people;\n  %lld transactions on the "
         "writer, the longest held %.0f ms, %.1f s in all\n",
         (long long)synth_records_total(&n), clock_mono() - t0, (long long)n.reached,
         (long long)n.adults, (long long)n.learners, (long long)n.topped_up, (long long)n.households_visited,
         (long long)n.households, (long long)n.confirmations, (long long)n.enrolments, (long long)n.classes,
         (long long)n.attempts, (long long)n.measures, (long long)n.certificates, (long long)n.visits,
         (long long)n.visit_topics, (long long)n.visit_people, (long long)n.visit_outcomes, (long long)n.vneid_raised,
         (long long)n.chunks, n.max_hold_ms, n.hold_ms / 1000.0);
  return 0;
}

/* A password that is easy to read aloud and type on a phone: 3 groups of 4 letters/digits,
 * without look-alikes (0/O, 1/l/I). */
static void random_password(char out[15]) {
  static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
  int k = 0;
  for (int g = 0; g < 3; g++) {
    for (int i = 0; i < 4; i++) out[k++] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    if (g < 2) out[k++] = '-';
  }
  out[k] = '\0';
}

int cmd_demo(int argc, char **argv) {
  cli_args args;
  config cfg;
  int rc = cli_setup("demo", argc, argv, &args, &cfg);
  if (rc) return rc > 0 ? 0 : 2;
  char generated[15];
  const char *password = getenv("HOCVUSO_ADMIN_PASSWORD");
  if (!password || !*password) {
    random_password(generated);
    password = generated;
  } else if (strlen(password) < 8) {
    fprintf(stderr, "hocvuso demo: HOCVUSO_ADMIN_PASSWORD must have at least 8 characters\n");
    return 2;
  }
  long long residents = 0, seed = 1;
  const char *v = cli_get(demo_opts, &args, "residents");
  if (v && !parse_int(v, 1, SYNTH_MAX_RESIDENTS, &residents)) {
    fprintf(stderr, "hocvuso demo: --residents must be a whole number from 1 to %ld\n", SYNTH_MAX_RESIDENTS);
    return 2;
  }
  v = cli_get(demo_opts, &args, "seed");
  if (v && !parse_int(v, 0, INT64_MAX, &seed)) {
    fprintf(stderr, "hocvuso demo: --seed must be a whole number from 0 to %lld\n", (long long)INT64_MAX);
    return 2;
  }
  long long records = 0;
  v = cli_get(demo_opts, &args, "records");
  if (v && !parse_int(v, 1, SYNTH_RECORDS_MAX, &records)) {
    fprintf(stderr, "hocvuso demo: --records must be a whole number from 1 to %lld\n", SYNTH_RECORDS_MAX);
    return 2;
  }
  if (records > 0 && cli_get(demo_opts, &args, "units-only")) {
    fprintf(stderr, "hocvuso demo: --records writes records for residents: not with --units-only\n");
    return 2;
  }
  /* --records alone: the records on the population already there, and only what they need. */
  bool records_only = records > 0 && residents == 0;
  secrets keys;
  store *st = cli_open(&cfg, &keys, residents > 0 || records > 0 ? 2 : 1, true);
  if (!st) return 1;
  char err[512];
  rc = demo_load(st, password, stdout, err, sizeof err);
  if (rc != 0) fprintf(stderr, "hocvuso demo: %s\n", err);
  bool units_only = cli_get(demo_opts, &args, "units-only") != NULL;
  if (rc == 0 && !records_only && (rc = demo_plan_files(st, cfg.data, clock_now(), stdout, err, sizeof err)) != 0)
    fprintf(stderr, "hocvuso demo: %s\n", err);
  if (rc == 0 && residents > 0) rc = load_people(st, &keys, cfg.data, (long)residents, (uint64_t)seed, units_only);
  if (rc == 0 && !units_only && !records_only) {
    /* Confirmations from outside for a share of the ward's adults (VNeID, the national platform). */
    int64_t added = 0;
    rc = confirmations_demo(st, clock_now(), &added, err, sizeof err);
    if (rc != 0) fprintf(stderr, "hocvuso demo: %s\n", err);
    else printf("Confirmations from outside (VNeID, binhdanhocvuso.gov.vn, other courses): %lld new\n", (long long)added);
    /* Tổ công nghệ số cộng đồng: a team per tổ, members, door-to-door visits (demo_field.c). */
    if (rc == 0 && (rc = demo_field(st, clock_now(), &added, err, sizeof err)) != 0) fprintf(stderr, "hocvuso demo: %s\n", err);
    else if (rc == 0) printf("Community digital teams: one per tổ dân phố; %lld door-to-door visits new\n", (long long)added);
  }
  if (rc == 0 && !units_only && !records_only && (rc = demo_trade(st, clock_now(), stdout, err, sizeof err)) != 0) fprintf(stderr, "hocvuso demo: %s\n", err);
  const char *content = cli_get(demo_opts, &args, "content");
  if (rc == 0 && !units_only) rc = load_curriculum(st, &keys, content ? content : "content/curriculum");
  /* Issue 9, parts 2, 3 and 10 under way (demo_reach.c): once people, certificates and confirmations exist. */
  if (rc == 0 && !units_only && !records_only && demo_reach(st, clock_now(), stdout, err, sizeof err) != 0) {
    fprintf(stderr, "hocvuso demo: %s\n", err);
    rc = -1;
  }
  if (rc == 0 && records > 0) rc = load_records(st, &keys, (int64_t)records, (uint64_t)seed);
  /* The figures of the last four quarters (indicators.h), as the server keeps them: a trend to show. */
  if (rc == 0 && !units_only && !records_only) {
    int64_t today = groups_date_key(clock_now()), units = 0, total = 0;
    char q[8];
    ind_last_quarter(today, q);
    for (int k = 0; rc == 0 && k < 4; k++) {
      if (ind_snapshot_take(st, q, today, NULL, &units, err, sizeof err) != 0) {
        fprintf(stderr, "hocvuso demo: %s\n", err);
        rc = -1;
      }
      total += units;
      /* the quarter before: its last day is the day before this one's first */
      int64_t end = ind_quarter_end(q), first = (end / 10000) * 10000 + ((end / 100 % 100) - 2) * 100 + 1;
      ind_last_quarter(first, q);
    }
    if (rc == 0) printf("Quarterly figures kept for the last four quarters: %lld unit-quarters\n", (long long)total);
  }
  /* Today's figures counted live from now on (indlive.h): what the demo wrote, classified once. */
  if (rc == 0) {
    int64_t done = 0;
    if (indlive_drain(st, groups_date_key(clock_now()), NULL, &done, err, sizeof err) != 0) {
      fprintf(stderr, "hocvuso demo: %s\n", err);
      rc = -1;
    } else {
      printf("Live figures: %lld people and households classified; every write keeps them current\n", (long long)done);
    }
  }
  store_close(st);
  if (rc != 0) return 1;
  printf("\nLog in as:  admin / %s\n", password);
  printf("Other demo accounts, same password:\n");
  for (int i = 1; i < demo_accounts_count; i++) {
    const role_info *ri = role_find(demo_accounts[i].role);
    printf("  %-11s %s (%s)\n", demo_accounts[i].username, demo_accounts[i].display_name, ri ? ri->label : "");
  }
  return 0;
}

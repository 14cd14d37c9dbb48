/* indicators.c: the indicators of the plan (indicators.h): building blocks, catalogue, validation,
 * the cube of each base and the evaluation of a definition over it.
 * Owns: the cube statements (one per base, fixed text, every value bound) and the catalogue.
 * Never: builds SQL from a definition: a definition is read in C over the cube's cells.
 */
#include "domain/indicators.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/families.h"
#include "domain/groups.h"
#include "domain/ind_sql.h"
#include "domain/indlive.h"
#include "domain/units.h"
#include "util/arena.h"
#include "util/clock.h"

/* The number written by exactly `n` decimal digits at s, or -1. */
static int digits(const char *s, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (!s || s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* A year as a key of targets ("2026"), or -1. */
static int year_key(const char *k) { return k && strlen(k) == 4 ? digits(k, 4) : -1; }

/* ---- building blocks ---- */

typedef struct block {
  const char *code;
  uint32_t bit; /* a fact alias may name several: any of them */
  const char *label;
} block;

#define G_RESIDENT 128u /* lives in the ward (has a household); the groups' own bits are groups.h's */

static const block people_groups[] = {
    {"public_staff", GROUP_PUBLIC_STAFF, "cán bộ, công chức, viên chức"},
    {"students_primary", GROUP_STUDENTS_PRIMARY, "học sinh tiểu học"},
    {"students_secondary", GROUP_STUDENTS_SECONDARY, "học sinh trung học"},
    {"adults", GROUP_ADULTS, "người từ 18 tuổi cư trú trên địa bàn"},
    {"elderly", GROUP_ELDERLY, "người cao tuổi"},
    {"workers", GROUP_WORKERS, "người lao động doanh nghiệp, hợp tác xã"},
    {"traders", GROUP_TRADERS, "tiểu thương"},
    {"resident", G_RESIDENT, "cư trú trên địa bàn"},
    {NULL, 0, NULL},
};
static const block student_groups[] = {
    {"students_primary", GROUP_STUDENTS_PRIMARY, "học sinh tiểu học"},
    {"students_secondary", GROUP_STUDENTS_SECONDARY, "học sinh trung học"},
    {NULL, 0, NULL},
};
static const block no_blocks[] = {{NULL, 0, NULL}};

enum {
  F_CERTIFIED = 1u,
  F_CONF_VNEID = 2u,
  F_CONF_OTHER = 4u,
  F_VNEID_L2 = 8u,
  F_CLASS_DONE = 16u,
  F_MEASURED = 32u,
  F_COMPETENCE_UP = 64u,
};
static const block people_facts[] = {
    {"certified", F_CERTIFIED, "có chứng nhận còn hiệu lực"},
    {"confirmed_vneid", F_CONF_VNEID, "được xác nhận đạt chuẩn trên VNeID"},
    {"confirmed_other", F_CONF_OTHER, "được xác nhận học ở nền tảng khác"},
    {"learned", F_CERTIFIED | F_CONF_VNEID | F_CONF_OTHER, "đã học (chứng nhận hoặc xác nhận)"},
    {"vneid_level2", F_VNEID_L2, "có định danh điện tử mức 2"},
    {"class_completed", F_CLASS_DONE, "hoàn thành lớp bồi dưỡng"},
    {"measured", F_MEASURED, "đã đo năng lực số đầu vào"},
    {"competence_improved", F_COMPETENCE_UP, "năng lực số đo được đã tăng"},
    {NULL, 0, NULL},
};
static const block student_facts[] = {{"covered", 1, "được học kỹ năng số"}, {NULL, 0, NULL}};
static const block household_facts[] = {
    {"has_learner", 1, "có thành viên đã học"},
    {"visited", 2, "đã được tổ công nghệ số đến hướng dẫn"},
    {NULL, 0, NULL},
};
static const block school_facts[] = {{"runs_programme", 1, "dạy kỹ năng số theo Thông tư 02/2025"}, {NULL, 0, NULL}};
static const block mentor_facts[] = {{"mentees_5", 1, "hướng dẫn ít nhất 5 người"}, {NULL, 0, NULL}};
static const block centre_facts[] = {{"has_helper", 1, "có người hỗ trợ"}, {NULL, 0, NULL}};

typedef struct base_info {
  const char *code;
  const block *groups, *facts;
  int gbits, fbits; /* the masks' widths, for the test that a population can be non-empty */
} base_info;
static const base_info bases[IND_BASE_COUNT] = {
    [IND_PEOPLE] = {"people", people_groups, people_facts, 8, 7},
    [IND_STUDENTS] = {"students", student_groups, student_facts, 3, 1},
    [IND_HOUSEHOLDS] = {"households", no_blocks, household_facts, 0, 2},
    [IND_SCHOOLS] = {"schools", no_blocks, school_facts, 0, 1},
    [IND_MENTORS] = {"mentors", no_blocks, mentor_facts, 0, 1},
    [IND_CENTRES] = {"centres", no_blocks, centre_facts, 0, 1},
};

int ind_base_of(const char *code) {
  for (int i = 0; code && i < IND_BASE_COUNT; i++)
    if (strcmp(bases[i].code, code) == 0) return i;
  return -1;
}
const char *ind_base_code(ind_base b) { return b >= 0 && b < IND_BASE_COUNT ? bases[b].code : NULL; }

static const block *find_block(const block *list, const char *code) {
  for (const block *b = list; code && b->code; b++)
    if (strcmp(b->code, code) == 0) return b;
  return NULL;
}

/* ---- the catalogue: plan part III's targets and part IV.3's model rules ---- */

#define LEARNED "{\"fact\": \"learned\"}"
const ind_def ind_catalogue[] = {
    {"T1", "Cán bộ, công chức, viên chức có kỹ năng số",
     "{\"base\": \"people\", \"population\": {\"group\": \"public_staff\"},"
     " \"condition\": {\"any\": [" LEARNED ", {\"fact\": \"class_completed\"}]}}",
     80, 100, "Kế hoạch, mục III, chỉ tiêu 1"},
    {"T2a", "Học sinh trung học được trang bị kỹ năng số",
     "{\"base\": \"students\", \"population\": {\"group\": \"students_secondary\"}, \"condition\": {\"fact\": \"covered\"}}",
     100, 100, "Kế hoạch, mục III, chỉ tiêu 2 (năm 2025)"},
    {"T2b", "Học sinh phổ thông (từ tiểu học) được trang bị kỹ năng số",
     "{\"base\": \"students\", \"population\": {\"any\": [{\"group\": \"students_primary\"},"
     " {\"group\": \"students_secondary\"}]}, \"condition\": {\"fact\": \"covered\"}}",
     -1, 100, "Kế hoạch, mục III, chỉ tiêu 2 (năm 2026)"},
    {"T3", "Người trưởng thành có kiến thức, kỹ năng số cơ bản",
     "{\"base\": \"people\", \"population\": {\"group\": \"adults\"}, \"condition\": " LEARNED "}", 80, 100,
     "Kế hoạch, mục III, chỉ tiêu 3"},
    {"T4", "Người trưởng thành được xác nhận đạt chuẩn phổ cập kỹ năng số trên VNeID",
     "{\"base\": \"people\", \"population\": {\"group\": \"adults\"}, \"condition\": {\"fact\": \"confirmed_vneid\"}}",
     80, 100, "Kế hoạch, mục III, chỉ tiêu 4"},
    {"T5", "Người lao động doanh nghiệp, hợp tác xã có kỹ năng số",
     "{\"base\": \"people\", \"population\": {\"group\": \"workers\"}, \"condition\": " LEARNED "}", 80, 100,
     "Kế hoạch, mục III, chỉ tiêu 5"},
    {"T6", "Trường phổ thông dạy kỹ năng số theo Thông tư 02/2025/TT-BGDĐT",
     "{\"base\": \"schools\", \"condition\": {\"fact\": \"runs_programme\"}}", -1, 80, "Kế hoạch, mục III, chỉ tiêu 6"},
    {"M1", "Đại sứ số hướng dẫn ít nhất 5 người", "{\"base\": \"mentors\", \"condition\": {\"fact\": \"mentees_5\"}}", 100,
     100, "Kế hoạch, mục IV.3.1"},
    {"M2", "Trung tâm phục vụ hành chính công có người hỗ trợ",
     "{\"base\": \"centres\", \"condition\": {\"fact\": \"has_helper\"}}", 100, 100, "Kế hoạch, mục IV.3.1"},
    {"M3", "Hộ gia đình số (ít nhất một thành viên đã học)",
     "{\"base\": \"households\", \"condition\": {\"fact\": \"has_learner\"}}", -1, 100, "Kế hoạch, mục IV.3.2"},
    {"M4", "Người trưởng thành có định danh điện tử mức 2",
     "{\"base\": \"people\", \"population\": {\"group\": \"adults\"}, \"condition\": {\"fact\": \"vneid_level2\"}}", -1,
     100, "Kế hoạch, mục IV.3.6"},
    {"C1", "Người học có năng lực số đo được tăng lên",
     "{\"base\": \"people\", \"population\": {\"fact\": \"measured\"}, \"condition\": {\"fact\": \"competence_improved\"}}",
     -1, -1, "Kế hoạch, mục I.2"},
};
const int ind_catalogue_count = (int)(sizeof ind_catalogue / sizeof ind_catalogue[0]);

/* The catalogue parsed once per process (it never changes). */
static json_t *parsed[sizeof ind_catalogue / sizeof ind_catalogue[0]];
static pthread_once_t parse_once = PTHREAD_ONCE_INIT;
static void parse_catalogue(void) {
  for (int i = 0; i < ind_catalogue_count; i++) parsed[i] = json_loads(ind_catalogue[i].definition, 0, NULL);
}
static const json_t *catalogue_def(const char *code, int *index) {
  pthread_once(&parse_once, parse_catalogue);
  for (int i = 0; code && i < ind_catalogue_count; i++)
    if (strcmp(ind_catalogue[i].code, code) == 0) {
      if (index) *index = i;
      return parsed[i];
    }
  return NULL;
}

/* ---- evaluation over a cell ---- */

/* MAX_DEPTH guards the evaluation only: a valid definition never reaches it (NEST_MAX levels of
 * expressions, references included, at most two evaluation levels each). REF_MAX: indicators
 * referring to each other in a chain. NODE_BUDGET: expressions of a definition with every
 * reference expanded, so that checking and counting one stays cheap whatever it refers to. */
enum { MAX_DEPTH = 100, NEST_MAX = 24, REF_MAX = 16, NODE_BUDGET = 500 };

/* The definition of `code`: the set's (stored ones, and the one under check), else the catalogue's. */
static const json_t *lookup(const json_t *set, const char *code) {
  const json_t *d = code && set ? json_object_get(set, code) : NULL;
  return d ? d : catalogue_def(code, NULL);
}

static bool expr_holds(const json_t *set, const json_t *x, ind_base base, uint32_t g, uint32_t f, int depth);

static bool def_holds(const json_t *set, const json_t *def, bool numerator, uint32_t g, uint32_t f, int depth) {
  int base = ind_base_of(json_string_value(json_object_get(def, "base")));
  if (base < 0 || depth > MAX_DEPTH) return false;
  const json_t *pop = json_object_get(def, "population");
  if (pop && !expr_holds(set, pop, (ind_base)base, g, f, depth + 1)) return false;
  if (!numerator) return true;
  return expr_holds(set, json_object_get(def, "condition"), (ind_base)base, g, f, depth + 1);
}

static bool expr_holds(const json_t *set, const json_t *x, ind_base base, uint32_t g, uint32_t f, int depth) {
  if (!x || depth > MAX_DEPTH) return false;
  const json_t *v;
  if ((v = json_object_get(x, "group"))) {
    const block *b = find_block(bases[base].groups, json_string_value(v));
    return b && (g & b->bit);
  }
  if ((v = json_object_get(x, "fact"))) {
    const block *b = find_block(bases[base].facts, json_string_value(v));
    return b && (f & b->bit);
  }
  if ((v = json_object_get(x, "not"))) return !expr_holds(set, v, base, g, f, depth + 1);
  size_t i;
  const json_t *item;
  if ((v = json_object_get(x, "any"))) {
    json_array_foreach(v, i, item) if (expr_holds(set, item, base, g, f, depth + 1)) return true;
    return false;
  }
  if ((v = json_object_get(x, "all"))) {
    json_array_foreach(v, i, item) if (!expr_holds(set, item, base, g, f, depth + 1)) return false;
    return true;
  }
  if ((v = json_object_get(x, "indicator"))) {
    const json_t *other = lookup(set, json_string_value(v));
    const char *part = json_string_value(json_object_get(x, "part"));
    return other && def_holds(set, other, !part || strcmp(part, "population") != 0, g, f, depth + 1);
  }
  return false;
}

int ind_eval(const json_t *set, const json_t *def, const ind_cube *cube, int64_t *num, int64_t *den) {
  *num = *den = 0;
  for (int i = 0; i < cube->ncells; i++) {
    const ind_cell *c = &cube->cells[i];
    if (!def_holds(set, def, false, c->g, c->f, 0)) continue;
    *den += c->n;
    if (def_holds(set, def, true, c->g, c->f, 0)) *num += c->n;
  }
  return 0;
}

/* ---- validation ---- */

typedef struct vstate {
  const json_t *set;
  const char *stack[REF_MAX]; /* the indicators being checked, outermost first */
  int depth;
  int nest;  /* expressions entered and not left, references included */
  int nodes; /* expressions checked, references expanded */
  app_err *e;
  const char *field;
} vstate;

static const char *const OPERATORS[] = {"group", "fact", "any", "all", "not", "indicator"};

static int check_def(vstate *v, const json_t *def, ind_base *base_out);

static int check_expr_in(vstate *v, const json_t *x, ind_base base);

static int check_expr(vstate *v, const json_t *x, ind_base base) {
  if (++v->nodes > NODE_BUDGET)
    return app_fail(v->e, 400, "invalid_value", v->field,
                    "Định nghĩa quá phức tạp: tối đa 500 điều kiện, kể cả điều kiện của các chỉ tiêu được dùng lại.");
  if (++v->nest > NEST_MAX) {
    v->nest--;
    return app_fail(v->e, 400, "invalid_value", v->field, "Điều kiện lồng nhau quá sâu (tối đa 24 cấp).");
  }
  int rc = check_expr_in(v, x, base);
  v->nest--;
  return rc;
}

static int check_expr_in(vstate *v, const json_t *x, ind_base base) {
  static _Thread_local char msg[256];
  if (!json_is_object(x) || json_object_size(x) < 1)
    return app_fail(v->e, 400, "invalid_value", v->field, "Mỗi điều kiện phải là một đối tượng JSON (group, fact, any, all, not hoặc indicator).");
  /* exactly one test, and nothing unread beside it */
  int ops = 0;
  const char *key;
  const json_t *kv;
  json_object_foreach((json_t *)x, key, kv) {
    bool op = false;
    for (size_t i = 0; i < sizeof OPERATORS / sizeof OPERATORS[0]; i++) op |= strcmp(key, OPERATORS[i]) == 0;
    if (op) {
      ops++;
    } else if (!(strcmp(key, "part") == 0 && json_object_get(x, "indicator"))) {
      snprintf(msg, sizeof msg, "Khóa \"%.60s\" không có trong một điều kiện (group, fact, any, all, not, indicator, part).", key);
      return app_fail(v->e, 400, "invalid_value", v->field, msg);
    }
  }
  if (ops != 1)
    return app_fail(v->e, 400, "invalid_value", v->field, "Mỗi điều kiện có đúng một phép thử: group, fact, any, all, not hoặc indicator.");
  const json_t *val;
  if ((val = json_object_get(x, "group"))) {
    if (!find_block(bases[base].groups, json_string_value(val))) {
      snprintf(msg, sizeof msg, "Nhóm đối tượng \"%s\" không có với loại bản ghi %s.",
               json_is_string(val) ? json_string_value(val) : "?", bases[base].code);
      return app_fail(v->e, 400, "invalid_value", v->field, msg);
    }
    return 0;
  }
  if ((val = json_object_get(x, "fact"))) {
    if (!find_block(bases[base].facts, json_string_value(val))) {
      snprintf(msg, sizeof msg, "Dữ kiện \"%s\" không có với loại bản ghi %s.",
               json_is_string(val) ? json_string_value(val) : "?", bases[base].code);
      return app_fail(v->e, 400, "invalid_value", v->field, msg);
    }
    return 0;
  }
  if ((val = json_object_get(x, "not"))) return check_expr(v, val, base);
  const json_t *list = json_object_get(x, "any");
  if (!list) list = json_object_get(x, "all");
  if (list) {
    if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 32)
      return app_fail(v->e, 400, "invalid_value", v->field, "any/all cần từ 1 đến 32 điều kiện.");
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) if (check_expr(v, item, base) != 0) return -1;
    return 0;
  }
  if ((val = json_object_get(x, "indicator"))) {
    const char *code = json_string_value(val);
    for (int i = 0; code && i < v->depth; i++)
      if (strcmp(v->stack[i], code) == 0) {
        snprintf(msg, sizeof msg, "Chỉ tiêu \"%s\" dẫn ngược về chính nó (vòng lặp).", code);
        return app_fail(v->e, 400, "invalid_value", v->field, msg);
      }
    const json_t *other = lookup(v->set, code);
    if (!other) {
      snprintf(msg, sizeof msg, "Không có chỉ tiêu mã \"%s\".", code ? code : "?");
      return app_fail(v->e, 400, "invalid_value", v->field, msg);
    }
    const char *part = json_string_value(json_object_get(x, "part"));
    if (json_object_get(x, "part") && (!part || (strcmp(part, "population") != 0 && strcmp(part, "numerator") != 0)))
      return app_fail(v->e, 400, "invalid_value", v->field, "part phải là population hoặc numerator.");
    if (v->depth >= REF_MAX) return app_fail(v->e, 400, "invalid_value", v->field, "Chỉ tiêu dùng lại nhau quá sâu.");
    v->stack[v->depth++] = code;
    ind_base ob;
    int rc = check_def(v, other, &ob);
    v->depth--;
    if (rc != 0) return -1;
    if (ob != base) {
      snprintf(msg, sizeof msg, "Chỉ tiêu \"%s\" đếm loại bản ghi khác (%s, không phải %s).", code, bases[ob].code,
               bases[base].code);
      return app_fail(v->e, 400, "invalid_value", v->field, msg);
    }
    return 0;
  }
  return app_fail(v->e, 400, "invalid_value", v->field, "Điều kiện không hiểu được: cần group, fact, any, all, not hoặc indicator.");
}

static int check_def(vstate *v, const json_t *def, ind_base *base_out) {
  if (!json_is_object(def)) return app_fail(v->e, 400, "invalid_value", "definition", "Định nghĩa chỉ tiêu phải là một đối tượng JSON.");
  int base = ind_base_of(json_string_value(json_object_get(def, "base")));
  if (base < 0)
    return app_fail(v->e, 400, "invalid_value", "base",
                    "Loại bản ghi (base) phải là people, students, households, schools, mentors hoặc centres.");
  const char *dkey;
  const json_t *dv;
  json_object_foreach((json_t *)def, dkey, dv) if (strcmp(dkey, "base") != 0 && strcmp(dkey, "population") != 0 &&
                                                    strcmp(dkey, "condition") != 0) {
    static _Thread_local char msg[160];
    snprintf(msg, sizeof msg, "Khóa \"%.60s\" không có trong định nghĩa (base, population, condition).", dkey);
    return app_fail(v->e, 400, "invalid_value", "definition", msg);
  }
  const char *saved = v->field;
  int rc = 0;
  const json_t *pop = json_object_get(def, "population");
  const json_t *cond = json_object_get(def, "condition");
  if (!cond) rc = app_fail(v->e, 400, "missing_field", "condition", "Cần điều kiện của tử số (condition).");
  if (rc == 0 && pop) {
    v->field = saved && strcmp(saved, "definition") != 0 ? saved : "population";
    rc = check_expr(v, pop, (ind_base)base);
  }
  if (rc == 0) {
    v->field = saved && strcmp(saved, "definition") != 0 ? saved : "condition";
    rc = check_expr(v, cond, (ind_base)base);
  }
  v->field = saved;
  *base_out = (ind_base)base;
  return rc;
}

/* The structural checks alone (blocks, loops, depth, budget): cheap, for a stored definition before
 * it is counted (one written by an older version, or by hand, is left out rather than trusted). */
static bool def_usable(const json_t *set, const char *code, const json_t *def) {
  app_err e = {0};
  vstate v = {.set = set, .e = &e, .field = "definition"};
  if (code) v.stack[v.depth++] = code;
  ind_base base;
  return def && check_def(&v, def, &base) == 0;
}

int ind_validate(const json_t *set, const char *code, const json_t *def, app_err *e) {
  vstate v = {.set = set, .e = e, .field = "definition"};
  if (code) v.stack[v.depth++] = code;
  ind_base base;
  if (check_def(&v, def, &base) != 0) return -1;
  /* A population no record can be in would divide by zero everywhere, always. */
  const base_info *b = &bases[base];
  for (uint32_t g = 0; g < (1u << b->gbits); g++)
    for (uint32_t f = 0; f < (1u << b->fbits); f++)
      if (def_holds(set, def, false, g, f, 0)) return 0;
  return app_fail(e, 400, "invalid_value", "population",
                  "Mẫu số (population) không thể có ai: các điều kiện loại trừ nhau.");
}

/* ---- cubes ---- */

STORE_SQL(q_people_cube,
          "SELECT g, f, COUNT(*) FROM (SELECT " IND_PEOPLE_G_SQL " AS g, " IND_PEOPLE_F_SQL " AS f"
          /* the subtree's people: registered in it, or members of a unit of it (each once); two
           * index walks, not a test of every person */
          " FROM (SELECT pu_.id FROM people pu_ WHERE pu_.unit_id IN (SELECT id FROM units WHERE path >= ? AND path < ?)"
          " AND pu_.deleted_at IS NULL UNION SELECT im_.person_id FROM memberships im_ JOIN units imu_ ON imu_.id = im_.unit_id"
          " WHERE imu_.path >= ? AND imu_.path < ?) ids_ JOIN people p ON p.id = ids_.id CROSS JOIN " IND_RK_SQL
          " WHERE p.deleted_at IS NULL) t GROUP BY g, f");

/* Students as the schools report them: per grade, those covered and the rest. */
STORE_SQL(q_students_cube,
          "SELECT g, f, SUM(n) FROM (SELECT (CASE WHEN sg.grade <= 5 THEN 2 ELSE 4 END) AS g, 1 AS f, sg.covered AS n"
          " FROM school_grades sg JOIN units u ON u.id = sg.unit_id WHERE u.path >= ? AND u.path < ?"
          " UNION ALL SELECT (CASE WHEN sg.grade <= 5 THEN 2 ELSE 4 END), 0, sg.students - sg.covered"
          " FROM school_grades sg JOIN units u ON u.id = sg.unit_id WHERE u.path >= ? AND u.path < ?) t GROUP BY g, f");

STORE_SQL(q_households_cube,
          "SELECT 0, f, COUNT(*) FROM (SELECT " IND_HOUSEHOLD_F_SQL " AS f FROM households h CROSS JOIN " IND_RK_SQL
          " WHERE " IND_HOUSEHOLD_COUNTED_SQL " AND h.unit_id IN (SELECT id FROM units WHERE path >= ? AND path < ?)) t"
          " GROUP BY f");

STORE_SQL(q_schools_cube,
          "SELECT 0, f, COUNT(*) FROM (SELECT (CASE WHEN EXISTS (SELECT 1 FROM school_programmes sp WHERE sp.unit_id = u.id"
          " AND sp.runs_programme = 1) THEN 1 ELSE 0 END) AS f FROM units u"
          " WHERE u.kind IN ('school_primary', 'school_lower_secondary', 'school_upper_secondary')"
          " AND u.path >= ? AND u.path < ?) t GROUP BY f");

STORE_SQL(q_mentors_cube,
          "SELECT 0, f, COUNT(*) FROM (SELECT (CASE WHEN (SELECT COUNT(*) FROM mentorships m WHERE m.ambassador_id = a.id"
          " AND m.ended_at IS NULL) >= 5 THEN 1 ELSE 0 END) AS f FROM ambassadors a"
          " WHERE a.kind = 'mentor' AND a.ended_at IS NULL AND a.unit_id IN (SELECT id FROM units WHERE path >= ? AND path < ?)) t"
          " GROUP BY f");

STORE_SQL(q_centres_cube,
          "SELECT 0, f, COUNT(*) FROM (SELECT (CASE WHEN EXISTS (SELECT 1 FROM ambassadors a WHERE a.unit_id = u.id"
          " AND a.kind = 'service_helper' AND a.ended_at IS NULL) THEN 1 ELSE 0 END) AS f FROM units u"
          " WHERE u.kind = 'service_center' AND u.path >= ? AND u.path < ?) t GROUP BY f");

STORE_SQL(q_unit, "SELECT name, path, kind FROM units WHERE id = ?");
STORE_SQL(q_children, "SELECT id, name, kind FROM units WHERE parent_id = ? ORDER BY name, id");

void ind_key_iso(int64_t key, char out[16]) {
  snprintf(out, 16, "%04d-%02d-%02d", (int)(key / 10000 % 10000), (int)(key / 100 % 100), (int)(key % 100));
}

/* {"id", "name", "kind"} of the unit, or NULL with a 404 (none) or a 500 in `e`. */
static json_t *unit_json(store_conn *c, int64_t unit_id, app_err *e) {
  store_stmt *s = store_prepare(c, &q_unit);
  if (!s) {
    APP_INTERNAL(e);
    return NULL;
  }
  store_bind_int(s, 1, unit_id);
  int rc = store_step(s);
  json_t *unit = rc == STORE_ROW ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)unit_id, "name", store_col_text(s, 0),
                                             "kind", store_col_text(s, 2))
                                 : NULL;
  store_reset(s);
  if (!unit) rc == STORE_DONE ? app_fail(e, 404, "not_found", "unit", "Không có đơn vị này.") : APP_INTERNAL(e);
  return unit;
}

/* A unit directly below another, with what a ranking or a commendation computes of it. */
typedef struct unit_row {
  int64_t id, num, den;
  char *name, *kind;
  double pct;
  json_t *figs;
} unit_row;

static void children_free(unit_row *rows, int n) {
  for (int i = 0; i < n; i++) {
    free(rows[i].name);
    free(rows[i].kind);
    json_decref(rows[i].figs);
  }
  free(rows);
}

/* The units directly below `parent`, in name order: 0, or -1 with a 500 in `e`. */
static int children_of(store_conn *c, int64_t parent, unit_row **out, int *nout, app_err *e) {
  *out = NULL;
  *nout = 0;
  unit_row *rows = NULL;
  int n = 0, cap = 0, rc = STORE_ERROR;
  store_stmt *s = store_prepare(c, &q_children);
  if (s) {
    store_bind_int(s, 1, parent);
    while ((rc = store_step(s)) == STORE_ROW) {
      if (n == cap) {
        int ncap = cap ? cap * 2 : 32;
        unit_row *nr = realloc(rows, (size_t)ncap * sizeof *nr);
        if (!nr) {
          rc = STORE_ERROR;
          break;
        }
        rows = nr;
        cap = ncap;
      }
      rows[n] = (unit_row){.id = store_col_int(s, 0), .name = strdup(store_col_text(s, 1)), .kind = strdup(store_col_text(s, 2))};
      n++;
      if (!rows[n - 1].name || !rows[n - 1].kind) {
        rc = STORE_ERROR;
        break;
      }
    }
    store_reset(s);
  }
  if (rc != STORE_DONE) {
    children_free(rows, n);
    return APP_INTERNAL(e);
  }
  *out = rows;
  *nout = n;
  return 0;
}

void ind_cube_free(ind_cube *cube) {
  free(cube->cells);
  memset(cube, 0, sizeof *cube);
}

static int64_t day_end_epoch(int64_t key) {
  char iso[16];
  ind_key_iso(key, iso);
  int64_t t = 0;
  if (!clock_parse_iso(iso, &t)) return 0;
  return t + 86400 - 7 * 3600; /* midnight after that day, Vietnam's time (UTC+7) */
}

int64_t ind_date_key(const char *s) {
  int64_t t = 0;
  if (!s || strlen(s) != 10 || !clock_parse_iso(s, &t)) return -1;
  int64_t key = groups_date_key(t);
  char back[16];
  ind_key_iso(key, back);
  return strcmp(back, s) == 0 ? key : -1; /* 2026-02-30 is not a date */
}

static atomic_bool use_live = true;
void ind_use_live(bool on) { atomic_store(&use_live, on); }

int ind_cube_load(store_conn *c, ind_base base, int64_t unit_id, int64_t date_key, ind_cube *out, app_err *e) {
  memset(out, 0, sizeof *out);
  arena a;
  arena_init(&a);
  int ret = -1;
  store_stmt *s = store_prepare(c, &q_unit);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  store_bind_int(s, 1, unit_id);
  int rc = store_step(s);
  const char *lo = rc == STORE_ROW ? arena_strdup(&a, store_col_text(s, 1)) : NULL;
  store_reset(s);
  if (rc != STORE_ROW) {
    ret = rc == STORE_DONE ? app_fail(e, 404, "not_found", "unit", "Không có đơn vị này.") : APP_INTERNAL(e);
    goto done;
  }
  size_t n = strlen(lo);
  char *hi = arena_strndup(&a, lo, n);
  if (n) hi[n - 1] = '0'; /* the subtree is [path, path with its last '/' raised to '0') */
  if (atomic_load(&use_live) && (base == IND_PEOPLE || base == IND_HOUSEHOLDS) &&
      date_key == groups_date_key(clock_now())) {
    int lr = indlive_cube(c, base, unit_id, date_key, out, e);
    if (lr != 0) {
      out->live = lr == 1;
      ret = lr == 1 ? 0 : -1;
      goto done;
    }
  }
  static const store_sql *const qs[IND_BASE_COUNT] = {&q_people_cube,  &q_students_cube, &q_households_cube,
                                                     &q_schools_cube, &q_mentors_cube,  &q_centres_cube};
  s = store_prepare(c, qs[base]);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  /* Parameters in the order of the text: the people's subtree comes before rk_, the households'
   * after it. */
  int i = 1;
  int ranges = base == IND_PEOPLE || base == IND_STUDENTS ? 2 : 1;
  if (base == IND_PEOPLE)
    for (int k = 0; k < ranges; k++) {
      store_bind_text(s, i++, lo);
      store_bind_text(s, i++, hi);
    }
  if (base == IND_PEOPLE || base == IND_HOUSEHOLDS) {
    store_bind_int(s, i++, date_key);
    store_bind_int(s, i++, day_end_epoch(date_key));
  }
  if (base != IND_PEOPLE)
    for (int k = 0; k < ranges; k++) {
      store_bind_text(s, i++, lo);
      store_bind_text(s, i++, hi);
    }
  while ((rc = store_step(s)) == STORE_ROW) {
    if (out->ncells == out->cap) {
      int ncap = out->cap ? out->cap * 2 : 64;
      ind_cell *nc = realloc(out->cells, (size_t)ncap * sizeof *nc);
      if (!nc) {
        rc = STORE_ERROR;
        break;
      }
      out->cells = nc;
      out->cap = ncap;
    }
    out->cells[out->ncells++] =
        (ind_cell){(uint32_t)store_col_int(s, 0), (uint32_t)store_col_int(s, 1), store_col_int(s, 2)};
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    ind_cube_free(out);
    APP_INTERNAL(e);
    goto done;
  }
  ret = 0;
done:
  arena_free(&a);
  return ret;
}

/* ---- indicators an admin defines ---- */

STORE_SQL(q_defs_all, "SELECT id, code, name, definition, targets, active FROM indicator_defs ORDER BY code");
STORE_SQL(q_def_insert, "INSERT INTO indicator_defs (code, name, definition, targets, active, created_by, created_at,"
                        " updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
STORE_SQL(q_def_update, "UPDATE indicator_defs SET code = ?, name = ?, definition = ?, targets = ?, active = ?,"
                        " updated_by = ?, updated_at = ? WHERE id = ?");
STORE_SQL(q_def_get, "SELECT code, name, definition, targets, active FROM indicator_defs WHERE id = ?");

/* The targets of a catalogue entry, as a stored indicator's are kept. */
static json_t *catalogue_targets(const ind_def *d) {
  json_t *t = json_object();
  if (t && d->target_2025 >= 0) json_object_set_new(t, "2025", json_integer(d->target_2025));
  if (t && d->target_2026 >= 0) json_object_set_new(t, "2026", json_integer(d->target_2026));
  return t;
}

/* The target that holds in `year`: the latest year's at or before it; -1: none. */
static int target_for(const json_t *targets, int year) {
  int best_year = 0, best = -1;
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)targets, k, v) {
    int y = year_key(k);
    if (y > 0 && json_is_integer(v) && y <= year && y > best_year) {
      best_year = y;
      best = (int)json_integer_value(v);
    }
  }
  return best;
}

static bool code_ok(const char *code) {
  if (!code) return false;
  size_t n = strlen(code);
  if (n < 1 || n > 20 || !((code[0] >= 'A' && code[0] <= 'Z') || (code[0] >= 'a' && code[0] <= 'z'))) return false;
  for (size_t i = 0; i < n; i++) {
    char c = code[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

static int targets_check(const json_t *targets, app_err *e) {
  if (!targets) return 0;
  if (!json_is_object(targets) || json_object_size(targets) > 20)
    return app_fail(e, 400, "invalid_value", "targets", "Chỉ tiêu theo năm phải có dạng {\"2026\": 100}, tối đa 20 năm.");
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)targets, k, v) {
    int y = year_key(k);
    if (y < 2020 || y > 2100)
      return app_fail(e, 400, "invalid_value", "targets", "Năm của chỉ tiêu phải từ 2020 đến 2100.");
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100)
      return app_fail(e, 400, "invalid_value", "targets", "Chỉ tiêu của một năm là số phần trăm nguyên từ 0 đến 100.");
  }
  return 0;
}

int ind_set_load(store_conn *c, json_t **set, app_err *e) {
  *set = json_object();
  store_stmt *s = *set ? store_prepare(c, &q_defs_all) : NULL;
  if (!s) {
    json_decref(*set);
    *set = NULL;
    return APP_INTERNAL(e);
  }
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    json_t *d = json_loads(store_col_text(s, 3), 0, NULL);
    if (d) json_object_set_new(*set, store_col_text(s, 1), d);
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(*set);
    *set = NULL;
    return APP_INTERNAL(e);
  }
  return 0;
}

/* Whether the expression (or definition) x refers to `code`, directly or through the stored
 * indicators it refers to (at most REF_MAX deep). */
static bool refers_to(const json_t *set, const json_t *x, const char *code, int depth) {
  if (!x || depth > REF_MAX) return false;
  if (json_is_array(x)) {
    size_t i;
    const json_t *it;
    json_array_foreach(x, i, it) if (refers_to(set, it, code, depth)) return true;
    return false;
  }
  if (!json_is_object(x)) return false;
  const char *ref = json_string_value(json_object_get(x, "indicator"));
  if (ref) {
    if (strcmp(ref, code) == 0) return true;
    const json_t *d = set ? json_object_get(set, ref) : NULL;
    return d && refers_to(set, d, code, depth + 1);
  }
  const char *k;
  const json_t *v;
  json_object_foreach((json_t *)x, k, v) if ((json_is_object(v) || json_is_array(v)) && refers_to(set, v, code, depth)) return true;
  return false;
}

int ind_def_save(store_conn *w, int64_t id, const char *code, const char *name, const json_t *definition,
                 const json_t *targets, int active, int64_t user_id, int64_t now, int64_t *id_out, app_err *e) {
  *id_out = 0;
  json_t *set = NULL, *old_targets = NULL, *tg = NULL, *def_loaded = NULL;
  char *def_text = NULL, *tg_text = NULL, *old_code = NULL, *old_name = NULL, *old_def = NULL;
  int ret = -1;
  if (id) { /* a replacement: what is not given stays */
    store_stmt *g = store_prepare(w, &q_def_get);
    if (!g) {
      ret = APP_INTERNAL(e);
      goto done;
    }
    store_bind_int(g, 1, id);
    int rc = store_step(g);
    if (rc == STORE_ROW) {
      old_code = strdup(store_col_text(g, 0));
      old_name = strdup(store_col_text(g, 1));
      old_def = strdup(store_col_text(g, 2));
      old_targets = json_loads(store_col_text(g, 3), 0, NULL);
      if (active < 0) active = (int)store_col_int(g, 4);
    }
    store_reset(g);
    if (rc != STORE_ROW) {
      ret = rc == STORE_DONE ? app_fail(e, 404, "not_found", "id", "Không có chỉ tiêu này.") : APP_INTERNAL(e);
      goto done;
    }
    if (!old_code || !old_name || !old_def || !old_targets) {
      ret = APP_INTERNAL(e);
      goto done;
    }
    if (!code) code = old_code;
    if (!name) name = old_name;
  }
  if (!code_ok(code)) {
    ret = app_fail(e, 400, "invalid_value", "code",
                   "Mã chỉ tiêu bắt đầu bằng một chữ cái, gồm chữ, số, dấu chấm, gạch dưới hoặc gạch ngang, tối đa 20 ký tự.");
    goto done;
  }
  for (int i = 0; i < ind_catalogue_count; i++)
    if (strcasecmp(ind_catalogue[i].code, code) == 0) {
      ret = app_fail(e, 409, "conflict", "code", "Mã này là của một chỉ tiêu có sẵn trong kế hoạch.");
      goto done;
    }
  if (!name || !*name) {
    ret = app_fail(e, 400, "missing_field", "name", "Cần tên chỉ tiêu.");
    goto done;
  }
  if (targets_check(targets, e) != 0) goto done;
  if (!definition && old_def) definition = def_loaded = json_loads(old_def, 0, NULL);
  if (!definition) {
    ret = app_fail(e, 400, "missing_field", "definition", "Cần định nghĩa chỉ tiêu (definition).");
    goto done;
  }
  if (ind_set_load(w, &set, e) != 0) goto done;
  if (old_code) json_object_del(set, old_code); /* checked as it will be, not as it was */
  {
    const char *k;
    json_t *v;
    json_object_foreach(set, k, v) if (strcasecmp(k, code) == 0) { /* "x1" beside "X1": one code */
      ret = app_fail(e, 409, "conflict", "code", "Đã có chỉ tiêu với mã này.");
      goto done;
    }
  }
  int vrc = ind_validate(set, code, definition, e);
  def_text = vrc == 0 ? json_dumps(definition, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  if (vrc != 0) goto done;
  /* A definition that another stored indicator refers to must still make that one valid: those
   * that refer to it (directly or through others) are checked again, the rest cannot change. */
  json_object_set(set, code, (json_t *)definition);
  if (old_code && strcmp(old_code, code) != 0) {
    /* a code changed under references to the old one would leave them referring to nothing */
    const char *k;
    json_t *v;
    json_object_foreach(set, k, v) if (strcmp(k, code) != 0 && refers_to(set, v, old_code, 0)) {
      static _Thread_local char msg[200];
      snprintf(msg, sizeof msg, "Chỉ tiêu \"%s\" dùng mã cũ \"%s\": không đổi được mã.", k, old_code);
      ret = app_fail(e, 409, "conflict", "code", msg);
      goto done;
    }
  }
  const char *k;
  json_t *v;
  json_object_foreach(set, k, v) {
    if (strcmp(k, code) == 0 || !refers_to(set, v, code, 0)) continue;
    app_err inner = {0};
    if (ind_validate(set, k, v, &inner) != 0) {
      static _Thread_local char msg[256];
      snprintf(msg, sizeof msg, "Chỉ tiêu \"%s\" dùng chỉ tiêu này và sẽ không còn đúng: %s", k, inner.message);
      ret = app_fail(e, 400, "invalid_value", "definition", msg);
      goto done;
    }
  }
  tg = targets ? json_deep_copy(targets) : old_targets ? json_deep_copy(old_targets) : json_object();
  tg_text = tg ? json_dumps(tg, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  if (!def_text || !tg_text) {
    ret = APP_INTERNAL(e);
    goto done;
  }
  store_stmt *s = store_prepare(w, id ? &q_def_update : &q_def_insert);
  if (!s) {
    ret = APP_INTERNAL(e);
    goto done;
  }
  int i = 1;
  store_bind_text(s, i++, code);
  store_bind_text(s, i++, name);
  store_bind_text(s, i++, def_text);
  store_bind_text(s, i++, tg_text);
  store_bind_int(s, i++, active != 0); /* -1 (not given) on a new one: active */
  if (!id) {
    store_bind_id(s, i++, user_id);
    store_bind_int(s, i++, now);
  }
  store_bind_id(s, i++, user_id);
  store_bind_int(s, i++, now);
  int rc;
  if (id) {
    store_bind_int(s, i++, id);
    rc = store_step(s);
    store_reset(s);
    *id_out = id;
  } else {
    rc = store_insert_id(s, id_out);
  }
  if (rc == STORE_CONSTRAINT) {
    ret = app_fail(e, 409, "conflict", "code", "Đã có chỉ tiêu với mã này.");
    goto done;
  }
  if (rc != STORE_DONE) {
    ret = APP_INTERNAL(e);
    goto done;
  }
  ret = 0;
done:
  json_decref(set);
  json_decref(def_loaded); /* after set, which may hold it */
  json_decref(old_targets);
  json_decref(tg);
  free(def_text);
  free(tg_text);
  free(old_code);
  free(old_name);
  free(old_def);
  return ret;
}

int ind_defs_list(store_conn *c, json_t **items, app_err *e) {
  pthread_once(&parse_once, parse_catalogue);
  *items = json_array();
  if (!*items) return APP_INTERNAL(e);
  for (int i = 0; i < ind_catalogue_count; i++) {
    const ind_def *d = &ind_catalogue[i];
    json_array_append_new(*items, json_pack("{s:n, s:s, s:s, s:O, s:o, s:b, s:b, s:s}", "id", "code", d->code, "name",
                                            d->name, "definition", parsed[i], "targets", catalogue_targets(d),
                                            "builtin", 1, "active", 1, "source", d->source));
  }
  store_stmt *s = store_prepare(c, &q_defs_all);
  if (!s) {
    json_decref(*items);
    *items = NULL;
    return APP_INTERNAL(e);
  }
  int rc;
  while ((rc = store_step(s)) == STORE_ROW) {
    json_t *def = json_loads(store_col_text(s, 3), 0, NULL), *tg = json_loads(store_col_text(s, 4), 0, NULL);
    json_array_append_new(*items, json_pack("{s:I, s:s, s:s, s:o, s:o, s:b, s:b, s:s}", "id", (json_int_t)store_col_int(s, 0),
                                            "code", store_col_text(s, 1), "name", store_col_text(s, 2), "definition",
                                            def ? def : json_null(), "targets", tg ? tg : json_object(), "builtin", 0,
                                            "active", (int)store_col_int(s, 5), "source", "Phường định nghĩa"));
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    json_decref(*items);
    *items = NULL;
    return APP_INTERNAL(e);
  }
  return 0;
}

/* ---- the figures of a unit ---- */

static json_t *percent_or_null(int64_t num, int64_t den) {
  if (den <= 0) return json_null();
  return json_real(round(1000.0 * (double)num / (double)den) / 10.0);
}

/* One indicator's figures, appended to `items`; its base's cube loaded on first use. */
typedef struct compute_ctx {
  store_conn *c;
  int64_t unit_id, date_key;
  const ind_cube *given[IND_BASE_COUNT]; /* counted already (a snapshot of every unit): copied, not loaded */
  ind_cube cubes[IND_BASE_COUNT];
  bool loaded[IND_BASE_COUNT];
  const json_t *set;
  json_t *items;
} compute_ctx;

static int add_item(compute_ctx *x, const char *code, const char *name, const json_t *def, const json_t *targets,
                    bool builtin, const char *source, app_err *e) {
  int b = def ? ind_base_of(json_string_value(json_object_get(def, "base"))) : -1;
  if (b < 0) return APP_INTERNAL(e);
  if (!x->loaded[b]) {
    if (x->given[b]) {
      const ind_cube *g = x->given[b];
      x->cubes[b] = (ind_cube){.cells = g->ncells ? malloc(sizeof *g->cells * (size_t)g->ncells) : NULL,
                               .ncells = g->ncells, .cap = g->ncells};
      if (g->ncells && !x->cubes[b].cells) return APP_INTERNAL(e);
      if (g->ncells) memcpy(x->cubes[b].cells, g->cells, sizeof *g->cells * (size_t)g->ncells);
    } else if (ind_cube_load(x->c, (ind_base)b, x->unit_id, x->date_key, &x->cubes[b], e) != 0) {
      return -1;
    }
    x->loaded[b] = true;
  }
  int64_t num = 0, den = 0;
  ind_eval(x->set, def, &x->cubes[b], &num, &den);
  int target = target_for(targets, (int)(x->date_key / 10000));
  json_t *pct = percent_or_null(num, den);
  json_t *gap = json_null(), *met = json_null();
  if (target >= 0 && den > 0) {
    double p = json_real_value(pct);
    gap = json_real(p >= target ? 0.0 : round(10.0 * (target - p)) / 10.0);
    met = json_boolean(p >= target);
  }
  json_t *item = json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:s, s:b}", "code", code, "name", name, "base",
                           bases[b].code, "numerator", (json_int_t)num, "denominator", (json_int_t)den, "percent", pct,
                           "target", target >= 0 ? json_integer(target) : json_null(), "gap", gap, "met", met, "source",
                           source, "builtin", builtin);
  if (!item || json_array_append_new(x->items, item) != 0) return APP_INTERNAL(e);
  return 0;
}

/* ind_compute, with the people's and households' cubes given when not NULL. */
static int compute_with(store_conn *c, int64_t unit_id, int64_t date_key, const ind_cube *people,
                        const ind_cube *households, json_t **out, app_err *e) {
  *out = NULL;
  pthread_once(&parse_once, parse_catalogue);
  compute_ctx x;
  memset(&x, 0, sizeof x);
  x.c = c;
  x.unit_id = unit_id;
  x.date_key = date_key;
  x.given[IND_PEOPLE] = people;
  x.given[IND_HOUSEHOLDS] = households;
  int ret = -1;
  json_t *unit = NULL, *set = NULL;
  x.items = json_array();
  if (!x.items) {
    APP_INTERNAL(e);
    goto done;
  }
  if (!(unit = unit_json(c, unit_id, e)) || ind_set_load(c, &set, e) != 0) goto done;
  x.set = set;
  for (int i = 0; i < ind_catalogue_count; i++) {
    const ind_def *d = &ind_catalogue[i];
    json_t *tg = catalogue_targets(d);
    int arc = add_item(&x, d->code, d->name, parsed[i], tg, true, d->source, e);
    json_decref(tg);
    if (arc != 0) goto done;
  }
  /* the ward's own, active ones */
  int rc;
  store_stmt *s = store_prepare(c, &q_defs_all);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  while ((rc = store_step(s)) == STORE_ROW) {
    if (!store_col_int(s, 5)) continue;
    const char *code = store_col_text(s, 1);
    json_t *tg = json_loads(store_col_text(s, 4), 0, NULL);
    const json_t *def = json_object_get(set, code);
    if (!def_usable(set, code, def)) { /* unreadable or invalid (written by hand): left out, not a 500 */
      json_decref(tg);
      continue;
    }
    int arc = add_item(&x, code, store_col_text(s, 2), def, tg, false, "Phường định nghĩa", e);
    json_decref(tg);
    if (arc != 0) {
      store_reset(s);
      goto done;
    }
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto done;
  }
  char date[16];
  ind_key_iso(date_key, date);
  /* "live": the people and households were read from the live counts (indlive.h) */
  bool live = (x.loaded[IND_PEOPLE] || x.loaded[IND_HOUSEHOLDS]) &&
              (!x.loaded[IND_PEOPLE] || x.cubes[IND_PEOPLE].live) && (!x.loaded[IND_HOUSEHOLDS] || x.cubes[IND_HOUSEHOLDS].live);
  int64_t pending = 0;
  for (int b = 0; b < IND_BASE_COUNT; b++)
    if (x.loaded[b] && x.cubes[b].pending > pending) pending = x.cubes[b].pending;
  *out = json_pack("{s:O, s:s, s:O, s:s, s:I}", "unit", unit, "date", date, "items", x.items, "counted",
                   live ? "live" : "records", "pending", (json_int_t)pending);
  ret = *out ? 0 : APP_INTERNAL(e);
done:
  for (int b = 0; b < IND_BASE_COUNT; b++) ind_cube_free(&x.cubes[b]);
  json_decref(x.items);
  json_decref(unit);
  json_decref(set);
  return ret;
}

int ind_compute(store_conn *c, int64_t unit_id, int64_t date_key, json_t **out, app_err *e) {
  return compute_with(c, unit_id, date_key, NULL, NULL, out, e);
}

/* ---- ranking of the units below ---- */

static int by_percent(const void *a, const void *b) {
  const unit_row *x = a, *y = b;
  if ((x->den > 0) != (y->den > 0)) return x->den > 0 ? -1 : 1; /* nobody to count: last */
  if (x->pct != y->pct) return x->pct > y->pct ? -1 : 1;
  if (x->num != y->num) return x->num > y->num ? -1 : 1;
  return strcmp(x->name, y->name);
}

int ind_ranking(store_conn *c, const char *code, int64_t unit_id, int64_t date_key, json_t **out, app_err *e) {
  *out = NULL;
  pthread_once(&parse_once, parse_catalogue);
  int ret = -1, n = 0;
  unit_row *rows = NULL;
  ind_cube *cubes = NULL;
  json_t *set = NULL, *targets = NULL, *items = NULL, *unit = NULL;
  const json_t *def = NULL;
  const char *name = NULL;
  char *stored_name = NULL;
  int idx = -1;
  if (ind_set_load(c, &set, e) != 0) goto done;
  if ((def = catalogue_def(code, &idx))) {
    name = ind_catalogue[idx].name;
    targets = catalogue_targets(&ind_catalogue[idx]);
  } else {
    store_stmt *s = store_prepare(c, &q_defs_all);
    if (!s) {
      APP_INTERNAL(e);
      goto done;
    }
    int rc;
    while ((rc = store_step(s)) == STORE_ROW)
      if (code && strcmp(store_col_text(s, 1), code) == 0 && store_col_int(s, 5)) {
        stored_name = strdup(store_col_text(s, 2));
        targets = json_loads(store_col_text(s, 4), 0, NULL);
      }
    store_reset(s);
    if (rc != STORE_DONE) {
      APP_INTERNAL(e);
      goto done;
    }
    name = stored_name;
    def = stored_name ? json_object_get(set, code) : NULL;
    if (def && !def_usable(set, code, def)) def = NULL;
  }
  if (!def || !name) {
    ret = app_fail(e, 404, "not_found", "code", "Không có chỉ tiêu đang dùng với mã này.");
    goto done;
  }
  int b = ind_base_of(json_string_value(json_object_get(def, "base")));
  if (b < 0) {
    APP_INTERNAL(e);
    goto done;
  }
  if (!(unit = unit_json(c, unit_id, e)) || children_of(c, unit_id, &rows, &n, e) != 0) goto done;
  /* today, from the live counts: every unit below in one read */
  int got = 0;
  if (n && atomic_load(&use_live) && date_key == groups_date_key(clock_now())) {
    int64_t *ids = malloc((size_t)n * sizeof *ids);
    cubes = calloc((size_t)n, sizeof *cubes);
    if (!ids || !cubes) {
      free(ids);
      APP_INTERNAL(e);
      goto done;
    }
    for (int i = 0; i < n; i++) ids[i] = rows[i].id;
    got = indlive_cubes_below(c, (ind_base)b, unit_id, ids, n, date_key, cubes, e);
    free(ids);
    if (got < 0) goto done;
  }
  for (int i = 0; i < n; i++) {
    ind_cube cube;
    if (got == 1) cube = cubes[i];
    else if (ind_cube_load(c, (ind_base)b, rows[i].id, date_key, &cube, e) != 0) goto done;
    ind_eval(set, def, &cube, &rows[i].num, &rows[i].den);
    ind_cube_free(&cube);
    if (got == 1) memset(&cubes[i], 0, sizeof cubes[i]);
    rows[i].pct = rows[i].den > 0 ? round(1000.0 * (double)rows[i].num / (double)rows[i].den) / 10.0 : 0;
  }
  if (n > 1) qsort(rows, (size_t)n, sizeof *rows, by_percent); /* none below: rows is NULL */
  int target = target_for(targets, (int)(date_key / 10000));
  items = json_array();
  int rank = 0;
  for (int i = 0; items && i < n; i++) {
    unit_row *r = &rows[i];
    bool counted = r->den > 0;
    if (counted && (i == 0 || rows[i - 1].pct != r->pct)) rank = i + 1; /* ties share a rank: 1, 2, 2, 4 */
    json_t *gap = json_null(), *met = json_null();
    if (target >= 0 && counted) {
      gap = json_real(r->pct >= target ? 0.0 : round(10.0 * (target - r->pct)) / 10.0);
      met = json_boolean(r->pct >= target);
    }
    json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o}", "unit_id", (json_int_t)r->id,
                                           "name", r->name, "kind", r->kind, "numerator", (json_int_t)r->num,
                                           "denominator", (json_int_t)r->den, "percent",
                                           counted ? json_real(r->pct) : json_null(), "gap", gap, "met", met, "rank",
                                           counted ? json_integer(rank) : json_null()));
  }
  char date[16];
  ind_key_iso(date_key, date);
  *out = items ? json_pack("{s:{s:s, s:s, s:s, s:o}, s:O, s:s, s:O}", "indicator", "code", code, "name", name, "base",
                           bases[b].code, "target", target >= 0 ? json_integer(target) : json_null(), "unit", unit,
                           "date", date, "items", items)
               : NULL;
  ret = *out ? 0 : APP_INTERNAL(e);
done:
  for (int i = 0; cubes && i < n; i++) ind_cube_free(&cubes[i]);
  free(cubes);
  children_free(rows, n);
  free(stored_name);
  json_decref(set);
  json_decref(targets);
  json_decref(items);
  json_decref(unit);
  return ret;
}

/* ---- quarters: snapshots and history ---- */

enum { SNAPSHOT_CHUNK = 50 };

STORE_SQL(q_units_all, "SELECT id FROM units WHERE id > ? ORDER BY id LIMIT ?");
STORE_SQL(q_snap_has, "SELECT 1 FROM indicator_snapshots WHERE quarter = ? AND unit_id = ? LIMIT 1");
STORE_SQL(q_snap_insert, "INSERT INTO indicator_snapshots (quarter, unit_id, code, name, base, numerator, denominator,"
                         " target, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                         " ON CONFLICT (quarter, unit_id, code) DO NOTHING");
STORE_SQL(q_history, "SELECT quarter, numerator, denominator, target, name FROM indicator_snapshots"
                     " WHERE unit_id = ? AND code = ? ORDER BY quarter");

int64_t ind_quarter_end(const char *q) {
  if (!q || strlen(q) != 7 || q[4] != '-' || q[5] != 'Q' || q[6] < '1' || q[6] > '4') return -1;
  int y = digits(q, 4);
  if (y < 2020 || y > 2100) return -1;
  static const int ends[4] = {331, 630, 930, 1231};
  return (int64_t)y * 10000 + ends[q[6] - '1'];
}

void ind_last_quarter(int64_t today_key, char out[8]) {
  int y = (int)(today_key / 10000), m = (int)(today_key / 100 % 100);
  int q = (m - 1) / 3; /* the quarter under way, 0-based; the one before it has ended */
  if (q == 0) {
    y--;
    q = 4;
  }
  int yy = y < 0 ? 0 : y % 10000;
  out[0] = (char)('0' + yy / 1000);
  out[1] = (char)('0' + yy / 100 % 10);
  out[2] = (char)('0' + yy / 10 % 10);
  out[3] = (char)('0' + yy % 10);
  out[4] = '-';
  out[5] = 'Q';
  out[6] = (char)('0' + q);
  out[7] = '\0';
}

/* One unit's rows, computed on a reader. */
static int snapshot_rows(store *st, const indlive_recounted *counted, int64_t unit_id, int64_t date_key, json_t **items,
                         char *err, size_t errlen) {
  *items = NULL;
  store_conn *c = store_acquire(st, false);
  if (!c) {
    snprintf(err, errlen, "no database connection");
    return -1;
  }
  json_t *o = NULL;
  app_err e = {0};
  const ind_cube *people = indlive_recounted_cube(counted, unit_id, IND_PEOPLE);
  const ind_cube *households = indlive_recounted_cube(counted, unit_id, IND_HOUSEHOLDS);
  int rc = store_read_snapshot(c) == STORE_OK
               ? compute_with(c, unit_id, date_key, people, people ? households : NULL, &o, &e)
               : -1;
  if (store_in_transaction(c)) store_rollback(c);
  store_release(c);
  if (rc != 0) {
    snprintf(err, errlen, "unit %lld: %s", (long long)unit_id, e.message ? e.message : "cannot compute");
    return -1;
  }
  *items = json_incref(json_object_get(o, "items"));
  json_decref(o);
  return 0;
}

/* Writes the computed rows of n units in one short transaction on the writer (rows already there
 * stay as they are). */
static int snapshot_write(store *st, const char *quarter, const int64_t *ids, json_t *const *rows, int n, char *err,
                          size_t errlen) {
  store_conn *w = store_acquire(st, true);
  int64_t now = clock_now();
  bool ok = w && store_begin(w) == STORE_OK;
  for (int i = 0; ok && i < n; i++) {
    size_t k;
    json_t *it;
    json_array_foreach(rows[i], k, it) {
      store_stmt *ins = store_prepare(w, &q_snap_insert);
      if (!ins) {
        ok = false;
        break;
      }
      json_t *tg = json_object_get(it, "target");
      store_bind_text(ins, 1, quarter);
      store_bind_int(ins, 2, ids[i]);
      store_bind_text(ins, 3, json_string_value(json_object_get(it, "code")));
      store_bind_text(ins, 4, json_string_value(json_object_get(it, "name")));
      store_bind_text(ins, 5, json_string_value(json_object_get(it, "base")));
      store_bind_int(ins, 6, json_integer_value(json_object_get(it, "numerator")));
      store_bind_int(ins, 7, json_integer_value(json_object_get(it, "denominator")));
      if (json_is_integer(tg))
        store_bind_int(ins, 8, json_integer_value(tg));
      else
        store_bind_null(ins, 8);
      store_bind_int(ins, 9, now);
      int irc = store_step(ins);
      store_reset(ins);
      if (irc != STORE_DONE) {
        ok = false;
        break;
      }
    }
  }
  int ret = 0;
  if (!ok || store_commit(w) != STORE_OK) {
    snprintf(err, errlen, "cannot write the snapshot: %s", w ? store_errmsg(w) : "no writer");
    ret = -1;
  }
  if (w) store_release(w);
  return ret;
}

int ind_snapshot_one(store *st, const char *quarter, int64_t today_key, int64_t unit_id, char *err, size_t errlen) {
  int64_t end = ind_quarter_end(quarter);
  if (end < 0 || end >= today_key) {
    snprintf(err, errlen, "quarter %s: not one, or not ended", quarter ? quarter : "");
    return -1;
  }
  json_t *rows = NULL;
  if (snapshot_rows(st, NULL, unit_id, end, &rows, err, errlen) != 0) return -1;
  int rc = snapshot_write(st, quarter, &unit_id, &rows, 1, err, errlen);
  json_decref(rows);
  return rc;
}

/* The people and households of every unit on `end`, counted in one pass (on a reader, in one
 * consistent read): a unit's own count costs its subtree, every unit's the city times its depth. */
static indlive_recounted *recount_on(store *st, int64_t end, atomic_bool *stop, char *err, size_t errlen) {
  store_conn *c = store_acquire(st, false);
  indlive_recounted *r = c && store_read_consistent(c) == STORE_OK ? indlive_recount(c, end, stop) : NULL;
  if (!r) snprintf(err, errlen, "cannot count the records: %s", c ? store_errmsg(c) : "no database connection");
  if (c && store_in_transaction(c)) store_rollback(c);
  if (c) store_release(c);
  return r;
}

int ind_snapshot_take(store *st, const char *quarter, int64_t today_key, atomic_bool *stop, int64_t *written,
                      char *err, size_t errlen) {
  *written = 0;
  int64_t end = ind_quarter_end(quarter);
  if (end < 0) {
    snprintf(err, errlen, "\"%s\" is not a quarter (YYYY-Qn)", quarter ? quarter : "");
    return -1;
  }
  if (end >= today_key) {
    snprintf(err, errlen, "quarter %s has not ended", quarter);
    return -1;
  }
  indlive_recounted *counted = NULL; /* counted once, when a unit is first found without its figures */
  int ret = 0;
  int64_t after = 0;
  while (ret == 0 && !(stop && atomic_load(stop))) {
    int64_t ids[SNAPSHOT_CHUNK];
    json_t *rows[SNAPSHOT_CHUNK];
    int n = 0;
    /* which units of the next chunk are still to take (on a reader) */
    store_conn *c = store_acquire(st, false);
    if (!c) {
      snprintf(err, errlen, "no database connection");
      ret = -1;
      break;
    }
    store_stmt *s = store_prepare(c, &q_units_all);
    int rc = s ? STORE_OK : STORE_ERROR;
    int64_t listed[SNAPSHOT_CHUNK];
    int nlisted = 0;
    if (s) {
      store_bind_int(s, 1, after);
      store_bind_int(s, 2, SNAPSHOT_CHUNK);
      while ((rc = store_step(s)) == STORE_ROW) listed[nlisted++] = store_col_int(s, 0);
      store_reset(s);
    }
    for (int i = 0; rc == STORE_DONE && i < nlisted; i++) {
      store_stmt *h = store_prepare(c, &q_snap_has);
      if (!h) {
        rc = STORE_ERROR;
        break;
      }
      store_bind_text(h, 1, quarter);
      store_bind_int(h, 2, listed[i]);
      int hr = store_step(h);
      store_reset(h);
      if (hr == STORE_DONE) ids[n++] = listed[i];
      else if (hr != STORE_ROW) rc = STORE_ERROR;
    }
    store_release(c);
    if (rc != STORE_DONE) {
      snprintf(err, errlen, "cannot list the units");
      ret = -1;
      break;
    }
    if (nlisted == 0) break;
    after = listed[nlisted - 1];
    if (n && !counted && !(counted = recount_on(st, end, stop, err, errlen))) {
      ret = stop && atomic_load(stop) ? 0 : -1; /* stopped: the next start completes it */
      break;
    }
    /* their figures, with nothing held */
    int computed = 0;
    for (; computed < n && !(stop && atomic_load(stop)); computed++)
      if (snapshot_rows(st, counted, ids[computed], end, &rows[computed], err, errlen) != 0) break;
    if (computed == n && n) {
      /* written in one short transaction on the writer */
      ret = snapshot_write(st, quarter, ids, rows, n, err, errlen);
      if (ret == 0) *written += n;
    } else if (computed < n && !(stop && atomic_load(stop))) {
      ret = -1;
    }
    for (int i = 0; i < computed; i++) json_decref(rows[i]);
  }
  indlive_recounted_free(counted);
  return ret;
}

int ind_history(store_conn *c, int64_t unit_id, const char *code, json_t **out, app_err *e) {
  *out = NULL;
  json_t *items = json_array(), *unit = NULL;
  char *name = NULL;
  int ret = -1;
  if (!items) {
    APP_INTERNAL(e);
    goto done;
  }
  if (!(unit = unit_json(c, unit_id, e))) goto done;
  int rc;
  store_stmt *s = store_prepare(c, &q_history);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  store_bind_int(s, 1, unit_id);
  store_bind_text(s, 2, code);
  while ((rc = store_step(s)) == STORE_ROW) {
    const char *q = store_col_text(s, 0);
    int64_t num = store_col_int(s, 1), den = store_col_int(s, 2), end = ind_quarter_end(q);
    bool has_target = !store_col_is_null(s, 3);
    int64_t target = store_col_int(s, 3);
    if (!name) name = strdup(store_col_text(s, 4));
    char date[16];
    ind_key_iso(end, date);
    json_t *pct = percent_or_null(num, den);
    json_t *met = has_target && den > 0 ? json_boolean(json_real_value(pct) >= (double)target) : json_null();
    json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o}", "quarter", q, "date", date, "numerator",
                                           (json_int_t)num, "denominator", (json_int_t)den, "percent", pct, "target",
                                           has_target ? json_integer(target) : json_null(), "met", met));
  }
  store_reset(s);
  if (rc != STORE_DONE) {
    APP_INTERNAL(e);
    goto done;
  }
  if (!name) {
    /* no snapshot yet: the indicator must still exist */
    int idx;
    json_t *set = NULL;
    if (catalogue_def(code, &idx)) {
      name = strdup(ind_catalogue[idx].name);
    } else {
      store_stmt *d = store_prepare(c, &q_defs_all);
      int drc = d ? STORE_ROW : STORE_ERROR;
      while (d && (drc = store_step(d)) == STORE_ROW)
        if (!name && strcmp(store_col_text(d, 1), code) == 0) name = strdup(store_col_text(d, 2));
      if (d) store_reset(d);
      (void)drc;
    }
    json_decref(set);
    if (!name) {
      ret = app_fail(e, 404, "not_found", "code", "Không có chỉ tiêu với mã này.");
      goto done;
    }
  }
  *out = json_pack("{s:O, s:{s:s, s:s}, s:O}", "unit", unit, "indicator", "code", code, "name", name, "items", items);
  ret = *out ? 0 : APP_INTERNAL(e);
done:
  free(name);
  json_decref(items);
  json_decref(unit);
  return ret;
}

/* ---- commendation candidates ---- */

STORE_SQL(q_rule_insert, "INSERT INTO commendation_rules (name, rule, created_by, created_at) VALUES (?, ?, ?, ?)"
                         " RETURNING id");
STORE_SQL(q_rules_all, "SELECT id, name, rule FROM commendation_rules ORDER BY id");

/* The indicator `code` exists (the catalogue's, or an active stored one). */
static bool code_known(store_conn *c, const char *code) {
  if (catalogue_def(code, NULL)) return true;
  json_t *set = NULL;
  app_err e = {0};
  bool known = ind_set_load(c, &set, &e) == 0 && code && json_object_get(set, code);
  json_decref(set);
  return known;
}

int ind_rule_add(store_conn *w, const char *name, const json_t *rule, int64_t user_id, int64_t now, int64_t *id,
                 app_err *e) {
  *id = 0;
  const char *kind = json_string_value(json_object_get(rule, "kind"));
  if (!json_is_object(rule) || !kind)
    return app_fail(e, 400, "invalid_value", "rule", "Tiêu chí cần kind: all_met, top, at_least hoặc mentors_top.");
  static _Thread_local char msg[160];
  if (strcmp(kind, "all_met") == 0) {
    const json_t *codes = json_object_get(rule, "codes");
    if (codes && (!json_is_array(codes) || json_array_size(codes) > 50))
      return app_fail(e, 400, "invalid_value", "rule.codes", "codes là danh sách mã chỉ tiêu (tối đa 50).");
    size_t i;
    const json_t *v;
    json_array_foreach(codes, i, v) if (!code_known(w, json_string_value(v))) {
      snprintf(msg, sizeof msg, "Không có chỉ tiêu mã \"%s\".", json_is_string(v) ? json_string_value(v) : "?");
      return app_fail(e, 400, "invalid_value", "rule.codes", msg);
    }
  } else if (strcmp(kind, "top") == 0 || strcmp(kind, "at_least") == 0) {
    const char *code = json_string_value(json_object_get(rule, "code"));
    if (!code_known(w, code)) {
      snprintf(msg, sizeof msg, "Không có chỉ tiêu mã \"%s\".", code ? code : "?");
      return app_fail(e, 400, "invalid_value", "rule.code", msg);
    }
    const json_t *n = json_object_get(rule, strcmp(kind, "top") == 0 ? "count" : "percent");
    int64_t lo = strcmp(kind, "top") == 0 ? 1 : 0, hi = 100;
    if (!json_is_integer(n) || json_integer_value(n) < lo || json_integer_value(n) > hi)
      return app_fail(e, 400, "invalid_value", strcmp(kind, "top") == 0 ? "rule.count" : "rule.percent",
                      strcmp(kind, "top") == 0 ? "count là số đơn vị từ 1 đến 100." : "percent là số phần trăm từ 0 đến 100.");
  } else if (strcmp(kind, "mentors_top") == 0) {
    const json_t *n = json_object_get(rule, "count");
    if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > 100)
      return app_fail(e, 400, "invalid_value", "rule.count", "count là số đại sứ số từ 1 đến 100.");
  } else {
    return app_fail(e, 400, "invalid_value", "rule.kind", "kind là all_met, top, at_least hoặc mentors_top.");
  }
  char *text = json_dumps(rule, JSON_COMPACT | JSON_SORT_KEYS);
  store_stmt *s = text ? store_prepare(w, &q_rule_insert) : NULL;
  if (!s) {
    free(text);
    return APP_INTERNAL(e);
  }
  store_bind_text(s, 1, name);
  store_bind_text(s, 2, text);
  store_bind_id(s, 3, user_id);
  store_bind_int(s, 4, now);
  int rc = store_insert_id(s, id);
  free(text);
  return rc == STORE_DONE ? 0 : APP_INTERNAL(e);
}

/* Đại sứ số in office in the subtree, by how many of the people they have guided (their mentees,
 * now or before, assigned by the date) had learned by the date: most first. */
STORE_SQL(q_mentors_learned,
          "SELECT a.person_id, mp.full_name, a.unit_id, COUNT(DISTINCT m.mentee_id) FROM ambassadors a"
          " JOIN people mp ON mp.id = a.person_id JOIN units u ON u.id = a.unit_id"
          " JOIN mentorships m ON m.ambassador_id = a.id JOIN people p ON p.id = m.mentee_id CROSS JOIN " IND_RK_SQL
          " WHERE a.kind = 'mentor' AND a.ended_at IS NULL AND mp.deleted_at IS NULL AND p.deleted_at IS NULL"
          " AND m.started_at < rk_.e AND u.path >= ? AND u.path < ? AND (" IND_PEOPLE_F_SQL " & 7) <> 0"
          " GROUP BY a.person_id, mp.full_name, a.unit_id ORDER BY 4 DESC, 2, 1");

/* The `count` mentors of the subtree whose mentees learned most, ties included (mentors_top). */
static int mentors_top(store_conn *c, int64_t unit_id, int64_t date_key, int count, json_t *cands) {
  arena a;
  arena_init(&a);
  const char *lo = NULL;
  app_err e = {0};
  int ret = -1;
  if (units_path(c, unit_id, &a, &lo, &e) != 0) goto done;
  size_t n = strlen(lo);
  char *hi = arena_strndup(&a, lo, n);
  if (!hi) goto done;
  if (n) hi[n - 1] = '0';
  store_stmt *s = store_prepare(c, &q_mentors_learned);
  if (!s) goto done;
  store_bind_int(s, 1, date_key);
  store_bind_int(s, 2, day_end_epoch(date_key));
  store_bind_text(s, 3, lo);
  store_bind_text(s, 4, hi);
  int rc, rank = 0;
  int64_t last = -1;
  while ((rc = store_step(s)) == STORE_ROW) {
    int64_t learned = store_col_int(s, 3);
    if (learned != last) {
      if (rank >= count) break; /* the count-th best is passed: ties of it are in */
      last = learned;
    }
    rank++;
    char why[96];
    snprintf(why, sizeof why, "%lld người được hướng dẫn đã học", (long long)learned);
    json_t *cand = json_pack("{s:I, s:s, s:s, s:I}", "unit_id", (json_int_t)store_col_int(s, 2), "name",
                             store_col_text(s, 1), "why", why, "person_id", (json_int_t)store_col_int(s, 0));
    if (!cand || json_array_append_new(cands, cand) != 0) {
      rc = STORE_ERROR;
      break;
    }
  }
  store_reset(s);
  ret = rc == STORE_ROW || rc == STORE_DONE ? 0 : -1;
done:
  arena_free(&a);
  return ret;
}

static const json_t *item_code(const json_t *figs, const char *code) {
  size_t i;
  const json_t *it;
  json_array_foreach(json_object_get(figs, "items"), i, it) if (strcmp(json_string_value(json_object_get(it, "code")), code) == 0) return it;
  return NULL;
}

static double pct_of(const json_t *it) {
  const json_t *p = it ? json_object_get(it, "percent") : NULL;
  return json_is_number(p) ? json_number_value(p) : -1;
}

/* A candidate of a criterion: the unit and why. */
static void candidate(json_t *cands, const unit_row *u, const char *why) {
  json_array_append_new(cands, json_pack("{s:I, s:s, s:s}", "unit_id", (json_int_t)u->id, "name", u->name, "why", why));
}

int ind_commendations(store_conn *c, int64_t unit_id, int64_t date_key, json_t **out, app_err *e) {
  *out = NULL;
  int ret = -1, n = 0, rc;
  unit_row *kids = NULL;
  json_t *rules = json_array(), *unit = NULL;
  if (!rules) {
    APP_INTERNAL(e);
    goto done;
  }
  if (!(unit = unit_json(c, unit_id, e))) goto done;
  store_stmt *s = store_prepare(c, &q_rules_all);
  if (!s) {
    APP_INTERNAL(e);
    goto done;
  }
  json_t *all = json_array();
  while (all && (rc = store_step(s)) == STORE_ROW)
    json_array_append_new(all, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)store_col_int(s, 0), "name",
                                         store_col_text(s, 1), "rule", store_col_text(s, 2)));
  store_reset(s);
  if (!all || rc != STORE_DONE) {
    json_decref(all);
    APP_INTERNAL(e);
    goto done;
  }
  /* The figures of the units below, only when a criterion is about units (the dashboard asks on
   * every view: with no such criterion, a ward of 2,000 tổ is not counted for nothing). */
  size_t ri;
  json_t *r;
  bool about_units = false;
  json_array_foreach(all, ri, r) {
    json_t *rule = json_loads(json_string_value(json_object_get(r, "rule")), 0, NULL);
    const char *kind = json_string_value(json_object_get(rule, "kind"));
    if (!kind || strcmp(kind, "mentors_top") != 0) about_units = true;
    json_decref(rule);
  }
  if (about_units && children_of(c, unit_id, &kids, &n, e) != 0) {
    json_decref(all);
    goto done;
  }
  for (int i = 0; i < n; i++)
    if (ind_compute(c, kids[i].id, date_key, &kids[i].figs, e) != 0) {
      json_decref(all);
      goto done;
    }
  json_array_foreach(all, ri, r) {
    json_t *rule = json_loads(json_string_value(json_object_get(r, "rule")), 0, NULL);
    const char *kind = json_string_value(json_object_get(rule, "kind"));
    json_t *cands = json_array();
    const char *code = json_string_value(json_object_get(rule, "code"));
    if (kind && strcmp(kind, "all_met") == 0) {
      const json_t *codes = json_object_get(rule, "codes");
      for (int i = 0; i < n; i++) {
        bool ok = true, any = false;
        size_t k;
        json_t *it;
        json_array_foreach(json_object_get(kids[i].figs, "items"), k, it) {
          const char *ic = json_string_value(json_object_get(it, "code"));
          bool listed = !codes || json_array_size(codes) == 0;
          size_t m;
          json_t *cv;
          json_array_foreach(codes, m, cv) if (strcmp(json_string_value(cv), ic) == 0) listed = true;
          if (!listed) continue;
          if (!codes && json_is_null(json_object_get(it, "target"))) continue; /* no target that year */
          any = true;
          if (!json_is_true(json_object_get(it, "met"))) ok = false;
        }
        if (ok && any) candidate(cands, &kids[i], "Đạt mọi chỉ tiêu của tiêu chí");
      }
    } else if (kind && code && strcmp(kind, "at_least") == 0) {
      double p = (double)json_integer_value(json_object_get(rule, "percent"));
      for (int i = 0; i < n; i++) {
        double v = pct_of(item_code(kids[i].figs, code));
        if (v >= 0 && v >= p) {
          char why[64];
          snprintf(why, sizeof why, "%s: %.1f%%", code, v);
          candidate(cands, &kids[i], why);
        }
      }
    } else if (kind && code && strcmp(kind, "top") == 0) {
      int count = (int)json_integer_value(json_object_get(rule, "count"));
      /* the count-th best percentage: every unit at or above it (ties included) */
      double *v = n ? malloc((size_t)n * sizeof *v) : NULL;
      int m = 0;
      for (int i = 0; v && i < n; i++) {
        double x = pct_of(item_code(kids[i].figs, code));
        if (x >= 0) v[m++] = x;
      }
      for (int a = 0; a < m; a++) /* descending; a few dozen units */
        for (int b = a + 1; b < m; b++)
          if (v[b] > v[a]) {
            double t = v[a];
            v[a] = v[b];
            v[b] = t;
          }
      double bar = m ? v[(count < m ? count : m) - 1] : 101;
      free(v);
      for (int i = 0; i < n; i++) {
        double x = pct_of(item_code(kids[i].figs, code));
        if (x >= 0 && x >= bar) {
          char why[64];
          snprintf(why, sizeof why, "%s: %.1f%%", code, x);
          candidate(cands, &kids[i], why);
        }
      }
    }
    else if (kind && strcmp(kind, "mentors_top") == 0) {
      if (mentors_top(c, unit_id, date_key, (int)json_integer_value(json_object_get(rule, "count")), cands) != 0) {
        json_decref(cands);
        json_decref(rule);
        json_decref(all);
        APP_INTERNAL(e);
        goto done;
      }
    }
    json_array_append_new(rules, json_pack("{s:O, s:O, s:o, s:o}", "id", json_object_get(r, "id"), "name",
                                           json_object_get(r, "name"), "rule", rule ? rule : json_null(), "candidates", cands));
  }
  json_decref(all);
  char date[16];
  ind_key_iso(date_key, date);
  *out = json_pack("{s:O, s:s, s:O}", "unit", unit, "date", date, "rules", rules);
  ret = *out ? 0 : APP_INTERNAL(e);
done:
  children_free(kids, n);
  json_decref(rules);
  json_decref(unit);
  return ret;
}

/* ---- for the lists of those left behind (indicators_left.c) ---- */

int ind_def_find(store_conn *c, const char *code, json_t **set, const json_t **def, char **name, app_err *e) {
  *set = NULL;
  *def = NULL;
  *name = NULL;
  pthread_once(&parse_once, parse_catalogue);
  if (ind_set_load(c, set, e) != 0) return -1;
  int idx = -1;
  const json_t *d = catalogue_def(code, &idx);
  if (d) {
    *name = strdup(ind_catalogue[idx].name);
  } else if (code) {
    store_stmt *s = store_prepare(c, &q_defs_all);
    int rc = s ? STORE_ROW : STORE_ERROR;
    while (s && (rc = store_step(s)) == STORE_ROW)
      if (!*name && strcmp(store_col_text(s, 1), code) == 0 && store_col_int(s, 5)) *name = strdup(store_col_text(s, 2));
    if (s) store_reset(s);
    if (rc != STORE_DONE) {
      free(*name);
      *name = NULL;
      json_decref(*set);
      *set = NULL;
      return APP_INTERNAL(e);
    }
    d = *name ? json_object_get(*set, code) : NULL;
    if (d && !def_usable(*set, code, d)) d = NULL;
  }
  if (!d || !*name) {
    free(*name);
    *name = NULL;
    json_decref(*set);
    *set = NULL;
    return app_fail(e, 404, "not_found", "code", "Không có chỉ tiêu đang dùng với mã này.");
  }
  *def = d;
  return 0;
}

int64_t ind_date_end(int64_t date_key) { return day_end_epoch(date_key); }

/* synth.c: the deterministic synthetic population (see synth.h).
 * Owns: the generator state, including the per-bucket counters behind unique CCCD numbers and
 * the per-prefix counters behind (mostly) unique phone numbers. Never: uses rand(), floating
 * point, the clock or anything that differs between platforms; keeps people in memory beyond
 * the household being streamed.
 */
#include "domain/synth.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ==== the PRNG: xoshiro256** seeded by splitmix64 (both public domain, Vigna & Blackman) ==== */

typedef struct {
  uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static uint64_t mix64(uint64_t x) { return splitmix64(&x); }

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

/* Uniform in [0, n), n > 0. The modulo bias (n / 2^64) is far below anything a test can see. */
static int64_t below(rng *r, int64_t n) { return (int64_t)(rng_next(r) % (uint64_t)n); }
static bool chance(rng *r, int per_mille) { return below(r, 1000) < per_mille; }
static int uniform(rng *r, int lo, int hi) { return lo + (int)below(r, hi - lo + 1); }
/* Triangular on [lo, hi], peaking in the middle. */
static int tri(rng *r, int lo, int hi) { return lo + (int)((below(r, hi - lo + 1) + below(r, hi - lo + 1)) / 2); }
/* On [lo, hi], most likely at lo and falling to hi (the smaller of two uniform draws). */
static int falling(rng *r, int lo, int hi) {
  int a = uniform(r, lo, hi), b = uniform(r, lo, hi);
  return a < b ? a : b;
}

typedef struct {
  const char *s;
  int w;
} weighted;

static int pick_index(rng *r, const weighted *t, int n) {
  int total = 0;
  for (int i = 0; i < n; i++) total += t[i].w;
  int x = (int)below(r, total);
  for (int i = 0; i < n; i++) {
    if (x < t[i].w) return i;
    x -= t[i].w;
  }
  return n - 1;
}
#define PICK(r, t) pick_index((r), (t), (int)(sizeof(t) / sizeof((t)[0])))
#define NELEM(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* ==== names (NFC literals) ==== */

/* Surnames by their rough weight in northern Vietnam (per 10,000); Nguyễn about 38%. */
static const weighted surnames[] = {
    {"Nguyễn", 3450}, {"Trần", 1050}, {"Lê", 900},  {"Phạm", 700},  {"Hoàng", 420}, {"Huỳnh", 40},
    {"Vũ", 450},      {"Võ", 50},     {"Đặng", 200}, {"Bùi", 220},  {"Đỗ", 200},    {"Hồ", 100},
    {"Ngô", 150},     {"Dương", 120}, {"Lý", 50},    {"Đinh", 110}, {"Đào", 100},   {"Phan", 110},
    {"Trương", 60},   {"Mạc", 40},    {"Cao", 50},   {"Lương", 50}, {"Đoàn", 70},   {"Trịnh", 70},
    {"Tạ", 30},       {"Lưu", 40},    {"Hà", 50},    {"Chu", 30},   {"Tô", 30},     {"Vương", 20},
    {"Lại", 20},      {"Nhữ", 15},    {"Kiều", 15},  {"Phí", 15},   {"Quách", 15},  {"Thái", 15},
};

/* Middle names by sex and generation (born before 1975, 1975–1999, 2000 on). */
static const weighted mid_m_old[] = {{"Văn", 60}, {"Đức", 8},   {"Hữu", 6},  {"Đình", 6},  {"Xuân", 5}, {"Quang", 5},
                                     {"Công", 5}, {"Minh", 5},  {"Thanh", 4}, {"Ngọc", 3}, {"Trọng", 3}};
static const weighted mid_m_mid[] = {{"Văn", 35},  {"Đức", 10}, {"Minh", 10}, {"Quang", 8}, {"Hữu", 5},
                                     {"Đình", 5},  {"Thanh", 6}, {"Tuấn", 3}, {"Mạnh", 4},  {"Xuân", 4},
                                     {"Công", 5},  {"Hoàng", 5}, {"Ngọc", 3}, {"Duy", 4}};
static const weighted mid_m_new[] = {{"Minh", 18}, {"Đức", 12}, {"Gia", 12},  {"Bảo", 10}, {"Văn", 10},
                                     {"Hoàng", 8}, {"Quang", 8}, {"Anh", 6},  {"Đăng", 6}, {"Tuấn", 4},
                                     {"Nhật", 4},  {"Hải", 4},  {"Trung", 4}, {"Thành", 4}};
static const weighted mid_f_old[] = {{"Thị", 80}, {"Thu", 4},  {"Thanh", 4}, {"Ngọc", 3},
                                     {"Kim", 3},  {"Minh", 2}, {"Hồng", 2},  {"Phương", 2}};
static const weighted mid_f_mid[] = {{"Thị", 55},   {"Thu", 8},  {"Thanh", 6}, {"Ngọc", 8}, {"Phương", 5},
                                     {"Hồng", 4},   {"Minh", 4}, {"Kim", 3},   {"Mai", 3},  {"Thùy", 4}};
static const weighted mid_f_new[] = {{"Ngọc", 14}, {"Thị", 14},  {"Bảo", 10},  {"Minh", 10}, {"Khánh", 10},
                                     {"Phương", 8}, {"Thu", 6},  {"Hà", 6},    {"Gia", 6},   {"Quỳnh", 6},
                                     {"Diệu", 5},  {"Thảo", 5},  {"Tuệ", 4},   {"An", 4}};
/* The second part of a double middle name after "Thị" ("Nguyễn Thị Thu Hà"). */
static const char *const thi_second[] = {"Thu", "Thanh", "Ngọc", "Minh", "Hồng", "Kim", "Phương", "Bích"};

static const char *const given_m[] = {
    "An",    "Anh",   "Bình",  "Cường", "Chiến", "Công",  "Dũng",  "Duy",   "Dương", "Đạt",   "Định",
    "Đông",  "Đức",   "Giang", "Hải",   "Hào",   "Hậu",   "Hiếu",  "Hiển",  "Hòa",   "Hoàng", "Hùng",
    "Hưng",  "Huy",   "Khánh", "Khang", "Khoa",  "Khôi",  "Kiên",  "Lâm",   "Lộc",   "Long",  "Luân",
    "Mạnh",  "Minh",  "Nam",   "Nghĩa", "Nguyên", "Phát", "Phong", "Phúc",  "Quân",  "Quang", "Quý",
    "Sơn",   "Tài",   "Tâm",   "Thái",  "Thắng", "Thành", "Thịnh", "Tiến",  "Toàn",  "Trung", "Trường",
    "Tú",    "Tuấn",  "Tùng",  "Việt",  "Vinh",  "Vũ"};
static const char *const given_f[] = {
    "An",    "Anh",   "Ánh",   "Chi",   "Dung",  "Duyên", "Diệp",  "Giang", "Hà",    "Hân",   "Hạnh",
    "Hằng",  "Hiền",  "Hoa",   "Hoài",  "Hồng",  "Huệ",   "Hương", "Hường", "Huyền", "Khuê",  "Lan",
    "Liên",  "Linh",  "Loan",  "Lụa",   "Ly",    "Mai",   "My",    "Nga",   "Ngân",  "Ngọc",  "Nhi",
    "Nhung", "Oanh",  "Phương", "Quyên", "Quỳnh", "Tâm",  "Thảo",  "Thơm",  "Thu",   "Thúy",  "Thủy",
    "Trang", "Trâm",  "Tươi",  "Uyên",  "Vân",   "Vy",    "Xuân",  "Yến"};

/* ==== places ==== */

#define WARD_NAME "Hải Dương"

/* Streets of the former wards Trần Hưng Đạo, Nhị Châu, Ngọc Châu and Quang Trung and around. */
static const char *const streets[] = {
    "phố Trần Hưng Đạo",    "đường Nguyễn Lương Bằng", "đường Lê Thanh Nghị", "phố Trần Phú",
    "phố Quang Trung",      "phố Bạch Đằng",           "phố Hồng Quang",      "phố Nguyễn Du",
    "phố Phạm Ngũ Lão",     "phố Tuy An",              "đường Điện Biên Phủ", "đường Nguyễn Trãi",
    "phố Chi Lăng",         "phố Hai Bà Trưng",        "phố Lê Lợi",          "phố Đinh Văn Tả",
    "đường Thanh Niên",     "phố Phạm Hồng Thái",      "phố Mạc Thị Bưởi",    "phố Bùi Thị Xuân",
    "phố Tam Giang",        "phố Xuân Đài",            "phố Đội Cấn",         "phố Ngô Quyền",
    "phố Nguyễn Thiện Thuật", "phố Lý Thường Kiệt",    "phố Trần Bình Trọng", "đường Nguyễn Văn Cừ",
    "phố Vũ Hựu",           "phố Nguyễn Hữu Cầu",      "phố Hoàng Văn Thụ",   "phố Phan Bội Châu",
    "đường Nguyễn Chí Thanh", "phố Lê Hồng Phong",     "phố Nhị Châu",        "phố Ngọc Châu",
    "phố An Thái",          "phố Đồng Xuân"};

/* The ward's offices: a fixed set whatever N, named as the demo ward's own units (demo.c) so that
 * `demo --residents` puts their staff there instead of beside them (one service centre, not two). */
static const struct {
  const char *kind, *code, *name;
  synth_role role;
} offices[] = {
    {"office", "VP-HDND-UBND", "Văn phòng HĐND và UBND phường", SYNTH_ROLE_CIVIL},
    {"office", "P-KTHTDT", "Phòng Kinh tế, Hạ tầng và Đô thị", SYNTH_ROLE_CIVIL},
    {"office", "P-VHXH", "Phòng Văn hóa - Xã hội", SYNTH_ROLE_CIVIL},
    {"service_center", "TTPVHCC", "Trung tâm phục vụ hành chính công phường", SYNTH_ROLE_CIVIL},
    {"public_center", "TTCUDVC", "Trung tâm Cung ứng dịch vụ công phường " WARD_NAME, SYNTH_ROLE_PUBLIC},
    {"police", "CA", "Công an phường " WARD_NAME, SYNTH_ROLE_POLICE},
};
#define N_OFFICES NELEM(offices)

static const char *const kg_names[] = {"Hoa Sen", "Ngọc Châu", "Nhị Châu", "Trần Hưng Đạo", "Quang Trung",
                                       "Hoa Mai", "Sao Mai",   "Tuổi Thơ", "Hoa Hồng",      "Bình Minh"};
static const char *const pri_names[] = {"Ngọc Châu",     "Nhị Châu",     "Trần Hưng Đạo", "Quang Trung",
                                        "Lê Hồng Phong", "Bình Minh",    "Thanh Bình",    "Tân Bình",
                                        "Hải Tân",       "Lê Thanh Nghị", "Phạm Ngũ Lão", "Nguyễn Du"};
static const char *const low_names[] = {"Ngọc Châu",   "Nhị Châu",   "Lê Quý Đôn", "Trần Hưng Đạo",
                                        "Quang Trung", "Võ Thị Sáu", "Chu Văn An", "Nguyễn Trãi"};
static const char *const up_names[] = {"Hồng Quang", "Nguyễn Trãi", "Hoàng Văn Thụ", "Nguyễn Du",
                                       "Ngô Quyền",  "Thành Đông",  "Marie Curie"};
static const char *const ent_sectors[] = {"May",      "Điện tử",  "Cơ khí",  "Thực phẩm",          "Bao bì",
                                          "Xây dựng", "Vận tải",  "Bánh kẹo", "Thương mại và Dịch vụ", "Gốm sứ",
                                          "In và Quảng cáo", "Dược phẩm", "Nội thất", "Giày da"};
static const char *const ent_places[] = {"Hải Dương", "Thành Đông", "Ngọc Châu", "Nhị Châu",  "Hồng Châu",
                                         "An Phát",   "Hưng Thịnh", "Bình Minh", "Đông Á",    "Việt Hưng",
                                         "Tân Phát",  "Hoàng Long", "Phúc Lộc",  "Minh Khang"};
static const char *const coop_kinds[] = {"Dịch vụ Nông nghiệp", "Vận tải",     "Rau an toàn",
                                         "Thủ công mỹ nghệ",    "Vệ sinh môi trường", "Dịch vụ Thương mại"};
static const char *const coop_places[] = {"Nhị Châu", "Ngọc Châu", "Thành Đông", "Quang Trung",
                                          "Trần Hưng Đạo", "Hải Dương", "Tân Hưng"};
static const char *const market_names[] = {"Hội Đô", "Ngọc Châu", "Nhị Châu", "Quang Trung", "Thanh Bình",
                                           "Phú Lương"};

/* Province codes of birth registration (index into cccd_provinces, looked up at start). */
static const weighted prov_adult[] = {{"030", 720}, {"031", 100}, {"033", 30}, {"034", 30}, {"027", 15},
                                      {"022", 15},  {"001", 25},  {"036", 15}, {"024", 10}, {"035", 5},
                                      {"037", 5},   {"038", 10},  {"040", 5},  {"079", 5},  {"*", 10}};
static const weighted prov_child[] = {{"030", 900}, {"031", 50}, {"001", 15}, {"033", 10}, {"034", 10},
                                      {"*", 15}};

/* Mobile prefixes by the rough share of their networks (Viettel, Vinaphone, MobiFone,
 * Vietnamobile, Gmobile). */
static const weighted phone_prefixes[] = {
    {"032", 30}, {"033", 30}, {"034", 30}, {"035", 30}, {"036", 30}, {"037", 30}, {"038", 30}, {"039", 30},
    {"086", 40}, {"096", 60}, {"097", 60}, {"098", 60}, {"081", 15}, {"082", 15}, {"083", 15}, {"084", 15},
    {"085", 15}, {"088", 20}, {"091", 50}, {"094", 40}, {"070", 15}, {"076", 10}, {"077", 15}, {"078", 10},
    {"079", 10}, {"089", 15}, {"090", 40}, {"093", 35}, {"052", 5},  {"056", 5},  {"058", 5},  {"092", 10},
    {"059", 3},  {"099", 3}};
#define N_PREFIXES NELEM(phone_prefixes)

/* ==== the generator ==== */

#define HH_MAX 12
#define N_CENTURY 4 /* century/sex digits 0–3: born 1900–2099 */
#define CCCD_SERIALS 1000000u
#define PHONE_SERIALS 10000000u

/* Who is counted for the non-residents who work in the ward. */
enum { CAT_TEACHER, CAT_PUBLIC, CAT_WORKER, CAT_COOP, CAT_N };
#define OUTSIDE_PER_MILLE 50 /* of each category live outside the ward */

typedef struct {
  int sex, age;
  const char *rel;
  int surname; /* index into surnames, -1: draw one */
} draft;

struct synth {
  int64_t n;
  uint64_t seed;
  rng r;
  int64_t residents_done, stt, households;
  /* units: counts per kind and the index of each kind's first unit */
  int64_t n_kg, n_pri, n_low, n_up, n_ent, n_coop, n_mkt, n_groups;
  int64_t b_kg, b_pri, b_low, b_up, b_ent, b_coop, b_mkt, b_groups, n_units;
  /* the household being streamed */
  synth_person hh[HH_MAX];
  int hh_len, hh_pos;
  /* the non-residents */
  int64_t cat_count[CAT_N], out_left[CAT_N];
  bool outsiders_planned;
  /* uniqueness by construction */
  int prov_index[NELEM(prov_adult)], prov_index_child[NELEM(prov_child)];
  uint32_t *cccd_used; /* [63][N_CENTURY][100]: serials handed out per bucket */
  uint32_t phone_used[N_PREFIXES];
  uint64_t cccd_key, phone_key;
};

static int province_index(const char *code) {
  for (int i = 0; i < cccd_provinces_count; i++)
    if (strcmp(cccd_provinces[i].code, code) == 0) return i;
  return -1; /* "*": any province, drawn uniformly */
}

synth *synth_new(long residents, uint64_t seed) {
  if (residents < 1 || residents > SYNTH_MAX_RESIDENTS) return NULL;
  synth *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->cccd_used = calloc((size_t)cccd_provinces_count * N_CENTURY * 100, sizeof *s->cccd_used);
  if (!s->cccd_used) {
    free(s);
    return NULL;
  }
  s->n = residents;
  s->seed = seed;
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) s->r.s[i] = splitmix64(&x);
  s->cccd_key = splitmix64(&x);
  s->phone_key = splitmix64(&x);
  for (int i = 0; i < NELEM(prov_adult); i++) s->prov_index[i] = province_index(prov_adult[i].s);
  for (int i = 0; i < NELEM(prov_child); i++) s->prov_index_child[i] = province_index(prov_child[i].s);

  /* Units by the ward's size (phường Hải Dương, 51,522 residents: 4 kindergartens, 5 primary,
   * 3 lower and 2 upper secondary schools, ~21 enterprises, 3 cooperatives, 2 markets, ~74 tổ). */
  int64_t n = residents;
  s->n_groups = (n + 350) / 700 > 0 ? (n + 350) / 700 : 1;
  s->n_kg = (n + 6000) / 12000 > 0 ? (n + 6000) / 12000 : 1;
  s->n_pri = (n + 5000) / 11000 > 0 ? (n + 5000) / 11000 : 1;
  s->n_low = (n + 7500) / 15000 > 0 ? (n + 7500) / 15000 : 1;
  s->n_up = (n + 12500) / 25000 > 0 ? (n + 12500) / 25000 : 1;
  s->n_ent = n / 2500 > 2 ? n / 2500 : 2;
  s->n_coop = n / 15000 > 1 ? n / 15000 : 1;
  s->n_mkt = n < 30000 ? 1 : n / 25000;
  s->b_kg = N_OFFICES;
  s->b_pri = s->b_kg + s->n_kg;
  s->b_low = s->b_pri + s->n_pri;
  s->b_up = s->b_low + s->n_low;
  s->b_ent = s->b_up + s->n_up;
  s->b_coop = s->b_ent + s->n_ent;
  s->b_mkt = s->b_coop + s->n_coop;
  s->b_groups = s->b_mkt + s->n_mkt;
  s->n_units = s->b_groups + s->n_groups;
  return s;
}

void synth_free(synth *s) {
  if (!s) return;
  free(s->cccd_used);
  free(s);
}

const char *synth_role_label(synth_role r) {
  switch (r) {
    case SYNTH_ROLE_NONE: return "";
    case SYNTH_ROLE_STUDENT: return "Học sinh";
    case SYNTH_ROLE_TEACHER: return "Giáo viên";
    case SYNTH_ROLE_CIVIL: return "Cán bộ, công chức";
    case SYNTH_ROLE_PUBLIC: return "Viên chức";
    case SYNTH_ROLE_POLICE: return "Cán bộ, chiến sĩ công an";
    case SYNTH_ROLE_WORKER: return "Người lao động";
    case SYNTH_ROLE_COOPERATIVE: return "Thành viên hợp tác xã";
    case SYNTH_ROLE_TRADER: return "Tiểu thương";
  }
  return "";
}

/* ==== units ==== */

long synth_units_count(const synth *s) { return (long)s->n_units; }
long synth_group_unit(const synth *s, long g) { return (long)(s->b_groups + g - 1); }

/* "Trường Tiểu học Ngọc Châu", then "… số 2" once the list of names is used up. */
static void numbered_name(synth_unit *u, const char *prefix, const char *const *names, int nnames, int64_t i) {
  if (i < nnames)
    snprintf(u->name, sizeof u->name, "%s %s", prefix, names[i]);
  else
    snprintf(u->name, sizeof u->name, "%s %s số %" PRId64, prefix, names[i % nnames], i / nnames + 1);
}

int synth_unit_get(const synth *s, long idx, synth_unit *u) {
  int64_t i = idx;
  if (i < 0 || i >= s->n_units) return -1;
  memset(u, 0, sizeof *u);
  if (i < N_OFFICES) {
    u->kind = offices[i].kind;
    snprintf(u->code, sizeof u->code, "%s", offices[i].code);
    snprintf(u->name, sizeof u->name, "%s", offices[i].name);
  } else if (i < s->b_pri) {
    i -= s->b_kg;
    u->kind = "school_kindergarten";
    snprintf(u->code, sizeof u->code, "MN%02d", (int)(i + 1));
    numbered_name(u, "Trường Mầm non", kg_names, NELEM(kg_names), i);
  } else if (i < s->b_low) {
    i -= s->b_pri;
    u->kind = "school_primary";
    snprintf(u->code, sizeof u->code, "TH%02d", (int)(i + 1));
    numbered_name(u, "Trường Tiểu học", pri_names, NELEM(pri_names), i);
  } else if (i < s->b_up) {
    i -= s->b_low;
    u->kind = "school_lower_secondary";
    snprintf(u->code, sizeof u->code, "THCS%02d", (int)(i + 1));
    numbered_name(u, "Trường THCS", low_names, NELEM(low_names), i);
  } else if (i < s->b_ent) {
    i -= s->b_up;
    u->kind = "school_upper_secondary";
    snprintf(u->code, sizeof u->code, "THPT%02d", (int)(i + 1));
    numbered_name(u, "Trường THPT", up_names, NELEM(up_names), i);
  } else if (i < s->b_coop) {
    i -= s->b_ent;
    u->kind = "enterprise";
    snprintf(u->code, sizeof u->code, "DN%03d", (int)(i + 1));
    /* (sector, place) pairs are distinct for i < 14 × 14 because gcd(14 + 1, 14) = 1 */
    int ns = NELEM(ent_sectors), np = NELEM(ent_places);
    int64_t q = i / ns, round = i / ((int64_t)ns * np);
    const char *form = i % 3 == 1 ? "Công ty Cổ phần" : "Công ty TNHH";
    const char *sector = ent_sectors[i % ns], *place = ent_places[(q + i) % np];
    if (round == 0)
      snprintf(u->name, sizeof u->name, "%s %s %s", form, sector, place);
    else
      snprintf(u->name, sizeof u->name, "%s %s %s số %" PRId64, form, sector, place, round + 1);
  } else if (i < s->b_mkt) {
    i -= s->b_coop;
    u->kind = "cooperative";
    snprintf(u->code, sizeof u->code, "HTX%02d", (int)(i + 1));
    /* (kind, place) pairs are distinct for i < 6 × 7: with i = 6q + r the place is (19q + 3r) mod 7,
     * one to one in q for each r */
    int nk = NELEM(coop_kinds), np = NELEM(coop_places);
    int64_t q = i / nk, round = i / ((int64_t)nk * np);
    const char *kind = coop_kinds[i % nk], *place = coop_places[(3 * i + q) % np];
    if (round == 0)
      snprintf(u->name, sizeof u->name, "Hợp tác xã %s %s", kind, place);
    else
      snprintf(u->name, sizeof u->name, "Hợp tác xã %s %s số %" PRId64, kind, place, round + 1);
  } else if (i < s->b_groups) {
    i -= s->b_mkt;
    u->kind = "market";
    snprintf(u->code, sizeof u->code, "CHO%02d", (int)(i + 1));
    numbered_name(u, "Chợ", market_names, NELEM(market_names), i);
  } else {
    i -= s->b_groups;
    u->kind = "residential_group";
    snprintf(u->code, sizeof u->code, "TDP%03d", (int)(i + 1));
    snprintf(u->name, sizeof u->name, "Tổ dân phố số %d", (int)(i + 1)); /* as the demo ward names them */
  }
  return 0;
}

long synth_units(const synth *s, synth_unit *out, long max) {
  for (long i = 0; i < max && i < s->n_units; i++) synth_unit_get(s, i, &out[i]);
  return (long)s->n_units;
}

/* ==== one person ==== */

static void make_name(synth *s, synth_person *p, int surname, int year) {
  rng *r = &s->r;
  if (surname < 0) surname = PICK(r, surnames);
  const weighted *mid;
  int nmid;
  if (p->sex == 'M') {
    mid = year < 1975 ? mid_m_old : year < 2000 ? mid_m_mid : mid_m_new;
    nmid = year < 1975 ? NELEM(mid_m_old) : year < 2000 ? NELEM(mid_m_mid) : NELEM(mid_m_new);
  } else {
    mid = year < 1975 ? mid_f_old : year < 2000 ? mid_f_mid : mid_f_new;
    nmid = year < 1975 ? NELEM(mid_f_old) : year < 2000 ? NELEM(mid_f_mid) : NELEM(mid_f_new);
  }
  const char *m1 = mid[pick_index(r, mid, nmid)].s, *m2 = NULL;
  if (p->sex == 'F' && strcmp(m1, "Thị") == 0 && chance(r, 180)) m2 = thi_second[below(r, NELEM(thi_second))];
  const char *given = p->sex == 'M' ? given_m[below(r, NELEM(given_m))] : given_f[below(r, NELEM(given_f))];
  if (strcmp(given, m1) == 0 || (m2 && strcmp(given, m2) == 0)) /* no "Minh Minh" */
    given = p->sex == 'M' ? given_m[below(r, NELEM(given_m))] : given_f[below(r, NELEM(given_f))];
  if (m2)
    snprintf(p->name, sizeof p->name, "%s %s %s %s", surnames[surname].s, m1, m2, given);
  else
    snprintf(p->name, sizeof p->name, "%s %s %s", surnames[surname].s, m1, given);
}

static void make_birth(synth *s, synth_person *p, int age) {
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int year = SYNTH_REF_YEAR - 1 - age; /* so the age at 1 January of the reference year is `age` */
  p->birth = (pdate){year, 0, 0};
  if (age >= 18 && chance(&s->r, age >= 60 ? 150 : 15)) return; /* a year alone, mostly the elderly's */
  int doy = (int)below(&s->r, pdate_leap(year) ? 366 : 365);
  for (int m = 0; m < 12; m++) {
    int len = mdays[m] + (m == 1 && pdate_leap(year));
    if (doy < len) {
      p->birth.month = m + 1;
      p->birth.day = doy + 1;
      return;
    }
    doy -= len;
  }
}

/* A CCCD consistent with birth year and sex, unique by construction: within each bucket
 * (province, century/sex digit, year mod 100) the n-th number handed out gets the serial
 * (a·n + b) mod 10^6, a bijection of [0, 10^6) keyed by the seed and the bucket. A full bucket
 * moves on to the next province. */
static void make_cccd(synth *s, synth_person *p, bool child, bool outsider) {
  rng *r = &s->r;
  int prov;
  if (outsider && chance(r, 300)) {
    prov = (int)below(r, cccd_provinces_count);
  } else if (child) {
    prov = s->prov_index_child[PICK(r, prov_child)];
  } else {
    prov = s->prov_index[PICK(r, prov_adult)];
  }
  if (prov < 0) prov = (int)below(r, cccd_provinces_count);
  int year = p->birth.year;
  int digit = (year - 1900) / 100 * 2 + (p->sex == 'F');
  int yy = year % 100;
  for (int tries = 0; tries < cccd_provinces_count; tries++) {
    size_t bucket = ((size_t)prov * N_CENTURY + (size_t)digit) * 100 + (size_t)yy;
    uint32_t k = s->cccd_used[bucket];
    if (k < CCCD_SERIALS) {
      s->cccd_used[bucket] = k + 1;
      uint64_t h = mix64(s->cccd_key ^ (uint64_t)bucket);
      uint64_t a = (h % CCCD_SERIALS) | 1;
      if (a % 5 == 0) a += 2; /* odd and not a multiple of 5: coprime to 10^6 */
      uint64_t b = (h >> 32) % CCCD_SERIALS;
      uint64_t serial = (a * k + b) % CCCD_SERIALS;
      memcpy(p->cccd, cccd_provinces[prov].code, 3);
      p->cccd[3] = (char)('0' + digit);
      p->cccd[4] = (char)('0' + yy / 10);
      p->cccd[5] = (char)('0' + yy % 10);
      for (int i = 11; i >= 6; i--, serial /= 10) p->cccd[i] = (char)('0' + serial % 10);
      p->cccd[12] = '\0';
      return;
    }
    prov = (prov + 1) % cccd_provinces_count;
  }
  /* Unreachable below SYNTH_MAX_RESIDENTS: 63 million people of one sex and birth year. */
  abort();
}

/* A mobile number: a network prefix and a 7-digit serial, (a·n + b) mod 10^7 per prefix, so
 * numbers are unique until a prefix has handed out 10 million. */
static void make_phone(synth *s, synth_person *p) {
  int i = PICK(&s->r, phone_prefixes);
  uint32_t k = s->phone_used[i]++;
  uint64_t h = mix64(s->phone_key ^ (uint64_t)i);
  uint64_t a = (h % PHONE_SERIALS) | 1;
  if (a % 5 == 0) a += 2;
  uint64_t serial = (a * (k % PHONE_SERIALS) + (h >> 32) % PHONE_SERIALS) % PHONE_SERIALS;
  snprintf(p->phone, sizeof p->phone, "%s%07u", phone_prefixes[i].s, (unsigned)serial);
}

static void contact(synth *s, synth_person *p, int age) {
  rng *r = &s->r;
  int has = age < 14 ? 0 : age < 18 ? 650 : age < 70 ? 930 : 700;
  if (chance(r, has)) make_phone(s, p);
  /* VNeID: level 2 for most adults; children under 14 only when a parent registered them */
  int l2, l1;
  if (age < 14) l2 = 150, l1 = 0;
  else if (age < 18) l2 = 600, l1 = 100;
  else if (age < 60) l2 = 800, l1 = 100;
  else if (age < 75) l2 = 600, l1 = 100;
  else l2 = 350, l1 = 100;
  int x = (int)below(r, 1000);
  p->vneid = x < l2 ? 2 : x < l2 + l1 ? 1 : 0;
}

static int64_t school_for_group(int64_t count, int64_t group, int64_t ngroups) {
  return (group - 1) * count / ngroups;
}

/* The unit of category `cat` for a member: teachers by school kind, staff by office. */
static void place_in_category(synth *s, synth_person *p, int cat) {
  rng *r = &s->r;
  switch (cat) {
    case CAT_TEACHER: {
      static const weighted kinds[] = {{"kg", 25}, {"pri", 35}, {"low", 25}, {"up", 15}};
      int k = PICK(r, kinds);
      int64_t base = k == 0 ? s->b_kg : k == 1 ? s->b_pri : k == 2 ? s->b_low : s->b_up;
      int64_t cnt = k == 0 ? s->n_kg : k == 1 ? s->n_pri : k == 2 ? s->n_low : s->n_up;
      p->unit = (long)(base + below(r, cnt));
      p->role = SYNTH_ROLE_TEACHER;
      break;
    }
    case CAT_PUBLIC: {
      static const weighted w[] = {{"vp", 25}, {"kt", 15}, {"vhxh", 12}, {"tthcc", 10}, {"ttcudv", 8}, {"ca", 30}};
      int k = PICK(r, w);
      p->unit = k;
      p->role = offices[k].role;
      break;
    }
    case CAT_WORKER:
      p->unit = (long)(s->b_ent + below(r, s->n_ent));
      p->role = SYNTH_ROLE_WORKER;
      break;
    case CAT_COOP:
      p->unit = (long)(s->b_coop + below(r, s->n_coop));
      p->role = SYNTH_ROLE_COOPERATIVE;
      break;
  }
  s->cat_count[cat]++;
}

static void place_trader(synth *s, synth_person *p) {
  p->unit = (long)(s->b_mkt + below(&s->r, s->n_mkt));
  p->role = SYNTH_ROLE_TRADER;
}

/* A resident's membership, by age (the reference date's school year for students). */
static void membership(synth *s, synth_person *p, int age) {
  rng *r = &s->r;
  p->unit = -1;
  p->role = SYNTH_ROLE_NONE;
  p->grade = 0;
  if (age >= 6 && age <= 17) {
    int grade = age - 5;
    if (!chance(r, grade <= 9 ? 985 : 820)) return; /* the rest study outside the ward */
    int64_t base = grade <= 5 ? s->b_pri : grade <= 9 ? s->b_low : s->b_up;
    int64_t cnt = grade <= 5 ? s->n_pri : grade <= 9 ? s->n_low : s->n_up;
    p->unit = (long)(base + school_for_group(cnt, p->group, s->n_groups));
    p->role = SYNTH_ROLE_STUDENT;
    p->grade = grade;
    return;
  }
  int x = (int)below(r, 1000);
  if (age >= 18 && age <= 21) {
    if (x < 250) place_in_category(s, p, CAT_WORKER);
    else if (x < 270) place_trader(s, p);
  } else if (age >= 22 && age <= 59) {
    int teach = p->sex == 'F' ? 30 : 10, pub = p->sex == 'M' ? 8 : 5;
    if (x < teach) place_in_category(s, p, CAT_TEACHER);
    else if ((x -= teach) < pub) place_in_category(s, p, CAT_PUBLIC);
    else if ((x -= pub) < 200) place_in_category(s, p, CAT_WORKER);
    else if ((x -= 200) < 25) place_in_category(s, p, CAT_COOP);
    else if ((x -= 25) < 30 && age >= 25) place_trader(s, p);
  } else if (age >= 60 && age <= 69) {
    if (x < 20) place_trader(s, p);
    else if (x < 35) place_in_category(s, p, CAT_COOP);
  }
}

/* ==== households ==== */

/* Children of a mother aged mother_age: 1–4 born from her 20s on, 2–7 years apart; those not
 * yet born or over 30 (moved out) are left out. */
static void add_children(synth *s, draft *d, int *n, int mother_age, int surname, const char *rel) {
  static const weighted count[] = {{"1", 28}, {"2", 50}, {"3", 18}, {"4", 4}};
  rng *r = &s->r;
  int k = PICK(r, count) + 1;
  int age = mother_age - uniform(r, 20, 31);
  for (int i = 0; i < k && *n < HH_MAX; i++) {
    if (age >= 0 && age <= 30) d[(*n)++] = (draft){chance(r, 512) ? 'M' : 'F', age, rel, surname};
    age -= uniform(r, 2, 7);
  }
}

static int spouse_age(rng *r, int husband_age, int min) {
  int a = husband_age - uniform(r, -1, 6);
  return a < min ? min : a;
}

/* Draws one household into d (head first); returns its size. */
static int draft_household(synth *s, draft *d) {
  rng *r = &s->r;
  static const weighted types[] = {{"single adult", 55},  {"single elderly", 40}, {"elderly couple", 45},
                                   {"young couple", 45},  {"parents and children", 500},
                                   {"three generations", 130}, {"elderly head, married child", 70},
                                   {"single parent", 30}};
  int n = 0;
  int sur = PICK(r, surnames);
  switch (PICK(r, types)) {
    case 0: { /* single adult */
      int sex = chance(r, 550) ? 'M' : 'F';
      d[n++] = (draft){sex, tri(r, 22, 59), "Chủ hộ", sur};
      break;
    }
    case 1: /* single elderly, mostly widows */
      d[n++] = (draft){chance(r, 250) ? 'M' : 'F', falling(r, 60, 98), "Chủ hộ", sur};
      break;
    case 2: { /* elderly couple */
      int h = falling(r, 60, 92);
      d[n++] = (draft){'M', h, "Chủ hộ", sur};
      d[n++] = (draft){'F', spouse_age(r, h, 55), "Vợ", -1};
      break;
    }
    case 3: { /* young couple, no child yet */
      int h = uniform(r, 22, 34);
      d[n++] = (draft){'M', h, "Chủ hộ", sur};
      d[n++] = (draft){'F', spouse_age(r, h, 20), "Vợ", -1};
      break;
    }
    case 4: { /* parents and children; one head in seven is the wife */
      int h = uniform(r, 25, 60), w = spouse_age(r, h, 20);
      if (chance(r, 150)) {
        d[n++] = (draft){'F', w, "Chủ hộ", -1};
        d[n++] = (draft){'M', h, "Chồng", sur};
      } else {
        d[n++] = (draft){'M', h, "Chủ hộ", sur};
        d[n++] = (draft){'F', w, "Vợ", -1};
      }
      add_children(s, d, &n, w, sur, "Con");
      break;
    }
    case 5: { /* three generations: the head's parents live with the family */
      int h = tri(r, 26, 50), w = spouse_age(r, h, 20);
      d[n++] = (draft){'M', h, "Chủ hộ", sur};
      d[n++] = (draft){'F', w, "Vợ", -1};
      add_children(s, d, &n, w, sur, "Con");
      int father = h + uniform(r, 24, 34), mother = spouse_age(r, father, 45);
      int x = (int)below(r, 100);
      if (x < 60 || x >= 90) d[n++] = (draft){'M', father > 100 ? 100 : father, "Bố", sur};
      if (x < 90) d[n++] = (draft){'F', mother > 100 ? 100 : mother, "Mẹ", -1};
      break;
    }
    case 6: { /* an elderly head with a married child and grandchildren */
      int h = tri(r, 56, 82);
      bool widow = chance(r, 250);
      int w = spouse_age(r, h, 50);
      if (widow) {
        d[n++] = (draft){'F', w, "Chủ hộ", -1};
      } else {
        d[n++] = (draft){'M', h, "Chủ hộ", sur};
        d[n++] = (draft){'F', w, "Vợ", -1};
      }
      int child = w - uniform(r, 21, 32);
      if (child < 20) child = 20;
      int inlaw = spouse_age(r, child + 2, 20);
      if (chance(r, 780)) { /* a son and his wife */
        d[n++] = (draft){'M', child, "Con", sur};
        d[n++] = (draft){'F', inlaw, "Con dâu", -1};
        add_children(s, d, &n, inlaw, sur, "Cháu");
      } else { /* a daughter and her husband */
        int sil = PICK(r, surnames);
        d[n++] = (draft){'F', child, "Con", sur};
        d[n++] = (draft){'M', child + uniform(r, 0, 5), "Con rể", sil};
        add_children(s, d, &n, child, sil, "Cháu");
      }
      break;
    }
    default: { /* a single parent, mostly a mother */
      int sex = chance(r, 800) ? 'F' : 'M';
      int a = tri(r, 25, 55);
      d[n++] = (draft){sex, a, "Chủ hộ", sur};
      int before = n;
      add_children(s, d, &n, sex == 'F' ? a : a - 3, sex == 'F' ? PICK(r, surnames) : sur, "Con");
      if (n == before) d[n++] = (draft){chance(r, 512) ? 'M' : 'F', uniform(r, 0, a - 20 > 0 ? a - 20 : 0), "Con", -1};
      break;
    }
  }
  return n;
}

static void make_address(synth *s, char *out, size_t n, int64_t group) {
  rng *r = &s->r;
  /* each tổ dân phố lies along three neighbouring streets */
  const char *street = streets[(group * 5 + below(r, 3)) % NELEM(streets)];
  int x = (int)below(r, 100);
  if (x < 45)
    snprintf(out, n, "Số %d, ngõ %d, %s", uniform(r, 1, 80), uniform(r, 2, 260), street);
  else if (x < 80)
    snprintf(out, n, "Số %d, %s", uniform(r, 1, 320), street);
  else
    snprintf(out, n, "Số %d, ngách %d, ngõ %d, %s", uniform(r, 1, 40), uniform(r, 1, 30), uniform(r, 2, 260), street);
}

static void next_household(synth *s) {
  draft d[HH_MAX];
  int n = draft_household(s, d);
  if (n > s->n - s->residents_done) n = (int)(s->n - s->residents_done); /* the last one fits N */
  int64_t group = 1 + s->residents_done * s->n_groups / s->n;
  s->households++;
  char code[sizeof s->hh[0].household], address[sizeof s->hh[0].address];
  snprintf(code, sizeof code, "HGD%07" PRId64, s->households % 10000000000);
  make_address(s, address, sizeof address, group);
  for (int i = 0; i < n; i++) {
    synth_person *p = &s->hh[i];
    memset(p, 0, sizeof *p);
    p->sex = d[i].sex;
    p->resident = true;
    p->group = (long)group;
    memcpy(p->household, code, sizeof code);
    memcpy(p->address, address, sizeof address);
    p->relation = d[i].rel;
    make_birth(s, p, d[i].age);
    make_name(s, p, d[i].surname, p->birth.year);
    make_cccd(s, p, d[i].age < 14, false);
    contact(s, p, d[i].age);
    membership(s, p, d[i].age);
  }
  s->hh_len = n;
  s->hh_pos = 0;
  s->residents_done += n;
}

/* A member of a unit who lives outside the ward. */
static void next_outsider(synth *s, synth_person *p, int cat) {
  memset(p, 0, sizeof *p);
  rng *r = &s->r;
  p->sex = chance(r, cat == CAT_TEACHER ? 750 : 480) ? 'F' : 'M';
  p->relation = "";
  int age = tri(r, 23, 58);
  make_birth(s, p, age);
  make_name(s, p, -1, p->birth.year);
  make_cccd(s, p, false, true);
  contact(s, p, age);
  p->unit = -1;
  place_in_category(s, p, cat);
  s->cat_count[cat]--; /* counted as an outsider, not towards the residents' share */
}

int synth_next(synth *s, synth_person *out) {
  if (s->hh_pos == s->hh_len && s->residents_done < s->n) next_household(s);
  if (s->hh_pos < s->hh_len) {
    *out = s->hh[s->hh_pos++];
    out->stt = (long)++s->stt;
    return 1;
  }
  if (!s->outsiders_planned) {
    /* OUTSIDE_PER_MILLE of each category's members live elsewhere: residents are the rest */
    for (int c = 0; c < CAT_N; c++)
      s->out_left[c] = (s->cat_count[c] * OUTSIDE_PER_MILLE + (1000 - OUTSIDE_PER_MILLE) / 2) / (1000 - OUTSIDE_PER_MILLE);
    s->outsiders_planned = true;
  }
  for (int c = 0; c < CAT_N; c++) {
    if (s->out_left[c] > 0) {
      s->out_left[c]--;
      next_outsider(s, out, c);
      out->stt = (long)++s->stt;
      return 1;
    }
  }
  return 0;
}

/* ==== CSV ==== */

/* Appends one RFC 4180 field (and a comma unless last) to the line buffer. */
static size_t put_field(char *line, size_t at, size_t cap, const char *v, bool last) {
  bool quote = strpbrk(v, ",\"\r\n") != NULL;
  if (quote && at < cap) line[at++] = '"';
  for (const char *c = v; *c && at + 2 < cap; c++) {
    if (*c == '"') line[at++] = '"';
    line[at++] = *c;
  }
  if (quote && at < cap) line[at++] = '"';
  if (at + 2 < cap) {
    if (last) {
      line[at++] = '\r';
      line[at++] = '\n';
    } else {
      line[at++] = ',';
    }
  }
  return at;
}

int synth_write_csv(synth *s, FILE *out) {
  static const char header[] = "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Tổ dân phố,Địa chỉ,Mã hộ,"
                               "Quan hệ với chủ hộ,Mức định danh,Nơi làm việc/học tập,Vai trò,Lớp\r\n";
  if (fputs(header, out) == EOF) return -1;
  synth_person p;
  synth_unit unit, group;
  char line[1024], stt[24], date[11], vneid[4], grade[4];
  while (synth_next(s, &p)) {
    snprintf(stt, sizeof stt, "%ld", p.stt);
    snprintf(vneid, sizeof vneid, "%d", p.vneid);
    snprintf(grade, sizeof grade, "%d", p.grade);
    const char *unit_name = "";
    if (p.unit >= 0 && synth_unit_get(s, p.unit, &unit) == 0) unit_name = unit.name;
    const char *group_name = "";
    if (p.group > 0 && synth_unit_get(s, synth_group_unit(s, p.group), &group) == 0) group_name = group.name;
    const char *fields[] = {stt,         p.name,     pdate_vn(&p.birth, date),
                            person_sex_label(p.sex), p.cccd, p.phone,
                            group_name,  p.address,  p.household,
                            p.relation,  vneid,      unit_name,
                            synth_role_label(p.role), p.grade ? grade : ""};
    size_t at = 0;
    for (int i = 0; i < NELEM(fields); i++) at = put_field(line, at, sizeof line, fields[i], i == NELEM(fields) - 1);
    if (fwrite(line, 1, at, out) != at) return -1;
  }
  if (fflush(out) != 0) return -1;
  return ferror(out) ? -1 : 0;
}

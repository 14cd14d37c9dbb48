/* synth.h: a deterministic synthetic population shaped after phường Hải Dương (Hải Phòng), for
 * `hocvuso demo --residents N --seed S`, `hocvuso synth` and the benchmarks. Demo and test data
 * are synthetic, never real people.
 * Owns: the generator's state (about 100 kilobytes whatever N: the counters that make CCCD
 * numbers unique by construction). Never: calls rand(), reads the clock or the environment, or
 * depends on the platform: the same (N, seed) yields the same bytes everywhere (integer
 * arithmetic and its own PRNG, xoshiro256** seeded by splitmix64).
 *
 * The stream: first the N residents, household by household (head first), households spread
 * over about N/700 tổ dân phố (residential groups) in order; then the non-residents, staff,
 * teachers and workers of the ward's units who live elsewhere (about 5% of those groups, so a
 * little more than N people in all). Ages are taken at SYNTH_REF_DATE.
 *
 * What is modelled: household types (single, couple, parents and children, three generations,
 * single parent) of about 3.5 people; about a quarter under 18 and an eighth 60+; surnames by
 * their weight in northern Vietnam (Nguyễn ~38%); middle and given names by sex and generation;
 * ~3% of dates of birth known by their year alone (mostly the elderly); CCCD numbers consistent
 * with birth year and sex, mostly registered in 030 Hải Dương or 031 Hải Phòng; mobile numbers
 * (none under 14, ~10% missing at 14+); VNeID level by age; one membership at most per person
 * (student of a school by age 6–17 and grade, teacher, public-sector staff, worker of an enterprise
 * or a cooperative, trader of a market).
 */
#ifndef HOCVUSO_SYNTH_H
#define HOCVUSO_SYNTH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "domain/person.h"

#define SYNTH_MAX_RESIDENTS 200000000L
/* Ages are full years at this date; school grades are those of the school year 2025–2026. */
#define SYNTH_REF_YEAR 2026
#define SYNTH_REF_MONTH 1
#define SYNTH_REF_DAY 1

typedef struct synth synth;

/* An organisation to create under the ward before importing the people. `kind` is a code of
 * units.c's kind table (office, service_center, public_center, police, school_kindergarten,
 * school_primary, school_lower_secondary, school_upper_secondary, enterprise, cooperative,
 * residential_group) or "market" (chợ). Names and codes are unique within one population. */
typedef struct synth_unit {
  const char *kind;
  char code[24];  /* "TH01", "DN007", "TDP012", … */
  char name[128]; /* "Trường Tiểu học Ngọc Châu", "Chợ Hội Đô", "Tổ dân phố 12", … */
} synth_unit;

/* What a person does in their unit. */
typedef enum {
  SYNTH_ROLE_NONE,
  SYNTH_ROLE_STUDENT,     /* "Học sinh", with a grade */
  SYNTH_ROLE_TEACHER,     /* "Giáo viên" */
  SYNTH_ROLE_CIVIL,       /* "Cán bộ, công chức": ward offices, the service centre */
  SYNTH_ROLE_PUBLIC,      /* "Viên chức": the public service centre */
  SYNTH_ROLE_POLICE,      /* "Cán bộ, chiến sĩ công an" */
  SYNTH_ROLE_WORKER,      /* "Người lao động": enterprises */
  SYNTH_ROLE_COOPERATIVE, /* "Thành viên hợp tác xã" */
  SYNTH_ROLE_TRADER       /* "Tiểu thương": markets */
} synth_role;
const char *synth_role_label(synth_role r); /* "" for SYNTH_ROLE_NONE */

typedef struct synth_person {
  long stt;               /* 1-based position in the stream */
  char name[72];          /* full name, NFC, "Nguyễn Thị Thu Hà" */
  pdate birth;            /* a year alone for ~3% */
  int sex;                /* 'M' or 'F' */
  char cccd[13];          /* 12 digits, unique in the population */
  char phone[12];         /* national mobile form "09…", "" when none */
  bool resident;          /* false: works in the ward, lives elsewhere (no household) */
  long group;             /* tổ dân phố number 1…, 0 for a non-resident */
  char household[24];     /* mã hộ "HGD0000123", "" for a non-resident */
  const char *relation;   /* quan hệ với chủ hộ: "Chủ hộ", "Vợ", "Con", …; "" for a non-resident */
  char address[112];      /* "Số 12, ngõ 34, phố Trần Hưng Đạo", "" for a non-resident */
  int vneid;              /* VNeID level: 0 none, 1, 2 */
  long unit;              /* index of the unit (synth_unit_get), -1 for none */
  synth_role role;
  int grade;              /* 1–12 for a student, else 0 */
} synth_person;

/* A generator of `residents` residents (1…SYNTH_MAX_RESIDENTS) from `seed`; NULL for a bad
 * count or no memory. The caller frees it with synth_free. */
synth *synth_new(long residents, uint64_t seed);
void synth_free(synth *s);

/* The units, in a fixed order: ward offices, kindergartens, primary, lower and upper secondary
 * schools, enterprises, cooperatives, markets, then the tổ dân phố 1…n. They depend on N only,
 * not on the seed. */
long synth_units_count(const synth *s);
/* Writes unit i (0 ≤ i < synth_units_count); 0, or -1 for an index out of range. */
int synth_unit_get(const synth *s, long i, synth_unit *out);
/* Writes the first min(max, count) units to out; returns the count (call with max 0 to size). */
long synth_units(const synth *s, synth_unit *out, long max);
/* The unit index of tổ dân phố g (1-based). */
long synth_group_unit(const synth *s, long g);

/* Writes the next person of the stream; 1 when one was written, 0 at the end. */
int synth_next(synth *s, synth_person *out);

/* Writes the rest of the stream (all of it on a new generator) as the import CSV: a header line
 *   STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Số điện thoại,Tổ dân phố,Địa chỉ,Mã hộ,
 *   Quan hệ với chủ hộ,Mức định danh,Nơi làm việc/học tập,Vai trò,Lớp
 * then one line per person: dates dd/mm/yyyy or a year alone, sex "Nam"/"Nữ", CCCD and phone as
 * digit strings (leading zeros kept), Tổ dân phố as its unit name, Mức định danh 0/1/2, the unit's
 * name, the role's label and, for students, the grade as a number 1–12. UTF-8 without a BOM,
 * RFC 4180: CRLF line ends, fields with a comma, quote or line break in double quotes (quotes
 * doubled). 0 on success, -1 on a write error (errno as the C library left it). */
int synth_write_csv(synth *s, FILE *out);

#endif

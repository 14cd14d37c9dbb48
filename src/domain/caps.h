/* caps.h: capabilities and roles, in one place.
 * Code asks for capabilities, never for role names. A role is granted on a unit and gives its
 * capabilities over that unit's whole subtree. caps_of_role() is the only expansion.
 */
#ifndef HOCVUSO_CAPS_H
#define HOCVUSO_CAPS_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t caps_t;

enum {
  CAP_UNITS_READ = 1u << 0,
  CAP_UNITS_WRITE = 1u << 1,
  CAP_USERS_READ = 1u << 2,
  CAP_USERS_WRITE = 1u << 3,
  CAP_AUDIT_READ = 1u << 4,
  CAP_PEOPLE_READ = 1u << 5,
  CAP_PEOPLE_WRITE = 1u << 6,
  CAP_FIELD_WRITE = 1u << 7,
  CAP_IDENTITY_READ = 1u << 8,
  CAP_IDENTITY_WRITE = 1u << 9,
  CAP_SCHOOL_READ = 1u << 10,
  CAP_SCHOOL_WRITE = 1u << 11,
  CAP_REPORTS_READ = 1u << 12,
  CAP_LEARN = 1u << 13,
  CAP_PEOPLE_EXPORT = 1u << 14, /* a whole list out of the system (CSV, Excel): only with people.read */
  CAP_CONTENT_WRITE = 1u << 15, /* lessons and the question bank */
  CAP_CERT_MANAGE = 1u << 16,   /* certificates: the programmes' rules, revocation */
  CAP_PLAN_WRITE = 1u << 17,    /* progress updates of the plan's tasks, for a unit that answers for them */
  CAP_INDICATORS_WRITE = 1u << 18, /* indicators defined from the building blocks, and their targets */
};
#define CAP_COUNT 19

typedef struct cap_info {
  caps_t flag;
  const char *code;        /* "units.read" */
  const char *description; /* Vietnamese */
} cap_info;

typedef struct role_info {
  const char *code;  /* "ward_admin" */
  const char *label; /* Vietnamese */
  caps_t caps;
} role_info;

extern const cap_info caps_table[CAP_COUNT];
extern const role_info roles_table[];
extern const int roles_count;

/* The capabilities a role gives; 0 for an unknown role. */
caps_t caps_of_role(const char *role);
const role_info *role_find(const char *code);
const char *caps_code(caps_t single_flag);

#endif

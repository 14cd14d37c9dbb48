/* migrations.h: the numbered schema migrations of hocvuso, applied by store_migrate(). */
#ifndef HOCVUSO_MIGRATIONS_H
#define HOCVUSO_MIGRATIONS_H

#include "store/store.h"

extern const store_migration hocvuso_migrations[];

#endif

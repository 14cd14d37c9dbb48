/* test_paths.h: where unit tests find files outside the binary: the source tree (compiled in by
 * meson as HOCVUSO_SOURCE_ROOT, or the environment's HOCVUSO_SOURCE_ROOT) and the shared reference
 * data beside it (../shared/data, or HOCVUSO_SHARED_DATA). Include after stdlib.h. */
#ifndef HOCVUSO_TEST_PATHS_H
#define HOCVUSO_TEST_PATHS_H
#ifndef HOCVUSO_SOURCE_ROOT
#error "meson defines HOCVUSO_SOURCE_ROOT for unit tests"
#endif

__attribute__((unused)) static const char *test_source_root(void) {
  const char *d = getenv("HOCVUSO_SOURCE_ROOT");
  return d && *d ? d : HOCVUSO_SOURCE_ROOT;
}

__attribute__((unused)) static const char *test_shared_data(void) {
  const char *d = getenv("HOCVUSO_SHARED_DATA");
  return d && *d ? d : HOCVUSO_SOURCE_ROOT "/../shared/data";
}

#endif

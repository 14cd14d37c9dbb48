/* openapi.h: the OpenAPI 3.1 document, generated from the route table so it cannot drift. */
#ifndef HOCVUSO_OPENAPI_H
#define HOCVUSO_OPENAPI_H

#include <jansson.h>

/* A new document; NULL on failure. */
json_t *openapi_build(const char *version);

#endif

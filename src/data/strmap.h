/* A small open-addressing map from strings (borrowed) to codes. */
#ifndef LIMN_STRMAP_H
#define LIMN_STRMAP_H

#include "../core/internal.h"

typedef struct limn__strmap {
  const char **keys; /* borrowed */
  size_t *vals;
  size_t cap, n;
} limn__strmap;

int limn__strmap_init(limn_ctx *ctx, limn__strmap *m, size_t expect);
void limn__strmap_free(limn_ctx *ctx, limn__strmap *m);
/* Code of `key`, or (size_t)-1. */
size_t limn__strmap_get(const limn__strmap *m, const char *key);
/* Insert key -> val (key must be absent); grows as needed. */
int limn__strmap_put(limn_ctx *ctx, limn__strmap *m, const char *key, size_t val);

#endif

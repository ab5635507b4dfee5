/* Fuzz target: the saved-map reader on arbitrary bytes, twice: as they are (the
 * checksum line at the end must match), and with a correct checksum line appended,
 * so that every mutation which parses reaches the value checks and, when it loads,
 * the placement of a new row (its first reference row), which must go without
 * trouble. */
#include "limn.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load_and_use(limn_ctx *ctx, const void *data, size_t size) {
  limn_tsne_map *m = NULL;
  if (limn_tsne_map_load_mem(ctx, data, size, "fuzz", &m) == LIMN_OK) {
    double y[2];
    limn_tsne_transform_opts o = limn_tsne_transform_opts_default();
    o.perplexity = 1; /* small maps too */
    o.iterations = 5;
    if (m->n <= 4096 && m->dim <= 4096)
      limn_tsne_transform(ctx, m->x, m->y, m->n, m->dim, m->x, 1, &o, y, NULL);
    limn_tsne_map_free(ctx, m);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  limn_ctx *ctx = limn_ctx_create(NULL);
  load_and_use(ctx, data, size);
  char *signed_copy = malloc(size + 80);
  if (signed_copy) {
    char hex[65];
    memcpy(signed_copy, data, size);
    size_t k = size;
    if (k && signed_copy[k - 1] != '\n') /* the checksum takes a line of its own */
      signed_copy[k++] = '\n';
    limn_sha256(signed_copy, k, hex);
    k += (size_t)snprintf(signed_copy + k, 80, "sha256 %s\n", hex);
    load_and_use(ctx, signed_copy, k);
    free(signed_copy);
  }
  limn_ctx_free(ctx);
  return 0;
}

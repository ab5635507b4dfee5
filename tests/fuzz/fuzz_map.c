/* Fuzz target: the saved-map reader on arbitrary bytes. A map that loads must place a
 * new row (its first reference row) without trouble. */
#include "limn.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  limn_ctx *ctx = limn_ctx_create(NULL);
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
  limn_ctx_free(ctx);
  return 0;
}

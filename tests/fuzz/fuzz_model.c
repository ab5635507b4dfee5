/* Fuzz target: the model-file reader on arbitrary bytes. A model that loads must
 * predict, give gradients and save without trouble. */
#include "limn.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_model *m = NULL;
  if (limn_model_load_mem(ctx, data, size, "fuzz", &m) == LIMN_OK) {
    size_t d = limn_model_nfeatures(m), k = limn_model_noutputs(m), s = limn_model_nslots(m);
    float *x = calloc(d, sizeof *x), *o = calloc(k, sizeof *o), *w = calloc(k, sizeof *w);
    float *g = calloc(s, sizeof *g);
    if (x && o && w && g && d < 4096 && s < 65536) {
      w[0] = 1.0f;
      limn_model_predict(ctx, m, x, 1, o);
      limn_model_vjp(ctx, m, x, 1, w, LIMN_SPACE_OUTPUT, g);
    }
    unsigned char *buf = NULL;
    size_t len = 0;
    if (limn_model_save_mem(ctx, m, &buf, &len) == LIMN_OK)
      limn_free(ctx, buf);
    free(x), free(o), free(w), free(g);
    limn_model_free(m);
  }
  limn_ctx_free(ctx);
  return 0;
}

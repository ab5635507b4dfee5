/* Fuzz target: the ONNX reader on arbitrary bytes. A model that loads must predict
 * and give gradients without trouble. */
#include "limn.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_model *m = NULL;
  if (limn_model_load_onnx_mem(ctx, data, size, "fuzz.onnx", NULL, LIMN_ONNX_AUTO, &m) == LIMN_OK) {
    size_t d = limn_model_nfeatures(m), k = limn_model_noutputs(m);
    if (d < 4096 && k < 4096) {
      float *x = calloc(2 * d, sizeof *x), *o = calloc(2 * k, sizeof *o), *w = calloc(2 * k, sizeof *w);
      float *g = calloc(2 * d, sizeof *g);
      for (size_t j = 0; x && j < d; j++)
        x[d + j] = (float)j - 1.5f;
      if (x && o && w && g) {
        w[0] = w[k] = 1.0f;
        limn_model_predict(ctx, m, x, 2, o);
        limn_model_forward(ctx, m, x, 2, LIMN_SPACE_LOGIT, o);
        limn_model_vjp(ctx, m, x, 2, w, LIMN_SPACE_OUTPUT, g);
      }
      free(x), free(o), free(w), free(g);
    }
    limn_model_free(m);
  }
  limn_ctx_free(ctx);
  return 0;
}

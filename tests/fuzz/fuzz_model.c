/* Fuzz target: the model-file reader on arbitrary bytes. A model that loads must
 * predict, give gradients and save without trouble; a tree model must also give
 * TreeSHAP values of both games and interaction values. */
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
    if (x && limn_model_is_trees(m) && d < 256) { /* TreeSHAP of both games, interaction values */
      limn_explanation *e = NULL;
      limn_shap_opts so = limn_shap_opts_default();
      if (limn_explain_shap(ctx, m, x, 1, &so, &e) == LIMN_OK)
        limn_explanations_free(ctx, e, 1);
      so.background = x, so.nbackground = 1, so.estimator = LIMN_SHAP_TREE_INTERVENTIONAL;
      if (limn_explain_shap(ctx, m, x, 1, &so, &e) == LIMN_OK)
        limn_explanations_free(ctx, e, 1);
      double *I = calloc((d + 1) * (d + 1), sizeof *I);
      if (I)
        limn_shap_interactions(ctx, m, x, 1, -1, NULL, I);
      free(I);
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

/* Fuzz target: the ONNX reader on arbitrary bytes. A model that loads must predict
 * and give gradients without trouble; a text model (int64 ids) too, on its embeddings. */
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
  } else {
    /* a text model (int64 ids): predict two texts, differentiate one on its embeddings,
       and follow its attention */
    limn_text_model_opts o;
    limn_text_model_opts_default(&o);
    o.max_tokens = 8;
    if (limn_model_load_onnx_text_mem(ctx, data, size, "fuzz.onnx", &o, &m) == LIMN_OK) {
      size_t V = limn_model_text_vocab(m), E = limn_model_text_width(m), k = limn_model_noutputs(m);
      float rows[16], out[2 * 64], w[64] = {1.0f};
      for (size_t j = 0; j < 16; j++)
        rows[j] = (float)((j * 7 + 1) % (V ? V : 1));
      rows[14] = rows[15] = 0;
      if (k <= 64 && E <= 4096) {
        limn_model_predict(ctx, m, rows, 2, out);
        limn_model *view = NULL;
        float *emb = malloc(8 * E * sizeof *emb), *g = malloc(8 * E * sizeof *g);
        if (emb && g && limn_model_text_view(ctx, m, rows, &view) == LIMN_OK &&
            limn_model_text_embed(ctx, m, rows, emb) == LIMN_OK)
          limn_model_vjp(ctx, view, emb, 1, w, LIMN_SPACE_OUTPUT, g);
        limn_text_opts to = limn_text_opts_default();
        to.method = LIMN_METHOD_ATTENTION_FLOW;
        limn_explanation *ex = NULL;
        if (limn_explain_text(ctx, m, rows, 1, &to, &ex) == LIMN_OK)
          limn_explanations_free(ctx, ex, 1);
        limn_model_free(view);
        free(emb), free(g);
      }
      limn_model_free(m);
    }
  }
  limn_ctx_free(ctx);
  return 0;
}

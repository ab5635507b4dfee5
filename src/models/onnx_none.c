/* ONNX when liblimn is built without protobuf-c (LIMN_WITH_ONNX=OFF): files are still
 * told by their content, and loading one says what is missing. */
#include "limn/text.h"
#include "model_internal.h"
#include <string.h>

int limn_model_load_onnx_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                             const limn_schema *schema, limn_onnx_output kind, limn_model **out) {
  (void)buf, (void)len, (void)schema, (void)kind;
  if (out)
    *out = NULL;
  return limn__err(ctx, LIMN_EUNSUPPORTED,
                   "%s: an ONNX model, and this liblimn was built without ONNX "
                   "(LIMN_WITH_ONNX=OFF)",
                   name ? name : "model");
}

int limn_model_load_onnx(limn_ctx *ctx, const char *path, const limn_schema *schema, limn_onnx_output kind,
                         limn_model **out) {
  return limn_model_load_onnx_mem(ctx, NULL, 0, path, schema, kind, out);
}

void limn__onnx_describe(const limn_model *m, FILE *f) { (void)m, (void)f; }

int limn_have_onnx(void) { return 0; }

const limn__mlp *limn__onnx_pwl(const limn_model *m, char *why, size_t cap) {
  (void)m;
  if (why)
    snprintf(why, cap, "this liblimn was built without ONNX");
  return NULL;
}

int limn__onnx_image_shape(limn_ctx *ctx, const limn_model *m, size_t *c, size_t *h, size_t *w) {
  (void)m, (void)c, (void)h, (void)w;
  return limn__err(ctx, LIMN_EUNSUPPORTED, "Grad-CAM needs ONNX, and this liblimn was built without it");
}

int limn_model_gradcam(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const char *layer,
                       const long *targets, long target, limn_space space, int plusplus, float *maps,
                       size_t cap, size_t *h, size_t *w) {
  (void)m, (void)x, (void)n, (void)layer, (void)targets, (void)target, (void)space, (void)plusplus,
      (void)maps, (void)cap;
  *h = *w = 0;
  return limn__err(ctx, LIMN_EUNSUPPORTED, "Grad-CAM needs ONNX, and this liblimn was built without it");
}

int limn__onnx_randomize(limn_ctx *ctx, limn_model *m, size_t nlayers, uint64_t seed, size_t *done) {
  (void)ctx, (void)m, (void)nlayers, (void)seed;
  *done = 0;
  return LIMN_EUNSUPPORTED;
}

int limn__onnx_penultimate(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, float **out,
                           size_t *width, const char **name) {
  (void)ctx, (void)m, (void)x, (void)n, (void)name;
  *out = NULL, *width = 0;
  return LIMN_ENOTFOUND;
}

/* Text models are ONNX graphs: without ONNX every entry says so. */
void limn_text_model_opts_default(limn_text_model_opts *o) {
  if (!o)
    return;
  memset(o, 0, sizeof *o);
  o->max_tokens = 64;
}

int limn_model_load_onnx_text_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                                  const limn_text_model_opts *opts, limn_model **out) {
  (void)opts;
  return limn_model_load_onnx_mem(ctx, buf, len, name, NULL, LIMN_ONNX_AUTO, out);
}

int limn_model_load_onnx_text(limn_ctx *ctx, const char *path, const limn_text_model_opts *opts,
                              limn_model **out) {
  (void)opts;
  return limn_model_load_onnx_mem(ctx, NULL, 0, path, NULL, LIMN_ONNX_AUTO, out);
}

int limn_model_is_text(const limn_model *m) {
  (void)m;
  return 0;
}

size_t limn_model_text_vocab(const limn_model *m) {
  (void)m;
  return 0;
}

size_t limn_model_text_width(const limn_model *m) {
  (void)m;
  return 0;
}

size_t limn_model_text_length(const limn_model *m, const float *row) {
  (void)m, (void)row;
  return 0;
}

int limn_model_text_embed(limn_ctx *ctx, const limn_model *m, const float *row, float *out) {
  (void)m, (void)row, (void)out;
  return limn__err(ctx, LIMN_EUNSUPPORTED, "text models need ONNX, and this liblimn was built without it");
}

int limn_model_text_view(limn_ctx *ctx, const limn_model *m, const float *row, limn_model **view) {
  (void)m, (void)row;
  if (view)
    *view = NULL;
  return limn__err(ctx, LIMN_EUNSUPPORTED, "text models need ONNX, and this liblimn was built without it");
}

const float *limn__onnx_text_table(const limn_model *m) {
  (void)m;
  return NULL;
}

int limn__onnx_attention(limn_ctx *ctx, const limn_model *m, const float *row, float **att, size_t *layers,
                         size_t *heads, size_t *T) {
  (void)m, (void)row;
  *att = NULL, *layers = *heads = *T = 0;
  return limn__err(ctx, LIMN_EUNSUPPORTED, "text models need ONNX, and this liblimn was built without it");
}

long limn__onnx_text_pad(const limn_model *m) {
  (void)m;
  return 0;
}

int limn__onnx_gradcam(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const char *layer,
                       const long *targets, long target, limn_space space, int plusplus, float *maps,
                       size_t cap, size_t *h, size_t *w, float *outputs) {
  (void)outputs;
  return limn_model_gradcam(ctx, m, x, n, layer, targets, target, space, plusplus, maps, cap, h, w);
}

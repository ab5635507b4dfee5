/* LIME for images: superpixels switched on and off, a weighted ridge on the switches
 * (lime's LimeImageExplainer; the regression is limn_lime_fit). */
#include "explain_internal.h"
#include "../data/image_internal.h"
#include "../models/model_internal.h"
#include <math.h>

limn_lime_image_opts limn_lime_image_opts_default(void) {
  limn_lime_image_opts o;
  memset(&o, 0, sizeof o);
  o.num_samples = 1000;
  o.segments = 50;
  o.compactness = 10;
  o.hide_mean = 1;
  o.kernel_width = 0.25;
  o.target = -1;
  return o;
}

typedef struct li {
  limn_ctx *ctx;
  const limn_model *m;
  const limn_lime_image_opts *o;
  size_t c, h, w, d, k, N;
} li;

/* Row x's superpixels into lab (h * w); their number. */
static int segment(const li *L, const float *x, int *lab, size_t *K) {
  const limn_lime_image_opts *o = L->o;
  size_t hw = L->h * L->w;
  if (o->labels) {
    for (size_t p = 0; p < hw; p++)
      if (o->labels[p] < 0 || (size_t)o->labels[p] >= o->nlabels)
        return limn__err(L->ctx, LIMN_EINVAL, "lime-image: label %d of pixel %zu is outside 0..%zu",
                         o->labels[p], p, o->nlabels - 1);
    memcpy(lab, o->labels, hw * sizeof *lab);
    *K = o->nlabels;
    return LIMN_OK;
  }
  limn_image *im = NULL; /* SLIC sees the row as limn draws it */
  LIMN_TRY(limn_image_from_row_range(L->ctx, x, L->c, L->h, L->w, &im));
  int rc = limn_image_slic(L->ctx, im, o->segments, o->compactness, lab, K);
  limn_image_free(im);
  return rc;
}

/* An image with the superpixels that z switches off hidden (their fill per channel). */
typedef struct image_hide {
  const float *x;
  const int *lab;
  const double *fill;
  size_t c, hw;
} image_hide;

static void image_build(const void *arg, const double *z, float *r) {
  const image_hide *t = arg;
  for (size_t ch = 0; ch < t->c; ch++)
    for (size_t p = 0; p < t->hw; p++)
      r[ch * t->hw + p] =
          z[t->lab[p]] != 0 ? t->x[ch * t->hw + p] : (float)t->fill[(size_t)t->lab[p] * t->c + ch];
}

static int explain_row(const li *L, const float *x, size_t target, uint64_t id, limn_explanation *e,
                       int *lab) {
  limn_ctx *ctx = L->ctx;
  const limn_lime_image_opts *o = L->o;
  size_t K = 0, hw = L->h * L->w, N = L->N;
  LIMN_TRY(segment(L, x, lab, &K));
  double *S = limn__alloc_array(ctx, N, K * sizeof *S), *y = limn__alloc_array(ctx, N, sizeof *y);
  double *dist = limn__alloc_array(ctx, N, sizeof *dist), *coef = limn__calloc(ctx, K, sizeof *coef);
  double *fill = limn__calloc(ctx, K * L->c, sizeof *fill), *cnt = limn__calloc(ctx, K, sizeof *cnt);
  unsigned char *sel = limn__calloc(ctx, K, 1);
  int rc = S && y && dist && coef && fill && cnt && sel ? LIMN_OK : LIMN_ENOMEM;
  if (!rc) {
    for (size_t p = 0; p < hw; p++) /* each superpixel's mean per channel, or the hide value */
      cnt[lab[p]] += 1;
    for (size_t ch = 0; ch < L->c; ch++)
      for (size_t p = 0; p < hw; p++)
        fill[(size_t)lab[p] * L->c + ch] += o->hide_mean ? x[ch * hw + p] / cnt[lab[p]] : 0;
    for (size_t q = 0; q < K * L->c && !o->hide_mean; q++)
      fill[q] = o->hide;
    limn_rng g;
    limn_rng_init(&g, o->seed, id);
    for (size_t s = 0; s < N; s++) {
      size_t on = 0;
      for (size_t q = 0; q < K; q++) {
        S[s * K + q] = s == 0 ? 1.0 : (double)limn_rng_below(&g, 2);
        on += S[s * K + q] != 0;
      }
      dist[s] = on ? 1.0 - sqrt((double)on / (double)K) : 1.0; /* cosine distance to all-on */
    }
  }
  limn_lime_fit_result fr = {coef, sel, 0, 0, 0};
  image_hide ih = {x, lab, fill, L->c, hw};
  if (!rc)
    rc = limn__lime_switches(ctx, L->m, target, S, dist, N, K, o->kernel_width, o->num_features, image_build,
                             &ih, y, &fr);
  if (!rc) {
    e->output = y[0];
    e->intercept = fr.intercept, e->score = fr.score, e->local_pred = fr.local_pred;
    for (size_t ch = 0; ch < L->c; ch++)
      for (size_t p = 0; p < hw; p++) {
        size_t j = ch * hw + p;
        e->attr[j] = coef[lab[p]] / (double)L->c;
        e->selected[j] = sel[lab[p]];
        e->bin[j] = lab[p];
      }
  }
  limn__free(ctx, S), limn__free(ctx, y), limn__free(ctx, dist), limn__free(ctx, coef);
  limn__free(ctx, fill), limn__free(ctx, cnt), limn__free(ctx, sel);
  return rc;
}

int limn_explain_lime_image(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                            const limn_lime_image_opts *opts, limn_explanation **out) {
  if (!out)
    return limn__err(ctx, LIMN_EINVAL, "limn_explain_lime_image: out is NULL");
  *out = NULL;
  if (!m || !x || n == 0)
    return limn__err(ctx, LIMN_EINVAL, "lime-image: %s", !m ? "no model" : "no rows to explain");
  limn_lime_image_opts dflt = limn_lime_image_opts_default();
  li L = {ctx, m, opts ? opts : &dflt, 0, 0, 0, m->nfeatures, m->noutputs, 0};
  const limn_lime_image_opts *o = L.o;
  L.c = o->channels, L.h = o->height, L.w = o->width, L.N = o->num_samples;
  if (!L.c && !L.h && !L.w && limn__onnx_image_shape(NULL, m, &L.c, &L.h, &L.w) != LIMN_OK)
    return limn__err(ctx, LIMN_EINVAL,
                     "lime-image: give the rows' image shape (channels, height, width): the model takes %zu "
                     "columns, not a declared (N, C, H, W)",
                     L.d);
  if (L.c * L.h * L.w != L.d || L.h == 0 || L.w == 0 || limn_model_nslots(m) != L.d)
    return limn__err(ctx, LIMN_EINVAL,
                     "lime-image: images of %zu x %zu x %zu values for %zu numeric features", L.c, L.h, L.w,
                     L.d);
  if (L.N < 2 || !(o->kernel_width > 0) || (!o->labels && (o->segments < 1 || !(o->compactness > 0))) ||
      (o->labels && o->nlabels == 0) || (!o->hide_mean && !isfinite(o->hide)))
    return limn__err(
        ctx, LIMN_EINVAL,
        "lime-image: %zu samples (at least 2), kernel width %g, %zu segments, compactness %g, %zu "
        "labels",
        L.N, o->kernel_width, o->segments, o->compactness, o->nlabels);
  size_t *target = limn__alloc_array(ctx, n, sizeof *target);
  int *lab = limn__alloc_array(ctx, L.h * L.w, sizeof *lab);
  limn_explanation *ex = NULL;
  int rc = target && lab ? LIMN_OK : LIMN_ENOMEM;
  if (!rc)
    rc = limn__pick_targets(ctx, m, x, n, o->target, o->targets, target);
  if (!rc)
    rc = limn__explanations_alloc(ctx, n, L.d, m->nslots, &ex);
  for (size_t i = 0; i < n && !rc; i++) {
    limn_explanation *e = &ex[i];
    e->method = LIMN_METHOD_LIME_IMAGE;
    e->space = LIMN_SPACE_OUTPUT;
    e->target = target[i];
    e->num_samples = L.N;
    e->seed = o->seed;
    rc = explain_row(&L, x + i * L.d, target[i], o->row_ids ? o->row_ids[i] : i, e, lab);
    if (rc && rc != LIMN_ENOMEM)
      rc = limn__err_prefix(ctx, rc, "row %zu", i);
    limn__progress(ctx, "lime-image", i + 1, n);
  }
  if (!rc) { /* slot attributions: the features' own (image rows are numeric) */
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < L.d && j < ex[i].nslots; j++)
        ex[i].slot_attr[j] = ex[i].attr[j];
    rc = limn__explanations_finite(ctx, ex, n);
  }
  if (rc) {
    limn_explanations_free(ctx, ex, ex ? n : 0);
    ex = NULL;
  }
  limn__free(ctx, target), limn__free(ctx, lab);
  *out = ex;
  return rc;
}

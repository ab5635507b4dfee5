/* The HTML report (docs/report.md): one self-contained, byte-deterministic page that
 * explains chosen rows to a person. Inline CSS and SVG only; no script, no font or
 * image from anywhere (a Content-Security-Policy says so to the browser too). */
#include "out.h"
#include "../explain/explain_internal.h"
#include "../data/image_internal.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>

typedef struct rep {
  const limn_report_opts *in;
  limn_ctx *ctx;
  const limn_model *m;
  size_t n, d, C, N;
  int cls;     /* classification */
  float *x;    /* (n, d) explained rows */
  float *p;    /* (N, C) model outputs of every row */
  long *pred;  /* (N) predicted class (0 for regression) */
  long *truth; /* (N) true class, or NULL */
  const limn_stats *bg;
  limn_explanation *lime, *ig, *rex; /* rex: the reason codes' explanations (may alias) */
  limn_explanation *shap;            /* NULL without background rows (tree models: always) */
  int trees;                         /* a tree ensemble: TreeSHAP in place of IG */
  int lime_missing;                  /* an explained row holds a missing value: no LIME */
  double *inter;                     /* trees: (nsum, d + 1, d + 1) the summary rows' interaction values */
  size_t ia, ib;                     /* trees: the strongest pair (ia == ib: none) */
  double iamean;                     /* its mean |interaction value| */
  double *rinter;                    /* trees: (n, d + 1, d + 1) the explained rows' interaction values */
  limn_shap_opts so;
  size_t nsum, *sumrows; /* the summary's rows (an even spread), their SHAP values and raw rows */
  limn_explanation *sumex;
  float *sumx;
  limn_lime_opts lo;
  limn_grad_opts g;
  limn_render_opts rc;
  size_t image_w, image_h;
  /* image models: the image methods side by side, each with its deletion and insertion areas */
  size_t nim, ic, ih, iw;
  limn_method imeth[4];
  limn_explanation *imex[4];
  double *imdel[4], *imins[4];
  /* the map */
  size_t M, *mrows, *mpos, mdim;
  double *y, kl, perplexity;
  char map_desc[256];
  const char *map_note; /* why there is no map */
} rep;

/* ---- computing ---- */

static int lime_run(rep *r, const long *targets, limn_explanation **out) {
  limn_lime_opts o = r->lo;
  o.targets = targets;
  int lr = limn_explain_lime(r->ctx, r->m, r->bg, r->x, r->n, &o, out);
  return lr ? lr : LIMN_OK;
}

/* Integrated Gradients: exact on piecewise-linear networks, else 50 Gauss-Legendre
 * nodes (the auto rule); baseline the training means when the model has them, else zero. */
static int ig_run(rep *r, const long *targets, limn_explanation **out) {
  limn_grad_opts g = r->g;
  g.targets = targets;
  return limn_explain_gradients(r->ctx, r->m, r->x, r->n, &g, out);
}

/* The mapped rows: all of them, or an even spread of map_max plus the explained rows. */
static int map_rows(rep *r) {
  size_t N = r->N, cap = r->in->map_max < N ? r->in->map_max : N;
  unsigned char *in = limn__calloc(r->ctx, N ? N : 1, 1);
  r->mrows = limn__malloc(r->ctx, (cap + r->n + 1) * sizeof *r->mrows);
  r->mpos = limn__malloc(r->ctx, (r->n ? r->n : 1) * sizeof *r->mpos);
  if (!in || !r->mrows || !r->mpos) {
    limn__free(r->ctx, in);
    return limn__err(r->ctx, LIMN_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < cap; i++)
    in[(size_t)((double)i * (double)N / (double)cap)] = 1;
  for (size_t i = 0; i < r->n; i++)
    in[r->in->rows[i]] = 1;
  r->M = 0;
  for (size_t i = 0; i < N; i++)
    if (in[i])
      r->mrows[r->M++] = i;
  for (size_t i = 0; i < r->n; i++)
    for (size_t q = 0; q < r->M; q++)
      if (r->mrows[q] == r->in->rows[i])
        r->mpos[i] = q;
  limn__free(r->ctx, in);
  return LIMN_OK;
}

/* What the map embeds for the mapped rows: a hidden layer or the outputs. */
static int map_features(rep *r, float **out) {
  const char *sp = r->in->map_space;
  size_t d = r->d, layer = 0, nh = limn_model_nhidden(r->m);
  if (!strcmp(sp, "auto"))
    layer = nh;
  else if (!strncmp(sp, "hidden:", 7)) {
    char *end;
    unsigned long k = strtoul(sp + 7, &end, 10);
    if (*end || end == sp + 7 || k < 1 || k > nh)
      return limn__err(r->ctx, LIMN_EINVAL,
                       "map space '%s': the model has %zu hidden layers (hidden:1..hidden:%zu)", sp, nh, nh);
    layer = k;
  } else if (strcmp(sp, "output"))
    return limn__err(r->ctx, LIMN_EINVAL, "map space: expected auto, output, hidden:K or none, got '%s'", sp);
  if (!strcmp(sp, "auto") && !nh) { /* an ONNX model: the layer that feeds its last dense layer */
    float *xs = limn__malloc(r->ctx, r->M * d * sizeof *xs), *f = NULL;
    const char *name = NULL;
    if (!xs)
      return limn__err(r->ctx, LIMN_ENOMEM, "out of memory");
    for (size_t q = 0; q < r->M; q++)
      memcpy(xs + q * d, limn_dataset_x(r->in->data) + r->mrows[q] * d, d * sizeof *xs);
    int pr = limn__onnx_penultimate(r->ctx, r->m, xs, r->M, &f, &r->mdim, &name);
    limn__free(r->ctx, xs);
    if (pr && pr != LIMN_ENOTFOUND)
      return pr;
    if (!pr) {
      snprintf(r->map_desc, sizeof r->map_desc,
               "the activations entering the model's last dense layer ('%.80s', %zu values per row)", name,
               r->mdim);
      *out = f;
      return LIMN_OK;
    }
    limn_ctx_clear_error(r->ctx);
  }
  float *xs = limn__malloc(r->ctx, r->M * d * sizeof *xs);
  r->mdim = layer ? limn_model_hidden_width(r->m, layer) : r->C;
  float *f = limn__malloc(r->ctx, r->M * r->mdim * sizeof *f);
  if (!xs || !f) {
    limn__free(r->ctx, xs), limn__free(r->ctx, f);
    return limn__err(r->ctx, LIMN_ENOMEM, "out of memory");
  }
  for (size_t q = 0; q < r->M; q++)
    memcpy(xs + q * d, limn_dataset_x(r->in->data) + r->mrows[q] * d, d * sizeof *xs);
  int lr = layer ? limn_model_hidden(r->ctx, r->m, xs, r->M, layer, f)
                 : limn_model_forward(r->ctx, r->m, xs, r->M, LIMN_SPACE_OUTPUT, f);
  limn__free(r->ctx, xs);
  if (lr) {
    limn__free(r->ctx, f);
    return lr;
  }
  if (layer)
    snprintf(r->map_desc, sizeof r->map_desc, "the activations of hidden layer %zu (%zu units)", layer,
             r->mdim);
  else
    snprintf(r->map_desc, sizeof r->map_desc, "the model's %s (%zu values per row)",
             r->cls ? "class probabilities" : "outputs", r->mdim);
  *out = f;
  return LIMN_OK;
}

static int compute_map(rep *r) {
  if (!strcmp(r->in->map_space, "none")) {
    r->map_note = "no map was asked for (--map none)";
    return LIMN_OK;
  }
  int rc = map_rows(r);
  if (rc)
    return rc;
  if (r->M < 10) {
    r->map_note = "the data has too few rows for a map (t-SNE needs 10 at least)";
    return LIMN_OK;
  }
  float *f = NULL;
  if ((rc = map_features(r, &f)))
    return rc;
  limn_tsne_opts o = limn_tsne_opts_default();
  o.seed = r->in->seed;
  o.perplexity = fmin(30.0, floor((double)(r->M - 1) / 3.0));
  r->perplexity = o.perplexity;
  limn_tsne_affinity *P = NULL;
  r->y = limn__malloc(r->ctx, r->M * 2 * sizeof *r->y);
  int lr = r->y ? limn_tsne_affinities(r->ctx, f, r->M, r->mdim, o.perplexity, &P) : LIMN_ENOMEM;
  if (!lr)
    lr = limn_tsne_run(r->ctx, P, f, r->mdim, &o, r->y, &r->kl);
  limn_tsne_affinity_free(r->ctx, P);
  limn__free(r->ctx, f);
  return lr ? lr : LIMN_OK;
}

/* Tree models: the summary rows' interaction values (path-dependent, each row's
 * explained output) and the pair of features with the largest mean |value|. */
static int compute_interactions(rep *r) {
  size_t d = r->d, D = d + 1, k = r->nsum;
  long *t = limn__malloc(r->ctx, (k ? k : 1) * sizeof *t);
  r->inter = limn__malloc(r->ctx, (k ? k : 1) * D * D * sizeof *r->inter);
  double *mean = limn__calloc(r->ctx, D * D, sizeof *mean);
  int rc = t && r->inter && mean ? LIMN_OK : limn__err(r->ctx, LIMN_ENOMEM, "out of memory");
  for (size_t i = 0; i < k && !rc; i++)
    t[i] = (long)r->sumex[i].target;
  if (!rc)
    rc = limn_shap_interactions(r->ctx, r->m, r->sumx, k, -1, t, r->inter);
  for (size_t i = 0; i < k && !rc; i++)
    for (size_t q = 0; q < D * D; q++)
      mean[q] += fabs(r->inter[i * D * D + q]) / (double)k;
  r->ia = r->ib = 0, r->iamean = 0;
  for (size_t a = 0; a < d && !rc; a++)
    for (size_t b = a + 1; b < d; b++)
      if (mean[a * D + b] > r->iamean)
        r->iamean = mean[a * D + b], r->ia = a, r->ib = b;
  limn__free(r->ctx, t), limn__free(r->ctx, mean);
  return rc;
}

/* The summary: SHAP values of an even spread of at most summary_max data rows. */
static int compute_summary(rep *r) {
  const limn_report_opts *in = r->in;
  if ((!in->shap_background && !r->trees) || !in->summary_max)
    return LIMN_OK;
  size_t N = r->N, k = in->summary_max < N ? in->summary_max : N, d = r->d;
  r->sumrows = limn__malloc(r->ctx, (k ? k : 1) * sizeof *r->sumrows);
  r->sumx = limn__malloc(r->ctx, (k ? k : 1) * d * sizeof *r->sumx);
  if (!r->sumrows || !r->sumx)
    return LIMN_ENOMEM;
  for (size_t i = 0; i < k; i++) {
    r->sumrows[i] = (size_t)((double)i * (double)N / (double)k);
    memcpy(r->sumx + i * d, limn_dataset_x(in->data) + r->sumrows[i] * d, d * sizeof *r->sumx);
  }
  limn_shap_opts so = r->so;
  so.row_ids = r->sumrows;
  r->nsum = k;
  LIMN_TRY(limn_explain_shap(r->ctx, r->m, r->sumx, k, &so, &r->sumex));
  return r->trees ? compute_interactions(r) : LIMN_OK;
}

/* An image model (ONNX, (C, H, W) with C 1 or 3, in a build that writes PNG): Grad-CAM
 * (when the graph has a convolution), occlusion, IG (the report's) and LIME on superpixels
 * of every explained row, each with its deletion and insertion areas (the removed pixels
 * at 0, the model's units), so the page can show which map holds for each image. */
static int compute_images(rep *r) {
  if (!limn_image_supported() || limn_model_image_shape(NULL, r->m, &r->ic, &r->ih, &r->iw) ||
      (r->ic != 1 && r->ic != 3) || r->ic * r->ih * r->iw != r->d || !r->ig)
    return LIMN_OK;
  const limn_method want[4] = {LIMN_METHOD_GRADCAM, LIMN_METHOD_OCCLUSION, LIMN_METHOD_IG,
                               LIMN_METHOD_LIME_IMAGE};
  long *t = limn__malloc(r->ctx, r->n * sizeof *t);
  if (!t)
    return limn__err(r->ctx, LIMN_ENOMEM, "out of memory");
  for (size_t i = 0; i < r->n; i++)
    t[i] = (long)r->ig[i].target;
  int rc = LIMN_OK;
  for (int q = 0; q < 4 && !rc; q++) {
    limn_explanation *ex = NULL;
    if (want[q] == LIMN_METHOD_IG) {
      ex = r->ig;
    } else if (want[q] == LIMN_METHOD_LIME_IMAGE) {
      limn_lime_image_opts lo = limn_lime_image_opts_default();
      lo.targets = t, lo.seed = r->in->seed, lo.row_ids = r->in->rows;
      rc = limn_explain_lime_image(r->ctx, r->m, r->x, r->n, &lo, &ex);
    } else {
      limn_grad_opts go = limn_grad_opts_default();
      go.method = want[q], go.targets = t, go.row_ids = r->in->rows;
      if (want[q] == LIMN_METHOD_OCCLUSION && (r->ih < 16 || r->iw < 16)) /* small images: finer windows */
        go.window[0] = go.window[1] = 2, go.stride[0] = go.stride[1] = 1;
      rc = limn_explain_gradients(r->ctx, r->m, r->x, r->n, &go, &ex);
      if (rc == LIMN_ENOTFOUND && want[q] == LIMN_METHOD_GRADCAM) { /* no convolution: no Grad-CAM */
        limn_ctx_clear_error(r->ctx);
        rc = LIMN_OK;
        continue;
      }
    }
    size_t k = r->nim;
    r->imeth[k] = want[q], r->imex[k] = ex;
    r->imdel[k] = limn__malloc(r->ctx, r->n * sizeof(double));
    r->imins[k] = limn__malloc(r->ctx, r->n * sizeof(double));
    r->nim++;
    if (!rc && (!r->imdel[k] || !r->imins[k]))
      rc = limn__err(r->ctx, LIMN_ENOMEM, "out of memory");
    limn_curve_opts co = limn_explain_curve_opts_default();
    if (!rc)
      rc = limn_explain_deletion_insertion(r->ctx, r->m, r->x, r->n, ex, &co, r->imdel[k], r->imins[k], NULL);
  }
  limn__free(r->ctx, t);
  return rc;
}

static int compute(rep *r) {
  const limn_report_opts *in = r->in;
  r->d = limn_model_nfeatures(r->m);
  r->C = limn_model_noutputs(r->m);
  r->N = limn_dataset_nrows(in->data);
  r->n = in->nrows;
  r->cls = limn_model_task(r->m) == LIMN_TASK_CLASSIFICATION;
  size_t d = r->d, N = r->N;
  r->x = limn__malloc(r->ctx, (r->n * d + 1) * sizeof *r->x);
  r->p = limn__malloc(r->ctx, (N * r->C + 1) * sizeof *r->p);
  r->pred = limn__calloc(r->ctx, N + 1, sizeof *r->pred);
  if (!r->x || !r->p || !r->pred)
    return limn__err(r->ctx, LIMN_ENOMEM, "out of memory");
  for (size_t i = 0; i < r->n; i++)
    memcpy(r->x + i * d, limn_dataset_x(in->data) + in->rows[i] * d, d * sizeof *r->x);
  int lr = limn_model_predict(r->ctx, r->m, limn_dataset_x(in->data), N, r->p);
  if (lr)
    return lr;
  for (size_t i = 0; r->cls && i < N; i++)
    for (size_t k = 1; k < r->C; k++)
      if (r->p[i * r->C + k] > r->p[i * r->C + (size_t)r->pred[i]])
        r->pred[i] = (long)k;
  const float *y = limn_dataset_y(in->data);
  if (y && r->cls) {
    r->truth = limn__malloc(r->ctx, N * sizeof *r->truth);
    if (!r->truth)
      return limn__err(r->ctx, LIMN_ENOMEM, "out of memory");
    for (size_t i = 0; i < N; i++)
      r->truth[i] = (long)y[i];
  }
  /* LIME and IG of the predicted class */
  r->bg = in->background ? in->background : limn_model_stats(r->m);
  r->lo = limn_lime_opts_default();
  r->lo.num_samples = in->num_samples;
  if (r->lo.num_features > d)
    r->lo.num_features = d; /* the default 10, on narrow data */
  r->lo.seed = in->seed;
  r->lo.row_ids = in->rows;
  r->g = limn_grad_opts_default();
  r->g.method = LIMN_METHOD_IG;
  r->g.quadrature = LIMN_QUAD_AUTO;
  /* the training means: the model's, or the background file's; zero only without both */
  r->g.baseline = r->bg ? LIMN_BASELINE_MEAN : LIMN_BASELINE_ZERO;
  r->g.stats = limn_model_stats(r->m) ? NULL : r->bg;
  r->g.row_ids = in->rows;
  int rc;
  for (size_t q = 0; q < r->n * d; q++)
    r->lime_missing |= isnan(r->x[q]);
  if (r->bg && !r->lime_missing && (rc = lime_run(r, NULL, &r->lime)))
    return rc;
  r->trees = limn_model_is_trees(r->m);
  if (!r->trees && (rc = ig_run(r, NULL, &r->ig)))
    return rc;
  r->so = limn_shap_opts_default();
  r->so.background = in->shap_background, r->so.nbackground = in->shap_nbackground;
  r->so.seed = in->seed, r->so.row_ids = in->rows;
  if (r->trees) { /* TreeSHAP of the raw output (a margin; a forest's probability): path-dependent, or
                     interventional over the background */
    size_t raw;
    double sign;
    r->so.space = limn__trees_raw(r->m, 0, &raw, &sign) & 4 ? LIMN_SPACE_LOGIT : LIMN_SPACE_OUTPUT;
  }
  if ((in->shap_background || r->trees) &&
      (rc = limn_explain_shap(r->ctx, r->m, r->x, r->n, &r->so, &r->shap)))
    return rc;
  if (r->trees) { /* each row's interaction values, for its explained output */
    size_t D = d + 1;
    long *t = limn__malloc(r->ctx, (r->n ? r->n : 1) * sizeof *t);
    r->rinter = limn__malloc(r->ctx, (r->n ? r->n : 1) * D * D * sizeof *r->rinter);
    if (!t || !r->rinter) {
      limn__free(r->ctx, t);
      return limn__err(r->ctx, LIMN_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < r->n; i++)
      t[i] = (long)r->shap[i].target;
    rc = limn_shap_interactions(r->ctx, r->m, r->x, r->n, -1, t, r->rinter);
    limn__free(r->ctx, t);
    if (rc)
      return rc;
  }
  /* reason codes: explanations of the favourable class, or the predicted ones */
  limn_method rm = in->reasons_from == LIMN_METHOD_LIME && r->lime   ? LIMN_METHOD_LIME
                   : in->reasons_from == LIMN_METHOD_SHAP && r->shap ? LIMN_METHOD_SHAP
                   : r->ig                                           ? LIMN_METHOD_IG
                                                                     : LIMN_METHOD_SHAP;
  r->rex = rm == LIMN_METHOD_LIME ? r->lime : rm == LIMN_METHOD_SHAP ? r->shap : r->ig;
  if (in->reasons && in->favourable >= 0 && r->cls) {
    long *t = limn__malloc(r->ctx, r->n * sizeof *t);
    if (!t)
      return limn__err(r->ctx, LIMN_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->n; i++)
      t[i] = in->favourable;
    r->rex = NULL;
    limn_shap_opts so = r->so;
    so.targets = t;
    rc = rm == LIMN_METHOD_LIME   ? lime_run(r, t, &r->rex)
         : rm == LIMN_METHOD_SHAP ? limn_explain_shap(r->ctx, r->m, r->x, r->n, &so, &r->rex)
                                  : ig_run(r, t, &r->rex);
    limn__free(r->ctx, t);
    if (rc)
      return rc;
  }
  r->rc = limn_render_opts_default();
  r->rc.model = r->m, r->rc.top = in->top, r->rc.background = r->bg, r->rc.discretizer = r->lo.discretizer;
  r->rc.reasons = in->reasons, r->rc.favourable = in->favourable;
  r->rc.protected_cols = in->protected_cols, r->rc.nprotected = in->nprotected;
  size_t s = (size_t)lround(sqrt((double)d));
  if (s * s == d && d >= 16 && limn_model_nslots(r->m) == d)
    r->image_w = r->image_h = s;
  if ((rc = compute_summary(r)) || (rc = compute_images(r)))
    return rc;
  return compute_map(r);
}

/* ---- writing ---- */

static const char *class_name(const rep *r, long k) {
  const char *s = limn_model_output_name(r->m, (size_t)(k < 0 ? 0 : k));
  return s ? s : "?";
}

static const char *CSS =
    ":root{color-scheme:light}"
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "color:#1a1a1a;background:#fff}"
    "main{max-width:62rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:2px solid "
    "#1a1a1a}h3{font-size:1.05rem;margin:1.2rem 0 .3rem}"
    "table{border-collapse:collapse;margin:.3rem 0 .8rem}th,td{padding:.15rem .5rem;text-align:left;"
    "vertical-align:top;border-bottom:1px solid #ccc}th{background:#f0f0f0}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".scroll{overflow-x:auto}"
    ".axis{display:block;position:relative;height:.9em;min-width:9rem;margin-top:.3em;"
    "background:linear-gradient(#555,#555) center/1px 100% no-repeat}"
    ".axis1{display:block;position:relative;height:.9em;min-width:9rem;margin-top:.3em;background:#eee}"
    ".pos,.neg,.p1{position:absolute;top:0;bottom:0}.pos{left:50%;background:#b2182b}"
    ".neg{right:50%;background:#2166ac}.p1{left:0;background:#a0a0a0}.p1.hi{background:#333}"
    ".up{color:#b2182b}.down{color:#2166ac}"
    ".lead{font-size:1.1rem}.why{color:#444;font-style:italic}"
    ".agree{border-left:4px solid #2ca02c;padding-left:.6rem}"
    ".disagree{border-left:4px solid #b35806;padding-left:.6rem;background:#fff6e8}"
    ".note{color:#444;font-size:.9rem}"
    "figure{margin:.5rem 0}svg{max-width:100%;height:auto}"
    ".gallery{display:flex;flex-wrap:wrap;gap:.75rem}.gallery figure.im{margin:0;width:164px}"
    ".gallery img{display:block;image-rendering:pixelated;border:2px solid transparent;max-width:100%;"
    "height:auto}.gallery figure.best img{border-color:#1a7f37}.gallery figcaption{font-size:.85rem}"
    ".gallery .caution{color:#b2182b}img.thumb{image-rendering:pixelated;display:block}"
    ".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}"
    ".mk{vertical-align:-.1em;margin-right:.3em}.sw{display:inline-block;width:.8em;height:.8em;border-"
    "radius:50%;margin-right:.3em;"
    "vertical-align:-.05em}"
    "code{overflow-wrap:anywhere}dt{font-weight:bold}dd{margin:0 0 .4rem 1rem;overflow-wrap:anywhere}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "@media print{body{font-size:11pt}main{max-width:none}section.row{break-before:page}"
    "nav{display:none}details{display:block}}"
    "@media (max-width:40rem){body{font-size:15px}main{padding:.5rem}"
    /* narrow screens: a table with bars stacks each row: the name, then the numbers
     * side by side (--k columns), then the bar across the width */
    "table.bars,table.bars>thead,table.bars>tbody{display:block}table.bars "
    "caption{display:block;text-align:left}"
    "table.bars tr{display:grid;grid-template-columns:repeat(var(--k),1fr);border-bottom:1px solid #ccc;"
    "padding:.2rem 0}table.bars th,table.bars td{border:0;padding:.05rem .4rem}"
    "table.bars tr>:first-child,table.bars tr>:last-child{grid-column:1/-1}table.bars "
    "td.num{text-align:left}td.num{white-space:normal;overflow-wrap:anywhere}"
    ".axis,.axis1{min-width:0}"
    /* wide charts keep legible text and scroll sideways instead of shrinking */
    "figure.wide{overflow-x:auto}figure.wide svg{max-width:none;width:44rem}}";

static void head(limn__out *f, const rep *r) {
  const char *title = r->in->title ? r->in->title : "limn report";
  limn__puts(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
                "'unsafe-inline'; img-src data:\">\n<meta name=\"generator\" content=\"limn ");
  limn__xml(f, limn_version());
  limn__puts(f, "\">\n<title>");
  limn__xml(f, title);
  limn__printf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<header>\n<h1>", CSS);
  limn__xml(f, title);
  limn__puts(f, "</h1>\n<p>Why the model decided as it did for ");
  limn__printf(f, "%zu row%s of <code>", r->n, r->n == 1 ? "" : "s");
  limn__xml(f, r->in->data_path ? r->in->data_path : "data in memory");
  if (r->trees) {
    limn__puts(f, "</code>, explained two ways: LIME (a weighted linear model fitted to the model's answers "
                  "around the row) and TreeSHAP (each feature's exact Shapley value, read from the trees, "
                  "with the interactions between pairs of features). Red means the feature raised the "
                  "explained output, blue that it lowered it.</p>\n</header>\n");
    return;
  }
  limn__printf(
      f,
      "</code>, explained %s ways: LIME (a weighted linear model fitted to the model's answers around "
      "the row)%s Integrated Gradients (the output's change from a baseline, shared out among the "
      "inputs)%s. Red means the feature raised the explained output, blue that it lowered it.</p>\n"
      "</header>\n",
      r->shap ? "three" : "two", r->shap ? "," : " and",
      r->shap ? " and SHAP (each feature's effect averaged over every order in which the features "
                "could join, against reference rows)"
              : "");
}

/* Predicted class (or value) of data row i, as text. */
static void pred_text(limn__out *f, const rep *r, size_t i) {
  if (r->cls) {
    limn__xml(f, class_name(r, r->pred[i]));
    limn__printf(f, " (%.3f)", (double)r->p[i * r->C + (size_t)r->pred[i]]);
  } else {
    limn__printf(f, "%.4g", (double)r->p[i]);
  }
}

static void summary(limn__out *f, const rep *r) {
  limn__puts(
      f,
      "<nav aria-label=\"Explained rows\">\n<h2 id=\"summary\">Explained rows</h2>\n<div class=\"scroll\">");
  size_t cols = 2 + (r->truth != NULL) + (r->in->why != NULL);
  limn__printf(f,
               "<table%s style=\"--k:%zu\">\n<thead><tr><th scope=\"col\">Row</th><th "
               "scope=\"col\">Prediction</th>",
               cols > 2 ? " class=\"bars\"" : "", cols > 2 ? cols - 2 : 1);
  if (r->truth)
    limn__puts(f, "<th scope=\"col\">True class</th>");
  if (r->in->why)
    limn__puts(f, "<th scope=\"col\">Chosen as</th>");
  limn__puts(f, "</tr></thead>\n<tbody>\n");
  for (size_t i = 0; i < r->n; i++) {
    size_t k = r->in->rows[i];
    limn__printf(f, "<tr><td><a href=\"#row-%zu\">row %zu</a></td><td>", k, k);
    pred_text(f, r, k);
    limn__puts(f, "</td>");
    if (r->truth) {
      limn__puts(f, "<td>");
      limn__xml(f, class_name(r, r->truth[k]));
      limn__puts(f, r->truth[k] == r->pred[k] ? "" : " <strong>(misclassified)</strong>");
      limn__puts(f, "</td>");
    }
    if (r->in->why) {
      limn__puts(f, "<td>");
      limn__xml(f, r->in->why[i] ? r->in->why[i] : "");
      limn__puts(f, "</td>");
    }
    limn__puts(f, "</tr>\n");
  }
  limn__puts(f, "</tbody></table></div>\n<p><a href=\"#map\">The map</a> &middot; <a "
                "href=\"#provenance\">Provenance</a></p>\n</nav>\n");
}

static void value_text(limn__out *f, const rep *r, size_t j, float v) {
  const char *cat = limn__category(r->m, j, v);
  if (cat)
    limn__xml(f, cat);
  else
    limn__printf(f, "%.6g", (double)v);
}

/* A signed bar: |w| / mx of half the cell, red right or blue left. */
/* What explanation e explains: "P(class)" (its log-odds with --output logit), or the value. */
static void explained_name(limn__out *f, const rep *r, const limn_explanation *e) {
  if (!r->cls) {
    limn__puts(f, "the model's value");
    return;
  }
  limn__puts(f, e->space == LIMN_SPACE_LOGIT ? "logit(" : "P(");
  limn__xml(f, class_name(r, (long)e->target));
  limn__puts(f, ")");
}

/* Column j in a table: its description and unit when it has one, with its name in small print. */
static void feature_cell(limn__out *f, const rep *r, size_t j) {
  char tb[400], nb[160];
  limn__xml(f, limn__feature_title(r->m, j, tb, sizeof tb));
  if (limn_model_feature_description(r->m, j)) {
    limn__puts(f, " <span class=\"note\">");
    limn__xml(f, limn__feature_name(r->m, j, nb, sizeof nb));
    limn__puts(f, "</span>");
  }
}

static void bar(limn__out *f, double w, double mx) {
  double pc = mx > 0 ? 50.0 * fabs(w) / mx : 0;
  limn__printf(
      f,
      "<td aria-hidden=\"true\"><span class=\"axis\"><span class=\"%s\" style=\"width:%.1f%%\"></span>"
      "</span></td>",
      w >= 0 ? "pos" : "neg", pc);
}

static void prediction(limn__out *f, const rep *r, size_t i) {
  size_t k = r->in->rows[i];
  limn__puts(f, "<h3>Prediction</h3>\n");
  if (!r->cls) {
    limn__printf(f, "<p>The model's value: <strong>%.6g</strong>.</p>\n", (double)r->p[k]);
    return;
  }
  limn__puts(
      f, "<div class=\"scroll\"><table class=\"probs bars\" style=\"--k:1\"><caption class=\"note\">Class "
         "probabilities</caption>\n"
         "<thead><tr><th scope=\"col\">Class</th><th scope=\"col\">Probability</th><th "
         "scope=\"col\"><span class=\"note\">bar</span></th></tr></thead>\n<tbody>\n");
  for (size_t c = 0; c < r->C; c++) {
    double pc = (double)r->p[k * r->C + c];
    limn__puts(f, "<tr><td>");
    limn__xml(f, class_name(r, (long)c));
    limn__printf(f,
                 "%s</td><td class=\"num\">%.3f</td><td aria-hidden=\"true\"><span class=\"axis1\"><span "
                 "class=\"p1%s\" style=\"width:%.1f%%\"></span></span></td></tr>\n",
                 (long)c == r->pred[k] ? " (predicted)" : "", pc, (long)c == r->pred[k] ? " hi" : "",
                 100.0 * pc);
  }
  limn__puts(f, "</tbody></table></div>\n");
}

static const char *method_title(const limn_explanation *e) {
  return e->method == LIMN_METHOD_LIME   ? "LIME"
         : e->method == LIMN_METHOD_SHAP ? "SHAP"
                                         : "Integrated Gradients";
}

/* A caution under an explanation that does not hold up by its own checks (1 if written). */
static int caution(limn__out *f, const rep *r, const limn_explanation *e, const char *lead) {
  char why[1024];
  if (limn_explain_trust(e, &r->rc.trust, why, sizeof why))
    return 0;
  limn__printf(
      f, "<p class=\"disagree caution\"><strong>Caution: %s does not hold up for this row.</strong> ", lead);
  why[0] = (char)toupper((unsigned char)why[0]);
  limn__xml(f, why);
  limn__puts(
      f, e->method == LIMN_METHOD_LIME ? ". Do not read reasons off it; see which method holds up below."
         : e->method == LIMN_METHOD_IG ? ". The baseline is a poor reference for this row; see which method "
                                         "holds up below."
                                       : ". The order of the features may change with another draw.");
  limn__puts(f, "</p>\n");
  return 1;
}

/* The colour class of a signed effect: none for 0, which has no direction. */
static const char *updown(double v) { return v > 0 ? "up" : v < 0 ? "down" : "zero"; }

static void reasons(limn__out *f, const rep *r, size_t i) {
  if (!r->in->reasons || !r->rex)
    return;
  const limn_explanation *e = &r->rex[i];
  int lowered = r->in->favourable >= 0 && (long)e->target == r->in->favourable;
  limn_reason *rs = limn__malloc(r->ctx, r->in->reasons * sizeof *rs);
  if (!rs)
    return;
  size_t k = limn_reason_codes(&r->rc, e, r->x + i * r->d, lowered, r->in->reasons, rs);
  limn__puts(f, "<h3>Reason codes</h3>\n<p class=\"note\">");
  if (!r->cls)
    limn__printf(f, "The features that %s the prediction most", lowered ? "lowered" : "raised");
  else {
    limn__printf(f, "The features that %s the probability of <strong>", lowered ? "lowered" : "raised");
    limn__xml(f, class_name(r, (long)e->target));
    limn__puts(f, lowered ? "</strong> (the favourable class) most" : "</strong> most");
  }
  limn__printf(f, ", from %s.</p>\n", method_title(e));
  char lead[64];
  snprintf(lead, sizeof lead, "%s, where these reasons come from,", method_title(e));
  caution(f, r, e, lead);
  limn__puts(f, "<ol class=\"reasons\">\n");
  for (size_t q = 0; q < k; q++) {
    limn__puts(f, "<li>");
    limn__xml(f, rs[q].text);
    if (rs[q].protected_attr)
      limn__puts(
          f, " <strong class=\"protected\">Protected characteristic:</strong> not to be given as a reason "
             "for a decision; a model that relies on it needs review.");
    limn__puts(f, "</li>\n");
  }
  if (!limn__explanation_reacts(e))
    limn__puts(f, "<li>None: the model does not react to any feature around this row.</li>\n");
  else if (!k)
    limn__printf(f, "<li>No feature %s it.</li>\n", lowered ? "lowered" : "raised");
  limn__puts(f, "</ol>\n");
  limn__free(r->ctx, rs);
}

/* Features sorted by |attribution| into idx (LIME: selected only); returns how many
 * to show (at most top), and how many there are in *all. */
static size_t ranked(const limn_explanation *e, size_t *idx, size_t top, size_t *all) {
  size_t ns = limn__shown(e, idx);
  *all = ns;
  return top && top < ns ? top : ns;
}

static void heatmap(limn__out *f, const rep *r, size_t i, const limn_explanation *e, const char *what,
                    int overlay);

static void lime_section(limn__out *f, const rep *r, size_t i) {
  limn__puts(f, "<h3>LIME</h3>\n");
  if (!r->lime && r->lime_missing) {
    limn__puts(f, "<p>Not available: the explained rows hold missing values, which LIME's bins have no "
                  "place for (TreeSHAP sends them down each split's default way).</p>\n");
    return;
  }
  if (!r->lime) {
    limn__puts(f, "<p>Not available: LIME needs the training data's statistics, and the model stores none "
                  "(give <code>--background FILE</code>).</p>\n");
    return;
  }
  const limn_explanation *e = &r->lime[i];
  size_t *idx = limn__malloc(r->ctx, r->d * sizeof *idx);
  if (!idx)
    return;
  size_t nsel, show = ranked(e, idx, r->in->top, &nsel);
  limn__printf(f, "<p>The surrogate explains P(<strong>");
  limn__xml(f, class_name(r, (long)e->target));
  limn__printf(
      f,
      "</strong>) = %.3f with %zu features: intercept %.3g, its prediction at the row %.3g, fidelity "
      "(weighted R<sup>2</sup> on %zu samples) <strong>%.3f</strong>. Each weight is the change in "
      "probability when the feature is in the row's bin rather than another, &plusmn; its standard "
      "error.</p>\n",
      e->output, nsel, e->intercept, e->local_pred, e->num_samples, e->score);
  double mx = 0;
  for (size_t t = 0; t < nsel; t++)
    mx = fmax(mx, fabs(e->attr[idx[t]]));
  caution(f, r, e, "this LIME explanation");
  if (r->image_w)
    heatmap(f, r, i, e, "LIME weights", 1);
  limn__puts(f,
             "<div class=\"scroll\"><table class=\"lime bars\" style=\"--k:3\"><caption class=\"note\">LIME "
             "weights for ");
  explained_name(f, r, e);
  limn__puts(f, ", largest first</caption>\n<thead><tr><th scope=\"col\">Condition</th><th "
                "scope=\"col\">Value</th><th "
                "scope=\"col\">Weight</th><th scope=\"col\">&plusmn; s.e.</th><th scope=\"col\"><span "
                "class=\"note\">bar</span></th></tr></thead>\n<tbody>\n");
  char lb[256];
  for (size_t t = 0; t < show; t++) {
    size_t j = idx[t];
    limn__puts(f, "<tr><td>");
    limn__xml(f, limn__label(&r->rc, e, j, lb, sizeof lb));
    limn__puts(f, "</td><td class=\"num\">");
    value_text(f, r, j, r->x[i * r->d + j]);
    limn__printf(f, "</td><td class=\"num %s\">%+.3g</td><td class=\"num\">", updown(e->attr[j]), e->attr[j]);
    if (e->std_error && isfinite(e->std_error[j]))
      limn__printf(f, "%.2g", e->std_error[j]);
    limn__puts(f, "</td>");
    bar(f, e->attr[j], mx);
    limn__puts(f, "</tr>\n");
  }
  limn__puts(f, "</tbody></table></div>\n");
  limn__free(r->ctx, idx);
}

/* An image-shaped row and explanation e side by side: the input (dark = high) and the
 * attribution per pixel in the diverging colours, with its scale. With `overlay` (LIME,
 * which weighs only the pixels it selected) the other pixels show the input, faded. */
static void heatmap(limn__out *f, const rep *r, size_t i, const limn_explanation *e, const char *what,
                    int overlay) {
  size_t w = r->image_w, h = r->image_h, d = r->d, k = r->in->rows[i];
  const float *x = r->x + i * d;
  double lo = INFINITY, hi = -INFINITY, mx = 0, cell = 28;
  for (size_t j = 0; j < d; j++) {
    lo = fmin(lo, x[j]), hi = fmax(hi, x[j]);
    mx = fmax(mx, fabs(e->attr[j]));
  }
  double W = cell * (double)(2 * w) + 30, Hh = cell * (double)h + 24 + 46;
  limn__printf(
      f,
      "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
      "height=\"%.0f\" role=\"img\" aria-labelledby=\"hm-%s-%zu-t\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n<title id=\"hm-%s-%zu-t\">Row %zu as a %zux%zu image (left, dark = high) and its ",
      W, Hh, W, Hh, overlay ? "lime" : "ig", k, overlay ? "lime" : "ig", k, k, w, h);
  limn__xml(f, what);
  limn__printf(f,
               " (right, red raised, blue lowered the probability; the scale gives the values)</title>\n"
               "<text x=\"0\" y=\"14\">input</text><text x=\"%.0f\" y=\"14\">",
               cell * (double)w + 30);
  limn__xml(f, what);
  limn__puts(f, "</text>\n");
  char col[16];
  for (size_t rr = 0; rr < h; rr++)
    for (size_t c = 0; c < w; c++) {
      size_t j = rr * w + c;
      double t = hi > lo ? (x[j] - lo) / (hi - lo) : 0;
      int gray = 255 - (int)lround(255.0 * t), faded = 255 - (int)lround(80.0 * t);
      limn__printf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#%02x%02x%02x\"/>",
                   cell * (double)c, 20 + cell * (double)rr, cell, cell, gray, gray, gray);
      if (overlay && e->attr[j] == 0)
        snprintf(col, sizeof col, "#%02x%02x%02x", faded, faded, faded);
      else
        limn__diverging(mx > 0 ? e->attr[j] / mx : 0, col, sizeof col);
      limn__printf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"%s\"%s/>\n",
                   cell * (double)(w + c) + 30, 20 + cell * (double)rr, cell, cell, col,
                   overlay && e->attr[j] != 0 ? " stroke=\"#000\" stroke-width=\"1\"" : "");
    }
  limn__svg_colour_scale(f, cell * (double)w + 30, 26 + cell * (double)h, cell * (double)w, mx, NULL);
  limn__printf(f, "</svg><figcaption class=\"note\">%s</figcaption></figure>\n",
               overlay ? "The pixels LIME weighed, outlined and coloured by weight on the faded input; the "
                         "table below gives the values."
                       : "The table below lists the strongest pixels.");
}

static void ig_section(limn__out *f, const rep *r, size_t i) {
  if (!r->ig) {
    limn__puts(f, "<h3>Integrated Gradients</h3>\n<p>Not applicable: a tree ensemble's output is piecewise "
                  "constant, so it has no gradients. TreeSHAP, below, gives the exact Shapley values in "
                  "their place.</p>\n");
    return;
  }
  const limn_explanation *e = &r->ig[i];
  limn__puts(f, "<h3>Integrated Gradients</h3>\n<p>");
  limn__printf(f,
               "From the baseline (%s, where the model gives %.3g) to the row (%.3g), the change is shared "
               "among the features. Completeness gap (sum of attributions minus the change): <strong>%.2g"
               "</strong>%s.</p>\n",
               r->g.baseline == LIMN_BASELINE_MEAN
                   ? (r->g.stats ? "the background file's means" : "the training means")
                   : "all zeros: the model stores no training statistics and no "
                     "--background was given",
               e->base_value, e->output, e->delta,
               e->nsegments ? ", exact path integral" : ", 50-node Gauss-Legendre quadrature");
  if (e->finite_differences)
    limn__puts(f,
               "<p class=\"note\">The model has no gradients: central finite differences were used.</p>\n");
  caution(f, r, e, "this Integrated Gradients explanation");
  if (r->image_w)
    heatmap(f, r, i, e, "attribution", 0);
  size_t *idx = limn__malloc(r->ctx, r->d * sizeof *idx);
  if (!idx)
    return;
  size_t all, show = ranked(e, idx, r->in->top, &all);
  double mx = limn__bar_scale(e);
  limn__puts(
      f, "<div class=\"scroll\"><table class=\"ig bars\" style=\"--k:2\"><caption class=\"note\">Integrated "
         "Gradients attributions to ");
  explained_name(f, r, e);
  limn__puts(
      f,
      ", largest first</caption>\n<thead><tr><th scope=\"col\">Feature</th><th scope=\"col\">Value</th><th "
      "scope=\"col\">Attribution</th><th scope=\"col\"><span class=\"note\">bar</span></th></tr></thead>\n"
      "<tbody>\n");
  for (size_t t = 0; t < show; t++) {
    size_t j = idx[t];
    limn__puts(f, "<tr><td>");
    feature_cell(f, r, j);
    limn__puts(f, "</td><td class=\"num\">");
    value_text(f, r, j, r->x[i * r->d + j]);
    limn__printf(f, "</td><td class=\"num %s\">%+.3g</td>", updown(e->attr[j]), e->attr[j]);
    bar(f, e->attr[j], mx);
    limn__puts(f, "</tr>\n");
  }
  limn__puts(f, "</tbody></table></div>\n");
  limn__free(r->ctx, idx);
}

/* Up to 5 features of e by |attribution| (LIME: selected only). Returns the count. */
static size_t top5(const rep *r, const limn_explanation *e, size_t *out) {
  size_t *idx = limn__malloc(r->ctx, r->d * sizeof *idx), k = 0;
  if (!idx)
    return 0;
  size_t ns = limn__shown(e, idx);
  for (; k < 5 && k < ns; k++)
    out[k] = idx[k];
  limn__free(r->ctx, idx);
  return k;
}

static void names(limn__out *f, const rep *r, const size_t *j, size_t k) {
  char nb[160];
  for (size_t q = 0; q < k; q++) {
    limn__puts(f, q ? (q + 1 == k ? " and " : ", ") : "");
    limn__xml(f, limn__feature_name(r->m, j[q], nb, sizeof nb));
  }
}

/* How many of a's top features are among b's (shared), and how many of those with
 * opposite signs. */
static size_t overlap(const rep *r, const limn_explanation *a, const limn_explanation *b, size_t *nflip) {
  size_t ta[5], tb[5], na = top5(r, a, ta), nb = top5(r, b, tb), ns = 0;
  *nflip = 0;
  for (size_t p = 0; p < na; p++)
    for (size_t q = 0; q < nb; q++)
      if (ta[p] == tb[q]) {
        ns++;
        *nflip += (a->attr[ta[p]] > 0) != (b->attr[ta[p]] > 0);
      }
  return ns;
}

/* SHAP against the other two: its top 5 among theirs, with the same signs? */
static int shap_agreement(limn__out *f, const rep *r, size_t i) {
  const limn_explanation *s = &r->shap[i];
  size_t fi, fl = 0, si = overlap(r, s, &r->ig[i], &fi), sl = r->lime ? overlap(r, s, &r->lime[i], &fl) : 0;
  int ok = si >= 3 && fi == 0 && (!r->lime || (sl >= 3 && fl == 0));
  limn__printf(f,
               "<p class=\"%s\"><strong>%s</strong> %zu of SHAP's top 5 features are among Integrated "
               "Gradients' top 5",
               ok ? "agree" : "disagree", ok ? "SHAP agrees." : "SHAP tells another story.", si);
  if (r->lime)
    limn__printf(f, ", %zu among LIME's", sl);
  limn__puts(f, ".");
  if (fi || fl)
    limn__printf(f, " It gives %zu of the shared features the opposite direction.", fi + fl);
  limn__puts(f, "</p>\n");
  return ok;
}

/* Which explanation to believe for row i: the ones that hold up by their own checks,
 * the exact ones (SHAP, IG) before LIME's approximation when several do; ok: the
 * compared methods agreed. */
static void verdict(limn__out *f, const rep *r, size_t i, int ok) {
  const limn_explanation *c[3] = {r->shap ? &r->shap[i] : NULL, r->ig ? &r->ig[i] : NULL,
                                  r->lime ? &r->lime[i] : NULL};
  const char *name[3] = {r->trees ? "TreeSHAP" : "SHAP", "Integrated Gradients", "LIME"};
  int held[3] = {0, 0, 0}, nheld = 0, nm = 0, best = -1;
  for (int q = 0; q < 3; q++)
    if (c[q]) {
      nm++;
      held[q] = limn_explain_trust(c[q], &r->rc.trust, NULL, 0);
      nheld += held[q];
      if (held[q] && best < 0)
        best = q;
    }
  if (!nm)
    return;
  limn__printf(f, "<p class=\"%s\"><strong>Which to believe for this row:</strong> ",
               best >= 0 ? "agree" : "disagree");
  if (best < 0) {
    limn__puts(f,
               "none of the explanations holds up by its own checks (see the cautions above), so its reasons "
               "should not be given as they stand: review this decision by hand.</p>\n");
    return;
  }
  limn__printf(f, "%s", name[best]);
  if (nheld == nm && ok && nm > 1)
    limn__puts(f, ": every method holds up by its own checks and they agree, so the reasons stand.");
  else if (nheld > 1) {
    limn__puts(f, ": ");
    for (int q = 0, k = 0; q < 3; q++)
      if (c[q] && held[q])
        k++, limn__printf(f, "%s%s", k == 1 ? "" : k == nheld ? " and " : ", ", name[q]);
    limn__puts(f, " hold up by their own checks");
    for (int q = 0; q < 3 && nheld < nm; q++)
      if (c[q] && !held[q])
        limn__printf(f, " (%s does not)", name[q]);
    if (best == 0 && held[1])
      limn__printf(f,
                   "; %s averages over many reference rows where Integrated Gradients follows one path from "
                   "one baseline, so where they differ it is the one to follow.",
                   name[best]);
    else
      limn__printf(f,
                   "; %s is read off the model itself where LIME fits a line to it around the row, so where "
                   "they differ it is the one to follow.",
                   name[best]);
  } else if (nm > 1) {
    limn__puts(f, ": it is the one that holds up by its own checks (");
    for (int q = 0, first = 1; q < 3; q++)
      if (c[q] && !held[q]) {
        limn__printf(f, "%s%s does not", first ? "" : "; ", name[q]);
        first = 0;
      }
    limn__puts(f, ", as the cautions above say).");
  } else
    limn__puts(f, ": it holds up by its own checks.");
  limn__puts(f, "</p>\n");
}

/* Do LIME and IG name the same top features, with the same signs? */
static void agreement(limn__out *f, const rep *r, size_t i) {
  if (!r->lime || (!r->ig && !r->shap)) {
    if (r->ig || r->shap || r->lime) {
      limn__puts(f, "<h3>Which to believe</h3>\n");
      verdict(f, r, i, 1);
    }
    return;
  }
  const limn_explanation *a = &r->lime[i], *b = r->ig ? &r->ig[i] : &r->shap[i];
  const char *bn = r->ig ? "Integrated Gradients" : "TreeSHAP";
  size_t ta[5], tb[5], na = top5(r, a, ta), nb = top5(r, b, tb), shared[5], ns = 0, flip[5], nf = 0;
  for (size_t p = 0; p < na; p++)
    for (size_t q = 0; q < nb; q++)
      if (ta[p] == tb[q]) {
        shared[ns++] = ta[p];
        if ((a->attr[ta[p]] > 0) != (b->attr[ta[p]] > 0))
          flip[nf++] = ta[p];
      }
  int ok = ns >= 3 && nf == 0;
  limn__printf(f, "<h3>Do the methods agree?</h3>\n<p class=\"%s\"><strong>%s</strong> ",
               ok ? "agree" : "disagree",
               ok      ? "They agree."
               : r->ig ? "LIME and Integrated Gradients disagree."
                       : "LIME and TreeSHAP disagree.");
  limn__printf(f, "%zu of LIME's top %zu features are among %s' top %zu", ns, na, bn, nb);
  if (ns) {
    limn__puts(f, " (");
    names(f, r, shared, ns);
    limn__puts(f, ")");
  }
  limn__puts(f, ". ");
  if (!ok) {
    limn__puts(f, "LIME ranks ");
    names(f, r, ta, na);
    limn__printf(f, " first; %s ranks ", bn);
    names(f, r, tb, nb);
    limn__puts(f, " first. ");
  }
  if (nf) {
    limn__puts(f, "They give opposite directions for ");
    names(f, r, flip, nf);
    limn__puts(f, ". ");
  }
  if (!ok && r->ig)
    limn__puts(f,
               "LIME weighs the row's bins against the whole training distribution, Integrated Gradients "
               "follows the model from the training means to this row: when they differ, neither alone tells "
               "the whole story.");
  else if (!ok)
    limn__puts(f,
               "LIME fits a line to the model around the row's bins (an approximation), TreeSHAP reads the "
               "trees themselves (exact Shapley values): where they differ, TreeSHAP's values are the "
               "model's own.");
  limn__puts(f, "</p>\n");
  int sok = 1;
  if (r->shap && r->ig)
    sok = shap_agreement(f, r, i);
  verdict(f, r, i, ok && sok);
}

static void all_values(limn__out *f, const rep *r, size_t i) {
  limn__printf(f,
               "<details><summary>All %zu feature values of this row</summary>\n<div class=\"scroll\"><table>"
               "<thead><tr><th scope=\"col\">Feature</th><th scope=\"col\">Value</th></tr></thead><tbody>\n",
               r->d);
  for (size_t j = 0; j < r->d; j++) {
    limn__puts(f, "<tr><td>");
    feature_cell(f, r, j);
    limn__puts(f, "</td><td class=\"num\">");
    value_text(f, r, j, r->x[i * r->d + j]);
    limn__puts(f, "</td></tr>\n");
  }
  limn__puts(f, "</tbody></table></div></details>\n");
}

/* What a tree model's raw output is, for class k. */
static void raw_name(limn__out *f, const rep *r, const limn_explanation *e) {
  if (!r->cls) {
    limn__puts(f, "the model's value");
    return;
  }
  limn__puts(f, e->space == LIMN_SPACE_OUTPUT ? "the probability of <strong>"
                                              : "the log-odds (margin) of <strong>");
  limn__xml(f, class_name(r, (long)e->target));
  limn__puts(f, "</strong>");
}

/* The waterfall of row i's explanation e. */
static void waterfall(limn__out *f, const rep *r, size_t i, const limn_explanation *e) {
  limn_render_row row = limn_render_row_init(e, r->in->rows[i], 0, r->x + i * r->d);
  double h = limn__svg_height(&r->rc, &row);
  limn__printf(
      f,
      "<figure class=\"wide\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 860 %.0f\" "
      "width=\"860\" "
      "height=\"%.0f\" role=\"img\" aria-labelledby=\"shap-%zu-t\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n<title id=\"shap-%zu-t\">SHAP waterfall of row %zu: from the base value at the "
      "bottom, each feature's value moves the output to the prediction at the top</title>\n",
      h, h, r->in->rows[i], r->in->rows[i], r->in->rows[i]);
  limn__svg_waterfall(f, &r->rc, &row, 0);
  limn__puts(f, "</svg></figure>\n");
}

/* TreeSHAP of row i: the game, the waterfall, the row's strongest interactions. */
static void tree_shap_text(limn__out *f, const rep *r, size_t i, const limn_explanation *e) {
  char na[160], nb[160];
  limn__puts(f, "<p>Exact Shapley values read from the trees (TreeSHAP): each feature's effect on ");
  raw_name(f, r, e);
  if (e->estimator == LIMN_SHAP_TREE_INTERVENTIONAL)
    limn__printf(f, " when the features left out take the values of %zu reference rows (interventional game)",
                 r->so.nbackground);
  else
    limn__puts(f, " when the features left out follow the training data down each tree (the trees' "
                  "covers: the path-dependent game, no reference rows needed)");
  limn__printf(f,
               ". They start at the base value %.4g (the expected output) and add up to the output %.4g "
               "(efficiency gap %.2g).</p>\n",
               e->base_value, e->output, e->delta);
  caution(f, r, e, "TreeSHAP");
  waterfall(f, r, i, e);
  /* the row's strongest pairs: 2 Phi_jk, the part of the output the two make together */
  size_t d = r->d, D = d + 1, best[3] = {0}, nbest = 0;
  const double *I = r->rinter + i * D * D;
  double bv[3] = {0};
  for (size_t a = 0; a < d; a++)
    for (size_t b = a + 1; b < d; b++) {
      double v = fabs(I[a * D + b]);
      size_t q = nbest < 3 ? nbest++ : 3;
      if (q == 3 && v <= bv[2])
        continue;
      if (q == 3)
        q = 2;
      while (q > 0 && bv[q - 1] < v)
        bv[q] = bv[q - 1], best[q] = best[q - 1], q--;
      bv[q] = v, best[q] = a * D + b;
    }
  size_t shown = 0;
  for (size_t q = 0; q < nbest; q++)
    shown += bv[q] > 0;
  if (!shown)
    return;
  limn__puts(f, "<div class=\"scroll\"><table><caption class=\"note\">Strongest interactions in this row "
                "(SHAP interaction values of ");
  explained_name(f, r, e);
  limn__printf(f,
               ": the part of it two features make together, beyond their "
               "separate effects; %s)</caption>\n<thead><tr><th scope=\"col\">Features</th><th "
               "scope=\"col\">Together</th></tr></thead>\n<tbody>\n",
               e->estimator == LIMN_SHAP_TREE ? "each feature's value above holds half of it"
                                              : "of the path-dependent game, the trees' covers");
  for (size_t q = 0; q < shown; q++) {
    size_t a = best[q] / D, b = best[q] % D;
    limn__puts(f, "<tr><td>");
    limn__xml(f, limn__feature_name(r->m, a, na, sizeof na));
    limn__puts(f, " &times; ");
    limn__xml(f, limn__feature_name(r->m, b, nb, sizeof nb));
    limn__printf(f, "</td><td class=\"num %s\">%+.3g</td></tr>\n", I[a * D + b] >= 0 ? "up" : "down",
                 2 * I[a * D + b]);
  }
  limn__puts(f, "</tbody></table></div>\n");
}

/* SHAP of row i: what the values mean, their accuracy, and the waterfall. */
static void shap_section(limn__out *f, const rep *r, size_t i) {
  limn__puts(f, "<h3>SHAP</h3>\n");
  if (!r->shap) {
    limn__puts(f, "<p>Not computed: Shapley values need reference rows (give <code>--background FILE</code>, "
                  "e.g. the training data).</p>\n");
    return;
  }
  const limn_explanation *e = &r->shap[i];
  if (r->trees) {
    tree_shap_text(f, r, i, e);
    return;
  }
  double se = limn__shap_max_se(e);
  limn__printf(f,
               "<p>Shapley values of the features: averaged over every order in which they could join, each "
               "feature's effect on P(<strong>");
  limn__xml(f, class_name(r, (long)e->target));
  limn__printf(f,
               "</strong>) when the others come from %zu reference rows. They start at the base value "
               "%.3g (the average output over those rows) and add up to the output %.3g (efficiency gap "
               "%.2g). ",
               r->so.nbackground, e->base_value, e->output, e->delta);
  if (se == 0)
    limn__printf(f, "Exact: every one of the %zu coalitions was evaluated.</p>\n", e->num_samples);
  else if (isnan(se))
    limn__printf(f, "Estimated (%s, %zu %s), without standard errors.</p>\n",
                 limn_shap_estimator_name((limn_shap_estimator)e->estimator), e->num_samples,
                 limn__shap_budget_unit(e));
  else
    limn__printf(f, "Estimated (%s, %zu %s); the largest standard error is %.2g.</p>\n",
                 limn_shap_estimator_name((limn_shap_estimator)e->estimator), e->num_samples,
                 limn__shap_budget_unit(e), se);
  caution(f, r, e, "this SHAP estimate");
  waterfall(f, r, i, e);
}

/* Tree models: the strongest pair over the summary rows, as a dependence plot: one dot
 * per row at (value of a, 2 Phi_ab), coloured by the row's value of b. */
static void interaction_plot(limn__out *f, const rep *r, const limn_render_row *rows) {
  size_t d = r->d, D = d + 1, a = r->ia, b = r->ib, k = r->nsum;
  char bufa[160], bufb[160];
  const char *na = limn__feature_name(r->m, a, bufa, sizeof bufa),
             *nb = limn__feature_name(r->m, b, bufb, sizeof bufb);
  double *y = limn__malloc(r->ctx, (k ? k : 1) * sizeof *y);
  if (!y) {
    f->nomem = 1;
    return;
  }
  for (size_t i = 0; i < k; i++)
    y[i] = 2 * r->inter[i * D * D + a * D + b];
  limn__puts(f, "<h3>The strongest interaction</h3>\n<p>Over these rows, <strong>");
  limn__xml(f, na);
  limn__puts(f, "</strong> and <strong>");
  limn__xml(f, nb);
  limn__printf(f,
               "</strong> interact most (mean |interaction value| %.3g): each dot is a row, placed by its "
               "value of the first and by the part of the output the two make together (their SHAP "
               "interaction value, both halves), coloured by its value of the second (grey: missing).</p>\n"
               "<figure class=\"wide\">",
               r->iamean);
  limn__interaction_svg(f, &r->rc, rows, k, a, b, y);
  limn__puts(f, "</figure>\n");
  limn__free(r->ctx, y);
}

/* Many rows at once: the SHAP summary of an even spread of the data's rows. */
static void summary_section(limn__out *f, const rep *r) {
  if (!r->sumex)
    return;
  limn__puts(f, "<section id=\"global\" aria-labelledby=\"global-h\">\n<h2 id=\"global-h\">All rows at a "
                "glance</h2>\n");
  limn__printf(
      f,
      "<p>The Shapley values of %zu of the %zu rows (an even spread), each for the class the model "
      "predicts: one dot per row and feature, coloured by the row's value of the feature; the bars give "
      "each feature's mean absolute value.</p>\n<figure class=\"wide\">",
      r->nsum, r->N);
  limn_render_row *rows = limn__malloc(r->ctx, r->nsum * sizeof *rows);
  if (rows) {
    for (size_t i = 0; i < r->nsum; i++)
      rows[i] = limn_render_row_init(&r->sumex[i], r->sumrows[i], 0, r->sumx + i * r->d);
    limn_render_opts o = r->rc;
    o.method_desc = "";
    limn__summary_svg(f, &o, rows, r->nsum);
  } else {
    f->nomem = 1;
  }
  limn__puts(f, "</figure>\n");
  if (rows && r->inter && r->ia != r->ib)
    interaction_plot(f, r, rows);
  limn__free(r->ctx, rows);
  limn__puts(f, "</section>\n");
}

/* One figure: an image (PNG, drawn at 160 px) with its caption. */
static void image_figure(limn__out *f, limn_ctx *ctx, const limn_image *im, const char *alt, const char *cap,
                         int best) {
  limn__printf(f, "<figure class=\"im%s\"><img width=\"160\" height=\"%zu\" alt=\"", best ? " best" : "",
               (size_t)lround(160.0 * (double)limn_image_height(im) / (double)limn_image_width(im)));
  limn__xml(f, alt);
  limn__puts(f, "\" src=\"");
  limn__png_uri(f, ctx, im);
  limn__puts(f, "\"><figcaption>");
  limn__puts(f, cap); /* the caller's markup */
  limn__puts(f, "</figcaption></figure>\n");
}

/* Explained row i's image as a PNG data URI. */
static void row_png_uri(limn__out *f, const rep *r, size_t i) {
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_image *in = NULL;
  if (!ctx || limn_image_from_row_range(ctx, r->x + i * r->d, r->ic, r->ih, r->iw, &in))
    f->nomem = 1;
  else
    limn__png_uri(f, ctx, in);
  limn_image_free(in);
  limn_ctx_free(ctx);
}

/* Explained row i's image, 48 px, in the map's table. */
static void thumbnail(limn__out *f, const rep *r, size_t i) {
  limn__printf(f, "<img class=\"thumb\" width=\"48\" height=\"%zu\" alt=\"row %zu\" src=\"",
               (size_t)lround(48.0 * (double)r->ih / (double)r->iw), r->in->rows[i]);
  row_png_uri(f, r, i);
  limn__puts(f, "\">");
}

/* Image models: the input and every image method's map over it, each with its deletion and
 * insertion areas; the most faithful (largest insertion - deletion) outlined. */
static void image_section(limn__out *f, const rep *r, size_t i) {
  if (!r->nim)
    return;
  size_t d = r->d, hw = r->ih * r->iw, best = 0;
  for (size_t q = 1; q < r->nim; q++)
    if (r->imins[q][i] - r->imdel[q][i] > r->imins[best][i] - r->imdel[best][i])
      best = q;
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_image *in = NULL;
  double *map = malloc(hw * sizeof *map);
  if (!ctx || !map || limn_image_from_row_range(ctx, r->x + i * d, r->ic, r->ih, r->iw, &in)) {
    f->nomem = 1;
    free(map);
    limn_ctx_free(ctx);
    return;
  }
  limn__puts(
      f,
      "<h3>Which map to trust for this image</h3>\n<p>Each method's map over the image (red raised, blue "
      "lowered the probability). Under each, the deletion and insertion areas: the probability as "
      "the pixels go, or come in from a blank (zero) image, in the order of the map (Petsiuk et al. 2018); a "
      "faithful map has a low deletion and a high insertion area. The outlined map does best here.</p>\n"
      "<div class=\"gallery\">\n");
  image_figure(f, ctx, in, "the input", "input", 0);
  static const char *const title[] = {[LIMN_METHOD_GRADCAM] = "Grad-CAM",
                                      [LIMN_METHOD_OCCLUSION] = "occlusion",
                                      [LIMN_METHOD_IG] = "Integrated Gradients",
                                      [LIMN_METHOD_LIME_IMAGE] = "LIME (superpixels)"};
  for (size_t q = 0; q < r->nim; q++) {
    const limn_explanation *e = &r->imex[q][i];
    for (size_t p = 0; p < hw; p++)
      map[p] = 0;
    for (size_t j = 0; j < d; j++)
      map[j % hw] += e->attr[j];
    limn_image_overlay_opts oo = limn_image_overlay_opts_default();
    oo.positive = r->imeth[q] == LIMN_METHOD_GRADCAM;
    limn_image *ov = NULL;
    if (limn_image_overlay(ctx, in, map, r->iw, r->ih, &oo, &ov)) {
      f->nomem = 1;
      break;
    }
    char cap[256], why[256];
    int ok = limn_explain_trust(e, NULL, why, sizeof why);
    snprintf(cap, sizeof cap, "<strong>%s</strong><br>deletion %.3f, insertion %.3f%s", title[r->imeth[q]],
             r->imdel[q][i], r->imins[q][i], ok ? "" : "<br><span class=\"caution\">not reliable</span>");
    image_figure(f, ctx, ov, title[r->imeth[q]], cap, q == best);
    limn_image_free(ov);
  }
  limn__puts(f, "</div>\n");
  limn_image_free(in);
  free(map);
  limn_ctx_free(ctx);
}

static void row_section(limn__out *f, const rep *r, size_t i) {
  size_t k = r->in->rows[i], line = limn_dataset_row_line(r->in->data, k);
  limn__printf(
      f, "<section class=\"row\" id=\"row-%zu\" aria-labelledby=\"row-%zu-h\">\n<h2 id=\"row-%zu-h\">Row %zu",
      k, k, k, k);
  if (line)
    limn__printf(f, " <small>(line %zu)</small>", line);
  limn__puts(f, "</h2>\n<p class=\"lead\">");
  if (r->cls) {
    limn__puts(f, "The model predicts <strong>");
    limn__xml(f, class_name(r, r->pred[k]));
    limn__printf(f, "</strong> with probability %.3f.", (double)r->p[k * r->C + (size_t)r->pred[k]]);
    if (r->truth) {
      limn__puts(f, " The true class is <strong>");
      limn__xml(f, class_name(r, r->truth[k]));
      limn__puts(f, r->truth[k] == r->pred[k] ? "</strong>: correct."
                                              : "</strong>: <strong>misclassified</strong>.");
    }
  } else {
    limn__printf(f, "The model predicts <strong>%.6g</strong>.", (double)r->p[k]);
  }
  limn__puts(f, "</p>\n");
  if (r->in->why && r->in->why[i]) {
    limn__puts(f, "<p class=\"why\">Chosen as ");
    limn__xml(f, r->in->why[i]);
    limn__puts(f, ".</p>\n");
  }
  prediction(f, r, i);
  image_section(f, r, i);
  reasons(f, r, i);
  lime_section(f, r, i);
  ig_section(f, r, i);
  shap_section(f, r, i);
  agreement(f, r, i);
  all_values(f, r, i);
  limn__puts(f, "</section>\n");
}

/* How many of map point q's 10 nearest points share its predicted class. */
static size_t neighbours_agree(const rep *r, size_t q, size_t *kk) {
  size_t best[10], nb = 0;
  double bd[10];
  for (size_t o = 0; o < r->M; o++) {
    if (o == q)
      continue;
    double dx = r->y[2 * o] - r->y[2 * q], dy = r->y[2 * o + 1] - r->y[2 * q + 1], dd = dx * dx + dy * dy;
    if (nb < 10)
      nb++;
    else if (dd >= bd[9])
      continue;
    size_t p = nb - 1;
    while (p > 0 && bd[p - 1] > dd) {
      bd[p] = bd[p - 1], best[p] = best[p - 1];
      p--;
    }
    bd[p] = dd, best[p] = o;
  }
  size_t agree = 0;
  for (size_t t = 0; t < nb; t++)
    agree += r->pred[r->mrows[best[t]]] == r->pred[r->mrows[q]];
  *kk = nb;
  return agree;
}

static void map_section(limn__out *f, const rep *r) {
  limn__puts(f, "<section id=\"map\" aria-labelledby=\"map-h\">\n<h2 id=\"map-h\">The map</h2>\n");
  if (!r->y) {
    limn__printf(f, "<p>No map: %s.</p>\n</section>\n", r->map_note ? r->map_note : "not computed");
    return;
  }
  limn__printf(f, "<p>A t-SNE map of %zu rows of <code>", r->M);
  limn__xml(f, r->in->data_path ? r->in->data_path : "data in memory");
  limn__puts(f, "</code>, made from ");
  limn__xml(f, r->map_desc);
  limn__printf(
      f,
      ": rows the model treats alike lie close together. Colour and shape: %s; a thin black ring marks a "
      "misclassified row; the explained rows are circled in bold black and labelled%s. Perplexity %g, seed "
      "%llu, KL(P||Q) "
      "%.3f.</p>\n",
      r->truth ? "the true class" : "the predicted class", r->nim ? " with their images" : "", r->perplexity,
      (unsigned long long)r->in->seed, r->kl);
  double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
  for (size_t q = 0; q < r->M; q++) {
    minx = fmin(minx, r->y[2 * q]), maxx = fmax(maxx, r->y[2 * q]);
    miny = fmin(miny, r->y[2 * q + 1]), maxy = fmax(maxy, r->y[2 * q + 1]);
  }
  /* the drawing takes the map's aspect, at most 640 x 640 */
  double pad = 24, rx = fmax(maxx - minx, 1e-12), ry = fmax(maxy - miny, 1e-12),
         sc = fmin((640 - 2 * pad) / rx, (640 - 2 * pad) / ry), W = rx * sc + 2 * pad,
         size = ry * sc + 2 * pad;
  double ox = pad, oy = pad;
  /* an image model's explained rows are labelled with their images: TW x th, the row under it */
  const double TW = 32, th = r->nim ? TW * (double)r->ih / (double)r->iw : 0, lh = r->nim ? th + 18 : 14;
  size_t wrong = 0;
  for (size_t q = 0; r->truth && q < r->M; q++)
    wrong += r->truth[r->mrows[q]] != r->pred[r->mrows[q]];
  limn__printf(
      f,
      "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
      "height=\"%.0f\" role=\"img\" aria-labelledby=\"map-t map-d\" font-family=\"sans-serif\" "
      "font-size=\"13\">\n<title id=\"map-t\">t-SNE map of %zu rows</title>\n<desc id=\"map-d\">Each dot "
      "is a row, coloured by class; %zu misclassified rows are ringed; the explained rows are circled "
      "and labelled. The table under the map gives the same facts in words.</desc>\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
      W, size, W, size, r->M, wrong);
  double *ax = limn__alloc_array(r->ctx, r->M + 1, 2 * sizeof(double)), *ay = ax ? ax + r->M + 1 : NULL;
  double *hx = limn__alloc_array(r->ctx, r->n + 1, 3 * sizeof(double)), *hy = hx ? hx + r->n + 1 : NULL,
         *hw = hx ? hy + r->n + 1 : NULL;
  limn__maplabel *lab = limn__alloc_array(r->ctx, r->n + 1, sizeof *lab);
  for (size_t q = 0; q < r->M; q++) {
    size_t k = r->mrows[q];
    long c = r->truth ? r->truth[k] : r->pred[k];
    double px = ox + (r->y[2 * q] - minx) * sc, py = size - oy - (r->y[2 * q + 1] - miny) * sc;
    if (ax)
      ax[q] = px, ay[q] = py;
    limn__marker(f, (size_t)(c < 0 ? 0 : c), px, py, 3, NULL);
    if (r->truth && r->truth[k] != r->pred[k])
      limn__printf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5.5\" fill=\"none\" stroke=\"#000\"/>", px, py);
    limn__putc(f, '\n');
  }
  /* explained rows on top, their labels placed apart (limn__place_labels) */
  for (size_t i = 0; hx && i < r->n; i++) {
    size_t q = r->mpos[i];
    char t[32];
    hx[i] = ox + (r->y[2 * q] - minx) * sc, hy[i] = size - oy - (r->y[2 * q + 1] - miny) * sc;
    hw[i] = fmax(r->nim ? TW + 4 : 0, 7.8 * snprintf(t, sizeof t, "row %zu", r->in->rows[i]) + 4);
  }
  if (hx && ax && lab)
    limn__place_labels(hx, hy, hw, r->n, lh, 9, ax, ay, r->M, W, size, lab);
  for (size_t i = 0; hx && ax && lab && i < r->n; i++) {
    limn__printf(f,
                 "<g class=\"hl\" id=\"map-row-%zu\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"9\" fill=\"none\" "
                 "stroke=\"#fff\" stroke-width=\"5\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"9\" fill=\"none\" "
                 "stroke=\"#000\" stroke-width=\"2.5\"/>",
                 r->in->rows[i], hx[i], hy[i], hx[i], hy[i]);
    if (r->nim) { /* the image in the label's box, its row under it, a line to its point */
      double bx = lab[i].anchor > 0   ? lab[i].x
                  : lab[i].anchor < 0 ? lab[i].x - hw[i]
                                      : lab[i].x - 0.5 * hw[i],
             by = lab[i].y - 0.8 * lh, cx = fmin(fmax(hx[i], bx), bx + hw[i]),
             cy = fmin(fmax(hy[i], by), by + lh), dx = cx - hx[i], dy = cy - hy[i],
             len = sqrt(dx * dx + dy * dy);
      if (len > 12)
        limn__printf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>",
                     hx[i] + 9 * dx / len, hy[i] + 9 * dy / len, cx, cy);
      double ix = bx + 0.5 * (hw[i] - TW);
      limn__printf(f,
                   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\" "
                   "stroke=\"#000\"/><image x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" "
                   "style=\"image-rendering:pixelated\" href=\"",
                   ix - 1, by + 1, TW + 2, th + 2, ix, by + 2, TW, th);
      row_png_uri(f, r, i);
      limn__printf(f,
                   "\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"bold\" "
                   "stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">row %zu</text></g>\n",
                   bx + 0.5 * hw[i], by + th + 15, r->in->rows[i]);
      continue;
    }
    if (lab[i].leader) { /* a line from the ring toward the label */
      double dx = lab[i].x - hx[i], dy = lab[i].y - 5 - hy[i], len = sqrt(dx * dx + dy * dy);
      if (len > 12)
        limn__printf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>",
                     hx[i] + 9 * dx / len, hy[i] + 9 * dy / len, lab[i].x - 3 * dx / len,
                     lab[i].y - 5 - 3 * dy / len);
    }
    limn__printf(f,
                 "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-weight=\"bold\" stroke=\"#fff\" "
                 "stroke-width=\"3\" paint-order=\"stroke\">row %zu</text></g>\n",
                 lab[i].x, lab[i].y,
                 lab[i].anchor > 0   ? "start"
                 : lab[i].anchor < 0 ? "end"
                                     : "middle",
                 r->in->rows[i]);
  }
  limn__free(r->ctx, ax);
  limn__free(r->ctx, hx);
  limn__free(r->ctx, lab);
  limn__puts(f, "</svg>\n<figcaption><ul class=\"legend\">\n");
  for (size_t c = 0; r->cls && c < r->C; c++) {
    limn__puts(
        f, "<li><svg class=\"mk\" width=\"14\" height=\"14\" viewBox=\"0 0 14 14\" aria-hidden=\"true\">");
    limn__marker(f, c, 7, 7.5, 5, NULL);
    limn__puts(f, "</svg>");
    limn__xml(f, class_name(r, (long)c));
    limn__puts(f, "</li>\n");
  }
  if (r->truth)
    limn__puts(f, "<li><span class=\"sw\" style=\"border:1.5px solid #000\"></span>misclassified</li>\n");
  limn__puts(f, "<li><span class=\"sw\" style=\"border:2.5px solid "
                "#000;width:1em;height:1em\"></span>explained row</li>\n</ul></figcaption>"
                "</figure>\n");
  limn__puts(
      f, "<div class=\"scroll\"><table class=\"map-rows\"><caption class=\"note\">The explained rows in the "
         "map</caption>\n<thead><tr><th scope=\"col\">Row</th>");
  if (r->nim) /* an image model: the explained images beside their place in the map */
    limn__puts(f, "<th scope=\"col\">Image</th>");
  limn__puts(f, "<th scope=\"col\">Prediction</th><th scope=\"col\">Of its nearest rows in the map, how "
                "many the model puts in the same class</th></tr></thead>\n<tbody>\n");
  for (size_t i = 0; i < r->n; i++) {
    size_t kk, a = neighbours_agree(r, r->mpos[i], &kk);
    limn__printf(f, "<tr><td>row %zu</td>", r->in->rows[i]);
    if (r->nim) {
      limn__puts(f, "<td>");
      thumbnail(f, r, i);
      limn__puts(f, "</td>");
    }
    limn__puts(f, "<td>");
    pred_text(f, r, r->in->rows[i]);
    limn__printf(f, "</td><td class=\"num\">%zu of %zu</td></tr>\n", a, kk);
  }
  limn__puts(f, "</tbody></table></div>\n</section>\n");
}

static void provenance(limn__out *f, const rep *r, const char *msha, const char *dsha, const char *bsha) {
  const limn_report_opts *in = r->in;
  limn__puts(
      f, "<section id=\"provenance\" aria-labelledby=\"prov-h\">\n<h2 id=\"prov-h\">Provenance</h2>\n<dl>\n");
  limn__puts(f, "<dt>limn</dt><dd>");
  limn__xml(f, limn_version());
  limn__puts(f, "</dd>\n<dt>Model</dt><dd>");
  if (!in->model_path && in->model_command)
    limn__puts(f, "the command ");
  limn__puts(f, "<code>");
  limn__xml(f, in->model_path ? in->model_path : in->model_command ? in->model_command : "a model in memory");
  limn__printf(f, "</code> (%s, %zu features, %zu outputs)", limn_model_kind(r->m), r->d, r->C);
  if (*msha)
    limn__printf(f, ", SHA-256 <code>%s</code>%s", msha,
                 !in->model_path && in->model_command ? " of the command's text" : "");
  limn__puts(f, "</dd>\n");
  limn__puts(f, "<dt>Data</dt><dd><code>");
  limn__xml(f, in->data_path ? in->data_path : "data in memory");
  limn__printf(f, "</code> (%zu rows)", r->N);
  if (*dsha) {
    limn__printf(f, ", SHA-256 <code>%s</code>", dsha);
    if (in->data_sha256 && in->data_sha256_of) {
      limn__puts(f, " of ");
      limn__xml(f, in->data_sha256_of);
    }
  }
  limn__puts(f, "</dd>\n");
  limn__puts(f, "<dt>LIME background</dt><dd>");
  if (in->background_path) {
    limn__puts(f, "<code>");
    limn__xml(f, in->background_path);
    limn__printf(f, "</code>, SHA-256 <code>%s</code>", bsha);
  } else {
    limn__puts(f, r->bg ? "the training statistics stored in the model" : "none");
  }
  limn__printf(f, "</dd>\n<dt>Seed</dt><dd>%llu</dd>\n", (unsigned long long)in->seed);
  limn__printf(
      f,
      "<dt>LIME</dt><dd>%zu samples, %s bins, kernel width 0.75&radic;d, feature selection %s, up to %zu "
      "features, ridge alpha %g, %s estimator</dd>\n",
      limn_lime_samples(&r->lo, limn_model_nfeatures(r->m)), limn_discretizer_name(r->lo.discretizer),
      limn_selection_name(r->lo.selection), r->lo.num_features, r->lo.ridge_alpha,
      r->lo.compat ? "lime's" : "limn's lattice");
  if (r->ig)
    limn__printf(
        f,
        "<dt>Integrated Gradients</dt><dd>%s, baseline %s, explained output: probability of the "
        "predicted class</dd>\n",
        limn_model_piecewise_linear(r->m, NULL, 0) ? "exact path integral" : "50-node Gauss-Legendre",
        r->g.baseline == LIMN_BASELINE_MEAN ? (r->g.stats ? "the background file's means" : "training means")
                                            : "zero (no training statistics)");
  if (r->shap && r->trees)
    limn__printf(f,
                 "<dt>SHAP</dt><dd>TreeSHAP of the trees' raw output (%s), exact; interaction values of "
                 "the path-dependent game</dd>\n",
                 r->so.background ? "interventional over the reference rows"
                                  : "path-dependent: the trees' covers");
  else if (r->shap)
    limn__printf(
        f,
        "<dt>SHAP</dt><dd>interventional game over %zu reference rows, identity link, auto estimator "
        "(exact up to %zu varying features, else %zu antithetic permutations with one reference row "
        "each), seed %llu</dd>\n",
        r->so.nbackground, r->so.exact_max, limn_shap_samples(&r->so, LIMN_SHAP_SAMPLING, 0),
        (unsigned long long)in->seed);
  limn__printf(f, "<dt>Reason codes</dt><dd>%zu per row, from %s", in->reasons,
               r->rex && r->rex[0].method == LIMN_METHOD_LIME   ? "LIME"
               : r->rex && r->rex[0].method == LIMN_METHOD_SHAP ? "SHAP"
                                                                : "Integrated Gradients");
  if (in->favourable >= 0 && r->cls) {
    limn__puts(f, ", favourable class ");
    limn__xml(f, class_name(r, in->favourable));
  }
  limn__puts(f, "</dd>\n<dt>Map</dt><dd>");
  if (r->y)
    limn__printf(
        f, "t-SNE of %zu rows, perplexity %g, 750 iterations, early exaggeration 12, PCA initialisation",
        r->M, r->perplexity);
  else
    limn__xml(f, r->map_note ? r->map_note : "none");
  limn__puts(f, "</dd>\n");
  if (in->command) {
    limn__puts(f, "<dt>Reproduce</dt><dd><code>");
    limn__xml(f, in->command);
    limn__puts(f, "</code></dd>\n");
  }
  limn__puts(f,
             "</dl>\n<p class=\"note\">The same model, data, options and seed give this page byte for byte, "
             "whatever the thread count.</p>\n</section>\n");
}

static void rep_free(rep *r) {
  limn__free(r->ctx, r->x), limn__free(r->ctx, r->p), limn__free(r->ctx, r->pred),
      limn__free(r->ctx, r->truth);
  if (r->rex && r->rex != r->lime && r->rex != r->ig && r->rex != r->shap)
    limn_explanations_free(r->ctx, r->rex, r->n);
  if (r->lime)
    limn_explanations_free(r->ctx, r->lime, r->n);
  if (r->ig)
    limn_explanations_free(r->ctx, r->ig, r->n);
  if (r->shap)
    limn_explanations_free(r->ctx, r->shap, r->n);
  limn_explanations_free(r->ctx, r->sumex, r->nsum);
  limn__free(r->ctx, r->sumrows), limn__free(r->ctx, r->sumx);
  limn__free(r->ctx, r->inter), limn__free(r->ctx, r->rinter);
  limn__free(r->ctx, r->mrows), limn__free(r->ctx, r->mpos), limn__free(r->ctx, r->y);
  for (size_t q = 0; q < r->nim; q++) {
    if (r->imex[q] && r->imex[q] != r->ig)
      limn_explanations_free(r->ctx, r->imex[q], r->n);
    limn__free(r->ctx, r->imdel[q]), limn__free(r->ctx, r->imins[q]);
  }
}

limn_report_opts limn_report_opts_default(void) {
  limn_report_opts o;
  memset(&o, 0, sizeof o);
  o.favourable = -1;
  o.reasons = 4;
  o.reasons_from = LIMN_METHOD_LIME;
  o.top = 10;
  o.map_space = "auto";
  o.map_max = 3000;
  o.summary_max = 50;
  return o;
}

int limn__file_digest(limn_ctx *ctx, const char *path, char hex[65]) {
  hex[0] = 0;
  return path ? limn_sha256_file(ctx, path, hex) : LIMN_OK;
}

static int given_digest(limn_ctx *ctx, const char *given, char hex[65]) {
  if (strspn(given, "0123456789abcdefABCDEF") != 64 || given[64])
    return limn__err(ctx, LIMN_EINVAL, "data_sha256: expected 64 hexadecimal digits, got '%.80s'", given);
  for (size_t k = 0; k < 64; k++)
    hex[k] = (char)tolower((unsigned char)given[k]);
  hex[64] = 0;
  return LIMN_OK;
}

static int check(limn_ctx *ctx, const limn_report_opts *in) {
  if (!in || !in->model || !in->data || (!in->rows && in->nrows))
    return limn__err(ctx, LIMN_EINVAL, "limn_report_write: a model, data and rows are required");
  if (in->nrows == 0)
    return limn__err(ctx, LIMN_EINVAL, "no rows to explain");
  if (in->nrows > 200)
    return limn__err(ctx, LIMN_EINVAL, "%zu rows is too many for one page (200 at most)", in->nrows);
  if (limn_dataset_nfeatures(in->data) != limn_model_nfeatures(in->model))
    return limn__err(ctx, LIMN_ESHAPE, "the data has %zu features, the model %zu",
                     limn_dataset_nfeatures(in->data), limn_model_nfeatures(in->model));
  for (size_t i = 0; i < in->nrows; i++)
    if (in->rows[i] >= limn_dataset_nrows(in->data))
      return limn__err(ctx, LIMN_EINVAL, "row %zu is out of range (the data has %zu rows)", in->rows[i],
                       limn_dataset_nrows(in->data));
  if (in->favourable >= 0 && (size_t)in->favourable >= limn_model_noutputs(in->model))
    return limn__err(ctx, LIMN_EINVAL, "favourable class %ld is out of range", in->favourable);
  if (in->shap_background && (in->shap_nbackground == 0))
    return limn__err(ctx, LIMN_EINVAL, "SHAP's background has no rows");
  if (in->reasons_from != LIMN_METHOD_LIME && in->reasons_from != LIMN_METHOD_IG &&
      in->reasons_from != LIMN_METHOD_SHAP)
    return limn__err(ctx, LIMN_EINVAL, "reason codes come from LIME, IG or SHAP, not %s",
                     limn_method_name(in->reasons_from));
  return LIMN_OK;
}

int limn_report_write(limn_ctx *ctx, const limn_report_opts *in, limn_sink sink) {
  if (!ctx)
    return LIMN_EINVAL;
  rep r;
  memset(&r, 0, sizeof r);
  char msha[65], dsha[65], bsha[65];
  int rc = check(ctx, in);
  if (rc)
    return rc;
  r.in = in, r.ctx = ctx, r.m = in->model;
  if (!in->model_path && limn_model_sha256(ctx, in->model, msha)) { /* in memory: its own identity, if any */
    msha[0] = 0;
    limn_ctx_clear_error(ctx);
  }
  if (!(rc = in->model_path ? limn__file_digest(ctx, in->model_path, msha) : LIMN_OK) &&
      !(rc = in->data_sha256 ? given_digest(ctx, in->data_sha256, dsha)
                             : limn__file_digest(ctx, in->data_path, dsha)) &&
      !(rc = limn__file_digest(ctx, in->background_path, bsha)) && !(rc = compute(&r))) {
    limn__out o, *f = &o;
    limn__out_init(f, sink);
    head(f, &r);
    summary(f, &r);
    for (size_t i = 0; i < r.n; i++)
      row_section(f, &r, i);
    summary_section(f, &r);
    map_section(f, &r);
    provenance(f, &r, msha, dsha, bsha);
    limn__puts(f, "</main>\n</body>\n</html>\n");
    rc = limn__out_finish(ctx, f);
  }
  rep_free(&r);
  return rc;
}

/* Gradient attributions: gradient, saliency, gradient x input, Integrated Gradients
 * (Captum's quadrature rules, or exact for piecewise-linear MLPs), SmoothGrad. The
 * work happens on the model's input slots (after its own preprocessing) in batches:
 * all path points or noisy samples of a block of rows go through one vjp call. */
#include "explain_internal.h"
#include <math.h>

/* Path points or noisy samples per vjp call. */
#define BLOCK_ROWS 4096

limn_grad_opts limn_grad_opts_default(void) {
  limn_grad_opts o;
  memset(&o, 0, sizeof o);
  o.method = LIMN_METHOD_GRADIENT;
  o.space = LIMN_SPACE_OUTPUT;
  o.target = -1;
  o.steps = 50;
  o.quadrature = LIMN_QUAD_AUTO;
  o.baseline = LIMN_BASELINE_ZERO;
  o.samples = 50;
  o.noise = 0.15;
  o.smooth = LIMN_SMOOTH_MEAN;
  o.window[0] = o.window[1] = 4;
  o.stride[0] = o.stride[1] = 2;
  return o;
}

void limn_explanations_free(limn_ctx *ctx, limn_explanation *ex, size_t n) {
  if (!ex)
    return;
  if (n)
    limn__free(ctx, ex[0].attr); /* one block holds every attribution */
  limn__free(ctx, ex);
}

/* Everything one call works with. */
typedef struct gx {
  limn_ctx *ctx;
  const limn_model *m;
  const limn_grad_opts *o;
  size_t n, d, ns, k;
  const float *x; /* (n, d) raw rows */
  float *h;       /* (n, ns) slot rows */
  size_t *target; /* (n) */
  double *scale;  /* (ns) d slot / d raw */
  limn_explanation *ex;
} gx;

static int check_opts(gx *g) {
  const limn_grad_opts *o = g->o;
  limn_ctx *ctx = g->ctx;
  if ((unsigned)o->method > LIMN_METHOD_SMOOTHGRAD && o->method != LIMN_METHOD_GRADCAM &&
      o->method != LIMN_METHOD_GRADCAMPP && o->method != LIMN_METHOD_OCCLUSION) /* LIME, SHAP: their own */
    return limn__err(ctx, LIMN_EINVAL, "unknown gradient method %d", (int)o->method);
  if (o->space != LIMN_SPACE_OUTPUT && o->space != LIMN_SPACE_LOGIT)
    return limn__err(ctx, LIMN_EINVAL, "unknown output space %d", (int)o->space);
  if (o->method == LIMN_METHOD_IG) {
    if ((unsigned)o->quadrature > LIMN_QUAD_AUTO)
      return limn__err(ctx, LIMN_EINVAL, "unknown quadrature %d", (int)o->quadrature);
    size_t min = o->quadrature == LIMN_QUAD_GAUSS_LEGENDRE || o->quadrature == LIMN_QUAD_AUTO ? 1 : 2;
    if (o->quadrature != LIMN_QUAD_EXACT && (o->steps < min || o->steps > 100000))
      return limn__err(ctx, LIMN_EINVAL, "IG steps must be in %zu..100000 for %s, got %zu", min,
                       limn_quadrature_name(o->quadrature), o->steps);
    if ((unsigned)o->baseline > LIMN_BASELINE_ROWS)
      return limn__err(ctx, LIMN_EINVAL, "unknown baseline kind %d", (int)o->baseline);
    if (o->baseline == LIMN_BASELINE_ROWS &&
        (!o->baseline_rows || (o->nbaseline_rows != 1 && o->nbaseline_rows != g->n)))
      return limn__err(ctx, LIMN_ESHAPE, "baseline rows: give 1 row or one per explained row (%zu), got %zu",
                       g->n, o->nbaseline_rows);
    if (o->baseline == LIMN_BASELINE_MEAN && !o->stats && !limn_model_stats(g->m))
      return limn__err(ctx, LIMN_EINVAL,
                       "the mean baseline needs training statistics, which this model lacks (give them: a "
                       "background file's)");
    if (o->stats && limn_stats_nfeatures(o->stats) != g->d)
      return limn__err(ctx, LIMN_ESHAPE, "the statistics have %zu columns, the model %zu",
                       limn_stats_nfeatures(o->stats), g->d);
  }
  if (o->method == LIMN_METHOD_SMOOTHGRAD) {
    if (o->samples < 1 || o->samples > 100000)
      return limn__err(ctx, LIMN_EINVAL, "SmoothGrad samples must be in 1..100000, got %zu", o->samples);
    if (!(o->noise >= 0.0 && o->noise <= 100.0))
      return limn__err(ctx, LIMN_EINVAL, "SmoothGrad noise must be in [0, 100], got %g", o->noise);
    if ((unsigned)o->smooth > LIMN_SMOOTH_VARGRAD)
      return limn__err(ctx, LIMN_EINVAL, "unknown SmoothGrad aggregate %d", (int)o->smooth);
  }
  return LIMN_OK;
}

int limn__pick_targets(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, long target,
                       const long *targets, size_t *out) {
  size_t k = m->noutputs;
  int given = targets || target >= 0;
  float *prob = given ? NULL : limn__alloc_array(ctx, n, k * sizeof(float));
  if (!given && !prob)
    return LIMN_ENOMEM;
  /* the predicted class needs the outputs; given targets, the rows are only checked */
  int rc = given ? limn__model_check_input(ctx, m, x, n)
                 : limn_model_forward(ctx, m, x, n, LIMN_SPACE_OUTPUT, prob);
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    long t = targets ? targets[i] : target;
    if (t < 0 && !targets) {
      size_t best = 0;
      for (size_t c = 1; c < k; c++)
        if (prob[i * k + c] > prob[i * k + best])
          best = c;
      t = (long)best;
    }
    if (t < 0 || (size_t)t >= k)
      rc = limn__err(ctx, LIMN_EINVAL, "row %zu: output %ld does not exist (the model has %zu)", i, t, k);
    else
      out[i] = (size_t)t;
  }
  limn__free(ctx, prob);
  return rc;
}

/* Explained output of every row: given, or the predicted class (argmax of OUTPUT). */
static int pick_targets(gx *g) {
  return limn__pick_targets(g->ctx, g->m, g->x, g->n, g->o->target, g->o->targets, g->target);
}

/* One-hot upstream weights for rows r0.. of a block, each repeated `rep` times. */
static void onehot(const gx *g, size_t r0, size_t nrows, size_t rep, float *w) {
  memset(w, 0, nrows * rep * g->k * sizeof *w);
  for (size_t i = 0; i < nrows; i++)
    for (size_t j = 0; j < rep; j++)
      w[(i * rep + j) * g->k + g->target[r0 + i]] = 1.0f;
}

/* gradient, saliency, gradient x input: one vjp for all rows. */
/* Grad-CAM's map at the layer's resolution, upsampled to the input's H x W as torch's
 * bilinear interpolation (align_corners false) and given to every channel's pixel. */
static int gradcam(gx *g) {
  size_t n = g->n, C, H, W, h = 0, w = 0, k = g->k;
  LIMN_TRY(limn__onnx_image_shape(g->ctx, g->m, &C, &H, &W));
  long *tg = limn__alloc_array(g->ctx, n, sizeof(long));
  float *out = limn__alloc_array(g->ctx, n, k * sizeof(float)), *maps = NULL;
  int rc = tg && out ? LIMN_OK : LIMN_ENOMEM, pp = g->o->method == LIMN_METHOD_GRADCAMPP;
  for (size_t i = 0; i < n && !rc; i++)
    tg[i] = (long)g->target[i];
  /* a layer is rarely larger than the input: room for the input's size first, the layer's
   * own size asked only when that is too small */
  if (!rc && !(maps = limn__alloc_array(g->ctx, n, H * W * sizeof(float))))
    rc = LIMN_ENOMEM;
  if (!rc) /* the maps and the explained outputs from one pass */
    rc = limn__onnx_gradcam(g->ctx, g->m, g->x, n, g->o->layer, tg, 0, g->o->space, pp, maps, n * H * W, &h,
                            &w, out);
  if (rc == LIMN_ESHAPE && h * w > H * W) {
    limn__free(g->ctx, maps);
    maps = limn__alloc_array(g->ctx, n, h * w * sizeof(float));
    rc = maps ? limn__onnx_gradcam(g->ctx, g->m, g->x, n, g->o->layer, tg, 0, g->o->space, pp, maps,
                                   n * h * w, &h, &w, out)
              : LIMN_ENOMEM;
  }
  double sy = (double)h / (double)H, sx = (double)w / (double)W;
  for (size_t i = 0; i < n && !rc; i++) {
    limn_explanation *e = &g->ex[i];
    e->output = out[i * k + g->target[i]];
    const float *mp = maps + i * h * w;
    for (size_t oy = 0; oy < H; oy++) {
      double fy = fmax(0.0, ((double)oy + 0.5) * sy - 0.5);
      size_t y0 = (size_t)fy, y1 = y0 + 1 < h ? y0 + 1 : y0;
      double ly = fy - (double)y0;
      for (size_t ox = 0; ox < W; ox++) {
        double fx = fmax(0.0, ((double)ox + 0.5) * sx - 0.5);
        size_t x0 = (size_t)fx, x1 = x0 + 1 < w ? x0 + 1 : x0;
        double lx = fx - (double)x0;
        double v = (1 - ly) * ((1 - lx) * mp[y0 * w + x0] + lx * mp[y0 * w + x1]) +
                   ly * ((1 - lx) * mp[y1 * w + x0] + lx * mp[y1 * w + x1]);
        for (size_t c = 0; c < C; c++)
          e->slot_attr[(c * H + oy) * W + ox] = v;
      }
    }
  }
  limn__free(g->ctx, tg);
  limn__free(g->ctx, out);
  limn__free(g->ctx, maps);
  return rc;
}

/* Occlusion over an image's H x W (every channel at once), or a row of the columns:
 * every window's occluded copy of every row through the model at once (in groups of
 * rows), F(x) - F(occluded) spread over the window's places, divided by their counts. */
static int occlusion(gx *g) {
  const limn_grad_opts *o = g->o;
  size_t n = g->n, d = g->d, k = g->k, C = 1, H = 1, W = d;
  if (limn__onnx_image_shape(NULL, g->m, &C, &H, &W) != LIMN_OK)
    C = 1, H = 1, W = d;
  if (!o->window[0] || !o->window[1] || !o->stride[0] || !o->stride[1])
    return limn__err(g->ctx, LIMN_EINVAL, "occlusion: window and stride must be at least 1");
  size_t wh = o->window[0] < H ? o->window[0] : H, ww = o->window[1] < W ? o->window[1] : W;
  size_t py = (H - wh) / o->stride[0] + 1, px = (W - ww) / o->stride[1] + 1, P = py * px;
  size_t rows = n < 16 ? n : 16; /* rows per pass: rows * (P + 1) copies */
  float *xs = limn__alloc_array(g->ctx, rows * (P + 1), d * sizeof(float));
  float *f = limn__alloc_array(g->ctx, rows * (P + 1), k * sizeof(float));
  double *cnt = limn__calloc(g->ctx, d ? d : 1, sizeof(double));
  int rc = xs && f && cnt ? LIMN_OK : LIMN_ENOMEM;
  for (size_t p = 0; p < P && !rc; p++) /* how many windows cover each place */
    for (size_t y = 0; y < wh; y++)
      for (size_t xx = 0; xx < ww; xx++)
        for (size_t c = 0; c < C; c++)
          cnt[(c * H + p / px * o->stride[0] + y) * W + p % px * o->stride[1] + xx] += 1;
  for (size_t i0 = 0; i0 < n && !rc; i0 += rows) {
    size_t nr = n - i0 < rows ? n - i0 : rows;
    for (size_t r = 0; r < nr; r++) {
      const float *xi = g->x + (i0 + r) * d;
      for (size_t p = 0; p <= P; p++) {
        float *c0 = xs + (r * (P + 1) + p) * d;
        memcpy(c0, xi, d * sizeof *c0);
        for (size_t y = 0; p < P && y < wh; y++) /* copy P: the row itself */
          for (size_t xx = 0; xx < ww; xx++)
            for (size_t c = 0; c < C; c++)
              c0[(c * H + p / px * o->stride[0] + y) * W + p % px * o->stride[1] + xx] = o->fill;
      }
    }
    rc = limn_model_forward(g->ctx, g->m, xs, nr * (P + 1), o->space, f);
    for (size_t r = 0; r < nr && !rc; r++) {
      size_t i = i0 + r, t = g->target[i];
      limn_explanation *e = &g->ex[i];
      double fx = f[(r * (P + 1) + P) * k + t];
      e->output = fx;
      for (size_t p = 0; p < P; p++) {
        double diff = fx - f[(r * (P + 1) + p) * k + t];
        for (size_t y = 0; y < wh; y++)
          for (size_t xx = 0; xx < ww; xx++)
            for (size_t c = 0; c < C; c++)
              e->attr[(c * H + p / px * o->stride[0] + y) * W + p % px * o->stride[1] + xx] += diff;
      }
      for (size_t j = 0; j < d; j++)
        e->attr[j] = cnt[j] > 0 ? e->attr[j] / cnt[j] : 0.0;
    }
  }
  limn__free(g->ctx, xs);
  limn__free(g->ctx, f);
  limn__free(g->ctx, cnt);
  return rc;
}

static int plain(gx *g) {
  size_t n = g->n, ns = g->ns;
  float *w = limn__alloc_array(g->ctx, n, g->k * sizeof(float));
  float *gr = limn__alloc_array(g->ctx, n, ns * sizeof(float));
  float *out = limn__alloc_array(g->ctx, n, g->k * sizeof(float));
  int rc = w && gr && out ? LIMN_OK : LIMN_ENOMEM, fd = 0;
  if (rc == LIMN_OK) {
    onehot(g, 0, n, 1, w);
    rc = limn__model_vjp_slots(g->ctx, g->m, g->h, n, w, g->o->space, gr, out, &fd);
  }
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    limn_explanation *e = &g->ex[i];
    e->output = out[i * g->k + g->target[i]];
    e->finite_differences = fd;
    for (size_t s = 0; s < ns; s++) {
      double raw = (double)gr[i * ns + s] * g->scale[s]; /* dF / d(raw value or indicator) */
      double a = raw;
      if (g->o->method == LIMN_METHOD_SALIENCY)
        a = fabs(raw);
      else if (g->o->method == LIMN_METHOD_GRADXINPUT)
        a = raw *
            (g->m->slot_cat[s] < 0 ? (double)g->x[i * g->d + g->m->slot_col[s]] : (double)g->h[i * ns + s]);
      e->slot_attr[s] = a;
    }
  }
  limn__free(g->ctx, w);
  limn__free(g->ctx, gr);
  limn__free(g->ctx, out);
  return rc;
}

/* Baseline slot rows (n, ns). */
static int baselines(gx *g, float *hb) {
  const limn_grad_opts *o = g->o;
  size_t d = g->d;
  float *xb = limn__calloc(g->ctx, g->n, d * sizeof(float));
  if (!xb)
    return LIMN_ENOMEM;
  const limn_stats *st = o->stats ? o->stats : limn_model_stats(g->m);
  for (size_t i = 0; i < g->n; i++)
    for (size_t j = 0; j < d; j++) {
      float v = 0.0f;
      if (o->baseline == LIMN_BASELINE_ROWS) {
        v = o->baseline_rows[(o->nbaseline_rows == 1 ? 0 : i) * d + j];
      } else if (o->baseline == LIMN_BASELINE_MEAN) {
        size_t nc = g->m->schema ? limn_schema_ncategories(g->m->schema, j) : 0, best = 0;
        for (size_t c = 1; c < nc; c++)
          if (limn_stats_category_count(st, j, c) > limn_stats_category_count(st, j, best))
            best = c;
        v = nc ? (float)best : (float)limn_stats_mean(st, j);
      }
      xb[i * d + j] = v;
    }
  int rc = LIMN_OK;
  if (o->baseline == LIMN_BASELINE_ROWS) { /* validate the given rows like inputs */
    float *tmp = limn__alloc_array(g->ctx, g->n, g->k * sizeof(float));
    rc = tmp ? limn_model_forward(g->ctx, g->m, xb, g->n, LIMN_SPACE_OUTPUT, tmp) : LIMN_ENOMEM;
    if (rc != LIMN_OK && rc != LIMN_ENOMEM)
      rc = limn__err_prefix(g->ctx, rc, "baseline");
    limn__free(g->ctx, tmp);
  }
  if (rc == LIMN_OK)
    limn__model_to_slots(g->m, xb, g->n, hb);
  limn__free(g->ctx, xb);
  return rc;
}

/* Explained output of slot rows h (n) in the explained space. */
static int outputs_at(gx *g, const float *h, double *f) {
  float *out = limn__alloc_array(g->ctx, g->n, g->k * sizeof(float));
  if (!out)
    return LIMN_ENOMEM;
  int rc = limn__model_forward_slots(g->ctx, g->m, h, g->n, g->o->space, out);
  for (size_t i = 0; i < g->n && rc == LIMN_OK; i++)
    f[i] = out[i * g->k + g->target[i]];
  limn__free(g->ctx, out);
  return rc;
}

/* IG with fixed nodes: the path points of a block of rows, in vjp calls of at most
 * IG_POINTS_FLOATS floats of points (small buffers, used again from call to call instead
 * of fresh pages each time); each row's weighted sum over its points in node order. */
#define IG_POINTS_FLOATS 28672
static int ig_rule(gx *g, const float *hb) {
  size_t steps = g->o->steps, ns = g->ns, per = BLOCK_ROWS / steps ? BLOCK_ROWS / steps : 1;
  per = per < g->n ? per : g->n;
  size_t sub = IG_POINTS_FLOATS / (ns ? ns : 1); /* points per vjp call */
  sub = sub > per * steps ? per * steps : sub;
  sub = sub < 1 ? 1 : sub;
  double *al = limn__alloc_array(g->ctx, steps, 2 * sizeof(double));
  float *path = limn__alloc_array(g->ctx, sub, ns * sizeof(float));
  float *gr = limn__alloc_array(g->ctx, sub, ns * sizeof(float));
  float *w = limn__alloc_array(g->ctx, sub, g->k * sizeof(float));
  double *acc = limn__alloc_array(g->ctx, per ? per : 1, ns * sizeof(double));
  int rc = al && path && gr && w && acc ? LIMN_OK : LIMN_ENOMEM, fd = 0;
  double *wt = al + steps;
  if (rc == LIMN_OK)
    rc = limn_quadrature_nodes(
        g->ctx, g->o->quadrature == LIMN_QUAD_AUTO ? LIMN_QUAD_GAUSS_LEGENDRE : g->o->quadrature, steps, al,
        wt);
  if (rc == LIMN_OK && limn__mlp_of(g->m)) { /* the MLP's own, faster path */
    double *attr = limn__alloc_array(g->ctx, g->n, ns * sizeof(double));
    rc = attr ? limn__mlp_ig_rule(g->ctx, g->m, g->h, hb, g->n, al, wt, steps, g->target, g->o->space, attr)
              : LIMN_ENOMEM;
    for (size_t i = 0; i < g->n && rc == LIMN_OK; i++)
      memcpy(g->ex[i].slot_attr, attr + i * ns, ns * sizeof(double));
    limn__free(g->ctx, attr);
    per = 0;
  }
  for (size_t r0 = 0; per && r0 < g->n && rc == LIMN_OK; r0 += per) {
    size_t nr = g->n - r0 < per ? g->n - r0 : per, np = nr * steps;
    memset(acc, 0, nr * ns * sizeof *acc);
    /* the block's points in calls of about equal size, point p = (row i, node t) */
    size_t calls = (np + sub - 1) / sub;
    for (size_t c = 0, p0 = 0; c < calls && rc == LIMN_OK; c++) {
      size_t p1 = np * (c + 1) / calls;
      for (size_t p = p0; p < p1; p++) {
        size_t i = p / steps, t = p % steps;
        const float *a = g->h + (r0 + i) * ns, *b = hb + (r0 + i) * ns;
        float *q = path + (p - p0) * ns;
        for (size_t s = 0; s < ns; s++)
          q[s] = (float)((double)b[s] + al[t] * ((double)a[s] - b[s]));
        memset(w + (p - p0) * g->k, 0, g->k * sizeof *w);
        w[(p - p0) * g->k + g->target[r0 + i]] = 1.0f;
      }
      rc = limn__model_vjp_slots(g->ctx, g->m, path, p1 - p0, w, g->o->space, gr, NULL, &fd);
      for (size_t p = p0; p < p1 && rc == LIMN_OK; p++) {
        double *ai = acc + (p / steps) * ns, wp = wt[p % steps];
        const float *gp = gr + (p - p0) * ns;
        for (size_t s = 0; s < ns; s++)
          ai[s] += wp * gp[s];
      }
      p0 = p1;
    }
    for (size_t i = 0; i < nr && rc == LIMN_OK; i++) {
      limn_explanation *e = &g->ex[r0 + i];
      e->finite_differences = fd;
      for (size_t s = 0; s < ns; s++)
        e->slot_attr[s] = ((double)g->h[(r0 + i) * ns + s] - hb[(r0 + i) * ns + s]) * acc[i * ns + s];
    }
  }
  limn__free(g->ctx, al);
  limn__free(g->ctx, path);
  limn__free(g->ctx, gr);
  limn__free(g->ctx, w);
  limn__free(g->ctx, acc);
  return rc;
}

typedef struct exact_arg {
  gx *g;
  const float *hb;
  const double *gl;
} exact_arg;

/* One row of exact IG; scratch: 2 ns doubles for the row and the walk's workspace. */
static int exact_item(void *arg, size_t i, void *scratch) {
  const exact_arg *a = arg;
  gx *g = a->g;
  size_t ns = g->ns;
  double *hx = scratch, *hb = hx + ns;
  for (size_t s = 0; s < ns; s++) {
    hx[s] = g->h[i * ns + s];
    hb[s] = a->hb[i * ns + s];
  }
  limn_explanation *e = &g->ex[i];
  return limn__mlp_exact_ig(g->m, hb + ns, a->gl, hx, hb, g->target[i], g->o->space, e->slot_attr,
                            &e->nsegments, &e->output, &e->base_value);
}

/* Exact IG in double, rows in parallel. */
static int ig_exact(gx *g, const float *hb) {
  LIMN_TRY(limn__mlp_exact_ig_check(g->ctx, g->m));
  double gl[2 * LIMN__EXACT_GL];
  limn__gauss_legendre(LIMN__EXACT_GL, gl, gl + LIMN__EXACT_GL);
  exact_arg a = {g, hb, gl};
  size_t bytes = (limn__mlp_exact_ig_workspace(g->m) + 2 * g->ns) * sizeof(double);
  int rc = limn__parallel_for(g->ctx, g->n, bytes, exact_item, &a);
  if (rc == LIMN_ENOMEM)
    return rc;
  return rc ? limn__err(g->ctx, LIMN_EINVAL, "exact IG: a path has too many linear pieces") : LIMN_OK;
}

static int ig(gx *g) {
  float *hb = limn__alloc_array(g->ctx, g->n, g->ns * sizeof(float));
  double *f = limn__alloc_array(g->ctx, g->n, 2 * sizeof(double));
  int rc = hb && f ? baselines(g, hb) : LIMN_ENOMEM;
  int exact = g->o->quadrature == LIMN_QUAD_EXACT ||
              (g->o->quadrature == LIMN_QUAD_AUTO && limn__model_pwl(g->m, NULL, 0));
  if (rc == LIMN_OK)
    rc = exact ? ig_exact(g, hb) : ig_rule(g, hb);
  if (rc == LIMN_OK && !exact)
    rc = outputs_at(g, g->h, f);
  if (rc == LIMN_OK && !exact)
    rc = outputs_at(g, hb, f + g->n);
  for (size_t i = 0; i < g->n && rc == LIMN_OK; i++) {
    limn_explanation *e = &g->ex[i];
    if (!exact) {
      e->output = f[i];
      e->base_value = f[g->n + i];
    }
    double sum = 0.0;
    for (size_t s = 0; s < g->ns; s++)
      sum += e->slot_attr[s];
    e->delta = sum - (e->output - e->base_value);
  }
  limn__free(g->ctx, hb);
  limn__free(g->ctx, f);
  return rc;
}

/* Noise sigma (raw units) of numeric column j for row i. */
static double sigma_of(const gx *g, size_t i, size_t j) {
  const limn_grad_opts *o = g->o;
  if (o->noise_sigma)
    return o->noise_sigma[i];
  const limn_stats *st = o->stats ? o->stats : limn_model_stats(g->m);
  if (st)
    return o->noise * (limn_stats_max(st, j) - limn_stats_min(st, j));
  double lo = INFINITY, hi = -INFINITY; /* the row's own range, over numeric columns */
  for (size_t c = 0; c < g->d; c++)
    if (g->m->slot_cat[g->m->col_slot[c]] < 0) {
      double v = g->x[i * g->d + c];
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
  return o->noise * (hi - lo);
}

/* Noisy slot rows of row i: numeric slots get sigma * eps (in slot units). sig:
 * scratch of nslots doubles. */
static void noisy(const gx *g, size_t i, float *q, double *xr, double *sig) {
  const limn_grad_opts *o = g->o;
  size_t ns = g->ns, S = o->samples;
  limn_rng rng;
  limn_rng_init(&rng, o->seed, o->row_ids ? o->row_ids[i] : i);
  for (size_t s = 0; s < ns; s++)
    sig[s] = g->m->slot_cat[s] < 0 ? sigma_of(g, i, g->m->slot_col[s]) : 0.0;
  for (size_t t = 0; t < S; t++)
    for (size_t s = 0; s < ns; s++) {
      double eps = o->noise_eps ? (double)o->noise_eps[(i * S + t) * ns + s] : limn_rng_normal(&rng);
      size_t j = g->m->slot_col[s];
      double h = g->h[i * ns + s], raw = h;
      if (g->m->slot_cat[s] < 0) {
        double dx = sig[s] * eps;
        raw = (double)g->x[i * g->d + j] + dx;
        h += dx * g->scale[s];
      }
      q[t * ns + s] = (float)h;
      xr[t * ns + s] = raw;
    }
}

static int smoothgrad(gx *g) {
  const limn_grad_opts *o = g->o;
  size_t S = o->samples, ns = g->ns, per = BLOCK_ROWS / S ? BLOCK_ROWS / S : 1;
  float *q = limn__alloc_array(g->ctx, per * S, ns * sizeof(float));
  double *xr = limn__alloc_array(g->ctx, per * S, ns * sizeof(double));
  float *gr = limn__alloc_array(g->ctx, per * S, ns * sizeof(float));
  float *w = limn__alloc_array(g->ctx, per * S, g->k * sizeof(float));
  float *out = limn__alloc_array(g->ctx, g->n, g->k * sizeof(float));
  double *sig = limn__alloc_array(g->ctx, ns, sizeof(double));
  int rc = q && xr && gr && w && out && sig ? LIMN_OK : LIMN_ENOMEM, fd = 0;
  if (rc == LIMN_OK)
    rc = limn__model_forward_slots(g->ctx, g->m, g->h, g->n, o->space, out);
  for (size_t r0 = 0; r0 < g->n && rc == LIMN_OK; r0 += per) {
    size_t nr = g->n - r0 < per ? g->n - r0 : per;
    for (size_t i = 0; i < nr; i++)
      noisy(g, r0 + i, q + i * S * ns, xr + i * S * ns, sig);
    onehot(g, r0, nr, S, w);
    rc = limn__model_vjp_slots(g->ctx, g->m, q, nr * S, w, o->space, gr, NULL, &fd);
    for (size_t i = 0; i < nr && rc == LIMN_OK; i++) {
      limn_explanation *e = &g->ex[r0 + i];
      e->output = out[(r0 + i) * g->k + g->target[r0 + i]];
      e->finite_differences = fd;
      for (size_t s = 0; s < ns; s++) {
        double m1 = 0.0, m2 = 0.0, ma = 0.0;
        for (size_t t = 0; t < S; t++) {
          size_t at = (i * S + t) * ns + s;
          double a = (double)gr[at] * g->scale[s];
          if (o->smooth_gxi)
            a *= g->m->slot_cat[s] < 0 ? xr[at] : (double)q[at];
          m1 += a;
          m2 += a * a;
          ma += fabs(a);
        }
        m1 /= (double)S, m2 /= (double)S, ma /= (double)S;
        double v = o->smooth == LIMN_SMOOTH_MEAN       ? m1
                   : o->smooth == LIMN_SMOOTH_MEAN_ABS ? ma
                   : o->smooth == LIMN_SMOOTH_MEAN_SQ  ? m2
                                                       : m2 - m1 * m1;
        e->slot_attr[s] = v;
      }
    }
  }
  limn__free(g->ctx, q);
  limn__free(g->ctx, xr);
  limn__free(g->ctx, gr);
  limn__free(g->ctx, w);
  limn__free(g->ctx, out);
  limn__free(g->ctx, sig);
  return rc;
}

int limn__explanations_finite(limn_ctx *ctx, const limn_explanation *ex, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const limn_explanation *e = &ex[i];
    int ok = isfinite(e->output);
    if (e->method == LIMN_METHOD_IG)
      ok = ok && isfinite(e->base_value) && isfinite(e->delta);
    for (size_t j = 0; ok && j < e->nfeatures; j++)
      ok = isfinite(e->attr[j]);
    for (size_t s = 0; ok && e->slot_attr && s < e->nslots; s++)
      ok = isfinite(e->slot_attr[s]);
    if (!ok)
      return limn__err(
          ctx, LIMN_ENONFINITE,
          "row %zu: the %s explanation is not finite (an attribution, the output or the completeness "
          "gap overflowed): inputs far beyond the training data?",
          e->row, limn_method_name(e->method));
  }
  return LIMN_OK;
}

int limn__explanation_reacts(const limn_explanation *e) {
  for (size_t j = 0; j < e->nfeatures; j++)
    if (e->attr[j] != 0.0)
      return 1;
  return 0;
}

typedef struct ex_init {
  limn_explanation *ex;
  double *all;
  size_t n, d, ns, per;
} ex_init;

#define EX_INIT_ROWS 256 /* rows per item */

/* One item's rows: zeros, then the pointers into the shared block and the "none" marks. */
static int init_rows(void *arg, size_t item, void *scratch) {
  (void)scratch;
  const ex_init *a = arg;
  size_t i1 = (item + 1) * EX_INIT_ROWS < a->n ? (item + 1) * EX_INIT_ROWS : a->n, d = a->d, ns = a->ns;
  for (size_t i = item * EX_INIT_ROWS; i < i1; i++) {
    limn_explanation *e = &a->ex[i];
    double *p = a->all + i * a->per;
    memset(e, 0, sizeof *e);
    memset(p, 0, a->per * sizeof *p);
    e->row = i;
    e->base_value = e->delta = e->intercept = e->score = e->local_pred = NAN;
    e->nfeatures = d;
    e->nslots = ns;
    e->attr = p;
    e->slot_attr = p + d;
    e->std_error = p + d + ns;
    e->bin = (long *)(void *)(p + 2 * d + ns);
    e->selected = (unsigned char *)(void *)(p + 3 * d + ns);
    for (size_t j = 0; j < d; j++) {
      e->std_error[j] = NAN;
      e->bin[j] = -1;
    }
  }
  return 0;
}

int limn__explanations_alloc(limn_ctx *ctx, size_t n, size_t d, size_t ns, limn_explanation **out) {
  /* doubles: attr d, slot_attr ns, std_error d; then bin (d longs), selected (d bytes) */
  size_t per = 2 * d + ns + d + (d + 7) / 8 + 1;
  limn_explanation *ex = limn__alloc_array(ctx, n ? n : 1, sizeof *ex);
  double *all = limn__alloc_array(ctx, n ? n : 1, per * sizeof(double));
  if (!ex || !all) {
    limn__free(ctx, ex);
    limn__free(ctx, all);
    return LIMN_ENOMEM;
  }
  ex_init a = {ex, all, n, d, ns, per}; /* set on the context's threads: a block's worth is megabytes */
  if (limn__parallel_for(ctx, (n + EX_INIT_ROWS - 1) / EX_INIT_ROWS, 0, init_rows, &a) == LIMN_ENOMEM) {
    limn__free(ctx, ex);
    limn__free(ctx, all);
    return LIMN_ENOMEM;
  }
  if (!n)
    limn__free(ctx, all); /* no row holds it */
  *out = ex;
  return LIMN_OK;
}

/* The explanations of a gradient run. */
static int alloc_explanations(gx *g) {
  LIMN_TRY(limn__explanations_alloc(g->ctx, g->n, g->d, g->ns, &g->ex));
  for (size_t i = 0; i < g->n; i++) {
    limn_explanation *e = &g->ex[i];
    e->method = g->o->method;
    e->space = g->o->space;
    e->target = g->target[i];
  }
  return LIMN_OK;
}

int limn_explain_gradients(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                           const limn_grad_opts *opts, limn_explanation **out) {
  *out = NULL;
  limn_grad_opts dflt = limn_grad_opts_default();
  gx g = {ctx, m, opts ? opts : &dflt, n, m->nfeatures, m->nslots, m->noutputs, x, NULL, NULL, NULL, NULL};
  if (n == 0)
    return limn__err(ctx, LIMN_EINVAL, "no rows to explain");
  LIMN_TRY(check_opts(&g));
  if (limn_model_is_trees(m) && g.o->method != LIMN_METHOD_OCCLUSION) /* piecewise constant: no gradients */
    return limn__err(ctx, LIMN_EUNSUPPORTED,
                     "a tree ensemble has no gradients (its output is piecewise constant): explain it with "
                     "--method shap or lime");
  LIMN_TRY(limn__model_slots_supported(ctx, m));
  int rc;
  g.h = limn__alloc_array(ctx, n, g.ns * sizeof(float));
  g.target = limn__alloc_array(ctx, n, sizeof(size_t));
  g.scale = limn__alloc_array(ctx, g.ns, sizeof(double));
  LIMN_FAIL_IF(!g.h || !g.target || !g.scale, ctx, LIMN_ENOMEM, "out of memory");
  LIMN_CHECK(pick_targets(&g));
  limn__model_to_slots(m, x, n, g.h);
  for (size_t s = 0; s < g.ns; s++)
    g.scale[s] = limn__model_slot_scale(m, s);
  LIMN_CHECK(alloc_explanations(&g));
  if (g.o->method == LIMN_METHOD_OCCLUSION) {
    rc = occlusion(&g);
    if (rc != LIMN_OK)
      goto fail;
    LIMN_CHECK(limn__explanations_finite(ctx, g.ex, n)); /* per column already: no slots to sum */
    *out = g.ex;
    g.ex = NULL;
    goto fail;
  }
  if (g.o->method == LIMN_METHOD_GRADCAM || g.o->method == LIMN_METHOD_GRADCAMPP)
    rc = gradcam(&g);
  else if (g.o->method == LIMN_METHOD_IG)
    rc = ig(&g);
  else if (g.o->method == LIMN_METHOD_SMOOTHGRAD)
    rc = smoothgrad(&g);
  else
    rc = plain(&g);
  if (rc != LIMN_OK)
    goto fail;
  for (size_t i = 0; i < n; i++) /* a column's attribution: the sum over its slots */
    for (size_t s = 0; s < g.ns; s++)
      g.ex[i].attr[m->slot_col[s]] += g.ex[i].slot_attr[s];
  LIMN_CHECK(limn__explanations_finite(ctx, g.ex, n));
  *out = g.ex;
  g.ex = NULL;
fail:
  limn_explanations_free(ctx, g.ex, n);
  limn__free(ctx, g.h);
  limn__free(ctx, g.target);
  limn__free(ctx, g.scale);
  return rc;
}

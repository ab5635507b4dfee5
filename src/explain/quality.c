/* Infidelity and max-sensitivity of explanations (Yeh et al. 2019, "On the
 * (In)fidelity and Sensitivity of Explanations"; Captum's definitions). */
#include "explain_internal.h"
#include <math.h>
#include <stdlib.h>

limn_quality_opts limn_quality_opts_default(void) {
  limn_quality_opts q;
  memset(&q, 0, sizeof q);
  q.samples = 10;
  q.infidelity_noise = 0.1;
  q.normalize = 1;
  q.sensitivity_radius = 0.02;
  return q;
}

static int check(limn_ctx *ctx, const limn_model *m, size_t n, const limn_explanation *ex,
                 const limn_quality_opts *q) {
  if (!ex || n == 0)
    return limn__err(ctx, LIMN_EINVAL, "no explanations to assess");
  if (q->samples < 1 || q->samples > 100000)
    return limn__err(ctx, LIMN_EINVAL, "perturbation samples must be in 1..100000, got %zu", q->samples);
  if (!(q->infidelity_noise >= 0) || !(q->sensitivity_radius >= 0))
    return limn__err(ctx, LIMN_EINVAL, "perturbation sizes must be >= 0");
  for (size_t i = 0; i < n; i++)
    if (ex[i].nfeatures != m->nfeatures || ex[i].target >= m->noutputs)
      return limn__err(ctx, LIMN_ESHAPE, "explanation %zu does not belong to this model", i);
  return LIMN_OK;
}

/* Range (raw units) of numeric column j for row i; 0 for categorical columns. */
static double range_of(const limn_model *m, const float *x, size_t i, size_t j) {
  if (m->slot_cat[m->col_slot[j]] >= 0)
    return 0.0;
  const limn_stats *st = limn_model_stats(m);
  if (st)
    return limn_stats_max(st, j) - limn_stats_min(st, j);
  double lo = INFINITY, hi = -INFINITY;
  for (size_t c = 0; c < m->nfeatures; c++)
    if (m->slot_cat[m->col_slot[c]] < 0) {
      double v = x[i * m->nfeatures + c];
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
  return hi - lo;
}

int limn_explain_infidelity(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                            const limn_explanation *ex, const limn_quality_opts *qo, double *out) {
  limn_quality_opts dflt = limn_quality_opts_default();
  const limn_quality_opts *q = qo ? qo : &dflt;
  LIMN_TRY(check(ctx, m, n, ex, q));
  size_t K = q->samples, d = m->nfeatures, k = m->noutputs;
  float *xp = limn__alloc_array(ctx, n * K + n, d * sizeof(float));
  float *f = limn__alloc_array(ctx, n * K + n, k * sizeof(float));
  double *a = limn__alloc_array(ctx, n, K * sizeof(double));
  int rc = xp && f && a ? LIMN_OK : LIMN_ENOMEM;
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    limn_rng r;
    limn_rng_init(&r, q->seed, q->row_ids ? q->row_ids[i] : i);
    memcpy(xp + (n * K + i) * d, x + i * d, d * sizeof(float)); /* the rows themselves, last */
    for (size_t s = 0; s < K; s++) {
      double dot = 0.0;
      for (size_t j = 0; j < d; j++) {
        double I = q->infidelity_noise * range_of(m, x, i, j) * limn_rng_normal(&r);
        float v = (float)((double)x[i * d + j] - I);
        xp[(i * K + s) * d + j] = v;
        dot += ((double)x[i * d + j] - v) * ex[i].attr[j]; /* the perturbation as applied */
      }
      a[i * K + s] = dot;
    }
  }
  if (rc == LIMN_OK)
    rc = limn_model_forward(ctx, m, xp, n * K + n, ex[0].space, f);
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    size_t t = ex[i].target;
    double fx = f[(n * K + i) * k + t], saa = 0, sad = 0, sdd = 0, plain = 0;
    for (size_t s = 0; s < K; s++) {
      double ak = a[i * K + s], dk = fx - f[(i * K + s) * k + t];
      saa += ak * ak, sad += ak * dk, sdd += dk * dk;
      plain += (ak - dk) * (ak - dk);
    }
    if (q->normalize) {
      double beta = saa > 0 ? sad / saa : 0.0;
      out[i] = (beta * beta * saa - 2.0 * beta * sad + sdd) / (double)K;
    } else {
      out[i] = plain / (double)K;
    }
  }
  limn__free(ctx, xp);
  limn__free(ctx, f);
  limn__free(ctx, a);
  return rc;
}

int limn_explain_max_sensitivity(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                                 const limn_grad_opts *g, const limn_explanation *ex,
                                 const limn_quality_opts *qo, double *out) {
  limn_quality_opts dflt = limn_quality_opts_default();
  const limn_quality_opts *q = qo ? qo : &dflt;
  LIMN_TRY(check(ctx, m, n, ex, q));
  size_t K = q->samples, d = m->nfeatures, nk = n * K;
  float *xp = limn__alloc_array(ctx, nk, d * sizeof(float));
  long *tg = limn__alloc_array(ctx, nk, sizeof(long));
  size_t *ids = limn__alloc_array(ctx, nk, sizeof(size_t));
  int rc = xp && tg && ids ? LIMN_OK : LIMN_ENOMEM;
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    size_t id = q->row_ids ? q->row_ids[i] : i;
    limn_rng r;
    limn_rng_init(&r, q->seed, id);
    for (size_t s = 0; s < K; s++) {
      for (size_t j = 0; j < d; j++) {
        double u = (2.0 * limn_rng_uniform(&r) - 1.0) * q->sensitivity_radius * range_of(m, x, i, j);
        xp[(i * K + s) * d + j] = (float)((double)x[i * d + j] + u);
      }
      tg[i * K + s] = (long)ex[i].target;
      ids[i * K + s] = id * K + s; /* the copies' own noise streams, fixed per row */
    }
  }
  limn_grad_opts go = g ? *g : limn_grad_opts_default();
  go.targets = tg;
  go.row_ids = ids;
  go.noise_eps = NULL;
  go.noise_sigma = NULL;
  float *bp = NULL; /* given baseline rows: each copy of row i keeps row i's */
  if (rc == LIMN_OK && go.baseline == LIMN_BASELINE_ROWS) {
    size_t nb = g->nbaseline_rows;
    if (!g->baseline_rows || (nb != 1 && nb != n))
      rc = limn__err(ctx, LIMN_EINVAL, "baseline: %zu rows for %zu rows (1 or one per row)", nb, n);
    else if (!(bp = limn__alloc_array(ctx, nk, d * sizeof(float))))
      rc = LIMN_ENOMEM;
    for (size_t c = 0; rc == LIMN_OK && c < nk; c++)
      memcpy(bp + c * d, g->baseline_rows + (nb > 1 ? c / K : 0) * d, d * sizeof(float));
    go.baseline_rows = bp, go.nbaseline_rows = nk;
  } else {
    go.baseline_rows = NULL;
  }
  limn_explanation *pe = NULL;
  if (rc == LIMN_OK)
    rc = limn_explain_gradients(ctx, m, xp, nk, &go, &pe);
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    double base = 0.0, worst = 0.0;
    for (size_t j = 0; j < d; j++)
      base += ex[i].attr[j] * ex[i].attr[j];
    base = base > 0 ? sqrt(base) : 1.0;
    for (size_t s = 0; s < K; s++) {
      double diff = 0.0;
      for (size_t j = 0; j < d; j++) {
        double t = ex[i].attr[j] - pe[i * K + s].attr[j];
        diff += t * t;
      }
      double sens = sqrt(diff) / base;
      worst = sens > worst ? sens : worst;
    }
    out[i] = worst;
  }
  limn_explanations_free(ctx, pe, nk);
  limn__free(ctx, xp);
  limn__free(ctx, tg);
  limn__free(ctx, ids);
  limn__free(ctx, bp);
  return rc;
}

limn_curve_opts limn_explain_curve_opts_default(void) {
  limn_curve_opts o;
  memset(&o, 0, sizeof o);
  o.steps = 20;
  return o;
}

typedef struct order_key {
  double a;
  size_t j;
} order_key;

static int by_attribution(const void *p, const void *q) { /* largest first, ties by column */
  const order_key *a = p, *b = q;
  if (a->a != b->a)
    return a->a > b->a ? -1 : 1;
  return (a->j > b->j) - (a->j < b->j);
}

#define CURVE_ROWS 64 /* rows whose curves go through the model at once */

int limn_explain_deletion_insertion(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                                    const limn_explanation *ex, const limn_curve_opts *oo, double *deletion,
                                    double *insertion, double *curves) {
  limn_curve_opts dflt = limn_explain_curve_opts_default();
  const limn_curve_opts *o = oo ? oo : &dflt;
  size_t d = m->nfeatures, k = m->noutputs, S = o->steps, P = S + 1;
  if (!ex || !n || !x || !deletion || !insertion)
    return limn__err(ctx, LIMN_EINVAL, "deletion and insertion: no explanations or no place for the areas");
  if (S < 1 || S > d)
    return limn__err(ctx, LIMN_EINVAL,
                     "deletion and insertion: steps must be in 1..%zu (the features), got %zu", d, S);
  for (size_t i = 0; i < n; i++)
    if (ex[i].nfeatures != d || ex[i].target >= k || ex[i].space != ex[0].space)
      return limn__err(ctx, LIMN_ESHAPE,
                       "explanation %zu does not belong to this model (or has another space)", i);
  size_t rows = n < CURVE_ROWS ? n : CURVE_ROWS;
  float *xp = limn__alloc_array(ctx, rows * 2 * P, d * sizeof(float));
  float *f = limn__alloc_array(ctx, rows * 2 * P, k * sizeof(float));
  order_key *ord = limn__alloc_array(ctx, d, sizeof *ord);
  int rc = xp && f && ord ? LIMN_OK : limn__err(ctx, LIMN_ENOMEM, "out of memory");
  for (size_t i0 = 0; i0 < n && !rc; i0 += rows) {
    size_t nr = n - i0 < rows ? n - i0 : rows;
    for (size_t r = 0; r < nr; r++) {
      size_t i = i0 + r;
      const float *xi = x + i * d;
      for (size_t j = 0; j < d; j++)
        ord[j].a = ex[i].attr[j], ord[j].j = j;
      qsort(ord, d, sizeof *ord, by_attribution);
      for (size_t s = 0; s < P; s++) {
        float *del = xp + ((r * 2) * P + s) * d, *ins = xp + ((r * 2 + 1) * P + s) * d;
        size_t cut = (size_t)((double)s * (double)d / (double)S + 0.5); /* features gone / shown */
        for (size_t j = 0; j < d; j++) {
          float base = o->baseline ? o->baseline[j] : 0.0f;
          del[j] = xi[j], ins[j] = base;
        }
        for (size_t q = 0; q < cut; q++) {
          size_t j = ord[q].j;
          del[j] = o->baseline ? o->baseline[j] : 0.0f;
          ins[j] = xi[j];
        }
      }
    }
    rc = limn_model_forward(ctx, m, xp, nr * 2 * P, ex[0].space, f);
    for (size_t r = 0; r < nr && !rc; r++) {
      size_t i = i0 + r, t = ex[i].target;
      double area[2] = {0, 0};
      for (size_t c = 0; c < 2; c++) {
        const float *fc = f + (r * 2 + c) * P * k;
        for (size_t s = 0; s < P; s++) {
          double v = fc[s * k + t];
          if (curves)
            curves[(2 * i + c) * P + s] = v;
          if (s)
            area[c] += 0.5 * (v + (double)fc[(s - 1) * k + t]) / (double)S;
        }
      }
      deletion[i] = area[0], insertion[i] = area[1];
    }
  }
  limn__free(ctx, xp);
  limn__free(ctx, f);
  limn__free(ctx, ord);
  return rc;
}

/* Mean ranks (1-based, ties averaged) of v (n) into r; kv: n pairs of scratch. */
typedef struct keyed {
  double v;
  size_t i;
} keyed;

static int by_value(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  int c = (x->v > y->v) - (x->v < y->v); /* by value, ties by index */
  return c ? c : (x->i > y->i) - (x->i < y->i);
}

static void ranks(const double *v, size_t n, keyed *kv, double *r) {
  for (size_t i = 0; i < n; i++)
    kv[i].v = v[i], kv[i].i = i;
  qsort(kv, n, sizeof *kv, by_value);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && kv[j + 1].v == kv[i].v)
      j++;
    for (size_t q = i; q <= j; q++)
      r[kv[q].i] = 0.5 * (double)(i + j) + 1;
    i = j + 1;
  }
}

double limn_explain_rank_correlation(const limn_explanation *a, const limn_explanation *b, int absolute) {
  if (!a || !b || a->nfeatures != b->nfeatures || a->nfeatures < 2)
    return NAN;
  size_t n = a->nfeatures;
  double *va = malloc(4 * n * sizeof *va);
  keyed *kv = malloc(n * sizeof *kv);
  double rho = NAN;
  if (va && kv) {
    double *vb = va + n, *ra = vb + n, *rb = ra + n;
    for (size_t j = 0; j < n; j++)
      va[j] = absolute ? fabs(a->attr[j]) : a->attr[j], vb[j] = absolute ? fabs(b->attr[j]) : b->attr[j];
    ranks(va, n, kv, ra);
    ranks(vb, n, kv, rb);
    double m = 0.5 * (double)(n + 1), sab = 0, saa = 0, sbb = 0;
    for (size_t j = 0; j < n; j++)
      sab += (ra[j] - m) * (rb[j] - m), saa += (ra[j] - m) * (ra[j] - m), sbb += (rb[j] - m) * (rb[j] - m);
    rho = saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
  }
  free(va);
  free(kv);
  return rho;
}

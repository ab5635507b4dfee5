/* t-SNE (van der Maaten & Hinton 2008) with exact or Barnes-Hut repulsion (van der
 * Maaten 2014). Input affinities from exact nearest neighbours (a vantage-point
 * tree, knn.c) and per-point
 * perplexity calibration; gradient descent with momentum and gains, early
 * exaggeration, per-point step clipping, re-centring; PCA initialisation. Every
 * per-point sum runs in a fixed order, so the map does not depend on the thread count. */
#include "../core/internal.h"
#include "knn.h"
#include <math.h>
#include <stdlib.h>

limn_tsne_opts limn_tsne_opts_default(void) {
  limn_tsne_opts o;
  memset(&o, 0, sizeof o);
  o.perplexity = 30.0;
  o.iterations = 750;
  o.exaggeration_iters = 250;
  o.exaggeration = 12.0;
  o.momentum = 0.5;
  o.final_momentum = 0.8;
  o.theta = 0.5;
  o.fft_nodes = 3;
  o.max_step = 5.0;
  return o;
}

void limn_tsne_affinity_free(limn_ctx *ctx, limn_tsne_affinity *p) {
  if (!p)
    return;
  limn__free(ctx, p->rowptr);
  limn__free(ctx, p->col);
  limn__free(ctx, p->val);
  limn__free(ctx, p->knn);
  limn__free(ctx, p);
}

/* ---- affinities ---- */

typedef struct knn_arg {
  const float *x;
  size_t n, dim, k;
  size_t *nbr;   /* (n, k) */
  double *dist2; /* (n, k) squared distances, ascending */
  double perplexity;
  double *cond; /* (n, k) conditional probabilities */
  double *err;  /* (n) |H - ln u| */
} knn_arg;

/* Conditional probabilities p (k) over neighbours at squared distances d (k,
 * ascending) whose entropy is ln(perplexity): bracket the precision (doubling or
 * halving from 1) then bisect, to 1e-5, 200 steps at most. Returns |H - ln u|. */
double limn__tsne_calibrate(const double *d, size_t k, double perplexity, double *p) {
  double target = log(perplexity);
  double beta = 1.0, lo = -INFINITY, hi = INFINITY, h = 0.0;
  double dmin = d[0]; /* shift: exp(-beta (d - dmin)) keeps the largest weight at 1 */
  for (int step = 0; step < 200; step++) {
    double sum = 0.0, sd = 0.0;
    for (size_t j = 0; j < k; j++) {
      p[j] = exp(-beta * (d[j] - dmin));
      sum += p[j];
      sd += (d[j] - dmin) * p[j];
    }
    h = log(sum) + beta * sd / sum;
    for (size_t j = 0; j < k; j++)
      p[j] /= sum;
    if (fabs(h - target) < 1e-5)
      break;
    if (h > target) { /* too flat: raise the precision */
      lo = beta;
      beta = isinf(hi) ? beta * 2.0 : (beta + hi) / 2.0;
    } else {
      hi = beta;
      beta = isinf(lo) ? beta / 2.0 : (beta + lo) / 2.0;
    }
  }
  return fabs(h - target);
}

static int calibrate_item(void *arg, size_t i, void *scratch) {
  knn_arg *a = arg;
  (void)scratch;
  a->err[i] = limn__tsne_calibrate(a->dist2 + i * a->k, a->k, a->perplexity, a->cond + i * a->k);
  return 0;
}

typedef struct entry {
  size_t c;
  double v;
} entry;

static int cmp_entry(const void *x, const void *y) {
  const entry *a = x, *b = y;
  return (a->c > b->c) - (a->c < b->c);
}

typedef struct sym_arg {
  const size_t *start; /* (n + 1) each row's first slot in e */
  entry *e;            /* the entries of row i at start[i].., filled */
  size_t *len;         /* (n) each row's length once duplicates are merged */
} sym_arg;

/* Row i: its entries sorted by column, duplicates merged. A pair (i, j) appears at
 * most twice (from i's neighbours and from j's), and a sum of two does not depend on
 * their order, so neither does P. */
static int sym_item(void *arg, size_t i, void *scratch) {
  (void)scratch;
  sym_arg *s = arg;
  entry *e = s->e + s->start[i];
  size_t m = s->start[i + 1] - s->start[i], u = 0;
  qsort(e, m, sizeof *e, cmp_entry);
  for (size_t q = 0; q < m; q++) {
    if (u && e[u - 1].c == e[q].c)
      e[u - 1].v += e[q].v;
    else
      e[u++] = e[q];
  }
  s->len[i] = u;
  return 0;
}

/* P = (C + C^T) / 2n in CSR, duplicates merged: entries bucketed by row (a counting
 * sort), each row sorted and merged on its own. */
static int symmetrise(limn_ctx *ctx, const knn_arg *a, limn_tsne_affinity *P) {
  size_t n = a->n, k = a->k, m = 2 * n * k;
  entry *e = limn__alloc_array(ctx, m, sizeof *e);
  size_t *start = limn__calloc(ctx, n + 1, sizeof(size_t)), *fill = limn__alloc_array(ctx, n, sizeof(size_t));
  size_t *len = limn__alloc_array(ctx, n, sizeof(size_t));
  int rc = e && start && fill && len ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK) {
    for (size_t i = 0; i < n; i++) {
      start[i + 1] += k;
      for (size_t j = 0; j < k; j++)
        start[a->nbr[i * k + j] + 1]++;
    }
    for (size_t i = 0; i < n; i++)
      start[i + 1] += start[i], fill[i] = start[i];
    for (size_t i = 0; i < n; i++) /* in row order: (i, j) entries before (j, i) ones of larger i */
      for (size_t j = 0; j < k; j++) {
        size_t c = a->nbr[i * k + j];
        double v = a->cond[i * k + j] / (2.0 * (double)n);
        e[fill[i]++] = (entry){c, v};
        e[fill[c]++] = (entry){i, v};
      }
    sym_arg sa = {start, e, len};
    if (limn__parallel_for(ctx, n, 0, sym_item, &sa))
      rc = LIMN_ENOMEM;
  }
  size_t u = 0;
  for (size_t i = 0; rc == LIMN_OK && i < n; i++)
    u += len[i];
  if (rc == LIMN_OK) {
    P->rowptr = limn__calloc(ctx, n + 1, sizeof(size_t));
    P->col = limn__alloc_array(ctx, u, sizeof(size_t));
    P->val = limn__alloc_array(ctx, u, sizeof(double));
    rc = P->rowptr && P->col && P->val ? LIMN_OK : LIMN_ENOMEM;
  }
  if (rc == LIMN_OK) {
    double total = 0.0;
    for (size_t i = 0; i < n; i++)
      for (size_t q = 0; q < len[i]; q++)
        total += e[start[i] + q].v;
    for (size_t i = 0, at = 0; i < n; i++) {
      for (size_t q = 0; q < len[i]; q++, at++) {
        P->col[at] = e[start[i] + q].c;
        P->val[at] = e[start[i] + q].v / total;
      }
      P->rowptr[i + 1] = at;
    }
  }
  limn__free(ctx, e);
  limn__free(ctx, start);
  limn__free(ctx, fill);
  limn__free(ctx, len);
  return rc;
}

int limn_tsne_affinities(limn_ctx *ctx, const float *x, size_t n, size_t dim, double perplexity,
                         limn_tsne_affinity **out) {
  *out = NULL;
  if (n < 4)
    return limn__err(ctx, LIMN_EINVAL, "t-SNE needs at least 4 rows, got %zu", n);
  if (!(perplexity >= 1.0) || 3.0 * perplexity > (double)(n - 1))
    return limn__err(
        ctx, LIMN_EINVAL,
        "perplexity %g is too large for %zu rows (3 perplexity neighbours are needed: at most %g)",
        perplexity, n, floor((double)(n - 1) / 3.0));
  for (size_t i = 0; i < n * dim; i++)
    if (!isfinite(x[i]))
      return limn__err(ctx, LIMN_ENONFINITE, "row %zu, column %zu: value is not finite", i / dim, i % dim);
  size_t k = (size_t)(3.0 * perplexity);
  knn_arg a = {x, n, dim, k, NULL, NULL, perplexity, NULL, NULL};
  limn_tsne_affinity *P = limn__calloc(ctx, 1, sizeof *P);
  a.nbr = limn__alloc_array(ctx, n, k * sizeof(size_t));
  a.dist2 = limn__alloc_array(ctx, n, k * sizeof(double));
  a.cond = limn__alloc_array(ctx, n, k * sizeof(double));
  a.err = limn__alloc_array(ctx, n, sizeof(double));
  int rc = P && a.nbr && a.dist2 && a.cond && a.err ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK)
    rc = limn__knn(ctx, x, n, dim, k, 0, a.nbr, a.dist2);
  if (rc == LIMN_OK && limn__parallel_for(ctx, n, 0, calibrate_item, &a))
    rc = LIMN_ENOMEM;
  if (rc == LIMN_OK) {
    P->n = n;
    for (size_t i = 0; i < n; i++)
      P->max_entropy_error = a.err[i] > P->max_entropy_error ? a.err[i] : P->max_entropy_error;
    rc = symmetrise(ctx, &a, P);
  }
  if (rc == LIMN_OK) { /* kept for the quality measures */
    P->knn = a.nbr, P->knn_k = k;
    a.nbr = NULL;
  }
  limn__free(ctx, a.nbr);
  limn__free(ctx, a.dist2);
  limn__free(ctx, a.cond);
  limn__free(ctx, a.err);
  if (rc != LIMN_OK) {
    limn_tsne_affinity_free(ctx, P);
    return rc == LIMN_ENOMEM ? limn__err(ctx, rc, "out of memory computing t-SNE affinities") : rc;
  }
  *out = P;
  return LIMN_OK;
}

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
  const knn_arg *a;
  const size_t *rstart; /* (n + 1) row i's reverse entries: rsrc[rstart[i]..rstart[i + 1]) */
  const size_t *rsrc;   /* (n k) each an index q = j k + s of nbr/cond with nbr[q] = i, ascending */
  size_t *len;          /* (n) row i's entries once duplicates are merged */
  const size_t *rowptr; /* NULL: count only; else where row i's entries go */
  size_t *col;
  double *val;
} sym_arg;

/* Row i of P (unnormalised): its own neighbours j (value p_j|i / 2n) and the rows j
 * that have i as a neighbour (p_i|j / 2n), merged by column, a pair listed both ways
 * summed (a sum of two: the same whichever comes first). Counts, or writes. */
static int sym_item(void *arg, size_t i, void *scratch) {
  sym_arg *s = arg;
  const knn_arg *a = s->a;
  size_t k = a->k;
  double two_n = 2.0 * (double)a->n;
  entry *own = scratch;
  for (size_t q = 0; q < k; q++)
    own[q] = (entry){a->nbr[i * k + q], a->cond[i * k + q] / two_n};
  qsort(own, k, sizeof *own, cmp_entry);
  const size_t *rv = s->rsrc + s->rstart[i];
  size_t nr = s->rstart[i + 1] - s->rstart[i], p = 0, r = 0, u = 0;
  size_t at = s->rowptr ? s->rowptr[i] : 0;
  while (p < k || r < nr) {
    size_t rc = r < nr ? rv[r] / k : SIZE_MAX;
    size_t c;
    double v;
    if (p < k && own[p].c == rc) {
      c = rc, v = own[p].v + a->cond[rv[r]] / two_n;
      p++, r++;
    } else if (p < k && own[p].c < rc) {
      c = own[p].c, v = own[p].v;
      p++;
    } else {
      c = rc, v = a->cond[rv[r]] / two_n;
      r++;
    }
    if (s->rowptr)
      s->col[at + u] = c, s->val[at + u] = v;
    u++;
  }
  s->len[i] = u;
  return 0;
}

/* P = (C + C^T) / 2n in CSR, rows sorted by column, duplicates merged, normalised to
 * sum 1 (summed row by row, in column order). The transpose is a list of reverse
 * entries per row (a counting sort of the n k neighbours), so memory is the
 * neighbours, their conditionals, n k indices and P itself. */
static int symmetrise(limn_ctx *ctx, const knn_arg *a, limn_tsne_affinity *P) {
  size_t n = a->n, k = a->k;
  size_t *rstart = limn__calloc(ctx, n + 1, sizeof(size_t)),
         *rsrc = limn__alloc_array(ctx, n, k * sizeof(size_t));
  size_t *len = limn__alloc_array(ctx, n, sizeof(size_t));
  int rc = rstart && rsrc && len ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK) {
    for (size_t q = 0; q < n * k; q++)
      rstart[a->nbr[q] + 1]++;
    for (size_t i = 0; i < n; i++)
      rstart[i + 1] += rstart[i];
    memset(len, 0, n * sizeof *len);     /* the fill of each row's reverse list, for now */
    for (size_t q = 0; q < n * k; q++) { /* in index order: each row's sources ascending */
      size_t j = a->nbr[q];
      rsrc[rstart[j] + len[j]++] = q;
    }
  }
  sym_arg sa = {a, rstart, rsrc, len, NULL, NULL, NULL};
  if (rc == LIMN_OK && limn__parallel_for(ctx, n, k * sizeof(entry), sym_item, &sa))
    rc = LIMN_ENOMEM;
  if (rc == LIMN_OK) {
    size_t u = 0;
    P->rowptr = limn__calloc(ctx, n + 1, sizeof(size_t));
    for (size_t i = 0; P->rowptr && i < n; i++)
      P->rowptr[i + 1] = u += len[i];
    P->col = limn__alloc_array(ctx, u ? u : 1, sizeof(size_t));
    P->val = limn__alloc_array(ctx, u ? u : 1, sizeof(double));
    rc = P->rowptr && P->col && P->val ? LIMN_OK : LIMN_ENOMEM;
  }
  sa.rowptr = P->rowptr, sa.col = P->col, sa.val = P->val;
  if (rc == LIMN_OK && limn__parallel_for(ctx, n, k * sizeof(entry), sym_item, &sa))
    rc = LIMN_ENOMEM;
  if (rc == LIMN_OK) {
    size_t u = P->rowptr[n];
    double total = 0.0;
    for (size_t q = 0; q < u; q++)
      total += P->val[q];
    for (size_t q = 0; q < u; q++)
      P->val[q] /= total;
  }
  limn__free(ctx, rstart);
  limn__free(ctx, rsrc);
  limn__free(ctx, len);
  return rc;
}

int limn_tsne_affinities(limn_ctx *ctx, const float *x, size_t n, size_t dim, double perplexity,
                         limn_tsne_affinity **out) {
  return limn_tsne_affinities_knn(ctx, x, n, dim, perplexity, LIMN_TSNE_KNN_EXACT, out);
}

int limn_tsne_affinities_knn(limn_ctx *ctx, const float *x, size_t n, size_t dim, double perplexity,
                             limn_tsne_knn knn, limn_tsne_affinity **out) {
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
  if (knn != LIMN_TSNE_KNN_AUTO && knn != LIMN_TSNE_KNN_EXACT && knn != LIMN_TSNE_KNN_APPROX)
    rc = limn__err(ctx, LIMN_EINVAL, "t-SNE neighbours: unknown search %d", (int)knn);
  int approx = knn == LIMN_TSNE_KNN_APPROX || (knn == LIMN_TSNE_KNN_AUTO && n > LIMN_TSNE_KNN_EXACT_ROWS);
  if (rc == LIMN_OK)
    rc = approx ? limn__knn_approx(ctx, x, n, dim, k, 0, a.nbr, a.dist2)
                : limn__knn(ctx, x, n, dim, k, 0, a.nbr, a.dist2);
  if (rc == LIMN_OK && limn__parallel_for(ctx, n, 0, calibrate_item, &a))
    rc = LIMN_ENOMEM;
  limn__free(ctx, a.dist2); /* calibrated: P needs the neighbours and their conditionals only */
  a.dist2 = NULL;
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

/* Exact k nearest neighbours: brute force, or a vantage-point tree (Yianilos 1993)
 * that returns the same neighbours bit for bit (see knn.h). */
#include "knn.h"
#include <math.h>
#include <stdlib.h>

#define VP_LEAF 16 /* ranges this small are scanned, not split */

typedef struct knn_state {
  const float *x;  /* the reference rows (n, dim) */
  const float *qx; /* external queries (nq, dim), or NULL: the reference rows themselves */
  size_t n, dim, k;
  size_t *nbr;
  double *dist2;
  /* vantage-point tree: a node is a range [lo, hi) of idx; idx[lo] is its vantage
   * point, mu[lo] the median distance to it; [lo + 1, m) lies within mu, [m, hi) at
   * mu or beyond, m = lo + 1 + (hi - lo - 1) / 2. */
  size_t *idx;
  double *mu;
} knn_state;

/* Squared distance in double, summed in 8 interleaved partial sums (lane c % 8) and
 * then added in a fixed order: vectorisable, and the same bits everywhere. */
LIMN_CLONES static double sqdist8(const float *restrict a, const float *restrict b, size_t dim) {
  double p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t c = 0;
  for (; c + 8 <= dim; c += 8)
    for (int l = 0; l < 8; l++) {
      double d = (double)a[c + (size_t)l] - (double)b[c + (size_t)l];
      p[l] += d * d;
    }
  for (int l = 0; c < dim; c++, l++) {
    double d = (double)a[c] - (double)b[c];
    p[l] += d * d;
  }
  return ((p[0] + p[4]) + (p[1] + p[5])) + ((p[2] + p[6]) + (p[3] + p[7]));
}

static double sqdist_to(const knn_state *s, const float *a, size_t j) {
  return sqdist8(a, s->x + j * s->dim, s->dim);
}

static double sqdist(const knn_state *s, size_t i, size_t j) { return sqdist_to(s, s->x + i * s->dim, j); }

/* Row j into row i's sorted list of cnt (at most k) candidates, ordered by
 * (squared distance, index). Returns the new count. */
static size_t offer(const knn_state *s, size_t *nb, double *dd, size_t cnt, size_t j, double d2) {
  size_t k = s->k;
  if (cnt == k && (d2 > dd[k - 1] || (d2 == dd[k - 1] && j > nb[k - 1])))
    return cnt;
  size_t p = cnt < k ? cnt++ : k - 1;
  while (p > 0 && (dd[p - 1] > d2 || (dd[p - 1] == d2 && nb[p - 1] > j))) {
    dd[p] = dd[p - 1];
    nb[p] = nb[p - 1];
    p--;
  }
  dd[p] = d2;
  nb[p] = j;
  return cnt;
}

static int brute_item(void *arg, size_t i, void *scratch) {
  knn_state *s = arg;
  (void)scratch;
  size_t *nb = s->nbr + i * s->k, cnt = 0;
  double *dd = s->dist2 + i * s->k;
  for (size_t j = 0; j < s->n; j++)
    if (j != i)
      cnt = offer(s, nb, dd, cnt, j, sqdist(s, i, j));
  return 0;
}

typedef struct dpair {
  double d;
  size_t j;
} dpair;

static int cmp_dpair(const void *x, const void *y) {
  const dpair *a = x, *b = y;
  if (a->d != b->d)
    return a->d < b->d ? -1 : 1;
  return (a->j > b->j) - (a->j < b->j);
}

/* Build the node [lo, hi). The vantage point is a pseudo-random member (a fixed
 * hash of the range), so the tree depends only on the data. */
static void build(knn_state *s, dpair *tmp, size_t lo, size_t hi) {
  while (hi - lo > VP_LEAF) {
    uint64_t h = (uint64_t)lo * 0x9E3779B97F4A7C15ull ^ (uint64_t)hi * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
    size_t v = lo + (size_t)(h % (hi - lo)), t = s->idx[lo];
    s->idx[lo] = s->idx[v];
    s->idx[v] = t;
    size_t vp = s->idx[lo];
    for (size_t q = lo + 1; q < hi; q++)
      tmp[q - lo - 1] = (dpair){sqrt(sqdist(s, vp, s->idx[q])), s->idx[q]};
    qsort(tmp, hi - lo - 1, sizeof *tmp, cmp_dpair);
    for (size_t q = lo + 1; q < hi; q++)
      s->idx[q] = tmp[q - lo - 1].j;
    size_t m = lo + 1 + (hi - lo - 1) / 2;
    s->mu[lo] = tmp[m - lo - 1].d;
    build(s, tmp, lo + 1, m);
    lo = m; /* the outer half, iteratively */
  }
}

typedef struct query {
  const float *v; /* the query vector */
  size_t i, cnt;  /* i: a reference row to leave out (SIZE_MAX: none) */
  size_t *nb;
  double *dd;
} query;

static double tau(const knn_state *s, const query *q) {
  return q->cnt < s->k ? INFINITY : sqrt(q->dd[s->k - 1]);
}

static void search(const knn_state *s, query *q, size_t lo, size_t hi) {
  while (hi > lo) {
    if (hi - lo <= VP_LEAF) {
      for (size_t r = lo; r < hi; r++) {
        size_t j = s->idx[r];
        if (j != q->i)
          q->cnt = offer(s, q->nb, q->dd, q->cnt, j, sqdist_to(s, q->v, j));
      }
      return;
    }
    size_t vp = s->idx[lo], m = lo + 1 + (hi - lo - 1) / 2;
    double d2 = sqdist_to(s, q->v, vp), d = sqrt(d2), mu = s->mu[lo];
    if (vp != q->i)
      q->cnt = offer(s, q->nb, q->dd, q->cnt, vp, d2);
    /* Inner points lie at distance >= d - mu from the query, outer ones at >= mu - d.
     * A subtree is skipped only when that bound exceeds the k-th distance by more
     * than the rounding of three computed distances can account for. */
    int inner_first = d < mu;
    size_t a_lo = inner_first ? lo + 1 : m, a_hi = inner_first ? m : hi;
    size_t b_lo = inner_first ? m : lo + 1, b_hi = inner_first ? hi : m;
    double t = tau(s, q);
    if ((inner_first ? d - mu : mu - d) <= t + 1e-9 * (d + mu + t))
      search(s, q, a_lo, a_hi);
    t = tau(s, q);
    if ((inner_first ? mu - d : d - mu) > t + 1e-9 * (d + mu + t))
      return;
    lo = b_lo; /* the second child, iteratively */
    hi = b_hi;
  }
}

static int tree_item(void *arg, size_t i, void *scratch) {
  knn_state *s = arg;
  (void)scratch;
  query q = {s->qx ? s->qx + i * s->dim : s->x + i * s->dim, s->qx ? SIZE_MAX : i, 0, s->nbr + i * s->k,
             s->dist2 + i * s->k};
  search(s, &q, 0, s->n);
  return 0;
}

static int knn_run(limn_ctx *ctx, const float *x, size_t n, const float *qx, size_t nq, size_t dim, size_t k,
                   int brute, size_t *nbr, double *dist2) {
  knn_state s = {x, qx, n, dim, k, nbr, dist2, NULL, NULL};
  int rc = LIMN_OK;
  if (!brute) {
    s.idx = limn__alloc_array(ctx, n, sizeof(size_t));
    s.mu = limn__alloc_array(ctx, n, sizeof(double));
    dpair *tmp = limn__alloc_array(ctx, n, sizeof(dpair));
    if (!s.idx || !s.mu || !tmp) {
      rc = LIMN_ENOMEM;
    } else {
      for (size_t i = 0; i < n; i++)
        s.idx[i] = i;
      build(&s, tmp, 0, n);
    }
    limn__free(ctx, tmp);
  }
  if (rc == LIMN_OK && limn__parallel_for(ctx, nq, 0, brute ? brute_item : tree_item, &s))
    rc = LIMN_ENOMEM;
  limn__free(ctx, s.idx);
  limn__free(ctx, s.mu);
  return rc == LIMN_OK ? rc : limn__err(ctx, rc, "out of memory finding nearest neighbours");
}

int limn__knn(limn_ctx *ctx, const float *x, size_t n, size_t dim, size_t k, int brute, size_t *nbr,
              double *dist2) {
  if (k == 0 || k >= n)
    return limn__err(ctx, LIMN_EINVAL, "%zu neighbours asked of %zu rows", k, n);
  return knn_run(ctx, x, n, NULL, n, dim, k, brute, nbr, dist2);
}

int limn__knn_query(limn_ctx *ctx, const float *ref, size_t n, const float *q, size_t nq, size_t dim,
                    size_t k, size_t *nbr, double *dist2) {
  if (k == 0 || k > n)
    return limn__err(ctx, LIMN_EINVAL, "%zu neighbours asked of %zu rows", k, n);
  return knn_run(ctx, ref, n, q, nq, dim, k, 0, nbr, dist2);
}

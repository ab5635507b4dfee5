/* Exact k nearest neighbours: brute force, a vantage-point tree (Yianilos 1993), or
 * blocked brute force with single-precision estimates; all three return the same
 * neighbours bit for bit (see knn.h). */
#include "knn.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
 * then added in a fixed order: vectorisable, and the same bits everywhere. Abandoned
 * once it must exceed `bound`: each lane's partial sum only grows (rounding to nearest
 * is monotone and every term is >= 0), and so does their fixed combination, so a
 * partial combination above the bound proves the full one is too. Returns the exact
 * value when that is <= bound (always, with bound INFINITY), otherwise some value >
 * bound. */
LIMN_CLONES static double sqdist8_upto(const float *restrict a, const float *restrict b, size_t dim,
                                       double bound) {
  double p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t c = 0;
  while (c + 8 <= dim) {
    size_t end = c + 16 <= dim ? c + 16 : c + 8;
    for (; c < end; c += 8)
      for (int l = 0; l < 8; l++) {
        double d = (double)a[c + (size_t)l] - (double)b[c + (size_t)l];
        p[l] += d * d;
      }
    double part = ((p[0] + p[4]) + (p[1] + p[5])) + ((p[2] + p[6]) + (p[3] + p[7]));
    if (part > bound)
      return part;
  }
  for (int l = 0; c < dim; c++, l++) {
    double d = (double)a[c] - (double)b[c];
    p[l] += d * d;
  }
  return ((p[0] + p[4]) + (p[1] + p[5])) + ((p[2] + p[6]) + (p[3] + p[7]));
}

double limn__sqdist(const float *a, const float *b, size_t dim) { return sqdist8_upto(a, b, dim, INFINITY); }
double limn__sqdist_upto(const float *a, const float *b, size_t dim, double bound) {
  return sqdist8_upto(a, b, dim, bound);
}

static double sqdist_to(const knn_state *s, const float *a, size_t j) {
  return sqdist8_upto(a, s->x + j * s->dim, s->dim, INFINITY);
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
    if (j != i) {
      double bound = cnt < s->k ? INFINITY : dd[s->k - 1];
      double d2 = sqdist8_upto(s->x + i * s->dim, s->x + j * s->dim, s->dim, bound);
      if (d2 <= bound)
        cnt = offer(s, nb, dd, cnt, j, d2);
    }
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
        if (j != q->i) {
          /* a row beyond the current k-th distance is refused by offer() anyway */
          double bound = q->cnt < s->k ? INFINITY : q->dd[s->k - 1];
          double d2 = sqdist8_upto(q->v, s->x + j * s->dim, s->dim, bound);
          if (d2 <= bound)
            q->cnt = offer(s, q->nb, q->dd, q->cnt, j, d2);
        }
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

/* ---- blocked brute force, for many rows of many columns ----
 * Every pair's squared distance is first estimated in single precision as
 * |q|^2 + |r|^2 - 2 q.r (a register-tiled product, KQ queries x KR references); only a
 * pair whose estimate, less a margin far above its rounding error, is within the
 * query's current k-th distance gets its exact distance (sqdist8) and an offer. So
 * the answer is the brute-force one, bit for bit; the estimate only decides which
 * pairs are looked at. Rows are taken in the vantage-point tree's order (near rows
 * together), queries in blocks of QB against panels of KR references, starting from
 * the panels next to the block, so each query's k-th distance is small early on. */
#define KQ 4
#define KR 16
#define QB 32

typedef struct blk_state {
  const knn_state *s;
  const size_t *ord; /* tree order: position -> row */
  const float *pan;  /* (npan, dim, KR): rows ord[p KR + l] as panels, zero padded */
  const float *nrm;  /* (npan KR) their squared norms in single precision */
  size_t npan;
} blk_state;

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define LIMN_FMA_CLONES                                                                                      \
  __attribute__((target_clones("arch=x86-64-v3", "default"), optimize("fp-contract=fast")))
#else
#define LIMN_FMA_CLONES
#endif

typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));

/* an unaligned load (a macro: a function returning a vector would change the ABI
 * between the clones) */
#define LOAD8(dst, p) memcpy(&(dst), (p), sizeof(v8f))

/* KQ queries q (rows of dim) against a panel (dim, KR): bit l of mask[a] set when
 * reference l's estimate qs[a] + rs[l] - 2 q_a.r_l is <= bnd[a] (qs, rs: the squared
 * norms shrunk by the margin). An estimate only: the clones may contract to FMA and
 * differ in the last bits. */
LIMN_FMA_CLONES static void tile_mask(const float *restrict q, size_t dim, const float *restrict pan,
                                      const float *qs, const float *rs, const float *bnd, unsigned *mask) {
  v8f a00 = {0}, a01 = {0}, a10 = {0}, a11 = {0}, a20 = {0}, a21 = {0}, a30 = {0}, a31 = {0};
  for (size_t c = 0; c < dim; c++) {
    v8f r0, r1;
    LOAD8(r0, pan + c * KR);
    LOAD8(r1, pan + c * KR + 8);
    float f0 = q[c], f1 = q[dim + c], f2 = q[2 * dim + c], f3 = q[3 * dim + c];
    v8f q0 = {f0, f0, f0, f0, f0, f0, f0, f0}, q1 = {f1, f1, f1, f1, f1, f1, f1, f1},
        q2 = {f2, f2, f2, f2, f2, f2, f2, f2}, q3 = {f3, f3, f3, f3, f3, f3, f3, f3};
    a00 += q0 * r0, a01 += q0 * r1;
    a10 += q1 * r0, a11 += q1 * r1;
    a20 += q2 * r0, a21 += q2 * r1;
    a30 += q3 * r0, a31 += q3 * r1;
  }
  v8f rs0, rs1;
  LOAD8(rs0, rs);
  LOAD8(rs1, rs + 8);
  v8f acc[KQ][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
  for (int a = 0; a < KQ; a++) {
    v8f e0 = rs0 - 2.0f * acc[a][0], e1 = rs1 - 2.0f * acc[a][1];
    e0 += qs[a], e1 += qs[a];
    v8i m0 = e0 <= bnd[a], m1 = e1 <= bnd[a];
    unsigned bits = 0;
    for (int l = 0; l < 8; l++)
      bits |= (unsigned)(m0[l] & 1) << l | (unsigned)(m1[l] & 1) << (l + 8);
    mask[a] = bits;
  }
}

/* The single-precision bound for a query's k-th distance, rounded up. */
static float bound_f(double b) {
  float f = (float)b;
  return (double)f < b ? nextafterf(f, INFINITY) : f;
}

/* Margin for the estimates: the rounding error of qs + rs - 2 q.r is below
 * (dim + 8) u (|q|^2 + |r|^2), u = 2^-24 (each lane of the dot product adds dim
 * terms in order; a few roundings more); twice that. */
static double est_margin(size_t dim) { return (2.0 * (double)dim + 16.0) * 0x1p-24; }

static int blk_item(void *arg, size_t b, void *scratch) {
  blk_state *B = arg;
  const knn_state *s = B->s;
  size_t n = s->n, dim = s->dim, k = s->k, p0 = b * QB, nq = n - p0 < QB ? n - p0 : QB;
  float *q = scratch; /* the block's rows, zero padded to a multiple of KQ */
  float qs[QB], bnd[QB];
  unsigned mask[KQ];
  size_t cnt[QB], row[QB];
  double shrink = 1.0 - est_margin(dim);
  memset(q, 0, QB * dim * sizeof *q);
  for (size_t a = 0; a < QB; a++) {
    qs[a] = 0, bnd[a] = -INFINITY, cnt[a] = 0, row[a] = SIZE_MAX;
    if (a < nq) {
      row[a] = B->ord[p0 + a], bnd[a] = INFINITY;
      memcpy(q + a * dim, s->x + row[a] * dim, dim * sizeof *q);
      qs[a] = (float)(shrink * (double)B->nrm[p0 + a]);
    }
  }
  size_t first = p0 / KR;
  for (size_t t = 0; t < B->npan; t++) {
    size_t pi = (first + t) % B->npan;
    const float *pan = B->pan + pi * dim * KR, *rs = B->nrm + B->npan * KR + pi * KR;
    for (size_t a0 = 0; a0 < nq; a0 += KQ) {
      tile_mask(q + a0 * dim, dim, pan, qs + a0, rs, bnd + a0, mask);
      for (size_t a = a0; a < a0 + KQ && a < nq; a++)
        for (unsigned m = mask[a - a0]; m; m &= m - 1) {
          size_t pos = pi * KR + (size_t)__builtin_ctz(m), j;
          if (pos >= n || (j = B->ord[pos]) == row[a])
            continue;
          size_t *nb = s->nbr + row[a] * k;
          double *dd = s->dist2 + row[a] * k, bound = cnt[a] < k ? INFINITY : dd[k - 1];
          double d2 = sqdist8_upto(q + a * dim, s->x + j * dim, dim, bound);
          if (d2 <= bound) {
            cnt[a] = offer(s, nb, dd, cnt[a], j, d2);
            if (cnt[a] == k)
              bnd[a] = bound_f(dd[k - 1]);
          }
        }
    }
  }
  return 0;
}

/* *huge is set (and nothing searched) when a row's squared norm is beyond the range
 * of the single-precision estimates: the caller then searches the tree. */
static int knn_blocked(limn_ctx *ctx, knn_state *s, int *huge) {
  size_t n = s->n, dim = s->dim, npan = (n + KR - 1) / KR;
  *huge = 0;
  blk_state B = {s, s->idx, NULL, NULL, npan};
  float *pan = limn__calloc(ctx, npan * KR, dim * sizeof(float));
  float *nrm = limn__calloc(ctx, 2 * npan * KR, sizeof(float)); /* norms, then shrunk by the margin */
  int rc = pan && nrm ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK) {
    for (size_t pos = 0; pos < n; pos++) {
      const float *xr = s->x + s->idx[pos] * dim;
      double sq = 0;
      for (size_t c = 0; c < dim; c++) {
        pan[(pos / KR) * dim * KR + c * KR + pos % KR] = xr[c];
        sq += (double)xr[c] * (double)xr[c];
      }
      *huge |= !(sq < 1e30);
      nrm[pos] = (float)sq;
      nrm[npan * KR + pos] = (float)((1.0 - est_margin(dim)) * sq);
    }
    for (size_t pos = n; pos < npan * KR; pos++) /* padding: never a candidate */
      nrm[npan * KR + pos] = INFINITY;
    B.pan = pan, B.nrm = nrm;
    if (!*huge &&
        limn__parallel_for(ctx, (n + QB - 1) / QB, (QB * dim + KQ * KR) * sizeof(float), blk_item, &B))
      rc = LIMN_ENOMEM;
  }
  limn__free(ctx, pan);
  limn__free(ctx, nrm);
  return rc;
}

static int knn_run(limn_ctx *ctx, const float *x, size_t n, const float *qx, size_t nq, size_t dim, size_t k,
                   int method, size_t *nbr, double *dist2) {
  if (method == LIMN__KNN_AUTO)
    /* blocked costs n^2 dim: measured 2-4x faster than the tree at 2 000-70 000 rows of
     * 50-64 columns; beyond 300 000 rows (an extrapolation) the tree's pruning wins */
    method = dim >= 16 && n <= 300000 && !qx ? LIMN__KNN_BLOCKED : LIMN__KNN_TREE;
  int brute = method == LIMN__KNN_BRUTE;
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
  int huge = 0; /* squared norms beyond float range: the estimates would overflow */
  if (rc == LIMN_OK && method == LIMN__KNN_BLOCKED) /* the tree's order only */
    rc = knn_blocked(ctx, &s, &huge);
  if (rc == LIMN_OK && (method != LIMN__KNN_BLOCKED || huge) &&
      limn__parallel_for(ctx, nq, 0, brute ? brute_item : tree_item, &s))
    rc = LIMN_ENOMEM;
  limn__free(ctx, s.idx);
  limn__free(ctx, s.mu);
  return rc == LIMN_OK ? rc : limn__err(ctx, rc, "out of memory finding nearest neighbours");
}

int limn__knn(limn_ctx *ctx, const float *x, size_t n, size_t dim, size_t k, int method, size_t *nbr,
              double *dist2) {
  if (k == 0 || k >= n)
    return limn__err(ctx, LIMN_EINVAL, "%zu neighbours asked of %zu rows", k, n);
  return knn_run(ctx, x, n, NULL, n, dim, k, method, nbr, dist2);
}

int limn__knn_query(limn_ctx *ctx, const float *ref, size_t n, const float *q, size_t nq, size_t dim,
                    size_t k, size_t *nbr, double *dist2) {
  if (k == 0 || k > n)
    return limn__err(ctx, LIMN_EINVAL, "%zu neighbours asked of %zu rows", k, n);
  return knn_run(ctx, ref, n, q, nq, dim, k, LIMN__KNN_TREE, nbr, dist2);
}

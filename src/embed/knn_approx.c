/* Approximate k nearest neighbours for large maps: a forest of random-projection
 * trees (as Annoy and PyNNDescent build them) gives each row the rows that share a
 * leaf with it, then rounds of neighbour-of-neighbour refinement (the local join of
 * NN-descent, Dong, Moses & Li 2011, in its "pull" form: a row looks among its
 * neighbours' neighbours) improve the lists. Every step is a function of the seed and
 * of the previous step's lists only (leaves are disjoint, a refinement round reads
 * the last round's lists and writes new ones), so the answer does not depend on the
 * thread count; distances are limn__sqdist's, ordered and tied as the exact search's. */
#include "knn.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct forest {
  const float *x;
  size_t n, dim, k, leaf;
  uint64_t seed;
  size_t *nbr;    /* (n, k) ascending by (distance, index) */
  double *dist2;  /* (n, k) */
  size_t *cnt;    /* (n) entries filled so far */
  size_t *perm;   /* (trees, n) each tree's rows, leaf by leaf */
  size_t *lstart; /* (trees, n + 1) leaf boundaries in perm (count in nleaf) */
  size_t *nleaf;  /* (trees) */
  size_t tree;    /* the tree being joined */
  /* refinement */
  const size_t *onbr;
  const double *odist;
  size_t fan;                /* neighbours (and their neighbours) looked at per row */
  size_t stamp;              /* round * n: marks of this round in refine's scratch */
  size_t *changed;           /* (n) entries new in this round */
  const unsigned char *onew; /* (n, k) 1: the entry came in during the last round (or the forest) */
  unsigned char *nnew;       /* (n, k) the same for this round's lists */
} forest;

/* Row j at squared distance d2 into row i's list (cnt entries, at most k), ordered by
 * (d2, index); a row already there (same index, hence same distance) is not added
 * twice. With fl, each entry's flag moves with it and j's is 1. Returns the new count. */
static size_t offer(size_t k, size_t *nb, double *dd, unsigned char *fl, size_t cnt, size_t j, double d2) {
  if (cnt == k && (d2 > dd[k - 1] || (d2 == dd[k - 1] && j >= nb[k - 1])))
    return cnt;
  size_t p = cnt;
  while (p > 0 && (dd[p - 1] > d2 || (dd[p - 1] == d2 && nb[p - 1] > j)))
    p--;
  if (p > 0 && dd[p - 1] == d2 && nb[p - 1] == j)
    return cnt; /* already listed */
  size_t last = cnt < k ? cnt++ : k - 1;
  for (size_t q = last; q > p; q--) {
    dd[q] = dd[q - 1], nb[q] = nb[q - 1];
    if (fl)
      fl[q] = fl[q - 1];
  }
  dd[p] = d2, nb[p] = j;
  if (fl)
    fl[p] = 1;
  return cnt;
}

/* Split perm[lo..hi) by random hyperplanes until ranges hold at most f->leaf rows;
 * appends leaf starts to ls. Iterative (an explicit stack), seeded per node by its
 * position in the tree. */
static int build_tree(const forest *f, size_t t, size_t *perm, size_t *ls, size_t *nl, double *side) {
  size_t n = f->n, dim = f->dim;
  typedef struct span {
    size_t lo, hi;
    uint64_t id;
  } span;
  span *stack = malloc(sizeof(span) * 130);
  if (!stack)
    return -1;
  size_t top = 0, leaves = 0;
  stack[top++] = (span){0, n, 1};
  double *normal = malloc(sizeof(double) * (dim + 1));
  if (!normal) {
    free(stack);
    return -1;
  }
  /* leaves are emitted in order: the stack pops the left half first */
  while (top) {
    span sp = stack[--top];
    size_t m = sp.hi - sp.lo;
    if (m <= f->leaf || top + 2 >= 130) {
      ls[leaves++] = sp.lo;
      continue;
    }
    limn_rng r;
    limn_rng_init(&r, f->seed ^ 0x9e3779b97f4a7c15ull * (t + 1), sp.id);
    size_t a = sp.lo + (size_t)limn__rng_below(&r, m), b = sp.lo + (size_t)limn__rng_below(&r, m - 1);
    if (b >= a)
      b++;
    const float *xa = f->x + perm[a] * dim, *xb = f->x + perm[b] * dim;
    double off = 0.0;
    for (size_t c = 0; c < dim; c++) {
      normal[c] = (double)xa[c] - (double)xb[c];
      off += normal[c] * 0.5 * ((double)xa[c] + (double)xb[c]);
    }
    size_t left = 0;
    for (size_t q = sp.lo; q < sp.hi; q++) {
      const float *xq = f->x + perm[q] * dim;
      double s = -off;
      for (size_t c = 0; c < dim; c++)
        s += normal[c] * (double)xq[c];
      if (s == 0.0) /* on the plane: a coin decides */
        s = (limn__rng_next(&r) >> 63) ? 1.0 : -1.0;
      side[q] = s;
      left += s < 0.0;
    }
    size_t mid;
    if (left == 0 || left == m) { /* one side empty (equal rows): halves at random */
      for (size_t q = sp.hi - 1; q > sp.lo; q--) {
        size_t o = sp.lo + (size_t)limn__rng_below(&r, q - sp.lo + 1);
        size_t tmp = perm[q];
        perm[q] = perm[o], perm[o] = tmp;
      }
      mid = sp.lo + m / 2;
    } else { /* stable partition: left rows first, in their order */
      size_t *buf = malloc(sizeof(size_t) * (m - left));
      if (!buf) {
        free(stack), free(normal);
        return -1;
      }
      size_t w = sp.lo, rb = 0;
      for (size_t q = sp.lo; q < sp.hi; q++) {
        if (side[q] < 0.0)
          perm[w++] = perm[q];
        else
          buf[rb++] = perm[q];
      }
      memcpy(perm + w, buf, rb * sizeof *buf);
      free(buf);
      mid = w;
    }
    stack[top++] = (span){mid, sp.hi, 2 * sp.id + 1};
    stack[top++] = (span){sp.lo, mid, 2 * sp.id};
  }
  ls[leaves] = n;
  *nl = leaves;
  free(stack);
  free(normal);
  return 0;
}

static int tree_item(void *arg, size_t t, void *scratch) {
  forest *f = arg;
  (void)scratch;
  size_t *perm = f->perm + t * f->n;
  for (size_t i = 0; i < f->n; i++)
    perm[i] = i;
  double *side = malloc(sizeof(double) * f->n);
  if (!side)
    return -1;
  int rc = build_tree(f, t, perm, f->lstart + t * (f->n + 1), &f->nleaf[t], side);
  free(side);
  return rc;
}

/* One leaf of the current tree: every pair of its rows offered to both. */
static int leaf_item(void *arg, size_t l, void *scratch) {
  forest *f = arg;
  (void)scratch;
  const size_t *ls = f->lstart + f->tree * (f->n + 1), *perm = f->perm + f->tree * f->n;
  size_t lo = ls[l], hi = ls[l + 1], k = f->k, dim = f->dim;
  for (size_t a = lo; a < hi; a++)
    for (size_t b = a + 1; b < hi; b++) {
      size_t i = perm[a], j = perm[b];
      double d2 = limn__sqdist(f->x + i * dim, f->x + j * dim, dim);
      f->cnt[i] = offer(k, f->nbr + i * k, f->dist2 + i * k, NULL, f->cnt[i], j, d2);
      f->cnt[j] = offer(k, f->nbr + j * k, f->dist2 + j * k, NULL, f->cnt[j], i, d2);
    }
  return 0;
}

/* Row i, one refinement round: its last list, improved by the first `fan` neighbours
 * of each of its first `fan` neighbours (each candidate once: scratch stamps). A pair
 * whose two links are both older than the last round was looked at then (an entry
 * only moves down its list, so both links were within `fan` then too) and was either
 * taken or farther than the list's end, which has only come nearer since: it is
 * skipped, which changes nothing but the time (NN-descent's new/old flags). */
static int refine_item(void *arg, size_t i, void *scratch) {
  forest *f = arg;
  size_t k = f->k, dim = f->dim, fan = f->fan < k ? f->fan : k;
  size_t *seen = scratch, stamp = f->stamp + i + 1;
  size_t *nb = f->nbr + i * k;
  double *dd = f->dist2 + i * k;
  unsigned char *fl = f->nnew + i * k;
  const size_t *onb = f->onbr + i * k;
  const unsigned char *onew = f->onew;
  const float *xi = f->x + i * dim;
  memcpy(nb, onb, k * sizeof *nb);
  memcpy(dd, f->odist + i * k, k * sizeof *dd);
  memset(fl, 0, k);
  seen[i] = stamp;
  for (size_t a = 0; a < k; a++)
    seen[onb[a]] = stamp;
  size_t changed = 0;
  for (size_t a = 0; a < fan; a++) {
    size_t u = onb[a];
    const size_t *un = f->onbr + u * k;
    int unew = onew[i * k + a];
    for (size_t b = 0; b < fan; b++) {
      size_t j = un[b];
      if (seen[j] == stamp || (!unew && !onew[u * k + b]))
        continue;
      seen[j] = stamp;
      double bound = dd[k - 1];
      double d2 = limn__sqdist_upto(xi, f->x + j * dim, dim, bound);
      if (d2 > bound || (d2 == bound && j >= nb[k - 1]))
        continue;
      offer(k, nb, dd, fl, k, j, d2);
      changed++;
    }
  }
  f->changed[i] = changed;
  return 0;
}

int limn__knn_approx(limn_ctx *ctx, const float *x, size_t n, size_t dim, size_t k, uint64_t seed,
                     size_t *nbr, double *dist2) {
  if (k >= n)
    return limn__err(ctx, LIMN_EINVAL, "approximate nearest neighbours: k = %zu needs more than %zu rows", k,
                     n);
  size_t trees = LIMN__KNN_TREES;
  forest f;
  memset(&f, 0, sizeof f);
  f.x = x, f.n = n, f.dim = dim, f.k = k, f.seed = seed, f.nbr = nbr, f.dist2 = dist2;
  f.leaf = 2 * k > 64 ? 2 * k : 64;
  f.cnt = limn__calloc(ctx, n, sizeof(size_t));
  f.perm = limn__alloc_array(ctx, trees * n, sizeof(size_t));
  f.lstart = limn__alloc_array(ctx, trees * (n + 1), sizeof(size_t));
  f.nleaf = limn__calloc(ctx, trees, sizeof(size_t));
  int rc = f.cnt && f.perm && f.lstart && f.nleaf ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK && limn__parallel_for(ctx, trees, 0, tree_item, &f))
    rc = LIMN_ENOMEM;
  for (size_t t = 0; rc == LIMN_OK && t < trees; t++) {
    f.tree = t;
    if (limn__parallel_for(ctx, f.nleaf[t], 0, leaf_item, &f))
      rc = LIMN_ENOMEM;
  }
  limn__free(ctx, f.perm);
  limn__free(ctx, f.lstart);
  f.perm = f.lstart = NULL;
  /* a row whose leaves held fewer than k others: its neighbours' neighbours, then the
   * rows after it, until its list is full (rare; in row order) */
  for (size_t i = 0; rc == LIMN_OK && i < n; i++) {
    size_t *nb = nbr + i * k;
    double *dd = dist2 + i * k;
    for (size_t a = 0; f.cnt[i] < k && a < f.cnt[i]; a++) {
      size_t u = nb[a];
      for (size_t b = 0; b < f.cnt[u] && f.cnt[i] < k; b++)
        if (nbr[u * k + b] != i)
          f.cnt[i] = offer(k, nb, dd, NULL, f.cnt[i], nbr[u * k + b],
                           limn__sqdist(x + i * dim, x + nbr[u * k + b] * dim, dim));
    }
    for (size_t q = 1; f.cnt[i] < k && q < n; q++) {
      size_t j = (i + q) % n;
      f.cnt[i] = offer(k, nb, dd, NULL, f.cnt[i], j, limn__sqdist(x + i * dim, x + j * dim, dim));
    }
  }
  size_t *onbr = rc == LIMN_OK ? limn__alloc_array(ctx, n, k * sizeof(size_t)) : NULL;
  double *odist = rc == LIMN_OK ? limn__alloc_array(ctx, n, k * sizeof(double)) : NULL;
  f.changed = rc == LIMN_OK ? limn__alloc_array(ctx, n, sizeof(size_t)) : NULL;
  size_t sb = limn__parallel_scratch(ctx, n, n * sizeof(size_t));
  unsigned char *seen = rc == LIMN_OK ? limn__calloc(ctx, 1, sb) : NULL; /* stamps start unused (0) */
  if (rc == LIMN_OK && (!onbr || !odist || !f.changed || !seen))
    rc = LIMN_ENOMEM;
  unsigned char *flags = rc == LIMN_OK ? limn__alloc_array(ctx, n, 2 * k) : NULL;
  if (rc == LIMN_OK && !flags)
    rc = LIMN_ENOMEM;
  if (rc == LIMN_OK)
    memset(flags, 1, n * k); /* the forest's lists: all new */
  f.onbr = onbr, f.odist = odist, f.fan = LIMN__KNN_FAN;
  for (size_t round = 0; rc == LIMN_OK && round < LIMN__KNN_ROUNDS; round++) {
    memcpy(onbr, nbr, n * k * sizeof *nbr);
    memcpy(odist, dist2, n * k * sizeof *dist2);
    f.onew = flags + (round % 2) * n * k, f.nnew = flags + ((round + 1) % 2) * n * k;
    f.stamp = round * n;
    if (limn__parallel_for_in(ctx, n, n * sizeof(size_t), seen, refine_item, &f)) {
      rc = LIMN_ENOMEM;
      break;
    }
    size_t changed = 0;
    for (size_t i = 0; i < n; i++)
      changed += f.changed[i];
    if ((double)changed < 1e-3 * (double)n * (double)k)
      break;
  }
  limn__free(ctx, onbr);
  limn__free(ctx, odist);
  limn__free(ctx, f.changed);
  limn__free(ctx, seen);
  limn__free(ctx, flags);
  limn__free(ctx, f.cnt);
  limn__free(ctx, f.nleaf);
  return rc == LIMN_ENOMEM ? limn__err(ctx, rc, "out of memory finding approximate nearest neighbours") : rc;
}

/* Placing new rows into a finished t-SNE map (after openTSNE's transform): each new
 * point is attracted by its nearest reference rows (point-wise calibrated, lower
 * perplexity) and repelled by every reference point (exact sums, or Barnes-Hut over
 * a quadtree of the fixed reference map for large maps), while the reference stays
 * fixed and the new points ignore each other. Each point is optimised on its own, so
 * its place never depends on the batch, its order or the thread count. */
#include "../core/internal.h"
#include "knn.h"
#include "qtree.h"
#include <math.h>
#include <stdlib.h>

/* From this many reference points the repulsion is Barnes-Hut (with theta > 0): below,
 * the exact sum over the map is cheap. */
#define LIMN__TSNE_TRANSFORM_BH_FROM 10000

limn_tsne_transform_opts limn_tsne_transform_opts_default(void) {
  limn_tsne_transform_opts o;
  memset(&o, 0, sizeof o);
  o.perplexity = 5.0;
  o.init_neighbours = 25;
  o.iterations = 250;
  o.learning_rate = 0.1;
  o.momentum = 0.8;
  o.exaggeration = 1.5;
  o.max_grad_norm = 0.25;
  o.theta = 0.5;
  return o;
}

typedef struct tr_arg {
  const double *ref_y;
  size_t nr, kp, kn, kk; /* kp: attracting neighbours; kn: for the start; kk: row stride */
  const size_t *nbr;     /* (n, kk) */
  const double *cond;    /* (n, kp) */
  const limn_tsne_transform_opts *o;
  const qtree *tree; /* NULL: exact repulsion */
  double *y, *kl;
} tr_arg;

/* Gradient (without the constant factor) of KL(p_i || q_i) at yi, q_ij = w_ij / Z_i
 * over the reference points: a sum_j p_j w_ij (yi - yj) - (1/Z_i) sum_j w_ij^2 (yi - yj).
 * Returns Z_i. */
static double point_grad(const tr_arg *a, size_t i, const double *yi, double exag, long *stack, double *g) {
  const size_t *nb = a->nbr + i * a->kk;
  const double *p = a->cond + i * a->kp;
  double ax = 0.0, ay = 0.0, rx = 0.0, ry = 0.0, z = 0.0;
  for (size_t q = 0; q < a->kp; q++) {
    const double *yj = a->ref_y + 2 * nb[q];
    double dx = yi[0] - yj[0], dy = yi[1] - yj[1], w = 1.0 / (1.0 + dx * dx + dy * dy);
    ax += p[q] * w * dx;
    ay += p[q] * w * dy;
  }
  if (a->tree)
    limn__qtree_repulsion(a->tree, yi[0], yi[1], a->o->theta, -1, stack, &z, &rx, &ry);
  else
    for (size_t j = 0; j < a->nr; j++) {
      const double *yj = a->ref_y + 2 * j;
      double dx = yi[0] - yj[0], dy = yi[1] - yj[1], w = 1.0 / (1.0 + dx * dx + dy * dy);
      z += w;
      rx += w * w * dx;
      ry += w * w * dy;
    }
  g[0] = exag * ax - rx / z;
  g[1] = exag * ay - ry / z;
  return z;
}

static int tr_item(void *arg, size_t i, void *scratch) {
  tr_arg *a = arg;
  const limn_tsne_transform_opts *o = a->o;
  double *xs = scratch, *ys = xs + a->kn, *yi = a->y + 2 * i;
  long *stack = (long *)(void *)(ys + a->kn);
  const size_t *nb = a->nbr + i * a->kk;
  /* start: the median position of the nearest reference points, per coordinate */
  for (size_t q = 0; q < a->kn; q++) {
    xs[q] = a->ref_y[2 * nb[q]];
    ys[q] = a->ref_y[2 * nb[q] + 1];
  }
  qsort(xs, a->kn, sizeof *xs, limn__cmp_double);
  qsort(ys, a->kn, sizeof *ys, limn__cmp_double);
  size_t h = a->kn / 2;
  yi[0] = a->kn % 2 ? xs[h] : 0.5 * (xs[h - 1] + xs[h]);
  yi[1] = a->kn % 2 ? ys[h] : 0.5 * (ys[h - 1] + ys[h]);
  double upd[2] = {0.0, 0.0}, gain[2] = {1.0, 1.0}, g[2];
  for (size_t it = 0; it < o->iterations; it++) {
    point_grad(a, i, yi, o->exaggeration, stack, g);
    double norm = sqrt(g[0] * g[0] + g[1] * g[1]);
    if (o->max_grad_norm > 0 && norm > o->max_grad_norm) {
      g[0] *= o->max_grad_norm / norm;
      g[1] *= o->max_grad_norm / norm;
    }
    for (int c = 0; c < 2; c++) {
      gain[c] = (g[c] > 0) != (upd[c] > 0) ? gain[c] + 0.2 : gain[c] * 0.8;
      if (gain[c] < 0.01)
        gain[c] = 0.01;
      upd[c] = o->momentum * upd[c] - o->learning_rate * gain[c] * g[c];
      yi[c] += upd[c];
    }
  }
  if (a->kl) { /* KL(p_i || q_i) at the final place */
    double z = point_grad(a, i, yi, 1.0, stack, g), kl = 0.0;
    const double *p = a->cond + i * a->kp;
    for (size_t q = 0; q < a->kp; q++) {
      const double *yj = a->ref_y + 2 * nb[q];
      double dx = yi[0] - yj[0], dy = yi[1] - yj[1], w = 1.0 / (1.0 + dx * dx + dy * dy);
      if (p[q] > 0)
        kl += p[q] * log(p[q] * z / w);
    }
    a->kl[i] = kl;
  }
  return 0;
}

int limn_tsne_transform(limn_ctx *ctx, const float *ref_x, const double *ref_y, size_t nr, size_t dim,
                        const float *x, size_t n, const limn_tsne_transform_opts *opts, double *y,
                        double *kl) {
  limn_tsne_transform_opts o = opts ? *opts : limn_tsne_transform_opts_default();
  if (!(o.perplexity >= 1.0) || !(o.learning_rate > 0) || !(o.momentum >= 0 && o.momentum < 1) ||
      !(o.exaggeration > 0) || !(o.max_grad_norm >= 0) || o.init_neighbours == 0 || !(o.theta >= 0))
    return limn__err(ctx, LIMN_EINVAL, "t-SNE transform: options out of range");
  size_t kp = (size_t)(3.0 * o.perplexity);
  if (kp > nr)
    return limn__err(
        ctx, LIMN_EINVAL,
        "transform perplexity %g is too large for a map of %zu rows (3 perplexity neighbours are "
        "needed: at most %g)",
        o.perplexity, nr, floor((double)nr / 3.0));
  if (n == 0)
    return LIMN_OK;
  for (size_t i = 0; i < 2 * nr; i++)
    if (!isfinite(ref_y[i]))
      return limn__err(ctx, LIMN_ENONFINITE, "map point %zu is not finite", i / 2);
  for (size_t i = 0; i < n * dim; i++)
    if (!isfinite(x[i]))
      return limn__err(ctx, LIMN_ENONFINITE, "new row %zu, column %zu: value is not finite", i / dim,
                       i % dim);
  size_t kn = o.init_neighbours < nr ? o.init_neighbours : nr, kk = kp > kn ? kp : kn;
  size_t *nbr = limn__alloc_array(ctx, n, kk * sizeof(size_t));
  double *d2 = limn__alloc_array(ctx, n, kk * sizeof(double));
  double *cond = limn__alloc_array(ctx, n, kp * sizeof(double));
  int rc = nbr && d2 && cond ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK)
    rc = limn__knn_query(ctx, ref_x, nr, x, n, dim, kk, nbr, d2);
  if (rc == LIMN_OK) {
    for (size_t i = 0; i < n; i++)
      limn__tsne_calibrate(d2 + i * kk, kp, o.perplexity, cond + i * kp);
    qtree tree;
    memset(&tree, 0, sizeof tree);
    int bh = o.theta > 0 && nr >= LIMN__TSNE_TRANSFORM_BH_FROM;
    if (bh)
      rc = limn__qtree_build(ctx, &tree, ref_y, nr);
    tr_arg a = {ref_y, nr, kp, kn, kk, nbr, cond, &o, bh ? &tree : NULL, y, kl};
    size_t stack = bh ? limn__qtree_stack(&tree) : 1;
    if (rc == LIMN_OK &&
        limn__parallel_for(ctx, n, 2 * kn * sizeof(double) + stack * sizeof(long), tr_item, &a))
      rc = LIMN_ENOMEM;
    limn__qtree_free(ctx, &tree);
  }
  limn__free(ctx, nbr);
  limn__free(ctx, d2);
  limn__free(ctx, cond);
  return rc == LIMN_ENOMEM ? limn__err(ctx, rc, "out of memory placing new points") : rc;
}

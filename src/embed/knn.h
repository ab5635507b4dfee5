/* Exact k nearest neighbours and calibration for t-SNE's input affinities (internal). */
#ifndef LIMN_EMBED_KNN_H
#define LIMN_EMBED_KNN_H

#include "../core/internal.h"

/* How limn__knn searches. All give the same answer bit for bit. */
enum {
  LIMN__KNN_AUTO = 0,    /* BLOCKED from 16 columns (up to 300 000 rows), TREE otherwise */
  LIMN__KNN_BRUTE = 1,   /* every pair, one at a time (the reference) */
  LIMN__KNN_TREE = 2,    /* a vantage-point tree (Yianilos 1993): prunes a subtree only when its distance
                            bound exceeds the current k-th distance by more than any rounding */
  LIMN__KNN_BLOCKED = 3, /* every pair, estimated a tile at a time in single precision; exact distances
                            only where an estimate comes within a safe margin of the k-th distance */
};

/* For every row i of x (n, dim), its k nearest other rows by Euclidean distance:
 * nbr (n, k) and their squared distances dist2 (n, k), ascending, ties to the lower
 * row index. The squared distance of a pair is the double sum of (x_ic - x_jc)^2 in
 * column order (8 interleaved partial sums), the same for (i, j) and (j, i). Needs
 * k < n. Rows run in parallel; the answer does not depend on the thread count or
 * the method. */
int limn__knn(limn_ctx *ctx, const float *x, size_t n, size_t dim, size_t k, int method, size_t *nbr,
              double *dist2);

/* The k nearest reference rows ref (n, dim) of each external query row q (nq, dim),
 * k <= n, by the vantage-point tree, with the same ordering and ties. */
int limn__knn_query(limn_ctx *ctx, const float *ref, size_t n, const float *q, size_t nq, size_t dim,
                    size_t k, size_t *nbr, double *dist2);

/* t-SNE's per-row calibration (tsne.c): conditional probabilities p (k) over
 * neighbours at squared distances d (k, ascending) with entropy ln(perplexity) to
 * 1e-5. Returns the entropy's remaining error. */
double limn__tsne_calibrate(const double *d, size_t k, double perplexity, double *p);

#endif

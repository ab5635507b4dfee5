/* Exact k nearest neighbours and calibration for t-SNE's input affinities (internal). */
#ifndef LIMN_EMBED_KNN_H
#define LIMN_EMBED_KNN_H

#include "../core/internal.h"

/* For every row i of x (n, dim), its k nearest other rows by Euclidean distance:
 * nbr (n, k) and their squared distances dist2 (n, k), ascending, ties to the lower
 * row index. The squared distance of a pair is the double sum of (x_ic - x_jc)^2 in
 * column order, the same for (i, j) and (j, i). `brute` 1 compares all pairs; 0
 * searches a vantage-point tree (Yianilos 1993). Both give the same answer bit for
 * bit: the tree prunes a subtree only when its distance bound exceeds the current
 * k-th distance by a margin larger than any rounding in the triangle inequality.
 * Needs k < n. Rows run in parallel; the answer does not depend on the thread count. */
int limn__knn(limn_ctx *ctx, const float *x, size_t n, size_t dim, size_t k, int brute, size_t *nbr,
              double *dist2);

/* The k nearest reference rows ref (n, dim) of each external query row q (nq, dim),
 * k <= n, by the vantage-point tree, with the same ordering and ties. */
int limn__knn_query(limn_ctx *ctx, const float *ref, size_t n, const float *q, size_t nq, size_t dim, size_t k,
                    size_t *nbr, double *dist2);

/* t-SNE's per-row calibration (tsne.c): conditional probabilities p (k) over
 * neighbours at squared distances d (k, ascending) with entropy ln(perplexity) to
 * 1e-5. Returns the entropy's remaining error. */
double limn__tsne_calibrate(const double *d, size_t k, double perplexity, double *p);

#endif

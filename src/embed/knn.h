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

/* Approximate neighbours (knn_approx.c): the same layout, order and ties as limn__knn
 * over the rows it finds: a forest of LIMN__KNN_TREES random-projection trees (leaves
 * of at most max(2k, 64) rows) seeded by `seed`, then up to LIMN__KNN_ROUNDS rounds of
 * neighbour-of-neighbour refinement over the first LIMN__KNN_FAN of each list (stopping
 * when a round changes fewer than 0.1 % of the entries). The answer depends on the
 * seed, never on the thread count. */
#define LIMN__KNN_TREES 8
#define LIMN__KNN_ROUNDS 4
#define LIMN__KNN_FAN 25
int limn__knn_approx(limn_ctx *ctx, const float *x, size_t n, size_t dim, size_t k, uint64_t seed,
                     size_t *nbr, double *dist2);
/* The squared distance of the exact search (8 interleaved partial sums in double);
 * _upto may stop early once it must exceed bound, returning some value above it. */
double limn__sqdist(const float *a, const float *b, size_t dim);
double limn__sqdist_upto(const float *a, const float *b, size_t dim, double bound);

/* t-SNE's per-row calibration (tsne.c): conditional probabilities p (k) over
 * neighbours at squared distances d (k, ascending) with entropy ln(perplexity) to
 * 1e-5. Returns the entropy's remaining error. */
double limn__tsne_calibrate(const double *d, size_t k, double perplexity, double *p);

#endif

/* limn/embed.h: t-SNE maps (van der Maaten & Hinton 2008; Barnes-Hut: van der Maaten
 * 2014) of inputs, outputs or attributions, to show how a model organises its inputs.
 *
 * Status: exact and Barnes-Hut repulsion, exact neighbours by a vantage-point tree,
 * PCA initialisation. Not yet: FFT-accelerated interpolation, placing new points
 * into a saved map (see docs/math/tsne.md). */
#ifndef LIMN_EMBED_H
#define LIMN_EMBED_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum limn_tsne_method {
  LIMN_TSNE_AUTO = 0,      /* exact below 1000 points, else Barnes-Hut */
  LIMN_TSNE_EXACT = 1,     /* all pairs: O(N^2) per iteration */
  LIMN_TSNE_BARNES_HUT = 2 /* quadtree, theta */
} limn_tsne_method;

/* t-SNE options. Defaults in brackets (limn_tsne_opts_default). */
typedef struct limn_tsne_opts {
  double perplexity;         /* [30]; needs N - 1 >= 3 perplexity */
  size_t iterations;         /* all iterations, exaggeration included [750] */
  size_t exaggeration_iters; /* [250] */
  double exaggeration;       /* early exaggeration [12] */
  double learning_rate;      /* [0: max(N / 12, 200), in the convention without the factor 4] */
  double momentum;           /* during exaggeration [0.5] */
  double final_momentum;     /* afterwards [0.8] */
  limn_tsne_method method;   /* [auto] */
  double theta;    /* Barnes-Hut: a cell of width w at distance r is one body when w / r < theta [0.5] */
  double max_step; /* per-point step norm clip [5] */
  int init_random; /* 1: N(0, 1e-4^2) from the seed instead of PCA [0] */
  uint64_t seed;   /* [0] */
} limn_tsne_opts;

limn_tsne_opts limn_tsne_opts_default(void);

/* Input affinities: a symmetric sparse matrix summing to 1. */
typedef struct limn_tsne_p {
  size_t n;
  size_t *rowptr;           /* (n + 1) */
  size_t *col;              /* (nnz) */
  double *val;              /* (nnz) */
  double max_entropy_error; /* largest |H_i - ln(perplexity)| of the conditionals */
} limn_tsne_p;

/* P from the rows x (n, dim): each row's 3 perplexity nearest neighbours (exact,
 * Euclidean, by a vantage-point tree; ties to the lower row index), Gaussian
 * conditionals whose entropy is ln(perplexity) to 1e-5 (bracket then bisect on the
 * precision, 200 steps at most), symmetrised p_ij = (p_j|i + p_i|j) / 2n. Exact
 * duplicate rows are fine. Free with limn_tsne_p_free. */
int limn_tsne_affinities(limn_ctx *ctx, const float *x, size_t n, size_t dim, double perplexity,
                         limn_tsne_p **out);
void limn_tsne_p_free(limn_ctx *ctx, limn_tsne_p *p);

/* The gradient of KL(P || Q) at y (n, 2) without the factor 4 (grad (n, 2)), and the
 * KL itself (with Z from the same approximation), with exact or Barnes-Hut repulsion. */
int limn_tsne_gradient(limn_ctx *ctx, const limn_tsne_p *P, const double *y, limn_tsne_method method,
                       double theta, double *grad, double *kl);

/* Optimise a map y (n, 2) for P. x (n, dim) serves the PCA initialisation. kl:
 * KL(P || Q) of the final map with an exact Z (n <= 20000) or the Barnes-Hut one. The
 * map depends only on the data, the options and the seed, not on the thread count. */
int limn_tsne_run(limn_ctx *ctx, const limn_tsne_p *P, const float *x, size_t dim, const limn_tsne_opts *opts,
                  double *y, double *kl);

/* How well a map y (n, 2) keeps the rows x (n, dim): preservation, the mean share of
 * each row's k nearest rows in x that are among its k nearest points in y (exact
 * neighbours, ties to the lower index; y is compared in float); accuracy, leave-one-out
 * k-NN classification in the map (majority of the k map neighbours' labels, ties to
 * the smaller label) over rows with labels[i] >= 0, NAN without labels. Pass NULL for
 * a measure not wanted. k = 10 is the spec's measure. */
int limn_tsne_quality(limn_ctx *ctx, const float *x, size_t n, size_t dim, const double *y, const long *labels,
                      size_t k, double *preservation, double *accuracy);

/* Principal components of the rows x (n, dim), n >= 2, 1 <= k <= dim: the covariance
 * (denominator n - 1) in double, its eigenvectors by cyclic Jacobi rotations, the k
 * of largest variance, each signed so its largest-magnitude entry is positive.
 * scores (n, k): the centred rows projected on them; components (k, dim): the unit
 * eigenvectors; variance (k): their variances, descending. Any output may be NULL.
 * O(n dim^2 + dim^3): meant for dim up to a few hundred (784 takes seconds). */
int limn_pca(limn_ctx *ctx, const float *x, size_t n, size_t dim, size_t k, float *scores, double *components,
             double *variance);

#ifdef __cplusplus
}
#endif
#endif

/* limn/embed.h: t-SNE maps (van der Maaten & Hinton 2008; Barnes-Hut: van der Maaten
 * 2014) of inputs, outputs or attributions, to show how a model organises its inputs.
 *
 * Exact, Barnes-Hut and FFT-accelerated (FIt-SNE's interpolation) repulsion, exact
 * neighbours by a vantage-point tree, PCA initialisation, placing new rows into a
 * saved map, PCA, map quality (docs/math/tsne.md).
 *
 * The affinities (limn_tsne_affinity) and saved maps (limn_tsne_map) are plain data
 * the caller reads; like explanations they are freed with the context that made them. */
#ifndef LIMN_EMBED_H
#define LIMN_EMBED_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum limn_tsne_method {
  LIMN_TSNE_AUTO = 0,       /* exact below 1000 points, Barnes-Hut below 10 000, else FFT */
  LIMN_TSNE_EXACT = 1,      /* all pairs: O(N^2) per iteration */
  LIMN_TSNE_BARNES_HUT = 2, /* quadtree, theta */
  LIMN_TSNE_FFT = 3         /* FFT-accelerated interpolation (FIt-SNE's method): O(N) plus a grid */
} limn_tsne_method;

/* t-SNE options. Defaults in brackets (limn_tsne_opts_default). */
typedef struct limn_tsne_opts {
  double perplexity;         /* [30]; needs N - 1 >= 3 perplexity */
  size_t iterations;         /* all iterations, exaggeration included [750] */
  size_t exaggeration_iters; /* [250] */
  double exaggeration;       /* early exaggeration [12] */
  double learning_rate;    /* [0: auto, max(N / alpha, 200) with alpha the phase's exaggeration: N / 12 during
                              early exaggeration, N after (openTSNE's rule); no factor 4] */
  double momentum;         /* during exaggeration [0.5] */
  double final_momentum;   /* afterwards [0.8] */
  limn_tsne_method method; /* [auto] */
  double theta;     /* Barnes-Hut: a cell of width w at distance r is one body when w / r < theta [0.5] */
  size_t fft_nodes; /* FFT: interpolation nodes per box and axis, 2..8 (boxes are at most 1 wide) [3] */
  double max_step;  /* per-point step norm clip [5] */
  int init_random;  /* 1: N(0, 1e-4^2) from the seed instead of PCA [0] */
  uint64_t seed;    /* [0] */
} limn_tsne_opts;

/* The defaults above. */
LIMN_API limn_tsne_opts limn_tsne_opts_default(void);

/* Input affinities P: a symmetric sparse matrix (CSR) summing to 1, with the
 * neighbours it was built from. Read-only for the caller. */
typedef struct limn_tsne_affinity {
  size_t n;
  size_t *rowptr;           /* (n + 1) */
  size_t *col;              /* (nnz) */
  double *val;              /* (nnz) */
  double max_entropy_error; /* largest |H_i - ln(perplexity)| of the conditionals */
  size_t knn_k;             /* neighbours per row behind P (3 perplexity) */
  size_t *knn;              /* (n, knn_k) each row's nearest rows, ascending, ties to the lower index */
} limn_tsne_affinity;

/* P from the rows x (n, dim): each row's 3 perplexity nearest neighbours (exact,
 * Euclidean, by a vantage-point tree; ties to the lower row index), Gaussian
 * conditionals whose entropy is ln(perplexity) to 1e-5 (bracket then bisect on the
 * precision, 200 steps at most), symmetrised p_ij = (p_j|i + p_i|j) / 2n. Exact
 * duplicate rows are fine. Free with limn_tsne_affinity_free. */
LIMN_API int limn_tsne_affinities(limn_ctx *ctx, const float *x, size_t n, size_t dim, double perplexity,
                                  limn_tsne_affinity **out);
LIMN_API void limn_tsne_affinity_free(limn_ctx *ctx, limn_tsne_affinity *p);

/* How limn_tsne_affinities_knn finds the neighbours. */
typedef enum limn_tsne_knn {
  LIMN_TSNE_KNN_AUTO = 0,  /* exact up to LIMN_TSNE_KNN_EXACT_ROWS rows, approximate above */
  LIMN_TSNE_KNN_EXACT = 1, /* as limn_tsne_affinities */
  LIMN_TSNE_KNN_APPROX = 2 /* a random-projection forest (8 trees) refined by neighbour-of-neighbour rounds
                              (NN-descent's local join): memory linear in n; recall at 90 neighbours 0.99 at
                              100 000 rows and 0.986 at 1 000 000 on bench/bench_knn.c's clustered mixture,
                              0.61 on structureless 50-dimensional noise; deterministic (seed 0), whatever the
                              thread count */
} limn_tsne_knn;
#define LIMN_TSNE_KNN_EXACT_ROWS 100000
/* limn_tsne_affinities with the neighbour search chosen (AUTO: the row count decides). */
LIMN_API int limn_tsne_affinities_knn(limn_ctx *ctx, const float *x, size_t n, size_t dim, double perplexity,
                                      limn_tsne_knn knn, limn_tsne_affinity **out);

/* The gradient of KL(P || Q) at y (n, 2) without the factor 4 (grad (n, 2)), and the
 * KL itself (with Z from the same approximation), with exact, Barnes-Hut (theta) or
 * FFT repulsion (3 nodes per box and axis). */
LIMN_API int limn_tsne_gradient(limn_ctx *ctx, const limn_tsne_affinity *P, const double *y,
                                limn_tsne_method method, double theta, double *grad, double *kl);

/* Optimise a map y (n, 2) for P. x (n, dim) serves the PCA initialisation. kl:
 * KL(P || Q) of the final map with an exact Z (n <= 20000) or the Barnes-Hut one. The
 * map depends only on the data, the options and the seed, not on the thread count. */
LIMN_API int limn_tsne_run(limn_ctx *ctx, const limn_tsne_affinity *P, const float *x, size_t dim,
                           const limn_tsne_opts *opts, double *y, double *kl);

/* Placing new rows into a finished map (openTSNE's transform). Defaults in brackets. */
typedef struct limn_tsne_transform_opts {
  double perplexity;      /* of each new row's conditional over the reference rows [5] */
  size_t init_neighbours; /* start at the median map position of this many nearest rows [25] */
  size_t iterations;      /* [250] */
  double learning_rate;   /* [0.1] */
  double momentum;        /* [0.8] */
  double exaggeration;    /* of the attraction [1.5] */
  double max_grad_norm;   /* each step's gradient clipped to this norm (0: no clip) [0.25] */
  double theta;           /* maps of 10 000 points or more: Barnes-Hut repulsion, a cell of width s at
                             distance r one body when s / r < theta; 0: exact sums always [0.5] */
} limn_tsne_transform_opts;

/* The defaults above. */
LIMN_API limn_tsne_transform_opts limn_tsne_transform_opts_default(void);

/* Place n new rows x (n, dim) into the map ref_y (nr, 2) of the reference rows ref_x
 * (nr, dim), which does not move: y (n, 2). Each new row gets a point-wise calibrated
 * conditional p_i over its 3 perplexity nearest reference rows (exact, the
 * vantage-point tree), starts at the median position of its init_neighbours nearest
 * reference points, and follows gradient descent with momentum, gains and gradient
 * clipping on KL(p_i || q_i), q_ij = w_ij / sum_k w_ik over all reference points
 * (exact sums below 10 000 reference points, Barnes-Hut over a quadtree of the fixed
 * map from there unless theta is 0). New rows neither attract nor repel each other, and each has its own
 * normaliser, so a row lands in the same place alone or in any batch, in any order,
 * with any thread count. kl (n, optional): each row's KL(p_i || q_i) at the end. */
LIMN_API int limn_tsne_transform(limn_ctx *ctx, const float *ref_x, const double *ref_y, size_t nr,
                                 size_t dim, const float *x, size_t n, const limn_tsne_transform_opts *opts,
                                 double *y, double *kl);

/* A saved map: the reference rows as they were mapped and their places, with what
 * turns new raw features into the same space (docs/math/tsne.md, "Saved maps"). */
typedef struct limn_tsne_map {
  char *meta;             /* one line: how the features were made (compared on transform) */
  size_t n, dim;          /* reference rows; the mapped width */
  float *x;               /* (n, dim) the mapped features */
  double *y;              /* (n, 2) the map */
  size_t raw_dim;         /* width before PCA; 0: no PCA (then raw width = dim) */
  double *shift, *scale;  /* (raw width) z = (v - shift) / scale before PCA, or both NULL */
  double *pca_mean;       /* (raw_dim) */
  double *pca_components; /* (dim, raw_dim): mapped = (z - pca_mean) components^T */
} limn_tsne_map;

/* Save as text (written to a temporary file, then renamed); load checks every field
 * and names the line and field of the first problem (LIMN_EFORMAT). Free with
 * limn_tsne_map_free (also for maps built by hand with the context's allocator). */
LIMN_API int limn_tsne_map_save(limn_ctx *ctx, const limn_tsne_map *m, const char *path);
LIMN_API int limn_tsne_map_load(limn_ctx *ctx, const char *path, limn_tsne_map **out);
LIMN_API int limn_tsne_map_load_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                                    limn_tsne_map **out);
LIMN_API void limn_tsne_map_free(limn_ctx *ctx, limn_tsne_map *m);

/* How well a map y (n, 2) keeps the rows x (n, dim): preservation, the mean share of
 * each row's k nearest rows in x that are among its k nearest points in y (exact
 * neighbours, ties to the lower index; y is compared in float); accuracy, leave-one-out
 * k-NN classification in the map (majority of the k map neighbours' labels, ties to
 * the smaller label) over rows with labels[i] >= 0, NAN without labels. Pass NULL for
 * a measure not wanted. k = 10 is the usual measure (openTSNE's benchmarks). */
LIMN_API int limn_tsne_quality(limn_ctx *ctx, const float *x, size_t n, size_t dim, const double *y,
                               const long *labels, size_t k, double *preservation, double *accuracy);
/* The same, reusing the neighbours behind P (of the same rows x) when it holds at
 * least k per row: the answer is identical, the input-space search is skipped. */
LIMN_API int limn_tsne_quality_affinity(limn_ctx *ctx, const limn_tsne_affinity *P, const float *x, size_t n,
                                        size_t dim, const double *y, const long *labels, size_t k,
                                        double *preservation, double *accuracy);

/* Principal components of the rows x (n, dim), n >= 2, 1 <= k <= dim: the covariance
 * (denominator n - 1) in double, its eigenvectors by cyclic Jacobi rotations, the k
 * of largest variance, each signed so its largest-magnitude entry is positive.
 * scores (n, k): the centred rows projected on them (limn_pca_project); components
 * (k, dim): the unit eigenvectors; variance (k): their variances, descending; mean
 * (dim): the column means the rows were centred on. Any output may be NULL.
 * O(n dim^2 + dim^3): meant for dim up to a few hundred (784 takes seconds). */
LIMN_API int limn_pca(limn_ctx *ctx, const float *x, size_t n, size_t dim, size_t k, float *scores,
                      double *components, double *variance, double *mean);
/* scores (n, k) = (x - mean) components^T, each sum in double in column order: new
 * rows x (n, dim) projected exactly as limn_pca projected its own. */
LIMN_API void limn_pca_project(const float *x, size_t n, size_t dim, size_t k, const double *mean,
                               const double *components, float *scores);

#ifdef __cplusplus
}
#endif
#endif

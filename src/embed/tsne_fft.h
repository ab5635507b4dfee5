/* t-SNE repulsion by FFT-accelerated interpolation (internal). */
#ifndef LIMN_EMBED_TSNE_FFT_H
#define LIMN_EMBED_TSNE_FFT_H

#include "../linalg/fft.h"

/* Boxes of width at most 1 in map units, at least 50 per dimension (FIt-SNE's). */
#define LIMN__TSNE_FFT_BOX_WIDTH 1.0
#define LIMN__TSNE_FFT_MAX_NODES 8
#define LIMN__TSNE_FFT_MIN_BOXES 50
/* Columns per block of the column transforms (and as many mirror columns). */
#define LIMN__TSNE_FFT_COLS 4

typedef struct limn__tsne_fft {
  size_t nb, p, nn, M; /* boxes per dimension, nodes per box and dimension, nodes per dimension (p nb),
                          FFT length (2 nn) */
  limn__fft *plan;
  double *g;  /* 2 x nn x M complex: the two charge grids (rows: y nodes), transformed along x, then the
                 potentials in their first nn columns */
  double *kr; /* (nn + 1) x M complex: rows of the kernel grid K2 + i K1, transformed along x */
  size_t n;
  size_t *node; /* (n, 2) first node of each point's box, x then y */
  double *lw;   /* (n, 2, p) Lagrange weights, x then y */
  size_t lw_p;
} limn__tsne_fft;

/* Boxes per dimension for a map of this extent. */
size_t limn__tsne_fft_boxes(double range);
/* With p interpolation nodes per box and axis: rep (n, 2) = sum_j q_ij^2 (y_i - y_j), z (n) = sum_j q_ij
 * (self term included), *zsum = sum_{i != j} q_ij, all by interpolation. The workspace w (zeroed before first
 * use) is kept between calls; free with limn__tsne_fft_free. */
int limn__tsne_fft_repulsion(limn_ctx *ctx, limn__tsne_fft *w, const double *y, size_t n, size_t p,
                             double *rep, double *z, double *zsum);
void limn__tsne_fft_free(limn_ctx *ctx, limn__tsne_fft *w);

#endif

/* Quality of a map: k-nearest-neighbour preservation and leave-one-out kNN
 * classification accuracy in the map (the measures openTSNE and the t-SNE literature report, k = 10). */
#include "../core/internal.h"
#include "knn.h"
#include <math.h>
#include <stdlib.h>

int limn_tsne_quality(limn_ctx *ctx, const float *x, size_t n, size_t dim, const double *y,
                      const long *labels, size_t k, double *preservation, double *accuracy) {
  return limn_tsne_quality_affinity(ctx, NULL, x, n, dim, y, labels, k, preservation, accuracy);
}

int limn_tsne_quality_affinity(limn_ctx *ctx, const limn_tsne_affinity *P, const float *x, size_t n,
                               size_t dim, const double *y, const long *labels, size_t k,
                               double *preservation, double *accuracy) {
  if (preservation)
    *preservation = NAN;
  if (accuracy)
    *accuracy = NAN;
  if (k == 0 || k >= n)
    return limn__err(ctx, LIMN_EINVAL, "map quality: %zu neighbours asked of %zu rows", k, n);
  for (size_t i = 0; i < 2 * n; i++)
    if (!isfinite(y[i]))
      return limn__err(ctx, LIMN_ENONFINITE, "map quality: point %zu is not finite", i / 2);
  size_t *nx = limn__alloc_array(ctx, n, k * sizeof(size_t)),
         *ny = limn__alloc_array(ctx, n, k * sizeof(size_t));
  double *d2 = limn__alloc_array(ctx, n, k * sizeof(double));
  float *yf = limn__alloc_array(ctx, n, 2 * sizeof(float));
  int rc = nx && ny && d2 && yf ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK) {
    for (size_t i = 0; i < 2 * n; i++)
      yf[i] = (float)y[i];
    rc = limn__knn(ctx, yf, n, 2, k, 0, ny, d2);
  }
  int reuse = P && P->knn && P->n == n && P->knn_k >= k;
  if (rc == LIMN_OK && preservation && reuse)
    for (size_t i = 0; i < n; i++)
      memcpy(nx + i * k, P->knn + i * P->knn_k, k * sizeof *nx);
  if (rc == LIMN_OK && preservation && (reuse || (rc = limn__knn(ctx, x, n, dim, k, 0, nx, d2)) == LIMN_OK)) {
    size_t hit = 0;
    for (size_t i = 0; i < n; i++)
      for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
          hit += nx[i * k + a] == ny[i * k + b];
    *preservation = (double)hit / ((double)n * (double)k);
  }
  if (rc == LIMN_OK && accuracy && labels) {
    size_t right = 0, asked = 0;
    for (size_t i = 0; i < n; i++) {
      if (labels[i] < 0)
        continue;
      long best = -1;
      size_t best_votes = 0;
      for (size_t a = 0; a < k; a++) { /* the most votes; ties to the smaller label */
        long l = labels[ny[i * k + a]];
        if (l < 0)
          continue;
        size_t v = 0;
        for (size_t b = 0; b < k; b++)
          v += labels[ny[i * k + b]] == l;
        if (v > best_votes || (v == best_votes && l < best))
          best = l, best_votes = v;
      }
      asked++;
      right += best == labels[i];
    }
    if (asked)
      *accuracy = (double)right / (double)asked;
  }
  limn__free(ctx, nx);
  limn__free(ctx, ny);
  limn__free(ctx, d2);
  limn__free(ctx, yf);
  return rc == LIMN_ENOMEM ? limn__err(ctx, rc, "out of memory measuring the map") : rc;
}

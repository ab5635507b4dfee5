/* Principal components: the covariance in double (parallel over its rows, each entry
 * one sum in row order), its eigenvectors by cyclic Jacobi rotations, the leading k
 * with a fixed sign. Deterministic whatever the thread count. */
#include "../core/internal.h"
#include <math.h>
#include <stdlib.h>

typedef struct cov_arg {
  const double *xt; /* (dim, n): centred columns, column-major */
  size_t n, dim;
  double *cov; /* (dim, dim) */
} cov_arg;

static int cov_item(void *arg, size_t j, void *scratch) {
  cov_arg *a = arg;
  (void)scratch;
  const double *cj = a->xt + j * a->n;
  for (size_t l = j; l < a->dim; l++) {
    const double *cl = a->xt + l * a->n;
    double s = 0.0;
    for (size_t i = 0; i < a->n; i++)
      s += cj[i] * cl[i];
    a->cov[j * a->dim + l] = s / (double)(a->n - 1);
  }
  return 0;
}

/* Eigen-decomposition of the symmetric a (d, d), overwritten: eigenvalues end on the
 * diagonal, eigenvectors in the columns of v. Sweeps until the off-diagonal mass is
 * below 1e-22 of the total (or 100 sweeps). */
static void jacobi(double *a, double *v, size_t d) {
  for (size_t i = 0; i < d * d; i++)
    v[i] = 0.0;
  for (size_t i = 0; i < d; i++)
    v[i * d + i] = 1.0;
  double total = 0.0;
  for (size_t i = 0; i < d * d; i++)
    total += a[i] * a[i];
  for (int sweep = 0; sweep < 100; sweep++) {
    double off = 0.0;
    for (size_t p = 0; p < d; p++)
      for (size_t q = p + 1; q < d; q++)
        off += 2.0 * a[p * d + q] * a[p * d + q];
    if (!(off > 1e-22 * total))
      break;
    for (size_t p = 0; p < d; p++)
      for (size_t q = p + 1; q < d; q++) {
        double apq = a[p * d + q];
        if (apq == 0.0)
          continue;
        /* the rotation that zeroes a_pq: t = tan(phi), the smaller root */
        double tau = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
        double t = (tau >= 0 ? 1.0 : -1.0) / (fabs(tau) + sqrt(1.0 + tau * tau));
        double c = 1.0 / sqrt(1.0 + t * t), s = t * c;
        for (size_t k = 0; k < d; k++) { /* columns p and q */
          double akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (size_t k = 0; k < d; k++) { /* rows p and q */
          double apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        a[p * d + q] = a[q * d + p] = 0.0;
        for (size_t k = 0; k < d; k++) {
          double vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
  }
}

void limn_pca_project(const float *x, size_t n, size_t dim, size_t k, const double *mean,
                      const double *components, float *scores) {
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < k; c++) {
      double s = 0.0;
      for (size_t j = 0; j < dim; j++)
        s += ((double)x[i * dim + j] - mean[j]) * components[c * dim + j];
      scores[i * k + c] = (float)s;
    }
}

int limn_pca(limn_ctx *ctx, const float *x, size_t n, size_t dim, size_t k, float *scores, double *components,
             double *variance, double *mean_out) {
  if (n < 2 || dim == 0 || k == 0 || k > dim)
    return limn__err(ctx, LIMN_EINVAL, "PCA: %zu components asked of %zu rows x %zu columns (at most %zu)", k,
                     n, dim, dim);
  for (size_t i = 0; i < n * dim; i++)
    if (!isfinite(x[i]))
      return limn__err(ctx, LIMN_ENONFINITE, "row %zu, column %zu: value is not finite", i / dim, i % dim);
  double *mean = limn__calloc(ctx, dim, sizeof(double));
  double *xt = limn__alloc_array(ctx, n, dim * sizeof(double));
  double *cov = limn__alloc_array(ctx, dim, dim * sizeof(double));
  double *vec = limn__alloc_array(ctx, dim, dim * sizeof(double));
  size_t *order = limn__alloc_array(ctx, dim, sizeof(size_t));
  double *comp = components ? components : scores ? limn__alloc_array(ctx, k, dim * sizeof(double)) : NULL;
  int rc = mean && xt && cov && vec && order && (comp || !scores) ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK) {
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < dim; j++)
        mean[j] += x[i * dim + j];
    for (size_t j = 0; j < dim; j++)
      mean[j] /= (double)n;
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < dim; j++)
        xt[j * n + i] = x[i * dim + j] - mean[j];
    cov_arg a = {xt, n, dim, cov};
    if (limn__parallel_for(ctx, dim, 0, cov_item, &a))
      rc = LIMN_ENOMEM;
  }
  if (rc == LIMN_OK) {
    for (size_t j = 0; j < dim; j++)
      for (size_t l = 0; l < j; l++)
        cov[j * dim + l] = cov[l * dim + j];
    jacobi(cov, vec, dim);
    /* eigenvalues descending (ties to the lower index) */
    for (size_t j = 0; j < dim; j++) {
      size_t p = j;
      while (p > 0 && cov[order[p - 1] * dim + order[p - 1]] < cov[j * dim + j]) {
        order[p] = order[p - 1];
        p--;
      }
      order[p] = j;
    }
    for (size_t c = 0; c < k; c++) {
      size_t e = order[c], big = 0;
      for (size_t j = 1; j < dim; j++) /* sign: the largest entry positive */
        if (fabs(vec[j * dim + e]) > fabs(vec[big * dim + e]))
          big = j;
      double sg = vec[big * dim + e] < 0 ? -1.0 : 1.0;
      for (size_t j = 0; j < dim; j++)
        vec[j * dim + e] *= sg;
      if (variance)
        variance[c] = cov[e * dim + e] > 0 ? cov[e * dim + e] : 0.0;
      if (comp)
        for (size_t j = 0; j < dim; j++)
          comp[c * dim + j] = vec[j * dim + e];
    }
    if (scores)
      limn_pca_project(x, n, dim, k, mean, comp, scores);
    if (mean_out)
      memcpy(mean_out, mean, dim * sizeof *mean);
  }
  if (comp != components)
    limn__free(ctx, comp);
  limn__free(ctx, mean);
  limn__free(ctx, xt);
  limn__free(ctx, cov);
  limn__free(ctx, vec);
  limn__free(ctx, order);
  return rc == LIMN_OK ? rc : limn__err(ctx, rc, "out of memory computing principal components");
}

/* Timing helpers shared by the benchmarks. */
#ifndef LIMN_BENCH_UTIL_H
#define LIMN_BENCH_UTIL_H

#include <limn.h>
#include <stdlib.h>
#include <time.h>

/* Monotonic seconds. */
static inline double bench_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static inline int bench_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v). */
static inline double bench_median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, bench_cmp);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The synthetic mixture of bench_knn and bench_tsne_big: n rows of dim columns, 20
 * clusters (row i in cluster i mod 20, its label), cluster c's rows centre_c + B_c z +
 * 0.1 e with centre_c ~ N(0, 5^2 I), B_c a dim x 5 matrix of N(0, 1) entries,
 * z ~ N(0, I_5), e ~ N(0, I_dim) (clusters on 5-dimensional planes); with gauss, N(0, I)
 * instead (no structure). Every number from limn_rng seed 7. x: malloc'd (n, dim);
 * labels: (n) or NULL. */
static inline float *bench_mixture(size_t n, size_t dim, int gauss, long *labels) {
  size_t C = 20, r = 5;
  float *x = malloc(n * dim * sizeof *x);
  double *cen = malloc(C * dim * sizeof *cen), *B = malloc(C * dim * r * sizeof *B);
  limn_rng g;
  limn_rng_init(&g, 7, 0);
  for (size_t i = 0; i < C * dim; i++)
    cen[i] = 5.0 * limn_rng_normal(&g);
  for (size_t i = 0; i < C * dim * r; i++)
    B[i] = limn_rng_normal(&g);
  for (size_t i = 0; i < n; i++) {
    size_t c = i % C;
    double z[5];
    for (size_t q = 0; q < r; q++)
      z[q] = limn_rng_normal(&g);
    for (size_t j = 0; j < dim; j++) {
      double v = gauss ? limn_rng_normal(&g) : cen[c * dim + j] + 0.1 * limn_rng_normal(&g);
      for (size_t q = 0; !gauss && q < r; q++)
        v += B[(c * dim + j) * r + q] * z[q];
      x[i * dim + j] = (float)v;
    }
    if (labels)
      labels[i] = (long)c;
  }
  free(cen), free(B);
  return x;
}

#endif

/* Approximate nearest neighbours for t-SNE (issue 19): limn__knn_approx (a random-
 * projection forest refined by neighbour-of-neighbour rounds) against the exact
 * search (blocked brute force, limn__knn) in the same process: wall time and recall
 * (the share of each row's 90 exact neighbours it finds). Above EXACT_MAX rows the
 * exact lists are computed for 1000 evenly spaced rows only, by brute force.
 *
 * Data (bench_util.h's bench_mixture): "mixture", 20 clusters on 5-dimensional planes
 * in DIM dimensions (as model activations lie near low-dimensional sets); "gauss",
 * N(0, I_DIM) (no structure: the hardest case).
 * Usage: bench_knn N [DIM] [mixture|gauss] [THREADS] */
#include "bench_util.h"
#include "../src/embed/knn.h"
#include <limn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXACT_MAX 200000

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000,
         dim = argc > 2 ? strtoull(argv[2], NULL, 10) : 50;
  int gauss = argc > 3 && !strcmp(argv[3], "gauss");
  int threads = argc > 4 ? atoi(argv[4]) : 2;
  size_t k = 90;
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_ctx_set_threads(ctx, threads);
  float *x = bench_mixture(n, dim, gauss, NULL);
  size_t *na = malloc(n * k * sizeof *na);
  double *da = malloc(n * k * sizeof *da);
  double t0 = bench_now();
  int rc = limn__knn_approx(ctx, x, n, dim, k, 0, na, da);
  double ta = bench_now() - t0;
  if (rc) {
    fprintf(stderr, "approx: %s\n", limn_ctx_errmsg(ctx));
    return 1;
  }
  double hit = 0, total = 0, te = 0;
  if (n <= EXACT_MAX) {
    size_t *ne = malloc(n * k * sizeof *ne);
    double *de = malloc(n * k * sizeof *de);
    t0 = bench_now();
    rc = limn__knn(ctx, x, n, dim, k, 0, ne, de);
    te = bench_now() - t0;
    for (size_t i = 0; i < n; i++) /* both lists ascending by (distance, index) */
      for (size_t a = 0, b = 0; a < k && b < k;) {
        if (na[i * k + a] == ne[i * k + b] && da[i * k + a] == de[i * k + b])
          hit++, a++, b++;
        else if (da[i * k + a] < de[i * k + b] ||
                 (da[i * k + a] == de[i * k + b] && na[i * k + a] < ne[i * k + b]))
          a++;
        else
          b++;
      }
    total = (double)n * (double)k;
    free(ne), free(de);
  } else { /* 1000 rows: the k-th exact distance by brute force; hits are approximate
              neighbours within it */
    double *d = malloc(n * sizeof *d);
    for (size_t s = 0; s < 1000; s++) {
      size_t i = s * (n / 1000);
      for (size_t j = 0; j < n; j++)
        d[j] = j == i ? 1e300 : limn__sqdist(x + i * dim, x + j * dim, dim);
      qsort(d, n, sizeof *d, bench_cmp);
      double kth = d[k - 1];
      for (size_t a = 0; a < k; a++)
        hit += da[i * k + a] <= kth;
      total += (double)k;
    }
    free(d);
  }
  printf("knn %-8s %8zu rows x %zu, k %zu, %d threads: approximate %8.2f s", gauss ? "gauss" : "mixture", n,
         dim, k, threads, ta);
  if (te > 0)
    printf(", exact %8.2f s (x%.1f)", te, te / ta);
  printf(", recall %.4f%s\n", hit / total, n <= EXACT_MAX ? "" : " (1000 rows)");
  free(x), free(na), free(da);
  limn_ctx_free(ctx);
  return rc;
}

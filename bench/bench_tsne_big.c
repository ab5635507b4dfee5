/* t-SNE beyond 100 000 points (issue 19): a map of N rows of bench_knn.c's synthetic
 * mixture (20 clusters on 5-dimensional planes in DIM dimensions, seed 7), end to end
 * in one process: affinities (neighbours chosen automatically: approximate above
 * LIMN_TSNE_KNN_EXACT_ROWS), 750 FFT iterations; prints each stage's wall time, the
 * peak resident memory, the KL, and on a 10 000-row subsample (every N/10 000-th row)
 * the 10-NN preservation and 10-NN accuracy (cluster labels) of the map, the input
 * neighbours found exactly within the subsample. Usage: bench_tsne_big N [DIM] [THREADS] */
#include "bench_util.h"
#include <limn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static double peak_mb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_maxrss / 1024.0;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000,
         dim = argc > 2 ? strtoull(argv[2], NULL, 10) : 50;
  int threads = argc > 3 ? atoi(argv[3]) : 2;
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_ctx_set_threads(ctx, threads);
  long *lab = malloc(n * sizeof *lab);
  float *x = bench_mixture(n, dim, 0, lab);
  double t0 = bench_now();
  limn_tsne_affinity *P = NULL;
  int rc = limn_tsne_affinities_knn(ctx, x, n, dim, 30.0, LIMN_TSNE_KNN_AUTO, &P);
  double t1 = bench_now();
  if (rc) {
    fprintf(stderr, "affinities: %s\n", limn_ctx_errmsg(ctx));
    return 1;
  }
  printf("tsne %zu rows x %zu, %d threads: neighbours (%s) and P %.1f s, peak %.0f MB\n", n, dim, threads,
         n > LIMN_TSNE_KNN_EXACT_ROWS ? "approximate" : "exact", t1 - t0, peak_mb());
  fflush(stdout);
  limn_tsne_opts o = limn_tsne_opts_default();
  double *y = malloc(n * 2 * sizeof *y), kl = 0;
  rc = limn_tsne_run(ctx, P, x, dim, &o, y, &kl);
  double t2 = bench_now();
  if (rc) {
    fprintf(stderr, "t-SNE: %s\n", limn_ctx_errmsg(ctx));
    return 1;
  }
  printf("tsne %zu rows: 750 iterations %.1f s, KL %.4f, peak %.0f MB\n", n, t2 - t1, kl, peak_mb());
  size_t m = n < 10000 ? n : 10000, step = n / m;
  float *xs = malloc(m * dim * sizeof *xs);
  double *ys = malloc(m * 2 * sizeof *ys);
  long *ls = malloc(m * sizeof *ls);
  for (size_t s = 0; s < m; s++) {
    memcpy(xs + s * dim, x + s * step * dim, dim * sizeof *xs);
    ys[2 * s] = y[2 * s * step], ys[2 * s + 1] = y[2 * s * step + 1];
    ls[s] = lab[s * step];
  }
  double pres = 0, acc = 0;
  rc = limn_tsne_quality(ctx, xs, m, dim, ys, ls, 10, &pres, &acc);
  printf("tsne %zu rows: total %.1f s, peak %.0f MB; on %zu rows: 10-NN preservation %.3f, accuracy %.3f\n",
         n, bench_now() - t0, peak_mb(), m, pres, acc);
  free(xs), free(ys), free(ls), free(x), free(lab), free(y);
  limn_tsne_affinity_free(ctx, P);
  limn_ctx_free(ctx);
  return rc;
}

/* MLP benchmark: predict throughput (rows/s) of the breast-cancer (64,32) model at
 * batch 5000 with the BLAS, portable and reference kernels side by side, vjp
 * throughput, and training time. Prints medians; never passes or fails on time.
 * Usage: bench_mlp [DATA_DIR] [REPEATS] */
#include "bench_util.h"
#include <limn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "data";
  int reps = argc > 2 ? atoi(argv[2]) : 7;
  if (reps < 1 || reps > 1000)
    reps = 7;
  char path[1024];
  snprintf(path, sizeof path, "%s/breast_cancer.csv", dir);
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "diagnosis";
  limn_dataset *ds = NULL;
  limn_model *m = NULL;
  if (limn_dataset_read(ctx, path, &ro, &ds)) {
    fprintf(stderr, "bench: %s\n", limn_ctx_errmsg(ctx));
    return 1;
  }
  double tt[32];
  int treps = reps < 5 ? reps : 5;
  for (int r = 0; r < treps; r++) {
    limn_model_free(m);
    m = NULL;
    double t0 = bench_now();
    limn_mlp_train(ctx, ds, NULL, &m);
    tt[r] = bench_now() - t0;
  }
  limn_mlp_info info;
  limn_mlp_get_info(ctx, m, &info);
  printf("train breast cancer (569 rows, 30-64-32-1, %zu epochs): median %.1f ms\n", info.epochs_run,
         1e3 * bench_median(tt, treps));
  size_t n = 5000, d = limn_dataset_nfeatures(ds);
  float *x = malloc(n * d * sizeof *x), *out = malloc(n * 2 * sizeof *out), *g = malloc(n * d * sizeof *g);
  float *w = malloc(n * 2 * sizeof *w);
  for (size_t i = 0; i < n; i++) {
    memcpy(x + i * d, limn_dataset_x(ds) + (i % limn_dataset_nrows(ds)) * d, d * sizeof *x);
    w[2 * i] = 0.0f;
    w[2 * i + 1] = 1.0f;
  }
  limn_kernel ks[] = {LIMN_KERNEL_BLAS, LIMN_KERNEL_PORTABLE, LIMN_KERNEL_REF};
  const char *names[] = {"blas", "portable", "ref"};
  int threads[] = {1, 0};
  double base = 0;
  for (int ti = 0; ti < 2; ti++) {
    limn_ctx_set_threads(ctx, threads[ti]);
    for (int k = 0; k < 3; k++) {
      if (limn_ctx_set_kernel(ctx, ks[k]))
        continue;
      double tp[1000], tv[1000];
      for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        limn_model_predict(ctx, m, x, n, out);
        tp[r] = bench_now() - t0;
        t0 = bench_now();
        limn_model_vjp(ctx, m, x, n, w, LIMN_SPACE_OUTPUT, g);
        tv[r] = bench_now() - t0;
      }
      double rp = (double)n / bench_median(tp, reps), rv = (double)n / bench_median(tv, reps);
      if (k == 0 && ti == 0)
        base = rp;
      printf(
          "predict batch %zu, %-8s threads %s: %10.0f rows/s (x%.2f of blas 1 thread); vjp %10.0f rows/s\n",
          n, names[k], threads[ti] ? "1  " : "all", rp, base > 0 ? rp / base : 0.0, rv);
    }
  }
  free(x), free(out), free(g), free(w);
  limn_model_free(m);
  limn_dataset_free(ds);
  limn_ctx_free(ctx);
  return 0;
}

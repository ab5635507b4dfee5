/* ONNX benchmark: predict and vjp throughput of one scikit-learn network (wine,
 * 13-64-32-3 ReLU, softmax) loaded from ONNX and from a limn model file with the same
 * weights (tests/fixtures/onnx/wine_sklearn.*), 1 thread, batch 5000, medians and the
 * ratio ONNX / native in the same process. Never passes or fails on time.
 * Usage: bench_onnx [SOURCE_DIR] [REPEATS] */
#include "bench_util.h"
#include <limn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double rate(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, int vjp, int reps) {
  size_t k = limn_model_noutputs(m), d = limn_model_nfeatures(m);
  float *out = malloc(n * (vjp ? d : k) * sizeof *out), *w = calloc(n * k, sizeof *w);
  for (size_t i = 0; i < n; i++)
    w[i * k] = 1.0f;
  double t[64];
  for (int r = 0; r < reps; r++) {
    double t0 = bench_now();
    int rc =
        vjp ? limn_model_vjp(ctx, m, x, n, w, LIMN_SPACE_OUTPUT, out) : limn_model_predict(ctx, m, x, n, out);
    t[r] = bench_now() - t0;
    if (rc) {
      fprintf(stderr, "bench_onnx: %s\n", limn_ctx_errmsg(ctx));
      exit(1);
    }
  }
  free(out), free(w);
  return (double)n / bench_median(t, reps);
}

int main(int argc, char **argv) {
  const char *src = argc > 1 ? argv[1] : ".";
  int reps = argc > 2 ? atoi(argv[2]) : 9;
  if (reps < 1 || reps > 64)
    reps = 9;
  char path[1024];
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_ctx_set_threads(ctx, 1);
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "cultivar";
  limn_dataset *ds = NULL;
  limn_model *mo = NULL, *mn = NULL;
  snprintf(path, sizeof path, "%s/data/wine.csv", src);
  int rc = limn_dataset_read(ctx, path, &ro, &ds);
  snprintf(path, sizeof path, "%s/tests/fixtures/onnx/wine_sklearn.onnx", src);
  if (!rc)
    rc = limn_model_load_onnx(ctx, path, limn_dataset_schema(ds), LIMN_ONNX_AUTO, &mo);
  snprintf(path, sizeof path, "%s/tests/fixtures/onnx/wine_sklearn.limn", src);
  if (!rc)
    rc = limn_model_load(ctx, path, &mn);
  if (rc) {
    fprintf(stderr, "bench_onnx: %s\n", limn_ctx_errmsg(ctx));
    return 1;
  }
  size_t n = 5000, d = limn_dataset_nfeatures(ds), rows = limn_dataset_nrows(ds);
  float *x = malloc(n * d * sizeof *x);
  for (size_t i = 0; i < n; i++)
    memcpy(x + i * d, limn_dataset_x(ds) + (i % rows) * d, d * sizeof *x);
  for (int v = 0; v < 2; v++) {
    double ro_ = rate(ctx, mo, x, n, v, reps), rn = rate(ctx, mn, x, n, v, reps);
    printf(
        "%-7s wine 13-64-32-3, batch %zu, 1 thread: ONNX %.2f M rows/s, native %.2f M rows/s, native / ONNX "
        "%.2fx\n",
        v ? "vjp" : "predict", n, ro_ / 1e6, rn / 1e6, rn / ro_);
  }
  free(x);
  limn_model_free(mo), limn_model_free(mn);
  limn_dataset_free(ds);
  limn_ctx_free(ctx);
  return 0;
}

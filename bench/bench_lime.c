/* LIME benchmark: time per explanation on breast cancer (30 features, 5000 samples,
 * highest_weights, 10 features, (64,32) MLP trained here), 1 thread, limn's default
 * estimator and lime's (compat), with the share spent in the model's predict; then
 * limn's estimator at its default sample count (auto: 65 536 on 30 features, for
 * stability), over many rows per call and one row per call (a service explaining each
 * decision as it comes), and on 2 threads. Medians. lime on this machine class:
 * 26.1 ms per explanation, 6.8 ms of it in predict_proba.
 * Usage: bench_lime [DATA_DIR] [ROWS] */
#include "bench_util.h"
#include <limn.h>
#include <stdio.h>
#include <stdlib.h>

/* Median over reps of the time of explaining rows rows per call (calls calls), per row. */
static double per_row_ms(limn_ctx *ctx, const limn_model *m, const float *x, size_t rows, size_t calls,
                         const limn_lime_opts *o, int reps) {
  double t[16];
  for (int k = 0; k < reps; k++) {
    double t0 = bench_now();
    for (size_t c = 0; c < calls; c++) {
      limn_explanation *e = NULL;
      if (limn_explain_lime(ctx, m, limn_model_stats(m), x + c * rows * limn_model_nfeatures(m), rows, o,
                            &e)) {
        fprintf(stderr, "bench: %s\n", limn_ctx_errmsg(ctx));
        exit(1);
      }
      limn_explanations_free(ctx, e, rows);
    }
    t[k] = bench_now() - t0;
  }
  return 1e3 * bench_median(t, reps) / (double)(rows * calls);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "data";
  size_t rows = argc > 2 ? (size_t)atoi(argv[2]) : 100;
  char path[1024];
  snprintf(path, sizeof path, "%s/breast_cancer.csv", dir);
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_ctx_set_threads(ctx, 1);
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "diagnosis";
  limn_dataset *ds = NULL;
  limn_model *m = NULL;
  if (limn_dataset_read(ctx, path, &ro, &ds) || limn_mlp_train(ctx, ds, NULL, &m)) {
    fprintf(stderr, "bench: %s\n", limn_ctx_errmsg(ctx));
    return 1;
  }
  if (rows < 1 || rows > limn_dataset_nrows(ds))
    rows = 100;
  const float *x = limn_dataset_x(ds);
  /* the model alone: 5000 rows, as one explanation asks */
  float *big = malloc(5000 * 30 * sizeof *big), *out = malloc(5000 * 2 * sizeof *out);
  for (size_t i = 0; i < 5000; i++)
    for (size_t j = 0; j < 30; j++)
      big[i * 30 + j] = x[(i % limn_dataset_nrows(ds)) * 30 + j];
  double t[64];
  for (int k = 0; k < 15; k++) {
    double t0 = bench_now();
    limn_model_predict(ctx, m, big, 5000, out);
    t[k] = bench_now() - t0;
  }
  double model_ms = 1e3 * bench_median(t, 15);
  printf("breast cancer, 30 features, 5000 samples, highest_weights, (64,32) MLP, 1 thread, %zu rows\n",
         rows);
  printf("model predict of 5000 rows: %.3f ms\n", model_ms);
  for (int compat = 0; compat < 2; compat++) {
    limn_lime_opts o = limn_lime_opts_default();
    o.selection = LIMN_SELECT_HIGHEST_WEIGHTS;
    o.num_samples = 5000;
    o.compat = compat;
    double ms = per_row_ms(ctx, m, x, rows, 1, &o, 5);
    printf("%-26s %.3f ms per explanation (%.3f ms outside the model; lime: 26.1 ms, 19.6 ms outside)\n",
           compat ? "lime's estimator (compat)" : "limn's estimator", ms, ms - model_ms);
  }
  limn_lime_opts o = limn_lime_opts_default();
  o.selection = LIMN_SELECT_HIGHEST_WEIGHTS;
  size_t few = rows < 20 ? rows : 20;
  printf("limn's estimator, default samples (%zu): %.3f ms per explanation, %zu rows per call; %.3f ms one "
         "row per call\n",
         limn_lime_samples(&o, 30), per_row_ms(ctx, m, x, rows, 1, &o, 3), rows,
         per_row_ms(ctx, m, x, 1, few, &o, 3));
  limn_ctx_set_threads(ctx, 2);
  printf("limn's estimator, default samples, 2 threads: %.3f ms per explanation, %zu rows per call; %.3f ms "
         "one row per call\n",
         per_row_ms(ctx, m, x, rows, 1, &o, 3), rows, per_row_ms(ctx, m, x, 1, few, &o, 3));
  free(big);
  free(out);
  limn_model_free(m);
  limn_dataset_free(ds);
  limn_ctx_free(ctx);
  return 0;
}

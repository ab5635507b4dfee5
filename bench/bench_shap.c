/* SHAP benchmark: time per explanation against the floor of the same work, the model's
 * predict of the rows the estimator evaluates, in the same process (medians):
 * - KernelSHAP on breast cancer (M = 30, a (64, 32) MLP trained here, 100 background rows,
 *   nsamples auto = 2108 coalitions, 210 800 model rows): ratio to the predict floor;
 * - exact on the 10-feature MLP of the fixtures (100 background rows: 1024 coalitions,
 *   102 400 model rows): ratio to the floor;
 * - permutation at the same budget;
 * - every test row on 1 and 2 threads.
 * The reference (spec, this machine class): a vectorised numpy stand-in of shap's
 * KernelExplainer 182 ms per row at M = 30 (152 ms of it in the model).
 * Usage: bench_shap [SOURCE_DIR] [REPS] */
#include "bench_util.h"
#include <limn.h>
#include <stdio.h>
#include <stdlib.h>

static void die(limn_ctx *ctx) {
  fprintf(stderr, "bench_shap: %s\n", limn_ctx_errmsg(ctx));
  exit(1);
}

/* Median seconds of explaining rows x (n) with o. */
static double time_shap(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const limn_shap_opts *o,
                        int reps, size_t *evals) {
  double t[32];
  for (int k = 0; k < reps; k++) {
    limn_explanation *e = NULL;
    double t0 = bench_now();
    if (limn_explain_shap(ctx, m, x, n, o, &e))
      die(ctx);
    t[k] = bench_now() - t0;
    *evals = e[0].num_samples;
    limn_explanations_free(ctx, e, n);
  }
  return bench_median(t, reps);
}

/* Median seconds of predicting `rows` rows made like the estimator's (background rows). */
static double time_floor(limn_ctx *ctx, const limn_model *m, const float *bg, size_t nb, size_t rows, int reps) {
  size_t d = limn_model_nfeatures(m), k = limn_model_noutputs(m), block = 65536 / nb * nb;
  float *x = malloc(block * d * sizeof *x), *out = malloc(block * k * sizeof *out);
  for (size_t i = 0; i < block; i++)
    for (size_t j = 0; j < d; j++)
      x[i * d + j] = bg[(i % nb) * d + j];
  double t[32];
  for (int r = 0; r < reps; r++) {
    double t0 = bench_now();
    for (size_t done = 0; done < rows; done += block)
      if (limn_model_forward(ctx, m, x, rows - done < block ? rows - done : block, LIMN_SPACE_OUTPUT, out))
        die(ctx);
    t[r] = bench_now() - t0;
  }
  free(x), free(out);
  return bench_median(t, reps);
}

int main(int argc, char **argv) {
  const char *src = argc > 1 ? argv[1] : ".";
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  char path[1024];
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_ctx_set_threads(ctx, 1);
  /* breast cancer, M = 30 */
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "target";
  const char *ign[] = {"orig_index"};
  ro.ignore = ign, ro.nignore = 1;
  limn_dataset *tr = NULL, *te = NULL;
  limn_model *m = NULL;
  snprintf(path, sizeof path, "%s/tests/fixtures/breast_cancer_train.csv", src);
  if (limn_dataset_read(ctx, path, &ro, &tr) || limn_mlp_train(ctx, tr, NULL, &m))
    die(ctx);
  snprintf(path, sizeof path, "%s/tests/fixtures/breast_cancer_test.csv", src);
  if (limn_dataset_read(ctx, path, &ro, &te))
    die(ctx);
  size_t d = limn_model_nfeatures(m), nte = limn_dataset_nrows(te), ev = 0;
  const float *bg = limn_dataset_x(tr), *x = limn_dataset_x(te);
  limn_shap_opts o = limn_shap_opts_default();
  o.background = bg, o.nbackground = 100;
  o.estimator = LIMN_SHAP_KERNEL;
  double tk = time_shap(ctx, m, x, 1, &o, reps, &ev);
  double fk = time_floor(ctx, m, bg, 100, ev * 100, reps);
  printf("kernel, M = 30, 100 background rows, %zu coalitions (%zu model rows), 1 thread: %.1f ms per row; "
         "predict of those rows %.1f ms; ratio %.2f (numpy stand-in of shap: 182 ms)\n",
         ev, ev * 100, 1e3 * tk, 1e3 * fk, tk / fk);
  o.estimator = LIMN_SHAP_PERMUTATION;
  double tp = time_shap(ctx, m, x, 1, &o, reps, &ev);
  printf("permutation, same budget: %.1f ms per row, %zu coalitions\n", 1e3 * tp, ev);
  o.estimator = LIMN_SHAP_KERNEL;
  double t1 = time_shap(ctx, m, x, nte, &o, 1, &ev);
  limn_ctx_set_threads(ctx, 2);
  double t2 = time_shap(ctx, m, x, nte, &o, 1, &ev);
  limn_ctx_set_threads(ctx, 1);
  printf("kernel, all %zu test rows: 1 thread %.2f s, 2 threads %.2f s (x%.2f)\n", nte, t1, t2, t1 / t2);
  /* the 10-feature fixture MLP: exact */
  limn_model *m10 = NULL;
  snprintf(path, sizeof path, "%s/tests/fixtures/reference/shap/mlp_bc10.limn", src);
  if (limn_model_load(ctx, path, &m10))
    die(ctx);
  limn_read_opts r10 = limn_read_opts_default();
  r10.schema = limn_model_schema(m10), r10.target_optional = 1;
  limn_dataset *b10 = NULL;
  snprintf(path, sizeof path, "%s/tests/fixtures/breast_cancer_train.csv", src);
  if (limn_dataset_read(ctx, path, &r10, &b10))
    die(ctx);
  limn_shap_opts e = limn_shap_opts_default();
  e.estimator = LIMN_SHAP_EXACT, e.background = limn_dataset_x(b10), e.nbackground = 100;
  double te10 = time_shap(ctx, m10, limn_dataset_x(b10) + 200 * 10, 1, &e, reps, &ev);
  double fe10 = time_floor(ctx, m10, limn_dataset_x(b10), 100, ev * 100, reps);
  printf("exact, M = 10, 100 background rows, %zu coalitions (%zu model rows), 1 thread: %.2f ms per row; "
         "predict %.2f ms; ratio %.2f\n",
         ev, ev * 100, 1e3 * te10, 1e3 * fe10, te10 / fe10);
  (void)d;
  limn_dataset_free(b10), limn_model_free(m10);
  limn_dataset_free(tr), limn_dataset_free(te), limn_model_free(m);
  limn_ctx_free(ctx);
  return 0;
}

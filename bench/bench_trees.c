/* Tree-model benchmark: XGBoost JSON predict and path-dependent TreeSHAP per row (medians)
 * on the spec's model bench/data/xgb_bc100d6.json (breast cancer, 100 trees of depth 6,
 * copied from the shared fixtures), over the 143 bundled breast-cancer test rows, on 1 and
 * 2 threads. XGBoost 1.7.4's own figures on this machine class (the spec's anchor, not run
 * here): pred_contribs 40 us per row on 1 thread, 20 us on 2; plain predict 0.83 us.
 * Usage: bench_trees [SOURCE_DIR] [REPS] */
#include "bench_util.h"
#include <limn.h>
#include <stdio.h>
#include <stdlib.h>

static void die(limn_ctx *ctx) {
  fprintf(stderr, "bench_trees: %s\n", limn_ctx_errmsg(ctx));
  exit(1);
}

int main(int argc, char **argv) {
  const char *src = argc > 1 ? argv[1] : ".";
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  char path[1024];
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_model *m = NULL;
  limn_dataset *te = NULL;
  snprintf(path, sizeof path, "%s/bench/data/xgb_bc100d6.json", src);
  if (limn_model_load(ctx, path, &m))
    die(ctx);
  limn_read_opts ro = limn_read_opts_default();
  ro.schema = limn_model_schema(m), ro.target_optional = 1, ro.missing_ok = 1;
  snprintf(path, sizeof path, "%s/tests/fixtures/breast_cancer_test.csv", src);
  if (limn_dataset_read(ctx, path, &ro, &te))
    die(ctx);
  size_t n = limn_dataset_nrows(te);
  const float *x = limn_dataset_x(te);
  float *out = malloc(n * 2 * sizeof *out);
  for (int threads = 1; threads <= 2; threads++) {
    limn_ctx_set_threads(ctx, threads);
    double tp[32], ts[32];
    for (int r = 0; r < reps && r < 32; r++) {
      double t0 = bench_now();
      for (int k = 0; k < 100; k++)
        if (limn_model_forward(ctx, m, x, n, LIMN_SPACE_LOGIT, out))
          die(ctx);
      tp[r] = (bench_now() - t0) / 100;
      limn_shap_opts o = limn_shap_opts_default();
      o.estimator = LIMN_SHAP_TREE, o.target = 1;
      limn_explanation *e = NULL;
      t0 = bench_now();
      if (limn_explain_shap(ctx, m, x, n, &o, &e))
        die(ctx);
      ts[r] = bench_now() - t0;
      limn_explanations_free(ctx, e, n);
    }
    int k = reps < 32 ? reps : 32;
    printf("%d thread%s, %zu rows: predict %.3f us per row; TreeSHAP (path-dependent) %.1f us per row "
           "(XGBoost 1.7.4 pred_contribs: %s us)\n",
           threads, threads > 1 ? "s" : "", n, 1e6 * bench_median(tp, k) / (double)n,
           1e6 * bench_median(ts, k) / (double)n, threads > 1 ? "20" : "40");
  }
  free(out);
  limn_dataset_free(te), limn_model_free(m);
  limn_ctx_free(ctx);
  return 0;
}

/* Tree-model benchmark: predict, path-dependent TreeSHAP and SHAP interaction values per
 * row (medians of REPS runs) on 1 and 2 threads, for a tree model and rows of a CSV.
 * Default: the spec's model bench/data/xgb_bc100d6.json (breast cancer, 100 trees of
 * depth 6, from the shared fixtures) over the 143 bundled breast-cancer test rows.
 * bench/bench_trees_xgb.py runs this beside XGBoost's pred_contribs / pred_interactions
 * on the same model and rows, and on a 500-tree depth-8 model it trains.
 * Usage: bench_trees [SOURCE_DIR] [REPS] [MODEL.json DATA.csv [INTERACTION_ROWS]] */
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
  char mpath[1024], dpath[1024];
  snprintf(mpath, sizeof mpath, "%s", argc > 4 ? argv[3] : "");
  snprintf(dpath, sizeof dpath, "%s", argc > 4 ? argv[4] : "");
  size_t ni = argc > 5 ? (size_t)atol(argv[5]) : 30;
  if (argc <= 4) {
    snprintf(mpath, sizeof mpath, "%s/bench/data/xgb_bc100d6.json", src);
    snprintf(dpath, sizeof dpath, "%s/tests/fixtures/breast_cancer_test.csv", src);
  }
  reps = reps < 1 ? 1 : reps > 32 ? 32 : reps;
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_model *m = NULL;
  limn_dataset *te = NULL;
  if (limn_model_load(ctx, mpath, &m))
    die(ctx);
  limn_read_opts ro = limn_read_opts_default();
  ro.schema = limn_model_schema(m), ro.target_optional = 1, ro.missing_ok = 1;
  if (limn_dataset_read(ctx, dpath, &ro, &te))
    die(ctx);
  size_t n = limn_dataset_nrows(te), d = limn_model_nfeatures(m), k = limn_model_noutputs(m);
  ni = ni < n ? ni : n;
  const float *x = limn_dataset_x(te);
  float *out = malloc(n * k * sizeof *out);
  double *inter = malloc(ni * (d + 1) * (d + 1) * sizeof *inter);
  long target = k == 2 ? 1 : 0;
  for (int threads = 1; threads <= 2; threads++) {
    limn_ctx_set_threads(ctx, threads);
    double tp[32], ts[32], ti[32];
    for (int r = 0; r < reps; r++) {
      int inner = n < 1000 ? 100 : 1;
      double t0 = bench_now();
      for (int q = 0; q < inner; q++)
        if (limn_model_forward(ctx, m, x, n, LIMN_SPACE_LOGIT, out))
          die(ctx);
      tp[r] = (bench_now() - t0) / inner / (double)n;
      limn_shap_opts o = limn_shap_opts_default();
      o.estimator = LIMN_SHAP_TREE, o.target = target;
      limn_explanation *e = NULL;
      t0 = bench_now();
      if (limn_explain_shap(ctx, m, x, n, &o, &e))
        die(ctx);
      ts[r] = (bench_now() - t0) / (double)n;
      limn_explanations_free(ctx, e, n);
      t0 = bench_now();
      if (ni && limn_shap_interactions(ctx, m, x, ni, target, NULL, inter))
        die(ctx);
      ti[r] = ni ? (bench_now() - t0) / (double)ni : 0;
    }
    printf("limn %d thread%s: %zu rows; predict %.3f us/row; TreeSHAP %.2f us/row; interactions (%zu rows) "
           "%.1f us/row\n",
           threads, threads > 1 ? "s" : "", n, 1e6 * bench_median(tp, reps), 1e6 * bench_median(ts, reps), ni,
           1e6 * bench_median(ti, reps));
    fflush(stdout);
  }
  free(out), free(inter);
  limn_dataset_free(te), limn_model_free(m);
  limn_ctx_free(ctx);
  return 0;
}

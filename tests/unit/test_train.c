/* Training: the accuracy figures the project promises, and bit-identical results
 * whatever the thread count. */
#include "../harness.h"

static limn_ctx *ctx;

static limn_dataset *read(const char *rel, const char *target, const limn_schema *schema) {
  limn_read_opts ro = limn_read_opts_default();
  static const char *ign[] = {"orig_index"};
  if (strstr(rel, "fixtures/breast_cancer")) {
    ro.ignore = ign; /* the row identifier of the lime fixtures is no feature */
    ro.nignore = 1;
  }
  ro.target = target;
  ro.schema = schema;
  limn_dataset *ds = NULL;
  if (limn_dataset_read(ctx, src_path(rel), &ro, &ds))
    fprintf(stderr, "%s\n", limn_ctx_errmsg(ctx));
  return ds;
}

/* Train with defaults on train rows, evaluate on test rows. */
static double accuracy(limn_dataset *tr, limn_dataset *te, limn_model **keep) {
  limn_model *m = NULL;
  limn_metrics mt;
  double acc = -1;
  if (limn_mlp_train(ctx, tr, NULL, &m) || limn_metrics_evaluate(ctx, m, te, &mt)) {
    fprintf(stderr, "%s\n", limn_ctx_errmsg(ctx));
  } else {
    acc = mt.task == LIMN_TASK_CLASSIFICATION ? mt.accuracy : mt.r2;
    limn_metrics_clear(ctx, &mt);
  }
  if (keep)
    *keep = m;
  else
    limn_model_free(m);
  return acc;
}

/* Split with limn's stratified split (seed 0, 25 % test) and train. */
static double split_accuracy(const char *rel, const char *target) {
  limn_dataset *ds = read(rel, target, NULL), *tr = NULL, *te = NULL;
  if (!ds)
    return -1;
  size_t n = limn_dataset_nrows(ds), ntr = 0, nte = 0;
  unsigned char *is_test = malloc(n);
  size_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  limn_task task = limn_schema_task(limn_dataset_schema(ds));
  limn_dataset_split_rows(ctx, ds, 0.25, 0, task == LIMN_TASK_CLASSIFICATION ? target : NULL, is_test);
  for (size_t i = 0; i < n; i++) {
    if (is_test[i])
      b[nte++] = i;
    else
      a[ntr++] = i;
  }
  limn_dataset_subset(ctx, ds, a, ntr, &tr);
  limn_dataset_subset(ctx, ds, b, nte, &te);
  double acc = accuracy(tr, te, NULL);
  printf("%s: %s %.4f\n", rel, task == LIMN_TASK_CLASSIFICATION ? "test accuracy" : "test R^2", acc);
  free(is_test), free(a), free(b);
  limn_dataset_free(tr), limn_dataset_free(te), limn_dataset_free(ds);
  return acc;
}

static void test_accuracy(void) {
  test_begin("accuracy figures");
  /* the scikit-learn stratified split (seed 0) of the lime fixtures */
  limn_dataset *tr = read("tests/fixtures/breast_cancer_train.csv", "target", NULL);
  limn_dataset *te = tr ? read("tests/fixtures/breast_cancer_test.csv", NULL, limn_dataset_schema(tr)) : NULL;
  if (tr && te) {
    double acc = accuracy(tr, te, NULL);
    printf("breast cancer (scikit-learn stratified split, seed 0): test accuracy %.4f\n", acc);
    CHECK(acc >= 0.95);
  }
  limn_dataset_free(tr), limn_dataset_free(te);
  CHECK(split_accuracy("data/breast_cancer.csv", "diagnosis") >= 0.95);
  CHECK(split_accuracy("data/wine.csv", "cultivar") >= 0.95);
  CHECK(split_accuracy("data/credit-g.arff", "class") >= 0.72);
  CHECK(split_accuracy("data/iris.csv", "species") >= 0.9);
  CHECK(split_accuracy("data/diabetes.csv", "progression") >= 0.35);
}

static void test_deterministic(void) {
  test_begin("bit-identical training");
  limn_dataset *ds = read("data/credit-g.arff", "class", NULL);
  if (!ds)
    return;
  limn_mlp_opts o = limn_mlp_opts_default();
  o.max_epochs = 5;
  limn_model *a = NULL, *b = NULL, *c = NULL;
  limn_ctx_set_threads(ctx, 1);
  CHECK_OK(ctx, limn_mlp_train(ctx, ds, &o, &a));
  limn_ctx_set_threads(ctx, 2);
  CHECK_OK(ctx, limn_mlp_train(ctx, ds, &o, &b));
  o.seed = 1;
  CHECK_OK(ctx, limn_mlp_train(ctx, ds, &o, &c));
  char ha[65] = "", hb[65] = "", hc[65] = "";
  if (a && b && c) {
    CHECK_OK(ctx, limn_model_sha256(ctx, a, ha));
    CHECK_OK(ctx, limn_model_sha256(ctx, b, hb));
    CHECK_OK(ctx, limn_model_sha256(ctx, c, hc));
  }
  CHECK(!strcmp(ha, hb) && strlen(ha) == 64);
  CHECK(strcmp(ha, hc) != 0);
  limn_mlp_info info;
  CHECK_OK(ctx, limn_mlp_get_info(ctx, a, &info));
  CHECK_EQ(info.epochs_run, 5);
  CHECK(limn_model_stats(a) != NULL && limn_stats_nrows(limn_model_stats(a)) == 1000);
  /* bad options */
  limn_model *m = NULL;
  o = limn_mlp_opts_default();
  o.learning_rate = -1;
  CHECK_ERR(ctx, limn_mlp_train(ctx, ds, &o, &m), LIMN_EINVAL, "learning rate");
  o = limn_mlp_opts_default();
  o.valid_fraction = 1.0;
  CHECK_ERR(ctx, limn_mlp_train(ctx, ds, &o, &m), LIMN_EINVAL, "validation fraction");
  limn_model_free(a), limn_model_free(b), limn_model_free(c);
  limn_dataset_free(ds);
}

int main(void) {
  ctx = limn_ctx_create(NULL);
  test_accuracy();
  test_deterministic();
  limn_ctx_free(ctx);
  return test_end();
}

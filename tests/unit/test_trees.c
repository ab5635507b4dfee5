/* XGBoost JSON models against XGBoost's own predictions (tests/fixtures/reference/trees:
 * binary:logistic with missing values, reg:squarederror, multi:softprob), the loader's
 * errors, and the same predictions on 1 and 2 threads. */
#include "../harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static limn_ctx *ctx;
#define REF "tests/fixtures/reference/trees/"

/* A CSV of numbers after `skip` leading fields per line: rows x cols (empty cells NaN). */
static double *read_num(const char *rel, size_t skip, size_t cols, size_t *nrows) {
  FILE *f = fopen(src_path(rel), "r");
  static char line[1 << 16];
  size_t n = 0, cap = 64;
  double *x = malloc(cap * cols * sizeof *x);
  if (!f || !x || !fgets(line, sizeof line, f)) {
    if (f)
      fclose(f);
    free(x);
    return NULL;
  }
  while (fgets(line, sizeof line, f)) {
    if (n == cap)
      x = realloc(x, (cap *= 2) * cols * sizeof *x);
    char *p = line;
    for (size_t j = 0; j < skip; j++)
      p = strchr(p, ',') + 1;
    for (size_t j = 0; j < cols; j++) {
      char *end;
      x[n * cols + j] = (*p == ',' || *p == '\n') ? NAN : strtod(p, &end);
      if (*p != ',' && *p != '\n')
        p = end;
      if (*p == ',')
        p++;
    }
    n++;
  }
  fclose(f);
  *nrows = n;
  return x;
}

static float *to_float(const double *v, size_t n) {
  float *f = malloc((n ? n : 1) * sizeof *f);
  for (size_t q = 0; q < n; q++)
    f[q] = (float)v[q];
  return f;
}

/* The first `cols` numbers per line of `rel` as float32, as limn reads them. */
static float *read_rows(const char *rel, size_t cols, size_t *nrows) {
  double *v = read_num(rel, 0, cols, nrows);
  float *x = v ? to_float(v, *nrows * cols) : NULL;
  free(v);
  return x;
}

/* Fixture `name`: the model name.json, its test rows name_test.csv (*x, *n), and the
 * reference name_SUFFIX.csv (*ref, *nr) of `cols` columns, plus one per feature when
 * `per_feature`. NULL model when it does not load. */
static limn_model *open_case(const char *name, const char *suffix, size_t cols, int per_feature, float **x,
                             size_t *n, float **ref, size_t *nr) {
  char path[256];
  limn_model *m = NULL;
  *x = *ref = NULL, *n = *nr = 0;
  snprintf(path, sizeof path, REF "%s.json", name);
  CHECK_OK(ctx, limn_model_load(ctx, src_path(path), &m));
  if (!m)
    return NULL;
  size_t d = limn_model_nfeatures(m);
  snprintf(path, sizeof path, REF "%s_test.csv", name);
  *x = read_rows(path, d, n);
  snprintf(path, sizeof path, REF "%s_%s.csv", name, suffix);
  *ref = read_rows(path, cols + (per_feature ? d : 0), nr);
  return m;
}

/* Model `name`: its predictions of the test rows in OUTPUT and LOGIT space against
 * columns of the reference file (logit columns first, then output columns). */
static void check_model(const char *name, size_t nlogit_cols, size_t nout_cols) {
  float *x, *ref;
  size_t n, nr;
  limn_model *m = open_case(name, "pred", nlogit_cols + nout_cols, 0, &x, &n, &ref, &nr);
  if (!m)
    return;
  CHECK(!strcmp(limn_model_kind(m), "xgboost"));
  size_t d = limn_model_nfeatures(m), k = limn_model_noutputs(m);
  CHECK(x && ref && n == nr && n > 0);
  float *o = calloc(n * k, sizeof *o), *lg = calloc(n * k, sizeof *lg), *o2 = calloc(n * k, sizeof *o2);
  if (x && ref && n == nr && o && lg && o2) {
    CHECK_OK(ctx, limn_model_forward(ctx, m, x, n, LIMN_SPACE_OUTPUT, o));
    CHECK_OK(ctx, limn_model_forward(ctx, m, x, n, LIMN_SPACE_LOGIT, lg));
    double worst = 0, scale = 0;
    size_t missing = 0;
    for (size_t q = 0; q < n * d; q++)
      missing += isnan(x[q]);
    for (size_t i = 0; i < n; i++) {
      const float *r = ref + i * (nlogit_cols + nout_cols);
      for (size_t c = 0; c < nlogit_cols; c++) { /* margins: group c (binary: output 1's) */
        double got = lg[i * k + (k == 2 && nlogit_cols == 1 ? 1 : c)];
        worst = fmax(worst, fabs(got - r[c])), scale = fmax(scale, fabs(r[c]));
      }
      for (size_t c = 0; c < nout_cols; c++) {
        double got = o[i * k + (k == 2 && nout_cols == 1 ? 1 : c)];
        worst = fmax(worst, fabs(got - r[nlogit_cols + c])), scale = fmax(scale, fabs(r[nlogit_cols + c]));
      }
    }
    printf("%s: %zu rows (%zu missing values), largest difference from XGBoost %.3g (scale %.3g)\n", name, n,
           missing, worst, scale);
    CHECK(worst <= 1e-5 * fmax(1, scale));
    limn_ctx_set_threads(ctx, 2);
    CHECK_OK(ctx, limn_model_forward(ctx, m, x, n, LIMN_SPACE_OUTPUT, o2));
    limn_ctx_set_threads(ctx, 1);
    CHECK(!memcmp(o, o2, n * k * sizeof *o));
  }
  free(x), free(ref), free(o), free(lg), free(o2);
  limn_model_free(m);
}

/* A small model as text, with one field replaced, must fail with `want` in the message. */
static const char *SMALL =
    "{\"learner\":{\"feature_names\":[\"a\",\"b\"],\"learner_model_param\":{\"base_score\":\"5E-1\","
    "\"num_class\":\"0\",\"num_feature\":\"2\"},\"objective\":{\"name\":\"binary:logistic\"},"
    "\"gradient_booster\":{\"name\":\"gbtree\",\"model\":{\"gbtree_model_param\":{\"num_trees\":\"1\"},"
    "\"tree_info\":[0],\"trees\":[{\"tree_param\":{\"num_nodes\":\"3\"},\"left_children\":[1,-1,-1],"
    "\"right_children\":[2,-1,-1],\"split_indices\":[1,0,0],\"split_conditions\":[2.5E0,-1E0,1E0],"
    "\"default_left\":[1,0,0],\"split_type\":[0,0,0]}]}}}}";

static void expect(const char *from, const char *to, int code, const char *want) {
  char buf[2048];
  const char *p = strstr(SMALL, from);
  if (!p) {
    CHECK(p != NULL);
    return;
  }
  snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - SMALL), SMALL, to, p + strlen(from));
  limn_model *m = NULL;
  CHECK_ERR(ctx, limn_model_load_mem(ctx, buf, strlen(buf), "bad.json", &m), code, want);
  CHECK(m == NULL);
}

static void test_small(void) {
  test_begin("a hand-written model");
  limn_model *m = NULL;
  CHECK_OK(ctx, limn_model_load_mem(ctx, SMALL, strlen(SMALL), "small.json", &m));
  if (m) {
    /* b < 2.5 goes left (-1), else right (+1); a missing b goes left (default_left) */
    float x[4 * 2] = {0, 2.4f, 0, 2.5f, 0, NAN, 0, 9}, o[8];
    CHECK_OK(ctx, limn_model_forward(ctx, m, x, 4, LIMN_SPACE_LOGIT, o));
    double got[4] = {o[1], o[3], o[5], o[7]}, want[4] = {-1, 1, -1, 1};
    CHECK_CLOSE("margins", got, want, 4, 1e-7, 0);
    float inf[2] = {0, INFINITY};
    CHECK_ERR(ctx, limn_model_forward(ctx, m, inf, 1, LIMN_SPACE_LOGIT, o), LIMN_ENONFINITE, "not finite");
    CHECK(!strcmp(limn_schema_feature_name(limn_model_schema(m), 1), "b"));
    limn_explanation *e = NULL; /* piecewise constant: no gradients, a pointer to SHAP */
    CHECK_ERR(ctx, limn_explain_gradients(ctx, m, x, 1, NULL, &e), LIMN_EUNSUPPORTED,
              "--method shap or lime");
  }
  limn_model_free(m);
  expect("\"gbtree\",\"model\"", "\"gblinear\",\"model\"", LIMN_EUNSUPPORTED, "booster 'gblinear'");
  expect("binary:logistic", "rank:pairwise", LIMN_EUNSUPPORTED, "objective 'rank:pairwise'");
  expect("\"split_type\":[0,0,0]", "\"split_type\":[1,0,0]", LIMN_EFORMAT,
         "categorical split without categories_nodes");
  expect("\"left_children\":[1,-1,-1]", "\"left_children\":[0,-1,-1]", LIMN_EFORMAT, "do not follow it");
  expect("\"left_children\":[1,-1,-1]", "\"left_children\":[7,-1,-1]", LIMN_EFORMAT, "'left_children'[0]");
  expect("\"split_indices\":[1,0,0]", "\"split_indices\":[5,0,0]", LIMN_EFORMAT, "feature 5 of 2");
  expect("\"num_nodes\":\"3\"", "\"num_nodes\":\"4\"", LIMN_EFORMAT, "num_nodes (4)");
  expect("\"num_trees\":\"1\"", "\"num_trees\":\"2\"", LIMN_EFORMAT, "num_trees (2)");
  expect("[2.5E0,-1E0,1E0]", "[2.5E0,NaN,1E0]", LIMN_EFORMAT, "node 1: the leaf value");
  expect("\"base_score\":\"5E-1\"", "\"base_score\":\"1.5E0\"", LIMN_EFORMAT, "not a probability");
  expect("}]}}}}", "}]}}}", LIMN_EFORMAT, "line 1, column");
}

/* Path-dependent TreeSHAP against XGBoost's pred_contribs (the features, then the bias),
 * per output group (`lead` leading columns per line: wine's row and class); additivity. */
static void check_contribs(const char *name, size_t lead, size_t ngroups) {
  float *x, *ref;
  size_t n, nr;
  limn_model *m = open_case(name, "contribs", lead + 1, 1, &x, &n, &ref, &nr); /* lead, features, bias */
  if (!m)
    return;
  size_t d = limn_model_nfeatures(m), w = lead + d + 1;
  CHECK(x && ref && nr == n * ngroups);
  double worst = 0, scale = 0, gap = 0;
  for (size_t g = 0; g < ngroups && x && ref && nr == n * ngroups; g++) {
    limn_shap_opts o = limn_shap_opts_default();
    long t = ngroups > 1 ? (long)g : limn_model_noutputs(m) == 2 ? 1 : 0;
    o.target = t;
    limn_explanation *e = NULL, *e2 = NULL;
    CHECK_OK(ctx, limn_explain_shap(ctx, m, x, n, &o, &e));
    limn_ctx_set_threads(ctx, 2); /* the same bytes on 2 threads */
    CHECK_OK(ctx, limn_explain_shap(ctx, m, x, n, &o, &e2));
    limn_ctx_set_threads(ctx, 1);
    for (size_t i = 0; e && e2 && i < n; i++)
      CHECK(!memcmp(e[i].attr, e2[i].attr, d * sizeof *e[i].attr) && e[i].base_value == e2[i].base_value);
    limn_explanations_free(ctx, e2, n);
    for (size_t i = 0; e && i < n; i++) {
      const float *r = ref + (ngroups > 1 ? i * ngroups + g : i) * w + lead;
      CHECK(e[i].estimator == LIMN_SHAP_TREE);
      for (size_t j = 0; j < d; j++)
        worst = fmax(worst, fabs(e[i].attr[j] - r[j])), scale = fmax(scale, fabs(r[j]));
      worst = fmax(worst, fabs(e[i].base_value - r[d]));
      gap = fmax(gap, fabs(e[i].delta));
    }
    limn_explanations_free(ctx, e, n);
  }
  printf(
      "%s: TreeSHAP vs XGBoost pred_contribs: largest difference %.3g (largest value %.3g), additivity gap "
      "%.2g\n",
      name, worst, scale, gap);
  CHECK(worst <= 1e-5 * fmax(1, scale));
  CHECK(gap <= 1e-5 * fmax(1, scale));
  free(x), free(ref);
  limn_model_free(m);
}

static limn_model *load(const char *stem) {
  char path[256];
  limn_model *m = NULL;
  snprintf(path, sizeof path, REF "%s.json", stem);
  CHECK_OK(ctx, limn_model_load(ctx, src_path(path), &m));
  return m;
}

/* Test rows of `stem` (float32, as limn reads them). */
static float *rows_of(const char *stem, size_t d, size_t *n) {
  char path[256];
  snprintf(path, sizeof path, REF "%s_test.csv", stem);
  return read_rows(path, d, n);
}

/* An exported scikit-learn model against scikit-learn's outputs: `nprob` probability
 * columns (forward, float) then `nraw` raw columns (TreeSHAP's margins, double), or one
 * regression prediction (both). TreeSHAP's values against `shap` (NULL: additivity only). */
static void check_sk(const char *stem, size_t nprob, size_t nraw, int raw_first, const char *shap) {
  limn_model *m = load(stem);
  if (!m)
    return;
  size_t d = limn_model_nfeatures(m), k = limn_model_noutputs(m), n, nr, cols = nprob + nraw;
  char path[256];
  float *x = rows_of(stem, d, &n);
  snprintf(path, sizeof path, REF "%s_pred.csv", stem);
  double *ref = read_num(path, 0, cols, &nr);
  float *o = calloc(n * k, sizeof *o);
  CHECK(!strcmp(limn_model_kind(m), "sklearn") && x && ref && n == nr && o);
  double wp = 0, wr = 0, ws = 0, gap = 0, scale = 0;
  if (x && ref && n == nr && o) {
    CHECK_OK(ctx, limn_model_forward(ctx, m, x, n, LIMN_SPACE_OUTPUT, o));
    size_t pc = raw_first ? nraw : 0, rc0 = raw_first ? 0 : nprob;
    for (size_t i = 0; i < n; i++)
      for (size_t c = 0; c < nprob; c++)
        wp = fmax(wp, fabs(o[i * k + c] - ref[i * cols + pc + c]));
    /* raw outputs through TreeSHAP, per raw output (binary: class 1's margin) */
    size_t nexp = nraw ? nraw : nprob;
    double *sref = NULL;
    size_t sn = 0, lead = nexp > 1 ? 2 : 0;
    if (shap) {
      snprintf(path, sizeof path, REF "%s", shap);
      sref = read_num(path, lead, d + 1, &sn);
      CHECK(sref && sn == n * nexp);
    }
    for (size_t c = 0; c < nexp; c++) {
      limn_shap_opts so = limn_shap_opts_default();
      so.target = k == 2 && nexp == 1 ? 1 : (long)c;
      limn_explanation *e = NULL;
      CHECK_OK(ctx, limn_explain_shap(ctx, m, x, n, &so, &e));
      for (size_t i = 0; e && i < n; i++) {
        double want = nraw ? ref[i * cols + rc0 + c] : ref[i * cols + c];
        wr = fmax(wr, fabs(e[i].output - want)), scale = fmax(scale, fabs(want));
        gap = fmax(gap, fabs(e[i].delta));
        const double *r = sref && sn == n * nexp ? sref + (nexp > 1 ? i * nexp + c : i) * (d + 1) : NULL;
        for (size_t j = 0; r && j < d; j++)
          ws = fmax(ws, fabs(e[i].attr[j] - r[j]));
        if (r)
          ws = fmax(ws, fabs(e[i].base_value - r[d]));
      }
      limn_explanations_free(ctx, e, n);
    }
    free(sref);
  }
  printf("%s: %zu rows; probabilities (float) %.3g, raw outputs (double) %.3g (scale %.3g), TreeSHAP %.3g, "
         "additivity %.2g\n",
         stem, n, wp, wr, scale, ws, gap);
  CHECK(wp <= 1e-6);
  CHECK(wr <= 1e-9 * fmax(1, scale));
  CHECK(ws <= 1e-9 * fmax(1, scale));
  CHECK(gap <= 1e-9 * fmax(1, scale));
  free(x), free(ref), free(o);
  limn_model_free(m);
}

/* SHAP interaction values against XGBoost's pred_interactions: per (row[, class],
 * feature) line the matrix row (features, bias). */
static void check_interactions(const char *stem, size_t ngroups) {
  limn_model *m = load(stem);
  if (!m)
    return;
  size_t d = limn_model_nfeatures(m), D = d + 1, n, nr;
  char path[256];
  float *x = rows_of(stem, d, &n);
  snprintf(path, sizeof path, REF "%s_interactions.csv", stem);
  double *ref = read_num(path, ngroups > 1 ? 3 : 2, D, &nr);
  size_t rows = ref ? nr / (D * ngroups) : 0;
  CHECK(x && ref && rows > 0 && rows * D * ngroups == nr && rows <= n);
  double *I = calloc(rows * D * D, sizeof *I), *I2 = calloc(rows * D * D, sizeof *I2);
  double worst = 0, scale = 0, sym = 0;
  for (size_t g = 0; g < ngroups && rows && I; g++) {
    long t = ngroups > 1 ? (long)g : limn_model_noutputs(m) == 2 ? 1 : 0;
    CHECK_OK(ctx, limn_shap_interactions(ctx, m, x, rows, t, NULL, I));
    for (size_t i = 0; i < rows; i++)
      for (size_t j = 0; j < D; j++)
        for (size_t c = 0; c < D; c++) {
          double want = ref[((ngroups > 1 ? i * ngroups + g : i) * D + j) * D + c],
                 got = I[(i * D + j) * D + c];
          worst = fmax(worst, fabs(got - want)), scale = fmax(scale, fabs(want));
          sym = fmax(sym, fabs(got - I[(i * D + c) * D + j]));
        }
    if (g == 0) { /* 2 threads: the same bytes */
      limn_ctx_set_threads(ctx, 2);
      CHECK_OK(ctx, limn_shap_interactions(ctx, m, x, rows, t, NULL, I2));
      limn_ctx_set_threads(ctx, 1);
      CHECK(!memcmp(I, I2, rows * D * D * sizeof *I));
    }
  }
  printf("%s: interaction values of %zu rows vs XGBoost pred_interactions: largest difference %.3g (largest "
         "value %.3g), asymmetry %.2g\n",
         stem, rows, worst, scale, sym);
  CHECK(worst <= 1e-5 * fmax(1, scale));
  CHECK(sym <= 1e-9 * fmax(1, scale));
  free(x), free(ref), free(I), free(I2);
  limn_model_free(m);
}

/* Interventional TreeSHAP against the exact values of the margin game over the
 * background (features, then the base = the background's mean margin). */
static void check_interventional(const char *stem) {
  limn_model *m = load(stem);
  if (!m)
    return;
  size_t d = limn_model_nfeatures(m), n, nr, nb;
  char path[256];
  float *x = rows_of(stem, d, &n);
  snprintf(path, sizeof path, REF "%s_interventional.csv", stem);
  double *ref = read_num(path, 0, d + 1, &nr);
  snprintf(path, sizeof path, REF "%s_background.csv", stem);
  double *bgd = read_num(path, 0, d, &nb);
  float *bg = bgd ? to_float(bgd, nb * d) : NULL;
  CHECK(x && ref && bg && nr <= n);
  double worst = 0, scale = 0, gap = 0;
  limn_shap_opts so = limn_shap_opts_default();
  so.background = bg, so.nbackground = nb, so.space = LIMN_SPACE_LOGIT;
  so.target = limn_model_noutputs(m) == 2 ? 1 : 0;
  limn_explanation *e = NULL, *e2 = NULL;
  if (x && ref && bg) {
    CHECK_OK(ctx, limn_explain_shap(ctx, m, x, nr, &so, &e));
    limn_ctx_set_threads(ctx, 2);
    CHECK_OK(ctx, limn_explain_shap(ctx, m, x, nr, &so, &e2));
    limn_ctx_set_threads(ctx, 1);
  }
  for (size_t i = 0; e && e2 && i < nr; i++) {
    CHECK(e[i].estimator == LIMN_SHAP_TREE_INTERVENTIONAL);
    for (size_t j = 0; j < d; j++) {
      worst = fmax(worst, fabs(e[i].attr[j] - ref[i * (d + 1) + j])),
      scale = fmax(scale, fabs(ref[i * (d + 1) + j]));
      CHECK(e[i].attr[j] == e2[i].attr[j]);
    }
    worst = fmax(worst, fabs(e[i].base_value - ref[i * (d + 1) + d]));
    gap = fmax(gap, fabs(e[i].delta));
  }
  printf("%s: interventional TreeSHAP of %zu rows over %zu background rows vs exact: largest difference %.3g "
         "(largest value %.3g), additivity %.2g\n",
         stem, nr, nb, worst, scale, gap);
  CHECK(worst <= 1e-5 * fmax(1, scale));
  CHECK(gap <= 1e-5 * fmax(1, scale));
  limn_explanations_free(ctx, e, nr), limn_explanations_free(ctx, e2, nr);
  free(x), free(ref), free(bgd), free(bg);
  limn_model_free(m);
}

/* Interventional TreeSHAP = limn's exact enumeration of the same game (another
 * algorithm: 2^M coalitions through the model) on the diabetes regressor. */
static void check_against_exact(void) {
  limn_model *m = load("xgb_diab");
  if (!m)
    return;
  size_t d = limn_model_nfeatures(m), n, nb;
  float *x = rows_of("xgb_diab", d, &n);
  double *bgd = read_num(REF "xgb_diab_background.csv", 0, d, &nb);
  float *bg = bgd ? to_float(bgd, 20 * d) : NULL;
  limn_shap_opts so = limn_shap_opts_default();
  so.background = bg, so.nbackground = 20;
  limn_explanation *t = NULL, *e = NULL;
  double worst = 0, scale = 0;
  if (x && bg) {
    CHECK_OK(ctx, limn_explain_shap(ctx, m, x, 4, &so, &t));
    so.estimator = LIMN_SHAP_EXACT;
    CHECK_OK(ctx, limn_explain_shap(ctx, m, x, 4, &so, &e));
  }
  for (size_t i = 0; t && e && i < 4; i++) {
    CHECK(t[i].estimator == LIMN_SHAP_TREE_INTERVENTIONAL && e[i].estimator == LIMN_SHAP_EXACT);
    for (size_t j = 0; j < d; j++)
      worst = fmax(worst, fabs(t[i].attr[j] - e[i].attr[j])), scale = fmax(scale, fabs(e[i].attr[j]));
    worst = fmax(worst, fabs(t[i].base_value - e[i].base_value));
  }
  printf("xgb_diab: interventional TreeSHAP vs exact enumeration through the model (float outputs): largest "
         "difference %.3g (largest value %.3g)\n",
         worst, scale);
  CHECK(worst <= 1e-5 * fmax(1, scale) && scale > 1);
  limn_explanations_free(ctx, t, 4), limn_explanations_free(ctx, e, 4);
  free(x), free(bgd), free(bg);
  limn_model_free(m);
}

/* German credit rows by category name (`file`, the bundled ARFF's schema: codes in its
 * declared order, as the model was trained) into raw rows; NULL on failure. */
static float *credit_rows(const char *file, const limn_schema **sc, limn_dataset **arff, size_t *n) {
  limn_read_opts ro = limn_read_opts_default();
  limn_dataset *ds = NULL;
  ro.target = "class";
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path("data/credit-g.arff"), &ro, arff));
  if (!*arff)
    return NULL;
  ro.schema = *sc = limn_dataset_schema(*arff);
  ro.target_optional = 1;
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path(file), &ro, &ds));
  if (!ds)
    return NULL;
  size_t d = limn_dataset_nfeatures(ds);
  *n = limn_dataset_nrows(ds);
  float *x = malloc(*n * d * sizeof *x);
  memcpy(x, limn_dataset_x(ds), *n * d * sizeof *x);
  limn_dataset_free(ds);
  return x;
}

/* XGBoost's native categorical splits (category codes): predictions and pred_contribs. */
static void check_categorical(void) {
  limn_model *m = load("xgb_credit");
  const limn_schema *sc = NULL;
  limn_dataset *arff = NULL;
  size_t n = 0, nr, nc;
  float *x = m ? credit_rows(REF "xgb_credit_test.csv", &sc, &arff, &n) : NULL;
  double *pred = read_num(REF "xgb_credit_pred.csv", 0, 2, &nr);
  size_t d = m ? limn_model_nfeatures(m) : 0;
  double *con = read_num(REF "xgb_credit_contribs.csv", 0, d + 1, &nc);
  CHECK(x && pred && con && nr == n && nc == n && d == 20);
  float *o = calloc(2 * n, sizeof *o);
  double wp = 0, wc = 0, scale = 0;
  limn_explanation *e = NULL;
  if (x && pred && con && nr == n && nc == n) {
    CHECK_OK(ctx, limn_model_forward(ctx, m, x, n, LIMN_SPACE_LOGIT, o));
    limn_shap_opts so = limn_shap_opts_default();
    so.target = 1;
    CHECK_OK(ctx, limn_explain_shap(ctx, m, x, n, &so, &e));
    for (size_t i = 0; e && i < n; i++) {
      wp = fmax(wp, fabs(o[2 * i + 1] - pred[2 * i]));
      for (size_t j = 0; j <= d; j++) {
        double got = j < d ? e[i].attr[j] : e[i].base_value;
        wc = fmax(wc, fabs(got - con[i * (d + 1) + j])), scale = fmax(scale, fabs(con[i * (d + 1) + j]));
      }
    }
  }
  printf("xgb_credit (categorical splits): %zu rows, margins vs XGBoost %.3g, TreeSHAP vs pred_contribs %.3g "
         "(largest %.3g)\n",
         n, wp, wc, scale);
  CHECK(wp <= 1e-5 && wc <= 1e-5 * fmax(1, scale));
  limn_explanations_free(ctx, e, n);
  free(x), free(pred), free(con), free(o);
  limn_dataset_free(arff);
  limn_model_free(m);
}

/* The same rows one-hot encoded (the groups file's map): grouped interventional
 * TreeSHAP, players the 20 original columns, against the exact grouped values. */
static void check_grouped(void) {
  limn_model *m = load("xgb_credit_onehot");
  const limn_schema *sc = NULL;
  limn_dataset *a1 = NULL, *a2 = NULL;
  size_t n = 0, nb = 0, nr;
  float *x = m ? credit_rows(REF "xgb_credit_test.csv", &sc, &a1, &n) : NULL;
  float *b = m ? credit_rows(REF "xgb_credit_background.csv", &sc, &a2, &nb) : NULL;
  double *ref = read_num(REF "xgb_credit_onehot_interventional_grouped.csv", 0, 21, &nr);
  size_t d = m ? limn_model_nfeatures(m) : 0, P = 20;
  CHECK(x && b && ref && nr == n && d == 63);
  size_t *group = calloc(d ? d : 1, sizeof *group);
  long *code = calloc(d ? d : 1, sizeof *code);
  for (size_t j = 0; j < d && sc; j++) { /* "name#code" or "name" */
    char name[256];
    snprintf(name, sizeof name, "%s", limn_schema_feature_name(limn_model_schema(m), j));
    char *hash = strchr(name, '#');
    code[j] = hash ? strtol(hash + 1, NULL, 10) : -1;
    if (hash)
      *hash = 0;
    long p = limn_schema_find_feature(sc, name);
    CHECK(p >= 0);
    group[j] = p >= 0 ? (size_t)p : 0;
  }
  float *xo = calloc((n + nb) * (d ? d : 1), sizeof *xo), *bo = xo + n * d;
  for (size_t i = 0; x && b && i < n + nb; i++)
    for (size_t j = 0; j < d; j++) {
      float v = i < n ? x[i * P + group[j]] : b[(i - n) * P + group[j]];
      xo[i * d + j] = code[j] < 0 ? v : (float)(v == (float)code[j]);
    }
  double worst = 0, scale = 0;
  limn_explanation *e = NULL;
  if (x && b && ref && nr == n && d == 63) {
    limn_shap_opts so = limn_shap_opts_default();
    so.background = bo, so.nbackground = nb, so.space = LIMN_SPACE_LOGIT, so.target = 1;
    so.groups = group, so.ngroups = P;
    CHECK_OK(ctx, limn_explain_shap(ctx, m, xo, n, &so, &e));
    for (size_t i = 0; e && i < n; i++) {
      CHECK(e[i].estimator == LIMN_SHAP_TREE_INTERVENTIONAL);
      double got[21] = {0};
      for (size_t j = 0; j < d; j++)
        got[group[j]] += e[i].attr[j];
      got[P] = e[i].base_value;
      for (size_t p = 0; p <= P; p++)
        worst = fmax(worst, fabs(got[p] - ref[i * 21 + p])), scale = fmax(scale, fabs(ref[i * 21 + p]));
    }
  }
  printf(
      "xgb_credit_onehot: grouped interventional TreeSHAP (20 players of 63 columns, %zu background rows) vs "
      "exact: largest difference %.3g (largest %.3g)\n",
      nb, worst, scale);
  CHECK(worst <= 1e-6 * fmax(1, scale) && scale > 0.1);
  limn_explanations_free(ctx, e, n);
  free(x), free(b), free(ref), free(group), free(code), free(xo);
  limn_dataset_free(a1), limn_dataset_free(a2);
  limn_model_free(m);
}

/* A split exactly on a data value: XGBoost sends x = threshold right (x < t goes left),
 * scikit-learn left (x <= t); without missing_go_to_left a limn-trees model refuses NaN. */
static void check_conventions(void) {
  const char *xgb = SMALL; /* b < 2.5 left (-1), else right (+1) */
  const char *sk =
      "{\"format\":\"limn-trees\",\"version\":1,\"feature_names\":[\"a\",\"b\"],\"task\":\"regression\","
      "\"n_features\":2,\"n_outputs\":1,\"split\":\"le\",\"combine\":\"sum\",\"tree_weight\":1,"
      "\"base\":[0],\"transform\":\"identity\",\"tree_output\":\"all\",\"trees\":[{"
      "\"children_left\":[1,-1,-1],\"children_right\":[2,-1,-1],\"feature\":[1,-2,-2],"
      "\"threshold\":[2.5,-2,-2],\"value\":[[0],[-1],[1]],\"node_sample_weight\":[4,2,2]}]}";
  limn_model *mx = NULL, *ms = NULL;
  CHECK_OK(ctx, limn_model_load_mem(ctx, xgb, strlen(xgb), "x.json", &mx));
  CHECK_OK(ctx, limn_model_load_mem(ctx, sk, strlen(sk), "s.json", &ms));
  if (mx && ms) {
    float x[2] = {0, 2.5f}, o[2], nan[2] = {0, NAN};
    CHECK_OK(ctx, limn_model_forward(ctx, mx, x, 1, LIMN_SPACE_LOGIT, o));
    CHECK(o[1] == 1.0f); /* XGBoost: 2.5 < 2.5 is false: right */
    CHECK_OK(ctx, limn_model_forward(ctx, ms, x, 1, LIMN_SPACE_OUTPUT, o));
    CHECK(o[0] == -1.0f); /* scikit-learn: 2.5 <= 2.5: left */
    CHECK(limn_model_takes_missing(mx) && !limn_model_takes_missing(ms));
    CHECK_ERR(ctx, limn_model_forward(ctx, ms, nan, 1, LIMN_SPACE_OUTPUT, o), LIMN_ENONFINITE, "not finite");
    CHECK(!strcmp(limn_model_kind(ms), "sklearn") && limn_model_is_trees(ms));
  }
  limn_model_free(mx), limn_model_free(ms);
  /* a categorical split on b with the set {1, 3}: in the set goes right (+1); another
   * code, a negative or a fractional one left (-1); missing the default (left) */
  limn_model *mc = NULL;
  char *buf = NULL;
  FILE *f = fopen(src_path("tests/fuzz/corpus/model/xgb_small_cat.json"), "rb");
  size_t len = 0;
  if (f && (buf = malloc(4096)))
    len = fread(buf, 1, 4096, f);
  if (f)
    fclose(f);
  CHECK_OK(ctx, limn_model_load_mem(ctx, buf, len, "cat.json", &mc));
  if (mc) {
    float x[7 * 2] = {0, 1, 0, 2, 0, 3, 0, 0, 0, -1, 0, 1.5f, 0, NAN}, o[14];
    CHECK_OK(ctx, limn_model_forward(ctx, mc, x, 7, LIMN_SPACE_LOGIT, o));
    double got[7], want[7] = {1, -1, 1, -1, -1, -1, -1};
    for (size_t i = 0; i < 7; i++)
      got[i] = o[2 * i + 1];
    CHECK_CLOSE("categorical decisions", got, want, 7, 0, 0);
  }
  free(buf);
  limn_model_free(mc);
  /* no feature names: columns f0, f1 matched to a data file's columns by position */
  const char *from = "\"feature_names\":[\"a\",\"b\"],";
  const char *at = strstr(SMALL, from);
  char nonames[2048];
  snprintf(nonames, sizeof nonames, "%.*s%s", (int)(at - SMALL), SMALL, at + strlen(from));
  limn_model *mn = NULL;
  CHECK_OK(ctx, limn_model_load_mem(ctx, nonames, strlen(nonames), "nonames.json", &mn));
  if (mn) {
    CHECK(!strcmp(limn_schema_feature_name(limn_model_schema(mn), 1), "f1"));
    CHECK(limn_schema_positional(limn_model_schema(mn)));
    limn_read_opts ro = limn_read_opts_default();
    ro.schema = limn_model_schema(mn), ro.target_optional = 1;
    const char *csv = "x,y,label\n0,2.4,p\n0,9,q\n";
    limn_dataset *ds = NULL;
    CHECK_OK(ctx, limn_dataset_parse_csv(ctx, csv, strlen(csv), "rows.csv", &ro, &ds));
    float o[4];
    if (ds)
      CHECK_OK(ctx, limn_model_forward(ctx, mn, limn_dataset_x(ds), 2, LIMN_SPACE_LOGIT, o));
    CHECK(ds && o[1] == -1.0f && o[3] == 1.0f);
    limn_dataset_free(ds);
    const char *narrow = "x\n0\n";
    CHECK_ERR(ctx, limn_dataset_parse_csv(ctx, narrow, strlen(narrow), "narrow.csv", &ro, &ds),
              LIMN_ENOTFOUND, "takes the first 2 by position");
  }
  limn_model_free(mn);
  /* the statistics of a column with missing values: of the present ones (1, 3, 5, 7) */
  limn_read_opts ro = limn_read_opts_default();
  limn_model *ms2 = NULL;
  CHECK_OK(ctx, limn_model_load_mem(ctx, SMALL, strlen(SMALL), "small.json", &ms2));
  if (ms2) {
    ro.schema = limn_model_schema(ms2), ro.target_optional = 1, ro.missing_ok = 1;
    const char *csv = "a,b\n1,0\n,0\n3,0\n5,0\n,0\n7,0\n";
    limn_dataset *ds = NULL;
    limn_stats *st = NULL;
    CHECK_OK(ctx, limn_dataset_parse_csv(ctx, csv, strlen(csv), "m.csv", &ro, &ds));
    if (ds)
      CHECK_OK(ctx, limn_stats_compute(ctx, ds, &st));
    if (st) {
      double got[4] = {limn_stats_mean(st, 0), limn_stats_std(st, 0), limn_stats_min(st, 0),
                       limn_stats_max(st, 0)};
      double want[4] = {4, sqrt(5.0), 1, 7};
      CHECK_CLOSE("statistics of the present values", got, want, 4, 1e-12, 0);
    }
    limn_stats_free(st);
    limn_dataset_free(ds);
    const char *none = "a,b\n,0\n,1\n";
    CHECK_OK(ctx, limn_dataset_parse_csv(ctx, none, strlen(none), "none.csv", &ro, &ds));
    if (ds)
      CHECK_ERR(ctx, limn_stats_compute(ctx, ds, &st), LIMN_EINVAL, "every value is missing");
    limn_dataset_free(ds);
  }
  limn_model_free(ms2);
}

int main(void) {
  ctx = limn_ctx_create(NULL);
  limn_ctx_set_threads(ctx, 1);
  test_begin("XGBoost's own predictions");
  check_model("xgb_bc", 1, 1);
  check_model("xgb_diab", 0, 1);
  check_model("xgb_wine", 3, 3);
  test_begin("TreeSHAP = XGBoost's pred_contribs");
  check_contribs("xgb_bc", 0, 1);
  check_contribs("xgb_diab", 0, 1);
  check_contribs("xgb_wine", 2, 3);
  test_begin("scikit-learn models (the shared fixtures)");
  check_sk("sk_rf_wine", 3, 0, 0, "sk_rf_wine_shap.csv");
  check_sk("sk_gb_bc", 2, 1, 1, "sk_gb_bc_shap.csv");
  check_sk("sk_dt_diab", 0, 1, 0, "sk_dt_diab_shap.csv");
  check_sk("sk_hgb_bc", 2, 1, 1, "sk_hgb_bc_shap.csv");
  test_begin("scikit-learn models exported by tools/export_sklearn_trees.py");
  check_sk("sk_et_iris", 3, 0, 0, NULL);
  check_sk("sk_dtc_iris", 3, 0, 0, NULL);
  check_sk("sk_gb_wine", 3, 3, 0, NULL);
  check_sk("sk_hgb_wine", 3, 3, 0, NULL);
  check_sk("sk_rfr_diab", 0, 1, 0, NULL);
  check_sk("sk_etr_diab", 0, 1, 0, NULL);
  check_sk("sk_gbr_diab", 0, 1, 0, NULL);
  check_sk("sk_hgbr_diab", 0, 1, 0, NULL);
  test_begin("SHAP interaction values = XGBoost's pred_interactions");
  check_interactions("xgb_bc", 1);
  check_interactions("xgb_diab", 1);
  check_interactions("xgb_wine", 3);
  test_begin("interventional TreeSHAP");
  check_interventional("xgb_bc");
  check_interventional("xgb_diab");
  check_against_exact();
  test_begin("categorical splits, groups, conventions");
  check_categorical();
  check_grouped();
  check_conventions();
  test_small();
  limn_ctx_free(ctx);
  return test_end();
}

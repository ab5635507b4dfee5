/* Shapley values against independent references and the axioms: the exact oracle of a
 * 10-feature MLP (tests/fixtures/reference/shap, four games), KernelSHAP equal to exact
 * when it enumerates every coalition, permutation sampling converging at the 1/sqrt rate
 * with standard errors that cover the true error, efficiency, linear models, dummy and
 * symmetric players, determinism, errors. */
#include "../harness.h"

static limn_ctx *ctx;
static const char *FX = "tests/fixtures/shap_mlp_bc10.txt";

typedef struct bc10 {
  limn_model *m;
  limn_dataset *bg, *te;
} bc10;

static int load_bc10(bc10 *b) {
  memset(b, 0, sizeof *b);
  if (limn_model_load(ctx, src_path("tests/fixtures/reference/shap/mlp_bc10.limn"), &b->m))
    return 0;
  limn_read_opts ro = limn_read_opts_default();
  ro.schema = limn_model_schema(b->m);
  ro.target_optional = 1;
  return !limn_dataset_read(ctx, src_path("tests/fixtures/reference/shap/mlp_bc10_background.csv"), &ro,
                            &b->bg) &&
         !limn_dataset_read(ctx, src_path("tests/fixtures/reference/shap/mlp_bc10_test.csv"), &ro, &b->te);
}

static void free_bc10(bc10 *b) { limn_dataset_free(b->bg), limn_dataset_free(b->te), limn_model_free(b->m); }

/* The explanations of the 10 test rows for P(benign) (or its logit). */
static limn_explanation *explain(const bc10 *b, limn_shap_opts o) {
  limn_explanation *ex = NULL;
  if (!o.background)
    o.background = limn_dataset_x(b->bg), o.nbackground = limn_dataset_nrows(b->bg);
  o.target = 1;
  CHECK_OK(ctx, limn_explain_shap(ctx, b->m, limn_dataset_x(b->te), 10, &o, &ex));
  return ex;
}

/* Exact values of every game equal the oracle: 1e-6 (the model computes in float32). */
static void test_oracle(const bc10 *b) {
  test_begin("exact = oracle");
  const char *games[] = {"prob", "logit", "prob_logit_link", "baseline_mean_prob"};
  size_t n;
  float *mean_row = NULL;
  double *mr = read_vec(src_path(FX), "baseline_mean_row", &n);
  if (mr && n == 10) {
    mean_row = malloc(10 * sizeof *mean_row);
    for (int j = 0; j < 10; j++)
      mean_row[j] = (float)mr[j];
  }
  for (int g = 0; g < 4; g++) {
    char name[64];
    snprintf(name, sizeof name, "%s_phi", games[g]);
    double *phi = read_vec(src_path(FX), name, &n);
    snprintf(name, sizeof name, "%s_base", games[g]);
    double *base = read_vec(src_path(FX), name, &n);
    snprintf(name, sizeof name, "%s_output", games[g]);
    double *out = read_vec(src_path(FX), name, &n);
    limn_shap_opts o = limn_shap_opts_default();
    o.estimator = LIMN_SHAP_EXACT;
    if (g == 1)
      o.space = LIMN_SPACE_LOGIT;
    if (g == 2)
      o.link = LIMN_LINK_LOGIT;
    if (g == 3)
      o.background = mean_row, o.nbackground = 1;
    limn_explanation *ex = phi && base && out && mean_row ? explain(b, o) : NULL;
    CHECK(ex != NULL);
    if (ex) {
      double got[100], gb[10], go[10], gap = 0;
      for (int i = 0; i < 10; i++) {
        for (int j = 0; j < 10; j++)
          got[i * 10 + j] = ex[i].attr[j];
        gb[i] = ex[i].base_value, go[i] = ex[i].output;
        gap = fmax(gap, fabs(ex[i].delta));
        CHECK(ex[i].method == LIMN_METHOD_SHAP && ex[i].estimator == LIMN_SHAP_EXACT);
      }
      CHECK_CLOSE(games[g], got, phi, 100, 1e-6, 1e-6);
      CHECK_CLOSE("base value", gb, base, 10, 1e-6, 1e-6);
      CHECK_CLOSE("output", go, out, 10, 1e-6, 1e-6);
      CHECK(gap < 1e-12); /* efficiency to rounding */
      if (g == 2) {       /* the logit link's reason codes speak of the logit */
        limn_render_opts ro = limn_render_opts_default();
        ro.model = b->m;
        limn_reason rs[1];
        size_t nr = limn_reason_codes(&ro, &ex[0], limn_dataset_x(b->te), 0, 1, rs);
        CHECK(nr == 1 && strstr(rs[0].text, "(raised the logit of 1 by")); /* class 1: benign */
      }
    }
    limn_explanations_free(ctx, ex, 10);
    free(phi), free(base), free(out);
  }
  free(mr), free(mean_row);
}

/* KernelSHAP's default budget at M = 10 (2068 >= 2^10 - 2) enumerates every coalition
 * and solves to the exact values; auto is exact at M = 10. */
static void test_kernel_complete(const bc10 *b) {
  test_begin("kernel, every coalition = exact");
  limn_shap_opts o = limn_shap_opts_default();
  o.estimator = LIMN_SHAP_EXACT;
  limn_explanation *a = explain(b, o);
  o.estimator = LIMN_SHAP_KERNEL;
  limn_explanation *k = explain(b, o);
  o.estimator = LIMN_SHAP_AUTO;
  limn_explanation *u = explain(b, o);
  if (a && k && u) {
    double x[100], y[100], z[100], se = 0;
    for (int i = 0; i < 100; i++) {
      x[i] = a[i / 10].attr[i % 10], y[i] = k[i / 10].attr[i % 10], z[i] = u[i / 10].attr[i % 10];
      se = fmax(se, k[i / 10].std_error[i % 10]);
    }
    CHECK_CLOSE("kernel", y, x, 100, 1e-12, 0);
    CHECK_CLOSE("auto", z, x, 100, 0, 0);
    CHECK(se == 0 && k[0].estimator == LIMN_SHAP_KERNEL && k[0].num_samples == 1024);
  }
  limn_explanations_free(ctx, a, 10), limn_explanations_free(ctx, k, 10), limn_explanations_free(ctx, u, 10);
}

/* Row 7 explained alone equals row 7 of `all` (explain(b, o) of the 10 rows), and the
 * 10 rows on 1 and 2 threads equal `all`. */
static int same_alone_and_on_threads(const bc10 *b, limn_shap_opts o, const limn_explanation *all) {
  limn_explanation *one = NULL, *t1 = NULL, *t2 = NULL;
  size_t id = 7;
  o.row_ids = &id, o.background = limn_dataset_x(b->bg), o.nbackground = limn_dataset_nrows(b->bg),
  o.target = 1;
  CHECK_OK(ctx, limn_explain_shap(ctx, b->m, limn_dataset_x(b->te) + 7 * 10, 1, &o, &one));
  o.row_ids = NULL;
  limn_ctx_set_threads(ctx, 1);
  t1 = explain(b, o);
  limn_ctx_set_threads(ctx, 2);
  t2 = explain(b, o);
  limn_ctx_set_threads(ctx, 0);
  int same = one && t1 && t2 && all;
  for (int j = 0; same && j < 10; j++)
    same =
        one[0].attr[j] == all[7].attr[j] && t1[3].attr[j] == t2[3].attr[j] && t1[3].attr[j] == all[3].attr[j];
  limn_explanations_free(ctx, one, 1), limn_explanations_free(ctx, t1, 10),
      limn_explanations_free(ctx, t2, 10);
  return same;
}

/* Sampled estimators: efficiency exact; permutation's error falls like 1/sqrt(samples)
 * and its standard errors cover the true error at about their nominal rate; sampled
 * kernel close; a row alone equals the row among others; the same on 1 and 2 threads. */
static void test_sampled(const bc10 *b) {
  test_begin("sampled estimators");
  limn_shap_opts o = limn_shap_opts_default();
  o.estimator = LIMN_SHAP_EXACT;
  limn_explanation *ex = explain(b, o);
  double err[2] = {0, 0}, gap = 0;
  size_t covered = 0, total = 0;
  o.estimator = LIMN_SHAP_PERMUTATION;
  for (int q = 0; q < 2 && ex; q++) {
    o.nsamples = q ? 100 * 21 : 21; /* 1 permutation vs 100: error / 10 */
    for (uint64_t seed = 0; seed < 10; seed++) {
      o.seed = seed;
      limn_explanation *p = explain(b, o);
      for (int i = 0; p && i < 10; i++) {
        gap = fmax(gap, fabs(p[i].delta));
        for (int j = 0; j < 10; j++) {
          double e = fabs(p[i].attr[j] - ex[i].attr[j]);
          err[q] += e;
          if (q) {
            total++;
            covered += e <= 2 * p[i].std_error[j];
          }
        }
      }
      limn_explanations_free(ctx, p, 10);
    }
  }
  double ratio = err[0] / err[1], cover = total ? (double)covered / (double)total : 0;
  printf("permutation: mean |error| 1 / 100 permutations: %.3g / %.3g (ratio %.2f, sqrt rate 10); "
         "2 s.e. cover %.3f of %zu values\n",
         err[0] / 1000, err[1] / 1000, ratio, cover, total);
  CHECK(ratio > 6 && ratio < 16);
  CHECK(cover > 0.85 && cover < 1.0);
  CHECK(gap < 1e-12);
  /* sampled kernel: 200 and 900 coalitions of 1022, five seeds each; the error falls */
  double kerr[2] = {0, 0};
  size_t kcov = 0, kn = 0;
  limn_explanation *k = NULL;
  o.estimator = LIMN_SHAP_KERNEL;
  for (int q = 0; q < 2; q++)
    for (uint64_t seed = 0; seed < 5; seed++) {
      o.nsamples = q ? 900 : 200, o.seed = seed;
      limn_explanations_free(ctx, k, 10);
      k = explain(b, o);
      for (int i = 0; k && ex && i < 10; i++) {
        gap = fmax(gap, fabs(k[i].delta));
        for (int j = 0; j < 10; j++) {
          double e = fabs(k[i].attr[j] - ex[i].attr[j]);
          kerr[q] += e / 500;
          kcov += e <= 2 * k[i].std_error[j], kn++;
        }
        CHECK(k[i].num_samples > 2 && k[i].num_samples <= o.nsamples + 2);
      }
    }
  printf("kernel: mean |error| at 200 / 900 coalitions of 1022: %.3g / %.3g; 2 jackknife s.e. cover %.3f of "
         "%zu values\n",
         kerr[0], kerr[1], (double)kcov / (double)kn, kn);
  CHECK(kerr[0] < 0.02 && kerr[1] < kerr[0] / 2 && gap < 1e-12);
  CHECK((double)kcov / (double)kn > 0.8);
  CHECK(same_alone_and_on_threads(b, o, k)); /* row 7 alone, and on 1 and 2 threads */
  limn_explanations_free(ctx, k, 10), limn_explanations_free(ctx, ex, 10);
}

/* sampling (a permutation per background row, the rows stratified): against exact, the
 * error falls like 1/sqrt(permutations) (1 vs 100 per background row: 10x), the
 * standard errors (within each row's permutations) cover the true error at about their
 * nominal rate, efficiency holds exactly, the budget is rounded up to whole passes over
 * the background, a row alone equals the row among others, the same on 1 and 2 threads,
 * and the logit link is refused (a logit of a mean is no mean of per-row games). */
static void test_sampling(const bc10 *b) {
  test_begin("sampling");
  limn_shap_opts o = limn_shap_opts_default();
  o.estimator = LIMN_SHAP_EXACT;
  limn_explanation *ex = explain(b, o), *s = NULL;
  size_t N = limn_dataset_nrows(b->bg), covered = 0, total = 0;
  double err[2] = {0, 0}, gap = 0;
  o.estimator = LIMN_SHAP_SAMPLING;
  for (int q = 0; q < 2 && ex; q++) {
    o.nsamples = q ? 100 * N : N;
    for (uint64_t seed = 0; seed < 10; seed++) {
      o.seed = seed;
      limn_explanations_free(ctx, s, 10);
      s = explain(b, o);
      for (int i = 0; s && i < 10; i++) {
        gap = fmax(gap, fabs(s[i].delta));
        CHECK(s[i].estimator == LIMN_SHAP_SAMPLING && s[i].num_samples == o.nsamples);
        for (int j = 0; j < 10; j++) {
          double e = fabs(s[i].attr[j] - ex[i].attr[j]);
          err[q] += e;
          if (q)
            total++, covered += e <= 2 * s[i].std_error[j];
        }
      }
    }
  }
  double ratio = err[0] / err[1], cover = total ? (double)covered / (double)total : 0;
  printf("sampling: mean |error| 1 / 100 permutations per background row: %.3g / %.3g (ratio %.2f, sqrt rate "
         "10); 2 s.e. cover %.3f of %zu values\n",
         err[0] / 1000, err[1] / 1000, ratio, cover, total);
  CHECK(ratio > 6 && ratio < 16);
  CHECK(cover > 0.9 && cover < 0.99);
  CHECK(gap < 1e-12);
  /* whole passes: 25 asked of 20 background rows -> 40 */
  o.nsamples = N + 5, o.seed = 3;
  limn_explanations_free(ctx, s, 10);
  s = explain(b, o);
  CHECK(s && s[0].num_samples == 2 * N);
  CHECK(same_alone_and_on_threads(b, o, s));
  o.background = limn_dataset_x(b->bg), o.nbackground = N, o.link = LIMN_LINK_LOGIT;
  limn_explanation *bad = NULL;
  CHECK_ERR(ctx, limn_explain_shap(ctx, b->m, limn_dataset_x(b->te), 1, &o, &bad), LIMN_EINVAL,
            "sampling estimator needs the identity link");
  limn_explanations_free(ctx, s, 10), limn_explanations_free(ctx, ex, 10);
}

/* sampling through a limn MLP of 16 slots or more takes the chain path (the first layer
 * updated along each permutation): on breast cancer (30 numeric slots) and German credit
 * (one-hot slots), players of several columns (groups), so exact values exist: the error
 * falls like 1/sqrt(permutations) (1 vs 64 per background row: 8x), +-2 s.e. cover, and
 * efficiency is exact. */
static void chain_case(const char *what, const limn_model *m, const float *x, size_t n, const float *bg,
                       size_t nbg, const size_t *groups, size_t ngroups) {
  limn_shap_opts o = limn_shap_opts_default();
  o.background = bg, o.nbackground = nbg, o.groups = groups, o.ngroups = ngroups, o.target = 1;
  o.estimator = LIMN_SHAP_EXACT;
  limn_explanation *ex = NULL, *s = NULL;
  size_t d = limn_model_nfeatures(m), covered = 0, total = 0;
  CHECK_OK(ctx, limn_explain_shap(ctx, m, x, n, &o, &ex));
  double err[2] = {0, 0}, gap = 0;
  o.estimator = LIMN_SHAP_SAMPLING;
  for (int q = 0; q < 2 && ex; q++)
    for (uint64_t seed = 0; seed < 10; seed++) {
      o.nsamples = q ? 64 * nbg : nbg, o.seed = seed;
      CHECK_OK(ctx, limn_explain_shap(ctx, m, x, n, &o, &s));
      for (size_t i = 0; s && i < n; i++) {
        gap = fmax(gap, fabs(s[i].delta));
        for (size_t j = 0; j < d; j++) {
          double e = fabs(s[i].attr[j] - ex[i].attr[j]);
          err[q] += e;
          if (q && ex[i].attr[j] != 0)
            total++, covered += e <= 2 * s[i].std_error[j];
        }
      }
      limn_explanations_free(ctx, s, n);
      s = NULL;
    }
  double ratio = err[0] / err[1], cover = total ? (double)covered / (double)total : 0;
  printf(
      "sampling, %s: |error| ratio 1 / 64 permutations per background row %.2f (sqrt rate 8); 2 s.e. cover "
      "%.3f of %zu; efficiency gap %.2g\n",
      what, ratio, cover, total, gap);
  CHECK(ratio > 5 && ratio < 12);
  CHECK(cover > 0.88 && cover <= 1.0);
  CHECK(gap < 1e-12);
  limn_explanations_free(ctx, ex, n);
}

static void test_sampling_chains(void) {
  test_begin("sampling through the MLP's chains; a categorical column is one player");
  limn_model *m = NULL;
  limn_dataset *te = NULL, *ds = NULL;
  size_t groups[64];
  CHECK_OK(ctx, limn_model_load(ctx, src_path("tests/fixtures/sklearn_bc.limn"), &m));
  limn_read_opts ro = limn_read_opts_default();
  if (m) {
    ro.schema = limn_model_schema(m), ro.target_optional = 1;
    CHECK_OK(ctx, limn_dataset_read(ctx, src_path("tests/fixtures/breast_cancer_test.csv"), &ro, &te));
  }
  if (te) {
    for (size_t j = 0; j < 30; j++)
      groups[j] = j % 10;
    const float *x = limn_dataset_x(te);
    chain_case("breast cancer, 10 players of 3 columns", m, x, 4, x + 40 * 30, 20, groups, 10);
  }
  limn_dataset_free(te), limn_model_free(m);
  m = NULL;
  ro = limn_read_opts_default();
  ro.target = "class";
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path("data/credit-g.arff"), &ro, &ds));
  limn_mlp_opts mo = limn_mlp_opts_default();
  mo.max_epochs = 5;
  if (ds)
    CHECK_OK(ctx, limn_mlp_train(ctx, ds, &mo, &m));
  if (m && ds) {
    size_t d = limn_model_nfeatures(m);
    for (size_t j = 0; j < d; j++)
      groups[j] = j % 8;
    const float *x = limn_dataset_x(ds);
    CHECK(limn_model_nslots(m) >= 16);
    chain_case("German credit, one-hot slots, 8 players", m, x, 4, x + 100 * d, 20, groups, 8);
    /* a categorical column is one player (all its one-hot slots move together): a row
     * that differs from the baseline row in two categorical columns and one numeric
     * one has three players, and their values are the 3-player Shapley formula over
     * the model's own predictions of the 8 coalition rows */
    const limn_schema *sc = limn_model_schema(m);
    const float *r = x + 200 * d;
    float row[64], z[8 * 64], pr[8 * 2];
    size_t pl[3], np = 0;
    for (size_t j = 0; j < d && np < 2; j++)
      if (limn_schema_ncategories(sc, j) > 2)
        pl[np++] = j;
    for (size_t j = 0; j < d && np < 3; j++)
      if (limn_schema_ncategories(sc, j) == 0)
        pl[np++] = j;
    memcpy(row, r, d * sizeof *row);
    row[pl[0]] = (float)(((size_t)r[pl[0]] + 1) % limn_schema_ncategories(sc, pl[0]));
    row[pl[1]] = (float)(((size_t)r[pl[1]] + 2) % limn_schema_ncategories(sc, pl[1]));
    row[pl[2]] = r[pl[2]] + 7;
    for (int c = 0; c < 8; c++) {
      memcpy(z + c * d, r, d * sizeof *z);
      for (int t = 0; t < 3; t++)
        if (c >> t & 1)
          z[c * d + pl[t]] = row[pl[t]];
    }
    CHECK_OK(ctx, limn_model_predict(ctx, m, z, 8, pr));
    double want[3] = {0, 0, 0}, w[3] = {1.0 / 3, 1.0 / 6, 1.0 / 3};
    for (int t = 0; t < 3; t++)
      for (int c = 0; c < 8; c++)
        if (!(c >> t & 1)) {
          int size = (c & 1) + (c >> 1 & 1) + (c >> 2 & 1);
          want[t] += w[size] * ((double)pr[2 * (c | 1 << t) + 1] - (double)pr[2 * c + 1]);
        }
    for (int e = LIMN_SHAP_EXACT; e <= LIMN_SHAP_SAMPLING; e += LIMN_SHAP_SAMPLING - LIMN_SHAP_EXACT) {
      limn_shap_opts o = limn_shap_opts_default();
      o.background = r, o.nbackground = 1, o.target = 1, o.estimator = (limn_shap_estimator)e;
      limn_explanation *ex = NULL;
      CHECK_OK(ctx, limn_explain_shap(ctx, m, row, 1, &o, &ex));
      if (!ex)
        continue;
      double got[3] = {ex[0].attr[pl[0]], ex[0].attr[pl[1]], ex[0].attr[pl[2]]}, rest = 0;
      for (size_t j = 0; j < d; j++)
        rest += j == pl[0] || j == pl[1] || j == pl[2] ? 0 : fabs(ex[0].attr[j]);
      /* exact: to float rounding; sampling over 3 players: every antithetic pair covers
       * two of the 6 orders, so 2000 pairs come close */
      CHECK_CLOSE(limn_shap_estimator_name((limn_shap_estimator)e), got, want, 3,
                  e == LIMN_SHAP_EXACT ? 1e-6 : 3e-3, 0);
      CHECK(rest == 0 && fabs(ex[0].delta) < 1e-12);
      limn_explanations_free(ctx, ex, 1);
    }
  }
  limn_dataset_free(ds), limn_model_free(m);
}

/* --tolerance: the budget doubles until every standard error is below it. */
static void test_tolerance(const bc10 *b) {
  test_begin("tolerance");
  for (int e = LIMN_SHAP_KERNEL; e <= LIMN_SHAP_SAMPLING; e++) {
    limn_shap_opts o = limn_shap_opts_default();
    o.estimator = (limn_shap_estimator)e, o.nsamples = e == LIMN_SHAP_KERNEL ? 100 : 210, o.tolerance = 0.003;
    limn_explanation *ex = explain(b, o);
    double worst = 0;
    size_t grew = 0;
    for (int i = 0; ex && i < 10; i++) {
      for (int j = 0; j < 10; j++)
        worst = fmax(worst, ex[i].std_error[j]);
      grew += ex[i].num_samples > 2 + o.nsamples + 20; /* (sampling: whole passes of the 20 rows) */
    }
    printf("%s with tolerance 0.003: largest standard error %.3g, %zu of 10 rows sampled more\n",
           limn_shap_estimator_name(o.estimator), worst, grew);
    CHECK(ex && worst <= 0.003 && grew > 0);
    limn_explanations_free(ctx, ex, 10);
  }
}

/* F(x) = w.x + c: interventional phi_j = w_j (x_j - mean over the background of r_j);
 * a column with weight 0 gets exactly 0; two identical columns with the same weight
 * and values get equal values. */
/* The linear regression F(x) = W.x + 0.25 on five columns a..e, and four background rows. */
static const float BG[4 * 5] = {1, 2, 3, 4, 4, -1, 0, 2, 1, 1, 0.5f, 1, -3, 2, 2, 3, -2, 1, 0, 0};
static limn_model *linear5(const float *W) {
  static const char *const names[] = {"a", "b", "c", "d", "e"};
  limn_schema *s = regression_schema(ctx, names, 5);
  float bias[1] = {0.25f};
  limn_mlp_layer L = {5, 1, W, bias};
  limn_model *m = NULL;
  limn_mlp_spec spec = {s, NULL, NULL, 1, &L, LIMN_ACT_RELU, LIMN_ACT_IDENTITY, 0, 1};
  CHECK_OK(ctx, limn_mlp_create(ctx, &spec, &m));
  limn_schema_free(s);
  return m;
}

static void test_axioms(void) {
  test_begin("axioms on a linear model");
  float W[5] = {0.5f, -2.0f, 0.0f, 1.25f, 1.25f};
  limn_model *m = linear5(W);
  const float *bg = BG;
  float x[5] = {2, -1, 7, 0.5f, 0.5f};
  for (int e = LIMN_SHAP_EXACT; e <= LIMN_SHAP_SAMPLING && m; e++) {
    limn_shap_opts o = limn_shap_opts_default();
    o.estimator = (limn_shap_estimator)e, o.background = bg, o.nbackground = 4, o.nsamples = 110;
    limn_explanation *ex = NULL;
    CHECK_OK(ctx, limn_explain_shap(ctx, m, x, 1, &o, &ex));
    if (!ex)
      continue;
    double got[5], want[5];
    for (int j = 0; j < 5; j++) {
      double mean = (bg[j] + bg[5 + j] + bg[10 + j] + bg[15 + j]) / 4.0;
      want[j] = W[j] * (x[j] - mean);
      got[j] = ex[0].attr[j];
    }
    /* exact for every estimator: a linear game has no interactions (permutation: each
     * permutation is exact; sampling: each one's value is w_j (x_j - r_j), and every
     * background row r plays equally often; kernel: the regression fits exactly) */
    CHECK_CLOSE(limn_shap_estimator_name(ex[0].estimator), got, want, 5, 1e-6, 1e-6);
    CHECK(fabs(ex[0].attr[2]) < 1e-12);                /* dummy (the kernel's solve: to rounding) */
    CHECK(fabs(ex[0].attr[3] - ex[0].attr[4]) < 1e-9); /* symmetry */
    CHECK(fabs(ex[0].delta) < 1e-12);
    limn_explanations_free(ctx, ex, 1);
  }
  /* a column equal in x and every background row is no player: 0, and M counts it out */
  float bg2[2 * 5] = {1, 2, 3, 4, 5, 0, 2, 3, 1, 5};
  float x2[5] = {1, 2, 3, 4, 5};
  limn_shap_opts o = limn_shap_opts_default();
  o.background = bg2, o.nbackground = 2;
  limn_explanation *ex = NULL;
  CHECK_OK(ctx, limn_explain_shap(ctx, m, x2, 1, &o, &ex));
  if (ex)
    CHECK(ex[0].attr[1] == 0 && ex[0].attr[2] == 0 && ex[0].attr[4] == 0 && ex[0].num_samples == 4);
  limn_explanations_free(ctx, ex, 1);
  limn_model_free(m);
}

static void test_errors(const bc10 *b) {
  test_begin("errors");
  limn_shap_opts o = limn_shap_opts_default();
  limn_explanation *ex = NULL;
  const float *x = limn_dataset_x(b->te);
  CHECK_ERR(ctx, limn_explain_shap(ctx, b->m, x, 1, &o, &ex), LIMN_EINVAL, "needs background rows");
  o.background = limn_dataset_x(b->bg), o.nbackground = 20;
  o.estimator = LIMN_SHAP_PERMUTATION, o.nsamples = 20;
  CHECK_ERR(ctx, limn_explain_shap(ctx, b->m, x, 1, &o, &ex), LIMN_EINVAL, "below one permutation's 21");
  o.estimator = LIMN_SHAP_AUTO, o.nsamples = 0, o.target = 5;
  CHECK_ERR(ctx, limn_explain_shap(ctx, b->m, x, 1, &o, &ex), LIMN_EINVAL, "output 5 does not exist");
  o.target = -1, o.space = LIMN_SPACE_LOGIT, o.link = LIMN_LINK_LOGIT;
  CHECK_ERR(ctx, limn_explain_shap(ctx, b->m, x, 1, &o, &ex), LIMN_EINVAL, "logit link needs probabilities");
  float bad[10] = {1, 2, 3, NAN, 5, 6, 7, 8, 9, 10};
  o = limn_shap_opts_default();
  o.background = bad, o.nbackground = 1;
  CHECK_ERR(ctx, limn_explain_shap(ctx, b->m, x, 1, &o, &ex), LIMN_ENONFINITE, "SHAP background");
  CHECK(ex == NULL);
  limn_shap_estimator e;
  CHECK(limn_shap_estimator_parse("permutation", &e) == LIMN_OK && e == LIMN_SHAP_PERMUTATION);
  CHECK(limn_shap_estimator_parse("forest", &e) == LIMN_EINVAL &&
        !strcmp(limn_link_name(LIMN_LINK_LOGIT), "logit"));
  CHECK(limn_shap_estimator_parse("tree", &e) == LIMN_OK && e == LIMN_SHAP_TREE);
  o = limn_shap_opts_default(); /* TreeSHAP needs a tree model */
  o.estimator = LIMN_SHAP_TREE;
  CHECK_ERR(ctx, limn_explain_shap(ctx, b->m, x, 1, &o, &ex), LIMN_EINVAL, "needs a tree model");
}

/* Groups: columns that play together. Singleton groups give the ungrouped values; on a
 * linear model a group's value is the sum of its columns' w_j (x_j - mean r_j) (each
 * estimator); the value sits on the group's first column, the others hold 0. */
static void test_groups(void) {
  test_begin("groups");
  float W[5] = {0.5f, -2.0f, 0.75f, 1.25f, 1.0f};
  limn_model *m = linear5(W);
  const float *bg = BG;
  float x[5] = {2, -1, 7, 0.5f, 0.25f};
  size_t single[5] = {0, 1, 2, 3, 4}, pairs[5] = {1, 0, 1, 2, 0}; /* {b, e}, {a, c}, {d} */
  double want[3] = {0, 0, 0};
  for (int j = 0; j < 5; j++) {
    double mean = (bg[j] + bg[5 + j] + bg[10 + j] + bg[15 + j]) / 4.0;
    want[pairs[j]] += W[j] * (x[j] - mean);
  }
  limn_explanation *u = NULL, *one = NULL;
  limn_shap_opts o = limn_shap_opts_default();
  o.background = bg, o.nbackground = 4;
  CHECK_OK(ctx, limn_explain_shap(ctx, m, x, 1, &o, &u));
  o.groups = single, o.ngroups = 5;
  CHECK_OK(ctx, limn_explain_shap(ctx, m, x, 1, &o, &one));
  int same = u && one;
  for (int j = 0; same && j < 5; j++)
    same = u[0].attr[j] == one[0].attr[j];
  CHECK(same);
  limn_explanations_free(ctx, u, 1), limn_explanations_free(ctx, one, 1);
  for (int e = LIMN_SHAP_EXACT; e <= LIMN_SHAP_SAMPLING && m; e++) {
    limn_explanation *ex = NULL;
    o.estimator = (limn_shap_estimator)e, o.groups = pairs, o.ngroups = 3, o.nsamples = 70;
    CHECK_OK(ctx, limn_explain_shap(ctx, m, x, 1, &o, &ex));
    if (!ex)
      continue;
    double got[3] = {ex[0].attr[1], ex[0].attr[0], ex[0].attr[3]}; /* the leads: b, a, d */
    CHECK_CLOSE(limn_shap_estimator_name(ex[0].estimator), got, want, 3, 1e-6, 1e-6);
    CHECK(ex[0].attr[2] == 0 && ex[0].attr[4] == 0 && ex[0].selected[0] && ex[0].selected[1] &&
          !ex[0].selected[2] && !ex[0].selected[4] && ex[0].bin[4] == 0 && ex[0].bin[2] == 1);
    CHECK(fabs(ex[0].delta) < 1e-12);
    limn_explanations_free(ctx, ex, 1);
  }
  size_t bad[5] = {0, 0, 2, 2, 2}, out[5] = {0, 1, 2, 3, 7};
  limn_explanation *ex = NULL;
  o = limn_shap_opts_default();
  o.background = bg, o.nbackground = 4, o.groups = bad, o.ngroups = 3;
  CHECK_ERR(ctx, limn_explain_shap(ctx, m, x, 1, &o, &ex), LIMN_EINVAL, "group 1 has no column");
  o.groups = out, o.ngroups = 5;
  CHECK_ERR(ctx, limn_explain_shap(ctx, m, x, 1, &o, &ex), LIMN_EINVAL, "column 4 is in group 7 of 5");
  limn_model_free(m);
}

/* Exact on more than 20 varying players is refused, naming the cost and the limit. */
static void test_exact_limit(void) {
  test_begin("exact limit");
  limn_schema *s = regression_schema(ctx, NULL, 21);
  float W[21], bias[1] = {0}, x[21], bg[21];
  for (int j = 0; j < 21; j++)
    W[j] = 1, x[j] = 1, bg[j] = 0;
  limn_mlp_layer L = {21, 1, W, bias};
  limn_model *m = NULL;
  limn_mlp_spec spec = {s, NULL, NULL, 1, &L, LIMN_ACT_RELU, LIMN_ACT_IDENTITY, 0, 1};
  CHECK_OK(ctx, limn_mlp_create(ctx, &spec, &m));
  limn_schema_free(s);
  limn_shap_opts o = limn_shap_opts_default();
  o.estimator = LIMN_SHAP_EXACT, o.background = bg, o.nbackground = 1;
  limn_explanation *ex = NULL;
  CHECK_ERR(ctx, limn_explain_shap(ctx, m, x, 1, &o, &ex), LIMN_EINVAL, "21 varying players need 2^21 x 1");
  o.estimator = LIMN_SHAP_AUTO; /* sampling, exact on a linear game */
  CHECK_OK(ctx, limn_explain_shap(ctx, m, x, 1, &o, &ex));
  if (ex) {
    double got[21], want[21];
    for (int j = 0; j < 21; j++)
      got[j] = ex[0].attr[j], want[j] = 1;
    CHECK(ex[0].estimator == LIMN_SHAP_SAMPLING);
    CHECK_CLOSE("sampling, 21 players", got, want, 21, 1e-9, 0);
  }
  limn_explanations_free(ctx, ex, 1);
  limn_model_free(m);
}

int main(void) {
  ctx = limn_ctx_create(NULL);
  bc10 b;
  int ok = load_bc10(&b);
  CHECK(ok);
  if (ok) {
    test_oracle(&b);
    test_kernel_complete(&b);
    test_sampled(&b);
    test_sampling(&b);
    test_sampling_chains();
    test_tolerance(&b);
    test_errors(&b);
  }
  test_axioms();
  test_groups();
  test_exact_limit();
  free_bc10(&b);
  limn_ctx_free(ctx);
  return test_end();
}

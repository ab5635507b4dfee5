/* Gradient attributions against independent PyTorch results (float32 model: 1e-5
 * relative), exact IG's completeness, linear-model identities, finite-difference
 * fallback, categorical columns, determinism and bad options. */
#include "../harness.h"
#include "torch_model.h"

static limn_ctx *ctx;
static const char *EX = "tests/fixtures/grad_expected.txt";

static double *ref(const char *name) {
  size_t n;
  return read_vec(src_path(EX), name, &n);
}

/* attributions of 5 explanations as one (5 x 30) vector */
static void flat(const limn_explanation *e, double *v) {
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 30; j++)
      v[i * 30 + j] = e[i].attr[j];
}

static void test_quadrature(void) {
  test_begin("quadrature nodes");
  const char *rules[] = {"gausslegendre", "riemann_left", "riemann_right", "riemann_middle",
                         "riemann_trapezoid"};
  for (int r = 0; r < 5; r++) {
    limn_quadrature q;
    CHECK_OK(ctx, limn_quadrature_parse(rules[r], &q));
    double a[50], w[50];
    CHECK_OK(ctx, limn_quadrature_nodes(ctx, q, 50, a, w));
    char name[80];
    snprintf(name, sizeof name, "nodes_%s_alphas", rules[r]);
    double *ra = ref(name);
    snprintf(name, sizeof name, "nodes_%s_weights", rules[r]);
    double *rw = ref(name);
    if (ra && rw) {
      CHECK_CLOSE(rules[r], a, ra, 50, 1e-15, 0);
      CHECK_CLOSE(rules[r], w, rw, 50, 1e-14, 0);
    }
    free(ra), free(rw);
  }
  double a[3], w[3];
  CHECK_ERR(ctx, limn_quadrature_nodes(ctx, LIMN_QUAD_RIEMANN_LEFT, 1, a, w), LIMN_EINVAL,
            "at least 2 steps");
  CHECK_OK(ctx, limn_quadrature_nodes(ctx, LIMN_QUAD_GAUSS_LEGENDRE, 1, a, w));
  CHECK(a[0] == 0.5 && w[0] == 1.0);
}

static void run(limn_model *m, const float *x, limn_grad_opts *o, const char *refname, const char *what,
                double atol, double rtol) {
  limn_explanation *e = NULL;
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 5, o, &e));
  double *want = ref(refname);
  if (e && want) {
    double got[150];
    flat(e, got);
    CHECK_CLOSE(what, got, want, 150, atol, rtol);
  }
  free(want);
  limn_explanations_free(ctx, e, 5);
}

static void test_fixture(void) {
  test_begin("gradient methods vs PyTorch");
  limn_model *m = torch_model(ctx);
  double *in = ref("inputs"), *eps = ref("noise_eps"), *sig = ref("noise_sigma");
  if (!m || !in || !eps || !sig)
    return;
  float x[150], *e32 = malloc(5 * 50 * 30 * sizeof *e32);
  for (int i = 0; i < 150; i++)
    x[i] = (float)in[i];
  for (int i = 0; i < 5 * 50 * 30; i++)
    e32[i] = (float)eps[i];
  const char *spaces[] = {"logit", "prob"};
  for (int sp = 0; sp < 2; sp++) {
    limn_grad_opts o = limn_grad_opts_default();
    o.space = sp ? LIMN_SPACE_OUTPUT : LIMN_SPACE_LOGIT;
    char name[96], what[96];
    const char *plain[][2] = {
        {"gradient", "gradient"}, {"saliency", "saliency_abs"}, {"gradxinput", "grad_x_input"}};
    for (int k = 0; k < 3; k++) {
      limn_method_parse(plain[k][0], &o.method);
      snprintf(name, sizeof name, "%s_%s", spaces[sp], plain[k][1]);
      run(m, x, &o, name, name, 1e-7, 1e-5);
    }
    o.method = LIMN_METHOD_IG;
    const char *rules[] = {"gausslegendre",  "riemann_left",      "riemann_right",
                           "riemann_middle", "riemann_trapezoid", "exact"};
    for (int r = 0; r < 6; r++) {
      limn_quadrature_parse(rules[r], &o.quadrature);
      snprintf(name, sizeof name, "%s_ig_%s_attr", spaces[sp], rules[r]);
      snprintf(what, sizeof what, "IG %s %s", rules[r], spaces[sp]);
      run(m, x, &o, name, what, 1e-7, 1e-5);
      limn_explanation *e = NULL;
      limn_explain_gradients(ctx, m, x, 5, &o, &e);
      snprintf(name, sizeof name, "%s_ig_%s_delta", spaces[sp], rules[r]);
      double *dl = ref(name), got[5];
      for (int i = 0; e && dl && i < 5; i++)
        got[i] = e[i].delta;
      if (e && dl && r < 5)
        CHECK_CLOSE(what, got, dl, 5, 2e-6, 1e-4);
      if (e && r == 5) { /* exact: completeness at rounding level */
        double zero[5] = {0};
        CHECK_CLOSE("exact IG completeness gap", got, zero, 5, 1e-9, 0);
        CHECK(e[0].nsegments > 10);
      }
      free(dl);
      limn_explanations_free(ctx, e, 5);
    }
    /* many nodes (several blocks of path points) converge to the exact integral */
    o.quadrature = LIMN_QUAD_GAUSS_LEGENDRE;
    o.steps = 300;
    snprintf(name, sizeof name, "%s_ig_exact_attr", spaces[sp]);
    run(m, x, &o, name, "IG, 300 Gauss-Legendre nodes vs exact", 2e-4, 1e-3);
    o.steps = 50;
    o.method = LIMN_METHOD_SMOOTHGRAD;
    o.samples = 50;
    o.noise_eps = e32;
    o.noise_sigma = sig;
    const char *sm[][2] = {
        {"mean", "mean"}, {"mean_abs", "mean_abs"}, {"mean_sq", "mean_sq"}, {"vargrad", "vargrad"}};
    for (int k = 0; k < 4; k++) {
      limn_smooth_parse(sm[k][0], &o.smooth);
      snprintf(name, sizeof name, "%s_smoothgrad_%s", spaces[sp], sm[k][1]);
      run(m, x, &o, name, name, 1e-7, 1e-4);
    }
    o.smooth = LIMN_SMOOTH_MEAN;
    o.smooth_gxi = 1;
    snprintf(name, sizeof name, "%s_smoothgrad_gxi_mean", spaces[sp]);
    run(m, x, &o, name, name, 1e-7, 1e-4);
  }
  free(in), free(eps), free(sig), free(e32);
  limn_model_free(m);
}

/* F(x) = w.x + c as a one-layer regression MLP: gradient x input = w x, IG = w (x - b). */
static void test_linear(void) {
  test_begin("linear model identities");
  static const char *const names[] = {"a", "b", "c"};
  limn_schema *s = regression_schema(ctx, names, 3);
  float W[3] = {0.5f, -2.0f, 1.5f}, b[1] = {0.25f}, mean[3] = {1, 2, 3}, sd[3] = {2, 4, 0.5f};
  limn_mlp_layer L = {3, 1, W, b};
  limn_model *m = NULL;
  limn_mlp_spec spec = {s, mean, sd, 1, &L, LIMN_ACT_RELU, LIMN_ACT_IDENTITY, 10.0, 3.0};
  CHECK_OK(ctx, limn_mlp_create(ctx, &spec, &m));
  limn_schema_free(s);
  if (!m)
    return;
  /* raw slope of column j: W_j / sd_j * y_scale */
  double slope[3];
  for (int j = 0; j < 3; j++)
    slope[j] = W[j] / sd[j] * 3.0;
  float x[6] = {1.5f, -1.0f, 4.0f, 0.0f, 2.0f, -3.0f}, base[3] = {0.5f, 0.5f, 0.5f};
  limn_grad_opts o = limn_grad_opts_default();
  o.method = LIMN_METHOD_GRADXINPUT;
  limn_explanation *e = NULL;
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 2, &o, &e));
  if (e) {
    double got[6], want[6];
    for (int i = 0; i < 2; i++)
      for (int j = 0; j < 3; j++)
        got[i * 3 + j] = e[i].attr[j], want[i * 3 + j] = slope[j] * x[i * 3 + j];
    CHECK_CLOSE("gradient x input = w x", got, want, 6, 1e-5, 1e-5);
  }
  limn_explanations_free(ctx, e, 2);
  o.method = LIMN_METHOD_IG;
  o.baseline = LIMN_BASELINE_ROWS;
  o.baseline_rows = base;
  o.nbaseline_rows = 1;
  for (int q = LIMN_QUAD_GAUSS_LEGENDRE; q <= LIMN_QUAD_EXACT; q++) {
    if (q == LIMN_QUAD_RIEMANN_TRAPEZOID)
      continue; /* Captum's trapezoid weights sum to (n-1)/n */
    o.quadrature = (limn_quadrature)q;
    CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 2, &o, &e));
    if (e) {
      double got[6], want[6];
      for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
          got[i * 3 + j] = e[i].attr[j], want[i * 3 + j] = slope[j] * (x[i * 3 + j] - base[j]);
      CHECK_CLOSE(limn_quadrature_name(o.quadrature), got, want, 6, 1e-5, 1e-5);
      CHECK(fabs(e[0].delta) < 1e-4);
    }
    limn_explanations_free(ctx, e, 2);
  }
  /* quality: the gradient of a linear model is perfectly faithful (infidelity 0, with
   * and without the best scale) and perfectly stable (max-sensitivity 0); a wrong
   * attribution is not faithful */
  limn_grad_opts go = limn_grad_opts_default();
  limn_quality_opts qo = limn_quality_opts_default();
  double inf[2], sens[2];
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 2, &go, &e));
  if (e) {
    CHECK_OK(ctx, limn_explain_infidelity(ctx, m, x, 2, e, &qo, inf));
    CHECK(inf[0] < 1e-9 && inf[1] < 1e-9);
    qo.normalize = 0;
    CHECK_OK(ctx, limn_explain_infidelity(ctx, m, x, 2, e, &qo, inf));
    CHECK(inf[0] < 1e-6 && inf[1] < 1e-6);
    CHECK_OK(ctx, limn_explain_max_sensitivity(ctx, m, x, 2, &go, e, &qo, sens));
    CHECK(sens[0] < 1e-9 && sens[1] < 1e-9);
    e[0].attr[0] += 1.0; /* break it */
    CHECK_OK(ctx, limn_explain_infidelity(ctx, m, x, 2, e, &qo, inf));
    CHECK(inf[0] > 1e-3 && inf[1] < 1e-6);
    qo.samples = 0;
    CHECK_ERR(ctx, limn_explain_infidelity(ctx, m, x, 2, e, &qo, inf), LIMN_EINVAL, "perturbation samples");
  }
  limn_explanations_free(ctx, e, 2);
  /* max-sensitivity of IG from given baseline rows: each perturbed copy keeps its row's
   * baseline, so one shared row and the same row given per row agree; the perturbation
   * of a linear model's IG is slope * u, nonzero */
  o.quadrature = LIMN_QUAD_GAUSS_LEGENDRE;
  double s1[2] = {0}, s2[2] = {0};
  float base2[6];
  memcpy(base2, base, sizeof base), memcpy(base2 + 3, base, sizeof base);
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 2, &o, &e));
  if (e) {
    qo = limn_quality_opts_default();
    CHECK_OK(ctx, limn_explain_max_sensitivity(ctx, m, x, 2, &o, e, &qo, s1));
    limn_grad_opts o2 = o;
    o2.baseline_rows = base2, o2.nbaseline_rows = 2;
    CHECK_OK(ctx, limn_explain_max_sensitivity(ctx, m, x, 2, &o2, e, &qo, s2));
    CHECK(s1[0] > 1e-6 && s1[0] == s2[0] && s1[1] == s2[1]);
  }
  limn_explanations_free(ctx, e, 2);
  /* bad options */
  o.quadrature = LIMN_QUAD_RIEMANN_LEFT;
  o.steps = 1;
  CHECK_ERR(ctx, limn_explain_gradients(ctx, m, x, 2, &o, &e), LIMN_EINVAL, "IG steps must be in 2..100000");
  o.steps = 50;
  o.nbaseline_rows = 3;
  CHECK_ERR(ctx, limn_explain_gradients(ctx, m, x, 2, &o, &e), LIMN_ESHAPE, "baseline rows");
  o.nbaseline_rows = 1;
  o.target = 4;
  CHECK_ERR(ctx, limn_explain_gradients(ctx, m, x, 2, &o, &e), LIMN_EINVAL, "row 0: output 4 does not exist");
  o.target = -1;
  o.baseline = LIMN_BASELINE_MEAN;
  CHECK_ERR(ctx, limn_explain_gradients(ctx, m, x, 2, &o, &e), LIMN_EINVAL, "needs training statistics");
  float bad[6] = {1, NAN, 0, 0, 0, 0};
  o.baseline = LIMN_BASELINE_ZERO;
  CHECK_ERR(ctx, limn_explain_gradients(ctx, m, bad, 2, &o, &e), LIMN_ENONFINITE, "row 0, column 1 'b'");
  CHECK(e == NULL);
  limn_model_free(m);
}

/* A callback model without vjp: central differences, flagged. */
static int quad_predict(void *ud, const float *x, size_t n, float *out) {
  (void)ud;
  for (size_t i = 0; i < n; i++)
    out[i] = x[2 * i] * x[2 * i] + 3.0f * x[2 * i + 1];
  return 0;
}

static void test_fd_fallback(void) {
  test_begin("finite-difference fallback");
  limn_model_callbacks cb = {2, 1, quad_predict, NULL, NULL, NULL, NULL};
  limn_model *m = NULL;
  CHECK_OK(ctx, limn_model_from_callbacks(ctx, &cb, NULL, &m));
  float x[2] = {1.5f, -2.0f};
  limn_explanation *e = NULL;
  limn_grad_opts o = limn_grad_opts_default();
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 1, &o, &e));
  if (e) {
    CHECK(e[0].finite_differences == 1);
    double got[2] = {e[0].attr[0], e[0].attr[1]}, want[2] = {3.0, 3.0};
    CHECK_CLOSE("central differences", got, want, 2, 1e-3, 1e-3);
  }
  limn_explanations_free(ctx, e, 1);
  limn_model_free(m);
}

/* Categorical columns: attribution = sum over slots; exact IG stays complete. */
static void test_categorical(void) {
  test_begin("categorical columns");
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "class";
  limn_dataset *ds = NULL;
  limn_model *m = NULL;
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path("data/credit-g.arff"), &ro, &ds));
  limn_mlp_opts mo = limn_mlp_opts_default();
  mo.max_epochs = 5;
  if (ds)
    CHECK_OK(ctx, limn_mlp_train(ctx, ds, &mo, &m));
  if (!m) {
    limn_dataset_free(ds);
    return;
  }
  limn_grad_opts o = limn_grad_opts_default();
  o.method = LIMN_METHOD_IG;
  o.quadrature = LIMN_QUAD_EXACT;
  o.baseline = LIMN_BASELINE_MEAN;
  limn_explanation *e = NULL;
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, limn_dataset_x(ds), 20, &o, &e));
  if (e) {
    double worst = 0;
    for (int i = 0; i < 20; i++)
      worst = fabs(e[i].delta) > worst ? fabs(e[i].delta) : worst;
    CHECK(worst < 1e-9);
    double sum = 0;
    for (size_t s = 0; s < e[3].nslots; s++) {
      size_t col;
      long cat;
      limn_model_slot(ctx, m, s, &col, &cat);
      if (col == 0)
        sum += e[3].slot_attr[s];
    }
    CHECK(fabs(sum - e[3].attr[0]) < 1e-12);
  }
  limn_explanations_free(ctx, e, 20);
  /* SmoothGrad from the seed: one call or row by row, 1 or 2 threads: same bits */
  o.method = LIMN_METHOD_SMOOTHGRAD;
  o.seed = 7;
  limn_explanation *all = NULL, *one = NULL;
  limn_ctx_set_threads(ctx, 2);
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, limn_dataset_x(ds), 9, &o, &all));
  limn_ctx_set_threads(ctx, 1);
  int same = all != NULL;
  for (size_t i = 0; all && i < 9; i++) {
    o.noise_eps = NULL;
    /* row i alone must use stream i: explain rows 0..i and compare the last */
    CHECK_OK(ctx, limn_explain_gradients(ctx, m, limn_dataset_x(ds), i + 1, &o, &one));
    if (one)
      same &= !memcmp(one[i].attr, all[i].attr, all[i].nfeatures * sizeof(double));
    limn_explanations_free(ctx, one, i + 1);
  }
  CHECK(same);
  /* rows 3 and 5 alone, with their dataset indices as stream ids: same bits again */
  size_t ids[2] = {3, 5};
  float two[2 * 20];
  memcpy(two, limn_dataset_x(ds) + 3 * 20, 20 * sizeof(float));
  memcpy(two + 20, limn_dataset_x(ds) + 5 * 20, 20 * sizeof(float));
  o.row_ids = ids;
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, two, 2, &o, &one));
  if (one && all)
    CHECK(!memcmp(one[0].attr, all[3].attr, 20 * sizeof(double)) &&
          !memcmp(one[1].attr, all[5].attr, 20 * sizeof(double)));
  limn_explanations_free(ctx, one, 2);
  o.row_ids = NULL;
  /* a nonlinear model is not perfectly stable */
  double sens[9];
  limn_quality_opts qo = limn_quality_opts_default();
  CHECK_OK(ctx, limn_explain_max_sensitivity(ctx, m, limn_dataset_x(ds), 9, &o, all, &qo, sens));
  CHECK(sens[0] > 0 && isfinite(sens[0]));
  limn_explanations_free(ctx, all, 9);
  limn_ctx_set_threads(ctx, 0);
  limn_model_free(m);
  limn_dataset_free(ds);
}

static void test_exact_needs_relu(void) {
  test_begin("exact IG needs a piecewise-linear net");
  static const char *const names[] = {"a"};
  limn_schema *s = regression_schema(ctx, names, 1);
  float W1[2] = {1, -1}, b1[2] = {0, 0}, W2[2] = {1, 1}, b2[1] = {0};
  limn_mlp_layer L[2] = {{1, 2, W1, b1}, {2, 1, W2, b2}};
  limn_model *m = NULL;
  limn_mlp_spec spec = {s, NULL, NULL, 2, L, LIMN_ACT_TANH, LIMN_ACT_IDENTITY, 0, 1};
  CHECK_OK(ctx, limn_mlp_create(ctx, &spec, &m));
  limn_schema_free(s);
  limn_grad_opts o = limn_grad_opts_default();
  o.method = LIMN_METHOD_IG;
  o.quadrature = LIMN_QUAD_EXACT;
  float x[1] = {1};
  limn_explanation *e = NULL;
  CHECK_ERR(ctx, limn_explain_gradients(ctx, m, x, 1, &o, &e), LIMN_EUNSUPPORTED,
            "hidden units are tanh, which is not piecewise-linear");
  limn_model_free(m);
}

/* Deletion and insertion on a 4x4 "image" whose output f(x) = w.x + 1/4 reads only the
 * top-left quadrant: gradient x input (w_j x_j) removes that evidence in the first
 * quarter, so its curves are known in closed form; a map that ranks the quadrant last
 * is worse on both (deletion area higher, insertion lower). */
/* Spearman's rho of |attr| by hand: identical, reversed, ties at their mean rank, constant. */
static void test_rank_correlation(void) {
  test_begin("rank correlation");
  double a[5] = {0.1, -0.5, 0.3, 0.0, 2.0}, b[5] = {1, 5, 3, 0, 20}, c[5] = {4, 2, 3, 5, 1},
         t[5] = {1, 1, 2, 3, 3};
  double k[5] = {7, 7, 7, 7, 7};
  limn_explanation ea = {0}, eb = {0};
  ea.nfeatures = eb.nfeatures = 5;
  ea.attr = a, eb.attr = b;
  /* |a| = .1 .5 .3 0 2 ranks 2 4 3 1 5; b ranks 2 4 3 1 5 */
  CHECK(fabs(limn_explain_rank_correlation(&ea, &eb, 1) - 1.0) < 1e-12);
  eb.attr = c; /* ranks 4 2 3 5 1: against 2 4 3 1 5, d = 2 2 0 4 4, rho = 1 - 6 * 40 / 120 = -1 */
  CHECK(fabs(limn_explain_rank_correlation(&ea, &eb, 1) + 1.0) < 1e-12);
  /* signed a ranks 3 1 4 2 5; ties t: ranks 1.5 1.5 3 4.5 4.5; Pearson of the ranks by hand:
   * centred (0 -2 1 -1 2) and (-1.5 -1.5 0 1.5 1.5): sum 0 + 3 + 0 - 1.5 + 3 = 4.5, norms
   * sqrt(10), sqrt(9): 4.5 / sqrt(90) */
  eb.attr = t;
  CHECK(fabs(limn_explain_rank_correlation(&ea, &eb, 0) - 4.5 / sqrt(90.0)) < 1e-12);
  eb.attr = k;
  CHECK(isnan(limn_explain_rank_correlation(&ea, &eb, 0)));
  eb.nfeatures = 4;
  CHECK(isnan(limn_explain_rank_correlation(&ea, &eb, 0)));
}

static void test_deletion_insertion(void) {
  test_begin("deletion and insertion curves");
  static const char *const names[] = {"p0", "p1", "p2",  "p3",  "p4",  "p5",  "p6",  "p7",
                                      "p8", "p9", "p10", "p11", "p12", "p13", "p14", "p15"};
  limn_schema *s = regression_schema(ctx, names, 16);
  float W[16] = {2.0f, 1.0f, 0, 0, 3.0f, 0.5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, b[1] = {0.25f};
  limn_mlp_layer L = {16, 1, W, b};
  limn_model *m = NULL;
  limn_mlp_spec spec = {s, NULL, NULL, 1, &L, LIMN_ACT_RELU, LIMN_ACT_IDENTITY, 0.0, 1.0};
  CHECK_OK(ctx, limn_mlp_create(ctx, &spec, &m));
  limn_schema_free(s);
  if (!m)
    return;
  float x[16], base[16];
  double fx = 0.25, fb = 0.25;
  for (int j = 0; j < 16; j++) {
    x[j] = 1.0f + (float)j / 16.0f, base[j] = 0.5f;
    fx += (double)W[j] * x[j], fb += (double)W[j] * base[j];
  }
  limn_grad_opts o = limn_grad_opts_default();
  o.method = LIMN_METHOD_GRADXINPUT;
  limn_explanation *e = NULL;
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 1, &o, &e));
  if (e) {
    limn_curve_opts co = limn_explain_curve_opts_default();
    co.steps = 4; /* 0, 4, 8, 12, 16 features */
    double del, ins, cv[10];
    CHECK_OK(ctx, limn_explain_deletion_insertion(ctx, m, x, 1, e, &co, &del, &ins, cv));
    double want_cv[10] = {fx, 0.25, 0.25, 0.25, 0.25, 0.25, fx, fx, fx, fx};
    CHECK_CLOSE("curves of the faithful map", cv, want_cv, 10, 1e-5, 1e-5);
    double want[2] = {(fx + 0.25) / 8 + 3 * 0.25 / 4, (fx + 0.25) / 8 + 3 * fx / 4}, got[2] = {del, ins};
    CHECK_CLOSE("areas (trapezoids)", got, want, 2, 1e-5, 1e-5);
    co.baseline = base; /* removed features take 1/2 */
    CHECK_OK(ctx, limn_explain_deletion_insertion(ctx, m, x, 1, e, &co, &del, &ins, cv));
    double want_b[2] = {fx, fb};
    got[0] = cv[0], got[1] = cv[1];
    CHECK_CLOSE("with a baseline", got, want_b, 2, 1e-5, 1e-5);
    co.baseline = NULL;
    double d0, i0;
    CHECK_OK(ctx, limn_explain_deletion_insertion(ctx, m, x, 1, e, &co, &d0, &i0, NULL));
    for (int j = 0; j < 16; j++) /* the quadrant ranked last */
      e[0].attr[j] = W[j] != 0 ? -1.0 - j : (double)j;
    double d1, i1;
    CHECK_OK(ctx, limn_explain_deletion_insertion(ctx, m, x, 1, e, &co, &d1, &i1, NULL));
    CHECK(d1 > d0 + 0.5 && i1 < i0 - 0.5);
    co.steps = 17;
    CHECK(limn_explain_deletion_insertion(ctx, m, x, 1, e, &co, &d1, &i1, NULL) == LIMN_EINVAL);
  }
  limn_explanations_free(ctx, e, 1);
  limn_model_free(m);
}

int main(void) {
  ctx = limn_ctx_create(NULL);
  test_deletion_insertion();
  test_rank_correlation();
  test_quadrature();
  test_fixture();
  test_linear();
  test_fd_fallback();
  test_categorical();
  test_exact_needs_relu();
  limn_ctx_free(ctx);
  return test_end();
}

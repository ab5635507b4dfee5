/* Models: forward and vjp against PyTorch, finite differences, determinism, model
 * files (round trip and hostile bytes), callback models, scikit-learn imports. */
#include "../harness.h"
#include "torch_model.h"

static limn_ctx *ctx;

static void test_torch_reference(void) {
  test_begin("forward and vjp vs PyTorch");
  limn_model *m = torch_model(ctx);
  CHECK(m != NULL);
  if (!m)
    return;
  const char *ex = src_path("tests/fixtures/grad_expected.txt");
  size_t n;
  double *in = read_vec(ex, "inputs", &n), *tg = read_vec(ex, "targets", &n);
  double *lg = read_vec(ex, "logits", &n), *pr = read_vec(ex, "probs", &n);
  double *gl = read_vec(ex, "logit_gradient", &n), *gp = read_vec(ex, "prob_gradient", &n);
  float x[5 * 30], out[10], w[10], g[150];
  double dout[10], dg[150];
  for (int i = 0; i < 150; i++)
    x[i] = (float)in[i];
  CHECK_OK(ctx, limn_model_forward(ctx, m, x, 5, LIMN_SPACE_LOGIT, out));
  for (int i = 0; i < 10; i++)
    dout[i] = out[i];
  CHECK_CLOSE("logits", dout, lg, 10, 1e-5, 1e-5);
  CHECK_OK(ctx, limn_model_predict(ctx, m, x, 5, out));
  for (int i = 0; i < 10; i++)
    dout[i] = out[i];
  CHECK_CLOSE("probs", dout, pr, 10, 1e-6, 1e-5);
  for (int i = 0; i < 5; i++) {
    w[2 * i] = tg[i] == 0 ? 1.0f : 0.0f;
    w[2 * i + 1] = tg[i] == 1 ? 1.0f : 0.0f;
  }
  CHECK_OK(ctx, limn_model_vjp(ctx, m, x, 5, w, LIMN_SPACE_LOGIT, g));
  for (int i = 0; i < 150; i++)
    dg[i] = g[i];
  CHECK_CLOSE("logit gradient", dg, gl, 150, 1e-5, 1e-4);
  CHECK_OK(ctx, limn_model_vjp(ctx, m, x, 5, w, LIMN_SPACE_OUTPUT, g));
  for (int i = 0; i < 150; i++)
    dg[i] = g[i];
  CHECK_CLOSE("prob gradient", dg, gp, 150, 1e-6, 1e-4);
  free(in), free(tg), free(lg), free(pr), free(gl), free(gp);
  limn_model_free(m);
}

/* A random network: d numeric + one categorical column of k categories (when k). */
static limn_model *random_model(size_t d, size_t k, limn_activation hid, limn_activation outa,
                                size_t nclasses, int as_numeric_twin) {
  limn_schema *s;
  limn_schema_create(ctx, &s);
  char name[32];
  for (size_t j = 0; j < d; j++) {
    snprintf(name, sizeof name, "x%zu", j);
    limn_schema_add_numeric(ctx, s, name);
  }
  const char *cats[] = {"red", "green", "blue", "grey"};
  if (k && !as_numeric_twin)
    limn_schema_add_categorical(ctx, s, "colour", cats, k);
  for (size_t c = 0; k && as_numeric_twin && c < k; c++) {
    snprintf(name, sizeof name, "onehot%zu", c);
    limn_schema_add_numeric(ctx, s, name);
  }
  const char *cl[] = {"a", "b", "c"};
  if (nclasses)
    limn_schema_set_target(ctx, s, "t", LIMN_TASK_CLASSIFICATION, cl, nclasses);
  else
    limn_schema_set_target(ctx, s, "t", LIMN_TASK_REGRESSION, NULL, 0);
  size_t units = outa == LIMN_ACT_LOGISTIC ? 1 : (nclasses ? nclasses : 1);
  size_t widths[4] = {d + k, 7, 5, units};
  limn_mlp_layer L[3];
  float *bufs[6];
  limn_rng r;
  limn_rng_init(&r, 99, 0);
  for (int l = 0; l < 3; l++) {
    size_t nw = widths[l] * widths[l + 1];
    bufs[2 * l] = malloc(nw * sizeof(float));
    bufs[2 * l + 1] = malloc(widths[l + 1] * sizeof(float));
    for (size_t i = 0; i < nw; i++)
      bufs[2 * l][i] = (float)(limn_rng_uniform(&r) - 0.5);
    for (size_t i = 0; i < widths[l + 1]; i++)
      bufs[2 * l + 1][i] = (float)(limn_rng_uniform(&r) - 0.5);
    L[l].in = widths[l];
    L[l].out = widths[l + 1];
    L[l].w = bufs[2 * l];
    L[l].b = bufs[2 * l + 1];
  }
  /* columns 3.. are numeric only in the one-hot twin: keep them unscaled */
  float mean[8] = {1, -2, 0.5f, 0, 0, 0, 0, 0}, sd[8] = {2, 0.5f, 1.5f, 1, 1, 1, 1, 1};
  limn_model *m = NULL;
  limn_mlp_spec spec = {s, mean, sd, 3, L, hid, outa, nclasses ? 0 : 10.0, nclasses ? 1 : 3.0};
  if (limn_mlp_create(ctx, &spec, &m))
    fprintf(stderr, "random_model: %s\n", limn_ctx_errmsg(ctx));
  for (int i = 0; i < 6; i++)
    free(bufs[i]);
  limn_schema_free(s);
  return m;
}

/* vjp against central differences in double-rounded float steps. */
static void fd_check(limn_model *m, limn_space sp, const char *what) {
  size_t d = limn_model_nfeatures(m), k = limn_model_noutputs(m);
  float x[4] = {0.3f, -1.2f, 2.0f, 0.7f}, w[3] = {0.7f, -1.3f, 0.4f}, g[4];
  if (limn_model_vjp(ctx, m, x, 1, w, sp, g)) {
    CHECK(!"vjp failed");
    return;
  }
  double num[4], ana[4];
  for (size_t j = 0; j < d; j++) {
    float h = 1e-2f, xp[4], xm[4], op[3], om[3];
    memcpy(xp, x, sizeof x);
    memcpy(xm, x, sizeof x);
    xp[j] += h;
    xm[j] -= h;
    limn_model_forward(ctx, m, xp, 1, sp, op);
    limn_model_forward(ctx, m, xm, 1, sp, om);
    double s = 0;
    for (size_t c = 0; c < k; c++)
      s += (double)w[c] * ((double)op[c] - om[c]);
    num[j] = s / ((double)xp[j] - xm[j]);
    ana[j] = g[j];
  }
  CHECK_CLOSE(what, ana, num, d, 2e-3, 2e-2);
}

static void test_finite_differences(void) {
  test_begin("vjp vs central differences");
  limn_activation hs[] = {LIMN_ACT_TANH, LIMN_ACT_LOGISTIC, LIMN_ACT_IDENTITY};
  for (int h = 0; h < 3; h++) {
    limn_model *soft = random_model(4, 0, hs[h], LIMN_ACT_SOFTMAX, 3, 0);
    limn_model *bin = random_model(4, 0, hs[h], LIMN_ACT_LOGISTIC, 2, 0);
    limn_model *reg = random_model(4, 0, hs[h], LIMN_ACT_IDENTITY, 0, 0);
    CHECK(soft && bin && reg);
    if (soft && bin && reg) {
      fd_check(soft, LIMN_SPACE_OUTPUT, "softmax probabilities");
      fd_check(soft, LIMN_SPACE_LOGIT, "softmax logits");
      fd_check(bin, LIMN_SPACE_OUTPUT, "logistic probabilities");
      fd_check(bin, LIMN_SPACE_LOGIT, "logistic logits");
      fd_check(reg, LIMN_SPACE_OUTPUT, "regression");
    }
    limn_model_free(soft), limn_model_free(bin), limn_model_free(reg);
  }
}

/* A categorical column's slots get the same gradient as the one-hot columns of a
 * twin model whose one-hot inputs are plain numeric columns. */
static void test_categorical_slots(void) {
  test_begin("categorical slots");
  limn_model *m = random_model(3, 4, LIMN_ACT_TANH, LIMN_ACT_SOFTMAX, 3, 0);
  limn_model *t = random_model(3, 4, LIMN_ACT_TANH, LIMN_ACT_SOFTMAX, 3, 1);
  CHECK(m && t);
  if (!m || !t)
    return;
  CHECK_EQ(limn_model_nslots(m), 7);
  CHECK_EQ(limn_model_nfeatures(m), 4);
  size_t col;
  long cat;
  CHECK_OK(ctx, limn_model_slot(ctx, m, 5, &col, &cat));
  CHECK(col == 3 && cat == 2);
  CHECK_OK(ctx, limn_model_slot(ctx, m, 1, &col, &cat));
  CHECK(col == 1 && cat == -1);
  float x[4] = {0.5f, 1.0f, -1.0f, 2.0f}, xt[7] = {0.5f, 1.0f, -1.0f, 0, 0, 1, 0};
  float w[3] = {1, -0.5f, 0.25f}, g[7], gt[7], o[3], ot[3];
  CHECK_OK(ctx, limn_model_predict(ctx, m, x, 1, o));
  CHECK_OK(ctx, limn_model_predict(ctx, t, xt, 1, ot));
  CHECK(!memcmp(o, ot, sizeof o));
  CHECK_OK(ctx, limn_model_vjp(ctx, m, x, 1, w, LIMN_SPACE_OUTPUT, g));
  CHECK_OK(ctx, limn_model_vjp(ctx, t, xt, 1, w, LIMN_SPACE_OUTPUT, gt));
  double a[7], b[7];
  for (int i = 0; i < 7; i++)
    a[i] = g[i], b[i] = gt[i];
  CHECK_CLOSE("slot gradients", a, b, 7, 0, 1e-6);
  float bad[4] = {0.5f, 1.0f, -1.0f, 4.0f};
  CHECK_ERR(ctx, limn_model_predict(ctx, m, bad, 1, o), LIMN_EINVAL,
            "row 0, column 'colour': 4 is not a category code");
  float nan[4] = {0.5f, NAN, -1.0f, 1.0f};
  CHECK_ERR(ctx, limn_model_predict(ctx, m, nan, 1, o), LIMN_ENONFINITE,
            "row 0, column 1 'x1': value is not finite");
  limn_model_free(m);
  limn_model_free(t);
}

static void test_determinism(void) {
  test_begin("determinism across batch and threads");
  limn_model *m = torch_model(ctx);
  if (!m)
    return;
  size_t n = 300;
  float *x = malloc(n * 30 * sizeof *x), *a = malloc(n * 2 * sizeof *a), *b = malloc(n * 2 * sizeof *b);
  float *ga = malloc(n * 30 * sizeof *ga), *gb = malloc(n * 30 * sizeof *gb), *w = malloc(n * 2 * sizeof *w);
  limn_rng r;
  limn_rng_init(&r, 5, 0);
  for (size_t i = 0; i < n * 30; i++)
    x[i] = (float)limn_rng_normal(&r);
  for (size_t i = 0; i < n * 2; i++)
    w[i] = (float)limn_rng_normal(&r);
  limn_kernel ks[] = {LIMN_KERNEL_AUTO, LIMN_KERNEL_PORTABLE};
  for (int ki = 0; ki < 2; ki++) {
    if (limn_ctx_set_kernel(ctx, ks[ki]) != LIMN_OK)
      continue;
    limn_ctx_set_threads(ctx, 1);
    CHECK_OK(ctx, limn_model_predict(ctx, m, x, n, a));
    CHECK_OK(ctx, limn_model_vjp(ctx, m, x, n, w, LIMN_SPACE_OUTPUT, ga));
    for (size_t i = 0; i < n; i++) {
      limn_model_predict(ctx, m, x + i * 30, 1, b + i * 2);
      limn_model_vjp(ctx, m, x + i * 30, 1, w + i * 2, LIMN_SPACE_OUTPUT, gb + i * 30);
    }
    CHECK(!memcmp(a, b, n * 2 * sizeof *a));
    CHECK(!memcmp(ga, gb, n * 30 * sizeof *ga));
    limn_ctx_set_threads(ctx, 2);
    CHECK_OK(ctx, limn_model_predict(ctx, m, x + 7 * 30, n - 7, b));
    CHECK(!memcmp(a + 7 * 2, b, (n - 7) * 2 * sizeof *a));
    CHECK_OK(ctx, limn_model_vjp(ctx, m, x, n, w, LIMN_SPACE_OUTPUT, gb));
    CHECK(!memcmp(ga, gb, n * 30 * sizeof *ga));
  }
  limn_ctx_set_kernel(ctx, LIMN_KERNEL_AUTO);
  limn_ctx_set_threads(ctx, 0);
  free(x), free(a), free(b), free(ga), free(gb), free(w);
  limn_model_free(m);
}

static void test_files(void) {
  test_begin("model files");
  limn_model *m = random_model(3, 4, LIMN_ACT_TANH, LIMN_ACT_SOFTMAX, 3, 0), *l = NULL, *m2 = NULL;
  if (!m)
    return;
  unsigned char *buf = NULL, *buf2 = NULL;
  size_t len = 0, len2 = 0;
  CHECK_OK(ctx, limn_model_save_mem(ctx, m, &buf, &len));
  CHECK_OK(ctx, limn_model_load_mem(ctx, buf, len, "m.limn", &l));
  if (l) {
    CHECK_OK(ctx, limn_model_save_mem(ctx, l, &buf2, &len2));
    CHECK(len == len2 && !memcmp(buf, buf2, len));
    float x[4] = {0.5f, 1.0f, -1.0f, 2.0f}, o1[3], o2[3];
    limn_model_predict(ctx, m, x, 1, o1);
    limn_model_predict(ctx, l, x, 1, o2);
    CHECK(!memcmp(o1, o2, sizeof o1));
    CHECK(!strcmp(limn_schema_category(limn_model_schema(l), 3, 2), "blue"));
    limn_model_free(l);
    limn_free(ctx, buf2);
  }
  /* truncated at every byte offset */
  int all = 1;
  for (size_t cut = 0; cut < len; cut++) {
    int rc = limn_model_load_mem(ctx, buf, cut, "cut.limn", &l);
    all &= rc == LIMN_EFORMAT && l == NULL;
  }
  CHECK(all);
  CHECK_ERR(ctx, limn_model_load_mem(ctx, buf, 100, "t.limn", &l), LIMN_EFORMAT,
            "t.limn: byte 16: section 'SCHM' claims");
  CHECK_ERR(ctx, limn_model_load_mem(ctx, buf, 14, "t.limn", &l), LIMN_EFORMAT,
            "t.limn: truncated at byte 12 reading flags");
  unsigned char *c = malloc(len);
  memcpy(c, buf, len);
  c[0] = 'X';
  CHECK_ERR(ctx, limn_model_load_mem(ctx, c, len, "x.limn", &l), LIMN_EFORMAT,
            "not a limn model file (bad magic)");
  memcpy(c, buf, len);
  c[8] = 2;
  CHECK_ERR(ctx, limn_model_load_mem(ctx, c, len, "v.limn", &l), LIMN_EFORMAT,
            "model format version 2, this limn reads version 1");
  /* every single-byte corruption is caught (by a check or by the checksum) */
  all = 1;
  for (size_t i = 0; i < len; i++) {
    memcpy(c, buf, len);
    c[i] ^= 0x5A;
    int rc = limn_model_load_mem(ctx, c, len, "f.limn", &l);
    all &= rc != LIMN_OK && l == NULL;
    if (rc == LIMN_OK)
      limn_model_free(l);
  }
  CHECK(all);
  limn_free(ctx, buf);
  free(c);
  limn_model_free(m);
  /* absurd dimensions: a valid file whose first hidden width claims 2^20 units */
  CHECK_OK(ctx, limn_model_save_mem(ctx, m2 = random_model(3, 0, LIMN_ACT_TANH, LIMN_ACT_SOFTMAX, 3, 0), &buf,
                                    &len));
  for (size_t i = 0; buf && i + 4 < len; i++)
    if (!memcmp(buf + i, "MLP ", 4)) {
      size_t at = i + 12 + 2 + 4 + 4; /* tag, length, activations, layer count, width[0] */
      buf[at] = 0, buf[at + 1] = 0, buf[at + 2] = 0x10, buf[at + 3] = 0;
      break;
    }
  CHECK_ERR(ctx, limn_model_load_mem(ctx, buf, len, "a.limn", &l), LIMN_EFORMAT, "a.limn: truncated at byte");
  limn_free(ctx, buf);
  limn_model_free(m2);
  CHECK_ERR(ctx, limn_model_load(ctx, "/nonexistent/m.limn", &l), LIMN_EIO,
            "/nonexistent/m.limn: cannot open");
}

/* y = 2 x0 - x1 + 1 through callbacks. */
static int lin_predict(void *ud, const float *x, size_t n, float *out) {
  int *calls = ud;
  (*calls)++;
  for (size_t i = 0; i < n; i++)
    out[i] = 2 * x[2 * i] - x[2 * i + 1] + 1;
  return 0;
}
static int lin_vjp(void *ud, const float *x, size_t n, const float *w, limn_space sp, float *g) {
  (void)ud, (void)x, (void)sp;
  for (size_t i = 0; i < n; i++) {
    g[2 * i] = 2 * w[i];
    g[2 * i + 1] = -w[i];
  }
  return 0;
}
static int failing(void *ud, const float *x, size_t n, float *out) {
  (void)ud, (void)x, (void)n, (void)out;
  return 7;
}
static int destroyed;
static void on_destroy(void *ud) {
  (void)ud;
  destroyed++;
}

static void test_callbacks(void) {
  test_begin("callback models");
  int calls = 0;
  limn_model_callbacks cb = {2, 1, lin_predict, NULL, lin_vjp, on_destroy, &calls};
  limn_model *m = NULL;
  CHECK_OK(ctx, limn_model_from_callbacks(ctx, &cb, NULL, &m));
  if (!m)
    return;
  float x[4] = {1, 2, 3, -1}, o[2], w[2] = {1, 3}, g[4];
  CHECK_OK(ctx, limn_model_predict(ctx, m, x, 2, o));
  CHECK(o[0] == 1.0f && o[1] == 8.0f && calls == 1);
  CHECK_OK(ctx, limn_model_vjp(ctx, m, x, 2, w, LIMN_SPACE_OUTPUT, g));
  CHECK(g[0] == 2.0f && g[1] == -1.0f && g[2] == 6.0f && g[3] == -3.0f);
  CHECK_ERR(ctx, limn_model_forward(ctx, m, x, 1, LIMN_SPACE_LOGIT, o), LIMN_EUNSUPPORTED, "no logits");
  CHECK(!strcmp(limn_model_kind(m), "callback"));
  CHECK_ERR(ctx, limn_model_save_mem(ctx, m, NULL, NULL), LIMN_EUNSUPPORTED, "only MLP models");
  limn_model_free(m);
  CHECK_EQ(destroyed, 1);
  limn_model_callbacks bad = {2, 1, failing, NULL, NULL, on_destroy, NULL};
  CHECK_OK(ctx, limn_model_from_callbacks(ctx, &bad, NULL, &m));
  CHECK_ERR(ctx, limn_model_predict(ctx, m, x, 1, o), LIMN_ECALLBACK, "failed with 7");
  CHECK_ERR(ctx, limn_model_vjp(ctx, m, x, 1, w, LIMN_SPACE_OUTPUT, g), LIMN_EUNSUPPORTED, "no gradients");
  CHECK(!limn_model_has_vjp(m));
  limn_model_free(m);
  CHECK_EQ(destroyed, 2);
}

/* scikit-learn MLPs exported by tools/export_sklearn_mlp.py vs predict_proba. */
static void sklearn_case(const char *model, const char *rows, const char *ref, const char *name, double tol) {
  limn_model *m = NULL;
  limn_dataset *ds = NULL;
  CHECK_OK(ctx, limn_model_load(ctx, src_path(model), &m));
  if (!m)
    return;
  limn_read_opts ro = limn_read_opts_default();
  ro.schema = limn_model_schema(m);
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path(rows), &ro, &ds));
  size_t n = 0;
  double *want = read_vec(src_path(ref), name, &n);
  if (ds && want) {
    size_t k = limn_model_noutputs(m);
    CHECK_EQ(n, limn_dataset_nrows(ds) * k);
    float *o = malloc(n * sizeof *o);
    double *got = malloc(n * sizeof *got);
    CHECK_OK(ctx, limn_model_predict(ctx, m, limn_dataset_x(ds), limn_dataset_nrows(ds), o));
    for (size_t i = 0; i < n; i++)
      got[i] = o[i];
    CHECK_CLOSE(model, got, want, n, tol, tol);
    free(o), free(got);
  }
  free(want);
  limn_dataset_free(ds);
  limn_model_free(m);
}

static void test_sklearn(void) {
  test_begin("scikit-learn imports");
  sklearn_case("tests/fixtures/sklearn_bc.limn", "tests/fixtures/breast_cancer_test.csv",
               "tests/fixtures/sklearn_bc_proba.txt", "proba", 1e-6);
  sklearn_case("tests/fixtures/sklearn_iris.limn", "tests/fixtures/sklearn_iris_rows.csv",
               "tests/fixtures/sklearn_iris_proba.txt", "proba", 1e-6);
  sklearn_case("tests/fixtures/sklearn_diab.limn", "tests/fixtures/sklearn_diab_rows.csv",
               "tests/fixtures/sklearn_diab_pred.txt", "pred", 1e-4);
  /* accuracy and log-loss from scikit-learn's own probabilities and the labels */
  limn_model *m = NULL;
  limn_dataset *ds = NULL;
  limn_model_load(ctx, src_path("tests/fixtures/sklearn_bc.limn"), &m);
  if (!m)
    return;
  limn_read_opts ro = limn_read_opts_default();
  ro.schema = limn_model_schema(m);
  limn_dataset_read(ctx, src_path("tests/fixtures/breast_cancer_test.csv"), &ro, &ds);
  size_t n;
  double *p = read_vec(src_path("tests/fixtures/sklearn_bc_proba.txt"), "proba", &n);
  limn_metrics mt;
  if (ds && p) {
    CHECK_OK(ctx, limn_metrics_evaluate(ctx, m, ds, &mt));
    size_t rows = limn_dataset_nrows(ds), right = 0;
    double ll = 0;
    for (size_t i = 0; i < rows; i++) {
      size_t t = (size_t)limn_dataset_y(ds)[i];
      right += (p[2 * i + 1] > p[2 * i]) == (t == 1);
      ll -= log(fmax(p[2 * i + t], 1e-15));
    }
    double want[2] = {(double)right / (double)rows, ll / (double)rows}, got[2] = {mt.accuracy, mt.log_loss};
    CHECK_CLOSE("accuracy, log-loss", got, want, 2, 1e-6, 1e-5);
    CHECK_EQ(mt.confusion[0] + mt.confusion[1] + mt.confusion[2] + mt.confusion[3], rows);
    limn_metrics_clear(ctx, &mt);
  }
  free(p);
  limn_dataset_free(ds);
  limn_model_free(m);
}

/* Hidden-layer activations of the exported breast-cancer MLP against numpy's
 * relu(h W + b) from scikit-learn's own coefficients, first 5 test rows; rows one at a
 * time give the same bits as the block. */
static void test_hidden(void) {
  test_begin("hidden layers");
  limn_model *m = NULL;
  limn_dataset *ds = NULL;
  CHECK_OK(ctx, limn_model_load(ctx, src_path("tests/fixtures/sklearn_bc.limn"), &m));
  if (!m)
    return;
  limn_read_opts ro = limn_read_opts_default();
  ro.schema = limn_model_schema(m);
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path("tests/fixtures/breast_cancer_test.csv"), &ro, &ds));
  CHECK_EQ(limn_model_nhidden(m), 2);
  CHECK_EQ(limn_model_hidden_width(m, 1), 64);
  CHECK_EQ(limn_model_hidden_width(m, 2), 32);
  CHECK_EQ(limn_model_hidden_width(m, 3), 0);
  for (size_t layer = 1; ds && layer <= 2; layer++) {
    char name[16];
    snprintf(name, sizeof name, "hidden%zu", layer);
    size_t n = 0, w = limn_model_hidden_width(m, layer);
    double *want = read_vec(src_path("tests/fixtures/sklearn_bc_hidden.txt"), name, &n);
    CHECK(want && n == 5 * w);
    if (!want || n != 5 * w)
      continue;
    float *o = malloc(n * sizeof *o), one[64];
    double *got = malloc(n * sizeof *got);
    CHECK_OK(ctx, limn_model_hidden(ctx, m, limn_dataset_x(ds), 5, layer, o));
    for (size_t i = 0; i < n; i++)
      got[i] = o[i];
    CHECK_CLOSE(name, got, want, n, 1e-5, 1e-5);
    CHECK_OK(ctx, limn_model_hidden(ctx, m, limn_dataset_x(ds) + 3 * 30, 1, layer, one));
    CHECK(!memcmp(one, o + 3 * w, w * sizeof *one));
    free(o), free(got), free(want);
  }
  float o[64];
  CHECK_ERR(ctx, limn_model_hidden(ctx, m, limn_dataset_x(ds), 1, 3, o), LIMN_EINVAL, "with 2 (1..2)");
  limn_dataset_free(ds);
  limn_model_free(m);
}

int main(void) {
  ctx = limn_ctx_create(NULL);
  test_torch_reference();
  test_finite_differences();
  test_categorical_slots();
  test_determinism();
  test_files();
  test_callbacks();
  test_sklearn();
  test_hidden();
  limn_ctx_free(ctx);
  return test_end();
}

/* ONNX import against independent references (tests/fixtures/make_onnx.py): a
 * PyTorch MLP exported by torch.onnx.export (opsets 13 and 9) against torch's own
 * probabilities, logits and autograd input gradients; an onnx.helper regression graph
 * (typed and raw tensors) against numpy's value and analytic gradient; explainers on
 * an ONNX model; bad files. */
#include "../harness.h"
#include "../../src/models/onnx_internal.h"
#include <float.h>

static limn_ctx *ctx;

/* Rows of numbers from a reference file ('#' lines skipped): n rows of w values. */
static double *read_ref(const char *rel, size_t n, size_t w) {
  FILE *f = fopen(src_path(rel), "r");
  double *v = calloc(n * w, sizeof *v);
  char line[16384];
  size_t r = 0;
  while (f && v && r < n && fgets(line, sizeof line, f)) {
    if (line[0] == '#')
      continue;
    char *p = line;
    for (size_t c = 0; c < w; c++)
      v[r * w + c] = strtod(p, &p);
    r++;
  }
  if (f)
    fclose(f);
  if (r != n) {
    free(v);
    return NULL;
  }
  return v;
}

/* n * w numbers of a reference file whose lines may be long, after a '#' line. */
static double *read_ref_long(const char *rel, size_t n, size_t w) {
  FILE *f = fopen(src_path(rel), "r");
  double *v = calloc(n * w, sizeof *v);
  int ch = f ? fgetc(f) : EOF;
  while (ch == '#') { /* skip the comment line */
    while (ch != '\n' && ch != EOF)
      ch = fgetc(f);
    ch = f ? fgetc(f) : EOF;
  }
  if (ch != EOF)
    ungetc(ch, f);
  size_t k = 0;
  while (f && v && k < n * w && fscanf(f, "%lf", &v[k]) == 1)
    k++;
  if (f)
    fclose(f);
  if (k != n * w) {
    free(v);
    return NULL;
  }
  return v;
}

/* One reference test's inputs: the data (its target column, or NULL for none), the
 * reference (n rows of w numbers) and the ONNX fixture read against the data's schema. */
typedef struct onnx_case {
  limn_dataset *ds;
  double *ref;
  limn_model *m;
} onnx_case;

/* Load the three (each checked); 1 when all loaded. Release with case_close. */
static int case_open(onnx_case *c, const char *data, const char *target, const char *ref, size_t n, size_t w,
                     const char *onnx, limn_onnx_output kind) {
  limn_read_opts ro = limn_read_opts_default();
  char path[512];
  ro.target = target;
  c->ds = NULL, c->m = NULL;
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path(data), &ro, &c->ds));
  c->ref = read_ref(ref, n, w);
  CHECK(c->ref != NULL);
  snprintf(path, sizeof path, "tests/fixtures/onnx/%s", onnx);
  CHECK_OK(ctx,
           limn_model_load_onnx(ctx, src_path(path), c->ds ? limn_dataset_schema(c->ds) : NULL, kind, &c->m));
  return c->ds && c->ref && c->m;
}

static void case_close(onnx_case *c) {
  free(c->ref);
  limn_model_free(c->m);
  limn_dataset_free(c->ds);
}

static void test_torch(const char *file) {
  test_begin(file);
  onnx_case tc;
  if (!case_open(&tc, "data/breast_cancer.csv", "diagnosis", "tests/fixtures/onnx/bc_torch_ref.txt", 20, 34,
                 file, LIMN_ONNX_AUTO)) {
    case_close(&tc);
    return;
  }
  const limn_model *m = tc.m;
  const double *ref = tc.ref;
  CHECK(!strcmp(limn_model_kind(m), "onnx") && limn_model_has_vjp(m) && limn_model_noutputs(m) == 2);
  const float *x = limn_dataset_x(tc.ds);
  float p[40], z[40], g[20 * 30], w[40];
  double got[20 * 30], want[20 * 30];
  CHECK_OK(ctx, limn_model_predict(ctx, m, x, 20, p));
  CHECK_OK(ctx, limn_model_forward(ctx, m, x, 20, LIMN_SPACE_LOGIT, z));
  for (size_t i = 0; i < 20; i++)
    for (size_t c = 0; c < 2; c++) {
      got[i * 2 + c] = p[i * 2 + c], want[i * 2 + c] = ref[i * 34 + c];
      got[40 + i * 2 + c] = z[i * 2 + c], want[40 + i * 2 + c] = ref[i * 34 + 2 + c];
    }
  CHECK_CLOSE("probabilities vs torch", got, want, 40, 1e-6, 1e-5);
  CHECK_CLOSE("logits vs torch", got + 40, want + 40, 40, 1e-5, 1e-5);
  /* the gradient of the predicted class's probability */
  for (size_t i = 0; i < 20; i++) {
    size_t pc = p[2 * i + 1] > p[2 * i] ? 1 : 0;
    w[2 * i] = pc == 0, w[2 * i + 1] = pc == 1;
  }
  CHECK_OK(ctx, limn_model_vjp(ctx, m, x, 20, w, LIMN_SPACE_OUTPUT, g));
  double scale = 0;
  for (size_t i = 0; i < 20 * 30; i++) {
    got[i] = g[i], want[i] = ref[(i / 30) * 34 + 4 + i % 30];
    scale = fmax(scale, fabs(want[i]));
  }
  CHECK_CLOSE("input gradients vs torch autograd", got, want, 600, 1e-5 * scale, 1e-5);
  /* a row's result does not depend on its batch */
  float p1[2];
  CHECK_OK(ctx, limn_model_predict(ctx, m, x + 7 * 30, 1, p1));
  CHECK(p1[0] == p[14] && p1[1] == p[15]);
  /* the explainers run on it with exact gradients: IG is complete */
  limn_grad_opts go = limn_grad_opts_default();
  go.method = LIMN_METHOD_IG;
  go.quadrature = LIMN_QUAD_GAUSS_LEGENDRE;
  go.steps = 2000; /* a long path (zero baseline) through a sharp softmax */
  limn_explanation *ex = NULL, *ee = NULL;
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 3, &go, &ex));
  for (size_t i = 0; ex && i < 3; i++)
    CHECK(fabs(ex[i].delta) < 2e-3 && !ex[i].finite_differences);
  /* the graph (standardisation, the Shape/Reshape chain, Gemm, Relu, Gemm, Softmax) is
   * piecewise-linear: exact IG is complete to rounding, and the quadrature converges
   * to it */
  char why[320];
  CHECK(limn_model_piecewise_linear(m, why, sizeof why) == 1 && !why[0]);
  go.quadrature = LIMN_QUAD_EXACT;
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 3, &go, &ee));
  for (size_t i = 0; ex && ee && i < 3; i++) {
    CHECK(fabs(ee[i].delta) < 1e-9 && ee[i].nsegments > 0);
    CHECK_CLOSE("exact IG vs 2000-node Gauss-Legendre", ee[i].attr, ex[i].attr, 30, 2e-3, 0);
  }
  limn_explanations_free(ctx, ex, 3);
  limn_explanations_free(ctx, ee, 3);
  case_close(&tc);
}

/* A small CNN on the 8x8 digits (Conv, MaxPool, Pad, AveragePool, Flatten), input
 * declared (N, 1, 8, 8): the 64 columns of a row are its pixels. */
/* An image network on the 8x8 digits: probabilities, logits and input gradients
 * against torch's (the fixture's rows: 10 probabilities, 10 logits, 64 gradients). */
static void cnn_case(const char *ref_file, const char *onnx_file, const char *what) {
  onnx_case tc;
  char label[96];
  if (case_open(&tc, "data/digits.csv", "digit", ref_file, 10, 84, onnx_file, LIMN_ONNX_AUTO)) {
    const limn_model *m = tc.m;
    const double *ref = tc.ref;
    const float *x = limn_dataset_x(tc.ds);
    float p[100], z[100], w[100] = {0}, g[640];
    double got[640], want[640], scale = 0;
    CHECK_OK(ctx, limn_model_predict(ctx, m, x, 10, p));
    CHECK_OK(ctx, limn_model_forward(ctx, m, x, 10, LIMN_SPACE_LOGIT, z));
    for (size_t q = 0; q < 100; q++) {
      got[q] = p[q], want[q] = ref[(q / 10) * 84 + q % 10];
      got[100 + q] = z[q], want[100 + q] = ref[(q / 10) * 84 + 10 + q % 10];
    }
    snprintf(label, sizeof label, "%s probabilities vs torch", what);
    CHECK_CLOSE(label, got, want, 100, 1e-6, 1e-5);
    snprintf(label, sizeof label, "%s logits vs torch", what);
    CHECK_CLOSE(label, got + 100, want + 100, 100, 1e-5, 1e-5);
    for (size_t i = 0; i < 10; i++) {
      size_t b = 0;
      for (size_t c = 1; c < 10; c++)
        b = p[i * 10 + c] > p[i * 10 + b] ? c : b;
      w[i * 10 + b] = 1.0f;
    }
    CHECK_OK(ctx, limn_model_vjp(ctx, m, x, 10, w, LIMN_SPACE_OUTPUT, g));
    for (size_t q = 0; q < 640; q++) {
      got[q] = g[q], want[q] = ref[(q / 64) * 84 + 20 + q % 64];
      scale = fmax(scale, fabs(want[q]));
    }
    snprintf(label, sizeof label, "%s input gradients vs torch autograd", what);
    CHECK_CLOSE(label, got, want, 640, 1e-5 * scale, 1e-5);
    char why[320];
    CHECK(limn_model_piecewise_linear(m, why, sizeof why) == 0 && strstr(why, "rank-4 tensor (images)"));
  }
  case_close(&tc);
}

static void test_cnn(void) {
  test_begin("digits CNN");
  cnn_case("tests/fixtures/onnx/digits_cnn_ref.txt", "digits_cnn.onnx", "CNN");
}

/* Conv, BatchNormalization, Clip (Relu6), a depthwise Conv, HardSwish, a residual Add,
 * GlobalAveragePool and HardSigmoid gating: torch's values and gradients. */
static void test_resnet(void) {
  test_begin("digits residual CNN (batch norm, depthwise, HardSwish)");
  cnn_case("tests/fixtures/onnx/digits_resnet_ref.txt", "digits_resnet.onnx", "residual CNN");
}

static void test_concat(void) {
  test_begin("digits CNN with branches joined by Concat on channels");
  cnn_case("tests/fixtures/onnx/digits_concat_ref.txt", "digits_concat.onnx", "Concat CNN");
}

/* Stride-1 convolutions as wide as their input (the columns read straight from the
 * image, their edges zeroed): 5x5, dilated 3x3, 1x3, 3x1, 7x7 on an 8x8 image, and 3x3
 * on three channels, every position into the Linear. */
static void test_pads(void) {
  test_begin("digits CNN with 'same' convolutions of every kernel shape");
  cnn_case("tests/fixtures/onnx/digits_pads_ref.txt", "digits_pads.onnx", "'same' convolutions");
}

/* Maps of one row (a 3x3 convolution of stride (8, 1)), then a 'same' 3x3 convolution
 * whose kernel rows above and below the map read nothing (a fuzzed graph of this shape
 * made the straight-through columns copy a negative length). */
static void test_row_maps(void) {
  test_begin("digits CNN with maps of one row");
  cnn_case("tests/fixtures/onnx/digits_row1_ref.txt", "digits_row1.onnx", "one-row maps");
}

/* Resize as FPN / UNet-style networks upsample: nearest x2 (asymmetric, floor), bilinear
 * to a size computed in the graph (half_pixel) and bilinear x1.5 with align_corners. */
static void test_resize(void) {
  test_begin("digits CNN with nearest and bilinear Resize");
  cnn_case("tests/fixtures/onnx/digits_resize_ref.txt", "digits_resize.onnx", "Resize CNN");
}

/* Every Resize mode torch does not export, one graph each (x (N, 3) by 1.5 to (N, 4)),
 * against ONNX's formulas written out in numpy; and the backward pass is the forward's
 * transpose: <w, R x> = <R^T w, x> for any x and w (Resize is linear in x). */
static void test_resize_modes(void) {
  test_begin("Resize: nearest and linear modes vs ONNX's formulas, the gradient as the transpose");
  FILE *f = fopen(src_path("tests/fixtures/onnx/resize_modes_ref.txt"), "r");
  CHECK(f != NULL);
  char line[4096];
  size_t models = 0;
  const float x[9] = {1, 2, 4, 0, -1, 5, 2.5f, 2.5f, -3};
  while (f && fgets(line, sizeof line, f)) {
    if (line[0] == '#')
      continue;
    char name[128], path[256];
    int at = 0;
    double want[12], got[12];
    if (sscanf(line, "%127s%n", name, &at) != 1)
      continue;
    const char *p = line + at;
    for (size_t q = 0; q < 12; q++) {
      char *end;
      want[q] = strtod(p, &end);
      p = end;
    }
    snprintf(path, sizeof path, "tests/fixtures/onnx/resize_%s.onnx", name);
    limn_model *m = NULL;
    CHECK_OK(ctx, limn_model_load_onnx(ctx, src_path(path), NULL, LIMN_ONNX_LOGITS, &m));
    if (!m)
      continue;
    float y[12], g[9], w[12];
    CHECK_OK(ctx, limn_model_forward(ctx, m, x, 3, LIMN_SPACE_LOGIT, y));
    for (size_t q = 0; q < 12; q++)
      got[q] = y[q];
    CHECK_CLOSE(name, got, want, 12, 1e-6, 1e-6);
    double lhs = 0, rhs = 0;
    for (size_t q = 0; q < 12; q++) {
      w[q] = (float)((double)((q * 7) % 5) - 1.5);
      lhs += (double)w[q] * y[q];
    }
    CHECK_OK(ctx, limn_model_vjp(ctx, m, x, 3, w, LIMN_SPACE_LOGIT, g));
    for (size_t q = 0; q < 9; q++)
      rhs += (double)g[q] * x[q];
    CHECK(fabs(lhs - rhs) < 1e-5 * (1 + fabs(lhs)));
    limn_model_free(m);
    models++;
  }
  if (f)
    fclose(f);
  CHECK_EQ(models, 13);
  limn_model *m = NULL; /* what is not supported is refused by name, with the node */
  CHECK_ERR(ctx,
            limn_model_load_onnx(ctx, src_path("tests/fixtures/onnx/resize_cubic.onnx"), NULL,
                                 LIMN_ONNX_LOGITS, &m),
            LIMN_EUNSUPPORTED, "node 0 '(unnamed)': Resize with mode 'cubic' is not supported");
  limn_model_free(m);
  m = NULL; /* an intermediate beyond the limit per tensor, though the output is within it */
  CHECK_ERR(
      ctx,
      limn_model_load_onnx(ctx, src_path("tests/fixtures/onnx/resize_grow.onnx"), NULL, LIMN_ONNX_LOGITS, &m),
      LIMN_ESHAPE, "more than 16777216 elements");
  limn_model_free(m);
}

/* Split into six outputs (beyond a fused QKV's three), joined back reversed: y is x
 * reversed, and the gradient of <w, y> is w reversed. */
static void test_split6(void) {
  test_begin("Split into six outputs");
  limn_model *m = NULL;
  CHECK_OK(ctx, limn_model_load_onnx(ctx, src_path("tests/fixtures/onnx/split6.onnx"), NULL, LIMN_ONNX_LOGITS,
                                     &m));
  if (!m)
    return;
  const float x[12] = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6};
  const float w[12] = {1, 0, 0, 0, 0, 2, 3, 0, 0, 0, 0, 0.5f};
  float y[12], g[12];
  CHECK_OK(ctx, limn_model_forward(ctx, m, x, 2, LIMN_SPACE_LOGIT, y));
  CHECK_OK(ctx, limn_model_vjp(ctx, m, x, 2, w, LIMN_SPACE_LOGIT, g));
  int ok = 1;
  for (size_t i = 0; i < 2; i++)
    for (size_t j = 0; j < 6; j++)
      ok &= y[i * 6 + j] == x[i * 6 + 5 - j] && g[i * 6 + j] == w[i * 6 + 5 - j];
  CHECK(ok);
  limn_model_free(m);
}

/* Categorical columns: the graph takes limn's slots (numeric values, one-hot
 * categories in the data's order); gradients come per slot. */
static void test_credit(void) {
  test_begin("credit, categorical columns one-hot");
  onnx_case tc;
  if (case_open(&tc, "data/credit-g.arff", "class", "tests/fixtures/onnx/credit_torch_ref.txt", 10, 65,
                "credit_torch.onnx", LIMN_ONNX_AUTO)) {
    const limn_model *m = tc.m;
    const limn_dataset *ds = tc.ds;
    const double *ref = tc.ref;
    CHECK(limn_model_nfeatures(m) == 20 && limn_model_nslots(m) == 63);
    const float *x = limn_dataset_x(ds);
    float p[20], w[20] = {0}, g[630];
    double got[630], want[630], scale = 0;
    CHECK_OK(ctx, limn_model_predict(ctx, m, x, 10, p));
    for (size_t q = 0; q < 20; q++)
      got[q] = p[q], want[q] = ref[(q / 2) * 65 + q % 2];
    CHECK_CLOSE("probabilities vs torch", got, want, 20, 1e-6, 1e-5);
    for (size_t i = 0; i < 10; i++)
      w[2 * i + (p[2 * i + 1] > p[2 * i])] = 1.0f;
    CHECK_OK(ctx, limn_model_vjp(ctx, m, x, 10, w, LIMN_SPACE_OUTPUT, g));
    for (size_t q = 0; q < 630; q++) {
      got[q] = g[q], want[q] = ref[(q / 63) * 65 + 2 + q % 63];
      scale = fmax(scale, fabs(want[q]));
    }
    CHECK_CLOSE("per-slot gradients vs torch autograd", got, want, 630, 1e-5 * scale, 1e-5);
    /* IG (over slots) and LIME (over categories) run on it */
    limn_grad_opts go = limn_grad_opts_default();
    go.method = LIMN_METHOD_IG;
    go.steps = 300;
    limn_explanation *ex = NULL;
    CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 2, &go, &ex));
    for (size_t i = 0; ex && i < 2; i++)
      CHECK(fabs(ex[i].delta) < 1e-3 && ex[i].nslots == 63);
    limn_explanations_free(ctx, ex, 2);
    limn_stats *st = NULL;
    CHECK_OK(ctx, limn_stats_compute(ctx, ds, &st));
    limn_lime_opts lo = limn_lime_opts_default();
    CHECK_OK(ctx, limn_explain_lime(ctx, m, st, x, 2, &lo, &ex));
    limn_explanations_free(ctx, ex, 2);
    limn_stats_free(st);
  }
  case_close(&tc);
}

/* Grad-CAM and Grad-CAM++ of the digits CNN against torch autograd (double): at the
 * last Conv (the default) and at a named Relu; the errors name what is wrong. */
static void test_gradcam(void) {
  test_begin("Grad-CAM");
  onnx_case tc;
  if (case_open(&tc, "data/digits.csv", "digit", "tests/fixtures/onnx/digits_cnn_gradcam_ref.txt", 10, 97,
                "digits_cnn.onnx", LIMN_ONNX_AUTO)) {
    const float *x = limn_dataset_x(tc.ds);
    long t[10];
    for (size_t i = 0; i < 10; i++)
      t[i] = (long)tc.ref[i * 97];
    float maps[640];
    double got[640], want[640], scale = 0;
    size_t h = 0, w = 0;
    for (int pp = 0; pp < 2; pp++) {
      CHECK_OK(ctx,
               limn_model_gradcam(ctx, tc.m, x, 10, NULL, t, 0, LIMN_SPACE_LOGIT, pp, maps, 640, &h, &w));
      CHECK(h == 4 && w == 4);
      scale = 0;
      for (size_t q = 0; q < 160; q++) {
        got[q] = maps[q], want[q] = tc.ref[(q / 16) * 97 + 1 + 16 * pp + q % 16];
        scale = fmax(scale, fabs(want[q]));
      }
      CHECK_CLOSE(pp ? "Grad-CAM++ at the last Conv vs torch" : "Grad-CAM at the last Conv vs torch", got,
                  want, 160, 1e-5 * scale, 1e-5);
    }
    CHECK_OK(ctx, limn_model_gradcam(ctx, tc.m, x, 10, "/Relu_output_0", t, 0, LIMN_SPACE_LOGIT, 0, maps, 640,
                                     &h, &w));
    CHECK(h == 8 && w == 8);
    scale = 0;
    for (size_t q = 0; q < 640; q++) {
      got[q] = maps[q], want[q] = tc.ref[(q / 64) * 97 + 33 + q % 64];
      scale = fmax(scale, fabs(want[q]));
    }
    CHECK_CLOSE("Grad-CAM at the first Relu vs torch", got, want, 640, 1e-5 * scale, 1e-5);
    /* --method gradcam and gradcam++: the maps upsampled to the 8x8 pixels as torch's bilinear
     * F.interpolate, for each row's class */
    double *up = read_ref("tests/fixtures/onnx/digits_cnn_gradcam_up_ref.txt", 10, 128);
    CHECK(up != NULL);
    for (int pp = 0; up && pp < 2; pp++) {
      limn_grad_opts go = limn_grad_opts_default();
      go.method = pp ? LIMN_METHOD_GRADCAMPP : LIMN_METHOD_GRADCAM;
      go.space = LIMN_SPACE_LOGIT;
      go.targets = t;
      limn_explanation *e = NULL;
      CHECK_OK(ctx, limn_explain_gradients(ctx, tc.m, x, 10, &go, &e));
      scale = 0;
      for (size_t q = 0; e && q < 640; q++) {
        got[q] = e[q / 64].attr[q % 64], want[q] = up[(q / 64) * 128 + 64 * pp + q % 64];
        scale = fmax(scale, fabs(want[q]));
      }
      if (e)
        CHECK_CLOSE(pp ? "gradcam++ upsampled vs torch" : "gradcam upsampled vs torch", got, want, 640,
                    1e-5 * scale, 1e-5);
      limn_explanations_free(ctx, e, 10);
    }
    free(up);
    CHECK(limn_model_gradcam(ctx, tc.m, x, 10, "nope", t, 0, LIMN_SPACE_LOGIT, 0, maps, 640, &h, &w) ==
              LIMN_ENOTFOUND &&
          strstr(limn_ctx_errmsg(ctx), "'/c2/Conv_output_0'"));
    CHECK(limn_model_gradcam(ctx, tc.m, x, 10, "/Flatten_output_0", t, 0, LIMN_SPACE_LOGIT, 0, maps, 640, &h,
                             &w) == LIMN_ESHAPE);
    CHECK(limn_model_gradcam(ctx, tc.m, x, 10, NULL, t, 0, LIMN_SPACE_LOGIT, 0, maps, 100, &h, &w) ==
          LIMN_ESHAPE);
  }
  case_close(&tc);
}

/* Occlusion of the digits CNN (3x3 windows, stride 2, fill 0) against its definition
 * computed here from the model's outputs on occluded copies. */
static void test_occlusion(void) {
  test_begin("occlusion");
  onnx_case tc;
  if (case_open(&tc, "data/digits.csv", "digit", "tests/fixtures/onnx/digits_cnn_ref.txt", 10, 84,
                "digits_cnn.onnx", LIMN_ONNX_AUTO)) {
    const float *x = limn_dataset_x(tc.ds);
    limn_grad_opts go = limn_grad_opts_default();
    go.method = LIMN_METHOD_OCCLUSION;
    go.window[0] = go.window[1] = 3, go.stride[0] = go.stride[1] = 2;
    go.target = 3;
    limn_explanation *e = NULL;
    CHECK_OK(ctx, limn_explain_gradients(ctx, tc.m, x, 3, &go, &e));
    double got[192], want[192] = {0}, cnt[64] = {0};
    float xo[64], p[10], p0[10];
    for (size_t i = 0; e && i < 3; i++) {
      CHECK_OK(ctx, limn_model_predict(ctx, tc.m, x + i * 64, 1, p0));
      for (size_t wy = 0; wy + 3 <= 8; wy += 2)
        for (size_t wx = 0; wx + 3 <= 8; wx += 2) {
          memcpy(xo, x + i * 64, sizeof xo);
          for (size_t y = 0; y < 3; y++)
            for (size_t q = 0; q < 3; q++)
              xo[(wy + y) * 8 + wx + q] = 0.0f;
          CHECK_OK(ctx, limn_model_predict(ctx, tc.m, xo, 1, p));
          for (size_t y = 0; y < 3; y++)
            for (size_t q = 0; q < 3; q++) {
              want[i * 64 + (wy + y) * 8 + wx + q] += (double)p0[3] - p[3];
              cnt[(wy + y) * 8 + wx + q] += i == 0;
            }
        }
      for (size_t j = 0; j < 64; j++) {
        got[i * 64 + j] = e[i].attr[j];
        want[i * 64 + j] = cnt[j] ? want[i * 64 + j] / cnt[j] : 0.0;
      }
    }
    if (e)
      CHECK_CLOSE("occlusion vs its definition", got, want, 192, 1e-6, 1e-5);
    CHECK(e && e[0].attr[7] == 0.0); /* column 7: no 3-wide window at stride 2 reaches it */
    limn_explanations_free(ctx, e, 3);
  }
  case_close(&tc);
}

/* The bundled Fashion-MNIST CNN on its PNG images (decoded, normalised with mean 0.286
 * and std 0.353): probabilities, input gradients, Grad-CAM at the last Conv (logit),
 * occlusion (4x4, stride 2, fill 0) and IG from the black image (50 Gauss-Legendre
 * nodes) against torch in double (tests/fixtures/make_fashion.py). */
static void test_fashion(void) {
  test_begin("fashion CNN on PNG images");
  if (!limn_image_supported())
    return;
  enum { N = 10, D = 784, W = 10 + D + 49 + D + D };
  double *ref = read_ref_long("tests/fixtures/onnx/fashion_cnn_ref.txt", N, W);
  limn_model *m = NULL;
  CHECK(ref != NULL);
  CHECK_OK(ctx,
           limn_model_load_onnx(ctx, src_path("data/fashion/fashion_cnn.onnx"), NULL, LIMN_ONNX_AUTO, &m));
  size_t c = 0, h = 0, w = 0;
  CHECK_OK(ctx, limn_model_image_shape(ctx, m, &c, &h, &w));
  CHECK(c == 1 && h == 28 && w == 28);
  float *x = calloc(N * D, sizeof *x), *g = calloc(N * D, sizeof *g), p[N * 10], wt[N * 10] = {0};
  double *got = calloc(N * D, sizeof *got), *want = calloc(N * D, sizeof *want);
  const double mean = 0.286, sd = 0.353;
  for (size_t i = 0; i < N && ref && m; i++) {
    char path[96];
    snprintf(path, sizeof path, "data/fashion/images/test_%02zu.png", i);
    limn_image *im = NULL;
    CHECK_OK(ctx, limn_image_read(ctx, src_path(path), &im));
    CHECK_OK(ctx, limn_image_to_input(ctx, im, &mean, &sd, x + i * D));
    limn_image_free(im);
  }
  if (!ref || !m || !x || !g || !got || !want) {
    free(ref), free(x), free(g), free(got), free(want);
    limn_model_free(m);
    return;
  }
  CHECK_OK(ctx, limn_model_predict(ctx, m, x, N, p));
  long pred[N];
  for (size_t i = 0; i < N; i++) {
    pred[i] = 0;
    for (size_t k = 0; k < 10; k++) {
      got[i * 10 + k] = p[i * 10 + k], want[i * 10 + k] = ref[i * W + k];
      pred[i] = p[i * 10 + k] > p[i * 10 + pred[i]] ? (long)k : pred[i];
    }
    wt[i * 10 + pred[i]] = 1.0f;
  }
  CHECK_CLOSE("probabilities vs torch", got, want, N * 10, 1e-6, 1e-5);
  /* each method's maps against torch's, to 1e-5 of the largest value of each image */
  const char *what[4] = {"input gradients", "Grad-CAM", "occlusion", "IG from black"};
  for (int meth = 0; meth < 4; meth++) {
    size_t off = meth == 0 ? 10 : meth == 1 ? 10 + D : meth == 2 ? 10 + D + 49 : 10 + D + 49 + D;
    size_t len = meth == 1 ? 49 : D;
    float *maps = meth == 1 ? calloc(N * 49, sizeof *maps) : NULL;
    limn_explanation *e = NULL;
    limn_grad_opts go = limn_grad_opts_default();
    float black[D];
    for (size_t j = 0; j < D; j++)
      black[j] = (float)((0.0 - mean) / sd);
    if (meth == 0) {
      CHECK_OK(ctx, limn_model_vjp(ctx, m, x, N, wt, LIMN_SPACE_OUTPUT, g));
    } else if (meth == 1) {
      size_t mh = 0, mw = 0;
      CHECK_OK(ctx,
               limn_model_gradcam(ctx, m, x, N, NULL, pred, -1, LIMN_SPACE_LOGIT, 0, maps, N * 49, &mh, &mw));
      CHECK(mh == 7 && mw == 7);
    } else {
      go.method = meth == 2 ? LIMN_METHOD_OCCLUSION : LIMN_METHOD_IG;
      go.targets = pred;
      go.quadrature = LIMN_QUAD_GAUSS_LEGENDRE, go.steps = 50;
      go.baseline = LIMN_BASELINE_ROWS, go.baseline_rows = black, go.nbaseline_rows = 1;
      CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, N, &go, &e));
    }
    int ok = 1;
    for (size_t i = 0; i < N; i++) {
      double scale = 0;
      for (size_t j = 0; j < len; j++) {
        want[j] = ref[i * W + off + j];
        got[j] = meth == 0   ? g[i * D + j]
                 : meth == 1 ? (maps ? maps[i * 49 + j] : NAN)
                 : e         ? e[i].attr[j]
                             : NAN;
        scale = fmax(scale, fabs(want[j]));
      }
      /* float32 inference: 1e-7 is about one unit in the last place of a probability near 1, which a
       * saturated image's small gradients and occlusion differences inherit */
      ok &= CHECK_CLOSE(what[meth], got, want, len, 1e-5 * scale + 1e-7, 1e-5);
      if (meth == 3 && e) { /* the reported gap is sum(attr) - (F(x) - F(black)) (50 nodes leave up to 3 %) */
        double sum = 0;
        for (size_t j = 0; j < D; j++)
          sum += e[i].attr[j];
        CHECK(fabs(e[i].delta - (sum - (e[i].output - e[i].base_value))) < 1e-6);
      }
    }
    CHECK(ok);
    limn_explanations_free(ctx, e, e ? N : 0);
    free(maps);
  }
  /* the randomisation check's model: the last layer re-drawn changes the outputs, the same
   * seed the same way on a second copy, and there are 4 weighted layers */
  limn_model *r1 = NULL, *r2 = NULL, *r3 = NULL;
  size_t done = 0;
  float q1[N * 10], q2[N * 10], q3[N * 10];
  CHECK_OK(ctx,
           limn_model_load_onnx(ctx, src_path("data/fashion/fashion_cnn.onnx"), NULL, LIMN_ONNX_AUTO, &r1));
  CHECK_OK(ctx,
           limn_model_load_onnx(ctx, src_path("data/fashion/fashion_cnn.onnx"), NULL, LIMN_ONNX_AUTO, &r2));
  CHECK_OK(ctx,
           limn_model_load_onnx(ctx, src_path("data/fashion/fashion_cnn.onnx"), NULL, LIMN_ONNX_AUTO, &r3));
  CHECK_OK(ctx, limn_model_randomize_layers(ctx, r1, 1, 5, &done));
  CHECK_EQ(done, 1);
  CHECK_OK(ctx, limn_model_randomize_layers(ctx, r2, 1, 5, NULL));
  CHECK_OK(ctx, limn_model_randomize_layers(ctx, r3, 100, 5, &done));
  CHECK_EQ(done, 4);
  CHECK_OK(ctx, limn_model_predict(ctx, r1, x, N, q1));
  CHECK_OK(ctx, limn_model_predict(ctx, r2, x, N, q2));
  CHECK_OK(ctx, limn_model_predict(ctx, r3, x, N, q3));
  CHECK(!memcmp(q1, q2, sizeof q1));
  CHECK(memcmp(q1, p, sizeof q1) && memcmp(q3, q1, sizeof q1));
  limn_model_free(r1), limn_model_free(r2), limn_model_free(r3);
  free(ref), free(x), free(g), free(got), free(want);
  limn_model_free(m);
}

/* A colour pipeline end to end: a JPEG decoded, resized to the model's 8x8 (antialiased),
 * normalised with ImageNet's statistics, through a 3-channel CNN: probabilities and input
 * gradients against torch on djpeg's decoding (tests/fixtures/make_onnx.py rgb_fixture). */
static void test_rgb(void) {
  test_begin("colour images end to end");
  if (!limn_image_supported())
    return;
  double *ref = read_ref_long("tests/fixtures/onnx/rgb_cnn_ref.txt", 1, 4 + 192);
  limn_model *m = NULL;
  limn_image *im = NULL, *small = NULL;
  CHECK(ref != NULL);
  CHECK_OK(ctx,
           limn_model_load_onnx(ctx, src_path("tests/fixtures/onnx/rgb_cnn.onnx"), NULL, LIMN_ONNX_AUTO, &m));
  CHECK_OK(ctx, limn_image_read(ctx, src_path("tests/fixtures/images/jpeg_rgb.jpg"), &im));
  CHECK_OK(ctx, limn_image_resize(ctx, im, 8, 8, &small));
  const double mean[3] = {0.485, 0.456, 0.406}, sd[3] = {0.229, 0.224, 0.225};
  float x[192], p[4], w[4] = {0}, g[192];
  if (ref && m && small) {
    CHECK_OK(ctx, limn_image_to_input(ctx, small, mean, sd, x));
    CHECK_OK(ctx, limn_model_predict(ctx, m, x, 1, p));
    size_t best = 0;
    double got[196], scale = 0;
    for (size_t k = 0; k < 4; k++) {
      got[k] = p[k];
      best = p[k] > p[best] ? k : best;
    }
    w[best] = 1;
    CHECK_OK(ctx, limn_model_vjp(ctx, m, x, 1, w, LIMN_SPACE_OUTPUT, g));
    for (size_t j = 0; j < 192; j++)
      got[4 + j] = g[j], scale = fmax(scale, fabs(ref[4 + j]));
    CHECK_CLOSE("probabilities vs torch", got, ref, 4, 1e-6, 1e-5);
    CHECK_CLOSE("input gradients vs torch", got + 4, ref + 4, 192, 1e-5 * scale, 1e-5);
  }
  limn_image_free(im), limn_image_free(small);
  limn_model_free(m);
  free(ref);
}

/* MatMul beyond rank 2: a rank-3 product with a folded bias, a batch broadcast from
 * the first operand, batch by batch; torch's value and gradient (double) to 1e-5. */
static void test_batched_matmul(void) {
  test_begin("batched MatMul");
  onnx_case tc;
  if (case_open(&tc, "tests/fixtures/onnx/batched_matmul_x.csv", NULL,
                "tests/fixtures/onnx/batched_matmul_ref.txt", 10, 13, "batched_matmul.onnx",
                LIMN_ONNX_VALUE)) {
    const float *x = limn_dataset_x(tc.ds);
    float y[10], g[120], w[10];
    double got[120], want[120], scale = 0;
    CHECK_OK(ctx, limn_model_predict(ctx, tc.m, x, 10, y));
    for (size_t i = 0; i < 10; i++)
      got[i] = y[i], want[i] = tc.ref[i * 13], w[i] = 1.0f;
    CHECK_CLOSE("values vs torch", got, want, 10, 1e-5, 1e-5);
    CHECK_OK(ctx, limn_model_vjp(ctx, tc.m, x, 10, w, LIMN_SPACE_OUTPUT, g));
    for (size_t i = 0; i < 120; i++) {
      got[i] = g[i], want[i] = tc.ref[(i / 12) * 13 + 1 + i % 12];
      scale = fmax(scale, fabs(want[i]));
    }
    CHECK_CLOSE("gradients vs torch autograd", got, want, 120, 1e-5 * scale, 1e-5);
    /* one row at a time gives the same bits (batch independence) */
    float y1;
    int same = 1;
    for (size_t i = 0; i < 10; i++) {
      CHECK_OK(ctx, limn_model_predict(ctx, tc.m, x + i * 12, 1, &y1));
      same &= y1 == y[i];
    }
    CHECK(same);
  }
  case_close(&tc);
}

/* A value graph (make_onnx.py save_value_graph: x (10, w) to y) loaded with the folds
 * on and off: `folded` nodes folded; the same bits of the values and gradients both ways,
 * and torch's values and gradients (STEM_ref.txt: per row y, then dy/dx). */
static void fold_case(const char *stem, size_t w, size_t folded) {
  char data[128], ref[128], file[128];
  snprintf(data, sizeof data, "tests/fixtures/onnx/%s_x.csv", stem);
  snprintf(ref, sizeof ref, "tests/fixtures/onnx/%s_ref.txt", stem);
  snprintf(file, sizeof file, "%s.onnx", stem);
  onnx_case tc[2];
  limn__onnx_fold(0);
  int ok = case_open(&tc[1], data, NULL, ref, 10, w + 1, file, LIMN_ONNX_VALUE);
  limn__onnx_fold(1);
  ok &= case_open(&tc[0], data, NULL, ref, 10, w + 1, file, LIMN_ONNX_VALUE);
  if (ok) {
    CHECK_EQ(limn__onnx_folded(tc[0].m), folded);
    CHECK_EQ(limn__onnx_folded(tc[1].m), 0);
    const float *x = limn_dataset_x(tc[0].ds);
    float y[2][10], g[2][10 * 12], w1[10];
    double got[10 * 12], want[10 * 12], scale = 0;
    for (size_t i = 0; i < 10; i++)
      w1[i] = 1.0f;
    for (int f = 0; f < 2; f++) {
      CHECK_OK(ctx, limn_model_predict(ctx, tc[f].m, x, 10, y[f]));
      CHECK_OK(ctx, limn_model_vjp(ctx, tc[f].m, x, 10, w1, LIMN_SPACE_OUTPUT, g[f]));
    }
    CHECK(!memcmp(y[0], y[1], sizeof y[0]));
    CHECK(!memcmp(g[0], g[1], 10 * w * sizeof(float)));
    for (size_t i = 0; i < 10; i++)
      got[i] = y[0][i], want[i] = tc[0].ref[i * (w + 1)];
    CHECK_CLOSE("values vs torch", got, want, 10, 1e-5, 1e-5);
    for (size_t i = 0; i < 10 * w; i++) {
      got[i] = g[0][i], want[i] = tc[0].ref[(i / w) * (w + 1) + 1 + i % w];
      scale = fmax(scale, fabs(want[i]));
    }
    CHECK_CLOSE("gradients vs torch autograd", got, want, 10 * w, 1e-5 * scale, 1e-5);
  }
  case_close(&tc[0]), case_close(&tc[1]);
}

/* Softmax over scores that a mask broadcasts (fold_softmax's general path: each row of
 * scores read for two rows of the mask, its gradient summed before the scale's), once
 * divided and masked Where(mask, scores, fill), once unscaled and Where(mask, fill,
 * scores). */
static void test_softmax_bcast(void) {
  test_begin("Softmax with a broadcast mask folded in");
  fold_case("softmax_bcast", 4, 2);
}

/* GELU and a Softmax's scale and mask folded where their inputs' gradients already hold
 * other terms (read again after them): GELU and the three Softmax folded. */
static void test_fold_paths(void) {
  test_begin("folded GELU and Softmax, gradients with other terms");
  fold_case("fold_paths", 8, 4);
}

/* An attention's head Transposes folded into its products where their gradients meet
 * other terms (one value read as both operands of the scores, through two Transposes,
 * and added to the output too; the values likewise): the two products folded. */
static void test_head_transposes(void) {
  test_begin("head Transposes folded into the products");
  fold_case("head_transposes", 12, 2);
}

static void test_helper(const char *file) {
  test_begin(file);
  onnx_case tc; /* no target in the data: VALUE says what the output is */
  if (!case_open(&tc, "tests/fixtures/onnx/reg_helper_x.csv", NULL, "tests/fixtures/onnx/reg_helper_ref.txt",
                 10, 17, file, LIMN_ONNX_VALUE)) {
    case_close(&tc);
    return;
  }
  const limn_model *m = tc.m;
  const double *ref = tc.ref;
  CHECK(limn_model_task(m) == LIMN_TASK_REGRESSION && limn_model_noutputs(m) == 1);
  const float *x = limn_dataset_x(tc.ds);
  float y[10], g[80], w[10];
  double got[80], want[80];
  CHECK_OK(ctx, limn_model_predict(ctx, m, x, 10, y));
  for (size_t i = 0; i < 10; i++)
    got[i] = y[i], want[i] = ref[i * 17 + 8], w[i] = 1.0f;
  CHECK_CLOSE("values vs numpy", got, want, 10, 1e-5, 1e-5);
  CHECK_OK(ctx, limn_model_vjp(ctx, m, x, 10, w, LIMN_SPACE_OUTPUT, g));
  for (size_t i = 0; i < 80; i++)
    got[i] = g[i], want[i] = ref[(i / 8) * 17 + 9 + i % 8];
  CHECK_CLOSE("gradients vs numpy", got, want, 80, 1e-5, 1e-5);
  /* loaded without a schema: the graph declares 8 columns */
  limn_model *m2 = NULL;
  char path[512];
  snprintf(path, sizeof path, "tests/fixtures/onnx/%s", file);
  CHECK_OK(ctx, limn_model_load_onnx(ctx, src_path(path), NULL, LIMN_ONNX_VALUE, &m2));
  CHECK(m2 && limn_model_nfeatures(m2) == 8 &&
        !strcmp(limn_schema_feature_name(limn_model_schema(m2), 0), "x0"));
  limn_model_free(m2);
  /* Tanh is not piecewise-linear: exact IG says so, auto falls back to quadrature */
  char why[320];
  CHECK(limn_model_piecewise_linear(m, why, sizeof why) == 0 &&
        strstr(why, "(Tanh) is not piecewise-linear"));
  limn_grad_opts go = limn_grad_opts_default();
  go.method = LIMN_METHOD_IG;
  limn_explanation *ex = NULL;
  CHECK_OK(ctx, limn_explain_gradients(ctx, m, x, 2, &go, &ex));
  CHECK(ex && ex[0].nsegments == 0);
  limn_explanations_free(ctx, ex, 2);
  go.quadrature = LIMN_QUAD_EXACT;
  CHECK_ERR(ctx, limn_explain_gradients(ctx, m, x, 2, &go, &ex), LIMN_EUNSUPPORTED,
            "exact IG needs a piecewise-linear network: node 'tanh' (Tanh) is not piecewise-linear");
  case_close(&tc);
}

/* One scikit-learn network as ONNX and as a limn model: both equal predict_proba. */
static void test_sklearn(void) {
  test_begin("scikit-learn MLP as ONNX and as limn");
  onnx_case tc;
  limn_model *mn = NULL;
  int ok = case_open(&tc, "data/wine.csv", "cultivar", "tests/fixtures/onnx/wine_sklearn_proba.txt", 20, 3,
                     "wine_sklearn.onnx", LIMN_ONNX_AUTO);
  CHECK_OK(ctx, limn_model_load(ctx, src_path("tests/fixtures/onnx/wine_sklearn.limn"), &mn));
  if (ok && mn) {
    float po[60], pn[60];
    double a[60], b[60], r[60];
    CHECK_OK(ctx, limn_model_predict(ctx, tc.m, limn_dataset_x(tc.ds), 20, po));
    CHECK_OK(ctx, limn_model_predict(ctx, mn, limn_dataset_x(tc.ds), 20, pn));
    for (size_t q = 0; q < 60; q++)
      a[q] = po[q], b[q] = pn[q], r[q] = tc.ref[q];
    CHECK_CLOSE("ONNX vs predict_proba", a, r, 60, 1e-6, 1e-5);
    CHECK_CLOSE("ONNX vs the same network in limn", a, b, 60, 1e-6, 1e-5);
    /* Sub, Div, MatMul+Add, Relu, .., Softmax is a chain: exact IG (the default auto
     * rule) as on the limn network, which standardises inside its own layers */
    limn_grad_opts go = limn_grad_opts_default();
    go.method = LIMN_METHOD_IG;
    limn_explanation *eo = NULL, *en = NULL;
    CHECK_OK(ctx, limn_explain_gradients(ctx, tc.m, limn_dataset_x(tc.ds), 20, &go, &eo));
    CHECK_OK(ctx, limn_explain_gradients(ctx, mn, limn_dataset_x(tc.ds), 20, &go, &en));
    for (size_t i = 0; eo && en && i < 20; i++) {
      CHECK(eo[i].nsegments > 0 && fabs(eo[i].delta) < 1e-9);
      CHECK_CLOSE("exact IG: ONNX vs the same network in limn", eo[i].attr, en[i].attr, 13, 1e-6, 1e-5);
    }
    limn_explanations_free(ctx, eo, 20);
    limn_explanations_free(ctx, en, 20);
  }
  limn_model_free(mn);
  case_close(&tc);
}

static void test_bad(void) {
  test_begin("bad ONNX files");
  limn_model *m = NULL;
  CHECK_ERR(ctx,
            limn_model_load_onnx(ctx, src_path("tests/fixtures/onnx/bad_op.onnx"), NULL, LIMN_ONNX_AUTO, &m),
            LIMN_EUNSUPPORTED, "node 0 'cos1': operator 'Cos' is not supported");
  /* truncated: every prefix of a good file is refused cleanly or loads */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = fopen(src_path("tests/fixtures/onnx/bc_torch_op13.onnx"), "rb");
  if (f) {
    buf = malloc(8192);
    len = fread(buf, 1, 8192, f);
    fclose(f);
  }
  CHECK(buf && len > 100 && limn_model_is_onnx(buf, len));
  size_t refused = 0;
  for (size_t cut = 0; buf && cut < len; cut += 7) {
    int rc = limn_model_load_onnx_mem(ctx, buf, cut, "cut.onnx", NULL, LIMN_ONNX_AUTO, &m);
    refused += rc != LIMN_OK;
    limn_model_free(m);
    m = NULL;
  }
  CHECK(refused > 0);
  /* wrong output width for the data's target */
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "species";
  limn_dataset *ds = NULL;
  CHECK_OK(ctx, limn_dataset_read(ctx, src_path("data/iris.csv"), &ro, &ds));
  CHECK_ERR(ctx,
            limn_model_load_onnx(ctx, src_path("tests/fixtures/onnx/bc_torch_op13.onnx"),
                                 ds ? limn_dataset_schema(ds) : NULL, LIMN_ONNX_AUTO, &m),
            LIMN_ESHAPE, "");
  limn_dataset_free(ds);
  const unsigned char junk[] = {0x08, 0x07, 0x12, 0xff, 0xff, 0xff};
  CHECK_ERR(ctx, limn_model_load_onnx_mem(ctx, junk, sizeof junk, "junk.onnx", NULL, LIMN_ONNX_AUTO, &m),
            LIMN_EFORMAT, "junk.onnx");
  free(buf);
}

/* Softmax's exponential against libm's in double: within 2 ulp of float over [-87, 0]
 * (a grid of 2^21 points and the ends), 1 at 0, 0 below -87 and at -inf, NaN kept. */
static void test_softmax_exp(void) {
  test_begin("Softmax's exponential");
  double worst = 0;
  enum { NP = 1 << 21 };
  for (long i = 0; i < NP; i += 8) {
    float x[8], y[8];
    for (int l = 0; l < 8; l++)
      x[l] = (float)(-87.0 * (double)(i + l) / (NP - 1));
    limn__ox_exp8(x, y);
    for (int l = 0; l < 8; l++) {
      double want = exp((double)x[l]), ulp = nextafterf((float)want, INFINITY) - (float)want;
      double err = fabs((double)y[l] - want) / ulp;
      worst = err > worst ? err : worst;
    }
  }
  printf("  (worst error %.2f ulp)\n", worst);
  CHECK(worst <= 2.0);
  float sp[8] = {0.0f, -0.0f, -INFINITY, NAN, -87.5f, -1000.0f, -1e-30f, -87.0f}, o[8];
  limn__ox_exp8(sp, o);
  CHECK(o[0] == 1.0f && o[1] == 1.0f && o[2] == 0.0f && isnan(o[3]) && o[4] == 0.0f && o[5] == 0.0f);
  CHECK(o[6] == 1.0f && fabs(o[7] - exp(-87.0)) <= 2.0 * exp(-87.0) * FLT_EPSILON);
}

/* The Erf node's erf against libm's in double: within 2 ulp of float over [-5, 5] (a
 * grid of 2^22 points, both branches and the joins), odd, +-1 at infinities, NaN kept. */
static void test_erf(void) {
  test_begin("Erf");
  double worst = 0;
  enum { NP = 1 << 22 };
  int odd = 1;
  for (long i = 0; i < NP; i += 8) {
    float x[8], y[8], nx[8], ny[8];
    for (int l = 0; l < 8; l++)
      x[l] = (float)(-5.0 + 10.0 * (double)(i + l) / (NP - 1)), nx[l] = -x[l];
    limn__ox_erf8(x, y);
    limn__ox_erf8(nx, ny);
    for (int l = 0; l < 8; l++) {
      double want = erf((double)x[l]), a = fabs(want);
      double ulp = nextafterf((float)a, INFINITY) - (float)a, err = fabs((double)y[l] - want) / ulp;
      worst = err > worst ? err : worst;
      odd &= ny[l] == -y[l];
    }
  }
  printf("  (worst error %.2f ulp)\n", worst);
  CHECK(worst <= 2.0);
  CHECK(odd);
  float sp[8] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-30f, 1.0f, 3.9192059f}, o[8];
  limn__ox_erf8(sp, o);
  CHECK(o[0] == 0.0f && !signbit(o[0]) && o[1] == 0.0f && signbit(o[1]) && o[2] == 1.0f && o[3] == -1.0f);
  double tiny = (double)sp[5] * 1.1283791670955126; /* erf(x) = 2x / sqrt(pi) near 0 */
  CHECK(isnan(o[4]) && fabs(o[5] - tiny) <= nextafterf((float)tiny, 1.0f) - (float)tiny && o[7] == 1.0f);
  CHECK(fabs(o[6] - erf(1.0)) <= 2 * (nextafterf(0.8427008f, 1.0f) - 0.8427008f));
}

int main(void) {
  ctx = limn_ctx_create(NULL);
  test_softmax_exp();
  test_erf();
  test_torch("bc_torch_op13.onnx");
  test_torch("bc_torch_op9.onnx");
  test_helper("reg_helper.onnx");
  test_helper("reg_helper_raw.onnx");
  test_sklearn();
  test_cnn();
  test_resnet();
  test_concat();
  test_pads();
  test_row_maps();
  test_resize();
  test_resize_modes();
  test_split6();
  test_batched_matmul();
  test_softmax_bcast();
  test_head_transposes();
  test_fold_paths();
  test_gradcam();
  test_occlusion();
  test_fashion();
  test_rgb();
  test_credit();
  test_bad();
  limn_ctx_free(ctx);
  return test_end();
}

/* Image explanations of the bundled Fashion-MNIST CNN (data/fashion), 1 thread, per
 * image: forward, gradient, Grad-CAM (last Conv, logit), occlusion (4x4 window, stride
 * 2, fill 0), IG (50 Gauss-Legendre nodes from the black image) and LIME on superpixels
 * (1000 samples over one SLIC segmentation computed beforehand, timed apart). Prints
 * "limn METHOD MS" lines: the median over the images of the best of REPEATS runs, in
 * milliseconds; bench/bench_image.py runs it beside the same methods in torch.
 * Usage: bench_image [SOURCE_DIR] [IMAGES (10)] [REPEATS (3)] [METHOD (all; for profiles)] */
#include "bench_util.h"
#include <limn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static limn_ctx *ctx;

static void die(const char *what) {
  fprintf(stderr, "bench_image: %s: %s\n", what, limn_ctx_errmsg(ctx));
  exit(1);
}

int main(int argc, char **argv) {
  const char *src = argc > 1 ? argv[1] : ".";
  int nimg = argc > 2 ? atoi(argv[2]) : 10, reps = argc > 3 ? atoi(argv[3]) : 3;
  if (nimg < 1 || nimg > 20)
    nimg = 10;
  if (reps < 1 || reps > 50)
    reps = 3;
  char path[1024];
  ctx = limn_ctx_create(NULL);
  limn_ctx_set_threads(ctx, 1);
  limn_model *m = NULL;
  snprintf(path, sizeof path, "%s/data/fashion/fashion_cnn.onnx", src);
  if (limn_model_load_onnx(ctx, path, NULL, LIMN_ONNX_AUTO, &m))
    die(path);
  enum { D = 784 };
  const double mean = 0.286, sd = 0.353;
  float *x = malloc((size_t)nimg * D * sizeof *x), black[D], p[10], wt[10], g[D], cam[49];
  for (int i = 0; i < nimg; i++) {
    limn_image *im = NULL;
    snprintf(path, sizeof path, "%s/data/fashion/images/test_%02d.png", src, i);
    if (limn_image_read(ctx, path, &im) || limn_image_to_input(ctx, im, &mean, &sd, x + (size_t)i * D))
      die(path);
    limn_image_free(im);
  }
  for (int j = 0; j < D; j++)
    black[j] = (float)((0.0 - mean) / sd);
  const char *names[] = {"forward", "gradient", "gradcam", "occlusion", "ig50", "slic", "lime1000"};
  enum { NM = 7 };
  double *best = malloc((size_t)nimg * NM * sizeof *best);
  int *lab = malloc(D * sizeof *lab);
  for (int i = 0; i < nimg; i++) {
    const float *xi = x + (size_t)i * D;
    long pred = 0;
    if (limn_model_predict(ctx, m, xi, 1, p))
      die("predict");
    for (int k = 1; k < 10; k++)
      pred = p[k] > p[pred] ? k : pred;
    for (int k = 0; k < 10; k++)
      wt[k] = k == pred;
    size_t nl = 0;
    for (int meth = 0; meth < NM; meth++) {
      double t_best = INFINITY;
      if (argc > 4 && strcmp(argv[4], names[meth]) && !(meth == 5 && !strcmp(argv[4], "lime1000")))
        continue;
      for (int r = 0; r < reps; r++) {
        limn_explanation *e = NULL;
        int rc = 0;
        double t0 = bench_now();
        if (meth == 0) {
          rc = limn_model_predict(ctx, m, xi, 1, p);
        } else if (meth == 1) {
          rc = limn_model_vjp(ctx, m, xi, 1, wt, LIMN_SPACE_OUTPUT, g);
        } else if (meth == 2) {
          limn_grad_opts go = limn_grad_opts_default();
          go.method = LIMN_METHOD_GRADCAM, go.space = LIMN_SPACE_LOGIT, go.target = pred;
          rc = limn_explain_gradients(ctx, m, xi, 1, &go, &e);
        } else if (meth == 3) {
          limn_grad_opts go = limn_grad_opts_default();
          go.method = LIMN_METHOD_OCCLUSION, go.target = pred;
          rc = limn_explain_gradients(ctx, m, xi, 1, &go, &e);
        } else if (meth == 4) {
          limn_grad_opts go = limn_grad_opts_default();
          go.method = LIMN_METHOD_IG, go.target = pred, go.steps = 50, go.quadrature = LIMN_QUAD_GAUSS_LEGENDRE;
          go.baseline = LIMN_BASELINE_ROWS, go.baseline_rows = black, go.nbaseline_rows = 1;
          rc = limn_explain_gradients(ctx, m, xi, 1, &go, &e);
        } else if (meth == 5) {
          limn_image *im = NULL;
          rc = limn_image_from_input(ctx, xi, 1, 28, 28, &mean, &sd, &im);
          if (!rc)
            rc = limn_image_slic(ctx, im, 50, 10, lab, &nl);
          limn_image_free(im);
        } else {
          limn_lime_image_opts lo = limn_lime_image_opts_default();
          lo.labels = lab, lo.nlabels = nl, lo.target = pred;
          rc = limn_explain_lime_image(ctx, m, xi, 1, &lo, &e);
        }
        double t = bench_now() - t0;
        if (rc)
          die(names[meth]);
        limn_explanations_free(ctx, e, e ? 1 : 0);
        t_best = t < t_best ? t : t_best;
      }
      best[i * NM + meth] = t_best;
    }
    (void)cam;
  }
  double col[20];
  for (int meth = 0; meth < NM; meth++) {
    if (argc > 4 && strcmp(argv[4], names[meth]))
      continue;
    for (int i = 0; i < nimg; i++)
      col[i] = best[i * NM + meth];
    printf("limn %s %.4f ms\n", names[meth], 1e3 * bench_median(col, nimg));
  }
  free(x), free(best), free(lab);
  limn_model_free(m);
  limn_ctx_free(ctx);
  return 0;
}

/* Gradient-attribution benchmark: time per instance of IG (50 Gauss-Legendre steps,
 * target logit of the predicted class), exact IG, vanilla gradient and SmoothGrad
 * (50 samples) on a 30-64-32-2 ReLU MLP, 1000 instances, 1 and 2 threads. Medians.
 * The torch reference measured on this machine class (README, Figures): IG fully
 * batched 101-105 us per instance, Captum 2.2 ms. Usage: bench_explain [REPEATS] */
#include "bench_util.h"
#include <limn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A 30-64-32-2 ReLU network with Glorot-uniform weights. */
static limn_model *network(limn_ctx *ctx) {
  size_t w[4] = {30, 64, 32, 2};
  limn_schema *s;
  limn_schema_create(ctx, &s);
  char name[16];
  for (int j = 0; j < 30; j++) {
    snprintf(name, sizeof name, "f%d", j);
    limn_schema_add_numeric(ctx, s, name);
  }
  const char *cl[] = {"a", "b"};
  limn_schema_set_target(ctx, s, "t", LIMN_TASK_CLASSIFICATION, cl, 2);
  limn_mlp_layer L[3];
  float *buf[6];
  limn_rng r;
  limn_rng_init(&r, 1, 0);
  for (int l = 0; l < 3; l++) {
    double a = sqrt(6.0 / (double)(w[l] + w[l + 1]));
    buf[2 * l] = malloc(w[l] * w[l + 1] * sizeof(float));
    buf[2 * l + 1] = calloc(w[l + 1], sizeof(float));
    for (size_t i = 0; i < w[l] * w[l + 1]; i++)
      buf[2 * l][i] = (float)((2 * limn_rng_uniform(&r) - 1) * a);
    L[l].in = w[l], L[l].out = w[l + 1], L[l].w = buf[2 * l], L[l].b = buf[2 * l + 1];
  }
  limn_model *m = NULL;
  limn_mlp_spec spec = {s, NULL, NULL, 3, L, LIMN_ACT_RELU, LIMN_ACT_SOFTMAX, 0, 1};
  limn_mlp_create(ctx, &spec, &m);
  for (int i = 0; i < 6; i++)
    free(buf[i]);
  limn_schema_free(s);
  return m;
}

static double per_instance_us(limn_ctx *ctx, limn_model *m, const float *x, size_t n, const limn_grad_opts *o,
                              int reps) {
  double t[64];
  for (int k = 0; k < reps; k++) {
    limn_explanation *e = NULL;
    double t0 = bench_now();
    if (limn_explain_gradients(ctx, m, x, n, o, &e)) {
      fprintf(stderr, "bench: %s\n", limn_ctx_errmsg(ctx));
      exit(1);
    }
    t[k] = bench_now() - t0;
    limn_explanations_free(ctx, e, n);
  }
  return 1e6 * bench_median(t, reps) / (double)n;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 5;
  if (reps < 1 || reps > 64)
    reps = 5;
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_model *m = network(ctx);
  size_t n = 1000;
  float *x = malloc(n * 30 * sizeof *x);
  limn_rng r;
  limn_rng_init(&r, 2, 0);
  for (size_t i = 0; i < n * 30; i++)
    x[i] = (float)limn_rng_normal(&r);
  struct {
    const char *name;
    limn_method method;
    limn_quadrature q;
  } cases[] = {{"IG, 50 gauss-legendre steps", LIMN_METHOD_IG, LIMN_QUAD_GAUSS_LEGENDRE},
               {"IG, exact (breakpoints, double)", LIMN_METHOD_IG, LIMN_QUAD_EXACT},
               {"gradient", LIMN_METHOD_GRADIENT, LIMN_QUAD_GAUSS_LEGENDRE},
               {"SmoothGrad, 50 samples", LIMN_METHOD_SMOOTHGRAD, LIMN_QUAD_GAUSS_LEGENDRE}};
  printf("30-64-32-2 ReLU MLP, %zu instances, target logit of the predicted class, median of %d\n", n, reps);
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    limn_grad_opts o = limn_grad_opts_default();
    o.method = cases[c].method;
    o.quadrature = cases[c].q;
    o.space = LIMN_SPACE_LOGIT;
    double us[2];
    for (int t = 0; t < 2; t++) {
      limn_ctx_set_threads(ctx, t + 1);
      us[t] = per_instance_us(ctx, m, x, n, &o, reps);
    }
    printf(
        "%-34s 1 thread %9.2f us/instance   2 threads %9.2f us/instance   (torch batched IG: 101-105 us)\n",
        cases[c].name, us[0], us[1]);
  }
  free(x);
  limn_model_free(m);
  limn_ctx_free(ctx);
  return 0;
}

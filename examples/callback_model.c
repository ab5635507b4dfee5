/* A model from C callbacks: any predictor with a C ABI can be explained by limn.
 *
 * The "model" is a hand-written credit score: p(default) = logistic(0.8 * debt_ratio
 * - 0.03 * (age - 40) - 1), with its exact gradient. limn sees it only through the
 * callbacks, like every explainer will. Built and run by the test suite.
 */
#include <limn.h>
#include <math.h>
#include <stdio.h>

static int predict(void *ud, const float *x, size_t n, float *out) {
  (void)ud;
  for (size_t i = 0; i < n; i++) {
    double z = 0.8 * x[2 * i] - 0.03 * (x[2 * i + 1] - 40.0) - 1.0;
    double p = 1.0 / (1.0 + exp(-z));
    out[2 * i] = (float)(1.0 - p); /* repaid */
    out[2 * i + 1] = (float)p;     /* default */
  }
  return 0;
}

static int vjp(void *ud, const float *x, size_t n, const float *w, limn_space sp, float *g) {
  (void)ud;
  if (sp != LIMN_SPACE_OUTPUT)
    return LIMN_EUNSUPPORTED;
  for (size_t i = 0; i < n; i++) {
    double z = 0.8 * x[2 * i] - 0.03 * (x[2 * i + 1] - 40.0) - 1.0;
    double p = 1.0 / (1.0 + exp(-z)), dp = p * (1.0 - p);
    double dz = (w[2 * i + 1] - w[2 * i]) * dp; /* d(w0 (1-p) + w1 p) / dz */
    g[2 * i] = (float)(0.8 * dz);
    g[2 * i + 1] = (float)(-0.03 * dz);
  }
  return 0;
}

int main(void) {
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_schema *s = NULL;
  limn_model *m = NULL;
  const char *classes[] = {"repaid", "default"};
  int rc = limn_schema_create(ctx, &s);
  if (!rc)
    rc = limn_schema_add_numeric(ctx, s, "debt_ratio");
  if (!rc)
    rc = limn_schema_add_numeric(ctx, s, "age");
  if (!rc)
    rc = limn_schema_set_target(ctx, s, "outcome", LIMN_TASK_CLASSIFICATION, classes, 2);
  limn_model_callbacks cb = {2, 2, predict, NULL, vjp, NULL, NULL};
  if (!rc)
    rc = limn_model_from_callbacks(ctx, &cb, s, &m);
  float x[2] = {1.5f, 30.0f}, p[2], w[2] = {0.0f, 1.0f}, g[2];
  if (!rc)
    rc = limn_model_predict(ctx, m, x, 1, p);
  if (!rc)
    rc = limn_model_vjp(ctx, m, x, 1, w, LIMN_SPACE_OUTPUT, g);
  if (rc) {
    fprintf(stderr, "error: %s\n", limn_ctx_errmsg(ctx));
    return 1;
  }
  printf("P(%s) = %.4f; dP/d(debt_ratio) = %.4f, dP/d(age) = %.5f\n", limn_model_output_name(m, 1),
         (double)p[1], (double)g[0], (double)g[1]);
  /* check the callback's gradient by central differences, as limn's tests do */
  float xp[2] = {1.5f + 1e-2f, 30.0f}, xm[2] = {1.5f - 1e-2f, 30.0f}, pp[2], pm[2];
  limn_model_predict(ctx, m, xp, 1, pp);
  limn_model_predict(ctx, m, xm, 1, pm);
  double fd = ((double)pp[1] - pm[1]) / ((double)xp[0] - xm[0]);
  int ok = fabs(fd - g[0]) < 1e-3;
  printf("finite difference %.4f: %s\n", fd, ok ? "agrees" : "DISAGREES");
  limn_model_free(m);
  limn_schema_free(s);
  limn_ctx_free(ctx);
  return ok ? 0 : 1;
}

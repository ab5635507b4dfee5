/* IG quadrature rules (Captum's nodes and weights) and the method/rule names. */
#include "explain_internal.h"
#include <math.h>

static const char *const method_names[] = {"gradient", "saliency", "gradxinput", "ig",        "smoothgrad",
                                           "lime",     "shap",     "gradcam",    "gradcam++", "occlusion", "lime-image",
                                           "lime-text", "attention-rollout", "attention-flow"};
static const char *const sel_names[] = {"auto", "none", "forward_selection", "highest_weights", "lasso_path"};
static const char *const quad_names[] = {
    "gausslegendre", "riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "exact", "auto"};
static const char *const smooth_names[] = {"mean", "mean_abs", "mean_sq", "vargrad"};

#define NAMES(a) (sizeof(a) / sizeof *(a))

static int parse_name(const char *name, const char *const *names, size_t n, int *out) {
  long i = limn__name_index(name, names, n);
  return i < 0 ? LIMN_EINVAL : (*out = (int)i, LIMN_OK);
}

const char *limn_method_name(limn_method m) {
  return (unsigned)m < NAMES(method_names) ? method_names[m] : NULL;
}
int limn_method_parse(const char *name, limn_method *out) {
  int v;
  LIMN_TRY(parse_name(name, method_names, NAMES(method_names), &v));
  *out = (limn_method)v;
  return LIMN_OK;
}
const char *limn_quadrature_name(limn_quadrature q) {
  return (unsigned)q < NAMES(quad_names) ? quad_names[q] : NULL;
}
int limn_quadrature_parse(const char *name, limn_quadrature *out) {
  int v;
  LIMN_TRY(parse_name(name, quad_names, NAMES(quad_names), &v));
  *out = (limn_quadrature)v;
  return LIMN_OK;
}
const char *limn_selection_name(limn_selection s) {
  return (unsigned)s < NAMES(sel_names) ? sel_names[s] : NULL;
}
int limn_selection_parse(const char *name, limn_selection *out) {
  int v;
  LIMN_TRY(parse_name(name, sel_names, NAMES(sel_names), &v));
  *out = (limn_selection)v;
  return LIMN_OK;
}
const char *limn_smooth_name(limn_smooth s) {
  return (unsigned)s < NAMES(smooth_names) ? smooth_names[s] : NULL;
}
int limn_smooth_parse(const char *name, limn_smooth *out) {
  int v;
  LIMN_TRY(parse_name(name, smooth_names, NAMES(smooth_names), &v));
  *out = (limn_smooth)v;
  return LIMN_OK;
}

/* numpy.linspace(a, b, n): a + k * (b - a) / (n - 1), the last node exactly b. */
static void linspace(double a, double b, size_t n, double *out) {
  double step = (b - a) / (double)(n - 1);
  for (size_t k = 0; k < n; k++)
    out[k] = a + (double)k * step;
  out[n - 1] = b;
}

/* P_n(z) into *pn and P_{n-1}(z) into *pm by the three-term recurrence. */
static void legendre(size_t n, double z, double *pn, double *pm) {
  double p0 = 1.0, p1 = z;
  for (size_t k = 2; k <= n; k++) {
    double p2 = ((2.0 * (double)k - 1.0) * z * p1 - ((double)k - 1.0) * p0) / (double)k;
    p0 = p1;
    p1 = p2;
  }
  *pn = p1;
  *pm = p0;
}

void limn__gauss_legendre(size_t n, double *x, double *w) {
  if (n == 1) {
    x[0] = 0.0;
    w[0] = 2.0;
    return;
  }
  /* Newton on P_n from the guesses cos(pi (i + 3/4) / (n + 1/2)); symmetric pairs */
  for (size_t i = 0; i < (n + 1) / 2; i++) {
    double z = cos(M_PI * ((double)i + 0.75) / ((double)n + 0.5)), pn, pm, dp;
    for (int it = 0; it < 100; it++) {
      legendre(n, z, &pn, &pm);
      dp = (double)n * (z * pn - pm) / (z * z - 1.0);
      double dz = pn / dp;
      z -= dz;
      if (fabs(dz) < 1e-16)
        break;
    }
    legendre(n, z, &pn, &pm);
    dp = (double)n * (z * pn - pm) / (z * z - 1.0);
    x[i] = -z;
    x[n - 1 - i] = z;
    w[i] = w[n - 1 - i] = 2.0 / ((1.0 - z * z) * dp * dp);
  }
  if (n % 2)
    x[n / 2] = 0.0;
}

int limn_quadrature_nodes(limn_ctx *ctx, limn_quadrature q, size_t n, double *alphas, double *weights) {
  if (q == LIMN_QUAD_GAUSS_LEGENDRE) {
    if (n < 1)
      return limn__err(ctx, LIMN_EINVAL, "Gauss-Legendre needs at least 1 step");
    limn__gauss_legendre(n, alphas, weights);
    for (size_t k = 0; k < n; k++) {
      alphas[k] = 0.5 * (1.0 + alphas[k]);
      weights[k] *= 0.5;
    }
    return LIMN_OK;
  }
  if (q < LIMN_QUAD_RIEMANN_LEFT || q > LIMN_QUAD_RIEMANN_TRAPEZOID)
    return limn__err(ctx, LIMN_EINVAL, "no fixed nodes for quadrature %d", (int)q);
  if (n < 2)
    return limn__err(ctx, LIMN_EINVAL, "Riemann rules need at least 2 steps, got %zu", n);
  double inv = 1.0 / (double)n;
  if (q == LIMN_QUAD_RIEMANN_LEFT)
    linspace(0.0, 1.0 - inv, n, alphas);
  else if (q == LIMN_QUAD_RIEMANN_RIGHT)
    linspace(inv, 1.0, n, alphas);
  else if (q == LIMN_QUAD_RIEMANN_MIDDLE)
    linspace(inv / 2.0, 1.0 - inv / 2.0, n, alphas);
  else
    linspace(0.0, 1.0, n, alphas);
  for (size_t k = 0; k < n; k++)
    weights[k] = inv;
  if (q == LIMN_QUAD_RIEMANN_TRAPEZOID)
    weights[0] = weights[n - 1] = inv / 2.0;
  return LIMN_OK;
}

/* Exact Integrated Gradients for piecewise-linear networks (limn's MLPs with ReLU or
 * identity hidden units, and ONNX chains of dense layers and Relu: limn__model_pwl): the straight path from
 * the baseline to the input is cut at every ReLU breakpoint; on each piece the network is affine in alpha, so
 * the logit gradient is constant (integrated exactly) and a softmax/logistic probability is smooth
 * (integrated with 24-point Gauss-Legendre). All in double. */
#include "explain_internal.h"
#include <math.h>

#define GL_NODES LIMN__EXACT_GL
#define MAX_SEGMENTS 1000000

typedef struct walk {
  const limn__mlp *p;
  size_t L, mw;
  double *z, *sz;     /* (L, mw): pre-activations and their slopes d/dalpha */
  unsigned char *act; /* (L, mw): hidden pattern on the current piece */
  double *g, *g2;     /* (mw + ns) backward vectors */
} walk;

/* Forward at alpha: values and slopes layer by layer; hidden patterns chosen by
 * sign, or by slope for units crossing zero right here. Returns the distance to the
 * next breakpoint (capped by `cap`). */
static double forward_at(walk *wk, const double *hb, const double *d, size_t ns, double alpha, double cap,
                         double *hin, double *sin) {
  const limn__mlp *p = wk->p;
  for (size_t s = 0; s < ns; s++) {
    hin[s] = hb[s] + alpha * d[s];
    sin[s] = d[s];
  }
  const double *h = hin, *hs = sin;
  double tmax = cap;
  for (size_t l = 0; l < wk->L; l++) {
    size_t in = p->width[l], out = p->width[l + 1];
    double *z = wk->z + l * wk->mw, *sz = wk->sz + l * wk->mw;
    unsigned char *a = wk->act + l * wk->mw;
    for (size_t o = 0; o < out; o++) {
      const float *w = p->W[l] + o * in;
      double v = p->b[l][o], sl = 0.0;
      for (size_t i = 0; i < in; i++) {
        v += (double)w[i] * h[i];
        sl += (double)w[i] * hs[i];
      }
      z[o] = v;
      sz[o] = sl;
      if (l + 1 == wk->L || p->hidden == LIMN_ACT_IDENTITY) {
        a[o] = 1;
        continue;
      }
      double t = sl != 0.0 ? -v / sl : INFINITY; /* where this unit crosses zero */
      if (fabs(t) <= 1e-12 * (1.0 + alpha))
        a[o] = sl > 0.0; /* at a breakpoint: the side we move into */
      else
        a[o] = v > 0.0;
      if (t > 1e-12 * (1.0 + alpha) && t < tmax)
        tmax = t;
    }
    /* this layer's activations (and slopes) feed the next one: reuse z / sz in place */
    if (l + 1 < wk->L)
      for (size_t o = 0; o < out; o++)
        if (!a[o])
          z[o] = 0.0, sz[o] = 0.0;
    h = z;
    hs = sz;
  }
  return tmax;
}

/* The explained output and d(output)/dz_L at logits zl (double). */
static double output_grad(const limn__mlp *p, const double *zl, size_t target, limn_space sp, double *dz) {
  size_t u = p->width[p->nlayers];
  for (size_t c = 0; c < u; c++)
    dz[c] = 0.0;
  if (p->output == LIMN_ACT_IDENTITY) {
    dz[target] = p->y_scale;
    return zl[target] * p->y_scale + p->y_shift;
  }
  if (p->output == LIMN_ACT_LOGISTIC) {
    if (sp == LIMN_SPACE_LOGIT) {
      dz[0] = target == 1 ? 1.0 : 0.0;
      return target == 1 ? zl[0] : 0.0;
    }
    double s = 1.0 / (1.0 + exp(-zl[0]));
    dz[0] = (target == 1 ? 1.0 : -1.0) * s * (1.0 - s);
    return target == 1 ? s : 1.0 - s;
  }
  if (sp == LIMN_SPACE_LOGIT) {
    dz[target] = 1.0;
    return zl[target];
  }
  double mx = zl[0], sum = 0.0;
  for (size_t c = 1; c < u; c++)
    mx = zl[c] > mx ? zl[c] : mx;
  for (size_t c = 0; c < u; c++)
    sum += exp(zl[c] - mx);
  double pt = exp(zl[target] - mx) / sum;
  for (size_t c = 0; c < u; c++) {
    double pc = exp(zl[c] - mx) / sum;
    dz[c] = pt * ((c == target ? 1.0 : 0.0) - pc);
  }
  return pt;
}

/* g (ns) = d(sum_c v_c z_L,c) / d(slots) on the current piece. */
static void backprop(walk *wk, const double *v, double *out, size_t ns) {
  const limn__mlp *p = wk->p;
  double *g = wk->g, *g2 = wk->g2;
  size_t u = p->width[wk->L];
  for (size_t c = 0; c < u; c++)
    g[c] = v[c];
  for (size_t l = wk->L; l-- > 0;) {
    size_t in = p->width[l], outw = p->width[l + 1];
    for (size_t i = 0; i < in; i++)
      g2[i] = 0.0;
    for (size_t o = 0; o < outw; o++) {
      const float *w = p->W[l] + o * in;
      for (size_t i = 0; i < in; i++)
        g2[i] += (double)w[i] * g[o];
    }
    if (l > 0) {
      const unsigned char *a = wk->act + (l - 1) * wk->mw;
      for (size_t i = 0; i < in; i++)
        if (!a[i])
          g2[i] = 0.0;
    }
    double *t = g;
    g = g2;
    g2 = t;
  }
  for (size_t s = 0; s < ns; s++)
    out[s] = g[s];
}

int limn__mlp_exact_ig_check(limn_ctx *ctx, const limn_model *m) {
  char why[300];
  if (!limn__model_pwl(m, why, sizeof why))
    return limn__err(ctx, LIMN_EUNSUPPORTED, "exact IG needs a piecewise-linear network: %s", why);
  return LIMN_OK;
}

/* Widest vector the walk needs. */
static size_t walk_width(const limn_model *m) {
  size_t mw = limn__mlp_max_width(limn__model_pwl(m, NULL, 0));
  return mw < m->nslots ? m->nslots : mw;
}

size_t limn__mlp_exact_ig_workspace(const limn_model *m) {
  const limn__mlp *p = limn__model_pwl(m, NULL, 0);
  size_t mw = walk_width(m);
  /* doubles, then L * mw bytes of patterns (counted as doubles, rounded up) */
  return 2 * p->nlayers * mw + 5 * mw + 5 * m->nslots + (p->nlayers * mw + 7) / 8;
}

int limn__mlp_exact_ig(const limn_model *m, double *ws, const double *gl, const double *hx, const double *hb,
                       size_t target, limn_space sp, double *attr, size_t *nseg, double *fx, double *fb) {
  const limn__mlp *p = limn__model_pwl(m, NULL, 0);
  size_t ns = m->nslots, L = p->nlayers, mw = walk_width(m);
  walk wk = {p, L, mw, NULL, NULL, NULL, NULL, NULL};
  wk.z = ws;
  wk.sz = wk.z + L * mw;
  wk.g = wk.sz + L * mw;
  wk.g2 = wk.g + mw;
  double *d = wk.g2 + mw, *hin = d + ns, *sin = hin + ns, *gs = sin + ns;
  double *v = gs + ns, *dz = v + mw, *zq = dz + mw;
  wk.act = (unsigned char *)(zq + mw + ns);
  const double *gx = gl, *gw = gl + LIMN__EXACT_GL;
  size_t u = p->width[L];
  for (size_t s = 0; s < ns; s++) {
    d[s] = hx[s] - hb[s];
    attr[s] = 0.0;
  }
  double alpha = 0.0;
  size_t segs = 0;
  while (alpha < 1.0) {
    if (++segs > MAX_SEGMENTS)
      return 1;
    double len = forward_at(&wk, hb, d, ns, alpha, 1.0 - alpha, hin, sin);
    double a1 = alpha + len >= 1.0 ? 1.0 : alpha + len;
    len = a1 - alpha;
    const double *zl = wk.z + (L - 1) * mw, *szl = wk.sz + (L - 1) * mw;
    for (size_t c = 0; c < u; c++)
      v[c] = 0.0;
    int smooth = sp == LIMN_SPACE_OUTPUT && p->output != LIMN_ACT_IDENTITY;
    for (size_t q = 0; q < (smooth ? GL_NODES : 1); q++) {
      double t = smooth ? 0.5 * len * (1.0 + gx[q]) : 0.0, wq = smooth ? 0.5 * len * gw[q] : len;
      const double *zz = zl;
      if (smooth) {
        for (size_t c = 0; c < u; c++)
          zq[c] = zl[c] + t * szl[c];
        zz = zq;
      }
      output_grad(p, zz, target, sp, dz);
      for (size_t c = 0; c < u; c++)
        v[c] += wq * dz[c];
    }
    backprop(&wk, v, gs, ns);
    for (size_t s = 0; s < ns; s++)
      attr[s] += gs[s] * d[s];
    alpha = a1;
  }
  forward_at(&wk, hb, d, ns, 1.0, 0.0, hin, sin);
  *fx = output_grad(p, wk.z + (L - 1) * mw, target, sp, dz);
  forward_at(&wk, hb, d, ns, 0.0, 0.0, hin, sin);
  *fb = output_grad(p, wk.z + (L - 1) * mw, target, sp, dz);
  *nseg = segs;
  return 0;
}

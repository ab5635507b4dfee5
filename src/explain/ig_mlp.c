/* IG with fixed quadrature nodes for limn's MLP. Along the straight path the first
 * layer's pre-activations are affine in alpha, z1(a) = z1(b) + a (z1(x) - z1(b)), so
 * they are interpolated instead of recomputed; and since the slot gradient is
 * dz1 W1, the weighted sum over the nodes of dz1 is formed first and multiplied by W1
 * once per row. That halves the work of each node. */
#include "explain_internal.h"
#include "../linalg/linalg.h"
#include <math.h>

#define SB 64 /* nodes per block */

typedef struct ws {
  float *acts[66];
  float *dz, *tmp, *w, *zb, *zd;
  double *z1x, *z1b, *acc, *g;
} ws;

static size_t ws_floats(const limn__mlp *p, size_t k) {
  size_t n = 0, mw = limn__mlp_max_width(p);
  for (size_t l = 0; l <= p->nlayers; l++)
    n += SB * p->width[l];
  return n + 2 * SB * mw + SB * k + 2 * mw + 2 * (4 * mw + p->width[0]) + 8;
}

static void ws_layout(const limn__mlp *p, size_t k, float *base, ws *w) {
  size_t mw = limn__mlp_max_width(p);
  float *q = base;
  for (size_t l = 0; l <= p->nlayers; l++) {
    w->acts[l] = q;
    q += SB * p->width[l];
  }
  w->dz = q;
  w->tmp = w->dz + SB * mw;
  w->w = w->tmp + SB * mw;
  w->zb = w->w + SB * k;
  w->zd = w->zb + mw;
  double *d = (double *)(void *)(((uintptr_t)(w->zd + mw) + 7) & ~(uintptr_t)7);
  w->z1x = d;
  w->z1b = d + mw;
  w->acc = d + 2 * mw;
  w->g = d + 3 * mw;
}

/* z = W h + b in double from Wt = W^T (in, out): rank-1 updates, contiguous in the
 * output index so the compiler vectorises them. */
static void affine_t(const float *restrict Wt, const float *b, const float *h, size_t in, size_t out,
                     double *restrict z) {
  for (size_t o = 0; o < out; o++)
    z[o] = b[o];
  for (size_t i = 0; i < in; i++) {
    double hi = h[i];
    const float *restrict w = Wt + i * out;
    for (size_t o = 0; o < out; o++)
      z[o] += (double)w[o] * hi;
  }
}

/* out = zb + a zd */
static void interpolate(size_t n, float a, const float *restrict zb, const float *restrict zd,
                        float *restrict out) {
  for (size_t j = 0; j < n; j++)
    out[j] = zb[j] + a * zd[j];
}

/* acc += wt * g */
static void accumulate(size_t n, double wt, const float *restrict g, double *restrict acc) {
  for (size_t j = 0; j < n; j++)
    acc[j] += wt * (double)g[j];
}

/* One row: attr (ns) = (hx - hb) * (sum_t w_t dz1(a_t)) W1. */
static void one_row(limn_kernel kern, const limn_model *m, ws *w, const float *hx, const float *hb,
                    const double *al, const double *wt, size_t steps, size_t target, limn_space sp,
                    double *attr) {
  const limn__mlp *p = m->impl;
  size_t L = p->nlayers, ns = m->nslots, w1 = p->width[1], u = p->width[L], k = m->noutputs;
  affine_t(p->Wt[0], p->b[0], hx, ns, w1, w->z1x);
  affine_t(p->Wt[0], p->b[0], hb, ns, w1, w->z1b);
  for (size_t j = 0; j < w1; j++)
    w->acc[j] = 0.0;
  float *zb = w->zb, *zd = w->zd; /* z1(b) and z1(x) - z1(b) */
  for (size_t j = 0; j < w1; j++) {
    zb[j] = (float)w->z1b[j];
    zd[j] = (float)(w->z1x[j] - w->z1b[j]);
  }
  for (size_t t0 = 0; t0 < steps; t0 += SB) {
    size_t nb = steps - t0 < SB ? steps - t0 : SB;
    for (size_t r = 0; r < nb; r++)
      interpolate(w1, (float)al[t0 + r], zb, zd, w->acts[1] + r * w1);
    if (L > 1)
      limn__activate(p->hidden, w->acts[1], nb * w1);
    for (size_t l = 1; l < L; l++) { /* layers after the first, as in the forward pass */
      size_t in = p->width[l], out = p->width[l + 1];
      float *z = w->acts[l + 1];
      for (size_t r = 0; r < nb; r++)
        memcpy(z + r * out, p->b[l], out * sizeof *z);
      if (kern == LIMN_KERNEL_PORTABLE)
        limn__sgemm_nn_sparse(nb, out, in, w->acts[l], in, p->Wt[l], out, z, out);
      else
        limn__sgemm(kern, 0, 0, nb, out, in, 1.0f, w->acts[l], in, p->Wt[l], out, 1.0f, z, out);
      if (l + 1 < L)
        limn__activate(p->hidden, z, nb * out);
    }
    memset(w->w, 0, nb * k * sizeof(float));
    for (size_t r = 0; r < nb; r++)
      w->w[r * k + target] = 1.0f;
    limn__mlp_output_grad(m, w->acts[L], w->w, nb, sp, w->dz);
    float *cur = w->dz, *nxt = w->tmp;
    for (size_t l = L; l-- > 1;) { /* back to the first layer's pre-activations */
      size_t in = p->width[l], out = p->width[l + 1];
      if (kern == LIMN_KERNEL_PORTABLE) {
        memset(nxt, 0, nb * in * sizeof *nxt);
        limn__sgemm_nn_sparse(nb, in, out, cur, out, p->W[l], in, nxt, in);
      } else {
        limn__sgemm(kern, 0, 0, nb, in, out, 1.0f, cur, out, p->W[l], in, 0.0f, nxt, in);
      }
      limn__activate_grad(p->hidden, w->acts[l], nxt, nb * in);
      float *t = cur;
      cur = nxt;
      nxt = t;
    }
    for (size_t r = 0; r < nb; r++)
      accumulate(w1, wt[t0 + r], cur + r * w1, w->acc);
  }
  (void)u;
  for (size_t s = 0; s < ns; s++)
    w->g[s] = 0.0;
  for (size_t j = 0; j < w1; j++)
    for (size_t s = 0; s < ns; s++)
      w->g[s] += w->acc[j] * p->W[0][j * ns + s];
  for (size_t s = 0; s < ns; s++)
    attr[s] = ((double)hx[s] - hb[s]) * w->g[s];
}

typedef struct rule_arg {
  const limn_model *m;
  limn_kernel kern;
  const float *hx, *hb;
  const double *al, *wt;
  size_t steps;
  const size_t *targets;
  limn_space sp;
  double *attr;
} rule_arg;

static int rule_item(void *arg, size_t i, void *scratch) {
  const rule_arg *a = arg;
  size_t ns = a->m->nslots;
  ws w;
  ws_layout(a->m->impl, a->m->noutputs, scratch, &w);
  one_row(a->kern, a->m, &w, a->hx + i * ns, a->hb + i * ns, a->al, a->wt, a->steps, a->targets[i], a->sp,
          a->attr + i * ns);
  return 0;
}

int limn__mlp_ig_rule(limn_ctx *ctx, const limn_model *m, const float *hx, const float *hb, size_t n,
                      const double *alphas, const double *weights, size_t steps, const size_t *targets,
                      limn_space sp, double *attr) {
  rule_arg a = {m,      ctx->kernel == LIMN_KERNEL_AUTO ? LIMN_KERNEL_PORTABLE : ctx->kernel,
                hx,     hb,
                alphas, weights,
                steps,  targets,
                sp,     attr};
  size_t bytes = ws_floats(m->impl, m->noutputs) * sizeof(float);
  return limn__parallel_for(ctx, n, bytes, rule_item, &a) == LIMN_ENOMEM ? LIMN_ENOMEM : LIMN_OK;
}

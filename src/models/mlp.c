/* The MLP: construction, forward pass, exact vjp by backpropagation. */
#include "model_internal.h"
#include "../linalg/linalg.h"
#include <math.h>

const char *limn_activation_name(limn_activation a) {
  switch (a) {
  case LIMN_ACT_RELU:
    return "relu";
  case LIMN_ACT_TANH:
    return "tanh";
  case LIMN_ACT_LOGISTIC:
    return "logistic";
  case LIMN_ACT_IDENTITY:
    return "identity";
  case LIMN_ACT_SOFTMAX:
    return "softmax";
  }
  return NULL;
}

int limn_activation_parse(const char *name, limn_activation *out) {
  for (int a = LIMN_ACT_RELU; a <= LIMN_ACT_SOFTMAX; a++)
    if (!strcmp(name, limn_activation_name((limn_activation)a))) {
      *out = (limn_activation)a;
      return LIMN_OK;
    }
  return LIMN_EINVAL;
}

const limn__mlp *limn__mlp_of(const limn_model *m) { return m && !strcmp(m->kind, "mlp") ? m->impl : NULL; }

size_t limn__mlp_max_width(const limn__mlp *p) {
  size_t w = 0;
  for (size_t l = 0; l <= p->nlayers; l++)
    if (p->width[l] > w)
      w = p->width[l];
  return w;
}

static void mlp_destroy(limn_model *m) {
  limn__mlp *p = m->impl;
  if (!p)
    return;
  limn_ctx *ctx = m->ctx;
  for (size_t l = 0; l < p->nlayers; l++) {
    if (p->W)
      limn__free(ctx, p->W[l]);
    if (p->Wt)
      limn__free(ctx, p->Wt[l]);
    if (p->b)
      limn__free(ctx, p->b[l]);
  }
  limn__free(ctx, p->W);
  limn__free(ctx, p->Wt);
  limn__free(ctx, p->b);
  limn__free(ctx, p->width);
  limn__free(ctx, p->mean);
  limn__free(ctx, p->std);
  limn__free(ctx, p);
}

/* ---- the maths ---- */

/* All columns numeric, slot j = column j: the z-scores, vectorised over blocks of
 * lcm(d, 8) values with the means and deviations repeated to match (row by row, a
 * width like 30 left a scalar tail in every row), the rows left over row by row. */
LIMN_CLONES static void zscores(const float *restrict x, size_t rows, size_t d, const float *restrict mean,
                                const float *restrict std, float *restrict h) {
  size_t L = d, i = 0;
  while (L % 8)
    L += d;
  if (L <= 512 && rows >= L / d) {
    float mp[512], sp[512];
    for (size_t t = 0; t < L; t += d)
      for (size_t j = 0; j < d; j++)
        mp[t + j] = mean[j], sp[t + j] = std[j];
    for (; (i + L / d) <= rows; i += L / d) {
      const float *xb = x + i * d;
      float *hb = h + i * d;
      for (size_t t = 0; t < L; t++)
        hb[t] = (xb[t] - mp[t]) / sp[t];
    }
  }
  for (; i < rows; i++)
    for (size_t j = 0; j < d; j++)
      h[i * d + j] = (x[i * d + j] - mean[j]) / std[j];
}

void limn__mlp_preprocess(const limn_model *m, const float *x, size_t rows, float *h0) {
  const limn__mlp *p = m->impl;
  size_t d = m->nfeatures, ns = m->nslots;
  int plain = ns == d;
  for (size_t j = 0; j < d && plain; j++)
    plain = m->col_slot[j] == j && m->slot_cat[j] < 0;
  if (plain) {
    zscores(x, rows, d, p->mean, p->std, h0);
    return;
  }
  for (size_t i = 0; i < rows; i++) {
    const float *xi = x + i * d;
    float *h = h0 + i * ns;
    for (size_t j = 0; j < d; j++) {
      size_t s = m->col_slot[j];
      if (m->slot_cat[s] < 0) {
        h[s] = (xi[j] - p->mean[j]) / p->std[j];
      } else {
        size_t k = limn_schema_ncategories(m->schema, j);
        for (size_t c = 0; c < k; c++)
          h[s + c] = 0.0f;
        h[s + (size_t)xi[j]] = 1.0f;
      }
    }
  }
}

void limn__activate(limn_activation a, float *h, size_t n) {
  switch (a) {
  case LIMN_ACT_RELU:
    for (size_t i = 0; i < n; i++)
      h[i] = h[i] > 0.0f ? h[i] : 0.0f;
    break;
  case LIMN_ACT_TANH:
    for (size_t i = 0; i < n; i++)
      h[i] = tanhf(h[i]);
    break;
  case LIMN_ACT_LOGISTIC:
    for (size_t i = 0; i < n; i++)
      h[i] = 1.0f / (1.0f + expf(-h[i]));
    break;
  default:
    break;
  }
}

/* dh *= act'(h) where h = act(z) is the stored activation. */
void limn__activate_grad(limn_activation a, const float *h, float *dh, size_t n) {
  switch (a) {
  case LIMN_ACT_RELU:
    for (size_t i = 0; i < n; i++)
      dh[i] = h[i] > 0.0f ? dh[i] : 0.0f;
    break;
  case LIMN_ACT_TANH:
    for (size_t i = 0; i < n; i++)
      dh[i] *= 1.0f - h[i] * h[i];
    break;
  case LIMN_ACT_LOGISTIC:
    for (size_t i = 0; i < n; i++)
      dh[i] *= h[i] * (1.0f - h[i]);
    break;
  default:
    break;
  }
}

void limn__mlp_transpose(limn__mlp *p) {
  for (size_t l = 0; l < p->nlayers; l++) {
    size_t in = p->width[l], out = p->width[l + 1];
    for (size_t o = 0; o < out; o++)
      for (size_t i = 0; i < in; i++)
        p->Wt[l][i * out + o] = p->W[l][o * in + i];
  }
}

void limn__mlp_forward(limn_kernel k, const limn__mlp *p, size_t rows, float **acts, int use_wt) {
  limn__mlp_forward_from(k, p, 0, rows, acts, use_wt);
}

void limn__mlp_forward_from(limn_kernel k, const limn__mlp *p, size_t first, size_t rows, float **acts,
                            int use_wt) {
  for (size_t l = first; l < p->nlayers; l++) {
    size_t in = p->width[l], out = p->width[l + 1];
    float *z = acts[l + 1];
    /* z: (rows, out) = h: (rows, in) W^T: (in, out) + b */
    if (use_wt && limn__kernel_resolve(k) == LIMN_KERNEL_PORTABLE) { /* bias and ReLU in the kernel */
      int relu = l + 1 < p->nlayers && p->hidden == LIMN_ACT_RELU;
      limn__sgemm_bias(rows, out, in, acts[l], in, p->Wt[l], out, p->b[l], relu, z, out);
      if (l + 1 < p->nlayers && !relu)
        limn__activate(p->hidden, z, rows * out);
      continue;
    }
    for (size_t i = 0; i < rows; i++)
      memcpy(z + i * out, p->b[l], out * sizeof *z);
    if (use_wt)
      limn__sgemm(k, 0, 0, rows, out, in, 1.0f, acts[l], in, p->Wt[l], out, 1.0f, z, out);
    else
      limn__sgemm(k, 0, 1, rows, out, in, 1.0f, acts[l], in, p->W[l], in, 1.0f, z, out);
    if (l + 1 < p->nlayers)
      limn__activate(p->hidden, z, rows * out);
  }
}

void limn__mlp_backward(limn_kernel k, const limn__mlp *p, size_t rows, float **acts, float *dz, float *tmp,
                        float **dW, float **db, float *dh0) {
  float *cur = dz, *next = tmp;
  for (size_t l = p->nlayers; l-- > 0;) {
    size_t in = p->width[l], out = p->width[l + 1];
    if (dW) /* dW: (out, in) += dz^T: (out, rows) h: (rows, in) */
      limn__sgemm(k, 1, 0, out, in, rows, 1.0f, cur, out, acts[l], in, 1.0f, dW[l], in);
    if (db)
      for (size_t i = 0; i < rows; i++)
        for (size_t o = 0; o < out; o++)
          db[l][o] += cur[i * out + o];
    if (l == 0 && !dh0)
      break;
    float *dst = l == 0 ? dh0 : next;
    /* dh: (rows, in) = dz: (rows, out) W: (out, in) */
    limn__sgemm(k, 0, 0, rows, in, out, 1.0f, cur, out, p->W[l], in, 0.0f, dst, in);
    if (l == 0)
      break;
    limn__activate_grad(p->hidden, acts[l], dst, rows * in);
    float *t = cur;
    cur = next;
    next = t;
  }
}

void limn__mlp_output(const limn_model *m, const float *z, size_t rows, limn_space sp, float *out) {
  const limn__mlp *p = m->impl;
  size_t u = p->width[p->nlayers], k = m->noutputs;
  for (size_t i = 0; i < rows; i++) {
    const float *zi = z + i * u;
    float *o = out + i * k;
    if (p->output == LIMN_ACT_LOGISTIC) {
      o[0] = sp == LIMN_SPACE_LOGIT ? 0.0f : 1.0f / (1.0f + expf(zi[0]));
      o[1] = sp == LIMN_SPACE_LOGIT ? zi[0] : 1.0f / (1.0f + expf(-zi[0]));
    } else if (p->output == LIMN_ACT_SOFTMAX) {
      if (sp == LIMN_SPACE_LOGIT)
        memcpy(o, zi, u * sizeof *o);
      else
        limn__softmax(zi, u, o);
    } else {
      for (size_t c = 0; c < u; c++)
        o[c] = (float)(zi[c] * p->y_scale + p->y_shift);
    }
  }
}

void limn__mlp_output_grad(const limn_model *m, const float *z, const float *w, size_t rows, limn_space sp,
                           float *dz) {
  const limn__mlp *p = m->impl;
  size_t u = p->width[p->nlayers], k = m->noutputs;
  float *prob = NULL;
  for (size_t i = 0; i < rows; i++) {
    const float *zi = z + i * u, *wi = w + i * k;
    float *d = dz + i * u;
    if (p->output == LIMN_ACT_LOGISTIC) {
      if (sp == LIMN_SPACE_LOGIT) {
        d[0] = wi[1];
      } else {
        float s = 1.0f / (1.0f + expf(-zi[0]));
        d[0] = (wi[1] - wi[0]) * s * (1.0f - s);
      }
    } else if (p->output == LIMN_ACT_SOFTMAX) {
      if (sp == LIMN_SPACE_LOGIT) {
        memcpy(d, wi, u * sizeof *d);
        continue;
      }
      /* d = p * (w - <w, p>), p computed into d first */
      prob = d;
      limn__mlp_output(m, zi, 1, LIMN_SPACE_OUTPUT, prob);
      double wp = 0.0;
      for (size_t c = 0; c < u; c++)
        wp += (double)wi[c] * prob[c];
      for (size_t c = 0; c < u; c++)
        d[c] = (float)(prob[c] * (wi[c] - wp));
    } else {
      for (size_t c = 0; c < u; c++)
        d[c] = (float)(wi[c] * p->y_scale);
    }
  }
}

/* ---- batched, chunked, parallel entry points ---- */

/* Scratch for one chunk: acts for every layer, plus two gradient buffers. */
static size_t chunk_floats(const limn__mlp *p) {
  size_t n = 0;
  for (size_t l = 0; l <= p->nlayers; l++)
    n += LIMN__CHUNK * p->width[l];
  return n + 2 * LIMN__CHUNK * limn__mlp_max_width(p);
}

/* Forward one chunk of `rows` (<= CHUNK) rows, zero-padded to a full block. x is
 * raw rows, or slot rows (already preprocessed) when `slots_in`. */
static void run_chunk(limn_kernel k, const limn_model *m, const float *x, size_t rows, int slots_in,
                      float *scratch, float **acts) {
  const limn__mlp *p = m->impl;
  float *q = scratch;
  for (size_t l = 0; l <= p->nlayers; l++) {
    acts[l] = q;
    q += LIMN__CHUNK * p->width[l];
  }
  memset(acts[0], 0, LIMN__CHUNK * p->width[0] * sizeof(float));
  if (slots_in)
    memcpy(acts[0], x, rows * m->nslots * sizeof(float));
  else
    limn__mlp_preprocess(m, x, rows, acts[0]);
  limn__mlp_forward(k, p, LIMN__CHUNK, acts, 1);
}

typedef struct job {
  const limn_model *m;
  const float *x, *w;
  size_t n;
  limn_space sp;
  float *out;  /* forward: (n, noutputs); vjp: (n, nslots) */
  float *out2; /* vjp: the outputs too (n, noutputs), or NULL */
  int vjp;
  int slots;     /* x holds slot rows; vjp per slot unit (no chain rule to raw) */
  size_t hidden; /* > 0: out gets hidden layer `hidden`'s activations instead */
  size_t *bad;   /* (chunks): the chunk's first row whose units overflowed, or SIZE_MAX */
} job;

/* The first of `rows` rows with a non-finite unit in any layer, or SIZE_MAX. An input far
 * beyond the training range (3e38 in a column with a standard deviation below 1)
 * overflows a unit; ReLU would then turn the NaN that follows into 0 and the output into
 * a plausible-looking constant, so the overflow itself is caught here. */
/* 1 when a[0..n) holds an infinity or NaN, whose exponent field is all ones: adding one
 * to the field carries into the sign bit only then (AND, ADD and OR: vectorises with
 * SSE2; a float test would not under IEEE semantics). */
LIMN_CLONES static int any_nonfinite(const float *a, size_t n) {
  uint32_t acc = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t u;
    memcpy(&u, a + i, 4);
    acc |= (u & 0x7f800000u) + 0x00800000u;
  }
  return (acc & 0x80000000u) != 0;
}

static size_t first_overflow(const limn__mlp *p, float **acts, size_t rows) {
  size_t first = SIZE_MAX;
  for (size_t l = 0; l <= p->nlayers; l++) {
    size_t w = p->width[l];
    if (!any_nonfinite(acts[l], rows * w))
      continue;
    for (size_t i = 0; i < rows && i < first; i++)
      if (any_nonfinite(acts[l] + i * w, w))
        first = i;
  }
  return first;
}

static void do_chunk(limn_kernel k, const job *jb, size_t c, float *scratch) {
  const limn_model *m = jb->m;
  const limn__mlp *p = m->impl;
  float *acts[66];
  size_t r0 = c * LIMN__CHUNK;
  size_t rows = jb->n - r0 < LIMN__CHUNK ? jb->n - r0 : LIMN__CHUNK;
  size_t width_in = jb->slots ? m->nslots : m->nfeatures;
  run_chunk(k, m, jb->x + r0 * width_in, rows, jb->slots, scratch, acts);
  size_t bad = first_overflow(p, acts, rows);
  jb->bad[c] = bad == SIZE_MAX ? bad : r0 + bad;
  if (bad != SIZE_MAX)
    return;
  if (jb->hidden) {
    size_t w = p->width[jb->hidden];
    memcpy(jb->out + r0 * w, acts[jb->hidden], rows * w * sizeof(float));
    return;
  }
  float *z = acts[p->nlayers];
  if (!jb->vjp || jb->out2) {
    float *o = jb->vjp ? jb->out2 : jb->out;
    limn__mlp_output(m, z, rows, jb->sp, o + r0 * m->noutputs);
    if (!jb->vjp)
      return;
  }
  size_t mw = limn__mlp_max_width(p);
  float *dz = acts[p->nlayers] + LIMN__CHUNK * p->width[p->nlayers];
  float *tmp = dz + LIMN__CHUNK * mw;
  memset(dz, 0, LIMN__CHUNK * mw * sizeof(float));
  limn__mlp_output_grad(m, z, jb->w + r0 * m->noutputs, rows, jb->sp, dz);
  float *dh0 = acts[0]; /* inputs are no longer needed: reuse as dh0 */
  limn__mlp_backward(k, p, LIMN__CHUNK, acts, dz, tmp, NULL, NULL, dh0);
  float *g = jb->out + r0 * m->nslots;
  for (size_t i = 0; i < rows; i++)
    for (size_t s = 0; s < m->nslots; s++) {
      float v = dh0[i * m->nslots + s];
      g[i * m->nslots + s] = m->slot_cat[s] < 0 && !jb->slots ? v / p->std[m->slot_col[s]] : v;
    }
}

typedef struct chunk_arg {
  limn_kernel k;
  const job *jb;
} chunk_arg;

static int chunk_item(void *arg, size_t c, void *scratch) {
  const chunk_arg *a = arg;
  do_chunk(a->k, a->jb, c, scratch);
  return 0;
}

/* The row's column farthest from the training data, for the message. */
static int overflow_err(limn_ctx *ctx, const job *jb, size_t row) {
  const limn_model *m = jb->m;
  const limn__mlp *p = m->impl;
  if (jb->slots)
    return limn__err(
        ctx, LIMN_ENONFINITE,
        "row %zu: the network's units overflow 32-bit floats (inputs far beyond the training data)", row);
  size_t d = m->nfeatures, far = 0;
  double z = -1.0;
  for (size_t j = 0; j < d; j++) {
    double v = fabs(((double)jb->x[row * d + j] - p->mean[j]) / p->std[j]);
    if (m->slot_cat[m->col_slot[j]] < 0 && !(v <= z)) /* NaN-safe: the first non-finite wins */
      z = v, far = j;
  }
  const char *name = m->schema ? limn_schema_feature_name(m->schema, far) : NULL;
  char col[300];
  if (name)
    snprintf(col, sizeof col, "'%.200s'", name);
  else
    snprintf(col, sizeof col, "%zu", far);
  return limn__err(ctx, LIMN_ENONFINITE,
                   "row %zu: the network's units overflow 32-bit floats: column %s is %g, %.3g standard "
                   "deviations from the training mean; the model has no meaningful output there",
                   row, col, (double)jb->x[row * d + far], z);
}

static int run_jobs(limn_ctx *ctx, const job *jb0) {
  job jbv = *jb0, *jb = &jbv;
  size_t nchunks = (jb->n + LIMN__CHUNK - 1) / LIMN__CHUNK;
  jb->bad = limn__alloc_array(ctx, nchunks ? nchunks : 1, sizeof *jb->bad);
  if (!jb->bad)
    return LIMN_ENOMEM;
  /* AUTO means the portable kernel here: its per-row result is independent of the
   * row's place in the block, which BLAS does not promise (see docs/design.md). */
  chunk_arg a = {ctx->kernel == LIMN_KERNEL_AUTO ? LIMN_KERNEL_PORTABLE : ctx->kernel, jb};
  int rc = limn__parallel_for(ctx, nchunks, chunk_floats(jb->m->impl) * sizeof(float), chunk_item, &a);
  rc = rc == LIMN_ENOMEM ? rc : LIMN_OK;
  for (size_t c = 0; c < nchunks && rc == LIMN_OK; c++)
    if (jb->bad[c] != SIZE_MAX)
      rc = overflow_err(ctx, jb, jb->bad[c]);
  limn__free(ctx, jb->bad);
  return rc;
}

static int mlp_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                       float *out) {
  job jb = {m, x, NULL, n, sp, out, NULL, 0, 0, 0, NULL};
  return run_jobs(ctx, &jb);
}

static int mlp_vjp(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const float *w,
                   limn_space sp, float *grad) {
  job jb = {m, x, w, n, sp, grad, NULL, 1, 0, 0, NULL};
  return run_jobs(ctx, &jb);
}

static int mlp_forward_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, limn_space sp,
                             float *out) {
  job jb = {m, h, NULL, n, sp, out, NULL, 0, 1, 0, NULL};
  return run_jobs(ctx, &jb);
}

static int mlp_vjp_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, const float *w,
                         limn_space sp, float *grad, float *out) {
  job jb = {m, h, w, n, sp, grad, out, 1, 1, 0, NULL};
  return run_jobs(ctx, &jb);
}

int limn__mlp_hidden(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, size_t layer, float *out) {
  job jb = {m, x, NULL, n, LIMN_SPACE_OUTPUT, out, NULL, 0, 0, layer, NULL};
  return run_jobs(ctx, &jb);
}

static void mlp_to_slots(const limn_model *m, const float *x, size_t n, float *h) {
  limn__mlp_preprocess(m, x, n, h);
}

static double mlp_slot_scale(const limn_model *m, size_t s) {
  const limn__mlp *p = m->impl;
  return m->slot_cat[s] < 0 ? 1.0 / p->std[m->slot_col[s]] : 1.0;
}

static const limn__model_vt mlp_vt = {mlp_forward,   mlp_vjp,      mlp_destroy,   mlp_forward_slots,
                                      mlp_vjp_slots, mlp_to_slots, mlp_slot_scale};

/* ---- permutation chains (SHAP's sampling estimator) ---- */

typedef struct chains_arg {
  const limn_model *m;
  const limn__chain *ch;
  size_t n, steps, group;
  const size_t *pstart, *pcols;
  limn_space sp;
  float *out;
  limn_kernel k;
} chains_arg;

/* z += a w over n lanes (the same sums in every build: no contraction). */
LIMN_CLONES static void chain_axpy(size_t n, float a, const float *restrict w, float *restrict z) {
  for (size_t o = 0; o < n; o++)
    z[o] += a * w[o];
}

/* row = act(z) for ReLU (max(0, z), as the forward's fused kernel), else a copy. */
LIMN_CLONES static void chain_row(size_t n, int relu, const float *restrict z, float *restrict row) {
  if (relu)
    for (size_t o = 0; o < n; o++)
      row[o] = z[o] > 0.0f ? z[o] : 0.0f;
  else
    memcpy(row, z, n * sizeof *row);
}

/* Flush the `rows` rows gathered in acts[1] (activated unless ReLU did it) through the
 * other layers into out. */
static void chain_flush(const chains_arg *a, float **acts, size_t rows, int act, float *out) {
  const limn__mlp *p = a->m->impl;
  if (act)
    limn__activate(p->hidden, acts[1], rows * p->width[1]);
  limn__mlp_forward_from(a->k, p, 1, LIMN__CHUNK, acts, 1);
  limn__mlp_output(a->m, acts[p->nlayers], rows, a->sp, out);
}

/* Item c: chains c * group .. (c + 1) * group - 1 (or n - 1), their rows one after another; each
 * row's first-layer pre-activations by updates along its chain (one column's weights
 * per step), gathered in blocks of LIMN__CHUNK rows for the other layers. */
static int chain_item(void *arg, size_t c, void *scratch) {
  const chains_arg *a = arg;
  const limn_model *m = a->m;
  const limn__mlp *p = m->impl;
  size_t ns = m->nslots, h1 = p->width[1], L = p->nlayers, nrow = 0;
  int relu = L > 1 && p->hidden == LIMN_ACT_RELU, act = L > 1 && !relu;
  float *acts[66], *q = scratch;
  for (size_t l = 0; l <= L; l++) {
    acts[l] = q;
    q += LIMN__CHUNK * p->width[l];
  }
  float *hf = q, *ht = hf + ns, *z = ht + ns;
  float *out = a->out + c * a->group * a->steps * m->noutputs;
  memset(acts[1], 0, LIMN__CHUNK * h1 * sizeof(float));
  size_t last = (c + 1) * a->group < a->n ? (c + 1) * a->group : a->n;
  for (size_t g = c * a->group; g < last; g++) {
    const limn__chain *ch = &a->ch[g];
    limn__mlp_preprocess(m, ch->from, 1, hf);
    limn__mlp_preprocess(m, ch->to, 1, ht);
    memcpy(z, p->b[0], h1 * sizeof *z);
    for (size_t i = 0; i < ns; i++) /* slot by slot: the h1 sums in vector lanes */
      chain_axpy(h1, hf[i], p->Wt[0] + i * h1, z);
    for (size_t i = 0; i < a->steps; i++) {
      size_t pl = ch->order[i];
      for (size_t t = a->pstart[pl]; t < a->pstart[pl + 1]; t++) {
        size_t j = a->pcols[t], s0 = m->col_slot[j];
        size_t s1 = m->slot_cat[s0] < 0 ? s0 + 1 : s0 + limn_schema_ncategories(m->schema, j);
        for (size_t s = s0; s < s1; s++)
          if (ht[s] != hf[s])
            chain_axpy(h1, ht[s] - hf[s], p->Wt[0] + s * h1, z);
      }
      chain_row(h1, relu, z, acts[1] + nrow * h1);
      if (++nrow == LIMN__CHUNK) {
        chain_flush(a, acts, nrow, act, out);
        out += nrow * m->noutputs, nrow = 0;
        memset(acts[1], 0, LIMN__CHUNK * h1 * sizeof(float));
      }
    }
  }
  if (nrow)
    chain_flush(a, acts, nrow, act, out);
  return 0;
}

static size_t chains_floats(const limn__mlp *p, size_t ns) {
  size_t n = 0;
  for (size_t l = 0; l <= p->nlayers; l++)
    n += LIMN__CHUNK * p->width[l];
  return n + 2 * ns + p->width[1];
}

int limn__mlp_chains(limn_ctx *ctx, const limn_model *m, const limn__chain *ch, size_t n, size_t group,
                     size_t steps, const size_t *pstart, const size_t *pcols, limn_space sp, float *out) {
  const limn__mlp *p = limn__mlp_of(m);
  if (!p)
    return limn__err(ctx, LIMN_EINVAL, "permutation chains need a limn MLP");
  if (group == 0)
    return limn__err(ctx, LIMN_EINVAL, "permutation chains: groups of 0");
  chains_arg a;
  a.m = m, a.ch = ch, a.n = n, a.steps = steps, a.group = group, a.pstart = pstart, a.pcols = pcols,
  a.sp = sp, a.out = out, a.k = ctx->kernel == LIMN_KERNEL_AUTO ? LIMN_KERNEL_PORTABLE : ctx->kernel;
  size_t bytes = chains_floats(p, m->nslots) * sizeof(float);
  int rc = limn__parallel_for(ctx, (n + group - 1) / group, bytes, chain_item, &a);
  return rc == LIMN_ENOMEM ? rc : LIMN_OK;
}

/* ---- construction ---- */

int limn__mlp_new(limn_ctx *ctx, const limn_schema *schema, size_t nlayers, const size_t *width,
                  limn_activation hidden, limn_activation output, limn_model **out) {
  *out = NULL;
  int rc;
  limn_model *m = NULL;
  LIMN_FAIL_IF(nlayers < 1 || nlayers > 64, ctx, LIMN_EINVAL, "an MLP needs 1 to 64 layers, got %zu",
               nlayers);
  LIMN_FAIL_IF(hidden > LIMN_ACT_IDENTITY, ctx, LIMN_EINVAL,
               "hidden activation must be relu, tanh, logistic or identity");
  for (size_t l = 0; l <= nlayers; l++)
    LIMN_FAIL_IF(width[l] < 1 || width[l] > (1u << 20), ctx, LIMN_EINVAL, "layer width %zu out of range",
                 width[l]);
  LIMN_FAIL_IF(!limn_schema_target_name(schema), ctx, LIMN_EINVAL, "the MLP's schema needs a target");
  size_t u = width[nlayers], nout = u;
  limn_task task = limn_schema_task(schema);
  size_t ncl = limn_schema_nclasses(schema);
  if (output == LIMN_ACT_LOGISTIC) {
    LIMN_FAIL_IF(task != LIMN_TASK_CLASSIFICATION || ncl != 2 || u != 1, ctx, LIMN_EINVAL,
                 "a logistic output needs a binary target and one output unit");
    nout = 2;
  } else if (output == LIMN_ACT_SOFTMAX) {
    LIMN_FAIL_IF(task != LIMN_TASK_CLASSIFICATION || ncl != u, ctx, LIMN_EINVAL,
                 "a softmax output needs one unit per class (%zu classes, %zu units)", ncl, u);
  } else if (output == LIMN_ACT_IDENTITY) {
    LIMN_FAIL_IF(task != LIMN_TASK_REGRESSION, ctx, LIMN_EINVAL,
                 "an identity output needs a regression target");
  } else {
    LIMN_FAIL_IF(1, ctx, LIMN_EINVAL, "output activation must be softmax, logistic or identity");
  }
  LIMN_CHECK(limn__model_new(ctx, "mlp", schema, limn_schema_nfeatures(schema), nout, &mlp_vt, &m));
  LIMN_FAIL_IF(m->nslots != width[0], ctx, LIMN_ESHAPE,
               "first layer takes %zu inputs but the schema has %zu slots", width[0], m->nslots);
  limn__mlp *p = limn__calloc(ctx, 1, sizeof *p);
  LIMN_FAIL_IF(!p, ctx, LIMN_ENOMEM, "out of memory");
  m->impl = p;
  p->nlayers = nlayers;
  p->hidden = hidden;
  p->output = output;
  p->y_scale = 1.0;
  p->info.train_loss = p->info.valid_loss = NAN;
  p->width = limn__alloc_array(ctx, nlayers + 1, sizeof *p->width);
  p->W = limn__calloc(ctx, nlayers, sizeof *p->W);
  p->Wt = limn__calloc(ctx, nlayers, sizeof *p->Wt);
  p->b = limn__calloc(ctx, nlayers, sizeof *p->b);
  p->mean = limn__calloc(ctx, m->nfeatures, sizeof(float));
  p->std = limn__alloc_array(ctx, m->nfeatures, sizeof(float));
  LIMN_FAIL_IF(!p->width || !p->W || !p->Wt || !p->b || !p->mean || !p->std, ctx, LIMN_ENOMEM,
               "out of memory");
  memcpy(p->width, width, (nlayers + 1) * sizeof *width);
  for (size_t j = 0; j < m->nfeatures; j++)
    p->std[j] = 1.0f;
  for (size_t l = 0; l < nlayers; l++) {
    p->W[l] = limn__calloc(ctx, width[l + 1], width[l] * sizeof(float));
    p->Wt[l] = limn__calloc(ctx, width[l + 1], width[l] * sizeof(float));
    p->b[l] = limn__calloc(ctx, width[l + 1], sizeof(float));
    LIMN_FAIL_IF(!p->W[l] || !p->Wt[l] || !p->b[l], ctx, LIMN_ENOMEM, "out of memory");
  }
  *out = m;
  return LIMN_OK;
fail:
  limn_model_free(m);
  return rc;
}

int limn_mlp_create(limn_ctx *ctx, const limn_mlp_spec *spec, limn_model **out) {
  if (!out || !spec)
    return limn__err(ctx, LIMN_EINVAL, "limn_mlp_create: NULL spec or output");
  *out = NULL;
  const limn_schema *schema = spec->schema;
  const float *mean = spec->mean, *std = spec->std;
  size_t nlayers = spec->nlayers;
  const limn_mlp_layer *layers = spec->layers;
  limn_activation hidden = spec->hidden, output = spec->output;
  double y_shift = spec->y_shift, y_scale = spec->y_scale;
  if (!schema || !layers || nlayers < 1 || nlayers > 64)
    return limn__err(ctx, LIMN_EINVAL, "limn_mlp_create needs a schema and 1 to 64 layers");
  size_t width[65];
  width[0] = layers[0].in;
  for (size_t l = 0; l < nlayers; l++) {
    if (layers[l].in != width[l])
      return limn__err(ctx, LIMN_ESHAPE, "layer %zu takes %zu inputs, the previous gives %zu", l,
                       layers[l].in, width[l]);
    if (!layers[l].w || !layers[l].b)
      return limn__err(ctx, LIMN_EINVAL, "layer %zu lacks weights", l);
    width[l + 1] = layers[l].out;
  }
  if (!isfinite(y_shift) || !isfinite(y_scale) || y_scale == 0.0)
    return limn__err(ctx, LIMN_EINVAL, "y_shift must be finite and y_scale finite and non-zero");
  limn_model *m;
  LIMN_TRY(limn__mlp_new(ctx, schema, nlayers, width, hidden, output, &m));
  limn__mlp *p = m->impl;
  int rc = LIMN_OK;
  for (size_t l = 0; l < nlayers && rc == LIMN_OK; l++) {
    size_t nw = width[l] * width[l + 1];
    for (size_t i = 0; i < nw && rc == LIMN_OK; i++)
      if (!isfinite(layers[l].w[i]))
        rc = limn__err(ctx, LIMN_ENONFINITE, "layer %zu weight %zu is not finite", l, i);
    for (size_t i = 0; i < width[l + 1] && rc == LIMN_OK; i++)
      if (!isfinite(layers[l].b[i]))
        rc = limn__err(ctx, LIMN_ENONFINITE, "layer %zu bias %zu is not finite", l, i);
    memcpy(p->W[l], layers[l].w, nw * sizeof(float));
    memcpy(p->b[l], layers[l].b, width[l + 1] * sizeof(float));
  }
  for (size_t j = 0; j < m->nfeatures && rc == LIMN_OK; j++) {
    float mu = mean ? mean[j] : 0.0f, sd = std ? std[j] : 1.0f;
    if (!isfinite(mu) || !isfinite(sd) || sd < 0)
      rc = limn__err(ctx, LIMN_EINVAL, "standardisation of column %zu is not finite and >= 0", j);
    p->mean[j] = mu;
    p->std[j] = sd == 0.0f ? 1.0f : sd;
  }
  p->y_shift = y_shift;
  p->y_scale = y_scale;
  limn__mlp_transpose(p);
  if (rc != LIMN_OK) {
    limn_model_free(m);
    return rc;
  }
  *out = m;
  return LIMN_OK;
}

int limn_mlp_get_info(limn_ctx *ctx, const limn_model *m, limn_mlp_info *info) {
  const limn__mlp *p = m ? limn__mlp_of(m) : NULL;
  if (!p || !info)
    return limn__err(ctx, LIMN_EINVAL, "limn_mlp_get_info: %s", m ? "not an MLP" : "NULL model");
  *info = p->info;
  info->nlayers = p->nlayers;
  info->hidden = p->hidden;
  info->output = p->output;
  return LIMN_OK;
}

int limn_mlp_get_layer(limn_ctx *ctx, const limn_model *m, size_t i, limn_mlp_layer *layer) {
  const limn__mlp *p = m ? limn__mlp_of(m) : NULL;
  if (!p || !layer)
    return limn__err(ctx, LIMN_EINVAL, "limn_mlp_get_layer: %s", m ? "not an MLP" : "NULL model");
  if (i >= p->nlayers)
    return limn__err(ctx, LIMN_EINVAL, "layer %zu of an MLP with %zu layers", i, p->nlayers);
  layer->in = p->width[i];
  layer->out = p->width[i + 1];
  layer->w = p->W[i];
  layer->b = p->b[i];
  return LIMN_OK;
}

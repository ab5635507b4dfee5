/* Explaining texts token by token (docs/text.md): gradient methods on the token
 * embeddings of one text at a time (limn_model_text_view), occlusion and LIME on words,
 * attention rollout and flow, and the deletion curves that say which map to trust. */
#include "limn/text.h"
#include "explain_internal.h"
#include <math.h>

enum { BATCH = 64 }; /* perturbed texts a model call */

limn_text_opts limn_text_opts_default(void) {
  limn_text_opts o;
  memset(&o, 0, sizeof o);
  o.method = LIMN_METHOD_IG;
  o.space = LIMN_SPACE_OUTPUT;
  o.target = -1;
  o.steps = 50;
  o.quadrature = LIMN_QUAD_GAUSS_LEGENDRE;
  o.num_samples = 5000;
  o.kernel_width = 0.25;
  o.num_features = 10;
  o.first_is_cls = 1;
  return o;
}

/* The row without the positions where drop[j] is set (the rest shifted left, pads after). */
static void delete_tokens(const float *row, size_t L, size_t w, const unsigned char *drop, float pad,
                          float *out) {
  size_t q = 0;
  for (size_t j = 0; j < L; j++)
    if (!drop[j])
      out[q++] = row[j];
  if (q == 0) /* nothing left: one pad (the model needs a token) */
    out[q++] = pad;
  for (; q < w; q++)
    out[q] = pad;
}

/* The explained output of n rows (BATCH at a time) into y. */
static int outputs(limn_ctx *ctx, const limn_model *m, const float *rows, size_t n, size_t target,
                   limn_space sp, double *y, float *buf) {
  size_t k = m->noutputs, w = m->nfeatures;
  for (size_t s = 0; s < n; s += BATCH) {
    size_t c = n - s < BATCH ? n - s : BATCH;
    LIMN_TRY(limn_model_forward(ctx, m, rows + s * w, c, sp, buf));
    for (size_t b = 0; b < c; b++)
      y[s + b] = buf[b * k + target];
    if (limn__canceled(ctx))
      return limn__err(ctx, LIMN_ECANCELED, "canceled");
  }
  return LIMN_OK;
}

/* Gradient methods on the row's embeddings. */
static int gradient_row(limn_ctx *ctx, const limn_model *m, const float *row, size_t target,
                        const limn_text_opts *o, limn_explanation *e) {
  size_t L = limn_model_text_length(m, row), E = limn_model_text_width(m);
  limn_model *view = NULL;
  float *emb = limn__alloc_array(ctx, L * E, sizeof *emb), *base = NULL;
  int rc = emb ? limn_model_text_view(ctx, m, row, &view) : LIMN_ENOMEM;
  if (!rc)
    rc = limn_model_text_embed(ctx, m, row, emb);
  if (!rc && o->method == LIMN_METHOD_IG && o->baseline == LIMN_TEXT_BASELINE_PAD) {
    const float *tab = limn__onnx_text_table(m);
    base = limn__alloc_array(ctx, L * E, sizeof *base);
    if (!base)
      rc = LIMN_ENOMEM;
    for (size_t j = 0; j < L && !rc; j++)
      memcpy(base + j * E, tab + (size_t)limn__onnx_text_pad(m) * E, E * sizeof *base);
  }
  limn_grad_opts go = limn_grad_opts_default();
  go.method = o->method == LIMN_METHOD_SALIENCY ? LIMN_METHOD_GRADIENT : o->method;
  go.space = o->space;
  go.target = (long)target;
  go.steps = o->steps;
  go.quadrature = o->quadrature;
  if (base)
    go.baseline = LIMN_BASELINE_ROWS, go.baseline_rows = base, go.nbaseline_rows = 1;
  limn_explanation *ex = NULL;
  if (!rc)
    rc = limn_explain_gradients(ctx, view, emb, 1, &go, &ex);
  if (!rc) {
    for (size_t j = 0; j < L; j++) {
      double s = 0;
      for (size_t q = 0; q < E; q++) {
        double a = ex[0].attr[j * E + q];
        s += o->method == LIMN_METHOD_SALIENCY ? a * a : a;
      }
      e->attr[j] = o->method == LIMN_METHOD_SALIENCY ? sqrt(s) : s;
    }
    e->output = ex[0].output;
    e->base_value = ex[0].base_value;
    e->delta = ex[0].delta;
  }
  limn_explanations_free(ctx, ex, 1);
  limn_model_free(view);
  limn__free(ctx, emb), limn__free(ctx, base);
  return rc;
}

/* F(x) - F(x without token j) for each token (the first kept when it is [CLS]). */
static int occlusion_row(limn_ctx *ctx, const limn_model *m, const float *row, size_t target,
                         const limn_text_opts *o, limn_explanation *e) {
  size_t L = limn_model_text_length(m, row), w = m->nfeatures, first = o->first_is_cls ? 1 : 0;
  size_t nr = 1 + (L > first ? L - first : 0);
  float *rows = limn__alloc_array(ctx, nr, w * sizeof *rows),
        *buf = limn__alloc_array(ctx, BATCH, m->noutputs * sizeof *buf);
  double *y = limn__alloc_array(ctx, nr, sizeof *y);
  unsigned char *drop = limn__calloc(ctx, L ? L : 1, 1);
  int rc = rows && buf && y && drop ? LIMN_OK : LIMN_ENOMEM;
  float pad = (float)limn__onnx_text_pad(m);
  if (!rc) {
    memcpy(rows, row, w * sizeof *rows);
    for (size_t j = first; j < L; j++) {
      drop[j] = 1;
      delete_tokens(row, L, w, drop, pad, rows + (1 + j - first) * w);
      drop[j] = 0;
    }
    rc = outputs(ctx, m, rows, nr, target, o->space, y, buf);
  }
  if (!rc) {
    e->output = y[0];
    for (size_t j = first; j < L; j++)
      e->attr[j] = y[0] - y[1 + j - first];
  }
  limn__free(ctx, rows), limn__free(ctx, buf), limn__free(ctx, y), limn__free(ctx, drop);
  return rc;
}

/* lime's LimeTextExplainer on the row's distinct words. */
/* A text with the words that z switches off deleted (lime's bag of words). */
typedef struct text_drop {
  const float *row;
  size_t L, w;
  const long *word;
  unsigned char *drop;
  float pad;
} text_drop;

static void text_build(const void *arg, const double *z, float *out) {
  const text_drop *t = arg;
  for (size_t j = 0; j < t->L; j++)
    t->drop[j] = t->word[j] >= 0 && z[t->word[j]] == 0.0;
  delete_tokens(t->row, t->L, t->w, t->drop, t->pad, out);
}

static int lime_row(limn_ctx *ctx, const limn_model *m, const float *row, size_t target, uint64_t id,
                    const limn_text_opts *o, limn_explanation *e) {
  size_t L = limn_model_text_length(m, row), w = m->nfeatures, first = o->first_is_cls ? 1 : 0, K = 0;
  size_t N = o->num_samples;
  long *word = limn__alloc_array(ctx, L, sizeof *word); /* each position's word (-1: [CLS]) */
  float *uniq = limn__alloc_array(ctx, L, sizeof *uniq);
  int rc = word && uniq ? LIMN_OK : LIMN_ENOMEM;
  for (size_t j = 0; j < L && !rc; j++) {
    word[j] = -1;
    if (j < first)
      continue;
    for (size_t q = 0; q < K && word[j] < 0; q++)
      if (uniq[q] == row[j])
        word[j] = (long)q;
    if (word[j] < 0)
      uniq[K] = row[j], word[j] = (long)K++;
  }
  if (!rc && K == 0)
    rc = limn__err(ctx, LIMN_EINVAL, "lime-text: the text has no words to remove");
  double *S = NULL, *y = NULL, *dist = NULL, *coef = NULL;
  unsigned char *sel = NULL, *drop = NULL;
  size_t *perm = NULL;
  if (!rc) {
    S = limn__alloc_array(ctx, N, K * sizeof *S), y = limn__alloc_array(ctx, N, sizeof *y);
    dist = limn__alloc_array(ctx, N, sizeof *dist), coef = limn__calloc(ctx, K, sizeof *coef);
    sel = limn__calloc(ctx, K, 1), drop = limn__calloc(ctx, L, 1),
    perm = limn__alloc_array(ctx, K, sizeof *perm);
    rc = S && y && dist && coef && sel && drop && perm ? LIMN_OK : LIMN_ENOMEM;
  }
  if (!rc) { /* the neighbourhood: lime's draws (a count, then that many distinct words) */
    limn_rng g;
    limn_rng_init(&g, o->seed, id);
    for (size_t s = 0; s < N; s++) {
      double *z = S + s * K;
      for (size_t q = 0; q < K; q++)
        z[q] = 1.0, perm[q] = q;
      size_t off = s == 0 ? 0 : 1 + (size_t)limn_rng_below(&g, K);
      for (size_t q = 0; q < off; q++) { /* a partial Fisher-Yates shuffle */
        size_t r = q + (size_t)limn_rng_below(&g, K - q), t = perm[q];
        perm[q] = perm[r], perm[r] = t;
        z[perm[q]] = 0.0;
      }
      dist[s] = 1.0 - sqrt((double)(K - off) / (double)K); /* cosine distance to the whole text */
    }
  }
  limn_lime_fit_result fr = {coef, sel, 0, 0, 0};
  text_drop td = {row, L, w, word, drop, (float)limn__onnx_text_pad(m)};
  if (!rc)
    rc = limn__lime_switches(ctx, m, target, S, dist, N, K, o->kernel_width, o->num_features, text_build, &td,
                             y, &fr);
  if (!rc) {
    e->output = y[0];
    e->intercept = fr.intercept, e->score = fr.score, e->local_pred = fr.local_pred;
    e->num_samples = N, e->seed = o->seed;
    for (size_t j = 0; j < L; j++) {
      e->attr[j] = word[j] >= 0 ? coef[word[j]] : 0.0;
      e->selected[j] = word[j] >= 0 && sel[word[j]];
      e->bin[j] = word[j];
    }
  }
  limn__free(ctx, word), limn__free(ctx, uniq), limn__free(ctx, S), limn__free(ctx, y), limn__free(ctx, dist);
  limn__free(ctx, coef), limn__free(ctx, sel), limn__free(ctx, drop), limn__free(ctx, perm);
  return rc;
}

/* Abnar & Zuidema's residual attention per layer: 0.5 mean_h(A) + 0.5 I, rows summing to 1. */
static void residual_attention(const float *att, size_t layers, size_t H, size_t T, double *R) {
  for (size_t l = 0; l < layers; l++)
    for (size_t i = 0; i < T; i++) {
      double *r = R + (l * T + i) * T, s = 0;
      for (size_t j = 0; j < T; j++) {
        double a = 0;
        for (size_t h = 0; h < H; h++)
          a += att[((l * H + h) * T + i) * T + j];
        r[j] = 0.5 * a / (double)H + (i == j ? 0.5 : 0.0);
        s += r[j];
      }
      for (size_t j = 0; j < T && s > 0; j++)
        r[j] /= s;
    }
}

/* Max flow from input token `src` (layer 0) to position 0 of the last layer through the
 * layered graph whose edge (l - 1, j) -> (l, i) has capacity R[l - 1][i][j]
 * (Edmonds-Karp on residual capacities). cap, flow: layers * T * T; work: the queue. */
static double max_flow(const double *R, size_t layers, size_t T, size_t src, double *flow, long *from,
                       size_t *queue) {
  size_t nodes = (layers + 1) * T, sink = layers * T;
  memset(flow, 0, layers * T * T * sizeof *flow);
  double total = 0;
  for (size_t it = 0; it < 16 * layers * T * T + 16; it++) {
    for (size_t v = 0; v < nodes; v++)
      from[v] = -1;
    size_t head = 0, tail = 0;
    queue[tail++] = src;
    from[src] = (long)src;
    while (head < tail && from[sink] < 0) {
      size_t v = queue[head++], l = v / T, p = v % T;
      if (l < layers) /* forward: (l, p) -> (l + 1, i) */
        for (size_t i = 0; i < T; i++) {
          size_t u = (l + 1) * T + i, e = (l * T + i) * T + p;
          if (from[u] < 0 && R[e] - flow[e] > 1e-12)
            from[u] = (long)v, queue[tail++] = u;
        }
      if (l > 0) /* backward along a used edge: (l, p) -> (l - 1, j) */
        for (size_t j = 0; j < T; j++) {
          size_t u = (l - 1) * T + j, e = ((l - 1) * T + p) * T + j;
          if (from[u] < 0 && flow[e] > 1e-12)
            from[u] = (long)v, queue[tail++] = u;
        }
    }
    if (from[sink] < 0)
      break;
    double push = INFINITY;
    for (size_t v = sink; v != src; v = (size_t)from[v]) {
      size_t u = (size_t)from[v], lu = u / T, lv = v / T;
      double r = lv > lu ? R[(lu * T + v % T) * T + u % T] - flow[(lu * T + v % T) * T + u % T]
                         : flow[(lv * T + u % T) * T + v % T];
      push = r < push ? r : push;
    }
    for (size_t v = sink; v != src; v = (size_t)from[v]) {
      size_t u = (size_t)from[v], lu = u / T, lv = v / T;
      if (lv > lu)
        flow[(lu * T + v % T) * T + u % T] += push;
      else
        flow[(lv * T + u % T) * T + v % T] -= push;
    }
    total += push;
  }
  return total;
}

static int attention_row(limn_ctx *ctx, const limn_model *m, const float *row, const limn_text_opts *o,
                         limn_explanation *e) {
  float *att = NULL;
  size_t layers, H, T;
  LIMN_TRY(limn__onnx_attention(ctx, m, row, &att, &layers, &H, &T));
  double *R = limn__alloc_array(ctx, layers * T, T * sizeof *R);
  double *P = limn__alloc_array(ctx, T, 2 * sizeof *P);
  double *flow = limn__alloc_array(ctx, layers * T, T * sizeof *flow);
  long *from = limn__alloc_array(ctx, (layers + 1) * T, sizeof *from);
  size_t *queue = limn__alloc_array(ctx, (layers + 1) * T, sizeof *queue);
  int rc = R && P && flow && from && queue ? LIMN_OK : LIMN_ENOMEM;
  if (!rc) {
    residual_attention(att, layers, H, T, R);
    if (o->method == LIMN_METHOD_ATTENTION_ROLLOUT) { /* row 0 of R_L ... R_1 */
      double *v = P, *nv = P + T;
      for (size_t j = 0; j < T; j++)
        v[j] = j == 0;
      for (size_t l = layers; l-- > 0;) {
        for (size_t j = 0; j < T; j++)
          nv[j] = 0;
        for (size_t i = 0; i < T; i++)
          for (size_t j = 0; j < T && v[i] != 0; j++)
            nv[j] += v[i] * R[(l * T + i) * T + j];
        memcpy(v, nv, T * sizeof *v);
      }
      for (size_t j = 0; j < T; j++)
        e->attr[j] = v[j];
    } else {
      for (size_t j = 0; j < T; j++)
        e->attr[j] = max_flow(R, layers, T, j, flow, from, queue);
    }
  }
  limn__free(ctx, att), limn__free(ctx, R), limn__free(ctx, P), limn__free(ctx, flow), limn__free(ctx, from);
  limn__free(ctx, queue);
  return rc;
}

int limn_explain_text(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                      const limn_text_opts *opts, limn_explanation **out) {
  if (!ctx || !out)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_explain_text: out is NULL") : LIMN_EINVAL;
  *out = NULL;
  limn_text_opts def = limn_text_opts_default();
  const limn_text_opts *o = opts ? opts : &def;
  if (!m || !limn_model_is_text(m))
    return limn__err(ctx, LIMN_EINVAL, "limn_explain_text: %s",
                     m ? "not a text model (limn_model_load_onnx_text)" : "no model");
  if (!x && n)
    return limn__err(ctx, LIMN_EINVAL, "limn_explain_text: no rows");
  limn_method me = o->method;
  if (!limn_text_method_supported(me))
    return limn__err(ctx, LIMN_EINVAL, "text: method '%s' does not explain texts (" LIMN_TEXT_METHODS " do)",
                     limn_method_name(me) ? limn_method_name(me) : "?");
  if (me == LIMN_METHOD_LIME_TEXT && o->num_samples < 2)
    return limn__err(ctx, LIMN_EINVAL, "lime-text: num_samples must be at least 2");
  if (me == LIMN_METHOD_IG && o->steps < 1)
    return limn__err(ctx, LIMN_EINVAL, "ig: steps must be at least 1");
  size_t *target = limn__alloc_array(ctx, n ? n : 1, sizeof *target);
  limn_explanation *ex = NULL;
  int rc = target ? LIMN_OK : LIMN_ENOMEM;
  if (!rc)
    rc = limn__pick_targets(ctx, m, x, n, o->target, o->targets, target);
  if (!rc)
    rc = limn__explanations_alloc(ctx, n, m->nfeatures, m->nslots, &ex);
  for (size_t i = 0; i < n && !rc; i++) {
    limn_explanation *e = &ex[i];
    const float *row = x + i * m->nfeatures;
    e->row = i, e->method = me, e->space = me == LIMN_METHOD_LIME_TEXT ? LIMN_SPACE_OUTPUT : o->space;
    e->target = target[i];
    uint64_t id = o->row_ids ? o->row_ids[i] : i;
    if (me == LIMN_METHOD_IG || me == LIMN_METHOD_GRADXINPUT || me == LIMN_METHOD_SALIENCY)
      rc = gradient_row(ctx, m, row, target[i], o, e);
    else if (me == LIMN_METHOD_OCCLUSION)
      rc = occlusion_row(ctx, m, row, target[i], o, e);
    else if (me == LIMN_METHOD_LIME_TEXT)
      rc = lime_row(ctx, m, row, target[i], id, o, e);
    else
      rc = attention_row(ctx, m, row, o, e);
    if (!rc && (me == LIMN_METHOD_ATTENTION_ROLLOUT || me == LIMN_METHOD_ATTENTION_FLOW)) {
      float *p = limn__alloc_array(ctx, m->noutputs, sizeof *p);
      rc = p ? limn_model_forward(ctx, m, row, 1, o->space, p) : LIMN_ENOMEM;
      if (!rc)
        e->output = p[target[i]];
      limn__free(ctx, p);
    }
    if (rc && rc != LIMN_ENOMEM && rc != LIMN_ECANCELED)
      rc = limn__err_prefix(ctx, rc, "row %zu", i);
    limn__progress(ctx, limn_method_name(me), i + 1, n);
  }
  if (!rc)
    rc = limn__explanations_finite(ctx, ex, n);
  limn__free(ctx, target);
  if (rc) {
    limn_explanations_free(ctx, ex, n);
    return rc;
  }
  *out = ex;
  return LIMN_OK;
}

int limn_text_deletion(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                       const limn_explanation *ex, size_t kmax, int first_is_cls, int random_order,
                       uint64_t seed, const size_t *row_ids, double *curves, double *aopc) {
  if (!ctx || !m || !limn_model_is_text(m) || (!x && n) || (!ex && n) || !curves || !aopc)
    return ctx ? limn__err(ctx, LIMN_EINVAL,
                           "limn_text_deletion: a text model, rows, explanations and outputs are needed")
               : LIMN_EINVAL;
  size_t w = m->nfeatures, first = first_is_cls ? 1 : 0;
  float *rows = limn__alloc_array(ctx, kmax + 1, w * sizeof *rows);
  float *buf = limn__alloc_array(ctx, BATCH, m->noutputs * sizeof *buf);
  size_t *order = limn__alloc_array(ctx, w, sizeof *order);
  unsigned char *drop = limn__alloc_array(ctx, w, 1);
  int rc = rows && buf && order && drop ? LIMN_OK : LIMN_ENOMEM;
  float pad = (float)limn__onnx_text_pad(m);
  for (size_t i = 0; i < n && !rc; i++) {
    const float *row = x + i * w;
    const double *a = ex[i].attr;
    size_t L = limn_model_text_length(m, row), words = L > first ? L - first : 0,
           K = kmax < words ? kmax : words;
    for (size_t q = 0; q < words; q++)
      order[q] = first + q;
    if (random_order) {
      limn_rng g;
      limn_rng_init(&g, seed, row_ids ? row_ids[i] : i);
      for (size_t q = 0; q + 1 < words; q++) {
        size_t r = q + (size_t)limn_rng_below(&g, words - q), t = order[q];
        order[q] = order[r], order[r] = t;
      }
    } else { /* by attribution, highest first; the earlier position on ties (insertion sort: stable) */
      for (size_t q = 1; q < words; q++) {
        size_t v = order[q], r = q;
        while (r > 0 && a[order[r - 1]] < a[v])
          order[r] = order[r - 1], r--;
        order[r] = v;
      }
    }
    memset(drop, 0, w);
    for (size_t k = 0; k <= K; k++) {
      if (k > 0)
        drop[order[k - 1]] = 1;
      delete_tokens(row, L, w, drop, pad, rows + k * w);
    }
    double *c = curves + i * (kmax + 1);
    rc = outputs(ctx, m, rows, K + 1, ex[i].target, ex[i].space, c, buf);
    for (size_t k = K + 1; k <= kmax && !rc; k++)
      c[k] = c[K];
    double s = 0;
    for (size_t k = 1; k <= K; k++)
      s += c[0] - c[k];
    aopc[i] = K ? s / (double)K : 0.0;
  }
  limn__free(ctx, rows), limn__free(ctx, buf), limn__free(ctx, order), limn__free(ctx, drop);
  return rc;
}

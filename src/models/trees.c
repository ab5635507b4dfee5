/* Tree ensembles: XGBoost's JSON model files (Booster.save_model("m.json"), format of
 * XGBoost 1.x-2.x) and the limn-trees JSON that tools/export_sklearn_trees.py writes for
 * scikit-learn's trees and ensembles (docs/format.md). Trees are kept as flat node
 * arrays and evaluated as their library does: a missing value (NaN) goes the node's
 * default direction; XGBoost sends x left when x < threshold (both float32) and sums the
 * leaves in float; scikit-learn when x <= threshold (a double) and sums in double; an
 * XGBoost categorical split sends x right when it is one of the node's categories.
 * JSON is parsed by cJSON (Debian's libcjson); XGBoost's bare NaN / Infinity tokens are
 * rewritten to null / 1e999 first. */
#include "model_internal.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#define TREES_MAX_NODES ((size_t)1 << 24) /* all trees together */
#define TREES_MAX_CAT 65536               /* largest category code of a partition split */
#define TREES_MAX_DEPTH 2048              /* levels of a tree */

/* How raw outputs (margins) become the model's outputs. */
typedef enum tree_tf {
  TF_IDENTITY, /* regression values, or a forest's class probabilities */
  TF_LOGISTIC, /* sigma(margin): reg:logistic; with two classes P(1) of a binary classifier */
  TF_SOFTMAX   /* softmax over the outputs */
} tree_tf;

static const struct {
  const char *name;
  tree_tf tf;
  int cls, base_prob; /* a classifier; base_score stored as a probability */
} objectives[] = {{"binary:logistic", TF_LOGISTIC, 1, 1},  {"binary:logitraw", TF_LOGISTIC, 1, 0},
                  {"reg:squarederror", TF_IDENTITY, 0, 0}, {"reg:linear", TF_IDENTITY, 0, 0},
                  {"reg:logistic", TF_LOGISTIC, 0, 1},     {"multi:softprob", TF_SOFTMAX, 1, 0},
                  {"multi:softmax", TF_SOFTMAX, 1, 0}};

typedef struct tnode {
  int32_t left, right; /* -1 at a leaf */
  uint32_t feature;
  uint32_t cat;    /* a categorical split: its category set is bits[cat - 1 ..]; 0: numerical */
  uint32_t ncat;   /* words of that set */
  uint8_t missing; /* where NaN goes: 1 left, 0 right, 2 nowhere (the model refuses NaN) */
  double thr;      /* threshold (XGBoost's: a float) */
  double cover;    /* XGBoost's sum_hessian, scikit-learn's weighted samples; NaN when unknown */
} tnode;

/* The node as prediction reads it (16 bytes): x goes left when x <= thr, thr the largest
 * float that does (for a float x, x <= t and x < t in double both come down to a float
 * comparison with a rounded threshold). */
typedef struct pnode {
  float thr;
  uint32_t feat; /* the feature | PN_LEFT (NaN goes left) | PN_CAT (a categorical split) */
  int32_t left, right;
} pnode;
#define PN_FEATURE 0x3fffffffu
#define PN_LEFT 0x40000000u
#define PN_CAT 0x80000000u

typedef struct limn__trees {
  size_t ntrees, nout; /* raw outputs (XGBoost's output groups) */
  size_t L;            /* leaf values per leaf: 1 (each tree adds to its output, group[t]) or nout */
  size_t *start;       /* (ntrees + 1) each tree's nodes in nodes[start[t]..start[t + 1]) */
  size_t *group;       /* (ntrees) each tree's output when L == 1 */
  double *weight;      /* (ntrees) each tree's weight (dart's weight_drop, the file's tree_weight) */
  tnode *nodes;
  pnode *pn;      /* (nodes) the same for prediction */
  double *leaf;   /* (nodes x L) leaf values (0 at splits) */
  uint32_t *bits; /* categorical splits' category sets */
  size_t nbits;
  double *base; /* (nout) base margins */
  tree_tf tf;
  int two;        /* a binary classifier from one margin: outputs P(0), P(1) */
  int probs;      /* the raw outputs are class probabilities (forests) */
  int le;         /* x <= threshold goes left (scikit-learn); else x < threshold (XGBoost) */
  int fsum;       /* leaves summed in float (XGBoost) */
  double *mean;   /* (nodes x L) cover-weighted mean leaf value under each node, or NULL without covers */
  double *share;  /* (nodes, 2) each split's children's shares of its cover (0 when it has none), or NULL */
  double *qt;     /* Gauss-Legendre on [0, 1] with Q = 1..(depth + 1) / 2 nodes: at Q(Q - 1), Q nodes then
                     Q weights */
  size_t depth;   /* the deepest leaf's depth */
  char what[160]; /* for limn info: the objective and booster, or the estimator and its producer */
} limn__trees;

static void trees_destroy(limn_model *m) {
  limn__trees *t = m->impl;
  if (!t)
    return;
  limn__free(m->ctx, t->start), limn__free(m->ctx, t->group), limn__free(m->ctx, t->weight);
  limn__free(m->ctx, t->nodes), limn__free(m->ctx, t->leaf), limn__free(m->ctx, t->bits);
  limn__free(m->ctx, t->pn), limn__free(m->ctx, t->share);
  limn__free(m->ctx, t->base), limn__free(m->ctx, t->mean), limn__free(m->ctx, t->qt);
  limn__free(m->ctx, t);
}

/* 1 when code v is in categorical split n's set (a negative or fractional code never is). */
static inline int in_set(const limn__trees *t, const tnode *n, float v) {
  const uint32_t *b = t->bits + n->cat - 1;
  return v >= 0 && v < 32.0f * (float)n->ncat && v == floorf(v) &&
         (b[(size_t)v / 32] >> ((size_t)v % 32) & 1);
}

/* The child x takes at split q (an index into all trees' nodes; x its row), on the
 * compact nodes: a missing value the default way, a categorical split right when the code
 * is in its set, any other one float comparison. */
static inline size_t step(const limn__trees *t, size_t q, const float *x) {
  const pnode *p = &t->pn[q];
  uint32_t fl = p->feat;
  float v = x[fl & PN_FEATURE];
  int left = isnan(v) ? (fl & PN_LEFT) != 0 : fl & PN_CAT ? !in_set(t, &t->nodes[q], v) : v <= p->thr;
  return (size_t)(left ? p->left : p->right);
}

/* The leaf row x reaches in tree k (its index within the tree). */
static inline size_t leaf_of(const limn__trees *t, size_t k, const float *x) {
  const pnode *pn = t->pn + t->start[k];
  size_t i = 0;
  while (pn[i].left >= 0)
    i = step(t, t->start[k] + i, x);
  return i;
}

/* The raw outputs of rows x[0..nr) (row stride d) into mg (nr, nout): base + the weighted
 * leaves the rows reach, summed in tree order (in float as XGBoost's predictor, else in
 * double), tree by tree over the block so each tree's nodes stay in cache. */
static void block_margins(const limn__trees *t, const float *x, size_t nr, size_t d, double *mg) {
  for (size_t i = 0; i < nr; i++)
    for (size_t g = 0; g < t->nout; g++)
      mg[i * t->nout + g] = t->base[g];
  for (size_t k = 0; k < t->ntrees; k++) {
    size_t g = t->group[k];
    double w = t->weight[k];
    for (size_t i = 0; i < nr; i++) {
      const double *lv = t->leaf + (t->start[k] + leaf_of(t, k, x + i * d)) * t->L;
      double *m = mg + i * t->nout;
      if (t->L > 1)
        for (size_t c = 0; c < t->nout; c++)
          m[c] += w * lv[c];
      else if (t->fsum)
        m[g] = (double)((float)m[g] + (float)w * (float)lv[0]);
      else
        m[g] += w * lv[0];
    }
  }
}

/* The raw outputs of one row x. */
static void margins(const limn__trees *t, const float *x, double *mg) { block_margins(t, x, 1, 0, mg); }

static double sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

typedef struct fwd_arg {
  const limn_model *m;
  const float *x;
  size_t n;
  limn_space sp;
  float *out;
} fwd_arg;

#define TREES_CHUNK 64

static int fwd_item(void *arg, size_t c, void *scratch) {
  const fwd_arg *a = arg;
  const limn_model *m = a->m;
  const limn__trees *t = m->impl;
  double *block = scratch;
  float *fo = (float *)(block + TREES_CHUNK * t->nout);
  size_t d = m->nfeatures, k = m->noutputs, i0 = c * TREES_CHUNK;
  size_t nr = a->n - i0 < TREES_CHUNK ? a->n - i0 : TREES_CHUNK;
  int logit = a->sp == LIMN_SPACE_LOGIT;
  block_margins(t, a->x + i0 * d, nr, d, block);
  for (size_t i = 0; i < nr; i++) {
    float *o = a->out + (i0 + i) * k;
    const double *mg = block + i * t->nout;
    if (t->two) { /* two classes: P(0), P(1); logit space: 0 and the margin */
      o[0] = logit ? 0.0f : (float)(1.0 - sigmoid(mg[0]));
      o[1] = logit ? (float)mg[0] : (float)sigmoid(mg[0]);
    } else if (t->tf == TF_LOGISTIC) {
      o[0] = (float)(logit ? mg[0] : sigmoid(mg[0]));
    } else if (t->tf == TF_SOFTMAX) {
      for (size_t g = 0; g < k; g++)
        fo[g] = (float)mg[g];
      if (logit)
        memcpy(o, fo, k * sizeof *o);
      else
        limn__softmax(fo, k, o);
    } else {
      for (size_t g = 0; g < k; g++) /* a forest's probabilities in logit space: their logs */
        o[g] = (float)(logit && t->probs ? log(fmax(mg[g], 1e-30)) : mg[g]);
    }
  }
  return 0;
}

static int trees_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                         float *out) {
  const limn__trees *t = m->impl;
  fwd_arg a = {m, x, n, sp, out};
  int rc = limn__parallel_for(ctx, (n + TREES_CHUNK - 1) / TREES_CHUNK,
                              t->nout * (TREES_CHUNK * sizeof(double) + sizeof(float)), fwd_item, &a);
  return rc == LIMN_ENOMEM ? rc : LIMN_OK;
}

static const limn__model_vt trees_vt = {trees_forward, NULL, trees_destroy, NULL, NULL, NULL, NULL};

static const limn__trees *trees_of(const limn_model *m) { return m && m->vt == &trees_vt ? m->impl : NULL; }

int limn_model_is_trees(const limn_model *m) { return trees_of(m) != NULL; }

void limn__trees_describe(const limn_model *m, FILE *f) {
  const limn__trees *t = trees_of(m);
  size_t splits = 0, cats = 0, total = t->start[t->ntrees];
  for (size_t q = 0; q < total; q++)
    splits += t->nodes[q].left >= 0, cats += t->nodes[q].left >= 0 && t->nodes[q].cat;
  fprintf(f, "model:       %s\n", t->what);
  fprintf(f,
          "trees:       %zu adding to %zu raw output%s, %zu splits (%zu categorical), deepest leaf at depth "
          "%zu\n",
          t->ntrees, t->nout, t->nout == 1 ? "" : "s", splits, cats, t->depth);
  fprintf(f, "splits:      x %s threshold goes left; missing values %s; TreeSHAP %s\n", t->le ? "<=" : "<",
          m->missing_ok ? "go each split's default way" : "refused",
          t->mean ? "path-dependent and interventional" : "interventional only (no covers in the file)");
}

int limn__trees_raw(const limn_model *m, size_t target, size_t *raw, double *sign) {
  const limn__trees *t = trees_of(m);
  if (!t)
    return 0;
  *raw = t->two ? 0 : target;
  *sign = t->two && target == 0 ? -1 : 1;
  return 1 | (t->probs || t->tf == TF_IDENTITY ? 2 : 0) | (!t->probs ? 4 : 0);
}

/* ---- path-dependent TreeSHAP ----
 *
 * A leaf of value v whose path splits on k distinct features, feature u with zero
 * fraction z_u (the product of the cover ratios of its splits on the path) and one
 * fraction o_u (1 when x takes every one of them, else 0), gives feature i
 *   v (o_i - z_i) sum_S |S|! (k - 1 - |S|)! / k!  prod_{j in S} o_j prod_{j not in S, j != i} z_j
 * (Lundberg, Erion & Lee 2018). With the Beta integral for the weights this is
 *   v (o_i - z_i) int_0^1 prod_{j != i} (z_j + (o_j - z_j) t) dt,
 * a polynomial of degree k - 1 in t, which Gauss-Legendre with ceil(k / 2) nodes on
 * [0, 1] integrates exactly (the quadrature form of GPUTreeShap and XGBoost >= 3.3 with
 * the node count chosen per leaf, so there is no approximation error). Each leaf costs
 * O(k ceil(k / 2)) multiplications and no division, instead of Algorithm 2's O(depth^2)
 * divisions. Interaction values condition on one feature cf: present (x's branch only)
 * or absent (both branches by cover), never a player. */

typedef struct qwalk {
  const limn__trees *t;
  const tnode *nd;
  const double *lv; /* leaf value of node j: lv[j * ls] */
  size_t ls;
  const double *zr; /* (nodes, 2) cover shares of a split's left and right child */
  const float *x;
  double *phi;
  double scale; /* the tree's weight */
  int cond;     /* interaction values: feature cf always present (1) or absent (-1); 0 none */
  uint32_t cf;
  double *fz, *fo;   /* (depth) the fractions of the features on the path, in order */
  unsigned char *on; /* (nfeatures) on the path */
  uint32_t *pos;     /* (nfeatures) a feature's place on the path, when on it */
  uint32_t *uf;      /* the features on the path, in order */
  size_t nu;
  double *a, *p, *acc; /* (depth) a leaf's scratch */
} qwalk;

static void qleaf(qwalk *w, double v) {
  size_t k = w->nu;
  if (k == 0 || v == 0)
    return;
  if (k <= 2) { /* int_0^1 1 dt = 1; int_0^1 (z + (o - z) t) dt = (z + o) / 2 */
    double d0 = w->fo[0] - w->fz[0];
    if (k == 1) {
      w->phi[w->uf[0]] += v * d0;
      return;
    }
    double d1 = w->fo[1] - w->fz[1];
    w->phi[w->uf[0]] += v * d0 * 0.5 * (w->fz[1] + w->fo[1]);
    w->phi[w->uf[1]] += v * d1 * 0.5 * (w->fz[0] + w->fo[0]);
    return;
  }
  size_t Q = (k + 1) / 2;
  const double *qt = w->t->qt + Q * (Q - 1), *qw = qt + Q;
  if (k <= 16) { /* the nodes side by side: Q independent product chains */
    double pre[8], suf[8], pb[16 * 8];
    for (size_t q = 0; q < Q; q++)
      pre[q] = 1, suf[q] = qw[q];
    for (size_t u = 0; u < k; u++) {
      double z = w->fz[u], dz = w->fo[u] - z;
      for (size_t q = 0; q < Q; q++)
        pb[u * 8 + q] = pre[q], pre[q] *= z + dz * qt[q];
    }
    for (size_t u = k; u-- > 0;) {
      double z = w->fz[u], dz = w->fo[u] - z, acc = 0;
      for (size_t q = 0; q < Q; q++)
        acc += pb[u * 8 + q] * suf[q], suf[q] *= z + dz * qt[q];
      w->phi[w->uf[u]] += v * dz * acc;
    }
    return;
  }
  for (size_t u = 0; u < k; u++)
    w->acc[u] = 0;
  for (size_t q = 0; q < Q; q++) {
    double tq = qt[q], pre = 1, suf = qw[q];
    for (size_t u = 0; u < k; u++) {
      w->a[u] = w->fz[u] + (w->fo[u] - w->fz[u]) * tq;
      w->p[u] = pre;
      pre *= w->a[u];
    }
    for (size_t u = k; u-- > 0;) {
      w->acc[u] += w->p[u] * suf;
      suf *= w->a[u];
    }
  }
  for (size_t u = 0; u < k; u++)
    w->phi[w->uf[u]] += v * (w->fo[u] - w->fz[u]) * w->acc[u];
}

static void qrec(qwalk *w, size_t j, double cfrac) {
  const tnode *n = &w->nd[j];
  if (n->left < 0) {
    qleaf(w, w->scale * w->lv[j * w->ls] * cfrac);
    return;
  }
  uint32_t f = n->feature;
  size_t hot = step(w->t, (size_t)(n - w->t->nodes), w->x);
  size_t cold = hot == (size_t)n->left ? (size_t)n->right : (size_t)n->left;
  const double *zr = w->zr + 2 * j; /* the children's shares of the node's cover */
  int hl = hot == (size_t)n->left;
  double zh = zr[!hl], zc = zr[hl];
  if (w->cond && f == w->cf) { /* the condition's feature: not a player */
    if (w->cond > 0) {
      qrec(w, hot, cfrac);
    } else {
      if (zh > 0)
        qrec(w, hot, cfrac * zh);
      if (zc > 0)
        qrec(w, cold, cfrac * zc);
    }
    return;
  }
  int fresh = !w->on[f];
  if (fresh)
    w->on[f] = 1, w->pos[f] = (uint32_t)w->nu, w->uf[w->nu] = f, w->fz[w->nu] = w->fo[w->nu] = 1, w->nu++;
  size_t u = w->pos[f];
  double z0 = w->fz[u], o0 = w->fo[u];
  w->fz[u] = z0 * zh, w->fo[u] = o0;
  qrec(w, hot, cfrac);
  w->fz[u] = z0 * zc, w->fo[u] = 0;
  qrec(w, cold, cfrac);
  if (fresh)
    w->on[f] = 0, w->nu--;
  else
    w->fz[u] = z0, w->fo[u] = o0;
}

/* Tree k's walk for row x and raw output g (0 when the tree does not add to it). */
static int walk_of(const limn__trees *t, size_t k, size_t g, const float *x, double *phi, qwalk *w) {
  if (t->L == 1 && t->group[k] != g)
    return 0;
  w->t = t, w->nd = t->nodes + t->start[k], w->lv = t->leaf + t->start[k] * t->L + (t->L > 1 ? g : 0);
  w->zr = t->share + 2 * t->start[k];
  w->ls = t->L, w->x = x, w->phi = phi, w->scale = t->weight[k], w->cond = 0, w->cf = 0, w->nu = 0;
  return 1;
}

/* The cover-weighted mean output of tree k, output g (its share of the bias). */
static double tree_mean(const limn__trees *t, size_t k, size_t g) {
  return t->mean[t->start[k] * t->L + (t->L > 1 ? g : 0)];
}

/* ---- interventional TreeSHAP (Lundberg et al. 2020) ---- */

/* One tree, row x against background row b: players taken from x (state 1) or from b
 * (state 2), each on the stack once. */
typedef struct iv_walk {
  const limn__trees *t;
  const tnode *nd;
  const double *lv;
  size_t ls;
  const float *x, *b;
  const size_t *player; /* each column's player, or NULL: each column alone */
  unsigned char *st;
  size_t *stack, sp;
  double *phi, scale;
  const double *wt; /* wt[a * W + c]: (a - 1)! c! / (a + c)!, the Shapley weight of a player of A */
  size_t W;
} iv_walk;

static void iv_recurse(iv_walk *w, size_t j, size_t a, size_t c) {
  const tnode *n = &w->nd[j];
  if (n->left < 0) {
    double v = w->scale * w->lv[j * w->ls];
    if (a + c == 0 || v == 0)
      return;
    double pos = a ? v * w->wt[a * w->W + c] : 0, neg = c ? v * w->wt[c * w->W + a] : 0;
    for (size_t s = 0; s < w->sp; s++)
      w->phi[w->stack[s]] += w->st[w->stack[s]] == 1 ? pos : -neg;
    return;
  }
  size_t p = w->player ? w->player[n->feature] : n->feature;
  if (w->st[p] == 1) {
    iv_recurse(w, step(w->t, (size_t)(n - w->t->nodes), w->x), a, c);
  } else if (w->st[p] == 2) {
    iv_recurse(w, step(w->t, (size_t)(n - w->t->nodes), w->b), a, c);
  } else {
    size_t q = (size_t)(n - w->t->nodes), cx = step(w->t, q, w->x), cb = step(w->t, q, w->b);
    if (cx == cb) {
      iv_recurse(w, cx, a, c);
      return;
    }
    w->stack[w->sp++] = p;
    w->st[p] = 1;
    iv_recurse(w, cx, a + 1, c);
    w->st[p] = 2;
    iv_recurse(w, cb, a, c + 1);
    w->st[p] = 0;
    w->sp--;
  }
}

/* ---- the batch: rows in parallel, each alone ---- */

typedef struct tshap_arg {
  const limn_model *m;
  const limn__trees *t;
  const float *x;
  size_t n;
  const size_t *raw;
  const limn__tree_game *g;
  double *phi, *bias, *margin;
  size_t P; /* players */
  const double *wt;
  size_t W;
  double *inter;  /* interactions: (n, d + 1, d + 1), or NULL */
  double *bgbase; /* interventional: (nout) the background's mean raw outputs */
} tshap_arg;

/* Per-thread scratch. */
typedef struct tshap_scratch {
  double *col, *on, *off, *mg, *fz, *fo, *a, *p, *acc;
  size_t *stack, *feats;
  uint32_t *uf, *pos;
  unsigned char *st, *used, *inpath;
} tshap_scratch;

static size_t scratch_size(const tshap_arg *a) {
  size_t d = a->m->nfeatures, D = a->t->depth + 2;
  return (3 * d + a->t->nout + 5 * D) * sizeof(double) + (D + d) * sizeof(size_t) +
         (D + d) * sizeof(uint32_t) + a->P + 2 * d + 64;
}

static tshap_scratch carve(const tshap_arg *a, void *mem) {
  size_t d = a->m->nfeatures, D = a->t->depth + 2;
  tshap_scratch s;
  s.col = mem, s.on = s.col + d, s.off = s.on + d, s.fz = s.off + d, s.fo = s.fz + D, s.a = s.fo + D;
  s.p = s.a + D, s.acc = s.p + D, s.mg = s.acc + D;
  s.stack = (size_t *)(s.mg + a->t->nout), s.feats = s.stack + D;
  s.uf = (uint32_t *)(s.feats + d), s.pos = s.uf + D;
  s.st = (unsigned char *)(s.pos + d), s.used = s.st + a->P, s.inpath = s.used + d;
  return s;
}

static void qwalk_scratch(qwalk *w, tshap_scratch *s) {
  w->fz = s->fz, w->fo = s->fo, w->on = s->inpath, w->uf = s->uf, w->pos = s->pos, w->a = s->a, w->p = s->p;
  w->acc = s->acc;
}

/* Row i's interaction values for raw output g into a->inter (d + 1)^2, the bias last. */
static void row_interactions(const tshap_arg *a, tshap_scratch *s, size_t i, size_t g, const float *x) {
  const limn__trees *t = a->t;
  size_t d = a->m->nfeatures, D = d + 1;
  double *I = a->inter + i * D * D;
  memset(I, 0, D * D * sizeof *I);
  for (size_t k = 0; k < t->ntrees; k++) {
    qwalk w;
    if (!walk_of(t, k, g, x, s->on, &w))
      continue;
    qwalk_scratch(&w, s);
    /* the features this tree splits on */
    const tnode *nd = w.nd;
    size_t nn = t->start[k + 1] - t->start[k], U = 0;
    for (size_t q = 0; q < nn; q++)
      if (nd[q].left >= 0 && !s->used[nd[q].feature])
        s->used[nd[q].feature] = 1, s->feats[U++] = nd[q].feature;
    for (size_t u = 0; u < U; u++) {
      size_t f = s->feats[u];
      for (size_t v = 0; v < U; v++)
        s->on[s->feats[v]] = s->off[s->feats[v]] = 0;
      w.cond = 1, w.cf = (uint32_t)f, w.phi = s->on, w.nu = 0;
      qrec(&w, 0, 1);
      w.cond = -1, w.phi = s->off, w.nu = 0;
      qrec(&w, 0, 1);
      for (size_t v = 0; v < U; v++) {
        size_t j = s->feats[v];
        I[f * D + j] += (s->on[j] - s->off[j]) / 2;
      }
    }
    for (size_t u = 0; u < U; u++)
      s->used[s->feats[u]] = 0;
  }
  /* the diagonal: each feature's value less what it shares */
  const double *phi = a->phi + i * d;
  for (size_t f = 0; f < d; f++) {
    double shared = 0;
    for (size_t j = 0; j < d; j++)
      shared += j == f ? 0 : I[f * D + j];
    I[f * D + f] = phi[f] - shared;
  }
  I[d * D + d] = a->bias[i];
}

static int tshap_item(void *arg, size_t i, void *mem) {
  const tshap_arg *a = arg;
  const limn__trees *t = a->t;
  const limn__tree_game *gm = a->g;
  size_t d = a->m->nfeatures, P = a->P, g = a->raw[i];
  const float *x = a->x + i * d;
  tshap_scratch s = carve(a, mem);
  double *phi = a->phi + i * P;
  memset(phi, 0, P * sizeof *phi);
  memset(s.inpath, 0, d), memset(s.used, 0, d);
  if (!gm->interventional) {
    double bias = t->base[g];
    memset(s.col, 0, d * sizeof *s.col);
    for (size_t k = 0; k < t->ntrees; k++) {
      qwalk w;
      if (!walk_of(t, k, g, x, s.col, &w))
        continue;
      qwalk_scratch(&w, &s);
      bias += w.scale * tree_mean(t, k, g);
      qrec(&w, 0, 1);
    }
    for (size_t j = 0; j < d; j++) /* path-dependent with groups: the sums of the columns' values */
      phi[gm->player ? gm->player[j] : j] += s.col[j];
    a->bias[i] = bias;
  } else {
    memset(s.st, 0, P);
    for (size_t r = 0; r < gm->nbg; r++) {
      const float *b = gm->bg + r * d;
      for (size_t k = 0; k < t->ntrees; k++) {
        if (t->L == 1 && t->group[k] != g)
          continue;
        iv_walk w = {t,
                     t->nodes + t->start[k],
                     t->leaf + t->start[k] * t->L + (t->L > 1 ? g : 0),
                     t->L,
                     x,
                     b,
                     gm->player,
                     s.st,
                     s.stack,
                     0,
                     phi,
                     t->weight[k] / (double)gm->nbg,
                     a->wt,
                     a->W};
        iv_recurse(&w, 0, 0, 0);
      }
    }
    a->bias[i] = a->bgbase[g];
  }
  margins(t, x, s.mg);
  a->margin[i] = s.mg[g];
  if (a->inter)
    row_interactions(a, &s, i, g, x);
  return 0;
}

int limn__trees_shap(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const size_t *raw,
                     const limn__tree_game *g, double *phi, double *bias, double *margin, double *inter) {
  const limn__trees *t = trees_of(m);
  if (!t)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "TreeSHAP needs a tree model");
  if (!g->interventional && !t->mean)
    return limn__err(ctx, LIMN_EUNSUPPORTED,
                     "path-dependent TreeSHAP needs each node's cover (XGBoost's sum_hessian), which this "
                     "model file lacks: give a background for interventional TreeSHAP");
  if (g->interventional && (!g->bg || !g->nbg))
    return limn__err(ctx, LIMN_EINVAL, "interventional TreeSHAP needs background rows");
  if (inter && (g->interventional || g->player))
    return limn__err(ctx, LIMN_EUNSUPPORTED,
                     "interaction values are those of the path-dependent game, per column (no background, "
                     "no groups)");
  for (size_t i = 0; i < n; i++)
    if (raw[i] >= t->nout)
      return limn__err(ctx, LIMN_EINVAL, "TreeSHAP: output %zu of %zu", raw[i], t->nout);
  size_t W = t->depth + 2;
  tshap_arg a = {m,    t, x,     n,   raw, g, phi, bias, margin, g->player ? g->nplayers : m->nfeatures,
                 NULL, W, inter, NULL};
  double *wt = NULL, *bgm = NULL;
  if (g->interventional) { /* (a - 1)! c! / (a + c)! = 1 / (a C(a + c, a)) */
    wt = limn__alloc_array(ctx, W * W, sizeof *wt);
    bgm = limn__alloc_array(ctx, g->nbg + 1, t->nout * sizeof *bgm);
    if (!wt || !bgm) {
      limn__free(ctx, wt), limn__free(ctx, bgm);
      return LIMN_ENOMEM;
    }
    /* v(empty): the background's mean raw outputs, once for every row */
    double *sum = bgm + g->nbg * t->nout;
    block_margins(t, g->bg, g->nbg, m->nfeatures, bgm);
    for (size_t o = 0; o < t->nout; o++) {
      sum[o] = 0;
      for (size_t r = 0; r < g->nbg; r++)
        sum[o] += bgm[r * t->nout + o];
      sum[o] /= (double)g->nbg;
    }
    a.bgbase = sum;
    for (size_t p = 1; p < W; p++)
      for (size_t c = 0; p + c < W; c++) {
        double binom = 1;
        for (size_t q = 1; q <= c; q++)
          binom = binom * (double)(p + q) / (double)q;
        wt[p * W + c] = 1 / ((double)p * binom);
      }
    a.wt = wt;
  }
  int rc = limn__parallel_for(ctx, n, scratch_size(&a), tshap_item, &a);
  limn__free(ctx, wt), limn__free(ctx, bgm);
  return rc;
}

/* ---- reading ---- */

int limn_model_is_xgboost_json(const void *buf, size_t len) {
  const unsigned char *p = buf;
  size_t i = 0;
  while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
    i++;
  return i < len && p[i] == '{';
}
/* XGBoost's bare tokens outside strings: NaN -> null, Infinity -> 1e999 (strtod: inf).
 * The copy is NUL-terminated. */
static char *plain_json(limn_ctx *ctx, const char *s, size_t len, size_t *olen) {
  char *o = limn__alloc_array(ctx, 2 * len + 1, 1);
  size_t j = 0;
  int str = 0;
  if (!o)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    if (str) {
      o[j++] = s[i];
      if (s[i] == '\\' && i + 1 < len)
        o[j++] = s[++i];
      else if (s[i] == '"')
        str = 0;
    } else if (s[i] == '"') {
      o[j++] = s[i], str = 1;
    } else if (len - i >= 3 && !memcmp(s + i, "NaN", 3)) {
      memcpy(o + j, "null", 4), j += 4, i += 2;
    } else if (len - i >= 8 && !memcmp(s + i, "Infinity", 8)) {
      memcpy(o + j, "1e999", 5), j += 5, i += 7;
    } else {
      o[j++] = s[i];
    }
  }
  o[j] = 0;
  *olen = j;
  return o;
}

typedef struct xrd {
  limn_ctx *ctx;
  const char *name;
} xrd;

static const cJSON *member(const cJSON *o, const char *key) {
  return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* A string holding a whole number (XGBoost writes "30"), or a number. */
static int get_count(const xrd *r, const cJSON *o, const char *key, size_t max, size_t *out) {
  const cJSON *v = member(o, key);
  char *end = NULL;
  double x = cJSON_IsString(v) ? strtod(v->valuestring, &end) : cJSON_IsNumber(v) ? v->valuedouble : NAN;
  if ((end && *end) || !(x >= 0 && x <= (double)max) || x != floor(x))
    return limn__err(r->ctx, LIMN_EFORMAT, "%s: '%s' is missing or not a count up to %zu", r->name, key, max);
  *out = (size_t)x;
  return LIMN_OK;
}

/* Tree t's array `key`, which must hold n entries; NULL (with the error set) otherwise. */
static const cJSON *tree_array(const xrd *r, const cJSON *tree, size_t t, const char *key, size_t n) {
  const cJSON *a = member(tree, key);
  if (cJSON_IsArray(a) && (size_t)cJSON_GetArraySize(a) == n)
    return a;
  limn__err(r->ctx, LIMN_EFORMAT, "%s: tree %zu: '%s' is not an array of %zu numbers", r->name, t, key, n);
  return NULL;
}

/* Array `key` of exactly n numbers (null allowed when nulls: read as NaN) into out; in
 * float when fl (XGBoost's numbers are float32). */
static int get_nums(const xrd *r, const cJSON *tree, size_t t, const char *key, size_t n, int nulls, int fl,
                    double *out) {
  const cJSON *a = tree_array(r, tree, t, key, n), *v;
  size_t i = 0;
  if (!a)
    return LIMN_EFORMAT;
  cJSON_ArrayForEach(v, a) {
    if (cJSON_IsNumber(v))
      out[i++] = fl ? (double)(float)v->valuedouble : v->valuedouble;
    else if (nulls && cJSON_IsNull(v))
      out[i++] = NAN;
    else
      return limn__err(r->ctx, LIMN_EFORMAT, "%s: tree %zu: '%s'[%zu] is not a number", r->name, t, key, i);
  }
  return LIMN_OK;
}

/* Array `key` of n whole numbers in [lo, hi]. */
static int get_ints(const xrd *r, const cJSON *tree, size_t t, const char *key, size_t n, double lo,
                    double hi, long *out) {
  const cJSON *a = tree_array(r, tree, t, key, n), *v;
  size_t i = 0;
  if (!a)
    return LIMN_EFORMAT;
  cJSON_ArrayForEach(v, a) {
    double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!(x >= lo && x <= hi) || x != floor(x))
      return limn__err(r->ctx, LIMN_EFORMAT, "%s: tree %zu: '%s'[%zu] is not a whole number in %.0f..%.0f",
                       r->name, t, key, i, lo, hi);
    out[i++] = (long)x;
  }
  return LIMN_OK;
}

/* base_score: "5E-1", or "[5E-1]" / "[a,b,c]" (XGBoost >= 3.1: one per group). */
static int base_scores(const xrd *r, const cJSON *param, size_t ngroups, double *out) {
  const cJSON *v = member(param, "base_score");
  const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
  if (!s)
    return limn__err(r->ctx, LIMN_EFORMAT, "%s: learner_model_param.base_score is missing", r->name);
  int list = *s == '[';
  s += list;
  size_t k = 0;
  for (;;) {
    char *end;
    double x = strtod(s, &end);
    if (end == s || !isfinite(x) || k >= ngroups)
      return limn__err(r->ctx, LIMN_EFORMAT, "%s: base_score '%s' is not %s", r->name, v->valuestring,
                       list ? "a list of one number per output group" : "a number");
    out[k++] = x;
    s = end;
    if (!list || *s != ',')
      break;
    s++;
  }
  if ((list ? *s != ']' || s[1] : *s != 0) || (k != 1 && k != ngroups))
    return limn__err(r->ctx, LIMN_EFORMAT, "%s: base_score '%s' is not understood", r->name, v->valuestring);
  for (; k < ngroups; k++)
    out[k] = out[0];
  return LIMN_OK;
}

/* Node i of tree k's category set: the categories_* CSR arrays of XGBoost; appended to
 * t->bits (a bit per category, the node's words ncat). */
static int read_cats(const xrd *r, const cJSON *tree, size_t k, size_t i, limn__trees *t, tnode *nd) {
  limn_ctx *ctx = r->ctx;
  const cJSON *nodes = member(tree, "categories_nodes"), *seg = member(tree, "categories_segments"),
              *sizes = member(tree, "categories_sizes"), *cats = member(tree, "categories");
  int nn = cJSON_IsArray(nodes) ? cJSON_GetArraySize(nodes) : -1;
  if (nn < 0 || !cJSON_IsArray(seg) || !cJSON_IsArray(sizes) || !cJSON_IsArray(cats) ||
      cJSON_GetArraySize(seg) != nn || cJSON_GetArraySize(sizes) != nn)
    return limn__err(ctx, LIMN_EFORMAT,
                     "%s: tree %zu: a categorical split without categories_nodes, categories_segments, "
                     "categories_sizes and categories of one length",
                     r->name, k);
  int e = 0;
  for (; e < nn; e++) {
    const cJSON *v = cJSON_GetArrayItem(nodes, e);
    if (cJSON_IsNumber(v) && v->valuedouble == (double)i)
      break;
  }
  const cJSON *so = e < nn ? cJSON_GetArrayItem(seg, e) : NULL,
              *sz = e < nn ? cJSON_GetArrayItem(sizes, e) : NULL;
  double ncats = cJSON_GetArraySize(cats);
  if (e == nn || !cJSON_IsNumber(so) || !cJSON_IsNumber(sz) || !(so->valuedouble >= 0) ||
      !(sz->valuedouble >= 0) || so->valuedouble != floor(so->valuedouble) ||
      sz->valuedouble != floor(sz->valuedouble) || so->valuedouble + sz->valuedouble > ncats)
    return limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: a categorical split with no category set",
                     r->name, k, i);
  size_t off = (size_t)so->valuedouble, cnt = (size_t)sz->valuedouble, top = 0;
  for (size_t q = 0; q < cnt; q++) {
    const cJSON *c = cJSON_GetArrayItem(cats, (int)(off + q));
    double v = cJSON_IsNumber(c) ? c->valuedouble : -1;
    if (!(v >= 0 && v < TREES_MAX_CAT) || v != floor(v))
      return limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: category %g is not a code 0..%d", r->name,
                       k, i, v, TREES_MAX_CAT - 1);
    top = (size_t)v > top ? (size_t)v : top;
  }
  size_t words = top / 32 + 1;
  uint32_t *b = limn__realloc(ctx, t->bits, (t->nbits + words) * sizeof *b);
  if (!b)
    return LIMN_ENOMEM;
  t->bits = b;
  memset(b + t->nbits, 0, words * sizeof *b);
  for (size_t q = 0; q < cnt; q++) {
    size_t v = (size_t)cJSON_GetArrayItem(cats, (int)(off + q))->valuedouble;
    b[t->nbits + v / 32] |= 1u << (v % 32);
  }
  nd->cat = (uint32_t)(t->nbits + 1), nd->ncat = (uint32_t)words;
  t->nbits += words;
  return LIMN_OK;
}

/* Tree k of an XGBoost file into t->nodes / t->leaf from node `at` (nn nodes). */
static int read_xgb_tree(const xrd *r, const cJSON *tree, size_t k, limn__trees *t, size_t at, size_t nn) {
  limn_ctx *ctx = r->ctx;
  long *iv = limn__alloc_array(ctx, 5 * nn, sizeof *iv);
  double *dv = limn__alloc_array(ctx, 2 * nn, sizeof *dv);
  int rc = iv && dv ? LIMN_OK : LIMN_ENOMEM;
  long *left = iv, *right = iv + nn, *feat = iv + 2 * nn, *dl = iv + 3 * nn, *st = iv + 4 * nn;
  double *val = dv, *cover = dv + nn;
  if (rc == LIMN_OK)
    rc = get_ints(r, tree, k, "left_children", nn, -1, (double)nn - 1, left);
  if (rc == LIMN_OK)
    rc = get_ints(r, tree, k, "right_children", nn, -1, (double)nn - 1, right);
  if (rc == LIMN_OK)
    rc = get_ints(r, tree, k, "split_indices", nn, 0, 4294967295.0, feat);
  if (rc == LIMN_OK)
    rc = get_ints(r, tree, k, "default_left", nn, 0, 1, dl);
  if (rc == LIMN_OK)
    rc = get_nums(r, tree, k, "split_conditions", nn, 1, 1, val);
  if (rc == LIMN_OK && member(tree, "sum_hessian"))
    rc = get_nums(r, tree, k, "sum_hessian", nn, 0, 1, cover);
  else
    for (size_t i = 0; i < nn && dv; i++)
      cover[i] = NAN;
  if (rc == LIMN_OK && member(tree, "split_type"))
    rc = get_ints(r, tree, k, "split_type", nn, 0, 1, st);
  else
    for (size_t i = 0; i < nn && iv; i++)
      st[i] = 0;
  for (size_t i = 0; i < nn && rc == LIMN_OK; i++) {
    tnode *nd = &t->nodes[at + i];
    int leaf = left[i] < 0 || right[i] < 0;
    nd->left = (int32_t)left[i], nd->right = (int32_t)right[i], nd->feature = (uint32_t)feat[i];
    nd->missing = (uint8_t)dl[i], nd->cat = nd->ncat = 0;
    nd->thr = leaf ? 0 : val[i], nd->cover = cover[i];
    t->leaf[at + i] = leaf ? val[i] : 0;
    if (!leaf && st[i] == 1)
      rc = read_cats(r, tree, k, i, t, nd);
  }
  limn__free(ctx, iv), limn__free(ctx, dv);
  return rc;
}

/* Tree k of a limn-trees file: L leaf values per node (value: an array of L per node). */
static int read_sk_tree(const xrd *r, const cJSON *tree, size_t k, limn__trees *t, size_t at, size_t nn) {
  limn_ctx *ctx = r->ctx;
  long *iv = limn__alloc_array(ctx, 4 * nn, sizeof *iv);
  double *dv = limn__alloc_array(ctx, 2 * nn, sizeof *dv);
  int rc = iv && dv ? LIMN_OK : LIMN_ENOMEM;
  long *left = iv, *right = iv + nn, *feat = iv + 2 * nn, *miss = iv + 3 * nn;
  double *thr = dv, *cover = dv + nn;
  if (rc == LIMN_OK)
    rc = get_ints(r, tree, k, "children_left", nn, -1, (double)nn - 1, left);
  if (rc == LIMN_OK)
    rc = get_ints(r, tree, k, "children_right", nn, -1, (double)nn - 1, right);
  if (rc == LIMN_OK)
    rc = get_ints(r, tree, k, "feature", nn, -2, 4294967295.0, feat);
  if (rc == LIMN_OK)
    rc = get_nums(r, tree, k, "threshold", nn, 0, 0, thr);
  if (rc == LIMN_OK && member(tree, "node_sample_weight"))
    rc = get_nums(r, tree, k, "node_sample_weight", nn, 0, 0, cover);
  else
    for (size_t i = 0; i < nn && dv; i++)
      cover[i] = NAN;
  const cJSON *mg = member(tree, "missing_go_to_left"), *v;
  size_t i = 0;
  if (rc == LIMN_OK && mg && !tree_array(r, tree, k, "missing_go_to_left", nn))
    rc = LIMN_EFORMAT;
  cJSON_ArrayForEach(v, mg) {
    if (rc)
      break;
    if (!cJSON_IsBool(v) && !(cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1)))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu: 'missing_go_to_left'[%zu] is not true, false, 0 or 1",
                     r->name, k, i);
    miss[i++] = cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble == 1);
  }
  for (i = 0; !mg && i < nn && iv; i++)
    miss[i] = 2;
  const cJSON *val = rc == LIMN_OK ? tree_array(r, tree, k, "value", nn) : NULL;
  if (rc == LIMN_OK && !val)
    rc = LIMN_EFORMAT;
  i = 0;
  cJSON_ArrayForEach(v, val) {
    if (rc)
      break;
    const cJSON *e;
    size_t c = 0;
    if (!cJSON_IsArray(v) || (size_t)cJSON_GetArraySize(v) != t->L)
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu: 'value'[%zu] is not an array of %zu numbers", r->name,
                     k, i, t->L);
    cJSON_ArrayForEach(e, v) {
      if (rc)
        break;
      if (!cJSON_IsNumber(e))
        rc =
            limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu: 'value'[%zu][%zu] is not a number", r->name, k, i, c);
      else
        t->leaf[(at + i) * t->L + c++] = e->valuedouble;
    }
    i++;
  }
  for (i = 0; i < nn && rc == LIMN_OK; i++) {
    tnode *nd = &t->nodes[at + i];
    int leaf = left[i] < 0 || right[i] < 0;
    if (!leaf && feat[i] < 0)
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: a split on feature %ld", r->name, k, i,
                     feat[i]);
    nd->left = (int32_t)left[i], nd->right = (int32_t)right[i], nd->feature = leaf ? 0 : (uint32_t)feat[i];
    nd->missing = (uint8_t)miss[i], nd->cat = nd->ncat = 0;
    nd->thr = leaf ? 0 : thr[i], nd->cover = cover[i];
    if (!leaf) /* a split's own value is not used */
      for (size_t c = 0; c < t->L; c++)
        t->leaf[(at + i) * t->L + c] = 0;
  }
  limn__free(ctx, iv), limn__free(ctx, dv);
  return rc;
}

/* Tree k's shape: a leaf has no child, a split two that follow it (numbering children
 * after their parent also rules out cycles), one parent per node; its feature among the
 * columns; thresholds and leaf values numbers; NaN default directions. */
static int check_tree(const xrd *r, size_t k, limn__trees *t, size_t nfeat, int *missing_ok) {
  limn_ctx *ctx = r->ctx;
  size_t at = t->start[k], nn = t->start[k + 1] - at;
  unsigned char *seen = limn__calloc(ctx, nn, 1);
  if (!seen)
    return LIMN_ENOMEM;
  int rc = LIMN_OK;
  for (size_t i = 0; i < nn && rc == LIMN_OK; i++) {
    tnode *nd = &t->nodes[at + i];
    int leaf = nd->left < 0 || nd->right < 0;
    if (leaf && (nd->left >= 0 || nd->right >= 0))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: one child only", r->name, k, i);
    else if (!leaf && ((size_t)nd->left <= i || (size_t)nd->right <= i || nd->left == nd->right))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: children %ld and %ld do not follow it",
                     r->name, k, i, (long)nd->left, (long)nd->right);
    else if (!leaf && nd->feature >= nfeat)
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: feature %lu of %zu", r->name, k, i,
                     (unsigned long)nd->feature, nfeat);
    else if (!leaf && !nd->cat && isnan(nd->thr))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: the threshold is not a number", r->name, k,
                     i);
    else if (!leaf && (seen[nd->left]++ || seen[nd->right]++))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu: node %ld has two parents", r->name, k,
                     (long)(seen[nd->left] > 1 ? nd->left : nd->right));
    for (size_t c = 0; leaf && c < t->L && rc == LIMN_OK; c++)
      if (!isfinite(t->leaf[(at + i) * t->L + c]))
        rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: the leaf value is not a number", r->name,
                       k, i);
    if (leaf)
      nd->left = nd->right = -1, nd->feature = 0;
    else if (nd->missing == 2)
      *missing_ok = 0;
    if (!(nd->cover >= 0)) /* (a negative or NaN cover: none) */
      nd->cover = NAN;
  }
  limn__free(ctx, seen);
  return rc;
}

/* Each node's cover-weighted mean leaf value per output (bottom-up: children follow their
 * parents) and the deepest leaf; no means when a cover is missing. */
static int tree_means(limn_ctx *ctx, limn__trees *t) {
  size_t total = t->start[t->ntrees], L = t->L, *depth = limn__calloc(ctx, total, sizeof *depth);
  int covered = 1;
  if (!depth)
    return LIMN_ENOMEM;
  for (size_t q = 0; q < total; q++)
    covered &= !isnan(t->nodes[q].cover);
  t->mean = covered ? limn__alloc_array(ctx, total, L * sizeof *t->mean) : NULL;
  if (covered && !t->mean) {
    limn__free(ctx, depth);
    return LIMN_ENOMEM;
  }
  for (size_t k = 0; k < t->ntrees; k++) {
    const tnode *nd = t->nodes + t->start[k];
    size_t nn = t->start[k + 1] - t->start[k], *dp = depth + t->start[k];
    for (size_t i = 0; i < nn; i++)
      if (nd[i].left >= 0) {
        dp[nd[i].left] = dp[nd[i].right] = dp[i] + 1;
        t->depth = dp[i] + 1 > t->depth ? dp[i] + 1 : t->depth;
      }
    double *mu = covered ? t->mean + t->start[k] * L : NULL;
    const double *lv = t->leaf + t->start[k] * L;
    for (size_t i = nn; mu && i-- > 0;) {
      for (size_t c = 0; c < L; c++) {
        if (nd[i].left < 0) {
          mu[i * L + c] = lv[i * L + c];
          continue;
        }
        double rl = nd[nd[i].left].cover, rr = nd[nd[i].right].cover;
        mu[i * L + c] =
            rl + rr > 0 ? (rl * mu[nd[i].left * L + c] + rr * mu[nd[i].right * L + c]) / (rl + rr) : 0;
      }
    }
  }
  limn__free(ctx, depth);
  return LIMN_OK;
}

static int fail_json(limn_ctx *ctx, const char *name, const char *text, const char *at) {
  size_t line = 1, col = 1;
  for (const char *p = text; at && p < at && *p; p++)
    if (*p == '\n')
      line++, col = 1;
    else
      col++;
  return limn__err(ctx, LIMN_EFORMAT, "%s: line %zu, column %zu: not valid JSON", name, line, col);
}

/* The model and its trees' arrays: m's kind, schema (copied), nfeat columns, nout_model
 * outputs; t with ntrees trees of L leaf values adding to nout raw outputs. */
static int new_trees(const xrd *r, const char *kind, const limn_schema *s, size_t nfeat, size_t nout_model,
                     size_t ntrees, size_t nout, size_t L, limn_model **mp, limn__trees **tp) {
  limn_ctx *ctx = r->ctx;
  limn_model *m = NULL;
  LIMN_TRY(limn__model_new(ctx, kind, s, nfeat, nout_model, &trees_vt, &m));
  limn__trees *t = limn__calloc(ctx, 1, sizeof *t);
  if (!t) {
    limn_model_free(m);
    return LIMN_ENOMEM;
  }
  m->impl = t, m->missing_ok = 1;
  t->ntrees = ntrees, t->nout = nout, t->L = L;
  t->start = limn__calloc(ctx, ntrees + 1, sizeof *t->start);
  t->group = limn__calloc(ctx, ntrees ? ntrees : 1, sizeof *t->group);
  t->weight = limn__alloc_array(ctx, ntrees ? ntrees : 1, sizeof *t->weight);
  t->base = limn__calloc(ctx, nout, sizeof *t->base);
  for (size_t k = 0; t->weight && k < ntrees; k++)
    t->weight[k] = 1;
  *mp = m, *tp = t;
  return t->start && t->group && t->weight && t->base ? LIMN_OK : LIMN_ENOMEM;
}

/* Tree k's node count (t->start[k + 1]) from `key`'s length, or XGBoost's num_nodes. */
static int count_nodes(const xrd *r, const cJSON *tree, size_t k, const char *key, int xgb, limn__trees *t) {
  const cJSON *lc = member(tree, key);
  size_t nn = cJSON_IsArray(lc) ? (size_t)cJSON_GetArraySize(lc) : 0;
  if (xgb)
    LIMN_TRY(get_count(r, member(tree, "tree_param"), "num_nodes", TREES_MAX_NODES, &nn));
  if (!cJSON_IsArray(lc) || (size_t)cJSON_GetArraySize(lc) != nn) /* (before allocating for it) */
    return limn__err(r->ctx, LIMN_EFORMAT, "%s: tree %zu: '%s' does not hold num_nodes (%zu) entries",
                     r->name, k, key, nn);
  if (nn == 0 || nn > TREES_MAX_NODES - t->start[k])
    return limn__err(r->ctx, LIMN_EFORMAT, "%s: tree %zu has %zu nodes (at most %zu in all)", r->name, k, nn,
                     TREES_MAX_NODES);
  t->start[k + 1] = t->start[k] + nn;
  return LIMN_OK;
}

/* All trees: sizes first (one node array), then each tree, its shape, the means. */
static int read_trees(const xrd *r, const cJSON *trees, size_t nfeat, int xgb, limn_model *m,
                      limn__trees *t) {
  limn_ctx *ctx = r->ctx;
  const cJSON *v;
  size_t k = 0;
  int rc = LIMN_OK;
  cJSON_ArrayForEach(v, trees) {
    if ((rc = count_nodes(r, v, k, xgb ? "left_children" : "children_left", xgb, t)))
      return rc;
    k++;
  }
  size_t total = t->start[t->ntrees];
  if (!(t->nodes = limn__alloc_array(ctx, total, sizeof *t->nodes)) ||
      !(t->leaf = limn__calloc(ctx, total, t->L * sizeof *t->leaf)))
    return LIMN_ENOMEM;
  k = 0;
  cJSON_ArrayForEach(v, trees) {
    size_t at = t->start[k], nn = t->start[k + 1] - at;
    if ((rc = xgb ? read_xgb_tree(r, v, k, t, at, nn) : read_sk_tree(r, v, k, t, at, nn)) ||
        (rc = check_tree(r, k, t, nfeat, &m->missing_ok)))
      return rc;
    k++;
  }
  LIMN_TRY(tree_means(ctx, t));
  if (!(t->pn = limn__alloc_array(ctx, total, sizeof *t->pn)) ||
      (t->mean && !(t->share = limn__calloc(ctx, total, 2 * sizeof *t->share))))
    return LIMN_ENOMEM;
  for (size_t tk = 0; t->share && tk < t->ntrees; tk++) {
    const tnode *nd = t->nodes + t->start[tk];
    for (size_t i = 0; i < t->start[tk + 1] - t->start[tk]; i++) {
      double c = nd[i].cover, *sh = t->share + 2 * (t->start[tk] + i);
      if (nd[i].left >= 0 && c > 0)
        sh[0] = nd[nd[i].left].cover / c, sh[1] = nd[nd[i].right].cover / c;
    }
  }
  for (size_t q = 0; q < total; q++) { /* the largest float f with f <= thr (le) or f < thr (lt) */
    const tnode *n = &t->nodes[q];
    pnode *p = &t->pn[q];
    float f = (float)n->thr;
    if (t->le ? (double)f > n->thr : (double)f >= n->thr)
      f = nextafterf(f, -INFINITY);
    p->thr = f, p->left = n->left, p->right = n->right;
    p->feat = n->feature | (n->missing == 1 ? PN_LEFT : 0) | (n->cat ? PN_CAT : 0);
  }
  if (t->depth > TREES_MAX_DEPTH) /* (the walks recurse once per level) */
    return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: a tree %zu levels deep (limn reads up to %d)", r->name,
                     t->depth, TREES_MAX_DEPTH);
  size_t Qmax = (t->depth + 1) / 2 + 1;
  if (!(t->qt = limn__alloc_array(ctx, Qmax * (Qmax + 1), sizeof *t->qt)))
    return LIMN_ENOMEM;
  for (size_t Q = 1; Q <= Qmax; Q++) { /* nodes (x + 1) / 2, weights w / 2 */
    double *x = t->qt + Q * (Q - 1), *w = x + Q;
    limn__gauss_legendre(Q, x, w);
    for (size_t q = 0; q < Q; q++)
      x[q] = (x[q] + 1) / 2, w[q] /= 2;
  }
  return LIMN_OK;
}

/* A schema of numeric columns named from `names` (or f0..), the target and its classes
 * (from `classes`, or "0".. when cls names are not given). */
static int make_schema(const xrd *r, const cJSON *names, size_t nfeat, const cJSON *types, const char *target,
                       limn_task task, const cJSON *classes, size_t ncls, limn_schema **out) {
  limn_ctx *ctx = r->ctx;
  limn_schema *s = NULL;
  size_t nnames = cJSON_IsArray(names) ? (size_t)cJSON_GetArraySize(names) : 0;
  if (nnames && nnames != nfeat)
    return limn__err(ctx, LIMN_EFORMAT, "%s: %zu feature names for %zu features", r->name, nnames, nfeat);
  (void)types;
  int rc = limn_schema_create(ctx, &s);
  char buf[32];
  for (size_t j = 0; j < nfeat && rc == LIMN_OK; j++) {
    const cJSON *nm = nnames ? cJSON_GetArrayItem(names, (int)j) : NULL;
    if (nnames && !cJSON_IsString(nm))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: feature name %zu is not a string", r->name, j);
    else {
      snprintf(buf, sizeof buf, "f%zu", j);
      rc = limn_schema_add_numeric(ctx, s, nnames ? nm->valuestring : buf);
    }
  }
  char **cn = ncls && rc == LIMN_OK ? limn__calloc(ctx, ncls, sizeof *cn) : NULL;
  if (ncls && rc == LIMN_OK && !cn)
    rc = LIMN_ENOMEM;
  if (classes && rc == LIMN_OK && (!cJSON_IsArray(classes) || (size_t)cJSON_GetArraySize(classes) != ncls))
    rc = limn__err(ctx, LIMN_EFORMAT, "%s: 'class_names' is not an array of %zu names", r->name, ncls);
  for (size_t c = 0; c < ncls && rc == LIMN_OK; c++) {
    const cJSON *nm = classes ? cJSON_GetArrayItem(classes, (int)c) : NULL;
    snprintf(buf, sizeof buf, "%zu", c);
    if (classes && !cJSON_IsString(nm))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: class name %zu is not a string", r->name, c);
    else if (!(cn[c] = limn__strdup(ctx, classes ? nm->valuestring : buf)))
      rc = LIMN_ENOMEM;
  }
  if (rc == LIMN_OK)
    rc = limn_schema_set_target(ctx, s, target, task, (const char *const *)cn, ncls);
  limn_schema_set_positional(s, !nnames); /* no names: the data's columns by position */
  for (size_t c = 0; cn && c < ncls; c++)
    limn__free(ctx, cn[c]);
  limn__free(ctx, cn);
  if (rc)
    limn_schema_free(s);
  else
    *out = s;
  return rc;
}

static int build_xgb(const xrd *r, const cJSON *root, limn_model **out) {
  limn_ctx *ctx = r->ctx;
  const cJSON *learner = member(root, "learner"), *param = member(learner, "learner_model_param");
  const cJSON *objective = member(member(learner, "objective"), "name"),
              *gb = member(learner, "gradient_booster");
  const cJSON *gbname = member(gb, "name"), *model = member(gb, "model"), *wd = NULL;
  if (!learner || !param || !gb)
    return limn__err(ctx, LIMN_EFORMAT,
                     "%s: not an XGBoost JSON model (no learner, learner_model_param or "
                     "gradient_booster)",
                     r->name);
  if (cJSON_IsString(gbname) && !strcmp(gbname->valuestring, "dart")) {
    wd = member(gb, "weight_drop");
    model = member(member(gb, "gbtree"), "model");
  } else if (!cJSON_IsString(gbname) || strcmp(gbname->valuestring, "gbtree")) {
    return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: booster '%s': limn reads gbtree and dart", r->name,
                     cJSON_IsString(gbname) ? gbname->valuestring : "?");
  }
  size_t o = 0, nobj = sizeof objectives / sizeof *objectives;
  for (; cJSON_IsString(objective) && o < nobj && strcmp(objectives[o].name, objective->valuestring); o++)
    ;
  if (!cJSON_IsString(objective) || o == nobj)
    return limn__err(ctx, LIMN_EUNSUPPORTED,
                     "%s: objective '%s': limn reads binary:logistic, binary:logitraw, reg:squarederror, "
                     "reg:logistic, multi:softprob and multi:softmax",
                     r->name, cJSON_IsString(objective) ? objective->valuestring : "?");
  size_t nfeat, nclass, ntrees, leafvec = 0;
  LIMN_TRY(get_count(r, param, "num_feature", 1u << 20, &nfeat));
  LIMN_TRY(get_count(r, param, "num_class", 1u << 16, &nclass));
  const cJSON *gtp = member(model, "gbtree_model_param"), *trees = member(model, "trees"),
              *info = member(model, "tree_info");
  LIMN_TRY(get_count(r, gtp, "num_trees", 1u << 24, &ntrees));
  if (member(gtp, "size_leaf_vector"))
    LIMN_TRY(get_count(r, gtp, "size_leaf_vector", 1u << 16, &leafvec));
  if (leafvec > 1)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: vector leaves (size_leaf_vector %zu, multi_output_tree)",
                     r->name, leafvec);
  tree_tf tf = objectives[o].tf;
  int multi = tf == TF_SOFTMAX, cls = objectives[o].cls;
  size_t nout = multi ? nclass : 1, ncls = multi ? nclass : cls ? 2 : 0;
  if (nfeat == 0 || (multi && nclass < 2))
    return limn__err(ctx, LIMN_EFORMAT, "%s: %zu features, %zu classes", r->name, nfeat, nclass);
  if (!cJSON_IsArray(trees) || (size_t)cJSON_GetArraySize(trees) != ntrees || !cJSON_IsArray(info) ||
      (size_t)cJSON_GetArraySize(info) != ntrees)
    return limn__err(ctx, LIMN_EFORMAT, "%s: 'trees' and 'tree_info' must hold num_trees (%zu) entries",
                     r->name, ntrees);
  if (wd && (!cJSON_IsArray(wd) || (size_t)cJSON_GetArraySize(wd) != ntrees))
    return limn__err(ctx, LIMN_EFORMAT, "%s: dart's weight_drop must hold one weight per tree", r->name);
  limn_schema *s = NULL;
  LIMN_TRY(make_schema(r, member(learner, "feature_names"), nfeat, member(learner, "feature_types"), "target",
                       cls ? LIMN_TASK_CLASSIFICATION : LIMN_TASK_REGRESSION, NULL, ncls, &s));
  limn_model *m = NULL;
  limn__trees *t = NULL;
  int rc = new_trees(r, "xgboost", s, nfeat, cls ? ncls : 1, ntrees, nout, 1, &m, &t);
  limn_schema_free(s);
  if (t) {
    t->tf = tf, t->two = cls && !multi, t->fsum = 1;
    snprintf(t->what, sizeof t->what, "XGBoost %s, %s booster", objectives[o].name, wd ? "dart" : "gbtree");
  }
  for (size_t k = 0; k < ntrees && rc == LIMN_OK; k++) {
    const cJSON *gi = cJSON_GetArrayItem(info, (int)k), *w = wd ? cJSON_GetArrayItem(wd, (int)k) : NULL;
    if (!cJSON_IsNumber(gi) || !(gi->valuedouble >= 0 && gi->valuedouble < (double)nout) ||
        gi->valuedouble != floor(gi->valuedouble))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree_info[%zu] is not an output group 0..%zu", r->name, k,
                     nout - 1);
    else if (wd && (!cJSON_IsNumber(w) || !isfinite(w->valuedouble)))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: weight_drop[%zu] is not a number", r->name, k);
    else
      t->group[k] = (size_t)gi->valuedouble, t->weight[k] = wd ? (double)(float)w->valuedouble : 1;
  }
  if (rc == LIMN_OK)
    rc = read_trees(r, trees, nfeat, 1, m, t);
  double *bs = rc == LIMN_OK ? limn__alloc_array(ctx, nout, sizeof *bs) : NULL;
  if (rc == LIMN_OK)
    rc = bs ? base_scores(r, param, nout, bs) : LIMN_ENOMEM;
  for (size_t g = 0; g < nout && rc == LIMN_OK; g++) {
    double b = bs[g];
    if (objectives[o].base_prob) { /* stored as a probability */
      if (!(b > 0 && b < 1))
        rc = limn__err(ctx, LIMN_EFORMAT, "%s: base_score %g is not a probability", r->name, b);
      b = log(b / (1 - b));
    }
    t->base[g] = (float)b;
  }
  limn__free(ctx, bs);
  if (rc) {
    limn_model_free(m);
    return rc;
  }
  *out = m;
  return LIMN_OK;
}

/* The limn-trees JSON (docs/format.md; tools/export_sklearn_trees.py). */
static int build_sk(const xrd *r, const cJSON *root, limn_model **out) {
  limn_ctx *ctx = r->ctx;
  const cJSON *ver = member(root, "version"), *task = member(root, "task"), *split = member(root, "split"),
              *comb = member(root, "combine"), *tw = member(root, "tree_weight"),
              *base = member(root, "base"), *tfm = member(root, "transform"),
              *tout = member(root, "tree_output"), *trees = member(root, "trees"),
              *target = member(root, "target");
  if (!cJSON_IsNumber(ver) || ver->valuedouble != 1)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: limn-trees version: limn reads version 1", r->name);
  size_t nfeat, nout;
  LIMN_TRY(get_count(r, root, "n_features", 1u << 20, &nfeat));
  LIMN_TRY(get_count(r, root, "n_outputs", 1u << 16, &nout));
  int cls = cJSON_IsString(task) && !strcmp(task->valuestring, "classification");
  if (!cls && !(cJSON_IsString(task) && !strcmp(task->valuestring, "regression")))
    return limn__err(ctx, LIMN_EFORMAT, "%s: 'task' is not classification or regression", r->name);
  const char *sp = cJSON_IsString(split) ? split->valuestring : "";
  if (strcmp(sp, "le") && strcmp(sp, "le64") && strcmp(sp, "lt"))
    return limn__err(ctx, LIMN_EFORMAT, "%s: 'split' is not le, le64 or lt", r->name);
  if (!cJSON_IsString(comb) || strcmp(comb->valuestring, "sum"))
    return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: 'combine': limn reads sum", r->name);
  const char *tn = cJSON_IsString(tfm) ? tfm->valuestring : "";
  tree_tf tf = !strcmp(tn, "identity") ? TF_IDENTITY : !strcmp(tn, "logistic") ? TF_LOGISTIC : TF_SOFTMAX;
  if (tf == TF_SOFTMAX && strcmp(tn, "softmax"))
    return limn__err(ctx, LIMN_EFORMAT, "%s: 'transform' is not identity, logistic or softmax", r->name);
  if (!cJSON_IsNumber(tw) || !isfinite(tw->valuedouble))
    return limn__err(ctx, LIMN_EFORMAT, "%s: 'tree_weight' is not a number", r->name);
  size_t ntrees = cJSON_IsArray(trees) ? (size_t)cJSON_GetArraySize(trees) : 0;
  if (!cJSON_IsArray(trees) || ntrees == 0 || ntrees > (1u << 24))
    return limn__err(ctx, LIMN_EFORMAT, "%s: 'trees' is not an array of trees", r->name);
  int all = cJSON_IsString(tout) && !strcmp(tout->valuestring, "all");
  if (!all && !(cJSON_IsArray(tout) && (size_t)cJSON_GetArraySize(tout) == ntrees))
    return limn__err(ctx, LIMN_EFORMAT, "%s: 'tree_output' is neither \"all\" nor one output per tree",
                     r->name);
  if (!cJSON_IsArray(base) || (size_t)cJSON_GetArraySize(base) != nout)
    return limn__err(ctx, LIMN_EFORMAT, "%s: 'base' is not an array of n_outputs (%zu) numbers", r->name,
                     nout);
  /* classes: logistic turns one output into two classes; otherwise one class per output */
  const cJSON *classes = member(root, "class_names");
  size_t ncls = !cls ? 0 : tf == TF_LOGISTIC ? 2 : nout;
  if (nfeat == 0 || nout == 0 || (tf == TF_LOGISTIC && nout != 1) || (!cls && tf == TF_SOFTMAX) ||
      (cls && ncls < 2))
    return limn__err(ctx, LIMN_EFORMAT, "%s: %zu features, %zu outputs, transform %s for %s", r->name, nfeat,
                     nout, tn, cls ? "classification" : "regression");
  limn_schema *s = NULL;
  LIMN_TRY(make_schema(
      r, member(root, "feature_names"), nfeat, NULL, cJSON_IsString(target) ? target->valuestring : "target",
      cls ? LIMN_TASK_CLASSIFICATION : LIMN_TASK_REGRESSION, cls ? classes : NULL, ncls, &s));
  limn_model *m = NULL;
  limn__trees *t = NULL;
  int rc = new_trees(r, "sklearn", s, nfeat, cls ? ncls : nout, ntrees, nout, all ? nout : 1, &m, &t);
  limn_schema_free(s);
  if (rc == LIMN_OK && !cls && nout != 1)
    rc = limn__err(ctx, LIMN_EUNSUPPORTED, "%s: regression with %zu outputs", r->name, nout);
  if (t) {
    const cJSON *mn = member(root, "model"), *pr = member(root, "producer");
    t->tf = tf, t->two = cls && tf == TF_LOGISTIC, t->probs = cls && tf == TF_IDENTITY,
    t->le = strcmp(sp, "lt") != 0;
    snprintf(t->what, sizeof t->what, "%.60s (limn-trees from %.60s), transform %s",
             cJSON_IsString(mn) ? mn->valuestring : "trees",
             cJSON_IsString(pr) ? pr->valuestring : "an unknown producer", tn);
  }
  for (size_t k = 0; k < ntrees && rc == LIMN_OK; k++) {
    const cJSON *g = all ? NULL : cJSON_GetArrayItem(tout, (int)k);
    t->weight[k] = tw->valuedouble;
    if (!all && (!cJSON_IsNumber(g) || !(g->valuedouble >= 0 && g->valuedouble < (double)nout) ||
                 g->valuedouble != floor(g->valuedouble)))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree_output[%zu] is not an output 0..%zu", r->name, k, nout - 1);
    else
      t->group[k] = all ? 0 : (size_t)g->valuedouble;
  }
  for (size_t g = 0; g < nout && rc == LIMN_OK; g++) {
    const cJSON *b = cJSON_GetArrayItem(base, (int)g);
    if (!cJSON_IsNumber(b) || !isfinite(b->valuedouble))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: base[%zu] is not a number", r->name, g);
    else
      t->base[g] = b->valuedouble;
  }
  if (rc == LIMN_OK)
    rc = read_trees(r, trees, nfeat, 0, m, t);
  if (rc) {
    limn_model_free(m);
    return rc;
  }
  *out = m;
  return LIMN_OK;
}

static int build(const xrd *r, const cJSON *root, limn_model **out) {
  const cJSON *fmt = member(root, "format");
  if (cJSON_IsString(fmt) && !strcmp(fmt->valuestring, "limn-trees"))
    return build_sk(r, root, out);
  if (fmt)
    return limn__err(r->ctx, LIMN_EUNSUPPORTED, "%s: format '%s': limn reads limn-trees and XGBoost's JSON",
                     r->name, cJSON_IsString(fmt) ? fmt->valuestring : "?");
  return build_xgb(r, root, out);
}
int limn_model_load_trees_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                              limn_model **out) {
  if (!ctx || !out || (!buf && len))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_model_load_trees_mem: NULL argument") : LIMN_EINVAL;
  *out = NULL;
  xrd r = {ctx, name ? name : "(memory)"};
  size_t plen;
  char *text = plain_json(ctx, buf, len, &plen);
  if (!text)
    return LIMN_ENOMEM;
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(text, plen, &end, 0);
  int rc = root ? build(&r, root, out) : fail_json(ctx, r.name, text, end ? end : cJSON_GetErrorPtr());
  if (root && rc == LIMN_OK)
    limn_sha256(buf, len, (*out)->sha256);
  cJSON_Delete(root);
  limn__free(ctx, text);
  return rc;
}

int limn_model_load_trees(limn_ctx *ctx, const char *path, limn_model **out) {
  if (!ctx || !out || !path)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_model_load_trees: NULL argument") : LIMN_EINVAL;
  *out = NULL;
  char *buf;
  size_t len;
  const limn__input in = {"an XGBoost JSON model", 1, 1, limn_model_is_xgboost_json};
  LIMN_TRY(limn__read_input(ctx, path, &in, &buf, &len));
  int rc = limn_model_load_trees_mem(ctx, buf, len, path, out);
  limn__free(ctx, buf);
  return rc;
}

int limn_model_load_xgboost_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                                limn_model **out) {
  return limn_model_load_trees_mem(ctx, buf, len, name, out);
}

int limn_model_load_xgboost(limn_ctx *ctx, const char *path, limn_model **out) {
  return limn_model_load_trees(ctx, path, out);
}

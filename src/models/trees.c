/* Tree ensembles: XGBoost's JSON model files (Booster.save_model("m.json"), format of
 * XGBoost 1.x-2.x; docs/format.md). Trees are kept as flat node arrays in float, as
 * XGBoost keeps them, and evaluated as it does: a missing value (NaN) goes the node's
 * default direction, any other x goes left when x < threshold (compared in float).
 * JSON is parsed by cJSON (Debian's libcjson); XGBoost's bare NaN / Infinity tokens are
 * rewritten to null / 1e999 first. */
#include "model_internal.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#define TREES_MAX_NODES ((size_t)1 << 24) /* all trees together */

typedef enum tree_obj {
  OBJ_BINARY_LOGISTIC,
  OBJ_BINARY_LOGITRAW,
  OBJ_REG_SQUAREDERROR,
  OBJ_REG_LOGISTIC,
  OBJ_MULTI_SOFTPROB,
  OBJ_MULTI_SOFTMAX
} tree_obj;

static const struct {
  const char *name;
  tree_obj obj;
} objectives[] = {{"binary:logistic", OBJ_BINARY_LOGISTIC},   {"binary:logitraw", OBJ_BINARY_LOGITRAW},
                  {"reg:squarederror", OBJ_REG_SQUAREDERROR}, {"reg:linear", OBJ_REG_SQUAREDERROR},
                  {"reg:logistic", OBJ_REG_LOGISTIC},         {"multi:softprob", OBJ_MULTI_SOFTPROB},
                  {"multi:softmax", OBJ_MULTI_SOFTMAX}};

typedef struct tnode {
  int32_t left, right; /* -1 at a leaf */
  uint32_t feature;
  float value; /* threshold at a split, the leaf's value at a leaf */
  float cover; /* sum_hessian (TreeSHAP's weights), NaN when the file has none */
  uint8_t default_left;
} tnode;

typedef struct limn__trees {
  size_t ntrees, ngroups;
  size_t *start; /* (ntrees + 1) each tree's nodes in nodes[start[t]..start[t + 1]) */
  size_t *group; /* (ntrees) output group of each tree */
  float *weight; /* (ntrees) dart's weights, or NULL */
  tnode *nodes;
  float *base; /* (ngroups) base margins */
  tree_obj obj;
  double *mean; /* (nodes) cover-weighted mean leaf value under each node, or NULL without covers */
  size_t depth; /* the deepest leaf's depth */
} limn__trees;

static void trees_destroy(limn_model *m) {
  limn__trees *t = m->impl;
  if (!t)
    return;
  limn__free(m->ctx, t->start), limn__free(m->ctx, t->group), limn__free(m->ctx, t->weight);
  limn__free(m->ctx, t->nodes), limn__free(m->ctx, t->base), limn__free(m->ctx, t->mean);
  limn__free(m->ctx, t);
}

/* The margins of row x: base + the leaves its trees reach, per group, summed in float
 * in tree order (as XGBoost's predictor). */
static void margins(const limn__trees *t, const float *x, float *mg) {
  for (size_t g = 0; g < t->ngroups; g++)
    mg[g] = t->base[g];
  for (size_t k = 0; k < t->ntrees; k++) {
    const tnode *nd = t->nodes + t->start[k];
    size_t i = 0;
    while (nd[i].left >= 0) {
      float v = x[nd[i].feature];
      i = (size_t)(isnan(v) ? (nd[i].default_left ? nd[i].left : nd[i].right)
                            : (v < nd[i].value ? nd[i].left : nd[i].right));
    }
    mg[t->group[k]] += t->weight ? t->weight[k] * nd[i].value : nd[i].value;
  }
}

static float sigmoid(float z) { return 1.0f / (1.0f + expf(-z)); }

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
  float *mg = scratch;
  size_t d = m->nfeatures, k = m->noutputs;
  for (size_t i = c * TREES_CHUNK; i < a->n && i < (c + 1) * TREES_CHUNK; i++) {
    float *o = a->out + i * k;
    margins(t, a->x + i * d, mg);
    switch (t->obj) {
    case OBJ_BINARY_LOGISTIC:
    case OBJ_BINARY_LOGITRAW:
      /* two classes: P(0), P(1); logit space: 0 and the margin */
      o[0] = a->sp == LIMN_SPACE_LOGIT ? 0.0f : 1.0f - sigmoid(mg[0]);
      o[1] = a->sp == LIMN_SPACE_LOGIT ? mg[0] : sigmoid(mg[0]);
      break;
    case OBJ_REG_SQUAREDERROR:
      o[0] = mg[0];
      break;
    case OBJ_REG_LOGISTIC:
      o[0] = a->sp == LIMN_SPACE_LOGIT ? mg[0] : sigmoid(mg[0]);
      break;
    case OBJ_MULTI_SOFTPROB:
    case OBJ_MULTI_SOFTMAX:
      if (a->sp == LIMN_SPACE_LOGIT)
        memcpy(o, mg, k * sizeof *o);
      else
        limn__softmax(mg, k, o);
      break;
    }
  }
  return 0;
}

static int trees_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                         float *out) {
  const limn__trees *t = m->impl;
  fwd_arg a = {m, x, n, sp, out};
  int rc =
      limn__parallel_for(ctx, (n + TREES_CHUNK - 1) / TREES_CHUNK, t->ngroups * sizeof(float), fwd_item, &a);
  return rc == LIMN_ENOMEM ? rc : LIMN_OK;
}

static const limn__model_vt trees_vt = {trees_forward, NULL, trees_destroy, NULL, NULL, NULL, NULL};

static const limn__trees *trees_of(const limn_model *m) {
  return m && !strcmp(m->kind, "xgboost") ? m->impl : NULL;
}

/* ---- path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2) ---- */

typedef struct pelem {
  long d;         /* feature, -1 for the start */
  double z, o, w; /* zero fraction, one fraction, permutation weight */
} pelem;

static void extend(pelem *m, size_t ud, double z, double o, long d) {
  m[ud].d = d, m[ud].z = z, m[ud].o = o, m[ud].w = ud == 0 ? 1 : 0;
  for (size_t i = ud; i-- > 0;) {
    m[i + 1].w += o * m[i].w * (double)(i + 1) / (double)(ud + 1);
    m[i].w = z * m[i].w * (double)(ud - i) / (double)(ud + 1);
  }
}

static void unwind(pelem *m, size_t ud, size_t k) {
  double z = m[k].z, o = m[k].o, n = m[ud].w;
  for (size_t i = ud; i-- > 0;) {
    if (o != 0) {
      double t = m[i].w;
      m[i].w = n * (double)(ud + 1) / ((double)(i + 1) * o);
      n = t - m[i].w * z * (double)(ud - i) / (double)(ud + 1);
    } else {
      m[i].w = m[i].w * (double)(ud + 1) / (z * (double)(ud - i));
    }
  }
  for (size_t i = k; i < ud; i++)
    m[i].d = m[i + 1].d, m[i].z = m[i + 1].z, m[i].o = m[i + 1].o;
}

static double unwound_sum(const pelem *m, size_t ud, size_t k) {
  double z = m[k].z, o = m[k].o, n = m[ud].w, total = 0;
  for (size_t i = ud; i-- > 0;) {
    if (o != 0) {
      double t = n / ((double)(i + 1) * o);
      total += t;
      n = m[i].w - t * z * (double)(ud - i);
    } else if (z != 0) {
      total += m[i].w / (z * (double)(ud - i));
    }
  }
  return total * (double)(ud + 1);
}

typedef struct shap_walk {
  const tnode *nd;
  const float *x;
  double *phi;
  double scale; /* dart's weight */
} shap_walk;

/* Node j, its path the parent's ud elements; m has room for this level and below. */
static void recurse(const shap_walk *w, size_t j, const pelem *parent, size_t ud, pelem *m, double z,
                    double o, long d) {
  if (ud)
    memcpy(m, parent, ud * sizeof *m);
  extend(m, ud, z, o, d);
  const tnode *n = &w->nd[j];
  if (n->left < 0) {
    for (size_t k = 1; k <= ud; k++)
      w->phi[m[k].d] += unwound_sum(m, ud, k) * (m[k].o - m[k].z) * w->scale * n->value;
    return;
  }
  float v = w->x[n->feature];
  size_t hot =
      (size_t)(isnan(v) ? (n->default_left ? n->left : n->right) : (v < n->value ? n->left : n->right));
  size_t cold = hot == (size_t)n->left ? (size_t)n->right : (size_t)n->left;
  double r = n->cover, iz = 1, io = 1;
  size_t k = 1, nud = ud;
  for (; k <= ud && m[k].d != (long)n->feature; k++)
    ;
  if (k <= ud) {
    iz = m[k].z, io = m[k].o;
    unwind(m, ud, k);
    nud = ud - 1;
  }
  double zh = r > 0 ? iz * w->nd[hot].cover / r : 0, zc = r > 0 ? iz * w->nd[cold].cover / r : 0;
  recurse(w, hot, m, nud + 1, m + nud + 2, zh, io, (long)n->feature);
  recurse(w, cold, m, nud + 1, m + nud + 2, zc, 0, (long)n->feature);
}

int limn__trees_shap(limn_ctx *ctx, const limn_model *m, const float *x, size_t group, double *phi,
                     double *bias, double *margin) {
  const limn__trees *t = trees_of(m);
  if (!t)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "TreeSHAP needs a tree model");
  if (!t->mean)
    return limn__err(ctx, LIMN_EUNSUPPORTED,
                     "TreeSHAP needs each node's cover (XGBoost's sum_hessian), which this model file lacks");
  size_t D = t->depth + 3, cap = D * (D + 1) / 2 + D;
  pelem *path = limn__alloc_array(ctx, cap, sizeof *path);
  float *mg = limn__alloc_array(ctx, t->ngroups, sizeof *mg);
  if (!path || !mg) {
    limn__free(ctx, path), limn__free(ctx, mg);
    return LIMN_ENOMEM;
  }
  for (size_t j = 0; j < m->nfeatures; j++)
    phi[j] = 0;
  *bias = t->base[group];
  for (size_t k = 0; k < t->ntrees; k++) {
    if (t->group[k] != group)
      continue;
    shap_walk w = {t->nodes + t->start[k], x, phi, t->weight ? t->weight[k] : 1.0};
    *bias += w.scale * t->mean[t->start[k]];
    recurse(&w, 0, NULL, 0, path, 1, 1, -1);
  }
  margins(t, x, mg);
  *margin = mg[group];
  limn__free(ctx, path), limn__free(ctx, mg);
  return LIMN_OK;
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

/* Array `key` of exactly n numbers (null allowed when nulls: read as NaN) into out (float). */
static int get_floats(const xrd *r, const cJSON *tree, size_t t, const char *key, size_t n, int nulls,
                      float *out) {
  const cJSON *a = tree_array(r, tree, t, key, n), *v;
  size_t i = 0;
  if (!a)
    return LIMN_EFORMAT;
  cJSON_ArrayForEach(v, a) {
    if (cJSON_IsNumber(v))
      out[i++] = (float)v->valuedouble;
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

/* One tree into t->nodes from position at. */
static int read_tree(const xrd *r, const cJSON *tree, size_t k, size_t nfeat, limn__trees *t, size_t at,
                     size_t nn) {
  limn_ctx *ctx = r->ctx;
  long *iv = limn__alloc_array(ctx, 4 * (nn ? nn : 1), sizeof *iv);
  float *val = limn__alloc_array(ctx, nn ? nn : 1, sizeof *val);
  int rc = iv && val ? LIMN_OK : LIMN_ENOMEM;
  long *left = iv, *right = iv + nn, *feat = iv + 2 * nn, *dl = iv + 3 * nn;
  const cJSON *st = member(tree, "split_type");
  if (rc == LIMN_OK)
    rc = get_ints(r, tree, k, "left_children", nn, -1, (double)nn - 1, left);
  if (rc == LIMN_OK)
    rc = get_ints(r, tree, k, "right_children", nn, -1, (double)nn - 1, right);
  if (rc == LIMN_OK)
    rc = get_ints(r, tree, k, "split_indices", nn, 0, 4294967295.0, feat);
  if (rc == LIMN_OK)
    rc = get_ints(r, tree, k, "default_left", nn, 0, 1, dl);
  if (rc == LIMN_OK)
    rc = get_floats(r, tree, k, "split_conditions", nn, 1, val);
  float *cover = rc == LIMN_OK ? limn__alloc_array(ctx, nn ? nn : 1, sizeof *cover) : NULL;
  if (rc == LIMN_OK && !cover)
    rc = LIMN_ENOMEM;
  if (rc == LIMN_OK && member(tree, "sum_hessian"))
    rc = get_floats(r, tree, k, "sum_hessian", nn, 0, cover);
  else
    for (size_t i = 0; i < nn && cover; i++)
      cover[i] = NAN;
  if (rc == LIMN_OK && cJSON_IsArray(st)) { /* categorical partitions: not read yet */
    const cJSON *v;
    size_t i = 0;
    cJSON_ArrayForEach(v, st) {
      if (cJSON_IsNumber(v) && v->valuedouble != 0) {
        rc = limn__err(ctx, LIMN_EUNSUPPORTED,
                       "%s: tree %zu, node %zu: a categorical split (split_type 1); limn reads numerical "
                       "splits only so far",
                       r->name, k, i);
        break;
      }
      i++;
    }
  }
  for (size_t i = 0; i < nn && rc == LIMN_OK; i++) {
    tnode *nd = &t->nodes[at + i];
    int leaf = left[i] < 0 || right[i] < 0;
    if (leaf && (left[i] >= 0 || right[i] >= 0))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: one child only", r->name, k, i);
    else if (!leaf && (left[i] <= (long)i || right[i] <= (long)i || left[i] == right[i]))
      /* XGBoost numbers children after their parent: this also rules out cycles */
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: children %ld and %ld do not follow it",
                     r->name, k, i, left[i], right[i]);
    else if (!leaf && (size_t)feat[i] >= nfeat)
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: feature %ld of %zu", r->name, k, i, feat[i],
                     nfeat);
    else if (leaf ? !isfinite(val[i]) : isnan(val[i]))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu, node %zu: %s is not a number", r->name, k, i,
                     leaf ? "the leaf value" : "the threshold");
    if (rc)
      break;
    nd->left = leaf ? -1 : (int32_t)left[i], nd->right = leaf ? -1 : (int32_t)right[i];
    nd->feature = leaf ? 0 : (uint32_t)feat[i], nd->value = val[i], nd->default_left = (uint8_t)dl[i];
    nd->cover = cover[i] >= 0 ? cover[i] : NAN; /* (a negative or NaN cover: none) */
  }
  /* every node but the root has one parent (no shared subtrees) */
  for (size_t i = 0; i < nn && rc == LIMN_OK; i++)
    dl[i] = 0;
  for (size_t i = 0; i < nn && rc == LIMN_OK; i++)
    if (left[i] >= 0 && (dl[left[i]]++ || dl[right[i]]++))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu: node %ld has two parents", r->name, k,
                     dl[left[i]] > 1 ? left[i] : right[i]);
  limn__free(ctx, iv), limn__free(ctx, val), limn__free(ctx, cover);
  return rc;
}

/* Each node's cover-weighted mean leaf value (bottom-up: children follow their parents)
 * and the deepest leaf; no means when a cover is missing. */
static int tree_means(limn_ctx *ctx, limn__trees *t) {
  size_t total = t->start[t->ntrees], *depth = limn__calloc(ctx, total ? total : 1, sizeof *depth);
  int covered = 1;
  if (!depth)
    return LIMN_ENOMEM;
  for (size_t q = 0; q < total; q++)
    covered &= !isnan(t->nodes[q].cover);
  t->mean = covered ? limn__alloc_array(ctx, total ? total : 1, sizeof *t->mean) : NULL;
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
    double *mu = covered ? t->mean + t->start[k] : NULL;
    for (size_t i = nn; mu && i-- > 0;) {
      if (nd[i].left < 0) {
        mu[i] = nd[i].value;
        continue;
      }
      double rl = nd[nd[i].left].cover, rr = nd[nd[i].right].cover;
      mu[i] = rl + rr > 0 ? (rl * mu[nd[i].left] + rr * mu[nd[i].right]) / (rl + rr) : 0;
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

static int build(const xrd *r, const cJSON *root, limn_model **out) {
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
  tree_obj obj = OBJ_REG_SQUAREDERROR;
  size_t o = 0, nobj = sizeof objectives / sizeof *objectives;
  for (; cJSON_IsString(objective) && o < nobj && strcmp(objectives[o].name, objective->valuestring); o++)
    ;
  if (!cJSON_IsString(objective) || o == nobj)
    return limn__err(ctx, LIMN_EUNSUPPORTED,
                     "%s: objective '%s': limn reads binary:logistic, binary:logitraw, reg:squarederror, "
                     "reg:logistic, multi:softprob and multi:softmax",
                     r->name, cJSON_IsString(objective) ? objective->valuestring : "?");
  obj = objectives[o].obj;
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
  int multi = obj == OBJ_MULTI_SOFTPROB || obj == OBJ_MULTI_SOFTMAX;
  size_t ngroups = multi ? nclass : 1;
  if (nfeat == 0 || (multi && nclass < 2))
    return limn__err(ctx, LIMN_EFORMAT, "%s: %zu features, %zu classes", r->name, nfeat, nclass);
  if (!cJSON_IsArray(trees) || (size_t)cJSON_GetArraySize(trees) != ntrees || !cJSON_IsArray(info) ||
      (size_t)cJSON_GetArraySize(info) != ntrees)
    return limn__err(ctx, LIMN_EFORMAT, "%s: 'trees' and 'tree_info' must hold num_trees (%zu) entries",
                     r->name, ntrees);
  if (wd && (!cJSON_IsArray(wd) || (size_t)cJSON_GetArraySize(wd) != ntrees))
    return limn__err(ctx, LIMN_EFORMAT, "%s: dart's weight_drop must hold one weight per tree", r->name);
  /* the schema: feature names (or f0..), the classes "0".. */
  limn_schema *s = NULL;
  const cJSON *names = member(learner, "feature_names"), *v;
  size_t nnames = cJSON_IsArray(names) ? (size_t)cJSON_GetArraySize(names) : 0;
  if (nnames && nnames != nfeat)
    return limn__err(ctx, LIMN_EFORMAT, "%s: %zu feature names for %zu features", r->name, nnames, nfeat);
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
  int cls = obj == OBJ_BINARY_LOGISTIC || obj == OBJ_BINARY_LOGITRAW || multi;
  size_t ncls = multi ? nclass : cls ? 2 : 0;
  char **cn = cls && rc == LIMN_OK ? limn__calloc(ctx, ncls, sizeof *cn) : NULL;
  if (cls && rc == LIMN_OK && !cn)
    rc = LIMN_ENOMEM;
  for (size_t c = 0; c < ncls && rc == LIMN_OK; c++) {
    snprintf(buf, sizeof buf, "%zu", c);
    if (!(cn[c] = limn__strdup(ctx, buf)))
      rc = LIMN_ENOMEM;
  }
  if (rc == LIMN_OK)
    rc = limn_schema_set_target(ctx, s, "target", cls ? LIMN_TASK_CLASSIFICATION : LIMN_TASK_REGRESSION,
                                (const char *const *)cn, ncls);
  for (size_t c = 0; cn && c < ncls; c++)
    limn__free(ctx, cn[c]);
  limn__free(ctx, cn);
  limn_model *m = NULL;
  if (rc == LIMN_OK)
    rc = limn__model_new(ctx, "xgboost", s, nfeat, cls ? ncls : 1, &trees_vt, &m);
  limn_schema_free(s);
  limn__trees *t = rc == LIMN_OK ? limn__calloc(ctx, 1, sizeof *t) : NULL;
  if (rc == LIMN_OK && !t)
    rc = LIMN_ENOMEM;
  if (t) {
    m->impl = t, m->missing_ok = 1;
    t->obj = obj, t->ntrees = ntrees, t->ngroups = ngroups;
    t->start = limn__calloc(ctx, ntrees + 1, sizeof *t->start);
    t->group = limn__alloc_array(ctx, ntrees ? ntrees : 1, sizeof *t->group);
    t->base = limn__alloc_array(ctx, ngroups, sizeof *t->base);
    t->weight = wd ? limn__alloc_array(ctx, ntrees ? ntrees : 1, sizeof *t->weight) : NULL;
    if (!t->start || !t->group || !t->base || (wd && !t->weight))
      rc = LIMN_ENOMEM;
  }
  /* sizes first (all trees' nodes in one array), then the trees */
  size_t k = 0;
  cJSON_ArrayForEach(v, trees) {
    if (rc)
      break;
    const cJSON *tp = member(v, "tree_param"), *gi = cJSON_GetArrayItem(info, (int)k);
    size_t nn;
    const cJSON *lc = member(v, "left_children");
    if ((rc = get_count(r, tp, "num_nodes", TREES_MAX_NODES, &nn)))
      break;
    if (!cJSON_IsArray(lc) || (size_t)cJSON_GetArraySize(lc) != nn) /* (before allocating for it) */
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu: 'left_children' does not hold num_nodes (%zu) entries",
                     r->name, k, nn);
    else if (nn == 0 || nn > TREES_MAX_NODES - t->start[k])
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree %zu has %zu nodes (at most %zu in all)", r->name, k, nn,
                     TREES_MAX_NODES);
    else if (!cJSON_IsNumber(gi) || !(gi->valuedouble >= 0 && gi->valuedouble < (double)ngroups) ||
             gi->valuedouble != floor(gi->valuedouble))
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: tree_info[%zu] is not an output group 0..%zu", r->name, k,
                     ngroups - 1);
    else {
      t->start[k + 1] = t->start[k] + nn;
      t->group[k] = (size_t)gi->valuedouble;
      if (wd) {
        const cJSON *w = cJSON_GetArrayItem(wd, (int)k);
        if (!cJSON_IsNumber(w) || !isfinite(w->valuedouble))
          rc = limn__err(ctx, LIMN_EFORMAT, "%s: weight_drop[%zu] is not a number", r->name, k);
        else
          t->weight[k] = (float)w->valuedouble;
      }
    }
    k++;
  }
  if (rc == LIMN_OK &&
      !(t->nodes = limn__alloc_array(ctx, t->start[ntrees] ? t->start[ntrees] : 1, sizeof *t->nodes)))
    rc = LIMN_ENOMEM;
  k = 0;
  cJSON_ArrayForEach(v, trees) {
    if (rc)
      break;
    rc = read_tree(r, v, k, nfeat, t, t->start[k], t->start[k + 1] - t->start[k]);
    k++;
  }
  if (rc == LIMN_OK)
    rc = tree_means(ctx, t);
  double *bs = rc == LIMN_OK ? limn__alloc_array(ctx, ngroups, sizeof *bs) : NULL;
  if (rc == LIMN_OK)
    rc = bs ? base_scores(r, param, ngroups, bs) : LIMN_ENOMEM;
  for (size_t g = 0; g < ngroups && rc == LIMN_OK; g++) {
    double b = bs[g];
    if (obj == OBJ_BINARY_LOGISTIC || obj == OBJ_REG_LOGISTIC) { /* stored as a probability */
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

int limn_model_load_xgboost_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                                limn_model **out) {
  if (!ctx || !out || (!buf && len))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_model_load_xgboost_mem: NULL argument") : LIMN_EINVAL;
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

int limn_model_load_xgboost(limn_ctx *ctx, const char *path, limn_model **out) {
  if (!ctx || !out || !path)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_model_load_xgboost: NULL argument") : LIMN_EINVAL;
  *out = NULL;
  char *buf;
  size_t len;
  LIMN_TRY(limn__read_file(ctx, path, &buf, &len));
  int rc = limn_model_load_xgboost_mem(ctx, buf, len, path, out);
  limn__free(ctx, buf);
  return rc;
}

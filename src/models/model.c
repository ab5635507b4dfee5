/* The model interface: validation, dispatch, slots, callback models. */
#include "model_internal.h"
#include <math.h>
#include <stdio.h>

int limn__model_new(limn_ctx *ctx, const char *kind, const limn_schema *schema, size_t nfeatures,
                    size_t noutputs, const limn__model_vt *vt, limn_model **out) {
  *out = NULL;
  int rc;
  limn_model *m = limn__calloc(ctx, 1, sizeof *m);
  if (!m)
    return LIMN_ENOMEM;
  m->ctx = ctx;
  m->kind = kind;
  m->vt = vt;
  m->nfeatures = nfeatures;
  m->noutputs = noutputs;
  if (schema) {
    LIMN_FAIL_IF(limn_schema_nfeatures(schema) != nfeatures, ctx, LIMN_ESHAPE,
                 "schema has %zu features, the model %zu", limn_schema_nfeatures(schema), nfeatures);
    LIMN_CHECK(limn_schema_clone(ctx, schema, &m->schema));
  }
  size_t ns = 0;
  for (size_t j = 0; j < nfeatures; j++) {
    size_t k = schema && limn_schema_feature_kind(schema, j) == LIMN_COL_CATEGORICAL
                   ? limn_schema_ncategories(schema, j)
                   : 1;
    LIMN_FAIL_IF(ns + k < ns, ctx, LIMN_EINVAL, "too many slots");
    ns += k;
  }
  m->nslots = ns;
  m->slot_col = limn__alloc_array(ctx, ns ? ns : 1, sizeof *m->slot_col);
  m->slot_cat = limn__alloc_array(ctx, ns ? ns : 1, sizeof *m->slot_cat);
  m->col_slot = limn__alloc_array(ctx, nfeatures ? nfeatures : 1, sizeof *m->col_slot);
  LIMN_FAIL_IF(!m->slot_col || !m->slot_cat || !m->col_slot, ctx, LIMN_ENOMEM, "out of memory");
  size_t s = 0;
  for (size_t j = 0; j < nfeatures; j++) {
    m->col_slot[j] = s;
    if (schema && limn_schema_feature_kind(schema, j) == LIMN_COL_CATEGORICAL) {
      for (size_t c = 0; c < limn_schema_ncategories(schema, j); c++, s++) {
        m->slot_col[s] = j;
        m->slot_cat[s] = (long)c;
      }
    } else {
      m->slot_col[s] = j;
      m->slot_cat[s++] = -1;
    }
  }
  *out = m;
  return LIMN_OK;
fail:
  limn_model_free(m);
  return rc;
}

void limn_model_free(limn_model *m) {
  if (!m)
    return;
  limn_ctx *ctx = m->ctx;
  if (m->vt && m->vt->destroy)
    m->vt->destroy(m);
  limn_schema_free(m->schema);
  limn_stats_free(m->stats);
  limn__free(ctx, m->slot_col);
  limn__free(ctx, m->slot_cat);
  limn__free(ctx, m->col_slot);
  for (size_t j = 0; m->desc && j < m->nfeatures; j++) {
    limn__free(ctx, m->desc[j]);
    limn__free(ctx, m->unit[j]);
  }
  limn__free(ctx, m->desc);
  limn__free(ctx, m->unit);
  limn__free(ctx, m);
}

const char *limn_model_kind(const limn_model *m) { return m->kind; }
size_t limn_model_nfeatures(const limn_model *m) { return m->nfeatures; }
size_t limn_model_noutputs(const limn_model *m) { return m->noutputs; }
size_t limn_model_nslots(const limn_model *m) { return m->nslots; }
const limn_schema *limn_model_schema(const limn_model *m) { return m->schema; }
int limn_model_has_vjp(const limn_model *m) { return m->vt->vjp != NULL; }
const limn_stats *limn_model_stats(const limn_model *m) { return m->stats; }

int limn_model_slot(limn_ctx *ctx, const limn_model *m, size_t s, size_t *column, long *category) {
  if (!m)
    return limn__err(ctx, LIMN_EINVAL, "limn_model_slot: NULL model");
  if (s >= m->nslots)
    return limn__err(ctx, LIMN_EINVAL, "slot %zu of a model with %zu input slots", s, m->nslots);
  if (column)
    *column = m->slot_col[s];
  if (category)
    *category = m->slot_cat[s];
  return LIMN_OK;
}

limn_task limn_model_task(const limn_model *m) {
  if (m->schema && limn_schema_target_name(m->schema))
    return limn_schema_task(m->schema);
  return LIMN_TASK_REGRESSION;
}

const char *limn_model_output_name(const limn_model *m, size_t k) {
  if (m->schema && limn_schema_target_name(m->schema)) {
    if (limn_schema_task(m->schema) == LIMN_TASK_CLASSIFICATION && k < limn_schema_nclasses(m->schema))
      return limn_schema_class_name(m->schema, k);
    if (limn_schema_task(m->schema) == LIMN_TASK_REGRESSION && m->noutputs == 1)
      return limn_schema_target_name(m->schema);
  }
  return "output";
}

int limn_model_set_stats(limn_ctx *ctx, limn_model *m, const limn_stats *st) {
  if (limn_stats_nfeatures(st) != m->nfeatures)
    return limn__err(ctx, LIMN_ESHAPE, "statistics have %zu features, the model %zu",
                     limn_stats_nfeatures(st), m->nfeatures);
  limn_stats *c;
  LIMN_TRY(limn_stats_clone(m->ctx, st, &c));
  limn_stats_free(m->stats);
  m->stats = c;
  return LIMN_OK;
}

/* Rows must be finite with valid category codes. */
/* 1 when every value is finite and every categorical column holds a code: one
 * branch-free pass (the common case; the first bad value is then looked for). */
/* v is a code of a column with k categories. */
static inline int is_code(float v, float k) { return v >= 0 && v == floorf(v) && v < k; }

static int input_ok(const limn_model *m, const float *x, size_t n) {
  size_t d = m->nfeatures;
  int ok = 1;
  for (size_t q = 0; q < n * d; q++)
    ok &= x[q] - x[q] == 0.0f; /* NaN and infinities give NaN */
  for (size_t j = 0; j < d && ok; j++)
    if (m->slot_cat[m->col_slot[j]] >= 0) {
      float k = (float)limn_schema_ncategories(m->schema, j);
      for (size_t i = 0; i < n; i++)
        ok &= is_code(x[i * d + j], k);
    }
  return ok;
}

int limn__model_check_input(limn_ctx *ctx, const limn_model *m, const float *x, size_t n) {
  if (!x)
    return limn__err(ctx, LIMN_EINVAL, "input rows are NULL");
  if (input_ok(m, x, n))
    return LIMN_OK;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < m->nfeatures; j++) {
      float v = x[i * m->nfeatures + j];
      const char *name = m->schema ? limn_schema_feature_name(m->schema, j) : NULL;
      if (!isfinite(v) && !(m->missing_ok && isnan(v)))
        return limn__err(ctx, LIMN_ENONFINITE, "row %zu, column %zu%s%s%s: value is not finite", i, j,
                         name ? " '" : "", name ? name : "", name ? "'" : "");
      if (m->slot_cat[m->col_slot[j]] >= 0) {
        size_t k = limn_schema_ncategories(m->schema, j);
        if (!is_code(v, (float)k))
          return limn__err(ctx, LIMN_EINVAL, "row %zu, column '%s': %g is not a category code (0..%zu)", i,
                           name, (double)v, k - 1);
      }
    }
  return LIMN_OK;
}

void limn__softmax(const float *z, size_t k, float *out) {
  double mx = -INFINITY, s = 0;
  for (size_t c = 0; c < k; c++)
    mx = z[c] > mx ? z[c] : mx;
  for (size_t c = 0; c < k; c++)
    s += exp((double)z[c] - mx);
  for (size_t c = 0; c < k; c++)
    out[c] = (float)(exp((double)z[c] - mx) / s);
}

int limn_model_takes_missing(const limn_model *m) { return m && m->missing_ok; }

/* A model's outputs are numbers: NaN or an infinity (a graph that divides by zero, a
 * command, a callback) is an error naming the row, never a result. */
static int check_output(limn_ctx *ctx, const limn_model *m, const float *out, size_t n) {
  for (size_t q = 0; q < n * m->noutputs; q++)
    if (!isfinite(out[q]))
      return limn__err(ctx, LIMN_ENONFINITE,
                       "the model's output '%s' for row %zu of the %zu it was given is %s, not a number",
                       limn_model_output_name(m, q % m->noutputs), q / m->noutputs, n,
                       isnan(out[q]) ? "NaN"
                       : out[q] > 0  ? "+infinity"
                                     : "-infinity");
  return LIMN_OK;
}

int limn_model_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                       float *out) {
  if (n == 0)
    return LIMN_OK;
  if (!out)
    return limn__err(ctx, LIMN_EINVAL, "output buffer is NULL");
  if (sp != LIMN_SPACE_OUTPUT && sp != LIMN_SPACE_LOGIT)
    return limn__err(ctx, LIMN_EINVAL, "unknown output space %d", (int)sp);
  LIMN_TRY(limn__model_check_input(ctx, m, x, n));
  LIMN_TRY(m->vt->forward(ctx, m, x, n, sp, out));
  return check_output(ctx, m, out, n);
}

size_t limn_model_nhidden(const limn_model *m) {
  const limn__mlp *p = limn__mlp_of(m);
  return p ? p->nlayers - 1 : 0;
}

size_t limn_model_hidden_width(const limn_model *m, size_t layer) {
  const limn__mlp *p = limn__mlp_of(m);
  return p && layer >= 1 && layer < p->nlayers ? p->width[layer] : 0;
}

int limn_model_hidden(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, size_t layer,
                      float *out) {
  size_t nh = limn_model_nhidden(m);
  if (!limn__mlp_of(m))
    return limn__err(ctx, LIMN_EUNSUPPORTED, "a %s model has no hidden layers to read", m->kind);
  if (layer < 1 || layer > nh)
    return limn__err(ctx, LIMN_EINVAL, "hidden layer %zu asked of a network with %zu (1..%zu)", layer, nh,
                     nh);
  if (n == 0)
    return LIMN_OK;
  if (!out)
    return limn__err(ctx, LIMN_EINVAL, "output buffer is NULL");
  LIMN_TRY(limn__model_check_input(ctx, m, x, n));
  return limn__mlp_hidden(ctx, m, x, n, layer, out);
}

int limn_model_predict(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, float *out) {
  return limn_model_forward(ctx, m, x, n, LIMN_SPACE_OUTPUT, out);
}

int limn_model_vjp(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const float *w,
                   limn_space sp, float *grad) {
  if (!m->vt->vjp)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "this %s model has no gradients", m->kind);
  if (n == 0)
    return LIMN_OK;
  if (!w || !grad)
    return limn__err(ctx, LIMN_EINVAL, "vjp needs weights and a gradient buffer");
  if (sp != LIMN_SPACE_OUTPUT && sp != LIMN_SPACE_LOGIT)
    return limn__err(ctx, LIMN_EINVAL, "unknown output space %d", (int)sp);
  LIMN_TRY(limn__model_check_input(ctx, m, x, n));
  for (size_t i = 0; i < n * m->noutputs; i++)
    if (!isfinite(w[i]))
      return limn__err(ctx, LIMN_ENONFINITE, "vjp weight %zu is not finite", i);
  return m->vt->vjp(ctx, m, x, n, w, sp, grad);
}

/* ---- callback models ---- */

static int cb_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                      float *out) {
  const limn_model_callbacks *cb = m->impl;
  int (*fn)(void *, const float *, size_t, float *) = cb->predict;
  if (sp == LIMN_SPACE_LOGIT) {
    if (!cb->logits)
      return limn__err(ctx, LIMN_EUNSUPPORTED, "this callback model gives no logits");
    fn = cb->logits;
  }
  int r = fn(cb->ud, x, n, out);
  if (r != 0)
    return limn__err(ctx, LIMN_ECALLBACK, "model callback failed with %d", r);
  for (size_t i = 0; i < n * m->noutputs; i++)
    if (!isfinite(out[i]))
      return limn__err(ctx, LIMN_ENONFINITE, "model callback returned a non-finite value for row %zu",
                       i / m->noutputs);
  return LIMN_OK;
}

static int cb_vjp(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const float *w, limn_space sp,
                  float *grad) {
  const limn_model_callbacks *cb = m->impl;
  int r = cb->vjp(cb->ud, x, n, w, sp, grad);
  if (r == LIMN_EUNSUPPORTED)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "the model callback has no gradients in this space");
  if (r != 0)
    return limn__err(ctx, LIMN_ECALLBACK, "model vjp callback failed with %d", r);
  return LIMN_OK;
}

static void cb_destroy(limn_model *m) {
  limn_model_callbacks *cb = m->impl;
  if (!cb)
    return;
  if (cb->destroy)
    cb->destroy(cb->ud);
  limn__free(m->ctx, cb);
}

static const limn__model_vt cb_vt = {cb_forward, cb_vjp, cb_destroy, NULL, NULL, NULL, NULL};
static const limn__model_vt cb_vt_nograd = {cb_forward, NULL, cb_destroy, NULL, NULL, NULL, NULL};

int limn_model_from_callbacks(limn_ctx *ctx, const limn_model_callbacks *cb, const limn_schema *schema,
                              limn_model **out) {
  *out = NULL;
  if (!cb || !cb->predict || cb->nfeatures == 0 || cb->noutputs == 0) {
    if (cb && cb->destroy)
      cb->destroy(cb->ud);
    return limn__err(ctx, LIMN_EINVAL, "callbacks need predict, nfeatures > 0 and noutputs > 0");
  }
  limn_model_callbacks *copy = limn__malloc(ctx, sizeof *copy);
  limn_model *m = NULL;
  int rc = copy ? limn__model_new(ctx, "callback", schema, cb->nfeatures, cb->noutputs,
                                  cb->vjp ? &cb_vt : &cb_vt_nograd, &m)
                : LIMN_ENOMEM;
  if (rc != LIMN_OK) {
    limn__free(ctx, copy);
    if (cb->destroy)
      cb->destroy(cb->ud);
    return rc;
  }
  *copy = *cb;
  m->impl = copy;
  *out = m;
  return LIMN_OK;
}

/* ---- slot level, for explainers ---- */

int limn__model_slots_supported(limn_ctx *ctx, const limn_model *m) {
  if (m->vt->forward_slots || m->nslots == m->nfeatures)
    return LIMN_OK;
  return limn__err(ctx, LIMN_EUNSUPPORTED,
                   "this %s model has categorical columns but no slot-level access, which gradients need",
                   m->kind);
}

void limn__model_to_slots(const limn_model *m, const float *x, size_t n, float *h) {
  if (m->vt->to_slots)
    m->vt->to_slots(m, x, n, h);
  else
    memcpy(h, x, n * m->nfeatures * sizeof *h);
}

double limn__model_slot_scale(const limn_model *m, size_t s) {
  return m->vt->slot_scale ? m->vt->slot_scale(m, s) : 1.0;
}

int limn__model_forward_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, limn_space sp,
                              float *out) {
  if (m->vt->forward_slots)
    LIMN_TRY(m->vt->forward_slots(ctx, m, h, n, sp, out));
  else {
    LIMN_TRY(limn__model_slots_supported(ctx, m));
    LIMN_TRY(m->vt->forward(ctx, m, h, n, sp, out));
  }
  return check_output(ctx, m, out, n);
}

/* Central differences of sum_k w_k out_k, one slot at a time (models without vjp):
 * step 1e-3 max(1, |h|), both points in one call. */
static int fd_vjp(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, const float *w, limn_space sp,
                  float *grad) {
  size_t ns = m->nslots, k = m->noutputs;
  float *xp = limn__alloc_array(ctx, 2 * ns, sizeof(float));
  float *o = limn__alloc_array(ctx, 2 * k, sizeof(float));
  int rc = xp && o ? LIMN_OK : LIMN_ENOMEM;
  for (size_t i = 0; i < n && rc == LIMN_OK; i++)
    for (size_t s = 0; s < ns && rc == LIMN_OK; s++) {
      memcpy(xp, h + i * ns, ns * sizeof(float));
      memcpy(xp + ns, h + i * ns, ns * sizeof(float));
      float a = fabsf(h[i * ns + s]);
      float step = 1e-3f * (a > 1.0f ? a : 1.0f);
      xp[s] += step;
      xp[ns + s] -= step;
      rc = limn__model_forward_slots(ctx, m, xp, 2, sp, o);
      double d = 0.0;
      for (size_t c = 0; c < k; c++)
        d += (double)w[i * k + c] * ((double)o[c] - o[k + c]);
      grad[i * ns + s] = (float)(d / ((double)xp[s] - xp[ns + s]));
    }
  limn__free(ctx, xp);
  limn__free(ctx, o);
  return rc;
}

int limn__model_vjp_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, const float *w,
                          limn_space sp, float *grad, float *out, int *used_fd) {
  *used_fd = 0;
  if (m->vt->vjp_slots)
    return m->vt->vjp_slots(ctx, m, h, n, w, sp, grad, out);
  LIMN_TRY(limn__model_slots_supported(ctx, m));
  if (out)
    LIMN_TRY(m->vt->forward(ctx, m, h, n, sp, out));
  if (m->vt->vjp)
    return m->vt->vjp(ctx, m, h, n, w, sp, grad);
  *used_fd = 1;
  return fd_vjp(ctx, m, h, n, w, sp, grad);
}

int limn_model_is_onnx(const void *buf, size_t len) {
  const unsigned char *b = buf;
  /* a ModelProto starts with field 1 (ir_version, varint) in every exporter; limn's own
   * files start with their magic */
  return buf && len >= 2 && b[0] == 0x08 && b[1] >= 3 && b[1] <= 20;
}

const limn__mlp *limn__model_pwl(const limn_model *m, char *why, size_t cap) {
  const limn__mlp *p = limn__mlp_of(m);
  if (p && (p->hidden == LIMN_ACT_RELU || p->hidden == LIMN_ACT_IDENTITY))
    return p;
  if (p) {
    if (why)
      snprintf(why, cap, "the MLP's hidden units are %s, which is not piecewise-linear",
               limn_activation_name(p->hidden));
    return NULL;
  }
  if (m && !strcmp(m->kind, "onnx"))
    return limn__onnx_pwl(m, why, cap);
  if (why)
    snprintf(why, cap, "a %s model is not a network of dense layers and ReLU", m ? m->kind : "missing");
  return NULL;
}

int limn_model_piecewise_linear(const limn_model *m, char *why, size_t cap) {
  if (why && cap)
    why[0] = '\0';
  if (!m) {
    if (why && cap)
      snprintf(why, cap, "no model");
    return 0;
  }
  return limn__model_pwl(m, why && cap ? why : NULL, cap) != NULL;
}

/* ---- column descriptions ---- */

int limn_model_describe(limn_ctx *ctx, limn_model *m, size_t j, const char *description, const char *unit) {
  if (!ctx || !m)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_model_describe: NULL model") : LIMN_EINVAL;
  if (j >= m->nfeatures)
    return limn__err(ctx, LIMN_EINVAL, "limn_model_describe: column %zu of %zu", j, m->nfeatures);
  if (!m->desc) {
    m->desc = limn__calloc(ctx, m->nfeatures, sizeof *m->desc);
    m->unit = limn__calloc(ctx, m->nfeatures, sizeof *m->unit);
    if (!m->desc || !m->unit) {
      limn__free(ctx, m->desc), limn__free(ctx, m->unit);
      m->desc = m->unit = NULL;
      return limn__err(ctx, LIMN_ENOMEM, "out of memory");
    }
  }
  char *d = description && *description ? limn__strdup(ctx, description) : NULL;
  char *u = unit && *unit ? limn__strdup(ctx, unit) : NULL;
  if ((description && *description && !d) || (unit && *unit && !u)) {
    limn__free(ctx, d), limn__free(ctx, u);
    return limn__err(ctx, LIMN_ENOMEM, "out of memory");
  }
  limn__free(ctx, m->desc[j]), limn__free(ctx, m->unit[j]);
  m->desc[j] = d, m->unit[j] = u;
  return LIMN_OK;
}

const char *limn_model_feature_description(const limn_model *m, size_t j) {
  return m && m->desc && j < m->nfeatures ? m->desc[j] : NULL;
}

const char *limn_model_feature_unit(const limn_model *m, size_t j) {
  return m && m->unit && j < m->nfeatures ? m->unit[j] : NULL;
}

/* The text of column c of row i of a text-read table ("" when out of range). */
static const char *cell(const limn_dataset *ds, size_t i, long c) {
  if (c < 0)
    return "";
  const char *v =
      limn_schema_category(limn_dataset_schema(ds), (size_t)c,
                           (size_t)limn_dataset_x(ds)[i * limn_dataset_nfeatures(ds) + (size_t)c]);
  return v ? v : "";
}

int limn_model_read_descriptions(limn_ctx *ctx, limn_model *m, const char *path) {
  if (!ctx || !m || !path)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_model_read_descriptions: NULL argument") : LIMN_EINVAL;
  if (!m->schema)
    return limn__err(ctx, LIMN_EINVAL, "%s: the model names no columns to describe", path);
  limn_read_opts ro = limn_read_opts_default();
  ro.as_text = 1;
  limn_dataset *ds = NULL;
  LIMN_TRY(limn_dataset_read_csv(ctx, path, &ro, &ds));
  const limn_schema *s = limn_dataset_schema(ds);
  long cc = limn_schema_find_feature(s, "column"), cd = limn_schema_find_feature(s, "description"),
       cu = limn_schema_find_feature(s, "unit");
  int rc = LIMN_OK;
  if (cc < 0 || cd < 0)
    rc = limn__err(ctx, LIMN_EPARSE,
                   "%s: line 1: the header needs the fields 'column' and 'description' (and "
                   "optionally 'unit')",
                   path);
  for (size_t i = 0; rc == LIMN_OK && i < limn_dataset_nrows(ds); i++) {
    const char *col = cell(ds, i, cc);
    long j = limn_schema_find_feature(m->schema, col);
    if (j < 0) {
      char names[600];
      size_t len = 0;
      names[0] = '\0';
      for (size_t q = 0; q < limn_schema_nfeatures(m->schema) && len < sizeof names - 80; q++)
        len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", q ? ", " : "",
                                limn_schema_feature_name(m->schema, q));
      rc = limn__err(ctx, LIMN_EPARSE,
                     "%s: line %zu: field 'column': '%.100s' is not one of the model's columns (%s%s)", path,
                     limn_dataset_row_line(ds, i), col, names, len >= sizeof names - 80 ? ", ..." : "");
      break;
    }
    if (limn_model_feature_description(m, (size_t)j)) {
      rc = limn__err(ctx, LIMN_EPARSE, "%s: line %zu: field 'column': '%.100s' is described twice", path,
                     limn_dataset_row_line(ds, i), col);
      break;
    }
    const char *desc = cell(ds, i, cd);
    if (!*desc) {
      rc = limn__err(ctx, LIMN_EPARSE, "%s: line %zu: field 'description' is empty", path,
                     limn_dataset_row_line(ds, i));
      break;
    }
    rc = limn_model_describe(ctx, m, (size_t)j, desc, cell(ds, i, cu));
  }
  limn_dataset_free(ds);
  for (size_t j = 0; rc != LIMN_OK && m->desc && j < m->nfeatures; j++) /* all or nothing */
    limn_model_describe(ctx, m, j, NULL, NULL);
  return rc;
}

int limn_model_image_shape(limn_ctx *ctx, const limn_model *m, size_t *channels, size_t *height,
                           size_t *width) {
  size_t c = 0, h = 0, w = 0;
  int rc = m ? limn__onnx_image_shape(NULL, m, &c, &h, &w) : LIMN_EINVAL;
  if (channels)
    *channels = rc ? 0 : c;
  if (height)
    *height = rc ? 0 : h;
  if (width)
    *width = rc ? 0 : w;
  if (!m)
    return limn__err(ctx, LIMN_EINVAL, "limn_model_image_shape: the model is NULL");
  if (rc)
    return limn__err(ctx, LIMN_EUNSUPPORTED,
                     "the model takes rows of %zu columns, not images (an ONNX graph whose input is declared "
                     "(N, C, H, W))",
                     limn_model_nfeatures(m));
  return LIMN_OK;
}

void limn__redraw_normal(float *v, size_t n, uint64_t seed, uint64_t stream) {
  double m = 0, s2 = 0;
  for (size_t q = 0; q < n; q++)
    m += v[q];
  m /= n ? (double)n : 1;
  for (size_t q = 0; q < n; q++)
    s2 += ((double)v[q] - m) * ((double)v[q] - m);
  double sd = n > 1 ? sqrt(s2 / (double)(n - 1)) : 0;
  limn_rng g;
  limn_rng_init(&g, seed, stream);
  for (size_t q = 0; q < n; q++)
    v[q] = (float)(m + sd * limn_rng_normal(&g));
}

int limn_model_randomize_layers(limn_ctx *ctx, limn_model *m, size_t nlayers, uint64_t seed, size_t *done) {
  size_t k = 0;
  if (done)
    *done = 0;
  if (!m)
    return limn__err(ctx, LIMN_EINVAL, "limn_model_randomize_layers: the model is NULL");
  limn__mlp *p = (limn__mlp *)limn__mlp_of(m);
  if (p) {
    for (size_t l = p->nlayers; l-- > 0 && k < nlayers; k++) {
      size_t in = p->width[l], out = p->width[l + 1];
      limn__redraw_normal(p->W[l], in * out, seed, 2 * k);
      limn__redraw_normal(p->b[l], out, seed, 2 * k + 1);
      for (size_t o = 0; p->Wt && p->Wt[l] && o < out; o++)
        for (size_t i = 0; i < in; i++)
          p->Wt[l][i * out + o] = p->W[l][o * in + i];
    }
  } else {
    int rc = limn__onnx_randomize(ctx, m, nlayers, seed, &k);
    if (rc == LIMN_EUNSUPPORTED)
      return limn__err(ctx, LIMN_EUNSUPPORTED,
                       "randomised layers: for limn's MLPs and ONNX models (their weights are known)");
    if (rc)
      return rc;
  }
  if (done)
    *done = k;
  return LIMN_OK;
}

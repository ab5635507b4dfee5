/* The limn model file: writer and validating reader (docs/format.md). */
#include "model_internal.h"
#include <math.h>

#define MAGIC "LIMNMODL"
#define FORMAT_VERSION 1u
#define MAX_NAME 65536u
#define MAX_COUNT (1u << 20)

/* ---- writer ---- */

typedef struct wr {
  limn_ctx *ctx;
  limn__buf *b;
  int rc;
} wr;

static void put(wr *w, const void *p, size_t n) {
  if (w->rc == LIMN_OK)
    w->rc = limn__buf_put(w->ctx, w->b, p, n);
}
static void put_u8(wr *w, unsigned v) {
  unsigned char c = (unsigned char)v;
  put(w, &c, 1);
}
static void put_u32(wr *w, uint32_t v) {
  unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                        (unsigned char)(v >> 24)};
  put(w, c, 4);
}
static void put_u64(wr *w, uint64_t v) {
  put_u32(w, (uint32_t)v);
  put_u32(w, (uint32_t)(v >> 32));
}
static void put_f32(wr *w, float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  put_u32(w, u);
}
static void put_f64(wr *w, double f) {
  uint64_t u;
  memcpy(&u, &f, 8);
  put_u64(w, u);
}
static void put_str(wr *w, const char *s) {
  size_t n = strlen(s);
  put_u32(w, (uint32_t)n);
  put(w, s, n);
}
/* Start a section: tag and a length placeholder; returns the length's offset. */
static size_t section_begin(wr *w, const char *tag) {
  put(w, tag, 4);
  size_t at = w->b->len;
  put_u64(w, 0);
  return at;
}
static void section_end(wr *w, size_t at) {
  if (w->rc != LIMN_OK)
    return;
  uint64_t len = w->b->len - at - 8;
  for (int i = 0; i < 8; i++)
    w->b->data[at + (size_t)i] = (char)(unsigned char)(len >> (8 * i));
}

static void write_schema(wr *w, const limn_schema *s) {
  size_t at = section_begin(w, "SCHM");
  put_u32(w, (uint32_t)limn_schema_nfeatures(s));
  for (size_t j = 0; j < limn_schema_nfeatures(s); j++) {
    put_u8(w, limn_schema_feature_kind(s, j));
    put_str(w, limn_schema_feature_name(s, j));
    if (limn_schema_feature_kind(s, j) == LIMN_COL_CATEGORICAL) {
      put_u32(w, (uint32_t)limn_schema_ncategories(s, j));
      for (size_t c = 0; c < limn_schema_ncategories(s, j); c++)
        put_str(w, limn_schema_category(s, j, c));
    }
  }
  put_str(w, limn_schema_target_name(s));
  put_u8(w, limn_schema_task(s));
  put_u32(w, (uint32_t)limn_schema_nclasses(s));
  for (size_t k = 0; k < limn_schema_nclasses(s); k++)
    put_str(w, limn_schema_class_name(s, k));
  section_end(w, at);
}

static void write_mlp(wr *w, const limn_model *m) {
  const limn__mlp *p = m->impl;
  size_t at = section_begin(w, "MLP ");
  put_u8(w, p->hidden);
  put_u8(w, p->output);
  put_u32(w, (uint32_t)p->nlayers);
  for (size_t l = 0; l <= p->nlayers; l++)
    put_u32(w, (uint32_t)p->width[l]);
  for (size_t j = 0; j < m->nfeatures; j++)
    put_f32(w, p->mean[j]);
  for (size_t j = 0; j < m->nfeatures; j++)
    put_f32(w, p->std[j]);
  put_f64(w, p->y_shift);
  put_f64(w, p->y_scale);
  for (size_t l = 0; l < p->nlayers; l++) {
    for (size_t i = 0; i < p->width[l] * p->width[l + 1]; i++)
      put_f32(w, p->W[l][i]);
    for (size_t i = 0; i < p->width[l + 1]; i++)
      put_f32(w, p->b[l][i]);
  }
  section_end(w, at);
}

static void write_stats(wr *w, const limn_stats *st) {
  size_t at = section_begin(w, "STAT");
  put_u64(w, st->n);
  put_u32(w, (uint32_t)st->d);
  for (size_t j = 0; j < st->d; j++) {
    put_u8(w, (unsigned)st->kind[j]);
    if (st->kind[j] == LIMN_COL_NUMERIC) {
      put_f64(w, st->mean[j]);
      put_f64(w, st->std[j]);
      put_f64(w, st->min[j]);
      put_f64(w, st->max[j]);
      for (size_t q = 0; q < LIMN__NPCT; q++)
        put_f64(w, st->pct[j * LIMN__NPCT + q]);
    } else {
      put_u32(w, (uint32_t)st->ncats[j]);
      for (size_t c = 0; c < st->ncats[j]; c++)
        put_u64(w, st->counts[j][c]);
    }
  }
  section_end(w, at);
}

/* Optional section "lbin": LIME's discretisations of the numeric columns. */
static void write_bins(wr *w, const limn_stats *st) {
  size_t at = section_begin(w, "lbin");
  put_u32(w, (uint32_t)st->d);
  put_u32(w, (uint32_t)st->nclasses);
  for (size_t i = 0; i < st->d * LIMN__NDISC; i++) {
    const limn__bins *b = &st->bins[i];
    put_u8(w, (unsigned)b->present);
    if (!b->present)
      continue;
    put_u32(w, (uint32_t)b->ne);
    for (size_t k = 0; k < b->ne + 3 * (b->ne + 1); k++)
      put_f64(w, b->data[k]);
  }
  section_end(w, at);
}

static void write_train(wr *w, const limn__mlp *p) {
  size_t at = section_begin(w, "TRAN");
  put_u32(w, (uint32_t)p->info.epochs_run);
  put_u32(w, (uint32_t)p->info.best_epoch);
  put_f64(w, p->info.train_loss);
  put_f64(w, p->info.valid_loss);
  put_u64(w, p->seed);
  put_u32(w, (uint32_t)p->batch_size);
  put_f64(w, p->learning_rate);
  put_f64(w, p->l2);
  put_f64(w, p->valid_fraction);
  section_end(w, at);
}

/* What the reader refuses is never written: a non-finite weight, bias or
 * standardisation (a model whose training diverged). */
static int check_finite(limn_ctx *ctx, const limn_model *m) {
  const limn__mlp *p = m->impl;
  for (size_t l = 0; l < p->nlayers; l++) {
    size_t nw = p->width[l] * p->width[l + 1];
    for (size_t i = 0; i < nw; i++)
      if (!isfinite(p->W[l][i]))
        return limn__err(ctx, LIMN_ENONFINITE,
                         "layer %zu weight %zu is not finite (did training diverge?): the model is not saved",
                         l + 1, i);
    for (size_t i = 0; i < p->width[l + 1]; i++)
      if (!isfinite(p->b[l][i]))
        return limn__err(ctx, LIMN_ENONFINITE,
                         "layer %zu bias %zu is not finite (did training diverge?): the model is not saved",
                         l + 1, i);
  }
  for (size_t j = 0; j < m->nfeatures; j++)
    if (!isfinite(p->mean[j]) || !isfinite(p->std[j]))
      return limn__err(ctx, LIMN_ENONFINITE,
                       "the standardisation of column %zu is not finite: the model is not saved", j);
  return LIMN_OK;
}

int limn__mlp_serialize(limn_ctx *ctx, const limn_model *m, limn__buf *b) {
  if (!limn__mlp_of(m))
    return limn__err(ctx, LIMN_EUNSUPPORTED, "only MLP models can be saved (this one is '%s')", m->kind);
  LIMN_TRY(check_finite(ctx, m));
  wr w = {ctx, b, LIMN_OK};
  put(&w, MAGIC, 8);
  put_u32(&w, FORMAT_VERSION);
  put_u32(&w, 0);
  write_schema(&w, m->schema);
  write_mlp(&w, m);
  if (m->stats) {
    write_stats(&w, m->stats);
    write_bins(&w, m->stats);
  }
  write_train(&w, m->impl);
  size_t at = section_begin(&w, "END ");
  if (w.rc == LIMN_OK) {
    uint64_t h = limn__fnv1a64(b->data, b->len - 12); /* everything before this section */
    put_u64(&w, h);
  }
  section_end(&w, at);
  return w.rc;
}

int limn_model_save_mem(limn_ctx *ctx, const limn_model *m, unsigned char **buf, size_t *len) {
  limn__buf b = {0};
  int rc = limn__mlp_serialize(ctx, m, &b);
  if (rc != LIMN_OK) {
    limn__buf_free(ctx, &b);
    return rc;
  }
  *buf = (unsigned char *)b.data;
  *len = b.len;
  return LIMN_OK;
}

int limn_model_save(limn_ctx *ctx, const limn_model *m, const char *path) {
  limn__buf b = {0};
  int rc = limn__mlp_serialize(ctx, m, &b);
  if (rc == LIMN_OK)
    rc = limn__write_file_atomic(ctx, path, b.data, b.len);
  limn__buf_free(ctx, &b);
  return rc;
}

int limn_model_sha256(limn_ctx *ctx, const limn_model *m, char hex[65]) {
  if (!ctx || !m || !hex)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_model_sha256: NULL model or output") : LIMN_EINVAL;
  hex[0] = 0;
  if (m->sha256[0]) { /* the file it came from */
    memcpy(hex, m->sha256, 65);
    return LIMN_OK;
  }
  if (!limn__mlp_of(m))
    return limn__err(ctx, LIMN_EUNSUPPORTED, "a %s model made in memory has no file to identify it", m->kind);
  limn__buf b = {0}; /* the bytes limn_model_save would write */
  int rc = limn__mlp_serialize(ctx, m, &b);
  if (rc == LIMN_OK)
    limn_sha256(b.data, b.len, hex);
  limn__buf_free(ctx, &b);
  return rc;
}

/* ---- reader ---- */

typedef struct rd {
  limn_ctx *ctx;
  const char *name;
  const unsigned char *base, *p, *end;
  const char *field; /* what is being read, for messages */
} rd;

static int short_read(rd *r, size_t need) {
  return limn__err(r->ctx, LIMN_EFORMAT, "%s: truncated at byte %zu reading %s (%zu bytes needed, %zu left)",
                   r->name, (size_t)(r->p - r->base), r->field, need, (size_t)(r->end - r->p));
}
static int bad(rd *r, const char *what) {
  return limn__err(r->ctx, LIMN_EFORMAT, "%s: byte %zu, %s: %s", r->name, (size_t)(r->p - r->base), r->field,
                   what);
}
static int get(rd *r, void *dst, size_t n) {
  if ((size_t)(r->end - r->p) < n)
    return short_read(r, n);
  memcpy(dst, r->p, n);
  r->p += n;
  return LIMN_OK;
}
static int get_u8(rd *r, unsigned *v) {
  unsigned char c = 0;
  LIMN_TRY(get(r, &c, 1));
  *v = c;
  return LIMN_OK;
}
static int get_u32(rd *r, uint32_t *v) {
  unsigned char c[4] = {0};
  LIMN_TRY(get(r, c, 4));
  *v = (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
  return LIMN_OK;
}
static int get_u64(rd *r, uint64_t *v) {
  uint32_t lo, hi;
  LIMN_TRY(get_u32(r, &lo));
  LIMN_TRY(get_u32(r, &hi));
  *v = (uint64_t)hi << 32 | lo;
  return LIMN_OK;
}
static int get_f32(rd *r, float *v) {
  uint32_t u;
  LIMN_TRY(get_u32(r, &u));
  memcpy(v, &u, 4);
  if (!isfinite(*v))
    return bad(r, "value is not finite");
  return LIMN_OK;
}
static int get_f64(rd *r, double *v, int allow_nan) {
  uint64_t u;
  LIMN_TRY(get_u64(r, &u));
  memcpy(v, &u, 8);
  if (!isfinite(*v) && !(allow_nan && isnan(*v)))
    return bad(r, "value is not finite");
  return LIMN_OK;
}
/* A count no larger than `max` whose items of `item` bytes fit in what is left. */
static int get_count(rd *r, uint32_t *v, uint32_t max, size_t item) {
  LIMN_TRY(get_u32(r, v));
  if (*v > max)
    return bad(r, "count too large");
  if (item && (size_t)(r->end - r->p) / item < *v)
    return short_read(r, (size_t)*v * item);
  return LIMN_OK;
}
/* A string into a fresh buffer (UTF-8, no NUL bytes). */
static int get_str(rd *r, char **out) {
  uint32_t n;
  *out = NULL;
  LIMN_TRY(get_count(r, &n, MAX_NAME, 1));
  if (memchr(r->p, 0, n))
    return bad(r, "NUL byte in a name");
  if (limn__check_text(r->ctx, (const char *)r->p, n, r->name) != LIMN_OK)
    return bad(r, "name is not valid UTF-8");
  char *s = limn__malloc(r->ctx, (size_t)n + 1);
  if (!s)
    return LIMN_ENOMEM;
  memcpy(s, r->p, n);
  s[n] = 0;
  r->p += n;
  *out = s;
  return LIMN_OK;
}

static void free_names(limn_ctx *ctx, char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    limn__free(ctx, v[i]);
  limn__free(ctx, v);
}

/* n strings into a fresh array. */
static int get_strs(rd *r, size_t n, char ***out) {
  *out = NULL;
  char **v = limn__calloc(r->ctx, n ? n : 1, sizeof *v);
  if (!v)
    return LIMN_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    int rc = get_str(r, &v[i]);
    if (rc) {
      free_names(r->ctx, v, i);
      return rc;
    }
  }
  *out = v;
  return LIMN_OK;
}

static int read_feature(rd *r, limn_schema *s, size_t j) {
  unsigned kind;
  char *name = NULL, **cats = NULL;
  uint32_t nc = 0;
  int rc;
  r->field = "feature kind";
  LIMN_CHECK(get_u8(r, &kind));
  LIMN_FAIL_IF(kind > 1, r->ctx, LIMN_EFORMAT, "%s: byte %zu: feature %zu has unknown kind %u", r->name,
               (size_t)(r->p - r->base - 1), j, kind);
  r->field = "feature name";
  LIMN_CHECK(get_str(r, &name));
  if (kind == LIMN_COL_CATEGORICAL) {
    r->field = "category count";
    LIMN_CHECK(get_count(r, &nc, MAX_COUNT, 4));
    r->field = "category name";
    LIMN_CHECK(get_strs(r, nc, &cats));
    rc = limn_schema_add_categorical(r->ctx, s, name, (const char *const *)cats, nc);
  } else {
    rc = limn_schema_add_numeric(r->ctx, s, name);
  }
  if (rc)
    rc = limn__err_prefix(r->ctx, LIMN_EFORMAT, "%s: schema", r->name);
fail:
  limn__free(r->ctx, name);
  free_names(r->ctx, cats, cats ? nc : 0);
  return rc;
}

static int read_schema(rd *r, limn_schema **out) {
  limn_schema *s = NULL;
  char *target = NULL, **classes = NULL;
  uint32_t d, nclasses = 0;
  unsigned task;
  int rc;
  LIMN_CHECK(limn_schema_create(r->ctx, &s));
  r->field = "feature count";
  LIMN_CHECK(get_count(r, &d, MAX_COUNT, 5));
  LIMN_FAIL_IF(d == 0, r->ctx, LIMN_EFORMAT, "%s: the schema has no features", r->name);
  for (size_t j = 0; j < d; j++)
    LIMN_CHECK(read_feature(r, s, j));
  r->field = "target name";
  LIMN_CHECK(get_str(r, &target));
  r->field = "task";
  LIMN_CHECK(get_u8(r, &task));
  r->field = "class count";
  LIMN_CHECK(get_count(r, &nclasses, MAX_COUNT, 4));
  r->field = "class name";
  LIMN_CHECK(get_strs(r, nclasses, &classes));
  LIMN_FAIL_IF(task > 1, r->ctx, LIMN_EFORMAT, "%s: unknown task %u", r->name, task);
  if (limn_schema_set_target(r->ctx, s, target, (limn_task)task, (const char *const *)classes, nclasses))
    LIMN_CHECK(limn__err_prefix(r->ctx, LIMN_EFORMAT, "%s: schema target", r->name));
  *out = s;
  s = NULL;
fail:
  limn_schema_free(s);
  limn__free(r->ctx, target);
  free_names(r->ctx, classes, classes ? nclasses : 0);
  return rc;
}

/* Floats into dst (n), each finite. */
static int get_f32s(rd *r, float *dst, size_t n) {
  if ((size_t)(r->end - r->p) / 4 < n)
    return short_read(r, n * 4);
  for (size_t i = 0; i < n; i++)
    LIMN_TRY(get_f32(r, &dst[i]));
  return LIMN_OK;
}

static int read_mlp(rd *r, const limn_schema *s, limn_model **out) {
  unsigned hidden, output;
  uint32_t nl, wv;
  size_t width[65];
  limn_model *m = NULL;
  int rc;
  r->field = "activations";
  LIMN_TRY(get_u8(r, &hidden));
  LIMN_TRY(get_u8(r, &output));
  r->field = "layer count";
  LIMN_TRY(get_count(r, &nl, 64, 0));
  if (nl < 1)
    return bad(r, "an MLP needs at least one layer");
  r->field = "layer width";
  for (size_t l = 0; l <= nl; l++) {
    LIMN_TRY(get_count(r, &wv, MAX_COUNT, 0));
    width[l] = wv;
  }
  /* every weight must be present in the file before anything is allocated */
  size_t need = 0;
  for (size_t l = 0; l < nl; l++) {
    size_t nw;
    if (!limn__mul_ok(width[l], width[l + 1], &nw) || nw > SIZE_MAX / 8)
      return bad(r, "layer too large");
    need += (nw + width[l + 1]) * 4;
    if ((size_t)(r->end - r->p) < need)
      return short_read(r, need);
  }
  if (limn__mlp_new(r->ctx, s, nl, width, (limn_activation)hidden, (limn_activation)output, &m))
    return limn__err_prefix(r->ctx, LIMN_EFORMAT, "%s: network", r->name);
  limn__mlp *p = m->impl;
  r->field = "standardisation";
  LIMN_CHECK(get_f32s(r, p->mean, m->nfeatures));
  LIMN_CHECK(get_f32s(r, p->std, m->nfeatures));
  for (size_t j = 0; j < m->nfeatures; j++)
    LIMN_FAIL_IF(!(p->std[j] > 0), r->ctx, LIMN_EFORMAT, "%s: std of feature %zu is not positive", r->name,
                 j);
  r->field = "target transform";
  LIMN_CHECK(get_f64(r, &p->y_shift, 0));
  LIMN_CHECK(get_f64(r, &p->y_scale, 0));
  LIMN_FAIL_IF(p->y_scale == 0.0, r->ctx, LIMN_EFORMAT, "%s: target scale is zero", r->name);
  r->field = "weights";
  for (size_t l = 0; l < nl; l++) {
    LIMN_CHECK(get_f32s(r, p->W[l], width[l] * width[l + 1]));
    LIMN_CHECK(get_f32s(r, p->b[l], width[l + 1]));
  }
  limn__mlp_transpose(p);
  *out = m;
  return LIMN_OK;
fail:
  limn_model_free(m);
  return rc;
}

static int read_stats(rd *r, const limn_model *m, limn_stats **out) {
  uint64_t n;
  uint32_t d, nc;
  unsigned kind;
  limn_stats *st = NULL;
  int rc;
  r->field = "statistics";
  LIMN_TRY(get_u64(r, &n));
  LIMN_TRY(get_count(r, &d, MAX_COUNT, 1));
  if (d != m->nfeatures)
    return bad(r, "feature count differs from the schema");
  LIMN_TRY(limn__stats_alloc(r->ctx, d, &st));
  st->n = (size_t)n;
  for (size_t j = 0; j < d; j++) {
    LIMN_CHECK(get_u8(r, &kind));
    int want = limn_schema_feature_kind(m->schema, j);
    LIMN_FAIL_IF((int)kind != want, r->ctx, LIMN_EFORMAT, "%s: statistics of feature %zu have the wrong kind",
                 r->name, j);
    st->kind[j] = (int)kind;
    if (kind == LIMN_COL_NUMERIC) {
      LIMN_CHECK(get_f64(r, &st->mean[j], 0));
      LIMN_CHECK(get_f64(r, &st->std[j], 0));
      LIMN_CHECK(get_f64(r, &st->min[j], 0));
      LIMN_CHECK(get_f64(r, &st->max[j], 0));
      for (size_t q = 0; q < LIMN__NPCT; q++)
        LIMN_CHECK(get_f64(r, &st->pct[j * LIMN__NPCT + q], 0));
      continue;
    }
    LIMN_CHECK(get_count(r, &nc, MAX_COUNT, 8));
    LIMN_FAIL_IF(nc != limn_schema_ncategories(m->schema, j), r->ctx, LIMN_EFORMAT,
                 "%s: statistics of feature %zu have %u categories, the schema %zu", r->name, j, nc,
                 limn_schema_ncategories(m->schema, j));
    st->ncats[j] = nc;
    st->counts[j] = limn__calloc(r->ctx, nc ? nc : 1, sizeof(size_t));
    LIMN_FAIL_IF(!st->counts[j], r->ctx, LIMN_ENOMEM, "out of memory");
    for (size_t c = 0; c < nc; c++) {
      uint64_t v;
      LIMN_CHECK(get_u64(r, &v));
      st->counts[j][c] = (size_t)v;
    }
  }
  *out = st;
  return LIMN_OK;
fail:
  limn_stats_free(st);
  return rc;
}

static int read_bins(rd *r, limn_stats *st) {
  uint32_t d, nc, ne;
  unsigned present;
  r->field = "discretisations";
  LIMN_TRY(get_u32(r, &d));
  LIMN_TRY(get_u32(r, &nc));
  if (d != st->d || nc > MAX_COUNT)
    return bad(r, "feature or class count differs from the statistics");
  st->nclasses = nc;
  for (size_t i = 0; i < (size_t)d * LIMN__NDISC; i++)
    if (st->bins[i].present)
      return bad(r, "second discretisation section");
  for (size_t i = 0; i < (size_t)d * LIMN__NDISC; i++) {
    LIMN_TRY(get_u8(r, &present));
    if (!present)
      continue;
    if (present != 1 || st->kind[i / LIMN__NDISC] != LIMN_COL_NUMERIC)
      return bad(r, "discretisation of a categorical column");
    LIMN_TRY(get_count(r, &ne, 64, 0));
    if (limn__bins_alloc(r->ctx, &st->bins[i], ne))
      return LIMN_ENOMEM;
    limn__bins *b = &st->bins[i];
    for (size_t k = 0; k < ne + 3 * ((size_t)ne + 1); k++)
      LIMN_TRY(get_f64(r, &b->data[k], 0));
    for (size_t k = 0; k + 1 < ne; k++)
      if (!(b->edges[k] < b->edges[k + 1]))
        return bad(r, "bin edges are not increasing");
    for (size_t k = 0; k <= ne; k++)
      if (b->count[k] < 0 || b->std[k] < 0)
        return bad(r, "negative bin count or spread");
  }
  return LIMN_OK;
}

static int read_train(rd *r, limn__mlp *p) {
  uint32_t e, b, bs;
  r->field = "training record";
  LIMN_TRY(get_u32(r, &e));
  LIMN_TRY(get_u32(r, &b));
  LIMN_TRY(get_f64(r, &p->info.train_loss, 1));
  LIMN_TRY(get_f64(r, &p->info.valid_loss, 1));
  LIMN_TRY(get_u64(r, &p->seed));
  LIMN_TRY(get_u32(r, &bs));
  LIMN_TRY(get_f64(r, &p->learning_rate, 0));
  LIMN_TRY(get_f64(r, &p->l2, 0));
  LIMN_TRY(get_f64(r, &p->valid_fraction, 0));
  p->info.epochs_run = e;
  p->info.best_epoch = b;
  p->batch_size = bs;
  return LIMN_OK;
}

/* One section's body; `r` is bounded to the section. */
static int read_section(rd *r, const char *tag, limn_schema **schema, limn_model **m, limn_stats **st) {
  if (!memcmp(tag, "SCHM", 4)) {
    if (*schema)
      return bad(r, "second schema section");
    return read_schema(r, schema);
  }
  if (!memcmp(tag, "MLP ", 4)) {
    if (!*schema || *m)
      return bad(r, "network section without a schema before it, or a second one");
    return read_mlp(r, *schema, m);
  }
  if (!memcmp(tag, "STAT", 4)) {
    if (!*m || *st)
      return bad(r, "statistics section before the network, or a second one");
    return read_stats(r, *m, st);
  }
  if (!memcmp(tag, "TRAN", 4)) {
    if (!*m)
      return bad(r, "training section before the network");
    return read_train(r, (*m)->impl);
  }
  if (!memcmp(tag, "lbin", 4)) {
    if (!*st)
      return bad(r, "discretisations before the statistics");
    return read_bins(r, *st);
  }
  if (tag[0] >= 'A' && tag[0] <= 'Z')
    return bad(r, "unknown required section (written by a newer limn?)");
  r->p = r->end; /* an optional section this version does not know: skip */
  return LIMN_OK;
}

int limn_model_load_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name, limn_model **out) {
  *out = NULL;
  if (limn_model_is_xgboost_json(buf, len))
    return limn_model_load_trees_mem(ctx, buf, len, name, out);
  rd r = {ctx, name ? name : "(memory)", buf, buf, (const unsigned char *)buf + len, "header"};
  limn_schema *schema = NULL;
  limn_model *m = NULL;
  limn_stats *st = NULL;
  int rc, ended = 0;
  char magic[8];
  uint32_t ver, flags;
  LIMN_CHECK(get(&r, magic, 8));
  LIMN_FAIL_IF(memcmp(magic, MAGIC, 8), ctx, LIMN_EFORMAT, "%s: not a limn model file (bad magic)", r.name);
  r.field = "format version";
  LIMN_CHECK(get_u32(&r, &ver));
  LIMN_FAIL_IF(ver != FORMAT_VERSION, ctx, LIMN_EFORMAT,
               "%s: model format version %u, this limn reads version %u", r.name, ver, FORMAT_VERSION);
  r.field = "flags";
  LIMN_CHECK(get_u32(&r, &flags));
  LIMN_FAIL_IF(flags != 0, ctx, LIMN_EFORMAT, "%s: unknown flags 0x%x", r.name, flags);
  while (r.p < r.end && !ended) {
    char tag[4];
    uint64_t slen;
    size_t start = (size_t)(r.p - r.base);
    r.field = "section header";
    LIMN_CHECK(get(&r, tag, 4));
    LIMN_CHECK(get_u64(&r, &slen));
    LIMN_FAIL_IF(slen > (uint64_t)(r.end - r.p), ctx, LIMN_EFORMAT,
                 "%s: byte %zu: section '%.4s' claims %llu bytes, %zu remain", r.name, start, tag,
                 (unsigned long long)slen, (size_t)(r.end - r.p));
    rd sec = r;
    sec.end = r.p + slen;
    if (!memcmp(tag, "END ", 4)) {
      uint64_t h;
      sec.field = "checksum";
      LIMN_CHECK(get_u64(&sec, &h));
      LIMN_FAIL_IF(h != limn__fnv1a64(r.base, start), ctx, LIMN_EFORMAT,
                   "%s: checksum mismatch (the file is corrupt)", r.name);
      ended = 1;
    } else {
      LIMN_CHECK(read_section(&sec, tag, &schema, &m, &st));
    }
    LIMN_FAIL_IF(sec.p != sec.end, ctx, LIMN_EFORMAT, "%s: byte %zu: section '%.4s' has %zu unread bytes",
                 r.name, (size_t)(sec.p - r.base), tag, (size_t)(sec.end - sec.p));
    r.p = sec.end;
  }
  LIMN_FAIL_IF(!ended, ctx, LIMN_EFORMAT, "%s: truncated: no end section", r.name);
  LIMN_FAIL_IF(r.p != r.end, ctx, LIMN_EFORMAT, "%s: %zu bytes after the end section", r.name,
               (size_t)(r.end - r.p));
  LIMN_FAIL_IF(!m, ctx, LIMN_EFORMAT, "%s: no network section", r.name);
  m->stats = st;
  st = NULL;
  limn_sha256(buf, len, m->sha256);
  *out = m;
  m = NULL;
fail:
  limn_schema_free(schema);
  limn_model_free(m);
  limn_stats_free(st);
  return rc;
}

/* A limn model's magic, or JSON text: a '{' after white space and no NUL byte in the
 * first block (random bytes start with '{' or white space about once in 200 tries,
 * and would then be read up to the model limit; a NUL in 64 KiB of them is certain). */
static int limn_or_json_head(const void *buf, size_t len) {
  return (len >= 8 && !memcmp(buf, MAGIC, 8)) ||
         (limn_model_is_xgboost_json(buf, len) && !memchr(buf, 0, len));
}

int limn_model_load(limn_ctx *ctx, const char *path, limn_model **out) {
  *out = NULL;
  char *buf;
  size_t len;
  const limn__input in = {"a limn model file or an XGBoost JSON model", 1, 0, limn_or_json_head};
  LIMN_TRY(limn__read_input(ctx, path, &in, &buf, &len));
  int rc = limn_model_load_mem(ctx, buf, len, path, out);
  limn__free(ctx, buf);
  return rc;
}

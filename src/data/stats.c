/* Dataset statistics: moments, percentiles (numpy "linear"), category counts. */
#include "data_internal.h"
#include <math.h>
#include <stdlib.h>

int limn__stats_alloc(limn_ctx *ctx, size_t d, limn_stats **out) {
  *out = NULL;
  limn_stats *st = limn__calloc(ctx, 1, sizeof *st);
  if (!st)
    return LIMN_ENOMEM;
  st->ctx = ctx;
  st->d = d;
  size_t dd = d ? d : 1;
  st->kind = limn__calloc(ctx, dd, sizeof *st->kind);
  st->mean = limn__calloc(ctx, dd, sizeof(double));
  st->std = limn__calloc(ctx, dd, sizeof(double));
  st->min = limn__calloc(ctx, dd, sizeof(double));
  st->max = limn__calloc(ctx, dd, sizeof(double));
  st->pct = limn__calloc(ctx, dd, LIMN__NPCT * sizeof(double));
  st->ncats = limn__calloc(ctx, dd, sizeof *st->ncats);
  st->counts = limn__calloc(ctx, dd, sizeof *st->counts);
  st->bins = limn__calloc(ctx, dd * LIMN__NDISC, sizeof *st->bins);
  if (!st->bins || !st->kind || !st->mean || !st->std || !st->min || !st->max || !st->pct || !st->ncats ||
      !st->counts) {
    limn_stats_free(st);
    return LIMN_ENOMEM;
  }
  *out = st;
  return LIMN_OK;
}

void limn_stats_free(limn_stats *st) {
  if (!st)
    return;
  limn_ctx *ctx = st->ctx;
  if (st->counts)
    for (size_t j = 0; j < st->d; j++)
      limn__free(ctx, st->counts[j]);
  if (st->bins)
    for (size_t i = 0; i < st->d * LIMN__NDISC; i++)
      limn__free(ctx, st->bins[i].data);
  limn__free(ctx, st->bins);
  limn__free(ctx, st->counts);
  limn__free(ctx, st->kind);
  limn__free(ctx, st->mean);
  limn__free(ctx, st->std);
  limn__free(ctx, st->min);
  limn__free(ctx, st->max);
  limn__free(ctx, st->pct);
  limn__free(ctx, st->ncats);
  limn__free(ctx, st);
}

/* Numeric column j: sorted copy in tmp (n), then moments and percentiles. The mean
 * and variance are two-pass sums in double, in row order. Missing values (NaN, in the
 * data of models that take them) are left out; n counts the present ones. */
static void numeric_stats(limn_stats *st, const float *x, size_t nrows, size_t d, size_t j, double *tmp) {
  double sum = 0.0;
  size_t n = 0;
  for (size_t i = 0; i < nrows; i++)
    if (!isnan(x[i * d + j])) {
      tmp[n] = x[i * d + j];
      sum += tmp[n++];
    }
  double mean = sum / (double)n, ss = 0.0;
  for (size_t i = 0; i < n; i++)
    ss += (tmp[i] - mean) * (tmp[i] - mean);
  st->mean[j] = mean;
  st->std[j] = sqrt(ss / (double)n);
  qsort(tmp, n, sizeof *tmp, limn__cmp_double);
  st->min[j] = tmp[0];
  st->max[j] = tmp[n - 1];
  for (int p = 0; p < LIMN__NPCT; p++) {
    /* numpy linear: position h = q (n - 1); lerp between floor and ceil */
    double h = (double)p / 100.0 * (double)(n - 1);
    size_t lo = (size_t)floor(h);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    double g = h - (double)lo;
    double a = tmp[lo], b = tmp[hi];
    /* numpy's _lerp: from the nearer end, so the result is exact at g = 0 and 1 */
    double v = g >= 0.5 ? b - (b - a) * (1.0 - g) : a + (b - a) * g;
    st->pct[j * LIMN__NPCT + (size_t)p] = v;
  }
}

int limn_stats_compute(limn_ctx *ctx, const limn_dataset *ds, limn_stats **out) {
  *out = NULL;
  limn_stats *st = NULL;
  int rc;
  size_t n = ds->n, d = ds->d;
  LIMN_CHECK(limn__stats_alloc(ctx, d, &st));
  st->n = n;
  if (ds->y && limn_schema_task(ds->schema) == LIMN_TASK_CLASSIFICATION)
    st->nclasses = limn_schema_nclasses(ds->schema);
  double *tmp = limn__alloc_array(ctx, n, sizeof *tmp);
  LIMN_FAIL_IF(!tmp, ctx, LIMN_ENOMEM, "out of memory");
  for (size_t j = 0; j < d; j++) {
    st->kind[j] = limn_schema_feature_kind(ds->schema, j);
    if (st->kind[j] == LIMN_COL_NUMERIC) {
      size_t present = 0;
      for (size_t i = 0; i < n; i++)
        present += !isnan(ds->x[i * d + j]);
      if (!present) {
        limn__free(ctx, tmp);
        LIMN_FAIL_IF(1, ctx, LIMN_EINVAL, "column '%s': every value is missing",
                     limn_schema_feature_name(ds->schema, j));
      }
      numeric_stats(st, ds->x, n, d, j, tmp);
      rc = limn__bins_compute(ctx, st, ds->x, n, d, j, st->nclasses ? ds->y : NULL, st->nclasses);
      if (rc) {
        limn__free(ctx, tmp);
        goto fail;
      }
      continue;
    }
    size_t k = limn_schema_ncategories(ds->schema, j);
    st->ncats[j] = k;
    st->counts[j] = limn__calloc(ctx, k, sizeof(size_t));
    if (!st->counts[j]) {
      limn__free(ctx, tmp);
      rc = LIMN_ENOMEM;
      goto fail;
    }
    for (size_t i = 0; i < n; i++)
      st->counts[j][(size_t)ds->x[i * d + j]]++;
  }
  limn__free(ctx, tmp);
  *out = st;
  return LIMN_OK;
fail:
  limn_stats_free(st);
  return rc;
}

int limn_stats_clone(limn_ctx *ctx, const limn_stats *s, limn_stats **out) {
  limn_stats *c;
  LIMN_TRY(limn__stats_alloc(ctx, s->d, &c));
  c->n = s->n;
  size_t dd = s->d;
  memcpy(c->kind, s->kind, dd * sizeof *c->kind);
  memcpy(c->mean, s->mean, dd * sizeof(double));
  memcpy(c->std, s->std, dd * sizeof(double));
  memcpy(c->min, s->min, dd * sizeof(double));
  memcpy(c->max, s->max, dd * sizeof(double));
  memcpy(c->pct, s->pct, dd * LIMN__NPCT * sizeof(double));
  memcpy(c->ncats, s->ncats, dd * sizeof *c->ncats);
  c->nclasses = s->nclasses;
  for (size_t i = 0; i < dd * LIMN__NDISC; i++) {
    const limn__bins *b = &s->bins[i];
    if (!b->present)
      continue;
    if (limn__bins_alloc(ctx, &c->bins[i], b->ne)) {
      limn_stats_free(c);
      return LIMN_ENOMEM;
    }
    memcpy(c->bins[i].data, b->data, (b->ne + 3 * (b->ne + 1)) * sizeof(double));
  }
  for (size_t j = 0; j < dd; j++) {
    if (!s->counts[j])
      continue;
    c->counts[j] = limn__alloc_array(ctx, s->ncats[j] ? s->ncats[j] : 1, sizeof(size_t));
    if (!c->counts[j]) {
      limn_stats_free(c);
      return LIMN_ENOMEM;
    }
    memcpy(c->counts[j], s->counts[j], s->ncats[j] * sizeof(size_t));
  }
  *out = c;
  return LIMN_OK;
}

size_t limn_stats_nrows(const limn_stats *st) { return st->n; }
size_t limn_stats_nfeatures(const limn_stats *st) { return st->d; }
double limn_stats_mean(const limn_stats *st, size_t j) { return j < st->d ? st->mean[j] : NAN; }
double limn_stats_std(const limn_stats *st, size_t j) { return j < st->d ? st->std[j] : NAN; }
double limn_stats_min(const limn_stats *st, size_t j) { return j < st->d ? st->min[j] : NAN; }
double limn_stats_max(const limn_stats *st, size_t j) { return j < st->d ? st->max[j] : NAN; }
double limn_stats_percentile(const limn_stats *st, size_t j, int pct) {
  if (j >= st->d || pct < 0 || pct > 100)
    return NAN;
  return st->pct[j * LIMN__NPCT + (size_t)pct];
}
double limn_stats_quantile(const limn_stats *st, size_t j, double q) {
  if (j >= st->d || !(q >= 0.0 && q <= 1.0))
    return NAN;
  double h = q * 100.0;
  size_t lo = (size_t)floor(h);
  if (lo >= 100)
    return st->pct[j * LIMN__NPCT + 100];
  double a = st->pct[j * LIMN__NPCT + lo], b = st->pct[j * LIMN__NPCT + lo + 1];
  return a + (b - a) * (h - (double)lo);
}
size_t limn_stats_category_count(const limn_stats *st, size_t j, size_t c) {
  return j < st->d && st->counts[j] && c < st->ncats[j] ? st->counts[j][c] : 0;
}

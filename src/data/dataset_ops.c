/* Datasets from arrays, subsets, splits and CSV output. */
#include "data_internal.h"
#include <math.h>
#include <stdio.h>

/* Check row values against a schema: finite numbers, valid category codes. */
static int check_rows(limn_ctx *ctx, const limn_schema *s, const float *x, const float *y, size_t n) {
  size_t d = s->nfeatures;
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < d; j++) {
      float v = x[i * d + j];
      if (!isfinite(v))
        return limn__err(ctx, LIMN_ENONFINITE, "row %zu, column '%s': value is not finite", i,
                         s->cols[j].name);
      if (s->cols[j].kind == LIMN_COL_CATEGORICAL &&
          (v < 0 || v != floorf(v) || (size_t)v >= s->cols[j].ncats))
        return limn__err(ctx, LIMN_EINVAL, "row %zu, column '%s': %g is not a category code (0..%zu)", i,
                         s->cols[j].name, (double)v, s->cols[j].ncats - 1);
    }
    if (y) {
      float v = y[i];
      if (!isfinite(v))
        return limn__err(ctx, LIMN_ENONFINITE, "row %zu: target is not finite", i);
      if (s->task == LIMN_TASK_CLASSIFICATION && (v < 0 || v != floorf(v) || (size_t)v >= s->nclasses))
        return limn__err(ctx, LIMN_EINVAL, "row %zu: target %g is not a class code (0..%zu)", i, (double)v,
                         s->nclasses - 1);
    }
  }
  return LIMN_OK;
}

int limn_dataset_from_arrays(limn_ctx *ctx, const limn_schema *schema, const float *x, const float *y,
                             size_t n, limn_dataset **out) {
  *out = NULL;
  int rc;
  if (!schema || !x || n == 0 || schema->nfeatures == 0)
    return limn__err(ctx, LIMN_EINVAL, "dataset needs a schema with features, x and n > 0");
  if (y && !schema->target)
    return limn__err(ctx, LIMN_EINVAL, "y given but the schema has no target");
  LIMN_TRY(check_rows(ctx, schema, x, y, n));
  limn_dataset *ds = limn__calloc(ctx, 1, sizeof *ds);
  if (!ds)
    return LIMN_ENOMEM;
  ds->ctx = ctx;
  ds->n = n;
  ds->d = schema->nfeatures;
  ds->name = limn__strdup(ctx, "(arrays)");
  ds->x = limn__alloc_array(ctx, n, ds->d * sizeof(float));
  ds->y = y ? limn__alloc_array(ctx, n, sizeof(float)) : NULL;
  LIMN_FAIL_IF(!ds->name || !ds->x || (y && !ds->y), ctx, LIMN_ENOMEM, "out of memory");
  LIMN_CHECK(limn_schema_clone(ctx, schema, &ds->schema));
  memcpy(ds->x, x, n * ds->d * sizeof(float));
  if (y)
    memcpy(ds->y, y, n * sizeof(float));
  *out = ds;
  return LIMN_OK;
fail:
  limn_dataset_free(ds);
  return rc;
}

/* Text table of the chosen rows of t. */
static int table_subset(limn_ctx *ctx, const limn__table *t, const size_t *rows, size_t n,
                        limn__table **out) {
  int rc = LIMN_OK;
  limn__buf text = {0};
  limn__table *s = limn__calloc(ctx, 1, sizeof *s);
  if (!s)
    return LIMN_ENOMEM;
  s->ncols = t->ncols;
  s->nrows = n;
  s->names = limn__alloc_array(ctx, t->ncols, sizeof *s->names);
  s->off = limn__alloc_array(ctx, n ? n * t->ncols : 1, sizeof *s->off);
  s->line = limn__alloc_array(ctx, n ? n : 1, sizeof *s->line);
  LIMN_FAIL_IF(!s->names || !s->off || !s->line, ctx, LIMN_ENOMEM, "out of memory");
  size_t *name_off = limn__alloc_array(ctx, t->ncols, sizeof *name_off);
  LIMN_FAIL_IF(!name_off, ctx, LIMN_ENOMEM, "out of memory");
  for (size_t c = 0; c < t->ncols; c++) {
    name_off[c] = text.len;
    rc = limn__buf_put(ctx, &text, t->names[c], strlen(t->names[c]) + 1);
    if (rc) {
      limn__free(ctx, name_off);
      goto fail;
    }
  }
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    s->line[i] = t->line[rows[i]];
    for (size_t c = 0; c < t->ncols && rc == LIMN_OK; c++) {
      const char *f = limn__field(t, rows[i], c);
      s->off[i * t->ncols + c] = (uint32_t)text.len;
      rc = limn__buf_put(ctx, &text, f, strlen(f) + 1);
    }
  }
  if (rc) {
    limn__free(ctx, name_off);
    goto fail;
  }
  s->text = text.data;
  s->text_len = text.len;
  text.data = NULL;
  for (size_t c = 0; c < t->ncols; c++)
    s->names[c] = s->text + name_off[c];
  limn__free(ctx, name_off);
  *out = s;
  return LIMN_OK;
fail:
  limn__buf_free(ctx, &text);
  limn__table_free(ctx, s);
  return rc;
}

int limn_dataset_subset(limn_ctx *ctx, const limn_dataset *ds, const size_t *rows, size_t n,
                        limn_dataset **out) {
  *out = NULL;
  int rc;
  if (n == 0)
    return limn__err(ctx, LIMN_EINVAL, "subset of zero rows");
  for (size_t i = 0; i < n; i++)
    if (rows[i] >= ds->n)
      return limn__err(ctx, LIMN_EINVAL, "subset row %zu out of range (%zu rows)", rows[i], ds->n);
  limn_dataset *s = limn__calloc(ctx, 1, sizeof *s);
  if (!s)
    return LIMN_ENOMEM;
  s->ctx = ctx;
  s->n = n;
  s->d = ds->d;
  s->name = limn__strdup(ctx, ds->name);
  s->x = limn__alloc_array(ctx, n, ds->d * sizeof(float));
  s->y = ds->y ? limn__alloc_array(ctx, n, sizeof(float)) : NULL;
  s->line = limn__alloc_array(ctx, n, sizeof *s->line);
  LIMN_FAIL_IF(!s->name || !s->x || (ds->y && !s->y) || !s->line, ctx, LIMN_ENOMEM, "out of memory");
  LIMN_CHECK(limn_schema_clone(ctx, ds->schema, &s->schema));
  for (size_t i = 0; i < n; i++) {
    memcpy(s->x + i * ds->d, ds->x + rows[i] * ds->d, ds->d * sizeof(float));
    if (ds->y)
      s->y[i] = ds->y[rows[i]];
    s->line[i] = ds->line[rows[i]];
  }
  if (ds->text)
    LIMN_CHECK(table_subset(ctx, ds->text, rows, n, &s->text));
  *out = s;
  return LIMN_OK;
fail:
  limn_dataset_free(s);
  return rc;
}

/* Stratum index of every row (by the column's value), count in *nstrata. */
static int strata_of(limn_ctx *ctx, const limn_dataset *ds, const char *col, size_t *strata,
                     size_t *nstrata) {
  const float *v = NULL;
  size_t stride = 1;
  long j = limn_schema_find_feature(ds->schema, col);
  if (j >= 0) {
    v = ds->x + j;
    stride = ds->d;
  } else if (ds->schema->target && !strcmp(ds->schema->target, col) && ds->y) {
    v = ds->y;
  } else {
    return limn__err(ctx, LIMN_ENOTFOUND, "%s: no column '%s' to stratify by", ds->name, col);
  }
  float *seen = limn__alloc_array(ctx, ds->n, sizeof *seen);
  if (!seen)
    return LIMN_ENOMEM;
  size_t k = 0;
  for (size_t i = 0; i < ds->n; i++) {
    float x = v[i * stride];
    size_t s = 0;
    while (s < k && seen[s] != x)
      s++;
    if (s == k) {
      if (k == 1000) {
        limn__free(ctx, seen);
        return limn__err(ctx, LIMN_EINVAL, "%s: column '%s' has over 1000 distinct values: too many strata",
                         ds->name, col);
      }
      seen[k++] = x;
    }
    strata[i] = s;
  }
  limn__free(ctx, seen);
  *nstrata = k;
  return LIMN_OK;
}

/* Test rows per stratum by largest remainder; ties go to the earlier stratum. */
static void allocate(const size_t *count, size_t k, size_t n, size_t ntest, size_t *take) {
  size_t given = 0;
  for (size_t s = 0; s < k; s++) {
    take[s] = count[s] * ntest / n;
    given += take[s];
  }
  while (given < ntest) {
    size_t best = 0;
    double bestr = -1.0;
    for (size_t s = 0; s < k; s++) {
      double r = (double)count[s] * (double)ntest / (double)n - (double)take[s];
      if (take[s] < count[s] && r > bestr) {
        bestr = r;
        best = s;
      }
    }
    take[best]++;
    given++;
  }
}

int limn_dataset_split_rows(limn_ctx *ctx, const limn_dataset *ds, double test_fraction, uint64_t seed,
                            const char *stratify_column, unsigned char *is_test) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0))
    return limn__err(ctx, LIMN_EINVAL, "test fraction must be in (0, 1), got %g", test_fraction);
  if (ds->n < 2)
    return limn__err(ctx, LIMN_EINVAL, "%s: a split needs at least 2 rows", ds->name);
  int rc = LIMN_OK;
  size_t n = ds->n, k = 1;
  size_t ntest = (size_t)llround(test_fraction * (double)n);
  if (ntest < 1)
    ntest = 1;
  if (ntest > n - 1)
    ntest = n - 1;
  size_t *strata = limn__calloc(ctx, n, sizeof *strata);
  size_t *idx = limn__alloc_array(ctx, n, sizeof *idx);
  size_t *count = NULL, *take = NULL;
  LIMN_FAIL_IF(!strata || !idx, ctx, LIMN_ENOMEM, "out of memory");
  if (stratify_column)
    LIMN_CHECK(strata_of(ctx, ds, stratify_column, strata, &k));
  count = limn__calloc(ctx, k, sizeof *count);
  take = limn__calloc(ctx, k, sizeof *take);
  LIMN_FAIL_IF(!count || !take, ctx, LIMN_ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++)
    count[strata[i]]++;
  allocate(count, k, n, ntest, take);
  memset(is_test, 0, n);
  for (size_t s = 0; s < k; s++) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (strata[i] == s)
        idx[m++] = i;
    limn_rng rng;
    limn_rng_init(&rng, seed, s);
    limn_rng_shuffle(&rng, idx, m);
    for (size_t i = 0; i < take[s]; i++)
      is_test[idx[i]] = 1;
  }
fail:
  limn__free(ctx, strata);
  limn__free(ctx, idx);
  limn__free(ctx, count);
  limn__free(ctx, take);
  return rc;
}

/* One CSV field, quoted when it holds a comma, quote, line break or edge blank. */
static int put_field(limn_ctx *ctx, limn__buf *b, const char *f) {
  size_t n = strlen(f);
  int q = n && (f[0] == ' ' || f[n - 1] == ' ');
  for (size_t i = 0; i < n && !q; i++)
    q = f[i] == ',' || f[i] == '"' || f[i] == '\n' || f[i] == '\r';
  if (!q)
    return limn__buf_put(ctx, b, f, n);
  LIMN_TRY(limn__buf_put(ctx, b, "\"", 1));
  for (size_t i = 0; i < n; i++) {
    if (f[i] == '"')
      LIMN_TRY(limn__buf_put(ctx, b, "\"", 1));
    LIMN_TRY(limn__buf_put(ctx, b, f + i, 1));
  }
  return limn__buf_put(ctx, b, "\"", 1);
}

long limn_dataset_text_column(const limn_dataset *ds, const char *column) {
  const limn__table *t = ds && column ? ds->text : NULL;
  for (size_t c = 0; t && c < t->ncols; c++)
    if (!strcmp(t->names[c], column))
      return (long)c;
  return -1;
}

const char *limn_dataset_text(const limn_dataset *ds, size_t i, long column) {
  const limn__table *t = ds ? ds->text : NULL;
  if (!t || column < 0 || (size_t)column >= t->ncols || i >= t->nrows)
    return NULL;
  return limn__field(t, i, (size_t)column);
}

int limn_dataset_write_csv(limn_ctx *ctx, const limn_dataset *ds, const char *path) {
  const limn__table *t = ds->text;
  if (!t)
    return limn__err(ctx, LIMN_EINVAL, "%s: the dataset was read without keep_text", ds->name);
  limn__buf b = {0};
  int rc = LIMN_OK;
  for (size_t r = 0; r <= t->nrows && rc == LIMN_OK; r++)
    for (size_t c = 0; c < t->ncols && rc == LIMN_OK; c++) {
      rc = put_field(ctx, &b, r == 0 ? t->names[c] : limn__field(t, r - 1, c));
      if (rc == LIMN_OK)
        rc = limn__buf_put(ctx, &b, c + 1 < t->ncols ? "," : "\n", 1);
    }
  if (rc == LIMN_OK)
    rc = limn__write_file_atomic(ctx, path, b.data, b.len);
  limn__buf_free(ctx, &b);
  return rc;
}

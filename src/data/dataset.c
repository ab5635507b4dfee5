/* Datasets: typing a text table into features and target, accessors, subsets. */
#include "data_internal.h"
#include <float.h>
#include "strmap.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

limn_read_opts limn_read_opts_default(void) {
  limn_read_opts o;
  memset(&o, 0, sizeof o);
  o.task = LIMN_TASK_AUTO;
  o.max_auto_classes = 32;
  o.max_field_bytes = 1u << 20;
  return o;
}

void limn_dataset_free(limn_dataset *ds) {
  if (!ds)
    return;
  limn_ctx *ctx = ds->ctx;
  limn_schema_free(ds->schema);
  limn__free(ctx, ds->x);
  limn__free(ctx, ds->y);
  limn__free(ctx, ds->line);
  limn__free(ctx, ds->name);
  limn__table_free(ctx, ds->text);
  limn__free(ctx, ds);
}

const limn_schema *limn_dataset_schema(const limn_dataset *ds) { return ds->schema; }
size_t limn_dataset_nrows(const limn_dataset *ds) { return ds->n; }
size_t limn_dataset_nfeatures(const limn_dataset *ds) { return ds->d; }
const float *limn_dataset_x(const limn_dataset *ds) { return ds->x; }
const float *limn_dataset_y(const limn_dataset *ds) { return ds->y; }
size_t limn_dataset_row_line(const limn_dataset *ds, size_t i) {
  return i < ds->n && ds->line ? ds->line[i] : 0;
}

/* Texts that mean "no value here". */
static int missing_marker(const char *s) {
  static const char *const m[] = {"", "?", "NA", "N/A", "NaN", "nan", "NULL", "null", "#N/A"};
  for (size_t i = 0; i < sizeof m / sizeof *m; i++)
    if (!strcmp(s, m[i]))
      return 1;
  return 0;
}

static int in_list(const char *name, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (list[i] && !strcmp(list[i], name))
      return 1;
  return 0;
}

static long find_col(const limn__table *t, const char *name) {
  for (size_t c = 0; c < t->ncols; c++)
    if (!strcmp(t->names[c], name))
      return (long)c;
  return -1;
}

/* "a, b, c" (shortened) for messages. */
/* Levenshtein distance of a and b without case (at most 64 characters each; longer: far). */
static size_t distance(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b), row[65];
  if (na > 64 || nb > 64)
    return (size_t)-1;
  for (size_t j = 0; j <= nb; j++)
    row[j] = j;
  for (size_t i = 1; i <= na; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= nb; j++) {
      size_t up = row[j], cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
      size_t best = diag + cost;
      best = up + 1 < best ? up + 1 : best;
      best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
      row[j] = best, diag = up;
    }
  }
  return row[nb];
}

/* "did you mean 'x'? " for the columns nearest to `want` (the same without case, or a few
 * edits away), then every column name, as many as fit, and how many more. */
static void list_names_for(char *buf, size_t cap, const char *want, const char *const *names, size_t n,
                           const char *label) {
  size_t len = 0, near[3], nd[3], nn = 0, allowed = want ? strlen(want) / 4 : 0;
  buf[0] = 0;
  for (size_t i = 0; want && i < n; i++) {
    size_t dd = distance(want, names[i]);
    if (dd > allowed)
      continue;
    size_t q = nn < 3 ? nn++ : 3;
    if (q == 3 && dd >= nd[2])
      continue;
    if (q == 3)
      q = 2;
    while (q > 0 && nd[q - 1] > dd)
      near[q] = near[q - 1], nd[q] = nd[q - 1], q--;
    near[q] = i, nd[q] = dd;
  }
  for (size_t q = 0; q < nn && len + 16 < cap; q++)
    len += (size_t)snprintf(buf + len, cap - len, "%s'%.100s'%s",
                            q ? (q + 1 == nn ? " or " : ", ") : "did you mean ", names[near[q]],
                            q + 1 == nn ? "? " : "");
  if (len + 16 < cap)
    len += (size_t)snprintf(buf + len, cap - len, "%s (%zu): ", label, n);
  for (size_t i = 0; i < n && len < cap; i++) {
    size_t left = n - i, need = strlen(names[i]) + 2;
    if (len + need + 24 >= cap) { /* no room for this one and the tail */
      snprintf(buf + len, cap - len, "and %zu more", left);
      return;
    }
    len += (size_t)snprintf(buf + len, cap - len, "%s%s", names[i], i + 1 < n ? ", " : "");
  }
}

typedef struct typer {
  limn_ctx *ctx;
  const limn__table *t;
  const char *name;
  int missing_ok; /* numeric features may be missing (NaN) */
} typer;

static int err_missing(typer *ty, size_t r, size_t c) {
  const char *f = limn__field(ty->t, r, c);
  return limn__err(ty->ctx, LIMN_EPARSE, "%s line %zu, column '%s': missing value%s%s%s", ty->name,
                   ty->t->line[r], ty->t->names[c], *f ? " '" : " (empty field)", f, *f ? "'" : "");
}

/* Parse field (r, c) as a number into *v, with a clear error. */
static int number_at(typer *ty, size_t r, size_t c, double *v) {
  const char *f = limn__field(ty->t, r, c);
  if (limn__parse_number(f, v)) {
    if (fabs(*v) <= FLT_MAX)
      return LIMN_OK;
    return limn__err(ty->ctx, LIMN_ENONFINITE,
                     "%s line %zu, column '%s': '%.40s' is beyond the range of 32-bit floats (+-3.4e38), "
                     "which limn computes in",
                     ty->name, ty->t->line[r], ty->t->names[c], f);
  }
  if (missing_marker(f))
    return err_missing(ty, r, c);
  char *end;
  double x = strtod(f, &end);
  if (end != f && !*end && !isfinite(x))
    return limn__err(ty->ctx, LIMN_ENONFINITE, "%s line %zu, column '%s': '%.40s' is not a finite number",
                     ty->name, ty->t->line[r], ty->t->names[c], f);
  return limn__err(ty->ctx, LIMN_EPARSE, "%s line %zu, column '%s': '%.40s' is not a number", ty->name,
                   ty->t->line[r], ty->t->names[c], f);
}

/* Auto-detect: 1 numeric, 0 categorical; error on missing values and on a column that
 * mixes numbers and text. */
static int detect_numeric(typer *ty, size_t c, int *numeric) {
  size_t nnum = 0, first_text = (size_t)-1;
  for (size_t r = 0; r < ty->t->nrows; r++) {
    const char *f = limn__field(ty->t, r, c);
    double v;
    if (missing_marker(f))
      return err_missing(ty, r, c);
    if (limn__parse_number(f, &v))
      nnum++;
    else if (first_text == (size_t)-1)
      first_text = r;
  }
  *numeric = nnum == ty->t->nrows;
  if (nnum && !*numeric) {
    size_t r = first_text;
    int rc = number_at(ty, r, c, &(double){0});
    size_t len = strlen(ty->ctx->errmsg);
    snprintf(ty->ctx->errmsg + len, sizeof ty->ctx->errmsg - len,
             " (other rows of this column hold numbers; declare the column categorical to use its texts as "
             "categories)");
    return rc;
  }
  return LIMN_OK;
}

/* Categories of column c: declared (ARFF) or in order of first appearance. forced:
 * 0 detected (missing markers are errors), 1 declared categorical (only empty
 * fields are errors), 2 raw text (anything goes). Codes
 * of every row go to codes[r * stride]. */
static int code_column(typer *ty, size_t c, int forced, char ***cats_out, size_t *ncats_out, float *codes,
                       size_t stride) {
  limn_ctx *ctx = ty->ctx;
  const limn__table *t = ty->t;
  limn__strmap m = {0};
  const char **cats = NULL;
  size_t ncats = 0;
  int rc;
  int declared = t->decl_kind && t->decl_kind[c] == 1;
  LIMN_CHECK(limn__strmap_init(ctx, &m, declared ? t->decl_ncats[c] : 16));
  if (declared)
    for (size_t k = 0; k < t->decl_ncats[c]; k++)
      if (limn__strmap_get(&m, t->decl_cats[c][k]) == (size_t)-1)
        LIMN_CHECK(limn__strmap_put(ctx, &m, t->decl_cats[c][k], k));
  for (size_t r = 0; r < t->nrows; r++) {
    const char *f = limn__field(t, r, c);
    if (forced != 2 && (!*f || (!forced && missing_marker(f))))
      LIMN_CHECK(err_missing(ty, r, c));
    size_t code = limn__strmap_get(&m, f);
    if (code == (size_t)-1) {
      LIMN_FAIL_IF(declared, ctx, LIMN_EPARSE,
                   "%s line %zu, column '%s': '%.40s' is not one of the declared values", ty->name,
                   t->line[r], t->names[c], f);
      code = m.n;
      LIMN_CHECK(limn__strmap_put(ctx, &m, f, code));
    }
    codes[r * stride] = (float)code;
  }
  ncats = declared ? t->decl_ncats[c] : m.n;
  cats = limn__calloc(ctx, ncats ? ncats : 1, sizeof *cats);
  LIMN_FAIL_IF(!cats, ctx, LIMN_ENOMEM, "out of memory");
  for (size_t i = 0; i < m.cap; i++)
    if (m.keys[i])
      cats[m.vals[i]] = m.keys[i];
  if (declared)
    for (size_t k = 0; k < ncats; k++)
      cats[k] = t->decl_cats[c][k];
  limn__strmap_free(ctx, &m);
  *cats_out = (char **)cats;
  *ncats_out = ncats;
  return LIMN_OK;
fail:
  limn__strmap_free(ctx, &m);
  limn__free(ctx, (void *)cats);
  return rc;
}

/* Integer-valued numeric target with few distinct values: classes are the sorted
 * values. Returns 1 in *is_int when it applies (and fills y with codes). */
static int integer_classes(typer *ty, size_t c, size_t maxk, int force, float *y, limn_schema *s,
                           int *applied) {
  limn_ctx *ctx = ty->ctx;
  const limn__table *t = ty->t;
  double vals[256];
  size_t k = 0;
  *applied = 0;
  if (maxk > 256)
    maxk = 256;
  for (size_t r = 0; r < t->nrows; r++) {
    double v;
    if (!limn__parse_number(limn__field(t, r, c), &v) || v != floor(v) || fabs(v) > 1e9)
      return LIMN_OK;
    size_t i = 0;
    while (i < k && vals[i] != v)
      i++;
    if (i == k) {
      if (k == maxk && !force)
        return LIMN_OK;
      if (k == 256)
        return LIMN_OK;
      vals[k++] = v;
    }
  }
  qsort(vals, k, sizeof *vals, limn__cmp_double);
  char names[256][24];
  const char *ptrs[256];
  for (size_t i = 0; i < k; i++) {
    snprintf(names[i], sizeof names[i], "%.0f", vals[i]);
    ptrs[i] = names[i];
  }
  if (k < 2)
    return limn__err(ctx, LIMN_EINVAL,
                     "%s: target column '%s' has a single class '%s': nothing to tell apart", ty->name,
                     t->names[c], k ? ptrs[0] : "");
  for (size_t r = 0; r < t->nrows; r++) {
    double v;
    limn__parse_number(limn__field(t, r, c), &v);
    size_t i = 0;
    while (vals[i] != v)
      i++;
    y[r] = (float)i;
  }
  LIMN_TRY(limn_schema_set_target(ctx, s, t->names[c], LIMN_TASK_CLASSIFICATION, ptrs, k));
  *applied = 1;
  return LIMN_OK;
}

/* Type the target column c into y and the schema, without a given schema. */
static int auto_target(typer *ty, size_t c, const limn_read_opts *o, float *y, limn_schema *s) {
  limn_ctx *ctx = ty->ctx;
  const limn__table *t = ty->t;
  int numeric = 0;
  int declared_nominal = t->decl_kind && t->decl_kind[c] == 1;
  if (o->as_text)
    numeric = 0;
  else if (!declared_nominal && !in_list(t->names[c], o->categorical, o->ncategorical))
    LIMN_TRY(detect_numeric(ty, c, &numeric));
  if (numeric && o->task != LIMN_TASK_REGRESSION) {
    int applied;
    LIMN_TRY(
        integer_classes(ty, c, o->max_auto_classes, o->task == LIMN_TASK_CLASSIFICATION, y, s, &applied));
    if (applied)
      return LIMN_OK;
  }
  if (numeric && o->task != LIMN_TASK_CLASSIFICATION) {
    for (size_t r = 0; r < t->nrows; r++) {
      double v;
      LIMN_TRY(number_at(ty, r, c, &v));
      y[r] = (float)v;
    }
    return limn_schema_set_target(ctx, s, t->names[c], LIMN_TASK_REGRESSION, NULL, 0);
  }
  if (o->task == LIMN_TASK_REGRESSION)
    return limn__err(ctx, LIMN_EINVAL,
                     "%s: target column '%s' is not numeric, so it cannot be a regression target", ty->name,
                     t->names[c]);
  char **cats = NULL;
  size_t ncats = 0;
  LIMN_TRY(code_column(ty, c, o->as_text ? 2 : 1, &cats, &ncats, y, 1));
  int rc = LIMN_OK;
  if (ncats < 2)
    rc = limn__err(ctx, LIMN_EINVAL, "%s: target column '%s' has a single class '%s': nothing to tell apart",
                   ty->name, t->names[c], ncats ? cats[0] : "");
  else
    rc = limn_schema_set_target(ctx, s, t->names[c], LIMN_TASK_CLASSIFICATION, (const char *const *)cats,
                                ncats);
  limn__free(ctx, cats);
  return rc;
}

/* Check that every name in a forced list names a column. */
static int check_forced(typer *ty, const char *const *list, size_t n, const char *what) {
  for (size_t i = 0; i < n; i++)
    if (!list[i] || find_col(ty->t, list[i]) < 0) {
      char names[700];
      list_names_for(names, sizeof names, list[i], (const char *const *)ty->t->names, ty->t->ncols,
                     "columns");
      return limn__err(ty->ctx, LIMN_ENOTFOUND, "%s: %s column '%s' is not in the header (%s)", ty->name,
                       what, list[i] ? list[i] : "(null)", names);
    }
  return LIMN_OK;
}

/* Features and target without a given schema. */
static int type_auto(typer *ty, const limn_read_opts *o, limn_dataset *ds) {
  limn_ctx *ctx = ty->ctx;
  const limn__table *t = ty->t;
  long tc = -1;
  if (o->target) {
    tc = find_col(t, o->target);
    if (tc < 0) {
      char names[700];
      list_names_for(names, sizeof names, o->target, (const char *const *)t->names, t->ncols, "columns");
      return limn__err(ctx, LIMN_ENOTFOUND, "%s: unknown target column '%s' (%s)", ty->name, o->target,
                       names);
    }
  }
  LIMN_TRY(check_forced(ty, o->categorical, o->ncategorical, "categorical"));
  LIMN_TRY(check_forced(ty, o->numeric, o->nnumeric, "numeric"));
  LIMN_TRY(check_forced(ty, o->ignore, o->nignore, "ignored"));
  if (tc >= 0 && in_list(t->names[tc], o->ignore, o->nignore))
    return limn__err(ctx, LIMN_EINVAL, "%s: the target column '%s' cannot be ignored", ty->name,
                     t->names[tc]);
  size_t nign = 0;
  for (size_t c = 0; c < t->ncols; c++)
    nign += in_list(t->names[c], o->ignore, o->nignore);
  ds->d = t->ncols - (tc >= 0) - nign;
  if (ds->d == 0)
    return limn__err(ctx, LIMN_EINVAL, "%s: no feature columns besides the target", ty->name);
  ds->x = limn__alloc_array(ctx, t->nrows, ds->d * sizeof(float));
  if (!ds->x)
    return LIMN_ENOMEM;
  size_t j = 0;
  for (size_t c = 0; c < t->ncols; c++) {
    if ((long)c == tc || in_list(t->names[c], o->ignore, o->nignore))
      continue;
    int numeric;
    const char *nm = t->names[c];
    int fcat = o->as_text || in_list(nm, o->categorical, o->ncategorical);
    int fnum = in_list(nm, o->numeric, o->nnumeric);
    if (fcat && fnum)
      return limn__err(ctx, LIMN_EINVAL, "column '%s' is declared both numeric and categorical", nm);
    if (fcat)
      numeric = 0;
    else if (fnum || (t->decl_kind && t->decl_kind[c] == 0))
      numeric = 1;
    else if (t->decl_kind)
      numeric = 0;
    else
      LIMN_TRY(detect_numeric(ty, c, &numeric));
    if (numeric) {
      for (size_t r = 0; r < t->nrows; r++) {
        double v;
        LIMN_TRY(number_at(ty, r, c, &v));
        ds->x[r * ds->d + j] = (float)v;
      }
      LIMN_TRY(limn_schema_add_numeric(ctx, ds->schema, nm));
    } else {
      char **cats;
      size_t ncats;
      LIMN_TRY(code_column(ty, c, o->as_text ? 2 : fcat, &cats, &ncats, ds->x + j, ds->d));
      int rc = limn_schema_add_categorical(ctx, ds->schema, nm, (const char *const *)cats, ncats);
      limn__free(ctx, cats);
      LIMN_TRY(rc);
    }
    j++;
  }
  if (tc >= 0) {
    ds->y = limn__alloc_array(ctx, t->nrows, sizeof(float));
    if (!ds->y)
      return LIMN_ENOMEM;
    LIMN_TRY(auto_target(ty, (size_t)tc, o, ds->y, ds->schema));
  }
  return LIMN_OK;
}

/* Code of text f among names[0..n), by exact text or, for numbers, by value. */
static size_t match_name(const char *f, char *const *names, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (!strcmp(f, names[k]))
      return k;
  double v, w;
  if (limn__parse_number(f, &v))
    for (size_t k = 0; k < n; k++)
      if (limn__parse_number(names[k], &w) && v == w)
        return k;
  return (size_t)-1;
}

static int err_unknown(typer *ty, size_t r, size_t c, char *const *names, size_t n, const char *what) {
  char list[600];
  list_names_for(list, sizeof list, limn__field(ty->t, r, c), (const char *const *)names, n, "known");
  return limn__err(ty->ctx, LIMN_EPARSE, "%s line %zu, column '%s': unknown %s '%.40s' (%s)", ty->name,
                   ty->t->line[r], ty->t->names[c], what, limn__field(ty->t, r, c), list);
}

/* Typed column c into dst[r*stride] following schema column `col`. */
static int typed_by_schema(typer *ty, size_t c, const limn__column *col, float *dst, size_t stride) {
  for (size_t r = 0; r < ty->t->nrows; r++) {
    if (col->kind == LIMN_COL_NUMERIC) {
      double v;
      if (ty->missing_ok && missing_marker(limn__field(ty->t, r, c))) {
        dst[r * stride] = NAN;
        continue;
      }
      LIMN_TRY(number_at(ty, r, c, &v));
      dst[r * stride] = (float)v;
      continue;
    }
    const char *f = limn__field(ty->t, r, c);
    if (!*f)
      return err_missing(ty, r, c);
    size_t k = match_name(f, col->cats, col->ncats);
    if (k == (size_t)-1)
      return err_unknown(ty, r, c, col->cats, col->ncats, "category");
    dst[r * stride] = (float)k;
  }
  return LIMN_OK;
}

/* Features and target following a given schema. */
static int type_schema(typer *ty, const limn_read_opts *o, limn_dataset *ds) {
  limn_ctx *ctx = ty->ctx;
  const limn_schema *s = o->schema;
  const limn__table *t = ty->t;
  LIMN_TRY(limn_schema_clone(ctx, s, &ds->schema));
  ds->d = s->nfeatures;
  ds->x = limn__alloc_array(ctx, t->nrows, (ds->d ? ds->d : 1) * sizeof(float));
  if (!ds->x)
    return LIMN_ENOMEM;
  if (s->positional && t->ncols < s->nfeatures)
    return limn__err(ctx, LIMN_ENOTFOUND,
                     "%s: %zu columns; the model names no columns and takes the first %zu by position",
                     ty->name, t->ncols, s->nfeatures);
  for (size_t j = 0; j < s->nfeatures; j++) {
    long c = s->positional ? (long)j : find_col(t, s->cols[j].name);
    if (c < 0) {
      char names[700];
      list_names_for(names, sizeof names, s->cols[j].name, (const char *const *)t->names, t->ncols,
                     "columns");
      return limn__err(ctx, LIMN_ENOTFOUND, "%s: no column '%s', which the model needs (%s)", ty->name,
                       s->cols[j].name, names);
    }
    LIMN_TRY(typed_by_schema(ty, (size_t)c, &s->cols[j], ds->x + j, ds->d));
  }
  long tc = s->target ? find_col(t, s->target) : -1;
  if (s->target && tc < 0 && !o->target_optional)
    return limn__err(ctx, LIMN_ENOTFOUND, "%s: no target column '%s'", ty->name, s->target);
  if (tc < 0)
    return LIMN_OK;
  ds->y = limn__alloc_array(ctx, t->nrows, sizeof(float));
  if (!ds->y)
    return LIMN_ENOMEM;
  for (size_t r = 0; r < t->nrows; r++) {
    const char *f = limn__field(t, r, (size_t)tc);
    if (s->task == LIMN_TASK_REGRESSION) {
      double v;
      LIMN_TRY(number_at(ty, r, (size_t)tc, &v));
      ds->y[r] = (float)v;
      continue;
    }
    if (!*f || missing_marker(f))
      return err_missing(ty, r, (size_t)tc);
    size_t k = match_name(f, s->classes, s->nclasses);
    if (k == (size_t)-1)
      return err_unknown(ty, r, (size_t)tc, s->classes, s->nclasses, "class");
    ds->y[r] = (float)k;
  }
  return LIMN_OK;
}

int limn__dataset_from_table(limn_ctx *ctx, limn__table *t, const char *name, const limn_read_opts *opts,
                             limn_dataset **out) {
  limn_read_opts dflt = limn_read_opts_default();
  const limn_read_opts *o = opts ? opts : &dflt;
  typer ty = {ctx, t, name, o->missing_ok && o->schema};
  int rc;
  limn_dataset *ds = limn__calloc(ctx, 1, sizeof *ds);
  if (!ds)
    return LIMN_ENOMEM;
  ds->ctx = ctx;
  ds->n = t->nrows;
  ds->name = limn__strdup(ctx, name);
  ds->line = limn__alloc_array(ctx, t->nrows, sizeof *ds->line);
  LIMN_FAIL_IF(!ds->name || !ds->line, ctx, LIMN_ENOMEM, "out of memory");
  memcpy(ds->line, t->line, t->nrows * sizeof *ds->line);
  if (o->schema) {
    LIMN_CHECK(type_schema(&ty, o, ds));
  } else {
    LIMN_CHECK(limn_schema_create(ctx, &ds->schema));
    LIMN_CHECK(type_auto(&ty, o, ds));
  }
  *out = ds;
  return LIMN_OK;
fail:
  limn_dataset_free(ds);
  return rc;
}

/* ---- plain blocks of a stream: straight from the bytes, rows across threads ---- */

int limn__plain_map(limn_ctx *ctx, const limn__table *t, const limn_schema *s, int has_y, long **map) {
  *map = NULL;
  long *m = limn__alloc_array(ctx, t->ncols ? t->ncols : 1, sizeof *m);
  if (!m)
    return LIMN_ENOMEM;
  for (size_t c = 0; c < t->ncols; c++)
    m[c] = LIMN__PLAIN_SKIP;
  int ok = 1;
  for (size_t j = 0; ok && j < s->nfeatures; j++) {
    long c = s->positional ? (long)j : find_col(t, s->cols[j].name);
    ok = c >= 0 && (size_t)c < t->ncols && m[c] == LIMN__PLAIN_SKIP;
    if (ok)
      m[c] = (long)j;
  }
  long tc = has_y && s->target ? find_col(t, s->target) : -1;
  if (ok && tc >= 0) {
    ok = m[tc] == LIMN__PLAIN_SKIP;
    m[tc] = LIMN__PLAIN_TARGET;
  }
  if (!ok || (has_y && tc < 0)) { /* not a layout the plain reader takes: the general one reads every block */
    limn__free(ctx, m);
    return LIMN_OK;
  }
  *map = m;
  return LIMN_OK;
}

typedef struct plain_job {
  const char *block;
  const size_t *start; /* (n + 1) record offsets */
  size_t n, ncols, max_field;
  const long *map;
  const limn_schema *s;
  float *x, *y;
} plain_job;

#define PLAIN_ROWS 128 /* rows per item */

/* A field's text as a C string in buf (cap bytes); 0 when longer. */
static int field_copy(char *buf, size_t cap, const char *f, const char *e) {
  size_t n = (size_t)(e - f);
  if (n >= cap)
    return 0;
  memcpy(buf, f, n);
  buf[n] = '\0';
  return 1;
}

/* A number field as the general reader takes it (limn__parse_number, within float range). */
static int plain_number(const char *f, const char *e, float *dst) {
  double v;
  char b[64];
  if (!limn__parse_number_span(f, e, &v) &&
      !(field_copy(b, sizeof b, f, e) && limn__parse_number_strtod(b, &v)))
    return 0;
  if (!(fabs(v) <= FLT_MAX))
    return 0;
  *dst = (float)v;
  return 1;
}

/* One item's rows; 1 (stop) at anything the general reader would treat otherwise:
 * a field it would report, a missing value, a record of another width. */
static int plain_rows(void *arg, size_t item, void *scratch) {
  (void)scratch;
  const plain_job *jb = arg;
  const limn_schema *s = jb->s;
  size_t r1 = (item + 1) * PLAIN_ROWS < jb->n ? (item + 1) * PLAIN_ROWS : jb->n;
  char b[256];
  for (size_t r = item * PLAIN_ROWS; r < r1; r++) {
    const char *p = jb->block + jb->start[r], *end = jb->block + jb->start[r + 1] - 1; /* at its '\n' */
    if (end > p && end[-1] == '\r')
      end--;
    float *xr = jb->x + r * s->nfeatures;
    for (size_t c = 0;; c++) {
      const char *f = p, *e = memchr(p, ',', (size_t)(end - p));
      e = e ? e : end;
      if (c >= jb->ncols || (size_t)(e - f) > jb->max_field)
        return 1;
      long m = jb->map[c];
      int number = (m >= 0 && s->cols[m].kind == LIMN_COL_NUMERIC) ||
                   (m == LIMN__PLAIN_TARGET && s->task == LIMN_TASK_REGRESSION);
      if (!number && memchr(f, '\r', (size_t)(e - f)))
        return 1; /* a carriage return inside a line: the general reader's error */
      if (m >= 0) {
        const limn__column *col = &s->cols[m];
        if (col->kind == LIMN_COL_NUMERIC) {
          if (!plain_number(f, e, xr + m))
            return 1;
        } else {
          size_t k =
              e > f && field_copy(b, sizeof b, f, e) ? match_name(b, col->cats, col->ncats) : (size_t)-1;
          if (k == (size_t)-1)
            return 1;
          xr[m] = (float)k;
        }
      } else if (m == LIMN__PLAIN_TARGET) {
        if (s->task == LIMN_TASK_REGRESSION) {
          if (!plain_number(f, e, jb->y + r))
            return 1;
        } else {
          size_t k = e > f && field_copy(b, sizeof b, f, e) && !missing_marker(b)
                         ? match_name(b, s->classes, s->nclasses)
                         : (size_t)-1;
          if (k == (size_t)-1)
            return 1;
          jb->y[r] = (float)k;
        }
      }
      if (e == end) {
        if (c + 1 != jb->ncols)
          return 1;
        break;
      }
      p = e + 1;
    }
  }
  return 0;
}

int limn__dataset_from_plain(limn_ctx *ctx, const char *name, const limn_schema *s, const long *map,
                             size_t ncols, int has_y, const char *block, size_t len, size_t nrows,
                             size_t first_line, size_t max_field, limn_dataset **out) {
  *out = NULL;
  if (!nrows || !len || block[len - 1] != '\n' || memchr(block, '"', len))
    return LIMN_OK;
  size_t *start = limn__alloc_array(ctx, nrows + 1, sizeof *start);
  if (!start)
    return LIMN_ENOMEM;
  size_t r = 0;
  start[0] = 0;
  for (const char *p = block, *end = block + len; p < end && r < nrows;) {
    const char *lf = memchr(p, '\n', (size_t)(end - p));
    if (lf == p || (lf == p + 1 && *p == '\r'))
      break; /* a blank line: the general reader's */
    start[++r] = (size_t)(lf + 1 - block);
    p = lf + 1;
  }
  int rc = LIMN_OK;
  limn_dataset *ds = NULL;
  if (r != nrows || start[r] != len)
    goto done;
  ds = limn__calloc(ctx, 1, sizeof *ds);
  LIMN_FAIL_IF(!ds, ctx, LIMN_ENOMEM, "out of memory");
  ds->ctx = ctx;
  ds->n = nrows;
  ds->d = s->nfeatures;
  ds->name = limn__strdup(ctx, name);
  ds->line = limn__alloc_array(ctx, nrows, sizeof *ds->line);
  ds->x = limn__alloc_array(ctx, nrows, (ds->d ? ds->d : 1) * sizeof(float));
  ds->y = has_y ? limn__alloc_array(ctx, nrows, sizeof(float)) : NULL;
  LIMN_FAIL_IF(!ds->name || !ds->line || !ds->x || (has_y && !ds->y), ctx, LIMN_ENOMEM, "out of memory");
  LIMN_CHECK(limn_schema_clone(ctx, s, &ds->schema));
  for (size_t i = 0; i < nrows; i++)
    ds->line[i] = first_line + i;
  plain_job jb = {block, start, nrows, ncols, max_field, map, s, ds->x, ds->y};
  rc = limn__parallel_for(ctx, (nrows + PLAIN_ROWS - 1) / PLAIN_ROWS, 0, plain_rows, &jb);
  if (rc == LIMN_ENOMEM)
    goto fail;
  if (rc) { /* a field the general reader must see */
    rc = LIMN_OK;
    limn_dataset_free(ds);
    ds = NULL;
  }
done:
  limn__free(ctx, start);
  *out = ds;
  return rc;
fail:
  limn__free(ctx, start);
  limn_dataset_free(ds);
  return rc;
}

typedef int (*parse_fn)(limn_ctx *, const char *, size_t, const char *, size_t, limn__table **);

static int parse_with(limn_ctx *ctx, parse_fn fn, const char *buf, size_t len, const char *name,
                      const limn_read_opts *opts, limn_dataset **out) {
  *out = NULL;
  limn_read_opts dflt = limn_read_opts_default();
  const limn_read_opts *o = opts ? opts : &dflt;
  limn__table *t = NULL;
  size_t maxf = o->max_field_bytes ? o->max_field_bytes : dflt.max_field_bytes;
  LIMN_TRY(fn(ctx, buf, len, name, maxf, &t));
  int rc = limn__dataset_from_table(ctx, t, name, o, out);
  if (rc == LIMN_OK && o->keep_text)
    (*out)->text = t;
  else
    limn__table_free(ctx, t);
  return rc;
}

int limn_dataset_parse_csv(limn_ctx *ctx, const char *buf, size_t len, const char *name,
                           const limn_read_opts *opts, limn_dataset **out) {
  return parse_with(ctx, limn__csv_parse, buf, len, name ? name : "(memory)", opts, out);
}
int limn_dataset_parse_arff(limn_ctx *ctx, const char *buf, size_t len, const char *name,
                            const limn_read_opts *opts, limn_dataset **out) {
  return parse_with(ctx, limn__arff_parse, buf, len, name ? name : "(memory)", opts, out);
}

static int read_with(limn_ctx *ctx, parse_fn fn, const char *path, const limn_read_opts *opts,
                     limn_dataset **out) {
  *out = NULL;
  char *buf;
  size_t len;
  const limn__input in = {fn == limn__arff_parse ? "an ARFF data file" : "a CSV data file", 0, 1, NULL};
  LIMN_TRY(limn__read_input(ctx, path, &in, &buf, &len));
  int rc = parse_with(ctx, fn, buf, len, path, opts, out);
  limn__free(ctx, buf);
  return rc;
}

int limn_dataset_read_csv(limn_ctx *ctx, const char *path, const limn_read_opts *opts, limn_dataset **out) {
  return read_with(ctx, limn__csv_parse, path, opts, out);
}
int limn_dataset_read_arff(limn_ctx *ctx, const char *path, const limn_read_opts *opts, limn_dataset **out) {
  return read_with(ctx, limn__arff_parse, path, opts, out);
}
int limn__is_arff_path(const char *path) {
  size_t n = strlen(path);
  return n >= 5 && !strcasecmp(path + n - 5, ".arff");
}

int limn_dataset_read(limn_ctx *ctx, const char *path, const limn_read_opts *opts, limn_dataset **out) {
  if (limn__is_arff_path(path))
    return limn_dataset_read_arff(ctx, path, opts, out);
  return limn_dataset_read_csv(ctx, path, opts, out);
}

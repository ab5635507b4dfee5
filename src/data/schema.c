/* Schema: feature columns, categories, target and classes. */
#include "data_internal.h"

int limn_schema_create(limn_ctx *ctx, limn_schema **out) {
  *out = NULL;
  limn_schema *s = limn__calloc(ctx, 1, sizeof *s);
  if (!s)
    return LIMN_ENOMEM;
  s->ctx = ctx;
  s->task = LIMN_TASK_CLASSIFICATION;
  *out = s;
  return LIMN_OK;
}

static void free_strv(limn_ctx *ctx, char **v, size_t n) {
  if (!v)
    return;
  for (size_t i = 0; i < n; i++)
    limn__free(ctx, v[i]);
  limn__free(ctx, v);
}

void limn_schema_free(limn_schema *s) {
  if (!s)
    return;
  limn_ctx *ctx = s->ctx;
  for (size_t j = 0; j < s->nfeatures; j++) {
    limn__free(ctx, s->cols[j].name);
    free_strv(ctx, s->cols[j].cats, s->cols[j].ncats);
  }
  limn__free(ctx, s->cols);
  limn__strmap_free(ctx, &s->index);
  limn__free(ctx, s->target);
  free_strv(ctx, s->classes, s->nclasses);
  limn__free(ctx, s);
}

/* Copy n strings; NULL on failure (all freed). */
static char **dup_strv(limn_ctx *ctx, const char *const *v, size_t n) {
  char **d = limn__calloc(ctx, n ? n : 1, sizeof *d);
  if (!d)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (!(d[i] = limn__strdup(ctx, v[i]))) {
      free_strv(ctx, d, i);
      return NULL;
    }
  return d;
}

/* Names must be unique among features and the target. */
static int check_name(limn_ctx *ctx, const limn_schema *s, const char *name) {
  if (!name || !*name)
    return limn__err(ctx, LIMN_EINVAL, "column name must not be empty");
  if (limn_schema_find_feature(s, name) >= 0 || (s->target && !strcmp(s->target, name)))
    return limn__err(ctx, LIMN_EINVAL, "duplicate column name '%s'", name);
  return LIMN_OK;
}

/* Every name in v[0..n) is distinct (a hash map: linear in n). */
static int check_distinct(limn_ctx *ctx, const char *what, const char *const *v, size_t n) {
  limn__strmap seen = {0};
  int rc = limn__strmap_init(ctx, &seen, n);
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    if (!v[i])
      rc = limn__err(ctx, LIMN_EINVAL, "%s: name %zu is NULL", what, i);
    else if (limn__strmap_get(&seen, v[i]) != (size_t)-1)
      rc = limn__err(ctx, LIMN_EINVAL, "%s: duplicate name '%s'", what, v[i]);
    else
      rc = limn__strmap_put(ctx, &seen, v[i], i);
  }
  limn__strmap_free(ctx, &seen);
  return rc;
}

static int add_col(limn_ctx *ctx, limn_schema *s, const char *name, limn_col_kind kind,
                   const char *const *cats, size_t ncats) {
  LIMN_TRY(check_name(ctx, s, name));
  if (s->nfeatures == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 8;
    limn__column *c = limn__realloc(ctx, s->cols, cap * sizeof *c);
    if (!c)
      return LIMN_ENOMEM;
    s->cols = c;
    s->cap = cap;
  }
  limn__column col = {0};
  col.kind = kind;
  col.name = limn__strdup(ctx, name);
  if (!col.name)
    return LIMN_ENOMEM;
  if (kind == LIMN_COL_CATEGORICAL) {
    col.cats = dup_strv(ctx, cats, ncats);
    if (!col.cats) {
      limn__free(ctx, col.name);
      return LIMN_ENOMEM;
    }
    col.ncats = ncats;
  }
  int rc = limn__strmap_put(ctx, &s->index, col.name, s->nfeatures);
  if (rc) {
    limn__free(ctx, col.name);
    free_strv(ctx, col.cats, col.ncats);
    return rc;
  }
  s->cols[s->nfeatures++] = col;
  return LIMN_OK;
}

int limn_schema_add_numeric(limn_ctx *ctx, limn_schema *s, const char *name) {
  return add_col(ctx, s, name, LIMN_COL_NUMERIC, NULL, 0);
}

int limn_schema_add_categorical(limn_ctx *ctx, limn_schema *s, const char *name, const char *const *cats,
                                size_t ncats) {
  if (ncats < 1)
    return limn__err(ctx, LIMN_EINVAL, "categorical column '%s' needs at least one category",
                     name ? name : "");
  LIMN_TRY(check_distinct(ctx, name ? name : "categories", cats, ncats));
  return add_col(ctx, s, name, LIMN_COL_CATEGORICAL, cats, ncats);
}

int limn_schema_set_target(limn_ctx *ctx, limn_schema *s, const char *name, limn_task task,
                           const char *const *classes, size_t nclasses) {
  if (!name || !*name)
    return limn__err(ctx, LIMN_EINVAL, "target name must not be empty");
  if (limn_schema_find_feature(s, name) >= 0)
    return limn__err(ctx, LIMN_EINVAL, "target '%s' is also a feature", name);
  if (task == LIMN_TASK_CLASSIFICATION) {
    if (nclasses < 2)
      return limn__err(ctx, LIMN_EINVAL, "target '%s' needs at least two classes, got %zu", name, nclasses);
    LIMN_TRY(check_distinct(ctx, name, classes, nclasses));
  } else if (task != LIMN_TASK_REGRESSION) {
    return limn__err(ctx, LIMN_EINVAL, "target task must be classification or regression");
  } else {
    nclasses = 0;
  }
  char *t = limn__strdup(ctx, name);
  char **cl = nclasses ? dup_strv(ctx, classes, nclasses) : NULL;
  if (!t || (nclasses && !cl)) {
    limn__free(ctx, t);
    free_strv(ctx, cl, nclasses);
    return LIMN_ENOMEM;
  }
  limn__free(ctx, s->target);
  free_strv(ctx, s->classes, s->nclasses);
  s->target = t;
  s->task = task;
  s->classes = cl;
  s->nclasses = nclasses;
  return LIMN_OK;
}

int limn_schema_clone(limn_ctx *ctx, const limn_schema *s, limn_schema **out) {
  limn_schema *c = NULL;
  int rc;
  LIMN_CHECK(limn_schema_create(ctx, &c));
  for (size_t j = 0; j < s->nfeatures; j++)
    LIMN_CHECK(add_col(ctx, c, s->cols[j].name, s->cols[j].kind, (const char *const *)s->cols[j].cats,
                       s->cols[j].ncats));
  if (s->target)
    LIMN_CHECK(
        limn_schema_set_target(ctx, c, s->target, s->task, (const char *const *)s->classes, s->nclasses));
  c->positional = s->positional;
  *out = c;
  return LIMN_OK;
fail:
  limn_schema_free(c);
  *out = NULL;
  return rc;
}

size_t limn_schema_nfeatures(const limn_schema *s) { return s->nfeatures; }
void limn_schema_set_positional(limn_schema *s, int positional) {
  if (s)
    s->positional = positional != 0;
}
int limn_schema_positional(const limn_schema *s) { return s && s->positional; }
const char *limn_schema_feature_name(const limn_schema *s, size_t j) {
  return j < s->nfeatures ? s->cols[j].name : NULL;
}
limn_col_kind limn_schema_feature_kind(const limn_schema *s, size_t j) {
  return j < s->nfeatures ? s->cols[j].kind : LIMN_COL_NUMERIC;
}
size_t limn_schema_ncategories(const limn_schema *s, size_t j) {
  return j < s->nfeatures ? s->cols[j].ncats : 0;
}
const char *limn_schema_category(const limn_schema *s, size_t j, size_t c) {
  return j < s->nfeatures && c < s->cols[j].ncats ? s->cols[j].cats[c] : NULL;
}
long limn_schema_find_feature(const limn_schema *s, const char *name) {
  size_t j = name ? limn__strmap_get(&s->index, name) : (size_t)-1;
  return j == (size_t)-1 ? -1 : (long)j;
}
const char *limn_schema_target_name(const limn_schema *s) { return s->target; }
limn_task limn_schema_task(const limn_schema *s) { return s->task; }
size_t limn_schema_nclasses(const limn_schema *s) { return s->nclasses; }
const char *limn_schema_class_name(const limn_schema *s, size_t k) {
  return k < s->nclasses ? s->classes[k] : NULL;
}

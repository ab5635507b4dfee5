/* LIME's discretisations of numeric columns, computed once from training data:
 * quartile and decile edges (numpy percentiles, deduplicated), entropy edges (the
 * thresholds of a depth-3 entropy decision tree on the column against the class
 * labels, as scikit-learn grows it), and per-bin count, mean and population std. */
#include "data_internal.h"
#include <math.h>
#include <stdlib.h>

limn__bins *limn__stats_bins(const limn_stats *st, size_t j, int disc) {
  if (!st->bins || j >= st->d || disc < 0 || disc >= LIMN__NDISC)
    return NULL;
  limn__bins *b = &st->bins[j * LIMN__NDISC + (size_t)disc];
  return b->present ? b : NULL;
}

size_t limn__bin_of(const double *edges, size_t ne, double v) {
  size_t lo = 0, hi = ne; /* number of edges strictly below v (searchsorted left) */
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (edges[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int limn__bins_alloc(limn_ctx *ctx, limn__bins *b, size_t ne) {
  b->data = limn__calloc(ctx, ne + 3 * (ne + 1), sizeof(double));
  if (!b->data)
    return LIMN_ENOMEM;
  b->present = 1;
  b->ne = ne;
  b->edges = b->data;
  b->count = b->edges + ne;
  b->mean = b->count + ne + 1;
  b->std = b->mean + ne + 1;
  return LIMN_OK;
}

/* Sorted unique edges from candidates (in place); returns their number. */
static size_t unique_sorted(double *e, size_t n) {
  qsort(e, n, sizeof *e, limn__cmp_double);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (k == 0 || e[i] != e[k - 1])
      e[k++] = e[i];
  return k;
}

/* Per-bin count, mean and population std of column values v (n). */
static void bin_moments(limn__bins *b, const double *v, size_t n) {
  size_t nb = b->ne + 1;
  for (size_t i = 0; i < n; i++) {
    size_t k = limn__bin_of(b->edges, b->ne, v[i]);
    b->count[k] += 1.0;
    b->mean[k] += v[i];
  }
  for (size_t k = 0; k < nb; k++)
    b->mean[k] = b->count[k] > 0 ? b->mean[k] / b->count[k] : 0.0;
  for (size_t i = 0; i < n; i++) {
    size_t k = limn__bin_of(b->edges, b->ne, v[i]);
    double dlt = v[i] - b->mean[k];
    b->std[k] += dlt * dlt;
  }
  for (size_t k = 0; k < nb; k++)
    b->std[k] = b->count[k] > 0 ? sqrt(b->std[k] / b->count[k]) : 0.0;
}

/* ---- entropy tree (scikit-learn's DecisionTreeClassifier(criterion='entropy',
 * max_depth=3) on one column) ---- */

typedef struct tree {
  const double *v; /* sorted values (n) */
  const int *y;    /* labels in the same order */
  size_t k;        /* classes */
  double *cl, *cr; /* class counts (k) each */
  double *thr;     /* thresholds found */
  size_t nthr;
} tree;

static double entropy(const double *c, size_t k, double n) {
  double e = 0.0;
  for (size_t i = 0; i < k; i++)
    if (c[i] > 0) {
      double p = c[i] / n;
      e -= p * log2(p);
    }
  return e;
}

/* Grow the node over sorted positions [s, e) at depth `depth`. */
static void grow(tree *t, size_t s, size_t e, int depth) {
  size_t n = e - s;
  if (depth >= 3 || n < 2)
    return;
  memset(t->cr, 0, t->k * sizeof *t->cr);
  memset(t->cl, 0, t->k * sizeof *t->cl);
  for (size_t i = s; i < e; i++)
    t->cr[t->y[i]] += 1.0;
  if (entropy(t->cr, t->k, (double)n) <= 2.220446049250313e-16)
    return; /* pure */
  double best = -INFINITY;
  size_t bp = e;
  for (size_t p = s; p + 1 < e; p++) {
    t->cl[t->y[p]] += 1.0;
    t->cr[t->y[p]] -= 1.0;
    if (t->v[p] + 1e-7 >= t->v[p + 1]) /* scikit-learn's FEATURE_THRESHOLD */
      continue;
    double nl = (double)(p + 1 - s), nr = (double)(e - p - 1);
    double proxy = -nl * entropy(t->cl, t->k, nl) - nr * entropy(t->cr, t->k, nr);
    if (proxy > best) {
      best = proxy;
      bp = p;
    }
  }
  if (bp == e)
    return;
  double th = (t->v[bp] + t->v[bp + 1]) / 2.0;
  if (th == t->v[bp + 1] || isinf(th))
    th = t->v[bp];
  t->thr[t->nthr++] = th;
  grow(t, s, bp + 1, depth + 1);
  grow(t, bp + 1, e, depth + 1);
}

typedef struct pair {
  double v;
  int y;
} pair;
static int cmp_pair(const void *a, const void *b) {
  const pair *p = a, *q = b;
  if (p->v != q->v)
    return p->v < q->v ? -1 : 1;
  return (p->y > q->y) - (p->y < q->y);
}

/* Entropy edges of column v against labels y; the median when the tree makes no split. */
static int entropy_edges(limn_ctx *ctx, const double *v, const float *y, size_t n, size_t k, double median,
                         double *out, size_t *ne) {
  pair *pr = limn__alloc_array(ctx, n, sizeof *pr);
  double *sv = limn__alloc_array(ctx, n, sizeof *sv);
  int *sy = limn__alloc_array(ctx, n, sizeof *sy);
  double *cnt = limn__calloc(ctx, 2 * k, sizeof *cnt);
  int rc = pr && sv && sy && cnt ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK) {
    for (size_t i = 0; i < n; i++)
      pr[i].v = v[i], pr[i].y = (int)y[i];
    qsort(pr, n, sizeof *pr, cmp_pair);
    for (size_t i = 0; i < n; i++)
      sv[i] = pr[i].v, sy[i] = pr[i].y;
    tree t = {sv, sy, k, cnt, cnt + k, out, 0};
    grow(&t, 0, n, 0);
    *ne = t.nthr;
    if (*ne == 0)
      out[(*ne)++] = median;
    *ne = unique_sorted(out, *ne);
  }
  limn__free(ctx, pr);
  limn__free(ctx, sv);
  limn__free(ctx, sy);
  limn__free(ctx, cnt);
  return rc;
}

int limn__bins_compute(limn_ctx *ctx, limn_stats *st, const float *x, size_t n, size_t d, size_t j,
                       const float *y, size_t nclasses) {
  double *v = limn__alloc_array(ctx, n, sizeof *v);
  float *yv = y ? limn__alloc_array(ctx, n, sizeof *yv) : NULL;
  if (!v || (y && !yv)) {
    limn__free(ctx, v), limn__free(ctx, yv);
    return LIMN_ENOMEM;
  }
  size_t m = 0; /* the present values (a missing one, NaN, has no bin) and their labels */
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i * d + j])) {
      if (yv)
        yv[m] = y[i];
      v[m++] = x[i * d + j];
    }
  n = m, y = yv;
  int rc = LIMN_OK;
  for (int disc = 0; disc < LIMN__NDISC && rc == LIMN_OK; disc++) {
    double e[16];
    size_t ne = 0;
    if (disc == LIMN__DISC_QUARTILE) {
      for (int q = 1; q <= 3; q++)
        e[ne++] = st->pct[j * LIMN__NPCT + (size_t)(25 * q)];
      ne = unique_sorted(e, ne);
    } else if (disc == LIMN__DISC_DECILE) {
      for (int q = 1; q <= 9; q++)
        e[ne++] = st->pct[j * LIMN__NPCT + (size_t)(10 * q)];
      ne = unique_sorted(e, ne);
    } else {
      if (!y || nclasses < 2)
        continue; /* no labels: no entropy bins */
      rc = entropy_edges(ctx, v, y, n, nclasses, st->pct[j * LIMN__NPCT + 50], e, &ne);
      if (rc)
        break;
    }
    limn__bins *b = &st->bins[j * LIMN__NDISC + (size_t)disc];
    rc = limn__bins_alloc(ctx, b, ne);
    if (rc == LIMN_OK) {
      memcpy(b->edges, e, ne * sizeof *e);
      bin_moments(b, v, n);
    }
  }
  limn__free(ctx, v), limn__free(ctx, yv);
  return rc;
}

static const char *const disc_names[] = {"quartile", "decile", "entropy", "none"};

const char *limn_discretizer_name(limn_discretizer d) {
  return (unsigned)d < sizeof disc_names / sizeof *disc_names ? disc_names[d] : NULL;
}

int limn_discretizer_parse(const char *name, limn_discretizer *out) {
  long i = limn__name_index(name, disc_names, sizeof disc_names / sizeof *disc_names);
  return i < 0 ? LIMN_EINVAL : (*out = (limn_discretizer)i, LIMN_OK);
}

int limn_stats_bins(limn_ctx *ctx, const limn_stats *st, size_t j, limn_discretizer disc, limn_bins *out) {
  if (!st || !out)
    return limn__err(ctx, LIMN_EINVAL, "limn_stats_bins: NULL statistics or output");
  if (j >= limn_stats_nfeatures(st))
    return limn__err(ctx, LIMN_EINVAL, "limn_stats_bins: column %zu of %zu", j, limn_stats_nfeatures(st));
  const limn__bins *b = disc == LIMN_DISC_NONE ? NULL : limn__stats_bins(st, j, (int)disc);
  if (!b)
    return limn__err(ctx, LIMN_ENOTFOUND, "column %zu has no %s bins", j,
                     limn_discretizer_name(disc) ? limn_discretizer_name(disc) : "such");
  out->ne = b->ne;
  out->edges = b->edges;
  out->count = b->count;
  out->mean = b->mean;
  out->std = b->std;
  return LIMN_OK;
}

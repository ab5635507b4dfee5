/* Shapley values of the interventional game (docs/math/shap.md): exact enumeration,
 * KernelSHAP with shap's KernelExplainer rules (seeded), antithetic permutations over
 * the whole background, and antithetic permutations with one background row each.
 * Rows are explained one after another; all coalitions of a row go through the model
 * in blocks of about 64k model rows, which the model spreads over the threads. A
 * row's values depend only on the row, the background, the options and its RNG stream
 * (seed, row id), never on the thread count or the other rows. */
#include "explain_internal.h"
#include <math.h>

#define SHAP_BLOCK_ROWS 65536 /* model rows per call */
#define SHAP_EXACT_LIMIT 20   /* players: 2^20 coalitions x N rows */
#define SHAP_LOGIT_EPS 1e-12

static const char *const est_names[] = {
    "auto", "exact", "kernel", "permutation", "sampling", "tree", "tree-interventional"};
static const char *const link_names[] = {"identity", "logit"};

#define NAMES(a) (sizeof(a) / sizeof *(a))
const char *limn_shap_estimator_name(limn_shap_estimator e) {
  return (unsigned)e < NAMES(est_names) ? est_names[e] : NULL;
}
int limn_shap_estimator_parse(const char *name, limn_shap_estimator *out) {
  long i = limn__name_index(name, est_names, NAMES(est_names));
  return i < 0 ? LIMN_EINVAL : (*out = (limn_shap_estimator)i, LIMN_OK);
}
const char *limn_link_name(limn_link l) { return (unsigned)l < NAMES(link_names) ? link_names[l] : NULL; }
int limn_link_parse(const char *name, limn_link *out) {
  long i = limn__name_index(name, link_names, NAMES(link_names));
  return i < 0 ? LIMN_EINVAL : (*out = (limn_link)i, LIMN_OK);
}

limn_shap_opts limn_shap_opts_default(void) {
  limn_shap_opts o;
  memset(&o, 0, sizeof o);
  o.estimator = LIMN_SHAP_AUTO;
  o.link = LIMN_LINK_IDENTITY;
  o.space = LIMN_SPACE_OUTPUT;
  o.target = -1;
  o.exact_max = 12;
  return o;
}

size_t limn_shap_samples(const limn_shap_opts *o, limn_shap_estimator est, size_t M) {
  if (!o || (est != LIMN_SHAP_KERNEL && est != LIMN_SHAP_PERMUTATION && est != LIMN_SHAP_SAMPLING))
    return 0;
  if (est != LIMN_SHAP_SAMPLING)
    return o->nsamples ? o->nsamples : 2 * M + 2048;
  /* (the default is as accurate as shap's KernelSHAP default on the benchmark's rows:
   * docs/math/shap.md) */
  size_t N = o->nbackground ? o->nbackground : 1, want = o->nsamples     ? o->nsamples
                                                         : 20 * N > 2000 ? 20 * N
                                                                         : 2000;
  return (want + N - 1) / N * N;
}

/* The game of one row: v(S) = g(mean over the background of f(x_S, r_notS)). */
typedef struct game {
  limn_ctx *ctx;
  const limn_model *m;
  const limn_shap_opts *o;
  size_t d, N, k;    /* columns, background rows, model outputs */
  const float *bg;   /* (N, d) */
  const float *x;    /* (d) the explained row */
  size_t target;     /* explained output */
  size_t M;          /* varying players */
  size_t *player;    /* (d) the varying players (groups of columns), in the order of their lead */
  size_t np;         /* players: groups of columns (each column alone without groups) */
  size_t *gstart;    /* (np + 1) each player's columns in gcols[gstart[p]..gstart[p + 1]) */
  size_t *gcols;     /* (d) */
  size_t cap;        /* coalitions per model call */
  float *rows, *out; /* (cap * N, d), (cap * N, k) */
  size_t evals;      /* coalitions evaluated for this row */
  size_t nsamples;   /* this attempt's budget (opts' nsamples, grown by --tolerance) */
} game;

static double link(limn_link l, double p) {
  if (l == LIMN_LINK_IDENTITY)
    return p;
  p = p < SHAP_LOGIT_EPS ? SHAP_LOGIT_EPS : p > 1 - SHAP_LOGIT_EPS ? 1 - SHAP_LOGIT_EPS : p;
  return log(p / (1 - p));
}

/* One coalition's model rows: the background with the coalition's columns from x. */
typedef struct fill_arg {
  const game *g;
  const unsigned char *z; /* the block's coalitions */
} fill_arg;

static int fill_item(void *arg, size_t c, void *scratch) {
  (void)scratch;
  const fill_arg *a = arg;
  const game *g = a->g;
  size_t d = g->d, N = g->N, M = g->M;
  const unsigned char *zc = a->z + c * M;
  float *r = g->rows + c * N * d;
  memcpy(r, g->bg, N * d * sizeof *r);
  for (size_t p = 0; p < M; p++)
    if (zc[p])
      for (size_t t = g->gstart[g->player[p]]; t < g->gstart[g->player[p] + 1]; t++) {
        size_t j = g->gcols[t];
        for (size_t q = 0; q < N; q++)
          r[q * d + j] = g->x[j];
      }
  return 0;
}

/* v of `count` coalitions z (count, M): z[c * M + p] = 1 when player p comes from x.
 * A block's model rows are made on the threads (each coalition's rows by one item),
 * then go through the model in one call. */
static int values(game *g, const unsigned char *z, size_t count, double *v) {
  size_t N = g->N, k = g->k, M = g->M;
  for (size_t c0 = 0; c0 < count; c0 += g->cap) {
    size_t nc = count - c0 < g->cap ? count - c0 : g->cap;
    fill_arg fa = {g, z + c0 * M};
    int pr = limn__parallel_for(g->ctx, nc, 0, fill_item, &fa);
    if (pr)
      return pr == LIMN_ENOMEM ? LIMN_ENOMEM
                               : limn__err(g->ctx, LIMN_EINVAL, "SHAP: building the model rows");
    /* the logit link reads probabilities near 0 and 1: from the logits, in double (a
     * float probability of 1 - 1e-4 has only three correct digits in 1 - p) */
    int from_logits = g->o->link == LIMN_LINK_LOGIT;
    LIMN_TRY(limn_model_forward(g->ctx, g->m, g->rows, nc * N, from_logits ? LIMN_SPACE_LOGIT : g->o->space,
                                g->out));
    for (size_t c = 0; c < nc; c++) {
      double s = 0;
      for (size_t q = 0; q < N; q++) {
        const float *o = g->out + (c * N + q) * k;
        if (!from_logits) {
          s += (double)o[g->target];
          continue;
        }
        double mx = o[0], zs = 0;
        for (size_t t = 1; t < k; t++)
          mx = o[t] > mx ? o[t] : mx;
        for (size_t t = 0; t < k; t++)
          zs += exp((double)o[t] - mx);
        s += exp((double)o[g->target] - mx) / zs;
      }
      v[c0 + c] = link(g->o->link, s / (double)N);
    }
    if (limn__canceled(g->ctx))
      return limn__err(g->ctx, LIMN_ECANCELED, "canceled");
  }
  g->evals += count;
  return LIMN_OK;
}

/* v(empty) and v(all players). */
static int ends(game *g, double *base, double *full) {
  unsigned char *z = limn__calloc(g->ctx, 2 * (g->M ? g->M : 1), 1);
  double v[2];
  if (!z)
    return LIMN_ENOMEM;
  memset(z + g->M, 1, g->M);
  int rc = values(g, z, 2, v);
  limn__free(g->ctx, z);
  *base = v[0], *full = v[1];
  return rc;
}

/* Every coalition: phi_p = sum over S without p of |S|! (M-|S|-1)! / M! (v(S+p) - v(S)). */
static int exact(game *g, double *phi, double *base, double *full) {
  size_t M = g->M, P = (size_t)1 << M, block = g->cap < P ? g->cap : P;
  double *v = limn__alloc_array(g->ctx, P, sizeof *v), w[SHAP_EXACT_LIMIT + 1];
  unsigned char *z = limn__alloc_array(g->ctx, block, M ? M : 1);
  int rc = v && z ? LIMN_OK : LIMN_ENOMEM;
  for (size_t a = 0; a < P && rc == LIMN_OK; a += block) { /* coalitions a.. as bitmasks */
    size_t nb = P - a < block ? P - a : block;
    for (size_t c = 0; c < nb; c++)
      for (size_t p = 0; p < M; p++)
        z[c * M + p] = (unsigned char)(((a + c) >> p) & 1);
    rc = values(g, z, nb, v + a);
  }
  if (rc == LIMN_OK) {
    /* w(s) = 1 / (M C(M-1, s)) */
    double binom = 1;
    for (size_t s = 0; s < M; s++) {
      w[s] = 1.0 / ((double)M * binom);
      binom = binom * (double)(M - 1 - s) / (double)(s + 1);
    }
    for (size_t p = 0; p < M; p++)
      phi[p] = 0;
    for (size_t mask = 0; mask < P; mask++) {
      size_t s = 0;
      for (size_t t = mask; t; t &= t - 1)
        s++;
      for (size_t p = 0; p < M; p++)
        if (!(mask >> p & 1))
          phi[p] += w[s] * (v[mask | (size_t)1 << p] - v[mask]);
    }
    *base = v[0], *full = v[P - 1];
  }
  limn__free(g->ctx, v);
  limn__free(g->ctx, z);
  return rc;
}

/* ---- KernelSHAP ---- */

#define KERNEL_GROUPS 10 /* jackknife groups of the drawn coalitions */

typedef struct kset {
  limn_ctx *ctx;
  size_t M, n, cap;
  unsigned char *z; /* (cap, M) */
  double *w;        /* (cap) kernel weights of the enumerated coalitions (0 for drawn ones) */
  double *wg;       /* (cap, KERNEL_GROUPS) draws of each coalition per group (raw counts) */
  double wleft;     /* the kernel mass of the drawn sizes: the drawn counts are scaled to it */
  size_t *slot;     /* open-addressing index of the masks (hcap) */
  size_t hcap;
} kset;

/* The index of coalition z, or n (not present); *h the slot to insert it at. */
static size_t kset_find(const kset *s, const unsigned char *z, size_t *h) {
  size_t i = (size_t)(limn__fnv1a64(z, s->M) & (s->hcap - 1));
  while (s->slot[i] != (size_t)-1) {
    if (!memcmp(s->z + s->slot[i] * s->M, z, s->M))
      return s->slot[i];
    i = (i + 1) & (s->hcap - 1);
  }
  *h = i;
  return s->n;
}

/* Add coalition z with weight w (its complement too when `paired`), or add w to it. */
static void kset_add(kset *s, const unsigned char *z, double w) {
  size_t h = 0, at = kset_find(s, z, &h);
  if (at < s->n) {
    s->w[at] += w;
    return;
  }
  memcpy(s->z + s->n * s->M, z, s->M);
  s->w[s->n] = w;
  memset(s->wg + s->n * KERNEL_GROUPS, 0, KERNEL_GROUPS * sizeof *s->wg);
  s->slot[h] = s->n++;
}

/* One more draw of coalition z in jackknife group grp (added when new, weight 0 among
 * the enumerated). Returns 1 when z was new. */
static int kset_draw(kset *s, const unsigned char *z, size_t grp) {
  size_t h = 0, at = kset_find(s, z, &h), fresh = at == s->n;
  if (fresh)
    kset_add(s, z, 0);
  s->wg[at * KERNEL_GROUPS + grp] += 1;
  return (int)fresh;
}

/* The weighted least squares with efficiency as a constraint (shap's solve without
 * feature selection): the last player eliminated, y' = y - z_M delta, X = z_1..M-1 - z_M,
 * (X'WX) b = X'Wy', phi_M = delta - sum b. norm_add adds coalition z with weight w to
 * the normal equations A (q, q), r (q); norm_solve solves copies of them by Gaussian
 * elimination with partial pivoting, in double. */
static void norm_add(const unsigned char *z, size_t M, double w, double y, double delta, double *A,
                     double *r) {
  size_t q = M - 1;
  double last = z[M - 1], yc = y - last * delta;
  for (size_t i = 0; i < q; i++) {
    double xi = z[i] - last;
    if (xi == 0)
      continue;
    r[i] += w * xi * yc;
    for (size_t j = 0; j < q; j++)
      A[i * q + j] += w * xi * (z[j] - last);
  }
}

static int norm_solve(limn_ctx *ctx, const double *A0, const double *r0, size_t M, double delta, double *tmp,
                      double *phi) {
  size_t q = M - 1;
  double *A = tmp, sum = 0;
  memcpy(A, A0, q * q * sizeof *A);
  memcpy(phi, r0, q * sizeof *phi);
  if (limn__gauss_solve(A, q, phi, 1e-300))
    return limn__err(ctx, LIMN_EUNSUPPORTED,
                     "KernelSHAP: the coalitions do not determine the values (a singular system); use more "
                     "samples or --estimator exact");
  for (size_t i = 0; i < q; i++)
    sum += phi[i];
  phi[q] = delta - sum;
  return LIMN_OK;
}

/* The number of coalitions KernelSHAP uses: nsamples (auto 2M + 2048), at most 2^M - 2. */
static size_t kernel_budget(size_t M, size_t nsamples) {
  size_t ns = nsamples ? nsamples : 2 * M + 2048;
  if (M <= 30 && ns > ((size_t)1 << M) - 2)
    ns = ((size_t)1 << M) - 2;
  return ns;
}

/* All subsets of size sz of M players in lexicographic order (itertools.combinations),
 * each with its complement after it when paired. */
static void add_size(kset *s, size_t sz, int paired, double w, unsigned char *z, size_t *idx) {
  size_t M = s->M;
  for (size_t i = 0; i < sz; i++)
    idx[i] = i;
  for (;;) {
    memset(z, 0, M);
    for (size_t i = 0; i < sz; i++)
      z[idx[i]] = 1;
    kset_add(s, z, w);
    if (paired) {
      for (size_t p = 0; p < M; p++)
        z[p] = (unsigned char)!z[p];
      kset_add(s, z, w);
    }
    size_t i = sz;
    while (i > 0 && idx[i - 1] == i - 1 + M - sz)
      i--;
    if (i == 0)
      return;
    idx[i - 1]++;
    for (size_t j = i; j < sz; j++)
      idx[j] = idx[j - 1] + 1;
  }
}

static double binomial(size_t n, size_t k) {
  double r = 1;
  for (size_t i = 1; i <= k; i++)
    r = r * (double)(n - k + i) / (double)i;
  return r;
}

/* KernelSHAP's coalitions and weights (shap's rules, our RNG): whole subset sizes from
 * the outside in while the budget allows, then sizes drawn by their kernel weight and
 * subsets uniformly, each with its complement. *all: every coalition was enumerated. */
static int kernel_coalitions(game *g, kset *s, limn_rng *rng, int *all) {
  limn_ctx *ctx = g->ctx;
  size_t M = g->M, ns = kernel_budget(M, g->nsamples);
  size_t nsizes = M / 2, npaired = (M - 1) / 2; /* ceil((M-1)/2), floor((M-1)/2) */
  double total = 0;
  s->ctx = ctx, s->M = M, s->n = 0, s->cap = ns;
  s->hcap = 16;
  while (s->hcap < 2 * ns + 2)
    s->hcap *= 2;
  s->z = limn__alloc_array(ctx, ns, M);
  s->w = limn__alloc_array(ctx, ns, sizeof *s->w);
  s->wg = limn__alloc_array(ctx, ns, KERNEL_GROUPS * sizeof *s->wg);
  s->slot = limn__alloc_array(ctx, s->hcap, sizeof *s->slot);
  size_t *idx = limn__alloc_array(ctx, M + 1, sizeof *idx), *perm = limn__alloc_array(ctx, M, sizeof *perm);
  unsigned char *z = limn__alloc_array(ctx, M, 1);
  double *wv = limn__alloc_array(ctx, 3 * (nsizes + 1), sizeof *wv), *rem = wv ? wv + nsizes + 1 : NULL,
         *draw_p = wv ? rem + nsizes + 1 : NULL;
  if (!s->z || !s->w || !s->wg || !s->slot || !idx || !perm || !z || !wv) {
    limn__free(ctx, idx), limn__free(ctx, perm), limn__free(ctx, z), limn__free(ctx, wv);
    return LIMN_ENOMEM;
  }
  memset(s->slot, 0xff, s->hcap * sizeof *s->slot);
  for (size_t sz = 1; sz <= nsizes; sz++) {
    wv[sz] = (double)(M - 1) / ((double)sz * (double)(M - sz)) * (sz <= npaired ? 2.0 : 1.0);
    total += wv[sz];
  }
  for (size_t sz = 1; sz <= nsizes; sz++)
    rem[sz] = wv[sz] /= total;
  size_t left = ns, full = 0;
  for (size_t sz = 1; sz <= nsizes; sz++) {
    int paired = sz <= npaired;
    double nsub = binomial(M, sz) * (paired ? 2 : 1);
    if (!((double)left * rem[sz] / nsub >= 1 - 1e-8))
      break;
    add_size(s, sz, paired, wv[sz] / binomial(M, sz) / (paired ? 2 : 1), z, idx);
    left -= (size_t)nsub;
    full = sz;
    if (rem[sz] < 1) {
      double r = rem[sz];
      for (size_t t = 1; t <= nsizes; t++)
        rem[t] /= 1 - r;
    }
  }
  *all = full == nsizes;
  s->wleft = 0;
  if (!*all && left > 0) {
    double sum = 0, wleft = 0;
    for (size_t sz = full + 1; sz <= nsizes; sz++) {
      draw_p[sz] = wv[sz] / (sz <= npaired ? 2 : 1);
      sum += draw_p[sz];
      wleft += wv[sz];
    }
    size_t draws = 4 * left;
    for (size_t t = 0; t < draws && left > 0; t++) {
      double u = limn_rng_uniform(rng) * sum, acc = 0;
      size_t sz = nsizes;
      for (size_t c = full + 1; c <= nsizes; c++) {
        acc += draw_p[c];
        if (u < acc) {
          sz = c;
          break;
        }
      }
      for (size_t p = 0; p < M; p++)
        perm[p] = p;
      limn_rng_shuffle(rng, perm, M);
      memset(z, 0, M);
      for (size_t i = 0; i < sz; i++)
        z[perm[i]] = 1;
      size_t grp = t % KERNEL_GROUPS; /* the draw and its complement in one group */
      int fresh = kset_draw(s, z, grp);
      left -= (size_t)fresh;
      if (sz > npaired || left == 0)
        continue;
      for (size_t p = 0; p < M; p++) /* the complement */
        z[p] = (unsigned char)!z[p];
      size_t h = 0;
      if (kset_find(s, z, &h) < s->n || fresh) /* seen before: one more draw of it */
        left -= (size_t)kset_draw(s, z, grp);
    }
    s->wleft = wleft;
  }
  limn__free(ctx, idx), limn__free(ctx, perm), limn__free(ctx, z), limn__free(ctx, wv);
  return LIMN_OK;
}

/* KernelSHAP: the values from every coalition, and for drawn ones a delete-a-group
 * jackknife standard error over KERNEL_GROUPS groups of draws (each solve with one group
 * left out, its drawn weights scaled to the drawn sizes' mass again):
 * se_j = sqrt((G - 1) / G sum_g (phi_(g)j - mean_j)^2). */
static int kernel(game *g, limn_rng *rng, double *phi, double *se, double *base, double *full) {
  limn_ctx *ctx = g->ctx;
  size_t M = g->M, q = M - 1, G = KERNEL_GROUPS;
  kset s;
  memset(&s, 0, sizeof s);
  int all = 0, rc = ends(g, base, full);
  double *y = NULL, delta = *full - *base;
  /* the normal equations: enumerated part, then one per group of draws */
  double *A = limn__calloc(ctx, (G + 2) * (q * q + q) + q * q + q + (G + 1) * M, sizeof *A);
  if (rc == LIMN_OK && !A)
    rc = LIMN_ENOMEM;
  if (rc == LIMN_OK)
    rc = kernel_coalitions(g, &s, rng, &all);
  if (rc == LIMN_OK && !(y = limn__alloc_array(ctx, s.n ? s.n : 1, sizeof *y)))
    rc = LIMN_ENOMEM;
  if (rc == LIMN_OK)
    rc = values(g, s.z, s.n, y);
  if (rc == LIMN_OK) {
    double *E = A, *Eg = E + (q * q + q), *Sum = Eg + G * (q * q + q), *tmp = Sum + (q * q + q),
           *phis = tmp + q * q + q, cnt[KERNEL_GROUPS] = {0}, total = 0;
    for (size_t c = 0; c < s.n; c++) {
      const unsigned char *z = s.z + c * M;
      double yc = y[c] - *base;
      if (s.w[c] > 0)
        norm_add(z, M, s.w[c], yc, delta, E, E + q * q);
      for (size_t t = 0; t < G; t++) {
        double wt = s.wg[c * G + t];
        if (wt > 0) {
          norm_add(z, M, wt, yc, delta, Eg + t * (q * q + q), Eg + t * (q * q + q) + q * q);
          cnt[t] += wt, total += wt;
        }
      }
    }
    /* the estimate: enumerated + all draws scaled to their mass; then leave one group out */
    for (size_t leave = 0; leave <= G && rc == LIMN_OK; leave++) {
      double drawn = total - (leave < G ? cnt[leave] : 0), scale = drawn > 0 ? s.wleft / drawn : 0;
      for (size_t i = 0; i < q * q + q; i++) {
        double v = 0;
        for (size_t t = 0; t < G; t++)
          v += t == leave ? 0 : Eg[t * (q * q + q) + i];
        Sum[i] = E[i] + scale * v;
      }
      rc = norm_solve(ctx, Sum, Sum + q * q, M, delta, tmp, leave < G ? phis + leave * M : phi);
    }
    for (size_t p = 0; p < M && rc == LIMN_OK; p++) {
      if (all || total == 0) {
        se[p] = 0; /* every coalition: exact */
        continue;
      }
      double mean = 0, ss = 0;
      for (size_t t = 0; t < G; t++)
        mean += phis[t * M + p] / (double)G;
      for (size_t t = 0; t < G; t++)
        ss += (phis[t * M + p] - mean) * (phis[t * M + p] - mean);
      se[p] = sqrt((double)(G - 1) / (double)G * ss);
    }
  }
  limn__free(ctx, y), limn__free(ctx, A);
  limn__free(ctx, s.z), limn__free(ctx, s.w), limn__free(ctx, s.wg), limn__free(ctx, s.slot);
  return rc;
}

/* ---- permutations ---- */

/* K antithetic permutations: each adds the players in a random order, then removes them
 * in the same order; a player's value of one permutation is the mean of its two
 * marginal contributions. phi: the mean over permutations, se its standard error. */
static int permutation(game *g, limn_rng *rng, double *phi, double *se, double *base, double *full) {
  limn_ctx *ctx = g->ctx;
  size_t M = g->M, per = 2 * M + 1, ns = g->nsamples ? g->nsamples : 2 * M + 2048, K = ns / per;
  if (K == 0)
    return limn__err(ctx, LIMN_EINVAL,
                     "permutation SHAP: nsamples %zu is below one permutation's %zu "
                     "coalitions (2M + 1, M = %zu)",
                     ns, per, M);
  LIMN_TRY(ends(g, base, full));
  size_t inner = M - 1, nz = K * 2 * inner; /* the coalitions strictly between empty and all */
  unsigned char *z = limn__alloc_array(ctx, nz ? nz : 1, M);
  double *v = limn__alloc_array(ctx, nz ? nz : 1, sizeof *v);
  size_t *perm = limn__alloc_array(ctx, K * M, sizeof *perm);
  double *sum = limn__calloc(ctx, 2 * M, sizeof *sum), *sq = sum ? sum + M : NULL;
  int rc = z && v && perm && sum ? LIMN_OK : LIMN_ENOMEM;
  for (size_t t = 0; t < K && rc == LIMN_OK; t++) {
    size_t *pi = perm + t * M;
    for (size_t p = 0; p < M; p++)
      pi[p] = p;
    limn_rng_shuffle(rng, pi, M);
    unsigned char *f = z + t * 2 * inner * M, *b = f + inner * M;
    for (size_t i = 0; i < inner; i++) { /* forward: the first i + 1 present; backward: they absent */
      memset(f + i * M, 0, M);
      memset(b + i * M, 1, M);
      for (size_t q = 0; q <= i; q++)
        f[i * M + pi[q]] = 1, b[i * M + pi[q]] = 0;
    }
  }
  if (rc == LIMN_OK)
    rc = values(g, z, nz, v);
  for (size_t t = 0; t < K && rc == LIMN_OK; t++) {
    const size_t *pi = perm + t * M;
    const double *fv = v + t * 2 * inner, *bv = fv + inner;
    for (size_t i = 0; i < M; i++) {
      double before = i ? fv[i - 1] : *base, after = i < inner ? fv[i] : *full;
      double bbefore = i ? bv[i - 1] : *full, bafter = i < inner ? bv[i] : *base;
      double c = 0.5 * ((after - before) + (bbefore - bafter));
      sum[pi[i]] += c;
      sq[pi[i]] += c * c;
    }
  }
  for (size_t p = 0; p < M && rc == LIMN_OK; p++) {
    double mean = sum[p] / (double)K;
    phi[p] = mean;
    se[p] = K > 1 ? sqrt(fmax(0.0, (sq[p] - (double)K * mean * mean) / (double)(K - 1)) / (double)K) : NAN;
  }
  limn__free(ctx, z), limn__free(ctx, v), limn__free(ctx, perm), limn__free(ctx, sum);
  return rc;
}

/* ---- sampling: permutations, each with one background row ---- */

/* With the identity link v(S) = (1/N) sum_r f(x_S, r_notS) is the mean of the N games
 * of one background row each, so its Shapley values are the mean of theirs. A sample
 * is an antithetic permutation pair played in the game of one background row r: 2(M - 1)
 * model rows instead of the permutation estimator's 2(M - 1) N. The rows are stratified:
 * row r plays K / N permutations (consecutive ones), so the values sum to
 * f(x) - mean_r f(r) exactly. */
typedef struct samp_fill_arg {
  const game *g;
  const size_t *perm; /* (pairs of the block, M) */
  size_t first;       /* the block's first pair */
  size_t per_row;     /* pairs per background row */
  float *rows;        /* (pairs, 2(M - 1), d) */
} samp_fill_arg;

/* Copies player p's columns from src into row. */
static void put_player(const game *g, size_t p, const float *src, float *row) {
  for (size_t t = g->gstart[g->player[p]]; t < g->gstart[g->player[p] + 1]; t++)
    row[g->gcols[t]] = src[g->gcols[t]];
}

/* Pair c of the block: forward rows (r with the first i + 1 players of pi from x), then
 * backward rows (x with them from r), i = 0..M-2. */
static int samp_fill_item(void *arg, size_t c, void *scratch) {
  (void)scratch;
  const samp_fill_arg *a = arg;
  const game *g = a->g;
  size_t d = g->d, inner = g->M - 1;
  const size_t *pi = a->perm + c * g->M;
  const float *r = g->bg + (a->first + c) / a->per_row * d;
  float *f = a->rows + c * 2 * inner * d, *b = f + inner * d;
  for (size_t i = 0; i < inner; i++) {
    memcpy(f + i * d, i ? f + (i - 1) * d : r, d * sizeof *f);
    memcpy(b + i * d, i ? b + (i - 1) * d : g->x, d * sizeof *b);
    put_player(g, pi[i], g->x, f + i * d);
    put_player(g, pi[i], r, b + i * d);
  }
  return 0;
}

#define SAMP_STRATA 64 /* at most this many position strata of a player over a row's permutations */
/* The permutations of a row come in blocks of S (its position strata; the last block of
 * a background row may be shorter), each block drawn from its own stream, so blocks are
 * drawn on the threads and the draws never depend on the thread count or the model
 * call's size. */
typedef struct perm_arg {
  size_t M, S, per_row, first, nb;
  uint64_t seed;
  size_t *perm; /* (nb, M): pairs first.. */
  size_t b0;    /* the first block that meets them */
} perm_arg;

/* The block of pair q: blocks of one background row, then the next row's. */
static size_t samp_block(const perm_arg *a, size_t q) {
  size_t per_block_row = (a->per_row + a->S - 1) / a->S;
  return q / a->per_row * per_block_row + q % a->per_row / a->S;
}

/* Block b0 + i: each player's order of the strata, then per permutation t the players by
 * their stratum sigma_j(t), in a random order within one (as sorting by sigma_j(t) + a
 * uniform would): every permutation uniform, each player in every stratum once over the
 * block. Only the permutations among pairs first.. are written (the others are drawn
 * to keep the stream). */
static int perm_item(void *arg, size_t i, void *scratch) {
  const perm_arg *a = arg;
  size_t M = a->M, S = a->S, b = a->b0 + i, per_block_row = (a->per_row + S - 1) / S;
  size_t start = b / per_block_row * a->per_row + b % per_block_row * S;
  size_t end =
      start + S < (b / per_block_row + 1) * a->per_row ? start + S : (b / per_block_row + 1) * a->per_row;
  size_t *off = scratch, *tmp = off + M * S, *cnt = tmp + M;
  limn_rng rng;
  limn_rng_init(&rng, a->seed, b);
  for (size_t p = 0; p < M; p++) {
    for (size_t q = 0; q < S; q++)
      off[p * S + q] = q;
    limn_rng_shuffle(&rng, off + p * S, S);
  }
  for (size_t q = start; q < end && q < a->first + a->nb; q++) {
    size_t t = q - start, *pi = q >= a->first ? a->perm + (q - a->first) * M : tmp;
    memset(cnt, 0, (S + 1) * sizeof *cnt);
    for (size_t p = 0; p < M; p++)
      cnt[off[p * S + t] + 1]++;
    for (size_t s = 0; s < S; s++)
      cnt[s + 1] += cnt[s];
    for (size_t p = 0; p < M; p++)
      pi[cnt[off[p * S + t]]++] = p;
    for (size_t s = 0, from = 0; s < S; s++) { /* cnt[s]: the end of stratum s */
      limn_rng_shuffle(&rng, pi + from, cnt[s] - from);
      from = cnt[s];
    }
  }
  return 0;
}

/* phi_p = (1/N) sum_r mean of row r's contributions; se_p^2 = (1/N^2) sum_r s_r^2 / a
 * (a = K / N pairs per row, s_r^2 their variance), or with a = 1 the plain variance
 * over all K pairs / K (which overstates it). */
static int sampling(game *g, limn_rng *rng, double *phi, double *se, double *base, double *full) {
  limn_ctx *ctx = g->ctx;
  size_t M = g->M, N = g->N, d = g->d, k = g->k, inner = M - 1;
  size_t per_row = (g->nsamples + N - 1) / N, K = per_row * N;
  if (K / N != per_row || K > ((size_t)1 << 40) / (M ? M : 1))
    return limn__err(ctx, LIMN_EINVAL, "sampling SHAP: %zu permutations x %zu background rows is too many",
                     per_row, N);
  LIMN_TRY(ends(g, base, full));
  /* pairs per model call: about 16k rows and 4 MB of inputs (buffers that stay in the
   * allocator's heap: fresh pages for every row cost more than the model), one at least */
  size_t per_pair = 2 * inner, B = 16384 / per_pair, by_floats = ((size_t)1 << 20) / (per_pair * d);
  B = B < by_floats ? B : by_floats;
  B = B ? B : 1;
  B = B < K ? B : K;
  /* a limn MLP with 16 slots or more: its first layer updated along each chain (at 30
   * inputs 1.3x faster; at 10 slower than the whole forward: bench_shap) */
  int mlp = limn__mlp_of(g->m) != NULL && g->m->nslots >= 16;
  float *rows = mlp ? NULL : limn__alloc_array(ctx, B * per_pair, d * sizeof *rows);
  limn__chain *chains = mlp ? limn__alloc_array(ctx, 2 * B, sizeof *chains) : NULL;
  size_t *pstart = mlp ? limn__alloc_array(ctx, M + 1 + d, sizeof *pstart) : NULL,
         *pcols = pstart ? pstart + M + 1 : NULL;
  float *out = limn__alloc_array(ctx, B * per_pair > N ? B * per_pair : N, k * sizeof *out);
  size_t *perm = limn__alloc_array(ctx, B, M * sizeof *perm);
  uint64_t seed = limn_rng_u64(rng); /* the row's blocks of permutations draw from streams of this seed */
  double *fr = limn__alloc_array(ctx, N, sizeof *fr), *acc = limn__calloc(ctx, 5 * M, sizeof *acc);
  int rc = (mlp ? chains && pstart : rows != NULL) && out && perm && fr && acc ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK && mlp) /* each varying player's columns */
    for (size_t p = 0, n = 0; p < M; p++) {
      pstart[p] = n;
      for (size_t t = g->gstart[g->player[p]]; t < g->gstart[g->player[p] + 1]; t++)
        pcols[n++] = g->gcols[t];
      pstart[p + 1] = n;
    }
  /* acc: the row's sum and squares, all pairs' sum and squares, the within-row variances */
  double *rs = acc, *rq = rs + M, *ts = rq + M, *tq = ts + M, *wv = tq + M;
  if (rc == LIMN_OK)
    rc = limn_model_forward(ctx, g->m, g->bg, N, g->o->space, out);
  for (size_t r = 0; r < N && rc == LIMN_OK; r++)
    fr[r] = out[r * k + g->target];
  for (size_t p = 0; p < M; p++)
    phi[p] = 0;
  size_t S = per_row < SAMP_STRATA ? per_row : SAMP_STRATA; /* strata of a row's permutations */
  size_t group = 2 * (LIMN__CHUNK / per_pair ? LIMN__CHUNK / per_pair : 1); /* chains per MLP block */
  for (size_t first = 0; first < K && rc == LIMN_OK; first += B) {
    size_t nb = K - first < B ? K - first : B;
    perm_arg pa = {M, S, per_row, first, nb, seed, perm, 0};
    size_t b0 = samp_block(&pa, first), b1 = samp_block(&pa, first + nb - 1);
    pa.b0 = b0;
    int pr = limn__parallel_for(ctx, b1 - b0 + 1, (M * S + M + S + 1) * sizeof(size_t), perm_item, &pa);
    if (pr) {
      rc = pr == LIMN_ENOMEM ? LIMN_ENOMEM : limn__err(ctx, LIMN_EINVAL, "SHAP: drawing the permutations");
      break;
    }
    if (chains) { /* a limn MLP: its first layer updated along each chain */
      for (size_t c = 0; c < nb; c++) {
        const float *r = g->bg + (first + c) / per_row * d;
        chains[2 * c] = (limn__chain){r, g->x, perm + c * M};
        chains[2 * c + 1] = (limn__chain){g->x, r, perm + c * M};
      }
      if ((rc = limn__mlp_chains(ctx, g->m, chains, 2 * nb, group, inner, pstart, pcols, g->o->space, out)))
        break;
    } else {
      samp_fill_arg fa = {g, perm, first, per_row, rows};
      pr = limn__parallel_for(ctx, nb, 0, samp_fill_item, &fa);
      if (pr) {
        rc = pr == LIMN_ENOMEM ? LIMN_ENOMEM : limn__err(ctx, LIMN_EINVAL, "SHAP: building the model rows");
        break;
      }
      if ((rc = limn_model_forward(ctx, g->m, rows, nb * per_pair, g->o->space, out)))
        break;
    }
    for (size_t c = 0; c < nb; c++) {
      size_t pair = first + c, r = pair / per_row;
      const size_t *pi = perm + c * M;
      const float *fo = out + c * per_pair * k, *bo = fo + inner * k;
      double f0 = fr[r], f1 = *full; /* (*full: f(x) in double, as v(all) is) */
      for (size_t i = 0; i < M; i++) {
        double before = i ? fo[(i - 1) * k + g->target] : f0, after = i < inner ? fo[i * k + g->target] : f1;
        double bbefore = i ? bo[(i - 1) * k + g->target] : f1,
               bafter = i < inner ? bo[i * k + g->target] : f0;
        double v = 0.5 * ((after - before) + (bbefore - bafter));
        rs[pi[i]] += v, rq[pi[i]] += v * v, ts[pi[i]] += v, tq[pi[i]] += v * v;
      }
      if ((pair + 1) % per_row == 0) { /* row r done: its mean and variance */
        for (size_t p = 0; p < M; p++) {
          double mean = rs[p] / (double)per_row;
          phi[p] += mean / (double)N;
          if (per_row > 1)
            wv[p] +=
                fmax(0.0, (rq[p] - (double)per_row * mean * mean) / (double)(per_row - 1)) / (double)per_row;
          rs[p] = rq[p] = 0;
        }
      }
    }
    if (limn__canceled(ctx))
      rc = limn__err(ctx, LIMN_ECANCELED, "canceled");
  }
  for (size_t p = 0; p < M && rc == LIMN_OK; p++) {
    double mean = ts[p] / (double)K;
    se[p] = per_row > 1 ? sqrt(wv[p]) / (double)N
            : K > 1     ? sqrt(fmax(0.0, (tq[p] - (double)K * mean * mean) / (double)(K - 1)) / (double)K)
                        : NAN;
  }
  g->evals = K;
  limn__free(ctx, rows), limn__free(ctx, out), limn__free(ctx, perm), limn__free(ctx, fr);
  limn__free(ctx, acc), limn__free(ctx, chains), limn__free(ctx, pstart);
  return rc;
}

/* ---- entry ---- */

/* The game TreeSHAP plays for these options: 0 none (the model-agnostic estimators), 1
 * path-dependent (asked for, or auto without a background), 2 interventional (asked
 * for, or auto with a background when the explained output is the trees' raw output
 * and the link the identity: a boosted classifier's probability game is not a sum over
 * trees, so it goes to the model-agnostic estimators). */
static int tree_game(const limn_model *m, const limn_shap_opts *o) {
  size_t raw;
  double sign;
  int kind = limn__trees_raw(m, 0, &raw, &sign);
  if (o->estimator == LIMN_SHAP_TREE || o->estimator == LIMN_SHAP_TREE_INTERVENTIONAL)
    return o->estimator == LIMN_SHAP_TREE ? 1 : 2;
  if (o->estimator != LIMN_SHAP_AUTO || !kind)
    return 0;
  if (!o->background || !o->nbackground)
    return 1;
  return (kind & (o->space == LIMN_SPACE_LOGIT ? 4 : 2)) && o->link == LIMN_LINK_IDENTITY ? 2 : 0;
}

#define TREE_BLOCK 256 /* rows per TreeSHAP call (progress between) */

/* n rows by TreeSHAP: each explains the raw output of its target (a binary classifier's
 * class 0: the negated margin), players the columns or the groups (path-dependent: the
 * sums of their columns' values). */
static int tree_rows(limn_ctx *ctx, const limn_model *m, const limn_shap_opts *o, const game *gm, int tg,
                     const float *x, size_t n, const size_t *targets, limn_explanation *ex) {
  size_t d = m->nfeatures, P = o->groups ? o->ngroups : d, B = n < TREE_BLOCK ? n : TREE_BLOCK;
  limn__tree_game g = {tg == 2, o->background, o->nbackground, o->groups, P};
  size_t *raw = limn__alloc_array(ctx, B ? B : 1, sizeof *raw);
  double *phi = limn__alloc_array(ctx, (B ? B : 1) * (P ? P : 1), sizeof *phi);
  double *bias = limn__alloc_array(ctx, 2 * (B ? B : 1), sizeof *bias), *margin = bias ? bias + B : NULL;
  double *sign = limn__alloc_array(ctx, B ? B : 1, sizeof *sign);
  int rc = raw && phi && bias && sign ? LIMN_OK : LIMN_ENOMEM, kind = 0;
  for (size_t i0 = 0; i0 < n && rc == LIMN_OK; i0 += B) {
    size_t nb = n - i0 < B ? n - i0 : B;
    for (size_t i = 0; i < nb; i++)
      kind = limn__trees_raw(m, targets[i0 + i], &raw[i], &sign[i]);
    if ((rc = limn__trees_shap(ctx, m, x + i0 * d, nb, raw, &g, phi, bias, margin, NULL)))
      break;
    for (size_t i = 0; i < nb; i++) {
      limn_explanation *e = &ex[i0 + i];
      double sum = 0;
      for (size_t j = 0; j < d; j++) {
        size_t p = o->groups ? o->groups[j] : j;
        int lead = gm->gcols[gm->gstart[p]] == j; /* (make_players: the player's first column) */
        e->selected[j] = (unsigned char)lead, e->bin[j] = (long)p, e->std_error[j] = 0;
        e->attr[j] = lead ? sign[i] * phi[i * P + p] : 0;
        sum += e->attr[j];
      }
      e->method = LIMN_METHOD_SHAP;
      e->space = kind & 2 ? LIMN_SPACE_OUTPUT : LIMN_SPACE_LOGIT;
      e->target = targets[i0 + i];
      e->output = sign[i] * margin[i];
      e->base_value = sign[i] * bias[i];
      e->delta = sum - (e->output - e->base_value);
      e->num_samples = tg == 2 ? o->nbackground : 0;
      e->estimator = tg == 2 ? LIMN_SHAP_TREE_INTERVENTIONAL : LIMN_SHAP_TREE;
      e->link = LIMN_LINK_IDENTITY;
      e->seed = o->seed;
      e->row = i0 + i;
    }
    limn__progress(ctx, "rows", i0 + nb, n);
    if (limn__canceled(ctx))
      rc = limn__err(ctx, LIMN_ECANCELED, "canceled");
  }
  limn__free(ctx, raw), limn__free(ctx, phi), limn__free(ctx, bias), limn__free(ctx, sign);
  return rc;
}

static int check_opts(limn_ctx *ctx, const limn_model *m, const limn_shap_opts *o) {
  if ((unsigned)o->estimator > LIMN_SHAP_TREE_INTERVENTIONAL)
    return limn__err(ctx, LIMN_EINVAL, "unknown SHAP estimator %d", (int)o->estimator);
  int tg = tree_game(m, o);
  if (tg && !limn_model_is_trees(m))
    return limn__err(ctx, LIMN_EINVAL, "the %s estimator needs a tree model (this model is of kind %s)",
                     limn_shap_estimator_name(o->estimator), m->kind);
  if (tg && o->link != LIMN_LINK_IDENTITY)
    return limn__err(ctx, LIMN_EINVAL,
                     "TreeSHAP explains the trees' raw output (a margin, or a forest's probability): no link "
                     "to apply (the probability game of boosted trees: --estimator exact or sampling)");
  if (tg == 2 && (!o->background || !o->nbackground))
    return limn__err(ctx, LIMN_EINVAL, "interventional TreeSHAP needs background rows");
  if (tg == 1)
    return LIMN_OK; /* the path-dependent game: the trees' own covers, no background */
  if (!o->background || o->nbackground == 0)
    return limn__err(ctx, LIMN_EINVAL, "SHAP needs background rows (the game's reference data)");
  if ((unsigned)o->estimator > LIMN_SHAP_SAMPLING && !tg)
    return limn__err(ctx, LIMN_EINVAL, "unknown SHAP estimator %d", (int)o->estimator);
  if ((unsigned)o->link > LIMN_LINK_LOGIT)
    return limn__err(ctx, LIMN_EINVAL, "unknown link %d", (int)o->link);
  if (o->space != LIMN_SPACE_OUTPUT && o->space != LIMN_SPACE_LOGIT)
    return limn__err(ctx, LIMN_EINVAL, "unknown output space %d", (int)o->space);
  if (o->link == LIMN_LINK_LOGIT &&
      (o->space != LIMN_SPACE_OUTPUT || limn_model_task(m) != LIMN_TASK_CLASSIFICATION))
    return limn__err(ctx, LIMN_EINVAL, "the logit link needs probabilities (a classifier's output space)");
  if (o->link == LIMN_LINK_LOGIT && o->estimator == LIMN_SHAP_SAMPLING)
    return limn__err(ctx, LIMN_EINVAL,
                     "the sampling estimator needs the identity link (the logit of the background's mean "
                     "is not a mean of one game per background row): use kernel or permutation");
  /* the background rows: finite, valid codes (the model checks them) */
  float *tmp = limn__alloc_array(ctx, o->nbackground, m->noutputs * sizeof(float));
  if (!tmp)
    return LIMN_ENOMEM;
  int rc = limn_model_forward(ctx, m, o->background, o->nbackground, LIMN_SPACE_OUTPUT, tmp);
  limn__free(ctx, tmp);
  return rc ? limn__err_prefix(ctx, rc, "SHAP background") : LIMN_OK;
}

/* The players of row x: the columns whose value differs from some background row's. */
static void varying(game *g) {
  g->M = 0;
  for (size_t p = 0; p < g->np; p++) {
    int differs = 0;
    for (size_t t = g->gstart[p]; t < g->gstart[p + 1] && !differs; t++) {
      size_t j = g->gcols[t];
      float a = g->x[j];
      for (size_t q = 0; q < g->N && !differs; q++) {
        float b = g->bg[q * g->d + j];
        differs = !(a == b || (isnan(a) && isnan(b)));
      }
    }
    if (differs)
      g->player[g->M++] = p;
  }
}

/* The players: opts' groups (player of each column), or each column alone; each
 * player's columns in column order (the first, its lead, carries its value). */
static int make_players(game *g) {
  const limn_shap_opts *o = g->o;
  size_t d = g->d;
  g->np = o->groups ? o->ngroups : d;
  if (o->groups && (o->ngroups == 0 || o->ngroups > d))
    return limn__err(g->ctx, LIMN_EINVAL, "SHAP groups: %zu groups for %zu columns", o->ngroups, d);
  g->gstart = limn__calloc(g->ctx, g->np + 1, sizeof *g->gstart);
  g->gcols = limn__alloc_array(g->ctx, d ? d : 1, sizeof *g->gcols);
  if (!g->gstart || !g->gcols)
    return LIMN_ENOMEM;
  for (size_t j = 0; j < d; j++) {
    size_t p = o->groups ? o->groups[j] : j;
    if (p >= g->np)
      return limn__err(g->ctx, LIMN_EINVAL, "SHAP groups: column %zu is in group %zu of %zu", j, p, g->np);
    g->gstart[p + 1]++;
  }
  for (size_t p = 0; p < g->np; p++) {
    if (g->gstart[p + 1] == 0)
      return limn__err(g->ctx, LIMN_EINVAL, "SHAP groups: group %zu has no column", p);
    g->gstart[p + 1] += g->gstart[p];
  }
  size_t *fillp = limn__alloc_array(g->ctx, g->np ? g->np : 1, sizeof *fillp);
  if (!fillp)
    return LIMN_ENOMEM;
  memcpy(fillp, g->gstart, g->np * sizeof *fillp);
  for (size_t j = 0; j < d; j++) {
    size_t p = o->groups ? o->groups[j] : j;
    g->gcols[fillp[p]++] = j;
  }
  limn__free(g->ctx, fillp);
  return LIMN_OK;
}

/* One row's explanation. */
static int explain_row(game *g, size_t i, limn_explanation *e, double *phi, double *se) {
  const limn_shap_opts *o = g->o;
  limn_rng rng;
  limn_rng_init(&rng, o->seed, o->row_ids ? o->row_ids[i] : i);
  g->evals = 0;
  varying(g);
  limn_shap_estimator est = o->estimator;
  if (est == LIMN_SHAP_AUTO)
    est = g->M <= o->exact_max && g->M <= SHAP_EXACT_LIMIT ? LIMN_SHAP_EXACT
          : o->link == LIMN_LINK_IDENTITY                  ? LIMN_SHAP_SAMPLING
                                                           : LIMN_SHAP_KERNEL;
  if (est == LIMN_SHAP_EXACT && g->M > SHAP_EXACT_LIMIT)
    return limn__err(g->ctx, LIMN_EINVAL,
                     "row %zu: exact Shapley values of %zu varying players need 2^%zu x %zu model rows; "
                     "the limit is %d players (use --estimator sampling, kernel or permutation)",
                     i, g->M, g->M, g->N, SHAP_EXACT_LIMIT);
  double base = 0, full = 0;
  int rc;
  for (size_t p = 0; p < g->M; p++)
    se[p] = 0;
  if (g->M <= 1 || est == LIMN_SHAP_EXACT) { /* (one player takes the whole change) */
    rc = exact(g, phi, &base, &full);
    est = LIMN_SHAP_EXACT;
  } else {
    /* sampled: with a tolerance, again with twice the budget (a fresh, seeded draw)
     * until every standard error is below it, or the cap */
    size_t start = limn_shap_samples(o, est, g->M), cap = (size_t)1 << 20;
    cap = cap > start ? cap : start;
    for (g->nsamples = start;; g->nsamples *= 2) {
      limn_rng_init(&rng, o->seed, o->row_ids ? o->row_ids[i] : i);
      g->evals = 0;
      rc = est == LIMN_SHAP_KERNEL     ? kernel(g, &rng, phi, se, &base, &full)
           : est == LIMN_SHAP_SAMPLING ? sampling(g, &rng, phi, se, &base, &full)
                                       : permutation(g, &rng, phi, se, &base, &full);
      double worst = 0;
      for (size_t p = 0; p < g->M && rc == LIMN_OK; p++)
        worst = se[p] > worst || isnan(se[p]) ? se[p] : worst;
      if (rc || !(o->tolerance > 0) || worst <= o->tolerance || 2 * g->nsamples > cap ||
          (est == LIMN_SHAP_KERNEL && worst == 0))
        break;
    }
  }
  if (rc)
    return rc;
  double sum = 0;
  for (size_t j = 0; j < g->d; j++)
    e->attr[j] = 0, e->std_error[j] = 0, e->selected[j] = 0;
  for (size_t p = 0; p < g->np; p++) { /* bin: each column's player; selected: the players' leads */
    for (size_t t = g->gstart[p]; t < g->gstart[p + 1]; t++)
      e->bin[g->gcols[t]] = (long)p;
    e->selected[g->gcols[g->gstart[p]]] = 1;
  }
  for (size_t p = 0; p < g->M; p++) {
    size_t lead = g->gcols[g->gstart[g->player[p]]];
    e->attr[lead] = phi[p];
    e->std_error[lead] = se[p];
    sum += phi[p];
  }
  e->method = LIMN_METHOD_SHAP;
  e->space = o->space;
  e->target = g->target;
  e->output = full;
  e->base_value = base;
  e->delta = sum - (full - base);
  e->num_samples = g->evals;
  e->seed = o->seed;
  e->estimator = (int)est;
  e->link = (int)o->link;
  return LIMN_OK;
}

int limn_explain_shap(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                      const limn_shap_opts *opts, limn_explanation **out) {
  if (!ctx || !m || !out || (!x && n))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_explain_shap: NULL model, rows or output") : LIMN_EINVAL;
  *out = NULL;
  limn_shap_opts o = opts ? *opts : limn_shap_opts_default();
  LIMN_TRY(check_opts(ctx, m, &o));
  game g;
  memset(&g, 0, sizeof g);
  g.ctx = ctx, g.m = m, g.o = &o, g.d = m->nfeatures, g.N = o.nbackground ? o.nbackground : 1,
  g.k = m->noutputs;
  g.bg = o.background;
  size_t by_rows = SHAP_BLOCK_ROWS / g.N, by_floats = ((size_t)1 << 22) / (g.N * (g.d ? g.d : 1));
  g.cap = by_rows < by_floats ? by_rows : by_floats;
  g.cap = g.cap ? g.cap : 1; /* (at most 64k rows, 16 MB of inputs, one coalition at least) */
  limn_explanation *ex = NULL;
  size_t *targets = limn__alloc_array(ctx, n ? n : 1, sizeof *targets);
  g.player = limn__alloc_array(ctx, g.d ? g.d : 1, sizeof *g.player);
  g.rows = limn__alloc_array(ctx, g.cap * g.N, g.d * sizeof(float));
  g.out = limn__alloc_array(ctx, g.cap * g.N, g.k * sizeof(float));
  double *phi = limn__alloc_array(ctx, 2 * (g.d ? g.d : 1), sizeof *phi), *se = phi ? phi + g.d : NULL;
  int rc = targets && g.player && g.rows && g.out && phi ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK)
    rc = make_players(&g);
  if (rc == LIMN_OK)
    rc = limn__pick_targets(ctx, m, x, n, o.target, o.targets, targets);
  if (rc == LIMN_OK)
    rc = limn__explanations_alloc(ctx, n, g.d, m->nslots, &ex);
  int tree = tree_game(m, &o);
  if (tree && rc == LIMN_OK)
    rc = tree_rows(ctx, m, &o, &g, tree, x, n, targets, ex);
  for (size_t i = 0; i < n && rc == LIMN_OK && !tree; i++) {
    g.x = x + i * g.d;
    g.target = targets[i];
    rc = explain_row(&g, i, &ex[i], phi, se);
    ex[i].seed = o.seed;
    ex[i].row = i;
    limn__progress(ctx, "rows", i + 1, n);
  }
  limn__free(ctx, targets), limn__free(ctx, g.player), limn__free(ctx, g.rows), limn__free(ctx, g.out);
  limn__free(ctx, g.gstart), limn__free(ctx, g.gcols);
  limn__free(ctx, phi);
  if (!rc)
    rc = limn__explanations_finite(ctx, ex, n);
  if (rc) {
    limn_explanations_free(ctx, ex, n);
    return rc;
  }
  *out = ex;
  return LIMN_OK;
}

int limn_shap_interactions(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, long target,
                           const long *targets, double *out) {
  if (!ctx || !m || !out || (!x && n))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_shap_interactions: NULL model, rows or output")
               : LIMN_EINVAL;
  if (!limn_model_is_trees(m))
    return limn__err(ctx, LIMN_EINVAL, "SHAP interaction values need a tree model (this model is of kind %s)",
                     m->kind);
  size_t d = m->nfeatures, D = d + 1;
  size_t *tg = limn__alloc_array(ctx, n ? n : 1, sizeof *tg),
         *raw = limn__alloc_array(ctx, n ? n : 1, sizeof *raw);
  double *phi = limn__alloc_array(ctx, (n ? n : 1) * (d ? d : 1), sizeof *phi);
  double *bias = limn__alloc_array(ctx, 2 * (n ? n : 1), sizeof *bias);
  int rc = tg && raw && phi && bias ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK)
    rc = limn__pick_targets(ctx, m, x, n, target, targets, tg);
  double sign = 1;
  for (size_t i = 0; i < n && rc == LIMN_OK; i++)
    limn__trees_raw(m, tg[i], &raw[i], &sign);
  limn__tree_game g = {0, NULL, 0, NULL, 0};
  if (rc == LIMN_OK)
    rc = limn__trees_shap(ctx, m, x, n, raw, &g, phi, bias, bias + n, out);
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    size_t r;
    limn__trees_raw(m, tg[i], &r, &sign);
    for (size_t q = 0; sign < 0 && q < D * D; q++)
      out[i * D * D + q] = -out[i * D * D + q];
  }
  limn__free(ctx, tg), limn__free(ctx, raw), limn__free(ctx, phi), limn__free(ctx, bias);
  return rc;
}

/* LIME's local model (lime's LimeBase.explain_instance_with_data): kernel weights,
 * feature selection, weighted ridge with an unpenalised intercept, weighted R^2 and
 * the prediction at the instance. All in double. */
#include "explain_internal.h"
#include <math.h>
#include <stdint.h>

/* Cholesky of the SPD matrix a (n, n) in place (lower); 0 on success. */
static int cholesky(double *a, size_t n) {
  for (size_t j = 0; j < n; j++) {
    double s = a[j * n + j];
    for (size_t k = 0; k < j; k++)
      s -= a[j * n + k] * a[j * n + k];
    if (!(s > 1e-300))
      return 1;
    double l = sqrt(s);
    a[j * n + j] = l;
    for (size_t i = j + 1; i < n; i++) {
      double t = a[i * n + j];
      for (size_t k = 0; k < j; k++)
        t -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = t / l;
    }
  }
  return 0;
}

/* Solve L L^T x = b in place. */
static void chol_solve(const double *l, size_t n, double *b) {
  for (size_t i = 0; i < n; i++) {
    double t = b[i];
    for (size_t k = 0; k < i; k++)
      t -= l[i * n + k] * b[k];
    b[i] = t / l[i * n + i];
  }
  for (size_t i = n; i-- > 0;) {
    double t = b[i];
    for (size_t k = i + 1; k < n; k++)
      t -= l[k * n + i] * b[k];
    b[i] = t / l[i * n + i];
  }
}

/* 1 when the columns F of S hold only 0 and 1 (LIME's discretised rows): then only
 * pairs of ones count in the moments. */
static int binary01(const double *S, size_t N, size_t d, const size_t *F, size_t nf) {
  int other = 0;
  for (size_t i = 0; i < N; i++)
    for (size_t a = 0; a < nf; a++) {
      double v = S[i * d + F[a]];
      other |= (v != 0.0) & (v != 1.0); /* branch-free: this scan is on the hot path */
    }
  return !other;
}

/* The first pass: sw, the weighted means xm (nf) of the columns F and my of y. With
 * `mask` (0/1 rows as bitmasks, F all d <= 64 columns), S is not read. */
static double means(const double *S, const uint64_t *mask, const double *y, const double *w, size_t N,
                    size_t d, const size_t *F, size_t nf, double *xm, double *my) {
  double sw = 0.0, m = 0.0;
  for (size_t a = 0; a < nf; a++)
    xm[a] = 0.0;
  for (size_t i = 0; i < N; i++) { /* row by row: S is row-major */
    sw += w[i];
    m += w[i] * y[i];
    if (mask)
      for (size_t a = 0; a < nf; a++)
        xm[a] += w[i] * (double)(mask[i] >> a & 1);
    else
      for (size_t a = 0; a < nf; a++)
        xm[a] += w[i] * S[i * d + F[a]];
  }
  *my = m / sw;
  for (size_t a = 0; a < nf; a++)
    xm[a] /= sw;
  return sw;
}

/* For 0/1 columns: the raw sums G (lower triangle, by position in F) of w over the
 * rows where both columns are 1, r of w (y - my) over the rows where the column is 1,
 * and sdy = sum w (y - my). ones: nf size_t. With `mask` as for means. */
static double binary_raw(const double *S, const uint64_t *mask, const double *y, const double *w, size_t N,
                         size_t d, const size_t *F, size_t nf, double my, double *G, double *r,
                         size_t *ones) {
  double sdy = 0.0;
  for (size_t a = 0; a < nf; a++) {
    r[a] = 0.0;
    for (size_t b = 0; b < nf; b++)
      G[a * nf + b] = 0.0;
  }
  for (size_t i = 0; i < N; i++) {
    double wi = w[i], wy = wi * (y[i] - my);
    size_t k = 0;
    sdy += wy;
    if (mask)
      for (uint64_t t = mask[i]; t; t &= t - 1)
        ones[k++] = (size_t)__builtin_ctzll(t);
    else
      for (size_t a = 0; a < nf; a++) { /* branch-free compaction */
        ones[k] = a;
        k += S[i * d + F[a]] != 0.0;
      }
    for (size_t p = 0; p < k; p++) {
      double *g = G + ones[p] * nf;
      r[ones[p]] += wy;
      for (size_t q = 0; q <= p; q++)
        g[ones[q]] += wi;
    }
  }
  return sdy;
}

/* G = sum w s s^T - sw xm xm^T, r = sum w s (y - ym) - xm sum w (y - ym), from the raw
 * sums; G made symmetric. */
static void binary_finish(size_t nf, const double *xm, double sw, double sdy, double *G, double *r) {
  for (size_t a = 0; a < nf; a++) {
    r[a] -= xm[a] * sdy;
    for (size_t b = 0; b <= a; b++)
      G[a * nf + b] -= sw * xm[a] * xm[b];
  }
  for (size_t a = 0; a < nf; a++)
    for (size_t b = 0; b < a; b++)
      G[b * nf + a] = G[a * nf + b];
}

/* sum w (y - my)^2. */
static double sum_sq(const double *y, const double *w, size_t N, double my) {
  double s = 0.0;
  for (size_t i = 0; i < N; i++)
    s += w[i] * (y[i] - my) * (y[i] - my);
  return s;
}

/* Words per column of the bitsets of grouped_sums: each of the d + 1 groups starts a
 * word. */
static size_t group_words(size_t N, size_t d) { return N / 64 + d + 2; }

size_t limn__lime_cache_size(size_t N, size_t d) {
  size_t W = group_words(N, d);
  return d * d + 4 * d + N + d * W + 3 * (d + 2) + N / 8 + 1 + 64 * W;
}

/* cnt[i] = the number of ones of mask[i]. */
LIMN_CLONES static void ones_counts(const uint64_t *restrict mask, size_t N, unsigned char *restrict cnt) {
  for (size_t i = 0; i < N; i++)
    cnt[i] = (unsigned char)__builtin_popcountll(mask[i]);
}

void limn__lime_kernel_masks(const uint64_t *mask, size_t N, size_t d, double width, unsigned char *cnt,
                             double *w) {
  double D[65], wk[65];
  for (size_t z = 0; z <= d; z++) /* what the row-by-row distance sums to: sqrt(#zeros) */
    D[z] = sqrt((double)z);
  limn__lime_kernel(D, d + 1, width, wk);
  ones_counts(mask, N, cnt);
  for (size_t i = 0; i < N; i++)
    w[i] = wk[d - cnt[i]];
}

/* mask[i] = the bitmask of the nonzero entries of row i of S (d <= 64 columns);
 * returns 1 when S holds only 0 and 1. */
static int row_masks(const double *S, size_t N, size_t d, uint64_t *mask) {
  int other = 0;
  for (size_t i = 0; i < N; i++) {
    const double *si = S + i * d;
    uint64_t m = 0;
    for (size_t a = 0; a < d; a++) {
      double v = si[a];
      m |= (uint64_t)(v != 0.0) << a;
      other |= (v != 0.0) & (v != 1.0);
    }
    mask[i] = m;
  }
  return !other;
}

/* The number of rows of bitsets a and b (W words each) that are 1 in both, per
 * group k (words at[k] .. at[k + 1] - 1), times the group's weight wk[k], summed over
 * the groups in order. */
LIMN_CLONES static double weighted_pairs(const uint64_t *restrict a, const uint64_t *restrict b,
                                         const size_t *at, const double *wk, size_t ngroups) {
  double g = 0.0;
  for (size_t k = 0; k < ngroups; k++) {
    uint64_t cnt = 0;
    for (size_t q = at[k]; q < at[k + 1]; q++)
      cnt += (uint64_t)__builtin_popcountll(a[q] & b[q]);
    if (cnt)
      g += wk[k] * (double)cnt;
  }
  return g;
}

/* Transpose the 64 x 64 bit matrix A in place: afterwards bit t of A[a] is what bit a
 * of A[t] was (Hacker's Delight, 7-3, with the halves' roles for bit 0 first). */
static void transpose64(uint64_t *A) {
  uint64_t m = 0x00000000FFFFFFFFULL;
  for (unsigned j = 32; j; j >>= 1, m ^= m << j)
    for (unsigned k = 0; k < 64; k = ((k | j) + 1) & ~j) {
      uint64_t t = ((A[k] >> j) ^ A[k | j]) & m;
      A[k | j] ^= t;
      A[k] ^= t << j;
    }
}

/* For each row i: v = w_i (y_i - my), *sdy += v, and r[a] += v for each column a whose
 * bit is set in mask[i], row after row (each r[a] in row order, as a sum over the
 * rows; the columns side by side in vector lanes, no branch on the bits). */
LIMN_CLONES static void rows_r(const uint64_t *restrict mask, const double *restrict w,
                               const double *restrict y, double my, size_t N, size_t d, double *restrict r,
                               double *sdy) {
  double s = 0.0;
  for (size_t i = 0; i < N; i++) {
    uint64_t mi = mask[i];
    double v = w[i] * (y[i] - my);
    s += v;
    for (size_t a = 0; a < d; a++)
      r[a] += (mi >> a) & 1 ? v : 0.0;
  }
  *sdy = s;
}

/* The raw sums of limn__lime_cache_build for a 0/1 design of d <= 64 columns given
 * as row bitmasks, whose weights depend only on a row's number of ones, as LIME's
 * discretised neighbourhoods' do (the distance to row 0, all ones, is
 * sqrt(d - ones)): a pair's sum of weights is then sum_k w_k n_k(pair), n_k the
 * number of rows with k ones and both columns 1, counted in bitsets of the rows
 * grouped by k. Returns 0, having set nothing, when the weights are not such a
 * function. ones: each row's number of ones, or NULL (counted here). mem: the cache's
 * memory after its xm, r, G, all and ones, and the row masks' N words. */
static int grouped_sums(limn__lime_cache *c, uint64_t *mem, const uint64_t *mask, const unsigned char *ones,
                        const double *y, const double *w, size_t N, size_t d) {
  size_t W = group_words(N, d), ng = d + 1;
  uint64_t *bits = mem;
  double *wk = (double *)(void *)(bits + d * W);
  size_t *nk = (size_t *)(void *)(wk + d + 2), *at = nk + d + 2;
  const unsigned char *cnt = ones;
  if (!cnt) {
    unsigned char *own = (unsigned char *)(void *)(at + d + 2);
    ones_counts(mask, N, own);
    cnt = own;
  }
  for (size_t k = 0; k < ng; k++)
    nk[k] = 0, wk[k] = 0.0;
  for (size_t i = 0; i < N; i++) {
    size_t k = cnt[i];
    if (nk[k]++ == 0)
      wk[k] = w[i];
    else if (!(w[i] == wk[k]))
      return 0;
  }
  double sw = 0.0, m = 0.0, sdy = 0.0;
  for (size_t k = 0; k < ng; k++)
    sw += wk[k] * (double)nk[k];
  for (size_t i = 0; i < N; i++)
    m += w[i] * y[i];
  double my = m / sw;
  at[0] = 0;
  for (size_t k = 0; k < ng; k++)
    at[k + 1] = at[k] + (nk[k] + 63) / 64;
  size_t used = at[ng];
  uint64_t *sorted = (uint64_t *)(void *)(at + d + 2) + N / 8 + 1; /* 64 used words */
  double r[64] = {0};
  rows_r(mask, w, y, my, N, d, r, &sdy);
  for (size_t a = 0; a < d; a++)
    c->r[a] = r[a];
  for (size_t q = 0; q < 64 * used; q++)
    sorted[q] = 0;
  for (size_t k = 0; k < ng; k++)
    nk[k] = 64 * at[k];          /* from here: the next place of group k */
  for (size_t i = 0; i < N; i++) /* the rows' masks in their groups' places */
    sorted[nk[cnt[i]]++] = mask[i];
  for (size_t q = 0; q < used; q++) { /* 64 places at a time, as one word per column */
    transpose64(sorted + 64 * q);
    for (size_t a = 0; a < d; a++)
      bits[a * W + q] = sorted[64 * q + a];
  }
  for (size_t a = 0; a < d; a++) {
    const uint64_t *ba = bits + a * W;
    for (size_t b = 0; b <= a; b++)
      c->G[a * d + b] = weighted_pairs(ba, bits + b * W, at, wk, ng);
    c->xm[a] = c->G[a * d + a] / sw; /* a column's ones: the pair (a, a) */
  }
  c->sw = sw, c->my = my, c->sdy = sdy, c->syy = sum_sq(y, w, N, my);
  return 1;
}

void limn__lime_cache_build(limn__lime_cache *c, double *mem, const double *S, const double *y,
                            const double *w, size_t N, size_t d, const uint64_t *mask,
                            const unsigned char *ones_per_row) {
  size_t *all = (size_t *)(void *)(mem + 2 * d + d * d), *ones = all + d;
  uint64_t *own = (uint64_t *)(void *)(ones + d); /* N words: the row masks when not given */
  for (size_t j = 0; j < d; j++)
    all[j] = j;
  c->d = d;
  c->xm = mem, c->r = mem + d, c->G = mem + 2 * d;
  if (mask)
    c->ok = 1;
  else if (d <= 64)
    c->ok = row_masks(S, N, d, own), mask = own, ones_per_row = NULL;
  else
    c->ok = binary01(S, N, d, all, d);
  if (!c->ok)
    return;
  if (mask && grouped_sums(c, own + N, mask, ones_per_row, y, w, N, d))
    return;
  c->sw = means(S, mask, y, w, N, d, all, d, c->xm, &c->my);
  c->sdy = binary_raw(S, mask, y, w, N, d, all, d, c->my, c->G, c->r, ones);
  c->syy = sum_sq(y, w, N, c->my);
}

void limn__lime_moments(const double *S, const double *y, const double *w, size_t N, size_t d,
                        const size_t *F, size_t nf, const limn__lime_cache *c, double *xm, double *G,
                        double *r, double *ym, double *syy, double *tmp) {
  if (c && c->ok) { /* the cached sums of F's columns, finished exactly as below */
    for (size_t a = 0; a < nf; a++) {
      xm[a] = c->xm[F[a]];
      r[a] = c->r[F[a]];
      for (size_t b = 0; b <= a; b++) {
        size_t u = F[a] > F[b] ? F[a] : F[b], v = F[a] > F[b] ? F[b] : F[a];
        G[a * nf + b] = c->G[u * c->d + v];
      }
    }
    binary_finish(nf, xm, c->sw, c->sdy, G, r);
    *ym = c->my;
    *syy = c->syy;
    return;
  }
  double my, yy = 0.0;
  means(S, NULL, y, w, N, d, F, nf, xm, &my);
  for (size_t a = 0; a < nf; a++) {
    r[a] = 0.0;
    for (size_t b = 0; b < nf; b++)
      G[a * nf + b] = 0.0;
  }
  for (size_t i = 0; i < N; i++) {
    const double *si = S + i * d;
    double yi = y[i] - my;
    yy += w[i] * yi * yi;
    for (size_t a = 0; a < nf; a++)
      tmp[a] = si[F[a]] - xm[a];
    for (size_t a = 0; a < nf; a++) {
      double wa = w[i] * tmp[a];
      double *g = G + a * nf;
      r[a] += wa * yi;
      for (size_t b = 0; b <= a; b++)
        g[b] += wa * tmp[b];
    }
  }
  for (size_t a = 0; a < nf; a++)
    for (size_t b = 0; b < a; b++)
      G[b * nf + a] = G[a * nf + b];
  *ym = my;
  *syy = yy;
}

double limn__lime_ssr(const double *G, const double *r, double syy, const double *beta, size_t nf) {
  double s = syy;
  for (size_t a = 0; a < nf; a++) {
    double gb = 0.0;
    for (size_t b = 0; b < nf; b++)
      gb += G[a * nf + b] * beta[b];
    s += beta[a] * (gb - 2.0 * r[a]);
  }
  return s > 0.0 ? s : 0.0;
}

/* Weighted ridge on columns F (nf) of S (N, d): beta (nf), intercept; returns the
 * weighted R^2 and, when `pred0`, the prediction at row 0. ws: scratch of
 * 3 nf^2 + 3 nf + d doubles. alpha = 0 is plain weighted least squares; a singular
 * system gets a tiny ridge (1e-10 of the mean diagonal) rather than failing. */
/* The ridge fit; the R^2 (and pred0) only when `score`. */
static double ridge(const double *S, const double *y, const double *w, size_t N, size_t d, const size_t *F,
                    size_t nf, const limn__lime_cache *c, double alpha, double *beta, double *intercept,
                    double *pred0, double *ws, int score) {
  double *G = ws, *L = G + nf * nf, *xm = L + nf * nf, *r = xm + nf, *tmp = r + nf;
  double ym, syy;
  limn__lime_moments(S, y, w, N, d, F, nf, c, xm, G, r, &ym, &syy, tmp);
  double jitter = 0.0, diag = 0.0;
  for (size_t a = 0; a < nf; a++)
    diag += G[a * nf + a];
  diag = nf ? diag / (double)nf : 0.0;
  for (int attempt = 0; attempt < 8; attempt++) {
    for (size_t a = 0; a < nf * nf; a++)
      L[a] = G[a];
    for (size_t a = 0; a < nf; a++)
      L[a * nf + a] += alpha + jitter;
    if (!cholesky(L, nf))
      break;
    jitter = jitter == 0.0 ? 1e-10 * (diag > 0 ? diag : 1.0) : jitter * 100.0;
  }
  for (size_t a = 0; a < nf; a++)
    beta[a] = r[a];
  chol_solve(L, nf, beta);
  double b0 = ym;
  for (size_t a = 0; a < nf; a++)
    b0 -= xm[a] * beta[a];
  *intercept = b0;
  if (!score)
    return 0.0;
  if (pred0) {
    double p = b0;
    for (size_t a = 0; a < nf; a++)
      p += S[F[a]] * beta[a]; /* row 0 */
    *pred0 = p;
  }
  /* the weighted residual sum of squares from the moments: sum w (yc - Sc beta)^2 =
   * syy - 2 beta.r + beta G beta, centred; no pass over the rows */
  double ssr = limn__lime_ssr(G, r, syy, beta, nf);
  return syy > 0 ? 1.0 - ssr / syy : 0.0;
}

double limn__lime_ridge(const double *S, const double *y, const double *w, size_t N, size_t d,
                        const size_t *F, size_t nf, const limn__lime_cache *c, double alpha, double *beta,
                        double *intercept, double *pred0, double *ws) {
  return ridge(S, y, w, N, d, F, nf, c, alpha, beta, intercept, pred0, ws, 1);
}

/* Stable descending order of |key| (ties keep index order). */
static void order_desc(const double *key, size_t n, size_t *idx) {
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  for (size_t i = 1; i < n; i++) { /* insertion sort: stable, n is small */
    size_t v = idx[i], k = i;
    while (k > 0 && fabs(key[idx[k - 1]]) < fabs(key[v])) {
      idx[k] = idx[k - 1];
      k--;
    }
    idx[k] = v;
  }
}

/* lime's highest_weights: ridge(0.01) on all columns, rank |beta_j S_0j|. */
static size_t highest_weights(const double *S, const double *y, const double *w, size_t N, size_t d,
                              size_t nf, size_t *F, const limn__lime_cache *c, double *ws) {
  size_t *all = (size_t *)(void *)(ws + 3 * d * d + 4 * d);
  double *beta = ws + 3 * d * d + 3 * d, b0;
  for (size_t j = 0; j < d; j++)
    all[j] = j;
  ridge(S, y, w, N, d, all, d, c, 0.01, beta, &b0, NULL, ws, 0); /* the ranking needs no R^2 */
  for (size_t j = 0; j < d; j++)
    beta[j] *= S[j]; /* row 0 */
  order_desc(beta, d, F);
  return nf < d ? nf : d;
}

/* lime's forward_selection: greedy, plain weighted least squares, best weighted R^2
 * (strict, from -1e8), ties to the lowest index. */
static size_t forward(const double *S, const double *y, const double *w, size_t N, size_t d, size_t nf,
                      size_t *F, const limn__lime_cache *c, double *ws) {
  size_t k = nf < d ? nf : d, used = 0;
  double *beta = ws + 3 * d * d + 3 * d, b0;
  unsigned char *taken = (unsigned char *)(ws + 3 * d * d + 5 * d);
  memset(taken, 0, d);
  for (size_t t = 0; t < k; t++) {
    double best = -1e8;
    size_t bj = d;
    for (size_t j = 0; j < d; j++) {
      if (taken[j])
        continue;
      F[used] = j;
      double sc = limn__lime_ridge(S, y, w, N, d, F, used + 1, c, 0.0, beta, &b0, NULL, ws);
      if (sc > best) {
        best = sc;
        bj = j;
      }
    }
    if (bj == d)
      break;
    F[used++] = bj;
    taken[bj] = 1;
  }
  return used;
}

size_t limn__lime_select(limn_selection sel, const double *S, const double *y, const double *w, size_t N,
                         size_t d, size_t nf, size_t *F, const limn__lime_cache *c, double *ws) {
  if (sel == LIMN_SELECT_AUTO)
    sel = nf <= 6 ? LIMN_SELECT_FORWARD : LIMN_SELECT_HIGHEST_WEIGHTS;
  if (sel == LIMN_SELECT_FORWARD)
    return forward(S, y, w, N, d, nf, F, c, ws);
  if (sel == LIMN_SELECT_HIGHEST_WEIGHTS)
    return highest_weights(S, y, w, N, d, nf, F, c, ws);
  if (sel == LIMN_SELECT_LASSO_PATH)
    return limn__lasso_path_select(S, y, w, N, d, nf, F, c, ws);
  for (size_t j = 0; j < d; j++)
    F[j] = j;
  return d;
}

size_t limn__lime_fit_workspace(size_t d) { return 3 * d * d + 8 * d + 16; }

limn_lime_fit_opts limn_lime_fit_opts_default(void) {
  limn_lime_fit_opts o = {0.0, LIMN_SELECT_AUTO, 10, 1.0};
  return o;
}

int limn_lime_fit(limn_ctx *ctx, const limn_lime_data *nb, const limn_lime_fit_opts *opts,
                  limn_lime_fit_result *res) {
  if (!nb || !opts || !res || !nb->S || !nb->y || !nb->dist || !res->coef || !res->selected)
    return limn__err(ctx, LIMN_EINVAL, "LIME fit: NULL neighbourhood, options or result arrays");
  const double *S = nb->S, *y = nb->y, *dist = nb->dist;
  size_t N = nb->N, d = nb->d, num_features = opts->num_features < d ? opts->num_features : d;
  double kernel_width = opts->kernel_width == 0 ? 0.75 * sqrt((double)d) : opts->kernel_width,
         ridge_alpha = opts->ridge_alpha;
  limn_selection sel = opts->selection;
  double *coef = res->coef, *intercept = &res->intercept, *score = &res->score,
         *local_pred = &res->local_pred;
  unsigned char *selected = res->selected;
  if (N < 2 || d == 0 || num_features == 0 || !(kernel_width > 0) || !(ridge_alpha >= 0))
    return limn__err(ctx, LIMN_EINVAL,
                     "LIME fit needs N >= 2, d >= 1, num_features >= 1, width > 0, alpha >= 0");
  double *w = limn__alloc_array(ctx, N, sizeof(double));
  double *ws =
      limn__alloc_array(ctx, limn__lime_fit_workspace(d) + limn__lasso_workspace(N, d), sizeof(double));
  size_t *F = limn__alloc_array(ctx, d, sizeof(size_t));
  double *beta = limn__alloc_array(ctx, d, sizeof(double));
  double *cmem = limn__alloc_array(ctx, limn__lime_cache_size(N, d), sizeof(double));
  int rc = w && ws && F && beta && cmem ? LIMN_OK : LIMN_ENOMEM;
  if (rc == LIMN_OK) {
    limn__lime_cache cache;
    limn__lime_kernel(dist, N, kernel_width, w);
    limn__lime_cache_build(&cache, cmem, S, y, w, N, d, NULL, NULL);
    size_t nf = limn__lime_select(sel, S, y, w, N, d, num_features, F, &cache, ws);
    *score = limn__lime_ridge(S, y, w, N, d, F, nf, &cache, ridge_alpha, beta, intercept, local_pred, ws);
    memset(selected, 0, d);
    for (size_t j = 0; j < d; j++)
      coef[j] = 0.0;
    for (size_t a = 0; a < nf; a++) {
      coef[F[a]] = beta[a];
      selected[F[a]] = 1;
    }
  }
  limn__free(ctx, w);
  limn__free(ctx, ws);
  limn__free(ctx, F);
  limn__free(ctx, beta);
  limn__free(ctx, cmem);
  return rc;
}

void limn__lime_kernel(const double *dist, size_t N, double width, double *w) {
  for (size_t i = 0; i < N; i++)
    w[i] = sqrt(exp(-(dist[i] * dist[i]) / (width * width)));
}

int limn__lime_switches(limn_ctx *ctx, const limn_model *m, size_t target, const double *S,
                        const double *dist, size_t N, size_t K, double kernel_width, size_t num_features,
                        limn__lime_build build, const void *arg, double *y, limn_lime_fit_result *fr) {
  enum { BATCH = 64 }; /* perturbed inputs a model call */
  size_t w = m->nfeatures, k = m->noutputs;
  float *rows = limn__alloc_array(ctx, BATCH, w * sizeof *rows);
  float *out = limn__alloc_array(ctx, BATCH, k * sizeof *out);
  int rc = rows && out ? LIMN_OK : LIMN_ENOMEM;
  for (size_t s0 = 0; s0 < N && !rc; s0 += BATCH) {
    size_t nb = N - s0 < BATCH ? N - s0 : BATCH;
    for (size_t b = 0; b < nb; b++)
      build(arg, S + (s0 + b) * K, rows + b * w);
    rc = limn_model_predict(ctx, m, rows, nb, out);
    for (size_t b = 0; b < nb && !rc; b++)
      y[s0 + b] = out[b * k + target];
    if (!rc && limn__canceled(ctx))
      rc = limn__err(ctx, LIMN_ECANCELED, "canceled");
  }
  limn__free(ctx, rows), limn__free(ctx, out);
  if (rc)
    return rc;
  limn_lime_data nb = {S, y, dist, N, K};
  limn_lime_fit_opts fo = limn_lime_fit_opts_default();
  fo.kernel_width = kernel_width;
  fo.num_features = num_features && num_features < K ? num_features : K;
  fo.selection = fo.num_features < K ? LIMN_SELECT_HIGHEST_WEIGHTS : LIMN_SELECT_NONE;
  return limn_lime_fit(ctx, &nb, &fo, fr);
}

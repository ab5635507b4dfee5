/* LIME for tabular data (Ribeiro, Singh & Guestrin 2016; lime's LimeTabularExplainer):
 * a neighbourhood of each row drawn from the background's bins and categories, one
 * batched model call, a kernel-weighted ridge surrogate. limn's default estimator
 * draws the bins through a randomised rank-1 lattice (every column's proportions
 * exact, every pair of columns evenly covered) and the values inside a bin by
 * inverse CDF of the truncated normal at the lattice coordinate's position inside
 * the bin; `compat` draws everything i.i.d. as lime does. Degenerate bins give their value. */
#include "explain_internal.h"
#include <float.h>
#include <math.h>

limn_lime_opts limn_lime_opts_default(void) {
  limn_lime_opts o;
  memset(&o, 0, sizeof o);
  o.num_features = 10;
  o.discretizer = LIMN_DISC_QUARTILE;
  o.selection = LIMN_SELECT_AUTO;
  o.ridge_alpha = 1.0;
  o.target = -1;
  return o;
}

size_t limn_lime_samples(const limn_lime_opts *o, size_t nfeatures) {
  if (o->num_samples)
    return o->num_samples;
  return !o->compat && nfeatures <= 64 ? 65536 : 5000;
}

/* ---- normal distribution ---- */

static double norm_cdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

/* Acklam's central region, p in [ICDF_LOW, 1 - ICDF_LOW] (used by norm_icdf and,
 * branch-free, by bin_values). */
#define ICDF_LOW 0.02425
static inline double icdf_central(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/* Inverse normal CDF by Acklam's rational approximation (relative error < 1.2e-9).
 * p in (0, 1). */
static double norm_icdf(double p) {
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  double q, x;
  if (p < ICDF_LOW) {
    q = sqrt(-2 * log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - ICDF_LOW) {
    q = sqrt(-2 * log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    x = icdf_central(p);
  }
  return x; /* relative error below 1.2e-9: ample for sampling */
}

/* Normal(mean, sd) truncated to [lo, hi], prepared once per bin: the CDF (or, for
 * an upper tail, survival) values of the bounds. */
typedef struct tnorm {
  double mean, sd, lo, hi, pa, pb;
  int upper, degenerate;
} tnorm;

static tnorm tnorm_make(double mean, double sd, double lo, double hi) {
  tnorm t = {mean, sd, lo, hi, 0, 0, 0, 0};
  t.degenerate = !(hi > lo) || !(sd > 0);
  if (t.degenerate)
    return t;
  double a = (lo - mean) / sd, b = (hi - mean) / sd;
  t.upper = a >= 0; /* work with survival functions in the upper tail, for precision */
  t.pa = t.upper ? norm_cdf(-a) : norm_cdf(a);
  t.pb = t.upper ? norm_cdf(-b) : norm_cdf(b);
  return t;
}

/* A draw by inverse CDF of uniform u. A degenerate bin gives its one value (lime
 * returns a z-score there). */
static double tnorm_draw(const tnorm *t, double u) {
  if (t->degenerate) {
    if (!(t->hi > t->lo))
      return t->lo;
    return t->mean < t->lo ? t->lo : t->mean > t->hi ? t->hi : t->mean;
  }
  double z;
  if (t->upper) {
    double q = t->pa - u * (t->pa - t->pb);
    z = q > 0 && q < 1 ? -norm_icdf(q) : (t->lo - t->mean) / t->sd;
  } else {
    double p = t->pa + u * (t->pb - t->pa);
    z = p > 0 && p < 1 ? norm_icdf(p) : (p <= 0 ? (t->lo - t->mean) / t->sd : (t->hi - t->mean) / t->sd);
  }
  double v = t->mean + t->sd * z;
  return v < t->lo ? t->lo : v > t->hi ? t->hi : v;
}

/* Per bin, what bin_values needs: the probability at the lower end and the span
 * (pb - pa, negative in an upper tail), the sign of z, mean, sd, lo, hi, and 1 when
 * the bin is not degenerate. */
static void tnorm_params(const tnorm *t, double *q) {
  q[0] = t->pa, q[1] = t->pb - t->pa, q[2] = t->upper ? -1.0 : 1.0;
  q[3] = t->mean, q[4] = t->sd, q[5] = t->lo, q[6] = t->hi, q[7] = t->degenerate ? 0.0 : 1.0;
}

/* x[s] = icdf_central(t[s]), vectorised. */
LIMN_CLONES static void icdf_central_n(const double *restrict t, size_t M, double *restrict x) {
  for (size_t s = 0; s < M; s++)
    x[s] = icdf_central(t[s]);
}

/* tnorm_draw of n uniforms t of one bin (q: its tnorm_params) where its inverse CDF
 * takes the central branch, the bin's parameters broadcast: the same operations, so
 * the same bits (pa - u (pa - pb) is exactly pa + u (pb - pa), and -z is a
 * multiplication by -1). x[i] is the value; flag[i] 1 where another branch is needed,
 * for tnorm_draw itself. p: n doubles of work. */
LIMN_CLONES static void bin_values(const double *restrict t, size_t n, const double *restrict q,
                                   double *restrict p, double *restrict x, unsigned char *restrict flag) {
  double q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4], q5 = q[5], q6 = q[6];
  unsigned char degenerate = q[7] == 0.0;
  for (size_t i = 0; i < n; i++)
    p[i] = q0 + t[i] * q1;
  icdf_central_n(p, n, x);
  for (size_t i = 0; i < n; i++) {
    double v = q3 + q4 * (q2 * x[i]);
    v = v < q5 ? q5 : v; /* lo < hi where not flagged: the same as tnorm_draw's clamp */
    x[i] = v > q6 ? q6 : v;
    flag[i] = (unsigned char)(degenerate | (p[i] < ICDF_LOW) | (p[i] > 1 - ICDF_LOW));
  }
}

/* 1 when a value of bin t can fall outside bin_values's central region (or the bin is
 * degenerate): its probabilities pa .. pb reach into a tail (with a margin for the
 * rounding of pa + t (pb - pa)). Without, bin_tails has nothing to do. */
static int tnorm_has_tails(const tnorm *t) {
  double lo = t->pa < t->pb ? t->pa : t->pb, hi = t->pa < t->pb ? t->pb : t->pa;
  return t->degenerate || !(lo >= ICDF_LOW + 1e-12 && hi <= 1 - ICDF_LOW - 1e-12);
}

/* The tail values of a run (flag[i] set: tails and degenerate bins) by tnorm_draw,
 * the flags looked at eight at a time (flag: n + 8 bytes, the 8 after n cleared). */
static void bin_tails(const tnorm *tn, const double *t, size_t n, unsigned char *flag, double *x) {
  memset(flag + n, 0, 8);
  for (size_t q = 0; q < n; q += 8) {
    uint64_t any;
    memcpy(&any, flag + q, 8);
    for (size_t e = q; any && e < q + 8 && e < n; e++)
      if (flag[e])
        x[e] = tnorm_draw(tn, t[e]);
  }
}

/* ---- the run ---- */

typedef struct lx {
  limn_ctx *ctx;
  const limn_model *m;
  const limn_stats *st;
  const limn_lime_opts *o;
  size_t n, d, k, N, maxcat;
  int disc; /* LIMN__DISC_* or -1 for continuous mode */
  double width;
  uint64_t lattice_a; /* the lattice generator for d columns ... */
  uint64_t lattice_p; /* ... and its size: the smallest prime >= N - 1 */
  const float *x;
  size_t *target;
  long *xbin;             /* (n, d) the row's bin / category, -1 for continuous numeric */
  double *S;              /* (B, N, d) interpretable rows */
  float *X;               /* (B, N, d) model inputs */
  float *P;               /* (B, N, k) model outputs */
  uint64_t *mask;         /* (B, N) the rows of S as bitmasks (discretised, d <= 64), or NULL */
  unsigned char *gmask;   /* (B, groups, N) with masks: each group's 8 columns' bits, drawn apart */
  unsigned char *scratch; /* the threads' scratch for sampling and fitting */
  size_t r0;              /* first row of the block */
  limn_explanation *ex;
} lx;

/* Values of column j: number and frequencies (bins or categories). */
static size_t column_values(const lx *L, size_t j, const double **cnt, const size_t **ccnt) {
  *cnt = NULL;
  *ccnt = NULL;
  if (L->st->kind[j] == LIMN_COL_CATEGORICAL) {
    *ccnt = L->st->counts[j];
    return L->st->ncats[j];
  }
  const limn__bins *b = limn__stats_bins(L->st, j, L->disc);
  *cnt = b->count;
  return b->ne + 1;
}

static uint64_t gcd(uint64_t a, uint64_t b) {
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* The smallest prime >= n (a prime lattice size keeps every multiplier's projections
 * full; composite sizes gave much worse pairs). */
static uint64_t next_prime(uint64_t n) {
  if (n <= 2)
    return 2;
  for (uint64_t p = n | 1;; p += 2) {
    int prime = 1;
    for (uint64_t q = 3; q * q <= p && prime; q += 2)
      prime = p % q != 0;
    if (prime)
      return p;
  }
}

/* Squared length of the shortest nonzero vector of the 2-D lattice
 * {(x, y) : y = h x mod M}, by Lagrange-Gauss reduction of the basis (1, h), (0, M). */
static int64_t shortest2(int64_t h, int64_t M) {
  int64_t ax = 1, ay = h, bx = 0, by = M;
  for (;;) {
    int64_t na = ax * ax + ay * ay, nb = bx * bx + by * by;
    if (nb < na) {
      int64_t tx = ax, ty = ay;
      ax = bx, ay = by, bx = tx, by = ty;
      int64_t t = na;
      na = nb, nb = t;
    }
    int64_t dot = ax * bx + ay * by;
    if (2 * (dot < 0 ? -dot : dot) <= na) /* reduced: |<a, b>| <= |a|^2 / 2 */
      return na;
    int64_t m = (int64_t)llround((double)dot / (double)na);
    bx -= m * ax;
    by -= m * ay;
  }
}

/* The lattice's multiplier for M points in d columns: every pair of columns j < k
 * projects to the 2-D lattice with multiplier a^(k-j) mod M, so choose, among the a
 * coprime to M, the one whose worst such projection has the longest shortest vector
 * (the 2-D spectral test: the pairs are what the surrogate's Gram matrix sees), the
 * smallest of equals. Every a up to M = 65 537 (the default sample count's lattice);
 * beyond, about 65 536 of them, evenly spaced. Deterministic; it costs about d small
 * reductions per candidate (12 ms for M = 65 537 and d = 30), so the default sizes
 * come from a table. */
uint64_t limn__lattice_search(uint64_t M, size_t d) {
  if (M < 3 || d < 2)
    return 1;
  uint64_t best = 1, step = M <= 65537 ? 1 : (M + 65536) / 65537;
  int64_t bestv = -1;
  for (uint64_t a = 2; a < M; a += step) {
    if (gcd(a, M) != 1)
      continue;
    int64_t worst = INT64_MAX;
    uint64_t h = 1;
    for (size_t t = 1; t < d && worst > bestv; t++) {
      h = (h * a) % M;
      int64_t v = shortest2((int64_t)h, (int64_t)M);
      worst = v < worst ? v : worst;
    }
    if (worst > bestv)
      bestv = worst, best = a;
  }
  return best;
}

/* limn__lattice_search's answers for the default sizes (5000 and 65 536 samples: P =
 * 4999 and 65 537) and d = 0..64, so that a call does not repeat the search (1-9 ms,
 * more than the explanation of one row); test_lime checks every entry against it. */
static const uint16_t lattice_a_4999[65] = {
    1,    1,    685, 338, 99,  141, 103, 195, 195, 195, 195, 762,  762,  109,  1037, 183,  950,
    950,  950,  950, 551, 349, 349, 349, 509, 509, 509, 509, 1017, 1017, 1017, 1017, 1017, 1017,
    1017, 1017, 73,  73,  73,  73,  73,  140, 29,  29,  29,  29,   73,   73,   73,   73,   73,
    73,   616,  616, 616, 612, 612, 612, 612, 612, 612, 612, 612,  124,  73};
static const uint32_t lattice_a_65537[65] = {
    1,     1,    18260, 723,  1321, 25656, 25656, 3215,  30900, 30900, 20749, 10821, 9603,
    5211,  5211, 5211,  5211, 5211, 15614, 15614, 15614, 15614, 25016, 25016, 25016, 25016,
    25016, 2415, 2415,  2415, 2415, 13009, 13009, 13009, 13009, 13009, 3466,  3466,  3466,
    6078,  6078, 6078,  6078, 6078, 6078,  6078,  10811, 10811, 10811, 4242,  4242,  4242,
    4242,  4242, 4242,  4242, 2971, 11536, 11536, 11536, 11536, 11536, 11536, 11536, 11536};

uint64_t limn__lattice_multiplier(uint64_t P, size_t d) {
  if (d <= 64 && P == 4999)
    return lattice_a_4999[d];
  if (d <= 64 && P == 65537)
    return lattice_a_65537[d];
  return limn__lattice_search(P, d);
}

/* compat groups a column's samples by bin in LANES interleaved lists (s mod LANES), so
 * that consecutive samples bump different counters (no store feeding the next load) */
#define LANES 8

/* ids[s] = the number of cum[t] (t < nv - 1) with u[s] >= cum[t]; and unless ge is NULL,
 * ge[LANES t + l] = the number of samples s = l mod LANES with u[s] >= cum[t] (the bins'
 * counts by differences, counted in the same vectorised pass instead of a pass of
 * scattered increments). */
LIMN_CLONES static void bin_ids(const double *restrict u, size_t M, const double *restrict cum, size_t nv,
                                size_t *restrict ids, size_t *restrict ge) {
  for (size_t s = 0; s < M; s++)
    ids[s] = 0;
  for (size_t v = 0; v + 1 < nv; v++) {
    double c = cum[v];
    size_t g[LANES] = {0}, s = 0;
    for (; s + LANES <= M; s += LANES)
      for (size_t l = 0; l < LANES; l++) {
        size_t a = u[s + l] >= c;
        ids[s + l] += a;
        g[l] += a;
      }
    for (; s < M; s++) {
      size_t a = u[s] >= c;
      ids[s] += a;
      g[s % LANES] += a;
    }
    for (size_t l = 0; ge && l < LANES; l++)
      ge[LANES * v + l] = g[l];
  }
}

/* The cumulative frequencies cum[v] (v < nv - 1, added in order) of column j's
 * values (bins or categories); returns nv. A uniform u falls in value number
 * #{t < nv - 1 : u >= cum[t]} (the cum only grow). */
static size_t column_cum(const lx *L, size_t j, double *cum) {
  const double *cnt;
  const size_t *ccnt;
  size_t nv = column_values(L, j, &cnt, &ccnt);
  double tot = 0;
  for (size_t v = 0; v < nv; v++)
    tot += cum[v] = cnt ? cnt[v] : (double)ccnt[v];
  for (size_t v = 0; v < nv; v++)
    cum[v] /= tot;
  double acc = 0;
  for (size_t v = 0; v + 1 < nv; v++)
    cum[v] = acc += cum[v];
  return nv;
}

/* lime's draw (compat): N-1 ids of column j into ids by inverse CDF of the
 * frequencies at i.i.d. uniforms u (N-1 doubles); p: the cumulative frequencies.
 * Unless cnt is NULL (a numeric column's bins, at most 65): cnt[65 l + v] = the number
 * of samples s = l mod LANES with id v, and t (N-1 doubles) receives as many more i.i.d.
 * uniforms for the values (the two from each output of the generator: 32 bits each,
 * ample for a bin's value stored as a float). */
static void draw_ids(const lx *L, size_t j, limn_rng *r, size_t *ids, double *p, double *u, size_t *cnt,
                     double *t) {
  size_t nv = column_cum(L, j, p), M = L->N - 1, ge[LANES * 64];
  if (cnt)
    limn__rng_uniform_pairs(r, u, t, M);
  else
    limn__rng_uniforms(r, u, M);
  bin_ids(u, M, p, nv, ids, cnt ? ge : NULL);
  for (size_t l = 0; cnt && l < LANES; l++)
    for (size_t v = 0; v < nv; v++) {
      size_t above = v ? ge[LANES * (v - 1) + l] : (M + LANES - 1 - l) / LANES; /* s = l mod LANES, id >= v */
      cnt[65 * l + v] = above - (v + 1 < nv ? ge[LANES * v + l] : 0);
    }
}

/* out[s] = 1 where ids[s] is own, else 0: vectorised (as a branch, a coin flip the
 * predictor misses). */
LIMN_CLONES static void match01(const size_t *restrict ids, size_t M, size_t own, double *restrict out) {
  for (size_t s = 0; s < M; s++)
    out[s] = ids[s] == own ? 1.0 : 0.0;
}

/* bit set in m8[s] where ids[s] is own. */
LIMN_CLONES static void match_bits(const size_t *restrict ids, size_t M, size_t own, unsigned char bit,
                                   unsigned char *restrict m8) {
  for (size_t s = 0; s < M; s++)
    m8[s] |= ids[s] == own ? bit : 0;
}

/* The truncated normals of numeric column j's bins (nv = ne + 1 of them) and their
 * tnorm_params. */
static size_t column_tnorms(const lx *L, size_t j, tnorm *tn, double *prm) {
  const limn_stats *st = L->st;
  const limn__bins *bn = limn__stats_bins(st, j, L->disc);
  for (size_t v = 0; v <= bn->ne; v++) {
    tn[v] = tnorm_make(bn->mean[v], bn->std[v] + 1e-11, v == 0 ? st->min[j] : bn->edges[v - 1],
                       v == bn->ne ? st->max[j] : bn->edges[v]);
    tnorm_params(&tn[v], prm + 8 * v);
  }
  return bn->ne + 1;
}

/* place[s] = the place of sample s when the samples are grouped by bin, within a bin
 * by s mod LANES, then s: at[l][v] is the first place of lane l's samples of bin v.
 * Up to four bins, the lanes' counters in vector registers (no counter in memory for a
 * later sample to wait on); more, a counter per (lane, bin) in memory. */
LIMN_CLONES static void group_places(const size_t *restrict ids, size_t M, size_t (*at)[65], size_t nv,
                                     uint32_t *restrict place) {
  size_t s = 0;
#if defined(__GNUC__) && LANES == 8
  typedef uint32_t v8u __attribute__((vector_size(32)));
  if (nv <= 4) {
    v8u c[4];
    for (size_t v = 0; v < 4; v++)
      for (size_t l = 0; l < 8; l++)
        c[v][l] = v < nv ? (uint32_t)at[l][v] : 0;
    for (; s + 8 <= M; s += 8) {
      v8u id, pos = {0, 0, 0, 0, 0, 0, 0, 0};
      for (size_t l = 0; l < 8; l++)
        id[l] = (uint32_t)ids[s + l];
      for (size_t v = 0; v < 4; v++) {
        v8u m = (v8u)(id == (uint32_t)v); /* all ones where the sample is in bin v */
        pos |= c[v] & m;
        c[v] -= m; /* + 1 there */
      }
      memcpy(place + s, &pos, sizeof pos);
    }
    for (size_t v = 0; v < nv; v++)
      for (size_t l = 0; l < 8; l++)
        at[l][v] = c[v][l];
  }
#endif
  for (; s < M; s++)
    place[s] = (uint32_t)at[s % LANES][ids[s]]++;
}

/* lime's values (compat) of numeric column j for the N - 1 samples whose bins are
 * ids (cnt: their counts, from draw_ids): inside each bin from its truncated normal by
 * inverse CDF of the i.i.d. uniforms u[0..N-1) (draw_ids's t), taken bin by bin (the
 * samples of a bin in order take its values in order: i.i.d. draws, so the same
 * distribution as drawing them sample by sample) with the bin's parameters fixed.
 * Sj[s] (unless Sj is NULL) = 1 where the sample's bin is the row's (xb). flag: N + 8
 * bytes, place: N words, u: 3 N doubles of work. */
static void draw_values(const lx *L, size_t j, long xb, const size_t *ids, const size_t (*cnt)[65],
                        unsigned char *flag, uint32_t *place, double *u, double *Sj, float *Xj) {
  size_t M = L->N - 1, off[66];
  tnorm tn[65];
  double prm[8 * 65], *t = u, *p = u + L->N, *x = u + 2 * L->N;
  size_t nv = column_tnorms(L, j, tn, prm);
  size_t at[LANES][65], k = 0;
  for (size_t v = 0; v < nv; v++) { /* the samples grouped by bin (within it by s mod LANES, then s) */
    off[v] = k;
    for (size_t l = 0; l < LANES; l++)
      at[l][v] = k, k += cnt[l][v];
  }
  off[nv] = k;
  group_places(ids, M, at, nv, place);
  for (size_t v = 0; v < nv; v++) {
    size_t o = off[v], n = off[v + 1] - o;
    if (!n)
      continue;
    bin_values(t + o, n, prm + 8 * v, p, x + o, flag);
    if (tnorm_has_tails(&tn[v]))
      bin_tails(&tn[v], t + o, n, flag, x + o);
  }
  for (size_t s = 0; s < M; s++)
    Xj[s + 1] = (float)x[place[s]];
  if (Sj)
    match01(ids, M, (size_t)xb, Sj + 1);
}

/* ---- limn's neighbourhood: a randomised rank-1 lattice ----
 * Column j's uniform for sample s (0-based, after row 0) is u = frac(pos / P +
 * shift_j), pos = s g_j mod P, g_j = a^j mod P: a randomised rank-1 (Korobov)
 * lattice, P prime, a chosen by limn__lattice_search, shift_j uniform. Each column's
 * uniforms are an exact grid (its bin proportions exact), every pair of columns a 2-D
 * lattice. u's bin comes from the cumulative frequencies; the value inside a numeric
 * bin is the bin's truncated normal at t, u's position inside the bin's range of
 * probability (the values continue the lattice: an even grid of each bin).
 * As pos runs over 0..P-1, u grows on [0, w) and on [w, P) (w where it wraps), so
 * each bin is a run of consecutive positions in each part: the draws go run by run
 * with the bin's parameters fixed (vectorised), and land at sample s = pos g^-1. */

/* The first pos in [lo, hi) with u(pos) = pos inv + shift - wrap >= c (u grows on
 * [lo, hi)); hi when none. */
static size_t first_at_least(size_t lo, size_t hi, double inv, double shift, double wrap, double c) {
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if ((double)mid * inv + shift - wrap >= c)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/* g^-1 mod P (P prime, 0 < g < P). */
static uint64_t mod_inverse(uint64_t g, uint64_t P) {
  int64_t r0 = (int64_t)P, r1 = (int64_t)g, t0 = 0, t1 = 1;
  while (r1 != 0) {
    int64_t q = r0 / r1, r2 = r0 - q * r1, t2 = t0 - q * t1;
    r0 = r1, r1 = r2, t0 = t1, t1 = t2;
  }
  return (uint64_t)(t0 < 0 ? t0 + (int64_t)P : t0);
}

/* t[i] = the position inside its bin, of probability range [lo, lo + 1 / inv_span),
 * of the uniform of lattice position pos0 + i (i < n). */
LIMN_CLONES static void lattice_t(int pos0, int n, double inv, double shift, double wrap, double lo,
                                  double inv_span, double *restrict t) {
  for (int i = 0; i < n; i++) {
    double u = (double)(pos0 + i) * inv + shift - wrap;
    double z = (u - lo) * inv_span;
    t[i] = z < 0.0 ? 0.0 : z < 1.0 ? z : 0x1.fffffffffffffp-1; /* [0, 1) despite rounding */
  }
}

/* idx[q] = the sample at lattice position start + q (q < n), pos g^-1 mod P with gi =
 * g^-1: four chains of additions of 4 gi, each independent of the others. */
static void run_samples(size_t start, size_t n, uint64_t gi, uint64_t P, uint32_t *idx) {
  uint64_t s[4], step = 4 * gi % P;
  for (size_t l = 0; l < 4; l++)
    s[l] = (start + l) % P * gi % P;
  size_t q = 0;
  for (; q + 4 <= n; q += 4)
    for (size_t l = 0; l < 4; l++) {
      idx[q + l] = (uint32_t)s[l];
      s[l] = s[l] + step >= P ? s[l] + step - P : s[l] + step;
    }
  for (size_t l = 0; q < n; q++, l++)
    idx[q] = (uint32_t)s[l];
}

/* Columns are drawn one at a time into buffers of GROUP columns, copied into the
 * row-major S and X a group at a time (a column at a time, each store of a pass over
 * the samples would touch its own cache line). */
#define GROUP 8 /* also the bits of a group's byte of own-bin flags (gmask) */

/* Length of the work buffers of a row's draw: N, or P where the lattice has more points
 * (a bin's run can take up to P positions: all of them, for a column of one value). */
static size_t lattice_buffer(const lx *L) { return L->lattice_p > L->N ? (size_t)L->lattice_p : L->N; }

/* Column j of the neighbourhood of a row whose value is number xb: Xj[1..N-1] the
 * model inputs, Sj[1..N-1] (unless NULL) 1 where the sample's value is the row's, and
 * bit j mod GROUP of m8[1..N-1] (unless NULL) likewise. cum: maxcat + 66 doubles; u: 3 R
 * doubles, flag R + 8 bytes and idx R of work, R = lattice_buffer(L). */
static void lattice_column(const lx *L, size_t j, limn_rng *r, long xb, double *cum, double *u,
                           unsigned char *flag, uint32_t *idx, double *Sj, float *Xj, unsigned char *m8) {
  size_t nv = column_cum(L, j, cum), M = L->N - 1, own = (size_t)xb;
  uint64_t g = 1, a = L->lattice_a, P = L->lattice_p; /* the first M points of a P-point lattice */
  for (size_t q = 0; q < j; q++)
    g = (g * a) % P;
  uint64_t gi = mod_inverse(g, P);
  unsigned char bit = (unsigned char)(1u << (j % GROUP));
  double shift = limn__rng_uniform(r), inv = 1.0 / (double)P;
  int cat = L->st->kind[j] == LIMN_COL_CATEGORICAL;
  tnorm tn[65];
  double prm[8 * 65], *t = u, *p = u + lattice_buffer(L), *x = u + 2 * lattice_buffer(L);
  if (!cat)
    column_tnorms(L, j, tn, prm);
  if (Sj)
    for (size_t s = 1; s <= M; s++)
      Sj[s] = 0.0;
  size_t w = first_at_least(0, P, inv, shift, 0.0, 1.0);
  for (int part = 0; part < 2; part++) {
    size_t start = part ? w : 0, stop = part ? P : w;
    double wrap = part ? 1.0 : 0.0;
    for (size_t v = 0; v < nv; v++) {
      size_t end = v + 1 < nv ? first_at_least(start, stop, inv, shift, wrap, cum[v]) : stop;
      size_t n = end - start;
      if (n && !cat) {
        double lo = v ? cum[v - 1] : 0.0, span = (v + 1 < nv ? cum[v] : 1.0) - lo;
        lattice_t((int)start, (int)n, inv, shift, wrap, lo, 1.0 / span, t);
        bin_values(t, n, prm + 8 * v, p, x, flag);
        if (tnorm_has_tails(&tn[v]))
          bin_tails(&tn[v], t, n, flag, x);
      }
      run_samples(start, n, gi, P, idx);
      if (cat)
        for (size_t q = 0; q < n; q++) {
          if (idx[q] < M)
            Xj[idx[q] + 1] = (float)v;
        }
      else
        for (size_t q = 0; q < n; q++)
          if (idx[q] < M)
            Xj[idx[q] + 1] = (float)x[q];
      if (v == own)
        for (size_t q = 0; q < n; q++)
          if (idx[q] < M) {
            if (m8)
              m8[idx[q] + 1] |= bit;
            if (Sj)
              Sj[idx[q] + 1] = 1.0;
          }
      start = end;
    }
  }
}

/* Columns j0..j1-1 (j0 a multiple of GROUP) of the neighbourhood of row i (block slot
 * b): S, X, and with masks each group's byte of own-bin bits in gmask. r: the row's
 * stream where column j0 starts it. scratch: see sample_scratch. */
static void sample_columns(const lx *L, size_t i, size_t b, size_t j0, size_t j1, limn_rng *r,
                           void *scratch) {
  size_t N = L->N, d = L->d, R = lattice_buffer(L), ng = (d + GROUP - 1) / GROUP;
  const limn_stats *st = L->st;
  double *S = L->S + b * (L->mask ? 1 : N) * d; /* with masks, S holds row 0 only */
  float *X = L->X + b * N * d;
  const float *x = L->x + i * d;
  size_t *ids = scratch;                                    /* N bins */
  unsigned char *flag = (unsigned char *)(void *)(ids + R); /* R + 8 */
  double *p = (double *)(void *)(ids + 2 * R);              /* maxcat + 66 */
  double *u = p + L->maxcat + 66;                           /* 3 R: uniforms, values, work */
  double *ub = u + 3 * R;                                   /* N: compat's bins' uniforms */
  double *Sg = ub + N;                                      /* GROUP N: the group's columns of S */
  float *Xg = (float *)(void *)(Sg + GROUP * N);            /* GROUP N: and of X */
  uint32_t *idx = (uint32_t *)(void *)(Xg + GROUP * N);     /* R */
  unsigned char *m8 = NULL;
  for (size_t j = j0; j < j1; j++) {
    int cat = st->kind[j] == LIMN_COL_CATEGORICAL;
    double *Sj = Sg + (j % GROUP) * N; /* column j: Sj[s] is S[s * d + j] */
    float *Xj = Xg + (j % GROUP) * N;
    if (L->gmask && j % GROUP == 0) { /* the group's own-bin bits, from none */
      m8 = L->gmask + (b * ng + j / GROUP) * N;
      memset(m8, 0, N);
    }
    Sj[0] = 1.0;
    Xj[0] = x[j];
    if (L->disc < 0 && !cat) { /* continuous mode */
      double sd = st->std[j] > 0 ? st->std[j] : 1.0, mu = st->mean[j];
      double centre = L->o->sample_around_instance ? x[j] : mu;
      Sj[0] = ((double)x[j] - mu) / sd;
      double prev = 0.0;
      for (size_t s = 1; s < N; s++) {
        double g = limn_rng_normal(r);
        if (!L->o->compat && s % 2 == 0)
          g = -prev; /* antithetic pairs */
        prev = g;
        double v = g * sd + centre;
        Xj[s] = (float)v;
        Sj[s] = ((double)Xj[s] - mu) / sd;
      }
    } else if (!L->o->compat) {
      lattice_column(L, j, r, L->xbin[i * d + j], p, u, flag, idx, m8 ? NULL : Sj, Xj, m8);
    } else {
      size_t cnt[LANES][65];
      draw_ids(L, j, r, ids, p, ub, cat ? NULL : &cnt[0][0], u);
      long xb = L->xbin[i * d + j];
      if (m8)
        match_bits(ids, N - 1, (size_t)xb, (unsigned char)(1u << (j % GROUP)), m8 + 1);
      if (cat) {
        if (!m8)
          match01(ids, N - 1, (size_t)xb, Sj + 1); /* a category index, never negative */
        for (size_t s = 1; s < N; s++)
          Xj[s] = (float)ids[s - 1];
      } else {
        draw_values(L, j, xb, ids, (const size_t(*)[65])cnt, flag, idx, u, m8 ? NULL : Sj, Xj);
      }
    }
    if (j % GROUP == GROUP - 1 || j + 1 == j1) { /* copy the group into S and X */
      size_t g0 = j - j % GROUP, g = j - g0 + 1;
      for (size_t s = 0; s < N; s++)
        for (size_t c = 0; c < g; c++)
          X[s * d + g0 + c] = Xg[c * N + s];
      for (size_t s = 0; s < (L->mask ? 1 : N); s++)
        for (size_t c = 0; c < g; c++)
          S[s * d + g0 + c] = Sg[c * N + s];
    }
  }
}

/* mask[s] |= m8[s] << shift (vectorised). */
LIMN_CLONES static void or_bytes(uint64_t *restrict mask, const unsigned char *restrict m8, size_t N,
                                 unsigned shift) {
  for (size_t s = 0; s < N; s++)
    mask[s] |= (uint64_t)m8[s] << shift;
}

/* The bitmask of each sample of block slot b from its groups' bytes (row 0: all ones). */
static void join_masks(const lx *L, size_t b) {
  size_t N = L->N, d = L->d, ng = (d + GROUP - 1) / GROUP;
  uint64_t *mask = L->mask + b * N;
  const unsigned char *gm = L->gmask + b * ng * N;
  for (size_t s = 0; s < N; s++)
    mask[s] = gm[s];
  for (size_t g = 1; g < ng; g++)
    or_bytes(mask, gm + g * N, N, (unsigned)(GROUP * g));
  mask[0] = d == 64 ? ~(uint64_t)0 : ((uint64_t)1 << d) - 1;
}

/* Bytes of scratch sample_columns needs. */
static size_t sample_scratch(const lx *L) {
  size_t R = lattice_buffer(L);
  return (5 * R + L->N + L->maxcat + 66 + 8) * sizeof(double) +
         L->N * GROUP * (sizeof(double) + sizeof(float)) + R * sizeof(uint32_t);
}

typedef struct item_arg {
  lx *L;
} item_arg;

/* Continuous mode: a row's columns in one item (their normals come one after another
 * from the row's stream). */
static int sample_item(void *arg, size_t b, void *scratch) {
  lx *L = ((item_arg *)arg)->L;
  size_t i = L->r0 + b;
  limn_rng r;
  limn_rng_init(&r, L->o->seed, L->o->row_ids ? L->o->row_ids[i] : i);
  sample_columns(L, i, b, 0, L->d, &r, scratch);
  return 0;
}

/* Discretised modes: item = (row, group of GROUP columns), so that even one row draws
 * on every thread. Each column takes exactly one step of the row's stream (its
 * lattice shift, or the seed of its block of uniforms), so column j starts at step j,
 * whatever the split. */
static int group_item(void *arg, size_t q, void *scratch) {
  lx *L = ((item_arg *)arg)->L;
  size_t ng = (L->d + GROUP - 1) / GROUP, b = q / ng, g = q % ng, i = L->r0 + b;
  size_t j0 = g * GROUP, j1 = j0 + GROUP < L->d ? j0 + GROUP : L->d;
  limn_rng r;
  limn_rng_init(&r, L->o->seed, L->o->row_ids ? L->o->row_ids[i] : i);
  for (size_t j = 0; j < j0; j++)
    (void)limn__rng_next(&r);
  sample_columns(L, i, b, j0, j1, &r, scratch);
  return 0;
}

/* Standard errors of the ridge weights: sqrt of diag(sigma^2 A^-1 G A^-1), A = G + alpha I. */
static void std_errors(const double *S, const double *y, const double *w, size_t N, size_t d, const size_t *F,
                       size_t nf, const limn__lime_cache *cache, double alpha, const double *beta, double *se,
                       double *ws) {
  double *G = ws, *A = G + nf * nf, *Ai = A + nf * nf, *xm = Ai + nf * nf, *rr = xm + nf, *tmp = rr + nf;
  double sw = 0, ym, syy;
  for (size_t i = 0; i < N; i++)
    sw += w[i];
  limn__lime_moments(S, y, w, N, d, F, nf, cache, xm, G, rr, &ym, &syy, tmp);
  double ssr = limn__lime_ssr(G, rr, syy, beta, nf);
  double dof = sw - (double)nf - 1.0;
  double s2 = ssr / (dof > 1.0 ? dof : 1.0);
  for (size_t a = 0; a < nf * nf; a++)
    A[a] = G[a], Ai[a] = 0.0;
  for (size_t a = 0; a < nf; a++)
    A[a * nf + a] += alpha, Ai[a * nf + a] = 1.0;
  for (size_t c = 0; c < nf; c++) { /* Gauss-Jordan: A is SPD, no pivoting needed */
    double piv = A[c * nf + c];
    if (!(fabs(piv) > 1e-300))
      piv = 1e-300;
    for (size_t q = 0; q < nf; q++)
      A[c * nf + q] /= piv, Ai[c * nf + q] /= piv;
    for (size_t r = 0; r < nf; r++) {
      if (r == c)
        continue;
      double f = A[r * nf + c];
      for (size_t q = 0; q < nf; q++)
        A[r * nf + q] -= f * A[c * nf + q], Ai[r * nf + q] -= f * Ai[c * nf + q];
    }
  }
  for (size_t a = 0; a < nf; a++) { /* (Ai G Ai)_aa */
    double v = 0;
    for (size_t p = 0; p < nf; p++)
      for (size_t q = 0; q < nf; q++)
        v += Ai[a * nf + p] * G[p * nf + q] * Ai[q * nf + a];
    se[a] = sqrt(s2 * (v > 0 ? v : 0));
  }
}

/* Surrogate of row i (block slot b). scratch: fit and lasso workspaces, w, y, D, F, beta, se. */
static int fit_item(void *arg, size_t b, void *scratch) {
  lx *L = ((item_arg *)arg)->L;
  size_t i = L->r0 + b, N = L->N, d = L->d, k = L->k;
  const double *S = L->S + b * (L->mask ? 1 : N) * d;
  const float *P = L->P + b * N * k;
  double *ws = scratch, *w = ws + limn__lime_fit_workspace(d) + limn__lasso_workspace(N, d);
  double *y = w + N, *D = y + N, *beta = D + N, *se = beta + d;
  size_t *F = (size_t *)(void *)(se + d);
  double *cmem = (double *)(void *)(F + d);
  limn__lime_cache cache;
  size_t t = L->target[i];
  const uint64_t *mask = L->mask ? L->mask + b * N : NULL;
  if (mask)
    join_masks(L, b);
  for (size_t s = 0; s < N; s++)
    y[s] = P[s * k + t];
  unsigned char *ones = (unsigned char *)(void *)D; /* with masks: each sample's count of 1s */
  if (mask) {                                       /* the distances count the columns whose bin differs */
    limn__lime_kernel_masks(mask, N, d, L->width, ones, w);
  } else {
    for (size_t s = 0; s < N; s++) {
      double dd = 0;
      for (size_t j = 0; j < d; j++) {
        double e = S[s * d + j] - S[j];
        dd += e * e;
      }
      D[s] = sqrt(dd);
    }
    limn__lime_kernel(D, N, L->width, w);
  }
  limn__lime_cache_build(&cache, cmem, S, y, w, N, d, mask, mask ? ones : NULL);
  size_t nf = limn__lime_select(L->o->selection, S, y, w, N, d, L->o->num_features, F, &cache, ws);
  limn_explanation *e = &L->ex[i];
  e->score = limn__lime_ridge(S, y, w, N, d, F, nf, &cache, L->o->ridge_alpha, beta, &e->intercept,
                              &e->local_pred, ws);
  std_errors(S, y, w, N, d, F, nf, &cache, L->o->ridge_alpha, beta, se, ws);
  e->output = y[0];
  /* the model's outputs are 32-bit floats: a weight below their rounding (a few ulps of
   * the largest output) is no effect but arithmetic noise (a constant model gave
   * weights of 1e-26 drawn as full bars), so it is 0 */
  double ymax = 0;
  for (size_t s = 0; s < N; s++)
    ymax = fmax(ymax, fabs(y[s]));
  double tiny = 8 * FLT_EPSILON * ymax;
  for (size_t a = 0; a < nf; a++)
    if (fabs(beta[a]) < tiny)
      beta[a] = 0.0;
  for (size_t a = 0; a < nf; a++) {
    e->attr[F[a]] = beta[a];
    e->selected[F[a]] = 1;
    e->std_error[F[a]] = se[a];
  }
  return 0;
}

static int check(lx *L) {
  const limn_lime_opts *o = L->o;
  limn_ctx *ctx = L->ctx;
  const limn_schema *s = limn_model_schema(L->m);
  if (L->N < 2 || L->N > 10000000)
    return limn__err(ctx, LIMN_EINVAL, "LIME needs 2 to 10000000 samples, got %zu", L->N);
  if (o->num_features < 1 || o->num_features > L->d)
    return limn__err(ctx, LIMN_EINVAL, "num_features must be in 1..%zu (the model's features), got %zu", L->d,
                     o->num_features);
  if ((unsigned)o->discretizer > LIMN_DISC_NONE || (unsigned)o->selection > LIMN_SELECT_LASSO_PATH)
    return limn__err(ctx, LIMN_EINVAL, "unknown discretizer or feature selection");
  if (!(o->kernel_width >= 0) || !(o->ridge_alpha >= 0))
    return limn__err(ctx, LIMN_EINVAL, "kernel width and ridge alpha must be >= 0");
  if (!L->st || L->st->d != L->d)
    return limn__err(ctx, LIMN_ESHAPE, "the background statistics have %zu columns, the model %zu",
                     L->st ? L->st->d : 0, L->d);
  for (size_t j = 0; j < L->d; j++) {
    int cat = s && limn_schema_feature_kind(s, j) == LIMN_COL_CATEGORICAL;
    if (cat != (L->st->kind[j] == LIMN_COL_CATEGORICAL) ||
        (cat && L->st->ncats[j] != limn_schema_ncategories(s, j)))
      return limn__err(ctx, LIMN_ESHAPE, "background column %zu%s%s does not match the model's", j,
                       s ? " " : "", s ? limn_schema_feature_name(s, j) : "");
    if (!cat && L->disc >= 0 && !limn__stats_bins(L->st, j, L->disc))
      return limn__err(ctx, LIMN_EINVAL,
                       "the background has no %s bins for column %zu%s (give a background file)",
                       limn_discretizer_name(o->discretizer), j,
                       o->discretizer == LIMN_DISC_ENTROPY ? " (entropy bins need class labels)" : "");
    if (cat && L->st->ncats[j] > L->maxcat)
      L->maxcat = L->st->ncats[j];
  }
  for (size_t i = 0; i < L->n && L->m->missing_ok; i++) /* (a tree model's rows may hold missing values) */
    for (size_t j = 0; j < L->d; j++)
      if (isnan(L->x[i * L->d + j]))
        return limn__err(
            ctx, LIMN_EUNSUPPORTED,
            "row %zu, column %s: a missing value, which LIME's bins have no place for (a tree model "
            "explains it with SHAP: its splits send it their default way)",
            i, s ? limn_schema_feature_name(s, j) : "?");
  return LIMN_OK;
}

/* Targets (predicted class unless given) and the rows' bins. */
static int prepare(lx *L) {
  LIMN_TRY(limn__pick_targets(L->ctx, L->m, L->x, L->n, L->o->target, L->o->targets, L->target));
  for (size_t i = 0; i < L->n; i++)
    for (size_t j = 0; j < L->d; j++) {
      float v = L->x[i * L->d + j];
      const limn__bins *b = L->disc >= 0 ? limn__stats_bins(L->st, j, L->disc) : NULL;
      L->xbin[i * L->d + j] = L->st->kind[j] == LIMN_COL_CATEGORICAL ? (long)v
                              : b                                    ? (long)limn__bin_of(b->edges, b->ne, v)
                                                                     : -1;
    }
  return LIMN_OK;
}

/* Classification outputs must be probabilities: each sample's sum within 1e-3 of 1. */
static int check_probs(lx *L, size_t nrows) {
  if (limn_model_task(L->m) != LIMN_TASK_CLASSIFICATION)
    return LIMN_OK;
  for (size_t s = 0; s < nrows * L->N; s++) {
    double sum = 0;
    for (size_t c = 0; c < L->k; c++)
      sum += L->P[s * L->k + c];
    if (!(fabs(sum - 1.0) <= 1e-3))
      return limn__err(L->ctx, LIMN_EINVAL,
                       "the model's class probabilities sum to %g for a sample of row %zu, not 1: LIME "
                       "explains probabilities",
                       sum, L->r0 + s / L->N);
  }
  return LIMN_OK;
}

static int run_blocks(lx *L) {
  /* rows per block: the block's model inputs about 1 MB (in cache from the sampling
   * to the model), rounded up to a multiple of the threads; a row per thread when a
   * row's alone is larger, up to 16 MB a row (so the sampling and the fits still run
   * in parallel); one row beyond (its memory is then the bound). Results never depend
   * on it. */
  size_t N = L->N, d = L->d, nt = (size_t)limn__threads(L->ctx), B = 262144 / (N * d);
  B = B ? (B + nt - 1) / nt * nt : N * d <= ((size_t)4 << 20) ? nt : 1;
  if (B > L->n)
    B = L->n;
  int masks = L->disc >= 0 && d <= 64; /* every column 0/1: the rows as bitmasks, S row 0 only */
  L->S = limn__alloc_array(L->ctx, B * (masks ? 1 : N), d * sizeof(double));
  L->X = limn__alloc_array(L->ctx, B * N, d * sizeof(float));
  L->P = limn__alloc_array(L->ctx, B * N, L->k * sizeof(float));
  size_t ng = (d + GROUP - 1) / GROUP;
  if (masks) {
    L->mask = limn__alloc_array(L->ctx, B * N, sizeof(uint64_t));
    L->gmask = limn__alloc_array(L->ctx, B * ng, N);
  }
  if (!L->S || !L->X || !L->P || (masks && (!L->mask || !L->gmask)))
    return LIMN_ENOMEM;
  size_t samp = sample_scratch(L);
  size_t fitb = (limn__lime_fit_workspace(d) + limn__lasso_workspace(N, d) + 3 * N + 5 * d + 8 +
                 limn__lime_cache_size(N, d)) *
                sizeof(double);
  item_arg a = {L};
  size_t sb = limn__parallel_scratch(L->ctx, L->disc >= 0 ? B * ng : B, samp),
         fb = limn__parallel_scratch(L->ctx, B, fitb);
  L->scratch = limn__alloc_array(L->ctx, 1, sb > fb ? sb : fb); /* once: fresh pages fault */
  if (!L->scratch)
    return LIMN_ENOMEM;
  int rc = LIMN_OK;
  for (L->r0 = 0; L->r0 < L->n && rc == LIMN_OK; L->r0 += B) {
    size_t nb = L->n - L->r0 < B ? L->n - L->r0 : B;
    if (L->disc >= 0)
      rc = limn__parallel_for_in(L->ctx, nb * ng, samp, L->scratch, group_item, &a);
    else
      rc = limn__parallel_for_in(L->ctx, nb, samp, L->scratch, sample_item, &a);
    if (rc == LIMN_OK)
      rc = L->m->vt->forward(L->ctx, L->m, L->X, nb * N, LIMN_SPACE_OUTPUT, L->P); /* valid by construction */
    if (rc == LIMN_OK)
      rc = check_probs(L, nb);
    if (rc == LIMN_OK)
      rc = limn__parallel_for_in(L->ctx, nb, fitb, L->scratch, fit_item, &a);
    if (limn__canceled(L->ctx))
      rc = limn__err(L->ctx, LIMN_ECANCELED, "LIME canceled");
    limn__progress(L->ctx, "rows", L->r0 + nb, L->n);
  }
  return rc;
}

int limn_explain_lime(limn_ctx *ctx, const limn_model *m, const limn_stats *background, const float *x,
                      size_t n, const limn_lime_opts *opts, limn_explanation **out) {
  *out = NULL;
  limn_lime_opts dflt = limn_lime_opts_default();
  lx L;
  memset(&L, 0, sizeof L);
  L.ctx = ctx, L.m = m, L.st = background, L.o = opts ? opts : &dflt, L.x = x, L.n = n;
  L.d = m->nfeatures, L.k = m->noutputs, L.N = limn_lime_samples(L.o, L.d);
  L.disc = L.o->discretizer == LIMN_DISC_NONE ? -1 : (int)L.o->discretizer;
  L.width = L.o->kernel_width > 0 ? L.o->kernel_width : 0.75 * sqrt((double)L.d);
  if (!L.o->compat && L.N > 1) {
    L.lattice_p = next_prime(L.N - 1);
    L.lattice_a = limn__lattice_multiplier(L.lattice_p, L.d);
  }
  if (n == 0)
    return limn__err(ctx, LIMN_EINVAL, "no rows to explain");
  int rc;
  LIMN_CHECK(check(&L));
  if (L.maxcat < 65)
    L.maxcat = 65; /* bins: at most 65 (64 edges) */
  L.target = limn__alloc_array(ctx, n, sizeof(size_t));
  L.xbin = limn__alloc_array(ctx, n, L.d * sizeof(long));
  LIMN_FAIL_IF(!L.target || !L.xbin, ctx, LIMN_ENOMEM, "out of memory");
  LIMN_CHECK(prepare(&L));
  LIMN_CHECK(limn__explanations_alloc(ctx, n, L.d, m->nslots, &L.ex));
  for (size_t i = 0; i < n; i++) {
    limn_explanation *e = &L.ex[i];
    e->method = LIMN_METHOD_LIME;
    e->space = LIMN_SPACE_OUTPUT;
    e->target = L.target[i];
    e->num_samples = L.N;
    e->seed = L.o->seed;
    memcpy(e->bin, L.xbin + i * L.d, L.d * sizeof(long));
  }
  LIMN_CHECK(run_blocks(&L));
  LIMN_CHECK(limn__explanations_finite(ctx, L.ex, n));
  *out = L.ex;
  L.ex = NULL;
fail:
  limn_explanations_free(ctx, L.ex, n);
  limn__free(ctx, L.target);
  limn__free(ctx, L.xbin);
  limn__free(ctx, L.S);
  limn__free(ctx, L.X);
  limn__free(ctx, L.P);
  limn__free(ctx, L.mask);
  limn__free(ctx, L.gmask);
  limn__free(ctx, L.scratch);
  return rc;
}

/* ---- labels, bins, submodular pick ---- */

void limn_lime_label(const limn_stats *st, const limn_schema *s, limn_discretizer disc, size_t j, long bin,
                     char *buf, size_t cap) {
  char nb[24];
  const char *name = s ? limn_schema_feature_name(s, j) : NULL;
  if (!name) {
    snprintf(nb, sizeof nb, "x%zu", j);
    name = nb;
  }
  if (st->kind[j] == LIMN_COL_CATEGORICAL) {
    const char *c = s ? limn_schema_category(s, j, (size_t)bin) : NULL;
    if (c)
      snprintf(buf, cap, "%s = %s", name, c);
    else
      snprintf(buf, cap, "%s = %ld", name, bin);
    return;
  }
  const limn__bins *b = disc == LIMN_DISC_NONE ? NULL : limn__stats_bins(st, j, (int)disc);
  if (!b || bin < 0 || (size_t)bin > b->ne) {
    snprintf(buf, cap, "%s", name);
    return;
  }
  int p = 4; /* fewest digits (>= 4) that keep the edges apart */
  for (; p < 17; p++) {
    int distinct = 1;
    for (size_t k = 0; k + 1 < b->ne && distinct; k++) {
      char x1[40], x2[40];
      snprintf(x1, sizeof x1, "%.*g", p, b->edges[k]);
      snprintf(x2, sizeof x2, "%.*g", p, b->edges[k + 1]);
      distinct = strcmp(x1, x2) != 0;
    }
    if (distinct)
      break;
  }
  size_t v = (size_t)bin;
  if (v == 0)
    snprintf(buf, cap, "%s <= %.*g", name, p, b->edges[0]);
  else if (v == b->ne)
    snprintf(buf, cap, "%s > %.*g", name, p, b->edges[b->ne - 1]);
  else
    snprintf(buf, cap, "%.*g < %s <= %.*g", p, b->edges[v - 1], name, p, b->edges[v]);
}

int limn_lime_submodular_pick(limn_ctx *ctx, const limn_explanation *ex, size_t n, size_t budget,
                              size_t *picked) {
  if (n == 0 || budget == 0 || budget > n)
    return limn__err(ctx, LIMN_EINVAL, "pick 1..%zu of %zu explanations, not %zu", n, n, budget);
  size_t d = ex[0].nfeatures;
  double *imp = limn__calloc(ctx, d, sizeof(double));
  unsigned char *cov = limn__calloc(ctx, d, 1), *used = limn__calloc(ctx, n, 1);
  int rc = imp && cov && used ? LIMN_OK : LIMN_ENOMEM;
  for (size_t i = 0; i < n && rc == LIMN_OK; i++)
    for (size_t j = 0; j < d; j++)
      imp[j] += fabs(ex[i].attr[j]);
  for (size_t j = 0; j < d && rc == LIMN_OK; j++)
    imp[j] = sqrt(imp[j]);
  for (size_t t = 0; t < budget && rc == LIMN_OK; t++) {
    double best = -1.0;
    size_t bi = 0;
    for (size_t i = 0; i < n; i++) { /* largest coverage gain; ties to the first */
      if (used[i])
        continue;
      double gain = 0;
      for (size_t j = 0; j < d; j++)
        if (!cov[j] && ex[i].attr[j] != 0.0)
          gain += imp[j];
      if (gain > best)
        best = gain, bi = i;
    }
    used[bi] = 1;
    picked[t] = bi;
    for (size_t j = 0; j < d; j++)
      if (ex[bi].attr[j] != 0.0)
        cov[j] = 1;
  }
  limn__free(ctx, imp);
  limn__free(ctx, cov);
  limn__free(ctx, used);
  return rc;
}

/* t-SNE's repulsion by FFT-accelerated interpolation (Linderman et al. 2019, the
 * method of FIt-SNE), docs/math/tsne.md section "The FFT method". The map's bounding
 * square is cut into nb x nb boxes with p x p equispaced interpolation nodes each;
 * every point spreads the charges 1, x and y onto the nodes of its box with Lagrange
 * weights; the node potentials under K2(d) = (1 + |d|^2)^-2 (charges 1, x, y) and
 * K1(d) = (1 + |d|^2)^-1 (charge 1) are 2-D convolutions (Toeplitz products, embedded
 * in circulants of twice the size and done by FFT, two real grids per complex one);
 * the potentials are interpolated back to the points with the same weights. With
 * phi_c(i) = sum_j K2(y_i - y_j) c_j:
 *   sum_j q_ij^2 (y_i - y_j) = y_i phi_1 - (phi_x, phi_y)
 *   sum_j q_ij = sum_j K1(y_i - y_j)   (q_ij = (1 + d^2)^-1)
 * and the self terms (j = i) are removed from Z. Everything is serial or split into
 * independent items, so the result does not depend on the thread count. */
#include "tsne_fft.h"
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>

size_t limn__tsne_fft_boxes(double range) {
  double want = ceil(range / LIMN__TSNE_FFT_BOX_WIDTH);
  size_t nb = want < LIMN__TSNE_FFT_MIN_BOXES ? LIMN__TSNE_FFT_MIN_BOXES : (size_t)want;
  return limn__fft_good_size(nb); /* 6 nb, the FFT length, is then 5-smooth too */
}

/* The grid for a map spanning [lo, lo + range]: nb boxes that fit it exactly, so
 * the box width h = range / nb (at most BOX_WIDTH) follows the map as it grows.
 * (A fixed width, with the grid overhanging the map, would keep the kernel's
 * spectrum from one iteration to the next, but measurably slows the optimisation:
 * on 5000 Fashion-MNIST rows, KL 1.267 against 1.249 with 4 nodes; see
 * docs/math/tsne.md.) */
static void grid_for(double range, size_t *nb, double *h) {
  *nb = limn__tsne_fft_boxes(range);
  *h = range / (double)*nb;
}

void limn__tsne_fft_free(limn_ctx *ctx, limn__tsne_fft *w) {
  limn__fft_free(ctx, w->plan);
  limn__free(ctx, w->g);
  limn__free(ctx, w->kr);
  limn__free(ctx, w->node);
  limn__free(ctx, w->lw);
  memset(w, 0, sizeof *w);
}

/* (Re)size the workspace for nb boxes and n points. */
static int ws_size(limn_ctx *ctx, limn__tsne_fft *w, size_t nb, size_t p, size_t n) {
  if (w->nb != nb || w->p != p) {
    limn__fft_free(ctx, w->plan);
    limn__free(ctx, w->g), limn__free(ctx, w->kr);
    w->plan = NULL, w->g = w->kr = NULL, w->nb = 0;
    size_t nn = p * nb, M = 2 * nn;
    LIMN_TRY(limn__fft_plan(ctx, M, &w->plan));
    w->g = limn__alloc_array(ctx, 2 * nn * M, 2 * sizeof(double));
    w->kr = limn__alloc_array(ctx, (nn + 1) * M, 2 * sizeof(double));
    if (!w->g || !w->kr)
      return LIMN_ENOMEM;
    w->nb = nb, w->p = p, w->nn = nn, w->M = M;
  }
  if (w->n != n || w->lw_p != p) {
    limn__free(ctx, w->node), limn__free(ctx, w->lw);
    w->node = limn__alloc_array(ctx, n, 2 * sizeof(size_t));
    w->lw = limn__alloc_array(ctx, n, 2 * p * sizeof(double));
    w->n = 0;
    if (!w->node || !w->lw)
      return LIMN_ENOMEM;
    w->n = n, w->lw_p = p;
  }
  return LIMN_OK;
}

/* ---- the 2-D convolution ----
 * Both grids are M x M (the circulant embedding of the nn x nn Toeplitz product):
 * rows along y, columns along x. Transforms along x are row FFTs; transforms along y
 * are column FFTs done a block of columns at a time (limn__fft_run_batch), which
 * keeps a block in cache and needs no transpose. */

/* Row r of the kernel grid K2 + i K1 at node offsets (r, b), r = 0..nn (row nn is the
 * circulant's unused middle, zero), then its FFT along x. */
typedef struct kern_arg {
  limn__tsne_fft *w;
  double s2; /* node spacing squared */
} kern_arg;

static int kern_item(void *arg, size_t a, void *scratch) {
  kern_arg *k = arg;
  limn__tsne_fft *w = k->w;
  size_t M = w->M, nn = w->nn;
  double *row = w->kr + 2 * a * M;
  for (size_t b = 0; b < M; b++) {
    double db = b < nn ? (double)b : (double)b - (double)M;
    double d2 = ((double)a * (double)a + db * db) * k->s2, q = 1.0 / (1.0 + d2);
    int gap = a == nn || b == nn; /* the circulant's unused middle */
    row[2 * b] = gap ? 0.0 : q * q;
    row[2 * b + 1] = gap ? 0.0 : q;
  }
  limn__fft_run(w->plan, row, scratch, 0);
  return 0;
}

/* Row FFTs along x of `rows` rows of g (forward or inverse). */
typedef struct rows_arg {
  const limn__fft *plan;
  double *a;
  size_t M;
  int inverse;
} rows_arg;

static int row_item(void *arg, size_t i, void *scratch) {
  rows_arg *r = arg;
  limn__fft_run(r->plan, r->a + 2 * i * r->M, scratch, r->inverse);
  return 0;
}

static int fft_rows(limn_ctx *ctx, limn__tsne_fft *w, double *a, size_t nrows, int inverse) {
  rows_arg r = {w->plan, a, w->M, inverse};
  return limn__parallel_for(ctx, nrows, 2 * w->M * sizeof(double), row_item, &r) ? LIMN_ENOMEM : LIMN_OK;
}

static int zero_item(void *arg, size_t r, void *scratch) {
  (void)scratch;
  limn__tsne_fft *w = arg;
  memset(w->g + 2 * r * w->M, 0, 2 * w->M * sizeof(double));
  return 0;
}

/* Block `bi` of the column work: columns u = bi C + c (c < C, capped at M / 2) and
 * their mirrors M - u, for both charge grids. The kernel's columns are transformed
 * along y (its rows r and M - r are equal, and so are its columns u and M - u, both
 * kernels being even); each charge grid's columns (rows >= nn zero) are transformed
 * along y, multiplied by the spectra and transformed back, and their first nn rows
 * written back. Grid 0 holds 1 + i x (both against K2); grid 1 holds y + i 1 (y against
 * K2, 1 against K1): with C its spectrum at (v, u) and C' at (-v, -u), y's spectrum is
 * (C + conj C') / 2 and i times that of 1 is (C - conj C') / 2. The inverse transforms'
 * normalisation 1 / M^2 is folded into the spectra. */
#define NC LIMN__TSNE_FFT_COLS
static int block_item(void *arg, size_t bi, void *scratch) {
  limn__tsne_fft *w = arg;
  size_t M = w->M, nn = w->nn, W = 2 * NC, col[2 * NC];
  for (size_t c = 0; c < NC; c++) {
    size_t u = bi * NC + c;
    col[c] = u > nn ? nn : u;
    col[NC + c] = (M - col[c]) % M;
  }
  double *kb = scratch, *buf = kb + 2 * M * NC, *work = buf + 2 * M * W;
  for (size_t r = 0; r < M; r++) {
    const double *src = w->kr + 2 * (r <= nn ? r : M - r) * M;
    for (size_t c = 0; c < NC; c++) {
      kb[2 * (r * NC + c)] = src[2 * col[c]];
      kb[2 * (r * NC + c) + 1] = src[2 * col[c] + 1];
    }
  }
  limn__fft_run_batch(w->plan, kb, work, 0, NC);
  double s = 1.0 / ((double)M * (double)M);
  for (size_t q = 0; q < 2 * M * NC; q++)
    kb[q] *= s;
  for (int pass = 0; pass < 2; pass++) {
    double *g = w->g + (size_t)pass * 2 * nn * M;
    for (size_t r = 0; r < nn; r++)
      for (size_t c = 0; c < W; c++) {
        buf[2 * (r * W + c)] = g[2 * (r * M + col[c])];
        buf[2 * (r * W + c) + 1] = g[2 * (r * M + col[c]) + 1];
      }
    memset(buf + 2 * nn * W, 0, 2 * (M - nn) * W * sizeof(double));
    limn__fft_run_batch(w->plan, buf, work, 0, W);
    if (pass == 0) {
      for (size_t v = 0; v < M; v++)
        for (size_t c = 0; c < W; c++) {
          double k2 = kb[2 * (v * NC + c % NC)];
          buf[2 * (v * W + c)] *= k2;
          buf[2 * (v * W + c) + 1] *= k2;
        }
    } else {
      for (size_t v = 0; v < M; v++) {
        size_t vm = (M - v) % M;
        for (size_t c = 0; c < NC; c++) { /* (v, c) with its mirror (vm, NC + c): each pair once */
          double *t = buf + 2 * (v * W + c), *m = buf + 2 * (vm * W + NC + c);
          double cr = t[0], ci = t[1], mr = m[0], mi = m[1];
          double k2 = kb[2 * (v * NC + c)], k1 = kb[2 * (v * NC + c) + 1]; /* even: the same at the mirror */
          t[0] = 0.5 * (k2 * (cr + mr) + k1 * (cr - mr));
          t[1] = 0.5 * (k2 * (ci - mi) + k1 * (ci + mi));
          m[0] = 0.5 * (k2 * (mr + cr) + k1 * (mr - cr));
          m[1] = 0.5 * (k2 * (mi - ci) + k1 * (mi + ci));
        }
      }
    }
    limn__fft_run_batch(w->plan, buf, work, 1, W);
    for (size_t r = 0; r < nn; r++)
      for (size_t c = 0; c < W; c++) {
        g[2 * (r * M + col[c])] = buf[2 * (r * W + c)];
        g[2 * (r * M + col[c]) + 1] = buf[2 * (r * W + c) + 1];
      }
  }
  return 0;
}

/* Both charge grids (in g, rows < nn, columns < nn, the rest zero) convolved with the
 * kernels of node spacing `spacing`; the potentials in their first nn rows and
 * columns. */
static int convolve(limn_ctx *ctx, limn__tsne_fft *w, double spacing) {
  size_t M = w->M, nn = w->nn;
  kern_arg k = {w, spacing * spacing};
  if (limn__parallel_for(ctx, nn + 1, 2 * M * sizeof(double), kern_item, &k))
    return LIMN_ENOMEM;
  LIMN_TRY(fft_rows(ctx, w, w->g, 2 * nn, 0));
  if (limn__parallel_for(ctx, nn / NC + 1, 2 * M * (NC + 4 * NC) * sizeof(double), block_item, w))
    return LIMN_ENOMEM;
  return fft_rows(ctx, w, w->g, 2 * nn, 1);
}
#undef NC

/* Lagrange weights of the p nodes at (k + 1/2) / p of a box, at u in [0, 1]. */
static void lagrange(double u, size_t p, double *l) {
  for (size_t k = 0; k < p; k++) {
    double tk = ((double)k + 0.5) / (double)p, v = 1.0;
    for (size_t m = 0; m < p; m++)
      if (m != k) {
        double tm = ((double)m + 0.5) / (double)p;
        v *= (u - tm) / (tk - tm);
      }
    l[k] = v;
  }
}

typedef struct place_arg {
  limn__tsne_fft *w;
  const double *y;
  double lo, h;
} place_arg;

static int place_item(void *arg, size_t i, void *scratch) {
  (void)scratch;
  place_arg *a = arg;
  limn__tsne_fft *w = a->w;
  size_t p = w->p, nb = w->nb;
  for (int c = 0; c < 2; c++) {
    double f = (a->y[2 * i + (size_t)c] - a->lo) / a->h;
    size_t b = f >= (double)nb ? nb - 1 : (size_t)f;
    w->node[2 * i + (size_t)c] = p * b;
    lagrange(f - (double)b, p, w->lw + 2 * p * i + (size_t)c * p);
  }
  return 0;
}

/* Grid g (0: 1 + i x, 1: y + i 1) of charges on the nodes, points in order. */
typedef struct spread_arg {
  limn__tsne_fft *w;
  const double *y;
  double mid;
} spread_arg;

static int spread_item(void *arg, size_t g, void *scratch) {
  (void)scratch;
  spread_arg *a = arg;
  limn__tsne_fft *w = a->w;
  size_t p = w->p, M = w->M, n = w->n;
  double *grid = w->g + g * 2 * w->nn * M;
  for (size_t i = 0; i < n; i++) {
    double x = a->y[2 * i] - a->mid, yy = a->y[2 * i + 1] - a->mid;
    double cre = g ? yy : 1.0, cim = g ? 1.0 : x;
    size_t gx = w->node[2 * i], gy = w->node[2 * i + 1];
    const double *lx = w->lw + 2 * p * i, *ly = lx + p;
    for (size_t ky = 0; ky < p; ky++)
      for (size_t kx = 0; kx < p; kx++) {
        double l = ly[ky] * lx[kx];
        size_t q = (gy + ky) * M + gx + kx;
        grid[2 * q] += l * cre;
        grid[2 * q + 1] += l * cim;
      }
  }
  return 0;
}

typedef struct interp_arg {
  const limn__tsne_fft *w;
  const double *y;
  double mid, *rep, *z;
} interp_arg;

static int interp_item(void *arg, size_t i, void *scratch) {
  (void)scratch;
  interp_arg *a = arg;
  const limn__tsne_fft *w = a->w;
  size_t nn = w->nn, gx = w->node[2 * i], gy = w->node[2 * i + 1];
  size_t p = w->p;
  const double *lx = w->lw + 2 * p * i, *ly = lx + p;
  double phi[4] = {0, 0, 0, 0};
  for (size_t ky = 0; ky < p; ky++)
    for (size_t kx = 0; kx < p; kx++) {
      double l = ly[ky] * lx[kx];
      const double *g0 = w->g + 2 * ((gy + ky) * w->M + gx + kx), *g1 = g0 + 2 * nn * w->M;
      phi[0] += l * g0[0];
      phi[1] += l * g0[1];
      phi[2] += l * g1[0];
      phi[3] += l * g1[1];
    }
  double x = a->y[2 * i] - a->mid, yy = a->y[2 * i + 1] - a->mid;
  a->rep[2 * i] = x * phi[0] - phi[1];
  a->rep[2 * i + 1] = yy * phi[0] - phi[2];
  a->z[i] = phi[3];
  return 0;
}

int limn__tsne_fft_repulsion(limn_ctx *ctx, limn__tsne_fft *w, const double *y, size_t n, size_t p,
                             double *rep, double *z, double *zsum) {
  if (p < 2 || p > LIMN__TSNE_FFT_MAX_NODES)
    return limn__err(ctx, LIMN_EINVAL, "FFT interpolation nodes %zu out of range (2..%d)", p,
                     LIMN__TSNE_FFT_MAX_NODES);
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < 2 * n; i++) {
    lo = fmin(lo, y[i]);
    hi = fmax(hi, y[i]);
  }
  if (!(hi - lo > 0)) /* all points in one place (or none): widen the square */
    lo -= 0.5, hi += 0.5;
  size_t nb;
  double h;
  grid_for(hi - lo, &nb, &h);
  LIMN_TRY(ws_size(ctx, w, nb, p, n));
  size_t nn = w->nn;
  double mid = 0.5 * (lo + hi); /* charges in centred coordinates: less cancellation */
  /* each point's box and weights */
  place_arg pa = {w, y, lo, h};
  if (limn__parallel_for(ctx, n, 0, place_item, &pa))
    return LIMN_ENOMEM;
  /* two complex grids of charges, centred coordinates: 1 + i x and y + i 1, each
   * spread by one thread, points in order (a fixed order of additions) */
  if (limn__parallel_for(ctx, 2 * nn, 0, zero_item, w))
    return LIMN_ENOMEM;
  spread_arg sa = {w, y, mid};
  if (limn__parallel_for(ctx, 2, 0, spread_item, &sa))
    return LIMN_ENOMEM;
  LIMN_TRY(convolve(ctx, w, h / (double)p));
  /* the grids hold phi_1 + i phi_x and phi_y + i (the sum of K1) */
  interp_arg a = {w, y, mid, rep, z};
  if (limn__parallel_for(ctx, n, 0, interp_item, &a))
    return LIMN_ENOMEM;
  double Z = 0.0;
  for (size_t i = 0; i < n; i++) /* in order */
    Z += z[i];
  *zsum = Z - (double)n; /* the self terms q_ii = 1 */
  return LIMN_OK;
}

/* t-SNE's repulsion by FFT-accelerated interpolation (Linderman et al. 2019, the
 * method of FIt-SNE), docs/math/tsne.md section "FFT". The map's bounding square is
 * cut into nb x nb boxes with 3 x 3 equispaced interpolation nodes each; every point
 * spreads four charges (1, x, y, x^2 + y^2) onto the 9 nodes of its box with Lagrange
 * weights; the node potentials under the kernel K(d) = (1 + |d|^2)^-2 are one 2-D
 * convolution (a Toeplitz product, embedded in a circulant of twice the size and done
 * by FFT); the potentials are interpolated back to the points with the same weights.
 * With phi_c(i) = sum_j K(y_i - y_j) c_j:
 *   sum_j q_ij^2 (y_i - y_j) = y_i phi_1 - (phi_x, phi_y)
 *   sum_j q_ij = (1 + |y_i|^2) phi_1 - 2 y_i . (phi_x, phi_y) + phi_r   (q_ij = (1 + d^2)^-1)
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
  limn__free(ctx, w->t);
  limn__free(ctx, w->k2);
  limn__free(ctx, w->k1);
  limn__free(ctx, w->pot);
  limn__free(ctx, w->node);
  limn__free(ctx, w->lw);
  memset(w, 0, sizeof *w);
}

/* (Re)size the workspace for nb boxes and n points. */
static int ws_size(limn_ctx *ctx, limn__tsne_fft *w, size_t nb, size_t p, size_t n) {
  if (w->nb != nb || w->p != p) {
    limn__fft_free(ctx, w->plan);
    limn__free(ctx, w->g), limn__free(ctx, w->t), limn__free(ctx, w->k2), limn__free(ctx, w->k1);
    limn__free(ctx, w->pot);
    w->plan = NULL, w->g = w->t = w->k2 = w->k1 = w->pot = NULL, w->nb = 0;
    size_t nn = p * nb, M = 2 * nn;
    LIMN_TRY(limn__fft_plan(ctx, M, &w->plan));
    w->g = limn__alloc_array(ctx, M * M, 2 * sizeof(double));
    w->t = limn__alloc_array(ctx, M * M, 2 * sizeof(double));
    w->k2 = limn__alloc_array(ctx, M * M, sizeof(double));
    w->k1 = limn__alloc_array(ctx, M * M, sizeof(double));
    w->pot = limn__alloc_array(ctx, 4 * nn * nn, sizeof(double));
    if (!w->g || !w->t || !w->k2 || !w->k1 || !w->pot)
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

/* ---- row FFTs and transposes, split over threads ---- */

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

typedef struct tr_arg {
  const double *src;
  double *dst;
  size_t M, cols, src_rows; /* dst rows 0..cols-1 <- src columns; src rows >= src_rows read as 0 */
} tr_arg;

#define TB 32
static int tr_item(void *arg, size_t bi, void *scratch) {
  (void)scratch;
  tr_arg *t = arg;
  size_t r0 = bi * TB, r1 = r0 + TB < t->cols ? r0 + TB : t->cols; /* dst rows */
  for (size_t c0 = 0; c0 < t->M; c0 += TB) {
    size_t c1 = c0 + TB < t->M ? c0 + TB : t->M;
    for (size_t r = r0; r < r1; r++)
      for (size_t c = c0; c < c1; c++) {
        int in = c < t->src_rows;
        t->dst[2 * (r * t->M + c)] = in ? t->src[2 * (c * t->M + r)] : 0.0;
        t->dst[2 * (r * t->M + c) + 1] = in ? t->src[2 * (c * t->M + r) + 1] : 0.0;
      }
  }
  return 0;
}

/* dst[r][c] = src[c][r] for r < cols and all c (0 for c >= src_rows). */
static int transpose(limn_ctx *ctx, const double *src, double *dst, size_t M, size_t cols, size_t src_rows) {
  tr_arg t = {src, dst, M, cols, src_rows};
  return limn__parallel_for(ctx, (cols + TB - 1) / TB, 0, tr_item, &t) ? LIMN_ENOMEM : LIMN_OK;
}

/* Row-wise memory work split over threads: zeroing the charge rows, mirroring kernel
 * rows, reading the spectra out, copying the potentials. */
enum { ROW_ZERO, ROW_MIRROR, ROW_SPECTRA, ROW_POT };

typedef struct rowjob_arg {
  limn__tsne_fft *w;
  int mode, pass;
} rowjob_arg;

static int rowjob_item(void *arg, size_t r, void *scratch) {
  (void)scratch;
  rowjob_arg *a = arg;
  limn__tsne_fft *w = a->w;
  size_t M = w->M, nn = w->nn;
  if (a->mode == ROW_ZERO) {
    memset(w->g + 2 * r * M, 0, 2 * M * sizeof(double));
  } else if (a->mode == ROW_MIRROR) { /* rows 1..nn-1 into M-1..M-nn+1 */
    memcpy(w->g + 2 * (M - r - 1) * M, w->g + 2 * (r + 1) * M, 2 * M * sizeof(double));
  } else if (a->mode == ROW_SPECTRA) {
    double s = 1.0 / ((double)M * (double)M); /* the inverse FFT's normalisation, folded in */
    const double *src = w->t + 2 * (r <= nn ? r : M - r) * M;
    for (size_t u = 0; u < M; u++) {
      w->k2[r * M + u] = src[2 * u] * s;
      w->k1[r * M + u] = src[2 * u + 1] * s;
    }
  } else {
    double *p0 = w->pot + (size_t)(2 * a->pass) * nn * nn + r * nn, *p1 = p0 + nn * nn;
    const double *src = w->g + 2 * r * M;
    for (size_t c = 0; c < nn; c++) {
      p0[c] = src[2 * c];
      p1[c] = src[2 * c + 1];
    }
  }
  return 0;
}

static int rowjob(limn_ctx *ctx, limn__tsne_fft *w, int mode, int pass, size_t rows) {
  rowjob_arg a = {w, mode, pass};
  return limn__parallel_for(ctx, rows, 0, rowjob_item, &a) ? LIMN_ENOMEM : LIMN_OK;
}

/* ---- the steps ---- */

/* Row a (0..nn) of the kernel grid K2 + i K1 at node offsets (a, b), then its FFT. */
typedef struct kern_arg {
  limn__tsne_fft *w;
  double s2; /* node spacing squared */
} kern_arg;

static int kern_item(void *arg, size_t a, void *scratch) {
  kern_arg *k = arg;
  limn__tsne_fft *w = k->w;
  size_t M = w->M, nn = w->nn;
  double *row = w->g + 2 * a * M;
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

/* The spectra of both kernels, K2 = (1 + d^2)^-2 for the forces and K1 = (1 + d^2)^-1
 * for Z, from one 2-D FFT of K2 + i K1. Both kernels are real and even in both
 * offsets, so their spectra are real, even, and the same in the transposed layout;
 * rows a and M - a of the grid are equal, and so are rows v and M - v after the first
 * pass: half the rows are transformed, the others copied. */
static int kernel_spectra(limn_ctx *ctx, limn__tsne_fft *w, double spacing) {
  size_t M = w->M, nn = w->nn;
  kern_arg k = {w, spacing * spacing};
  if (limn__parallel_for(ctx, nn + 1, 2 * M * sizeof(double), kern_item, &k))
    return LIMN_ENOMEM;
  LIMN_TRY(rowjob(ctx, w, ROW_MIRROR, 0, nn - 1));
  LIMN_TRY(transpose(ctx, w->g, w->t, M, nn + 1, M));
  LIMN_TRY(fft_rows(ctx, w, w->t, nn + 1, 0));
  return rowjob(ctx, w, ROW_SPECTRA, 0, M);
}

/* Spectrum t (transposed layout) of a grid a + i b of two real charge grids, into
 * that of (K2 * a) + i (K1 * b): with C = t[q] and C' = t[-q], a's spectrum is
 * (C + conj C') / 2 and i times b's is (C - conj C') / 2. Item v (0..nn) does rows v
 * and M - v, which hold each other's mirrors. */
static int mixed_item(void *arg, size_t v, void *scratch) {
  (void)scratch;
  limn__tsne_fft *w = arg;
  size_t M = w->M;
  double *t = w->t;
  size_t vm = (M - v) % M;
  for (size_t u = 0; u < M; u++) {
    size_t q = v * M + u, p = vm * M + (M - u) % M;
    if (vm == v && p < q)
      continue; /* a row that is its own mirror: each pair once */
    double cr = t[2 * q], ci = t[2 * q + 1], mr = t[2 * p], mi = t[2 * p + 1];
    double k2 = w->k2[q], k1 = w->k1[q]; /* even: the same at p */
    t[2 * q] = 0.5 * (k2 * (cr + mr) + k1 * (cr - mr));
    t[2 * q + 1] = 0.5 * (k2 * (ci - mi) + k1 * (ci + mi));
    if (p != q) { /* at p: the same with C and C' swapped */
      t[2 * p] = 0.5 * (k2 * (mr + cr) + k1 * (mr - cr));
      t[2 * p + 1] = 0.5 * (k2 * (mi - ci) + k1 * (mi + ci));
    }
  }
  return 0;
}

/* Row v of the spectrum times K2's. */
static int plain_item(void *arg, size_t v, void *scratch) {
  (void)scratch;
  limn__tsne_fft *w = arg;
  size_t M = w->M;
  for (size_t u = 0; u < M; u++) {
    w->t[2 * (v * M + u)] *= w->k2[v * M + u];
    w->t[2 * (v * M + u) + 1] *= w->k2[v * M + u];
  }
  return 0;
}

/* Convolve the charges in g (rows < nn, columns < nn; the rest zero) with K2 (mixed:
 * the real part with K2, the imaginary part with K1); the result in g's first nn
 * rows and columns. */
static int convolve(limn_ctx *ctx, limn__tsne_fft *w, int mixed) {
  size_t M = w->M, nn = w->nn;
  LIMN_TRY(fft_rows(ctx, w, w->g, nn, 0)); /* rows nn.. are zero: not stored, not transformed */
  LIMN_TRY(transpose(ctx, w->g, w->t, M, M, nn));
  LIMN_TRY(fft_rows(ctx, w, w->t, M, 0));
  if (limn__parallel_for(ctx, mixed ? nn + 1 : M, 0, mixed ? mixed_item : plain_item, w))
    return LIMN_ENOMEM;
  LIMN_TRY(fft_rows(ctx, w, w->t, M, 1));
  LIMN_TRY(transpose(ctx, w->t, w->g, M, nn, M)); /* only the rows wanted */
  return fft_rows(ctx, w, w->g, nn, 1);
}

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
      size_t q = (gy + ky) * nn + gx + kx;
      for (int c = 0; c < 4; c++)
        phi[c] += l * w->pot[(size_t)c * nn * nn + q];
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
  size_t nn = w->nn, M = w->M;
  double mid = 0.5 * (lo + hi); /* charges in centred coordinates: less cancellation */
  /* each point's box and weights */
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 2; c++) {
      double f = (y[2 * i + (size_t)c] - lo) / h;
      size_t b = f >= (double)nb ? nb - 1 : (size_t)f;
      w->node[2 * i + (size_t)c] = p * b;
      lagrange(f - (double)b, p, w->lw + 2 * p * i + (size_t)c * p);
    }
  LIMN_TRY(kernel_spectra(ctx, w, h / (double)p));
  /* two complex grids of charges, centred coordinates: (1, x) against K2, then
   * (y against K2, 1 against K1) */
  for (int pass = 0; pass < 2; pass++) {
    LIMN_TRY(rowjob(ctx, w, ROW_ZERO, 0, nn));
    for (size_t i = 0; i < n; i++) { /* serial: a fixed order of additions */
      double x = y[2 * i] - mid, yy = y[2 * i + 1] - mid;
      double cre = pass ? yy : 1.0, cim = pass ? 1.0 : x;
      size_t gx = w->node[2 * i], gy = w->node[2 * i + 1];
      const double *lx = w->lw + 2 * p * i, *ly = lx + p;
      for (size_t ky = 0; ky < p; ky++)
        for (size_t kx = 0; kx < p; kx++) {
          double l = ly[ky] * lx[kx];
          size_t q = (gy + ky) * M + gx + kx;
          w->g[2 * q] += l * cre;
          w->g[2 * q + 1] += l * cim;
        }
    }
    LIMN_TRY(convolve(ctx, w, pass));
    LIMN_TRY(rowjob(ctx, w, ROW_POT, pass, nn));
  }
  /* pot holds phi_1, phi_x, phi_y (K2) and the sum of K1 in that order */
  interp_arg a = {w, y, mid, rep, z};
  if (limn__parallel_for(ctx, n, 0, interp_item, &a))
    return LIMN_ENOMEM;
  double Z = 0.0;
  for (size_t i = 0; i < n; i++) /* in order */
    Z += z[i];
  *zsum = Z - (double)n; /* the self terms q_ii = 1 */
  return LIMN_OK;
}

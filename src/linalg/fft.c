/* Mixed-radix (4, 2, 3, 5) Stockham FFT. Stage t of radix r splits a length L = r m
 * sequence held at stride s: for p < m, q < s, the inputs a_k = x[q + s (p + k m)]
 * give y[q + s (r p + j)] = w_L^{j p} sum_k a_k w_r^{j k}, and the next stage works on
 * length m at stride r s. The output ends in natural order, no bit reversal. */
#include "fft.h"
#include <math.h>
#include <string.h>

size_t limn__fft_good_size(size_t n) {
  for (size_t m = n < 1 ? 1 : n;; m++) {
    size_t k = m;
    while (k % 2 == 0)
      k /= 2;
    while (k % 3 == 0)
      k /= 3;
    while (k % 5 == 0)
      k /= 5;
    if (k == 1)
      return m;
  }
}

int limn__fft_plan(limn_ctx *ctx, size_t n, limn__fft **out) {
  *out = NULL;
  limn__fft *p = limn__calloc(ctx, 1, sizeof *p);
  if (!p)
    return LIMN_ENOMEM;
  p->n = n;
  size_t len = n, total = 0;
  while (len > 1) {
    int r = len % 4 == 0 ? 4 : len % 2 == 0 ? 2 : len % 3 == 0 ? 3 : len % 5 == 0 ? 5 : 0;
    if (!r || p->nstages == 64) {
      limn__free(ctx, p);
      return limn__err(ctx, LIMN_EINVAL, "FFT length %zu is not a product of 2, 3 and 5", n);
    }
    p->radix[p->nstages] = r;
    p->twoff[p->nstages++] = total;
    total += (len / (size_t)r) * (size_t)(r - 1);
    len /= (size_t)r;
  }
  if (n == 0) {
    limn__free(ctx, p);
    return limn__err(ctx, LIMN_EINVAL, "FFT length 0");
  }
  p->tw = limn__alloc_array(ctx, total + 1, 2 * sizeof(double));
  if (!p->tw) {
    limn__free(ctx, p);
    return LIMN_ENOMEM;
  }
  len = n;
  for (size_t t = 0; t < p->nstages; t++) {
    size_t r = (size_t)p->radix[t], m = len / r;
    double *w = p->tw + 2 * p->twoff[t];
    for (size_t q = 0; q < m; q++)
      for (size_t j = 1; j < r; j++) {
        /* the angle reduced exactly before the trigonometry: j q mod len */
        double a = -6.283185307179586476925 * (double)((j * q) % len) / (double)len;
        w[2 * (q * (r - 1) + j - 1)] = cos(a);
        w[2 * (q * (r - 1) + j - 1) + 1] = sin(a);
      }
    len = m;
  }
  *out = p;
  return LIMN_OK;
}

void limn__fft_free(limn_ctx *ctx, limn__fft *p) {
  if (!p)
    return;
  limn__free(ctx, p->tw);
  limn__free(ctx, p);
}

/* y = t * w (complex), with w conjugated when inverse (sg = +1) */
#define CMUL(yr, yi, tr, ti, wr, wi)                                                                         \
  do {                                                                                                       \
    double wr_ = (wr), wi_ = -sg * (wi);                                                                     \
    yr = (tr)*wr_ - (ti)*wi_;                                                                                \
    yi = (tr)*wi_ + (ti)*wr_;                                                                                \
  } while (0)

LIMN_CLONES static void stage2(const double *restrict x, double *restrict y, size_t m, size_t s,
                               const double *tw, double sg) {
  for (size_t p = 0; p < m; p++) {
    double wr = tw[2 * p], wi = tw[2 * p + 1];
    const double *a0 = x + 2 * s * p, *a1 = x + 2 * s * (p + m);
    double *y0 = y + 2 * s * (2 * p), *y1 = y0 + 2 * s;
    for (size_t q = 0; q < 2 * s; q += 2) {
      double br = a0[q] - a1[q], bi = a0[q + 1] - a1[q + 1];
      y0[q] = a0[q] + a1[q];
      y0[q + 1] = a0[q + 1] + a1[q + 1];
      CMUL(y1[q], y1[q + 1], br, bi, wr, wi);
    }
  }
}

LIMN_CLONES static void stage4(const double *restrict x, double *restrict y, size_t m, size_t s,
                               const double *tw, double sg) {
  for (size_t p = 0; p < m; p++) {
    const double *w = tw + 6 * p;
    const double *a0 = x + 2 * s * p, *a1 = x + 2 * s * (p + m), *a2 = x + 2 * s * (p + 2 * m),
                 *a3 = x + 2 * s * (p + 3 * m);
    double *y0 = y + 2 * s * (4 * p), *y1 = y0 + 2 * s, *y2 = y1 + 2 * s, *y3 = y2 + 2 * s;
    for (size_t q = 0; q < 2 * s; q += 2) {
      double t0r = a0[q] + a2[q], t0i = a0[q + 1] + a2[q + 1];
      double t1r = a0[q] - a2[q], t1i = a0[q + 1] - a2[q + 1];
      double t2r = a1[q] + a3[q], t2i = a1[q + 1] + a3[q + 1];
      double dr = a1[q] - a3[q], di = a1[q + 1] - a3[q + 1];
      /* sg i d: forward (sg = -1) -i d = (di, -dr) */
      double er = -sg * di, ei = sg * dr;
      y0[q] = t0r + t2r;
      y0[q + 1] = t0i + t2i;
      CMUL(y1[q], y1[q + 1], t1r + er, t1i + ei, w[0], w[1]);
      CMUL(y2[q], y2[q + 1], t0r - t2r, t0i - t2i, w[2], w[3]);
      CMUL(y3[q], y3[q + 1], t1r - er, t1i - ei, w[4], w[5]);
    }
  }
}

LIMN_CLONES static void stage3(const double *restrict x, double *restrict y, size_t m, size_t s,
                               const double *tw, double sg) {
  const double h = 0.86602540378443864676; /* sqrt(3) / 2 */
  for (size_t p = 0; p < m; p++) {
    const double *w = tw + 4 * p;
    const double *a0 = x + 2 * s * p, *a1 = x + 2 * s * (p + m), *a2 = x + 2 * s * (p + 2 * m);
    double *y0 = y + 2 * s * (3 * p), *y1 = y0 + 2 * s, *y2 = y1 + 2 * s;
    for (size_t q = 0; q < 2 * s; q += 2) {
      double tr = a1[q] + a2[q], ti = a1[q + 1] + a2[q + 1];
      double ur = a1[q] - a2[q], ui = a1[q + 1] - a2[q + 1];
      double br = a0[q] - 0.5 * tr, bi = a0[q + 1] - 0.5 * ti;
      double er = -sg * h * ui, ei = sg * h * ur; /* sg i h u */
      y0[q] = a0[q] + tr;
      y0[q + 1] = a0[q + 1] + ti;
      CMUL(y1[q], y1[q + 1], br + er, bi + ei, w[0], w[1]);
      CMUL(y2[q], y2[q + 1], br - er, bi - ei, w[2], w[3]);
    }
  }
}

LIMN_CLONES static void stage5(const double *restrict x, double *restrict y, size_t m, size_t s,
                               const double *tw, double sg) {
  const double c1 = 0.30901699437494742410, c2 = -0.80901699437494742410; /* cos 2pi/5, cos 4pi/5 */
  const double s1 = 0.95105651629515357212, s2 = 0.58778525229247312917;  /* sin 2pi/5, sin 4pi/5 */
  for (size_t p = 0; p < m; p++) {
    const double *w = tw + 8 * p;
    const double *a0 = x + 2 * s * p, *a1 = x + 2 * s * (p + m), *a2 = x + 2 * s * (p + 2 * m),
                 *a3 = x + 2 * s * (p + 3 * m), *a4 = x + 2 * s * (p + 4 * m);
    double *y0 = y + 2 * s * (5 * p), *y1 = y0 + 2 * s, *y2 = y1 + 2 * s, *y3 = y2 + 2 * s, *y4 = y3 + 2 * s;
    for (size_t q = 0; q < 2 * s; q += 2) {
      double t1r = a1[q] + a4[q], t1i = a1[q + 1] + a4[q + 1], t2r = a2[q] + a3[q],
             t2i = a2[q + 1] + a3[q + 1];
      double t3r = a1[q] - a4[q], t3i = a1[q + 1] - a4[q + 1], t4r = a2[q] - a3[q],
             t4i = a2[q + 1] - a3[q + 1];
      double b1r = a0[q] + c1 * t1r + c2 * t2r, b1i = a0[q + 1] + c1 * t1i + c2 * t2i;
      double b2r = a0[q] + c2 * t1r + c1 * t2r, b2i = a0[q + 1] + c2 * t1i + c1 * t2i;
      double d1r = s1 * t3r + s2 * t4r, d1i = s1 * t3i + s2 * t4i;
      double d2r = s2 * t3r - s1 * t4r, d2i = s2 * t3i - s1 * t4i;
      double e1r = -sg * d1i, e1i = sg * d1r, e2r = -sg * d2i, e2i = sg * d2r; /* sg i d */
      y0[q] = a0[q] + t1r + t2r;
      y0[q + 1] = a0[q + 1] + t1i + t2i;
      CMUL(y1[q], y1[q + 1], b1r + e1r, b1i + e1i, w[0], w[1]);
      CMUL(y2[q], y2[q + 1], b2r + e2r, b2i + e2i, w[2], w[3]);
      CMUL(y3[q], y3[q + 1], b2r - e2r, b2i - e2i, w[4], w[5]);
      CMUL(y4[q], y4[q + 1], b1r - e1r, b1i - e1i, w[6], w[7]);
    }
  }
}

void limn__fft_run(const limn__fft *p, double *x, double *work, int inverse) {
  limn__fft_run_batch(p, x, work, inverse, 1);
}

/* A batch of b interleaved sequences is one sequence whose elements are b-vectors:
 * the same stages with the stride starting at b instead of 1 (every twiddle depends
 * on p only), so each sequence gets exactly the arithmetic of limn__fft_run. */
void limn__fft_run_batch(const limn__fft *p, double *x, double *work, int inverse, size_t batch) {
  double sg = inverse ? 1.0 : -1.0, *a = x, *b = work;
  size_t len = p->n, s = batch;
  for (size_t t = 0; t < p->nstages; t++) {
    size_t r = (size_t)p->radix[t], m = len / r;
    const double *tw = p->tw + 2 * p->twoff[t];
    if (r == 4)
      stage4(a, b, m, s, tw, sg);
    else if (r == 2)
      stage2(a, b, m, s, tw, sg);
    else if (r == 3)
      stage3(a, b, m, s, tw, sg);
    else
      stage5(a, b, m, s, tw, sg);
    double *t2 = a;
    a = b, b = t2;
    len = m;
    s *= r;
  }
  if (a != x)
    memcpy(x, a, 2 * p->n * batch * sizeof *x);
}

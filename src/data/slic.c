/* SLIC superpixels (Achanta et al. 2012, "SLIC Superpixels Compared to State-of-the-Art
 * Superpixel Methods"): k-means over colour and position, each centre searching a window
 * of twice the grid step, then small fragments merged into a neighbour so every segment
 * is connected. Deterministic: fixed grid seeds, ties to the earlier centre, scan order. */
#include "image_internal.h"
#include <math.h>

/* sRGB in [0, 1] to CIE L*a*b* (D65). */
static void lab(const float *p, double out[3]) {
  double c[3];
  for (int k = 0; k < 3; k++) {
    double v = p[k] < 0 ? 0 : p[k] > 1 ? 1 : p[k];
    c[k] = v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
  }
  double X = (0.4124564 * c[0] + 0.3575761 * c[1] + 0.1804375 * c[2]) / 0.95047;
  double Y = 0.2126729 * c[0] + 0.7151522 * c[1] + 0.0721750 * c[2];
  double Z = (0.0193339 * c[0] + 0.1191920 * c[1] + 0.9503041 * c[2]) / 1.08883;
  double f[3], t[3] = {X, Y, Z};
  for (int k = 0; k < 3; k++)
    f[k] = t[k] > 216.0 / 24389 ? cbrt(t[k]) : (24389.0 / 27 * t[k] + 16) / 116;
  out[0] = 116 * f[1] - 16, out[1] = 500 * (f[0] - f[1]), out[2] = 200 * (f[1] - f[2]);
}

typedef struct centre {
  double y, x, c[3];
} centre;

/* Connected components of the labels; fragments under min_size join the segment next to
 * their first pixel (to the left, or above; already final) while it stays under max_size
 * (so fragments cannot chain into one region), the rest get new labels. */
static int connect(limn_ctx *ctx, const int *lab0, size_t w, size_t h, size_t min_size, size_t max_size,
                   int *out, size_t *count) {
  size_t n = w * h, next = 0;
  size_t *stack = limn__alloc_array(ctx, n, sizeof *stack), *comp = limn__alloc_array(ctx, n, sizeof *comp);
  size_t *size = limn__calloc(ctx, n, sizeof *size);
  if (!stack || !comp || !size) {
    limn__free(ctx, stack);
    limn__free(ctx, comp);
    limn__free(ctx, size);
    return LIMN_ENOMEM;
  }
  for (size_t i = 0; i < n; i++)
    out[i] = -1;
  for (size_t s = 0; s < n; s++) {
    if (out[s] >= 0)
      continue;
    size_t top = 0, m = 0;
    int adj = s % w ? out[s - 1] : s >= w ? out[s - w] : -1, mark = -2;
    stack[top++] = s;
    out[s] = mark;
    while (top) { /* flood fill the component of s, 4-connected */
      size_t p = stack[--top], y = p / w, x = p % w;
      comp[m++] = p;
      size_t nb[4];
      int k = 0;
      if (x > 0)
        nb[k++] = p - 1;
      if (x + 1 < w)
        nb[k++] = p + 1;
      if (y > 0)
        nb[k++] = p - w;
      if (y + 1 < h)
        nb[k++] = p + w;
      for (int q = 0; q < k; q++)
        if (out[nb[q]] == -1 && lab0[nb[q]] == lab0[s]) {
          out[nb[q]] = mark;
          stack[top++] = nb[q];
        }
    }
    int l = m < min_size && adj >= 0 && size[adj] + m <= max_size ? adj : (int)next++;
    size[l] += m;
    for (size_t q = 0; q < m; q++)
      out[comp[q]] = l;
  }
  limn__free(ctx, stack);
  limn__free(ctx, comp);
  limn__free(ctx, size);
  *count = next;
  return LIMN_OK;
}

int limn_image_slic(limn_ctx *ctx, const limn_image *im, size_t n_segments, double compactness, int *labels,
                    size_t *nlabels) {
  if (!im || !labels || !nlabels)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_slic: %s is NULL",
                     !im ? "the image" : "labels or nlabels");
  *nlabels = 0;
  if (n_segments < 1 || !(compactness > 0 && isfinite(compactness)))
    return limn__err(ctx, LIMN_EINVAL,
                     "limn_image_slic: %zu segments of compactness %g (expected >= 1 and > 0)", n_segments,
                     compactness);
  size_t w = im->w, h = im->h, n = w * h, c = im->c == 3 ? 3 : 1;
  double S = sqrt((double)n / (double)n_segments);
  size_t ny = (size_t)fmax(1, round((double)h / S)), nx = (size_t)fmax(1, round((double)w / S));
  ny = ny > h ? h : ny, nx = nx > w ? w : nx;
  size_t K = ny * nx;
  double sy = (double)h / (double)ny, sx = (double)w / (double)nx, step = sqrt(sy * sx);
  double *col = limn__alloc_array(ctx, n, 3 * sizeof *col), *dist = limn__alloc_array(ctx, n, sizeof *dist);
  double *acc = limn__alloc_array(ctx, K, 6 * sizeof *acc);
  centre *ct = limn__alloc_array(ctx, K, sizeof *ct);
  int *lab0 = limn__alloc_array(ctx, n, sizeof *lab0), rc = LIMN_OK;
  if (!col || !dist || !acc || !ct || !lab0) {
    rc = LIMN_ENOMEM;
    goto done;
  }
  for (size_t p = 0; p < n; p++) {
    if (c == 3)
      lab(im->px + 3 * p, col + 3 * p);
    else
      col[3 * p] = 100.0 * im->px[p], col[3 * p + 1] = col[3 * p + 2] = 0;
  }
  for (size_t i = 0; i < ny; i++)
    for (size_t j = 0; j < nx; j++) {
      centre *q = &ct[i * nx + j];
      q->y = ((double)i + 0.5) * sy, q->x = ((double)j + 0.5) * sx;
      size_t p = (size_t)q->y * w + (size_t)q->x;
      for (int k = 0; k < 3; k++)
        q->c[k] = col[3 * p + k];
    }
  double m2 = compactness * compactness / (step * step);
  for (int it = 0; it < 10; it++) {
    for (size_t p = 0; p < n; p++)
      dist[p] = INFINITY, lab0[p] = 0;
    for (size_t k = 0; k < K; k++) {
      const centre *q = &ct[k];
      long y0 = (long)floor(q->y - 2 * step), y1 = (long)ceil(q->y + 2 * step);
      long x0 = (long)floor(q->x - 2 * step), x1 = (long)ceil(q->x + 2 * step);
      y0 = y0 < 0 ? 0 : y0, x0 = x0 < 0 ? 0 : x0;
      y1 = y1 > (long)h ? (long)h : y1, x1 = x1 > (long)w ? (long)w : x1;
      for (long y = y0; y < y1; y++)
        for (long x = x0; x < x1; x++) {
          size_t p = (size_t)y * w + (size_t)x;
          double dy = (double)y + 0.5 - q->y, dx = (double)x + 0.5 - q->x, dc = 0;
          for (int b = 0; b < 3; b++)
            dc += (col[3 * p + b] - q->c[b]) * (col[3 * p + b] - q->c[b]);
          double D = dc + m2 * (dy * dy + dx * dx);
          if (D < dist[p])
            dist[p] = D, lab0[p] = (int)k;
        }
    }
    for (size_t k = 0; k < 6 * K; k++)
      acc[k] = 0;
    for (size_t p = 0; p < n; p++) {
      double *a = acc + 6 * (size_t)lab0[p];
      a[0] += 1, a[1] += (double)(p / w) + 0.5, a[2] += (double)(p % w) + 0.5;
      for (int b = 0; b < 3; b++)
        a[3 + b] += col[3 * p + b];
    }
    for (size_t k = 0; k < K; k++)
      if (acc[6 * k] > 0) {
        const double *a = acc + 6 * k;
        ct[k].y = a[1] / a[0], ct[k].x = a[2] / a[0];
        for (int b = 0; b < 3; b++)
          ct[k].c[b] = a[3 + b] / a[0];
      }
  }
  size_t cell = n / K;
  rc = connect(ctx, lab0, w, h, cell / 4 ? cell / 4 : 1, 3 * cell, labels, nlabels);
done:
  limn__free(ctx, col);
  limn__free(ctx, dist);
  limn__free(ctx, acc);
  limn__free(ctx, ct);
  limn__free(ctx, lab0);
  return rc;
}

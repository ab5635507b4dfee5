/* Images: creation, resizing, channel conversion, model input rows and heat-map
 * overlays (the PNG and JPEG codecs are in image_codec.c). */
#include "image_internal.h"
#include <math.h>
#include <stdlib.h>

int limn__image_new(limn_ctx *ctx, size_t w, size_t h, size_t c, limn_image **out) {
  *out = NULL;
  size_t n;
  if (w == 0 || h == 0 || (c != 1 && c != 3))
    return limn__err(ctx, LIMN_EINVAL, "image: %zu x %zu pixels of %zu channels (expected > 0 and 1 or 3)", w,
                     h, c);
  if (!limn__mul_ok(w, h, &n) || !limn__mul_ok(n, c, &n) || n > ctx->max_data / sizeof(float))
    return limn__err(ctx, LIMN_ETOOBIG,
                     "image: %zu x %zu pixels of %zu channels pass the data limit (LIMN_MAX_DATA raises it)",
                     w, h, c);
  limn_image *im = limn__calloc(ctx, 1, sizeof *im);
  float *px = im ? limn__alloc_array(ctx, n, sizeof *px) : NULL;
  if (!px) {
    limn__free(ctx, im);
    return LIMN_ENOMEM;
  }
  im->ctx = ctx, im->w = w, im->h = h, im->c = c, im->px = px;
  *out = im;
  return LIMN_OK;
}

int limn_image_create(limn_ctx *ctx, size_t width, size_t height, size_t channels, const float *pixels,
                      limn_image **out) {
  if (!out)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_create: out is NULL");
  *out = NULL;
  if (!pixels)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_create: pixels is NULL");
  LIMN_TRY(limn__image_new(ctx, width, height, channels, out));
  size_t n = width * height * channels;
  for (size_t i = 0; i < n; i++)
    if (!isfinite(pixels[i])) {
      limn_image_free(*out);
      *out = NULL;
      return limn__err(ctx, LIMN_EINVAL, "limn_image_create: pixel value %zu is not finite", i);
    }
  memcpy((*out)->px, pixels, n * sizeof *pixels);
  return LIMN_OK;
}

void limn_image_free(limn_image *im) {
  if (!im)
    return;
  limn__free(im->ctx, im->px);
  limn__free(im->ctx, im);
}

size_t limn_image_width(const limn_image *im) { return im ? im->w : 0; }
size_t limn_image_height(const limn_image *im) { return im ? im->h : 0; }
size_t limn_image_channels(const limn_image *im) { return im ? im->c : 0; }
const float *limn_image_pixels(const limn_image *im) { return im ? im->px : NULL; }

/* ---- Resizing: the antialiased triangle filter of PIL and torch ---- */

typedef struct taps {
  size_t *first, *count; /* per output position */
  double *w;             /* count[i] weights at i * span */
  size_t span;
} taps;

static void taps_free(limn_ctx *ctx, taps *t) {
  limn__free(ctx, t->first);
  limn__free(ctx, t->count);
  limn__free(ctx, t->w);
}

/* Weights of output positions 0..out-1 over input 0..in-1: centre (i + 0.5) in / out,
 * a triangle of half-width max(1, in / out) in input pixels, cut at the edges and
 * normalised to sum 1. */
static int make_taps(limn_ctx *ctx, size_t in, size_t out, taps *t) {
  double scale = (double)in / (double)out, ss = scale > 1 ? scale : 1, support = ss;
  t->span = (size_t)ceil(support) * 2 + 1;
  t->first = limn__alloc_array(ctx, out, sizeof *t->first);
  t->count = limn__alloc_array(ctx, out, sizeof *t->count);
  t->w = limn__alloc_array(ctx, out * t->span, sizeof *t->w);
  if (!t->first || !t->count || !t->w) {
    taps_free(ctx, t);
    return LIMN_ENOMEM;
  }
  for (size_t i = 0; i < out; i++) {
    double centre = ((double)i + 0.5) * scale, lo = centre - support + 0.5, hi = centre + support + 0.5;
    size_t a = lo > 0 ? (size_t)lo : 0, b = hi < (double)in ? (size_t)hi : in, n = 0;
    double sum = 0, *w = t->w + i * t->span;
    for (size_t j = a; j < b && n < t->span; j++, n++) {
      double x = fabs(((double)j - centre + 0.5) / ss);
      w[n] = x < 1 ? 1 - x : 0;
      sum += w[n];
    }
    for (size_t q = 0; q < n; q++)
      w[q] = sum > 0 ? w[q] / sum : 0;
    t->first[i] = a, t->count[i] = n;
  }
  return LIMN_OK;
}

int limn__image_resample(limn_ctx *ctx, const float *src, size_t w, size_t h, size_t c, size_t ow, size_t oh,
                         float *dst) {
  taps tx = {0}, ty = {0};
  int rc = make_taps(ctx, w, ow, &tx);
  if (!rc)
    rc = make_taps(ctx, h, oh, &ty);
  double *mid = rc ? NULL : limn__alloc_array(ctx, h * ow * c, sizeof *mid);
  if (!rc && !mid)
    rc = LIMN_ENOMEM;
  if (!rc) {
    for (size_t y = 0; y < h; y++) /* horizontal pass */
      for (size_t x = 0; x < ow; x++)
        for (size_t k = 0; k < c; k++) {
          double s = 0;
          const double *wt = tx.w + x * tx.span;
          for (size_t q = 0; q < tx.count[x]; q++)
            s += wt[q] * src[(y * w + tx.first[x] + q) * c + k];
          mid[(y * ow + x) * c + k] = s;
        }
    for (size_t y = 0; y < oh; y++) /* vertical pass */
      for (size_t x = 0; x < ow; x++)
        for (size_t k = 0; k < c; k++) {
          double s = 0;
          const double *wt = ty.w + y * ty.span;
          for (size_t q = 0; q < ty.count[y]; q++)
            s += wt[q] * mid[((ty.first[y] + q) * ow + x) * c + k];
          dst[(y * ow + x) * c + k] = (float)s;
        }
  }
  limn__free(ctx, mid);
  taps_free(ctx, &tx);
  taps_free(ctx, &ty);
  return rc;
}

int limn_image_resize(limn_ctx *ctx, const limn_image *im, size_t width, size_t height, limn_image **out) {
  if (!out || !im)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_resize: %s is NULL", out ? "the image" : "out");
  *out = NULL;
  LIMN_TRY(limn__image_new(ctx, width, height, im->c, out));
  int rc = limn__image_resample(ctx, im->px, im->w, im->h, im->c, width, height, (*out)->px);
  if (rc) {
    limn_image_free(*out);
    *out = NULL;
  }
  return rc;
}

/* One pass of the kernel k (2 r + 1 taps) along a line of n values at stride s. */
static void blur_line(const float *in, float *out, size_t n, size_t s, const double *k, size_t r) {
  for (size_t i = 0; i < n; i++) {
    double v = 0;
    for (size_t q = 0; q <= 2 * r; q++) {
      long j = (long)i + (long)q - (long)r;
      j = j < 0 ? 0 : j >= (long)n ? (long)n - 1 : j;
      v += k[q] * in[(size_t)j * s];
    }
    out[i * s] = (float)v;
  }
}

int limn_image_blur(limn_ctx *ctx, const limn_image *im, double sigma, limn_image **out) {
  if (!out || !im)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_blur: %s is NULL", out ? "the image" : "out");
  *out = NULL;
  if (!(sigma > 0 && sigma < 1e4))
    return limn__err(ctx, LIMN_EINVAL, "limn_image_blur: sigma %g (expected > 0 pixels)", sigma);
  size_t r = (size_t)(4.0 * sigma + 0.5), c = im->c, w = im->w, h = im->h;
  double *k = limn__alloc_array(ctx, 2 * r + 1, sizeof *k), sum = 0;
  float *mid = limn__alloc_array(ctx, w * h * c, sizeof *mid);
  int rc = k && mid ? limn__image_new(ctx, w, h, c, out) : LIMN_ENOMEM;
  if (!rc) {
    for (size_t q = 0; q <= 2 * r; q++) {
      double x = (double)q - (double)r;
      sum += k[q] = exp(-0.5 * x * x / (sigma * sigma));
    }
    for (size_t q = 0; q <= 2 * r; q++)
      k[q] /= sum;
    for (size_t y = 0; y < h; y++) /* along each row */
      for (size_t ch = 0; ch < c; ch++)
        blur_line(im->px + y * w * c + ch, mid + y * w * c + ch, w, c, k, r);
    for (size_t x = 0; x < w; x++) /* down each column */
      for (size_t ch = 0; ch < c; ch++)
        blur_line(mid + x * c + ch, (*out)->px + x * c + ch, h, w * c, k, r);
  }
  limn__free(ctx, k);
  limn__free(ctx, mid);
  return rc;
}

int limn_image_convert(limn_ctx *ctx, const limn_image *im, size_t channels, limn_image **out) {
  if (!out || !im)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_convert: %s is NULL", out ? "the image" : "out");
  *out = NULL;
  LIMN_TRY(limn__image_new(ctx, im->w, im->h, channels, out));
  const float *s = im->px;
  float *d = (*out)->px;
  for (size_t i = 0, n = im->w * im->h; i < n; i++) {
    if (im->c == channels)
      for (size_t k = 0; k < channels; k++)
        d[i * channels + k] = s[i * im->c + k];
    else if (channels == 3)
      d[3 * i] = d[3 * i + 1] = d[3 * i + 2] = s[i];
    else
      d[i] = (float)(0.299 * s[3 * i] + 0.587 * s[3 * i + 1] + 0.114 * s[3 * i + 2]);
  }
  return LIMN_OK;
}

static int check_norm(limn_ctx *ctx, size_t c, const double *mean, const double *sd) {
  for (size_t k = 0; k < c; k++)
    if ((mean && !isfinite(mean[k])) || (sd && !(sd[k] > 0 && isfinite(sd[k]))))
      return limn__err(ctx, LIMN_EINVAL,
                       "image normalisation: channel %zu has mean %g and std %g (std must be > 0)", k,
                       mean ? mean[k] : 0.0, sd ? sd[k] : 1.0);
  return LIMN_OK;
}

int limn_image_to_input(limn_ctx *ctx, const limn_image *im, const double *mean, const double *std,
                        float *row) {
  if (!im || !row)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_to_input: %s is NULL", im ? "row" : "the image");
  LIMN_TRY(check_norm(ctx, im->c, mean, std));
  size_t hw = im->w * im->h;
  for (size_t k = 0; k < im->c; k++) {
    double m = mean ? mean[k] : 0, s = std ? std[k] : 1;
    for (size_t i = 0; i < hw; i++)
      row[k * hw + i] = (float)(((double)im->px[i * im->c + k] - m) / s);
  }
  return LIMN_OK;
}

int limn_image_from_input(limn_ctx *ctx, const float *row, size_t channels, size_t height, size_t width,
                          const double *mean, const double *std, limn_image **out) {
  if (!out || !row)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_from_input: %s is NULL", out ? "row" : "out");
  *out = NULL;
  LIMN_TRY(check_norm(ctx, channels == 3 ? 3 : 1, mean, std));
  LIMN_TRY(limn__image_new(ctx, width, height, channels, out));
  size_t hw = width * height;
  for (size_t k = 0; k < channels; k++) {
    double m = mean ? mean[k] : 0, s = std ? std[k] : 1;
    for (size_t i = 0; i < hw; i++) {
      double v = (double)row[k * hw + i] * s + m;
      if (!isfinite(v)) {
        limn_image_free(*out);
        *out = NULL;
        return limn__err(ctx, LIMN_EINVAL, "limn_image_from_input: value %zu is not finite", k * hw + i);
      }
      (*out)->px[i * channels + k] = (float)v;
    }
  }
  return LIMN_OK;
}

int limn_image_from_row_range(limn_ctx *ctx, const float *row, size_t c, size_t h, size_t w,
                              limn_image **out) {
  if (!out || !row)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_from_row_range: %s is NULL", out ? "row" : "out");
  double lo = INFINITY, hi = -INFINITY;
  for (size_t j = 0; j < c * h * w; j++)
    lo = fmin(lo, row[j]), hi = fmax(hi, row[j]);
  double sc[3], mn[3];
  for (int k = 0; k < 3; k++) /* pixel = row * sc + mn: the range to 0..1, a flat row mid-grey */
    sc[k] = hi > lo ? 1 / (hi - lo) : 1, mn[k] = hi > lo ? -lo / (hi - lo) : 0.5 - lo;
  return limn_image_from_input(ctx, row, c, h, w, mn, sc, out);
}

/* ---- Overlays ---- */

limn_image_overlay_opts limn_image_overlay_opts_default(void) {
  limn_image_overlay_opts o;
  memset(&o, 0, sizeof o);
  o.alpha = 0.7;
  return o;
}

void limn__diverging_rgb(double t, double rgb[3]) {
  static const double pos[3] = {178, 24, 43}, neg[3] = {33, 102, 172};
  const double *end = t >= 0 ? pos : neg;
  double a = fabs(t) > 1 ? 1 : fabs(t);
  for (int k = 0; k < 3; k++)
    rgb[k] = (255 - a * (255 - end[k])) / 255;
}

int limn_image_overlay(limn_ctx *ctx, const limn_image *base, const double *map, size_t map_width,
                       size_t map_height, const limn_image_overlay_opts *opts, limn_image **out) {
  if (!out || !base || !map)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_overlay: %s is NULL",
                     !out    ? "out"
                     : !base ? "the image"
                             : "the map");
  *out = NULL;
  limn_image_overlay_opts o = opts ? *opts : limn_image_overlay_opts_default();
  if (!(o.alpha >= 0 && o.alpha <= 1) || !(o.scale >= 0 && isfinite(o.scale)))
    return limn__err(ctx, LIMN_EINVAL,
                     "limn_image_overlay: alpha %g (expected 0..1), scale %g (expected >= 0)", o.alpha,
                     o.scale);
  size_t n;
  if (!map_width || !map_height || !limn__mul_ok(map_width, map_height, &n) ||
      n > ctx->max_data / sizeof(float))
    return limn__err(ctx, LIMN_EINVAL, "limn_image_overlay: a map of %zu x %zu values", map_width,
                     map_height);
  float *m = limn__alloc_array(ctx, n, sizeof *m), *up = NULL;
  if (!m)
    return LIMN_ENOMEM;
  int rc = LIMN_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    if (!isfinite(map[i]))
      rc = limn__err(ctx, LIMN_EINVAL, "limn_image_overlay: map value %zu is not finite", i);
    m[i] = (float)map[i];
  }
  size_t hw = base->w * base->h;
  if (!rc && (map_width != base->w || map_height != base->h)) {
    up = limn__alloc_array(ctx, hw, sizeof *up);
    rc = up ? limn__image_resample(ctx, m, map_width, map_height, 1, base->w, base->h, up) : LIMN_ENOMEM;
  }
  const float *v = up ? up : m;
  double scale = o.scale;
  for (size_t i = 0; i < hw && !rc && o.scale == 0; i++)
    scale = fabs(v[i]) > scale ? fabs(v[i]) : scale;
  if (!rc)
    rc = limn__image_new(ctx, base->w, base->h, 3, out);
  for (size_t i = 0; i < hw && !rc; i++) {
    const float *p = base->px + i * base->c;
    double g = base->c == 3 ? 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2] : p[0], rgb[3];
    g = 0.2 + 0.6 * (g < 0 ? 0 : g > 1 ? 1 : g); /* kept off black and white, so colours show on both */
    double t = scale > 0 ? v[i] / scale : 0;
    if (o.positive && t < 0)
      t = 0;
    limn__diverging_rgb(t, rgb);
    double a = o.alpha * (fabs(t) > 1 ? 1 : fabs(t));
    for (int k = 0; k < 3; k++)
      (*out)->px[3 * i + k] = (float)((1 - a) * g + a * rgb[k]);
  }
  limn__free(ctx, m);
  limn__free(ctx, up);
  return rc;
}

/* Internal structures of images (image.c, image_codec.c). */
#ifndef LIMN_IMAGE_INTERNAL_H
#define LIMN_IMAGE_INTERNAL_H

#include "../core/internal.h"
#include "limn/image.h"

struct limn_image {
  size_t w, h, c; /* width, height, channels (1 or 3) */
  float *px;      /* h * w * c, HWC */
  limn_ctx *ctx;  /* allocator owner */
};

/* A w x h image of c channels, pixels uninitialised; LIMN_ETOOBIG past the data limit. */
int limn__image_new(limn_ctx *ctx, size_t w, size_t h, size_t c, limn_image **out);
/* src (h, w, c) resampled to dst (oh, ow, c) by limn_image_resize's filter. */
int limn__image_resample(limn_ctx *ctx, const float *src, size_t w, size_t h, size_t c, size_t ow, size_t oh,
                         float *dst);

/* The diverging colours of limn's heat maps (white at 0, #b2182b at +1, #2166ac at -1;
 * t clamped to [-1, 1]), as fractions. */
void limn__diverging_rgb(double t, double rgb[3]);

#endif

/* limn/image.h: images in and out. PNG and JPEG files decoded by libpng and
 * libjpeg(-turbo), resized, turned into a model's input rows (channels first, per
 * channel mean and standard deviation), and heat maps of attributions laid over them,
 * written as PNG.
 *
 * An image holds height x width pixels of 1 (grey) or 3 (RGB) channels as floats in
 * [0, 1], row by row, channels interleaved (HWC): the value torchvision's ToTensor
 * gives (the byte / 255; 16-bit PNG samples / 65535). See docs/images.md.
 */
#ifndef LIMN_IMAGE_H
#define LIMN_IMAGE_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct limn_image limn_image;

/* 1 when this build reads and writes PNG and JPEG (built with libpng and libjpeg);
 * 0 otherwise, and every call below that decodes or encodes gives LIMN_EUNSUPPORTED. */
LIMN_API int limn_image_supported(void);

/* Decode a PNG or JPEG image held in memory (the format from its first bytes; `name`
 * for messages, `buf` borrowed). PNG: every colour type and depth, interlaced or not;
 * a palette becomes RGB, an alpha channel or tRNS transparency is dropped (not
 * composited), grey stays grey. JPEG: baseline and progressive, grey or YCbCr (RGB
 * out); CMYK is refused. A corrupt or truncated file (a CRC or Huffman error, data
 * that ends early, a libjpeg warning) is LIMN_EFORMAT naming `name`; an image whose
 * decoded floats would pass the context's data limit is LIMN_ETOOBIG. */
LIMN_API int limn_image_decode(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                               limn_image **out);
/* limn_image_decode of a file (read whole, within the context's data limit). */
LIMN_API int limn_image_read(limn_ctx *ctx, const char *path, limn_image **out);
/* An image from pixels (height * width * channels floats, HWC, copied; channels 1 or
 * 3; values finite, clamped to [0, 1] when written as PNG). */
LIMN_API int limn_image_create(limn_ctx *ctx, size_t width, size_t height, size_t channels,
                               const float *pixels, limn_image **out);
LIMN_API void limn_image_free(limn_image *im);
LIMN_API size_t limn_image_width(const limn_image *im);
LIMN_API size_t limn_image_height(const limn_image *im);
LIMN_API size_t limn_image_channels(const limn_image *im);
/* The pixels, HWC; borrowed from the image. */
LIMN_API const float *limn_image_pixels(const limn_image *im);

/* A new image of width x height: separable triangle (bilinear) filtering whose support
 * widens with the scale when shrinking, so every source pixel counts (antialiased); the
 * same numbers as torch's F.interpolate(mode="bilinear", align_corners=False,
 * antialias=True) and PIL's BILINEAR resize. */
LIMN_API int limn_image_resize(limn_ctx *ctx, const limn_image *im, size_t width, size_t height,
                               limn_image **out);
/* A new image blurred by a Gaussian of `sigma` pixels (> 0), each channel apart: the
 * kernel exp(-x^2 / (2 sigma^2)) normalised, cut at 4 sigma (radius (int)(4 sigma + 0.5)),
 * rows then columns, the edge pixel repeated beyond the border: scipy.ndimage's
 * gaussian_filter(mode="nearest"). The blurred baseline of Integrated Gradients for
 * images (Sturmfels et al. 2020). */
LIMN_API int limn_image_blur(limn_ctx *ctx, const limn_image *im, double sigma, limn_image **out);
/* SLIC superpixels (Achanta et al. 2012): about n_segments regions of similar colour, as
 * compact as `compactness` asks (the weight of distance against colour; 10 is
 * scikit-image's default for colour images). Colour images are compared in CIE L*a*b*
 * (D65), grey ones by 100 x the value (L*'s scale); seeds on a regular grid, 10 k-means
 * iterations each searching twice the grid step, then every fragment smaller than a
 * quarter of a grid cell joined to the segment left of (or above) it while that stays
 * under three cells, so each segment is one connected (4-neighbour) region. labels: width * height ints,
 * row-major, 0 .. *nlabels - 1 in the order their first pixels are met. Deterministic. */
LIMN_API int limn_image_slic(limn_ctx *ctx, const limn_image *im, size_t n_segments, double compactness,
                             int *labels, size_t *nlabels);
/* A new image of `channels` (1 or 3): grey to RGB repeats the value, RGB to grey is the
 * ITU-R 601 luma 0.299 R + 0.587 G + 0.114 B (PIL's convert("L"), without its rounding). */
LIMN_API int limn_image_convert(limn_ctx *ctx, const limn_image *im, size_t channels, limn_image **out);

/* The image as one input row of a model that takes (C, H, W): row[(c * H + y) * W + x] =
 * (pixel - mean[c]) / std[c]. mean and std have one value per channel (NULL: 0 and 1);
 * a std that is not > 0 is LIMN_EINVAL. `row` holds channels * height * width floats. */
LIMN_API int limn_image_to_input(limn_ctx *ctx, const limn_image *im, const double *mean, const double *std,
                                 float *row);
/* The inverse: an image of `channels` x height x width from an input row (CHW),
 * pixel = row * std[c] + mean[c]. */
LIMN_API int limn_image_from_input(limn_ctx *ctx, const float *row, size_t channels, size_t height,
                                   size_t width, const double *mean, const double *std, limn_image **out);
/* An image from an input row whose normalisation is not known: the row's range (all
 * channels together) stretched to 0..1, a flat row mid-grey (0.5). What limn shows when
 * it draws a row: lime-image segments it, the report and `--overlay` draw it. */
LIMN_API int limn_image_from_row_range(limn_ctx *ctx, const float *row, size_t channels, size_t height,
                                       size_t width, limn_image **out);

/* PNG bytes of the image (8 bits a sample, values clamped to [0, 1] and rounded); *buf
 * is freed with limn_free. Deterministic: the same pixels give the same bytes. */
LIMN_API int limn_image_encode_png(limn_ctx *ctx, const limn_image *im, unsigned char **buf, size_t *len);
/* The PNG written to `path` (the file is replaced only once the bytes are complete). */
LIMN_API int limn_image_write_png(limn_ctx *ctx, const limn_image *im, const char *path);

/* How limn_image_overlay draws a map. */
typedef struct limn_image_overlay_opts {
  double alpha; /* opacity of the map's colour at |value| = scale (default 0.7) */
  double scale; /* |value| drawn at full colour; 0: the map's largest |value| */
  int positive; /* 1: only positive values coloured (red), as Grad-CAM maps are; 0: signed */
} limn_image_overlay_opts;
/* alpha 0.7, scale 0 (the map's maximum), signed. */
LIMN_API limn_image_overlay_opts limn_image_overlay_opts_default(void);
/* An RGB image: `base` in grey (its luma g compressed to 0.2 + 0.6 g, so that colours show
 * on black and on white), a map of map_height x map_width values (one per pixel,
 * or coarser: resized to the image with limn_image_resize's filter) drawn over it in the
 * diverging colours of limn's SVG heat maps (red positive, blue negative, white 0):
 * out = (1 - a) grey + a colour, a = alpha * min(1, |value| / scale). A map whose values
 * are all 0 leaves the grey image. Values must be finite. */
LIMN_API int limn_image_overlay(limn_ctx *ctx, const limn_image *base, const double *map, size_t map_width,
                                size_t map_height, const limn_image_overlay_opts *opts, limn_image **out);

#ifdef __cplusplus
}
#endif

#endif

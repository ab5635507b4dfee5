/* Fuzz target: the PNG and JPEG decoders on arbitrary bytes, within a 1 MiB data limit.
 * An image that decodes must resize, become a model row, be drawn over and encode as a
 * PNG that decodes to the same size. */
#include "limn.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_ctx_set_input_limits(ctx, (size_t)1 << 20, 0);
  limn_image *im = NULL, *small = NULL, *again = NULL, *ov = NULL;
  if (limn_image_decode(ctx, data, size, "fuzz", &im) == LIMN_OK) {
    size_t w = limn_image_width(im), h = limn_image_height(im), c = limn_image_channels(im);
    if (!w || !h || (c != 1 && c != 3))
      abort();
    size_t sw = w > 16 ? 16 : w, sh = h > 16 ? 16 : h;
    float *row = malloc(sw * sh * c * sizeof *row);
    double *map = calloc(sw * sh, sizeof *map);
    unsigned char *png = NULL;
    size_t n = 0;
    if (row && map && limn_image_resize(ctx, im, sw, sh, &small) == LIMN_OK &&
        limn_image_to_input(ctx, small, NULL, NULL, row) == LIMN_OK) {
      for (size_t i = 0; i < sw * sh; i++)
        map[i] = row[i] - 0.5;
      if (limn_image_overlay(ctx, im, map, sw, sh, NULL, &ov) == LIMN_OK &&
          limn_image_encode_png(ctx, ov, &png, &n) == LIMN_OK) {
        if (limn_image_decode(ctx, png, n, "again", &again) != LIMN_OK || limn_image_width(again) != w ||
            limn_image_height(again) != h)
          abort();
      }
    }
    limn_free(ctx, png);
    free(row), free(map);
  }
  limn_image_free(im), limn_image_free(small), limn_image_free(again), limn_image_free(ov);
  limn_ctx_free(ctx);
  return 0;
}

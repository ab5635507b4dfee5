/* A build without libpng and libjpeg (LIMN_WITH_IMAGES=OFF): images are made from
 * pixels, resized and drawn, but not decoded or encoded. */
#include "image_internal.h"

int limn_image_supported(void) { return 0; }

static int none(limn_ctx *ctx, const char *what) {
  return limn__err(ctx, LIMN_EUNSUPPORTED,
                   "%s: this limn was built without PNG and JPEG (LIMN_WITH_IMAGES=OFF)", what);
}

int limn_image_decode(limn_ctx *ctx, const void *buf, size_t len, const char *name, limn_image **out) {
  (void)buf, (void)len;
  if (out)
    *out = NULL;
  return none(ctx, name ? name : "image");
}

int limn_image_read(limn_ctx *ctx, const char *path, limn_image **out) {
  if (out)
    *out = NULL;
  return none(ctx, path ? path : "image");
}

int limn_image_encode_png(limn_ctx *ctx, const limn_image *im, unsigned char **buf, size_t *len) {
  (void)im;
  if (buf)
    *buf = NULL;
  if (len)
    *len = 0;
  return none(ctx, "PNG encoding");
}

int limn_image_write_png(limn_ctx *ctx, const limn_image *im, const char *path) {
  (void)im;
  return none(ctx, path ? path : "PNG encoding");
}

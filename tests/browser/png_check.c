/* Is a PNG screenshot blank? Decodes 8-bit RGB/RGBA PNGs (what Chromium writes)
 * and prints the share of non-white pixels and of strongly red and blue ones.
 * Usage: png_check FILE [MIN_NONWHITE_PERCENT]. Exit 0 when the image has at least
 * that share (default 1%) of non-white pixels and some red and some blue. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c) {
  int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: png_check FILE [MIN_NONWHITE_PERCENT]\n");
    return 2;
  }
  double min_pct = argc > 2 ? atof(argv[2]) : 1.0;
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    fprintf(stderr, "png_check: %s: cannot open\n", argv[1]);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(len > 0 ? (size_t)len : 1);
  if (!buf || len < 8 || fread(buf, 1, (size_t)len, f) != (size_t)len ||
      memcmp(buf, "\x89PNG\r\n\x1a\n", 8) != 0) {
    fprintf(stderr, "png_check: %s: not a PNG file\n", argv[1]);
    return 1;
  }
  fclose(f);
  uint32_t w = 0, h = 0;
  int depth = 0, type = 0;
  unsigned char *idat = NULL;
  size_t nidat = 0;
  for (long p = 8; p + 12 <= len;) {
    uint32_t n = be32(buf + p);
    if ((long)n > len - p - 12) {
      fprintf(stderr, "png_check: %s: truncated chunk\n", argv[1]);
      return 1;
    }
    const unsigned char *t = buf + p + 4, *d = buf + p + 8;
    if (!memcmp(t, "IHDR", 4) && n >= 13) {
      w = be32(d), h = be32(d + 4), depth = d[8], type = d[9];
      if (d[12] != 0) {
        fprintf(stderr, "png_check: interlaced PNGs are not supported\n");
        return 1;
      }
    } else if (!memcmp(t, "IDAT", 4)) {
      unsigned char *q = realloc(idat, nidat + n + 1);
      if (!q)
        return 1;
      idat = q;
      memcpy(idat + nidat, d, n);
      nidat += n;
    }
    p += 12 + (long)n;
  }
  int bpp = type == 6 ? 4 : type == 2 ? 3 : 0;
  if (!w || !h || depth != 8 || !bpp || w > 100000 || h > 100000) {
    fprintf(stderr, "png_check: %s: need an 8-bit RGB or RGBA PNG\n", argv[1]);
    return 1;
  }
  size_t stride = (size_t)w * (size_t)bpp, raw_len = (stride + 1) * h;
  unsigned char *raw = malloc(raw_len), *img = malloc(stride * h);
  uLongf got = (uLongf)raw_len;
  if (!raw || !img || uncompress(raw, &got, idat, (uLong)nidat) != Z_OK || got != raw_len) {
    fprintf(stderr, "png_check: %s: bad image data\n", argv[1]);
    return 1;
  }
  for (size_t y = 0; y < h; y++) {
    int filter = raw[y * (stride + 1)];
    const unsigned char *in = raw + y * (stride + 1) + 1;
    unsigned char *out = img + y * stride, *up = y ? out - stride : NULL;
    for (size_t x = 0; x < stride; x++) {
      int a = x >= (size_t)bpp ? out[x - bpp] : 0, b = up ? up[x] : 0,
          c = up && x >= (size_t)bpp ? up[x - bpp] : 0, v;
      switch (filter) {
      case 0:
        v = 0;
        break;
      case 1:
        v = a;
        break;
      case 2:
        v = b;
        break;
      case 3:
        v = (a + b) / 2;
        break;
      case 4:
        v = paeth(a, b, c);
        break;
      default:
        fprintf(stderr, "png_check: %s: bad filter %d\n", argv[1], filter);
        return 1;
      }
      out[x] = (unsigned char)(in[x] + v);
    }
  }
  size_t nonwhite = 0, red = 0, blue = 0, total = (size_t)w * h;
  for (size_t i = 0; i < total; i++) {
    const unsigned char *px = img + i * (size_t)bpp;
    nonwhite += px[0] < 240 || px[1] < 240 || px[2] < 240;
    red += px[0] > 150 && px[1] < 80 && px[2] < 80;
    blue += px[2] > 140 && px[0] < 80 && px[1] < 140;
  }
  double pct = 100.0 * (double)nonwhite / (double)total;
  printf("%s: %ux%u, %.2f%% non-white, %zu red and %zu blue pixels\n", argv[1], w, h, pct, red, blue);
  free(buf), free(idat), free(raw), free(img);
  return pct >= min_pct && red > 0 && blue > 0 ? 0 : 1;
}

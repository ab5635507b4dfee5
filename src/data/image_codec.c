/* PNG (libpng) and JPEG (libjpeg-turbo) decoding, PNG encoding. Both libraries report
 * errors by longjmp from a handler set here: nothing they detect reaches stderr, and
 * every failure frees what the decoder held and leaves a message naming the input. */
#include "image_internal.h"
#include <jpeglib.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>

int limn_image_supported(void) { return 1; }

static int is_png(const unsigned char *b, size_t n) { return n >= 8 && !png_sig_cmp(b, 0, 8); }
static int is_jpeg(const unsigned char *b, size_t n) {
  return n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff;
}

/* ---- PNG ---- */

typedef struct png_state {
  jmp_buf jb;
  char msg[256];
  const unsigned char *buf;
  size_t len, at;
} png_state;

static void png_fail(png_structp p, png_const_charp m) {
  png_state *s = png_get_error_ptr(p);
  snprintf(s->msg, sizeof s->msg, "%s", m);
  longjmp(s->jb, 1);
}

static void png_quiet(png_structp p, png_const_charp m) { (void)p, (void)m; }

static void png_from_memory(png_structp p, png_bytep out, size_t n) {
  png_state *s = png_get_io_ptr(p);
  if (n > s->len - s->at)
    png_error(p, "the file ends inside the image (truncated)");
  memcpy(out, s->buf + s->at, n);
  s->at += n;
}

static int decode_png(limn_ctx *ctx, const unsigned char *buf, size_t len, const char *name,
                      limn_image **out) {
  png_state st;
  memset(&st, 0, sizeof st);
  st.buf = buf, st.len = len;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &st, png_fail, png_quiet);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  unsigned char *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  limn_image *volatile im = NULL;
  volatile int rc = LIMN_OK;
  if (!info) {
    png_destroy_read_struct(&png, NULL, NULL);
    return LIMN_ENOMEM;
  }
  if (setjmp(st.jb)) {
    if (rc == LIMN_OK)
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: not a readable PNG image: %s", name, st.msg);
    goto done;
  }
  png_set_read_fn(png, &st, png_from_memory);
  png_set_user_limits(png, 1u << 20, 1u << 20);
  png_set_chunk_malloc_max(png, ctx->max_data);
  png_read_info(png, info);
  png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
  int depth = png_get_bit_depth(png, info), type = png_get_color_type(png, info);
  if (type == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb(png);
  if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8(png);
  if (type & PNG_COLOR_MASK_ALPHA)
    png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  size_t c = png_get_channels(png, info), bytes = png_get_bit_depth(png, info) == 16 ? 2 : 1;
  size_t rowbytes = png_get_rowbytes(png, info);
  limn_image *made = NULL;
  if ((rc = limn__image_new(ctx, w, h, c, &made)) != LIMN_OK) {
    limn__err_prefix(ctx, rc, "%s", name);
    goto done;
  }
  im = made;
  if (rowbytes != (size_t)w * c * bytes) {
    rc = limn__err(ctx, LIMN_EFORMAT, "%s: an unexpected PNG row layout", name);
    goto done;
  }
  pixels = limn__alloc_array(ctx, h, rowbytes);
  rows = limn__alloc_array(ctx, h, sizeof *rows);
  if (!pixels || !rows) {
    rc = LIMN_ENOMEM;
    goto done;
  }
  for (size_t y = 0; y < h; y++)
    rows[y] = pixels + y * rowbytes;
  png_read_image(png, rows);
  png_read_end(png, NULL);
  for (size_t i = 0, n = (size_t)w * h * c; i < n; i++)
    im->px[i] =
        bytes == 2 ? (float)((pixels[2 * i] << 8 | pixels[2 * i + 1]) / 65535.0) : (float)(pixels[i] / 255.0);
done:
  png_destroy_read_struct(&png, &info, NULL);
  limn__free(ctx, rows);
  limn__free(ctx, pixels);
  if (rc != LIMN_OK) {
    limn_image_free(im);
    return rc;
  }
  *out = im;
  return LIMN_OK;
}

/* ---- JPEG ---- */

typedef struct jpeg_state {
  struct jpeg_error_mgr pub;
  jmp_buf jb;
  char msg[JMSG_LENGTH_MAX];
  int warned;
} jpeg_state;

static void jpeg_fail(j_common_ptr c) {
  jpeg_state *s = (jpeg_state *)c->err;
  c->err->format_message(c, s->msg);
  longjmp(s->jb, 1);
}

/* Warnings (level -1: corrupt data that libjpeg would paper over) become errors. */
static void jpeg_note(j_common_ptr c, int level) {
  jpeg_state *s = (jpeg_state *)c->err;
  if (level < 0 && !s->warned) {
    c->err->format_message(c, s->msg);
    s->warned = 1;
  }
}

static void jpeg_silent(j_common_ptr c) { (void)c; }

static int decode_jpeg(limn_ctx *ctx, const unsigned char *buf, size_t len, const char *name,
                       limn_image **out) {
  struct jpeg_decompress_struct cinfo;
  jpeg_state st;
  memset(&st, 0, sizeof st);
  cinfo.err = jpeg_std_error(&st.pub);
  st.pub.error_exit = jpeg_fail;
  st.pub.emit_message = jpeg_note;
  st.pub.output_message = jpeg_silent;
  unsigned char *volatile line = NULL;
  limn_image *volatile im = NULL;
  volatile int rc = LIMN_OK;
  if (setjmp(st.jb)) {
    if (rc == LIMN_OK)
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: not a readable JPEG image: %s", name, st.msg);
    goto done;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.mem->max_memory_to_use = (long)(ctx->max_data > 0x40000000 ? 0x40000000 : ctx->max_data);
  jpeg_mem_src(&cinfo, buf, (unsigned long)len);
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    rc = limn__err(ctx, LIMN_EUNSUPPORTED, "%s: a CMYK JPEG (grey and colour images are read)", name);
    goto done;
  }
  size_t c = cinfo.num_components == 1 ? 1 : 3;
  cinfo.out_color_space = c == 1 ? JCS_GRAYSCALE : JCS_RGB;
  limn_image *made = NULL;
  if ((rc = limn__image_new(ctx, cinfo.image_width, cinfo.image_height, c, &made)) != LIMN_OK) {
    limn__err_prefix(ctx, rc, "%s", name);
    goto done;
  }
  im = made;
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_width != im->w || cinfo.output_height != im->h || (size_t)cinfo.output_components != c) {
    rc = limn__err(ctx, LIMN_EFORMAT, "%s: the JPEG decoder's output does not match its header", name);
    goto done;
  }
  line = limn__alloc_array(ctx, im->w, c);
  if (!line) {
    rc = LIMN_ENOMEM;
    goto done;
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW r = line;
    size_t y = cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, &r, 1);
    for (size_t i = 0; i < im->w * c; i++)
      im->px[y * im->w * c + i] = (float)(line[i] / 255.0);
  }
  jpeg_finish_decompress(&cinfo);
  if (st.warned)
    rc = limn__err(ctx, LIMN_EFORMAT, "%s: corrupt JPEG data: %s", name, st.msg);
done:
  jpeg_destroy_decompress(&cinfo);
  limn__free(ctx, line);
  if (rc != LIMN_OK) {
    limn_image_free(im);
    return rc;
  }
  *out = im;
  return LIMN_OK;
}

int limn_image_decode(limn_ctx *ctx, const void *buf, size_t len, const char *name, limn_image **out) {
  if (!out)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_decode: out is NULL");
  *out = NULL;
  name = name ? name : "image";
  if (!buf && len)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_decode: buf is NULL");
  const unsigned char *b = buf;
  if (is_png(b, len))
    return decode_png(ctx, b, len, name, out);
  if (is_jpeg(b, len))
    return decode_jpeg(ctx, b, len, name, out);
  return limn__err(ctx, LIMN_EFORMAT, "%s: not a PNG or JPEG image (its first bytes match neither)", name);
}

static int image_head(const void *buf, size_t len) {
  return is_png(buf, len) || is_jpeg(buf, len) || len < 8; /* a short file: decode says why */
}

int limn_image_read(limn_ctx *ctx, const char *path, limn_image **out) {
  if (!out || !path)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_read: %s is NULL", out ? "path" : "out");
  *out = NULL;
  char *buf = NULL;
  size_t len = 0;
  const limn__input in = {"a PNG or JPEG image", 0, 0, image_head};
  LIMN_TRY(limn__read_input(ctx, path, &in, &buf, &len));
  int rc = limn_image_decode(ctx, buf, len, path, out);
  limn__free(ctx, buf);
  return rc;
}

/* ---- PNG encoding ---- */

typedef struct png_sink {
  limn_ctx *ctx;
  limn__buf b;
  int rc;
} png_sink;

static void png_to_memory(png_structp p, png_bytep data, size_t n) {
  png_sink *s = png_get_io_ptr(p);
  if (!s->rc)
    s->rc = limn__buf_put(s->ctx, &s->b, (const char *)data, n);
}

static void png_no_flush(png_structp p) { (void)p; }

int limn_image_encode_png(limn_ctx *ctx, const limn_image *im, unsigned char **buf, size_t *len) {
  if (!buf || !len || !im)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_encode_png: %s is NULL", im ? "buf or len" : "the image");
  *buf = NULL, *len = 0;
  png_state st;
  memset(&st, 0, sizeof st);
  png_sink sink = {ctx, {0}, 0};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &st, png_fail, png_quiet);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  unsigned char *volatile line = NULL;
  volatile int rc = LIMN_OK;
  if (!info) {
    png_destroy_write_struct(&png, NULL);
    return LIMN_ENOMEM;
  }
  if (setjmp(st.jb)) {
    rc = sink.rc ? sink.rc : limn__err(ctx, LIMN_EIO, "PNG encoding: %s", st.msg);
    goto done;
  }
  line = limn__alloc_array(ctx, im->w, im->c);
  if (!line) {
    rc = LIMN_ENOMEM;
    goto done;
  }
  png_set_write_fn(png, &sink, png_to_memory, png_no_flush);
  png_set_IHDR(png, info, (png_uint_32)im->w, (png_uint_32)im->h, 8,
               im->c == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (size_t y = 0; y < im->h; y++) {
    for (size_t i = 0; i < im->w * im->c; i++) {
      float v = im->px[y * im->w * im->c + i];
      v = v > 0 ? v : 0; /* NaN to 0 too */
      line[i] = (unsigned char)lroundf((v < 1 ? v : 1) * 255.0f);
    }
    png_write_row(png, line);
  }
  png_write_end(png, NULL);
  if (sink.rc)
    rc = sink.rc;
done:
  png_destroy_write_struct(&png, &info);
  limn__free(ctx, line);
  if (rc != LIMN_OK) {
    limn__buf_free(ctx, &sink.b);
    return rc;
  }
  *buf = (unsigned char *)sink.b.data;
  *len = sink.b.len;
  return LIMN_OK;
}

int limn_image_write_png(limn_ctx *ctx, const limn_image *im, const char *path) {
  if (!path)
    return limn__err(ctx, LIMN_EINVAL, "limn_image_write_png: path is NULL");
  unsigned char *b = NULL;
  size_t n = 0;
  LIMN_TRY(limn_image_encode_png(ctx, im, &b, &n));
  int rc = limn__write_file_atomic(ctx, path, b, n);
  limn__free(ctx, b);
  return rc;
}

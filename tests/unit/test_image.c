/* Images: PNG and JPEG decoding against samples written outside limn (a byte-by-byte
 * PNG writer, libjpeg's djpeg), resizing against torch, model rows, PNG round trips,
 * overlays, and corrupt files (tests/fixtures/make_images.py). */
#include "../harness.h"

static limn_ctx *ctx;

/* "W H C" then W*H*C values. */
static double *read_values(const char *rel, size_t *w, size_t *h, size_t *c) {
  FILE *f = fopen(src_path(rel), "r");
  double *v = NULL;
  if (f && fscanf(f, "%zu %zu %zu", w, h, c) == 3 && *w * *h * *c < 1000000) {
    size_t n = *w * *h * *c;
    v = calloc(n, sizeof *v);
    for (size_t i = 0; v && i < n; i++)
      if (fscanf(f, "%lf", &v[i]) != 1) {
        free(v);
        v = NULL;
      }
  }
  if (f)
    fclose(f);
  return v;
}

static void decode_case(const char *name, double atol) {
  char img[256], ref[256];
  snprintf(img, sizeof img, "tests/fixtures/images/%s", name);
  snprintf(ref, sizeof ref, "tests/fixtures/images/%.*s.txt", (int)(strrchr(name, '.') - name), name);
  size_t w = 0, h = 0, c = 0;
  double *want = read_values(ref, &w, &h, &c);
  CHECK(want != NULL);
  limn_image *im = NULL;
  CHECK_OK(ctx, limn_image_read(ctx, src_path(img), &im));
  if (!want || !im) {
    free(want);
    limn_image_free(im);
    return;
  }
  CHECK_EQ(limn_image_width(im), w);
  CHECK_EQ(limn_image_height(im), h);
  CHECK_EQ(limn_image_channels(im), c);
  if (limn_image_width(im) == w && limn_image_height(im) == h && limn_image_channels(im) == c) {
    double *got = calloc(w * h * c, sizeof *got);
    for (size_t i = 0; i < w * h * c; i++)
      got[i] = limn_image_pixels(im)[i];
    CHECK_CLOSE(name, got, want, w * h * c, atol, 0);
    free(got);
  }
  free(want);
  limn_image_free(im);
}

static void test_decode(void) {
  test_begin("decode");
  const char *pngs[] = {"png_grey8.png",  "png_rgb8.png", "png_rgba8.png", "png_greyalpha8.png",
                        "png_grey16.png", "png_pal4.png", "png_grey1.png", "png_rgb8_adam7.png"};
  for (size_t i = 0; i < sizeof pngs / sizeof *pngs; i++)
    decode_case(pngs[i], 1e-7);
  /* djpeg's bytes exactly (the same IDCT and upsampling defaults) */
  decode_case("jpeg_rgb.jpg", 1e-7);
  decode_case("jpeg_rgb_prog.jpg", 1e-7);
  decode_case("jpeg_grey.jpg", 1e-7);
}

static void test_bad(void) {
  test_begin("bad images");
  limn_image *im = NULL;
  CHECK_ERR(ctx, limn_image_read(ctx, src_path("tests/fixtures/images/bad_cut.png"), &im), LIMN_EFORMAT,
            "bad_cut.png: not a readable PNG image");
  CHECK_ERR(ctx, limn_image_read(ctx, src_path("tests/fixtures/images/bad_crc.png"), &im), LIMN_EFORMAT,
            "CRC");
  CHECK_ERR(ctx, limn_image_read(ctx, src_path("tests/fixtures/images/bad_cut.jpg"), &im), LIMN_EFORMAT,
            "bad_cut.jpg: not a readable JPEG image");
  CHECK_ERR(ctx, limn_image_read(ctx, src_path("tests/fixtures/images/bad_huffman.jpg"), &im), LIMN_EFORMAT,
            "bad_huffman.jpg");
  CHECK_ERR(ctx, limn_image_read(ctx, src_path("tests/fixtures/images/bad_neither.png"), &im), LIMN_EFORMAT,
            "not a PNG or JPEG image");
  CHECK_ERR(ctx, limn_image_read(ctx, src_path("tests/fixtures/images/none.png"), &im), LIMN_EIO, "none.png");
  CHECK_ERR(ctx, limn_image_decode(ctx, "", 0, "empty", &im), LIMN_EFORMAT, "empty: not a PNG or JPEG");
  CHECK(im == NULL);
  /* the data limit bounds the decoded floats: 32 x 24 x 3 floats = 9216 bytes */
  limn_ctx *small = limn_ctx_create(NULL);
  limn_ctx_set_input_limits(small, 4096, 0);
  CHECK_ERR(small, limn_image_read(small, src_path("tests/fixtures/images/jpeg_rgb.jpg"), &im), LIMN_ETOOBIG,
            "data limit");
  limn_ctx_free(small);
  /* every prefix of a good PNG and JPEG fails cleanly or decodes */
  const char *files[] = {"tests/fixtures/images/png_rgb8_adam7.png",
                         "tests/fixtures/images/jpeg_rgb_prog.jpg"};
  for (size_t k = 0; k < 2; k++) {
    FILE *f = fopen(src_path(files[k]), "rb");
    unsigned char buf[4096];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
      fclose(f);
    int ok = 0, failed = 0;
    for (size_t len = 0; len < n; len++) {
      int rc = limn_image_decode(ctx, buf, len, "prefix", &im);
      ok += rc == LIMN_OK;
      failed += rc == LIMN_EFORMAT;
      limn_image_free(im);
      im = NULL;
    }
    CHECK_EQ(failed, (int)n); /* a PNG needs its IEND, a JPEG its last scan */
    CHECK_EQ(ok, 0);
  }
}

static void test_resize(void) {
  test_begin("resize");
  double src[90];
  FILE *f = fopen(src_path("tests/fixtures/images/resize_src.txt"), "r");
  size_t n = 0;
  while (f && n < 90 && fscanf(f, "%lf", &src[n]) == 1)
    n++;
  if (f)
    fclose(f);
  CHECK_EQ(n, 90);
  float px[90];
  for (size_t i = 0; i < 90; i++)
    px[i] = (float)src[i];
  limn_image *im = NULL;
  CHECK_OK(ctx, limn_image_create(ctx, 6, 5, 3, px, &im));
  f = fopen(src_path("tests/fixtures/images/resize_ref.txt"), "r");
  size_t ow, oh, cases = 0;
  while (f && fscanf(f, "%zu %zu", &ow, &oh) == 2) {
    double want[11 * 13 * 3], got[11 * 13 * 3];
    size_t m = ow * oh * 3;
    for (size_t i = 0; i < m; i++)
      if (fscanf(f, "%lf", &want[i]) != 1)
        want[i] = NAN;
    limn_image *r = NULL;
    CHECK_OK(ctx, limn_image_resize(ctx, im, ow, oh, &r));
    for (size_t i = 0; r && i < m; i++)
      got[i] = limn_image_pixels(r)[i];
    if (r)
      CHECK_CLOSE("resize against torch", got, want, m, 1e-6, 0);
    limn_image_free(r);
    cases++;
  }
  if (f)
    fclose(f);
  CHECK_EQ(cases, 3);
  /* Gaussian blur against scipy.ndimage (mode nearest, truncate 4) */
  f = fopen(src_path("tests/fixtures/images/blur_ref.txt"), "r");
  double sigma;
  size_t blurs = 0;
  while (f && fscanf(f, "%lf", &sigma) == 1) {
    double want[90], got[90];
    for (size_t i = 0; i < 90; i++)
      if (fscanf(f, "%lf", &want[i]) != 1)
        want[i] = NAN;
    limn_image *b = NULL;
    CHECK_OK(ctx, limn_image_blur(ctx, im, sigma, &b));
    for (size_t i = 0; b && i < 90; i++)
      got[i] = limn_image_pixels(b)[i];
    if (b)
      CHECK_CLOSE("blur against scipy", got, want, 90, 1e-6, 0);
    limn_image_free(b);
    blurs++;
  }
  if (f)
    fclose(f);
  CHECK_EQ(blurs, 3);
  limn_image *nb = NULL;
  CHECK_ERR(ctx, limn_image_blur(ctx, im, 0, &nb), LIMN_EINVAL, "sigma");
  /* the same size gives the same pixels */
  limn_image *same = NULL;
  CHECK_OK(ctx, limn_image_resize(ctx, im, 6, 5, &same));
  CHECK(same && !memcmp(limn_image_pixels(same), px, sizeof px));
  limn_image_free(same);
  CHECK_ERR(ctx, limn_image_resize(ctx, im, 0, 5, &same), LIMN_EINVAL, "0 x 5");
  limn_image_free(im);
}

static void test_rows(void) {
  test_begin("model rows");
  /* 2 x 2 RGB: CHW with mean/std, and back */
  const float px[12] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f, 0.0f, 0.5f};
  const double mean[3] = {0.5, 0.25, 0}, sd[3] = {0.5, 0.25, 2};
  limn_image *im = NULL, *back = NULL, *grey = NULL, *rgb = NULL;
  CHECK_OK(ctx, limn_image_create(ctx, 2, 2, 3, px, &im));
  float row[12];
  CHECK_OK(ctx, limn_image_to_input(ctx, im, mean, sd, row));
  /* channel 0: (0.1, 0.4, 0.7, 1.0 - 0.5) / 0.5, channel 1: (0.2, 0.5, 0.8, 0.0 - 0.25) / 0.25 ... */
  const double want[12] = {-0.8, -0.2, 0.4, 1.0, -0.2, 1.0, 2.2, -1.0, 0.15, 0.3, 0.45, 0.25};
  double got[12];
  for (int i = 0; i < 12; i++)
    got[i] = row[i];
  CHECK_CLOSE("CHW normalised", got, want, 12, 1e-6, 0);
  CHECK_OK(ctx, limn_image_from_input(ctx, row, 3, 2, 2, mean, sd, &back));
  double orig[12];
  for (int i = 0; back && i < 12; i++)
    got[i] = limn_image_pixels(back)[i], orig[i] = px[i];
  CHECK_CLOSE("round trip", got, orig, 12, 1e-6, 0);
  const double zero[3] = {0, 0, 0};
  CHECK_ERR(ctx, limn_image_to_input(ctx, im, mean, zero, row), LIMN_EINVAL, "std must be > 0");
  /* luma and back */
  CHECK_OK(ctx, limn_image_convert(ctx, im, 1, &grey));
  CHECK(grey && fabs(limn_image_pixels(grey)[0] - (0.299 * 0.1 + 0.587 * 0.2 + 0.114 * 0.3)) < 1e-7);
  CHECK_OK(ctx, limn_image_convert(ctx, grey, 3, &rgb));
  CHECK(rgb && limn_image_pixels(rgb)[9] == limn_image_pixels(grey)[3] &&
        limn_image_pixels(rgb)[11] == limn_image_pixels(grey)[3]);
  limn_image_free(im), limn_image_free(back), limn_image_free(grey), limn_image_free(rgb);
  /* a row of unknown normalisation: its range (all channels together) to 0..1 */
  const float two[8] = {-2, 0, 2, 6, 1, 1, 1, 1};
  const double stretched[8] = {0, 0.25, 0.5, 1, 0.375, 0.375, 0.375, 0.375};
  limn_image *st = NULL, *flat = NULL;
  CHECK_OK(ctx, limn_image_from_row_range(ctx, two, 1, 2, 4, &st));
  for (int i = 0; st && i < 8; i++)
    got[i] = limn_image_pixels(st)[i];
  CHECK_CLOSE("grey row stretched", got, stretched, 8, 1e-7, 0);
  limn_image_free(st), st = NULL;
  CHECK_OK(ctx, limn_image_from_row_range(ctx, row, 3, 2, 2, &st)); /* CHW min -1 (7), max 2.2 (6) */
  CHECK(st && limn_image_pixels(st)[10] == 0.0f && limn_image_pixels(st)[7] == 1.0f);
  CHECK(st && fabs(limn_image_pixels(st)[0] - (-0.8 + 1) / 3.2) < 1e-6);
  limn_image_free(st);
  const float level[4] = {3, 3, 3, 3};
  CHECK_OK(ctx, limn_image_from_row_range(ctx, level, 1, 2, 2, &flat));
  CHECK(flat && limn_image_pixels(flat)[0] == 0.5f && limn_image_pixels(flat)[3] == 0.5f);
  limn_image_free(flat);
  CHECK_ERR(ctx, limn_image_from_row_range(ctx, NULL, 1, 2, 2, &flat), LIMN_EINVAL, "row is NULL");
}

static void test_png_out(void) {
  test_begin("png out");
  /* decode(encode(x)) gives x's bytes / 255, for grey and RGB; the same bytes twice */
  for (size_t c = 1; c <= 3; c += 2) {
    float px[5 * 3 * 3];
    for (size_t i = 0; i < 5 * 3 * c; i++)
      px[i] = (float)((i * 37) % 256) / 255.0f;
    px[0] = -0.5f, px[1] = 1.5f; /* clamped */
    limn_image *im = NULL, *back = NULL;
    unsigned char *b1 = NULL, *b2 = NULL;
    size_t n1 = 0, n2 = 0;
    CHECK_OK(ctx, limn_image_create(ctx, 5, 3, c, px, &im));
    CHECK_OK(ctx, limn_image_encode_png(ctx, im, &b1, &n1));
    CHECK_OK(ctx, limn_image_encode_png(ctx, im, &b2, &n2));
    CHECK(n1 == n2 && b1 && b2 && !memcmp(b1, b2, n1));
    CHECK_OK(ctx, limn_image_decode(ctx, b1, n1, "round trip", &back));
    CHECK(back && limn_image_channels(back) == c && limn_image_width(back) == 5);
    int same = back != NULL;
    for (size_t i = 2; back && i < 5 * 3 * c; i++)
      same &= fabsf(limn_image_pixels(back)[i] - px[i]) < 1e-6f;
    CHECK(same);
    CHECK(back && limn_image_pixels(back)[0] == 0.0f && limn_image_pixels(back)[1] == 1.0f);
    limn_free(ctx, b1), limn_free(ctx, b2);
    limn_image_free(im), limn_image_free(back);
  }
}

static void test_overlay(void) {
  test_begin("overlay");
  /* a 4 x 2 grey image, a 2 x 1 map (left +1, right -0.5): resized to the pixels; the
   * left half red at alpha, the right half blue at alpha / 2 */
  const float px[8] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
  const double map[2] = {1.0, -0.5};
  limn_image *im = NULL, *ov = NULL;
  CHECK_OK(ctx, limn_image_create(ctx, 4, 2, 1, px, &im));
  limn_image_overlay_opts o = limn_image_overlay_opts_default();
  CHECK(o.alpha == 0.7 && o.scale == 0 && o.positive == 0);
  CHECK_OK(ctx, limn_image_overlay(ctx, im, map, 2, 1, &o, &ov));
  CHECK(ov && limn_image_channels(ov) == 3 && limn_image_width(ov) == 4 && limn_image_height(ov) == 2);
  if (ov) {
    const float *p = limn_image_pixels(ov);
    /* pixel 0: the map's left value 1 exactly (weights 1 at the edge) -> colour #b2182b */
    CHECK(fabs(p[0] - (0.3 * 0.5 + 0.7 * 178 / 255.0)) < 1e-6 &&
          fabs(p[1] - (0.3 * 0.5 + 0.7 * 24 / 255.0)) < 1e-6);
    /* pixel 3: -0.5 -> half the blue's distance from white, at alpha 0.35 */
    double b = (255 - 0.5 * (255 - 172)) / 255.0;
    CHECK(fabs(p[3 * 3 + 2] - (0.65 * 0.5 + 0.35 * b)) < 1e-6);
  }
  limn_image_free(ov);
  ov = NULL;
  o.positive = 1;
  CHECK_OK(ctx, limn_image_overlay(ctx, im, map, 2, 1, &o, &ov));
  CHECK(ov && limn_image_pixels(ov)[3 * 3] == 0.5f && limn_image_pixels(ov)[3 * 3 + 2] == 0.5f);
  limn_image_free(ov);
  const double zeros[2] = {0, 0}, bad[2] = {NAN, 0};
  CHECK_OK(ctx, limn_image_overlay(ctx, im, zeros, 2, 1, NULL, &ov));
  CHECK(ov && limn_image_pixels(ov)[5] == 0.5f);
  limn_image_free(ov);
  CHECK_ERR(ctx, limn_image_overlay(ctx, im, bad, 2, 1, NULL, &ov), LIMN_EINVAL, "not finite");
  limn_image_free(im);
}

/* Every segment inside one region of `truth` (h*w region ids); the number of segments. */
static int pure(const int *lab, size_t nl, const int *truth, size_t n) {
  int *reg = malloc(nl * sizeof *reg), ok = reg != NULL;
  for (size_t k = 0; ok && k < nl; k++)
    reg[k] = -1;
  for (size_t p = 0; ok && p < n; p++) {
    if (lab[p] < 0 || (size_t)lab[p] >= nl)
      ok = 0;
    else if (reg[lab[p]] < 0)
      reg[lab[p]] = truth[p];
    else if (reg[lab[p]] != truth[p])
      ok = 0;
  }
  free(reg);
  return ok;
}

/* 4-connected: a flood fill from each segment's first pixel reaches all its pixels. */
static int connected(const int *lab, size_t nl, size_t w, size_t h) {
  size_t n = w * h, *st = malloc(n * sizeof *st), reached = 0;
  unsigned char *seen = calloc(n, 1), *done = calloc(nl, 1);
  for (size_t s = 0; st && seen && done && s < n; s++) {
    if (done[lab[s]])
      continue;
    done[lab[s]] = 1;
    size_t top = 0;
    st[top++] = s, seen[s] = 1;
    while (top) {
      size_t p = st[--top], y = p / w, x = p % w;
      reached++;
      size_t nb[4] = {x ? p - 1 : p, x + 1 < w ? p + 1 : p, y ? p - w : p, y + 1 < h ? p + w : p};
      for (int q = 0; q < 4; q++)
        if (!seen[nb[q]] && lab[nb[q]] == lab[s])
          seen[nb[q]] = 1, st[top++] = nb[q];
    }
  }
  free(st), free(seen), free(done);
  return reached == n;
}

static void test_slic(void) {
  test_begin("slic");
  /* 24 x 24 grey quadrants: 4 segments are the quadrants */
  float px[24 * 24 * 3];
  int truth[24 * 24], lab[24 * 24];
  for (size_t y = 0; y < 24; y++)
    for (size_t x = 0; x < 24; x++) {
      truth[y * 24 + x] = (int)((y >= 12) * 2 + (x >= 12));
      px[y * 24 + x] = 0.1f + 0.3f * (float)truth[y * 24 + x];
    }
  limn_image *im = NULL;
  size_t nl = 0;
  CHECK_OK(ctx, limn_image_create(ctx, 24, 24, 1, px, &im));
  CHECK_OK(ctx, limn_image_slic(ctx, im, 4, 10, lab, &nl));
  CHECK_EQ(nl, 4);
  CHECK(!memcmp(lab, truth, sizeof lab)); /* labels in the order first met: the quadrants' own */
  /* regions off the grid (a vertical band x in [5, 15), a disc elsewhere), colour: 16
   * segments, each inside one region and connected */
  for (size_t y = 0; y < 24; y++)
    for (size_t x = 0; x < 24; x++) {
      double r2 = ((double)y - 17.5) * ((double)y - 17.5) + ((double)x - 18.5) * ((double)x - 18.5);
      int t = x >= 5 && x < 15 ? 1 : r2 < 25 ? 2 : 0;
      static const float rgb[3][3] = {{0.9f, 0.9f, 0.2f}, {0.1f, 0.3f, 0.8f}, {0.8f, 0.1f, 0.1f}};
      truth[y * 24 + x] = t;
      for (int k = 0; k < 3; k++)
        px[(y * 24 + x) * 3 + k] = rgb[t][k];
    }
  limn_image_free(im);
  im = NULL;
  CHECK_OK(ctx, limn_image_create(ctx, 24, 24, 3, px, &im));
  CHECK_OK(ctx, limn_image_slic(ctx, im, 16, 10, lab, &nl));
  CHECK(nl >= 8 && nl <= 32);
  CHECK(pure(lab, nl, truth, 24 * 24));
  CHECK(connected(lab, nl, 24, 24));
  size_t size[64] = {0}, smallest = 24 * 24;
  for (size_t p = 0; p < 24 * 24 && nl <= 64; p++)
    size[lab[p]]++;
  for (size_t k = 0; k < nl && nl <= 64; k++)
    smallest = size[k] < smallest ? size[k] : smallest;
  CHECK(smallest >= 24 * 24 / 16 / 4); /* fragments under a quarter cell were merged */
  int again[24 * 24];
  size_t nl2 = 0;
  CHECK_OK(ctx, limn_image_slic(ctx, im, 16, 10, again, &nl2));
  CHECK(nl2 == nl && !memcmp(again, lab, sizeof lab)); /* deterministic */
  /* the regions with noise: k-means leaves stray pixels; each segment is still connected,
   * none under a quarter of a cell (merged into a neighbour) */
  uint64_t st = 12345;
  for (size_t p = 0; p < 24 * 24 * 3; p++) {
    st = st * 6364136223846793005ull + 1442695040888963407ull;
    px[p] += 0.4f * ((float)(st >> 40) / (float)(1u << 24) - 0.5f);
  }
  limn_image_free(im);
  im = NULL;
  CHECK_OK(ctx, limn_image_create(ctx, 24, 24, 3, px, &im));
  CHECK_OK(ctx, limn_image_slic(ctx, im, 16, 10, lab, &nl));
  CHECK(connected(lab, nl, 24, 24));
  size_t sz[576] = {0}, first[576], small = 0, stuck = 0;
  for (size_t p = 576; p-- > 0;)
    sz[lab[p]]++, first[lab[p]] = p;
  for (size_t k = 0; k < nl; k++) { /* a fragment stays alone only when its neighbour is full */
    size_t p = first[k];
    int nb = p % 24 ? lab[p - 1] : p >= 24 ? lab[p - 24] : -1;
    small += sz[k] < 9;
    stuck += sz[k] < 9 && nb >= 0 && sz[nb] + sz[k] <= 3 * 36;
  }
  CHECK(nl >= 8 && nl <= 48 && small > 0 && stuck == 0);
  /* a flat image: the grid cells */
  for (size_t p = 0; p < 24 * 24 * 3; p++)
    px[p] = 0.5f;
  limn_image_free(im);
  im = NULL;
  CHECK_OK(ctx, limn_image_create(ctx, 24, 24, 3, px, &im));
  CHECK_OK(ctx, limn_image_slic(ctx, im, 9, 10, lab, &nl));
  CHECK_EQ(nl, 9);
  CHECK(lab[0] == 0 && lab[23] == 2 && lab[23 * 24] == 6 && lab[24 * 24 - 1] == 8);
  CHECK(connected(lab, nl, 24, 24));
  CHECK_ERR(ctx, limn_image_slic(ctx, im, 0, 10, lab, &nl), LIMN_EINVAL, "segments");
  limn_image_free(im);
}

/* lime's image regression stage (limn_lime_fit with the cosine distances, width 0.25,
 * every superpixel) against scikit-learn's Ridge on a captured neighbourhood. */
static void test_lime_fit(void) {
  test_begin("lime-image regression stage");
  FILE *f = fopen(src_path("tests/fixtures/images/lime_image_ref.txt"), "r");
  char line[4096];
  double S[300 * 12], y[300], dist[300], ref[15];
  size_t r = 0, k = 0;
  while (f && fgets(line, sizeof line, f)) {
    if (line[0] == '#')
      continue;
    char *p = line;
    if (r < 300) {
      for (size_t j = 0; j < 12; j++)
        S[r * 12 + j] = strtod(p, &p);
      y[r] = strtod(p, &p), dist[r] = strtod(p, &p);
      r++;
    } else {
      for (k = 0; k < 15; k++)
        ref[k] = strtod(p, &p);
    }
  }
  if (f)
    fclose(f);
  CHECK(r == 300 && k == 15);
  double coef[12];
  unsigned char sel[12];
  limn_lime_data nb = {S, y, dist, 300, 12};
  limn_lime_fit_opts fo = limn_lime_fit_opts_default();
  fo.kernel_width = 0.25, fo.num_features = 12, fo.selection = LIMN_SELECT_NONE;
  limn_lime_fit_result res = {coef, sel, 0, 0, 0};
  CHECK_OK(ctx, limn_lime_fit(ctx, &nb, &fo, &res));
  double got[15];
  memcpy(got, coef, sizeof coef);
  got[12] = res.intercept, got[13] = res.score, got[14] = res.local_pred;
  CHECK_CLOSE("coefficients, intercept, score, local prediction vs sklearn", got, ref, 15, 1e-9, 1e-7);
}

/* A model whose evidence is known: the mean of the left half of a 4 x 8 image (hidden
 * superpixels at 0). LIME on two given superpixels (left, right) must give the left all
 * the weight: the fit is exact, so the left coefficient is 1 shrunk by the ridge penalty and
 * the right one near 0 (the two halves are drawn independently). */
static int left_half(void *ud, const float *x, size_t n, float *out) {
  (void)ud;
  for (size_t i = 0; i < n; i++) {
    double s = 0;
    for (size_t yy = 0; yy < 4; yy++)
      for (size_t xx = 0; xx < 4; xx++)
        s += x[i * 32 + yy * 8 + xx];
    out[i] = (float)(s / 16);
  }
  return 0;
}

static void test_lime_image(void) {
  test_begin("lime-image on known evidence");
  limn_model_callbacks cb;
  memset(&cb, 0, sizeof cb);
  cb.nfeatures = 32, cb.noutputs = 1, cb.predict = left_half;
  limn_model *m = NULL;
  CHECK_OK(ctx, limn_model_from_callbacks(ctx, &cb, NULL, &m));
  float x[32];
  int lab[32];
  for (size_t p = 0; p < 32; p++)
    x[p] = 1.0f, lab[p] = (p % 8) >= 4;
  limn_lime_image_opts o = limn_lime_image_opts_default();
  o.channels = 1, o.height = 4, o.width = 8, o.labels = lab, o.nlabels = 2, o.hide_mean = 0, o.hide = 0;
  limn_explanation *e = NULL, *e2 = NULL;
  CHECK_OK(ctx, limn_explain_lime_image(ctx, m, x, 1, &o, &e));
  if (e) {
    CHECK(e[0].method == LIMN_METHOD_LIME_IMAGE && e[0].num_samples == 1000);
    CHECK(e[0].attr[0] > 0.5 && e[0].attr[0] <= 1.0 && fabs(e[0].attr[7]) < 0.05);
    CHECK(e[0].bin[0] == 0 && e[0].bin[7] == 1 && e[0].selected[0] && e[0].selected[7]);
    CHECK(e[0].score > 0.99 && fabs(e[0].output - 1.0) < 1e-6);
  }
  /* the same seed and row id: the same explanation; another row id: other draws */
  CHECK_OK(ctx, limn_explain_lime_image(ctx, m, x, 1, &o, &e2));
  CHECK(e && e2 && e[0].attr[0] == e2[0].attr[0]);
  limn_explanations_free(ctx, e2, 1);
  size_t id = 9;
  o.row_ids = &id;
  CHECK_OK(ctx, limn_explain_lime_image(ctx, m, x, 1, &o, &e2));
  CHECK(e && e2 && e[0].attr[0] != e2[0].attr[0]);
  limn_explanations_free(ctx, e2, 1);
  o.height = 5;
  CHECK_ERR(ctx, limn_explain_lime_image(ctx, m, x, 1, &o, &e2), LIMN_EINVAL, "images of 1 x 5 x 8");
  limn_explanations_free(ctx, e, 1);
  limn_model_free(m);
}

int main(void) {
  ctx = limn_ctx_create(NULL);
  test_decode();
  test_bad();
  test_resize();
  test_rows();
  test_png_out();
  test_overlay();
  test_slic();
  test_lime_fit();
  test_lime_image();
  limn_ctx_free(ctx);
  return test_end();
}

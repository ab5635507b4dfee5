/* Core: status table, context, allocator hooks, RNG properties. */
#include "../harness.h"
#include "../../src/core/internal.h"

static size_t live;
static void *cm(void *ud, size_t n) {
  (void)ud;
  live++;
  return malloc(n ? n : 1);
}
static void *cr(void *ud, void *p, size_t n) {
  (void)ud;
  if (!p)
    live++;
  return realloc(p, n ? n : 1);
}
static void cf(void *ud, void *p) {
  (void)ud;
  if (p)
    live--;
  free(p);
}

static void test_status(void) {
  test_begin("status");
  CHECK(!strcmp(limn_status_name(LIMN_OK), "LIMN_OK"));
  CHECK(!strcmp(limn_status_name(LIMN_EPARSE), "LIMN_EPARSE"));
  CHECK(!strcmp(limn_status_str(LIMN_ENOMEM), "out of memory"));
  CHECK(!strcmp(limn_status_name(-999), "LIMN_UNKNOWN"));
  /* published values never change */
  CHECK_EQ(LIMN_EINVAL, -1);
  CHECK_EQ(LIMN_EFORMAT, -5);
  CHECK_EQ(LIMN_ECALLBACK, -11);
  CHECK(!strcmp(limn_version(), LIMN_VERSION_STRING));
}

static void test_ctx(void) {
  test_begin("ctx");
  limn_allocator a = {cm, cr, cf, NULL};
  limn_ctx *ctx = limn_ctx_create(&a);
  CHECK(ctx != NULL);
  CHECK(!strcmp(limn_ctx_errmsg(ctx), ""));
  CHECK_ERR(ctx, limn_ctx_set_threads(ctx, -1), LIMN_EINVAL, "thread count");
  limn_ctx_clear_error(ctx);
  CHECK(!strcmp(limn_ctx_errmsg(ctx), ""));
  CHECK_EQ(limn_ctx_set_kernel(ctx, LIMN_KERNEL_PORTABLE), LIMN_OK);
  CHECK_EQ(limn_ctx_kernel(ctx), LIMN_KERNEL_PORTABLE);
  if (!limn_have_blas())
    CHECK_ERR(ctx, limn_ctx_set_kernel(ctx, LIMN_KERNEL_BLAS), LIMN_EUNSUPPORTED, "without BLAS");
  /* a dataset through the hooks, then everything given back */
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "y";
  limn_dataset *ds = NULL;
  const char *csv = "a,b,y\n1,x,0\n2,y,1\n3,x,1\n";
  CHECK_OK(ctx, limn_dataset_parse_csv(ctx, csv, strlen(csv), "t.csv", &ro, &ds));
  CHECK(live > 1);
  limn_dataset_free(ds);
  limn_ctx_free(ctx);
  CHECK_EQ(live, 0);
  limn_allocator partial = {cm, NULL, cf, NULL};
  CHECK(limn_ctx_create(&partial) == NULL);
  limn_ctx_free(NULL);
}

static void test_rng(void) {
  test_begin("rng");
  limn_rng a, b, c;
  limn_rng_init(&a, 42, 7);
  limn_rng_init(&b, 42, 7);
  limn_rng_init(&c, 42, 8);
  int same = 1, differ = 0;
  for (int i = 0; i < 100; i++) {
    uint64_t x = limn_rng_u64(&a), y = limn_rng_u64(&b), z = limn_rng_u64(&c);
    same &= x == y;
    differ += x != z;
  }
  CHECK(same);
  CHECK(differ > 95);
  /* moments of uniform and normal draws (n = 200000: 5-sigma bounds) */
  limn_rng r;
  limn_rng_init(&r, 1, 0);
  double su = 0, sn = 0, sn2 = 0;
  int n = 200000, inrange = 1;
  for (int i = 0; i < n; i++) {
    double u = limn_rng_uniform(&r);
    inrange &= u >= 0.0 && u < 1.0;
    su += u;
    double g = limn_rng_normal(&r);
    sn += g;
    sn2 += g * g;
  }
  CHECK(inrange);
  CHECK(fabs(su / n - 0.5) < 5 * sqrt(1.0 / 12 / n));
  CHECK(fabs(sn / n) < 5 * sqrt(1.0 / n));
  CHECK(fabs(sn2 / n - 1.0) < 5 * sqrt(2.0 / n));
  /* below(): every value reachable, none out of range */
  int seen[7] = {0}, ok = 1;
  for (int i = 0; i < 7000; i++) {
    uint64_t v = limn_rng_below(&r, 7);
    ok &= v < 7;
    if (v < 7)
      seen[v]++;
  }
  CHECK(ok);
  for (int i = 0; i < 7; i++)
    CHECK(seen[i] > 800 && seen[i] < 1200);
  /* shuffle is a permutation */
  size_t idx[50];
  for (size_t i = 0; i < 50; i++)
    idx[i] = i;
  limn_rng_shuffle(&r, idx, 50);
  size_t sum = 0, moved = 0;
  for (size_t i = 0; i < 50; i++) {
    sum += idx[i];
    moved += idx[i] != i;
  }
  CHECK_EQ(sum, 49 * 50 / 2);
  CHECK(moved > 30);
}

/* limn__rng_uniforms against eight xoshiro256** lanes written out here from Blackman
 * and Vigna's published algorithm (products as products), each seeded with four
 * splitmix64 outputs from one step of the stream; lane l gives values l, l + 8, ... */
static uint64_t ref_splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static uint64_t ref_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static void test_rng_block(void) {
  test_begin("rng: block of uniforms");
  for (size_t n = 0; n < 20; n++) { /* every tail length, and a long run */
    size_t len = n < 19 ? n : 100003;
    limn_rng r, r2;
    limn_rng_init(&r, 3, 9 + n);
    r2 = r;
    double *u = malloc((len + 1) * sizeof *u);
    limn__rng_uniforms(&r, u, len);
    uint64_t x = limn_rng_u64(&r2), st[8][4];
    for (int l = 0; l < 8; l++)
      for (int w = 0; w < 4; w++)
        st[l][w] = ref_splitmix(&x);
    int same = 1, inside = 1;
    double mean = 0;
    for (size_t q = 0; q < len; q++) {
      uint64_t *s = st[q % 8];
      uint64_t res = ref_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
      s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t;
      s[3] = ref_rotl(s[3], 45);
      uint64_t bits = (res >> 12) | 0x3FF0000000000000ULL;
      double want;
      memcpy(&want, &bits, 8);
      same &= u[q] == want - 1.0;
      inside &= u[q] >= 0.0 && u[q] < 1.0;
      mean += u[q];
    }
    CHECK(same && inside);
    CHECK_EQ(limn_rng_u64(&r), limn_rng_u64(&r2)); /* the stream moved one step */
    if (len > 1000)
      CHECK(fabs(mean / (double)len - 0.5) < 0.003);
    free(u);
  }
}

/* limn__rng_uniform_pairs: the same lanes, each output's top 32 bits as u and its
 * bottom 32 bits as v (uniforms on the grid of 2^-32). */
static void test_rng_pairs(void) {
  test_begin("rng: block of uniform pairs");
  for (size_t n = 0; n < 20; n++) {
    size_t len = n < 19 ? n : 100003;
    limn_rng r, r2;
    limn_rng_init(&r, 5, 2 + n);
    r2 = r;
    double *u = malloc((2 * len + 1) * sizeof *u), *v = u + len;
    limn__rng_uniform_pairs(&r, u, v, len);
    uint64_t x = limn_rng_u64(&r2), st[8][4];
    for (int l = 0; l < 8; l++)
      for (int w = 0; w < 4; w++)
        st[l][w] = ref_splitmix(&x);
    int same = 1;
    double mu = 0, mv = 0, cross = 0;
    for (size_t q = 0; q < len; q++) {
      uint64_t *s = st[q % 8];
      uint64_t res = ref_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
      s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t;
      s[3] = ref_rotl(s[3], 45);
      same &= u[q] == ldexp((double)(res >> 32), -32) && v[q] == ldexp((double)(res & 0xFFFFFFFFu), -32);
      mu += u[q], mv += v[q], cross += (u[q] - 0.5) * (v[q] - 0.5);
    }
    CHECK(same);
    CHECK_EQ(limn_rng_u64(&r), limn_rng_u64(&r2));
    if (len > 1000) /* means 1/2, halves uncorrelated (sd of each figure about 0.001) */
      CHECK(fabs(mu / (double)len - 0.5) < 0.005 && fabs(mv / (double)len - 0.5) < 0.005 &&
            fabs(cross / (double)len) < 0.002);
    free(u);
  }
}

/* limn_format_double / _float: the text is the first of "%.1g" .. "%.17g" that reads
 * back as the value (the definition, searched here one precision at a time), and
 * non-finite values have their names. */
static int shortest_double(double v) {
  char b[40], c[40];
  limn_format_double(b, sizeof b, v);
  for (int p = 1; p <= 17; p++) {
    snprintf(c, sizeof c, "%.*g", p, v);
    if (strtod(c, NULL) == v)
      break;
  }
  return !strcmp(b, c) && strtod(b, NULL) == v;
}

static void test_format(void) {
  test_begin("number formatting");
  double vals[] = {0.0,           -0.0,      0.1,       1.0 / 3.0, 2.0 / 3.0,
                   0.5,           1024.0,    0x1p-1074, 0x1p-1022, 1.7976931348623157e308,
                   123456789.123, -2.5e-300, 100.0,     1e21,      0.30000000000000004};
  int ok = 1;
  for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
    ok &= shortest_double(vals[i]);
  limn_rng r;
  limn_rng_init(&r, 5, 5);
  for (int i = 0; i < 20000; i++) { /* random bit patterns and powers of two */
    uint64_t bits = limn_rng_u64(&r);
    double v;
    memcpy(&v, &bits, 8);
    if (isfinite(v))
      ok &= shortest_double(v);
    ok &= shortest_double(ldexp(1.0, (int)limn_rng_below(&r, 2000) - 1000));
  }
  CHECK(ok);
  char b[40];
  limn_format_double(b, sizeof b, NAN);
  CHECK(!strcmp(b, "NaN"));
  limn_format_double(b, sizeof b, -INFINITY);
  CHECK(!strcmp(b, "-Infinity"));
  limn_format_float(b, sizeof b, 0.1f);
  CHECK(!strcmp(b, "0.1"));
  limn_format_float(b, sizeof b, 16777217.0f);
  CHECK(strtof(b, NULL) == 16777217.0f);
  limn_format_float(b, sizeof b, INFINITY);
  CHECK(!strcmp(b, "Infinity"));
}

/* The fast path (double-conversion's digits spelled as %g, when built with it) against
 * the printf/strtod search over two million values: random bit patterns, numbers as
 * computations make them (uniform and normal draws at every scale), floats likewise;
 * every text must be the search's and read back. */
static void test_format_many(void) {
  test_begin("number formatting, 3 million values against the search");
  limn_rng r;
  limn_rng_init(&r, 11, 3);
  char a[40], b[40];
  size_t bad = 0;
  for (int i = 0; i < 1000000; i++) {
    double v;
    if (i % 2) {
      uint64_t bits = limn_rng_u64(&r);
      memcpy(&v, &bits, 8);
      if (!isfinite(v))
        continue;
    } else {
      v = (i % 4 ? limn_rng_normal(&r) : limn_rng_uniform(&r)) *
          pow(10.0, (double)limn_rng_below(&r, 40) - 20);
    }
    limn_format_double(a, sizeof a, v);
    limn__format_double_search(b, sizeof b, v);
    bad += strcmp(a, b) != 0 || strtod(a, NULL) != v;
  }
  /* Where the shortest-digits routine's exact cases lie (an end of the interval on a
   * decimal, a tie between two candidates): integers and dyadic values with few bits
   * (k x 2^e), exact short decimals and their halves (k x 10^j, (2k + 1) / 2 x 10^j),
   * and the neighbours of each. */
  for (int i = 0; i < 400000; i++) {
    double v, k = (double)(limn_rng_u64(&r) >> (11 + limn_rng_below(&r, 50)));
    int e = (int)limn_rng_below(&r, 200) - 100;
    switch (i % 4) {
    case 0:
      v = ldexp(k + 1, e);
      break;
    case 1:
      v = (k + 1) * pow(10.0, (double)e / 5);
      break;
    case 2:
      v = ((double)(2 * limn_rng_below(&r, 1000000) + 1) / 2) * pow(10.0, (double)(e % 23));
      break;
    default:
      v = (double)(limn_rng_below(&r, 100000000) + 1) * 1e-8;
      break;
    }
    double w[3] = {v, nextafter(v, 0), nextafter(v, INFINITY)};
    for (int q = 0; q < 3; q++) {
      if (!isfinite(w[q]) || w[q] == 0)
        continue;
      limn_format_double(a, sizeof a, w[q]);
      limn__format_double_search(b, sizeof b, w[q]);
      bad += strcmp(a, b) != 0 || strtod(a, NULL) != w[q];
    }
  }
  for (int i = 0; i < 1000000; i++) {
    float v;
    if (i % 2) {
      uint32_t bits = (uint32_t)limn_rng_u64(&r);
      memcpy(&v, &bits, 4);
      if (!isfinite(v))
        continue;
    } else {
      v = (float)(limn_rng_normal(&r) * pow(10.0, (double)limn_rng_below(&r, 20) - 10));
    }
    limn_format_float(a, sizeof a, v);
    limn__format_float_search(b, sizeof b, v);
    bad += strcmp(a, b) != 0 || strtof(a, NULL) != v;
  }
  CHECK(bad == 0);
}

/* FIPS 180-4 example vectors */
static void test_sha256(void) {
  test_begin("sha256");
  char hex[65];
  limn_sha256("abc", 3, hex);
  CHECK(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  limn_sha256("", 0, hex);
  CHECK(!strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  limn_sha256(two, strlen(two), hex);
  CHECK(!strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
  char *million = malloc(1000000);
  memset(million, 'a', 1000000);
  limn_sha256(million, 1000000, hex);
  CHECK(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
  /* the same bytes from a file, read a chunk at a time (the chunks do not fall on blocks) */
  char path[] = "/tmp/limn_test_sha_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
  CHECK(f && fwrite(million, 1, 1000000, f) == 1000000);
  if (f)
    fclose(f);
  limn_ctx *c = limn_ctx_create(NULL);
  CHECK(limn_sha256_file(c, path, hex) == LIMN_OK &&
        !strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
  remove(path);
  CHECK(limn_sha256_file(c, path, hex) == LIMN_EIO && strstr(limn_ctx_errmsg(c), "cannot open"));
  limn_ctx_free(c);
  free(million);
}

int main(void) {
  test_sha256();
  test_format();
  test_format_many();
  test_rng_block();
  test_rng_pairs();
  test_status();
  test_ctx();
  test_rng();
  return test_end();
}

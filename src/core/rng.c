/* Deterministic RNG: xoshiro256** seeded by splitmix64 from (seed, stream). */
#include "internal.h"
#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void limn_rng_init(limn_rng *rng, uint64_t seed, uint64_t stream) {
  uint64_t h = stream;
  uint64_t x = seed ^ splitmix64(&h); /* stream hashed, so nearby streams differ */
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64(&x);
  rng->spare = 0.0;
  rng->has_spare = 0;
}

uint64_t limn_rng_u64(limn_rng *r) { return limn__rng_next(r); }

double limn_rng_uniform(limn_rng *r) { return limn__rng_uniform(r); }

uint64_t limn_rng_below(limn_rng *r, uint64_t n) { return limn__rng_below(r, n); }

uint64_t limn__rng_below_rest(limn_rng *r, uint32_t n32, uint64_t m) {
  uint32_t t = (uint32_t)(-n32) % n32; /* Lemire's rejection of the biased low part */
  while ((uint32_t)m < t)
    m = (limn__rng_next(r) >> 32) * n32;
  return m >> 32;
}

uint64_t limn__rng_below_big(limn_rng *r, uint64_t n) {
  /* rejection of the top partial block: no modulo bias */
  uint64_t lim = UINT64_MAX - UINT64_MAX % n;
  uint64_t v;
  do
    v = limn__rng_next(r);
  while (v >= lim);
  return v % n;
}

double limn_rng_normal(limn_rng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  double u, v, s;
  do {
    u = 2.0 * limn_rng_uniform(r) - 1.0;
    v = 2.0 * limn_rng_uniform(r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  double m = sqrt(-2.0 * log(s) / s);
  r->spare = v * m;
  r->has_spare = 1;
  return u * m;
}

void limn_rng_shuffle(limn_rng *r, size_t *idx, size_t n) {
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)limn_rng_below(r, i);
    size_t t = idx[i - 1];
    idx[i - 1] = idx[j];
    idx[j] = t;
  }
}

/* Eight xoshiro256** lanes, two vectors of four (two independent dependency chains):
 * state st[8 w + l] is word w of lane l; lane l gives u[8 q + l]. The products by 5
 * and 9 as shifts and adds (the same values modulo 2^64; AVX2 has no 64-bit
 * multiply); a uniform from the top 52 bits as the double in [1, 2) minus 1. */
#if defined(__GNUC__)
typedef uint64_t limn__v4u __attribute__((vector_size(32)));
typedef double limn__v4d __attribute__((vector_size(32)));

/* m = the lanes' next outputs (state word 1 is s1) */
#define XOSHIRO_RAW(m, s1)                                                                                   \
  do {                                                                                                       \
    (m) = (s1) + ((s1) << 2); /* s1 * 5 */                                                                   \
    (m) = (m) << 7 | (m) >> 57;                                                                              \
    (m) = (m) + ((m) << 3); /* * 9 */                                                                        \
  } while (0)
/* d = the uniforms of the lanes' next outputs: their top 52 bits */
#define XOSHIRO_OUT(d, s1, one)                                                                              \
  do {                                                                                                       \
    limn__v4u m_;                                                                                            \
    XOSHIRO_RAW(m_, s1);                                                                                     \
    (d) = (limn__v4d)(m_ >> 12 | (one)) - 1.0;                                                               \
  } while (0)
/* d, e = two uniforms of 32 bits from the lanes' next outputs: the top and the bottom half */
#define XOSHIRO_OUT2(d, e, s1, one)                                                                          \
  do {                                                                                                       \
    limn__v4u m_;                                                                                            \
    XOSHIRO_RAW(m_, s1);                                                                                     \
    (d) = (limn__v4d)(m_ >> 32 << 20 | (one)) - 1.0;                                                         \
    (e) = (limn__v4d)(m_ << 32 >> 12 | (one)) - 1.0;                                                         \
  } while (0)
/* one step of the lanes' states */
#define XOSHIRO_STEP(s0, s1, s2, s3)                                                                         \
  do {                                                                                                       \
    limn__v4u t_ = (s1) << 17;                                                                               \
    (s2) ^= (s0), (s3) ^= (s1), (s1) ^= (s2), (s0) ^= (s3), (s2) ^= t_;                                      \
    (s3) = (s3) << 45 | (s3) >> 19;                                                                          \
  } while (0)

/* u[q] from lane q mod 8's outputs: their top 52 bits, or with v, their top and bottom
 * 32 bits as u[q] and v[q]. */
LIMN_CLONES static void xoshiro8(uint64_t *st, double *u, double *v, size_t n) {
  limn__v4u a0, a1, a2, a3, b0, b1, b2, b3;
  memcpy(&a0, st, 32), memcpy(&b0, st + 4, 32), memcpy(&a1, st + 8, 32), memcpy(&b1, st + 12, 32);
  memcpy(&a2, st + 16, 32), memcpy(&b2, st + 20, 32), memcpy(&a3, st + 24, 32), memcpy(&b3, st + 28, 32);
  const limn__v4u one = {0x3FF0000000000000ULL, 0x3FF0000000000000ULL, 0x3FF0000000000000ULL,
                         0x3FF0000000000000ULL};
  for (size_t q = 0; q < n; q += 8) {
    limn__v4d da, db, ea = {0}, eb = {0};
    if (v) {
      XOSHIRO_OUT2(da, ea, a1, one);
      XOSHIRO_OUT2(db, eb, b1, one);
    } else {
      XOSHIRO_OUT(da, a1, one);
      XOSHIRO_OUT(db, b1, one);
    }
    XOSHIRO_STEP(a0, a1, a2, a3);
    XOSHIRO_STEP(b0, b1, b2, b3);
    double tu[8], tv[8]; /* the last 1..7: one more output of each lane, part of it kept */
    size_t k = n - q < 8 ? n - q : 8;
    double *pu = k == 8 ? u + q : tu, *pv = k == 8 && v ? v + q : tv;
    memcpy(pu, &da, 32), memcpy(pu + 4, &db, 32);
    if (v)
      memcpy(pv, &ea, 32), memcpy(pv + 4, &eb, 32);
    for (size_t l = 0; k < 8 && l < k; l++) {
      u[q + l] = tu[l];
      if (v)
        v[q + l] = tv[l];
    }
  }
}
#else
static void xoshiro8(uint64_t *st, double *u, double *v,
                     size_t n) { /* the lanes as generators of their own */
  limn_rng lane[8];
  for (size_t l = 0; l < 8; l++)
    for (size_t w = 0; w < 4; w++)
      lane[l].s[w] = st[8 * w + l];
  for (size_t q = 0; q < n; q++) {
    uint64_t m = limn__rng_next(&lane[q & 7]), one = 0x3FF0000000000000ULL;
    uint64_t b = v ? (m >> 32 << 20) | one : (m >> 12) | one, c = (m << 32 >> 12) | one;
    double d, e;
    memcpy(&d, &b, 8);
    memcpy(&e, &c, 8);
    u[q] = d - 1.0;
    if (v)
      v[q] = e - 1.0;
  }
}
#endif

static void lanes_seed(limn_rng *r, uint64_t *st) {
  uint64_t x = limn__rng_next(r);
  for (size_t l = 0; l < 8; l++)
    for (size_t w = 0; w < 4; w++)
      st[8 * w + l] = splitmix64(&x);
}

void limn__rng_uniforms(limn_rng *r, double *u, size_t n) {
  uint64_t st[32];
  lanes_seed(r, st);
  xoshiro8(st, u, NULL, n);
}

void limn__rng_uniform_pairs(limn_rng *r, double *u, double *v, size_t n) {
  uint64_t st[32];
  lanes_seed(r, st);
  xoshiro8(st, u, v, n);
}

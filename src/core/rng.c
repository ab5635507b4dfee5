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

/* Four xoshiro256** lanes: state st[4 w + l] is word w of lane l. The products by 5
 * and 9 as shifts and adds (the same values modulo 2^64; AVX2 has no 64-bit
 * multiply); a uniform from the top 52 bits as the double in [1, 2) minus 1. */
#if defined(__GNUC__)
typedef uint64_t limn__v4u __attribute__((vector_size(32)));
typedef double limn__v4d __attribute__((vector_size(32)));

LIMN_CLONES static void xoshiro4(uint64_t *st, double *u, size_t n) {
  limn__v4u s0, s1, s2, s3;
  memcpy(&s0, st, 32), memcpy(&s1, st + 4, 32), memcpy(&s2, st + 8, 32), memcpy(&s3, st + 12, 32);
  const limn__v4u one = {0x3FF0000000000000ULL, 0x3FF0000000000000ULL, 0x3FF0000000000000ULL,
                         0x3FF0000000000000ULL};
  size_t q = 0;
  for (; q + 4 <= n; q += 4) {
    limn__v4u x = s1 + (s1 << 2); /* s1 * 5 */
    x = (x << 7) | (x >> 57);
    x = x + (x << 3); /* * 9 */
    limn__v4u t = s1 << 17;
    s2 ^= s0, s3 ^= s1, s1 ^= s2, s0 ^= s3, s2 ^= t;
    s3 = (s3 << 45) | (s3 >> 19);
    limn__v4d d = (limn__v4d)((x >> 12) | one) - 1.0;
    memcpy(u + q, &d, 32);
  }
  if (q < n) { /* the last 1..3: one more step, part of it kept */
    limn__v4u x = s1 + (s1 << 2);
    x = (x << 7) | (x >> 57);
    x = x + (x << 3);
    limn__v4d d = (limn__v4d)((x >> 12) | one) - 1.0;
    double tail[4];
    memcpy(tail, &d, 32);
    for (size_t l = 0; q < n; q++, l++)
      u[q] = tail[l];
  }
}
#else
static void xoshiro4(uint64_t *st, double *u, size_t n) {
  for (size_t q = 0; q < n; q++) {
    uint64_t *s0 = st + (q & 3), *s1 = s0 + 4, *s2 = s0 + 8, *s3 = s0 + 12;
    uint64_t x = limn__rotl(*s1 * 5, 7) * 9, t = *s1 << 17, b;
    *s2 ^= *s0, *s3 ^= *s1, *s1 ^= *s2, *s0 ^= *s3, *s2 ^= t;
    *s3 = limn__rotl(*s3, 45);
    b = (x >> 12) | 0x3FF0000000000000ULL;
    double d;
    memcpy(&d, &b, 8);
    u[q] = d - 1.0;
  }
}
#endif

void limn__rng_uniforms(limn_rng *r, double *u, size_t n) {
  uint64_t st[16], x = limn__rng_next(r);
  for (size_t l = 0; l < 4; l++)
    for (size_t w = 0; w < 4; w++)
      st[4 * w + l] = splitmix64(&x);
  xoshiro4(st, u, n);
}

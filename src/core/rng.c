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

/* Shortest round-trip digits of a double: Ryu (Ulf Adams, "Ryu: fast float-to-string
 * conversion", PLDI 2018). v = m2 x 2^e2 has the rounding interval (u, w) around it,
 * the reals that read back as v; the three ends 4*m2 and 4*m2 +- 2 (or -1 next to a
 * power of two) are multiplied by one 125-bit power of 5 (or its inverse) from
 * pow5_tables.h and shifted, giving vm < vr < vp scaled by 10^-e10 with enough bits
 * that the decimal digits shared by vm and vp are exact. Digits are then dropped while
 * vm and vp still differ in what remains: what is left is the shortest decimal inside
 * the interval, rounded to the closest (ties to even). The "trailing zeros" flags
 * track whether the dropped parts of vm and vr were exactly zero, which only matters
 * for ends that lie on the interval and for exact ties; they are computed from the
 * powers of 2 and 5 dividing the integers before the multiplication.
 *
 * Needs a 128-bit product (GCC and Clang on 64-bit targets); elsewhere the caller
 * keeps its other route. Tested against the printf/strtod search over millions of
 * values (tests/unit/test_core.c). */
#include "internal.h"

#ifdef __SIZEOF_INT128__
#include "pow5_tables.h"

__extension__ typedef unsigned __int128 u128;

static uint32_t pow5bits(int32_t e) { return (uint32_t)(((uint32_t)e * 1217359u) >> 19) + 1; }
static uint32_t log10pow2(int32_t e) { return ((uint32_t)e * 78913u) >> 18; }
static uint32_t log10pow5(int32_t e) { return ((uint32_t)e * 732923u) >> 20; }

static uint32_t pow5factor(uint64_t v) { /* v > 0 */
  uint32_t c = 0;
  while (v % 5 == 0)
    v /= 5, c++;
  return c;
}
static int multiple_of_pow5(uint64_t v, uint32_t p) { return pow5factor(v) >= p; }
static int multiple_of_pow2(uint64_t v, uint32_t p) { return (v & ((1ull << p) - 1)) == 0; }

/* (m x mul) >> j, mul a 125-bit {low, high} pair, 64 < j < 192. */
static uint64_t mulshift(uint64_t m, const uint64_t *mul, int32_t j) {
  u128 lo = (u128)m * mul[0], hi = (u128)m * mul[1];
  return (uint64_t)(((lo >> 64) + hi) >> (j - 64));
}

int limn__shortest_digits_ryu(double v, char *digits, int *len, int *point) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  uint64_t mant = bits & ((1ull << 52) - 1);
  uint32_t expo = (uint32_t)(bits >> 52) & 0x7ffu;
  if (expo == 0x7ffu || (expo == 0 && mant == 0))
    return 0; /* not finite, or zero: the caller's */
  int32_t e2;
  uint64_t m2;
  if (expo == 0)
    e2 = 1 - 1023 - 52 - 2, m2 = mant;
  else
    e2 = (int32_t)expo - 1023 - 52 - 2, m2 = (1ull << 52) | mant;
  int accept = (m2 & 1) == 0; /* an even mantissa: the interval's ends read back as v */
  uint64_t mv = 4 * m2;
  uint32_t mmshift = mant != 0 || expo <= 1; /* below a power of two the gap halves */
  uint64_t vr, vp, vm;
  int32_t e10;
  int vm_zeros = 0, vr_zeros = 0;
  if (e2 >= 0) {
    uint32_t q = log10pow2(e2) - (e2 > 3);
    e10 = (int32_t)q;
    int32_t k = 125 + (int32_t)pow5bits((int32_t)q) - 1;
    int32_t i = -e2 + (int32_t)q + k;
    vr = mulshift(mv, limn_pow5_inv[q], i);
    vp = mulshift(mv + 2, limn_pow5_inv[q], i);
    vm = mulshift(mv - 1 - mmshift, limn_pow5_inv[q], i);
    if (q <= 21) { /* at most one of mv, mp, mm is a multiple of 5 */
      if (mv % 5 == 0)
        vr_zeros = multiple_of_pow5(mv, q);
      else if (accept)
        vm_zeros = multiple_of_pow5(mv - 1 - mmshift, q);
      else
        vp -= (uint64_t)multiple_of_pow5(mv + 2, q);
    }
  } else {
    uint32_t q = log10pow5(-e2) - (-e2 > 1);
    e10 = (int32_t)q + e2;
    int32_t i = -e2 - (int32_t)q;
    int32_t k = (int32_t)pow5bits(i) - 125;
    int32_t j = (int32_t)q - k;
    vr = mulshift(mv, limn_pow5[i], j);
    vp = mulshift(mv + 2, limn_pow5[i], j);
    vm = mulshift(mv - 1 - mmshift, limn_pow5[i], j);
    if (q <= 1) { /* mv has two trailing zero bits, mp one, mm one iff mmshift */
      vr_zeros = 1;
      if (accept)
        vm_zeros = mmshift == 1;
      else
        vp--;
    } else if (q < 63) {
      vr_zeros = multiple_of_pow2(mv, q);
    }
  }
  int32_t removed = 0;
  uint64_t out;
  if (vm_zeros || vr_zeros) { /* the general case: exact ends and ties */
    int last = 0;
    while (vp / 10 > vm / 10) {
      vm_zeros &= vm % 10 == 0;
      vr_zeros &= last == 0;
      last = (int)(vr % 10);
      vr /= 10, vp /= 10, vm /= 10, removed++;
    }
    if (vm_zeros)
      while (vm % 10 == 0) {
        vr_zeros &= last == 0;
        last = (int)(vr % 10);
        vr /= 10, vp /= 10, vm /= 10, removed++;
      }
    if (vr_zeros && last == 5 && vr % 2 == 0)
      last = 4; /* an exact tie: to even */
    out = vr + ((vr == vm && (!accept || !vm_zeros)) || last >= 5);
  } else { /* the common case: neither end nor a tie is exact */
    int up = 0;
    uint64_t p100 = vp / 100, m100 = vm / 100;
    if (p100 > m100) {
      uint64_t r100 = vr / 100;
      up = vr - 100 * r100 >= 50;
      vr = r100, vp = p100, vm = m100, removed += 2;
    }
    for (;;) {
      uint64_t p10 = vp / 10, m10 = vm / 10;
      if (p10 <= m10)
        break;
      uint64_t r10 = vr / 10;
      up = vr - 10 * r10 >= 5;
      vr = r10, vp = p10, vm = m10, removed++;
    }
    out = vr + (vr == vm || up);
  }
  int32_t ex = e10 + removed;
  for (uint64_t o10 = out / 10; out == 10 * o10; o10 = out / 10)
    out = o10, ex++;
  /* the digits of out (< 10^17): most have 15 to 17, so counted down */
  static const uint64_t p10[] = {10u,
                                 100u,
                                 1000u,
                                 10000u,
                                 100000u,
                                 1000000u,
                                 10000000u,
                                 100000000u,
                                 1000000000u,
                                 10000000000u,
                                 100000000000u,
                                 1000000000000u,
                                 10000000000000u,
                                 100000000000000u,
                                 1000000000000000u,
                                 10000000000000000u};
  int n = 17;
  while (n > 1 && out < p10[n - 2])
    n--;
  static const char pairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  int at = n;
  while (out >= 100) {
    uint64_t o100 = out / 100;
    unsigned r = (unsigned)(out - 100 * o100);
    at -= 2;
    digits[at] = pairs[2 * r], digits[at + 1] = pairs[2 * r + 1];
    out = o100;
  }
  if (out >= 10) {
    at -= 2;
    digits[at] = pairs[2 * out], digits[at + 1] = pairs[2 * out + 1];
  } else {
    digits[--at] = (char)('0' + out);
  }
  *len = n;
  *point = n + ex;
  return 1;
}
#else
int limn__shortest_digits_ryu(double v, char *digits, int *len, int *point) {
  (void)v, (void)digits, (void)len, (void)point;
  return 0;
}
#endif

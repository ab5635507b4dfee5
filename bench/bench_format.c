/* Shortest round-trip formatting of doubles (issue 19: writing numbers must not
 * dominate): limn_format_double (Ryu's digits, src/core/shortest.c) against, in the
 * same process on the same values, the printf/strtod search it must equal, printf's
 * "%.17g" (17 digits, not the shortest), and the digits alone against Google's
 * double-conversion (FastDtoa, what limn used before) when the library was built with
 * it. Values: 1 million attribution-like numbers (normal draws at scales 1e-8..1e2)
 * and 1 million random bit patterns. Usage: bench_format [REPEATS] (default 5); prints
 * medians in ns per number. */
#include "bench_util.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* internal: the digits routines (the static library has them) */
int limn__shortest_digits_ryu(double v, char *digits, int *len, int *point);
void limn__format_double_search(char *buf, size_t cap, double v);
int limn__shortest_digits(double v, int single, char *digits, int cap, int *len, int *point)
    __attribute__((weak)); /* only with double-conversion */

enum { N = 2000000 };

static double *values(void) {
  double *v = malloc(N * sizeof *v);
  limn_rng r;
  limn_rng_init(&r, 19, 0);
  for (size_t i = 0; i < N; i++) {
    if (i % 2) {
      uint64_t b;
      do {
        b = limn_rng_u64(&r);
        memcpy(&v[i], &b, 8);
      } while (!isfinite(v[i]) || v[i] == 0);
    } else {
      v[i] = limn_rng_normal(&r) * pow(10.0, (double)limn_rng_below(&r, 11) - 8);
    }
  }
  return v;
}

typedef size_t (*fmt_fn)(const double *v, size_t i, char *buf);

static size_t f_limn(const double *v, size_t i, char *b) {
  limn_format_double(b, 40, v[i]);
  return (size_t)b[0];
}
static size_t f_search(const double *v, size_t i, char *b) {
  limn__format_double_search(b, 40, v[i]);
  return (size_t)b[0];
}
static size_t f_printf(const double *v, size_t i, char *b) { return (size_t)snprintf(b, 40, "%.17g", v[i]); }
static size_t f_ryu(const double *v, size_t i, char *b) {
  int n = 0, p = 0;
  limn__shortest_digits_ryu(fabs(v[i]), b, &n, &p);
  return (size_t)n;
}
static size_t f_dconv(const double *v, size_t i, char *b) {
  int n = 0, p = 0;
  limn__shortest_digits(fabs(v[i]), 0, b, 40, &n, &p);
  return (size_t)n;
}

/* Median ns per number over reps passes (the search: a tenth of the values). */
static double run(fmt_fn f, const double *v, size_t n, int reps, size_t *sink) {
  double t[32];
  char b[48];
  for (int r = 0; r < reps; r++) {
    double t0 = bench_now();
    for (size_t i = 0; i < n; i++)
      *sink += f(v, i, b);
    t[r] = (bench_now() - t0) / (double)n * 1e9;
  }
  return bench_median(t, reps);
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 5;
  reps = reps < 1 ? 1 : reps > 31 ? 31 : reps;
  double *v = values();
  size_t sink = 0, same = 0;
  char a[48], b[48];
  for (size_t i = 0; i < N; i += 10) { /* the texts are the search's */
    limn_format_double(a, sizeof a, v[i]);
    limn__format_double_search(b, sizeof b, v[i]);
    same += !strcmp(a, b);
  }
  double lf = run(f_limn, v, N, reps, &sink), ps = run(f_search, v, N / 10, reps, &sink),
         pf = run(f_printf, v, N, reps, &sink), ry = run(f_ryu, v, N, reps, &sink);
  printf("shortest round-trip text of a double, %d values (half attribution-like, half random bits), "
         "medians of %d\n",
         N, reps);
  printf("  limn_format_double        %7.1f ns   (texts equal to the search's: %zu of %d checked)\n", lf,
         same, N / 10);
  printf("  printf/strtod search      %7.1f ns   (x%.1f of limn)\n", ps, ps / lf);
  printf("  printf %%.17g (not shortest) %5.1f ns   (x%.1f of limn)\n", pf, pf / lf);
  printf("  digits: Ryu               %7.1f ns\n", ry);
  if (limn__shortest_digits) {
    double dc = run(f_dconv, v, N, reps, &sink);
    printf("  digits: double-conversion %7.1f ns   (x%.2f of Ryu)\n", dc, dc / ry);
  } else {
    printf("  digits: double-conversion  (not in this build)\n");
  }
  free(v);
  return sink == 42; /* keeps the work */
}

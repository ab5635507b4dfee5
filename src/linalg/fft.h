/* Complex FFT of 5-smooth lengths (factors 2, 3 and 5): a mixed-radix Stockham
 * transform written for limn (no external FFT library). Internal. */
#ifndef LIMN_LINALG_FFT_H
#define LIMN_LINALG_FFT_H

#include "../core/internal.h"

typedef struct limn__fft {
  size_t n;
  size_t nstages;
  int radix[64];
  size_t twoff[64]; /* offset of each stage's twiddles in tw (complex pairs) */
  double *tw;       /* e^{-2 pi i j p / len} of every stage, interleaved re, im */
} limn__fft;

/* The smallest 5-smooth number >= n. */
size_t limn__fft_good_size(size_t n);
/* A plan for length n (5-smooth, >= 1): LIMN_EINVAL otherwise. */
int limn__fft_plan(limn_ctx *ctx, size_t n, limn__fft **out);
void limn__fft_free(limn_ctx *ctx, limn__fft *p);
/* x (n complex, interleaved re, im) transformed in place: forward
 * X_k = sum_j x_j e^{-2 pi i jk/n}, or inverse with e^{+...} (unnormalised). work:
 * n complex. */
void limn__fft_run(const limn__fft *p, double *x, double *work, int inverse);
/* `batch` sequences at once, interleaved: element j of sequence c at x[j batch + c]
 * (complex), e.g. the columns of a row-major array with `batch` columns. Each comes out
 * bit for bit as limn__fft_run would give it. work: n batch complex. */
void limn__fft_run_batch(const limn__fft *p, double *x, double *work, int inverse, size_t batch);

#endif

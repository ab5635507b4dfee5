/* Matrix kernels. Row-major, explicit leading dimensions. */
#ifndef LIMN_LINALG_H
#define LIMN_LINALG_H

#include "../core/internal.h"

/* C (M, N) = alpha * op(A) op(B) + beta * C.
 * op(A): (M, K) is A (M, K) with lda when !ta, else A^T of A (K, M).
 * op(B): (K, N) is B (K, N) with ldb when !tb, else B^T of B (N, K).
 * Dispatches on `kernel` (AUTO = BLAS when built with it). For a fixed (ta, tb, N,
 * K) and kernel, row i of C depends only on row i of op(A), B and C: the reduction
 * over K runs in one fixed order. (The BLAS kernel keeps this only for equal M,
 * which is why callers pass whole fixed-size chunks.) */
void limn__sgemm(limn_kernel kernel, int ta, int tb, size_t M, size_t N, size_t K, float alpha,
                 const float *A, size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc);
/* Portable blocked kernel: plain C the compiler vectorises. */
void limn__sgemm_portable(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
                          size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc);
/* C (M, N) = act(bias + A (M, K) B (K, N)), act ReLU when `relu` else none: what a
 * copy of the bias (N) into every row of C, limn__sgemm_portable(0, 0, ..., 1, C) and
 * limn__activate's ReLU give, bit for bit, in one pass (the bias loaded into the
 * accumulators, the ReLU applied before the store). */
void limn__sgemm_bias(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,
                      const float *bias, int relu, float *C, size_t ldc);
/* C (M, N) = rbias[i] + A (M, K) B (K, N) in row i (0 + A B when rbias is NULL): a
 * fill of each row of C with its bias and limn__sgemm_portable(0, 0, ..., 1, C), bit for
 * bit (a convolution's maps and their biases). */
void limn__sgemm_rowbias(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
                         size_t ldb, const float *rbias, float *C, size_t ldc);
/* Naive reference twin: triple loop, double accumulator (tests). */
void limn__sgemm_ref(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A, size_t lda,
                     const float *B, size_t ldb, float beta, float *C, size_t ldc);
/* C (M, N) += A (M, K) B (K, N), portable, skipping the k whose A values are all zero
 * in a block of four rows (ReLU outputs are often zero). Each element adds its
 * non-skipped terms in ascending k, so its value equals the full sum's; only the
 * sign of a zero result can differ, and it depends on the four rows of the block:
 * callers keep their blocks fixed (IG's path points of one row). */
void limn__sgemm_nn_sparse(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
                           size_t ldb, float *C, size_t ldc);
/* The portable kernels' AVX-512 tiles (same bits, used where the CPU has them): on
 * = 1 uses them where the CPU has them, 0 never, -1 leaves the choice. Returns
 * whether they were in use before; 0 on builds without them. For tests. */
int limn__gemm_wide(int on);
/* The kernel AUTO resolves to. */
limn_kernel limn__kernel_resolve(limn_kernel k);

#endif

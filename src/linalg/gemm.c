/* sgemm: BLAS, portable and reference kernels. */
#include "linalg.h"
#ifdef LIMN_HAVE_CBLAS
#include <cblas.h>
#endif

limn_kernel limn__kernel_resolve(limn_kernel k) {
  if (k == LIMN_KERNEL_AUTO || (k == LIMN_KERNEL_BLAS && !limn_have_blas()))
    return limn_have_blas() ? LIMN_KERNEL_BLAS : LIMN_KERNEL_PORTABLE;
  return k;
}

#define AT(P, ld, r, c) ((P)[(size_t)(r) * (ld) + (c)])

void limn__sgemm_ref(int ta, int tb, size_t M, size_t N, size_t K, float alpha,
                     const float *A, size_t lda, const float *B, size_t ldb, float beta,
                     float *C, size_t ldc) {
  for (size_t i = 0; i < M; i++)
    for (size_t j = 0; j < N; j++) {
      double acc = 0.0;
      for (size_t k = 0; k < K; k++) {
        double a = ta ? AT(A, lda, k, i) : AT(A, lda, i, k);
        double b = tb ? AT(B, ldb, j, k) : AT(B, ldb, k, j);
        acc += a * b;
      }
      float prev = beta == 0.0f ? 0.0f : beta * AT(C, ldc, i, j);
      AT(C, ldc, i, j) = (float)(alpha * acc) + prev;
    }
}

/* Scale row i of C by beta (beta = 0 clears, even NaN). */
static void scale_rows(size_t M, size_t N, float beta, float *C, size_t ldc) {
  if (beta == 1.0f)
    return;
  for (size_t i = 0; i < M; i++) {
    float *c = C + i * ldc;
    if (beta == 0.0f)
      memset(c, 0, N * sizeof *c);
    else
      for (size_t j = 0; j < N; j++)
        c[j] *= beta;
  }
}

/* Dot product of two contiguous vectors with 8 partial sums in a fixed order. */
static float dot8(const float *a, const float *b, size_t K) {
  float acc[8] = {0};
  size_t k = 0;
  for (; k + 8 <= K; k += 8)
    for (int l = 0; l < 8; l++)
      acc[l] += a[k + l] * b[k + l];
  for (; k < K; k++)
    acc[k & 7] += a[k] * b[k];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* C += alpha * A B^T, A (M, K), B (N, K): one dot product per element. */
static void gemm_nt(size_t M, size_t N, size_t K, float alpha, const float *A, size_t lda,
                    const float *B, size_t ldb, float *C, size_t ldc) {
  for (size_t i = 0; i < M; i++) {
    const float *a = A + i * lda;
    float *c = C + i * ldc;
    for (size_t j = 0; j < N; j++)
      c[j] += alpha * dot8(a, B + j * ldb, K);
  }
}

/* C += alpha * op(A) B with B (K, N): rank-1 updates of each C row, k in order. */
static void gemm_xn(int ta, size_t M, size_t N, size_t K, float alpha, const float *A,
                    size_t lda, const float *B, size_t ldb, float *C, size_t ldc) {
  for (size_t i = 0; i < M; i++) {
    float *c = C + i * ldc;
    for (size_t k = 0; k < K; k++) {
      float a = alpha * (ta ? AT(A, lda, k, i) : AT(A, lda, i, k));
      if (a == 0.0f)
        continue;
      const float *b = B + k * ldb;
      for (size_t j = 0; j < N; j++)
        c[j] += a * b[j];
    }
  }
}

/* C += alpha * op(A) B^T with op(A) = A^T: gather A's column, then dot products. */
static void gemm_tt(size_t M, size_t N, size_t K, float alpha, const float *A, size_t lda,
                    const float *B, size_t ldb, float *C, size_t ldc) {
  for (size_t i = 0; i < M; i++)
    for (size_t j = 0; j < N; j++) {
      float acc = 0.0f;
      for (size_t k = 0; k < K; k++)
        acc += AT(A, lda, k, i) * AT(B, ldb, j, k);
      AT(C, ldc, i, j) += alpha * acc;
    }
}

void limn__sgemm_portable(int ta, int tb, size_t M, size_t N, size_t K, float alpha,
                          const float *A, size_t lda, const float *B, size_t ldb,
                          float beta, float *C, size_t ldc) {
  scale_rows(M, N, beta, C, ldc);
  if (!ta && tb)
    gemm_nt(M, N, K, alpha, A, lda, B, ldb, C, ldc);
  else if (!tb)
    gemm_xn(ta, M, N, K, alpha, A, lda, B, ldb, C, ldc);
  else
    gemm_tt(M, N, K, alpha, A, lda, B, ldb, C, ldc);
}

void limn__sgemm(limn_kernel kernel, int ta, int tb, size_t M, size_t N, size_t K,
                 float alpha, const float *A, size_t lda, const float *B, size_t ldb,
                 float beta, float *C, size_t ldc) {
  if (M == 0 || N == 0)
    return;
  switch (limn__kernel_resolve(kernel)) {
#ifdef LIMN_HAVE_CBLAS
  case LIMN_KERNEL_BLAS:
    if (K == 0) {
      scale_rows(M, N, beta, C, ldc);
      return;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)M, (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
    return;
#endif
  case LIMN_KERNEL_REF:
    limn__sgemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  default:
    limn__sgemm_portable(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
}

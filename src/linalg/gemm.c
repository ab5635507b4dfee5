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

void limn__sgemm_ref(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A, size_t lda,
                     const float *B, size_t ldb, float beta, float *C, size_t ldc) {
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
static void gemm_nt(size_t M, size_t N, size_t K, float alpha, const float *A, size_t lda, const float *B,
                    size_t ldb, float *C, size_t ldc) {
  for (size_t i = 0; i < M; i++) {
    const float *a = A + i * lda;
    float *c = C + i * ldc;
    for (size_t j = 0; j < N; j++)
      c[j] += alpha * dot8(a, B + j * ldb, K);
  }
}

/* c_r[j] += a_r * b[j] for four rows r. */
LIMN_CLONES static void axpy4(size_t N, float a0, float a1, float a2, float a3, const float *restrict b,
                              float *restrict c0, float *restrict c1, float *restrict c2,
                              float *restrict c3) {
  for (size_t j = 0; j < N; j++) {
    float bj = b[j];
    c0[j] += a0 * bj;
    c1[j] += a1 * bj;
    c2[j] += a2 * bj;
    c3[j] += a3 * bj;
  }
}

/* The 4 x 16 register tile, c_r[0..16) = init_r + sum_k a_r[k] b[k][0..16) for four
 * rows, init_r = c_r, or `bias` for every row when given; each element adds its k
 * terms in ascending order, as axpy4 does. With `skip`, a k whose four a values are
 * all zero is left out (the value is the same; only the sign of a zero sum can
 * differ: for activations after a ReLU). With `relu`, negative, zero and NaN sums are
 * stored as 0 (h > 0 ? h : 0, limn__activate's ReLU). Inlined into each variant below
 * with its flags constant. With GCC and clang the accumulators are vectors of 8 (as
 * arrays, GCC kept them in memory: a store and a load on every step); the same
 * multiplications and additions, so the same bits. */
#if defined(__GNUC__)
typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));

/* v = the 8 floats at p (an unaligned load; a macro, not a function: a vector-valued
 * function outside the AVX2 clone would change the ABI). */
#define LOAD8(v, p) memcpy(&(v), (p), sizeof(v8f))

static inline __attribute__((always_inline)) void
tile_body(size_t K, const float *a, size_t lda, const float *b, size_t ldb, const float *bias, int skip,
          int relu, float *restrict c0, float *restrict c1, float *restrict c2, float *restrict c3) {
  v8f r00, r01, r10, r11, r20, r21, r30, r31;
  if (bias) {
    LOAD8(r00, bias), LOAD8(r01, bias + 8);
    r10 = r20 = r30 = r00, r11 = r21 = r31 = r01;
  } else {
    LOAD8(r00, c0), LOAD8(r01, c0 + 8), LOAD8(r10, c1), LOAD8(r11, c1 + 8);
    LOAD8(r20, c2), LOAD8(r21, c2 + 8), LOAD8(r30, c3), LOAD8(r31, c3 + 8);
  }
  for (size_t k = 0; k < K; k++) {
    float a0 = a[k], a1 = a[lda + k], a2 = a[2 * lda + k], a3 = a[3 * lda + k];
    if (skip && a0 == 0.0f && a1 == 0.0f && a2 == 0.0f && a3 == 0.0f)
      continue;
    const float *bk = b + k * ldb;
    v8f b0, b1;
    LOAD8(b0, bk), LOAD8(b1, bk + 8);
    r00 += b0 * a0, r01 += b1 * a0; /* vector * scalar: the scalar broadcast */
    r10 += b0 * a1, r11 += b1 * a1;
    r20 += b0 * a2, r21 += b1 * a2;
    r30 += b0 * a3, r31 += b1 * a3;
  }
  if (relu) { /* keep the bits of the positive sums, zero the rest */
    const v8f z = {0};
    r00 = (v8f)((v8i)r00 & (r00 > z)), r01 = (v8f)((v8i)r01 & (r01 > z));
    r10 = (v8f)((v8i)r10 & (r10 > z)), r11 = (v8f)((v8i)r11 & (r11 > z));
    r20 = (v8f)((v8i)r20 & (r20 > z)), r21 = (v8f)((v8i)r21 & (r21 > z));
    r30 = (v8f)((v8i)r30 & (r30 > z)), r31 = (v8f)((v8i)r31 & (r31 > z));
  }
  memcpy(c0, &r00, 32), memcpy(c0 + 8, &r01, 32), memcpy(c1, &r10, 32), memcpy(c1 + 8, &r11, 32);
  memcpy(c2, &r20, 32), memcpy(c2 + 8, &r21, 32), memcpy(c3, &r30, 32), memcpy(c3 + 8, &r31, 32);
}
#else
static inline void tile_body(size_t K, const float *a, size_t lda, const float *b, size_t ldb,
                             const float *bias, int skip, int relu, float *restrict c0, float *restrict c1,
                             float *restrict c2, float *restrict c3) {
  float r[4][16], *c[4] = {c0, c1, c2, c3};
  for (int q = 0; q < 4; q++)
    for (int j = 0; j < 16; j++)
      r[q][j] = bias ? bias[j] : c[q][j];
  for (size_t k = 0; k < K; k++) {
    float a0 = a[k], a1 = a[lda + k], a2 = a[2 * lda + k], a3 = a[3 * lda + k];
    if (skip && a0 == 0.0f && a1 == 0.0f && a2 == 0.0f && a3 == 0.0f)
      continue;
    const float *bk = b + k * ldb;
    for (int j = 0; j < 16; j++) {
      r[0][j] += a0 * bk[j];
      r[1][j] += a1 * bk[j];
      r[2][j] += a2 * bk[j];
      r[3][j] += a3 * bk[j];
    }
  }
  for (int q = 0; q < 4; q++)
    for (int j = 0; j < 16; j++)
      c[q][j] = !relu || r[q][j] > 0.0f ? r[q][j] : 0.0f;
}
#endif

/* c_r[0..16) += sum_k a_r[k] b[k][0..16) for four rows. */
LIMN_CLONES static void tile4x16(size_t K, const float *a, size_t lda, const float *b, size_t ldb,
                                 float *restrict c0, float *restrict c1, float *restrict c2,
                                 float *restrict c3) {
  tile_body(K, a, lda, b, ldb, NULL, 0, 0, c0, c1, c2, c3);
}

/* tile4x16 for C = act(bias + A B): what a copy of the bias into C, tile4x16 and,
 * with `relu`, limn__activate's ReLU give. */
LIMN_CLONES static void tile4x16_bias(size_t K, const float *a, size_t lda, const float *b, size_t ldb,
                                      const float *bias, int relu, float *restrict c0, float *restrict c1,
                                      float *restrict c2, float *restrict c3) {
  if (relu)
    tile_body(K, a, lda, b, ldb, bias, 0, 1, c0, c1, c2, c3);
  else
    tile_body(K, a, lda, b, ldb, bias, 0, 0, c0, c1, c2, c3);
}

/* tile4x16 leaving out each k whose four a values are all zero. */
LIMN_CLONES static void tile4x16_skip(size_t K, const float *a, size_t lda, const float *b, size_t ldb,
                                      float *restrict c0, float *restrict c1, float *restrict c2,
                                      float *restrict c3) {
  tile_body(K, a, lda, b, ldb, NULL, 1, 0, c0, c1, c2, c3);
}

/* AVX-512 register tiles: 4 (or 1) rows x 32 (or 16) columns in 16-float vectors, the
 * columns past the matrix's edge masked off (no load or store touches them). The
 * same multiplications and additions in the same order as tile_body and the scalar
 * remainders (each element: its initial value, then + a[k] * b[k] for k ascending,
 * a product rounded, then the sum rounded: no FMA), so the same bits on every CPU;
 * only faster where the CPU has AVX-512 (twice the lanes, and no remainder loops).
 * Chosen at run time; limn__gemm_wide switches it off for the tests that compare. */
#if defined(__x86_64__) && defined(__GNUC__)
#define LIMN_GEMM_WIDE 1
#include <immintrin.h>

static int wide_off; /* set by the tests only, while no other thread runs */

static int wide_on(void) { return !wide_off && __builtin_cpu_supports("avx512f"); }

int limn__gemm_wide(int on) {
  int was = wide_on();
  if (on >= 0)
    wide_off = !on;
  return was;
}

#define WIDE_BODY static inline __attribute__((always_inline, target("avx512f")))

/* R rows (1 or 4: a0..a3 and c0..c3, the rest unused when 1) x NV vectors (1 or 2)
 * of columns, m0 and m1 the columns present in each vector. Initial values from c,
 * or 0 (`zero`), or `bias` (per column) or `rbias` (per row, R values) when given; `skip` leaves out a k
 * whose R a values are all zero; `relu` stores h > 0 ? h : 0. */
WIDE_BODY void wide_body(int R, int NV, size_t K, const float *a0, const float *a1, const float *a2,
                         const float *a3, const float *b, size_t ldb, const float *bias, const float *rbias,
                         int skip, int relu, int zero, __mmask16 m0, __mmask16 m1, float *c0, float *c1,
                         float *c2, float *c3) {
  __m512 r00, r01, r10, r11, r20, r21, r30, r31, z = _mm512_setzero_ps();
  r00 = r01 = r10 = r11 = r20 = r21 = r30 = r31 = z;
  if (zero) {
    /* from 0 */
  } else if (bias) {
    r00 = _mm512_maskz_loadu_ps(m0, bias);
    if (NV > 1)
      r01 = _mm512_maskz_loadu_ps(m1, bias + 16);
    r10 = r20 = r30 = r00, r11 = r21 = r31 = r01;
  } else if (rbias) {
    r00 = r01 = _mm512_set1_ps(rbias[0]);
    if (R > 1) {
      r10 = r11 = _mm512_set1_ps(rbias[1]), r20 = r21 = _mm512_set1_ps(rbias[2]);
      r30 = r31 = _mm512_set1_ps(rbias[3]);
    }
  } else {
    r00 = _mm512_maskz_loadu_ps(m0, c0);
    if (NV > 1)
      r01 = _mm512_maskz_loadu_ps(m1, c0 + 16);
    if (R > 1) {
      r10 = _mm512_maskz_loadu_ps(m0, c1), r20 = _mm512_maskz_loadu_ps(m0, c2);
      r30 = _mm512_maskz_loadu_ps(m0, c3);
      if (NV > 1) {
        r11 = _mm512_maskz_loadu_ps(m1, c1 + 16), r21 = _mm512_maskz_loadu_ps(m1, c2 + 16);
        r31 = _mm512_maskz_loadu_ps(m1, c3 + 16);
      }
    }
  }
  for (size_t k = 0; k < K; k++) {
    float x0 = a0[k], x1 = R > 1 ? a1[k] : 0.0f, x2 = R > 1 ? a2[k] : 0.0f, x3 = R > 1 ? a3[k] : 0.0f;
    if (skip && x0 == 0.0f && x1 == 0.0f && x2 == 0.0f && x3 == 0.0f)
      continue;
    const float *bk = b + k * ldb;
    __m512 b0 = _mm512_maskz_loadu_ps(m0, bk), b1 = NV > 1 ? _mm512_maskz_loadu_ps(m1, bk + 16) : z;
    __m512 s = _mm512_set1_ps(x0);
    r00 = _mm512_add_ps(r00, _mm512_mul_ps(b0, s));
    if (NV > 1)
      r01 = _mm512_add_ps(r01, _mm512_mul_ps(b1, s));
    if (R > 1) {
      s = _mm512_set1_ps(x1);
      r10 = _mm512_add_ps(r10, _mm512_mul_ps(b0, s));
      if (NV > 1)
        r11 = _mm512_add_ps(r11, _mm512_mul_ps(b1, s));
      s = _mm512_set1_ps(x2);
      r20 = _mm512_add_ps(r20, _mm512_mul_ps(b0, s));
      if (NV > 1)
        r21 = _mm512_add_ps(r21, _mm512_mul_ps(b1, s));
      s = _mm512_set1_ps(x3);
      r30 = _mm512_add_ps(r30, _mm512_mul_ps(b0, s));
      if (NV > 1)
        r31 = _mm512_add_ps(r31, _mm512_mul_ps(b1, s));
    }
  }
  if (relu) { /* keep the positive sums, zero the rest (NaN compares false) */
    r00 = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r00, z, _CMP_GT_OQ), r00);
    r01 = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r01, z, _CMP_GT_OQ), r01);
    r10 = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r10, z, _CMP_GT_OQ), r10);
    r11 = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r11, z, _CMP_GT_OQ), r11);
    r20 = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r20, z, _CMP_GT_OQ), r20);
    r21 = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r21, z, _CMP_GT_OQ), r21);
    r30 = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r30, z, _CMP_GT_OQ), r30);
    r31 = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r31, z, _CMP_GT_OQ), r31);
  }
  _mm512_mask_storeu_ps(c0, m0, r00);
  if (NV > 1)
    _mm512_mask_storeu_ps(c0 + 16, m1, r01);
  if (R > 1) {
    _mm512_mask_storeu_ps(c1, m0, r10), _mm512_mask_storeu_ps(c2, m0, r20);
    _mm512_mask_storeu_ps(c3, m0, r30);
    if (NV > 1) {
      _mm512_mask_storeu_ps(c1 + 16, m1, r11), _mm512_mask_storeu_ps(c2 + 16, m1, r21);
      _mm512_mask_storeu_ps(c3 + 16, m1, r31);
    }
  }
}

/* 8 rows (row r's k-th value at a + r ars + k aks: ars = lda, aks = 1 for A, ars = 1,
 * aks = lda for A^T read in place; c + r ldc) x one vector of columns (m0 of them,
 * N <= 16): eight accumulator chains where 4 x 1 has four, which leaves the adds waiting
 * on each other (a head's products: 16 columns). The same start and order as wide_body,
 * so the same bits; no skipping (its blocks of four rows decide a zero's sign). */
WIDE_BODY void wide_body8(size_t K, const float *a, size_t ars, size_t aks, const float *b, size_t ldb,
                          const float *bias, const float *rbias, int relu, int zero, __mmask16 m0, float *c,
                          size_t ldc) {
  __m512 r[8], z = _mm512_setzero_ps();
  for (int i = 0; i < 8; i++)
    r[i] = zero    ? z
           : bias  ? _mm512_maskz_loadu_ps(m0, bias)
           : rbias ? _mm512_set1_ps(rbias[i])
                   : _mm512_maskz_loadu_ps(m0, c + (size_t)i * ldc);
  for (size_t k = 0; k < K; k++) {
    __m512 b0 = _mm512_maskz_loadu_ps(m0, b + k * ldb);
    for (int i = 0; i < 8; i++)
      r[i] = _mm512_add_ps(r[i], _mm512_mul_ps(b0, _mm512_set1_ps(a[(size_t)i * ars + k * aks])));
  }
  for (int i = 0; i < 8; i++) {
    if (relu) /* keep the positive sums, zero the rest (NaN compares false) */
      r[i] = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r[i], z, _CMP_GT_OQ), r[i]);
    _mm512_mask_storeu_ps(c + (size_t)i * ldc, m0, r[i]);
  }
}

/* The flags a caller uses, each a variant with them constant. */
enum { WIDE_SKIP = 1, WIDE_RELU = 2, WIDE_ZERO = 4 };

/* One row block (R rows from a with lda, of C with ldc) across all N columns. */
WIDE_BODY void wide_rows(int R, int flags, size_t N, size_t K, const float *a, size_t lda, const float *B,
                         size_t ldb, const float *bias, const float *rbias, float *c, size_t ldc) {
  const float *a1 = a + (R > 1 ? lda : 0), *a2 = a + (R > 1 ? 2 * lda : 0), *a3 = a + (R > 1 ? 3 * lda : 0);
  float *c1 = c + (R > 1 ? ldc : 0), *c2 = c + (R > 1 ? 2 * ldc : 0), *c3 = c + (R > 1 ? 3 * ldc : 0);
  int skip = flags & WIDE_SKIP, relu = flags & WIDE_RELU, zero = flags & WIDE_ZERO;
  size_t j = 0;
  for (; j + 32 <= N; j += 32)
    wide_body(R, 2, K, a, a1, a2, a3, B + j, ldb, bias ? bias + j : NULL, rbias, skip, relu, zero, 0xFFFF,
              0xFFFF, c + j, c1 + j, c2 + j, c3 + j);
  size_t w = N - j;
  if (w == 0)
    return;
  if (w <= 16)
    wide_body(R, 1, K, a, a1, a2, a3, B + j, ldb, bias ? bias + j : NULL, rbias, skip, relu, zero,
              (__mmask16)((1u << w) - 1u), 0, c + j, c1 + j, c2 + j, c3 + j);
  else
    wide_body(R, 2, K, a, a1, a2, a3, B + j, ldb, bias ? bias + j : NULL, rbias, skip, relu, zero, 0xFFFF,
              (__mmask16)((1u << (w - 16)) - 1u), c + j, c1 + j, c2 + j, c3 + j);
}

/* C (M, N) = [bias (per column) or rbias (per row) +] A B [then ReLU], or with skip
 * C += A B leaving out zero columns of four-row blocks (one-row blocks past the last
 * multiple of four). */
#define WIDE_VARIANT(name, flags)                                                                            \
  __attribute__((target("avx512f"))) static void name(                                                       \
      size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,                  \
      const float *bias, const float *rbias, float *C, size_t ldc) {                                         \
    size_t i = 0;                                                                                            \
    for (; N && N <= 16 && !((flags)&WIDE_SKIP) && i + 8 <= M; i += 8)                                       \
      wide_body8(K, A + i * lda, lda, 1, B, ldb, bias, rbias ? rbias + i : NULL, (flags)&WIDE_RELU,          \
                 (flags)&WIDE_ZERO, (__mmask16)((1u << N) - 1u), C + i * ldc, ldc);                          \
    for (; i + 4 <= M; i += 4)                                                                               \
      wide_rows(4, flags, N, K, A + i * lda, lda, B, ldb, bias, rbias ? rbias + i : NULL, C + i * ldc, ldc); \
    for (; i < M; i++)                                                                                       \
      wide_rows(1, flags, N, K, A + i * lda, lda, B, ldb, bias, rbias ? rbias + i : NULL, C + i * ldc, ldc); \
  }
WIDE_VARIANT(wide_plain, 0)
WIDE_VARIANT(wide_relu, WIDE_RELU)
WIDE_VARIANT(wide_skip, WIDE_SKIP)
WIDE_VARIANT(wide_zero, WIDE_ZERO)

/* C += alpha op(A) B with op(A) = A or A^T: RC rows of alpha op(A) (the values gemm_xn's
 * plain path multiplies by) packed into a buffer KC at a time (A^T read along A's rows),
 * then wide_plain's tiles (8 rows at a time for 16 columns or fewer, as a head's dK and
 * dV); each element still adds its products in ascending k. */
__attribute__((target("avx512f"))) static void wide_packed(int ta, size_t M, size_t N, size_t K, float alpha,
                                                           const float *A, size_t lda, const float *B,
                                                           size_t ldb, float *C, size_t ldc) {
  enum { KC = 256, RC = 32 };
  float pk[RC * KC];
  size_t i0 = 0;
  if (ta && alpha == 1.0f && N && N <= 16) /* A^T in place, 8 of its rows (A's columns) a tile */
    for (; i0 + 8 <= M; i0 += 8)
      wide_body8(K, A + i0, 1, lda, B, ldb, NULL, NULL, 0, 0, (__mmask16)((1u << N) - 1u), C + i0 * ldc, ldc);
  for (size_t i = i0; i < M; i += RC) {
    size_t rc = M - i < RC ? M - i : RC;
    for (size_t k0 = 0; k0 < K; k0 += KC) {
      size_t kc = K - k0 < KC ? K - k0 : KC;
      if (ta)
        for (size_t k = 0; k < kc; k++)
          for (size_t r = 0; r < rc; r++)
            pk[r * KC + k] = alpha * A[(k0 + k) * lda + i + r];
      else
        for (size_t r = 0; r < rc; r++)
          for (size_t k = 0; k < kc; k++)
            pk[r * KC + k] = alpha * A[(i + r) * lda + k0 + k];
      wide_plain(rc, N, kc, pk, KC, B + k0 * ldb, ldb, NULL, NULL, C + i * ldc, ldc);
    }
  }
}
#else
int limn__gemm_wide(int on) {
  (void)on;
  return 0;
}
#endif

void limn__sgemm_nn_sparse(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
                           size_t ldb, float *C, size_t ldc) {
#ifdef LIMN_GEMM_WIDE
  if (wide_on()) {
    wide_skip(M, N, K, A, lda, B, ldb, NULL, NULL, C, ldc);
    return;
  }
#endif
  size_t i = 0;
  for (; i + 4 <= M; i += 4) {
    float *c0 = C + i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
    const float *a = A + i * lda;
    size_t j = 0;
    for (; j + 16 <= N; j += 16)
      tile4x16_skip(K, a, lda, B + j, ldb, c0 + j, c1 + j, c2 + j, c3 + j);
    for (; j < N; j++) { /* narrow remainder (an output layer): one column at a time */
      float s0 = c0[j], s1 = c1[j], s2 = c2[j], s3 = c3[j];
      for (size_t k = 0; k < K; k++) {
        float a0 = a[k], a1 = a[lda + k], a2 = a[2 * lda + k], a3 = a[3 * lda + k];
        if (a0 == 0.0f && a1 == 0.0f && a2 == 0.0f && a3 == 0.0f)
          continue;
        float bk = B[k * ldb + j];
        s0 += a0 * bk, s1 += a1 * bk, s2 += a2 * bk, s3 += a3 * bk;
      }
      c0[j] = s0, c1[j] = s1, c2[j] = s2, c3[j] = s3;
    }
  }
  for (; i < M; i++) {
    float *c = C + i * ldc;
    for (size_t k = 0; k < K; k++) {
      float a = A[i * lda + k];
      if (a == 0.0f)
        continue;
      const float *b = B + k * ldb;
      for (size_t j = 0; j < N; j++)
        c[j] += a * b[j];
    }
  }
}

/* C += alpha * op(A) B with B (K, N): rank-1 updates of C rows, k in ascending
 * order for every element. Four rows share each load of a B row; the blocking never
 * changes an element's arithmetic, so a row's result does not depend on M. */
static void gemm_xn(int ta, size_t M, size_t N, size_t K, float alpha, const float *A, size_t lda,
                    const float *B, size_t ldb, float *C, size_t ldc) {
#ifdef LIMN_GEMM_WIDE
  if (wide_on()) {
    if (!ta && alpha == 1.0f)
      wide_plain(M, N, K, A, lda, B, ldb, NULL, NULL, C, ldc);
    else
      wide_packed(ta, M, N, K, alpha, A, lda, B, ldb, C, ldc);
    return;
  }
#endif
  size_t i = 0;
  for (; i + 4 <= M; i += 4) {
    float *c0 = C + i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
    size_t j = 0;
    if (!ta && alpha == 1.0f) /* the common case: register tiles of 4 x 16 */
      for (; j + 16 <= N; j += 16)
        tile4x16(K, A + i * lda, lda, B + j, ldb, c0 + j, c1 + j, c2 + j, c3 + j);
    if (j == N)
      continue;
    if (!ta && alpha == 1.0f && N - j < 8) { /* a narrow remainder (an output layer): sums in registers */
      const float *a = A + i * lda;
      for (; j < N; j++) {
        float s0 = c0[j], s1 = c1[j], s2 = c2[j], s3 = c3[j];
        for (size_t k = 0; k < K; k++) {
          float bk = B[k * ldb + j];
          s0 += a[k] * bk, s1 += a[lda + k] * bk, s2 += a[2 * lda + k] * bk, s3 += a[3 * lda + k] * bk;
        }
        c0[j] = s0, c1[j] = s1, c2[j] = s2, c3[j] = s3;
      }
      continue;
    }
    for (size_t k = 0; k < K; k++) {
      float a0 = alpha * (ta ? AT(A, lda, k, i) : AT(A, lda, i, k));
      float a1 = alpha * (ta ? AT(A, lda, k, i + 1) : AT(A, lda, i + 1, k));
      float a2 = alpha * (ta ? AT(A, lda, k, i + 2) : AT(A, lda, i + 2, k));
      float a3 = alpha * (ta ? AT(A, lda, k, i + 3) : AT(A, lda, i + 3, k));
      axpy4(N - j, a0, a1, a2, a3, B + k * ldb + j, c0 + j, c1 + j, c2 + j, c3 + j);
    }
  }
  for (; i < M; i++) {
    float *c = C + i * ldc;
    for (size_t k = 0; k < K; k++) {
      float a = alpha * (ta ? AT(A, lda, k, i) : AT(A, lda, i, k));
      const float *b = B + k * ldb;
      for (size_t j = 0; j < N; j++)
        c[j] += a * b[j];
    }
  }
}

void limn__sgemm_bias(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,
                      const float *bias, int relu, float *C, size_t ldc) {
#ifdef LIMN_GEMM_WIDE
  if (wide_on()) {
    if (relu)
      wide_relu(M, N, K, A, lda, B, ldb, bias, NULL, C, ldc);
    else
      wide_plain(M, N, K, A, lda, B, ldb, bias, NULL, C, ldc);
    return;
  }
#endif
  size_t M4 = M / 4 * 4, N16 = N / 16 * 16;
  for (size_t i = 0; i < M4; i += 4) {
    float *c0 = C + i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
    for (size_t j = 0; j < N16; j += 16)
      tile4x16_bias(K, A + i * lda, lda, B + j, ldb, bias + j, relu, c0 + j, c1 + j, c2 + j, c3 + j);
  }
  if (N16 == N && M4 == M)
    return;
  /* the rest as a bias copy, gemm_xn (the same paths limn__sgemm_portable takes for
   * these columns and rows) and the activation */
  for (size_t i = 0; i < M; i++)
    for (size_t j = i < M4 ? N16 : 0; j < N; j++)
      C[i * ldc + j] = bias[j];
  gemm_xn(0, M4, N - N16, K, 1.0f, A, lda, B + N16, ldb, C + N16, ldc);
  gemm_xn(0, M - M4, N, K, 1.0f, A + M4 * lda, lda, B, ldb, C + M4 * ldc, ldc);
  for (size_t i = 0; relu && i < M; i++)
    for (size_t j = i < M4 ? N16 : 0; j < N; j++)
      C[i * ldc + j] = C[i * ldc + j] > 0.0f ? C[i * ldc + j] : 0.0f;
}

void limn__sgemm_rowbias(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B, size_t ldb,
                         const float *rbias, float *C, size_t ldc) {
#ifdef LIMN_GEMM_WIDE
  if (wide_on()) {
    if (rbias)
      wide_plain(M, N, K, A, lda, B, ldb, NULL, rbias, C, ldc);
    else /* from 0, C not read (wide_plain would add to it) */
      wide_zero(M, N, K, A, lda, B, ldb, NULL, NULL, C, ldc);
    return;
  }
#endif
  for (size_t i = 0; i < M; i++) {
    float v = rbias ? rbias[i] : 0.0f, *c = C + i * ldc;
    for (size_t j = 0; j < N; j++)
      c[j] = v;
  }
  gemm_xn(0, M, N, K, 1.0f, A, lda, B, ldb, C, ldc);
}

/* C += alpha * op(A) B^T with op(A) = A^T: gather A's column, then dot products. */
static void gemm_tt(size_t M, size_t N, size_t K, float alpha, const float *A, size_t lda, const float *B,
                    size_t ldb, float *C, size_t ldc) {
  for (size_t i = 0; i < M; i++)
    for (size_t j = 0; j < N; j++) {
      float acc = 0.0f;
      for (size_t k = 0; k < K; k++)
        acc += AT(A, lda, k, i) * AT(B, ldb, j, k);
      AT(C, ldc, i, j) += alpha * acc;
    }
}

void limn__sgemm_portable(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *A,
                          size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc) {
  scale_rows(M, N, beta, C, ldc);
  if (!ta && tb)
    gemm_nt(M, N, K, alpha, A, lda, B, ldb, C, ldc);
  else if (!tb)
    gemm_xn(ta, M, N, K, alpha, A, lda, B, ldb, C, ldc);
  else
    gemm_tt(M, N, K, alpha, A, lda, B, ldb, C, ldc);
}

void limn__sgemm(limn_kernel kernel, int ta, int tb, size_t M, size_t N, size_t K, float alpha,
                 const float *A, size_t lda, const float *B, size_t ldb, float beta, float *C, size_t ldc) {
  if (M == 0 || N == 0)
    return;
  switch (limn__kernel_resolve(kernel)) {
#ifdef LIMN_HAVE_CBLAS
  case LIMN_KERNEL_BLAS:
    if (K == 0) {
      scale_rows(M, N, beta, C, ldc);
      return;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N,
                (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
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

/* Matrix kernels: portable and BLAS against the naive reference, every transpose. */
#include "../harness.h"
#include "../../src/linalg/linalg.h"

static void fill(float *v, size_t n, limn_rng *r) {
  for (size_t i = 0; i < n; i++)
    v[i] = (float)(2.0 * limn_rng_uniform(r) - 1.0);
}

static void one(limn_kernel k, int ta, int tb, size_t M, size_t N, size_t K, float beta, limn_rng *r) {
  size_t lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 2, ldc = N + 1;
  size_t ra = ta ? K : M, rb = tb ? N : K;
  float *A = malloc(ra * lda * sizeof *A), *B = malloc(rb * ldb * sizeof *B);
  float *C = malloc(M * ldc * sizeof *C), *R = malloc(M * ldc * sizeof *R);
  fill(A, ra * lda, r);
  fill(B, rb * ldb, r);
  fill(C, M * ldc, r);
  memcpy(R, C, M * ldc * sizeof *R);
  limn__sgemm(k, ta, tb, M, N, K, 0.5f, A, lda, B, ldb, beta, C, ldc);
  limn__sgemm_ref(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, beta, R, ldc);
  double *g = malloc(M * N * sizeof *g), *w = malloc(M * N * sizeof *w);
  for (size_t i = 0; i < M; i++)
    for (size_t j = 0; j < N; j++) {
      g[i * N + j] = C[i * ldc + j];
      w[i * N + j] = R[i * ldc + j];
    }
  char what[96];
  snprintf(what, sizeof what, "kernel %d ta %d tb %d %zux%zux%zu beta %g", (int)k, ta, tb, M, N, K,
           (double)beta);
  CHECK_CLOSE(what, g, w, M * N, 1e-5 * (double)K, 1e-5);
  /* padding beyond N untouched */
  int pad_ok = 1;
  for (size_t i = 0; i < M; i++)
    pad_ok &= C[i * ldc + N] == R[i * ldc + N];
  CHECK(pad_ok);
  free(A), free(B), free(C), free(R), free(g), free(w);
}

int main(void) {
  test_begin("gemm");
  limn_rng r;
  limn_rng_init(&r, 3, 0);
  size_t dims[][3] = {{1, 1, 1}, {7, 5, 3}, {64, 32, 30}, {33, 65, 17}, {5, 2, 100}, {3, 4, 0}};
  limn_kernel ks[] = {LIMN_KERNEL_PORTABLE, LIMN_KERNEL_BLAS};
  for (size_t ki = 0; ki < 2; ki++)
    for (size_t d = 0; d < sizeof dims / sizeof *dims; d++)
      for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
          one(ks[ki], ta, tb, dims[d][0], dims[d][1], dims[d][2], 0.0f, &r);
          one(ks[ki], ta, tb, dims[d][0], dims[d][1], dims[d][2], 1.0f, &r);
        }
  /* the zero-skipping kernel (ReLU outputs) equals the reference in value */
  test_begin("sparse gemm");
  size_t sd[][3] = {{7, 33, 64}, {64, 32, 64}, {5, 2, 32}, {4, 16, 3}};
  for (size_t t = 0; t < 4; t++) {
    size_t M = sd[t][0], N = sd[t][1], K = sd[t][2];
    float *A = malloc(M * K * sizeof *A), *B = malloc(K * N * sizeof *B);
    float *C = malloc(M * N * sizeof *C), *R = malloc(M * N * sizeof *R);
    fill(A, M * K, &r);
    fill(B, K * N, &r);
    fill(C, M * N, &r);
    for (size_t i = 0; i < M * K; i++)
      if (A[i] < 0.2f)
        A[i] = 0.0f; /* about 60 % zeros, whole zero columns in blocks too */
    for (size_t i = 0; i < M; i++)
      A[i * K] = 0.0f;
    memcpy(R, C, M * N * sizeof *R);
    limn__sgemm_nn_sparse(M, N, K, A, K, B, N, C, N);
    limn__sgemm_ref(0, 0, M, N, K, 1.0f, A, K, B, N, 1.0f, R, N);
    double *g = malloc(M * N * sizeof *g), *w = malloc(M * N * sizeof *w);
    for (size_t i = 0; i < M * N; i++)
      g[i] = C[i], w[i] = R[i];
    CHECK_CLOSE("sparse gemm", g, w, M * N, 1e-5 * (double)K, 1e-5);
    free(A), free(B), free(C), free(R), free(g), free(w);
  }
  /* bias and ReLU inside the kernel: bit for bit a bias copy, the portable kernel and
   * h > 0 ? h : 0 (NaN sums to 0), and the reference's values */
  test_begin("gemm with bias and ReLU");
  size_t bd[][3] = {{7, 37, 13}, {64, 16, 30}, {5, 2, 32}, {3, 20, 9}, {8, 24, 0}, {12, 48, 64}};
  for (size_t t = 0; t < sizeof bd / sizeof *bd; t++)
    for (int relu = 0; relu < 2; relu++) {
      size_t M = bd[t][0], N = bd[t][1], K = bd[t][2];
      float *A = malloc((M * K + 1) * sizeof *A), *B = malloc((K * N + 1) * sizeof *B);
      float *bias = malloc(N * sizeof *bias), *C = malloc(M * N * sizeof *C), *R = malloc(M * N * sizeof *R);
      fill(A, M * K, &r);
      fill(B, K * N, &r);
      fill(bias, N, &r);
      if (K)
        A[K + 1 < M * K ? K + 1 : 0] = NAN; /* a NaN sum in a second row */
      limn__sgemm_bias(M, N, K, A, K, B, N, bias, relu, C, N);
      for (size_t i = 0; i < M; i++)
        memcpy(R + i * N, bias, N * sizeof *R);
      limn__sgemm_portable(0, 0, M, N, K, 1.0f, A, K, B, N, 1.0f, R, N);
      for (size_t i = 0; relu && i < M * N; i++)
        R[i] = R[i] > 0.0f ? R[i] : 0.0f;
      CHECK(!memcmp(C, R, M * N * sizeof *C));
      for (size_t i = 0; i < M; i++) /* the values against the double-accumulating reference */
        memcpy(R + i * N, bias, N * sizeof *R);
      limn__sgemm_ref(0, 0, M, N, K, 1.0f, A, K, B, N, 1.0f, R, N);
      int close = 1;
      for (size_t i = 0; i < M * N; i++) {
        float want = relu ? (R[i] > 0.0f ? R[i] : 0.0f) : R[i];
        close &= isnan(want) ? isnan(C[i]) : fabsf(C[i] - want) <= 1e-5f * (float)(K + 1);
      }
      CHECK(close);
      free(A), free(B), free(bias), free(C), free(R);
    }
  /* the AVX-512 tiles (where this CPU has them) give the bits of the plain ones, and
   * both give each element as c + a0 b0 + a1 b1 + ... in float, k ascending (no FMA):
   * every shape's edges (rows past a multiple of 4 or 8, columns past 16 and 32, the
   * 8-row tiles of 16 columns or fewer) */
  test_begin("gemm bits, wide and plain tiles");
  int had_wide = limn__gemm_wide(-1);
  printf("  (AVX-512 tiles %s on this CPU)\n", had_wide ? "used" : "not available: plain against itself");
  size_t wd[][3] = {{1, 1, 1},    {4, 16, 9},  {5, 33, 7}, {3, 10, 144}, {8, 64, 30},
                    {7, 49, 288}, {13, 47, 0}, {2, 17, 5}, {19, 16, 40}, {9, 7, 300}};
  for (size_t t = 0; t < sizeof wd / sizeof *wd; t++) {
    size_t M = wd[t][0], N = wd[t][1], K = wd[t][2], lda = K + 1, ldb = N + 3, ldc = N + 2;
    float *A = malloc((M * lda + 1) * sizeof *A), *B = malloc((K * ldb + 1) * sizeof *B);
    float *bias = malloc((M + N) * sizeof *bias), *C0 = malloc(M * ldc * sizeof *C0);
    float *C[2], *S = malloc(M * ldc * sizeof *S), *AT = malloc((K * M + 1) * sizeof *AT);
    fill(A, M * lda, &r);
    fill(B, K * ldb, &r);
    fill(bias, M + N, &r);
    fill(C0, M * ldc, &r);
    for (size_t i = 0; i < M * lda; i += 3)
      A[i] = 0.0f; /* zeros for the skipping kernel */
    for (size_t i = 0; i < M; i++)
      for (size_t k = 0; k < K; k++)
        AT[k * M + i] = A[i * lda + k];
    for (int v = 0; v < 8; v++) {
      for (int wide = 0; wide < 2; wide++) {
        C[wide] = malloc(M * ldc * sizeof *C[wide]);
        memcpy(C[wide], C0, M * ldc * sizeof *C0);
        limn__gemm_wide(wide);
        if (v == 0)
          limn__sgemm_portable(0, 0, M, N, K, 1.0f, A, lda, B, ldb, 1.0f, C[wide], ldc);
        else if (v == 1 || v == 2)
          limn__sgemm_bias(M, N, K, A, lda, B, ldb, bias + M, v == 2, C[wide], ldc);
        else if (v == 3)
          limn__sgemm_rowbias(M, N, K, A, lda, B, ldb, bias, C[wide], ldc);
        else if (v == 4)
          limn__sgemm_nn_sparse(M, N, K, A, lda, B, ldb, C[wide], ldc);
        else if (v == 7) /* no row bias: 0 + the product, C not read */
          limn__sgemm_rowbias(M, N, K, A, lda, B, ldb, NULL, C[wide], ldc);
        else if (v == 5) /* alpha != 1: alpha a, then the product */
          limn__sgemm_portable(0, 0, M, N, K, 0.5f, A, lda, B, ldb, 1.0f, C[wide], ldc);
        else /* A^T: A's columns are the rows (A read as (K, M) with leading dimension M) */
          limn__sgemm_portable(1, 0, M, N, K, 1.0f, AT, M, B, ldb, 1.0f, C[wide], ldc);
      }
      limn__gemm_wide(had_wide);
      CHECK(!memcmp(C[0], C[1], M * ldc * sizeof *C0)); /* the padding past N too */
      for (size_t i = 0; i < M; i++)                    /* the sequential sums in float */
        for (size_t j = 0; j < N; j++) {
          float acc = v == 7 ? 0.0f : v == 0 || v >= 4 ? C0[i * ldc + j] : v == 3 ? bias[i] : bias[M + j];
          for (size_t k = 0; k < K; k++) {
            float a = v == 5 ? 0.5f * A[i * lda + k] : A[i * lda + k], pr = a * B[k * ldb + j];
            acc = acc + pr;
          }
          S[i * ldc + j] = v == 2 ? (acc > 0.0f ? acc : 0.0f) : acc;
        }
      int same = 1;
      for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) /* the skipping kernel: equal values (a zero's sign may differ) */
          same &= v == 4 ? S[i * ldc + j] == C[1][i * ldc + j]
                         : !memcmp(&S[i * ldc + j], &C[1][i * ldc + j], sizeof *S);
      CHECK(same);
      free(C[0]), free(C[1]);
    }
    free(A), free(B), free(bias), free(C0), free(S), free(AT);
  }
  /* the portable kernel's row result does not depend on M */
  test_begin("gemm row independence");
  float A[40 * 30], B[20 * 30], C1[40 * 20], C2[20];
  fill(A, 40 * 30, &r);
  fill(B, 20 * 30, &r);
  limn__sgemm(LIMN_KERNEL_PORTABLE, 0, 1, 40, 20, 30, 1.0f, A, 30, B, 30, 0.0f, C1, 20);
  limn__sgemm(LIMN_KERNEL_PORTABLE, 0, 1, 1, 20, 30, 1.0f, A + 17 * 30, 30, B, 30, 0.0f, C2, 20);
  CHECK(!memcmp(C1 + 17 * 20, C2, sizeof C2));
  return test_end();
}

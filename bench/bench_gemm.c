/* The matrix kernels on the shapes of the bundled spam transformer's IG (src/linalg/gemm.c;
 * docs/text.md, "Speed"): a pass of 7 texts of 64 tokens, d 64, 4 heads of 16, a
 * feed-forward of 128. GFLOP/s (2 M N K a product) of the zero-start product (forward,
 * fresh gradients), the product from a bias row (a Linear forward), the transposed
 * product A^T B (a weight-free backward, as an attention's dK, dV) and the per-head
 * products, with the operands hot in cache. 1 thread; median of REPS runs of CALLS calls.
 * Usage: bench_gemm [REPS] [CALLS] */
#include "bench_util.h"
#include "../src/linalg/linalg.h"
#include <stdio.h>
#include <stdlib.h>

typedef struct shape {
  const char *what;
  size_t M, N, K;
  int kind; /* 0 zero start, 1 bias row, 2 A^T B added into C */
} shape;

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 5, calls = argc > 2 ? atoi(argv[2]) : 200;
  if (reps < 1 || calls < 1) {
    fprintf(stderr, "usage: bench_gemm [REPS >= 1] [CALLS >= 1]\n");
    return 2;
  }
  static const shape shapes[] = {
      {"Linear 64 -> 64, 448 rows (q, k, v, o)", 448, 64, 64, 1},
      {"Linear 64 -> 128, 448 rows (feed-forward in)", 448, 128, 64, 1},
      {"Linear 128 -> 64, 448 rows (feed-forward out)", 448, 64, 128, 1},
      {"dA = dY W^T, 448 x 64 from 64 (zero start)", 448, 64, 64, 0},
      {"scores Q K^T, a head: 64 x 64 from 16", 64, 64, 16, 0},
      {"P V, a head: 64 x 16 from 64", 64, 16, 64, 0},
      {"dV = P^T dO, a head: 64 x 16 from 64 (A^T B)", 64, 16, 64, 2},
  };
  size_t maxa = 448 * 128, maxb = 128 * 128, maxc = 448 * 128;
  float *A = malloc(maxa * sizeof *A), *B = malloc(maxb * sizeof *B), *C = malloc(maxc * sizeof *C),
        *bias = malloc(128 * sizeof *bias);
  double *t = malloc((size_t)reps * sizeof *t);
  if (!A || !B || !C || !bias || !t)
    return 1;
  limn_rng g;
  limn_rng_init(&g, 3, 0);
  for (size_t i = 0; i < maxa; i++)
    A[i] = (float)limn_rng_normal(&g);
  for (size_t i = 0; i < maxb; i++)
    B[i] = (float)limn_rng_normal(&g);
  for (size_t i = 0; i < 128; i++)
    bias[i] = (float)limn_rng_normal(&g);
  printf("# limn's matrix kernels on IG's shapes, 1 thread, operands in cache, median of %d x %d calls\n",
         reps, calls);
  printf("%-48s %10s %8s\n", "product", "us", "GFLOP/s");
  double check = 0;
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    const shape *p = &shapes[s];
    for (int r = 0; r < reps; r++) {
      double t0 = bench_now();
      for (int c = 0; c < calls; c++) {
        if (p->kind == 0)
          limn__sgemm_rowbias(p->M, p->N, p->K, A, p->K, B, p->N, NULL, C, p->N);
        else if (p->kind == 1)
          limn__sgemm_bias(p->M, p->N, p->K, A, p->K, B, p->N, bias, 0, C, p->N);
        else /* A stored (K, M): C (M, N) += A^T B */
          limn__sgemm_portable(1, 0, p->M, p->N, p->K, 1.0f, A, p->M, B, p->N, 1.0f, C, p->N);
      }
      t[r] = (bench_now() - t0) / calls;
      check += C[0];
    }
    double m = bench_median(t, reps);
    printf("%-48s %10.3f %8.1f\n", p->what, m * 1e6, 2.0 * (double)(p->M * p->N * p->K) / m / 1e9);
  }
  fprintf(stderr, "(checksum %g)\n", check);
  free(A), free(B), free(C), free(bias), free(t);
  return 0;
}

/* t-SNE benchmark. (1) Exact nearest neighbours, 90 per row (perplexity 30): the
 * vantage-point tree and blocked brute force against all-pairs brute force in the same process, on the
 * bundled digits (1797 x 64) and on a 20 000 x 64 set of digits rows with small
 * deterministic noise (clustered like real data); the two must agree bit for bit.
 * (2) The whole map of the digits (affinities and 750 Barnes-Hut iterations): wall
 * time, KL with an exact Z, 10-NN preservation and 10-NN accuracy in the map. Medians over REPEATS, 2
 * threads. Usage: bench_embed DATA_DIR [REPEATS] */
#include "bench_util.h"
#include "../src/embed/knn.h"
#include <limn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int knn_pair(limn_ctx *ctx, const char *what, const float *x, size_t n, size_t dim, int reps) {
  size_t k = 90;
  size_t *nb = malloc(n * k * sizeof *nb), *nt = malloc(n * k * sizeof *nt), *nk = malloc(n * k * sizeof *nk);
  double *db = malloc(n * k * sizeof *db), *dt = malloc(n * k * sizeof *dt), *dk = malloc(n * k * sizeof *dk);
  double tb[16], tt[16], tk[16];
  int rc = 0;
  for (int r = 0; r < reps; r++) {
    double t0 = bench_now();
    rc |= limn__knn(ctx, x, n, dim, k, LIMN__KNN_BRUTE, nb, db);
    double t1 = bench_now();
    rc |= limn__knn(ctx, x, n, dim, k, LIMN__KNN_TREE, nt, dt);
    double t2 = bench_now();
    rc |= limn__knn(ctx, x, n, dim, k, LIMN__KNN_BLOCKED, nk, dk);
    tk[r] = bench_now() - t2;
    tt[r] = t2 - t1;
    tb[r] = t1 - t0;
  }
  int same = !rc && !memcmp(nb, nt, n * k * sizeof *nb) && !memcmp(db, dt, n * k * sizeof *db) &&
             !memcmp(nb, nk, n * k * sizeof *nb) && !memcmp(db, dk, n * k * sizeof *db);
  double mb = bench_median(tb, reps), mt = bench_median(tt, reps), mk = bench_median(tk, reps);
  printf("knn %-24s brute %7.1f ms  vp-tree %7.1f ms (%4.1fx)  blocked %7.1f ms (%4.1fx)  identical %s\n",
         what, 1e3 * mb, 1e3 * mt, mb / mt, 1e3 * mk, mb / mk, same ? "yes" : "NO");
  free(nb), free(nt), free(nk), free(db), free(dt), free(dk);
  return same ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_embed DATA_DIR [REPEATS]\n");
    return 2;
  }
  int reps = argc > 2 ? atoi(argv[2]) : 3;
  reps = reps < 1 ? 1 : reps > 16 ? 16 : reps;
  char path[4096];
  snprintf(path, sizeof path, "%s/digits.csv", argv[1]);
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_ctx_set_threads(ctx, 2);
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "digit";
  limn_dataset *ds = NULL;
  if (limn_dataset_read(ctx, path, &ro, &ds)) {
    fprintf(stderr, "bench_embed: %s\n", limn_ctx_errmsg(ctx));
    return 1;
  }
  const float *x = limn_dataset_x(ds);
  size_t n = limn_dataset_nrows(ds), dim = 64, big = 20000;
  int bad = knn_pair(ctx, "digits 1797 x 64", x, n, dim, reps);
  float *xb = malloc(big * dim * sizeof *xb);
  limn_rng r;
  limn_rng_init(&r, 11, 0);
  for (size_t i = 0; i < big; i++)
    for (size_t c = 0; c < dim; c++)
      xb[i * dim + c] = x[(i % n) * dim + c] + (float)(0.5 * limn_rng_normal(&r));
  bad |= knn_pair(ctx, "noisy digits 20000 x 64", xb, big, dim, 1);
  free(xb);

  double tm[16], kl = 0;
  double *y = malloc(2 * n * sizeof *y);
  limn_tsne_opts o = limn_tsne_opts_default();
  o.method = LIMN_TSNE_BARNES_HUT;
  for (int q = 0; q < reps; q++) {
    double t0 = bench_now();
    limn_tsne_affinity *P = NULL;
    if (limn_tsne_affinities(ctx, x, n, dim, 30, &P) || limn_tsne_run(ctx, P, x, dim, &o, y, &kl)) {
      fprintf(stderr, "bench_embed: %s\n", limn_ctx_errmsg(ctx));
      return 1;
    }
    tm[q] = bench_now() - t0;
    limn_tsne_affinity_free(ctx, P);
  }
  long *lab = malloc(n * sizeof *lab);
  for (size_t i = 0; i < n; i++)
    lab[i] = (long)limn_dataset_y(ds)[i];
  double pres = 0, acc = 0;
  if (limn_tsne_quality(ctx, x, n, dim, y, lab, 10, &pres, &acc))
    bad = 1;
  printf(
      "t-SNE digits (BH theta 0.5, 750 iterations): %.2f s, KL %.4f, 10-NN preservation %.3f, 10-NN accuracy "
      "%.3f (best peer measured on this machine class: openTSNE 2.2 s, KL 0.754, 0.586, 0.988)\n",
      bench_median(tm, reps), kl, pres, acc);
  free(lab);
  free(y);
  limn_dataset_free(ds);
  limn_ctx_free(ctx);
  return bad;
}

/* t-SNE: affinities (calibration, symmetry, normalisation), the gradient against
 * central differences of the KL, Barnes-Hut and FFT interpolation against exact, the
 * FFT against a naive DFT, the schedule lowering
 * the KL, determinism across threads, bad input; the vantage-point tree against an
 * all-pairs sort; PCA against scikit-learn. */
#include "../harness.h"
#include "../../src/embed/tsne_fft.h"
#include "../../src/embed/knn.h"

static limn_ctx *ctx;

static limn_dataset *digits(void) {
  limn_read_opts ro = limn_read_opts_default();
  ro.target = "digit";
  limn_dataset *ds = NULL;
  if (limn_dataset_read(ctx, src_path("data/digits.csv"), &ro, &ds))
    fprintf(stderr, "%s\n", limn_ctx_errmsg(ctx));
  return ds;
}

static void test_affinities(const float *x, size_t n) {
  test_begin("affinities");
  limn_tsne_affinity *P = NULL;
  CHECK_OK(ctx, limn_tsne_affinities(ctx, x, n, 64, 30, &P));
  if (!P)
    return;
  CHECK(P->max_entropy_error < 1e-5);
  double sum = 0, asym = 0;
  int neg = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t q = P->rowptr[i]; q < P->rowptr[i + 1]; q++) {
      size_t j = P->col[q];
      sum += P->val[q];
      neg |= P->val[q] < 0 || j == i;
      double back = 0; /* p_ji */
      for (size_t r = P->rowptr[j]; r < P->rowptr[j + 1]; r++)
        if (P->col[r] == i)
          back = P->val[r];
      asym = fmax(asym, fabs(back - P->val[q]));
    }
  CHECK(fabs(sum - 1.0) < 1e-12);
  CHECK(asym < 1e-15);
  CHECK(!neg);
  CHECK(P->rowptr[n] >= n * 90 && P->rowptr[n] <= 2 * n * 90);
  limn_tsne_affinity_free(ctx, P);
  CHECK_ERR(ctx, limn_tsne_affinities(ctx, x, 40, 64, 30, &P), LIMN_EINVAL,
            "perplexity 30 is too large for 40 rows");
  CHECK_ERR(ctx, limn_tsne_affinities(ctx, x, 3, 64, 1, &P), LIMN_EINVAL, "at least 4 rows");
  float bad[8 * 2] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NAN, 12, 13, 14, 15};
  CHECK_ERR(ctx, limn_tsne_affinities(ctx, bad, 8, 2, 1, &P), LIMN_ENONFINITE, "row 5, column 1");
  /* duplicate rows are fine */
  float dup[10 * 2] = {0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7};
  CHECK_OK(ctx, limn_tsne_affinities(ctx, dup, 10, 2, 2, &P));
  limn_tsne_affinity_free(ctx, P);
}

/* KL(P || Q) with an exact Z, for central differences. */
static double kl_exact(const limn_tsne_affinity *P, const double *y) {
  double Z = 0, kl = 0;
  for (size_t i = 0; i < P->n; i++)
    for (size_t j = 0; j < P->n; j++)
      if (i != j)
        Z += 1.0 / (1.0 + pow(y[2 * i] - y[2 * j], 2) + pow(y[2 * i + 1] - y[2 * j + 1], 2));
  for (size_t i = 0; i < P->n; i++)
    for (size_t q = P->rowptr[i]; q < P->rowptr[i + 1]; q++) {
      size_t j = P->col[q];
      double w = 1.0 / (1.0 + pow(y[2 * i] - y[2 * j], 2) + pow(y[2 * i + 1] - y[2 * j + 1], 2));
      kl += P->val[q] * log(P->val[q] / (w / Z));
    }
  return kl;
}

static void test_gradients(const float *x) {
  test_begin("gradients");
  size_t n = 40;
  limn_tsne_affinity *P = NULL;
  CHECK_OK(ctx, limn_tsne_affinities(ctx, x, n, 64, 5, &P));
  if (!P)
    return;
  double y[80], g[80], fd[80], an[80];
  limn_rng r;
  limn_rng_init(&r, 3, 0);
  for (int i = 0; i < 80; i++)
    y[i] = 3.0 * limn_rng_normal(&r);
  double kl;
  CHECK_OK(ctx, limn_tsne_gradient(ctx, P, y, LIMN_TSNE_EXACT, 0.5, g, &kl));
  CHECK(fabs(kl - kl_exact(P, y)) < 1e-12);
  for (int i = 0; i < 80; i++) { /* dKL/dy = 4 x the gradient limn reports */
    double h = 1e-5, s = y[i];
    y[i] = s + h;
    double kp = kl_exact(P, y);
    y[i] = s - h;
    double km = kl_exact(P, y);
    y[i] = s;
    fd[i] = (kp - km) / (2 * h);
    an[i] = 4.0 * g[i];
  }
  CHECK_CLOSE("exact gradient vs central differences", an, fd, 80, 1e-7, 1e-5);
  limn_tsne_affinity_free(ctx, P);
}

/* Barnes-Hut and FFT-accelerated interpolation against the exact gradient, at a map
 * in the making (after early exaggeration, where the gradient is large) and at the
 * finished map (wider: more boxes). */
static void test_approximations(const float *x, size_t n) {
  test_begin("Barnes-Hut and FFT vs exact");
  limn_tsne_affinity *P = NULL;
  CHECK_OK(ctx, limn_tsne_affinities(ctx, x, n, 64, 30, &P));
  if (!P)
    return;
  double *y = malloc(2 * n * sizeof *y), *ge = malloc(2 * n * sizeof *ge), *ga = malloc(2 * n * sizeof *ga);
  for (int stage = 0; stage < 2; stage++) {
    limn_tsne_opts o = limn_tsne_opts_default();
    o.method = LIMN_TSNE_EXACT;
    o.iterations = stage ? 750 : 250;
    double kl0, kle, kla;
    CHECK_OK(ctx, limn_tsne_run(ctx, P, x, 64, &o, y, &kl0));
    CHECK_OK(ctx, limn_tsne_gradient(ctx, P, y, LIMN_TSNE_EXACT, 0.5, ge, &kle));
    for (int m = 0; m < 2; m++) {
      limn_tsne_method meth = m ? LIMN_TSNE_FFT : LIMN_TSNE_BARNES_HUT;
      CHECK_OK(ctx, limn_tsne_gradient(ctx, P, y, meth, 0.5, ga, &kla));
      double num = 0, den = 0;
      for (size_t i = 0; i < 2 * n; i++) {
        num += (ga[i] - ge[i]) * (ga[i] - ge[i]);
        den += ge[i] * ge[i];
      }
      printf("%s, %s map: relative gradient error on %zu points %.2e; KL %.6f vs exact %.6f\n",
             m ? "FFT interpolation" : "Barnes-Hut (theta 0.5)", stage ? "final" : "early", n,
             sqrt(num / den), kla, kle);
      if (!stage) /* at a finished map the gradient is a small difference of large terms */
        CHECK(sqrt(num / den) < 1e-2);
      /* the KL differs by log(Z / Z_exact): Z is the sum of all N^2 kernels */
      CHECK(fabs(kla - kle) < (stage ? 2e-2 : 1e-2) * kle);
    }
  }
  /* the FFT's repulsion itself at the finished map, against the exact sums: third
   * order in the node spacing, so each added node cuts the error */
  double *re = calloc(2 * n, sizeof *re), *ze = calloc(n, sizeof *ze), *rf = malloc(2 * n * sizeof *rf),
         *zf = malloc(n * sizeof *zf), Ze = 0, Zf = 0, prev = 1;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++)
      if (j != i) {
        double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1],
               q = 1.0 / (1.0 + dx * dx + dy * dy);
        re[2 * i] += q * q * dx, re[2 * i + 1] += q * q * dy, Ze += q;
      }
  limn__tsne_fft fw;
  memset(&fw, 0, sizeof fw);
  const double bound[] = {5e-2, 1.5e-2, 5e-3};
  for (size_t p = 3; p <= 5; p++) {
    CHECK_OK(ctx, limn__tsne_fft_repulsion(ctx, &fw, y, n, p, rf, zf, &Zf));
    double num = 0, den = 0;
    for (size_t i = 0; i < 2 * n; i++)
      num += (rf[i] - re[i]) * (rf[i] - re[i]), den += re[i] * re[i];
    printf("FFT repulsion at the finished map, %zu nodes per box: relative error %.2e, Z %.2e\n", p,
           sqrt(num / den), (Zf - Ze) / Ze);
    CHECK(sqrt(num / den) < bound[p - 3] && sqrt(num / den) < prev);
    CHECK(fabs(Zf - Ze) < 5e-3 * Ze);
    prev = sqrt(num / den);
  }
  CHECK_ERR(ctx, limn__tsne_fft_repulsion(ctx, &fw, y, n, 9, rf, zf, &Zf), LIMN_EINVAL, "out of range");
  limn__tsne_fft_free(ctx, &fw);
  free(re), free(ze), free(rf), free(zf);
  free(y), free(ge), free(ga);
  limn_tsne_affinity_free(ctx, P);
}

static void test_run(const float *x, size_t n) {
  test_begin("optimisation");
  limn_tsne_affinity *P = NULL;
  CHECK_OK(ctx, limn_tsne_affinities(ctx, x, n, 64, 30, &P));
  if (!P)
    return;
  double *a = malloc(2 * n * sizeof *a), *b = malloc(2 * n * sizeof *b), kla, klb;
  limn_tsne_opts o = limn_tsne_opts_default();
  o.method = LIMN_TSNE_BARNES_HUT;
  o.iterations = 250; /* early exaggeration only */
  CHECK_OK(ctx, limn_tsne_run(ctx, P, x, 64, &o, a, &kla));
  o.iterations = 750;
  limn_ctx_set_threads(ctx, 1);
  CHECK_OK(ctx, limn_tsne_run(ctx, P, x, 64, &o, a, &klb));
  printf("KL after early exaggeration %.4f, at the end %.4f\n", kla, klb);
  CHECK(klb < kla);
  limn_ctx_set_threads(ctx, 2);
  double kl2;
  CHECK_OK(ctx, limn_tsne_run(ctx, P, x, 64, &o, b, &kl2));
  CHECK(!memcmp(a, b, 2 * n * sizeof *a)); /* threads never change the map */
  o.method = LIMN_TSNE_FFT;                /* nor with the FFT */
  double *c = malloc(2 * n * sizeof *c), klc, kld;
  limn_ctx_set_threads(ctx, 1);
  CHECK_OK(ctx, limn_tsne_run(ctx, P, x, 64, &o, c, &klc));
  limn_ctx_set_threads(ctx, 2);
  CHECK_OK(ctx, limn_tsne_run(ctx, P, x, 64, &o, b, &kld));
  CHECK(!memcmp(c, b, 2 * n * sizeof *c) && klc == kld && klc < kla);
  printf("FFT: KL at the end %.4f (Barnes-Hut %.4f)\n", klc, klb);
  free(c);
  o.method = LIMN_TSNE_BARNES_HUT;
  double p1 = 0, p2 = 1, a1 = 0, a2 = 1; /* P's own neighbours give the same measure */
  long *lab = malloc(n * sizeof *lab);
  for (size_t i = 0; i < n; i++)
    lab[i] = (long)(i % 3);
  CHECK(P->knn_k == 90 && P->knn);
  CHECK_OK(ctx, limn_tsne_quality(ctx, x, n, 64, a, lab, 10, &p1, &a1));
  CHECK_OK(ctx, limn_tsne_quality_affinity(ctx, P, x, n, 64, a, lab, 10, &p2, &a2));
  CHECK(p1 == p2 && a1 == a2 && p1 > 0.3);
  free(lab);
  limn_ctx_set_threads(ctx, 0);
  o.learning_rate = -1;
  CHECK_ERR(ctx, limn_tsne_run(ctx, P, x, 64, &o, b, &kl2), LIMN_EINVAL, "options out of range");
  o = limn_tsne_opts_default();
  o.fft_nodes = 9;
  CHECK_ERR(ctx, limn_tsne_run(ctx, P, x, 64, &o, b, &kl2), LIMN_EINVAL, "options out of range");
  free(a), free(b);
  limn_tsne_affinity_free(ctx, P);
}

typedef struct ref_pair {
  double d;
  size_t j;
} ref_pair;

static int cmp_ref(const void *x, const void *y) {
  const ref_pair *a = x, *b = y;
  if (a->d != b->d)
    return a->d < b->d ? -1 : 1;
  return (a->j > b->j) - (a->j < b->j);
}

/* Brute force, the vantage-point tree and blocked brute force against a full sort of
 * every row's distances (ties to the lower index), on data full of ties and
 * duplicates. */
static void test_knn_on(const char *what, const float *x, size_t n, size_t dim, size_t k) {
  test_begin(what);
  size_t *nb = malloc(n * k * sizeof *nb), *nt = malloc(n * k * sizeof *nt), *nk = malloc(n * k * sizeof *nk);
  double *db = malloc(n * k * sizeof *db), *dt = malloc(n * k * sizeof *dt), *dk = malloc(n * k * sizeof *dk);
  ref_pair *all = malloc(n * sizeof *all);
  CHECK_OK(ctx, limn__knn(ctx, x, n, dim, k, LIMN__KNN_BRUTE, nb, db));
  CHECK_OK(ctx, limn__knn(ctx, x, n, dim, k, LIMN__KNN_TREE, nt, dt));
  CHECK_OK(ctx, limn__knn(ctx, x, n, dim, k, LIMN__KNN_BLOCKED, nk, dk));
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    size_t m = 0;
    for (size_t j = 0; j < n; j++) {
      if (j == i)
        continue;
      double s = 0;
      for (size_t c = 0; c < dim; c++) {
        double t = (double)x[i * dim + c] - x[j * dim + c];
        s += t * t;
      }
      all[m++] = (ref_pair){s, j};
    }
    qsort(all, m, sizeof *all, cmp_ref);
    for (size_t q = 0; q < k; q++)
      bad += nb[i * k + q] != all[q].j || db[i * k + q] != all[q].d || nt[i * k + q] != all[q].j ||
             dt[i * k + q] != all[q].d || nk[i * k + q] != all[q].j || dk[i * k + q] != all[q].d;
  }
  CHECK(bad == 0);
  free(nb), free(nt), free(nk), free(db), free(dt), free(dk), free(all);
}

static void test_knn(const float *digits_x, size_t n) {
  test_knn_on("nearest neighbours: digits", digits_x, n, 64, 90);
  /* a small integer lattice: nearly every distance is tied, many rows repeat */
  size_t m = 700;
  float *g = malloc(m * 3 * sizeof *g);
  limn_rng r;
  limn_rng_init(&r, 7, 0);
  for (size_t i = 0; i < 3 * m; i++)
    g[i] = (float)limn_rng_below(&r, 4);
  test_knn_on("nearest neighbours: ties and duplicates", g, m, 3, 30);
  /* the same lattice in 20 columns, far from the origin: the single-precision
   * estimates |q|^2 + |r|^2 - 2 q.r cancel almost completely (error ~ 10 x the
   * distances), so only the margin keeps the blocked search exact */
  size_t w = 20;
  float *f = malloc(m * w * sizeof *f);
  for (size_t i = 0; i < m * w; i++)
    f[i] = 3000.0f + (float)limn_rng_below(&r, 4);
  test_knn_on("nearest neighbours: far from the origin", f, m, w, 30);
  /* fewer rows than one block of queries or one panel of references, every other row
   * a neighbour */
  test_knn_on("nearest neighbours: 7 rows", f, 7, w, 6);
  /* squared norms beyond single precision (the blocked search hands over to the tree) */
  for (size_t i = 0; i < m * w; i++)
    f[i] *= 1e18f;
  test_knn_on("nearest neighbours: huge values", f, m, w, 30);
  free(f);
  test_begin("nearest neighbours: bad k");
  CHECK_ERR(ctx, limn__knn(ctx, g, 5, 3, 5, 0, NULL, NULL), LIMN_EINVAL, "neighbours");
  free(g);
}

/* PCA of the digits against scikit-learn's (full SVD): variances, components up to
 * sign, scores of the first rows. */
static void test_pca(const float *x, size_t n) {
  test_begin("PCA vs scikit-learn");
  const char *fx = src_path("tests/fixtures/sklearn_digits_pca.txt");
  size_t nv = 0, nc = 0, ns = 0, k = 10;
  double *rv = read_vec(fx, "variance", &nv), *rc = read_vec(fx, "components", &nc),
         *rs = read_vec(fx, "scores", &ns);
  CHECK(rv && rc && rs && nv == k && nc == k * 64 && ns == 5 * k);
  if (!rv || !rc || !rs || nv != k || nc != k * 64 || ns != 5 * k)
    return;
  double var[10], comp[640], worst_v = 0, worst_c = 0, worst_s = 0, worst_o = 0;
  float *sc = malloc(n * k * sizeof *sc);
  CHECK_OK(ctx, limn_pca(ctx, x, n, 64, k, sc, comp, var, NULL));
  for (size_t c = 0; c < k; c++) {
    double dot = 0;
    for (size_t j = 0; j < 64; j++)
      dot += comp[c * 64 + j] * rc[c * 64 + j];
    double sg = dot < 0 ? -1 : 1;
    worst_v = fmax(worst_v, fabs(var[c] - rv[c]) / rv[c]);
    worst_c = fmax(worst_c, 1 - fabs(dot));
    for (size_t i = 0; i < 5; i++)
      worst_s = fmax(worst_s, fabs(sg * sc[i * k + c] - rs[i * k + c]));
    for (size_t d = 0; d < k; d++) { /* orthonormal */
      double o = 0;
      for (size_t j = 0; j < 64; j++)
        o += comp[c * 64 + j] * comp[d * 64 + j];
      worst_o = fmax(worst_o, fabs(o - (c == d)));
    }
  }
  printf("PCA vs scikit-learn: variance rel. error %.1e, 1 - |cos| %.1e, scores abs. error %.1e, "
         "orthonormality %.1e\n",
         worst_v, worst_c, worst_s, worst_o);
  CHECK(worst_v < 1e-9 && worst_c < 1e-9 && worst_s < 1e-3 && worst_o < 1e-12);
  CHECK_ERR(ctx, limn_pca(ctx, x, n, 64, 65, NULL, NULL, NULL, NULL), LIMN_EINVAL, "at most 64");
  free(sc), free(rv), free(rc), free(rs);
}

/* Map quality on hand-worked cases: rows 0, 1, 3, 7 on a line, labels 0 0 1 1, k = 1.
 * Mapped as themselves, every 1-NN is kept and leave-one-out accuracy is 3/4 (row 2's
 * nearest is row 1, of the other class); mapped to (0,0) (10,0) (1,0) (11,0) no 1-NN
 * is kept and every vote is wrong. */
static void test_quality(void) {
  test_begin("map quality");
  float x[4] = {0, 1, 3, 7};
  double same[8] = {0, 0, 1, 0, 3, 0, 7, 0}, mixed[8] = {0, 0, 10, 0, 1, 0, 11, 0};
  long lab[4] = {0, 0, 1, 1};
  double p = -1, a = -1;
  CHECK_OK(ctx, limn_tsne_quality(ctx, x, 4, 1, same, lab, 1, &p, &a));
  CHECK(p == 1.0 && a == 0.75);
  CHECK_OK(ctx, limn_tsne_quality(ctx, x, 4, 1, mixed, lab, 1, &p, &a));
  CHECK(p == 0.0 && a == 0.0);
  CHECK_OK(ctx, limn_tsne_quality(ctx, x, 4, 1, same, NULL, 1, &p, &a));
  CHECK(p == 1.0 && isnan(a));
  CHECK_ERR(ctx, limn_tsne_quality(ctx, x, 4, 1, same, lab, 4, &p, &a), LIMN_EINVAL, "4 neighbours");
}

/* New rows placed into a finished map: most land among reference points of their own
 * class; a row's place does not depend on its batch or the thread count. */
static void test_transform(const limn_dataset *ds) {
  test_begin("transform");
  const float *x = limn_dataset_x(ds);
  const float *lab = limn_dataset_y(ds);
  size_t nr = 1200, n = limn_dataset_nrows(ds) - nr;
  limn_tsne_affinity *P = NULL;
  CHECK_OK(ctx, limn_tsne_affinities(ctx, x, nr, 64, 30, &P));
  if (!P)
    return;
  double *ry = malloc(2 * nr * sizeof *ry), *y = malloc(2 * n * sizeof *y), *kl = malloc(n * sizeof *kl), kl0;
  limn_tsne_opts o = limn_tsne_opts_default();
  CHECK_OK(ctx, limn_tsne_run(ctx, P, x, 64, &o, ry, &kl0));
  limn_tsne_transform_opts to = limn_tsne_transform_opts_default();
  limn_ctx_set_threads(ctx, 2);
  CHECK_OK(ctx, limn_tsne_transform(ctx, x, ry, nr, 64, x + nr * 64, n, &to, y, kl));
  /* the majority class of the 10 nearest reference points around each new point */
  size_t right = 0;
  double mean_kl = 0;
  for (size_t i = 0; i < n; i++) {
    size_t best[10];
    double bd[10];
    for (size_t q = 0; q < 10; q++)
      bd[q] = INFINITY, best[q] = 0;
    for (size_t j = 0; j < nr; j++) {
      double dx = y[2 * i] - ry[2 * j], dy = y[2 * i + 1] - ry[2 * j + 1], d = dx * dx + dy * dy;
      size_t p = 10;
      while (p > 0 && bd[p - 1] > d) {
        if (p < 10)
          bd[p] = bd[p - 1], best[p] = best[p - 1];
        p--;
      }
      if (p < 10)
        bd[p] = d, best[p] = j;
    }
    int votes[10] = {0}, top = 0;
    for (size_t q = 0; q < 10; q++)
      votes[(int)lab[best[q]]]++;
    for (int c = 1; c < 10; c++)
      top = votes[c] > votes[top] ? c : top;
    right += top == (int)lab[nr + i];
    mean_kl += kl[i] / (double)n;
  }
  printf("transform: %zu new digits, %.3f land among their own class; mean point-wise KL %.3f\n", n,
         (double)right / (double)n, mean_kl);
  CHECK((double)right / (double)n > 0.95);
  double one[2], *y1 = malloc(2 * n * sizeof *y1);
  CHECK_OK(ctx, limn_tsne_transform(ctx, x, ry, nr, 64, x + (nr + 37) * 64, 1, &to, one, NULL));
  CHECK(!memcmp(one, y + 2 * 37, sizeof one)); /* alone = in the batch */
  limn_ctx_set_threads(ctx, 1);
  CHECK_OK(ctx, limn_tsne_transform(ctx, x, ry, nr, 64, x + nr * 64, n, &to, y1, NULL));
  CHECK(!memcmp(y1, y, 2 * n * sizeof *y));
  limn_ctx_set_threads(ctx, 0);
  to.perplexity = 500;
  CHECK_ERR(ctx, limn_tsne_transform(ctx, x, ry, nr, 64, x, 1, &to, y, NULL), LIMN_EINVAL, "at most 400");
  to = limn_tsne_transform_opts_default();
  float bad[64] = {0};
  bad[5] = NAN;
  CHECK_ERR(ctx, limn_tsne_transform(ctx, x, ry, nr, 64, bad, 1, &to, y, NULL), LIMN_ENONFINITE, "column 5");
  free(ry), free(y), free(y1), free(kl);
  limn_tsne_affinity_free(ctx, P);
}

/* Into a map of 12 000 points the transform's repulsion is Barnes-Hut: new points land
 * where the exact sums put them (to a small fraction of the clusters' spread), the
 * same alone or in a batch, on 1 or 2 threads. The reference: noisy copies of the
 * digits, placed by hand in ten clusters of radius ~2 on a circle of radius 30. */
static void test_transform_bh(const limn_dataset *ds) {
  test_begin("transform: Barnes-Hut into a large map");
  const float *x0 = limn_dataset_x(ds);
  const float *lab = limn_dataset_y(ds);
  size_t n0 = limn_dataset_nrows(ds), nr = 12000, n = 60, dim = 64;
  float *rx = malloc(nr * dim * sizeof *rx);
  double *ry = malloc(2 * nr * sizeof *ry), *ye = malloc(2 * n * sizeof *ye),
         *yb = malloc(2 * n * sizeof *yb);
  double *y1 = malloc(2 * n * sizeof *y1), *ke = malloc(n * sizeof *ke), *kb = malloc(n * sizeof *kb);
  limn_rng r;
  limn_rng_init(&r, 5, 0);
  for (size_t j = 0; j < nr; j++) {
    size_t src = j % n0;
    for (size_t c = 0; c < dim; c++)
      rx[j * dim + c] = x0[src * dim + c] + (float)(0.5 * limn_rng_normal(&r));
    double a = 0.6283185307179586 * (double)lab[src];
    ry[2 * j] = 30.0 * cos(a) + 2.0 * limn_rng_normal(&r);
    ry[2 * j + 1] = 30.0 * sin(a) + 2.0 * limn_rng_normal(&r);
  }
  limn_tsne_transform_opts to = limn_tsne_transform_opts_default();
  to.theta = 0.0;
  CHECK_OK(ctx, limn_tsne_transform(ctx, rx, ry, nr, dim, x0, n, &to, ye, ke));
  to.theta = 0.5;
  limn_ctx_set_threads(ctx, 2);
  CHECK_OK(ctx, limn_tsne_transform(ctx, rx, ry, nr, dim, x0, n, &to, yb, kb));
  double dmax = 0, kle = 0, klb = 0;
  size_t far = 0;
  for (size_t i = 0; i < n; i++) {
    double d = hypot(yb[2 * i] - ye[2 * i], yb[2 * i + 1] - ye[2 * i + 1]);
    dmax = fmax(dmax, d);
    far += d > 0.1; /* 5 % of a cluster's spread */
    kle += ke[i] / (double)n, klb += kb[i] / (double)n;
  }
  printf("transform into 12 000 points: Barnes-Hut vs exact, largest move %.2e, %zu of %zu beyond 0.1; mean "
         "KL %.4f "
         "vs %.4f\n",
         dmax, far, n, klb, kle);
  CHECK(far <= n / 20 && fabs(klb - kle) < 0.01 * kle);
  limn_ctx_set_threads(ctx, 1);
  CHECK_OK(ctx, limn_tsne_transform(ctx, rx, ry, nr, dim, x0, n, &to, y1, NULL));
  CHECK(!memcmp(y1, yb, 2 * n * sizeof *yb));
  double one[2];
  CHECK_OK(ctx, limn_tsne_transform(ctx, rx, ry, nr, dim, x0 + 17 * dim, 1, &to, one, NULL));
  CHECK(!memcmp(one, yb + 2 * 17, sizeof one));
  limn_ctx_set_threads(ctx, 0);
  to.theta = -1;
  CHECK_ERR(ctx, limn_tsne_transform(ctx, rx, ry, nr, dim, x0, 1, &to, y1, NULL), LIMN_EINVAL,
            "out of range");
  free(rx), free(ry), free(ye), free(yb), free(y1), free(ke), free(kb);
}

/* The saved map: a round trip keeps every number bit for bit; bad files name the
 * line and field. */
static void test_map_file(void) {
  test_begin("map file");
  float x[6] = {0.1f, -2.5e-7f, 3.0f, 1e30f, -0.0f, 7.25f};
  double y[4] = {0.1, -1.0 / 3.0, 1e-300, 12345.678901234567};
  double sh[2] = {0.5, -1.0 / 7.0}, sc[2] = {2.0, 1e-3}, pm[2] = {1.0 / 3.0, 2.0},
         pc[6] = {0.6, 0.8, 0, 1, 1, 0};
  limn_tsne_map m = {"space=input|pca=3 a|b", 2, 3, x, y, 2, sh, sc, pm, pc};
  /* dim 3 from raw 2 is nonsense for PCA but fine for the file; only sizes matter */
  const char *path = "test_embed_map.ref";
  CHECK_OK(ctx, limn_tsne_map_save(ctx, &m, path));
  limn_tsne_map *r = NULL;
  CHECK_OK(ctx, limn_tsne_map_load(ctx, path, &r));
  if (r) {
    CHECK(!strcmp(r->meta, m.meta) && r->n == 2 && r->dim == 3 && r->raw_dim == 2);
    CHECK(!memcmp(r->x, x, sizeof x) && !memcmp(r->y, y, sizeof y));
    CHECK(!memcmp(r->shift, sh, sizeof sh) && !memcmp(r->scale, sc, sizeof sc));
    CHECK(!memcmp(r->pca_mean, pm, sizeof pm) && !memcmp(r->pca_components, pc, sizeof pc));
  }
  limn_tsne_map_free(ctx, r);
  remove(path);
  struct {
    const char *text, *needle;
  } bad[] = {
      {"", "line 1: not a limn map file"},
      {"limn-tsne-map 1\nmeta \nn 1\n2\ndim 1\n1\nraw_dim 1\n0\nx 2\n1 2\n", "field 'y' is missing"},
      {"limn-tsne-map 1\nmeta \nn 1\n2 3\n", "line 4: field 'n': more than the 1 values announced"},
      {"limn-tsne-map 1\nmeta \nn 2\n2\n", "line 4: field 'n': 2 values announced, 1 found"},
      {"limn-tsne-map 1\nmeta \nn 1\nnan\n", "line 4: field 'n': value 1 is not a finite number"},
      {"limn-tsne-map 1\nmeta \nz 1\n1\n", "line 3: unknown field 'z'"},
      {"limn-tsne-map 1\nmeta \nn 1\n1\nn 1\n1\n", "line 5: field 'n' given twice"},
      {"limn-tsne-map 1\nmeta \nn 1\n1\ndim 1\n1\nraw_dim 1\n0\nx 2\n1 2\ny 2\n0 0\n",
       "'x' needs n dim = 1 x 1 values"},
      {"limn-tsne-map 1\nmeta \nn 1\n1\ndim 1\n1\nraw_dim 1\n0\nx 1\n1\ny 2\n0 0\nshift 1\n0\nscale 1\n0\n",
       "field 'scale': value 1 is not positive"},
  };
  for (size_t q = 0; q < sizeof bad / sizeof *bad; q++) {
    limn_tsne_map *b = NULL;
    CHECK_ERR(ctx, limn_tsne_map_load_mem(ctx, bad[q].text, strlen(bad[q].text), "m.ref", &b), LIMN_EFORMAT,
              bad[q].needle);
    CHECK(b == NULL);
  }
  /* a checksum line makes a hand-written map load; without it, or with the file cut
   * inside its last number, or one digit changed, it is refused */
  const char *body = "limn-tsne-map 1\nmeta \nn 1\n1\ndim 1\n1\nraw_dim 1\n0\nx 1\n1\ny 2\n0 25\n";
  char good[512], hex[65];
  limn_sha256(body, strlen(body), hex);
  snprintf(good, sizeof good, "%ssha256 %s\n", body, hex);
  CHECK_OK(ctx, limn_tsne_map_load_mem(ctx, good, strlen(good), "m.ref", &r));
  CHECK(r && r->y[1] == 25);
  limn_tsne_map_free(ctx, r);
  r = NULL;
  CHECK_ERR(ctx, limn_tsne_map_load_mem(ctx, body, strlen(body), "m.ref", &r), LIMN_EFORMAT,
            "no checksum line at the end");
  CHECK_ERR(ctx, limn_tsne_map_load_mem(ctx, body, strlen(body) - 2, "m.ref", &r), LIMN_EFORMAT,
            "no checksum line at the end"); /* "0 25" cut to "0 2" */
  char edited[512];
  snprintf(edited, sizeof edited, "%s", good);
  edited[strlen(body) - 2] = '6'; /* y = 26 */
  CHECK_ERR(ctx, limn_tsne_map_load_mem(ctx, edited, strlen(edited), "m.ref", &r), LIMN_EFORMAT,
            "checksum mismatch");
  CHECK(r == NULL);
  /* values no saved map has: refused before the checksum is looked at */
  struct {
    const char *text, *needle;
  } odd[] = {
      {"limn-tsne-map 1\nmeta \nn 1\n1\ndim 1\n1\nraw_dim 1\n0\nx 1\n1\ny 2\n0 1e300\n",
       "field 'y': value 2 (1e+300) is beyond +-1e8"},
      {"limn-tsne-map 1\nmeta \nn 1\n1\ndim 1\n1\nraw_dim 1\n0\nx 1\n1\ny 2\n0 0\nshift 1\n0\nscale "
       "1\n1e-320\n",
       "field 'scale': value 1 (9.99989e-321) is too small to divide by"},
      {"limn-tsne-map 1\nmeta \nn 1\n1\ndim 1\n1\nraw_dim 1\n2\nx 1\n1\ny 2\n0 0\npca_mean 2\n0 0\n"
       "pca_components 2\n0 0\n",
       "component 1 has length 0, not 1"},
  };
  for (size_t q = 0; q < sizeof odd / sizeof *odd; q++)
    CHECK_ERR(ctx, limn_tsne_map_load_mem(ctx, odd[q].text, strlen(odd[q].text), "m.ref", &r), LIMN_EFORMAT,
              odd[q].needle);
}

/* The FFT against a naive DFT in long double, for every radix and mixed lengths;
 * the inverse undoes it; a batch of sequences transforms each as alone; lengths with
 * other factors are refused. */
static void test_fft(void) {
  test_begin("FFT vs DFT");
  const size_t lens[] = {1, 2, 3, 4, 5, 6, 8, 9, 12, 15, 16, 25, 30, 60, 64, 90, 150, 216, 300, 384};
  for (size_t t = 0; t < sizeof lens / sizeof *lens; t++) {
    size_t n = lens[t];
    limn__fft *p = NULL;
    CHECK_OK(ctx, limn__fft_plan(ctx, n, &p));
    if (!p)
      continue;
    double *x = malloc(2 * n * sizeof *x), *x0 = malloc(2 * n * sizeof *x0), *w = malloc(2 * n * sizeof *w);
    for (size_t i = 0; i < 2 * n; i++)
      x[i] = x0[i] = sin(1.3 * (double)i + 0.7) + 0.1 * (double)(i % 7);
    limn__fft_run(p, x, w, 0);
    double err = 0, mag = 0, back = 0;
    for (size_t k = 0; k < n; k++) {
      long double sr = 0, si = 0;
      for (size_t j = 0; j < n; j++) {
        long double a =
            -2.0L * 3.141592653589793238462643383279503L * (long double)((j * k) % n) / (long double)n;
        sr += x0[2 * j] * cosl(a) - x0[2 * j + 1] * sinl(a);
        si += x0[2 * j] * sinl(a) + x0[2 * j + 1] * cosl(a);
      }
      err = fmax(err, fmax(fabs(x[2 * k] - (double)sr), fabs(x[2 * k + 1] - (double)si)));
      mag = fmax(mag, fmax(fabs((double)sr), fabs((double)si)));
    }
    /* a batch of 3 interleaved sequences (the middle one x0): each comes out as
     * limn__fft_run gives it, bit for bit */
    double *bx = malloc(6 * n * sizeof *bx), *bw = malloc(6 * n * sizeof *bw),
           *one = malloc(2 * n * sizeof *one);
    for (size_t j = 0; j < n; j++)
      for (size_t c = 0; c < 3; c++) {
        bx[2 * (3 * j + c)] = c == 1 ? x0[2 * j] : cos(0.9 * (double)(j + c));
        bx[2 * (3 * j + c) + 1] = c == 1 ? x0[2 * j + 1] : (double)c - 0.3 * (double)j;
      }
    size_t diff = 0;
    for (int inv = 0; inv < 2; inv++) {
      double *keep = malloc(6 * n * sizeof *keep);
      memcpy(keep, bx, 6 * n * sizeof *keep);
      limn__fft_run_batch(p, bx, bw, inv, 3);
      for (size_t c = 0; c < 3; c++) {
        for (size_t j = 0; j < n; j++)
          one[2 * j] = keep[2 * (3 * j + c)], one[2 * j + 1] = keep[2 * (3 * j + c) + 1];
        limn__fft_run(p, one, w, inv);
        for (size_t j = 0; j < n; j++)
          diff += one[2 * j] != bx[2 * (3 * j + c)] || one[2 * j + 1] != bx[2 * (3 * j + c) + 1];
      }
      free(keep);
    }
    CHECK(diff == 0);
    free(bx), free(bw), free(one);
    limn__fft_run(p, x, w, 1);
    for (size_t i = 0; i < 2 * n; i++)
      back = fmax(back, fabs(x[i] / (double)n - x0[i]));
    if (!(err <= 1e-14 * mag && back <= 1e-14))
      printf("length %zu: error %.2e of %.2e, round trip %.2e\n", n, err, mag, back);
    CHECK(err <= 1e-14 * mag && back <= 1e-14);
    free(x), free(x0), free(w);
    limn__fft_free(ctx, p);
  }
  limn__fft *p = NULL;
  CHECK_ERR(ctx, limn__fft_plan(ctx, 14, &p), LIMN_EINVAL, "not a product of 2, 3 and 5");
  CHECK(limn__fft_good_size(91) == 96 && limn__fft_good_size(97) == 100 && limn__fft_good_size(1) == 1);
}

/* Approximate neighbours on the digits (1797 x 64, 90 each): at least 98 % of the
 * exact (brute-force) neighbours found; every list a valid one (ascending by distance
 * then index, its distances the exact search's, no repeats, not the row itself); the
 * same lists on 1 and 2 threads; and t-SNE's affinities built on them. */
static void test_knn_approx(const float *x, size_t n) {
  test_begin("approximate nearest neighbours: digits");
  size_t k = 90, dim = 64;
  size_t *ne = malloc(n * k * sizeof *ne), *na = malloc(n * k * sizeof *na), *n1 = malloc(n * k * sizeof *n1);
  double *de = malloc(n * k * sizeof *de), *da = malloc(n * k * sizeof *da), *d1 = malloc(n * k * sizeof *d1);
  CHECK_OK(ctx, limn__knn(ctx, x, n, dim, k, LIMN__KNN_BRUTE, ne, de));
  limn_ctx *c2 = limn_ctx_create(NULL), *c1 = limn_ctx_create(NULL);
  limn_ctx_set_threads(c2, 2);
  limn_ctx_set_threads(c1, 1);
  CHECK_OK(c2, limn__knn_approx(c2, x, n, dim, k, 0, na, da));
  CHECK_OK(c1, limn__knn_approx(c1, x, n, dim, k, 0, n1, d1));
  CHECK(!memcmp(na, n1, n * k * sizeof *na) && !memcmp(da, d1, n * k * sizeof *da));
  size_t hit = 0, bad = 0;
  for (size_t i = 0; i < n; i++) {
    for (size_t a = 0, b = 0; a < k && b < k;) { /* both ascending by (distance, index) */
      size_t ja = na[i * k + a], jb = ne[i * k + b];
      double xa = da[i * k + a], xb = de[i * k + b];
      if (ja == jb && xa == xb)
        hit++, a++, b++;
      else if (xa < xb || (xa == xb && ja < jb))
        a++;
      else
        b++;
    }
    for (size_t a = 0; a < k; a++) {
      size_t j = na[i * k + a];
      bad += j == i || j >= n || da[i * k + a] != limn__sqdist(x + i * dim, x + j * dim, dim);
      if (a)
        bad += da[i * k + a - 1] > da[i * k + a] ||
               (da[i * k + a - 1] == da[i * k + a] && na[i * k + a - 1] >= j);
    }
  }
  double recall = (double)hit / ((double)n * (double)k);
  printf("approximate nearest neighbours, digits: recall %.4f\n", recall);
  CHECK(recall >= 0.98);
  CHECK(bad == 0);
  limn_tsne_affinity *P = NULL;
  CHECK_OK(c2, limn_tsne_affinities_knn(c2, x, n, dim, 30, LIMN_TSNE_KNN_APPROX, &P));
  CHECK(P && P->knn_k == k && !memcmp(P->knn, na, n * k * sizeof *na));
  double total = 0;
  size_t asym = 0;
  for (size_t i = 0; P && i < n; i++)
    for (size_t q = P->rowptr[i]; q < P->rowptr[i + 1]; q++) {
      total += P->val[q];
      size_t j = P->col[q], r = P->rowptr[j];
      while (r < P->rowptr[j + 1] && P->col[r] != i)
        r++;
      asym += r == P->rowptr[j + 1] || P->val[r] != P->val[q] || (q > P->rowptr[i] && P->col[q - 1] >= j);
    }
  CHECK(fabs(total - 1.0) < 1e-12);
  CHECK(asym == 0);
  limn_tsne_affinity_free(c2, P);
  CHECK_ERR(c2, limn_tsne_affinities_knn(c2, x, n, dim, 30, (limn_tsne_knn)7, &P), LIMN_EINVAL, "unknown");
  /* ties and repeated rows (a small integer lattice): valid lists, k-th distances no
   * smaller than the exact ones */
  size_t m = 700, w = 3, kk = 30;
  float *g = malloc(m * w * sizeof *g);
  limn_rng r;
  limn_rng_init(&r, 7, 0);
  for (size_t i = 0; i < m * w; i++)
    g[i] = (float)limn_rng_below(&r, 4);
  CHECK_OK(ctx, limn__knn(ctx, g, m, w, kk, LIMN__KNN_BRUTE, ne, de));
  CHECK_OK(ctx, limn__knn_approx(ctx, g, m, w, kk, 0, na, da));
  bad = 0;
  for (size_t i = 0; i < m; i++)
    for (size_t a = 0; a < kk; a++) {
      size_t j = na[i * kk + a];
      bad += j == i || da[i * kk + a] != limn__sqdist(g + i * w, g + j * w, w) ||
             da[i * kk + a] < de[i * kk + a];
      for (size_t b = 0; b < a; b++)
        bad += na[i * kk + b] == j;
    }
  CHECK(bad == 0);
  free(g);
  limn_ctx_free(c1), limn_ctx_free(c2);
  free(ne), free(na), free(n1), free(de), free(da), free(d1);
}

int main(void) {
  ctx = limn_ctx_create(NULL);
  limn_dataset *ds = digits();
  if (ds) {
    const float *x = limn_dataset_x(ds);
    test_fft();
    test_knn(x, limn_dataset_nrows(ds));
    test_knn_approx(x, limn_dataset_nrows(ds));
    test_pca(x, limn_dataset_nrows(ds));
    test_quality();
    test_map_file();
    test_affinities(x, 400);
    test_gradients(x);
    test_approximations(x, 600);
    test_run(x, 500);
    test_transform(ds);
    test_transform_bh(ds);
  } else {
    CHECK(!"digits");
  }
  limn_dataset_free(ds);
  limn_ctx_free(ctx);
  return test_end();
}

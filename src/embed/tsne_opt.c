/* t-SNE's gradient (exact or Barnes-Hut) and its optimisation. */
#include "../core/internal.h"
#include "qtree.h"
#include "tsne_fft.h"
#include <math.h>

/* ---- gradient ---- */

/* P for the attraction: CSR with 32-bit columns and single-precision values (what
 * attract() sums), its rows and columns possibly renumbered (see bfs_order). */
typedef struct agraph {
  size_t n, maxrow; /* maxrow: the most nonzeros of a row */
  size_t *rowptr;
  uint32_t *col;
  float *val;
} agraph;

typedef struct grad_arg {
  const agraph *P;
  const double *y;
  double exag, theta;
  const qtree *tree;  /* NULL: exact */
  int no_rep;         /* attraction only (the FFT computes the repulsion) */
  double *attr, *rep; /* (n, 2) */
  double *z;          /* (n) per-point share of Z */
} grad_arg;

/* Attraction of a point to its cnt neighbours, given their offsets (dx, dy) = y_i - y_q
 * and weights p: sum_q p_q w_q (dx, dy), w = 1 / (1 + d^2). Single precision (like
 * scikit-learn's t-SNE) in 16 partial sums (lane q % 16), added in double in a fixed
 * order: vectorisable, and the same bits on every machine. */
LIMN_CLONES static void attract(const float *restrict dx, const float *restrict dy, const float *restrict p,
                                size_t cnt, double *ax, double *ay) {
  float sx[16] = {0}, sy[16] = {0};
  size_t q = 0;
  for (; q + 16 <= cnt; q += 16)
    for (int l = 0; l < 16; l++) {
      float u = dx[q + (size_t)l], v = dy[q + (size_t)l];
      float f = p[q + (size_t)l] / (1.0f + u * u + v * v);
      sx[l] += f * u;
      sy[l] += f * v;
    }
  for (int l = 0; q < cnt; q++, l++) {
    float u = dx[q], v = dy[q], f = p[q] / (1.0f + u * u + v * v);
    sx[l] += f * u;
    sy[l] += f * v;
  }
  double tx = 0, ty = 0;
  for (int l = 0; l < 16; l++)
    tx += sx[l], ty += sy[l];
  *ax = tx, *ay = ty;
}

static int grad_item(void *arg, size_t i, void *scratch) {
  grad_arg *a = arg;
  const double *y = a->y;
  size_t lo = a->P->rowptr[i], nrow = a->P->rowptr[i + 1] - lo, maxrow = a->P->maxrow;
  float *bx = scratch, *by = bx + maxrow;      /* offsets, gathered */
  long *stack = (long *)(void *)(by + maxrow); /* 2 maxrow floats: 8-byte aligned */
  const uint32_t *col = a->P->col + lo;
  double yi = y[2 * i], yj = y[2 * i + 1], ax, ay, rx = 0, ry = 0, z = 0;
  for (size_t q = 0; q < nrow; q++) {
    size_t j = col[q];
    bx[q] = (float)(yi - y[2 * j]);
    by[q] = (float)(yj - y[2 * j + 1]);
  }
  attract(bx, by, a->P->val + lo, nrow, &ax, &ay); /* attraction, exact */
  if (a->no_rep) {
    /* repulsion elsewhere */
  } else if (!a->tree) {
    for (size_t j = 0; j < a->P->n; j++) {
      if (j == i)
        continue;
      double dx = yi - y[2 * j], dy = yj - y[2 * j + 1], w = 1.0 / (1.0 + dx * dx + dy * dy);
      z += w;
      rx += w * w * dx;
      ry += w * w * dy;
    }
  } else {
    limn__qtree_repulsion(a->tree, yi, yj, a->theta, a->tree->leaf_of[i], stack, &z, &rx, &ry);
  }
  a->attr[2 * i] = a->exag * ax;
  a->attr[2 * i + 1] = a->exag * ay;
  a->rep[2 * i] = rx;
  a->rep[2 * i + 1] = ry;
  a->z[i] = z;
  return 0;
}

typedef struct tsne_ws {
  qtree tree;
  limn__tsne_fft fft;
  double *attr, *rep, *z;
  size_t stack;
} tsne_ws;

/* Gradient (no factor 4) into grad, Z into *zsum, with repulsion by method m (exact,
 * Barnes-Hut or FFT: resolved, not AUTO). */
static int gradient(limn_ctx *ctx, tsne_ws *w, const agraph *P, const double *y, limn_tsne_method m,
                    double theta, size_t nodes, double exag, double *grad, double *zsum) {
  size_t n = P->n;
  int bh = m == LIMN_TSNE_BARNES_HUT, fft = m == LIMN_TSNE_FFT;
  if (bh)
    LIMN_TRY(limn__qtree_build(ctx, &w->tree, y, n));
  grad_arg a = {P, y, exag, theta, bh ? &w->tree : NULL, fft, w->attr, w->rep, w->z};
  size_t stack = bh ? limn__qtree_stack(&w->tree) : 1;
  if (limn__parallel_for(ctx, n, stack * sizeof(long) + (2 * P->maxrow + 2) * sizeof(float), grad_item, &a))
    return LIMN_ENOMEM;
  double Z = 0.0;
  if (fft) {
    LIMN_TRY(limn__tsne_fft_repulsion(ctx, &w->fft, y, n, nodes, w->rep, w->z, &Z));
  } else {
    for (size_t i = 0; i < n; i++) /* in order: thread-count independent */
      Z += w->z[i];
  }
  for (size_t i = 0; i < 2 * n; i++)
    grad[i] = w->attr[i] - w->rep[i] / Z;
  *zsum = Z;
  return LIMN_OK;
}

static void agraph_free(limn_ctx *ctx, agraph *g) {
  limn__free(ctx, g->rowptr);
  limn__free(ctx, g->col);
  limn__free(ctx, g->val);
  memset(g, 0, sizeof *g);
}

/* P as an agraph, row and column i renumbered inv[i] (inv NULL: as they are). */
static int agraph_build(limn_ctx *ctx, const limn_tsne_affinity *P, const size_t *perm, const size_t *inv,
                        agraph *g) {
  size_t n = P->n, nnz = P->rowptr[n];
  memset(g, 0, sizeof *g);
  if (n > UINT32_MAX)
    return limn__err(ctx, LIMN_EINVAL, "t-SNE of %zu rows: at most %u", n, (unsigned)UINT32_MAX);
  g->rowptr = limn__alloc_array(ctx, n + 1, sizeof(size_t));
  g->col = limn__alloc_array(ctx, nnz ? nnz : 1, sizeof(uint32_t));
  g->val = limn__alloc_array(ctx, nnz ? nnz : 1, sizeof(float));
  if (!g->rowptr || !g->col || !g->val) {
    agraph_free(ctx, g);
    return LIMN_ENOMEM;
  }
  g->n = n, g->maxrow = 1, g->rowptr[0] = 0;
  for (size_t r = 0; r < n; r++) { /* new row r is old row perm[r] */
    size_t i = perm ? perm[r] : r, lo = P->rowptr[i], cnt = P->rowptr[i + 1] - lo, at = g->rowptr[r];
    for (size_t q = 0; q < cnt; q++) {
      g->col[at + q] = (uint32_t)(inv ? inv[P->col[lo + q]] : P->col[lo + q]);
      g->val[at + q] = (float)P->val[lo + q];
    }
    g->rowptr[r + 1] = at + cnt;
    g->maxrow = cnt > g->maxrow ? cnt : g->maxrow;
  }
  return LIMN_OK;
}

/* A numbering of the points in breadth-first order over P's graph (each component
 * from its lowest-numbered point; neighbours in column order): points that attract
 * each other get nearby numbers, so the attraction's gathers stay in cache. perm
 * (new -> old), inv (old -> new). */
static void bfs_order(const limn_tsne_affinity *P, size_t *perm, size_t *inv) {
  size_t n = P->n, head = 0, tail = 0;
  for (size_t i = 0; i < n; i++)
    inv[i] = SIZE_MAX;
  for (size_t s = 0; s < n; s++) {
    if (inv[s] != SIZE_MAX)
      continue;
    inv[s] = tail, perm[tail++] = s;
    while (head < tail) {
      size_t u = perm[head++];
      for (size_t q = P->rowptr[u]; q < P->rowptr[u + 1]; q++) {
        size_t v = P->col[q];
        if (inv[v] == SIZE_MAX)
          inv[v] = tail, perm[tail++] = v;
      }
    }
  }
}

/* KL(P || Q) with the given Z. */
static double kl_div(const limn_tsne_affinity *P, const double *y, double Z) {
  double kl = 0.0;
  for (size_t i = 0; i < P->n; i++)
    for (size_t q = P->rowptr[i]; q < P->rowptr[i + 1]; q++) {
      size_t j = P->col[q];
      double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
      double qij = 1.0 / (1.0 + dx * dx + dy * dy) / Z, p = P->val[q];
      if (p > 0)
        kl += p * log(p / fmax(qij, 1e-300));
    }
  return kl;
}

static int ws_init(limn_ctx *ctx, tsne_ws *w, size_t n) {
  memset(w, 0, sizeof *w);
  w->attr = limn__alloc_array(ctx, n, 2 * sizeof(double));
  w->rep = limn__alloc_array(ctx, n, 2 * sizeof(double));
  w->z = limn__alloc_array(ctx, n, sizeof(double));
  return w->attr && w->rep && w->z ? LIMN_OK : LIMN_ENOMEM;
}

static void ws_free(limn_ctx *ctx, tsne_ws *w) {
  limn__free(ctx, w->attr);
  limn__free(ctx, w->rep);
  limn__free(ctx, w->z);
  limn__qtree_free(ctx, &w->tree);
  limn__tsne_fft_free(ctx, &w->fft);
}

/* AUTO by size: exact below 1000 points, Barnes-Hut below LIMN__TSNE_FFT_FROM, FFT
 * above (measured: at 5000 rows the FFT is 20 % faster but its KL 0.02 higher; at
 * 20 000 it is 3.4 times faster, KL 0.01 higher). */
#define LIMN__TSNE_FFT_FROM 10000
static limn_tsne_method resolve(limn_tsne_method m, size_t n) {
  if (m != LIMN_TSNE_AUTO)
    return m;
  return n < 1000 ? LIMN_TSNE_EXACT : n < LIMN__TSNE_FFT_FROM ? LIMN_TSNE_BARNES_HUT : LIMN_TSNE_FFT;
}

int limn_tsne_gradient(limn_ctx *ctx, const limn_tsne_affinity *P, const double *y, limn_tsne_method method,
                       double theta, double *grad, double *kl) {
  tsne_ws w;
  agraph g;
  int rc = ws_init(ctx, &w, P->n);
  double Z = 0;
  if (rc == LIMN_OK)
    rc = agraph_build(ctx, P, NULL, NULL, &g);
  if (rc == LIMN_OK) {
    rc = gradient(ctx, &w, &g, y, resolve(method, P->n), theta, 3, 1.0, grad, &Z);
    agraph_free(ctx, &g);
  }
  if (rc == LIMN_OK && kl)
    *kl = kl_div(P, y, Z);
  ws_free(ctx, &w);
  return rc;
}

/* ---- initialisation ---- */

/* One chunk of rows of a power-iteration step: t = Xc v on its rows, and its share
 * of u = Xc^T t into part (dim). Fixed chunks: the same sums on any thread count. */
#define PCA_CHUNK 2048
typedef struct pca_arg {
  const float *x;
  size_t n, dim;
  const double *mu, *v;
  double *t, *part;
} pca_arg;

static int pca_item(void *arg, size_t ch, void *scratch) {
  (void)scratch;
  pca_arg *a = arg;
  size_t dim = a->dim, lo = ch * PCA_CHUNK, hi = lo + PCA_CHUNK < a->n ? lo + PCA_CHUNK : a->n;
  double *u = a->part + ch * dim;
  for (size_t c = 0; c < dim; c++)
    u[c] = 0;
  for (size_t i = lo; i < hi; i++) {
    double s = 0;
    for (size_t c = 0; c < dim; c++)
      s += ((double)a->x[i * dim + c] - a->mu[c]) * a->v[c];
    a->t[i] = s;
    for (size_t c = 0; c < dim; c++)
      u[c] += ((double)a->x[i * dim + c] - a->mu[c]) * s;
  }
  return 0;
}

/* The first two principal components of x by power iteration (deterministic start,
 * orthogonalised against the first), signs fixed so that the largest coordinate is
 * positive; y scaled so the first column has std 1e-4. */
static int pca_power(limn_ctx *ctx, const float *x, size_t n, size_t dim, double *y, double *mu, double *v,
                     double *t, double *u, double *part) {
  size_t nch = (n + PCA_CHUNK - 1) / PCA_CHUNK;
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < dim; c++)
      mu[c] += x[i * dim + c] / (double)n;
  for (int comp = 0; comp < 2; comp++) {
    double *vc = v + (size_t)comp * dim;
    for (size_t c = 0; c < dim; c++)
      vc[c] = 1.0 + 0.01 * (double)((c * 7 + (size_t)comp * 3) % 11);
    for (int it = 0; it < 100; it++) {
      if (comp == 1) { /* stay orthogonal to the first component */
        double dp = 0;
        for (size_t c = 0; c < dim; c++)
          dp += vc[c] * v[c];
        for (size_t c = 0; c < dim; c++)
          vc[c] -= dp * v[c];
      }
      double norm = 0;
      for (size_t c = 0; c < dim; c++)
        norm += vc[c] * vc[c];
      norm = sqrt(norm);
      if (!(norm > 1e-300))
        break;
      for (size_t c = 0; c < dim; c++)
        vc[c] /= norm;
      /* u = Xc^T Xc v: per chunk of rows in parallel, the chunks added in order */
      pca_arg pa = {x, n, dim, mu, vc, t, part};
      if (limn__parallel_for(ctx, nch, 0, pca_item, &pa))
        return LIMN_ENOMEM;
      for (size_t c = 0; c < dim; c++)
        u[c] = 0;
      for (size_t ch = 0; ch < nch; ch++)
        for (size_t c = 0; c < dim; c++)
          u[c] += part[ch * dim + c];
      memcpy(vc, u, dim * sizeof *u);
    }
    double norm = 0;
    size_t big = 0;
    for (size_t c = 0; c < dim; c++) {
      norm += vc[c] * vc[c];
      if (fabs(vc[c]) > fabs(vc[big]))
        big = c;
    }
    norm = sqrt(norm);
    double sign = vc[big] < 0 ? -1.0 : 1.0;
    for (size_t c = 0; c < dim; c++)
      vc[c] = norm > 0 ? sign * vc[c] / norm : 0.0;
    for (size_t i = 0; i < n; i++) {
      double s = 0;
      for (size_t c = 0; c < dim; c++)
        s += ((double)x[i * dim + c] - mu[c]) * vc[c];
      y[2 * i + (size_t)comp] = s;
    }
  }
  double m0 = 0, s0 = 0;
  for (size_t i = 0; i < n; i++)
    m0 += y[2 * i] / (double)n;
  for (size_t i = 0; i < n; i++)
    s0 += (y[2 * i] - m0) * (y[2 * i] - m0) / (double)n;
  double scale = s0 > 0 ? 1e-4 / sqrt(s0) : 1.0;
  for (size_t i = 0; i < 2 * n; i++)
    y[i] *= scale;
  return LIMN_OK;
}

static int pca_init(limn_ctx *ctx, const float *x, size_t n, size_t dim, double *y) {
  double *mu = limn__calloc(ctx, dim, sizeof(double)), *v = limn__alloc_array(ctx, 2 * dim, sizeof(double));
  double *t = limn__alloc_array(ctx, n, sizeof(double)), *u = limn__alloc_array(ctx, dim, sizeof(double));
  double *part = limn__alloc_array(ctx, (n + PCA_CHUNK - 1) / PCA_CHUNK, dim * sizeof(double));
  int rc = mu && v && t && u && part ? pca_power(ctx, x, n, dim, y, mu, v, t, u, part) : LIMN_ENOMEM;
  limn__free(ctx, mu), limn__free(ctx, v), limn__free(ctx, t), limn__free(ctx, u), limn__free(ctx, part);
  return rc;
}

/* ---- optimisation ---- */

typedef struct zrow_arg {
  const double *y;
  size_t n;
  double *z;
} zrow_arg;

/* z[i] = sum_{j != i} 1 / (1 + |y_i - y_j|^2) */
static int zrow_item(void *arg, size_t i, void *scratch) {
  (void)scratch;
  zrow_arg *a = arg;
  double s = 0;
  for (size_t j = 0; j < a->n; j++)
    if (j != i) {
      double dx = a->y[2 * i] - a->y[2 * j], dy = a->y[2 * i + 1] - a->y[2 * j + 1];
      s += 1.0 / (1.0 + dx * dx + dy * dy);
    }
  a->z[i] = s;
  return 0;
}

/* One point's step: gains, momentum, per-point clipping. */
typedef struct step_arg {
  const double *grad;
  double *upd, *gains, *y;
  double mom, lr, max_step;
} step_arg;

static int step_item(void *arg, size_t i, void *scratch) {
  (void)scratch;
  step_arg *a = arg;
  for (int c = 0; c < 2; c++) {
    size_t q = 2 * i + (size_t)c;
    a->gains[q] = (a->grad[q] > 0) != (a->upd[q] > 0) ? a->gains[q] + 0.2 : a->gains[q] * 0.8;
    if (a->gains[q] < 0.01)
      a->gains[q] = 0.01;
    a->upd[q] = a->mom * a->upd[q] - a->lr * a->gains[q] * a->grad[q];
  }
  double sx = a->upd[2 * i], sy = a->upd[2 * i + 1], norm = sqrt(sx * sx + sy * sy);
  if (norm > a->max_step) { /* per-point step clipping */
    a->upd[2 * i] *= a->max_step / norm;
    a->upd[2 * i + 1] *= a->max_step / norm;
  }
  a->y[2 * i] += a->upd[2 * i];
  a->y[2 * i + 1] += a->upd[2 * i + 1];
  return 0;
}

/* y (n, 2) in the caller's order from yp (renumbered: row r is point perm[r]). */
static void unpermute(const size_t *perm, const double *yp, size_t n, double *y) {
  for (size_t r = 0; r < n; r++)
    y[2 * perm[r]] = yp[2 * r], y[2 * perm[r] + 1] = yp[2 * r + 1];
}

int limn_tsne_run(limn_ctx *ctx, const limn_tsne_affinity *P, const float *x, size_t dim,
                  const limn_tsne_opts *opts, double *y, double *kl) {
  limn_tsne_opts dflt = limn_tsne_opts_default();
  const limn_tsne_opts *o = opts ? opts : &dflt;
  size_t n = P->n;
  if (o->iterations < 1 || o->exaggeration_iters > o->iterations || !(o->exaggeration >= 1) ||
      !(o->theta >= 0) || !(o->max_step > 0) || !(o->learning_rate >= 0) || o->fft_nodes < 2 ||
      o->fft_nodes > 8)
    return limn__err(ctx, LIMN_EINVAL, "t-SNE options out of range");
  limn_tsne_method meth = resolve(o->method, n);
  int rc;
  double Z = 0;
  tsne_ws w;
  agraph g = {0};
  /* the optimisation runs on the points renumbered (bfs_order) in yp; y gets the map
   * back in the caller's order */
  size_t *perm = limn__alloc_array(ctx, n, sizeof(size_t)), *inv = limn__alloc_array(ctx, n, sizeof(size_t));
  double *yp = limn__alloc_array(ctx, n, 2 * sizeof(double));
  double *grad = limn__alloc_array(ctx, n, 2 * sizeof(double));
  double *upd = limn__calloc(ctx, n, 2 * sizeof(double)),
         *gains = limn__alloc_array(ctx, n, 2 * sizeof(double));
  rc = ws_init(ctx, &w, n);
  if (rc == LIMN_OK && (!grad || !upd || !gains || !perm || !inv || !yp))
    rc = LIMN_ENOMEM;
  if (rc == LIMN_OK) {
    bfs_order(P, perm, inv);
    rc = agraph_build(ctx, P, perm, inv, &g);
  }
  if (rc == LIMN_OK && !o->init_random && x && dim)
    rc = pca_init(ctx, x, n, dim, y);
  else if (rc == LIMN_OK) {
    limn_rng r;
    limn_rng_init(&r, o->seed, 0);
    for (size_t i = 0; i < 2 * n; i++)
      y[i] = 1e-4 * limn_rng_normal(&r);
  }
  for (size_t i = 0; i < 2 * n && gains; i++)
    gains[i] = 1.0;
  for (size_t r = 0; r < n && rc == LIMN_OK; r++)
    yp[2 * r] = y[2 * perm[r]], yp[2 * r + 1] = y[2 * perm[r] + 1];
  for (size_t it = 0; it < o->iterations && rc == LIMN_OK; it++) {
    int early = it < o->exaggeration_iters;
    rc = gradient(ctx, &w, &g, yp, meth, o->theta, o->fft_nodes, early ? o->exaggeration : 1.0, grad, &Z);
    if (rc)
      break;
    /* auto: N / alpha per phase (openTSNE's rule): N / 12 during early exaggeration
     * (with the default 12), N afterwards; never below 200 */
    double lr =
        o->learning_rate > 0 ? o->learning_rate : fmax((double)n / (early ? o->exaggeration : 1.0), 200.0);
    step_arg sa = {grad, upd, gains, yp, early ? o->momentum : o->final_momentum, lr, o->max_step};
    if (limn__parallel_for(ctx, n, 0, step_item, &sa)) {
      rc = LIMN_ENOMEM;
      break;
    }
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) /* in order */
      mx += yp[2 * i], my += yp[2 * i + 1];
    for (size_t i = 0; i < n; i++) { /* re-centre */
      yp[2 * i] -= mx / (double)n;
      yp[2 * i + 1] -= my / (double)n;
    }
    if ((it + 1) % 50 == 0) {
      unpermute(perm, yp, n, y);
      limn__log(ctx, LIMN_LOG_INFO, "t-SNE iteration %zu: KL %.6f", it + 1, kl_div(P, y, Z));
      limn__progress(ctx, "iterations", it + 1, o->iterations);
      if (limn__canceled(ctx))
        rc = limn__err(ctx, LIMN_ECANCELED, "t-SNE canceled at iteration %zu", it + 1);
    }
  }
  if (rc == LIMN_OK)
    unpermute(perm, yp, n, y);
  if (rc == LIMN_OK && kl) {
    if (n <= 20000) { /* the final KL with an exact Z: per-point sums, added in order */
      zrow_arg za = {y, n, w.z};
      double Ze = 0;
      if (limn__parallel_for(ctx, n, 0, zrow_item, &za))
        rc = LIMN_ENOMEM;
      for (size_t i = 0; i < n; i++)
        Ze += w.z[i];
      Z = Ze;
    } else {
      rc = gradient(ctx, &w, &g, yp, meth == LIMN_TSNE_EXACT ? LIMN_TSNE_BARNES_HUT : meth, o->theta,
                    o->fft_nodes, 1.0, grad, &Z);
    }
    *kl = kl_div(P, y, Z);
  }
  ws_free(ctx, &w);
  agraph_free(ctx, &g);
  limn__free(ctx, perm);
  limn__free(ctx, inv);
  limn__free(ctx, yp);
  limn__free(ctx, grad);
  limn__free(ctx, upd);
  limn__free(ctx, gains);
  return rc;
}

/* lime's lasso_path feature selection: the LARS-lasso path (Efron, Hastie, Johnstone &
 * Tibshirani 2004, with the lasso modification of section 3.1) of y on S, both centred
 * with the kernel-weighted means and scaled by sqrt(w); the columns chosen are the
 * nonzero ones at the last step of the path with at most num_features of them. */
#include "explain_internal.h"
#include <math.h>

size_t limn__lasso_workspace(size_t N, size_t d) {
  (void)N;
  return 3 * d * d + 16 * d + 8;
}

/* M x = b (k x k, b in x on entry, M overwritten) by Gaussian elimination with partial
 * pivoting; 1 when a pivot falls below tiny. */
int limn__gauss_solve(double *M, size_t k, double *x, double tiny) {
  for (size_t col = 0; col < k; col++) {
    size_t piv = col;
    for (size_t r = col + 1; r < k; r++)
      if (fabs(M[r * k + col]) > fabs(M[piv * k + col]))
        piv = r;
    if (!(fabs(M[piv * k + col]) >= tiny))
      return 1;
    if (piv != col) {
      for (size_t c = 0; c < k; c++) {
        double t = M[col * k + c];
        M[col * k + c] = M[piv * k + c];
        M[piv * k + c] = t;
      }
      double t = x[col];
      x[col] = x[piv];
      x[piv] = t;
    }
    for (size_t r = col + 1; r < k; r++) {
      double f = M[r * k + col] / M[col * k + col];
      for (size_t c = col; c < k; c++)
        M[r * k + c] -= f * M[col * k + c];
      x[r] -= f * x[col];
    }
  }
  for (size_t r = k; r-- > 0;) {
    double t = x[r];
    for (size_t c = r + 1; c < k; c++)
      t -= M[r * k + c] * x[c];
    x[r] = t / M[r * k + r];
  }
  return 0;
}

/* Solve the signed active Gram system M x = 1 (k x k); 0 on success. */
static int solve_ones(double *M, size_t k, double *x) {
  for (size_t i = 0; i < k; i++)
    x[i] = 1.0;
  return limn__gauss_solve(M, k, x, 1e-14);
}

size_t limn__lasso_path_select(const double *S, const double *y, const double *w, size_t N, size_t d,
                               size_t nf, size_t *F, const limn__lime_cache *cache, double *ws) {
  double *G = ws, *M = G + d * d, *c = M + d * d, *beta = c + d, *a = beta + d, *delta = a + d,
         *xs = delta + d;
  double *xm = xs + d, *best = xm + d;
  size_t *act = (size_t *)(void *)(best + d), *all = act + d;
  unsigned char *in = (unsigned char *)(void *)(all + d);
  double ym, syy, *tmp = (double *)(void *)(in + d + 8 - d % 8);
  for (size_t j = 0; j < d; j++)
    all[j] = j;
  limn__lime_moments(S, y, w, N, d, all, d, cache, xm, G, c, &ym, &syy, tmp);
  memset(in, 0, d);
  for (size_t j = 0; j < d; j++)
    beta[j] = 0.0;
  size_t nact = 0, nbest = 0, steps = 1;
  double C = 0;
  size_t jmax = 0;
  for (size_t j = 0; j < d; j++)
    if (fabs(c[j]) > C)
      C = fabs(c[j]), jmax = j;
  double tiny = 1e-12 * (C > 0 ? C : 1.0);
  if (C <= 1e-300) { /* a path of one step: every column */
    for (size_t j = 0; j < d; j++)
      F[j] = j;
    return d;
  }
  act[nact++] = jmax;
  in[jmax] = 1;
  for (size_t it = 0; it < 8 * d + 8 && C > tiny; it++) {
    size_t k = nact;
    for (size_t r = 0; r < k; r++)
      for (size_t q = 0; q < k; q++) {
        double sr = c[act[r]] >= 0 ? 1.0 : -1.0, sq = c[act[q]] >= 0 ? 1.0 : -1.0;
        M[r * k + q] = sr * sq * G[act[r] * d + act[q]];
      }
    if (solve_ones(M, k, xs))
      break;
    double sum = 0;
    for (size_t r = 0; r < k; r++)
      sum += xs[r];
    if (!(sum > 0))
      break;
    double AA = 1.0 / sqrt(sum);
    for (size_t j = 0; j < d; j++)
      delta[j] = 0.0;
    for (size_t r = 0; r < k; r++)
      delta[act[r]] = (c[act[r]] >= 0 ? 1.0 : -1.0) * AA * xs[r];
    for (size_t j = 0; j < d; j++) {
      double t = 0;
      for (size_t r = 0; r < k; r++)
        t += G[j * d + act[r]] * delta[act[r]];
      a[j] = t;
    }
    double gamma = C / AA; /* to the least-squares fit of the active set */
    size_t enter = d, drop = d;
    for (size_t j = 0; j < d; j++) {
      if (in[j])
        continue;
      double g1 = (C - c[j]) / (AA - a[j]), g2 = (C + c[j]) / (AA + a[j]);
      if (g1 > tiny / AA && g1 < gamma)
        gamma = g1, enter = j;
      if (g2 > tiny / AA && g2 < gamma)
        gamma = g2, enter = j;
    }
    for (size_t r = 0; r < k; r++) { /* lasso: a coefficient reaching zero leaves */
      size_t j = act[r];
      if (delta[j] == 0.0)
        continue;
      double z = -beta[j] / delta[j];
      if (z > 1e-15 && z < gamma)
        gamma = z, drop = j, enter = d;
    }
    for (size_t r = 0; r < k; r++)
      beta[act[r]] += gamma * delta[act[r]];
    for (size_t j = 0; j < d; j++)
      c[j] -= gamma * a[j];
    C -= gamma * AA;
    if (drop < d) {
      beta[drop] = 0.0;
      in[drop] = 0;
      size_t q = 0;
      for (size_t r = 0; r < k; r++)
        if (act[r] != drop)
          act[q++] = act[r];
      nact = q;
    } else if (enter < d) {
      act[nact++] = enter;
      in[enter] = 1;
    }
    steps++;
    size_t nnz = 0;
    for (size_t j = 0; j < d; j++)
      nnz += beta[j] != 0.0;
    if (nnz <= nf) { /* the last such step wins */
      nbest = 0;
      for (size_t j = 0; j < d; j++)
        if (beta[j] != 0.0)
          best[nbest++] = (double)j;
    }
    if (enter == d && drop == d)
      break; /* reached the least-squares end of the path */
  }
  if (steps == 1) {
    for (size_t j = 0; j < d; j++)
      F[j] = j;
    return d;
  }
  for (size_t q = 0; q < nbest; q++)
    F[q] = (size_t)best[q];
  return nbest;
}

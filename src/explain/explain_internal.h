/* Internal helpers of the explainers. */
#ifndef LIMN_EXPLAIN_INTERNAL_H
#define LIMN_EXPLAIN_INTERNAL_H

#include "../models/model_internal.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* n-point Gauss-Legendre nodes x (ascending) and weights w on [-1, 1]. */
void limn__gauss_legendre(size_t n, double *x, double *w);

/* Exact IG of a piecewise-linear MLP along hb -> hx (slot rows, double), for output
 * `target` in `sp`: slot attributions, the number of linear pieces, F(x), F(b). */
int limn__mlp_exact_ig(limn_ctx *ctx, const limn_model *m, const double *hx, const double *hb, size_t target,
                       limn_space sp, double *attr, size_t *nseg, double *fx, double *fb);

#endif

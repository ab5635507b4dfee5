/* Internal helpers of the explainers. */
#ifndef LIMN_EXPLAIN_INTERNAL_H
#define LIMN_EXPLAIN_INTERNAL_H

#include "../models/model_internal.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Allocate n explanations with every array (attr, slot_attr, LIME fields) in one
 * block, fields at their "not applicable" values. */
int limn__explanations_alloc(limn_ctx *ctx, size_t n, size_t d, size_t ns, limn_explanation **out);
/* The last check of every explainer: the explained output and every attribution is
 * finite, and for IG the baseline's output and the completeness gap too; else
 * LIMN_ENONFINITE naming the row (no explanation with a NaN is ever returned). */
int limn__explanations_finite(limn_ctx *ctx, const limn_explanation *ex, size_t n);
/* 1 when some attribution of e is not 0: the model reacted to a feature (a LIME
 * surrogate of a constant model has every weight 0). The trust rules, the text and
 * the report say so when it did not. */
int limn__explanation_reacts(const limn_explanation *e);

/* The explained output of each of n rows: targets[i], else `target`, else the
 * argmax of the model's outputs. Checks the rows (finite, valid codes). */
int limn__pick_targets(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, long target,
                       const long *targets, size_t *out);

/* Exact IG of a piecewise-linear MLP along hb -> hx (slot rows, double), for one
 * output in one space: slot attributions, the number of linear pieces, F(x), F(b).
 * check: LIMN_EUNSUPPORTED unless m is an MLP with relu/identity hidden units.
 * workspace: doubles one call needs (ws). Returns non-zero only when the path has
 * more pieces than the walk allows. Thread-safe with separate workspaces. */
int limn__mlp_exact_ig_check(limn_ctx *ctx, const limn_model *m);
size_t limn__mlp_exact_ig_workspace(const limn_model *m);
#define LIMN__EXACT_GL 24 /* Gauss-Legendre nodes per smooth piece */
/* gl: the LIMN__EXACT_GL nodes then weights of limn__gauss_legendre. */
int limn__mlp_exact_ig(const limn_model *m, double *ws, const double *gl, const double *hx, const double *hb,
                       size_t target, limn_space sp, double *attr, size_t *nseg, double *fx, double *fb);

/* IG with fixed nodes for an MLP, using the path's linearity: the first layer's
 * pre-activations are interpolated, and the weighted sum of their upstream
 * gradients meets W1 once per row. hx, hb: (n, ns) slots; attr: (n, ns) slot
 * attributions. Rows in parallel, each computed identically whatever the batch. */
int limn__mlp_ig_rule(limn_ctx *ctx, const limn_model *m, const float *hx, const float *hb, size_t n,
                      const double *alphas, const double *weights, size_t steps, const size_t *targets,
                      limn_space sp, double *attr);

/* LIME on switches (words of a text, superpixels of an image): the N perturbed inputs
 * that build() makes from S's rows (N, K of 0/1; build(arg, z, row) writes one model row)
 * through the model 64 at a time (cancel checked), their outputs for target into y (N),
 * then limn_lime_fit with dist, the kernel width and lime's selection: the num_features
 * (0: all) switches of highest weights when fewer than K. fr's arrays are the caller's. */
typedef void (*limn__lime_build)(const void *arg, const double *z, float *row);
int limn__lime_switches(limn_ctx *ctx, const limn_model *m, size_t target, const double *S,
                        const double *dist, size_t N, size_t K, double kernel_width, size_t num_features,
                        limn__lime_build build, const void *arg, double *y, limn_lime_fit_result *fr);

/* LIME's local model pieces (lime_fit.c, lasso.c). Workspace sizes in doubles. */
/* The multiplier a of LIME's rank-1 lattice of P points (P prime) in d columns:
 * limn__lattice_search runs the search (2-D spectral test over the pairs of
 * columns), limn__lattice_multiplier answers the default sizes from a table. */
uint64_t limn__lattice_search(uint64_t P, size_t d);
uint64_t limn__lattice_multiplier(uint64_t P, size_t d);
void limn__lime_kernel(const double *dist, size_t N, double width, double *w);
size_t limn__lime_fit_workspace(size_t d);
size_t limn__lasso_workspace(size_t N, size_t d);
/* M x = b (k x k; b in x on entry, the solution on return; M overwritten) by Gaussian
 * elimination with partial pivoting; 1 when a pivot's magnitude is below tiny. */
int limn__gauss_solve(double *M, size_t k, double *x, double tiny);
/* Raw sums of all d columns of a 0/1 design S (`ok`: S is 0/1 throughout), from which
 * limn__lime_moments finishes the moments of any subset of columns: one pass over S
 * for all the fits of a row. Weights that depend only on a row's number of ones (a
 * discretised neighbourhood's) are summed as weighted counts of rows (bitsets), others
 * row by row. mem: limn__lime_cache_size(N, d) doubles. */
typedef struct limn__lime_cache {
  int ok;
  size_t d;
  double sw, my, sdy, syy; /* sums of w, means of y, sum w (y - my), sum w (y - my)^2 */
  double *xm, *r, *G;
} limn__lime_cache;
size_t limn__lime_cache_size(size_t N, size_t d);
/* mask: NULL, or each row's bitmask of ones when the caller knows S is 0/1 with
 * d <= 64 columns (LIME's discretised neighbourhoods): S is then not read; with it,
 * ones_per_row: NULL, or each row's number of ones (from limn__lime_kernel_masks). */
void limn__lime_cache_build(limn__lime_cache *c, double *mem, const double *S, const double *y,
                            const double *w, size_t N, size_t d, const uint64_t *mask,
                            const unsigned char *ones_per_row);
/* limn__lime_kernel of the distances of 0/1 rows (bitmasks of d <= 64 columns) to an
 * all-ones row 0, sqrt(d - ones), the same values; cnt: each row's number of ones (N
 * bytes, out). */
void limn__lime_kernel_masks(const uint64_t *mask, size_t N, size_t d, double width, unsigned char *cnt,
                             double *w);
/* Kernel-weighted means xm (nf) of the columns F of S and ym of y, the centred
 * weighted Gram G (nf, nf), cross products r (nf) and syy = sum w (y - ym)^2, in two row-major passes, or
 * from the cache c when given and ok. tmp: nf doubles. */
void limn__lime_moments(const double *S, const double *y, const double *w, size_t N, size_t d,
                        const size_t *F, size_t nf, const limn__lime_cache *c, double *xm, double *G,
                        double *r, double *ym, double *syy, double *tmp);
/* The weighted residual sum of squares of the centred fit beta from the moments G, r
 * and syy = sum w (y - ym)^2 of limn__lime_moments (never below 0). */
double limn__lime_ssr(const double *G, const double *r, double syy, const double *beta, size_t nf);
/* Weighted ridge on columns F with an unpenalised intercept; returns weighted R^2. */
double limn__lime_ridge(const double *S, const double *y, const double *w, size_t N, size_t d,
                        const size_t *F, size_t nf, const limn__lime_cache *c, double alpha, double *beta,
                        double *intercept, double *pred0, double *ws);
/* Feature selection into F (capacity d); returns the number chosen. c: NULL or the
 * row's cache. */
size_t limn__lime_select(limn_selection sel, const double *S, const double *y, const double *w, size_t N,
                         size_t d, size_t nf, size_t *F, const limn__lime_cache *c, double *ws);
size_t limn__lasso_path_select(const double *S, const double *y, const double *w, size_t N, size_t d,
                               size_t nf, size_t *F, const limn__lime_cache *c, double *ws);

#endif

/* limn/explain.h: explanations of single predictions.
 *
 * Every method returns the same explanation type: per-feature attributions for one
 * output of the model, the model's output, a base value and the method's own
 * fidelity figure where it has one. Attributions are per raw column, in the user's
 * units (the model's standardisation is inside the model); a categorical column's
 * attribution is the sum over its one-hot slots, which are reported too.
 *
 * Results are deterministic: a row's explanation depends only on the model, the row,
 * the options and the seed (noise for row i comes from stream i of the seed), never
 * on the thread count, the batch or the order of rows.
 */
#ifndef LIMN_EXPLAIN_H
#define LIMN_EXPLAIN_H

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum limn_method {
  LIMN_METHOD_GRADIENT = 0,   /* signed gradient dF/dx */
  LIMN_METHOD_SALIENCY = 1,   /* |dF/dx| (Simonyan et al. 2014) */
  LIMN_METHOD_GRADXINPUT = 2, /* x * dF/dx (Shrikumar et al. 2016) */
  LIMN_METHOD_IG = 3,         /* Integrated Gradients (Sundararajan et al. 2017, eq. 1) */
  LIMN_METHOD_SMOOTHGRAD = 4, /* SmoothGrad (Smilkov et al. 2017) and VarGrad */
  LIMN_METHOD_LIME = 5,       /* LIME (Ribeiro, Singh & Guestrin 2016), tabular */
  LIMN_METHOD_SHAP = 6,       /* Shapley values of the interventional game (Lundberg & Lee 2017) */
  LIMN_METHOD_GRADCAM = 7, /* Grad-CAM of an ONNX image model (limn_model_gradcam), upsampled to the pixels */
  LIMN_METHOD_GRADCAMPP = 8,  /* Grad-CAM++, likewise */
  LIMN_METHOD_OCCLUSION = 9,  /* occlusion (Zeiler & Fergus 2014, as Captum's Occlusion): any model */
  LIMN_METHOD_LIME_IMAGE = 10, /* LIME on superpixels (lime's LimeImageExplainer): image rows */
  LIMN_METHOD_LIME_TEXT = 11,  /* LIME on words (lime's LimeTextExplainer): text rows (limn_explain_text) */
  LIMN_METHOD_ATTENTION_ROLLOUT = 12, /* attention rollout (Abnar & Zuidema 2020): not an attribution */
  LIMN_METHOD_ATTENTION_FLOW = 13     /* attention flow (Abnar & Zuidema 2020): not an attribution */
} limn_method;

/* "gradient", "saliency", "gradxinput", "ig", "smoothgrad", "lime", "shap", "gradcam", "gradcam++",
 * "occlusion", "lime-image"; parse returns LIMN_EINVAL for an unknown name. */
LIMN_API const char *limn_method_name(limn_method m);
LIMN_API int limn_method_parse(const char *name, limn_method *out);

/* Quadrature of the IG path integral over alpha in [0, 1], with n nodes:
 * riemann_left/right/middle: alphas (k + 0, 1, 1/2) / n, weights 1/n;
 * riemann_trapezoid: Captum's rule, alphas k / (n - 1), weights 1/n with the first and
 *   last halved (they sum to (n - 1) / n, as Captum's do);
 * gausslegendre: Gauss-Legendre nodes mapped to [0, 1] (Captum's default);
 * exact: for piecewise-linear networks (limn_model_piecewise_linear: limn MLPs with ReLU
 *   or identity hidden units, ONNX chains of dense layers and Relu) the path is cut at
 *   every ReLU breakpoint and each linear piece integrated exactly (softmax and logistic
 *   outputs with 24-point Gauss-Legendre per piece), in double precision; other models
 *   are refused with the reason;
 * auto (the default): exact where the model allows it, else gausslegendre. */
typedef enum limn_quadrature {
  LIMN_QUAD_GAUSS_LEGENDRE = 0,
  LIMN_QUAD_RIEMANN_LEFT = 1,
  LIMN_QUAD_RIEMANN_RIGHT = 2,
  LIMN_QUAD_RIEMANN_MIDDLE = 3,
  LIMN_QUAD_RIEMANN_TRAPEZOID = 4,
  LIMN_QUAD_EXACT = 5,
  LIMN_QUAD_AUTO = 6
} limn_quadrature;

/* "gausslegendre", "riemann_left", "riemann_right", "riemann_middle",
 * "riemann_trapezoid", "exact", "auto". */
LIMN_API const char *limn_quadrature_name(limn_quadrature q);
LIMN_API int limn_quadrature_parse(const char *name, limn_quadrature *out);
/* The n nodes and weights of a rule (not exact), in double. alphas, weights: (n).
 * Riemann rules need n >= 2, Gauss-Legendre n >= 1. */
LIMN_API int limn_quadrature_nodes(limn_ctx *ctx, limn_quadrature q, size_t n, double *alphas,
                                   double *weights);

/* SmoothGrad's aggregate over the noisy samples of an attribution A. */
typedef enum limn_smooth {
  LIMN_SMOOTH_MEAN = 0,     /* mean(A) */
  LIMN_SMOOTH_MEAN_ABS = 1, /* mean(|A|): Captum's NoiseTunnel over Saliency */
  LIMN_SMOOTH_MEAN_SQ = 2,  /* mean(A^2) */
  LIMN_SMOOTH_VARGRAD = 3   /* mean(A^2) - mean(A)^2 (Adebayo et al. 2018) */
} limn_smooth;
/* "mean", "mean_abs", "mean_sq", "vargrad" (NULL for another value); parse returns
 * LIMN_EINVAL for an unknown name. */
LIMN_API const char *limn_smooth_name(limn_smooth s);
LIMN_API int limn_smooth_parse(const char *name, limn_smooth *out);

typedef enum limn_baseline {
  LIMN_BASELINE_ZERO = 0, /* every raw value 0 (category code 0) */
  LIMN_BASELINE_MEAN = 1, /* training mean of numeric columns, most frequent category
                             (needs the model's statistics) */
  LIMN_BASELINE_ROWS = 2  /* given raw rows: one for all, or one per explained row */
} limn_baseline;

/* Options of the gradient methods. Defaults in brackets (limn_grad_opts_default). */
typedef struct limn_grad_opts {
  limn_method method;         /* [gradient] */
  limn_space space;           /* explained output: OUTPUT (probability or value) or LOGIT [OUTPUT] */
  long target;                /* output index; -1: the predicted class (argmax) [-1] */
  const long *targets;        /* one output index per row (borrowed), or NULL [NULL] */
  size_t steps;               /* IG nodes [50] */
  limn_quadrature quadrature; /* IG rule [auto] */
  limn_baseline baseline;     /* IG [zero] */
  const float *baseline_rows; /* raw rows for LIMN_BASELINE_ROWS (borrowed) */
  size_t nbaseline_rows;      /* 1 (shared) or n */
  const limn_stats *stats;    /* the mean baseline's and SmoothGrad's statistics when the model stores none
                                 (e.g. of a background file; borrowed); NULL: the model's [NULL] */
  size_t samples;             /* SmoothGrad noisy samples [50] */
  double noise;               /* SmoothGrad sigma as a fraction of each numeric column's
                                 training range (max - min); without statistics, of the
                                 row's own range over its numeric values [0.15] */
  limn_smooth smooth;         /* SmoothGrad aggregate [mean] */
  int smooth_gxi;             /* SmoothGrad over gradient x input instead of the gradient [0] */
  uint64_t seed;              /* SmoothGrad noise: row i uses stream row_ids[i] [0] */
  const size_t *row_ids;      /* the rows' indices in their dataset (borrowed), so a row
                                 gets the same noise alone or in any batch; NULL: 0..n-1 */
  /* To reproduce external results only: standard-normal draws (n, samples, nslots) and
   * one sigma per row (raw units), both borrowed; NULL: drawn from the seed. */
  const float *noise_eps;
  const double *noise_sigma;
  /* Grad-CAM: the graph's value (ONNX name) to read; NULL: the last Conv's output [NULL] */
  const char *layer;
  /* Occlusion: a window of window[0] x window[1] places (rows x columns of an image
   * model's H x W, over all its channels; a row of the columns otherwise, clamped to
   * the size) set to `fill`, moved by stride[0], stride[1]; a feature's attribution is
   * the mean of F(x) - F(x occluded) over the windows that cover it (0 if none) [4x4,
   * stride 2, fill 0] */
  size_t window[2], stride[2];
  float fill;
} limn_grad_opts;

/* The defaults in brackets above. */
LIMN_API limn_grad_opts limn_grad_opts_default(void);

/* One explanation: attributions for output `target` of row `row`. */
typedef struct limn_explanation {
  size_t row; /* index of the row in the explained batch */
  limn_method method;
  limn_space space;
  size_t target;          /* explained output index */
  double output;          /* F(x): the explained output at the row */
  double base_value;      /* F(baseline) for IG; NaN otherwise */
  double delta;           /* IG completeness gap: sum(attr) - (F(x) - F(baseline)); NaN otherwise */
  int finite_differences; /* 1 when the model had no gradients and central differences served */
  size_t nsegments;       /* exact IG: linear pieces of the path; 0 otherwise */
  size_t nfeatures;
  double *attr; /* (nfeatures) per raw column */
  size_t nslots;
  double *slot_attr; /* (nslots) per input slot (limn_model_slot maps them) */
  /* LIME only (NaN / NULL otherwise) */
  double intercept;        /* the surrogate's intercept */
  double score;            /* its weighted R^2 on the neighbourhood (lime's score) */
  double local_pred;       /* its prediction at the row */
  unsigned char *selected; /* (nfeatures) 1 for the features in the surrogate */
  double *std_error;       /* (nfeatures) standard error of each selected weight */
  long *bin;               /* (nfeatures) the row's bin or category code (-1: continuous mode) */
  size_t num_samples;      /* LIME: the neighbourhood; SHAP: coalitions evaluated */
  uint64_t seed;
  /* SHAP only: base_value = v(empty), output = v(all players), delta the efficiency gap
   * sum(attr) - (output - base_value), std_error per feature (0 when exact); bin[j] is
   * column j's player and selected[j] 1 for the column that carries its player's value
   * (a group's first column; the group's other columns hold 0) */
  int estimator; /* limn_shap_estimator used */
  int link;      /* limn_link of the game */
} limn_explanation;

/* Explain n raw rows x (n, nfeatures) of model m. *out receives n explanations
 * (allocated with the context's allocator): release with limn_explanations_free.
 * Errors: bad options (steps < 1, a target out of range, a baseline of the wrong
 * shape), non-finite inputs (naming the row and column), exact IG on a network that
 * is not piecewise linear, mean baseline without statistics. Models without vjp
 * fall back to central differences (each explanation says so). */
LIMN_API int limn_explain_gradients(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                                    const limn_grad_opts *opts, limn_explanation **out);
LIMN_API void limn_explanations_free(limn_ctx *ctx, limn_explanation *ex, size_t n);

/* ---- LIME ------------------------------------------------------------------- */

typedef enum limn_selection {
  LIMN_SELECT_AUTO = 0,            /* forward when num_features <= 6, else highest_weights */
  LIMN_SELECT_NONE = 1,            /* every feature */
  LIMN_SELECT_FORWARD = 2,         /* greedy forward selection by weighted R^2 */
  LIMN_SELECT_HIGHEST_WEIGHTS = 3, /* largest |beta_j S_0j| of a ridge on all features */
  LIMN_SELECT_LASSO_PATH = 4       /* the LARS-lasso path */
} limn_selection;
/* "auto", "none", "forward_selection", "highest_weights", "lasso_path". */
LIMN_API const char *limn_selection_name(limn_selection s);
LIMN_API int limn_selection_parse(const char *name, limn_selection *out);

/* LIME options. Defaults in brackets (limn_lime_opts_default). */
typedef struct limn_lime_opts {
  size_t num_features;          /* features in the surrogate [10] */
  size_t num_samples;           /* neighbourhood size, the row itself included [0: auto] */
  limn_discretizer discretizer; /* [quartile] */
  double kernel_width;          /* [0: 0.75 sqrt(d)] */
  limn_selection selection;     /* [auto] */
  int sample_around_instance;   /* continuous mode: centre the Gaussian on the row [0] */
  double ridge_alpha;           /* the surrogate's L2 penalty [1] */
  long target;                  /* explained class; -1: the predicted class [-1] */
  const long *targets;          /* one class per row (borrowed), or NULL */
  int compat;                   /* 1: lime's own estimator (i.i.d. draws) [0: limn's lattice one] */
  uint64_t seed;                /* row i uses stream row_ids[i] [0] */
  const size_t *row_ids;        /* the rows' indices in their dataset; NULL: 0..n-1 */
} limn_lime_opts;

/* The defaults in brackets above. */
LIMN_API limn_lime_opts limn_lime_opts_default(void);

/* The neighbourhood size LIME uses for a model of nfeatures raw columns: num_samples,
 * or when it is 0 (auto) 65 536 with limn's estimator on up to 64 columns (where its
 * cost is linear in the samples: about 12 ms on 30 columns, 1 thread) and 5000,
 * lime's default, with lime's estimator (compat) or on more columns. See
 * docs/math/lime.md, Stability, for what the larger default buys. */
LIMN_API size_t limn_lime_samples(const limn_lime_opts *o, size_t nfeatures);

/* Explain n raw rows x (n, nfeatures) of model m with LIME. `background` holds the
 * training statistics (limn_stats_compute of the training data, or the model's own,
 * limn_model_stats): scaler, category frequencies and the discretisations. The model
 * is called with all samples of a block of rows at once. Each explanation holds the
 * surrogate's weights in attr (0 for features not selected), intercept, score,
 * local_pred, the row's bins and the model's output for the class. */
LIMN_API int limn_explain_lime(limn_ctx *ctx, const limn_model *m, const limn_stats *background,
                               const float *x, size_t n, const limn_lime_opts *opts, limn_explanation **out);

/* A neighbourhood for limn_lime_fit, all borrowed: S (N, d) the interpretable rows
 * (row 0 the instance), y (N) the model's outputs, dist (N) the distances to row 0. */
typedef struct limn_lime_data {
  const double *S, *y, *dist;
  size_t N, d;
} limn_lime_data;

/* The local model's options. Defaults in brackets (limn_lime_fit_opts_default). */
typedef struct limn_lime_fit_opts {
  double kernel_width;      /* [0: 0.75 sqrt(d)] */
  limn_selection selection; /* [auto] */
  size_t num_features;      /* [10; at most d] */
  double ridge_alpha;       /* [1] */
} limn_lime_fit_opts;
/* The defaults in brackets above. */
LIMN_API limn_lime_fit_opts limn_lime_fit_opts_default(void);

/* What the fit gives: coef and selected are the caller's arrays of d. */
typedef struct limn_lime_fit_result {
  double *coef;            /* (d) the weights, 0 where not selected */
  unsigned char *selected; /* (d) 1 for the features in the surrogate */
  double intercept;
  double score;      /* weighted R^2 on the neighbourhood */
  double local_pred; /* the surrogate's prediction at row 0 */
} limn_lime_fit_result;

/* The local model alone, on a given neighbourhood (lime's
 * explain_instance_with_data): kernel sqrt(exp(-dist^2 / width^2)), feature
 * selection, weighted ridge with intercept. LIMN_EINVAL for N < 2, d = 0, no features,
 * a width <= 0 or a negative alpha. */
LIMN_API int limn_lime_fit(limn_ctx *ctx, const limn_lime_data *nb, const limn_lime_fit_opts *opts,
                           limn_lime_fit_result *res);

/* LIME for images (lime's LimeImageExplainer, Ribeiro et al. 2016): the image cut into
 * superpixels; num_samples on/off vectors z over them (the first all on, the rest fair
 * coin flips from the seed and the row's id), each giving an image whose "off"
 * superpixels are hidden, the model's output for each; a weighted ridge (alpha 1, with
 * intercept) of the outputs on z with kernel sqrt(exp(-d^2 / width^2)) of the cosine
 * distance d of z to all-on (lime's image defaults). Defaults in brackets
 * (limn_lime_image_opts_default). */
typedef struct limn_lime_image_opts {
  size_t channels, height, width; /* the rows' image, channels first [0: the model's (N, C, H, W)] */
  size_t num_samples;             /* [1000] */
  size_t segments;                /* SLIC superpixels asked for (limn_image_slic) [50] */
  double compactness;             /* SLIC [10] */
  const int *labels;              /* a segmentation for every row (height * width ints 0..nlabels-1,
                                     borrowed) instead of SLIC [NULL] */
  size_t nlabels;
  int hide_mean;         /* 1: a hidden superpixel takes its mean per channel (lime's hide_color
                            None); 0: the value `hide` [1] */
  float hide;            /* [0] */
  double kernel_width;   /* [0.25] */
  size_t num_features;   /* superpixels in the surrogate, by highest weights [0: all] */
  long target;           /* output index; -1 the predicted class [-1] */
  const long *targets;   /* one per row (borrowed) or NULL */
  uint64_t seed;         /* [0] */
  const size_t *row_ids; /* the rows' ids for their draws (borrowed); NULL: 0..n-1 */
} limn_lime_image_opts;
/* The defaults in brackets above. */
LIMN_API limn_lime_image_opts limn_lime_image_opts_default(void);
/* Explanations (method LIMN_METHOD_LIME_IMAGE, space OUTPUT) of n image rows x (C * H * W
 * values, channels first): SLIC runs on each row's values scaled from their range to
 * [0, 1]. A superpixel's weight w is spread over its features: each of its pixels gets
 * w / C in every channel (the sum over a pixel's channels is w); bin[j] is feature j's
 * superpixel, selected[j] whether it is in the surrogate; intercept, score (weighted R^2)
 * and local_pred as LIME's. The same rows, options and seed give the same explanations
 * whatever the thread count or batch. LIMN_EINVAL for rows that are not images of the
 * stated shape, labels out of range, under 2 samples. */
LIMN_API int limn_explain_lime_image(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                                     const limn_lime_image_opts *opts, limn_explanation **out);

/* LIME's label of feature j in bin b: "worst radius <= 13.1",
 * "13.1 < worst radius <= 15.8", "purpose = car", or the plain name in continuous mode.
 * Edges print with the fewest significant digits (at least 4) that keep the column's
 * edges distinct. Writes at most cap bytes. */
LIMN_API void limn_lime_label(const limn_stats *background, const limn_schema *schema, limn_discretizer disc,
                              size_t j, long bin, char *buf, size_t cap);

/* Submodular pick (SP-LIME, Ribeiro et al. 2016, Alg. 2): choose `budget` of the n
 * explanations that together cover the most important features, with importance
 * I_j = sqrt(sum_i |w_ij|) per column. picked: (budget) indices, in pick order. */
LIMN_API int limn_lime_submodular_pick(limn_ctx *ctx, const limn_explanation *ex, size_t n, size_t budget,
                                       size_t *picked);

/* ---- Shapley values ---------------------------------------------------------- */

/* How the Shapley values are found. */
typedef enum limn_shap_estimator {
  LIMN_SHAP_AUTO = 0,               /* exact up to exact_max varying players, else sampling with the
                                        identity link, kernel with the logit link */
  LIMN_SHAP_EXACT = 1,              /* every coalition: 2^M x N model rows */
  LIMN_SHAP_KERNEL = 2,             /* KernelSHAP (shap's KernelExplainer rules, seeded) */
  LIMN_SHAP_PERMUTATION = 3,        /* antithetic permutations (shap's PermutationExplainer) */
  LIMN_SHAP_SAMPLING = 4,           /* antithetic permutations, each with one background row, the rows
                                       stratified (Strumbelj & Kononenko 2014; identity link only) */
  LIMN_SHAP_TREE = 5,               /* path-dependent TreeSHAP of a tree model's raw output (a margin, a
                                       forest's probability): the trees' covers, no background; auto's choice
                                       for tree models without a background */
  LIMN_SHAP_TREE_INTERVENTIONAL = 6 /* interventional TreeSHAP of the raw output over the background
                                       (exact; auto's choice for tree models with a background when
                                       the raw output is the one explained) */
} limn_shap_estimator;
/* "auto", "exact", "kernel", "permutation", "sampling", "tree", "tree-interventional" (NULL for another
 * value); parse returns LIMN_EINVAL for an unknown name. */
LIMN_API const char *limn_shap_estimator_name(limn_shap_estimator e);
LIMN_API int limn_shap_estimator_parse(const char *name, limn_shap_estimator *out);

/* The link g applied to the game's averaged output: identity, or logit (log(p/(1-p)),
 * p clipped to [1e-12, 1 - 1e-12]). */
typedef enum limn_link { LIMN_LINK_IDENTITY = 0, LIMN_LINK_LOGIT = 1 } limn_link;
/* "identity", "logit" (NULL for another value); parse returns LIMN_EINVAL otherwise. */
LIMN_API const char *limn_link_name(limn_link l);
LIMN_API int limn_link_parse(const char *name, limn_link *out);

/* Options of limn_explain_shap. Defaults in brackets (limn_shap_opts_default). */
typedef struct limn_shap_opts {
  limn_shap_estimator estimator; /* [auto] */
  size_t nsamples;               /* kernel: coalitions, permutation: coalitions (2M + 1 per
                                    permutation) [0: 2M + 2048]; sampling: permutations, rounded
                                    up to a multiple of nbackground, 2(M - 1) model rows each
                                    [0: the larger of 2000 and 20 nbackground] */
  limn_link link;                /* [identity] */
  limn_space space;              /* explained output: OUTPUT or LOGIT [OUTPUT] */
  long target;                   /* output index; -1: the predicted class [-1] */
  const long *targets;           /* one output index per row (borrowed), or NULL */
  const float *background;       /* (nbackground, nfeatures) raw rows of the game (borrowed);
                                    one row is the baseline game; required */
  size_t nbackground;
  size_t exact_max;      /* auto: exact up to this many varying players [12] */
  double tolerance;      /* sampled: double the budget until every standard error is at most this,
                            up to 2^20 coalitions (0: one attempt) [0] */
  uint64_t seed;         /* sampling: row i uses stream row_ids[i] [0] */
  const size_t *row_ids; /* the rows' indices in their dataset; NULL: 0..n-1 */
  const size_t *groups;  /* (nfeatures) the player of each column, 0..ngroups-1 (borrowed): columns of
                            one player enter and leave coalitions together; NULL: each column alone */
  size_t ngroups;
} limn_shap_opts;

/* The defaults in brackets above. */
LIMN_API limn_shap_opts limn_shap_opts_default(void);

/* The budget an estimator uses for M varying players: o->nsamples, or its default (kernel
 * and permutation: 2M + 2048 coalitions; sampling: the larger of 2000 and 20 background
 * rows); sampling's rounded up to a multiple of o->nbackground. 0 for exact and auto. */
LIMN_API size_t limn_shap_samples(const limn_shap_opts *o, limn_shap_estimator est, size_t M);

/* Shapley values of n raw rows x (n, nfeatures): players are the model's raw columns (a
 * categorical column's one-hot slots move together), the game is interventional over the
 * background, v(S) = g(mean over background rows r of f(x_S, r_notS)), g the link.
 * Columns whose value in x equals every background row's (exactly; NaN equals NaN)
 * cannot change v: they get 0 and do not count in M. Exact values (every coalition,
 * std_error 0) or sampled ones with a standard error per feature (permutation: over
 * the antithetic permutations; sampling: within each background row's permutations;
 * kernel: a delete-a-group jackknife over 10 groups of the drawn coalitions, 0 when
 * every coalition was enumerated). All model rows of one explanation go through
 * the model in large batches; results never depend on the thread count, the batch or the row order. Errors:
 * no background, one of another width or with non-finite values, a target out of range, exact above 20
 * varying players, nsamples below 2M + 1 for permutation, sampling with the logit link. */
LIMN_API int limn_explain_shap(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                               const limn_shap_opts *opts, limn_explanation **out);

/* SHAP interaction values (Lundberg et al. 2020) of a tree model's raw output (a margin;
 * a forest's class probability), the path-dependent game, each column a player: out
 * (n, d + 1, d + 1), row i's matrix: entry (j, k) for j != k half the Shapley
 * interaction index of columns j and k, (j, j) column j's Shapley value less what it
 * shares; symmetric, row j sums to column j's Shapley value; the last row and column
 * belong to the bias, which sits at (d, d); the whole matrix sums to the raw output.
 * target: the explained output (-1: each row's predicted class; a binary classifier's
 * class 0 is the negated margin); targets: one per row, or NULL. Rows run on the
 * threads, each alone. Errors: not a tree model, a model file without covers. */
LIMN_API int limn_shap_interactions(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, long target,
                                    const long *targets, double *out);

/* ---- Trust: does an explanation hold up by its own diagnostics? (docs/report.md) ---- */

/* The rules' thresholds. "Scale" is max(1, |output|): 1 for a class probability, the
 * output's size for larger logits and regression values. Defaults in brackets. */
typedef struct limn_trust_opts {
  double min_score;  /* LIME: the surrogate's weighted R^2 (score) at least this [0.3] */
  double max_gap;    /* LIME: |local_pred - output| at most this times the scale [0.1] */
  double min_change; /* IG: |F(x) - F(baseline)| at least this times the scale [0.01] */
  double max_cancel; /* IG: sum of |attributions| at most this many times |F(x) - F(baseline)| [10] */
  double max_delta;  /* IG and SHAP: |completeness gap| at most this fraction of the change [0.05] */
  double max_se;     /* sampled SHAP: the largest standard error at most this fraction of the largest
                        |value| [0.1] */
} limn_trust_opts;

/* The defaults in brackets above. */
LIMN_API limn_trust_opts limn_explain_trust_opts_default(void);

/* 1 when explanation e holds up by o's rules (NULL: the defaults), else 0; the reasons,
 * in plain words and "; "-separated, go to why (cap bytes, NUL-terminated; may be NULL
 * when cap is 0). LIME: its surrogate's fit (score) and its prediction at the row
 * against the model's; lime-image too, and fewer samples than superpixels + 2; IG: a baseline whose output is the row's (nothing to share),
 * attributions that cancel (their sizes many times the change), the completeness gap;
 * SHAP: standard errors against the values, a missing error estimate, the efficiency
 * gap. Gradients, saliency and SmoothGrad carry no diagnostics: always 1. */
LIMN_API int limn_explain_trust(const limn_explanation *e, const limn_trust_opts *o, char *why, size_t cap);

/* How faithful and how stable explanations are (Yeh et al. 2019, as Captum defines
 * them). Perturbations touch numeric columns only, scaled by each column's training
 * range (max - min; without statistics, the row's own range over its numeric values). */
typedef struct limn_quality_opts {
  size_t samples;            /* perturbations per row [10] */
  double infidelity_noise;   /* Gaussian sigma, fraction of the range [0.1] */
  int normalize;             /* infidelity with the best scale beta (Captum normalize) [1] */
  double sensitivity_radius; /* uniform half-width, fraction of the range [0.02] */
  uint64_t seed;             /* row i uses stream row_ids[i] [0] */
  const size_t *row_ids;     /* as in limn_grad_opts; NULL: 0..n-1 */
} limn_quality_opts;

/* The defaults in brackets above. */
LIMN_API limn_quality_opts limn_quality_opts_default(void);

/* Infidelity of explanations ex of rows x (n): with perturbations I_k (raw units) and
 * a_k = sum_j I_kj attr_j, d_k = F(x) - F(x - I_k), the mean of (a_k - d_k)^2, or with
 * normalize of (beta a_k - d_k)^2 with beta = sum a d / sum a^2. out: (n). Lower is
 * better. */
LIMN_API int limn_explain_infidelity(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                                     const limn_explanation *ex, const limn_quality_opts *q, double *out);
/* Max-sensitivity: the explanations (method and options g, targets of ex) are
 * recomputed at K uniformly perturbed copies of each row; out[i] = max_k
 * ||attr(x) - attr(x_k)|| / ||attr(x)|| (a zero norm counts as 1). With given baseline
 * rows (LIMN_BASELINE_ROWS) each copy of row i keeps row i's baseline (or the shared one). */
LIMN_API int limn_explain_max_sensitivity(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                                          const limn_grad_opts *g, const limn_explanation *ex,
                                          const limn_quality_opts *q, double *out);

/* Deletion and insertion curves (Petsiuk, Das & Saenko 2018): the features in the
 * order of their attribution (largest first, ties by column) are removed from the row
 * (set to the baseline) or, from the baseline, revealed, a `steps`-th of them at a
 * time (round(s d / steps) after step s); the curve is the explained output (its
 * target, in its space) after each step, and its area the trapezoid mean over the
 * fraction 0..1. A faithful explanation's deletion area is low (the output falls as its
 * evidence goes) and its insertion area high. Categorical columns take the baseline's
 * code. */
typedef struct limn_curve_opts {
  size_t steps;          /* steps from none to all the features [20]; at most the features */
  const float *baseline; /* (nfeatures) the value a removed feature takes; NULL: 0 */
} limn_curve_opts;

/* The defaults in brackets above. */
LIMN_API limn_curve_opts limn_explain_curve_opts_default(void);

/* Deletion and insertion areas of explanations ex of rows x (n) into deletion[i] and
 * insertion[i]; with curves (n * 2 * (steps + 1) values, or NULL) also the curves:
 * row i's deletion curve at curves[(2 i) (steps + 1)], its insertion curve after it. */
LIMN_API int limn_explain_deletion_insertion(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                                             const limn_explanation *ex, const limn_curve_opts *o,
                                             double *deletion, double *insertion, double *curves);

/* Spearman's rank correlation of two explanations' attributions (of their absolute
 * values when `absolute`), ties given their mean rank: the measure of Adebayo et al.'s
 * sanity check between a model's map and the map of the model with randomised layers
 * (limn_model_randomize_layers); near 0 for a map that depends on what the model
 * learned. NaN when the widths differ, under 2 features, or one map is constant. */
LIMN_API double limn_explain_rank_correlation(const limn_explanation *a, const limn_explanation *b,
                                              int absolute);

#ifdef __cplusplus
}
#endif
#endif

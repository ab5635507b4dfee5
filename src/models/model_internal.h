/* Internal structures of the model module. */
#ifndef LIMN_MODEL_INTERNAL_H
#define LIMN_MODEL_INTERNAL_H

#include "../data/data_internal.h"

typedef struct limn__model_vt {
  /* x (n, nfeatures) already validated; out (n, noutputs) */
  int (*forward)(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp, float *out);
  /* NULL when the model has no gradients */
  int (*vjp)(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const float *w, limn_space sp,
             float *grad);
  void (*destroy)(limn_model *m);
  /* Slot level (explainers). Slots: the model's input after its own preprocessing
   * (standardised numeric values, one-hot indicators). NULL when the model cannot
   * work on slots (then the raw-row versions serve when slots equal features).
   * vjp_slots gives d/d(slot) and, when `out` is set, the outputs as well. */
  int (*forward_slots)(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, limn_space sp,
                       float *out);
  int (*vjp_slots)(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, const float *w,
                   limn_space sp, float *grad, float *out);
  void (*to_slots)(const limn_model *m, const float *x, size_t n, float *h);
  /* d slot / d raw value of a numeric slot (1 for the others) */
  double (*slot_scale)(const limn_model *m, size_t s);
} limn__model_vt;

struct limn_model {
  limn_ctx *ctx; /* allocator owner */
  const char *kind;
  size_t nfeatures, noutputs, nslots;
  limn_schema *schema; /* may be NULL (callback) */
  limn_stats *stats;   /* may be NULL */
  size_t *slot_col;    /* (nslots) */
  long *slot_cat;      /* (nslots) */
  size_t *col_slot;    /* (nfeatures) first slot of each column */
  const limn__model_vt *vt;
  void *impl;
  char sha256[65];     /* of the file (bytes) it was loaded from; "" when made in memory */
  int missing_ok;      /* NaN inputs are missing values the model handles (tree ensembles) */
  char **desc, **unit; /* (nfeatures) column descriptions and units, or NULL (limn_model_describe) */
};

/* Probabilities of k logits z: out_c = exp(z_c - max) / sum exp(z - max), the sum in
 * double (the MLP's softmax output, tree ensembles' multi-class, ONNX logit heads). */
void limn__softmax(const float *z, size_t k, float *out);

/* Allocate a model shell with slot tables from `schema` (copied; may be NULL:
 * nfeatures numeric slots). */
int limn__model_new(limn_ctx *ctx, const char *kind, const limn_schema *schema, size_t nfeatures,
                    size_t noutputs, const limn__model_vt *vt, limn_model **out);

/* Slot-level operations for explainers (model.c). Rows h are (n, nslots). A model
 * without slot support whose slots equal its features (all numeric) works on raw
 * rows; otherwise LIMN_EUNSUPPORTED. vjp_slots falls back to central differences
 * when the model has no vjp, and says so in *used_fd. */
int limn__model_slots_supported(limn_ctx *ctx, const limn_model *m);
/* limn_model_forward's check of its rows (finite values, category codes), alone. */
int limn__model_check_input(limn_ctx *ctx, const limn_model *m, const float *x, size_t n);
void limn__model_to_slots(const limn_model *m, const float *x, size_t n, float *h);
double limn__model_slot_scale(const limn_model *m, size_t s);
int limn__model_forward_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, limn_space sp,
                              float *out);
int limn__model_vjp_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, const float *w,
                          limn_space sp, float *grad, float *out, int *used_fd);

/* An ONNX model's graph in one line: opset, nodes by operator, what its output is. */
void limn__onnx_describe(const limn_model *m, FILE *f);
/* A tree model's lines for limn info: what it is, its trees, splits and depth. */
void limn__trees_describe(const limn_model *m, FILE *f);

/* The MLP. */
typedef struct limn__mlp {
  size_t nlayers; /* dense layers */
  size_t *width;  /* (nlayers + 1): width[0] = slots, width[L] = output units */
  float **W;      /* W[l]: (width[l+1], width[l]) */
  float **b;      /* b[l]: (width[l+1]) */
  float **Wt;     /* Wt[l]: (width[l], width[l+1]) = W[l]^T, for inference */
  limn_activation hidden, output;
  float *mean, *std; /* (nfeatures) */
  double y_shift, y_scale;
  limn_mlp_info info;
  /* training options, recorded for `info` (0 when imported) */
  uint64_t seed;
  size_t batch_size;
  double learning_rate, l2, valid_fraction;
} limn__mlp;

/* Rows per chunk of MLP work: every chunk is computed as a full block so that a
 * row's result never depends on how many rows came with it. */
#define LIMN__CHUNK 64

int limn__mlp_new(limn_ctx *ctx, const limn_schema *schema, size_t nlayers, const size_t *width,
                  limn_activation hidden, limn_activation output, limn_model **out);
const limn__mlp *limn__mlp_of(const limn_model *m);
/* The model as a piecewise-linear MLP for exact IG: a limn MLP with ReLU or identity
 * hidden units, or an ONNX graph that is a chain of dense layers and Relu (a view
 * built at load); NULL otherwise, with the reason in why (when given). Its layers act
 * on the model's slots (limn__model_to_slots). */
const limn__mlp *limn__model_pwl(const limn_model *m, char *why, size_t cap);
/* ONNX's part of it (onnx.c; NULL without ONNX). */
const limn__mlp *limn__onnx_pwl(const limn_model *m, char *why, size_t cap);
/* The input shape (C, H, W) of an ONNX image model; LIMN_EUNSUPPORTED otherwise. */
int limn__onnx_image_shape(limn_ctx *ctx, const limn_model *m, size_t *c, size_t *h, size_t *w);
/* limn_model_gradcam, and with outputs (n * noutputs, or NULL) the rows' outputs in
 * `space` from the same pass (what limn_model_forward gives). */
int limn__onnx_gradcam(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const char *layer,
                       const long *targets, long target, limn_space space, int plusplus, float *maps,
                       size_t cap, size_t *h, size_t *w, float *outputs);
/* The last nlayers weighted layers of an ONNX model re-drawn (limn_model_randomize_layers);
 * LIMN_EUNSUPPORTED (no message) for another model. */
/* The activations entering an ONNX model's last dense layer (Gemm or MatMul with constant
 * weights) for n rows: *out (n, *width), allocated with ctx; its value's name. ENOTFOUND
 * (no message) when the graph has none. */
int limn__onnx_penultimate(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, float **out,
                           size_t *width, const char **name);
int limn__onnx_randomize(limn_ctx *ctx, limn_model *m, size_t nlayers, uint64_t seed, size_t *done);
/* v's n values re-drawn from a normal of their own mean and (n - 1) standard deviation,
 * stream `stream` of seed (the randomisation check's layers, MLP and ONNX alike). */
void limn__redraw_normal(float *v, size_t n, uint64_t seed, uint64_t stream);
/* A text model's embedding table (vocabulary x width floats), NULL for another model. */
const float *limn__onnx_text_table(const limn_model *m);
/* A text model's padding id (0 for another model). */
long limn__onnx_text_pad(const limn_model *m);
/* A text model's attention weights for one row: the Softmax outputs of shape (1, H, T,
 * T) in graph order (one per layer), *att (layers, H, T, T) allocated with ctx.
 * LIMN_ENOTFOUND when the graph has none. */
int limn__onnx_attention(limn_ctx *ctx, const limn_model *m, const float *row, float **att, size_t *layers,
                         size_t *heads, size_t *T);
/* Activations of hidden layer `layer` (1..nlayers - 1) for validated raw rows x:
 * out (n, width[layer]). */
int limn__mlp_hidden(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, size_t layer, float *out);
/* Standardise and one-hot rows into h0 (rows, nslots). */
void limn__mlp_preprocess(const limn_model *m, const float *x, size_t rows, float *h0);
/* Forward through all layers: acts[0] = h0 given; acts[l] (rows, width[l]) written;
 * acts[L] holds the output layer's pre-activation z. With `use_wt` the products use
 * the transposed weights (inference: rank-1 updates, row-independent); else W
 * (training, where Wt is stale). */
void limn__mlp_forward(limn_kernel k, const limn__mlp *p, size_t rows, float **acts, int use_wt);
/* The same from layer `first` on: acts[first] given. */
void limn__mlp_forward_from(limn_kernel k, const limn__mlp *p, size_t first, size_t rows, float **acts,
                            int use_wt);
/* A permutation chain: rows that start at the raw row `from` and take, one player after
 * another in `order`, the player's columns from the raw row `to`. */
typedef struct limn__chain {
  const float *from, *to;
  const size_t *order;
} limn__chain;
/* The outputs of n chains of `steps` rows each (row i: the first i + 1 players of the
 * order moved) through a limn MLP: out (n * steps, noutputs) in space sp. Player p's
 * columns are pcols[pstart[p]..pstart[p + 1]). The first layer's pre-activations are
 * updated along the chain (one column's weights per step instead of the whole layer),
 * in float, so they differ from limn_model_forward's by float rounding (its sums run
 * over the slots in another order). Rows must be valid (finite; codes in range).
 * Chains go to the threads `group` at a time (the last item may have fewer), their rows
 * in shared blocks of LIMN__CHUNK; each chain's outputs depend on it alone. */
int limn__mlp_chains(limn_ctx *ctx, const limn_model *m, const limn__chain *ch, size_t n, size_t group,
                     size_t steps, const size_t *pstart, const size_t *pcols, limn_space sp, float *out);
/* Tree ensembles (trees.c). The game TreeSHAP plays: path-dependent (the trees' covers)
 * or interventional over background rows bg (nbg, nfeatures); players: the columns, or
 * groups (player[j] of column j, nplayers of them; path-dependent: the sums of the
 * columns' values). */
typedef struct limn__tree_game {
  int interventional;
  const float *bg;
  size_t nbg;
  const size_t *player;
  size_t nplayers;
} limn__tree_game;
/* TreeSHAP of n rows x, row i explaining raw output raw[i] (a margin; a forest's class
 * probability): phi (n, players), bias (n) the game's v(empty) (path-dependent: base
 * margin + each tree's cover-weighted mean; interventional: the background's mean raw
 * output), margin (n) the row's raw output. inter: NULL, or (n, d + 1, d + 1) the
 * path-dependent interaction values per column (the bias last). Rows run on the
 * threads, each alone. */
int limn__trees_shap(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const size_t *raw,
                     const limn__tree_game *g, double *phi, double *bias, double *margin, double *inter);
/* For a tree model: the raw output that explains model output `target` and its sign (a
 * binary classifier's class 0 is the negated margin); returns 0 for other models, else
 * 1 | 2 when the raw outputs are what LIMN_SPACE_OUTPUT gives (forests' probabilities,
 * regression values) | 4 when they are what LIMN_SPACE_LOGIT gives (margins, values). */
int limn__trees_raw(const limn_model *m, size_t target, size_t *raw, double *sign);
/* Recompute Wt from W (after creation, loading or training). */
void limn__mlp_transpose(limn__mlp *p);
/* Backward from dz (rows, width[L]) (overwritten): dW[l], db[l] accumulate
 * (+=) when non-NULL; dh0 (rows, width[0]) written when non-NULL. tmp: scratch of
 * rows * max width floats, twice. */
void limn__mlp_backward(limn_kernel k, const limn__mlp *p, size_t rows, float **acts, float *dz, float *tmp,
                        float **dW, float **db, float *dh0);
/* Apply the output layer to z (rows, width[L]) into out (rows, noutputs). */
void limn__mlp_output(const limn_model *m, const float *z, size_t rows, limn_space sp, float *out);
/* d(sum_k w_k out_k)/dz for the output layer: dz (rows, width[L]). */
void limn__mlp_output_grad(const limn_model *m, const float *z, const float *w, size_t rows, limn_space sp,
                           float *dz);
size_t limn__mlp_max_width(const limn__mlp *p);
/* h = act(h) in place; dh *= act'(z) given h = act(z). Softmax is not a hidden act. */
void limn__activate(limn_activation a, float *h, size_t n);
void limn__activate_grad(limn_activation a, const float *h, float *dh, size_t n);

/* Serialisation (mlp_io.c). */
int limn__mlp_serialize(limn_ctx *ctx, const limn_model *m, limn__buf *b);

#endif

/* limn/model.h: the one model interface every explainer uses.
 *
 * A model maps a batch of raw feature rows x (n, d) -- numbers, and category codes
 * as in the dataset -- to outputs (n, k): class probabilities, or values for
 * regression. It may also provide a vector-Jacobian product (vjp): the gradient of
 * a weighted sum of its outputs with respect to its input slots.
 *
 * Input slots: a model sees each numeric column as one slot and each categorical
 * column as one slot per category (its one-hot encoding). Gradients are reported
 * per slot: for a numeric slot, d/d(raw value); for a categorical slot, d/d(one-hot
 * indicator). limn_model_slot() says which column and category a slot belongs to.
 *
 * Thread safety: a model is immutable after creation; predict/forward/vjp may be
 * called on one model from many threads at once, each with its own context.
 */
#ifndef LIMN_MODEL_H
#define LIMN_MODEL_H

#include "core.h"
#include "data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which outputs a forward pass or vjp speaks of. OUTPUT: what predict returns
 * (probabilities, or values). LOGIT: the pre-softmax scores; for a binary logistic
 * output with pre-activation z the two logits are (0, z), whose softmax is the two
 * probabilities; for regression LOGIT equals OUTPUT. */
typedef enum limn_space { LIMN_SPACE_OUTPUT = 0, LIMN_SPACE_LOGIT = 1 } limn_space;

typedef struct limn_model limn_model;

/* A model made of C callbacks (any framework, any language behind a C ABI).
 * All rows are raw feature rows of `nfeatures` floats; slots equal features
 * (every column numeric) unless a schema with categorical columns is given, in
 * which case vjp must report per slot as described above.
 * - predict: out (n, noutputs). Required. Return 0, or non-zero for failure.
 * - logits:  as predict in LOGIT space. Optional (NULL: LOGIT unsupported).
 * - vjp:     grad (n, nslots) = sum_k w[i,k] d out_k / d slot, for w (n, noutputs),
 *            in the given space. Optional (NULL: no gradients).
 * - destroy: called once with `ud` when the model is freed. Optional.
 * The callbacks may be called from several threads at once. */
typedef struct limn_model_callbacks {
  size_t nfeatures;
  size_t noutputs;
  int (*predict)(void *ud, const float *x, size_t n, float *out);
  int (*logits)(void *ud, const float *x, size_t n, float *out);
  int (*vjp)(void *ud, const float *x, size_t n, const float *w, limn_space space, float *grad);
  void (*destroy)(void *ud);
  void *ud;
} limn_model_callbacks;

/* Wrap callbacks as a model. `cb` is copied; `ud` is owned by the model from now on
 * when cb->destroy is set (it is destroyed even if this call fails), else borrowed
 * until the model is freed. `schema` (optional) is copied: it names the columns
 * and outputs and must have cb->nfeatures features. */
LIMN_API int limn_model_from_callbacks(limn_ctx *ctx, const limn_model_callbacks *cb,
                                       const limn_schema *schema, limn_model **out);
LIMN_API void limn_model_free(limn_model *m);

/* A black-box model run as an external program (docs/model-command.md). The command
 * is started once through /bin/sh -c and receives a CSV header line of the schema's
 * feature names; each predict sends the rows as CSV lines (numbers as shortest
 * round-trip decimals, categories by name) followed by an empty line, and reads one
 * CSV line per row: the class probabilities in the schema's class order, or one value
 * for regression (or a schema without target). `schema` is copied. A command that
 * exits, answers the wrong number of fields, or takes longer than timeout_s for a
 * batch gives an error (and the model refuses further calls). No gradients: the
 * gradient methods fall back to finite differences. Calls are serialised. */
LIMN_API int limn_model_from_command(limn_ctx *ctx, const char *command, const limn_schema *schema,
                                     double timeout_s, limn_model **out);

/* Whether Integrated Gradients can be computed exactly on m (LIMN_QUAD_EXACT): a limn
 * MLP with ReLU or identity hidden units, or an ONNX graph that is a chain of dense
 * layers (Gemm, MatMul with constant biases, constant elementwise standardisation
 * before them) with Relu between them and an optional final Softmax. 1 when it can; 0
 * with the reason in why (cap bytes; why may be NULL), e.g. "node 'fc2' (Sigmoid) is
 * not piecewise-linear". */
LIMN_API int limn_model_piecewise_linear(const limn_model *m, char *why, size_t cap);

/* Column descriptions, for people (reason codes and report tables name a described
 * column by its description and unit). Kept with the model in memory, never saved.
 * limn_model_describe sets column j's (description and unit copied; NULL or "" clear);
 * limn_model_read_descriptions reads a CSV file with the header fields column,
 * description and optionally unit, one described column per line (docs/format.md):
 * errors name the file, line and field (an unknown or twice-described column, an
 * empty description); a file that fails leaves the model with no descriptions. */
LIMN_API int limn_model_describe(limn_ctx *ctx, limn_model *m, size_t j, const char *description,
                                 const char *unit);
LIMN_API int limn_model_read_descriptions(limn_ctx *ctx, limn_model *m, const char *path);
/* Column j's description or unit, or NULL when it has none. */
LIMN_API const char *limn_model_feature_description(const limn_model *m, size_t j);
LIMN_API const char *limn_model_feature_unit(const limn_model *m, size_t j);

/* Options of a model command. */
typedef struct limn_model_command_opts {
  double timeout_s; /* seconds one batch may take (default 30) */
  /* The classes the command answers, in its order (borrowed during the call; NULL, 0:
   * not declared). With a classification target they must be the target's classes in
   * the target's order, else an error names both orders; without a target they make
   * the model a classifier of these classes (target "class"). */
  const char *const *classes;
  size_t nclasses;
} limn_model_command_opts;
/* The defaults: a 30 s timeout, no declared classes. */
LIMN_API limn_model_command_opts limn_model_command_opts_default(void);
/* limn_model_from_command with options. The command may also name its outputs itself:
 * when the first line of its first answer starts with '#', the rest is a CSV list of
 * its output names, checked the same way (and an error when it names several classes
 * but the schema has no classification target: the label column is named when it is
 * among the features). The model's SHA-256 (limn_model_sha256) is that of the
 * command's text. */
LIMN_API int limn_model_from_command_opts(limn_ctx *ctx, const char *command, const limn_schema *schema,
                                          const limn_model_command_opts *o, limn_model **out);

/* ---- ONNX ------------------------------------------------------------------ */

/* What an ONNX graph's output is. AUTO: a graph ending in Softmax gives class
 * probabilities (and its input serves as the logits); otherwise a classification
 * schema means the graph gives logits (limn applies softmax), a regression schema a
 * value. The others force the reading. */
typedef enum limn_onnx_output {
  LIMN_ONNX_AUTO = 0,
  LIMN_ONNX_PROBABILITIES = 1,
  LIMN_ONNX_LOGITS = 2,
  LIMN_ONNX_VALUE = 3
} limn_onnx_output;

/* 1 when the bytes look like an ONNX model (a ModelProto starting with its IR
 * version), which limn's own model files never do. */
LIMN_API int limn_model_is_onnx(const void *buf, size_t len);
/* 1 when the library was built with ONNX support (LIMN_WITH_ONNX), else 0: without
 * it the loaders below return LIMN_EUNSUPPORTED. */
LIMN_API int limn_have_onnx(void);
/* Load an ONNX model (opsets 9 to 17; the operators of docs/onnx.md) taking one float
 * input (N, slots) and giving (N, outputs): numeric columns as they are, categorical
 * ones one-hot in the schema's category order (image graphs may declare (N, C, H, W)).
 * `schema` (copied; may be NULL when the graph declares its input width) names the
 * columns and the target;
 * without a target the outputs are "class 0".. or one value. Errors name the file and
 * the node: an unsupported operator, an undefined input, a shape that does not fit. */
LIMN_API int limn_model_load_onnx(limn_ctx *ctx, const char *path, const limn_schema *schema,
                                  limn_onnx_output kind, limn_model **out);
LIMN_API int limn_model_load_onnx_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                                      const limn_schema *schema, limn_onnx_output kind, limn_model **out);

/* Grad-CAM (Selvaraju et al. 2017) of an ONNX image model at one of its values: A, the
 * value named `layer` (NULL: the output of the graph's last Conv), of shape (N, C, h, w);
 * G = d y / d A for output y of each row (targets[i], or `target` for every row when
 * targets is NULL) in `space` (LIMN_SPACE_LOGIT: the class score Grad-CAM uses; the
 * output's probabilities otherwise); the map is ReLU(sum_c a_c A_c) with a_c the mean of
 * G_c over the h x w places, or with plusplus Grad-CAM++'s weights (Chattopadhay et al.
 * 2018): a_c = sum_ij w_cij ReLU(G_cij), w = G^2 / (2 G^2 + sum_ij A_cij G^3) (0 where
 * that denominator is 0), the exponential form's derivatives. maps: n * h * w floats at
 * the layer's resolution, row-major (cap: how many there is room for); *h and *w get the
 * layer's size (maps NULL: only that, from one row). LIMN_EUNSUPPORTED for a model that is not ONNX or whose
 * columns are not all numeric; LIMN_ENOTFOUND for a layer the graph does not compute (the message names the
 * Conv outputs); LIMN_ESHAPE for a value that is not (N, C, h, w) or a cap too small. */
LIMN_API int limn_model_gradcam(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                                const char *layer, const long *targets, long target, limn_space space,
                                int plusplus, float *maps, size_t cap, size_t *h, size_t *w);

/* The image an ONNX model takes: an input declared (N, C, H, W) with numeric columns.
 * LIMN_EUNSUPPORTED (and 0s) for any other model. */
LIMN_API int limn_model_image_shape(limn_ctx *ctx, const limn_model *m, size_t *channels, size_t *height,
                                    size_t *width);

/* The cascading randomisation of Adebayo et al. 2018 ("Sanity Checks for Saliency
 * Maps"): the weights and biases of the model's last `nlayers` layers with weights
 * (limn MLPs: dense layers; ONNX: Conv, Gemm and MatMul nodes with a constant operand,
 * from the output back) re-drawn from a normal of each tensor's own mean and standard
 * deviation, seeded. The model changes in place (load a second copy to compare maps);
 * *done (may be NULL): the layers changed, fewer when the model has fewer.
 * LIMN_EUNSUPPORTED for other models (trees, callbacks, commands). */
LIMN_API int limn_model_randomize_layers(limn_ctx *ctx, limn_model *m, size_t nlayers, uint64_t seed,
                                         size_t *done);

/* 1 when the bytes look like a JSON document (its first non-blank byte is '{'): a tree
 * model for limn_model_load, which limn's own model files never start with. */
LIMN_API int limn_model_is_xgboost_json(const void *buf, size_t len);
/* Load a tree ensemble from JSON (docs/format.md), told by content:
 * - XGBoost's model files (Booster.save_model("m.json")), kind "xgboost": gbtree or dart
 *   boosters, numerical and categorical (partition) splits; objectives binary:logistic
 *   and binary:logitraw (two classes "0" and "1": outputs P(0), P(1), the logit space
 *   gives 0 and the margin), reg:squarederror (the margin), reg:logistic (the sigmoid of
 *   the margin; the logit space gives the margin), multi:softprob and multi:softmax (the
 *   softmax over the classes; the logit space gives the margins). Columns are the
 *   model's feature_names (or f0, f1, ..), all numeric (a categorical split's column
 *   holds the category codes XGBoost was trained on: in the set goes right; a negative
 *   or fractional code goes left). Predictions follow XGBoost: x < threshold in float,
 *   leaves summed in float.
 * - The limn-trees JSON that tools/export_sklearn_trees.py writes for scikit-learn's
 *   DecisionTree, RandomForest, ExtraTrees, GradientBoosting and HistGradientBoosting
 *   models, kind "sklearn": x <= threshold (a double), sums in double; a forest's
 *   outputs are class probabilities (the logit space gives their logs).
 * NaN inputs are missing values and go each node's default direction (a file without
 * default directions refuses them). Errors name the file and the tree and node:
 * malformed JSON (line and column), another booster, objective or format (by name),
 * vector leaves, children that do not follow their parent or point outside the tree,
 * features beyond the column count. */
LIMN_API int limn_model_load_trees(limn_ctx *ctx, const char *path, limn_model **out);
LIMN_API int limn_model_load_trees_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                                       limn_model **out);
/* The same (the earlier names). */
LIMN_API int limn_model_load_xgboost(limn_ctx *ctx, const char *path, limn_model **out);
LIMN_API int limn_model_load_xgboost_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                                         limn_model **out);
/* 1 for a tree ensemble (kinds "xgboost" and "sklearn"), else 0. */
LIMN_API int limn_model_is_trees(const limn_model *m);

/* 1 when the model takes NaN inputs as missing values (tree ensembles), else 0. */
LIMN_API int limn_model_takes_missing(const limn_model *m);

/* "mlp", "callback", "command", "onnx", "xgboost" or "sklearn". */
LIMN_API const char *limn_model_kind(const limn_model *m);
LIMN_API size_t limn_model_nfeatures(const limn_model *m);
LIMN_API size_t limn_model_noutputs(const limn_model *m);
LIMN_API size_t limn_model_nslots(const limn_model *m);
/* Column of slot s, and its category (-1 for a numeric slot); either output may be
 * NULL. LIMN_EINVAL for s >= nslots. */
LIMN_API int limn_model_slot(limn_ctx *ctx, const limn_model *m, size_t s, size_t *column, long *category);
/* Schema (feature names, classes); NULL for a callback model built without one.
 * Borrowed from the model. */
LIMN_API const limn_schema *limn_model_schema(const limn_model *m);
LIMN_API limn_task limn_model_task(const limn_model *m);
/* Name of output k: the class name, or the target name for regression ("output k"
 * when unknown). Never NULL. */
LIMN_API const char *limn_model_output_name(const limn_model *m, size_t k);
/* 1 when the model computes exact gradients. */
LIMN_API int limn_model_has_vjp(const limn_model *m);
/* Training statistics stored with the model (NULL if none); borrowed. */
LIMN_API const limn_stats *limn_model_stats(const limn_model *m);
/* Store a copy of `st` (its feature count must match) with the model. */
LIMN_API int limn_model_set_stats(limn_ctx *ctx, limn_model *m, const limn_stats *st);

/* Outputs of n raw rows. x: (n, nfeatures), out: (n, noutputs). Rows are checked
 * (finite numbers, valid category codes) and an error names the first bad row and
 * column. The value for a row never depends on n, the other rows or the thread
 * count. */
LIMN_API int limn_model_predict(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, float *out);
/* As predict, in the given space. */
LIMN_API int limn_model_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                                limn_space space, float *out);
/* Hidden layers of an MLP (0 for other models), the width of hidden layer `layer`
 * (1 = the first; 0 when there is no such layer), and its activations (after the
 * nonlinearity) for n raw rows: out (n, width). Rows are checked as by predict; a
 * row's values never depend on n or the thread count. */
LIMN_API size_t limn_model_nhidden(const limn_model *m);
LIMN_API size_t limn_model_hidden_width(const limn_model *m, size_t layer);
LIMN_API int limn_model_hidden(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, size_t layer,
                               float *out);
/* Vector-Jacobian product. x: (n, nfeatures), w: (n, noutputs), grad: (n, nslots):
 * grad[i, s] = sum_k w[i, k] * d out_k(x_i) / d slot_s, exact (backpropagation).
 * LIMN_EUNSUPPORTED when the model has no vjp. */
LIMN_API int limn_model_vjp(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const float *w,
                            limn_space space, float *grad);

/* Save to / load from a limn model file (docs/format.md). Save writes a temporary
 * file and renames it. Load validates every field; a corrupt, truncated or hostile
 * file gives LIMN_EFORMAT with the byte offset and field in the message. Only MLP
 * models can be saved (LIMN_EUNSUPPORTED otherwise). */
LIMN_API int limn_model_save(limn_ctx *ctx, const limn_model *m, const char *path);
LIMN_API int limn_model_load(limn_ctx *ctx, const char *path, limn_model **out);
/* The same in memory. save_mem: *buf is allocated with the context's allocator
 * (free it with limn_free). `buf` of load_mem is borrowed; `name` is for messages. */
LIMN_API int limn_model_save_mem(limn_ctx *ctx, const limn_model *m, unsigned char **buf, size_t *len);
LIMN_API int limn_model_load_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                                 limn_model **out);
/* The model's identity, as 64 lower-case hex digits and a NUL: the SHA-256 of the file
 * (or bytes) it was loaded from, limn or ONNX; for an MLP made in memory, of the bytes
 * limn_model_save would write (so a saved model keeps its identity). What info,
 * predictions, explanations, maps and the report record. LIMN_EUNSUPPORTED (hex "")
 * for a callback or command model, which has no file. */
LIMN_API int limn_model_sha256(limn_ctx *ctx, const limn_model *m, char hex[65]);

/* Describe the model as text (architecture, preprocessing, classes, training
 * figures) or as one JSON object holding everything, every weight included.
 * Written to `f` (borrowed). */
LIMN_API int limn_model_write_text(limn_ctx *ctx, const limn_model *m, FILE *f);
LIMN_API int limn_model_write_json(limn_ctx *ctx, const limn_model *m, FILE *f);

#ifdef __cplusplus
}
#endif
#endif

/* limn/mlp.h: limn's own multilayer perceptron: build, train.
 *
 * The network: preprocessing (standardise numeric columns with the training mean and
 * population std, one-hot encode categorical ones), then dense layers
 * z = W h + b with W (out, in), a hidden activation after each hidden layer, and an
 * output layer: softmax (classification, >= 3 classes), logistic (binary, one unit,
 * reported as two probabilities 1-p, p) or identity (regression; the value is
 * z * y_scale + y_shift, the target standardised during training).
 */
#ifndef LIMN_MLP_H
#define LIMN_MLP_H

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum limn_activation {
  LIMN_ACT_RELU = 0,
  LIMN_ACT_TANH = 1,
  LIMN_ACT_LOGISTIC = 2,
  LIMN_ACT_IDENTITY = 3,
  LIMN_ACT_SOFTMAX = 4 /* output layer only */
} limn_activation;

/* "relu", "tanh", "logistic", "identity", "softmax"; NULL for a bad value. */
LIMN_API const char *limn_activation_name(limn_activation a);
/* Parse a name; LIMN_EINVAL for an unknown one. */
LIMN_API int limn_activation_parse(const char *name, limn_activation *out);

/* Training options. Defaults in brackets (limn_mlp_opts_default). */
typedef struct limn_mlp_opts {
  const size_t *hidden;       /* hidden widths, borrowed during the call [64, 32] */
  size_t nhidden;             /* number of hidden layers [2]; 0 = linear model */
  limn_activation activation; /* hidden activation [relu] */
  size_t max_epochs;          /* [200] */
  size_t batch_size;          /* minibatch rows [32] */
  double learning_rate;       /* Adam step [1e-3] */
  double beta1, beta2, eps;   /* Adam (Kingma & Ba 2015) [0.9, 0.999, 1e-8] */
  double l2;                  /* L2 penalty: loss += l2/2 * sum W^2 / rows [1e-4] */
  double valid_fraction;      /* held out for early stopping, stratified [0.1]; 0 = off */
  size_t patience; /* epochs without improvement before stopping, and at least 200 optimiser steps [10] */
  double tol;      /* improvement that counts, on the validation loss [1e-4] */
  uint64_t seed;   /* init, shuffles and the validation split [0] */
} limn_mlp_opts;

/* The defaults in brackets above. */
LIMN_API limn_mlp_opts limn_mlp_opts_default(void);

/* Train on the rows of `train` (which must have a target). Glorot-uniform init,
 * Adam on minibatches, L2 penalty, early stopping on a validation fraction with the
 * best weights restored. Deterministic: the same data, options and seed give a
 * bit-identical model whatever the thread count. The training statistics are
 * stored with the model. Progress goes to the context's progress hook (epochs). */
LIMN_API int limn_mlp_train(limn_ctx *ctx, const limn_dataset *train, const limn_mlp_opts *opts,
                            limn_model **out);

/* One dense layer given to limn_mlp_create: w (out, in), b (out); borrowed. */
typedef struct limn_mlp_layer {
  size_t in, out;
  const float *w;
  const float *b;
} limn_mlp_layer;

/* An MLP given by its weights (import, tests); everything borrowed during the call. */
typedef struct limn_mlp_spec {
  const limn_schema *schema;    /* the columns and target (copied); required */
  const float *mean, *std;      /* (nfeatures) standardisation of numeric columns (categorical entries
                                   ignored); NULL: mean 0, std 1; a zero std is taken as 1 */
  size_t nlayers;               /* 1 to 64 */
  const limn_mlp_layer *layers; /* (nlayers); the first layer's `in` is the slot count */
  limn_activation hidden;       /* after each hidden layer */
  limn_activation output;       /* SOFTMAX, LOGISTIC (one output unit, binary) or IDENTITY (regression) */
  double y_shift, y_scale;      /* regression output transform (0 and 1 otherwise) */
} limn_mlp_spec;

/* Build the MLP of spec. LIMN_EINVAL or LIMN_ESHAPE, naming the layer, when the
 * layers do not chain or do not fit the schema. */
LIMN_API int limn_mlp_create(limn_ctx *ctx, const limn_mlp_spec *spec, limn_model **out);

/* Facts about an MLP (LIMN_EINVAL for another kind of model). */
typedef struct limn_mlp_info {
  size_t nlayers; /* dense layers, output included */
  limn_activation hidden;
  limn_activation output;
  size_t epochs_run; /* 0 when not trained by limn */
  size_t best_epoch;
  double train_loss; /* at the best epoch (NaN when unknown) */
  double valid_loss;
} limn_mlp_info;
/* Facts about an MLP into *info; LIMN_EINVAL for another kind of model. */
LIMN_API int limn_mlp_get_info(limn_ctx *ctx, const limn_model *m, limn_mlp_info *info);
/* Layer i (0-based) of an MLP; pointers borrowed from the model. LIMN_EINVAL for
 * another kind of model or i >= nlayers. */
LIMN_API int limn_mlp_get_layer(limn_ctx *ctx, const limn_model *m, size_t i, limn_mlp_layer *layer);

#ifdef __cplusplus
}
#endif
#endif

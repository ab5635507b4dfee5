/* ONNX graphs: a small interpreter with reverse mode for vjp (internal). */
#ifndef LIMN_MODELS_ONNX_INTERNAL_H
#define LIMN_MODELS_ONNX_INTERNAL_H

#include "model_internal.h"
#include <stdint.h>

#define OX_MAXRANK 8
#define OX_MAXIN 16
#define OX_MAXOUT 16 /* Split's parts at most */
/* A pass over the graph with rows kept met shapes its plan does not fit: run_forward then
 * runs the whole graph (never returned further) */
#define OX_RETRY (-1000)
enum { ROWS_WHOLE = 0, ROWS_CUT = 1, ROWS_BCAST = 2 };
#define OX_MAX_ELEMENTS (1 << 24) /* per tensor (64 MB of floats): hostile graphs stay small */

enum { OX_NONE = 0, OX_FLOAT = 1, OX_INT64 = 2 };

typedef struct ox_tensor {
  int type; /* OX_NONE (not computed), OX_FLOAT or OX_INT64 */
  size_t rank;
  size_t dim[OX_MAXRANK];
  size_t len;
  float *f;
  int64_t *i;
  size_t cap_f, cap_i; /* elements allocated behind f and i (kept between passes) */
  int borrowed;        /* data owned by someone else (a constant, the input rows) */
  /* rows kept (see plan_rows in onnx.c): with rfull set, the tensor holds only indices
   * rlo .. rlo + dim[raxis] - 1 along axis raxis of a tensor whose dimension there is rfull */
  size_t rfull, rlo;
  size_t raxis;
} ox_tensor;

typedef enum ox_op {
  OX_GEMM,
  OX_MATMUL,
  OX_ADD,
  OX_SUB,
  OX_MUL,
  OX_DIV,
  OX_RELU,
  OX_LEAKYRELU,
  OX_SIGMOID,
  OX_TANH,
  OX_SOFTMAX,
  OX_LOGSOFTMAX,
  OX_FLATTEN,
  OX_RESHAPE,
  OX_IDENTITY,
  OX_DROPOUT,
  OX_CAST,
  OX_SHAPE,
  OX_GATHER,
  OX_UNSQUEEZE,
  OX_CONCAT,
  OX_CONV,
  OX_MAXPOOL,
  OX_AVGPOOL,
  OX_PAD,
  OX_BATCHNORM,
  OX_GLOBALAVGPOOL,
  OX_CLIP,
  OX_HARDSIGMOID,
  OX_HARDSWISH,
  OX_TRANSPOSE,
  OX_LAYERNORM,
  OX_ERF,
  OX_EQUAL,
  OX_NOT,
  OX_WHERE,
  OX_SLICE,
  OX_SQRT,
  OX_POW,
  OX_REDUCEMEAN,
  OX_REDUCESUM,
  OX_SQUEEZE,
  OX_SPLIT,
  OX_EXPAND,
  OX_CONSTOFSHAPE,
  OX_RESIZE,
  OX_ROWS, /* not an ONNX operator: rows lo .. hi - 1 along an axis, added by plan_rows */
  OX_GELU, /* not an ONNX operator: x (erf(x / c1) + c2) c3 as torch exports GELU, folded (fold_gelu) */
  OX_NOPS
} ox_op;

typedef struct ox_node {
  ox_op op;
  char *name;
  size_t nin, nout;
  int in[OX_MAXIN]; /* value ids, -1: absent optional input */
  int out[OX_MAXOUT];
  float alpha, beta;
  int trans_a, trans_b;
  long axis;
  int to;        /* Cast: OX_FLOAT or OX_INT64 */
  int64_t *axes; /* Unsqueeze, Squeeze (opset < 13), ReduceMean (opset < 18): axes; Transpose: perm;
                    Split (opset < 13): the sizes */
  size_t naxes;
  int keepdims;  /* ReduceMean, ReduceSum */
  int boolean;   /* Cast to bool: int64 0 or 1 */
  int fill_type; /* ConstantOfShape: OX_FLOAT or OX_INT64, and its value */
  double fill;
  float *bt; /* MatMul by a constant (K, N) float matrix in a text model: its transpose (N, K),
                made at load (the backward pass's dA on a sequence runs on it); else NULL */
  int bias;  /* MatMul fused with the Add of a constant row vector after it: that constant, else -1 */
  int relu;  /* MatMul or Gemm with the Relu after it folded in */
  /* Conv, MaxPool, AveragePool (2-D, NCHW) */
  size_t kernel[2], stride[2], dil[2], pad[4]; /* pads: top, left, bottom, right */
  size_t group;                                /* Conv: channel groups (1: none; C: depthwise) */
  float eps, lo, hi;                           /* BatchNormalization's epsilon; Clip's bounds (opset < 11) */
  int has_kernel, count_pad;
  int skip;   /* a node folded into another, which writes its output */
  int hidden; /* the last outputs, which only the node's own backward reads (a fold's
                 saved terms: OX_GELU's erf(x / c1) + c2 in out[1]; LayerNormalization's
                 row statistics in out[3], out[1] and out[2] absent) */
  /* Softmax with the attention's scale and mask folded in (fold_softmax in onnx.c): it
   * normalises Where(in[2], x pre_op in[1], in[3]) (the scores in the second place when
   * pre_keep is 0); pre_op OX_DIV or OX_MUL by the scalar in[1], or 0; in[2] -1: no mask.
   * pre: folded so (a Softmax read from a file with more inputs ignores them) */
  int pre, pre_op, pre_keep;
  /* MatMul with Transposes of perm (0, 2, 1, 3) folded in (fold_transposes in onnx.c):
   * tview[0] (tview[1]) 1: in[0] (in[1]) is the Transpose's input, read with its axes 1
   * and 2 swapped; tview[1] 2: in[1] is the input of a Transpose of perm (0, 2, 3, 1);
   * tview[2]: out[0] is the Transpose's output, written so */
  unsigned char tview[3];
  /* in[0] and in[1] one value, the second's Transpose after the first's: its gradient's
   * term is added first, as the Transposes' backward passes add them */
  unsigned char tview_b_first;
  int nan_free; /* its outputs need no NaN check: it moves, selects or maps values so that a NaN
                   at its output was at an input, and its inputs are all checked (at load) */
  /* rows kept (plan_rows in onnx.c): the node computes only indices rows_lo .. rows_hi - 1
   * along its output's axis rows_axis (of rank rows_rank), from inputs that are cut alike
   * (ROWS_CUT, along rows_in_axis), broadcast along it (ROWS_BCAST: size 1 there) or whole */
  int rows;
  size_t rows_axis, rows_lo, rows_hi, rows_rank;
  unsigned char rows_in[OX_MAXIN], rows_in_axis[OX_MAXIN];
  int scan; /* its outputs are scanned for NaN when it has run: a node that can hide a NaN
               reads them, or the graph's output is among them (see run_forward) */
  /* Resize: how output coordinates map to the input's, and how they are sampled */
  enum { RS_NEAREST, RS_LINEAR } rs_mode;
  enum {
    RS_HALF_PIXEL,
    RS_PYTORCH_HALF_PIXEL,
    RS_ASYMMETRIC,
    RS_ALIGN_CORNERS,
    RS_HALF_PIXEL_SYMMETRIC,
    RS_TF_HALF_PIXEL_NN
  } rs_coord;
  enum { RS_ROUND_PREFER_FLOOR, RS_ROUND_PREFER_CEIL, RS_FLOOR, RS_CEIL } rs_nearest;
} ox_node;

typedef struct ox_graph {
  size_t nvals;
  char **names;
  ox_tensor *consts;  /* type OX_NONE where the value is not a constant */
  unsigned char *dep; /* 1 where the value depends on the input (needs gradients) */
  size_t nnodes;
  ox_node *nodes;
  int input, output;
  long opset;
} ox_graph;

/* Run node k forward: vals holds every value computed so far (the node's inputs);
 * its outputs are allocated with ctx. */
int limn__ox_forward(limn_ctx *ctx, const ox_graph *g, const ox_node *nd, ox_tensor *vals);
/* Back through node k: grads[v] (float, shaped like vals[v]) for its outputs are
 * given; adds into grads of its inputs that depend on the graph's input (allocating
 * them zeroed when absent). */
int limn__ox_backward(limn_ctx *ctx, const ox_graph *g, const ox_node *nd, const ox_tensor *vals,
                      ox_tensor *grads);
void limn__ox_free(limn_ctx *ctx, ox_tensor *t);
/* t (cols x rows) = the transpose of a (rows x cols, its rows ld apart). */
void limn__ox_transpose(const float *a, size_t rows, size_t cols, size_t ld, float *t);
/* Shape t as (type, rank, dim), reusing its buffer when large enough; the values are
 * NOT zeroed. */
int limn__ox_alloc(limn_ctx *ctx, ox_tensor *t, int type, size_t rank, const size_t *dim);
const char *limn__ox_op_name(ox_op op);
/* "node 'fc1' (Gemm)", or "node 3 '(unnamed)' (Relu)" for an unnamed node, into buf. */
const char *limn__ox_label(const ox_node *nd, char *buf, size_t cap);
int limn__ox_op_parse(const char *name, ox_op *op);
/* e^x of 8 floats x <= 0 (Softmax's exponential; below -87 it gives 0), for tests. */
void limn__ox_exp8(const float *in, float *out);
/* erf of 8 floats (the Erf node's forward), for tests. */
void limn__ox_erf8(const float *in, float *out);
/* Whether text models loaded from now on get a rows graph (onnx.c plan_rows; on by
 * default), for tests: it must not change a bit. */
void limn__onnx_rows(int on);
/* Whether models loaded from now on fold GELU and the attention's scale and mask into one
 * node each, keep LayerNormalization's row statistics and fold an attention's Transposes
 * into its products (onnx.c fold_gelu, fold_softmax, fold_layernorm, fold_transposes; on
 * by default), for tests: it must not change a bit. */
void limn__onnx_fold(int on);
/* A loaded ONNX model's OX_GELU nodes, Softmax nodes with a folded scale or mask,
 * LayerNormalization nodes that keep their row statistics and MatMul nodes with folded
 * Transposes (in the whole graph), for tests. */
size_t limn__onnx_folded(const limn_model *m);
/* Nodes of a loaded text model's rows graph that keep rows (0: none), for tests. */
size_t limn__onnx_rows_planned(const limn_model *m);

#endif

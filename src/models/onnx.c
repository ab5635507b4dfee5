/* ONNX models (docs/onnx.md): a .onnx file parsed with protobuf-c over ONNX's own
 * onnx.proto, checked node by node, and run by a small interpreter with reverse mode
 * (onnx_ops.c), so every explainer gets exact gradients. */
#include "../data/strmap.h"
#include "onnx.pb-c.h"
#include "limn/text.h"
#include "onnx_internal.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define OX_MAX_NODES 100000
#define OX_CHUNK 512     /* rows per pass through the graph */
#define OX_TEXT_CHUNK 64 /* text models: rows per pass at most, and ... */
#define OX_TEXT_CELLS                                                                                        \
  65536 /* ... rows * T * T at most (attention is (heads, T, T) a row): a pass's                             \
           tensors then stay in the model's cache instead of fresh pages */

/* Rows of T tokens a pass of a text model takes. */
static size_t text_chunk(size_t T) {
  size_t cells = T * T, c = OX_TEXT_CELLS / (cells > 0 ? cells : 1);
  return c < 1 ? 1 : c > OX_TEXT_CHUNK ? OX_TEXT_CHUNK : c;
}

enum { HEAD_SOFTMAX, HEAD_PROBS, HEAD_LOGITS, HEAD_VALUE };

/* The tensors of a pass: kept between the chunks of a call, and between calls in the
 * model's cache (fresh pages cost more than the work on small images). */
typedef struct run_state {
  ox_tensor *vals, *grads;
  size_t nvals;
} run_state;
enum { OX_CACHE = 4 };                    /* states kept for the next calls */
#define OX_CACHE_BYTES ((size_t)64 << 20) /* the largest state kept */

typedef struct ox_model {
  ox_graph g;
  int head;
  int logit; /* HEAD_SOFTMAX: the value the final Softmax takes */
  size_t d, k;
  size_t w;        /* the graph's input width: d, or the one-hot slots of categorical columns */
  size_t *slot_of; /* (d) first slot of each column */
  size_t *ncat;    /* (d) categories of each column (0: numeric) */
  size_t in_rank, in_dim[OX_MAXRANK]; /* the input's declared shape (in_dim[0] the batch), or rank 2 */
  limn__mlp *pwl;                     /* the graph as a piecewise-linear MLP (exact IG), or NULL ... */
  char pwl_why[320];                  /* ... and why not */
  limn_ctx *owner;                    /* the loading context: its allocator made the cached states */
  pthread_mutex_t lock;               /* guards the cache */
  int lock_ok;
  run_state cache[OX_CACHE];
  size_t ncache;
  /* text models (docs/text.md): the input is int64 token ids (N, T); rows are w = max
   * tokens ids as floats, padded after the text with `pad` */
  int text;
  int64_t pad;
  int cut;         /* the embedding lookup's output (the value layer IG starts from) */
  size_t cut_node; /* the lookup's node */
  size_t vocab, E; /* its table's rows (the vocabulary) and width */
  /* the graph with only the rows its output reads (plan_rows), for the passes that need
   * no other value; rg.nodes NULL when every row is read */
  ox_graph rg;
  size_t rg_cut_node; /* the lookup's node in rg */
} ox_model;

/* What a pass reads besides float rows: token ids (n, T) and, when emb is set, the
 * embedding lookup's output (n, T, E) in place of the lookup. */
typedef struct ox_feed {
  const int64_t *ids;
  size_t T;
  const float *emb;
} ox_feed;

/* ---- protobuf-c through the context's allocator ---- */

static void *pb_alloc(void *ud, size_t size) { return limn__malloc(ud, size ? size : 1); }
static void pb_free(void *ud, void *p) { limn__free(ud, p); }

int limn_have_onnx(void) { return 1; }

/* ---- graph construction ---- */

static void graph_free(limn_ctx *ctx, ox_graph *g) {
  for (size_t v = 0; v < g->nvals; v++) {
    limn__free(ctx, g->names ? g->names[v] : NULL);
    if (g->consts)
      limn__ox_free(ctx, &g->consts[v]);
  }
  for (size_t k = 0; k < g->nnodes; k++) {
    limn__free(ctx, g->nodes[k].name);
    limn__free(ctx, g->nodes[k].axes);
    limn__free(ctx, g->nodes[k].bt);
  }
  limn__free(ctx, g->names), limn__free(ctx, g->consts), limn__free(ctx, g->dep), limn__free(ctx, g->nodes);
  memset(g, 0, sizeof *g);
}

typedef struct builder {
  limn_ctx *ctx;
  const char *file;
  ox_graph *g;
  limn__strmap ids;
  size_t cap;
} builder;

/* A new value named `name`; LIMN_EFORMAT when the name is taken. */
static int new_value(builder *b, const char *name, int *id) {
  ox_graph *g = b->g;
  if (limn__strmap_get(&b->ids, name) != (size_t)-1)
    return limn__err(b->ctx, LIMN_EFORMAT, "%s: value '%s' is defined twice", b->file, name);
  if (g->nvals == b->cap) {
    size_t cap = b->cap ? 2 * b->cap : 64;
    char **nm = limn__realloc(b->ctx, g->names, cap * sizeof *nm);
    if (nm)
      g->names = nm;
    ox_tensor *ct = nm ? limn__realloc(b->ctx, g->consts, cap * sizeof *ct) : NULL;
    if (ct)
      g->consts = ct;
    if (!nm || !ct)
      return LIMN_ENOMEM;
    b->cap = cap;
  }
  g->names[g->nvals] = limn__strdup(b->ctx, name);
  memset(&g->consts[g->nvals], 0, sizeof *g->consts);
  if (!g->names[g->nvals])
    return LIMN_ENOMEM;
  g->nvals++;
  /* the map borrows the key: the string itself, which never moves */
  LIMN_TRY(limn__strmap_put(b->ctx, &b->ids, g->names[g->nvals - 1], g->nvals - 1));
  *id = (int)(g->nvals - 1);
  return LIMN_OK;
}

/* A TensorProto as a constant. */
static int tensor_const(builder *b, const Onnx__TensorProto *t, ox_tensor *out) {
  limn_ctx *ctx = b->ctx;
  const char *nm = t->name ? t->name : "";
  if (t->n_dims > OX_MAXRANK)
    return limn__err(ctx, LIMN_EFORMAT, "%s: tensor '%s' has rank %zu (at most %d)", b->file, nm, t->n_dims,
                     OX_MAXRANK);
  size_t dim[OX_MAXRANK];
  for (size_t k = 0; k < t->n_dims; k++) {
    if (t->dims[k] < 0 || t->dims[k] > ((int64_t)1 << 31))
      return limn__err(ctx, LIMN_EFORMAT, "%s: tensor '%s' has a bad dimension %lld", b->file, nm,
                       (long long)t->dims[k]);
    dim[k] = (size_t)t->dims[k];
  }
  if (t->n_external_data || (t->has_data_location && t->data_location == 1))
    return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: tensor '%s' keeps its data in an external file", b->file,
                     nm);
  int dt = t->has_data_type ? t->data_type : 0;
  int type =
      dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT || dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE  ? OX_FLOAT
      : dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 || dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT32 ? OX_INT64
                                                                                                 : 0;
  if (!type)
    return limn__err(ctx, LIMN_EUNSUPPORTED,
                     "%s: tensor '%s' has element type %d (float, double, int32 and int64 "
                     "are supported)",
                     b->file, nm, dt);
  int rc = limn__ox_alloc(ctx, out, type, t->n_dims, dim);
  if (rc)
    return rc == LIMN_ENOMEM ? rc : limn__err_prefix(ctx, rc, "%s: tensor '%s'", b->file, nm);
  size_t len = out->len,
         es =
             dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT || dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT32 ? 4 : 8;
  size_t have = t->has_raw_data                               ? t->raw_data.len / es
                : dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT  ? t->n_float_data
                : dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE ? t->n_double_data
                : dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64  ? t->n_int64_data
                                                              : t->n_int32_data;
  if (have != len || (t->has_raw_data && t->raw_data.len != len * es)) {
    limn__ox_free(ctx, out);
    return limn__err(ctx, LIMN_EFORMAT, "%s: tensor '%s' holds %zu values, its shape needs %zu", b->file, nm,
                     have, len);
  }
  const unsigned char *raw = t->raw_data.data;
  for (size_t q = 0; q < len; q++) {
    if (t->has_raw_data) { /* little-endian */
      uint64_t u = 0;
      for (size_t c = 0; c < es; c++)
        u |= (uint64_t)raw[q * es + c] << (8 * c);
      if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
        uint32_t w = (uint32_t)u;
        float f;
        memcpy(&f, &w, 4);
        out->f[q] = f;
      } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE) {
        double f;
        memcpy(&f, &u, 8);
        out->f[q] = (float)f;
      } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT32) {
        out->i[q] = (int32_t)(uint32_t)u;
      } else {
        out->i[q] = (int64_t)u;
      }
    } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
      out->f[q] = t->float_data[q];
    } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE) {
      out->f[q] = (float)t->double_data[q];
    } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
      out->i[q] = t->int64_data[q];
    } else {
      out->i[q] = t->int32_data[q];
    }
    /* one value may be infinite (a mask's fill: masked_fill(..., float("-inf"))); weights not */
    if (type == OX_FLOAT && (isnan(out->f[q]) || (isinf(out->f[q]) && len != 1))) {
      int nan = isnan(out->f[q]);
      limn__ox_free(ctx, out);
      return limn__err(
          ctx, LIMN_ENONFINITE,
          nan ? "%s: tensor '%s' holds NaN"
              : "%s: tensor '%s' holds infinity (a single value may be infinite, as a mask's fill; "
                "a tensor of several may not)",
          b->file, nm);
    }
  }
  return LIMN_OK;
}

static const Onnx__AttributeProto *attr(const Onnx__NodeProto *n, const char *name) {
  for (size_t k = 0; k < n->n_attribute; k++)
    if (n->attribute[k]->name && !strcmp(n->attribute[k]->name, name))
      return n->attribute[k];
  return NULL;
}

/* A Constant node: its value becomes a constant value. */
static int constant_node(builder *b, const Onnx__NodeProto *n, const char *label) {
  if (n->n_output != 1 || !n->output[0] || !*n->output[0])
    return limn__err(b->ctx, LIMN_EFORMAT, "%s: %s: a Constant needs one output", b->file, label);
  int id;
  LIMN_TRY(new_value(b, n->output[0], &id));
  ox_tensor *t = &b->g->consts[id];
  const Onnx__AttributeProto *a;
  if ((a = attr(n, "value")) && a->t) {
    int rc = tensor_const(b, a->t, t);
    return rc ? limn__err_prefix(b->ctx, rc, "%s", label) : LIMN_OK;
  }
  size_t one = 1;
  if ((a = attr(n, "value_float")) && a->has_f) {
    LIMN_TRY(limn__ox_alloc(b->ctx, t, OX_FLOAT, 0, &one));
    t->f[0] = a->f;
  } else if ((a = attr(n, "value_int")) && a->has_i) {
    LIMN_TRY(limn__ox_alloc(b->ctx, t, OX_INT64, 0, &one));
    t->i[0] = a->i;
  } else if ((a = attr(n, "value_ints"))) {
    size_t len = a->n_ints;
    LIMN_TRY(limn__ox_alloc(b->ctx, t, OX_INT64, 1, &len));
    if (len)
      memcpy(t->i, a->ints, len * sizeof(int64_t));
  } else if ((a = attr(n, "value_floats"))) {
    size_t len = a->n_floats;
    LIMN_TRY(limn__ox_alloc(b->ctx, t, OX_FLOAT, 1, &len));
    if (len)
      memcpy(t->f, a->floats, len * sizeof(float));
  } else {
    return limn__err(b->ctx, LIMN_EUNSUPPORTED, "%s: %s: Constant without a supported value attribute",
                     b->file, label);
  }
  return LIMN_OK;
}

/* The node's operator, after the checks every node gets: the default domain, an
 * operator limn runs, and input and output counts it can hold. */
static int node_op(builder *b, const Onnx__NodeProto *n, const char *label, ox_op *o) {
  const char *op = n->op_type ? n->op_type : "";
  if (limn__ox_op_parse(op, o))
    return limn__err(b->ctx, LIMN_EUNSUPPORTED,
                     "%s: %s: operator '%s' is not supported (docs/onnx.md lists those that are)", b->file,
                     label, op);
  if (n->n_input > OX_MAXIN || n->n_output < 1 || n->n_output > OX_MAXOUT)
    return limn__err(b->ctx, LIMN_EFORMAT, "%s: %s: %zu inputs and %zu outputs are too many for %s", b->file,
                     label, n->n_input, n->n_output, op);
  return LIMN_OK;
}

/* The node's inputs, each defined by an earlier node, and its outputs as new values. */
static int node_wires(builder *b, const Onnx__NodeProto *n, ox_node *nd, const char *label) {
  nd->nin = n->n_input;
  for (size_t k = 0; k < n->n_input; k++) {
    const char *in = n->input[k] ? n->input[k] : "";
    size_t id = *in ? limn__strmap_get(&b->ids, in) : (size_t)-1;
    if (*in && id == (size_t)-1)
      return limn__err(b->ctx, LIMN_EFORMAT,
                       "%s: %s: input '%s' is not defined before it (the graph must be in "
                       "topological order)",
                       b->file, label, in);
    nd->in[k] = *in ? (int)id : -1;
  }
  nd->nout = n->n_output;
  for (size_t k = 0; k < n->n_output; k++) {
    int id = -1;
    if (n->output[k] && *n->output[k])
      LIMN_TRY(new_value(b, n->output[k], &id));
    nd->out[k] = id;
  }
  if (nd->out[0] < 0)
    return limn__err(b->ctx, LIMN_EFORMAT, "%s: %s: no output", b->file, label);
  return LIMN_OK;
}

static int resize_attrs(builder *b, const Onnx__NodeProto *n, ox_node *nd, const char *label);

/* The attributes any operator may read, with their defaults, and what Cast and Pad
 * support. */
static int node_attrs(builder *b, const Onnx__NodeProto *n, ox_node *nd, const char *label) {
  const Onnx__AttributeProto *a;
  ox_op o = nd->op;
  nd->alpha = o == OX_LEAKYRELU ? 0.01f : o == OX_HARDSIGMOID ? 0.2f : 1.0f;
  nd->beta = o == OX_HARDSIGMOID ? 0.5f : 1.0f;
  nd->eps = 1e-5f;
  if ((a = attr(n, "epsilon")) && a->has_f)
    nd->eps = a->f;
  nd->lo = -INFINITY, nd->hi = INFINITY; /* Clip before opset 11: min and max attributes */
  if ((a = attr(n, "min")) && a->has_f)
    nd->lo = a->f;
  if ((a = attr(n, "max")) && a->has_f)
    nd->hi = a->f;
  if ((a = attr(n, "alpha")) && a->has_f)
    nd->alpha = a->f;
  if ((a = attr(n, "beta")) && a->has_f)
    nd->beta = a->f;
  nd->trans_a = (a = attr(n, "transA")) && a->has_i && a->i;
  nd->trans_b = (a = attr(n, "transB")) && a->has_i && a->i;
  nd->axis = o == OX_SOFTMAX || o == OX_LOGSOFTMAX ? (b->g->opset >= 13 ? -1 : 1)
             : o == OX_FLATTEN                     ? 1
             : o == OX_LAYERNORM                   ? -1
                                                   : 0;
  if ((a = attr(n, "axis")) && a->has_i)
    nd->axis = (long)a->i;
  else if (o == OX_CONCAT)
    return limn__err(b->ctx, LIMN_EFORMAT, "%s: %s: Concat needs an axis", b->file, label);
  if (o == OX_CAST) {
    a = attr(n, "to");
    long to = a && a->has_i ? (long)a->i : 0;
    nd->to = to == 1 || to == 11 ? OX_FLOAT : to == 7 || to == 6 || to == 9 ? OX_INT64 : 0;
    nd->boolean = to == 9;
    if (!nd->to)
      return limn__err(b->ctx, LIMN_EUNSUPPORTED, "%s: %s: Cast to element type %ld is not supported",
                       b->file, label, to);
  }
  if (o == OX_PAD) {
    if ((a = attr(n, "mode")) && a->has_s && !(a->s.len == 8 && !memcmp(a->s.data, "constant", 8)))
      return limn__err(b->ctx, LIMN_EUNSUPPORTED, "%s: %s: only constant padding is supported", b->file,
                       label);
    if (b->g->opset < 11)
      return limn__err(b->ctx, LIMN_EUNSUPPORTED,
                       "%s: %s: Pad before opset 11 (pads as an attribute) is not supported", b->file, label);
  }
  return LIMN_OK;
}

/* Conv and the pools: the window (2-D only), and what they do not support. */
static int window_attrs(builder *b, const Onnx__NodeProto *n, ox_node *nd, const char *label) {
  limn_ctx *ctx = b->ctx;
  const Onnx__AttributeProto *a;
  nd->stride[0] = nd->stride[1] = nd->dil[0] = nd->dil[1] = 1;
  if ((a = attr(n, "auto_pad")) && a->has_s && !(a->s.len == 6 && !memcmp(a->s.data, "NOTSET", 6)))
    return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: %s: auto_pad is not supported (give pads)", b->file, label);
  if ((a = attr(n, "ceil_mode")) && a->has_i && a->i)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: %s: ceil_mode is not supported", b->file, label);
  nd->group = 1;
  if ((a = attr(n, "group")) && a->has_i) {
    if (a->i < 1 || a->i > 65536)
      return limn__err(ctx, LIMN_EFORMAT, "%s: %s: bad group %lld", b->file, label, (long long)a->i);
    nd->group = (size_t)a->i;
  }
  if ((a = attr(n, "storage_order")) && a->has_i && a->i)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: %s: column-major storage is not supported", b->file, label);
  if (n->n_output > 1 && n->output[1] && *n->output[1])
    return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: %s: the Indices output is not supported", b->file, label);
  nd->count_pad = (a = attr(n, "count_include_pad")) && a->has_i && a->i;
  struct {
    const char *name;
    size_t *dst, n;
  } lists[] = {{"kernel_shape", nd->kernel, 2},
               {"strides", nd->stride, 2},
               {"dilations", nd->dil, 2},
               {"pads", nd->pad, 4}};
  for (size_t q = 0; q < 4; q++) {
    if (!(a = attr(n, lists[q].name)))
      continue;
    if (a->n_ints != lists[q].n)
      return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: %s: %s needs %zu values (2-D only)", b->file, label,
                       lists[q].name, lists[q].n);
    for (size_t r = 0; r < lists[q].n; r++) {
      long lo = q == 3 ? 0 : 1;
      if (a->ints[r] < lo || a->ints[r] > 4096)
        return limn__err(ctx, LIMN_EFORMAT, "%s: %s: bad %s", b->file, label, lists[q].name);
      lists[q].dst[r] = (size_t)a->ints[r];
    }
    nd->has_kernel |= q == 0;
  }
  return LIMN_OK;
}

/* Which of names[0..n) string attribute `name` is (dflt when absent); -1 when none. */
static int attr_choice(const Onnx__NodeProto *n, const char *name, const char *const *names, int count,
                       int dflt) {
  const Onnx__AttributeProto *a = attr(n, name);
  if (!a || !a->has_s)
    return dflt;
  for (int k = 0; k < count; k++)
    if (a->s.len == strlen(names[k]) && !memcmp(a->s.data, names[k], a->s.len))
      return k;
  return -1;
}

/* Resize: nearest or linear, the coordinate modes torch and TensorFlow export; cubic,
 * crop-and-resize, antialiasing, axes and aspect-ratio policies are refused by name. */
static int resize_attrs(builder *b, const Onnx__NodeProto *n, ox_node *nd, const char *label) {
  static const char *const modes[] = {"nearest", "linear", "cubic"};
  static const char *const coords[] = {"half_pixel",        "pytorch_half_pixel",   "asymmetric",
                                       "align_corners",     "half_pixel_symmetric", "tf_half_pixel_for_nn",
                                       "tf_crop_and_resize"};
  static const char *const nearest[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  const Onnx__AttributeProto *a;
  int m = attr_choice(n, "mode", modes, 3, 0);
  int c = attr_choice(n, "coordinate_transformation_mode", coords, 7, b->g->opset < 11 ? 2 : 0);
  int r = attr_choice(n, "nearest_mode", nearest, 4, b->g->opset < 11 ? 2 : 0);
  const char *no = m < 0    ? "this mode"
                   : m == 2 ? "mode 'cubic'"
                   : c < 0  ? "this coordinate_transformation_mode"
                   : c == 6 ? "coordinate_transformation_mode 'tf_crop_and_resize'"
                   : r < 0  ? "this nearest_mode"
                   : ((a = attr(n, "antialias")) && a->has_i && a->i) ? "antialias"
                   : attr(n, "axes")                                  ? "the axes attribute"
                   : (attr(n, "keep_aspect_ratio_policy") &&
                      attr_choice(n, "keep_aspect_ratio_policy", (const char *const[]){"stretch"}, 1, 0))
                       ? "a keep_aspect_ratio_policy other than 'stretch'"
                       : NULL;
  if (no)
    return limn__err(b->ctx, LIMN_EUNSUPPORTED,
                     "%s: %s: Resize with %s is not supported (nearest and linear, without antialiasing)",
                     b->file, label, no);
  nd->rs_mode = m, nd->rs_coord = c, nd->rs_nearest = r;
  return LIMN_OK;
}

/* Unsqueeze's axes as an attribute (before opset 13). */
static int axes_attr(builder *b, const Onnx__AttributeProto *a, ox_node *nd) {
  nd->naxes = a->n_ints;
  nd->axes = limn__alloc_array(b->ctx, a->n_ints + 1, sizeof(int64_t));
  if (!nd->axes)
    return LIMN_ENOMEM;
  if (a->n_ints)
    memcpy(nd->axes, a->ints, a->n_ints * sizeof(int64_t));
  return LIMN_OK;
}

/* Node `index` of the graph: a folded constant, or an operator with its wires and
 * attributes. Errors name the node. */
static int add_node(builder *b, const Onnx__NodeProto *n, size_t index) {
  ox_graph *g = b->g;
  char label[300];
  snprintf(label, sizeof label, "node %zu '%.200s'", index, n->name && *n->name ? n->name : "(unnamed)");
  const char *op = n->op_type ? n->op_type : "";
  if (n->domain && *n->domain && strcmp(n->domain, "ai.onnx"))
    return limn__err(b->ctx, LIMN_EUNSUPPORTED, "%s: %s: operator '%s' of domain '%s' is not supported",
                     b->file, label, op, n->domain);
  if (!strcmp(op, "Constant"))
    return constant_node(b, n, label);
  ox_op o;
  LIMN_TRY(node_op(b, n, label, &o));
  ox_node *nd = &g->nodes[g->nnodes];
  memset(nd, 0, sizeof *nd);
  nd->op = o;
  nd->bias = -1;
  nd->name = limn__strdup(b->ctx, n->name && *n->name ? n->name : label);
  if (!nd->name)
    return LIMN_ENOMEM;
  g->nnodes++;
  LIMN_TRY(node_wires(b, n, nd, label));
  LIMN_TRY(node_attrs(b, n, nd, label));
  if (o == OX_CONV || o == OX_MAXPOOL || o == OX_AVGPOOL)
    LIMN_TRY(window_attrs(b, n, nd, label));
  const Onnx__AttributeProto *a;
  if ((o == OX_UNSQUEEZE || o == OX_SQUEEZE || o == OX_REDUCEMEAN || o == OX_REDUCESUM) &&
      (a = attr(n, "axes")))
    LIMN_TRY(axes_attr(b, a, nd));
  if ((o == OX_TRANSPOSE && (a = attr(n, "perm"))) || (o == OX_SPLIT && (a = attr(n, "split"))))
    LIMN_TRY(axes_attr(b, a, nd));
  nd->fill_type = OX_FLOAT, nd->fill = 0;
  if (o == OX_CONSTOFSHAPE && (a = attr(n, "value")) && a->t) { /* one float or integer */
    ox_tensor t = {0};
    int rc = tensor_const(b, a->t, &t);
    if (!rc && t.len != 1)
      rc = limn__err(b->ctx, LIMN_EFORMAT, "%s: %s: ConstantOfShape's value must hold one element", b->file,
                     label);
    if (!rc)
      nd->fill_type = t.type, nd->fill = t.type == OX_FLOAT ? (double)t.f[0] : (double)t.i[0];
    limn__ox_free(b->ctx, &t);
    LIMN_TRY(rc);
  }
  nd->keepdims = !((a = attr(n, "keepdims")) && a->has_i && !a->i);
  if (o == OX_RESIZE)
    LIMN_TRY(resize_attrs(b, n, nd, label));
  return LIMN_OK;
}

/* How many live nodes (and the graph's output) read each value. */
static void count_uses(const ox_graph *g, size_t *uses) {
  memset(uses, 0, (g->nvals + 1) * sizeof *uses);
  for (size_t k = 0; k < g->nnodes; k++)
    for (size_t q = 0; !g->nodes[k].skip && q < g->nodes[k].nin; q++)
      if (g->nodes[k].in[q] >= 0)
        uses[g->nodes[k].in[q]]++;
  if (g->output >= 0)
    uses[g->output]++;
}

/* Fold "Add(MatMul(a, W), b)" with a constant row vector b into the MatMul (it starts
 * from b), when the product is used by that Add alone: one pass fewer over the
 * activations. (The sums differ from the unfolded graph's only in adding b first.)
 * Then fold a Relu into the product before it, likewise. */
static int fold(ox_graph *g, size_t *uses) {
  count_uses(g, uses);
  for (size_t k = 0; k < g->nnodes; k++) {
    ox_node *mm = &g->nodes[k];
    if (mm->op != OX_MATMUL || uses[mm->out[0]] != 1 || mm->nin != 2 || mm->in[1] < 0)
      continue;
    const ox_tensor *w = &g->consts[mm->in[1]];
    for (size_t j = k + 1; j < g->nnodes; j++) {
      ox_node *ad = &g->nodes[j];
      int pos = ad->nin == 2 && ad->in[0] == mm->out[0]   ? 1
                : ad->nin == 2 && ad->in[1] == mm->out[0] ? 0
                                                          : -1;
      if (pos < 0)
        continue;
      int c = ad->in[pos];
      const ox_tensor *b = c >= 0 ? &g->consts[c] : NULL;
      if (ad->op == OX_ADD && b && b->type == OX_FLOAT && w->type == OX_FLOAT && w->rank == 2 &&
          b->len == w->dim[1] && (b->rank == 1 || (b->rank == 2 && b->dim[0] == 1))) {
        mm->bias = c;
        mm->out[0] = ad->out[0];
        ad->skip = 1;
      }
      break;
    }
  }
  /* then a Relu right after a product (with or without its bias) whose output it
   * alone uses */
  count_uses(g, uses);
  for (size_t k = 0; k < g->nnodes; k++) {
    ox_node *mm = &g->nodes[k];
    if ((mm->op != OX_MATMUL && mm->op != OX_GEMM) || mm->skip || uses[mm->out[0]] != 1)
      continue;
    for (size_t j = k + 1; j < g->nnodes; j++) {
      ox_node *r = &g->nodes[j];
      if (r->skip || r->nin < 1 || r->in[0] != mm->out[0])
        continue;
      if (r->op == OX_RELU && r->nout == 1) {
        mm->relu = 1;
        mm->out[0] = r->out[0];
        r->skip = 1;
      }
      break;
    }
  }
  return LIMN_OK;
}

static int fold_on = 1; /* limn__onnx_fold: the folds that keep the bits, at load (tests: off) */

void limn__onnx_fold(int on) { fold_on = on; }

/* The live node after `from` that reads v (the first; uses[v] says how many there are). */
static ox_node *reader(ox_graph *g, int v, size_t from) {
  for (size_t j = from + 1; j < g->nnodes; j++)
    for (size_t q = 0; !g->nodes[j].skip && q < g->nodes[j].nin; q++)
      if (g->nodes[j].in[q] == v)
        return &g->nodes[j];
  return NULL;
}

/* The live node before `to` that makes v, or NULL. */
static ox_node *maker(ox_graph *g, int v, size_t to) {
  for (size_t j = to; j-- > 0;)
    for (size_t q = 0; !g->nodes[j].skip && q < g->nodes[j].nout; q++)
      if (g->nodes[j].out[q] == v)
        return &g->nodes[j];
  return NULL;
}

/* Whether v is a constant float scalar. */
static int scalar_const(const ox_graph *g, int v) {
  return v >= 0 && g->consts[v].type == OX_FLOAT && g->consts[v].len == 1;
}

/* A binary node nd reading v and a constant float scalar: the scalar's id (its position
 * in *pos), else -1. */
static int with_scalar(const ox_graph *g, const ox_node *nd, int v, int *pos) {
  if (nd->nin != 2 || nd->nout != 1 || nd->out[0] < 0)
    return -1;
  for (int q = 0; q < 2; q++)
    if (nd->in[q] == v && scalar_const(g, nd->in[1 - q])) {
      *pos = 1 - q;
      return nd->in[1 - q];
    }
  return -1;
}

/* A hidden output (ox_node hidden) of node nd at out[at], named after its first output. */
static int hidden_value(builder *b, ox_node *nd, size_t at, const char *what) {
  char name[300];
  int id;
  const char *base = b->g->names[nd->out[0]] ? b->g->names[nd->out[0]] : "";
  for (int t = 0;; t++) { /* a name no value has */
    snprintf(name, sizeof name, "%.240s (%s%s%.0d)", base, what, t ? " " : "", t);
    if (limn__strmap_get(&b->ids, name) == (size_t)-1)
      break;
  }
  LIMN_TRY(new_value(b, name, &id));
  for (size_t q = nd->nout; q < at; q++)
    nd->out[q] = -1;
  nd->out[at] = id, nd->hidden = (int)at, nd->nout = at + 1;
  return LIMN_OK;
}

/* Fold GELU as torch exports it, Mul(Mul(x, Add(Erf(Div(x, c1)), c2)), c3) with scalar
 * constants and each step's output read by the next alone, into one OX_GELU node in the
 * last Mul's place: one pass over the activations forward and one back instead of five
 * each. It computes the same operations in the same order (the bits of the unfolded
 * nodes), and keeps erf(x / c1) + c2 (a hidden output) for its backward pass. */
static int fold_gelu(builder *b, size_t *uses) {
  ox_graph *g = b->g;
  count_uses(g, uses);
  for (size_t k = 0; k < g->nnodes; k++) {
    ox_node *dv = &g->nodes[k], *er, *ad, *m1, *m2;
    int pos, x = dv->in[0], c1, c2, c3;
    if (dv->op != OX_DIV || dv->skip || dv->nin != 2 || x < 0 || dv->in[1] < 0 ||
        !scalar_const(g, dv->in[1]) || dv->nout != 1 || uses[dv->out[0]] != 1)
      continue;
    c1 = dv->in[1];
    if (!(er = reader(g, dv->out[0], k)) || er->op != OX_ERF || er->nin != 1 || er->nout != 1 ||
        uses[er->out[0]] != 1)
      continue;
    if (!(ad = reader(g, er->out[0], (size_t)(er - g->nodes))) || ad->op != OX_ADD ||
        (c2 = with_scalar(g, ad, er->out[0], &pos)) < 0 || uses[ad->out[0]] != 1)
      continue;
    if (!(m1 = reader(g, ad->out[0], (size_t)(ad - g->nodes))) || m1->op != OX_MUL || m1->nin != 2 ||
        m1->nout != 1 || uses[m1->out[0]] != 1 ||
        !((m1->in[0] == x && m1->in[1] == ad->out[0]) || (m1->in[1] == x && m1->in[0] == ad->out[0])))
      continue;
    if (!(m2 = reader(g, m1->out[0], (size_t)(m1 - g->nodes))) || m2->op != OX_MUL ||
        (c3 = with_scalar(g, m2, m1->out[0], &pos)) < 0)
      continue;
    LIMN_TRY(hidden_value(b, m2, 1, "erf term"));
    m2->op = OX_GELU, m2->nin = 4, m2->in[0] = x, m2->in[1] = c1, m2->in[2] = c2, m2->in[3] = c3;
    dv->skip = er->skip = ad->skip = m1->skip = 1;
  }
  return LIMN_OK;
}

/* LayerNormalization's backward pass needs each row's mean and inverse deviation, which
 * its forward pass computes: kept in a hidden output after the optional Mean and
 * InvStdDev (out[3]), so that the backward pass reads them instead of two more passes
 * over the row. */
static int fold_layernorm(builder *b) {
  for (size_t k = 0; k < b->g->nnodes; k++) {
    ox_node *nd = &b->g->nodes[k];
    if (nd->op == OX_LAYERNORM && !nd->skip && !nd->hidden && nd->nout <= 3 && nd->out[0] >= 0 &&
        (nd->nout < 2 || nd->out[1] < 0) && (nd->nout < 3 || nd->out[2] < 0))
      LIMN_TRY(hidden_value(b, nd, 3, "row statistics"));
  }
  return LIMN_OK;
}

/* Fold an attention's scale and mask into the Softmax after them: Softmax(Where(cond,
 * Div(s, c), fill)) (or Mul by c; the scores in either place of the Where; either step
 * alone), with scalar constants c and fill and each step's output read by the next
 * alone, into the Softmax (ox_node pre_op, pre_keep): one pass over the scores instead
 * of three, forward and back, with the same operations in the same order. Not for the
 * graph's output, whose input is read as the logits. */
static void fold_softmax(ox_graph *g, size_t *uses) {
  count_uses(g, uses);
  for (size_t k = 0; k < g->nnodes && g->opset >= 13; k++) {
    ox_node *sm = &g->nodes[k], *wh, *sc;
    int v = sm->in[0], cond = -1, fill = -1, keep = 1, scale = -1, op = 0;
    if (sm->op != OX_SOFTMAX || sm->skip || sm->nin != 1 || sm->nout != 1 || v < 0 || sm->out[0] == g->output)
      continue;
    if ((wh = maker(g, v, k)) && wh->op == OX_WHERE && wh->nin == 3 && wh->nout == 1 && uses[v] == 1 &&
        wh->in[0] >= 0 && wh->in[1] >= 0 && wh->in[2] >= 0 &&
        scalar_const(g, wh->in[2]) != scalar_const(g, wh->in[1])) {
      keep = scalar_const(g, wh->in[2]);
      cond = wh->in[0], fill = wh->in[keep ? 2 : 1], v = wh->in[keep ? 1 : 2];
    } else {
      wh = NULL;
    }
    int q = -1; /* the scores' place in their scale: Div(s, c), Mul(s, c) or Mul(c, s) */
    if ((sc = maker(g, v, k)) && (sc->op == OX_DIV || sc->op == OX_MUL) && uses[v] == 1 && sc->nin == 2 &&
        sc->nout == 1)
      q = scalar_const(g, sc->in[1]) ? 0 : sc->op == OX_MUL && scalar_const(g, sc->in[0]) ? 1 : -1;
    if (q >= 0 && sc->in[q] >= 0)
      op = sc->op, scale = sc->in[1 - q], v = sc->in[q];
    else
      sc = NULL;
    if (!wh && !sc)
      continue;
    sm->in[0] = v, sm->in[1] = scale, sm->in[2] = cond, sm->in[3] = fill, sm->nin = 4;
    sm->pre = 1, sm->pre_op = op, sm->pre_keep = keep;
    if (wh)
      wh->skip = 1;
    if (sc)
      sc->skip = 1;
  }
}

/* A Transpose of perm (0, 2, 1, 3) (an attention's heads and tokens swapped): 1; of perm
 * (0, 2, 3, 1) (the keys' heads first and their tokens last): 2; else 0. */
static int swaps_heads(const ox_node *nd) {
  if (!nd || nd->op != OX_TRANSPOSE || nd->skip || nd->rows || nd->nin != 1 || nd->nout != 1 ||
      nd->naxes != 4 || nd->axes[0] != 0 || nd->axes[1] != 2)
    return 0;
  return nd->axes[2] == 1 && nd->axes[3] == 3 ? 1 : nd->axes[2] == 3 && nd->axes[3] == 1 ? 2 : 0;
}

/* Fold into a product of two activations the Transposes of perm (0, 2, 1, 3) that make
 * its operands or take its output, and the one of perm (0, 2, 3, 1) that makes its second
 * (the keys, transposed), read by it alone (ox_node tview): the product reads (writes) the
 * heads' rows in place, a row of the other layout `heads` rows apart (the keys' product
 * transposes a head's keys into a small scratch forward, and needs no transpose back),
 * and a pass over each value is saved forward and back. The products' sums are the same, and
 * their gradients are added as the Transposes would add them: the same bits. In the
 * rows graph (after plan_rows), only where the product's rows are whole, but for its
 * second operand, which it always reads whole. */
static void fold_transposes(ox_graph *g, size_t *uses) {
  count_uses(g, uses);
  for (size_t k = 0; k < g->nnodes; k++) {
    ox_node *mm = &g->nodes[k], *tr;
    if (mm->op != OX_MATMUL || mm->skip || mm->nin != 2 || mm->nout != 1 || mm->in[0] < 0 || mm->in[1] < 0 ||
        g->consts[mm->in[0]].type || g->consts[mm->in[1]].type || mm->bias >= 0 || mm->relu)
      continue;
    long at[2] = {-1, -1};        /* the folded Transposes' places */
    for (int i = 0; i < 2; i++) { /* perm (0, 2, 3, 1): the second operand only (the keys) */
      int sw = uses[mm->in[i]] == 1 ? swaps_heads(tr = maker(g, mm->in[i], k)) : 0;
      if ((i == 1 || !mm->rows) && (sw == 1 || (sw == 2 && i == 1))) {
        mm->in[i] = tr->in[0], mm->tview[i] = (unsigned char)sw;
        tr->skip = 1, at[i] = tr - g->nodes;
      }
    }
    mm->tview_b_first = mm->in[0] == mm->in[1] && at[1] > at[0];
    if (!mm->rows && uses[mm->out[0]] == 1 && swaps_heads(tr = reader(g, mm->out[0], k)) == 1) {
      mm->out[0] = tr->out[0], mm->tview[2] = 1, mm->scan |= tr->scan;
      tr->skip = 1;
    }
  }
}

/* The transposes of MatMul's constant matrices (ox_node bt), for text models: their
 * backward passes multiply sequences (N, T, K) by them many times (IG); other models'
 * products keep their weights once. */
static int transpose_weights(limn_ctx *ctx, ox_graph *g) {
  for (size_t q = 0; q < g->nnodes; q++) {
    ox_node *nd = &g->nodes[q];
    const ox_tensor *w =
        nd->op == OX_MATMUL && !nd->skip && nd->nin == 2 && nd->in[1] >= 0 ? &g->consts[nd->in[1]] : NULL;
    if (!w || w->type != OX_FLOAT || w->rank != 2)
      continue;
    size_t K = w->dim[0], N = w->dim[1];
    if (!nd->bt && !(nd->bt = limn__alloc_array(ctx, w->len ? w->len : 1, sizeof(float))))
      return LIMN_ENOMEM;
    limn__ox_transpose(w->f, K, N, N, nd->bt);
  }
  return LIMN_OK;
}

/* The default domain's opset the model imports (-1 when none). */
static long read_opset(const Onnx__ModelProto *mp) {
  long opset = -1;
  for (size_t k = 0; k < mp->n_opset_import; k++) {
    const Onnx__OperatorSetIdProto *os = mp->opset_import[k];
    if (os && (!os->domain || !*os->domain || !strcmp(os->domain, "ai.onnx")) && os->has_version)
      opset = (long)os->version;
  }
  return opset;
}

/* The weights: every initializer as a named constant. */
static int add_initializers(builder *b, const Onnx__GraphProto *gp) {
  for (size_t k = 0; k < gp->n_initializer; k++) {
    int id;
    const char *nm = gp->initializer[k]->name;
    if (!nm || !*nm)
      return limn__err(b->ctx, LIMN_EFORMAT, "%s: initializer %zu has no name", b->file, k);
    LIMN_TRY(new_value(b, nm, &id));
    LIMN_TRY(tensor_const(b, gp->initializer[k], &b->g->consts[id]));
  }
  return LIMN_OK;
}

/* The graph's input: its first declared input that is not a weight. */
static int find_input(builder *b, const Onnx__GraphProto *gp) {
  for (size_t k = 0; k < gp->n_input && b->g->input < 0; k++) {
    const char *nm = gp->input[k]->name;
    if (nm && limn__strmap_get(&b->ids, nm) == (size_t)-1)
      LIMN_TRY(new_value(b, nm, &b->g->input));
  }
  if (b->g->input < 0)
    return limn__err(b->ctx, LIMN_EFORMAT, "%s: the graph has no input besides its weights", b->file);
  return LIMN_OK;
}

/* The graph's output: its first declared output, which a node must compute. */
static int find_output(builder *b, const Onnx__GraphProto *gp) {
  if (gp->n_output < 1 || !gp->output[0]->name)
    return limn__err(b->ctx, LIMN_EFORMAT, "%s: the graph has no output", b->file);
  size_t id = limn__strmap_get(&b->ids, gp->output[0]->name);
  b->g->output = (int)id;
  if (id == (size_t)-1)
    return limn__err(b->ctx, LIMN_EFORMAT, "%s: the graph's output '%s' is never computed", b->file,
                     gp->output[0]->name);
  return LIMN_OK;
}

/* Which values depend on the input (g->dep). */
/* dep[v]: value v depends on `root` (the input, or a text model's embeddings). */
static int mark_dependence(limn_ctx *ctx, ox_graph *g, int root) {
  if (!g->dep && !(g->dep = limn__calloc(ctx, g->nvals, 1)))
    return LIMN_ENOMEM;
  memset(g->dep, 0, g->nvals);
  g->dep[root] = 1;
  for (size_t k = 0; k < g->nnodes; k++) {
    const ox_node *nd = &g->nodes[k];
    if (nd->skip)
      continue;
    int d = 0;
    for (size_t q = 0; q < nd->nin; q++)
      d |= nd->in[q] >= 0 && g->dep[nd->in[q]];
    for (size_t q = 0; q < nd->nout; q++)
      if (nd->out[q] >= 0 && nd->out[q] != root)
        g->dep[nd->out[q]] = (unsigned char)d;
  }
  return LIMN_OK;
}

/* Whether a NaN at any input of nd surely leaves a NaN in its output: it keeps every
 * value (Transpose, Reshape, Concat, ...), or every output it feeds is a sum, product or
 * quotient with it (Add, MatMul, Softmax's row, LayerNorm's row, ...). Not so for Relu,
 * Max, Where, Slice, Gather, comparisons, strided windows, Pow (NaN^0 = 1), a product
 * with its Relu folded in, and anything not listed. */
static int nan_propagates(const ox_node *nd) {
  switch (nd->op) {
  case OX_MATMUL:
    return !nd->relu;
  case OX_SOFTMAX: /* a folded mask hides the scores it masks */
    return !nd->pre || nd->in[2] < 0;
  case OX_GELU:
  case OX_ADD:
  case OX_SUB:
  case OX_MUL:
  case OX_DIV:
  case OX_LOGSOFTMAX:
  case OX_LAYERNORM:
  case OX_ERF:
  case OX_TANH:
  case OX_SQRT:
  case OX_TRANSPOSE:
  case OX_RESHAPE:
  case OX_FLATTEN:
  case OX_IDENTITY:
  case OX_DROPOUT:
  case OX_UNSQUEEZE:
  case OX_SQUEEZE:
  case OX_CONCAT:
    return 1;
  default:
    return 0;
  }
}

/* Whether op cannot make a NaN of NaN-free inputs: it moves or selects values, or maps
 * them as Relu, MaxPool, Tanh, Erf and Clip do. */
static int keeps_nan_free(ox_op op) {
  switch (op) {
  case OX_RELU:
  case OX_TANH:
  case OX_ERF:
  case OX_CLIP:
  case OX_MAXPOOL:
  case OX_FLATTEN:
  case OX_RESHAPE:
  case OX_IDENTITY:
  case OX_DROPOUT:
  case OX_CAST:
  case OX_SHAPE:
  case OX_GATHER:
  case OX_UNSQUEEZE:
  case OX_SQUEEZE:
  case OX_CONCAT:
  case OX_TRANSPOSE:
  case OX_SLICE:
  case OX_SPLIT:
  case OX_EXPAND:
  case OX_EQUAL:
  case OX_NOT:
  case OX_WHERE:
    return 1;
  default:
    return 0;
  }
}

/* Which nodes' outputs run_forward scans for NaN as soon as they are made: those read
 * by a node that could hide a NaN (nan_propagates false), and the graph's output,
 * unless the node cannot make a NaN (keeps_nan_free) of inputs that are verified:
 * constants without NaN, scanned values, or values made so in turn. Any other NaN
 * reaches a scanned value, and run_forward then looks back for the node that made it.
 * When a constant holds a NaN (`all` false) every node is scanned. `buf`: 2 nvals
 * bytes. */
static void mark_scans(ox_graph *g, int all, unsigned char *buf) {
  unsigned char *need = buf, *ok = buf + g->nvals;
  memset(buf, 0, 2 * g->nvals);
  for (size_t k = 0; k < g->nnodes; k++)
    for (size_t q = 0; !g->nodes[k].skip && !nan_propagates(&g->nodes[k]) && q < g->nodes[k].nin; q++)
      if (g->nodes[k].in[q] >= 0)
        need[g->nodes[k].in[q]] = 1;
  if (g->output >= 0)
    need[g->output] = 1;
  for (size_t v = 0; v < g->nvals; v++) /* verified: the constants without NaN */
    ok[v] = g->consts[v].type != OX_NONE && all;
  for (size_t k = 0; k < g->nnodes; k++) {
    ox_node *nd = &g->nodes[k];
    if (nd->skip) /* folded into another node, which writes its output */
      continue;
    int safe = keeps_nan_free(nd->op) && all, wanted = !all;
    for (size_t q = 0; q < nd->nout; q++)
      wanted |= nd->out[q] >= 0 && need[nd->out[q]];
    for (size_t q = 0; safe && q < nd->nin; q++)
      safe &= nd->in[q] < 0 || ok[nd->in[q]];
    nd->scan = wanted && !safe;
    for (size_t q = 0; q < nd->nout; q++)
      if (nd->out[q] >= 0)
        ok[nd->out[q]] = (unsigned char)(safe || nd->scan);
  }
}

/* Nodes whose outputs need no NaN check (see run_forward): an operation that cannot make a
 * NaN of NaN-free inputs (it moves or selects values, or maps them as Relu, MaxPool, Tanh,
 * Erf and Clip do) whose every input is NaN-free already: made by an earlier node (checked,
 * or NaN-free in turn) or a constant without NaN. The graph's input is not counted as
 * NaN-free (the rows are checked by the callers that take them from users, not here). */
static int mark_nan_free(limn_ctx *ctx, ox_graph *g) {
  unsigned char *clean = limn__calloc(ctx, 2 * g->nvals + 1, 1);
  if (!clean)
    return LIMN_ENOMEM;
  int all = 1; /* no constant holds a NaN: else every node is checked, as values a text
                  model's explainers feed in place of a node's (its embeddings) come from them */
  for (size_t v = 0; v < g->nvals; v++) {
    const ox_tensor *c = &g->consts[v];
    clean[v] = c->type != OX_NONE;
    for (size_t i = 0; c->type == OX_FLOAT && i < c->len; i++)
      clean[v] &= !isnan(c->f[i]);
    all &= c->type == OX_NONE || clean[v];
  }
  for (size_t k = 0; k < g->nnodes; k++) {
    ox_node *nd = &g->nodes[k];
    nd->nan_free = keeps_nan_free(nd->op);
    nd->nan_free &= all;
    for (size_t q = 0; q < nd->nin; q++)
      nd->nan_free &= nd->in[q] < 0 || clean[nd->in[q]];
    for (size_t q = 0; q < nd->nout; q++)
      if (nd->out[q] >= 0)
        clean[nd->out[q]] = 1; /* checked, or NaN-free by the rule */
  }
  mark_scans(g, all, clean);
  limn__free(ctx, clean);
  return LIMN_OK;
}

/* The graph of mp: its values (weights, the input, every node's outputs), its
 * nodes in order with their attributes, folds, and what depends on the input. */
static int build_graph(limn_ctx *ctx, const Onnx__ModelProto *mp, const char *file, ox_graph *g) {
  const Onnx__GraphProto *gp = mp->graph;
  builder b = {ctx, file, g, {0}, 0};
  int rc;
  memset(g, 0, sizeof *g);
  g->input = g->output = -1;
  LIMN_FAIL_IF(!gp, ctx, LIMN_EFORMAT, "%s: the model holds no graph", file);
  g->opset = read_opset(mp);
  LIMN_FAIL_IF(g->opset < 9 || g->opset > 17, ctx, LIMN_EUNSUPPORTED,
               "%s: ONNX opset %ld is not supported (9 to 17 are)", file, g->opset);
  LIMN_FAIL_IF(gp->n_node > OX_MAX_NODES, ctx, LIMN_EFORMAT, "%s: %zu nodes (at most %d)", file, gp->n_node,
               OX_MAX_NODES);
  LIMN_CHECK(limn__strmap_init(ctx, &b.ids, 2 * (gp->n_node + gp->n_initializer + gp->n_input) + 16));
  g->nodes = limn__alloc_array(ctx, gp->n_node + 1, sizeof *g->nodes);
  if (!g->nodes) {
    rc = LIMN_ENOMEM;
    goto fail;
  }
  LIMN_CHECK(add_initializers(&b, gp));
  LIMN_CHECK(find_input(&b, gp));
  for (size_t k = 0; k < gp->n_node; k++) {
    LIMN_FAIL_IF(!gp->node[k], ctx, LIMN_EFORMAT, "%s: node %zu is empty", file, k);
    LIMN_CHECK(add_node(&b, gp->node[k], k));
  }
  LIMN_CHECK(find_output(&b, gp));
  {
    /* room for the values fold_gelu adds: one a node at most */
    size_t *uses = limn__calloc(ctx, g->nvals + g->nnodes + 1, sizeof *uses);
    if (!uses) {
      rc = LIMN_ENOMEM;
      goto fail;
    }
    rc = fold(g, uses);
    if (!rc && fold_on)
      rc = fold_gelu(&b, uses);
    if (!rc && fold_on)
      fold_softmax(g, uses);
    if (!rc && fold_on)
      rc = fold_layernorm(&b);
    limn__free(ctx, uses);
    if (rc)
      goto fail;
  }
  LIMN_CHECK(mark_dependence(ctx, g, g->input));
  LIMN_CHECK(mark_nan_free(ctx, g));
fail:
  limn__strmap_free(ctx, &b.ids);
  return rc;
}

/* ---- running ---- */

static void run_free(limn_ctx *ctx, run_state *s) {
  for (size_t v = 0; s->vals && v < s->nvals; v++)
    limn__ox_free(ctx, &s->vals[v]);
  for (size_t v = 0; s->grads && v < s->nvals; v++)
    limn__ox_free(ctx, &s->grads[v]);
  limn__free(ctx, s->vals), limn__free(ctx, s->grads);
  memset(s, 0, sizeof *s);
}

/* Buffers of one context can go to another only when they share the allocator. */
static int same_alloc(const limn_ctx *a, const limn_ctx *b) {
  return a && b && a->alloc.malloc_fn == b->alloc.malloc_fn && a->alloc.realloc_fn == b->alloc.realloc_fn &&
         a->alloc.free_fn == b->alloc.free_fn && a->alloc.ud == b->alloc.ud;
}

static size_t state_bytes(const run_state *s) {
  size_t b = 0;
  for (size_t v = 0; v < s->nvals; v++) {
    b += s->vals ? s->vals[v].cap_f * sizeof(float) + s->vals[v].cap_i * sizeof(int64_t) : 0;
    b += s->grads ? s->grads[v].cap_f * sizeof(float) + s->grads[v].cap_i * sizeof(int64_t) : 0;
  }
  return b;
}

/* A cached state (its buffers already touched), or an empty one. */
static run_state cache_take(const limn_ctx *ctx, const ox_model *om) {
  run_state s = {0};
  ox_model *mo = (ox_model *)om; /* the cache is not part of the model's value */
  if (!mo->lock_ok || !same_alloc(ctx, mo->owner))
    return s;
  pthread_mutex_lock(&mo->lock);
  if (mo->ncache)
    s = mo->cache[--mo->ncache];
  pthread_mutex_unlock(&mo->lock);
  return s;
}

/* Back into the cache when there is room and it is not too large; else freed. */
static void cache_give(limn_ctx *ctx, const ox_model *om, run_state *s) {
  ox_model *mo = (ox_model *)om;
  if (s->vals && mo->lock_ok && same_alloc(ctx, mo->owner) && state_bytes(s) <= OX_CACHE_BYTES) {
    pthread_mutex_lock(&mo->lock);
    if (mo->ncache < OX_CACHE) {
      mo->cache[mo->ncache++] = *s;
      memset(s, 0, sizeof *s);
    }
    pthread_mutex_unlock(&mo->lock);
  }
  run_free(ctx, s);
}

static void cache_free(ox_model *om) {
  for (size_t q = 0; q < om->ncache; q++)
    run_free(om->owner, &om->cache[q]);
  om->ncache = 0;
  if (om->lock_ok)
    pthread_mutex_destroy(&om->lock);
  om->lock_ok = 0;
}

/* Forward pass over n rows of x (n, d); s keeps its buffers from an earlier pass. */
/* A NaN in a node's output is an error naming the node and the row: a later Relu or
 * Max would turn it into 0 and the output into a plausible-looking constant (rows of
 * 3e38 overflow a Gemm to inf - inf). Infinities pass: -inf is how masks are written. */
/* Whether f[0..n) holds a NaN: branch-free, so that it vectorises. */
LIMN_CLONES_WIDE static int any_nan(const float *f, size_t n) {
  int any = 0;
  for (size_t i = 0; i < n; i++)
    any |= f[i] != f[i];
  return any;
}

static int check_nan(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, size_t n) {
  for (size_t o = 0; o + (size_t)nd->hidden < nd->nout; o++) { /* hidden outputs: saved terms */
    if (nd->out[o] < 0 || vals[nd->out[o]].type != OX_FLOAT)
      continue;
    const ox_tensor *t = &vals[nd->out[o]];
    int any = any_nan(t->f, t->len); /* the place only when there is one */
    for (size_t i = 0; any && i < t->len; i++)
      if (isnan(t->f[i])) {
        size_t per = t->rank >= 1 && t->dim[0] == n && n ? t->len / n : 0;
        char lb[300];
        limn__ox_label(nd, lb, sizeof lb);
        if (per)
          return limn__err(
              ctx, LIMN_ENONFINITE,
              "row %zu: %s gives NaN (inputs far beyond the training data, or a division by zero in "
              "the graph); the model has no meaningful output there",
              i / per, lb);
        return limn__err(ctx, LIMN_ENONFINITE, "%s gives NaN", lb);
      }
  }
  return LIMN_OK;
}

/* Values a pass's state holds: the graph's, and those the rows graph adds. */
static size_t state_vals(const ox_model *om) { return om->rg.nodes ? om->rg.nvals : om->g.nvals; }

static int run_nodes(limn_ctx *ctx, const ox_graph *g, size_t cut_node, size_t n, run_state *s,
                     const ox_feed *feed);
static void rows_graph_free(limn_ctx *ctx, ox_graph *rg);

/* A forward pass over n rows (x, or the feed's ids). With rows set, through the rows
 * graph when there is one (only the graph's output is then whole); *used: the graph that
 * ran (the rows graph, or the whole one when the rows graph met shapes its plan does not
 * fit: OX_RETRY). */
static int run_forward_on(limn_ctx *ctx, const ox_model *om, const float *x, size_t n, run_state *s,
                          const ox_feed *feed, int rows, const ox_graph **used) {
  const ox_graph *g = &om->g;
  *used = g;
  if (!s->vals) {
    s->nvals = state_vals(om);
    s->vals = limn__calloc(ctx, s->nvals, sizeof *s->vals);
    if (!s->vals)
      return LIMN_ENOMEM;
  }
  for (size_t v = 0; v < g->nvals; v++)
    if (g->consts[v].type) {
      s->vals[v] = g->consts[v];
      s->vals[v].borrowed = 1;
    }
  ox_tensor *in = &s->vals[g->input];
  memset(in, 0, sizeof *in);
  in->borrowed = 1;
  in->dim[0] = n;
  if (feed) { /* token ids (read only) */
    in->type = OX_INT64, in->rank = 2, in->dim[1] = feed->T, in->len = n * feed->T;
    in->i = (int64_t *)(uintptr_t)feed->ids;
  } else {
    in->type = OX_FLOAT, in->rank = om->in_rank, in->len = n * om->w;
    for (size_t r = 1; r < om->in_rank; r++)
      in->dim[r] = om->in_dim[r];
    in->f = (float *)(uintptr_t)x; /* read only */
  }
  if (feed && feed->emb) { /* the lookup's output given */
    ox_tensor *e = &s->vals[om->cut];
    limn__ox_free(ctx, e);
    e->type = OX_FLOAT, e->rank = 3, e->dim[0] = n, e->dim[1] = feed->T, e->dim[2] = om->E;
    e->len = n * feed->T * om->E;
    e->f = (float *)(uintptr_t)feed->emb;
    e->borrowed = 1;
  }
  if (rows && om->rg.nodes && s->nvals == om->rg.nvals) {
    int rc = run_nodes(ctx, &om->rg, om->rg_cut_node, n, s, feed);
    if (rc != OX_RETRY) {
      *used = &om->rg;
      return rc;
    }
  }
  return run_nodes(ctx, g, om->cut_node, n, s, feed);
}

static int run_forward(limn_ctx *ctx, const ox_model *om, const float *x, size_t n, run_state *s,
                       const ox_feed *feed) {
  const ox_graph *used;
  return run_forward_on(ctx, om, x, n, s, feed, 0, &used);
}

static int run_nodes(limn_ctx *ctx, const ox_graph *g, size_t cut_node, size_t n, run_state *s,
                     const ox_feed *feed) {
  for (size_t k = 0; k < g->nnodes; k++)
    if (!g->nodes[k].skip && !(feed && feed->emb && k == cut_node)) {
      LIMN_TRY(limn__ox_forward(ctx, g, &g->nodes[k], s->vals));
      if (g->nodes[k].scan && check_nan(ctx, &g->nodes[k], s->vals, n)) {
        /* a NaN: named where it was made, the first node in order (of those that can make
         * one) whose output holds it, as though every such node had been scanned */
        for (size_t j = 0; j < k; j++)
          if (!g->nodes[j].skip && !g->nodes[j].nan_free && !(feed && feed->emb && j == cut_node))
            LIMN_TRY(check_nan(ctx, &g->nodes[j], s->vals, n));
        return check_nan(ctx, &g->nodes[k], s->vals, n);
      }
    }
  return LIMN_OK;
}

/* The output tensor's check: (n, k) floats. */
static int check_out(limn_ctx *ctx, const ox_model *om, const ox_tensor *t, size_t n, const char *what) {
  if (t->type != OX_FLOAT || t->len != n * om->k || (t->rank >= 1 && t->dim[0] != n))
    return limn__err(ctx, LIMN_ESHAPE, "the graph's %s has %zu values for %zu rows, expected %zu per row",
                     what, t->len, n, om->k);
  return LIMN_OK;
}

/* The outputs in the asked space from a forward pass's values. */
static int head_out(limn_ctx *ctx, const ox_model *om, const ox_tensor *vals, size_t n, limn_space sp,
                    float *out) {
  const ox_tensor *y = &vals[om->g.output];
  size_t k = om->k;
  LIMN_TRY(check_out(ctx, om, y, n, "output"));
  if (om->head == HEAD_SOFTMAX && sp == LIMN_SPACE_LOGIT) {
    const ox_tensor *z = &vals[om->logit];
    LIMN_TRY(check_out(ctx, om, z, n, "logits"));
    memcpy(out, z->f, n * k * sizeof(float));
  } else if (om->head == HEAD_LOGITS && sp == LIMN_SPACE_OUTPUT) {
    for (size_t i = 0; i < n; i++)
      limn__softmax(y->f + i * k, k, out + i * k);
  } else if (om->head == HEAD_PROBS && sp == LIMN_SPACE_LOGIT) {
    for (size_t q = 0; q < n * k; q++)
      out[q] = (float)log(fmax((double)y->f[q], 1e-30));
  } else {
    memcpy(out, y->f, n * k * sizeof(float));
  }
  return LIMN_OK;
}

static int ox_forward_chunk(limn_ctx *ctx, const ox_model *om, run_state *st, const float *x, size_t n,
                            limn_space sp, float *out, const ox_feed *feed) {
  run_state s = *st;
  const ox_graph *used;
  int rc = run_forward_on(ctx, om, x, n, &s, feed, 1, &used);
  *st = s;
  return rc ? rc : head_out(ctx, om, s.vals, n, sp, out);
}

/* grad (n, w) = w^T d(outputs in space sp) / d input; the outputs too when out is set.
 * With stop >= 0 the backward pass ends once value stop's gradient is whole (at the node
 * that makes it: every reader of a value comes after its maker) and grad is not written. */
static int ox_vjp_chunk(limn_ctx *ctx, const ox_model *om, run_state *st, const float *x, size_t n,
                        const float *w, limn_space sp, float *grad, float *out, const ox_feed *feed,
                        int stop) {
  const ox_graph *g;
  run_state s = *st;
  int rc = run_forward_on(ctx, om, x, n, &s, feed, stop < 0, &g); /* stop: a value of the whole graph */
  *st = s;
  if (!rc && out)
    rc = head_out(ctx, om, s.vals, n, sp, out);
  size_t k = om->k;
  if (!rc)
    rc = check_out(ctx, om, &s.vals[g->output], n, "output");
  if (!rc && !s.grads) {
    s.grads = limn__calloc(ctx, s.nvals, sizeof *s.grads);
    if (!s.grads)
      rc = LIMN_ENOMEM;
    st->grads = s.grads;
  }
  for (size_t v = 0; !rc && v < s.nvals; v++)
    s.grads[v].type = OX_NONE; /* buffers kept, values to be zeroed when first touched */
  /* the seed: w on the chosen space, carried to a value of the graph */
  int seed = g->output;
  if (!rc && om->head == HEAD_SOFTMAX && sp == LIMN_SPACE_LOGIT)
    seed = om->logit;
  if (!rc)
    rc = limn__ox_alloc(ctx, &s.grads[seed], OX_FLOAT, s.vals[seed].rank, s.vals[seed].dim);
  if (!rc) {
    const float *y = s.vals[seed].f;
    float *gs = s.grads[seed].f;
    for (size_t i = 0; i < n; i++)
      for (size_t c = 0; c < k; c++) {
        size_t q = i * k + c;
        if (om->head == HEAD_LOGITS && sp == LIMN_SPACE_OUTPUT) { /* through our softmax of the logits */
          double mx = -INFINITY, t = 0, dot = 0;
          for (size_t e = 0; e < k; e++)
            mx = fmax(mx, y[i * k + e]);
          for (size_t e = 0; e < k; e++)
            t += exp((double)y[i * k + e] - mx);
          for (size_t e = 0; e < k; e++)
            dot += (double)w[i * k + e] * exp((double)y[i * k + e] - mx) / t;
          gs[q] = (float)(exp((double)y[q] - mx) / t * ((double)w[q] - dot));
        } else if (om->head == HEAD_PROBS && sp == LIMN_SPACE_LOGIT) { /* d log p = dp / p */
          gs[q] = (float)((double)w[q] / fmax((double)y[q], 1e-30));
        } else {
          gs[q] = w[q];
        }
      }
  }
  for (size_t q = g->nnodes; q-- > 0 && !rc;) {
    const ox_node *nd = &g->nodes[q];
    int makes = 0;
    for (size_t j = 0; stop >= 0 && j < nd->nout; j++)
      makes |= nd->out[j] == stop;
    if (makes)
      return LIMN_OK;
    if (!nd->skip)
      rc = limn__ox_backward(ctx, g, nd, s.vals, s.grads);
  }
  if (!rc && grad) {
    int src = feed && feed->emb ? om->cut : g->input;
    size_t width = feed && feed->emb ? feed->T * om->E : om->w;
    const ox_tensor *gi = &s.grads[src];
    if (gi->type == OX_NONE)
      memset(grad, 0, n * width * sizeof(float)); /* the output does not depend on the input */
    else
      memcpy(grad, gi->f, n * width * sizeof(float));
  }
  return rc;
}

/* Raw rows (category codes) into the graph's input: numeric columns as they are,
 * categorical ones one-hot in the data's category order. */
static void ox_to_slots(const limn_model *m, const float *x, size_t n, float *h) {
  const ox_model *om = m->impl;
  if (om->w == om->d) {
    memcpy(h, x, n * om->d * sizeof *h);
    return;
  }
  memset(h, 0, n * om->w * sizeof *h);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < om->d; j++) {
      float v = x[i * om->d + j];
      if (!om->ncat[j])
        h[i * om->w + om->slot_of[j]] = v;
      else if (v >= 0 && (size_t)v < om->ncat[j])
        h[i * om->w + om->slot_of[j] + (size_t)v] = 1.0f;
    }
}

/* The graph on rows h (n, w) of its own input: the outputs (out), or with weights wt the
 * gradient (grad) and, when out is set too, the outputs of the same pass. */
static int run_slots(limn_ctx *ctx, const ox_model *om, const float *h, size_t n, limn_space sp, float *out,
                     const float *wt, float *grad) {
  run_state s = cache_take(ctx, om);
  int rc = LIMN_OK;
  for (size_t r = 0; r < n && !rc; r += OX_CHUNK) {
    size_t c = n - r < OX_CHUNK ? n - r : OX_CHUNK;
    rc = wt ? ox_vjp_chunk(ctx, om, &s, h + r * om->w, c, wt + r * om->k, sp, grad + r * om->w,
                           out ? out + r * om->k : NULL, NULL, -1)
            : ox_forward_chunk(ctx, om, &s, h + r * om->w, c, sp, out + r * om->k, NULL);
  }
  if (rc)
    run_free(ctx, &s);
  else
    cache_give(ctx, om, &s);
  return rc;
}

/* Raw rows: through the slots when the columns are not all numeric. */
static int run_raw(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp, float *out,
                   const float *wt, float *grad) {
  const ox_model *om = m->impl;
  if (om->w == om->d)
    return run_slots(ctx, om, x, n, sp, out, wt, grad);
  float *h = limn__alloc_array(ctx, n ? n : 1, om->w * sizeof(float));
  if (!h)
    return LIMN_ENOMEM;
  ox_to_slots(m, x, n, h);
  int rc = run_slots(ctx, om, h, n, sp, out, wt, grad);
  limn__free(ctx, h);
  return rc;
}

static int ox_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                      float *out) {
  return run_raw(ctx, m, x, n, sp, out, NULL, NULL);
}

/* grad (n, slots): for all-numeric data the slots are the columns. */
static int ox_vjp(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const float *w, limn_space sp,
                  float *grad) {
  return run_raw(ctx, m, x, n, sp, NULL, w, grad);
}

static int ox_forward_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, limn_space sp,
                            float *out) {
  return run_slots(ctx, m->impl, h, n, sp, out, NULL, NULL);
}

static int ox_vjp_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, const float *w,
                        limn_space sp, float *grad, float *out) {
  return run_slots(ctx, m->impl, h, n, sp, out, w, grad); /* one pass for both */
}

/* ---- the graph as a piecewise-linear MLP (exact IG) ---- */

static void pwl_free(limn_ctx *ctx, limn__mlp *p) {
  if (!p)
    return;
  for (size_t l = 0; p->W && l < p->nlayers; l++) {
    limn__free(ctx, p->W[l]);
    limn__free(ctx, p->b[l]);
  }
  limn__free(ctx, p->W);
  limn__free(ctx, p->b);
  limn__free(ctx, p->width);
  limn__free(ctx, p);
}

/* "node 'fc2' (Sigmoid)" */
static const char *node_label(const ox_node *nd, char *buf, size_t cap) {
  if (!strncmp(nd->name, "node ", 5))
    snprintf(buf, cap, "%s (%s)", nd->name, limn__ox_op_name(nd->op));
  else
    snprintf(buf, cap, "node '%.200s' (%s)", nd->name, limn__ox_op_name(nd->op));
  return buf;
}

/* A dense layer of the chain: W (out, in) and b (out), from a Gemm or a MatMul. */
typedef struct pwl_layer {
  size_t in, out;
  float *W, *b;
  int relu;
} pwl_layer;

/* The constant float matrix of value v with rank 2, or NULL. */
static const ox_tensor *const_matrix(const ox_graph *g, int v) {
  const ox_tensor *t = v >= 0 ? &g->consts[v] : NULL;
  return t && t->type == OX_FLOAT && t->rank == 2 ? t : NULL;
}

/* Add the constant c (a row of `out` values, or one value) into b, times beta. */
static int add_bias(const ox_graph *g, int v, float beta, float *b, size_t out) {
  const ox_tensor *c = v >= 0 ? &g->consts[v] : NULL;
  if (!c || c->type != OX_FLOAT || (c->len != out && c->len != 1) || (c->rank == 2 && c->dim[0] != 1) ||
      c->rank > 2)
    return 0;
  for (size_t o = 0; o < out; o++)
    b[o] += beta * c->f[c->len == 1 ? 0 : o];
  return 1;
}

/* Node nd (a Gemm or MatMul on `cur` of width `in`) as a dense layer; 0 with the reason
 * in why when it is not one. */
static int dense_layer(limn_ctx *ctx, const ox_graph *g, const ox_node *nd, size_t in, pwl_layer *ly,
                       char *why, size_t cap) {
  char lb[300];
  const ox_tensor *w = const_matrix(g, nd->in[1]);
  int gemm = nd->op == OX_GEMM, tb = gemm && nd->trans_b;
  if (!w || (gemm && nd->trans_a)) {
    snprintf(why, cap, "%.240s does not multiply by a constant matrix", node_label(nd, lb, sizeof lb));
    return 0;
  }
  size_t win = tb ? w->dim[1] : w->dim[0], out = tb ? w->dim[0] : w->dim[1];
  if (win != in) {
    snprintf(why, cap, "%.240s takes %zu values, the layer before gives %zu", node_label(nd, lb, sizeof lb),
             win, in);
    return 0;
  }
  ly->in = in, ly->out = out, ly->relu = nd->relu;
  ly->W = limn__alloc_array(ctx, in * out, sizeof(float));
  ly->b = limn__calloc(ctx, out, sizeof(float));
  if (!ly->W || !ly->b)
    return -1;
  float alpha = gemm ? nd->alpha : 1.0f;
  for (size_t o = 0; o < out; o++)
    for (size_t i = 0; i < in; i++)
      ly->W[o * in + i] = alpha * w->f[tb ? o * in + i : i * out + o];
  int bias = gemm ? (nd->nin > 2 ? nd->in[2] : -1) : nd->bias;
  if (bias >= 0 && !add_bias(g, bias, gemm ? nd->beta : 1.0f, ly->b, out)) {
    snprintf(why, cap, "%.240s adds a bias that is not a constant row", node_label(nd, lb, sizeof lb));
    return 0;
  }
  return 1;
}

/* The constant of an elementwise node nd on the current value cur (width w): v with
 * len 1 or w, through *v / *len and its side (*left: the constant is the first
 * operand). 0 when the node has no such constant. */
static int elementwise_const(const ox_graph *g, const ox_node *nd, int cur, size_t w, const float **v,
                             size_t *len, int *left) {
  if (nd->nin != 2)
    return 0;
  *left = nd->in[1] == cur;
  int c = *left ? nd->in[0] : nd->in[1];
  const ox_tensor *t = c >= 0 ? &g->consts[c] : NULL;
  if (!t || t->type != OX_FLOAT || (t->len != w && t->len != 1) || t->rank > 2 ||
      (t->rank == 2 && t->dim[0] != 1))
    return 0;
  *v = t->f, *len = t->len;
  return 1;
}

/* An elementwise Add, Sub, Mul or Div by a constant: before the first dense layer it
 * changes the per-slot affine map (a, c) of the input; after a dense layer (before its
 * Relu) it changes that layer's rows. Returns 0 when it cannot be folded. */
static int fold_elementwise(const ox_graph *g, const ox_node *nd, int cur, size_t w, double *a, double *c,
                            pwl_layer *last) {
  const float *v;
  size_t len;
  int left;
  if (!elementwise_const(g, nd, cur, w, &v, &len, &left))
    return 0;
  if (left && (nd->op == OX_SUB || nd->op == OX_DIV))
    return 0; /* constant - x, constant / x */
  if (last && last->relu)
    return 0;
  for (size_t q = 0; q < w; q++) {
    double k = v[len == 1 ? 0 : q];
    if ((nd->op == OX_DIV && k == 0.0) || !isfinite(k))
      return 0;
    double mul = nd->op == OX_MUL ? k : nd->op == OX_DIV ? 1.0 / k : 1.0;
    double add = nd->op == OX_ADD ? k : nd->op == OX_SUB ? -k : 0.0;
    if (!last) {
      a[q] *= mul, c[q] = c[q] * mul + add;
      continue;
    }
    for (size_t i = 0; i < last->in; i++)
      last->W[q * last->in + i] = (float)(last->W[q * last->in + i] * mul);
    last->b[q] = (float)(last->b[q] * mul + add);
  }
  return 1;
}

/* Nodes that compute a shape from the data (Shape and what works on its result). */
static int shape_op(ox_op op) {
  return op == OX_SHAPE || op == OX_GATHER || op == OX_UNSQUEEZE || op == OX_CONCAT || op == OX_CAST;
}

/* Walk the graph from its input: an affine map per input (Sub, Add, Mul, Div by
 * constants: a standardisation), then a chain of dense layers (Gemm; MatMul and the
 * same elementwise constants), Relu after every hidden layer or after none, nodes that
 * keep rows as they are (Identity, Dropout, Flatten, Reshape: checked by
 * verify_pwl), and at most a final Softmax that gives the probabilities. Returns 1 with
 * the layers in ly / *nl, 0 with the reason in why, -1 when out of memory. */
static int chain_layers(limn_ctx *ctx, const ox_model *om, pwl_layer *ly, size_t maxl, size_t *nl, char *why,
                        size_t cap) {
  const ox_graph *g = &om->g;
  char lb[300];
  int cur = g->input, ended = 0, rc = 0;
  size_t width = om->w;
  *nl = 0;
  double *a = limn__alloc_array(ctx, om->w ? om->w : 1, sizeof *a);
  double *c = limn__alloc_array(ctx, om->w ? om->w : 1, sizeof *c);
  if (!a || !c) {
    rc = -1;
    goto done;
  }
  for (size_t q = 0; q < om->w; q++)
    a[q] = 1.0, c[q] = 0.0;
  if (om->in_rank != 2) {
    snprintf(why, cap,
             "the graph takes a rank-%zu tensor (%s), not rows: exact IG handles chains of dense layers",
             om->in_rank, om->in_rank == 4 ? "images" : "not a table");
    goto done;
  }
  for (size_t k = 0; k < g->nnodes; k++) {
    const ox_node *nd = &g->nodes[k];
    int takes = 0;
    for (size_t q = 0; q < nd->nin; q++)
      takes |= nd->in[q] == cur && cur >= 0;
    if (nd->skip || (g->dep && nd->nout && !g->dep[nd->out[0]]) || (shape_op(nd->op) && !takes) ||
        nd->op == OX_SHAPE)
      continue; /* folded, computes constants, or computes a shape */
    if (ended || nd->nin < 1 || !takes || nd->nout < 1 ||
        (nd->in[0] != cur && nd->op != OX_ADD && nd->op != OX_MUL)) {
      snprintf(why, cap, "%.240s does not take the output of the layer before it: the graph is not a chain",
               node_label(nd, lb, sizeof lb));
      goto done;
    }
    pwl_layer *last = *nl ? &ly[*nl - 1] : NULL;
    switch (nd->op) {
    case OX_IDENTITY:
    case OX_DROPOUT:
    case OX_FLATTEN:
    case OX_RESHAPE:
      break;
    case OX_GEMM:
    case OX_MATMUL: {
      if (*nl == maxl) {
        snprintf(why, cap, "more than %zu dense layers", maxl);
        goto done;
      }
      int r = dense_layer(ctx, g, nd, width, &ly[*nl], why, cap);
      if (r <= 0) {
        rc = r;
        goto done;
      }
      if (!*nl) /* the input's affine map into the first layer */
        for (size_t o = 0; o < ly[0].out; o++) {
          double b = ly[0].b[o];
          for (size_t q = 0; q < width; q++) {
            b += (double)ly[0].W[o * width + q] * c[q];
            ly[0].W[o * width + q] = (float)(ly[0].W[o * width + q] * a[q]);
          }
          ly[0].b[o] = (float)b;
        }
      width = ly[(*nl)++].out;
      break;
    }
    case OX_ADD:
    case OX_SUB:
    case OX_MUL:
    case OX_DIV:
      if (!fold_elementwise(g, nd, cur, width, a, c, last)) {
        snprintf(why, cap, "%.240s is not an elementwise constant before a Relu",
                 node_label(nd, lb, sizeof lb));
        goto done;
      }
      break;
    case OX_RELU:
      if (!last || last->relu) {
        snprintf(why, cap, "%.240s does not follow a dense layer", node_label(nd, lb, sizeof lb));
        goto done;
      }
      last->relu = 1;
      break;
    case OX_SOFTMAX:
      if (om->head != HEAD_SOFTMAX || nd->out[0] != g->output) {
        snprintf(why, cap, "%.240s is not the graph's final layer", node_label(nd, lb, sizeof lb));
        goto done;
      }
      ended = 1;
      break;
    case OX_SIGMOID:
    case OX_TANH:
    case OX_LOGSOFTMAX:
      snprintf(why, cap, "%.240s is not piecewise-linear", node_label(nd, lb, sizeof lb));
      goto done;
    case OX_LEAKYRELU:
      snprintf(why, cap, "%.240s: exact IG handles Relu, not LeakyRelu", node_label(nd, lb, sizeof lb));
      goto done;
    default:
      snprintf(why, cap, "%.240s is not a dense layer, Relu or final Softmax", node_label(nd, lb, sizeof lb));
      goto done;
    }
    cur = nd->out[0];
  }
  if (!ended && cur != g->output)
    snprintf(why, cap, "the graph's output is not the end of its chain of layers");
  else if (!*nl)
    snprintf(why, cap, "the graph has no dense layer");
  else if (ly[*nl - 1].relu)
    snprintf(why, cap, "a Relu on the graph's output");
  else if (om->head == HEAD_PROBS)
    snprintf(why, cap, "the graph's output is read as probabilities without a final Softmax");
  else {
    rc = 1;
    for (size_t l = 0; l + 1 < *nl && rc; l++)
      if (ly[l].relu != ly[0].relu) {
        snprintf(why, cap, "dense layer %zu has %s Relu after it, dense layer 1 %s", l + 1,
                 ly[l].relu ? "a" : "no", ly[0].relu ? "has one" : "has none");
        rc = 0;
      }
  }
done:
  limn__free(ctx, a);
  limn__free(ctx, c);
  return rc;
}

/* The view's logits for slots h (one row), in double. */
static void pwl_logits(const limn__mlp *p, const float *h, double *buf, double *out) {
  size_t mw = limn__mlp_max_width(p);
  double *x = buf, *y = buf + mw;
  for (size_t s = 0; s < p->width[0]; s++)
    x[s] = h[s];
  for (size_t l = 0; l < p->nlayers; l++) {
    size_t in = p->width[l], o = p->width[l + 1];
    for (size_t q = 0; q < o; q++) {
      double v = p->b[l][q];
      for (size_t i = 0; i < in; i++)
        v += (double)p->W[l][q * in + i] * x[i];
      y[q] = l + 1 < p->nlayers && p->hidden == LIMN_ACT_RELU && v < 0 ? 0.0 : v;
    }
    double *t = x;
    x = y, y = t;
  }
  for (size_t q = 0; q < p->width[p->nlayers]; q++)
    out[q] = x[q];
}

/* The view against the graph on a few rows (zeros, and deterministic rows in
 * [-2, 2]): the same logits to float rounding, or it is not used. Returns 1 when
 * they agree, 0 (reason in why) when not, or an error code < 0. */
static int verify_pwl(limn_ctx *ctx, const ox_model *om, const limn__mlp *p, char *why, size_t cap) {
  enum { ROWS = 3 };
  size_t w = om->w, k = om->k, mw = limn__mlp_max_width(p);
  if (p->width[p->nlayers] != k) {
    snprintf(why, cap, "the chain of layers gives %zu values, the graph %zu", p->width[p->nlayers], k);
    return 0;
  }
  float *h = limn__calloc(ctx, ROWS * w, sizeof *h), *ref = limn__alloc_array(ctx, ROWS * k, sizeof *ref);
  double *buf = limn__alloc_array(ctx, 2 * mw + k, sizeof *buf);
  int ok = h && ref && buf ? 1 : -1;
  uint64_t st = 0x9e3779b97f4a7c15ULL;
  for (size_t q = w; ok > 0 && q < ROWS * w; q++) {
    st = st * 6364136223846793005ULL + 1442695040888963407ULL;
    h[q] = (float)((double)(st >> 11) / 9007199254740992.0 * 4.0 - 2.0);
  }
  if (ok > 0 && run_slots(ctx, om, h, ROWS, LIMN_SPACE_LOGIT, ref, NULL, NULL)) {
    limn_ctx_clear_error(ctx);
    snprintf(why, cap, "the graph does not run on test rows");
    ok = 0;
  }
  for (size_t i = 0; ok > 0 && i < ROWS; i++) {
    pwl_logits(p, h + i * w, buf, buf + 2 * mw);
    for (size_t q = 0; ok > 0 && q < k; q++) {
      double r = ref[i * k + q], v = buf[2 * mw + q];
      if (!(fabs(v - r) <= 1e-3 * (1.0 + fabs(r)))) {
        snprintf(why, cap,
                 "the graph's layers could not be read as a chain of dense layers (its output %zu "
                 "is %g on a test row, the chain gives %g)",
                 q, r, v);
        ok = 0;
      }
    }
  }
  limn__free(ctx, h);
  limn__free(ctx, ref);
  limn__free(ctx, buf);
  return ok;
}

/* om->pwl from the graph, or om->pwl_why. */
static int build_pwl(limn_ctx *ctx, ox_model *om) {
  enum { MAXL = 64 };
  pwl_layer ly[MAXL];
  size_t nl = 0;
  memset(ly, 0, sizeof ly);
  int r = chain_layers(ctx, om, ly, MAXL, &nl, om->pwl_why, sizeof om->pwl_why);
  if (r > 0 && !ly[nl - 1].out)
    r = 0, snprintf(om->pwl_why, sizeof om->pwl_why, "the graph's last layer has no outputs");
  limn__mlp *p = r > 0 ? limn__calloc(ctx, 1, sizeof *p) : NULL;
  if (p) {
    p->nlayers = nl;
    p->width = limn__calloc(ctx, nl + 1, sizeof *p->width);
    p->W = limn__calloc(ctx, nl, sizeof *p->W);
    p->b = limn__calloc(ctx, nl, sizeof *p->b);
  }
  if (r > 0 && (!p || !p->width || !p->W || !p->b))
    r = -1;
  if (r > 0) {
    p->width[0] = om->w;
    for (size_t l = 0; l < nl; l++) {
      p->width[l + 1] = ly[l].out;
      p->W[l] = ly[l].W, p->b[l] = ly[l].b;
      ly[l].W = ly[l].b = NULL;
    }
    p->hidden = nl > 1 && !ly[0].relu ? LIMN_ACT_IDENTITY : LIMN_ACT_RELU;
    p->output = om->head == HEAD_VALUE ? LIMN_ACT_IDENTITY : LIMN_ACT_SOFTMAX;
    p->y_scale = 1.0;
    r = verify_pwl(ctx, om, p, om->pwl_why, sizeof om->pwl_why);
    if (r > 0)
      om->pwl = p, p = NULL;
  }
  for (size_t l = 0; l < nl + (nl < MAXL); l++) /* a failed layer may hold buffers too */
    limn__free(ctx, ly[l].W), limn__free(ctx, ly[l].b);
  pwl_free(ctx, p);
  return r < 0 ? LIMN_ENOMEM : LIMN_OK;
}

const limn__mlp *limn__onnx_pwl(const limn_model *m, char *why, size_t cap) {
  const ox_model *om = m->impl;
  if (!om->pwl && why)
    snprintf(why, cap, "%.240s", om->pwl_why);
  return om->pwl;
}

static double ox_slot_scale(const limn_model *m, size_t s) {
  (void)m, (void)s;
  return 1.0;
}

static void ox_destroy(limn_model *m) {
  ox_model *om = m->impl;
  if (!om)
    return;
  cache_free(om);
  rows_graph_free(m->ctx, &om->rg);
  graph_free(m->ctx, &om->g);
  pwl_free(m->ctx, om->pwl);
  limn__free(m->ctx, om->slot_of);
  limn__free(m->ctx, om->ncat);
  limn__free(m->ctx, om);
}

static const limn__model_vt ox_vt = {ox_forward,   ox_vjp,      ox_destroy,   ox_forward_slots,
                                     ox_vjp_slots, ox_to_slots, ox_slot_scale};
static int text_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                        float *out);
static int text_vjp(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const float *w,
                    limn_space sp, float *grad);
static int view_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                        float *out);
static int view_vjp(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const float *w,
                    limn_space sp, float *grad);
static int view_forward_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, limn_space sp,
                              float *out);
static int view_vjp_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, const float *w,
                          limn_space sp, float *grad, float *out);
static void view_to_slots(const limn_model *m, const float *x, size_t n, float *h);
static void view_destroy(limn_model *m);
static const limn__model_vt ox_text_vt = {text_forward, text_vjp, ox_destroy, NULL, NULL, NULL, NULL};
static const limn__model_vt ox_view_vt = {view_forward,   view_vjp,      view_destroy, view_forward_slots,
                                          view_vjp_slots, view_to_slots, ox_slot_scale};

/* ---- loading ---- */

/* The graph input's declared shape when every dimension but the batch is a known
 * number: its rank, dims (dims[0] unused) and their product; 0 otherwise. */
/* The width the graph declares for its input (the product of the dimensions after the
 * batch) into *w, 0 when it declares none (no shape, or a named dimension). A declared
 * size below 1 or beyond 2^24 is an error, not "undeclared". */
static int declared_shape(limn_ctx *ctx, const Onnx__GraphProto *gp, const char *name, const char *file,
                          size_t *rank, size_t *dims, size_t *w) {
  *w = 0;
  for (size_t k = 0; k < gp->n_input; k++) {
    const Onnx__ValueInfoProto *v = gp->input[k];
    if (!v->name || strcmp(v->name, name) || !v->type || !v->type->tensor_type ||
        !v->type->tensor_type->shape)
      continue;
    const Onnx__TensorShapeProto *s = v->type->tensor_type->shape;
    if (s->n_dim > OX_MAXRANK)
      return limn__err(ctx, LIMN_EUNSUPPORTED, "%s: the input '%.200s' has rank %zu (at most %d)", file, name,
                       s->n_dim, OX_MAXRANK);
    if (s->n_dim < 2)
      return LIMN_OK;
    size_t width = 1;
    for (size_t r = 1; r < s->n_dim; r++) {
      if (s->dim[r]->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
        return LIMN_OK; /* named (symbolic): the data decides */
      int64_t dv = s->dim[r]->dim_value;
      if (dv < 1 || dv > (1 << 24))
        return limn__err(ctx, LIMN_ESHAPE, "%s: the input '%.200s' declares dimension %zu as %lld (1 to %d)",
                         file, name, r, (long long)dv, 1 << 24);
      dims[r] = (size_t)dv;
      width *= dims[r];
      if (width > (1 << 24))
        return limn__err(ctx, LIMN_ESHAPE, "%s: the input '%.200s' declares more than %d values per row",
                         file, name, 1 << 24);
    }
    *rank = s->n_dim;
    *w = width;
    return LIMN_OK;
  }
  return LIMN_OK;
}

/* A schema for a graph loaded without a target: the given columns (or x0..), and
 * classes "class 0".. or a value by the head. */
/* A schema of d numeric columns named after given's, else prefix0, prefix1, ...; the
 * target like's when it has one, else a value (regression) or k classes "class 0".. */
static int numbered_schema(limn_ctx *ctx, const limn_schema *given, const char *prefix, size_t d,
                           const limn_schema *like, size_t k, int regression, limn_schema **out) {
  limn_schema *s = NULL;
  LIMN_TRY(limn_schema_create(ctx, &s));
  char nm[48];
  int rc = 0;
  for (size_t j = 0; j < d && !rc; j++) {
    snprintf(nm, sizeof nm, "%s%zu", prefix, j);
    rc = limn_schema_add_numeric(ctx, s, given ? limn_schema_feature_name(given, j) : nm);
  }
  if (!rc && like && limn_schema_target_name(like)) {
    size_t kc = limn_schema_nclasses(like);
    const char **names = limn__calloc(ctx, kc + 1, sizeof *names);
    rc = names ? 0 : LIMN_ENOMEM;
    for (size_t c = 0; c < kc && !rc; c++)
      names[c] = limn_schema_class_name(like, c);
    if (!rc)
      rc = limn_schema_set_target(ctx, s, limn_schema_target_name(like), limn_schema_task(like), names, kc);
    limn__free(ctx, (void *)names);
  } else if (!rc && regression) {
    rc = limn_schema_set_target(ctx, s, "value", LIMN_TASK_REGRESSION, NULL, 0);
  } else if (!rc) {
    char **names = limn__calloc(ctx, k, sizeof *names);
    rc = names ? 0 : LIMN_ENOMEM;
    for (size_t c = 0; c < k && !rc; c++) {
      names[c] = limn__malloc(ctx, 32);
      if (!names[c])
        rc = LIMN_ENOMEM;
      else
        snprintf(names[c], 32, "class %zu", c);
    }
    if (!rc)
      rc = limn_schema_set_target(ctx, s, "class", LIMN_TASK_CLASSIFICATION, (const char *const *)names, k);
    for (size_t c = 0; names && c < k; c++)
      limn__free(ctx, names[c]);
    limn__free(ctx, names);
  }
  if (rc)
    limn_schema_free(s);
  else
    *out = s;
  return rc;
}

/* How the graph's output reads: probabilities after a final Softmax (whose input
 * gives the logits), probabilities, logits or a value, from `kind` and the target. */
static void choose_head(ox_model *om, const limn_schema *schema, limn_onnx_output kind) {
  const ox_node *last = NULL;
  for (size_t k = 0; k < om->g.nnodes; k++)
    if (om->g.nodes[k].out[0] == om->g.output && !om->g.nodes[k].skip)
      last = &om->g.nodes[k];
  int softmax = last && last->op == OX_SOFTMAX && last->in[0] >= 0;
  limn_task task = schema && limn_schema_target_name(schema) ? limn_schema_task(schema) : LIMN_TASK_AUTO;
  if (kind == LIMN_ONNX_VALUE || (kind == LIMN_ONNX_AUTO && task == LIMN_TASK_REGRESSION))
    om->head = HEAD_VALUE;
  else if (softmax && (kind == LIMN_ONNX_AUTO || kind == LIMN_ONNX_PROBABILITIES))
    om->head = HEAD_SOFTMAX, om->logit = last->in[0];
  else if (kind == LIMN_ONNX_PROBABILITIES)
    om->head = HEAD_PROBS;
  else
    om->head = HEAD_LOGITS;
}

/* The graph's input from the data's columns (categorical ones one-hot, in the data's
 * order) against the width the graph declares. */
static int input_layout(limn_ctx *ctx, ox_model *om, const Onnx__GraphProto *gp, const limn_schema *schema,
                        const char *file) {
  size_t dw;
  LIMN_TRY(declared_shape(ctx, gp, om->g.names[om->g.input], file, &om->in_rank, om->in_dim, &dw));
  om->d = schema ? limn_schema_nfeatures(schema) : dw;
  om->slot_of = limn__calloc(ctx, om->d + 1, sizeof *om->slot_of);
  om->ncat = limn__calloc(ctx, om->d + 1, sizeof *om->ncat);
  if (!om->slot_of || !om->ncat)
    return LIMN_ENOMEM;
  om->w = 0;
  for (size_t j = 0; j < om->d; j++) {
    om->slot_of[j] = om->w;
    if (schema && limn_schema_feature_kind(schema, j) == LIMN_COL_CATEGORICAL)
      om->ncat[j] = limn_schema_ncategories(schema, j);
    om->w += om->ncat[j] ? om->ncat[j] : 1;
  }
  if (!dw) /* (N, w) */
    om->in_rank = 2, om->in_dim[1] = om->w;
  if (!om->d)
    return limn__err(ctx, LIMN_EINVAL,
                     "%s: the graph does not declare its input width: give the data's schema", file);
  if (dw && dw != om->w)
    return om->w == om->d
               ? limn__err(ctx, LIMN_ESHAPE, "%s: the graph takes %zu columns, the data has %zu features",
                           file, dw, om->d)
               : limn__err(ctx, LIMN_ESHAPE,
                           "%s: the graph takes %zu inputs, the data's %zu columns make %zu (categorical "
                           "columns one-hot)",
                           file, dw, om->d, om->w);
  return LIMN_OK;
}

/* One zero row through the graph: every shape checked, the output width found. */
static int probe_output(limn_ctx *ctx, ox_model *om, const char *file) {
  float *z = limn__calloc(ctx, om->w, sizeof(float));
  run_state s = {0};
  om->k = 1;
  int rc = z ? run_forward(ctx, om, z, 1, &s, NULL) : LIMN_ENOMEM;
  if (!rc)
    om->k = s.vals[om->g.output].len;
  if (!rc && s.vals[om->g.output].type != OX_FLOAT)
    rc = limn__err(ctx, LIMN_ESHAPE, "the graph's output is not a float tensor");
  else if (!rc && om->k == 0)
    rc = limn__err(ctx, LIMN_ESHAPE, "the graph's output has no values");
  if (rc && rc != LIMN_ENOMEM)
    rc = limn__err_prefix(ctx, rc, "%s", file);
  run_free(ctx, &s);
  limn__free(ctx, z);
  return rc;
}

/* The data's target wants as many outputs as it has classes (one for a value). */
static int check_target(limn_ctx *ctx, const ox_model *om, const limn_schema *schema, const char *file) {
  if (!schema || !limn_schema_target_name(schema))
    return LIMN_OK;
  limn_task task = limn_schema_task(schema);
  size_t want = task == LIMN_TASK_CLASSIFICATION ? limn_schema_nclasses(schema) : 1;
  if ((task == LIMN_TASK_CLASSIFICATION || task == LIMN_TASK_REGRESSION) && om->k != want)
    return limn__err(ctx, LIMN_ESHAPE,
                     "%s: the graph gives %zu outputs per row, the data's target '%s' needs %zu", file, om->k,
                     limn_schema_target_name(schema), want);
  return LIMN_OK;
}

/* ---- text models (docs/text.md) ---- */

int limn_model_is_text(const limn_model *m) { return m && m->vt == &ox_text_vt; }

static const ox_model *text_of(const limn_model *m) { return limn_model_is_text(m) ? m->impl : NULL; }

size_t limn_model_text_vocab(const limn_model *m) {
  const ox_model *om = text_of(m);
  return om ? om->vocab : 0;
}

size_t limn_model_text_width(const limn_model *m) {
  const ox_model *om = text_of(m);
  return om ? om->E : 0;
}

static size_t row_length(const ox_model *om, const float *row) {
  size_t L = om->w;
  while (L > 1 && row[L - 1] == (float)om->pad)
    L--;
  return L;
}

size_t limn_model_text_length(const limn_model *m, const float *row) {
  const ox_model *om = text_of(m);
  return om && row ? row_length(om, row) : 0;
}

/* Row i's first L ids, checked against the vocabulary. */
static int row_ids(limn_ctx *ctx, const ox_model *om, const float *row, size_t i, size_t L, int64_t *ids) {
  for (size_t j = 0; j < L; j++) {
    float v = row[j];
    if (!(v >= 0 && v < (float)om->vocab && v == floorf(v)))
      return limn__err(ctx, LIMN_EINVAL, "row %zu: position %zu holds %g, not a token id (0 to %zu)", i, j,
                       (double)v, om->vocab - 1);
    ids[j] = (int64_t)v;
  }
  return LIMN_OK;
}

typedef struct len_row {
  size_t len, row;
} len_row;

static int by_length(const void *a, const void *b) {
  const len_row *x = a, *y = b;
  return x->len != y->len ? (x->len < y->len ? -1 : 1) : (x->row > y->row) - (x->row < y->row);
}

/* Rows of ids: run in groups of one length (each row at its own length). */
static int text_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                        float *out) {
  const ox_model *om = m->impl;
  len_row *order = limn__alloc_array(ctx, n ? n : 1, sizeof *order);
  int64_t *ids = limn__alloc_array(ctx, OX_TEXT_CHUNK * om->w, sizeof *ids);
  float *tmp = limn__alloc_array(ctx, OX_TEXT_CHUNK * om->k, sizeof *tmp);
  run_state s = cache_take(ctx, om);
  int rc = order && ids && tmp ? LIMN_OK : LIMN_ENOMEM;
  for (size_t i = 0; i < n && !rc; i++)
    order[i].len = row_length(om, x + i * om->w), order[i].row = i;
  if (!rc)
    qsort(order, n, sizeof *order, by_length);
  for (size_t r = 0; r < n && !rc;) {
    size_t L = order[r].len, c = 0;
    while (r + c < n && c < text_chunk(L) && order[r + c].len == L)
      c++;
    for (size_t q = 0; q < c && !rc; q++)
      rc = row_ids(ctx, om, x + order[r + q].row * om->w, order[r + q].row, L, ids + q * L);
    ox_feed feed = {ids, L, NULL};
    if (!rc)
      rc = ox_forward_chunk(ctx, om, &s, NULL, c, sp, tmp, &feed);
    for (size_t q = 0; q < c && !rc; q++)
      memcpy(out + order[r + q].row * om->k, tmp + q * om->k, om->k * sizeof *out);
    r += c;
  }
  if (rc)
    run_free(ctx, &s);
  else
    cache_give(ctx, om, &s);
  limn__free(ctx, order), limn__free(ctx, ids), limn__free(ctx, tmp);
  return rc;
}

static int text_vjp(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const float *w,
                    limn_space sp, float *grad) {
  (void)m, (void)x, (void)n, (void)w, (void)sp, (void)grad;
  return limn__err(ctx, LIMN_EUNSUPPORTED,
                   "a text model has no gradients with respect to token ids: take them on its embeddings "
                   "(limn_model_text_view)");
}

int limn_model_text_embed(limn_ctx *ctx, const limn_model *m, const float *row, float *out) {
  const ox_model *om = text_of(m);
  if (!om || !row || !out)
    return limn__err(ctx, LIMN_EINVAL, "limn_model_text_embed: a text model, a row and an output are needed");
  size_t L = row_length(om, row);
  int64_t *ids = limn__alloc_array(ctx, L, sizeof *ids);
  if (!ids)
    return LIMN_ENOMEM;
  int rc = row_ids(ctx, om, row, 0, L, ids);
  const ox_tensor *tab = &om->g.consts[om->g.nodes[om->cut_node].in[0]];
  for (size_t j = 0; j < L && !rc; j++)
    memcpy(out + j * om->E, tab->f + (size_t)ids[j] * om->E, om->E * sizeof *out);
  limn__free(ctx, ids);
  return rc;
}

/* One text's embeddings as a model's rows. */
typedef struct ox_view {
  const limn_model *base;
  int64_t *ids; /* (OX_TEXT_CHUNK, T): the text's ids, once per row of a chunk */
  size_t T;
} ox_view;

static int view_run(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp, float *out,
                    const float *wt, float *grad) {
  const ox_view *v = m->impl;
  const ox_model *om = v->base->impl;
  size_t W = v->T * om->E;
  run_state s = cache_take(ctx, om);
  int rc = LIMN_OK;
  size_t chunk = text_chunk(v->T);
  for (size_t r = 0; r < n && !rc; r += chunk) {
    size_t c = n - r < chunk ? n - r : chunk;
    ox_feed feed = {v->ids, v->T, x + r * W};
    rc = wt ? ox_vjp_chunk(ctx, om, &s, NULL, c, wt + r * om->k, sp, grad + r * W,
                           out ? out + r * om->k : NULL, &feed, -1)
            : ox_forward_chunk(ctx, om, &s, NULL, c, sp, out + r * om->k, &feed);
  }
  if (rc)
    run_free(ctx, &s);
  else
    cache_give(ctx, om, &s);
  return rc;
}

static int view_forward(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, limn_space sp,
                        float *out) {
  return view_run(ctx, m, x, n, sp, out, NULL, NULL);
}

static int view_vjp(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const float *w,
                    limn_space sp, float *grad) {
  return view_run(ctx, m, x, n, sp, NULL, w, grad);
}

static int view_vjp_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, const float *w,
                          limn_space sp, float *grad, float *out) {
  return view_run(ctx, m, h, n, sp, out, w, grad);
}

static int view_forward_slots(limn_ctx *ctx, const limn_model *m, const float *h, size_t n, limn_space sp,
                              float *out) {
  return view_run(ctx, m, h, n, sp, out, NULL, NULL);
}

static void view_to_slots(const limn_model *m, const float *x, size_t n, float *h) {
  memcpy(h, x, n * m->nfeatures * sizeof *h);
}

static void view_destroy(limn_model *m) {
  ox_view *v = m->impl;
  if (v) {
    limn__free(m->ctx, v->ids);
    limn__free(m->ctx, v);
  }
}

/* A schema of `d` numeric columns named prefix0.. and the target of `like`. */
int limn_model_text_view(limn_ctx *ctx, const limn_model *m, const float *row, limn_model **view) {
  const ox_model *om = text_of(m);
  if (!ctx || !view)
    return LIMN_EINVAL;
  *view = NULL;
  if (!om || !row)
    return limn__err(ctx, LIMN_EINVAL, "limn_model_text_view: a text model and a row are needed");
  size_t T = row_length(om, row);
  ox_view *v = limn__calloc(ctx, 1, sizeof *v);
  limn_schema *s = NULL;
  limn_model *out = NULL;
  int rc = v && (v->ids = limn__alloc_array(ctx, OX_TEXT_CHUNK * T, sizeof *v->ids)) ? LIMN_OK : LIMN_ENOMEM;
  if (!rc)
    rc = row_ids(ctx, om, row, 0, T, v->ids);
  for (size_t q = 1; q < OX_TEXT_CHUNK && !rc; q++)
    memcpy(v->ids + q * T, v->ids, T * sizeof *v->ids);
  if (!rc)
    v->base = m, v->T = T;
  if (!rc)
    rc = numbered_schema(ctx, NULL, "e", T * om->E, m->schema, 0, 0, &s);
  if (!rc)
    rc = limn__model_new(ctx, "onnx-text-embeddings", s, T * om->E, om->k, &ox_view_vt, &out);
  limn_schema_free(s);
  if (rc) {
    if (v)
      limn__free(ctx, v->ids);
    limn__free(ctx, v);
    return rc;
  }
  out->impl = v;
  memcpy(out->sha256, m->sha256, sizeof out->sha256);
  *view = out;
  return LIMN_OK;
}

/* The embedding lookup: the named node (or the node whose output has that name), else
 * the first Gather of a constant float table by the input ids. */
static int find_lookup(limn_ctx *ctx, ox_model *om, const char *name, const char *file) {
  const ox_graph *g = &om->g;
  for (size_t k = 0; k < g->nnodes; k++) {
    const ox_node *nd = &g->nodes[k];
    int named =
        name && (!strcmp(nd->name, name) || (g->names[nd->out[0]] && !strcmp(g->names[nd->out[0]], name)));
    if (name && !named)
      continue;
    const ox_tensor *tab = nd->nin == 2 && nd->in[0] >= 0 ? &g->consts[nd->in[0]] : NULL;
    int ok = nd->op == OX_GATHER && !nd->skip && nd->axis == 0 && nd->in[1] == g->input && tab &&
             tab->type == OX_FLOAT && tab->rank == 2 && tab->dim[0] > 0 && tab->dim[1] > 0;
    if (named && !ok)
      return limn__err(ctx, LIMN_EINVAL,
                       "%s: '%s' is not an embedding lookup (a Gather of a constant float table "
                       "(vocabulary, width) by the input ids)",
                       file, name);
    if (ok) {
      om->cut = nd->out[0], om->cut_node = k, om->vocab = tab->dim[0], om->E = tab->dim[1];
      return LIMN_OK;
    }
  }
  if (name)
    return limn__err(ctx, LIMN_ENOTFOUND, "%s: no node or value '%s' in the graph", file, name);
  return limn__err(ctx, LIMN_ENOTFOUND,
                   "%s: no embedding lookup found (a Gather of a constant float table (vocabulary, width) "
                   "by the input ids): name it (the embedding option, the CLI's --embedding NODE)",
                   file);
}

/* The graph's input element type (ONNX's code; 0 when not declared). */
static int input_elem_type(const Onnx__GraphProto *gp, const char *name) {
  for (size_t k = 0; k < gp->n_input; k++) {
    const Onnx__ValueInfoProto *v = gp->input[k];
    if (v && v->name && !strcmp(v->name, name) && v->type && v->type->tensor_type)
      return v->type->tensor_type->has_elem_type ? (int)v->type->tensor_type->elem_type : 0;
  }
  return 0;
}

/* Text layout: rows of max_tokens ids; the lookup found; dependence from its output;
 * the outputs counted on a one-token text (id 1, or 0 in a one-word vocabulary). */
static int text_layout(limn_ctx *ctx, ox_model *om, const limn_text_model_opts *to, const char *file) {
  om->text = 1;
  om->pad = to->pad_id;
  om->d = om->w = to->max_tokens;
  om->in_rank = 2;
  if (!to->max_tokens || to->max_tokens > 1u << 16)
    return limn__err(ctx, LIMN_EINVAL, "max_tokens %zu: 1 to 65536", to->max_tokens);
  LIMN_TRY(find_lookup(ctx, om, to->embedding, file));
  if (to->pad_id < 0 || (size_t)to->pad_id >= om->vocab)
    return limn__err(ctx, LIMN_EINVAL, "%s: the padding id %ld is outside the embedding table's %zu rows",
                     file, to->pad_id, om->vocab);
  LIMN_TRY(mark_dependence(ctx, &om->g, om->cut));
  if (!om->g.dep[om->g.output])
    return limn__err(ctx, LIMN_EFORMAT, "%s: the graph's output does not depend on its embedding lookup",
                     file);
  int64_t one = om->vocab > 1 ? 1 : 0;
  ox_feed feed = {&one, 1, NULL};
  run_state s = {0};
  om->k = 1;
  int rc = run_forward(ctx, om, NULL, 1, &s, &feed);
  if (!rc)
    om->k = s.vals[om->g.output].len;
  if (!rc && (s.vals[om->g.output].type != OX_FLOAT || !om->k))
    rc = limn__err(ctx, LIMN_ESHAPE, "the graph's output is not a float tensor with values");
  if (rc && rc != LIMN_ENOMEM)
    rc = limn__err_prefix(ctx, rc, "%s", file);
  run_free(ctx, &s);
  snprintf(om->pwl_why, sizeof om->pwl_why, "a text model");
  return rc;
}

/* ---- rows kept ----
 *
 * A classifier that reads one token's row at the end (x[:, 0] after the last layer: a
 * Gather of constant indices) needs the other tokens' rows of the last layer's query,
 * attention, feed-forward and norms for nothing. plan_rows finds, from the output back,
 * the rows each value must hold, and builds a second graph in which the nodes that can
 * (elementwise, MatMul's rows, Softmax and LayerNormalization over later axes, Transpose,
 * Reshape) make only those rows: their outputs hold the rows and record the cut
 * (ox_tensor rfull, rlo, raxis), and an OX_ROWS node cuts a whole value where such a node
 * reads it. Each kept row is computed by the same operations in the same order as in the
 * whole graph, so the outputs and gradients have the same bits. The plan comes from a
 * probe's shapes; each pass checks that the shapes it meets fit it (rows_fit in
 * onnx_ops.c) and runs the whole graph when they do not. */

static int rows_on = 1; /* limn__onnx_rows: plan_rows at load (tests compare with it off) */

void limn__onnx_rows(int on) { rows_on = on; }

enum { NEED_NONE, NEED_WHOLE, NEED_ROWS };
typedef struct rows_need {
  int kind;
  size_t axis, lo, hi; /* NEED_ROWS: rows lo .. hi - 1 along axis */
} rows_need;

static void need_join(rows_need *n, int kind, size_t axis, size_t lo, size_t hi) {
  if (kind == NEED_NONE || n->kind == NEED_WHOLE)
    return;
  if (kind == NEED_WHOLE || (n->kind == NEED_ROWS && (n->axis != axis || n->lo != lo || n->hi != hi)))
    n->kind = NEED_WHOLE;
  else
    n->kind = NEED_ROWS, n->axis = axis, n->lo = lo, n->hi = hi;
}

typedef struct probe_shape {
  int known;
  size_t rank, dim[OX_MAXRANK];
} probe_shape;

/* How an input p of an elementwise node with output y takes its rows along y's axis a:
 * broadcast along it, or cut along the axis lined up with it (*in_axis); 0 when neither. */
static int bcast_role(const probe_shape *p, const probe_shape *y, size_t a, unsigned char *role,
                      unsigned char *in_axis) {
  size_t r = y->rank;
  if (!p || !p->known || p->rank > r)
    return 0;
  size_t j = p->rank + a - r; /* the axis lined up with a, when it has one */
  if (p->rank + a < r || (p->dim[j] == 1 && y->dim[a] != 1)) {
    *role = ROWS_BCAST;
  } else if (p->dim[j] == y->dim[a] && j >= 1) {
    *role = ROWS_CUT, *in_axis = (unsigned char)j;
  } else {
    return 0;
  }
  return 1;
}

/* How node nd can make only rows along its output's axis a (never the batch axis 0):
 * each input's role (ROWS_CUT along in_axis, ROWS_BCAST, ROWS_WHOLE), from the probe's
 * shapes. 0 when it cannot. */
static int rows_rule(const ox_graph *g, const ox_node *nd, const probe_shape *ps, size_t a,
                     unsigned char *role, unsigned char *in_axis) {
  const probe_shape *y = nd->out[0] >= 0 ? &ps[nd->out[0]] : NULL;
  const probe_shape *x = nd->nin && nd->in[0] >= 0 ? &ps[nd->in[0]] : NULL;
  if (!y || !x || !y->known || !x->known || a == 0 || a >= y->rank)
    return 0;
  size_t r = y->rank;
  long ax = nd->axis < 0 ? nd->axis + (long)r : nd->axis;
  memset(role, ROWS_WHOLE, OX_MAXIN);
  memset(in_axis, 0, OX_MAXIN);
  switch (nd->op) {
  case OX_RELU:
  case OX_LEAKYRELU:
  case OX_SIGMOID:
  case OX_TANH:
  case OX_ERF:
  case OX_SQRT:
  case OX_NOT:
  case OX_CAST:
  case OX_IDENTITY:
  case OX_GELU: /* and its scalar constants, whole */
    if (x->rank != r || (nd->nin != 1 && nd->op != OX_GELU))
      return 0;
    role[0] = ROWS_CUT, in_axis[0] = (unsigned char)a;
    return 1;
  case OX_ADD:
  case OX_SUB:
  case OX_MUL:
  case OX_DIV:
  case OX_POW:
  case OX_EQUAL:
  case OX_WHERE: {
    int cut = 0;
    for (size_t k = 0; k < nd->nin; k++) {
      if (!bcast_role(nd->in[k] >= 0 ? &ps[nd->in[k]] : NULL, y, a, &role[k], &in_axis[k]))
        return 0;
      cut |= role[k] == ROWS_CUT;
    }
    return cut;
  }
  case OX_MATMUL: { /* rows of the product: rows of its first factor */
    const probe_shape *b = nd->nin == 2 && nd->in[1] >= 0 ? &ps[nd->in[1]] : NULL;
    if (a + 2 != r || x->rank < 3 || !b || !b->known || b->rank < 2)
      return 0;
    role[0] = ROWS_CUT, in_axis[0] = (unsigned char)(x->rank - 2);
    return 1;
  }
  case OX_SOFTMAX:
  case OX_LOGSOFTMAX:
  case OX_LAYERNORM:
    if (x->rank != r || ax <= (long)a || ax >= (long)r ||
        (nd->op == OX_LAYERNORM && nd->nout > 1 && (nd->out[1] >= 0 || (nd->nout > 2 && nd->out[2] >= 0))))
      return 0;
    role[0] = ROWS_CUT, in_axis[0] = (unsigned char)a;
    if (nd->op == OX_SOFTMAX && nd->pre && nd->in[2] >= 0) /* a folded mask (fold_softmax) */
      return bcast_role(&ps[nd->in[2]], y, a, &role[2], &in_axis[2]);
    return 1;
  case OX_TRANSPOSE: {
    if (x->rank != r || (nd->naxes && nd->naxes != r))
      return 0;
    int64_t i = nd->naxes ? nd->axes[a] : (int64_t)(r - 1 - a);
    if (i < 1 || i >= (int64_t)r)
      return 0;
    role[0] = ROWS_CUT, in_axis[0] = (unsigned char)i;
    return 1;
  }
  case OX_REDUCEMEAN:
  case OX_REDUCESUM: { /* over axes after the cut one, named by the node or a constant */
    const ox_tensor *c = nd->nin > 1 && nd->in[1] >= 0 ? &g->consts[nd->in[1]] : NULL;
    const int64_t *axes = c ? c->i : nd->axes;
    size_t na = c ? (c->type == OX_INT64 ? c->len : 0) : nd->naxes;
    if (!na) /* none given, or not a constant: every axis, or unknown */
      return 0;
    for (size_t q = 0; q < na; q++) {
      int64_t v = axes[q] < 0 ? axes[q] + (int64_t)x->rank : axes[q];
      if (v <= (int64_t)a || v >= (int64_t)x->rank)
        return 0;
    }
    role[0] = ROWS_CUT, in_axis[0] = (unsigned char)a;
    return 1;
  }
  case OX_RESHAPE: { /* an axis kept whole, with as many elements before it */
    size_t pre = 1, xpre = 1;
    for (size_t k = 0; k < a; k++)
      pre *= y->dim[k];
    for (size_t i = 0; i < x->rank; xpre *= x->dim[i], i++)
      if (i >= 1 && xpre == pre && x->dim[i] == y->dim[a]) {
        role[0] = ROWS_CUT, in_axis[0] = (unsigned char)i;
        return 1;
      }
    return 0;
  }
  default:
    return 0;
  }
}

static void rows_graph_free(limn_ctx *ctx, ox_graph *rg) { /* names, constants and node names are g's */
  limn__free(ctx, rg->names), limn__free(ctx, rg->consts), limn__free(ctx, rg->dep),
      limn__free(ctx, rg->nodes);
  memset(rg, 0, sizeof *rg);
}

/* om->rg from the plan: g's nodes, those in plan keeping rows (their roles in role and
 * in_axis, their rows in need), with an OX_ROWS node before each reader of a whole value
 * that it takes cut. */
static int rows_graph(limn_ctx *ctx, ox_model *om, const probe_shape *ps, const rows_need *need,
                      const unsigned char *plan, unsigned char (*role)[OX_MAXIN],
                      unsigned char (*in_axis)[OX_MAXIN]) {
  const ox_graph *g = &om->g;
  ox_graph *rg = &om->rg;
  size_t extra = 0;
  for (size_t k = 0; k < g->nnodes; k++)
    for (size_t q = 0; plan[k] && q < g->nodes[k].nin; q++)
      extra += role[k][q] == ROWS_CUT;
  unsigned char *made = limn__calloc(ctx, g->nvals, 1); /* values a planned node makes (cut) */
  rg->nodes = limn__alloc_array(ctx, g->nnodes + extra, sizeof *rg->nodes);
  rg->names = limn__alloc_array(ctx, g->nvals + extra, sizeof *rg->names);
  rg->consts = limn__calloc(ctx, g->nvals + extra, sizeof *rg->consts);
  rg->dep = limn__calloc(ctx, g->nvals + extra, 1);
  if (!made || !rg->nodes || !rg->names || !rg->consts || !rg->dep) {
    limn__free(ctx, made);
    rows_graph_free(ctx, rg);
    return LIMN_ENOMEM;
  }
  memcpy(rg->names, g->names, g->nvals * sizeof *rg->names);
  memcpy(rg->consts, g->consts, g->nvals * sizeof *rg->consts);
  memcpy(rg->dep, g->dep, g->nvals);
  rg->nvals = g->nvals, rg->input = g->input, rg->output = g->output, rg->opset = g->opset;
  for (size_t k = 0; k < g->nnodes; k++)
    if (plan[k])
      made[g->nodes[k].out[0]] = 1;
  for (size_t k = 0; k < g->nnodes; k++) {
    ox_node nd = g->nodes[k];
    if (plan[k]) {
      const rows_need *rn = &need[nd.out[0]];
      nd.rows = 1, nd.rows_axis = rn->axis, nd.rows_lo = rn->lo, nd.rows_hi = rn->hi;
      nd.rows_rank = ps[nd.out[0]].rank;
      memcpy(nd.rows_in, role[k], OX_MAXIN);
      memcpy(nd.rows_in_axis, in_axis[k], OX_MAXIN);
      for (size_t q = 0; q < nd.nin; q++) {
        int v = nd.in[q];
        if (role[k][q] != ROWS_CUT || made[v])
          continue;
        ox_node *cut = &rg->nodes[rg->nnodes++]; /* the whole value cut for this reader */
        int id = (int)rg->nvals++;
        memset(cut, 0, sizeof *cut);
        cut->op = OX_ROWS, cut->name = nd.name, cut->nin = 1, cut->nout = 1, cut->in[0] = v, cut->out[0] = id;
        cut->bias = -1, cut->nan_free = 1;
        cut->rows_axis = in_axis[k][q], cut->rows_lo = rn->lo, cut->rows_hi = rn->hi;
        cut->rows_rank = ps[v].rank;
        rg->names[id] = g->names[v], rg->dep[id] = g->dep[v];
        nd.in[q] = id;
      }
    }
    if (k == om->cut_node)
      om->rg_cut_node = rg->nnodes;
    rg->nodes[rg->nnodes++] = nd;
  }
  limn__free(ctx, made);
  return LIMN_OK;
}

/* The rows graph of a text model (om->rg), when its output reads only some rows of the
 * last values: the plan from shapes of a probe of 2 rows of min(7, max tokens) tokens. */
static int plan_rows(limn_ctx *ctx, ox_model *om) {
  const ox_graph *g = &om->g;
  size_t T = om->w < 7 ? om->w : 7, nv = g->nvals, nn = g->nnodes;
  if (T < 2 || !rows_on)
    return LIMN_OK;
  int64_t ids[14];
  for (size_t q = 0; q < 2 * T; q++) /* any token but padding, which masks may hide */
    ids[q] = (om->pad + 1) % (int64_t)om->vocab;
  ox_feed feed = {ids, T, NULL};
  run_state s = {0};
  probe_shape *ps = limn__calloc(ctx, nv, sizeof *ps);
  rows_need *need = limn__calloc(ctx, nv, sizeof *need);
  unsigned char *plan = limn__calloc(ctx, nn ? nn : 1, 1);
  unsigned char(*role)[OX_MAXIN] = limn__calloc(ctx, nn ? nn : 1, sizeof *role);
  unsigned char(*in_axis)[OX_MAXIN] = limn__calloc(ctx, nn ? nn : 1, sizeof *in_axis);
  int rc = ps && need && plan && role && in_axis ? LIMN_OK : LIMN_ENOMEM;
  if (!rc) {
    rc = run_forward(ctx, om, NULL, 2, &s, &feed);
    if (rc && rc != LIMN_ENOMEM) { /* shapes the probe does not meet: no plan */
      ctx->errmsg[0] = 0;
      nn = 0, rc = LIMN_OK;
    }
  }
  for (size_t v = 0; !rc && v < nv; v++)
    if (s.vals[v].type) {
      ps[v].known = 1, ps[v].rank = s.vals[v].rank;
      memcpy(ps[v].dim, s.vals[v].dim, sizeof ps[v].dim);
    }
  run_free(ctx, &s);
  /* from the output back: what each value must hold for its readers */
  size_t planned = 0;
  if (!rc && nn) {
    need[g->output].kind = need[om->cut].kind = need[g->input].kind = NEED_WHOLE;
    if (om->head == HEAD_SOFTMAX)
      need[om->logit].kind = NEED_WHOLE;
  }
  for (size_t k = nn; !rc && k-- > 0;) {
    const ox_node *nd = &g->nodes[k];
    if (nd->skip)
      continue;
    rows_need on = {NEED_WHOLE, 0, 0, 0};
    if (nd->nout - (size_t)nd->hidden == 1 && nd->out[0] >= 0 && need[nd->out[0]].kind != NEED_NONE)
      on = need[nd->out[0]];
    if (on.kind == NEED_ROWS && rows_rule(g, nd, ps, on.axis, role[k], in_axis[k])) {
      plan[k] = 1, planned++;
      for (size_t q = 0; q < nd->nin; q++)
        if (nd->in[q] >= 0)
          need_join(&need[nd->in[q]], role[k][q] == ROWS_CUT ? NEED_ROWS : NEED_WHOLE, in_axis[k][q], on.lo,
                    on.hi);
      continue;
    }
    if (nd->op == OX_SHAPE) /* reads the shape alone, which cut values keep */
      continue;
    const ox_tensor *ix =
        nd->op == OX_GATHER && nd->nin == 2 && nd->in[1] >= 0 ? &g->consts[nd->in[1]] : NULL;
    const probe_shape *px = nd->nin && nd->in[0] >= 0 ? &ps[nd->in[0]] : NULL;
    if (ix && ix->type == OX_INT64 && ix->len >= 1 && px->known && on.kind == NEED_WHOLE) {
      long ax = nd->axis < 0 ? nd->axis + (long)px->rank : nd->axis;
      int64_t lo = ix->i[0], hi = ix->i[0];
      for (size_t q = 1; q < ix->len; q++)
        lo = ix->i[q] < lo ? ix->i[q] : lo, hi = ix->i[q] > hi ? ix->i[q] : hi;
      if (ax >= 1 && ax < (long)px->rank && lo >= 0 && hi < (int64_t)px->dim[ax]) {
        need_join(&need[nd->in[0]], NEED_ROWS, (size_t)ax, (size_t)lo, (size_t)hi + 1);
        continue;
      }
    }
    for (size_t q = 0; q < nd->nin; q++)
      if (nd->in[q] >= 0)
        need_join(&need[nd->in[q]], NEED_WHOLE, 0, 0, 0);
  }
  if (!rc && planned)
    rc = rows_graph(ctx, om, ps, need, plan, role, in_axis);
  limn__free(ctx, ps), limn__free(ctx, need), limn__free(ctx, plan), limn__free(ctx, role);
  limn__free(ctx, in_axis);
  return rc;
}

void limn_text_model_opts_default(limn_text_model_opts *o) {
  if (!o)
    return;
  memset(o, 0, sizeof *o);
  o->max_tokens = 64;
  o->pad_id = 0;
  o->output = LIMN_ONNX_AUTO;
}

/* A table model (to NULL) or a text model. */
static int load_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name, const limn_schema *schema,
                    limn_onnx_output kind, const limn_text_model_opts *to, limn_model **out) {
  if (!ctx || !out || (!buf && len))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_model_load_onnx_mem: NULL output or bytes") : LIMN_EINVAL;
  *out = NULL;
  const char *file = name ? name : "(memory)";
  ProtobufCAllocator al = {pb_alloc, pb_free, ctx};
  Onnx__ModelProto *mp = onnx__model_proto__unpack(&al, len, buf);
  if (!mp)
    return limn__err(ctx, LIMN_EFORMAT, "%s: not an ONNX model (the protocol buffer does not parse)", file);
  ox_model *om = limn__calloc(ctx, 1, sizeof *om);
  limn_schema *own = NULL;
  limn_model *m = NULL;
  int rc, has_target = schema && limn_schema_target_name(schema);
  if (!om) {
    rc = LIMN_ENOMEM;
    goto fail;
  }
  om->owner = ctx;
  om->lock_ok = pthread_mutex_init(&om->lock, NULL) == 0;
  LIMN_CHECK(build_graph(ctx, mp, file, &om->g));
  int ids = input_elem_type(mp->graph, om->g.names[om->g.input]) == 7; /* INT64 */
  LIMN_FAIL_IF(
      ids && !to, ctx, LIMN_EUNSUPPORTED,
      "%s: the graph takes int64 token ids: load it as a text model (--texts; limn_model_load_onnx_text)",
      file);
  LIMN_FAIL_IF(to && !ids, ctx, LIMN_EFORMAT, "%s: a text model's input must be int64 token ids (N, T)",
               file);
  LIMN_FAIL_IF(!to && om->g.dep && !om->g.dep[om->g.output], ctx, LIMN_EFORMAT,
               "%s: the graph's output does not depend on its input", file);
  choose_head(om, schema, kind);
  if (to) {
    LIMN_CHECK(text_layout(ctx, om, to, file));
    LIMN_CHECK(transpose_weights(ctx, &om->g));
    LIMN_CHECK(plan_rows(ctx, om));
  } else {
    LIMN_CHECK(input_layout(ctx, om, mp->graph, schema, file));
    LIMN_CHECK(probe_output(ctx, om, file));
  }
  if (fold_on) { /* after the rows plan, which reads the unfolded graph */
    size_t *uses = limn__calloc(ctx, state_vals(om) + 1, sizeof *uses);
    LIMN_FAIL_IF(!uses, ctx, LIMN_ENOMEM, "out of memory");
    fold_transposes(&om->g, uses);
    if (om->rg.nodes)
      fold_transposes(&om->rg, uses);
    limn__free(ctx, uses);
  }
  LIMN_CHECK(check_target(ctx, om, schema, file));
  if (om->k == 1 && kind == LIMN_ONNX_AUTO && !has_target)
    om->head = HEAD_VALUE; /* one output and nothing says classes: a value */
  if (to && to->classes) { /* the text model's classes named */
    LIMN_FAIL_IF(to->nclasses != om->k, ctx, LIMN_ESHAPE, "%s: %zu class names for the graph's %zu outputs",
                 file, to->nclasses, om->k);
    limn_schema *like = NULL;
    LIMN_CHECK(limn_schema_create(ctx, &like));
    rc = limn_schema_set_target(ctx, like, "class", LIMN_TASK_CLASSIFICATION, to->classes, to->nclasses);
    if (!rc)
      rc = numbered_schema(ctx, NULL, "t", om->d, like, om->k, 0, &own);
    limn_schema_free(like);
    if (rc)
      goto fail;
  } else if (to) {
    LIMN_CHECK(numbered_schema(ctx, NULL, "t", om->d, NULL, om->k, om->head == HEAD_VALUE, &own));
  } else if (!has_target) {
    LIMN_CHECK(numbered_schema(ctx, schema, "x", om->d, NULL, om->k, om->head == HEAD_VALUE, &own));
  }
  if (!to)
    LIMN_CHECK(build_pwl(ctx, om));
  LIMN_CHECK(limn__model_new(ctx, to ? "onnx-text" : "onnx", own ? own : schema, om->d, om->k,
                             to ? &ox_text_vt : &ox_vt, &m));
  m->impl = om;
  limn_sha256(buf, len, m->sha256);
  *out = m;
  om = NULL;
  m = NULL;
fail:
  onnx__model_proto__free_unpacked(mp, &al);
  limn_schema_free(own);
  if (om) {
    cache_free(om);
    rows_graph_free(ctx, &om->rg);
    graph_free(ctx, &om->g);
    pwl_free(ctx, om->pwl);
    limn__free(ctx, om->slot_of);
    limn__free(ctx, om->ncat);
    limn__free(ctx, om);
  }
  limn_model_free(m);
  return rc;
}

int limn_model_load_onnx_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                             const limn_schema *schema, limn_onnx_output kind, limn_model **out) {
  return load_mem(ctx, buf, len, name, schema, kind, NULL, out);
}

int limn_model_load_onnx_text_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                                  const limn_text_model_opts *opts, limn_model **out) {
  limn_text_model_opts d;
  limn_text_model_opts_default(&d);
  return load_mem(ctx, buf, len, name, NULL, opts ? opts->output : d.output, opts ? opts : &d, out);
}

int limn_model_load_onnx_text(limn_ctx *ctx, const char *path, const limn_text_model_opts *opts,
                              limn_model **out) {
  if (!ctx || !path || !out)
    return LIMN_EINVAL;
  *out = NULL;
  char *buf = NULL;
  size_t len = 0;
  const limn__input in = {"an ONNX graph", 1, 0, limn_model_is_onnx};
  LIMN_TRY(limn__read_input(ctx, path, &in, &buf, &len));
  int rc = limn_model_load_onnx_text_mem(ctx, buf, len, path, opts, out);
  limn__free(ctx, buf);
  return rc;
}

int limn_model_load_onnx(limn_ctx *ctx, const char *path, const limn_schema *schema, limn_onnx_output kind,
                         limn_model **out) {
  if (!ctx || !path || !out)
    return LIMN_EINVAL;
  *out = NULL;
  char *buf = NULL;
  size_t len = 0;
  const limn__input in = {"an ONNX graph", 1, 0, limn_model_is_onnx};
  LIMN_TRY(limn__read_input(ctx, path, &in, &buf, &len));
  int rc = limn_model_load_onnx_mem(ctx, buf, len, path, schema, kind, out);
  limn__free(ctx, buf);
  return rc;
}

/* ---- the penultimate layer (the report's map of an image model) ---- */

int limn__onnx_penultimate(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, float **out,
                           size_t *width, const char **name) {
  const ox_model *om = m && m->vt == &ox_vt ? m->impl : NULL;
  *out = NULL, *width = 0;
  if (!om || om->w != om->d || !n)
    return LIMN_ENOTFOUND;
  const ox_graph *g = &om->g;
  int v = -1;
  for (size_t k = g->nnodes; k-- > 0 && v < 0;) { /* the input of the last dense layer */
    const ox_node *nd = &g->nodes[k];
    if ((nd->op == OX_GEMM || nd->op == OX_MATMUL) && nd->nin > 1 && nd->in[1] >= 0 &&
        g->consts[nd->in[1]].type == OX_FLOAT && nd->in[0] >= 0 && g->dep[nd->in[0]])
      v = nd->in[0];
  }
  if (v < 0 || v == g->input)
    return LIMN_ENOTFOUND;
  if (name)
    *name = g->names[v] ? g->names[v] : "";
  run_state s = cache_take(ctx, om);
  int rc = LIMN_OK;
  for (size_t r = 0; r < n && !rc; r += OX_CHUNK) {
    size_t c = n - r < OX_CHUNK ? n - r : OX_CHUNK;
    rc = run_forward(ctx, om, x + r * om->w, c, &s, NULL);
    const ox_tensor *t = rc ? NULL : &s.vals[v];
    if (!rc && (t->type != OX_FLOAT || t->len % c))
      rc = LIMN_ENOTFOUND;
    if (!rc && !*out) {
      *width = t->len / c;
      if (!(*out = limn__alloc_array(ctx, n, *width * sizeof(float))))
        rc = LIMN_ENOMEM;
    }
    if (!rc && t->len / c != *width)
      rc = LIMN_ENOTFOUND;
    if (!rc)
      memcpy(*out + r * *width, t->f, c * *width * sizeof(float));
  }
  if (rc) {
    run_free(ctx, &s);
    limn__free(ctx, *out);
    *out = NULL, *width = 0;
  } else {
    cache_give(ctx, om, &s);
  }
  return rc;
}

/* ---- randomised layers (the sanity check of Adebayo et al. 2018) ---- */

/* t's values re-drawn from a normal of their own mean and standard deviation. */
int limn__onnx_randomize(limn_ctx *ctx, limn_model *m, size_t nlayers, uint64_t seed, size_t *done) {
  ox_model *om = m && m->vt == &ox_vt ? m->impl : NULL;
  *done = 0;
  if (!om)
    return LIMN_EUNSUPPORTED;
  ox_graph *g = &om->g;
  for (size_t k = g->nnodes; k-- > 0 && *done < nlayers;) {
    const ox_node *nd = &g->nodes[k];
    int w = nd->nin > 1 ? nd->in[1] : -1;
    if ((nd->op != OX_CONV && nd->op != OX_GEMM && nd->op != OX_MATMUL) || w < 0 ||
        g->consts[w].type != OX_FLOAT)
      continue;
    limn__redraw_normal(g->consts[w].f, g->consts[w].len, seed, 2 * *done);
    int b = nd->op == OX_MATMUL ? nd->bias : nd->nin > 2 ? nd->in[2] : -1;
    if (b >= 0 && g->consts[b].type == OX_FLOAT)
      limn__redraw_normal(g->consts[b].f, g->consts[b].len, seed, 2 * *done + 1);
    (*done)++;
  }
  pwl_free(m->ctx, om->pwl); /* the graph as an MLP, again from the new weights */
  om->pwl = NULL;
  return build_pwl(ctx, om); /* not a text model: no transposes (bt) to make again */
}

/* ---- Grad-CAM ---- */

int limn__onnx_image_shape(limn_ctx *ctx, const limn_model *m, size_t *c, size_t *h, size_t *w) {
  const ox_model *om = m && m->vt == &ox_vt ? m->impl : NULL;
  if (!om || om->in_rank != 4)
    return limn__err(ctx, LIMN_EUNSUPPORTED,
                     "Grad-CAM needs an ONNX image model (an input declared (N, C, H, W)) and its layers");
  *c = om->in_dim[1], *h = om->in_dim[2], *w = om->in_dim[3];
  return LIMN_OK;
}

/* The value Grad-CAM reads: named, or the output of the last Conv. */
static int cam_value(limn_ctx *ctx, const ox_graph *g, const char *layer, int *v) {
  *v = -1;
  for (size_t k = g->nnodes; k-- > 0 && !layer && *v < 0;)
    if (g->nodes[k].op == OX_CONV)
      *v = g->nodes[k].out[0];
  for (size_t q = 0; layer && q < g->nvals && *v < 0; q++)
    if (g->names[q] && !strcmp(g->names[q], layer))
      *v = (int)q;
  int made = *v >= 0 && *v == g->input; /* or by a node that runs (not one folded into another) */
  for (size_t k = 0; *v >= 0 && k < g->nnodes && !made; k++)
    for (size_t q = 0; !g->nodes[k].skip && q < g->nodes[k].nout; q++)
      made |= g->nodes[k].out[q] == *v;
  if (*v >= 0 && !g->consts[*v].type && g->dep[*v] && made)
    return LIMN_OK;
  char list[600];
  size_t at = 0;
  list[0] = 0;
  for (size_t k = 0; k < g->nnodes && at + 80 < sizeof list; k++)
    if (g->nodes[k].op == OX_CONV && g->names[g->nodes[k].out[0]])
      at += (size_t)snprintf(list + at, sizeof list - at, "%s'%.60s'", at ? ", " : "",
                             g->names[g->nodes[k].out[0]]);
  if (!layer)
    return limn__err(ctx, LIMN_ENOTFOUND, "Grad-CAM: the graph has no convolution; name a layer");
  return limn__err(ctx, LIMN_ENOTFOUND,
                   "Grad-CAM: the graph computes no value '%s' from its input (its convolutions: %s)", layer,
                   at ? list : "none");
}

int limn_model_gradcam(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const char *layer,
                       const long *targets, long target, limn_space space, int plusplus, float *maps,
                       size_t cap, size_t *h, size_t *w) {
  return limn__onnx_gradcam(ctx, m, x, n, layer, targets, target, space, plusplus, maps, cap, h, w, NULL);
}

int limn__onnx_gradcam(limn_ctx *ctx, const limn_model *m, const float *x, size_t n, const char *layer,
                       const long *targets, long target, limn_space space, int plusplus, float *maps,
                       size_t cap, size_t *h, size_t *w, float *outputs) {
  *h = *w = 0;
  if (!m || m->vt != &ox_vt)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "Grad-CAM needs an ONNX image model (its layers' activations)");
  const ox_model *om = m->impl;
  if (om->w != om->d)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "Grad-CAM: the model's columns are not all numeric");
  int v;
  LIMN_TRY(cam_value(ctx, &om->g, layer, &v));
  if (!maps) /* the layer's size only: one row through */
    n = n < 1 ? n : 1;
  size_t k = om->k;
  float *wt = limn__calloc(ctx, (n < OX_CHUNK ? n : OX_CHUNK) * k + 1, sizeof(float));
  run_state s = cache_take(ctx, om);
  int rc = wt ? LIMN_OK : limn__err(ctx, LIMN_ENOMEM, "out of memory");
  for (size_t r = 0; r < n && !rc; r += OX_CHUNK) {
    size_t c = n - r < OX_CHUNK ? n - r : OX_CHUNK;
    memset(wt, 0, c * k * sizeof *wt);
    for (size_t i = 0; i < c && !rc; i++) {
      long t = targets ? targets[r + i] : target;
      if (t < 0 || (size_t)t >= k)
        rc = limn__err(ctx, LIMN_EINVAL, "Grad-CAM: row %zu: output %ld of %zu", r + i, t, k);
      else
        wt[i * k + (size_t)t] = 1.0f;
    }
    if (!rc)
      rc = ox_vjp_chunk(ctx, om, &s, x + r * om->w, c, wt, space, NULL,
                        outputs && maps ? outputs + r * k : NULL, NULL, v); /* back to the layer only */
    const ox_tensor *A = rc ? NULL : &s.vals[v], *G = rc ? NULL : &s.grads[v];
    if (!rc && (A->type != OX_FLOAT || A->rank != 4 || A->dim[0] != c))
      rc = limn__err(ctx, LIMN_ESHAPE, "Grad-CAM: value '%s' is not a stack of maps (N, C, h, w)",
                     om->g.names[v] ? om->g.names[v] : "?");
    if (rc)
      break;
    size_t C = A->dim[1], H = A->dim[2], W = A->dim[3], hw = H * W;
    *h = H, *w = W;
    if (!maps)
      break;
    if (cap / (hw ? hw : 1) < n) {
      rc = limn__err(ctx, LIMN_ESHAPE, "Grad-CAM: %zu maps of %zu x %zu need %zu floats, room for %zu", n, H,
                     W, n * hw, cap);
      break;
    }
    for (size_t i = 0; i < c; i++) {
      float *out = maps + (r + i) * hw;
      double *acc = limn__calloc(ctx, hw ? hw : 1, sizeof(double));
      if (!acc) {
        rc = limn__err(ctx, LIMN_ENOMEM, "out of memory");
        break;
      }
      for (size_t ch = 0; ch < C; ch++) {
        const float *a = A->f + (i * C + ch) * hw, *g = G->type == OX_FLOAT ? G->f + (i * C + ch) * hw : NULL;
        double alpha = 0;
        if (g && !plusplus) {
          for (size_t q = 0; q < hw; q++)
            alpha += g[q];
          alpha /= (double)hw;
        } else if (g) {
          double sa = 0;
          for (size_t q = 0; q < hw; q++)
            sa += a[q];
          for (size_t q = 0; q < hw; q++) {
            double g2 = (double)g[q] * g[q], den = 2.0 * g2 + sa * g2 * g[q];
            double wq = den != 0.0 ? g2 / den : 0.0;
            alpha += wq * (g[q] > 0 ? g[q] : 0.0);
          }
        }
        for (size_t q = 0; q < hw; q++)
          acc[q] += alpha * a[q];
      }
      for (size_t q = 0; q < hw; q++)
        out[q] = acc[q] > 0 ? (float)acc[q] : 0.0f;
      limn__free(ctx, acc);
    }
  }
  if (rc)
    run_free(ctx, &s);
  else
    cache_give(ctx, om, &s);
  limn__free(ctx, wt);
  return rc;
}

void limn__onnx_describe(const limn_model *m, FILE *f) {
  const ox_model *om = m->impl;
  static const char *heads[] = {"probabilities (a final Softmax; its input as logits)", "probabilities",
                                "logits (limn applies softmax)", "a value"};
  size_t count[OX_NOPS] = {0}, folded = 0;
  for (size_t k = 0; k < om->g.nnodes; k++) { /* the file's operators (OX_GELU took a Mul's place) */
    count[om->g.nodes[k].op == OX_GELU ? OX_MUL : om->g.nodes[k].op]++;
    folded += om->g.nodes[k].skip;
  }
  fprintf(f, "graph:       opset %ld, %zu nodes:", om->g.opset, om->g.nnodes);
  for (int o = 0; o < OX_NOPS; o++)
    if (count[o])
      fprintf(f, " %s %zu", limn__ox_op_name((ox_op)o), count[o]);
  if (folded)
    fprintf(f,
            " (%zu folded into others: a bias or Relu into its product, GELU's steps into one node, an "
            "attention's scale and mask into its Softmax)",
            folded);
  fprintf(f, "\noutput:      %s\n", heads[om->head]);
}

/* ---- a text model's internals for its explainers ---- */

const float *limn__onnx_text_table(const limn_model *m) {
  const ox_model *om = text_of(m);
  return om ? om->g.consts[om->g.nodes[om->cut_node].in[0]].f : NULL;
}

int limn__onnx_attention(limn_ctx *ctx, const limn_model *m, const float *row, float **att, size_t *layers,
                         size_t *heads, size_t *T) {
  const ox_model *om = text_of(m);
  *att = NULL, *layers = *heads = *T = 0;
  if (!om)
    return limn__err(ctx, LIMN_EINVAL, "attention: not a text model");
  size_t L = row_length(om, row), H = 0, nl = 0;
  int64_t *ids = limn__alloc_array(ctx, L, sizeof *ids);
  run_state s = {0};
  int rc = ids ? row_ids(ctx, om, row, 0, L, ids) : LIMN_ENOMEM;
  ox_feed feed = {ids, L, NULL};
  if (!rc)
    rc = run_forward(ctx, om, NULL, 1, &s, &feed);
  /* the attention weights: Softmax outputs (1, H, L, L), in graph order */
  for (size_t k = 0; k < om->g.nnodes && !rc; k++) {
    const ox_node *nd = &om->g.nodes[k];
    const ox_tensor *y = &s.vals[nd->out[0]];
    if (nd->skip || nd->op != OX_SOFTMAX || y->type != OX_FLOAT || y->rank != 4 || y->dim[0] != 1 ||
        y->dim[2] != L || y->dim[3] != L || (H && y->dim[1] != H))
      continue;
    H = y->dim[1];
    float *grown = limn__realloc(ctx, *att, (nl + 1) * H * L * L * sizeof **att);
    if (!grown) {
      rc = LIMN_ENOMEM;
      break;
    }
    *att = grown;
    memcpy(*att + nl * H * L * L, y->f, H * L * L * sizeof **att);
    nl++;
  }
  if (!rc && !nl)
    rc = limn__err(
        ctx, LIMN_ENOTFOUND,
        "attention: the graph has no Softmax over (heads, tokens, tokens) for a text of %zu tokens", L);
  run_free(ctx, &s);
  limn__free(ctx, ids);
  if (rc) {
    limn__free(ctx, *att);
    *att = NULL;
    return rc;
  }
  *layers = nl, *heads = H, *T = L;
  return LIMN_OK;
}

long limn__onnx_text_pad(const limn_model *m) {
  const ox_model *om = text_of(m);
  return om ? (long)om->pad : 0;
}

size_t limn__onnx_rows_planned(const limn_model *m) {
  const ox_model *om = text_of(m);
  size_t c = 0;
  for (size_t k = 0; om && k < om->rg.nnodes; k++)
    c += om->rg.nodes[k].rows;
  return c;
}

size_t limn__onnx_folded(const limn_model *m) {
  const ox_model *om = m && (m->vt == &ox_vt || m->vt == &ox_text_vt) ? m->impl : NULL;
  size_t c = 0;
  for (size_t k = 0; om && k < om->g.nnodes; k++) {
    const ox_node *nd = &om->g.nodes[k];
    c += !nd->skip &&
         (nd->op == OX_GELU || (nd->op == OX_SOFTMAX && nd->pre) || (nd->op == OX_LAYERNORM && nd->hidden) ||
          (nd->op == OX_MATMUL && (nd->tview[0] || nd->tview[1] || nd->tview[2])));
  }
  return c;
}

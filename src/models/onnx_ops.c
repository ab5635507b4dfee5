/* ONNX operators, forward and backward (docs/onnx.md lists them with their
 * semantics). Float tensors are float32 as in the graphs; shape tensors int64. Every
 * operator computes each batch row from that row alone, in a fixed order, so a row's
 * result does not depend on the batch it came in. */
#include "../linalg/linalg.h"
#include "onnx_internal.h"
#include <float.h>
#include <math.h>
#include <string.h>

static const char *op_names[OX_NOPS] = {"Gemm",
                                        "MatMul",
                                        "Add",
                                        "Sub",
                                        "Mul",
                                        "Div",
                                        "Relu",
                                        "LeakyRelu",
                                        "Sigmoid",
                                        "Tanh",
                                        "Softmax",
                                        "LogSoftmax",
                                        "Flatten",
                                        "Reshape",
                                        "Identity",
                                        "Dropout",
                                        "Cast",
                                        "Shape",
                                        "Gather",
                                        "Unsqueeze",
                                        "Concat",
                                        "Conv",
                                        "MaxPool",
                                        "AveragePool",
                                        "Pad",
                                        "BatchNormalization",
                                        "GlobalAveragePool",
                                        "Clip",
                                        "HardSigmoid",
                                        "HardSwish",
                                        "Transpose",
                                        "LayerNormalization",
                                        "Erf",
                                        "Equal",
                                        "Not",
                                        "Where",
                                        "Slice",
                                        "Sqrt",
                                        "Pow",
                                        "ReduceMean",
                                        "ReduceSum",
                                        "Squeeze",
                                        "Split",
                                        "Expand",
                                        "ConstantOfShape",
                                        "Resize",
                                        "(rows)",
                                        "Gelu (folded)"};

const char *limn__ox_op_name(ox_op op) { return op < OX_NOPS ? op_names[op] : "?"; }

int limn__ox_op_parse(const char *name, ox_op *op) {
  for (int k = 0; k < OX_ROWS; k++) /* OX_ROWS is ours, never read from a file */
    if (!strcmp(name, op_names[k])) {
      *op = (ox_op)k;
      return LIMN_OK;
    }
  return LIMN_ENOTFOUND;
}

void limn__ox_free(limn_ctx *ctx, ox_tensor *t) {
  if (!t->borrowed) {
    limn__free(ctx, t->f);
    limn__free(ctx, t->i);
  }
  memset(t, 0, sizeof *t);
}

int limn__ox_alloc(limn_ctx *ctx, ox_tensor *t, int type, size_t rank, const size_t *dim) {
  if (t->borrowed)
    memset(t, 0, sizeof *t);
  if (rank > OX_MAXRANK)
    return limn__err(ctx, LIMN_ESHAPE, "tensor of rank %zu (at most %d)", rank, OX_MAXRANK);
  size_t len = 1;
  for (size_t r = 0; r < rank; r++) {
    t->dim[r] = dim[r];
    if (!limn__mul_ok(len, dim[r], &len) || len > OX_MAX_ELEMENTS)
      return limn__err(ctx, LIMN_ESHAPE, "its output would have more than %d elements (the limit per tensor)",
                       OX_MAX_ELEMENTS);
  }
  t->type = OX_NONE;
  if (type == OX_FLOAT && (t->cap_f < len || !t->f)) {
    limn__free(ctx, t->f);
    t->cap_f = 0;
    if (!(t->f = limn__alloc_array(ctx, len ? len : 1, sizeof(float))))
      return LIMN_ENOMEM;
    t->cap_f = len;
  } else if (type == OX_INT64 && (t->cap_i < len || !t->i)) {
    limn__free(ctx, t->i);
    t->cap_i = 0;
    if (!(t->i = limn__alloc_array(ctx, len ? len : 1, sizeof(int64_t))))
      return LIMN_ENOMEM;
    t->cap_i = len;
  }
  t->rank = rank;
  t->len = len;
  t->type = type;
  t->rfull = 0; /* whole until the pass says otherwise */
  return LIMN_OK;
}

const char *limn__ox_label(const ox_node *nd, char *buf, size_t cap) {
  /* an unnamed node's name is already its label: "node 3 '(unnamed)'" */
  snprintf(buf, cap, strncmp(nd->name, "node ", 5) ? "node '%.200s' (%s)" : "%.200s (%s)", nd->name,
           limn__ox_op_name(nd->op));
  return buf;
}

static int node_err(limn_ctx *ctx, const ox_node *nd, int rc) {
  char lb[300];
  return limn__err_prefix(ctx, rc, "%s", limn__ox_label(nd, lb, sizeof lb));
}
#define NODE_ERR(code, ...) node_err(ctx, nd, limn__err(ctx, code, __VA_ARGS__))

static const ox_tensor *IN(const ox_node *nd, const ox_tensor *vals, size_t k) {
  return k < nd->nin && nd->in[k] >= 0 ? &vals[nd->in[k]] : NULL;
}

/* g += d (n floats); fresh: g unwritten, 0.0f + d. */
LIMN_CLONES_WIDE static void add_term(float *restrict g, const float *restrict d, size_t n, int fresh) {
  if (fresh)
    for (size_t q = 0; q < n; q++)
      g[q] = 0.0f + d[q];
  else
    for (size_t q = 0; q < n; q++)
      g[q] += d[q];
}

/* ---- broadcasting ---- */

/* Output shape of a and b under numpy broadcasting; per-input strides over it (0 on
 * broadcast dimensions). */
static int broadcast(const ox_tensor *a, const ox_tensor *b, size_t *rank, size_t *dim, size_t *sa,
                     size_t *sb) {
  size_t r = a->rank > b->rank ? a->rank : b->rank;
  for (size_t k = 0; k < r; k++) {
    size_t da = k + a->rank >= r ? a->dim[k + a->rank - r] : 1,
           db = k + b->rank >= r ? b->dim[k + b->rank - r] : 1;
    if (da != db && da != 1 && db != 1)
      return 0;
    dim[k] = da > db ? da : db;
    if (da == 0 || db == 0)
      dim[k] = 0;
  }
  size_t stra = 1, strb = 1;
  for (size_t k = r; k-- > 0;) {
    size_t da = k + a->rank >= r ? a->dim[k + a->rank - r] : 1,
           db = k + b->rank >= r ? b->dim[k + b->rank - r] : 1;
    sa[k] = da == 1 ? 0 : stra;
    sb[k] = db == 1 ? 0 : strb;
    stra *= da;
    strb *= db;
  }
  *rank = r;
  return 1;
}

/* Offsets into a and b of output element q. */
static void offsets(size_t q, size_t rank, const size_t *dim, const size_t *sa, const size_t *sb, size_t *oa,
                    size_t *ob) {
  size_t a = 0, b = 0;
  for (size_t k = rank; k-- > 0;) {
    size_t c = q % dim[k];
    q /= dim[k];
    a += c * sa[k];
    b += c * sb[k];
  }
  *oa = a, *ob = b;
}

/* o[c] = U op V for c < w, the operation fixed for each loop (so it vectorises). */
#define BINARY_LOOP(op, U, V)                                                                                \
  do {                                                                                                       \
    switch (op) {                                                                                            \
    case OX_ADD:                                                                                             \
      for (size_t c = 0; c < w; c++)                                                                         \
        o[c] = (U) + (V);                                                                                    \
      break;                                                                                                 \
    case OX_SUB:                                                                                             \
      for (size_t c = 0; c < w; c++)                                                                         \
        o[c] = (U) - (V);                                                                                    \
      break;                                                                                                 \
    case OX_MUL:                                                                                             \
      for (size_t c = 0; c < w; c++)                                                                         \
        o[c] = (U) * (V);                                                                                    \
      break;                                                                                                 \
    default:                                                                                                 \
      for (size_t c = 0; c < w; c++)                                                                         \
        o[c] = (U) / (V);                                                                                    \
    }                                                                                                        \
  } while (0)

LIMN_CLONES_WIDE static int binary_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *a,
                                       const ox_tensor *b, ox_tensor *y) {
  size_t rank, dim[OX_MAXRANK], sa[OX_MAXRANK], sb[OX_MAXRANK];
  if (!broadcast(a, b, &rank, dim, sa, sb))
    return NODE_ERR(LIMN_ESHAPE, "shapes do not broadcast");
  int type = a->type == OX_INT64 && b->type == OX_INT64 ? OX_INT64 : OX_FLOAT;
  if (a->type != b->type)
    return NODE_ERR(LIMN_EUNSUPPORTED, "mixed element types");
  LIMN_TRY(limn__ox_alloc(ctx, y, type, rank, dim));
  if (type == OX_FLOAT && a->len == y->len &&
      (b->len == y->len || (b->len == dim[rank - 1] && b->rank <= 1) || b->len == 1)) {
    /* a full; b full, a row vector over the last axis, or a scalar: no index arithmetic */
    size_t w = b->len == y->len || b->len == 1 ? y->len : b->len, rows = w ? y->len / w : 0;
    for (size_t r = 0; r < rows; r++) {
      const float *u = a->f + r * w, *v = b->len == y->len ? b->f + r * w : b->f;
      float *o = y->f + r * w, v0 = v[0];
      if (b->len == 1 && y->len != 1)
        BINARY_LOOP(nd->op, u[c], v0);
      else
        BINARY_LOOP(nd->op, u[c], v[c]);
    }
    return LIMN_OK;
  }
  if (type == OX_FLOAT && rank >= 1 && dim[rank - 1]) {
    /* along the last axis, each operand steps by 0 or 1: index arithmetic once a row */
    size_t w = dim[rank - 1], rows = y->len / w, ia = sa[rank - 1], ib = sb[rank - 1];
    for (size_t r = 0; r < rows; r++) {
      size_t oa, ob;
      offsets(r * w, rank, dim, sa, sb, &oa, &ob);
      const float *u = a->f + oa, *v = b->f + ob;
      float *o = y->f + r * w;
      float u0 = u[0], v0 = v[0];
      if (ia && ib)
        BINARY_LOOP(nd->op, u[c], v[c]);
      else if (ia)
        BINARY_LOOP(nd->op, u[c], v0);
      else if (ib)
        BINARY_LOOP(nd->op, u0, v[c]);
      else
        BINARY_LOOP(nd->op, u0, v0);
    }
    return LIMN_OK;
  }
  for (size_t q = 0; q < y->len; q++) {
    size_t oa, ob;
    offsets(q, rank, dim, sa, sb, &oa, &ob);
    if (type == OX_INT64) {
      int64_t u = a->i[oa], v = b->i[ob];
      y->i[q] = nd->op == OX_ADD   ? u + v
                : nd->op == OX_SUB ? u - v
                : nd->op == OX_MUL ? u * v
                : v                ? u / v
                                   : 0;
    } else {
      float u = a->f[oa], v = b->f[ob];
      y->f[q] = nd->op == OX_ADD ? u + v : nd->op == OX_SUB ? u - v : nd->op == OX_MUL ? u * v : u / v;
    }
  }
  return LIMN_OK;
}

/* ---- matrix products ---- */

static int gemm_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *a, const ox_tensor *b,
                    const ox_tensor *c, ox_tensor *y) {
  if (a->type != OX_FLOAT || b->type != OX_FLOAT || a->rank != 2 || b->rank != 2)
    return NODE_ERR(LIMN_ESHAPE, "needs two float matrices");
  size_t M = nd->trans_a ? a->dim[1] : a->dim[0], K = nd->trans_a ? a->dim[0] : a->dim[1];
  size_t Kb = nd->trans_b ? b->dim[1] : b->dim[0], N = nd->trans_b ? b->dim[0] : b->dim[1];
  if (K != Kb)
    return NODE_ERR(LIMN_ESHAPE, "inner dimensions %zu and %zu differ", K, Kb);
  size_t dim[2] = {M, N};
  LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, 2, dim));
  if (M && N && K)
    limn__sgemm_portable(nd->trans_a, nd->trans_b, M, N, K, nd->alpha, a->f, a->dim[1], b->f, b->dim[1], 0.0f,
                         y->f, N);
  else
    memset(y->f, 0, y->len * sizeof(float));
  if (c) {
    size_t rank, bd[OX_MAXRANK], sy[OX_MAXRANK], sc[OX_MAXRANK];
    if (c->type != OX_FLOAT || !broadcast(y, c, &rank, bd, sy, sc) || rank != 2 || bd[0] != M || bd[1] != N)
      return NODE_ERR(LIMN_ESHAPE, "C does not broadcast to (%zu, %zu)", M, N);
    for (size_t q = 0; q < y->len; q++) {
      size_t oy, oc;
      offsets(q, rank, bd, sy, sc, &oy, &oc);
      y->f[q] += nd->beta * c->f[oc];
    }
  }
  return LIMN_OK;
}

/* A batched MatMul (numpy's matmul of rank >= 2 operands): the batch dimensions
 * (all but the last two) broadcast; for output batch q, the batch of a and of b it
 * reads. */
typedef struct mm_batch {
  size_t rank, nb, M, K, N; /* output rank, batches, matrix sizes */
  size_t dim[OX_MAXRANK];   /* the output's */
  size_t sa[OX_MAXRANK], sb[OX_MAXRANK];
  /* a, b and y as stored: with ox_node tview 1, a rank-4 value whose axes 1 and 2 the
   * product reads (writes) swapped, so that a batch's matrix is rows of `ld` floats apart
   * (the heads dimension h: axis 1 as the product sees it); tview[1] 2: b is read as
   * perm (0, 2, 3, 1) of a rank-4 value, whose rows then hold b's columns (b^T in place) */
  int tv[3];
  size_t h[3];
} mm_batch;

/* The offset and leading dimension of matrix q (of rows x cols) of operand i. */
static size_t mm_at(const mm_batch *m, int i, size_t q, size_t rows, size_t cols, size_t *ld) {
  if (!m->tv[i]) {
    *ld = cols;
    return q * rows * cols;
  }
  size_t h = m->h[i];
  if (m->tv[i] == 2) { /* the matrix's transpose (cols x rows) in place, rows h rows apart */
    *ld = h * rows;
    return q / h * (cols * h * rows) + q % h * rows;
  }
  *ld = h * cols;
  return q / h * (rows * h * cols) + q % h * cols;
}

/* t as the product sees it: axes 1 and 2 swapped when it is a view (rank 4 checked). */
static int mm_view(limn_ctx *ctx, const ox_node *nd, const ox_tensor *t, int tv, ox_tensor *v) {
  *v = *t;
  if (!tv)
    return LIMN_OK;
  if (t->rank != 4)
    return NODE_ERR(LIMN_ESHAPE, "a folded Transpose's perm needs rank 4, not %zu", t->rank);
  if (tv == 2) /* perm (0, 2, 3, 1) */
    v->dim[1] = t->dim[2], v->dim[2] = t->dim[3], v->dim[3] = t->dim[1];
  else
    v->dim[1] = t->dim[2], v->dim[2] = t->dim[1];
  return LIMN_OK;
}

static int mm_shape(limn_ctx *ctx, const ox_node *nd, const ox_tensor *pa, const ox_tensor *pb, mm_batch *m) {
  ox_tensor va, vb;
  LIMN_TRY(mm_view(ctx, nd, pa, nd->tview[0], &va));
  LIMN_TRY(mm_view(ctx, nd, pb, nd->tview[1], &vb));
  const ox_tensor *a = &va, *b = &vb;
  size_t ra = a->rank, rb = b->rank, r = ra > rb ? ra : rb;
  m->M = a->dim[ra - 2], m->K = a->dim[ra - 1], m->N = b->dim[rb - 1];
  if (b->dim[rb - 2] != m->K)
    return NODE_ERR(LIMN_ESHAPE, "inner dimensions %zu and %zu differ", m->K, b->dim[rb - 2]);
  m->rank = r, m->nb = 1;
  size_t ca = 1, cb = 1; /* the batch strides, in matrices, from the innermost batch dimension out */
  for (size_t k = r - 2; k-- > 0;) {
    size_t da = k + ra >= r ? a->dim[k + ra - r] : 1, db = k + rb >= r ? b->dim[k + rb - r] : 1;
    if (da != db && da != 1 && db != 1)
      return NODE_ERR(LIMN_ESHAPE, "batch dimensions %zu and %zu do not broadcast", da, db);
    m->dim[k] = da == 1 ? db : da; /* numpy: 1 stretches, 0 stays 0 */
    m->sa[k] = da == 1 ? 0 : ca, m->sb[k] = db == 1 ? 0 : cb;
    ca *= da, cb *= db, m->nb *= m->dim[k];
  }
  m->dim[r - 2] = m->M, m->dim[r - 1] = m->N;
  for (int i = 0; i < 3; i++)
    m->tv[i] = nd->tview[i];
  m->h[0] = a->dim[1], m->h[1] = b->dim[1], m->h[2] = m->dim[1];
  if (m->tv[2] && r != 4)
    return NODE_ERR(LIMN_ESHAPE, "a folded Transpose's perm needs rank 4, not %zu", r);
  return LIMN_OK;
}

/* Output batch q's matrices in a and b (their offsets in matrices). */
static void mm_offsets(const mm_batch *m, size_t q, size_t *oa, size_t *ob) {
  *oa = *ob = 0;
  for (size_t k = m->rank - 2; k-- > 0;) {
    size_t i = q % m->dim[k];
    q /= m->dim[k];
    *oa += i * m->sa[k], *ob += i * m->sb[k];
  }
}

void limn__ox_transpose(const float *a, size_t rows, size_t cols, size_t ld, float *t) {
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < cols; c++)
      t[c * rows + r] = a[r * ld + c];
}

/* Forward (gy NULL): y = a b per batch; backward: ga += gy b^T, gb += a^T gy (either
 * may be NULL), summed over the batches that broadcast a matrix. */
static void mm_batched(const mm_batch *m, const ox_tensor *a, const ox_tensor *b, ox_tensor *y,
                       const ox_tensor *gy, float *ga, float *gb, float *bt, int fresh_a) {
  size_t M = m->M, K = m->K, N = m->N;
  if (!gy && !(M && N && K) && y->len)
    memset(y->f, 0, y->len * sizeof(float));
  for (size_t q = 0; q < m->nb && M && N && K; q++) {
    size_t oa, ob, lda, ldb, ldy;
    mm_offsets(m, q, &oa, &ob);
    oa = mm_at(m, 0, oa, M, K, &lda), ob = mm_at(m, 1, ob, K, N, &ldb);
    size_t oy = mm_at(m, 2, q, M, N, &ldy);
    const float *A = a->f + oa, *B = b->f + ob;
    if (!gy && m->tv[1] == 2) { /* b from its transpose in place (bt: K x N scratch) */
      limn__ox_transpose(B, N, K, ldb, bt);
      limn__sgemm_rowbias(M, N, K, A, lda, bt, N, NULL, y->f + oy, ldy);
      continue;
    }
    if (!gy) { /* 0 + the products: sgemm with beta 0, without clearing first */
      limn__sgemm_rowbias(M, N, K, A, lda, B, ldb, NULL, y->f + oy, ldy);
      continue;
    }
    const float *D = gy->f + oy;
    if (ga && m->tv[1] == 2) { /* B^T is b as stored */
      if (fresh_a)
        limn__sgemm_rowbias(M, K, N, D, ldy, B, ldb, NULL, ga + oa, lda);
      else
        limn__sgemm_portable(0, 0, M, K, N, 1.0f, D, ldy, B, ldb, 1.0f, ga + oa, lda);
    } else if (ga && bt) { /* B^T (N, K) first: the product then runs on the register tiles */
      limn__ox_transpose(B, K, N, ldb, bt);
      if (fresh_a) /* each of a's matrices met once, its gradient unwritten: 0 + the products */
        limn__sgemm_rowbias(M, K, N, D, ldy, bt, K, NULL, ga + oa, lda);
      else
        limn__sgemm_portable(0, 0, M, K, N, 1.0f, D, ldy, bt, K, 1.0f, ga + oa, lda);
    } else if (ga)
      limn__sgemm_portable(0, 1, M, K, N, 1.0f, D, ldy, B, ldb, 1.0f, ga + oa, lda);
    if (gb && m->tv[1] == 2) /* its transpose, in place: (D^T A)[j][k] adds the same products */
      limn__sgemm_portable(1, 0, N, K, M, 1.0f, D, ldy, A, lda, 1.0f, gb + ob, ldb);
    else if (gb)
      limn__sgemm_portable(1, 0, K, N, M, 1.0f, A, lda, D, ldy, 1.0f, gb + ob, ldb);
  }
}

static int matmul_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *a, const ox_tensor *b,
                      const ox_tensor *bias, ox_tensor *y) {
  if (a->type != OX_FLOAT || b->type != OX_FLOAT || a->rank < 2 || b->rank < 2)
    return NODE_ERR(LIMN_EUNSUPPORTED, "only float operands of rank 2 or more are supported");
  if (b->rank > 2 || nd->tview[0] || nd->tview[1] || nd->tview[2]) {
    /* a batch of products (b is no constant matrix: no bias folded) */
    mm_batch m;
    LIMN_TRY(mm_shape(ctx, nd, a, b, &m));
    size_t dim[OX_MAXRANK];
    memcpy(dim, m.dim, sizeof dim);
    if (m.tv[2]) /* stored with the heads and rows swapped back */
      dim[1] = m.dim[2], dim[2] = m.dim[1];
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, m.rank, dim));
    float *bt = m.tv[1] == 2 ? limn__alloc_array(ctx, m.K ? m.K : 1, (m.N ? m.N : 1) * sizeof *bt) : NULL;
    if (m.tv[1] == 2 && !bt)
      return LIMN_ENOMEM;
    mm_batched(&m, a, b, y, NULL, NULL, NULL, bt, 0);
    limn__free(ctx, bt);
    return LIMN_OK;
  }
  /* a (..., K) times a matrix: every row of a alike */
  size_t K = a->dim[a->rank - 1];
  if (K != b->dim[0])
    return NODE_ERR(LIMN_ESHAPE, "inner dimensions %zu and %zu differ", K, b->dim[0]);
  size_t ydim[OX_MAXRANK];
  memcpy(ydim, a->dim, a->rank * sizeof *ydim);
  ydim[a->rank - 1] = b->dim[1];
  LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, a->rank, ydim));
  size_t dim[2] = {K ? a->len / K : 0, b->dim[1]};
  if (dim[0] && dim[1] && K) { /* the folded Add: from the bias row (in the accumulators), else 0 */
    if (bias)
      limn__sgemm_bias(dim[0], dim[1], K, a->f, K, b->f, b->dim[1], bias->f, 0, y->f, dim[1]);
    else
      limn__sgemm_rowbias(dim[0], dim[1], K, a->f, K, b->f, b->dim[1], NULL, y->f, dim[1]);
  } else if (bias) {
    for (size_t r = 0; r < dim[0]; r++)
      memcpy(y->f + r * dim[1], bias->f, dim[1] * sizeof(float));
  } else if (y->len) {
    memset(y->f, 0, y->len * sizeof(float));
  }
  return LIMN_OK;
}

/* ---- softmax over the last axis (opset >= 13) or the coerced 2-D axis ---- */

/* Rows and columns of the softmax: the axis (negative counts from the end) must be
 * the last for opset >= 13; before, the input is seen as 2-D at the axis. */
static int softmax_shape(limn_ctx *ctx, const ox_graph *g, const ox_node *nd, const ox_tensor *x,
                         size_t *rows, size_t *cols) {
  long ax = nd->axis < 0 ? nd->axis + (long)x->rank : nd->axis;
  if (ax < 0 || ax >= (long)x->rank)
    return NODE_ERR(LIMN_ESHAPE, "axis %ld out of range", nd->axis);
  if (g->opset >= 13 && ax != (long)x->rank - 1)
    return NODE_ERR(LIMN_EUNSUPPORTED, "only the last axis is supported");
  size_t c = 1;
  for (size_t k = (size_t)ax; k < x->rank; k++)
    c *= x->dim[k];
  *cols = c;
  *rows = c ? x->len / c : 0;
  return LIMN_OK;
}

/* e^x for x <= 0 (softmax's inputs less their maximum), 16 floats at a time in plain
 * float arithmetic, so that it vectorises and gives the same bits on every CPU and C
 * library: x = k ln 2 + r with |r| <= ln 2 / 2 (Cody and Waite's two-part ln 2, the
 * first part exact times any k here), e^r by its Taylor polynomial to r^7 (truncation
 * below 6e-9), times 2^k made in the exponent bits: within 2 ulp of the exact value
 * (tests/unit/test_onnx.c). Below -87 (e^x near the smallest normal float) it gives 0,
 * as for -inf; NaN stays NaN. in and out hold 16 floats; in an AVX-512 clone one
 * vector, elsewhere two or four narrower ones, each lane's arithmetic the same. */
static const float exp_poly[8] = {1.0f / 5040.0f, 1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f,
                                  1.0f / 6.0f,    0.5f,          1.0f,          1.0f};
#define EXP_SHIFT 12582912.0f /* 1.5 * 2^23: adding it rounds to an integer */
#define EXP_LN2_HI 0.693359375f
#define EXP_LN2_LO -2.12194440e-4f

#if defined(__GNUC__)
typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));
#endif

static inline void exp16_nonpos(const float *in, float *out) {
#if defined(__GNUC__)
  v16f x, lim, sh;
  memcpy(&x, in, sizeof x);
  for (int l = 0; l < 16; l++)
    lim[l] = -87.0f, sh[l] = EXP_SHIFT;
  v16i low = x < lim; /* all ones where x < -87 (false for NaN) */
  v16f xc = (v16f)(((v16i)x & ~low) | ((v16i)lim & low));
  v16f kd = xc * 1.44269504f + sh;
  v16i ki = (v16i)kd;
  kd -= sh;
  v16f r = (xc - kd * EXP_LN2_HI) - kd * EXP_LN2_LO, p = r * 0.0f + exp_poly[0];
  for (int q = 1; q < 8; q++)
    p = p * r + exp_poly[q];
  v16i bits = (ki - 0x4B400000 + 127) << 23; /* 2^k, k in [-125, 0] */
  v16f y = (v16f)((v16i)(p * (v16f)bits) & ~low);
  memcpy(out, &y, sizeof y);
#else /* the same, lane by lane */
  for (int l = 0; l < 16; l++) {
    float x = in[l], xc = x < -87.0f ? -87.0f : x, kd = xc * 1.44269504f + EXP_SHIFT;
    uint32_t ki, bits;
    memcpy(&ki, &kd, sizeof ki);
    kd -= EXP_SHIFT;
    float r = (xc - kd * EXP_LN2_HI) - kd * EXP_LN2_LO, p = r * 0.0f + exp_poly[0], sc;
    for (int q = 1; q < 8; q++)
      p = p * r + exp_poly[q];
    bits = (ki - UINT32_C(0x4B400000) + 127) << 23;
    memcpy(&sc, &bits, sizeof sc);
    out[l] = x < -87.0f ? 0.0f : p * sc;
  }
#endif
}

/* erf of 16 floats in plain float arithmetic (vectorised as exp16_nonpos, the same bits
 * everywhere), within 2 ulp of the exact value (tests/unit/test_onnx.c): for |x| <= 1,
 * x + x q(x^2) with q a degree-6 polynomial near erf(x)/x - 1 (Chebyshev interpolation on
 * [0, 1]); for 1 < |x| < 3.9192, +-(1 - h(t)) with h a degree-15 polynomial near erfc on
 * [1, 4] (t = 2|x|/3 - 5/3); beyond, +-1 (erf rounds to 1 in float there). Both branches
 * are computed and one kept per lane; NaN stays NaN. */
static const float erf_small[7] = {0.128379166f,   -0.37612626f,    0.112835944f,   -0.0268542115f,
                                   0.00518908724f, -0.00080168643f, 7.87587487e-05f};
static const float erf_large[16] = {0.000406952488f, -0.00326742535f,  0.0122527871f,    -0.0281816814f,
                                    0.0436521247f,   -0.0464508869f,   0.031864766f,     -0.0092893634f,
                                    -0.00662776548f, 0.00970703829f,   -0.0046813353f,   -0.000624549633f,
                                    0.00204290031f,  -0.000704792619f, -0.000260819565f, 0.000162065815f};

static inline void erf16(const float *in, float *out) {
#if defined(__GNUC__)
  v16f x, one, big, third2, third5;
  v16i absmask;
  memcpy(&x, in, sizeof x);
  for (int l = 0; l < 16; l++)
    one[l] = 1.0f, big[l] = 3.9192059f, third2[l] = 2.0f / 3.0f, third5[l] = 5.0f / 3.0f,
    absmask[l] = 0x7fffffff;
  v16f ax = (v16f)((v16i)x & absmask), u = x * x, q = u * 0.0f + erf_small[6];
  for (int k = 5; k >= 0; k--)
    q = q * u + erf_small[k];
  v16f ys = x + x * q, t = ax * third2 - third5, h = t * 0.0f + erf_large[15];
  for (int k = 14; k >= 0; k--)
    h = h * t + erf_large[k];
  v16f yl = one - h;
  v16i sat = ax >= big, small = ax <= one;
  yl = (v16f)(((v16i)yl & ~sat) | ((v16i)one & sat));
  yl = (v16f)((v16i)yl | ((v16i)x & ~absmask)); /* x's sign */
  v16f y = (v16f)(((v16i)ys & small) | ((v16i)yl & ~small));
  memcpy(out, &y, sizeof y);
#else /* the same, lane by lane */
  for (int l = 0; l < 16; l++) {
    float x = in[l], ax = fabsf(x), u = x * x, q = u * 0.0f + erf_small[6];
    for (int k = 5; k >= 0; k--)
      q = q * u + erf_small[k];
    float t = ax * (2.0f / 3.0f) - 5.0f / 3.0f, h = t * 0.0f + erf_large[15];
    for (int k = 14; k >= 0; k--)
      h = h * t + erf_large[k];
    float yl = ax >= 3.9192059f ? 1.0f : 1.0f - h;
    out[l] = ax <= 1.0f ? x + x * q : copysignf(yl, x);
  }
#endif
}

/* The test hooks (8 floats): through the 16-lane code the nodes use. */
void limn__ox_exp8(const float *in, float *out) {
  float t[16] = {0}, o[16];
  memcpy(t, in, 8 * sizeof *t);
  exp16_nonpos(t, o);
  memcpy(out, o, 8 * sizeof *o);
}

void limn__ox_erf8(const float *in, float *out) {
  float t[16] = {0}, o[16];
  memcpy(t, in, 8 * sizeof *t);
  erf16(t, o);
  memcpy(out, o, 8 * sizeof *o);
}

/* e[c] = e^(a[c] - mx) for c < n (at most 256), t scratch of 256 floats: the
 * differences in float, padded with zeros to a multiple of 16. */
static inline void exp_block(const float *a, float mx, size_t n, float *t, float *e) {
  for (size_t c = 0; c < n; c++)
    t[c] = a[c] - mx;
  for (size_t c = n; c % 16; c++)
    t[c] = 0.0f;
  for (size_t c = 0; c < n; c += 16)
    exp16_nonpos(t + c, e + c);
}

/* The sum of v[0..n) in double in eight interleaved partial sums (v[c] into sum c mod 8),
 * then those in a fixed tree: one order on every machine, without the latency of one
 * long chain of additions. */
static inline double sum8(const double *v, size_t n) {
  double acc[8] = {0};
  size_t c = 0;
  for (; c + 8 <= n; c += 8)
    for (int l = 0; l < 8; l++)
      acc[l] += v[c + (size_t)l];
  for (; c < n; c++)
    acc[c & 7] += v[c];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* sum8 of floats. */
static inline double sum8f(const float *v, size_t n) {
  double acc[8] = {0};
  size_t c = 0;
  for (; c + 8 <= n; c += 8)
    for (int l = 0; l < 8; l++)
      acc[l] += (double)v[c + (size_t)l];
  for (; c < n; c++)
    acc[c & 7] += (double)v[c];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* Softmax (or LogSoftmax) of a row: the exponentials of the row less its maximum
 * (exp16_nonpos, float, as torch computes them), summed in double (sum8f), block by
 * block of 256; each output times the sum's inverse in double. t, e: scratch of 256
 * floats. */
static inline void softmax_row(const float *a, float *b, size_t cols, int logsm, float *t, float *e) {
  float mx = -INFINITY, m8[8];
  for (int l = 0; l < 8; l++) /* the maximum in eight lanes (NaN left out, as below) */
    m8[l] = -INFINITY;
  size_t c8 = cols / 8 * 8;
  for (size_t c = 0; c < c8; c += 8)
    for (int l = 0; l < 8; l++)
      m8[l] = a[c + (size_t)l] > m8[l] ? a[c + (size_t)l] : m8[l];
  for (size_t c = c8; c < cols; c++)
    mx = a[c] > mx ? a[c] : mx;
  for (int l = 0; l < 8; l++)
    mx = m8[l] > mx ? m8[l] : mx;
  double s = 0;
  for (size_t c0 = 0; c0 < cols; c0 += 256) { /* the sum */
    size_t nc = cols - c0 < 256 ? cols - c0 : 256;
    exp_block(a + c0, mx, nc, t, e);
    s += sum8f(e, nc);
  }
  double inv = 1.0 / s, ls = logsm ? log(s) : 0.0;
  for (size_t c0 = 0; c0 < cols; c0 += 256) {
    size_t nc = cols - c0 < 256 ? cols - c0 : 256;
    if (logsm) {
      for (size_t c = 0; c < nc; c++)
        b[c0 + c] = (float)((double)a[c0 + c] - (double)mx - ls);
      continue;
    }
    if (cols > 256) /* else the one block's exponentials are still in e */
      exp_block(a + c0, mx, nc, t, e);
    for (size_t c = 0; c < nc; c++)
      b[c0 + c] = (float)((double)e[c] * inv);
  }
}

LIMN_CLONES_WIDE static void softmax_rows(const float *x, float *y, size_t rows, size_t cols, int logsm) {
  float t[256], e[256];
  for (size_t r = 0; r < rows; r++)
    softmax_row(x + r * cols, y + r * cols, cols, logsm, t, e);
}

/* ---- shape operators ---- */

static int reshape_to(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, size_t rank, const size_t *dim,
                      ox_tensor *y) {
  size_t len = 1;
  for (size_t k = 0; k < rank; k++)
    len *= dim[k];
  if (len != x->len)
    return NODE_ERR(LIMN_ESHAPE, "cannot reshape %zu elements into %zu", x->len, len);
  if (x->type == OX_FLOAT && rank <= OX_MAXRANK) {
    /* the same floats under another shape: y borrows x's (no node writes a value once
     * made, and a pass keeps every value to its end) */
    limn__ox_free(ctx, y);
    y->type = OX_FLOAT, y->rank = rank, y->len = len, y->f = x->f, y->borrowed = 1;
    for (size_t k = 0; k < rank; k++)
      y->dim[k] = dim[k];
    return LIMN_OK;
  }
  LIMN_TRY(limn__ox_alloc(ctx, y, x->type, rank, dim));
  memcpy(y->i, x->i, len * sizeof(int64_t));
  return LIMN_OK;
}

/* Reshape's target shape for x (its zeros and -1 resolved) into dim. */
static int reshape_dims(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, const ox_tensor *s,
                        size_t *dim) {
  if (!s || s->type != OX_INT64 || s->rank != 1 || s->len > OX_MAXRANK)
    return NODE_ERR(LIMN_ESHAPE, "the shape must be a 1-D int64 tensor of at most %d values", OX_MAXRANK);
  size_t known = 1;
  long infer = -1;
  for (size_t k = 0; k < s->len; k++) {
    int64_t v = s->i[k];
    if (v == 0 && k < x->rank)
      dim[k] = x->dim[k];
    else if (v == -1 && infer < 0)
      infer = (long)k, dim[k] = 1;
    else if (v >= 0 && v < ((int64_t)1 << 31))
      dim[k] = (size_t)v;
    else
      return NODE_ERR(LIMN_ESHAPE, "bad target dimension %lld", (long long)v);
    if ((long)k != infer)
      known *= dim[k];
  }
  if (infer >= 0) {
    if (known == 0 || x->len % known)
      return NODE_ERR(LIMN_ESHAPE, "cannot infer a dimension of %zu elements", x->len);
    dim[infer] = x->len / known;
  }
  return LIMN_OK;
}

static int reshape_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, const ox_tensor *s,
                       ox_tensor *y) {
  size_t dim[OX_MAXRANK];
  LIMN_TRY(reshape_dims(ctx, nd, x, s, dim));
  if (!nd->rows)
    return reshape_to(ctx, nd, x, s->len, dim, y);
  /* rows kept: the target is the whole tensor's (from its Shape); it must keep the cut
   * axis as axis rows_axis, with the same elements before it, for the cut to commute */
  ox_tensor whole = *x;
  size_t m = x->dim[x->raxis], pre = 1, tpre = 1, j = nd->rows_axis;
  if (!x->rfull || !m || x->raxis >= x->rank || s->len != nd->rows_rank || j >= s->len)
    return OX_RETRY;
  whole.dim[x->raxis] = x->rfull, whole.len = x->len / m * x->rfull;
  LIMN_TRY(reshape_dims(ctx, nd, &whole, s, dim));
  for (size_t k = 0; k < x->raxis; k++)
    pre *= x->dim[k];
  for (size_t k = 0; k < j; k++)
    tpre *= dim[k];
  size_t tlen = 1;
  for (size_t k = 0; k < s->len; k++)
    tlen *= dim[k];
  if (dim[j] != x->rfull || pre != tpre || tlen != whole.len)
    return OX_RETRY;
  dim[j] = m;
  return reshape_to(ctx, nd, x, s->len, dim, y);
}

static int flatten_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, ox_tensor *y) {
  long ax = nd->axis < 0 ? nd->axis + (long)x->rank : nd->axis;
  if (ax < 0 || ax > (long)x->rank)
    return NODE_ERR(LIMN_ESHAPE, "axis %ld out of range", nd->axis);
  size_t dim[2] = {1, 1};
  for (size_t k = 0; k < x->rank; k++)
    dim[(long)k < ax ? 0 : 1] *= x->dim[k];
  return reshape_to(ctx, nd, x, 2, dim, y);
}

static int unsqueeze_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, const ox_tensor *ax,
                         ox_tensor *y) {
  const int64_t *axes = nd->axes;
  size_t na = nd->naxes;
  if (ax) {
    if (ax->type != OX_INT64 || ax->rank > 1)
      return NODE_ERR(LIMN_ESHAPE, "axes must be int64");
    axes = ax->i, na = ax->len;
  }
  size_t r = x->rank + na, dim[OX_MAXRANK];
  if (r > OX_MAXRANK)
    return NODE_ERR(LIMN_ESHAPE, "rank %zu too large", r);
  unsigned char one[OX_MAXRANK] = {0};
  for (size_t k = 0; k < na; k++) {
    int64_t a = axes[k] < 0 ? axes[k] + (int64_t)r : axes[k];
    if (a < 0 || a >= (int64_t)r || one[a])
      return NODE_ERR(LIMN_ESHAPE, "bad axis %lld", (long long)axes[k]);
    one[a] = 1;
  }
  for (size_t k = 0, s = 0; k < r; k++)
    dim[k] = one[k] ? 1 : x->dim[s++];
  return reshape_to(ctx, nd, x, r, dim, y);
}

static int concat_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, ox_tensor *y) {
  const ox_tensor *a = IN(nd, vals, 0);
  if (!a || nd->nin < 1)
    return NODE_ERR(LIMN_EINVAL, "no inputs");
  long ax = nd->axis < 0 ? nd->axis + (long)a->rank : nd->axis;
  if (ax < 0 || ax >= (long)a->rank)
    return NODE_ERR(LIMN_ESHAPE, "axis %ld out of range", nd->axis);
  size_t dim[OX_MAXRANK];
  memcpy(dim, a->dim, sizeof dim);
  dim[ax] = 0;
  for (size_t k = 0; k < nd->nin; k++) {
    const ox_tensor *t = IN(nd, vals, k);
    if (!t || t->type != a->type || t->rank != a->rank)
      return NODE_ERR(LIMN_ESHAPE, "inputs of different types or ranks");
    for (size_t r = 0; r < a->rank; r++)
      if ((long)r != ax && t->dim[r] != a->dim[r])
        return NODE_ERR(LIMN_ESHAPE, "inputs differ outside the axis");
    dim[ax] += t->dim[ax];
  }
  LIMN_TRY(limn__ox_alloc(ctx, y, a->type, a->rank, dim));
  size_t outer = 1, inner = 1;
  for (long r = 0; r < ax; r++)
    outer *= a->dim[r];
  for (size_t r = (size_t)ax + 1; r < a->rank; r++)
    inner *= a->dim[r];
  size_t es = a->type == OX_FLOAT ? sizeof(float) : sizeof(int64_t), off = 0;
  for (size_t k = 0; k < nd->nin; k++) {
    const ox_tensor *t = IN(nd, vals, k);
    size_t w = t->dim[ax] * inner;
    for (size_t o = 0; o < outer; o++) {
      char *dst =
          (char *)(a->type == OX_FLOAT ? (void *)y->f : (void *)y->i) + (o * dim[ax] * inner + off) * es;
      const char *src = (const char *)(a->type == OX_FLOAT ? (void *)t->f : (void *)t->i) + o * w * es;
      memcpy(dst, src, w * es);
    }
    off += w;
  }
  return LIMN_OK;
}

/* Gather along any axis: y = x[..., idx, ...]; backward (gx set, y NULL) scatters gy
 * into gx. */
static int gather(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, const ox_tensor *idx, ox_tensor *y,
                  const ox_tensor *gy, ox_tensor *gx) {
  long ax = nd->axis < 0 ? nd->axis + (long)x->rank : nd->axis;
  if (!idx || idx->type != OX_INT64 || x->rank < 1 || ax < 0 || ax >= (long)x->rank)
    return NODE_ERR(LIMN_EUNSUPPORTED, "needs int64 indices and an axis within the data's rank");
  if (idx->rank + x->rank - 1 > OX_MAXRANK)
    return NODE_ERR(LIMN_ESHAPE, "rank too large");
  size_t outer = 1, inner = 1, span = x->dim[ax], dim[OX_MAXRANK], r = 0;
  size_t whole = span, lo = 0; /* x may hold kept rows along the axis (plan_rows) */
  if (x->rfull && x->raxis != (size_t)ax)
    return OX_RETRY;
  if (x->rfull)
    whole = x->rfull, lo = x->rlo;
  for (long k = 0; k < ax; k++)
    outer *= x->dim[k], dim[r++] = x->dim[k];
  for (size_t k = 0; k < idx->rank; k++)
    dim[r++] = idx->dim[k];
  for (size_t k = (size_t)ax + 1; k < x->rank; k++)
    inner *= x->dim[k], dim[r++] = x->dim[k];
  if (y)
    LIMN_TRY(limn__ox_alloc(ctx, y, x->type, r, dim));
  for (size_t q = 0; q < idx->len; q++) {
    int64_t v = idx->i[q] < 0 ? idx->i[q] + (int64_t)whole : idx->i[q];
    if (v < 0 || v >= (int64_t)whole)
      return NODE_ERR(LIMN_ESHAPE, "index %lld out of range", (long long)idx->i[q]);
    v -= (int64_t)lo;
    if (v < 0 || v >= (int64_t)span)
      return OX_RETRY; /* a row the plan did not keep */
    for (size_t o = 0; o < outer; o++) {
      size_t src = (o * span + (size_t)v) * inner, dst = (o * idx->len + q) * inner;
      if (gx)
        for (size_t e = 0; e < inner; e++)
          gx->f[src + e] += gy->f[dst + e];
      else if (x->type == OX_FLOAT)
        memcpy(y->f + dst, x->f + src, inner * sizeof(float));
      else
        memcpy(y->i + dst, x->i + src, inner * sizeof(int64_t));
    }
  }
  return LIMN_OK;
}

static int cast_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, ox_tensor *y) {
  LIMN_TRY(limn__ox_alloc(ctx, y, nd->to, x->rank, x->dim));
  for (size_t q = 0; q < x->len; q++) {
    if (nd->to == OX_FLOAT)
      y->f[q] = x->type == OX_FLOAT ? x->f[q] : (float)x->i[q];
    else if (nd->boolean)
      y->i[q] = x->type == OX_INT64 ? x->i[q] != 0 : x->f[q] != 0;
    else
      y->i[q] = x->type == OX_INT64 ? x->i[q] : (int64_t)x->f[q];
  }
  return LIMN_OK;
}

/* ---- 2-D convolution and pooling (NCHW) ---- */

/* Output size along one axis; 0 when the window does not fit. */
static size_t out_len(size_t in, size_t k, size_t stride, size_t dil, size_t p0, size_t p1) {
  size_t span = dil * (k - 1) + 1, total = in + p0 + p1;
  return total < span ? 0 : (total - span) / stride + 1;
}

/* The taps i in [0, k) of a window starting at `start` (stride of taps dil) that land
 * inside 0..len-1: [*lo, *hi). */
static void tap_range(long start, size_t k, size_t dil, size_t len, size_t *lo, size_t *hi) {
  long d = (long)dil, a = start < 0 ? (-start + d - 1) / d : 0,
       b = start > (long)len - 1 ? 0 : ((long)len - 1 - start) / d + 1;
  b = b > (long)k ? (long)k : b;
  *lo = (size_t)a, *hi = (size_t)(b > a ? b : a);
}

/* The convolution as matrix products (im2col): for each image and group, the input
 * windows of output rows oh0..oh1 laid out as columns (Cg kh kw, positions), then maps =
 * weights (Mg, Cg kh kw) x columns; backward, columns of gradients = weights^T x gy,
 * added back into their windows. Each output's sum runs over (c, i, j) in one fixed
 * order whatever the batch. Returns LIMN_ENOMEM when the columns cannot be had. */
enum { CONV_COLS = 1 << 14 }; /* floats of columns at a time (per kernel row: at least one output row) */

/* Each kernel column j's tap of output 0 (w0) and the outputs whose tap is inside the
 * row [lo, hi), for im2col and col2im: computed once a call for the first OX_CONV_KMAX
 * columns (the divisions out of the loops), on demand for wider kernels. */
#define OX_CONV_KMAX 64
typedef struct col_taps {
  long w0[OX_CONV_KMAX];
  size_t lo[OX_CONV_KMAX], hi[OX_CONV_KMAX];
} col_taps;

static void taps_init(const ox_node *nd, size_t kw, size_t OW, size_t W, col_taps *t) {
  for (size_t j = 0; j < kw && j < OX_CONV_KMAX; j++) {
    t->w0[j] = (long)(j * nd->dil[1]) - (long)nd->pad[1];
    tap_range(t->w0[j], OW, nd->stride[1], W, &t->lo[j], &t->hi[j]);
  }
}

static void taps_of(const ox_node *nd, const col_taps *t, size_t j, size_t OW, size_t W, long *w0, size_t *lo,
                    size_t *hi) {
  if (j < OX_CONV_KMAX) {
    *w0 = t->w0[j], *lo = t->lo[j], *hi = t->hi[j];
    return;
  }
  *w0 = (long)(j * nd->dil[1]) - (long)nd->pad[1];
  tap_range(*w0, OW, nd->stride[1], W, lo, hi);
}

static void im2col(const ox_node *nd, const float *x, size_t Cg, size_t H, size_t W, size_t kh, size_t kw,
                   size_t OW, size_t oh0, size_t oh1, float *cols) {
  size_t P = (oh1 - oh0) * OW, st = nd->stride[1];
  col_taps t;
  taps_init(nd, kw, OW, W, &t);
  if (st == 1 && nd->stride[0] == 1 && nd->dil[0] == 1 && OW == W && kw <= OX_CONV_KMAX) {
    /* stride 1 and rows as wide as the input's ("same" padding): a column row is the
     * input plane read straight through from one place, then its edges zeroed */
    for (size_t c = 0; c < Cg; c++)
      for (size_t i = 0; i < kh; i++) {
        long top = (long)(oh0 + i) - (long)nd->pad[0];            /* input row of output row oh0 */
        size_t a = top < 0 ? (size_t)-top : 0, b = (long)H - top; /* valid output rows [a, b) of the block */
        b = top >= (long)H ? 0 : b > oh1 - oh0 ? oh1 - oh0 : b;
        a = a < b ? a : b;
        const float *plane = x + c * H * W;
        for (size_t j = 0; j < kw; j++) {
          float *row = cols + ((c * kh + i) * kw + j) * P;
          long w0 = t.w0[j], from = (top + (long)a) * (long)W + w0; /* source of the first valid row */
          size_t lo = t.lo[j], hi = t.hi[j], n = (b - a) * OW, skip = from < 0 ? (size_t)-from : 0;
          if (from + (long)n > (long)(H * W)) /* (no valid row: n is 0, from may be past the end) */
            n = from >= (long)(H * W) ? 0 : (size_t)((long)(H * W) - from);
          for (size_t q = 0; q < a * OW; q++)
            row[q] = 0.0f;
          if (n > skip)
            memcpy(row + a * OW + skip, plane + from + (long)skip, (n - skip) * sizeof *row);
          for (size_t q = b * OW; q < P; q++)
            row[q] = 0.0f;
          for (size_t oh = a; oh < b; oh++) { /* the taps outside the row */
            for (size_t ow = 0; ow < lo; ow++)
              row[oh * OW + ow] = 0.0f;
            for (size_t ow = hi; ow < OW; ow++)
              row[oh * OW + ow] = 0.0f;
          }
        }
      }
    return;
  }
  for (size_t c = 0; c < Cg; c++)
    for (size_t i = 0; i < kh; i++)
      for (size_t j = 0; j < kw; j++) {
        float *row = cols + ((c * kh + i) * kw + j) * P;
        for (size_t oh = oh0; oh < oh1; oh++) {
          long ih = (long)(oh * nd->stride[0] + i * nd->dil[0]) - (long)nd->pad[0];
          float *r = row + (oh - oh0) * OW;
          if (ih < 0 || ih >= (long)H) {
            for (size_t ow = 0; ow < OW; ow++)
              r[ow] = 0.0f;
            continue;
          }
          const float *xr = x + (c * H + (size_t)ih) * W;
          long w0;
          size_t lo, hi;
          taps_of(nd, &t, j, OW, W, &w0, &lo, &hi);
          for (size_t ow = 0; ow < lo; ow++) /* short rows: loops, not library calls */
            r[ow] = 0.0f;
          if (st == 1) {
            const float *src = xr + w0;
            for (size_t ow = lo; ow < hi; ow++)
              r[ow] = src[ow];
          } else {
            for (size_t ow = lo; ow < hi; ow++)
              r[ow] = xr[w0 + (long)(ow * st)];
          }
          for (size_t ow = hi; ow < OW; ow++)
            r[ow] = 0.0f;
        }
      }
}

static void col2im(const ox_node *nd, const float *cols, size_t Cg, size_t H, size_t W, size_t kh, size_t kw,
                   size_t OW, size_t oh0, size_t oh1, float *gx) {
  size_t P = (oh1 - oh0) * OW, st = nd->stride[1];
  col_taps t;
  taps_init(nd, kw, OW, W, &t);
  for (size_t c = 0; c < Cg; c++)
    for (size_t i = 0; i < kh; i++)
      for (size_t j = 0; j < kw; j++) {
        const float *row = cols + ((c * kh + i) * kw + j) * P;
        for (size_t oh = oh0; oh < oh1; oh++) {
          long ih = (long)(oh * nd->stride[0] + i * nd->dil[0]) - (long)nd->pad[0];
          if (ih < 0 || ih >= (long)H)
            continue;
          const float *r = row + (oh - oh0) * OW;
          float *gr = gx + (c * H + (size_t)ih) * W;
          long w0;
          size_t lo, hi;
          taps_of(nd, &t, j, OW, W, &w0, &lo, &hi);
          for (size_t ow = lo; ow < hi; ow++)
            gr[w0 + (long)(ow * st)] += r[ow];
        }
      }
}

static int conv_gemm(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, const ox_tensor *w,
                     const ox_tensor *b, ox_tensor *y, const ox_tensor *gy, ox_tensor *gx) {
  size_t N = x->dim[0], C = x->dim[1], H = x->dim[2], W = x->dim[3], M = w->dim[0], kh = w->dim[2],
         kw = w->dim[3];
  size_t OH = gy ? gy->dim[2] : y->dim[2], OW = gy ? gy->dim[3] : y->dim[3], P = OH * OW;
  size_t G = nd->group ? nd->group : 1, Cg = C / G, Mg = M / G, K = Cg * kh * kw;
  size_t rows = CONV_COLS / (K * OW) ? CONV_COLS / (K * OW) : 1; /* output rows a block */
  rows = rows < OH ? rows : OH;
  float *cols = limn__alloc_array(ctx, K * rows * OW, sizeof *cols);
  float *wt = gy ? limn__alloc_array(ctx, K * Mg, sizeof *wt) : NULL; /* a group's weights transposed */
  if (!cols || (gy && !wt)) {
    limn__free(ctx, cols);
    limn__free(ctx, wt);
    return LIMN_ENOMEM;
  }
  for (size_t g = 0; g < G; g++)
    for (size_t n = 0; n < N; n++) {
      const float *xn = x->f + (n * C + g * Cg) * H * W, *wg = w->f + g * Mg * K;
      for (size_t m = 0; gy && n == 0 && m < Mg; m++) /* (K, Mg): the backward product untransposed */
        for (size_t q = 0; q < K; q++)
          wt[q * Mg + m] = wg[m * K + q];
      for (size_t oh0 = 0; oh0 < OH; oh0 += rows) {
        size_t oh1 = oh0 + rows < OH ? oh0 + rows : OH, Q = (oh1 - oh0) * OW;
        size_t at = (n * M + g * Mg) * P + oh0 * OW; /* map g*Mg's first position of the block */
        if (!gy) {
          im2col(nd, xn, Cg, H, W, kh, kw, OW, oh0, oh1, cols);
          limn__sgemm_rowbias(Mg, Q, K, wg, K, cols, Q, b ? b->f + g * Mg : NULL, y->f + at, P);
        } else {
          limn__sgemm_portable(0, 0, K, Q, Mg, 1.0f, wt, Mg, gy->f + at, P, 0.0f, cols, Q);
          col2im(nd, cols, Cg, H, W, kh, kw, OW, oh0, oh1, gx->f + (n * C + g * Cg) * H * W);
        }
      }
    }
  limn__free(ctx, cols);
  limn__free(ctx, wt);
  return LIMN_OK;
}

static int conv_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, const ox_tensor *w,
                    const ox_tensor *b, ox_tensor *y) {
  if (x->type != OX_FLOAT || w->type != OX_FLOAT || x->rank != 4 || w->rank != 4)
    return NODE_ERR(LIMN_EUNSUPPORTED,
                    "only 2-D float convolutions (NCHW input, MCkk weights) are supported");
  size_t N = x->dim[0], C = x->dim[1], H = x->dim[2], W = x->dim[3], M = w->dim[0], kh = w->dim[2],
         kw = w->dim[3];
  size_t G = nd->group ? nd->group : 1;
  if (C % G || M % G || w->dim[1] * G != C)
    return NODE_ERR(LIMN_ESHAPE,
                    "the input's %zu channels and %zu maps do not split into %zu groups of %zu "
                    "channels (the weights' second dimension)",
                    C, M, G, w->dim[1]);
  if (nd->has_kernel && (nd->kernel[0] != kh || nd->kernel[1] != kw))
    return NODE_ERR(LIMN_ESHAPE, "kernel_shape differs from the weights");
  if (b && (b->type != OX_FLOAT || b->len != M))
    return NODE_ERR(LIMN_ESHAPE, "bias of %zu values for %zu maps", b->len, M);
  size_t OH = out_len(H, kh, nd->stride[0], nd->dil[0], nd->pad[0], nd->pad[2]);
  size_t OW = out_len(W, kw, nd->stride[1], nd->dil[1], nd->pad[1], nd->pad[3]);
  if (!OH || !OW)
    return NODE_ERR(LIMN_ESHAPE,
                    "its %zux%zu kernel (dilation %zu) is larger than the %zux%zu input with its padding", kh,
                    kw, nd->dil[0], H + nd->pad[0] + nd->pad[2], W + nd->pad[1] + nd->pad[3]);
  size_t dim[4] = {N, M, OH, OW};
  LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, 4, dim));
  return conv_gemm(ctx, nd, x, w, b, y, NULL, NULL);
}

/* Max or average pooling; for max, the first maximum in scan order takes the gradient.
 * backward: gy given, gx accumulated; forward: y written. */
static int pool(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, ox_tensor *y, const ox_tensor *gy,
                ox_tensor *gx) {
  if (x->type != OX_FLOAT || x->rank != 4 || !nd->has_kernel)
    return NODE_ERR(LIMN_EUNSUPPORTED, "only 2-D float pooling (NCHW) with a kernel_shape is supported");
  size_t N = x->dim[0], C = x->dim[1], H = x->dim[2], W = x->dim[3], kh = nd->kernel[0], kw = nd->kernel[1];
  size_t OH = out_len(H, kh, nd->stride[0], nd->dil[0], nd->pad[0], nd->pad[2]);
  size_t OW = out_len(W, kw, nd->stride[1], nd->dil[1], nd->pad[1], nd->pad[3]);
  if (!OH || !OW)
    return NODE_ERR(LIMN_ESHAPE, "its %zux%zu window is larger than the %zux%zu input with its padding", kh,
                    kw, H + nd->pad[0] + nd->pad[2], W + nd->pad[1] + nd->pad[3]);
  if (!gy && y) {
    size_t dim[4] = {N, C, OH, OW};
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, 4, dim));
  }
  int mx = nd->op == OX_MAXPOOL;
  if (mx && gy && kh == 2 && kw == 2 && nd->stride[0] == 2 && nd->stride[1] == 2 && nd->dil[0] == 1 &&
      nd->dil[1] == 1 && !nd->pad[0] && !nd->pad[1] && 2 * OH <= H && 2 * OW <= W) {
    for (size_t nc = 0; nc < N * C; nc++) /* its backward: the first maximum in scan order takes it */
      for (size_t oh = 0; oh < OH; oh++) {
        const float *r0 = x->f + (nc * H + 2 * oh) * W, *r1 = r0 + W, *go = gy->f + (nc * OH + oh) * OW;
        float *g0 = gx->f + (nc * H + 2 * oh) * W, *g1 = g0 + W;
        for (size_t ow = 0; ow < OW; ow++) {
          float a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], e = r1[2 * ow + 1], m = a;
          float *at = g0 + 2 * ow;
          if (b > m)
            m = b, at = g0 + 2 * ow + 1;
          if (c > m)
            m = c, at = g1 + 2 * ow;
          if (e > m)
            at = g1 + 2 * ow + 1;
          *at += go[ow];
        }
      }
    return LIMN_OK;
  }
  if (mx && !gy && kh == 2 && kw == 2 && nd->stride[0] == 2 && nd->stride[1] == 2 && nd->dil[0] == 1 &&
      nd->dil[1] == 1 && !nd->pad[0] && !nd->pad[1] && 2 * OH <= H && 2 * OW <= W) {
    for (size_t nc = 0; nc < N * C; nc++) /* MaxPool 2x2, stride 2: the common case, branch-free */
      for (size_t oh = 0; oh < OH; oh++) {
        const float *r0 = x->f + (nc * H + 2 * oh) * W, *r1 = r0 + W;
        float *yo = y->f + (nc * OH + oh) * OW;
        for (size_t ow = 0; ow < OW; ow++) {
          float a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], e = r1[2 * ow + 1];
          float m = b > a ? b : a;
          m = c > m ? c : m;
          yo[ow] = e > m ? e : m;
        }
      }
    return LIMN_OK;
  }
  for (size_t nc = 0; nc < N * C; nc++) {
    const float *xp = x->f + nc * H * W;
    for (size_t oh = 0; oh < OH; oh++) {
      long h0 = (long)(oh * nd->stride[0]) - (long)nd->pad[0];
      size_t ilo, ihi;
      tap_range(h0, kh, nd->dil[0], H, &ilo, &ihi);
      for (size_t ow = 0; ow < OW; ow++) {
        long w0 = (long)(ow * nd->stride[1]) - (long)nd->pad[1];
        size_t jlo, jhi;
        tap_range(w0, kw, nd->dil[1], W, &jlo, &jhi);
        size_t inside = (ihi - ilo) * (jhi - jlo), cnt = inside + (nd->count_pad ? kh * kw - inside : 0);
        size_t o = (nc * OH + oh) * OW + ow, best = (size_t)-1;
        double acc = 0;
        float bv = 0;
        for (size_t i = ilo; i < ihi; i++) { /* the taps inside the input, in scan order */
          size_t row = (size_t)(h0 + (long)(i * nd->dil[0])) * W;
          for (size_t j = jlo; j < jhi; j++) {
            size_t q = row + (size_t)(w0 + (long)(j * nd->dil[1]));
            if (mx) {
              if (best == (size_t)-1 || xp[q] > bv)
                best = q, bv = xp[q];
            } else {
              acc += xp[q];
            }
          }
        }
        if (!gy) {
          y->f[o] = mx ? (best == (size_t)-1 ? 0.0f : bv) : cnt ? (float)(acc / (double)cnt) : 0.0f;
          continue;
        }
        float *gp = gx->f + nc * H * W;
        if (mx) {
          if (best != (size_t)-1)
            gp[best] += gy->f[o];
          continue;
        }
        for (size_t i = ilo; cnt && i < ihi; i++) {
          size_t row = (size_t)(h0 + (long)(i * nd->dil[0])) * W;
          for (size_t j = jlo; j < jhi; j++)
            gp[row + (size_t)(w0 + (long)(j * nd->dil[1]))] += gy->f[o] / (float)cnt;
        }
      }
    }
  }
  return LIMN_OK;
}

/* Pad, constant mode: pads (2 r int64: begins then ends, >= 0), value (optional, 0). */
static int pad_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, const ox_tensor *pads,
                   const ox_tensor *cv, ox_tensor *y) {
  if (x->type != OX_FLOAT || !pads || pads->type != OX_INT64 || pads->len != 2 * x->rank)
    return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float input and 2 x rank int64 pads");
  size_t dim[OX_MAXRANK], r = x->rank;
  for (size_t k = 0; k < r; k++) {
    if (pads->i[k] < 0 || pads->i[k + r] < 0 || pads->i[k] > 4096 || pads->i[k + r] > 4096)
      return NODE_ERR(LIMN_EUNSUPPORTED, "only padding from 0 to 4096 is supported");
    dim[k] = x->dim[k] + (size_t)pads->i[k] + (size_t)pads->i[k + r];
  }
  float v = cv && cv->type == OX_FLOAT && cv->len == 1 ? cv->f[0] : 0.0f;
  LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, r, dim));
  for (size_t q = 0; q < y->len; q++)
    y->f[q] = v;
  for (size_t q = 0; q < x->len; q++) { /* each input element to its place */
    size_t rem = q, o = 0, stride = 1;
    for (size_t k = r; k-- > 0;) {
      size_t c = rem % x->dim[k];
      rem /= x->dim[k];
      o += (c + (size_t)pads->i[k]) * stride;
      stride *= dim[k];
    }
    y->f[o] = x->f[q];
  }
  return LIMN_OK;
}

static void pad_bwd(const ox_tensor *x, const ox_tensor *pads, const ox_tensor *gy, ox_tensor *gx) {
  size_t r = x->rank;
  for (size_t q = 0; q < x->len; q++) {
    size_t rem = q, o = 0, stride = 1;
    for (size_t k = r; k-- > 0;) {
      size_t c = rem % x->dim[k];
      rem /= x->dim[k];
      o += (c + (size_t)pads->i[k]) * stride;
      stride *= gy->dim[k];
    }
    gx->f[q] += gy->f[o];
  }
}

/* BatchNormalization in inference: per channel (axis 1) y = s (x - mean) / sqrt(var + eps)
 * + bias, computed as y = x k + (bias - mean k) with k = s / sqrt(var + eps) in double
 * then rounded (onnxruntime's order); backward gx += gy k. y: allocated like x. */
static int batchnorm(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, ox_tensor *y,
                     const ox_tensor *gy, ox_tensor *gx) {
  const ox_tensor *x = IN(nd, vals, 0), *p[4];
  for (size_t k = 0; k < 4; k++)
    p[k] = IN(nd, vals, k + 1);
  if (!x || x->type != OX_FLOAT || x->rank < 2)
    return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float input of rank 2 or more (N, C, ...)");
  size_t C = x->dim[1], nc = x->dim[0] * C, inner = nc ? x->len / nc : 0;
  for (size_t k = 0; k < 4; k++)
    if (!p[k] || p[k]->type != OX_FLOAT || p[k]->len != C)
      return NODE_ERR(LIMN_ESHAPE, "scale, bias, mean and variance must hold one float per channel (%zu)", C);
  if (nd->nout > 1 && nd->out[1] >= 0)
    return NODE_ERR(LIMN_EUNSUPPORTED, "training mode (running statistics as outputs) is not supported");
  for (size_t c = 0; c < C; c++) {
    double k = (double)p[0]->f[c] / sqrt((double)p[3]->f[c] + (double)nd->eps);
    float kf = (float)k, sh = (float)((double)p[1]->f[c] - (double)p[2]->f[c] * k);
    for (size_t n = 0; n < x->dim[0]; n++) {
      size_t o = (n * C + c) * inner;
      for (size_t q = 0; q < inner; q++)
        if (gy)
          gx->f[o + q] += gy->f[o + q] * kf;
        else
          y->f[o + q] = x->f[o + q] * kf + sh;
    }
  }
  return LIMN_OK;
}

/* GlobalAveragePool: (N, C, H, W) -> (N, C, 1, 1), the mean of each map; backward
 * spreads gy / (H W). y: allocated (N, C, 1, ...). */
static int global_pool(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, ox_tensor *y,
                       const ox_tensor *gy, ox_tensor *gx) {
  if (x->type != OX_FLOAT || x->rank < 3)
    return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float input (N, C, spatial...)");
  size_t NC = x->dim[0] * x->dim[1], inner = NC ? x->len / NC : 0;
  for (size_t m = 0; m < NC; m++) {
    if (gy) {
      float d = gy->f[m] / (float)inner;
      for (size_t q = 0; q < inner; q++)
        gx->f[m * inner + q] += d;
    } else {
      double s = 0;
      for (size_t q = 0; q < inner; q++)
        s += x->f[m * inner + q];
      y->f[m] = (float)(s / (double)inner);
    }
  }
  return LIMN_OK;
}

/* Clip's bounds: inputs 2 and 3 from opset 11 (absent: unbounded), else attributes. */
static int clip_bounds(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, float *lo, float *hi) {
  *lo = nd->lo, *hi = nd->hi;
  if (nd->op != OX_CLIP)
    return LIMN_OK;
  for (size_t k = 1; k < 3 && k < nd->nin; k++) {
    const ox_tensor *t = IN(nd, vals, k);
    if (!t)
      continue;
    if (t->type != OX_FLOAT || t->len != 1)
      return NODE_ERR(LIMN_EUNSUPPORTED, "its bounds must be float scalars");
    *(k == 1 ? lo : hi) = t->f[0];
  }
  return LIMN_OK;
}

/* Clip, HardSigmoid (max(0, min(1, alpha x + beta))) and HardSwish (x HardSigmoid(x)
 * with alpha 1/6, beta 1/2); with dy, the derivative (torch's at the kinks: Clip passes
 * the gradient on [lo, hi], HardSigmoid and HardSwish inside (-3, 3)). */
static float piecewise(const ox_node *nd, float v, float lo, float hi, float *dy) {
  if (nd->op == OX_CLIP) {
    if (dy)
      *dy = v >= lo && v <= hi ? 1.0f : 0.0f;
    return v < lo ? lo : v > hi ? hi : v;
  }
  float a = nd->op == OX_HARDSWISH ? 1.0f / 6.0f : nd->alpha, b = nd->op == OX_HARDSWISH ? 0.5f : nd->beta;
  float t = a * v + b, h = t < 0 ? 0.0f : t > 1 ? 1.0f : t;
  int in = t > 0 && t < 1;
  if (nd->op == OX_HARDSIGMOID) {
    if (dy)
      *dy = in ? a : 0.0f;
    return h;
  }
  if (dy)
    *dy = in ? h + v * a : (t >= 1 ? 1.0f : 0.0f);
  return v * h;
}

/* ---- sequence-model operators (transformer encoders) ---- */

/* Output shape and per-input strides (0 on broadcast dimensions) of nt tensors under
 * numpy broadcasting. */
static int broadcast_n(const ox_tensor *const *t, size_t nt, size_t *rank, size_t *dim,
                       size_t st[][OX_MAXRANK]) {
  size_t r = 0;
  for (size_t i = 0; i < nt; i++)
    r = t[i]->rank > r ? t[i]->rank : r;
  for (size_t k = 0; k < r; k++) {
    dim[k] = 1;
    for (size_t i = 0; i < nt; i++) {
      size_t d = k + t[i]->rank >= r ? t[i]->dim[k + t[i]->rank - r] : 1;
      if (d != 1 && dim[k] != 1 && dim[k] != d)
        return 0;
      dim[k] = d != 1 ? d : dim[k];
    }
  }
  for (size_t i = 0; i < nt; i++) {
    size_t acc = 1;
    for (size_t k = r; k-- > 0;) {
      size_t d = k + t[i]->rank >= r ? t[i]->dim[k + t[i]->rank - r] : 1;
      st[i][k] = d == 1 ? 0 : acc;
      acc *= d;
    }
  }
  *rank = r;
  return 1;
}

/* Where(cond, x, y): forward into out, or backward (gx, gy may be NULL) from gout. */
LIMN_CLONES_WIDE static int where_op(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, ox_tensor *out,
                                     const ox_tensor *gout, ox_tensor *gx, ox_tensor *gy) {
  const ox_tensor *t[3] = {IN(nd, vals, 0), IN(nd, vals, 1), IN(nd, vals, 2)};
  if (!t[0] || !t[1] || !t[2])
    return NODE_ERR(LIMN_EINVAL, "needs three inputs");
  if (t[0]->type != OX_INT64 || t[1]->type != t[2]->type)
    return NODE_ERR(LIMN_EUNSUPPORTED, "needs a boolean condition and two inputs of one type");
  size_t rank, dim[OX_MAXRANK], st[3][OX_MAXRANK];
  if (!broadcast_n(t, 3, &rank, dim, st))
    return NODE_ERR(LIMN_ESHAPE, "shapes do not broadcast");
  if (out)
    LIMN_TRY(limn__ox_alloc(ctx, out, t[1]->type, rank, dim));
  size_t len = out ? out->len : gout->len, idx[OX_MAXRANK] = {0}, o[3] = {0, 0, 0};
  size_t w = rank ? dim[rank - 1] : 1, s0 = rank ? st[0][rank - 1] : 0, s1 = rank ? st[1][rank - 1] : 0,
         s2 = rank ? st[2][rank - 1] : 0;
  /* a condition that steps along the row: its row as 32-bit lanes (often the same row
   * again), so that the loops over it vectorise */
  int32_t *m32 = s0 == 1 && w ? limn__alloc_array(ctx, w, sizeof *m32) : NULL;
  const int64_t *m32_of = NULL;
  if (s0 == 1 && w && !m32)
    return LIMN_ENOMEM;
  for (size_t q = 0; w && q < len; q += w) { /* a row of the last axis at a time */
    const int64_t *cv = t[0]->i + o[0];
    if (m32 && cv != m32_of) {
      for (size_t c = 0; c < w; c++)
        m32[c] = cv[c] != 0;
      m32_of = cv;
    }
    const int32_t *mv = m32;
    if (out && out->type == OX_FLOAT && mv && s1 == 0 && s2 == 1) { /* a mask's fill and the scores */
      const float x0 = t[1]->f[o[1]], *yv = t[2]->f + o[2];
      float *ov = out->f + q;
      for (size_t c = 0; c < w; c++)
        ov[c] = mv[c] ? x0 : yv[c];
    } else if (out && out->type == OX_FLOAT && mv && s1 == 1 && s2 == 0) {
      const float *xv = t[1]->f + o[1], y0 = t[2]->f[o[2]];
      float *ov = out->f + q;
      for (size_t c = 0; c < w; c++)
        ov[c] = mv[c] ? xv[c] : y0;
    } else if (out && out->type == OX_FLOAT) {
      const float *xv = t[1]->f + o[1], *yv = t[2]->f + o[2];
      float *ov = out->f + q;
      for (size_t c = 0; c < w; c++)
        ov[c] = cv[c * s0] ? xv[c * s1] : yv[c * s2];
    } else if (out) {
      for (size_t c = 0; c < w; c++)
        out->i[q + c] = cv[c * s0] ? t[1]->i[o[1] + c * s1] : t[2]->i[o[2] + c * s2];
    } else { /* each element's gradient to the input it came from; the other's unchanged */
      const float *gv = gout->f + q;
      float *xg = gx ? gx->f + o[1] : NULL, *yg = gy ? gy->f + o[2] : NULL;
      if (xg && mv && s1 == 1) /* loops that vectorise */
        for (size_t c = 0; c < w; c++)
          xg[c] = mv[c] ? xg[c] + gv[c] : xg[c];
      else if (xg)
        for (size_t c = 0; c < w; c++)
          if (cv[c * s0])
            xg[c * s1] += gv[c];
      if (yg && mv && s2 == 1)
        for (size_t c = 0; c < w; c++)
          yg[c] = mv[c] ? yg[c] : yg[c] + gv[c];
      else if (yg)
        for (size_t c = 0; c < w; c++)
          if (!cv[c * s0])
            yg[c * s2] += gv[c];
    }
    for (size_t k = rank ? rank - 1 : 0; k-- > 0;) { /* the next row, odometer-wise */
      for (size_t i = 0; i < 3; i++)
        o[i] += st[i][k];
      if (++idx[k] < dim[k])
        break;
      for (size_t i = 0; i < 3; i++)
        o[i] -= st[i][k] * dim[k];
      idx[k] = 0;
    }
  }
  limn__free(ctx, m32);
  return LIMN_OK;
}

/* Element offsets in x of the elements of an output walked in order, where output
 * axis k steps x's offset by step[k]: dst[q] = x[off(q)] (or, backward, gx[off(q)] +=
 * gy[q]). */
LIMN_CLONES_WIDE static void strided(size_t rank, const size_t *dim, const size_t *step, size_t base,
                                     size_t len, const ox_tensor *x, ox_tensor *y, const ox_tensor *gy,
                                     ox_tensor *gx) {
  /* a row of the last axis at a time, read at its step: rows of step 1 copied whole */
  size_t idx[OX_MAXRANK] = {0}, off = base, w = rank ? dim[rank - 1] : 1, sw = rank ? step[rank - 1] : 0;
  for (size_t q = 0; w && q < len; q += w) {
    if (gx)
      for (size_t c = 0; c < w; c++)
        gx->f[off + c * sw] += gy->f[q + c];
    else if (y->type == OX_FLOAT && sw == 1)
      memcpy(y->f + q, x->f + off, w * sizeof(float));
    else if (y->type == OX_FLOAT)
      for (size_t c = 0; c < w; c++)
        y->f[q + c] = x->f[off + c * sw];
    else if (sw == 1)
      memcpy(y->i + q, x->i + off, w * sizeof(int64_t));
    else
      for (size_t c = 0; c < w; c++)
        y->i[q + c] = x->i[off + c * sw];
    for (size_t k = rank ? rank - 1 : 0; k-- > 0;) {
      off += step[k];
      if (++idx[k] < dim[k])
        break;
      off -= step[k] * dim[k];
      idx[k] = 0;
    }
  }
}

static void strides_of(const ox_tensor *x, size_t *st) {
  size_t acc = 1;
  for (size_t k = x->rank; k-- > 0;)
    st[k] = acc, acc *= x->dim[k];
}

/* Transpose by perm (default: reversed axes). */
LIMN_CLONES_WIDE static int transpose_op(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, ox_tensor *y,
                                         const ox_tensor *gy, ox_tensor *gx, int fresh) {
  size_t r = x->rank, perm[OX_MAXRANK], dim[OX_MAXRANK], step[OX_MAXRANK], xs[OX_MAXRANK];
  unsigned char seen[OX_MAXRANK] = {0};
  if (nd->naxes && nd->naxes != r)
    return NODE_ERR(LIMN_ESHAPE, "perm has %zu axes, the input %zu", nd->naxes, r);
  for (size_t k = 0; k < r; k++) {
    int64_t p = nd->naxes ? nd->axes[k] : (int64_t)(r - 1 - k);
    if (p < 0 || p >= (int64_t)r || seen[p])
      return NODE_ERR(LIMN_ESHAPE, "perm is not a permutation of the input's axes");
    seen[p] = 1, perm[k] = (size_t)p;
  }
  strides_of(x, xs);
  for (size_t k = 0; k < r; k++)
    dim[k] = x->dim[perm[k]], step[k] = xs[perm[k]];
  if (y)
    LIMN_TRY(limn__ox_alloc(ctx, y, x->type, r, dim));
  if (!gx) {
    strided(r, dim, step, 0, x->len, x, y, NULL, NULL);
    return LIMN_OK;
  }
  /* backward: gx in its own order, each element's one term read from gy (the inverse
   * permutation), rather than gx written at a stride */
  size_t ys[OX_MAXRANK], back[OX_MAXRANK], idx[OX_MAXRANK] = {0}, off = 0;
  size_t acc = 1, w = r ? x->dim[r - 1] : 1;
  for (size_t k = r; k-- > 0;)
    ys[k] = acc, acc *= dim[k];
  for (size_t k = 0; k < r; k++)
    back[perm[k]] = ys[k];
  size_t sw = r ? back[r - 1] : 0;
  for (size_t q = 0; w && q < x->len; q += w) {
    float *d = gx->f + q;
    const float *src = gy->f + off;
    if (fresh && sw == 1) /* gx unwritten: 0.0f + its term */
      for (size_t c = 0; c < w; c++)
        d[c] = 0.0f + src[c];
    else if (fresh)
      for (size_t c = 0; c < w; c++)
        d[c] = 0.0f + src[c * sw];
    else if (sw == 1)
      for (size_t c = 0; c < w; c++)
        d[c] += src[c];
    else
      for (size_t c = 0; c < w; c++)
        d[c] += src[c * sw];
    for (size_t k = r ? r - 1 : 0; k-- > 0;) {
      off += back[k];
      if (++idx[k] < x->dim[k])
        break;
      off -= back[k] * x->dim[k];
      idx[k] = 0;
    }
  }
  return LIMN_OK;
}

/* Slice (opset >= 10: starts, ends, axes, steps as inputs; steps positive). */
static int slice_op(limn_ctx *ctx, const ox_graph *g, const ox_node *nd, const ox_tensor *vals, ox_tensor *y,
                    const ox_tensor *gy, ox_tensor *gx) {
  const ox_tensor *x = IN(nd, vals, 0), *st = IN(nd, vals, 1), *en = IN(nd, vals, 2), *ax = IN(nd, vals, 3),
                  *sp = IN(nd, vals, 4);
  if (g->opset < 10)
    return NODE_ERR(LIMN_EUNSUPPORTED, "Slice before opset 10 (attributes) is not supported");
  if (!st || !en || st->type != OX_INT64 || en->type != OX_INT64 || st->len != en->len ||
      (ax && (ax->type != OX_INT64 || ax->len != st->len)) ||
      (sp && (sp->type != OX_INT64 || sp->len != st->len)))
    return NODE_ERR(LIMN_ESHAPE, "starts, ends, axes and steps must be int64 lists of one length");
  size_t r = x->rank, lo[OX_MAXRANK], dim[OX_MAXRANK], step[OX_MAXRANK], xs[OX_MAXRANK];
  unsigned char seen[OX_MAXRANK] = {0};
  for (size_t k = 0; k < r; k++)
    lo[k] = 0, dim[k] = x->dim[k], step[k] = 1;
  for (size_t q = 0; q < st->len; q++) {
    int64_t a = ax ? ax->i[q] : (int64_t)q, n, s, e, h = sp ? sp->i[q] : 1;
    a = a < 0 ? a + (int64_t)r : a;
    if (a < 0 || a >= (int64_t)r || seen[a])
      return NODE_ERR(LIMN_ESHAPE, "bad or repeated axis %lld", (long long)(ax ? ax->i[q] : (int64_t)q));
    if (h < 1)
      return NODE_ERR(LIMN_EUNSUPPORTED, "only positive steps are supported");
    seen[a] = 1, n = (int64_t)x->dim[a];
    s = st->i[q] < 0 ? st->i[q] + n : st->i[q];
    e = en->i[q] < 0 ? en->i[q] + n : en->i[q];
    s = s < 0 ? 0 : s > n ? n : s;
    e = e < 0 ? 0 : e > n ? n : e;
    lo[a] = (size_t)s, step[a] = (size_t)h;
    dim[a] = e > s ? (size_t)((e - s + h - 1) / h) : 0;
  }
  strides_of(x, xs);
  size_t base = 0;
  for (size_t k = 0; k < r; k++)
    base += lo[k] * xs[k], step[k] *= xs[k];
  if (y)
    LIMN_TRY(limn__ox_alloc(ctx, y, x->type, r, dim));
  size_t len = 1;
  for (size_t k = 0; k < r; k++)
    len *= dim[k];
  strided(r, dim, step, base, len, x, y, gy, gx);
  return LIMN_OK;
}

/* The axes a node reduces or squeezes: from its second input, else its attribute;
 * mask[k] set for each. Returns how many (0: none given). */
static int node_axes(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, size_t rank,
                     unsigned char *mask, size_t *count) {
  const ox_tensor *ax = IN(nd, vals, 1);
  const int64_t *a = nd->axes;
  size_t na = nd->naxes;
  if (ax) {
    if (ax->type != OX_INT64 || ax->rank > 1)
      return NODE_ERR(LIMN_ESHAPE, "axes must be int64");
    a = ax->i, na = ax->len;
  }
  memset(mask, 0, OX_MAXRANK);
  for (size_t k = 0; k < na; k++) {
    int64_t v = a[k] < 0 ? a[k] + (int64_t)rank : a[k];
    if (v < 0 || v >= (int64_t)rank || mask[v])
      return NODE_ERR(LIMN_ESHAPE, "bad axis %lld", (long long)a[k]);
    mask[v] = 1;
  }
  *count = na;
  return LIMN_OK;
}

static int squeeze_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, ox_tensor *y) {
  const ox_tensor *x = IN(nd, vals, 0);
  unsigned char mask[OX_MAXRANK];
  size_t na, dim[OX_MAXRANK], r = 0;
  LIMN_TRY(node_axes(ctx, nd, vals, x->rank, mask, &na));
  for (size_t k = 0; k < x->rank; k++) {
    if (na && mask[k] && x->dim[k] != 1)
      return NODE_ERR(LIMN_ESHAPE, "axis %zu has %zu values, not 1", k, x->dim[k]);
    if (!(na ? mask[k] : x->dim[k] == 1))
      dim[r++] = x->dim[k];
  }
  return reshape_to(ctx, nd, x, r, dim, y);
}

/* Split along an axis into the node's outputs: sizes from the second input (opset >=
 * 13) or the attribute, else equal parts; backward (grads given) gathers the outputs'
 * gradients back into gx. */
static int split_op(limn_ctx *ctx, const ox_node *nd, ox_tensor *vals, const ox_tensor *grads,
                    ox_tensor *gx) {
  const ox_tensor *x = IN(nd, vals, 0), *sp = IN(nd, vals, 1);
  long ax = nd->axis < 0 ? nd->axis + (long)x->rank : nd->axis;
  if (ax < 0 || ax >= (long)x->rank)
    return NODE_ERR(LIMN_ESHAPE, "axis %ld out of range", nd->axis);
  size_t n = nd->nout, size[OX_MAXOUT], total = 0, span = x->dim[ax];
  const int64_t *given = sp ? sp->i : nd->naxes ? nd->axes : NULL;
  size_t ng = sp ? sp->len : nd->naxes;
  if (sp && sp->type != OX_INT64)
    return NODE_ERR(LIMN_ESHAPE, "split sizes must be int64");
  if (given && ng != n)
    return NODE_ERR(LIMN_ESHAPE, "%zu split sizes for %zu outputs", ng, n);
  for (size_t q = 0; q < n; q++) {
    if (given && given[q] < 0)
      return NODE_ERR(LIMN_ESHAPE, "negative split size");
    size[q] = given ? (size_t)given[q] : span / n;
    total += size[q];
  }
  if (!given && span % n)
    return NODE_ERR(LIMN_ESHAPE, "%zu values do not split into %zu equal parts", span, n);
  if (total != span)
    return NODE_ERR(LIMN_ESHAPE, "split sizes sum to %zu, the axis has %zu", total, span);
  size_t outer = 1, inner = 1, off = 0;
  for (long r = 0; r < ax; r++)
    outer *= x->dim[r];
  for (size_t r = (size_t)ax + 1; r < x->rank; r++)
    inner *= x->dim[r];
  size_t es = x->type == OX_FLOAT ? sizeof(float) : sizeof(int64_t);
  for (size_t q = 0; q < n; q++) {
    size_t w = size[q] * inner;
    if (nd->out[q] >= 0 && !gx) {
      size_t dim[OX_MAXRANK];
      memcpy(dim, x->dim, sizeof dim);
      dim[ax] = size[q];
      ox_tensor *y = &vals[nd->out[q]];
      LIMN_TRY(limn__ox_alloc(ctx, y, x->type, x->rank, dim));
      for (size_t o = 0; o < outer; o++)
        memcpy((char *)(x->type == OX_FLOAT ? (void *)y->f : (void *)y->i) + o * w * es,
               (const char *)(x->type == OX_FLOAT ? (void *)x->f : (void *)x->i) +
                   (o * span * inner + off) * es,
               w * es);
    } else if (nd->out[q] >= 0 && grads[nd->out[q]].type == OX_FLOAT) {
      const float *d = grads[nd->out[q]].f;
      for (size_t o = 0; o < outer; o++)
        for (size_t c = 0; c < w; c++)
          gx->f[o * span * inner + off + c] += d[o * w + c];
    }
    off += w;
  }
  return LIMN_OK;
}

/* Expand x to a shape (numpy broadcasting of the two); backward sums gy back into gx. */
static int expand_op(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, const ox_tensor *shape,
                     ox_tensor *y, const ox_tensor *gy, ox_tensor *gx) {
  if (!shape || shape->type != OX_INT64 || shape->rank != 1 || shape->len > OX_MAXRANK)
    return NODE_ERR(LIMN_ESHAPE, "the shape must be a 1-D int64 tensor of at most %d values", OX_MAXRANK);
  ox_tensor s = {0};
  s.rank = shape->len;
  for (size_t k = 0; k < shape->len; k++) {
    if (shape->i[k] < 0 || shape->i[k] > (1 << 24))
      return NODE_ERR(LIMN_ESHAPE, "bad dimension %lld", (long long)shape->i[k]);
    s.dim[k] = (size_t)shape->i[k];
  }
  const ox_tensor *t[2] = {x, &s};
  size_t rank, dim[OX_MAXRANK], st[2][OX_MAXRANK];
  if (!broadcast_n(t, 2, &rank, dim, st))
    return NODE_ERR(LIMN_ESHAPE, "the input does not broadcast to the shape");
  if (y)
    LIMN_TRY(limn__ox_alloc(ctx, y, x->type, rank, dim));
  size_t len = 1;
  for (size_t k = 0; k < rank; k++)
    len *= dim[k];
  strided(rank, dim, st[0], 0, len, x, y, gy, gx); /* the input read at its broadcast strides */
  return LIMN_OK;
}

/* Resize along one axis: output j reads input i0[j] with weight w0[j] and i1[j] with w1[j]
 * (nearest: i1 = i0, w1 = 0, and a copy). */
typedef struct rs_taps {
  size_t *i0, *i1;
  float *w0, *w1;
} rs_taps;

/* Where output j of lout lands in an input of lin along an axis of scale s (ONNX's
 * coordinate_transformation_mode), and its taps. */
static void resize_taps(const ox_node *nd, size_t lin, size_t lout, double s, rs_taps *t) {
  for (size_t j = 0; j < lout; j++) {
    double o = (double)j, x;
    switch (nd->rs_coord) {
    case RS_PYTORCH_HALF_PIXEL:
      x = lout > 1 ? (o + 0.5) / s - 0.5 : 0.0;
      break;
    case RS_ASYMMETRIC:
      x = o / s;
      break;
    case RS_ALIGN_CORNERS:
      x = lout > 1 ? o * (double)(lin - 1) / (double)(lout - 1) : 0.0;
      break;
    case RS_HALF_PIXEL_SYMMETRIC: {
      double adj = (double)lout / (s * (double)lin), centre = (double)lin / 2;
      x = centre * (1 - adj) + (o + 0.5) / s - 0.5;
      break;
    }
    case RS_TF_HALF_PIXEL_NN:
      x = (o + 0.5) / s;
      break;
    default:
      x = (o + 0.5) / s - 0.5;
    }
    double top = (double)(lin - 1);
    if (nd->rs_mode == RS_NEAREST) {
      double f = floor(x), r;
      switch (nd->rs_nearest) {
      case RS_FLOOR:
        r = f;
        break;
      case RS_CEIL:
        r = ceil(x);
        break;
      case RS_ROUND_PREFER_CEIL:
        r = x - f == 0.5 ? f + 1 : floor(x + 0.5);
        break;
      default:
        r = x - f == 0.5 ? f : floor(x + 0.5);
      }
      r = r < 0 ? 0 : r > top ? top : r;
      t->i0[j] = t->i1[j] = (size_t)r, t->w0[j] = 1.0f, t->w1[j] = 0.0f;
    } else { /* linear: the coordinate kept inside, as torch and onnxruntime do */
      x = x < 0 ? 0 : x > top ? top : x;
      double f = floor(x);
      size_t i = (size_t)f;
      t->i0[j] = i, t->i1[j] = i + 1 < lin ? i + 1 : i;
      t->w1[j] = (float)(x - f), t->w0[j] = (float)(1.0 - (x - f));
    }
  }
}

/* One axis of a tensor seen as (outer, lin, inner) to (outer, lout, inner): forward
 * y = taps(x), or backward gx += taps^T(gy). */
static void resize_axis(const ox_node *nd, const rs_taps *t, size_t outer, size_t lin, size_t lout,
                        size_t inner, const float *x, float *y, const float *gy, float *gx) {
  for (size_t o = 0; o < outer; o++)
    for (size_t j = 0; j < lout; j++) {
      size_t a = (o * lin + t->i0[j]) * inner, b = (o * lin + t->i1[j]) * inner, q = (o * lout + j) * inner;
      float w0 = t->w0[j], w1 = t->w1[j];
      if (gx && nd->rs_mode == RS_NEAREST)
        for (size_t i = 0; i < inner; i++)
          gx[a + i] += gy[q + i];
      else if (gx)
        for (size_t i = 0; i < inner; i++) {
          gx[a + i] += w0 * gy[q + i];
          gx[b + i] += w1 * gy[q + i];
        }
      else if (nd->rs_mode == RS_NEAREST)
        memcpy(y + q, x + a, inner * sizeof *y);
      else
        for (size_t i = 0; i < inner; i++)
          y[q + i] = w0 * x[a + i] + w1 * x[b + i];
    }
}

/* Resize (nearest or linear, any axes): the axes whose length changes, one at a time in
 * order (backward in reverse, through the transposed taps). Scales or sizes as ONNX
 * gives them (opset 10: X, scales; 11 on: X, roi, scales, sizes). */
static int resize_op(limn_ctx *ctx, const ox_graph *g, const ox_node *nd, const ox_tensor *vals, ox_tensor *y,
                     const ox_tensor *gy, ox_tensor *gx) {
  const ox_tensor *x = IN(nd, vals, 0);
  const ox_tensor *sc = g->opset < 11 ? IN(nd, vals, 1) : IN(nd, vals, 2),
                  *sz = g->opset < 11 ? NULL : IN(nd, vals, 3);
  if (x->type != OX_FLOAT || x->rank < 1)
    return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float tensor");
  size_t rank = x->rank, od[OX_MAXRANK];
  double s[OX_MAXRANK];
  if (sc && sc->len) {
    if (sc->type != OX_FLOAT || sc->len != rank)
      return NODE_ERR(LIMN_ESHAPE, "scales must be %zu floats, one per axis", rank);
    for (size_t k = 0; k < rank; k++) {
      double v = sc->f[k], n = floor((double)x->dim[k] * v);
      if (!(v > 0) || !(n >= 1) || n > (double)(1 << 24))
        return NODE_ERR(LIMN_ESHAPE, "bad scale %g on axis %zu", v, k);
      s[k] = v, od[k] = (size_t)n;
    }
  } else if (sz && sz->len) {
    if (sz->type != OX_INT64 || sz->len != rank)
      return NODE_ERR(LIMN_ESHAPE, "sizes must be %zu integers, one per axis", rank);
    for (size_t k = 0; k < rank; k++) {
      if (sz->i[k] < 1 || sz->i[k] > (1 << 24) || x->dim[k] == 0)
        return NODE_ERR(LIMN_ESHAPE, "bad size %lld on axis %zu", (long long)sz->i[k], k);
      od[k] = (size_t)sz->i[k], s[k] = (double)od[k] / (double)x->dim[k];
    }
  } else {
    return NODE_ERR(LIMN_EINVAL, "needs scales or sizes");
  }
  /* the shape after each axis (each within the limit per tensor), the taps of the axes
   * that change */
  size_t shape[OX_MAXRANK + 1][OX_MAXRANK], maxlen = 1, total = 0, len[OX_MAXRANK + 1];
  for (size_t k = 0; k <= rank; k++) {
    len[k] = 1;
    for (size_t q = 0; q < rank; q++) {
      shape[k][q] = q < k ? od[q] : x->dim[q];
      if (!limn__mul_ok(len[k], shape[k][q], &len[k]) || len[k] > OX_MAX_ELEMENTS)
        return NODE_ERR(LIMN_ESHAPE, "its output would have more than %d elements (the limit per tensor)",
                        OX_MAX_ELEMENTS);
    }
    maxlen = len[k] > maxlen ? len[k] : maxlen;
  }
  if (y)
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, rank, od));
  for (size_t k = 0; k < rank; k++)
    total += od[k];
  rs_taps *taps = limn__calloc(ctx, rank, sizeof *taps);
  size_t *ix = limn__alloc_array(ctx, total + 1, 2 * sizeof *ix);
  float *wt = limn__alloc_array(ctx, total + 1, 2 * sizeof *wt);
  float *buf = limn__alloc_array(ctx, maxlen, 2 * sizeof *buf); /* two intermediates */
  int rc = taps && ix && wt && buf ? LIMN_OK : LIMN_ENOMEM;
  size_t at = 0, last = rank;
  for (size_t k = 0; !rc && k < rank; k++) {
    taps[k].i0 = ix + 2 * at, taps[k].i1 = ix + 2 * at + od[k];
    taps[k].w0 = wt + 2 * at, taps[k].w1 = wt + 2 * at + od[k];
    at += od[k];
    if (od[k] != x->dim[k] || s[k] != 1.0) {
      resize_taps(nd, x->dim[k], od[k], s[k], &taps[k]);
      last = k;
    }
  }
  int moves[OX_MAXRANK] = {0};
  for (size_t k = 0; k < rank; k++)
    moves[k] = od[k] != x->dim[k] || s[k] != 1.0;
  if (!rc && last == rank) { /* nothing changes: a copy */
    if (y)
      memcpy(y->f, x->f, x->len * sizeof(float));
    else
      for (size_t q = 0; q < x->len; q++)
        gx->f[q] += gy->f[q];
  } else if (!rc && y) {
    const float *src = x->f;
    for (size_t k = 0, flip = 0; k < rank; k++) {
      if (!moves[k])
        continue;
      size_t outer = 1, inner = 1;
      for (size_t q = 0; q < k; q++)
        outer *= shape[k][q];
      for (size_t q = k + 1; q < rank; q++)
        inner *= shape[k][q];
      float *dst = k == last ? y->f : buf + flip * maxlen;
      resize_axis(nd, &taps[k], outer, x->dim[k], od[k], inner, src, dst, NULL, NULL);
      src = dst, flip ^= 1;
    }
  } else if (!rc) { /* backward: the last axis first; each pass into a zeroed buffer, the last into gx */
    const float *src = gy->f;
    size_t flip = 0;
    for (size_t k = rank; k-- > 0;) {
      if (!moves[k])
        continue;
      size_t outer = 1, inner = 1, first = 0;
      for (size_t q = 0; q < k; q++)
        outer *= shape[k][q];
      for (size_t q = k + 1; q < rank; q++)
        inner *= shape[k][q];
      while (first < k && !moves[first])
        first++;
      float *dst = k == first ? gx->f : buf + flip * maxlen;
      if (k != first)
        memset(dst, 0, len[k] * sizeof *dst);
      resize_axis(nd, &taps[k], outer, x->dim[k], od[k], inner, NULL, NULL, src, dst);
      src = dst, flip ^= 1;
    }
  }
  limn__free(ctx, taps), limn__free(ctx, ix), limn__free(ctx, wt), limn__free(ctx, buf);
  return rc;
}

/* ReduceMean and ReduceSum (all axes when none are given); backward spreads gy. */
static int reduce_op(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, ox_tensor *y,
                     const ox_tensor *gy, ox_tensor *gx) {
  const ox_tensor *x = IN(nd, vals, 0);
  if (x->type != OX_FLOAT)
    return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float input");
  unsigned char mask[OX_MAXRANK];
  size_t na, dim[OX_MAXRANK], keep[OX_MAXRANK], r = 0, count = 1;
  LIMN_TRY(node_axes(ctx, nd, vals, x->rank, mask, &na));
  for (size_t k = 0; k < x->rank; k++) {
    int red = na ? mask[k] : 1;
    keep[k] = red ? 1 : x->dim[k];
    count *= red ? x->dim[k] : 1;
    if (!red || nd->keepdims)
      dim[r++] = keep[k];
  }
  /* each input element's output offset: strides of the kept shape, 0 on reduced axes */
  size_t os[OX_MAXRANK], acc = 1;
  for (size_t k = x->rank; k-- > 0;)
    os[k] = keep[k] == 1 ? 0 : acc, acc *= keep[k];
  double scale = nd->op == OX_REDUCEMEAN && count ? 1.0 / (double)count : 1.0;
  double *sum = NULL;
  if (y) {
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, r, dim));
    if (!(sum = limn__calloc(ctx, y->len ? y->len : 1, sizeof *sum)))
      return LIMN_ENOMEM;
  }
  size_t idx[OX_MAXRANK] = {0}, off = 0;
  for (size_t q = 0; q < x->len; q++) {
    if (sum)
      sum[off] += x->f[q];
    else
      gx->f[q] += (float)(gy->f[off] * scale);
    for (size_t k = x->rank; k-- > 0;) {
      off += os[k];
      if (++idx[k] < x->dim[k])
        break;
      off -= os[k] * x->dim[k];
      idx[k] = 0;
    }
  }
  for (size_t q = 0; sum && q < y->len; q++)
    y->f[q] = (float)(sum[q] * scale);
  limn__free(ctx, sum);
  return LIMN_OK;
}

/* LayerNormalization over the axes from `axis` on (opset 17), in double per row;
 * backward (gx set) through x only. st (the hidden output fold_layernorm adds, or NULL):
 * each row's mean and inverse deviation, as the bytes of two doubles in four floats,
 * written forward and read back (not computed again) backward. */
LIMN_CLONES_WIDE static int layernorm(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, ox_tensor *y,
                                      ox_tensor *st, const ox_tensor *gy, ox_tensor *gx, int fresh) {
  const ox_tensor *x = IN(nd, vals, 0), *sc = IN(nd, vals, 1), *bi = IN(nd, vals, 2);
  long ax = nd->axis < 0 ? nd->axis + (long)x->rank : nd->axis;
  if (x->type != OX_FLOAT || ax < 0 || ax >= (long)x->rank)
    return NODE_ERR(LIMN_ESHAPE, "needs a float input and an axis within its rank");
  if (nd->nout > 1 && (nd->out[1] >= 0 || (nd->nout > 2 && nd->out[2] >= 0)))
    return NODE_ERR(LIMN_EUNSUPPORTED, "the Mean and InvStdDev outputs are not supported");
  size_t cols = 1;
  for (size_t k = (size_t)ax; k < x->rank; k++)
    cols *= x->dim[k];
  size_t rows = cols ? x->len / cols : 0;
  if (!sc || sc->type != OX_FLOAT || sc->len != cols || (bi && (bi->type != OX_FLOAT || bi->len != cols)))
    return NODE_ERR(LIMN_ESHAPE, "Scale and B must hold one float per normalised element (%zu)", cols);
  if (y)
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, x->rank, x->dim));
  size_t sdim[2] = {rows, 4};
  if (y && st)
    LIMN_TRY(limn__ox_alloc(ctx, st, OX_FLOAT, 2, sdim));
  int saved = !y && st && st->type == OX_FLOAT && st->len == 4 * rows;
  double t[256];
  for (size_t i = 0; i < rows; i++) {
    const float *v = x->f + i * cols;
    double m = 0, var = 0, inv;
    if (saved) {
      memcpy(&m, st->f + 4 * i, sizeof m);
      memcpy(&inv, st->f + 4 * i + 2, sizeof inv);
    } else {
      for (size_t c0 = 0; c0 < cols; c0 += 256) /* sums in double, sum8 a block at a time */
        m += sum8f(v + c0, cols - c0 < 256 ? cols - c0 : 256);
      m /= (double)cols;
      for (size_t c0 = 0; c0 < cols; c0 += 256) {
        size_t nc = cols - c0 < 256 ? cols - c0 : 256;
        for (size_t c = 0; c < nc; c++)
          t[c] = ((double)v[c0 + c] - m) * ((double)v[c0 + c] - m);
        var += sum8(t, nc);
      }
      inv = 1.0 / sqrt(var / (double)cols + (double)nd->eps);
    }
    if (y && st) {
      memcpy(st->f + 4 * i, &m, sizeof m);
      memcpy(st->f + 4 * i + 2, &inv, sizeof inv);
    }
    if (y) { /* the two cases apart, so that each loop vectorises */
      float *yo = y->f + i * cols;
      const float *s = sc->f;
      if (bi)
        for (size_t c = 0; c < cols; c++)
          yo[c] = (float)(((double)v[c] - m) * inv * s[c] + bi->f[c]);
      else
        for (size_t c = 0; c < cols; c++)
          yo[c] = (float)(((double)v[c] - m) * inv * s[c] + 0.0);
      continue;
    }
    /* dx = inv (g - mean(g) - xhat mean(g xhat)), g = gy scale */
    const float *d = gy->f + i * cols;
    double mg = 0, mgx = 0, t2[256];
    for (size_t c0 = 0; c0 < cols; c0 += 256) {
      size_t nc = cols - c0 < 256 ? cols - c0 : 256;
      for (size_t c = 0; c < nc; c++) {
        double gc = (double)d[c0 + c] * sc->f[c0 + c], xh = ((double)v[c0 + c] - m) * inv;
        t[c] = gc, t2[c] = gc * xh;
      }
      mg += sum8(t, nc), mgx += sum8(t2, nc);
    }
    mg /= (double)cols, mgx /= (double)cols;
    float *gr = gx->f + i * cols;
    if (fresh) /* gx unwritten: 0.0f + its term */
      for (size_t c = 0; c < cols; c++) {
        double gc = (double)d[c] * sc->f[c], xh = ((double)v[c] - m) * inv;
        gr[c] = 0.0f + (float)(inv * (gc - mg - xh * mgx));
      }
    else
      for (size_t c = 0; c < cols; c++) {
        double gc = (double)d[c] * sc->f[c], xh = ((double)v[c] - m) * inv;
        gr[c] += (float)(inv * (gc - mg - xh * mgx));
      }
  }
  return LIMN_OK;
}

/* Equal (numbers of one type) and Not: booleans as int64 0 and 1. */
static int logic_fwd(limn_ctx *ctx, const ox_node *nd, const ox_tensor *a, const ox_tensor *b, ox_tensor *y) {
  if (nd->op == OX_NOT) {
    if (a->type != OX_INT64)
      return NODE_ERR(LIMN_EUNSUPPORTED, "needs a boolean input");
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_INT64, a->rank, a->dim));
    for (size_t q = 0; q < a->len; q++)
      y->i[q] = !a->i[q];
    return LIMN_OK;
  }
  size_t rank, dim[OX_MAXRANK], sa[OX_MAXRANK], sb[OX_MAXRANK];
  if (!broadcast(a, b, &rank, dim, sa, sb))
    return NODE_ERR(LIMN_ESHAPE, "shapes do not broadcast");
  if (a->type != b->type)
    return NODE_ERR(LIMN_EUNSUPPORTED, "mixed element types");
  LIMN_TRY(limn__ox_alloc(ctx, y, OX_INT64, rank, dim));
  for (size_t q = 0; q < y->len; q++) {
    size_t oa, ob;
    offsets(q, rank, dim, sa, sb, &oa, &ob);
    y->i[q] = a->type == OX_INT64 ? a->i[oa] == b->i[ob] : a->f[oa] == b->f[ob];
  }
  return LIMN_OK;
}

/* Erf, Sqrt and Pow by a constant scalar exponent; dy/dx into *dx when asked. */
/* y = erf(x) for n floats, eight at a time. */
LIMN_CLONES_WIDE static void erf_all(const float *x, float *y, size_t n) {
  size_t q = 0;
  for (; q + 16 <= n; q += 16)
    erf16(x + q, y + q);
  if (q < n) {
    float t[16] = {0}, o[16];
    memcpy(t, x + q, (n - q) * sizeof *t);
    erf16(t, o);
    memcpy(y + q, o, (n - q) * sizeof *o);
  }
}

/* gx += gy erf'(x) = gy 2 / sqrt(pi) e^(-x^2) for n floats, the exponential eight at a
 * time (exp16_nonpos of -x^2 rounded to float; 0 below -87). */
LIMN_CLONES_WIDE static void erf_grad_all(const float *x, const float *gy, float *gx, size_t n, int fresh) {
  for (size_t q = 0; q < n; q += 16) {
    size_t m = n - q < 16 ? n - q : 16;
    float t[16] = {0}, e[16];
    for (size_t l = 0; l < m; l++)
      t[l] = (float)(-((double)x[q + l] * x[q + l]));
    exp16_nonpos(t, e);
    for (size_t l = 0; l < m; l++) /* fresh: gx unwritten, 0.0f + its term */
      gx[q + l] = (fresh ? 0.0f : gx[q + l]) + (float)(gy[q + l] * (1.1283791670955126 * e[l]));
  }
}

static int unary_math(limn_ctx *ctx, const ox_node *nd, const ox_tensor *a, const ox_tensor *e, ox_tensor *y,
                      const ox_tensor *gy, ox_tensor *gx, int fresh) {
  if (a->type != OX_FLOAT)
    return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float input");
  double p = 0;
  if (nd->op == OX_POW) {
    if (!e || e->type != OX_FLOAT || e->len != 1)
      return NODE_ERR(LIMN_EUNSUPPORTED, "only a scalar float exponent is supported");
    p = e->f[0];
  }
  if (y)
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, a->rank, a->dim));
  if (nd->op == OX_ERF) {
    if (y)
      erf_all(a->f, y->f, a->len);
    else
      erf_grad_all(a->f, gy->f, gx->f, a->len, fresh);
    return LIMN_OK;
  }
  for (size_t q = 0; q < a->len; q++) {
    double v = a->f[q];
    if (y) {
      y->f[q] = (float)(nd->op == OX_SQRT ? sqrt(v) : pow(v, p));
      continue;
    }
    double d = nd->op == OX_SQRT ? 0.5 / sqrt(v) : p == 2 ? 2 * v : p * pow(v, p - 1);
    gx->f[q] = (fresh ? 0.0f : gx->f[q]) + (float)(gy->f[q] * d);
  }
  return LIMN_OK;
}

static int forward_op(limn_ctx *ctx, const ox_graph *g, const ox_node *nd, ox_tensor *vals);
static int softmax_pre(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, ox_tensor *y,
                       const ox_tensor *gy, ox_tensor *gx, int fresh);
static int gelu(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, ox_tensor *y, ox_tensor *u,
                const ox_tensor *gy, ox_tensor *gx, int fresh);

/* ---- rows kept (plan_rows in onnx.c) ---- */

/* OX_ROWS: rows lo .. hi - 1 of x along the node's axis into y (which records the cut);
 * backward (y NULL) adds gy into those rows of gx. */
static int rows_op(limn_ctx *ctx, const ox_node *nd, const ox_tensor *x, ox_tensor *y, const ox_tensor *gy,
                   ox_tensor *gx) {
  size_t a = nd->rows_axis, lo = nd->rows_lo, m = nd->rows_hi - nd->rows_lo;
  if (x->rfull || x->rank != nd->rows_rank || a >= x->rank || nd->rows_hi > x->dim[a] ||
      (x->type != OX_FLOAT && x->type != OX_INT64))
    return OX_RETRY;
  size_t outer = 1, inner = 1, span = x->dim[a], dim[OX_MAXRANK];
  for (size_t k = 0; k < x->rank; k++) {
    dim[k] = k == a ? m : x->dim[k];
    if (k < a)
      outer *= x->dim[k];
    else if (k > a)
      inner *= x->dim[k];
  }
  if (y) {
    LIMN_TRY(limn__ox_alloc(ctx, y, x->type, x->rank, dim));
    y->rfull = span, y->rlo = lo, y->raxis = a;
  }
  for (size_t o = 0; o < outer; o++) {
    size_t src = (o * span + lo) * inner, dst = o * m * inner;
    if (gx)
      add_term(gx->f + src, gy->f + dst, m * inner, 0);
    else if (x->type == OX_FLOAT)
      memcpy(y->f + dst, x->f + src, m * inner * sizeof(float));
    else
      memcpy(y->i + dst, x->i + src, m * inner * sizeof(int64_t));
  }
  return LIMN_OK;
}

/* Whether a node planned to keep rows fits the tensors it meets: each cut input holds
 * the planned rows along the axis that lines up with the output's, every other input is
 * whole and, where the node broadcasts, of size 1 along that axis; the operator keeps
 * rows apart along it. *whole: the uncut size along the axis. */
static int rows_fit(const ox_node *nd, const ox_tensor *vals, size_t *whole) {
  size_t m = nd->rows_hi - nd->rows_lo, r = nd->rows_rank, a = nd->rows_axis;
  *whole = 0;
  for (size_t k = 0; k < nd->nin; k++) {
    const ox_tensor *t = IN(nd, vals, k);
    size_t ax = nd->rows_in_axis[k];
    if (!t)
      continue;
    if (nd->rows_in[k] != ROWS_CUT) {
      if (t->rfull)
        return 0;
      if (nd->rows_in[k] == ROWS_BCAST && t->rank + a >= r && t->dim[t->rank + a - r] != 1)
        return 0;
      continue;
    }
    if (!t->rfull || t->raxis != ax || ax >= t->rank || t->rlo != nd->rows_lo || t->dim[ax] != m ||
        (*whole && t->rfull != *whole))
      return 0;
    if (nd->op != OX_TRANSPOSE && nd->op != OX_RESHAPE && t->rank - ax != r - a)
      return 0; /* cut along an axis that does not line up with the output's */
    *whole = t->rfull;
  }
  const ox_tensor *x = IN(nd, vals, 0), *b = IN(nd, vals, 1);
  long ax = x ? (nd->axis < 0 ? nd->axis + (long)x->rank : nd->axis) : -1;
  switch (nd->op) {
  case OX_MATMUL:
    return *whole && b && b->rank >= 2 && x->rank >= 2 && a + 2 == r;
  case OX_SOFTMAX:
  case OX_LOGSOFTMAX:
  case OX_LAYERNORM: /* normalised over axes after the cut one */
    return *whole && x->rank == r && ax > (long)a && ax < (long)r;
  case OX_REDUCEMEAN:
  case OX_REDUCESUM: { /* over axes after the cut one */
    const int64_t *axes = b ? b->i : nd->axes;
    size_t na = b ? (b->type == OX_INT64 && b->rank <= 1 ? b->len : 0) : nd->naxes;
    for (size_t q = 0; q < na; q++) {
      int64_t v = axes[q] < 0 ? axes[q] + (int64_t)x->rank : axes[q];
      if (v <= (int64_t)a || v >= (int64_t)x->rank)
        return 0;
    }
    return *whole && na && x->rank > a;
  }
  case OX_TRANSPOSE:
    return *whole && x->rank == r &&
           (nd->naxes ? nd->naxes == r && (size_t)nd->axes[a] == nd->rows_in_axis[0]
                      : r - 1 - a == nd->rows_in_axis[0]);
  default:
    return *whole != 0;
  }
}

int limn__ox_forward(limn_ctx *ctx, const ox_graph *g, const ox_node *nd, ox_tensor *vals) {
  size_t whole = 0;
  if (nd->rows && !rows_fit(nd, vals, &whole))
    return OX_RETRY;
  int rc = nd->op == OX_ROWS ? rows_op(ctx, nd, IN(nd, vals, 0), &vals[nd->out[0]], NULL, NULL)
                             : forward_op(ctx, g, nd, vals);
  if (rc == OX_RETRY)
    return rc;
  /* a failure below the operator (a tensor over the element limit) names the node too */
  if (rc && rc != LIMN_ENOMEM && strncmp(ctx->errmsg, "node ", 5))
    rc = node_err(ctx, nd, rc);
  if (!rc && nd->rows) { /* the rows it made, as planned */
    ox_tensor *y = &vals[nd->out[0]];
    if (y->rank != nd->rows_rank || y->dim[nd->rows_axis] != nd->rows_hi - nd->rows_lo)
      return OX_RETRY;
    y->rfull = whole, y->rlo = nd->rows_lo, y->raxis = nd->rows_axis;
  }
  return rc;
}

static int forward_op(limn_ctx *ctx, const ox_graph *g, const ox_node *nd, ox_tensor *vals) {
  const ox_tensor *a = IN(nd, vals, 0), *b = IN(nd, vals, 1);
  ox_tensor *y = &vals[nd->out[0]];
  if (!a && nd->op != OX_CONCAT)
    return NODE_ERR(LIMN_EINVAL, "missing input");
  int needs_b = nd->op == OX_GEMM || nd->op == OX_MATMUL || nd->op == OX_CONV || nd->op == OX_ADD ||
                nd->op == OX_SUB || nd->op == OX_MUL || nd->op == OX_DIV || nd->op == OX_RESHAPE ||
                nd->op == OX_GATHER || nd->op == OX_EQUAL || nd->op == OX_POW || nd->op == OX_EXPAND;
  if (needs_b && !b)
    return NODE_ERR(LIMN_EINVAL, "missing second input");
  int fl = a && a->type == OX_FLOAT;
  switch (nd->op) {
  case OX_GEMM:
  case OX_MATMUL: {
    int rc = nd->op == OX_GEMM ? gemm_fwd(ctx, nd, a, b, IN(nd, vals, 2), y)
                               : matmul_fwd(ctx, nd, a, b, nd->bias >= 0 ? &vals[nd->bias] : NULL, y);
    for (size_t q = 0; !rc && nd->relu && q < y->len; q++) { /* the folded Relu */
      if (isnan(y->f[q])) /* Relu would hide it (see check_nan in onnx.c) */
        return NODE_ERR(
            LIMN_ENONFINITE,
            "row %zu: gives NaN (inputs far beyond the training data?); the model has no meaningful "
            "output there",
            q / (y->rank == 2 && y->dim[1] ? y->dim[1] : 1));
      y->f[q] = y->f[q] > 0 ? y->f[q] : 0.0f;
    }
    return rc;
  }
  case OX_ADD:
  case OX_SUB:
  case OX_MUL:
  case OX_DIV:
    return binary_fwd(ctx, nd, a, b, y);
  case OX_RELU:
  case OX_LEAKYRELU:
  case OX_SIGMOID:
  case OX_TANH:
    if (!fl)
      return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float input");
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, a->rank, a->dim));
    if (nd->op == OX_RELU) { /* its own loop, so that it vectorises */
      const float *restrict av = a->f;
      float *restrict yv = y->f;
      for (size_t q = 0; q < a->len; q++)
        yv[q] = av[q] > 0 ? av[q] : 0.0f;
      return LIMN_OK;
    }
    for (size_t q = 0; q < a->len; q++) {
      float v = a->f[q];
      y->f[q] = nd->op == OX_RELU        ? (v > 0 ? v : 0.0f)
                : nd->op == OX_LEAKYRELU ? (v >= 0 ? v : nd->alpha * v)
                : nd->op == OX_SIGMOID   ? (float)(1.0 / (1.0 + exp(-(double)v)))
                                         : (float)tanh((double)v);
    }
    return LIMN_OK;
  case OX_GELU:
    return gelu(ctx, nd, vals, y, nd->nout > 1 && nd->out[1] >= 0 ? &vals[nd->out[1]] : NULL, NULL, NULL, 0);
  case OX_SOFTMAX:
  case OX_LOGSOFTMAX: {
    if (nd->op == OX_SOFTMAX && nd->pre)
      return softmax_pre(ctx, nd, vals, y, NULL, NULL, 0);
    if (!fl)
      return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float input");
    size_t rows, cols;
    LIMN_TRY(softmax_shape(ctx, g, nd, a, &rows, &cols));
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, a->rank, a->dim));
    softmax_rows(a->f, y->f, rows, cols, nd->op == OX_LOGSOFTMAX);
    return LIMN_OK;
  }
  case OX_FLATTEN:
    return flatten_fwd(ctx, nd, a, y);
  case OX_RESHAPE:
    return reshape_fwd(ctx, nd, a, b, y);
  case OX_IDENTITY:
  case OX_DROPOUT:
    return reshape_to(ctx, nd, a, a->rank, a->dim, y);
  case OX_CAST:
    return cast_fwd(ctx, nd, a, y);
  case OX_SHAPE: {
    size_t d1 = a->rank;
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_INT64, 1, &d1));
    for (size_t k = 0; k < a->rank; k++)
      y->i[k] = (int64_t)(a->rfull && k == a->raxis ? a->rfull : a->dim[k]);
    return LIMN_OK;
  }
  case OX_GATHER:
    return gather(ctx, nd, a, b, y, NULL, NULL);
  case OX_UNSQUEEZE:
    return unsqueeze_fwd(ctx, nd, a, b, y);
  case OX_CONCAT:
    return concat_fwd(ctx, nd, vals, y);
  case OX_CONV:
    return conv_fwd(ctx, nd, a, b, IN(nd, vals, 2), y);
  case OX_MAXPOOL:
  case OX_AVGPOOL:
    return pool(ctx, nd, a, y, NULL, NULL);
  case OX_PAD:
    return pad_fwd(ctx, nd, a, b, IN(nd, vals, 2), y);
  case OX_BATCHNORM:
    if (!fl || a->rank < 2)
      return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float input of rank 2 or more (N, C, ...)");
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, a->rank, a->dim));
    return batchnorm(ctx, nd, vals, y, NULL, NULL);
  case OX_GLOBALAVGPOOL: {
    if (!fl || a->rank < 3)
      return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float input (N, C, spatial...)");
    size_t dim[OX_MAXRANK];
    for (size_t r = 0; r < a->rank; r++)
      dim[r] = r < 2 ? a->dim[r] : 1;
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, a->rank, dim));
    return global_pool(ctx, nd, a, y, NULL, NULL);
  }
  case OX_CLIP:
  case OX_HARDSIGMOID:
  case OX_HARDSWISH: {
    float lo, hi;
    LIMN_TRY(clip_bounds(ctx, nd, vals, &lo, &hi));
    if (!fl)
      return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float input");
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, a->rank, a->dim));
    for (size_t q = 0; q < a->len; q++)
      y->f[q] = piecewise(nd, a->f[q], lo, hi, NULL);
    return LIMN_OK;
  }
  case OX_TRANSPOSE:
    return transpose_op(ctx, nd, a, y, NULL, NULL, 0);
  case OX_LAYERNORM:
    return layernorm(ctx, nd, vals, y, nd->hidden ? &vals[nd->out[3]] : NULL, NULL, NULL, 0);
  case OX_ERF:
  case OX_SQRT:
  case OX_POW:
    return unary_math(ctx, nd, a, b, y, NULL, NULL, 0);
  case OX_EQUAL:
  case OX_NOT:
    if (nd->op == OX_EQUAL && !b)
      return NODE_ERR(LIMN_EINVAL, "missing second input");
    return logic_fwd(ctx, nd, a, b, y);
  case OX_WHERE:
    return where_op(ctx, nd, vals, y, NULL, NULL, NULL);
  case OX_SLICE:
    return slice_op(ctx, g, nd, vals, y, NULL, NULL);
  case OX_REDUCEMEAN:
  case OX_REDUCESUM:
    return reduce_op(ctx, nd, vals, y, NULL, NULL);
  case OX_SQUEEZE:
    return squeeze_fwd(ctx, nd, vals, y);
  case OX_SPLIT:
    return split_op(ctx, nd, vals, NULL, NULL);
  case OX_EXPAND:
    return expand_op(ctx, nd, a, b, y, NULL, NULL);
  case OX_RESIZE:
    return resize_op(ctx, g, nd, vals, y, NULL, NULL);
  case OX_CONSTOFSHAPE: {
    if (a->type != OX_INT64 || a->rank != 1 || a->len > OX_MAXRANK)
      return NODE_ERR(LIMN_ESHAPE, "the shape must be a 1-D int64 tensor of at most %d values", OX_MAXRANK);
    size_t dim[OX_MAXRANK];
    for (size_t k = 0; k < a->len; k++) {
      if (a->i[k] < 0 || a->i[k] > (1 << 24))
        return NODE_ERR(LIMN_ESHAPE, "bad dimension %lld", (long long)a->i[k]);
      dim[k] = (size_t)a->i[k];
    }
    LIMN_TRY(limn__ox_alloc(ctx, y, nd->fill_type, a->len, dim));
    for (size_t q = 0; q < y->len; q++)
      if (nd->fill_type == OX_FLOAT)
        y->f[q] = (float)nd->fill;
      else
        y->i[q] = (int64_t)nd->fill;
    return LIMN_OK;
  }
  default:
    return NODE_ERR(LIMN_EUNSUPPORTED, "not supported");
  }
}

/* ---- backward ---- */

/* grads[v] as a zeroed float tensor shaped like vals[v], when absent. */
/* v's gradient, zeroed when first asked for; grad_fresh instead says so (*fresh = 1) and
 * leaves it unwritten, for a node that then writes every element as 0.0f + its term (the
 * bits of zero plus the term, -0 included, without a pass to clear it first). */
static int grad_fresh(limn_ctx *ctx, const ox_tensor *vals, ox_tensor *grads, int v, ox_tensor **out,
                      int *fresh) {
  *fresh = 0;
  if (grads[v].type == OX_NONE) {
    LIMN_TRY(limn__ox_alloc(ctx, &grads[v], OX_FLOAT, vals[v].rank, vals[v].dim));
    *fresh = 1;
  }
  *out = &grads[v];
  return LIMN_OK;
}

static int grad_of(limn_ctx *ctx, const ox_tensor *vals, ox_tensor *grads, int v, ox_tensor **out) {
  int fresh;
  LIMN_TRY(grad_fresh(ctx, vals, grads, v, out, &fresh));
  if (fresh)
    memset((*out)->f, 0, (*out)->len * sizeof(float));
  return LIMN_OK;
}

static int needs(const ox_graph *g, const ox_node *nd, size_t k) {
  return k < nd->nin && nd->in[k] >= 0 && g->dep[nd->in[k]];
}

/* How t of an n-element result with last axis `last` is read: 0 whole, 1 a row over the
 * last axis (every other dimension 1), 2 a scalar; -1 otherwise. */
static int layout(const ox_tensor *t, size_t n, size_t last) {
  if (t->len == n)
    return 0;
  if (t->len == 1)
    return 2;
  if (t->len == last && t->rank >= 1 && t->dim[t->rank - 1] == last)
    return 1;
  return -1;
}

/* The terms a binary node's gradient adds, from d (gy), u (a) and v (b). */
enum { BW_D, BW_NEG, BW_DV, BW_D_V, BW_DU, BW_DIVB };

static inline float bw_term(int form, float d, float u, float v) {
  switch (form) {
  case BW_D:
    return d;
  case BW_NEG:
    return -d;
  case BW_DV:
    return d * v;
  case BW_D_V:
    return d / v;
  case BW_DU:
    return d * u;
  default:
    return -d * u / (v * v);
  }
}

/* g += the terms over rows x w elements, each operand read by its layout (0 whole, 1 one
 * row, 2 a scalar). A scalar g sums in element order; otherwise the loops run along
 * contiguous rows with the form fixed, so they vectorise (the same sums, the same bits). */
LIMN_CLONES_WIDE static void bwd_rows(float *g, int lg, int fresh, const float *d, const float *u, int lu,
                                      const float *v, int lv, int form, size_t rows, size_t w) {
  if (fresh && lg != 0)
    memset(g, 0, (lg == 1 ? w : 1) * sizeof *g);
  for (size_t r = 0; r < rows; r++) {
    const float *dr = d + r * w, *ur = lu == 0 ? u + r * w : u, *vr = lv == 0 ? v + r * w : v;
    if (lg == 2) {
      float s = g[0];
      for (size_t c = 0; c < w; c++)
        s += bw_term(form, dr[c], ur[lu == 2 ? 0 : c], vr[lv == 2 ? 0 : c]);
      g[0] = s;
      continue;
    }
    float *gr = lg == 0 ? g + r * w : g;
    float v0 = vr[0];
    int own = fresh && lg == 0; /* the row's elements written once: 0.0f + the term, one pass */
#define BW_ROW(term)                                                                                         \
  do {                                                                                                       \
    if (own)                                                                                                 \
      for (size_t c = 0; c < w; c++)                                                                         \
        gr[c] = 0.0f + (term);                                                                               \
    else                                                                                                     \
      for (size_t c = 0; c < w; c++)                                                                         \
        gr[c] += (term);                                                                                     \
  } while (0)
    switch (form) {
    case BW_D:
      BW_ROW(dr[c]);
      break;
    case BW_NEG:
      BW_ROW(-dr[c]);
      break;
    case BW_DV: /* times the other operand: b for a's gradient, a for b's */
    case BW_DU: {
      const float *o = form == BW_DV ? vr : ur;
      if ((form == BW_DV ? lv : lu) == 2) {
        float o0 = o[0];
        BW_ROW(dr[c] * o0);
      } else
        BW_ROW(dr[c] * o[c]);
      break;
    }
    case BW_D_V:
      if (lv == 2)
        BW_ROW(dr[c] / v0);
      else
        BW_ROW(dr[c] / vr[c]);
      break;
    default:
      BW_ROW(bw_term(form, dr[c], ur[lu == 2 ? 0 : c], vr[lv == 2 ? 0 : c]));
    }
#undef BW_ROW
  }
}

/* Sum a broadcast gradient gy (shape of y) back into ga (shape of a), with factor
 * f(q) from the other operand where needed. */
LIMN_CLONES_WIDE static int binary_bwd(limn_ctx *ctx, const ox_graph *g, const ox_node *nd,
                                       const ox_tensor *vals, ox_tensor *grads) {
  const ox_tensor *a = IN(nd, vals, 0), *b = IN(nd, vals, 1), *gy = &grads[nd->out[0]];
  size_t rank, dim[OX_MAXRANK], sa[OX_MAXRANK], sb[OX_MAXRANK];
  broadcast(a, b, &rank, dim, sa, sb);
  ox_tensor *ga = NULL, *gb = NULL;
  int fra = 0, frb = 0;
  if (needs(g, nd, 0))
    LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[0], &ga, &fra));
  if (needs(g, nd, 1))
    LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[1], &gb, &frb));
  int la = layout(a, gy->len, rank ? dim[rank - 1] : 1), lb = layout(b, gy->len, rank ? dim[rank - 1] : 1);
  if (la >= 0 && lb >= 0) { /* full, a row over the last axis, or a scalar: no index arithmetic */
    size_t w = rank ? dim[rank - 1] : 1, rows = w ? gy->len / w : 0;
    int fa = nd->op == OX_MUL ? BW_DV : nd->op == OX_DIV ? BW_D_V : BW_D;
    int fb = nd->op == OX_ADD ? BW_D : nd->op == OX_SUB ? BW_NEG : nd->op == OX_MUL ? BW_DU : BW_DIVB;
    if (ga) /* a's gradient for all rows, then b's: each element still gets a's term first */
      bwd_rows(ga->f, la, fra, gy->f, a->f, la, b->f, lb, fa, rows, w);
    if (gb)
      bwd_rows(gb->f, lb, frb, gy->f, a->f, la, b->f, lb, fb, rows, w);
    return LIMN_OK;
  }
  if (fra)
    memset(ga->f, 0, ga->len * sizeof(float));
  if (frb)
    memset(gb->f, 0, gb->len * sizeof(float));
  if (rank >= 1 && dim[rank - 1]) {
    /* along the last axis each operand steps by 0 or 1: index arithmetic once a row;
     * each gradient element still takes its terms in the order of y's elements */
    size_t w = dim[rank - 1], rows = gy->len / w, ia = sa[rank - 1], ib = sb[rank - 1];
    for (size_t r = 0; r < rows; r++) {
      size_t oa, ob;
      offsets(r * w, rank, dim, sa, sb, &oa, &ob);
      const float *d = gy->f + r * w, *u = a->f + oa, *v = b->f + ob;
      if (ga && ia) {
        float *gr = ga->f + oa;
        for (size_t c = 0; c < w; c++)
          gr[c] += nd->op == OX_MUL ? d[c] * v[ib ? c : 0] : nd->op == OX_DIV ? d[c] / v[ib ? c : 0] : d[c];
      } else if (ga) {
        float t = ga->f[oa];
        for (size_t c = 0; c < w; c++)
          t += nd->op == OX_MUL ? d[c] * v[ib ? c : 0] : nd->op == OX_DIV ? d[c] / v[ib ? c : 0] : d[c];
        ga->f[oa] = t;
      }
      if (gb && ib) {
        float *gr = gb->f + ob;
        for (size_t c = 0; c < w; c++)
          gr[c] += nd->op == OX_ADD   ? d[c]
                   : nd->op == OX_SUB ? -d[c]
                   : nd->op == OX_MUL ? d[c] * u[ia ? c : 0]
                                      : -d[c] * u[ia ? c : 0] / (v[c] * v[c]);
      } else if (gb) {
        float t = gb->f[ob], v0 = v[0];
        for (size_t c = 0; c < w; c++)
          t += nd->op == OX_ADD   ? d[c]
               : nd->op == OX_SUB ? -d[c]
               : nd->op == OX_MUL ? d[c] * u[ia ? c : 0]
                                  : -d[c] * u[ia ? c : 0] / (v0 * v0);
        gb->f[ob] = t;
      }
    }
    return LIMN_OK;
  }
  for (size_t q = 0; q < gy->len; q++) {
    size_t oa, ob;
    offsets(q, rank, dim, sa, sb, &oa, &ob);
    float d = gy->f[q], u = a->f[oa], v = b->f[ob];
    if (ga)
      ga->f[oa] += nd->op == OX_MUL ? d * v : nd->op == OX_DIV ? d / v : d;
    if (gb)
      gb->f[ob] += nd->op == OX_ADD ? d : nd->op == OX_SUB ? -d : nd->op == OX_MUL ? d * u : -d * u / (v * v);
  }
  return LIMN_OK;
}

/* Softmax's (or LogSoftmax's) gradient over rows of cols, added into gx (written as
 * 0.0f + the term when fresh): dx = o (d - sum d o), or d - exp(o) sum d. The sums in
 * double, eight partial sums in a fixed order (sum8f, dot8f). */
static inline double dot8f(const float *a, const float *b, size_t n) {
  double acc[8] = {0};
  size_t c = 0;
  for (; c + 8 <= n; c += 8)
    for (int l = 0; l < 8; l++)
      acc[l] += (double)a[c + (size_t)l] * (double)b[c + (size_t)l];
  for (; c < n; c++)
    acc[c & 7] += (double)a[c] * (double)b[c];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

LIMN_CLONES_WIDE static void softmax_bwd(const float *y, const float *gy, float *ga, size_t rows, size_t cols,
                                         int fresh, int logsm) {
  for (size_t r = 0; r < rows; r++) {
    const float *o = y + r * cols, *d = gy + r * cols;
    float *gx = ga + r * cols;
    if (!logsm) {
      double s = dot8f(d, o, cols);
      if (fresh)
        for (size_t c = 0; c < cols; c++)
          gx[c] = 0.0f + (float)((double)o[c] * ((double)d[c] - s));
      else
        for (size_t c = 0; c < cols; c++)
          gx[c] += (float)((double)o[c] * ((double)d[c] - s));
    } else {
      if (fresh)
        for (size_t c = 0; c < cols; c++)
          gx[c] = 0.0f;
      double s = sum8f(d, cols);
      for (size_t c = 0; c < cols; c++)
        gx[c] += (float)((double)d[c] - exp((double)o[c]) * s);
    }
  }
}

/* A product's dA = alpha dY op(B)^T (M rows of K, or K of M when A is transposed), into
 * ga: written when ga is fresh, else made apart (in blocks of rows, so the scratch stays
 * small) and added, so that the sum of the product's terms is added whole, as when A is
 * cut (plan_rows in onnx.c) and an OX_ROWS node adds it. seq: A is a sequence's
 * activations (N, T, K), and B^T (N, K) is made once so that the product runs on the
 * register tiles rather than one dot product per element (2-D inputs keep the other
 * path: their results stay what they were). */
static int matmul_da(limn_ctx *ctx, const ox_tensor *b, const float *given_bt, const ox_tensor *gy,
                     ox_tensor *ga, int fresh, int ta, int tb, size_t M, size_t K, size_t N, float alpha,
                     int seq) {
  float *bt = seq && !given_bt ? limn__alloc_array(ctx, N, K * sizeof *bt) : NULL, *tmp = NULL;
  size_t blk = fresh || ta || !K ? M : (8192 / K ? 8192 / K : 1); /* rows made at a time */
  blk = blk < M ? blk : M;
  if (!fresh)
    tmp = limn__alloc_array(ctx, ta ? K * M : blk * K + 1, sizeof *tmp);
  if ((seq && !given_bt && !bt) || (!fresh && !tmp)) {
    limn__free(ctx, bt), limn__free(ctx, tmp);
    return LIMN_ENOMEM;
  }
  if (bt)
    limn__ox_transpose(b->f, K, N, N, bt);
  const float *bT = given_bt ? given_bt : bt;
  if (ta) { /* A is (K, M): dA^T = op(B) dY^T, i.e. dA (K, M) = op(B) (K, N) dY^T */
    limn__sgemm_portable(tb, 1, K, M, N, alpha, b->f, b->dim[1], gy->f, N, 0.0f, fresh ? ga->f : tmp, M);
    for (size_t q = 0; !fresh && q < K * M; q++)
      ga->f[q] += tmp[q];
  }
  for (size_t r0 = 0; !ta && r0 < M; r0 += blk) { /* (M, K) = dY (M, N) op(B)^T (N, K) */
    size_t mr = M - r0 < blk ? M - r0 : blk;
    float *dst = fresh ? ga->f + r0 * K : tmp;
    if (seq && alpha == 1.0f) /* 0 + the products, as sgemm with beta 0 but without clearing first */
      limn__sgemm_rowbias(mr, K, N, gy->f + r0 * N, N, bT, K, NULL, dst, K);
    else if (seq)
      limn__sgemm_portable(0, 0, mr, K, N, alpha, gy->f + r0 * N, N, bT, K, 0.0f, dst, K);
    else
      limn__sgemm_portable(0, !tb, mr, K, N, alpha, gy->f + r0 * N, N, b->f, b->dim[1], 0.0f, dst, K);
    for (size_t q = 0; !fresh && q < mr * K; q++)
      ga->f[r0 * K + q] += tmp[q];
  }
  limn__free(ctx, bt), limn__free(ctx, tmp);
  return LIMN_OK;
}

/* ---- folded nodes (fold_softmax, fold_gelu in onnx.c) ---- */

/* Softmax with the attention's scale and mask folded in (ox_node pre_op, pre_keep):
 * forward into y; or backward (y holding the forward's output) from gy into gx (fresh:
 * unwritten). Each row of Where(cond, x pre_op c, fill) is made as the Div (or Mul) and
 * Where nodes make it, and normalised as Softmax does; backward, the terms of Softmax,
 * Where and Div in that order, so the bits are those of the unfolded nodes. */
LIMN_CLONES_WIDE static int softmax_pre(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, ox_tensor *y,
                                        const ox_tensor *gy, ox_tensor *gx, int fresh) {
  const ox_tensor *x = IN(nd, vals, 0), *sc = IN(nd, vals, 1), *cd = IN(nd, vals, 2), *fl = IN(nd, vals, 3);
  if (!x || x->type != OX_FLOAT || (nd->pre_op && (!sc || sc->type != OX_FLOAT || sc->len != 1)) ||
      (cd && (cd->type != OX_INT64 || !fl || fl->type != OX_FLOAT || fl->len != 1)))
    return NODE_ERR(LIMN_EUNSUPPORTED, "its folded scale and mask need float scores, float scalars and a "
                                       "boolean mask");
  const ox_tensor *t[2] = {x, cd ? cd : x};
  size_t rank, dim[OX_MAXRANK], st[2][OX_MAXRANK];
  if (!broadcast_n(t, 2, &rank, dim, st))
    return NODE_ERR(LIMN_ESHAPE, "the mask does not broadcast with the scores");
  long ax = nd->axis < 0 ? nd->axis + (long)rank : nd->axis;
  if (!rank || ax != (long)rank - 1)
    return NODE_ERR(LIMN_EUNSUPPORTED, "only the last axis is supported");
  if (y)
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, rank, dim));
  else
    y = (ox_tensor *)&vals[nd->out[0]];
  size_t cols = dim[rank - 1], len = 1;
  for (size_t k = 0; k < rank; k++)
    len *= dim[k];
  if (!cols || !len)
    return LIMN_OK;
  size_t rows = len / cols, sx = st[0][rank - 1], sm = cd ? st[1][rank - 1] : 0;
  int op = nd->pre_op, whole = sx == 1 && x->len == len; /* the scores not broadcast */
  float s = op ? sc->f[0] : 1.0f, f = cd ? fl->f[0] : 0.0f, inv = 1.0f / s;
  int e2;
  /* a power of two (as sqrt(16) = 4): x / s is x (1 / s) bit for bit (both the exact
   * quotient rounded), and a product is cheaper than a division */
  if (op == OX_DIV && isfinite(inv) && fabsf(inv) >= FLT_MIN && fabsf(frexpf(s, &e2)) == 0.5f)
    op = OX_MUL, s = inv;
  float *z = limn__alloc_array(ctx, cols, sizeof *z), *acc = NULL, *own = NULL;
  int32_t *m = cd ? limn__alloc_array(ctx, cols, sizeof *m) : NULL;
  if (!z || (cd && !m)) {
    limn__free(ctx, z), limn__free(ctx, m);
    return LIMN_ENOMEM;
  }
  if (gy && !whole) { /* scores broadcast: the Where's gradient summed first (apart, before a
                         scale's term), as the nodes do */
    if (fresh)
      memset(gx->f, 0, gx->len * sizeof(float));
    acc = op ? (own = limn__calloc(ctx, x->len, sizeof *own)) : gx->f;
    if (!acc) {
      limn__free(ctx, z), limn__free(ctx, m);
      return LIMN_ENOMEM;
    }
  }
  float tb[256], eb[256];
  size_t idx[OX_MAXRANK] = {0}, ox = 0, oc = 0;
  const int64_t *m_of = NULL;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x->f + ox;
    if (cd && cd->i + oc != m_of) { /* the row's mask as 32-bit lanes: 1 where the scores stay */
      m_of = cd->i + oc;
      for (size_t c = 0; c < cols; c++)
        m[c] = (m_of[c * sm] != 0) == (nd->pre_keep != 0);
    }
    if (!gy) {
      if (whole && op == OX_DIV)
        for (size_t c = 0; c < cols; c++)
          z[c] = xr[c] / s;
      else if (whole && op == OX_MUL)
        for (size_t c = 0; c < cols; c++)
          z[c] = xr[c] * s;
      else
        for (size_t c = 0; c < cols; c++)
          z[c] = op == OX_DIV ? xr[c * sx] / s : op == OX_MUL ? xr[c * sx] * s : xr[c * sx];
      if (cd)
        for (size_t c = 0; c < cols; c++)
          z[c] = m[c] ? z[c] : f;
      softmax_row(z, y->f + r * cols, cols, 0, tb, eb);
    } else {
      const float *o = y->f + r * cols, *d = gy->f + r * cols;
      double dot = dot8f(d, o, cols);
      for (size_t c = 0; c < cols; c++) /* Softmax's term, into its input's fresh gradient */
        z[c] = 0.0f + (float)((double)o[c] * ((double)d[c] - dot));
      float *g = whole ? gx->f + ox : NULL;
      if (!whole) {
        for (size_t c = 0; c < cols; c++)
          if (!cd || m[c])
            acc[ox + c * sx] += z[c];
      } else if (!op && !cd) { /* (a fold has one or both) */
        for (size_t c = 0; c < cols; c++)
          g[c] = (fresh ? 0.0f : g[c]) + z[c];
      } else if (!op) { /* Where's term straight into the scores' gradient */
        if (fresh)
          for (size_t c = 0; c < cols; c++)
            g[c] = m[c] ? 0.0f + z[c] : 0.0f;
        else
          for (size_t c = 0; c < cols; c++)
            g[c] = m[c] ? g[c] + z[c] : g[c];
      } else {
        if (cd) /* Where's term, into the Div's fresh (zeroed) output gradient */
          for (size_t c = 0; c < cols; c++)
            z[c] = m[c] ? 0.0f + z[c] : 0.0f;
        if (op == OX_DIV && fresh)
          for (size_t c = 0; c < cols; c++)
            g[c] = 0.0f + z[c] / s;
        else if (op == OX_DIV)
          for (size_t c = 0; c < cols; c++)
            g[c] += z[c] / s;
        else if (fresh)
          for (size_t c = 0; c < cols; c++)
            g[c] = 0.0f + z[c] * s;
        else
          for (size_t c = 0; c < cols; c++)
            g[c] += z[c] * s;
      }
    }
    for (size_t k = rank - 1; k-- > 0;) { /* the next row, odometer-wise */
      ox += st[0][k], oc += st[1][k];
      if (++idx[k] < dim[k])
        break;
      ox -= st[0][k] * dim[k], oc -= st[1][k] * dim[k];
      idx[k] = 0;
    }
  }
  if (own) /* the Div's (Mul's) term of the summed gradient */
    for (size_t q = 0; q < x->len; q++)
      gx->f[q] += op == OX_DIV ? own[q] / s : own[q] * s;
  limn__free(ctx, own), limn__free(ctx, z), limn__free(ctx, m);
  return LIMN_OK;
}

/* OX_GELU: y = (x u) c3 with u = erf(x / c1) + c2, u kept (its hidden output); backward
 * (y NULL, u given) the unfolded nodes' terms in their order: gm = 0.0f + gy c3,
 * gd = 0.0f + (0.0f + (0.0f + gm x)) erf'(x / c1), gx = ((gx or 0.0f) + gm u) + gd / c1. */
LIMN_CLONES_WIDE static int gelu(limn_ctx *ctx, const ox_node *nd, const ox_tensor *vals, ox_tensor *y,
                                 ox_tensor *u, const ox_tensor *gy, ox_tensor *gx, int fresh) {
  const ox_tensor *x = IN(nd, vals, 0);
  float c[3];
  for (size_t k = 0; k < 3; k++) {
    const ox_tensor *ck = IN(nd, vals, k + 1);
    if (!ck || ck->type != OX_FLOAT || ck->len != 1)
      return NODE_ERR(LIMN_EINVAL, "needs three float scalars");
    c[k] = ck->f[0];
  }
  if (!x || x->type != OX_FLOAT)
    return NODE_ERR(LIMN_EUNSUPPORTED, "needs a float input");
  if (y) {
    LIMN_TRY(limn__ox_alloc(ctx, y, OX_FLOAT, x->rank, x->dim));
    LIMN_TRY(limn__ox_alloc(ctx, u, OX_FLOAT, x->rank, x->dim));
  } else if (u->type != OX_FLOAT || u->len != x->len) {
    return NODE_ERR(LIMN_EINVAL, "its saved terms are missing");
  }
  const float *xv = x->f;
  float *uv = u->f;
  for (size_t q = 0; q < x->len; q += 16) {
    size_t n = x->len - q < 16 ? x->len - q : 16;
    float t[16] = {0}, e[16];
    if (y) {
      for (size_t l = 0; l < n; l++)
        t[l] = xv[q + l] / c[0];
      erf16(t, e);
      for (size_t l = 0; l < n; l++) {
        float ul = e[l] + c[1];
        uv[q + l] = ul;
        y->f[q + l] = (xv[q + l] * ul) * c[2];
      }
      continue;
    }
    for (size_t l = 0; l < n; l++) {
      float d = xv[q + l] / c[0];
      t[l] = (float)(-((double)d * d));
    }
    exp16_nonpos(t, e);
    float *gr = gx->f + q;
    const float *dy = gy->f + q;
    for (size_t l = 0; l < n; l++) {
      float gm = 0.0f + dy[l] * c[2], ge = 0.0f + (0.0f + gm * xv[q + l]);
      float gd = 0.0f + (float)(ge * (1.1283791670955126 * e[l]));
      gr[l] = ((fresh ? 0.0f : gr[l]) + gm * uv[q + l]) + gd / c[0];
    }
  }
  return LIMN_OK;
}

int limn__ox_backward(limn_ctx *ctx, const ox_graph *g, const ox_node *nd, const ox_tensor *vals,
                      ox_tensor *grads) {
  const ox_tensor *a = IN(nd, vals, 0), *b = IN(nd, vals, 1), *y = &vals[nd->out[0]];
  const ox_tensor *gy = &grads[nd->out[0]];
  if (nd->op == OX_SPLIT) { /* any of its outputs may carry a gradient */
    int any = 0;
    for (size_t q = 0; q < nd->nout; q++)
      any |= nd->out[q] >= 0 && grads[nd->out[q]].type != OX_NONE;
    if (!any || !needs(g, nd, 0))
      return LIMN_OK;
    if (a->type != OX_FLOAT)
      return NODE_ERR(LIMN_EUNSUPPORTED, "no gradient through integers");
    ox_tensor *gs;
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &gs));
    return split_op(ctx, nd, (ox_tensor *)vals, grads, gs);
  }
  if (gy->type == OX_NONE)
    return LIMN_OK; /* nothing flows back through this node */
  ox_tensor *ga = NULL, *gb = NULL;
  switch (nd->op) {
  case OX_GEMM:
  case OX_MATMUL: {
    int ta = nd->op == OX_GEMM && nd->trans_a, tb = nd->op == OX_GEMM && nd->trans_b;
    if (nd->relu) { /* through the folded Relu first: this node is the gradient's last reader */
      ox_tensor *gm = &grads[nd->out[0]];
      for (size_t q = 0; q < gm->len; q++)
        gm->f[q] = y->f[q] > 0 ? gm->f[q] : 0.0f;
    }
    if (nd->op == OX_MATMUL && (b->rank > 2 || nd->tview[0] || nd->tview[1] || nd->tview[2])) {
      /* a batch of products. A folded Transpose's gradient (an operand read as a view) is
       * what the unfolded nodes make: the product's gradient made apart (sa, sb) and then
       * added, unless the operand's gradient is unwritten and the product writes each of
       * its elements once (then straight into it, the same bits) */
      mm_batch m;
      LIMN_TRY(mm_shape(ctx, nd, a, b, &m));
      int fresh_a = 0, fresh_b = 0, bcast_a = m.nb * m.M * m.K != a->len || !m.N;
      /* one value read as both operands, one through a folded Transpose at least: both
       * gradients made apart, then added in the Transposes' order */
      int alias = nd->in[0] == nd->in[1] && (m.tv[0] || m.tv[1]);
      float *sa = NULL, *sb = NULL, *bt = NULL;
      if (needs(g, nd, 0)) {
        LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[0], &ga, &fresh_a));
        if ((alias || (m.tv[0] && (!fresh_a || bcast_a))) &&
            !(sa = limn__calloc(ctx, a->len ? a->len : 1, sizeof *sa)))
          return LIMN_ENOMEM;
        if (fresh_a && bcast_a && !sa) /* a broadcast over the batches: sums */
          memset(ga->f, 0, ga->len * sizeof(float));
      }
      if (needs(g, nd, 1)) {
        LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[1], &gb, &fresh_b));
        if (fresh_b && gb->len)
          memset(gb->f, 0, gb->len * sizeof(float));
        else if (!fresh_b && (m.tv[1] || alias) &&
                 !(sb = limn__calloc(ctx, b->len ? b->len : 1, sizeof *sb))) {
          limn__free(ctx, sa);
          return LIMN_ENOMEM;
        }
      }
      if (ga && m.tv[1] != 2 && /* B^T (b read as its transpose needs none) */
          !(bt = limn__alloc_array(ctx, m.K ? m.K : 1, (m.N ? m.N : 1) * sizeof *bt))) {
        limn__free(ctx, sa), limn__free(ctx, sb);
        return LIMN_ENOMEM;
      }
      mm_batched(&m, a, b, NULL, gy,
                 sa   ? sa
                 : ga ? ga->f
                      : NULL,
                 sb   ? sb
                 : gb ? gb->f
                      : NULL,
                 bt, !bcast_a && (sa || fresh_a));
      if (sb && nd->tview_b_first) /* the Transposes' terms */
        add_term(gb->f, sb, b->len, 0);
      if (sa)
        add_term(ga->f, sa, a->len, fresh_a && !(sb && nd->tview_b_first));
      if (sb && !nd->tview_b_first)
        add_term(gb->f, sb, b->len, 0);
      limn__free(ctx, bt), limn__free(ctx, sa), limn__free(ctx, sb);
      return LIMN_OK;
    }
    float alpha = nd->op == OX_GEMM ? nd->alpha : 1.0f;
    /* MatMul of a (..., K) by a matrix: a's rows as one (M, K) matrix */
    size_t K = ta ? a->dim[0] : a->dim[a->rank - 1], N = y->dim[y->rank - 1], M = K ? a->len / K : 0;
    if (needs(g, nd, 0)) { /* dA = alpha dY op(B)^T, stored as A is */
      int fresh;
      LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[0], &ga, &fresh));
      int seq = !ta && !tb && a->rank >= 3 && K && N;
      LIMN_TRY(matmul_da(ctx, b, seq && b->rank == 2 && b->dim[0] == K && b->dim[1] == N ? nd->bt : NULL, gy,
                         ga, fresh, ta, tb, M, K, N, alpha, seq));
    }
    if (needs(g, nd, 1)) { /* dB = alpha op(A)^T dY */
      LIMN_TRY(grad_of(ctx, vals, grads, nd->in[1], &gb));
      if (!tb) /* B (K, N) += op(A)^T (K, M) dY (M, N) */
        limn__sgemm_portable(!ta, 0, K, N, M, alpha, a->f, a->dim[1], gy->f, N, 1.0f, gb->f, N);
      else /* B (N, K) += dY^T (N, M) op(A) (M, K) */
        limn__sgemm_portable(1, ta, N, K, M, alpha, gy->f, N, a->f, a->dim[1], 1.0f, gb->f, K);
    }
    if (nd->op == OX_GEMM && needs(g, nd, 2))
      return NODE_ERR(LIMN_EUNSUPPORTED, "gradients through C are not supported");
    return LIMN_OK;
  }
  case OX_ADD:
  case OX_SUB:
  case OX_MUL:
  case OX_DIV:
    return binary_bwd(ctx, g, nd, vals, grads);
  case OX_RELU:
  case OX_LEAKYRELU:
  case OX_SIGMOID:
  case OX_TANH:
    if (!needs(g, nd, 0))
      return LIMN_OK;
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    if (nd->op == OX_RELU) {
      const float *restrict av = a->f, *restrict dv = gy->f;
      float *restrict gv = ga->f;
      for (size_t q = 0; q < a->len; q++)
        gv[q] += av[q] > 0 ? dv[q] : 0.0f;
      return LIMN_OK;
    }
    for (size_t q = 0; q < a->len; q++) {
      float d = gy->f[q], v = a->f[q], o = y->f[q];
      ga->f[q] += nd->op == OX_RELU        ? (v > 0 ? d : 0.0f)
                  : nd->op == OX_LEAKYRELU ? (v >= 0 ? d : nd->alpha * d)
                  : nd->op == OX_SIGMOID   ? d * o * (1.0f - o)
                                           : d * (1.0f - o * o);
    }
    return LIMN_OK;
  case OX_GELU: {
    if (!needs(g, nd, 0))
      return LIMN_OK;
    int fresh;
    LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[0], &ga, &fresh));
    return gelu(ctx, nd, vals, NULL, (ox_tensor *)&vals[nd->out[1]], gy, ga, fresh);
  }
  case OX_SOFTMAX:
  case OX_LOGSOFTMAX: {
    if (!needs(g, nd, 0))
      return LIMN_OK;
    if (nd->op == OX_SOFTMAX && nd->pre) {
      int fresh;
      LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[0], &ga, &fresh));
      return softmax_pre(ctx, nd, vals, NULL, gy, ga, fresh);
    }
    size_t rows, cols;
    LIMN_TRY(softmax_shape(ctx, g, nd, a, &rows, &cols));
    int fresh;
    LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[0], &ga, &fresh));
    softmax_bwd(y->f, gy->f, ga->f, rows, cols, fresh, nd->op == OX_LOGSOFTMAX);
    return LIMN_OK;
  }
  case OX_FLATTEN:
  case OX_RESHAPE:
  case OX_IDENTITY:
  case OX_DROPOUT:
  case OX_UNSQUEEZE:
  case OX_SQUEEZE:
  case OX_CAST:
    if (!needs(g, nd, 0))
      return LIMN_OK;
    if (a->type != OX_FLOAT || y->type != OX_FLOAT)
      return NODE_ERR(LIMN_EUNSUPPORTED, "gradients through an integer cast");
    if (grads[nd->in[0]].type == OX_NONE && nd->op != OX_CAST && gy->len == a->len) {
      /* the input's first gradient: the same floats under the input's shape, a view of
       * the output's gradient (no node reads that once this node is done; the input's
       * other readers then add into it), as the forward pass's reshapes are views */
      ga = &grads[nd->in[0]];
      limn__ox_free(ctx, ga);
      ga->type = OX_FLOAT, ga->rank = a->rank, ga->len = a->len, ga->f = gy->f, ga->borrowed = 1;
      memcpy(ga->dim, a->dim, sizeof ga->dim);
      return LIMN_OK;
    }
    {
      int fresh;
      LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[0], &ga, &fresh));
      add_term(ga->f, gy->f, a->len, fresh);
    }
    return LIMN_OK;
  case OX_CONV:
    if (needs(g, nd, 1) || needs(g, nd, 2))
      return NODE_ERR(LIMN_EUNSUPPORTED, "gradients through the weights are not supported");
    if (!needs(g, nd, 0))
      return LIMN_OK;
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    return conv_gemm(ctx, nd, a, b, NULL, NULL, gy, ga);
  case OX_MAXPOOL:
  case OX_AVGPOOL:
    if (!needs(g, nd, 0))
      return LIMN_OK;
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    return pool(ctx, nd, a, NULL, gy, ga);
  case OX_PAD:
    if (!needs(g, nd, 0))
      return LIMN_OK;
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    pad_bwd(a, b, gy, ga);
    return LIMN_OK;
  case OX_BATCHNORM:
    for (size_t k = 1; k < 5; k++)
      if (needs(g, nd, k))
        return NODE_ERR(LIMN_EUNSUPPORTED, "gradients through the statistics are not supported");
    if (!needs(g, nd, 0))
      return LIMN_OK;
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    return batchnorm(ctx, nd, vals, NULL, gy, ga);
  case OX_GLOBALAVGPOOL:
    if (!needs(g, nd, 0))
      return LIMN_OK;
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    return global_pool(ctx, nd, a, NULL, gy, ga);
  case OX_CLIP:
  case OX_HARDSIGMOID:
  case OX_HARDSWISH: {
    if (nd->op == OX_CLIP && (needs(g, nd, 1) || needs(g, nd, 2)))
      return NODE_ERR(LIMN_EUNSUPPORTED, "gradients through the bounds are not supported");
    if (!needs(g, nd, 0))
      return LIMN_OK;
    float lo, hi, dy;
    LIMN_TRY(clip_bounds(ctx, nd, vals, &lo, &hi));
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    for (size_t q = 0; q < a->len; q++) {
      piecewise(nd, a->f[q], lo, hi, &dy);
      ga->f[q] += gy->f[q] * dy;
    }
    return LIMN_OK;
  }
  case OX_CONCAT: {
    long ax = nd->axis < 0 ? nd->axis + (long)y->rank : nd->axis;
    size_t outer = 1, inner = 1, off = 0;
    for (long r = 0; r < ax; r++)
      outer *= y->dim[r];
    for (size_t r = (size_t)ax + 1; r < y->rank; r++)
      inner *= y->dim[r];
    for (size_t k = 0; k < nd->nin; k++) {
      const ox_tensor *t = IN(nd, vals, k);
      size_t w = t->dim[ax] * inner;
      if (needs(g, nd, k)) {
        LIMN_TRY(grad_of(ctx, vals, grads, nd->in[k], &ga));
        for (size_t o = 0; o < outer; o++)
          for (size_t q = 0; q < w; q++)
            ga->f[o * w + q] += gy->f[o * y->dim[ax] * inner + off + q];
      }
      off += w;
    }
    return LIMN_OK;
  }
  case OX_GATHER:
    if (needs(g, nd, 1))
      return NODE_ERR(LIMN_EUNSUPPORTED, "no gradient through the indices");
    if (!needs(g, nd, 0))
      return LIMN_OK;
    if (a->type != OX_FLOAT)
      return NODE_ERR(LIMN_EUNSUPPORTED, "no gradient through integers");
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    return gather(ctx, nd, a, b, NULL, gy, ga);
  case OX_TRANSPOSE:
    if (!needs(g, nd, 0))
      return LIMN_OK;
    {
      int fresh;
      LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[0], &ga, &fresh));
      return transpose_op(ctx, nd, a, NULL, gy, ga, fresh);
    }
  case OX_RESIZE: /* scales and sizes are shapes (often computed from Shape): held constant */
    if (!needs(g, nd, 0))
      return LIMN_OK;
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    return resize_op(ctx, g, nd, vals, NULL, gy, ga);
  case OX_SLICE:
    for (size_t k = 1; k < 5; k++)
      if (needs(g, nd, k))
        return NODE_ERR(LIMN_EUNSUPPORTED, "no gradient through the bounds");
    if (!needs(g, nd, 0))
      return LIMN_OK;
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    return slice_op(ctx, g, nd, vals, NULL, gy, ga);
  case OX_LAYERNORM:
    if (needs(g, nd, 1) || needs(g, nd, 2))
      return NODE_ERR(LIMN_EUNSUPPORTED, "gradients through Scale and B are not supported");
    if (!needs(g, nd, 0))
      return LIMN_OK;
    {
      int fresh;
      LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[0], &ga, &fresh));
      return layernorm(ctx, nd, vals, NULL, nd->hidden ? (ox_tensor *)&vals[nd->out[3]] : NULL, gy, ga,
                       fresh);
    }
  case OX_ERF:
  case OX_SQRT:
  case OX_POW:
    if (nd->op == OX_POW && needs(g, nd, 1))
      return NODE_ERR(LIMN_EUNSUPPORTED, "no gradient through the exponent");
    if (!needs(g, nd, 0))
      return LIMN_OK;
    {
      int fresh;
      LIMN_TRY(grad_fresh(ctx, vals, grads, nd->in[0], &ga, &fresh));
      return unary_math(ctx, nd, a, b, NULL, gy, ga, fresh);
    }
  case OX_WHERE:
    if (needs(g, nd, 1))
      LIMN_TRY(grad_of(ctx, vals, grads, nd->in[1], &ga));
    if (needs(g, nd, 2))
      LIMN_TRY(grad_of(ctx, vals, grads, nd->in[2], &gb));
    return ga || gb ? where_op(ctx, nd, vals, NULL, gy, ga, gb) : LIMN_OK;
  case OX_EXPAND:
    if (!needs(g, nd, 0))
      return LIMN_OK;
    if (a->type != OX_FLOAT)
      return NODE_ERR(LIMN_EUNSUPPORTED, "no gradient through integers");
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    return expand_op(ctx, nd, a, b, NULL, gy, ga);
  case OX_REDUCEMEAN:
  case OX_REDUCESUM:
    if (!needs(g, nd, 0))
      return LIMN_OK;
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    return reduce_op(ctx, nd, vals, NULL, gy, ga);
  case OX_ROWS:
    if (!needs(g, nd, 0))
      return LIMN_OK;
    LIMN_TRY(grad_of(ctx, vals, grads, nd->in[0], &ga));
    return rows_op(ctx, nd, a, NULL, gy, ga);
  default:
    (void)b;
    if (nd->nin && needs(g, nd, 0))
      return NODE_ERR(LIMN_EUNSUPPORTED, "no gradient");
    return LIMN_OK;
  }
}

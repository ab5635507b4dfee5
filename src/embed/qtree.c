/* The quadtree of a 2-D map for Barnes-Hut sums (van der Maaten 2014): the
 * optimiser's repulsion and the transform's. */
#include "qtree.h"
#include <math.h>

static long new_node(limn_ctx *ctx, qtree *t, double cx, double cy, double half) {
  if (t->len == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 1024;
    qnode *p = limn__realloc(ctx, t->nodes, cap * sizeof *p);
    if (!p)
      return -1;
    t->nodes = p;
    t->cap = cap;
  }
  t->nodes[t->len] = (qnode){cx, cy, half, 0, 0, 0, -1, -1};
  return (long)t->len++;
}

static int quadrant(const qnode *q, double x, double y) { return (x >= q->cx) + 2 * (y >= q->cy); }

/* Insert point i at (x, y) below node n (iteratively). Points at the same position
 * share a leaf (counted, not split). */
static int insert(limn_ctx *ctx, qtree *t, long n, const double *y, long i) {
  double px = y[2 * i], py = y[2 * i + 1];
  for (int depth = 0;; depth++) {
    qnode *q = &t->nodes[n];
    q->mx = (q->mx * (double)q->count + px) / (double)(q->count + 1);
    q->my = (q->my * (double)q->count + py) / (double)(q->count + 1);
    q->count++;
    if (q->child < 0) {
      if (q->point < 0) {
        q->point = i;
        t->leaf_of[i] = n;
        return LIMN_OK;
      }
      long old = q->point;
      if ((y[2 * old] == px && y[2 * old + 1] == py) || depth > 60) {
        t->leaf_of[i] = n; /* a duplicate: this leaf holds several points */
        return LIMN_OK;
      }
      long first = -1;
      for (int c = 0; c < 4; c++) {
        double h = q->half / 2.0;
        long m = new_node(ctx, t, q->cx + ((c & 1) ? h : -h), q->cy + ((c & 2) ? h : -h), h);
        if (m < 0)
          return LIMN_ENOMEM;
        q = &t->nodes[n]; /* the array may have moved */
        if (c == 0)
          first = m;
      }
      q->child = first;
      q->point = -1;
      /* move the old point one level down */
      long on = first + quadrant(q, y[2 * old], y[2 * old + 1]);
      qnode *o = &t->nodes[on];
      if (q->count - 1 == 1) /* the leaf held one point: it moves down */
        t->leaf_of[old] = on;
      else /* it held duplicates of one position (rare): they all move */
        for (size_t p = 0; p < (size_t)i; p++)
          if (t->leaf_of[p] == n)
            t->leaf_of[p] = on;
      o->mx = y[2 * old];
      o->my = y[2 * old + 1];
      o->count = q->count - 1; /* it may stand for duplicates */
      o->point = old;
    }
    n = t->nodes[n].child + quadrant(&t->nodes[n], px, py);
  }
}

int limn__qtree_build(limn_ctx *ctx, qtree *t, const double *y, size_t n) {
  if (!t->leaf_of && !(t->leaf_of = limn__alloc_array(ctx, n, sizeof(long))))
    return LIMN_ENOMEM;
  double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    minx = fmin(minx, y[2 * i]), maxx = fmax(maxx, y[2 * i]);
    miny = fmin(miny, y[2 * i + 1]), maxy = fmax(maxy, y[2 * i + 1]);
  }
  double half = fmax(maxx - minx, maxy - miny) / 2.0 * (1.0 + 1e-9) + 1e-12;
  t->len = 0;
  if (new_node(ctx, t, (minx + maxx) / 2.0, (miny + maxy) / 2.0, half) < 0)
    return LIMN_ENOMEM;
  for (size_t i = 0; i < n; i++)
    LIMN_TRY(insert(ctx, t, 0, y, (long)i));
  return LIMN_OK;
}

void limn__qtree_free(limn_ctx *ctx, qtree *t) {
  limn__free(ctx, t->nodes);
  limn__free(ctx, t->leaf_of);
  memset(t, 0, sizeof *t);
}

size_t limn__qtree_stack(const qtree *t) { return 4 * t->len + 8; }

void limn__qtree_repulsion(const qtree *t, double px, double py, double theta, long self_leaf, long *stack,
                           double *zs, double *rxs, double *rys) {
  const qnode *nd = t->nodes;
  double z = 0, rx = 0, ry = 0;
  size_t top = 0;
  stack[top++] = 0;
  while (top) {
    long qi = stack[--top];
    const qnode *q = &nd[qi];
    if (q->count == 0)
      continue;
    double dx = px - q->mx, dy = py - q->my, d2 = dx * dx + dy * dy;
    int leaf = q->child < 0;
    if (leaf || (2.0 * q->half) * (2.0 * q->half) < theta * theta * d2) {
      double cnt = (double)q->count;
      if (leaf && qi == self_leaf)
        cnt -= 1.0; /* the point itself is in this leaf (with any duplicates of it) */
      double w = 1.0 / (1.0 + d2);
      z += cnt * w;
      rx += cnt * w * w * dx;
      ry += cnt * w * w * dy;
      continue;
    }
    for (int c = 3; c >= 0; c--)
      stack[top++] = q->child + c;
  }
  *zs = z, *rxs = rx, *rys = ry;
}

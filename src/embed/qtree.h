/* A quadtree over a 2-D map for Barnes-Hut sums (internal). */
#ifndef LIMN_EMBED_QTREE_H
#define LIMN_EMBED_QTREE_H

#include "../core/internal.h"

typedef struct qnode {
  double cx, cy, half; /* cell centre and half-width */
  double mx, my;       /* centre of mass */
  size_t count;
  long child; /* index of the first of 4 children, -1 for a leaf */
  long point; /* a leaf's first point (-1 when empty) */
} qnode;

typedef struct qtree {
  qnode *nodes;
  size_t len, cap;
  long *leaf_of; /* (n) the leaf each point sits in */
} qtree;

/* (Re)build the tree of the n points y (n, 2), inserted in index order; points at one
 * position share a leaf. t zeroed before first use; nodes kept between builds. */
int limn__qtree_build(limn_ctx *ctx, qtree *t, const double *y, size_t n);
void limn__qtree_free(limn_ctx *ctx, qtree *t);
/* longs of stack limn__qtree_repulsion needs */
size_t limn__qtree_stack(const qtree *t);
/* At (px, py): *z = sum_j w_j, (*rx, *ry) = sum_j w_j^2 (p - y_j), w = 1 / (1 + |p - y_j|^2),
 * a cell of width s at distance r from its centre of mass taken as one body when
 * s / r < theta (depth first, children in a fixed order); one point of leaf self_leaf
 * (the point itself, or -1 for none) left out. */
void limn__qtree_repulsion(const qtree *t, double px, double py, double theta, long self_leaf, long *stack,
                           double *z, double *rx, double *ry);

#endif

/* A t-SNE map as an SVG scatter: colour by class, misclassified rows ringed, chosen
 * rows circled and labelled, a saved map's points in grey underneath. */
#include "out.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Scatter: colour = label (or predicted class), ring = misclassified, labels on highlights. */
/* ref_y (nref, 2): a saved map's points, drawn in grey under the rows placed into it. */
static void write_svg(limn__out *f, const limn_map_svg *map) {
  const double *y = map->y, *ref_y = map->ref_y;
  const long *cls = map->label, *pred = map->pred;
  const char *const *names = map->class_names;
  const unsigned char *hl = map->highlight;
  size_t n = map->n, ncls = names ? map->nclasses : 0, nref = ref_y ? map->nref : 0;
  double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
  for (size_t i = 0; i < n + nref; i++) {
    const double *p = i < n ? y + 2 * i : ref_y + 2 * (i - n);
    minx = fmin(minx, p[0]), maxx = fmax(maxx, p[0]);
    miny = fmin(miny, p[1]), maxy = fmax(maxy, p[1]);
  }
  double size = 600, pad = 20, sx = (size - 2 * pad) / fmax(maxx - minx, 1e-12),
         sy = (size - 2 * pad) / fmax(maxy - miny, 1e-12), sc = fmin(sx, sy);
  /* centre the map in the square, keeping its aspect */
  double ox = pad + 0.5 * (size - 2 * pad - (maxx - minx) * sc),
         oy = pad + 0.5 * (size - 2 * pad - (maxy - miny) * sc);
  limn__printf(
      f,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" "
      "fill=\"white\"/>\n",
      size + 160, size, size + 160, size);
  for (size_t i = 0; i < nref; i++)
    limn__printf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2\" fill=\"#d0d0d0\"/>\n",
                 ox + (ref_y[2 * i] - minx) * sc, size - oy - (ref_y[2 * i + 1] - miny) * sc);
  size_t nh = 0;
  for (size_t i = 0; i < n; i++) {
    double px = ox + (y[2 * i] - minx) * sc, py = size - oy - (y[2 * i + 1] - miny) * sc;
    long c = cls ? cls[i] : pred ? pred[i] : 0;
    limn__marker(f, (size_t)(c < 0 ? 0 : c), px, py, 2.5, NULL);
    limn__putc(f, '\n');
    if (cls && pred && cls[i] != pred[i])
      limn__printf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"5\" fill=\"none\" stroke=\"black\"/>\n", px, py);
    nh += hl && hl[i];
  }
  /* the highlighted rows: rings, and labels placed apart (at most 200) */
  nh = nh < 200 ? nh : 200;
  double *ax = nh ? malloc((2 * n + 3 * nh) * sizeof *ax) : NULL;
  limn__maplabel *lab = nh ? malloc(nh * sizeof *lab) : NULL;
  size_t *who = nh ? malloc(nh * sizeof *who) : NULL;
  if (ax && lab && who) {
    double *ay = ax + n, *hx = ay + n, *hy = hx + nh, *hw = hy + nh;
    for (size_t i = 0, k = 0; i < n; i++) {
      ax[i] = ox + (y[2 * i] - minx) * sc, ay[i] = size - oy - (y[2 * i + 1] - miny) * sc;
      if (hl && hl[i] && k < nh) {
        char t[32];
        who[k] = i, hx[k] = ax[i], hy[k] = ay[i];
        hw[k++] = 6.6 * snprintf(t, sizeof t, "row %zu", i) + 2;
      }
    }
    limn__place_labels(hx, hy, hw, nh, 12, 7, ax, ay, n, size, size, lab);
    for (size_t k = 0; k < nh; k++) {
      limn__printf(
          f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"7\" fill=\"none\" stroke=\"#000\" stroke-width=\"2.5\"/>",
          hx[k], hy[k]);
      if (lab[k].leader) {
        double dx = lab[k].x - hx[k], dy = lab[k].y - 4 - hy[k], len = sqrt(dx * dx + dy * dy);
        if (len > 10)
          limn__printf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#000\"/>",
                       hx[k] + 7 * dx / len, hy[k] + 7 * dy / len, lab[k].x - 3 * dx / len,
                       lab[k].y - 4 - 3 * dy / len);
      }
      limn__printf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\">row %zu</text>\n", lab[k].x, lab[k].y,
                   lab[k].anchor > 0   ? "start"
                   : lab[k].anchor < 0 ? "end"
                                       : "middle",
                   who[k]);
    }
  }
  free(ax);
  free(lab);
  free(who);
  for (size_t c = 0; c < ncls && c < 10; c++) {
    limn__marker(f, c, size + 20, 30 + 18.0 * (double)c, 5, NULL);
    limn__printf(f, "<text x=\"%.0f\" y=\"%.0f\">", size + 32, 34 + 18.0 * (double)c);
    limn__xml(f, names[c]);
    limn__puts(f, "</text>\n");
  }
  double ly = 30 + 18.0 * (double)(ncls < 10 ? ncls : 10);
  if (cls && pred) {
    limn__printf(f,
                 "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"5\" fill=\"none\" stroke=\"black\"/><text x=\"%.0f\" "
                 "y=\"%.0f\">misclassified</text>\n",
                 size + 20, ly, size + 32, ly + 4);
    ly += 18;
  }
  if (nref)
    limn__printf(
        f,
        "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"4\" fill=\"#d0d0d0\"/><text x=\"%.0f\" y=\"%.0f\">the map's "
        "rows</text>\n",
        size + 20, ly, size + 32, ly + 4);
  limn__puts(f, "</svg>\n");
}

int limn_render_map_svg(limn_ctx *ctx, const limn_map_svg *map, limn_sink sink) {
  if (!ctx)
    return LIMN_EINVAL;
  if (!map || (!map->y && map->n) || (map->nref && !map->ref_y))
    return limn__err(ctx, LIMN_EINVAL, "map svg: NULL points");
  for (size_t c = 0; map->class_names && c < map->nclasses && c < 10; c++)
    if (!map->class_names[c])
      return limn__err(ctx, LIMN_EINVAL, "map svg: class %zu has no name", c);
  limn__out o;
  limn__out_init(&o, sink);
  write_svg(&o, map);
  return limn__out_finish(ctx, &o);
}

/* Writing explanations: text, JSON, JSON Lines, CSV, SVG. */
#ifndef LIMN_CLI_RENDER_H
#define LIMN_CLI_RENDER_H

#include "common.h"

/* What every output needs about one explained row. */
typedef struct render_row {
  const limn_explanation *ex;
  size_t data_row;    /* index in the data file */
  size_t line;        /* line in the data file */
  const float *x;     /* raw values (nfeatures) */
  double infidelity;  /* NaN when not computed */
  double sensitivity; /* NaN when not computed */
  double stability;   /* LIME --stability: mean pairwise top-5 Jaccard; NaN otherwise */
} render_row;

typedef struct render_ctx {
  const limn_model *m;
  const char *method_desc; /* e.g. "ig, gausslegendre, 50 steps, baseline zero" */
  const char *manifest;    /* a JSON object, written as is */
  size_t top;              /* features shown in text/SVG (0: all) */
  size_t image_w, image_h; /* > 0: draw SVG panels as images */
  const limn_stats *bg;    /* LIME: the background, for feature labels */
  limn_discretizer disc;
} render_ctx;

/* Mean |weight| per feature over explanations, most important first. */
void render_global(FILE *f, const render_ctx *rc, const limn_explanation *ex, size_t n, const char *fmt);

void render_text(FILE *f, const render_ctx *rc, const render_row *rows, size_t n);
void render_json(FILE *f, const render_ctx *rc, const render_row *rows, size_t n, int lines);
void render_csv(FILE *f, const render_ctx *rc, const render_row *rows, size_t n);
void render_svg(FILE *f, const render_ctx *rc, const render_row *rows, size_t n);
/* Shortest round-trip text of a double ("null" for NaN/Inf in JSON contexts). */
void cli_fmt_double(char *buf, size_t cap, double v);

#endif

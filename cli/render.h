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
  size_t reasons;  /* text: reason codes per row (0: none) */
  long favourable; /* the favourable class, or -1 (see render_reasons) */
} render_ctx;

/* One reason code: a feature and, in plain words, how it moved the decision. */
typedef struct render_reason {
  size_t feature;
  double effect;   /* the attribution (signed) */
  char text[1024]; /* "checking_status is '<0' (lowered the probability of good by 0.12)" */
} render_reason;

/* Reason codes of explanation e of raw row x: the n features that pushed the output
 * most toward the unfavourable side. For an explanation of the favourable class
 * (lowered = 1) those are its most negative attributions ("lowered the probability
 * of good by 0.12"); otherwise its most positive ("raised the probability of bad by
 * 0.12"). LIME counts only its selected features and names the row's bin. Zero
 * attributions never count. Returns how many were written (<= n). */
size_t render_reasons(const render_ctx *rc, const limn_explanation *e, const float *x, int lowered, size_t n,
                      render_reason *out);

/* Helpers shared with the HTML report. */
const char *render_feature_name(const limn_model *m, size_t j, char *buf, size_t cap);
/* Category name of a categorical value, or NULL for a numeric column. */
const char *render_category(const limn_model *m, size_t j, float v);
/* Features to show, most important first (LIME: its selected ones); returns their number. */
size_t render_shown(const limn_explanation *e, size_t *idx);
/* LIME's label of feature j ("worst radius > 16.8"), or its name. */
const char *render_label(const render_ctx *rc, const limn_explanation *e, size_t j, char *buf, size_t cap);
/* Ten class colours for maps (Tableau 10); class c gets render_palette[c % 10]. */
extern const char *const render_palette[10];
/* XML/HTML-escaped text. */
void render_xml(FILE *f, const char *s);
/* Diverging colour for t in [-1, 1]: blue (negative), white, red (positive). */
void render_diverging(double t, char *buf, size_t cap);

/* Mean |weight| per feature over explanations, most important first. */
void render_global(FILE *f, const render_ctx *rc, const limn_explanation *ex, size_t n, const char *fmt);

void render_text(FILE *f, const render_ctx *rc, const render_row *rows, size_t n);
void render_json(FILE *f, const render_ctx *rc, const render_row *rows, size_t n, int lines);
void render_csv(FILE *f, const render_ctx *rc, const render_row *rows, size_t n);
void render_svg(FILE *f, const render_ctx *rc, const render_row *rows, size_t n);
/* Shortest round-trip text of a double (limn_format_double; "null" for NaN/Inf: JSON). */
void cli_fmt_double(char *buf, size_t cap, double v);

#endif

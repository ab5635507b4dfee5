/* The report module's buffered writer over a limn_sink, and the escapers every
 * renderer uses (internal: names limn__*). */
#ifndef LIMN_REPORT_OUT_H
#define LIMN_REPORT_OUT_H

#include "../core/internal.h"
#include "limn/report.h"
#include "limn/image.h"

/* A buffered writer: bytes gather in buf and go to the sink in blocks. After the
 * sink's first refusal everything is dropped and limn__out_finish reports it. */
typedef struct limn__out {
  limn_sink sink;
  int failed;
  int nomem; /* a renderer could not allocate: the output is incomplete */
  /* text for a terminal: control characters (C0 but newline and tab, DEL, and C1 such
   * as the CSI U+009B) that a name or category carries are written as \xHH or \uHHHH,
   * so a hostile name cannot move the cursor or change colours (limn__out_terminal) */
  int terminal, held_c2;
  size_t n;
  char buf[8192];
} limn__out;

void limn__out_init(limn__out *o, limn_sink sink);
void limn__out_terminal(limn__out *o);
void limn__out_write(limn__out *o, const char *data, size_t len);
void limn__puts(limn__out *o, const char *s);
void limn__putc(limn__out *o, char c);
void limn__printf(limn__out *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Flush; LIMN_OK, or LIMN_EIO with a message when the sink refused a block. */
int limn__out_finish(limn_ctx *ctx, limn__out *o);

/* The escapers (see limn/report.h) and a JSON number: the shortest round-trip
 * text, null for NaN and the infinities. */
void limn__json_str(limn__out *o, const char *s);
void limn__xml(limn__out *o, const char *s);
void limn__csv_field(limn__out *o, const char *s);
void limn__json_num(limn__out *o, double v);
/* limn_format_double, or "null" for a non-finite value (JSON). */
void limn__fmt_json_double(char *buf, size_t cap, double v);

/* A file's SHA-256 for a provenance block, or "" when it has no path (report.c). */
int limn__file_digest(limn_ctx *ctx, const char *path, char hex[65]);

/* Helpers of the renderers and the report (render.c). */
/* Feature j's name ("x<j>" without a schema). */
/* Column j for people: its description and unit ("Duration (months)") when the model
 * has one (limn_model_describe), else its name. */
const char *limn__feature_title(const limn_model *m, size_t j, char *buf, size_t cap);
const char *limn__feature_name(const limn_model *m, size_t j, char *buf, size_t cap);
/* Category name of a categorical value, or NULL for a numeric column. */
const char *limn__category(const limn_model *m, size_t j, float v);
/* Features to show, most important first (LIME: its selected ones) into idx
 * (nfeatures); returns their number. */
size_t limn__shown(const limn_explanation *e, size_t *idx);
/* The number of columns of column j's SHAP player (1 for other methods). */
size_t limn__group_size(const limn_explanation *e, size_t j);
/* LIME's label of feature j ("worst radius > 16.8"), or its name. */
const char *limn__label(const limn_render_opts *o, const limn_explanation *e, size_t j, char *buf,
                        size_t cap);
/* A diverging colour scale (blue, white, red) w wide at (x, y), its ends labelled -mx
 * and +mx and its middle 0, and `what` (or NULL) under it. Height used returned. */
double limn__svg_colour_scale(limn__out *f, double x, double y, double w, double mx, const char *what);
/* Ten class colours: class c gets limn__palette[c % 10] (render.c says how they were chosen). */
extern const char *const limn__palette[10];
/* Class c's marker at (x, y), of about radius r: its colour and one of five shapes;
 * `extra` (or NULL) is added to the element's attributes. */
void limn__marker(limn__out *f, size_t c, double x, double y, double r, const char *extra);
/* Where to write the labels of n chosen points (px, py) of a scatter drawn in W x H
 * (labels w[i] wide, h high, the points ringed with radius `ring`) among all its points
 * (ax, ay; na): each label goes to the first free place of 8 directions at growing
 * distances, never over another label or another chosen point's ring, never nearer
 * to another chosen point than to its own, inside the drawing, over as few points as
 * it can; `leader` says it went far enough to need a line to its point. Deterministic.
 * At most 200 labels are kept apart. */
typedef struct limn__maplabel {
  double x, y; /* the text's anchor and baseline */
  int anchor;  /* 1 start, 0 middle, -1 end */
  int leader;
} limn__maplabel;
void limn__place_labels(const double *px, const double *py, const double *w, size_t n, double h, double ring,
                        const double *ax, const double *ay, size_t na, double W, double H,
                        limn__maplabel *out);
/* Diverging colour for t in [-1, 1]: blue (negative), white, red (positive), "#rrggbb". */
void limn__diverging(double t, char *buf, size_t cap);

/* SHAP's waterfall of one row at y0 (no <svg> around it), and the height it takes;
 * the summary beeswarm as a whole <svg> element (render.c). */
/* A SHAP explanation's largest standard error: 0 when exact, NaN when it has none (a
 * single permutation). Whether that is too large is limn_explain_trust's rule. */
double limn__shap_max_se(const limn_explanation *e);
/* What a SHAP explanation's num_samples counts: "permutations" (sampling: each with one
 * background row) or "coalitions". */
const char *limn__shap_budget_unit(const limn_explanation *e);

double limn__svg_waterfall(limn__out *f, const limn_render_opts *rc, const limn_render_row *row, double y0);
double limn__svg_height(const limn_render_opts *rc, const limn_render_row *row);
/* SHAP's force bar of one row at y0, and the height it takes. */
double limn__svg_force(limn__out *f, const limn_render_opts *rc, const limn_render_row *row, double y0);
/* What to try when e does not hold up (text for the CLI's options). */
const char *limn__trust_advice(const limn_explanation *e);
/* "data:image/png;base64,..." of the image (an img or SVG image's source); marks the
 * output incomplete when the PNG cannot be made. */
void limn__png_uri(limn__out *f, limn_ctx *ctx, const limn_image *im);
/* The sanity check's rank correlation in words (Adebayo et al. 2018). */
const char *limn__sanity_word(double rho);
/* The |attribution| a full bar stands for: the largest one, and for IG and SHAP at least
 * the change explained and 5 % of the output's scale, so a tiny explanation looks tiny. */
double limn__bar_scale(const limn_explanation *e);
void limn__summary_svg(limn__out *f, const limn_render_opts *rc, const limn_render_row *rows, size_t n);
/* Column a's value (across) against y[i] (up: row i's interaction with column b, say),
 * coloured by column b's value: the dependence plot's look. */
void limn__interaction_svg(limn__out *f, const limn_render_opts *rc, const limn_render_row *rows, size_t n,
                           size_t a, size_t b, const double *y);

/* The manifest as JSON into an open writer (renderers embed it). */
void limn__manifest_json(limn__out *o, const limn_manifest *man);

#endif

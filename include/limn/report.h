/* limn/report.h: what limn shows people, as library calls.
 *
 * Explanations as text, JSON, JSON Lines, CSV and SVG; reason codes in plain words;
 * a t-SNE map as SVG; the self-contained HTML report; the provenance manifest; and
 * the one JSON string writer, XML/HTML escaper and CSV field writer that all of them
 * use. Everything writes to a caller's sink (a write callback, or a FILE* through
 * limn_sink_file) and is byte-deterministic: the same inputs give the same bytes,
 * whatever the thread count. Numbers are written in their shortest round-trip form
 * (limn_format_double) where a program reads them back, and rounded where a person
 * does. docs/report.md describes the page; docs/design.md the conventions.
 */
#ifndef LIMN_REPORT_H
#define LIMN_REPORT_H

#include "core.h"
#include "data.h"
#include "explain.h"
#include "model.h"
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- sinks and escapers ---- */

/* Where rendered bytes go. `write` returns 0 when all `len` bytes were taken and
 * non-zero to stop the writer (the call then fails with LIMN_EIO). Writers buffer:
 * `write` is called with blocks of a few kilobytes, in order. */
typedef int (*limn_write_fn)(void *ud, const char *data, size_t len);
typedef struct limn_sink {
  limn_write_fn write;
  void *ud; /* borrowed */
} limn_sink;

/* A sink that fwrite()s to f (borrowed; not closed, not flushed). */
LIMN_API limn_sink limn_sink_file(FILE *f);

/* Write s (UTF-8, NUL-terminated) as a JSON string, quotes included: '"' and '\\'
 * escaped, \b \f \n \r \t as such, other bytes below 0x20 as \u00XX, the rest as is.
 * Returns LIMN_OK, or LIMN_EIO when the sink refused. */
LIMN_API int limn_write_json_string(limn_sink sink, const char *s);
/* Write s as XML/HTML text or attribute value: < > & " as entities, the rest as is. */
LIMN_API int limn_write_xml_text(limn_sink sink, const char *s);
/* Write s as one CSV field (RFC 4180): quoted, with '"' doubled, when it holds a
 * comma, a quote, CR or LF; as is otherwise. */
LIMN_API int limn_write_csv_field(limn_sink sink, const char *s);

/* ---- the provenance manifest ---- */

/* What produced a result, to reproduce and audit it: a JSON object
 *   {"limn_version":"0.1.0", <fields in the order added>, "options":{<options>}}
 * where fields are SHA-256 digests of inputs ("model_sha256"), numbers and strings,
 * and options are the settings used, as given (strings) or flags (booleans). The
 * "options" object is written only when an option was added. */
typedef struct limn_manifest limn_manifest;

/* A manifest holding only limn's version. Free with limn_manifest_free. */
LIMN_API int limn_manifest_create(limn_ctx *ctx, limn_manifest **out);
/* NULL is a no-op. */
LIMN_API void limn_manifest_free(limn_manifest *man);
/* Field "<name>_sha256": the SHA-256 of the file at path (errors name the file). */
LIMN_API int limn_manifest_add_file_sha256(limn_ctx *ctx, limn_manifest *man, const char *name,
                                           const char *path);
/* Field "<name>_sha256": the SHA-256 of len bytes (e.g. a model command's text). */
LIMN_API int limn_manifest_add_sha256(limn_ctx *ctx, limn_manifest *man, const char *name, const void *data,
                                      size_t len);
/* Fields with a string, a number (non-finite: null) or a count as value. */
LIMN_API int limn_manifest_add_string(limn_ctx *ctx, limn_manifest *man, const char *key, const char *value);
LIMN_API int limn_manifest_add_number(limn_ctx *ctx, limn_manifest *man, const char *key, double value);
LIMN_API int limn_manifest_add_count(limn_ctx *ctx, limn_manifest *man, const char *key, size_t value);
/* Options: a string (NULL: "") or a boolean. */
LIMN_API int limn_manifest_add_option(limn_ctx *ctx, limn_manifest *man, const char *key, const char *value);
LIMN_API int limn_manifest_add_option_bool(limn_ctx *ctx, limn_manifest *man, const char *key, int value);
/* The hex digest of field "<name>_sha256", or NULL when there is none. */
LIMN_API const char *limn_manifest_sha256(const limn_manifest *man, const char *name);
/* The manifest as one JSON object (no newline). */
LIMN_API int limn_manifest_write_json(limn_ctx *ctx, const limn_manifest *man, limn_sink sink);

/* ---- explanations ---- */

typedef enum limn_format {
  LIMN_FORMAT_TEXT = 0,  /* for people: a table per row, bars of + and -, reason codes */
  LIMN_FORMAT_JSON = 1,  /* one JSON array of row objects */
  LIMN_FORMAT_JSONL = 2, /* one JSON object per line */
  LIMN_FORMAT_CSV = 3,   /* one line per (row, shown feature) */
  LIMN_FORMAT_SVG = 4    /* bar charts, or heat maps for image-shaped rows */
} limn_format;
/* "text", "json", "jsonl", "csv", "svg"; LIMN_EINVAL for another name (parse). */
LIMN_API const char *limn_format_name(limn_format f);
LIMN_API int limn_format_parse(const char *name, limn_format *out);

/* One explained row: the explanation and what is shown beside it. */
typedef struct limn_render_row {
  const limn_explanation *ex; /* borrowed */
  size_t data_row;            /* the row's index in its data */
  size_t line;                /* its line in the data file (0: unknown) */
  const float *x;             /* its raw values (the model's nfeatures; borrowed) */
  double infidelity;          /* NaN when not computed */
  double sensitivity;         /* max-sensitivity; NaN when not computed */
  double stability;           /* LIME: mean pairwise top-5 Jaccard over seeds; NaN otherwise */
  double deletion, insertion; /* areas under the deletion and insertion curves
                                 (limn_explain_deletion_insertion); NaN when not computed */
  double sanity;              /* the randomisation check: limn_explain_rank_correlation of |attr| with the
                                 map of the model with randomised layers; NaN when not computed */
} limn_render_row;
/* A row with every figure NaN. */
LIMN_API limn_render_row limn_render_row_init(const limn_explanation *ex, size_t data_row, size_t line,
                                              const float *x);

/* How SVG draws one row's Shapley values: shap's waterfall (a step per feature from the
 * base value up to f(x)) or its force bar (one bar, the values pushing up and down). */
typedef enum limn_shap_plot { LIMN_SHAP_PLOT_WATERFALL = 0, LIMN_SHAP_PLOT_FORCE = 1 } limn_shap_plot;

typedef struct limn_render_opts {
  const limn_model *model;           /* borrowed; required */
  const char *method_desc;           /* text/SVG: e.g. "ig, gausslegendre, 50 steps, baseline zero" ("") */
  const limn_manifest *manifest;     /* JSON: written into every object as "manifest"; NULL: none */
  size_t top;                        /* text and SVG: features shown, most important first (0: all) */
  size_t image_w, image_h;           /* SVG: > 0 draws rows as w x h images: grey (w*h = nfeatures) or
                                        colour (3*w*h, channels first; needs PNG support): up to 16 x 16
                                        grey as cells, larger or colour as embedded PNGs of the input, the
                                        attribution and their overlay (limn_image_overlay) */
  const limn_stats *background;      /* LIME: the background its bins come from (labels); NULL: names */
  limn_discretizer discretizer;      /* LIME: its discretizer (labels) */
  size_t reasons;                    /* text: reason codes per row (0: none) */
  long favourable;                   /* the favourable class, or -1 (see limn_reason_codes) */
  limn_shap_plot shap_plot;          /* SVG of SHAP rows: waterfall or force bar */
  limn_trust_opts trust;             /* when an explanation is marked not reliable (limn_explain_trust):
                                        text "caution:" lines, JSON "reliable" and "warnings" */
  const char *const *protected_cols; /* column names that are protected characteristics (compared
                                        without case); NULL: limn_protected_default's list */
  size_t nprotected;
} limn_render_opts;
/* model NULL, "" description, no manifest, top 10, no image, quartile, 0 reasons, favourable -1,
 * waterfall, the default trust rules, the default protected characteristics. */
LIMN_API limn_render_opts limn_render_opts_default(void);

/* Write n explained rows in a format. Features are shown by |attribution| descending
 * (ties by column), LIME's selected features only. LIMN_EINVAL for a missing model,
 * a row whose explanation has another width, or a bad image shape. */
LIMN_API int limn_render_explanations(limn_ctx *ctx, const limn_render_opts *o, const limn_render_row *rows,
                                      size_t n, limn_format fmt, limn_sink sink);

/* Global importance: each feature's mean |weight| over n explanations, most
 * important first, as text (honours o->top), CSV, or JSON (one object with the
 * manifest; JSONL writes the same object). SVG is LIMN_EUNSUPPORTED. */
LIMN_API int limn_render_global(limn_ctx *ctx, const limn_render_opts *o, const limn_explanation *ex,
                                size_t n, limn_format fmt, limn_sink sink);

/* Many rows at a glance (shap's summary plot, as SVG): for the o->top features (0: 20)
 * of largest mean |attribution|, a beeswarm of every row's attribution, each dot
 * coloured by the row's value of the feature (blue low, red high, over these rows), and
 * the mean |attribution| as a bar. Rows' order never matters: dots are stacked by value,
 * ties by row. LIMN_EINVAL for a row whose explanation has another width. */
LIMN_API int limn_render_summary_svg(limn_ctx *ctx, const limn_render_opts *o, const limn_render_row *rows,
                                     size_t n, limn_sink sink);

/* One column over many rows (shap's dependence plot, as SVG): each row a dot at the
 * column's value (across) and its attribution (up), coloured by the column that
 * interacts most (the one whose values best explain the attributions' spread at similar
 * values of the column: the sum over bins of rows sorted by it of |correlation|, as
 * shap's approximate_interactions). LIMN_EINVAL for a column out of range. */
LIMN_API int limn_render_dependence_svg(limn_ctx *ctx, const limn_render_opts *o, const limn_render_row *rows,
                                        size_t n, size_t feature, limn_sink sink);

/* The wide CSV, for batch work (limn explain --format wide): one line per explained
 * row with its id, its class (the explained output's name), the model's output, the
 * base value and delta (empty when the method has none: gradients), 1 or 0 for
 * reliable (limn_explain_trust with the default rules), then the weight of each
 * feature in the model's column order. Numbers are the shortest text that reads back
 * (limn_format_double), a non-finite weight "null"; texts are CSV-quoted as needed.
 * limn_render_wide_header writes the header line (row,class,output,base_value,delta,
 * reliable, then the feature names). limn_render_wide writes n rows: row i's id is
 * ids[i] or, with ids NULL, the number first + i. The lines are made on the
 * context's threads, the bytes the same whatever their number; the sink is called
 * from the calling thread only. LIMN_EINVAL for a missing model or an explanation of
 * another width. */
LIMN_API int limn_render_wide_header(limn_ctx *ctx, const limn_model *m, limn_sink sink);
LIMN_API int limn_render_wide(limn_ctx *ctx, const limn_model *m, const limn_explanation *ex, size_t n,
                              size_t first, const char *const *ids, limn_sink sink);

/* One reason code: a feature and, in plain words, how it moved the decision. */
typedef struct limn_reason {
  size_t feature;
  double effect;      /* the attribution (signed) */
  int protected_attr; /* 1: the feature is a protected characteristic (limn_reason_protected) */
  char text[1024];    /* "checking_status is '<0' (lowered the probability of good by 0.12)" */
} limn_reason;

/* Reason codes of explanation e of raw row x: the n features that pushed the output
 * most toward the unfavourable side. For an explanation of the favourable class
 * (lowered = 1) those are its most negative attributions ("lowered the probability
 * of good by 0.12"); otherwise its most positive ("raised the probability of bad by
 * 0.12"). LIME counts only its selected features and names the row's bin. Zero
 * attributions never count. Returns how many were written to out (<= n). */
LIMN_API size_t limn_reason_codes(const limn_render_opts *o, const limn_explanation *e, const float *x,
                                  int lowered, size_t n, limn_reason *out);

/* The default protected characteristics, column names compared without case: age, sex,
 * gender, race, ethnicity, religion, national_origin, nationality, marital_status,
 * disability, and German credit's personal_status (which encodes sex) and
 * foreign_worker. *n receives the count. A lender may not give one as a reason for a
 * decision, and a model that relies on one needs review: limn flags such reasons, it
 * never drops them. */
LIMN_API const char *const *limn_reason_protected_default(size_t *n);
/* 1 when column j of o's model is protected by o's list (o->protected_cols, or the
 * default list when NULL). */
LIMN_API int limn_reason_protected(const limn_render_opts *o, size_t j);

/* ---- a t-SNE map as SVG ---- */

typedef struct limn_map_svg {
  const double *y; /* (n, 2) the map; borrowed */
  size_t n;
  const long *label;              /* (n) true classes colour the points, or NULL */
  const long *pred;               /* (n) predicted classes (colour without labels; rings with), or NULL */
  const char *const *class_names; /* legend, nclasses names (at most 10 shown), or NULL */
  size_t nclasses;
  const unsigned char *highlight; /* (n) non-zero: circle and label "row i", or NULL */
  const double *ref_y;            /* (nref, 2) a saved map's points, drawn in grey underneath, or NULL */
  size_t nref;
} limn_map_svg;

/* A 760 x 600 scatter: colour by class (Tableau 10), misclassified rows ringed in
 * black, highlighted rows circled in red and labelled, a legend on the right. */
LIMN_API int limn_render_map_svg(limn_ctx *ctx, const limn_map_svg *map, limn_sink sink);

/* ---- the HTML report ---- */

typedef struct limn_report_opts {
  const limn_model *model;      /* borrowed; required */
  const char *model_path;       /* shown, and hashed for the provenance; NULL: "a model in memory" */
  const char *model_command;    /* without model_path: the model command's text, shown as the model */
  const limn_dataset *data;     /* the rows, read with the model's schema; the map embeds them all */
  const char *data_path;        /* shown and hashed; NULL: "data in memory" */
  const limn_stats *background; /* LIME's background; NULL: the model's statistics */
  const char *background_path;  /* shown and hashed, or NULL */
  const float *shap_background; /* (shap_nbackground, nfeatures) SHAP's reference rows, borrowed;
                                   NULL: no SHAP (the page says what to give) */
  size_t shap_nbackground;
  size_t summary_max; /* rows in the SHAP summary at most (an even spread; 0: none) */
  const size_t *rows; /* explained rows (indices into data), 1..200 of them */
  size_t nrows;
  const char *const *why;   /* per explained row, why it was chosen (NULL entries: none); or NULL */
  size_t reasons;           /* reason codes per row (0: none) */
  long favourable;          /* favourable class, or -1: reasons are what raised the predicted class */
  limn_method reasons_from; /* LIMN_METHOD_LIME, LIMN_METHOD_IG or LIMN_METHOD_SHAP */
  size_t top;               /* features in the LIME and IG tables (0: all) */
  size_t num_samples;       /* LIME (0: auto) */
  uint64_t seed;            /* LIME and the map */
  const char *map_space;    /* "auto" (last hidden layer, else outputs), "output", "hidden:K", "none" */
  size_t map_max;           /* rows in the map at most (an even spread, explained rows always in) */
  const char *title;        /* NULL: "limn report" */
  const char *command;      /* the command line that reproduces the page, or NULL */
  const char *const *protected_cols; /* protected characteristics (limn_render_opts); NULL: the default */
  size_t nprotected;
  const char *data_sha256;    /* the data's SHA-256 given (64 hex digits) instead of hashing data_path:
                                 a folder's, say; NULL: data_path's file hashed */
  const char *data_sha256_of; /* what that digest is of, in words (shown after it), or NULL */
} limn_report_opts;
/* Every field zero or NULL except: favourable -1, reasons 4, reasons_from LIME, top 10,
 * map_space "auto", map_max 3000, summary_max 50. */
LIMN_API limn_report_opts limn_report_opts_default(void);

/* Compute everything (prediction, LIME, Integrated Gradients, SHAP when given reference
 * rows, reason codes, the SHAP summary, the map),
 * then write the page: one self-contained HTML document (inline CSS and SVG, no
 * script, nothing loaded). Nothing is written when a computation fails. */
LIMN_API int limn_report_write(limn_ctx *ctx, const limn_report_opts *o, limn_sink sink);

#ifdef __cplusplus
}
#endif
#endif

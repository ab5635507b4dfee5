/* The HTML report (docs/report.md): one self-contained, byte-deterministic page that
 * explains chosen rows to a person. Inline CSS and SVG only; no script, no font or
 * image from anywhere (a Content-Security-Policy says so to the browser too). */
#include "report.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct rep {
  const report_in *in;
  limn_ctx *ctx;
  const limn_model *m;
  size_t n, d, C, N;
  int cls;     /* classification */
  float *x;    /* (n, d) explained rows */
  float *p;    /* (N, C) model outputs of every row */
  long *pred;  /* (N) predicted class (0 for regression) */
  long *truth; /* (N) true class, or NULL */
  const limn_stats *bg;
  limn_explanation *lime, *ig, *rex; /* rex: the reason codes' explanations (may alias) */
  limn_lime_opts lo;
  limn_grad_opts g;
  render_ctx rc;
  size_t image_w, image_h;
  /* the map */
  size_t M, *mrows, *mpos, mdim;
  double *y, kl, perplexity;
  char map_desc[256];
  const char *map_note; /* why there is no map */
} rep;

/* ---- computing ---- */

static int lime_run(rep *r, const long *targets, limn_explanation **out) {
  limn_lime_opts o = r->lo;
  o.targets = targets;
  int lr = limn_explain_lime(r->ctx, r->m, r->bg, r->x, r->n, &o, out);
  return lr ? cli_lib_fail(r->ctx, lr) : CLI_OK;
}

/* Integrated Gradients: exact on piecewise-linear networks, else 50 Gauss-Legendre
 * nodes; baseline the training means when the model has them, else zero. */
static int ig_run(rep *r, const long *targets, limn_explanation **out) {
  limn_grad_opts g = r->g;
  g.targets = targets;
  int lr = limn_explain_gradients(r->ctx, r->m, r->x, r->n, &g, out);
  if (lr && g.quadrature == LIMN_QUAD_EXACT) {
    r->g.quadrature = g.quadrature = LIMN_QUAD_GAUSS_LEGENDRE;
    lr = limn_explain_gradients(r->ctx, r->m, r->x, r->n, &g, out);
  }
  return lr ? cli_lib_fail(r->ctx, lr) : CLI_OK;
}

/* The mapped rows: all of them, or an even spread of map_max plus the explained rows. */
static int map_rows(rep *r) {
  size_t N = r->N, cap = r->in->map_max < N ? r->in->map_max : N;
  unsigned char *in = calloc(N ? N : 1, 1);
  r->mrows = malloc((cap + r->n + 1) * sizeof *r->mrows);
  r->mpos = malloc((r->n ? r->n : 1) * sizeof *r->mpos);
  if (!in || !r->mrows || !r->mpos) {
    free(in);
    return cli_fail("out of memory");
  }
  for (size_t i = 0; i < cap; i++)
    in[(size_t)((double)i * (double)N / (double)cap)] = 1;
  for (size_t i = 0; i < r->n; i++)
    in[r->in->rows[i]] = 1;
  r->M = 0;
  for (size_t i = 0; i < N; i++)
    if (in[i])
      r->mrows[r->M++] = i;
  for (size_t i = 0; i < r->n; i++)
    for (size_t q = 0; q < r->M; q++)
      if (r->mrows[q] == r->in->rows[i])
        r->mpos[i] = q;
  free(in);
  return CLI_OK;
}

/* What the map embeds for the mapped rows: a hidden layer or the outputs. */
static int map_features(rep *r, float **out) {
  const char *sp = r->in->map_space;
  size_t d = r->d, layer = 0, nh = limn_model_nhidden(r->m);
  if (!strcmp(sp, "auto"))
    layer = nh;
  else if (!strncmp(sp, "hidden:", 7)) {
    char *end;
    unsigned long k = strtoul(sp + 7, &end, 10);
    if (*end || end == sp + 7 || k < 1 || k > nh)
      return cli_fail("--map %s: the model has %zu hidden layers (hidden:1..hidden:%zu)", sp, nh, nh),
             CLI_USAGE;
    layer = k;
  } else if (strcmp(sp, "output"))
    return cli_fail("--map: expected auto, output, hidden:K or none, got '%s'", sp), CLI_USAGE;
  float *xs = malloc(r->M * d * sizeof *xs);
  r->mdim = layer ? limn_model_hidden_width(r->m, layer) : r->C;
  float *f = malloc(r->M * r->mdim * sizeof *f);
  if (!xs || !f) {
    free(xs), free(f);
    return cli_fail("out of memory");
  }
  for (size_t q = 0; q < r->M; q++)
    memcpy(xs + q * d, limn_dataset_x(r->in->ds) + r->mrows[q] * d, d * sizeof *xs);
  int lr = layer ? limn_model_hidden(r->ctx, r->m, xs, r->M, layer, f)
                 : limn_model_forward(r->ctx, r->m, xs, r->M, LIMN_SPACE_OUTPUT, f);
  free(xs);
  if (lr) {
    free(f);
    return cli_lib_fail(r->ctx, lr);
  }
  if (layer)
    snprintf(r->map_desc, sizeof r->map_desc, "the activations of hidden layer %zu (%zu units)", layer,
             r->mdim);
  else
    snprintf(r->map_desc, sizeof r->map_desc, "the model's %s (%zu values per row)",
             r->cls ? "class probabilities" : "outputs", r->mdim);
  *out = f;
  return CLI_OK;
}

static int compute_map(rep *r) {
  if (!strcmp(r->in->map_space, "none")) {
    r->map_note = "no map was asked for (--map none)";
    return CLI_OK;
  }
  int rc = map_rows(r);
  if (rc)
    return rc;
  if (r->M < 10) {
    r->map_note = "the data has too few rows for a map (t-SNE needs 10 at least)";
    return CLI_OK;
  }
  float *f = NULL;
  if ((rc = map_features(r, &f)))
    return rc;
  limn_tsne_opts o = limn_tsne_opts_default();
  o.seed = r->in->seed;
  o.perplexity = fmin(30.0, floor((double)(r->M - 1) / 3.0));
  r->perplexity = o.perplexity;
  limn_tsne_p *P = NULL;
  r->y = malloc(r->M * 2 * sizeof *r->y);
  int lr = r->y ? limn_tsne_affinities(r->ctx, f, r->M, r->mdim, o.perplexity, &P) : LIMN_ENOMEM;
  if (!lr)
    lr = limn_tsne_run(r->ctx, P, f, r->mdim, &o, r->y, &r->kl);
  limn_tsne_p_free(r->ctx, P);
  free(f);
  return lr ? cli_lib_fail(r->ctx, lr) : CLI_OK;
}

static int compute(rep *r) {
  const report_in *in = r->in;
  r->d = limn_model_nfeatures(r->m);
  r->C = limn_model_noutputs(r->m);
  r->N = limn_dataset_nrows(in->ds);
  r->n = in->nrows;
  r->cls = limn_model_task(r->m) == LIMN_TASK_CLASSIFICATION;
  size_t d = r->d, N = r->N;
  r->x = malloc((r->n * d + 1) * sizeof *r->x);
  r->p = malloc((N * r->C + 1) * sizeof *r->p);
  r->pred = calloc(N + 1, sizeof *r->pred);
  if (!r->x || !r->p || !r->pred)
    return cli_fail("out of memory");
  for (size_t i = 0; i < r->n; i++)
    memcpy(r->x + i * d, limn_dataset_x(in->ds) + in->rows[i] * d, d * sizeof *r->x);
  int lr = limn_model_predict(r->ctx, r->m, limn_dataset_x(in->ds), N, r->p);
  if (lr)
    return cli_lib_fail(r->ctx, lr);
  for (size_t i = 0; r->cls && i < N; i++)
    for (size_t k = 1; k < r->C; k++)
      if (r->p[i * r->C + k] > r->p[i * r->C + (size_t)r->pred[i]])
        r->pred[i] = (long)k;
  const float *y = limn_dataset_y(in->ds);
  if (y && r->cls) {
    r->truth = malloc(N * sizeof *r->truth);
    if (!r->truth)
      return cli_fail("out of memory");
    for (size_t i = 0; i < N; i++)
      r->truth[i] = (long)y[i];
  }
  /* LIME and IG of the predicted class */
  r->bg = in->bg ? in->bg : limn_model_stats(r->m);
  r->lo = limn_lime_opts_default();
  r->lo.num_samples = in->num_samples;
  if (r->lo.num_features > d)
    r->lo.num_features = d; /* the default 10, on narrow data */
  r->lo.seed = in->seed;
  r->lo.row_ids = in->rows;
  r->g = limn_grad_opts_default();
  r->g.method = LIMN_METHOD_IG;
  r->g.quadrature = LIMN_QUAD_EXACT;
  r->g.baseline = limn_model_stats(r->m) ? LIMN_BASELINE_MEAN : LIMN_BASELINE_ZERO;
  r->g.row_ids = in->rows;
  int rc;
  if (r->bg && (rc = lime_run(r, NULL, &r->lime)))
    return rc;
  if ((rc = ig_run(r, NULL, &r->ig)))
    return rc;
  /* reason codes: explanations of the favourable class, or the predicted ones */
  limn_method rm = in->reasons_from == LIMN_METHOD_LIME && r->lime ? LIMN_METHOD_LIME : LIMN_METHOD_IG;
  r->rex = rm == LIMN_METHOD_LIME ? r->lime : r->ig;
  if (in->reasons && in->favourable >= 0 && r->cls) {
    long *t = malloc(r->n * sizeof *t);
    if (!t)
      return cli_fail("out of memory");
    for (size_t i = 0; i < r->n; i++)
      t[i] = in->favourable;
    r->rex = NULL;
    rc = rm == LIMN_METHOD_LIME ? lime_run(r, t, &r->rex) : ig_run(r, t, &r->rex);
    free(t);
    if (rc)
      return rc;
  }
  render_ctx rcx = {r->m, "", "", in->top, 0, 0, r->bg, r->lo.discretizer, in->reasons, in->favourable};
  r->rc = rcx;
  size_t s = (size_t)lround(sqrt((double)d));
  if (s * s == d && d >= 16 && limn_model_nslots(r->m) == d)
    r->image_w = r->image_h = s;
  return compute_map(r);
}

/* ---- writing ---- */

#define H render_xml

static const char *class_name(const rep *r, long k) {
  const char *s = limn_model_output_name(r->m, (size_t)(k < 0 ? 0 : k));
  return s ? s : "?";
}

static const char *CSS =
    ":root{color-scheme:light}"
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "color:#1a1a1a;background:#fff}"
    "main{max-width:62rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:2px solid "
    "#1a1a1a}h3{font-size:1.05rem;margin:1.2rem 0 .3rem}"
    "table{border-collapse:collapse;margin:.3rem 0 .8rem}th,td{padding:.15rem .5rem;text-align:left;"
    "vertical-align:top;border-bottom:1px solid #ccc}th{background:#f0f0f0}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".scroll{overflow-x:auto}"
    ".axis{display:block;position:relative;height:.9em;min-width:9rem;margin-top:.3em;"
    "background:linear-gradient(#555,#555) center/1px 100% no-repeat}"
    ".axis1{display:block;position:relative;height:.9em;min-width:9rem;margin-top:.3em;background:#eee}"
    ".pos,.neg,.p1{position:absolute;top:0;bottom:0}.pos{left:50%;background:#b2182b}"
    ".neg{right:50%;background:#2166ac}.p1{left:0;background:#4a4a4a}.p1.hi{background:#b2182b}"
    ".up{color:#b2182b}.down{color:#2166ac}"
    ".lead{font-size:1.1rem}.why{color:#444;font-style:italic}"
    ".agree{border-left:4px solid #2ca02c;padding-left:.6rem}"
    ".disagree{border-left:4px solid #d62728;padding-left:.6rem;background:#fff4f4}"
    ".note{color:#444;font-size:.9rem}"
    "figure{margin:.5rem 0}svg{max-width:100%;height:auto}"
    ".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}"
    ".sw{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.3em;"
    "vertical-align:-.05em}"
    "code{overflow-wrap:anywhere}dt{font-weight:bold}dd{margin:0 0 .4rem 1rem;overflow-wrap:anywhere}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "@media print{body{font-size:11pt}main{max-width:none}section.row{break-before:page}"
    "nav{display:none}details{display:block}}"
    "@media (max-width:40rem){body{font-size:15px}main{padding:.5rem}}";

static void head(FILE *f, const rep *r) {
  const char *title = r->in->title ? r->in->title : "limn report";
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
        "'unsafe-inline'; img-src data:\">\n<meta name=\"generator\" content=\"limn ",
        f);
  H(f, limn_version());
  fputs("\">\n<title>", f);
  H(f, title);
  fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<header>\n<h1>", CSS);
  H(f, title);
  fputs("</h1>\n<p>Why the model decided as it did for ", f);
  fprintf(f, "%zu row%s of <code>", r->n, r->n == 1 ? "" : "s");
  H(f, r->in->data_path);
  fputs("</code>, explained two ways: LIME (a weighted linear model fitted to the model's answers "
        "around the row) and Integrated Gradients (the output's change from a baseline, shared out "
        "among the inputs). Red means the feature raised the explained output, blue that it lowered "
        "it.</p>\n</header>\n",
        f);
}

/* Predicted class (or value) of data row i, as text. */
static void pred_text(FILE *f, const rep *r, size_t i) {
  if (r->cls) {
    H(f, class_name(r, r->pred[i]));
    fprintf(f, " (%.3f)", (double)r->p[i * r->C + (size_t)r->pred[i]]);
  } else {
    fprintf(f, "%.4g", (double)r->p[i]);
  }
}

static void summary(FILE *f, const rep *r) {
  fputs("<nav aria-label=\"Explained rows\">\n<h2 id=\"summary\">Explained rows</h2>\n<div "
        "class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Row</th><th scope=\"col\">Prediction</th>",
        f);
  if (r->truth)
    fputs("<th scope=\"col\">True class</th>", f);
  if (r->in->why)
    fputs("<th scope=\"col\">Chosen as</th>", f);
  fputs("</tr></thead>\n<tbody>\n", f);
  for (size_t i = 0; i < r->n; i++) {
    size_t k = r->in->rows[i];
    fprintf(f, "<tr><td><a href=\"#row-%zu\">row %zu</a></td><td>", k, k);
    pred_text(f, r, k);
    fputs("</td>", f);
    if (r->truth) {
      fputs("<td>", f);
      H(f, class_name(r, r->truth[k]));
      fputs(r->truth[k] == r->pred[k] ? "" : " <strong>(misclassified)</strong>", f);
      fputs("</td>", f);
    }
    if (r->in->why) {
      fputs("<td>", f);
      H(f, r->in->why[i] ? r->in->why[i] : "");
      fputs("</td>", f);
    }
    fputs("</tr>\n", f);
  }
  fputs("</tbody></table></div>\n<p><a href=\"#map\">The map</a> &middot; <a "
        "href=\"#provenance\">Provenance</a></p>\n</nav>\n",
        f);
}

static void value_text(FILE *f, const rep *r, size_t j, float v) {
  const char *cat = render_category(r->m, j, v);
  if (cat)
    H(f, cat);
  else
    fprintf(f, "%.6g", (double)v);
}

/* A signed bar: |w| / mx of half the cell, red right or blue left. */
static void bar(FILE *f, double w, double mx) {
  double pc = mx > 0 ? 50.0 * fabs(w) / mx : 0;
  fprintf(f,
          "<td aria-hidden=\"true\"><span class=\"axis\"><span class=\"%s\" style=\"width:%.1f%%\"></span>"
          "</span></td>",
          w >= 0 ? "pos" : "neg", pc);
}

static void prediction(FILE *f, const rep *r, size_t i) {
  size_t k = r->in->rows[i];
  fputs("<h3>Prediction</h3>\n", f);
  if (!r->cls) {
    fprintf(f, "<p>The model's value: <strong>%.6g</strong>.</p>\n", (double)r->p[k]);
    return;
  }
  fputs("<div class=\"scroll\"><table class=\"probs\"><caption class=\"note\">Class probabilities</caption>\n"
        "<thead><tr><th scope=\"col\">Class</th><th scope=\"col\">Probability</th><th "
        "scope=\"col\"><span class=\"note\">bar</span></th></tr></thead>\n<tbody>\n",
        f);
  for (size_t c = 0; c < r->C; c++) {
    double pc = (double)r->p[k * r->C + c];
    fputs("<tr><td>", f);
    H(f, class_name(r, (long)c));
    fprintf(f,
            "%s</td><td class=\"num\">%.3f</td><td aria-hidden=\"true\"><span class=\"axis1\"><span "
            "class=\"p1%s\" style=\"width:%.1f%%\"></span></span></td></tr>\n",
            (long)c == r->pred[k] ? " (predicted)" : "", pc, (long)c == r->pred[k] ? " hi" : "", 100.0 * pc);
  }
  fputs("</tbody></table></div>\n", f);
}

static void reasons(FILE *f, const rep *r, size_t i) {
  if (!r->in->reasons || !r->rex)
    return;
  const limn_explanation *e = &r->rex[i];
  int lowered = r->in->favourable >= 0 && (long)e->target == r->in->favourable;
  render_reason *rs = malloc(r->in->reasons * sizeof *rs);
  if (!rs)
    return;
  size_t k = render_reasons(&r->rc, e, r->x + i * r->d, lowered, r->in->reasons, rs);
  fputs("<h3>Reason codes</h3>\n<p class=\"note\">", f);
  if (!r->cls)
    fprintf(f, "The features that %s the prediction most", lowered ? "lowered" : "raised");
  else {
    fprintf(f, "The features that %s the probability of <strong>", lowered ? "lowered" : "raised");
    H(f, class_name(r, (long)e->target));
    fputs(lowered ? "</strong> (the favourable class) most" : "</strong> most", f);
  }
  fprintf(f, ", from %s.</p>\n<ol class=\"reasons\">\n",
          e->method == LIMN_METHOD_LIME ? "LIME" : "Integrated Gradients");
  for (size_t q = 0; q < k; q++) {
    fputs("<li>", f);
    H(f, rs[q].text);
    fputs("</li>\n", f);
  }
  if (!k)
    fprintf(f, "<li>No feature %s it.</li>\n", lowered ? "lowered" : "raised");
  fputs("</ol>\n", f);
  free(rs);
}

/* Features sorted by |attribution| into idx (LIME: selected only); returns how many
 * to show (at most top), and how many there are in *all. */
static size_t ranked(const limn_explanation *e, size_t *idx, size_t top, size_t *all) {
  size_t ns = render_shown(e, idx);
  *all = ns;
  return top && top < ns ? top : ns;
}

static void lime_section(FILE *f, const rep *r, size_t i) {
  fputs("<h3>LIME</h3>\n", f);
  if (!r->lime) {
    fputs("<p>Not available: LIME needs the training data's statistics, and the model stores none "
          "(give <code>--background FILE</code>).</p>\n",
          f);
    return;
  }
  const limn_explanation *e = &r->lime[i];
  size_t *idx = malloc(r->d * sizeof *idx);
  if (!idx)
    return;
  size_t nsel, show = ranked(e, idx, r->in->top, &nsel);
  fprintf(f, "<p>The surrogate explains P(<strong>");
  H(f, class_name(r, (long)e->target));
  fprintf(f,
          "</strong>) = %.3f with %zu features: intercept %.3g, its prediction at the row %.3g, fidelity "
          "(weighted R<sup>2</sup> on %zu samples) <strong>%.3f</strong>. Each weight is the change in "
          "probability when the feature is in the row's bin rather than another, &plusmn; its standard "
          "error.</p>\n",
          e->output, nsel, e->intercept, e->local_pred, e->num_samples, e->score);
  double mx = 0;
  for (size_t t = 0; t < nsel; t++)
    mx = fmax(mx, fabs(e->attr[idx[t]]));
  fputs("<div class=\"scroll\"><table class=\"lime\"><caption class=\"note\">LIME weights, largest "
        "first</caption>\n<thead><tr><th scope=\"col\">Condition</th><th scope=\"col\">Value</th><th "
        "scope=\"col\">Weight</th><th scope=\"col\">&plusmn; s.e.</th><th scope=\"col\"><span "
        "class=\"note\">bar</span></th></tr></thead>\n<tbody>\n",
        f);
  char lb[256];
  for (size_t t = 0; t < show; t++) {
    size_t j = idx[t];
    fputs("<tr><td>", f);
    H(f, render_label(&r->rc, e, j, lb, sizeof lb));
    fputs("</td><td class=\"num\">", f);
    value_text(f, r, j, r->x[i * r->d + j]);
    fprintf(f, "</td><td class=\"num %s\">%+.3g</td><td class=\"num\">", e->attr[j] >= 0 ? "up" : "down",
            e->attr[j]);
    if (e->std_error && isfinite(e->std_error[j]))
      fprintf(f, "%.2g", e->std_error[j]);
    fputs("</td>", f);
    bar(f, e->attr[j], mx);
    fputs("</tr>\n", f);
  }
  fputs("</tbody></table></div>\n", f);
  free(idx);
}

/* Input and IG attribution of an image-shaped row side by side. */
static void heatmap(FILE *f, const rep *r, size_t i, const limn_explanation *e) {
  size_t w = r->image_w, h = r->image_h, d = r->d, k = r->in->rows[i];
  const float *x = r->x + i * d;
  double lo = INFINITY, hi = -INFINITY, mx = 0, cell = 28;
  for (size_t j = 0; j < d; j++) {
    lo = fmin(lo, x[j]), hi = fmax(hi, x[j]);
    mx = fmax(mx, fabs(e->attr[j]));
  }
  double W = cell * (double)(2 * w) + 30, Hh = cell * (double)h + 24;
  fprintf(f,
          "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
          "height=\"%.0f\" role=\"img\" aria-labelledby=\"hm-%zu-t\" font-family=\"sans-serif\" "
          "font-size=\"12\">\n<title id=\"hm-%zu-t\">Row %zu as a %zux%zu image (left, dark = high) and its "
          "Integrated Gradients attribution (right, red raised, blue lowered the probability)</title>\n",
          W, Hh, W, Hh, k, k, k, w, h);
  fprintf(f, "<text x=\"0\" y=\"14\">input</text><text x=\"%.0f\" y=\"14\">attribution</text>\n",
          cell * (double)w + 30);
  char col[16];
  for (size_t rr = 0; rr < h; rr++)
    for (size_t c = 0; c < w; c++) {
      size_t j = rr * w + c;
      int gray = hi > lo ? 255 - (int)lround(255.0 * (x[j] - lo) / (hi - lo)) : 255;
      fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#%02x%02x%02x\"/>",
              cell * (double)c, 20 + cell * (double)rr, cell, cell, gray, gray, gray);
      render_diverging(mx > 0 ? e->attr[j] / mx : 0, col, sizeof col);
      fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"%s\"/>\n",
              cell * (double)(w + c) + 30, 20 + cell * (double)rr, cell, cell, col);
    }
  fputs(
      "</svg><figcaption class=\"note\">The table below lists the strongest pixels.</figcaption></figure>\n",
      f);
}

static void ig_section(FILE *f, const rep *r, size_t i) {
  const limn_explanation *e = &r->ig[i];
  fputs("<h3>Integrated Gradients</h3>\n<p>", f);
  fprintf(f,
          "From the baseline (%s, where the model gives %.3g) to the row (%.3g), the change is shared "
          "among the features. Completeness gap (sum of attributions minus the change): <strong>%.2g"
          "</strong>%s.</p>\n",
          r->g.baseline == LIMN_BASELINE_MEAN ? "the training means" : "all zeros", e->base_value, e->output,
          e->delta, e->nsegments ? ", exact path integral" : ", 50-node Gauss-Legendre quadrature");
  if (e->finite_differences)
    fputs("<p class=\"note\">The model has no gradients: central finite differences were used.</p>\n", f);
  if (r->image_w)
    heatmap(f, r, i, e);
  size_t *idx = malloc(r->d * sizeof *idx);
  if (!idx)
    return;
  size_t all, show = ranked(e, idx, r->in->top, &all);
  double mx = show ? fabs(e->attr[idx[0]]) : 0;
  char nb[160];
  fputs("<div class=\"scroll\"><table class=\"ig\"><caption class=\"note\">Attributions, largest "
        "first</caption>\n<thead><tr><th scope=\"col\">Feature</th><th scope=\"col\">Value</th><th "
        "scope=\"col\">Attribution</th><th scope=\"col\"><span class=\"note\">bar</span></th></tr></thead>\n"
        "<tbody>\n",
        f);
  for (size_t t = 0; t < show; t++) {
    size_t j = idx[t];
    fputs("<tr><td>", f);
    H(f, render_feature_name(r->m, j, nb, sizeof nb));
    fputs("</td><td class=\"num\">", f);
    value_text(f, r, j, r->x[i * r->d + j]);
    fprintf(f, "</td><td class=\"num %s\">%+.3g</td>", e->attr[j] >= 0 ? "up" : "down", e->attr[j]);
    bar(f, e->attr[j], mx);
    fputs("</tr>\n", f);
  }
  fputs("</tbody></table></div>\n", f);
  free(idx);
}

/* Up to 5 features of e by |attribution| (LIME: selected only). Returns the count. */
static size_t top5(const rep *r, const limn_explanation *e, size_t *out) {
  size_t *idx = malloc(r->d * sizeof *idx), k = 0;
  if (!idx)
    return 0;
  size_t ns = render_shown(e, idx);
  for (; k < 5 && k < ns; k++)
    out[k] = idx[k];
  free(idx);
  return k;
}

static void names(FILE *f, const rep *r, const size_t *j, size_t k) {
  char nb[160];
  for (size_t q = 0; q < k; q++) {
    fputs(q ? (q + 1 == k ? " and " : ", ") : "", f);
    H(f, render_feature_name(r->m, j[q], nb, sizeof nb));
  }
}

/* Do LIME and IG name the same top features, with the same signs? */
static void agreement(FILE *f, const rep *r, size_t i) {
  if (!r->lime)
    return;
  const limn_explanation *a = &r->lime[i], *b = &r->ig[i];
  size_t ta[5], tb[5], na = top5(r, a, ta), nb = top5(r, b, tb), shared[5], ns = 0, flip[5], nf = 0;
  for (size_t p = 0; p < na; p++)
    for (size_t q = 0; q < nb; q++)
      if (ta[p] == tb[q]) {
        shared[ns++] = ta[p];
        if ((a->attr[ta[p]] > 0) != (b->attr[ta[p]] > 0))
          flip[nf++] = ta[p];
      }
  int ok = ns >= 3 && nf == 0;
  fprintf(f, "<h3>Do the two methods agree?</h3>\n<p class=\"%s\"><strong>%s</strong> ",
          ok ? "agree" : "disagree", ok ? "They agree." : "LIME and Integrated Gradients disagree.");
  fprintf(f, "%zu of LIME's top %zu features are among Integrated Gradients' top %zu", ns, na, nb);
  if (ns) {
    fputs(" (", f);
    names(f, r, shared, ns);
    fputs(")", f);
  }
  fputs(". ", f);
  if (!ok) {
    fputs("LIME ranks ", f);
    names(f, r, ta, na);
    fputs(" first; Integrated Gradients ranks ", f);
    names(f, r, tb, nb);
    fputs(" first. ", f);
  }
  if (nf) {
    fputs("They give opposite directions for ", f);
    names(f, r, flip, nf);
    fputs(". ", f);
  }
  if (!ok)
    fputs("LIME weighs the row's bins against the whole training distribution, Integrated Gradients "
          "follows the model from the training means to this row: when they differ, neither alone tells "
          "the whole story.",
          f);
  fputs("</p>\n", f);
}

static void all_values(FILE *f, const rep *r, size_t i) {
  char nb[160];
  fprintf(f,
          "<details><summary>All %zu feature values of this row</summary>\n<div class=\"scroll\"><table>"
          "<thead><tr><th scope=\"col\">Feature</th><th scope=\"col\">Value</th></tr></thead><tbody>\n",
          r->d);
  for (size_t j = 0; j < r->d; j++) {
    fputs("<tr><td>", f);
    H(f, render_feature_name(r->m, j, nb, sizeof nb));
    fputs("</td><td class=\"num\">", f);
    value_text(f, r, j, r->x[i * r->d + j]);
    fputs("</td></tr>\n", f);
  }
  fputs("</tbody></table></div></details>\n", f);
}

static void row_section(FILE *f, const rep *r, size_t i) {
  size_t k = r->in->rows[i], line = limn_dataset_row_line(r->in->ds, k);
  fprintf(
      f, "<section class=\"row\" id=\"row-%zu\" aria-labelledby=\"row-%zu-h\">\n<h2 id=\"row-%zu-h\">Row %zu",
      k, k, k, k);
  if (line)
    fprintf(f, " <small>(line %zu)</small>", line);
  fputs("</h2>\n<p class=\"lead\">", f);
  if (r->cls) {
    fputs("The model predicts <strong>", f);
    H(f, class_name(r, r->pred[k]));
    fprintf(f, "</strong> with probability %.3f.", (double)r->p[k * r->C + (size_t)r->pred[k]]);
    if (r->truth) {
      fputs(" The true class is <strong>", f);
      H(f, class_name(r, r->truth[k]));
      fputs(r->truth[k] == r->pred[k] ? "</strong>: correct." : "</strong>: <strong>misclassified</strong>.",
            f);
    }
  } else {
    fprintf(f, "The model predicts <strong>%.6g</strong>.", (double)r->p[k]);
  }
  fputs("</p>\n", f);
  if (r->in->why && r->in->why[i]) {
    fputs("<p class=\"why\">Chosen as ", f);
    H(f, r->in->why[i]);
    fputs(".</p>\n", f);
  }
  prediction(f, r, i);
  reasons(f, r, i);
  lime_section(f, r, i);
  ig_section(f, r, i);
  agreement(f, r, i);
  all_values(f, r, i);
  fputs("</section>\n", f);
}

/* How many of map point q's 10 nearest points share its predicted class. */
static size_t neighbours_agree(const rep *r, size_t q, size_t *kk) {
  size_t best[10], nb = 0;
  double bd[10];
  for (size_t o = 0; o < r->M; o++) {
    if (o == q)
      continue;
    double dx = r->y[2 * o] - r->y[2 * q], dy = r->y[2 * o + 1] - r->y[2 * q + 1], dd = dx * dx + dy * dy;
    if (nb < 10)
      nb++;
    else if (dd >= bd[9])
      continue;
    size_t p = nb - 1;
    while (p > 0 && bd[p - 1] > dd) {
      bd[p] = bd[p - 1], best[p] = best[p - 1];
      p--;
    }
    bd[p] = dd, best[p] = o;
  }
  size_t agree = 0;
  for (size_t t = 0; t < nb; t++)
    agree += r->pred[r->mrows[best[t]]] == r->pred[r->mrows[q]];
  *kk = nb;
  return agree;
}

static void map_section(FILE *f, const rep *r) {
  fputs("<section id=\"map\" aria-labelledby=\"map-h\">\n<h2 id=\"map-h\">The map</h2>\n", f);
  if (!r->y) {
    fprintf(f, "<p>No map: %s.</p>\n</section>\n", r->map_note ? r->map_note : "not computed");
    return;
  }
  fprintf(f, "<p>A t-SNE map of %zu rows of <code>", r->M);
  H(f, r->in->data_path);
  fputs("</code>, made from ", f);
  H(f, r->map_desc);
  fprintf(f,
          ": rows the model treats alike lie close together. Colour: %s; a black ring marks a misclassified "
          "row; the explained rows are circled in red and labelled. Perplexity %g, seed %llu, KL(P||Q) "
          "%.3f.</p>\n",
          r->truth ? "the true class" : "the predicted class", r->perplexity, (unsigned long long)r->in->seed,
          r->kl);
  double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
  for (size_t q = 0; q < r->M; q++) {
    minx = fmin(minx, r->y[2 * q]), maxx = fmax(maxx, r->y[2 * q]);
    miny = fmin(miny, r->y[2 * q + 1]), maxy = fmax(maxy, r->y[2 * q + 1]);
  }
  /* the drawing takes the map's aspect, at most 640 x 640 */
  double pad = 24, rx = fmax(maxx - minx, 1e-12), ry = fmax(maxy - miny, 1e-12),
         sc = fmin((640 - 2 * pad) / rx, (640 - 2 * pad) / ry), W = rx * sc + 2 * pad,
         size = ry * sc + 2 * pad;
  double ox = pad, oy = pad;
  size_t wrong = 0;
  for (size_t q = 0; r->truth && q < r->M; q++)
    wrong += r->truth[r->mrows[q]] != r->pred[r->mrows[q]];
  fprintf(f,
          "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
          "height=\"%.0f\" role=\"img\" aria-labelledby=\"map-t map-d\" font-family=\"sans-serif\" "
          "font-size=\"13\">\n<title id=\"map-t\">t-SNE map of %zu rows</title>\n<desc id=\"map-d\">Each dot "
          "is a row, coloured by class; %zu misclassified rows are ringed; the explained rows are circled "
          "and labelled. The table under the map gives the same facts in words.</desc>\n"
          "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
          W, size, W, size, r->M, wrong);
  for (size_t q = 0; q < r->M; q++) {
    size_t k = r->mrows[q];
    long c = r->truth ? r->truth[k] : r->pred[k];
    double px = ox + (r->y[2 * q] - minx) * sc, py = size - oy - (r->y[2 * q + 1] - miny) * sc;
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", px, py,
            render_palette[(size_t)c % 10]);
    if (r->truth && r->truth[k] != r->pred[k])
      fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5.5\" fill=\"none\" stroke=\"#000\"/>", px, py);
    fputc('\n', f);
  }
  for (size_t i = 0; i < r->n; i++) { /* explained rows on top */
    size_t q = r->mpos[i];
    double px = ox + (r->y[2 * q] - minx) * sc, py = size - oy - (r->y[2 * q + 1] - miny) * sc;
    int left = px > W - 90;
    fprintf(
        f,
        "<g class=\"hl\" id=\"map-row-%zu\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"9\" fill=\"none\" "
        "stroke=\"#c00\" stroke-width=\"2.5\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
        "font-weight=\"bold\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">row %zu</text></g>\n",
        r->in->rows[i], px, py, left ? px - 12 : px + 12, py - 10, left ? "end" : "start", r->in->rows[i]);
  }
  fputs("</svg>\n<figcaption><ul class=\"legend\">\n", f);
  for (size_t c = 0; r->cls && c < r->C; c++) {
    fprintf(f, "<li><span class=\"sw\" style=\"background:%s\"></span>", render_palette[c % 10]);
    H(f, class_name(r, (long)c));
    fputs("</li>\n", f);
  }
  if (r->truth)
    fputs("<li><span class=\"sw\" style=\"border:1.5px solid #000\"></span>misclassified</li>\n", f);
  fputs(
      "<li><span class=\"sw\" style=\"border:2.5px solid #c00\"></span>explained row</li>\n</ul></figcaption>"
      "</figure>\n",
      f);
  fputs("<div class=\"scroll\"><table class=\"map-rows\"><caption class=\"note\">The explained rows in the "
        "map</caption>\n<thead><tr><th scope=\"col\">Row</th><th scope=\"col\">Prediction</th><th "
        "scope=\"col\">Of its nearest rows in the map, how many the model puts in the same class</th></tr>"
        "</thead>\n<tbody>\n",
        f);
  for (size_t i = 0; i < r->n; i++) {
    size_t kk, a = neighbours_agree(r, r->mpos[i], &kk);
    fprintf(f, "<tr><td>row %zu</td><td>", r->in->rows[i]);
    pred_text(f, r, r->in->rows[i]);
    fprintf(f, "</td><td class=\"num\">%zu of %zu</td></tr>\n", a, kk);
  }
  fputs("</tbody></table></div>\n</section>\n", f);
}

static void provenance(FILE *f, const rep *r, const char *msha, const char *dsha, const char *bsha) {
  const report_in *in = r->in;
  fputs("<section id=\"provenance\" aria-labelledby=\"prov-h\">\n<h2 id=\"prov-h\">Provenance</h2>\n<dl>\n",
        f);
  fputs("<dt>limn</dt><dd>", f);
  H(f, limn_version());
  fputs("</dd>\n<dt>Model</dt><dd><code>", f);
  H(f, in->model_path);
  fprintf(f, "</code> (%s, %zu features, %zu outputs), SHA-256 <code>%s</code></dd>\n", limn_model_kind(r->m),
          r->d, r->C, msha);
  fputs("<dt>Data</dt><dd><code>", f);
  H(f, in->data_path);
  fprintf(f, "</code> (%zu rows), SHA-256 <code>%s</code></dd>\n", r->N, dsha);
  fputs("<dt>LIME background</dt><dd>", f);
  if (in->background_path) {
    fputs("<code>", f);
    H(f, in->background_path);
    fprintf(f, "</code>, SHA-256 <code>%s</code>", bsha);
  } else {
    fputs(r->bg ? "the training statistics stored in the model" : "none", f);
  }
  fprintf(f, "</dd>\n<dt>Seed</dt><dd>%llu</dd>\n", (unsigned long long)in->seed);
  fprintf(f,
          "<dt>LIME</dt><dd>%zu samples, %s bins, kernel width 0.75&radic;d, feature selection %s, up to %zu "
          "features, ridge alpha %g, %s estimator</dd>\n",
          limn_lime_samples(&r->lo, limn_model_nfeatures(r->m)), limn_discretizer_name(r->lo.discretizer),
          limn_selection_name(r->lo.selection), r->lo.num_features, r->lo.ridge_alpha,
          r->lo.compat ? "lime's" : "limn's lattice");
  fprintf(f,
          "<dt>Integrated Gradients</dt><dd>%s, baseline %s, explained output: probability of the "
          "predicted class</dd>\n",
          r->g.quadrature == LIMN_QUAD_EXACT ? "exact path integral" : "50-node Gauss-Legendre",
          r->g.baseline == LIMN_BASELINE_MEAN ? "training means" : "zero");
  fprintf(f, "<dt>Reason codes</dt><dd>%zu per row, from %s", in->reasons,
          in->reasons_from == LIMN_METHOD_LIME && r->lime ? "LIME" : "Integrated Gradients");
  if (in->favourable >= 0 && r->cls) {
    fputs(", favourable class ", f);
    H(f, class_name(r, in->favourable));
  }
  fputs("</dd>\n<dt>Map</dt><dd>", f);
  if (r->y)
    fprintf(f, "t-SNE of %zu rows, perplexity %g, 750 iterations, early exaggeration 12, PCA initialisation",
            r->M, r->perplexity);
  else
    H(f, r->map_note ? r->map_note : "none");
  fputs("</dd>\n", f);
  if (in->command) {
    fputs("<dt>Reproduce</dt><dd><code>", f);
    H(f, in->command);
    fputs("</code></dd>\n", f);
  }
  fputs("</dl>\n<p class=\"note\">The same model, data, options and seed give this page byte for byte, "
        "whatever the thread count.</p>\n</section>\n",
        f);
}

static void rep_free(rep *r) {
  free(r->x), free(r->p), free(r->pred), free(r->truth);
  if (r->rex && r->rex != r->lime && r->rex != r->ig)
    limn_explanations_free(r->ctx, r->rex, r->n);
  if (r->lime)
    limn_explanations_free(r->ctx, r->lime, r->n);
  if (r->ig)
    limn_explanations_free(r->ctx, r->ig, r->n);
  free(r->mrows), free(r->mpos), free(r->y);
}

int report_write(const report_in *in, const char *out_path) {
  rep r;
  memset(&r, 0, sizeof r);
  r.in = in, r.ctx = in->ctx, r.m = in->m;
  char msha[65] = "", dsha[65] = "", bsha[65] = "";
  int rc = CLI_OK, lr = limn_sha256_file(in->ctx, in->model_path, msha);
  if (!lr)
    lr = limn_sha256_file(in->ctx, in->data_path, dsha);
  if (!lr && in->background_path)
    lr = limn_sha256_file(in->ctx, in->background_path, bsha);
  if (lr)
    rc = cli_lib_fail(in->ctx, lr);
  if (!rc && in->nrows == 0)
    rc = cli_fail("no rows to explain");
  if (!rc)
    rc = compute(&r);
  if (!rc) {
    FILE *f = cli_open_out(out_path);
    if (!f) {
      rc = CLI_FAIL;
    } else {
      head(f, &r);
      summary(f, &r);
      for (size_t i = 0; i < r.n; i++)
        row_section(f, &r, i);
      map_section(f, &r);
      provenance(f, &r, msha, dsha, bsha);
      fputs("</main>\n</body>\n</html>\n", f);
      rc = cli_close_out(f, out_path, 1);
    }
  }
  rep_free(&r);
  return rc;
}

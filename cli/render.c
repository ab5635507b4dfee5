/* Explanations as text, JSON, JSON Lines, CSV and SVG. Byte-stable: fixed number
 * formats, no timestamps. */
#include "render.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A JSON number: limn_format_double, non-finite values as null. */
void cli_fmt_double(char *buf, size_t cap, double v) {
  if (!isfinite(v))
    snprintf(buf, cap, "null");
  else
    limn_format_double(buf, cap, v);
}

/* Feature order: |weight| descending, ties by column index. */
static const limn_explanation *sort_ex;
static int by_weight(const void *a, const void *b) {
  size_t i = *(const size_t *)a, j = *(const size_t *)b;
  double wi = fabs(sort_ex->attr[i]), wj = fabs(sort_ex->attr[j]);
  if (wi != wj)
    return wi < wj ? 1 : -1;
  return (i > j) - (i < j);
}
static void order(const limn_explanation *e, size_t *idx) {
  for (size_t j = 0; j < e->nfeatures; j++)
    idx[j] = j;
  sort_ex = e;
  qsort(idx, e->nfeatures, sizeof *idx, by_weight);
}

const char *render_feature_name(const limn_model *m, size_t j, char *buf, size_t cap) {
  const limn_schema *s = limn_model_schema(m);
  if (s)
    return limn_schema_feature_name(s, j);
  snprintf(buf, cap, "x%zu", j);
  return buf;
}

/* Category name of a categorical value, or NULL for a numeric column. */
const char *render_category(const limn_model *m, size_t j, float v) {
  const limn_schema *s = limn_model_schema(m);
  if (!s || limn_schema_feature_kind(s, j) != LIMN_COL_CATEGORICAL)
    return NULL;
  return limn_schema_category(s, j, (size_t)v);
}

/* Features to show, most important first: LIME's selected ones, or all. Returns
 * their number. */
size_t render_shown(const limn_explanation *e, size_t *idx) {
  order(e, idx);
  if (e->method != LIMN_METHOD_LIME)
    return e->nfeatures;
  size_t k = 0;
  for (size_t t = 0; t < e->nfeatures; t++)
    if (e->selected[idx[t]])
      idx[k++] = idx[t];
  return k;
}

/* LIME's label of feature j ("worst radius > 16.8"), or its name. */
const char *render_label(const render_ctx *rc, const limn_explanation *e, size_t j, char *buf, size_t cap) {
  if (e->method == LIMN_METHOD_LIME && rc->bg) {
    limn_lime_label(rc->bg, limn_model_schema(rc->m), rc->disc, j, e->bin[j], buf, cap);
    return buf;
  }
  return render_feature_name(rc->m, j, buf, cap);
}

/* "P" for a probability, "logit", or "value" for a regression output. */
static const char *output_label(const limn_model *m, const limn_explanation *e) {
  if (limn_model_task(m) == LIMN_TASK_REGRESSION)
    return "value";
  return e->space == LIMN_SPACE_LOGIT ? "logit" : "P";
}

/* Reason codes under a row's table (methods whose attributions are effects). */
static void text_reasons(FILE *f, const render_ctx *rc, const render_row *row) {
  const limn_explanation *e = row->ex;
  if (!rc->reasons ||
      (e->method != LIMN_METHOD_LIME && e->method != LIMN_METHOD_IG && e->method != LIMN_METHOD_GRADXINPUT))
    return;
  render_reason *rs = malloc(rc->reasons * sizeof *rs);
  if (!rs)
    return;
  int lowered = rc->favourable >= 0 && (long)e->target == rc->favourable;
  size_t k = render_reasons(rc, e, row->x, lowered, rc->reasons, rs);
  const char *cls = limn_model_output_name(rc->m, e->target);
  if (limn_model_task(rc->m) == LIMN_TASK_REGRESSION)
    fprintf(f, "  reasons (features that %s the prediction most):\n", lowered ? "lowered" : "raised");
  else
    fprintf(f, "  reasons %s %s (features that %s its %s most):\n", lowered ? "against" : "for", cls,
            lowered ? "lowered" : "raised", e->space == LIMN_SPACE_LOGIT ? "logit" : "probability");
  for (size_t i = 0; i < k; i++)
    fprintf(f, "  %zu. %s\n", i + 1, rs[i].text);
  if (!k)
    fprintf(f, "  (no feature %s it)\n", lowered ? "lowered" : "raised");
  free(rs);
}

void render_text(FILE *f, const render_ctx *rc, const render_row *rows, size_t n) {
  const limn_model *m = rc->m;
  size_t d = limn_model_nfeatures(m);
  size_t *idx = malloc(d * sizeof *idx);
  if (!idx)
    return;
  char nb[32], vb[40];
  for (size_t r = 0; r < n; r++) {
    const limn_explanation *e = rows[r].ex;
    fprintf(f, "%srow %zu (line %zu): %s(%s) = %.6g   [%s]\n", r ? "\n" : "", rows[r].data_row, rows[r].line,
            output_label(m, e), limn_model_output_name(m, e->target), e->output, rc->method_desc);
    if (e->method == LIMN_METHOD_IG)
      fprintf(f, "  baseline output %.6g, completeness gap %.3g%s\n", e->base_value, e->delta,
              e->nsegments ? " (exact)" : "");
    if (e->finite_differences)
      fprintf(f, "  note: the model has no gradients; central finite differences were used\n");
    if (!isnan(rows[r].infidelity))
      fprintf(f, "  infidelity %.4g, max-sensitivity %.4g\n", rows[r].infidelity, rows[r].sensitivity);
    if (e->method == LIMN_METHOD_LIME)
      fprintf(f, "  surrogate: intercept %.4g, local prediction %.4g, score (weighted R^2) %.3f\n",
              e->intercept, e->local_pred, e->score);
    if (!isnan(rows[r].stability))
      fprintf(f, "  stability: mean top-5 Jaccard over seeds %.3f\n", rows[r].stability);
    size_t ns = render_shown(e, idx);
    double mx = 0;
    for (size_t j = 0; j < d; j++)
      mx = fabs(e->attr[j]) > mx ? fabs(e->attr[j]) : mx;
    size_t show = rc->top && rc->top < ns ? rc->top : ns;
    int wcol = e->method == LIMN_METHOD_LIME ? 44 : 30; /* LIME labels are longer than names */
    fprintf(f, "  %-*s %14s %12s\n", wcol, "feature", "value",
            e->method == LIMN_METHOD_LIME ? "weight" : "attribution");
    for (size_t t = 0; t < show; t++) {
      size_t j = idx[t];
      const char *cat = render_category(m, j, rows[r].x[j]);
      if (cat)
        snprintf(vb, sizeof vb, "%.14s", cat);
      else
        snprintf(vb, sizeof vb, "%.6g", (double)rows[r].x[j]);
      int len = mx > 0 ? (int)lround(24.0 * fabs(e->attr[j]) / mx) : 0;
      char lb[160];
      fprintf(f, "  %-*.*s %14s %+12.4g ", wcol, wcol,
              e->method == LIMN_METHOD_LIME ? render_label(rc, e, j, lb, sizeof lb)
                                            : render_feature_name(m, j, nb, sizeof nb),
              vb, e->attr[j]);
      for (int b = 0; b < len; b++)
        fputc(e->attr[j] >= 0 ? '+' : '-', f);
      fputc('\n', f);
    }
    if (show < ns)
      fprintf(f, "  (%zu more features; --top 0 shows all)\n", ns - show);
    text_reasons(f, rc, &rows[r]);
  }
  double st = 0; /* the figure: the mean over the explained rows */
  size_t ns = 0;
  for (size_t r = 0; r < n; r++)
    if (!isnan(rows[r].stability))
      st += rows[r].stability, ns++;
  if (ns > 1)
    fprintf(f, "\nstability over the %zu rows: mean top-5 Jaccard over seeds %.3f\n", ns, st / (double)ns);
  free(idx);
}

static void json_num(FILE *f, double v) {
  char b[40];
  cli_fmt_double(b, sizeof b, v);
  fputs(b, f);
}

static void json_row(FILE *f, const render_ctx *rc, const render_row *row) {
  const limn_model *m = rc->m;
  const limn_explanation *e = row->ex;
  size_t d = e->nfeatures;
  size_t *idx = malloc(d * sizeof *idx);
  char nb[32];
  if (!idx)
    return;
  fprintf(f, "{\"row\":%zu,\"line\":%zu,\"method\":\"%s\",\"class\":%zu,\"class_name\":", row->data_row,
          row->line, limn_method_name(e->method), e->target);
  cli_json_string(f, limn_model_output_name(m, e->target));
  fprintf(f, ",\"output\":\"%s\",\"model_output\":", e->space == LIMN_SPACE_LOGIT ? "logit" : "prob");
  json_num(f, e->output);
  if (e->method == LIMN_METHOD_IG) {
    fputs(",\"base_value\":", f);
    json_num(f, e->base_value);
    fputs(",\"delta\":", f);
    json_num(f, e->delta);
    if (e->nsegments)
      fprintf(f, ",\"segments\":%zu", e->nsegments);
  }
  if (e->method == LIMN_METHOD_LIME) {
    fputs(",\"intercept\":", f);
    json_num(f, e->intercept);
    fputs(",\"local_pred\":", f);
    json_num(f, e->local_pred);
    fputs(",\"score\":", f);
    json_num(f, e->score);
    fprintf(f, ",\"seed\":%llu,\"num_samples\":%zu", (unsigned long long)e->seed, e->num_samples);
    if (!isnan(row->stability)) {
      fputs(",\"stability\":", f);
      json_num(f, row->stability);
    }
  } else {
    fprintf(f, ",\"finite_differences\":%s", e->finite_differences ? "true" : "false");
  }
  if (!isnan(row->infidelity)) {
    fputs(",\"infidelity\":", f);
    json_num(f, row->infidelity);
    fputs(",\"max_sensitivity\":", f);
    json_num(f, row->sensitivity);
  }
  fputs(",\"features\":[", f);
  size_t ns = render_shown(e, idx);
  for (size_t t = 0; t < ns; t++) {
    size_t j = idx[t];
    fprintf(f, "%s{\"index\":%zu,\"name\":", t ? "," : "", j);
    cli_json_string(f, render_feature_name(m, j, nb, sizeof nb));
    if (e->method == LIMN_METHOD_LIME) {
      char lb[160];
      fputs(",\"label\":", f);
      cli_json_string(f, render_label(rc, e, j, lb, sizeof lb));
      fputs(",\"std_error\":", f);
      json_num(f, e->std_error[j]);
    }
    fputs(",\"value\":", f);
    const char *cat = render_category(m, j, row->x[j]);
    if (cat)
      cli_json_string(f, cat);
    else
      json_num(f, row->x[j]);
    fputs(",\"weight\":", f);
    json_num(f, e->attr[j]);
    fputc('}', f);
  }
  fprintf(f, "],\"manifest\":%s}", rc->manifest);
  free(idx);
}

void render_json(FILE *f, const render_ctx *rc, const render_row *rows, size_t n, int lines) {
  if (!lines)
    fputs("[\n", f);
  for (size_t r = 0; r < n; r++) {
    json_row(f, rc, &rows[r]);
    fputs(!lines && r + 1 < n ? ",\n" : "\n", f);
  }
  if (!lines)
    fputs("]\n", f);
}

void render_csv(FILE *f, const render_ctx *rc, const render_row *rows, size_t n) {
  const limn_model *m = rc->m;
  char nb[32], b[40];
  fputs("row,method,class,class_name,model_output,feature_index,feature,label,value,weight\n", f);
  size_t *idx = malloc((n ? rows[0].ex->nfeatures : 1) * sizeof *idx);
  if (!idx)
    return;
  for (size_t r = 0; r < n; r++) {
    const limn_explanation *e = rows[r].ex;
    size_t ns = render_shown(e, idx);
    for (size_t t = 0; t < ns; t++) {
      size_t j = idx[t];
      char lb[160];
      fprintf(f, "%zu,%s,%zu,", rows[r].data_row, limn_method_name(e->method), e->target);
      cli_csv_field(f, limn_model_output_name(m, e->target));
      cli_fmt_double(b, sizeof b, e->output);
      fprintf(f, ",%s,%zu,", b, j);
      cli_csv_field(f, render_feature_name(m, j, nb, sizeof nb));
      fputc(',', f);
      cli_csv_field(f, render_label(rc, e, j, lb, sizeof lb));
      fputc(',', f);
      const char *cat = render_category(m, j, rows[r].x[j]);
      if (cat) {
        cli_csv_field(f, cat);
      } else {
        cli_fmt_double(b, sizeof b, rows[r].x[j]);
        fputs(b, f);
      }
      cli_fmt_double(b, sizeof b, e->attr[j]);
      fprintf(f, ",%s\n", b);
    }
  }
  free(idx);
}

void render_global(FILE *f, const render_ctx *rc, const limn_explanation *ex, size_t n, const char *fmt) {
  size_t d = limn_model_nfeatures(rc->m);
  limn_explanation g;
  memset(&g, 0, sizeof g);
  g.nfeatures = d;
  g.attr = calloc(d, sizeof(double));
  size_t *idx = malloc(d * sizeof *idx);
  char nb[32], b[40];
  if (!g.attr || !idx) {
    free(g.attr);
    free(idx);
    return;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      g.attr[j] += fabs(ex[i].attr[j]) / (double)n;
  order(&g, idx);
  if (!strcmp(fmt, "csv"))
    fputs("feature_index,feature,mean_abs_weight\n", f);
  else if (!strcmp(fmt, "json") || !strcmp(fmt, "jsonl"))
    fprintf(f, "{\"global\":{\"rows\":%zu,\"features\":[", n);
  else
    fprintf(f, "global importance over %zu rows (mean |weight|)\n", n);
  size_t show = rc->top && rc->top < d && !strcmp(fmt, "text") ? rc->top : d; /* text honours --top */
  for (size_t t = 0; t < show; t++) {
    size_t j = idx[t];
    cli_fmt_double(b, sizeof b, g.attr[j]);
    if (!strcmp(fmt, "csv")) {
      fprintf(f, "%zu,", j);
      cli_csv_field(f, render_feature_name(rc->m, j, nb, sizeof nb));
      fprintf(f, ",%s\n", b);
    } else if (!strcmp(fmt, "json") || !strcmp(fmt, "jsonl")) {
      fprintf(f, "%s{\"index\":%zu,\"name\":", t ? "," : "", j);
      cli_json_string(f, render_feature_name(rc->m, j, nb, sizeof nb));
      fprintf(f, ",\"mean_abs_weight\":%s}", b);
    } else {
      fprintf(f, "  %-30.30s %12.4g\n", render_feature_name(rc->m, j, nb, sizeof nb), g.attr[j]);
    }
  }
  if (!strcmp(fmt, "json") || !strcmp(fmt, "jsonl"))
    fprintf(f, "],\"manifest\":%s}}\n", rc->manifest);
  free(g.attr);
  free(idx);
}

/* ---- SVG ---- */

const char *const render_palette[10] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

void render_xml(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '<')
      fputs("&lt;", f);
    else if (*s == '>')
      fputs("&gt;", f);
    else if (*s == '&')
      fputs("&amp;", f);
    else if (*s == '"')
      fputs("&quot;", f);
    else
      fputc(*s, f);
  }
}

/* Diverging colour for t in [-1, 1]: blue (negative), white, red (positive). */
void render_diverging(double t, char *buf, size_t cap) {
  t = t < -1 ? -1 : t > 1 ? 1 : t;
  int r, g, b;
  if (t >= 0) {
    r = 255 - (int)lround(t * (255 - 178));
    g = 255 - (int)lround(t * (255 - 24));
    b = 255 - (int)lround(t * (255 - 43));
  } else {
    r = 255 - (int)lround(-t * (255 - 33));
    g = 255 - (int)lround(-t * (255 - 102));
    b = 255 - (int)lround(-t * (255 - 172));
  }
  snprintf(buf, cap, "#%02x%02x%02x", r, g, b);
}

static void svg_title(FILE *f, const render_ctx *rc, const render_row *row, double y) {
  const limn_explanation *e = row->ex;
  fprintf(f, "<text x=\"10\" y=\"%.1f\" font-weight=\"bold\">row %zu: %s(", y, row->data_row,
          output_label(rc->m, e));
  render_xml(f, limn_model_output_name(rc->m, e->target));
  fprintf(f, ") = %.4g</text>\n", e->output);
  fprintf(f, "<text x=\"10\" y=\"%.1f\" fill=\"#555\">", y + 16);
  render_xml(f, rc->method_desc);
  if (e->method == LIMN_METHOD_IG)
    fprintf(f, "; completeness gap %.2g", e->delta);
  fputs("</text>\n", f);
}

/* Input and attribution side by side as w x h heat maps. Height used returned. */
static double svg_image(FILE *f, const render_ctx *rc, const render_row *row, double y0) {
  const limn_explanation *e = row->ex;
  size_t w = rc->image_w, h = rc->image_h;
  double cell = 24.0, lo = INFINITY, hi = -INFINITY, mx = 0;
  char col[16];
  svg_title(f, rc, row, y0 + 16);
  for (size_t j = 0; j < w * h; j++) {
    lo = row->x[j] < lo ? row->x[j] : lo;
    hi = row->x[j] > hi ? row->x[j] : hi;
    mx = fabs(e->attr[j]) > mx ? fabs(e->attr[j]) : mx;
  }
  double top = y0 + 40;
  fprintf(f,
          "<text x=\"10\" y=\"%.1f\">input</text><text x=\"%.1f\" y=\"%.1f\">attribution (red +, blue "
          "-)</text>\n",
          top + 12, 30 + cell * (double)w, top + 12);
  for (size_t r = 0; r < h; r++)
    for (size_t c = 0; c < w; c++) {
      size_t j = r * w + c;
      int gray = hi > lo ? 255 - (int)lround(255.0 * (row->x[j] - lo) / (hi - lo)) : 255;
      fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#%02x%02x%02x\"/>\n",
              10 + cell * (double)c, top + 20 + cell * (double)r, cell, cell, gray, gray, gray);
      render_diverging(mx > 0 ? e->attr[j] / mx : 0, col, sizeof col);
      fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
              30 + cell * (double)(w + c), top + 20 + cell * (double)r, cell, cell, col);
    }
  return 40 + 20 + cell * (double)h + 20;
}

/* Signed horizontal bars, most important first. Height used returned. */
static double svg_bars(FILE *f, const render_ctx *rc, const render_row *row, double y0) {
  const limn_explanation *e = row->ex;
  size_t d = e->nfeatures;
  size_t *idx = malloc(d * sizeof *idx);
  char nb[160];
  if (!idx)
    return 0;
  size_t ns = render_shown(e, idx), show = rc->top && rc->top < ns ? rc->top : ns;
  if (show == 0) {
    free(idx);
    return 40 + 20;
  }
  double mx = fabs(e->attr[idx[0]]), mid = 520, half = 200, bar = 18;
  svg_title(f, rc, row, y0 + 16);
  for (size_t t = 0; t < show; t++) {
    size_t j = idx[t];
    double y = y0 + 40 + bar * (double)t, len = mx > 0 ? half * fabs(e->attr[j]) / mx : 0;
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", mid - half - 10, y + 13);
    if (e->method == LIMN_METHOD_LIME) {
      render_xml(f, render_label(rc, e, j, nb, sizeof nb));
    } else {
      render_xml(f, render_feature_name(rc->m, j, nb, sizeof nb));
      const char *cat = render_category(rc->m, j, row->x[j]);
      fputs(" = ", f);
      if (cat)
        render_xml(f, cat);
      else
        fprintf(f, "%.4g", (double)row->x[j]);
    }
    fputs("</text>\n", f);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
            e->attr[j] >= 0 ? mid : mid - len, y + 2, len, bar - 4, e->attr[j] >= 0 ? "#b2182b" : "#2166ac");
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%+.3g</text>\n", mid + half + 10, y + 13, e->attr[j]);
  }
  fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", mid, y0 + 38, mid,
          y0 + 40 + bar * (double)show);
  free(idx);
  return 40 + bar * (double)show + 20;
}

void render_svg(FILE *f, const render_ctx *rc, const render_row *rows, size_t n) {
  size_t d = limn_model_nfeatures(rc->m);
  size_t show = rc->top && rc->top < d ? rc->top : d;
  int image = rc->image_w > 0;
  double per = image ? 40 + 20 + 24.0 * (double)rc->image_h + 20 : 40 + 18.0 * (double)show + 20;
  double width = image ? 60 + 48.0 * (double)rc->image_w : 860;
  fprintf(f,
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
          "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" "
          "fill=\"white\"/>\n",
          width, per * (double)n + 10);
  double y = 0;
  for (size_t r = 0; r < n; r++)
    y += image ? svg_image(f, rc, &rows[r], y) : svg_bars(f, rc, &rows[r], y);
  fputs("</svg>\n", f);
}

/* ---- reason codes ---- */

size_t render_reasons(const render_ctx *rc, const limn_explanation *e, const float *x, int lowered, size_t n,
                      render_reason *out) {
  const limn_model *m = rc->m;
  size_t d = e->nfeatures, k = 0;
  double sign = lowered ? -1.0 : 1.0;
  char nb[160], lb[256], vb[64], what[200];
  const char *cls = limn_model_output_name(m, e->target);
  if (limn_model_task(m) == LIMN_TASK_REGRESSION)
    snprintf(what, sizeof what, "the prediction");
  else
    snprintf(what, sizeof what, "the %s of %s", e->space == LIMN_SPACE_LOGIT ? "logit" : "probability",
             cls ? cls : "?");
  while (k < n) {
    size_t best = d; /* the next strongest push, ties to the lower column */
    for (size_t j = 0; j < d; j++) {
      double v = sign * e->attr[j];
      int used = 0;
      for (size_t q = 0; q < k; q++)
        used |= out[q].feature == j;
      if (used || !(v > 0) || (e->method == LIMN_METHOD_LIME && e->selected && !e->selected[j]))
        continue;
      if (best == d || v > sign * e->attr[best])
        best = j;
    }
    if (best == d)
      break;
    render_reason *r = &out[k++];
    r->feature = best;
    r->effect = e->attr[best];
    const char *name = render_feature_name(m, best, nb, sizeof nb), *cat = render_category(m, best, x[best]);
    if (cat)
      snprintf(vb, sizeof vb, "'%s'", cat);
    else
      snprintf(vb, sizeof vb, "%.4g", (double)x[best]);
    int bin = e->method == LIMN_METHOD_LIME && !cat && rc->bg && rc->disc != LIMN_DISC_NONE && e->bin &&
              e->bin[best] >= 0;
    if (bin)
      render_label(rc, e, best, lb, sizeof lb);
    snprintf(r->text, sizeof r->text, "%.200s is %s%s%s%s (%s %s by %.2g)", name, vb,
             bin ? ", in the bin '" : "", bin ? lb : "", bin ? "'" : "", lowered ? "lowered" : "raised", what,
             fabs(e->attr[best]));
  }
  return k;
}

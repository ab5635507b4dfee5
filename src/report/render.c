/* Explanations as text, JSON, JSON Lines, CSV and SVG. Byte-stable: fixed number
 * formats, no timestamps. */
#include "out.h"
#include "../explain/explain_internal.h"
#include "../data/image_internal.h"
#include <math.h>
#include <stdlib.h>
#include <strings.h>

/* A raw value as text: "missing" for NaN (a tree model's missing value). */
static const char *value_text(char *buf, size_t cap, int digits, float v) {
  if (isnan(v))
    snprintf(buf, cap, "missing");
  else
    snprintf(buf, cap, "%.*g", digits, (double)v);
  return buf;
}

/* Feature order: |weight| descending, ties by column index (a total order, so any
 * sort gives the same list). A heap sort: in place, no allocation, no global. */
static int before(const limn_explanation *e, size_t i, size_t j) {
  double wi = fabs(e->attr[i]), wj = fabs(e->attr[j]);
  return wi != wj ? wi > wj : i < j;
}
static void sift(const limn_explanation *e, size_t *idx, size_t root, size_t n) {
  for (;;) {
    size_t c = 2 * root + 1;
    if (c >= n)
      return;
    if (c + 1 < n && before(e, idx[c], idx[c + 1]))
      c++;
    if (!before(e, idx[root], idx[c]))
      return;
    size_t t = idx[root];
    idx[root] = idx[c], idx[c] = t;
    root = c;
  }
}
static void order(const limn_explanation *e, size_t *idx) {
  size_t n = e->nfeatures;
  for (size_t j = 0; j < n; j++)
    idx[j] = j;
  for (size_t i = n / 2; i-- > 0;)
    sift(e, idx, i, n);
  for (size_t k = n; k-- > 1;) { /* the last in the order to the end, then the heap shrinks */
    size_t t = idx[0];
    idx[0] = idx[k], idx[k] = t;
    sift(e, idx, 0, k);
  }
}

const char *limn__feature_name(const limn_model *m, size_t j, char *buf, size_t cap) {
  const limn_schema *s = limn_model_schema(m);
  if (s)
    return limn_schema_feature_name(s, j);
  snprintf(buf, cap, "x%zu", j);
  return buf;
}

const char *limn__feature_title(const limn_model *m, size_t j, char *buf, size_t cap) {
  const char *d = limn_model_feature_description(m, j), *u = limn_model_feature_unit(m, j);
  if (!d)
    return limn__feature_name(m, j, buf, cap);
  if (u)
    snprintf(buf, cap, "%s (%s)", d, u);
  else
    snprintf(buf, cap, "%s", d);
  return buf;
}

/* Category name of a categorical value, or NULL for a numeric column. */
const char *limn__category(const limn_model *m, size_t j, float v) {
  const limn_schema *s = limn_model_schema(m);
  if (!s || limn_schema_feature_kind(s, j) != LIMN_COL_CATEGORICAL)
    return NULL;
  return limn_schema_category(s, j, (size_t)v);
}

/* Features to show, most important first: LIME's selected ones, or all. Returns
 * their number. */
size_t limn__shown(const limn_explanation *e, size_t *idx) {
  order(e, idx);
  if (e->method != LIMN_METHOD_LIME && e->method != LIMN_METHOD_SHAP) /* SHAP: the players' leads */
    return e->nfeatures;
  size_t k = 0;
  for (size_t t = 0; t < e->nfeatures; t++)
    if (e->selected[idx[t]])
      idx[k++] = idx[t];
  return k;
}

/* LIME's label of feature j ("worst radius > 16.8"), or its name. */
size_t limn__group_size(const limn_explanation *e, size_t j) {
  if (e->method != LIMN_METHOD_SHAP || !e->bin || e->bin[j] < 0)
    return 1;
  size_t k = 0;
  for (size_t q = 0; q < e->nfeatures; q++)
    k += e->bin[q] == e->bin[j];
  return k;
}

const char *limn__label(const limn_render_opts *rc, const limn_explanation *e, size_t j, char *buf,
                        size_t cap) {
  if (limn__group_size(e, j) > 1) { /* SHAP's player of several columns: their names joined */
    size_t len = 0;
    char nb[32];
    buf[0] = 0;
    for (size_t q = 0; q < e->nfeatures && len + 1 < cap; q++)
      if (e->bin[q] == e->bin[j])
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? " + " : "",
                                limn__feature_name(rc->model, q, nb, sizeof nb));
    return buf;
  }
  if (e->method == LIMN_METHOD_LIME && rc->background) {
    limn_lime_label(rc->background, limn_model_schema(rc->model), rc->discretizer, j, e->bin[j], buf, cap);
    return buf;
  }
  return limn__feature_name(rc->model, j, buf, cap);
}

/* An index buffer of d features, or NULL with the writer marked out of memory. */
static size_t *index_buf(limn__out *f, size_t d) {
  size_t *idx = malloc((d ? d : 1) * sizeof *idx);
  if (!idx)
    f->nomem = 1;
  return idx;
}

/* Whether a classifier's attributions are in logits: computed on them, or SHAP values
 * under the logit link (logits of averaged probabilities). */
static int in_logits(const limn_explanation *e) {
  return e->space == LIMN_SPACE_LOGIT || (e->method == LIMN_METHOD_SHAP && e->link == LIMN_LINK_LOGIT);
}

/* "P" for a probability, "logit", or "value" for a regression output. */
static const char *output_label(const limn_model *m, const limn_explanation *e) {
  if (limn_model_task(m) == LIMN_TASK_REGRESSION)
    return "value";
  return in_logits(e) ? "logit" : "P";
}

const char *limn__shap_budget_unit(const limn_explanation *e) {
  return e->estimator == LIMN_SHAP_SAMPLING              ? "permutations"
         : e->estimator == LIMN_SHAP_TREE_INTERVENTIONAL ? "background rows"
                                                         : "coalitions";
}

const char *limn__sanity_word(double rho) {
  return rho < 0.3   ? "low: the map depends on what the model learned"
         : rho < 0.6 ? "moderate: the map keeps some structure without the model's learning"
                     : "high: the map barely depends on the model's weights; do not trust it";
}

const char *limn__trust_advice(const limn_explanation *e) {
  return e->method == LIMN_METHOD_LIME_IMAGE
             ? "try more --num-samples, other --segments, or --method ig or occlusion"
         : e->method == LIMN_METHOD_LIME ? "try another --kernel-width or --method shap or ig"
         : e->method == LIMN_METHOD_IG
             ? "try another --baseline, e.g. mean or a row of another class, or --method shap"
             : "use --tolerance, more --nsamples or --estimator exact";
}

double limn__bar_scale(const limn_explanation *e) {
  double mx = 0;
  for (size_t j = 0; j < e->nfeatures; j++)
    mx = fmax(mx, fabs(e->attr[j]));
  if (e->method == LIMN_METHOD_IG || e->method == LIMN_METHOD_SHAP) /* a tiny change looks tiny */
    mx = fmax(mx, fmax(fabs(e->output - e->base_value), 0.05 * fmax(1, fabs(e->output))));
  else if (e->method == LIMN_METHOD_LIME) /* as for IG: a weight of 1e-9 is not a full bar */
    mx = fmax(mx, 0.05 * fmax(1, fabs(e->output)));
  return mx;
}

double limn__shap_max_se(const limn_explanation *e) {
  double mx = 0;
  for (size_t j = 0; j < e->nfeatures; j++)
    mx = isnan(e->std_error[j]) || e->std_error[j] > mx ? e->std_error[j] : mx;
  return mx;
}

/* Reason codes under a row's table (methods whose attributions are effects). */
#define PROTECTED_NOTE                                                                                       \
  " [a protected characteristic: not to be given as a reason; a model that relies on it needs review]"

static void text_reasons(limn__out *f, const limn_render_opts *rc, const limn_render_row *row) {
  const limn_explanation *e = row->ex;
  if (!rc->reasons || (e->method != LIMN_METHOD_LIME && e->method != LIMN_METHOD_IG &&
                       e->method != LIMN_METHOD_GRADXINPUT && e->method != LIMN_METHOD_SHAP))
    return;
  limn_reason *rs = malloc(rc->reasons * sizeof *rs);
  if (!rs) {
    f->nomem = 1;
    return;
  }
  int lowered = rc->favourable >= 0 && (long)e->target == rc->favourable;
  size_t k = limn_reason_codes(rc, e, row->x, lowered, rc->reasons, rs);
  const char *cls = limn_model_output_name(rc->model, e->target);
  if (limn_model_task(rc->model) == LIMN_TASK_REGRESSION)
    limn__printf(f, "  reasons (features that %s the prediction most):\n", lowered ? "lowered" : "raised");
  else
    limn__printf(f, "  reasons %s %s (features that %s its %s most):\n", lowered ? "against" : "for", cls,
                 lowered ? "lowered" : "raised", in_logits(e) ? "logit" : "probability");
  for (size_t i = 0; i < k; i++)
    limn__printf(f, "  %zu. %s%s\n", i + 1, rs[i].text, rs[i].protected_attr ? PROTECTED_NOTE : "");
  if (!limn__explanation_reacts(e))
    limn__puts(f, "  (none: the model does not react to any feature around this row)\n");
  else if (!k)
    limn__printf(f, "  (no feature %s it)\n", lowered ? "lowered" : "raised");
  free(rs);
}

static void render_text(limn__out *f, const limn_render_opts *rc, const limn_render_row *rows, size_t n) {
  const limn_model *m = rc->model;
  size_t d = limn_model_nfeatures(m);
  size_t *idx = index_buf(f, d);
  if (!idx)
    return;
  char nb[32], vb[40];
  for (size_t r = 0; r < n; r++) {
    const limn_explanation *e = rows[r].ex;
    limn__printf(f, "%srow %zu", r ? "\n" : "", rows[r].data_row);
    if (rows[r].line) /* 0: rows without a file line (images, arrays) */
      limn__printf(f, " (line %zu)", rows[r].line);
    limn__printf(f, ": %s(%s) = %.6g   [%s]\n", output_label(m, e), limn_model_output_name(m, e->target),
                 e->output, rc->method_desc);
    if (e->method == LIMN_METHOD_IG)
      limn__printf(f, "  baseline output %.6g, completeness gap %.3g%s\n", e->base_value, e->delta,
                   e->nsegments ? " (exact)" : "");
    if (e->method == LIMN_METHOD_SHAP) {
      double se = limn__shap_max_se(e);
      int grouped = 0;
      for (size_t j = 0; j < e->nfeatures; j++)
        grouped |= !e->selected[j];
      if (e->estimator == LIMN_SHAP_TREE)
        limn__printf(
            f,
            "  base value %.6g, efficiency gap %.3g; tree (path-dependent TreeSHAP of the trees' raw "
            "output%s)",
            e->base_value, e->delta, grouped ? "; a group's value is the sum of its columns' values" : "");
      else if (e->estimator == LIMN_SHAP_TREE_INTERVENTIONAL)
        limn__printf(
            f,
            "  base value %.6g, efficiency gap %.3g; tree-interventional (TreeSHAP over %zu background "
            "rows)",
            e->base_value, e->delta, e->num_samples);
      else
        limn__printf(f, "  base value %.6g, efficiency gap %.3g; %s, %zu %s", e->base_value, e->delta,
                     limn_shap_estimator_name((limn_shap_estimator)e->estimator), e->num_samples,
                     limn__shap_budget_unit(e));
      if (isnan(se))
        limn__puts(f, ", no standard errors (one permutation)\n");
      else if (se > 0)
        limn__printf(f, ", largest standard error %.3g\n", se);
      else
        limn__puts(f, ", exact\n");
    }
    if (e->finite_differences)
      limn__printf(f, "  note: the model has no gradients; central finite differences were used\n");
    if (!isnan(rows[r].infidelity))
      limn__printf(f, "  infidelity %.4g, max-sensitivity %.4g\n", rows[r].infidelity, rows[r].sensitivity);
    if (!isnan(rows[r].deletion))
      limn__printf(f,
                   "  deletion area %.4g, insertion area %.4g (the output as features go or come in the "
                   "order of their weights: low, high when faithful)\n",
                   rows[r].deletion, rows[r].insertion);
    if (e->method == LIMN_METHOD_LIME || e->method == LIMN_METHOD_LIME_IMAGE)
      limn__printf(f, "  surrogate: intercept %.4g, local prediction %.4g, score (weighted R^2) %.3f\n",
                   e->intercept, e->local_pred, e->score);
    if (!isnan(rows[r].sanity))
      limn__printf(
          f,
          "  sanity: rank correlation %.3f of |attribution| with the map of the model with randomised "
          "layers (%s)\n",
          rows[r].sanity, limn__sanity_word(rows[r].sanity));
    if (!isnan(rows[r].stability))
      limn__printf(f, "  stability: mean top-5 Jaccard over seeds %.3f\n", rows[r].stability);
    char why[1024];
    if (!limn_explain_trust(e, &rc->trust, why, sizeof why))
      limn__printf(f, "  caution: not reliable: %s (%s)\n", why, limn__trust_advice(e));
    size_t ns = limn__shown(e, idx);
    double mx = limn__bar_scale(e);
    size_t show = rc->top && rc->top < ns ? rc->top : ns;
    int wcol = e->method == LIMN_METHOD_LIME ? 44 : 30; /* LIME labels are longer than names */
    limn__printf(f, "  %-*s %14s %12s\n", wcol, "feature", "value",
                 e->method == LIMN_METHOD_LIME ? "weight" : "attribution");
    for (size_t t = 0; t < show; t++) {
      size_t j = idx[t];
      const char *cat = limn__category(m, j, rows[r].x[j]);
      if (limn__group_size(e, j) > 1)
        snprintf(vb, sizeof vb, "(%zu columns)", limn__group_size(e, j));
      else if (cat)
        snprintf(vb, sizeof vb, strlen(cat) > 14 ? "%.11s..." : "%s", cat); /* (cut short: ...) */
      else
        value_text(vb, sizeof vb, 6, rows[r].x[j]);
      int len = mx > 0 ? (int)lround(24.0 * fabs(e->attr[j]) / mx) : 0;
      char lb[160];
      limn__printf(f, "  %-*.*s %14s %+12.4g ", wcol, wcol,
                   e->method == LIMN_METHOD_LIME || e->method == LIMN_METHOD_SHAP
                       ? limn__label(rc, e, j, lb, sizeof lb)
                       : limn__feature_name(m, j, nb, sizeof nb),
                   vb, e->attr[j]);
      for (int b = 0; b < len; b++)
        limn__putc(f, e->attr[j] >= 0 ? '+' : '-');
      limn__putc(f, '\n');
    }
    if (show < ns)
      limn__printf(f, "  (%zu more features; --top 0 shows all)\n", ns - show);
    text_reasons(f, rc, &rows[r]);
  }
  double st = 0; /* the figure: the mean over the explained rows */
  size_t ns = 0;
  for (size_t r = 0; r < n; r++)
    if (!isnan(rows[r].stability))
      st += rows[r].stability, ns++;
  if (ns > 1)
    limn__printf(f, "\nstability over the %zu rows: mean top-5 Jaccard over seeds %.3f\n", ns,
                 st / (double)ns);
  free(idx);
}

static void json_row(limn__out *f, const limn_render_opts *rc, const limn_render_row *row) {
  const limn_model *m = rc->model;
  const limn_explanation *e = row->ex;
  size_t d = e->nfeatures;
  size_t *idx = index_buf(f, d);
  char nb[32];
  if (!idx)
    return;
  limn__printf(f, "{\"row\":%zu,\"line\":%zu,\"method\":\"%s\",\"class\":%zu,\"class_name\":", row->data_row,
               row->line, limn_method_name(e->method), e->target);
  limn__json_str(f, limn_model_output_name(m, e->target));
  limn__printf(f, ",\"output\":\"%s\",\"model_output\":", e->space == LIMN_SPACE_LOGIT ? "logit" : "prob");
  limn__json_num(f, e->output);
  if (e->method == LIMN_METHOD_IG) {
    limn__puts(f, ",\"base_value\":");
    limn__json_num(f, e->base_value);
    limn__puts(f, ",\"delta\":");
    limn__json_num(f, e->delta);
    if (e->nsegments)
      limn__printf(f, ",\"segments\":%zu", e->nsegments);
  }
  if (e->method == LIMN_METHOD_SHAP) {
    limn__puts(f, ",\"base_value\":");
    limn__json_num(f, e->base_value);
    limn__puts(f, ",\"delta\":");
    limn__json_num(f, e->delta);
    limn__printf(f, ",\"estimator\":\"%s\",\"nsamples\":%zu,\"link\":\"%s\",\"seed\":%llu",
                 limn_shap_estimator_name((limn_shap_estimator)e->estimator), e->num_samples,
                 limn_link_name((limn_link)e->link), (unsigned long long)e->seed);
  } else if (e->method == LIMN_METHOD_LIME || e->method == LIMN_METHOD_LIME_IMAGE) {
    limn__puts(f, ",\"intercept\":");
    limn__json_num(f, e->intercept);
    limn__puts(f, ",\"local_pred\":");
    limn__json_num(f, e->local_pred);
    limn__puts(f, ",\"score\":");
    limn__json_num(f, e->score);
    limn__printf(f, ",\"seed\":%llu,\"num_samples\":%zu", (unsigned long long)e->seed, e->num_samples);
    if (!isnan(row->stability)) {
      limn__puts(f, ",\"stability\":");
      limn__json_num(f, row->stability);
    }
  } else {
    limn__printf(f, ",\"finite_differences\":%s", e->finite_differences ? "true" : "false");
  }
  char why[1024];
  int ok = limn_explain_trust(e, &rc->trust, why, sizeof why);
  limn__printf(f, ",\"reliable\":%s,\"warnings\":[", ok ? "true" : "false");
  for (char *w = ok ? NULL : why, *next; w; w = next) { /* the reasons, "; "-separated */
    next = strstr(w, "; ");
    if (next)
      *next = 0, next += 2;
    limn__puts(f, w == why ? "" : ",");
    limn__json_str(f, w);
  }
  limn__putc(f, ']');
  if (!isnan(row->infidelity)) {
    limn__puts(f, ",\"infidelity\":");
    limn__json_num(f, row->infidelity);
    limn__puts(f, ",\"max_sensitivity\":");
    limn__json_num(f, row->sensitivity);
  }
  if (!isnan(row->deletion)) {
    limn__puts(f, ",\"deletion_area\":");
    limn__json_num(f, row->deletion);
    limn__puts(f, ",\"insertion_area\":");
    limn__json_num(f, row->insertion);
  }
  if (!isnan(row->sanity)) {
    limn__puts(f, ",\"sanity_rank_correlation\":");
    limn__json_num(f, row->sanity);
  }
  limn__puts(f, ",\"features\":[");
  size_t ns = limn__shown(e, idx);
  for (size_t t = 0; t < ns; t++) {
    size_t j = idx[t];
    limn__printf(f, "%s{\"index\":%zu,\"name\":", t ? "," : "", j);
    char gb[512];
    size_t gs = limn__group_size(e, j);
    limn__json_str(f,
                   gs > 1 ? limn__label(rc, e, j, gb, sizeof gb) : limn__feature_name(m, j, nb, sizeof nb));
    if (gs > 1) { /* a SHAP player of several columns */
      limn__puts(f, ",\"columns\":[");
      for (size_t q = 0, c = 0; q < e->nfeatures; q++)
        if (e->bin[q] == e->bin[j])
          limn__printf(f, "%s%zu", c++ ? "," : "", q);
      limn__putc(f, ']');
    }
    if (e->method == LIMN_METHOD_LIME) {
      char lb[160];
      limn__puts(f, ",\"label\":");
      limn__json_str(f, limn__label(rc, e, j, lb, sizeof lb));
    }
    if (e->method == LIMN_METHOD_LIME || e->method == LIMN_METHOD_SHAP) {
      limn__puts(f, ",\"std_error\":");
      limn__json_num(f, e->std_error[j]);
    }
    limn__puts(f, ",\"value\":");
    const char *cat = limn__category(m, j, row->x[j]);
    if (gs > 1)
      limn__puts(f, "null");
    else if (cat)
      limn__json_str(f, cat);
    else
      limn__json_num(f, row->x[j]);
    limn__puts(f, ",\"weight\":");
    limn__json_num(f, e->attr[j]);
    limn__putc(f, '}');
  }
  limn__putc(f, ']');
  if (rc->reasons && (e->method == LIMN_METHOD_LIME || e->method == LIMN_METHOD_IG ||
                      e->method == LIMN_METHOD_GRADXINPUT || e->method == LIMN_METHOD_SHAP)) {
    limn_reason *rs = malloc(rc->reasons * sizeof *rs);
    if (!rs) {
      f->nomem = 1;
    } else {
      int lowered = rc->favourable >= 0 && (long)e->target == rc->favourable;
      size_t k = limn_reason_codes(rc, e, row->x, lowered, rc->reasons, rs);
      limn__printf(f, ",\"reasons\":[");
      for (size_t q = 0; q < k; q++) {
        limn__printf(f, "%s{\"index\":%zu,\"name\":", q ? "," : "", rs[q].feature);
        limn__json_str(f, limn__feature_name(m, rs[q].feature, nb, sizeof nb));
        limn__puts(f, ",\"effect\":");
        limn__json_num(f, rs[q].effect);
        limn__puts(f, ",\"text\":");
        limn__json_str(f, rs[q].text);
        limn__printf(f, ",\"protected\":%s}", rs[q].protected_attr ? "true" : "false");
      }
      limn__putc(f, ']');
      free(rs);
    }
  }
  if (rc->manifest) {
    limn__puts(f, ",\"manifest\":");
    limn__manifest_json(f, rc->manifest);
  }
  limn__putc(f, '}');
  free(idx);
}

static void render_json(limn__out *f, const limn_render_opts *rc, const limn_render_row *rows, size_t n,
                        int lines) {
  if (!lines)
    limn__puts(f, "[\n");
  for (size_t r = 0; r < n; r++) {
    json_row(f, rc, &rows[r]);
    limn__puts(f, !lines && r + 1 < n ? ",\n" : "\n");
  }
  if (!lines)
    limn__puts(f, "]\n");
}

static void render_csv(limn__out *f, const limn_render_opts *rc, const limn_render_row *rows, size_t n) {
  const limn_model *m = rc->model;
  char nb[32], b[40];
  limn__puts(f, "row,method,class,class_name,model_output,feature_index,feature,label,value,weight\n");
  size_t *idx = index_buf(f, (n ? rows[0].ex->nfeatures : 1));
  if (!idx)
    return;
  for (size_t r = 0; r < n; r++) {
    const limn_explanation *e = rows[r].ex;
    size_t ns = limn__shown(e, idx);
    for (size_t t = 0; t < ns; t++) {
      size_t j = idx[t];
      char lb[160];
      limn__printf(f, "%zu,%s,%zu,", rows[r].data_row, limn_method_name(e->method), e->target);
      limn__csv_field(f, limn_model_output_name(m, e->target));
      limn__fmt_json_double(b, sizeof b, e->output);
      limn__printf(f, ",%s,%zu,", b, j);
      int grouped = limn__group_size(e, j) > 1;
      limn__csv_field(f, grouped ? limn__label(rc, e, j, lb, sizeof lb)
                                 : limn__feature_name(m, j, nb, sizeof nb));
      limn__putc(f, ',');
      limn__csv_field(f, limn__label(rc, e, j, lb, sizeof lb));
      limn__putc(f, ',');
      const char *cat = limn__category(m, j, rows[r].x[j]);
      if (grouped) {
        /* a player of several columns has no one value */
      } else if (cat) {
        limn__csv_field(f, cat);
      } else {
        limn__fmt_json_double(b, sizeof b, rows[r].x[j]);
        limn__puts(f, b);
      }
      limn__fmt_json_double(b, sizeof b, e->attr[j]);
      limn__printf(f, ",%s\n", b);
    }
  }
  free(idx);
}

static void render_global(limn__out *f, const limn_render_opts *rc, const limn_explanation *ex, size_t n,
                          limn_format fmt) {
  size_t d = limn_model_nfeatures(rc->model);
  limn_explanation g;
  memset(&g, 0, sizeof g);
  g.nfeatures = d;
  g.attr = calloc(d, sizeof(double));
  size_t *idx = malloc(d * sizeof *idx);
  char nb[32], b[40];
  if (!g.attr || !idx) {
    free(g.attr);
    free(idx);
    f->nomem = 1;
    return;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++)
      g.attr[j] += fabs(ex[i].attr[j]) / (double)n;
  order(&g, idx);
  if (fmt == LIMN_FORMAT_CSV)
    limn__puts(f, "feature_index,feature,mean_abs_weight\n");
  else if (fmt == LIMN_FORMAT_JSON || fmt == LIMN_FORMAT_JSONL)
    limn__printf(f, "{\"global\":{\"rows\":%zu,\"features\":[", n);
  else
    limn__printf(f, "global importance over %zu rows (mean |weight|)\n", n);
  size_t show = rc->top && rc->top < d && fmt == LIMN_FORMAT_TEXT ? rc->top : d; /* text honours --top */
  for (size_t t = 0; t < show; t++) {
    size_t j = idx[t];
    limn__fmt_json_double(b, sizeof b, g.attr[j]);
    if (fmt == LIMN_FORMAT_CSV) {
      limn__printf(f, "%zu,", j);
      limn__csv_field(f, limn__feature_name(rc->model, j, nb, sizeof nb));
      limn__printf(f, ",%s\n", b);
    } else if (fmt == LIMN_FORMAT_JSON || fmt == LIMN_FORMAT_JSONL) {
      limn__printf(f, "%s{\"index\":%zu,\"name\":", t ? "," : "", j);
      limn__json_str(f, limn__feature_name(rc->model, j, nb, sizeof nb));
      limn__printf(f, ",\"mean_abs_weight\":%s}", b);
    } else {
      limn__printf(f, "  %-30.30s %12.4g\n", limn__feature_name(rc->model, j, nb, sizeof nb), g.attr[j]);
    }
  }
  if (fmt == LIMN_FORMAT_JSON || fmt == LIMN_FORMAT_JSONL) {
    limn__putc(f, ']');
    if (rc->manifest) {
      limn__puts(f, ",\"manifest\":");
      limn__manifest_json(f, rc->manifest);
    }
    limn__puts(f, "}}\n");
  }
  free(g.attr);
  free(idx);
}

/* ---- SVG ---- */

/* Classes: no red and no blue (they mean raised and lowered), colours told apart with
 * colour-blind vision (Okabe-Ito's orange and pink, Tol's muted green, purple, teal,
 * olive and sand, a brown and two greys), and a shape per class as well
 * (limn__marker), so that no class depends on hue alone. */
const char *const limn__palette[10] = {"#e69f00", "#117733", "#aa4499", "#44aa99", "#999933",
                                       "#cc79a7", "#8c510a", "#ddcc77", "#555555", "#000000"};

void limn__marker(limn__out *f, size_t c, double x, double y, double r, const char *extra) {
  const char *col = limn__palette[c % 10];
  extra = extra ? extra : "";
  switch (c % 5) {
  case 0:
    limn__printf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.2g\" fill=\"%s\"%s/>", x, y, r, col, extra);
    break;
  case 1: /* square of the circle's area */
    limn__printf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2g\" height=\"%.2g\" fill=\"%s\"%s/>",
                 x - 0.89 * r, y - 0.89 * r, 1.78 * r, 1.78 * r, col, extra);
    break;
  case 2: /* triangle */
    limn__printf(f, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"%s/>", x, y - 1.3 * r,
                 x + 1.15 * r, y + 0.75 * r, x - 1.15 * r, y + 0.75 * r, col, extra);
    break;
  case 3: /* diamond */
    limn__printf(f, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"%s/>", x, y - 1.25 * r,
                 x + 1.25 * r, y, x, y + 1.25 * r, x - 1.25 * r, y, col, extra);
    break;
  default: /* triangle pointing down */
    limn__printf(f, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"%s/>", x, y + 1.3 * r,
                 x + 1.15 * r, y - 0.75 * r, x - 1.15 * r, y - 0.75 * r, col, extra);
  }
}

/* Diverging colour for t in [-1, 1]: blue (negative), white, red (positive). */
void limn__diverging(double t, char *buf, size_t cap) {
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

static void svg_title3(limn__out *f, const limn_render_opts *rc, const limn_render_row *row, double y,
                       int third);

static void svg_title(limn__out *f, const limn_render_opts *rc, const limn_render_row *row, double y) {
  svg_title3(f, rc, row, y, 0);
}

/* The row's title, its method, and its diagnostics after the method (third 0) or on a
 * third line of their own (third 1). */
static void svg_title3(limn__out *f, const limn_render_opts *rc, const limn_render_row *row, double y,
                       int third) {
  const limn_explanation *e = row->ex;
  limn__printf(f, "<text x=\"10\" y=\"%.1f\" font-weight=\"bold\">row %zu: %s(", y, row->data_row,
               output_label(rc->model, e));
  limn__xml(f, limn_model_output_name(rc->model, e->target));
  limn__printf(f, ") = %.4g", e->output);
  char why[512];
  int weak = !limn_explain_trust(e, &rc->trust, why, sizeof why); /* said where it is drawn */
  if (weak && !third) {
    limn__puts(f, "<tspan font-weight=\"normal\" fill=\"#b2182b\">  caution: not reliable: ");
    limn__xml(f, why);
    limn__puts(f, "</tspan>");
  }
  limn__puts(f, "</text>\n");
  limn__printf(f, "<text x=\"10\" y=\"%.1f\" fill=\"#555\">", y + 16);
  limn__xml(f, rc->method_desc);
  if (e->method == LIMN_METHOD_IG)
    limn__printf(f, "; completeness gap %.2g", e->delta);
  if (e->method == LIMN_METHOD_SHAP)
    limn__printf(f, "%sbase value %.4g, efficiency gap %.2g", rc->method_desc && *rc->method_desc ? "; " : "",
                 e->base_value, e->delta);
  const char *sep = "; ";
  if (third) {
    limn__printf(f, "</text>\n<text x=\"10\" y=\"%.1f\" fill=\"#555\">", y + 32);
    sep = "";
  }
  if (e->method == LIMN_METHOD_LIME || e->method == LIMN_METHOD_LIME_IMAGE)
    limn__printf(f, "%ssurrogate R^2 %.3f", sep, e->score), sep = "; ";
  if (!isnan(row->deletion))
    limn__printf(f, "%sdeletion area %.3g, insertion area %.3g (low, high: faithful)", sep, row->deletion,
                 row->insertion),
        sep = "; ";
  if (third && (weak || !isnan(row->sanity))) /* a line of their own: the panels leave room */
    limn__printf(f, "</text>\n<text x=\"10\" y=\"%.1f\" fill=\"#555\">", y + 48), sep = "";
  if (!isnan(row->sanity))
    limn__printf(f, "%ssanity: rank correlation %.2f with a randomised model (%s)", sep, row->sanity,
                 row->sanity < 0.3   ? "low: sound"
                 : row->sanity < 0.6 ? "moderate"
                                     : "high: do not trust it"),
        sep = "; ";
  if (third && weak) {
    limn__printf(f, "<tspan fill=\"#b2182b\">%scaution: not reliable: ", sep);
    limn__xml(f, why);
    limn__puts(f, "</tspan>");
  }
  limn__puts(f, "</text>\n");
}

double limn__svg_colour_scale(limn__out *f, double x, double y, double w, double mx, const char *what) {
  enum { STEPS = 21 };
  char col[16];
  double sw = w / STEPS;
  for (int k = 0; k < STEPS; k++) {
    limn__diverging(-1.0 + 2.0 * k / (STEPS - 1), col, sizeof col);
    limn__printf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"10\" fill=\"%s\"/>", x + sw * k, y,
                 sw + 0.3, col);
  }
  limn__printf(f,
               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"none\" stroke=\"#888\"/>\n"
               "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%+.2g</text>"
               "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">0</text>"
               "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%+.2g</text>\n",
               x, y, w, x, y + 22, -mx, x + 0.5 * w, y + 22, x + w, y + 22, mx);
  if (what && *what) {
    limn__printf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#444\">", x, y + 35);
    limn__xml(f, what);
    limn__puts(f, "</text>\n");
  }
  return what && *what ? 40 : 27;
}

/* Input and attribution side by side as w x h heat maps. Height used returned. */
static double svg_image(limn__out *f, const limn_render_opts *rc, const limn_render_row *row, double y0) {
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
  limn__printf(f,
               "<text x=\"10\" y=\"%.1f\">input</text><text x=\"%.1f\" y=\"%.1f\">attribution (red +, blue "
               "-)</text>\n",
               top + 12, 30 + cell * (double)w, top + 12);
  for (size_t r = 0; r < h; r++)
    for (size_t c = 0; c < w; c++) {
      size_t j = r * w + c;
      int gray = hi > lo ? 255 - (int)lround(255.0 * (row->x[j] - lo) / (hi - lo)) : 255;
      limn__printf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#%02x%02x%02x\"/>\n",
                   10 + cell * (double)c, top + 20 + cell * (double)r, cell, cell, gray, gray, gray);
      limn__diverging(mx > 0 ? e->attr[j] / mx : 0, col, sizeof col);
      limn__printf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                   30 + cell * (double)(w + c), top + 20 + cell * (double)r, cell, cell, col);
    }
  limn__svg_colour_scale(f, 30 + cell * (double)w, top + 26 + cell * (double)h, cell * (double)w, mx,
                         "attribution per pixel");
  return 40 + 20 + cell * (double)h + 20 + 40;
}

/* Images drawn as embedded PNGs (colour, or more than 16 x 16 pixels, when this build
 * writes PNG): the input, the attribution per pixel (summed over channels) and the
 * overlay of the two, each 224 px on its longer side. */
enum { IMAGE_PANEL = 224 };

static int image_channels(const limn_render_opts *rc) {
  size_t hw = rc->image_w * rc->image_h, d = limn_model_nfeatures(rc->model);
  return hw && d == 3 * hw ? 3 : 1;
}

static int image_png(const limn_render_opts *rc) {
  return limn_image_supported() && (image_channels(rc) == 3 || rc->image_w * rc->image_h > 256);
}

void limn__png_uri(limn__out *f, limn_ctx *ctx, const limn_image *im) {
  static const char tb[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  unsigned char *b = NULL;
  size_t n = 0;
  if (!im || limn_image_encode_png(ctx, im, &b, &n)) {
    f->nomem = 1;
    return;
  }
  limn__puts(f, "data:image/png;base64,");
  for (size_t i = 0; i < n; i += 3) {
    unsigned v =
        (unsigned)b[i] << 16 | (i + 1 < n ? (unsigned)b[i + 1] << 8 : 0) | (i + 2 < n ? b[i + 2] : 0);
    char q[4] = {tb[v >> 18 & 63], tb[v >> 12 & 63], i + 1 < n ? tb[v >> 6 & 63] : '=',
                 i + 2 < n ? tb[v & 63] : '='};
    limn__out_write(f, q, 4);
  }
  limn_free(ctx, b);
}

static double svg_image_png(limn__out *f, const limn_render_opts *rc, const limn_render_row *row, double y0) {
  const limn_explanation *e = row->ex;
  size_t w = rc->image_w, h = rc->image_h, hw = w * h, c = (size_t)image_channels(rc);
  double s = IMAGE_PANEL / (double)(w > h ? w : h), pw = s * (double)w, ph = s * (double)h, mx = 0, rgb[3];
  limn_ctx *ctx = limn_ctx_create(NULL);
  float *heat = malloc(hw * 3 * sizeof *heat);
  double *map = calloc(hw, sizeof *map);
  limn_image *in = NULL, *hm = NULL, *ov = NULL;
  if (!ctx || !heat || !map) {
    f->nomem = 1;
    goto done;
  }
  svg_title3(f, rc, row, y0 + 16, 1);
  for (size_t j = 0; j < hw * c; j++)
    map[j % hw] += e->attr[j];
  for (size_t i = 0; i < hw; i++)
    mx = fabs(map[i]) > mx ? fabs(map[i]) : mx;
  for (size_t i = 0; i < hw; i++) {
    limn__diverging_rgb(mx > 0 ? map[i] / mx : 0, rgb);
    for (int k = 0; k < 3; k++)
      heat[3 * i + k] = (float)rgb[k];
  }
  limn_image_overlay_opts oo = limn_image_overlay_opts_default();
  if (limn_image_from_row_range(ctx, row->x, c, h, w, &in) || limn_image_create(ctx, w, h, 3, heat, &hm) ||
      limn_image_overlay(ctx, in, map, w, h, &oo, &ov)) {
    f->nomem = 1;
    goto done;
  }
  double top = y0 + 72;
  const char *title[3] = {"input", "attribution (red +, blue -)", "overlay"};
  const limn_image *im[3] = {in, hm, ov};
  for (int p = 0; p < 3; p++) {
    double x = 10 + (IMAGE_PANEL + 20) * p;
    limn__printf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x, top + 12, title[p]);
    limn__printf(f,
                 "<image x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" preserveAspectRatio=\"none\" "
                 "style=\"image-rendering:pixelated\" href=\"",
                 x, top + 20, pw, ph);
    limn__png_uri(f, ctx, im[p]);
    limn__puts(f, "\"/>\n");
  }
  limn__svg_colour_scale(f, 10 + IMAGE_PANEL + 20, top + 26 + IMAGE_PANEL, IMAGE_PANEL, mx,
                         c == 3 ? "attribution per pixel (sum over channels)" : "attribution per pixel");
done:
  limn_image_free(in), limn_image_free(hm), limn_image_free(ov);
  free(heat), free(map);
  limn_ctx_free(ctx);
  return 72 + 20 + IMAGE_PANEL + 20 + 40;
}

/* Signed horizontal bars, most important first. Height used returned. */
static double svg_bars(limn__out *f, const limn_render_opts *rc, const limn_render_row *row, double y0) {
  const limn_explanation *e = row->ex;
  size_t d = e->nfeatures;
  size_t *idx = index_buf(f, d);
  char nb[160];
  if (!idx)
    return 0;
  size_t ns = limn__shown(e, idx), show = rc->top && rc->top < ns ? rc->top : ns;
  if (show == 0) {
    free(idx);
    return 40 + 20;
  }
  double mx = limn__bar_scale(e), mid = 520, half = 200, bar = 18;
  svg_title(f, rc, row, y0 + 16);
  for (size_t t = 0; t < show; t++) {
    size_t j = idx[t];
    double y = y0 + 40 + bar * (double)t, len = mx > 0 ? half * fabs(e->attr[j]) / mx : 0;
    limn__printf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", mid - half - 10, y + 13);
    if (e->method == LIMN_METHOD_LIME) {
      limn__xml(f, limn__label(rc, e, j, nb, sizeof nb));
    } else {
      limn__xml(f, limn__feature_name(rc->model, j, nb, sizeof nb));
      const char *cat = limn__category(rc->model, j, row->x[j]);
      limn__puts(f, " = ");
      if (cat)
        limn__xml(f, cat);
      else
        limn__puts(f, value_text((char[32]){0}, 32, 4, row->x[j]));
    }
    limn__puts(f, "</text>\n");
    limn__printf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                 e->attr[j] >= 0 ? mid : mid - len, y + 2, len, bar - 4,
                 e->attr[j] >= 0 ? "#b2182b" : "#2166ac");
    limn__printf(f, "<text x=\"%.1f\" y=\"%.1f\">%+.3g</text>\n", mid + half + 10, y + 13, e->attr[j]);
  }
  limn__printf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", mid, y0 + 38,
               mid, y0 + 40 + bar * (double)show);
  free(idx);
  return 40 + bar * (double)show + 20;
}

/* Features a row's bars show, and whether a "N other features" line follows. */
static size_t shown_count(const limn_render_opts *rc, const limn_explanation *e, size_t *rest) {
  int sel = e->method == LIMN_METHOD_LIME || e->method == LIMN_METHOD_SHAP;
  size_t d = e->nfeatures, ns = sel ? 0 : d;
  for (size_t j = 0; sel && j < d; j++)
    ns += e->selected[j] != 0;
  size_t show = rc->top && rc->top < ns ? rc->top : ns;
  *rest = ns - show;
  return show;
}

/* SHAP's waterfall: from the base value (bottom) each feature's value moves the output
 * to f(x) (top); most important first, the others as one step. Height used returned. */
double limn__svg_waterfall(limn__out *f, const limn_render_opts *rc, const limn_render_row *row, double y0) {
  const limn_explanation *e = row->ex;
  size_t d = e->nfeatures, rest, show = shown_count(rc, e, &rest);
  size_t *idx = index_buf(f, d);
  char nb[160];
  if (!idx)
    return 0;
  size_t ns = limn__shown(e, idx);
  double others = 0;
  for (size_t t = show; t < ns; t++)
    others += e->attr[idx[t]];
  /* the cumulative path from f(x) down: row t spans [hi - phi, hi] */
  double lo = fmin(e->base_value, e->output), hi = fmax(e->base_value, e->output), cur = e->output;
  for (size_t t = 0; t < show; t++) {
    cur -= e->attr[idx[t]];
    lo = fmin(lo, cur), hi = fmax(hi, cur);
  }
  double left = 330, right = 760, bar = 18, span = hi - lo > 0 ? hi - lo : 1;
#define WX(v) (left + (right - left) * ((v)-lo) / span)
  svg_title(f, rc, row, y0 + 16);
  double y = y0 + 40;
  limn__printf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">f(x) = %.4g</text>\n", WX(e->output),
               y + 10, e->output);
  y += 16;
  cur = e->output;
  size_t lines = show + (rest ? 1 : 0);
  for (size_t t = 0; t < lines; t++) {
    double phi = t < show ? e->attr[idx[t]] : others, a = cur - phi, b = cur;
    limn__printf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 10, y + 13);
    if (t < show) {
      size_t j = idx[t];
      const char *cat = limn__category(rc->model, j, row->x[j]);
      if (limn__group_size(e, j) > 1) {
        limn__xml(f, limn__label(rc, e, j, nb, sizeof nb));
      } else {
        limn__xml(f, limn__feature_name(rc->model, j, nb, sizeof nb));
        limn__puts(f, " = ");
        if (cat)
          limn__xml(f, cat);
        else
          limn__puts(f, value_text((char[32]){0}, 32, 4, row->x[j]));
      }
    } else {
      limn__printf(f, "%zu other features", rest);
    }
    limn__puts(f, "</text>\n");
    double x0 = WX(fmin(a, b)), x1 = WX(fmax(a, b));
    limn__printf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", x0, y + 2,
                 fmax(x1 - x0, 0.5), bar - 4, phi >= 0 ? "#b2182b" : "#2166ac");
    int before = phi < 0 && x0 - left > 45; /* a negative step's value left of it, when there is room */
    limn__printf(f, "<text x=\"%.1f\" y=\"%.1f\"%s>%+.3g</text>\n", before ? x0 - 4 : x1 + 4, y + 13,
                 before ? " text-anchor=\"end\"" : "", phi);
    if (t + 1 < lines) /* the connector to the next step */
      limn__printf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n", WX(a),
                   y + bar - 2, WX(a), y + bar + 2);
    cur = a;
    y += bar;
  }
  limn__printf(
      f,
      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-dasharray=\"3,3\"/>\n"
      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">E[f] = %.4g (base value)</text>\n",
      WX(e->base_value), y0 + 56, WX(e->base_value), y + 4, WX(e->base_value), y + 18, e->base_value);
#undef WX
  free(idx);
  return 40 + 16 + bar * (double)lines + 44;
}

/* SHAP's force bar: one bar from f(x) - (sum of positive values) to f(x) + (sum of
 * |negative values|); the positive values push up from the left (red, pointing right),
 * the negative ones push down from the right (blue, pointing left), each side's largest
 * next to f(x); the base value sits where they balance. The shown features are labelled
 * below (in order of importance, on the first of three lines with room; a label with no
 * room is left to the segment's tooltip); the others of each side form one segment at the
 * far end. Height used returned. */
double limn__svg_force(limn__out *f, const limn_render_opts *rc, const limn_render_row *row, double y0) {
  const limn_explanation *e = row->ex;
  size_t d = e->nfeatures, rest, show = shown_count(rc, e, &rest);
  size_t *idx = index_buf(f, d);
  char nb[160], lab[256];
  if (!idx)
    return 0;
  size_t ns = limn__shown(e, idx);
  double pos = 0, neg = 0, opos = 0, oneg = 0;
  for (size_t t = 0; t < ns; t++) {
    double v = e->attr[idx[t]];
    *(v >= 0 ? &pos : &neg) += v;
    if (t >= show)
      *(v >= 0 ? &opos : &oneg) += v;
  }
  double lo = fmin(e->output - pos, e->base_value), hi = fmax(e->output - neg, e->base_value);
  double left = 40, right = 820, span = hi - lo > 0 ? hi - lo : 1, yb = y0 + 80, bar = 22;
  double used[3][2 * 64]; /* per label line: the x ranges taken, as pairs */
  size_t nused[3] = {0, 0, 0};
#define FX(v) (left + (right - left) * ((v)-lo) / span)
  svg_title(f, rc, row, y0 + 16);
  limn__printf(f,
               "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"bold\">f(x) = %.4g</text>\n"
               "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">base value %.4g</text>\n",
               FX(e->output), yb - 8, e->output, FX(e->base_value), yb - 22, e->base_value);
  /* each side from f(x) outwards: the shown values by importance, then the others */
  for (int side = 0; side < 2; side++) {
    double at = e->output;
    for (size_t t = 0; t <= show; t++) {
      double v = t < show ? e->attr[idx[t]] : side ? oneg : opos;
      if (t < show && (side ? v >= 0 : v < 0))
        continue;
      if (v == 0)
        continue;
      double a = FX(at), b = FX(at - v), tip = fmin(6, fabs(b - a) / 2);
      /* a chevron: the side of f(x) is the point */
      double x0 = fmin(a, b), x1 = fmax(a, b);
      if (t < show) {
        size_t j = idx[t];
        const char *cat = limn__category(rc->model, j, row->x[j]);
        if (limn__group_size(e, j) > 1)
          snprintf(lab, sizeof lab, "%s", limn__label(rc, e, j, nb, sizeof nb));
        else if (cat)
          snprintf(lab, sizeof lab, "%s = %s", limn__feature_name(rc->model, j, nb, sizeof nb), cat);
        else {
          char vb[32];
          value_text(vb, sizeof vb, 4, row->x[j]);
          snprintf(lab, sizeof lab, "%s = %s", limn__feature_name(rc->model, j, nb, sizeof nb), vb);
        }
      } else {
        size_t k = 0;
        for (size_t q = show; q < ns; q++)
          k += side ? e->attr[idx[q]] < 0 : e->attr[idx[q]] >= 0;
        snprintf(lab, sizeof lab, "%zu other feature%s", k, k == 1 ? "" : "s");
      }
      limn__printf(f, "<polygon fill=\"%s\" stroke=\"white\" points=\"", side ? "#2166ac" : "#b2182b");
      if (!side) /* pointing right: the tip at x1 */
        limn__printf(f, "%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f", x0, yb, x1 - tip, yb,
                     x1, yb + bar / 2, x1 - tip, yb + bar, x0, yb + bar, x0 + tip, yb + bar / 2);
      else
        limn__printf(f, "%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f", x0 + tip, yb, x1, yb,
                     x1 - tip, yb + bar / 2, x1, yb + bar, x0 + tip, yb + bar, x0, yb + bar / 2);
      limn__puts(f, "\"><title>");
      limn__xml(f, lab);
      limn__printf(f, ": %+.4g</title></polygon>\n", v);
      /* the label: centred under the segment, on the first line with room */
      size_t len = strlen(lab) + 8;
      double w = 6.6 * (double)len, cx = fmin(fmax((x0 + x1) / 2, left + w / 2), right - w / 2);
      for (int line = 0; line < 3; line++) {
        int free_ = nused[line] < 64;
        for (size_t u = 0; free_ && u < nused[line]; u++)
          free_ = cx + w / 2 + 6 < used[line][2 * u] || cx - w / 2 - 6 > used[line][2 * u + 1];
        if (!free_)
          continue;
        used[line][2 * nused[line]] = cx - w / 2, used[line][2 * nused[line] + 1] = cx + w / 2;
        nused[line]++;
        double ly = yb + bar + 16 + 15 * line;
        limn__printf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">", cx, ly,
                     side ? "#2166ac" : "#b2182b");
        limn__xml(f, lab);
        limn__printf(f, " (%+.3g)</text>\n", v);
        break;
      }
      at -= v;
    }
  }
  limn__printf(
      f,
      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-width=\"2\"/>\n"
      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"3,3\"/>\n",
      FX(e->output), yb - 4, FX(e->output), yb + bar + 4, FX(e->base_value), yb - 18, FX(e->base_value),
      yb + bar + 4);
#undef FX
  free(idx);
  return 80 + bar + 16 + 45;
}

/* The height a row takes in the SVG. */
double limn__svg_height(const limn_render_opts *rc, const limn_render_row *row) {
  size_t rest, show = shown_count(rc, row->ex, &rest);
  if (rc->image_w > 0 && image_png(rc))
    return 72 + 20 + IMAGE_PANEL + 20 + 40;
  if (rc->image_w > 0)
    return 40 + 20 + 24.0 * (double)rc->image_h + 20 + 40;
  if (row->ex->method == LIMN_METHOD_SHAP && rc->shap_plot == LIMN_SHAP_PLOT_FORCE)
    return 80 + 22 + 16 + 45;
  if (row->ex->method == LIMN_METHOD_SHAP)
    return 40 + 16 + 18.0 * (double)(show + (rest ? 1 : 0)) + 44;
  size_t d = limn_model_nfeatures(rc->model), fixed = rc->top && rc->top < d ? rc->top : d;
  return 40 + 18.0 * (double)fixed + 20; /* every row the same slot (the format always had it) */
}

static void render_svg(limn__out *f, const limn_render_opts *rc, const limn_render_row *rows, size_t n) {
  int image = rc->image_w > 0;
  double width = image && image_png(rc) ? 20 + 3 * (IMAGE_PANEL + 20.0)
                 : image                ? 60 + 48.0 * (double)rc->image_w
                                        : 860,
         height = 10;
  for (size_t r = 0; r < n; r++)
    height += limn__svg_height(rc, &rows[r]);
  limn__printf(f,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
               "height=\"%.0f\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" "
               "height=\"100%%\" fill=\"white\"/>\n",
               width, height, width, height);
  double y = 0;
  for (size_t r = 0; r < n; r++) {
    if (image && image_png(rc))
      y += svg_image_png(f, rc, &rows[r], y);
    else if (image)
      y += svg_image(f, rc, &rows[r], y);
    else if (rows[r].ex->method == LIMN_METHOD_SHAP)
      y += rc->shap_plot == LIMN_SHAP_PLOT_FORCE ? limn__svg_force(f, rc, &rows[r], y)
                                                 : limn__svg_waterfall(f, rc, &rows[r], y);
    else
      y += svg_bars(f, rc, &rows[r], y);
  }
  limn__puts(f, "</svg>\n");
}

/* ---- many rows: a beeswarm and the mean |attribution| ---- */

static int check_opts(limn_ctx *ctx, const limn_render_opts *o);

/* Blue (low) to red (high) through purple: t in [0, 1]. */
static void value_colour(double t, char *buf, size_t cap) {
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  snprintf(buf, cap, "#%02x%02x%02x", (int)lround(33 + t * (178 - 33)), (int)lround(102 + t * (24 - 102)),
           (int)lround(172 + t * (43 - 172)));
}

void limn__summary_svg(limn__out *f, const limn_render_opts *rc, const limn_render_row *rows, size_t n) {
  const limn_model *m = rc->model;
  size_t d = limn_model_nfeatures(m), cap = rc->top ? rc->top : 20;
  size_t show = cap < d ? cap : d;
  limn_explanation g;
  memset(&g, 0, sizeof g);
  g.nfeatures = d;
  g.attr = calloc(d ? d : 1, sizeof(double));
  size_t *idx = index_buf(f, d), *ord = index_buf(f, n), *bins = NULL;
  double *phi = malloc((n ? n : 1) * sizeof *phi);
  if (!g.attr || !phi)
    f->nomem = 1;
  if (f->nomem) {
    free(g.attr), free(idx), free(ord), free(phi);
    return;
  }
  double lo = 0, hi = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < d; j++) {
      double a = rows[i].ex->attr[j];
      g.attr[j] += fabs(a) / (double)n;
      lo = fmin(lo, a), hi = fmax(hi, a);
    }
  order(&g, idx);
  if (n && rows[0].ex->method == LIMN_METHOD_SHAP) { /* the players' leads only */
    size_t k = 0;
    for (size_t t = 0; t < d; t++)
      if (rows[0].ex->selected[idx[t]])
        idx[k++] = idx[t];
    show = show < k ? show : k;
  }
  double left = 230, right = 600, strip = 28, top = 60, bl = 650, br = 820, span = hi - lo > 0 ? hi - lo : 1;
  double height = top + strip * (double)show + 60, mx = show ? g.attr[idx[0]] : 0;
  size_t nbins = (size_t)(right - left) / 5 + 2;
  bins = calloc(nbins, sizeof *bins);
  if (!bins) {
    f->nomem = 1;
    free(g.attr), free(idx), free(ord), free(phi);
    return;
  }
  char col[16], nb[160];
  limn__printf(
      f,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 860 %.0f\" width=\"860\" height=\"%.0f\" "
      "font-family=\"sans-serif\" "
      "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"18\" font-weight=\"bold\">%s of %zu rows: each dot a row, by its value of the "
      "feature</text>\n",
      height, height, n && rows[0].ex->method == LIMN_METHOD_SHAP ? "Shapley values" : "Attributions", n);
  limn__printf(f, "<text x=\"10\" y=\"36\" fill=\"#555\">");
  limn__xml(f, rc->method_desc ? rc->method_desc : "");
  limn__printf(f, "</text>\n<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">mean |value|</text>\n",
               (bl + br) / 2, top - 8);
#define SX(v) (left + (right - left) * ((v)-lo) / span)
  limn__printf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#999\"/>\n", SX(0.0),
               top - 4, SX(0.0), top + strip * (double)show);
  for (size_t t = 0; t < show; t++) {
    size_t j = idx[t];
    double cy = top + strip * ((double)t + 0.5), vlo = INFINITY, vhi = -INFINITY;
    limn__printf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", left - 10, cy + 4);
    limn__xml(f, n && limn__group_size(rows[0].ex, j) > 1 ? limn__label(rc, rows[0].ex, j, nb, sizeof nb)
                                                          : limn__feature_name(m, j, nb, sizeof nb));
    limn__puts(f, "</text>\n");
    for (size_t i = 0; i < n; i++) {
      double v = rows[i].x[j];
      vlo = fmin(vlo, v), vhi = fmax(vhi, v);
      phi[i] = rows[i].ex->attr[j];
      ord[i] = i;
    }
    /* rows by value, ties by row: deterministic stacking */
    for (size_t a = 1; a < n; a++)
      for (size_t b = a; b > 0 && (phi[ord[b - 1]] > phi[ord[b]] ||
                                   (phi[ord[b - 1]] == phi[ord[b]] && ord[b - 1] > ord[b]));
           b--) {
        size_t tmp = ord[b];
        ord[b] = ord[b - 1], ord[b - 1] = tmp;
      }
    memset(bins, 0, nbins * sizeof *bins);
    for (size_t q = 0; q < n; q++) {
      size_t i = ord[q], bin = (size_t)((SX(phi[i]) - left) / 5);
      bin = bin < nbins ? bin : nbins - 1;
      size_t c = bins[bin]++ % 7; /* 0, +1, -1, +2, -2, ... dot rows, wrapping in the strip */
      double dy = (double)((c + 1) / 2) * 3.2 * (c % 2 ? -1 : 1);
      value_colour(vhi > vlo ? (rows[i].x[j] - vlo) / (vhi - vlo) : 0.5, col, sizeof col);
      limn__printf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\" fill-opacity=\"0.85\"/>\n",
                   SX(phi[i]), cy + dy, col);
    }
    double len = mx > 0 ? (br - bl) * g.attr[j] / mx : 0;
    limn__printf(f,
                 "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"12\" fill=\"#777\"/><text x=\"%.1f\" "
                 "y=\"%.1f\" font-size=\"10\">%.3g</text>\n",
                 bl, cy - 6, len, bl + len + 3, cy + 4, g.attr[j]);
  }
  double ay = top + strip * (double)show + 16;
  limn__printf(
      f,
      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.3g</text><text x=\"%.1f\" y=\"%.1f\" "
      "text-anchor=\"middle\">0</text><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.3g</text>\n",
      SX(lo), ay, lo, SX(0.0), ay, SX(hi), ay, hi);
#undef SX
  /* the colour legend */
  double ly = ay + 22;
  limn__printf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">feature value: low</text>\n", left - 10,
               ly);
  for (int q = 0; q < 10; q++) {
    value_colour(q / 9.0, col, sizeof col);
    limn__printf(f, "<rect x=\"%.0f\" y=\"%.1f\" width=\"12\" height=\"10\" fill=\"%s\"/>\n", left + 12.0 * q,
                 ly - 9, col);
  }
  limn__printf(f, "<text x=\"%.0f\" y=\"%.1f\">high</text>\n", left + 126, ly);
  limn__puts(f, "</svg>\n");
  free(g.attr), free(idx), free(ord), free(phi), free(bins);
}

/* The column that best explains the spread of column j's values at similar values of
 * x_j (shap's approximate_interactions): the rows sorted by x_j, in bins of
 * max(10, n / 10), the sum over bins of |corr(attr_j, x_k)|; ties to the lower column. */
static size_t strongest_partner(const limn_render_row *rows, size_t n, size_t d, size_t j,
                                const size_t *ord) {
  size_t best = d, bin = n / 10 > 10 ? n / 10 : 10;
  double bestv = -1;
  for (size_t k = 0; k < d; k++) {
    if (k == j)
      continue;
    double score = 0;
    for (size_t b0 = 0; b0 < n; b0 += bin) {
      size_t b1 = b0 + bin < n ? b0 + bin : n, m = b1 - b0;
      double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (size_t q = b0; q < b1; q++) {
        double a = rows[ord[q]].ex->attr[j], b = rows[ord[q]].x[k];
        sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b;
      }
      double va = saa - sa * sa / (double)m, vb = sbb - sb * sb / (double)m, cov = sab - sa * sb / (double)m;
      if (m > 2 && va > 0 && vb > 0)
        score += fabs(cov / sqrt(va * vb));
    }
    if (score > bestv)
      bestv = score, best = k;
  }
  return best;
}

/* Rows' value of column j (across) against y (up): row i's y[i], or its attribution of
 * j when y is NULL; coloured by column k's value (k = d: the strongest partner). */
static void dependence_plot(limn__out *f, const limn_render_opts *rc, const limn_render_row *rows, size_t n,
                            size_t j, size_t k, const double *y, const char *what) {
  const limn_model *m = rc->model;
  size_t d = limn_model_nfeatures(m), *ord = index_buf(f, n);
  if (!ord)
    return;
  for (size_t i = 0; i < n; i++)
    ord[i] = i;
  for (size_t a = 1; a < n; a++) /* by x_j, ties by row: deterministic bins */
    for (size_t b = a; b > 0 && (rows[ord[b - 1]].x[j] > rows[ord[b]].x[j] ||
                                 (rows[ord[b - 1]].x[j] == rows[ord[b]].x[j] && ord[b - 1] > ord[b]));
         b--) {
      size_t t = ord[b];
      ord[b] = ord[b - 1], ord[b - 1] = t;
    }
  int forced = k < d;
  if (!forced)
    k = strongest_partner(rows, n, d, j, ord);
#define YV(i) (y ? y[i] : rows[i].ex->attr[j])
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY, clo = INFINITY, chi = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (!isnan(rows[i].x[j]))
      xlo = fmin(xlo, rows[i].x[j]), xhi = fmax(xhi, rows[i].x[j]);
    ylo = fmin(ylo, YV(i)), yhi = fmax(yhi, YV(i));
    if (k < d && !isnan(rows[i].x[k]))
      clo = fmin(clo, rows[i].x[k]), chi = fmax(chi, rows[i].x[k]);
  }
  if (!(xhi >= xlo))
    xlo = xhi = 0;
  ylo = fmin(ylo, 0), yhi = fmax(yhi, 0);
  double L = 80, R = 700, T = 50, B = 430, xs = xhi > xlo ? xhi - xlo : 1, ys = yhi > ylo ? yhi - ylo : 1;
  char nb[160], kb[160], col[16];
  limn__printf(
      f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 860 480\" width=\"860\" height=\"480\" "
         "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" "
         "fill=\"white\"/>\n<text x=\"10\" y=\"18\" font-weight=\"bold\">");
  limn__xml(f, limn__feature_name(m, j, nb, sizeof nb));
  limn__printf(f, ": its value (across) and %s (up) in %zu rows</text>\n",
               what                                          ? what
               : n && rows[0].ex->method == LIMN_METHOD_SHAP ? "its Shapley value"
                                                             : "its attribution",
               n);
#define DX(v) (L + (R - L) * ((v)-xlo) / xs)
#define DY(v) (B - (B - T) * ((v)-ylo) / ys)
  limn__printf(f,
               "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#999\"/>\n"
               "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>\n"
               "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>\n",
               L, DY(0.0), R, DY(0.0), L, B, R, B, L, T, L, B);
  for (size_t i = 0; i < n; i++) { /* (a missing value of j: no dot; of k: grey) */
    if (isnan(rows[i].x[j]))
      continue;
    double c = k < d && chi > clo ? (rows[i].x[k] - clo) / (chi - clo) : 0.5;
    value_colour(c, col, sizeof col);
    limn__printf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" fill-opacity=\"0.85\"/>\n",
                 DX(rows[i].x[j]), DY(YV(i)), k < d && isnan(rows[i].x[k]) ? "#999" : col);
  }
#undef YV
  limn__printf(f,
               "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">%.4g</text><text x=\"%.0f\" y=\"%.0f\" "
               "text-anchor=\"middle\">%.4g</text><text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>"
               "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n",
               L, B + 16, xlo, R, B + 16, xhi, L - 6, DY(ylo) + 4, ylo, L - 6, DY(yhi) + 4, yhi);
#undef DX
#undef DY
  if (k < d) {
    limn__printf(f, "<text x=\"720\" y=\"70\">colour: ");
    limn__xml(f, limn__feature_name(m, k, kb, sizeof kb));
    limn__printf(f, "</text>\n<text x=\"720\" y=\"86\" fill=\"#555\">(%s)</text>\n",
                 forced ? "its partner" : "interacts most");
    for (int q = 0; q < 10; q++) {
      value_colour(q / 9.0, col, sizeof col);
      limn__printf(f, "<rect x=\"720\" y=\"%d\" width=\"14\" height=\"12\" fill=\"%s\"/>\n",
                   100 + 12 * (9 - q), col);
    }
    limn__printf(f, "<text x=\"740\" y=\"110\">high</text><text x=\"740\" y=\"218\">low</text>\n");
  }
  limn__puts(f, "</svg>\n");
  free(ord);
}

static void dependence_svg(limn__out *f, const limn_render_opts *rc, const limn_render_row *rows, size_t n,
                           size_t j) {
  dependence_plot(f, rc, rows, n, j, limn_model_nfeatures(rc->model), NULL, NULL);
}

void limn__interaction_svg(limn__out *f, const limn_render_opts *rc, const limn_render_row *rows, size_t n,
                           size_t a, size_t b, const double *y) {
  dependence_plot(f, rc, rows, n, a, b, y, "the part of the output it makes together with its partner");
}

/* The rows a many-row plot draws: each with its values and an attribution per feature. */
static int check_plot_rows(limn_ctx *ctx, const char *what, const limn_render_row *rows, size_t n, size_t d) {
  if (n && !rows)
    return limn__err(ctx, LIMN_EINVAL, "%s: NULL rows", what);
  for (size_t r = 0; r < n; r++)
    if (!rows[r].ex || !rows[r].x || rows[r].ex->nfeatures != d || !rows[r].ex->attr)
      return limn__err(ctx, LIMN_EINVAL, "%s: row %zu: no explanation of this model's %zu features", what, r,
                       d);
  return LIMN_OK;
}

int limn_render_dependence_svg(limn_ctx *ctx, const limn_render_opts *o, const limn_render_row *rows,
                               size_t n, size_t feature, limn_sink sink) {
  if (!ctx)
    return LIMN_EINVAL;
  LIMN_TRY(check_opts(ctx, o));
  size_t d = limn_model_nfeatures(o->model);
  if (feature >= d)
    return limn__err(ctx, LIMN_EINVAL, "dependence: column %zu of %zu", feature, d);
  LIMN_TRY(check_plot_rows(ctx, "dependence", rows, n, d));
  limn__out out, *f = &out;
  limn__out_init(f, sink);
  dependence_svg(f, o, rows, n, feature);
  return limn__out_finish(ctx, f);
}

int limn_render_summary_svg(limn_ctx *ctx, const limn_render_opts *o, const limn_render_row *rows, size_t n,
                            limn_sink sink) {
  if (!ctx)
    return LIMN_EINVAL;
  LIMN_TRY(check_opts(ctx, o));
  size_t d = limn_model_nfeatures(o->model);
  LIMN_TRY(check_plot_rows(ctx, "summary", rows, n, d));
  limn__out out, *f = &out;
  limn__out_init(f, sink);
  limn__summary_svg(f, o, rows, n);
  return limn__out_finish(ctx, f);
}

/* ---- reason codes ---- */

static const char *const protected_default[] = {"age",
                                                "sex",
                                                "gender",
                                                "race",
                                                "ethnicity",
                                                "religion",
                                                "national_origin",
                                                "nationality",
                                                "marital_status",
                                                "disability",
                                                "personal_status",
                                                "foreign_worker"};

const char *const *limn_reason_protected_default(size_t *n) {
  if (n)
    *n = sizeof protected_default / sizeof *protected_default;
  return protected_default;
}

int limn_reason_protected(const limn_render_opts *o, size_t j) {
  if (!o || !o->model || j >= limn_model_nfeatures(o->model))
    return 0;
  const limn_schema *s = limn_model_schema(o->model);
  const char *name = s ? limn_schema_feature_name(s, j) : NULL;
  size_t n = o->protected_cols ? o->nprotected : 0;
  const char *const *list = o->protected_cols ? o->protected_cols : limn_reason_protected_default(&n);
  for (size_t q = 0; name && q < n; q++)
    if (list[q] && !strcasecmp(name, list[q]))
      return 1;
  return 0;
}

size_t limn_reason_codes(const limn_render_opts *rc, const limn_explanation *e, const float *x, int lowered,
                         size_t n, limn_reason *out) {
  const limn_model *m = rc->model;
  size_t d = e->nfeatures, k = 0;
  double sign = lowered ? -1.0 : 1.0;
  char nb[160], lb[256], vb[64], what[200];
  const char *cls = limn_model_output_name(m, e->target);
  if (limn_model_task(m) == LIMN_TASK_REGRESSION)
    snprintf(what, sizeof what, "the prediction");
  else
    snprintf(what, sizeof what, "the %s of %s", in_logits(e) ? "logit" : "probability", cls ? cls : "?");
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
    limn_reason *r = &out[k++];
    r->feature = best;
    r->effect = e->attr[best];
    r->protected_attr = limn_reason_protected(rc, best);
    int grouped = limn__group_size(e, best) > 1;
    const char *name = grouped ? limn__label(rc, e, best, nb, sizeof nb)
                               : limn__feature_name(m, best, nb, sizeof nb),
               *cat = limn__category(m, best, x[best]);
    if (grouped)
      snprintf(vb, sizeof vb, "as in the row");
    else if (cat)
      snprintf(vb, sizeof vb, "'%s'", cat);
    else
      value_text(vb, sizeof vb, 4, x[best]);
    int bin = e->method == LIMN_METHOD_LIME && !cat && rc->background && rc->discretizer != LIMN_DISC_NONE &&
              e->bin && e->bin[best] >= 0;
    if (bin)
      limn__label(rc, e, best, lb, sizeof lb);
    char title[400], full[600];
    const char *said = name;
    if (!grouped && limn_model_feature_description(m, best)) { /* "Duration (months) [duration]" */
      snprintf(full, sizeof full, "%.300s [%.200s]", limn__feature_title(m, best, title, sizeof title), name);
      said = full;
    }
    snprintf(r->text, sizeof r->text, "%.400s is %s%s%s%s (%s %s by %.2g)", said, vb,
             bin ? ", in the bin '" : "", bin ? lb : "", bin ? "'" : "", lowered ? "lowered" : "raised", what,
             fabs(e->attr[best]));
  }
  return k;
}

/* ---- public ---- */

limn_render_row limn_render_row_init(const limn_explanation *ex, size_t data_row, size_t line,
                                     const float *x) {
  limn_render_row r;
  r.ex = ex, r.data_row = data_row, r.line = line, r.x = x;
  r.infidelity = r.sensitivity = r.stability = r.deletion = r.insertion = r.sanity = NAN;
  return r;
}

limn_render_opts limn_render_opts_default(void) {
  limn_render_opts o;
  memset(&o, 0, sizeof o);
  o.method_desc = "";
  o.top = 10;
  o.discretizer = LIMN_DISC_QUARTILE;
  o.favourable = -1;
  o.trust = limn_explain_trust_opts_default();
  return o;
}

static int check_opts(limn_ctx *ctx, const limn_render_opts *o) {
  if (!o || !o->model)
    return limn__err(ctx, LIMN_EINVAL, "render: no model");
  size_t d = limn_model_nfeatures(o->model);
  size_t hw = o->image_w * o->image_h;
  if ((o->image_w || o->image_h) && hw != d && (3 * hw != d || !limn_image_supported()))
    return limn__err(ctx, LIMN_EINVAL,
                     "render: an image of %zu x %zu pixels for %zu features (grey: one per pixel; colour: "
                     "three, in a build that writes PNG)",
                     o->image_w, o->image_h, d);
  if (o->favourable >= 0 && (size_t)o->favourable >= limn_model_noutputs(o->model))
    return limn__err(ctx, LIMN_EINVAL, "render: favourable class %ld is out of range", o->favourable);
  return LIMN_OK;
}

int limn_render_explanations(limn_ctx *ctx, const limn_render_opts *o, const limn_render_row *rows, size_t n,
                             limn_format fmt, limn_sink sink) {
  if (!ctx)
    return LIMN_EINVAL;
  LIMN_TRY(check_opts(ctx, o));
  size_t d = limn_model_nfeatures(o->model);
  if (n && !rows)
    return limn__err(ctx, LIMN_EINVAL, "render: NULL rows");
  for (size_t r = 0; r < n; r++) {
    const limn_explanation *e = rows[r].ex;
    if (!e || !rows[r].x || e->nfeatures != d || !e->attr || e->target >= limn_model_noutputs(o->model) ||
        (e->method == LIMN_METHOD_LIME && (!e->selected || !e->std_error || !e->bin)))
      return limn__err(ctx, LIMN_EINVAL, "render: row %zu: no explanation of this model's %zu features", r,
                       d);
  }
  limn__out out, *f = &out;
  limn__out_init(f, sink);
  switch (fmt) {
  case LIMN_FORMAT_TEXT:
    limn__out_terminal(f);
    render_text(f, o, rows, n);
    break;
  case LIMN_FORMAT_JSON:
  case LIMN_FORMAT_JSONL:
    render_json(f, o, rows, n, fmt == LIMN_FORMAT_JSONL);
    break;
  case LIMN_FORMAT_CSV:
    render_csv(f, o, rows, n);
    break;
  case LIMN_FORMAT_SVG:
    render_svg(f, o, rows, n);
    break;
  default:
    return limn__err(ctx, LIMN_EINVAL, "render: unknown format %d", (int)fmt);
  }
  return limn__out_finish(ctx, f);
}

int limn_render_global(limn_ctx *ctx, const limn_render_opts *o, const limn_explanation *ex, size_t n,
                       limn_format fmt, limn_sink sink) {
  if (!ctx)
    return LIMN_EINVAL;
  LIMN_TRY(check_opts(ctx, o));
  if (fmt == LIMN_FORMAT_SVG || (unsigned)fmt > LIMN_FORMAT_SVG)
    return limn__err(ctx, LIMN_EUNSUPPORTED, "global importance: no %s form", limn_format_name(fmt));
  size_t d = limn_model_nfeatures(o->model);
  for (size_t i = 0; i < n; i++)
    if (!ex || ex[i].nfeatures != d || !ex[i].attr)
      return limn__err(ctx, LIMN_EINVAL, "global importance: explanation %zu is not of this model", i);
  limn__out out, *f = &out;
  limn__out_init(f, sink);
  render_global(f, o, ex, n, fmt);
  return limn__out_finish(ctx, f);
}

/* ---- labels on a scatter ---- */

/* The box a label takes with its anchor at (tx, ty): anchor -1 end, 0 middle, 1 start. */
static void label_box(double tx, double ty, int anchor, double w, double h, double *b) {
  b[0] = anchor > 0 ? tx : anchor < 0 ? tx - w : tx - 0.5 * w;
  b[1] = ty - 0.8 * h;
  b[2] = b[0] + w;
  b[3] = ty + 0.25 * h;
}

static int boxes_overlap(const double *a, const double *b) {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/* Distance from (x, y) to box b (0 inside). */
static double box_dist(const double *b, double x, double y) {
  double dx = x < b[0]   ? b[0] - x
              : x > b[2] ? x - b[2]
                         : 0,
         dy = y < b[1]   ? b[1] - y
              : y > b[3] ? y - b[3]
                         : 0;
  return sqrt(dx * dx + dy * dy);
}

void limn__place_labels(const double *px, const double *py, const double *w, size_t n, double h, double ring,
                        const double *ax, const double *ay, size_t na, double W, double H,
                        limn__maplabel *out) {
  static const double dirs[8][2] = {{1, 0},  {.71, -.71}, {-1, 0}, {-.71, -.71},
                                    {0, -1}, {.71, .71},  {0, 1},  {-.71, .71}};
  static const double steps[4] = {3, 16, 32, 54};
  double placed[200][4];
  for (size_t i = 0; i < n; i++) {
    double best = INFINITY;
    out[i].x = px[i] + ring + 3, out[i].y = py[i], out[i].anchor = 1, out[i].leader = 0;
    for (size_t s = 0; s < 4; s++)
      for (size_t d = 0; d < 8; d++) {
        double dist = ring + steps[s], dx = dirs[d][0], dy = dirs[d][1];
        int anchor = dx > 0.1 ? 1 : dx < -0.1 ? -1 : 0;
        double tx = px[i] + dx * dist, ty = py[i] + dy * dist +
                                            (dy > 0.1    ? 0.8 * h
                                             : dy < -0.1 ? 0
                                                         : 0.3 * h);
        double b[4];
        label_box(tx, ty, anchor, w[i], h, b);
        double cost = s * 4.0 + (double)d * 0.1;
        if (b[0] < 0 || b[1] < 0 || b[2] > W || b[3] > H)
          cost += 1e6;
        for (size_t q = 0; q < i && q < 200; q++)
          cost += boxes_overlap(b, placed[q]) ? 1e4 : 0;
        for (size_t q = 0; q < n; q++) /* over another explained row's ring, or nearer to it */
          if (q != i && box_dist(b, px[q], py[q]) < ring + 2)
            cost += 1e4;
          else if (q != i && box_dist(b, px[q], py[q]) < box_dist(b, px[i], py[i]))
            cost += 2e3;
        for (size_t q = 0; q < na; q++)
          cost += box_dist(b, ax[q], ay[q]) < 2.5 ? 3 : 0;
        if (cost < best) {
          best = cost;
          out[i].x = tx, out[i].y = ty, out[i].anchor = anchor, out[i].leader = s > 0;
        }
      }
    if (i < 200)
      label_box(out[i].x, out[i].y, out[i].anchor, w[i], h, placed[i]);
  }
}

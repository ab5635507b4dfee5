/* Trust rules: whether an explanation holds up by its own diagnostics (docs/report.md,
 * "How far to trust an explanation"). */
#include "explain_internal.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

limn_trust_opts limn_explain_trust_opts_default(void) {
  limn_trust_opts o;
  o.min_score = 0.3;
  o.max_gap = 0.1;
  o.min_change = 0.01;
  o.max_cancel = 10;
  o.max_delta = 0.05;
  o.max_se = 0.1;
  return o;
}

/* Append one reason to why ("; " between reasons). */
static void add(char *why, size_t cap, int *n, const char *fmt, ...) {
  size_t len = why && cap ? strlen(why) : 0;
  if (why && cap && len + 3 < cap) {
    if (*n)
      len += (size_t)snprintf(why + len, cap - len, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + len, cap - len, fmt, ap);
    va_end(ap);
  }
  (*n)++;
}

int limn_explain_trust(const limn_explanation *e, const limn_trust_opts *opts, char *why, size_t cap) {
  limn_trust_opts o = opts ? *opts : limn_explain_trust_opts_default();
  int n = 0;
  if (why && cap)
    why[0] = 0;
  if (!e)
    return 1;
  double scale = fmax(1, fabs(e->output)); /* (1 for a probability) */
  if (e->method == LIMN_METHOD_LIME || e->method == LIMN_METHOD_LIME_IMAGE ||
      e->method == LIMN_METHOD_LIME_TEXT) {
    long K = -1; /* lime-image, lime-text: the superpixels or words (bins 0..K-1) */
    for (size_t j = 0; e->method != LIMN_METHOD_LIME && e->bin && j < e->nfeatures; j++)
      K = e->bin[j] > K ? e->bin[j] : K;
    if (K >= 0 && e->num_samples <= (size_t)K + 2)
      add(why, cap, &n, "%zu samples for %ld %s: the surrogate can fit any outputs, its R^2 is no evidence",
          e->num_samples, K + 1, e->method == LIMN_METHOD_LIME_TEXT ? "words" : "superpixels");
    if (!limn__explanation_reacts(e))
      add(why, cap, &n,
          "the model's output does not change around the row: it does not react to any feature here "
          "(every weight is 0)");
    else if (!(e->score >= o.min_score))
      add(why, cap, &n, "the surrogate fits the model poorly around the row (weighted R^2 %.3g, below %.3g)",
          e->score, o.min_score);
    double gap = fabs(e->local_pred - e->output);
    if (!(gap <= o.max_gap * scale))
      add(why, cap, &n,
          "the surrogate predicts %.3g at the row where the model gives %.3g (off by %.3g, more than %.3g)",
          e->local_pred, e->output, gap, o.max_gap * scale);
  } else if (e->method == LIMN_METHOD_IG) {
    double change = fabs(e->output - e->base_value), size = 0;
    for (size_t j = 0; j < e->nfeatures; j++)
      size += fabs(e->attr[j]);
    if (!(change >= o.min_change * scale))
      add(why, cap, &n,
          "the baseline's output (%.4g) is the row's (%.4g): there is almost nothing to share (a change of "
          "%.2g)",
          e->base_value, e->output, change);
    else if (!(size <= o.max_cancel * change))
      add(why, cap, &n,
          "the attributions (sizes summing to %.3g) are %.0f times the change they share (%.3g): they "
          "cancel, and "
          "their order is unstable",
          size, size / change, change);
    if (!isnan(e->delta) && !(fabs(e->delta) <= o.max_delta * fmax(change, o.min_change * scale)))
      add(why, cap, &n, "the completeness gap (%.3g) is %.0f%% of the change", e->delta,
          100 * fabs(e->delta) / fmax(change, 1e-300));
  } else if (e->method == LIMN_METHOD_SHAP) {
    double se = 0, big = 0, change = fabs(e->output - e->base_value);
    int nose = 0;
    for (size_t j = 0; e->std_error && j < e->nfeatures; j++) {
      nose |= isnan(e->std_error[j]) && e->selected && e->selected[j];
      se = fmax(se, isnan(e->std_error[j]) ? 0 : e->std_error[j]);
      big = fmax(big, fabs(e->attr[j]));
    }
    if (nose)
      add(why, cap, &n, "the estimate has no standard errors (one permutation)");
    else if (!(se <= o.max_se * big))
      add(why, cap, &n,
          "the standard errors reach %.0f%% of the largest value, so the order of the features is not "
          "reliable",
          100 * se / fmax(big, 1e-300));
    if (!isnan(e->delta) && !(fabs(e->delta) <= o.max_delta * fmax(change, o.min_change * scale)))
      add(why, cap, &n, "the efficiency gap (%.3g) is %.0f%% of the change", e->delta,
          100 * fabs(e->delta) / fmax(change, 1e-300));
  }
  return n == 0;
}

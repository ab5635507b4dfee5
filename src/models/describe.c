/* Text and JSON descriptions of a model. */
#include "model_internal.h"
#include <string.h>
#include <math.h>
#include <stdio.h>

static void json_float(FILE *f, double v, int is_float) {
  char buf[40];
  if (!isfinite(v)) {
    fputs("null", f);
    return;
  }
  if (is_float)
    limn_format_float(buf, sizeof buf, (float)v);
  else
    limn_format_double(buf, sizeof buf, v);
  fputs(buf, f);
}

static void json_floats(FILE *f, const float *v, size_t n) {
  fputc('[', f);
  for (size_t i = 0; i < n; i++) {
    if (i)
      fputc(',', f);
    json_float(f, v[i], 1);
  }
  fputc(']', f);
}

static void json_schema(FILE *f, const limn_schema *s, const limn__mlp *p) {
  fputs("\"features\":[", f);
  for (size_t j = 0; j < limn_schema_nfeatures(s); j++) {
    fputs(j ? ",{\"name\":" : "{\"name\":", f);
    limn__json_string(f, limn_schema_feature_name(s, j));
    if (limn_schema_feature_kind(s, j) == LIMN_COL_CATEGORICAL) {
      fputs(",\"kind\":\"categorical\",\"categories\":[", f);
      for (size_t c = 0; c < limn_schema_ncategories(s, j); c++) {
        if (c)
          fputc(',', f);
        limn__json_string(f, limn_schema_category(s, j, c));
      }
      fputc(']', f);
    } else {
      fputs(",\"kind\":\"numeric\"", f);
      if (p) {
        fputs(",\"mean\":", f);
        json_float(f, p->mean[j], 1);
        fputs(",\"std\":", f);
        json_float(f, p->std[j], 1);
      }
    }
    fputc('}', f);
  }
  fputs("],\"target\":", f);
  limn__json_string(f, limn_schema_target_name(s) ? limn_schema_target_name(s) : "");
  fprintf(f, ",\"task\":\"%s\",\"classes\":[",
          limn_schema_task(s) == LIMN_TASK_CLASSIFICATION ? "classification" : "regression");
  for (size_t k = 0; k < limn_schema_nclasses(s); k++) {
    if (k)
      fputc(',', f);
    limn__json_string(f, limn_schema_class_name(s, k));
  }
  fputc(']', f);
}

static void json_stats(FILE *f, const limn_stats *st) {
  fprintf(f, ",\"statistics\":{\"rows\":%zu,\"features\":[", st->n);
  for (size_t j = 0; j < st->d; j++) {
    if (j)
      fputc(',', f);
    if (st->kind[j] != LIMN_COL_NUMERIC) {
      fputs("{\"counts\":[", f);
      for (size_t c = 0; c < st->ncats[j]; c++)
        fprintf(f, "%s%zu", c ? "," : "", st->counts[j][c]);
      fputs("]}", f);
      continue;
    }
    fputs("{\"mean\":", f);
    json_float(f, st->mean[j], 0);
    fputs(",\"std\":", f);
    json_float(f, st->std[j], 0);
    fputs(",\"min\":", f);
    json_float(f, st->min[j], 0);
    fputs(",\"max\":", f);
    json_float(f, st->max[j], 0);
    fputs(",\"percentiles\":[", f);
    for (size_t q = 0; q < LIMN__NPCT; q++) {
      if (q)
        fputc(',', f);
      json_float(f, st->pct[j * LIMN__NPCT + q], 0);
    }
    fputs("]}", f);
  }
  fputs("]}", f);
}

int limn_model_write_json(limn_ctx *ctx, const limn_model *m, FILE *f) {
  const limn__mlp *p = limn__mlp_of(m);
  fprintf(f, "{\"limn_version\":\"%s\",\"kind\":\"%s\",", LIMN_VERSION_STRING, m->kind);
  if (m->schema) {
    json_schema(f, m->schema, p);
    fputc(',', f);
  }
  fprintf(f, "\"nfeatures\":%zu,\"nslots\":%zu,\"noutputs\":%zu", m->nfeatures, m->nslots, m->noutputs);
  if (p) {
    fprintf(f, ",\"hidden_activation\":\"%s\",\"output_activation\":\"%s\",\"y_shift\":",
            limn_activation_name(p->hidden), limn_activation_name(p->output));
    json_float(f, p->y_shift, 0);
    fputs(",\"y_scale\":", f);
    json_float(f, p->y_scale, 0);
    fputs(",\"layers\":[", f);
    for (size_t l = 0; l < p->nlayers; l++) {
      fprintf(f, "%s{\"in\":%zu,\"out\":%zu,\"W\":[", l ? "," : "", p->width[l], p->width[l + 1]);
      for (size_t o = 0; o < p->width[l + 1]; o++) {
        if (o)
          fputc(',', f);
        json_floats(f, p->W[l] + o * p->width[l], p->width[l]);
      }
      fputs("],\"b\":", f);
      json_floats(f, p->b[l], p->width[l + 1]);
      fputc('}', f);
    }
    fprintf(f, "],\"training\":{\"epochs_run\":%zu,\"best_epoch\":%zu,\"train_loss\":", p->info.epochs_run,
            p->info.best_epoch);
    json_float(f, p->info.train_loss, 0);
    fputs(",\"valid_loss\":", f);
    json_float(f, p->info.valid_loss, 0);
    fprintf(f, ",\"seed\":%llu,\"batch_size\":%zu,\"learning_rate\":", (unsigned long long)p->seed,
            p->batch_size);
    json_float(f, p->learning_rate, 0);
    fputs(",\"l2\":", f);
    json_float(f, p->l2, 0);
    fputs(",\"valid_fraction\":", f);
    json_float(f, p->valid_fraction, 0);
    fputc('}', f);
  }
  if (m->stats)
    json_stats(f, m->stats);
  char sha[65];
  if (limn_model_sha256(ctx, m, sha) == LIMN_OK)
    fprintf(f, ",\"sha256\":\"%s\"", sha);
  limn_ctx_clear_error(ctx);
  fputs("}\n", f);
  return ferror(f) ? limn__err(ctx, LIMN_EIO, "write error") : LIMN_OK;
}

/* A name from a file, padded to `width` bytes, with control characters written as
 * \xHH or \uHHHH: a column named with a terminal escape cannot drive the terminal. */
static void put_name(FILE *f, const char *name, int width) {
  int n = 0;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
    if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
      n += fprintf(f, "\\u%04x", *++p);
    else if (*p < 0x20 || *p == 0x7f)
      n += fprintf(f, "\\x%02x", *p);
    else
      fputc(*p, f), n++;
  }
  for (; n < width; n++)
    fputc(' ', f);
}

int limn_model_write_text(limn_ctx *ctx, const limn_model *m, FILE *f) {
  const limn__mlp *p = limn__mlp_of(m);
  const limn_schema *s = m->schema;
  fprintf(f, "kind:        %s\n", m->kind);
  if (p) {
    fprintf(f, "layers:      ");
    for (size_t l = 0; l <= p->nlayers; l++)
      fprintf(f, "%s%zu", l ? " -> " : "", p->width[l]);
    fprintf(f, " (hidden %s, output %s)\n", limn_activation_name(p->hidden), limn_activation_name(p->output));
    size_t np = 0;
    for (size_t l = 0; l < p->nlayers; l++)
      np += p->width[l] * p->width[l + 1] + p->width[l + 1];
    fprintf(f, "parameters:  %zu\n", np);
  }
  size_t ncat = 0;
  for (size_t j = 0; s && j < m->nfeatures; j++)
    ncat += limn_schema_feature_kind(s, j) == LIMN_COL_CATEGORICAL;
  if (p)
    fprintf(f, "features:    %zu (%zu numeric, standardised; %zu categorical, one-hot) -> %zu inputs\n",
            m->nfeatures, m->nfeatures - ncat, ncat, m->nslots);
  else
    fprintf(f, "features:    %zu (%zu numeric, %zu categorical)\n", m->nfeatures, m->nfeatures - ncat, ncat);
  if (!strcmp(m->kind, "onnx"))
    limn__onnx_describe(m, f);
  if (limn_model_is_trees(m))
    limn__trees_describe(m, f);
  if (s && limn_schema_target_name(s)) {
    fputs("target:      ", f);
    put_name(f, limn_schema_target_name(s), 0);
    fprintf(f, " (%s", limn_schema_task(s) == LIMN_TASK_CLASSIFICATION ? "classification" : "regression");
    size_t nc = limn_schema_nclasses(s), shown = nc > 40 ? 30 : nc; /* a graph may have 10^5 outputs */
    for (size_t k = 0; k < shown; k++)
      fputs(k ? ", " : ": ", f), put_name(f, limn_schema_class_name(s, k), 0);
    if (shown < nc)
      fprintf(f, ", ... and %zu more: %zu classes", nc - shown, nc);
    fputs(")\n", f);
  }
  for (size_t j = 0; s && j < m->nfeatures; j++) {
    fputs("  ", f);
    put_name(f, limn_schema_feature_name(s, j), 28);
    fputc(' ', f);
    if (limn_schema_feature_kind(s, j) == LIMN_COL_CATEGORICAL)
      fprintf(f, "categorical, %zu categories\n", limn_schema_ncategories(s, j));
    else if (p)
      fprintf(f, "numeric, mean %.6g, std %.6g\n", p->mean[j], p->std[j]);
    else
      fputs("numeric\n", f);
  }
  if (p && p->info.epochs_run)
    fprintf(f, "training:    %zu epochs, best %zu, train loss %.6g, validation loss %.6g, seed %llu\n",
            p->info.epochs_run, p->info.best_epoch, p->info.train_loss, p->info.valid_loss,
            (unsigned long long)p->seed);
  if (m->stats)
    fprintf(f, "statistics:  from %zu training rows\n", m->stats->n);
  char sha[65];
  if (limn_model_sha256(ctx, m, sha) == LIMN_OK)
    fprintf(f, "sha256:      %s\n", sha);
  limn_ctx_clear_error(ctx);
  return ferror(f) ? limn__err(ctx, LIMN_EIO, "write error") : LIMN_OK;
}

/* limn explain: gradient attributions for rows of a data file. */
#include "render.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static cli_opt opts[] = {
    {"model", "MODEL", "", "model file", 0, 0, 0},
    {"data", "FILE", "", "rows (CSV with a header, or .arff)", 0, 0, 0},
    {"method", "NAME", "gradient", "gradient, saliency, gradxinput, ig or smoothgrad", 0, 0, 0},
    {"rows", "SPEC", "all", "rows to explain: all, or a list like 0,3,10-20 (0-based data rows)", 0, 0, 0},
    {"target", "COL", NULL, "label column of the data (never a feature; the model knows its own)", 0, 0, 0},
    {"class", "WHICH", "pred",
     "explained output: pred (predicted class), true (each row's label), an index or a class name", 0, 0, 0},
    {"output", "SPACE", "prob", "prob (probability, or value for regression) or logit", 0, 0, 0},
    {"steps", "N", "50", "IG: quadrature nodes", 0, 0, 0},
    {"quadrature", "RULE", "gausslegendre",
     "IG: gausslegendre, riemann_left, riemann_right, riemann_middle, riemann_trapezoid, exact", 0, 0, 0},
    {"baseline", "B", "zero", "IG: zero, mean (training means), row:N (a data row) or a CSV file", 0, 0, 0},
    {"samples", "N", "50", "SmoothGrad: noisy samples", 0, 0, 0},
    {"noise", "X", "0.15", "SmoothGrad: sigma as a fraction of each column's training range", 0, 0, 0},
    {"smooth", "AGG", "mean", "SmoothGrad: mean, mean_abs, mean_sq or vargrad", 0, 0, 0},
    {"smooth-input", "A", "gradient", "SmoothGrad over: gradient or gradxinput", 0, 0, 0},
    {"metrics", NULL, NULL, "also report infidelity and max-sensitivity (10 perturbations each)", 0, 0, 0},
    {"seed", "N", "0", "seed of SmoothGrad noise and metric perturbations", 0, 0, 0},
    {"threads", "N", "0", "threads (0: all cores); results do not depend on it", 0, 0, 0},
    {"format", "FMT", "text", "text, json, jsonl, csv or svg", 0, 0, 0},
    {"top", "N", "10", "text and svg: features shown, most important first (0: all)", 0, 0, 0},
    {"image", "SHAPE", "auto",
     "svg: draw rows as WxH images (auto: square inputs of 16+ numeric columns; none)", 0, 0, 0},
    {"out", "FILE", "-", "where to write ('-': standard output)", 0, 0, 0},
};

static cli_cmd cmd = {
    "explain",
    "explain predictions",
    "limn explain --model MODEL --data FILE [--method gradient|saliency|gradxinput|ig|smoothgrad] "
    "[--rows SPEC] [options]",
    "Attribute the model's output for each chosen row to its input columns. Attributions\n"
    "are in the columns' own units (the model's standardisation is inside it); a\n"
    "categorical column gets the sum over its one-hot slots. IG reports its completeness\n"
    "gap (sum of attributions - (F(x) - F(baseline))); --quadrature exact cuts the path\n"
    "at every ReLU breakpoint, so the gap is at rounding level. Models without gradients\n"
    "fall back to central differences, and the output says so.",
    opts,
    sizeof opts / sizeof *opts};

/* "all" or "0,3,10-20" into a list of row indices < n. */
static int parse_rows(const char *spec, size_t n, size_t **rows, size_t *count) {
  *rows = NULL;
  *count = 0;
  if (!strcmp(spec, "all")) {
    *rows = malloc((n ? n : 1) * sizeof **rows);
    if (!*rows)
      return cli_fail("out of memory");
    for (size_t i = 0; i < n; i++)
      (*rows)[i] = i;
    *count = n;
    return CLI_OK;
  }
  size_t cap = 16, k = 0;
  size_t *v = malloc(cap * sizeof *v);
  const char *p = spec;
  while (v && *p) {
    char *end;
    errno = 0;
    unsigned long long a = strtoull(p, &end, 10), b = a;
    if (end == p || errno || *p == '-')
      break;
    if (*end == '-') {
      const char *q = end + 1;
      b = strtoull(q, &end, 10);
      if (end == q || b < a)
        break;
    }
    if (b >= n) {
      free(v);
      return cli_fail("--rows: row %llu is out of range (the data has %zu rows)", b, n);
    }
    for (unsigned long long r = a; r <= b; r++) {
      if (k == cap) {
        size_t *w = realloc(v, 2 * cap * sizeof *v);
        if (!w)
          break;
        v = w, cap *= 2;
      }
      v[k++] = (size_t)r;
    }
    p = end;
    if (*p == ',')
      p++;
    else if (*p)
      break;
  }
  if (!v || *p || k == 0) {
    free(v);
    return cli_fail("--rows: cannot read '%s' (use all, or a list like 0,3,10-20)", spec), CLI_USAGE;
  }
  *rows = v;
  *count = k;
  return CLI_OK;
}

/* --class: pred, an index, or a class name. */
static int parse_class(const limn_model *m, const char *v, long *target) {
  if (!strcmp(v, "pred") || !strcmp(v, "true")) {
    *target = -1; /* "true": one class per row, set in explain() */
    return CLI_OK;
  }
  for (size_t k = 0; k < limn_model_noutputs(m); k++)
    if (!strcmp(v, limn_model_output_name(m, k))) {
      *target = (long)k;
      return CLI_OK;
    }
  char *end;
  long t = strtol(v, &end, 10);
  if (*v && !*end && t >= 0 && (size_t)t < limn_model_noutputs(m)) {
    *target = t;
    return CLI_OK;
  }
  return cli_fail("--class: '%s' is neither pred, an output index (0..%zu) nor a class name", v,
                  limn_model_noutputs(m) - 1);
}

typedef struct run {
  limn_ctx *ctx;
  limn_model *m;
  limn_dataset *ds, *bds;
  size_t *rows, nrows;
  float *x, *brows;
  limn_grad_opts g;
  char desc[256];
  char manifest[4096];
} run;

/* Method options from the command line into r->g. */
static int method_opts(run *r) {
  limn_grad_opts *g = &r->g;
  *g = limn_grad_opts_default();
  if (limn_method_parse(cli_get(&cmd, "method"), &g->method))
    return cli_fail("--method: unknown method '%s'", cli_get(&cmd, "method")), CLI_USAGE;
  const char *out = cli_get(&cmd, "output");
  if (strcmp(out, "prob") && strcmp(out, "logit"))
    return cli_fail("--output: expected prob or logit, got '%s'", out), CLI_USAGE;
  g->space = !strcmp(out, "logit") ? LIMN_SPACE_LOGIT : LIMN_SPACE_OUTPUT;
  if (limn_quadrature_parse(cli_get(&cmd, "quadrature"), &g->quadrature))
    return cli_fail("--quadrature: unknown rule '%s'", cli_get(&cmd, "quadrature")), CLI_USAGE;
  if (limn_smooth_parse(cli_get(&cmd, "smooth"), &g->smooth))
    return cli_fail("--smooth: unknown aggregate '%s'", cli_get(&cmd, "smooth")), CLI_USAGE;
  const char *si = cli_get(&cmd, "smooth-input");
  if (strcmp(si, "gradient") && strcmp(si, "gradxinput"))
    return cli_fail("--smooth-input: expected gradient or gradxinput, got '%s'", si), CLI_USAGE;
  g->smooth_gxi = !strcmp(si, "gradxinput");
  if (cli_size(&cmd, "steps", 1, 100000, &g->steps) || cli_size(&cmd, "samples", 1, 100000, &g->samples) ||
      cli_double(&cmd, "noise", 0, 100, &g->noise) || cli_u64(&cmd, "seed", &g->seed))
    return CLI_USAGE;
  return CLI_OK;
}

/* --baseline: zero, mean, row:N or a CSV file of 1 or as many rows as explained. */
static int baseline_opts(run *r) {
  const char *b = cli_get(&cmd, "baseline");
  size_t d = limn_model_nfeatures(r->m);
  if (!strcmp(b, "zero"))
    return CLI_OK;
  if (!strcmp(b, "mean")) {
    r->g.baseline = LIMN_BASELINE_MEAN;
    return CLI_OK;
  }
  r->g.baseline = LIMN_BASELINE_ROWS;
  if (!strncmp(b, "row:", 4)) {
    char *end;
    unsigned long long k = strtoull(b + 4, &end, 10);
    if (!b[4] || *end || k >= limn_dataset_nrows(r->ds))
      return cli_fail("--baseline: '%s' names no data row (0..%zu)", b, limn_dataset_nrows(r->ds) - 1);
    r->brows = malloc(d * sizeof(float));
    if (!r->brows)
      return cli_fail("out of memory");
    memcpy(r->brows, limn_dataset_x(r->ds) + k * d, d * sizeof(float));
    r->g.baseline_rows = r->brows;
    r->g.nbaseline_rows = 1;
    return CLI_OK;
  }
  limn_read_opts ro = limn_read_opts_default();
  ro.schema = limn_model_schema(r->m);
  ro.target_optional = 1;
  int lr = limn_dataset_read(r->ctx, b, &ro, &r->bds);
  if (lr)
    return cli_lib_fail(r->ctx, lr);
  size_t nb = limn_dataset_nrows(r->bds);
  if (nb != 1 && nb != r->nrows)
    return cli_fail("--baseline %s: has %zu rows; give 1 row or one per explained row (%zu)", b, nb,
                    r->nrows);
  r->g.baseline_rows = limn_dataset_x(r->bds);
  r->g.nbaseline_rows = nb;
  return CLI_OK;
}

/* Human summary of the method and its options. */
static void describe(run *r) {
  const limn_grad_opts *g = &r->g;
  int n = snprintf(r->desc, sizeof r->desc, "%s", limn_method_name(g->method));
  if (g->method == LIMN_METHOD_IG && g->quadrature == LIMN_QUAD_EXACT)
    n += snprintf(r->desc + n, sizeof r->desc - (size_t)n, ", exact, baseline %s", cli_get(&cmd, "baseline"));
  else if (g->method == LIMN_METHOD_IG)
    n += snprintf(r->desc + n, sizeof r->desc - (size_t)n, ", %s, %zu steps, baseline %s",
                  limn_quadrature_name(g->quadrature), g->steps, cli_get(&cmd, "baseline"));
  else if (g->method == LIMN_METHOD_SMOOTHGRAD)
    snprintf(r->desc + n, sizeof r->desc - (size_t)n, ", %s of %s, %zu samples, noise %g, seed %llu",
             limn_smooth_name(g->smooth), g->smooth_gxi ? "gradient x input" : "gradient", g->samples,
             g->noise, (unsigned long long)g->seed);
}

/* The manifest: what produced these explanations, to reproduce them. */
static int build_manifest(run *r) {
  char msha[65], dsha[65];
  int lr = limn_sha256_file(r->ctx, cli_get(&cmd, "model"), msha);
  if (!lr)
    lr = limn_sha256_file(r->ctx, cli_get(&cmd, "data"), dsha);
  if (lr)
    return cli_lib_fail(r->ctx, lr);
  char *p = r->manifest;
  size_t cap = sizeof r->manifest;
  int n = snprintf(p, cap,
                   "{\"limn_version\":\"%s\",\"model_sha256\":\"%s\",\"data_sha256\":\"%s\",\"options\":{",
                   limn_version(), msha, dsha);
  const char *keys[] = {"method",  "class", "output", "steps",        "quadrature", "baseline",
                        "samples", "noise", "smooth", "smooth-input", "seed"};
  for (size_t i = 0; i < sizeof keys / sizeof *keys && n > 0 && (size_t)n < cap; i++) {
    n += snprintf(p + n, cap - (size_t)n, "%s\"%s\":\"", i ? "," : "", keys[i]);
    for (const char *v = cli_get(&cmd, keys[i]); *v && (size_t)n + 8 < cap; v++) {
      if (*v == '"' || *v == '\\')
        p[n++] = '\\';
      p[n++] = (unsigned char)*v < 0x20 ? ' ' : *v;
    }
    n += snprintf(p + n, cap - (size_t)n, "\"");
  }
  if (n <= 0 || (size_t)n + 3 >= cap)
    return cli_fail("manifest too long");
  snprintf(p + n, cap - (size_t)n, "}}");
  return CLI_OK;
}

/* --image: "auto", "none" or "WxH". */
static void image_shape(const run *r, size_t *w, size_t *h) {
  const char *v = cli_get(&cmd, "image");
  size_t d = limn_model_nfeatures(r->m);
  *w = *h = 0;
  if (!strcmp(v, "none"))
    return;
  if (!strcmp(v, "auto")) {
    size_t s = (size_t)lround(sqrt((double)d));
    if (s * s == d && d >= 16 && limn_model_nslots(r->m) == d)
      *w = *h = s;
    return;
  }
  unsigned a, b;
  char extra;
  if (sscanf(v, "%ux%u%c", &a, &b, &extra) == 2 && (size_t)a * b == d)
    *w = a, *h = b;
}

static int load(run *r) {
  int lr = limn_model_load(r->ctx, cli_get(&cmd, "model"), &r->m);
  if (!lr) {
    limn_read_opts ro = limn_read_opts_default();
    ro.schema = limn_model_schema(r->m);
    ro.target_optional = 1;
    lr = limn_dataset_read(r->ctx, cli_get(&cmd, "data"), &ro, &r->ds);
  }
  if (lr)
    return cli_lib_fail(r->ctx, lr);
  const char *t = cli_get(&cmd, "target");
  if (t && limn_schema_find_feature(limn_model_schema(r->m), t) >= 0)
    return cli_fail("--target: '%s' is one of the model's features, not a label column", t);
  return CLI_OK;
}

static int write_out(run *r, limn_explanation *ex, const double *inf, const double *sens) {
  size_t d = limn_model_nfeatures(r->m), top;
  if (cli_size(&cmd, "top", 0, 1000000, &top))
    return CLI_USAGE;
  render_row *rows = calloc(r->nrows, sizeof *rows);
  if (!rows)
    return cli_fail("out of memory");
  for (size_t i = 0; i < r->nrows; i++) {
    rows[i].ex = &ex[i];
    rows[i].data_row = r->rows[i];
    rows[i].line = limn_dataset_row_line(r->ds, r->rows[i]);
    rows[i].x = r->x + i * d;
    rows[i].infidelity = inf ? inf[i] : NAN;
    rows[i].sensitivity = sens ? sens[i] : NAN;
  }
  render_ctx rc = {r->m, r->desc, r->manifest, top, 0, 0};
  image_shape(r, &rc.image_w, &rc.image_h);
  const char *fmt = cli_get(&cmd, "format");
  FILE *f = cli_open_out(cli_get(&cmd, "out"));
  int rc_ = CLI_FAIL;
  if (f) {
    if (!strcmp(fmt, "text"))
      render_text(f, &rc, rows, r->nrows);
    else if (!strcmp(fmt, "json") || !strcmp(fmt, "jsonl"))
      render_json(f, &rc, rows, r->nrows, !strcmp(fmt, "jsonl"));
    else if (!strcmp(fmt, "csv"))
      render_csv(f, &rc, rows, r->nrows);
    else
      render_svg(f, &rc, rows, r->nrows);
    rc_ = cli_close_out(f, cli_get(&cmd, "out"), 1);
  }
  free(rows);
  return rc_;
}

static int explain(run *r) {
  size_t d = limn_model_nfeatures(r->m);
  r->x = malloc(r->nrows * d * sizeof(float));
  if (!r->x)
    return cli_fail("out of memory");
  for (size_t i = 0; i < r->nrows; i++)
    memcpy(r->x + i * d, limn_dataset_x(r->ds) + r->rows[i] * d, d * sizeof(float));
  r->g.row_ids = r->rows;
  long *truth = NULL;
  if (!strcmp(cli_get(&cmd, "class"), "true")) {
    const float *y = limn_dataset_y(r->ds);
    if (!y || limn_model_task(r->m) != LIMN_TASK_CLASSIFICATION)
      return cli_fail("--class true: the data has no class labels for this model (column '%s')",
                      limn_schema_target_name(limn_model_schema(r->m)));
    truth = malloc(r->nrows * sizeof *truth);
    if (!truth)
      return cli_fail("out of memory");
    for (size_t i = 0; i < r->nrows; i++)
      truth[i] = (long)y[r->rows[i]];
    r->g.targets = truth;
  }
  limn_explanation *ex = NULL;
  double *inf = NULL, *sens = NULL;
  int lr = limn_explain_gradients(r->ctx, r->m, r->x, r->nrows, &r->g, &ex);
  if (!lr && cli_isset(&cmd, "metrics")) {
    limn_quality_opts q = limn_quality_opts_default();
    q.seed = r->g.seed;
    q.row_ids = r->rows;
    inf = malloc(r->nrows * sizeof *inf);
    sens = malloc(r->nrows * sizeof *sens);
    lr = inf && sens ? limn_infidelity(r->ctx, r->m, r->x, r->nrows, ex, &q, inf) : LIMN_ENOMEM;
    if (!lr)
      lr = limn_max_sensitivity(r->ctx, r->m, r->x, r->nrows, &r->g, ex, &q, sens);
  }
  int rc = lr ? cli_lib_fail(r->ctx, lr) : write_out(r, ex, inf, sens);
  limn_explanations_free(r->ctx, ex, r->nrows);
  free(truth);
  free(inf);
  free(sens);
  return rc;
}

int cmd_explain(int argc, char **argv) {
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  const char *fmt = cli_get(&cmd, "format");
  if (strcmp(fmt, "text") && strcmp(fmt, "json") && strcmp(fmt, "jsonl") && strcmp(fmt, "csv") &&
      strcmp(fmt, "svg"))
    return cli_fail("--format: expected text, json, jsonl, csv or svg, got '%s'", fmt), CLI_USAGE;
  size_t threads;
  if (cli_size(&cmd, "threads", 0, 4096, &threads))
    return CLI_USAGE;
  run r;
  memset(&r, 0, sizeof r);
  if ((rc = method_opts(&r)))
    return rc;
  r.ctx = cli_ctx(&cmd);
  if (!r.ctx)
    return CLI_FAIL;
  if (!(rc = load(&r)) &&
      !(rc = parse_rows(cli_get(&cmd, "rows"), limn_dataset_nrows(r.ds), &r.rows, &r.nrows)) &&
      !(rc = parse_class(r.m, cli_get(&cmd, "class"), &r.g.target)) && !(rc = baseline_opts(&r)) &&
      !(rc = build_manifest(&r))) {
    describe(&r);
    rc = explain(&r);
  }
  free(r.rows);
  free(r.x);
  free(r.brows);
  limn_dataset_free(r.bds);
  limn_dataset_free(r.ds);
  limn_model_free(r.m);
  limn_ctx_free(r.ctx);
  return rc;
}

/* limn explain: gradient attributions for rows of a data file. */
#include "common.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static cli_opt opts[] = {
    {"model", "MODEL", NULL, "model file, limn or ONNX (or --model-cmd)", 0, 0, 0},
    CLI_MODEL_CMD_OPTS,
    {"output-kind", "KIND", "auto", "ONNX: the graph's output: auto, probabilities, logits or value", 0, 0,
     0},
    {"data", "FILE", NULL, "rows (CSV with a header, or .arff; or --images)", 0, 0, 0},
    CLI_IMAGE_OPTS,
    CLI_TEXTS_OPT,
    {"method", "NAME", "gradient",
     "gradient, saliency, gradxinput, ig, smoothgrad, lime, shap, occlusion (any model: --window, --stride, "
     "--fill), or for image models lime-image (LIME on superpixels: --segments, --hide) and, ONNX, gradcam "
     "or gradcam++ (Grad-CAM at --layer, upsampled to the pixels)",
     0, 0, 0},
    {"window", "HxW", "4x4",
     "occlusion: the window set to --fill (rows x columns of an image model; a run of columns otherwise)", 0,
     0, 0},
    {"stride", "HxW", "2x2", "occlusion: how far the window moves (rows x columns)", 0, 0, 0},
    {"fill", "V", "0", "occlusion: the value an occluded feature takes", 0, 0, 0},
    {"layer", "NAME", NULL,
     "gradcam: the graph's value whose maps are weighed (its ONNX name; default: the "
     "output of the last Conv)",
     0, 0, 0},
    {"rows", "SPEC", "all",
     "rows to explain: all, or a list like 0,3,10-20 (0-based data rows; wide and npy: ascending, streamed)",
     0, 0, 0},
    {"target", "COL", NULL, "label column of the data (never a feature; the model knows its own)", 0, 0, 0},
    {"class", "WHICH", "pred",
     "explained output: pred (predicted class), true (each row's label), top:K (LIME), an index or a class "
     "name",
     0, 0, 0},
    {"output", "SPACE", "prob", "prob (probability, or value for regression) or logit", 0, 0, 0},
    {"steps", "N", "50", "IG: quadrature nodes", 0, 0, 0},
    {"quadrature", "RULE", "auto",
     "IG: auto (exact where the model is piecewise-linear, else gausslegendre), exact, gausslegendre, "
     "riemann_left, riemann_right, riemann_middle or riemann_trapezoid",
     0, 0, 0},
    {"baseline", "B", "zero",
     "IG, and SHAP without --background: zero, mean (the training means stored in the model, or, for a model "
     "without them, --background's), row:N (a data row) or a CSV file; image models also black (pixels 0, "
     "normalised by --mean and --std), blur[:S] (each image blurred by a Gaussian of S pixels, default 5) or "
     "noise (uniform pixels, seeded by --seed and the row)",
     0, 0, 0},
    {"samples", "N", "50", "SmoothGrad: noisy samples", 0, 0, 0},
    {"noise", "X", "0.15", "SmoothGrad: sigma as a fraction of each column's training range", 0, 0, 0},
    {"smooth", "AGG", "mean", "SmoothGrad: mean, mean_abs, mean_sq or vargrad", 0, 0, 0},
    {"smooth-input", "A", "gradient", "SmoothGrad over: gradient or gradxinput", 0, 0, 0},
    {"metrics", NULL, NULL,
     "also report infidelity and max-sensitivity (10 perturbations each), and the areas under the deletion "
     "and insertion curves (20 steps; removed features take the --baseline: zero, the training mean, or its "
     "rows: black, blur, noise, row:N, a file)",
     0, 0, 0},
    {"background", "FILE", NULL,
     "LIME: training data for the statistics (default: those stored in the model); SHAP: the game's "
     "reference rows",
     0, 0, 0},
    {"background-size", "N", "100",
     "SHAP: background rows at most (more: a uniform sample without replacement, seeded by --seed)", 0, 0, 0},
    {"estimator", "NAME", "auto",
     "SHAP: auto (a tree model: tree without --background, tree-interventional with one when its raw "
     "output is explained (--output logit for boosted classifiers); else exact up to 12 varying columns, "
     "else sampling; kernel with --link logit), exact, kernel, permutation, sampling (permutations with one "
     "background row each), tree (path-dependent TreeSHAP of a tree model's raw output: margin, or a "
     "forest's probability) or tree-interventional (exact interventional TreeSHAP over --background)",
     0, 0, 0},
    {"nsamples", "N", "auto",
     "SHAP, sampled: kernel and permutation: coalitions (auto: 2M + 2048; permutation: 2M + 1 each); "
     "sampling: "
     "permutations (auto: 2000 or 20 per background row, rounded up to a multiple of the background size)",
     0, 0, 0},
    {"link", "NAME", "identity", "SHAP: identity or logit (of the averaged probability)", 0, 0, 0},
    {"groups", "FILE", NULL,
     "SHAP: columns that play together, a CSV of column,group (e.g. one-hot columns or a sensor's "
     "channels); columns not listed play alone",
     0, 0, 0},
    {"tolerance", "T", "0",
     "SHAP, sampled: double the budget until every standard error is at most T (up to 2^20 coalitions; 0: "
     "off)",
     0, 0, 0},
    {"num-features", "N", "10", "LIME: features in the surrogate (lime-image: superpixels; default all)", 0,
     0, 0},
    {"num-samples", "N", "auto",
     "LIME: neighbourhood size (auto: 65536 with limn's estimator on up to 64 features, else 5000; "
     "lime-image: 1000)",
     0, 0, 0},
    {"segments", "N", "50", "lime-image: SLIC superpixels asked for", 0, 0, 0},
    {"compactness", "C", "10", "lime-image: SLIC's weight of distance against colour", 0, 0, 0},
    {"hide", "V", "mean",
     "lime-image: what a hidden superpixel shows: mean (its mean per channel, lime's default) or a value", 0,
     0, 0},
    {"discretizer", "NAME", "quartile", "LIME: quartile, decile, entropy or none (continuous)", 0, 0, 0},
    {"kernel-width", "W", "0", "LIME: kernel width (0: 0.75 sqrt(features); lime-image: 0.25)", 0, 0, 0},
    {"feature-selection", "NAME", "auto",
     "LIME: auto, none, forward_selection, highest_weights or lasso_path", 0, 0, 0},
    {"sample-around-instance", NULL, NULL, "LIME, continuous mode: centre the samples on the row", 0, 0, 0},
    {"compat", "NAME", "none", "LIME: 'lime' for lime's own i.i.d. estimator", 0, 0, 0},
    {"stability", "K", "0",
     "LIME: also report the mean top-5 Jaccard over K seeds (per row, and over the rows)", 0, 0, 0},
    {"pick", "B", "0", "LIME: output only B explanations chosen by submodular pick (SP-LIME)", 0, 0, 0},
    {"global", NULL, NULL,
     "LIME and SHAP: the mean |weight| of each feature over the rows instead (svg: a beeswarm summary)", 0, 0,
     0},
    {"seed", "N", "0", "seed of SmoothGrad noise, metric perturbations, LIME's and SHAP's samples", 0, 0, 0},
    {"threads", "N", "0", "threads (0: the cores other work leaves free); results do not depend on it", 0, 0,
     0},
    {"format", "FMT", "text",
     "text, json, jsonl, csv, svg, wide (CSV, one line per row: row, class, output, base_value, delta, "
     "reliable, a weight per feature; every method) or npy (the same columns as a float64 matrix for "
     "numpy, class as its index; --out FILE). wide, npy, and text, jsonl and csv with one explanation "
     "per row (no --metrics, --global, --pick, --stability, top:K or --groups) are streamed --block-rows "
     "at a time",
     0, 0, 0},
    CLI_BLOCK_ROWS_OPT,
    CLI_FIRST_ROW_OPT,
    CLI_ID_COLUMN_OPT,
    {"reasons", "N", "4",
     "text: reason codes per row, the N features that pushed most toward the unfavourable side (0: none)", 0,
     0, 0},
    {"favourable", "CLASS", NULL,
     "reason codes: the favourable class (e.g. good); its explanations list what lowered it", 0, 0, 0},
    {"protected", "COLS", NULL, CLI_PROTECTED_HELP, 0, 0, 0},
    {"describe", "FILE", NULL, CLI_DESCRIBE_HELP, 0, 0, 0},
    {"top", "N", "10", "text and svg: features shown, most important first (0: all)", 0, 0, 0},
    {"plot", "NAME", "waterfall", "svg of SHAP rows: waterfall (a step per feature) or force (one bar)", 0, 0,
     0},
    {"dependence", "COL", NULL,
     "svg: one column over the explained rows, its value against its attribution, coloured by the column "
     "that interacts most (instead of a chart per row)",
     0, 0, 0},
    {"image", "SHAPE", "auto",
     "svg: draw rows as WxH images (auto: an ONNX image model's input, else square inputs of 16+ numeric "
     "columns; none)",
     0, 0, 0},
    {"sanity", "N", "0",
     "the randomisation check (Adebayo et al. 2018): explain again with the model's last N weighted layers "
     "re-drawn at random (--seed) and report each row's rank correlation of |attribution| between the two "
     "(near 0: the map depends on what the model learned); limn MLPs and ONNX models (0: off)",
     0, 0, 0},
    {"overlay", "DIR", NULL,
     "image rows: also write each row's map over its image as DIR/NAME.png (NAME: the image file's name "
     "with --images, else row-N)",
     0, 0, 0},
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

/* --class: pred, an index, or a class name. */
static int parse_class(const limn_model *m, const char *v, long *target) {
  if (!strncmp(v, "top:", 4)) {
    char *end;
    long k = strtol(v + 4, &end, 10);
    if (!v[4] || *end || k < 1 || (size_t)k > limn_model_noutputs(m))
      return cli_fail("--class %s: K must be in 1..%zu", v, limn_model_noutputs(m)), CLI_USAGE;
    *target = -1;
    return CLI_OK;
  }
  if (!strcmp(v, "pred") || !strcmp(v, "true")) {
    *target = -1; /* "true": one class per row, set in explain() */
    return CLI_OK;
  }
  if ((*target = cli_output_index(m, v, 1)) >= 0)
    return CLI_OK;
  return cli_fail("--class: '%s' is neither pred, an output index (0..%zu) nor a class name", v,
                  limn_model_noutputs(m) - 1),
         CLI_USAGE;
}

/* A class by name or index; -1 when none matches (or the model has no classes). */
static long find_class(const limn_model *m, const char *v) {
  return limn_model_task(m) == LIMN_TASK_CLASSIFICATION ? cli_output_index(m, v, 1) : -1;
}

/* The command line, parsed once. */
typedef struct explain_args {
  limn_grad_opts g;        /* the method and its options */
  limn_lime_opts lo;       /* LIME's */
  limn_lime_image_opts li; /* LIME on superpixels' */
  limn_shap_opts so;       /* SHAP's (its background comes later) */
  size_t background_size;
  limn_format fmt;
  size_t top, reasons, stability, pick;
  int metrics, global, num_features_set;
  const char *model, *model_cmd, *data, *target, *rows, *cls, *baseline, *background, *favourable, *image,
      *out;
  const char *dependence;
  limn_shap_plot plot; /* --plot */
  int wide, npy;       /* --format wide or npy */
  size_t block;        /* --block-rows */
} explain_args;

typedef struct run {
  explain_args a;
  limn_ctx *ctx;
  limn_model *m;
  limn_dataset *ds, *bds;
  size_t *rows, nrows;
  float *x, *brows;
  limn_grad_opts g;
  limn_lime_opts lo;
  limn_stats *bg_owned;
  const limn_stats *bg;
  char desc[512], shap_bg_desc[160];
  float *shap_bg; /* SHAP's background rows */
  size_t shap_nbg;
  size_t *shap_groups, shap_ngroups; /* --groups: the player of each column */
  limn_manifest *manifest;
  size_t iw, ih;              /* lime-image: the rows' image (--image, or the model's) */
  size_t sanity_layers;       /* --sanity */
  limn_onnx_output onnx_kind; /* --output-kind, for a second copy of an ONNX model */
} run;

/* Method options from the command line into a->g. */
static int method_opts(explain_args *a) {
  limn_grad_opts *g = &a->g;
  *g = limn_grad_opts_default();
  if (limn_method_parse(cli_get(&cmd, "method"), &g->method))
    return cli_fail("--method: unknown method '%s'", cli_get(&cmd, "method")), CLI_USAGE;
  g->layer = cli_get(&cmd, "layer");
  const char *hw[2] = {cli_get(&cmd, "window"), cli_get(&cmd, "stride")};
  size_t *dst[2] = {g->window, g->stride};
  for (int q = 0; q < 2; q++) {
    unsigned long hh, ww;
    char tail;
    if (sscanf(hw[q], "%lux%lu%c", &hh, &ww, &tail) != 2 || !hh || !ww || hh > 4096 || ww > 4096)
      return cli_fail("--%s: expected HxW (e.g. 4x4; 1 to 4096 each), got '%s'", q ? "stride" : "window",
                      hw[q]),
             CLI_USAGE;
    dst[q][0] = hh, dst[q][1] = ww;
  }
  double fill;
  if (cli_double(&cmd, "fill", -3.4e38, 3.4e38, &fill))
    return CLI_USAGE;
  g->fill = (float)fill;
  if (g->layer && g->method != LIMN_METHOD_GRADCAM && g->method != LIMN_METHOD_GRADCAMPP)
    return cli_fail("--layer: for --method gradcam or gradcam++"), CLI_USAGE;
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

/* LIME options from the command line into a->lo. */
static int lime_opts(explain_args *a) {
  limn_lime_opts *o = &a->lo;
  *o = limn_lime_opts_default();
  if (limn_discretizer_parse(cli_get(&cmd, "discretizer"), &o->discretizer))
    return cli_fail("--discretizer: unknown discretizer '%s'", cli_get(&cmd, "discretizer")), CLI_USAGE;
  if (limn_selection_parse(cli_get(&cmd, "feature-selection"), &o->selection))
    return cli_fail("--feature-selection: unknown method '%s'", cli_get(&cmd, "feature-selection")),
           CLI_USAGE;
  const char *c = cli_get(&cmd, "compat");
  if (strcmp(c, "none") && strcmp(c, "lime"))
    return cli_fail("--compat: expected lime or none, got '%s'", c), CLI_USAGE;
  o->compat = !strcmp(c, "lime");
  o->sample_around_instance = cli_isset(&cmd, "sample-around-instance");
  if (cli_size(&cmd, "num-features", 1, 1000000, &o->num_features) ||
      cli_size_auto(&cmd, "num-samples", 2, 10000000, &o->num_samples) ||
      cli_double(&cmd, "kernel-width", 0, 1e12, &o->kernel_width) || cli_u64(&cmd, "seed", &o->seed) ||
      cli_size(&cmd, "stability", 0, 1000, &a->stability) || cli_size(&cmd, "pick", 0, 1000000, &a->pick))
    return CLI_USAGE;
  a->num_features_set = cli_isset(&cmd, "num-features");
  return CLI_OK;
}

/* lime-image's options into a->li (the image's shape comes from the model, or --image). */
static int lime_image_opts(explain_args *a) {
  limn_lime_image_opts *o = &a->li;
  *o = limn_lime_image_opts_default();
  size_t ns = 0;
  if (cli_size_auto(&cmd, "num-samples", 2, 10000000, &ns) ||
      cli_size(&cmd, "segments", 1, 100000, &o->segments) ||
      cli_double(&cmd, "compactness", 1e-6, 1e6, &o->compactness) ||
      cli_double(&cmd, "kernel-width", 0, 1e12, &o->kernel_width) || cli_u64(&cmd, "seed", &o->seed))
    return CLI_USAGE;
  if (ns)
    o->num_samples = ns;
  if (o->kernel_width == 0)
    o->kernel_width = 0.25;
  if (cli_isset(&cmd, "num-features") && cli_size(&cmd, "num-features", 1, 1000000, &o->num_features))
    return CLI_USAGE;
  const char *h = cli_get(&cmd, "hide");
  if (strcmp(h, "mean")) {
    char *end;
    double v = strtod(h, &end);
    if (end == h || *end || !isfinite(v) || fabs(v) > 3.4e38)
      return cli_fail("--hide: expected mean or a number, got '%s'", h), CLI_USAGE;
    o->hide_mean = 0, o->hide = (float)v;
  }
  return CLI_OK;
}

/* SHAP options from the command line into a->so. */
static int shap_opts(explain_args *a) {
  limn_shap_opts *o = &a->so;
  *o = limn_shap_opts_default();
  if (limn_shap_estimator_parse(cli_get(&cmd, "estimator"), &o->estimator))
    return cli_fail("--estimator: expected auto, exact, kernel, permutation, sampling, tree or "
                    "tree-interventional, got '%s'",
                    cli_get(&cmd, "estimator")),
           CLI_USAGE;
  if (limn_link_parse(cli_get(&cmd, "link"), &o->link))
    return cli_fail("--link: expected identity or logit, got '%s'", cli_get(&cmd, "link")), CLI_USAGE;
  if (cli_size_auto(&cmd, "nsamples", 3, 100000000, &o->nsamples) ||
      cli_size(&cmd, "background-size", 1, 100000, &a->background_size) || cli_u64(&cmd, "seed", &o->seed) ||
      cli_double(&cmd, "tolerance", 0, 1e300, &o->tolerance))
    return CLI_USAGE;
  o->space = a->g.space;
  return CLI_OK;
}

/* Every option, checked before anything is read. */
static int parse_args(int argc, char **argv, explain_args *a) {
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  memset(a, 0, sizeof *a);
  const char *fmt = cli_get(&cmd, "format");
  a->npy = !strcmp(fmt, "npy");
  a->wide = a->npy || !strcmp(fmt, "wide");
  if (a->wide)
    a->fmt = LIMN_FORMAT_CSV;
  else if (limn_format_parse(fmt, &a->fmt))
    return cli_fail("--format: expected text, json, jsonl, csv, svg, wide or npy, got '%s'", fmt), CLI_USAGE;
  if (cli_size(&cmd, "block-rows", 1, 100000000, &a->block))
    return CLI_USAGE;
  if (cli_isset(&cmd, "first-row") && !a->wide)
    return cli_fail("--first-row: for the streamed formats (wide, npy); --rows picks rows of a whole file"),
           CLI_USAGE;
  if (cli_isset(&cmd, "id-column") && (!a->wide || a->npy))
    return cli_fail("--id-column: for --format wide (npy holds numbers: its rows are indices)"), CLI_USAGE;
  size_t threads;
  if (cli_size(&cmd, "threads", 0, 4096, &threads))
    return CLI_USAGE;
  if ((rc = method_opts(a)) || (a->g.method == LIMN_METHOD_LIME && (rc = lime_opts(a))) ||
      (a->g.method == LIMN_METHOD_LIME_IMAGE && (rc = lime_image_opts(a))))
    return rc;
  if (cli_size(&cmd, "top", 0, 1000000, &a->top) || cli_size(&cmd, "reasons", 0, 1000, &a->reasons))
    return CLI_USAGE;
  if (a->g.method == LIMN_METHOD_SHAP && (rc = shap_opts(a)))
    return rc;
  a->model = cli_get(&cmd, "model"), a->model_cmd = cli_get(&cmd, "model-cmd");
  a->data = cli_get(&cmd, "data"), a->target = cli_get(&cmd, "target"), a->rows = cli_get(&cmd, "rows");
  a->cls = cli_get(&cmd, "class"), a->baseline = cli_get(&cmd, "baseline");
  a->background = cli_get(&cmd, "background"), a->favourable = cli_get(&cmd, "favourable");
  a->image = cli_get(&cmd, "image"), a->out = cli_get(&cmd, "out");
  a->metrics = cli_isset(&cmd, "metrics");
  a->dependence = cli_get(&cmd, "dependence");
  const char *plot = cli_get(&cmd, "plot");
  if (strcmp(plot, "waterfall") && strcmp(plot, "force"))
    return cli_fail("--plot: expected waterfall or force, got '%s'", plot), CLI_USAGE;
  a->plot = strcmp(plot, "force") ? LIMN_SHAP_PLOT_WATERFALL : LIMN_SHAP_PLOT_FORCE;
  if (a->dependence && a->fmt != LIMN_FORMAT_SVG)
    return cli_fail("--dependence draws an SVG: give --format svg"), CLI_USAGE;
  a->global = cli_isset(&cmd, "global");
  return CLI_OK;
}

static int lime_background(run *r);

/* An image model's baselines: black (one row), blur[:S] and noise (one per explained row),
 * in the model's input units (--images' normalisation). */
static int image_baseline(run *r, const char *b) {
  size_t c = 0, h = 0, w = 0, d = limn_model_nfeatures(r->m);
  const cli_images_info *ii = cli_images();
  const double zero[3] = {0, 0, 0}, one[3] = {1, 1, 1}, *mean = ii ? ii->mean : zero,
               *sd = ii ? ii->std : one;
  if (limn_model_image_shape(r->ctx, r->m, &c, &h, &w) || c * h * w != d || (c != 1 && c != 3))
    return cli_fail("--baseline %s: for an image model (an ONNX graph taking (N, C, H, W), C 1 or 3)", b),
           CLI_USAGE;
  double sigma = 5;
  if (!strncmp(b, "blur:", 5)) {
    char *end;
    sigma = strtod(b + 5, &end);
    if (end == b + 5 || *end || !(sigma > 0 && sigma <= 1000))
      return cli_fail("--baseline %s: expected blur:S with S > 0 pixels", b), CLI_USAGE;
  }
  int black = !strcmp(b, "black"), noise = !strcmp(b, "noise");
  size_t nb = black ? 1 : r->nrows;
  float *px = malloc(h * w * c * sizeof *px);
  r->brows = malloc(nb * d * sizeof *r->brows);
  if (!r->brows || !px) {
    free(px);
    return cli_fail("out of memory");
  }
  int lr = LIMN_OK;
  for (size_t i = 0; i < nb && !lr; i++) {
    limn_image *im = NULL, *bl = NULL;
    if (black || noise) {
      limn_rng g;
      limn_rng_init(&g, r->g.seed, noise ? r->rows[i] : 0);
      for (size_t q = 0; q < h * w * c; q++)
        px[q] = noise ? (float)limn_rng_uniform(&g) : 0.0f;
      lr = limn_image_create(r->ctx, w, h, c, px, &im);
    } else {
      const float *x = limn_dataset_x(r->ds) + r->rows[i] * d;
      lr = limn_image_from_input(r->ctx, x, c, h, w, mean, sd, &bl);
      if (!lr)
        lr = limn_image_blur(r->ctx, bl, sigma, &im);
    }
    if (!lr)
      lr = limn_image_to_input(r->ctx, im, mean, sd, r->brows + i * d);
    limn_image_free(im), limn_image_free(bl);
  }
  free(px);
  if (lr)
    return cli_lib_fail(r->ctx, lr);
  r->g.baseline = LIMN_BASELINE_ROWS;
  r->g.baseline_rows = r->brows;
  r->g.nbaseline_rows = nb;
  return CLI_OK;
}

/* --baseline: zero, mean (the model's statistics, or --background's), row:N, a CSV file
 * of 1 or as many rows as explained, or an image model's black, blur[:S] or noise. */
static int baseline_opts(run *r) {
  const char *b = r->a.baseline;
  size_t d = limn_model_nfeatures(r->m);
  if (!strcmp(b, "zero"))
    return CLI_OK;
  if (!strcmp(b, "black") || !strcmp(b, "noise") || !strcmp(b, "blur") || !strncmp(b, "blur:", 5))
    return image_baseline(r, b);
  if (!strcmp(b, "mean")) { /* the model's statistics, or the background file's */
    r->g.baseline = LIMN_BASELINE_MEAN;
    if (limn_model_stats(r->m))
      return CLI_OK;
    if (!r->a.background)
      return cli_fail("--baseline mean: the model stores no training statistics: give --background FILE "
                      "(training data) for its means"),
             CLI_USAGE;
    int rc = lime_background(r);
    r->g.stats = r->bg;
    return rc;
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
  int pwl = limn_model_piecewise_linear(r->m, NULL, 0);
  if (g->method == LIMN_METHOD_IG &&
      (g->quadrature == LIMN_QUAD_EXACT || (g->quadrature == LIMN_QUAD_AUTO && pwl)))
    n += snprintf(r->desc + n, sizeof r->desc - (size_t)n, ", exact, baseline %s", r->a.baseline);
  else if (g->method == LIMN_METHOD_IG && g->quadrature == LIMN_QUAD_AUTO)
    n += snprintf(r->desc + n, sizeof r->desc - (size_t)n, ", gausslegendre, %zu steps, baseline %s",
                  g->steps, r->a.baseline);
  else if (g->method == LIMN_METHOD_IG)
    n += snprintf(r->desc + n, sizeof r->desc - (size_t)n, ", %s, %zu steps, baseline %s",
                  limn_quadrature_name(g->quadrature), g->steps, r->a.baseline);
  else if (g->method == LIMN_METHOD_SMOOTHGRAD)
    snprintf(r->desc + n, sizeof r->desc - (size_t)n, ", %s of %s, %zu samples, noise %g, seed %llu",
             limn_smooth_name(g->smooth), g->smooth_gxi ? "gradient x input" : "gradient", g->samples,
             g->noise, (unsigned long long)g->seed);
  else if (g->method == LIMN_METHOD_SHAP)
    snprintf(r->desc + n, sizeof r->desc - (size_t)n, ", %s, %s, %s link, seed %llu",
             limn_shap_estimator_name(r->a.so.estimator), r->shap_bg_desc, limn_link_name(r->a.so.link),
             (unsigned long long)r->a.so.seed);
  else if (g->method == LIMN_METHOD_GRADCAM || g->method == LIMN_METHOD_GRADCAMPP)
    snprintf(r->desc + n, sizeof r->desc - (size_t)n, ", layer %s, upsampled to the pixels",
             g->layer ? g->layer : "of the last Conv");
  else if (g->method == LIMN_METHOD_OCCLUSION)
    snprintf(r->desc + n, sizeof r->desc - (size_t)n, ", window %zux%zu, stride %zux%zu, fill %g",
             g->window[0], g->window[1], g->stride[0], g->stride[1], (double)g->fill);
  else if (g->method == LIMN_METHOD_LIME_IMAGE)
    snprintf(r->desc + n, sizeof r->desc - (size_t)n,
             ", %zu samples, %zu SLIC superpixels asked (compactness %g), "
             "hidden as %s, kernel width %g, seed %llu",
             r->a.li.num_samples, r->a.li.segments, r->a.li.compactness, cli_get(&cmd, "hide"),
             r->a.li.kernel_width, (unsigned long long)r->a.li.seed);
  else if (g->method == LIMN_METHOD_LIME)
    snprintf(r->desc + n, sizeof r->desc - (size_t)n, ", %s bins, %zu samples, %s, %s estimator, seed %llu",
             limn_discretizer_name(r->lo.discretizer), limn_lime_samples(&r->lo, limn_model_nfeatures(r->m)),
             limn_selection_name(r->lo.selection), r->lo.compat ? "lime's" : "lattice",
             (unsigned long long)r->lo.seed);
}

/* The manifest: what produced these explanations, to reproduce them. */
static int build_manifest(run *r) {
  const char *mc = r->a.model_cmd, *bgf = r->a.background;
  const char *keys[] = {"method",       "layer",       "window",      "stride",       "fill",
                        "class",        "output",      "steps",       "quadrature",   "baseline",
                        "samples",      "noise",       "smooth",      "smooth-input", "seed",
                        "num-features", "num-samples", "discretizer", "kernel-width", "feature-selection",
                        "compat",       "estimator",   "nsamples",    "link",         "background-size",
                        "tolerance",    "groups",      "resize",      "channels",     "mean",
                        "std",          "segments",    "compactness", "hide",         "sanity"};
  int lr = limn_manifest_create(r->ctx, &r->manifest);
  if (!lr) /* a model command: its text stands for the model */
    lr = mc ? limn_manifest_add_sha256(r->ctx, r->manifest, "model", mc, strlen(mc))
            : limn_manifest_add_file_sha256(r->ctx, r->manifest, "model", r->a.model);
  if (!lr && r->a.data)
    lr = limn_manifest_add_file_sha256(r->ctx, r->manifest, "data", r->a.data);
  if (!lr && cli_images()) {
    char *list = NULL;
    size_t len = 0;
    if (cli_images_listing(r->ctx, &list, &len))
      return CLI_FAIL;
    lr = limn_manifest_add_sha256(r->ctx, r->manifest, "images", list, len);
    free(list);
  }
  if (!lr && bgf)
    lr = limn_manifest_add_file_sha256(r->ctx, r->manifest, "background", bgf);
  for (size_t i = 0; i < sizeof keys / sizeof *keys && !lr; i++)
    lr = limn_manifest_add_option(r->ctx, r->manifest, keys[i], cli_get(&cmd, keys[i]));
  return lr ? cli_lib_fail(r->ctx, lr) : CLI_OK;
}

/* --image: "auto", "none" or "WxH" with W * H the model's features (a usage error
 * otherwise, reported). */
static int image_shape(const run *r, size_t *w, size_t *h) {
  const char *v = r->a.image;
  size_t d = limn_model_nfeatures(r->m);
  *w = *h = 0;
  if (!strcmp(v, "none"))
    return CLI_OK;
  size_t ic = 0, ih = 0, iw = 0;
  if (!strcmp(v, "auto") && !limn_model_image_shape(r->ctx, r->m, &ic, &ih, &iw) &&
      (ic == 1 || (ic == 3 && limn_image_supported())) && limn_model_nslots(r->m) == d) {
    *w = iw, *h = ih;
    return CLI_OK;
  }
  limn_ctx_clear_error(r->ctx);
  if (!strcmp(v, "auto")) {
    size_t s = (size_t)lround(sqrt((double)d));
    if (s * s == d && d >= 16 && limn_model_nslots(r->m) == d)
      *w = *h = s;
    return CLI_OK;
  }
  unsigned a = 0, b = 0;
  char extra;
  int digits = strspn(v, "0123456789x") == strlen(v);
  if (!digits || sscanf(v, "%ux%u%c", &a, &b, &extra) != 2 || a == 0 || b == 0 || (size_t)a * b != d ||
      limn_model_nslots(r->m) != d)
    return cli_fail(
               "--image: expected auto, none or WxH with W x H = %zu (the model's numeric features), got "
               "'%s'",
               d, v),
           CLI_USAGE;
  *w = a, *h = b;
  return CLI_OK;
}

/* lime-image: the rows must be images (an image model's, or --image WxH). */
static int lime_image_shape(run *r) {
  if (r->g.method != LIMN_METHOD_LIME_IMAGE)
    return CLI_OK;
  int rc = image_shape(r, &r->iw, &r->ih);
  if (!rc && !r->iw)
    return cli_fail("--method lime-image: the rows are not images (an image model, or --image WxH)"),
           CLI_USAGE;
  return rc;
}

static int load(run *r) {
  int rc = cli_load(r->ctx, &cmd, 1, &r->m, &r->ds);
  if (rc)
    return rc;
  const char *t = r->a.target;
  if (t && limn_schema_find_feature(limn_model_schema(r->m), t) >= 0)
    return cli_fail("--target: '%s' is one of the model's features, not a label column", t);
  return lime_image_shape(r);
}

/* The renderer's options: the model, the method's description, the manifest. */
static limn_render_opts render_opts(const run *r, size_t top) {
  limn_render_opts o = limn_render_opts_default();
  o.model = r->m, o.method_desc = r->desc, o.manifest = r->manifest, o.top = top;
  o.background = r->bg, o.discretizer = r->lo.discretizer, o.shap_plot = r->a.plot;
  return o;
}

static limn_render_row make_row(const run *r, const limn_explanation *e, size_t i);

/* LIMN_ENOMEM, for the library's error mapping. */
static int limn__cli_nomem(run *r) {
  (void)r;
  return LIMN_ENOMEM;
}

/* Render rows (or, global, the mean |weight| of the explanations in rows; as SVG the
 * summary beeswarm) to --out:
 * a file is written whole or not at all. */
static int write_out_file(run *r, const limn_render_opts *o, const void *what, size_t n, limn_format fmt,
                          int global) {
  FILE *f = cli_open_out(r->a.out);
  if (!f)
    return CLI_FAIL;
  int lr;
  if (global && fmt == LIMN_FORMAT_SVG) { /* the summary: a beeswarm per feature */
    const limn_explanation *ex = what;
    limn_render_row *rows = calloc(n ? n : 1, sizeof *rows);
    lr = rows ? LIMN_OK : limn__cli_nomem(r);
    for (size_t i = 0; rows && i < n; i++)
      rows[i] = make_row(r, &ex[i], i);
    if (!lr)
      lr = limn_render_summary_svg(r->ctx, o, rows, n, limn_sink_file(f));
    free(rows);
  } else {
    lr = global ? limn_render_global(r->ctx, o, what, n, fmt, limn_sink_file(f))
                : limn_render_explanations(r->ctx, o, what, n, fmt, limn_sink_file(f));
  }
  if (lr) {
    cli_close_out(f, r->a.out, 0);
    return cli_lib_fail(r->ctx, lr);
  }
  return cli_close_out(f, r->a.out, 1);
}

static int row_opts(run *r, limn_render_opts *rc, const char ***prot);
static int image_shape(const run *r, size_t *w, size_t *h);

/* --overlay DIR: each row's map (summed over channels) over its image, as a PNG. */
static int write_overlays(run *r, const limn_render_row *rows, size_t n) {
  const char *dir = cli_get(&cmd, "overlay");
  size_t w = 0, h = 0, d = limn_model_nfeatures(r->m);
  int rc = image_shape(r, &w, &h);
  if (rc)
    return rc;
  size_t hw = w * h, c = hw ? d / hw : 0;
  if (!hw || (c != 1 && c != 3) || c * hw != d)
    return cli_fail("--overlay: the rows are not images (an image model, or --image WxH)"), CLI_USAGE;
  if (mkdir(dir, 0777) && errno != EEXIST)
    return cli_fail("--overlay: cannot make the folder %s: %s", dir, strerror(errno));
  const cli_images_info *ii = cli_images();
  double *map = malloc(hw * sizeof *map);
  char path[4096], name[256];
  int lr = map ? LIMN_OK : LIMN_ENOMEM;
  for (size_t i = 0; i < n && !lr; i++) {
    const limn_explanation *e = rows[i].ex;
    limn_image *im = NULL, *ov = NULL;
    for (size_t q = 0; q < hw; q++)
      map[q] = 0;
    for (size_t j = 0; j < d; j++)
      map[j % hw] += e->attr[j];
    lr = ii ? limn_image_from_input(r->ctx, rows[i].x, c, h, w, ii->mean, ii->std, &im)
            : limn_image_from_row_range(r->ctx, rows[i].x, c, h, w, &im); /* normalisation unknown */
    limn_image_overlay_opts oo = limn_image_overlay_opts_default();
    oo.positive = e->method == LIMN_METHOD_GRADCAM || e->method == LIMN_METHOD_GRADCAMPP;
    if (!lr)
      lr = limn_image_overlay(r->ctx, im, map, w, h, &oo, &ov);
    if (ii && rows[i].data_row < ii->n) {
      const char *f = strrchr(ii->files[rows[i].data_row], '/');
      snprintf(name, sizeof name, "%s", f ? f + 1 : ii->files[rows[i].data_row]);
      char *dot = strrchr(name, '.');
      if (dot)
        *dot = 0;
    } else {
      snprintf(name, sizeof name, "row-%zu", rows[i].data_row);
    }
    snprintf(path, sizeof path, "%s/%s.png", dir, name);
    if (!lr)
      lr = limn_image_write_png(r->ctx, ov, path);
    limn_image_free(im), limn_image_free(ov);
  }
  free(map);
  return lr ? cli_lib_fail(r->ctx, lr) : CLI_OK;
}

/* Write prepared rows in the chosen format. */
static int write_rows(run *r, const limn_render_row *rows, size_t n) {
  if (cli_get(&cmd, "overlay")) {
    int orc = write_overlays(r, rows, n);
    if (orc)
      return orc;
  }
  if (r->a.dependence) { /* one column over the rows */
    long j = limn_schema_find_feature(limn_model_schema(r->m), r->a.dependence);
    if (j < 0)
      return cli_fail("--dependence: the model has no column '%s'", r->a.dependence), CLI_USAGE;
    limn_render_opts o = render_opts(r, r->a.top);
    FILE *f = cli_open_out(r->a.out);
    if (!f)
      return CLI_FAIL;
    int lr = limn_render_dependence_svg(r->ctx, &o, rows, n, (size_t)j, limn_sink_file(f));
    if (lr) {
      cli_close_out(f, r->a.out, 0);
      return cli_lib_fail(r->ctx, lr);
    }
    return cli_close_out(f, r->a.out, 1);
  }
  limn_render_opts rc;
  const char **prot = NULL;
  int pr = row_opts(r, &rc, &prot);
  pr = pr ? pr : write_out_file(r, &rc, rows, n, r->a.fmt, 0);
  free(prot);
  return pr;
}

/* The options rows are rendered with (free *prot after); a CLI code. */
static int row_opts(run *r, limn_render_opts *rc, const char ***prot) {
  *rc = render_opts(r, r->a.top);
  *prot = NULL;
  int ir = image_shape(r, &rc->image_w, &rc->image_h);
  if (ir)
    return ir;
  rc->reasons = r->a.reasons;
  const char *fav = r->a.favourable;
  if (fav && (rc->favourable = find_class(r->m, fav)) < 0)
    return cli_fail("--favourable: '%s' is not one of the model's classes", fav), CLI_USAGE;
  int pr = cli_protected(cli_get(&cmd, "protected"), prot, &rc->nprotected);
  rc->protected_cols = *prot;
  return pr;
}

/* Render row for explanation e of data-row position i. */
static limn_render_row make_row(const run *r, const limn_explanation *e, size_t i) {
  return limn_render_row_init(e, r->rows[i], limn_dataset_row_line(r->ds, r->rows[i]),
                              r->x + i * limn_model_nfeatures(r->m));
}

static int write_out(run *r, limn_explanation *ex, const double *inf, const double *sens, const double *del,
                     const double *ins, const double *san) {
  limn_render_row *rows = calloc(r->nrows, sizeof *rows);
  if (!rows)
    return cli_fail("out of memory");
  for (size_t i = 0; i < r->nrows; i++) {
    rows[i] = make_row(r, &ex[i], i);
    rows[i].infidelity = inf ? inf[i] : NAN;
    rows[i].sensitivity = sens ? sens[i] : NAN;
    rows[i].deletion = del ? del[i] : NAN;
    rows[i].insertion = ins ? ins[i] : NAN;
    rows[i].sanity = san ? san[i] : NAN;
  }
  int rc = write_rows(r, rows, r->nrows);
  free(rows);
  return rc;
}

static int explain_lime(run *r, long *targets);
static int explain_shap(run *r, const long *truth);
static int shap_background(run *r);
static int shap_groups(run *r);

/* --metrics' deletion and insertion areas; removed features take the baseline (the
 * training means with --baseline mean, --baseline's rows (black, blur, noise, row:N, a
 * file), else 0). A library status. */
static int curves(run *r, const limn_explanation *ex, double **del, double **ins) {
  size_t d = limn_model_nfeatures(r->m);
  limn_curve_opts co = limn_explain_curve_opts_default();
  if (co.steps > d)
    co.steps = d;
  float *base = NULL;
  const limn_stats *st = limn_model_stats(r->m);
  if (!strcmp(r->a.baseline, "mean") && st && (base = malloc(d * sizeof *base)))
    for (size_t j = 0; j < d; j++)
      base[j] = (float)limn_stats_mean(st, j);
  co.baseline = base;
  *del = malloc(r->nrows * sizeof **del), *ins = malloc(r->nrows * sizeof **ins);
  int lr = *del && *ins ? LIMN_OK : LIMN_ENOMEM;
  if (!lr && r->g.baseline == LIMN_BASELINE_ROWS && r->g.baseline_rows) /* removed pixels take --baseline's */
    for (size_t i = 0; i < r->nrows && !lr; i++) {
      co.baseline = r->g.baseline_rows + (r->g.nbaseline_rows > 1 ? i : 0) * d;
      lr = limn_explain_deletion_insertion(r->ctx, r->m, r->x + i * d, 1, ex + i, &co, *del + i, *ins + i,
                                           NULL);
    }
  else if (!lr)
    lr = limn_explain_deletion_insertion(r->ctx, r->m, r->x, r->nrows, ex, &co, *del, *ins, NULL);
  free(base);
  return lr;
}

static int explain_block(run *r, const float *x, size_t n, const size_t *rows, const long *targets,
                         limn_explanation **ex);

/* --sanity N: the same explanations of a second copy of the model whose last N layers
 * are random (Adebayo et al. 2018), for the same classes; per row the rank correlation of
 * the two maps' |attributions|. A library status. */
static int sanity(run *r, const limn_explanation *ex, double **san) {
  limn_model *m2 = NULL, *keep = r->m;
  limn_explanation *ex2 = NULL;
  long *tg = malloc(r->nrows * sizeof *tg);
  *san = malloc(r->nrows * sizeof **san);
  if (!tg || !*san) {
    free(tg);
    return LIMN_ENOMEM;
  }
  int lr = cli_onnx_file(r->a.model)
               ? limn_model_load_onnx(r->ctx, r->a.model, limn_model_schema(keep), r->onnx_kind, &m2)
               : limn_model_load(r->ctx, r->a.model, &m2);
  size_t done = 0;
  if (!lr)
    lr = limn_model_randomize_layers(r->ctx, m2, r->sanity_layers, r->g.seed, &done);
  for (size_t i = 0; i < r->nrows; i++)
    tg[i] = (long)ex[i].target;
  if (!lr) {
    r->m = m2;
    lr = explain_block(r, r->x, r->nrows, r->rows, tg, &ex2);
    r->m = keep;
  }
  for (size_t i = 0; i < r->nrows && !lr; i++)
    (*san)[i] = limn_explain_rank_correlation(&ex[i], &ex2[i], 1);
  limn_explanations_free(r->ctx, ex2, ex2 ? r->nrows : 0);
  limn_model_free(m2);
  free(tg);
  return lr;
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
  if (!strcmp(r->a.cls, "true")) {
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
  if (r->g.method == LIMN_METHOD_LIME || r->g.method == LIMN_METHOD_SHAP) {
    int rc = r->g.method == LIMN_METHOD_LIME ? explain_lime(r, truth) : explain_shap(r, truth);
    free(truth);
    return rc;
  }
  limn_explanation *ex = NULL;
  double *inf = NULL, *sens = NULL, *del = NULL, *ins = NULL;
  int lr = explain_block(r, r->x, r->nrows, r->rows, r->g.targets, &ex);
  if (!lr && r->a.metrics && r->g.method == LIMN_METHOD_LIME_IMAGE) {
    lr = curves(r, ex, &del, &ins); /* the curves; infidelity and sensitivity are the gradient methods' */
  } else if (!lr && r->a.metrics) {
    limn_quality_opts q = limn_quality_opts_default();
    q.seed = r->g.seed;
    q.row_ids = r->rows;
    inf = malloc(r->nrows * sizeof *inf);
    sens = malloc(r->nrows * sizeof *sens);
    lr = inf && sens ? limn_explain_infidelity(r->ctx, r->m, r->x, r->nrows, ex, &q, inf) : LIMN_ENOMEM;
    if (!lr)
      lr = limn_explain_max_sensitivity(r->ctx, r->m, r->x, r->nrows, &r->g, ex, &q, sens);
    if (!lr)
      lr = curves(r, ex, &del, &ins);
  }
  double *san = NULL;
  if (!lr && r->sanity_layers)
    lr = sanity(r, ex, &san);
  int rc = lr ? cli_lib_fail(r->ctx, lr) : write_out(r, ex, inf, sens, del, ins, san);
  free(del), free(ins), free(san);
  limn_explanations_free(r->ctx, ex, r->nrows);
  free(truth);
  free(inf);
  free(sens);
  return rc;
}

/* Jaccard similarity of two explanations' top-5 features by |weight|. */
static double top5_jaccard(const limn_explanation *a, const limn_explanation *b) {
  size_t d = a->nfeatures, t[2][5], k = d < 5 ? d : 5;
  for (int q = 0; q < 2; q++) {
    const limn_explanation *e = q ? b : a;
    for (size_t c = 0; c < k; c++) {
      size_t best = d;
      for (size_t j = 0; j < d; j++) {
        int used = 0;
        for (size_t p = 0; p < c; p++)
          used |= t[q][p] == j;
        if (!used && (best == d || fabs(e->attr[j]) > fabs(e->attr[best])))
          best = j;
      }
      t[q][c] = best;
    }
  }
  size_t inter = 0;
  for (size_t p = 0; p < k; p++)
    for (size_t q = 0; q < k; q++)
      inter += t[0][p] == t[1][q];
  return (double)inter / (double)(2 * k - inter);
}

/* The background: --background FILE, or the model's own statistics. */
static int lime_background(run *r) {
  const char *file = r->a.background;
  if (file && r->bg_owned) { /* (read already, for the mean baseline) */
    r->bg = r->bg_owned;
    return CLI_OK;
  }
  if (!file) {
    r->bg = limn_model_stats(r->m);
    if (!r->bg)
      return cli_fail("the model stores no training statistics: give --background FILE (training data)");
    return CLI_OK;
  }
  int lr = cli_read_background(r->ctx, r->m, file, NULL, &r->bg_owned);
  if (lr)
    return cli_lib_fail(r->ctx, lr);
  r->bg = r->bg_owned;
  return CLI_OK;
}

/* Per-row classes of pass k: the given ones, or the k-th most probable. */
static int pass_targets(run *r, size_t K, long *truth, long **out) {
  size_t n = r->nrows, c = limn_model_noutputs(r->m);
  long *t = malloc(K * n * sizeof *t);
  float *p = malloc(n * c * sizeof *p);
  if (!t || !p) {
    free(t), free(p);
    return cli_fail("out of memory");
  }
  int lr = limn_model_predict(r->ctx, r->m, r->x, n, p);
  for (size_t i = 0; i < n && !lr; i++)
    for (size_t k = 0; k < K; k++) {
      if (truth || r->lo.target >= 0) {
        t[k * n + i] = truth ? truth[i] : r->lo.target;
        continue;
      }
      long best = -1; /* the k-th largest probability, ties to the lower class */
      for (size_t q = 0; q < c; q++) {
        int taken = 0;
        for (size_t e = 0; e < k; e++)
          taken |= t[e * n + i] == (long)q;
        if (!taken && (best < 0 || p[i * c + q] > p[i * c + (size_t)best]))
          best = (long)q;
      }
      t[k * n + i] = best;
    }
  free(p);
  if (lr) {
    free(t);
    return cli_lib_fail(r->ctx, lr);
  }
  *out = t;
  return CLI_OK;
}

/* Mean pairwise top-5 Jaccard of each row over K seeds (pass-0 classes). */
static int lime_stability(run *r, const long *targets, size_t K, double *stab) {
  size_t n = r->nrows;
  limn_explanation **runs = calloc(K, sizeof *runs);
  if (!runs)
    return cli_fail("out of memory");
  limn_lime_opts o = r->lo;
  o.targets = targets;
  o.row_ids = r->rows;
  int lr = 0;
  for (size_t s = 0; s < K && !lr; s++) {
    o.seed = r->lo.seed + s;
    lr = limn_explain_lime(r->ctx, r->m, r->bg, r->x, n, &o, &runs[s]);
  }
  for (size_t i = 0; i < n && !lr; i++) {
    double sum = 0;
    size_t cnt = 0;
    for (size_t p = 0; p < K; p++)
      for (size_t q = p + 1; q < K; q++, cnt++)
        sum += top5_jaccard(&runs[p][i], &runs[q][i]);
    stab[i] = cnt ? sum / (double)cnt : 1.0;
  }
  for (size_t s = 0; s < K; s++)
    limn_explanations_free(r->ctx, runs[s], n);
  free(runs);
  return lr ? cli_lib_fail(r->ctx, lr) : CLI_OK;
}

static int explain_lime(run *r, long *truth) {
  int rc = lime_background(r);
  if (rc)
    return rc;
  if (!r->a.num_features_set && r->lo.num_features > limn_model_nfeatures(r->m))
    r->lo.num_features = limn_model_nfeatures(r->m); /* the default 10, on narrow data */
  const char *cls = r->a.cls;
  size_t K = !strncmp(cls, "top:", 4) ? (size_t)atol(cls + 4) : 1, n = r->nrows, stabk, pick;
  r->lo.target = r->g.target;
  stabk = r->a.stability;
  pick = r->a.pick;
  if (pick > n)
    return cli_fail("--pick %zu: only %zu rows are explained", pick, n);
  long *targets = NULL;
  if ((rc = pass_targets(r, K, truth, &targets)))
    return rc;
  limn_explanation **ex = calloc(K, sizeof *ex);
  limn_render_row *rows = calloc(K * n, sizeof *rows);
  double *stab = stabk ? malloc(n * sizeof *stab) : NULL;
  size_t *picked = pick ? malloc(pick * sizeof *picked) : NULL;
  int lr = !ex || !rows || (stabk && !stab) || (pick && !picked) ? LIMN_ENOMEM : 0;
  limn_lime_opts o = r->lo;
  o.row_ids = r->rows;
  for (size_t k = 0; k < K && !lr; k++) {
    o.targets = targets + k * n;
    lr = limn_explain_lime(r->ctx, r->m, r->bg, r->x, n, &o, &ex[k]);
  }
  if (lr) {
    rc = cli_lib_fail(r->ctx, lr);
  } else if (stabk && (rc = lime_stability(r, targets, stabk, stab))) {
    /* reported */
  } else if (r->a.global) {
    limn_render_opts gc = render_opts(r, r->a.top);
    rc = write_out_file(r, &gc, ex[0], n, r->a.fmt, 1);
  } else {
    size_t m = 0;
    if (pick && (lr = limn_lime_submodular_pick(r->ctx, ex[0], n, pick, picked)))
      rc = cli_lib_fail(r->ctx, lr);
    for (size_t q = 0; q < (pick ? pick : n) && !lr; q++) {
      size_t i = pick ? picked[q] : q;
      for (size_t k = 0; k < K; k++) {
        rows[m] = make_row(r, &ex[k][i], i);
        rows[m++].stability = stab ? stab[i] : NAN;
      }
    }
    if (!lr)
      rc = write_rows(r, rows, m);
  }
  for (size_t k = 0; ex && k < K; k++)
    limn_explanations_free(r->ctx, ex[k], n);
  free(ex);
  free(rows);
  free(stab);
  free(picked);
  free(targets);
  return rc;
}

/* The rows as float64 (n, 6 + d): row (its data index ids[i]), class index, output,
 * base value, delta (NaN when the method has none), reliable, the weights. */
static int npy_rows(FILE *f, const limn_explanation *ex, size_t n, const size_t *ids) {
  for (size_t i = 0; i < n; i++) {
    const limn_explanation *e = &ex[i];
    double head[6] = {(double)ids[i], (double)e->target, e->output,
                      e->base_value,  e->delta,          limn_explain_trust(e, NULL, NULL, 0) ? 1.0 : 0.0};
    if (fwrite(head, sizeof *head, 6, f) != 6 ||
        fwrite(e->attr, sizeof *e->attr, e->nfeatures, f) != e->nfeatures)
      return 0;
  }
  return 1;
}

/* A .npy header (format 1.0) of 128 bytes for a (rows, cols) float64 matrix in this
 * machine's byte order: written first with 0 rows, rewritten with the count at the end. */
static void npy_header(FILE *f, size_t rows, size_t cols) {
  const uint16_t one = 1;
  int little = *(const unsigned char *)&one == 1;
  char dict[118];
  int n = snprintf(dict, sizeof dict, "{'descr': '%cf8', 'fortran_order': False, 'shape': (%zu, %zu), }",
                   little ? '<' : '>', rows, cols);
  fwrite("\x93NUMPY\x01\x00\x76\x00", 1, 10, f); /* version 1.0, header length 118 */
  fwrite(dict, 1, (size_t)n, f);
  for (int i = n; i < 117; i++)
    fputc(' ', f);
  fputc('\n', f);
}

/* --format wide: every row, a block at a time (memory grows with --block-rows, not the
 * file); row i's seeds are those of row i in a whole run, so the lines are the same
 * whatever the block. */
/* One block's explanations by the chosen method: rows[i] is row i's data index (its
 * seeds), targets the classes (NULL: --class). */
static int explain_block(run *r, const float *x, size_t n, const size_t *rows, const long *targets,
                         limn_explanation **ex) {
  if (r->g.method == LIMN_METHOD_LIME_IMAGE) {
    limn_lime_image_opts o = r->a.li;
    size_t w = r->iw, h = r->ih, d = limn_model_nfeatures(r->m);
    if (w && h && d % (w * h) == 0)
      o.width = w, o.height = h, o.channels = d / (w * h);
    o.target = r->g.target, o.targets = targets, o.row_ids = rows;
    return limn_explain_lime_image(r->ctx, r->m, x, n, &o, ex);
  }
  if (r->g.method == LIMN_METHOD_LIME) {
    limn_lime_opts o = r->lo;
    o.target = r->g.target, o.targets = targets, o.row_ids = rows;
    return limn_explain_lime(r->ctx, r->m, r->bg, x, n, &o, ex);
  }
  if (r->g.method == LIMN_METHOD_SHAP) {
    limn_shap_opts o = r->a.so;
    o.background = r->shap_bg, o.nbackground = r->shap_nbg;
    o.target = r->g.target, o.targets = targets, o.row_ids = rows;
    return limn_explain_shap(r->ctx, r->m, x, n, &o, ex);
  }
  limn_grad_opts g = r->g;
  g.row_ids = rows, g.targets = targets;
  return limn_explain_gradients(r->ctx, r->m, x, n, &g, ex);
}

/* The wide CSV's header row. */
static void wide_head(FILE *f, void *arg) { limn_render_wide_header(NULL, arg, limn_sink_file(f)); }

/* --rows for the streamed formats: NULL for all, else the list, which must ascend
 * (rows come in file order; whether the last exists is known at the end). */
static int stream_rows(const char *spec, size_t **sel, size_t *nsel) {
  *sel = NULL, *nsel = 0;
  if (!strcmp(spec, "all"))
    return CLI_OK;
  int rc = cli_parse_rows(spec, (size_t)1 << 62, sel, nsel);
  for (size_t i = 1; !rc && i < *nsel; i++)
    if ((*sel)[i] <= (*sel)[i - 1]) {
      rc = (cli_fail("--rows: the streamed formats read rows in file order: list them ascending, each once "
                     "(%zu comes after %zu)",
                     (*sel)[i], (*sel)[i - 1]),
            CLI_USAGE);
    }
  if (rc) {
    free(*sel);
    *sel = NULL, *nsel = 0;
  }
  return rc;
}

/* 1 when a --rows list names rows strictly ascending (silent: anything else, a bad
 * list included, is the whole read's, which reports it). */
static int rows_ascending(const char *spec) {
  unsigned long long last = 0;
  int any = 0;
  for (const char *p = spec; *p;) {
    char *e;
    while (*p == ' ')
      p++;
    if (*p < '0' || *p > '9')
      return 0;
    unsigned long long a = strtoull(p, &e, 10), b = a;
    for (p = e; *p == ' ';)
      p++;
    if (*p == '-') {
      for (p++; *p == ' ';)
        p++;
      if (*p < '0' || *p > '9')
        return 0;
      b = strtoull(p, &e, 10);
      for (p = e; *p == ' ';)
        p++;
    }
    if (b < a || (any && a <= last))
      return 0;
    last = b, any = 1;
    if (*p == ',')
      p++;
    else if (*p)
      return 0;
  }
  return any;
}

/* Whether the long formats can be written a block at a time, the same bytes as a whole
 * read gives: csv, jsonl and text of one explanation per row (no --metrics, --global,
 * --pick, --stability, --dependence, --class top:K, SHAP --groups, a baseline row or
 * file), rows ascending, a data file (its digest is in JSON's manifest before the
 * first row). LIMN_WHOLE=1 makes every run read whole (the tests compare both). */
static int streamable(const run *r) {
  limn_format f = r->a.fmt;
  const char *w = getenv("LIMN_WHOLE");
  if ((w && !strcmp(w, "1")) || (f != LIMN_FORMAT_CSV && f != LIMN_FORMAT_JSONL && f != LIMN_FORMAT_TEXT) ||
      r->a.metrics || r->a.global || r->a.pick || r->a.stability || r->a.dependence ||
      cli_get(&cmd, "overlay") || !strncmp(r->a.cls, "top:", 4) ||
      (strcmp(r->a.baseline, "zero") && strcmp(r->a.baseline, "mean")) ||
      (r->g.method == LIMN_METHOD_SHAP && cli_get(&cmd, "groups")) || !r->a.data || !strcmp(r->a.data, "-"))
    return 0;
  return !strcmp(r->a.rows, "all") || rows_ascending(r->a.rows);
}

/* Blocks of a long format joined into one output: a CSV block's header line dropped
 * after the first, a text block's rows set apart from the last block's by a blank line. */
typedef struct join_sink {
  FILE *f;
  int drop_line;      /* drop up to and with the first line feed */
  const char *prefix; /* written before the block's first byte */
} join_sink;

static int join_write(void *ud, const char *data, size_t len) {
  join_sink *j = ud;
  if (j->drop_line) {
    const char *nl = memchr(data, '\n', len);
    if (!nl)
      return 0;
    j->drop_line = 0;
    len -= (size_t)(nl + 1 - data), data = nl + 1;
  }
  if (len && j->prefix) {
    if (fputs(j->prefix, j->f) == EOF)
      return -1;
    j->prefix = NULL;
  }
  return fwrite(data, 1, len, j->f) == len ? 0 : -1;
}

static int explain_wide(run *r) {
  limn_method me = r->g.method;
  if (me == LIMN_METHOD_LIME && (r->a.stability || r->a.pick))
    return cli_fail("--format wide: one LIME explanation per row, without --stability or --pick"), CLI_USAGE;
  if (me == LIMN_METHOD_SHAP && cli_get(&cmd, "groups"))
    return cli_fail("--format wide: a weight per column (--groups: json, jsonl or csv)"), CLI_USAGE;
  if (strcmp(r->a.baseline, "zero") && strcmp(r->a.baseline, "mean"))
    return cli_fail("--format wide: --baseline zero or mean"), CLI_USAGE;
  if (cli_get(&cmd, "overlay"))
    return cli_fail("--overlay: with --format text, json, jsonl, csv or svg"), CLI_USAGE;
  if (r->a.metrics || r->a.global || !strncmp(r->a.cls, "top:", 4))
    return cli_fail("--format wide: one explanation per row, without --metrics, --global or --class top:K"),
           CLI_USAGE;
  size_t *sel = NULL, nsel = 0, at = 0; /* --rows: the data indices to explain, ascending */
  int rc = stream_rows(r->a.rows, &sel, &nsel);
  if (rc)
    return rc;
  cli_blocks b;
  if ((rc = cli_blocks_open(r->ctx, &cmd, 1, r->a.block, &r->m, &b))) {
    free(sel);
    return rc;
  }
  int truth = !strcmp(r->a.cls, "true");
  if ((rc = lime_image_shape(r)) || (rc = parse_class(r->m, r->a.cls, &r->g.target)) ||
      (rc = baseline_opts(r)) || (me == LIMN_METHOD_LIME && (rc = lime_background(r))) ||
      (me == LIMN_METHOD_SHAP && (rc = shap_background(r)))) {
    cli_blocks_close(&b);
    free(sel);
    return rc;
  }
  if (me == LIMN_METHOD_LIME && !r->a.num_features_set && r->lo.num_features > limn_model_nfeatures(r->m))
    r->lo.num_features = limn_model_nfeatures(r->m); /* the default 10, on narrow data */
  int longf = !r->a.wide, started = 0;               /* a long format; a block of it written */
  limn_render_opts ro;
  const char **prot = NULL;
  if (longf && ((rc = row_opts(r, &ro, &prot)) || (rc = build_manifest(r)))) {
    cli_blocks_close(&b);
    free(sel), free(prot);
    return rc;
  }
  if (longf)
    describe(r), ro.method_desc = r->desc, ro.manifest = r->manifest;
  limn_render_row *rrow = NULL;
  const char *path = r->a.out;
  if (r->a.npy && !strcmp(path, "-")) {
    cli_blocks_close(&b);
    free(sel);
    return cli_fail("--format npy: give --out FILE (the header, which holds the row count, is written last)"),
           CLI_USAGE;
  }
  int root = cli_par_rank() == 0;
  FILE *f = root ? cli_open_out(path) : NULL;
  if (root && !f)
    rc = CLI_FAIL;
  size_t total = 0, d = limn_model_nfeatures(r->m);
  if (f && r->a.npy) {
    npy_header(f, 0, 6 + d);
    if (ftell(f) != 128)
      rc = (cli_fail("--format npy: %s is not a file it can go back into", path), CLI_USAGE);
  }
  size_t cap = 0, first = 0, seen = 0;
  size_t *ids = NULL, *pick = NULL;
  long *tg = NULL;
  float *xs = NULL;
  const char **idt = NULL;
  char *idnum = NULL;
  cli_sink sk;
  rc = cli_sink_init(&sk, rc, f, r->a.npy || longf ? NULL : wide_head, r->m);
  while (!rc && !sk.rc) {
    limn_dataset *ds = NULL;
    size_t n = 0, from = cli_blocks_at(&b);
    /* a block without a row of --rows is passed over unparsed (an ARFF or ONNX read is one block) */
    int want = !sel || (at < nsel && (!b.s || sel[at] < from + r->a.block));
    if (cli_sink_mine(&sk) && want ? (rc = cli_blocks_next(r->ctx, &b, &ds, &first)) || !ds
                                   : (rc = cli_blocks_skip(r->ctx, &b, &n, &first)) || !n)
      break;
    n = ds ? limn_dataset_nrows(ds) : n;
    seen = first + n;
    size_t a0 = at; /* the block's rows of --rows: sel[a0 .. at) */
    while (sel && at < nsel && sel[at] < first + n)
      at++;
    total += sel ? at - a0 : n; /* every rank counts every block's rows (npy's header) */
    FILE *w;
    if (!cli_sink_next(&sk, &w)) {
      limn_dataset_free(ds);
      continue;
    }
    if (!ds) { /* this process's block, none of whose rows was asked for */
      cli_sink_put(&sk, rc);
      continue;
    }
    const float *y = limn_dataset_y(ds);
    if (truth && (!y || limn_model_task(r->m) != LIMN_TASK_CLASSIFICATION)) {
      rc = cli_fail("--class true: the data has no class labels for this model (column '%s')",
                    limn_schema_target_name(limn_model_schema(r->m)));
      cli_sink_put(&sk, rc);
      limn_dataset_free(ds);
      break;
    }
    size_t k = sel ? at - a0 : n; /* rows to explain */
    if (n > cap) {
      free(ids), free(tg), free(pick), free((void *)idt), free(idnum), free(xs);
      cap = n;
      ids = malloc(cap * sizeof *ids), tg = malloc(cap * sizeof *tg), pick = malloc(cap * sizeof *pick);
      idt = malloc(cap * sizeof *idt), idnum = malloc(cap * 24),
      xs = sel ? malloc(cap * d * sizeof *xs) : NULL;
      free(rrow);
      rrow = longf ? malloc(cap * sizeof *rrow) : NULL;
    }
    int lr = ids && tg && pick && idt && idnum && (!sel || xs) && (!longf || rrow) ? LIMN_OK : LIMN_ENOMEM;
    for (size_t i = 0; !lr && i < k; i++) {
      pick[i] = sel ? sel[a0 + i] - first : i; /* the row's place in the block */
      ids[i] = first + pick[i], tg[i] = truth ? (long)y[pick[i]] : 0;
      if (sel)
        memcpy(xs + i * d, limn_dataset_x(ds) + pick[i] * d, d * sizeof *xs);
      if (b.id)
        idt[i] = cli_blocks_id(&b, ds, pick[i]);
      else if (sel) /* a chosen row's index (all rows: limn_render_wide numbers them) */
        snprintf(idnum + i * 24, 24, "%zu", ids[i]), idt[i] = idnum + i * 24;
    }
    if (sel)
      cli_batch_pick(pick, k); /* the library's "row i" is the block's row pick[i] */
    limn_explanation *ex = NULL;
    if (!lr && k)
      lr = explain_block(r, sel ? xs : limn_dataset_x(ds), k, ids, truth ? tg : NULL, &ex);
    if (lr) {
      rc = cli_lib_fail(r->ctx, lr);
    } else if (k) {
      cli_sink_head(&sk);
      if (longf) { /* render rows: their data index, line and values */
        const float *xb = sel ? xs : limn_dataset_x(ds);
        for (size_t i = 0; i < k; i++) {
          rrow[i] = limn_render_row_init(&ex[i], ids[i], limn_dataset_row_line(ds, pick[i]), xb + i * d);
          rrow[i].infidelity = rrow[i].sensitivity = NAN;
        }
        join_sink js = {w, started && r->a.fmt == LIMN_FORMAT_CSV,
                        started && r->a.fmt == LIMN_FORMAT_TEXT ? "\n" : NULL};
        limn_sink jsk = {join_write, &js};
        if ((lr = limn_render_explanations(r->ctx, &ro, rrow, k, r->a.fmt, jsk)))
          rc = cli_lib_fail(r->ctx, lr);
        started = 1;
      } else if (r->a.npy) {
        if (!npy_rows(w, ex, k, ids))
          rc = cli_fail("%s: write error: %s", path, strerror(errno));
      } else if ((lr = limn_render_wide(r->ctx, r->m, ex, k, first, sel || b.id ? idt : NULL,
                                        limn_sink_file(w)))) {
        rc = cli_lib_fail(r->ctx, lr);
      }
    }
    cli_sink_put(&sk, rc);
    limn_explanations_free(r->ctx, ex, k);
    limn_dataset_free(ds);
  }
  if (!rc && !sk.rc && sel && at < nsel && root) /* rows asked for beyond the end */
    rc =
        (cli_fail("--rows: row %zu is out of range (the data has %zu rows)", sel[nsel - 1], seen), CLI_USAGE);
  rc = cli_sink_end(&sk, rc);
  if (f && !rc)
    cli_sink_head(&sk);       /* no rows: the header alone */
  if (f && !rc && r->a.npy) { /* the row count, now known */
    if (fseek(f, 0, SEEK_SET) != 0)
      rc = cli_fail("%s: cannot go back to the header: %s", path, strerror(errno));
    else
      npy_header(f, total, 6 + d);
  }
  int cr = f ? cli_close_out(f, path, !rc) : CLI_OK;
  free(ids), free(tg), free(pick), free((void *)idt), free(idnum), free(xs), free(sel), free(rrow),
      free(prot);
  cli_blocks_close(&b);
  return rc ? rc : cr;
}

int cmd_explain(int argc, char **argv) {
  if (cli_wants_texts(argc, argv))
    return cmd_explain_text(argc, argv);
  run r;
  memset(&r, 0, sizeof r);
  int rc = parse_args(argc, argv, &r.a);
  if (rc)
    return rc;
  r.g = r.a.g, r.lo = r.a.lo;
  r.ctx = cli_ctx(&cmd);
  if (!r.ctx)
    return CLI_FAIL;
  if (!r.a.wide && cli_par_size() > 1) {
    limn_ctx_free(r.ctx);
    return cli_fail("explain spreads across MPI ranks with --format wide or npy; other formats run in one "
                    "process (limn)"),
           CLI_USAGE;
  }
  const char *ok = cli_get(&cmd, "output-kind");
  r.onnx_kind = !strcmp(ok, "probabilities") ? LIMN_ONNX_PROBABILITIES
                : !strcmp(ok, "logits")      ? LIMN_ONNX_LOGITS
                : !strcmp(ok, "value")       ? LIMN_ONNX_VALUE
                                             : LIMN_ONNX_AUTO;
  if (cli_size(&cmd, "sanity", 0, 1000, &r.sanity_layers))
    rc = CLI_USAGE;
  else if (r.sanity_layers && (r.g.method == LIMN_METHOD_LIME || r.g.method == LIMN_METHOD_SHAP))
    rc = (cli_fail("--sanity: for the gradient methods, occlusion, Grad-CAM and lime-image"), CLI_USAGE);
  else if (r.sanity_layers && (r.a.wide || cli_get(&cmd, "model-cmd")))
    rc = (cli_fail("--sanity: with --model FILE (a limn MLP or ONNX) and --format text, json, jsonl, csv or "
                   "svg"),
          CLI_USAGE);
  else if (r.a.wide || (!r.sanity_layers && streamable(&r)))
    rc = explain_wide(&r);
  else if (!(rc = load(&r)) &&
           !(rc = cli_parse_rows(r.a.rows, limn_dataset_nrows(r.ds), &r.rows, &r.nrows)) &&
           (cli_batch_rows(r.ds, r.a.data, r.rows, r.nrows), 1) &&
           !(rc = parse_class(r.m, r.a.cls, &r.g.target)) &&
           (!r.a.dependence || limn_schema_find_feature(limn_model_schema(r.m), r.a.dependence) >= 0 ||
            (rc = (cli_fail("--dependence: the model has no column '%s'", r.a.dependence), CLI_USAGE)) ==
                0) &&
           !(rc = baseline_opts(&r)) &&
           (r.g.method != LIMN_METHOD_SHAP || (!(rc = shap_background(&r)) && !(rc = shap_groups(&r)))) &&
           !(rc = build_manifest(&r))) {
    describe(&r);
    rc = explain(&r);
  }
  free(r.rows);
  free(r.x);
  free(r.brows);
  free(r.shap_bg);
  free(r.shap_groups);
  limn_dataset_free(r.bds);
  limn_stats_free(r.bg_owned);
  limn_dataset_free(r.ds);
  limn_model_free(r.m);
  limn_manifest_free(r.manifest);
  limn_ctx_free(r.ctx);
  return rc;
}

/* SHAP's game: --background FILE (at most --background-size rows: a uniform sample
 * without replacement seeded by --seed, kept in file order), or --baseline's one row. */
static int shap_background(run *r) {
  size_t d = limn_model_nfeatures(r->m);
  if ((r->a.so.estimator == LIMN_SHAP_TREE || r->a.so.estimator == LIMN_SHAP_TREE_INTERVENTIONAL) &&
      !limn_model_is_trees(r->m))
    return cli_fail("--estimator %s needs a tree model (XGBoost or limn-trees JSON); %s is of kind %s",
                    limn_shap_estimator_name(r->a.so.estimator), r->a.model, limn_model_kind(r->m)),
           CLI_USAGE;
  if (r->a.so.estimator == LIMN_SHAP_TREE_INTERVENTIONAL && !r->a.background)
    return cli_fail("--estimator tree-interventional needs --background FILE (the reference rows)"),
           CLI_USAGE;
  if (r->a.background) {
    limn_read_opts ro = limn_read_opts_default();
    ro.schema = limn_model_schema(r->m);
    ro.target_optional = 1;
    ro.missing_ok = limn_model_takes_missing(r->m);
    limn_dataset *ds = NULL;
    int lr = limn_dataset_read(r->ctx, r->a.background, &ro, &ds);
    if (lr)
      return cli_lib_fail(r->ctx, lr);
    size_t N = limn_dataset_nrows(ds), k = 0;
    int rc = cli_sample_rows(ds, r->a.background_size, r->a.so.seed, &r->shap_bg, &k);
    if (rc) {
      limn_dataset_free(ds);
      return rc;
    }
    r->shap_nbg = k;
    if (k < N)
      snprintf(r->shap_bg_desc, sizeof r->shap_bg_desc, "background %zu of %zu rows", k, N);
    else
      snprintf(r->shap_bg_desc, sizeof r->shap_bg_desc, "background %zu rows", k);
    limn_dataset_free(ds);
    return CLI_OK;
  }
  if (!cli_isset(&cmd, "baseline") && limn_model_is_trees(r->m) &&
      (r->a.so.estimator == LIMN_SHAP_AUTO || r->a.so.estimator == LIMN_SHAP_TREE)) {
    snprintf(r->shap_bg_desc, sizeof r->shap_bg_desc, "path-dependent game (the trees' covers)");
    return CLI_OK; /* TreeSHAP: no background */
  }
  if (!cli_isset(&cmd, "baseline"))
    return cli_fail("SHAP needs a background: --background FILE (reference rows, e.g. the training data) or "
                    "--baseline zero|mean|row:N|FILE (one reference row)"),
           CLI_USAGE;
  r->shap_bg = calloc(d ? d : 1, sizeof(float));
  if (!r->shap_bg)
    return cli_fail("out of memory");
  r->shap_nbg = 1;
  snprintf(r->shap_bg_desc, sizeof r->shap_bg_desc, "baseline %s", r->a.baseline);
  if (r->g.baseline == LIMN_BASELINE_ROWS) {
    if (r->g.nbaseline_rows != 1)
      return cli_fail("--baseline %s: SHAP's baseline game takes one row, the file has %zu", r->a.baseline,
                      r->g.nbaseline_rows);
    memcpy(r->shap_bg, r->g.baseline_rows, d * sizeof(float));
  } else if (r->g.baseline == LIMN_BASELINE_MEAN) { /* numeric means, the most frequent categories */
    const limn_stats *st = r->g.stats ? r->g.stats : limn_model_stats(r->m);
    const limn_schema *sc = limn_model_schema(r->m);
    if (!st)
      return cli_fail("--baseline mean: the model stores no training statistics");
    for (size_t j = 0; j < d; j++) {
      if (limn_schema_feature_kind(sc, j) != LIMN_COL_CATEGORICAL) {
        r->shap_bg[j] = (float)limn_stats_mean(st, j);
        continue;
      }
      size_t best = 0;
      for (size_t c = 1; c < limn_schema_ncategories(sc, j); c++)
        if (limn_stats_category_count(st, j, c) > limn_stats_category_count(st, j, best))
          best = c;
      r->shap_bg[j] = (float)best;
    }
  }
  return CLI_OK;
}

/* Shapley values of the rows for their classes (given, or each row's prediction). */
static int explain_shap(run *r, const long *truth) {
  limn_shap_opts o = r->a.so;
  o.background = r->shap_bg, o.nbackground = r->shap_nbg;
  o.groups = r->shap_groups, o.ngroups = r->shap_ngroups;
  o.target = r->g.target, o.targets = truth, o.row_ids = r->rows;
  limn_explanation *ex = NULL;
  int lr = limn_explain_shap(r->ctx, r->m, r->x, r->nrows, &o, &ex), rc;
  if (lr)
    return cli_lib_fail(r->ctx, lr);
  if (r->a.global) {
    limn_render_opts gc = render_opts(r, r->a.top);
    rc = write_out_file(r, &gc, ex, r->nrows, r->a.fmt, 1);
  } else {
    rc = write_out(r, ex, NULL, NULL, NULL, NULL, NULL);
  }
  limn_explanations_free(r->ctx, ex, r->nrows);
  return rc;
}

/* --groups FILE: a CSV with the columns `column` and `group`; the groups are players in
 * the order they first appear, then each column not listed alone. */
static int shap_groups(run *r) {
  const char *file = cli_get(&cmd, "groups");
  if (!file)
    return CLI_OK;
  const limn_schema *ms = limn_model_schema(r->m);
  size_t d = limn_model_nfeatures(r->m);
  limn_read_opts ro = limn_read_opts_default();
  const char *cats[] = {"column", "group"};
  ro.categorical = cats, ro.ncategorical = 2;
  limn_dataset *gs = NULL;
  int lr = limn_dataset_read(r->ctx, file, &ro, &gs);
  if (lr)
    return cli_lib_fail(r->ctx, lr);
  const limn_schema *s = limn_dataset_schema(gs);
  long cc = limn_schema_find_feature(s, "column"), gc = limn_schema_find_feature(s, "group");
  int rc = CLI_OK;
  if (cc < 0 || gc < 0 || limn_schema_nfeatures(s) != 2)
    rc = cli_fail("%s: expected the columns 'column' and 'group'", file);
  size_t n = limn_dataset_nrows(gs), ng = limn_schema_ncategories(s, (size_t)(gc < 0 ? 0 : gc));
  size_t *grp = malloc((d ? d : 1) * sizeof *grp), *gid = malloc((ng ? ng : 1) * sizeof *gid);
  if (!rc && (!grp || !gid))
    rc = cli_fail("out of memory");
  for (size_t j = 0; !rc && j < d; j++)
    grp[j] = (size_t)-1;
  for (size_t q = 0; !rc && q < ng; q++)
    gid[q] = (size_t)-1;
  size_t next = 0;
  for (size_t i = 0; !rc && i < n; i++) {
    const float *row = limn_dataset_x(gs) + i * 2;
    const char *col = limn_schema_category(s, (size_t)cc, (size_t)row[cc]);
    size_t g = (size_t)row[gc];
    long j = limn_schema_find_feature(ms, col);
    if (j < 0)
      rc = cli_fail("%s line %zu: field 'column': the model has no column '%s'", file,
                    limn_dataset_row_line(gs, i), col);
    else if (grp[j] != (size_t)-1)
      rc = cli_fail("%s line %zu: field 'column': '%s' is already in a group", file,
                    limn_dataset_row_line(gs, i), col);
    else {
      if (gid[g] == (size_t)-1)
        gid[g] = next++;
      grp[j] = gid[g];
    }
  }
  for (size_t j = 0; !rc && j < d; j++)
    if (grp[j] == (size_t)-1)
      grp[j] = next++;
  free(gid);
  limn_dataset_free(gs);
  if (rc) {
    free(grp);
    return rc;
  }
  r->shap_groups = grp, r->shap_ngroups = next;
  return CLI_OK;
}

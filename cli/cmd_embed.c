/* limn embed: a t-SNE map of a data file's rows, or of a model's outputs for them. */
#include "common.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

static cli_opt opts[] = {
    {"data", "FILE", "", "rows to map (CSV with a header, or .arff)", 0, 0, 0},
    {"out", "MAP.csv", "", "the map: row, x, y, label, predicted class and probability", 0, 0, 0},
    {"target", "COL", NULL, "label column (not mapped; colours the SVG)", 0, 0, 0},
    {"model", "MODEL", NULL,
     "a model (limn or ONNX; or --model-cmd): map its outputs (--space) and report its predictions", 0, 0, 0},
    CLI_MODEL_CMD_OPTS,
    {"background", "FILE", NULL,
     "training rows: LIME's statistics for --space attribution:lime (default: those stored in the model)", 0,
     0, 0},
    {"output-kind", "KIND", "auto", "ONNX: the graph's output: auto, probabilities, logits or value", 0, 0,
     0},
    {"space", "S", "input",
     "input (the columns), output (probabilities), logit, hidden:K (the K-th hidden layer's activations) or "
     "attribution:METHOD (each row's attributions for its predicted class by gradient, saliency, gradxinput, "
     "ig, smoothgrad, lime, or shap for tree models (TreeSHAP), with limn explain's defaults)",
     0, 0, 0},
    {"standardize", NULL, NULL, "z-score numeric columns first (space input without a model)", 0, 0, 0},
    {"transform", "MAP.csv", NULL,
     "place the rows into this saved map (MAP.csv.ref; space, --standardize and --pca come from it) instead "
     "of "
     "making a new one",
     0, 0, 0},
    {"pca", "K", "0", "reduce what is mapped to its K leading principal components first (0: no)", 0, 0, 0},
    {"perplexity", "P", "30", "effective number of neighbours", 0, 0, 0},
    {"iterations", "N", "750", "gradient-descent iterations, early exaggeration included", 0, 0, 0},
    {"early-exaggeration", "A", "12", "exaggeration of P during the first 250 iterations", 0, 0, 0},
    {"learning-rate", "ETA", "0",
     "step size for both phases (0: max(N / 12, 200) during early exaggeration, max(N, 200) after)", 0, 0, 0},
    {"method", "NAME", "auto",
     "auto (exact below 1000 rows, Barnes-Hut below 10000, else FFT), exact, barnes-hut or fft", 0, 0, 0},
    {"knn", "KIND", "auto",
     "the neighbours behind the affinities: exact, approx (a random-projection forest refined by "
     "neighbour-of-neighbour rounds; recall 0.99 on clustered data, memory linear in N) or auto (approx "
     "above 100000 rows, where it is 2x faster)",
     0, 0, 0},
    {"theta", "T", "0.5",
     "Barnes-Hut accuracy: cell width / distance below which a cell is one body (with --transform: into maps "
     "of 10000 points or more; 0: exact)",
     0, 0, 0},
    {"fft-nodes", "P", "3",
     "FFT accuracy: interpolation nodes per box and axis, 2..8 (4: closer to exact, slower)", 0, 0, 0},
    {"init", "NAME", "pca", "pca or random", 0, 0, 0},
    {"seed", "N", "0", "seed of the random initialisation", 0, 0, 0},
    {"threads", "N", "0", "threads (0: the cores other work leaves free); the map does not depend on it", 0,
     0, 0},
    {"verbose", NULL, NULL, "-v: the KL every 50 iterations and each stage's time on stderr", 0, 0, 0},
    {"svg", "FILE", NULL, "also draw the map: points coloured by class, misclassified ringed", 0, 0, 0},
    {"highlight", "ROWS", NULL, "rows to label in the SVG, e.g. 3,17", 0, 0, 0},
};

static cli_cmd cmd = {
    "embed",
    "t-SNE map",
    "limn embed --data FILE --out MAP.csv [--target COL] [--model M --space output] [options]",
    "Map the rows into 2-D with t-SNE (perplexity calibration to 1e-5, early exaggeration,\n"
    "momentum and gains, PCA initialisation; exact, Barnes-Hut or FFT repulsion). Without a\n"
    "model the columns are mapped (categorical ones one-hot); with one, --space chooses\n"
    "its output probabilities, logits, a hidden layer's activations or the rows'\n"
    "attributions instead.\n"
    "--pca K first reduces what is mapped to its K leading principal components.\n"
    "Writes MAP.csv, MAP.csv.json (KL, quality, options, provenance), MAP.csv.ref (what\n"
    "--transform needs) and optionally an SVG. `limn embed --transform MAP.csv --data NEW\n"
    "--out NEW_MAP.csv` places new rows into that map without moving it (openTSNE's\n"
    "transform: perplexity 5, 250 iterations, each row on its own).",
    opts,
    sizeof opts / sizeof *opts};

/* --model or --model-cmd. */
static int has_model(void) { return cli_get(&cmd, "model") || cli_get(&cmd, "model-cmd"); }

/* The matrix to map (n, dim), allocated. With --standardize on the columns, numeric
 * columns become z-scores: shift/scale (one per mapped column, one-hot columns 0 and
 * 1) come from `shift_in`/`scale_in` (a saved map's) or are computed and returned in
 * *shift_out / *scale_out (malloc'd). */
static int features(limn_ctx *ctx, const limn_dataset *ds, const limn_model *m, const limn_stats *bg,
                    const char *space, int standardize, const double *shift_in, const double *scale_in,
                    size_t expect_w, float **out, size_t *dim, double **shift_out, double **scale_out) {
  size_t n = limn_dataset_nrows(ds), d = limn_dataset_nfeatures(ds);
  const limn_schema *s = limn_dataset_schema(ds);
  const float *x = limn_dataset_x(ds);
  if (m && !strncmp(space, "attribution:", 12)) {
    limn_method meth;
    if (limn_method_parse(space + 12, &meth))
      return cli_fail("--space %s: expected attribution:gradient|saliency|gradxinput|ig|smoothgrad|lime|shap",
                      space);
    if (meth == LIMN_METHOD_SHAP && !limn_model_is_trees(m)) /* the other estimators need a background */
      return cli_fail("--space %s: SHAP attributions need a tree model here (TreeSHAP needs no background); "
                      "use limn explain --method shap --background FILE for other models",
                      space);
    limn_explanation *ex = NULL;
    int lr;
    if (meth == LIMN_METHOD_SHAP) { /* path-dependent TreeSHAP of each row's predicted class */
      limn_shap_opts so = limn_shap_opts_default();
      lr = limn_explain_shap(ctx, m, x, n, &so, &ex);
    } else if (meth == LIMN_METHOD_LIME) {
      const limn_stats *st = bg ? bg : limn_model_stats(m);
      if (!st)
        return cli_fail(
            "--space %s: the model has no training statistics for LIME: give --background FILE (the "
            "training rows)",
            space);
      limn_lime_opts lo = limn_lime_opts_default();
      lr = limn_explain_lime(ctx, m, st, x, n, &lo, &ex);
    } else {
      limn_grad_opts go = limn_grad_opts_default();
      go.method = meth;
      lr = limn_explain_gradients(ctx, m, x, n, &go, &ex);
    }
    if (lr)
      return cli_lib_fail(ctx, lr);
    float *f = malloc(n * d * sizeof *f);
    for (size_t i = 0; f && i < n; i++)
      for (size_t j = 0; j < d; j++)
        f[i * d + j] = (float)ex[i].attr[j];
    limn_explanations_free(ctx, ex, n);
    if (!f)
      return cli_fail("out of memory");
    *out = f, *dim = d;
    return CLI_OK;
  }
  if (m && strcmp(space, "input")) { /* output, logit or hidden:K */
    unsigned long layer = 0;
    size_t k = limn_model_noutputs(m);
    if (!strncmp(space, "hidden:", 7)) {
      char *end;
      size_t nh = limn_model_nhidden(m);
      layer = strtoul(space + 7, &end, 10);
      if (*end || end == space + 7 || layer < 1 || layer > nh)
        return cli_fail("--space %s: the model has %zu hidden layers (hidden:1..hidden:%zu)", space, nh, nh);
      k = limn_model_hidden_width(m, layer);
    }
    float *f = malloc(n * k * sizeof *f);
    int lr = !f      ? LIMN_ENOMEM
             : layer ? limn_model_hidden(ctx, m, x, n, layer, f)
                     : limn_model_forward(ctx, m, x, n,
                                          strcmp(space, "logit") ? LIMN_SPACE_OUTPUT : LIMN_SPACE_LOGIT, f);
    if (lr) {
      free(f);
      return cli_lib_fail(ctx, lr);
    }
    *out = f, *dim = k;
    return CLI_OK;
  }
  size_t w = 0;
  for (size_t j = 0; j < d; j++)
    w += limn_schema_feature_kind(s, j) == LIMN_COL_CATEGORICAL ? limn_schema_ncategories(s, j) : 1;
  if (expect_w && w != expect_w)
    return cli_fail("the rows give %zu mapped columns, the map was made from %zu", w, expect_w);
  float *f = calloc(n * w, sizeof *f);
  double *sh = standardize && !shift_in ? calloc(w, sizeof *sh) : NULL;
  double *sc = standardize && !shift_in ? calloc(w, sizeof *sc) : NULL;
  if (!f || (standardize && !shift_in && (!sh || !sc)))
    return free(f), free(sh), free(sc), cli_fail("out of memory");
  for (size_t j = 0, c = 0; j < d; j++) {
    if (limn_schema_feature_kind(s, j) == LIMN_COL_CATEGORICAL) { /* one-hot */
      for (size_t i = 0; i < n; i++)
        f[i * w + c + (size_t)x[i * d + j]] = 1.0f;
      for (size_t q = 0; sc && q < limn_schema_ncategories(s, j); q++)
        sc[c + q] = 1.0;
      c += limn_schema_ncategories(s, j);
      continue;
    }
    double mu = 0, sd = 1;
    if (shift_in) {
      mu = shift_in[c], sd = scale_in[c];
    } else if (standardize) {
      sd = 0;
      for (size_t i = 0; i < n; i++)
        mu += x[i * d + j] / (double)n;
      for (size_t i = 0; i < n; i++)
        sd += (x[i * d + j] - mu) * (x[i * d + j] - mu) / (double)n;
      sd = sqrt(sd);
      if (!(sd > 0))
        return free(f), free(sh), free(sc),
               cli_fail("--standardize: column '%s' is constant", limn_schema_feature_name(s, j));
      sh[c] = mu, sc[c] = sd;
    }
    for (size_t i = 0; i < n; i++)
      f[i * w + c] = standardize ? (float)((x[i * d + j] - mu) / sd) : x[i * d + j];
    c++;
  }
  *out = f, *dim = w;
  if (shift_out)
    *shift_out = sh, *scale_out = sc;
  else
    free(sh), free(sc);
  return CLI_OK;
}

/* How the mapped features are made, as one line: compared when new rows are placed. */
static int make_meta(limn_ctx *ctx, const limn_schema *s, const limn_model *m, const char *space,
                     int standardize, size_t pca_k, char *buf, size_t cap) {
  char model[65] = "none";
  if (m && limn_model_sha256(ctx, m, model))
    return cli_lib_fail(ctx, LIMN_EUNSUPPORTED);
  size_t len = (size_t)snprintf(buf, cap, "space=%s|standardize=%d|pca=%zu|model=%s|columns=", space,
                                standardize, pca_k, model);
  for (size_t j = 0; len < cap && j < limn_schema_nfeatures(s); j++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%s", j ? "," : "", limn_schema_feature_name(s, j));
  if (len >= cap)
    return cli_fail("too many columns to record in the map");
  for (char *c = buf; *c; c++)
    if (*c == '\n' || *c == '\r')
      *c = ' ';
  return CLI_OK;
}

/* The fields of a saved map's meta line (make_meta's format). */
static int parse_meta(const char *meta, char *space, size_t cap, int *standardize, size_t *pca_k) {
  const char *a = strstr(meta, "space="), *b = a ? strchr(a, '|') : NULL;
  if (!a || a != meta || !b || (size_t)(b - a - 6) >= cap)
    return 0;
  memcpy(space, a + 6, (size_t)(b - a - 6));
  space[b - a - 6] = '\0';
  return sscanf(b, "|standardize=%d|pca=%zu|", standardize, pca_k) == 2;
}

/* MAP.csv.json: the map's figures and its provenance (a manifest). */
static int write_sidecar(limn_ctx *ctx, const char *path, size_t n, size_t dim, double kl, double pres,
                         double acc, const char *transform_of, const char *space, size_t pca_k,
                         int standardize, int approx) {
  const char *keys[] = {"space",         "perplexity", "iterations", "early-exaggeration",
                        "learning-rate", "method",     "theta",      "fft-nodes",
                        "init",          "seed",       "pca",        "knn"};
  char pk[32];
  snprintf(pk, sizeof pk, "%zu", pca_k);
  limn_manifest *man = NULL;
  int lr = limn_manifest_create(ctx, &man);
  if (!lr)
    lr = limn_manifest_add_count(ctx, man, "rows", n);
  if (!lr)
    lr = limn_manifest_add_count(ctx, man, "dimensions", dim);
  if (!lr)
    lr = limn_manifest_add_number(ctx, man, "kl", kl);
  if (!lr)
    lr = limn_manifest_add_file_sha256(ctx, man, "data", cli_get(&cmd, "data"));
  if (!lr)
    lr = limn_manifest_add_number(ctx, man, "knn10_preservation", pres);
  if (!lr)
    lr = limn_manifest_add_number(ctx, man, "knn10_accuracy", acc);
  if (!lr && !transform_of) /* what the affinities and the preservation were measured on */
    lr = limn_manifest_add_string(ctx, man, "neighbours",
                                  approx ? "approximate (random-projection forest, neighbour-of-neighbour "
                                           "refinement)"
                                         : "exact");
  if (!lr && transform_of)
    lr = limn_manifest_add_string(ctx, man, "transform_of", transform_of);
  if (!lr && transform_of)
    lr = limn_manifest_add_string(ctx, man, "kl_is", "mean point-wise KL of the placed rows");
  for (size_t q = 0; q < sizeof keys / sizeof *keys && !lr; q++)
    lr = limn_manifest_add_option(ctx, man, keys[q],
                                  !strcmp(keys[q], "space") ? space
                                  : !strcmp(keys[q], "pca") ? pk
                                                            : cli_get(&cmd, keys[q]));
  if (!lr)
    lr = limn_manifest_add_option_bool(ctx, man, "standardize", standardize);
  FILE *f = lr ? NULL : cli_open_out(path);
  if (!lr && f) {
    lr = limn_manifest_write_json(ctx, man, limn_sink_file(f));
    fputc('\n', f);
  }
  limn_manifest_free(man);
  if (lr) {
    if (f)
      cli_close_out(f, path, 0);
    return cli_lib_fail(ctx, lr);
  }
  return f ? cli_close_out(f, path, 1) : CLI_FAIL;
}

static void log_line(void *ud, limn_log_level level, const char *msg) {
  (void)ud, (void)level;
  fprintf(stderr, "limn embed: %s\n", msg);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The command line, parsed once. */
typedef struct embed_args {
  limn_tsne_opts tsne;
  const char *space; /* with --transform: the saved map's */
  int standardize;   /* likewise */
  size_t pca_k;      /* likewise */
  int verbose;
  limn_tsne_knn knn;
} embed_args;

static int parse_args(int argc, char **argv, embed_args *a) {
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  memset(a, 0, sizeof *a);
  limn_tsne_opts *o = &a->tsne;
  *o = limn_tsne_opts_default();
  size_t threads;
  const char *space = cli_get(&cmd, "space"), *method = cli_get(&cmd, "method"),
             *init = cli_get(&cmd, "init");
  if (strcmp(space, "input") && strcmp(space, "output") && strcmp(space, "logit") &&
      strncmp(space, "hidden:", 7) && strncmp(space, "attribution:", 12))
    return cli_fail("--space: expected input, output, logit, hidden:K or attribution:METHOD, got '%s'",
                    space),
           CLI_USAGE;
  if (strcmp(space, "input") && !has_model())
    return cli_fail("--space %s needs --model or --model-cmd", space), CLI_USAGE;
  const char *methods[] = {"auto", "exact", "barnes-hut", "fft"};
  const limn_tsne_method mv[] = {LIMN_TSNE_AUTO, LIMN_TSNE_EXACT, LIMN_TSNE_BARNES_HUT, LIMN_TSNE_FFT};
  size_t q = 0;
  while (q < 4 && strcmp(method, methods[q]))
    q++;
  if (q == 4)
    return cli_fail("--method: expected auto, exact, barnes-hut or fft, got '%s'", method), CLI_USAGE;
  o->method = mv[q];
  const char *knn = cli_get(&cmd, "knn");
  if (!strcmp(knn, "auto") || !strcmp(knn, "exact") || !strcmp(knn, "approx"))
    a->knn = !strcmp(knn, "auto")    ? LIMN_TSNE_KNN_AUTO
             : !strcmp(knn, "exact") ? LIMN_TSNE_KNN_EXACT
                                     : LIMN_TSNE_KNN_APPROX;
  else
    return cli_fail("--knn: expected auto, exact or approx, got '%s'", knn), CLI_USAGE;
  if (strcmp(init, "pca") && strcmp(init, "random"))
    return cli_fail("--init: expected pca or random, got '%s'", init), CLI_USAGE;
  o->init_random = !strcmp(init, "random");
  if (cli_double(&cmd, "perplexity", 1, 1e6, &o->perplexity) ||
      cli_size(&cmd, "iterations", 1, 1000000, &o->iterations) ||
      cli_double(&cmd, "early-exaggeration", 1, 1e6, &o->exaggeration) ||
      cli_double(&cmd, "learning-rate", 0, 1e9, &o->learning_rate) ||
      cli_double(&cmd, "theta", 0, 10, &o->theta) || cli_size(&cmd, "fft-nodes", 2, 8, &o->fft_nodes) ||
      cli_u64(&cmd, "seed", &o->seed) || cli_size(&cmd, "threads", 0, 4096, &threads) ||
      cli_size(&cmd, "pca", 0, 1000000, &a->pca_k))
    return CLI_USAGE;
  if (o->exaggeration_iters > o->iterations)
    o->exaggeration_iters = o->iterations;
  a->space = space;
  a->standardize = cli_isset(&cmd, "standardize");
  a->verbose = cli_isset(&cmd, "verbose");
  return CLI_OK;
}

/* One run: what it reads, computes and writes; freed by embed_free. */
typedef struct embed {
  embed_args a;
  limn_ctx *ctx;
  limn_model *m;
  limn_dataset *ds;
  const limn_schema *s;
  limn_tsne_affinity *P;
  limn_tsne_map *ref; /* --transform: the saved map */
  limn_stats *bg;     /* --background: LIME's statistics */
  size_t n, dim, raw_dim, ncls;
  float *x, *prob; /* the mapped features (n, dim); the model's probabilities */
  double *y, kl, pres, acc;
  double *shift, *scale, *pca_mean, *pca_comp; /* a new map's feature transforms */
  long *cls, *pred;
  unsigned char *hl;
  char ref_path[4200], ref_space[256], meta[16384];
} embed;

/* --transform: the saved map, and its own way of making features. */
static int load_saved_map(embed *e) {
  const char *t = cli_get(&cmd, "transform");
  if (!t)
    return CLI_OK;
  snprintf(e->ref_path, sizeof e->ref_path, "%s.ref", t);
  int lr = limn_tsne_map_load(e->ctx, e->ref_path, &e->ref);
  if (lr)
    return cli_lib_fail(e->ctx, lr);
  const limn_tsne_map *ref = e->ref;
  size_t pk;
  if (!parse_meta(ref->meta, e->ref_space, sizeof e->ref_space, &e->a.standardize, &pk) ||
      (pk && (pk != ref->dim || !ref->raw_dim)) || (!pk && ref->raw_dim))
    return cli_fail("%s: line 2: field 'meta': not a description limn embed wrote", e->ref_path);
  e->a.pca_k = pk;
  e->a.space = e->ref_space;
  if (e->a.standardize && !strcmp(e->a.space, "input") && !ref->shift)
    return cli_fail("%s: the map was standardised but the file has no 'shift' and 'scale'", e->ref_path);
  if (strcmp(e->a.space, "input") && !has_model())
    return cli_fail("%s: the map was made in --space %s: give its --model", e->ref_path, e->a.space);
  return CLI_OK;
}

/* The rows (and the model), then the description of how they are mapped, which a
 * saved map must share. */
static int load_rows(embed *e) {
  double t_read = now_s();
  int rc;
  if (has_model()) {
    if ((rc = cli_load(e->ctx, &cmd, 1, &e->m, &e->ds)))
      return rc;
    const char *bgf = cli_get(&cmd, "background");
    int lr = bgf ? cli_read_background(e->ctx, e->m, bgf, NULL, &e->bg) : LIMN_OK;
    if (lr)
      return cli_lib_fail(e->ctx, lr);
  } else {
    limn_read_opts ro = limn_read_opts_default();
    ro.target = cli_get(&cmd, "target");
    int lr = limn_dataset_read(e->ctx, cli_get(&cmd, "data"), &ro, &e->ds);
    if (lr)
      return cli_lib_fail(e->ctx, lr);
  }
  if (e->a.verbose)
    fprintf(stderr, "limn embed: read %s: %.2f s\n", cli_get(&cmd, "data"), now_s() - t_read);
  e->n = limn_dataset_nrows(e->ds);
  e->s = limn_dataset_schema(e->ds);
  if ((rc = make_meta(e->ctx, e->s, e->m, e->a.space, e->a.standardize, e->a.pca_k, e->meta, sizeof e->meta)))
    return rc;
  if (e->ref && strcmp(e->meta, e->ref->meta)) {
    const char *a = strstr(e->meta, "|columns="), *b = strstr(e->ref->meta, "|columns=");
    if (a && b && strcmp(a, b))
      return cli_fail("%s: the map was made from other columns (%s), not these (%s)", e->ref_path, b + 9,
                      a + 9);
    return cli_fail("%s: the map was made with another model or none (%s), not with this one (%s)",
                    e->ref_path, e->ref->meta, e->meta);
  }
  return CLI_OK;
}

/* What is mapped: the features of --space, then --pca's components (a saved map's
 * own, about its mean). */
static int make_features(embed *e) {
  const limn_tsne_map *ref = e->ref;
  size_t raw_w = ref ? (ref->raw_dim ? ref->raw_dim : ref->dim) : 0, n = e->n, pca_k = e->a.pca_k;
  int rc = features(e->ctx, e->ds, e->m, e->bg, e->a.space, e->a.standardize, ref ? ref->shift : NULL,
                    ref ? ref->scale : NULL, raw_w, &e->x, &e->dim, ref ? NULL : &e->shift,
                    ref ? NULL : &e->scale);
  if (rc)
    return rc;
  if (ref && e->dim != raw_w)
    return cli_fail("%s: the rows give %zu mapped columns, the map was made from %zu", e->ref_path, e->dim,
                    raw_w);
  if (!pca_k)
    return CLI_OK;
  if (pca_k > e->dim)
    return cli_fail("--pca %zu: only %zu columns are mapped", pca_k, e->dim);
  float *z = malloc(n * pca_k * sizeof *z);
  if (!ref) {
    e->pca_mean = malloc(e->dim * sizeof *e->pca_mean);
    e->pca_comp = malloc(pca_k * e->dim * sizeof *e->pca_comp);
  }
  if (!z || (!ref && (!e->pca_mean || !e->pca_comp))) {
    free(z);
    return cli_fail("out of memory");
  }
  int pr = LIMN_OK;
  if (ref)
    limn_pca_project(e->x, n, e->dim, pca_k, ref->pca_mean, ref->pca_components, z);
  else
    pr = limn_pca(e->ctx, e->x, n, e->dim, pca_k, z, e->pca_comp, NULL, e->pca_mean);
  free(e->x);
  e->x = z;
  e->raw_dim = e->dim;
  e->dim = pca_k;
  return pr ? cli_lib_fail(e->ctx, pr) : CLI_OK;
}

/* --highlight: rows to circle in the SVG. */
static int read_highlight(embed *e) {
  e->hl = calloc(e->n ? e->n : 1, 1);
  if (!e->hl)
    return cli_fail("out of memory");
  if (!cli_get(&cmd, "highlight"))
    return CLI_OK;
  char buf[4096];
  const char *items[512];
  snprintf(buf, sizeof buf, "%s", cli_get(&cmd, "highlight"));
  size_t k = cli_split_list(buf, items, 512);
  for (size_t q = 0; q < k; q++) {
    char *end;
    long r = strtol(items[q], &end, 10);
    if (*end || r < 0 || (size_t)r >= e->n)
      return cli_fail("--highlight: '%s' is not a row (0..%zu)", items[q], e->n - 1);
    e->hl[r] = 1;
  }
  return CLI_OK;
}

/* The map: a new t-SNE, or the rows placed into the saved one (kl: their mean KL). */
static int place(embed *e) {
  size_t n = e->n, dim = e->dim;
  int lr;
  e->y = malloc(n * 2 * sizeof *e->y);
  if (!e->y)
    return cli_fail("out of memory");
  if (e->ref) {
    double *klv = malloc((n ? n : 1) * sizeof *klv);
    limn_tsne_transform_opts to = limn_tsne_transform_opts_default();
    to.theta = e->a.tsne.theta; /* --theta: the transform's Barnes-Hut accuracy too (0: exact) */
    lr = klv ? limn_tsne_transform(e->ctx, e->ref->x, e->ref->y, e->ref->n, dim, e->x, n, &to, e->y, klv)
             : LIMN_ENOMEM;
    e->kl = 0;
    for (size_t i = 0; !lr && i < n; i++)
      e->kl += klv[i] / (double)n;
    free(klv);
    return lr ? cli_lib_fail(e->ctx, lr) : CLI_OK;
  }
  if (e->a.verbose)
    limn_ctx_set_log(e->ctx, log_line, NULL);
  double t0 = now_s();
  lr = limn_tsne_affinities_knn(e->ctx, e->x, n, dim, e->a.tsne.perplexity, e->a.knn, &e->P);
  double t1 = now_s();
  if (e->a.verbose && !lr)
    fprintf(stderr, "limn embed: neighbours and affinities of %zu rows x %zu: %.2f s\n", n, dim, t1 - t0);
  if (!lr)
    lr = limn_tsne_run(e->ctx, e->P, e->x, dim, &e->a.tsne, e->y, &e->kl);
  if (e->a.verbose && !lr)
    fprintf(stderr, "limn embed: %zu iterations: %.2f s\n", e->a.tsne.iterations, now_s() - t1);
  return lr ? cli_lib_fail(e->ctx, lr) : CLI_OK;
}

/* Labels, the map's quality (10-NN preservation and accuracy; a new map of more than
 * 10 rows) and the model's predicted classes. */
static int assess(embed *e) {
  size_t n = e->n;
  e->pres = e->acc = NAN;
  e->ncls = limn_schema_task(e->s) == LIMN_TASK_CLASSIFICATION ? limn_schema_nclasses(e->s) : 0;
  if (limn_dataset_y(e->ds) && e->ncls) {
    e->cls = malloc(n * sizeof *e->cls);
    for (size_t i = 0; e->cls && i < n; i++)
      e->cls[i] = (long)limn_dataset_y(e->ds)[i];
  }
  double t_q = now_s();
  int lr;
  if (!e->ref && n > 10 &&
      (lr = limn_tsne_quality_affinity(e->ctx, e->P, e->x, n, e->dim, e->y, e->cls, 10, &e->pres, &e->acc)))
    return cli_lib_fail(e->ctx, lr);
  if (e->a.verbose && !e->ref)
    fprintf(stderr, "limn embed: 10-NN preservation and accuracy in the map: %.2f s\n", now_s() - t_q);
  if (!e->m || limn_model_task(e->m) != LIMN_TASK_CLASSIFICATION)
    return CLI_OK;
  size_t k = limn_model_noutputs(e->m);
  e->prob = malloc(n * k * sizeof *e->prob);
  e->pred = malloc(n * sizeof *e->pred);
  if (!e->prob || !e->pred || limn_model_predict(e->ctx, e->m, limn_dataset_x(e->ds), n, e->prob))
    return cli_fail("predictions failed: %s", limn_ctx_errmsg(e->ctx));
  for (size_t i = 0; i < n; i++) {
    size_t b = 0;
    for (size_t c = 1; c < k; c++)
      if (e->prob[i * k + c] > e->prob[i * k + b])
        b = c;
    e->pred[i] = (long)b;
  }
  return CLI_OK;
}

/* MAP.csv: row, x, y, the label and the prediction. */
static int write_map(embed *e) {
  const char *out = cli_get(&cmd, "out");
  FILE *f = cli_open_out(out);
  if (!f)
    return CLI_FAIL;
  char b1[40], b2[40];
  fprintf(f, "row,x,y%s%s\n", e->cls ? ",label" : "", e->pred ? ",predicted,probability" : "");
  for (size_t i = 0; i < e->n; i++) {
    cli_fmt_double(b1, sizeof b1, e->y[2 * i]);
    cli_fmt_double(b2, sizeof b2, e->y[2 * i + 1]);
    fprintf(f, "%zu,%s,%s", i, b1, b2);
    if (e->cls) {
      fputc(',', f);
      cli_csv_field(f, limn_schema_class_name(e->s, (size_t)e->cls[i]));
    }
    if (e->pred) {
      fputc(',', f);
      cli_csv_field(f, limn_model_output_name(e->m, (size_t)e->pred[i]));
      cli_fmt_float(b1, sizeof b1, e->prob[i * limn_model_noutputs(e->m) + (size_t)e->pred[i]]);
      fprintf(f, ",%s", b1);
    }
    fputc('\n', f);
  }
  return cli_close_out(f, out, 1);
}

/* MAP.csv.ref: what --transform needs (a new map only). */
static int write_ref(embed *e) {
  if (e->ref)
    return CLI_OK;
  char rp[4200], tmp[4300];
  snprintf(rp, sizeof rp, "%s.ref", cli_get(&cmd, "out"));
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", rp, (long)getpid()); /* renamed with the others */
  limn_tsne_map sm = {e->meta,    e->n,     e->dim,   e->x,        e->y,
                      e->raw_dim, e->shift, e->scale, e->pca_mean, e->pca_comp};
  int lr = limn_tsne_map_save(e->ctx, &sm, tmp);
  return lr ? cli_lib_fail(e->ctx, lr) : cli_outputs_defer(tmp, rp);
}

/* --svg: the map drawn, classes coloured, mistakes ringed, a saved map in grey. */
static int write_svg(embed *e) {
  const char *path = cli_get(&cmd, "svg");
  if (!path)
    return CLI_OK;
  const char *names[10];
  size_t nn = e->ncls ? e->ncls : (e->m ? limn_model_noutputs(e->m) : 0);
  for (size_t c = 0; c < nn && c < 10; c++)
    names[c] = e->ncls ? limn_schema_class_name(e->s, c) : limn_model_output_name(e->m, c);
  limn_map_svg ms = {e->y,
                     e->n,
                     e->cls,
                     e->pred,
                     nn ? names : NULL,
                     nn,
                     e->hl,
                     e->ref ? e->ref->y : NULL,
                     e->ref ? e->ref->n : 0};
  FILE *f = cli_open_out(path);
  if (!f)
    return CLI_FAIL;
  int lr = limn_render_map_svg(e->ctx, &ms, limn_sink_file(f));
  if (lr) {
    cli_close_out(f, path, 0);
    return cli_lib_fail(e->ctx, lr);
  }
  return cli_close_out(f, path, 1);
}

static void embed_free(embed *e) {
  limn_tsne_affinity_free(e->ctx, e->P);
  limn_tsne_map_free(e->ctx, e->ref);
  free(e->x), free(e->y), free(e->prob), free(e->cls), free(e->pred), free(e->hl);
  free(e->shift), free(e->scale), free(e->pca_mean), free(e->pca_comp);
  limn_stats_free(e->bg);
  limn_dataset_free(e->ds);
  limn_model_free(e->m);
  limn_ctx_free(e->ctx);
}

int cmd_embed(int argc, char **argv) {
  static embed e; /* 20 kB of paths and the map's description: not on the stack */
  memset(&e, 0, sizeof e);
  int rc = parse_args(argc, argv, &e.a);
  if (rc)
    return rc;
  if (!(e.ctx = cli_ctx(&cmd)))
    return CLI_FAIL;
  cli_outputs_begin(); /* the map's files are renamed into place together, or none */
  if (!(rc = load_saved_map(&e)) && !(rc = load_rows(&e)) && !(rc = make_features(&e)) &&
      !(rc = read_highlight(&e)) && !(rc = place(&e)) && !(rc = assess(&e)) && !(rc = write_map(&e)) &&
      !(rc = write_ref(&e))) {
    char side[4200];
    snprintf(side, sizeof side, "%s.json", cli_get(&cmd, "out"));
    if (!(rc = write_sidecar(e.ctx, side, e.n, e.dim, e.kl, e.pres, e.acc,
                             e.ref ? cli_get(&cmd, "transform") : NULL, e.a.space, e.a.pca_k, e.a.standardize,
                             e.a.knn == LIMN_TSNE_KNN_APPROX ||
                                 (e.a.knn == LIMN_TSNE_KNN_AUTO && e.n > LIMN_TSNE_KNN_EXACT_ROWS))) &&
        !(rc = write_svg(&e)) && !(rc = cli_outputs_end(1))) {
      char q[96] = "";
      if (!isnan(e.pres))
        snprintf(q, sizeof q, ", 10-NN preservation %.3f", e.pres);
      if (!isnan(e.acc))
        snprintf(q + strlen(q), sizeof q - strlen(q), ", 10-NN accuracy %.3f", e.acc);
      fprintf(stderr, "limn embed: %zu rows, %zu dimensions, KL %.4f%s -> %s\n", e.n, e.dim, e.kl, q,
              cli_get(&cmd, "out"));
    }
  }
  if (rc)
    cli_outputs_end(0);
  embed_free(&e);
  return rc;
}

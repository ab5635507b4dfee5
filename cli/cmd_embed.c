/* limn embed: a t-SNE map of a data file's rows, or of a model's outputs for them. */
#include "common.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static cli_opt opts[] = {
    {"data", "FILE", "", "rows to map (CSV with a header, or .arff)", 0, 0, 0},
    {"out", "MAP.csv", "", "the map: row, x, y, label, predicted class and probability", 0, 0, 0},
    {"target", "COL", NULL, "label column (not mapped; colours the SVG)", 0, 0, 0},
    {"model", "MODEL", NULL, "a model (limn or ONNX): map its outputs (--space) and report its predictions",
     0, 0, 0},
    {"output-kind", "KIND", "auto", "ONNX: the graph's output: auto, probabilities, logits or value", 0, 0,
     0},
    {"space", "S", "input",
     "input (the columns), output (probabilities), logit, hidden:K (the K-th hidden layer's activations) or "
     "attribution:METHOD (each row's attributions for its predicted class by gradient, saliency, gradxinput, "
     "ig, "
     "smoothgrad or lime, with limn explain's defaults)",
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
    {"theta", "T", "0.5",
     "Barnes-Hut accuracy: cell width / distance below which a cell is one body (with --transform: into maps "
     "of 10000 points or more; 0: exact)",
     0, 0, 0},
    {"fft-nodes", "P", "3",
     "FFT accuracy: interpolation nodes per box and axis, 2..8 (4: closer to exact, slower)", 0, 0, 0},
    {"init", "NAME", "pca", "pca or random", 0, 0, 0},
    {"seed", "N", "0", "seed of the random initialisation", 0, 0, 0},
    {"threads", "N", "0", "threads (0: all cores); the map does not depend on it", 0, 0, 0},
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

/* The matrix to map (n, dim), allocated. With --standardize on the columns, numeric
 * columns become z-scores: shift/scale (one per mapped column, one-hot columns 0 and
 * 1) come from `shift_in`/`scale_in` (a saved map's) or are computed and returned in
 * *shift_out / *scale_out (malloc'd). */
static int features(limn_ctx *ctx, const limn_dataset *ds, const limn_model *m, const char *space,
                    int standardize, const double *shift_in, const double *scale_in, size_t expect_w,
                    float **out, size_t *dim, double **shift_out, double **scale_out) {
  size_t n = limn_dataset_nrows(ds), d = limn_dataset_nfeatures(ds);
  const limn_schema *s = limn_dataset_schema(ds);
  const float *x = limn_dataset_x(ds);
  if (m && !strncmp(space, "attribution:", 12)) {
    limn_method meth;
    if (limn_method_parse(space + 12, &meth))
      return cli_fail("--space %s: expected attribution:gradient|saliency|gradxinput|ig|smoothgrad|lime",
                      space);
    limn_explanation *ex = NULL;
    int lr;
    if (meth == LIMN_METHOD_LIME) {
      if (!limn_model_stats(m))
        return cli_fail("--space %s: the model has no training statistics for LIME", space);
      limn_lime_opts lo = limn_lime_opts_default();
      lr = limn_explain_lime(ctx, m, limn_model_stats(m), x, n, &lo, &ex);
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
                         int standardize) {
  const char *keys[] = {"space",         "perplexity", "iterations", "early-exaggeration",
                        "learning-rate", "method",     "theta",      "fft-nodes",
                        "init",          "seed",       "pca"};
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

int cmd_embed(int argc, char **argv) {
  size_t pca_k = 0;
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  limn_tsne_opts o = limn_tsne_opts_default();
  size_t threads;
  const char *space = cli_get(&cmd, "space"), *method = cli_get(&cmd, "method"),
             *init = cli_get(&cmd, "init");
  if (strcmp(space, "input") && strcmp(space, "output") && strcmp(space, "logit") &&
      strncmp(space, "hidden:", 7) && strncmp(space, "attribution:", 12))
    return cli_fail("--space: expected input, output, logit, hidden:K or attribution:METHOD, got '%s'",
                    space),
           CLI_USAGE;
  if (strcmp(space, "input") && !cli_get(&cmd, "model"))
    return cli_fail("--space %s needs --model", space), CLI_USAGE;
  if (!strcmp(method, "auto"))
    o.method = LIMN_TSNE_AUTO;
  else if (!strcmp(method, "exact"))
    o.method = LIMN_TSNE_EXACT;
  else if (!strcmp(method, "barnes-hut"))
    o.method = LIMN_TSNE_BARNES_HUT;
  else if (!strcmp(method, "fft"))
    o.method = LIMN_TSNE_FFT;
  else
    return cli_fail("--method: expected auto, exact, barnes-hut or fft, got '%s'", method), CLI_USAGE;
  if (strcmp(init, "pca") && strcmp(init, "random"))
    return cli_fail("--init: expected pca or random, got '%s'", init), CLI_USAGE;
  o.init_random = !strcmp(init, "random");
  if (cli_double(&cmd, "perplexity", 1, 1e6, &o.perplexity) ||
      cli_size(&cmd, "iterations", 1, 1000000, &o.iterations) ||
      cli_double(&cmd, "early-exaggeration", 1, 1e6, &o.exaggeration) ||
      cli_double(&cmd, "learning-rate", 0, 1e9, &o.learning_rate) ||
      cli_double(&cmd, "theta", 0, 10, &o.theta) || cli_size(&cmd, "fft-nodes", 2, 8, &o.fft_nodes) ||
      cli_u64(&cmd, "seed", &o.seed) || cli_size(&cmd, "threads", 0, 4096, &threads) ||
      cli_size(&cmd, "pca", 0, 1000000, &pca_k))
    return CLI_USAGE;
  if (o.exaggeration_iters > o.iterations)
    o.exaggeration_iters = o.iterations;
  limn_ctx *ctx = cli_ctx(&cmd);
  if (!ctx)
    return CLI_FAIL;
  limn_model *m = NULL;
  limn_dataset *ds = NULL;
  limn_tsne_affinity *P = NULL;
  limn_tsne_map *ref = NULL;
  float *x = NULL, *prob = NULL;
  double *y = NULL, kl = NAN, *shift = NULL, *scale = NULL, *pca_mean = NULL, *pca_comp = NULL;
  long *cls = NULL, *pred = NULL;
  unsigned char *hl = NULL;
  size_t dim = 0, raw_dim = 0;
  int standardize = cli_isset(&cmd, "standardize");
  char ref_path[4200] = "", ref_space[256];
  limn_read_opts ro = limn_read_opts_default();
  int lr = 0;
  if (cli_get(&cmd, "transform")) { /* the map's own way of making features */
    snprintf(ref_path, sizeof ref_path, "%s.ref", cli_get(&cmd, "transform"));
    if ((lr = limn_tsne_map_load(ctx, ref_path, &ref))) {
      rc = cli_lib_fail(ctx, lr);
      goto done;
    }
    if (!parse_meta(ref->meta, ref_space, sizeof ref_space, &standardize, &pca_k) ||
        (pca_k && (pca_k != ref->dim || !ref->raw_dim)) || (!pca_k && ref->raw_dim)) {
      rc = cli_fail("%s: line 2: field 'meta': not a description limn embed wrote", ref_path);
      goto done;
    }
    space = ref_space;
    if (standardize && !strcmp(space, "input") && !ref->shift) {
      rc = cli_fail("%s: the map was standardised but the file has no 'shift' and 'scale'", ref_path);
      goto done;
    }
    if (strcmp(space, "input") && !cli_get(&cmd, "model")) {
      rc = cli_fail("%s: the map was made in --space %s: give its --model", ref_path, space);
      goto done;
    }
  }
  double t_read = now_s();
  if (cli_get(&cmd, "model")) {
    if ((rc = cli_load(ctx, &cmd, 1, &m, &ds)))
      goto done;
  } else {
    ro.target = cli_get(&cmd, "target");
    lr = limn_dataset_read(ctx, cli_get(&cmd, "data"), &ro, &ds);
  }
  if (lr) {
    rc = cli_lib_fail(ctx, lr);
    goto done;
  }
  if (cli_isset(&cmd, "verbose"))
    fprintf(stderr, "limn embed: read %s: %.2f s\n", cli_get(&cmd, "data"), now_s() - t_read);
  size_t n = limn_dataset_nrows(ds);
  const limn_schema *s = limn_dataset_schema(ds);
  char meta[16384];
  if ((rc = make_meta(ctx, s, m, space, standardize, pca_k, meta, sizeof meta)))
    goto done;
  if (ref && strcmp(meta, ref->meta)) {
    const char *a = strstr(meta, "|columns="), *b = strstr(ref->meta, "|columns=");
    if (a && b && strcmp(a, b))
      rc = cli_fail("%s: the map was made from other columns (%s), not these (%s)", ref_path, b + 9, a + 9);
    else
      rc = cli_fail("%s: the map was made with another model or none (%s), not with this one (%s)", ref_path,
                    ref->meta, meta);
    goto done;
  }
  size_t raw_w = ref ? (ref->raw_dim ? ref->raw_dim : ref->dim) : 0;
  if ((rc = features(ctx, ds, m, space, standardize, ref ? ref->shift : NULL, ref ? ref->scale : NULL, raw_w,
                     &x, &dim, ref ? NULL : &shift, ref ? NULL : &scale)))
    goto done;
  if (ref && dim != raw_w) {
    rc = cli_fail("%s: the rows give %zu mapped columns, the map was made from %zu", ref_path, dim, raw_w);
    goto done;
  }
  if (pca_k) {
    if (pca_k > dim) {
      rc = cli_fail("--pca %zu: only %zu columns are mapped", pca_k, dim);
      goto done;
    }
    float *z = malloc(n * pca_k * sizeof *z);
    if (!ref) {
      pca_mean = malloc(dim * sizeof *pca_mean);
      pca_comp = malloc(pca_k * dim * sizeof *pca_comp);
    }
    if (!z || (!ref && (!pca_mean || !pca_comp))) {
      free(z);
      rc = cli_fail("out of memory");
      goto done;
    }
    int pr = LIMN_OK;
    if (ref) /* the map's components, about its mean */
      limn_pca_project(x, n, dim, pca_k, ref->pca_mean, ref->pca_components, z);
    else
      pr = limn_pca(ctx, x, n, dim, pca_k, z, pca_comp, NULL, pca_mean);
    free(x);
    x = z;
    raw_dim = dim;
    dim = pca_k;
    if (pr) {
      rc = cli_lib_fail(ctx, pr);
      goto done;
    }
  }
  y = malloc(n * 2 * sizeof *y);
  hl = calloc(n, 1);
  if (!y || !hl) {
    rc = cli_fail("out of memory");
    goto done;
  }
  if (cli_get(&cmd, "highlight")) {
    char buf[4096];
    const char *items[512];
    snprintf(buf, sizeof buf, "%s", cli_get(&cmd, "highlight"));
    size_t k = cli_split_list(buf, items, 512);
    for (size_t q = 0; q < k; q++) {
      char *end;
      long r = strtol(items[q], &end, 10);
      if (*end || r < 0 || (size_t)r >= n) {
        rc = cli_fail("--highlight: '%s' is not a row (0..%zu)", items[q], n - 1);
        goto done;
      }
      hl[r] = 1;
    }
  }
  if (ref) {
    double *klv = malloc((n ? n : 1) * sizeof *klv);
    limn_tsne_transform_opts to = limn_tsne_transform_opts_default();
    to.theta = o.theta; /* --theta: the transform's Barnes-Hut accuracy too (0: exact) */
    lr = klv ? limn_tsne_transform(ctx, ref->x, ref->y, ref->n, dim, x, n, &to, y, klv) : LIMN_ENOMEM;
    kl = 0;
    for (size_t i = 0; !lr && i < n; i++)
      kl += klv[i] / (double)n;
    free(klv);
  } else {
    int verbose = cli_isset(&cmd, "verbose");
    if (verbose)
      limn_ctx_set_log(ctx, log_line, NULL);
    double t0 = now_s();
    lr = limn_tsne_affinities(ctx, x, n, dim, o.perplexity, &P);
    double t1 = now_s();
    if (verbose && !lr)
      fprintf(stderr, "limn embed: neighbours and affinities of %zu rows x %zu: %.2f s\n", n, dim, t1 - t0);
    if (!lr)
      lr = limn_tsne_run(ctx, P, x, dim, &o, y, &kl);
    if (verbose && !lr)
      fprintf(stderr, "limn embed: %zu iterations: %.2f s\n", o.iterations, now_s() - t1);
  }
  if (lr) {
    rc = cli_lib_fail(ctx, lr);
    goto done;
  }
  size_t ncls = limn_schema_task(s) == LIMN_TASK_CLASSIFICATION ? limn_schema_nclasses(s) : 0;
  if (limn_dataset_y(ds) && ncls) {
    cls = malloc(n * sizeof *cls);
    for (size_t i = 0; cls && i < n; i++)
      cls[i] = (long)limn_dataset_y(ds)[i];
  }
  double pres = NAN, acc = NAN, t_q = now_s(); /* 10-NN preservation, 10-NN accuracy in the map */
  if (!ref && n > 10 && (lr = limn_tsne_quality_affinity(ctx, P, x, n, dim, y, cls, 10, &pres, &acc))) {
    rc = cli_lib_fail(ctx, lr);
    goto done;
  }
  if (cli_isset(&cmd, "verbose") && !ref)
    fprintf(stderr, "limn embed: 10-NN preservation and accuracy in the map: %.2f s\n", now_s() - t_q);
  if (m && limn_model_task(m) == LIMN_TASK_CLASSIFICATION) {
    size_t k = limn_model_noutputs(m);
    prob = malloc(n * k * sizeof *prob);
    pred = malloc(n * sizeof *pred);
    if (!prob || !pred || limn_model_predict(ctx, m, limn_dataset_x(ds), n, prob)) {
      rc = cli_fail("predictions failed: %s", limn_ctx_errmsg(ctx));
      goto done;
    }
    for (size_t i = 0; i < n; i++) {
      size_t b = 0;
      for (size_t c = 1; c < k; c++)
        if (prob[i * k + c] > prob[i * k + b])
          b = c;
      pred[i] = (long)b;
    }
  }
  FILE *f = cli_open_out(cli_get(&cmd, "out"));
  if (!f) {
    rc = CLI_FAIL;
    goto done;
  }
  char b1[40], b2[40];
  fprintf(f, "row,x,y%s%s\n", cls ? ",label" : "", pred ? ",predicted,probability" : "");
  for (size_t i = 0; i < n; i++) {
    cli_fmt_double(b1, sizeof b1, y[2 * i]);
    cli_fmt_double(b2, sizeof b2, y[2 * i + 1]);
    fprintf(f, "%zu,%s,%s", i, b1, b2);
    if (cls) {
      fputc(',', f);
      cli_csv_field(f, limn_schema_class_name(s, (size_t)cls[i]));
    }
    if (pred) {
      fputc(',', f);
      cli_csv_field(f, limn_model_output_name(m, (size_t)pred[i]));
      cli_fmt_float(b1, sizeof b1, prob[i * limn_model_noutputs(m) + (size_t)pred[i]]);
      fprintf(f, ",%s", b1);
    }
    fputc('\n', f);
  }
  if ((rc = cli_close_out(f, cli_get(&cmd, "out"), 1)))
    goto done;
  if (!ref) { /* what --transform needs */
    char rp[4200];
    snprintf(rp, sizeof rp, "%s.ref", cli_get(&cmd, "out"));
    limn_tsne_map sm = {meta, n, dim, x, y, raw_dim, shift, scale, pca_mean, pca_comp};
    if ((lr = limn_tsne_map_save(ctx, &sm, rp))) {
      rc = cli_lib_fail(ctx, lr);
      goto done;
    }
  }
  char side[4200];
  snprintf(side, sizeof side, "%s.json", cli_get(&cmd, "out"));
  if ((rc = write_sidecar(ctx, side, n, dim, kl, pres, acc, ref ? cli_get(&cmd, "transform") : NULL, space,
                          pca_k, standardize)))
    goto done;
  if (cli_get(&cmd, "svg")) {
    const char *names[10];
    size_t nn = ncls ? ncls : (m ? limn_model_noutputs(m) : 0);
    for (size_t c = 0; c < nn && c < 10; c++)
      names[c] = ncls ? limn_schema_class_name(s, c) : limn_model_output_name(m, c);
    limn_map_svg ms = {y, n, cls, pred, nn ? names : NULL, nn, hl, ref ? ref->y : NULL, ref ? ref->n : 0};
    f = cli_open_out(cli_get(&cmd, "svg"));
    if (!f) {
      rc = CLI_FAIL;
      goto done;
    }
    if ((lr = limn_render_map_svg(ctx, &ms, limn_sink_file(f)))) {
      cli_close_out(f, cli_get(&cmd, "svg"), 0);
      rc = cli_lib_fail(ctx, lr);
      goto done;
    }
    rc = cli_close_out(f, cli_get(&cmd, "svg"), 1);
  }
  if (!rc) {
    char q[96] = "";
    if (!isnan(pres))
      snprintf(q, sizeof q, ", 10-NN preservation %.3f", pres);
    if (!isnan(acc))
      snprintf(q + strlen(q), sizeof q - strlen(q), ", 10-NN accuracy %.3f", acc);
    fprintf(stderr, "limn embed: %zu rows, %zu dimensions, KL %.4f%s -> %s\n", n, dim, kl, q,
            cli_get(&cmd, "out"));
  }
done:
  limn_tsne_affinity_free(ctx, P);
  limn_tsne_map_free(ctx, ref);
  free(x), free(y), free(prob), free(cls), free(pred), free(hl);
  free(shift), free(scale), free(pca_mean), free(pca_comp);
  limn_dataset_free(ds);
  limn_model_free(m);
  limn_ctx_free(ctx);
  return rc;
}

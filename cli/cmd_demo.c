/* limn demo: train a bundled model, explain interesting test rows, write the report. */
#include "common.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LIMN_DATA_DIR
#define LIMN_DATA_DIR "data"
#endif
#ifndef LIMN_INSTALL_DATA_DIR
#define LIMN_INSTALL_DATA_DIR "/usr/local/share/limn/data"
#endif

static cli_opt opts[] = {
    {"dataset", "NAME", "breast-cancer",
     "breast-cancer (a diagnosis), credit (loan decisions with reason codes) or digits (images, heat maps)",
     0, 0, 0},
    {"out", "DIR", "out", "directory for the split data, the model and report.html", 0, 0, 0},
    {"data-dir", "DIR", NULL,
     "where the bundled data lives (default: $LIMN_DATA_DIR, the source tree's data/, "
     "or the installed copy)",
     0, 0, 0},
    {"seed", "N", "0", "seed of the split, the training, LIME and the map", 0, 0, 0},
    {"threads", "N", "0", "threads (0: the cores other work leaves free); results do not depend on it", 0, 0,
     0},
};

static cli_cmd cmd = {"demo",
                      "the main job, on bundled data",
                      "limn demo [--dataset breast-cancer|credit|digits] [--out DIR]",
                      "Split a bundled data set (75/25, stratified), train limn's MLP on the training\n"
                      "part (seconds, deterministic), choose three test rows worth explaining (the most\n"
                      "confident correct prediction, the least certain one, the most confident mistake),\n"
                      "and write DIR/report.html explaining them, with a t-SNE map of the test set.",
                      opts,
                      sizeof opts / sizeof *opts};

typedef struct demo_set {
  const char *name, *file, *target, *favourable, *title;
  size_t reasons;
} demo_set;

static const demo_set sets[] = {
    {"breast-cancer", "breast_cancer.csv", "diagnosis", "benign", "limn demo: breast cancer diagnosis", 4},
    {"credit", "credit-g.arff", "class", "good", "limn demo: credit decisions (German credit)", 4},
    {"digits", "digits.csv", "digit", NULL, "limn demo: handwritten digits", 0},
};

static void stage(const char *what) {
  if (isatty(2))
    fprintf(stderr, "limn demo: %s...\n", what);
}

/* mkdir -p */
static int make_dir(const char *path) {
  char buf[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof buf)
    return cli_fail("--out: bad directory '%s'", path);
  memcpy(buf, path, n + 1);
  for (size_t i = 1; i <= n; i++)
    if (buf[i] == '/' || buf[i] == 0) {
      char c = buf[i];
      buf[i] = 0;
      if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return cli_fail("cannot create directory '%s': %s", buf, strerror(errno));
      buf[i] = c;
    }
  return CLI_OK;
}

static const char *data_dir(void) {
  const char *d = cli_get(&cmd, "data-dir");
  if (d)
    return d;
  d = getenv("LIMN_DATA_DIR");
  if (d && *d)
    return d;
  struct stat st;
  if (stat(LIMN_DATA_DIR "/breast_cancer.csv", &st) == 0)
    return LIMN_DATA_DIR;
  return LIMN_INSTALL_DATA_DIR;
}

/* Three rows worth explaining; returns how many (2 when nothing is misclassified). */
static size_t choose(const float *p, const long *pred, const float *y, size_t n, size_t C, size_t *rows,
                     const char **why) {
  size_t a = n, b = n, c = n, k = 0;
#define PMAX(i) p[(i)*C + (size_t)pred[i]]
  for (size_t i = 0; i < n; i++)
    if (pred[i] == (long)y[i] && (a == n || PMAX(i) > PMAX(a)))
      a = i;
  for (size_t i = 0; i < n; i++)
    if (i != a && (b == n || PMAX(i) < PMAX(b)))
      b = i;
  for (size_t i = 0; i < n; i++)
    if (i != a && i != b && pred[i] != (long)y[i] && (c == n || PMAX(i) > PMAX(c)))
      c = i;
#undef PMAX
  if (a < n)
    rows[k] = a, why[k++] = "the most confident correct prediction";
  if (b < n)
    rows[k] = b, why[k++] = "the least certain prediction";
  if (c < n)
    rows[k] = c, why[k++] = "the most confident mistake";
  return k;
}

/* One demo run: its paths, what it reads and makes; freed by demo_free. */
typedef struct demo {
  const demo_set *set;
  uint64_t seed;
  limn_ctx *ctx;
  char src[4096], trp[4096], tep[4096], mp[4096], rp[4096], line[8192];
  limn_dataset *test;
  limn_model *m;
  size_t ntr, nte, rows[3], nrows;
  const char *why[3];
  float *p;       /* (nte, C) the test rows' probabilities */
  float *shap_bg; /* SHAP's reference rows: 100 training rows */
  size_t nshap;
  long *pred; /* (nte) their predicted classes */
  double acc;
} demo;

/* The options, parsed once: the data set, the seed, the paths. */
static int parse_args(int argc, char **argv, demo *d) {
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
    if (!strcmp(cli_get(&cmd, "dataset"), sets[i].name))
      d->set = &sets[i];
  if (!d->set)
    return cli_fail("--dataset: expected breast-cancer, credit or digits, got '%s'",
                    cli_get(&cmd, "dataset")),
           CLI_USAGE;
  size_t threads;
  if (cli_u64(&cmd, "seed", &d->seed) || cli_size(&cmd, "threads", 0, 4096, &threads))
    return CLI_USAGE;
  const char *out = cli_get(&cmd, "out"), *seed = cli_get(&cmd, "seed");
  snprintf(d->src, sizeof d->src, "%s/%s", data_dir(), d->set->file);
  snprintf(d->trp, sizeof d->trp, "%s/train.csv", out);
  snprintf(d->tep, sizeof d->tep, "%s/test.csv", out);
  snprintf(d->mp, sizeof d->mp, "%s/model.limn", out);
  snprintf(d->rp, sizeof d->rp, "%s/report.html", out);
  snprintf(d->line, sizeof d->line, "limn demo --dataset %s --out %s%s%s", d->set->name, out,
           strcmp(seed, "0") ? " --seed " : "", strcmp(seed, "0") ? seed : "");
  return CLI_OK;
}

/* The bundled data split 75/25, stratified on the target, into train.csv and test.csv;
 * the training rows kept for training. */
static int split_data(demo *d, limn_dataset **train) {
  limn_ctx *ctx = d->ctx;
  limn_dataset *all = NULL, *te = NULL;
  unsigned char *is_test = NULL;
  size_t *idx = NULL;
  limn_read_opts ro = limn_read_opts_default();
  ro.target = d->set->target;
  ro.keep_text = 1;
  stage("splitting the data");
  int lr = limn_dataset_read(ctx, d->src, &ro, &all);
  if (!lr) {
    size_t n = limn_dataset_nrows(all);
    is_test = malloc(n);
    idx = malloc(n * sizeof *idx);
    lr = is_test && idx ? limn_dataset_split_rows(ctx, all, 0.25, d->seed, d->set->target, is_test)
                        : LIMN_ENOMEM;
    for (size_t i = 0; i < n && !lr; i++)
      if (!is_test[i])
        idx[d->ntr++] = i;
    for (size_t i = 0; i < n && !lr; i++)
      if (is_test[i])
        idx[d->ntr + d->nte++] = i;
  }
  if (!lr)
    lr = limn_dataset_subset(ctx, all, idx, d->ntr, train);
  if (!lr)
    lr = limn_dataset_subset(ctx, all, idx + d->ntr, d->nte, &te);
  if (!lr)
    lr = limn_dataset_write_csv(ctx, *train, d->trp);
  if (!lr)
    lr = limn_dataset_write_csv(ctx, te, d->tep);
  free(is_test);
  free(idx);
  limn_dataset_free(te);
  limn_dataset_free(all);
  return lr ? cli_lib_fail(ctx, lr) : CLI_OK;
}

/* limn's MLP trained on the training rows and saved; the test rows read back as
 * `limn report --data test.csv` reads them. */
static int train_model(demo *d, const limn_dataset *train) {
  stage("training the model");
  limn_mlp_opts o = limn_mlp_opts_default();
  o.seed = d->seed;
  int lr = limn_mlp_train(d->ctx, train, &o, &d->m);
  if (!lr)
    lr = limn_model_save(d->ctx, d->m, d->mp);
  if (!lr) {
    limn_read_opts tro = limn_read_opts_default();
    tro.schema = limn_model_schema(d->m);
    tro.target_optional = 1;
    lr = limn_dataset_read(d->ctx, d->tep, &tro, &d->test);
  }
  return lr ? cli_lib_fail(d->ctx, lr) : CLI_OK;
}

/* The test rows' predictions, the accuracy, and three rows worth explaining. */
static int choose_rows(demo *d) {
  size_t nte = d->nte, C = limn_model_noutputs(d->m);
  d->p = malloc(nte * C * sizeof *d->p);
  d->pred = malloc((nte ? nte : 1) * sizeof *d->pred);
  int lr =
      d->p && d->pred ? limn_model_predict(d->ctx, d->m, limn_dataset_x(d->test), nte, d->p) : LIMN_ENOMEM;
  if (lr)
    return cli_lib_fail(d->ctx, lr);
  const float *y = limn_dataset_y(d->test);
  for (size_t i = 0; i < nte; i++) { /* predicted classes (the first of equal probabilities) */
    d->pred[i] = 0;
    for (size_t k = 1; k < C; k++)
      if (d->p[i * C + k] > d->p[i * C + (size_t)d->pred[i]])
        d->pred[i] = (long)k;
    d->acc += (double)(d->pred[i] == (long)y[i]) / (double)nte;
  }
  d->nrows = choose(d->p, d->pred, y, nte, C, d->rows, d->why);
  return CLI_OK;
}

/* report.html: the chosen rows explained, with the data set's reason codes. */
static int write_report(demo *d, const limn_dataset *train) {
  int rc = cli_sample_rows(train, 100, d->seed, &d->shap_bg, &d->nshap);
  if (rc)
    return rc;
  stage("explaining the rows and drawing the map");
  char desc[4200]; /* the data's column descriptions, when it ships them (data/NAME.describe.csv) */
  const char *dot = strrchr(d->set->file, '.');
  snprintf(desc, sizeof desc, "%s/%.*s.describe.csv", data_dir(), (int)(dot - d->set->file), d->set->file);
  struct stat st;
  if (stat(desc, &st) == 0) {
    int lr = limn_model_read_descriptions(d->ctx, d->m, desc);
    if (lr)
      return cli_lib_fail(d->ctx, lr);
  }
  limn_report_opts in = limn_report_opts_default();
  in.model = d->m, in.model_path = d->mp, in.data = d->test, in.data_path = d->tep;
  in.rows = d->rows, in.nrows = d->nrows, in.why = d->why;
  in.reasons = d->set->reasons, in.favourable = -1, in.reasons_from = LIMN_METHOD_LIME;
  if (d->set->favourable)
    in.favourable = cli_output_index(d->m, d->set->favourable, 0);
  in.top = 10, in.num_samples = 0, in.seed = d->seed, in.map_space = "auto", in.map_max = 3000;
  in.title = d->set->title, in.command = d->line;
  in.shap_background = d->shap_bg, in.shap_nbackground = d->nshap;
  return cli_report(d->ctx, &in, d->rp);
}

/* What was done, on standard output. */
static void summary(const demo *d) {
  size_t C = limn_model_noutputs(d->m);
  printf("%s\n  data:   %s (%zu rows: %zu to train, %zu to test)\n  model:  %s, test accuracy %.3f\n",
         d->set->title, d->src, d->ntr + d->nte, d->ntr, d->nte, d->mp, d->acc);
  for (size_t i = 0; i < d->nrows; i++) {
    size_t r = d->rows[i], b = (size_t)d->pred[r];
    printf("  row %zu: predicted %s (%.3f), true %s: %s\n", r, limn_model_output_name(d->m, b),
           (double)d->p[r * C + b], limn_model_output_name(d->m, (size_t)limn_dataset_y(d->test)[r]),
           d->why[i]);
  }
  printf("  report: %s\n", d->rp);
}

int cmd_demo(int argc, char **argv) {
  static demo d; /* 28 kB of paths: not on the stack */
  memset(&d, 0, sizeof d);
  int rc = parse_args(argc, argv, &d);
  if (rc || (rc = make_dir(cli_get(&cmd, "out"))))
    return rc;
  if (!(d.ctx = cli_ctx(&cmd)))
    return CLI_FAIL;
  limn_dataset *train = NULL;
  if (!(rc = split_data(&d, &train)) && !(rc = train_model(&d, train)) && !(rc = choose_rows(&d)) &&
      !(rc = write_report(&d, train)))
    summary(&d);
  limn_dataset_free(train);
  free(d.p);
  free(d.pred);
  free(d.shap_bg);
  limn_model_free(d.m);
  limn_dataset_free(d.test);
  limn_ctx_free(d.ctx);
  return rc;
}

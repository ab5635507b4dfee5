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
    {"threads", "N", "0", "threads (0: all cores); results do not depend on it", 0, 0, 0},
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

int cmd_demo(int argc, char **argv) {
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  const demo_set *set = NULL;
  for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
    if (!strcmp(cli_get(&cmd, "dataset"), sets[i].name))
      set = &sets[i];
  if (!set)
    return cli_fail("--dataset: expected breast-cancer, credit or digits, got '%s'",
                    cli_get(&cmd, "dataset")),
           CLI_USAGE;
  uint64_t seed;
  size_t threads;
  if (cli_u64(&cmd, "seed", &seed) || cli_size(&cmd, "threads", 0, 4096, &threads))
    return CLI_USAGE;
  const char *out = cli_get(&cmd, "out");
  char src[4096], trp[4096], tep[4096], mp[4096], rp[4096], line[8192];
  snprintf(src, sizeof src, "%s/%s", data_dir(), set->file);
  snprintf(trp, sizeof trp, "%s/train.csv", out);
  snprintf(tep, sizeof tep, "%s/test.csv", out);
  snprintf(mp, sizeof mp, "%s/model.limn", out);
  snprintf(rp, sizeof rp, "%s/report.html", out);
  snprintf(line, sizeof line, "limn demo --dataset %s --out %s%s%s", set->name, out,
           strcmp(cli_get(&cmd, "seed"), "0") ? " --seed " : "",
           strcmp(cli_get(&cmd, "seed"), "0") ? cli_get(&cmd, "seed") : "");
  if ((rc = make_dir(out)))
    return rc;
  limn_ctx *ctx = cli_ctx(&cmd);
  if (!ctx)
    return CLI_FAIL;
  limn_dataset *all = NULL, *tr = NULL, *te = NULL, *test = NULL;
  limn_model *m = NULL;
  unsigned char *is_test = NULL;
  size_t *idx = NULL, ntr = 0, nte = 0, rows[3], nrows = 0;
  const char *why[3];
  float *p = NULL;
  long *pred = NULL;
  double acc = 0;
  limn_read_opts ro = limn_read_opts_default();
  ro.target = set->target;
  ro.keep_text = 1;
  stage("splitting the data");
  int lr = limn_dataset_read(ctx, src, &ro, &all);
  if (!lr) {
    size_t n = limn_dataset_nrows(all);
    is_test = malloc(n);
    idx = malloc(n * sizeof *idx);
    lr = is_test && idx ? limn_dataset_split_rows(ctx, all, 0.25, seed, set->target, is_test) : LIMN_ENOMEM;
    for (size_t i = 0; i < n && !lr; i++)
      if (!is_test[i])
        idx[ntr++] = i;
    for (size_t i = 0; i < n && !lr; i++)
      if (is_test[i])
        idx[ntr + nte++] = i;
    if (!lr)
      lr = limn_dataset_subset(ctx, all, idx, ntr, &tr);
    if (!lr)
      lr = limn_dataset_subset(ctx, all, idx + ntr, nte, &te);
    if (!lr)
      lr = limn_dataset_write_csv(ctx, tr, trp);
    if (!lr)
      lr = limn_dataset_write_csv(ctx, te, tep);
  }
  if (!lr) {
    stage("training the model");
    limn_mlp_opts o = limn_mlp_opts_default();
    o.seed = seed;
    lr = limn_mlp_train(ctx, tr, &o, &m);
    if (!lr)
      lr = limn_model_save(ctx, m, mp);
  }
  if (!lr) { /* the test rows as `limn report --data test.csv` reads them */
    limn_read_opts tro = limn_read_opts_default();
    tro.schema = limn_model_schema(m);
    tro.target_optional = 1;
    lr = limn_dataset_read(ctx, tep, &tro, &test);
  }
  size_t C = m ? limn_model_noutputs(m) : 0;
  if (!lr) {
    p = malloc(nte * C * sizeof *p);
    pred = malloc((nte ? nte : 1) * sizeof *pred);
    lr = p && pred ? limn_model_predict(ctx, m, limn_dataset_x(test), nte, p) : LIMN_ENOMEM;
  }
  if (lr) {
    rc = cli_lib_fail(ctx, lr);
  } else {
    const float *y = limn_dataset_y(test);
    for (size_t i = 0; i < nte; i++) { /* predicted classes (the first of equal probabilities) */
      pred[i] = 0;
      for (size_t k = 1; k < C; k++)
        if (p[i * C + k] > p[i * C + (size_t)pred[i]])
          pred[i] = (long)k;
      acc += (double)(pred[i] == (long)y[i]) / (double)nte;
    }
    nrows = choose(p, pred, y, nte, C, rows, why);
    stage("explaining the rows and drawing the map");
    limn_report_opts in = limn_report_opts_default();
    in.model = m, in.model_path = mp, in.data = test, in.data_path = tep;
    in.rows = rows, in.nrows = nrows, in.why = why;
    in.reasons = set->reasons, in.favourable = -1, in.reasons_from = LIMN_METHOD_LIME;
    if (set->favourable)
      in.favourable = cli_output_index(m, set->favourable, 0);
    in.top = 10, in.num_samples = 0, in.seed = seed, in.map_space = "auto", in.map_max = 3000;
    in.title = set->title, in.command = line;
    rc = cli_report(ctx, &in, rp);
  }
  if (!rc) {
    printf("%s\n  data:   %s (%zu rows: %zu to train, %zu to test)\n  model:  %s, test accuracy %.3f\n",
           set->title, src, ntr + nte, ntr, nte, mp, acc);
    for (size_t i = 0; i < nrows; i++) {
      size_t r = rows[i], b = (size_t)pred[r];
      printf("  row %zu: predicted %s (%.3f), true %s: %s\n", r, limn_model_output_name(m, b),
             (double)p[r * C + b], limn_model_output_name(m, (size_t)limn_dataset_y(test)[r]), why[i]);
    }
    printf("  report: %s\n", rp);
  }
  free(p);
  free(pred);
  free(is_test);
  free(idx);
  limn_model_free(m);
  limn_dataset_free(test);
  limn_dataset_free(te);
  limn_dataset_free(tr);
  limn_dataset_free(all);
  limn_ctx_free(ctx);
  return rc;
}

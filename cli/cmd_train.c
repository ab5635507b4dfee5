/* limn train: fit an MLP and save it. */
#include "common.h"
#include <stdlib.h>
#include <string.h>

static cli_opt opts[] = {
    {"data", "FILE", "", "training rows (CSV with a header, or .arff)", 0, 0, 0},
    {"target", "COL", "", "target column", 0, 0, 0},
    {"out", "MODEL", "", "model file to write", 0, 0, 0},
    {"hidden", "W1,W2,..", "64,32", "hidden layer widths ('' or 0 for none)", 0, 0, 0},
    {"activation", "NAME", "relu", "hidden activation: relu, tanh, logistic, identity", 0, 0, 0},
    {"epochs", "N", "200", "maximum epochs", 0, 0, 0},
    {"batch-size", "N", "32", "minibatch rows", 0, 0, 0},
    {"learning-rate", "X", "0.001", "Adam step size", 0, 0, 0},
    {"l2", "X", "0.0001", "L2 penalty", 0, 0, 0},
    {"valid-fraction", "X", "0.1", "rows held out for early stopping (0: none)", 0, 0, 0},
    {"patience", "N", "10", "epochs without improvement before stopping (and at least 200 steps)", 0, 0, 0},
    {"seed", "N", "0", "seed of the initialisation, shuffles and validation split", 0, 0, 0},
    {"task", "NAME", "auto", "auto, classification or regression", 0, 0, 0},
    {"categorical", "COLS", NULL, "columns to treat as categorical (comma list, repeatable)", 0, 0, 1},
    {"numeric", "COLS", NULL, "columns to treat as numeric (comma list, repeatable)", 0, 0, 1},
    {"ignore", "COLS", NULL, "columns to leave out, e.g. row identifiers (comma list, repeatable)", 0, 0, 1},
    {"max-categories", "N", "1000",
     "most distinct values a categorical column may have (each is an input of the network: an identifier "
     "column would make one per row)",
     0, 0, 0},
    {"threads", "N", "0", "threads (0: the cores other work leaves free); results do not depend on it", 0, 0,
     0},
};

static cli_cmd cmd = {"train",
                      "train an MLP",
                      "limn train --data FILE --target COL --out MODEL [options]",
                      "Train limn's MLP (standardised numeric columns, one-hot categorical columns,\n"
                      "Adam, L2, early stopping on a stratified validation fraction) and save it\n"
                      "with the training statistics. The same data, options and seed give a\n"
                      "bit-identical model.",
                      opts,
                      sizeof opts / sizeof *opts};

/* Numeric training options from the command line into o. */
static int parse_numbers(limn_mlp_opts *o, size_t *hidden) {
  static char hbuf[1024];
  const char *items[64];
  snprintf(hbuf, sizeof hbuf, "%s", cli_get(&cmd, "hidden"));
  size_t nh = cli_split_list(hbuf, items, 63);
  if (nh == 1 && !strcmp(items[0], "0"))
    nh = 0;
  for (size_t i = 0; i < nh; i++) {
    char *end;
    long w = strtol(items[i], &end, 10);
    if (*end || w < 1 || w > 65536)
      return cli_fail("--hidden: '%s' is not a width in 1..65536", items[i]), CLI_USAGE;
    hidden[i] = (size_t)w;
  }
  o->hidden = hidden;
  o->nhidden = nh;
  if (limn_activation_parse(cli_get(&cmd, "activation"), &o->activation) || o->activation > LIMN_ACT_IDENTITY)
    return cli_fail("--activation: unknown activation '%s'", cli_get(&cmd, "activation")), CLI_USAGE;
  if (cli_size(&cmd, "epochs", 1, 1000000, &o->max_epochs) ||
      cli_size(&cmd, "batch-size", 1, 1000000, &o->batch_size) ||
      cli_double(&cmd, "learning-rate", 1e-12, 10, &o->learning_rate) ||
      cli_double(&cmd, "l2", 0, 1e6, &o->l2) ||
      cli_double(&cmd, "valid-fraction", 0, 0.9, &o->valid_fraction) ||
      cli_size(&cmd, "patience", 1, 1000000, &o->patience) || cli_u64(&cmd, "seed", &o->seed))
    return CLI_USAGE;
  return CLI_OK;
}

/* Reader options: target, forced kinds, task. */
static int read_opts(limn_read_opts *ro, const char **cats, const char **nums, const char **ign) {
  static char cbuf[8192], nbuf[8192], ibuf[8192];
  snprintf(ibuf, sizeof ibuf, "%s", cli_get(&cmd, "ignore") ? cli_get(&cmd, "ignore") : "");
  ro->nignore = cli_split_list(ibuf, ign, 1024);
  ro->ignore = ign;
  ro->target = cli_get(&cmd, "target");
  snprintf(cbuf, sizeof cbuf, "%s", cli_get(&cmd, "categorical") ? cli_get(&cmd, "categorical") : "");
  snprintf(nbuf, sizeof nbuf, "%s", cli_get(&cmd, "numeric") ? cli_get(&cmd, "numeric") : "");
  ro->ncategorical = cli_split_list(cbuf, cats, 1024);
  ro->categorical = cats;
  ro->nnumeric = cli_split_list(nbuf, nums, 1024);
  ro->numeric = nums;
  const char *task = cli_get(&cmd, "task");
  if (!strcmp(task, "auto"))
    ro->task = LIMN_TASK_AUTO;
  else if (!strcmp(task, "classification"))
    ro->task = LIMN_TASK_CLASSIFICATION;
  else if (!strcmp(task, "regression"))
    ro->task = LIMN_TASK_REGRESSION;
  else
    return cli_fail("--task: expected auto, classification or regression, got '%s'", task), CLI_USAGE;
  return CLI_OK;
}

int cmd_train(int argc, char **argv) {
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  limn_mlp_opts o = limn_mlp_opts_default();
  size_t hidden[64];
  static const char *cats[1024], *nums[1024], *ign[1024];
  limn_read_opts ro = limn_read_opts_default();
  size_t threads;
  if ((rc = parse_numbers(&o, hidden)) || (rc = read_opts(&ro, cats, nums, ign)) ||
      (rc = cli_size(&cmd, "threads", 0, 4096, &threads)))
    return rc;
  size_t maxcat;
  if (cli_size(&cmd, "max-categories", 2, 100000000, &maxcat))
    return CLI_USAGE;
  limn_ctx *ctx = cli_ctx(&cmd);
  if (!ctx)
    return CLI_FAIL;
  limn_dataset *ds = NULL;
  limn_model *m = NULL;
  int lr = limn_dataset_read(ctx, cli_get(&cmd, "data"), &ro, &ds);
  const limn_schema *sc = lr ? NULL : limn_dataset_schema(ds);
  for (size_t j = 0; sc && j < limn_schema_nfeatures(sc) && !rc; j++)
    if (limn_schema_ncategories(sc, j) > maxcat) /* one-hot: rows x categories of memory */
      rc = cli_fail("%s: column '%s' has %zu distinct values, more than --max-categories %zu: one-hot, each "
                    "would be an input of the network. An identifier? Leave it out with --ignore '%s'",
                    cli_get(&cmd, "data"), limn_schema_feature_name(sc, j), limn_schema_ncategories(sc, j),
                    maxcat, limn_schema_feature_name(sc, j));
  if (!lr && !rc)
    lr = limn_mlp_train(ctx, ds, &o, &m);
  if (!lr && rc) {
    limn_dataset_free(ds);
    limn_ctx_free(ctx);
    return rc;
  }
  if (!lr)
    lr = limn_model_save(ctx, m, cli_get(&cmd, "out"));
  if (lr) {
    rc = cli_lib_fail(ctx, lr);
  } else {
    limn_mlp_info info;
    limn_mlp_get_info(ctx, m, &info);
    fprintf(stderr,
            "limn train: %zu rows, %zu epochs (best %zu), train loss %.4f, validation loss %.4f -> %s\n",
            limn_dataset_nrows(ds), info.epochs_run, info.best_epoch, info.train_loss, info.valid_loss,
            cli_get(&cmd, "out"));
  }
  limn_model_free(m);
  limn_dataset_free(ds);
  limn_ctx_free(ctx);
  return rc;
}

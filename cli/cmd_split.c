/* limn split: train/test files from one data file. */
#include "common.h"
#include <stdlib.h>

static cli_opt opts[] = {
    {"data", "FILE", "", "rows to split (CSV with a header, or .arff)", 0, 0, 0},
    {"train", "OUT", "", "CSV file for the training rows", 0, 0, 0},
    {"test", "OUT", "", "CSV file for the test rows", 0, 0, 0},
    {"test-fraction", "X", "0.25", "fraction of rows in the test file", 0, 0, 0},
    {"seed", "N", "0", "seed of the shuffle", 0, 0, 0},
    {"stratify", "COL", NULL, "keep the proportions of this column's values in both files", 0, 0, 0},
};

static cli_cmd cmd = {
    "split",
    "split a data file",
    "limn split --data FILE --train OUT1 --test OUT2 [--test-fraction 0.25] [--seed 0] [--stratify COL]",
    "Write the rows of FILE to two CSV files, in their original order and with\n"
    "their original text. round(fraction * rows) rows go to the test file; with\n"
    "--stratify, each value of COL keeps its share (largest remainder).",
    opts,
    sizeof opts / sizeof *opts};

int cmd_split(int argc, char **argv) {
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  double frac;
  uint64_t seed;
  if (cli_double(&cmd, "test-fraction", 1e-9, 1 - 1e-9, &frac) || cli_u64(&cmd, "seed", &seed))
    return CLI_USAGE;
  limn_ctx *ctx = cli_ctx(&cmd);
  if (!ctx)
    return CLI_FAIL;
  limn_read_opts ro = limn_read_opts_default();
  ro.keep_text = 1;
  ro.as_text = 1; /* rows are moved, not interpreted: any text is fine */
  limn_dataset *ds = NULL, *tr = NULL, *te = NULL;
  unsigned char *is_test = NULL;
  size_t *rows = NULL;
  const char *strat = cli_get(&cmd, "stratify");
  int lr = limn_dataset_read(ctx, cli_get(&cmd, "data"), &ro, &ds);
  if (!lr) {
    size_t n = limn_dataset_nrows(ds), nt = 0, ntr = 0;
    is_test = malloc(n);
    rows = malloc(n * sizeof *rows);
    if (!is_test || !rows) {
      lr = LIMN_ENOMEM;
    } else {
      lr = limn_dataset_split_rows(ctx, ds, frac, seed, strat, is_test);
      for (size_t i = 0; i < n && !lr; i++)
        if (!is_test[i])
          rows[ntr++] = i;
      nt = ntr;
      for (size_t i = 0; i < n && !lr; i++)
        if (is_test[i])
          rows[nt++] = i;
      if (!lr)
        lr = limn_dataset_subset(ctx, ds, rows, ntr, &tr);
      if (!lr)
        lr = limn_dataset_subset(ctx, ds, rows + ntr, n - ntr, &te);
    }
  }
  if (!lr)
    lr = limn_dataset_write_csv(ctx, tr, cli_get(&cmd, "train"));
  if (!lr) {
    lr = limn_dataset_write_csv(ctx, te, cli_get(&cmd, "test"));
    if (lr)
      remove(cli_get(&cmd, "train"));
  }
  if (lr)
    rc = cli_lib_fail(ctx, lr);
  else
    fprintf(stderr, "limn split: %zu rows -> %s (%zu), %s (%zu)\n", limn_dataset_nrows(ds),
            cli_get(&cmd, "train"), limn_dataset_nrows(tr), cli_get(&cmd, "test"), limn_dataset_nrows(te));
  free(is_test);
  free(rows);
  limn_dataset_free(tr);
  limn_dataset_free(te);
  limn_dataset_free(ds);
  limn_ctx_free(ctx);
  return rc;
}

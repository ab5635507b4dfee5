/* limn evaluate: how well a model fits labelled rows. */
#include "common.h"
#include <string.h>

static cli_opt opts[] = {
    {"model", "MODEL", NULL, "model file (limn or ONNX; or --model-cmd)", 0, 0, 0},
    CLI_MODEL_CMD_OPTS,
    {"target", "COL", NULL, "ONNX and --model-cmd: the data's label column (never a feature)", 0, 0, 0},
    {"output-kind", "KIND", "auto", "ONNX: the graph's output: auto, probabilities, logits or value", 0, 0,
     0},
    {"data", "FILE", "", "labelled rows (CSV with a header, or .arff)", 0, 0, 0},
    {"format", "FMT", "text", "text or json", 0, 0, 0},
    {"threads", "N", "0", "threads (0: the cores other work leaves free); results do not depend on it", 0, 0,
     0},
};

static cli_cmd cmd = {"evaluate",
                      "evaluate",
                      "limn evaluate --model MODEL --data FILE [--format text|json]",
                      "Classification: accuracy, log-loss (probabilities clipped to [1e-15, 1-1e-15])\n"
                      "and the confusion matrix (rows: true class, columns: predicted).\n"
                      "Regression: R^2, RMSE and MAE.",
                      opts,
                      sizeof opts / sizeof *opts};

static void text_report(const limn_model *m, const limn_metrics *mt) {
  printf("rows:      %zu\n", mt->nrows);
  if (mt->task == LIMN_TASK_REGRESSION) {
    printf("r2:        %.6f\nrmse:      %.6g\nmae:       %.6g\n", mt->r2, mt->rmse, mt->mae);
    return;
  }
  printf("accuracy:  %.6f\nlog_loss:  %.6f\nconfusion (rows: true, columns: predicted):\n", mt->accuracy,
         mt->log_loss);
  size_t k = mt->nclasses, w = 8;
  for (size_t c = 0; c < k; c++)
    if (strlen(limn_model_output_name(m, c)) > w)
      w = strlen(limn_model_output_name(m, c));
  printf("  %*s", (int)w, "");
  for (size_t c = 0; c < k; c++)
    printf(" %*s", (int)w, limn_model_output_name(m, c));
  printf("\n");
  for (size_t t = 0; t < k; t++) {
    printf("  %*s", (int)w, limn_model_output_name(m, t));
    for (size_t c = 0; c < k; c++)
      printf(" %*zu", (int)w, mt->confusion[t * k + c]);
    printf("\n");
  }
}

static void json_report(const limn_model *m, const limn_metrics *mt) {
  printf("{\"rows\":%zu,", mt->nrows);
  if (mt->task == LIMN_TASK_REGRESSION) {
    printf("\"task\":\"regression\",\"r2\":%.17g,\"rmse\":%.17g,\"mae\":%.17g}\n", mt->r2, mt->rmse, mt->mae);
    return;
  }
  printf("\"task\":\"classification\",\"accuracy\":%.17g,\"log_loss\":%.17g,\"classes\":[", mt->accuracy,
         mt->log_loss);
  for (size_t c = 0; c < mt->nclasses; c++) {
    if (c)
      putchar(',');
    cli_json_string(stdout, limn_model_output_name(m, c));
  }
  printf("],\"confusion\":[");
  for (size_t t = 0; t < mt->nclasses; t++) {
    printf("%s[", t ? "," : "");
    for (size_t c = 0; c < mt->nclasses; c++)
      printf("%s%zu", c ? "," : "", mt->confusion[t * mt->nclasses + c]);
    putchar(']');
  }
  printf("]}\n");
}

int cmd_evaluate(int argc, char **argv) {
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  const char *fmt = cli_get(&cmd, "format");
  if (strcmp(fmt, "text") && strcmp(fmt, "json"))
    return cli_fail("--format: expected text or json, got '%s'", fmt), CLI_USAGE;
  limn_ctx *ctx = cli_ctx(&cmd);
  if (!ctx)
    return CLI_FAIL;
  limn_model *m = NULL;
  limn_dataset *ds = NULL;
  limn_metrics mt;
  memset(&mt, 0, sizeof mt);
  int lr = 0;
  if ((rc = cli_load(ctx, &cmd, 0, &m, &ds))) {
    limn_ctx_free(ctx);
    return rc;
  }
  if (!lr)
    lr = limn_metrics_evaluate(ctx, m, ds, &mt);
  if (lr)
    rc = cli_lib_fail(ctx, lr);
  else if (!strcmp(fmt, "json"))
    json_report(m, &mt);
  else
    text_report(m, &mt);
  limn_metrics_clear(ctx, &mt);
  limn_dataset_free(ds);
  limn_model_free(m);
  limn_ctx_free(ctx);
  return rc;
}

/* limn info: describe a model file. */
#include "common.h"
#include <string.h>

static cli_opt opts[] = {
    {"model", "MODEL", "", "model file (limn or ONNX)", 0, 0, 0},
    {"data", "FILE", NULL, "ONNX: a data file naming the columns (and --target the labels)", 0, 0, 0},
    {"target", "COL", NULL, "ONNX: the data's label column (never a feature)", 0, 0, 0},
    {"output-kind", "KIND", "auto", "ONNX: the graph's output: auto, probabilities, logits or value", 0, 0,
     0},
    {"format", "FMT", "text", "text, or json (the whole model, every weight included)", 0, 0, 0},
};

static cli_cmd cmd = {
    "info",
    "describe a model",
    "limn info --model MODEL [--format text|json]",
    "Architecture, preprocessing, classes, training figures and the model's SHA-256\n"
    "(its identity, which explanations record). --format json dumps everything, so other tools\n"
    "can read the model.",
    opts,
    sizeof opts / sizeof *opts};

int cmd_info(int argc, char **argv) {
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  const char *fmt = cli_get(&cmd, "format");
  if (strcmp(fmt, "text") && strcmp(fmt, "json"))
    return cli_fail("--format: expected text or json, got '%s'", fmt), CLI_USAGE;
  limn_ctx *ctx = cli_ctx_plain();
  if (!ctx)
    return CLI_FAIL;
  limn_model *m = NULL;
  int lr = 0;
  if ((rc = cli_load(ctx, &cmd, 1, &m, NULL))) {
    limn_ctx_free(ctx);
    return rc;
  }
  if (!lr)
    lr = !strcmp(fmt, "json") ? limn_model_write_json(ctx, m, stdout) : limn_model_write_text(ctx, m, stdout);
  if (lr)
    rc = cli_lib_fail(ctx, lr);
  limn_model_free(m);
  limn_ctx_free(ctx);
  return rc;
}

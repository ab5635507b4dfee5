/* limn predict: a model's outputs for every row of a file. */
#include "common.h"
#include <stdlib.h>
#include <string.h>

static cli_opt opts[] = {
    {"model", "MODEL", NULL, "model file (limn or ONNX; or --model-cmd)", 0, 0, 0},
    CLI_MODEL_CMD_OPTS,
    {"target", "COL", NULL, "ONNX: the data's label column (never a feature)", 0, 0, 0},
    {"output-kind", "KIND", "auto", "ONNX: the graph's output: auto, probabilities, logits or value", 0, 0,
     0},
    {"data", "FILE", "", "rows (CSV with a header, or .arff); the target column may be present", 0, 0, 0},
    {"format", "FMT", "csv", "csv, json (one document) or jsonl (one object per row)", 0, 0, 0},
    {"out", "FILE", "-", "where to write ('-': standard output)", 0, 0, 0},
    {"threads", "N", "0", "threads (0: the cores other work leaves free); results do not depend on it", 0, 0,
     0},
};

static cli_cmd cmd = {"predict",
                      "predict",
                      "limn predict --model MODEL --data FILE [--format csv|json|jsonl] [--out FILE]",
                      "Columns are matched to the model's by name, in any order; extra columns are\n"
                      "ignored. CSV output has one column per class, named by the class (one value\n"
                      "column for regression), one line per input row in input order.",
                      opts,
                      sizeof opts / sizeof *opts};

static void write_csv(FILE *f, const limn_model *m, const float *out, size_t n) {
  size_t k = limn_model_noutputs(m);
  char buf[40];
  for (size_t c = 0; c < k; c++) {
    if (c)
      fputc(',', f);
    cli_csv_field(f, limn_model_output_name(m, c));
  }
  fputc('\n', f);
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < k; c++) {
      cli_fmt_float(buf, sizeof buf, out[i * k + c]);
      fprintf(f, "%s%s", buf, c + 1 < k ? "," : "\n");
    }
}

/* One row as a JSON object: {"row":i,"line":L,"outputs":{name:value,...}} */
static void json_row(FILE *f, const limn_model *m, const limn_dataset *ds, const float *o, size_t i) {
  size_t k = limn_model_noutputs(m);
  char buf[40];
  fprintf(f, "{\"row\":%zu,\"line\":%zu,\"outputs\":{", i, limn_dataset_row_line(ds, i));
  for (size_t c = 0; c < k; c++) {
    if (c)
      fputc(',', f);
    cli_json_string(f, limn_model_output_name(m, c));
    cli_fmt_float(buf, sizeof buf, o[c]);
    fprintf(f, ":%s", buf);
  }
  fputs("}}", f);
}

int cmd_predict(int argc, char **argv) {
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  const char *fmt = cli_get(&cmd, "format");
  if (strcmp(fmt, "csv") && strcmp(fmt, "json") && strcmp(fmt, "jsonl"))
    return cli_fail("--format: expected csv, json or jsonl, got '%s'", fmt), CLI_USAGE;
  limn_ctx *ctx = cli_ctx(&cmd);
  if (!ctx)
    return CLI_FAIL;
  limn_model *m = NULL;
  limn_dataset *ds = NULL;
  float *out = NULL;
  int lr = 0;
  if ((rc = cli_load(ctx, &cmd, 1, &m, &ds))) {
    limn_ctx_free(ctx);
    return rc;
  }
  size_t n = ds ? limn_dataset_nrows(ds) : 0, k = m ? limn_model_noutputs(m) : 0;
  if (!lr) {
    out = malloc(n * k * sizeof *out);
    lr = out ? limn_model_predict(ctx, m, limn_dataset_x(ds), n, out) : LIMN_ENOMEM;
  }
  char sha[65] = ""; /* the model's identity, for JSON */
  if (!lr && !strcmp(fmt, "json"))
    lr = limn_model_sha256(ctx, m, sha);
  if (lr) {
    rc = cli_lib_fail(ctx, lr);
  } else {
    FILE *f = cli_open_out(cli_get(&cmd, "out"));
    if (!f) {
      rc = CLI_FAIL;
    } else {
      if (!strcmp(fmt, "csv")) {
        write_csv(f, m, out, n);
      } else {
        int doc = !strcmp(fmt, "json");
        if (doc) {
          fprintf(f, "{\"model_sha256\":\"%s\",\"limn_version\":\"%s\",\"rows\":[\n", sha, limn_version());
        }
        for (size_t i = 0; i < n; i++) {
          json_row(f, m, ds, out + i * k, i);
          fputs(doc && i + 1 < n ? ",\n" : "\n", f);
        }
        if (doc)
          fputs("]}\n", f);
      }
      rc = cli_close_out(f, cli_get(&cmd, "out"), 1);
    }
  }
  free(out);
  limn_dataset_free(ds);
  limn_model_free(m);
  limn_ctx_free(ctx);
  return rc;
}

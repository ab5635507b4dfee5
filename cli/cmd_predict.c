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
    {"data", "FILE", "",
     "rows (CSV with a header, or .arff; '-': CSV on standard input); the target column may be present", 0, 0,
     0},
    {"format", "FMT", "csv", "csv, json (one document) or jsonl (one object per row)", 0, 0, 0},
    {"out", "FILE", "-", "where to write ('-': standard output)", 0, 0, 0},
    CLI_BLOCK_ROWS_OPT,
    CLI_FIRST_ROW_OPT,
    {"threads", "N", "0", "threads (0: the cores other work leaves free); results do not depend on it", 0, 0,
     0},
};

static cli_cmd cmd = {"predict",
                      "predict",
                      "limn predict --model MODEL --data FILE [--format csv|json|jsonl] [--out FILE]",
                      "Columns are matched to the model's by name, in any order; extra columns are\n"
                      "ignored. CSV output has one column per class, named by the class (one value\n"
                      "column for regression), one line per input row in input order. A CSV file\n"
                      "with a limn or tree model is read, predicted and written --block-rows rows\n"
                      "at a time, so memory does not grow with the file: limn predict is a filter\n"
                      "(--data - --out -). An error in a row stops the run with a non-zero exit\n"
                      "and leaves no --out file.",
                      opts,
                      sizeof opts / sizeof *opts};

static void write_header(FILE *f, const limn_model *m) {
  size_t k = limn_model_noutputs(m);
  for (size_t c = 0; c < k; c++) {
    if (c)
      fputc(',', f);
    cli_csv_field(f, limn_model_output_name(m, c));
  }
  fputc('\n', f);
}

static void write_csv(FILE *f, const limn_model *m, const float *out, size_t n) {
  size_t k = limn_model_noutputs(m);
  char buf[40];
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < k; c++) {
      cli_fmt_float(buf, sizeof buf, out[i * k + c]);
      fputs(buf, f);
      fputc(c + 1 < k ? ',' : '\n', f);
    }
}

/* One row as a JSON object: {"row":i,"line":L,"outputs":{name:value,...}} */
static void json_row(FILE *f, const limn_model *m, size_t row, size_t line, const float *o) {
  size_t k = limn_model_noutputs(m);
  char buf[40];
  fprintf(f, "{\"row\":%zu,\"line\":%zu,\"outputs\":{", row, line);
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
  size_t block;
  if (cli_size(&cmd, "block-rows", 1, 100000000, &block))
    return CLI_USAGE;
  limn_ctx *ctx = cli_ctx(&cmd);
  if (!ctx)
    return CLI_FAIL;
  limn_model *m = NULL;
  cli_blocks b;
  if ((rc = cli_blocks_open(ctx, &cmd, 1, block, &m, &b))) {
    limn_ctx_free(ctx);
    return rc;
  }
  size_t k = limn_model_noutputs(m);
  int doc = !strcmp(fmt, "json"), csv = !strcmp(fmt, "csv");
  char sha[65] = ""; /* the model's identity, for JSON */
  int lr = doc ? limn_model_sha256(ctx, m, sha) : LIMN_OK;
  const char *path = cli_get(&cmd, "out");
  FILE *f = lr ? NULL : cli_open_out(path);
  if (lr)
    rc = cli_lib_fail(ctx, lr);
  else if (!f)
    rc = CLI_FAIL;
  float *out = NULL;
  size_t cap = 0, first = 0, written = 0;
  int started = 0; /* nothing is written before the first block's outputs exist */
  while (f && !rc) {
    limn_dataset *ds = NULL;
    if ((rc = cli_blocks_next(ctx, &b, &ds, &first)) || !ds)
      break;
    size_t n = limn_dataset_nrows(ds);
    if (n * k > cap) {
      free(out);
      cap = n * k;
      out = malloc(cap * sizeof *out);
    }
    lr = out ? limn_model_predict(ctx, m, limn_dataset_x(ds), n, out) : LIMN_ENOMEM;
    if (!lr && !started && csv)
      write_header(f, m);
    if (!lr && !started && doc)
      fprintf(f, "{\"model_sha256\":\"%s\",\"limn_version\":\"%s\",\"rows\":[", sha, limn_version());
    started |= !lr;
    if (lr) {
      rc = cli_lib_fail(ctx, lr);
    } else if (csv) {
      write_csv(f, m, out, n);
    } else {
      for (size_t i = 0; i < n; i++, written++) {
        fputs(doc ? (written ? ",\n" : "\n") : "", f);
        json_row(f, m, first + i, limn_dataset_row_line(ds, i), out + i * k);
        if (!doc)
          fputc('\n', f);
      }
    }
    limn_dataset_free(ds);
  }
  if (f && doc && !rc)
    fputs("\n]}\n", f);
  if (f) {
    int cr = cli_close_out(f, path, !rc);
    rc = rc ? rc : cr;
  }
  free(out);
  cli_blocks_close(&b);
  limn_model_free(m);
  limn_ctx_free(ctx);
  return rc;
}

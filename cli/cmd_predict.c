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
    {"data", "FILE", NULL,
     "rows (CSV with a header, or .arff; '-': CSV on standard input); the target column may be present (or "
     "--images)",
     0, 0, 0},
    CLI_IMAGE_OPTS,
    CLI_TEXTS_OPT,
    {"format", "FMT", "csv", "csv, json (one document) or jsonl (one object per row)", 0, 0, 0},
    {"out", "FILE", "-", "where to write ('-': standard output)", 0, 0, 0},
    CLI_BLOCK_ROWS_OPT,
    CLI_FIRST_ROW_OPT,
    CLI_ID_COLUMN_OPT,
    {"threads", "N", "0", "threads (0: the cores other work leaves free); results do not depend on it", 0, 0,
     0},
};

static cli_cmd cmd = {"predict",
                      "predict",
                      "limn predict --model MODEL --data FILE [--format csv|json|jsonl] [--out FILE]",
                      "Columns are matched to the model's by name, in any order; extra columns are\n"
                      "ignored. CSV output has one column per class, named by the class (one value\n"
                      "column for regression), one line per input row in input order, after a\n"
                      "'row' column of ids with --id-column (JSON: \"row\" is the id). A CSV file\n"
                      "with a limn or tree model is read, predicted and written --block-rows rows\n"
                      "at a time, so memory does not grow with the file: limn predict is a filter\n"
                      "(--data - --out -). An error in a row stops the run with a non-zero exit\n"
                      "and leaves no --out file. limn-mpi spreads the blocks across MPI ranks.",
                      opts,
                      sizeof opts / sizeof *opts};

static void write_header(FILE *f, const limn_model *m, int ids) {
  size_t k = limn_model_noutputs(m);
  if (ids)
    fputs("row,", f);
  for (size_t c = 0; c < k; c++) {
    if (c)
      fputc(',', f);
    cli_csv_field(f, limn_model_output_name(m, c));
  }
  fputc('\n', f);
}

/* What goes before the first row: the CSV header, or the JSON document's opening. */
typedef struct head {
  const limn_model *m;
  int doc, csv, ids;
  char sha[65]; /* the model's identity, for JSON */
} head;

static void write_head(FILE *f, void *arg) {
  const head *h = arg;
  if (h->csv)
    write_header(f, h->m, h->ids);
  if (h->doc)
    fprintf(f, "{\"model_sha256\":\"%s\",\"limn_version\":\"%s\",\"rows\":[", h->sha, limn_version());
}

static void write_csv(FILE *f, const limn_model *m, const float *out, size_t n, const cli_blocks *b,
                      const limn_dataset *ds) {
  size_t k = limn_model_noutputs(m);
  char buf[40];
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < k; c++) {
      if (!c && b->id)
        cli_csv_field(f, cli_blocks_id(b, ds, i)), fputc(',', f);
      cli_fmt_float(buf, sizeof buf, out[i * k + c]);
      fputs(buf, f);
      fputc(c + 1 < k ? ',' : '\n', f);
    }
}

/* One row as a JSON object: {"row":i,"line":L,"outputs":{name:value,...}} ("row": the
 * --id-column's text as a string when given) */
static void json_row(FILE *f, const limn_model *m, size_t row, const char *id, size_t line, const float *o) {
  size_t k = limn_model_noutputs(m);
  char buf[40];
  fputs("{\"row\":", f);
  if (id)
    cli_json_string(f, id);
  else
    fprintf(f, "%zu", row);
  fprintf(f, ",\"line\":%zu,\"outputs\":{", line);
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
  if (cli_wants_texts(argc, argv))
    return cmd_predict_text(argc, argv);
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
  head h = {m, !strcmp(fmt, "json"), !strcmp(fmt, "csv"), b.id != NULL, ""};
  int doc = h.doc, csv = h.csv;
  int lr = doc ? limn_model_sha256(ctx, m, h.sha) : LIMN_OK;
  const char *path = cli_get(&cmd, "out");
  int root = cli_par_rank() == 0;
  FILE *f = lr || !root ? NULL : cli_open_out(path);
  if (lr)
    rc = cli_lib_fail(ctx, lr);
  else if (root && !f)
    rc = CLI_FAIL;
  cli_sink sk;
  rc = cli_sink_init(&sk, rc, f, write_head, &h); /* nothing is written before the first block's outputs */
  float *out = NULL;
  size_t cap = 0, first = 0, written = 0;
  while (!rc && !sk.rc) {
    limn_dataset *ds = NULL;
    size_t n = 0;
    if (cli_sink_mine(&sk) ? (rc = cli_blocks_next(ctx, &b, &ds, &first)) || !ds
                           : (rc = cli_blocks_skip(ctx, &b, &n, &first)) || !n)
      break;
    n = ds ? limn_dataset_nrows(ds) : n;
    FILE *w;
    if (cli_sink_next(&sk, &w)) {
      if (n * k > cap) {
        free(out);
        cap = n * k;
        out = malloc(cap * sizeof *out);
      }
      lr = out ? limn_model_predict(ctx, m, limn_dataset_x(ds), n, out) : LIMN_ENOMEM;
      if (lr) {
        rc = cli_lib_fail(ctx, lr);
      } else {
        cli_sink_head(&sk);
        if (csv)
          write_csv(w, m, out, n, &b, ds);
        else
          for (size_t i = 0; i < n; i++) {
            fputs(doc ? (written + i ? ",\n" : "\n") : "", w);
            json_row(w, m, first + i, b.id ? cli_blocks_id(&b, ds, i) : NULL, limn_dataset_row_line(ds, i),
                     out + i * k);
            if (!doc)
              fputc('\n', w);
          }
      }
      cli_sink_put(&sk, rc);
    }
    written += n;
    limn_dataset_free(ds);
  }
  rc = cli_sink_end(&sk, rc);
  if (f && !rc)
    cli_sink_head(&sk); /* no rows: the header alone, or an empty document */
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

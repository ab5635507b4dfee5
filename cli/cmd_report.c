/* limn report: the HTML report of chosen rows. */
#include "common.h"
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

static cli_opt opts[] = {
    {"model", "MODEL", NULL, "model file (limn or ONNX; or --model-cmd)", 0, 0, 0},
    CLI_MODEL_CMD_OPTS,
    {"target", "COL", NULL, "ONNX: the data's label column (never a feature)", 0, 0, 0},
    {"output-kind", "KIND", "auto", "ONNX: the graph's output: auto, probabilities, logits or value", 0, 0,
     0},
    {"data", "FILE", NULL, "rows (CSV with a header, or .arff; or --images); the map embeds all of them", 0,
     0, 0},
    CLI_IMAGE_OPTS,
    CLI_TEXTS_OPT,
    {"rows", "SPEC", "", "rows to explain: a list like 0,3,10-20 (0-based data rows), or all", 0, 0, 0},
    {"background", "FILE", NULL,
     "training data: LIME's statistics (default: those stored in the model) and SHAP's reference rows "
     "(without it, no SHAP)",
     0, 0, 0},
    {"background-size", "N", "100",
     "SHAP: reference rows at most (more: a uniform sample without replacement, seeded by --seed)", 0, 0, 0},
    {"summary-max", "N", "50", "rows in the SHAP summary at most (an even spread; 0: no summary)", 0, 0, 0},
    {"out", "FILE", "report.html", "the page to write ('-': standard output)", 0, 0, 0},
    {"reasons", "N", "4",
     "reason codes per row: the N features that pushed most toward the unfavourable side", 0, 0, 0},
    {"favourable", "CLASS", NULL,
     "the favourable class (e.g. good): reasons list what lowered its probability; without it, what raised "
     "the predicted class",
     0, 0, 0},
    {"reasons-from", "METHOD", "lime", "lime, ig or shap (shap needs --background)", 0, 0, 0},
    {"protected", "COLS", NULL, CLI_PROTECTED_HELP, 0, 0, 0},
    {"describe", "FILE", NULL, CLI_DESCRIBE_HELP, 0, 0, 0},
    {"top", "N", "10", "features in each LIME and IG table (0: all)", 0, 0, 0},
    {"num-samples", "N", "auto",
     "LIME neighbourhood size (auto: 65536 with limn's estimator on up to 64 features, else 5000)", 0, 0, 0},
    {"map", "SPACE", "auto", "the map: auto (last hidden layer, else outputs), output, hidden:K or none", 0,
     0, 0},
    {"map-max", "N", "3000", "rows in the map at most (an even spread; explained rows always included)", 0, 0,
     0},
    {"title", "TEXT", "limn report", "the page's title", 0, 0, 0},
    {"seed", "N", "0", "seed of LIME's samples and the map", 0, 0, 0},
    {"threads", "N", "0", "threads (0: the cores other work leaves free); the page does not depend on it", 0,
     0, 0},
};

static cli_cmd cmd = {
    "report",
    "an HTML report",
    "limn report --model MODEL --data FILE --rows SPEC [--background FILE] [--out report.html] [options]",
    "Explain the chosen rows to a person in one self-contained HTML page (inline CSS\n"
    "and SVG, nothing loaded from anywhere): the prediction, reason codes, LIME weights\n"
    "with their bins and fidelity, Integrated Gradients with its completeness gap (a\n"
    "heat map for image-shaped rows), whether the two agree, a t-SNE map of the data\n"
    "with the rows marked, and the provenance to reproduce it. Byte-deterministic.",
    opts,
    sizeof opts / sizeof *opts};

int cmd_report(int argc, char **argv) {
  if (cli_wants_texts(argc, argv))
    return cmd_report_text(argc, argv);
  int rc = cli_parse(&cmd, argc, argv);
  if (rc)
    return rc;
  limn_report_opts in = limn_report_opts_default();
  size_t threads;
  if (cli_size(&cmd, "reasons", 0, 1000, &in.reasons) || cli_size(&cmd, "top", 0, 1000000, &in.top) ||
      cli_size_auto(&cmd, "num-samples", 2, 10000000, &in.num_samples) ||
      cli_size(&cmd, "map-max", 10, 1000000, &in.map_max) || cli_u64(&cmd, "seed", &in.seed) ||
      cli_size(&cmd, "threads", 0, 4096, &threads))
    return CLI_USAGE;
  const char *rf = cli_get(&cmd, "reasons-from");
  if (strcmp(rf, "lime") && strcmp(rf, "ig") && strcmp(rf, "shap"))
    return cli_fail("--reasons-from: expected lime, ig or shap, got '%s'", rf), CLI_USAGE;
  in.reasons_from = !strcmp(rf, "lime") ? LIMN_METHOD_LIME
                    : !strcmp(rf, "ig") ? LIMN_METHOD_IG
                                        : LIMN_METHOD_SHAP;
  size_t bgsize;
  if (cli_size(&cmd, "background-size", 1, 100000, &bgsize) ||
      cli_size(&cmd, "summary-max", 0, 100000, &in.summary_max))
    return CLI_USAGE;
  in.map_space = cli_get(&cmd, "map");
  in.title = cli_get(&cmd, "title");
  in.model_path = cli_get(&cmd, "model");
  in.model_command = cli_get(&cmd, "model-cmd");
  in.data_path = cli_get(&cmd, "data");
  struct stat st;
  const char *ip = cli_get(&cmd, "images");
  int folder = ip && !stat(ip, &st) && S_ISDIR(st.st_mode);
  if (ip) /* a listing or one image: shown and hashed; a folder: its images' digest (below) */
    in.data_path = ip;
  in.background_path = cli_get(&cmd, "background");
  limn_ctx *ctx = cli_ctx(&cmd);
  if (!ctx)
    return CLI_FAIL;
  limn_model *m = NULL;
  limn_dataset *ds = NULL, *bds = NULL;
  limn_stats *bg = NULL;
  size_t *rows = NULL, nrows = 0;
  char *line = cli_command_line("limn report", argc, argv);
  int lr = 0;
  if ((rc = cli_load(ctx, &cmd, 1, &m, &ds))) {
    free(line);
    limn_ctx_free(ctx);
    return rc;
  }
  char isha[65], iof[128];
  if (folder && cli_images()) { /* a folder: the digest of sha256sum's lines for its images */
    char *list = NULL;
    size_t len = 0;
    if ((rc = cli_images_listing(ctx, &list, &len)) == CLI_OK) {
      limn_sha256(list, len, isha);
      snprintf(iof, sizeof iof, "sha256sum's lines for its %zu images in row order", cli_images()->n);
      in.data_sha256 = isha, in.data_sha256_of = iof;
    }
    free(list);
  }
  if (!rc && in.reasons_from == LIMN_METHOD_SHAP && !in.background_path && !limn_model_is_trees(m))
    rc = (cli_fail("--reasons-from shap needs --background FILE (SHAP's reference rows; tree models need "
                   "none)"),
          CLI_USAGE);
  float *shap_bg = NULL;
  const char **prot = NULL;
  if (!lr && in.background_path)
    lr = cli_read_background(ctx, m, in.background_path, &bds, &bg);
  if (!lr && bds)
    rc = cli_sample_rows(bds, bgsize, in.seed, &shap_bg, &in.shap_nbackground);
  in.shap_background = shap_bg;
  if (rc) {
    /* reported */
  } else if (lr) {
    rc = cli_lib_fail(ctx, lr);
  } else if (!line) {
    rc = cli_fail("out of memory");
  } else if (!(rc = cli_parse_rows(cli_get(&cmd, "rows"), limn_dataset_nrows(ds), &rows, &nrows))) {
    const char *fav = cli_get(&cmd, "favourable");
    if (fav) {
      if (limn_model_task(m) == LIMN_TASK_CLASSIFICATION)
        in.favourable = cli_output_index(m, fav, 0);
      if (in.favourable < 0)
        rc = cli_fail("--favourable: '%s' is not one of the model's classes", fav), rc = CLI_USAGE;
    }
    if (!rc)
      rc = cli_check_map(m, in.map_space);
    if (!rc)
      rc = cli_protected(cli_get(&cmd, "protected"), &prot, &in.nprotected);
    in.protected_cols = prot;
    if (!rc && nrows > 200)
      rc = cli_fail("--rows: %zu rows is too many for one page (200 at most)", nrows);
    if (!rc) {
      in.model = m, in.data = ds, in.background = bg, in.rows = rows, in.nrows = nrows, in.command = line;
      rc = cli_report(ctx, &in, cli_get(&cmd, "out"));
    }
  }
  if (!rc && strcmp(cli_get(&cmd, "out"), "-"))
    fprintf(stderr, "limn report: %zu row%s -> %s\n", nrows, nrows == 1 ? "" : "s", cli_get(&cmd, "out"));
  free(line);
  free(rows);
  free(shap_bg);
  free(prot);
  limn_stats_free(bg);
  limn_dataset_free(bds);
  limn_dataset_free(ds);
  limn_model_free(m);
  limn_ctx_free(ctx);
  return rc;
}

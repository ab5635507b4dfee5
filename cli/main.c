/* limn: explain the predictions of machine-learning models. */
#include "common.h"
#include <string.h>

typedef struct sub {
  const char *name;
  int (*fn)(int, char **);
  const char *summary;
} sub;

static const sub subs[] = {
    {"train", cmd_train, "train an MLP on a CSV or ARFF file and save the model"},
    {"split", cmd_split, "split a data file into train and test files (optionally stratified)"},
    {"predict", cmd_predict, "write a model's outputs for every row of a data file"},
    {"evaluate", cmd_evaluate, "accuracy, log-loss and confusion matrix (R^2, RMSE for regression)"},
    {"info", cmd_info, "describe a model file (or dump all of it as JSON)"},
    {"explain", cmd_explain, "attribute predictions to input columns (gradients, IG, SmoothGrad, LIME)"},
    {"embed", cmd_embed, "a t-SNE map of the rows, or of a model's outputs for them"},
    {"report", cmd_report, "one self-contained HTML page explaining chosen rows to a person"},
    {"demo", cmd_demo, "train a bundled model, explain interesting rows, write out/report.html"},
};

static void usage(FILE *f) {
  fprintf(f,
          "usage: limn <command> [options]\n\nlimn %s explains the predictions of machine-learning "
          "models.\n\ncommands:\n",
          limn_version());
  for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
    fprintf(f, "  %-10s %s\n", subs[i].name, subs[i].summary);
  fprintf(f, "\n'limn <command> --help' shows a command's options and defaults.\n");
}

static int run(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_USAGE;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return CLI_OK;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("limn %s (BLAS: %s, ONNX: %s)\n", limn_version(), limn_have_blas() ? "yes" : "no",
           limn_have_onnx() ? "yes" : "no");
    return CLI_OK;
  }
  for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
    if (!strcmp(argv[1], subs[i].name)) {
      int spreads = subs[i].fn == cmd_predict || subs[i].fn == cmd_explain;
      if (cli_par_size() > 1 && !spreads) {
        fprintf(stderr,
                "limn: error: %s runs in one process: use limn, or run predict or explain --format "
                "wide|npy across MPI ranks\n",
                argv[1]);
        return CLI_USAGE;
      }
      cli_par_command(spreads);
      int rc = subs[i].fn(argc - 2, argv + 2);
      return rc == CLI_HELP ? CLI_OK : rc;
    }
  fprintf(stderr, "limn: error: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return CLI_USAGE;
}

int main(int argc, char **argv) {
  if (cli_par_init(&argc, &argv))
    return CLI_FAIL;
  return cli_par_finish(run(argc, argv));
}

/* Embedding liblimn: train a model, save it, and write the HTML report of two rows and
 * their Integrated Gradients as JSON Lines with a provenance manifest, through the
 * library alone. Built outside the tree by tests/install/run.sh, with
 * find_package(limn) and with pkg-config.
 *
 *   report_example DATA.csv TARGET MODEL_OUT REPORT.html > ig.jsonl
 */
#include <limn.h>
#include <stdio.h>

static int fail(limn_ctx *ctx, const char *what) {
  fprintf(stderr, "report_example: %s: %s\n", what, limn_ctx_errmsg(ctx));
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: report_example DATA.csv TARGET MODEL_OUT REPORT.html\n");
    return 2;
  }
  const char *data = argv[1], *model_path = argv[3], *page = argv[4];
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_read_opts ro = limn_read_opts_default();
  ro.target = argv[2];
  limn_dataset *ds = NULL;
  limn_model *m = NULL;
  limn_manifest *man = NULL;
  limn_explanation *ex = NULL;
  limn_mlp_opts mo = limn_mlp_opts_default();
  mo.max_epochs = 20;
  int rc = 1;
  if (limn_dataset_read(ctx, data, &ro, &ds) || limn_mlp_train(ctx, ds, &mo, &m) ||
      limn_model_save(ctx, m, model_path)) {
    rc = fail(ctx, "train");
    goto done;
  }
  size_t rows[2] = {0, 1};
  /* the page: computed first, then written whole */
  limn_report_opts o = limn_report_opts_default();
  o.model = m, o.model_path = model_path, o.data = ds, o.data_path = data;
  o.rows = rows, o.nrows = 2;
  FILE *f = fopen(page, "wb");
  if (!f || limn_report_write(ctx, &o, limn_sink_file(f))) {
    if (f)
      fclose(f);
    rc = fail(ctx, "report");
    goto done;
  }
  fclose(f);
  /* IG of the same rows, as JSON Lines with the manifest */
  const size_t d = limn_model_nfeatures(m);
  const float *x = limn_dataset_x(ds);
  limn_grad_opts g = limn_grad_opts_default();
  g.method = LIMN_METHOD_IG;
  if (limn_explain_gradients(ctx, m, x, 2, &g, &ex) || limn_manifest_create(ctx, &man) ||
      limn_manifest_add_file_sha256(ctx, man, "model", model_path) ||
      limn_manifest_add_file_sha256(ctx, man, "data", data) ||
      limn_manifest_add_option(ctx, man, "method", "ig")) {
    rc = fail(ctx, "explain");
    goto done;
  }
  limn_render_row rr[2] = {limn_render_row_init(&ex[0], 0, limn_dataset_row_line(ds, 0), x),
                           limn_render_row_init(&ex[1], 1, limn_dataset_row_line(ds, 1), x + d)};
  limn_render_opts ropts = limn_render_opts_default();
  ropts.model = m, ropts.manifest = man;
  if (limn_render_explanations(ctx, &ropts, rr, 2, LIMN_FORMAT_JSONL, limn_sink_file(stdout))) {
    rc = fail(ctx, "render");
    goto done;
  }
  rc = 0;
done:
  limn_explanations_free(ctx, ex, 2);
  limn_manifest_free(man);
  limn_model_free(m);
  limn_dataset_free(ds);
  limn_ctx_free(ctx);
  return rc;
}

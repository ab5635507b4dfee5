/* Text explanations of the bundled spam transformer (data/spam), 1 thread, per text of
 * 64 tokens (the first texts of test.csv that fill --max-tokens): forward, gradient on
 * the token embeddings, IG (50 Gauss-Legendre nodes from zero embeddings) and LIME for
 * text (5000 samples). Prints "limn METHOD MS" lines: the median over the texts of the
 * best of REPEATS runs, in milliseconds (LIME: its own, smaller count of texts and one
 * run each); bench/bench_text.py runs it beside the same computations in torch.
 * Usage: bench_text [SOURCE_DIR] [TEXTS (10)] [REPEATS (3)] [LIME_TEXTS (3)] [METHOD (all; for
 * profiles)] */
#include "bench_util.h"
#include <limn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static limn_ctx *ctx;

static void die(const char *what) {
  fprintf(stderr, "bench_text: %s: %s\n", what, limn_ctx_errmsg(ctx));
  exit(1);
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  const char *src = argc > 1 ? argv[1] : ".";
  int ntext = argc > 2 ? atoi(argv[2]) : 10, reps = argc > 3 ? atoi(argv[3]) : 3,
      nlime = argc > 4 ? atoi(argv[4]) : 3;
  const char *only = argc > 5 ? argv[5] : NULL;
  ntext = ntext < 1 || ntext > 100 ? 10 : ntext;
  reps = reps < 1 || reps > 50 ? 3 : reps;
  nlime = nlime < 0 ? 3 : nlime > ntext ? ntext : nlime; /* LIME's texts are among the first ntext */
  char path[1024];
  ctx = limn_ctx_create(NULL);
  limn_ctx_set_threads(ctx, 1);
  limn_vocab *v = NULL;
  limn_texts *t = NULL;
  limn_model *m = NULL;
  limn_text_model_opts mo;
  limn_text_model_opts_default(&mo);
  snprintf(path, sizeof path, "%s/data/spam/vocab.txt", src);
  if (limn_vocab_read(ctx, path, &v))
    die(path);
  snprintf(path, sizeof path, "%s/data/spam/test.csv", src);
  if (limn_texts_read(ctx, path, "text", NULL, &t))
    die(path);
  snprintf(path, sizeof path, "%s/data/spam/spam_transformer.onnx", src);
  if (limn_model_load_onnx_text(ctx, path, &mo, &m))
    die(path);
  enum { T = 64 };
  float *rows = malloc((size_t)ntext * T * sizeof *rows);
  int got = 0;
  for (size_t i = 0; i < t->n && got < ntext; i++) {
    limn_tokens tk;
    if (limn_text_tokenize(ctx, v, t->text[i], t->len[i], T, &tk))
      die("tokenize");
    if (tk.n == T) {
      for (int j = 0; j < T; j++)
        rows[got * T + j] = (float)tk.ids[j];
      got++;
    }
    limn_tokens_free(ctx, &tk);
  }
  ntext = got;
  const char *names[] = {"forward", "gradient", "ig50", "lime5000"};
  double *best = malloc((size_t)ntext * 4 * sizeof *best);
  float p[2], wt[2], *g = malloc(T * 64 * sizeof *g), *emb = malloc(T * 64 * sizeof *emb);
  for (int i = 0; i < ntext; i++) {
    const float *r = rows + (size_t)i * T;
    limn_model *view = NULL;
    if (limn_model_predict(ctx, m, r, 1, p) || limn_model_text_view(ctx, m, r, &view) ||
        limn_model_text_embed(ctx, m, r, emb))
      die("text");
    long pred = p[1] > p[0];
    wt[0] = pred == 0, wt[1] = pred == 1;
    for (int k = 0; k < 4; k++)
      best[k * ntext + i] = 1e300;
    for (int rep = 0; rep < reps; rep++) {
      double t0 = bench_now();
      if ((!only || !strcmp(only, "forward")) && limn_model_predict(ctx, m, r, 1, p))
        die("predict");
      double t1 = bench_now();
      if ((!only || !strcmp(only, "gradient")) && limn_model_vjp(ctx, view, emb, 1, wt, LIMN_SPACE_OUTPUT, g))
        die("vjp");
      double t2 = bench_now();
      limn_text_opts o = limn_text_opts_default();
      limn_explanation *ex = NULL;
      if ((!only || !strcmp(only, "ig50")) && limn_explain_text(ctx, m, r, 1, &o, &ex))
        die("ig");
      double t3 = bench_now();
      limn_explanations_free(ctx, ex, 1);
      double d[3] = {t1 - t0, t2 - t1, t3 - t2};
      for (int k = 0; k < 3; k++)
        best[k * ntext + i] = d[k] < best[k * ntext + i] ? d[k] : best[k * ntext + i];
    }
    if (i < nlime && (!only || !strcmp(only, "lime5000"))) {
      limn_text_opts o = limn_text_opts_default();
      o.method = LIMN_METHOD_LIME_TEXT;
      limn_explanation *ex = NULL;
      double t0 = bench_now();
      if (limn_explain_text(ctx, m, r, 1, &o, &ex))
        die("lime");
      best[3 * ntext + i] = bench_now() - t0;
      limn_explanations_free(ctx, ex, 1);
    }
    limn_model_free(view);
  }
  printf("# spam transformer (2 layers, d 64, 4 heads), %d texts of 64 tokens, 1 thread, best of %d, median "
         "(LIME: %d texts, one run)\n",
         ntext, reps, nlime);
  for (int k = 0; k < 4; k++) {
    int n = k == 3 ? nlime : ntext;
    if (!n || (only && strcmp(only, names[k])))
      continue;
    qsort(best + k * ntext, (size_t)n, sizeof *best, cmp);
    printf("limn %s %.4f\n", names[k], 1e3 * best[k * ntext + n / 2]);
  }
  free(rows), free(best), free(g), free(emb);
  limn_model_free(m);
  limn_texts_free(ctx, t);
  limn_vocab_free(v);
  limn_ctx_free(ctx);
  return 0;
}

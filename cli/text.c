/* limn predict / explain --texts: transformer text classifiers (ONNX), token by token
 * (docs/text.md). */
#include "common.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cli_wants_texts(int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "--texts") || !strncmp(argv[i], "--texts=", 8))
      return 1;
  return 0;
}

#define TEXT_INPUT_OPTS                                                                                       \
  {"model", "MODEL", "", "an ONNX text classifier taking int64 token ids (N, T)", 0, 0, 0},                   \
      {"vocab", "FILE",                                                                                       \
       "",      "its vocabulary: one token per line, the id the line number from 0 (docs/text.md)",           \
       0,       0,                                                                                            \
       0},                                                                                                    \
      {"texts", "FILE", "", "the texts: a CSV file (.csv, or with --text-column) or one text per line",       \
       0,       0,      0},                                                                                   \
      {"text-column", "COL", "text", "the CSV column holding the texts", 0, 0, 0},                            \
      {"label-column", "COL", NULL, "a CSV column of true labels, shown beside each text", 0, 0, 0},          \
      {"classes", "A,B,..", NULL, "the model's outputs' names, in its order (default: class 0, class 1, ..)", \
       0,         0,        0},                                                                               \
      {"max-tokens",                                                                                          \
       "N",                                                                                                   \
       "64",                                                                                                  \
       "tokens per text, [CLS] included: longer texts are cut (with a warning)",                              \
       0,                                                                                                     \
       0,                                                                                                     \
       0},                                                                                                    \
      {"embedding",                                                                                           \
       "NODE",                                                                                                \
       NULL,                                                                                                  \
       "the embedding lookup's node or output name (default: the first Gather of a constant table by the "    \
       "ids)",                                                                                                \
       0,                                                                                                     \
       0,                                                                                                     \
       0},                                                                                                    \
  {                                                                                                           \
    "threads", "N", "0", "threads (0: the cores other work leaves free); results do not depend on it", 0, 0,  \
        0                                                                                                     \
  }

/* Everything a text command reads. */
typedef struct text_in {
  limn_ctx *ctx;
  limn_model *m;
  limn_vocab *v;
  limn_texts *t;
  limn_tokens *tok; /* (t->n) */
  float *rows;      /* (t->n, max_tokens) ids, padded */
  size_t w;
  char *classes;
  const char *names[64];
  const char *file;
} text_in;

static void text_in_free(text_in *in) {
  for (size_t i = 0; in->tok && in->t && i < in->t->n; i++)
    limn_tokens_free(in->ctx, &in->tok[i]);
  free(in->tok), free(in->rows), free(in->classes);
  limn_texts_free(in->ctx, in->t);
  limn_vocab_free(in->v);
  limn_model_free(in->m);
  limn_ctx_free(in->ctx);
  memset(in, 0, sizeof *in);
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

/* Model, vocabulary and texts, tokenised into rows; a CLI code (errors printed). */
static int text_load(const cli_cmd *cmd, text_in *in) {
  memset(in, 0, sizeof *in);
  size_t maxt;
  if (cli_size(cmd, "max-tokens", 1, 4096, &maxt))
    return CLI_USAGE;
  if (!(in->ctx = cli_ctx(cmd)))
    return CLI_FAIL;
  limn_ctx *ctx = in->ctx;
  limn_text_model_opts mo;
  limn_text_model_opts_default(&mo);
  mo.max_tokens = maxt;
  mo.embedding = cli_get(cmd, "embedding");
  const char *cl = cli_get(cmd, "classes");
  if (cl) {
    if (!(in->classes = strdup(cl)))
      return cli_fail("out of memory");
    mo.nclasses = cli_split_list(in->classes, in->names, 64);
    mo.classes = in->names;
  }
  int lr = limn_vocab_read(ctx, cli_get(cmd, "vocab"), &in->v);
  if (!lr) {
    mo.pad_id = limn_vocab_pad(in->v);
    lr = limn_model_load_onnx_text(ctx, cli_get(cmd, "model"), &mo, &in->m);
  }
  if (!lr && limn_model_text_vocab(in->m) != limn_vocab_size(in->v))
    return cli_fail("%s has %zu tokens, the model's embedding table %zu rows: not its vocabulary",
                    cli_get(cmd, "vocab"), limn_vocab_size(in->v), limn_model_text_vocab(in->m));
  in->file = cli_get(cmd, "texts");
  int csv = cli_isset(cmd, "text-column") || ends_with(in->file, ".csv") || ends_with(in->file, ".CSV");
  if (!csv && cli_isset(cmd, "label-column"))
    return cli_fail("--label-column: %s is read as one text per line (give --text-column for a CSV file)",
                    in->file),
           CLI_USAGE;
  if (!lr)
    lr = limn_texts_read(ctx, in->file, csv ? cli_get(cmd, "text-column") : NULL,
                         cli_get(cmd, "label-column"), &in->t);
  if (lr)
    return cli_lib_fail(ctx, lr);
  size_t n = in->t->n;
  in->w = maxt;
  in->tok = calloc(n ? n : 1, sizeof *in->tok);
  in->rows = malloc((n ? n : 1) * maxt * sizeof *in->rows);
  if (!in->tok || !in->rows)
    return cli_fail("out of memory");
  for (size_t i = 0; i < n; i++) {
    limn_tokens *t = &in->tok[i];
    lr = limn_text_tokenize(ctx, in->v, in->t->text[i], in->t->len[i], maxt, t);
    if (lr)
      return cli_fail("%s line %zu: %s", in->file, in->t->line[i], limn_ctx_errmsg(ctx));
    for (size_t j = 0; j < maxt; j++)
      in->rows[i * maxt + j] = j < t->n ? (float)t->ids[j] : (float)mo.pad_id;
  }
  return CLI_OK;
}

/* A warning for the texts (rows, or all when rows is NULL) that were cut: the first
 * three by line, then how many in all. */
static void warn_cut(const text_in *in, const size_t *rows, size_t n) {
  size_t cut = 0;
  for (size_t q = 0; q < n; q++) {
    size_t i = rows ? rows[q] : q;
    const limn_tokens *t = &in->tok[i];
    if (t->truncated && cut++ < 3)
      fprintf(stderr, "limn: warning: %s line %zu: %zu words, cut to the first %zu (--max-tokens %zu)\n",
              in->file, in->t->line[i], t->words, t->n - (limn_vocab_cls(in->v) >= 0), in->w);
  }
  if (cut > 3)
    fprintf(stderr, "limn: warning: %zu texts in all were cut to --max-tokens %zu\n", cut, in->w);
}

/* ---- predict ---- */

static cli_opt popts[] = {
    TEXT_INPUT_OPTS,
    {"format", "FMT", "csv", "csv or jsonl (one object per text)", 0, 0, 0},
    {"out", "FILE", "-", "where to write ('-': standard output)", 0, 0, 0},
};

static cli_cmd pcmd = {"predict",
                       "predict",
                       "limn predict --texts FILE --model MODEL.onnx --vocab VOCAB [--format csv|jsonl]",
                       "One line per text in file order: its file line, its tokens, the label when\n"
                       "--label-column is given, and one column per class (named by --classes).",
                       popts,
                       sizeof popts / sizeof *popts};

int cmd_predict_text(int argc, char **argv) {
  int rc = cli_parse(&pcmd, argc, argv);
  if (rc)
    return rc;
  const char *fmt = cli_get(&pcmd, "format");
  if (strcmp(fmt, "csv") && strcmp(fmt, "jsonl"))
    return cli_fail("--format: expected csv or jsonl, got '%s'", fmt), CLI_USAGE;
  text_in in;
  if ((rc = text_load(&pcmd, &in))) {
    text_in_free(&in);
    return rc;
  }
  size_t n = in.t->n, k = limn_model_noutputs(in.m);
  warn_cut(&in, NULL, n);
  float *out = malloc((n ? n : 1) * k * sizeof *out);
  int lr = out ? limn_model_predict(in.ctx, in.m, in.rows, n, out) : LIMN_ENOMEM;
  if (lr) {
    rc = cli_lib_fail(in.ctx, lr);
    free(out);
    text_in_free(&in);
    return rc;
  }
  const char *path = cli_get(&pcmd, "out");
  FILE *f = cli_open_out(path);
  if (!f) {
    free(out);
    text_in_free(&in);
    return CLI_FAIL;
  }
  char buf[40];
  int csv = !strcmp(fmt, "csv");
  if (csv) {
    fputs(in.t->label ? "line,tokens,label" : "line,tokens", f);
    for (size_t c = 0; c < k; c++)
      fputc(',', f), cli_csv_field(f, limn_model_output_name(in.m, c));
    fputc('\n', f);
  }
  for (size_t i = 0; i < n; i++) {
    if (csv) {
      fprintf(f, "%zu,%zu", in.t->line[i], in.tok[i].n);
      if (in.t->label)
        fputc(',', f), cli_csv_field(f, in.t->label[i]);
      for (size_t c = 0; c < k; c++) {
        cli_fmt_float(buf, sizeof buf, out[i * k + c]);
        fprintf(f, ",%s", buf);
      }
      fputc('\n', f);
      continue;
    }
    fprintf(f, "{\"row\":%zu,\"line\":%zu,\"tokens\":%zu,\"truncated\":%s", i, in.t->line[i], in.tok[i].n,
            in.tok[i].truncated ? "true" : "false");
    if (in.t->label)
      fputs(",\"label\":", f), cli_json_string(f, in.t->label[i]);
    fputs(",\"outputs\":{", f);
    for (size_t c = 0; c < k; c++) {
      cli_fmt_float(buf, sizeof buf, out[i * k + c]);
      fputs(c ? "," : "", f);
      cli_json_string(f, limn_model_output_name(in.m, c));
      fprintf(f, ":%s", buf);
    }
    fputs("}}\n", f);
  }
  rc = cli_close_out(f, path, 1);
  free(out);
  text_in_free(&in);
  return rc;
}

/* ---- explain ---- */

static cli_opt eopts[] = {
    TEXT_INPUT_OPTS,
    {"rows", "SPEC", "all", "texts to explain: all, or indices and ranges (0,3,10-20) in file order", 0, 0,
     0},
    {"method", "M", "ig",
     "ig (Integrated Gradients on the token embeddings), gradxinput, saliency (the gradient's norm per "
     "token), occlusion (each token deleted), lime-text (lime's text explainer), attention-rollout or "
     "attention-flow (not attributions)",
     0, 0, 0},
    {"target", "CLASS", "pred", "the class explained: pred (the predicted one), a class name or its index", 0,
     0, 0},
    {"output", "SPACE", "probability", "gradient methods and occlusion: probability or logit", 0, 0, 0},
    {"steps", "N", "50", "ig: Gauss-Legendre nodes (raise it when the completeness gap says so)", 0, 0, 0},
    {"baseline", "B", "zero", "ig: zero (zero embeddings) or pad (the [PAD] token's embedding everywhere)", 0,
     0, 0},
    {"num-samples", "N", "5000", "lime-text: perturbed texts", 0, 0, 0},
    {"num-features", "N", "10", "lime-text: words in the surrogate", 0, 0, 0},
    {"kernel-width", "W", "0.25",
     "lime-text: on the cosine distance in [0, 1] (lime's 25 on its distance x 100)", 0, 0, 0},
    {"seed", "S", "0", "lime-text and the deletion check's random order", 0, 0, 0},
    {"deletion", "K", "10",
     "faithfulness: the output after deleting the top 1..K tokens, and its mean drop (AOPC) beside a random "
     "order's (0: skip)",
     0, 0, 0},
    {"format", "FMT", "text", "text, json, jsonl, html (tokens coloured) or svg", 0, 0, 0},
    {"out", "FILE", "-", "where to write ('-': standard output)", 0, 0, 0},
};

static cli_cmd ecmd = {
    "explain",
    "explain",
    "limn explain --texts FILE --model MODEL.onnx --vocab VOCAB [--rows SPEC] [--method M] [--format F]",
    "Each text is tokenised as docs/text.md says and explained token by token. Every\n"
    "explanation carries its own checks: IG's completeness gap, LIME's fit, and the\n"
    "deletion curve (does removing the tokens it ranks first change the output more\n"
    "than removing tokens at random?); an explanation that fails them says so.\n"
    "attention-rollout and attention-flow describe where attention goes, not what\n"
    "drives the prediction: they are labelled as such.",
    eopts,
    sizeof eopts / sizeof *eopts};

typedef struct text_run {
  text_in in;
  limn_text_opts o;
  size_t *rows, nrows, kdel;
  float *x; /* the explained rows */
  limn_explanation *ex;
  double *curves, *aopc, *rcurves, *raopc;
  char **why; /* (nrows) reasons not to trust, "" when none */
} text_run;

/* What the method is, in words: the library's title, and the settings that shape it. */
static void describe(const text_run *r, char *buf, size_t cap) {
  const limn_text_opts *o = &r->o;
  const char *title = limn_text_method_title(o->method);
  if (o->method == LIMN_METHOD_IG)
    snprintf(buf, cap, "%s from %s, %zu Gauss-Legendre nodes", title,
             o->baseline == LIMN_TEXT_BASELINE_PAD ? "the [PAD] embedding" : "zero embeddings", o->steps);
  else if (o->method == LIMN_METHOD_LIME_TEXT)
    snprintf(buf, cap, "%s: %zu texts with words removed, ridge on %zu words", title, o->num_samples,
             o->num_features);
  else if (!limn_text_method_is_attribution(o->method))
    snprintf(buf, cap, "%s from [CLS]: where attention goes", title);
  else
    snprintf(buf, cap, "%s", title);
}

static int explain_opts(text_run *r) {
  limn_text_opts *o = &r->o;
  *o = limn_text_opts_default();
  const char *me = cli_get(&ecmd, "method");
  if (limn_method_parse(me, &o->method) || !limn_text_method_supported(o->method))
    return cli_fail("--method: expected one of " LIMN_TEXT_METHODS " for texts, got '%s'", me), CLI_USAGE;
  const char *sp = cli_get(&ecmd, "output"), *b = cli_get(&ecmd, "baseline");
  if (strcmp(sp, "probability") && strcmp(sp, "logit"))
    return cli_fail("--output: expected probability or logit, got '%s'", sp), CLI_USAGE;
  o->space = !strcmp(sp, "logit") ? LIMN_SPACE_LOGIT : LIMN_SPACE_OUTPUT;
  if (strcmp(b, "zero") && strcmp(b, "pad"))
    return cli_fail("--baseline: expected zero or pad for texts, got '%s'", b), CLI_USAGE;
  o->baseline = !strcmp(b, "pad") ? LIMN_TEXT_BASELINE_PAD : LIMN_TEXT_BASELINE_ZERO;
  if (cli_size(&ecmd, "steps", 1, 100000, &o->steps) ||
      cli_size(&ecmd, "num-samples", 2, 10000000, &o->num_samples) ||
      cli_size(&ecmd, "num-features", 1, 100000, &o->num_features) ||
      cli_double(&ecmd, "kernel-width", 1e-9, 1e9, &o->kernel_width) || cli_u64(&ecmd, "seed", &o->seed) ||
      cli_size(&ecmd, "deletion", 0, 4096, &r->kdel))
    return CLI_USAGE;
  return CLI_OK;
}

/* Reasons not to trust explanation i (limn_text_trust). */
static void judge(text_run *r, size_t i, char *why, size_t cap) {
  const limn_explanation *e = &r->ex[i];
  int del = r->kdel && limn_text_method_is_attribution(e->method);
  limn_text_trust(e, del ? r->aopc[i] : NAN, del ? r->raopc[i] : NAN, why, cap);
  if (!limn_text_method_is_attribution(e->method))
    why[0] = 0; /* said apart: "not an attribution" */
}

/* The token at position j of text i, as written in the text ("[CLS]" for the marker). */
static void token_text(const text_run *r, size_t i, size_t j, char *buf, size_t cap) {
  size_t row = r->rows[i];
  const limn_tokens *t = &r->in.tok[row];
  size_t s = t->start[j], e = t->end[j];
  if (s == e)
    snprintf(buf, cap, "%s", limn_vocab_token(r->in.v, (size_t)t->ids[j]));
  else
    snprintf(buf, cap, "%.*s", (int)(e - s < cap - 1 ? e - s : cap - 1), r->in.t->text[row] + s);
}

static void write_text(FILE *f, text_run *r) {
  char desc[200], tok[128];
  describe(r, desc, sizeof desc);
  for (size_t i = 0; i < r->nrows; i++) {
    const limn_explanation *e = &r->ex[i];
    size_t row = r->rows[i], L = r->in.tok[row].n;
    fprintf(f, "text %zu (%s line %zu", row, r->in.file, r->in.t->line[row]);
    if (r->in.t->label)
      fputs("; label ", f), cli_put_escaped(f, r->in.t->label[row]);
    fprintf(f, "): %s %.4g, %zu tokens%s\n", limn_model_output_name(r->in.m, e->target), e->output, L,
            r->in.tok[row].truncated ? " (cut)" : "");
    fprintf(f, "  %s\n", desc);
    if (e->method == LIMN_METHOD_IG)
      fprintf(f, "  F(x) - F(baseline) = %.4g, completeness gap %.3g\n", e->output - e->base_value, e->delta);
    if (e->method == LIMN_METHOD_LIME_TEXT)
      fprintf(f, "  surrogate: R^2 %.3g, predicts %.4g at the text\n", e->score, e->local_pred);
    if (r->kdel && limn_text_method_is_attribution(e->method))
      fprintf(f, "  deleting its top %zu tokens: AOPC %.3g (a random order: %.3g)\n", r->kdel, r->aopc[i],
              r->raopc[i]);
    if (r->why[i][0])
      fprintf(f, "  NOT RELIABLE: %s\n", r->why[i]);
    /* the tokens by weight */
    size_t order[4096], m = 0;
    for (size_t j = 0; j < L && m < 4096; j++)
      if (e->attr[j] != 0 || !limn_text_method_is_attribution(e->method))
        order[m++] = j;
    for (size_t q = 1; q < m; q++) { /* by |weight|, stable */
      size_t v = order[q], p = q;
      while (p > 0 && fabs(e->attr[order[p - 1]]) < fabs(e->attr[v]))
        order[p] = order[p - 1], p--;
      order[p] = v;
    }
    fputs("  top tokens:", f);
    for (size_t q = 0; q < m && q < 10; q++) {
      token_text(r, i, order[q], tok, sizeof tok);
      fputs(q ? " | " : " ", f);
      cli_put_escaped(f, tok);
      fprintf(f, limn_text_method_is_signed(e->method) ? " %+.3g" : " %.3g", e->attr[order[q]]);
    }
    fputs("\n\n", f);
  }
}

static void json_num(FILE *f, const char *key, double v) {
  char b[40];
  cli_fmt_double(b, sizeof b, v);
  fprintf(f, ",\"%s\":%s", key, b);
}

static void write_json_one(FILE *f, const text_run *r, size_t i) {
  const limn_explanation *e = &r->ex[i];
  size_t row = r->rows[i];
  const limn_tokens *t = &r->in.tok[row];
  char b[40];
  fprintf(f, "{\"row\":%zu,\"line\":%zu,\"text\":", row, r->in.t->line[row]);
  cli_json_string(f, r->in.t->text[row]);
  if (r->in.t->label)
    fputs(",\"label\":", f), cli_json_string(f, r->in.t->label[row]);
  fprintf(f, ",\"method\":\"%s\",\"attribution\":%s,\"target\":", limn_method_name(e->method),
          limn_text_method_is_attribution(e->method) ? "true" : "false");
  cli_json_string(f, limn_model_output_name(r->in.m, e->target));
  json_num(f, "output", e->output);
  if (e->method == LIMN_METHOD_IG) {
    fprintf(f, ",\"steps\":%zu,\"baseline\":\"%s\"", r->o.steps,
            r->o.baseline == LIMN_TEXT_BASELINE_PAD ? "pad" : "zero");
    json_num(f, "base_value", e->base_value);
    json_num(f, "completeness_gap", e->delta);
  }
  if (e->method == LIMN_METHOD_LIME_TEXT) {
    fprintf(f, ",\"num_samples\":%zu,\"seed\":%llu", e->num_samples, (unsigned long long)e->seed);
    json_num(f, "score", e->score);
    json_num(f, "local_pred", e->local_pred);
    json_num(f, "intercept", e->intercept);
  }
  fprintf(f, ",\"truncated\":%s,\"tokens\":[", t->truncated ? "true" : "false");
  for (size_t j = 0; j < t->n; j++) {
    char tok[256];
    token_text(r, i, j, tok, sizeof tok);
    fputs(j ? ",{\"token\":" : "{\"token\":", f);
    cli_json_string(f, tok);
    fprintf(f, ",\"id\":%ld,\"start\":%zu,\"end\":%zu", t->ids[j], t->start[j], t->end[j]);
    cli_fmt_double(b, sizeof b, e->attr[j]);
    fprintf(f, ",\"weight\":%s", b);
    if (e->method == LIMN_METHOD_LIME_TEXT)
      fprintf(f, ",\"selected\":%s", e->selected[j] ? "true" : "false");
    fputc('}', f);
  }
  fputc(']', f);
  if (r->kdel && limn_text_method_is_attribution(e->method)) {
    fprintf(f, ",\"deletion\":{\"k\":%zu,\"curve\":[", r->kdel);
    for (size_t k = 0; k <= r->kdel; k++) {
      cli_fmt_double(b, sizeof b, r->curves[i * (r->kdel + 1) + k]);
      fprintf(f, "%s%s", k ? "," : "", b);
    }
    fputs("],\"random_curve\":[", f);
    for (size_t k = 0; k <= r->kdel; k++) {
      cli_fmt_double(b, sizeof b, r->rcurves[i * (r->kdel + 1) + k]);
      fprintf(f, "%s%s", k ? "," : "", b);
    }
    fputc(']', f);
    json_num(f, "aopc", r->aopc[i]);
    json_num(f, "random_aopc", r->raopc[i]);
    fputc('}', f);
  }
  fprintf(f, ",\"reliable\":%s",
          limn_text_method_is_attribution(e->method) && !r->why[i][0] ? "true" : "false");
  if (r->why[i][0])
    fputs(",\"why\":", f), cli_json_string(f, r->why[i]);
  if (!limn_text_method_is_attribution(e->method))
    fputs(",\"note\":\"where attention goes, not what drives the prediction\"", f);
  fputc('}', f);
}

/* HTML or SVG by the library's renderer: one method per text. */
static int write_drawing(FILE *f, const text_run *r, int svg) {
  char desc[200];
  describe(r, desc, sizeof desc);
  limn_text_render_row *rows = calloc(r->nrows + 1, sizeof *rows);
  if (!rows)
    return LIMN_ENOMEM;
  int del = r->kdel && limn_text_method_is_attribution(r->o.method);
  for (size_t i = 0; i < r->nrows; i++) {
    size_t row = r->rows[i];
    limn_text_render_row *w = &rows[i];
    w->row = row, w->line = r->in.t->line[row], w->text = r->in.t->text[row], w->len = r->in.t->len[row];
    w->tokens = &r->in.tok[row], w->label = r->in.t->label ? r->in.t->label[row] : NULL;
    w->target = limn_model_output_name(r->in.m, r->ex[i].target);
    w->nmethods = 1, w->ex = &r->ex[i];
    w->aopc = del ? &r->aopc[i] : NULL, w->random_aopc = del ? &r->raopc[i] : NULL;
  }
  limn_text_render_opts o = {r->in.v, desc, r->kdel};
  int lr = svg ? limn_render_text_svg(r->in.ctx, &o, rows, r->nrows, limn_sink_file(f))
               : limn_render_text_html(r->in.ctx, &o, rows, r->nrows, limn_sink_file(f));
  free(rows);
  return lr;
}

static void text_run_free(text_run *r) {
  if (r->ex)
    limn_explanations_free(r->in.ctx, r->ex, r->nrows);
  for (size_t i = 0; r->why && i < r->nrows; i++)
    free(r->why[i]);
  free(r->why), free(r->rows), free(r->x), free(r->curves), free(r->aopc), free(r->rcurves), free(r->raopc);
  text_in_free(&r->in);
}

int cmd_explain_text(int argc, char **argv) {
  int rc = cli_parse(&ecmd, argc, argv);
  if (rc)
    return rc;
  text_run r;
  memset(&r, 0, sizeof r);
  const char *fmt = cli_get(&ecmd, "format");
  if (strcmp(fmt, "text") && strcmp(fmt, "json") && strcmp(fmt, "jsonl") && strcmp(fmt, "html") &&
      strcmp(fmt, "svg"))
    return cli_fail("--format: expected text, json, jsonl, html or svg, got '%s'", fmt), CLI_USAGE;
  if ((rc = explain_opts(&r)) || (rc = text_load(&ecmd, &r.in))) {
    text_run_free(&r);
    return rc;
  }
  limn_ctx *ctx = r.in.ctx;
  size_t w = r.in.w;
  if (cli_parse_rows(cli_get(&ecmd, "rows"), r.in.t->n, &r.rows, &r.nrows)) {
    text_run_free(&r);
    return CLI_USAGE;
  }
  warn_cut(&r.in, r.rows, r.nrows);
  const char *tg = cli_get(&ecmd, "target");
  if (strcmp(tg, "pred")) {
    long t = cli_output_index(r.in.m, tg, 1);
    if (t < 0) {
      text_run_free(&r);
      return cli_fail("--target: '%s' is not one of the model's classes", tg), CLI_USAGE;
    }
    r.o.target = t;
  }
  r.o.first_is_cls = limn_vocab_cls(r.in.v) >= 0;
  r.o.row_ids = r.rows;
  r.x = malloc((r.nrows ? r.nrows : 1) * w * sizeof *r.x);
  size_t K1 = r.kdel + 1;
  r.curves = calloc(r.nrows * K1 + 1, sizeof *r.curves),
  r.rcurves = calloc(r.nrows * K1 + 1, sizeof *r.rcurves);
  r.aopc = calloc(r.nrows + 1, sizeof *r.aopc), r.raopc = calloc(r.nrows + 1, sizeof *r.raopc);
  r.why = calloc(r.nrows + 1, sizeof *r.why);
  if (!r.x || !r.curves || !r.rcurves || !r.aopc || !r.raopc || !r.why) {
    text_run_free(&r);
    return cli_fail("out of memory");
  }
  for (size_t i = 0; i < r.nrows; i++)
    memcpy(r.x + i * w, r.in.rows + r.rows[i] * w, w * sizeof *r.x);
  int lr = limn_explain_text(ctx, r.in.m, r.x, r.nrows, &r.o, &r.ex);
  if (!lr && r.kdel && limn_text_method_is_attribution(r.o.method)) {
    lr = limn_text_deletion(ctx, r.in.m, r.x, r.nrows, r.ex, r.kdel, r.o.first_is_cls, 0, 0, r.rows, r.curves,
                            r.aopc);
    if (!lr)
      lr = limn_text_deletion(ctx, r.in.m, r.x, r.nrows, r.ex, r.kdel, r.o.first_is_cls, 1, r.o.seed, r.rows,
                              r.rcurves, r.raopc);
  }
  if (lr) {
    rc = cli_lib_fail(ctx, lr);
    text_run_free(&r);
    return rc;
  }
  for (size_t i = 0; i < r.nrows; i++) {
    char why[1024];
    judge(&r, i, why, sizeof why);
    if (!(r.why[i] = strdup(why))) {
      text_run_free(&r);
      return cli_fail("out of memory");
    }
  }
  const char *path = cli_get(&ecmd, "out");
  FILE *f = cli_open_out(path);
  if (!f) {
    text_run_free(&r);
    return CLI_FAIL;
  }
  int lr2 = LIMN_OK;
  if (!strcmp(fmt, "text"))
    write_text(f, &r);
  else if (!strcmp(fmt, "html") || !strcmp(fmt, "svg"))
    lr2 = write_drawing(f, &r, !strcmp(fmt, "svg"));
  else {
    int doc = !strcmp(fmt, "json");
    if (doc)
      fprintf(f, "{\"limn_version\":\"%s\",\"texts\":[", limn_version());
    for (size_t i = 0; i < r.nrows; i++) {
      fputs(doc ? (i ? ",\n" : "\n") : "", f);
      write_json_one(f, &r, i);
      if (!doc)
        fputc('\n', f);
    }
    if (doc)
      fputs("\n]}\n", f);
  }
  rc = lr2 ? cli_lib_fail(ctx, lr2) : CLI_OK;
  int cr = cli_close_out(f, path, !rc);
  rc = rc ? rc : cr;
  text_run_free(&r);
  return rc;
}

/* ---- report ---- */

static cli_opt ropts[] = {
    TEXT_INPUT_OPTS,
    {"rows", "SPEC", "0-4", "texts to explain: all, or indices and ranges (0,3,10-20) in file order", 0, 0,
     0},
    {"methods", "LIST", "ig,gradxinput,occlusion,lime-text,attention-rollout",
     "the methods compared for each text (those of limn explain --texts)", 0, 0, 0},
    {"target", "CLASS", "pred", "the class explained: pred (the predicted one), a class name or its index", 0,
     0, 0},
    {"output", "SPACE", "probability", "gradient methods and occlusion: probability or logit", 0, 0, 0},
    {"steps", "N", "50", "ig: Gauss-Legendre nodes", 0, 0, 0},
    {"baseline", "B", "zero", "ig: zero or pad", 0, 0, 0},
    {"num-samples", "N", "5000", "lime-text: perturbed texts", 0, 0, 0},
    {"num-features", "N", "10", "lime-text: words in the surrogate", 0, 0, 0},
    {"kernel-width", "W", "0.25", "lime-text: kernel width on the cosine distance", 0, 0, 0},
    {"seed", "S", "0", "lime-text and the deletion check's random order", 0, 0, 0},
    {"deletion", "K", "10", "the deletion check: the top 1..K tokens deleted", 0, 0, 0},
    {"title", "TEXT", "Which words drove the prediction", "the page's title", 0, 0, 0},
    {"out", "FILE", "", "the HTML page to write", 0, 0, 0},
};

static cli_cmd rcmd = {
    "report",
    "report",
    "limn report --texts FILE --model MODEL.onnx --vocab VOCAB --out PAGE.html [--rows SPEC]",
    "One self-contained HTML page: for each text, every method of --methods with\n"
    "its tokens coloured in place and its checks, and which one to trust for that\n"
    "text (the largest deletion drop among those whose checks hold and that beat a\n"
    "random order), a table of the texts, and the provenance (model, vocabulary and\n"
    "texts with their SHA-256, settings, seed, command). Byte-deterministic.",
    ropts,
    sizeof ropts / sizeof *ropts};

int cmd_report_text(int argc, char **argv) {
  int rc = cli_parse(&rcmd, argc, argv);
  if (rc)
    return rc;
  char *list = strdup(cli_get(&rcmd, "methods"));
  const char *names[16];
  size_t nm = list ? cli_split_list(list, names, 16) : 0;
  limn_method meth[16];
  for (size_t k = 0; k < nm; k++)
    if (limn_method_parse(names[k], &meth[k]) || !limn_text_method_supported(meth[k])) {
      cli_fail("--methods: '%s' does not explain texts (" LIMN_TEXT_METHODS " do)", names[k]);
      free(list);
      return CLI_USAGE;
    }
  if (!nm) {
    free(list);
    return cli_fail("--methods: no method given"), CLI_USAGE;
  }
  /* the options as explain reads them (its table has the same names) */
  text_run r;
  memset(&r, 0, sizeof r);
  r.o = limn_text_opts_default();
  const char *sp = cli_get(&rcmd, "output"), *b = cli_get(&rcmd, "baseline");
  if ((strcmp(sp, "probability") && strcmp(sp, "logit")) || (strcmp(b, "zero") && strcmp(b, "pad"))) {
    free(list);
    return cli_fail("--output: probability or logit; --baseline: zero or pad"), CLI_USAGE;
  }
  r.o.space = !strcmp(sp, "logit") ? LIMN_SPACE_LOGIT : LIMN_SPACE_OUTPUT;
  r.o.baseline = !strcmp(b, "pad") ? LIMN_TEXT_BASELINE_PAD : LIMN_TEXT_BASELINE_ZERO;
  if (cli_size(&rcmd, "steps", 1, 100000, &r.o.steps) ||
      cli_size(&rcmd, "num-samples", 2, 10000000, &r.o.num_samples) ||
      cli_size(&rcmd, "num-features", 1, 100000, &r.o.num_features) ||
      cli_double(&rcmd, "kernel-width", 1e-9, 1e9, &r.o.kernel_width) || cli_u64(&rcmd, "seed", &r.o.seed) ||
      cli_size(&rcmd, "deletion", 1, 4096, &r.kdel)) {
    free(list);
    return CLI_USAGE;
  }
  if ((rc = text_load(&rcmd, &r.in)) ||
      cli_parse_rows(cli_get(&rcmd, "rows"), r.in.t->n, &r.rows, &r.nrows)) {
    free(list);
    text_run_free(&r);
    return rc ? rc : CLI_USAGE;
  }
  warn_cut(&r.in, r.rows, r.nrows);
  const char *tg = cli_get(&rcmd, "target");
  if (strcmp(tg, "pred")) {
    long t = cli_output_index(r.in.m, tg, 1);
    if (t < 0) {
      free(list);
      text_run_free(&r);
      return cli_fail("--target: '%s' is not one of the model's classes", tg), CLI_USAGE;
    }
    r.o.target = t;
  }
  char *line = cli_command_line("limn report", argc, argv);
  limn_text_report_opts ro = limn_text_report_opts_default(); /* the library computes and draws */
  ro.model = r.in.m, ro.model_path = cli_get(&rcmd, "model"), ro.vocab = r.in.v;
  ro.vocab_path = cli_get(&rcmd, "vocab"), ro.texts = r.in.t, ro.texts_path = r.in.file;
  ro.rows = r.rows, ro.nrows = r.nrows, ro.methods = meth, ro.nmethods = nm, ro.explain = r.o;
  ro.deletion_k = r.kdel, ro.command = line, ro.title = cli_get(&rcmd, "title");
  const char *path = cli_get(&rcmd, "out");
  FILE *f = cli_open_out(path);
  int lr = f ? limn_text_report_write(r.in.ctx, &ro, limn_sink_file(f)) : LIMN_OK;
  rc = lr ? cli_lib_fail(r.in.ctx, lr) : !f ? CLI_FAIL : CLI_OK;
  if (f) {
    int cr = cli_close_out(f, path, !rc);
    rc = rc ? rc : cr;
  }
  free(list), free(line);
  text_run_free(&r);
  return rc;
}

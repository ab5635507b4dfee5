/* Text: the tokeniser against tests/fixtures/make_text.py's (300 texts, ids and byte
 * offsets), the spam transformer (data/spam/) against torch in double (probabilities,
 * gradients on the token embeddings, IG with 50 Gauss-Legendre nodes and its
 * completeness), rows independent of their batch and padding, the rows graph (only
 * the rows the output reads) against the whole graph and torch, and bad input. */
#include "../harness.h"
#include "../../src/models/onnx_internal.h"

static limn_ctx *ctx;

/* The next CSV record's fields (RFC 4180, as Python's csv writes them) into f[0..1]. */
static int csv_record(FILE *in, char *f0, size_t c0, char *f1, size_t c1) {
  char *dst[2] = {f0, f1};
  size_t cap[2] = {c0, c1}, len = 0, k = 0;
  int ch = fgetc(in), quoted = 0;
  if (ch == EOF)
    return 0;
  for (;; ch = fgetc(in)) {
    if (ch == EOF && quoted)
      return 0;
    if (quoted && ch == '"') {
      int nx = fgetc(in);
      if (nx == '"') {
        if (len + 1 < cap[k])
          dst[k][len++] = '"';
        continue;
      }
      quoted = 0;
      ch = nx;
    }
    if (!quoted && (ch == ',' || ch == '\n' || ch == EOF)) {
      dst[k][len] = 0;
      if (ch != ',')
        return k == 1;
      if (++k > 1)
        return 0;
      len = 0;
      continue;
    }
    if (!quoted && ch == '"' && len == 0) {
      quoted = 1;
      continue;
    }
    if (len + 1 < cap[k])
      dst[k][len++] = (char)ch;
  }
}

static void test_tokenizer(void) {
  t_name = "tokenizer";
  limn_vocab *v = NULL;
  CHECK_OK(ctx, limn_vocab_read(ctx, src_path("data/spam/vocab.txt"), &v));
  if (!v)
    return;
  CHECK_EQ(limn_vocab_size(v), 2000);
  CHECK_EQ(limn_vocab_pad(v), 0);
  CHECK_EQ(limn_vocab_unk(v), 1);
  CHECK_EQ(limn_vocab_cls(v), 2);
  CHECK(!strcmp(limn_vocab_token(v, 2), "[CLS]"));
  FILE *csv = fopen(src_path("data/spam/test.csv"), "r"),
       *ref = fopen(src_path("tests/fixtures/text/tokens_ref.txt"), "r");
  CHECK(csv && ref);
  static char label[64], text[65536], line[65536];
  size_t texts = 0, same = 0, tokens = 0;
  if (csv && ref && csv_record(csv, label, sizeof label, text, sizeof text) &&
      fgets(line, sizeof line, ref)) {
    while (csv_record(csv, label, sizeof label, text, sizeof text)) {
      limn_tokens t;
      int ok = limn_text_tokenize(ctx, v, text, strlen(text), 64, &t) == LIMN_OK;
      char *p = fgets(line, sizeof line, ref) ? line : NULL;
      size_t k = 0;
      for (; ok && p && k < t.n; k++) { /* ids */
        char *e;
        long id = strtol(p, &e, 10);
        ok = e != p && id == t.ids[k];
        p = e;
      }
      ok = ok && p && strtol(p, &p, 10) == 0 && *p == '\n'; /* no more ids (0: the end) */
      p = fgets(line, sizeof line, ref) ? line : NULL;
      for (k = 1; ok && p && k < t.n; k++) { /* offsets after [CLS] */
        char *e;
        long s = strtol(p, &e, 10), en = strtol(e, &p, 10);
        ok = (size_t)s == t.start[k] && (size_t)en == t.end[k];
      }
      same += ok;
      tokens += t.n;
      texts++;
      limn_tokens_free(ctx, &t);
    }
  }
  CHECK_EQ(texts, 300);
  CHECK_EQ(same, texts);
  CHECK(tokens > 300 * 20);
  if (csv)
    fclose(csv);
  if (ref)
    fclose(ref);

  /* by hand: case, separators, non-ASCII words, unknown words, truncation */
  limn_tokens t;
  const char *s = "FREE money!! Caf\xc3\xa9 zzqx-free";
  CHECK_OK(ctx, limn_text_tokenize(ctx, v, s, strlen(s), 64, &t));
  CHECK_EQ(t.n, 6);
  CHECK_EQ(t.ids[0], 2);
  CHECK_EQ(t.ids[1], limn_vocab_id(v, "free"));
  CHECK_EQ(t.ids[2], limn_vocab_id(v, "money"));
  CHECK_EQ(t.start[3], 13);
  CHECK_EQ(t.end[3], 18); /* "Café": 5 bytes */
  CHECK_EQ(t.ids[4], 1);  /* zzqx: unknown */
  CHECK_EQ(t.ids[5], limn_vocab_id(v, "free"));
  CHECK_EQ(t.unknown, limn_vocab_id(v, "caf\xc3\xa9") < 0 ? 2 : 1);
  CHECK(!t.truncated);
  limn_tokens_free(ctx, &t);
  CHECK_OK(ctx, limn_text_tokenize(ctx, v, s, strlen(s), 3, &t));
  CHECK_EQ(t.n, 3);
  CHECK(t.truncated);
  CHECK_EQ(t.words, 5);
  limn_tokens_free(ctx, &t);
  const char *bad = "ok \xc3\x28 no";
  CHECK_ERR(ctx, limn_text_tokenize(ctx, v, bad, strlen(bad), 64, &t), LIMN_EPARSE, "byte 4: not UTF-8");
  const char *overlong = "\xc0\xaf";
  CHECK_ERR(ctx, limn_text_tokenize(ctx, v, overlong, 2, 64, &t), LIMN_EPARSE, "byte 1");
  limn_vocab_free(v);

  /* vocabularies that are not */
  limn_vocab *w = NULL;
  CHECK_ERR(ctx, limn_vocab_read_mem(ctx, "[PAD]\n[UNK]\n\nx\n", 15, "v.txt", &w), LIMN_EPARSE,
            "v.txt line 3: empty token");
  CHECK_ERR(ctx, limn_vocab_read_mem(ctx, "[PAD]\n[UNK]\nx\nx\n", 16, "v.txt", &w), LIMN_EPARSE,
            "v.txt line 4: token 'x' repeats line 3");
  CHECK_ERR(ctx, limn_vocab_read_mem(ctx, "[PAD]\nx\n", 8, "v.txt", &w), LIMN_EFORMAT, "[PAD] and [UNK]");
  CHECK_ERR(ctx, limn_vocab_read_mem(ctx, "[PAD]\n[UNK]\n\xff\n", 14, "v.txt", &w), LIMN_EPARSE,
            "v.txt line 3, byte 1: not UTF-8");
  CHECK_OK(ctx, limn_vocab_read_mem(ctx, "[PAD]\r\n[UNK]\r\nhello", 19, "v.txt", &w));
  CHECK_EQ(limn_vocab_size(w), 3);
  CHECK_EQ(limn_vocab_id(w, "hello"), 2);
  CHECK_EQ(limn_vocab_cls(w), -1);
  limn_vocab_free(w);
}

/* WordPiece: the BERT paper's example ("unaffable" -> un ##aff ##able, Devlin et al.
 * 2019, and the BERT repository's tokenizer notes), punctuation as words, a word whose
 * rest matches no piece as one [UNK], pieces of a multi-byte character kept whole, byte
 * ranges per piece, and truncation in the middle of a word. */
static void test_wordpiece(void) {
  test_begin("WordPiece vocabularies");
  static const char vocab[] = "[PAD]\n[UNK]\n[CLS]\nthe\nun\n##aff\n##able\ncat\n##s\nplay\n##ing\n,\n!\n"
                              "caf\n##\xc3\xa9\nx\n";
  limn_vocab *v = NULL;
  CHECK_OK(ctx, limn_vocab_read_mem(ctx, vocab, sizeof vocab - 1, "wp.txt", &v));
  if (!v)
    return;
  CHECK(limn_vocab_is_wordpiece(v));
  const char *text = "The unaffable cats, playing! xyz caf\xc3\xa9 xq";
  limn_tokens t;
  CHECK_OK(ctx, limn_text_tokenize(ctx, v, text, strlen(text), 64, &t));
  static const char *want[] = {"[CLS]", "the",   "un", "##aff", "##able", "cat",        "##s",  ",",
                               "play",  "##ing", "!",  "[UNK]", "caf",    "##\xc3\xa9", "[UNK]"};
  static const size_t from[] = {0, 0, 4, 6, 9, 14, 17, 18, 20, 24, 27, 29, 33, 36, 39},
                      to[] = {0, 3, 6, 9, 13, 17, 18, 19, 24, 27, 28, 32, 36, 38, 41};
  CHECK_EQ(t.n, 15);
  int ok = t.n == 15;
  for (size_t k = 0; ok && k < 15; k++)
    ok =
        !strcmp(limn_vocab_token(v, (size_t)t.ids[k]), want[k]) && t.start[k] == from[k] && t.end[k] == to[k];
  CHECK(ok);
  CHECK_EQ(t.unknown, 2);
  CHECK_EQ(t.words, 9); /* the, unaffable, cats, ",", playing, "!", xyz, café, xq */
  CHECK(!t.truncated);
  limn_tokens_free(ctx, &t);
  CHECK_OK(ctx, limn_text_tokenize(ctx, v, text, strlen(text), 4, &t)); /* [CLS] the un ##aff | ##able .. */
  CHECK(t.n == 4 && t.truncated && t.ids[3] == limn_vocab_id(v, "##aff"));
  limn_tokens_free(ctx, &t);
  limn_vocab_free(v);
  limn_vocab *w = NULL; /* "#" or "##" alone is a token, not a continuation */
  CHECK_OK(ctx, limn_vocab_read_mem(ctx, "[PAD]\n[UNK]\n##\n#\n", 16, "v.txt", &w));
  CHECK(w && !limn_vocab_is_wordpiece(w));
  limn_vocab_free(w);
}

static double curve_p(const limn_model *m, const float *row, size_t target) {
  float pr[8];
  return limn_model_predict(ctx, m, row, 1, pr) ? NAN : pr[target];
}

static void test_texts(void) {
  t_name = "texts from files";
  limn_texts *t = NULL;
  const char *csv = "id,text,label\r\n1,\"Hello, \"\"world\"\"\",ham\n2,\"two\nlines\",spam\n\n3,plain,ham";
  CHECK_OK(ctx, limn_texts_read_mem(ctx, csv, strlen(csv), "t.csv", "text", "label", &t));
  if (t) {
    CHECK_EQ(t->n, 3);
    CHECK(!strcmp(t->text[0], "Hello, \"world\""));
    CHECK(!strcmp(t->text[1], "two\nlines") && t->len[1] == 9);
    CHECK(!strcmp(t->label[1], "spam") && !strcmp(t->text[2], "plain"));
    CHECK_EQ(t->line[0], 2);
    CHECK_EQ(t->line[1], 3);
    CHECK_EQ(t->line[2], 6); /* after the text of two lines and an empty line */
    limn_texts_free(ctx, t);
  }
  const char *lines = "\xef\xbb\xbf"
                      "first\r\nsecond\n\nfourth";
  CHECK_OK(ctx, limn_texts_read_mem(ctx, lines, strlen(lines), "t.txt", NULL, NULL, &t));
  if (t) {
    CHECK_EQ(t->n, 4);
    CHECK(!strcmp(t->text[0], "first") && !strcmp(t->text[2], "") && t->line[3] == 4 && !t->label);
    limn_texts_free(ctx, t);
  }
  t = NULL;
  CHECK_ERR(ctx, limn_texts_read_mem(ctx, "a,b\n1,2\n", 8, "t.csv", "text", NULL, &t), LIMN_ENOTFOUND,
            "t.csv line 1: no column 'text' (the header has: a, b)");
  CHECK_ERR(ctx, limn_texts_read_mem(ctx, "text\nx\n", 7, "t.csv", "text", "label", &t), LIMN_ENOTFOUND,
            "no label column 'label'");
  CHECK_ERR(ctx, limn_texts_read_mem(ctx, "text,l\nx,1\ny\n", 13, "t.csv", "text", NULL, &t), LIMN_EPARSE,
            "t.csv line 3: 1 fields, the header has 2");
  CHECK_ERR(ctx, limn_texts_read_mem(ctx, "text\n\"open\n", 11, "t.csv", "text", NULL, &t), LIMN_EPARSE,
            "t.csv line 2: a quoted field is not closed");
  CHECK_ERR(ctx, limn_texts_read_mem(ctx, "text\nab\"c\n", 10, "t.csv", "text", NULL, &t), LIMN_EPARSE,
            "line 2: a quote inside an unquoted field");
  CHECK_ERR(ctx, limn_texts_read_mem(ctx, "ok\nno \xff\n", 8, "t.txt", NULL, NULL, &t), LIMN_EPARSE,
            "t.txt line 2, byte 4: not UTF-8");
  CHECK_ERR(ctx, limn_texts_read_mem(ctx, "ok\0", 3, "t.txt", NULL, NULL, &t), LIMN_EPARSE, "NUL byte");
  CHECK(t == NULL);
}

/* Whitespace-separated numbers of the next line into v (at most cap); how many. */
static size_t ref_line(FILE *f, double *v, size_t cap) {
  static char line[1 << 20];
  while (fgets(line, sizeof line, f) && line[0] == '#')
    ;
  size_t n = 0;
  char *p = line, *e;
  for (double x; n < cap && (x = strtod(p, &e), e != p); p = e)
    v[n++] = x;
  return n;
}

static void test_model(void) {
  t_name = "spam transformer vs torch";
  limn_text_model_opts o;
  limn_text_model_opts_default(&o);
  limn_model *m = NULL;
  CHECK_OK(ctx, limn_model_load_onnx_text(ctx, src_path("data/spam/spam_transformer.onnx"), &o, &m));
  FILE *f = fopen(src_path("tests/fixtures/text/spam_ref.txt"), "r");
  CHECK(f != NULL);
  if (!m || !f) {
    if (f)
      fclose(f);
    limn_model_free(m);
    return;
  }
  CHECK(limn_model_is_text(m));
  CHECK_EQ(limn_model_text_vocab(m), 2000);
  CHECK_EQ(limn_model_text_width(m), 64);
  CHECK_EQ(limn_model_noutputs(m), 2);
  enum { N = 6, E = 64, T = 64 };
  static double ids[T], p[2], g[T * E], ig[T], p0[1];
  static float rows[N][T], emb[T * E], probs[N][2], one[2];
  size_t len[N];
  double worst_ig = 0, worst_gap = 0;
  for (size_t i = 0; i < N; i++) {
    size_t L = ref_line(f, ids, T);
    len[i] = L;
    CHECK(ref_line(f, p, 2) == 2);
    CHECK(ref_line(f, g, T * E) == L * E);
    CHECK(ref_line(f, ig, T) == L);
    CHECK(ref_line(f, p0, 1) == 1);
    for (size_t j = 0; j < T; j++)
      rows[i][j] = j < L ? (float)ids[j] : 0.0f;
    CHECK_EQ(limn_model_text_length(m, rows[i]), L);
    CHECK_OK(ctx, limn_model_predict(ctx, m, rows[i], 1, one));
    double got[2] = {one[0], one[1]};
    CHECK_CLOSE("p", got, p, 2, 1e-5, 0);
    long pred = p[1] > p[0];
    /* gradient and IG on the token embeddings */
    limn_model *view = NULL;
    CHECK_OK(ctx, limn_model_text_view(ctx, m, rows[i], &view));
    CHECK_OK(ctx, limn_model_text_embed(ctx, m, rows[i], emb));
    if (!view)
      continue;
    CHECK_EQ(limn_model_nfeatures(view), L * E);
    limn_grad_opts go = limn_grad_opts_default();
    go.target = pred;
    limn_explanation *ex = NULL;
    CHECK_OK(ctx, limn_explain_gradients(ctx, view, emb, 1, &go, &ex));
    if (ex) {
      double gmax = 0;
      for (size_t q = 0; q < L * E; q++)
        gmax = fmax(gmax, fabs(g[q]));
      CHECK_CLOSE("gradient", ex[0].attr, g, L * E, 1e-5 * gmax + 1e-8, 0);
      limn_explanations_free(ctx, ex, 1);
    }
    go.method = LIMN_METHOD_IG;
    go.quadrature = LIMN_QUAD_GAUSS_LEGENDRE;
    go.steps = 50;
    CHECK_OK(ctx, limn_explain_gradients(ctx, view, emb, 1, &go, &ex));
    if (ex) {
      double tok[T] = {0}, imax = 0;
      for (size_t j = 0; j < L; j++) {
        for (size_t e = 0; e < E; e++)
          tok[j] += ex[0].attr[j * E + e];
        imax = fmax(imax, fabs(ig[j]));
      }
      for (size_t j = 0; j < L; j++)
        worst_ig = fmax(worst_ig, fabs(tok[j] - ig[j]) / imax);
      CHECK_CLOSE("IG per token", tok, ig, L, 1e-5 * imax + 1e-7, 0);
      CHECK(fabs(ex[0].base_value - p0[0]) < 1e-5);
      /* the completeness gap against torch's: sum of IG - (p - p at the baseline) */
      double ref_gap = -(p[pred] - p0[0]);
      for (size_t j = 0; j < L; j++)
        ref_gap += ig[j];
      CHECK(fabs(ex[0].delta - ref_gap) < 1e-5);
      worst_gap = fmax(worst_gap, fabs(ex[0].delta));
      limn_explanations_free(ctx, ex, 1);
      ex = NULL;
      /* a large gap is the path's doing (the model's output swings on it near the zero
         baseline): it must shrink as the nodes grow */
      if (fabs(ref_gap) < 0.1) {
        limn_model_free(view);
        continue;
      }
      go.steps = 1000;
      CHECK_OK(ctx, limn_explain_gradients(ctx, view, emb, 1, &go, &ex));
      printf("  text %zu: %zu tokens, gap %.3g with 50 nodes, %.3g with 1000\n", i, L, ref_gap,
             ex ? ex[0].delta : NAN);
      CHECK(ex && fabs(ex[0].delta) < 1e-4);
      go.steps = 50;
      limn_explanations_free(ctx, ex, 1);
    }
    limn_model_free(view);
  }
  fclose(f);
  printf("  IG per token vs torch: worst %.2g of the largest; worst completeness gap %.2g\n", worst_ig,
         worst_gap);
  CHECK(worst_gap > 0.1); /* the zero baseline's swings: 50 nodes are not enough for every text */

  t_name = "rows independent of their batch";
  CHECK_OK(ctx, limn_model_predict(ctx, m, &rows[0][0], N, &probs[0][0]));
  for (size_t i = 0; i < N; i++) {
    CHECK_OK(ctx, limn_model_predict(ctx, m, rows[i], 1, one));
    CHECK(!memcmp(one, probs[i], sizeof one));
  }
  size_t shortest = T, longest = 0; /* the batch mixes lengths */
  for (size_t i = 0; i < N; i++)
    shortest = len[i] < shortest ? len[i] : shortest, longest = len[i] > longest ? len[i] : longest;
  CHECK(shortest < longest);

  t_name = "bad text input";
  float badrow[T] = {2, 5, 2000.0f};
  CHECK_ERR(ctx, limn_model_predict(ctx, m, badrow, 1, one), LIMN_EINVAL, "row 0: position 2 holds 2000");
  badrow[2] = 1.5f;
  CHECK_ERR(ctx, limn_model_predict(ctx, m, badrow, 1, one), LIMN_EINVAL, "not a token id");
  limn_model *x = NULL;
  CHECK_ERR(ctx,
            limn_model_load_onnx(ctx, src_path("data/spam/spam_transformer.onnx"), NULL, LIMN_ONNX_AUTO, &x),
            LIMN_EUNSUPPORTED, "int64 token ids: load it as a text model");
  CHECK_ERR(ctx, limn_model_load_onnx_text(ctx, src_path("data/fashion/fashion_cnn.onnx"), &o, &x),
            LIMN_EFORMAT, "must be int64 token ids");
  o.embedding = "/layers.0/ln1/LayerNormalization";
  CHECK_ERR(ctx, limn_model_load_onnx_text(ctx, src_path("data/spam/spam_transformer.onnx"), &o, &x),
            LIMN_EINVAL, "is not an embedding lookup");
  o.embedding = "nothing";
  CHECK_ERR(ctx, limn_model_load_onnx_text(ctx, src_path("data/spam/spam_transformer.onnx"), &o, &x),
            LIMN_ENOTFOUND, "no node or value 'nothing'");
  o.embedding = "/emb/Gather_output_0"; /* by its output's name */
  CHECK_OK(ctx, limn_model_load_onnx_text(ctx, src_path("data/spam/spam_transformer.onnx"), &o, &x));
  limn_model_free(x);
  x = NULL;
  o.embedding = NULL;
  o.pad_id = 5000;
  CHECK_ERR(ctx, limn_model_load_onnx_text(ctx, src_path("data/spam/spam_transformer.onnx"), &o, &x),
            LIMN_EINVAL, "padding id 5000");
  limn_model_free(m);
}

/* The text explainers: IG and gradient x input per token against torch, occlusion and
 * the deletion curves against direct predictions, LIME's draws, rollout and flow against
 * torch's attention, determinism. */
static void test_explainers(void) {
  t_name = "text explainers";
  limn_text_model_opts mo;
  limn_text_model_opts_default(&mo);
  limn_model *m = NULL;
  CHECK_OK(ctx, limn_model_load_onnx_text(ctx, src_path("data/spam/spam_transformer.onnx"), &mo, &m));
  FILE *f = fopen(src_path("tests/fixtures/text/spam_ref.txt"), "r");
  FILE *fa = fopen(src_path("tests/fixtures/text/attention_ref.txt"), "r");
  CHECK(f && fa);
  if (!m || !f || !fa) {
    if (f)
      fclose(f);
    if (fa)
      fclose(fa);
    limn_model_free(m);
    return;
  }
  enum { N = 6, E = 64, T = 64 };
  static double ids[T], p[2], g[T * E], ig[T], p0[1], roll[T], flow[T];
  static float rows[N * T], emb[T * E];
  size_t len[N];
  double gxi_ref[N][T], ig_ref[N][T];
  for (size_t i = 0; i < N; i++) {
    size_t L = ref_line(f, ids, T);
    len[i] = L;
    ref_line(f, p, 2), ref_line(f, g, T * E), ref_line(f, ig, T), ref_line(f, p0, 1);
    for (size_t j = 0; j < T; j++)
      rows[i * T + j] = j < L ? (float)ids[j] : 0.0f;
    CHECK_OK(ctx, limn_model_text_embed(ctx, m, rows + i * T, emb));
    for (size_t j = 0; j < T; j++) {
      gxi_ref[i][j] = 0, ig_ref[i][j] = j < L ? ig[j] : 0;
      for (size_t e = 0; j < L && e < E; e++)
        gxi_ref[i][j] += (double)emb[j * E + e] * g[j * E + e];
    }
  }
  fclose(f);

  limn_text_opts o = limn_text_opts_default();
  limn_explanation *ex = NULL;
  CHECK_OK(ctx, limn_explain_text(ctx, m, rows, N, &o, &ex));
  for (size_t i = 0; ex && i < N; i++) {
    double mx = 0;
    for (size_t j = 0; j < T; j++)
      mx = fmax(mx, fabs(ig_ref[i][j]));
    CHECK_CLOSE("ig per token", ex[i].attr, ig_ref[i], T, 1e-5 * mx + 1e-7, 0);
    CHECK(!isnan(ex[i].delta));
  }
  limn_explanations_free(ctx, ex, N);
  o.method = LIMN_METHOD_GRADXINPUT;
  CHECK_OK(ctx, limn_explain_text(ctx, m, rows, N, &o, &ex));
  for (size_t i = 0; ex && i < N; i++) {
    double mx = 0;
    for (size_t j = 0; j < T; j++)
      mx = fmax(mx, fabs(gxi_ref[i][j]));
    CHECK_CLOSE("gradient x input per token", ex[i].attr, gxi_ref[i], T, 2e-5 * mx + 1e-7, 0);
  }
  limn_explanations_free(ctx, ex, N);

  /* occlusion: F(x) - F(x without token j), by direct predictions */
  o.method = LIMN_METHOD_OCCLUSION;
  CHECK_OK(ctx, limn_explain_text(ctx, m, rows + 5 * T, 1, &o, &ex));
  if (ex) {
    size_t L = len[5], bad = 0;
    float del[T], pr[2], full[2];
    CHECK_OK(ctx, limn_model_predict(ctx, m, rows + 5 * T, 1, full));
    for (size_t j = 1; j < L; j++) {
      size_t q = 0;
      for (size_t r = 0; r < T; r++)
        if (r != j)
          del[q++] = rows[5 * T + r];
      del[T - 1] = 0;
      limn_model_predict(ctx, m, del, 1, pr);
      bad += fabs(ex[0].attr[j] - ((double)full[ex[0].target] - pr[ex[0].target])) > 1e-6;
    }
    CHECK_EQ(bad, 0);
    CHECK(ex[0].attr[0] == 0.0); /* [CLS] kept */

    /* deletion curves: the k highest tokens removed, against the model directly */
    double curve[11], aopc, rcurve[11], raopc;
    CHECK_OK(ctx, limn_text_deletion(ctx, m, rows + 5 * T, 1, ex, 10, 1, 0, 0, NULL, curve, &aopc));
    CHECK(fabs(curve[0] - full[ex[0].target]) < 1e-6);
    size_t best = 1;
    for (size_t j = 1; j < L; j++)
      best = ex[0].attr[j] > ex[0].attr[best] ? j : best;
    size_t q = 0;
    for (size_t r = 0; r < T; r++)
      if (r != best)
        del[q++] = rows[5 * T + r];
    del[T - 1] = 0;
    limn_model_predict(ctx, m, del, 1, pr);
    CHECK(fabs(curve[1] - pr[ex[0].target]) < 1e-6);
    CHECK_OK(ctx, limn_text_deletion(ctx, m, rows + 5 * T, 1, ex, 10, 1, 1, 7, NULL, rcurve, &raopc));
    printf("  occlusion's deletion AOPC %.3f, a random order's %.3f\n", aopc, raopc);
    CHECK(aopc > raopc); /* the faithful order beats a random one */
    limn_explanations_free(ctx, ex, 1);
  }

  /* rollout and flow against torch's attention */
  for (size_t i = 0; i < N; i++) {
    size_t L = len[i];
    CHECK(ref_line(fa, roll, T) == L);
    CHECK(ref_line(fa, flow, T) == L);
    for (int k = 0; k < 2; k++) {
      o.method = k ? LIMN_METHOD_ATTENTION_FLOW : LIMN_METHOD_ATTENTION_ROLLOUT;
      CHECK_OK(ctx, limn_explain_text(ctx, m, rows + i * T, 1, &o, &ex));
      if (ex) {
        CHECK_CLOSE(k ? "attention flow" : "attention rollout", ex[0].attr, k ? flow : roll, L, 1e-6, 1e-5);
        limn_explanations_free(ctx, ex, 1);
      }
    }
  }
  fclose(fa);

  /* LIME: the draws and the result fixed by the seed, the same on 1 and 2 threads */
  o = limn_text_opts_default();
  o.method = LIMN_METHOD_LIME_TEXT;
  o.num_samples = 500;
  limn_explanation *a = NULL, *b = NULL;
  limn_ctx_set_threads(ctx, 1);
  CHECK_OK(ctx, limn_explain_text(ctx, m, rows + 5 * T, 1, &o, &a));
  limn_ctx_set_threads(ctx, 2);
  CHECK_OK(ctx, limn_explain_text(ctx, m, rows + 5 * T, 1, &o, &b));
  if (a && b) {
    CHECK(!memcmp(a[0].attr, b[0].attr, T * sizeof *a[0].attr));
    size_t words = 0, sel = 0;
    for (size_t j = 1; j < len[5]; j++)
      words = a[0].bin[j] + 1 > (long)words ? (size_t)a[0].bin[j] + 1 : words, sel += a[0].selected[j];
    CHECK(words > 10 && a[0].bin[0] == -1);
    CHECK(sel >= 10); /* 10 words (repeated words count at each place) */
    CHECK(a[0].score > 0 && a[0].score <= 1);
    CHECK(fabs(a[0].output - curve_p(m, rows + 5 * T, a[0].target)) < 1e-6);
  }
  limn_explanations_free(ctx, a, 1), limn_explanations_free(ctx, b, 1);

  CHECK_ERR(ctx, limn_explain_text(ctx, m, rows, 1, &(limn_text_opts){.method = LIMN_METHOD_SHAP}, &ex),
            LIMN_EINVAL, "does not explain texts");
  limn_model_free(m);
}

/* The other operator forms torch emits (Split, Expand, ConstantOfShape, Cast to bool,
 * LayerNorm written out, tanh-GELU, ReduceSum pooling): tests/fixtures/onnx/tiny_transformer.onnx
 * against torch in double; the padded text runs at its own length. */
static void test_tiny(void) {
  t_name = "tiny transformer vs torch";
  limn_text_model_opts o;
  limn_text_model_opts_default(&o);
  o.max_tokens = 6;
  limn_model *m = NULL;
  CHECK_OK(ctx,
           limn_model_load_onnx_text(ctx, src_path("tests/fixtures/onnx/tiny_transformer.onnx"), &o, &m));
  FILE *f = fopen(src_path("tests/fixtures/text/tiny_ref.txt"), "r");
  CHECK(f != NULL);
  for (size_t i = 0; m && f && i < 3; i++) {
    double ids[6], p[3], g[48], got[48];
    float row[6], pr[3], emb[48], w[3] = {0, 0, 0}, gr[48];
    CHECK(ref_line(f, ids, 6) == 6);
    CHECK(ref_line(f, p, 3) == 3);
    CHECK(ref_line(f, g, 48) == 48);
    for (size_t j = 0; j < 6; j++)
      row[j] = (float)ids[j];
    CHECK_OK(ctx, limn_model_predict(ctx, m, row, 1, pr));
    double pd[3] = {pr[0], pr[1], pr[2]};
    CHECK_CLOSE("p", pd, p, 3, 1e-6, 0);
    size_t L = limn_model_text_length(m, row),
           k = p[1] > p[0] ? (p[2] > p[1] ? 2 : 1) : (p[2] > p[0] ? 2 : 0);
    CHECK_EQ(L, i == 2 ? 3 : 6);
    limn_model *view = NULL;
    CHECK_OK(ctx, limn_model_text_view(ctx, m, row, &view));
    CHECK_OK(ctx, limn_model_text_embed(ctx, m, row, emb));
    w[k] = 1;
    CHECK_OK(ctx, limn_model_vjp(ctx, view, emb, 1, w, LIMN_SPACE_OUTPUT, gr));
    double mx = 0;
    for (size_t q = 0; q < 48; q++)
      got[q] = q < L * 8 ? gr[q] : 0, mx = fmax(mx, fabs(g[q]));
    CHECK_CLOSE("gradient on the embeddings", got, g, 48, 1e-5 * mx + 1e-9, 0);
    limn_model_free(view);
  }
  if (f)
    fclose(f);
  limn_model_free(m);
}

/* Model file `path` loaded with and without its rows graph (plan_rows): into m[0], m[1]. */
/* m[0] as loaded, m[1] without the rows graph (fold: without the folds instead). */
static void load_pair(const char *path, size_t max_tokens, limn_model **m, int fold) {
  limn_text_model_opts o;
  limn_text_model_opts_default(&o);
  o.max_tokens = max_tokens;
  m[0] = m[1] = NULL;
  CHECK_OK(ctx, limn_model_load_onnx_text(ctx, src_path(path), &o, &m[0]));
  if (fold)
    limn__onnx_fold(0);
  else
    limn__onnx_rows(0);
  CHECK_OK(ctx, limn_model_load_onnx_text(ctx, src_path(path), &o, &m[1]));
  limn__onnx_rows(1), limn__onnx_fold(1);
  if (fold)
    CHECK(limn__onnx_folded(m[1]) == 0);
  else
    CHECK(limn__onnx_rows_planned(m[1]) == 0);
}

static void load_both(const char *path, size_t max_tokens, limn_model **m) {
  load_pair(path, max_tokens, m, 0);
}

/* Probabilities and the gradient of p[pred] on the embeddings of one row with both
 * models of load_both: the same bits; against torch's (p: k values, g: L * width). */
static void rows_same(limn_model **m, const float *row, size_t width, const double *p, size_t k,
                      const double *g) {
  float pr[2][4], emb[64 * 64], gr[2][64 * 64], w[4] = {0};
  size_t L = limn_model_text_length(m[0], row), pred = 0;
  for (int r = 0; r < 2; r++)
    CHECK_OK(ctx, limn_model_predict(ctx, m[r], row, 1, pr[r]));
  CHECK(!memcmp(pr[0], pr[1], k * sizeof(float)));
  for (size_t c = 0; c < k; c++)
    pred = pr[0][c] > pr[0][pred] ? c : pred;
  w[pred] = 1;
  CHECK_OK(ctx, limn_model_text_embed(ctx, m[0], row, emb));
  for (int r = 0; r < 2; r++) {
    limn_model *view = NULL;
    CHECK_OK(ctx, limn_model_text_view(ctx, m[r], row, &view));
    memset(gr[r], 0, sizeof gr[r]);
    if (view)
      CHECK_OK(ctx, limn_model_vjp(ctx, view, emb, 1, w, LIMN_SPACE_OUTPUT, gr[r]));
    limn_model_free(view);
  }
  CHECK(!memcmp(gr[0], gr[1], L * width * sizeof(float)));
  if (!p)
    return;
  double got[4], gd[64 * 64], mx = 0;
  for (size_t c = 0; c < k; c++)
    got[c] = pr[0][c];
  CHECK_CLOSE("p", got, p, k, 1e-6, 0);
  for (size_t q = 0; q < L * width; q++)
    gd[q] = gr[0][q], mx = fmax(mx, fabs(g[q]));
  CHECK_CLOSE("gradient on the embeddings", gd, g, L * width, 1e-5 * mx + 1e-9, 0);
}

/* The spam model's 24 test texts (tokens_ref.txt) through both models of a pair: every
 * fourth from `first` one at a time (rows_same), then all in one batch of many lengths,
 * the same bits. Returns the longest text's length. */
static size_t spam_same(limn_model **m, size_t first) {
  FILE *f = fopen(src_path("tests/fixtures/text/tokens_ref.txt"), "r"); /* the test texts' ids */
  CHECK(f != NULL);
  static float rows[24][64], pr[2][24][2];
  static double ids[64], skip[256];
  size_t longest = 0;
  for (size_t i = 0; f && m[0] && m[1] && i < 24; i++) {
    size_t L = ref_line(f, ids, 64);
    ref_line(f, skip, 256); /* the offsets */
    longest = L > longest ? L : longest;
    for (size_t j = 0; j < 64; j++)
      rows[i][j] = j < L ? (float)ids[j] : 0.0f;
    if (i % 4 == first)
      rows_same(m, rows[i], 64, NULL, 2, NULL);
  }
  for (int r = 0; f && r < 2; r++)
    CHECK_OK(ctx, limn_model_predict(ctx, m[r], rows[0], 24, pr[r][0]));
  CHECK(!memcmp(pr[0], pr[1], sizeof pr[0]));
  if (f)
    fclose(f);
  return longest;
}

/* Three texts of 6 tokens from f (a tiny model's torch references: ids, p (3), the
 * gradient on the embeddings (6 x width)) through both models of a pair (rows_same). */
static void tiny_same(limn_model **m, FILE *f, size_t width) {
  for (size_t i = 0; f && m[0] && m[1] && i < 3; i++) {
    double ids[6], p[3], g[6 * 12];
    float row[6];
    CHECK(ref_line(f, ids, 6) == 6);
    CHECK(ref_line(f, p, 3) == 3);
    CHECK(ref_line(f, g, 6 * width) == 6 * width);
    for (size_t j = 0; j < 6; j++)
      row[j] = (float)ids[j];
    rows_same(m, row, width, p, 3, g);
  }
}

/* The rows graph: the spam transformer and tiny_cls read the first position only, so
 * the last layer's query, attention and feed-forward are computed for it alone; the
 * outputs and gradients have the whole graph's bits and torch's values. tiny_view's
 * plan (from a probe of 7 tokens) fits texts of 7 tokens only: others run the whole
 * graph, still with torch's values. */
static void test_rows(void) {
  t_name = "rows graph";
  limn_model *m[2];
  load_both("data/spam/spam_transformer.onnx", 64, m);
  CHECK(limn__onnx_rows_planned(m[0]) > 10);
  CHECK_EQ(spam_same(m, 0), 64);
  limn_model_free(m[0]), limn_model_free(m[1]);

  FILE *f = fopen(src_path("tests/fixtures/text/tiny_rows_ref.txt"), "r");
  CHECK(f != NULL);
  load_both("tests/fixtures/onnx/tiny_cls.onnx", 6, m);
  CHECK(limn__onnx_rows_planned(m[0]) > 10);
  tiny_same(m, f, 8);
  limn_model_free(m[0]), limn_model_free(m[1]);
  load_both("tests/fixtures/onnx/tiny_view.onnx", 7, m);
  CHECK(limn__onnx_rows_planned(m[0]) == 1); /* the Reshape */
  for (size_t i = 0; f && m[0] && m[1] && i < 2; i++) {
    double ids[7], p[2], g[49];
    float row[7] = {0};
    size_t L = ref_line(f, ids, 7);
    CHECK(L == 7 - 2 * i);
    CHECK(ref_line(f, p, 2) == 2);
    CHECK(ref_line(f, g, 49) == L * 7);
    for (size_t j = 0; j < L; j++)
      row[j] = (float)ids[j];
    rows_same(m, row, 7, p, 2, g);
  }
  limn_model_free(m[0]), limn_model_free(m[1]);
  if (f)
    fclose(f);
}

/* The folds (GELU into one node, the attention's scale and mask into its Softmax,
 * LayerNormalization's row statistics kept for its backward pass, the heads' Transposes
 * into the attention's products): the same bits as without them, predictions and
 * gradients, with the rows graph and without it, and torch's values. The spam model
 * divides the scores by 4 and masks them with Where(mask, scores, fill); tiny_cls
 * multiplies them and masks with Where(mask, fill, scores); tiny_fold divides them by
 * sqrt(6), with both masks. */
static void test_fold(void) {
  t_name = "folds";
  limn_model *m[2];
  load_pair("data/spam/spam_transformer.onnx", 64, m, 1);
  /* 2 GELU, 2 Softmax, 5 LayerNormalization; in each layer the query's Transpose into
   * the scores' product, the values' and the output's into the values' product */
  CHECK_EQ(limn__onnx_folded(m[0]), 13);
  spam_same(m, 1);
  limn_model_free(m[0]), limn_model_free(m[1]);
  FILE *f = fopen(src_path("tests/fixtures/text/tiny_rows_ref.txt"), "r");
  CHECK(f != NULL);
  load_pair("tests/fixtures/onnx/tiny_cls.onnx", 6, m, 1);
  /* the Softmax nodes (its GELU is tanh's) and the two products of each layer */
  CHECK_EQ(limn__onnx_folded(m[0]), 6);
  tiny_same(m, f, 8);
  limn_model_free(m[0]), limn_model_free(m[1]);
  if (f)
    fclose(f);
  /* exact GELU, scores divided by sqrt(6) (a division, not a power of two) and masked by
   * Where(keep, scores, fill) then Where(mask, fill, scores), LayerNormalization */
  f = fopen(src_path("tests/fixtures/text/tiny_fold_ref.txt"), "r");
  CHECK(f != NULL);
  load_pair("tests/fixtures/onnx/tiny_fold.onnx", 6, m, 1);
  CHECK_EQ(limn__onnx_folded(m[0]), 12); /* per layer GELU, Softmax, 2 LayerNorm, 2 products */
  tiny_same(m, f, 12);
  limn_model_free(m[0]), limn_model_free(m[1]);
  if (f)
    fclose(f);
}

/* limn_text_report_write: the same page on 1 and 2 threads; what the explainers give is
 * what it shows (the IG completeness gap of a text, its prediction); bad options refused
 * with nothing written. */
static void test_report(void) {
  t_name = "text report";
  limn_text_model_opts mo;
  limn_text_model_opts_default(&mo);
  limn_model *m = NULL;
  limn_vocab *v = NULL;
  limn_texts *t = NULL;
  CHECK_OK(ctx, limn_vocab_read(ctx, src_path("data/spam/vocab.txt"), &v));
  mo.pad_id = v ? limn_vocab_pad(v) : 0;
  CHECK_OK(ctx, limn_model_load_onnx_text(ctx, src_path("data/spam/spam_transformer.onnx"), &mo, &m));
  CHECK_OK(ctx, limn_texts_read(ctx, src_path("data/spam/test.csv"), "text", "label", &t));
  if (!m || !v || !t) {
    limn_model_free(m), limn_vocab_free(v), limn_texts_free(ctx, t);
    return;
  }
  const size_t rows[2] = {5, 7};
  const limn_method meth[2] = {LIMN_METHOD_IG, LIMN_METHOD_OCCLUSION};
  limn_text_report_opts o = limn_text_report_opts_default();
  o.model = m, o.vocab = v, o.texts = t, o.rows = rows, o.nrows = 2, o.methods = meth, o.nmethods = 2;
  o.texts_path = src_path("data/spam/test.csv"), o.deletion_k = 5;
  membuf p1, p2, bad;
  limn_sink s1 = mem_sink(&p1), s2 = mem_sink(&p2), sb = mem_sink(&bad);
  limn_ctx_set_threads(ctx, 1);
  CHECK_OK(ctx, limn_text_report_write(ctx, &o, s1));
  limn_ctx_set_threads(ctx, 2);
  CHECK_OK(ctx, limn_text_report_write(ctx, &o, s2));
  CHECK(p1.data && p2.data && p1.len == p2.len && !memcmp(p1.data, p2.data, p1.len));
  /* text 7 as the explainer sees it: its IG gap and output, as the page prints them */
  limn_tokens tk;
  float row[64];
  CHECK_OK(ctx, limn_text_tokenize(ctx, v, t->text[7], t->len[7], 64, &tk));
  for (size_t j = 0; j < 64; j++)
    row[j] = j < tk.n ? (float)tk.ids[j] : (float)limn_vocab_pad(v);
  limn_tokens_free(ctx, &tk);
  limn_text_opts eo = limn_text_opts_default();
  size_t id = 7;
  eo.row_ids = &id;
  limn_explanation *e = NULL;
  CHECK_OK(ctx, limn_explain_text(ctx, m, row, 1, &eo, &e));
  char want[160];
  if (e) {
    snprintf(want, sizeof want, "Completeness gap %.3g of a change of %.3g.", e->delta,
             e->output - e->base_value);
    CHECK(p1.data && strstr(p1.data, want));
    snprintf(want, sizeof want, "<a href=\"#text-7\">7</a>");
    CHECK(p1.data && strstr(p1.data, want));
    snprintf(want, sizeof want, "%s %.4g</td>", limn_model_output_name(m, e->target), e->output);
    CHECK(p1.data && strstr(p1.data, want));
    limn_explanations_free(ctx, e, 1);
  }
  CHECK(p1.data && strstr(p1.data, "Provenance") && strstr(p1.data, "texts in memory") == NULL &&
        strstr(p1.data, "300 texts, 2 explained") && !strstr(p1.data, "<script"));
  /* refused, nothing written */
  size_t far = 300;
  limn_method shap = LIMN_METHOD_SHAP;
  o.rows = &far, o.nrows = 1;
  CHECK_ERR(ctx, limn_text_report_write(ctx, &o, sb), LIMN_EINVAL, "out of range");
  o.rows = rows, o.methods = &shap, o.nmethods = 1;
  CHECK_ERR(ctx, limn_text_report_write(ctx, &o, sb), LIMN_EINVAL, "does not explain texts");
  o.methods = meth, o.nmethods = 2, o.deletion_k = 0;
  CHECK_ERR(ctx, limn_text_report_write(ctx, &o, sb), LIMN_EINVAL, "deletion_k");
  o.deletion_k = 5, o.nrows = 0;
  CHECK_ERR(ctx, limn_text_report_write(ctx, &o, sb), LIMN_EINVAL, "1 to 200");
  o.nrows = 2, o.texts_path = "/nonexistent/texts.csv";
  CHECK(limn_text_report_write(ctx, &o, sb) != LIMN_OK);
  CHECK(bad.len == 0);
  free(p1.data), free(p2.data), free(bad.data);
  limn_model_free(m), limn_vocab_free(v), limn_texts_free(ctx, t);
}

int main(void) {
  ctx = limn_ctx_create(NULL);
  test_tokenizer();
  test_wordpiece();
  test_texts();
  test_tiny();
  test_rows();
  test_fold();
  test_model();
  test_explainers();
  test_report();
  limn_ctx_free(ctx);
  return test_end();
}

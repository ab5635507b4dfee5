/* Fuzz target: the readers of texts and vocabularies, and the tokeniser, on arbitrary
 * bytes. The first byte picks the reader: a CSV of texts with labels, texts one per
 * line, or a vocabulary; every text read is tokenised against a small vocabulary, and
 * each token's byte range must lie inside its text. */
#include "limn.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Tokens within the text, in order, each a known id. */
static void check_tokens(const limn_vocab *v, const limn_tokens *tk, size_t len, size_t cap) {
  if (tk->n > cap)
    abort();
  for (size_t j = 0; j < tk->n; j++)
    if (tk->start[j] > tk->end[j] || tk->end[j] > len || tk->ids[j] < 0 ||
        (size_t)tk->ids[j] >= limn_vocab_size(v) || (j > 1 && tk->start[j] < tk->end[j - 1]))
      abort();
}

static void tokenise_all(limn_ctx *ctx, const limn_vocab *v, const limn_texts *t) {
  for (size_t i = 0; i < t->n; i++) {
    limn_tokens tk;
    if (limn_text_tokenize(ctx, v, t->text[i], t->len[i], 16, &tk) != LIMN_OK)
      continue;
    check_tokens(v, &tk, t->len[i], 16);
    limn_tokens_free(ctx, &tk);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  limn_ctx *ctx = limn_ctx_create(NULL);
  static const char vocab[] = "[PAD]\n[UNK]\n[CLS]\nfree\nmoney\ncaf\xc3\xa9\n";
  static const char pieces[] = "[PAD]\n[UNK]\n[CLS]\nfree\nmon\n##ey\n##e\n##y\ncaf\n##\xc3\xa9\n!\n,\n";
  limn_vocab *v = NULL, *w = NULL, *wp = NULL;
  limn_texts *t = NULL;
  if (limn_vocab_read_mem(ctx, vocab, sizeof vocab - 1, "vocab", &v) != LIMN_OK ||
      limn_vocab_read_mem(ctx, pieces, sizeof pieces - 1, "pieces", &wp) != LIMN_OK ||
      !limn_vocab_is_wordpiece(wp))
    abort();
  const char *buf = (const char *)data + 1;
  size_t len = size - 1;
  switch (data[0] % 3) {
  case 0:
    if (limn_texts_read_mem(ctx, buf, len, "fuzz.csv", "text", "label", &t) == LIMN_OK) {
      for (size_t i = 0; i < t->n; i++)
        if (!t->text[i] || !t->label[i] || strlen(t->text[i]) != t->len[i])
          abort();
      tokenise_all(ctx, v, t);
      tokenise_all(ctx, wp, t);
    }
    break;
  case 1:
    if (limn_texts_read_mem(ctx, buf, len, "fuzz.txt", NULL, NULL, &t) == LIMN_OK) {
      tokenise_all(ctx, v, t);
      tokenise_all(ctx, wp, t);
    }
    break;
  default:
    if (limn_vocab_read_mem(ctx, buf, len, "fuzz.vocab", &w) == LIMN_OK) {
      for (size_t i = 0; i < limn_vocab_size(w); i++)
        if (limn_vocab_id(w, limn_vocab_token(w, i)) != (long)i)
          abort();
      limn_tokens tk;
      if (limn_text_tokenize(ctx, w, buf, len, 64, &tk) == LIMN_OK) {
        check_tokens(w, &tk, len, 64);
        limn_tokens_free(ctx, &tk);
      }
    }
  }
  limn_texts_free(ctx, t);
  limn_vocab_free(v), limn_vocab_free(w), limn_vocab_free(wp);
  limn_ctx_free(ctx);
  return 0;
}

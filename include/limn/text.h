/* Text: vocabularies, the tokeniser, transformer text classifiers in ONNX and their
 * explanations token by token (docs/text.md). */
#ifndef LIMN_TEXT_H
#define LIMN_TEXT_H

#include "limn/explain.h"
#include "limn/model.h"
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- vocabulary and tokeniser ---- */

/* A word-level vocabulary: a UTF-8 text file, one token per line, its id the line's
 * number from 0 (a final newline optional, "\r\n" accepted). It must hold "[PAD]" and
 * "[UNK]"; "[CLS]", when present, starts every tokenised text. Empty or repeated lines
 * are errors naming the line. */
typedef struct limn_vocab limn_vocab;

/* Read a vocabulary file (or bytes, named `name` in messages); free with limn_vocab_free. */
LIMN_API int limn_vocab_read(limn_ctx *ctx, const char *path, limn_vocab **out);
LIMN_API int limn_vocab_read_mem(limn_ctx *ctx, const char *buf, size_t len, const char *name,
                                 limn_vocab **out);
LIMN_API void limn_vocab_free(limn_vocab *v);
LIMN_API size_t limn_vocab_size(const limn_vocab *v);
/* The token of id (NULL when out of range). */
LIMN_API const char *limn_vocab_token(const limn_vocab *v, size_t id);
/* The id of a token, -1 when it is not in the vocabulary. */
LIMN_API long limn_vocab_id(const limn_vocab *v, const char *token);
LIMN_API long limn_vocab_pad(const limn_vocab *v);
LIMN_API long limn_vocab_unk(const limn_vocab *v);
LIMN_API long limn_vocab_cls(const limn_vocab *v); /* -1 when the vocabulary has none */

/* One text tokenised: n tokens (with [CLS] first when the vocabulary has it), their
 * ids and the byte range [start, end) each covers in the text ([CLS]: 0, 0). */
typedef struct limn_tokens {
  size_t n;
  long *ids;
  size_t *start, *end;
  size_t words;   /* words the text holds (before truncation) */
  int truncated;  /* words were dropped to fit max_tokens */
  size_t unknown; /* tokens that became [UNK] */
} limn_tokens;

/* Tokenise text (len bytes of UTF-8; invalid UTF-8 is an error naming the byte
 * offset): ASCII letters lower-cased; a word is a maximal run of ASCII letters, digits
 * and non-ASCII characters, anything else separates; words not in the vocabulary are
 * [UNK]; at most max_tokens tokens ([CLS] included), the rest dropped (truncated set).
 * out's arrays are allocated with ctx: free them with limn_tokens_free. */
LIMN_API int limn_text_tokenize(limn_ctx *ctx, const limn_vocab *v, const char *text, size_t len,
                                size_t max_tokens, limn_tokens *out);
LIMN_API void limn_tokens_free(limn_ctx *ctx, limn_tokens *t);

/* ---- text models ---- */

typedef struct limn_text_model_opts {
  size_t max_tokens;     /* ids per row [64] */
  long pad_id;           /* the id rows are padded with after the text [0] */
  const char *embedding; /* the embedding lookup's node or output name; NULL: the first Gather of a
                            constant float table (vocabulary, width) by the input ids */
  limn_onnx_output output;
} limn_text_model_opts;

/* The defaults in brackets above. */
LIMN_API void limn_text_model_opts_default(limn_text_model_opts *o);

/* An ONNX text classifier whose one input is int64 token ids (N, T). Its rows are
 * max_tokens ids as floats, the text's tokens then pad_id: each row runs at its own
 * length (its pads after the last token dropped), so a row's outputs never depend on
 * the rows beside it. Errors: a graph whose input is not int64, no embedding lookup
 * (name it with opts->embedding), an output that does not depend on it. */
LIMN_API int limn_model_load_onnx_text(limn_ctx *ctx, const char *path, const limn_text_model_opts *opts,
                                       limn_model **out);
LIMN_API int limn_model_load_onnx_text_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                                           const limn_text_model_opts *opts, limn_model **out);
/* 1 for a text model. */
LIMN_API int limn_model_is_text(const limn_model *m);
/* The embedding lookup's table: rows (the vocabulary size it expects) and width. */
LIMN_API size_t limn_model_text_vocab(const limn_model *m);
LIMN_API size_t limn_model_text_width(const limn_model *m);
/* The tokens of a row: its length without the pads after the last token (at least 1). */
LIMN_API size_t limn_model_text_length(const limn_model *m, const float *row);
/* The embedding lookup's output for a row: length * width floats into out. */
LIMN_API int limn_model_text_embed(limn_ctx *ctx, const limn_model *m, const float *row, float *out);
/* A model of one text's embeddings: its rows are the lookup's output for that text's
 * tokens (length * width floats, token-major), the rest of the graph (masks, positions)
 * seeing the text's ids; exact gradients. It borrows m, which must outlive it. */
LIMN_API int limn_model_text_view(limn_ctx *ctx, const limn_model *m, const float *row, limn_model **view);

#ifdef __cplusplus
}
#endif
#endif

/* Text: vocabularies, the tokeniser, transformer text classifiers in ONNX and their
 * explanations token by token (docs/text.md). */
#ifndef LIMN_TEXT_H
#define LIMN_TEXT_H

#include "limn/explain.h"
#include "limn/model.h"
#include "limn/report.h"
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
/* 1 when the vocabulary holds WordPiece continuations (tokens "##..."): limn_text_tokenize
 * then splits words into pieces. */
LIMN_API int limn_vocab_is_wordpiece(const limn_vocab *v);

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
 * [UNK]. With a WordPiece vocabulary (limn_vocab_is_wordpiece) each printable ASCII
 * punctuation character is a word too, and each word becomes WordPiece's greedy
 * longest-match-first pieces (the first as itself, the rest as "##" + piece; a word
 * whose rest matches no piece, or longer than 100 bytes, is one [UNK]), each piece with
 * its own byte range. At most max_tokens tokens ([CLS] included), the rest dropped
 * (truncated set). out's arrays are allocated with ctx: free them with limn_tokens_free. */
LIMN_API int limn_text_tokenize(limn_ctx *ctx, const limn_vocab *v, const char *text, size_t len,
                                size_t max_tokens, limn_tokens *out);
LIMN_API void limn_tokens_free(limn_ctx *ctx, limn_tokens *t);

/* Texts to explain, read from a file: one per line (column NULL), or a column of a CSV
 * file with a header (RFC 4180: quoted fields may hold commas, quotes as "" and line
 * breaks). Every text must be UTF-8. */
typedef struct limn_texts {
  size_t n;
  char **text;  /* (n) NUL-terminated */
  size_t *len;  /* (n) bytes */
  char **label; /* (n) the label column's values, or NULL without one */
  size_t *line; /* (n) the file line each text starts on */
} limn_texts;

/* Errors name the file and line: a missing column (listing the header's), a record with
 * another number of fields than the header, an unterminated quote, text that is not
 * UTF-8, a NUL byte. label_column may be NULL (no labels). Free with limn_texts_free. */
LIMN_API int limn_texts_read(limn_ctx *ctx, const char *path, const char *column, const char *label_column,
                             limn_texts **out);
LIMN_API int limn_texts_read_mem(limn_ctx *ctx, const char *buf, size_t len, const char *name,
                                 const char *column, const char *label_column, limn_texts **out);
LIMN_API void limn_texts_free(limn_ctx *ctx, limn_texts *t);

/* ---- text models ---- */

typedef struct limn_text_model_opts {
  size_t max_tokens;     /* ids per row [64] */
  long pad_id;           /* the id rows are padded with after the text [0] */
  const char *embedding; /* the embedding lookup's node or output name; NULL: the first Gather of a
                            constant float table (vocabulary, width) by the input ids */
  limn_onnx_output output;
  const char *const *classes; /* the outputs' names (nclasses of them), or NULL: "class 0", .. [NULL] */
  size_t nclasses;
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

/* ---- explaining texts ---- */

typedef enum limn_text_baseline {
  LIMN_TEXT_BASELINE_ZERO = 0, /* zero embeddings */
  LIMN_TEXT_BASELINE_PAD = 1   /* the [PAD] token's embedding at every position */
} limn_text_baseline;

/* Options of limn_explain_text; defaults in brackets (limn_text_opts_default). */
typedef struct limn_text_opts {
  limn_method method;          /* ig, gradxinput, saliency, occlusion, lime-text, attention-rollout,
                                  attention-flow [ig] */
  limn_space space;            /* gradient methods: OUTPUT (probability) or LOGIT [OUTPUT] */
  long target;                 /* output index; -1: the predicted class [-1] */
  const long *targets;         /* one per row (borrowed), or NULL */
  size_t steps;                /* IG nodes [50] */
  limn_quadrature quadrature;  /* IG rule [gausslegendre] */
  limn_text_baseline baseline; /* IG [zero] */
  size_t num_samples;          /* LIME [5000] */
  double kernel_width;         /* LIME, on the cosine distance in [0, 1] (lime's 25 on its distance x 100)
                                  [0.25] */
  size_t num_features;         /* LIME words in the surrogate [10] */
  uint64_t seed;               /* LIME [0] */
  const size_t *row_ids;       /* the rows' ids for their draws (borrowed); NULL: 0..n-1 */
  int first_is_cls;            /* position 0 holds [CLS]: never removed by occlusion, LIME and the
                                  deletion curves [1] */
} limn_text_opts;

/* The defaults in brackets above. */
LIMN_API limn_text_opts limn_text_opts_default(void);

/* Explanations of n rows of a text model (limn_model_load_onnx_text): attr[j] is the
 * token at position j's attribution (nfeatures = the model's max_tokens; 0 past the
 * text). Per method:
 * - ig: Integrated Gradients on the token embeddings (the lookup's output), from the
 *   baseline, summed over the embedding: base_value is F(baseline), delta the
 *   completeness gap sum(attr) - (F(x) - F(baseline));
 * - gradxinput: embedding x gradient summed over the embedding; saliency: the gradient's
 *   L2 norm per token (unsigned);
 * - occlusion: F(x) - F(x without that token) ([CLS] is kept: 0);
 * - lime-text: lime's LimeTextExplainer (bag of words): a word's every occurrence is
 *   removed together, num_samples texts (the first whole; then 1..words words removed,
 *   uniformly), cosine kernel, ridge on num_features words by highest weights; each
 *   position gets its word's weight, bin[j] the word's index (by first occurrence),
 *   selected[j] whether it is in the surrogate; intercept, score and local_pred as LIME's.
 *   Words are told apart by token id (unknown words are one word);
 * - attention-rollout, attention-flow: Abnar & Zuidema (2020) from the first token (the
 *   [CLS] position) to each input token, over the heads' mean attention plus the
 *   residual (0.5 A + 0.5 I, rows renormalised); not attributions (unsigned, not about
 *   the target), so base_value and delta are NaN.
 * The same rows, options and seed give the same explanations whatever the thread count
 * or batch. */
LIMN_API int limn_explain_text(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                               const limn_text_opts *opts, limn_explanation **out);

/* Faithfulness per text (comprehensiveness, DeYoung et al. 2020): the explained output
 * after deleting the k tokens with the highest attributions (ties: the earlier first;
 * [CLS] never, when first_is_cls), k = 0..kmax: curves (n, kmax + 1); aopc[i] the mean over k = 1..K of
 * curve[0] - curve[k], K = min(kmax, the text's words): higher is more faithful. With
 * `random_order` the tokens go in an order drawn from seed and the row's id (row_ids[i],
 * or i when NULL) instead: the yardstick a map must beat. */
LIMN_API int limn_text_deletion(limn_ctx *ctx, const limn_model *m, const float *x, size_t n,
                                const limn_explanation *ex, size_t kmax, int first_is_cls, int random_order,
                                uint64_t seed, const size_t *row_ids, double *curves, double *aopc);

/* ---- judging and drawing text explanations ---- */

/* What a text method's weights are: 1 when they are an attribution (every method but
 * attention rollout and flow, which show where attention goes); signed: an attribution
 * with a direction (all but saliency, a gradient's norm). The title people read. */
LIMN_API int limn_text_method_is_attribution(limn_method m);
LIMN_API int limn_text_method_is_signed(limn_method m);
LIMN_API const char *limn_text_method_title(limn_method m);
/* Whether limn_explain_text takes the method; LIMN_TEXT_METHODS names those it takes. */
LIMN_API int limn_text_method_supported(limn_method m);
#define LIMN_TEXT_METHODS "ig, gradxinput, saliency, occlusion, lime-text, attention-rollout, attention-flow"

/* Whether an explanation of a text holds up: limn_explain_trust's rules, and for signed
 * attributions the deletion check (aopc against random_aopc; NaN to skip): its top
 * tokens must move the output more than tokens in a random order, when deleting moves
 * it at all (by 1e-3 of the output's scale). Rollout and flow are not attributions:
 * never trusted as such (the reason says so). Returns 1 when it holds up; the reasons
 * ("; " between them) into why. */
LIMN_API int limn_text_trust(const limn_explanation *e, double aopc, double random_aopc, char *why,
                             size_t cap);

/* One explained text for the renderers: its explanations by nmethods methods. */
typedef struct limn_text_render_row {
  size_t row, line; /* its index and its file line */
  const char *text; /* the text (len bytes of UTF-8) */
  size_t len;
  const limn_tokens *tokens; /* its tokens (byte ranges into text) */
  const char *label;         /* its true label, or NULL */
  const char *target;        /* the explained class's name */
  size_t nmethods;
  const limn_explanation *ex;       /* (nmethods) */
  const double *aopc, *random_aopc; /* (nmethods) the deletion check's, or NULL */
} limn_text_render_row;

typedef struct limn_text_render_opts {
  const limn_vocab *vocab; /* names the markers ([CLS]) */
  const char *intro;       /* a sentence on the methods' settings, or NULL */
  size_t deletion_k;       /* the K of the AOPCs */
} limn_text_render_opts;

/* A self-contained HTML page (inline styles, no script): per text each method's tokens
 * coloured in place (red toward the class explained, blue against; purple for unsigned
 * maps; each against its own largest weight), its checks, NOT RELIABLE with the reasons
 * when limn_text_trust says so, and with several methods the most faithful one (the
 * highest AOPC of those that hold up) marked. */
LIMN_API int limn_render_text_html(limn_ctx *ctx, const limn_text_render_opts *o,
                                   const limn_text_render_row *rows, size_t n, limn_sink sink);
/* The same as SVG: each method's tokens as coloured boxes in rows. */
LIMN_API int limn_render_text_svg(limn_ctx *ctx, const limn_text_render_opts *o,
                                  const limn_text_render_row *rows, size_t n, limn_sink sink);

/* ---- the text report ---- */

typedef struct limn_text_report_opts {
  const limn_model *model; /* a text model (limn_model_load_onnx_text), borrowed; required */
  const char *model_path;  /* shown and hashed for the provenance; NULL: "a model in memory" */
  const limn_vocab *vocab; /* the model's vocabulary, borrowed; required */
  const char *vocab_path;  /* shown and hashed, or NULL */
  const limn_texts *texts; /* borrowed; required */
  const char *texts_path;  /* shown and hashed; NULL: "texts in memory" */
  const size_t *rows;      /* the explained texts (indices into texts), 1..200 of them */
  size_t nrows;
  const limn_method *methods; /* compared on each text; NULL: ig, gradxinput, occlusion, lime-text,
                                 attention-rollout */
  size_t nmethods;
  limn_text_opts explain; /* the methods' settings (method, targets, row_ids and first_is_cls are
                             set here: each text's draws follow its index in texts) */
  size_t deletion_k;      /* the deletion check's top 1..K tokens [10] */
  const char *title;      /* NULL: "Which words drove the prediction" */
  const char *command;    /* the command line that reproduces the page, or NULL */
} limn_text_report_opts;
/* explain = limn_text_opts_default(), deletion_k 10, every other field zero or NULL. */
LIMN_API limn_text_report_opts limn_text_report_opts_default(void);

/* Compute everything (the texts tokenised as the model reads them, each method's
 * explanations, the deletion check against a random order), then write one
 * self-contained HTML page (inline styles, no script): a table of the texts with the
 * prediction and the method to trust for each, each text with every method's tokens
 * coloured in place and its checks (limn_render_text_html's sections), and the
 * provenance (limn's version, the model, vocabulary and texts with their SHA-256, the
 * settings, the seed, the command). The same inputs give the same bytes whatever the
 * thread count. Nothing is written when a computation fails. */
LIMN_API int limn_text_report_write(limn_ctx *ctx, const limn_text_report_opts *o, limn_sink sink);

#ifdef __cplusplus
}
#endif
#endif

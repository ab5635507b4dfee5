/* Vocabularies and the word-level tokeniser (docs/text.md). The library never prints:
 * every problem is a status with a message naming the file and line, or the byte. */
#include "limn/text.h"
#include "strmap.h"
#include <string.h>

struct limn_vocab {
  limn_ctx *ctx;
  char *text;    /* the file's bytes, lines cut into tokens in place */
  char **tokens; /* (n) */
  size_t n;
  limn__strmap map;
  long pad, unk, cls;
  int wordpiece; /* it holds "##" continuation pieces */
};

void limn_vocab_free(limn_vocab *v) {
  if (!v)
    return;
  limn__strmap_free(v->ctx, &v->map);
  limn__free(v->ctx, v->tokens);
  limn__free(v->ctx, v->text);
  limn__free(v->ctx, v);
}

size_t limn_vocab_size(const limn_vocab *v) { return v ? v->n : 0; }
const char *limn_vocab_token(const limn_vocab *v, size_t id) { return v && id < v->n ? v->tokens[id] : NULL; }
long limn_vocab_pad(const limn_vocab *v) { return v ? v->pad : -1; }
long limn_vocab_unk(const limn_vocab *v) { return v ? v->unk : -1; }
long limn_vocab_cls(const limn_vocab *v) { return v ? v->cls : -1; }
int limn_vocab_is_wordpiece(const limn_vocab *v) { return v ? v->wordpiece : 0; }

long limn_vocab_id(const limn_vocab *v, const char *token) {
  if (!v || !token)
    return -1;
  size_t id = limn__strmap_get(&v->map, token);
  return id == (size_t)-1 ? -1 : (long)id;
}

/* Bytes of the UTF-8 character at s (at most n bytes available); 0 when invalid
 * (overlong forms, surrogates and code points beyond U+10FFFF included). */
static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (!k || k > n || (k == 2 && c < 0xC2))
    return 0;
  for (size_t q = 1; q < k; q++)
    if ((s[q] & 0xC0) != 0x80)
      return 0;
  if (k == 3) {
    unsigned cp = (c & 0x0F) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
  } else if (k == 4) {
    unsigned cp = (c & 0x07) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
    if (cp < 0x10000 || cp > 0x10FFFF)
      return 0;
  }
  return k;
}

/* The first invalid UTF-8 byte's offset, or len when all is valid. */
static size_t utf8_check(const char *s, size_t len) {
  for (size_t i = 0; i < len;) {
    size_t k = utf8_len((const unsigned char *)s + i, len - i);
    if (!k)
      return i;
    i += k;
  }
  return len;
}

int limn_vocab_read_mem(limn_ctx *ctx, const char *buf, size_t len, const char *name, limn_vocab **out) {
  if (!ctx || !out || (!buf && len))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_vocab_read_mem: NULL output or bytes") : LIMN_EINVAL;
  *out = NULL;
  const char *file = name ? name : "(memory)";
  size_t bad = utf8_check(buf, len);
  if (bad < len) {
    size_t line = 1, col = 1;
    limn__text_position(buf, bad, &line, &col);
    return limn__err(ctx, LIMN_EPARSE, "%s line %zu, byte %zu: not UTF-8", file, line, col);
  }
  if (memchr(buf, 0, len))
    return limn__err(ctx, LIMN_EPARSE, "%s: NUL byte (a binary file, not a vocabulary)", file);
  limn_vocab *v = limn__calloc(ctx, 1, sizeof *v);
  if (!v)
    return LIMN_ENOMEM;
  v->ctx = ctx;
  v->pad = v->unk = v->cls = -1;
  size_t lines = 0;
  for (size_t i = 0; i < len; i++)
    lines += buf[i] == '\n';
  lines += len && buf[len - 1] != '\n';
  int rc = LIMN_OK;
  v->text = limn__malloc(ctx, len + 1);
  v->tokens = limn__alloc_array(ctx, lines + 1, sizeof *v->tokens);
  if (!v->text || !v->tokens)
    rc = LIMN_ENOMEM;
  if (!rc)
    rc = limn__strmap_init(ctx, &v->map, 2 * lines + 16);
  if (!rc) {
    if (len)
      memcpy(v->text, buf, len);
    v->text[len] = 0;
  }
  for (size_t i = 0; !rc && i < len;) {
    char *s = v->text + i, *nl = memchr(s, '\n', len - i);
    size_t n = nl ? (size_t)(nl - s) : len - i;
    i += n + (nl != NULL);
    if (n && s[n - 1] == '\r')
      n--;
    s[n] = 0;
    size_t line = v->n + 1, prev;
    if (!n)
      rc = limn__err(ctx, LIMN_EPARSE, "%s line %zu: empty token (every line is one token)", file, line);
    else if ((prev = limn__strmap_get(&v->map, s)) != (size_t)-1)
      rc =
          limn__err(ctx, LIMN_EPARSE, "%s line %zu: token '%.80s' repeats line %zu", file, line, s, prev + 1);
    else
      rc = limn__strmap_put(ctx, &v->map, s, v->n);
    if (!rc)
      v->tokens[v->n++] = s;
    v->wordpiece |= n > 2 && s[0] == '#' && s[1] == '#';
  }
  if (!rc) {
    v->pad = limn_vocab_id(v, "[PAD]"), v->unk = limn_vocab_id(v, "[UNK]"),
    v->cls = limn_vocab_id(v, "[CLS]");
    if (v->pad < 0 || v->unk < 0)
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: a vocabulary needs the tokens [PAD] and [UNK] (one per line)",
                     file);
  }
  if (rc) {
    limn_vocab_free(v);
    return rc;
  }
  *out = v;
  return LIMN_OK;
}

int limn_vocab_read(limn_ctx *ctx, const char *path, limn_vocab **out) {
  if (!ctx || !path || !out)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_vocab_read: NULL path or output") : LIMN_EINVAL;
  *out = NULL;
  char *buf = NULL;
  size_t len = 0;
  const limn__input in = {"a vocabulary", 0, 1, NULL};
  LIMN_TRY(limn__read_input(ctx, path, &in, &buf, &len));
  int rc = limn_vocab_read_mem(ctx, buf, len, path, out);
  limn__free(ctx, buf);
  return rc;
}

void limn_tokens_free(limn_ctx *ctx, limn_tokens *t) {
  if (!t)
    return;
  limn__free(ctx, t->ids);
  limn__free(ctx, t->start);
  limn__free(ctx, t->end);
  memset(t, 0, sizeof *t);
}

static int word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* WordPiece's punctuation: a printable ASCII byte that is not a letter or digit. */
static int punct_byte(unsigned char c) { return c > 0x20 && c < 0x7f && !word_byte(c); }

enum { WORDPIECE_MAX_WORD = 100 }; /* bytes: a longer word is [UNK], as BERT's 100 characters */

/* Word w (lower-cased, n bytes, at text offset s) as tokens: itself, or WordPiece's
 * greedy longest-match-first pieces ("##" before all but the first); [UNK] for the whole
 * word when a rest matches no piece. Adds at most cap - *k tokens; returns 1 when some
 * did not fit. */
static int word_tokens(const limn_vocab *v, const char *w, size_t n, size_t s, char *piece, limn_tokens *out,
                       size_t cap) {
  size_t k0 = out->n;
  long id = -1;
  if (!v->wordpiece || n > WORDPIECE_MAX_WORD) {
    id = n > WORDPIECE_MAX_WORD ? -1 : limn_vocab_id(v, w);
  } else {
    for (size_t a = 0; a < n;) {
      size_t e = n;
      long pid = -1;
      while (e > a) {
        size_t off = a ? 2 : 0;
        memcpy(piece, "##", off);
        memcpy(piece + off, w + a, e - a);
        piece[off + e - a] = 0;
        if ((pid = limn_vocab_id(v, piece)) >= 0)
          break;
        do /* back one UTF-8 character */
          e--;
        while (e > a && ((unsigned char)w[e] & 0xC0) == 0x80);
      }
      if (pid < 0) { /* no piece: the whole word is unknown */
        out->n = k0;
        break;
      }
      if (out->n == cap)
        return 1;
      out->ids[out->n] = pid, out->start[out->n] = s + a, out->end[out->n] = s + e, out->n++;
      a = e;
      if (a == n)
        return 0;
    }
  }
  if (out->n == cap)
    return 1;
  out->unknown += id < 0;
  out->ids[out->n] = id < 0 ? v->unk : id, out->start[out->n] = s, out->end[out->n] = s + n, out->n++;
  return 0;
}

int limn_text_tokenize(limn_ctx *ctx, const limn_vocab *v, const char *text, size_t len, size_t max_tokens,
                       limn_tokens *out) {
  if (!ctx || !v || !out || (!text && len))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_text_tokenize: NULL vocabulary, text or output")
               : LIMN_EINVAL;
  memset(out, 0, sizeof *out);
  if (!max_tokens)
    return limn__err(ctx, LIMN_EINVAL, "limn_text_tokenize: max_tokens must be at least 1");
  size_t bad = utf8_check(text, len);
  if (bad < len)
    return limn__err(ctx, LIMN_EPARSE, "byte %zu: not UTF-8", bad + 1);
  size_t cap = max_tokens, words = 0;
  out->ids = limn__alloc_array(ctx, cap, sizeof *out->ids);
  out->start = limn__alloc_array(ctx, cap, sizeof *out->start);
  out->end = limn__alloc_array(ctx, cap, sizeof *out->end);
  char *word = limn__malloc(ctx, len + 1), *piece = limn__malloc(ctx, len + 3);
  if (!out->ids || !out->start || !out->end || !word || !piece) {
    limn__free(ctx, word), limn__free(ctx, piece);
    limn_tokens_free(ctx, out);
    return LIMN_ENOMEM;
  }
  if (v->cls >= 0)
    out->ids[0] = v->cls, out->start[0] = out->end[0] = 0, out->n = 1;
  for (size_t i = 0; i < len;) {
    size_t s = i;
    if (v->wordpiece && punct_byte((unsigned char)text[i])) { /* punctuation: a word of its own */
      i++;
    } else if (!word_byte((unsigned char)text[i])) {
      i++;
      continue;
    } else {
      while (i < len && word_byte((unsigned char)text[i]))
        i++;
    }
    words++;
    if (out->truncated)
      continue;
    for (size_t q = s; q < i; q++) {
      char c = text[q];
      word[q - s] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    word[i - s] = 0;
    out->truncated = word_tokens(v, word, i - s, s, piece, out, cap);
  }
  limn__free(ctx, word), limn__free(ctx, piece);
  out->words = words;
  return LIMN_OK;
}

/* ---- texts from a file ---- */

void limn_texts_free(limn_ctx *ctx, limn_texts *t) {
  if (!t)
    return;
  for (size_t i = 0; i < t->n; i++) {
    limn__free(ctx, t->text[i]);
    if (t->label)
      limn__free(ctx, t->label[i]);
  }
  limn__free(ctx, t->text), limn__free(ctx, t->len), limn__free(ctx, t->label), limn__free(ctx, t->line);
  limn__free(ctx, t);
}

/* One CSV field starting at *p (< end): its unescaped bytes into b; *p after the
 * separator; *last set when the record ended (newline or end). lines counts the line
 * breaks crossed. */
static int csv_field(limn_ctx *ctx, const char **p, const char *end, limn__buf *b, int *last, size_t *lines,
                     const char *file, size_t line) {
  const char *s = *p;
  b->len = 0;
  if (s < end && *s == '"') {
    for (s++;; s++) {
      if (s >= end)
        return limn__err(ctx, LIMN_EPARSE, "%s line %zu: a quoted field is not closed", file, line);
      if (*s == '"') {
        if (s + 1 < end && s[1] == '"') {
          LIMN_TRY(limn__buf_put(ctx, b, "\"", 1));
          s++;
          continue;
        }
        s++;
        break;
      }
      *lines += *s == '\n';
      LIMN_TRY(limn__buf_put(ctx, b, s, 1));
    }
    if (s < end && *s != ',' && *s != '\n' && *s != '\r')
      return limn__err(ctx, LIMN_EPARSE, "%s line %zu: text after a quoted field's closing quote", file,
                       line);
  } else {
    const char *e = s;
    while (e < end && *e != ',' && *e != '\n' && *e != '\r')
      e++;
    if (memchr(s, '"', (size_t)(e - s)))
      return limn__err(ctx, LIMN_EPARSE, "%s line %zu: a quote inside an unquoted field", file, line);
    LIMN_TRY(limn__buf_put(ctx, b, s, (size_t)(e - s)));
    s = e;
  }
  if (s < end && *s == '\r')
    s++;
  *last = s >= end || *s == '\n';
  if (s < end)
    s++; /* the ',' or '\n' */
  *p = s;
  return limn__buf_put(ctx, b, "", 1) ? LIMN_ENOMEM : (b->len--, LIMN_OK);
}

static int grow_texts(limn_ctx *ctx, limn_texts *t, size_t *cap, int labels) {
  if (t->n < *cap)
    return LIMN_OK;
  size_t c = *cap ? 2 * *cap : 64;
  char **tx = limn__realloc(ctx, t->text, c * sizeof *tx);
  if (!tx)
    return LIMN_ENOMEM;
  t->text = tx;
  size_t *ln = limn__realloc(ctx, t->len, c * sizeof *ln);
  if (!ln)
    return LIMN_ENOMEM;
  t->len = ln;
  size_t *li = limn__realloc(ctx, t->line, c * sizeof *li);
  if (!li)
    return LIMN_ENOMEM;
  t->line = li;
  if (labels) {
    char **lb = limn__realloc(ctx, t->label, c * sizeof *lb);
    if (!lb)
      return LIMN_ENOMEM;
    t->label = lb;
  }
  *cap = c;
  return LIMN_OK;
}

static char *dup_bytes(limn_ctx *ctx, const char *s, size_t n) {
  char *d = limn__malloc(ctx, n + 1);
  if (d) {
    if (n)
      memcpy(d, s, n);
    d[n] = 0;
  }
  return d;
}

static int check_text(limn_ctx *ctx, const char *s, size_t n, const char *file, size_t line) {
  size_t bad = utf8_check(s, n);
  if (bad < n) {
    size_t l = line, col = 1;
    limn__text_position(s, bad, &l, &col);
    return limn__err(ctx, LIMN_EPARSE, "%s line %zu, byte %zu: not UTF-8", file, l, col);
  }
  return LIMN_OK;
}

int limn_texts_read_mem(limn_ctx *ctx, const char *buf, size_t len, const char *name, const char *column,
                        const char *label_column, limn_texts **out) {
  if (!ctx || !out || (!buf && len))
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_texts_read_mem: NULL output or bytes") : LIMN_EINVAL;
  *out = NULL;
  const char *file = name ? name : "(memory)";
  if (memchr(buf, 0, len)) {
    size_t line = 1, col = 1;
    limn__text_position(buf, (size_t)((const char *)memchr(buf, 0, len) - buf), &line, &col);
    return limn__err(ctx, LIMN_EPARSE, "%s line %zu, byte %zu: NUL byte (a binary file, not texts)", file,
                     line, col);
  }
  if (!column && label_column)
    return limn__err(ctx, LIMN_EINVAL, "%s: labels need a CSV file (name its text column)", file);
  limn_texts *t = limn__calloc(ctx, 1, sizeof *t);
  if (!t)
    return LIMN_ENOMEM;
  size_t cap = 0;
  int rc = LIMN_OK;
  const char *p = buf, *end = buf + len;
  if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
    p += 3;      /* a byte-order mark */
  if (!column) { /* one text per line */
    size_t line = 1;
    while (!rc && p < end) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
      size_t m = n && p[n - 1] == '\r' ? n - 1 : n;
      rc = check_text(ctx, p, m, file, line);
      if (!rc)
        rc = grow_texts(ctx, t, &cap, 0);
      if (!rc && !(t->text[t->n] = dup_bytes(ctx, p, m)))
        rc = LIMN_ENOMEM;
      if (!rc)
        t->len[t->n] = m, t->line[t->n] = line, t->n++;
      p += n + (nl != NULL);
      line++;
    }
  } else { /* CSV with a header */
    limn__buf b = {0};
    size_t line = 1, nf = 0, tc = (size_t)-1, lc = (size_t)-1;
    int last = 0;
    char header[512] = "";
    while (!rc && !last && p < end) { /* the header */
      size_t at = line;
      rc = csv_field(ctx, &p, end, &b, &last, &line, file, at);
      if (!rc && !strcmp(b.data, column))
        tc = nf;
      if (!rc && label_column && !strcmp(b.data, label_column))
        lc = nf;
      if (!rc && strlen(header) + b.len + 8 < sizeof header)
        strcat(strcat(header, nf ? ", " : ""), b.data);
      nf++;
    }
    line++;
    if (!rc && tc == (size_t)-1)
      rc = limn__err(ctx, LIMN_ENOTFOUND, "%s line 1: no column '%s' (the header has: %s)", file, column,
                     header);
    if (!rc && label_column && lc == (size_t)-1)
      rc = limn__err(ctx, LIMN_ENOTFOUND, "%s line 1: no label column '%s' (the header has: %s)", file,
                     label_column, header);
    while (!rc && p < end) {
      size_t at = line, k = 0;
      if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) { /* an empty line */
        p += *p == '\r' ? 2 : 1;
        line++;
        continue;
      }
      rc = grow_texts(ctx, t, &cap, label_column != NULL);
      if (!rc) {
        t->text[t->n] = NULL;
        if (t->label)
          t->label[t->n] = NULL;
        t->n++; /* freed with t whatever happens below */
      }
      for (last = 0; !rc && !last; k++) {
        rc = csv_field(ctx, &p, end, &b, &last, &line, file, at);
        if (!rc && (k == tc || k == lc))
          rc = check_text(ctx, b.data, b.len, file, at);
        char **dst = !rc && k == tc ? &t->text[t->n - 1] : !rc && k == lc ? &t->label[t->n - 1] : NULL;
        if (dst && !(*dst = dup_bytes(ctx, b.data, b.len)))
          rc = LIMN_ENOMEM;
        if (!rc && k == tc)
          t->len[t->n - 1] = b.len, t->line[t->n - 1] = at;
      }
      if (!rc && k != nf)
        rc = limn__err(ctx, LIMN_EPARSE, "%s line %zu: %zu fields, the header has %zu", file, at, k, nf);
      line++;
    }
    limn__buf_free(ctx, &b);
  }
  if (rc) {
    limn_texts_free(ctx, t);
    return rc;
  }
  *out = t;
  return LIMN_OK;
}

int limn_texts_read(limn_ctx *ctx, const char *path, const char *column, const char *label_column,
                    limn_texts **out) {
  if (!ctx || !path || !out)
    return ctx ? limn__err(ctx, LIMN_EINVAL, "limn_texts_read: NULL path or output") : LIMN_EINVAL;
  *out = NULL;
  char *buf = NULL;
  size_t len = 0;
  const limn__input in = {"a file of texts", 0, 1, NULL};
  LIMN_TRY(limn__read_input(ctx, path, &in, &buf, &len));
  int rc = limn_texts_read_mem(ctx, buf, len, path, column, label_column, out);
  limn__free(ctx, buf);
  return rc;
}

/* A CSV file (or standard input) read in blocks of rows: memory grows with the block,
 * not with the file. Each block is parsed behind the file's header with the CSV
 * reader, so its rows are typed, checked and numbered exactly as a whole read's. */
#include "data_internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_CHUNK (1u << 20)

struct limn_stream {
  limn_ctx *ctx;
  FILE *f;
  int own_file, eof;
  char *name;
  char *buf; /* unconsumed bytes buf[pos..len) */
  size_t cap, pos, len, chunk;
  char *header; /* the header record and its line feed */
  size_t header_len;
  size_t line; /* line of buf[pos] */
  size_t rows; /* rows returned so far */
  size_t read; /* bytes read from the file */
  /* the scan of buf[pos..len) for complete records, resumed where it stopped */
  size_t sc_at, sc_rows, sc_lf, sc_end, sc_lf_end;
  int sc_q, sc_text;
  limn_read_opts opts;
  limn_schema *schema; /* the first block's, when the caller gave none */
  /* plain blocks (limn__dataset_from_plain): set up from the first block */
  long *map;
  size_t ncols;
  int has_y, mapped;
};

/* Read up to one chunk more at the end of the buffer (moving the unconsumed bytes to
 * just after room for the header first, so a block can be parsed behind a copy of the
 * header without copying the block). Sets eof. */
static int fill(limn_stream *s) {
  if (s->pos > s->header_len) {
    memmove(s->buf + s->header_len, s->buf + s->pos, s->len - s->pos);
    s->len -= s->pos - s->header_len;
    s->pos = s->header_len;
  }
  if (s->len - s->pos >= s->ctx->max_data) {
    char w[48];
    limn__size_words(w, sizeof w, s->ctx->max_data);
    return limn__err(s->ctx, LIMN_ETOOBIG,
                     "%s line %zu: a block of rows larger than the limit of %s for a CSV data file (a "
                     "record that never ends, or too many rows in a block; LIMN_MAX_DATA raises it)",
                     s->name, s->line, w);
  }
  if (s->cap - s->len < s->chunk) {
    size_t cap = s->len + s->chunk > 2 * s->cap ? s->len + s->chunk : 2 * s->cap;
    char *nb = limn__realloc(s->ctx, s->buf, cap);
    if (!nb)
      return limn__err(s->ctx, LIMN_ENOMEM, "out of memory");
    s->buf = nb, s->cap = cap;
  }
  size_t got = fread(s->buf + s->len, 1, s->chunk, s->f);
  if (got < s->chunk) {
    if (ferror(s->f))
      return limn__err(s->ctx, LIMN_EIO, "%s: read error", s->name);
    s->eof = 1;
  }
  const char *nul = memchr(s->buf + s->len, 0, got);
  size_t at = s->read;
  s->len += got, s->read += got;
  if (nul) { /* a binary file: stop here, not at the data limit */
    size_t line = s->line, col = 1;
    limn__text_position(s->buf + s->pos, (size_t)(nul - (s->buf + s->pos)), &line, &col);
    return limn__err(s->ctx, LIMN_EPARSE, "%s line %zu, byte %zu: NUL byte%s", s->name, line, col,
                     at + (size_t)(nul - (s->buf + s->len - got)) < 65536
                         ? " (a binary file, not a CSV data file)"
                         : " in text");
  }
  return LIMN_OK;
}

static void scan_reset(limn_stream *s) {
  s->sc_at = s->sc_rows = s->sc_lf = s->sc_end = s->sc_lf_end = 0;
  s->sc_q = s->sc_text = 0;
}

/* Complete records at the start of the unconsumed bytes: up to `want` of them (blank
 * lines do not count), resuming the scan where the last call stopped. Returns the
 * bytes they take (0: none complete yet), their count in *rows and their line feeds in
 * *nl. A record ends at a line feed outside quotes; at the end of the file, the rest
 * is one record (an unbalanced quote is then the parser's to report). */
static size_t scan(limn_stream *s, size_t want, size_t *rows, size_t *nl) {
  const char *b = s->buf + s->pos;
  size_t n = s->len - s->pos, i = s->sc_at;
  for (; i < n && s->sc_rows < want; i++) {
    if (!s->sc_q) { /* outside quotes: straight to the next quote or line feed */
      const char *lf = memchr(b + i, '\n', n - i);
      size_t e = lf ? (size_t)(lf - b) : n;
      const char *qt = memchr(b + i, '"', e - i);
      size_t stop = qt ? (size_t)(qt - b) : e;
      for (size_t q = i; q < stop && !s->sc_text; q++)
        s->sc_text = b[q] != '\r';
      if (stop == n) {
        i = n;
        break;
      }
      i = stop; /* the quote or line feed, handled below */
    }
    char c = b[i];
    if (c == '"') {
      s->sc_q = !s->sc_q, s->sc_text = 1;
    } else if (c == '\n') {
      s->sc_lf++;
      if (!s->sc_q) {
        s->sc_rows += (size_t)s->sc_text;
        s->sc_text = 0;
        s->sc_end = i + 1, s->sc_lf_end = s->sc_lf;
      }
    } else if (c != '\r') {
      s->sc_text = 1;
    }
  }
  s->sc_at = i;
  size_t r = s->sc_rows, end = s->sc_end, lf_end = s->sc_lf_end;
  if (s->eof && i == n && r < want && end < n) { /* the last record, without a line feed */
    int text = 0;
    for (size_t k = end; k < n && !text; k++)
      text = b[k] != '\n' && b[k] != '\r';
    r += (size_t)text;
    for (size_t k = end; k < n; k++)
      lf_end += b[k] == '\n';
    end = n;
  }
  *rows = r, *nl = lf_end;
  return end;
}

void limn_stream_close(limn_stream *s) {
  if (!s)
    return;
  limn_ctx *ctx = s->ctx;
  if (s->own_file && s->f)
    fclose(s->f);
  limn_schema_free(s->schema);
  limn__free(ctx, s->map);
  limn__free(ctx, s->name);
  limn__free(ctx, s->buf);
  limn__free(ctx, s->header);
  limn__free(ctx, s);
}

int limn_stream_open(limn_ctx *ctx, const char *path, const limn_read_opts *opts, size_t chunk_bytes,
                     limn_stream **out) {
  *out = NULL;
  if (!path)
    return limn__err(ctx, LIMN_EINVAL, "limn_stream_open: no path");
  if (limn__is_arff_path(path))
    return limn__err(ctx, LIMN_EUNSUPPORTED,
                     "%s: ARFF files are read whole (limn_dataset_read); streams read CSV", path);
  int rc;
  limn_stream *s = limn__calloc(ctx, 1, sizeof *s);
  if (!s)
    return limn__err(ctx, LIMN_ENOMEM, "out of memory");
  s->ctx = ctx;
  s->chunk = chunk_bytes ? chunk_bytes : STREAM_CHUNK;
  s->opts = opts ? *opts : limn_read_opts_default();
  s->line = 1;
  int std = !strcmp(path, "-");
  s->name = limn__strdup(ctx, std ? "(standard input)" : path);
  LIMN_FAIL_IF(!s->name, ctx, LIMN_ENOMEM, "out of memory");
  s->f = std ? stdin : fopen(path, "rb");
  s->own_file = !std;
  LIMN_FAIL_IF(!s->f, ctx, LIMN_EIO, "%s: cannot open: %s", path, strerror(errno));
  /* the header: a byte-order mark, blank lines, then the first record */
  size_t used = 0, rows = 0, nl = 0;
  while (s->len < 3 && !s->eof)
    LIMN_CHECK(fill(s));
  if (s->len >= 3 && !memcmp(s->buf, "\xEF\xBB\xBF", 3))
    s->pos = 3;
  for (;;) {
    used = scan(s, 1, &rows, &nl);
    if (rows || s->eof)
      break;
    LIMN_CHECK(fill(s));
  }
  LIMN_FAIL_IF(!rows, ctx, LIMN_EPARSE, "%s: empty file (a header line is required)", s->name);
  LIMN_CHECK(limn__check_text_from(ctx, s->buf + s->pos, used, s->name, 1));
  s->header = limn__malloc(ctx, used + 1);
  LIMN_FAIL_IF(!s->header, ctx, LIMN_ENOMEM, "out of memory");
  memcpy(s->header, s->buf + s->pos, used);
  s->header_len = used;
  if (!s->header_len || s->header[s->header_len - 1] != '\n')
    s->header[s->header_len++] = '\n';
  s->pos += used;
  s->line = 1 + nl;
  scan_reset(s);
  *out = s;
  return LIMN_OK;
fail:
  limn_stream_close(s);
  return rc;
}

/* The next block's bytes (*used), rows and line feeds, read in as needed; an error at
 * the end of a file without rows. */
static int next_block(limn_ctx *ctx, limn_stream *s, size_t max_rows, size_t *used, size_t *rows,
                      size_t *nl) {
  for (;;) {
    *used = scan(s, max_rows, rows, nl);
    if (*rows == max_rows || s->eof)
      break;
    LIMN_TRY(fill(s));
  }
  if (!*rows && !s->rows)
    return limn__err(ctx, LIMN_EPARSE, "%s: header only, no data rows", s->name);
  return LIMN_OK;
}

int limn_stream_skip(limn_ctx *ctx, limn_stream *s, size_t max_rows, size_t *n) {
  *n = 0;
  if (!max_rows)
    return limn__err(ctx, LIMN_EINVAL, "limn_stream_skip: max_rows is 0");
  if (!limn_stream_schema(s))
    return limn__err(ctx, LIMN_EINVAL, "limn_stream_skip: the stream has no schema yet (read a block first)");
  size_t used, rows, nl;
  LIMN_TRY(next_block(ctx, s, max_rows, &used, &rows, &nl));
  s->pos += used;
  s->line += nl;
  s->rows += rows;
  scan_reset(s);
  *n = rows;
  return LIMN_OK;
}

int limn_stream_read(limn_ctx *ctx, limn_stream *s, size_t max_rows, limn_dataset **out) {
  *out = NULL;
  if (!max_rows)
    return limn__err(ctx, LIMN_EINVAL, "limn_stream_read: max_rows is 0");
  size_t used, rows, nl;
  LIMN_TRY(next_block(ctx, s, max_rows, &used, &rows, &nl));
  if (!rows)
    return LIMN_OK; /* the end */
  const char *block = s->buf + s->pos;
  LIMN_TRY(limn__check_text_from(ctx, block, used, s->name, s->line));
  size_t mf = s->opts.max_field_bytes ? s->opts.max_field_bytes : limn_read_opts_default().max_field_bytes;
  if (s->map) {
    LIMN_TRY(limn__dataset_from_plain(ctx, s->name, limn_stream_schema(s), s->map, s->ncols, s->has_y, block,
                                      used, rows, s->line, mf, out));
    if (*out) {
      s->pos += used;
      s->line += nl;
      s->rows += rows;
      scan_reset(s);
      return LIMN_OK;
    }
  }
  /* the block behind the header, parsed as a file of its own: the header copied into
   * the consumed bytes before the block (fill keeps room for it), else block and
   * header copied together */
  char *text = NULL, *own = NULL;
  if (s->pos >= s->header_len) {
    text = s->buf + s->pos - s->header_len;
    memcpy(text, s->header, s->header_len);
  } else {
    text = own = limn__malloc(ctx, s->header_len + used);
    if (!own)
      return limn__err(ctx, LIMN_ENOMEM, "out of memory");
    memcpy(own, s->header, s->header_len);
    memcpy(own + s->header_len, block, used);
  }
  limn__table *t = NULL;
  int rc = limn__csv_parse_from(ctx, text, s->header_len + used, s->name, mf, s->line, &t);
  limn__free(ctx, own);
  if (rc)
    return rc;
  limn_read_opts o = s->opts;
  if (s->schema)
    o.schema = s->schema, o.target_optional = 0;
  rc = limn__dataset_from_table(ctx, t, s->name, &o, out);
  if (!rc && !s->mapped && !o.keep_text) { /* the layout, for the plain blocks after */
    s->mapped = 1, s->ncols = t->ncols, s->has_y = (*out)->y != NULL;
    if ((rc = limn__plain_map(ctx, t, limn_dataset_schema(*out), s->has_y, &s->map))) {
      limn_dataset_free(*out);
      *out = NULL;
    }
  }
  if (!rc && o.keep_text)
    (*out)->text = t; /* the fields' text, as a whole read keeps it */
  else
    limn__table_free(ctx, t);
  if (rc)
    return rc;
  if (!s->opts.schema && !s->schema &&
      (rc = limn_schema_clone(ctx, limn_dataset_schema(*out),
                              &s->schema))) { /* the blocks after: typed alike */
    limn_dataset_free(*out);
    *out = NULL;
    return rc;
  }
  s->pos += used;
  s->line += nl;
  s->rows += rows;
  scan_reset(s); /* the next block scans from its own start */
  return LIMN_OK;
}

size_t limn_stream_rows(const limn_stream *s) { return s ? s->rows : 0; }

const limn_schema *limn_stream_schema(const limn_stream *s) {
  return s ? (s->opts.schema ? s->opts.schema : s->schema) : NULL;
}

/* RFC 4180 CSV into a text table; shared text checks and number parsing. */
#include "data_internal.h"
#include <math.h>
#include <stdlib.h>

const char *limn__field(const limn__table *t, size_t r, size_t c) {
  return t->text + t->off[r * t->ncols + c];
}

void limn__table_free(limn_ctx *ctx, limn__table *t) {
  if (!t)
    return;
  limn__free(ctx, t->names);
  limn__free(ctx, t->text);
  limn__free(ctx, t->off);
  limn__free(ctx, t->line);
  limn__free(ctx, t->decl_kind);
  limn__free(ctx, t->decl_ncats);
  if (t->decl_cats)
    for (size_t c = 0; c < t->ncols; c++)
      limn__free(ctx, t->decl_cats[c]);
  limn__free(ctx, t->decl_cats);
  limn__free(ctx, t->decl_text);
  limn__free(ctx, t);
}

/* Powers of ten exact in double (10^22 is the last). */
static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The common case without strtod: [ \t]*[+-]?digits[.digits][(e|E)[+-]?digits][ \t]*
 * with at most 19 significant digits, a value w * 10^e with w <= 2^53 and |e| <= 22:
 * both exact in double, so one multiplication or division rounds correctly (Clinger
 * 1990) and gives strtod's double. 1 with *out set; 0 when the text is not of that
 * form (limn__parse_number then asks strtod). */
int limn__parse_number_fast(const char *s, double *out) { return limn__parse_number_span(s, NULL, out); }

/* The text ends at e (a byte that is no part of a number: ',', a line end), or at its
 * NUL when e is NULL. */
int limn__parse_number_span(const char *s, const char *e_end, double *out) {
  while (*s == ' ' || *s == '\t')
    s++;
  int neg = *s == '-';
  s += *s == '-' || *s == '+';
  uint64_t w = 0;
  int sig = 0, digits = 0;
  long e = 0;
  for (; *s >= '0' && *s <= '9'; s++, digits++)
    if (w || *s != '0') {
      if (++sig > 19)
        return 0;
      w = w * 10 + (uint64_t)(*s - '0');
    }
  if (*s == '.')
    for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
      e--;
      if (w || *s != '0') {
        if (++sig > 19)
          return 0;
        w = w * 10 + (uint64_t)(*s - '0');
      }
    }
  if (!digits)
    return 0;
  if (*s == 'e' || *s == 'E') {
    s++;
    int eneg = *s == '-';
    s += *s == '-' || *s == '+';
    if (*s < '0' || *s > '9')
      return 0;
    long x = 0;
    for (; *s >= '0' && *s <= '9'; s++)
      if ((x = x * 10 + (*s - '0')) > 100000)
        return 0;
    e += eneg ? -x : x;
  }
  while (*s == ' ' || *s == '\t')
    s++;
  if ((e_end ? s != e_end : *s != 0) || w > ((uint64_t)1 << 53))
    return 0;
  double v = (double)w;
  if (w && (e < -22 || e > 22))
    return 0;
  if (w)
    v = e < 0 ? v / exact_pow10[-e] : v * exact_pow10[e];
  *out = neg ? -v : v;
  return 1;
}

int limn__parse_number(const char *s, double *out) {
  return limn__parse_number_fast(s, out) || limn__parse_number_strtod(s, out);
}

int limn__parse_number_strtod(const char *s, double *out) {
  while (*s == ' ' || *s == '\t')
    s++;
  if (!*s)
    return 0;
  /* only decimal numbers: reject hex, inf and nan spellings that strtod takes */
  for (const char *p = s; *p; p++)
    if (!strchr("0123456789+-.eE \t", *p))
      return 0;
  char *end;
  double v = strtod(s, &end);
  if (end == s)
    return 0;
  while (*end == ' ' || *end == '\t')
    end++;
  if (*end || !isfinite(v))
    return 0;
  *out = v;
  return 1;
}

/* Length of the UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t avail) {
  unsigned char c = p[0];
  if (c < 0x80)
    return 1;
  size_t n;
  unsigned min;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
    n = 4;
    min = 0x10000;
  } else
    return 0;
  if (n > avail)
    return 0;
  unsigned cp = c & (0x7F >> n);
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

int limn__check_text(limn_ctx *ctx, const char *buf, size_t len, const char *name) {
  return limn__check_text_from(ctx, buf, len, name, 1);
}

/* 1 when buf holds only ASCII bytes other than NUL (then it is valid text): eight bytes
 * at a time, a word with a high bit or a zero byte ends the fast answer. */
static int plain_ascii(const unsigned char *p, size_t len) {
  const uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    if ((w & high) || ((w - ones) & ~w & high))
      return 0;
  }
  for (; i < len; i++)
    if (!p[i] || p[i] >= 0x80)
      return 0;
  return 1;
}

int limn__check_text_from(limn_ctx *ctx, const char *buf, size_t len, const char *name, size_t first_line) {
  const unsigned char *p = (const unsigned char *)buf;
  if (plain_ascii(p, len))
    return LIMN_OK;
  size_t line = first_line, col = 1;
  for (size_t i = 0; i < len;) {
    if (p[i] == 0)
      return limn__err(ctx, LIMN_EPARSE, "%s line %zu, byte %zu: NUL byte in text", name, line, col);
    size_t n = utf8_len(p + i, len - i);
    if (!n)
      return limn__err(ctx, LIMN_EPARSE, "%s line %zu, byte %zu: invalid UTF-8", name, line, col);
    if (p[i] == '\n') {
      line++;
      col = 1;
    } else {
      col += n;
    }
    i += n;
  }
  return LIMN_OK;
}

typedef struct csv_state {
  limn_ctx *ctx;
  const char *name;
  const char *p, *end;
  size_t line;
  size_t max_field;
  limn__buf text;  /* field texts */
  limn__buf offs;  /* uint32 offsets */
  limn__buf lines; /* size_t record lines */
  size_t nfields;  /* fields in the current record */
} csv_state;

/* Append one field's bytes plus NUL; record its offset. */
static int push_field(csv_state *s, const char *start, size_t n, size_t col) {
  if (n > s->max_field)
    return limn__err(s->ctx, LIMN_EPARSE,
                     "%s line %zu, field %zu: field of %zu bytes exceeds the limit of %zu", s->name, s->line,
                     col, n, s->max_field);
  if (s->text.len + n + 1 > UINT32_MAX)
    return limn__err(s->ctx, LIMN_EPARSE, "%s: file text exceeds 4 GiB", s->name);
  uint32_t off = (uint32_t)s->text.len;
  LIMN_TRY(limn__buf_reserve(s->ctx, &s->offs, sizeof off));
  LIMN_TRY(limn__buf_reserve(s->ctx, &s->text, n + 1));
  memcpy(s->offs.data + s->offs.len, &off, sizeof off);
  s->offs.len += sizeof off;
  if (n)
    memcpy(s->text.data + s->text.len, start, n);
  s->text.data[s->text.len + n] = '\0';
  s->text.len += n + 1;
  s->nfields++;
  return LIMN_OK;
}

/* The bytes that end an unquoted field (or are an error in one: the quote). */
static const unsigned char field_stop[256] = {[','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1};

/* Parse a quoted field starting after the opening quote. */
static int quoted_field(csv_state *s, size_t col) {
  size_t start_line = s->line;
  limn__buf *t = &s->text;
  if (t->len > UINT32_MAX)
    return limn__err(s->ctx, LIMN_EPARSE, "%s: file text exceeds 4 GiB", s->name);
  uint32_t off = (uint32_t)t->len;
  size_t n = 0;
  for (;;) {
    if (s->p >= s->end)
      return limn__err(s->ctx, LIMN_EPARSE,
                       "%s line %zu, field %zu: unbalanced quote (the quoted field never ends)", s->name,
                       start_line, col);
    char c = *s->p++;
    if (c == '"') {
      if (s->p < s->end && *s->p == '"') {
        s->p++;
      } else {
        break;
      }
    } else if (c == '\n') {
      s->line++;
    }
    if (++n > s->max_field)
      return limn__err(s->ctx, LIMN_EPARSE, "%s line %zu, field %zu: field exceeds the limit of %zu bytes",
                       s->name, start_line, col, s->max_field);
    LIMN_TRY(limn__buf_put(s->ctx, t, &c, 1));
  }
  LIMN_TRY(limn__buf_put(s->ctx, t, "", 1));
  LIMN_TRY(limn__buf_put(s->ctx, &s->offs, &off, sizeof off));
  s->nfields++;
  if (s->p < s->end && *s->p != ',' && *s->p != '\n' && *s->p != '\r')
    return limn__err(s->ctx, LIMN_EPARSE, "%s line %zu, field %zu: text after the closing quote", s->name,
                     s->line, col);
  return LIMN_OK;
}

/* Parse one record; *eol set at the end of the line. Returns status. */
static int record(csv_state *s) {
  size_t col = 1;
  s->nfields = 0;
  for (;;) {
    if (s->p < s->end && *s->p == '"') {
      s->p++;
      LIMN_TRY(quoted_field(s, col));
    } else {
      const char *st = s->p;
      while (s->p < s->end && !field_stop[(unsigned char)*s->p])
        s->p++;
      if (s->p < s->end && *s->p == '"')
        return limn__err(s->ctx, LIMN_EPARSE, "%s line %zu, field %zu: quote inside an unquoted field",
                         s->name, s->line, col);
      LIMN_TRY(push_field(s, st, (size_t)(s->p - st), col));
    }
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      col++;
      continue;
    }
    if (s->p < s->end && *s->p == '\r') {
      s->p++;
      if (s->p >= s->end || *s->p != '\n')
        return limn__err(s->ctx, LIMN_EPARSE, "%s line %zu: carriage return not followed by a line feed",
                         s->name, s->line);
    }
    if (s->p < s->end && *s->p == '\n')
      s->p++;
    return LIMN_OK;
  }
}

/* Skip blank lines (only \r\n or \n); counts lines. */
static void skip_blank(csv_state *s) {
  for (;;) {
    if (s->p < s->end && *s->p == '\n') {
      s->p++;
      s->line++;
    } else if (s->end - s->p >= 2 && s->p[0] == '\r' && s->p[1] == '\n') {
      s->p += 2;
      s->line++;
    } else {
      return;
    }
  }
}

int limn__csv_parse(limn_ctx *ctx, const char *buf, size_t len, const char *name, size_t max_field,
                    limn__table **out) {
  LIMN_TRY(limn__check_text(ctx, buf, len, name));
  return limn__csv_parse_from(ctx, buf, len, name, max_field, 0, out);
}

int limn__csv_parse_from(limn_ctx *ctx, const char *buf, size_t len, const char *name, size_t max_field,
                         size_t first_line, limn__table **out) {
  *out = NULL;
  csv_state s = {ctx, name, buf, buf + len, 1, max_field, {0}, {0}, {0}, 0};
  limn__table *t = NULL;
  limn__strmap seen = {0};
  int rc;
  if (!first_line && len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
    s.p += 3; /* a file's byte-order mark (a stream's block comes behind its header, the mark taken off) */
  skip_blank(&s);
  LIMN_FAIL_IF(s.p >= s.end, ctx, LIMN_EPARSE, "%s: empty file (a header line is required)", name);
  LIMN_CHECK(record(&s));
  size_t ncols = s.nfields;
  s.line = first_line ? first_line : s.line + 1; /* a block of a stream: its own first line */
  size_t nrows = 0;
  for (;;) {
    skip_blank(&s);
    if (s.p >= s.end)
      break;
    size_t start = s.line;
    LIMN_CHECK(limn__buf_put(ctx, &s.lines, &start, sizeof start));
    LIMN_CHECK(record(&s));
    LIMN_FAIL_IF(s.nfields != ncols, ctx, LIMN_EPARSE, "%s line %zu: expected %zu fields, got %zu", name,
                 start, ncols, s.nfields);
    s.line++;
    nrows++;
  }
  LIMN_FAIL_IF(nrows == 0, ctx, LIMN_EPARSE, "%s: header only, no data rows", name);
  t = limn__calloc(ctx, 1, sizeof *t);
  LIMN_FAIL_IF(!t, ctx, LIMN_ENOMEM, "out of memory");
  t->ncols = ncols;
  t->nrows = nrows;
  t->text = s.text.data;
  t->text_len = s.text.len;
  uint32_t *offs = (uint32_t *)(void *)s.offs.data;
  /* the header's offsets come first: move names out, keep row offsets */
  t->names = limn__alloc_array(ctx, ncols, sizeof *t->names);
  t->off = limn__alloc_array(ctx, nrows * ncols, sizeof *t->off);
  if (!t->names || !t->off) {
    rc = LIMN_ENOMEM;
    s.text.data = NULL;
    goto fail;
  }
  for (size_t c = 0; c < ncols; c++)
    t->names[c] = t->text + offs[c];
  memcpy(t->off, offs + ncols, nrows * ncols * sizeof *t->off);
  t->line = (size_t *)(void *)s.lines.data;
  s.lines.data = NULL;
  s.text.data = NULL;
  limn__buf_free(ctx, &s.offs);
  LIMN_CHECK(limn__strmap_init(ctx, &seen, ncols)); /* duplicate names: linear, not quadratic */
  for (size_t c = 0; c < ncols; c++) {
    LIMN_FAIL_IF(!t->names[c][0], ctx, LIMN_EPARSE, "%s line 1: column %zu has an empty name", name, c + 1);
    size_t k = limn__strmap_get(&seen, t->names[c]);
    LIMN_FAIL_IF(k != (size_t)-1, ctx, LIMN_EPARSE,
                 "%s line 1: duplicate column name '%s' (columns %zu and %zu)", name, t->names[c], k + 1,
                 c + 1);
    LIMN_CHECK(limn__strmap_put(ctx, &seen, t->names[c], c));
  }
  limn__strmap_free(ctx, &seen);
  *out = t;
  return LIMN_OK;
fail:
  limn__strmap_free(ctx, &seen);
  limn__table_free(ctx, t);
  limn__buf_free(ctx, &s.text);
  limn__buf_free(ctx, &s.offs);
  limn__buf_free(ctx, &s.lines);
  return rc;
}

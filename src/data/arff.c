/* Weka ARFF (dense; numeric and nominal attributes) into a text table. */
#include "data_internal.h"
#include <ctype.h>
#include <strings.h>

typedef struct arff_state {
  limn_ctx *ctx;
  const char *name;
  size_t line;
  size_t max_field;
} arff_state;

static const char *skip_ws(const char *p, const char *e) {
  while (p < e && (*p == ' ' || *p == '\t'))
    p++;
  return p;
}

/* Read one value (quoted with ' or " and backslash escapes, or bare up to a stop
 * character) into `out` with a NUL. *pp advances past it. */
static int read_value(arff_state *s, const char **pp, const char *e, const char *stops, limn__buf *out,
                      size_t col) {
  const char *p = skip_ws(*pp, e);
  size_t start = out->len;
  if (p < e && (*p == '\'' || *p == '"')) {
    char q = *p++;
    for (;;) {
      if (p >= e)
        return limn__err(s->ctx, LIMN_EPARSE, "%s line %zu, field %zu: unbalanced quote", s->name, s->line,
                         col);
      char c = *p++;
      if (c == q)
        break;
      if (c == '\\' && p < e) {
        c = *p++;
        if (c == 'n')
          c = '\n';
        else if (c == 't')
          c = '\t';
        else if (c == 'r')
          c = '\r';
      }
      LIMN_TRY(limn__buf_put(s->ctx, out, &c, 1));
    }
  } else {
    const char *st = p;
    while (p < e && !strchr(stops, *p))
      p++;
    const char *en = p;
    while (en > st && (en[-1] == ' ' || en[-1] == '\t'))
      en--;
    LIMN_TRY(limn__buf_put(s->ctx, out, st, (size_t)(en - st)));
  }
  if (out->len - start > s->max_field)
    return limn__err(s->ctx, LIMN_EPARSE, "%s line %zu, field %zu: field exceeds the limit of %zu bytes",
                     s->name, s->line, col, s->max_field);
  LIMN_TRY(limn__buf_put(s->ctx, out, "", 1));
  *pp = skip_ws(p, e);
  return LIMN_OK;
}

static int keyword(const char *p, const char *e, const char *kw) {
  size_t n = strlen(kw);
  return (size_t)(e - p) >= n && !strncasecmp(p, kw, n) &&
         ((size_t)(e - p) == n || isspace((unsigned char)p[n]) || p[n] == '{');
}

typedef struct attr_list {
  limn__buf names; /* NUL-separated attribute names */
  limn__buf cats;  /* NUL-separated categories of every nominal attribute */
  limn__buf kinds; /* int per attribute */
  limn__buf ncats; /* size_t per attribute */
  limn__buf lines; /* size_t per attribute: the line that declares it */
  size_t n;
} attr_list;

/* "@attribute name type" */
static int parse_attribute(arff_state *s, const char *p, const char *e, attr_list *a) {
  size_t col = a->n + 1;
  p = skip_ws(p + 10, e);
  LIMN_TRY(read_value(s, &p, e, " \t{", &a->names, col));
  int kind;
  size_t nc = 0;
  if (p < e && *p == '{') {
    kind = 1;
    p++;
    for (;;) {
      LIMN_TRY(read_value(s, &p, e, ",}", &a->cats, col));
      nc++;
      if (p < e && *p == ',') {
        p++;
        continue;
      }
      if (p < e && *p == '}')
        break;
      return limn__err(s->ctx, LIMN_EPARSE, "%s line %zu: nominal list of attribute %zu lacks '}'", s->name,
                       s->line, col);
    }
  } else if (keyword(p, e, "numeric") || keyword(p, e, "real") || keyword(p, e, "integer")) {
    kind = 0;
  } else {
    const char *t = p;
    while (t < e && !isspace((unsigned char)*t))
      t++;
    return limn__err(
        s->ctx, LIMN_EUNSUPPORTED,
        "%s line %zu: attribute %zu has type '%.*s' (only numeric, real, integer and nominal are supported)",
        s->name, s->line, col, (int)(t - p > 40 ? 40 : t - p), p);
  }
  LIMN_TRY(limn__buf_put(s->ctx, &a->kinds, &kind, sizeof kind));
  LIMN_TRY(limn__buf_put(s->ctx, &a->ncats, &nc, sizeof nc));
  LIMN_TRY(limn__buf_put(s->ctx, &a->lines, &s->line, sizeof s->line));
  a->n++;
  return LIMN_OK;
}

/* One data line into fields. */
static int parse_data(arff_state *s, const char *p, const char *e, size_t ncols, limn__buf *text,
                      limn__buf *offs) {
  if (p < e && *p == '{')
    return limn__err(s->ctx, LIMN_EUNSUPPORTED, "%s line %zu: sparse ARFF rows are not supported", s->name,
                     s->line);
  for (size_t c = 0; c < ncols; c++) {
    if (text->len > UINT32_MAX)
      return limn__err(s->ctx, LIMN_EPARSE, "%s: file text exceeds 4 GiB", s->name);
    uint32_t off = (uint32_t)text->len;
    LIMN_TRY(limn__buf_put(s->ctx, offs, &off, sizeof off));
    LIMN_TRY(read_value(s, &p, e, ",%", text, c + 1));
    if (c + 1 < ncols) {
      if (p >= e || *p != ',')
        return limn__err(s->ctx, LIMN_EPARSE, "%s line %zu: expected %zu fields, got %zu", s->name, s->line,
                         ncols, c + 1);
      p++;
    }
  }
  if (p < e && *p != '%')
    return limn__err(s->ctx, LIMN_EPARSE, "%s line %zu: expected %zu fields, got more", s->name, s->line,
                     ncols);
  return LIMN_OK;
}

static void free_attrs(limn_ctx *ctx, attr_list *a) {
  limn__buf_free(ctx, &a->names);
  limn__buf_free(ctx, &a->cats);
  limn__buf_free(ctx, &a->kinds);
  limn__buf_free(ctx, &a->ncats);
  limn__buf_free(ctx, &a->lines);
}

/* Attribute names, and each nominal attribute's values, are distinct (hash maps:
 * linear, so 40 000 attributes or values cost milliseconds). */
static int check_decls(limn_ctx *ctx, const limn__table *t, const attr_list *a, const char *name) {
  const size_t *line = (const size_t *)(const void *)a->lines.data;
  limn__strmap seen = {0};
  int rc = limn__strmap_init(ctx, &seen, t->ncols);
  for (size_t c = 0; c < t->ncols && !rc; c++) {
    size_t k = limn__strmap_get(&seen, t->names[c]);
    if (k != (size_t)-1)
      rc = limn__err(ctx, LIMN_EPARSE,
                     "%s line %zu: duplicate attribute name '%s' (first declared on line %zu)", name, line[c],
                     t->names[c], line[k]);
    else
      rc = limn__strmap_put(ctx, &seen, t->names[c], c);
  }
  limn__strmap_free(ctx, &seen);
  for (size_t c = 0; c < t->ncols && !rc; c++) {
    if (t->decl_ncats[c] < 2)
      continue;
    rc = limn__strmap_init(ctx, &seen, t->decl_ncats[c]);
    for (size_t k = 0; k < t->decl_ncats[c] && !rc; k++) {
      if (limn__strmap_get(&seen, t->decl_cats[c][k]) != (size_t)-1)
        rc = limn__err(ctx, LIMN_EPARSE, "%s line %zu: attribute '%s' lists the value '%s' twice", name,
                       line[c], t->names[c], t->decl_cats[c][k]);
      else
        rc = limn__strmap_put(ctx, &seen, t->decl_cats[c][k], k);
    }
    limn__strmap_free(ctx, &seen);
  }
  return rc;
}

/* Move the attribute declarations into the table. */
static int fill_decls(limn_ctx *ctx, limn__table *t, attr_list *a) {
  size_t n = a->n;
  t->decl_kind = limn__alloc_array(ctx, n, sizeof *t->decl_kind);
  t->decl_ncats = limn__alloc_array(ctx, n, sizeof *t->decl_ncats);
  t->decl_cats = limn__calloc(ctx, n, sizeof *t->decl_cats);
  t->names = limn__alloc_array(ctx, n, sizeof *t->names);
  if (!t->decl_kind || !t->decl_ncats || !t->decl_cats || !t->names)
    return LIMN_ENOMEM;
  memcpy(t->decl_kind, a->kinds.data, n * sizeof(int));
  memcpy(t->decl_ncats, a->ncats.data, n * sizeof(size_t));
  /* one storage block: names then categories */
  limn__buf all = {0};
  LIMN_TRY(limn__buf_put(ctx, &all, a->names.data, a->names.len));
  int rc = limn__buf_put(ctx, &all, a->cats.data ? a->cats.data : "", a->cats.len);
  if (rc) {
    limn__buf_free(ctx, &all);
    return rc;
  }
  t->decl_text = all.data;
  const char *q = all.data;
  for (size_t c = 0; c < n; c++) {
    t->names[c] = (char *)q;
    q += strlen(q) + 1;
  }
  for (size_t c = 0; c < n; c++) {
    t->decl_cats[c] = limn__calloc(ctx, t->decl_ncats[c] ? t->decl_ncats[c] : 1, sizeof(char *));
    if (!t->decl_cats[c])
      return LIMN_ENOMEM;
    for (size_t k = 0; k < t->decl_ncats[c]; k++) {
      t->decl_cats[c][k] = (char *)q;
      q += strlen(q) + 1;
    }
  }
  return LIMN_OK;
}

int limn__arff_parse(limn_ctx *ctx, const char *buf, size_t len, const char *name, size_t max_field,
                     limn__table **out) {
  *out = NULL;
  LIMN_TRY(limn__check_text(ctx, buf, len, name));
  arff_state s = {ctx, name, 0, max_field};
  attr_list a = {0};
  limn__buf text = {0}, offs = {0}, lines = {0};
  limn__table *t = NULL;
  int rc = LIMN_OK, in_data = 0;
  size_t nrows = 0;
  const char *p = buf, *end = buf + len;
  if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
    p += 3;
  while (p < end) {
    const char *e = memchr(p, '\n', (size_t)(end - p));
    const char *next = e ? e + 1 : end;
    if (!e)
      e = end;
    if (e > p && e[-1] == '\r')
      e--;
    s.line++;
    const char *q = skip_ws(p, e);
    p = next;
    if (q >= e || *q == '%')
      continue;
    if (!in_data) {
      if (keyword(q, e, "@relation"))
        continue;
      if (keyword(q, e, "@attribute")) {
        LIMN_CHECK(parse_attribute(&s, q, e, &a));
        continue;
      }
      if (keyword(q, e, "@data")) {
        LIMN_FAIL_IF(a.n == 0, ctx, LIMN_EPARSE, "%s line %zu: @data before any @attribute", name, s.line);
        in_data = 1;
        continue;
      }
      LIMN_FAIL_IF(1, ctx, LIMN_EPARSE, "%s line %zu: expected @relation, @attribute or @data", name, s.line);
    }
    LIMN_CHECK(limn__buf_put(ctx, &lines, &s.line, sizeof s.line));
    LIMN_CHECK(parse_data(&s, q, e, a.n, &text, &offs));
    nrows++;
  }
  LIMN_FAIL_IF(!in_data, ctx, LIMN_EPARSE, "%s: no @data section", name);
  LIMN_FAIL_IF(nrows == 0, ctx, LIMN_EPARSE, "%s: no data rows", name);
  t = limn__calloc(ctx, 1, sizeof *t);
  LIMN_FAIL_IF(!t, ctx, LIMN_ENOMEM, "out of memory");
  t->ncols = a.n;
  t->nrows = nrows;
  t->text = text.data;
  t->text_len = text.len;
  t->off = (uint32_t *)(void *)offs.data;
  t->line = (size_t *)(void *)lines.data;
  text.data = offs.data = lines.data = NULL;
  LIMN_CHECK(fill_decls(ctx, t, &a));
  LIMN_CHECK(check_decls(ctx, t, &a, name));
  free_attrs(ctx, &a);
  *out = t;
  return LIMN_OK;
fail:
  limn__table_free(ctx, t);
  free_attrs(ctx, &a);
  limn__buf_free(ctx, &text);
  limn__buf_free(ctx, &offs);
  limn__buf_free(ctx, &lines);
  return rc;
}

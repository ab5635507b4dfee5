/* The saved map: what `limn embed --transform` needs to place new rows (embed.h,
 * docs/math/tsne.md). A text file of named number blocks:
 *   limn-tsne-map 1
 *   meta <one line of text>
 *   <field> <count>
 *   <count numbers separated by spaces>
 * Fields: n, dim, raw_dim (1 value each), x (n dim), y (n 2), and optionally shift
 * and scale (raw_dim each), pca_mean (raw_dim) and pca_components (dim raw_dim).
 * The last line, "sha256 <hex>", is the SHA-256 of every byte before it: a file cut
 * short (even inside its last number) or edited is refused. Values are checked too:
 * map coordinates within +-1e8, scales positive with a finite inverse, PCA
 * components of unit length. */
#include "../core/internal.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void limn_tsne_map_free(limn_ctx *ctx, limn_tsne_map *m) {
  if (!m)
    return;
  limn__free(ctx, m->meta);
  limn__free(ctx, m->x);
  limn__free(ctx, m->y);
  limn__free(ctx, m->shift);
  limn__free(ctx, m->scale);
  limn__free(ctx, m->pca_mean);
  limn__free(ctx, m->pca_components);
  limn__free(ctx, m);
}

/* printf onto a growing buffer; the first failure sticks in *rc. */
static void bprintf(limn_ctx *ctx, limn__buf *b, int *rc, const char *fmt, ...) {
  if (*rc)
    return;
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k < 0 || (size_t)k >= sizeof tmp) { /* only the meta line can be longer */
    va_start(ap, fmt);
    k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || (*rc = limn__buf_reserve(ctx, b, (size_t)k + 1)))
      return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)k;
    return;
  }
  *rc = limn__buf_put(ctx, b, tmp, (size_t)k);
}

static void put_block(limn_ctx *ctx, limn__buf *b, int *rc, const char *name, const double *v,
                      const float *fv, size_t count) {
  bprintf(ctx, b, rc, "%s %zu\n", name, count);
  for (size_t i = 0; i < count; i++) {
    if (fv)
      bprintf(ctx, b, rc, i ? " %.9g" : "%.9g", (double)fv[i]);
    else
      bprintf(ctx, b, rc, i ? " %.17g" : "%.17g", v[i]);
  }
  bprintf(ctx, b, rc, "\n");
}

int limn_tsne_map_save(limn_ctx *ctx, const limn_tsne_map *m, const char *path) {
  size_t raw = m->raw_dim ? m->raw_dim : m->dim;
  if (m->meta && strchr(m->meta, '\n'))
    return limn__err(ctx, LIMN_EINVAL, "map meta text must be one line");
  limn__buf b = {0};
  int rc = LIMN_OK;
  bprintf(ctx, &b, &rc, "limn-tsne-map 1\nmeta %s\n", m->meta ? m->meta : "");
  double n = (double)m->n, d = (double)m->dim, r = (double)m->raw_dim;
  put_block(ctx, &b, &rc, "n", &n, NULL, 1);
  put_block(ctx, &b, &rc, "dim", &d, NULL, 1);
  put_block(ctx, &b, &rc, "raw_dim", &r, NULL, 1);
  if (m->shift && m->scale) {
    put_block(ctx, &b, &rc, "shift", m->shift, NULL, raw);
    put_block(ctx, &b, &rc, "scale", m->scale, NULL, raw);
  }
  if (m->raw_dim && m->pca_mean && m->pca_components) {
    put_block(ctx, &b, &rc, "pca_mean", m->pca_mean, NULL, m->raw_dim);
    put_block(ctx, &b, &rc, "pca_components", m->pca_components, NULL, m->dim * m->raw_dim);
  }
  put_block(ctx, &b, &rc, "x", NULL, m->x, m->n * m->dim);
  put_block(ctx, &b, &rc, "y", m->y, NULL, 2 * m->n);
  char hex[65];
  if (!rc) {
    limn_sha256(b.data, b.len, hex);
    bprintf(ctx, &b, &rc, "sha256 %s\n", hex);
  }
  if (!rc)
    rc = limn__write_file_atomic(ctx, path, b.data, b.len);
  limn__buf_free(ctx, &b);
  return rc == LIMN_ENOMEM ? limn__err(ctx, rc, "out of memory writing %s", path) : rc;
}

typedef struct parser {
  limn_ctx *ctx;
  const char *name;
  char *p; /* NUL-terminated */
  size_t line;
} parser;

/* The next line (without its newline), or NULL at the end. */
static char *next_line(parser *ps) {
  if (!*ps->p)
    return NULL;
  char *s = ps->p, *e = strchr(s, '\n');
  if (e) {
    *e = '\0';
    ps->p = e + 1;
  } else {
    ps->p += strlen(s);
  }
  ps->line++;
  return s;
}

static int read_numbers(parser *ps, const char *field, size_t count, double **out) {
  char *s = next_line(ps);
  if (!s)
    return limn__err(ps->ctx, LIMN_EFORMAT, "%s: line %zu: field '%s': the values are missing", ps->name,
                     ps->line + 1, field);
  double *v = limn__alloc_array(ps->ctx, count ? count : 1, sizeof(double));
  if (!v)
    return LIMN_ENOMEM;
  size_t k = 0;
  while (1) {
    while (*s == ' ')
      s++;
    if (!*s)
      break;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || (*end && *end != ' ') || !isfinite(x)) {
      limn__free(ps->ctx, v);
      return limn__err(ps->ctx, LIMN_EFORMAT, "%s: line %zu: field '%s': value %zu is not a finite number",
                       ps->name, ps->line, field, k + 1);
    }
    if (k == count) {
      limn__free(ps->ctx, v);
      return limn__err(ps->ctx, LIMN_EFORMAT, "%s: line %zu: field '%s': more than the %zu values announced",
                       ps->name, ps->line, field, count);
    }
    v[k++] = x;
    s = end;
  }
  if (k != count) {
    limn__free(ps->ctx, v);
    return limn__err(ps->ctx, LIMN_EFORMAT, "%s: line %zu: field '%s': %zu values announced, %zu found",
                     ps->name, ps->line, field, count, k);
  }
  *out = v;
  return LIMN_OK;
}

enum { F_N, F_DIM, F_RAW, F_SHIFT, F_SCALE, F_PMEAN, F_PCOMP, F_X, F_Y, F_COUNT };
static const char *const field_names[F_COUNT] = {
    "n", "dim", "raw_dim", "shift", "scale", "pca_mean", "pca_components", "x", "y"};

static int whole(double v, size_t *out) {
  if (!(v >= 0 && v <= 1e12 && v == floor(v)))
    return 0;
  *out = (size_t)v;
  return 1;
}

int limn_tsne_map_load_mem(limn_ctx *ctx, const void *buf, size_t len, const char *name,
                           limn_tsne_map **out) {
  *out = NULL;
  char *text = limn__malloc(ctx, len + 1);
  limn_tsne_map *m = limn__calloc(ctx, 1, sizeof *m);
  double *f[F_COUNT] = {0};
  size_t cnt[F_COUNT] = {0};
  int rc = text && m ? LIMN_OK : LIMN_ENOMEM;
  if (rc != LIMN_OK)
    goto fail;
  memcpy(text, buf, len);
  text[len] = '\0';
  if (memchr(buf, '\0', len))
    LIMN_FAIL_IF(1, ctx, LIMN_EFORMAT, "%s: not a map file (a NUL byte)", name);
  /* the checksum line is the last; it is checked after the fields, so that a damaged
   * field is named first (and the fuzzer reaches the field checks) */
  size_t body = len;
  while (body && text[body - 1] == '\n')
    body--;
  while (body && text[body - 1] != '\n')
    body--;
  const char *sum = !strncmp(text + body, "sha256 ", 7) ? text + body + 7 : NULL;
  char want[65] = "";
  if (sum) {
    snprintf(want, sizeof want, "%.64s", sum);
    if (strlen(sum) < 64 || strspn(sum + 64, "\n") != strlen(sum + 64))
      want[0] = '\0'; /* not one checksum and the end of the file */
    text[body] = '\0';
  }
  parser ps = {ctx, name, text, 0};
  char *s = next_line(&ps);
  LIMN_FAIL_IF(!s || strcmp(s, "limn-tsne-map 1"), ctx, LIMN_EFORMAT,
               "%s: line 1: not a limn map file (expected 'limn-tsne-map 1')", name);
  s = next_line(&ps);
  LIMN_FAIL_IF(!s || strncmp(s, "meta ", 5), ctx, LIMN_EFORMAT, "%s: line 2: expected 'meta <text>'", name);
  m->meta = limn__strdup(ctx, s + 5);
  LIMN_FAIL_IF(!m->meta, ctx, LIMN_ENOMEM, "out of memory reading %s", name);
  while ((s = next_line(&ps))) {
    char key[32];
    size_t count = 0;
    int used = 0;
    if (!*s)
      continue;
    LIMN_FAIL_IF(sscanf(s, "%31s %zu%n", key, &count, &used) != 2 || s[used], ctx, LIMN_EFORMAT,
                 "%s: line %zu: expected '<field> <count>'", name, ps.line);
    int which = -1;
    for (int q = 0; q < F_COUNT; q++)
      if (!strcmp(key, field_names[q]))
        which = q;
    LIMN_FAIL_IF(which < 0, ctx, LIMN_EFORMAT, "%s: line %zu: unknown field '%s'", name, ps.line, key);
    LIMN_FAIL_IF(f[which], ctx, LIMN_EFORMAT, "%s: line %zu: field '%s' given twice", name, ps.line, key);
    LIMN_FAIL_IF(count > len, ctx, LIMN_EFORMAT,
                 "%s: line %zu: field '%s': %zu values cannot fit in the file", name, ps.line, key, count);
    if ((rc = read_numbers(&ps, key, count, &f[which])))
      goto fail;
    cnt[which] = count;
  }
  for (int q = 0; q < F_COUNT; q++) {
    int optional = q == F_SHIFT || q == F_SCALE || q == F_PMEAN || q == F_PCOMP;
    LIMN_FAIL_IF(!f[q] && !optional, ctx, LIMN_EFORMAT, "%s: field '%s' is missing", name, field_names[q]);
  }
  LIMN_FAIL_IF(cnt[F_N] != 1 || cnt[F_DIM] != 1 || cnt[F_RAW] != 1 || !whole(f[F_N][0], &m->n) ||
                   !whole(f[F_DIM][0], &m->dim) || !whole(f[F_RAW][0], &m->raw_dim) || m->n == 0 ||
                   m->dim == 0,
               ctx, LIMN_EFORMAT,
               "%s: fields 'n', 'dim' and 'raw_dim' must be one whole number each (n, dim > 0)", name);
  size_t raw = m->raw_dim ? m->raw_dim : m->dim, nd = 0;
  LIMN_FAIL_IF(!limn__mul_ok(m->n, m->dim, &nd) || cnt[F_X] != nd || cnt[F_Y] != 2 * m->n, ctx, LIMN_EFORMAT,
               "%s: field 'x' needs n dim = %zu x %zu values and 'y' 2 n", name, m->n, m->dim);
  LIMN_FAIL_IF(!f[F_SHIFT] != !f[F_SCALE] || (f[F_SHIFT] && (cnt[F_SHIFT] != raw || cnt[F_SCALE] != raw)),
               ctx, LIMN_EFORMAT, "%s: fields 'shift' and 'scale' come together, %zu values each", name, raw);
  for (size_t j = 0; f[F_SCALE] && j < raw; j++)
    LIMN_FAIL_IF(!(f[F_SCALE][j] > 0), ctx, LIMN_EFORMAT, "%s: field 'scale': value %zu is not positive",
                 name, j + 1);
  LIMN_FAIL_IF(m->raw_dim && (!f[F_PMEAN] || !f[F_PCOMP] || cnt[F_PMEAN] != m->raw_dim ||
                              cnt[F_PCOMP] / m->raw_dim != m->dim || cnt[F_PCOMP] % m->raw_dim),
               ctx, LIMN_EFORMAT,
               "%s: raw_dim %zu needs 'pca_mean' (raw_dim) and 'pca_components' (dim raw_dim)", name,
               m->raw_dim);
  LIMN_FAIL_IF(!m->raw_dim && (f[F_PMEAN] || f[F_PCOMP]), ctx, LIMN_EFORMAT, "%s: PCA fields without raw_dim",
               name);
  for (size_t j = 0; f[F_SCALE] && j < raw; j++)
    LIMN_FAIL_IF(!isfinite(1.0 / f[F_SCALE][j]), ctx, LIMN_EFORMAT,
                 "%s: field 'scale': value %zu (%g) is too small to divide by", name, j + 1, f[F_SCALE][j]);
  for (size_t c = 0; f[F_PCOMP] && c < m->dim; c++) {
    double nn = 0;
    for (size_t j = 0; j < m->raw_dim; j++)
      nn += f[F_PCOMP][c * m->raw_dim + j] * f[F_PCOMP][c * m->raw_dim + j];
    LIMN_FAIL_IF(!(fabs(nn - 1) <= 1e-6), ctx, LIMN_EFORMAT,
                 "%s: field 'pca_components': component %zu has length %.6g, not 1 (principal components are "
                 "unit vectors)",
                 name, c + 1, sqrt(nn));
  }
  for (size_t i = 0; i < 2 * m->n; i++)
    LIMN_FAIL_IF(!(fabs(f[F_Y][i]) <= 1e8), ctx, LIMN_EFORMAT,
                 "%s: field 'y': value %zu (%g) is beyond +-1e8, not a t-SNE map coordinate", name, i + 1,
                 f[F_Y][i]);
  LIMN_FAIL_IF(!sum, ctx, LIMN_EFORMAT,
               "%s: no checksum line at the end (the file is cut short, or was written by an older limn: "
               "run embed again)",
               name);
  {
    char got[65];
    limn_sha256(buf, body, got);
    LIMN_FAIL_IF(strlen(want) != 64 || strcmp(got, want), ctx, LIMN_EFORMAT,
                 "%s: checksum mismatch (the file was changed or damaged after embed wrote it)", name);
  }
  m->x = limn__alloc_array(ctx, nd, sizeof(float));
  LIMN_FAIL_IF(!m->x, ctx, LIMN_ENOMEM, "out of memory reading %s", name);
  for (size_t i = 0; i < nd; i++) {
    LIMN_FAIL_IF(fabs(f[F_X][i]) > 3e38, ctx, LIMN_EFORMAT, "%s: field 'x': value %zu is out of float range",
                 name, i + 1);
    m->x[i] = (float)f[F_X][i];
  }
  m->y = f[F_Y], f[F_Y] = NULL;
  m->shift = f[F_SHIFT], f[F_SHIFT] = NULL;
  m->scale = f[F_SCALE], f[F_SCALE] = NULL;
  m->pca_mean = f[F_PMEAN], f[F_PMEAN] = NULL;
  m->pca_components = f[F_PCOMP], f[F_PCOMP] = NULL;
  for (int q = 0; q < F_COUNT; q++)
    limn__free(ctx, f[q]);
  limn__free(ctx, text);
  *out = m;
  return LIMN_OK;
fail:
  for (int q = 0; q < F_COUNT; q++)
    limn__free(ctx, f[q]);
  limn__free(ctx, text);
  limn_tsne_map_free(ctx, m);
  return rc == LIMN_ENOMEM ? limn__err(ctx, rc, "out of memory reading %s", name) : rc;
}

static int map_head(const void *buf, size_t len) { return len >= 15 && !memcmp(buf, "limn-tsne-map 1", 15); }

int limn_tsne_map_load(limn_ctx *ctx, const char *path, limn_tsne_map **out) {
  char *buf = NULL;
  size_t len = 0;
  *out = NULL;
  const limn__input in = {"a limn map file", 0, 1, map_head};
  LIMN_TRY(limn__read_input(ctx, path, &in, &buf, &len));
  int rc = limn_tsne_map_load_mem(ctx, buf, len, path, out);
  limn__free(ctx, buf);
  return rc;
}
